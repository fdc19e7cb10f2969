/* check-view-diag.c: the diagnosis views: the queue (ui/view-diag-queue.c: which tickets,
 * in which order, its keys) and the flow view (ui/view-flow.c: the broker's step worded
 * from the flows of data/, answers on the digit keys sent with the broker's current node,
 * back, the safety stops, dispatch now and its recommendation, abort, read-only until
 * taken over, start, the outcome), the session in the detail, and goldens in English and
 * Chinese at 80x24 and 120x40.
 *
 * Goldens are tests/golden/diag-*.screen (harness-screen.h); RD_UPDATE_GOLDEN=1 rewrites
 * them. The locale is C.UTF-8 and TZ=UTC. Run from the source root, or set RD_SRCDIR. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "diag.h"
#include "flow.h"
#include "harness-model.h"
#include "harness-screen.h"
#include "i18n.h"
#include "model.h"
#include "ticket.h"
#include "util.h"
#include "view-detail.h"
#include "view-diag-queue.h"
#include "view-flow.h"

#define MIN_MS (60 * 1000LL)
#define NOW 1773468300000LL	/* 2026-03-14 06:05:00 UTC, 14:05 in China: day */
#define USER "lihua"

static struct data_supplier cs_suppliers[] = {
	{ .id = "xy", .name = "湘运救援 Xiangyun Rescue" },
};
static struct data_region regions[] = {
	{ .id = "changsha", .name = "Changsha", .name_zh = "长沙", .lat = 28.2282,
	    .lon = 112.9388, .suppliers = cs_suppliers, .n_suppliers = 1, .auto_dispatch = 1 },
};
static struct data data = { .regions = regions, .n_regions = 1,
	.sla = { .not_accepted_s = 300, .gps_stale_s = 90, .stalled_s = 300,
	    .late_margin_s = 300, .window_pct = 80 } };

#define NO_DIAG ((uint64_t)1 << PROTO_ticket_diag_flow | (uint64_t)1 << PROTO_ticket_diag_state | \
	(uint64_t)1 << PROTO_ticket_diag_path | (uint64_t)1 << PROTO_ticket_diag_node |          \
	(uint64_t)1 << PROTO_ticket_diag_by | (uint64_t)1 << PROTO_ticket_diag_started |          \
	(uint64_t)1 << PROTO_ticket_diag_ended | (uint64_t)1 << PROTO_ticket_diag_hold_until |    \
	(uint64_t)1 << PROTO_ticket_diag_saved_s | (uint64_t)1 << PROTO_ticket_need_kind |        \
	(uint64_t)1 << PROTO_ticket_senior | (uint64_t)1 << PROTO_ticket_eta |                    \
	(uint64_t)1 << PROTO_ticket_eta_src)
#define WITH_DIAG (PROTO_ALL & ~((uint64_t)1 << PROTO_ticket_eta | \
	(uint64_t)1 << PROTO_ticket_eta_src))

/* A ticket: id, state, fault, customer, created (minutes from NOW), flags. */
#define T(i, st, f, cust, cr, fl)                                                         \
	.id = (i), .state = st, .region = "changsha", .customer = cust,                   \
	.phone = "13812345678", .plate = "湘A12345", .model = "比亚迪 秦 Qin", .lat = 28.2,  \
	.lon = 112.9, .address = "长沙市岳麓区麓山南路", .landmark = "湖南大学东门",           \
	.fault = f, .created = NOW + (cr) * MIN_MS, .promised = NOW + ((cr) + 45) * MIN_MS, \
	.flags = (fl), .ver = 1

