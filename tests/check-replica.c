/* check-replica.c: the replica against a scripted fake broker: a ROUTER (snapshots) and a
 * PUB (updates, heartbeats) bound on inproc in the test's own zmq context and driven from
 * the test thread by interleaving calls. Every wait is a poll loop with a deadline. */
#include <check.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include "proto.h"
#include "replica.h"
#include "rpc.h"
#include "util.h"

#include "harness-fakebroker.h"

#define RPC_EP "inproc://check-replica-rpc"
#define PUB_EP "inproc://check-replica-pub"
#define WAIT_MS 5000
#define HB_EVERY_MS 20

enum { T = PROTO_STREAM_TICKET, K = PROTO_STREAM_TRUCK, W = PROTO_STREAM_WARNING };

static void *ctx;
static void *router;
static void *pub;
static struct rpc *rpc;
static struct replica *rep;

/* ---- the fake broker's state ---- */

static struct harness_fakebroker_world world;

static bool keepalive;     /* drive loops publish a heartbeat every HB_EVERY_MS */
static int64_t last_hb_at; /* when the last one went out (monotonic) */

/* ---- what the callbacks saw ---- */

struct ev {
	char kind; /* 't' ticket, 'k' truck, 'w' warning, 's' state */
	char id[32];
	bool old, now;
	int64_t ver;   /* of now, or of old when removed */
	char what[25]; /* ticket state, truck status, warning level */
	enum replica_state from, to;
};

static struct ev evs[512];
static int nev;

static struct ev *
ev_add(char kind)
{
	ck_assert_int_lt(nev, (int)ARRAY_LEN(evs));
	memset(&evs[nev], 0, sizeof evs[nev]);
	evs[nev].kind = kind;
	return &evs[nev++];
}

static void
on_ticket(void *c, const struct proto_ticket *old, const struct proto_ticket *now)
{
	struct ev *e = ev_add('t');
	const struct proto_ticket *x = now != NULL ? now : old;

	(void)c;
	ck_assert_ptr_nonnull(x);
	snprintf(e->id, sizeof e->id, "%lld", (long long)x->id);
	e->old = old != NULL;
	e->now = now != NULL;
	e->ver = x->ver;
	rd_strlcpy(e->what, x->state, sizeof e->what);
	/* Lookups from a callback already see the new state. */
	ck_assert_ptr_eq(replica_ticket(rep, x->id), now);
}

static void
on_truck(void *c, const struct proto_truck *old, const struct proto_truck *now)
{
	struct ev *e = ev_add('k');
	const struct proto_truck *x = now != NULL ? now : old;

	(void)c;
	ck_assert_ptr_nonnull(x);
	rd_strlcpy(e->id, x->id, sizeof e->id);
	e->old = old != NULL;
	e->now = now != NULL;
	e->ver = x->ver;
	rd_strlcpy(e->what, x->status, sizeof e->what);
	ck_assert_ptr_eq(replica_truck(rep, x->id), now);
}

static void
on_warning(void *c, const struct proto_warning *old, const struct proto_warning *now)
{
	struct ev *e = ev_add('w');
	const struct proto_warning *x = now != NULL ? now : old;

	(void)c;
	ck_assert_ptr_nonnull(x);
	snprintf(e->id, sizeof e->id, "%lld", (long long)x->id);
	e->old = old != NULL;
	e->now = now != NULL;
	e->ver = x->ver;
	rd_strlcpy(e->what, x->level, sizeof e->what);
	if (now != NULL)
		ck_assert(!now->cleared);
}

static void
on_state(void *c, enum replica_state from, enum replica_state to)
{
	struct ev *e = ev_add('s');

	(void)c;
	ck_assert_int_ne(from, to);
	e->from = from;
	e->to = to;
}

static void
on_change(void *c, enum proto_stream s, const void *old, const void *now)
{
	switch (s) {
	case PROTO_STREAM_TICKET:
		on_ticket(c, old, now);
		break;
	case PROTO_STREAM_TRUCK:
		on_truck(c, old, now);
		break;
	case PROTO_STREAM_WARNING:
		on_warning(c, old, now);
		break;
	default: /* streams added later have their own test (test_stream_table) */
		break;
	}
}

static const struct replica_ops ops = { .change = on_change, .state = on_state };

/* Events of a kind (and id, if not NULL) from index `from` on. */
static int
count_ev(char kind, const char *id, int from)
{
	int n = 0;

	for (int i = from; i < nev; i++)
		if (evs[i].kind == kind && (id == NULL || strcmp(evs[i].id, id) == 0))
			n++;
	return n;
}

static const struct ev *
last_ev(char kind, const char *id)
{
	for (int i = nev - 1; i >= 0; i--)
		if (evs[i].kind == kind && (id == NULL || strcmp(evs[i].id, id) == 0))
			return &evs[i];
	return NULL;
}

static bool
saw_state(enum replica_state from, enum replica_state to, int since)
{
	for (int i = since; i < nev; i++)
		if (evs[i].kind == 's' && evs[i].from == from && evs[i].to == to)
			return true;
	return false;
}

/* ---- entities ---- */

static struct proto_ticket
mk_ticket(int64_t id, const char *state, int64_t ver)
{
	return harness_fakebroker_ticket(id, state, ver);
}

static struct proto_truck
mk_truck(const char *id, const char *status, int64_t ver)
{
	struct proto_truck k;

	memset(&k, 0, sizeof k);
	PROTO_STRSET(k.id, id);
	PROTO_STRSET(k.kind, "tow");
	PROTO_STRSET(k.status, status);
	k.ver = ver;
	PROTO_SET(&k, truck, ver);
	return k;
}

static struct proto_warning
mk_warning(int64_t id, bool cleared, int64_t ver)
{
	struct proto_warning w;

	memset(&w, 0, sizeof w);
	w.id = id;
	w.ticket = 1;
	PROTO_STRSET(w.kind, "sla");
	PROTO_STRSET(w.level, cleared ? "info" : "warn");
	w.ts = 5000;
	w.cleared = cleared;
	PROTO_SET(&w, warning, cleared);
	w.ver = ver;
	PROTO_SET(&w, warning, ver);
	return w;
}

/* ---- publishing ---- */

static void
publish(const char *topic, const void *body, size_t len)
{
	ck_assert_int_eq(zmq_send(pub, topic, strlen(topic), ZMQ_SNDMORE), (int)strlen(topic));
	ck_assert_int_eq(zmq_send(pub, body, len, 0), (int)len);
}

/* Publish an entity with the given stream seq (the broker's seq moves up to it). */
static void
pub_entity(enum proto_msg_id m, int s, int64_t seq, const void *e)
{
	struct proto_buf b;

	proto_buf_init(&b);
	proto_encode_pub(&b, m, world.epoch, seq, ++world.ts, e);
	publish(proto_topic_name(m), b.data, b.len);
	proto_buf_finish(&b);
	if (seq > world.seq[s])
		world.seq[s] = seq;
}

static void
pub_ticket(int64_t seq, struct proto_ticket t)
{
	pub_entity(PROTO_MSG_ticket, T, seq, &t);
}

static void
pub_truck(int64_t seq, struct proto_truck k)
{
	pub_entity(PROTO_MSG_truck, K, seq, &k);
}

