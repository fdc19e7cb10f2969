/* check-view-kpi.c: the supervisor view (ui/view-kpi.c): its figures computed exactly from
 * fixed tickets, the order of the overdue board, its keys (Enter opens the detail, q
 * closes) and the board's K; goldens in English and Chinese at 80x24 and 120x40.
 *
 * Goldens are tests/golden/kpi-<cols>x<rows>[-zh].screen: vscreen_dump(), a "-- roles --"
 * line, then vscreen_dump_roles(). RD_UPDATE_GOLDEN=1 rewrites them instead of comparing.
 * The locale is C.UTF-8 and TZ=UTC. Run from the source root, or set RD_SRCDIR to it. */
#include <check.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "harness-model.h"
#include "harness-screen.h"
#include "i18n.h"
#include "model.h"
#include "ticket.h"
#include "util.h"
#include "view-board.h"
#include "view-kpi.h"

#define MIN_MS (60 * 1000LL)
#define NOW 1773468300000LL	/* 2026-03-14 06:05:00 UTC */

/* ---------------------------------------------------------------- fixed data */

static struct data_supplier cs_suppliers[] = {
	{ .id = "xy", .name = "湘运救援 Xiangyun Rescue" },
};
static struct data_supplier nx_suppliers[] = {
	{ .id = "nx", .name = "宁乡快援" },
};
static struct data_region regions[] = {
	{ .id = "changsha", .name = "Changsha", .name_zh = "长沙", .lat = 28.2282,
	    .lon = 112.9388, .suppliers = cs_suppliers, .n_suppliers = 1, .auto_dispatch = 1 },
	{ .id = "ningxiang", .name = "Ningxiang", .name_zh = "宁乡", .lat = 28.2770,
	    .lon = 112.5510, .suppliers = nx_suppliers, .n_suppliers = 1, .auto_dispatch = 1 },
};
static struct data data = { .regions = regions, .n_regions = 2,
	.sla = { .not_accepted_s = 300, .gps_stale_s = 90, .stalled_s = 300,
	    .late_margin_s = 300, .window_pct = 80 } };

#define ABSENT ((uint64_t)1 << PROTO_ticket_eta | (uint64_t)1 << PROTO_ticket_eta_src)
#define P_ALL PROTO_ALL
#define P_NOETA (PROTO_ALL & ~ABSENT)

/* Shorthand for a ticket: id, state, region, customer, truck, created, promised (0: none),
 * on scene (0: not yet), closed (0: open); minutes relative to NOW. */
#define T(i, st, reg, cust, trk, cr, pr, os, cl)                                         \
	{ .id = (i), .state = st, .region = reg, .customer = cust,                 \
	    .phone = "13800000000", .plate = "湘A00000", .lat = 28.2, .lon = 112.9,       \
	    .address = "长沙市", .fault = "battery", .truck = trk,                        \
	    .created = NOW + (cr) * MIN_MS, .promised = (pr) ? NOW + (pr) * MIN_MS : 0,     \
	    .t_on_scene = (os) ? NOW + (os) * MIN_MS : 0,                                   \
	    .t_closed = (cl) ? NOW + (cl) * MIN_MS : 0, .ver = 1, .present = P_NOETA }

/* Responses (on scene - created): 18, 35, 22, 41, 25, 30 minutes: mean 28.5, p90 41.
 * Promised among them: 5, of which 3 within (2001, 2003, 2005). Closed: 6, one by phone. */
static struct proto_ticket base_tickets[] = {
	T(2001, "completed", "changsha", "陈小明", "CSH-XY-V02", -120, -80, -102, -70),
	T(2002, "completed", "changsha", "Wang Fang", "CSH-XY-V01", -110, -80, -75, -50),
	T(2003, "completed", "ningxiang", "刘德华", "NX-NX-V01", -100, -55, -78, -60),
	T(2004, "towing", "changsha", "Li Na", "CSH-XY-F02", -60, -20, -19, 0),
	T(2005, "on_scene", "ningxiang", "赵敏", "NX-NX-V02", -30, 1, -5, 0),
	T(2006, "resolved_remote", "changsha", "孙悟空", "", -50, -10, 0, -40),
	T(2007, "cancelled", "ningxiang", "赵六", "", -90, -50, 0, -85),
	T(2008, "completed", "changsha", "Zhou Jie", "CSH-XY-V04", -200, 0, -170, -150),
	T(2010, "en_route", "changsha", "欧阳娜娜", "CSH-XY-F01", -70, -25, 0, 0),
	T(2011, "dispatched", "ningxiang", "Mary-Jane Featherstonehaugh", "NX-NX-V01", -50, -8,
	    0, 0),
	T(2012, "new", "changsha", "张伟", "", -5, 40, 0, 0),
	T(2013, "accepted", "changsha", "李雷🚗", "CSH-XY-V01", -45, -12, 0, 0),
	T(2014, "en_route", "ningxiang", "王五", "NX-NX-V03", -20, 15, 0, 0),
	T(2015, "new", "changsha", "Zhang San", "", -2, 43, 0, 0),
};

