/* check-diag.c: guided remote diagnosis over the protocol (PROTOCOL.md 7.12 to 7.18, 8.1.1,
 * 9.2): the real broker in a thread (tests/harness-broker.c) on a manual clock, talked to
 * over real sockets. The data are the source tree's, with two changes made in each test's
 * directory: sla.ini holds a diagnosis hold of HOLD_S, and the diagnosis directory has one
 * more flow, check_flow (below), whose outcomes are a flatbed dispatch, an escalation, a
 * phone solution and a van dispatch, so the tests do not depend on the wording of the
 * reference flows. The battery flow (data/diagnosis/battery.ini) and the safety stops are
 * used by their ids only.
 *
 * Sessions start, answer, go back, stop for safety, abort and dispatch now; a stale node
 * is a conflict; the outcomes do what the contract says (solved closes and releases a sent
 * truck, dispatch sends the kind the outcome names, escalate sets senior and keeps the
 * hold); the hold holds automatic dispatch until it runs out on the stepped clock; a
 * session survives a restart; stats.kpi never counts a cancelled ticket as solved, also
 * after a restart; invalid flows stop the broker from starting. */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "broker.h"
#include "proto.h"
#include "util.h"

#include "harness-broker.h"

#ifndef SOURCE_DATA_DIR
#error "compile with -DSOURCE_DATA_DIR=\"/path/to/data\""
#endif

#define WAIT_MS HARNESS_BROKER_WAIT_MS
#define HOLD_S 120

/* Wuyi Square, Changsha (automatic dispatch), and points 1 km and 3 km north of it. */
#define CALL_LAT 28.1960
#define CALL_LON 112.9768
#define NEAR_LAT 28.2050
#define FAR_LAT 28.2230

static char base_dir[] = "/tmp/rd-check-diag-XXXXXX";
static char data_dir[160];
static struct harness_broker E;

static const char sla_ini[] =
	"[warnings]\n"
	"not_accepted_s = 300\n"
	"gps_stale_s = 45\n"
	"stalled_s = 300\n"
	"late_margin_s = 300\n"
	"window_pct = 80\n"
	"diag_hold_s = 120\n";

/* ck_a: 1 -> ck_b, 2 -> flatbed, 3 -> escalate; ck_b: 1 -> solved, 2 -> van. */
static const char check_flow_ini[] =
	"[flow]\n"
	"id = check_flow\n"
	"faults = battery\n"
	"title = Check flow\n"
	"title_zh = 测试流程\n"
	"start = ck_a\n"
	"success_rate = 0.5\n"
	"\n"
	"[node]\n"
	"id = ck_a\n"
	"kind = question\n"
	"text = First question\n"
	"text_zh = 第一个问题\n"
	"[answer]\n"
	"label = Go on\n"
	"label_zh = 继续\n"
	"next = ck_b\n"
	"[answer]\n"
	"label = Needs a flatbed\n"
	"label_zh = 需要平板车\n"
	"next = ck_flatbed\n"
	"[answer]\n"
	"label = Ask a senior\n"
	"label_zh = 请教资深专家\n"
	"next = ck_senior\n"
	"\n"
	"[node]\n"
	"id = ck_b\n"
	"kind = question\n"
	"text = Second question\n"
	"text_zh = 第二个问题\n"
	"[answer]\n"
	"label = Fixed\n"
	"label_zh = 好了\n"
	"next = ck_solved\n"
	"[answer]\n"
	"label = Not fixed\n"
	"label_zh = 没好\n"
	"next = ck_van\n"
	"\n"
	"[outcome]\n"
	"id = ck_solved\n"
	"type = solved\n"
	"text = Solved\n"
	"text_zh = 已解决\n"
	"[outcome]\n"
	"id = ck_flatbed\n"
	"type = dispatch\n"
	"truck = flatbed\n"
	"text = A flatbed comes\n"
	"text_zh = 派平板车\n"
	"[outcome]\n"
	"id = ck_van\n"
	"type = dispatch\n"
	"truck = van\n"
	"text = A van comes\n"
	"text_zh = 派服务车\n"
	"[outcome]\n"
	"id = ck_senior\n"
	"type = escalate\n"
	"text = A senior specialist calls back\n"
	"text_zh = 资深专家回电\n";

/* ---------------------------------------------------------------- the data */

static void
write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	ck_assert_msg(f != NULL, "cannot write %s", path);
	ck_assert_int_eq(fputs(text, f) >= 0, 1);
	ck_assert_int_eq(fclose(f), 0);
}

static void
link_source(const char *name)
{
	char from[512], to[512];
	snprintf(from, sizeof from, "%s/%s", SOURCE_DATA_DIR, name);
	snprintf(to, sizeof to, "%s/%s", data_dir, name);
	ck_assert_msg(symlink(from, to) == 0, "symlink %s", to);
}

/* The source data with HOLD_S, the reference flows and check_flow; extra (a file name and
 * its text, or NULL) goes into the diagnosis directory too. */
static void
make_data(const char *extra_name, const char *extra)
{
	static const char *flows[] = {
		"battery.ini", "ev.ini", "keys.ini", "overheat.ini", "safety.ini", "start.ini",
		"tyre.ini", "warning.ini",
	};
	char path[512];

	snprintf(data_dir, sizeof data_dir, "%s/data", E.dir);
	ck_assert_int_eq(mkdir(data_dir, 0755), 0);
	link_source("faults.ini");
	link_source("demand.ini");
	link_source("regions");
	snprintf(path, sizeof path, "%s/sla.ini", data_dir);
	write_file(path, sla_ini);
	snprintf(path, sizeof path, "%s/diagnosis", data_dir);
	ck_assert_int_eq(mkdir(path, 0755), 0);
	for (size_t i = 0; i < ARRAY_LEN(flows); i++) {
		char name[64];
		snprintf(name, sizeof name, "diagnosis/%s", flows[i]);
		link_source(name);
	}
	snprintf(path, sizeof path, "%s/diagnosis/zz_check.ini", data_dir);
	write_file(path, check_flow_ini);
	if (extra != NULL) {
		snprintf(path, sizeof path, "%s/diagnosis/%s", data_dir, extra_name);
		write_file(path, extra);
	}
}