static struct proto_ticket base_tickets[] = {
	/* 0: ours, running, one answer given */
	{ T(3001, "new", "battery", "陈小明", -12, 0), .present = WITH_DIAG,
	    .diag_flow = "battery", .diag_state = "running", .diag_path = "bat_kind:1",
	    .diag_node = "bat_dash", .diag_by = USER, .diag_started = NOW - 3 * MIN_MS - 15000,
	    .diag_hold_until = NOW + 7 * MIN_MS },
	/* 1: never diagnosed, on an expressway, the oldest */
	{ T(3002, "new", "battery", "Wang Fang", -20, TICKET_FLAG_EXPRESSWAY),
	    .present = PROTO_ALL & ~NO_DIAG },
	/* 2: someone else's session, a truck already sent (no hold) */
	{ T(3003, "dispatched", "battery", "Mary-Jane Featherstonehaugh", -8, 0),
	    .truck = "CSH-XY-V01", .present = WITH_DIAG, .diag_flow = "battery",
	    .diag_state = "running", .diag_path = "", .diag_node = "bat_kind",
	    .diag_by = "zhaomin", .diag_started = NOW - MIN_MS },
	/* 3: solved by phone: closed, not queued */
	{ T(3004, "resolved_remote", "battery", "孙悟空", -50, 0), .present = WITH_DIAG,
	    .diag_flow = "battery", .diag_state = "solved", .diag_path = "bat_kind:1",
	    .diag_node = "bat_dash", .diag_by = USER, .diag_started = NOW - 45 * MIN_MS,
	    .diag_ended = NOW - 40 * MIN_MS },
	/* 4: a fault without a flow */
	{ T(3005, "new", "mechanical_tow", "Li Na", -30, 0), .present = PROTO_ALL & ~NO_DIAG },
	/* 5: ended at the fire stop from the safety key: escalated */
	{ T(3006, "new", "battery", "欧阳娜娜", -25, TICKET_FLAG_EXPRESSWAY),
	    .present = WITH_DIAG, .diag_flow = "battery", .diag_state = "escalated",
	    .diag_path = "bat_kind:1,!fire", .diag_node = "fire", .diag_by = USER,
	    .diag_started = NOW - 10 * MIN_MS, .diag_ended = NOW - 8 * MIN_MS - 30000,
	    .senior = true },
	/* 6: on scene: too late for a session, not queued */
	{ T(3007, "on_scene", "battery", "Zhou Jie", -60, 0), .truck = "CSH-XY-V02",
	    .present = PROTO_ALL & ~NO_DIAG },
};
static struct proto_truck base_trucks[] = {
	{ .id = "CSH-XY-V01", .supplier = "xy", .kind = "van", .region = "changsha",
	    .status = "assigned", .lat = 28.19, .lon = 112.96, .fix_ts = NOW - 20000,
	    .ticket = 3003, .present = PROTO_ALL },
};
static struct proto_warning base_warnings[] = {
	{ .id = 1, .ticket = 3005, .kind = "escalation", .level = "amber", .text = "x",
	    .ts = NOW },
};

static struct model m;
static struct vscreen *vs;
static struct view *v;
static struct flow_set *flows;
static struct proto_ticket *tickets;

#define press(c) harness_press(c)
#define press_sym(s) harness_press_sym(s)
#define draw(c, r) harness_draw(c, r)
#define screen_has(s) harness_screen_has(s)

static void
setup(void)
{
	struct flow_errors errs = { NULL, 0 };
	char dir[512], faults[512];
	struct harness_fixture f = {
		HARNESS_TABLES(base_tickets, base_trucks, base_warnings),
		.data = &data, .user = USER, .role = MODEL_ROLE_SPECIALIST, .now = NOW,
	};

	snprintf(dir, sizeof dir, "%s/data/diagnosis", harness_srcdir());
	snprintf(faults, sizeof faults, "%s/data/faults.ini", harness_srcdir());
	flows = flow_set_load(dir, faults, &errs);
	ck_assert_msg(flows != NULL, "flows: %s", errs.n > 0 ? errs.v[0].msg : "?");
	f.flows = flows;
	harness_lang("en");
	harness_model_init(&m, &f);
	tickets = harness_tickets;
	vs = vscreen_create(80, 24);
	v = NULL;
	harness_bind(&m, &vs, &v, "check-view-diag");
}

static void
teardown(void)
{
	view_destroy(v);
	harness_model_finish(&m);
	vscreen_destroy(vs);
	flow_set_free(flows);
	i18n_unload();
}

static void
open_flow(int64_t id, bool start)
{
	view_destroy(v);
	v = view_flow_create(&m, id, start);
}

/* ---------------------------------------------------------------- the queue */

START_TEST(test_queue_members)
{
	const struct proto_ticket *out[8];
	size_t n = diag_queue(&m, out, ARRAY_LEN(out));

	/* the senior queue (escalated) first, then oldest first; not the solved, on-scene or
	 * flowless ones */
	ck_assert_uint_eq(n, 4);
	ck_assert_int_eq(out[0]->id, 3006);
	ck_assert_int_eq(out[1]->id, 3002);
	ck_assert_int_eq(out[2]->id, 3001);
	ck_assert_int_eq(out[3]->id, 3003);
	/* without flows the console cannot tell which faults have one: only the sessions */
	m.flows = NULL;
	n = diag_queue(&m, out, ARRAY_LEN(out));
	ck_assert_uint_eq(n, 3);
}
END_TEST