static struct proto_truck base_trucks[] = {
	{ .id = "CSH-XY-F01", .supplier = "xy", .kind = "flatbed", .region = "changsha",
	    .status = "en_route", .lat = 28.12, .lon = 112.99, .fix_ts = NOW - 20000,
	    .ticket = 2010, .present = PROTO_ALL },
	{ .id = "CSH-XY-V01", .supplier = "xy", .kind = "van", .region = "changsha",
	    .status = "assigned", .lat = 28.19, .lon = 112.96, .fix_ts = NOW - 4 * MIN_MS,
	    .ticket = 2013, .present = PROTO_ALL },
	{ .id = "NX-NX-V01", .supplier = "nx", .kind = "van", .region = "ningxiang",
	    .status = "offered", .lat = 28.28, .lon = 112.55, .fix_ts = NOW - 40000,
	    .ticket = 2011, .present = PROTO_ALL },
};

/* Texts as raised (stale by now): the console words known kinds from their parameters,
 * and shows the text of the one it does not know (escalation). */
static struct proto_warning base_warnings[] = {
	{ .id = 1, .ticket = 2010, .kind = "overdue", .level = "red",
	    .text = "0 min past the promised arrival", .ts = NOW - 25 * MIN_MS,
	    .promised = NOW - 25 * MIN_MS, .since = NOW - 25 * MIN_MS },
	{ .id = 2, .ticket = 2011, .kind = "not_accepted", .level = "amber",
	    .text = "not accepted 5 min after the first offer", .ts = NOW - 3 * MIN_MS,
	    .since = NOW - 8 * MIN_MS, .offers = 1, .subject = "NX-NX-V01" },
	{ .id = 3, .ticket = 2012, .kind = "escalation", .level = "red",
	    .text = "injury reported: call back now", .ts = NOW - 2 * MIN_MS },
	{ .id = 4, .ticket = 2013, .kind = "gps_lost", .level = "amber",
	    .text = "no GPS from CSH-XY-V01 for 0 min", .ts = NOW - 4 * MIN_MS,
	    .since = NOW - 4 * MIN_MS - 45000, .subject = "CSH-XY-V01" },
	{ .id = 5, .ticket = 2013, .kind = "overdue", .level = "red",
	    .text = "0 min past the promised arrival", .ts = NOW - 12 * MIN_MS,
	    .promised = NOW - 12 * MIN_MS, .since = NOW - 12 * MIN_MS },
	{ .id = 6, .ticket = 2007, .kind = "overdue", .level = "red",	/* closed: not shown */
	    .text = "stale warning of a cancelled ticket", .ts = NOW - 60 * MIN_MS },
};

/* ---------------------------------------------------------------- the model */

/* the working copies of the tables (harness-model.h) */
static struct proto_ticket *tickets;
static struct proto_warning *warnings;
/* The view under test is driven through harness-model.h. */
#define press_sym(s) harness_press_sym(s)
#define press(c) harness_press(c)
#define draw(c, r) harness_draw(c, r)
#define check_golden(n) harness_check_golden(n)
#define screen_has(s) harness_screen_has(s)

static struct model m;
static struct vscreen *vs;
static struct view *v;

#define load_lang harness_lang

static void
setup(void)
{
	static const struct harness_fixture f = {
		HARNESS_TABLES(base_tickets, base_trucks, base_warnings),
		.data = &data, .user = "wangli", .role = MODEL_ROLE_SUPERVISOR, .now = NOW,
	};

	load_lang("en");
	harness_model_init(&m, &f);
	tickets = harness_tickets;
	warnings = harness_warnings;
	/* 2014: ETA in 11 min against a promise in 15, within late_margin_s: at risk. */
	tickets[12].eta = NOW + 11 * MIN_MS;
	rd_strlcpy(tickets[12].eta_src, "model", sizeof tickets[12].eta_src);
	tickets[12].present = P_ALL;
	model_refresh(&m, NOW);
	vs = vscreen_create(80, 24);
	harness_bind(&m, &vs, &v, "check-view-kpi");
	v = view_kpi_create(&m);
}

