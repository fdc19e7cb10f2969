/* bench-curve.c: the broker with CURVE and ZAP (--users, --key) against raw libzmq with
 * CURVE, in the same run, over tcp loopback.
 *
 *   1. feed ingest: GPS fixes/s through the broker's PULL (the user looked up per message,
 *      then decode, validate, index) against a raw CURVE PUSH/PULL counting the same
 *      frames; target >= 50% of raw.
 *   2. request round trip: hello through the broker (per message: the user looked up by
 *      key, the role checked) against a raw CURVE DEALER/ROUTER echo of a frame of the
 *      same size; target p50 within 3x.
 *
 * Both sides encrypt every message with the same keys' cost; the ZAP handshake is once per
 * connection and not timed. Exit 1 when a target is missed.
 *
 * Usage: bench-curve [DATA_DIR] */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zmq.h>

#include "broker.h"
#include "keyfile.h"
#include "proto.h"
#include "util.h"

#define FIXES 200000
#define RTT_N 20000
#define TRUCKS 200

static volatile sig_atomic_t stop_broker;
static char server_pub[41], server_sec[41], client_pub[41], client_sec[41];

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

/* A socket: a CURVE server (bind) with the server's key, or a client (connect) with the
 * client's and the server's public key. */
static void *
sock(void *ctx, int type, const char *ep, bool bind)
{
	void *s = zmq_socket(ctx, type);
	int linger = 0, hwm = 0, one = 1;

	zmq_setsockopt(s, ZMQ_LINGER, &linger, sizeof linger);
	zmq_setsockopt(s, ZMQ_SNDHWM, &hwm, sizeof hwm);
	zmq_setsockopt(s, ZMQ_RCVHWM, &hwm, sizeof hwm);
	if (bind) {
		zmq_setsockopt(s, ZMQ_CURVE_SERVER, &one, sizeof one);
		zmq_setsockopt(s, ZMQ_CURVE_SECRETKEY, server_sec, 40);
	} else {
		zmq_setsockopt(s, ZMQ_CURVE_SERVERKEY, server_pub, 40);
		zmq_setsockopt(s, ZMQ_CURVE_PUBLICKEY, client_pub, 40);
		zmq_setsockopt(s, ZMQ_CURVE_SECRETKEY, client_sec, 40);
	}
	if ((bind ? zmq_bind(s, ep) : zmq_connect(s, ep)) < 0)
		fatal("%s %s: %s", bind ? "bind" : "connect", ep, zmq_strerror(errno));
	return s;
}

/* ---- raw baselines (their own context: no ZAP handler, any client key) ---- */

struct raw {
	void *ctx;
	const char *ep;
	long n;
	void *ready; /* a PAIR told once the socket is bound */
};

