/* check-view-board.c: the board's marks, mouse and find (ui/view-board.c): red and amber
 * warnings differ by glyph as well as colour (so also in monochrome), the selection bar
 * leaves the mark its urgency colour, the header's first cell marks rows hidden above and
 * below, a click on a row selects that ticket, f finds and C-n/C-p step through the
 * matches; and the model's refresh pacing. Forty tickets, so the list scrolls at 80x24. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "board.h"
#include "i18n.h"
#include "model.h"
#include "theme.h"
#include "ticket.h"
#include "util.h"
#include "view-board.h"

#include "harness-model.h"
#include "harness-screen.h"

#define MIN_MS (60 * 1000LL)
#define NOW 1773468300000LL	/* 2026-03-14 06:05:00 UTC */
#define N_TICKETS 40

static struct data_region regions[] = {
	{ .id = "changsha", .name = "Changsha", .name_zh = "长沙", .lat = 28.2282,
	    .lon = 112.9388, .auto_dispatch = 1 },
};
static struct data data = { .regions = regions, .n_regions = 1,
	.sla = { .not_accepted_s = 300, .gps_stale_s = 90, .stalled_s = 300,
	    .late_margin_s = 300, .window_pct = 80 } };

static struct proto_ticket tickets[N_TICKETS];
static struct proto_truck trucks[1] = {
	{ .id = "CSH-XY-V01", .supplier = "xy", .kind = "van", .region = "changsha",
	    .status = "available", .present = PROTO_ALL },
};
/* Ticket 1 is red (late), ticket 2 amber. */
static struct proto_warning warnings[] = {
	{ .id = 1, .ticket = 1, .kind = "overdue", .level = "red", .ts = NOW - MIN_MS },
	{ .id = 2, .ticket = 2, .kind = "not_accepted", .level = "amber", .ts = NOW - MIN_MS },
};

static struct model m;
static struct vscreen *vs;
static struct view *v;

static void
setup(void)
{
	static const struct harness_fixture f = {
		HARNESS_TABLES(tickets, trucks, warnings),
		.data = &data, .user = "zhangwei", .role = MODEL_ROLE_AGENT, .now = NOW,
	};
	int i;

	/* Most urgent first: ticket 1 is the latest, then by the time left. */
	for (i = 0; i < N_TICKETS; i++) {
		struct proto_ticket *t = &tickets[i];

		memset(t, 0, sizeof *t);
		t->id = i + 1;
		rd_strlcpy(t->state, "new", sizeof t->state);
		rd_strlcpy(t->region, "changsha", sizeof t->region);
		snprintf(t->customer, sizeof t->customer, "Customer %d", i + 1);
		rd_strlcpy(t->phone, "13812345678", sizeof t->phone);
		rd_strlcpy(t->fault, "tyre", sizeof t->fault);
		snprintf(t->address, sizeof t->address, "Road %d", i + 1);
		t->lat = 28.2;
		t->lon = 112.9;
		t->created = NOW - 5 * MIN_MS;
		t->promised = NOW + (i == 0 ? -3 : 10 + 2 * i) * MIN_MS;
		t->ver = 1;
		t->present = PROTO_ALL & ~((uint64_t)1 << PROTO_ticket_eta |
		    (uint64_t)1 << PROTO_ticket_eta_src);
	}
	harness_lang("en");
	harness_model_init(&m, &f);
	vs = vscreen_create(80, 24);
	harness_bind(&m, &vs, &v, "check-view-board");
	v = view_board_create();
}

static void
teardown(void)
{
	view_destroy(v);
	v = NULL;
	harness_model_finish(&m);
	vscreen_destroy(vs);
	i18n_unload();
}

/* The row and the cell 0 role of ticket id's row ("  12 " is its id column). */
static int
row_of(int id)
{
	char needle[16];

	snprintf(needle, sizeof needle, " %d new", id);
	return harness_find_row(needle);
}

START_TEST(test_marks_differ_by_glyph)
{
	int y1, y2;

	harness_press_sym(KEYSYM_DOWN);		/* the selection out of the way */
	harness_press_sym(KEYSYM_DOWN);
	harness_draw(80, 24);
	y1 = row_of(1);
	y2 = row_of(2);
	ck_assert_int_ge(y1, 0);
	ck_assert_int_ge(y2, 0);
	ck_assert_int_eq(harness_row(y1)[0], THEME_MARK_RED[0]);
	ck_assert_int_eq(harness_row(y2)[0], THEME_MARK_AMBER[0]);
	ck_assert_int_eq(vscreen_cell(vs, 0, y1)->role, ROLE_LATE);
	ck_assert_int_eq(vscreen_cell(vs, 0, y2)->role, ROLE_WARN);
	ck_assert_int_eq(harness_row(row_of(3))[0], ' ');
}
END_TEST