static void
setup(void)
{
	struct harness_broker_opts o = {
		.base_dir = base_dir, .log_env = "CHECK_DIAG_LOG", .cmd_prefix = "diag",
		.strict = true,
	};
	harness_broker_setup(&E, &o);
	make_data(NULL, NULL);
	harness_broker_start(&E, data_dir);
	harness_broker_clients_open(&E);
	harness_broker_sub_sync(&E);
}

static void
setup_bare(void)
{
	struct harness_broker_opts o = {
		.base_dir = base_dir, .log_env = "CHECK_DIAG_LOG", .cmd_prefix = "diag",
		.strict = true,
	};
	harness_broker_setup(&E, &o);
}

static void
teardown(void)
{
	harness_broker_teardown(&E);
}

/* ---------------------------------------------------------------- feed and calls */

static bool
is_truck(const struct proto_pub *p, const char *id, int64_t fix_ts)
{
	return p->topic == PROTO_TOPIC_TRUCK && strcmp(p->u.truck.id, id) == 0 &&
	    (fix_ts <= 0 || p->u.truck.fix_ts == fix_ts);
}

/* Read the SUB until truck id is published (with fix_ts when > 0). */
static void
expect_truck(const char *id, int64_t fix_ts)
{
	int64_t until = rd_mono_ms() + WAIT_MS;
	struct proto_pub p;
	do
		ck_assert_msg(harness_broker_next_pub(&E, &p, until), "truck %s not published", id);
	while (!is_truck(&p, id, fix_ts));
}

/* A fresh fix of truck id at lat on the call's meridian. */
static void
fix_at(const char *id, double lat)
{
	struct proto_fix x = { .lat = lat, .lon = CALL_LON, .ts = E.now, .present = 0 };

	PROTO_STRSET(x.truck, id);
	harness_broker_push_feed(&E, PROTO_MSG_fix, &x);
	expect_truck(id, x.ts);
}

/* A truck of changsha, available at lat on the call's meridian, with a fresh fix. */
static void
truck_at(const char *id, const char *kind, double lat)
{
	struct proto_status s = { .ts = E.now, .present = 0 };

	PROTO_STRSET(s.truck, id);
	PROTO_STRSET(s.status, "available");
	PROTO_STRSET(s.kind, kind);
	PROTO_SET(&s, status, kind);
	PROTO_STRSET(s.region, "changsha");
	PROTO_SET(&s, status, region);
	PROTO_STRSET(s.supplier, "xiangjiang");
	PROTO_SET(&s, status, supplier);
	harness_broker_push_feed(&E, PROTO_MSG_status, &s);
	expect_truck(id, 0);
	fix_at(id, lat);
}

static struct proto_ticket
ok(const char *user, enum proto_msg_id op, const void *args)
{
	return harness_broker_ok(&E, user, op, args);
}

static void
err(enum proto_msg_id op, const void *args, enum proto_err code, const char *msg)
{
	harness_broker_fail(&E, "spec1", op, args, code, msg);
}

static struct proto_ticket
new_ticket(const char *fault, const char *region)
{
	struct proto_intake_create a = { .lat = CALL_LAT, .lon = CALL_LON, .present = 0 };
	PROTO_STRSET(a.customer, "李四");
	PROTO_STRSET(a.phone, "13800138000");
	PROTO_STRSET(a.plate, "湘A·54321");
	PROTO_STRSET(a.address, "长沙市芙蓉区五一大道");
	PROTO_STRSET(a.fault, fault);
	PROTO_STRSET(a.region, region);
	return ok("agent7", PROTO_MSG_intake_create, &a);
}

static struct proto_ticket
get(int64_t id)
{
	struct proto_ticket_get a = { .id = id, .present = 0 };
	return ok("sup1", PROTO_MSG_ticket_get, &a);
}

/* diag.start on ticket id with flow (NULL: the fault's). */
static struct proto_diag_start
start_args(int64_t id, const char *flow)
{
	struct proto_diag_start a = { .id = id, .present = 0 };
	if (flow != NULL) {
		PROTO_STRSET(a.flow, flow);
		PROTO_SET(&a, diag_start, flow);
	}
	return a;
}

static struct proto_ticket
start(int64_t id, const char *flow)
{
	struct proto_diag_start a = start_args(id, flow);
	return ok("spec1", PROTO_MSG_diag_start, &a);
}

static struct proto_diag_answer
answer_args(int64_t id, const char *node, int64_t n)
{
	struct proto_diag_answer a = { .id = id, .answer = n, .present = 0 };
	PROTO_STRSET(a.node, node);
	return a;
}

static struct proto_ticket
answer_as(const char *user, int64_t id, const char *node, int64_t n)
{
	struct proto_diag_answer a = answer_args(id, node, n);
	return ok(user, PROTO_MSG_diag_answer, &a);
}

static struct proto_ticket
answer(int64_t id, const char *node, int64_t n)
{
	return answer_as("spec1", id, node, n);
}

static struct proto_diag_back
back_args(int64_t id, const char *node)
{
	struct proto_diag_back a = { .id = id, .present = 0 };
	PROTO_STRSET(a.node, node);
	return a;
}

static struct proto_diag_safety
safety_args(int64_t id, const char *stop)
{
	struct proto_diag_safety a = { .id = id, .present = 0 };
	PROTO_STRSET(a.stop, stop);
	return a;
}

