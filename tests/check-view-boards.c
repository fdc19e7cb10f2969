/* check-view-boards.c: the supervisors' boards (ui/view-suppliers.c P, ui/view-agents.c W,
 * ui/boards.c) and the supervisor screen's header counts and trends (ui/view-kpi.c).
 *
 *   - goldens of both boards at 80x24 and 120x40 in English and Chinese, of a supplier's
 *     trucks and an agent's open tickets, and of the supervisor's screen with its trends;
 *   - the figures as the broker gave them (shares made with tally_share: "-" without a
 *     denominator), the sort by each column (s and > forwards, < back, wrapping), the
 *     selection following its row when the order changes;
 *   - Enter: a supplier's trucks from the live table, a truck's job opens its detail, a
 *     free truck says it has none; an agent's open tickets (not closed, oldest first), one
 *     opens its detail; q back to the board, q again closes;
 *   - the header counts from the model (manual dispatch, escalated, capacity);
 *   - polling: one stats.board at a time, again after BOARDS_POLL_MS (times the time
 *     scale), a refusal kept in words while the figures held stay;
 *   - P and W from the ticket board and the supervisor's screen. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "boards.h"
#include "harness-model.h"
#include "harness-screen.h"
#include "i18n.h"
#include "model.h"
#include "util.h"
#include "view-agents.h"
#include "view-board.h"
#include "view-kpi.h"
#include "view-suppliers.h"

#define MIN_MS (60 * 1000LL)
#define NOW 1773468300000LL	/* 2026-03-14 06:05:00 UTC, 14:05 China time */
#define MIDNIGHT (NOW - (14 * 60 + 5) * MIN_MS)

static struct data_supplier cs_suppliers[] = {
	{ .id = "xy", .name = "湘运救援 Xiangyun Rescue" },
	{ .id = "dh", .name = "Donghu Tow" },
};
static struct data_supplier hl_suppliers[] = {
	{ .id = "hl", .name = "Hills Recovery" },
};
static struct data_region regions[] = {
	{ .id = "changsha", .name = "Changsha", .name_zh = "长沙", .lat = 28.2282,
	    .lon = 112.9388, .suppliers = cs_suppliers, .n_suppliers = 2, .auto_dispatch = 1 },
	{ .id = "hills", .name = "Hills", .name_zh = "山区", .lat = 28.5, .lon = 113.5,
	    .suppliers = hl_suppliers, .n_suppliers = 1, .auto_dispatch = 0 },
};
static struct data data = { .regions = regions, .n_regions = 2 };

#define T(i, st, reg, cust, by, cr)                                                     \
	{ .id = (i), .state = st, .region = reg, .customer = cust,                        \
	    .phone = "13800000000", .plate = "湘A00000", .lat = 28.2, .lon = 112.9,       \
	    .address = "长沙市", .fault = "battery", .created_by = by,                    \
	    .created = NOW + (cr) * MIN_MS, .promised = NOW + ((cr) + 45) * MIN_MS, .ver = 1, \
	    .present = PROTO_ALL & ~((uint64_t)1 << PROTO_ticket_eta |                     \
	    (uint64_t)1 << PROTO_ticket_eta_src | (uint64_t)1 << PROTO_ticket_escalated) }

static struct proto_ticket base_tickets[] = {
	T(301, "en_route", "changsha", "陈小明", "ann", -40),
	T(302, "new", "hills", "Wang Fang", "bob", -12),
	T(303, "completed", "changsha", "刘德华", "ann", -90),
	T(304, "new", "hills", "Li Na", "ann", -3),
	T(305, "accepted", "changsha", "赵敏", "ann", -70),
};