static void *
raw_pull_thread(void *arg)
{
	struct raw *r = arg;
	void *s = sock(r->ctx, ZMQ_PULL, r->ep, true);
	zmq_msg_t m;

	zmq_send(r->ready, "", 0, 0);
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
	struct raw *r = arg;
	void *s = sock(r->ctx, ZMQ_ROUTER, r->ep, true);
	zmq_msg_t id, body;

	zmq_send(r->ready, "", 0, 0);
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

/* Start fn on r in a thread; return once its socket is bound. */
static pthread_t
raw_start(struct raw *r, void *(*fn)(void *))
{
	static int seq;
	char ep[64];
	pthread_t th;
	void *back = zmq_socket(r->ctx, ZMQ_PAIR);

	snprintf(ep, sizeof ep, "inproc://bench-curve-ready-%d", seq++);
	zmq_bind(back, ep);
	r->ready = zmq_socket(r->ctx, ZMQ_PAIR);
	zmq_connect(r->ready, ep);
	pthread_create(&th, NULL, fn, r);
	zmq_recv(back, NULL, 0, 0);
	zmq_close(back);
	return th;
}

static void
encode_fix(struct proto_buf *b, int i, int64_t ts)
{
	struct proto_fix f = { .lat = 28.2 + (i % 1000) * 1e-4, .lon = 112.9 + (i % 777) * 1e-4,
		.speed_kmh = 35.5, .heading = 90, .ts = ts, .present = PROTO_ALL };
	snprintf(f.truck, sizeof f.truck, "B-%03d", i % TRUCKS);
	proto_buf_reset(b);
	proto_encode_feed(b, PROTO_MSG_fix, &f);
}

static void
encode_status(struct proto_buf *b, int i, const char *status, int64_t ts)
{
	struct proto_status s = { .ts = ts, .present = PROTO_ALL };

	snprintf(s.truck, sizeof s.truck, "B-%03d", i);
	PROTO_STRSET(s.status, status);
	PROTO_STRSET(s.kind, "van");
	PROTO_STRSET(s.supplier, "bench");
	PROTO_STRSET(s.region, "changsha");
	proto_buf_reset(b);
	proto_encode_feed(b, PROTO_MSG_status, &s);
}

/* Read sub until truck B-000 is published with status; returns when it is. */
static void
wait_truck(void *sub, const char *status)
{
	char topic[16];
	zmq_msg_t m;

	zmq_msg_init(&m);
	for (;;) {
		struct proto_pub p;
		struct proto_error err;
		int n = zmq_recv(sub, topic, sizeof topic, 0);
		zmq_msg_recv(&m, sub, 0);
		if (n == 5 && proto_decode_pub(topic, 5, zmq_msg_data(&m), zmq_msg_size(&m), &p,
		    &err) == 0 && strcmp(p.u.truck.id, "B-000") == 0 &&
		    strcmp(p.u.truck.status, status) == 0)
			break;
	}
	zmq_msg_close(&m);
}

int
main(int argc, char **argv)
{
	const char *data = argc > 1 ? argv[1] : "data";
	char dir[] = "/tmp/rd-bench-curve-XXXXXX", db[64], users[64], key[64];
	void *ctx = zmq_ctx_new(), *raw_ctx = zmq_ctx_new();
	struct proto_buf b;
	char *cause = NULL;
	FILE *f;
	zmq_msg_t m;

	if (mkdtemp(dir) == NULL)
		fatal("mkdtemp: %s", strerror(errno));
	snprintf(db, sizeof db, "%s/bench.db", dir);
	snprintf(users, sizeof users, "%s/users.ini", dir);
	snprintf(key, sizeof key, "%s/broker.key", dir);
	proto_buf_init(&b);
	zmq_msg_init(&m);
	log_set(NULL, LOG_ERROR);
	if (zmq_curve_keypair(client_pub, client_sec) < 0 || broker_keygen(key, server_pub,
	    &cause) < 0 || keyfile_read(key, server_pub, server_sec, &cause) < 0)
		fatal("keys: %s", cause ? cause : zmq_strerror(errno));
	if ((f = fopen(users, "w")) == NULL)
		fatal("%s: %s", users, strerror(errno));
	fprintf(f, "[user bench]\nrole = sim\npublic_key = %s\n", client_pub);
	fclose(f);

	/* 1a. raw CURVE PUSH/PULL of the same fix frames */
	struct raw rp = { raw_ctx, "tcp://127.0.0.1:17832", FIXES, NULL };
	pthread_t th = raw_start(&rp, raw_pull_thread);
	void *push = sock(raw_ctx, ZMQ_PUSH, rp.ep, false);
	int64_t t0 = rd_mono_ns();
	for (int i = 0; i < FIXES; i++) {
		encode_fix(&b, i, 1000 + i);
		zmq_send(push, b.data, b.len, 0);
	}
	pthread_join(th, NULL);
	double raw_rate = FIXES / ((double)(rd_mono_ns() - t0) / 1e9);
	zmq_close(push);
	zmq_close(rp.ready);

	/* the broker with CURVE and its ZAP handler */
	struct broker_opts o = {
		.api = "tcp://127.0.0.1:17840", .pub = "tcp://127.0.0.1:17841",
		.feed = "tcp://127.0.0.1:17842", .db = db, .data_dir = data, .time_scale = 1,
		.users = users, .key = key,
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

	/* register the trucks until B-000's registration is seen (the SUB is connected) */
	int64_t now = rd_now_ms();
	for (int i = 0; i < TRUCKS; i++) {
		encode_status(&b, i, "available", now);
		zmq_send(push, b.data, b.len, 0);
	}
	for (int tries = 0;; tries++) { /* a SUB that joined late missed it: toggle again */
		zmq_pollitem_t it = { sub, 0, ZMQ_POLLIN, 0 };
		encode_status(&b, 0, tries % 2 ? "available" : "off_duty", now);
		zmq_send(push, b.data, b.len, 0);
		if (zmq_poll(&it, 1, 200) > 0) {
			wait_truck(sub, tries % 2 ? "available" : "off_duty");
			if (tries % 2 == 0) {
				encode_status(&b, 0, "available", now);
				zmq_send(push, b.data, b.len, 0);
				wait_truck(sub, "available");
			}
			break;
		}
		if (tries > 50)
			fatal("the broker publishes nothing");
	}

	/* 1b. the same fixes through the broker; a final status change (published after every
	 * earlier feed message of this connection) marks the end */
	int64_t tsbase = rd_now_ms();
	t0 = rd_mono_ns();
	for (int i = 0; i < FIXES; i++) {
		encode_fix(&b, i, tsbase + i % 1000);
		zmq_send(push, b.data, b.len, 0);
	}
	encode_status(&b, 0, "off_duty", tsbase);
	zmq_send(push, b.data, b.len, 0);
	wait_truck(sub, "off_duty");
	double broker_rate = FIXES / ((double)(rd_mono_ns() - t0) / 1e9);
	bool ingest_ok = broker_rate >= 0.5 * raw_rate;
	printf("feed ingest (CURVE): broker %.0f fixes/s, raw PUSH/PULL %.0f msg/s, ratio %.2f "
	    "(target >= 0.50)\n", broker_rate, raw_rate, broker_rate / raw_rate);

	/* 2a. raw CURVE DEALER/ROUTER echo of a frame the size of a hello request */
	struct proto_hello hello = { .present = PROTO_ALL };
	PROTO_STRSET(hello.client, "bench");
	proto_buf_reset(&b);
	proto_encode_request(&b, PROTO_MSG_hello, "bench-00000000", "bench", &hello);
	struct raw re = { raw_ctx, "tcp://127.0.0.1:17833", RTT_N, NULL };
	th = raw_start(&re, raw_echo_thread);
	void *rd = sock(raw_ctx, ZMQ_DEALER, re.ep, false);
	int64_t *ns = xcalloc(RTT_N, sizeof *ns);
	for (int i = 0; i < RTT_N; i++) {
		int64_t a = rd_mono_ns();
		zmq_send(rd, b.data, b.len, 0);
		zmq_msg_recv(&m, rd, 0);
		ns[i] = rd_mono_ns() - a;
	}
	pthread_join(th, NULL);
	zmq_close(rd);
	zmq_close(re.ready);
	double raw50, raw99, br50, br99;
	percentiles(ns, RTT_N, &raw50, &raw99);

	/* 2b. hello through the broker */
	for (int i = 0; i < RTT_N; i++) {
		struct proto_reply r;
		struct proto_error err;
		char cid[32];
		snprintf(cid, sizeof cid, "bench-%08d", i);
		proto_buf_reset(&b);
		proto_encode_request(&b, PROTO_MSG_hello, cid, "bench", &hello);
		int64_t a = rd_mono_ns();
		zmq_send(dealer, b.data, b.len, 0);
		zmq_msg_recv(&m, dealer, 0);
		ns[i] = rd_mono_ns() - a;
		if (proto_decode_reply(zmq_msg_data(&m), zmq_msg_size(&m), &r, &err) < 0 || !r.ok)
			fatal("hello: %s", r.ok ? err.message : r.error.message);
		proto_reply_finish(&r);
	}
	percentiles(ns, RTT_N, &br50, &br99);
	bool rtt_ok = br50 <= 3 * raw50;
	printf("round trip (hello, CURVE): broker p50 %.1f us p99 %.1f us; raw echo p50 %.1f us "
	    "p99 %.1f us; p50 ratio %.2fx (target <= 3x)\n", br50, br99, raw50, raw99,
	    br50 / raw50);

	struct broker_stats st;
	zmq_msg_close(&m);
	zmq_close(sub);
	zmq_close(dealer);
	zmq_close(push);
	stop_broker = 1;
	pthread_join(bt, NULL);
	broker_stats(br, &st);
	printf("broker: %llu fixes, %llu requests, %llu unauthenticated, %llu refused "
	    "handshakes\n", (unsigned long long)st.fixes, (unsigned long long)st.requests,
	    (unsigned long long)st.unauthenticated, (unsigned long long)st.auth_refused);
	broker_destroy(br);
	zmq_ctx_term(ctx);
	zmq_ctx_term(raw_ctx);
	proto_buf_finish(&b);
	free(ns);
	if (rd_remove_tree(dir) != 0)
		fprintf(stderr, "could not remove %s: %s\n", dir, strerror(errno));
	if (!ingest_ok || !rtt_ok) {
		fprintf(stderr, "bench-curve: a target was missed\n");
		return 1;
	}
	return 0;
}
