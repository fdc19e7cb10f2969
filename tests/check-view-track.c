/* check-view-track.c: the truck's track in the ticket detail (ui/track.c, drawn with
 * ui/plot.c): the detail asks for ticket.track once per truck when it opens, shows nothing
 * until the answer, then the distance to the car over time, with the positions the truck
 * stream brings while it is open; another truck starts afresh; the rows it takes leave the
 * timeline its room; goldens at 80x24 and 200x60 in English and Chinese, with the recording
 * app of harness-model.h.
 *
 * Goldens are tests/golden/detail-track-<cols>x<rows>[-zh].screen (RD_UPDATE_GOLDEN=1
 * rewrites them; then read the diff). The locale is C.UTF-8 and TZ=UTC. Run from the
 * source root, or set RD_SRCDIR to it. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "geo.h"
#include "harness-model.h"
#include "harness-screen.h"
#include "i18n.h"
#include "model.h"
#include "track.h"
#include "util.h"
#include "view-detail.h"

#define MIN_MS (60 * 1000LL)
#define NOW 1773468300000LL	/* 2026-03-14 06:05:00 UTC */
#define CAR_LAT 28.1779
#define CAR_LON 112.9429

static struct data_supplier cs_suppliers[] = {
	{ .id = "xy", .name = "湘运救援 Xiangyun Rescue" },
};
static struct data_region regions[] = {
	{ .id = "changsha", .name = "Changsha", .name_zh = "长沙", .lat = 28.2282,
	    .lon = 112.9388, .radius_km = 30, .suppliers = cs_suppliers, .n_suppliers = 1 },
};
static struct data data = { .regions = regions, .n_regions = 1,
	.sla = { .not_accepted_s = 300, .gps_stale_s = 90, .stalled_s = 300,
	    .late_margin_s = 300, .window_pct = 80 } };

static struct proto_ticket base_tickets[] = {
	{ .id = 3001, .state = "en_route", .region = "changsha", .customer = "欧阳娜娜",
	    .phone = "13812345678", .plate = "湘AD12345", .model = "比亚迪 汉 EV",
	    .lat = CAR_LAT, .lon = CAR_LON, .address = "湖南省长沙市岳麓区麓山南路932号",
	    .fault = "battery", .truck = "CSH-XY-V01", .created = NOW - 20 * MIN_MS,
	    .promised = NOW + 15 * MIN_MS, .eta = NOW + 6 * MIN_MS, .eta_src = "model",
	    .t_dispatched = NOW - 17 * MIN_MS, .t_accepted = NOW - 16 * MIN_MS,
	    .t_en_route = NOW - 15 * MIN_MS, .ver = 5, .created_by = "zhangwei",
	    .present = PROTO_ALL },
};

/* 1.0 km north of the car, 12 s ago */
static struct proto_truck base_trucks[] = {
	{ .id = "CSH-XY-V01", .supplier = "xy", .kind = "van", .region = "changsha",
	    .status = "en_route", .lat = CAR_LAT + 1.0 / 111.195, .lon = CAR_LON,
	    .fix_ts = NOW - 12000, .speed_kmh = 30, .ticket = 3001, .present = PROTO_ALL },
	{ .id = "CSH-XY-V02", .supplier = "xy", .kind = "van", .region = "changsha",
	    .status = "assigned", .lat = CAR_LAT + 3.0 / 111.195, .lon = CAR_LON,
	    .fix_ts = NOW - 5000, .present = PROTO_ALL },
};

static struct proto_warning base_warnings[] = {
	{ .id = 1, .ticket = 0, .kind = "overdue", .level = "red", .text = "-", .ts = NOW },
};

static const struct proto_event base_events[] = {
	{ .id = 1, .ts = NOW - 20 * MIN_MS, .kind = "created", .detail = "-", .user = "zhangwei" },
	{ .id = 2, .ts = NOW - 17 * MIN_MS, .kind = "offer", .detail = "CSH-XY-V01" },
	{ .id = 3, .ts = NOW - 16 * MIN_MS, .kind = "accept", .detail = "CSH-XY-V01" },
	{ .id = 4, .ts = NOW - 15 * MIN_MS, .kind = "state", .detail = "-" },
};

/* Since the offer, a fix every minute: on its way from 2.1 km, a wrong turn out to 2.8 km,
 * back, stalled at 1.4 km for four minutes, then on its way again (the model's position,
 * 1.0 km at NOW - 12 s, is the newest). */
static const double track_km[] = {
	2.1, 1.9, 1.8, 2.1, 2.5, 2.8, 2.4, 1.9, 1.4, 1.4, 1.4, 1.4, 1.4, 1.2, 1.1, 1.05,
};
static struct proto_track_fix fixes[ARRAY_LEN(track_km)];