static void
pub_warning(int64_t seq, struct proto_warning w)
{
	pub_entity(PROTO_MSG_warning, W, seq, &w);
}

/* A heartbeat announcing the world's seqs; returns its ts. */
static int64_t
pub_hb(void)
{
	struct proto_hb hb;
	struct proto_buf b;

	memset(&hb, 0, sizeof hb);
	hb.v = 1;
	hb.epoch = world.epoch;
	hb.seq = ++world.hbseq;
	hb.ts = ++world.ts;
	for (int s = 0; s < PROTO_STREAM_COUNT; s++)
		proto_hb_set_seq(&hb, s, world.seq[s]);
	hb.time_scale = 60;
	PROTO_SET(&hb, hb, time_scale);
	/* proto_encode_pub nests the body under its topic: a heartbeat is the bare map. */
	proto_buf_init(&b);
	proto_pack_obj(&b, PROTO_MSG_hb, &hb, 0);
	publish("hb", b.data, b.len);
	proto_buf_finish(&b);
	last_hb_at = rd_mono_ms();
	return hb.ts;
}

/* ---- the ROUTER side ---- */

/* A snapshot request within WAIT_MS. */
static void
recv_req(struct harness_fakebroker_req *q)
{
	harness_fakebroker_recv(router, q);
	ck_assert_int_eq(q->r.op, PROTO_MSG_snapshot);
}

/* Answer a snapshot request with the world, entities dealt round-robin over `parts`. */
static void
send_snapshot(const struct harness_fakebroker_req *q, int parts,
    enum harness_fakebroker_snap fault)
{
	harness_fakebroker_snapshot(router, q, &world, parts, fault);
}

/* ---- driving ---- */

typedef bool (*pred_fn)(const void *arg);

/* Run the client's loop (and the broker's heartbeat if keepalive) until pred holds. */
static bool
drive_until(pred_fn pred, const void *arg)
{
	int64_t deadline = rd_mono_ms() + WAIT_MS;

	for (;;) {
		int64_t now = rd_mono_ms();
		zmq_pollitem_t it[2] = {
			{ rpc_socket(rpc), 0, ZMQ_POLLIN, 0 },
			{ rep != NULL ? replica_socket(rep) : NULL, -1, ZMQ_POLLIN, 0 },
		};
		int t = HB_EVERY_MS / 2, n;

		if (keepalive && now - last_hb_at >= HB_EVERY_MS)
			pub_hb();
		rpc_process(rpc, now);
		if (rep != NULL)
			replica_process(rep, now);
		if (pred(arg))
			return true;
		if (now >= deadline)
			return false;
		n = rpc_next_timeout(rpc, now);
		if (n >= 0 && n < t)
			t = n;
		if (rep != NULL) {
			n = replica_next_timeout(rep, now);
			if (n >= 0 && n < t)
				t = n;
		}
		zmq_poll(it, rep != NULL ? 2 : 1, t);
	}
}

static bool
p_request(const void *arg)
{
	(void)arg;
	return harness_fakebroker_readable(router, 0);
}

static bool
p_state(const void *arg)
{
	return replica_state(rep) == *(const enum replica_state *)arg;
}

static bool
p_applied(const void *arg)
{
	struct replica_stats st;

	replica_stats(rep, &st);
	return st.applied >= *(const uint64_t *)arg;
}

static bool
p_broker_time(const void *arg)
{
	return replica_broker_time(rep) == *(const int64_t *)arg;
}

#define DRIVE(pred, arg) ck_assert_msg(drive_until(pred, arg), "timed out waiting: " #pred)

static void
wait_state(enum replica_state s)
{
	ck_assert_msg(drive_until(p_state, &s), "state %s, want %s",
	    replica_state_name(replica_state(rep)), replica_state_name(s));
}

static void
wait_applied(uint64_t n)
{
	DRIVE(p_applied, &n);
}

/* Publish a heartbeat and wait until the replica has read it (and all before it). */
static void
flush_sub(void)
{
	int64_t ts = pub_hb();

	DRIVE(p_broker_time, &ts);
}

/* The full Clone start-up: heartbeats until the snapshot request, then the snapshot. */
static void
sync_world(int parts)
{
	struct harness_fakebroker_req q;

	keepalive = true;
	DRIVE(p_request, NULL);
	recv_req(&q);
	send_snapshot(&q, parts, HARNESS_FAKEBROKER_SNAP_WHOLE);
	wait_state(REPLICA_LIVE);
}

static void
make_replica(int stale_ms, bool trucks)
{
	struct replica_opts o = { .pub_endpoint = PUB_EP, .stale_ms = stale_ms,
		.skip = trucks ? 0 : 1u << PROTO_STREAM_TRUCK };
	char *cause = NULL;

	replica_destroy(rep);
	rep = replica_create(ctx, rpc, &o, &ops, NULL, &cause);
	ck_assert_msg(rep != NULL, "replica_create: %s", cause ? cause : "?");
}

static void
setup(void)
{
	struct rpc_opts ro = { .endpoint = RPC_EP, .user = "tester" };
	char *cause = NULL;
	int zero = 0;

	ctx = zmq_ctx_new();
	router = zmq_socket(ctx, ZMQ_ROUTER);
	pub = zmq_socket(ctx, ZMQ_PUB);
	zmq_setsockopt(router, ZMQ_LINGER, &zero, sizeof zero);
	zmq_setsockopt(pub, ZMQ_LINGER, &zero, sizeof zero);
	ck_assert_int_eq(zmq_bind(router, RPC_EP), 0);
	ck_assert_int_eq(zmq_bind(pub, PUB_EP), 0);
	rpc = rpc_create(ctx, &ro, &cause);
	ck_assert_msg(rpc != NULL, "%s", cause ? cause : "?");
	rep = NULL;
	make_replica(0, true);

	memset(&world, 0, sizeof world);
	world.epoch = 1;
	world.ts = 1700000000000;
	keepalive = false;
	last_hb_at = 0;
	nev = 0;
}

static void
teardown(void)
{
	replica_destroy(rep);
	rep = NULL;
	rpc_destroy(rpc);
	rpc = NULL;
	zmq_close(router);
	zmq_close(pub);
	zmq_ctx_term(ctx);
}

/* A small world: tickets 1 and 2, truck T-1, warning 1 active and 2 cleared. */
static void
small_world(void)
{
	world.seq[T] = 3;
	world.seq[K] = 5;
	world.seq[W] = 2;
	world.t[0] = mk_ticket(1, "new", 2);
	world.t[1] = mk_ticket(2, "dispatched", 3);
	world.nt = 2;
	world.k[0] = mk_truck("T-1", "idle", 5);
	world.nk = 1;
	world.w[0] = mk_warning(1, false, 1);
	world.w[1] = mk_warning(2, true, 2);
	world.nw = 2;
}

static struct replica_stats
stats(void)
{
	struct replica_stats st;

	replica_stats(rep, &st);
	return st;
}

/* ---- tests ---- */

