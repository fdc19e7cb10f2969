/* check-rpc.c: the rpc client against a scripted fake broker (a ROUTER in the same zmq
 * context, driven from the test by interleaving calls; a thread only where rpc_call_sync
 * blocks). Time-outs are forced by handing rpc_process a later `now`, never by sleeping. */
#include <check.h>
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include "proto.h"
#include "rpc.h"
#include "util.h"

#include "harness-fakebroker.h"

#define EP "inproc://check-rpc"
#define WAIT_MS 5000

static void *ctx;
static void *router;
static struct rpc *rpc;

/* What the callbacks saw. */
struct rec {
	int calls;
	int replies;
	char cmd_id[PROTO_CMD_ID_MAX + 1];
	bool ok;
	bool err;
	enum proto_err code;
	char message[200];
	int64_t ticket_id;
	int64_t last_part;
	size_t entities;
};

static void
rec_cb(void *c, const char *cmd_id, const struct proto_reply *reply,
    const struct proto_error *err)
{
	struct rec *rec = c;

	rec->calls++;
	rd_strlcpy(rec->cmd_id, cmd_id, sizeof rec->cmd_id);
	if (reply == NULL) {
		ck_assert_ptr_nonnull(err);
		rec->err = true;
		rec->code = err->code;
		rd_strlcpy(rec->message, err->message, sizeof rec->message);
		return;
	}
	ck_assert_ptr_null(err);
	rec->replies++;
	rec->ok = reply->ok;
	if (!reply->ok) {
		rec->code = reply->error.code;
		rd_strlcpy(rec->message, reply->error.message, sizeof rec->message);
		return;
	}
	rec->ticket_id = reply->op_id == PROTO_MSG_hello ? reply->hello.epoch : reply->ticket.id;
	if (reply->op_id == PROTO_MSG_snapshot) {
		rec->last_part = reply->snap.part;
		rec->entities += reply->n_tickets + reply->n_trucks + reply->n_warnings;
	}
}

static void
make_rpc(const char *user, int timeout_ms, int tries)
{
	struct rpc_opts o = { .endpoint = EP, .user = user, .timeout_ms = timeout_ms,
		.tries = tries };
	char *cause = NULL;

	rpc_destroy(rpc);
	rpc = rpc_create(ctx, &o, &cause);
	ck_assert_msg(rpc != NULL, "rpc_create: %s", cause ? cause : "?");
}

static void
setup(void)
{
	int zero = 0;

	ctx = zmq_ctx_new();
	ck_assert_ptr_nonnull(ctx);
	router = zmq_socket(ctx, ZMQ_ROUTER);
	zmq_setsockopt(router, ZMQ_LINGER, &zero, sizeof zero);
	ck_assert_int_eq(zmq_bind(router, EP), 0);
	rpc = NULL;
	make_rpc("alice", 100, 3);
}

static void
teardown(void)
{
	rpc_destroy(rpc);
	rpc = NULL;
	if (router != NULL)
		zmq_close(router);
	router = NULL;
	zmq_ctx_term(ctx);
}

/* ---- the fake broker ---- */

static void
recv_req(struct harness_fakebroker_req *q)
{
	harness_fakebroker_recv(router, q);
}

static void
recv_req_on(void *sock, struct harness_fakebroker_req *q)
{
	harness_fakebroker_recv(sock, q);
}

static void
send_raw(const struct harness_fakebroker_req *q, const void *data, size_t len)
{
	harness_fakebroker_send(router, q, data, len);
}

static struct proto_ticket
mk_ticket(int64_t id)
{
	return harness_fakebroker_ticket(id, "new", id);
}

/* A successful reply with the result the op calls for (hello: a hello result, else the
 * ticket `id`). */
static void
reply_ok_on(void *sock, const struct harness_fakebroker_req *q, int64_t id)
{
	struct proto_buf b;
	struct proto_ticket t = mk_ticket(id);
	struct proto_hello_result h;

	proto_buf_init(&b);
	proto_encode_reply_ok(&b, q->r.cmd_id, proto_descs[q->r.op].wire);
	if (q->r.op == PROTO_MSG_hello) {
		memset(&h, 0, sizeof h);
		PROTO_STRSET(h.server, "fake");
		PROTO_STRSET(h.version, "0");
		h.proto = 1;
		h.epoch = id;
		proto_pack_obj(&b, PROTO_MSG_hello_result, &h, 0);
	} else if (q->r.op == PROTO_MSG_ticket_get) {
		struct proto_event e;

		memset(&e, 0, sizeof e);
		e.id = 1;
		e.ts = 5;
		PROTO_STRSET(e.kind, "created");
		proto_pack_map(&b, 2);
		proto_pack_str(&b, "ticket");
		proto_pack_obj(&b, PROTO_MSG_ticket, &t, 0);
		proto_pack_str(&b, "events");
		proto_pack_array(&b, 1);
		proto_pack_obj(&b, PROTO_MSG_event, &e, 0);
	} else if (q->r.op == PROTO_MSG_dispatch_candidates) {
		struct proto_candidate c;

		proto_pack_map(&b, 2);
		proto_pack_str(&b, "ticket");
		proto_pack_obj(&b, PROTO_MSG_ticket, &t, 0);
		proto_pack_str(&b, "candidates");
		proto_pack_array(&b, 2);
		for (int i = 0; i < 2; i++) {
			memset(&c, 0, sizeof c);
			snprintf(c.truck, sizeof c.truck, "TRUCK-%d", i + 1);
			PROTO_STRSET(c.kind, "van");
			PROTO_STRSET(c.status, "available");
			PROTO_STRSET(c.eta_src, "model");
			c.km = 1.5 * (i + 1);
			c.eta_s = 600 * (i + 1);
			proto_pack_obj(&b, PROTO_MSG_candidate, &c, 0);
		}
	} else {
		proto_pack_obj(&b, PROTO_MSG_ticket, &t, 0);
	}
	harness_fakebroker_send(sock, q, b.data, b.len);
	proto_buf_finish(&b);
}

static void
reply_ok(const struct harness_fakebroker_req *q, int64_t id)
{
	reply_ok_on(router, q, id);
}

static void
reply_error(const struct harness_fakebroker_req *q, enum proto_err code, const char *msg)
{
	struct proto_buf b;

	proto_buf_init(&b);
	proto_encode_reply_error(&b, q->r.cmd_id, proto_descs[q->r.op].wire, code, msg);
	send_raw(q, b.data, b.len);
	proto_buf_finish(&b);
}

/* Answer a snapshot request with `parts` parts, one ticket per part. */
static void
reply_snapshot_on(void *sock, const struct harness_fakebroker_req *q, int parts,
    enum harness_fakebroker_snap fault)
{
	struct harness_fakebroker_world w = { .epoch = 7, .seq = { 10, 20, 30 } };

	ck_assert_int_le(parts, (int)ARRAY_LEN(w.t));
	for (int p = 1; p <= parts; p++)
		w.t[w.nt++] = mk_ticket(p);
	harness_fakebroker_snapshot(sock, q, &w, parts, fault);
}

/* Run rpc_process on real time until *calls reaches want (or fail after WAIT_MS). */
static void
pump_until(const int *calls, int want)
{
	int64_t deadline = rd_mono_ms() + WAIT_MS;

	while (*calls < want) {
		ck_assert_msg(rd_mono_ms() < deadline, "no callback (calls %d, want %d)", *calls,
		    want);
		harness_fakebroker_readable(rpc_socket(rpc), 10);
		rpc_process(rpc, rd_mono_ms());
	}
}