START_TEST(test_queue_keys)
{
	v = view_diag_queue_create();
	ck_assert_int_eq(v->scope, SCOPE_TICKET);
	draw(80, 24);
	ck_assert_uint_eq(press_sym(KEYSYM_ENTER), UI_HANDLED | UI_REDRAW | UI_OPEN);
	ck_assert_int_eq(v->open.kind, VIEW_FLOW);
	/* the senior queue first: a senior specialist starts an escalated one again */
	ck_assert_int_eq(v->open.ticket, 3006);
	ck_assert_int_eq(v->open.action, ACTION_DIAG_START);
	ck_assert(screen_has("senior"));
	press_sym(KEYSYM_DOWN);
	press_sym(KEYSYM_DOWN);
	ck_assert_uint_eq(press('d'), UI_HANDLED | UI_REDRAW | UI_OPEN);
	ck_assert_int_eq(v->open.ticket, 3001);
	ck_assert_uint_eq(press('a'), UI_HANDLED | UI_REDRAW | UI_OPEN);
	ck_assert_int_eq(v->open.kind, VIEW_DETAIL);
	ck_assert_int_eq(v->open.action, ACTION_NOTE);
	/* the selection follows its ticket when an older one leaves the queue */
	tickets[1].state[0] = '\0';
	rd_strlcpy(tickets[1].state, "cancelled", sizeof tickets[1].state);
	model_refresh(&m, NOW);
	press_sym(KEYSYM_ENTER);
	ck_assert_int_eq(v->open.ticket, 3001);
	ck_assert_uint_eq(press('q'), UI_HANDLED | UI_CLOSE);
	/* an empty queue says so */
	m.n_tickets = 0;
	model_refresh(&m, NOW);
	draw(80, 24);
	ck_assert(screen_has("No ticket waits for a diagnosis."));
	ck_assert_uint_eq(press_sym(KEYSYM_ENTER), UI_HANDLED);
}
END_TEST

/* ---------------------------------------------------------------- the flow view */

START_TEST(test_flow_shows_the_broker_step)
{
	open_flow(3001, true);
	ck_assert_int_eq(harness_rec.diag, 0);	/* it runs: nothing to start */
	draw(80, 24);
	/* bat_dash's question, its answers numbered, the breadcrumb, elapsed and hold */
	ck_assert(screen_has("When you try to start"));
	ck_assert(screen_has("1  Dark, or rapid clicking"));
	ck_assert(screen_has("2  Dashboard normal, nothing happens"));
	ck_assert(screen_has("Petrol or diesel"));
	ck_assert(screen_has("Step 2"));
	ck_assert(screen_has("elapsed 3:15"));
	ck_assert(screen_has("dispatch hold 7m"));
	/* always there: dispatch now and the safety key with its stops */
	ck_assert(screen_has("Dispatch now and keep diagnosing"));
	ck_assert(!screen_has("recommended"));
	ck_assert(screen_has("Safety stop: The car is in a live lane"));
	ck_assert_int_eq(harness_role_at(harness_find_row("Safety stop"), "Safety stop"),
	    ROLE_LATE);
	/* the caller beside it */
	ck_assert(screen_has("湘A12345"));
	ck_assert(screen_has("Battery") || screen_has("battery"));
	/* a console that starts again shows the same step: it is the broker's */
	open_flow(3001, true);
	draw(80, 24);
	ck_assert(screen_has("When you try to start"));
	ck_assert_int_eq(harness_rec.diag, 0);
}
END_TEST

