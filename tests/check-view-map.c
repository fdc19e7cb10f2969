/* check-view-map.c: the live map (ui/view-map.c): goldens at 80x24 and 200x60 in English
 * and Chinese, whole and centred on a ticket with its truck and track; M opens it from
 * the board, the detail and the supervisor's screen; Tab walks the region's open
 * tickets most urgent first and asks for the selected one's track; Enter opens the
 * detail; r, 0, zoom and pan; the marks follow the model (a truck moves, a ticket turns
 * late); ASCII glyphs for a terminal that is not UTF-8, with English names.
 *
 * Goldens are tests/golden/map-*.screen (RD_UPDATE_GOLDEN=1 rewrites them; then read the
 * diff). The locale is C.UTF-8 and TZ=UTC. Run from the source root, or set RD_SRCDIR. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "harness-model.h"
#include "harness-screen.h"
#include "i18n.h"
#include "model.h"
#include "track.h"
#include "util.h"
#include "view-board.h"
#include "view-detail.h"
#include "view-kpi.h"
#include "view-map.h"

#define MIN_MS (60 * 1000LL)
#define NOW 1773468300000LL	/* 2026-03-14 06:05:00 UTC */
#define KM_LAT (1 / 111.195)

static struct data_landmark cs_landmarks[] = {
	{ "五一广场 Wuyi Square", 28.1960, 112.9768, 0 },
	{ "长沙南站 Changsha South Railway Station", 28.1497, 113.0650, 0 },
	{ "长沙火车站 Changsha Railway Station", 28.1944, 113.0130, 0 },
	{ "橘子洲 Orange Isle", 28.1800, 112.9615, 0 },
	{ "岳麓山 Yuelu Mountain", 28.1840, 112.9360, 0 },
	{ "湖南大学 Hunan University", 28.1810, 112.9450, 0 },
	{ "黄花机场 Huanghua Airport", 28.1892, 113.2196, 0 },
	{ "梅溪湖 Meixi Lake", 28.1950, 112.8820, 0 },
	{ "洋湖湿地公园 Yanghu Wetland Park", 28.1090, 112.9280, 0 },
	{ "湖南省博物馆 Hunan Museum", 28.2118, 112.9950, 0 },
	{ "月湖公园 Yuehu Park", 28.2390, 113.0050, 0 },
	{ "星沙 Xingsha", 28.2370, 113.0800, 0 },
	{ "G4京港澳高速 星沙互通 G4 Xingsha Interchange", 28.2550, 113.0980, 1 },
	{ "G4京港澳高速 暮云 G4 near Muyun", 28.0430, 112.9950, 1 },
	{ "G5513长张高速 观沙岭 G5513 near Guanshaling", 28.2420, 112.9300, 1 },
};
static struct data_landmark nx_landmarks[] = {
	{ "玉潭 Yutan (town centre)", 28.2530, 112.5530, 0 },
	{ "灰汤温泉 Huitang Hot Spring", 27.9950, 112.3280, 0 },
};
static struct data_supplier suppliers[] = {
	{ .id = "xy", .name = "湘运救援 Xiangyun Rescue" },
};
static struct data_region regions[] = {
	{ .id = "changsha", .name = "Changsha", .name_zh = "长沙", .lat = 28.2282,
	    .lon = 112.9388, .radius_km = 30, .landmarks = cs_landmarks,
	    .n_landmarks = ARRAY_LEN(cs_landmarks), .suppliers = suppliers, .n_suppliers = 1,
	    .auto_dispatch = 1 },
	{ .id = "ningxiang", .name = "Ningxiang", .name_zh = "宁乡", .lat = 28.2530,
	    .lon = 112.5530, .radius_km = 35, .landmarks = nx_landmarks,
	    .n_landmarks = ARRAY_LEN(nx_landmarks), .suppliers = suppliers, .n_suppliers = 1,
	    .auto_dispatch = 1 },
};
static struct data data = { .regions = regions, .n_regions = ARRAY_LEN(regions),
	.sla = { .not_accepted_s = 300, .gps_stale_s = 90, .stalled_s = 300,
	    .late_margin_s = 300, .window_pct = 80 } };

#define TICKET(id_, st, lat_, lon_, truck_, created_, promised_, eta_)                 \
	{ .id = id_, .state = st, .region = "changsha", .customer = "欧阳娜娜",         \
	    .phone = "13812345678", .plate = "湘AD12345", .model = "比亚迪 汉 EV",      \
	    .lat = lat_, .lon = lon_, .address = "岳麓区麓山南路932号", .fault = "battery", \
	    .truck = truck_, .created = NOW - (created_) * MIN_MS,                      \
	    .promised = NOW + (promised_) * MIN_MS, .eta = (eta_) ? NOW + (eta_) * MIN_MS : 0, \
	    .eta_src = "model", .ver = 5, .created_by = "zhangwei", .present = PROTO_ALL }