static void
teardown(void)
{
	view_destroy(v);
	harness_model_finish(&m);
	vscreen_destroy(vs);
	i18n_unload();
}

/* ---------------------------------------------------------------- tests */

static const struct {
	int cols, rows;
	const char *lang, *name, *name_kpi;
} goldens[] = {
	{ 80, 24, "en", "kpi-80x24", "kpi-diag-80x24" },
	{ 120, 40, "en", "kpi-120x40", "kpi-diag-120x40" },
	{ 80, 24, "zh_CN", "kpi-80x24-zh", "kpi-diag-80x24-zh" },
	{ 120, 40, "zh_CN", "kpi-120x40-zh", "kpi-diag-120x40-zh" },
};

START_TEST(test_golden)
{
	load_lang(goldens[_i].lang);
	draw(goldens[_i].cols, goldens[_i].rows);
	check_golden(goldens[_i].name);
}
END_TEST

START_TEST(test_stats)
{
	struct view_kpi_stats s;

	view_kpi_stats(&m, &s);
	ck_assert_uint_eq(s.n_tickets, 14);
	ck_assert_uint_eq(s.n_response, 6);
	/* (18 + 35 + 22 + 41 + 25 + 30) / 6 = 28.5 min */
	ck_assert_int_eq(s.response_mean_ms, 171 * MIN_MS / 6);
	ck_assert_int_eq(s.response_mean_ms, 1710000);
	ck_assert_int_eq(s.response_p90_ms, 41 * MIN_MS);
	ck_assert_uint_eq(s.n_promised, 5);
	ck_assert_uint_eq(s.n_within, 3);
	ck_assert_uint_eq(s.n_open, 8);
	ck_assert_uint_eq(s.n_late, 4);	/* 2010, 2011, 2013 past promise; 2012 red */
	ck_assert_uint_eq(s.n_risk, 1);	/* 2014 */
	ck_assert_uint_eq(s.n_regions, 2);
	ck_assert_str_eq(s.region[0], "changsha");
	ck_assert_uint_eq(s.region_count[0], 9);
	ck_assert_str_eq(s.region[1], "ningxiang");
	ck_assert_uint_eq(s.region_count[1], 5);
	ck_assert_uint_eq(s.region_other, 0);

	/* and as the tiles show them */
	draw(80, 24);
	ck_assert(screen_has("28m"));		/* 28.5 min: model_fmt_minutes truncates */
	ck_assert(screen_has("41m"));
	ck_assert(screen_has("60.0%"));		/* 3 / 5 */
	ck_assert(!screen_has("16.7%"));	/* the tile that counted cancelled tickets */
	ck_assert(screen_has("ref: 24m"));
	ck_assert(screen_has("ref: 6.4%"));
	ck_assert(screen_has("no data"));	/* before the broker's first answer */
	ck_assert(screen_has("no survey data"));
	ck_assert(screen_has("Changsha 9 · Ningxiang 5"));
}
END_TEST

/* p90 is the nearest rank: the ceil(0.9 n)-th smallest. */
static const struct {
	int n;
	int64_t want_p90_min, want_mean_ms;
} p90_cases[] = {
	{ 1, 1, 1 * MIN_MS },
	{ 2, 2, 90000 },
	{ 9, 9, 5 * MIN_MS },
	{ 10, 9, 330000 },
	{ 11, 10, 6 * MIN_MS },
	{ 14, 13, 450000 },
};

START_TEST(test_p90)
{
	struct view_kpi_stats s;
	int i, n = p90_cases[_i].n;

	/* Responses of 1..n minutes, in reverse order. */
	for (i = 0; i < n; i++) {
		tickets[i] = base_tickets[0];
		tickets[i].id = 3000 + i;
		tickets[i].created = NOW - 100 * MIN_MS;
		tickets[i].t_on_scene = tickets[i].created + (n - i) * MIN_MS;
		tickets[i].promised = tickets[i].created + 5 * MIN_MS;
	}
	m.n_tickets = (size_t)n;
	model_refresh(&m, NOW);
	view_kpi_stats(&m, &s);
	ck_assert_uint_eq(s.n_response, (size_t)n);
	ck_assert_int_eq(s.response_p90_ms, p90_cases[_i].want_p90_min * MIN_MS);
	ck_assert_int_eq(s.response_mean_ms, p90_cases[_i].want_mean_ms);
	ck_assert_uint_eq(s.n_within, (size_t)(n < 5 ? n : 5));
}
END_TEST