START_TEST(test_answer_keys)
{
	open_flow(3001, false);
	draw(80, 24);
	ck_assert_uint_eq(press('2'), UI_HANDLED | UI_REDRAW);
	ck_assert_int_eq(harness_rec.diag, 1);
	ck_assert_int_eq(harness_rec.diag_op, PROTO_MSG_diag_answer);
	ck_assert_int_eq(harness_rec.id, 3001);
	ck_assert_str_eq(harness_rec.diag_node, "bat_dash");
	ck_assert_int_eq(harness_rec.diag_answer, 2);
	/* one command at a time */
	press('1');
	ck_assert_int_eq(harness_rec.diag, 1);
	ck_assert_str_eq(m.message, "Wait for the broker's answer");
	harness_answer_ok(&m, harness_rec.last_cmd);
	/* the broker moved on: the next answer names its new node */
	rd_strlcpy(tickets[0].diag_path, "bat_kind:1,bat_dash:1", sizeof tickets[0].diag_path);
	rd_strlcpy(tickets[0].diag_node, "bat_left_on", sizeof tickets[0].diag_node);
	model_refresh(&m, NOW);
	press('1');
	ck_assert_int_eq(harness_rec.diag, 2);
	ck_assert_str_eq(harness_rec.diag_node, "bat_left_on");
	ck_assert_int_eq(harness_rec.diag_answer, 1);
	harness_answer_ok(&m, harness_rec.last_cmd);
	/* no such answer */
	press('9');
	ck_assert_int_eq(harness_rec.diag, 2);
	ck_assert(strstr(m.message, "No such answer") != NULL);
	/* a refused answer (another console was first) frees the keys again */
	press('1');
	ck_assert_int_eq(harness_rec.diag, 3);
	harness_answer_error(&m, harness_rec.last_cmd, PROTO_E_CONFLICT, "not the current node");
	press('1');
	ck_assert_int_eq(harness_rec.diag, 4);
	/* the answer names the ticket's new version: keys wait until the live data has it */
	{
		static struct proto_reply r;
		char id[PROTO_CMD_ID_MAX + 1];

		rd_strlcpy(id, harness_rec.last_cmd, sizeof id);
		memset(&r, 0, sizeof r);
		rd_strlcpy(r.cmd_id, id, sizeof r.cmd_id);
		rd_strlcpy(r.op, "diag.answer", sizeof r.op);
		r.op_id = PROTO_MSG_diag_answer;
		r.ok = true;
		r.ticket.id = 3001;
		r.ticket.ver = 2;
		model_reply(&m, id, &r, NULL);
	}
	press('1');
	ck_assert_int_eq(harness_rec.diag, 4);
	ck_assert_str_eq(m.message, "Wait for the broker's answer");
	tickets[0].ver = 2;
	model_refresh(&m, NOW);
	press('1');
	ck_assert_int_eq(harness_rec.diag, 5);
}
END_TEST

START_TEST(test_back_safety_dispatch_abort)
{
	open_flow(3001, false);
	draw(80, 24);
	/* back one step, with the current node */
	press('u');
	ck_assert_int_eq(harness_rec.diag_op, PROTO_MSG_diag_back);
	ck_assert_str_eq(harness_rec.diag_node, "bat_dash");
	harness_answer_ok(&m, harness_rec.last_cmd);
	/* the safety key lists the stops; a digit picks one */
	ck_assert_uint_eq(press('!'), UI_HANDLED | UI_REDRAW);
	ck_assert_int_eq(v->scope, SCOPE_DIALOG);
	draw(80, 24);
	ck_assert(screen_has("Safety stop: ends the session, dispatch at once"));
	ck_assert(screen_has("Smoke, flames"));
	harness_golden("diag-safety", 80, 24, "en");
	press('2');
	ck_assert_int_eq(v->scope, SCOPE_DIAG);
	ck_assert_int_eq(harness_rec.diag_op, PROTO_MSG_diag_safety);
	ck_assert_str_eq(harness_rec.text, flows->stops[1]->id);
	harness_answer_ok(&m, harness_rec.last_cmd);
	/* Esc leaves the list without sending */
	press('x');
	press_sym(KEYSYM_ESC);
	ck_assert_int_eq(v->scope, SCOPE_DIAG);
	ck_assert_int_eq(harness_rec.diag, 2);
	/* dispatch now */
	press('N');
	ck_assert_int_eq(harness_rec.diag_op, PROTO_MSG_diag_dispatch_now);
	ck_assert_int_eq(harness_rec.id, 3001);
	harness_answer_ok(&m, harness_rec.last_cmd);
	/* abort asks for a reason */
	press('X');
	ck_assert_int_eq(v->scope, SCOPE_FORM);
	press_sym(KEYSYM_ENTER);
	ck_assert_int_eq(harness_rec.diag, 3);
	harness_type("caller hung up");
	press_sym(KEYSYM_ENTER);
	ck_assert_int_eq(harness_rec.diag, 4);
	ck_assert_int_eq(harness_rec.diag_op, PROTO_MSG_diag_abort);
	ck_assert_str_eq(harness_rec.text, "caller hung up");
	ck_assert_int_eq(v->scope, SCOPE_DIAG);
	/* back at the first step: refused in words */
	harness_answer_ok(&m, harness_rec.last_cmd);
	tickets[0].diag_path[0] = '\0';
	rd_strlcpy(tickets[0].diag_node, "bat_kind", sizeof tickets[0].diag_node);
	model_refresh(&m, NOW);
	press_sym(KEYSYM_BACKSPACE);
	ck_assert_int_eq(harness_rec.diag, 4);
	ck_assert_str_eq(m.message, "Already at the first step");
	/* q closes */
	ck_assert_uint_eq(press('q'), UI_HANDLED | UI_CLOSE);
}
END_TEST