static struct proto_truck base_trucks[] = {
	{ .id = "XY-F01", .supplier = "xy", .kind = "flatbed", .region = "changsha",
	    .status = "en_route", .lat = 28.12, .lon = 112.99, .fix_ts = NOW - 20000,
	    .ticket = 301, .present = PROTO_ALL },
	{ .id = "XY-V02", .supplier = "xy", .kind = "van", .region = "changsha",
	    .status = "available", .lat = 28.19, .lon = 112.96, .fix_ts = NOW - 40000,
	    .present = PROTO_ALL & ~((uint64_t)1 << PROTO_truck_ticket) },
	{ .id = "XY-V03", .supplier = "xy", .kind = "van", .region = "changsha",
	    .status = "assigned", .lat = 28.19, .lon = 112.96, .fix_ts = NOW - 40000,
	    .ticket = 305, .present = PROTO_ALL },
	{ .id = "HL-W01", .supplier = "hl", .kind = "wheel_lift", .region = "hills",
	    .status = "available", .lat = 28.5, .lon = 113.5, .fix_ts = NOW - 10000,
	    .present = PROTO_ALL & ~((uint64_t)1 << PROTO_truck_ticket) },
};

static struct proto_warning base_warnings[] = {
	{ .id = 7, .ticket = 0, .kind = "capacity", .level = "amber", .region = "hills",
	    .text = "no able truck free", .ts = NOW - 5 * MIN_MS, .since = NOW - 5 * MIN_MS,
	    .waiting = 2 },
	{ .id = 8, .ticket = 301, .kind = "overdue", .level = "red", .text = "late",
	    .ts = NOW - 2 * MIN_MS, .promised = NOW - 2 * MIN_MS, .owner = "ann" },
};

#define S(id, tr, fr, bu, of, ac, de, to, med, ar, la, resp, cm)                        \
	{ .supplier = id, .trucks = tr, .free = fr, .busy = bu, .offers = of, .accepted = ac,  \
	    .declines = de, .timeouts = to, .accept_median_s = med, .arrived = ar, .late = la, \
	    .response_s = resp, .complaints = cm, .present = PROTO_ALL }

static struct proto_board_supplier answer_sup[] = {
	S("dh", 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0),
	S("hl", 1, 1, 0, 4, 1, 2, 1, 250, 1, 1, 3300, 2),
	S("xy", 3, 1, 2, 40, 36, 3, 1, 42, 30, 4, 1500, 1),
};
static struct proto_board_agent answer_ag[] = {
	{ .user = "ann", .calls = 31, .open = 3, .owned = 1, .acked = 9, .acked_in_time = 8,
	    .present = PROTO_ALL },
	{ .user = "bob", .calls = 12, .open = 1, .owned = 0, .acked = 0, .acked_in_time = 0,
	    .present = PROTO_ALL },
	{ .user = "cai", .calls = 47, .open = 0, .owned = 0, .acked = 4, .acked_in_time = 4,
	    .present = PROTO_ALL },
};
static struct proto_board_hour answer_hours[15];

static struct model m;
static struct vscreen *vs;
static struct view *v;

static void
answer(void)
{
	struct proto_reply r;

	memset(&r, 0, sizeof r);
	r.board = (struct proto_board){ .now = NOW, .from = MIDNIGHT, .to = NOW + 1,
		.events = 1234, .present = PROTO_ALL };
	/* "dh" has nothing to measure: no median, no mean */
	answer_sup[0].present &= ~((uint64_t)1 << PROTO_board_supplier_accept_median_s |
	    (uint64_t)1 << PROTO_board_supplier_response_s);
	r.board_suppliers = answer_sup;
	r.n_board_suppliers = ARRAY_LEN(answer_sup);
	r.board_agents = answer_ag;
	r.n_board_agents = ARRAY_LEN(answer_ag);
	for (int h = 0; h < 15; h++) {
		static const int calls[15] = { 2, 1, 0, 0, 1, 2, 4, 7, 12, 15, 11, 9, 10, 13, 3 };
		static const int lw[15] = { 1, 1, 1, 0, 0, 3, 5, 9, 14, 12, 10, 8, 9, 11, 10 };
		struct proto_board_hour *x = &answer_hours[h];
		memset(x, 0, sizeof *x);
		x->present = PROTO_ALL;
		x->hour = h;
		x->calls = calls[h];
		x->calls_lw = lw[h];
		x->arrived = calls[h] > 0 ? 1 : 0;
		x->arrived_lw = lw[h] > 0 ? 1 : 0;
		x->response_s = 1200 + 60 * calls[h];
		x->response_s_lw = 1300 + 50 * lw[h];
		if (calls[h] == 0)
			x->present &= ~((uint64_t)1 << PROTO_board_hour_response_s);
		if (lw[h] == 0)
			x->present &= ~((uint64_t)1 << PROTO_board_hour_response_s_lw);
	}
	r.board_hours = answer_hours;
	r.n_board_hours = 15;
	harness_answer_board(&m, &r);
}

