/* view-complaints.c: the list of complaints (see view-complaints.h). A supervisor's rows
 * of the central copy show what the complaint stream carries (masked: PROTOCOL.md 8.7);
 * opening one fetches the raw record with complaint.get into this console's file first. */
#include "view-complaints.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chrome.h"
#include "complaint-db.h"
#include "complaint-store.h"
#include "complaint-sync.h"
#include "complaint.h"
#include "i18n.h"
#include "model-request.h"
#include "model.h"
#include "present.h"
#include "text.h"
#include "theme.h"
#include "util.h"

/* The state filter: all, the open ones, then one state. */
#define STATE_ALL (-2)
#define STATE_OPEN (-1)
/* The due filter. */
enum due_filter { DUE_ALL, DUE_RISK, DUE_LATE, DUE_COUNT };

#define SUPPLIERS_MAX 64

/* The columns' widths; the due date takes the rest. */
#define COL_NUMBER COMPLAINT_NUMBER_LEN
#define COL_STATE 13
#define COL_NAME 10
#define COL_SUPPLIER 6		/* at the least; up to 10 (a supplier id) as room allows */
#define COL_HANDLER 8
#define COL_DUE 17		/* what is left and the due time: "57h55 03-17 00:00" */

/* The supplier column's width on a screen cols wide: what the due column leaves. */
static int
supplier_cols(int cols)
{
	int w = cols - (2 + COL_NUMBER + 1 + COL_STATE + 1 + COL_NAME + 1 + COL_HANDLER + 1 +
	    1 + COL_DUE + 1);

	return w < COL_SUPPLIER ? COL_SUPPLIER : w > 10 ? 10 : w;
}

struct view_complaints {
	struct view view;		/* first member */
	const struct complaint_db *db;
	struct complaint **list;	/* as loaded, filtered by due (owned) */
	size_t n;
	struct complaint_clock *clock;	/* [n]: the nearest running clock of each */
	int *clock_kind;		/* [n]: its kind, -1 none */
	bool *central;			/* [n]: only in the central copy, not in this file */
	int64_t central_sig;		/* the complaint stream as last loaded (supervisor) */
	bool draft;			/* a new complaint's draft: the first row */
	size_t sel, top;
	int list_rows;
	bool loaded;
	/* filters */
	int state;			/* STATE_ALL, STATE_OPEN or an enum complaint_state */
	bool mine;
	enum due_filter due;
	int supplier;			/* -1 all, else an index into suppliers */
	char suppliers[SUPPLIERS_MAX][COMPLAINT_ID_MAX];
	int n_suppliers;
	char error[256];
};

static const struct view_hint hints[] = {
	{ ACTION_OPEN, ACTION_NONE, "complaints.hint.open" },
	{ ACTION_COMPLAINT_NEW, ACTION_NONE, "complaints.hint.new" },
	{ ACTION_COMPLAINT_STATE, ACTION_COMPLAINT_MINE, "complaints.hint.filter" },
	{ ACTION_BACK, ACTION_NONE, "search.hint.back" },
	{ ACTION_HELP, ACTION_NONE, "hint.help" },
};

static void
free_list(struct view_complaints *vl)
{
	complaint_list_free(vl->list, vl->n);
	free(vl->clock);
	free(vl->clock_kind);
	free(vl->central);
	vl->list = NULL;
	vl->clock = NULL;
	vl->clock_kind = NULL;
	vl->central = NULL;
	vl->n = 0;
}

static void
add_supplier(void *user, const char *supplier, int64_t count)
{
	struct view_complaints *vl = user;

	(void)count;
	for (int i = 0; i < vl->n_suppliers; i++)
		if (strcmp(vl->suppliers[i], supplier) == 0)
			return;
	if (supplier[0] != '\0' && vl->n_suppliers < SUPPLIERS_MAX)
		rd_strlcpy(vl->suppliers[vl->n_suppliers++], supplier, COMPLAINT_ID_MAX);
}

/* A supervisor sees every complaint: the central copy's (the complaint stream) that this
 * file does not hold, after its own. all grows; *n counts. */
