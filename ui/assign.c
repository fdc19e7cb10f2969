/* assign.c: the assign panel: the broker's ranked trucks or a local estimate (assign.h). */
#include "assign.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chrome.h"
#include "geo.h"
#include "i18n.h"
#include "model.h"
#include "present.h"
#include "text.h"
#include "ticket.h"
#include "util.h"

void
assign_init(struct assign *p, int64_t id)
{
	memset(p, 0, sizeof *p);
	p->id = id;
	p->fill = -1;
	p->sel_y = -1;
}

static void
drop(struct assign *p)
{
	free(p->cands);
	p->cands = NULL;
	p->n_cands = 0;
}

void
assign_finish(struct assign *p)
{
	drop(p);
}

/* The answer to dispatch.candidates: the list, or why there is none, in words. */
static void
on_candidates(struct model *m, void *ctx, const struct proto_reply *r,
    const struct proto_error *err)
{
	struct assign *p = ctx;
	char why[200];

	(void)m;
	p->cmd[0] = '\0';
	p->loading = false;
	p->error[0] = '\0';
	drop(p);
	if (r == NULL) {
		present_error(err, why, sizeof why);
		snprintf(p->error, sizeof p->error, "%s (%s)",
		    i18n_tr("detail.cand.err_no_answer"), why);
	} else if (!r->ok && r->error.code == PROTO_E_UNKNOWN_OP)
		snprintf(p->error, sizeof p->error, "%s",
		    i18n_tr("detail.cand.err_unknown_op"));
	else if (!r->ok)
		present_error(&r->error, p->error, sizeof p->error);
	else if (r->n_candidates > 0) {
		p->cands = xcalloc(r->n_candidates, sizeof *p->cands);
		memcpy(p->cands, r->candidates, r->n_candidates * sizeof *p->cands);
		p->n_cands = r->n_candidates;
	}
}

void
assign_ask(struct assign *p, struct model *m, const void *owner)
{
	struct proto_dispatch_candidates q = { .id = p->id, .k = ASSIGN_ROWS,
		.present = PROTO_ALL };
	struct model_request rq = { .op = PROTO_MSG_dispatch_candidates, .args = &q,
		.on_reply = on_candidates, .ctx = p, .owner = owner };

	p->n_rows = 0;
	p->sel = 0;
	p->sel_truck[0] = '\0';
	if (p->cmd[0] != '\0')		/* the earlier answer is not wanted */
		model_cancel(m, p->cmd);
	p->cmd[0] = '\0';
	drop(p);
	p->error[0] = '\0';
	p->loading = true;
	if (model_request(m, &rq, p->cmd) < 0) {
		p->loading = false;
		rd_strlcpy(p->error, i18n_tr("msg.send_failed"), sizeof p->error);
	}
}

/* Trucks that could take the ticket: available, able to serve its fault, with a position;
 * the nearest first. */
static int
find_near(const struct model *m, const struct proto_ticket *t, struct assign_near *out,
    int max)
{
	struct geo_point p = { t->lat, t->lon }, q;
	int f = ticket_fault_parse(t->fault), k, n = 0, i, j;
	uint32_t able;
	size_t x;
	double km;

	if (f < 0)
		able = (1u << TRUCK_KIND_COUNT) - 1;
	else if (m->data != NULL && m->data->faults[f].kinds != 0)
		able = m->data->faults[f].kinds;
	else
		able = ticket_fault_kinds((enum ticket_fault)f);
	for (x = 0; x < m->n_trucks; x++) {
		const struct proto_truck *tr = m->trucks[x];

		if (strcmp(tr->status, "available") != 0 || !PROTO_HAS(tr, truck, lat) ||
		    !PROTO_HAS(tr, truck, lon))
			continue;
		k = truck_kind_parse(tr->kind);
		if (k < 0 || !(able & (1u << k)))
			continue;
		q.lat = tr->lat;
		q.lon = tr->lon;
		km = geo_distance_m(p, q) / 1000.0;
		/* insertion into the sorted top list */
		for (i = n; i > 0 && out[i - 1].km > km; i--)
			;
		if (i >= max)
			continue;
		j = n < max ? n : max - 1;
		memmove(&out[i + 1], &out[i], (size_t)(j - i) * sizeof *out);
		rd_strlcpy(out[i].id, tr->id, sizeof out[i].id);
		rd_strlcpy(out[i].kind, tr->kind, sizeof out[i].kind);
		rd_strlcpy(out[i].supplier, tr->supplier, sizeof out[i].supplier);
		rd_strlcpy(out[i].region, tr->region, sizeof out[i].region);
		out[i].km = km;
		if (n < max)
			n++;
	}
	return n;
}

