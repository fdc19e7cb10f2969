/* boards.c: the supervisors' boards' data, header counts and trends, and the sortable
 * board view the suppliers' and agents' boards share (boards.h). */
#include "boards.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chrome.h"
#include "data.h"
#include "i18n.h"
#include "model-request.h"
#include "model.h"
#include "own.h"
#include "plot.h"
#include "present.h"
#include "spark.h"
#include "tally.h"
#include "text.h"
#include "track.h"
#include "util.h"
#include "view.h"
#include "vscreen.h"

#define TREND_LABEL_W 12	/* a trend line's label, padded */

static void *
dup_array(const void *p, size_t n, size_t size)
{
	if (n == 0)
		return NULL;
	void *q = xcalloc(n, size);
	memcpy(q, p, n * size);
	return q;
}

void
boards_finish(struct boards *b)
{
	free(b->sup);
	free(b->ag);
	free(b->hours);
	b->sup = NULL;
	b->ag = NULL;
	b->hours = NULL;
	b->n_sup = b->n_ag = b->n_hours = 0;
}

void
boards_take(struct boards *b, const struct proto_reply *r)
{
	boards_finish(b);
	b->head = r->board;
	b->sup = dup_array(r->board_suppliers, r->n_board_suppliers, sizeof *b->sup);
	b->n_sup = r->n_board_suppliers;
	b->ag = dup_array(r->board_agents, r->n_board_agents, sizeof *b->ag);
	b->n_ag = r->n_board_agents;
	b->hours = dup_array(r->board_hours, r->n_board_hours, sizeof *b->hours);
	b->n_hours = r->n_board_hours;
	b->held = true;
	b->failed[0] = '\0';
}

static void
on_board(struct model *m, void *ctx, const struct proto_reply *r, const struct proto_error *err)
{
	struct boards *b = ctx;

	(void)m;
	b->loading = false;
	if (r == NULL || !r->ok) {
		char why[160];
		present_error(r != NULL ? &r->error : err, why, sizeof why);
		snprintf(b->failed, sizeof b->failed, "%s%s%s", i18n_tr("boards.failed"),
		    present_colon(), why);
		return;		/* the figures held stay; the next poll asks again */
	}
	boards_take(b, r);
}

void
boards_poll(struct boards *b, struct model *m, const void *owner)
{
	struct proto_stats_board a = { .present = 0 };
	struct model_request rq = { .op = PROTO_MSG_stats_board, .args = &a,
		.on_reply = on_board, .ctx = b, .owner = owner };
	int64_t scale = m->time_scale > 0 ? m->time_scale : 1;

	if (m->conn != MODEL_LIVE) {
		b->away = true;
		return;
	}
	if (b->away) {
		b->away = false;
		b->asked = 0;
	}
	if (b->loading)
		return;
	if (b->asked != 0 && m->now >= b->asked && m->now - b->asked < BOARDS_POLL_MS * scale)
		return;
	b->asked = m->now != 0 ? m->now : 1;
	if (model_request(m, &rq, NULL) == 0)
		b->loading = true;
}

void
boards_title(const struct boards *b, const struct model *m, char *out, size_t outsz)
{
	char from[16], at[16];

	if (outsz == 0)
		return;
	out[0] = '\0';
	if (!b->held)
		return;
	model_fmt_clock(b->head.from, from, sizeof from);
	if (m->conn == MODEL_LIVE && b->failed[0] == '\0') {
		snprintf(out, outsz, "%s %s", i18n_tr("boards.since"), from);
		return;
	}
	model_fmt_clock(b->head.now, at, sizeof at);
	snprintf(out, outsz, "%s %s \xc2\xb7 %s %s", i18n_tr("boards.since"), from,
	    i18n_tr("boards.as_of"), at);
}