static void
add_central(struct view_complaints *vl, const struct model *m, struct complaint ***all,
    size_t *n, size_t *cap, bool **central)
{
	for (size_t i = 0; i < m->n_complaints; i++) {
		struct complaint *c = complaint_decode(m->complaints[i]->record), *mine = NULL;
		if (c == NULL)
			continue;
		int here = complaint_store_find_uid(vl->db->st, complaint_field_str(c, CF_uid),
		    &mine);
		complaint_free(mine);
		if (here != 0) {
			complaint_free(c);
			continue;
		}
		add_supplier(vl, complaint_field_str(c, CF_supplier), 1);
		if (*n == *cap) {
			*cap = *cap ? 2 * *cap : 16;
			*all = xreallocarray(*all, *cap, sizeof **all);
			*central = xreallocarray(*central, *cap, sizeof **central);
		}
		c->id = 0;
		(*all)[*n] = c;
		(*central)[(*n)++] = true;
	}
}

/* The filters of q and the list's, on a record of the central copy. */
static bool
central_matches(const struct view_complaints *vl, const struct complaint_query *q,
    const struct complaint *c)
{
	if (q->states != 0 && !(q->states & (1u << c->state)))
		return false;
	if (q->handler != NULL && strcmp(complaint_field_str(c, CF_handler), q->handler) != 0)
		return false;
	if (q->supplier != NULL && strcmp(complaint_field_str(c, CF_supplier), q->supplier) != 0)
		return false;
	(void)vl;
	return true;
}

struct sort_row {
	struct complaint *c;
	struct complaint_clock ck;
	int kind;
	bool central;
};

/* nearest due first, those with no clock running last, newest first (as the store) */
static int
cmp_row(const void *x, const void *y)
{
	const struct sort_row *a = x, *b = y;
	if ((a->kind < 0) != (b->kind < 0))
		return a->kind < 0 ? 1 : -1;
	if (a->kind >= 0 && a->ck.due != b->ck.due)
		return a->ck.due < b->ck.due ? -1 : 1;
	if (a->c->received_at != b->c->received_at)
		return a->c->received_at > b->c->received_at ? -1 : 1;
	return strcmp(complaint_field_str(a->c, CF_uid), complaint_field_str(b->c, CF_uid));
}

/* What the complaint stream holds, in one number: a new complaint or version changes it. */
static int64_t
central_sig(const struct model *m)
{
	int64_t sig = (int64_t)m->n_complaints;
	for (size_t i = 0; i < m->n_complaints; i++)
		sig = sig * 31 + m->complaints[i]->version;
	return sig;
}

/* Read the list again with the filters. */
static void
load(struct view_complaints *vl, const struct model *m)
{
	struct complaint_query q = { 0 };
	struct complaint **all = NULL;
	struct complaint_clock ck;
	size_t n = 0, i, k = 0;
	int64_t id;
	int kind;
	char keep[COMPLAINT_ID_MAX];

	free_list(vl);
	vl->loaded = true;
	vl->central_sig = central_sig(m);
	vl->error[0] = '\0';
	if (vl->state >= 0)
		q.states = 1u << vl->state;
	else if (vl->state == STATE_OPEN)
		for (int s = 0; s < COMPLAINT_STATE_COUNT; s++)
			if (!complaint_state_final((enum complaint_state)s))
				q.states |= 1u << s;
	if (vl->mine)
		q.handler = m->user;
	/* the suppliers named by any complaint, for p; the one chosen stays chosen */
	keep[0] = '\0';
	if (vl->supplier >= 0)
		rd_strlcpy(keep, vl->suppliers[vl->supplier], sizeof keep);
	vl->n_suppliers = 0;
	vl->supplier = -1;
	complaint_store_count_by_supplier(vl->db->st, &(struct complaint_query){ 0 },
	    add_supplier, vl);
	for (int s = 0; keep[0] != '\0' && s < vl->n_suppliers; s++)
		if (strcmp(vl->suppliers[s], keep) == 0)
			vl->supplier = s;
	if (vl->supplier >= 0)
		q.supplier = vl->suppliers[vl->supplier];
	if (complaint_store_list(vl->db->st, &q, &all, &n) < 0) {
		snprintf(vl->error, sizeof vl->error, "%s", complaint_store_errmsg(vl->db->st));
		return;
	}
	size_t cap = n;
	bool *central = xcalloc(n + 1, sizeof *central);
	if (m->role == MODEL_ROLE_SUPERVISOR) {
		size_t local = n;
		add_central(vl, m, &all, &n, &cap, &central);
		/* a supplier chosen only now (the central copy's) filters those too */
		for (i = local; i < n; i++)
			if (!central_matches(vl, &q, all[i])) {
				complaint_free(all[i]);
				all[i] = NULL;
			}
	}
	struct sort_row *rows = xcalloc(n + 1, sizeof *rows);
	for (i = 0; i < n; i++) {
		if (all[i] == NULL)
			continue;
		kind = complaint_clock_nearest(all[i], vl->db->cd, m->now, &ck);
		if ((vl->due == DUE_RISK && (kind < 0 || ck.status < COMPLAINT_CLOCK_AMBER)) ||
		    (vl->due == DUE_LATE && (kind < 0 || ck.status != COMPLAINT_CLOCK_RED))) {
			complaint_free(all[i]);
			continue;
		}
		rows[k++] = (struct sort_row){ all[i], ck, kind, central[i] };
	}
	free(all);
	free(central);
	if (m->role == MODEL_ROLE_SUPERVISOR)
		qsort(rows, k, sizeof *rows, cmp_row);
	vl->list = xcalloc(k + 1, sizeof *vl->list);
	vl->clock = xcalloc(k + 1, sizeof *vl->clock);
	vl->clock_kind = xcalloc(k + 1, sizeof *vl->clock_kind);
	vl->central = xcalloc(k + 1, sizeof *vl->central);
	for (i = 0; i < k; i++) {
		vl->list[i] = rows[i].c;
		vl->clock[i] = rows[i].ck;
		vl->clock_kind[i] = rows[i].kind;
		vl->central[i] = rows[i].central;
	}
	free(rows);
	vl->n = k;
	vl->draft = complaint_store_draft_latest(vl->db->st, &id) == 1 && id == 0;
}

