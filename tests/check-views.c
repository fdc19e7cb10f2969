/* check-views.c: the console's views (ui/view-board.c, view-detail.c, assign.c,
 * view-intake.c) and their helpers (ui/lineedit.c, menu.c, chrome.c, present.c, form.c,
 * model-request.c, viewstack.c), drawn from a fixed model into a vscreen and driven with
 * keys, with the recording app of harness-model.h.
 *
 * Goldens are tests/golden/<view>-<cols>x<rows>[-zh].screen: vscreen_dump(), a
 * "-- roles --" line, then vscreen_dump_roles(). RD_UPDATE_GOLDEN=1 rewrites them instead
 * of comparing (then review the diff: cat them). The locale is C.UTF-8 and TZ=UTC so
 * widths and clocks are stable. Run from the source root, or set RD_SRCDIR to it. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "board.h"
#include "chrome.h"
#include "expired.h"
#include "flow.h"
#include "i18n.h"
#include "form.h"
#include "lineedit.h"
#include "menu.h"
#include "model.h"
#include "monitor.h"
#include "present.h"
#include "text.h"
#include "ticket.h"
#include "util.h"
#include "view-board.h"
#include "view-detail.h"
#include "view-intake.h"
#include "view-search.h"
#include "viewstack.h"

#include "harness-model.h"
#include "harness-screen.h"

#define MIN_MS (60 * 1000LL)
#define NOW 1773468300000LL	/* 2026-03-14 06:05:00 UTC */
#define ESC_2J "\x1b[2J"

/* ---------------------------------------------------------------- fixed data */

static struct data_landmark cs_landmarks[] = {
	{ "五一广场 Wuyi Square", 28.1960, 112.9768, 0 },
	{ "长沙南站 Changsha South Railway Station", 28.1497, 113.0650, 0 },
	{ "岳麓山 Yuelu Mountain", 28.1840, 112.9360, 0 },
};
static struct data_landmark nx_landmarks[] = {
	{ "宁乡高铁站 Ningxiang Railway Station", 28.2540, 112.5560, 0 },
};
static struct data_supplier cs_suppliers[] = {
	{ .id = "xy", .name = "湘运救援 Xiangyun Rescue" },
};
static struct data_supplier nx_suppliers[] = {
	{ .id = "nx", .name = "宁乡快援" },
};
static struct data_region regions[] = {
	{ .id = "changsha", .name = "Changsha", .name_zh = "长沙", .lat = 28.2282,
	    .lon = 112.9388, .radius_km = 30, .landmarks = cs_landmarks, .n_landmarks = 3,
	    .suppliers = cs_suppliers, .n_suppliers = 1 },
	{ .id = "ningxiang", .name = "Ningxiang", .name_zh = "宁乡", .lat = 28.2770,
	    .lon = 112.5510, .radius_km = 35, .landmarks = nx_landmarks, .n_landmarks = 1,
	    .suppliers = nx_suppliers, .n_suppliers = 1 },
};
static struct data data = { .regions = regions, .n_regions = 2,
	.sla = { .not_accepted_s = 300, .gps_stale_s = 90, .stalled_s = 300,
	    .late_margin_s = 300, .window_pct = 80 } };

/* Optional fields that are absent unless set below. */
#define ABSENT ((uint64_t)1 << PROTO_ticket_eta | (uint64_t)1 << PROTO_ticket_eta_src)
#define P_ALL PROTO_ALL
#define P_NOETA (PROTO_ALL & ~ABSENT)

static struct proto_ticket base_tickets[] = {
	{ .id = 1042, .state = "en_route", .region = "changsha", .customer = "欧阳娜娜",
	    .phone = "13812345678", .plate = "湘AD12345", .model = "比亚迪 汉 EV",
	    .lat = 28.1779, .lon = 112.9429, .address = "湖南省长沙市岳麓区麓山南路932号",
	    .fault = "battery", .flags = TICKET_FLAG_EXPRESSWAY | TICKET_FLAG_INJURY,
	    .truck = "CSH-XY-V01", .created = NOW - 12 * MIN_MS, .promised = NOW + 30 * MIN_MS,
	    .eta = NOW + 17 * MIN_MS, .eta_src = "model", .t_dispatched = NOW - 10 * MIN_MS,
	    .t_accepted = NOW - 9 * MIN_MS, .t_en_route = NOW - 7 * MIN_MS, .ver = 7,
	    .created_by = "zhangwei", .present = P_ALL },
	{ .id = 1043, .state = "new", .region = "changsha", .customer = "Zhang Wei",
	    .phone = "+86 139-0000-1111", .plate = "湘A88888", .lat = 28.1960, .lon = 112.9768,
	    .address = "芙蓉中路一段 near the square", .landmark = "五一广场 Wuyi Square",
	    .fault = "tyre", .flags = TICKET_FLAG_ALONE_NIGHT, .created = NOW - 3 * MIN_MS,
	    .promised = NOW + 42 * MIN_MS, .ver = 2, .created_by = "lisi", .present = P_NOETA },
	{ .id = 1044, .state = "en_route", .region = "changsha", .customer = "李雷🚗",
	    .phone = "137****1234", .plate = "湘A12345", .lat = 28.2000, .lon = 113.0000,
	    .address = "长沙县星沙大道 18 号", .fault = "no_start", .truck = "CSH-XY-W02",
	    .created = NOW - 35 * MIN_MS, .promised = NOW + 14 * MIN_MS, .eta = NOW + 10 * MIN_MS,
	    .eta_src = "supplier", .t_dispatched = NOW - 30 * MIN_MS, .ver = 9,
	    .present = P_ALL },
	{ .id = 1045, .state = "accepted", .region = "changsha", .customer = ESC_2J "王五",
	    .phone = "13600002222", .plate = "湘AF0001", .lat = 28.1500, .lon = 112.9800,
	    .address = "雨花区韶山中路 1 号", .fault = "accident_tow", .truck = "CSH-XY-F01",
	    .created = NOW - 50 * MIN_MS, .promised = NOW - 5 * MIN_MS, .eta = NOW + 3 * MIN_MS,
	    .eta_src = "stale", .t_dispatched = NOW - 45 * MIN_MS, .ver = 12, .present = P_ALL },
	{ .id = 1046, .state = "on_scene", .region = "changsha",
	    .customer = "Mary-Jane Featherstonehaugh", .phone = "07700900123",
	    .plate = "湘A77777", .lat = 28.2100, .lon = 112.9900, .address = "开福区湘江中路 99 号",
	    .fault = "lockout", .truck = "CSH-XY-V03", .created = NOW - 40 * MIN_MS,
	    .promised = NOW + 5 * MIN_MS, .t_dispatched = NOW - 38 * MIN_MS,
	    .t_on_scene = NOW - 5 * MIN_MS, .ver = 4, .present = P_NOETA },
	{ .id = 1047, .state = "completed", .region = "changsha", .customer = "陈小明",
	    .phone = "13500003333", .plate = "湘A55555", .lat = 28.2200, .lon = 112.9700,
	    .address = "天心区书院路 5 号", .fault = "fuel", .truck = "CSH-XY-V02",
	    .created = NOW - 95 * MIN_MS, .promised = NOW - 50 * MIN_MS,
	    .t_closed = NOW - 20 * MIN_MS, .ver = 20, .present = P_NOETA },
	{ .id = 1048, .state = "dispatched", .region = "ningxiang", .customer = "刘德华",
	    .phone = "13400004444", .plate = "湘A44444", .lat = 28.2600, .lon = 112.5600,
	    .address = "宁乡市玉潭镇花明路 8 号", .fault = "overheat", .truck = "NX-NX-V01",
	    .created = NOW - 8 * MIN_MS, .promised = NOW + 50 * MIN_MS,
	    .t_dispatched = NOW - 6 * MIN_MS, .ver = 3, .present = P_NOETA },
	{ .id = 1049, .state = "cancelled", .region = "ningxiang", .customer = "赵六",
	    .phone = "13300005555", .plate = "湘A33333", .lat = 28.2700, .lon = 112.5500,
	    .address = "宁乡市白马桥 2 号", .fault = "tyre", .created = NOW - 70 * MIN_MS,
	    .t_closed = NOW - 60 * MIN_MS, .ver = 5, .present = P_NOETA },
};

#define TRUCK_POS ((uint64_t)1 << PROTO_truck_lat | (uint64_t)1 << PROTO_truck_lon)

static struct proto_truck base_trucks[] = {
	{ .id = "CSH-XY-V01", .supplier = "xy", .kind = "van", .region = "changsha",
	    .status = "en_route", .lat = 28.1900, .lon = 112.9600, .speed_kmh = 38,
	    .fix_ts = NOW - 12000, .ticket = 1042, .present = PROTO_ALL },
	{ .id = "CSH-XY-V02", .supplier = "xy", .kind = "van", .region = "changsha",
	    .status = "available", .lat = 28.1800, .lon = 112.9500, .fix_ts = NOW - 30000,
	    .present = PROTO_ALL },
	{ .id = "CSH-XY-V04", .supplier = "xy", .kind = "van", .region = "changsha",
	    .status = "available", .lat = 28.2300, .lon = 113.0000, .fix_ts = NOW - 30000,
	    .present = PROTO_ALL },
	{ .id = "CSH-XY-V05", .supplier = "xy", .kind = "van", .region = "changsha",
	    .status = "off_duty", .lat = 28.1780, .lon = 112.9430, .fix_ts = NOW - 30000,
	    .present = PROTO_ALL },
	{ .id = "CSH-XY-W02", .supplier = "xy", .kind = "wheel_lift", .region = "changsha",
	    .status = "en_route", .lat = 28.2050, .lon = 113.0100, .fix_ts = NOW - 20000,
	    .ticket = 1044, .present = PROTO_ALL },
	{ .id = "CSH-XY-F01", .supplier = "xy", .kind = "flatbed", .region = "changsha",
	    .status = "assigned", .lat = 28.1200, .lon = 112.9900, .fix_ts = NOW - 4 * MIN_MS,
	    .ticket = 1045, .present = PROTO_ALL },
	{ .id = "CSH-XY-F02", .supplier = "xy", .kind = "flatbed", .region = "changsha",
	    .status = "available", .lat = 28.1500, .lon = 112.9000, .fix_ts = NOW - 30000,
	    .present = PROTO_ALL },
	{ .id = "CSH-XY-H01", .supplier = "xy", .kind = "heavy", .region = "changsha",
	    .status = "available", .lat = 28.1790, .lon = 112.9440, .fix_ts = NOW - 30000,
	    .present = PROTO_ALL },
	{ .id = "CSH-XY-V06", .supplier = "xy", .kind = "van", .region = "changsha",
	    .status = "available", .present = PROTO_ALL & ~TRUCK_POS },
	{ .id = "NX-NX-V01", .supplier = "nx", .kind = "van", .region = "ningxiang",
	    .status = "offered", .lat = 28.2800, .lon = 112.5500, .fix_ts = NOW - 40000,
	    .ticket = 1048, .present = PROTO_ALL },
};

static struct proto_warning base_warnings[] = {
	{ .id = 1, .ticket = 1045, .kind = "overdue", .level = "red",
	    .text = "promised time passed 5 min ago", .ts = NOW - 5 * MIN_MS },
	{ .id = 2, .ticket = 1048, .kind = "not_accepted", .level = "amber",
	    .text = "NX-NX-V01 has not answered the offer for 6 min", .ts = NOW - MIN_MS },
	{ .id = 3, .ticket = 1045, .kind = "gps_lost", .level = "amber",
	    .text = "no GPS fix from CSH-XY-F01 for 4 min", .ts = NOW - MIN_MS },
};

/* Events as a broker of schema 3 logs them: a code with its params (PROTOCOL.md 8.4), worded
 * by the console in its language; the second is from an older broker (its detail shows). */
#define EP(f) ((uint64_t)1 << PROTO_event_params_##f)
#define EV_CODED ((uint64_t)1 << PROTO_event_code | (uint64_t)1 << PROTO_event_params)
static struct proto_event base_events[] = {
	{ .id = 1, .ts = NOW - 12 * MIN_MS, .kind = "created", .user = "zhangwei",
	    .detail = "call taken: battery in changsha, promised in 30 min", .code = "created",
	    .params = { .fault = "battery", .region = "changsha", .min = 30,
	    .present = EP(fault) | EP(region) | EP(min) }, .present = EV_CODED },
	{ .id = 2, .ts = NOW - 10 * MIN_MS, .kind = "dispatch",
	    .detail = "offered to CSH-XY-V01 (2.1 km)" },
	{ .id = 3, .ts = NOW - 9 * MIN_MS, .kind = "accept", .detail = "CSH-XY-V01 accepted",
	    .code = "accept", .params = { .truck = "CSH-XY-V01", .present = EP(truck) },
	    .present = EV_CODED },
	{ .id = 4, .ts = NOW - 8 * MIN_MS, .kind = "note", .user = "zhangwei",
	    .detail = "客户说车停在麓山南路公交站旁边，双闪已打开，车内有一位老人和一个小孩，"
	    "请师傅到了先打电话。" },
	{ .id = 5, .ts = NOW - 7 * MIN_MS, .kind = "state", .detail = "en_route",
	    .code = "state", .params = { .state = "en_route", .present = EP(state) },
	    .present = EV_CODED },
	{ .id = 6, .ts = NOW - 6 * MIN_MS, .kind = "eta", .detail = "ETA now 19 min (model)",
	    .code = "eta", .params = { .min = 19, .src = "model", .present = EP(min) | EP(src) },
	    .present = EV_CODED },
	{ .id = 7, .ts = NOW - 5 * MIN_MS, .kind = "eta", .detail = "ETA now 18 min (model)",
	    .code = "eta", .params = { .min = 18, .src = "model", .present = EP(min) | EP(src) },
	    .present = EV_CODED },
	{ .id = 8, .ts = NOW - 4 * MIN_MS, .kind = "eta", .detail = "ETA now 17 min (model)",
	    .code = "eta", .params = { .min = 17, .src = "model", .present = EP(min) | EP(src) },
	    .present = EV_CODED },
	{ .id = 9, .ts = NOW - 2 * MIN_MS, .kind = "note", .user = "lisi",
	    .detail = "Customer called back: still waiting at the bus stop, asked for the "
	    "driver's number. Told her the truck is 4 km away." },
};

/* The broker's ranking for 1043 (tyre, new, changsha): six, of which five are shown. */
static const struct proto_candidate base_cands[] = {
	{ .truck = "CSH-XY-V02", .prefer = "van", .offers = 1, .supplier = "xy", .kind = "van", .status = "available",
	    .km = 2.9, .eta_s = 540, .eta_src = "model", .gps_age_s = 30, .load = 0,
	    .quality = 0.92, .score = 0.91, .why = "nearest idle van; supplier accepts 9 in 10",
	    .present = PROTO_ALL },
	{ .truck = "CSH-XY-V04", .prefer = "van", .offers = 2, .supplier = "xy", .kind = "van", .status = "available",
	    .km = 3.0, .eta_s = 600, .eta_src = "supplier", .gps_age_s = 30, .load = 1,
	    .quality = 0.92, .score = 0.85, .why = "supplier quoted 10 min; one job queued",
	    .present = PROTO_ALL },
	{ .truck = "CSH-XY-F02", .prefer = "van", .supplier = "xy", .kind = "flatbed", .status = "available",
	    .km = 5.4, .eta_s = 1080, .eta_src = "stale", .gps_age_s = 400, .stale = true,
	    .load = 0, .quality = 0.92, .score = 0.55,
	    .why = "last GPS fix 6 min old: it may be elsewhere", .present = PROTO_ALL },
	{ .truck = "CSH-XY-W02", .prefer = "van", .free_s = 840, .supplier = "xy",
	    .kind = "wheel_lift", .status = "towing",
	    .km = 4.1, .eta_s = 1320, .eta_src = "model", .gps_age_s = 20, .load = 1,
	    .quality = 0.92, .score = 0.40, .why = "正在处理 #1044，预计 15 分钟后空闲",
	    .present = PROTO_ALL },
	{ .truck = "CSH-XY-V06", .supplier = "xy", .kind = "van", .status = "available",
	    .km = 8.2, .eta_s = 1500, .eta_src = "model", .gps_age_s = -1, .score = 0.30,
	    .why = "no GPS fix: distance from its depot",
	    .present = PROTO_ALL & ~((uint64_t)1 << PROTO_candidate_load |
	    (uint64_t)1 << PROTO_candidate_quality | (uint64_t)1 << PROTO_candidate_free_s) },
	{ .truck = "CSH-XY-H01", .supplier = "xy", .kind = "heavy", .status = "available",
	    .km = 0.1, .eta_s = 60, .eta_src = "model", .gps_age_s = 30, .score = 0.01,
	    .why = "sixth: never shown", .present = PROTO_ALL },
};

/* ---------------------------------------------------------------- the model */

/* the working copies of the tables (harness-model.h) */
static struct proto_ticket *tickets;
static struct proto_warning *warnings;
/* The view under test is driven through harness-model.h. */
#define press_sym(s) harness_press_sym(s)
#define press(c) harness_press(c)
#define type(s) harness_type(s)
#define draw(c, r) harness_draw(c, r)
#define check_golden(n) harness_check_golden(n)
#define golden(n, c, r, l) harness_golden(n, c, r, l)
#define row(y) harness_row(y)
#define screen_has(s) harness_screen_has(s)
#define find_row(s) harness_find_row(s)
#define role_at(y, s) harness_role_at(y, s)
#define assert_safe() harness_assert_safe()

static struct model m;
static struct vscreen *vs;
static struct view *v;

#define rec harness_rec
#define load_lang harness_lang

