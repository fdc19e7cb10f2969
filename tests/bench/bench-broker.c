/* bench-broker.c: the broker against raw libzmq, in the same run.
 *
 *   1. feed ingest: GPS fixes/s through the broker's PULL (decode, validate, index) against a
 *      raw PUSH/PULL of the same bytes; target >= 50% of raw.
 *   2. request round trip: hello through the broker against a raw DEALER/ROUTER echo of a
 *      frame of the same size; target p50 within 3x. A mutating request (ticket.note, one
 *      SQLite commit each) is measured too, for information.
 *   3. a diagnosis step: diag.answer against ticket.note on the same ticket, interleaved,
 *      each first in every other round (each one SQLite commit, one event, one
 *      publication); target: the answer's p50 no more than the note's (with 20% for
 *      noise), else exit 1. A diag.back after each answer, not timed, keeps the session on
 *      its first step.
 *   4. snapshot: time to receive and decode a snapshot of N tickets (default 100 000);
 *      target under 1 s.
 *
 * Usage: bench-broker [DATA_DIR [TICKETS]]; RD_BENCH_DB, when set, is the broker's --db (a
 * PostgreSQL URI: the same figures on that backend), else a file in a temporary directory.
 * bench-broker-pg.c measures both backends in one run, with PostgreSQL's ratios to SQLite. */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zmq.h>

#include "broker.h"
#include "proto.h"
#include "util.h"

#define FIXES 400000
#define RTT_N 20000

static volatile sig_atomic_t stop_broker;

static void *
broker_thread(void *arg)
{
	broker_run(arg, &stop_broker);
	return NULL;
}

static int
cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

static void
percentiles(int64_t *ns, size_t n, double *p50, double *p99)
{
	qsort(ns, n, sizeof *ns, cmp_i64);
	*p50 = (double)ns[n / 2] / 1000.0;
	*p99 = (double)ns[n * 99 / 100] / 1000.0;
}

static void *
sock(void *ctx, int type, const char *ep, bool bind)
{
	void *s = zmq_socket(ctx, type);
	int linger = 0, hwm = 0;
	zmq_setsockopt(s, ZMQ_LINGER, &linger, sizeof linger);
	zmq_setsockopt(s, ZMQ_SNDHWM, &hwm, sizeof hwm);
	zmq_setsockopt(s, ZMQ_RCVHWM, &hwm, sizeof hwm);
	if ((bind ? zmq_bind(s, ep) : zmq_connect(s, ep)) < 0)
		fatal("%s %s: %s", bind ? "bind" : "connect", ep, zmq_strerror(errno));
	return s;
}

/* ---- raw baselines ---- */

struct raw_pull {
	void *ctx;
	const char *ep;
	long n;
};

static void *
raw_pull_thread(void *arg)
{
	struct raw_pull *r = arg;
	void *s = sock(r->ctx, ZMQ_PULL, r->ep, true);
	zmq_msg_t m;
	zmq_msg_init(&m);
	for (long i = 0; i < r->n; i++)
		zmq_msg_recv(&m, s, 0);
	zmq_msg_close(&m);
	zmq_close(s);
	return NULL;
}

static void *
raw_echo_thread(void *arg)
{
	struct raw_pull *r = arg;
	void *s = sock(r->ctx, ZMQ_ROUTER, r->ep, true);
	zmq_msg_t id, body;
	for (long i = 0; i < r->n; i++) {
		zmq_msg_init(&id);
		zmq_msg_init(&body);
		zmq_msg_recv(&id, s, 0);
		zmq_msg_recv(&body, s, 0);
		zmq_msg_send(&id, s, ZMQ_SNDMORE);
		zmq_msg_send(&body, s, 0);
	}
	zmq_close(s);
	return NULL;
}

static void
encode_fix(struct proto_buf *b, int i, int64_t ts)
{
	struct proto_fix f = { .lat = 28.2 + (i % 1000) * 1e-4, .lon = 112.9 + (i % 777) * 1e-4,
		.speed_kmh = 35.5, .heading = 90, .ts = ts, .present = PROTO_ALL };
	snprintf(f.truck, sizeof f.truck, "B-%03d", i % 200);
	proto_buf_reset(b);
	proto_encode_feed(b, PROTO_MSG_fix, &f);
}

static double
secs(int64_t ns)
{
	return (double)ns / 1e9;
}

/* Wait for a reply frame on a DEALER and decode it. */
static void
recv_reply(void *s, struct proto_reply *r)
{
	zmq_msg_t m;
	struct proto_error err;
	zmq_msg_init(&m);
	if (zmq_msg_recv(&m, s, 0) < 0)
		fatal("recv: %s", zmq_strerror(errno));
	if (proto_decode_reply(zmq_msg_data(&m), zmq_msg_size(&m), r, &err) < 0)
		fatal("bad reply: %s", err.message);
	zmq_msg_close(&m);
}