static void
setup(void)
{
	static const struct harness_fixture f = {
		HARNESS_TABLES(base_tickets, base_trucks, base_warnings),
		.data = &data, .user = "wangli", .role = MODEL_ROLE_SUPERVISOR, .now = NOW,
	};

	harness_lang("en");
	harness_model_init(&m, &f);
	harness_warnings[1].present &= ~((uint64_t)1 << PROTO_warning_escalated);
	harness_warnings[0].present &= ~((uint64_t)1 << PROTO_warning_owner |
	    (uint64_t)1 << PROTO_warning_escalated | (uint64_t)1 << PROTO_warning_reason);
	model_refresh(&m, NOW);
	vs = vscreen_create(80, 24);
	harness_bind(&m, &vs, &v, "check-view-boards");
	v = NULL;
}

static void
teardown(void)
{
	view_destroy(v);
	harness_model_finish(&m);
	vscreen_destroy(vs);
	i18n_unload();
}

static void
open_suppliers(void)
{
	v = view_suppliers_create(&m);
	ck_assert_int_eq(harness_rec.board, 1);
	answer();
}

static void
open_agents(void)
{
	v = view_agents_create(&m);
	ck_assert_int_eq(harness_rec.board, 1);
	answer();
}

/* ---------------------------------------------------------------- goldens */

static const struct {
	int cols, rows;
	const char *lang;
} sizes[] = {
	{ 80, 24, "en" }, { 120, 40, "en" }, { 80, 24, "zh_CN" }, { 120, 40, "zh_CN" },
};

START_TEST(test_suppliers_golden)
{
	open_suppliers();
	harness_golden("suppliers", sizes[_i].cols, sizes[_i].rows, sizes[_i].lang);
	harness_assert_safe();
}
END_TEST

/* No column head of the suppliers' board reads as the status line's "late" under it: in
 * Chinese the offers that timed out were headed 超时, the word of the late tickets. */
START_TEST(test_heads_not_late)
{
	static const char *const langs[] = { "en", "zh_CN" };
	static const char *const heads[] = { "sup.col.timeouts", "sup.col.declines",
		"sup.col.offers", "sup.col.accept_median" };

	open_suppliers();
	for (size_t l = 0; l < ARRAY_LEN(langs); l++) {
		harness_lang(langs[l]);
		char late[64];
		rd_strlcpy(late, i18n_tr("status.late"), sizeof late);
		for (size_t i = 0; i < ARRAY_LEN(heads); i++)
			ck_assert_msg(strcmp(i18n_tr(heads[i]), late) != 0, "%s: %s is %s",
			    langs[l], heads[i], late);
		harness_draw(80, 24);
		int y = harness_find_row(i18n_tr("sup.col.accept_pct"));	/* the heads */
		ck_assert_int_ge(y, 0);
		ck_assert_msg(strstr(harness_row(y), late) == NULL, "%s", harness_row(y));
	}
	harness_lang("en");
}
END_TEST

START_TEST(test_agents_golden)
{
	open_agents();
	harness_golden("agents", sizes[_i].cols, sizes[_i].rows, sizes[_i].lang);
	harness_assert_safe();
}
END_TEST

START_TEST(test_kpi_trends_golden)
{
	v = view_kpi_create(&m);
	ck_assert_int_eq(harness_rec.board, 1);
	answer();
	harness_golden("kpi-trends", 120, 40, "en");
	harness_golden("kpi-trends", 80, 24, "zh_CN");
	harness_assert_safe();
}
END_TEST

/* Block characters (U+2581..U+2588) in s. */
static int
blocks(const char *s)
{
	int n = 0;
	for (; s[0] != '\0'; s++)
		n += (unsigned char)s[0] == 0xe2 && (unsigned char)s[1] == 0x96 &&
		    (unsigned char)s[2] >= 0x81 && (unsigned char)s[2] <= 0x88;
	return n;
}