void
boards_counts(const struct model *m, struct boards_counts *out)
{
	memset(out, 0, sizeof *out);
	for (size_t i = 0; i < m->n_tickets; i++) {
		const struct proto_ticket *t = m->tickets[i];
		const struct data_region *r = m->data != NULL ? data_region(m->data, t->region) :
		    NULL;
		if (strcmp(t->state, "new") == 0 && r != NULL && !r->auto_dispatch)
			out->manual++;
	}
	out->escalated = own_count_escalated(m);
	for (size_t i = 0; i < m->n_warnings; i++)
		out->capacity += m->warnings[i]->ticket == 0 && !m->warnings[i]->cleared;
}

void
boards_fmt_pct(int64_t num, int64_t den, char *out, size_t outsz)
{
	double s;
	if (!tally_share(num, den, &s))
		snprintf(out, outsz, "-");
	else
		snprintf(out, outsz, "%d%%", (int)(s * 100 + 0.5));
}

void
boards_fmt_secs(bool has, int64_t s, char *out, size_t outsz)
{
	if (!has)
		snprintf(out, outsz, "-");
	else if (s < 120)
		snprintf(out, outsz, "%llds", (long long)s);
	else
		model_fmt_minutes(s * 1000, out, outsz);
}

void
boards_header(const struct model *m, char *out, size_t outsz, bool wide, size_t held)
{
	struct boards_counts c;
	boards_counts(m, &c);
	int n = snprintf(out, outsz, "%s %zu \xc2\xb7 %s %zu \xc2\xb7 %s %zu",
	    i18n_tr("kpi.count.manual"), c.manual, i18n_tr("kpi.escalated"), c.escalated,
	    i18n_tr("kpi.count.capacity"), c.capacity);
	if (wide && n > 0 && (size_t)n < outsz)
		snprintf(out + n, outsz - (size_t)n, " \xc2\xb7 %s %zu", i18n_tr("kpi.held"), held);
}

/* One trend line: label, today's sparkline, then a week earlier's, on one scale (the max of
 * all n hours). Only the last k hours are drawn (k <= n), the same in both. */
static void
trend_line(struct vscreen *vs, int y, int cols, const char *label, const int64_t *v,
    const bool *has, const int64_t *lw, const bool *has_lw, size_t n, size_t k,
    const char *now)
{
	char a[TALLY_HOURS_MAX * 3 + 1], b[TALLY_HOURS_MAX * 3 + 1];
	bool utf8 = track_glyphs() != PLOT_ASCII;
	int64_t max = 0;
	size_t o = n - k;
	int x = 1;

	for (size_t i = 0; i < n; i++) {
		if (has[i] && v[i] > max)
			max = v[i];
		if (has_lw[i] && lw[i] > max)
			max = lw[i];
	}
	spark_render(a, sizeof a, v + o, has + o, k, max, utf8);
	spark_render(b, sizeof b, lw + o, has_lw + o, k, max, utf8);
	vscreen_fill(vs, 0, y, cols, 1, ROLE_NORMAL, 0, L' ');
	x += vscreen_put_pad(vs, x, y, ROLE_NORMAL, THEME_BOLD, label, TREND_LABEL_W) + 1;
	x += vscreen_put(vs, x, y, ROLE_DIM, 0, i18n_tr("trend.today"), cols - x) + 1;
	x += vscreen_put(vs, x, y, ROLE_OK, 0, a, cols - x);
	x += vscreen_put(vs, x, y, ROLE_NORMAL, 0, " ", cols - x);
	x += vscreen_put(vs, x, y, ROLE_NORMAL, THEME_BOLD, now, cols - x) + 2;
	if (x < cols - 1) {
		x += vscreen_put(vs, x, y, ROLE_DIM, 0, i18n_tr("trend.week_ago"), cols - x) + 1;
		vscreen_put(vs, x, y, ROLE_DIM, 0, b, cols - x);
	}
}

/* How many of the last n hours both sparklines of a line can show in cols columns with the
 * widest of the current values (now_w): all of them when they fit, else the last ones
 * (late in the day at 80 columns the week earlier's was cut short at its right end,
 * where the hour to compare with is). */