static size_t
rows_of(const struct view_complaints *vl)
{
	return vl->n + (vl->draft ? 1 : 0);
}

/* ---- drawing ---- */

struct row_ctx {
	const struct view_complaints *vl;
	const struct model *m;
};

static void
draw_row(void *ctx, struct vscreen *vs, int y, size_t i)
{
	const struct row_ctx *rc = ctx;
	const struct view_complaints *vl = rc->vl;
	const struct complaint *c;
	const struct complaint_clock *ck;
	int cols = vscreen_cols(vs), x = 2, kind;
	char due[64], left[16], name[48] = "";
	enum theme_role role = ROLE_NORMAL;
	const char *mark = " ";

	if (vl->draft && i == 0) {
		vscreen_put(vs, 0, y, ROLE_PENDING, 0, "\xe2\x9c\x8e", 1);	/* ✎ */
		vscreen_put_ellipsis(vs, x, y, ROLE_PENDING, 0, i18n_tr("complaints.draft"),
		    cols - x - 1);
		return;
	}
	i -= vl->draft ? 1 : 0;
	c = vl->list[i];
	ck = &vl->clock[i];
	kind = vl->clock_kind[i];
	due[0] = '\0';
	if (kind >= 0) {
		char when[32];

		complaint_time_format(when, sizeof when, ck->due);
		model_fmt_minutes(ck->due - rc->m->now, left, sizeof left);
		/* what is left first: a narrow column cuts the clock's name, not the time */
		snprintf(due, sizeof due, "%s %.11s", left, strlen(when) >= 16 ? when + 5 : when);
		rd_strlcpy(name, i18n_tr(complaint_clock_key((enum complaint_clock_kind)kind)),
		    sizeof name);
		if (ck->status == COMPLAINT_CLOCK_RED) {
			role = ROLE_LATE;
			mark = THEME_MARK_RED;
		} else if (ck->status == COMPLAINT_CLOCK_AMBER) {
			role = ROLE_WARN;
			mark = THEME_MARK_AMBER;
		}
	}
	/* a version the broker refused: marked, with whose version it holds and when */
	const struct complaint_conflict *cf = complaint_sync_conflict(complaint_field_str(c,
	    CF_uid));
	if (cf != NULL) {
		char when[32];
		complaint_time_format(when, sizeof when, cf->at);
		if (cf->refused != PROTO_E_CONFLICT)
			snprintf(due, sizeof due, "%s", i18n_tr("complaints.refused"));
		else
			snprintf(due, sizeof due, "%s %s %" PRId64 " %s %.11s",
			    i18n_tr("complaints.conflict"), i18n_tr("complaints.version"),
			    cf->theirs, cf->by, strlen(when) >= 16 ? when + 5 : when);
		role = ROLE_LATE;
		mark = "!";
	}
	vscreen_put(vs, 0, y, role, 0, mark, 1);
	x += vscreen_put_pad(vs, x, y, vl->central[i] ? ROLE_DIM : ROLE_NORMAL, 0, c->number,
	    COL_NUMBER) + 1;
	x += vscreen_put_pad(vs, x, y, ROLE_NORMAL, 0,
	    i18n_tr(complaint_state_key((enum complaint_state)c->state)), COL_STATE) + 1;
	x += vscreen_put_pad(vs, x, y, ROLE_NORMAL, 0, c->name, COL_NAME) + 1;
	x += vscreen_put_pad(vs, x, y, ROLE_DIM, 0, c->supplier, supplier_cols(cols)) + 1;
	x += vscreen_put_pad(vs, x, y, ROLE_DIM, 0, c->handler, COL_HANDLER) + 1;
	if (x < cols - 1) {
		int w = text_width(due);

		vscreen_put_ellipsis(vs, x, y, role, 0, due, cols - 1 - x);
		x += w < cols - 1 - x ? w : cols - 1 - x;
	}
	/* the clock's name where it has room for a word's start, never cutting the time */
	if (name[0] != '\0' && x + 3 < cols - 1)
		vscreen_put_ellipsis(vs, x + 1, y, role, 0, name, cols - 2 - x);
}