START_TEST(test_read_only_until_taken_over)
{
	open_flow(3003, false);
	draw(80, 24);
	ck_assert(screen_has("Held by zhaomin"));
	ck_assert(screen_has("read only"));
	press('1');
	press('N');
	press('!');
	ck_assert_int_eq(harness_rec.diag, 0);
	ck_assert_int_eq(v->scope, SCOPE_DIAG);
	ck_assert(strstr(m.message, "Someone else holds this session") != NULL);
	ck_assert_uint_eq(press('T'), UI_HANDLED | UI_REDRAW);
	draw(80, 24);
	ck_assert(!screen_has("read only"));
	press('1');
	ck_assert_int_eq(harness_rec.diag, 1);
	ck_assert_str_eq(harness_rec.diag_node, "bat_kind");
	/* no hold shown: the ticket has a truck */
	ck_assert(!screen_has("dispatch hold"));
}
END_TEST

START_TEST(test_start)
{
	/* a ticket never diagnosed starts when opened to diagnose */
	open_flow(3002, true);
	ck_assert_int_eq(harness_rec.diag, 1);
	ck_assert_int_eq(harness_rec.diag_op, PROTO_MSG_diag_start);
	ck_assert_int_eq(harness_rec.id, 3002);
	draw(80, 24);
	ck_assert(screen_has("Starting the diagnosis"));
	harness_answer_ok(&m, harness_rec.last_cmd);
	/* opened only to look: d starts */
	open_flow(3002, false);
	ck_assert_int_eq(harness_rec.diag, 1);
	draw(80, 24);
	ck_assert(screen_has("d  start the diagnosis"));
	press('d');
	ck_assert_int_eq(harness_rec.diag, 2);
	harness_answer_ok(&m, harness_rec.last_cmd);
	/* not while one runs, not on scene, not for a fault without a flow */
	open_flow(3001, false);
	press('d');
	ck_assert_str_eq(m.message, "A diagnosis already runs on this ticket");
	open_flow(3007, true);
	press('d');
	ck_assert_int_eq(harness_rec.diag, 2);
	open_flow(3005, true);
	ck_assert_int_eq(harness_rec.diag, 2);
	draw(80, 24);
	ck_assert(screen_has("This fault has no diagnosis flow"));
}
END_TEST

START_TEST(test_recommendation)
{
	open_flow(3001, false);
	tickets[0].flags = TICKET_FLAG_EXPRESSWAY;
	draw(80, 24);
	ck_assert(screen_has("recommended: on an expressway"));
	tickets[0].flags = 0;
	model_refresh(&m, NOW + 8 * 60 * MIN_MS);	/* 22:05 in China */
	draw(80, 24);
	ck_assert(screen_has("recommended: at night"));
	model_refresh(&m, NOW + 16 * 60 * MIN_MS);	/* 06:05: day again */
	draw(80, 24);
	ck_assert(!screen_has("recommended"));
	ck_assert_ptr_null(diag_recommend_now(&tickets[0], NOW - 30 * MIN_MS)); /* 13:35 */
	ck_assert_str_eq(diag_recommend_now(&tickets[0], NOW + 14 * 60 * MIN_MS - 6 * MIN_MS),
	    "diag.why.night");			/* 05:59 */
}
END_TEST

START_TEST(test_outcome)
{
	open_flow(3006, false);
	draw(80, 24);
	ck_assert(screen_has("escalated to a senior specialist"));
	ck_assert(screen_has("senior queue"));
	ck_assert(screen_has("Smoke, flames"));
	ck_assert(screen_has("Read to the caller:"));
	ck_assert(screen_has("Call 119"));
	ck_assert(screen_has("by lihua"));
	ck_assert(screen_has("took 1:30"));
	/* keys that change a session refuse an ended one */
	press('1');
	ck_assert_int_eq(harness_rec.diag, 0);
	ck_assert_str_eq(m.message, "No diagnosis runs on this ticket");
	open_flow(3004, false);
	draw(80, 24);
	ck_assert(screen_has("solved by phone"));
}
END_TEST