START_TEST(test_empty)
{
	struct view_kpi_stats s;
	const struct proto_ticket *out[4];

	m.n_tickets = 0;
	m.n_warnings = 0;
	model_refresh(&m, NOW);
	view_kpi_stats(&m, &s);
	ck_assert_uint_eq(s.n_response, 0);
	ck_assert_int_eq(s.response_mean_ms, 0);
	ck_assert_int_eq(s.response_p90_ms, 0);
	ck_assert_uint_eq(view_kpi_overdue(&m, out, 4), 0);
	draw(80, 24);
	ck_assert(screen_has("No overdue tickets."));
	ck_assert(screen_has("no survey data"));
	ck_assert_uint_eq(press_sym(KEYSYM_ENTER), UI_HANDLED);
	ck_assert_int_eq(v->open.kind, VIEW_NONE);
}
END_TEST

START_TEST(test_overdue_order)
{
	const struct proto_ticket *out[8];
	static const int64_t want[] = { 2010, 2013, 2011, 2012 };
	size_t i, n;

	n = view_kpi_overdue(&m, out, ARRAY_LEN(out));
	ck_assert_uint_eq(n, ARRAY_LEN(want));
	for (i = 0; i < n; i++)
		ck_assert_int_eq(out[i]->id, want[i]);
	/* a short buffer gets the most overdue, and the full count */
	ck_assert_uint_eq(view_kpi_overdue(&m, out, 1), 4);
	ck_assert_int_eq(out[0]->id, 2010);

	/* as drawn: rows in that order, the red warning first for 2013 */
	draw(120, 40);
	{
		char *text = vscreen_dump(vs);
		char *a = strstr(text, "2010"), *b = strstr(text, "2013"),
		    *c = strstr(text, "2011"), *d = strstr(text, "2012");

		ck_assert(a != NULL && b != NULL && c != NULL && d != NULL);
		ck_assert(a < b && b < c && c < d);
		ck_assert(strstr(text, "12 min past the promised arrival · GPS lost")
		    != NULL);
		ck_assert(strstr(text, "2007") == NULL);
		ck_assert(strstr(text, "2004") == NULL);
		free(text);
	}
}
END_TEST

/* An escalated red warning that the ETA is after the promise, at 80 columns: the words do
 * not fit, and cut they read as an arrival in 3 minutes ("[escalated] ETA 3 min …"); the
 * row names the warning's kind instead, in both languages. */
START_TEST(test_overdue_narrow)
{
	static const struct {
		const char *lang, *golden, *want, *not;
	} c[] = {
		{ "en", "kpi-eta-late-80x24", "[escalated] ETA late", "ETA 3 min" },
		{ "zh_CN", "kpi-eta-late-80x24-zh", "[已升级] 预计超时", "晚于承诺 3" },
	};

	/* 2014: ETA 3 min after its promise in 15; its warning red and escalated */
	tickets[12].eta = NOW + 18 * MIN_MS;
	warnings[2].ticket = 2014;
	rd_strlcpy(warnings[2].kind, "eta_late", sizeof warnings[2].kind);
	warnings[2].promised = NOW + 15 * MIN_MS;
	warnings[2].eta = NOW + 18 * MIN_MS;
	warnings[2].escalated = NOW - MIN_MS;
	model_refresh(&m, NOW);
	for (size_t i = 0; i < ARRAY_LEN(c); i++) {
		load_lang(c[i].lang);
		draw(120, 40);	/* room for the words */
		ck_assert(screen_has(c[i].not));
		draw(80, 24);
		check_golden(c[i].golden);
		ck_assert(screen_has(c[i].want));
		ck_assert(!screen_has(c[i].not));
	}
}
END_TEST