/* on time with its truck 3 km north (the track), late (nobody yet), at risk, on scene,
 * closed (not shown), and one in Ningxiang */
static struct proto_ticket base_tickets[] = {
	TICKET(3001, "en_route", 28.1779, 112.9429, "CSH-XY-V01", 20, 25, 6),
	TICKET(3002, "new", 28.2300, 113.0500, "", 70, -10, 0),
	TICKET(3003, "accepted", 28.1200, 112.9900, "CSH-XY-V03", 30, 8, 7),
	TICKET(3004, "on_scene", 28.2450, 112.8900, "CSH-XY-V04", 40, -5, 0),
	TICKET(3005, "closed", 28.2000, 112.9000, "", 90, -30, 0),
	{ .id = 4001, .state = "new", .region = "ningxiang", .customer = "李雷",
	    .phone = "13900000000", .plate = "湘A00001", .lat = 28.2600, .lon = 112.5600,
	    .fault = "tyre", .created = NOW - 5 * MIN_MS, .promised = NOW + 40 * MIN_MS,
	    .ver = 1, .present = PROTO_ALL },
};

#define TRUCK(id_, st, lat_, lon_, age_s)                                               \
	{ .id = id_, .supplier = "xy", .kind = "van", .region = "changsha", .status = st, \
	    .lat = lat_, .lon = lon_, .fix_ts = NOW - (age_s) * 1000LL, .present = PROTO_ALL }

static struct proto_truck base_trucks[] = {
	TRUCK("CSH-XY-V01", "en_route", 28.1779 + 1.0 * KM_LAT, 112.9429, 12),
	TRUCK("CSH-XY-V02", "available", 28.3000, 113.0000, 5),
	TRUCK("CSH-XY-V03", "assigned", 28.0900, 113.0300, 20),
	TRUCK("CSH-XY-V04", "on_scene", 28.2450, 112.8900, 30),
	TRUCK("CSH-XY-V05", "offered", 28.2700, 112.9600, 10),
	TRUCK("CSH-XY-V06", "available", 28.1500, 112.8500, 600),	/* no fix for 10 min */
	TRUCK("CSH-XY-V07", "off_duty", 28.2282, 112.9388, 5),		/* not shown */
};

static struct proto_warning base_warnings[] = {
	{ .id = 1, .ticket = 0, .kind = "overdue", .level = "red", .text = "-", .ts = NOW },
};

/* The truck of 3001 since the offer: from 3 km south-west, a detour east, then north
 * to 1 km north of the car... drawn from the broker's fixes (lat, lon). */
static const double track_km[][2] = {	/* north, east of the car */
	{ -3.0, -2.0 }, { -2.6, -1.6 }, { -2.2, -1.0 }, { -2.0, 0.0 }, { -1.8, 1.2 },
	{ -1.2, 1.6 }, { -0.4, 1.6 }, { 0.4, 1.2 }, { 0.9, 0.5 }, { 1.0, 0.1 },
};
static struct proto_track_fix fixes[ARRAY_LEN(track_km)];

static void
make_fixes(void)
{
	for (size_t i = 0; i < ARRAY_LEN(track_km); i++) {
		fixes[i].ts = NOW - 17 * MIN_MS + (int64_t)i * MIN_MS;
		fixes[i].lat = 28.1779 + track_km[i][0] * KM_LAT;
		fixes[i].lon = 112.9429 + track_km[i][1] * KM_LAT / 0.8812;
		fixes[i].dist_m = 1000;
		fixes[i].present = PROTO_ALL;
	}
}

#define press(c) harness_press(c)
#define draw(c, r) harness_draw(c, r)
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
		.data = &data, .user = "wangfang", .role = MODEL_ROLE_SUPERVISOR, .now = NOW,
	};

	harness_lang("en");
	harness_model_init(&m, &f);
	model_refresh(&m, NOW);
	make_fixes();
	track_set_glyphs(PLOT_BRAILLE);
	vs = vscreen_create(80, 24);
	harness_bind(&m, &vs, &v, "check-view-map");
	v = NULL;
}

static void
teardown(void)
{
	if (v != NULL) {
		model_forget(&m, v);
		view_destroy(v);
	}
	track_set_glyphs(PLOT_BRAILLE);
	harness_model_finish(&m);
	vscreen_destroy(vs);
	i18n_unload();
}


