/* view-agents.c: the agents' board (see view-agents.h): what it has of its own over the
 * sortable board of boards.c, its columns and the agent's open tickets. */
#include "view-agents.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "boards.h"
#include "model.h"
#include "present.h"
#include "tally.h"
#include "ticket.h"
#include "util.h"

static const struct boards_col cols_def[VAG_COL_COUNT] = {
	[VAG_USER] = { "agents.col.user", 20 },
	[VAG_CALLS] = { "agents.col.calls", 8 },
	[VAG_OPEN] = { "agents.col.open", 8 },
	[VAG_OWNED] = { "agents.col.owned", 8 },
	[VAG_ACKED] = { "agents.col.acked", 8 },
	[VAG_IN_TIME] = { "agents.col.in_time", 10 },
};

static const struct boards_list_col ticket_cols[] = {
	{ "board.col.id", 1, 7, false },
	{ "board.col.state", 9, 12, false },
	{ "board.col.region", 22, 10, false },
	{ "board.col.age", 33, 6, true },
	{ "board.col.customer", 41, 20, false },
};

/* ---------------------------------------------------------------- the rows */

static const void *
rows(const struct boards *b, size_t *n, size_t *size)
{
	*n = b->n_ag;
	*size = sizeof *b->ag;
	return b->ag;
}

static const char *
row_id(const void *r)
{
	return ((const struct proto_board_agent *)r)->user;
}

static const char *
label(const struct model *m, const char *id)
{
	(void)m;
	return id;
}

static int
cmp_names(const struct model *m, const void *a, const void *b)
{
	(void)m;
	return strcmp(row_id(a), row_id(b));
}

static int64_t
sort_value(const void *r, int c)
{
	const struct proto_board_agent *a = r;
	double x;
	switch ((enum view_agents_col)c) {
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

static void
cells(const void *r, char (*cell)[BOARDS_CELL], bool *warn)
{
	const struct proto_board_agent *a = r;

	snprintf(cell[VAG_CALLS], BOARDS_CELL, "%lld", (long long)a->calls);
	snprintf(cell[VAG_OPEN], BOARDS_CELL, "%lld", (long long)a->open);
	snprintf(cell[VAG_OWNED], BOARDS_CELL, "%lld", (long long)a->owned);
	snprintf(cell[VAG_ACKED], BOARDS_CELL, "%lld", (long long)a->acked);
	boards_fmt_pct(a->acked_in_time, a->acked, cell[VAG_IN_TIME], BOARDS_CELL);
	warn[VAG_IN_TIME] = a->acked_in_time < a->acked;
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
static const void **
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
	return (const void **)t;
}

static void
ticket_row(struct vscreen *vs, int y, const struct model *m, const void *item)
{
	const struct proto_ticket *t = item;
	char buf[32];
	int x = 1;

	snprintf(buf, sizeof buf, "#%lld", (long long)t->id);
	vscreen_put_pad(vs, x, y, ROLE_NORMAL, THEME_BOLD, buf, 7);
	x += 8;
	vscreen_put_pad(vs, x, y, ROLE_NORMAL, 0, present_state(t->state), 12);
	x += 13;
	vscreen_put_pad(vs, x, y, ROLE_NORMAL, 0, present_region(m->data, t->region), 10);
	x += 11;
	model_fmt_minutes(m->now - t->created, buf, sizeof buf);
	vscreen_put_right(vs, x, y, ROLE_DIM, 0, buf, 6);
	x += 8;
	vscreen_put_ellipsis(vs, x, y, ROLE_NORMAL, 0, t->customer, vscreen_cols(vs) - x - 1);
}

static unsigned
ticket_open(struct view *v, struct model *m, const void *item)
{
	(void)m;
	if (item == NULL)
		return UI_HANDLED | UI_REDRAW;
	return view_want(v, VIEW_DETAIL, ((const struct proto_ticket *)item)->id, ACTION_NONE);
}

static const struct boards_def agents_def = {
	.name = "agents",
	.title = "agents.title",
	.section = "agents.section",
	.none = "agents.none",
	.hint_open = "agents.hint.tickets",
	.cols = cols_def,
	.n_cols = VAG_COL_COUNT,
	.rows = rows,
	.id = row_id,
	.label = label,
	.cmp_names = cmp_names,
	.sort_value = sort_value,
	.cells = cells,
	.list_section = "agents.section.tickets",
	.list_none = "agents.no_tickets",
	.list_hint_open = "board.hint.open",
	.list_cols = ticket_cols,
	.n_list_cols = (int)ARRAY_LEN(ticket_cols),
	.items = tickets_of,
	.item_row = ticket_row,
	.item_open = ticket_open,
};

struct view *
view_agents_create(struct model *m)
{
	return boards_view_create(m, &agents_def);
}

enum view_agents_col
view_agents_sort(const struct view *v)
{
	return (enum view_agents_col)boards_view_sort(v);
}