static struct proto_diag_abort
abort_args(int64_t id, const char *reason)
{
	struct proto_diag_abort a = { .id = id, .present = 0 };
	PROTO_STRSET(a.reason, reason);
	return a;
}

static struct proto_kpi
kpi(const int64_t *since)
{
	struct proto_stats_kpi a = { .present = 0 };
	struct proto_reply r;
	struct proto_kpi k;

	if (since != NULL) {
		a.since = *since;
		PROTO_SET(&a, stats_kpi, since);
	}
	harness_broker_call_as(&E, "sup1", PROTO_MSG_stats_kpi, &a, &r);
	ck_assert_msg(r.ok, "stats.kpi: %s", r.error.message);
	k = r.kpi;
	proto_reply_finish(&r);
	return k;
}

/* The history of ticket id: how many events of kind it has, and whether one of them has
 * user and a detail containing text. */
static int
history_has(int64_t id, const char *kind, const char *user, const char *text)
{
	struct proto_ticket_get a = { .id = id, .present = 0 };
	struct proto_reply r;
	int n = 0;

	harness_broker_call_as(&E, "sup1", PROTO_MSG_ticket_get, &a, &r);
	ck_assert(r.ok);
	for (size_t i = 0; i < r.n_events; i++)
		if (strcmp(r.events[i].kind, kind) == 0 && strcmp(r.events[i].user, user) == 0 &&
		    strstr(r.events[i].detail, text) != NULL)
			n++;
	proto_reply_finish(&r);
	return n;
}

/* How many events of ticket id have code (PROTOCOL.md 8.4) and, when param is not NULL,
 * that parameter present with value (a string, or an integer written out). */
static int
code_has(int64_t id, const char *code, const char *param, const char *value)
{
	const struct proto_desc *pd = &proto_descs[PROTO_MSG_event_params];
	struct proto_ticket_get a = { .id = id, .present = 0 };
	struct proto_reply r;
	int n = 0;

	harness_broker_call_as(&E, "sup1", PROTO_MSG_ticket_get, &a, &r);
	ck_assert(r.ok);
	for (size_t i = 0; i < r.n_events; i++) {
		const struct proto_event *e = &r.events[i];
		bool ok = PROTO_HAS(e, event, code) && strcmp(e->code, code) == 0;
		for (size_t f = 0; ok && param != NULL && f < pd->n_fields; f++) {
			const char *p = (const char *)&e->params + pd->fields[f].offset;
			char num[24];
			int64_t v;
			if (strcmp(pd->fields[f].name, param) != 0)
				continue;
			if (!((e->params.present >> f) & 1u)) {
				ok = false;
			} else if (pd->fields[f].type == PT_STR) {
				ok = strcmp(p, value) == 0;
			} else {
				memcpy(&v, p, sizeof v);
				snprintf(num, sizeof num, "%lld", (long long)v);
				ok = strcmp(num, value) == 0;
			}
		}
		n += ok;
	}
	proto_reply_finish(&r);
	return n;
}

/* ---------------------------------------------------------------- sessions */

START_TEST(test_start_answer_back)
{
	struct proto_ticket t = new_ticket("battery", "changsha"); /* no truck: stays new */
	ck_assert_str_eq(t.state, "new");
	ck_assert(!PROTO_HAS(&t, ticket, diag_flow));
	ck_assert(!PROTO_HAS(&t, ticket, diag_hold_until));

	struct proto_diag_start bad = start_args(t.id, "no_such_flow");
	err(PROTO_MSG_diag_start, &bad, PROTO_E_BAD_REQUEST, "no diagnosis flow");
	struct proto_diag_start none = start_args(999, NULL);
	err(PROTO_MSG_diag_start, &none, PROTO_E_NOT_FOUND, "no ticket 999");
	struct proto_diag_answer idle = answer_args(t.id, "bat_kind", 1);
	err(PROTO_MSG_diag_answer, &idle, PROTO_E_INVALID_STATE, "no diagnosis is running");

	t = start(t.id, NULL);
	ck_assert_str_eq(t.diag_flow, "battery");
	ck_assert_str_eq(t.diag_state, "running");
	ck_assert_str_eq(t.diag_node, "bat_kind");
	ck_assert_str_eq(t.diag_path, "");
	ck_assert(PROTO_HAS(&t, ticket, diag_path));
	ck_assert_str_eq(t.diag_by, "spec1");
	ck_assert_int_eq(t.diag_started, E.now);
	ck_assert_int_eq(t.diag_hold_until, E.now + HOLD_S * 1000);
	ck_assert(!PROTO_HAS(&t, ticket, diag_ended));
	struct proto_diag_start again = start_args(t.id, NULL);
	err(PROTO_MSG_diag_start, &again, PROTO_E_INVALID_STATE, "has a diagnosis running");

	struct proto_diag_answer stale = answer_args(t.id, "bat_dash", 1);
	err(PROTO_MSG_diag_answer, &stale, PROTO_E_CONFLICT, "is at bat_kind, not bat_dash");
	struct proto_diag_answer range = answer_args(t.id, "bat_kind", 3);
	err(PROTO_MSG_diag_answer, &range, PROTO_E_BAD_REQUEST, "bat_kind has 2 answers");

	t = answer_as("spec2", t.id, "bat_kind", 1);
	ck_assert_str_eq(t.diag_node, "bat_dash");
	ck_assert_str_eq(t.diag_path, "bat_kind:1");
	ck_assert_str_eq(t.diag_by, "spec2");
	t = answer(t.id, "bat_dash", 1);
	ck_assert_str_eq(t.diag_path, "bat_kind:1,bat_dash:1");
	ck_assert_str_eq(t.diag_node, "bat_left_on");

	struct proto_diag_back old = back_args(t.id, "bat_dash");
	err(PROTO_MSG_diag_back, &old, PROTO_E_CONFLICT, "is at bat_left_on");
	struct proto_diag_back b = back_args(t.id, "bat_left_on");
	t = ok("spec1", PROTO_MSG_diag_back, &b);
	ck_assert_str_eq(t.diag_node, "bat_dash");
	ck_assert_str_eq(t.diag_path, "bat_kind:1");
	b = back_args(t.id, "bat_dash");
	t = ok("spec1", PROTO_MSG_diag_back, &b);
	ck_assert_str_eq(t.diag_node, "bat_kind");
	ck_assert_str_eq(t.diag_path, "");
	b = back_args(t.id, "bat_kind");
	err(PROTO_MSG_diag_back, &b, PROTO_E_INVALID_STATE, "first step");
	ck_assert_str_eq(get(t.id).diag_state, "running");

	/* every step is in the history, with who and where */
	ck_assert_int_eq(history_has(t.id, "diag_start", "spec1", "flow battery"), 1);
	ck_assert_int_eq(history_has(t.id, "diag_answer", "spec2", "bat_kind: 1 (Petrol or "
	    "diesel) -> bat_dash"), 1);
	ck_assert_int_eq(history_has(t.id, "diag_answer", "spec1", "bat_dash: 1"), 1);
	ck_assert_int_eq(history_has(t.id, "diag_back", "spec1", "back from bat_left_on to "
	    "bat_dash"), 1);
	ck_assert_int_eq(history_has(t.id, "diag_back", "spec1", ""), 2);
	/* and its machine form, for consoles in every language */
	ck_assert_int_eq(code_has(t.id, "diag_start", "flow", "battery"), 1);
	ck_assert_int_eq(code_has(t.id, "diag_start", "node", "bat_kind"), 1);
	ck_assert_int_eq(code_has(t.id, "diag_answer", "to_node", "bat_dash"), 1);
	ck_assert_int_eq(code_has(t.id, "diag_answer", "answer", "1"), 2);
	ck_assert_int_eq(code_has(t.id, "diag_back", "node", "bat_left_on"), 1);
	ck_assert_int_eq(code_has(t.id, "diag_back", "to_node", "bat_dash"), 1);
}
END_TEST