static size_t
trend_hours(int cols, size_t n, int now_w)
{
	int fixed = 1 + TREND_LABEL_W + 1 + text_width(i18n_tr("trend.today")) + 1 + 1 + now_w +
	    2 + text_width(i18n_tr("trend.week_ago")) + 1 + 1;
	int room = (cols - fixed) / 2;

	if (room <= 0)
		return n > 0 ? 1 : 0;
	return (size_t)room < n ? (size_t)room : n;
}

int
boards_draw_trends(struct vscreen *vs, int y, int cols, const struct boards *b)
{
	int64_t calls[TALLY_HOURS_MAX], calls_lw[TALLY_HOURS_MAX];
	int64_t resp[TALLY_HOURS_MAX], resp_lw[TALLY_HOURS_MAX];
	bool all[TALLY_HOURS_MAX], has[TALLY_HOURS_MAX], has_lw[TALLY_HOURS_MAX];
	size_t n = b->n_hours < TALLY_HOURS_MAX ? b->n_hours : TALLY_HOURS_MAX;
	char now[32], now_r[32];

	if (!b->held || n == 0) {
		vscreen_fill(vs, 0, y, cols, 1, ROLE_NORMAL, 0, L' ');
		vscreen_put(vs, 1, y, ROLE_DIM, 0, b->failed[0] != '\0' ? b->failed :
		    i18n_tr("trend.loading"), cols - 2);
		return y + 1;
	}
	for (size_t i = 0; i < n; i++) {
		const struct proto_board_hour *h = &b->hours[i];
		all[i] = true;
		calls[i] = h->calls;
		calls_lw[i] = h->calls_lw;
		has[i] = PROTO_HAS(h, board_hour, response_s);
		has_lw[i] = PROTO_HAS(h, board_hour, response_s_lw);
		resp[i] = has[i] ? h->response_s : 0;
		resp_lw[i] = has_lw[i] ? h->response_s_lw : 0;
	}
	snprintf(now, sizeof now, "%lld", (long long)calls[n - 1]);
	boards_fmt_secs(has[n - 1], resp[n - 1], now_r, sizeof now_r);
	if (has[n - 1] && resp[n - 1] < 120)
		model_fmt_minutes(resp[n - 1] * 1000, now_r, sizeof now_r);
	/* both lines show the same hours, so their columns stay one above the other */
	int now_w = text_width(now) > text_width(now_r) ? text_width(now) : text_width(now_r);
	size_t k = trend_hours(cols, n, now_w);
	trend_line(vs, y++, cols, i18n_tr("trend.calls"), calls, all, calls_lw, all, n, k, now);
	trend_line(vs, y++, cols, i18n_tr("trend.response"), resp, has, resp_lw, has_lw, n, k,
	    now_r);
	return y;
}

/* ---------------------------------------------------------------- a sortable board */

enum mode { MODE_BOARD, MODE_LIST };

struct boards_view {
	struct view view;	/* first member */
	struct view_ops ops;	/* the view's own: its name is the def's */
	const struct boards_def *def;
	struct boards bd;
	enum mode mode;
	int sort;
	size_t sel, top, tsel, ttop;
	char sel_id[33];	/* the selected row's id, followed across refreshes */
	int list_rows;
};

/* qsort's context: one sort at a time */
static const struct boards_def *sort_def;
static const struct model *sort_model;
static int sort_col;

static int
cmp_rows(const void *va, const void *vb)
{
	const void *a = *(const void *const *)va, *b = *(const void *const *)vb;
	if (sort_col != 0) {
		int64_t x = sort_def->sort_value(a, sort_col), y = sort_def->sort_value(b, sort_col);
		if (x != y)
			return x > y ? -1 : 1;
	}
	return sort_def->cmp_names(sort_model, a, b);
}