/* Send a fresh request and answer it, proving every frame before it was handled. */
static void
barrier(void)
{
	struct rec rec = { 0 };
	struct harness_fakebroker_req q;

	ck_assert_int_eq(rpc_call(rpc, PROTO_MSG_hello, NULL, rec_cb, &rec, NULL), 0);
	recv_req(&q);
	reply_ok(&q, 1);
	pump_until(&rec.calls, 1);
}

/* ---- a group of two brokers (PROTOCOL.md 13) ---- */

#define EP2 "inproc://check-rpc-2"
#define GROUP EP "," EP2

/* Answer q on sock with not_leader naming leader (NULL: naming none). */
static void
reply_not_leader_on(void *sock, const struct harness_fakebroker_req *q, const char *leader)
{
	struct proto_buf b;
	struct proto_error_params e;

	memset(&e, 0, sizeof e);
	PROTO_STRSET(e.reason, "not_leader");
	PROTO_SET(&e, error_params, reason);
	if (leader != NULL) {
		PROTO_STRSET(e.leader, leader);
		PROTO_SET(&e, error_params, leader);
	}
	proto_buf_init(&b);
	proto_encode_reply_error_params(&b, q->r.cmd_id, proto_descs[q->r.op].wire,
	    PROTO_E_NOT_LEADER, NULL, &e, "this broker is a standby");
	harness_fakebroker_send(sock, q, b.data, b.len);
	proto_buf_finish(&b);
}

/* A second ROUTER and an rpc given both endpoints. */
static void *
group_setup(int tries)
{
	int zero = 0;
	void *r2 = zmq_socket(ctx, ZMQ_ROUTER);
	struct rpc_opts o = { .endpoint = GROUP, .user = "alice", .timeout_ms = 100,
		.tries = tries };
	char *cause = NULL;

	ck_assert_ptr_nonnull(r2);
	zmq_setsockopt(r2, ZMQ_LINGER, &zero, sizeof zero);
	ck_assert_int_eq(zmq_bind(r2, EP2), 0);
	rpc_destroy(rpc);
	rpc = rpc_create(ctx, &o, &cause);
	ck_assert_msg(rpc != NULL, "rpc_create: %s", cause ? cause : "?");
	return r2;
}

/* Run rpc_process on real time until sock has a request (or fail after WAIT_MS). */
static void
pump_to(void *sock)
{
	int64_t deadline = rd_mono_ms() + WAIT_MS;

	while (!harness_fakebroker_readable(sock, 0)) {
		ck_assert_msg(rd_mono_ms() < deadline, "no request arrived");
		harness_fakebroker_readable(rpc_socket(rpc), 10);
		rpc_process(rpc, rd_mono_ms());
	}
}

/* ---- tests ---- */

START_TEST(test_round_trip)
{
	struct proto_intake_create a;
	struct rec rec = { 0 };
	char cmd_id[PROTO_CMD_ID_MAX + 1];
	struct harness_fakebroker_req q;

	memset(&a, 0, sizeof a);
	PROTO_STRSET(a.customer, "Zoë");
	PROTO_STRSET(a.phone, "+4912345");
	PROTO_STRSET(a.plate, "B-XY-1");
	a.lat = 52.5;
	a.lon = 13.4;
	PROTO_STRSET(a.address, "Unter den Linden 1");
	PROTO_STRSET(a.fault, "battery");
	PROTO_STRSET(a.region, "berlin");
	ck_assert_int_eq(rpc_next_timeout(rpc, rd_mono_ms()), -1);
	ck_assert_int_eq(rpc_call(rpc, PROTO_MSG_intake_create, &a, rec_cb, &rec, cmd_id), 0);
	ck_assert_uint_eq(rpc_pending(rpc), 1);
	ck_assert(rpc_is_pending(rpc, cmd_id));
	ck_assert_int_ge(rpc_next_timeout(rpc, rd_mono_ms()), 0);
	ck_assert_int_le(rpc_next_timeout(rpc, rd_mono_ms()), 100);

	recv_req(&q);
	ck_assert_int_eq(q.r.op, PROTO_MSG_intake_create);
	ck_assert_str_eq(q.r.cmd_id, cmd_id);
	ck_assert_str_eq(q.r.user, "alice");
	ck_assert_str_eq(q.r.args.intake_create.customer, "Zoë");
	ck_assert_str_eq(q.r.args.intake_create.region, "berlin");
	ck_assert_double_eq(q.r.args.intake_create.lat, 52.5);

	reply_ok(&q, 42);
	pump_until(&rec.calls, 1);
	ck_assert_int_eq(rec.replies, 1);
	ck_assert(rec.ok);
	ck_assert_int_eq(rec.ticket_id, 42);
	ck_assert_str_eq(rec.cmd_id, cmd_id);
	ck_assert_uint_eq(rpc_pending(rpc), 0);
	ck_assert(!rpc_is_pending(rpc, cmd_id));
	ck_assert_int_eq(rpc_next_timeout(rpc, rd_mono_ms()), -1);
}
END_TEST

START_TEST(test_cmd_ids)
{
	static const struct {
		const char *user;
		const char *prefix;
	} cases[] = {
		{ NULL, "anon-" },
		{ "", "anon-" },
		{ "bob", "bob-" },
		{ "a very-long/üser", "a_very_long_-" },
	};
	char ids[8][PROTO_CMD_ID_MAX + 1];
	size_t n = 0;
	struct harness_fakebroker_req q;

	for (size_t c = 0; c < ARRAY_LEN(cases); c++) {
		make_rpc(cases[c].user, 100, 3);
		for (int k = 0; k < 2; k++, n++) {
			ck_assert_int_eq(rpc_call(rpc, PROTO_MSG_hello, NULL, NULL, NULL, ids[n]), 0);
			ck_assert_msg(strncmp(ids[n], cases[c].prefix, strlen(cases[c].prefix)) == 0,
			    "%s does not start with %s", ids[n], cases[c].prefix);
			ck_assert_uint_le(strlen(ids[n]), PROTO_CMD_ID_MAX);
			recv_req(&q);
			ck_assert_str_eq(q.r.cmd_id, ids[n]);
			if (cases[c].user == NULL || cases[c].user[0] == '\0')
				ck_assert_str_eq(q.r.user, "");
			else
				ck_assert_str_eq(q.r.user, cases[c].user);
		}
	}
	/* Unique within an rpc and across rpcs (a fresh random part each). */
	for (size_t i = 0; i < n; i++)
		for (size_t j = i + 1; j < n; j++)
			ck_assert_str_ne(ids[i], ids[j]);
}
END_TEST

START_TEST(test_bad_opts)
{
	struct rpc_opts o = { .endpoint = EP, .user = "this-user-name-is-far-too-long-for-it" };
	struct rpc_opts none = { 0 };
	char *cause = NULL;

	ck_assert_ptr_null(rpc_create(ctx, &o, &cause));
	ck_assert_ptr_nonnull(cause);
	free(cause);
	cause = NULL;
	ck_assert_ptr_null(rpc_create(ctx, &none, &cause));
	ck_assert_ptr_nonnull(cause);
	free(cause);
	/* Not a request. */
	ck_assert_int_eq(rpc_call(rpc, PROTO_MSG_ticket, NULL, NULL, NULL, NULL), -1);
	ck_assert_int_eq(rpc_call(rpc, PROTO_MSG_COUNT, NULL, NULL, NULL, NULL), -1);
	ck_assert_uint_eq(rpc_pending(rpc), 0);
	rpc_destroy(NULL);
}
END_TEST