static void
complaints_draw(struct view *v, const struct model *m, struct vscreen *vs,
    const struct theme *th)
{
	struct view_complaints *vl = (struct view_complaints *)v;
	int cols = vscreen_cols(vs), rows = vscreen_rows(vs), y, ysel, late = 0, risk = 0;
	char title[256], right[128], filter[512];
	const char *state;

	(void)th;
	if (view_too_small(cols, rows)) {
		view_draw_too_small(vs);
		return;
	}
	/* a supervisor's list follows the complaint stream while it is open */
	if (!vl->loaded || (m->role == MODEL_ROLE_SUPERVISOR && central_sig(m) != vl->central_sig))
		load(vl, m);
	vscreen_fill(vs, 0, 0, cols, rows, ROLE_NORMAL, 0, L' ');
	for (size_t i = 0; i < vl->n; i++) {
		late += vl->clock_kind[i] >= 0 && vl->clock[i].status == COMPLAINT_CLOCK_RED;
		risk += vl->clock_kind[i] >= 0 && vl->clock[i].status == COMPLAINT_CLOCK_AMBER;
	}
	snprintf(title, sizeof title, "%s \xe2\x94\x82 %s", i18n_tr("app.name"),
	    i18n_tr("complaints.title"));
	snprintf(right, sizeof right, "%zu \xc2\xb7 %s %d \xc2\xb7 %s %d", vl->n,
	    i18n_tr("complaints.late"), late, i18n_tr("complaints.risk"), risk);
	chrome_title(vs, m, title, right);
	y = chrome_body_top(vs, m);
	if (chrome_banner_needed(m))
		chrome_banner(vs, 1, m);
	state = vl->state == STATE_ALL ? i18n_tr("complaints.all") : vl->state == STATE_OPEN ?
	    i18n_tr("complaints.open") : i18n_tr(complaint_state_key((enum complaint_state)vl->state));
	snprintf(filter, sizeof filter, "%s %s \xc2\xb7 %s %s \xc2\xb7 %s %s \xc2\xb7 %s %s",
	    i18n_tr("complaints.f.state"), state, i18n_tr("complaints.f.handler"),
	    i18n_tr(vl->mine ? "complaints.mine" : "complaints.all"), i18n_tr("complaints.f.due"),
	    i18n_tr(vl->due == DUE_LATE ? "complaints.due_late" : vl->due == DUE_RISK ?
	    "complaints.due_risk" : "complaints.all"), i18n_tr("complaints.f.supplier"),
	    vl->supplier >= 0 ? vl->suppliers[vl->supplier] : i18n_tr("complaints.all"));
	vscreen_put_ellipsis(vs, 1, y++, ROLE_DIM, 0, filter, cols - 2);
	if (m->role == MODEL_ROLE_SUPERVISOR) {
		/* what each supplier has in the list shown, most first */
		char line[512];
		int cnt[SUPPLIERS_MAX + 1] = { 0 }, none = 0;
		size_t len = (size_t)snprintf(line, sizeof line, "%s",
		    i18n_tr("complaints.by_supplier"));
		for (size_t i = 0; i < vl->n; i++) {
			int s = -1;
			for (int j = 0; j < vl->n_suppliers; j++)
				if (strcmp(vl->suppliers[j], complaint_field_str(vl->list[i],
				    CF_supplier)) == 0)
					s = j;
			if (s < 0)
				none++;
			else
				cnt[s]++;
		}
		for (int shown = 0; shown < vl->n_suppliers && len < sizeof line; shown++) {
			int best = -1;
			for (int j = 0; j < vl->n_suppliers; j++)
				if (cnt[j] > 0 && (best < 0 || cnt[j] > cnt[best]))
					best = j;
			if (best < 0)
				break;
			len += (size_t)snprintf(line + len, sizeof line - len, " %s %d \xc2\xb7",
			    vl->suppliers[best], cnt[best]);
			cnt[best] = 0;
		}
		if (len < sizeof line)
			snprintf(line + len, sizeof line - len, " %s %d",
			    i18n_tr("complaints.no_supplier"), none);
		vscreen_put_ellipsis(vs, 1, y++, ROLE_DIM, 0, line, cols - 2);
	}
	/* the column heads */
	{
		static const char *const heads[] = { "complaints.col.number",
			"complaints.col.state", "complaints.col.name", "complaints.col.supplier",
			"complaints.col.handler", "complaints.col.due" };
		const int widths[] = { COL_NUMBER, COL_STATE, COL_NAME, supplier_cols(cols),
			COL_HANDLER, cols - 1 - (2 + COL_NUMBER + 1 + COL_STATE + 1 + COL_NAME +
			1 + supplier_cols(cols) + 1 + COL_HANDLER + 1) };
		int x = 2;

		/* a head cut short says so ("Suppl…"), as the rows do */
		for (size_t i = 0; i < ARRAY_LEN(heads); i++) {
			vscreen_put_ellipsis(vs, x, y, ROLE_HEADER, 0, i18n_tr(heads[i]), widths[i]);
			x += widths[i] + 1;
		}
		y++;
	}
	vl->list_rows = chrome_body_end(vs) - y > 0 ? chrome_body_end(vs) - y : 1;
	ysel = view_list_draw(vs, &(struct view_list){ .y = y, .y1 = chrome_body_end(vs),
	    .n = rows_of(vl), .sel = vl->sel, .top = &vl->top, .keep_mark = true,
	    .empty = vl->error[0] != '\0' ? vl->error : i18n_tr("complaints.none"),
	    .empty_role = vl->error[0] != '\0' ? ROLE_ERROR : ROLE_DIM, .draw = draw_row,
	    .ctx = &(struct row_ctx){ vl, m } });
	vscreen_set_cursor(vs, 0, ysel >= 0 ? ysel : y, false);
	chrome_status(vs, rows - 2, m);
	chrome_message(vs, rows - 1, m, hints, (int)ARRAY_LEN(hints));
}