static void
make_fixes(void)
{
	for (size_t i = 0; i < ARRAY_LEN(track_km); i++) {
		fixes[i].ts = NOW - 17 * MIN_MS + (int64_t)i * MIN_MS;
		fixes[i].lat = CAR_LAT + track_km[i] / 111.195;
		fixes[i].lon = CAR_LON;
		fixes[i].dist_m = track_km[i] * 1000;
		fixes[i].present = PROTO_ALL;
	}
}

#define press(c) harness_press(c)
#define draw(c, r) harness_draw(c, r)
#define check_golden(n) harness_check_golden(n)
#define screen_has(s) harness_screen_has(s)
#define rec harness_rec

static struct model m;
static struct vscreen *vs;
static struct view *v;

static void
setup(void)
{
	static const struct harness_fixture f = {
		.tickets = base_tickets, .n_tickets = ARRAY_LEN(base_tickets),
		.trucks = base_trucks, .n_trucks = ARRAY_LEN(base_trucks),
		.warnings = base_warnings, .n_warnings = 0,
		.data = &data, .user = "zhangwei", .role = MODEL_ROLE_AGENT, .now = NOW,
	};

	harness_lang("en");
	harness_model_init(&m, &f);
	model_refresh(&m, NOW);
	make_fixes();
	track_set_glyphs(PLOT_BRAILLE);
	vs = vscreen_create(80, 24);
	harness_bind(&m, &vs, &v, "check-view-track");
	v = NULL;
}

static void
teardown(void)
{
	if (v != NULL) {
		model_forget(&m, v);
		view_destroy(v);
	}
	harness_model_finish(&m);
	vscreen_destroy(vs);
	i18n_unload();
}

/* The detail of 3001 with its history and its track answered. */
static void
open_answered(void)
{
	v = view_detail_create(&m, 3001, ACTION_NONE);
	harness_answer_history(&m, base_tickets[0].ver, base_events, ARRAY_LEN(base_events));
	harness_answer_track(&m, "CSH-XY-V01", fixes, ARRAY_LEN(fixes));
}

static const struct {
	int cols, rows;
	const char *lang;
} goldens[] = {
	{ 80, 24, "en" }, { 80, 24, "zh_CN" }, { 200, 60, "en" }, { 200, 60, "zh_CN" },
};

START_TEST(test_golden)
{
	open_answered();
	harness_golden("detail-track", goldens[_i].cols, goldens[_i].rows, goldens[_i].lang);
	if (strcmp(goldens[_i].lang, "zh_CN") == 0) {	/* no English word of the plot's */
		ck_assert(!screen_has("ago"));
		ck_assert(!screen_has("now"));
		ck_assert(!screen_has("distance"));
		ck_assert(screen_has("公里"));
	}
}
END_TEST

/* Asked once when the detail opens, for its truck; nothing drawn until the answer; the
 * timeline keeps its rows then. */
START_TEST(test_asks_once)
{
	v = view_detail_create(&m, 3001, ACTION_NONE);
	ck_assert_int_eq(rec.track, 1);
	ck_assert_int_eq(rec.track_id, 3001);
	harness_answer_history(&m, base_tickets[0].ver, base_events, ARRAY_LEN(base_events));
	view_refresh(v, &m);
	press('j');
	ck_assert_int_eq(rec.track, 1);
	draw(80, 24);
	ck_assert(!screen_has("distance to the car"));
	int tl = harness_find_row("Timeline");
	harness_answer_track(&m, "CSH-XY-V01", fixes, ARRAY_LEN(fixes));
	draw(80, 24);
	ck_assert(screen_has("distance to the car"));
	ck_assert(screen_has("3 km"));
	ck_assert(screen_has("17 min ago"));
	ck_assert_int_eq(harness_find_row("Timeline"), tl + 3);
	ck_assert_int_eq(harness_role_at(harness_find_row("3 km"), "\xe2"), ROLE_OK);
	view_refresh(v, &m);
	ck_assert_int_eq(rec.track, 1);
}
END_TEST

/* The model's positions are appended while it is open; another truck starts afresh and
 * the old truck's late answer is dropped; a failed query is asked again. */