START_TEST(test_retry_same_cmd_id)
{
	struct rec rec = { 0 };
	struct proto_ticket_get a = { .id = 5 };
	char cmd_id[PROTO_CMD_ID_MAX + 1];
	struct harness_fakebroker_req q1, q2;
	int64_t t0 = rd_mono_ms();

	ck_assert_int_eq(rpc_call(rpc, PROTO_MSG_ticket_get, &a, rec_cb, &rec, cmd_id), 0);
	recv_req(&q1); /* the broker "loses" its reply */
	rpc_process(rpc, t0 + 1000);
	ck_assert_int_eq(rec.calls, 0);
	recv_req(&q2);
	ck_assert_str_eq(q2.r.cmd_id, cmd_id);
	ck_assert_str_eq(q2.r.cmd_id, q1.r.cmd_id);
	/* The very same frame. */
	ck_assert_uint_eq(q2.len, q1.len);
	ck_assert_mem_eq(q2.body, q1.body, q1.len);
	ck_assert_int_eq(q2.r.args.ticket_get.id, 5);

	/* The idempotency cache answers both tries: one callback only. */
	reply_error(&q2, PROTO_E_NOT_FOUND, "no ticket 5");
	reply_error(&q1, PROTO_E_NOT_FOUND, "no ticket 5");
	pump_until(&rec.calls, 1);
	barrier();
	ck_assert_int_eq(rec.calls, 1);
	ck_assert_uint_eq(rpc_pending(rpc), 0);
}
END_TEST

START_TEST(test_give_up)
{
	struct rec rec = { 0 };
	struct harness_fakebroker_req q;
	int64_t t0;

	make_rpc("alice", 100, 2);
	t0 = rd_mono_ms();
	ck_assert_int_eq(rpc_call(rpc, PROTO_MSG_hello, NULL, rec_cb, &rec, NULL), 0);
	recv_req(&q);
	rpc_process(rpc, t0 + 1000);      /* try 2 */
	recv_req(&q);
	ck_assert_int_eq(rec.calls, 0);
	ck_assert_int_eq(rpc_next_timeout(rpc, t0 + 1000), 100);
	rpc_process(rpc, t0 + 1050);      /* not yet */
	ck_assert_int_eq(rec.calls, 0);
	rpc_process(rpc, t0 + 1100);      /* out of tries */
	ck_assert_int_eq(rec.calls, 1);
	ck_assert(rec.err);
	ck_assert_int_eq(rec.code, PROTO_E_UNAVAILABLE);
	ck_assert_uint_eq(rpc_pending(rpc), 0);
	ck_assert_int_eq(rpc_next_timeout(rpc, t0 + 1100), -1);
	/* No third try went out, and a late reply is dropped. */
	ck_assert(!harness_fakebroker_readable(router, 0));
	reply_ok(&q, 3);
	barrier();
	ck_assert_int_eq(rec.calls, 1);
}
END_TEST

static const enum proto_err error_codes[] = {
	PROTO_E_NOT_FOUND, PROTO_E_CONFLICT, PROTO_E_FORBIDDEN, PROTO_E_INVALID_STATE,
	PROTO_E_UNKNOWN_OP, PROTO_E_INTERNAL,
};

START_TEST(test_error_reply)
{
	struct rec rec = { 0 };
	struct proto_ticket_cancel a;
	struct harness_fakebroker_req q;
	char msg[64];

	memset(&a, 0, sizeof a);
	a.id = 9;
	PROTO_STRSET(a.reason, "customer called back");
	snprintf(msg, sizeof msg, "refused (%s)", proto_err_name(error_codes[_i]));
	ck_assert_int_eq(rpc_call(rpc, PROTO_MSG_ticket_cancel, &a, rec_cb, &rec, NULL), 0);
	recv_req(&q);
	reply_error(&q, error_codes[_i], msg);
	pump_until(&rec.calls, 1);
	ck_assert_int_eq(rec.replies, 1);
	ck_assert(!rec.ok);
	ck_assert(!rec.err);
	ck_assert_int_eq(rec.code, error_codes[_i]);
	ck_assert_str_eq(rec.message, msg);
}
END_TEST

/* Frames no request can be matched with: each is dropped, nothing breaks. */
#define JUNK(s) { s, sizeof(s) - 1 }
static const struct {
	const char *bytes;
	size_t len;
} junk[] = {
	JUNK(""),
	JUNK("\xc1"),                                /* never-used type byte */
	JUNK("\x85\xa1v"),                           /* truncated map */
	JUNK("\x93\x01\x02\x03"),                    /* not a map */
	JUNK("\x81\xa1v\x01"),                       /* no cmd_id */
	JUNK("\x82\xa1v\x02\xa6" "cmd_id\xa1x"),      /* unknown version */
	JUNK("\xdf\xff\xff\xff\xff"),                /* a map claiming 4G entries */
	JUNK("\x81\xa1v\x01\x00"),                   /* trailing byte */
	JUNK("\x83\xa1v\x01\xa6" "cmd_id\xa1x\xa2ok\xc3"), /* no request named x */
};

START_TEST(test_malformed_dropped)
{
	struct rec rec = { 0 };
	struct harness_fakebroker_req q;

	ck_assert_int_eq(rpc_call(rpc, PROTO_MSG_hello, NULL, rec_cb, &rec, NULL), 0);
	recv_req(&q);
	send_raw(&q, junk[_i].bytes, junk[_i].len);
	reply_ok(&q, 77);
	pump_until(&rec.calls, 1);
	ck_assert_int_eq(rec.replies, 1);
	ck_assert(rec.ok);
	ck_assert_uint_eq(rpc_pending(rpc), 0);
}
END_TEST

START_TEST(test_bad_reply_to_request)
{
	struct rec rec = { 0 };
	struct proto_ticket_assign a = { .id = 4, .truck = "T-1" };
	struct proto_ticket_note n = { .id = 4, .text = "hi" };
	struct proto_buf b;
	struct harness_fakebroker_req q;

	/* A reply naming our request whose result is not a ticket fails the request. */
	ck_assert_int_eq(rpc_call(rpc, PROTO_MSG_ticket_assign, &a, rec_cb, &rec, NULL), 0);
	recv_req(&q);
	proto_buf_init(&b);
	proto_encode_reply_ok(&b, q.r.cmd_id, "ticket.assign");
	proto_pack_map(&b, 1);
	proto_pack_str(&b, "id");
	proto_pack_str(&b, "not a number");
	send_raw(&q, b.data, b.len);
	pump_until(&rec.calls, 1);
	ck_assert(rec.err);
	ck_assert_int_eq(rec.code, PROTO_E_BAD_REQUEST);
	ck_assert_uint_eq(rpc_pending(rpc), 0);

	/* So does an ok reply for another op (one whose result needs no checking). */
	memset(&rec, 0, sizeof rec);
	ck_assert_int_eq(rpc_call(rpc, PROTO_MSG_ticket_note, &n, rec_cb, &rec, NULL), 0);
	recv_req(&q);
	proto_buf_reset(&b);
	proto_encode_reply_ok(&b, q.r.cmd_id, "no.such.op");
	proto_pack_map(&b, 0);
	send_raw(&q, b.data, b.len);
	pump_until(&rec.calls, 1);
	ck_assert(rec.err);
	ck_assert_int_eq(rec.code, PROTO_E_BAD_REQUEST);
	proto_buf_finish(&b);
}
END_TEST