/* ---- keys ---- */

/* complaint.get's answer for a row of the central copy: the raw record goes into this
 * console's file (its history says central), the row becomes the file's, and Enter opens
 * it as any other. */
static void
on_central(struct model *m, void *ctx, const struct proto_reply *r,
    const struct proto_error *err)
{
	struct view_complaints *vl = ctx;
	struct complaint *c = NULL;
	int64_t id = 0;

	(void)err;
	if (r == NULL || !r->ok || r->n_complaints != 1 ||
	    (c = complaint_decode(r->complaints[0].record)) == NULL) {
		model_message(m, true, "%s", i18n_tr("complaint.msg.fetch_failed"));
		return;
	}
	if (complaint_store_adopt(vl->db->st, c, vl->db->cd, m->now, &id) != 0)
		model_message(m, true, "%s%s%s", i18n_tr("complaint.msg.open_failed"),
		    present_colon(), complaint_store_errmsg(vl->db->st));
	else
		model_message(m, false, "%s", i18n_tr("complaint.msg.fetched"));
	complaint_free(c);
	vl->loaded = false;
}

static unsigned
complaints_key(struct view *v, struct model *m, const struct key *k, enum keymap_action a)
{
	struct view_complaints *vl = (struct view_complaints *)v;
	size_t n = rows_of(vl);

	if (view_sel_move(&vl->sel, n, (size_t)vl->list_rows, a)) {
		if (n > 0 && vl->sel >= n)
			vl->sel = n - 1;
		return UI_HANDLED | UI_REDRAW;
	}
	switch (a) {
	case ACTION_OPEN:
		if (n == 0)
			return UI_HANDLED;
		if (!(vl->draft && vl->sel == 0) && vl->central[vl->sel - (vl->draft ? 1 : 0)]) {
			/* the central copy's, masked: fetched raw (on_central), then opened as
			 * any other */
			struct proto_complaint_get g = { .present = 0 };
			struct model_request rq = { .op = PROTO_MSG_complaint_get, .args = &g,
				.on_reply = on_central, .ctx = vl, .owner = vl };
			PROTO_STRSET(g.uid, complaint_field_str(vl->list[vl->sel - (vl->draft ?
			    1 : 0)], CF_uid));
			PROTO_SET(&g, complaint_get, uid);
			if (model_request(m, &rq, NULL) != 0)
				model_message(m, true, "%s", i18n_tr("complaint.msg.fetch_failed"));
			return UI_HANDLED | UI_REDRAW;
		} else
			v->open.complaint = vl->draft && vl->sel == 0 ? 0 :
			    vl->list[vl->sel - (vl->draft ? 1 : 0)]->id;
		vl->loaded = false;	/* read again when back */
		return view_want(v, VIEW_COMPLAINT, 0, ACTION_OPEN);
	case ACTION_COMPLAINT_NEW:
		v->open.complaint = 0;
		vl->loaded = false;
		return view_want(v, VIEW_COMPLAINT, 0, ACTION_NONE);
	case ACTION_COMPLAINT_STATE:
		vl->state = vl->state + 1 >= COMPLAINT_STATE_COUNT ? STATE_ALL : vl->state + 1;
		break;
	case ACTION_COMPLAINT_MINE:
		vl->mine = !vl->mine;
		break;
	case ACTION_COMPLAINT_DUE:
		vl->due = (enum due_filter)((vl->due + 1) % DUE_COUNT);
		break;
	case ACTION_COMPLAINT_SUPPLIER:
		vl->supplier = vl->supplier + 1 >= vl->n_suppliers ? -1 : vl->supplier + 1;
		break;
	case ACTION_BACK:
		return UI_HANDLED | UI_CLOSE;
	case ACTION_REDRAW:
		vl->loaded = false;
		return UI_NONE;
	default:
		return UI_NONE;
	}
	load(vl, m);
	vl->sel = 0;
	vl->top = 0;
	return UI_HANDLED | UI_REDRAW;
}

