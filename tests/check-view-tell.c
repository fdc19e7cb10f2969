/* check-view-tell.c: the picker of messages to the customer (ui/view-tell.c): `t` opens it
 * from the board and the detail; the preview is the selected template rendered in the
 * customer's language (not the console's); a template the ticket cannot fill says what is
 * missing in words and sends nothing, as for a closed ticket; Enter sends ticket.tell with the template and closes; goldens
 * in English and Chinese at 80x24 and 120x40.
 *
 * Goldens are tests/golden/tell-<cols>x<rows>[-zh].screen (RD_UPDATE_GOLDEN=1 rewrites
 * them). The locale is C.UTF-8 and TZ=UTC. Run from the source root, or set RD_SRCDIR. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "harness-model.h"
#include "harness-screen.h"
#include "i18n.h"
#include "model.h"
#include "tell.h"
#include "util.h"
#include "view-board.h"
#include "view-detail.h"
#include "view-tell.h"

#define MIN_MS (60 * 1000LL)
#define NOW 1773468300000LL	/* 2026-03-14 06:05:00 UTC, 14:05 China time */

static struct data_supplier cs_suppliers[] = {
	{ .id = "xy", .name = "湘运救援 Xiangyun Rescue" },
};
static struct data_region regions[] = {
	{ .id = "changsha", .name = "Changsha", .name_zh = "长沙", .lat = 28.2282,
	    .lon = 112.9388, .suppliers = cs_suppliers, .n_suppliers = 1, .auto_dispatch = 1,
	    .tell_on_slip = 1 },
};
static struct data data = { .regions = regions, .n_regions = 1,
	.sla = { .not_accepted_s = 300, .gps_stale_s = 90, .stalled_s = 300,
	    .late_margin_s = 300, .window_pct = 80 } };

static struct proto_ticket base_tickets[] = {
	{ .id = 3001, .state = "en_route", .region = "changsha", .customer = "陈小明",
	    .phone = "13800000000", .plate = "湘A12345", .lat = 28.2, .lon = 112.9,
	    .address = "芙蓉路", .fault = "battery", .truck = "CSH-XY-V01",
	    .created = NOW - 20 * MIN_MS, .promised = NOW + 25 * MIN_MS,
	    .eta = NOW + 12 * MIN_MS, .eta_src = "model", .ver = 1, .present = PROTO_ALL &
	    ~((uint64_t)1 << PROTO_ticket_lang) },
	{ .id = 3002, .state = "new", .region = "changsha", .customer = "Mary Smith",
	    .phone = "13900000000", .plate = "湘B54321", .lat = 28.2, .lon = 112.9,
	    .address = "Wuyi Ave", .fault = "tyre", .created = NOW - 2 * MIN_MS,
	    .promised = NOW + 43 * MIN_MS, .lang = "en", .ver = 1,
	    .present = PROTO_ALL & ~((uint64_t)1 << PROTO_ticket_eta |
	    (uint64_t)1 << PROTO_ticket_truck) },
};

static struct proto_truck base_trucks[] = {
	{ .id = "CSH-XY-V01", .supplier = "xy", .kind = "van", .region = "changsha",
	    .status = "en_route", .lat = 28.19, .lon = 112.96, .fix_ts = NOW - 20000,
	    .ticket = 3001, .present = PROTO_ALL },
};

static struct proto_warning base_warnings[] = {
	{ .id = 1, .ticket = 3002, .kind = "not_accepted", .level = "amber",
	    .ts = NOW - MIN_MS, .since = NOW - 2 * MIN_MS, .offers = 1 },
};

#define press_sym(s) harness_press_sym(s)
#define press(c) harness_press(c)
#define draw(c, r) harness_draw(c, r)
#define golden(n, c, r, l) harness_golden(n, c, r, l)
#define screen_has(s) harness_screen_has(s)
#define rec harness_rec

static struct model m;
static struct vscreen *vs;
static struct view *v;
static struct tell_set *set;

static void
setup(void)
{
	static const struct harness_fixture f = {
		HARNESS_TABLES(base_tickets, base_trucks, base_warnings),
		.data = &data, .user = "zhangwei", .role = MODEL_ROLE_AGENT, .now = NOW,
	};
	char path[512], *cause = NULL;

	harness_lang("en");
	harness_model_init(&m, &f);
	snprintf(path, sizeof path, "%s/data/tell.ini", harness_srcdir());
	set = tell_set_load(path, &cause);
	ck_assert_msg(set != NULL, "%s", cause);
	m.tell = set;
	model_refresh(&m, NOW);
	vs = vscreen_create(80, 24);
	harness_bind(&m, &vs, &v, "check-view-tell");
	v = view_tell_create(&m, 3001);
}

static void
teardown(void)
{
	view_destroy(v);
	harness_model_finish(&m);
	tell_set_free(set);
	vscreen_destroy(vs);
	i18n_unload();
}

START_TEST(test_golden)
{
	static const char *langs[] = { "en", "zh_CN" };

	golden("tell", 80, 24, langs[_i]);
	golden("tell", 120, 40, langs[_i]);
	harness_assert_safe();
}
END_TEST