#define SRC_MAX 24		/* columns for what an ETA rests on */

/* The columns of a candidate's first line, from the panel's left edge x over w. */
struct pick_cols {
	int rank, truck, kind, status, km, eta, src, src_w, gps;
};

static void
pick_cols(struct pick_cols *c, int x, int w)
{
	c->rank = x + 1;
	c->truck = x + 3;
	c->kind = c->truck + 13;
	c->status = c->kind + 11;
	c->km = c->status + 11;		/* right-aligned, 8 */
	c->eta = c->km + 9;		/* right-aligned, 5 */
	c->src = c->eta + 7;
	c->src_w = x + w - 8 - 1 - c->src;	/* what is left before GPS, up to SRC_MAX */
	if (c->src_w > SRC_MAX)
		c->src_w = SRC_MAX;
	c->gps = c->src + c->src_w + 1;	/* right-aligned, 6 */
}

static void
pick_header(struct vscreen *vs, const struct pick_cols *c, int x, int y, int w)
{
	enum theme_role r = ROLE_DIALOG;

	vscreen_fill(vs, x, y, w, 1, r, 0, L' ');
	vscreen_put(vs, c->rank, y, r, THEME_BOLD, "#", 1);
	vscreen_put_pad(vs, c->truck, y, r, THEME_BOLD, i18n_tr("detail.cand.col.truck"), 12);
	vscreen_put_pad(vs, c->kind, y, r, THEME_BOLD, i18n_tr("detail.cand.col.kind"), 10);
	vscreen_put_pad(vs, c->status, y, r, THEME_BOLD, i18n_tr("detail.cand.col.status"), 10);
	vscreen_put_right(vs, c->km, y, r, THEME_BOLD, i18n_tr("detail.cand.col.km"), 8);
	vscreen_put_right(vs, c->eta, y, r, THEME_BOLD, i18n_tr("detail.cand.col.eta"), 5);
	vscreen_put_pad(vs, c->src, y, r, THEME_BOLD, i18n_tr("detail.cand.col.src"), c->src_w);
	vscreen_put_right(vs, c->gps, y, r, THEME_BOLD, i18n_tr("detail.cand.col.gps"), 6);
}

/* Why the broker ranks candidate c so, in the UI language, from its machine form
 * (PROTOCOL.md 8.6): on a job and free in so long, its kind against the preferred one,
 * offers today. A broker without that form sent only English words (why). */
static void
cand_why(const struct proto_candidate *c, char *out, size_t n)
{
	char num[24], piece[160];
	const char *vars[6];
	size_t len;

	if (!PROTO_HAS(c, candidate, free_s)) {
		rd_strlcpy(out, c->why, n);
		return;
	}
	out[0] = '\0';
	if (strcmp(c->status, "on_scene") == 0 || strcmp(c->status, "towing") == 0) {
		snprintf(num, sizeof num, "%lld", (long long)((c->free_s + 59) / 60));
		vars[0] = "status", vars[1] = present_truck_status(c->status);
		vars[2] = "min", vars[3] = num;
		present_fill(i18n_tr("detail.cand.why.busy"), vars, 2, out, n);
	}
	if (PROTO_HAS(c, candidate, prefer) && c->prefer[0] != '\0') {
		bool same = strcmp(c->prefer, c->kind) == 0;
		vars[0] = "kind", vars[1] = present_kind(c->kind);
		vars[2] = "prefer", vars[3] = present_kind(c->prefer);
		present_fill(i18n_tr(same ? "detail.cand.why.preferred" : "detail.cand.why.other"),
		    vars, 2, piece, sizeof piece);
		len = strlen(out);
		snprintf(out + len, n - len, "%s%s", len ? " \xc2\xb7 " : "", piece);
	}
	if (PROTO_HAS(c, candidate, offers)) {
		snprintf(num, sizeof num, "%lld", (long long)c->offers);
		vars[0] = "n", vars[1] = num;
		present_fill(i18n_tr("detail.cand.why.offers"), vars, 1, piece, sizeof piece);
		len = strlen(out);
		snprintf(out + len, n - len, "%s%s", len ? " \xc2\xb7 " : "", piece);
	}
}

/* One broker candidate on lines rows (2 or 3) from y: the numbers, then supplier, load
 * and quality, then why (appended to the second line when there are only two). */