START_TEST(test_initial_sync)
{
	int64_t now = rd_mono_ms(), ids = 0;
	const struct proto_ticket *t;
	size_t pos = 0, n = 0;

	small_world();
	ck_assert_int_eq(replica_state(rep), REPLICA_CONNECTING);
	ck_assert_int_eq(replica_hb_age_ms(rep, now), -1);
	ck_assert_int_eq(replica_next_timeout(rep, now), -1);
	ck_assert_int_eq(replica_epoch(rep), 0);
	ck_assert_uint_eq(replica_ticket_count(rep), 0);

	sync_world(2);
	ck_assert(saw_state(REPLICA_CONNECTING, REPLICA_SYNCING, 0));
	ck_assert(saw_state(REPLICA_SYNCING, REPLICA_LIVE, 0));
	ck_assert_int_eq(count_ev('s', NULL, 0), 2);
	ck_assert_int_eq(replica_epoch(rep), 1);
	ck_assert_uint_eq(replica_ticket_count(rep), 2);
	ck_assert_uint_eq(replica_truck_count(rep), 1);
	ck_assert_uint_eq(replica_warning_count(rep), 1); /* the cleared one is not active */
	ck_assert_str_eq(replica_ticket(rep, 2)->state, "dispatched");
	ck_assert_ptr_null(replica_ticket(rep, 3));
	ck_assert_str_eq(replica_truck(rep, "T-1")->status, "idle");
	ck_assert_ptr_null(replica_truck(rep, "T-2"));
	ck_assert_int_eq(replica_warning_next(rep, &pos)->id, 1);
	ck_assert_ptr_null(replica_warning_next(rep, &pos));
	pos = 0;
	while ((t = replica_ticket_next(rep, &pos)) != NULL) {
		ids += t->id;
		n++;
	}
	ck_assert_uint_eq(n, 2);
	ck_assert_int_eq(ids, 3);
	pos = 0;
	ck_assert_str_eq(replica_truck_next(rep, &pos)->id, "T-1");

	/* Every entity arrived through a callback as new. */
	ck_assert_int_eq(count_ev('t', NULL, 0), 2);
	ck_assert_int_eq(count_ev('k', NULL, 0), 1);
	ck_assert_int_eq(count_ev('w', NULL, 0), 1);
	for (int i = 0; i < nev; i++)
		ck_assert(evs[i].kind == 's' || (!evs[i].old && evs[i].now));

	ck_assert_uint_eq(stats().resyncs, 1);
	ck_assert_uint_eq(stats().gaps, 0);
	now = rd_mono_ms();
	ck_assert_int_ge(replica_hb_age_ms(rep, now), 0);
	ck_assert_int_ge(replica_next_timeout(rep, now), 0);
	ck_assert_int_le(replica_next_timeout(rep, now), 3001);
	ck_assert_int_eq(replica_time_scale(rep), 60);
	ck_assert_int_gt(replica_broker_time(rep), 1700000000000);
	ck_assert_str_eq(replica_state_name(REPLICA_STALE), "stale");
}
END_TEST

/* Updates published while the snapshot is on its way: those the snapshot already holds are
 * dropped, the later ones applied on top of it. */
START_TEST(test_buffered_during_sync)
{
	struct harness_fakebroker_req q;

	small_world();
	world.t[0] = mk_ticket(1, "en_route", 3);
	world.t[1] = mk_ticket(2, "new", 2);
	keepalive = true;
	DRIVE(p_request, NULL);
	recv_req(&q);
	keepalive = false;
	pub_ticket(2, mk_ticket(1, "dispatched", 2));  /* older than the snapshot */
	pub_ticket(3, mk_ticket(1, "en_route", 3));    /* in the snapshot */
	pub_ticket(4, mk_ticket(3, "new", 4));         /* after it */
	pub_truck(6, mk_truck("T-1", "busy", 6));
	pub_warning(3, mk_warning(3, false, 3));
	world.seq[T] = 3; /* the snapshot is as of seq 3/5/2 */
	world.seq[K] = 5;
	world.seq[W] = 2;
	send_snapshot(&q, 1, HARNESS_FAKEBROKER_SNAP_WHOLE);
	world.seq[T] = 4;
	world.seq[K] = 6;
	world.seq[W] = 3;
	wait_state(REPLICA_LIVE);
	wait_applied(3);
	flush_sub();
	ck_assert_str_eq(replica_ticket(rep, 1)->state, "en_route");
	ck_assert_ptr_nonnull(replica_ticket(rep, 3));
	ck_assert_str_eq(replica_truck(rep, "T-1")->status, "busy");
	ck_assert_uint_eq(replica_warning_count(rep), 2);
	ck_assert_uint_eq(stats().applied, 3);
	ck_assert_uint_eq(stats().stale, 2);
	ck_assert_uint_eq(stats().gaps, 0);
	ck_assert_uint_eq(stats().resyncs, 1);
	ck_assert_int_eq(replica_state(rep), REPLICA_LIVE);
	ck_assert(!harness_fakebroker_readable(router, 0));
}
END_TEST

START_TEST(test_live_in_order)
{
	int mark;
	const struct ev *e;

	small_world();
	sync_world(1);
	mark = nev;
	pub_ticket(4, mk_ticket(1, "dispatched", 4));
	pub_ticket(5, mk_ticket(9, "new", 5));
	pub_ticket(6, mk_ticket(1, "en_route", 6));
	wait_applied(3);
	ck_assert_str_eq(replica_ticket(rep, 1)->state, "en_route");
	ck_assert_int_eq(replica_ticket(rep, 1)->ver, 6);
	ck_assert_uint_eq(replica_ticket_count(rep), 3);
	/* In publishing order, with the previous version as `old`. */
	ck_assert_int_eq(count_ev('t', NULL, mark), 3);
	ck_assert_str_eq(evs[mark].id, "1");
	ck_assert(evs[mark].old && evs[mark].now);
	ck_assert_str_eq(evs[mark].what, "dispatched");
	ck_assert_str_eq(evs[mark + 1].id, "9");
	ck_assert(!evs[mark + 1].old && evs[mark + 1].now);
	e = last_ev('t', "1");
	ck_assert_str_eq(e->what, "en_route");
	ck_assert_int_eq(e->ver, 6);
	ck_assert_int_eq(replica_state(rep), REPLICA_LIVE);
	ck_assert_uint_eq(stats().gaps, 0);
}
END_TEST

START_TEST(test_stale_ignored)
{
	int mark;

	small_world();
	sync_world(1);
	mark = nev;
	pub_ticket(4, mk_ticket(1, "closed", 1));     /* next seq, but an older ver */
	pub_ticket(4, mk_ticket(1, "closed", 4));     /* seq already seen */
	pub_truck(6, mk_truck("T-1", "busy", 4));     /* older ver */
	pub_truck(5, mk_truck("T-1", "busy", 5));     /* seq already seen */
	pub_ticket(5, mk_ticket(1, "on_scene", 5));   /* continues after seq 4: no gap */
	pub_truck(7, mk_truck("T-1", "towing", 7));
	wait_applied(2);
	flush_sub();
	ck_assert_uint_eq(stats().applied, 2);
	ck_assert_uint_eq(stats().stale, 4);
	ck_assert_uint_eq(stats().gaps, 0);
	ck_assert_uint_eq(stats().resyncs, 1);
	ck_assert_str_eq(replica_ticket(rep, 1)->state, "on_scene");
	ck_assert_str_eq(replica_truck(rep, "T-1")->status, "towing");
	ck_assert_int_eq(count_ev('t', NULL, mark), 1);
	ck_assert_int_eq(count_ev('k', NULL, mark), 1);
	ck_assert_int_eq(replica_state(rep), REPLICA_LIVE);
}
END_TEST