/* Back on top after a complaint was saved or closed: read the list again. */
static void
complaints_refresh(struct view *v, struct model *m)
{
	struct view_complaints *vl = (struct view_complaints *)v;

	if (!vl->loaded)
		load(vl, m);
	if (vl->sel >= rows_of(vl))
		vl->sel = rows_of(vl) > 0 ? rows_of(vl) - 1 : 0;
}

static void
complaints_destroy(struct view *v)
{
	struct view_complaints *vl = (struct view_complaints *)v;

	free_list(vl);
	complaint_db_release();
	free(vl);
}

static const struct view_ops complaints_ops = {
	.name = "complaints",
	.draw = complaints_draw,
	.key = complaints_key,
	.destroy = complaints_destroy,
	.refresh = complaints_refresh,
};

struct view *
view_complaints_create(struct model *m)
{
	struct view_complaints *vl;
	char *cause = NULL;
	const struct complaint_db *db = complaint_db_open(m->user, &cause);

	if (db == NULL) {
		model_message(m, true, "%s%s%s", i18n_tr("complaint.msg.open_failed"),
		    present_colon(), cause != NULL ? cause : "?");
		free(cause);
		return NULL;
	}
	vl = xcalloc(1, sizeof *vl);
	vl->view.ops = &complaints_ops;
	vl->view.scope = SCOPE_COMPLAINTS;
	vl->db = db;
	vl->state = STATE_OPEN;
	vl->supplier = -1;
	load(vl, m);
	return &vl->view;
}