/* The preview is in the customer's language, whatever the console's. */
START_TEST(test_preview_language)
{
	draw(80, 24);
	ck_assert(screen_has("Tell the customer of #3001"));
	ck_assert(screen_has("The customer reads: Chinese"));
	ck_assert(screen_has("陈小明您好，救援车CSH-XY-V01（湘运救援 Xiangyun Rescue）已出发"));
	ck_assert(screen_has("14:17"));
	press_sym(KEYSYM_DOWN);
	draw(80, 24);
	ck_assert(screen_has("晚到约0分钟"));

	view_destroy(v);
	v = view_tell_create(&m, 3002);
	press_sym(KEYSYM_DOWN);
	press_sym(KEYSYM_DOWN);
	draw(80, 24);
	ck_assert(screen_has("The customer reads: English"));
	ck_assert(screen_has("Roadside rescue: Mary Smith, we are sorry for the wait."));
}
END_TEST

/* No truck yet: the ETA message cannot be filled, says why in words of the screen's language
 * (the truck, not the template's parameter name "plate", which an agent reads as the car's),
 * and Enter sends nothing. */
START_TEST(test_missing_not_sent)
{
	view_destroy(v);
	v = view_tell_create(&m, 3002);
	draw(80, 24);
	ck_assert(screen_has("Not yet: the ticket has no truck"));
	ck_assert(!screen_has("plate"));
	harness_lang("zh_CN");
	draw(80, 24);
	ck_assert(screen_has("暂不可用：工单还没有救援车"));
	ck_assert(!screen_has("plate"));
	harness_lang("en");
	unsigned r = press_sym(KEYSYM_ENTER);
	ck_assert_uint_eq(r & UI_CLOSE, 0);
	ck_assert_int_eq(rec.sent, 0);
}
END_TEST

/* A closed ticket: the broker tells its customer nothing (PROTOCOL.md 7.27), so the preview
 * says so in place of the message, in the screen's language, and Enter sends nothing. */
START_TEST(test_closed_not_sent)
{
	rd_strlcpy(harness_tickets[0].state, "completed", sizeof harness_tickets[0].state);
	model_refresh(&m, NOW);
	press_sym(KEYSYM_DOWN);
	press_sym(KEYSYM_DOWN);			/* the apology: it needs no truck */
	draw(80, 24);
	ck_assert(screen_has("The ticket is completed: its customer is no longer told"));
	ck_assert(!screen_has("很抱歉"));
	ck_assert_uint_eq(press_sym(KEYSYM_ENTER) & UI_CLOSE, 0);
	ck_assert_int_eq(rec.sent, 0);
	harness_lang("zh_CN");
	draw(80, 24);
	ck_assert(screen_has("工单状态为已完成，不再通知客户"));
	harness_lang("en");
}
END_TEST

/* Enter sends ticket.tell with the selected template and closes; q closes. */
START_TEST(test_send)
{
	press_sym(KEYSYM_DOWN);
	press_sym(KEYSYM_END);
	press_sym(KEYSYM_UP);
	unsigned r = press_sym(KEYSYM_ENTER);
	ck_assert_uint_eq(r & UI_CLOSE, UI_CLOSE);
	ck_assert_int_eq(rec.sent, 1);
	ck_assert_int_eq(rec.id, 3001);
	ck_assert_str_eq(rec.text, "apology");
	ck_assert_uint_eq(m.req.n_pending, 1);
	ck_assert_msg(strstr(m.req.pending[0].what, "#3001: Apology") != NULL, "%s",
	    m.req.pending[0].what);
	view_destroy(v);
	v = view_tell_create(&m, 3001);
	ck_assert_uint_eq(press('q') & UI_CLOSE, UI_CLOSE);
}
END_TEST

/* `t` on the board and in the detail opens the picker for that ticket. */
START_TEST(test_opened_by_t)
{
	view_destroy(v);
	v = view_board_create();
	draw(80, 24);
	ck_assert_uint_eq(press('t') & UI_OPEN, UI_OPEN);
	ck_assert_int_eq(v->open.kind, VIEW_TELL);
	ck_assert_int_gt(v->open.ticket, 3000);
	view_destroy(v);
	v = view_detail_create(&m, 3002, ACTION_NONE);
	draw(80, 24);
	ck_assert_uint_eq(press('t') & UI_OPEN, UI_OPEN);
	ck_assert_int_eq(v->open.kind, VIEW_TELL);
	ck_assert_int_eq(v->open.ticket, 3002);
}
END_TEST

/* Without templates the picker says so. */
START_TEST(test_no_templates)
{
	m.tell = NULL;
	draw(80, 24);
	ck_assert(screen_has("No message templates"));
	ck_assert_uint_eq(press_sym(KEYSYM_ENTER) & UI_CLOSE, 0);
	ck_assert_int_eq(rec.sent, 0);
}
END_TEST

static Suite *
tell_suite(void)
{
	Suite *s = suite_create("view-tell");
	TCase *tc = tcase_create("picker");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, test_golden, 0, 2);
	tcase_add_test(tc, test_preview_language);
	tcase_add_test(tc, test_missing_not_sent);
	tcase_add_test(tc, test_closed_not_sent);
	tcase_add_test(tc, test_send);
	tcase_add_test(tc, test_opened_by_t);
	tcase_add_test(tc, test_no_templates);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	setenv("TZ", "UTC", 1);
	tzset();
	return harness_screen_main(tell_suite(), "check-view-tell");
}
