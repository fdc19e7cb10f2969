/* bench-broker-pg.c: the real broker on SQLite and on PostgreSQL in the same run (issue 15),
 * so that each PostgreSQL figure comes with its ratio to SQLite's on the same machine under
 * the same load. Run under tests/store-pg.sh --fsync (RD_TEST_PG names the databases; the
 * server's fsync on, as in production); SQLite is a file in a temporary directory with the
 * broker's default --sync (normal).
 *
 * A round runs the broker on each backend in turn on an empty store, the backends' order
 * alternating from round to round, and measures on each:
 *
 *   fixes      GPS fixes through the feed (PUSH): sent at once, timed until the broker has
 *              published a status change sent after the last of them (in memory; no commit
 *              a fix)
 *   statuses   truck status changes through the feed, each a logged event and a
 *              publication (the broker commits what one turn read as one batch)
 *   note       ticket.note round trips, one at a time (one commit each): p50 and p99
 *   intakes    intake.create pipelined, 500 in flight: tickets/s
 *   start      the broker stopped (a checkpoint) and started again on the store with the
 *              tickets of the round: broker_create (open, load) until the first hello is
 *              answered
 *
 * and prints every figure of every round, then the medians with PostgreSQL's ratio to
 * SQLite's. A benchmark: no targets, exit 1 only when something fails.
 *
 * usage: bench-broker-pg [-r ROUNDS] [-n TICKETS] DATA_DIR   (default 3 rounds, 50000) */
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

#define TRUCKS 200
#define FIXES 400000
#define STATUSES 20000
#define NOTES 2000
#define IN_FLIGHT 500
#define ROUNDS_MAX 16
#define MARK "B-MARK" /* the truck whose status change marks the end of a feed phase */

enum fig { F_FIX, F_STATUS, F_NOTE50, F_NOTE99, F_INTAKE, F_START, F_COUNT };

static const struct {
	const char *name, *unit;
	bool per_s; /* a rate (higher is better) rather than a time */
} figs[F_COUNT] = {
	[F_FIX] = { "feed fixes", "/s", true },
	[F_STATUS] = { "feed statuses", "/s", true },
	[F_NOTE50] = { "ticket.note p50", "ms", false },
	[F_NOTE99] = { "ticket.note p99", "ms", false },
	[F_INTAKE] = { "intakes pipelined", "/s", true },
	[F_START] = { "start", "s", false },
};

static volatile sig_atomic_t stop_broker;