/* The rows in the order shown, n of them (caller frees). */
static const void **
sorted_rows(const struct boards_view *bv, const struct model *m, size_t *np)
{
	size_t n, size;
	const char *base = bv->def->rows(&bv->bd, &n, &size);
	const void **r = xcalloc(n + 1, sizeof *r);
	for (size_t i = 0; i < n; i++)
		r[i] = base + i * size;
	sort_def = bv->def;
	sort_model = m;
	sort_col = bv->sort;
	qsort(r, n, sizeof *r, cmp_rows);
	*np = n;
	return r;
}

/* Keep the selection on its row. */
static void
follow(struct boards_view *bv, const void **r, size_t n)
{
	for (size_t i = 0; bv->sel_id[0] != '\0' && i < n; i++)
		if (strcmp(bv->def->id(r[i]), bv->sel_id) == 0)
			bv->sel = i;
	if (bv->sel >= n)
		bv->sel = n > 0 ? n - 1 : 0;
	if (n > 0)
		rd_strlcpy(bv->sel_id, bv->def->id(r[bv->sel]), sizeof bv->sel_id);
}

struct layout {
	int x[BOARDS_COLS_MAX], w[BOARDS_COLS_MAX];
};

static void
lay_out(const struct boards_def *d, struct layout *l, int cols)
{
	int x = 0;
	for (int i = 0; i < d->n_cols && i < BOARDS_COLS_MAX; i++) {
		l->w[i] = d->cols[i].width;
		if (i == 0 && d->name_wide > 0 && cols >= BOARDS_WIDE_COLS)
			l->w[i] = d->name_wide;
		l->x[i] = x;
		x += l->w[i] + 1;
	}
}

struct draw_ctx {
	const struct boards_def *d;
	const struct layout *l;
	const struct model *m;
	const void **r;		/* the board's rows, or the list's items */
};

static void
board_row(void *ctx, struct vscreen *vs, int y, size_t i)
{
	struct draw_ctx *c = ctx;
	const struct boards_def *d = c->d;
	char cell[BOARDS_COLS_MAX][BOARDS_CELL];
	bool warn[BOARDS_COLS_MAX] = { false };

	vscreen_fill(vs, 0, y, vscreen_cols(vs), 1, ROLE_NORMAL, 0, L' ');
	d->cells(c->r[i], cell, warn);
	vscreen_put_pad(vs, c->l->x[0], y, ROLE_NORMAL, 0, d->label(c->m, d->id(c->r[i])),
	    c->l->w[0]);
	for (int k = 1; k < d->n_cols && k < BOARDS_COLS_MAX; k++) {
		enum theme_role role = strcmp(cell[k], "-") == 0 ? ROLE_DIM : ROLE_NORMAL;
		if (warn[k])
			role = ROLE_WARN;
		vscreen_put_right(vs, c->l->x[k], y, role, 0, cell[k], c->l->w[k]);
	}
}

static void
item_row(void *ctx, struct vscreen *vs, int y, size_t i)
{
	struct draw_ctx *c = ctx;

	vscreen_fill(vs, 0, y, vscreen_cols(vs), 1, ROLE_NORMAL, 0, L' ');
	c->d->item_row(vs, y, c->m, c->r[i]);
}

/* The board's header; the sort column's head is drawn selected. */
static void
draw_head_row(struct vscreen *vs, const struct boards_def *d, const struct layout *l, int y,
    int sort)
{
	vscreen_fill(vs, 0, y, vscreen_cols(vs), 1, ROLE_HEADER, 0, L' ');
	for (int k = 0; k < d->n_cols && k < BOARDS_COLS_MAX; k++) {
		bool sorted = k == sort;
		enum theme_role role = sorted ? ROLE_SELECTED : ROLE_HEADER;
		const char *head = i18n_tr(d->cols[k].head);
		if (k == 0)
			vscreen_put_pad(vs, l->x[k], y, role, THEME_BOLD, head, l->w[k]);
		else
			vscreen_put_right(vs, l->x[k], y, role, sorted ? THEME_BOLD : 0, head,
			    l->w[k]);
	}
}