/* Late in the day (24 hours) both sparklines of a trend line show the same hours and fit:
 * at 80 columns the week earlier's was cut short at its right end, the current hour's
 * comparison; from 120 columns all 24 show. */
START_TEST(test_trends_day)
{
	static const struct { int cols, rows; const char *lang; int min; } t[] = {
		{ 80, 24, "en", 16 }, { 80, 24, "zh_CN", 16 }, { 120, 40, "en", 24 },
		{ 120, 40, "zh_CN", 24 },
	};
	struct proto_board_hour hours[24];
	struct proto_reply r;

	memset(&r, 0, sizeof r);
	r.board = (struct proto_board){ .now = NOW, .from = MIDNIGHT, .to = NOW + 1,
		.present = PROTO_ALL };
	for (int h = 0; h < 24; h++)
		hours[h] = (struct proto_board_hour){ .hour = h, .calls = h + 1, .arrived = 1,
			.response_s = 600 + 60 * h, .calls_lw = 24 - h, .arrived_lw = 1,
			.response_s_lw = 2000 - 30 * h, .present = PROTO_ALL };
	r.board_hours = hours;
	r.n_board_hours = 24;
	v = view_kpi_create(&m);
	harness_answer_board(&m, &r);
	for (size_t i = 0; i < ARRAY_LEN(t); i++) {
		harness_lang(t[i].lang);
		harness_draw(t[i].cols, t[i].rows);
		const char *labels[] = { i18n_tr("trend.calls"), i18n_tr("trend.response") };
		for (int l = 0; l < 2; l++) {
			const char *row = NULL;	/* the label's row with "today" */
			for (int y = 0; y < t[i].rows && row == NULL; y++)
				if (strstr(harness_row(y), labels[l]) != NULL &&
				    strstr(harness_row(y), i18n_tr("trend.today")) != NULL)
					row = harness_row(y);
			ck_assert_ptr_nonnull(row);
			const char *wk = strstr(row, i18n_tr("trend.week_ago"));
			ck_assert_ptr_nonnull(wk);
			int all = blocks(row), after = blocks(wk);
			ck_assert_msg(all - after == after, "%s %dx%d: %d hours today, %d a week ago: %s",
			    t[i].lang, t[i].cols, t[i].rows, all - after, after, row);
			ck_assert_int_ge(after, t[i].min);
			ck_assert_int_le(after, 24);
		}
	}
	harness_lang("en");
}
END_TEST

/* ---------------------------------------------------------------- figures and sorting */

START_TEST(test_supplier_figures)
{
	open_suppliers();
	harness_draw(120, 40);
	int y = harness_find_row("Xiangyun");
	ck_assert_int_ge(y, 0);
	const char *row = harness_row(y);
	/* 36 of 40 accepted: 90%; 4 of 30 late: 13%; median 42 s; mean 25 min */
	ck_assert_msg(strstr(row, "90%") && strstr(row, "13%") && strstr(row, "42s") &&
	    strstr(row, "25m"), "%s", row);
	row = harness_row(harness_find_row("Donghu"));
	ck_assert_msg(strstr(row, "   -") != NULL, "%s", row);	/* no offers: no share */
	/* A to Z by supplier id first: dh, hl, xy */
	ck_assert_int_lt(harness_find_row("Donghu"), harness_find_row("Hills Recovery"));
	ck_assert_int_lt(harness_find_row("Hills Recovery"), harness_find_row("Xiangyun"));
}
END_TEST

