/* view-suppliers.c: the suppliers' board (see view-suppliers.h). */
#include "view-suppliers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "boards.h"
#include "chrome.h"
#include "i18n.h"
#include "model.h"
#include "present.h"
#include "tally.h"
#include "util.h"

#define NAME_W 12
#define NAME_WIDE 28		/* the supplier's width from 120 columns */
#define WIDE_COLS 120

static const struct {
	const char *head;
	int width;
} cols_def[VSUP_COL_COUNT] = {
	[VSUP_NAME] = { "sup.col.supplier", NAME_W },
	[VSUP_TRUCKS] = { "sup.col.trucks", 4 },
	[VSUP_FREE] = { "sup.col.free", 4 },
	[VSUP_BUSY] = { "sup.col.busy", 4 },
	[VSUP_OFFERS] = { "sup.col.offers", 5 },
	[VSUP_ACCEPT_PCT] = { "sup.col.accept_pct", 5 },
	[VSUP_DECLINES] = { "sup.col.declines", 5 },
	[VSUP_TIMEOUTS] = { "sup.col.timeouts", 5 },
	[VSUP_ACCEPT_MEDIAN] = { "sup.col.accept_median", 8 },
	[VSUP_LATE_PCT] = { "sup.col.late_pct", 5 },
	[VSUP_RESPONSE] = { "sup.col.response", 6 },
	[VSUP_COMPLAINTS] = { "sup.col.complaints", 5 },
};

enum mode { MODE_BOARD, MODE_TRUCKS };

struct view_suppliers {
	struct view view;	/* first member */
	struct boards bd;
	enum mode mode;
	enum view_suppliers_col sort;
	size_t sel, top, tsel, ttop;
	char sel_id[33];	/* the selected supplier, followed across refreshes */
	int list_rows;
};

static const struct view_hint board_hints[] = {
	{ ACTION_OPEN, ACTION_NONE, "sup.hint.trucks" },
	{ ACTION_SORT_PREV, ACTION_SORT_NEXT, "boards.hint.sort" },
	{ ACTION_BACK, ACTION_NONE, "kpi.hint.back" },
	{ ACTION_HELP, ACTION_NONE, "hint.help" },
};

static const struct view_hint truck_hints[] = {
	{ ACTION_OPEN, ACTION_NONE, "sup.hint.job" },
	{ ACTION_BACK, ACTION_NONE, "sup.hint.back" },
	{ ACTION_HELP, ACTION_NONE, "hint.help" },
};

/* ---------------------------------------------------------------- sorting */

/* A column's sort value: larger first (shares in parts per million; absent lowest). */
static int64_t
sort_value(const struct proto_board_supplier *s, enum view_suppliers_col c)
{
	double x;
	switch (c) {
	case VSUP_TRUCKS: return s->trucks;
	case VSUP_FREE: return s->free;
	case VSUP_BUSY: return s->busy;
	case VSUP_OFFERS: return s->offers;
	case VSUP_ACCEPT_PCT:
		return tally_share(s->accepted, s->offers, &x) ? (int64_t)(x * 1e6) : -1;
	case VSUP_DECLINES: return s->declines;
	case VSUP_TIMEOUTS: return s->timeouts;
	case VSUP_ACCEPT_MEDIAN:
		return PROTO_HAS(s, board_supplier, accept_median_s) ? s->accept_median_s : -1;
	case VSUP_LATE_PCT:
		return tally_share(s->late, s->arrived, &x) ? (int64_t)(x * 1e6) : -1;
	case VSUP_RESPONSE:
		return PROTO_HAS(s, board_supplier, response_s) ? s->response_s : -1;
	case VSUP_COMPLAINTS: return s->complaints;
	case VSUP_NAME:
	case VSUP_COL_COUNT:
		break;
	}
	return 0;
}

/* qsort's context: one sort at a time */
static enum view_suppliers_col sort_col;
static const struct data *sort_data;