static void *
broker_thread(void *arg)
{
	broker_run(arg, &stop_broker);
	return NULL;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static double
median(const double *v, int n)
{
	double s[ROUNDS_MAX];

	memcpy(s, v, (size_t)n * sizeof *s);
	qsort(s, (size_t)n, sizeof *s, cmp_double);
	return n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

static void *
sock(void *ctx, int type, const char *ep)
{
	void *s = zmq_socket(ctx, type);
	int linger = 0, hwm = 0;

	zmq_setsockopt(s, ZMQ_LINGER, &linger, sizeof linger);
	zmq_setsockopt(s, ZMQ_SNDHWM, &hwm, sizeof hwm);
	zmq_setsockopt(s, ZMQ_RCVHWM, &hwm, sizeof hwm);
	if (zmq_connect(s, ep) < 0)
		fatal("connect %s: %s", ep, zmq_strerror(errno));
	return s;
}

/* One broker and its clients. */
struct run {
	void *ctx;
	struct broker *br;
	pthread_t th;
	void *dealer, *push, *sub;
	struct proto_buf b;
	char api[300], pub[300], feed[300];
	const char *db, *data;
	long cmd;
};

static void
run_start(struct run *r)
{
	struct broker_opts o = {
		.api = r->api, .pub = r->pub, .feed = r->feed, .db = r->db, .data_dir = r->data,
		.time_scale = 1, .max_memory_mb = -1,
	};
	char *cause = NULL;

	r->br = broker_create(r->ctx, &o, &cause);
	if (r->br == NULL)
		fatal("broker on %s: %s", r->db, cause);
	stop_broker = 0;
	pthread_create(&r->th, NULL, broker_thread, r->br);
	r->dealer = sock(r->ctx, ZMQ_DEALER, r->api);
}

static void
run_stop(struct run *r)
{
	zmq_close(r->dealer);
	if (r->push != NULL)
		zmq_close(r->push);
	if (r->sub != NULL)
		zmq_close(r->sub);
	r->push = r->sub = NULL;
	stop_broker = 1;
	pthread_join(r->th, NULL);
	broker_destroy(r->br);
	r->br = NULL;
}

static void
recv_reply(void *s, struct proto_reply *rep)
{
	zmq_msg_t m;
	struct proto_error err;

	zmq_msg_init(&m);
	if (zmq_msg_recv(&m, s, 0) < 0)
		fatal("recv: %s", zmq_strerror(errno));
	if (proto_decode_reply(zmq_msg_data(&m), zmq_msg_size(&m), rep, &err) < 0)
		fatal("bad reply: %s", err.message);
	zmq_msg_close(&m);
	if (!rep->ok)
		fatal("refused: %s", rep->error.message);
}

static void
send_req(struct run *r, enum proto_msg_id op, const void *args)
{
	char cid[32];

	snprintf(cid, sizeof cid, "bench-%ld", ++r->cmd);
	proto_buf_reset(&r->b);
	proto_encode_request(&r->b, op, cid, "bench", args);
	zmq_send(r->dealer, r->b.data, r->b.len, 0);
}

static void
send_status(struct run *r, const char *truck, const char *status)
{
	struct proto_status s = { .ts = rd_now_ms(), .present = PROTO_ALL };

	PROTO_STRSET(s.truck, truck);
	PROTO_STRSET(s.status, status);
	PROTO_STRSET(s.kind, "van");
	PROTO_STRSET(s.supplier, "bench");
	PROTO_STRSET(s.region, "changsha");
	proto_buf_reset(&r->b);
	proto_encode_feed(&r->b, PROTO_MSG_status, &s);
	zmq_send(r->push, r->b.data, r->b.len, 0);
}

/* Wait for the publication of MARK with status (each feed phase ends by flipping it). */
static void
wait_mark(struct run *r, const char *status)
{
	char topic[16];
	zmq_msg_t m;

	zmq_msg_init(&m);
	for (;;) {
		int n = zmq_recv(r->sub, topic, sizeof topic, 0);
		struct proto_pub p;
		struct proto_error err;

		if (n < 0 || zmq_msg_recv(&m, r->sub, 0) < 0)
			fatal("sub: %s", zmq_strerror(errno));
		if (n == 5 && proto_decode_pub(topic, 5, zmq_msg_data(&m), zmq_msg_size(&m), &p,
		    &err) == 0 && strcmp(p.u.truck.id, MARK) == 0 &&
		    strcmp(p.u.truck.status, status) == 0)
			break;
	}
	zmq_msg_close(&m);
}

/* Wait for a heartbeat: from then on the subscription is in place. */
static void
wait_hb(struct run *r)
{
	char topic[16];
	zmq_msg_t m;

	zmq_msg_init(&m);
	for (;;) {
		int n = zmq_recv(r->sub, topic, sizeof topic, 0);
		if (n < 0 || zmq_msg_recv(&m, r->sub, 0) < 0)
			fatal("sub: %s", zmq_strerror(errno));
		if (n == 2 && memcmp(topic, "hb", 2) == 0)
			break;
	}
	zmq_msg_close(&m);
}

static double
since_s(int64_t t0)
{
	return (double)(rd_mono_ns() - t0) / 1e9;
}

static int
cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

/* One backend, one round: every figure into f. */
static void
measure(struct run *r, long tickets, double *f)
{
	int64_t t0;

	run_start(r);
	r->sub = sock(r->ctx, ZMQ_SUB, r->pub);
	zmq_setsockopt(r->sub, ZMQ_SUBSCRIBE, "truck", 5);
	zmq_setsockopt(r->sub, ZMQ_SUBSCRIBE, "hb", 2);
	r->push = sock(r->ctx, ZMQ_PUSH, r->feed);
	wait_hb(r);

	/* the fleet, then the mark (published after every registration before it) */
	for (int i = 0; i < TRUCKS; i++) {
		char id[16];
		snprintf(id, sizeof id, "B-%03d", i);
		send_status(r, id, "available");
	}
	send_status(r, MARK, "available");
	wait_mark(r, "available");

	/* fixes */
	t0 = rd_mono_ns();
	for (int i = 0; i < FIXES; i++) {
		struct proto_fix fx = { .lat = 28.2 + (i % 1000) * 1e-4,
			.lon = 112.9 + (i % 777) * 1e-4, .speed_kmh = 35.5, .heading = 90,
			.ts = rd_now_ms(), .present = PROTO_ALL };
		snprintf(fx.truck, sizeof fx.truck, "B-%03d", i % TRUCKS);
		proto_buf_reset(&r->b);
		proto_encode_feed(&r->b, PROTO_MSG_fix, &fx);
		zmq_send(r->push, r->b.data, r->b.len, 0);
	}
	send_status(r, MARK, "off_duty");
	wait_mark(r, "off_duty");
	f[F_FIX] = FIXES / since_s(t0);

	/* statuses: every truck in turn off duty and back, each a change */
	t0 = rd_mono_ns();
	for (int i = 0; i < STATUSES; i++) {
		char id[16];
		snprintf(id, sizeof id, "B-%03d", i % TRUCKS);
		send_status(r, id, (i / TRUCKS) % 2 == 0 ? "off_duty" : "available");
	}
	send_status(r, MARK, "available");
	wait_mark(r, "available");
	f[F_STATUS] = STATUSES / since_s(t0);

	/* a ticket and its notes, one at a time */
	struct proto_intake_create in = { .lat = 28.2, .lon = 112.95, .present = PROTO_ALL };
	struct proto_reply rep;
	PROTO_STRSET(in.customer, "张三");
	PROTO_STRSET(in.phone, "13812345678");
	PROTO_STRSET(in.plate, "湘A12345");
	PROTO_STRSET(in.model, "BYD Qin");
	PROTO_STRSET(in.address, "长沙市芙蓉区五一大道 1 号");
	PROTO_STRSET(in.landmark, "");
	PROTO_STRSET(in.fault, "battery");
	PROTO_STRSET(in.region, "changsha");
	PROTO_STRSET(in.notes, "");
	send_req(r, PROTO_MSG_intake_create, &in);
	recv_reply(r->dealer, &rep);
	struct proto_ticket_note nt = { .id = rep.ticket.id, .present = PROTO_ALL };
	proto_reply_finish(&rep);
	PROTO_STRSET(nt.text, "called the customer back");
	int64_t *ns = xcalloc(NOTES, sizeof *ns);
	for (int i = 0; i < NOTES; i++) {
		t0 = rd_mono_ns();
		send_req(r, PROTO_MSG_ticket_note, &nt);
		recv_reply(r->dealer, &rep);
		ns[i] = rd_mono_ns() - t0;
		proto_reply_finish(&rep);
	}
	qsort(ns, NOTES, sizeof *ns, cmp_i64);
	f[F_NOTE50] = (double)ns[NOTES / 2] / 1e6;
	f[F_NOTE99] = (double)ns[NOTES * 99 / 100] / 1e6;
	free(ns);

	/* intakes, pipelined */
	t0 = rd_mono_ns();
	long sent = 0, got = 0;
	while (got < tickets - 1) {
		while (sent < tickets - 1 && sent - got < IN_FLIGHT) {
			in.lat = 28.1 + (double)(sent % 997) * 2e-4;
			send_req(r, PROTO_MSG_intake_create, &in);
			sent++;
		}
		recv_reply(r->dealer, &rep);
		proto_reply_finish(&rep);
		got++;
	}
	f[F_INTAKE] = (double)(tickets - 1) / since_s(t0);
	run_stop(r);

	/* start again on what this round stored */
	struct proto_hello hello = { .present = PROTO_ALL };
	PROTO_STRSET(hello.client, "bench");
	t0 = rd_mono_ns();
	run_start(r);
	send_req(r, PROTO_MSG_hello, &hello);
	recv_reply(r->dealer, &rep);
	f[F_START] = since_s(t0);
	proto_reply_finish(&rep);
	run_stop(r);
}

int
main(int argc, char **argv)
{
	const char *pg = getenv("RD_TEST_PG"), *dbs = getenv("RD_TEST_PG_DBS");
	const char *tmp = getenv("TMPDIR");
	int rounds = 3, c;
	long tickets = 50000;
	char dir[256];
	double fig[2][ROUNDS_MAX][F_COUNT];

	while ((c = getopt(argc, argv, "r:n:")) != -1) {
		if (c == 'r')
			rounds = atoi(optarg);
		else if (c == 'n')
			tickets = atol(optarg);
		else
			rounds = -1;
	}
	if (optind != argc - 1 || rounds < 1 || rounds > ROUNDS_MAX || tickets < 2) {
		fprintf(stderr, "usage: bench-broker-pg [-r ROUNDS] [-n TICKETS] DATA_DIR\n");
		return 2;
	}
	if (pg == NULL || pg[0] == '\0' || dbs == NULL || atoi(dbs) < rounds) {
		fprintf(stderr, "bench-broker-pg: RD_TEST_PG is not set or has fewer than %d "
		    "databases: run under tests/store-pg.sh\n", rounds);
		return 2;
	}
	snprintf(dir, sizeof dir, "%s/bench-broker-pg-XXXXXX", tmp != NULL && *tmp != '\0' ?
	    tmp : "/tmp");
	if (mkdtemp(dir) == NULL)
		fatal("mkdtemp: %s", strerror(errno));
	log_set(NULL, LOG_ERROR);

	struct run r = { .ctx = zmq_ctx_new(), .data = argv[optind] };
	proto_buf_init(&r.b);
	snprintf(r.api, sizeof r.api, "ipc://%s/api", dir);
	snprintf(r.pub, sizeof r.pub, "ipc://%s/pub", dir);
	snprintf(r.feed, sizeof r.feed, "ipc://%s/feed", dir);
	printf("%d rounds, the backends' order alternating; each: %d trucks, %d fixes, %d status "
	    "changes, %d notes, %ld tickets; ipc endpoints; SQLite --sync normal, PostgreSQL at "
	    "%sN\n", rounds, TRUCKS, FIXES, STATUSES, NOTES, tickets, pg);
	printf("%-5s %-10s %12s %12s %9s %9s %12s %8s\n", "round", "backend", "fixes/s",
	    "statuses/s", "note p50", "note p99", "intakes/s", "start s");
	for (int k = 0; k < rounds; k++) {
		for (int j = 0; j < 2; j++) {
			int be = (j + k) % 2; /* 0 SQLite, 1 PostgreSQL */
			char db[512];
			double *f = fig[be][k];

			if (be == 0)
				snprintf(db, sizeof db, "%s/round%d.db", dir, k);
			else
				snprintf(db, sizeof db, "%s%d", pg, k + 1);
			r.db = db;
			measure(&r, tickets, f);
			printf("%-5d %-10s %12.0f %12.0f %9.3f %9.3f %12.0f %8.3f\n", k + 1,
			    be ? "postgresql" : "sqlite", f[F_FIX], f[F_STATUS], f[F_NOTE50],
			    f[F_NOTE99], f[F_INTAKE], f[F_START]);
			fflush(stdout);
		}
	}
	printf("\nmedians of %d rounds (start: %ld tickets)\n%-18s %12s %12s %10s\n", rounds,
	    tickets, "figure", "sqlite", "postgresql", "pg/sqlite");
	for (int i = 0; i < F_COUNT; i++) {
		double v[2][ROUNDS_MAX];
		for (int be = 0; be < 2; be++)
			for (int k = 0; k < rounds; k++)
				v[be][k] = fig[be][k][i];
		double s = median(v[0], rounds), p = median(v[1], rounds);
		int d = figs[i].per_s ? 0 : 3;
		printf("%-18s %9.*f %-2s %9.*f %-2s %9.2fx\n", figs[i].name, d, s, figs[i].unit, d,
		    p, figs[i].unit, p / s);
	}
	proto_buf_finish(&r.b);
	zmq_ctx_term(r.ctx);
	if (rd_remove_tree(dir) != 0)
		fprintf(stderr, "could not remove %s: %s\n", dir, strerror(errno));
	return 0;
}