/* The first of the map's rows that holds s; -1 none. */
static int
map_row(const char *s)
{
	for (int y = 1; y < 20; y++)
		if (strstr(harness_row(y), s) != NULL)
			return y;
	return -1;
}

/* Whether s is on one of the map's rows (not the legend's) of an 80x24 screen. */
static bool
map_has(const char *s)
{
	return map_row(s) > 0;
}

static const struct {
	const char *name;
	int cols, rows;
	const char *lang;
	bool selected;
} goldens[] = {
	{ "map", 80, 24, "en", false }, { "map", 80, 24, "zh_CN", false },
	{ "map", 200, 60, "en", false }, { "map", 200, 60, "zh_CN", false },
	{ "map-ticket", 80, 24, "en", true }, { "map-ticket", 80, 24, "zh_CN", true },
	{ "map-ticket", 200, 60, "en", true }, { "map-ticket", 200, 60, "zh_CN", true },
};

START_TEST(test_golden)
{
	v = view_map_create(&m, goldens[_i].selected ? 3001 : 0);
	if (goldens[_i].selected) {
		ck_assert_int_eq(rec.track, 1);
		ck_assert_int_eq(rec.track_id, 3001);
		harness_answer_track(&m, "CSH-XY-V01", fixes, ARRAY_LEN(fixes));
	}
	harness_golden(goldens[_i].name, goldens[_i].cols, goldens[_i].rows, goldens[_i].lang);
	harness_assert_safe();
	bool zh = strcmp(goldens[_i].lang, "zh_CN") == 0;
	ck_assert(screen_has(zh ? "长沙" : "Changsha"));
	ck_assert(screen_has(zh ? "准时" : "on time"));
	if (zh)
		ck_assert(!screen_has("Orange Isle") && !screen_has("Wuyi"));
	if (goldens[_i].selected) {
		ck_assert(screen_has("#3001"));
		ck_assert(screen_has("CSH-XY-V01"));
	}
}
END_TEST

/* Whole region, no selection: every mark by its glyph, the closed ticket and the truck
 * off duty left out, the legend and the counts. */
START_TEST(test_marks)
{
	v = view_map_create(&m, 0);
	draw(200, 60);
	int y = harness_find_row("!");
	ck_assert_int_ge(y, 1);
	ck_assert_int_eq(harness_role_at(y, "!"), ROLE_LATE);
	ck_assert_int_ge(harness_find_row("*"), 1);
	ck_assert_int_ge(harness_find_row("~"), 1);
	ck_assert_int_ge(harness_find_row("?"), 1);
	ck_assert(screen_has("T"));
	ck_assert(screen_has("4 open"));	/* 3001-3004: not the closed one, not Ningxiang */
	ck_assert(screen_has("1 late"));
	ck_assert(screen_has("1/6 trucks free"));	/* V02; V06 has no fix; V07 off duty */
	ck_assert(screen_has("Tab selects"));
	/* the marks of the legend */
	ck_assert(screen_has("T free"));
	ck_assert(screen_has("~ no GPS"));
	ck_assert(screen_has("! late"));
	ck_assert(screen_has("o on time"));
	ck_assert(screen_has("+ place"));
	ck_assert(screen_has("5 km"));
	/* the cursor is parked on the summary line when nothing is selected */
	int cx, cy;
	vscreen_cursor(vs, &cx, &cy);
	ck_assert_int_eq(cy, 60 - 4);
}
END_TEST

/* Tab: the most urgent open ticket first (the late one), then the next; S-Tab back;
 * each asks for its track; Enter opens the detail. */
START_TEST(test_tab)
{
	int cx, cy;

	v = view_map_create(&m, 0);
	draw(80, 24);
	ck_assert(harness_press_sym(KEYSYM_TAB) & UI_REDRAW);
	draw(80, 24);
	ck_assert(screen_has("#3002"));	/* late: the most urgent */
	ck_assert_int_eq(rec.track, 0);	/* no truck yet: no track to ask for */
	vscreen_cursor(vs, &cx, &cy);
	ck_assert(vscreen_cell(vs, cx, cy)->ch[0] == L'!');
	ck_assert_int_eq(vscreen_cell(vs, cx, cy)->role, ROLE_SELECTED);
	harness_press_sym(KEYSYM_TAB);
	draw(80, 24);
	ck_assert(screen_has("#3003"));	/* at risk */
	ck_assert_int_eq(rec.track, 1);
	ck_assert_int_eq(rec.track_id, 3003);
	vscreen_cursor(vs, &cx, &cy);
	ck_assert(vscreen_cell(vs, cx, cy)->ch[0] == L'*');
	harness_press_sym(KEYSYM_TAB);
	harness_press_sym(KEYSYM_TAB);
	harness_press_sym(KEYSYM_TAB);	/* round to the first again */
	draw(80, 24);
	ck_assert(screen_has("#3002"));
	harness_press_sym(KEYSYM_BACKTAB);
	draw(80, 24);
	ck_assert(screen_has("#3004"));	/* on scene: the least urgent */
	unsigned r = harness_press_sym(KEYSYM_ENTER);
	ck_assert(r & UI_OPEN);
	ck_assert_int_eq(v->open.kind, VIEW_DETAIL);
	ck_assert_int_eq(v->open.ticket, 3004);
	ck_assert(harness_press('q') & UI_CLOSE);
}
END_TEST

