/* check-broker.c: the real broker (src/broker/broker.h) run in a thread inside the test, on ipc://
 * endpoints and an SQLite file in a fresh temporary directory, with the reference data of
 * the source tree. The test talks to it as clients do: a DEALER for requests, a SUB for the
 * live streams and a PUSH for the suppliers' feed. Every wait is a zmq_poll with a deadline.
 * The harness (broker, clients, waits, calls) is tests/harness-broker.c, in strict mode.
 * Broker time is manual: it moves when a test steps it, and the periodic work (offer
 * time-outs, dispatch of waiting tickets, warnings) runs at each step and only then.
 *
 * Every message read from the SUB is checked on the way: same epoch as the broker's, each
 * entity stream's seq exactly one more than the last (and equal to the entity's ver), each
 * heartbeat's seq one more than the last and its per-stream seqs equal to the last seen. */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include "broker-int.h"
#include "broker.h"
#include "proto.h"
#include "util.h"

#include "bad-frames.h"
#include "harness-broker.h"

#ifndef SOURCE_DATA_DIR
#error "compile with -DSOURCE_DATA_DIR=\"/path/to/data\""
#endif

#define WAIT_MS HARNESS_BROKER_WAIT_MS

/* Wuyi Square, Changsha, and two points 1 km and 3 km north of it. */
#define CALL_LAT 28.1960
#define CALL_LON 112.9768
#define NEAR_LAT 28.2050
#define FAR_LAT 28.2230

/* Every test's directory is made in this one, which main removes whatever happened. */
static char base_dir[] = "/tmp/rd-check-broker-XXXXXX";

static struct harness_broker E;

/* ---------------------------------------------------------------- broker and clients */

/* The broker's counters, read once its thread has stopped. */
static struct broker_stats
halt_and_count(void)
{
	struct broker_stats st;
	harness_broker_halt(&E);
	broker_stats(E.b, &st);
	return st;
}

/* Set up the directory and context only: the test makes its own broker. */
static void
setup_bare(void)
{
	struct harness_broker_opts o = {
		.base_dir = base_dir, .log_env = "CHECK_BROKER_LOG", .cmd_prefix = "check",
		.strict = true,
	};
	harness_broker_setup(&E, &o);
}

/* For tests that only use the DEALER: no wait for a heartbeat. */
static void
setup_rpc(void)
{
	setup_bare();
	harness_broker_start(&E, SOURCE_DATA_DIR);
	harness_broker_clients_open(&E);
}

static void
setup(void)
{
	setup_rpc();
	harness_broker_sub_sync(&E);
}

static void
teardown(void)
{
	harness_broker_teardown(&E);
}

/* ---------------------------------------------------------------- the SUB side */

typedef bool (*pub_match)(const struct proto_pub *p, const void *arg);

/* Read published messages until one matches; fail after WAIT_MS. */
static void
expect_pub(struct proto_pub *out, pub_match match, const void *arg, const char *what)
{
	int64_t until = rd_mono_ms() + WAIT_MS;
	for (;;) {
		ck_assert_msg(harness_broker_next_pub(&E, out, until), "no %s published", what);
		if (match(out, arg))
			return;
	}
}

static bool
is_hb(const struct proto_pub *p, const void *arg)
{
	(void)arg;
	return p->topic == PROTO_TOPIC_HB;
}

struct ticket_want {
	int64_t id;
	const char *state;
};

static bool
is_ticket(const struct proto_pub *p, const void *arg)
{
	const struct ticket_want *w = arg;
	return p->topic == PROTO_TOPIC_TICKET && p->u.ticket.id == w->id &&
	    (w->state == NULL || strcmp(p->u.ticket.state, w->state) == 0);
}

struct truck_want {
	const char *id;
	const char *status;
	int64_t fix_ts; /* > 0: a position with this fix time */
};

static bool
is_truck(const struct proto_pub *p, const void *arg)
{
	const struct truck_want *w = arg;
	return p->topic == PROTO_TOPIC_TRUCK && strcmp(p->u.truck.id, w->id) == 0 &&
	    (w->status == NULL || strcmp(p->u.truck.status, w->status) == 0) &&
	    (w->fix_ts <= 0 || (PROTO_HAS(&p->u.truck, truck, fix_ts) &&
	    p->u.truck.fix_ts == w->fix_ts));
}

struct warning_want {
	int64_t ticket;
	const char *kind;
	bool cleared;
};

static bool
is_warning(const struct proto_pub *p, const void *arg)
{
	const struct warning_want *w = arg;
	return p->topic == PROTO_TOPIC_WARNING && p->u.warning.ticket == w->ticket &&
	    strcmp(p->u.warning.kind, w->kind) == 0 && p->u.warning.cleared == w->cleared;
}

/* ---------------------------------------------------------------- the DEALER side */

/* Calls as agent7. */
static void
call(enum proto_msg_id op, const void *args, struct proto_reply *r)
{
	harness_broker_call_as(&E, "agent7", op, args, r);
}

/* A call that must succeed with a ticket, copied to t. */
static void
call_ticket(enum proto_msg_id op, const void *args, struct proto_ticket *t)
{
	*t = harness_broker_ok(&E, "agent7", op, args);
}

/* A call that must fail with code and a message containing msg. */
static void
call_error(enum proto_msg_id op, const void *args, enum proto_err code, const char *msg)
{
	harness_broker_fail(&E, "agent7", op, args, code, msg);
}

static struct proto_hello_result
hello(const char *user)
{
	struct proto_hello h = { .present = 0 };
	struct proto_hello_result res;
	struct proto_reply r;

	PROTO_STRSET(h.client, "check-broker");
	PROTO_SET(&h, hello, client);
	harness_broker_call_as(&E, user, PROTO_MSG_hello, &h, &r);
	ck_assert_msg(r.ok, "hello refused: %s", r.error.message);
	res = r.hello;
	proto_reply_finish(&r);
	return res;
}

/* ---------------------------------------------------------------- requests and feed */

static struct proto_intake_create
intake(double lat, double lon, const char *fault, const char *region)
{
	struct proto_intake_create a = { .lat = lat, .lon = lon, .present = 0 };

	PROTO_STRSET(a.customer, "张三");
	PROTO_STRSET(a.phone, "+86 138-0013-8000");
	PROTO_STRSET(a.plate, "湘A·12345");
	PROTO_STRSET(a.model, "比亚迪 秦");
	PROTO_SET(&a, intake_create, model);
	PROTO_STRSET(a.address, "长沙市芙蓉区五一大道");
	PROTO_STRSET(a.fault, fault);
	PROTO_STRSET(a.region, region);
	return a;
}

static struct proto_ticket
create_ticket(const char *fault, const char *region, double lat, double lon)
{
	struct proto_intake_create a = intake(lat, lon, fault, region);
	struct proto_ticket t;
	call_ticket(PROTO_MSG_intake_create, &a, &t);
	return t;
}

static struct proto_ticket_set_state
state_args(int64_t id, const char *state, const char *reason, int64_t eta_s)
{
	struct proto_ticket_set_state a = { .id = id, .present = 0 };

	PROTO_STRSET(a.state, state);
	if (reason != NULL) {
		PROTO_STRSET(a.reason, reason);
		PROTO_SET(&a, ticket_set_state, reason);
	}
	if (eta_s >= 0) {
		a.eta_s = eta_s;
		PROTO_SET(&a, ticket_set_state, eta_s);
	}
	return a;
}

/* The supplier announces a truck (or changes its status); wait until it is published. */
static void
feed_status(const char *truck, const char *status, const char *kind, const char *region)
{
	struct proto_status s = { .ts = E.now, .present = 0 };
	struct truck_want w = { truck, status, 0 };
	struct proto_pub p;

	PROTO_STRSET(s.truck, truck);
	PROTO_STRSET(s.status, status);
	if (kind != NULL) {
		PROTO_STRSET(s.kind, kind);
		PROTO_SET(&s, status, kind);
	}
	if (region != NULL) {
		PROTO_STRSET(s.region, region);
		PROTO_SET(&s, status, region);
	}
	PROTO_STRSET(s.supplier, "xiangjiang");
	PROTO_SET(&s, status, supplier);
	harness_broker_push_feed(&E, PROTO_MSG_status, &s);
	expect_pub(&p, is_truck, &w, "truck status");
}

/* Send a GPS fix stamped with broker time (a ms later than the last one, so that each
 * fix's publication can be told apart); returns its time. */
static int64_t
push_fix(const char *truck, double lat, double lon)
{
	static int64_t ts;
	struct proto_fix x = { .lat = lat, .lon = lon, .present = 0 };

	ts = ts < E.now ? E.now : ts + 1;
	x.ts = ts;
	PROTO_STRSET(x.truck, truck);
	x.speed_kmh = 0;
	PROTO_SET(&x, fix, speed_kmh);
	harness_broker_push_feed(&E, PROTO_MSG_fix, &x);
	return x.ts;
}

/* A GPS fix; wait until the broker publishes the truck at that position. */
static void
feed_fix(const char *truck, double lat, double lon)
{
	struct truck_want w = { truck, NULL, 0 };
	struct proto_pub p;

	w.fix_ts = push_fix(truck, lat, lon);
	expect_pub(&p, is_truck, &w, "truck position");
	ck_assert(p.u.truck.lat == lat && p.u.truck.lon == lon);
}

/* A van of changsha, available, at lat (on the call's meridian). */
static void
van_at(const char *id, double lat)
{
	feed_status(id, "available", "van", "changsha");
	feed_fix(id, lat, CALL_LON);
}

/* ---------------------------------------------------------------- hello */

START_TEST(test_hello)
{
	struct proto_hello_result h = hello(NULL);

	harness_broker_sub_sync(&E);

	ck_assert_str_eq(h.server, "rescuedeskd");
	ck_assert_str_ne(h.version, "");
	ck_assert_int_eq(h.proto, 1);
	ck_assert_int_eq(h.epoch, 1);
	ck_assert_int_eq(h.epoch, E.epoch);
	ck_assert_str_eq(h.user, "anonymous");
	ck_assert_int_eq(h.time_scale, 1);
	ck_assert_int_gt(h.now, 0);
	ck_assert(PROTO_HAS(&h, hello_result, now));
	h = hello("王五");
	ck_assert_str_eq(h.user, "王五");
}
END_TEST

/* ---------------------------------------------------------------- malformed frames */

START_TEST(test_bad_frame)
{
	const struct bad_frame *f = &bad_frames[_i];
	struct proto_buf b;
	struct proto_reply r;
	size_t len;

	if (f->code == PROTO_E_TOO_LARGE)
		return; /* over ipc libzmq drops the peer first: test_far_too_large */
	proto_buf_init(&b);
	const char *bytes = bad_frame_bytes(f, &b, &len);
	harness_broker_call_raw(&E, bytes, len, &r);
	ck_assert_msg(!r.ok, "%s: accepted", f->name);
	ck_assert_msg(r.error.code == f->code, "%s: %s, expected %s", f->name,
	    proto_err_name(r.error.code), proto_err_name(f->code));
	ck_assert_msg(strstr(r.error.message, f->msg) != NULL, "%s: '%s' lacks '%s'", f->name,
	    r.error.message, f->msg);
	ck_assert_msg(strcmp(r.cmd_id, f->cmd_id) == 0, "%s: cmd_id '%s', expected '%s'", f->name,
	    r.cmd_id, f->cmd_id);
	proto_reply_finish(&r);
	proto_buf_finish(&b);

	/* and the broker still serves, this client included */
	struct proto_hello_result h = hello(NULL);
	ck_assert_int_eq(h.epoch, 1);
}
END_TEST