START_TEST(test_sort)
{
	open_suppliers();
	harness_draw(120, 40);
	ck_assert_int_eq(view_suppliers_sort(v), VSUP_NAME);
	harness_press('<');		/* wraps to the last column: complaints, most first */
	ck_assert_int_eq(view_suppliers_sort(v), VSUP_COMPLAINTS);
	harness_draw(120, 40);
	ck_assert_int_lt(harness_find_row("Hills Recovery"), harness_find_row("Xiangyun"));
	ck_assert_int_lt(harness_find_row("Xiangyun"), harness_find_row("Donghu"));
	harness_press('>');
	ck_assert_int_eq(view_suppliers_sort(v), VSUP_NAME);
	for (int i = 0; i < VSUP_OFFERS; i++)
		harness_press('s');
	ck_assert_int_eq(view_suppliers_sort(v), VSUP_OFFERS);
	harness_draw(120, 40);
	ck_assert_int_lt(harness_find_row("Xiangyun"), harness_find_row("Hills Recovery"));
	/* the sorted column's head is drawn selected */
	ck_assert_int_eq(harness_role_at(harness_find_row("OFFER"), "OFFER"), ROLE_SELECTED);
	/* the late share: hl 100% before xy 13%, dh (none) last */
	harness_press('s');
	harness_press('s');
	harness_press('s');
	harness_press('s');
	harness_press('s');
	ck_assert_int_eq(view_suppliers_sort(v), VSUP_LATE_PCT);
	harness_draw(120, 40);
	ck_assert_int_lt(harness_find_row("Hills Recovery"), harness_find_row("Xiangyun"));
	ck_assert_int_lt(harness_find_row("Xiangyun"), harness_find_row("Donghu"));
}
END_TEST

/* The supplier column sorts by the name shown, not by the id: "dh" named Zhoushan Tow
 * comes after Hills Recovery ("hl"), as ties of another column do. */
START_TEST(test_sort_by_name)
{
	char name[sizeof cs_suppliers[1].name];

	rd_strlcpy(name, cs_suppliers[1].name, sizeof name);
	rd_strlcpy(cs_suppliers[1].name, "Zhoushan Tow", sizeof cs_suppliers[1].name);
	open_suppliers();
	harness_draw(120, 40);
	ck_assert_int_eq(view_suppliers_sort(v), VSUP_NAME);
	ck_assert_int_lt(harness_find_row("Hills Recovery"), harness_find_row("Zhoushan Tow"));
	ck_assert_int_lt(harness_find_row("Zhoushan Tow"), harness_find_row("Xiangyun"));
	for (int i = 0; i < VSUP_BUSY; i++)	/* busy: xy 2, then dh and hl with 0 */
		harness_press('s');
	ck_assert_int_eq(view_suppliers_sort(v), VSUP_BUSY);
	harness_draw(120, 40);
	ck_assert_int_lt(harness_find_row("Xiangyun"), harness_find_row("Hills Recovery"));
	ck_assert_int_lt(harness_find_row("Hills Recovery"), harness_find_row("Zhoushan Tow"));
	rd_strlcpy(cs_suppliers[1].name, name, sizeof cs_suppliers[1].name);
}
END_TEST

/* ---------------------------------------------------------------- Enter */

START_TEST(test_supplier_trucks)
{
	open_suppliers();
	harness_draw(80, 24);
	harness_press('j');
	harness_press('j');		/* xy */
	ck_assert_uint_eq(harness_press_sym(KEYSYM_ENTER), UI_HANDLED | UI_REDRAW);
	harness_golden("suppliers-trucks", 80, 24, "en");
	ck_assert(harness_screen_has("XY-F01"));
	ck_assert(harness_screen_has("XY-V02"));
	ck_assert(harness_screen_has("#301"));
	ck_assert(!harness_screen_has("HL-W01"));
	/* the first is XY-F01 with ticket 301: its detail */
	unsigned r = harness_press_sym(KEYSYM_ENTER);
	ck_assert(r & UI_OPEN);
	ck_assert_int_eq(v->open.kind, VIEW_DETAIL);
	ck_assert_int_eq(v->open.ticket, 301);
	v->open.kind = VIEW_NONE;
	harness_press('j');		/* XY-V02: free, no job */
	r = harness_press_sym(KEYSYM_ENTER);
	ck_assert(!(r & UI_OPEN));
	ck_assert_str_eq(m.message, i18n_tr("sup.no_job"));
	ck_assert_uint_eq(harness_press('q'), UI_HANDLED | UI_REDRAW);	/* back to the board */
	harness_draw(80, 24);
	ck_assert(harness_screen_has("Suppliers today"));
	ck_assert_uint_eq(harness_press('q'), UI_HANDLED | UI_CLOSE);
}
END_TEST