/* Zoom and pan change the window; 0 gives the whole region back; r the next region. */
START_TEST(test_zoom_pan_region)
{
	char whole[4096], now[4096];

	v = view_map_create(&m, 0);
	draw(80, 24);
	rd_strlcpy(whole, harness_row(22 - 1), sizeof whole);	/* the legend, with the scale */
	ck_assert(strstr(whole, "10 km") != NULL);
	ck_assert(strstr(whole, "o on time") != NULL);	/* the tickets' marks fit at 80 */
	press('+');
	press('=');
	draw(80, 24);
	ck_assert(strstr(harness_row(21), " 5 km") != NULL);
	press('-');
	press('-');
	draw(80, 24);
	ck_assert(strstr(harness_row(21), "10 km") != NULL);
	char *before = vscreen_dump(vs);
	press('l');
	draw(80, 24);
	char *after = vscreen_dump(vs);
	ck_assert_str_ne(before, after);
	press('h');
	draw(80, 24);
	free(after);
	after = vscreen_dump(vs);
	ck_assert_str_eq(before, after);
	press('k');
	press('j');
	press('h');
	press('0');
	draw(80, 24);
	free(after);
	after = vscreen_dump(vs);
	ck_assert_str_eq(before, after);
	free(before);
	free(after);
	press('r');
	draw(80, 24);
	rd_strlcpy(now, harness_row(0), sizeof now);
	ck_assert(strstr(now, "Ningxiang") != NULL);
	ck_assert(screen_has("Yutan"));
	ck_assert(screen_has("1 open"));
	press('r');
	draw(80, 24);
	ck_assert(strstr(harness_row(0), "Changsha") != NULL);
}
END_TEST

/* The map follows the model: a truck that moves moves on the map; a ticket that turns
 * late turns '!'; a selected ticket that leaves the model is let go. */
START_TEST(test_live)
{
	v = view_map_create(&m, 0);
	draw(80, 24);
	int y = map_row("?");
	ck_assert_int_ge(y, 1);
	/* the offered truck drives 6 km south */
	harness_trucks[4].lat -= 6 * KM_LAT;
	harness_trucks[4].fix_ts = NOW + 1000;
	model_refresh(&m, NOW + 1000);
	view_refresh(v, &m);
	draw(80, 24);
	ck_assert_int_gt(map_row("?"), y);
	/* 3003 at risk, then late when its promise passes */
	ck_assert(map_has("*"));
	harness_tickets[2].promised = NOW - MIN_MS;
	harness_tickets[2].ver++;
	model_refresh(&m, NOW + 1000);
	draw(80, 24);
	ck_assert(!map_has("*"));
	ck_assert(screen_has("2 late"));
}
END_TEST

/* M opens the map from the board, the detail and the supervisor's screen, centred on
 * the selected ticket. */
START_TEST(test_open_from)
{
	struct view *from[3];
	unsigned r;

	from[0] = view_board_create();
	from[1] = view_detail_create(&m, 3003, ACTION_NONE);
	from[2] = view_kpi_create(&m);
	for (int i = 0; i < 3; i++) {
		v = from[i];
		draw(80, 24);
		r = press('M');
		ck_assert_msg(r & UI_OPEN, "view %d", i);
		ck_assert_int_eq(v->open.kind, VIEW_MAP);
		if (i == 1)
			ck_assert_int_eq(v->open.ticket, 3003);
		else
			ck_assert_int_gt(v->open.ticket, 0);
		model_forget(&m, v);
		view_destroy(v);
	}
	v = NULL;
}
END_TEST

