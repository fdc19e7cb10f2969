/* view-agents.c: the agents' board (see view-agents.h). */
#include "view-agents.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "boards.h"
#include "chrome.h"
#include "i18n.h"
#include "model.h"
#include "present.h"
#include "tally.h"
#include "ticket.h"
#include "util.h"

static const struct {
	const char *head;
	int width;
} cols_def[VAG_COL_COUNT] = {
	[VAG_USER] = { "agents.col.user", 20 },
	[VAG_CALLS] = { "agents.col.calls", 8 },
	[VAG_OPEN] = { "agents.col.open", 8 },
	[VAG_OWNED] = { "agents.col.owned", 8 },
	[VAG_ACKED] = { "agents.col.acked", 8 },
	[VAG_IN_TIME] = { "agents.col.in_time", 10 },
};

enum mode { MODE_BOARD, MODE_TICKETS };

struct view_agents {
	struct view view;	/* first member */
	struct boards bd;
	enum mode mode;
	enum view_agents_col sort;
	size_t sel, top, tsel, ttop;
	char sel_id[33];	/* the selected agent, followed across refreshes */
	int list_rows;
};

static const struct view_hint board_hints[] = {
	{ ACTION_OPEN, ACTION_NONE, "agents.hint.tickets" },
	{ ACTION_SORT_PREV, ACTION_SORT_NEXT, "boards.hint.sort" },
	{ ACTION_BACK, ACTION_NONE, "kpi.hint.back" },
	{ ACTION_HELP, ACTION_NONE, "hint.help" },
};

static const struct view_hint ticket_hints[] = {
	{ ACTION_OPEN, ACTION_NONE, "board.hint.open" },
	{ ACTION_BACK, ACTION_NONE, "sup.hint.back" },
	{ ACTION_HELP, ACTION_NONE, "hint.help" },
};

/* ---------------------------------------------------------------- sorting */

static int64_t
sort_value(const struct proto_board_agent *a, enum view_agents_col c)
{
	double x;
	switch (c) {
	case VAG_CALLS: return a->calls;
	case VAG_OPEN: return a->open;
	case VAG_OWNED: return a->owned;
	case VAG_ACKED: return a->acked;
	case VAG_IN_TIME:
		return tally_share(a->acked_in_time, a->acked, &x) ? (int64_t)(x * 1e6) : -1;
	case VAG_USER:
	case VAG_COL_COUNT:
		break;
	}
	return 0;
}

static enum view_agents_col sort_col; /* qsort's context: one sort at a time */

static int
cmp_rows(const void *va, const void *vb)
{
	const struct proto_board_agent *a = *(const struct proto_board_agent *const *)va;
	const struct proto_board_agent *b = *(const struct proto_board_agent *const *)vb;
	if (sort_col != VAG_USER) {
		int64_t x = sort_value(a, sort_col), y = sort_value(b, sort_col);
		if (x != y)
			return x > y ? -1 : 1;
	}
	return strcmp(a->user, b->user);
}

static const struct proto_board_agent **
sorted_rows(const struct view_agents *va)
{
	const struct proto_board_agent **r = xcalloc(va->bd.n_ag + 1, sizeof *r);
	for (size_t i = 0; i < va->bd.n_ag; i++)
		r[i] = &va->bd.ag[i];
	sort_col = va->sort;
	qsort(r, va->bd.n_ag, sizeof *r, cmp_rows);
	return r;
}

static void
follow(struct view_agents *v, const struct proto_board_agent **r, size_t n)
{
	for (size_t i = 0; v->sel_id[0] != '\0' && i < n; i++)
		if (strcmp(r[i]->user, v->sel_id) == 0)
			v->sel = i;
	if (v->sel >= n)
		v->sel = n > 0 ? n - 1 : 0;
	if (n > 0)
		rd_strlcpy(v->sel_id, r[v->sel]->user, sizeof v->sel_id);
}

/* ---------------------------------------------------------------- the agent's tickets */