START_TEST(test_enter_opens_detail)
{
	draw(80, 24);
	ck_assert_uint_eq(press_sym(KEYSYM_DOWN), UI_HANDLED | UI_REDRAW);
	ck_assert_int_eq(v->open.kind, VIEW_NONE);
	ck_assert_uint_eq(press_sym(KEYSYM_ENTER), UI_HANDLED | UI_REDRAW | UI_OPEN);
	ck_assert_int_eq(v->open.kind, VIEW_DETAIL);
	ck_assert_int_eq(v->open.ticket, 2013);

	/* the selection follows its ticket when the board changes */
	tickets[8].promised = NOW + 30 * MIN_MS;	/* 2010 no longer late */
	warnings[0].ticket = 2015;			/* its red warning moves away */
	model_refresh(&m, NOW);
	press_sym(KEYSYM_ENTER);
	ck_assert_int_eq(v->open.kind, VIEW_DETAIL);
	ck_assert_int_eq(v->open.ticket, 2013);

	/* End, then down past the end stays on the last row */
	press_sym(KEYSYM_END);
	press_sym(KEYSYM_DOWN);
	press_sym(KEYSYM_ENTER);
	ck_assert_int_eq(v->open.ticket, 2015);
	press(KEYMAP_CTRL('b'));	/* page up: back to the first row */
	press_sym(KEYSYM_ENTER);
	ck_assert_int_eq(v->open.ticket, 2013);
}
END_TEST

START_TEST(test_keys)
{
	/* q and Esc close; help and quit are the caller's */
	ck_assert_uint_eq(press('q'), UI_HANDLED | UI_CLOSE);
	ck_assert_uint_eq(press_sym(KEYSYM_ESC), UI_HANDLED | UI_CLOSE);
	ck_assert_uint_eq(press('?') & UI_HANDLED, 0);
	ck_assert_uint_eq(press('Q') & UI_HANDLED, 0);
	ck_assert_int_eq(v->open.kind, VIEW_NONE);
	/* a ticket action opens the detail with it started */
	ck_assert_uint_eq(press('a') & UI_OPEN, UI_OPEN);
	ck_assert_int_eq(v->open.kind, VIEW_DETAIL);
	ck_assert_int_eq(v->open.ticket, 2010);
	ck_assert_int_eq(v->open.action, ACTION_NOTE);
}
END_TEST

/* The hint bar names the screens a supervisor opens from here, at 80 columns in both
 * languages, and each key it names opens its screen. */
START_TEST(test_hints_boards)
{
	static const struct {
		int key;
		const char *en, *zh;
		enum view_kind kind;
	} h[] = {
		{ 'P', "P suppliers", "P 供应商", VIEW_SUPPLIERS },
		{ 'W', "W agents", "W 坐席", VIEW_AGENTS },
		{ 'v', "v surveys", "v 回访", VIEW_SURVEYS },
		{ 'M', "M map", "M 地图", VIEW_MAP },
	};

	for (int zh = 0; zh < 2; zh++) {
		load_lang(zh ? "zh_CN" : "en");
		draw(80, 24);
		for (size_t i = 0; i < ARRAY_LEN(h); i++)
			ck_assert_msg(strstr(harness_row(23), zh ? h[i].zh : h[i].en) != NULL,
			    "%s not in the hints: %s", zh ? h[i].zh : h[i].en, harness_row(23));
		ck_assert_ptr_nonnull(strstr(harness_row(23), zh ? "? 帮助" : "? help"));
	}
	for (size_t i = 0; i < ARRAY_LEN(h); i++) {
		ck_assert_uint_eq(press(h[i].key) & UI_OPEN, UI_OPEN);
		ck_assert_int_eq(v->open.kind, h[i].kind);
	}
}
END_TEST

/* The status line never ends in a separator: with a waiting_agent warning and the demo
 * mark, user names of every length push "to assign 1" out at some point; it goes with its
 * " · ", in both languages. */
START_TEST(test_status_no_dangling)
{
	char name[32];
	int dropped = 0, shown = 0;

	rd_strlcpy(warnings[1].kind, "waiting_agent", sizeof warnings[1].kind);
	model_refresh(&m, NOW);
	m.demo = true;
	m.hb_age_ms = 5000;
	for (int zh = 0; zh < 2; zh++) {
		load_lang(zh ? "zh_CN" : "en");
		for (int len = 1; len < 24; len++) {
			memset(name, 'u', (size_t)len);
			name[len] = '\0';
			rd_strlcpy(m.user, name, sizeof m.user);
			draw(80, 24);
			char row[512];
			rd_strlcpy(row, harness_row(22), sizeof row);
			char *demo = strstr(row, i18n_tr("status.demo"));
			ck_assert_ptr_nonnull(demo);
			*demo = '\0';
			size_t n = strlen(row);
			while (n > 0 && row[n - 1] == ' ')
				row[--n] = '\0';
			ck_assert_msg(n < 2 || strcmp(row + n - 2, "\xc2\xb7") != 0,
			    "a separator at the end: %s", row);
			bool has = strstr(row, i18n_tr("status.waiting_agent")) != NULL;
			dropped += !has;
			shown += has;
		}
	}
	ck_assert_int_gt(dropped, 0);	/* the case was met */
	ck_assert_int_gt(shown, 0);
}
END_TEST