/* Opened on a ticket: its region, centred on it, its truck in view, the track drawn. */
START_TEST(test_centred)
{
	v = view_map_create(&m, 3001);
	harness_answer_track(&m, "CSH-XY-V01", fixes, ARRAY_LEN(fixes));
	draw(80, 24);
	int cx, cy;
	vscreen_cursor(vs, &cx, &cy);
	ck_assert_int_eq(vscreen_cell(vs, cx, cy)->role, ROLE_SELECTED);
	ck_assert_int_le(abs(cx - 40), 1);
	ck_assert(screen_has("#3001"));
	ck_assert(screen_has("1.0 km"));
	/* the truck north of it, selected too; braille of the track in ROLE_OK */
	bool truck = false, track = false;
	for (int y = 1; y < cy; y++)
		for (int x = 0; x < 80; x++) {
			const struct vscreen_cell *c = vscreen_cell(vs, x, y);
			truck |= c->ch[0] == L't' && c->role == ROLE_SELECTED;
			track |= c->ch[0] >= 0x2801 && c->ch[0] <= 0x28ff && c->role == ROLE_OK;
		}
	ck_assert(truck);
	ck_assert(track);
	/* panned a width and more east: an arrow at the west edge points to it */
	for (int i = 0; i < 5; i++)
		press('l');
	draw(80, 24);
	bool arrow = false;
	for (int y = 1; y < 20; y++)
		arrow |= vscreen_cell(vs, 0, y)->ch[0] == L'<' &&
		    vscreen_cell(vs, 0, y)->role == ROLE_SELECTED;
	ck_assert(arrow);
	/* the ticket is gone from the model: let go */
	harness_tickets[0].id = 9001;
	view_refresh(v, &m);
	draw(80, 24);
	ck_assert(screen_has("Tab selects"));
}
END_TEST

/* The track comes after the first draw: the window is fitted again to hold it, unless
 * it was moved by hand meanwhile. */
START_TEST(test_track_later)
{
	char before[256], after[256];

	v = view_map_create(&m, 3001);
	draw(80, 24);
	rd_strlcpy(before, harness_row(21), sizeof before);	/* the legend and the scale */
	harness_answer_track(&m, "CSH-XY-V01", fixes, ARRAY_LEN(fixes));
	draw(80, 24);
	rd_strlcpy(after, harness_row(21), sizeof after);
	ck_assert_str_ne(before, after);	/* wider: the track reaches 3 km south */
	bool track = false;
	for (int y = 1; y < 20; y++)
		for (int x = 0; x < 80; x++)
			track |= vscreen_cell(vs, x, y)->ch[0] >= 0x2801 &&
			    vscreen_cell(vs, x, y)->ch[0] <= 0x28ff &&
			    vscreen_cell(vs, x, y)->role == ROLE_OK;
	ck_assert(track);

	/* zoomed by hand before the answer: kept */
	model_forget(&m, v);
	view_destroy(v);
	v = view_map_create(&m, 3001);
	draw(80, 24);
	press('+');
	draw(80, 24);
	rd_strlcpy(before, harness_row(21), sizeof before);
	harness_answer_track(&m, "CSH-XY-V01", fixes, ARRAY_LEN(fixes));
	draw(80, 24);
	ck_assert_str_eq(harness_row(21), before);
}
END_TEST

/* A terminal that is not UTF-8: ASCII lines, and the English names even in Chinese. */
START_TEST(test_ascii)
{
	track_set_glyphs(PLOT_ASCII);
	v = view_map_create(&m, 3001);
	harness_answer_track(&m, "CSH-XY-V01", fixes, ARRAY_LEN(fixes));
	harness_lang("zh_CN");
	draw(80, 24);
	for (int y = 1; y < 20; y++) {
		const char *row = harness_row(y);
		for (const char *p = row; *p != '\0'; p++)
			ck_assert_msg((unsigned char)*p < 0x80, "row %d: %s", y, row);
	}
	ck_assert(screen_has(":"));	/* the track */
	ck_assert(screen_has("Orange Isle") || screen_has("Hunan University"));
}
END_TEST

static Suite *
map_suite(void)
{
	Suite *s = suite_create("view-map");
	TCase *tc = tcase_create("map");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, test_golden, 0, ARRAY_LEN(goldens));
	tcase_add_test(tc, test_marks);
	tcase_add_test(tc, test_tab);
	tcase_add_test(tc, test_zoom_pan_region);
	tcase_add_test(tc, test_live);
	tcase_add_test(tc, test_open_from);
	tcase_add_test(tc, test_centred);
	tcase_add_test(tc, test_track_later);
	tcase_add_test(tc, test_ascii);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	setenv("TZ", "UTC", 1);
	tzset();
	return harness_screen_main(map_suite(), "check-view-map");
}