/* One byte past the frame limit (PROTO_MAX_REQUEST, PROTOCOL.md 2.1), libzmq drops the
 * connection over ipc and tcp without a reply (issue 12: it used to take 16 times that and
 * answer too_large); the DEALER reconnects by itself and the broker keeps serving. */
START_TEST(test_far_too_large)
{
	struct proto_buf b, q;
	struct proto_reply r;
	struct proto_hello h = { .present = 0 };

	proto_buf_init(&b);
	proto_buf_init(&q);
	padded_get(&b, (size_t)PROTO_MAX_REQUEST + 1);
	ck_assert_int_eq(zmq_send(E.dealer, b.data, b.len, 0), (int)b.len);
	proto_encode_request(&q, PROTO_MSG_hello, "after", NULL, &h);
	for (int tries = 0;; tries++) {
		/* a dropped connection may lose what was sent before the DEALER noticed: retry
		 * with the same cmd_id, as clients do */
		ck_assert_int_lt(tries, 20);
		ck_assert_int_eq(zmq_send(E.dealer, q.data, q.len, 0), (int)q.len);
		if (!harness_broker_wait_in(E.dealer, rd_mono_ms() + 250))
			continue;
		zmq_msg_t m;
		struct proto_error err;
		zmq_msg_init(&m);
		ck_assert_int_ge(zmq_msg_recv(&m, E.dealer, 0), 0);
		ck_assert_int_eq(proto_decode_reply(zmq_msg_data(&m), zmq_msg_size(&m), &r, &err), 0);
		zmq_msg_close(&m);
		ck_assert_str_eq(r.cmd_id, "after");
		ck_assert(r.ok);
		proto_reply_finish(&r);
		break;
	}
	proto_buf_finish(&b);
	proto_buf_finish(&q);
	struct broker_stats st = halt_and_count();
	ck_assert_uint_eq(st.bad_requests, 0); /* it never reached the decoder */
}
END_TEST

/* A REQ client (its envelope has the empty delimiter frame) is answered too. */
START_TEST(test_req_client)
{
	void *req = harness_broker_socket(&E, ZMQ_REQ, E.api);
	struct proto_hello h = { .present = 0 };
	struct proto_buf q;
	struct proto_reply r;
	struct proto_error err;
	zmq_msg_t m;

	proto_buf_init(&q);
	for (int i = 0; i < 3; i++) {
		proto_buf_reset(&q);
		proto_encode_request(&q, PROTO_MSG_hello, i == 1 ? "" : "req-1", "agent9", &h);
		ck_assert_int_eq(zmq_send(req, q.data, q.len, 0), (int)q.len);
		ck_assert(harness_broker_wait_in(req, rd_mono_ms() + WAIT_MS));
		zmq_msg_init(&m);
		ck_assert_int_ge(zmq_msg_recv(&m, req, 0), 0);
		ck_assert(!zmq_msg_more(&m));
		ck_assert_int_eq(proto_decode_reply(zmq_msg_data(&m), zmq_msg_size(&m), &r, &err), 0);
		zmq_msg_close(&m);
		ck_assert_int_eq(r.ok, i != 1);
		if (r.ok)
			ck_assert_str_eq(r.hello.user, "agent9");
		proto_reply_finish(&r);
	}
	proto_buf_finish(&q);
	zmq_close(req);

	/* a DEALER request of several frames: the last one is the body */
	proto_buf_reset(&q);
	proto_encode_request(&q, PROTO_MSG_hello, "multi", NULL, &h);
	ck_assert_int_eq(zmq_send(E.dealer, "", 0, ZMQ_SNDMORE), 0);
	ck_assert_int_eq(zmq_send(E.dealer, q.data, q.len, 0), (int)q.len);
	ck_assert(harness_broker_wait_in(E.dealer, rd_mono_ms() + WAIT_MS));
	zmq_msg_init(&m);
	ck_assert_int_ge(zmq_msg_recv(&m, E.dealer, 0), 0);
	ck_assert_uint_eq(zmq_msg_size(&m), 0); /* the delimiter comes back */
	ck_assert(zmq_msg_more(&m));
	ck_assert_int_ge(zmq_msg_recv(&m, E.dealer, 0), 0);
	ck_assert_int_eq(proto_decode_reply(zmq_msg_data(&m), zmq_msg_size(&m), &r, &err), 0);
	zmq_msg_close(&m);
	ck_assert(r.ok);
	ck_assert_str_eq(r.cmd_id, "multi");
	proto_reply_finish(&r);
	proto_buf_finish(&q);
}
END_TEST

/* All the malformed frames back to back on one connection, then a hello. */
START_TEST(test_bad_frames_in_a_row)
{
	struct proto_buf b;
	struct proto_reply r;
	size_t len;
	int n = 0;

	proto_buf_init(&b);
	for (size_t i = 0; i < ARRAY_LEN(bad_frames); i++) {
		if (bad_frames[i].code == PROTO_E_TOO_LARGE)
			continue; /* test_far_too_large */
		const char *bytes = bad_frame_bytes(&bad_frames[i], &b, &len);
		harness_broker_call_raw(&E, bytes, len, &r);
		ck_assert(!r.ok);
		ck_assert_int_eq(r.error.code, bad_frames[i].code);
		proto_reply_finish(&r);
		n++;
	}
	ck_assert_int_ge(n, 30);
	proto_buf_finish(&b);
	struct proto_hello_result h = hello("agent7");
	ck_assert_int_eq(h.epoch, 1);

	struct broker_stats st = halt_and_count();
	ck_assert_uint_eq(st.bad_requests, (uint64_t)n);
	ck_assert_uint_eq(st.requests, (uint64_t)n + 1);
	ck_assert_uint_eq(st.tickets, 0);
}
END_TEST

/* Garbage on the feed is counted and dropped; the feed keeps working. */
START_TEST(test_feed_garbage)
{
	static const struct {
		const char *bytes;
		size_t len;
	} junk[] = {
		{ "", 0 },
		{ "\xc1", 1 },
		{ "\x81\xa4" "type", 6 },
		{ "\x82\xa1" "v" "\x01\xa4" "type" "\xa3" "gps", 13 },
	};
	struct proto_status st = { .ts = 1, .present = 0 };
	struct proto_fix fx = { .lat = 28.2, .lon = 112.9, .ts = 1, .present = 0 };

	for (size_t i = 0; i < ARRAY_LEN(junk); i++)
		ck_assert_int_eq(zmq_send(E.push, junk[i].bytes, junk[i].len, 0), (int)junk[i].len);
	/* a multipart message, a fix of a truck nobody announced, a new truck without a kind,
	 * a status a supplier may not set */
	ck_assert_int_eq(zmq_send(E.push, "a", 1, ZMQ_SNDMORE), 1);
	ck_assert_int_eq(zmq_send(E.push, "b", 1, 0), 1);
	PROTO_STRSET(fx.truck, "GHOST");
	harness_broker_push_feed(&E, PROTO_MSG_fix, &fx);
	PROTO_STRSET(st.truck, "NOKIND");
	PROTO_STRSET(st.status, "available");
	harness_broker_push_feed(&E, PROTO_MSG_status, &st);
	PROTO_STRSET(st.kind, "van");
	PROTO_SET(&st, status, kind);
	PROTO_STRSET(st.status, "on_scene");
	harness_broker_push_feed(&E, PROTO_MSG_status, &st);
	harness_broker_sub_sync(&E);
	feed_status("HN-A-001", "available", "van", "changsha");

	struct broker_stats bs = halt_and_count();
	ck_assert_uint_eq(bs.bad_feed, ARRAY_LEN(junk) + 4);
	ck_assert_uint_eq(bs.trucks, 1);
}
END_TEST

static int
count_substr(const char *text, const char *what)
{
	int n = 0;
	for (const char *q = text; (q = strstr(q, what)) != NULL; q++)
		n++;
	return n;
}

/* A fix stamped more than 30 s ahead of broker time is refused, counted per truck and
 * supplier, and logged: one line per supplier (not one per fix) with the skew. A fix at
 * the limit is taken at its arrival time, and counted and logged too. */
START_TEST(test_feed_future_fix)
{
	char *text = NULL;
	size_t len = 0;
	FILE *log = open_memstream(&text, &len);
	struct proto_status st = { .ts = E.now, .present = 0 };
	struct proto_fix fx = { .lat = NEAR_LAT, .lon = CALL_LON, .present = 0 };
	static const struct {
		const char *truck;
		int64_t ahead_ms;
	} fixes[] = {
		{ "HN-A-001", 30001 }, { "HN-A-001", 40000 }, { "HN-B-001", 90000 },
		{ "HN-A-001", 61200 }, { "HN-K-001", 31000 },
	};

	ck_assert_ptr_nonnull(log);
	log_set(log, LOG_INFO);
	harness_broker_sub_sync(&E);
	feed_status("HN-A-001", "available", "van", "changsha");
	feed_status("HN-B-001", "available", "van", "changsha");
	PROTO_STRSET(st.truck, "HN-K-001");
	PROTO_STRSET(st.status, "available");
	PROTO_STRSET(st.kind, "van");
	PROTO_STRSET(st.supplier, "kaifu");
	PROTO_STRSET(st.region, "changsha");
	st.present = (uint64_t)1 << PROTO_status_kind | (uint64_t)1 << PROTO_status_supplier |
	    (uint64_t)1 << PROTO_status_region;
	harness_broker_push_feed(&E, PROTO_MSG_status, &st);
	for (size_t i = 0; i < ARRAY_LEN(fixes); i++) {
		PROTO_STRSET(fx.truck, fixes[i].truck);
		fx.ts = E.now + fixes[i].ahead_ms;
		harness_broker_push_feed(&E, PROTO_MSG_fix, &fx);
	}
	/* the same pipe: once this one is published, the broker has seen those before it */
	struct truck_want w = { "HN-K-001", NULL, E.now };
	struct proto_pub p;
	PROTO_STRSET(fx.truck, "HN-K-001");
	fx.ts = E.now + 30000;
	harness_broker_push_feed(&E, PROTO_MSG_fix, &fx);
	expect_pub(&p, is_truck, &w, "a fix at the limit, at its arrival time");

	struct broker_stats bs = halt_and_count();
	ck_assert_uint_eq(bs.future_fixes, 5);
	ck_assert_uint_eq(bs.bad_feed, 5);
	ck_assert_uint_eq(bs.fixes, 1);
	ck_assert_uint_eq(bs.skewed_fixes, 1);
	/* within the minute: xiangjiang's first refusal at once (its next three wait), and
	 * kaifu's own line (its fix at the limit waits) */
	fflush(log);
	ck_assert_int_eq(count_substr(text, "fixes stamped ahead"), 2);
	ck_assert_msg(strstr(text, "supplier xiangjiang (changsha): 1 fixes stamped ahead of "
	    "broker time, 1 refused as more than 30 s ahead, the others taken at arrival; up to "
	    "30 s ahead (truck HN-A-001, 1 ahead); 1 ahead in all") != NULL, "%s", text);
	ck_assert_msg(strstr(text, "supplier kaifu (changsha): 1 fixes stamped ahead of broker "
	    "time, 1 refused as more than 30 s ahead, the others taken at arrival; up to 31 s "
	    "ahead (truck HN-K-001, 1 ahead); 1 ahead in all") != NULL, "%s", text);
	/* a minute later the rest of each, with the furthest ahead */
	broker_feed_flush(E.b, rd_mono_ms() + 60000);
	fflush(log);
	ck_assert_int_eq(count_substr(text, "fixes stamped ahead"), 4);
	ck_assert_msg(strstr(text, "supplier xiangjiang (changsha): 3 fixes stamped ahead of "
	    "broker time, 3 refused as more than 30 s ahead, the others taken at arrival; up to "
	    "90 s ahead (truck HN-B-001, 1 ahead); 4 ahead in all") != NULL, "%s", text);
	ck_assert_msg(strstr(text, "supplier kaifu (changsha): 1 fixes stamped ahead of broker "
	    "time, 0 refused as more than 30 s ahead, the others taken at arrival; up to 30 s "
	    "ahead (truck HN-K-001, 2 ahead); 2 ahead in all") != NULL, "%s", text);
	log_set(NULL, LOG_INFO);
	fclose(log);
	free(text);
}
END_TEST