/* Two consoles on the same step: the first answer wins, the second is a conflict and
 * changes nothing; a retry of the first (same cmd_id) gets the first reply. */
START_TEST(test_two_consoles)
{
	struct proto_ticket t = new_ticket("battery", "changsha");
	struct proto_buf q, raw1, raw2;
	struct proto_reply r;

	start(t.id, NULL);
	struct proto_diag_answer a = answer_args(t.id, "bat_kind", 1);
	proto_buf_init(&q);
	proto_buf_init(&raw1);
	proto_buf_init(&raw2);
	proto_encode_request(&q, PROTO_MSG_diag_answer, "console-a-1", "spec1", &a);
	harness_broker_exchange(&E, q.data, q.len, &raw1);
	a.answer = 2; /* console b saw the same step and chose otherwise */
	proto_buf_reset(&q);
	proto_encode_request(&q, PROTO_MSG_diag_answer, "console-b-1", "spec2", &a);
	harness_broker_call_raw(&E, q.data, q.len, &r);
	ck_assert(!r.ok);
	ck_assert_int_eq(r.error.code, PROTO_E_CONFLICT);
	proto_reply_finish(&r);
	/* the retry of console a */
	proto_buf_reset(&q);
	a.answer = 1;
	proto_encode_request(&q, PROTO_MSG_diag_answer, "console-a-1", "spec1", &a);
	harness_broker_exchange(&E, q.data, q.len, &raw2);
	ck_assert_uint_eq(raw1.len, raw2.len);
	ck_assert(memcmp(raw1.data, raw2.data, raw1.len) == 0);
	t = get(t.id);
	ck_assert_str_eq(t.diag_path, "bat_kind:1");
	ck_assert_str_eq(t.diag_by, "spec1");
	proto_buf_finish(&q);
	proto_buf_finish(&raw1);
	proto_buf_finish(&raw2);
}
END_TEST

/* ---------------------------------------------------------------- outcomes */

/* Solved by phone with a truck on the way: the ticket closes as resolved_remote, the truck
 * is free again, the waiting saved is its ETA. */
START_TEST(test_solved_releases_truck)
{
	truck_at("cs-v1", "van", FAR_LAT);
	struct proto_ticket t = new_ticket("battery", "changsha");
	ck_assert_str_eq(t.state, "dispatched");
	struct proto_offer_accept acc = { .id = t.id, .eta_s = 1200, .present = 0 };
	PROTO_STRSET(acc.truck, "cs-v1");
	t = ok("xiangjiang", PROTO_MSG_offer_accept, &acc);
	ck_assert_str_eq(t.state, "accepted");

	t = start(t.id, "check_flow");
	ck_assert(!PROTO_HAS(&t, ticket, diag_hold_until)); /* it has a truck: no hold */
	harness_broker_step(&E, 60000);
	t = answer(t.id, "ck_a", 1);
	t = answer(t.id, "ck_b", 1);
	ck_assert_str_eq(t.state, "resolved_remote");
	ck_assert(PROTO_HAS(&t, ticket, t_closed));
	ck_assert_str_eq(t.diag_state, "solved");
	ck_assert_str_eq(t.diag_node, "ck_solved");
	ck_assert_str_eq(t.diag_path, "ck_a:1,ck_b:1");
	ck_assert_int_eq(t.diag_ended, E.now);
	ck_assert_int_eq(t.diag_saved_s, 1200 - 60);
	ck_assert(!PROTO_HAS(&t, ticket, truck) || t.truck[0] == '\0');
	ck_assert_int_eq(history_has(t.id, "diag_outcome", "spec1", "outcome ck_solved: solved"),
	    1);
	ck_assert_int_eq(code_has(t.id, "diag_outcome", "outcome", "ck_solved"), 1);
	ck_assert_int_eq(code_has(t.id, "diag_outcome", "diag", "solved"), 1);

	/* the van is free: a new call goes to it */
	struct proto_ticket u = new_ticket("battery", "changsha");
	ck_assert_str_eq(u.state, "dispatched");
	ck_assert_str_eq(u.truck, "cs-v1");
	/* an ended session: no answers, no back, a new start is refused on a closed ticket */
	struct proto_diag_answer late = answer_args(t.id, "ck_solved", 1);
	err(PROTO_MSG_diag_answer, &late, PROTO_E_INVALID_STATE, "no diagnosis is running");
	struct proto_diag_start again = start_args(t.id, NULL);
	err(PROTO_MSG_diag_start, &again, PROTO_E_INVALID_STATE, "too late");
}
END_TEST

