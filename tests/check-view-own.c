/* check-view-own.c: owned warnings and escalation in the console (ui/own.c,
 * ui/view-escalate.c, and what ui/view-board.c and ui/view-kpi.c show of them), over a
 * model of fixed tables (tests/harness-model.h):
 *
 *   - the board shows each ticket's owner in its owner column and the escalation mark (a
 *     glyph as well as the colour) in the mark column; goldens at 120x40 in both languages
 *     and at 80x24, where the owner column gives way;
 *   - the supervisor's overdue board lists the escalated tickets, names owners and
 *     escalations beside the warnings, and counts the escalated in its title;
 *   - o on the board sends warning.ack for the selected ticket; E opens the escalation
 *     view, which refuses a blank reason and sends ticket.escalate (clear when the ticket
 *     is escalated), then closes;
 *   - presence: "on" when live, again only after 10 s, "off" at the end. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "i18n.h"
#include "model.h"
#include "own.h"
#include "theme.h"
#include "util.h"
#include "view-board.h"
#include "view-escalate.h"
#include "view-kpi.h"

#include "harness-model.h"
#include "harness-screen.h"

#define MIN_MS (60 * 1000LL)
#define NOW 1773468300000LL	/* 2026-03-14 06:05:00 UTC */
#define P_TICKET (PROTO_ALL & ~((uint64_t)1 << PROTO_ticket_eta | \
	(uint64_t)1 << PROTO_ticket_eta_src | (uint64_t)1 << PROTO_ticket_escalated | \
	(uint64_t)1 << PROTO_ticket_escalated_by | (uint64_t)1 << PROTO_ticket_escalate_reason))

static struct data_region regions[] = {
	{ .id = "changsha", .name = "Changsha", .name_zh = "长沙", .lat = 28.2282,
	    .lon = 112.9388, .auto_dispatch = 1 },
};
static struct data data = { .regions = regions, .n_regions = 1,
	.sla = { .not_accepted_s = 300, .gps_stale_s = 90, .stalled_s = 300,
	    .late_margin_s = 300, .window_pct = 80, .escalate_after_s = 120,
	    .owner_lease_s = 30 } };

/* 1: red, owned by lisi; 2: red, escalated, nobody owns it; 3: escalated by hand; 4:
 * amber, owned by zhangwei (the user); 5: quiet. */
static struct proto_ticket tickets[5];
static struct proto_truck trucks[1] = {
	{ .id = "CSH-XY-V01", .supplier = "xy", .kind = "van", .region = "changsha",
	    .status = "available", .present = PROTO_ALL },
};
static struct proto_warning warnings[] = {
	{ .id = 1, .ticket = 1, .kind = "overdue", .level = "red", .ts = NOW - 3 * MIN_MS,
	    .promised = NOW - 3 * MIN_MS, .since = NOW - 3 * MIN_MS, .owner = "lisi",
	    .acked = NOW - MIN_MS },
	{ .id = 2, .ticket = 2, .kind = "callback", .level = "red", .ts = NOW - 4 * MIN_MS,
	    .since = NOW - 4 * MIN_MS, .offers = 2, .escalated = NOW - 2 * MIN_MS },
	{ .id = 3, .ticket = 4, .kind = "not_accepted", .level = "amber", .ts = NOW - MIN_MS,
	    .since = NOW - 6 * MIN_MS, .offers = 1, .owner = "zhangwei", .acked = NOW },
};

static struct model m;
static struct vscreen *vs;
static struct view *v;

/* The requests the views send, beside the harness's own record. */
static struct {
	int ack, escalate, presence;
	struct proto_warning_ack ack_args;
	struct proto_escalate esc_args;
	char presence_state[16];
} seen;
static struct model_ops ops;

static int
own_send(struct model *mm, enum proto_msg_id op, const void *args,
    char cmd_id[PROTO_CMD_ID_MAX + 1])
{
	if (op == PROTO_MSG_warning_ack) {
		seen.ack++;
		seen.ack_args = *(const struct proto_warning_ack *)args;
	} else if (op == PROTO_MSG_escalate) {
		seen.escalate++;
		seen.esc_args = *(const struct proto_escalate *)args;
	} else if (op == PROTO_MSG_presence) {
		seen.presence++;
		rd_strlcpy(seen.presence_state, ((const struct proto_presence *)args)->state,
		    sizeof seen.presence_state);
	}
	return harness_model_ops.send(mm, op, args, cmd_id);
}