/* A gap in a lossless stream: resync; the old copy stays readable meanwhile; unchanged
 * entities fire no callback. Loop: 0 tickets, 1 warnings. */
START_TEST(test_gap_resync)
{
	char first[PROTO_CMD_ID_MAX + 1];
	struct harness_fakebroker_req q;
	int mark;

	small_world();
	keepalive = true;
	DRIVE(p_request, NULL);
	recv_req(&q);
	rd_strlcpy(first, q.r.cmd_id, sizeof first);
	send_snapshot(&q, 1, HARNESS_FAKEBROKER_SNAP_WHOLE);
	wait_state(REPLICA_LIVE);
	mark = nev;

	if (_i == 0) {
		world.t[2] = mk_ticket(3, "new", 5);
		world.nt = 3;
		pub_ticket(5, world.t[2]); /* 4 never arrives */
	} else {
		world.w[2] = mk_warning(3, false, 4);
		world.nw = 3;
		pub_warning(4, world.w[2]); /* 3 never arrives */
	}
	DRIVE(p_request, NULL);
	recv_req(&q);
	ck_assert_str_ne(q.r.cmd_id, first);
	wait_state(REPLICA_SYNCING);
	ck_assert_uint_eq(stats().gaps, 1);
	ck_assert_uint_eq(replica_ticket_count(rep), 2); /* still readable */
	ck_assert_uint_eq(replica_warning_count(rep), 1);
	send_snapshot(&q, 2, HARNESS_FAKEBROKER_SNAP_WHOLE);
	wait_state(REPLICA_LIVE);
	ck_assert_uint_eq(stats().resyncs, 2);
	if (_i == 0) {
		ck_assert_ptr_nonnull(replica_ticket(rep, 3));
		ck_assert_int_eq(count_ev('t', "3", mark), 1);
	} else {
		ck_assert_uint_eq(replica_warning_count(rep), 2);
		ck_assert_int_eq(count_ev('w', "3", mark), 1);
	}
	ck_assert_int_eq(count_ev('t', "1", mark), 0);
	ck_assert_int_eq(count_ev('t', "2", mark), 0);
	ck_assert_int_eq(count_ev('k', NULL, mark), 0);
	ck_assert(saw_state(REPLICA_LIVE, REPLICA_SYNCING, mark));
	/* Live again: the stream continues from the new snapshot. */
	pub_ticket(world.seq[T] + 1, mk_ticket(2, "closed", world.seq[T] + 1));
	wait_applied(stats().applied + 1);
	ck_assert_str_eq(replica_ticket(rep, 2)->state, "closed");
}
END_TEST

/* A heartbeat announcing a seq we never got: tail loss, resync. Loop: ticket, warning. */
START_TEST(test_hb_tail_loss)
{
	struct harness_fakebroker_req q;

	small_world();
	sync_world(1);
	world.seq[_i == 0 ? T : W]++; /* published, and lost */
	pub_hb();
	DRIVE(p_request, NULL);
	recv_req(&q);
	wait_state(REPLICA_SYNCING);
	ck_assert_uint_eq(stats().gaps, 1);
	send_snapshot(&q, 1, HARNESS_FAKEBROKER_SNAP_WHOLE);
	wait_state(REPLICA_LIVE);
	ck_assert_uint_eq(stats().resyncs, 2);
	flush_sub();
	ck_assert_int_eq(replica_state(rep), REPLICA_LIVE);
	ck_assert(!harness_fakebroker_readable(router, 0));
}
END_TEST

/* A truck gap is no loss. Trucks are not even subscribed without opts.trucks. */
START_TEST(test_truck_gap)
{
	small_world();
	sync_world(1);
	pub_truck(6, mk_truck("T-1", "busy", 6));
	pub_truck(9, mk_truck("T-1", "towing", 9));
	wait_applied(2);
	flush_sub();
	ck_assert_str_eq(replica_truck(rep, "T-1")->status, "towing");
	ck_assert_int_eq(replica_truck(rep, "T-1")->ver, 9);
	ck_assert_uint_eq(stats().gaps, 0);
	ck_assert_uint_eq(stats().resyncs, 1);
	ck_assert_int_eq(replica_state(rep), REPLICA_LIVE);
	ck_assert(!harness_fakebroker_readable(router, 0));

	/* Without trucks: the snapshot's trucks only. */
	make_replica(0, false);
	nev = 0;
	sync_world(1);
	ck_assert_str_eq(replica_truck(rep, "T-1")->status, "idle");
	pub_truck(10, mk_truck("T-1", "busy", 10));
	flush_sub();
	ck_assert_str_eq(replica_truck(rep, "T-1")->status, "idle");
	ck_assert_uint_eq(stats().applied, 0);
	ck_assert_uint_eq(stats().bad, 0);
}
END_TEST

/* A new epoch: resync, and what the new snapshot lacks is removed (now == NULL). */
START_TEST(test_new_epoch)
{
	const struct ev *e;
	struct harness_fakebroker_req q;
	int mark;

	small_world();
	sync_world(1);
	mark = nev;
	ck_assert_int_eq(replica_hb_epoch(rep), 1);

	/* The broker restarted: a new epoch, its streams counting from scratch. */
	world.epoch = 2;
	world.seq[T] = 2;
	world.seq[K] = 1;
	world.seq[W] = 0;
	world.nw = 0;
	world.t[0] = mk_ticket(1, "closed", 2); /* ver 2 as before, but another epoch's */
	world.nt = 1;
	world.k[0] = mk_truck("T-2", "idle", 1);
	world.nk = 1;
	pub_hb();
	DRIVE(p_request, NULL);
	/* its heartbeat's time is the new broker's before the data is (the simulator's clock
	 * follows the heartbeat of the data's epoch) */
	ck_assert_int_eq(replica_hb_epoch(rep), 2);
	ck_assert_int_eq(replica_epoch(rep), 1);
	recv_req(&q);
	send_snapshot(&q, 1, HARNESS_FAKEBROKER_SNAP_WHOLE);
	wait_state(REPLICA_LIVE);

	ck_assert_int_eq(replica_epoch(rep), 2);
	ck_assert_int_eq(replica_hb_epoch(rep), 2);
	ck_assert_uint_eq(replica_ticket_count(rep), 1);
	ck_assert_ptr_null(replica_ticket(rep, 2));
	ck_assert_str_eq(replica_ticket(rep, 1)->state, "closed");
	ck_assert_ptr_null(replica_truck(rep, "T-1"));
	ck_assert_ptr_nonnull(replica_truck(rep, "T-2"));
	ck_assert_uint_eq(replica_warning_count(rep), 0);

	e = last_ev('t', "2");
	ck_assert(e->old && !e->now);
	e = last_ev('t', "1");
	ck_assert(e->old && e->now);
	ck_assert_str_eq(e->what, "closed");
	e = last_ev('k', "T-1");
	ck_assert(e->old && !e->now);
	e = last_ev('k', "T-2");
	ck_assert(!e->old && e->now);
	e = last_ev('w', "1");
	ck_assert(e->old && !e->now);
	ck_assert_int_eq(count_ev('t', NULL, mark), 2);
	ck_assert_int_eq(count_ev('w', NULL, mark), 1);
	ck_assert_uint_eq(stats().gaps, 0);
	ck_assert_uint_eq(stats().resyncs, 2);

	/* Updates of the new epoch apply; a straggler from the old one forces a resync. */
	pub_ticket(3, mk_ticket(1, "new", 3));
	wait_applied(stats().applied + 1);
	ck_assert_str_eq(replica_ticket(rep, 1)->state, "new");
	world.epoch = 1;
	pub_ticket(4, mk_ticket(1, "new", 4));
	world.epoch = 2;
	DRIVE(p_request, NULL);
}
END_TEST