/* A dispatch outcome sends the kind it names, not the nearer truck of the fault's kind;
 * dispatch.candidates shows that kind only. */
START_TEST(test_dispatch_kind)
{
	struct proto_ticket t = new_ticket("battery", "changsha");
	t = start(t.id, "check_flow");
	truck_at("cs-v1", "van", NEAR_LAT);
	truck_at("cs-f1", "flatbed", FAR_LAT);
	harness_broker_step(&E, 1000);
	ck_assert_str_eq(get(t.id).state, "new"); /* held, though a van is free */

	t = answer(t.id, "ck_a", 2);
	ck_assert_str_eq(t.diag_state, "dispatched");
	ck_assert_str_eq(t.diag_node, "ck_flatbed");
	ck_assert_str_eq(t.need_kind, "flatbed");
	ck_assert(!PROTO_HAS(&t, ticket, diag_hold_until));
	ck_assert_str_eq(t.state, "dispatched");
	ck_assert_str_eq(t.truck, "cs-f1");

	/* given back: the next offer, and the ranking, stay with flatbeds */
	struct proto_offer_decline d = { .id = t.id, .present = 0 };
	PROTO_STRSET(d.truck, "cs-f1");
	PROTO_STRSET(d.reason, "busy");
	t = ok("xiangjiang", PROTO_MSG_offer_decline, &d);
	ck_assert_str_eq(t.state, "new"); /* no other flatbed; the van is not offered */
	truck_at("cs-f2", "flatbed", FAR_LAT + 0.01);
	struct proto_dispatch_candidates c = { .id = t.id, .present = 0 };
	struct proto_reply r;
	harness_broker_call_as(&E, "agent7", PROTO_MSG_dispatch_candidates, &c, &r);
	ck_assert(r.ok);
	ck_assert_uint_ge(r.n_candidates, 1);
	for (size_t i = 0; i < r.n_candidates; i++)
		ck_assert_str_eq(r.candidates[i].kind, "flatbed");
	proto_reply_finish(&r);
	harness_broker_step(&E, 1000);
	t = get(t.id);
	ck_assert_str_eq(t.state, "dispatched");
	ck_assert_str_eq(t.truck, "cs-f2");
	/* an agent may not choose a van for it either */
	struct proto_ticket_assign as = { .id = t.id, .present = 0 };
	PROTO_STRSET(as.truck, "cs-v1");
	harness_broker_fail(&E, "agent7", PROTO_MSG_ticket_assign, &as, PROTO_E_INVALID_STATE,
	    "it needs a flatbed");
}
END_TEST

/* A dispatch outcome on a ticket whose truck is of another kind takes that truck off. */
START_TEST(test_dispatch_other_kind_redispatches)
{
	truck_at("cs-v1", "van", NEAR_LAT);
	truck_at("cs-f1", "flatbed", FAR_LAT);
	struct proto_ticket t = new_ticket("battery", "changsha");
	ck_assert_str_eq(t.truck, "cs-v1");
	t = start(t.id, "check_flow");
	t = answer(t.id, "ck_a", 2);
	ck_assert_str_eq(t.state, "dispatched");
	ck_assert_str_eq(t.truck, "cs-f1");
	ck_assert_int_eq(history_has(t.id, "release", "spec1", "the job needs a flatbed"), 1);
	ck_assert_int_eq(code_has(t.id, "release_need", "need", "flatbed"), 1);
}
END_TEST

/* Escalate: senior, and the hold keeps running until it runs out. */
START_TEST(test_escalate_keeps_hold)
{
	struct proto_ticket t = new_ticket("battery", "changsha");
	t = start(t.id, "check_flow");
	int64_t until = t.diag_hold_until;
	truck_at("cs-v1", "van", NEAR_LAT);
	t = answer(t.id, "ck_a", 3);
	ck_assert_str_eq(t.diag_state, "escalated");
	ck_assert_str_eq(t.diag_node, "ck_senior");
	ck_assert(PROTO_HAS(&t, ticket, senior) && t.senior);
	ck_assert_int_eq(t.diag_hold_until, until);
	ck_assert(!PROTO_HAS(&t, ticket, need_kind));
	ck_assert_str_eq(t.state, "new");
	harness_broker_step(&E, 1000);
	ck_assert_str_eq(get(t.id).state, "new");
	/* a senior starts again on it while the hold runs */
	t = start(t.id, "battery");
	ck_assert_str_eq(t.diag_state, "running");
	ck_assert(t.senior);
}
END_TEST