static void
setup(void)
{
	static const struct harness_fixture f = {
		HARNESS_TABLES(base_tickets, base_trucks, base_warnings),
		.data = &data, .user = "zhangwei", .role = MODEL_ROLE_AGENT, .now = NOW,
	};

	load_lang("en");
	regions[0].auto_dispatch = 1;	/* as in data/: only Aba waits for agents */
	regions[1].auto_dispatch = 1;
	harness_model_init(&m, &f);
	tickets = harness_tickets;
	warnings = harness_warnings;
	vs = vscreen_create(80, 24);
	harness_bind(&m, &vs, &v, "check-views");
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

/* The intake form also has the diagnosis flows of data/ (which faults have one). */
static struct flow_set *flows;

static void
setup_intake(void)
{
	struct flow_errors errs = { NULL, 0 };
	char dir[512], faults[512];

	setup();
	snprintf(dir, sizeof dir, "%s/data/diagnosis", harness_srcdir());
	snprintf(faults, sizeof faults, "%s/data/faults.ini", harness_srcdir());
	flows = flow_set_load(dir, faults, &errs);
	ck_assert_msg(flows != NULL, "flows: %s", errs.n > 0 ? errs.v[0].msg : "?");
	m.flows = flows;
}

static void
teardown_intake(void)
{
	teardown();
	flow_set_free(flows);
	flows = NULL;
}

/* The detail of 1042 with its history answered (version 7, base_events). */
static struct view *
detail_1042(enum keymap_action start)
{
	struct view *d = view_detail_create(&m, 1042, start);

	harness_answer_history(&m, tickets[0].ver, base_events, ARRAY_LEN(base_events));
	return d;
}

/* The notes stay in the header (issue 8): the intake note from the history, the latest
 * from the ticket, whatever the timeline scrolls to; before the history arrives a single
 * note is the ticket's last_note. */
START_TEST(test_detail_header_notes)
{
	int y;

	tickets[0].notes = 2;
	rd_strlcpy(tickets[0].last_note, "Customer called back: still waiting",
	    sizeof tickets[0].last_note);
	model_refresh(&m, NOW);
	v = detail_1042(ACTION_NONE);
	draw(80, 24);
	y = find_row("Note      客户说车停在");
	ck_assert_int_ge(y, 0);
	ck_assert_int_eq(find_row("Latest    Customer called back: still waiting"), y + 1);
	ck_assert_int_lt(y, find_row("Truck"));
	press_sym(KEYSYM_HOME);			/* the timeline moves; the header does not */
	draw(80, 24);
	ck_assert_int_eq(find_row("Note      客户说车停在"), y);
	view_destroy(v);

	tickets[0].notes = 1;
	rd_strlcpy(tickets[0].last_note, "parked by the bus stop", sizeof tickets[0].last_note);
	model_refresh(&m, NOW);
	v = view_detail_create(&m, 1042, ACTION_NONE);	/* no history yet */
	draw(80, 24);
	ck_assert_int_ge(find_row("Note      parked by the bus stop"), 0);
	ck_assert_int_lt(find_row("Latest"), 0);
}
END_TEST

/* ---------------------------------------------------------------- board goldens */

START_TEST(test_board_golden)
{
	static const char *langs[] = { "en", "zh_CN" };

	v = view_board_create();
	golden("board", 80, 24, langs[_i]);
	golden("board", 120, 40, langs[_i]);
	if (_i == 0)
		golden("board", 60, 20, "en");
}
END_TEST

START_TEST(test_board_stale_golden)
{
	v = view_board_create();
	m.conn = MODEL_STALE;
	m.hb_age_ms = 3 * MIN_MS + 12000;
	golden("board-stale", 80, 24, "en");
	golden("board-stale", 80, 24, "zh_CN");
	/* The banner is there, in the stale role, and the status line says STALE. */
	ck_assert_int_eq(vscreen_cell(vs, 0, 1)->role, ROLE_STALE);
	/* Its words are whole at 80 columns in both languages, even after the widest age. */
	for (int l = 0; l < 2; l++) {
		load_lang(l == 0 ? "en" : "zh_CN");
		m.hb_age_ms = 99 * 60 * MIN_MS + 59 * MIN_MS;
		draw(80, 24);
		ck_assert(screen_has("99h59"));
		ck_assert(screen_has(i18n_tr("status.stale_banner")));
	}
	m.hb_age_ms = 3 * MIN_MS + 12000;
	m.conn = MODEL_CONNECTING;
	m.hb_age_ms = -1;
	draw(80, 24);
	ck_assert_int_eq(vscreen_cell(vs, 0, 1)->role, ROLE_STALE);
	ck_assert(!screen_has("tcp://"));
	rd_strlcpy(m.endpoint, "tcp://10.9.8.7:5555", sizeof m.endpoint);
	draw(80, 24);
	ck_assert(screen_has("  调度服务器 tcp://10.9\xe2\x80\xa6  \xc2\xb7  "));	/* zh_CN since the golden */
	ck_assert(screen_has(i18n_tr("banner.connecting")));
	draw(120, 24);
	ck_assert(screen_has("  调度服务器 tcp://10.9.8.7:5555  \xc2\xb7  "));
	/* Reconnecting after the broker was lost: the words and the age are whole at 80
	 * columns in both languages, even after the widest age; the endpoint takes what room
	 * they leave, or none. */
	m.hb_age_ms = 20000;
	golden("board-reconnect", 80, 24, "en");
	golden("board-reconnect", 80, 24, "zh_CN");
	golden("board-reconnect", 200, 60, "en");
	ck_assert(screen_has("broker tcp://10.9.8.7:5555  \xc2\xb7  no update for 20s  \xc2\xb7  "));
	for (int l = 0; l < 2; l++) {
		load_lang(l == 0 ? "en" : "zh_CN");
		m.hb_age_ms = 99 * 60 * MIN_MS + 59 * MIN_MS;
		draw(80, 24);
		ck_assert(screen_has("99h59"));
		ck_assert(screen_has(i18n_tr("banner.reconnecting")));
		m.hb_age_ms = -1;
		draw(80, 24);
		ck_assert(screen_has(i18n_tr("banner.connecting")));
	}
	m.hb_age_ms = 20000;
	m.conn = MODEL_STALE;
	draw(80, 24);
	ck_assert(!screen_has("tcp://"));
	m.endpoint[0] = '\0';
	m.conn = MODEL_SYNCING;
	draw(80, 24);
	ck_assert_int_ne(vscreen_cell(vs, 0, 1)->role, ROLE_STALE);
}
END_TEST

/* A group of brokers (issue 15): while no heartbeat comes, the banner says the console is
 * looking for the leader and which broker of the list it asks; the status line names the
 * broker followed, right-aligned, and gives way to the counts. */
START_TEST(test_board_group_golden)
{
	v = view_board_create();
	rd_strlcpy(m.endpoint, "tcp://10.0.0.12:7710", sizeof m.endpoint);
	m.group_at = 2;
	m.group_n = 3;
	m.conn = MODEL_STALE;
	m.hb_age_ms = 4000;
	golden("board-group", 80, 24, "en");
	ck_assert(screen_has("Looking for the leading broker: asking 2 of 3 ("));
	ck_assert(screen_has("   broker 2/3"));
	golden("board-group", 200, 60, "en");
	ck_assert(screen_has("asking 2 of 3 (tcp://10.0.0.12:7710)"));
	golden("board-group", 80, 24, "zh_CN");
	ck_assert(screen_has("询问第 2/3 台"));
	m.conn = MODEL_LIVE;
	m.hb_age_ms = 0;
	draw(200, 60);
	ck_assert(screen_has("   服务器 2/3"));
	ck_assert(!screen_has("询问"));
	m.conn = MODEL_CONNECTING;
	m.hb_age_ms = -1;
	draw(80, 24);
	ck_assert(screen_has("询问第 2/3 台"));	/* zh_CN since the golden; no "connecting" */
	/* too narrow for the counts and the broker: the counts stay */
	m.conn = MODEL_LIVE;
	draw(50, 20);
	ck_assert(!screen_has("2/3"));
}
END_TEST

START_TEST(test_board_empty)
{
	v = view_board_create();
	m.n_tickets = 0;
	model_refresh(&m, NOW);
	draw(80, 24);
	ck_assert(screen_has("No tickets yet"));
	m.n_tickets = ARRAY_LEN(base_tickets);
	ck_assert_ptr_null(board_set_filter(&m.board, "nosuchthing"));
	model_refresh(&m, NOW);
	golden("board-empty", 80, 24, "en");
	ck_assert(screen_has("No ticket matches the filter"));
	ck_assert(screen_has("hidden by the filter: 8"));
}
END_TEST

/* ---------------------------------------------------------------- board behaviour */

START_TEST(test_board_columns)
{
	int y;

	v = view_board_create();
	press('G');		/* the selection (painted over the colours) out of the way */
	draw(120, 40);
	/* All columns at 120, with the phone masked and never in clear. */
	ck_assert(screen_has("REGION"));
	ck_assert(screen_has("PHONE"));
	ck_assert(screen_has("AGE"));
	ck_assert(screen_has("138****5678"));
	ck_assert(!screen_has("13812345678"));
	assert_safe();
	/* The late ticket's countdown is red, the amber one amber, the easy one normal. */
	y = find_row("1045");
	ck_assert_int_ge(y, 0);
	ck_assert_int_eq(role_at(y, "-5m"), ROLE_LATE);
	y = find_row("1044");
	ck_assert_int_eq(role_at(y, "14m"), ROLE_WARN);
	y = find_row("1048");
	ck_assert_int_eq(role_at(y, "50m"), ROLE_WARN);	/* amber warning */
	ck_assert_int_eq(role_at(y, THEME_MARK_AMBER), ROLE_WARN);	/* at the mark */
	y = find_row("1043");
	ck_assert_int_eq(role_at(y, "42m"), ROLE_NORMAL);
	/* At 80 columns region, phone and age go first. */
	draw(80, 24);
	ck_assert(!screen_has("REGION"));
	ck_assert(!screen_has("PHONE"));
	ck_assert(!screen_has("AGE"));
	ck_assert(screen_has("PLACE"));
	ck_assert(screen_has("DUE"));
	assert_safe();
}
END_TEST

START_TEST(test_board_selection_follows_ticket)
{
	int x, y;
	size_t before;

	v = view_board_create();
	draw(80, 24);
	/* Select 1043 (new, plenty of time). */
	while (board_selected(&m.board)->id != 1043)
		press('j');
	before = m.board.sel_index;
	draw(80, 24);
	vscreen_cursor(vs, &x, &y);
	ck_assert(strstr(row(y), "1043") != NULL);
	ck_assert_int_eq(vscreen_cell(vs, 5, y)->role, ROLE_SELECTED);
	/* The promise moves into the past: 1043 becomes the most urgent and moves up. */
	tickets[1].promised = NOW - 40 * MIN_MS;
	model_refresh(&m, NOW);
	ck_assert_int_eq(board_selected(&m.board)->id, 1043);
	ck_assert_uint_ne(m.board.sel_index, before);
	ck_assert_uint_eq(m.board.sel_index, 0);
	draw(80, 24);
	vscreen_cursor(vs, &x, &y);
	ck_assert(strstr(row(y), "1043") != NULL);
	ck_assert_int_eq(vscreen_cell(vs, 5, y)->role, ROLE_SELECTED);
	/* Only one row is selected. */
	for (int r = 0; r < 24; r++)
		if (r != y && r < 22)
			ck_assert_int_ne(vscreen_cell(vs, 5, r)->role, ROLE_SELECTED);
}
END_TEST

START_TEST(test_board_keys_move)
{
	v = view_board_create();
	draw(80, 24);
	ck_assert_uint_eq(m.board.sel_index, 0);
	ck_assert_uint_eq(press('G'), UI_HANDLED | UI_REDRAW);
	ck_assert_uint_eq(m.board.sel_index, m.board.n - 1);
	press('g');
	ck_assert_uint_eq(m.board.sel_index, 0);
	press_sym(KEYSYM_PAGE_DOWN);
	ck_assert_uint_eq(m.board.sel_index, m.board.n - 1);
	press_sym(KEYSYM_UP);
	ck_assert_uint_eq(m.board.sel_index, m.board.n - 2);
	/* Help and quit are the caller's. */
	ck_assert_uint_eq(press('?') & UI_HANDLED, 0);
	ck_assert_uint_eq(press('Q') & UI_HANDLED, 0);
}
END_TEST

START_TEST(test_board_filter_prompt)
{
	int x, y;

	v = view_board_create();
	draw(80, 24);
	ck_assert_uint_eq(press('/'), UI_HANDLED | UI_REDRAW);
	ck_assert_int_eq(v->scope, SCOPE_FORM);
	type("state:new");
	draw(80, 24);
	ck_assert(strstr(row(23), "Filter: state:new") != NULL);
	ck_assert(vscreen_cursor(vs, &x, &y));	/* visible, in the editor */
	ck_assert_int_eq(y, 23);
	/* Typing does not filter yet; Enter does. */
	ck_assert_str_eq(m.board.filter, "");
	press_sym(KEYSYM_ENTER);
	ck_assert_int_eq(v->scope, SCOPE_BOARD);
	ck_assert_str_eq(m.board.filter, "state:new");
	ck_assert_uint_eq(m.board.n, 1);
	ck_assert_int_eq(board_selected(&m.board)->id, 1043);
	draw(80, 24);
	ck_assert(strstr(row(0), "filter state:new") != NULL);
	ck_assert(strstr(row(0), "shown 1/8") != NULL);

	/* A bad state: the prompt stays, with the error in words; the filter is kept. */
	press('/');
	press_sym(KEYSYM_HOME);
	press(KEYMAP_CTRL('u'));
	type("region:changsha state:bogus");
	press_sym(KEYSYM_ENTER);
	ck_assert_int_eq(v->scope, SCOPE_FORM);
	ck_assert_str_eq(m.board.filter, "state:new");
	draw(80, 24);
	ck_assert(strstr(row(21), "Unknown state in the filter") != NULL);
	ck_assert(strstr(row(21), "state:bogus") != NULL);
	ck_assert_int_eq(vscreen_cell(vs, 1, 21)->role, ROLE_ERROR);
	/* Esc cancels: nothing changes. */
	press_sym(KEYSYM_ESC);
	ck_assert_int_eq(v->scope, SCOPE_BOARD);
	ck_assert_str_eq(m.board.filter, "state:new");

	/* The region word shows in the title as the region's name. */
	press('/');
	press(KEYMAP_CTRL('u'));
	type("region:ningxiang");
	press_sym(KEYSYM_ENTER);
	ck_assert_uint_eq(m.board.n, 2);
	draw(80, 24);
	ck_assert(strstr(row(0), "region Ningxiang") != NULL);
	/* Clearing the filter shows everything again. */
	press('/');
	press(KEYMAP_CTRL('u'));
	press_sym(KEYSYM_ENTER);
	ck_assert_uint_eq(m.board.n, ARRAY_LEN(base_tickets));
	draw(80, 24);
	ck_assert(strstr(row(0), "all regions") != NULL);
}
END_TEST

/* The filter language, table-driven, typed at the prompt as an agent would in each
 * language: the ids left on the board (ascending), or the error the prompt shows. */
static const struct {
	const char *lang;	/* NULL: both */
	const char *filter;
	const char *want;	/* ids, or "!" and the start of the error line */
	int waiting_region;	/* 1: changsha waits for agents (auto_dispatch 0) */
} filter_cases[] = {
	{ "zh_CN", "电瓶", "1042", 0 },			/* the fault as shown */
	{ "en", "电瓶", "", 0 },
	{ "en", "battery", "1042", 0 },
	{ "zh_CN", "battery", "1042", 0 },		/* the code still works */
	{ "zh_CN", "在途", "1042 1044", 0 },		/* the state as shown */
	{ "en", "在途", "", 0 },
	{ "en", "route", "1042 1044", 0 },		/* "En route" */
	{ "zh_CN", "state:在途", "1042 1044", 0 },
	{ NULL, "state:en", "1042 1044", 0 },
	{ "zh_CN", "fault:电瓶", "1042", 0 },
	{ "zh_CN", "fault:事故", "1045", 0 },
	{ "zh_CN", "region:宁乡", "1048 1049", 0 },
	{ "zh_CN", "宁乡 已取消", "1049", 0 },
	{ "en", "region:Ning", "1048 1049", 0 },
	{ NULL, "#1045", "1045", 0 },
	{ NULL, "id:1045", "1045", 0 },
	{ NULL, "#104", "", 0 },			/* an id is exact */
	{ NULL, "is:late", "1045", 0 },
	{ NULL, "is:risk", "1044 1048", 0 },
	{ NULL, "is:warn", "1045 1048", 0 },
	{ NULL, "is:warn region:changsha", "1045", 0 },
	{ NULL, "is:waiting", "", 0 },
	{ NULL, "is:waiting", "1043", 1 },
	{ NULL, "is:mine", "1042", 0 },		/* zhangwei took 1042, lisi 1043 */
	{ "en", "region:xyz", "!No such region: region:xyz", 0 },
	{ "zh_CN", "region:xyz", "!没有这个区域：region:xyz", 0 },
	{ "en", "is:soon", "!Unknown is: word: is:soon", 0 },
	{ "zh_CN", "is:soon", "!未知的 is: 条件：is:soon", 0 },
	{ "zh_CN", "state:飞行", "!筛选中的状态未知：state:飞行", 0 },
};

START_TEST(test_board_filter_table)
{
	static const char *langs[] = { "en", "zh_CN" };
	char got[256];

	for (int l = 0; l < 2; l++) {
		const char *filter = filter_cases[_i].filter, *want = filter_cases[_i].want;
		size_t n = 0;
		int y;

		if (filter_cases[_i].lang != NULL && strcmp(filter_cases[_i].lang, langs[l]) != 0)
			continue;
		load_lang(langs[l]);
		regions[0].auto_dispatch = filter_cases[_i].waiting_region ? 0 : 1;
		view_destroy(v);
		v = view_board_create();
		ck_assert_ptr_null(board_set_filter(&m.board, ""));
		model_refresh(&m, NOW);
		press('/');
		type(filter);
		press_sym(KEYSYM_ENTER);
		if (want[0] == '!') {
			ck_assert_msg(v->scope == SCOPE_FORM, "%s: accepted", filter);
			ck_assert_str_eq(m.board.filter, "");
			draw(80, 24);
			y = find_row(want + 1);
			ck_assert_msg(y >= 0, "%s [%s]: no \"%s\"", filter, langs[l], want + 1);
			ck_assert_int_eq(vscreen_cell(vs, 1, y)->role, ROLE_ERROR);
			continue;
		}
		ck_assert_msg(v->scope == SCOPE_BOARD, "%s: refused", filter);
		ck_assert_str_eq(m.board.filter, filter);
		got[0] = '\0';
		for (int64_t id = 1; id < 2000; id++)
			for (size_t r = 0; r < m.board.n; r++)
				if (m.board.rows[r]->id == id)
					n += (size_t)snprintf(got + n, sizeof got - n, "%s%lld",
					    n ? " " : "", (long long)id);
		ck_assert_msg(strcmp(got, want) == 0, "%s [%s]: got \"%s\", want \"%s\"",
		    filter, langs[l], got, want);
	}
}
END_TEST

/* ---------------------------------------------------------------- history search */

/* The search query: what ticket.search is asked, or the catalog key of the refusal. */
static const struct {
	const char *query;
	const char *err;	/* NULL: accepted */
	int64_t id, from, to;	/* 0: absent */
	const char *phone, *plate;	/* NULL: absent */
} search_cases[] = {
	{ "", NULL, 0, 0, 0, NULL, NULL },
	{ "#59", NULL, 59, 0, 0, NULL, NULL },
	{ "id:59", NULL, 59, 0, 0, NULL, NULL },
	{ "13800138000", NULL, 0, 0, 0, "13800138000", NULL },
	{ "8000 湘A·12345", NULL, 0, 0, 0, "8000", "湘A·12345" },
	{ "a12345", NULL, 0, 0, 0, NULL, "a12345" },
	/* China time: 2026-03-14 00:00 +08:00 is 2026-03-13 16:00 UTC; to: takes the day */
	{ "from:2026-03-14", NULL, 0, 1773417600000LL, 0, NULL, NULL },
	{ "to:2026-03-14", NULL, 0, 0, 1773504000000LL, NULL, NULL },
	{ "from:2026-03-14 to:2026-03-14", NULL, 0, 1773417600000LL, 1773504000000LL, NULL,
	    NULL },
	{ "from:2026-3-14x", "search.bad_date", 0, 0, 0, NULL, NULL },
	{ "to:yesterday", "search.bad_date", 0, 0, 0, NULL, NULL },
	{ "138", "search.bad_phone", 0, 0, 0, NULL, NULL },
	{ "湘A B12", "search.two_plates", 0, 0, 0, NULL, NULL },
	{ "from:2026-03-15 to:2026-03-14", "search.bad_range", 0, 0, 0, NULL, NULL },
};

START_TEST(test_search_parse)
{
	struct proto_ticket_search a;
	char bad[64];
	const char *why = view_search_parse(search_cases[_i].query, &a, bad, sizeof bad);

	if (search_cases[_i].err != NULL) {
		ck_assert_msg(why != NULL && strcmp(why, search_cases[_i].err) == 0,
		    "%s: %s", search_cases[_i].query, why ? why : "accepted");
		ck_assert(bad[0] != '\0');
		return;
	}
	ck_assert_msg(why == NULL, "%s: %s", search_cases[_i].query, why);
	ck_assert_int_eq(PROTO_HAS(&a, ticket_search, id), search_cases[_i].id != 0);
	ck_assert_int_eq(a.id, search_cases[_i].id);
	ck_assert_int_eq(PROTO_HAS(&a, ticket_search, from), search_cases[_i].from != 0);
	ck_assert_int_eq(a.from, search_cases[_i].from);
	ck_assert_int_eq(PROTO_HAS(&a, ticket_search, to), search_cases[_i].to != 0);
	ck_assert_int_eq(a.to, search_cases[_i].to);
	ck_assert_int_eq(PROTO_HAS(&a, ticket_search, phone), search_cases[_i].phone != NULL);
	ck_assert_str_eq(a.phone, search_cases[_i].phone ? search_cases[_i].phone : "");
	ck_assert_int_eq(PROTO_HAS(&a, ticket_search, plate), search_cases[_i].plate != NULL);
	ck_assert_str_eq(a.plate, search_cases[_i].plate ? search_cases[_i].plate : "");
	ck_assert(!PROTO_HAS(&a, ticket_search, cursor));
}
END_TEST

/* Answer the last request as ticket.search with tickets and next (0: none). */
static void
answer_search(const struct proto_ticket *t, size_t n, int64_t next)
{
	struct proto_reply r = { .ok = true, .op_id = PROTO_MSG_ticket_search };

	rd_strlcpy(r.cmd_id, rec.last_cmd, sizeof r.cmd_id);
	rd_strlcpy(r.op, "ticket.search", sizeof r.op);
	r.found = (struct proto_ticket *)t;
	r.n_found = n;
	if (next != 0) {
		r.search.next = next;
		PROTO_SET(&r.search, search_result, next);
	}
	model_reply(&m, rec.last_cmd, &r, NULL);
}

START_TEST(test_search_view)
{
	static const char *langs[] = { "en", "zh_CN" };
	/* An old closed ticket the board no longer holds, then one it does. */
	struct proto_ticket old = base_tickets[5];
	int sent;

	old.id = 17;
	old.created = NOW - 40 * 24 * 60 * MIN_MS;
	load_lang(langs[_i]);
	/* F on the board asks for the search view. */
	v = view_board_create();
	ck_assert_uint_eq(press('F'), UI_HANDLED | UI_REDRAW | UI_OPEN);
	ck_assert_int_eq(v->open.kind, VIEW_SEARCH);
	view_destroy(v);

	v = view_search_create(&m);
	ck_assert_int_eq(v->scope, SCOPE_FORM);
	draw(80, 24);
	ck_assert(screen_has(_i ? "历史搜索" : "History search"));
	/* A bad word keeps the prompt, with the word and why. */
	type("138");
	sent = rec.sent;
	press_sym(KEYSYM_ENTER);
	ck_assert_int_eq(v->scope, SCOPE_FORM);
	ck_assert_int_eq(rec.sent, sent);
	draw(80, 24);
	ck_assert(screen_has(_i ? "电话需要 4 到 23 位数字" : "A phone needs 4 to 23 digits"));
	ck_assert_int_eq(vscreen_cell(vs, 1, 21)->role, ROLE_ERROR);
	type("00");
	press_sym(KEYSYM_ENTER);
	ck_assert_int_eq(v->scope, SCOPE_BOARD);
	ck_assert_int_eq(rec.sent, sent + 1);
	draw(80, 24);
	ck_assert(screen_has(_i ? "正在询问服务器" : "asking the broker"));

	/* The first page: two tickets, and more to come. */
	answer_search((const struct proto_ticket[]){ base_tickets[5], old }, 2, 17);
	draw(80, 24);
	ck_assert(screen_has("1047"));
	ck_assert(screen_has("2026-03-14 12:30"));	/* created, China time */
	ck_assert(screen_has("17 "));
	ck_assert(screen_has("2026-02-02"));
	ck_assert(screen_has(_i ? "已完成" : "completed"));
	ck_assert(screen_has(_i ? "找到 2+" : "found 2+"));
	ck_assert(screen_has(_i ? "下面还有" : "more below"));
	draw(200, 60);		/* wide: the masked phone too, never in clear */
	ck_assert(screen_has("135****3333"));
	ck_assert(!screen_has("13500003333"));
	draw(46, 10);
	draw(80, 24);
	/* Down at the last row asks for the next page, once. */
	press('j');
	ck_assert_int_eq(rec.sent, sent + 1);
	press('j');
	ck_assert_int_eq(rec.sent, sent + 2);
	press('j');
	ck_assert_int_eq(rec.sent, sent + 2);	/* already asking */
	old.id = 3;
	answer_search(&old, 1, 0);
	press('G');
	draw(80, 24);
	ck_assert(screen_has(_i ? "找到 3" : "found 3"));
	ck_assert(screen_has(_i ? "已到历史末尾" : "end of the history"));
	press('j');
	ck_assert_int_eq(rec.sent, sent + 2);	/* nothing more */

	/* Enter reads the selected ticket and shows it read-only with its history. */
	press('g');
	press_sym(KEYSYM_ENTER);
	ck_assert_int_eq(rec.fetch, 1);
	ck_assert_int_eq(rec.id, 1047);
	{
		struct proto_reply r = { .ok = true, .op_id = PROTO_MSG_ticket_get };
		rd_strlcpy(r.cmd_id, rec.hist_cmd, sizeof r.cmd_id);
		r.ticket = base_tickets[5];
		r.events = base_events;
		r.n_events = 3;
		model_reply(&m, rec.hist_cmd, &r, NULL);
	}
	draw(80, 24);
	ck_assert(screen_has("#1047"));
	ck_assert(screen_has(_i ? "只读" : "read-only"));
	ck_assert(screen_has("陈小明"));
	ck_assert(screen_has("offered to CSH-XY-V01"));
	/* The ticket actions do nothing here. */
	ck_assert_uint_eq(press('c') & UI_OPEN, 0);
	ck_assert_uint_eq(press('a') & UI_OPEN, 0);
	ck_assert_int_eq(rec.cancel + rec.note, 0);
	/* q: back to the list; q again closes. */
	press('q');
	draw(80, 24);
	ck_assert(screen_has("1047"));
	ck_assert_uint_eq(press('q'), UI_HANDLED | UI_CLOSE);
}
END_TEST

START_TEST(test_board_sort_cycles)
{
	int i;
	char want[64];

	v = view_board_create();
	for (i = 0; i <= BOARD_SORT_COUNT; i++) {
		draw(80, 24);
		snprintf(want, sizeof want, "sort %s",
		    board_sort_name((enum board_sort)(i % BOARD_SORT_COUNT)));
		ck_assert_msg(strstr(row(0), want) != NULL, "%s not in %s", want, row(0));
		ck_assert_int_eq(m.board.sort, i % BOARD_SORT_COUNT);
		press('s');
	}
	/* By id: 1042 first. */
	m.board.sort = BOARD_SORT_ID;
	model_refresh(&m, NOW);
	ck_assert_int_eq(m.board.rows[0]->id, 1042);
}
END_TEST

START_TEST(test_board_opens_views)
{
	v = view_board_create();
	draw(80, 24);
	ck_assert_int_eq(v->open.kind, VIEW_NONE);
	ck_assert_uint_eq(press_sym(KEYSYM_ENTER), UI_HANDLED | UI_REDRAW | UI_OPEN);
	ck_assert_int_eq(v->open.kind, VIEW_DETAIL);
	ck_assert_int_eq(v->open.ticket, m.board.selected);
	ck_assert_uint_eq(press('n'), UI_HANDLED | UI_REDRAW | UI_OPEN);
	ck_assert_int_eq(v->open.kind, VIEW_INTAKE);
	ck_assert_uint_eq(press('K') & UI_OPEN, UI_OPEN);
	ck_assert_int_eq(v->open.kind, VIEW_KPI);
	/* A ticket action opens the detail with the action started: the view stack creates
	 * it from what the board asked for. */
	ck_assert_uint_eq(press('a') & UI_OPEN, UI_OPEN);
	ck_assert_int_eq(v->open.kind, VIEW_DETAIL);
	ck_assert_int_eq(v->open.action, ACTION_NOTE);
	{
		struct viewstack st;
		viewstack_init(&st);
		ck_assert(viewstack_open(&st, &m, &v->open));
		ck_assert_str_eq(viewstack_top(&st)->ops->name, "detail");
		ck_assert_int_eq(viewstack_top(&st)->scope, SCOPE_FORM);
		ck_assert(!viewstack_pop(&st, &m));	/* the last view stays */
		/* A view that goes is forgotten: its history's and its track's answers reach
		 * nobody. */
		ck_assert_uint_eq(m.req.n_calls, 2);
		viewstack_finish(&st, &m);
		ck_assert_ptr_null(viewstack_top(&st));
		ck_assert_uint_eq(m.req.n_calls, 0);
		harness_answer_history(&m, 1, base_events, 1);
	}
}
END_TEST

/* Issue 11: I looks up the selected ticket's raw contact (ticket.contact, recorded at the
 * broker) and shows it in a box until the next key, which only closes it; the board's
 * rows keep the masked values. The same in the detail. */
START_TEST(test_contact_box)
{
	int64_t sel;

	v = view_board_create();
	sel = m.board.selected;
	ck_assert_uint_eq(press('I'), UI_HANDLED | UI_REDRAW);
	ck_assert_int_eq(rec.contact, 1);
	ck_assert_int_eq(rec.contact_id, sel);
	draw(120, 40);
	ck_assert(!screen_has("13999990000"));
	harness_answer_contact(&m, "Raw Person", "13999990000", false);
	draw(120, 40);
	int y = find_row("13999990000");
	ck_assert_int_ge(y, 0);
	ck_assert(screen_has("Raw Person"));
	ck_assert(screen_has(i18n_tr("contact.close")));
	/* any key closes the box and does nothing else */
	ck_assert_uint_eq(press('n'), UI_HANDLED | UI_REDRAW);
	ck_assert_int_eq(v->open.kind, VIEW_NONE);
	draw(120, 40);
	ck_assert(!screen_has("13999990000"));
	ck_assert(!screen_has("Raw Person"));
	view_destroy(v);

	/* in the detail; an erased ticket says so */
	v = detail_1042(ACTION_NONE);
	ck_assert_uint_eq(press('I'), UI_HANDLED | UI_REDRAW);
	ck_assert_int_eq(rec.contact, 2);
	ck_assert_int_eq(rec.contact_id, 1042);
	harness_answer_contact(&m, "", "", true);
	draw(80, 24);
	ck_assert(screen_has(i18n_tr("contact.erased")));
	press('x');
	draw(80, 24);
	ck_assert(!screen_has(i18n_tr("contact.erased")));
	/* a refusal: the message line says so, no box */
	ck_assert_uint_eq(press('I'), UI_HANDLED | UI_REDRAW);
	harness_answer_error(&m, rec.contact_cmd, PROTO_E_FORBIDDEN, "not allowed");
	ck_assert(strstr(m.message, i18n_tr("contact.failed")) != NULL);
	draw(80, 24);
	ck_assert(!screen_has(i18n_tr("contact.close")));
}
END_TEST

/* ---------------------------------------------------------------- detail */

START_TEST(test_detail_golden)
{
	static const char *langs[] = { "en", "zh_CN" };

	v = detail_1042(ACTION_NONE);
	ck_assert_int_eq(rec.fetch, 1);	/* the view asks for the history it shows */
	golden("detail", 80, 24, langs[_i]);
	golden("detail", 120, 40, langs[_i]);
	if (_i == 0)
		golden("detail", 60, 20, "en");
	assert_safe();
}
END_TEST

START_TEST(test_detail_content)
{
	int y;

	v = detail_1042(ACTION_NONE);
	draw(80, 24);
	ck_assert(screen_has("138****5678"));
	ck_assert(!screen_has("13812345678"));
	ck_assert(screen_has("expressway"));
	ck_assert(screen_has("injury"));
	ck_assert(screen_has("28.17790, 112.94290"));
	ck_assert(screen_has("CSH-XY-V01"));
	ck_assert(screen_has("straight-line distance 2.1 km"));
	/* Newest last: the last note is on screen (the timeline follows the end). */
	ck_assert(screen_has("4 km away"));
	view_destroy(v);

	/* No truck yet; warnings in their colours; a name with an escape is made safe. */
	v = view_detail_create(&m, 1045, ACTION_NONE);
	ck_assert_int_eq(rec.fetch, 2);	/* 1042, then 1045 */
	ck_assert_int_eq(rec.id, 1045);
	draw(80, 24);
	assert_safe();
	ck_assert(screen_has("\xef\xbf\xbd[2J"));	/* the ESC shows as U+FFFD */
	ck_assert_int_eq(role_at(find_row("overdue"), "overdue"), ROLE_LATE);
	ck_assert_int_eq(role_at(find_row("GPS lost"), "GPS lost"), ROLE_WARN);
	ck_assert(screen_has("loading"));
	ck_assert(!screen_has("4 km away"));	/* 1042's history is not shown for 1045 */
	view_destroy(v);

	v = view_detail_create(&m, 1043, ACTION_NONE);
	draw(80, 24);
	ck_assert(screen_has("No truck yet"));
	ck_assert(screen_has("alone at night"));
	view_destroy(v);

	/* A closed ticket has given its truck back (the broker frees it at the close): not
	 * "yet", and no hint to assign one. */
	tickets[5].truck[0] = '\0';
	tickets[5].present &= ~((uint64_t)1 << PROTO_ticket_truck);
	model_refresh(&m, NOW);
	v = view_detail_create(&m, 1047, ACTION_NONE);
	draw(80, 24);
	ck_assert(screen_has("No truck: the ticket is closed."));
	ck_assert(!screen_has("No truck yet"));
	ck_assert(!screen_has("Press A"));
	/* the promise as a time, no countdown: closed (or on scene), it no longer runs late */
	y = find_row("Promised");
	ck_assert_int_ge(y, 0);
	ck_assert_msg(strstr(row(y), "(") == NULL, "%s", row(y));
	view_destroy(v);

	v = view_detail_create(&m, 999, ACTION_NONE);
	draw(80, 24);
	ck_assert(screen_has("#999"));
	ck_assert(screen_has("not in the live data"));
	ck_assert_uint_eq(press('?') & UI_HANDLED, 0);		/* help is still the app's */
	ck_assert_uint_eq(press('a'), UI_HANDLED | UI_REDRAW);	/* refused in words */
	ck_assert(m.message_error);
	ck_assert_int_eq(v->scope, SCOPE_DETAIL);
}
END_TEST

/* A chained job (PROTOCOL.md 9.1): 1042 accepted by a truck still on scene at 1044 shows
 * the truck on scene and 1042 as its next job after 1044, in both languages. */
START_TEST(test_detail_chained)
{
	proto_strset(harness_trucks[0].status, sizeof harness_trucks[0].status, "on_scene");
	harness_trucks[0].ticket = 1044;
	harness_trucks[0].next = 1042;
	proto_strset(tickets[0].state, sizeof tickets[0].state, "accepted");
	v = detail_1042(ACTION_NONE);
	draw(120, 40);
	ck_assert(screen_has("CSH-XY-V01"));
	ck_assert_msg(screen_has("on scene  \xc2\xb7  next job, after #1044"), "%s",
	    row(find_row("CSH-XY-V01")));
	view_destroy(v);
	load_lang("zh_CN");
	v = detail_1042(ACTION_NONE);
	draw(120, 40);
	ck_assert(screen_has("\xc2\xb7  下一单，先完成 #1044"));
	view_destroy(v);
	/* a truck whose job this is shows no next job */
	harness_trucks[0].next = 0;
	harness_trucks[0].ticket = 1042;
	load_lang("en");
	v = detail_1042(ACTION_NONE);
	draw(120, 40);
	ck_assert(!screen_has("next job"));
}
END_TEST

START_TEST(test_detail_fetch)
{
	v = detail_1042(ACTION_NONE);
	ck_assert_int_eq(rec.fetch, 1);
	view_refresh(v, &m);
	ck_assert_int_eq(rec.fetch, 1);	/* the history held is the current one */
	/* The ticket changes: the history is asked for again, once per version. */
	tickets[0].ver = 8;
	view_refresh(v, &m);
	ck_assert_int_eq(rec.fetch, 2);
	view_refresh(v, &m);
	ck_assert_int_eq(rec.fetch, 2);	/* still out */
	harness_answer_history(&m, 7, base_events, 3);	/* but for the old version */
	view_refresh(v, &m);
	press('j');
	ck_assert_int_eq(rec.fetch, 2);
	draw(80, 24);
	ck_assert(screen_has("updating"));
	tickets[0].ver = 9;
	press('j');
	ck_assert_int_eq(rec.fetch, 3);
	harness_answer_history(&m, 9, base_events, ARRAY_LEN(base_events));
	draw(80, 24);
	ck_assert(!screen_has("updating"));
	ck_assert(screen_has("4 km away"));
	/* An accepted command asks again at once; a refused one does not. */
	press('a');
	type("ok");
	press_sym(KEYSYM_ENTER);
	ck_assert_int_eq(rec.note, 1);
	harness_answer_error(&m, rec.last_cmd, PROTO_E_INVALID_STATE, "no");
	ck_assert_int_eq(rec.fetch, 3);
	ck_assert(m.message_error);
	ck_assert_int_eq(m.req.pending[m.req.n_pending - 1].state, PENDING_FAILED);
	press('a');
	type("ok");
	press_sym(KEYSYM_ENTER);
	harness_answer_ok(&m, rec.last_cmd);
	ck_assert_int_eq(rec.fetch, 4);
	ck_assert(!m.message_error);
	/* The view closes: an answer still settles the command, but reaches no view. */
	press('a');
	type("ok");
	press_sym(KEYSYM_ENTER);
	model_forget(&m, v);
	view_destroy(v);
	v = NULL;
	harness_answer_none(&m, rec.last_cmd, "timeout");
	ck_assert_int_eq(m.req.pending[m.req.n_pending - 1].state, PENDING_FAILED);
	ck_assert(strstr(m.message, "timeout") != NULL);
}
END_TEST

/* The labels of the menu box's items (the lines "│ 1 label … │"). */
static void
menu_items(char items[][64], int *n)
{
	int y;
	const char *r, *p;
	char digit[24];

	*n = 0;
	for (y = 0; y < vscreen_rows(vs); y++) {
		r = row(y);
		snprintf(digit, sizeof digit, "\xe2\x94\x82 %d ", *n + 1);
		p = strstr(r, digit);
		if (p == NULL)
			continue;
		p += strlen(digit);
		rd_strlcpy(items[*n], p, 64);
		/* cut at two spaces (the note) or the border */
		for (char *q = items[*n]; *q != '\0'; q++) {
			if ((q[0] == ' ' && q[1] == ' ') || strncmp(q, "\xe2\x94\x82", 3) == 0) {
				*q = '\0';
				break;
			}
		}
		while (strlen(items[*n]) > 0 && items[*n][strlen(items[*n]) - 1] == ' ')
			items[*n][strlen(items[*n]) - 1] = '\0';
		(*n)++;
	}
}

START_TEST(test_detail_state_menu)
{
	static const struct {
		int64_t id;
		const char *items[4];
	} cases[] = {
		{ 1042, { "new", "on scene", "cancelled", NULL } },	/* en_route */
		{ 1043, { "cancelled", "by phone", NULL } },		/* new */
		{ 1048, { "new", "accepted", "cancelled", NULL } },	/* dispatched */
		{ 1046, { "towing", "completed", "cancelled", NULL } },	/* on_scene */
	};
	char items[10][64];
	int n, i;
	size_t c;

	for (c = 0; c < ARRAY_LEN(cases); c++) {
		v = cases[c].id == 1042 ? detail_1042(ACTION_NONE) :
		    view_detail_create(&m, cases[c].id, ACTION_NONE);
		ck_assert_uint_eq(press('S'), UI_HANDLED | UI_REDRAW);
		ck_assert_int_eq(v->scope, SCOPE_DIALOG);
		draw(80, 24);
		if (cases[c].id == 1042)
			check_golden("detail-menu-80x24");
		menu_items(items, &n);
		for (i = 0; cases[c].items[i] != NULL; i++) {
			ck_assert_int_gt(n, i);
			ck_assert_str_eq(items[i], cases[c].items[i]);
		}
		ck_assert_int_eq(n, i);
		/* "dispatched" is never offered: assigning is done with A. */
		for (i = 0; i < n; i++)
			ck_assert_str_ne(items[i], "dispatched");
		press_sym(KEYSYM_ESC);
		ck_assert_int_eq(v->scope, SCOPE_DETAIL);
		view_destroy(v);
		v = NULL;
	}

	/* A final state has nothing to offer: refused in words. */
	v = view_detail_create(&m, 1047, ACTION_NONE);
	press('S');
	ck_assert_int_eq(v->scope, SCOPE_DETAIL);
	ck_assert(m.message_error);
	ck_assert(strstr(m.message, "No state change") != NULL);
	view_destroy(v);

	/* Picking a state sends it; picking cancelled asks for a reason first. */
	v = detail_1042(ACTION_NONE);
	press('S');
	press_sym(KEYSYM_DOWN);		/* in a menu letters search: j is text */
	press_sym(KEYSYM_ENTER);
	ck_assert_int_eq(rec.set_state, 1);
	ck_assert_int_eq(rec.id, 1042);
	ck_assert_str_eq(rec.state, "on_scene");
	ck_assert_int_eq(v->scope, SCOPE_DETAIL);
	press('S');
	press('3');
	ck_assert_int_eq(v->scope, SCOPE_FORM);
	ck_assert_int_eq(rec.cancel, 0);
	press_sym(KEYSYM_ENTER);	/* empty reason: refused */
	ck_assert_int_eq(rec.cancel, 0);
	draw(80, 24);
	ck_assert(screen_has("Give a reason"));
	type("客户已自行解决");
	press_sym(KEYSYM_ENTER);
	ck_assert_int_eq(rec.cancel, 1);
	ck_assert_str_eq(rec.text, "客户已自行解决");
	ck_assert_int_eq(rec.set_state, 1);
	ck_assert_int_eq(v->scope, SCOPE_DETAIL);
}
END_TEST

START_TEST(test_detail_note_and_assign)
{
	v = view_detail_create(&m, 1043, ACTION_NONE);
	press('a');
	ck_assert_int_eq(v->scope, SCOPE_FORM);
	type("客户在五一广场地铁站 2 号口等");
	draw(80, 24);
	ck_assert(strstr(row(23), "Note: 客户在五一广场地铁站 2 号口等") != NULL);
	press_sym(KEYSYM_ENTER);
	ck_assert_int_eq(rec.note, 1);
	ck_assert_int_eq(rec.id, 1043);
	ck_assert_str_eq(rec.text, "客户在五一广场地铁站 2 号口等");
	ck_assert_int_eq(v->scope, SCOPE_DETAIL);
	ck_assert_uint_eq(model_pending_waiting(&m), 1);
	harness_answer_ok(&m, rec.last_cmd);
	ck_assert_uint_eq(model_pending_waiting(&m), 0);

	/* Assign when the broker cannot rank: the nearest available trucks able to serve a
	 * tyre job, nearest first, as a local estimate; Tab to type an id. */
	press('A');
	ck_assert_int_eq(v->scope, SCOPE_DIALOG);
	ck_assert_int_eq(rec.cands, 1);
	harness_answer_none(&m, rec.cands_cmd, "timeout");
	draw(80, 24);
	check_golden("detail-assign-80x24");
	{
		int y1 = find_row("CSH-XY-V02"), y2 = find_row("CSH-XY-V04"),
		    y3 = find_row("CSH-XY-F02");

		ck_assert_int_ge(y1, 0);
		ck_assert_int_ge(y2, 0);
		ck_assert_int_ge(y3, 0);
		ck_assert_int_lt(y1, y2);	/* 2.9 km before 3.0 km */
		ck_assert_int_eq(find_row("CSH-XY-V05"), -1);	/* off duty */
		ck_assert_int_eq(find_row("CSH-XY-H01"), -1);	/* cannot do tyres */
		ck_assert_int_eq(find_row("CSH-XY-V06"), -1);	/* no position */
	}
	press_sym(KEYSYM_TAB);
	ck_assert_int_eq(v->scope, SCOPE_FORM);
	press_sym(KEYSYM_DOWN);
	draw(80, 24);
	ck_assert(strstr(row(23), "Truck: CSH-XY-V02") != NULL);
	press_sym(KEYSYM_DOWN);
	draw(80, 24);
	ck_assert(strstr(row(23), "Truck: CSH-XY-V04") != NULL);
	/* An unknown truck is refused in words, nothing is sent. */
	press(KEYMAP_CTRL('u'));
	type("NOPE-1");
	press_sym(KEYSYM_ENTER);
	ck_assert_int_eq(rec.assign, 0);
	draw(80, 24);
	ck_assert(screen_has("No such truck in the fleet list: NOPE-1"));
	press(KEYMAP_CTRL('u'));
	type("CSH-XY-F02");
	press_sym(KEYSYM_ENTER);
	ck_assert_int_eq(rec.assign, 1);
	ck_assert_str_eq(rec.text, "CSH-XY-F02");
	ck_assert_int_eq(v->scope, SCOPE_DETAIL);
	/* q closes the view. */
	ck_assert_uint_eq(press('q'), UI_HANDLED | UI_CLOSE);
	view_destroy(v);

	/* Cancelling a completed ticket or assigning to it is refused. */
	v = view_detail_create(&m, 1047, ACTION_CANCEL_TICKET);
	ck_assert_int_eq(v->scope, SCOPE_DETAIL);
	ck_assert(m.message_error);
	press('A');
	ck_assert_int_eq(v->scope, SCOPE_DETAIL);
	ck_assert_int_eq(rec.assign, 1);
}
END_TEST

START_TEST(test_detail_scroll)
{
	v = detail_1042(ACTION_NONE);
	draw(80, 24);
	ck_assert(screen_has("4 km away"));
	ck_assert(!screen_has("offered to CSH-XY-V01"));
	press('g');
	draw(80, 24);
	ck_assert(screen_has("offered to CSH-XY-V01"));
	ck_assert(!screen_has("4 km away"));
	press('G');
	draw(80, 24);
	ck_assert(screen_has("4 km away"));
	/* Up scrolls one line; the view stays put when events arrive while scrolled up. */
	press('k');
	draw(80, 24);
	ck_assert(!screen_has("4 km away"));
	tickets[0].ver++;		/* a new history, one event fewer */
	view_refresh(v, &m);
	harness_answer_history(&m, tickets[0].ver, base_events, ARRAY_LEN(base_events) - 1);
	draw(80, 24);
	ck_assert(!screen_has("Told her"));
}
END_TEST

/* Scrolled line by line, the timeline's top row always names its event (time, kind, user),
 * also where it is the continuation of a wrapped event, marked with an ellipsis. */
START_TEST(test_detail_scroll_top_named)
{
	int y, continued = 0;

	v = detail_1042(ACTION_NONE);
	draw(80, 24);
	y = find_row("Timeline") + 1;
	ck_assert_int_gt(y, 0);
	press('g');
	for (int i = 0; i < 40; i++) {
		draw(80, 24);
		const char *r = harness_row(y);
		ck_assert_msg(r[0] == ' ' && r[1] >= '0' && r[1] <= '9' && r[3] == ':',
		    "step %d, top row without its event: \"%s\"", i, r);
		if (strstr(r, "\xe2\x80\xa6") != NULL)
			continued++;
		press('j');
	}
	ck_assert_int_gt(continued, 0);	/* some top rows were continuations */
}
END_TEST

/* ---------------------------------------------------------------- assign panel */

/* Open the assign panel of 1043 and answer with the first n fixed candidates. */
static void
open_pick(size_t n)
{
	v = view_detail_create(&m, 1043, ACTION_NONE);
	ck_assert_uint_eq(press('A'), UI_HANDLED | UI_REDRAW);
	ck_assert_int_eq(v->scope, SCOPE_DIALOG);
	ck_assert_int_eq(rec.cands, 1);
	ck_assert_int_eq(rec.id, 1043);
	ck_assert_int_eq(rec.cands_k, 5);
	harness_answer_cands(&m, base_cands, n);
}

START_TEST(test_pick_golden)
{
	static const char *langs[] = { "en", "zh_CN" };
	int y;

	open_pick(ARRAY_LEN(base_cands));
	golden("detail-pick", 80, 24, langs[_i]);
	assert_safe();
	golden("detail-pick", 120, 40, langs[_i]);
	assert_safe();
	if (_i != 0)
		return;
	draw(80, 24);
	/* Five of six, best first, the first selected; the reasons are there. */
	ck_assert_int_lt(find_row("CSH-XY-V02"), find_row("CSH-XY-V04"));
	ck_assert_int_lt(find_row("CSH-XY-F02"), find_row("CSH-XY-W02"));
	ck_assert_int_eq(find_row("CSH-XY-H01"), -1);
	/* the reasons, worded from their machine form (PROTOCOL.md 8.6) */
	ck_assert(screen_has("van preferred \xc2\xb7 offers today: 1"));
	ck_assert(screen_has("towing, free in ~14 min \xc2\xb7 wheel lift, van preferred"));
	y = find_row("CSH-XY-V02");
	ck_assert_int_eq(vscreen_cell(vs, 5, y)->role, ROLE_SELECTED);
	ck_assert(strstr(row(y), "available") != NULL);
	ck_assert(strstr(row(y), "2.9 km") != NULL);
	ck_assert(strstr(row(y), "9m") != NULL);
	ck_assert(strstr(row(y), "route estimate") != NULL);
	ck_assert(strstr(row(y), "30s") != NULL);
	ck_assert(strstr(row(y + 1), "load 0") != NULL);
	ck_assert(strstr(row(y + 1), "quality 0.92") != NULL);
	ck_assert(strstr(row(find_row("CSH-XY-V04")), "supplier's quote") != NULL);
	/* The stale GPS fix is marked in words and colour; no GPS says so. */
	y = find_row("CSH-XY-F02");
	ck_assert_int_eq(role_at(y, "STALE GPS"), ROLE_WARN);
	ck_assert_int_eq(role_at(y, "6m"), ROLE_WARN);
	ck_assert_int_eq(role_at(find_row("CSH-XY-V06"), "no GPS"), ROLE_WARN);
	ck_assert(strstr(row(find_row("CSH-XY-V06") + 1), "load") == NULL);
	ck_assert(strstr(row(23), "Enter/1-5 assign") != NULL);
}
END_TEST

/* A+digit on a ticket whose truck is on its way (issue 8): the panel shows that truck's
 * ETA to weigh the rows against, and the pick asks y/n first; n goes back to the panel. */
START_TEST(test_pick_confirm)
{
	v = view_detail_create(&m, 1042, ACTION_ASSIGN);
	harness_answer_cands(&m, base_cands, 2);
	draw(80, 24);
	ck_assert(screen_has("now CSH-XY-V01 ETA 17m"));
	ck_assert_msg(strstr(row(find_row("CSH-XY-V02") + 1), "now CSH-XY-V01 ETA 17m") != NULL,
	    "%s", row(find_row("CSH-XY-V02") + 1));
	ck_assert_msg(strstr(row(find_row("CSH-XY-V04") + 1), "now CSH-XY-V01 ETA 17m") != NULL,
	    "%s", row(find_row("CSH-XY-V04") + 1));
	press('1');
	ck_assert_int_eq(rec.assign, 0);
	draw(80, 24);
	ck_assert(strstr(row(23), "Take from CSH-XY-V01 (en route") != NULL);
	ck_assert(strstr(row(23), "offer to CSH-XY-V02?  [y/n]") != NULL);
	press('n');
	ck_assert_int_eq(rec.assign, 0);
	draw(80, 24);
	ck_assert(strstr(row(23), "Enter/1-5 assign") != NULL);	/* back in the panel */
	press('2');
	press_sym(KEYSYM_ESC);
	ck_assert_int_eq(rec.assign, 0);
	press('2');
	press('y');
	ck_assert_int_eq(rec.assign, 1);
	ck_assert_str_eq(rec.text, "CSH-XY-V04");
	draw(80, 24);
	ck_assert(!screen_has("[y/n]"));
}
END_TEST

START_TEST(test_pick_loading)
{
	v = view_detail_create(&m, 1043, ACTION_ASSIGN);	/* as the board's A does */
	ck_assert_int_eq(rec.cands, 1);
	draw(80, 24);
	ck_assert(screen_has("Asking the broker for the best trucks"));
	ck_assert(screen_has("loading"));
	ck_assert(screen_has("Tab: type a truck id"));
	/* Nothing to pick yet: Enter and digits send nothing. */
	press_sym(KEYSYM_ENTER);
	press('1');
	ck_assert_int_eq(rec.assign, 0);
	ck_assert_int_eq(v->scope, SCOPE_DIALOG);
	/* The answer comes; until it is drawn, keys still see the empty panel. */
	harness_answer_cands(&m, base_cands, 2);
	press('1');
	ck_assert_int_eq(rec.assign, 0);
	draw(80, 24);
	ck_assert(!screen_has("Asking the broker"));
	ck_assert(screen_has("ranked by the broker"));
	press('1');
	ck_assert_int_eq(rec.assign, 1);
	ck_assert_str_eq(rec.text, "CSH-XY-V02");
}
END_TEST

START_TEST(test_pick_enter_assigns_once)
{
	open_pick(ARRAY_LEN(base_cands));
	draw(80, 24);
	ck_assert_uint_eq(press_sym(KEYSYM_DOWN), UI_HANDLED | UI_REDRAW);
	press('j');
	press('k');
	draw(80, 24);
	ck_assert_int_eq(vscreen_cell(vs, 5, find_row("CSH-XY-V04"))->role, ROLE_SELECTED);
	ck_assert_int_ne(vscreen_cell(vs, 5, find_row("CSH-XY-V02"))->role, ROLE_SELECTED);
	ck_assert_int_eq(rec.assign, 0);		/* moving sends nothing */
	ck_assert_uint_eq(press_sym(KEYSYM_ENTER), UI_HANDLED | UI_REDRAW);
	ck_assert_int_eq(rec.assign, 1);
	ck_assert_int_eq(rec.id, 1043);
	ck_assert_str_eq(rec.text, "CSH-XY-V04");
	/* The panel closed: another Enter or digit sends nothing more. */
	ck_assert_int_eq(v->scope, SCOPE_DETAIL);
	press_sym(KEYSYM_ENTER);
	press('2');
	ck_assert_int_eq(rec.assign, 1);
	draw(80, 24);
	ck_assert(!screen_has("ranked by the broker"));

	/* End selects the last shown; Home the first. */
	press('A');
	harness_answer_cands(&m, base_cands, ARRAY_LEN(base_cands));
	draw(80, 24);
	press('G');
	press_sym(KEYSYM_ENTER);
	ck_assert_int_eq(rec.assign, 2);
	ck_assert_str_eq(rec.text, "CSH-XY-V06");
	/* Esc closes without sending. */
	press('A');
	harness_answer_cands(&m, base_cands, ARRAY_LEN(base_cands));
	draw(80, 24);
	ck_assert_uint_eq(press_sym(KEYSYM_ESC), UI_HANDLED | UI_REDRAW);
	ck_assert_int_eq(v->scope, SCOPE_DETAIL);
	ck_assert_int_eq(rec.assign, 2);
	/* The app could not send: the panel stays, with the reason. */
	press('A');
	harness_answer_cands(&m, base_cands, ARRAY_LEN(base_cands));
	draw(80, 24);
	rec.rc = -1;
	model_message(&m, true, "#1043 -> CSH-XY-V02: not sent, the broker cannot be reached");
	press_sym(KEYSYM_ENTER);
	ck_assert_int_eq(rec.assign, 3);
	ck_assert_int_eq(v->scope, SCOPE_DIALOG);
	draw(80, 24);
	ck_assert(screen_has("not sent, the broker cannot be reached"));
}
END_TEST

START_TEST(test_pick_digits)
{
	static const struct {
		int key;
		int sent;
		const char *truck;
	} cases[] = {
		{ '1', 1, "CSH-XY-V02" },
		{ '3', 1, "CSH-XY-F02" },
		{ '5', 1, "CSH-XY-V06" },
		{ '6', 0, NULL },	/* there are five rows */
		{ '0', 0, NULL },
	};
	size_t c;

	for (c = 0; c < ARRAY_LEN(cases); c++) {
		memset(&rec, 0, sizeof rec);
		open_pick(ARRAY_LEN(base_cands));
		draw(80, 24);
		press(cases[c].key);
		ck_assert_int_eq(rec.assign, cases[c].sent);
		if (cases[c].truck != NULL) {
			ck_assert_str_eq(rec.text, cases[c].truck);
			ck_assert_int_eq(v->scope, SCOPE_DETAIL);
		} else
			ck_assert_int_eq(v->scope, SCOPE_DIALOG);
		view_destroy(v);
		v = NULL;
	}
	/* With two candidates, 3 picks nothing and says so. */
	memset(&rec, 0, sizeof rec);
	open_pick(2);
	draw(80, 24);
	press('3');
	ck_assert_int_eq(rec.assign, 0);
	draw(80, 24);
	ck_assert(screen_has("No such row in the list: 3"));
	press('2');
	ck_assert_int_eq(rec.assign, 1);
	ck_assert_str_eq(rec.text, "CSH-XY-V04");
}
END_TEST

/* Keys act on the rows the agent saw: a new answer is not picked from before it is drawn. */
START_TEST(test_pick_keys_use_drawn_rows)
{
	struct proto_candidate swapped[2];

	swapped[0] = base_cands[1];
	swapped[1] = base_cands[0];
	/* r asks again; until the answer is drawn the keys see the empty panel, then the
	 * selection starts at the top of the new answer. */
	open_pick(2);
	draw(80, 24);
	press('j');
	ck_assert_uint_eq(press('r'), UI_HANDLED | UI_REDRAW);
	ck_assert_int_eq(rec.cands, 2);
	ck_assert(rec.cands_cmd[0] != '\0');	/* asked, not answered */
	press_sym(KEYSYM_ENTER);
	ck_assert_int_eq(rec.assign, 0);		/* nothing drawn yet: nothing sent */
	harness_answer_cands(&m, swapped, 2);
	press('1');
	ck_assert_int_eq(rec.assign, 0);		/* answered, but not drawn yet */
	draw(80, 24);
	press_sym(KEYSYM_ENTER);
	ck_assert_int_eq(rec.assign, 1);
	ck_assert_str_eq(rec.text, "CSH-XY-V04");
}
END_TEST

START_TEST(test_pick_error_fallback)
{
	static const char *langs[] = { "en", "zh_CN" };
	int y;

	load_lang(langs[_i]);
	v = view_detail_create(&m, 1043, ACTION_NONE);
	press('A');
	/* An older broker: unknown_op, worded as the app words it. */
	harness_answer_error(&m, rec.cands_cmd, PROTO_E_UNKNOWN_OP, "unknown op");
	draw(80, 24);
	check_golden(_i == 0 ? "detail-pick-error-80x24" : "detail-pick-error-80x24-zh");
	ck_assert(screen_has(i18n_tr("detail.cand.err")));
	ck_assert(screen_has("older version") || screen_has("版本较旧"));
	ck_assert(screen_has(i18n_tr("detail.cand.local")));
	y = find_row(i18n_tr("detail.cand.err"));
	ck_assert_int_eq(role_at(y, i18n_tr("detail.cand.err")), ROLE_ERROR);
	/* The local estimate, nearest first, picked the same way. */
	ck_assert_int_lt(find_row("CSH-XY-V02"), find_row("CSH-XY-V04"));
	ck_assert_int_lt(find_row("CSH-XY-V04"), find_row("CSH-XY-F02"));
	ck_assert_int_eq(find_row("CSH-XY-V06"), -1);
	press('2');
	ck_assert_int_eq(rec.assign, 1);
	ck_assert_str_eq(rec.text, "CSH-XY-V04");
	ck_assert_int_eq(v->scope, SCOPE_DETAIL);

	/* Typing an id still works; an unknown one is refused in words. */
	press('A');
	harness_answer_error(&m, rec.cands_cmd, PROTO_E_UNKNOWN_OP, "unknown op");
	draw(80, 24);
	press_sym(KEYSYM_TAB);
	ck_assert_int_eq(v->scope, SCOPE_FORM);
	type("NOPE-1");
	press_sym(KEYSYM_ENTER);
	ck_assert_int_eq(rec.assign, 1);
	draw(80, 24);
	ck_assert(screen_has(i18n_tr("detail.err_truck_unknown")));
	ck_assert(screen_has(i18n_tr("detail.cand.local")));	/* the panel stays */
	press(KEYMAP_CTRL('u'));
	type("CSH-XY-V06");	/* not in the estimate (no position), but in the fleet */
	press_sym(KEYSYM_ENTER);
	ck_assert_int_eq(rec.assign, 2);
	ck_assert_str_eq(rec.text, "CSH-XY-V06");
	ck_assert_int_eq(v->scope, SCOPE_DETAIL);

	/* Tab goes back from typing to the list; r asks the broker again. */
	press('A');
	harness_answer_error(&m, rec.cands_cmd, PROTO_E_UNKNOWN_OP, "unknown op");
	press_sym(KEYSYM_TAB);
	press_sym(KEYSYM_TAB);
	ck_assert_int_eq(v->scope, SCOPE_DIALOG);
	press('r');
	ck_assert_int_eq(rec.cands, 4);
	draw(80, 24);
	ck_assert(!screen_has("unknown_op"));
	ck_assert(screen_has(i18n_tr("detail.cand.loading")));
}
END_TEST

START_TEST(test_pick_not_sent)
{
	rec.rc_query = -1;	/* the app cannot send the question */
	v = view_detail_create(&m, 1043, ACTION_ASSIGN);
	ck_assert_int_eq(v->scope, SCOPE_DIALOG);
	draw(80, 24);
	ck_assert(screen_has("not sent, the broker cannot be reached"));
	ck_assert(screen_has("local estimate"));
	press('r');				/* still not sent: still the estimate */
	draw(80, 24);
	press_sym(KEYSYM_ENTER);
	ck_assert_int_eq(rec.assign, 1);
	ck_assert_str_eq(rec.text, "CSH-XY-V02");
	/* The broker answers with nobody: it says so, and the estimate is offered. */
	rec.rc_query = 0;
	press('A');
	harness_answer_cands(&m, base_cands, 0);
	draw(80, 24);
	ck_assert_int_eq(role_at(find_row("found no truck"), "found no truck"), ROLE_WARN);
	ck_assert(screen_has("local estimate"));
	press('2');
	ck_assert_int_eq(rec.assign, 2);
	ck_assert_str_eq(rec.text, "CSH-XY-V04");
	/* Asking again forgets the earlier question: its late answer is not shown. */
	press('A');
	rd_strlcpy(rec.text, rec.cands_cmd, sizeof rec.text);
	press('r');
	ck_assert_int_eq(rec.cancelled, 1);
	harness_answer_error(&m, rec.text, PROTO_E_UNKNOWN_OP, "late");
	draw(80, 24);
	ck_assert(screen_has("Asking the broker"));
	ck_assert(!screen_has("unknown_op"));
}
END_TEST

/* ---------------------------------------------------------------- re-dispatch, choice */

static struct proto_warning rd_warning = {
	.id = 9, .ticket = 1042, .kind = "redispatch", .level = "amber",
	.text = "CSH-XY-V04 is free and 1.2 km nearer than CSH-XY-V01",
	.ts = NOW - MIN_MS, .ver = 1, .truck = "CSH-XY-V04", .present = PROTO_ALL,
	.subject = "CSH-XY-V01", .eta = NOW + 17 * MIN_MS, .alt_eta = NOW + 5 * MIN_MS,
	.gain_s = 12 * 60,
};
static const struct proto_warning *wp_rd[ARRAY_LEN(base_warnings) + 1];

static void
add_redispatch(void)
{
	size_t i;

	for (i = 0; i < ARRAY_LEN(base_warnings); i++)
		wp_rd[i] = m.warnings[i];
	wp_rd[i] = &rd_warning;
	m.warnings = wp_rd;
	m.n_warnings = ARRAY_LEN(wp_rd);
	model_refresh(&m, NOW);
}

START_TEST(test_redispatch)
{
	static const char *langs[] = { "en", "zh_CN" };
	int y;

	rd_warning.ver = 1;
	rd_strlcpy(rd_warning.truck, "CSH-XY-V04", sizeof rd_warning.truck);
	add_redispatch();
	load_lang(langs[_i]);
	v = detail_1042(ACTION_NONE);
	draw(80, 24);
	check_golden(_i == 0 ? "detail-redispatch-80x24" : "detail-redispatch-80x24-zh");
	if (_i == 0) {
		y = find_row("R re-dispatch to CSH-XY-V04");
		ck_assert_int_ge(y, 0);
		ck_assert(strstr(row(y), "better truck") != NULL);
		ck_assert_int_eq(role_at(y, "R re-dispatch"), ROLE_KEY);
	}
	/* CSH-XY-V01 is on its way (issue 8): R asks first, naming it, its ETA and the new
	 * truck; n sends nothing. */
	ck_assert_uint_eq(press('R'), UI_HANDLED | UI_REDRAW);
	ck_assert_int_eq(rec.assign, 0);
	draw(80, 24);
	y = find_row("[y/n]");
	ck_assert_int_ge(y, 0);
	ck_assert_msg(strstr(row(y), "CSH-XY-V01") != NULL && strstr(row(y), "CSH-XY-V04") != NULL,
	    "%s", row(y));
	if (_i == 0)
		check_golden("detail-redispatch-confirm-80x24");
	else
		check_golden("detail-redispatch-confirm-80x24-zh");
	press('x');				/* anything else: still asking */
	ck_assert_int_eq(rec.assign, 0);
	press('n');
	ck_assert_int_eq(rec.assign, 0);
	draw(80, 24);
	ck_assert_int_lt(find_row("[y/n]"), 0);
	press('R');
	ck_assert_uint_eq(press('y'), UI_HANDLED | UI_REDRAW);
	ck_assert_int_eq(rec.assign, 1);
	ck_assert_int_eq(rec.id, 1042);
	ck_assert_str_eq(rec.text, "CSH-XY-V04");
	/* Once per proposal: a second R says it was sent. */
	press('R');
	ck_assert_int_eq(rec.assign, 1);
	ck_assert(!m.message_error);
	ck_assert(strstr(m.message, "CSH-XY-V04") != NULL);
	/* A new proposal (another version, another truck) is sent again. */
	rd_warning.ver = 2;
	rd_strlcpy(rd_warning.truck, "CSH-XY-V02", sizeof rd_warning.truck);
	press('R');
	press('y');
	ck_assert_int_eq(rec.assign, 2);
	ck_assert_str_eq(rec.text, "CSH-XY-V02");
	/* r is not R: nothing happens in the detail. */
	press('r');
	ck_assert_int_eq(rec.assign, 2);
	view_destroy(v);

	/* No proposal for this ticket: refused in words. */
	v = view_detail_create(&m, 1044, ACTION_NONE);
	press('R');
	ck_assert_int_eq(rec.assign, 2);
	ck_assert(m.message_error);
	view_destroy(v);

	/* A proposal for a ticket already on scene: no hint, R refused. */
	rd_warning.ticket = 1046;
	model_refresh(&m, NOW);
	v = view_detail_create(&m, 1046, ACTION_NONE);
	draw(80, 24);
	ck_assert(!screen_has(i18n_tr("detail.redispatch_to")));
	press('R');
	ck_assert_int_eq(rec.assign, 2);
	ck_assert(m.message_error);
	rd_warning.ticket = 1042;
}
END_TEST

START_TEST(test_awaits_choice)
{
	const struct proto_ticket *t1043 = model_ticket(&m, 1043), *t1042 = model_ticket(&m, 1042);

	/* Changsha offers by itself: nobody waits. */
	ck_assert(!model_ticket_awaits_choice(&m, t1043));
	regions[0].auto_dispatch = 0;
	ck_assert(model_ticket_awaits_choice(&m, t1043));
	ck_assert(!model_ticket_awaits_choice(&m, t1042));	/* en route already */
	ck_assert(!model_ticket_awaits_choice(&m, NULL));
	v = view_detail_create(&m, 1043, ACTION_NONE);
	draw(80, 24);
	ck_assert_int_eq(role_at(find_row("waits for an agent"), "waits for an agent"), ROLE_WARN);
	m.data = NULL;				/* no reference data: no claim */
	ck_assert(!model_ticket_awaits_choice(&m, t1043));
	m.data = &data;
}
END_TEST

/* The board marks the calls waiting for an agent's choice. */
START_TEST(test_board_awaits_choice)
{
	int y;

	v = view_board_create();
	press('G');		/* the selection (painted over the colours) out of the way */
	draw(80, 24);
	ck_assert(!screen_has("choose"));
	regions[0].auto_dispatch = 0;
	draw(80, 24);
	y = find_row("1043");
	ck_assert_int_eq(role_at(y, "choose"), ROLE_WARN);
	ck_assert(strstr(row(find_row("1042")), "choose") == NULL);	/* en route */
}
END_TEST

/* The one request path: commands are pending until answered and say how it went on the
 * message line; callbacks get their answer once; a forgotten owner gets none. */
static int reply_calls;
static int64_t reply_ctx;

static void
count_reply(struct model *mm, void *ctx, const struct proto_reply *r,
    const struct proto_error *err)
{
	(void)mm;
	(void)err;
	reply_calls++;
	reply_ctx = r != NULL && r->ok ? (int64_t)(intptr_t)ctx : -(int64_t)(intptr_t)ctx;
}

START_TEST(test_model_request)
{
	struct proto_ticket_note a = { .id = 1042, .text = "x", .present = PROTO_ALL };
	struct model_request rq = { .op = PROTO_MSG_ticket_note, .args = &a,
		.what = "Note on #1042", .on_reply = count_reply, .ctx = (void *)(intptr_t)7,
		.owner = &rq };
	char id[PROTO_CMD_ID_MAX + 1], id2[PROTO_CMD_ID_MAX + 1];

	reply_calls = 0;
	ck_assert_int_eq(model_request(&m, &rq, id), 0);
	ck_assert_str_eq(id, rec.last_cmd);
	ck_assert_uint_eq(model_pending_waiting(&m), 1);
	harness_answer_error(&m, id, PROTO_E_NOT_FOUND, "no such ticket");
	ck_assert_int_eq(reply_calls, 1);
	ck_assert_int_eq(reply_ctx, -7);
	ck_assert_uint_eq(model_pending_waiting(&m), 0);
	ck_assert_str_eq(m.message, "Note on #1042: no such ticket");
	ck_assert(m.message_error);
	harness_answer_error(&m, id, PROTO_E_NOT_FOUND, "again");	/* once only */
	ck_assert_int_eq(reply_calls, 1);

	/* A query is not a pending command; a forgotten owner is called no more. */
	rq.what = NULL;
	ck_assert_int_eq(model_request(&m, &rq, id), 0);
	ck_assert_int_eq(model_request(&m, &rq, id2), 0);
	ck_assert_uint_eq(model_pending_waiting(&m), 0);
	model_cancel(&m, id2);
	ck_assert_int_eq(rec.cancelled, 1);
	model_forget(&m, &rq);
	ck_assert_uint_eq(m.req.n_calls, 0);
	harness_answer_none(&m, id, "timeout");
	harness_answer_none(&m, id2, "timeout");
	ck_assert_int_eq(reply_calls, 1);

	/* Not sent: the command says so on the message line, nothing is pending. */
	rq.what = "Note on #1042";
	rec.rc = -1;
	ck_assert_int_eq(model_request(&m, &rq, NULL), -1);
	ck_assert_uint_eq(model_pending_waiting(&m), 0);
	ck_assert(strstr(m.message, "not sent") != NULL);
	ck_assert_uint_eq(m.req.n_calls, 0);
}
END_TEST

/* Issue 8: a command whose try went unanswered is queued, not failed: the message line
 * and the status line say so, the keep op is asked for it, and the broker's late answer
 * settles it as done. Past the retry window the agent is told to check before retyping. */
static int kept;

static int
keep_send(struct model *mm, enum proto_msg_id op, const void *args,
    char cmd_id[PROTO_CMD_ID_MAX + 1])
{
	return harness_model_ops.send(mm, op, args, cmd_id);
}

static void
keep_keep(struct model *mm, const char *cmd_id)
{
	(void)mm;
	(void)cmd_id;
	kept++;
}

START_TEST(test_model_request_queued)
{
	static const struct model_ops ops = { .send = keep_send, .keep = keep_keep };
	struct proto_ticket_note a = { .id = 1042, .text = "x", .present = PROTO_ALL };
	struct model_request rq = { .op = PROTO_MSG_ticket_note, .args = &a,
		.what = "Note on #1042" };
	char id[PROTO_CMD_ID_MAX + 1], *dump;
	struct vscreen *st = vscreen_create(100, 1);

	m.ops = &ops;
	kept = 0;
	ck_assert_int_eq(model_request(&m, &rq, id), 0);
	ck_assert_int_eq(kept, 1);
	rq.what = NULL;	/* a query is not kept */
	ck_assert_int_eq(model_request(&m, &rq, NULL), 0);
	ck_assert_int_eq(kept, 1);

	model_pending_queue(&m, model_pending_find(&m, id));
	ck_assert(strstr(m.message, "Note on #1042: queued") == m.message);
	ck_assert_uint_eq(model_pending_queued(&m), 1);
	ck_assert_uint_eq(model_pending_waiting(&m), 1);
	chrome_status(st, 0, &m);
	dump = vscreen_dump(st);
	ck_assert_msg(strstr(dump, "pending 1 (queued 1)") != NULL, "%s", dump);
	free(dump);

	harness_answer_ok(&m, id);
	ck_assert_uint_eq(model_pending_queued(&m), 0);
	ck_assert_uint_eq(model_pending_waiting(&m), 0);
	ck_assert_str_eq(m.message, "Note on #1042: done");
	chrome_status(st, 0, &m);
	dump = vscreen_dump(st);
	ck_assert_msg(strstr(dump, "queued") == NULL, "%s", dump);
	free(dump);

	/* The window closed with no answer: it may have been applied, so it is not sent
	 * again; the agent is asked (expired.h). */
	rq.what = "Note on #1042";
	ck_assert_int_eq(model_request(&m, &rq, id), 0);
	model_pending_queue(&m, model_pending_find(&m, id));
	harness_answer_none(&m, id, "no reply to ticket.note within 540 s");
	ck_assert(strstr(m.message, "may have been applied") != NULL);
	ck_assert_int_eq(model_pending_find(&m, id)->state, PENDING_ASK);
	ck_assert_ptr_eq(model_pending_asking(&m), model_pending_find(&m, id));
	vscreen_destroy(st);
}
END_TEST

/* Issue 8: a command past its idempotency window is asked about, never resent: the box
 * names it and offers check-and-re-enter or drop (in both languages); only c and d
 * answer; c opens the ticket with the note's text on the message line, an intake the
 * form; d drops it. A waiting command's slot is not reused while it is asked. */
START_TEST(test_expired_asks)
{
	struct proto_ticket_note a = { .id = 1042, .text = "caller waits at exit 12",
		.present = PROTO_ALL };
	struct proto_intake_create in = { .present = PROTO_ALL };
	struct model_request rq = { .op = PROTO_MSG_ticket_note, .args = &a,
		.what = "Note on #1042" };
	char id[PROTO_CMD_ID_MAX + 1], id2[PROTO_CMD_ID_MAX + 1];
	struct model_pending *p;
	struct view_open o;
	struct vscreen *box = vscreen_create(80, 24);
	char *d;

	ck_assert_int_eq(model_request(&m, &rq, id), 0);
	model_pending_queue(&m, model_pending_find(&m, id));
	harness_answer_none(&m, id, "no reply to ticket.note within 540 s");
	rq = (struct model_request){ .op = PROTO_MSG_intake_create, .args = &in,
		.what = "Intake 王丽" };
	ck_assert_int_eq(model_request(&m, &rq, id2), 0);
	model_pending_queue(&m, model_pending_find(&m, id2));
	harness_answer_none(&m, id2, "no reply to intake.create within 540 s");
	/* the slots of commands still asked about are never reused */
	for (int i = 0; i < MODEL_PENDING_MAX; i++) {
		rq = (struct model_request){ .op = PROTO_MSG_ticket_note, .args = &a,
			.what = "Note" };
		char other[PROTO_CMD_ID_MAX + 1];
		ck_assert_int_eq(model_request(&m, &rq, other), 0);
		harness_answer_ok(&m, other);
	}
	p = model_pending_asking(&m);
	ck_assert_ptr_nonnull(p);
	ck_assert_str_eq(p->cmd_id, id);	/* the oldest first */
	ck_assert_int_eq(p->ticket, 1042);
	ck_assert_str_eq(p->text, "caller waits at exit 12");

	vscreen_fill(box, 0, 0, 80, 24, ROLE_NORMAL, 0, L' ');
	expired_draw(box, p);
	d = vscreen_dump(box);
	ck_assert_msg(strstr(d, "Note on #1042") != NULL, "%s", d);
	ck_assert_msg(strstr(d, "may have applied it") != NULL, "%s", d);
	ck_assert_msg(strstr(d, "not sent again") != NULL, "%s", d);
	ck_assert_msg(strstr(d, "[c] check the ticket, then enter it again   [d] drop it") !=
	    NULL, "%s", d);
	free(d);
	harness_lang("zh_CN");
	expired_draw(box, p);
	d = vscreen_dump(box);
	ck_assert_msg(strstr(d, "[c] 核对工单后重新录入   [d] 放弃") != NULL, "%s", d);
	free(d);
	harness_lang("en");

	/* any other key leaves it asked */
	ck_assert(!expired_answer(&m, p, ACTION_CONFIRM, &o));
	ck_assert(!expired_answer(&m, p, ACTION_NONE, &o));
	ck_assert_int_eq(p->state, PENDING_ASK);
	/* c: the ticket opens, the text to enter again on the message line */
	ck_assert(expired_answer(&m, p, keymap_lookup(SCOPE_DIALOG,
	    &(struct key){ .code = 'c' }), &o));
	ck_assert_int_eq(p->state, PENDING_FAILED);
	ck_assert_int_eq(o.kind, VIEW_DETAIL);
	ck_assert_int_eq(o.ticket, 1042);
	ck_assert_msg(strstr(m.message, "caller waits at exit 12") != NULL, "%s", m.message);
	/* the intake next: c opens the form (no ticket to check) */
	p = model_pending_asking(&m);
	ck_assert_str_eq(p->cmd_id, id2);
	vscreen_fill(box, 0, 0, 80, 24, ROLE_NORMAL, 0, L' ');
	expired_draw(box, p);
	d = vscreen_dump(box);
	ck_assert_msg(strstr(d, "[c] check the board, then enter it again") != NULL, "%s", d);
	free(d);
	ck_assert(expired_answer(&m, p, ACTION_RECHECK, &o));
	ck_assert_int_eq(o.kind, VIEW_INTAKE);
	ck_assert_ptr_null(model_pending_asking(&m));
	/* d drops */
	rq = (struct model_request){ .op = PROTO_MSG_ticket_note, .args = &a,
		.what = "Note on #1042" };
	ck_assert_int_eq(model_request(&m, &rq, id), 0);
	model_pending_queue(&m, model_pending_find(&m, id));
	harness_answer_none(&m, id, "no reply");
	p = model_pending_asking(&m);
	ck_assert(expired_answer(&m, p, keymap_lookup(SCOPE_DIALOG,
	    &(struct key){ .code = 'd' }), &o));
	ck_assert_int_eq(o.kind, VIEW_NONE);
	ck_assert_str_eq(m.message, "Note on #1042: dropped");
	ck_assert_ptr_null(model_pending_asking(&m));
	vscreen_destroy(box);
}
END_TEST

/* ---------------------------------------------------------------- intake */

START_TEST(test_intake_golden)
{
	static const char *langs[] = { "en", "zh_CN" };

	v = view_intake_create(&m);
	golden("intake", 80, 24, langs[_i]);
	golden("intake", 120, 40, langs[_i]);
	if (_i == 0)
		golden("intake", 60, 20, "en");
}
END_TEST

/* Focus field n (0-based, in form order) from the top. */
static void
focus_field(int n)
{
	int i;

	for (i = 0; i < 20; i++)
		press_sym(KEYSYM_UP);
	for (i = 0; i < n; i++)
		press_sym(KEYSYM_TAB);
}

/* The fields in form order while "diagnose by phone first" is hidden (no fault chosen,
 * or one without a flow); it sits between FAULT and NOTES when shown. */
enum { NAME, PHONE, PLATE, MODEL, REGION, LANDMARK, COORDS, ADDRESS, FAULT, NOTES,
	EXPRESSWAY, ALONE, VULNERABLE, INJURY };

START_TEST(test_intake_rejects_invalid)
{
	static const char *langs[] = { "en", "zh_CN" };

	load_lang(langs[_i]);
	v = view_intake_create(&m);
	draw(80, 24);
	/* Nothing is shouted at a fresh form. */
	ck_assert(!screen_has(i18n_tr("intake.err.name_empty")));
	/* Submitting an empty form sends nothing and says what is missing, in words. */
	ck_assert_uint_eq(press_sym(KEYSYM_F10), UI_HANDLED | UI_REDRAW);
	ck_assert_int_eq(rec.intake, 0);
	draw(80, 24);
	ck_assert(screen_has(i18n_tr("intake.err.name_empty")));
	ck_assert(screen_has(i18n_tr("intake.err.phone_empty")));
	ck_assert(screen_has(i18n_tr("intake.err.plate_empty")));
	ck_assert(screen_has(i18n_tr("intake.err.region")));
	ck_assert(screen_has(i18n_tr("intake.err.coords_missing")));
	ck_assert(screen_has(i18n_tr("intake.err.fault")));
	ck_assert(!screen_has(i18n_tr("intake.err.address_empty")) || true);
	ck_assert_int_eq(role_at(find_row(i18n_tr("intake.err.plate_empty")),
	    i18n_tr("intake.err.plate_empty")), ROLE_ERROR);

	/* Some typed, some wrong. */
	focus_field(NAME);
	type("欧阳娜娜");
	focus_field(PHONE);
	type("138-1234-abc");
	focus_field(COORDS);
	type("100,200");
	press(KEYMAP_CTRL('o'));
	ck_assert_int_eq(rec.intake, 0);
	draw(80, 24);
	ck_assert(!screen_has(i18n_tr("intake.err.name_empty")));
	ck_assert(screen_has(i18n_tr("intake.err.phone_chars")));
	ck_assert(screen_has(i18n_tr("intake.err.lat_range")));
	if (_i == 0)
		check_golden("intake-errors-80x24");
	else
		check_golden("intake-errors-80x24-zh");

	focus_field(COORDS);
	press(KEYMAP_CTRL('u'));
	type("28.1,abc");
	press_sym(KEYSYM_F10);
	draw(80, 24);
	ck_assert(screen_has(i18n_tr("intake.err.coords_format")));
	focus_field(COORDS);
	press(KEYMAP_CTRL('u'));
	type("28.1,190");
	press_sym(KEYSYM_F10);
	draw(80, 24);
	ck_assert(screen_has(i18n_tr("intake.err.lon_range")));
	focus_field(PHONE);
	press(KEYMAP_CTRL('u'));
	type("1234");
	press_sym(KEYSYM_F10);
	draw(80, 24);
	ck_assert(screen_has(i18n_tr("intake.err.phone_short")));
	ck_assert_int_eq(rec.intake, 0);
}
END_TEST

START_TEST(test_intake_submits_once)
{
	unsigned r;
	const struct proto_intake_create *a = &rec.intake_args;

	v = view_intake_create(&m);
	type("欧阳娜娜");			/* name has the focus first */
	press_sym(KEYSYM_TAB);
	type("138 1234 5670");
	press_sym(KEYSYM_ENTER);		/* Enter moves on from a text field */
	type("湘AD12340");
	press_sym(KEYSYM_TAB);
	type("比亚迪 汉 EV");
	press_sym(KEYSYM_TAB);
	/* region: open the list, pick the first (changsha) */
	press_sym(KEYSYM_ENTER);
	ck_assert_int_eq(v->scope, SCOPE_DIALOG);
	draw(80, 24);
	check_golden("intake-choice-80x24");
	press_sym(KEYSYM_ENTER);
	ck_assert_int_eq(v->scope, SCOPE_FORM);
	press_sym(KEYSYM_TAB);
	/* landmark: Right steps to the first landmark and fills the coordinates */
	press_sym(KEYSYM_RIGHT);
	press_sym(KEYSYM_TAB);
	press_sym(KEYSYM_TAB);
	type("湖南省长沙市岳麓区麓山南路932号");
	press_sym(KEYSYM_TAB);
	/* fault: open the list, go down to tyre (it has a flow: "diagnose by phone first"
	 * comes next, left as the expressway box below will make it) */
	press(' ');
	press_sym(KEYSYM_DOWN);
	press_sym(KEYSYM_ENTER);
	press_sym(KEYSYM_TAB);
	press_sym(KEYSYM_TAB);
	type("车内有老人");
	press_sym(KEYSYM_TAB);
	press(' ');				/* expressway */
	press_sym(KEYSYM_TAB);
	press_sym(KEYSYM_TAB);
	press_sym(KEYSYM_TAB);
	press_sym(KEYSYM_ENTER);		/* injury */
	draw(80, 24);
	check_golden("intake-filled-80x24");
	r = press_sym(KEYSYM_F10);
	ck_assert_uint_eq(r, UI_HANDLED | UI_REDRAW);	/* open until the broker answers */
	ck_assert_int_eq(rec.intake, 1);
	ck_assert_uint_eq(press_sym(KEYSYM_F10), UI_HANDLED);	/* sent once only */
	ck_assert_int_eq(rec.intake, 1);
	ck_assert_ptr_null(m.req.close);
	ck_assert_str_eq(a->customer, "欧阳娜娜");
	ck_assert_str_eq(a->phone, "138 1234 5670");
	ck_assert_str_eq(a->plate, "湘AD12340");
	ck_assert_str_eq(a->model, "比亚迪 汉 EV");
	ck_assert_str_eq(a->region, "changsha");
	ck_assert_str_eq(a->landmark, "五一广场 Wuyi Square");
	ck_assert_str_eq(a->address, "湖南省长沙市岳麓区麓山南路932号");
	ck_assert_str_eq(a->fault, "tyre");
	ck_assert_str_eq(a->notes, "车内有老人");
	ck_assert_int_eq(a->flags, TICKET_FLAG_EXPRESSWAY | TICKET_FLAG_INJURY);
	/* on an expressway the flows say dispatch at once: no hold unless the agent asks */
	ck_assert(PROTO_HAS(a, intake_create, diag_hold));
	ck_assert(!a->diag_hold);
	ck_assert(a->lat > 28.19599 && a->lat < 28.19601);
	ck_assert(a->lon > 112.97679 && a->lon < 112.97681);
	ck_assert(PROTO_HAS(a, intake_create, customer) && PROTO_HAS(a, intake_create, phone) &&
	    PROTO_HAS(a, intake_create, plate) && PROTO_HAS(a, intake_create, lat) &&
	    PROTO_HAS(a, intake_create, lon) && PROTO_HAS(a, intake_create, address) &&
	    PROTO_HAS(a, intake_create, fault) && PROTO_HAS(a, intake_create, region) &&
	    PROTO_HAS(a, intake_create, model) && PROTO_HAS(a, intake_create, landmark) &&
	    PROTO_HAS(a, intake_create, notes) && PROTO_HAS(a, intake_create, flags));
}
END_TEST

START_TEST(test_intake_minimal_and_failures)
{
	const struct proto_intake_create *a = &rec.intake_args;

	/* The board's filter presets the region. */
	ck_assert_ptr_null(board_set_filter(&m.board, "region:ningxiang"));
	v = view_intake_create(&m);
	type("Li Lei");
	focus_field(PHONE);
	type("+86 13700009876");
	focus_field(PLATE);
	type("湘A23456");
	focus_field(COORDS);
	type("28.25，112.55");		/* a full-width comma, as Chinese IMEs type it */
	focus_field(ADDRESS);
	type("宁乡市玉潭镇");
	focus_field(FAULT);
	press_sym(KEYSYM_LEFT);			/* the last fault: winch */
	/* The app cannot send: the form stays, with what was typed. */
	rec.rc = -1;
	ck_assert_uint_eq(press_sym(KEYSYM_F10), UI_HANDLED | UI_REDRAW);
	ck_assert_int_eq(rec.intake, 1);
	rec.rc = 0;
	ck_assert_uint_eq(press_sym(KEYSYM_F10), UI_HANDLED | UI_REDRAW);
	ck_assert_int_eq(rec.intake, 2);
	ck_assert_str_eq(a->region, "ningxiang");
	ck_assert_str_eq(a->fault, "winch");
	ck_assert(a->lat > 28.2499 && a->lat < 28.2501);
	ck_assert(!PROTO_HAS(a, intake_create, model));
	ck_assert(!PROTO_HAS(a, intake_create, landmark));
	ck_assert(!PROTO_HAS(a, intake_create, notes));
	ck_assert(!PROTO_HAS(a, intake_create, flags));
	ck_assert(!PROTO_HAS(a, intake_create, diag_hold));	/* winch has no flow */
}
END_TEST

/* Fill what the broker requires (fault left to the caller), in Changsha. */
static void
intake_fill(void)
{
	focus_field(NAME);
	type("Li Lei");
	focus_field(PHONE);
	type("13700009876");
	focus_field(PLATE);
	type("湘A23456");
	focus_field(REGION);
	press_sym(KEYSYM_RIGHT);		/* changsha */
	focus_field(COORDS);
	type("28.2,112.9");
	focus_field(ADDRESS);
	type("芙蓉路");
}

/* A Chinese input method left in full-width mode types "１３８…": taken as ASCII digits and
 * letters (not refused as "digits only", not three bytes each against the field's size). */
START_TEST(test_intake_full_width)
{
	const struct proto_intake_create *a = &rec.intake_args;

	v = view_intake_create(&m);
	intake_fill();
	focus_field(PHONE);
	press(KEYMAP_CTRL('u'));
	type("１３９\xe3\x80\x80１２３４－０００１");	/* an ideographic space, a full-width dash */
	focus_field(PLATE);
	press(KEYMAP_CTRL('u'));
	type("湘Ａ２３４５６");
	focus_field(FAULT);
	press_sym(KEYSYM_RIGHT);
	draw(80, 24);
	ck_assert(!screen_has(i18n_tr("intake.err.phone_chars")));
	ck_assert(screen_has("139 1234-0001"));
	press_sym(KEYSYM_F10);
	draw(80, 24);
	ck_assert_msg(rec.intake == 1, "%s", harness_row(23));
	ck_assert_str_eq(a->phone, "139 1234-0001");
	ck_assert_str_eq(a->plate, "湘A23456");
}
END_TEST

/* Issue 8: a rejected intake keeps the form open with what was typed and the broker's
 * error beside the field it names (focused, on the message line too); an error naming no
 * field is on the message line; an accepted one closes the form (model_close). */
START_TEST(test_intake_rejected_kept)
{
	const char *far = "location is 1336 km from region changsha; check the coordinates";
	int y;

	v = view_intake_create(&m);
	intake_fill();
	focus_field(FAULT);
	press_sym(KEYSYM_RIGHT);
	ck_assert_uint_eq(press_sym(KEYSYM_F10), UI_HANDLED | UI_REDRAW);
	ck_assert_int_eq(rec.intake, 1);
	harness_answer_error(&m, rec.last_cmd, PROTO_E_BAD_REQUEST, far);
	ck_assert_ptr_null(m.req.close);
	draw(120, 30);
	ck_assert(screen_has("Li Lei"));
	ck_assert(screen_has("13700009876"));
	y = find_row("28.2,112.9");
	ck_assert_int_ge(y, 0);
	ck_assert_msg(strstr(row(y), "location is 1336 km") != NULL, "%s", row(y));
	ck_assert(strstr(row(find_row("Li Lei")), "location is") == NULL);
	/* Another location: the broker's error goes, the form can be sent again. */
	focus_field(COORDS);
	press_sym(KEYSYM_BACKSPACE);
	type("8");
	draw(120, 30);
	ck_assert(strstr(row(find_row("28.2,112.8")), "location is") == NULL);
	ck_assert_uint_eq(press_sym(KEYSYM_F10), UI_HANDLED | UI_REDRAW);
	ck_assert_int_eq(rec.intake, 2);
	harness_answer_error(&m, rec.last_cmd, PROTO_E_INTERNAL, "database is locked");
	ck_assert_ptr_null(m.req.close);
	ck_assert(strstr(m.message, "database is locked") != NULL);
	m.message[0] = '\0';	/* the message line clears after a while; the form keeps it */
	draw(120, 30);
	y = find_row("database is locked");
	ck_assert_int_ge(y, 1);
	ck_assert_int_lt(y, find_row("Customer name"));
	ck_assert_int_eq(role_at(y, "database"), ROLE_ERROR);
	ck_assert(screen_has("Li Lei"));
	ck_assert_uint_eq(press_sym(KEYSYM_F10), UI_HANDLED | UI_REDRAW);
	ck_assert_int_eq(rec.intake, 3);
	harness_answer_ok(&m, rec.last_cmd);
	ck_assert_ptr_eq(m.req.close, v);
	model_forget(&m, v);	/* what the view stack does when it pops the form */
	ck_assert_ptr_null(m.req.close);
}
END_TEST

/* The broker names the field of its refusal ("field", PROTOCOL.md 5.2): the error is
 * beside that field whatever its words, in zh_CN worded from its code. */
START_TEST(test_intake_rejected_field)
{
	static struct proto_reply r;
	char id[PROTO_CMD_ID_MAX + 1];
	int y;

	load_lang("zh_CN");
	v = view_intake_create(&m);
	intake_fill();
	focus_field(FAULT);
	press_sym(KEYSYM_RIGHT);
	press_sym(KEYSYM_F10);
	ck_assert_int_eq(rec.intake, 1);
	rd_strlcpy(id, rec.last_cmd, sizeof id);
	memset(&r, 0, sizeof r);
	rd_strlcpy(r.cmd_id, id, sizeof r.cmd_id);
	r.op_id = PROTO_MSG_intake_create;
	r.error.code = PROTO_E_BAD_REQUEST;
	rd_strlcpy(r.error.message, "too short for this broker", sizeof r.error.message);
	rd_strlcpy(r.error.field, "phone", sizeof r.error.field);
	model_reply(&m, id, &r, NULL);
	draw(120, 30);
	y = find_row("13700009876");
	ck_assert_int_ge(y, 0);
	ck_assert_msg(strstr(row(y), i18n_tr("err.bad_request")) != NULL, "%s", row(y));
	ck_assert(!screen_has("too short"));
}
END_TEST

/* Issue 8: an intake's draft text round-trips into a new form (text, region, landmark,
 * fault, ticked flags), counts as typed there, and an untouched form has no draft. */
/* Issue 8: a location outside the chosen region's radius is warned about at the
 * coordinates, naming the region it lies in; a second F10 with the same location sends it;
 * swapped latitude and longitude are offered to be swapped back (a second F10). */
START_TEST(test_intake_location_checks)
{
	const struct proto_intake_create *a = &rec.intake_args;
	int y;

	v = view_intake_create(&m);
	intake_fill();
	focus_field(FAULT);
	press_sym(KEYSYM_RIGHT);
	/* in Ningxiang, typed for Changsha */
	focus_field(COORDS);
	press(KEYMAP_CTRL('u'));
	type("28.25,112.55");
	ck_assert_uint_eq(press_sym(KEYSYM_F10), UI_HANDLED | UI_REDRAW);
	ck_assert_int_eq(rec.intake, 0);
	draw(120, 30);
	y = find_row("28.25,112.55");
	ck_assert_int_ge(y, 0);
	ck_assert_msg(strstr(row(y), i18n_tr("intake.warn.far")) != NULL, "%s", row(y));
	ck_assert(screen_has(i18n_tr("intake.warn.in")));
	ck_assert(screen_has("Ningxiang"));
	/* changed: warned again, not sent */
	press_sym(KEYSYM_BACKSPACE);
	type("6");
	ck_assert_uint_eq(press_sym(KEYSYM_F10), UI_HANDLED | UI_REDRAW);
	ck_assert_int_eq(rec.intake, 0);
	/* confirmed: the same location again is sent */
	ck_assert_uint_eq(press_sym(KEYSYM_F10), UI_HANDLED | UI_REDRAW);
	ck_assert_int_eq(rec.intake, 1);
	ck_assert(a->lon > 112.5599 && a->lon < 112.5601);
	view_destroy(v);

	/* 275 km north of Changsha: in no region, said so */
	v = view_intake_create(&m);
	intake_fill();
	focus_field(FAULT);
	press_sym(KEYSYM_RIGHT);
	focus_field(COORDS);
	press(KEYMAP_CTRL('u'));
	type("30.7,112.94");
	press_sym(KEYSYM_F10);
	ck_assert_int_eq(rec.intake, 1);
	draw(120, 30);
	ck_assert(screen_has(i18n_tr("intake.warn.nowhere")));
	ck_assert(screen_has("275 km (")); /* from the centre, then the radius */
	view_destroy(v);

	/* swapped: the second F10 swaps them (not sent), the third sends */
	v = view_intake_create(&m);
	intake_fill();
	focus_field(FAULT);
	press_sym(KEYSYM_RIGHT);
	focus_field(COORDS);
	press(KEYMAP_CTRL('u'));
	type("112.9,28.2");
	press_sym(KEYSYM_F10);
	ck_assert_int_eq(rec.intake, 1);
	draw(120, 30);
	ck_assert(screen_has(i18n_tr("intake.warn.swapped")));
	ck_assert(!screen_has(i18n_tr("intake.err.lat_range")));
	press_sym(KEYSYM_F10);
	ck_assert_int_eq(rec.intake, 1);
	draw(120, 30);
	ck_assert(screen_has("28.20000,112.90000"));
	ck_assert(!screen_has(i18n_tr("intake.warn.swapped")));
	press_sym(KEYSYM_F10);
	ck_assert_int_eq(rec.intake, 2);
	ck_assert(a->lat > 28.1999 && a->lat < 28.2001);
}
END_TEST

/* Issue 8: an expressway landmark ticks the expressway box (and another landmark or
 * region unticks it) until the agent ticks or unticks it. */
START_TEST(test_intake_expressway_landmark)
{
	const struct proto_intake_create *a = &rec.intake_args;

	cs_landmarks[2].expressway = 1;
	v = view_intake_create(&m);
	intake_fill();
	focus_field(FAULT);
	press_sym(KEYSYM_RIGHT);
	focus_field(LANDMARK);
	press_sym(KEYSYM_LEFT);			/* the last: Yuelu Mountain, here an expressway */
	press_sym(KEYSYM_F10);
	ck_assert_int_eq(rec.intake, 1);
	ck_assert_str_eq(a->landmark, "岳麓山 Yuelu Mountain");
	ck_assert_int_eq(a->flags, TICKET_FLAG_EXPRESSWAY);
	view_destroy(v);

	/* another landmark unticks it */
	v = view_intake_create(&m);
	intake_fill();
	focus_field(FAULT);
	press_sym(KEYSYM_RIGHT);
	focus_field(LANDMARK);
	press_sym(KEYSYM_LEFT);
	press_sym(KEYSYM_LEFT);
	press_sym(KEYSYM_F10);
	ck_assert_int_eq(rec.intake, 2);
	ck_assert(!PROTO_HAS(a, intake_create, flags));
	view_destroy(v);

	/* unticked by the agent: the landmark leaves it so */
	v = view_intake_create(&m);
	intake_fill();
	focus_field(FAULT);
	press_sym(KEYSYM_RIGHT);
	focus_field(LANDMARK);
	press_sym(KEYSYM_LEFT);
	focus_field(EXPRESSWAY + 1);		/* after "diagnose by phone first" */
	press(' ');
	focus_field(LANDMARK);
	press_sym(KEYSYM_RIGHT);
	press_sym(KEYSYM_LEFT);
	press_sym(KEYSYM_F10);
	ck_assert_int_eq(rec.intake, 3);
	ck_assert(!PROTO_HAS(a, intake_create, flags));
	cs_landmarks[2].expressway = 0;
}
END_TEST

/* Issue 8: a foreign phone number and a plate that is not Chinese are warned about in
 * words at their field; each F10 again confirms one (they stay confirmed), and an
 * unconfirmed change is warned about again. */
START_TEST(test_intake_format_warnings)
{
	const struct proto_intake_create *a = &rec.intake_args;
	int y;

	v = view_intake_create(&m);
	intake_fill();
	focus_field(FAULT);
	press_sym(KEYSYM_RIGHT);
	focus_field(PHONE);
	press(KEYMAP_CTRL('u'));
	type("+44 20 7946 0958");
	focus_field(PLATE);
	press(KEYMAP_CTRL('u'));
	type("AB12 CDE");
	focus_field(COORDS);
	press(KEYMAP_CTRL('u'));
	type("28.25,112.55");			/* in Ningxiang: warned too */
	press_sym(KEYSYM_F10);
	ck_assert_int_eq(rec.intake, 0);
	draw(120, 30);
	y = find_row("+44 20 7946 0958");
	ck_assert_int_ge(y, 0);
	ck_assert_msg(strstr(row(y), i18n_tr("intake.warn.phone")) != NULL, "%s", row(y));
	press_sym(KEYSYM_F10);			/* phone confirmed: the plate next */
	ck_assert_int_eq(rec.intake, 0);
	draw(120, 30);
	ck_assert(screen_has(i18n_tr("intake.warn.plate_latin")));
	ck_assert(!screen_has(i18n_tr("intake.warn.phone")));
	press_sym(KEYSYM_F10);			/* plate confirmed: the location next */
	ck_assert_int_eq(rec.intake, 0);
	draw(120, 30);
	ck_assert(screen_has(i18n_tr("intake.warn.far")));
	/* the location is confirmed with the F10 below; a changed plate is checked again */
	focus_field(PLATE);
	press_sym(KEYSYM_BACKSPACE);
	type("F");
	press_sym(KEYSYM_F10);
	ck_assert_msg(rec.intake == 0, "sent plate '%s'", a->plate);
	draw(120, 30);
	ck_assert(screen_has(i18n_tr("intake.warn.plate_latin")));
	press_sym(KEYSYM_F10);			/* the rest was confirmed: sent */
	ck_assert_int_eq(rec.intake, 1);
	ck_assert_str_eq(a->phone, "+44 20 7946 0958");
	ck_assert_str_eq(a->plate, "AB12 CDF");
	view_destroy(v);

	/* a mistyped Chinese plate says what a plate looks like */
	v = view_intake_create(&m);
	intake_fill();
	focus_field(FAULT);
	press_sym(KEYSYM_RIGHT);
	focus_field(PLATE);
	press(KEYMAP_CTRL('u'));
	type("湘A1234");
	press_sym(KEYSYM_F10);
	ck_assert_int_eq(rec.intake, 1);
	draw(120, 30);
	ck_assert(screen_has(i18n_tr("intake.warn.plate")));
}
END_TEST

/* Issue 8: the same caller again. A phone or a plate of an open ticket shows that ticket
 * above the form; F9 attaches the call to it (ticket.callback with the notes typed) and,
 * accepted, closes the form to open the ticket's detail; F10 warns beside the field that
 * matched and a second F10 creates the new ticket all the same. A closed ticket's number
 * is no duplicate. */
START_TEST(test_intake_duplicate)
{
	int y;

	v = view_intake_create(&m);
	/* F9 with no open ticket found: said so, nothing sent */
	ck_assert_uint_eq(press_sym(KEYSYM_F9), UI_HANDLED | UI_REDRAW);
	ck_assert_int_eq(rec.callback, 0);
	ck_assert(strstr(m.message, i18n_tr("intake.dup.none")) != NULL);
	focus_field(PHONE);
	type("13500003333");			/* 1047's, completed */
	draw(120, 30);
	ck_assert(!screen_has(i18n_tr("intake.dup.open")));
	press(KEYMAP_CTRL('u'));
	type("137 0000 1234");			/* 1044's, typed with spaces */
	draw(120, 30);
	y = find_row(i18n_tr("intake.dup.open"));
	ck_assert_int_ge(y, 1);
	ck_assert_int_lt(y, find_row("Customer name"));
	ck_assert_msg(strstr(row(y), "#1044") != NULL && strstr(row(y), "137****1234") != NULL &&
	    strstr(row(y), "湘A12345") != NULL && strstr(row(y), "en route") != NULL &&
	    strstr(row(y), "35m") != NULL && strstr(row(y), "Changsha") != NULL &&
	    strstr(row(y), "F9") != NULL, "%s", row(y));
	ck_assert_int_eq(role_at(y, "#1044"), ROLE_WARN);
	m.message[0] = '\0';
	golden("intake-dup", 80, 24, "zh_CN");
	golden("intake-dup", 80, 24, "en");
	focus_field(NOTES);
	type("asks where the truck is");
	ck_assert_uint_eq(press_sym(KEYSYM_F9), UI_HANDLED | UI_REDRAW);
	ck_assert_int_eq(rec.callback, 1);
	ck_assert_int_eq(rec.id, 1044);
	ck_assert_str_eq(rec.text, "asks where the truck is");
	ck_assert_uint_eq(press_sym(KEYSYM_F9), UI_HANDLED);	/* sent once */
	ck_assert_int_eq(rec.callback, 1);
	harness_answer_error(&m, rec.last_cmd, PROTO_E_INVALID_STATE,
	    "ticket 1044 is completed and can no longer be changed");
	ck_assert_ptr_null(m.req.close);	/* refused: the draft stays */
	ck_assert_uint_eq(press_sym(KEYSYM_F9), UI_HANDLED | UI_REDRAW);
	ck_assert_int_eq(rec.callback, 2);
	harness_answer_ok(&m, rec.last_cmd);
	ck_assert_ptr_eq(m.req.close, v);
	ck_assert_int_eq(m.req.close_open, 1044);
	model_forget(&m, v);
	ck_assert_int_eq(m.req.close_open, 0);
	view_destroy(v);

	/* the plate of 1043, written another way: a new ticket needs a second F10 */
	v = view_intake_create(&m);
	intake_fill();
	focus_field(PLATE);
	press(KEYMAP_CTRL('u'));
	type("湘a·88888");
	focus_field(FAULT);
	press_sym(KEYSYM_RIGHT);
	draw(120, 30);
	ck_assert(strstr(row(find_row(i18n_tr("intake.dup.open"))), "#1043") != NULL);
	ck_assert_uint_eq(press_sym(KEYSYM_F10), UI_HANDLED | UI_REDRAW);
	ck_assert_int_eq(rec.intake, 0);
	draw(120, 30);
	y = find_row("湘a·88888");
	ck_assert_msg(strstr(row(y), i18n_tr("intake.dup.same")) != NULL &&
	    strstr(row(y), "#1043") != NULL, "%s", row(y));
	ck_assert_uint_eq(press_sym(KEYSYM_F10), UI_HANDLED | UI_REDRAW);
	ck_assert_int_eq(rec.intake, 1);
	ck_assert_str_eq(rec.intake_args.plate, "湘a·88888");
}
END_TEST

/* The fields of the form in edit mode (region, diagnosis and notes hidden). */
enum { E_NAME, E_PHONE, E_PLATE, E_MODEL, E_LANDMARK, E_COORDS, E_ADDRESS, E_FAULT,
	E_EXPRESSWAY };

/* Issue 8: e in a ticket's detail opens the intake form in edit mode, filled from the
 * ticket; F10 sends ticket.edit with the keys that changed only; nothing changed sends
 * nothing; a change that takes the job from an en-route truck (a move over 1 km, a fault
 * its kind cannot serve) asks for a second F10; a rejection stays beside its field. */
START_TEST(test_intake_edit)
{
	const struct proto_ticket_edit *a = &rec.edit_args;
	int y;

	/* from the detail: e on an open ticket, refused on a closed one */
	v = view_detail_create(&m, 1044, ACTION_NONE);
	ck_assert_uint_eq(press('e') & UI_OPEN, UI_OPEN);
	ck_assert_int_eq(v->open.kind, VIEW_INTAKE);
	ck_assert_int_eq(v->open.ticket, 1044);
	view_destroy(v);
	v = view_detail_create(&m, 1047, ACTION_NONE);
	ck_assert_uint_eq(press('e') & UI_OPEN, 0);
	ck_assert(strstr(m.message, i18n_tr("detail.err_edit")) != NULL);
	view_destroy(v);
	v = NULL;
	ck_assert_ptr_null(view_intake_edit_create(&m, 1047));

	v = view_intake_edit_create(&m, 1044);
	ck_assert(!view_is_intake(v));	/* no draft of an edit */
	m.message[0] = '\0';
	golden("intake-edit", 80, 24, "zh_CN");
	golden("intake-edit", 80, 24, "en");
	draw(80, 24);
	ck_assert(strstr(row(0), "#1044") != NULL);
	ck_assert(!screen_has(i18n_tr("intake.region")));
	ck_assert(screen_has("28.20000,113.00000"));
	ck_assert_uint_eq(press_sym(KEYSYM_F10), UI_HANDLED | UI_REDRAW);
	ck_assert_int_eq(rec.edit, 0);
	ck_assert(strstr(m.message, i18n_tr("intake.edit.nothing")) != NULL);
	/* the plate only */
	focus_field(E_PLATE);
	press_sym(KEYSYM_BACKSPACE);
	type("6");
	ck_assert_uint_eq(press_sym(KEYSYM_F10), UI_HANDLED | UI_REDRAW);
	ck_assert_int_eq(rec.edit, 1);
	ck_assert_int_eq(a->id, 1044);
	ck_assert_str_eq(a->plate, "湘A12346");
	ck_assert(PROTO_HAS(a, ticket_edit, plate) && !PROTO_HAS(a, ticket_edit, phone) &&
	    !PROTO_HAS(a, ticket_edit, customer) && !PROTO_HAS(a, ticket_edit, lat) &&
	    !PROTO_HAS(a, ticket_edit, address) && !PROTO_HAS(a, ticket_edit, landmark) &&
	    !PROTO_HAS(a, ticket_edit, fault) && !PROTO_HAS(a, ticket_edit, flags));
	harness_answer_ok(&m, rec.last_cmd);
	ck_assert_ptr_eq(m.req.close, v);
	ck_assert(strstr(m.message, "#1044") != NULL);
	model_forget(&m, v);
	view_destroy(v);

	/* 5.5 km away: the en-route truck would lose the job; asked first */
	v = view_intake_edit_create(&m, 1044);
	focus_field(E_COORDS);
	press(KEYMAP_CTRL('u'));
	type("28.25,113.0");
	ck_assert_uint_eq(press_sym(KEYSYM_F10), UI_HANDLED | UI_REDRAW);
	ck_assert_int_eq(rec.edit, 1);
	draw(120, 30);
	y = find_row("28.25,113.0");
	ck_assert_msg(strstr(row(y), i18n_tr("intake.edit.moves")) != NULL &&
	    strstr(row(y), "CSH-XY-W02") != NULL, "%s", row(y));
	ck_assert_uint_eq(press_sym(KEYSYM_F10), UI_HANDLED | UI_REDRAW);
	ck_assert_int_eq(rec.edit, 2);
	ck_assert(PROTO_HAS(a, ticket_edit, lat) && PROTO_HAS(a, ticket_edit, lon));
	ck_assert(a->lat > 28.2499 && a->lat < 28.2501 && !PROTO_HAS(a, ticket_edit, plate));
	/* refused: the form stays, the broker's words beside the coordinates */
	harness_answer_error(&m, rec.last_cmd, PROTO_E_BAD_REQUEST,
	    "location is 600 km from region changsha; check the coordinates");
	ck_assert_ptr_null(m.req.close);
	draw(120, 30);
	ck_assert(strstr(row(find_row("28.25,113.0")), "location is 600 km") != NULL);
	view_destroy(v);

	/* a fault the wheel-lift cannot serve asks too; one it can does not */
	v = view_intake_edit_create(&m, 1044);
	focus_field(E_FAULT);
	press_sym(KEYSYM_LEFT);			/* lockout: van or flatbed */
	ck_assert_uint_eq(press_sym(KEYSYM_F10), UI_HANDLED | UI_REDRAW);
	ck_assert_int_eq(rec.edit, 2);
	draw(120, 30);
	ck_assert(strstr(row(find_row(i18n_tr("intake.fault"))), i18n_tr("intake.edit.moves"))
	    != NULL);
	ck_assert_uint_eq(press_sym(KEYSYM_F10), UI_HANDLED | UI_REDRAW);
	ck_assert_int_eq(rec.edit, 3);
	ck_assert_str_eq(a->fault, "lockout");
	view_destroy(v);
	v = view_intake_edit_create(&m, 1044);
	focus_field(E_FAULT);
	press_sym(KEYSYM_RIGHT);		/* overheat, warning light, ev, */
	press_sym(KEYSYM_RIGHT);
	press_sym(KEYSYM_RIGHT);
	press_sym(KEYSYM_RIGHT);		/* mechanical_tow: the wheel-lift serves it */
	ck_assert_uint_eq(press_sym(KEYSYM_F10), UI_HANDLED | UI_REDRAW);
	ck_assert_int_eq(rec.edit, 4);
	ck_assert_str_eq(a->fault, "mechanical_tow");
	view_destroy(v);

	/* a small move of an accepted job is sent at once */
	v = view_intake_edit_create(&m, 1045);
	focus_field(E_COORDS);
	press(KEYMAP_CTRL('u'));
	type("28.153,112.98");
	ck_assert_uint_eq(press_sym(KEYSYM_F10), UI_HANDLED | UI_REDRAW);
	ck_assert_int_eq(rec.edit, 5);
	ck_assert_int_eq(a->id, 1045);
}
END_TEST

START_TEST(test_intake_draft_round_trip)
{
	char text[4096], again[4096];
	struct view *w;

	v = view_intake_create(&m);
	ck_assert_uint_eq(view_intake_draft(v, text, sizeof text), 0);
	ck_assert(view_is_intake(v));
	intake_fill();
	focus_field(FAULT);
	press_sym(KEYSYM_RIGHT);
	ck_assert_uint_gt(view_intake_draft(v, text, sizeof text), 0);
	ck_assert_msg(strstr(text, "intake.name=Li Lei\n") != NULL, "%s", text);
	ck_assert(strstr(text, "intake.region=changsha\n") != NULL);

	w = view_intake_create(&m);
	ck_assert(!view_is_intake(NULL));
	ck_assert_int_ge(view_intake_restore(w, &m, text), 7);
	ck_assert_uint_gt(view_intake_draft(w, again, sizeof again), 0);
	ck_assert_str_eq(again, text);
	view_destroy(v);
	v = w;
	draw(120, 30);
	ck_assert(screen_has("Li Lei"));
	ck_assert(screen_has("芙蓉路"));
	ck_assert(screen_has("28.2,112.9"));
	/* Restored values are typed: Esc asks before throwing them away. */
	press_sym(KEYSYM_ESC);
	draw(120, 30);
	ck_assert(screen_has("Discard"));
	/* What does not fit the data any more is skipped, the rest kept. */
	w = view_intake_create(&m);
	ck_assert_int_eq(view_intake_restore(w, &m,
	    "intake.region=atlantis\nintake.fault=warp\nbogus=1\nintake.phone=139\n"), 1);
	view_intake_draft(w, again, sizeof again);
	ck_assert_str_eq(again, "intake.phone=139\n");
	view_destroy(w);
}
END_TEST

/* "Diagnose by phone first": shown for a fault with a flow, ticked by default by day off
 * the expressway, unticked on an expressway or at night (China time), the agent's choice
 * kept once made, sent as diag_hold. */
START_TEST(test_intake_diag_hold)
{
	const struct proto_intake_create *a = &rec.intake_args;
	const char *label = "Diagnose by phone first";

	v = view_intake_create(&m);
	draw(80, 24);
	ck_assert(!screen_has(label));		/* no fault yet */
	intake_fill();
	focus_field(FAULT);
	press_sym(KEYSYM_RIGHT);		/* battery: it has a flow */
	draw(80, 24);
	ck_assert(screen_has("[x] Diagnose by phone first"));
	ck_assert_int_eq(find_row(label), find_row("Fault") + 1);
	press_sym(KEYSYM_TAB);			/* the box is next */
	draw(80, 24);
	ck_assert(strstr(row(find_row(label)), "\xe2\x80\xba [x]") != NULL);
	check_golden("intake-diag-80x24");
	load_lang("zh_CN");
	draw(80, 24);
	ck_assert(screen_has("[x] 先电话诊断"));
	check_golden("intake-diag-80x24-zh");
	load_lang("en");
	/* winch has none: hidden, and Tab from the fault goes to the notes */
	focus_field(FAULT);
	press_sym(KEYSYM_LEFT);			/* battery -> winch, the last */
	draw(80, 24);
	ck_assert(!screen_has(label));
	press_sym(KEYSYM_TAB);
	ck_assert_uint_eq(press('x'), UI_HANDLED | UI_REDRAW);	/* typed into the notes */
	press(KEYMAP_CTRL('u'));
	/* back to battery; the expressway box unticks it, unticking that ticks it again */
	focus_field(FAULT);
	press_sym(KEYSYM_RIGHT);
	focus_field(EXPRESSWAY + 1);		/* + the shown box */
	press(' ');
	draw(80, 24);
	ck_assert(screen_has("[ ] Diagnose by phone first"));
	press(' ');
	draw(80, 24);
	ck_assert(screen_has("[x] Diagnose by phone first"));
	ck_assert_uint_eq(press_sym(KEYSYM_F10), UI_HANDLED | UI_REDRAW);
	ck_assert_int_eq(rec.intake, 1);
	ck_assert_str_eq(a->fault, "battery");
	ck_assert(PROTO_HAS(a, intake_create, diag_hold) && a->diag_hold);
	ck_assert(!PROTO_HAS(a, intake_create, flags));
	view_destroy(v);

	/* At night (21:05 China time) unticked; once the agent ticks it, the choice stays. */
	m.now = NOW + 7 * 60 * MIN_MS;
	v = view_intake_create(&m);
	intake_fill();
	focus_field(FAULT);
	press_sym(KEYSYM_RIGHT);
	draw(80, 24);
	ck_assert(screen_has("[ ] Diagnose by phone first"));
	press_sym(KEYSYM_TAB);
	press(' ');
	m.now = NOW;				/* morning comes: still the agent's choice */
	draw(80, 24);
	ck_assert(screen_has("[x] Diagnose by phone first"));
	m.now = NOW + 7 * 60 * MIN_MS;
	ck_assert_uint_eq(press_sym(KEYSYM_F10), UI_HANDLED | UI_REDRAW);
	ck_assert_int_eq(rec.intake, 2);
	ck_assert(PROTO_HAS(a, intake_create, diag_hold) && a->diag_hold);
	view_destroy(v);

	/* Night, not touched: sent as false. 05:59 is still night, 06:00 is day. */
	m.now = NOW - 6 * MIN_MS;		/* 13:59 China time */
	m.now -= 8 * 60 * MIN_MS;		/* 05:59 */
	v = view_intake_create(&m);
	intake_fill();
	focus_field(FAULT);
	press_sym(KEYSYM_RIGHT);
	ck_assert_uint_eq(press_sym(KEYSYM_F10), UI_HANDLED | UI_REDRAW);
	ck_assert_int_eq(rec.intake, 3);
	ck_assert(PROTO_HAS(a, intake_create, diag_hold) && !a->diag_hold);
	view_destroy(v);
	m.now += MIN_MS;			/* 06:00 */
	v = view_intake_create(&m);
	intake_fill();
	focus_field(FAULT);
	press_sym(KEYSYM_RIGHT);
	ck_assert_uint_eq(press_sym(KEYSYM_F10), UI_HANDLED | UI_REDRAW);
	ck_assert(PROTO_HAS(a, intake_create, diag_hold) && a->diag_hold);
	view_destroy(v);

	/* A console without the flows cannot tell: no box, no key. */
	m.flows = NULL;
	v = view_intake_create(&m);
	intake_fill();
	focus_field(FAULT);
	press_sym(KEYSYM_RIGHT);
	draw(80, 24);
	ck_assert(!screen_has(label));
	ck_assert_uint_eq(press_sym(KEYSYM_F10), UI_HANDLED | UI_REDRAW);
	ck_assert_int_eq(rec.intake, 5);
	ck_assert(!PROTO_HAS(a, intake_create, diag_hold));
}
END_TEST

START_TEST(test_intake_escape)
{
	/* An untouched form closes at once; a touched one asks first. */
	v = view_intake_create(&m);
	ck_assert_uint_eq(press_sym(KEYSYM_ESC), UI_HANDLED | UI_CLOSE);
	view_destroy(v);
	v = view_intake_create(&m);
	type("q");				/* text, not "back" */
	ck_assert_uint_eq(press_sym(KEYSYM_ESC), UI_HANDLED | UI_REDRAW);
	ck_assert_int_eq(v->scope, SCOPE_DIALOG);
	draw(80, 24);
	ck_assert(screen_has("Discard this intake?"));
	ck_assert_uint_eq(press('n'), UI_HANDLED | UI_REDRAW);
	ck_assert_int_eq(v->scope, SCOPE_FORM);
	press_sym(KEYSYM_ESC);
	ck_assert_uint_eq(press('y'), UI_HANDLED | UI_CLOSE);
	ck_assert_int_eq(rec.intake, 0);
}
END_TEST

/* Issue 8: an edit keeps no draft, so Esc and C-c ask before dropping a correction; a
 * form whose values are the ticket's (untouched, or typed back) closes at once and C-c
 * has nothing to ask about. */
START_TEST(test_intake_edit_escape)
{
	v = view_intake_edit_create(&m, 1044);
	ck_assert(!view_intake_unsaved(v, &m));
	ck_assert_uint_eq(press_sym(KEYSYM_ESC), UI_HANDLED | UI_CLOSE);
	view_destroy(v);

	/* the plate changed: asked, n keeps it, y drops it */
	v = view_intake_edit_create(&m, 1044);
	focus_field(E_PLATE);
	press_sym(KEYSYM_BACKSPACE);
	type("6");
	ck_assert(view_intake_unsaved(v, &m));
	ck_assert_uint_eq(press_sym(KEYSYM_ESC), UI_HANDLED | UI_REDRAW);
	ck_assert_int_eq(v->scope, SCOPE_DIALOG);
	draw(80, 24);
	ck_assert(screen_has(i18n_tr("intake.edit.discard")));
	ck_assert_uint_eq(press('n'), UI_HANDLED | UI_REDRAW);
	ck_assert_int_eq(v->scope, SCOPE_FORM);
	/* typed back to the ticket's plate: nothing to lose */
	press_sym(KEYSYM_BACKSPACE);
	type("5");
	ck_assert(!view_intake_unsaved(v, &m));
	ck_assert_uint_eq(press_sym(KEYSYM_ESC), UI_HANDLED | UI_CLOSE);
	view_destroy(v);

	/* a fault picked, a flag ticked, coordinates half typed: each asks */
	v = view_intake_edit_create(&m, 1044);
	focus_field(E_FAULT);
	press_sym(KEYSYM_LEFT);
	ck_assert(view_intake_unsaved(v, &m));
	ck_assert_uint_eq(press_sym(KEYSYM_ESC), UI_HANDLED | UI_REDRAW);
	ck_assert_uint_eq(press('y'), UI_HANDLED | UI_CLOSE);
	ck_assert_int_eq(rec.edit, 0);
	view_destroy(v);
	v = view_intake_edit_create(&m, 1044);
	focus_field(E_EXPRESSWAY);
	press(' ');
	ck_assert(view_intake_unsaved(v, &m));
	view_destroy(v);
	v = view_intake_edit_create(&m, 1044);
	focus_field(E_COORDS);
	press(KEYMAP_CTRL('u'));
	type("28.2");
	ck_assert(view_intake_unsaved(v, &m));
	ck_assert_uint_eq(press_sym(KEYSYM_ESC), UI_HANDLED | UI_REDRAW);
	ck_assert_int_eq(v->scope, SCOPE_DIALOG);
	ck_assert_int_eq(rec.edit, 0);
}
END_TEST

/* ---------------------------------------------------------------- line editor */

START_TEST(test_lineedit_utf8)
{
	struct lineedit le;
	struct key k;

	lineedit_init(&le, 64);
	ck_assert_int_eq(lineedit_insert(&le, L'欧'), LINEEDIT_CHANGED);
	lineedit_insert_str(&le, "阳娜娜");
	ck_assert_str_eq(lineedit_text(&le), "欧阳娜娜");
	ck_assert_uint_eq(lineedit_cursor_chars(&le), 4);
	ck_assert_int_eq(lineedit_cursor_cols(&le), 8);
	lineedit_left(&le);
	lineedit_left(&le);
	ck_assert_uint_eq(lineedit_cursor_chars(&le), 2);
	ck_assert_int_eq(lineedit_cursor_cols(&le), 4);
	lineedit_insert(&le, L'x');
	ck_assert_str_eq(lineedit_text(&le), "欧阳x娜娜");
	k.code = 0;
	k.is_func = false;
	ck_assert_int_eq(lineedit_key(&le, &k, ACTION_DELETE_BACK), LINEEDIT_CHANGED);
	ck_assert_int_eq(lineedit_key(&le, &k, ACTION_DELETE_CHAR), LINEEDIT_CHANGED);
	ck_assert_str_eq(lineedit_text(&le), "欧阳娜");
	/* Combining marks move with their base character. */
	lineedit_set(&le, "e\xcc\x81t");	/* e + U+0301, t */
	lineedit_home(&le);
	lineedit_right(&le);
	ck_assert_uint_eq(le.cur, 3);
	lineedit_key(&le, &k, ACTION_DELETE_BACK);
	ck_assert_str_eq(lineedit_text(&le), "t");
	/* Controls, bidi overrides and invisible characters are refused. */
	ck_assert_int_eq(lineedit_insert(&le, 0x1b), LINEEDIT_REFUSED);
	ck_assert_int_eq(lineedit_insert(&le, 0x202e), LINEEDIT_REFUSED);
	ck_assert_int_eq(lineedit_insert(&le, 0x200b), LINEEDIT_REFUSED);
	ck_assert_int_eq(lineedit_insert(&le, L'\t'), LINEEDIT_REFUSED);
	lineedit_set(&le, "a" ESC_2J "b");
	ck_assert_str_eq(lineedit_text(&le), "a[2Jb");
	/* The size limit is in bytes and never splits a character. */
	lineedit_finish(&le);
	lineedit_init(&le, 7);
	lineedit_insert_str(&le, "湘A湘B");
	ck_assert_str_eq(lineedit_text(&le), "湘A湘");
	ck_assert_int_eq(lineedit_insert(&le, L'C'), LINEEDIT_REFUSED);
	lineedit_finish(&le);
}
END_TEST

START_TEST(test_lineedit_scroll)
{
	struct lineedit le;
	int cx;

	vscreen_resize(vs, 20, 1);
	lineedit_init(&le, 200);
	lineedit_set(&le, "湖南省长沙市岳麓区麓山南路932号");	/* 33 columns */
	cx = lineedit_draw(&le, vs, 2, 0, 10, ROLE_INPUT, 0);
	/* The cursor is at the end, visible, with the tail of the text before it. */
	ck_assert_int_le(cx, 2 + 9);
	ck_assert_int_ge(cx, 2 + 8);
	ck_assert(strstr(row(0), "932号") != NULL);
	ck_assert(strstr(row(0), "湖南") == NULL);
	/* No half of a wide character at either edge. */
	ck_assert_int_ne(vscreen_cell(vs, 2, 0)->width, 0);
	lineedit_home(&le);
	cx = lineedit_draw(&le, vs, 2, 0, 10, ROLE_INPUT, 0);
	ck_assert_int_eq(cx, 2);
	ck_assert(strncmp(row(0), "  湖南省长沙", strlen("  湖南省长沙")) == 0);
	lineedit_finish(&le);
}
END_TEST

START_TEST(test_present_wrap)
{
	size_t st[8], ln[8], n;
	const char *s = "one two three four five";

	n = present_wrap(s, 9, st, ln, 8);
	ck_assert_uint_eq(n, 3);
	ck_assert_int_eq(strncmp(s + st[0], "one two", ln[0]), 0);
	ck_assert_uint_eq(ln[0], 7);
	ck_assert_int_eq(strncmp(s + st[1], "three", ln[1]), 0);
	n = present_wrap("湖南省长沙市岳麓区", 6, st, ln, 8);
	ck_assert_uint_eq(n, 3);
	ck_assert_uint_eq(ln[0], 9);		/* three characters of 3 bytes, 6 columns */
	n = present_wrap("", 10, st, ln, 8);
	ck_assert_uint_eq(n, 1);
	ck_assert_uint_eq(ln[0], 0);
}
END_TEST

START_TEST(test_present_due)
{
	struct proto_ticket t = base_tickets[0];

	ck_assert_int_eq(present_due(NULL, &t, NOW, 0), PRESENT_DUE_OK);
	ck_assert_int_eq(present_due(NULL, &t, NOW, 1), PRESENT_DUE_SOON);
	ck_assert_int_eq(present_due(NULL, &t, NOW, 2), PRESENT_DUE_LATE);
	/* amber exactly when the broker raises eta_late: an ETA within late_margin_s */
	t.eta = t.promised - 7 * MIN_MS;
	ck_assert_int_eq(present_due(NULL, &t, NOW, 0), PRESENT_DUE_OK);
	t.eta = t.promised - 4 * MIN_MS;
	ck_assert_int_eq(present_due(NULL, &t, NOW, 0), PRESENT_DUE_SOON);
	struct data_sla wide = *monitor_sla_default();
	wide.late_margin_s = 600;
	t.eta = t.promised - 7 * MIN_MS;
	ck_assert_int_eq(present_due(&wide, &t, NOW, 0), PRESENT_DUE_SOON);
	t.eta = t.promised + MIN_MS;
	ck_assert_int_eq(present_due(NULL, &t, NOW, 0), PRESENT_DUE_LATE);
	t.present &= ~ABSENT;			/* no ETA: only the clock counts */
	ck_assert_int_eq(present_due(NULL, &t, NOW, 0), PRESENT_DUE_OK);
	ck_assert_int_eq(present_due(NULL, &t, t.promised + 1, 0), PRESENT_DUE_LATE);
	rd_strlcpy(t.state, "on_scene", sizeof t.state);
	ck_assert_int_eq(present_due(NULL, &t, t.promised + 1, 2), PRESENT_DUE_NONE);
}
END_TEST

/* The board's urgency weighs a ticket's standing as the broker's warning for it: an ETA 7
 * minutes before the promise is on time, 4 minutes before is at risk like an amber warning
 * (and not twice once the broker's eta_late arrives). */
START_TEST(test_board_urgency_standing)
{
	struct proto_ticket t = base_tickets[0];
	int64_t calm, risk;

	t.priority = 0;
	t.eta = t.promised - 7 * MIN_MS;
	calm = board_urgency(&t, NULL, NOW, 0);
	t.eta = t.promised - 4 * MIN_MS;
	risk = board_urgency(&t, NULL, NOW, 0);
	ck_assert_int_gt(risk, calm);
	ck_assert_int_eq(board_urgency(&t, NULL, NOW, 1), risk);
	t.eta = t.promised - 7 * MIN_MS;
	ck_assert_int_lt(board_urgency(&t, NULL, NOW, 1), risk);	/* 3 more minutes of slack */
	ck_assert_int_lt(board_urgency(&t, NULL, NOW, 1), board_urgency(&t, NULL, NOW, 2));
}
END_TEST

/* The flags shown on the board, weightiest first, in ASCII (mono, any language); a
 * closed ticket shows none. */
START_TEST(test_board_flag_mark)
{
	ck_assert_ptr_null(present_flag_glyph(0));
	ck_assert_str_eq(present_flag_glyph(TICKET_FLAG_ALL), "+");
	ck_assert_str_eq(present_flag_glyph(TICKET_FLAG_EXPRESSWAY | TICKET_FLAG_VULNERABLE), "^");
	ck_assert_str_eq(present_flag_glyph(TICKET_FLAG_ALONE_NIGHT), "^");
	ck_assert_str_eq(present_flag_glyph(TICKET_FLAG_EXPRESSWAY), "=");
	v = view_board_create();
	draw(80, 24);
	ck_assert(strncmp(row(find_row("1042")), " + 1042", 7) == 0);
	ck_assert_int_eq(role_at(find_row("1042"), "+"), ROLE_WARN);
	ck_assert(strncmp(row(find_row("1044")), "   1044", 7) == 0);
	tickets[0].flags = TICKET_FLAG_INJURY;
	rd_strlcpy(tickets[0].state, "completed", sizeof tickets[0].state);
	model_refresh(&m, NOW);
	draw(80, 24);
	ck_assert(strncmp(row(find_row("1042")), "   1042", 7) == 0);
}
END_TEST

/* The board's order by urgency (issue 8): late before at risk before on time whatever the
 * flags, then the least slack; priority flags and being new only break ties. Each row is a
 * ticket, listed in the order the board must show them. */
static const struct urgency_row {
	int64_t id;
	const char *state;
	int64_t promised_min, eta_min; /* from NOW; eta 0: none */
	int priority;
	int warn;
} urgency_rows[] = {
	{ 1, "en_route",   -18, 0,   10, 0 },   /* 18 minutes late, no flags */
	{ 2, "accepted",   -2,  5,   10, 0 },   /* promise passed 2 minutes ago */
	{ 3, "en_route",    10, 12,  10, 0 },   /* ETA after the promise: late */
	{ 4, "en_route",    30, 27,  10, 0 },   /* 3 minutes of slack: at risk */
	{ 5, "en_route",    44, 40,  10, 1 },   /* an amber warning (gps_lost), 4 min slack */
	{ 6, "new",         20, 0,   1010, 0 }, /* injury, 20 minutes left */
	{ 7, "dispatched",  20, 0,   10, 0 },   /* same slack: the flags break the tie... */
	{ 8, "en_route",    44, 20,  2000, 0 }, /* flagged, 44 minutes left, 24 of slack */
	{ 9, "en_route",    44, 20,  10, 0 },   /* ...and here too */
	{ 10, "on_scene",   40, 0,   1010, 0 }, /* on scene: nothing to count down */
};

static int
urgency_warn(void *ctx, int64_t id)
{
	(void)ctx;
	for (size_t i = 0; i < sizeof urgency_rows / sizeof urgency_rows[0]; i++)
		if (urgency_rows[i].id == id)
			return urgency_rows[i].warn;
	return 0;
}

START_TEST(test_board_urgency_order)
{
	enum { N = sizeof urgency_rows / sizeof urgency_rows[0] };
	struct proto_ticket t[N];
	const struct proto_ticket *all[N];
	struct board b;

	for (size_t i = 0; i < N; i++) {
		const struct urgency_row *r = &urgency_rows[i];
		t[i] = base_tickets[0];
		t[i].id = r->id;
		rd_strlcpy(t[i].state, r->state, sizeof t[i].state);
		t[i].created = NOW - 30 * MIN_MS;
		t[i].promised = NOW + r->promised_min * MIN_MS;
		t[i].eta = r->eta_min ? NOW + r->eta_min * MIN_MS : 0;
		t[i].present = r->eta_min ? P_ALL : P_NOETA;
		t[i].priority = r->priority;
		all[N - 1 - i] = &t[i];		/* handed over in the reverse order */
	}
	board_init(&b);
	board_rebuild(&b, all, N, NOW, urgency_warn, NULL);
	ck_assert_uint_eq(b.n, N);
	for (size_t i = 0; i < N; i++)
		ck_assert_msg(b.rows[i]->id == urgency_rows[i].id, "row %zu: #%lld, want #%lld", i,
		    (long long)b.rows[i]->id, (long long)urgency_rows[i].id);
	board_finish(&b);
}
END_TEST

/* A ticket where only an agent can choose the truck, kept waiting (issue 8): the status line
 * counts it, and its warning is worded in the UI language from the code. */
static struct proto_warning wa_warning = {
	.id = 10, .ticket = 1043, .kind = "waiting_agent", .level = "amber",
	.text = "waiting 7 min for an agent to choose a truck", .ts = NOW - MIN_MS, .ver = 1,
	.since = NOW - 7 * MIN_MS - 5000,
	.present = PROTO_ALL & ~((uint64_t)1 << PROTO_warning_cleared),
};
static const struct proto_warning *wp_wa[ARRAY_LEN(base_warnings) + 1];

START_TEST(test_waiting_agent_status)
{
	static const char *langs[] = { "en", "zh_CN" };
	static const char *counts[] = { "to assign 1", "待派车 1" };
	static const char *texts[] = { "waiting 7 min for an agent to choose a truck",
		"已等待 7 分钟，尚未由坐席选派车辆" };
	char text[256];
	size_t i;

	load_lang(langs[_i]);
	v = view_board_create();
	draw(80, 24);
	ck_assert(!screen_has(counts[_i]));	/* none waiting: not shown */
	for (i = 0; i < ARRAY_LEN(base_warnings); i++)
		wp_wa[i] = m.warnings[i];
	wp_wa[i] = &wa_warning;
	m.warnings = wp_wa;
	m.n_warnings = ARRAY_LEN(wp_wa);
	model_refresh(&m, NOW);
	draw(80, 24);
	ck_assert_msg(screen_has(counts[_i]), "no \"%s\" in the status line", counts[_i]);
	ck_assert_int_eq(model_warn_level(&m, 1043), 1);
	present_warning_text(&wa_warning, NULL, NOW, text, sizeof text);
	ck_assert_str_eq(text, texts[_i]);
}
END_TEST

/* ---------------------------------------------------------------- form engine */

/* A small form of another shape than the intake: a required text, a choice of three, two
 * check boxes; the owner counts what the engine asked of it. */
enum { TF_NAME, TF_KIND, TF_A, TF_B, TF_COUNT };

static const struct form_field tf_fields[TF_COUNT] = {
	[TF_NAME] = { "intake.name", FORM_TEXT, 20, 0, true, 0 },
	[TF_KIND] = { "intake.fault", FORM_CHOICE, 0, 0, false, 0 },
	[TF_A] = { "flag.expressway", FORM_CHECK, 0, 1, false, 1 },
	[TF_B] = { "flag.injury", FORM_CHECK, 0, 1, false, 2 },
};
static const char *const tf_sections[] = { "intake.sec_caller", "intake.sec_priority" };
static const char *const tf_keys[] = { "F10", "intake.hint.submit" };
static struct {
	int kind;		/* -1 none */
	int submits, sent;
} tf;

static const char *
tf_error(void *owner, const struct form *f, const struct model *mm, int i)
{
	char buf[64];

	if (i == TF_NAME) {
		form_trimmed(f, i, buf, sizeof buf);
		return buf[0] == '\0' ? i18n_tr("intake.err.name_empty") : NULL;
	}
	if (i == TF_KIND)
		return tf.kind < 0 ? i18n_tr("intake.err.fault") : NULL;
	return NULL;
}

static const char *
tf_text(void *owner, const struct form *f, const struct model *mm, int i, char *buf,
    size_t sz, bool *placeholder)
{
	*placeholder = tf.kind < 0;
	snprintf(buf, sz, "kind %d", tf.kind);
	return tf.kind < 0 ? i18n_tr("intake.choose") : buf;
}

static bool
tf_choices(void *owner, const struct form *f, const struct model *mm, int i,
    struct menu *mn)
{
	menu_add(mn, "zero", NULL, 0);
	menu_add(mn, "one", NULL, 1);
	menu_add(mn, "two", NULL, 2);
	menu_select_value(mn, tf.kind);
	return true;
}

static bool
tf_pick(void *owner, struct form *f, const struct model *mm, int i, int value)
{
	tf.kind = value;
	return true;
}

static int
tf_step(void *owner, const struct form *f, const struct model *mm, int i, int delta)
{
	return tf.kind < 0 ? 0 : (tf.kind + delta + 3) % 3;
}

static unsigned
tf_submit(void *owner, struct form *f, struct model *mm)
{
	tf.submits++;
	if (!form_validate(f, mm))
		return UI_HANDLED | UI_REDRAW;
	tf.sent++;
	return UI_HANDLED | UI_CLOSE;
}

static const struct form_ops tf_ops = {
	.error = tf_error, .choice_text = tf_text, .choices = tf_choices, .pick = tf_pick,
	.step = tf_step, .submit = tf_submit,
};

static void
form_redraw(struct form *f)
{
	vscreen_fill(vs, 0, 0, 80, 24, ROLE_NORMAL, 0, L' ');
	form_draw(f, vs, &m, 1, 21);
}

static unsigned
form_press(struct form *f, int code, bool func)
{
	struct key k = { code, func };

	return form_key(f, &m, &k, keymap_lookup(form_scope(f), &k));
}

START_TEST(test_form_engine)
{
	struct form f;
	int y;

	tf.kind = -1;
	tf.submits = tf.sent = 0;
	form_init(&f, tf_fields, TF_COUNT, tf_sections, &tf_ops, NULL);
	f.discard = "intake.discard";
	f.invalid = "intake.still_invalid";
	f.keys = tf_keys;
	f.n_keys = 1;
	vscreen_resize(vs, 80, 24);
	form_redraw(&f);
	/* Labels, the required mark, the placeholder, the two boxes on one row. */
	y = find_row("Customer name");
	ck_assert_int_ge(y, 0);
	ck_assert_int_eq(role_at(y, "*"), ROLE_WARN);
	ck_assert(strstr(row(find_row("Fault")), "*") == NULL);
	ck_assert_int_eq(find_row("[ ] expressway"), find_row("[ ] injury"));
	ck_assert(strstr(row(23), "F10 submit") != NULL);
	{
		int cx, cy;

		ck_assert(vscreen_cursor(vs, &cx, &cy));	/* shown, in the name field */
		ck_assert_int_eq(cy, y);
	}

	/* Nothing typed: Esc closes at once; a submit shows every error inline and goes to
	 * the first. */
	ck_assert_uint_eq(form_press(&f, KEYSYM_F10, true), UI_HANDLED | UI_REDRAW);
	ck_assert_int_eq(tf.sent, 0);
	form_redraw(&f);
	ck_assert_int_eq(role_at(y, "Enter the customer's name"), ROLE_ERROR);
	ck_assert(screen_has("Choose the fault"));
	ck_assert_int_eq(f.focus, TF_NAME);
	ck_assert(strstr(row(23), "Customer name: Enter the customer's name") != NULL);

	/* Typing clears the error; Tab moves on; Enter opens the list, 2 picks. */
	form_press(&f, L'王', false);
	form_press(&f, L'芳', false);
	ck_assert_str_eq(form_text(&f, TF_NAME), "王芳");
	form_redraw(&f);
	ck_assert(!screen_has("Enter the customer's name"));
	form_press(&f, KEYSYM_TAB, true);
	ck_assert_int_eq(f.focus, TF_KIND);
	form_press(&f, KEYSYM_ENTER, true);
	ck_assert_int_eq(form_scope(&f), SCOPE_DIALOG);
	form_redraw(&f);
	ck_assert(screen_has("two"));
	form_press(&f, '2', false);
	ck_assert_int_eq(tf.kind, 1);
	ck_assert_int_eq(form_scope(&f), SCOPE_FORM);
	form_press(&f, KEYSYM_RIGHT, true);
	ck_assert_int_eq(tf.kind, 2);
	/* Space ticks a box; the form is valid now and is sent once. */
	form_press(&f, KEYSYM_DOWN, true);
	form_press(&f, KEYSYM_DOWN, true);
	ck_assert_int_eq(f.focus, TF_B);
	form_press(&f, ' ', false);
	ck_assert(form_checked(&f, TF_B));
	ck_assert(!form_checked(&f, TF_A));
	ck_assert_int_eq(form_errors(&f, &m, &y), 0);
	/* Something was typed: Esc asks first; n goes back to the form. */
	ck_assert_uint_eq(form_press(&f, KEYSYM_ESC, true), UI_HANDLED | UI_REDRAW);
	ck_assert_int_eq(form_scope(&f), SCOPE_DIALOG);
	ck_assert_uint_eq(form_press(&f, 'n', false), UI_HANDLED | UI_REDRAW);
	ck_assert_uint_eq(form_press(&f, KEYSYM_F10, true), UI_HANDLED | UI_CLOSE);
	ck_assert_int_eq(tf.sent, 1);

	/* A hidden field takes no row, never has the focus and has no error; a box the
	 * owner sets is not an edit, one the user ticked is. */
	ck_assert(form_edited(&f, TF_B));
	ck_assert(!form_edited(&f, TF_A));
	form_set_checked(&f, TF_A, true);
	ck_assert(form_checked(&f, TF_A) && !form_edited(&f, TF_A));
	tf.kind = -1;
	f.focus = TF_KIND;
	form_show(&f, TF_KIND, false);
	ck_assert(!form_shown(&f, TF_KIND));
	ck_assert_int_eq(f.focus, TF_A);
	ck_assert_int_eq(form_errors(&f, &m, &y), 0);
	form_redraw(&f);
	ck_assert_int_lt(find_row("Fault"), 0);
	ck_assert_int_eq(find_row("[x] expressway"), find_row("Customer name") + 3);
	form_press(&f, KEYSYM_UP, true);
	ck_assert_int_eq(f.focus, TF_NAME);
	form_press(&f, KEYSYM_TAB, true);
	ck_assert_int_eq(f.focus, TF_A);
	form_show(&f, TF_KIND, true);
	ck_assert_int_eq(form_errors(&f, &m, &y), 1);
	form_finish(&f);
}
END_TEST

static Suite *
views_suite(void)
{
	Suite *s = suite_create("views");
	TCase *tc;

	tc = tcase_create("board");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, test_board_golden, 0, 2);
	tcase_add_test(tc, test_board_stale_golden);
	tcase_add_test(tc, test_board_group_golden);
	tcase_add_test(tc, test_board_empty);
	tcase_add_test(tc, test_board_columns);
	tcase_add_test(tc, test_board_selection_follows_ticket);
	tcase_add_test(tc, test_board_keys_move);
	tcase_add_test(tc, test_board_filter_prompt);
	tcase_add_loop_test(tc, test_board_filter_table, 0, (int)ARRAY_LEN(filter_cases));
	tcase_add_loop_test(tc, test_search_parse, 0, (int)ARRAY_LEN(search_cases));
	tcase_add_loop_test(tc, test_search_view, 0, 2);
	tcase_add_test(tc, test_board_sort_cycles);
	tcase_add_test(tc, test_board_opens_views);
	tcase_add_test(tc, test_contact_box);
	suite_add_tcase(s, tc);

	tc = tcase_create("detail");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, test_detail_golden, 0, 2);
	tcase_add_test(tc, test_detail_content);
	tcase_add_test(tc, test_detail_chained);
	tcase_add_test(tc, test_detail_fetch);
	tcase_add_test(tc, test_detail_state_menu);
	tcase_add_test(tc, test_detail_note_and_assign);
	tcase_add_test(tc, test_detail_scroll);
	tcase_add_test(tc, test_detail_scroll_top_named);
	suite_add_tcase(s, tc);

	tc = tcase_create("assign");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, test_pick_golden, 0, 2);
	tcase_add_test(tc, test_pick_loading);
	tcase_add_test(tc, test_pick_confirm);
	tcase_add_test(tc, test_pick_enter_assigns_once);
	tcase_add_test(tc, test_pick_digits);
	tcase_add_test(tc, test_pick_keys_use_drawn_rows);
	tcase_add_loop_test(tc, test_pick_error_fallback, 0, 2);
	tcase_add_test(tc, test_pick_not_sent);
	tcase_add_loop_test(tc, test_redispatch, 0, 2);
	tcase_add_test(tc, test_awaits_choice);
	tcase_add_test(tc, test_board_awaits_choice);
	tcase_add_test(tc, test_model_request);
	tcase_add_test(tc, test_model_request_queued);
	tcase_add_test(tc, test_expired_asks);
	suite_add_tcase(s, tc);

	tc = tcase_create("intake");
	tcase_add_checked_fixture(tc, setup_intake, teardown_intake);
	tcase_add_loop_test(tc, test_intake_golden, 0, 2);
	tcase_add_loop_test(tc, test_intake_rejects_invalid, 0, 2);
	tcase_add_test(tc, test_intake_submits_once);
	tcase_add_test(tc, test_intake_minimal_and_failures);
	tcase_add_test(tc, test_intake_full_width);
	tcase_add_test(tc, test_intake_rejected_kept);
	tcase_add_test(tc, test_intake_rejected_field);
	tcase_add_test(tc, test_intake_location_checks);
	tcase_add_test(tc, test_intake_expressway_landmark);
	tcase_add_test(tc, test_intake_format_warnings);
	tcase_add_test(tc, test_intake_draft_round_trip);
	tcase_add_test(tc, test_intake_escape);
	tcase_add_test(tc, test_intake_diag_hold);
	tcase_add_test(tc, test_intake_duplicate);
	tcase_add_test(tc, test_intake_edit);
	tcase_add_test(tc, test_intake_edit_escape);
	suite_add_tcase(s, tc);

	tc = tcase_create("form");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_form_engine);
	suite_add_tcase(s, tc);

	tc = tcase_create("helpers");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_lineedit_utf8);
	tcase_add_test(tc, test_lineedit_scroll);
	tcase_add_test(tc, test_present_wrap);
	tcase_add_test(tc, test_present_due);
	tcase_add_test(tc, test_board_urgency_standing);
	tcase_add_test(tc, test_board_urgency_order);
	tcase_add_test(tc, test_detail_header_notes);
	tcase_add_test(tc, test_board_flag_mark);
	tcase_add_loop_test(tc, test_waiting_agent_status, 0, 2);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	setenv("TZ", "UTC", 1);
	tzset();
	return harness_screen_main(views_suite(), "check-views");
}