START_TEST(test_selection_keeps_the_mark)
{
	int y;

	harness_draw(80, 24);
	y = row_of(1);			/* the late ticket is first and selected */
	ck_assert_int_eq(m.board.sel_index, 0);
	ck_assert_int_eq(vscreen_cell(vs, 0, y)->role, ROLE_LATE);
	ck_assert_int_eq(vscreen_cell(vs, 1, y)->role, ROLE_SELECTED);
	ck_assert_int_eq(vscreen_cell(vs, 79, y)->role, ROLE_SELECTED);
	harness_press_sym(KEYSYM_DOWN);
	harness_draw(80, 24);
	y = row_of(2);
	ck_assert_int_eq(vscreen_cell(vs, 0, y)->role, ROLE_WARN);
	ck_assert_int_eq(vscreen_cell(vs, 1, y)->role, ROLE_SELECTED);
	/* A row without a mark is selected from its first cell. */
	harness_press_sym(KEYSYM_DOWN);
	harness_draw(80, 24);
	ck_assert_int_eq(vscreen_cell(vs, 0, row_of(3))->role, ROLE_SELECTED);
}
END_TEST

START_TEST(test_scroll_marks)
{
	int hy;

	harness_draw(80, 24);
	hy = harness_find_row("STATE");
	ck_assert_int_ge(hy, 0);
	ck_assert(strncmp(harness_row(hy), "\xe2\x86\x93", 3) == 0);	/* more below */
	harness_press_sym(KEYSYM_PAGE_DOWN);
	harness_press_sym(KEYSYM_PAGE_DOWN);
	harness_draw(80, 24);
	ck_assert(strncmp(harness_row(hy), "\xe2\x86\x95", 3) == 0);	/* both ways */
	harness_press_sym(KEYSYM_END);
	harness_draw(80, 24);
	ck_assert(strncmp(harness_row(hy), "\xe2\x86\x91", 3) == 0);	/* more above */
	/* Everything fits: no mark. */
	harness_draw(120, 60);
	hy = harness_find_row("STATE");
	ck_assert_int_eq(harness_row(hy)[0], ' ');
}
END_TEST

START_TEST(test_click_selects)
{
	int y;

	harness_draw(80, 24);
	y = row_of(7);
	ck_assert_int_ge(y, 0);
	ck_assert_uint_eq(view_board_click(v, &m, 30, y), UI_HANDLED | UI_REDRAW);
	ck_assert_ptr_nonnull(board_selected(&m.board));
	ck_assert_int_eq(board_selected(&m.board)->id, 7);
	harness_draw(80, 24);
	ck_assert_int_eq(vscreen_cell(vs, 5, row_of(7))->role, ROLE_SELECTED);
	/* The title, the header and the status line select nothing. */
	ck_assert_uint_eq(view_board_click(v, &m, 3, 0), UI_NONE);
	ck_assert_uint_eq(view_board_click(v, &m, 3, harness_find_row("STATE")), UI_NONE);
	ck_assert_uint_eq(view_board_click(v, &m, 3, 22), UI_NONE);
	ck_assert_int_eq(board_selected(&m.board)->id, 7);
	/* After scrolling, a click takes the row shown there. */
	harness_press_sym(KEYSYM_END);
	harness_draw(80, 24);
	y = row_of(35);
	ck_assert_int_ge(y, 0);
	view_board_click(v, &m, 0, y);
	ck_assert_int_eq(board_selected(&m.board)->id, 35);
	/* With the filter prompt open, clicks are left alone. */
	harness_press('/');
	ck_assert_uint_eq(view_board_click(v, &m, 0, row_of(36)), UI_NONE);
	ck_assert(view_board_is(v));
}
END_TEST

/* Issue 8: f finds without filtering: every row stays, the matches' ids show reversed, the
 * selection goes to the first match, C-n/F3 and C-p step and wrap with a note, Esc puts
 * the find away, and n stays the new call all along. */