/* The hold: automatic dispatch waits until diag_hold_until, then offers the ticket. */
START_TEST(test_hold_expires)
{
	struct proto_ticket t = new_ticket("battery", "changsha");
	t = start(t.id, NULL);
	truck_at("cs-v1", "van", NEAR_LAT);
	harness_broker_step(&E, (HOLD_S - 2) * 1000);
	fix_at("cs-v1", NEAR_LAT); /* a fresh fix: old ones are not dispatched */
	harness_broker_step(&E, 1000);
	ck_assert_str_eq(get(t.id).state, "new");
	ck_assert_int_lt(E.now, t.diag_hold_until);
	harness_broker_step(&E, 1000);
	ck_assert_int_ge(E.now, t.diag_hold_until);
	t = get(t.id);
	ck_assert_str_eq(t.state, "dispatched");
	ck_assert_str_eq(t.truck, "cs-v1");
	ck_assert_str_eq(t.diag_state, "running"); /* the session goes on */
	/* the promise clock never paused */
	ck_assert_int_eq(t.promised, t.created + 45 * 60000);
}
END_TEST

/* intake.create with diag_hold: a fault with a flow waits for its diagnosis from the call
 * on; diag.start keeps that hold (it is not extended); one without a flow is not held. */
START_TEST(test_intake_hold)
{
	truck_at("cs-v1", "van", NEAR_LAT);
	struct proto_intake_create a = { .lat = CALL_LAT, .lon = CALL_LON, .present = 0 };
	PROTO_STRSET(a.customer, "王五");
	PROTO_STRSET(a.phone, "13900139000");
	PROTO_STRSET(a.plate, "湘A·11111");
	PROTO_STRSET(a.address, "长沙市芙蓉区五一大道");
	PROTO_STRSET(a.fault, "battery");
	PROTO_STRSET(a.region, "changsha");
	a.diag_hold = true;
	PROTO_SET(&a, intake_create, diag_hold);
	struct proto_ticket t = ok("agent7", PROTO_MSG_intake_create, &a);
	ck_assert_str_eq(t.state, "new");
	ck_assert_int_eq(t.diag_hold_until, t.created + HOLD_S * 1000);
	ck_assert(!PROTO_HAS(&t, ticket, diag_flow));
	harness_broker_step(&E, 30000);
	t = start(t.id, NULL);
	ck_assert_int_eq(t.diag_hold_until, t.created + HOLD_S * 1000);
	ck_assert_int_eq(history_has(t.id, "diag_start", "spec1", "held 90 s more"), 1);
	ck_assert_int_eq(code_has(t.id, "diag_start", "hold_s", "90"), 1);
	fix_at("cs-v1", NEAR_LAT);
	harness_broker_step(&E, (HOLD_S - 30) * 1000);
	t = get(t.id);
	ck_assert_str_eq(t.state, "dispatched");
	ck_assert_str_eq(t.diag_state, "running");

	PROTO_STRSET(a.fault, "fuel"); /* no flow: nothing to wait for */
	struct proto_ticket u = ok("agent7", PROTO_MSG_intake_create, &a);
	ck_assert(!PROTO_HAS(&u, ticket, diag_hold_until));
}
END_TEST

/* Dispatch now and keep diagnosing. */
START_TEST(test_dispatch_now)
{
	struct proto_ticket t = new_ticket("battery", "changsha");
	t = start(t.id, NULL);
	truck_at("cs-v1", "van", NEAR_LAT);
	struct proto_diag_dispatch_now a = { .id = t.id, .present = 0 };
	t = ok("spec1", PROTO_MSG_diag_dispatch_now, &a);
	ck_assert_str_eq(t.state, "dispatched");
	ck_assert_str_eq(t.truck, "cs-v1");
	ck_assert(!PROTO_HAS(&t, ticket, diag_hold_until));
	ck_assert_str_eq(t.diag_state, "running");
	ck_assert_int_eq(history_has(t.id, "diag_dispatch", "spec1", "hold released"), 1);
	ck_assert_int_eq(code_has(t.id, "diag_dispatch_held", NULL, NULL), 1);
	t = answer(t.id, "bat_kind", 1); /* goes on */
	ck_assert_str_eq(t.diag_node, "bat_dash");
	struct proto_diag_dispatch_now none = { .id = 2, .present = 0 };
	new_ticket("tyre", "changsha");
	err(PROTO_MSG_diag_dispatch_now, &none, PROTO_E_INVALID_STATE, "no diagnosis");
}
END_TEST

/* The safety key at any step: the stop ends the session and dispatches at once. */
START_TEST(test_safety)
{
	struct proto_ticket t = new_ticket("tyre", "changsha"); /* no truck yet: no offer */
	ck_assert_str_eq(t.state, "new");
	struct proto_diag_safety s = safety_args(t.id, "live_lane");
	err(PROTO_MSG_diag_safety, &s, PROTO_E_INVALID_STATE, "no diagnosis");
	t = start(t.id, NULL);
	struct proto_diag_safety bad = safety_args(t.id, "no_stop");
	err(PROTO_MSG_diag_safety, &bad, PROTO_E_BAD_REQUEST, "no safety stop");
	const char *first = t.diag_node;
	char at[64];
	snprintf(at, sizeof at, "at %s: live_lane", first);
	t = ok("spec1", PROTO_MSG_diag_safety, &s);
	ck_assert_str_eq(t.diag_state, "dispatched");
	ck_assert_str_eq(t.diag_node, "live_lane");
	ck_assert_str_eq(t.need_kind, "flatbed");
	ck_assert(strstr(t.diag_path, "!live_lane") != NULL);
	ck_assert(!PROTO_HAS(&t, ticket, diag_hold_until));
	ck_assert_str_eq(t.state, "new"); /* no flatbed yet */
	ck_assert_int_eq(history_has(t.id, "diag_safety", "spec1", at), 1);
	ck_assert_int_eq(history_has(t.id, "diag_outcome", "spec1", "stop live_lane"), 1);
	ck_assert_int_eq(code_has(t.id, "diag_safety", "stop", "live_lane"), 1);
	ck_assert_int_eq(code_has(t.id, "diag_outcome", "stop", "live_lane"), 1);
	truck_at("cs-v0", "van", NEAR_LAT); /* serves tyres, but not the kind needed */
	truck_at("cs-f1", "flatbed", FAR_LAT);
	harness_broker_step(&E, 1000);
	t = get(t.id);
	ck_assert_str_eq(t.state, "dispatched");
	ck_assert_str_eq(t.truck, "cs-f1");

	/* an escalating stop in an automatic region: senior, and a truck at once */
	struct proto_ticket_cancel cn = { .id = t.id, .present = 0 };
	PROTO_STRSET(cn.reason, "test");
	ok("agent7", PROTO_MSG_ticket_cancel, &cn); /* cs-f1 is free again; cs-v0 was */
	struct proto_ticket u = new_ticket("battery", "changsha");
	ck_assert_str_eq(u.truck, "cs-v0");
	u = start(u.id, NULL);
	u = answer(u.id, "bat_kind", 1);
	struct proto_diag_safety fire = safety_args(u.id, "fire");
	u = ok("spec1", PROTO_MSG_diag_safety, &fire);
	ck_assert_str_eq(u.diag_state, "escalated");
	ck_assert(u.senior);
	ck_assert_str_eq(u.diag_path, "bat_kind:1,!fire");
	ck_assert_str_eq(u.state, "dispatched");
	ck_assert_str_eq(u.truck, "cs-v0");
}
END_TEST