/* By the name shown (the data's, in the locale's order), not the id: the ids do not
 * follow the names ("xiangjiang" is 长沙湘江…), so an order by id looks like none. */
static int
cmp_names(const struct proto_board_supplier *a, const struct proto_board_supplier *b)
{
	int c = strcoll(present_supplier(sort_data, NULL, a->supplier),
	    present_supplier(sort_data, NULL, b->supplier));
	return c != 0 ? c : strcmp(a->supplier, b->supplier);
}

static int
cmp_rows(const void *va, const void *vb)
{
	const struct proto_board_supplier *a = *(const struct proto_board_supplier *const *)va;
	const struct proto_board_supplier *b = *(const struct proto_board_supplier *const *)vb;
	if (sort_col != VSUP_NAME) {
		int64_t x = sort_value(a, sort_col), y = sort_value(b, sort_col);
		if (x != y)
			return x > y ? -1 : 1;
	}
	return cmp_names(a, b);
}

/* The rows in the order shown (caller frees). */
static const struct proto_board_supplier **
sorted_rows(const struct view_suppliers *vs, const struct model *m)
{
	const struct proto_board_supplier **r = xcalloc(vs->bd.n_sup + 1, sizeof *r);
	for (size_t i = 0; i < vs->bd.n_sup; i++)
		r[i] = &vs->bd.sup[i];
	sort_col = vs->sort;
	sort_data = m->data;
	qsort(r, vs->bd.n_sup, sizeof *r, cmp_rows);
	return r;
}

/* Keep the selection on its supplier. */
static void
follow(struct view_suppliers *v, const struct proto_board_supplier **r, size_t n)
{
	for (size_t i = 0; v->sel_id[0] != '\0' && i < n; i++)
		if (strcmp(r[i]->supplier, v->sel_id) == 0)
			v->sel = i;
	if (v->sel >= n)
		v->sel = n > 0 ? n - 1 : 0;
	if (n > 0)
		rd_strlcpy(v->sel_id, r[v->sel]->supplier, sizeof v->sel_id);
}

/* ---------------------------------------------------------------- the supplier's trucks */

static const struct proto_truck **
trucks_of(const struct model *m, const char *supplier, size_t *n)
{
	const struct proto_truck **t = xcalloc(m->n_trucks + 1, sizeof *t);
	*n = 0;
	for (size_t i = 0; i < m->n_trucks; i++)
		if (strcmp(m->trucks[i]->supplier, supplier) == 0)
			t[(*n)++] = m->trucks[i];
	return t;
}

/* ---------------------------------------------------------------- drawing */

struct layout {
	int x[VSUP_COL_COUNT], w[VSUP_COL_COUNT];
};

static void
lay_out(struct layout *l, int cols)
{
	int x = 0;
	for (int i = 0; i < VSUP_COL_COUNT; i++) {
		l->w[i] = cols_def[i].width;
		if (i == VSUP_NAME && cols >= WIDE_COLS)
			l->w[i] = NAME_WIDE;
		l->x[i] = x;
		x += l->w[i] + 1;
	}
}

struct draw_ctx {
	const struct layout *l;
	const struct model *m;
	const struct proto_board_supplier **r;
	const struct proto_truck **t;
	enum view_suppliers_col sort;
};