/* Issue 12, defect 4: a fix stamped 290 s ahead must not freeze the truck as fresh. It is
 * refused, and the next correct fix (10 s later) is applied, not ignored as older. One
 * stamped 20 s ahead is taken at its arrival time, so the truck's GPS age is not negative,
 * and again the next correct fix is applied. */
START_TEST(test_feed_skewed_fix)
{
	struct proto_fix fx = { .lat = NEAR_LAT, .lon = CALL_LON, .present = 0 };
	struct truck_want w = { "HN-A-001", NULL, 0 };
	struct proto_pub p;

	harness_broker_sub_sync(&E);
	feed_status("HN-A-001", "available", "van", "changsha");
	PROTO_STRSET(fx.truck, "HN-A-001");
	fx.ts = E.now + 290000;
	harness_broker_push_feed(&E, PROTO_MSG_fix, &fx);
	harness_broker_step(&E, 10000);
	fx.ts = E.now;
	fx.lat = FAR_LAT;
	harness_broker_push_feed(&E, PROTO_MSG_fix, &fx);
	w.fix_ts = E.now;
	expect_pub(&p, is_truck, &w, "the correct fix after one 290 s ahead");
	ck_assert(p.u.truck.lat == FAR_LAT);

	harness_broker_step(&E, 10000);
	fx.ts = E.now + 20000;
	fx.lat = NEAR_LAT;
	harness_broker_push_feed(&E, PROTO_MSG_fix, &fx);
	w.fix_ts = E.now;
	expect_pub(&p, is_truck, &w, "a fix 20 s ahead at its arrival time");
	ck_assert(p.u.truck.lat == NEAR_LAT);

	harness_broker_step(&E, 5000);
	fx.ts = E.now;
	fx.lat = FAR_LAT;
	harness_broker_push_feed(&E, PROTO_MSG_fix, &fx);
	w.fix_ts = E.now;
	expect_pub(&p, is_truck, &w, "the correct fix after one 20 s ahead");

	struct broker_stats bs = halt_and_count();
	ck_assert_uint_eq(bs.future_fixes, 1);
	ck_assert_uint_eq(bs.skewed_fixes, 1);
	ck_assert_uint_eq(bs.fixes, 3);
}
END_TEST

/* ---------------------------------------------------------------- intake */

static const struct {
	const char *name;
	const char *field;
	const char *value;
	const char *msg;
} intake_bad[] = {
	{ "unknown region", "region", "atlantis", "unknown region 'atlantis'" },
	{ "unknown fault", "fault", "teleport", "unknown fault 'teleport'" },
	{ "bad phone", "phone", "13800ab", "phone: " },
	{ "empty phone", "phone", "", "phone: " },
	{ "empty name", "customer", "", "customer: name is empty" },
	{ "blank name", "customer", " \t ", "customer: name is empty" },
	{ "empty plate", "plate", "", "plate: empty" },
	{ "blank address", "address", "  ", "address: empty" },
	/* issue 12, defect 5: plain text only (PROTOCOL.md 3.2) */
	{ "direction override", "customer", "\xe2\x80\xae" "evil", "direction control U+202E" },
	{ "zero-width name", "customer", "\xe2\x80\x8b", "customer: name is empty" },
	{ "ESC in address", "address", "x\x1b[2J", "control character U+001B" },
	{ "newline in plate", "plate", "A\n1", "line break U+000A" },
	{ "1000 km away", "lat", "37.2", "km from region changsha" },
	{ "lat 91", "lat", "91", "args.lat: 91 is outside [-90, 90]" },
};

START_TEST(test_intake_invalid)
{
	for (size_t i = 0; i < ARRAY_LEN(intake_bad); i++) {
		struct proto_intake_create a = intake(CALL_LAT, CALL_LON, "battery", "changsha");
		const char *f = intake_bad[i].field, *v = intake_bad[i].value;
		if (strcmp(f, "region") == 0)
			PROTO_STRSET(a.region, v);
		else if (strcmp(f, "fault") == 0)
			PROTO_STRSET(a.fault, v);
		else if (strcmp(f, "phone") == 0)
			PROTO_STRSET(a.phone, v);
		else if (strcmp(f, "customer") == 0)
			PROTO_STRSET(a.customer, v);
		else if (strcmp(f, "plate") == 0)
			PROTO_STRSET(a.plate, v);
		else if (strcmp(f, "address") == 0)
			PROTO_STRSET(a.address, v);
		else if (strcmp(f, "lat") == 0)
			a.lat = strtod(v, NULL);
		call_error(PROTO_MSG_intake_create, &a, PROTO_E_BAD_REQUEST, intake_bad[i].msg);
		/* the error names the args key (PROTOCOL.md 5.2), the codec's refusals too */
		struct proto_reply r;
		harness_broker_call_as(&E, "agent7", PROTO_MSG_intake_create, &a, &r);
		ck_assert(!r.ok);
		ck_assert_str_eq(r.error.field, f);
		proto_reply_finish(&r);
	}
	/* none of them made a ticket */
	struct proto_ticket t = create_ticket("battery", "changsha", CALL_LAT, CALL_LON);
	ck_assert_int_eq(t.id, 1);
	ck_assert_str_eq(t.state, "new");
}
END_TEST

START_TEST(test_intake_fields)
{
	struct proto_intake_create a = intake(CALL_LAT, CALL_LON, "tyre", "changsha");
	struct proto_ticket t;
	struct ticket_want w = { 1, "new" };
	struct proto_pub p;

	PROTO_STRSET(a.notes, "车主在路边等候，带着两个孩子");
	PROTO_SET(&a, intake_create, notes);
	a.flags = 1 | 4; /* expressway, children aboard */
	PROTO_SET(&a, intake_create, flags);
	call_ticket(PROTO_MSG_intake_create, &a, &t);
	ck_assert_int_eq(t.id, 1);
	ck_assert_str_eq(t.state, "new"); /* no truck at all */
	ck_assert_str_eq(t.region, "changsha");
	ck_assert_str_eq(t.customer, "张*"); /* masked: ticket.contact has the raw ones */
	ck_assert_str_eq(t.created_by, "agent7");	/* who took the call */
	ck_assert(PROTO_HAS(&t, ticket, created_by));
	ck_assert_str_eq(t.phone, "138****8000");
	ck_assert_str_eq(t.plate, "湘A·12345");
	ck_assert_str_eq(t.model, "比亚迪 秦");
	ck_assert_str_eq(t.address, a.address);
	ck_assert_str_eq(t.fault, "tyre");
	ck_assert(t.lat == CALL_LAT && t.lon == CALL_LON);
	ck_assert_int_eq(t.flags, 5);
	ck_assert_int_gt(t.priority, 0);
	ck_assert_int_eq(t.notes, 1);
	ck_assert_str_eq(t.last_note, a.notes);
	ck_assert_int_gt(t.created, 0);
	/* the expressway promise of changsha: 30 min */
	ck_assert_int_eq(t.promised - t.created, 30 * 60000);
	ck_assert_str_eq(t.truck, "");
	ck_assert(!PROTO_HAS(&t, ticket, t_dispatched));
	/* published too, with the same content */
	expect_pub(&p, is_ticket, &w, "new ticket");
	ck_assert_str_eq(p.u.ticket.customer, "张*");
	ck_assert_str_eq(p.u.ticket.phone, "138****8000");
	ck_assert_int_le(p.u.ticket.ver, t.ver);
}
END_TEST

/* A truck the feed registered and placed near the call gets the job at once. */
START_TEST(test_auto_dispatch)
{
	struct proto_ticket t;
	struct proto_pub p;

	van_at("HN-A-001", NEAR_LAT);
	t = create_ticket("battery", "changsha", CALL_LAT, CALL_LON);
	ck_assert_str_eq(t.state, "dispatched");
	ck_assert_str_eq(t.truck, "HN-A-001");
	ck_assert(PROTO_HAS(&t, ticket, t_dispatched));
	ck_assert_int_ge(t.t_dispatched, t.created);
	ck_assert_str_eq(t.eta_src, "model");
	ck_assert_int_gt(t.eta, t.t_dispatched);
	/* 1 km x detour 1.4 at 20..80 km/h: well under 10 minutes */
	ck_assert_int_lt(t.eta - t.t_dispatched, 10 * 60000);

	struct ticket_want tw = { t.id, "new" };
	expect_pub(&p, is_ticket, &tw, "created ticket");
	int64_t seq = p.seq;
	tw.state = "dispatched";
	expect_pub(&p, is_ticket, &tw, "dispatched ticket");
	ck_assert_int_eq(p.seq, seq + 1);
	ck_assert_str_eq(p.u.ticket.truck, "HN-A-001");
	struct truck_want kw = { "HN-A-001", "offered", 0 };
	expect_pub(&p, is_truck, &kw, "offered truck");
	ck_assert_int_eq(p.u.truck.ticket, t.id);

	/* a fault a van cannot serve waits for an agent */
	van_at("HN-A-002", NEAR_LAT);
	t = create_ticket("accident_tow", "changsha", CALL_LAT, CALL_LON);
	ck_assert_str_eq(t.state, "new");
	/* a region without automatic dispatch too */
	t = create_ticket("battery", "aba", 31.9046, 102.2214);
	ck_assert_str_eq(t.state, "new");
	ck_assert_str_eq(t.region, "aba");
}
END_TEST

/* A truck that announces itself and sends its first position later (after a dispatch tick
 * has passed) picks up the ticket that was waiting: its first fix makes it dispatchable. */
START_TEST(test_first_fix_dispatch)
{
	struct proto_ticket t = create_ticket("battery", "changsha", CALL_LAT, CALL_LON);
	struct proto_pub p;
	struct proto_reply r;

	ck_assert_str_eq(t.state, "new");
	feed_status("HN-A-001", "available", "van", "changsha");
	/* a dispatch pass with the truck nowhere: the ticket still waits */
	harness_broker_step(&E, 500);
	struct proto_ticket_get g = { .id = t.id, .present = 0 };
	call(PROTO_MSG_ticket_get, &g, &r);
	ck_assert_str_eq(r.ticket.state, "new");
	proto_reply_finish(&r);
	feed_fix("HN-A-001", NEAR_LAT, CALL_LON);
	harness_broker_step(&E, 500);
	struct ticket_want tw = { t.id, "dispatched" };
	expect_pub(&p, is_ticket, &tw, "dispatched ticket");
	ck_assert_str_eq(p.u.ticket.truck, "HN-A-001");
}
END_TEST