static int
cmp_created(const void *va, const void *vb)
{
	const struct proto_ticket *a = *(const struct proto_ticket *const *)va;
	const struct proto_ticket *b = *(const struct proto_ticket *const *)vb;
	if (a->created != b->created)
		return a->created < b->created ? -1 : 1;
	return a->id < b->id ? -1 : a->id > b->id;
}

/* The open tickets user took, oldest first (caller frees). */
static const struct proto_ticket **
tickets_of(const struct model *m, const char *user, size_t *n)
{
	const struct proto_ticket **t = xcalloc(m->n_tickets + 1, sizeof *t);
	*n = 0;
	for (size_t i = 0; i < m->n_tickets; i++) {
		const struct proto_ticket *k = m->tickets[i];
		int s = ticket_state_parse(k->state);
		if (s >= 0 && ticket_state_final((enum ticket_state)s))
			continue;
		if (PROTO_HAS(k, ticket, created_by) && strcmp(k->created_by, user) == 0)
			t[(*n)++] = k;
	}
	qsort(t, *n, sizeof *t, cmp_created);
	return t;
}

/* ---------------------------------------------------------------- drawing */

struct layout {
	int x[VAG_COL_COUNT], w[VAG_COL_COUNT];
};

static void
lay_out(struct layout *l)
{
	int x = 0;
	for (int i = 0; i < VAG_COL_COUNT; i++) {
		l->w[i] = cols_def[i].width;
		l->x[i] = x;
		x += l->w[i] + 1;
	}
}

struct draw_ctx {
	const struct layout *l;
	const struct model *m;
	const struct proto_board_agent **r;
	const struct proto_ticket **t;
};

static void
board_row(void *ctx, struct vscreen *vs, int y, size_t i)
{
	struct draw_ctx *c = ctx;
	const struct proto_board_agent *a = c->r[i];
	char cell[VAG_COL_COUNT][32];

	vscreen_fill(vs, 0, y, vscreen_cols(vs), 1, ROLE_NORMAL, 0, L' ');
	snprintf(cell[VAG_CALLS], 32, "%lld", (long long)a->calls);
	snprintf(cell[VAG_OPEN], 32, "%lld", (long long)a->open);
	snprintf(cell[VAG_OWNED], 32, "%lld", (long long)a->owned);
	snprintf(cell[VAG_ACKED], 32, "%lld", (long long)a->acked);
	boards_fmt_pct(a->acked_in_time, a->acked, cell[VAG_IN_TIME], 32);
	vscreen_put_pad(vs, c->l->x[VAG_USER], y, ROLE_NORMAL, 0, a->user, c->l->w[VAG_USER]);
	for (int k = VAG_CALLS; k < VAG_COL_COUNT; k++) {
		enum theme_role role = strcmp(cell[k], "-") == 0 ? ROLE_DIM : ROLE_NORMAL;
		if (k == VAG_IN_TIME && a->acked_in_time < a->acked)
			role = ROLE_WARN;
		vscreen_put_right(vs, c->l->x[k], y, role, 0, cell[k], c->l->w[k]);
	}
}

static void
ticket_row(void *ctx, struct vscreen *vs, int y, size_t i)
{
	struct draw_ctx *c = ctx;
	const struct proto_ticket *t = c->t[i];
	char buf[32];
	int x = 1;

	vscreen_fill(vs, 0, y, vscreen_cols(vs), 1, ROLE_NORMAL, 0, L' ');
	snprintf(buf, sizeof buf, "#%lld", (long long)t->id);
	vscreen_put_pad(vs, x, y, ROLE_NORMAL, THEME_BOLD, buf, 7);
	x += 8;
	vscreen_put_pad(vs, x, y, ROLE_NORMAL, 0, present_state(t->state), 12);
	x += 13;
	vscreen_put_pad(vs, x, y, ROLE_NORMAL, 0, present_region(c->m->data, t->region), 10);
	x += 11;
	model_fmt_minutes(c->m->now - t->created, buf, sizeof buf);
	vscreen_put_right(vs, x, y, ROLE_DIM, 0, buf, 6);
	x += 8;
	vscreen_put_ellipsis(vs, x, y, ROLE_NORMAL, 0, t->customer, vscreen_cols(vs) - x - 1);
}