static void
board_row(void *ctx, struct vscreen *vs, int y, size_t i)
{
	struct draw_ctx *c = ctx;
	const struct proto_board_supplier *s = c->r[i];
	char cell[VSUP_COL_COUNT][32];

	vscreen_fill(vs, 0, y, vscreen_cols(vs), 1, ROLE_NORMAL, 0, L' ');
	snprintf(cell[VSUP_TRUCKS], 32, "%lld", (long long)s->trucks);
	snprintf(cell[VSUP_FREE], 32, "%lld", (long long)s->free);
	snprintf(cell[VSUP_BUSY], 32, "%lld", (long long)s->busy);
	snprintf(cell[VSUP_OFFERS], 32, "%lld", (long long)s->offers);
	boards_fmt_pct(s->accepted, s->offers, cell[VSUP_ACCEPT_PCT], 32);
	snprintf(cell[VSUP_DECLINES], 32, "%lld", (long long)s->declines);
	snprintf(cell[VSUP_TIMEOUTS], 32, "%lld", (long long)s->timeouts);
	boards_fmt_secs(PROTO_HAS(s, board_supplier, accept_median_s), s->accept_median_s,
	    cell[VSUP_ACCEPT_MEDIAN], 32);
	boards_fmt_pct(s->late, s->arrived, cell[VSUP_LATE_PCT], 32);
	if (PROTO_HAS(s, board_supplier, response_s))
		model_fmt_minutes(s->response_s * 1000, cell[VSUP_RESPONSE], 32);
	else
		snprintf(cell[VSUP_RESPONSE], 32, "-");
	snprintf(cell[VSUP_COMPLAINTS], 32, "%lld", (long long)s->complaints);
	vscreen_put_pad(vs, c->l->x[VSUP_NAME], y, ROLE_NORMAL, 0,
	    s->supplier[0] != '\0' ? present_supplier(c->m->data, NULL, s->supplier) :
	    i18n_tr("sup.unknown"), c->l->w[VSUP_NAME]);
	for (int k = VSUP_TRUCKS; k < VSUP_COL_COUNT; k++) {
		enum theme_role role = strcmp(cell[k], "-") == 0 ? ROLE_DIM : ROLE_NORMAL;
		if (k == VSUP_LATE_PCT && s->late > 0)
			role = ROLE_WARN;
		if (k == VSUP_TIMEOUTS && s->timeouts > 0)
			role = ROLE_WARN;
		vscreen_put_right(vs, c->l->x[k], y, role, 0, cell[k], c->l->w[k]);
	}
}

static void
truck_row(void *ctx, struct vscreen *vs, int y, size_t i)
{
	struct draw_ctx *c = ctx;
	const struct proto_truck *k = c->t[i];
	char job[32], line[128];
	int x = 1;

	vscreen_fill(vs, 0, y, vscreen_cols(vs), 1, ROLE_NORMAL, 0, L' ');
	vscreen_put_pad(vs, x, y, ROLE_NORMAL, THEME_BOLD, k->id, 12);
	x += 13;
	vscreen_put_pad(vs, x, y, ROLE_NORMAL, 0, present_kind(k->kind), 12);
	x += 13;
	vscreen_put_pad(vs, x, y, strcmp(k->status, "available") == 0 ? ROLE_OK : ROLE_NORMAL,
	    0, present_truck_status(k->status), 12);
	x += 13;
	if (PROTO_HAS(k, truck, ticket) && k->ticket > 0) {
		const struct proto_ticket *t = model_ticket(c->m, k->ticket);
		snprintf(job, sizeof job, "#%lld", (long long)k->ticket);
		x += vscreen_put_pad(vs, x, y, ROLE_NORMAL, 0, job, 8) + 1;
		if (t != NULL) {
			snprintf(line, sizeof line, "%s  %s", present_state(t->state),
			    present_region(c->m->data, t->region));
			vscreen_put_ellipsis(vs, x, y, ROLE_DIM, 0, line, vscreen_cols(vs) - x - 1);
		}
	} else {
		vscreen_put(vs, x, y, ROLE_DIM, 0, "-", 1);
	}
}

/* The header; the sort column's head is drawn selected. */
static void
draw_head_row(struct vscreen *vs, const struct layout *l, int y, enum view_suppliers_col sort)
{
	vscreen_fill(vs, 0, y, vscreen_cols(vs), 1, ROLE_HEADER, 0, L' ');
	for (int k = 0; k < VSUP_COL_COUNT; k++) {
		bool sorted = (enum view_suppliers_col)k == sort;
		enum theme_role role = sorted ? ROLE_SELECTED : ROLE_HEADER;
		const char *head = i18n_tr(cols_def[k].head);
		if (k == VSUP_NAME)
			vscreen_put_pad(vs, l->x[k], y, role, THEME_BOLD, head, l->w[k]);
		else
			vscreen_put_right(vs, l->x[k], y, role, sorted ? THEME_BOLD : 0, head,
			    l->w[k]);
	}
}