/* ---------------------------------------------------------------- states */

struct step {
	const char *state;
	const char *reason;
	int64_t eta_s;           /* -1: none */
	enum proto_err code;     /* PROTO_E_OK: accepted */
	const char *msg;         /* when refused */
	const char *truck_status;/* when accepted and the truck changes: its new status */
};

static const struct step path_completed[] = {
	{ "accepted", NULL, 600, PROTO_E_OK, NULL, NULL },
	{ "accepted", NULL, -1, PROTO_E_INVALID_STATE, "cannot go from accepted to accepted", NULL },
	{ "on_scene", NULL, -1, PROTO_E_INVALID_STATE, "cannot go from accepted to on_scene", NULL },
	{ "completed", NULL, -1, PROTO_E_INVALID_STATE, "cannot go from accepted to completed", NULL },
	{ "en_route", NULL, -1, PROTO_E_OK, NULL, "en_route" },
	{ "towing", NULL, -1, PROTO_E_INVALID_STATE, "cannot go from en_route to towing", NULL },
	{ "on_scene", NULL, -1, PROTO_E_OK, NULL, "on_scene" },
	{ "new", "no", -1, PROTO_E_INVALID_STATE, "cannot go from on_scene to new", NULL },
	{ "en_route", NULL, -1, PROTO_E_INVALID_STATE, "cannot go from on_scene to en_route", NULL },
	{ "dispatched", NULL, -1, PROTO_E_INVALID_STATE, "use ticket.assign", NULL },
	{ "flying", NULL, -1, PROTO_E_BAD_REQUEST, "unknown state 'flying'", NULL },
	{ "completed", "换好电瓶", -1, PROTO_E_OK, NULL, "available" },
	{ "cancelled", "late", -1, PROTO_E_INVALID_STATE, "cannot go from completed to cancelled", NULL },
	{ "new", "x", -1, PROTO_E_INVALID_STATE, "cannot go from completed to new", NULL },
	{ "completed", NULL, -1, PROTO_E_INVALID_STATE, "cannot go from completed to completed", NULL },
};

static const struct step path_towing[] = {
	{ "accepted", NULL, -1, PROTO_E_OK, NULL, NULL },
	{ "en_route", NULL, -1, PROTO_E_OK, NULL, "en_route" },
	{ "on_scene", NULL, -1, PROTO_E_OK, NULL, "on_scene" },
	{ "towing", NULL, -1, PROTO_E_OK, NULL, "towing" },
	{ "cancelled", "customer left", -1, PROTO_E_INVALID_STATE, "cannot go from towing to cancelled", NULL },
	{ "on_scene", NULL, -1, PROTO_E_INVALID_STATE, "cannot go from towing to on_scene", NULL },
	{ "completed", NULL, -1, PROTO_E_OK, NULL, "available" },
};

static const struct step path_cancelled[] = {
	{ "cancelled", NULL, -1, PROTO_E_BAD_REQUEST, "a cancellation needs a reason", NULL },
	{ "cancelled", "  ", -1, PROTO_E_BAD_REQUEST, "a cancellation needs a reason", NULL },
	{ "resolved_remote", NULL, -1, PROTO_E_INVALID_STATE, "cannot go from dispatched to resolved_remote", NULL },
	{ "cancelled", "车自己打着火了", -1, PROTO_E_OK, NULL, "available" },
	{ "accepted", NULL, -1, PROTO_E_INVALID_STATE, "cannot go from cancelled to accepted", NULL },
};

/* Walk a ticket through steps; the truck's published status follows. */
static void
walk(int64_t id, const char *truck, const struct step *steps, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const struct step *s = &steps[i];
		struct proto_ticket_set_state a = state_args(id, s->state, s->reason, s->eta_s);
		if (s->code != PROTO_E_OK) {
			call_error(PROTO_MSG_ticket_set_state, &a, s->code, s->msg);
			continue;
		}
		struct proto_ticket t;
		struct proto_pub p;
		call_ticket(PROTO_MSG_ticket_set_state, &a, &t);
		ck_assert_int_eq(t.id, id);
		ck_assert_str_eq(t.state, s->state);
		/* the ticket's and the truck's publications, in either order */
		struct ticket_want tw = { id, s->state };
		struct truck_want kw = { truck, s->truck_status, 0 };
		bool got_ticket = false, got_truck = s->truck_status == NULL;
		int64_t until = rd_mono_ms() + WAIT_MS;
		while (!got_ticket || !got_truck) {
			ck_assert_msg(harness_broker_next_pub(&E, &p, until), "%s: ticket %s, truck %s",
			    s->state, got_ticket ? "seen" : "missing", got_truck ? "seen" : "missing");
			if (is_ticket(&p, &tw)) {
				ck_assert_int_eq(p.u.ticket.ver, t.ver);
				got_ticket = true;
			} else if (!got_truck && is_truck(&p, &kw)) {
				got_truck = true;
			}
		}
		if (s->eta_s >= 0) {
			ck_assert_str_eq(t.eta_src, "supplier");
			ck_assert_int_eq(t.eta, t.t_accepted + s->eta_s * 1000);
		}
		if (strcmp(s->state, "completed") == 0 || strcmp(s->state, "cancelled") == 0) {
			ck_assert(PROTO_HAS(&t, ticket, t_closed));
			ck_assert_str_eq(t.truck, "");
		}
	}
}

START_TEST(test_transitions)
{
	struct proto_ticket t;

	van_at("HN-A-001", NEAR_LAT);
	t = create_ticket("battery", "changsha", CALL_LAT, CALL_LON);
	ck_assert_str_eq(t.truck, "HN-A-001");
	walk(t.id, "HN-A-001", path_completed, ARRAY_LEN(path_completed));

	t = create_ticket("tyre", "changsha", CALL_LAT, CALL_LON);
	ck_assert_str_eq(t.truck, "HN-A-001");
	walk(t.id, "HN-A-001", path_towing, ARRAY_LEN(path_towing));

	t = create_ticket("fuel", "changsha", CALL_LAT, CALL_LON);
	ck_assert_str_eq(t.state, "dispatched");
	walk(t.id, "HN-A-001", path_cancelled, ARRAY_LEN(path_cancelled));

	/* a ticket nobody can take stays new: it cannot be accepted, it can be solved by phone */
	feed_status("HN-A-001", "off_duty", NULL, NULL);
	t = create_ticket("battery", "changsha", CALL_LAT, CALL_LON);
	ck_assert_str_eq(t.state, "new");
	static const struct step path_new[] = {
		{ "accepted", NULL, -1, PROTO_E_INVALID_STATE, "cannot go from new to accepted", NULL },
		{ "en_route", NULL, -1, PROTO_E_INVALID_STATE, "cannot go from new to en_route", NULL },
		{ "new", NULL, -1, PROTO_E_INVALID_STATE, "cannot go from new to new", NULL },
		{ "resolved_remote", "电话指导后打着火", -1, PROTO_E_OK, NULL, NULL },
	};
	walk(t.id, NULL, path_new, ARRAY_LEN(path_new));

	struct proto_ticket_set_state a = state_args(999, "accepted", NULL, -1);
	call_error(PROTO_MSG_ticket_set_state, &a, PROTO_E_NOT_FOUND, "no ticket 999");
}
END_TEST

START_TEST(test_note)
{
	struct proto_ticket t = create_ticket("battery", "changsha", CALL_LAT, CALL_LON);
	struct proto_ticket_note n = { .id = t.id, .present = 0 };
	struct proto_ticket u;
	char long_text[1001];

	PROTO_STRSET(n.text, "客户说车在地下车库B2层");
	call_ticket(PROTO_MSG_ticket_note, &n, &u);
	ck_assert_int_eq(u.notes, 1);
	ck_assert_str_eq(u.last_note, "客户说车在地下车库B2层");
	ck_assert_int_gt(u.ver, t.ver);

	/* the longest note fits the request; last_note keeps a UTF-8-clean prefix */
	memset(long_text, 0, sizeof long_text);
	for (size_t i = 0; i + 3 <= 1000; i += 3)
		memcpy(long_text + i, "车", 3);
	strcat(long_text, "x");
	ck_assert_uint_eq(strlen(long_text), 1000);
	PROTO_STRSET(n.text, long_text);
	call_ticket(PROTO_MSG_ticket_note, &n, &u);
	ck_assert_int_eq(u.notes, 2);
	ck_assert_uint_eq(strlen(u.last_note), 198);
	ck_assert(strncmp(u.last_note, long_text, 198) == 0);

	PROTO_STRSET(n.text, " \t");
	call_error(PROTO_MSG_ticket_note, &n, PROTO_E_BAD_REQUEST, "the note is empty");
	n.id = 77;
	PROTO_STRSET(n.text, "x");
	call_error(PROTO_MSG_ticket_note, &n, PROTO_E_NOT_FOUND, "no ticket 77");
}
END_TEST

START_TEST(test_cancel)
{
	struct proto_ticket t, u;
	struct proto_ticket_cancel c = { .present = 0 };
	struct proto_pub p;

	van_at("HN-A-001", NEAR_LAT);
	t = create_ticket("battery", "changsha", CALL_LAT, CALL_LON);
	c.id = t.id;
	call_error(PROTO_MSG_ticket_cancel, &c, PROTO_E_BAD_REQUEST, "needs a reason");
	PROTO_STRSET(c.reason, "   ");
	call_error(PROTO_MSG_ticket_cancel, &c, PROTO_E_BAD_REQUEST, "needs a reason");
	PROTO_STRSET(c.reason, "客户取消");
	call_ticket(PROTO_MSG_ticket_cancel, &c, &u);
	ck_assert_str_eq(u.state, "cancelled");
	ck_assert_str_eq(u.truck, "");
	struct truck_want kw = { "HN-A-001", "available", 0 };
	expect_pub(&p, is_truck, &kw, "released truck");
	ck_assert_int_eq(p.u.truck.ticket, 0);
	call_error(PROTO_MSG_ticket_cancel, &c, PROTO_E_INVALID_STATE, "can no longer be cancelled");
	c.id = 12345;
	call_error(PROTO_MSG_ticket_cancel, &c, PROTO_E_NOT_FOUND, "no ticket 12345");
}
END_TEST

/* ---------------------------------------------------------------- assignment */

static struct proto_ticket_assign
assign_args(int64_t id, const char *truck)
{
	struct proto_ticket_assign a = { .id = id, .present = 0 };
	PROTO_STRSET(a.truck, truck);
	return a;
}