/* A gap found while replaying the queue after a snapshot: the next snapshot's replay still
 * has the messages after the gap. */
START_TEST(test_gap_in_queue)
{
	struct harness_fakebroker_req q;

	small_world();
	keepalive = true;
	DRIVE(p_request, NULL);
	recv_req(&q);
	keepalive = false;
	pub_ticket(4, mk_ticket(1, "dispatched", 4));
	pub_ticket(6, mk_ticket(1, "en_route", 6));  /* 5 lost */
	pub_ticket(7, mk_ticket(2, "on_scene", 7));
	world.seq[T] = 3;
	send_snapshot(&q, 1, HARNESS_FAKEBROKER_SNAP_WHOLE); /* as of seq 3 */
	DRIVE(p_request, NULL);
	recv_req(&q);
	ck_assert_uint_eq(stats().gaps, 1);
	world.seq[T] = 6;                            /* as of seq 6 */
	world.t[0] = mk_ticket(1, "en_route", 6);
	send_snapshot(&q, 1, HARNESS_FAKEBROKER_SNAP_WHOLE);
	world.seq[T] = 7;
	wait_state(REPLICA_LIVE);
	flush_sub();
	ck_assert_str_eq(replica_ticket(rep, 1)->state, "en_route");
	ck_assert_str_eq(replica_ticket(rep, 2)->state, "on_scene");
	ck_assert_uint_eq(stats().gaps, 1);
	ck_assert_uint_eq(stats().resyncs, 2);
	ck_assert_int_eq(replica_state(rep), REPLICA_LIVE);
	ck_assert(!harness_fakebroker_readable(router, 0));
}
END_TEST

/* A resync that spans a broker restart: what was queued from the old epoch is dropped, not
 * taken for a gap in the new one. */
START_TEST(test_epoch_in_queue)
{
	struct harness_fakebroker_req q;

	small_world();
	sync_world(1);
	pub_ticket(5, mk_ticket(2, "closed", 5)); /* seq 4 lost: resync, this one queued */
	DRIVE(p_request, NULL);
	recv_req(&q);
	world.epoch = 2;
	world.seq[T] = 1;
	world.seq[K] = 0;
	world.seq[W] = 0;
	world.t[0] = mk_ticket(7, "new", 1);
	world.nt = 1;
	world.nk = 0;
	world.nw = 0;
	send_snapshot(&q, 1, HARNESS_FAKEBROKER_SNAP_WHOLE);
	wait_state(REPLICA_LIVE);
	flush_sub();
	ck_assert_int_eq(replica_state(rep), REPLICA_LIVE);
	ck_assert(!harness_fakebroker_readable(router, 0));
	ck_assert_int_eq(replica_epoch(rep), 2);
	ck_assert_uint_eq(replica_ticket_count(rep), 1);
	ck_assert_ptr_nonnull(replica_ticket(rep, 7));
	ck_assert_uint_eq(stats().gaps, 1);
	ck_assert_uint_eq(stats().resyncs, 2);
	ck_assert_uint_ge(stats().stale, 1);
}
END_TEST

/* Issue 12: heartbeats stop, then the next one of the same epoch comes (the broker was
 * stopped, or we were and the SUB kept the queue): nothing was missed, so LIVE again
 * without a snapshot. */
START_TEST(test_stale_and_next)
{
	int mark;

	make_replica(200, true);
	small_world();
	sync_world(1);
	keepalive = false;
	wait_state(REPLICA_STALE);
	mark = nev;
	keepalive = true;
	wait_state(REPLICA_LIVE);
	ck_assert(saw_state(REPLICA_STALE, REPLICA_LIVE, mark));
	ck_assert(!harness_fakebroker_readable(router, 0)); /* no snapshot asked for */
	ck_assert_uint_eq(stats().resyncs, 1);
	ck_assert_uint_eq(replica_ticket_count(rep), 2);
}
END_TEST

START_TEST(test_stale_and_back)
{
	struct harness_fakebroker_req q;
	int mark;

	make_replica(200, true);
	small_world();
	sync_world(1);
	mark = nev;
	keepalive = false;
	wait_state(REPLICA_STALE);
	ck_assert(saw_state(REPLICA_LIVE, REPLICA_STALE, mark));
	ck_assert_int_gt(replica_hb_age_ms(rep, rd_mono_ms()), 200);
	ck_assert_int_eq(replica_next_timeout(rep, rd_mono_ms()), -1);
	ck_assert_uint_eq(replica_ticket_count(rep), 2); /* old data stays readable */
	ck_assert(!harness_fakebroker_readable(router, 0));

	/* Heartbeats return, one of them missed (a lost connection or a full queue): resync,
	 * then LIVE. */
	mark = nev;
	world.hbseq++;
	keepalive = true;
	DRIVE(p_request, NULL);
	recv_req(&q);
	ck_assert(saw_state(REPLICA_STALE, REPLICA_SYNCING, mark));
	send_snapshot(&q, 1, HARNESS_FAKEBROKER_SNAP_WHOLE);
	wait_state(REPLICA_LIVE);
	ck_assert_uint_eq(stats().resyncs, 2);
}
END_TEST

/* ---- a group of two brokers (PROTOCOL.md 13) ---- */

#define RPC_EP2 "inproc://check-replica-rpc-2"
#define PUB_EP2 "inproc://check-replica-pub-2"

static bool
p_readable(const void *sock)
{
	return harness_fakebroker_readable((void *)sock, 0);
}

/* Answer q, a hello, on sock as a broker of epoch `epoch`. */
static void
reply_hello(void *sock, const struct harness_fakebroker_req *q, int64_t epoch)
{
	struct proto_buf b;
	struct proto_hello_result h;

	memset(&h, 0, sizeof h);
	PROTO_STRSET(h.server, "fake");
	PROTO_STRSET(h.version, "0");
	h.proto = 1;
	h.epoch = epoch;
	h.time_scale = 1;
	h.now = world.ts;
	h.present = PROTO_ALL & ~((uint64_t)1 << PROTO_hello_result_role);
	proto_buf_init(&b);
	proto_encode_reply_ok(&b, q->r.cmd_id, "hello");
	proto_pack_obj(&b, PROTO_MSG_hello_result, &h, 0);
	harness_fakebroker_send(sock, q, b.data, b.len);
	proto_buf_finish(&b);
}

/* The leader dies: no heartbeat, no answer. The replica is STALE and asks nothing of its
 * own, so without a question out the rpc would never time out and move, and the SUB would
 * wait on the dead broker's pub for ever. In a group, once STALE, it moves the rpc to the
 * next broker and asks it (hello); the SUB follows, and the second broker's heartbeats (a
 * new epoch) bring a resync and LIVE, by themselves. A second broker that does not answer
 * either: the time-out moves the rpc on (back to the first, in a group of two). One that
 * answers leads: the replica waits for its heartbeats rather than moving on. */