START_TEST(test_snapshot_parts)
{
	struct rec rec = { 0 };
	char cmd_id[PROTO_CMD_ID_MAX + 1];
	struct harness_fakebroker_req q;

	make_rpc("alice", 100, 1);
	ck_assert_int_eq(rpc_call(rpc, PROTO_MSG_snapshot, NULL, rec_cb, &rec, cmd_id), 0);
	recv_req(&q);
	ck_assert_int_eq(q.r.op, PROTO_MSG_snapshot);
	reply_snapshot_on(router, &q, 3, HARNESS_FAKEBROKER_SNAP_WHOLE);
	pump_until(&rec.calls, 3);
	ck_assert_int_eq(rec.replies, 3);
	ck_assert_int_eq(rec.last_part, 3);
	ck_assert_uint_eq(rec.entities, 3);
	ck_assert_uint_eq(rpc_pending(rpc), 0);
}
END_TEST

/* Every part restarts the timer; silence after a part still times out. */
START_TEST(test_snapshot_timer)
{
	struct rec rec = { 0 };
	struct harness_fakebroker_req q;
	struct proto_buf b;
	struct proto_snapshot_part h;
	int64_t t0;

	make_rpc("alice", 100, 1);
	t0 = rd_mono_ms();
	ck_assert_int_eq(rpc_call(rpc, PROTO_MSG_snapshot, NULL, rec_cb, &rec, NULL), 0);
	recv_req(&q);
	memset(&h, 0, sizeof h);
	h.epoch = 1;
	h.part = 1;
	h.parts = 2;
	proto_buf_init(&b);
	proto_encode_reply_ok(&b, q.r.cmd_id, "snapshot");
	proto_pack_obj(&b, PROTO_MSG_snapshot_part, &h, 0);
	send_raw(&q, b.data, b.len);
	proto_buf_finish(&b);
	ck_assert(harness_fakebroker_readable(rpc_socket(rpc), WAIT_MS));
	rpc_process(rpc, t0 + 90);   /* part 1: the deadline moves to t0 + 190 */
	ck_assert_int_eq(rec.calls, 1);
	rpc_process(rpc, t0 + 150);  /* past the first deadline, not the new one */
	ck_assert_int_eq(rec.calls, 1);
	ck_assert_uint_eq(rpc_pending(rpc), 1);
	rpc_process(rpc, t0 + 190);
	ck_assert_int_eq(rec.calls, 2);
	ck_assert(rec.err);
	ck_assert_int_eq(rec.code, PROTO_E_UNAVAILABLE);
	ck_assert_uint_eq(rpc_pending(rpc), 0);
}
END_TEST

/* Callbacks may cancel anything, their own request included. */
struct cancel_ctx {
	int calls;
	bool all;
	char other[PROTO_CMD_ID_MAX + 1];
};

static void
cancel_cb(void *c, const char *cmd_id, const struct proto_reply *reply,
    const struct proto_error *err)
{
	struct cancel_ctx *cc = c;

	(void)reply;
	(void)err;
	cc->calls++;
	if (cc->all)
		rpc_cancel_all(rpc);
	else
		rpc_cancel(rpc, cmd_id);
	rpc_cancel(rpc, cc->other);
}

START_TEST(test_cancel)
{
	struct cancel_ctx cc = { 0 };
	struct rec rec = { 0 };
	char id1[PROTO_CMD_ID_MAX + 1], id2[PROTO_CMD_ID_MAX + 1];
	struct harness_fakebroker_req q1, q2;

	/* rpc_cancel: no callback, later replies dropped. */
	ck_assert_int_eq(rpc_call(rpc, PROTO_MSG_hello, NULL, rec_cb, &rec, id1), 0);
	recv_req(&q1);
	ck_assert_int_eq(rpc_cancel(rpc, id1), 0);
	ck_assert_int_eq(rpc_cancel(rpc, id1), -1);
	ck_assert_uint_eq(rpc_pending(rpc), 0);
	reply_ok(&q1, 1);
	barrier();
	ck_assert_int_eq(rec.calls, 0);

	/* Cancelling inside a snapshot part's callback (request still pending) and cancelling
	 * another request from a callback. */
	ck_assert_int_eq(rpc_call(rpc, PROTO_MSG_snapshot, NULL, cancel_cb, &cc, id1), 0);
	ck_assert_int_eq(rpc_call(rpc, PROTO_MSG_hello, NULL, rec_cb, &rec, cc.other), 0);
	recv_req(&q1);
	recv_req(&q2);
	reply_snapshot_on(router, &q1, 3, HARNESS_FAKEBROKER_SNAP_WHOLE);
	pump_until(&cc.calls, 1);
	ck_assert_uint_eq(rpc_pending(rpc), 0);
	reply_ok(&q2, 1);
	barrier();
	ck_assert_int_eq(cc.calls, 1);
	ck_assert_int_eq(rec.calls, 0);

	/* rpc_cancel_all from a final reply's callback. */
	memset(&cc, 0, sizeof cc);
	cc.all = true;
	ck_assert_int_eq(rpc_call(rpc, PROTO_MSG_hello, NULL, cancel_cb, &cc, id1), 0);
	ck_assert_int_eq(rpc_call(rpc, PROTO_MSG_hello, NULL, rec_cb, &rec, id2), 0);
	ck_assert_uint_eq(rpc_pending(rpc), 2);
	recv_req(&q1);
	recv_req(&q2);
	reply_ok(&q1, 1);
	pump_until(&cc.calls, 1);
	ck_assert_uint_eq(rpc_pending(rpc), 0);

	/* Destroying with requests pending drops them silently. */
	ck_assert_int_eq(rpc_call(rpc, PROTO_MSG_hello, NULL, rec_cb, &rec, NULL), 0);
	rpc_destroy(rpc);
	rpc = NULL;
	ck_assert_int_eq(rec.calls, 0);
}
END_TEST

/* After the broker restarts on the same address, the retry reaches the new one. */
START_TEST(test_reconnect)
{
	char ep[128];
	size_t eplen = sizeof ep;
	struct rpc_opts o = { .endpoint = ep, .user = "carol", .timeout_ms = 100, .tries = 20 };
	struct rec rec = { 0 };
	char *cause = NULL;
	char cmd_id[PROTO_CMD_ID_MAX + 1];
	void *r2;
	int zero = 0;
	struct harness_fakebroker_req q;
	int64_t deadline;

	r2 = zmq_socket(ctx, ZMQ_ROUTER);
	zmq_setsockopt(r2, ZMQ_LINGER, &zero, sizeof zero);
	ck_assert_int_eq(zmq_bind(r2, "tcp://127.0.0.1:*"), 0);
	ck_assert_int_eq(zmq_getsockopt(r2, ZMQ_LAST_ENDPOINT, ep, &eplen), 0);
	rpc_destroy(rpc);
	rpc = rpc_create(ctx, &o, &cause);
	ck_assert_msg(rpc != NULL, "%s", cause ? cause : "?");

	ck_assert_int_eq(rpc_call(rpc, PROTO_MSG_hello, NULL, rec_cb, &rec, cmd_id), 0);
	harness_fakebroker_recv(r2, &q);
	ck_assert_str_eq(q.r.cmd_id, cmd_id);
	zmq_close(r2); /* the broker dies before answering ... */

	r2 = zmq_socket(ctx, ZMQ_ROUTER);
	zmq_setsockopt(r2, ZMQ_LINGER, &zero, sizeof zero);
	deadline = rd_mono_ms() + WAIT_MS;
	while (zmq_bind(r2, ep) != 0) {       /* ... and comes back on the same port */
		ck_assert_int_eq(errno, EADDRINUSE);
		ck_assert(rd_mono_ms() < deadline);
		harness_fakebroker_readable(rpc_socket(rpc), 10);
	}
	/* Resend (fake clock) until the new broker sees the request. */
	deadline = rd_mono_ms() + WAIT_MS;
	for (int64_t t = rd_mono_ms();; t += 1000) {
		ck_assert(rd_mono_ms() < deadline);
		rpc_process(rpc, t + 1000);
		if (harness_fakebroker_readable(r2, 300))
			break;
	}
	harness_fakebroker_recv(r2, &q);
	ck_assert_str_eq(q.r.cmd_id, cmd_id);
	harness_fakebroker_send(r2, &q, "", 0); /* junk first */
	reply_ok_on(r2, &q, 8);
	pump_until(&rec.calls, 1);
	ck_assert(rec.ok);
	ck_assert_int_eq(rec.ticket_id, 8);
	rpc_destroy(rpc);
	rpc = NULL;
	zmq_close(r2);
}
END_TEST