START_TEST(test_follow)
{
	struct track tr;
	int owner;

	track_init(&tr, 3001);
	track_sync(&tr, &m, &owner);
	ck_assert_int_eq(rec.track, 1);
	ck_assert_int_eq(tr.n, 0);	/* nothing before the answer */
	harness_answer_track(&m, "CSH-XY-V01", fixes, ARRAY_LEN(fixes));
	ck_assert(tr.held);
	/* the broker's fixes, then the model's newer position */
	ck_assert_uint_eq(tr.n, ARRAY_LEN(fixes) + 1);
	ck_assert_int_eq(tr.ts[tr.n - 1], NOW - 12000);
	ck_assert_double_eq_tol(tr.dist_m[tr.n - 1], 1000, 1.0);
	/* the truck moves: one more point; the same position again: none */
	harness_trucks[0].fix_ts = NOW + 20000;
	harness_trucks[0].lat = CAR_LAT + 0.5 / 111.195;
	model_refresh(&m, NOW + 20000);
	track_sync(&tr, &m, &owner);
	track_sync(&tr, &m, &owner);
	ck_assert_uint_eq(tr.n, ARRAY_LEN(fixes) + 2);
	ck_assert_double_eq_tol(tr.dist_m[tr.n - 1], 500, 1.0);
	ck_assert_int_eq(rec.track, 1);
	/* another truck: asked afresh, the old truck's answer does not count */
	rd_strlcpy(harness_tickets[0].truck, "CSH-XY-V02", sizeof harness_tickets[0].truck);
	model_refresh(&m, NOW + 20000);
	track_sync(&tr, &m, &owner);
	ck_assert_int_eq(rec.track, 2);
	ck_assert_uint_eq(tr.n, 0);
	harness_answer_track(&m, "CSH-XY-V01", fixes, ARRAY_LEN(fixes));
	ck_assert(!tr.held);
	ck_assert_uint_eq(tr.n, 0);
	track_sync(&tr, &m, &owner);
	ck_assert_int_eq(rec.track, 3);
	harness_answer_none(&m, rec.track_cmd, "timeout");
	ck_assert(!tr.asked);
	track_sync(&tr, &m, &owner);
	ck_assert_int_eq(rec.track, 4);
	harness_answer_track(&m, "CSH-XY-V02", fixes, 0);
	ck_assert(tr.held);
	ck_assert_uint_eq(tr.n, 1);	/* only the model's position */
	ck_assert_double_eq_tol(tr.dist_m[0], 3000, 1.0);
	model_forget(&m, &owner);
	track_finish(&tr);
}
END_TEST

/* A long job: the points stay within TRACK_POINTS_MAX, the first and the newest kept. */
START_TEST(test_thinned)
{
	struct track tr;
	int owner;

	track_init(&tr, 3001);
	track_sync(&tr, &m, &owner);
	harness_answer_track(&m, "CSH-XY-V01", fixes, 1);
	for (int i = 1; i <= 1000; i++) {
		harness_trucks[0].fix_ts = NOW + i * 1000LL;
		model_refresh(&m, NOW + i * 1000LL);
		track_sync(&tr, &m, &owner);
		ck_assert_uint_le(tr.n, TRACK_POINTS_MAX);
	}
	ck_assert_int_eq(tr.ts[0], fixes[0].ts);
	ck_assert_int_eq(tr.ts[tr.n - 1], NOW + 1000000);
	for (size_t i = 1; i < tr.n; i++)
		ck_assert_int_gt(tr.ts[i], tr.ts[i - 1]);
	model_forget(&m, &owner);
	track_finish(&tr);
}
END_TEST

/* The rows: 3 at 24, more on a taller screen, none without the timeline's room or data. */
START_TEST(test_rows)
{
	struct track tr;

	track_init(&tr, 3001);
	ck_assert_int_eq(track_rows(&tr, 24, 20), 0);	/* nothing held */
	tr.held = true;
	tr.n = 1;
	ck_assert_int_eq(track_rows(&tr, 24, 20), 3);
	ck_assert_int_eq(track_rows(&tr, 24, 9), 3);
	ck_assert_int_eq(track_rows(&tr, 24, 8), 0);	/* the timeline keeps 6 */
	ck_assert_int_eq(track_rows(&tr, 40, 30), 6);
	ck_assert_int_eq(track_rows(&tr, 60, 45), 9);
	ck_assert_int_eq(track_rows(&tr, 60, 13), 7);
	ck_assert_int_eq(track_rows(&tr, 200, 190), 12);
	track_finish(&tr);
}
END_TEST

/* Blocks and ASCII for the terminals that need them. */
START_TEST(test_glyphs)
{
	open_answered();
	track_set_glyphs(PLOT_ASCII);
	draw(80, 24);
	ck_assert(screen_has("*"));
	ck_assert(!screen_has("\xe2\xa0") && !screen_has("\xe2\xa1") && !screen_has("\xe2\xa3"));
	track_set_glyphs(PLOT_BLOCKS);
	draw(80, 24);
	ck_assert(screen_has("\xe2\x96\x88"));	/* a full block */
}
END_TEST

static Suite *
track_suite(void)
{
	Suite *s = suite_create("view-track");
	TCase *tc = tcase_create("track");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, test_golden, 0, ARRAY_LEN(goldens));
	tcase_add_test(tc, test_asks_once);
	tcase_add_test(tc, test_follow);
	tcase_add_test(tc, test_thinned);
	tcase_add_test(tc, test_rows);
	tcase_add_test(tc, test_glyphs);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	setenv("TZ", "UTC", 1);
	tzset();
	return harness_screen_main(track_suite(), "check-view-track");
}