static void
sup_draw(struct view *v, const struct model *m, struct vscreen *vs, const struct theme *th)
{
	struct view_suppliers *sv = (struct view_suppliers *)v;
	int cols = vscreen_cols(vs), rows = vscreen_rows(vs), y, y1, ysel;
	char left[256], right[128];
	struct layout l;

	(void)th;
	if (view_too_small(cols, rows)) {
		view_draw_too_small(vs);
		return;
	}
	const struct proto_board_supplier **r = sorted_rows(sv, m);
	follow(sv, r, sv->bd.n_sup);
	vscreen_fill(vs, 0, 0, cols, rows, ROLE_NORMAL, 0, L' ');
	snprintf(left, sizeof left, "%s \xe2\x94\x82 %s", i18n_tr("app.name"),
	    i18n_tr("sup.title"));
	boards_title(&sv->bd, m, right, sizeof right);
	chrome_title(vs, m, left, right[0] != '\0' ? right : NULL);
	if (chrome_banner_needed(m))
		chrome_banner(vs, 1, m);
	y = chrome_body_top(vs, m);
	y1 = chrome_body_end(vs);
	lay_out(&l, cols);
	const char *empty = sv->bd.failed[0] != '\0' ? sv->bd.failed :
	    i18n_tr(sv->bd.held ? "sup.none" : "boards.loading");
	if (sv->mode == MODE_BOARD) {
		snprintf(right, sizeof right, "%zu", sv->bd.n_sup);
		chrome_section(vs, 0, y++, cols, i18n_tr("sup.section"), right);
		draw_head_row(vs, &l, y++, sv->sort);
		sv->list_rows = y1 - y > 0 ? y1 - y : 1;
		ysel = view_draw_list(vs, y, y1, sv->bd.n_sup, sv->sel, &sv->top, empty,
		    sv->bd.failed[0] != '\0' ? ROLE_ERROR : ROLE_DIM, board_row,
		    &(struct draw_ctx){ .l = &l, .m = m, .r = r, .sort = sv->sort });
		chrome_status(vs, rows - 2, m);
		chrome_message(vs, rows - 1, m, board_hints, (int)ARRAY_LEN(board_hints));
	} else {
		size_t n;
		const struct proto_truck **t = trucks_of(m, sv->sel_id, &n);
		snprintf(right, sizeof right, "%zu", n);
		snprintf(left, sizeof left, "%s%s%s", i18n_tr("sup.section.trucks"),
		    present_colon(), sv->sel_id[0] != '\0' ?
		    present_supplier(m->data, NULL, sv->sel_id) : i18n_tr("sup.unknown"));
		chrome_section(vs, 0, y++, cols, left, right);
		vscreen_fill(vs, 0, y, cols, 1, ROLE_HEADER, 0, L' ');
		vscreen_put_pad(vs, 1, y, ROLE_HEADER, 0, i18n_tr("board.col.truck"), 12);
		vscreen_put_pad(vs, 14, y, ROLE_HEADER, 0, i18n_tr("sup.col.kind"), 12);
		vscreen_put_pad(vs, 27, y, ROLE_HEADER, 0, i18n_tr("sup.col.status"), 12);
		vscreen_put_pad(vs, 40, y, ROLE_HEADER, 0, i18n_tr("sup.col.job"), 20);
		y++;
		sv->list_rows = y1 - y > 0 ? y1 - y : 1;
		if (sv->tsel >= n)
			sv->tsel = n > 0 ? n - 1 : 0;
		ysel = view_draw_list(vs, y, y1, n, sv->tsel, &sv->ttop, i18n_tr("sup.no_trucks"),
		    ROLE_DIM, truck_row, &(struct draw_ctx){ .l = &l, .m = m, .t = t });
		free(t);
		chrome_status(vs, rows - 2, m);
		chrome_message(vs, rows - 1, m, truck_hints, (int)ARRAY_LEN(truck_hints));
	}
	free(r);
	vscreen_set_cursor(vs, 0, ysel >= 0 ? ysel : y, false);
}