/* Issue 8: a command kept (rpc_keep) outlives its tries while the broker is down, reaches
 * the broker when it is back with the same cmd_id, and is applied exactly once: the fake
 * broker applies a cmd_id once and answers its repeats from its record, as the real one
 * does. */
START_TEST(test_keep_across_restart)
{
	char ep[128], applied[8][PROTO_CMD_ID_MAX + 1];
	size_t eplen = sizeof ep, n_applied = 0, dups = 0;
	struct rpc_opts o = { .endpoint = ep, .user = "dora", .timeout_ms = 100, .tries = 3 };
	struct rec rec = { 0 };
	char *cause = NULL;
	char cmd_id[PROTO_CMD_ID_MAX + 1];
	void *r2;
	int zero = 0;
	struct harness_fakebroker_req q;
	int64_t deadline, t;
	bool seen;

	r2 = zmq_socket(ctx, ZMQ_ROUTER);
	zmq_setsockopt(r2, ZMQ_LINGER, &zero, sizeof zero);
	ck_assert_int_eq(zmq_bind(r2, "tcp://127.0.0.1:*"), 0);
	ck_assert_int_eq(zmq_getsockopt(r2, ZMQ_LAST_ENDPOINT, ep, &eplen), 0);
	rpc_destroy(rpc);
	rpc = rpc_create(ctx, &o, &cause);
	ck_assert_msg(rpc != NULL, "%s", cause ? cause : "?");
	ck_assert_int_eq(rpc_keep(rpc, "no-such-id", RPC_KEEP_MS), -1);

	zmq_close(r2); /* the broker is down */
	ck_assert_int_eq(rpc_call(rpc, PROTO_MSG_ticket_get, &(struct proto_ticket_get){ .id = 4 },
	    rec_cb, &rec, cmd_id), 0);
	ck_assert_int_eq(rpc_keep(rpc, cmd_id, RPC_KEEP_MS), 0);
	ck_assert_int_eq(rpc_tries(rpc, cmd_id), 1);
	/* Far more time-outs than tries: still pending, no answer made up. */
	t = rd_mono_ms();
	for (int i = 0; i < 10; i++) {
		t += 1000;
		rpc_process(rpc, t);
	}
	ck_assert_int_eq(rec.calls, 0);
	ck_assert(rpc_is_pending(rpc, cmd_id));
	ck_assert_int_eq(rpc_tries(rpc, cmd_id), 11);

	r2 = zmq_socket(ctx, ZMQ_ROUTER);
	zmq_setsockopt(r2, ZMQ_LINGER, &zero, sizeof zero);
	deadline = rd_mono_ms() + WAIT_MS;
	while (zmq_bind(r2, ep) != 0) {       /* the broker comes back on the same port */
		ck_assert_int_eq(errno, EADDRINUSE);
		ck_assert(rd_mono_ms() < deadline);
		harness_fakebroker_readable(rpc_socket(rpc), 10);
	}
	/* Every copy that reaches the broker is answered; only the first is applied. */
	deadline = rd_mono_ms() + WAIT_MS;
	while (rec.calls == 0) {
		ck_assert(rd_mono_ms() < deadline);
		t += 1000;
		rpc_process(rpc, t);
		while (harness_fakebroker_readable(r2, 50)) {
			harness_fakebroker_recv(r2, &q);
			ck_assert_str_eq(q.r.cmd_id, cmd_id);
			seen = false;
			for (size_t i = 0; i < n_applied; i++)
				seen = seen || strcmp(applied[i], q.r.cmd_id) == 0;
			if (seen) {
				dups++;
			} else {
				ck_assert_uint_lt(n_applied, 8);
				rd_strlcpy(applied[n_applied++], q.r.cmd_id, sizeof applied[0]);
			}
			reply_ok_on(r2, &q, 40);
		}
		rpc_process(rpc, t);
	}
	ck_assert_int_eq(rec.calls, 1);
	ck_assert(rec.ok);
	ck_assert_int_eq(rec.ticket_id, 40);
	ck_assert_uint_eq(n_applied, 1);
	ck_assert_uint_eq(rpc_pending(rpc), 0);
	/* Repeats answered later call nothing more: a fresh request, answered after them,
	 * proves they were all handled. */
	struct rec hello = { 0 };
	char hid[PROTO_CMD_ID_MAX + 1];
	ck_assert_int_eq(rpc_call(rpc, PROTO_MSG_hello, NULL, rec_cb, &hello, hid), 0);
	for (;;) {
		harness_fakebroker_recv(r2, &q);
		reply_ok_on(r2, &q, 40);
		if (strcmp(q.r.cmd_id, hid) == 0)
			break;
		ck_assert_str_eq(q.r.cmd_id, cmd_id);
		dups++;
	}
	pump_until(&hello.calls, 1);
	ck_assert_int_eq(rec.calls, 1);
	ck_assert_uint_eq(n_applied, 1);
	rpc_destroy(rpc);
	rpc = NULL;
	zmq_close(r2);
}
END_TEST

/* Issue 8: past the window, no copy of a kept command that waited in the DEALER's queue
 * for an absent broker reaches it when it comes back (it could apply the command twice,
 * the idempotency record being gone): a request sent afterwards arrives first. */
START_TEST(test_keep_expired_never_sent)
{
	char ep[128], cmd_id[PROTO_CMD_ID_MAX + 1], hid[PROTO_CMD_ID_MAX + 1];
	size_t eplen = sizeof ep;
	struct rpc_opts o = { .endpoint = ep, .user = "dora", .timeout_ms = 100, .tries = 3 };
	struct rec rec = { 0 }, hello = { 0 };
	struct harness_fakebroker_req q;
	char *cause = NULL;
	int zero = 0;
	int64_t deadline, t;
	void *r2;

	r2 = zmq_socket(ctx, ZMQ_ROUTER);
	zmq_setsockopt(r2, ZMQ_LINGER, &zero, sizeof zero);
	ck_assert_int_eq(zmq_bind(r2, "tcp://127.0.0.1:*"), 0);
	ck_assert_int_eq(zmq_getsockopt(r2, ZMQ_LAST_ENDPOINT, ep, &eplen), 0);
	zmq_close(r2);	/* the broker is down (and was never reached: nothing in flight) */
	rpc_destroy(rpc);
	rpc = rpc_create(ctx, &o, &cause);
	ck_assert_msg(rpc != NULL, "%s", cause ? cause : "?");

	ck_assert_int_eq(rpc_call(rpc, PROTO_MSG_ticket_note, &(struct proto_ticket_note){
	    .id = 4, .text = "twice?" }, rec_cb, &rec, cmd_id), 0);
	ck_assert_int_eq(rpc_keep(rpc, cmd_id, 3000), 0);
	t = rd_mono_ms();
	for (int i = 0; i < 5; i++) {	/* copies pile up in the queue, then the window ends */
		t += 1000;
		rpc_process(rpc, t);
	}
	ck_assert_int_eq(rec.calls, 1);
	ck_assert_int_eq(rec.code, PROTO_E_UNAVAILABLE);

	r2 = zmq_socket(ctx, ZMQ_ROUTER);
	zmq_setsockopt(r2, ZMQ_LINGER, &zero, sizeof zero);
	deadline = rd_mono_ms() + WAIT_MS;
	while (zmq_bind(r2, ep) != 0) {       /* the broker comes back on the same port */
		ck_assert_int_eq(errno, EADDRINUSE);
		ck_assert(rd_mono_ms() < deadline);
		harness_fakebroker_readable(rpc_socket(rpc), 10);
	}
	hello.calls = 0;
	ck_assert_int_eq(rpc_call(rpc, PROTO_MSG_hello, NULL, rec_cb, &hello, hid), 0);
	harness_fakebroker_recv(r2, &q);
	ck_assert_str_eq(q.r.cmd_id, hid);	/* not a copy of the expired note */
	reply_ok_on(r2, &q, 1);
	pump_until(&hello.calls, 1);
	ck_assert_int_eq(rec.calls, 1);
	rpc_destroy(rpc);
	rpc = NULL;
	zmq_close(r2);
}
END_TEST