static void
setup(void)
{
	static const struct harness_fixture f = {
		HARNESS_TABLES(tickets, trucks, warnings),
		.data = &data, .user = "zhangwei", .role = MODEL_ROLE_SUPERVISOR, .now = NOW,
	};
	static const char *const names[] = { "王芳", "Li Na", "赵强", "Chen Jie", "周敏" };

	for (int i = 0; i < 5; i++) {
		struct proto_ticket *t = &tickets[i];

		memset(t, 0, sizeof *t);
		t->id = i + 1;
		rd_strlcpy(t->state, i == 4 ? "en_route" : "dispatched", sizeof t->state);
		rd_strlcpy(t->region, "changsha", sizeof t->region);
		rd_strlcpy(t->customer, names[i], sizeof t->customer);
		rd_strlcpy(t->phone, "13812345678", sizeof t->phone);
		rd_strlcpy(t->fault, "battery", sizeof t->fault);
		snprintf(t->address, sizeof t->address, "Furong Road %d", i + 1);
		rd_strlcpy(t->truck, "CSH-XY-V01", sizeof t->truck);
		t->lat = 28.2;
		t->lon = 112.9;
		t->created = NOW - 30 * MIN_MS;
		t->promised = NOW + (i == 0 ? -3 : 10 + 5 * i) * MIN_MS;
		t->ver = 1;
		t->present = P_TICKET;
	}
	/* 3: escalated by hand */
	tickets[2].escalated = NOW - 5 * MIN_MS;
	rd_strlcpy(tickets[2].escalated_by, "wangwu", sizeof tickets[2].escalated_by);
	rd_strlcpy(tickets[2].escalate_reason, "expressway shoulder, children in the car",
	    sizeof tickets[2].escalate_reason);
	tickets[2].present = PROTO_ALL & ~((uint64_t)1 << PROTO_ticket_eta |
	    (uint64_t)1 << PROTO_ticket_eta_src);

	memset(&seen, 0, sizeof seen);
	harness_lang("en");
	harness_model_init(&m, &f);
	/* the harness makes every warning key present: take back those a broker leaves out */
	for (size_t i = 0; i < ARRAY_LEN(warnings); i++) {
		struct proto_warning *w = &harness_warnings[i];
		if (w->owner[0] == '\0')
			w->present &= ~((uint64_t)1 << PROTO_warning_owner |
			    (uint64_t)1 << PROTO_warning_acked);
		if (w->escalated == 0)
			w->present &= ~((uint64_t)1 << PROTO_warning_escalated);
	}
	ops = *m.ops;
	ops.send = own_send;
	m.ops = &ops;
	model_refresh(&m, NOW);
	vs = vscreen_create(80, 24);
	harness_bind(&m, &vs, &v, "check-view-own");
	v = NULL;
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

/* ---------------------------------------------------------------- lookups */

START_TEST(test_lookups)
{
	char note[64];

	ck_assert_str_eq(own_owner(&m, 1), "lisi");
	ck_assert_ptr_null(own_owner(&m, 2));
	ck_assert_ptr_null(own_owner(&m, 5));
	ck_assert(!own_escalated(&m, &tickets[0]));	/* owned: somebody acts on it */
	ck_assert(own_escalated(&m, &tickets[1]));	/* its warning escalated */
	ck_assert(own_escalated(&m, &tickets[2]));	/* by hand */
	ck_assert(!own_escalated(&m, &tickets[4]));
	ck_assert_uint_eq(own_count_escalated(&m), 2);
	own_warning_note(&harness_warnings[0], note, sizeof note);
	ck_assert_str_eq(note, " @lisi");
	own_warning_note(&harness_warnings[1], note, sizeof note);
	ck_assert_str_eq(note, " [escalated]");
	/* once somebody owns the escalated warning, only the hand escalation counts */
	rd_strlcpy(harness_warnings[1].owner, "zhangwei", sizeof harness_warnings[1].owner);
	harness_warnings[1].present |= (uint64_t)1 << PROTO_warning_owner;
	ck_assert(!own_escalated(&m, &tickets[1]));
	ck_assert_uint_eq(own_count_escalated(&m), 1);
}
END_TEST

/* ---------------------------------------------------------------- board */

START_TEST(test_board_golden)
{
	static const char *langs[] = { "en", "zh_CN" };
	int y;

	v = view_board_create();
	harness_golden("board-own", 120, 40, langs[_i]);
	/* the mark column: escalated > (red), red !, amber * */
	y = harness_find_row("   2 ");
	ck_assert_int_ge(y, 0);
	ck_assert_int_eq(harness_row(y)[0], OWN_MARK_ESCALATED[0]);
	ck_assert_int_eq(vscreen_cell(vs, 0, y)->role, ROLE_LATE);
	if (_i == 0) {
		ck_assert(harness_screen_has("OWNER"));
		ck_assert_int_ge(harness_find_row("lisi"), 0);
		/* at the minimum width the owner column gives way; the mark stays */
		harness_golden("board-own", 80, 24, "en");
		ck_assert(!harness_screen_has("lisi"));
		y = harness_find_row("   3 ");
		ck_assert_int_eq(harness_row(y)[0], OWN_MARK_ESCALATED[0]);
	}
}
END_TEST

START_TEST(test_board_keys)
{
	unsigned r;

	v = view_board_create();
	harness_draw(80, 24);
	ck_assert_ptr_nonnull(board_selected(&m.board));
	int64_t sel = board_selected(&m.board)->id;
	harness_press('o');
	ck_assert_int_eq(seen.ack, 1);
	ck_assert(PROTO_HAS(&seen.ack_args, warning_ack, ticket));
	ck_assert(!PROTO_HAS(&seen.ack_args, warning_ack, warning));
	ck_assert_int_eq(seen.ack_args.ticket, sel);
	r = harness_press('E');
	ck_assert(r & UI_OPEN);
	ck_assert_int_eq(v->open.kind, VIEW_ESCALATE);
	ck_assert_int_eq(v->open.ticket, sel);
}
END_TEST

/* ---------------------------------------------------------------- supervisor */

START_TEST(test_kpi_golden)
{
	static const char *langs[] = { "en", "zh_CN" };

	v = view_kpi_create(&m);
	harness_golden("kpi-own", 120, 40, langs[_i]);
	if (_i == 0) {
		ck_assert(harness_screen_has("escalated 2"));
		ck_assert(harness_screen_has("@lisi"));
		ck_assert(harness_screen_has("[escalated] wangwu: expressway"));
		ck_assert(harness_screen_has("wangwu"));
	}
}
END_TEST

/* ---------------------------------------------------------------- escalate view */

START_TEST(test_escalate)
{
	unsigned r;

	v = view_escalate_create(&m, 2);
	harness_golden("escalate", 80, 24, _i == 0 ? "en" : "zh_CN");
	/* the warning tagged [escalated] escalated by itself (06:03); the ticket is not
	 * escalated by hand: both said, apart, and the line whole at 80 columns */
	ck_assert(harness_screen_has(i18n_tr("esc.not")));
	ck_assert(harness_screen_has(_i == 0 ?
	    "[escalated]: the warning escalated automatically at 06:03 (red and unowned)." :
	    "[已升级]：该预警因红色且无人负责，已于 06:03 自动升级。"));
	r = harness_press_sym(KEYSYM_ENTER);	/* blank: refused in words */
	ck_assert(!(r & UI_CLOSE));
	ck_assert_int_eq(seen.escalate, 0);
	harness_draw(80, 24);
	ck_assert(harness_screen_has(i18n_tr("detail.err_reason_empty")));
	harness_type("customer asks for a manager");
	r = harness_press_sym(KEYSYM_ENTER);
	ck_assert(r & UI_CLOSE);
	ck_assert_int_eq(seen.escalate, 1);
	ck_assert_int_eq(seen.esc_args.id, 2);
	ck_assert_str_eq(seen.esc_args.reason, "customer asks for a manager");
	ck_assert(!PROTO_HAS(&seen.esc_args, escalate, clear));
}
END_TEST

START_TEST(test_escalate_clear)
{
	unsigned r;

	v = view_escalate_create(&m, 3);
	harness_golden("escalate-clear", 80, 24, "en");
	ck_assert(harness_screen_has("wangwu"));
	harness_type("police on site");
	r = harness_press_sym(KEYSYM_ENTER);
	ck_assert(r & UI_CLOSE);
	ck_assert_int_eq(seen.escalate, 1);
	ck_assert_int_eq(seen.esc_args.id, 3);
	ck_assert(PROTO_HAS(&seen.esc_args, escalate, clear) && seen.esc_args.clear);
	/* Esc leaves without sending */
	view_destroy(v);
	v = view_escalate_create(&m, 3);
	r = harness_press_sym(KEYSYM_ESC);
	ck_assert(r & UI_CLOSE);
	ck_assert_int_eq(seen.escalate, 1);
}
END_TEST

/* Another console escalates the ticket while this one types a reason to escalate it: Enter
 * must not end that escalation; the view says so and the next Enter does what it shows. */
START_TEST(test_escalate_changed)
{
	unsigned r;

	v = view_escalate_create(&m, 1);
	harness_type("customer waiting on the shoulder");
	/* the model as after a ticket publication from the other console (test only) */
	struct proto_ticket *t = (struct proto_ticket *)model_ticket(&m, 1);
	ck_assert_ptr_nonnull(t);
	t->escalated = NOW;
	rd_strlcpy(t->escalated_by, "lisi", sizeof t->escalated_by);
	rd_strlcpy(t->escalate_reason, "no truck", sizeof t->escalate_reason);
	t->present |= (uint64_t)1 << PROTO_ticket_escalated |
	    (uint64_t)1 << PROTO_ticket_escalated_by | (uint64_t)1 << PROTO_ticket_escalate_reason;
	r = harness_press_sym(KEYSYM_ENTER);
	ck_assert(!(r & UI_CLOSE));
	ck_assert_int_eq(seen.escalate, 0);
	harness_draw(80, 24);
	ck_assert(harness_screen_has(i18n_tr("esc.changed")));
	r = harness_press_sym(KEYSYM_ENTER);	/* now it ends the escalation it shows */
	ck_assert(r & UI_CLOSE);
	ck_assert_int_eq(seen.escalate, 1);
	ck_assert(PROTO_HAS(&seen.esc_args, escalate, clear) && seen.esc_args.clear);
}
END_TEST

/* ---------------------------------------------------------------- presence */

START_TEST(test_presence)
{
	struct own_presence p = { 0 };

	m.conn = MODEL_CONNECTING;
	own_presence_tick(&p, &m, 1000);
	ck_assert_int_eq(seen.presence, 0);	/* not live: nothing */
	own_presence_off(&p, &m);
	ck_assert_int_eq(seen.presence, 0);	/* never said on */
	m.conn = MODEL_LIVE;
	m.time_scale = 1;
	own_presence_tick(&p, &m, 1000);
	ck_assert_int_eq(seen.presence, 1);
	ck_assert_str_eq(seen.presence_state, "on");
	own_presence_tick(&p, &m, 1000 + OWN_PRESENCE_MS - 1);
	ck_assert_int_eq(seen.presence, 1);
	own_presence_tick(&p, &m, 1000 + OWN_PRESENCE_MS);
	ck_assert_int_eq(seen.presence, 2);
	/* ten times the speed: ten times as often in wall time */
	m.time_scale = 10;
	own_presence_tick(&p, &m, 1000 + OWN_PRESENCE_MS + OWN_PRESENCE_MS / 10);
	ck_assert_int_eq(seen.presence, 3);
	own_presence_off(&p, &m);
	ck_assert_int_eq(seen.presence, 4);
	ck_assert_str_eq(seen.presence_state, "off");
}
END_TEST

static Suite *
own_suite(void)
{
	Suite *s = suite_create("view-own");
	TCase *tc = tcase_create("own");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_lookups);
	tcase_add_loop_test(tc, test_board_golden, 0, 2);
	tcase_add_test(tc, test_board_keys);
	tcase_add_loop_test(tc, test_kpi_golden, 0, 2);
	tcase_add_loop_test(tc, test_escalate, 0, 2);
	tcase_add_test(tc, test_escalate_clear);
	tcase_add_test(tc, test_escalate_changed);
	tcase_add_test(tc, test_presence);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	setenv("TZ", "UTC", 1);
	tzset();
	return harness_screen_main(own_suite(), "check-view-own");
}