START_TEST(test_assign)
{
	struct proto_ticket t1, t2, t3, u;
	struct proto_ticket_assign a;

	van_at("HN-A-001", NEAR_LAT);
	t1 = create_ticket("tyre", "changsha", CALL_LAT, CALL_LON);
	ck_assert_str_eq(t1.truck, "HN-A-001");
	t2 = create_ticket("battery", "changsha", CALL_LAT, CALL_LON);
	ck_assert_str_eq(t2.state, "new");

	a = assign_args(t2.id, "HN-A-001");
	call_error(PROTO_MSG_ticket_assign, &a, PROTO_E_CONFLICT, "busy with ticket 1");
	a = assign_args(t1.id, "HN-A-001");
	call_error(PROTO_MSG_ticket_assign, &a, PROTO_E_CONFLICT, "already has ticket 1");
	a = assign_args(t2.id, "HN-Z-999");
	call_error(PROTO_MSG_ticket_assign, &a, PROTO_E_NOT_FOUND, "no truck 'HN-Z-999'");
	a = assign_args(4242, "HN-A-001");
	call_error(PROTO_MSG_ticket_assign, &a, PROTO_E_NOT_FOUND, "no ticket 4242");

	/* a truck that has sent no position cannot be chosen */
	feed_status("HN-A-004", "available", "wheel_lift", "changsha");
	a = assign_args(t1.id, "HN-A-004");
	call_error(PROTO_MSG_ticket_assign, &a, PROTO_E_CONFLICT, "has sent no position yet");
	/* the agent moves ticket 1 (a tyre) to a wheel-lift (which the waiting battery ticket
	 * 2 cannot use): the van is free again, and the broker's periodic dispatch gives it
	 * ticket 2 */
	feed_fix("HN-A-004", FAR_LAT, CALL_LON);
	a = assign_args(t1.id, "HN-A-004");
	call_ticket(PROTO_MSG_ticket_assign, &a, &u);
	ck_assert_str_eq(u.state, "dispatched");
	ck_assert_str_eq(u.truck, "HN-A-004");
	harness_broker_step(&E, 500);
	struct proto_pub p;
	struct truck_want kw = { "HN-A-001", "available", 0 };
	expect_pub(&p, is_truck, &kw, "released truck");
	ck_assert_int_eq(p.u.truck.ticket, 0);
	struct ticket_want tw = { t2.id, "dispatched" };
	expect_pub(&p, is_ticket, &tw, "ticket 2 dispatched");
	ck_assert_str_eq(p.u.ticket.truck, "HN-A-001");
	a = assign_args(t2.id, "HN-A-004");
	call_error(PROTO_MSG_ticket_assign, &a, PROTO_E_CONFLICT, "busy with ticket 1");
	/* a truck too far away */
	feed_status("HN-A-005", "available", "van", "changsha");
	feed_fix("HN-A-005", CALL_LAT + 3.0, CALL_LON);
	struct proto_ticket_set_state back = state_args(t2.id, "new", "try far", -1);
	call_ticket(PROTO_MSG_ticket_set_state, &back, &u);
	a = assign_args(t2.id, "HN-A-005");
	call_error(PROTO_MSG_ticket_assign, &a, PROTO_E_INVALID_STATE, "km away (the limit is 300 km)");

	/* an off-duty truck, and one that cannot serve the fault */
	feed_status("HN-A-002", "off_duty", "van", "changsha");
	a = assign_args(t2.id, "HN-A-002");
	call_error(PROTO_MSG_ticket_assign, &a, PROTO_E_CONFLICT, "HN-A-002 is off_duty");
	feed_status("HN-F-001", "available", "heavy", "changsha");
	a = assign_args(t2.id, "HN-F-001");
	call_error(PROTO_MSG_ticket_assign, &a, PROTO_E_INVALID_STATE, "cannot handle battery");

	/* an agent's choice in a region without automatic dispatch */
	t3 = create_ticket("battery", "aba", 31.9046, 102.2214);
	ck_assert_str_eq(t3.state, "new");
	feed_status("SC-A-001", "available", "van", "aba");
	feed_fix("SC-A-001", 31.91, 102.22);
	a = assign_args(t3.id, "SC-A-001");
	call_ticket(PROTO_MSG_ticket_assign, &a, &u);
	ck_assert_str_eq(u.state, "dispatched");
	ck_assert_str_eq(u.truck, "SC-A-001");

	/* a closed ticket cannot be dispatched */
	struct proto_ticket_cancel c = { .id = t2.id, .present = 0 };
	PROTO_STRSET(c.reason, "duplicate call");
	call_ticket(PROTO_MSG_ticket_cancel, &c, &u);
	feed_status("HN-A-002", "available", NULL, NULL);
	a = assign_args(t2.id, "HN-A-002");
	call_error(PROTO_MSG_ticket_assign, &a, PROTO_E_INVALID_STATE, "is cancelled");
}
END_TEST

/* A truck that declines: the ticket goes to the next one, never back to the first. */
START_TEST(test_decline_redispatch)
{
	struct proto_ticket t, u;
	struct proto_pub p;

	van_at("HN-A-001", NEAR_LAT);
	van_at("HN-A-002", FAR_LAT);
	t = create_ticket("battery", "changsha", CALL_LAT, CALL_LON);
	ck_assert_str_eq(t.truck, "HN-A-001");

	struct proto_ticket_set_state a = state_args(t.id, "new", "司机拒单: flat tyre", -1);
	call_ticket(PROTO_MSG_ticket_set_state, &a, &u);
	ck_assert_str_eq(u.state, "dispatched");
	ck_assert_str_eq(u.truck, "HN-A-002");
	struct truck_want kw = { "HN-A-001", "available", 0 };
	expect_pub(&p, is_truck, &kw, "released truck");
	kw.id = "HN-A-002";
	kw.status = "offered";
	expect_pub(&p, is_truck, &kw, "next truck");
	ck_assert_int_eq(p.u.truck.ticket, t.id);

	/* the second declines too; the first already did: nobody left */
	a = state_args(t.id, "new", "declined", -1);
	call_ticket(PROTO_MSG_ticket_set_state, &a, &u);
	ck_assert_str_eq(u.state, "new");
	ck_assert_str_eq(u.truck, "");
	ck_assert(!PROTO_HAS(&u, ticket, eta));

	/* a truck comes on duty: the broker's periodic dispatch gives it the waiting ticket */
	feed_status("HN-A-003", "off_duty", "van", "changsha");
	feed_fix("HN-A-003", FAR_LAT, CALL_LON);
	feed_status("HN-A-003", "available", NULL, NULL);
	harness_broker_step(&E, 500);
	struct ticket_want tw = { t.id, "dispatched" };
	expect_pub(&p, is_ticket, &tw, "re-dispatched ticket");
	ck_assert_str_eq(p.u.ticket.truck, "HN-A-003");
	struct proto_ticket_assign as = assign_args(t.id, "HN-A-003");
	call_error(PROTO_MSG_ticket_assign, &as, PROTO_E_CONFLICT, "already has ticket");

	/* an accepted job can be handed back as well */
	a = state_args(t.id, "accepted", NULL, 300);
	call_ticket(PROTO_MSG_ticket_set_state, &a, &u);
	a = state_args(t.id, "new", "truck broke down", -1);
	call_ticket(PROTO_MSG_ticket_set_state, &a, &u);
	ck_assert_str_eq(u.state, "new");
}
END_TEST

/* A supplier taking a truck off duty during a job: it finishes the job, then goes off duty
 * (not back to available), and is not given the next ticket. */
START_TEST(test_off_duty_after_job)
{
	struct proto_ticket t, u;
	struct proto_pub p;

	van_at("HN-A-001", NEAR_LAT);
	t = create_ticket("battery", "changsha", CALL_LAT, CALL_LON);
	ck_assert_str_eq(t.truck, "HN-A-001");
	struct proto_status st = { .ts = E.now, .present = 0 };
	PROTO_STRSET(st.truck, "HN-A-001");
	PROTO_STRSET(st.status, "off_duty");
	harness_broker_push_feed(&E, PROTO_MSG_status, &st);
	/* the feed and the requests are separate sockets: know the status arrived before
	 * going on, by a change it makes visible (the kind) */
	PROTO_STRSET(st.kind, "wheel_lift");
	PROTO_SET(&st, status, kind);
	harness_broker_push_feed(&E, PROTO_MSG_status, &st);
	struct truck_want kw = { "HN-A-001", "offered", 0 };
	do
		expect_pub(&p, is_truck, &kw, "truck on its job");
	while (strcmp(p.u.truck.kind, "wheel_lift") != 0);
	ck_assert_int_eq(p.u.truck.ticket, t.id);

	struct proto_ticket_cancel c = { .id = t.id, .present = 0 };
	PROTO_STRSET(c.reason, "customer left");
	call_ticket(PROTO_MSG_ticket_cancel, &c, &u);
	kw.status = "off_duty";
	expect_pub(&p, is_truck, &kw, "truck off duty after the job");
	ck_assert_int_eq(p.u.truck.ticket, 0);
	u = create_ticket("tyre", "changsha", CALL_LAT, CALL_LON);
	ck_assert_str_eq(u.state, "new");
}
END_TEST

/* ---------------------------------------------------------------- history */

START_TEST(test_timeline)
{
	struct proto_ticket t, u;
	struct proto_reply r;

	van_at("HN-A-001", NEAR_LAT);
	struct proto_intake_create in = intake(CALL_LAT, CALL_LON, "battery", "changsha");
	PROTO_STRSET(in.notes, "first note");
	PROTO_SET(&in, intake_create, notes);
	call_ticket(PROTO_MSG_intake_create, &in, &t);

	struct proto_ticket_set_state a = state_args(t.id, "accepted", NULL, 900);
	call_ticket(PROTO_MSG_ticket_set_state, &a, &u);
	struct proto_ticket_note n = { .id = t.id, .present = 0 };
	PROTO_STRSET(n.text, "司机已出发");
	call_ticket(PROTO_MSG_ticket_note, &n, &u);
	a = state_args(t.id, "en_route", NULL, -1);
	call_ticket(PROTO_MSG_ticket_set_state, &a, &u);
	a = state_args(t.id, "on_scene", NULL, -1);
	call_ticket(PROTO_MSG_ticket_set_state, &a, &u);
	a = state_args(t.id, "completed", "jump-started", -1);
	call_ticket(PROTO_MSG_ticket_set_state, &a, &u);

	struct proto_ticket_get g = { .id = t.id, .present = 0 };
	call(PROTO_MSG_ticket_get, &g, &r);
	ck_assert(r.ok);
	ck_assert_int_eq(r.ticket.id, t.id);
	ck_assert_str_eq(r.ticket.state, "completed");
	ck_assert_int_eq(r.ticket.ver, u.ver + 1); /* vnum_release after the reply */
	ck_assert_int_eq(r.ticket.notes, 2);

	/* the detail for people, and its machine form (PROTOCOL.md 8.4) */
	static const struct {
		const char *kind, *user, *detail, *code;
	} want[] = {
		{ "created", "agent7", "call taken: battery in changsha", "created" },
		{ "note", "agent7", "first note", "note" },
		{ "offer", "", "offered to HN-A-001", "offer" },
		{ "vnum_bind", "", "virtual number +8617107310000", "vnum_bind" },
		{ "accept", "agent7", "accepted, supplier ETA 15 min", "accept" },
		{ "note", "agent7", "司机已出发", "note" },
		{ "state", "agent7", "en_route", "state" },
		{ "state", "agent7", "on_scene", "state" },
		{ "state", "agent7", "completed: jump-started", "state" },
		{ "vnum_release", "", "virtual number +8617107310000 released", "vnum_release" },
	};
	ck_assert_uint_eq(r.n_events, ARRAY_LEN(want));
	for (size_t i = 0; i < r.n_events; i++) {
		const struct proto_event *e = &r.events[i];
		ck_assert_msg(strcmp(e->kind, want[i].kind) == 0, "event %zu: %s, expected %s", i,
		    e->kind, want[i].kind);
		ck_assert_str_eq(e->user, want[i].user);
		ck_assert_msg(strstr(e->detail, want[i].detail) != NULL, "event %zu: '%s'", i,
		    e->detail);
		ck_assert(PROTO_HAS(e, event, code));
		ck_assert(PROTO_HAS(e, event, params));
		ck_assert_str_eq(e->code, want[i].code);
		if (i > 0) {
			ck_assert_int_gt(e->id, r.events[i - 1].id);
			ck_assert_int_ge(e->ts, r.events[i - 1].ts);
		}
	}
	ck_assert_int_ge(r.events[0].ts, t.created);
	const struct proto_event_params *ep = &r.events[0].params;
	ck_assert_str_eq(ep->fault, "battery");
	ck_assert_str_eq(ep->region, "changsha");
	ck_assert(PROTO_HAS(ep, event_params, min));
	ck_assert_str_eq(r.events[2].params.truck, "HN-A-001");
	ck_assert(PROTO_HAS(&r.events[2].params, event_params, s));
	ck_assert(!PROTO_HAS(&r.events[2].params, event_params, by)); /* the broker's choice */
	ck_assert_str_eq(r.events[3].params.vnum, "+8617107310000");
	ck_assert_int_eq(r.events[4].params.min, 15);
	ck_assert_str_eq(r.events[5].params.text, "司机已出发");
	ck_assert_str_eq(r.events[6].params.state, "en_route");
	ck_assert(!PROTO_HAS(&r.events[6].params, event_params, text));
	ck_assert_str_eq(r.events[8].params.state, "completed");
	ck_assert_str_eq(r.events[8].params.text, "jump-started");
	ck_assert_str_eq(r.events[9].params.vnum, "+8617107310000");
	ck_assert_int_eq(r.events[9].params.s, 1800);
	proto_reply_finish(&r);

	g.id = 2;
	call_error(PROTO_MSG_ticket_get, &g, PROTO_E_NOT_FOUND, "no ticket 2");
}
END_TEST