static void
pick_candidate(struct vscreen *vs, const struct model *m, const struct proto_ticket *t,
    const struct proto_candidate *c, const struct pick_cols *pc, int rank, bool sel, int x,
    int y, int w, int lines)
{
	enum theme_role role = sel ? ROLE_SELECTED : ROLE_DIALOG;
	const struct proto_truck *k = model_truck(m, c->truck);
	int64_t stale_s = m->data != NULL ? m->data->sla.gps_stale_s : 90;
	bool stale = c->stale || strcmp(c->eta_src, "stale") == 0;
	char buf[512], num[32], why[256];
	size_t len;

	cand_why(c, why, sizeof why);
	vscreen_fill(vs, x, y, w, lines, role, 0, L' ');
	snprintf(num, sizeof num, "%d", rank);
	vscreen_put(vs, pc->rank, y, role, THEME_BOLD, num, 1);
	vscreen_put_pad(vs, pc->truck, y, role, THEME_BOLD, c->truck, 12);
	vscreen_put_pad(vs, pc->kind, y, role, 0, present_kind(c->kind), 10);
	vscreen_put_pad(vs, pc->status, y, role, 0, present_truck_status(c->status), 10);
	snprintf(buf, sizeof buf, "%.1f km", c->km);
	vscreen_put_right(vs, pc->km, y, role, 0, buf, 8);
	model_fmt_minutes(c->eta_s * 1000, buf, sizeof buf);
	vscreen_put_right(vs, pc->eta, y, stale ? ROLE_WARN : role, 0, buf, 5);
	if (stale) {
		snprintf(buf, sizeof buf, "%s%s%s", i18n_tr("detail.cand.stale"),
		    strcmp(c->eta_src, "stale") != 0 ? " \xc2\xb7 " : "",
		    strcmp(c->eta_src, "stale") != 0 ? present_eta_src(c->eta_src) : "");
		vscreen_put_pad(vs, pc->src, y, ROLE_WARN, THEME_BOLD, buf, pc->src_w);
	} else
		vscreen_put_pad(vs, pc->src, y, role, 0, present_eta_src(c->eta_src), pc->src_w);
	if (c->gps_age_s < 0)
		vscreen_put_right(vs, pc->gps, y, ROLE_WARN, 0, i18n_tr("detail.cand.no_gps"), 6);
	else {
		present_age(c->gps_age_s * 1000, buf, sizeof buf);
		vscreen_put_right(vs, pc->gps, y, stale || c->gps_age_s > stale_s ? ROLE_WARN :
		    role, 0, buf, 6);
	}

	/* supplier, load, quality (and why) */
	snprintf(buf, sizeof buf, "%s", present_supplier(m->data, k != NULL ? k->region :
	    t->region, c->supplier[0] != '\0' ? c->supplier : k != NULL ? k->supplier : "-"));
	len = strlen(buf);
	if (t->truck[0] != '\0' && present_eta_known(t)) {
		/* the truck it would replace, its ETA beside this one's */
		char eta[24];
		model_fmt_minutes(t->eta - m->now, eta, sizeof eta);
		snprintf(buf + len, sizeof buf - len, "  \xc2\xb7  %s %s %s %s",
		    i18n_tr("detail.cand.current"), t->truck, i18n_tr("detail.eta"), eta);
	}
	len = strlen(buf);
	if (PROTO_HAS(c, candidate, load))
		snprintf(buf + len, sizeof buf - len, "  \xc2\xb7  %s %lld",
		    i18n_tr("detail.cand.load"), (long long)c->load);
	len = strlen(buf);
	if (PROTO_HAS(c, candidate, quality))
		snprintf(buf + len, sizeof buf - len, "  \xc2\xb7  %s %.2f",
		    i18n_tr("detail.cand.quality"), c->quality);
	len = strlen(buf);
	if (lines < 3 && why[0] != '\0')
		snprintf(buf + len, sizeof buf - len, "  \xc2\xb7  %s", why);
	vscreen_put_ellipsis(vs, pc->truck, y + 1, role, 0, buf, x + w - 1 - pc->truck);
	if (lines >= 3)
		vscreen_put_ellipsis(vs, pc->truck, y + 2, role, 0, why[0] != '\0' ? why :
		    "-", x + w - 1 - pc->truck);
}

/* One truck of the local estimate on row y. */
static void
pick_local(struct vscreen *vs, const struct model *m, const struct assign_near *n, int rank,
    bool sel, int x, int y, int w)
{
	enum theme_role role = sel ? ROLE_SELECTED : ROLE_DIALOG;
	char num[32], km[32];

	vscreen_fill(vs, x, y, w, 1, role, 0, L' ');
	snprintf(num, sizeof num, "%d", rank);
	vscreen_put(vs, x + 1, y, role, THEME_BOLD, num, 1);
	vscreen_put_pad(vs, x + 3, y, role, THEME_BOLD, n->id, 12);
	vscreen_put_pad(vs, x + 16, y, role, 0, present_kind(n->kind), 10);
	snprintf(km, sizeof km, "%.1f km", n->km);
	vscreen_put_right(vs, x + w - 12, y, role, 0, km, 10);
	vscreen_put_pad(vs, x + 27, y, role, 0, present_supplier(m->data, n->region,
	    n->supplier), w - 12 - 27 - 1);
}

