/* view-suppliers.c: the suppliers' board (see view-suppliers.h): what it has of its own
 * over the sortable board of boards.c, its columns and the supplier's trucks. */
#include "view-suppliers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "boards.h"
#include "i18n.h"
#include "model.h"
#include "present.h"
#include "tally.h"
#include "util.h"

#define NAME_W 12
#define NAME_WIDE 28		/* the supplier's width from BOARDS_WIDE_COLS columns */

static const struct boards_col cols_def[VSUP_COL_COUNT] = {
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

static const struct boards_list_col truck_cols[] = {
	{ "board.col.truck", 1, 12, false },
	{ "sup.col.kind", 14, 12, false },
	{ "sup.col.status", 27, 12, false },
	{ "sup.col.job", 40, 20, false },
};

/* ---------------------------------------------------------------- the rows */

static const void *
rows(const struct boards *b, size_t *n, size_t *size)
{
	*n = b->n_sup;
	*size = sizeof *b->sup;
	return b->sup;
}

static const char *
row_id(const void *r)
{
	return ((const struct proto_board_supplier *)r)->supplier;
}

static const char *
label(const struct model *m, const char *id)
{
	return id[0] != '\0' ? present_supplier(m->data, NULL, id) : i18n_tr("sup.unknown");
}

/* By the name shown (the data's, in the locale's order), not the id: the ids do not
 * follow the names ("xiangjiang" is 长沙湘江…), so an order by id looks like none. */
static int
cmp_names(const struct model *m, const void *a, const void *b)
{
	int c = strcoll(present_supplier(m->data, NULL, row_id(a)),
	    present_supplier(m->data, NULL, row_id(b)));
	return c != 0 ? c : strcmp(row_id(a), row_id(b));
}

/* A column's sort value: larger first (shares in parts per million; absent lowest). */
static int64_t
sort_value(const void *r, int c)
{
	const struct proto_board_supplier *s = r;
	double x;
	switch ((enum view_suppliers_col)c) {
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

static void
cells(const void *r, char (*cell)[BOARDS_CELL], bool *warn)
{
	const struct proto_board_supplier *s = r;

	snprintf(cell[VSUP_TRUCKS], BOARDS_CELL, "%lld", (long long)s->trucks);
	snprintf(cell[VSUP_FREE], BOARDS_CELL, "%lld", (long long)s->free);
	snprintf(cell[VSUP_BUSY], BOARDS_CELL, "%lld", (long long)s->busy);
	snprintf(cell[VSUP_OFFERS], BOARDS_CELL, "%lld", (long long)s->offers);
	boards_fmt_pct(s->accepted, s->offers, cell[VSUP_ACCEPT_PCT], BOARDS_CELL);
	snprintf(cell[VSUP_DECLINES], BOARDS_CELL, "%lld", (long long)s->declines);
	snprintf(cell[VSUP_TIMEOUTS], BOARDS_CELL, "%lld", (long long)s->timeouts);
	boards_fmt_secs(PROTO_HAS(s, board_supplier, accept_median_s), s->accept_median_s,
	    cell[VSUP_ACCEPT_MEDIAN], BOARDS_CELL);
	boards_fmt_pct(s->late, s->arrived, cell[VSUP_LATE_PCT], BOARDS_CELL);
	if (PROTO_HAS(s, board_supplier, response_s))
		model_fmt_minutes(s->response_s * 1000, cell[VSUP_RESPONSE], BOARDS_CELL);
	else
		snprintf(cell[VSUP_RESPONSE], BOARDS_CELL, "-");
	snprintf(cell[VSUP_COMPLAINTS], BOARDS_CELL, "%lld", (long long)s->complaints);
	warn[VSUP_LATE_PCT] = s->late > 0;
	warn[VSUP_TIMEOUTS] = s->timeouts > 0;
}

/* ---------------------------------------------------------------- the supplier's trucks */

static const void **
trucks_of(const struct model *m, const char *supplier, size_t *n)
{
	const struct proto_truck **t = xcalloc(m->n_trucks + 1, sizeof *t);
	*n = 0;
	for (size_t i = 0; i < m->n_trucks; i++)
		if (strcmp(m->trucks[i]->supplier, supplier) == 0)
			t[(*n)++] = m->trucks[i];
	return (const void **)t;
}

static void
truck_row(struct vscreen *vs, int y, const struct model *m, const void *item)
{
	const struct proto_truck *k = item;
	char job[32], line[128];
	int x = 1;

	vscreen_put_pad(vs, x, y, ROLE_NORMAL, THEME_BOLD, k->id, 12);
	x += 13;
	vscreen_put_pad(vs, x, y, ROLE_NORMAL, 0, present_kind(k->kind), 12);
	x += 13;
	vscreen_put_pad(vs, x, y, strcmp(k->status, "available") == 0 ? ROLE_OK : ROLE_NORMAL,
	    0, present_truck_status(k->status), 12);
	x += 13;
	if (PROTO_HAS(k, truck, ticket) && k->ticket > 0) {
		const struct proto_ticket *t = model_ticket(m, k->ticket);
		snprintf(job, sizeof job, "#%lld", (long long)k->ticket);
		x += vscreen_put_pad(vs, x, y, ROLE_NORMAL, 0, job, 8) + 1;
		if (t != NULL) {
			snprintf(line, sizeof line, "%s  %s", present_state(t->state),
			    present_region(m->data, t->region));
			vscreen_put_ellipsis(vs, x, y, ROLE_DIM, 0, line, vscreen_cols(vs) - x - 1);
		}
	} else {
		vscreen_put(vs, x, y, ROLE_DIM, 0, "-", 1);
	}
}

/* Enter on a truck opens its job's detail; a truck without one says so. */
static unsigned
truck_open(struct view *v, struct model *m, const void *item)
{
	const struct proto_truck *k = item;

	if (k != NULL && PROTO_HAS(k, truck, ticket) && k->ticket > 0)
		return view_want(v, VIEW_DETAIL, k->ticket, ACTION_NONE);
	model_message(m, false, "%s", i18n_tr("sup.no_job"));
	return UI_HANDLED | UI_REDRAW;
}

static const struct boards_def suppliers_def = {
	.name = "suppliers",
	.title = "sup.title",
	.section = "sup.section",
	.none = "sup.none",
	.hint_open = "sup.hint.trucks",
	.cols = cols_def,
	.n_cols = VSUP_COL_COUNT,
	.name_wide = NAME_WIDE,
	.rows = rows,
	.id = row_id,
	.label = label,
	.cmp_names = cmp_names,
	.sort_value = sort_value,
	.cells = cells,
	.list_section = "sup.section.trucks",
	.list_none = "sup.no_trucks",
	.list_hint_open = "sup.hint.job",
	.list_cols = truck_cols,
	.n_list_cols = (int)ARRAY_LEN(truck_cols),
	.items = trucks_of,
	.item_row = truck_row,
	.item_open = truck_open,
};

struct view *
view_suppliers_create(struct model *m)
{
	return boards_view_create(m, &suppliers_def);
}

enum view_suppliers_col
view_suppliers_sort(const struct view *v)
{
	return (enum view_suppliers_col)boards_view_sort(v);
}