static void
draw_head_row(struct vscreen *vs, const struct layout *l, int y, enum view_agents_col sort)
{
	vscreen_fill(vs, 0, y, vscreen_cols(vs), 1, ROLE_HEADER, 0, L' ');
	for (int k = 0; k < VAG_COL_COUNT; k++) {
		bool sorted = (enum view_agents_col)k == sort;
		enum theme_role role = sorted ? ROLE_SELECTED : ROLE_HEADER;
		const char *head = i18n_tr(cols_def[k].head);
		if (k == VAG_USER)
			vscreen_put_pad(vs, l->x[k], y, role, THEME_BOLD, head, l->w[k]);
		else
			vscreen_put_right(vs, l->x[k], y, role, sorted ? THEME_BOLD : 0, head,
			    l->w[k]);
	}
}

static void
ag_draw(struct view *v, const struct model *m, struct vscreen *vs, const struct theme *th)
{
	struct view_agents *va = (struct view_agents *)v;
	int cols = vscreen_cols(vs), rows = vscreen_rows(vs), y, y1, ysel;
	char left[256], right[128];
	struct layout l;

	(void)th;
	if (view_too_small(cols, rows)) {
		view_draw_too_small(vs);
		return;
	}
	const struct proto_board_agent **r = sorted_rows(va);
	follow(va, r, va->bd.n_ag);
	vscreen_fill(vs, 0, 0, cols, rows, ROLE_NORMAL, 0, L' ');
	snprintf(left, sizeof left, "%s \xe2\x94\x82 %s", i18n_tr("app.name"),
	    i18n_tr("agents.title"));
	boards_title(&va->bd, m, right, sizeof right);
	chrome_title(vs, m, left, right[0] != '\0' ? right : NULL);
	if (chrome_banner_needed(m))
		chrome_banner(vs, 1, m);
	y = chrome_body_top(vs, m);
	y1 = chrome_body_end(vs);
	lay_out(&l);
	if (va->mode == MODE_BOARD) {
		const char *empty = va->bd.failed[0] != '\0' ? va->bd.failed :
		    i18n_tr(va->bd.held ? "agents.none" : "boards.loading");
		snprintf(right, sizeof right, "%zu", va->bd.n_ag);
		chrome_section(vs, 0, y++, cols, i18n_tr("agents.section"), right);
		draw_head_row(vs, &l, y++, va->sort);
		va->list_rows = y1 - y > 0 ? y1 - y : 1;
		ysel = view_draw_list(vs, y, y1, va->bd.n_ag, va->sel, &va->top, empty,
		    va->bd.failed[0] != '\0' ? ROLE_ERROR : ROLE_DIM, board_row,
		    &(struct draw_ctx){ .l = &l, .m = m, .r = r });
		chrome_status(vs, rows - 2, m);
		chrome_message(vs, rows - 1, m, board_hints, (int)ARRAY_LEN(board_hints));
	} else {
		size_t n;
		const struct proto_ticket **t = tickets_of(m, va->sel_id, &n);
		snprintf(right, sizeof right, "%zu", n);
		snprintf(left, sizeof left, "%s%s%s", i18n_tr("agents.section.tickets"),
		    present_colon(), va->sel_id);
		chrome_section(vs, 0, y++, cols, left, right);
		vscreen_fill(vs, 0, y, cols, 1, ROLE_HEADER, 0, L' ');
		vscreen_put_pad(vs, 1, y, ROLE_HEADER, 0, i18n_tr("board.col.id"), 7);
		vscreen_put_pad(vs, 9, y, ROLE_HEADER, 0, i18n_tr("board.col.state"), 12);
		vscreen_put_pad(vs, 22, y, ROLE_HEADER, 0, i18n_tr("board.col.region"), 10);
		vscreen_put_right(vs, 33, y, ROLE_HEADER, 0, i18n_tr("board.col.age"), 6);
		vscreen_put_pad(vs, 41, y, ROLE_HEADER, 0, i18n_tr("board.col.customer"), 20);
		y++;
		va->list_rows = y1 - y > 0 ? y1 - y : 1;
		if (va->tsel >= n)
			va->tsel = n > 0 ? n - 1 : 0;
		ysel = view_draw_list(vs, y, y1, n, va->tsel, &va->ttop,
		    i18n_tr("agents.no_tickets"), ROLE_DIM, ticket_row,
		    &(struct draw_ctx){ .l = &l, .m = m, .t = t });
		free(t);
		chrome_status(vs, rows - 2, m);
		chrome_message(vs, rows - 1, m, ticket_hints, (int)ARRAY_LEN(ticket_hints));
	}
	free(r);
	vscreen_set_cursor(vs, 0, ysel >= 0 ? ysel : y, false);
}