/* Past the window a kept command ends with PROTO_E_UNAVAILABLE, naming the window. */
START_TEST(test_keep_window_ends)
{
	struct rec rec = { 0 };
	struct harness_fakebroker_req q;
	char cmd_id[PROTO_CMD_ID_MAX + 1];
	int64_t t0 = rd_mono_ms();

	ck_assert_int_eq(rpc_call(rpc, PROTO_MSG_hello, NULL, rec_cb, &rec, cmd_id), 0);
	ck_assert_int_eq(rpc_keep(rpc, cmd_id, 5000), 0);
	recv_req(&q);
	for (int64_t t = t0 + 1000; t < t0 + 4900; t += 1000)
		rpc_process(rpc, t);
	ck_assert_int_eq(rec.calls, 0);
	rpc_process(rpc, t0 + 6000);
	ck_assert_int_eq(rec.calls, 1);
	ck_assert(rec.err);
	ck_assert_int_eq(rec.code, PROTO_E_UNAVAILABLE);
	ck_assert_msg(strstr(rec.message, "within 5 s") != NULL, "%s", rec.message);
	ck_assert_uint_eq(rpc_pending(rpc), 0);
}
END_TEST

/* ---- rpc_call_sync, with the broker in a thread ---- */

struct script {
	enum { SC_SNAPSHOT, SC_ERROR, SC_SILENT, SC_TICKET } what;
	enum harness_fakebroker_snap fault;
	int parts;
};

static void *
broker_thread(void *arg)
{
	struct script *sc = arg;
	struct harness_fakebroker_req q;

	recv_req(&q);
	switch (sc->what) {
	case SC_SNAPSHOT:
		reply_snapshot_on(router, &q, sc->parts, sc->fault);
		break;
	case SC_ERROR:
		reply_error(&q, PROTO_E_FORBIDDEN, "not yours");
		break;
	case SC_TICKET:
		reply_ok(&q, 31);
		break;
	case SC_SILENT:
		break;
	}
	return NULL;
}

static const struct {
	struct script sc;
	enum proto_msg_id op;
	int rc;
	bool ok;
	size_t tickets;
	enum proto_err code;
} sync_cases[] = {
	{ { SC_SNAPSHOT, HARNESS_FAKEBROKER_SNAP_WHOLE, 3 }, PROTO_MSG_snapshot, 0, true, 3,
	    PROTO_E_OK },
	{ { SC_SNAPSHOT, HARNESS_FAKEBROKER_SNAP_WHOLE, 1 }, PROTO_MSG_snapshot, 0, true, 1,
	    PROTO_E_OK },
	{ { SC_SNAPSHOT, HARNESS_FAKEBROKER_SNAP_SKIP_PART2, 3 }, PROTO_MSG_snapshot, -1, false,
	    0, PROTO_E_UNAVAILABLE },
	{ { SC_SNAPSHOT, HARNESS_FAKEBROKER_SNAP_TOTAL_OFF, 2 }, PROTO_MSG_snapshot, -1, false, 0,
	    PROTO_E_UNAVAILABLE },
	{ { SC_SNAPSHOT, HARNESS_FAKEBROKER_SNAP_OTHER_HEAD, 3 }, PROTO_MSG_snapshot, -1, false,
	    0, PROTO_E_UNAVAILABLE },
	{ { SC_ERROR, HARNESS_FAKEBROKER_SNAP_WHOLE, 0 }, PROTO_MSG_ticket_get, 0, false, 0,
	    PROTO_E_FORBIDDEN },
	{ { SC_TICKET, HARNESS_FAKEBROKER_SNAP_WHOLE, 0 }, PROTO_MSG_ticket_get, 0, true, 0,
	    PROTO_E_OK },
	{ { SC_SILENT, HARNESS_FAKEBROKER_SNAP_WHOLE, 0 }, PROTO_MSG_hello, -1, false, 0,
	    PROTO_E_UNAVAILABLE },
	{ { SC_TICKET, HARNESS_FAKEBROKER_SNAP_WHOLE, 0 }, PROTO_MSG_dispatch_candidates, 0, true,
	    0, PROTO_E_OK },
};

START_TEST(test_call_sync)
{
	struct script sc = sync_cases[_i].sc;
	struct proto_reply out;
	struct proto_error err = { 0 };
	struct proto_ticket_get a = { .id = 31 };
	struct proto_dispatch_candidates dc = { .id = 31 };
	pthread_t th;
	int rc;

	make_rpc("alice", 1000, 1);
	ck_assert_int_eq(pthread_create(&th, NULL, broker_thread, &sc), 0);
	rc = rpc_call_sync(rpc, sync_cases[_i].op,
	    sync_cases[_i].op == PROTO_MSG_ticket_get ? (const void *)&a :
	    sync_cases[_i].op == PROTO_MSG_dispatch_candidates ? (const void *)&dc : NULL, &out,
	    &err, 300);
	ck_assert_int_eq(pthread_join(th, NULL), 0);
	ck_assert_int_eq(rc, sync_cases[_i].rc);
	ck_assert_uint_eq(rpc_pending(rpc), 0);
	if (rc < 0) {
		ck_assert_int_eq(err.code, sync_cases[_i].code);
	} else {
		ck_assert_int_eq(out.ok, sync_cases[_i].ok);
		if (!out.ok)
			ck_assert_int_eq(out.error.code, sync_cases[_i].code);
		ck_assert_uint_eq(out.n_tickets, sync_cases[_i].tickets);
		for (size_t i = 0; i < out.n_tickets; i++)
			ck_assert_int_eq(out.tickets[i].id, (int64_t)i + 1);
		if (sync_cases[_i].op == PROTO_MSG_snapshot) {
			ck_assert_int_eq(out.snap.epoch, 7);
			ck_assert_int_eq(out.snap.seq_warning, 30);
			ck_assert_int_eq(out.snap.part, out.snap.parts);
		} else if (sync_cases[_i].op == PROTO_MSG_dispatch_candidates) {
			/* the reply handed to the callback is freed after it: out owns copies */
			ck_assert_int_eq(out.ticket.id, 31);
			ck_assert_uint_eq(out.n_candidates, 2);
			ck_assert_str_eq(out.candidates[0].truck, "TRUCK-1");
			ck_assert_str_eq(out.candidates[1].truck, "TRUCK-2");
			ck_assert_int_eq(out.candidates[1].eta_s, 1200);
		} else if (out.ok) {
			ck_assert_int_eq(out.ticket.id, 31);
			ck_assert_uint_eq(out.n_events, 1);
			ck_assert_str_eq(out.events[0].kind, "created");
		}
	}
	proto_reply_finish(&out);
}
END_TEST