/* Keep the selection on the same truck when the rows change; else the first row. */
static void
pick_settle(struct assign *p)
{
	int i;

	p->sel = 0;
	for (i = 0; i < p->n_rows; i++) {
		if (strcmp(p->row[i], p->sel_truck) == 0)
			p->sel = i;
	}
	if (p->n_rows > 0)
		rd_strlcpy(p->sel_truck, p->row[p->sel], sizeof p->sel_truck);
}

/* The broker's ranked candidates, or while it is asked "loading", or when it cannot
 * answer the error in words and the local nearest-available estimate. */
void
assign_draw(struct assign *p, struct vscreen *vs, const struct model *m,
    const struct proto_ticket *t, int y_top, int y_bottom, const char *typed)
{
	int cols = vscreen_cols(vs), w = cols, x = 0, h, y, i, n = 0, lines = 3, notes = 0,
	    room = y_bottom - y_top, body, hl;
	const char *note = NULL, *right;
	enum theme_role note_role = ROLE_DIALOG;
	char title[160], err[512], line[512];
	size_t note_st[2], note_len[2], nst;
	struct pick_cols pc;

	if (p->loading)
		p->src = ASSIGN_LOADING;
	else if (p->error[0] == '\0' && p->n_cands > 0)
		p->src = ASSIGN_BROKER;
	else {
		p->src = ASSIGN_LOCAL;
		note_role = ROLE_ERROR;
		if (p->error[0] != '\0')
			snprintf(err, sizeof err, "%s%s%s", i18n_tr("detail.cand.err"),
			    present_colon(), p->error);
		else {			/* the broker answered: nobody */
			rd_strlcpy(err, i18n_tr("detail.cand.none"), sizeof err);
			note_role = ROLE_WARN;
		}
		note = err;
	}

	/* the rows, as the keys will see them */
	p->n_rows = 0;
	if (p->src == ASSIGN_BROKER) {
		n = p->n_cands < ASSIGN_ROWS ? (int)p->n_cands : ASSIGN_ROWS;
		for (i = 0; i < n; i++)
			rd_strlcpy(p->row[i], p->cands[i].truck, ASSIGN_TRUCK_MAX);
	} else if (p->src == ASSIGN_LOCAL) {
		n = find_near(m, t, p->near, ASSIGN_ROWS);
		for (i = 0; i < n; i++)
			rd_strlcpy(p->row[i], p->near[i].id, ASSIGN_TRUCK_MAX);
	}
	/* the note (an error, mostly) on up to two lines */
	if (note != NULL) {
		nst = present_wrap(note, w - 2, note_st, note_len, 2);
		notes = nst > 2 ? 2 : (int)nst;
	}
	if (p->src == ASSIGN_BROKER) {
		/* title, header, rows, border: fewer lines a truck, then fewer trucks */
		if (2 + 3 * n + 1 > room)
			lines = 2;
		while (n > 1 && 2 + lines * n + 1 > room)
			n--;
		body = 1 + lines * n;
	} else {
		while (n > 1 && 1 + notes + n + 1 > room)
			n--;
		body = notes + (n > 0 ? n : 1);
	}
	p->n_rows = n;
	pick_settle(p);
	/* the highlight: the selection, or while typing the row of the id typed */
	hl = typed == NULL ? p->sel : -1;
	for (i = 0; typed != NULL && i < n; i++) {
		if (strcmp(p->row[i], typed) == 0)
			hl = i;
	}
	p->sel_y = -1;

	h = 1 + body + 1;
	y = y_bottom - h;
	if (y < y_top)
		y = y_top;
	if (p->src == ASSIGN_LOCAL) {
		snprintf(title, sizeof title, "%s%s%s", i18n_tr("detail.near_title"),
		    present_colon(), present_fault(t->fault));
		right = i18n_tr("detail.cand.local");
	} else {
		snprintf(title, sizeof title, "%s%s%s", i18n_tr("detail.cand.title"),
		    present_colon(), present_fault(t->fault));
		right = i18n_tr(p->src == ASSIGN_LOADING ? "detail.loading" :
		    "detail.cand.ranked");
	}
	/* the truck the job would be taken from, and its ETA, to weigh the rows against */
	if (t->truck[0] != '\0') {
		char eta[24] = "-";
		size_t len = strlen(title);
		if (present_eta_known(t))
			model_fmt_minutes(t->eta - m->now, eta, sizeof eta);
		snprintf(title + len, sizeof title - len, " \xc2\xb7 %s %s %s %s",
		    i18n_tr("detail.cand.current"), t->truck, i18n_tr("detail.eta"), eta);
	}
	vscreen_fill(vs, x, y, w, h, ROLE_DIALOG, 0, L' ');
	chrome_section(vs, x, y, w, title, right);
	vscreen_fill(vs, x, y + h - 1, w, 1, ROLE_BORDER, 0, L'\x2500');
	y++;
	switch (p->src) {
	case ASSIGN_LOADING:
		vscreen_put_ellipsis(vs, x + 2, y, ROLE_DIALOG, 0, i18n_tr("detail.cand.loading"),
		    w - 4);
		break;
	case ASSIGN_BROKER:
		pick_cols(&pc, x, w);
		pick_header(vs, &pc, x, y++, w);
		for (i = 0; i < n; i++, y += lines) {
			pick_candidate(vs, m, t, &p->cands[i], &pc, i + 1, i == hl, x, y, w,
			    lines);
			if (i == hl)
				p->sel_y = y;
		}
		break;
	case ASSIGN_LOCAL:
		for (i = 0; i < notes; i++, y++) {
			/* the last line takes the rest, cut with an ellipsis if need be */
			nst = i == notes - 1 ? strlen(note) - note_st[i] : note_len[i];
			nst = nst < sizeof line - 1 ? nst : sizeof line - 1;
			memcpy(line, note + note_st[i], nst);
			line[nst] = '\0';
			vscreen_fill(vs, x + 1, y, w - 2, 1, note_role, 0, L' ');
			vscreen_put_ellipsis(vs, x + 1, y, note_role, 0, line, w - 2);
		}
		if (n == 0)
			vscreen_put_ellipsis(vs, x + 2, y, ROLE_DIALOG, 0,
			    i18n_tr("detail.near_none"), w - 4);
		for (i = 0; i < n; i++, y++) {
			pick_local(vs, m, &p->near[i], i + 1, i == hl, x, y, w);
			if (i == hl)
				p->sel_y = y;
		}
		break;
	}
}