START_TEST(test_board_opens_kpi)
{
	struct key k = { 'K', false };

	ck_assert_int_eq(keymap_lookup(SCOPE_BOARD, &k), ACTION_KPI);
	ck_assert_int_eq(keymap_lookup(SCOPE_TICKET, &k), ACTION_NONE);
	view_destroy(v);
	v = view_board_create();
	ck_assert_uint_eq(press('K'), UI_HANDLED | UI_REDRAW | UI_OPEN);
	ck_assert_int_eq(v->open.kind, VIEW_KPI);
}
END_TEST

/* The diagnosis tiles come from stats.kpi: asked when the view opens, "no data" until the
 * answer, asked again only after 5 s of wall time (broker time over time_scale). */
static const struct proto_kpi kpi_answer = {
	.closed = 125, .cancelled = 9, .resolved_remote = 8, .phone_rate = 0.064,
	.diag_sessions = 40, .diag_then_dispatched = 29, .dispatched_direct = 80,
	.diag_median_s = 250, .saved_wait_s = 8 * 3600 + 20 * 60, .mean_response_s = 1500,
	.within_promise = 0.9,
};

START_TEST(test_kpi_poll)
{
	struct proto_kpi k = kpi_answer;

	ck_assert_int_eq(harness_rec.kpi, 1);
	draw(80, 24);
	ck_assert(screen_has("no data"));
	ck_assert(screen_has("asking the broker"));
	view_refresh(v, &m);			/* in flight: not again */
	ck_assert_int_eq(harness_rec.kpi, 1);
	harness_answer_kpi(&m, &k);
	draw(80, 24);
	ck_assert(!screen_has("no data"));
	ck_assert(screen_has("6.4%"));		/* 8 / 125: cancelled are not in closed */
	ck_assert(screen_has("8/125"));
	ck_assert(screen_has("29"));
	ck_assert(screen_has("of 40"));
	ck_assert(screen_has("direct 80"));
	ck_assert(screen_has("4m"));		/* median 250 s */
	ck_assert(screen_has("8h20"));		/* time saved */
	ck_assert_int_eq(harness_role_at(harness_find_row("6.4%"), "6.4%"), ROLE_OK);
	/* 4 s later: not yet; at 5 s: again (time_scale 1) */
	model_refresh(&m, NOW + 4000);
	view_refresh(v, &m);
	ck_assert_int_eq(harness_rec.kpi, 1);
	model_refresh(&m, NOW + 5000);
	view_refresh(v, &m);
	ck_assert_int_eq(harness_rec.kpi, 2);
	/* a failed answer keeps the figures held, and the next poll asks again */
	harness_answer_error(&m, harness_rec.kpi_cmd, PROTO_E_UNAVAILABLE, "busy");
	draw(80, 24);
	ck_assert(screen_has("8/125"));
	/* a lower rate than the reference is a warning */
	k.resolved_remote = 5;
	k.phone_rate = 0.04;
	model_refresh(&m, NOW + 10000);
	view_refresh(v, &m);
	ck_assert_int_eq(harness_rec.kpi, 3);
	harness_answer_kpi(&m, &k);
	draw(80, 24);
	ck_assert(screen_has("4.0%"));
	ck_assert_int_eq(harness_role_at(harness_find_row("4.0%"), "4.0%"), ROLE_WARN);
}
END_TEST

START_TEST(test_kpi_scale)
{
	/* demo time runs 30 times faster: 5 s of wall time is 150 s of broker time */
	m.time_scale = 30;
	harness_answer_kpi(&m, &kpi_answer);
	model_refresh(&m, NOW + 100000);
	view_refresh(v, &m);
	ck_assert_int_eq(harness_rec.kpi, 1);
	model_refresh(&m, NOW + 150000);
	view_refresh(v, &m);
	ck_assert_int_eq(harness_rec.kpi, 2);
}
END_TEST

/* A day's counts in four digits: at 80 columns a tile's detail keeps its numbers whole and
 * leaves words out ("110/4…" was a wrong number); from 120 columns it is whole. */