/* ---- the snapshot assembler alone ---- */

static struct proto_reply
part(int64_t p, int64_t parts, int64_t total, size_t n, int64_t seq)
{
	struct proto_reply r;

	memset(&r, 0, sizeof r);
	r.ok = true;
	r.op_id = PROTO_MSG_snapshot;
	r.snap.epoch = 1;
	r.snap.seq_ticket = seq;
	r.snap.part = p;
	r.snap.parts = parts;
	r.snap.total_tickets = total;
	r.n_tickets = n;
	r.tickets = n ? xcalloc(n, sizeof *r.tickets) : NULL;
	for (size_t i = 0; i < n; i++)
		r.tickets[i].id = (int64_t)i + 1;
	return r;
}

struct snap_step {
	int64_t p, parts, total;
	size_t n;
	int64_t seq;
	int want;
};

static const struct {
	const char *name;
	int n;
	struct snap_step steps[5];
} snap_cases[] = {
	{ "whole", 3, { { 1, 3, 4, 2, 5, 0 }, { 2, 3, 4, 0, 5, 0 }, { 3, 3, 4, 2, 5, 1 } } },
	{ "one part", 1, { { 1, 1, 0, 0, 5, 1 } } },
	{ "missing middle", 2, { { 1, 3, 3, 1, 5, 0 }, { 3, 3, 3, 1, 5, -1 } } },
	/* The totals cannot tell: only the part numbers can. */
	{ "missing empty middle", 2, { { 1, 3, 2, 1, 5, 0 }, { 3, 3, 2, 1, 5, -1 } } },
	{ "part twice", 3, { { 1, 3, 2, 1, 5, 0 }, { 2, 3, 2, 0, 5, 0 }, { 2, 3, 2, 1, 5, -1 } } },
	{ "starts late", 1, { { 2, 3, 3, 1, 5, -1 } } },
	{ "short of total", 2, { { 1, 2, 5, 2, 5, 0 }, { 2, 2, 5, 2, 5, -1 } } },
	{ "beyond total", 2, { { 1, 2, 2, 2, 5, 0 }, { 2, 2, 2, 1, 5, -1 } } },
	{ "another head", 2, { { 1, 2, 2, 1, 5, 0 }, { 2, 2, 2, 1, 6, -1 } } },
	{ "part > parts", 1, { { 4, 3, 3, 1, 5, -1 } } },
	{ "restart", 4, { { 1, 2, 2, 1, 5, 0 }, { 1, 2, 2, 1, 6, 0 }, { 2, 2, 2, 1, 6, 1 },
		{ 1, 1, 0, 0, 7, 1 } } },
	{ "after failure", 3, { { 2, 2, 2, 1, 5, -1 }, { 1, 2, 2, 1, 5, 0 },
		{ 2, 2, 2, 1, 5, 1 } } },
};

START_TEST(test_snap_assembler)
{
	struct rpc_snap s;
	struct proto_error err;

	rpc_snap_init(&s);
	for (int k = 0; k < snap_cases[_i].n; k++) {
		const struct snap_step *st = &snap_cases[_i].steps[k];
		struct proto_reply r = part(st->p, st->parts, st->total, st->n, st->seq);
		int rc = rpc_snap_add(&s, &r, &err);

		ck_assert_msg(rc == st->want, "%s step %d: got %d want %d", snap_cases[_i].name, k,
		    rc, st->want);
		if (rc < 0)
			ck_assert_int_eq(err.code, PROTO_E_UNAVAILABLE);
		if (rc == 1) {
			ck_assert_int_eq((int64_t)s.n_tickets, st->total);
			ck_assert_int_eq(s.head.seq_ticket, st->seq);
		}
		proto_reply_finish(&r);
	}
	rpc_snap_finish(&s);
}
END_TEST

START_TEST(test_endpoints_split)
{
	static const struct {
		const char *list;
		int n;
	} cases[] = {
		{ "tcp://a:1", 1 }, { "tcp://a:1,tcp://b:2,ipc:///c", 3 }, { "", -1 },
		{ "tcp://a:1,", -1 }, { ",tcp://a:1", -1 }, { "a,,b", -1 },
		{ "1,2,3,4,5,6,7,8", 8 }, { "1,2,3,4,5,6,7,8,9", -1 },
	};
	char *eps[RPC_ENDPOINTS_MAX], *cause;
	struct rpc_opts o = { .endpoint = "tcp://127.0.0.1:1,,tcp://127.0.0.1:2" };
	int n;

	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		cause = NULL;
		n = rpc_endpoints_split(cases[i].list, eps, &cause);
		ck_assert_msg(n == cases[i].n, "'%s': %d, want %d", cases[i].list, n, cases[i].n);
		if (n < 0) {
			ck_assert_ptr_nonnull(cause);
			free(cause);
			continue;
		}
		ck_assert_str_eq(eps[0], cases[i].list[0] == 't' ? "tcp://a:1" : "1");
		if (n == 3)
			ck_assert_str_eq(eps[2], "ipc:///c");
		while (n > 0)
			free(eps[--n]);
	}
	cause = NULL;
	ck_assert_ptr_null(rpc_create(ctx, &o, &cause));
	ck_assert_ptr_nonnull(cause);
	free(cause);
	ck_assert_int_eq(rpc_endpoint(rpc, NULL), 0);
}
END_TEST

/* The first broker of the list is a standby naming the second: the command arrives there
 * with its cmd_id, at once, and the one answer is delivered once. */
START_TEST(test_follow_leader)
{
	struct rec rec = { 0 };
	struct proto_ticket_get a = { .id = 5 };
	char cmd_id[PROTO_CMD_ID_MAX + 1];
	struct harness_fakebroker_req q1, q2;
	void *router2 = group_setup(3);
	uint64_t moves;

	ck_assert_int_eq(rpc_call(rpc, PROTO_MSG_ticket_get, &a, rec_cb, &rec, cmd_id), 0);
	ck_assert_int_eq(rpc_keep(rpc, cmd_id, RPC_KEEP_MS), 0);
	recv_req(&q1);
	ck_assert_str_eq(q1.r.cmd_id, cmd_id);
	reply_not_leader_on(router, &q1, EP2);
	pump_to(router2);
	recv_req_on(router2, &q2);
	ck_assert_str_eq(q2.r.cmd_id, cmd_id);
	ck_assert_uint_eq(q2.len, q1.len);
	ck_assert_mem_eq(q2.body, q1.body, q1.len);
	ck_assert_int_eq(rec.calls, 0); /* the not_leader is not the answer */
	ck_assert_int_eq(rpc_endpoint(rpc, &moves), 1);
	ck_assert_uint_eq(moves, 1);
	ck_assert_int_eq(rpc_tries(rpc, cmd_id), 2);

	/* The leader answers; a second copy of the answer (its idempotency record answering a
	 * retry) is dropped. */
	reply_ok_on(router2, &q2, 5);
	reply_ok_on(router2, &q2, 5);
	pump_until(&rec.calls, 1);
	ck_assert(rec.ok);
	ck_assert_int_eq(rec.ticket_id, 5);
	ck_assert_str_eq(rec.cmd_id, cmd_id);
	{
		struct rec b = { 0 };
		struct harness_fakebroker_req qb;

		ck_assert_int_eq(rpc_call(rpc, PROTO_MSG_hello, NULL, rec_cb, &b, NULL), 0);
		recv_req_on(router2, &qb);
		reply_ok_on(router2, &qb, 1);
		pump_until(&b.calls, 1);
	}
	ck_assert_int_eq(rec.calls, 1);
	ck_assert_uint_eq(rpc_pending(rpc), 0);
	ck_assert(!harness_fakebroker_readable(router, 0)); /* nothing more went to the standby */
	zmq_close(router2);
}
END_TEST