/* ---------------------------------------------------------------- keys */

static unsigned
trucks_key(struct view_suppliers *sv, struct model *m, enum keymap_action a)
{
	size_t n, page = sv->list_rows > 1 ? (size_t)sv->list_rows - 1 : 1;
	const struct proto_truck **t = trucks_of(m, sv->sel_id, &n);
	unsigned r = UI_HANDLED | UI_REDRAW;

	if (a == ACTION_BACK) {
		sv->mode = MODE_BOARD;
	} else if (view_sel_move(&sv->tsel, n, page, a)) {
		if (n > 0 && sv->tsel >= n)
			sv->tsel = n - 1;
	} else if (a == ACTION_OPEN) {
		if (n > 0 && sv->tsel < n && PROTO_HAS(t[sv->tsel], truck, ticket) &&
		    t[sv->tsel]->ticket > 0)
			r = view_want(&sv->view, VIEW_DETAIL, t[sv->tsel]->ticket, ACTION_NONE);
		else
			model_message(m, false, "%s", i18n_tr("sup.no_job"));
	} else {
		r = UI_NONE;
	}
	free(t);
	return r;
}

static unsigned
sup_key(struct view *v, struct model *m, const struct key *k, enum keymap_action a)
{
	struct view_suppliers *sv = (struct view_suppliers *)v;
	size_t n = sv->bd.n_sup, page = sv->list_rows > 1 ? (size_t)sv->list_rows - 1 : 1;

	(void)k;
	if (sv->mode == MODE_TRUCKS)
		return trucks_key(sv, m, a);
	const struct proto_board_supplier **r = sorted_rows(sv, m);
	follow(sv, r, n);
	unsigned ret = UI_HANDLED | UI_REDRAW;
	if (a == ACTION_BACK) {
		ret = UI_HANDLED | UI_CLOSE;
	} else if (view_sel_move(&sv->sel, n, page, a)) {
		if (n > 0 && sv->sel >= n)
			sv->sel = n - 1;
		if (n > 0)
			rd_strlcpy(sv->sel_id, r[sv->sel]->supplier, sizeof sv->sel_id);
	} else if (a == ACTION_SORT_NEXT || a == ACTION_SORT_PREV) {
		sv->sort = (enum view_suppliers_col)((sv->sort + (a == ACTION_SORT_NEXT ? 1 :
		    VSUP_COL_COUNT - 1)) % VSUP_COL_COUNT);
	} else if (a == ACTION_OPEN) {
		if (n > 0) {
			sv->mode = MODE_TRUCKS;
			sv->tsel = sv->ttop = 0;
		}
	} else {
		ret = UI_NONE;
	}
	free(r);
	return ret;
}

static void
sup_refresh(struct view *v, struct model *m)
{
	struct view_suppliers *sv = (struct view_suppliers *)v;
	boards_poll(&sv->bd, m, sv);
}

static void
sup_destroy(struct view *v)
{
	struct view_suppliers *sv = (struct view_suppliers *)v;
	boards_finish(&sv->bd);
	free(sv);
}

static const struct view_ops sup_ops = {
	.name = "suppliers",
	.draw = sup_draw,
	.key = sup_key,
	.destroy = sup_destroy,
	.refresh = sup_refresh,
};

struct view *
view_suppliers_create(struct model *m)
{
	struct view_suppliers *sv = xcalloc(1, sizeof *sv);
	sv->view.ops = &sup_ops;
	sv->view.scope = SCOPE_BOARDS;
	sv->list_rows = 1;
	boards_poll(&sv->bd, m, sv);
	return &sv->view;
}

enum view_suppliers_col
view_suppliers_sort(const struct view *v)
{
	return ((const struct view_suppliers *)v)->sort;
}