START_TEST(test_tiles_big)
{
	static const struct proto_kpi big = {
		.closed = 4680, .cancelled = 9, .resolved_remote = 1100, .phone_rate = 0.235,
		.diag_sessions = 1347, .diag_then_dispatched = 351, .dispatched_direct = 9960,
		.diag_median_s = 70, .saved_wait_s = 62 * 3600, .mean_response_s = 1500,
	};
	static const struct { const char *lang; int cols, rows; const char *has[4]; } t[] = {
		{ "en", 80, 24, { "1100/4680", "of 1347", "1100 by phone", NULL } },
		{ "zh_CN", 80, 24, { "1100/4680", "共 1347", "1100 位电话解决", NULL } },
		{ "en", 120, 40, { "ref: 6.4% · 1100/4680", "of 1347 · direct 9960",
		    "1100 solved by phone", NULL } },
	};

	harness_answer_kpi(&m, &big);
	for (size_t i = 0; i < ARRAY_LEN(t); i++) {
		load_lang(t[i].lang);
		draw(t[i].cols, t[i].rows);
		for (int k = 0; t[i].has[k] != NULL; k++)
			ck_assert_msg(harness_screen_has(t[i].has[k]), "%s %d: no %s", t[i].lang,
			    t[i].cols, t[i].has[k]);
		ck_assert(!harness_screen_has("1100/4…"));
		ck_assert(!harness_screen_has("direct …"));
	}
}
END_TEST

START_TEST(test_golden_kpi)
{
	harness_answer_kpi(&m, &kpi_answer);
	load_lang(goldens[_i].lang);
	draw(goldens[_i].cols, goldens[_i].rows);
	check_golden(goldens[_i].name_kpi);
}
END_TEST

/* ---------------------------------------------------------------- regions' warnings */

/* Three capacity warnings (ticket 0: a region's), one cleared, on top of the base ones:
 * the overdue board, the counts and the board stay as they were; the view lists them. */
static const struct proto_warning region_warnings[] = {
	{ .id = 20, .ticket = 0, .kind = "capacity", .level = "amber",
	    .text = "no able truck free in ningxiang for 5 min (0 calls waiting for a truck)",
	    .ts = NOW - 2 * MIN_MS, .since = NOW - 7 * MIN_MS, .region = "ningxiang" },
	{ .id = 21, .ticket = 0, .kind = "capacity", .level = "red",
	    .text = "no able truck free in changsha for 6 min (2 calls waiting for a truck)",
	    .ts = NOW - 3 * MIN_MS, .since = NOW - 9 * MIN_MS, .region = "changsha",
	    .waiting = 2 },
	{ .id = 22, .ticket = 0, .kind = "capacity", .level = "red", .cleared = true,
	    .text = "cleared", .ts = NOW - MIN_MS, .since = NOW - 30 * MIN_MS,
	    .region = "aba" },
};

static struct proto_warning *all_warnings;

static void
setup_regions(void)
{
	size_t nb = ARRAY_LEN(base_warnings), nr = ARRAY_LEN(region_warnings);
	struct harness_fixture f = {
		HARNESS_TABLES(base_tickets, base_trucks, base_warnings),
		.data = &data, .user = "wangli", .role = MODEL_ROLE_SUPERVISOR, .now = NOW,
	};

	all_warnings = xcalloc(nb + nr, sizeof *all_warnings);
	memcpy(all_warnings, base_warnings, sizeof base_warnings);
	memcpy(all_warnings + nb, region_warnings, sizeof region_warnings);
	f.warnings = all_warnings;
	f.n_warnings = nb + nr;
	load_lang("en");
	harness_model_init(&m, &f);
	tickets = harness_tickets;
	warnings = harness_warnings;
	model_refresh(&m, NOW);
	vs = vscreen_create(80, 24);
	harness_bind(&m, &vs, &v, "check-view-kpi");
	v = view_kpi_create(&m);
}

static void
teardown_regions(void)
{
	teardown();
	free(all_warnings);
}