/* ---------------------------------------------------------------- keys */

static unsigned
tickets_key(struct view_agents *va, struct model *m, enum keymap_action a)
{
	size_t n, page = va->list_rows > 1 ? (size_t)va->list_rows - 1 : 1;
	const struct proto_ticket **t = tickets_of(m, va->sel_id, &n);
	unsigned r = UI_HANDLED | UI_REDRAW;

	if (a == ACTION_BACK) {
		va->mode = MODE_BOARD;
	} else if (view_sel_move(&va->tsel, n, page, a)) {
		if (n > 0 && va->tsel >= n)
			va->tsel = n - 1;
	} else if (a == ACTION_OPEN) {
		if (n > 0 && va->tsel < n)
			r = view_want(&va->view, VIEW_DETAIL, t[va->tsel]->id, ACTION_NONE);
	} else {
		r = UI_NONE;
	}
	free(t);
	return r;
}

static unsigned
ag_key(struct view *v, struct model *m, const struct key *k, enum keymap_action a)
{
	struct view_agents *va = (struct view_agents *)v;
	size_t n = va->bd.n_ag, page = va->list_rows > 1 ? (size_t)va->list_rows - 1 : 1;

	(void)k;
	if (va->mode == MODE_TICKETS)
		return tickets_key(va, m, a);
	const struct proto_board_agent **r = sorted_rows(va);
	follow(va, r, n);
	unsigned ret = UI_HANDLED | UI_REDRAW;
	if (a == ACTION_BACK) {
		ret = UI_HANDLED | UI_CLOSE;
	} else if (view_sel_move(&va->sel, n, page, a)) {
		if (n > 0 && va->sel >= n)
			va->sel = n - 1;
		if (n > 0)
			rd_strlcpy(va->sel_id, r[va->sel]->user, sizeof va->sel_id);
	} else if (a == ACTION_SORT_NEXT || a == ACTION_SORT_PREV) {
		va->sort = (enum view_agents_col)((va->sort + (a == ACTION_SORT_NEXT ? 1 :
		    VAG_COL_COUNT - 1)) % VAG_COL_COUNT);
	} else if (a == ACTION_OPEN) {
		if (n > 0) {
			va->mode = MODE_TICKETS;
			va->tsel = va->ttop = 0;
		}
	} else {
		ret = UI_NONE;
	}
	free(r);
	return ret;
}

static void
ag_refresh(struct view *v, struct model *m)
{
	struct view_agents *va = (struct view_agents *)v;
	boards_poll(&va->bd, m, va);
}

static void
ag_destroy(struct view *v)
{
	struct view_agents *va = (struct view_agents *)v;
	boards_finish(&va->bd);
	free(va);
}

static const struct view_ops ag_ops = {
	.name = "agents",
	.draw = ag_draw,
	.key = ag_key,
	.destroy = ag_destroy,
	.refresh = ag_refresh,
};

struct view *
view_agents_create(struct model *m)
{
	struct view_agents *va = xcalloc(1, sizeof *va);
	va->view.ops = &ag_ops;
	va->view.scope = SCOPE_BOARDS;
	va->list_rows = 1;
	boards_poll(&va->bd, m, va);
	return &va->view;
}

enum view_agents_col
view_agents_sort(const struct view *v)
{
	return ((const struct view_agents *)v)->sort;
}