/* ---------------------------------------------------------------- idempotency */

START_TEST(test_duplicate_cmd_id)
{
	struct proto_intake_create a = intake(CALL_LAT, CALL_LON, "battery", "changsha");
	struct proto_buf q, r1, r2;
	struct proto_reply r;
	struct proto_error err;
	struct proto_pub p;

	proto_buf_init(&q);
	proto_buf_init(&r1);
	proto_buf_init(&r2);
	proto_encode_request(&q, PROTO_MSG_intake_create, "intake-0001", "agent7", &a);
	harness_broker_exchange(&E, q.data, q.len, &r1);
	harness_broker_exchange(&E, q.data, q.len, &r2);
	ck_assert_uint_eq(r1.len, r2.len);
	ck_assert_mem_eq(r1.data, r2.data, r1.len);
	ck_assert_int_eq(proto_decode_reply(r1.data, r1.len, &r, &err), 0);
	ck_assert(r.ok);
	ck_assert_int_eq(r.ticket.id, 1);
	proto_reply_finish(&r);

	/* one ticket was made and published, once: the next heartbeat (checked against every
	 * message seen) names that seq */
	struct ticket_want tw = { 1, "new" };
	expect_pub(&p, is_ticket, &tw, "created ticket");
	harness_broker_step(&E, 0); /* a heartbeat follows */
	expect_pub(&p, is_hb, NULL, "heartbeat");
	struct proto_ticket_get g = { .id = 2, .present = 0 };
	call_error(PROTO_MSG_ticket_get, &g, PROTO_E_NOT_FOUND, "no ticket 2");

	/* the same cmd_id from another user is another command */
	proto_buf_reset(&q);
	proto_encode_request(&q, PROTO_MSG_intake_create, "intake-0001", "agent8", &a);
	harness_broker_exchange(&E, q.data, q.len, &r2);
	ck_assert_int_eq(proto_decode_reply(r2.data, r2.len, &r, &err), 0);
	ck_assert(r.ok);
	ck_assert_int_eq(r.ticket.id, 2);
	proto_reply_finish(&r);

	/* a refused command is answered the same way again */
	a.lat = 40.0;
	proto_buf_reset(&q);
	proto_encode_request(&q, PROTO_MSG_intake_create, "intake-0002", "agent7", &a);
	harness_broker_exchange(&E, q.data, q.len, &r1);
	harness_broker_exchange(&E, q.data, q.len, &r2);
	ck_assert_uint_eq(r1.len, r2.len);
	ck_assert_mem_eq(r1.data, r2.data, r1.len);

	struct broker_stats st = halt_and_count();
	ck_assert_uint_eq(st.replays, 2);
	ck_assert_uint_eq(st.tickets, 2);
	proto_buf_finish(&q);
	proto_buf_finish(&r1);
	proto_buf_finish(&r2);
}
END_TEST

/* ---------------------------------------------------------------- streams */

START_TEST(test_stream_seqs)
{
	struct proto_pub p;
	struct proto_ticket t;
	int64_t first = E.last[HARNESS_BROKER_TICKET];

	van_at("HN-A-001", NEAR_LAT);
	for (int i = 0; i < 5; i++)
		t = create_ticket("battery", "changsha", CALL_LAT, CALL_LON);
	struct proto_ticket_note n = { .id = t.id, .present = 0 };
	PROTO_STRSET(n.text, "n");
	for (int i = 0; i < 5; i++)
		call_ticket(PROTO_MSG_ticket_note, &n, &t);
	/* 5 created + 1 dispatch + its virtual number + 5 notes; next_pub checks every step
	 * is +1 */
	struct ticket_want tw = { t.id, NULL };
	do
		expect_pub(&p, is_ticket, &tw, "ticket");
	while (p.seq < t.ver);
	ck_assert_int_eq(p.seq, t.ver);
	ck_assert_int_eq(E.last[HARNESS_BROKER_TICKET] - first, 12);
	/* two heartbeats in a row, each naming the seqs of the last messages: one after a
	 * step, the next the periodic one (every second, real time) */
	harness_broker_step(&E, 0);
	expect_pub(&p, is_hb, NULL, "heartbeat");
	int64_t hb1 = p.u.hb.seq;
	ck_assert_int_eq(p.u.hb.seq_ticket, t.ver);
	expect_pub(&p, is_hb, NULL, "heartbeat");
	ck_assert_int_eq(p.u.hb.seq, hb1 + 1);
	ck_assert_int_eq(p.u.hb.seq_ticket, t.ver);
	ck_assert_int_eq(p.u.hb.epoch, E.epoch);
	ck_assert_int_ge(p.u.hb.ts, t.updated);
}
END_TEST

/* Snapshot parts of at most chunk entities, each repeating the same head. */
static void
check_snapshot(int64_t chunk, size_t want_tickets, size_t want_trucks)
{
	struct proto_snapshot s = { .chunk = chunk, .present = 0 };
	struct proto_buf q;
	struct proto_reply r;
	struct proto_snapshot_part head = { .present = 0 };
	bool *seen = xcalloc(want_tickets + 1, sizeof *seen);
	size_t nt = 0, nk = 0, nw = 0;

	if (chunk > 0)
		PROTO_SET(&s, snapshot, chunk);
	proto_buf_init(&q);
	proto_encode_request(&q, PROTO_MSG_snapshot, "snap-1", NULL, &s);
	ck_assert_int_eq(zmq_send(E.dealer, q.data, q.len, 0), (int)q.len);
	for (int64_t part = 1;; part++) {
		zmq_msg_t m;
		struct proto_error err;
		ck_assert_msg(harness_broker_wait_in(E.dealer, rd_mono_ms() + WAIT_MS),
		    "no part %lld", (long long)part);
		zmq_msg_init(&m);
		ck_assert_int_ge(zmq_msg_recv(&m, E.dealer, 0), 0);
		ck_assert_int_eq(proto_decode_reply(zmq_msg_data(&m), zmq_msg_size(&m), &r, &err), 0);
		zmq_msg_close(&m);
		ck_assert(r.ok);
		ck_assert_str_eq(r.cmd_id, "snap-1");
		ck_assert_int_eq(r.op_id, PROTO_MSG_snapshot);
		ck_assert_int_eq(r.snap.part, part);
		if (part == 1)
			head = r.snap;
		ck_assert_int_eq(r.snap.epoch, E.epoch);
		ck_assert_int_eq(r.snap.parts, head.parts);
		ck_assert_int_eq(r.snap.seq_ticket, head.seq_ticket);
		ck_assert_int_eq(r.snap.seq_truck, head.seq_truck);
		ck_assert_int_eq(r.snap.seq_warning, head.seq_warning);
		ck_assert_int_eq(r.snap.total_tickets, head.total_tickets);
		ck_assert_int_eq(r.snap.total_trucks, head.total_trucks);
		ck_assert_int_eq(r.snap.total_warnings, head.total_warnings);
		size_t here = r.n_tickets + r.n_trucks + r.n_warnings;
		if (part < head.parts)
			ck_assert_uint_eq(here, (size_t)(chunk > 0 ? chunk : 1000));
		else if (head.total_tickets + head.total_trucks + head.total_warnings > 0)
			ck_assert_uint_ge(here, 1);
		for (size_t i = 0; i < r.n_tickets; i++) {
			int64_t id = r.tickets[i].id;
			ck_assert(id >= 1 && (size_t)id <= want_tickets && !seen[id]);
			seen[id] = true;
			ck_assert_int_le(r.tickets[i].ver, head.seq_ticket);
		}
		for (size_t i = 0; i < r.n_trucks; i++)
			ck_assert_int_le(r.trucks[i].ver, head.seq_truck);
		nt += r.n_tickets;
		nk += r.n_trucks;
		nw += r.n_warnings;
		proto_reply_finish(&r);
		if (part == head.parts)
			break;
	}
	ck_assert_uint_eq(nt, want_tickets);
	ck_assert_uint_eq(nk, want_trucks);
	ck_assert_uint_eq(nt, (size_t)head.total_tickets);
	ck_assert_uint_eq(nk, (size_t)head.total_trucks);
	ck_assert_uint_eq(nw, (size_t)head.total_warnings);
	size_t total = nt + nk + nw, per = chunk > 0 ? (size_t)chunk : 1000;
	ck_assert_int_eq(head.parts, total == 0 ? 1 : (int64_t)((total + per - 1) / per));
	/* the snapshot's seqs are those of the last messages published */
	ck_assert_int_eq(head.seq_ticket, E.last[HARNESS_BROKER_TICKET]);
	ck_assert_int_eq(head.seq_warning, E.last[HARNESS_BROKER_WARNING]);
	ck_assert(!harness_broker_wait_in(E.dealer, rd_mono_ms() + 100));
	free(seen);
	proto_buf_finish(&q);
}

START_TEST(test_snapshot)
{
	struct proto_pub p;

	check_snapshot(7, 0, 0);
	/* trucks without a position are never dispatched: tickets stay new */
	feed_status("HN-A-001", "available", "van", "changsha");
	feed_status("HN-A-002", "available", "van", "changsha");
	feed_status("HN-A-003", "off_duty", "flatbed", "changsha");
	for (int i = 0; i < 20; i++)
		create_ticket(i % 2 ? "battery" : "tyre", "changsha", CALL_LAT, CALL_LON);
	/* every ticket publication seen, so E.last is the broker's seq */
	struct ticket_want tw = { 20, "new" };
	expect_pub(&p, is_ticket, &tw, "last ticket");
	check_snapshot(7, 20, 3);   /* 23 entities: 7 + 7 + 7 + 2 */
	check_snapshot(1, 20, 3);
	check_snapshot(23, 20, 3);
	check_snapshot(0, 20, 3);   /* the default chunk: one part */
}
END_TEST

/* ---------------------------------------------------------------- ticket.search */