/* Send op with args on the DEALER as cmd_id and wait for its reply (the caller finishes
 * r): the round trip in ns. b is scratch. */
static int64_t
timed_call(void *dealer, struct proto_buf *b, enum proto_msg_id op, const char *cmd_id,
    const void *args, struct proto_reply *r)
{
	proto_buf_reset(b);
	proto_encode_request(b, op, cmd_id, "bench", args);
	int64_t a = rd_mono_ns();
	zmq_send(dealer, b->data, b->len, 0);
	recv_reply(dealer, r);
	return rd_mono_ns() - a;
}

int
main(int argc, char **argv)
{
	const char *data = argc > 1 ? argv[1] : "data";
	long tickets = argc > 2 ? atol(argv[2]) : 100000;
	char dir[] = "/tmp/rd-bench-XXXXXX", db[512];
	const char *db_env = getenv("RD_BENCH_DB");
	void *ctx = zmq_ctx_new();
	struct proto_buf b;
	char *cause = NULL;

	if (mkdtemp(dir) == NULL)
		fatal("mkdtemp: %s", strerror(errno));
	if (db_env != NULL && db_env[0] != '\0')
		rd_strlcpy(db, db_env, sizeof db);
	else
		snprintf(db, sizeof db, "%s/bench.db", dir);
	proto_buf_init(&b);
	log_set(NULL, LOG_ERROR);

	/* 1a. raw PUSH/PULL of the same fix frames */
	struct raw_pull rp = { ctx, "tcp://127.0.0.1:17822", FIXES };
	pthread_t th;
	pthread_create(&th, NULL, raw_pull_thread, &rp);
	void *push = sock(ctx, ZMQ_PUSH, rp.ep, false);
	int64_t t0 = rd_mono_ns();
	for (int i = 0; i < FIXES; i++) {
		encode_fix(&b, i, 1000 + i);
		zmq_send(push, b.data, b.len, 0);
	}
	pthread_join(th, NULL);
	double raw_rate = FIXES / secs(rd_mono_ns() - t0);
	zmq_close(push);

	/* the broker */
	struct broker_opts o = {
		.api = "tcp://127.0.0.1:17810", .pub = "tcp://127.0.0.1:17811",
		.feed = "tcp://127.0.0.1:17812", .db = db, .data_dir = data, .time_scale = 1,
	};
	struct broker *br = broker_create(ctx, &o, &cause);
	if (br == NULL)
		fatal("broker: %s", cause);
	pthread_t bt;
	pthread_create(&bt, NULL, broker_thread, br);

	void *sub = sock(ctx, ZMQ_SUB, o.pub, false);
	zmq_setsockopt(sub, ZMQ_SUBSCRIBE, "truck", 5);
	void *dealer = sock(ctx, ZMQ_DEALER, o.api, false);
	push = sock(ctx, ZMQ_PUSH, o.feed, false);

	/* register 200 trucks, and wait until the last registration is published */
	int64_t now = rd_now_ms();
	for (int i = 0; i < 200; i++) {
		struct proto_status s = { .ts = now, .present = PROTO_ALL };
		snprintf(s.truck, sizeof s.truck, "B-%03d", i);
		PROTO_STRSET(s.status, "available");
		PROTO_STRSET(s.kind, "van");
		PROTO_STRSET(s.supplier, "bench");
		PROTO_STRSET(s.region, "changsha");
		proto_buf_reset(&b);
		proto_encode_feed(&b, PROTO_MSG_status, &s);
		zmq_send(push, b.data, b.len, 0);
	}
	/* 1b. the same fixes through the broker; a final status change (published as a logged
	 * truck event after every earlier feed message) marks the end */
	usleep(200000);
	char topic[16];
	zmq_msg_t m;
	zmq_msg_init(&m);
	int64_t tsbase = rd_now_ms();
	t0 = rd_mono_ns();
	for (int i = 0; i < FIXES; i++) {
		encode_fix(&b, i, tsbase + i);
		zmq_send(push, b.data, b.len, 0);
	}
	struct proto_status end = { .ts = tsbase + FIXES, .present = PROTO_ALL };
	PROTO_STRSET(end.truck, "B-000");
	PROTO_STRSET(end.status, "off_duty");
	proto_buf_reset(&b);
	proto_encode_feed(&b, PROTO_MSG_status, &end);
	zmq_send(push, b.data, b.len, 0);
	for (;;) {
		int n = zmq_recv(sub, topic, sizeof topic, 0);
		zmq_msg_recv(&m, sub, 0);
		struct proto_pub p;
		struct proto_error err;
		if (n == 5 && proto_decode_pub(topic, 5, zmq_msg_data(&m), zmq_msg_size(&m), &p, &err) == 0 &&
		    strcmp(p.u.truck.id, "B-000") == 0 && strcmp(p.u.truck.status, "off_duty") == 0)
			break;
	}
	double broker_rate = FIXES / secs(rd_mono_ns() - t0);
	printf("feed ingest: broker %.0f fixes/s, raw PUSH/PULL %.0f msg/s, ratio %.2f (target >= 0.50)\n",
	    broker_rate, raw_rate, broker_rate / raw_rate);

	/* 2a. raw DEALER/ROUTER echo of a frame the size of a hello request */
	struct proto_hello hello = { .present = PROTO_ALL };
	PROTO_STRSET(hello.client, "bench");
	proto_buf_reset(&b);
	proto_encode_request(&b, PROTO_MSG_hello, "bench-00000000", "bench", &hello);
	struct raw_pull re = { ctx, "tcp://127.0.0.1:17823", RTT_N };
	pthread_create(&th, NULL, raw_echo_thread, &re);
	void *rd = sock(ctx, ZMQ_DEALER, re.ep, false);
	int64_t *ns = xcalloc(RTT_N, sizeof *ns);
	for (int i = 0; i < RTT_N; i++) {
		int64_t a = rd_mono_ns();
		zmq_send(rd, b.data, b.len, 0);
		zmq_msg_recv(&m, rd, 0);
		ns[i] = rd_mono_ns() - a;
	}
	pthread_join(th, NULL);
	zmq_close(rd);
	double raw50, raw99, br50, br99, n50, n99;
	percentiles(ns, RTT_N, &raw50, &raw99);

	/* 2b. hello through the broker */
	struct proto_reply r;
	for (int i = 0; i < RTT_N; i++) {
		char cid[32];
		snprintf(cid, sizeof cid, "bench-%08d", i);
		ns[i] = timed_call(dealer, &b, PROTO_MSG_hello, cid, &hello, &r);
		proto_reply_finish(&r);
	}
	percentiles(ns, RTT_N, &br50, &br99);
	printf("round trip (hello): broker p50 %.1f us p99 %.1f us; raw echo p50 %.1f us p99 %.1f us; "
	    "p50 ratio %.2fx (target <= 3x)\n", br50, br99, raw50, raw99, br50 / raw50);

	/* 2c. a mutating request: one committed event and reply-cache row each */
	struct proto_intake_create in = { .lat = 28.2, .lon = 112.95, .flags = 0, .present = PROTO_ALL };
	PROTO_STRSET(in.customer, "张三");
	PROTO_STRSET(in.phone, "13812345678");
	PROTO_STRSET(in.plate, "湘A12345");
	PROTO_STRSET(in.model, "BYD Qin");
	PROTO_STRSET(in.address, "长沙市芙蓉区五一大道 1 号");
	PROTO_STRSET(in.landmark, "");
	PROTO_STRSET(in.fault, "battery");
	PROTO_STRSET(in.region, "changsha");
	PROTO_STRSET(in.notes, "");
	timed_call(dealer, &b, PROTO_MSG_intake_create, "bench-intake-0", &in, &r);
	int64_t tid = r.ticket.id;
	proto_reply_finish(&r);
	int notes = RTT_N / 4;
	for (int i = 0; i < notes; i++) {
		char cid[32];
		struct proto_ticket_note nt = { .id = tid, .present = PROTO_ALL };
		PROTO_STRSET(nt.text, "called the customer back");
		snprintf(cid, sizeof cid, "bench-note-%08d", i);
		ns[i] = timed_call(dealer, &b, PROTO_MSG_ticket_note, cid, &nt, &r);
		proto_reply_finish(&r);
	}
	percentiles(ns, (size_t)notes, &n50, &n99);
	printf("round trip (ticket.note, committed): p50 %.1f us p99 %.1f us (%.2fx raw p50)\n",
	    n50, n99, n50 / raw50);

	/* 3. a diagnosis step against a note, interleaved on one ticket */
	struct proto_diag_start ds = { .id = tid, .present = 0 };
	timed_call(dealer, &b, PROTO_MSG_diag_start, "bench-diag-start", &ds, &r);
	if (!r.ok)
		fatal("diag.start refused: %s", r.error.message);
	char first[sizeof r.ticket.diag_node];
	PROTO_STRSET(first, r.ticket.diag_node);
	proto_reply_finish(&r);
	int64_t *ans = xcalloc((size_t)notes, sizeof *ans);
	char second[sizeof r.ticket.diag_node] = "";
	for (int i = 0; i < notes; i++) {
		char cid[40];
		struct proto_ticket_note nt = { .id = tid, .present = PROTO_ALL };
		struct proto_diag_answer da = { .id = tid, .answer = 1, .present = PROTO_ALL };
		struct proto_diag_back bk = { .id = tid, .present = PROTO_ALL };
		PROTO_STRSET(nt.text, "called the customer back");
		snprintf(cid, sizeof cid, "bench-note2-%08d", i);
		if (i % 2 == 0) { /* each goes first in every other round: no order bias */
			ns[i] = timed_call(dealer, &b, PROTO_MSG_ticket_note, cid, &nt, &r);
			proto_reply_finish(&r);
		}
		PROTO_STRSET(da.node, first);
		snprintf(cid, sizeof cid, "bench-answer-%08d", i);
		ans[i] = timed_call(dealer, &b, PROTO_MSG_diag_answer, cid, &da, &r);
		if (!r.ok || strcmp(r.ticket.diag_state, "running") != 0)
			fatal("diag.answer: %s", r.ok ? "the session ended" : r.error.message);
		PROTO_STRSET(second, r.ticket.diag_node);
		proto_reply_finish(&r);
		if (i % 2 == 1) {
			snprintf(cid, sizeof cid, "bench-note2-%08d", i);
			ns[i] = timed_call(dealer, &b, PROTO_MSG_ticket_note, cid, &nt, &r);
			proto_reply_finish(&r);
		}
		PROTO_STRSET(bk.node, second);
		snprintf(cid, sizeof cid, "bench-back-%08d", i);
		timed_call(dealer, &b, PROTO_MSG_diag_back, cid, &bk, &r);
		if (!r.ok)
			fatal("diag.back: %s", r.error.message);
		proto_reply_finish(&r);
	}
	double a50, a99;
	percentiles(ns, (size_t)notes, &n50, &n99);
	percentiles(ans, (size_t)notes, &a50, &a99);
	free(ans);
	printf("round trip (diag.answer %s:1 -> %s, committed): p50 %.1f us p99 %.1f us; "
	    "ticket.note in the same run p50 %.1f us p99 %.1f us; p50 ratio %.2fx (target <= 1x, "
	    "1.2x with noise)\n", first, second, a50, a99, n50, n99, a50 / n50);
	bool answer_slow = a50 > n50 * 1.2;

	/* 4. snapshot of many tickets: create them pipelined, 500 in flight */
	int64_t c0 = rd_mono_ns();
	long sent = 0, got = 1;
	while (got < tickets) {
		while (sent < tickets - 1 && sent - (got - 1) < 500) {
			char cid[48];
			snprintf(cid, sizeof cid, "bench-intake-%ld", ++sent);
			in.lat = 28.1 + (double)(sent % 997) * 2e-4;
			proto_buf_reset(&b);
			proto_encode_request(&b, PROTO_MSG_intake_create, cid, "bench", &in);
			zmq_send(dealer, b.data, b.len, 0);
		}
		recv_reply(dealer, &r);
		if (!r.ok)
			fatal("intake refused: %s", r.error.message);
		proto_reply_finish(&r);
		got++;
	}
	double create_s = secs(rd_mono_ns() - c0);
	printf("created %ld tickets in %.2f s (%.0f intakes/s, pipelined)\n", tickets, create_s,
	    (double)tickets / create_s);

	struct proto_snapshot sa = { .present = 0 };
	proto_buf_reset(&b);
	proto_encode_request(&b, PROTO_MSG_snapshot, "bench-snap", "bench", &sa);
	int64_t s0 = rd_mono_ns();
	zmq_send(dealer, b.data, b.len, 0);
	size_t nt = 0;
	int64_t parts = 0, total = -1;
	for (int64_t part = 0; part != parts || parts == 0;) {
		recv_reply(dealer, &r);
		if (!r.ok)
			fatal("snapshot refused: %s", r.error.message);
		part = r.snap.part;
		parts = r.snap.parts;
		total = r.snap.total_tickets;
		nt += r.n_tickets;
		proto_reply_finish(&r);
	}
	double snap_s = secs(rd_mono_ns() - s0);
	printf("snapshot: %zu of %lld tickets in %lld parts, %.3f s to receive and decode (target < 1 s)\n",
	    nt, (long long)total, (long long)parts, snap_s);
	if ((long long)nt != total)
		fatal("snapshot incomplete");

	zmq_msg_close(&m);
	zmq_close(sub);
	zmq_close(dealer);
	zmq_close(push);
	stop_broker = 1;
	pthread_join(bt, NULL);
	broker_destroy(br);
	zmq_ctx_term(ctx);
	proto_buf_finish(&b);
	free(ns);
	if (rd_remove_tree(dir) != 0)
		fprintf(stderr, "could not remove %s: %s\n", dir, strerror(errno));
	if (answer_slow) {
		fprintf(stderr, "bench-broker: a diagnosis step costs more than a note\n");
		return 1;
	}
	return 0;
}