START_TEST(test_find_next_prev)
{
	int y;

	harness_draw(80, 24);
	harness_press('f');
	harness_type("3");		/* ids 3, 13, 23, 30..39 (addresses "Road N" alike) */
	harness_press_sym(KEYSYM_ENTER);
	ck_assert_int_eq(board_selected(&m.board)->id, 3);
	ck_assert_uint_eq(m.board.n, N_TICKETS);	/* nothing hidden */
	harness_draw(80, 24);
	ck_assert(harness_screen_has("find 3"));
	y = row_of(4);			/* not a match: plain */
	ck_assert_int_eq(vscreen_cell(vs, 4, y)->attr & THEME_REVERSE, 0);
	y = row_of(13);			/* a match: its id reversed */
	ck_assert_int_ne(vscreen_cell(vs, 4, y)->attr & THEME_REVERSE, 0);
	harness_press(KEYMAP_CTRL('n'));
	ck_assert_int_eq(board_selected(&m.board)->id, 13);
	harness_press_sym(KEYSYM_F3);
	ck_assert_int_eq(board_selected(&m.board)->id, 23);
	harness_press(KEYMAP_CTRL('p'));
	ck_assert_int_eq(board_selected(&m.board)->id, 13);
	harness_press(KEYMAP_CTRL('p'));
	ck_assert_int_eq(board_selected(&m.board)->id, 3);
	m.message[0] = '\0';
	harness_press(KEYMAP_CTRL('p'));	/* past the first: from the bottom */
	ck_assert_int_eq(board_selected(&m.board)->id, 39);
	ck_assert_str_eq(m.message, "First match passed: continued from the bottom");
	harness_press(KEYMAP_CTRL('n'));	/* and back over the end */
	ck_assert_int_eq(board_selected(&m.board)->id, 3);
	ck_assert_str_eq(m.message, "Last match passed: continued from the top");
	harness_draw(80, 24);
	ck_assert_int_ge(row_of(3), 0);	/* the selection is in view again */
	/* n is the new call, find or not */
	ck_assert_uint_eq(harness_press('n') & UI_OPEN, UI_OPEN);
	ck_assert_int_eq(v->open.kind, VIEW_INTAKE);
	v->open.kind = VIEW_NONE;
	/* Esc puts the find away first; the next Esc is the app's (quit) */
	ck_assert_uint_eq(harness_press_sym(KEYSYM_ESC), UI_HANDLED | UI_REDRAW);
	ck_assert_str_eq(m.board.find, "");
	harness_draw(80, 24);
	ck_assert(!harness_screen_has("find 3"));
	ck_assert_int_eq(vscreen_cell(vs, 4, row_of(13))->attr & THEME_REVERSE, 0);
	ck_assert_uint_eq(harness_press_sym(KEYSYM_ESC), UI_NONE);
}
END_TEST

/* A find that matches nothing leaves the selection and says so; a bad word is refused at
 * the prompt like the filter's; C-n with no find says how to start one. */
START_TEST(test_find_none_and_refused)
{
	harness_press_sym(KEYSYM_DOWN);
	harness_press(KEYMAP_CTRL('n'));
	ck_assert_str_eq(m.message, "No find yet: press f to find tickets");
	harness_press('f');
	harness_type("nobody");
	harness_press_sym(KEYSYM_ENTER);
	ck_assert_int_eq(board_selected(&m.board)->id, 2);
	ck_assert_str_eq(m.message, "No ticket matches the find: nobody");
	harness_press('f');
	harness_press(KEYMAP_CTRL('u'));
	harness_type("is:nonsense");
	harness_press_sym(KEYSYM_ENTER);
	harness_draw(80, 24);
	ck_assert(harness_screen_has("Unknown is: word"));
	ck_assert_str_eq(m.board.find, "nobody");	/* unchanged */
}
END_TEST

/* The pacing of model.h: a change only marks the model stale; the refresh is due at most
 * every MODEL_REFRESH_MS. */
START_TEST(test_refresh_pacing)
{
	struct model pm;

	model_init(&pm);
	ck_assert_int_eq(model_refresh_wait(&pm, 5000), -1);	/* nothing changed */
	model_stale(&pm);
	ck_assert_int_eq(model_refresh_wait(&pm, 5000), 0);	/* never refreshed: now */
	model_refreshed(&pm, 5000);
	ck_assert(!pm.stale);
	ck_assert_int_eq(model_refresh_wait(&pm, 5010), -1);
	model_stale(&pm);
	model_stale(&pm);	/* many changes, one refresh */
	ck_assert_int_eq(model_refresh_wait(&pm, 5010), MODEL_REFRESH_MS - 10);
	ck_assert_int_eq(model_refresh_wait(&pm, 5000 + MODEL_REFRESH_MS), 0);
	model_finish(&pm);
}
END_TEST

/* A warning's change refreshes at once, MODEL_URGENT_MAX times a MODEL_REFRESH_MS; past
 * that a burst of them is paced again. */