/* One ticket.search page: the ids found into ids (highest first), next (0: none). */
static size_t
search(const struct proto_ticket_search *a, int64_t *ids, size_t max, int64_t *next,
    char (*states)[24])
{
	struct proto_reply r;
	size_t n;

	call(PROTO_MSG_ticket_search, a, &r);
	ck_assert_msg(r.ok, "search refused: %s", r.error.message);
	ck_assert_int_eq(r.op_id, PROTO_MSG_ticket_search);
	ck_assert_uint_le(r.n_found, max);
	for (n = 0; n < r.n_found; n++) {
		ids[n] = r.found[n].id;
		if (states != NULL)
			rd_strlcpy(states[n], r.found[n].state, sizeof states[n]);
	}
	*next = PROTO_HAS(&r.search, search_result, next) ? r.search.next : 0;
	proto_reply_finish(&r);
	return n;
}

static bool
in_snapshot(int64_t id)
{
	struct proto_snapshot s = { .present = 0 };
	struct proto_reply r;
	bool found = false;

	call(PROTO_MSG_snapshot, &s, &r);
	ck_assert(r.ok);
	for (size_t i = 0; i < r.streams[PROTO_STREAM_TICKET].n; i++)
		found |= ((const struct proto_ticket *)r.streams[PROTO_STREAM_TICKET].items)[i].id == id;
	proto_reply_finish(&r);
	return found;
}

START_TEST(test_search)
{
	struct proto_ticket t[5];
	struct proto_ticket_search a = { .present = 0 };
	struct proto_ticket_cancel c = { .present = 0 };
	int64_t ids[8], next;
	char states[8][24];
	size_t n;

	/* Five tickets a minute apart: odd ones from one caller, even ones from another with
	 * another car. No truck: they stay new. */
	for (int i = 0; i < 5; i++) {
		struct proto_intake_create in = intake(CALL_LAT, CALL_LON, "battery", "changsha");
		if (i % 2) {
			PROTO_STRSET(in.phone, "139 1234 5678");
			PROTO_STRSET(in.plate, "湘B-99X01");
		}
		call_ticket(PROTO_MSG_intake_create, &in, &t[i]);
		harness_broker_step(&E, 60000);
	}
	/* The first is cancelled and, past the keep window, leaves the snapshot. */
	c.id = t[0].id;
	PROTO_STRSET(c.reason, "客户取消");
	call_ticket(PROTO_MSG_ticket_cancel, &c, &t[0]);
	ck_assert(in_snapshot(t[0].id));
	harness_broker_step(&E, 121 * 60000);
	ck_assert(!in_snapshot(t[0].id));

	/* By phone, any 4 or more of its digits: the closed one too, as it is now. */
	PROTO_STRSET(a.phone, "8000");
	PROTO_SET(&a, ticket_search, phone);
	n = search(&a, ids, 8, &next, states);
	ck_assert_uint_eq(n, 3);
	ck_assert_int_eq(ids[0], t[4].id);
	ck_assert_int_eq(ids[1], t[2].id);
	ck_assert_int_eq(ids[2], t[0].id);
	ck_assert_str_eq(states[2], "cancelled");
	ck_assert_int_eq(next, 0);
	/* By plate, ignoring case and separators; both at once must both match. */
	a.present = 0;
	PROTO_STRSET(a.plate, "b99x");
	PROTO_SET(&a, ticket_search, plate);
	n = search(&a, ids, 8, &next, NULL);
	ck_assert_uint_eq(n, 2);
	ck_assert_int_eq(ids[0], t[3].id);
	ck_assert_int_eq(ids[1], t[1].id);
	PROTO_SET(&a, ticket_search, phone);
	ck_assert_uint_eq(search(&a, ids, 8, &next, NULL), 0);
	PROTO_STRSET(a.plate, "A12345");	/* "湘A·12345" */
	ck_assert_uint_eq(search(&a, ids, 8, &next, NULL), 3);

	/* Paging: everything, two a page, until next is absent. */
	a.present = 0;
	a.limit = 2;
	PROTO_SET(&a, ticket_search, limit);
	n = search(&a, ids, 8, &next, NULL);
	ck_assert_uint_eq(n, 2);
	ck_assert_int_eq(ids[0], t[4].id);
	ck_assert_int_eq(ids[1], t[3].id);
	ck_assert_int_eq(next, t[3].id);
	a.cursor = next;
	PROTO_SET(&a, ticket_search, cursor);
	n = search(&a, ids, 8, &next, NULL);
	ck_assert_uint_eq(n, 2);
	ck_assert_int_eq(ids[0], t[2].id);
	ck_assert_int_eq(next, t[1].id);
	a.cursor = next;
	n = search(&a, ids, 8, &next, NULL);
	ck_assert_uint_eq(n, 1);
	ck_assert_int_eq(ids[0], t[0].id);
	ck_assert_int_eq(next, 0);

	/* By id: that ticket alone, closed or not; none for an id never given. */
	a.present = 0;
	a.id = t[0].id;
	PROTO_SET(&a, ticket_search, id);
	n = search(&a, ids, 8, &next, states);
	ck_assert_uint_eq(n, 1);
	ck_assert_int_eq(ids[0], t[0].id);
	ck_assert_str_eq(states[0], "cancelled");
	ck_assert_int_eq(next, 0);
	a.id = 99;
	ck_assert_uint_eq(search(&a, ids, 8, &next, NULL), 0);
	ck_assert_int_eq(next, 0);

	/* By creation time, from inclusive, to exclusive. */
	a.present = 0;
	a.from = t[1].created;
	a.to = t[4].created;
	PROTO_SET(&a, ticket_search, from);
	PROTO_SET(&a, ticket_search, to);
	n = search(&a, ids, 8, &next, NULL);
	ck_assert_uint_eq(n, 3);
	ck_assert_int_eq(ids[0], t[3].id);
	ck_assert_int_eq(ids[2], t[1].id);

	/* Refused: too few digits, an empty range, a blank plate. */
	a.to = a.from;
	call_error(PROTO_MSG_ticket_search, &a, PROTO_E_BAD_REQUEST, "to: not after from");
	a.present = 0;
	PROTO_STRSET(a.phone, "1-3-8");
	PROTO_SET(&a, ticket_search, phone);
	call_error(PROTO_MSG_ticket_search, &a, PROTO_E_BAD_REQUEST, "at least 4 digits");
	a.present = 0;
	PROTO_STRSET(a.plate, " ·");
	PROTO_SET(&a, ticket_search, plate);
	call_error(PROTO_MSG_ticket_search, &a, PROTO_E_BAD_REQUEST, "plate: empty");

	/* After a restart, from the store alone. */
	harness_broker_restart(&E, SOURCE_DATA_DIR);
	a.present = 0;
	PROTO_STRSET(a.phone, "13800138000");
	PROTO_SET(&a, ticket_search, phone);
	ck_assert_uint_eq(search(&a, ids, 8, &next, NULL), 3);
}
END_TEST

/* ---------------------------------------------------------------- restart */

START_TEST(test_restart)
{
	struct proto_ticket t1, t2, u;
	struct proto_reply r;
	struct proto_buf q, r1, r2;

	van_at("HN-A-001", NEAR_LAT);
	t1 = create_ticket("battery", "changsha", CALL_LAT, CALL_LON);
	struct proto_ticket_set_state a = state_args(t1.id, "accepted", NULL, 600);
	call_ticket(PROTO_MSG_ticket_set_state, &a, &t1);
	t2 = create_ticket("tyre", "changsha", CALL_LAT, CALL_LON);
	ck_assert_str_eq(t2.state, "new");
	struct proto_ticket_get g = { .id = t1.id, .present = 0 };
	call(PROTO_MSG_ticket_get, &g, &r);
	size_t n_events = r.n_events;
	ck_assert_uint_ge(n_events, 3);
	proto_reply_finish(&r);

	/* a command whose reply the client will ask for again after the restart */
	struct proto_ticket_note n = { .id = t2.id, .present = 0 };
	PROTO_STRSET(n.text, "before the restart");
	proto_buf_init(&q);
	proto_buf_init(&r1);
	proto_buf_init(&r2);
	proto_encode_request(&q, PROTO_MSG_ticket_note, "note-before", "agent7", &n);
	harness_broker_exchange(&E, q.data, q.len, &r1);

	int64_t epoch = E.epoch;
	harness_broker_restart(&E, SOURCE_DATA_DIR);
	ck_assert_int_eq(E.epoch, epoch + 1);
	struct proto_hello_result h = hello(NULL);
	ck_assert_int_eq(h.epoch, epoch + 1);

	/* every ticket and its history */
	call(PROTO_MSG_ticket_get, &g, &r);
	ck_assert(r.ok);
	ck_assert_str_eq(r.ticket.state, "accepted");
	ck_assert_str_eq(r.ticket.truck, "HN-A-001");
	ck_assert_int_eq(r.ticket.eta, t1.eta);
	ck_assert_str_eq(r.ticket.customer, "张*");
	ck_assert_uint_eq(r.n_events, n_events);
	proto_reply_finish(&r);
	g.id = t2.id;
	call(PROTO_MSG_ticket_get, &g, &r);
	ck_assert(r.ok);
	ck_assert_int_eq(r.ticket.notes, 1);
	ck_assert_str_eq(r.ticket.last_note, "before the restart");
	proto_reply_finish(&r);

	/* the retried command gets its first answer, and makes no second note */
	harness_broker_exchange(&E, q.data, q.len, &r2);
	ck_assert_uint_eq(r1.len, r2.len);
	ck_assert_mem_eq(r1.data, r2.data, r1.len);
	call(PROTO_MSG_ticket_get, &g, &r);
	ck_assert_int_eq(r.ticket.notes, 1);
	proto_reply_finish(&r);

	/* ids continue; the truck is still on its job */
	u = create_ticket("battery", "changsha", CALL_LAT, CALL_LON);
	ck_assert_int_eq(u.id, 3);
	ck_assert_str_eq(u.state, "new");
	a = state_args(t1.id, "en_route", NULL, -1);
	call_ticket(PROTO_MSG_ticket_set_state, &a, &u);
	ck_assert_str_eq(u.truck, "HN-A-001");

	/* and a third start counts on */
	harness_broker_restart(&E, SOURCE_DATA_DIR);
	ck_assert_int_eq(E.epoch, epoch + 2);
	g.id = 3;
	call(PROTO_MSG_ticket_get, &g, &r);
	ck_assert(r.ok);
	proto_reply_finish(&r);
	proto_buf_finish(&q);
	proto_buf_finish(&r1);
	proto_buf_finish(&r2);
}
END_TEST

/* Seqs and vers belong to an epoch: after a restart the snapshot's seqs are at least the ver
 * of every entity in it, and the next change of an entity has the next seq as its ver. */