START_TEST(test_region_warnings)
{
	const struct proto_warning *w[4];
	const struct proto_ticket *out[8];

	/* red first; the cleared one left out */
	ck_assert_uint_eq(view_kpi_region_warnings(&m, w, ARRAY_LEN(w)), 2);
	ck_assert_int_eq(w[0]->id, 21);
	ck_assert_int_eq(w[1]->id, 20);
	ck_assert_uint_eq(view_kpi_region_warnings(&m, w, 1), 2);
	/* on no ticket: no level for "ticket 0", no warnings of it, the same counts and
	 * overdue board as without them */
	ck_assert_int_eq(model_warn_level(&m, 0), 0);
	ck_assert_uint_eq(model_ticket_warnings(&m, 0, w, ARRAY_LEN(w)), 0);
	ck_assert_uint_eq(view_kpi_overdue(&m, out, ARRAY_LEN(out)), 4);
	size_t late = m.n_late, risk = m.n_risk, open = m.n_open;
	for (size_t i = ARRAY_LEN(base_warnings); i < m.n_warnings; i++)
		warnings[i].cleared = true;
	model_refresh(&m, NOW);
	ck_assert_uint_eq(m.n_late, late);
	ck_assert_uint_eq(m.n_risk, risk);
	ck_assert_uint_eq(m.n_open, open);
	warnings[6].cleared = warnings[7].cleared = false;
	model_refresh(&m, NOW);

	draw(120, 40);
	ck_assert(screen_has("Regions without a free truck"));
	ck_assert(screen_has("no able truck free for 9 min, calls waiting for a truck: 2"));
	ck_assert(screen_has("no able truck free for 7 min"));
	ck_assert(screen_has("since 05:56"));
	ck_assert(!screen_has("Aba"));
	ck_assert(harness_find_row("waiting for a truck: 2") < harness_find_row("for 7 min"));
	harness_assert_safe();
}
END_TEST

/* More than the rows shown: the last row tells how many more. */
START_TEST(test_region_warnings_more)
{
	const struct proto_warning *w[4];

	warnings[8].cleared = false;
	warnings[5].ticket = 0;	/* the cancelled ticket's stale one becomes a region's */
	rd_strlcpy(warnings[5].kind, "capacity", sizeof warnings[5].kind);
	rd_strlcpy(warnings[5].region, "hills", sizeof warnings[5].region);
	warnings[5].since = NOW - 60 * MIN_MS;
	model_refresh(&m, NOW);
	ck_assert_uint_eq(view_kpi_region_warnings(&m, w, ARRAY_LEN(w)), 4);
	ck_assert_int_eq(w[0]->id, 6);	/* red, the oldest */
	draw(120, 40);
	ck_assert(screen_has("(more: 1)"));
	ck_assert(screen_has("hills"));	/* a region the data does not know: its id */
	harness_assert_safe();
}
END_TEST

START_TEST(test_region_golden)
{
	harness_golden("kpi-capacity", 120, 40, "en");
	harness_golden("kpi-capacity", 80, 24, "zh_CN");
}
END_TEST

/* The board and the detail of a ticket with region warnings about: nothing of them on a
 * ticket's row. */
START_TEST(test_region_board)
{
	view_destroy(v);
	v = view_board_create();
	draw(120, 40);
	ck_assert(!screen_has("no able truck"));
	ck_assert(harness_find_row("2012") >= 0);
	harness_assert_safe();
}
END_TEST

START_TEST(test_too_small)
{
	draw(60, 20);
	ck_assert(!screen_has("Service levels"));
}
END_TEST

static Suite *
kpi_suite(void)
{
	Suite *s = suite_create("view-kpi");
	TCase *tc;

	tc = tcase_create("figures");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_stats);
	tcase_add_loop_test(tc, test_p90, 0, ARRAY_LEN(p90_cases));
	tcase_add_test(tc, test_empty);
	suite_add_tcase(s, tc);

	tc = tcase_create("overdue");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_overdue_order);
	tcase_add_test(tc, test_overdue_narrow);
	tcase_add_test(tc, test_enter_opens_detail);
	tcase_add_test(tc, test_keys);
	tcase_add_test(tc, test_board_opens_kpi);
	tcase_add_test(tc, test_hints_boards);
	tcase_add_test(tc, test_status_no_dangling);
	suite_add_tcase(s, tc);

	tc = tcase_create("screens");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, test_golden, 0, ARRAY_LEN(goldens));
	tcase_add_loop_test(tc, test_golden_kpi, 0, ARRAY_LEN(goldens));
	tcase_add_test(tc, test_kpi_poll);
	tcase_add_test(tc, test_kpi_scale);
	tcase_add_test(tc, test_tiles_big);
	tcase_add_test(tc, test_too_small);
	suite_add_tcase(s, tc);

	tc = tcase_create("regions");
	tcase_add_checked_fixture(tc, setup_regions, teardown_regions);
	tcase_add_test(tc, test_region_warnings);
	tcase_add_test(tc, test_region_warnings_more);
	tcase_add_test(tc, test_region_golden);
	tcase_add_test(tc, test_region_board);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	setenv("TZ", "UTC", 1);
	tzset();
	return harness_screen_main(kpi_suite(), "check-view-kpi");
}