START_TEST(test_agent_tickets)
{
	open_agents();
	harness_draw(80, 24);
	/* ann, the first: her open tickets 305, 301, 304 (oldest first); 303 is closed */
	ck_assert_uint_eq(harness_press_sym(KEYSYM_ENTER), UI_HANDLED | UI_REDRAW);
	harness_golden("agents-tickets", 80, 24, "en");
	int a = harness_find_row("#305"), b = harness_find_row("#301"), c = harness_find_row("#304");
	ck_assert_int_ge(a, 0);
	ck_assert_int_lt(a, b);
	ck_assert_int_lt(b, c);
	ck_assert_int_lt(harness_find_row("#303"), 0);
	ck_assert_int_lt(harness_find_row("#302"), 0);	/* bob's */
	harness_press('j');
	unsigned r = harness_press_sym(KEYSYM_ENTER);
	ck_assert(r & UI_OPEN);
	ck_assert_int_eq(v->open.kind, VIEW_DETAIL);
	ck_assert_int_eq(v->open.ticket, 301);
	v->open.kind = VIEW_NONE;
	harness_press('q');
	harness_draw(80, 24);
	ck_assert(harness_screen_has("Agents today"));
	/* sorted by calls, most first: cai, ann, bob */
	harness_press('s');
	ck_assert_int_eq(view_agents_sort(v), VAG_CALLS);
	harness_draw(80, 24);
	ck_assert_int_lt(harness_find_row("cai"), harness_find_row("ann"));
	ck_assert_int_lt(harness_find_row("ann"), harness_find_row("bob"));
	/* in time: ann 8 of 9 (89%), bob none ("-") */
	ck_assert_msg(strstr(harness_row(harness_find_row("ann")), "89%") != NULL, "%s",
	    harness_row(harness_find_row("ann")));
	/* the selection follows ann: Enter lists hers again */
	harness_press_sym(KEYSYM_ENTER);
	harness_draw(80, 24);
	ck_assert(harness_screen_has("#305"));
}
END_TEST

/* ---------------------------------------------------------------- counts and polling */

START_TEST(test_counts)
{
	struct boards_counts c;
	boards_counts(&m, &c);
	ck_assert_uint_eq(c.manual, 2);		/* 302 and 304, new in the hills */
	ck_assert_uint_eq(c.capacity, 1);
	ck_assert_uint_eq(c.escalated, 0);
	char buf[128];
	boards_header(&m, buf, sizeof buf, false, 5);
	ck_assert_str_eq(buf, "manual 2 · escalated 0 · capacity 1");
	boards_header(&m, buf, sizeof buf, true, 5);
	ck_assert_str_eq(buf, "manual 2 · escalated 0 · capacity 1 · tickets held 5");
}
END_TEST

START_TEST(test_poll)
{
	v = view_suppliers_create(&m);
	ck_assert_int_eq(harness_rec.board, 1);
	view_refresh(v, &m);			/* one in flight: no second */
	ck_assert_int_eq(harness_rec.board, 1);
	harness_draw(80, 24);
	ck_assert(harness_screen_has("Asking the broker"));
	harness_answer_error(&m, harness_rec.board_cmd, PROTO_E_FORBIDDEN, "supervisors only");
	harness_draw(80, 24);
	ck_assert(harness_screen_has("Could not get the boards"));
	m.now = NOW + BOARDS_POLL_MS - 1;
	view_refresh(v, &m);
	ck_assert_int_eq(harness_rec.board, 1);
	m.now = NOW + BOARDS_POLL_MS;
	view_refresh(v, &m);
	ck_assert_int_eq(harness_rec.board, 2);
	answer();
	harness_draw(80, 24);
	ck_assert(harness_screen_has("湘运救援"));
	/* at 60 times real speed, 15 s of wall time are 15 min of broker time */
	m.time_scale = 60;
	m.now += BOARDS_POLL_MS * 59;
	view_refresh(v, &m);
	ck_assert_int_eq(harness_rec.board, 2);
	m.now += BOARDS_POLL_MS;
	view_refresh(v, &m);
	ck_assert_int_eq(harness_rec.board, 3);
	harness_answer_error(&m, harness_rec.board_cmd, PROTO_E_UNAVAILABLE, "busy");
	harness_draw(80, 24);
	ck_assert(harness_screen_has("湘运救援"));	/* the figures held stay */
}
END_TEST