START_TEST(test_restart_vers)
{
	struct proto_ticket t, u;
	struct proto_reply r;

	t = create_ticket("battery", "changsha", CALL_LAT, CALL_LON);
	struct proto_ticket_note n = { .id = t.id, .present = 0 };
	PROTO_STRSET(n.text, "one");
	call_ticket(PROTO_MSG_ticket_note, &n, &t);
	call_ticket(PROTO_MSG_ticket_note, &n, &t);
	ck_assert_int_ge(t.ver, 3);

	harness_broker_restart(&E, SOURCE_DATA_DIR);

	struct proto_snapshot s = { .present = 0 };
	call(PROTO_MSG_snapshot, &s, &r);
	ck_assert(r.ok);
	ck_assert_int_eq(r.snap.epoch, E.epoch);
	ck_assert_uint_eq(r.n_tickets, 1);
	ck_assert_msg(r.tickets[0].ver <= r.snap.seq_ticket,
	    "snapshot: ticket ver %lld above seq_ticket %lld", (long long)r.tickets[0].ver,
	    (long long)r.snap.seq_ticket);
	ck_assert_int_eq(r.snap.seq_ticket, E.last[HARNESS_BROKER_TICKET]);
	int64_t seq = r.snap.seq_ticket;
	proto_reply_finish(&r);
	call_ticket(PROTO_MSG_ticket_note, &n, &u);
	ck_assert_int_eq(u.ver, seq + 1);
	ck_assert_int_eq(u.notes, 3);
	struct ticket_want tw = { t.id, NULL };
	struct proto_pub p;
	expect_pub(&p, is_ticket, &tw, "ticket after the restart");
	ck_assert_int_eq(p.seq, seq + 1);
}
END_TEST

/* ---------------------------------------------------------------- warnings */

/* Broker time stepped past the 120 s offer time-out and the 300 s acceptance SLA. */
START_TEST(test_warning_not_accepted)
{
	struct proto_ticket t, u;
	struct proto_pub p;

	van_at("HN-A-001", NEAR_LAT);
	t = create_ticket("battery", "changsha", CALL_LAT, CALL_LON);
	ck_assert_str_eq(t.state, "dispatched");

	/* the supplier does not answer: the offer times out after 120 s, nobody else can take
	 * the job, and once 300 s have passed since the offer the warning names the truck */
	harness_broker_step(&E, 120 * 1000);
	struct ticket_want tw = { t.id, "new" };
	expect_pub(&p, is_ticket, &tw, "timed-out offer");
	harness_broker_step(&E, 180 * 1000);
	struct proto_snapshot s = { .present = 0 };
	struct proto_reply r;
	call(PROTO_MSG_snapshot, &s, &r);
	ck_assert_uint_eq(r.n_warnings, 0); /* 300 s exactly: not yet */
	proto_reply_finish(&r);
	harness_broker_step(&E, 1);
	struct warning_want ww = { t.id, "not_accepted", false };
	expect_pub(&p, is_warning, &ww, "not_accepted warning");
	ck_assert_str_eq(p.u.warning.level, "amber");
	ck_assert_msg(strstr(p.u.warning.text, "HN-A-001") != NULL, "%s", p.u.warning.text);
	ck_assert_int_eq(p.u.warning.ts - t.t_dispatched, 300 * 1000 + 1);
	int64_t wid = p.u.warning.id;

	/* it is in the snapshot while active */
	call(PROTO_MSG_snapshot, &s, &r);
	ck_assert(r.ok);
	bool found = false;
	for (size_t i = 0; i < r.n_warnings; i++)
		if (r.warnings[i].id == wid)
			found = !r.warnings[i].cleared;
	ck_assert(found);
	proto_reply_finish(&r);

	/* closing the ticket clears it (check-offer.c: so does an acceptance) */
	struct proto_ticket_cancel c = { .id = t.id, .present = 0 };
	PROTO_STRSET(c.reason, "no truck accepted");
	call_ticket(PROTO_MSG_ticket_cancel, &c, &u);
	ww.cleared = true;
	expect_pub(&p, is_warning, &ww, "cleared warning");
	ck_assert_int_eq(p.u.warning.id, wid);
}
END_TEST

/* ---------------------------------------------------------------- the op table */

/* Every REQUEST message of the protocol has its row, under its wire name; the mutating ones
 * are exactly those that change state (their replies are kept for retries). */
START_TEST(test_op_table)
{
	static const char *mutating[] = {
		"intake.create", "ticket.note", "ticket.edit", "ticket.callback",
		"ticket.set_state", "ticket.cancel", "ticket.assign", "offer.accept",
		"offer.decline", "diag.start", "diag.answer", "diag.back", "diag.safety",
		"diag.abort", "diag.dispatch_now", "complaint.put", "ticket.tell",
		"warning.ack", "warning.release", "ticket.escalate", "ticket.call",
		"survey.put", "survey.done",
	};
	size_t n_requests = 0;

	for (int id = 0; id < PROTO_MSG_COUNT; id++) {
		const struct broker_op *op = broker_op_find(id);
		if (proto_descs[id].kind != PROTO_KIND_REQUEST) {
			ck_assert_ptr_null(op);
			continue;
		}
		n_requests++;
		ck_assert_msg(op != NULL, "no row for %s", proto_descs[id].wire);
		ck_assert_str_eq(op->name, proto_descs[id].wire);
		ck_assert_int_eq(op->args, id);
		ck_assert(op->handler != NULL);
		if (strcmp(op->name, "complaint.get") == 0) /* raw personal data: not everyone */
			ck_assert_uint_eq(op->roles, BROKER_ROLE_BIT(AGENT) |
			    BROKER_ROLE_BIT(SUPERVISOR) | BROKER_ROLE_BIT(SIM));
		else if (strcmp(op->name, "ticket.contact") == 0) /* raw contact (PROTOCOL.md 7.30) */
			ck_assert_uint_eq(op->roles, BROKER_ROLE_BIT(AGENT) |
			    BROKER_ROLE_BIT(SUPERVISOR) | BROKER_ROLE_BIT(SPECIALIST) |
			    BROKER_ROLE_BIT(SIM));
		else /* the matrix itself: check-auth.c; the simulator may call everything */
			ck_assert(op->roles & BROKER_ROLE_BIT(SIM));
		bool want = false;
		for (size_t i = 0; i < ARRAY_LEN(mutating); i++)
			want = want || strcmp(mutating[i], op->name) == 0;
		ck_assert_msg(op->mutating == want, "%s: mutating %d", op->name, op->mutating);
	}
	ck_assert_uint_eq(broker_n_ops, n_requests);
	ck_assert_ptr_null(broker_op_find(-1));
	ck_assert_str_eq(broker_role_name(BROKER_ROLE_AGENT), "agent");
	ck_assert_str_eq(broker_role_name(BROKER_ROLE_SIM), "sim");
	ck_assert_str_eq(broker_role_name(BROKER_ROLE_COUNT), "");
}
END_TEST

/* The role check reads the table: a peer holding none of an op's roles is refused before
 * anything else happens, with forbidden; one holding any of them is served. The broker is
 * driven directly here (no loop): the answer waits in its queue for the peer. */
static void
handle_as(struct broker *b, unsigned roles, enum proto_msg_id op, const void *args,
    struct proto_reply *r)
{
	struct peer p = { .rid = "peer-1", .rid_len = 6, .roles = roles };
	struct proto_buf q, scratch;
	struct proto_request req;
	struct proto_error err;

	proto_buf_init(&q);
	proto_buf_init(&scratch);
	proto_encode_request(&q, op, "role-1", "agent7", args);
	ck_assert_int_eq(proto_decode_request(q.data, q.len, &req, &err), 0);
	ck_assert_ptr_null(b->out_head);
	broker_handle(b, &p, &req, &scratch);
	struct outq *o = b->out_head;
	ck_assert_ptr_nonnull(o);
	ck_assert_uint_eq(o->n, 1);
	ck_assert_mem_eq(o->to.rid, "peer-1", 6);
	ck_assert_int_eq(proto_decode_reply(o->frames[0], o->lens[0], r, &err), 0);
	ck_assert_str_eq(r->cmd_id, "role-1");
	b->out_head = o->next;
	b->out_tail = NULL;
	for (size_t i = 0; i < o->n; i++)
		free(o->frames[i]);
	free(o->frames);
	free(o->lens);
	free(o);
	proto_buf_finish(&q);
	proto_buf_finish(&scratch);
}

START_TEST(test_role_check)
{
	struct broker_opts o = {
		.api = E.api, .pub = E.pub, .feed = E.feed, .db = E.db, .data_dir = SOURCE_DATA_DIR,
		.sync = STORE_SYNC_NORMAL, .clock = BROKER_CLOCK_MANUAL, .control = E.control,
		.clock_start = HARNESS_BROKER_T0,
	};
	char *cause = NULL;
	struct broker *b = broker_create(E.ctx, &o, &cause);
	struct proto_hello h = { .present = 0 };
	struct proto_reply r;

	ck_assert_msg(b != NULL, "broker_create: %s", cause);
	handle_as(b, 0, PROTO_MSG_hello, &h, &r);
	ck_assert(!r.ok);
	ck_assert_int_eq(r.error.code, PROTO_E_FORBIDDEN);
	ck_assert_str_eq(r.error.message, "hello is not allowed to this client");
	proto_reply_finish(&r);
	struct proto_intake_create a = intake(CALL_LAT, CALL_LON, "battery", "changsha");
	handle_as(b, 0, PROTO_MSG_intake_create, &a, &r);
	ck_assert_int_eq(r.error.code, PROTO_E_FORBIDDEN);
	proto_reply_finish(&r);
	ck_assert(!b->in_txn); /* refused before the batch and the reply cache */
	handle_as(b, BROKER_ROLE_BIT(SIM), PROTO_MSG_hello, &h, &r);
	ck_assert(r.ok);
	ck_assert_str_eq(r.hello.user, "agent7");
	proto_reply_finish(&r);

	struct broker_stats st;
	broker_stats(b, &st);
	ck_assert_uint_eq(st.tickets, 0);
	broker_destroy(b);
}
END_TEST

static Suite *
broker_suite(void)
{
	Suite *s = suite_create("broker");
	TCase *tc;

	tc = harness_broker_tcase(s, "protocol", setup_rpc, teardown);
	tcase_add_test(tc, test_hello);
	tcase_add_loop_test(tc, test_bad_frame, 0, ARRAY_LEN(bad_frames));
	tcase_add_test(tc, test_bad_frames_in_a_row);
	tcase_add_test(tc, test_far_too_large);
	tcase_add_test(tc, test_req_client);
	tcase_add_test(tc, test_feed_garbage);
	tcase_add_test(tc, test_feed_future_fix);
	tcase_add_test(tc, test_feed_skewed_fix);

	tc = harness_broker_tcase(s, "ops", setup_bare, teardown);
	tcase_add_test(tc, test_op_table);
	tcase_add_test(tc, test_role_check);

	tc = harness_broker_tcase(s, "tickets", setup, teardown);
	tcase_add_test(tc, test_intake_invalid);
	tcase_add_test(tc, test_intake_fields);
	tcase_add_test(tc, test_auto_dispatch);
	tcase_add_test(tc, test_transitions);
	tcase_add_test(tc, test_note);
	tcase_add_test(tc, test_cancel);
	tcase_add_test(tc, test_assign);
	tcase_add_test(tc, test_decline_redispatch);
	tcase_add_test(tc, test_first_fix_dispatch);
	tcase_add_test(tc, test_off_duty_after_job);
	tcase_add_test(tc, test_timeline);
	tcase_add_test(tc, test_duplicate_cmd_id);

	tc = harness_broker_tcase(s, "streams", setup, teardown);
	tcase_add_test(tc, test_stream_seqs);
	tcase_add_test(tc, test_snapshot);
	tcase_add_test(tc, test_restart);
	tcase_add_test(tc, test_restart_vers);
	tcase_add_test(tc, test_search);

	tc = harness_broker_tcase(s, "warnings", setup, teardown);
	tcase_add_test(tc, test_warning_not_accepted);

	return s;
}

int
main(void)
{
	return harness_broker_main(broker_suite(), base_dir);
}