START_TEST(test_abort)
{
	struct proto_ticket t = new_ticket("battery", "changsha");
	truck_at("cs-v1", "van", NEAR_LAT);
	t = start(t.id, NULL);
	t = answer(t.id, "bat_kind", 1);
	struct proto_diag_abort blank = abort_args(t.id, "  ");
	err(PROTO_MSG_diag_abort, &blank, PROTO_E_BAD_REQUEST, "needs a reason");
	struct proto_diag_abort a = abort_args(t.id, "caller hung up");
	t = ok("spec1", PROTO_MSG_diag_abort, &a);
	ck_assert_str_eq(t.diag_state, "aborted");
	ck_assert_str_eq(t.diag_node, "bat_dash");
	ck_assert(PROTO_HAS(&t, ticket, diag_ended));
	ck_assert(!PROTO_HAS(&t, ticket, diag_hold_until));
	ck_assert_str_eq(t.state, "dispatched"); /* the hold is gone: dispatched at once */
	ck_assert_int_eq(history_has(t.id, "diag_abort", "spec1", "at bat_dash: caller hung up"),
	    1);
	ck_assert_int_eq(code_has(t.id, "diag_abort", "text", "caller hung up"), 1);
	err(PROTO_MSG_diag_abort, &a, PROTO_E_INVALID_STATE, "no diagnosis");
	/* a new session after the end */
	t = start(t.id, NULL);
	ck_assert_str_eq(t.diag_state, "running");
	ck_assert_str_eq(t.diag_path, "");
	ck_assert(!PROTO_HAS(&t, ticket, diag_ended));
	ck_assert(!PROTO_HAS(&t, ticket, diag_hold_until)); /* it has a truck now */
}
END_TEST

/* ---------------------------------------------------------------- restart */

START_TEST(test_restart_mid_session)
{
	struct proto_ticket t = new_ticket("battery", "changsha");
	t = start(t.id, NULL);
	t = answer(t.id, "bat_kind", 1);
	int64_t until = t.diag_hold_until;

	harness_broker_restart(&E, data_dir);
	t = get(t.id);
	ck_assert_str_eq(t.diag_state, "running");
	ck_assert_str_eq(t.diag_node, "bat_dash");
	ck_assert_str_eq(t.diag_path, "bat_kind:1");
	ck_assert_int_eq(t.diag_hold_until, until);
	/* the hold still holds after the restart */
	truck_at("cs-v1", "van", NEAR_LAT);
	harness_broker_step(&E, 1000);
	ck_assert_str_eq(get(t.id).state, "new");
	/* the session goes on where it was; a stale node is still a conflict */
	struct proto_diag_answer stale = answer_args(t.id, "bat_kind", 1);
	err(PROTO_MSG_diag_answer, &stale, PROTO_E_CONFLICT, "is at bat_dash");
	t = answer(t.id, "bat_dash", 1);
	t = answer(t.id, "bat_left_on", 2);
	t = answer(t.id, "bat_clamps", 2);
	ck_assert_str_eq(t.diag_node, "van_battery");
	ck_assert_str_eq(t.need_kind, "van");
	ck_assert_str_eq(t.state, "dispatched");
	ck_assert_int_eq(history_has(t.id, "diag_answer", "spec1", ""), 4);
}
END_TEST

/* ---------------------------------------------------------------- stats.kpi */