START_TEST(test_group_follow)
{
	struct rpc_opts ro = { .endpoint = RPC_EP "," RPC_EP2, .user = "tester",
		.timeout_ms = 100, .tries = 3 };
	struct replica_opts o = { .pub_endpoint = PUB_EP "," PUB_EP2, .stale_ms = 200 };
	struct harness_fakebroker_req q, q2;
	void *router1 = router, *pub1 = pub;
	char *cause = NULL;
	int zero = 0, mark;

	replica_destroy(rep);
	rpc_destroy(rpc);
	rpc = rpc_create(ctx, &ro, &cause);
	ck_assert_msg(rpc != NULL, "rpc_create: %s", cause ? cause : "?");
	rep = replica_create(ctx, rpc, &o, &ops, NULL, &cause);
	ck_assert_msg(rep != NULL, "replica_create: %s", cause ? cause : "?");
	void *router2 = zmq_socket(ctx, ZMQ_ROUTER), *pub2 = zmq_socket(ctx, ZMQ_PUB);
	zmq_setsockopt(router2, ZMQ_LINGER, &zero, sizeof zero);
	zmq_setsockopt(pub2, ZMQ_LINGER, &zero, sizeof zero);
	ck_assert_int_eq(zmq_bind(router2, RPC_EP2), 0);
	ck_assert_int_eq(zmq_bind(pub2, PUB_EP2), 0);

	small_world();
	sync_world(1);
	ck_assert_int_eq(rpc_endpoint(rpc, NULL), 0);
	/* broker 1 dies: STALE, then a hello to broker 2 at once */
	keepalive = false;
	wait_state(REPLICA_STALE);
	DRIVE(p_readable, router2);
	ck_assert(!harness_fakebroker_readable(router1, 0));
	ck_assert_int_eq(rpc_endpoint(rpc, NULL), 1);
	harness_fakebroker_recv(router2, &q);
	ck_assert_int_eq(q.r.op, PROTO_MSG_hello);
	/* unanswered (broker 2 is not up yet): its time-out moves the rpc back to broker 1,
	 * where the same hello arrives */
	DRIVE(p_readable, router1);
	harness_fakebroker_recv(router1, &q2);
	ck_assert_str_eq(q2.r.cmd_id, q.r.cmd_id);
	ck_assert_int_eq(rpc_endpoint(rpc, NULL), 0);
	/* and on to broker 2 again, which now answers */
	DRIVE(p_readable, router2);
	harness_fakebroker_recv(router2, &q2);
	ck_assert_str_eq(q2.r.cmd_id, q.r.cmd_id);
	ck_assert_int_eq(rpc_endpoint(rpc, NULL), 1);
	reply_hello(router2, &q2, 2);
	/* it answered: it leads, and its heartbeats are waited for (stale_ms) before the next
	 * probe moves on; no chasing the SUB away from the leader */
	for (int64_t end = rd_mono_ms() + 50; rd_mono_ms() < end;) {
		rpc_process(rpc, rd_mono_ms());
		replica_process(rep, rd_mono_ms());
		ck_assert_int_eq(rpc_endpoint(rpc, NULL), 1);
		harness_fakebroker_readable(rpc_socket(rpc), 5);
	}
	/* broker 2 leads: its heartbeats reach the SUB, which followed; resync; LIVE */
	mark = nev;
	router = router2;
	pub = pub2;
	world.epoch = 2;
	world.t[0] = mk_ticket(3, "new", 4);
	world.seq[T] = 4;
	keepalive = true;
	DRIVE(p_request, NULL);
	recv_req(&q);
	send_snapshot(&q, 1, HARNESS_FAKEBROKER_SNAP_WHOLE);
	wait_state(REPLICA_LIVE);
	ck_assert(saw_state(REPLICA_STALE, REPLICA_SYNCING, mark));
	ck_assert_int_eq(replica_epoch(rep), 2);
	ck_assert_ptr_nonnull(replica_ticket(rep, 3));
	/* live again: no more questions */
	ck_assert(!harness_fakebroker_readable(router1, 0));
	ck_assert(!harness_fakebroker_readable(router2, 0));
	zmq_close(router1);
	zmq_close(pub1);
}
END_TEST

/* A broken snapshot is never applied and is asked for again. */
static const enum harness_fakebroker_snap faults[] = {
	HARNESS_FAKEBROKER_SNAP_SKIP_PART2, HARNESS_FAKEBROKER_SNAP_TOTAL_OFF,
	HARNESS_FAKEBROKER_SNAP_OTHER_HEAD, HARNESS_FAKEBROKER_SNAP_ERROR,
};

START_TEST(test_bad_snapshot_retried)
{
	char first[PROTO_CMD_ID_MAX + 1];
	struct harness_fakebroker_req q;

	small_world();
	world.t[2] = mk_ticket(3, "new", 1);
	world.nt = 3;
	keepalive = true;
	DRIVE(p_request, NULL);
	recv_req(&q);
	rd_strlcpy(first, q.r.cmd_id, sizeof first);
	send_snapshot(&q, 3, faults[_i]);
	DRIVE(p_request, NULL);
	recv_req(&q);
	ck_assert_str_ne(q.r.cmd_id, first);
	ck_assert_int_eq(replica_state(rep), REPLICA_SYNCING);
	ck_assert_uint_eq(replica_ticket_count(rep), 0);
	ck_assert_int_eq(count_ev('t', NULL, 0), 0);
	ck_assert_uint_eq(stats().resyncs, 0);
	send_snapshot(&q, 3, HARNESS_FAKEBROKER_SNAP_WHOLE);
	wait_state(REPLICA_LIVE);
	ck_assert_uint_eq(replica_ticket_count(rep), 3);
	ck_assert_uint_eq(stats().resyncs, 1);
	flush_sub();
	ck_assert(!harness_fakebroker_readable(router, 0));
}
END_TEST

START_TEST(test_warning_cleared)
{
	const struct ev *e;
	int mark;

	small_world();
	sync_world(1);
	mark = nev;
	pub_warning(3, mk_warning(1, true, 3));   /* clears the active one */
	pub_warning(4, mk_warning(7, true, 4));   /* clears one we never had */
	pub_warning(5, mk_warning(8, false, 5));  /* a new one */
	wait_applied(3);
	ck_assert_uint_eq(replica_warning_count(rep), 1);
	e = last_ev('w', "1");
	ck_assert(e->old && !e->now);
	ck_assert_int_eq(count_ev('w', "7", mark), 0);
	e = last_ev('w', "8");
	ck_assert(!e->old && e->now);
	ck_assert_uint_eq(stats().gaps, 0);
}
END_TEST

/* A region's warning (capacity, PROTOCOL.md 8.3) has ticket 0 and a region: the replica
 * keeps it like any other, and drops it when it is cleared. */