static void
draw_list_head(struct vscreen *vs, const struct boards_def *d, int y)
{
	vscreen_fill(vs, 0, y, vscreen_cols(vs), 1, ROLE_HEADER, 0, L' ');
	for (int k = 0; k < d->n_list_cols; k++) {
		const struct boards_list_col *c = &d->list_cols[k];
		if (c->right)
			vscreen_put_right(vs, c->x, y, ROLE_HEADER, 0, i18n_tr(c->head), c->width);
		else
			vscreen_put_pad(vs, c->x, y, ROLE_HEADER, 0, i18n_tr(c->head), c->width);
	}
}

static void
bv_draw(struct view *v, const struct model *m, struct vscreen *vs, const struct theme *th)
{
	struct boards_view *bv = (struct boards_view *)v;
	const struct boards_def *d = bv->def;
	int cols = vscreen_cols(vs), rows = vscreen_rows(vs), y, y1, ysel;
	size_t n;
	char left[256], right[128];
	struct layout l;

	(void)th;
	if (view_too_small(cols, rows)) {
		view_draw_too_small(vs);
		return;
	}
	const void **r = sorted_rows(bv, m, &n);
	follow(bv, r, n);
	vscreen_fill(vs, 0, 0, cols, rows, ROLE_NORMAL, 0, L' ');
	snprintf(left, sizeof left, "%s \xe2\x94\x82 %s", i18n_tr("app.name"), i18n_tr(d->title));
	boards_title(&bv->bd, m, right, sizeof right);
	chrome_title(vs, m, left, right[0] != '\0' ? right : NULL);
	if (chrome_banner_needed(m))
		chrome_banner(vs, 1, m);
	y = chrome_body_top(vs, m);
	y1 = chrome_body_end(vs);
	lay_out(d, &l, cols);
	if (bv->mode == MODE_BOARD) {
		const struct view_hint hints[] = {
			{ ACTION_OPEN, ACTION_NONE, d->hint_open },
			{ ACTION_SORT_PREV, ACTION_SORT_NEXT, "boards.hint.sort" },
			{ ACTION_BACK, ACTION_NONE, "kpi.hint.back" },
			{ ACTION_HELP, ACTION_NONE, "hint.help" },
		};
		const char *empty = bv->bd.failed[0] != '\0' ? bv->bd.failed :
		    i18n_tr(bv->bd.held ? d->none : "boards.loading");
		snprintf(right, sizeof right, "%zu", n);
		chrome_section(vs, 0, y++, cols, i18n_tr(d->section), right);
		draw_head_row(vs, d, &l, y++, bv->sort);
		bv->list_rows = y1 - y > 0 ? y1 - y : 1;
		ysel = view_draw_list(vs, y, y1, n, bv->sel, &bv->top, empty,
		    bv->bd.failed[0] != '\0' ? ROLE_ERROR : ROLE_DIM, board_row,
		    &(struct draw_ctx){ .d = d, .l = &l, .m = m, .r = r });
		chrome_status(vs, rows - 2, m);
		chrome_message(vs, rows - 1, m, hints, (int)ARRAY_LEN(hints));
	} else {
		const struct view_hint hints[] = {
			{ ACTION_OPEN, ACTION_NONE, d->list_hint_open },
			{ ACTION_BACK, ACTION_NONE, "sup.hint.back" },
			{ ACTION_HELP, ACTION_NONE, "hint.help" },
		};
		size_t k;
		const void **t = d->items(m, bv->sel_id, &k);
		snprintf(right, sizeof right, "%zu", k);
		snprintf(left, sizeof left, "%s%s%s", i18n_tr(d->list_section), present_colon(),
		    d->label(m, bv->sel_id));
		chrome_section(vs, 0, y++, cols, left, right);
		draw_list_head(vs, d, y++);
		bv->list_rows = y1 - y > 0 ? y1 - y : 1;
		if (bv->tsel >= k)
			bv->tsel = k > 0 ? k - 1 : 0;
		ysel = view_draw_list(vs, y, y1, k, bv->tsel, &bv->ttop, i18n_tr(d->list_none),
		    ROLE_DIM, item_row, &(struct draw_ctx){ .d = d, .l = &l, .m = m, .r = t });
		free(t);
		chrome_status(vs, rows - 2, m);
		chrome_message(vs, rows - 1, m, hints, (int)ARRAY_LEN(hints));
	}
	free(r);
	vscreen_set_cursor(vs, 0, ysel >= 0 ? ysel : y, false);
}