START_TEST(test_kpi)
{
	struct proto_kpi k = kpi(NULL);
	ck_assert_int_eq(k.tickets, 0);
	ck_assert(k.phone_rate == 0);

	/* 1: solved by phone */
	struct proto_ticket s = new_ticket("battery", "changsha");
	start(s.id, "check_flow");
	harness_broker_step(&E, 90000);
	answer(s.id, "ck_a", 1);
	s = answer(s.id, "ck_b", 1);
	ck_assert_str_eq(s.state, "resolved_remote");
	ck_assert_int_gt(s.diag_saved_s, 0); /* no truck: the rest of the promise */
	/* 2: cancelled while diagnosed: the session ends with it, never solved */
	struct proto_ticket c = new_ticket("battery", "changsha");
	start(c.id, NULL);
	struct proto_ticket_cancel cn = { .id = c.id, .present = 0 };
	PROTO_STRSET(cn.reason, "solved it himself");
	c = ok("agent7", PROTO_MSG_ticket_cancel, &cn);
	ck_assert_str_eq(c.diag_state, "aborted");
	ck_assert(!PROTO_HAS(&c, ticket, diag_hold_until));
	ck_assert_int_eq(history_has(c.id, "diag_abort", "agent7", "the ticket is cancelled"), 1);
	ck_assert_int_eq(code_has(c.id, "diag_closed", "state", "cancelled"), 1);
	/* 3: dispatched directly and completed on time */
	truck_at("cs-v1", "van", NEAR_LAT);
	struct proto_ticket d = new_ticket("tyre", "changsha");
	ck_assert_str_eq(d.state, "dispatched");
	static const char *steps[] = { "accepted", "en_route", "on_scene", "completed" };
	for (size_t i = 0; i < ARRAY_LEN(steps); i++) {
		struct proto_ticket_set_state st = { .id = d.id, .present = 0 };
		PROTO_STRSET(st.state, steps[i]);
		if (i == 0) {
			st.eta_s = 600;
			PROTO_SET(&st, ticket_set_state, eta_s);
		}
		ok("cs-v1", PROTO_MSG_ticket_set_state, &st);
		if (i + 1 < ARRAY_LEN(steps))
			harness_broker_step(&E, 300000);
	}
	/* 4: open, offered to the van at once, then diagnosed: running */
	fix_at("cs-v1", NEAR_LAT);
	struct proto_ticket o = new_ticket("battery", "changsha");
	ck_assert_str_eq(o.state, "dispatched");
	start(o.id, NULL);
	harness_broker_step(&E, 1000);

	for (int round = 0; round < 2; round++) {
		k = kpi(NULL);
		ck_assert_int_eq(k.tickets, 4);
		ck_assert_int_eq(k.open, 1);
		ck_assert_int_eq(k.completed, 1);
		ck_assert_int_eq(k.resolved_remote, 1);
		ck_assert_int_eq(k.cancelled, 1);
		ck_assert_int_eq(k.closed, 2);
		ck_assert(k.phone_rate == 0.5);
		ck_assert_int_eq(k.diag_sessions, 3);
		ck_assert_int_eq(k.diag_running, 1);
		ck_assert_int_eq(k.diag_solved, 1);
		ck_assert_int_eq(k.diag_aborted, 1);
		ck_assert_int_eq(k.diag_escalated, 0);
		ck_assert_int_eq(k.diag_safety, 0);
		ck_assert_int_eq(k.diag_then_dispatched, 1); /* ticket 4 */
		ck_assert_int_eq(k.dispatched_direct, 1);
		ck_assert_int_eq(k.diag_median_s, 90 / 2); /* 90 s and 0 s */
		ck_assert_int_eq(k.saved_wait_s, s.diag_saved_s);
		ck_assert_int_eq(k.arrived, 1);
		ck_assert_int_eq(k.mean_response_s, 600);
		ck_assert(k.within_promise == 1.0);
		ck_assert_int_ge(k.now, E.now);
		/* the counts come from the store after a restart, closed tickets included */
		if (round == 0)
			harness_broker_restart(&E, data_dir);
	}
	int64_t later = E.now + 1;
	k = kpi(&later);
	ck_assert_int_eq(k.tickets, 0);
	ck_assert_int_eq(k.since, later);
}
END_TEST

/* ---------------------------------------------------------------- invalid flows */

START_TEST(test_invalid_flows)
{
	static const char broken[] =
		"[flow]\n"
		"id = broken\n"
		"faults = battery\n"
		"title = Broken\n"
		"title_zh = 坏的\n"
		"start = br_a\n"
		"success_rate = 0.1\n"
		"[node]\n"
		"id = br_a\n"
		"kind = instruction\n"
		"text = Do it\n"
		"text_zh = 做\n"
		"[answer]\n"
		"label = Done\n"
		"label_zh = 好\n"
		"next = nowhere\n";
	make_data("broken.ini", broken);
	struct broker_opts o = {
		.api = E.api, .pub = E.pub, .feed = E.feed, .db = E.db, .data_dir = data_dir,
		.sync = STORE_SYNC_NORMAL, .clock = BROKER_CLOCK_MANUAL, .control = E.control,
		.clock_start = HARNESS_BROKER_T0,
	};
	char *cause = NULL;
	struct broker *b = broker_create(E.ctx, &o, &cause);
	ck_assert_ptr_null(b);
	ck_assert_ptr_nonnull(cause);
	ck_assert_msg(strstr(cause, "broken.ini:13:") != NULL, "cause: %s", cause);
	ck_assert_msg(strstr(cause, "nowhere") != NULL, "cause: %s", cause);
	free(cause);
}
END_TEST

static Suite *
diag_suite(void)
{
	Suite *s = suite_create("diag");
	TCase *tc;

	tc = harness_broker_tcase(s, "sessions", setup, teardown);
	tcase_add_test(tc, test_start_answer_back);
	tcase_add_test(tc, test_two_consoles);
	tcase_add_test(tc, test_safety);
	tcase_add_test(tc, test_abort);
	tcase_add_test(tc, test_dispatch_now);

	tc = harness_broker_tcase(s, "outcomes", setup, teardown);
	tcase_add_test(tc, test_solved_releases_truck);
	tcase_add_test(tc, test_dispatch_kind);
	tcase_add_test(tc, test_dispatch_other_kind_redispatches);
	tcase_add_test(tc, test_escalate_keeps_hold);
	tcase_add_test(tc, test_hold_expires);
	tcase_add_test(tc, test_intake_hold);

	tc = harness_broker_tcase(s, "durable", setup, teardown);
	tcase_add_test(tc, test_restart_mid_session);
	tcase_add_test(tc, test_kpi);

	tc = harness_broker_tcase(s, "start-up", setup_bare, teardown);
	tcase_add_test(tc, test_invalid_flows);
	return s;
}

int
main(void)
{
	return harness_broker_main(diag_suite(), base_dir);
}