START_TEST(test_region_warning)
{
	struct proto_warning w = mk_warning(9, false, 3);
	const struct ev *e;

	small_world();
	sync_world(1);
	w.ticket = 0;
	PROTO_STRSET(w.kind, "capacity");
	PROTO_STRSET(w.region, "ningxiang");
	PROTO_SET(&w, warning, region);
	w.waiting = 2;
	PROTO_SET(&w, warning, waiting);
	pub_warning(3, w);
	wait_applied(1);
	ck_assert_uint_eq(replica_warning_count(rep), 2);
	e = last_ev('w', "9");
	ck_assert(!e->old && e->now);
	w.cleared = true;
	w.ver = 4;
	pub_warning(4, w);
	wait_applied(2);
	ck_assert_uint_eq(replica_warning_count(rep), 1);
	ck_assert_uint_eq(stats().gaps, 0);
	ck_assert_uint_eq(stats().bad, 0);
}
END_TEST

START_TEST(test_bad_messages)
{
	static const char junk[] = "\x85\xa1v";

	small_world();
	sync_world(1);
	publish("ticket", junk, sizeof junk - 1);                  /* truncated body */
	publish("tickets", "\x80", 1);                             /* unknown topic */
	ck_assert_int_eq(zmq_send(pub, "hb", 2, 0), 2);            /* one frame */
	ck_assert_int_eq(zmq_send(pub, "warning", 7, ZMQ_SNDMORE), 7); /* three frames */
	ck_assert_int_eq(zmq_send(pub, "\x80", 1, ZMQ_SNDMORE), 1);
	ck_assert_int_eq(zmq_send(pub, "\x80", 1, 0), 1);
	pub_ticket(4, mk_ticket(2, "closed", 4));
	wait_applied(1);
	ck_assert_uint_eq(stats().bad, 4);
	ck_assert_uint_eq(stats().gaps, 0);
	ck_assert_str_eq(replica_ticket(rep, 2)->state, "closed");
	ck_assert_int_eq(replica_state(rep), REPLICA_LIVE);
}
END_TEST

/* The app may cancel every rpc request (rpc_cancel_all); the replica asks again. */
START_TEST(test_rpc_cancelled)
{
	struct harness_fakebroker_req q1, q2;

	small_world();
	keepalive = true;
	DRIVE(p_request, NULL);
	recv_req(&q1);
	rpc_cancel_all(rpc);
	DRIVE(p_request, NULL);
	recv_req(&q2);
	ck_assert_str_ne(q1.r.cmd_id, q2.r.cmd_id);
	send_snapshot(&q1, 1, HARNESS_FAKEBROKER_SNAP_WHOLE); /* too late: dropped */
	send_snapshot(&q2, 1, HARNESS_FAKEBROKER_SNAP_WHOLE);
	wait_state(REPLICA_LIVE);
	flush_sub();
	ck_assert_uint_eq(stats().resyncs, 1);
}
END_TEST

/* Destroying a replica with its snapshot outstanding leaves the rpc no dangling callback. */
START_TEST(test_destroy_while_syncing)
{
	struct harness_fakebroker_req q;

	small_world();
	keepalive = true;
	DRIVE(p_request, NULL);
	recv_req(&q);
	ck_assert_uint_eq(rpc_pending(rpc), 1);
	replica_destroy(rep);
	rep = NULL;
	ck_assert_uint_eq(rpc_pending(rpc), 0);
	send_snapshot(&q, 2, HARNESS_FAKEBROKER_SNAP_WHOLE);
	ck_assert(harness_fakebroker_readable(rpc_socket(rpc), WAIT_MS));
	rpc_process(rpc, rd_mono_ms());
	replica_destroy(NULL);
}
END_TEST

/* ---- every stream, without sockets ----
 *
 * A replica created without a zmq context is fed by hand: replica_apply_snapshot and
 * replica_apply_pub are the paths the socket takes too. One run per row of the stream
 * table; everything is derived from the row, so a new stream is covered by its row. */

struct change {
	int stream;
	char key[32];
	bool old, now;
	int64_t ver;
};

static struct change changes[64];
static int nchanges;

static void
on_any_change(void *c, enum proto_stream s, const void *old, const void *now)
{
	struct change *x;

	(void)c;
	ck_assert_int_lt(nchanges, (int)ARRAY_LEN(changes));
	x = &changes[nchanges++];
	x->stream = (int)s;
	proto_entity_key(s, now != NULL ? now : old, x->key, sizeof x->key);
	x->old = old != NULL;
	x->now = now != NULL;
	x->ver = now != NULL ? proto_entity_ver(s, now) : -1;
	if (now != NULL)
		ck_assert(!proto_entity_gone(s, now));
}

/* A valid entity of stream s: its required keys at their smallest, key k (1, 2, ... or
 * "K1", "K2", ...), ver (-1: none), the retiring flag (when the stream has one) as gone. */
static void
stream_entity(enum proto_stream s, void *e, int k, int64_t ver, bool gone)
{
	const struct proto_stream_desc *sd = &proto_streams[s];
	const struct proto_desc *d = &proto_descs[sd->msg];
	uint64_t present = 0;

	memset(e, 0, d->size);
	for (size_t i = 0; i < d->n_fields; i++) {
		const struct proto_field *f = &d->fields[i];
		char *p = (char *)e + f->offset;
		int64_t iv = (int64_t)f->min;
		double dv = f->min;

		if (!f->required && (int)i != sd->gone)
			continue;
		present |= (uint64_t)1 << i;
		switch (f->type) {
		case PT_STR:
			if ((int)i == sd->key)
				snprintf(p, f->size, "K%d", k);
			else
				rd_strlcpy(p, "x", f->size);
			break;
		case PT_I64:
			if ((int)i == sd->key)
				iv = k;
			memcpy(p, &iv, sizeof iv);
			break;
		case PT_F64:
			memcpy(p, &dv, sizeof dv);
			break;
		case PT_BOOL:
			*(bool *)p = (int)i == sd->gone && gone;
			break;
		case PT_OBJ:
			ck_abort_msg("%s: a nested entity", sd->topic);
		}
	}
	memcpy((char *)e + d->present_off, &present, sizeof present);
	if (ver >= 0)
		proto_entity_set_ver(s, e, ver);
}

static int
apply(struct replica *r, enum proto_stream s, int64_t seq, const void *e)
{
	struct proto_buf b;
	int rc;

	proto_buf_init(&b);
	proto_encode_pub(&b, (enum proto_msg_id)proto_streams[s].msg, 1, seq, 100 + seq, e);
	rc = replica_apply_pub(r, proto_streams[s].topic, strlen(proto_streams[s].topic), b.data,
	    b.len, 0);
	proto_buf_finish(&b);
	return rc;
}

static void
apply_hb(struct replica *r, enum proto_stream s, int64_t seq, int64_t now)
{
	struct proto_hb hb;
	struct proto_buf b;

	memset(&hb, 0, sizeof hb);
	hb.v = PROTO_VERSION;
	hb.epoch = 1;
	hb.seq = 1;
	hb.ts = 100;
	proto_hb_set_seq(&hb, s, seq);
	proto_buf_init(&b);
	proto_encode_pub(&b, PROTO_MSG_hb, 0, 0, 0, &hb);
	ck_assert_int_eq(replica_apply_pub(r, "hb", 2, b.data, b.len, now), 0);
	proto_buf_finish(&b);
}

