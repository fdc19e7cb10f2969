/* view-complaints.c: the list of complaints (see view-complaints.h). */
#include "view-complaints.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chrome.h"
#include "complaint-db.h"
#include "complaint-store.h"
#include "complaint.h"
#include "i18n.h"
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
#define COL_SUPPLIER 6
#define COL_HANDLER 8

struct view_complaints {
	struct view view;		/* first member */
	const struct complaint_db *db;
	struct complaint **list;	/* as loaded, filtered by due (owned) */
	size_t n;
	struct complaint_clock *clock;	/* [n]: the nearest running clock of each */
	int *clock_kind;		/* [n]: its kind, -1 none */
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
	vl->list = NULL;
	vl->clock = NULL;
	vl->clock_kind = NULL;
	vl->n = 0;
}

static void
add_supplier(void *user, const char *supplier, int64_t count)
{
	struct view_complaints *vl = user;

	(void)count;
	if (supplier[0] != '\0' && vl->n_suppliers < SUPPLIERS_MAX)
		rd_strlcpy(vl->suppliers[vl->n_suppliers++], supplier, COMPLAINT_ID_MAX);
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
	vl->list = xcalloc(n + 1, sizeof *vl->list);
	vl->clock = xcalloc(n + 1, sizeof *vl->clock);
	vl->clock_kind = xcalloc(n + 1, sizeof *vl->clock_kind);
	for (i = 0; i < n; i++) {
		kind = complaint_clock_nearest(all[i], vl->db->cd, m->now, &ck);
		if ((vl->due == DUE_RISK && (kind < 0 || ck.status < COMPLAINT_CLOCK_AMBER)) ||
		    (vl->due == DUE_LATE && (kind < 0 || ck.status != COMPLAINT_CLOCK_RED))) {
			complaint_free(all[i]);
			continue;
		}
		vl->list[k] = all[i];
		vl->clock[k] = ck;
		vl->clock_kind[k++] = kind;
	}
	free(all);
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
	char due[64], left[16];
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
		snprintf(due, sizeof due, "%s %.11s %s", left, strlen(when) >= 16 ? when + 5 :
		    when, i18n_tr(complaint_clock_key((enum complaint_clock_kind)kind)));
		if (ck->status == COMPLAINT_CLOCK_RED) {
			role = ROLE_LATE;
			mark = THEME_MARK_RED;
		} else if (ck->status == COMPLAINT_CLOCK_AMBER) {
			role = ROLE_WARN;
			mark = THEME_MARK_AMBER;
		}
	}
	vscreen_put(vs, 0, y, role, 0, mark, 1);
	x += vscreen_put_pad(vs, x, y, ROLE_NORMAL, 0, c->number, COL_NUMBER) + 1;
	x += vscreen_put_pad(vs, x, y, ROLE_NORMAL, 0,
	    i18n_tr(complaint_state_key((enum complaint_state)c->state)), COL_STATE) + 1;
	x += vscreen_put_pad(vs, x, y, ROLE_NORMAL, 0, c->name, COL_NAME) + 1;
	x += vscreen_put_pad(vs, x, y, ROLE_DIM, 0, c->supplier, COL_SUPPLIER) + 1;
	x += vscreen_put_pad(vs, x, y, ROLE_DIM, 0, c->handler, COL_HANDLER) + 1;
	if (x < cols - 1)
		vscreen_put_ellipsis(vs, x, y, role, 0, due, cols - 1 - x);
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
	if (!vl->loaded)
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
	/* the column heads */
	{
		static const char *const heads[] = { "complaints.col.number",
			"complaints.col.state", "complaints.col.name", "complaints.col.supplier",
			"complaints.col.handler", "complaints.col.due" };
		static const int widths[] = { COL_NUMBER, COL_STATE, COL_NAME, COL_SUPPLIER,
			COL_HANDLER, 40 };
		int x = 2;

		for (size_t i = 0; i < ARRAY_LEN(heads); i++) {
			vscreen_put(vs, x, y, ROLE_HEADER, 0, i18n_tr(heads[i]), widths[i]);
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