START_TEST(test_detail_session)
{
	static const struct proto_event ev[] = {
		{ .id = 1, .ts = NOW - 4 * MIN_MS, .kind = "diag_start", .user = USER,
		    .detail = "battery", .present = PROTO_ALL },
		{ .id = 2, .ts = NOW - 2 * MIN_MS, .kind = "diag_answer", .user = USER,
		    .detail = "bat_kind: 1 Petrol or diesel", .present = PROTO_ALL },
	};

	v = view_detail_create(&m, 3001, ACTION_NONE);
	harness_answer_history(&m, 1, ev, ARRAY_LEN(ev));
	draw(120, 40);
	ck_assert(screen_has("Diagnosis"));
	ck_assert(screen_has("diagnosing · Engine does not crank"));
	ck_assert(screen_has("Step 2: When you try to start"));
	ck_assert(screen_has("by lihua · Petrol or diesel"));
	ck_assert(screen_has(i18n_tr("event.diag_answer")) ||
	    screen_has("diagnosis"));
	ck_assert_uint_eq(press('d'), UI_HANDLED | UI_REDRAW | UI_OPEN);
	ck_assert_int_eq(v->open.kind, VIEW_FLOW);
	ck_assert_int_eq(v->open.ticket, 3001);
	ck_assert_uint_eq(press('D'), UI_HANDLED | UI_REDRAW | UI_OPEN);
	ck_assert_int_eq(v->open.kind, VIEW_DIAG_QUEUE);
}
END_TEST

/* ---------------------------------------------------------------- goldens */

static const struct {
	int cols, rows;
	const char *lang, *suffix;
} sizes[] = {
	{ 80, 24, "en", "" },
	{ 120, 40, "en", "" },
	{ 80, 24, "zh_CN", "" },
	{ 120, 40, "zh_CN", "" },
};

START_TEST(test_golden_queue)
{
	v = view_diag_queue_create();
	harness_golden("diag-queue", sizes[_i].cols, sizes[_i].rows, sizes[_i].lang);
	harness_assert_safe();
}
END_TEST

START_TEST(test_golden_flow)
{
	open_flow(3001, false);
	tickets[0].flags = TICKET_FLAG_EXPRESSWAY | TICKET_FLAG_VULNERABLE;
	harness_golden("diag-flow", sizes[_i].cols, sizes[_i].rows, sizes[_i].lang);
	harness_assert_safe();
}
END_TEST

START_TEST(test_golden_outcome)
{
	open_flow(3006, false);
	harness_golden("diag-outcome", sizes[_i].cols, sizes[_i].rows, sizes[_i].lang);
}
END_TEST

START_TEST(test_golden_read_only)
{
	open_flow(3003, false);
	harness_golden("diag-held", 80, 24, _i == 0 ? "en" : "zh_CN");
}
END_TEST

START_TEST(test_too_small)
{
	open_flow(3001, false);
	draw(60, 20);
	ck_assert(!screen_has("Dispatch now"));
	v = (view_destroy(v), view_diag_queue_create());
	draw(60, 20);
	ck_assert(!screen_has("Diagnosis queue"));
}
END_TEST

static Suite *
diag_suite(void)
{
	Suite *s = suite_create("view-diag");
	TCase *tc;

	tc = tcase_create("queue");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_queue_members);
	tcase_add_test(tc, test_queue_keys);
	suite_add_tcase(s, tc);

	tc = tcase_create("flow");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_flow_shows_the_broker_step);
	tcase_add_test(tc, test_answer_keys);
	tcase_add_test(tc, test_back_safety_dispatch_abort);
	tcase_add_test(tc, test_read_only_until_taken_over);
	tcase_add_test(tc, test_start);
	tcase_add_test(tc, test_recommendation);
	tcase_add_test(tc, test_outcome);
	tcase_add_test(tc, test_detail_session);
	suite_add_tcase(s, tc);

	tc = tcase_create("screens");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, test_golden_queue, 0, ARRAY_LEN(sizes));
	tcase_add_loop_test(tc, test_golden_flow, 0, ARRAY_LEN(sizes));
	tcase_add_loop_test(tc, test_golden_outcome, 0, ARRAY_LEN(sizes));
	tcase_add_loop_test(tc, test_golden_read_only, 0, 2);
	tcase_add_test(tc, test_too_small);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	setenv("TZ", "UTC", 1);
	tzset();
	return harness_screen_main(diag_suite(), "check-view-diag");
}