/* A snapshot of stream s at seq holding the entities e (n of them); the others empty. */
static void
apply_snap(struct replica *r, enum proto_stream s, int64_t seq, const void *e, size_t n)
{
	size_t sz = proto_descs[proto_streams[s].msg].size;
	struct rpc_snap snap;

	rpc_snap_init(&snap);
	snap.head.epoch = 1;
	snap.head.part = snap.head.parts = 1;
	proto_snapshot_set(&snap.head, s, seq, (int64_t)n);
	snap.streams[s].items = xcalloc(n + 1, sz);
	memcpy(snap.streams[s].items, e, n * sz);
	snap.streams[s].n = n;
	replica_apply_snapshot(r, &snap, 0);
	ck_assert_ptr_null(snap.streams[s].items); /* taken */
	rpc_snap_finish(&snap);
}

START_TEST(test_stream_table)
{
	const enum proto_stream s = (enum proto_stream)_i;
	const struct proto_stream_desc *sd = &proto_streams[s];
	const struct replica_ops o = { .change = on_any_change };
	union proto_any e[2];
	struct replica_stats st;
	struct replica *r;
	char *cause = NULL;
	char k1[32];

	nchanges = 0;
	r = replica_create(NULL, NULL, NULL, &o, NULL, &cause);
	ck_assert_msg(r != NULL, "%s", cause ? cause : "?");
	ck_assert_ptr_null(replica_socket(r));

	/* first heartbeat, then the snapshot: live at the snapshot's seq */
	apply_hb(r, s, 5, 0);
	replica_process(r, 0);
	ck_assert_int_eq(replica_state(r), REPLICA_SYNCING);
	stream_entity(s, &e[0], 1, 5, false);
	proto_entity_key(s, &e[0], k1, sizeof k1);
	apply_snap(r, s, 5, &e[0], 1);
	replica_process(r, 0);
	ck_assert_int_eq(replica_state(r), REPLICA_LIVE);
	ck_assert_int_eq(nchanges, 1);
	ck_assert(!changes[0].old && changes[0].now && changes[0].stream == (int)s);
	ck_assert_uint_eq(replica_count(r, s), 1);
	ck_assert_ptr_nonnull(replica_get(r, s, k1));

	/* the next seq applies; an entity without ver takes the seq as its ver */
	stream_entity(s, &e[1], 1, -1, false);
	ck_assert_int_eq(apply(r, s, 6, &e[1]), 0);
	ck_assert_int_eq(nchanges, 2);
	ck_assert(changes[1].old && changes[1].now);
	ck_assert_str_eq(changes[1].key, k1);
	ck_assert_int_eq(changes[1].ver, 6);
	ck_assert_int_eq(proto_entity_ver(s, replica_get(r, s, k1)), 6);

	/* a repeat is stale; a new key is added */
	ck_assert_int_eq(apply(r, s, 6, &e[1]), 0);
	replica_stats(r, &st);
	ck_assert_uint_eq(st.stale, 1);
	stream_entity(s, &e[1], 2, 7, false);
	ck_assert_int_eq(apply(r, s, 7, &e[1]), 0);
	ck_assert_uint_eq(replica_count(r, s), 2);
	ck_assert(!changes[2].old && changes[2].now);

	/* a heartbeat at our seq is quiet */
	apply_hb(r, s, 7, 1);
	replica_process(r, 1);
	ck_assert_int_eq(replica_state(r), REPLICA_LIVE);

	/* retiring (when the stream can) takes the entity out of the live set */
	if (sd->gone >= 0) {
		stream_entity(s, &e[1], 2, 8, true);
		ck_assert_int_eq(apply(r, s, 8, &e[1]), 0);
		ck_assert_uint_eq(replica_count(r, s), 1);
		ck_assert(changes[nchanges - 1].old && !changes[nchanges - 1].now);
	} else {
		stream_entity(s, &e[1], 2, 8, false);
		ck_assert_int_eq(apply(r, s, 8, &e[1]), 0);
		ck_assert_uint_eq(replica_count(r, s), 2);
	}

	/* a gap: a LOSSLESS stream resyncs (the update waits for the snapshot), a LATEST one
	 * applies it */
	stream_entity(s, &e[1], 1, 10, false);
	ck_assert_int_eq(apply(r, s, 10, &e[1]), 0);
	replica_stats(r, &st);
	if (sd->lossless) {
		ck_assert_uint_eq(st.gaps, 1);
		replica_process(r, 1);
		ck_assert_int_eq(replica_state(r), REPLICA_SYNCING);
		ck_assert_int_eq(proto_entity_ver(s, replica_get(r, s, k1)), 6);
		stream_entity(s, &e[0], 1, 9, false);
		apply_snap(r, s, 9, &e[0], 1); /* then seq 10 continues it */
		replica_process(r, 1);
		ck_assert_int_eq(replica_state(r), REPLICA_LIVE);
		ck_assert_uint_eq(replica_count(r, s), 1);
	} else {
		ck_assert_uint_eq(st.gaps, 0);
	}
	ck_assert_int_eq(proto_entity_ver(s, replica_get(r, s, k1)), 10);

	/* a heartbeat ahead of us: a LOSSLESS stream lost its tail */
	apply_hb(r, s, 12, 2);
	replica_process(r, 2);
	ck_assert_int_eq(replica_state(r), sd->lossless ? REPLICA_SYNCING : REPLICA_LIVE);

	/* what does not decode is counted and dropped */
	ck_assert_int_eq(replica_apply_pub(r, sd->topic, strlen(sd->topic), "\xc1", 1, 2), -1);
	ck_assert_int_eq(replica_apply_pub(r, "nope", 4, "\x80", 1, 2), -1);
	replica_stats(r, &st);
	ck_assert_uint_eq(st.bad, 2);
	replica_destroy(r);
}
END_TEST

static Suite *
replica_suite(void)
{
	Suite *s = suite_create("replica");
	TCase *tc;

	tc = tcase_create("sync");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_initial_sync);
	tcase_add_test(tc, test_buffered_during_sync);
	tcase_add_loop_test(tc, test_bad_snapshot_retried, 0, (int)ARRAY_LEN(faults));
	tcase_add_test(tc, test_rpc_cancelled);
	tcase_add_test(tc, test_destroy_while_syncing);
	suite_add_tcase(s, tc);

	tc = tcase_create("live");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_live_in_order);
	tcase_add_test(tc, test_stale_ignored);
	tcase_add_test(tc, test_truck_gap);
	tcase_add_test(tc, test_warning_cleared);
	tcase_add_test(tc, test_region_warning);
	tcase_add_test(tc, test_bad_messages);
	suite_add_tcase(s, tc);

	tc = tcase_create("resync");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, test_gap_resync, 0, 2);
	tcase_add_loop_test(tc, test_hb_tail_loss, 0, 2);
	tcase_add_test(tc, test_new_epoch);
	tcase_add_test(tc, test_epoch_in_queue);
	tcase_add_test(tc, test_gap_in_queue);
	suite_add_tcase(s, tc);

	tc = tcase_create("streams");
	tcase_add_loop_test(tc, test_stream_table, 0, PROTO_STREAM_COUNT);
	suite_add_tcase(s, tc);

	tc = tcase_create("liveness");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_stale_and_back);
	tcase_add_test(tc, test_group_follow);
	tcase_add_test(tc, test_stale_and_next);
	tcase_set_timeout(tc, 20);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return harness_fakebroker_main(replica_suite());
}