/* The figures held are marked with their time when they may be old: while the connection
 * is not live (nothing is asked then), and after a failed ask; once the connection is live
 * again (a restarted broker) they are asked for at once, not a poll later. */
START_TEST(test_stale)
{
	for (int agents = 0; agents < 2; agents++) {
		harness_rec.board = 0;
		if (agents)
			open_agents();
		else
			open_suppliers();
		harness_draw(80, 24);
		ck_assert(harness_screen_has("since 16:00"));
		ck_assert(!harness_screen_has("as of"));
		m.conn = MODEL_STALE;
		m.now = NOW + 2 * BOARDS_POLL_MS;
		view_refresh(v, &m);
		ck_assert_int_eq(harness_rec.board, 1);	/* not while the broker is away */
		harness_draw(80, 24);
		ck_assert(harness_screen_has("since 16:00 · as of 06:05"));
		m.conn = MODEL_LIVE;
		m.now = NOW + 2 * BOARDS_POLL_MS + 1000;
		view_refresh(v, &m);
		ck_assert_int_eq(harness_rec.board, 2);	/* back: asked at once */
		m.now += 1000;
		view_refresh(v, &m);
		ck_assert_int_eq(harness_rec.board, 2);
		harness_answer_error(&m, harness_rec.board_cmd, PROTO_E_UNAVAILABLE, "busy");
		harness_draw(80, 24);
		ck_assert(harness_screen_has("as of 06:05"));
		ck_assert(harness_screen_has(agents ? "ann" : "湘运救援"));	/* held */
		m.now += BOARDS_POLL_MS;
		view_refresh(v, &m);
		answer();
		harness_draw(80, 24);
		ck_assert(!harness_screen_has("as of"));
		harness_lang("zh_CN");
		m.conn = MODEL_CONNECTING;
		harness_draw(80, 24);
		ck_assert(harness_screen_has("起于 16:00 · 截至 06:05"));
		harness_lang("en");
		m.conn = MODEL_LIVE;
		m.now = NOW;
		view_destroy(v);
		v = NULL;
	}
}
END_TEST

START_TEST(test_keys_open_boards)
{
	v = view_board_create();
	ck_assert(harness_press('P') & UI_OPEN);
	ck_assert_int_eq(v->open.kind, VIEW_SUPPLIERS);
	ck_assert(harness_press('W') & UI_OPEN);
	ck_assert_int_eq(v->open.kind, VIEW_AGENTS);
	view_destroy(v);
	v = view_kpi_create(&m);
	ck_assert(harness_press('P') & UI_OPEN);
	ck_assert_int_eq(v->open.kind, VIEW_SUPPLIERS);
	ck_assert(harness_press('W') & UI_OPEN);
	ck_assert_int_eq(v->open.kind, VIEW_AGENTS);
}
END_TEST

START_TEST(test_too_small)
{
	open_suppliers();
	harness_draw(60, 20);
	ck_assert(!harness_screen_has("Suppliers today"));
	view_destroy(v);
	v = NULL;
	harness_rec.board = 0;
	open_agents();
	harness_draw(60, 20);
	ck_assert(!harness_screen_has("Agents today"));
}
END_TEST

static Suite *
boards_suite(void)
{
	Suite *s = suite_create("view-boards");
	TCase *tc = tcase_create("screens");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, test_suppliers_golden, 0, ARRAY_LEN(sizes));
	tcase_add_loop_test(tc, test_agents_golden, 0, ARRAY_LEN(sizes));
	tcase_add_test(tc, test_kpi_trends_golden);
	tcase_add_test(tc, test_trends_day);
	tcase_add_test(tc, test_supplier_figures);
	tcase_add_test(tc, test_sort);
	tcase_add_test(tc, test_sort_by_name);
	tcase_add_test(tc, test_heads_not_late);
	tcase_add_test(tc, test_supplier_trucks);
	tcase_add_test(tc, test_agent_tickets);
	tcase_add_test(tc, test_counts);
	tcase_add_test(tc, test_poll);
	tcase_add_test(tc, test_stale);
	tcase_add_test(tc, test_keys_open_boards);
	tcase_add_test(tc, test_too_small);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	setenv("TZ", "UTC", 1);
	tzset();
	return harness_screen_main(boards_suite(), "check-view-boards");
}