START_TEST(test_refresh_urgent)
{
	struct model pm;
	int64_t t = 5000;

	model_init(&pm);
	model_refreshed(&pm, t);
	for (int i = 0; i < MODEL_URGENT_MAX; i++) {
		model_urgent(&pm);
		ck_assert(pm.stale);
		ck_assert_int_eq(model_refresh_wait(&pm, t + i), 0);
		model_refreshed(&pm, t + i);
	}
	model_urgent(&pm);	/* one more in the same window: paced */
	ck_assert_int_eq(model_refresh_wait(&pm, t + 10), MODEL_REFRESH_MS - 10 + MODEL_URGENT_MAX - 1);
	model_stale(&pm);	/* an ordinary change is paced as ever */
	model_refreshed(&pm, t + MODEL_URGENT_MAX - 1 + MODEL_REFRESH_MS);
	ck_assert(!pm.urgent);
	model_stale(&pm);
	ck_assert_int_eq(model_refresh_wait(&pm, t + MODEL_REFRESH_MS + 20), MODEL_REFRESH_MS - 20 +
	    MODEL_URGENT_MAX - 1);
	model_urgent(&pm);	/* the window has room again: at once */
	ck_assert_int_eq(model_refresh_wait(&pm, t + MODEL_REFRESH_MS + 20), 0);
	model_finish(&pm);
}
END_TEST

/* The urgent refreshes of a window stop at MODEL_URGENT_BUDGET_US of their cost too: two
 * dear ones (a big table) leave the third warning to the pace; the next window has room. */
START_TEST(test_refresh_urgent_budget)
{
	struct model pm;
	int64_t t = 5000, dear = MODEL_URGENT_BUDGET_US / 2 + 1;

	model_init(&pm);
	model_refreshed(&pm, t);
	model_refresh_cost(&pm, dear);	/* a paced refresh: not counted */
	for (int i = 0; i < 2; i++) {
		model_urgent(&pm);
		ck_assert_int_eq(model_refresh_wait(&pm, t + 1 + i), 0);
		model_refreshed(&pm, t + 1 + i);
		model_refresh_cost(&pm, dear);
	}
	model_urgent(&pm);	/* the budget is spent: paced */
	ck_assert_int_eq(model_refresh_wait(&pm, t + 10), MODEL_REFRESH_MS - 10 + 1 + 1);
	ck_assert_int_eq(model_refresh_wait(&pm, t + 1 + MODEL_REFRESH_MS), 0); /* new window */
	model_finish(&pm);
}
END_TEST

/* The quick refresh when only warnings changed: levels at once, the model readable, and
 * the full refresh (counts, the board's order) still due at the pace. */
START_TEST(test_refresh_warnings_only)
{
	struct model pm;
	struct proto_ticket t1 = { .id = 1 }, t2 = { .id = 2 };
	const struct proto_ticket *two[] = { &t1, &t2 };
	struct proto_warning w = { .id = 1, .ticket = 2 };
	const struct proto_warning *one[] = { &w };

	PROTO_STRSET(t1.state, "new");
	PROTO_STRSET(t2.state, "new");
	PROTO_STRSET(w.kind, "eta_late");
	PROTO_STRSET(w.level, "red");
	model_init(&pm);
	pm.tickets = two;
	pm.n_tickets = 2;
	model_refresh(&pm, 1000);
	model_refreshed(&pm, 5000);
	ck_assert_int_eq(model_warn_level(&pm, 2), 0);
	pm.warnings = one;
	pm.n_warnings = 1;
	model_urgent(&pm);
	model_refresh_warnings(&pm);
	ck_assert(!pm.stale);
	ck_assert_int_eq(model_warn_level(&pm, 2), 2);
	ck_assert_int_eq(model_warn_level(&pm, 1), 0);
	ck_assert_int_eq(model_refresh_wait(&pm, 5010), MODEL_REFRESH_MS - 10);
	model_refresh(&pm, 1000);
	model_refreshed(&pm, 5000 + MODEL_REFRESH_MS);
	ck_assert_int_eq(model_refresh_wait(&pm, 5000 + MODEL_REFRESH_MS + 1), -1);
	pm.tickets = NULL;
	pm.warnings = NULL;
	pm.n_tickets = pm.n_warnings = 0;
	model_finish(&pm);
}
END_TEST

static Suite *
board_suite(void)
{
	Suite *s = suite_create("view-board");
	TCase *tc = tcase_create("marks");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_marks_differ_by_glyph);
	tcase_add_test(tc, test_selection_keeps_the_mark);
	tcase_add_test(tc, test_scroll_marks);
	tcase_add_test(tc, test_click_selects);
	tcase_add_test(tc, test_find_next_prev);
	tcase_add_test(tc, test_find_none_and_refused);
	tcase_add_test(tc, test_refresh_pacing);
	tcase_add_test(tc, test_refresh_urgent);
	tcase_add_test(tc, test_refresh_urgent_budget);
	tcase_add_test(tc, test_refresh_warnings_only);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	setenv("TZ", "UTC", 1);
	tzset();
	return harness_screen_main(board_suite(), "check-view-board");
}