static unsigned
list_key(struct boards_view *bv, struct model *m, enum keymap_action a)
{
	size_t n, page = bv->list_rows > 1 ? (size_t)bv->list_rows - 1 : 1;
	const void **t = bv->def->items(m, bv->sel_id, &n);
	unsigned r = UI_HANDLED | UI_REDRAW;

	if (a == ACTION_BACK) {
		bv->mode = MODE_BOARD;
	} else if (view_sel_move(&bv->tsel, n, page, a)) {
		if (n > 0 && bv->tsel >= n)
			bv->tsel = n - 1;
	} else if (a == ACTION_OPEN) {
		r = bv->def->item_open(&bv->view, m, n > 0 && bv->tsel < n ? t[bv->tsel] : NULL);
	} else {
		r = UI_NONE;
	}
	free(t);
	return r;
}

static unsigned
bv_key(struct view *v, struct model *m, const struct key *k, enum keymap_action a)
{
	struct boards_view *bv = (struct boards_view *)v;
	const struct boards_def *d = bv->def;
	size_t n, page = bv->list_rows > 1 ? (size_t)bv->list_rows - 1 : 1;

	(void)k;
	if (bv->mode == MODE_LIST)
		return list_key(bv, m, a);
	const void **r = sorted_rows(bv, m, &n);
	follow(bv, r, n);
	unsigned ret = UI_HANDLED | UI_REDRAW;
	if (a == ACTION_BACK) {
		ret = UI_HANDLED | UI_CLOSE;
	} else if (view_sel_move(&bv->sel, n, page, a)) {
		if (n > 0 && bv->sel >= n)
			bv->sel = n - 1;
		if (n > 0)
			rd_strlcpy(bv->sel_id, d->id(r[bv->sel]), sizeof bv->sel_id);
	} else if (a == ACTION_SORT_NEXT || a == ACTION_SORT_PREV) {
		bv->sort = (bv->sort + (a == ACTION_SORT_NEXT ? 1 : d->n_cols - 1)) % d->n_cols;
	} else if (a == ACTION_OPEN) {
		if (n > 0) {
			bv->mode = MODE_LIST;
			bv->tsel = bv->ttop = 0;
		}
	} else {
		ret = UI_NONE;
	}
	free(r);
	return ret;
}

static void
bv_refresh(struct view *v, struct model *m)
{
	struct boards_view *bv = (struct boards_view *)v;
	boards_poll(&bv->bd, m, bv);
}

static void
bv_destroy(struct view *v)
{
	struct boards_view *bv = (struct boards_view *)v;
	boards_finish(&bv->bd);
	free(bv);
}

struct view *
boards_view_create(struct model *m, const struct boards_def *def)
{
	struct boards_view *bv = xcalloc(1, sizeof *bv);
	bv->ops = (struct view_ops){ .name = def->name, .draw = bv_draw, .key = bv_key,
		.destroy = bv_destroy, .refresh = bv_refresh };
	bv->view.ops = &bv->ops;
	bv->view.scope = SCOPE_BOARDS;
	bv->def = def;
	bv->list_rows = 1;
	boards_poll(&bv->bd, m, bv);
	return &bv->view;
}

int
boards_view_sort(const struct view *v)
{
	return ((const struct boards_view *)v)->sort;
}