/* A leader that is not in the list: the next endpoint, tried at the time-out; a time-out
 * there moves on again (round the list), the cmd_id the same all along. */
START_TEST(test_follow_rotate)
{
	struct rec rec = { 0 };
	char cmd_id[PROTO_CMD_ID_MAX + 1];
	struct harness_fakebroker_req q1, q2, q3;
	void *router2 = group_setup(5);
	uint64_t moves = 0;
	int64_t deadline = rd_mono_ms() + WAIT_MS, t0;

	ck_assert_int_eq(rpc_call(rpc, PROTO_MSG_hello, NULL, rec_cb, &rec, cmd_id), 0);
	recv_req(&q1);
	reply_not_leader_on(router, &q1, "tcp://elsewhere:7710");
	while (rpc_endpoint(rpc, &moves) != 1) {
		ck_assert_msg(rd_mono_ms() < deadline, "did not move on");
		harness_fakebroker_readable(rpc_socket(rpc), 10);
		rpc_process(rpc, rd_mono_ms());
	}
	ck_assert_int_eq(rec.calls, 0);
	ck_assert(!harness_fakebroker_readable(router2, 0)); /* not at once */
	t0 = rd_mono_ms();
	rpc_process(rpc, t0 + 1000);
	recv_req_on(router2, &q2);
	ck_assert_str_eq(q2.r.cmd_id, cmd_id);
	ck_assert_int_eq(rpc_endpoint(rpc, NULL), 1); /* the try there was not yet timed out */
	rpc_process(rpc, t0 + 2000); /* no answer from the second: back to the first */
	recv_req(&q3);
	ck_assert_str_eq(q3.r.cmd_id, cmd_id);
	ck_assert_int_eq(rpc_endpoint(rpc, &moves), 0);
	ck_assert_uint_eq(moves, 2);
	reply_ok(&q3, 9);
	pump_until(&rec.calls, 1);
	ck_assert(rec.ok);
	ck_assert_int_eq(rec.ticket_id, 9);
	zmq_close(router2);
}
END_TEST

/* A socket of the group (here a PUSH, as the sim's feed; the replica's SUB the same way)
 * follows the rpc: after the move to the second broker, what it sends reaches the second
 * broker's socket, and nothing more the first's. */
START_TEST(test_follow_socket)
{
	struct rec rec = { 0 };
	struct harness_fakebroker_req q;
	struct rpc_follow f;
	void *router2 = group_setup(3);
	void *pull[2], *push = zmq_socket(ctx, ZMQ_PUSH);
	const char *feeds = "inproc://check-rpc-feed-1,inproc://check-rpc-feed-2";
	char *cause = NULL, buf[8];
	int zero = 0, i;

	zmq_setsockopt(push, ZMQ_LINGER, &zero, sizeof zero);
	for (i = 0; i < 2; i++) {
		pull[i] = zmq_socket(ctx, ZMQ_PULL);
		zmq_setsockopt(pull[i], ZMQ_LINGER, &zero, sizeof zero);
		ck_assert_int_eq(zmq_bind(pull[i], i == 0 ? "inproc://check-rpc-feed-1" :
		    "inproc://check-rpc-feed-2"), 0);
	}
	ck_assert_int_eq(rpc_follow_start(&f, rpc, push, "a,,b", &cause), -1);
	free(cause);
	ck_assert_int_eq(rpc_follow_start(&f, rpc, push, feeds, &cause), 0);
	ck_assert(!rpc_follow(&f, rpc, push)); /* the rpc has not moved */
	ck_assert_int_eq(zmq_send(push, "one", 3, 0), 3);
	ck_assert(harness_fakebroker_readable(pull[0], WAIT_MS));
	ck_assert_int_eq(zmq_recv(pull[0], buf, sizeof buf, 0), 3);

	ck_assert_int_eq(rpc_call(rpc, PROTO_MSG_hello, NULL, rec_cb, &rec, NULL), 0);
	recv_req(&q);
	reply_not_leader_on(router, &q, EP2);
	pump_to(router2);
	ck_assert(rpc_follow(&f, rpc, push));
	ck_assert_int_eq(f.cur, 1);
	ck_assert(!rpc_follow(&f, rpc, push)); /* once */
	ck_assert_int_eq(zmq_send(push, "two", 3, 0), 3);
	ck_assert(harness_fakebroker_readable(pull[1], WAIT_MS));
	ck_assert_int_eq(zmq_recv(pull[1], buf, sizeof buf, 0), 3);
	ck_assert_mem_eq(buf, "two", 3);
	ck_assert(!harness_fakebroker_readable(pull[0], 0));
	rpc_follow_finish(&f);
	zmq_close(push);
	zmq_close(pull[0]);
	zmq_close(pull[1]);
	zmq_close(router2);
}
END_TEST

/* One endpoint: a not_leader reply is the caller's to see, as any error. */
START_TEST(test_not_leader_single)
{
	struct rec rec = { 0 };
	struct harness_fakebroker_req q;

	ck_assert_int_eq(rpc_call(rpc, PROTO_MSG_hello, NULL, rec_cb, &rec, NULL), 0);
	recv_req(&q);
	reply_not_leader_on(router, &q, EP2);
	pump_until(&rec.calls, 1);
	ck_assert(!rec.ok);
	ck_assert_int_eq(rec.code, PROTO_E_NOT_LEADER);
	ck_assert_int_eq(rpc_endpoint(rpc, NULL), 0);
}
END_TEST

static Suite *
rpc_suite(void)
{
	Suite *s = suite_create("rpc");
	TCase *tc;

	tc = tcase_create("round_trip");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_round_trip);
	tcase_add_test(tc, test_cmd_ids);
	tcase_add_test(tc, test_bad_opts);
	suite_add_tcase(s, tc);

	tc = tcase_create("retry");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_retry_same_cmd_id);
	tcase_add_test(tc, test_give_up);
	tcase_add_test(tc, test_reconnect);
	tcase_add_test(tc, test_keep_across_restart);
	tcase_add_test(tc, test_keep_window_ends);
	tcase_add_test(tc, test_keep_expired_never_sent);
	tcase_set_timeout(tc, 20);
	suite_add_tcase(s, tc);

	tc = tcase_create("errors");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, test_error_reply, 0, (int)ARRAY_LEN(error_codes));
	tcase_add_loop_test(tc, test_malformed_dropped, 0, (int)ARRAY_LEN(junk));
	tcase_add_test(tc, test_bad_reply_to_request);
	suite_add_tcase(s, tc);

	tc = tcase_create("snapshot");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_snapshot_parts);
	tcase_add_test(tc, test_snapshot_timer);
	tcase_add_loop_test(tc, test_snap_assembler, 0, (int)ARRAY_LEN(snap_cases));
	suite_add_tcase(s, tc);

	tc = tcase_create("group");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_endpoints_split);
	tcase_add_test(tc, test_follow_leader);
	tcase_add_test(tc, test_follow_rotate);
	tcase_add_test(tc, test_not_leader_single);
	tcase_add_test(tc, test_follow_socket);
	suite_add_tcase(s, tc);

	tc = tcase_create("cancel");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_cancel);
	suite_add_tcase(s, tc);

	tc = tcase_create("sync");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, test_call_sync, 0, (int)ARRAY_LEN(sync_cases));
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return harness_fakebroker_main(rpc_suite());
}