enum assign_event
assign_key(struct assign *p, struct model *m, const void *owner, const struct key *k,
    enum keymap_action a, int *row)
{
	int sel = p->sel;

	switch (a) {
	case ACTION_MOVE_UP:
	case ACTION_MOVE_DOWN:
	case ACTION_HOME:
	case ACTION_END:
		if (p->n_rows == 0)
			return ASSIGN_IGNORED;
		sel = a == ACTION_HOME ? 0 : a == ACTION_END ? p->n_rows - 1 :
		    sel + (a == ACTION_MOVE_DOWN ? 1 : -1);
		sel = sel < 0 ? 0 : sel >= p->n_rows ? p->n_rows - 1 : sel;
		p->sel = sel;
		rd_strlcpy(p->sel_truck, p->row[sel], sizeof p->sel_truck);
		return ASSIGN_MOVED;
	case ACTION_OPEN:
		*row = p->sel;
		return ASSIGN_PICKED;
	case ACTION_NEXT_PANE:
	case ACTION_PREV_PANE:
		return ASSIGN_TYPE;
	case ACTION_BACK:
		return ASSIGN_CLOSE;
	case ACTION_HELP:
	case ACTION_REDRAW:
	case ACTION_QUIT:
		return ASSIGN_PASS;
	case ACTION_NONE:
		if (k == NULL || k->is_func)
			break;
		if (k->code >= '1' && k->code < '1' + ASSIGN_ROWS) {
			*row = k->code - '1';
			return ASSIGN_PICKED;
		}
		if (k->code == 'r') {
			assign_ask(p, m, owner);
			return ASSIGN_MOVED;
		}
		break;
	default:
		break;
	}
	return ASSIGN_IGNORED;
}

const char *
assign_row(const struct assign *p, int i)
{
	return i >= 0 && i < p->n_rows ? p->row[i] : NULL;
}

void
assign_typing(struct assign *p)
{
	p->fill = -1;
}

const char *
assign_fill(struct assign *p, int dir)
{
	if (p->n_rows == 0)
		return NULL;
	p->fill += dir;
	if (p->fill < 0)
		p->fill = 0;
	if (p->fill >= p->n_rows)
		p->fill = p->n_rows - 1;
	return p->row[p->fill];
}
