/* bench-client-curve.c: what CURVE costs the clients, against raw libzmq in the same run.
 *
^ * Usage: bench-client-curve [round-trips [feed-messages]]   (defaults 2000, 200000)
 *
 * Round trip: the console's path (rpc_call of hello, rpc_process until the answer) to a
 * ROUTER in a thread that decodes each request and answers it, over tcp loopback, plain and
 * with CURVE (curve_apply on the DEALER, a CURVE server on the ROUTER); the baseline is a raw
 * DEALER sending the same bytes to the same echoing ROUTER. Prints p50 and p99 in
 * microseconds of each. Feed: the simulator's PUSH (curve_apply) to a PULL, 96-byte
 * messages, plain and CURVE, in messages per second: the client side of ingest. Exit 1 when
 * the rpc round trip with CURVE has a p50 over 3x the raw CURVE round trip (issue 11's
 * target for the whole path; this is the client's share). */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include "curve.h"
#include "proto.h"
#include "rpc.h"
#include "util.h"

static void *ctx;
static char srv_pub[41], srv_sec[41], cli_pub[41], cli_sec[41];

struct server {
	void *sock;
	bool echo;	/* raw: send the body back as it came */
	long n;		/* requests to answer */
};

static void *
serve(void *arg)
{
	struct server *s = arg;
	char id[256], body[4096];
	struct proto_request rq;
	struct proto_error err;
	struct proto_buf b;
	int idl, len;

	proto_buf_init(&b);
	for (long i = 0; i < s->n; i++) {
		if ((idl = zmq_recv(s->sock, id, sizeof id, 0)) < 0 ||
		    (len = zmq_recv(s->sock, body, sizeof body, 0)) < 0)
			break;
		zmq_send(s->sock, id, (size_t)idl, ZMQ_SNDMORE);
		if (s->echo) {
			zmq_send(s->sock, body, (size_t)len, 0);
			continue;
		}
		b.len = 0;
		if (proto_decode_request(body, (size_t)len, &rq, &err) == 0) {
			struct proto_hello_result h = { .proto = 1, .epoch = 1 };

			PROTO_STRSET(h.server, "bench");
			PROTO_STRSET(h.version, "0");
			proto_encode_reply_ok(&b, rq.cmd_id, "hello");
			proto_pack_obj(&b, PROTO_MSG_hello_result, &h, 0);
		}
		zmq_send(s->sock, b.data, b.len, 0);
	}
	proto_buf_finish(&b);
	return NULL;
}

static void *
server_sock(int type, bool curve, char *ep, size_t epsz)
{
	void *s = zmq_socket(ctx, type);
	int one = 1, zero = 0;

	zmq_setsockopt(s, ZMQ_LINGER, &zero, sizeof zero);
	if (curve) {
		zmq_setsockopt(s, ZMQ_CURVE_SERVER, &one, sizeof one);
		zmq_setsockopt(s, ZMQ_CURVE_SECRETKEY, srv_sec, 40);
	}
	if (zmq_bind(s, "tcp://127.0.0.1:*") < 0 ||
	    zmq_getsockopt(s, ZMQ_LAST_ENDPOINT, ep, &epsz) < 0)
		fatal("bind: %s", zmq_strerror(errno));
	return s;
}

static int
cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return x < y ? -1 : x > y;
}

static int done;

static void
on_reply(void *c, const char *cmd_id, const struct proto_reply *r, const struct proto_error *e)
{
	(void)c;
	(void)cmd_id;
	(void)e;
	done = r != NULL && r->ok ? 1 : -1;
}

/* n round trips (after 100 to warm up); p50 and p99 in microseconds into out[2]. */
static void
round_trips(bool curve, bool raw, long n, double out[2])
{
	char ep[64];
	struct server s = { .echo = raw, .n = n + 100 };
	struct curve_keys k;
	char *cause = NULL;
	int64_t *t = xcalloc((size_t)n, sizeof *t);
	pthread_t th;

	s.sock = server_sock(ZMQ_ROUTER, curve, ep, sizeof ep);
	if (curve_keys_set(&k, cli_pub, cli_sec, srv_pub, &cause) < 0)
		fatal("%s", cause);
	pthread_create(&th, NULL, serve, &s);
	if (raw) {
		void *d = zmq_socket(ctx, ZMQ_DEALER);
		char frame[128], back[128];
		struct proto_buf b;
		struct proto_hello h = { .present = 0 };
		int zero = 0;

		zmq_setsockopt(d, ZMQ_LINGER, &zero, sizeof zero);
		if (curve_apply(d, curve ? &k : NULL, &cause) < 0 || zmq_connect(d, ep) < 0)
			fatal("raw connect");
		proto_buf_init(&b);
		proto_encode_request(&b, PROTO_MSG_hello, "bench-1", "bench", &h);
		memcpy(frame, b.data, b.len < sizeof frame ? b.len : sizeof frame);
		for (long i = -100; i < n; i++) {
			int64_t t0 = rd_mono_ns();
			zmq_send(d, frame, b.len, 0);
			zmq_recv(d, back, sizeof back, 0);
			if (i >= 0)
				t[i] = rd_mono_ns() - t0;
		}
		proto_buf_finish(&b);
		zmq_close(d);
	} else {
		struct rpc_opts o = { .endpoint = ep, .user = "bench", .timeout_ms = 5000,
			.curve = curve ? &k : NULL };
		struct rpc *r = rpc_create(ctx, &o, &cause);
		zmq_pollitem_t it;

		if (r == NULL)
			fatal("rpc_create: %s", cause);
		it.socket = rpc_socket(r);
		it.fd = -1;
		it.events = ZMQ_POLLIN;
		for (long i = -100; i < n; i++) {
			int64_t t0 = rd_mono_ns();
			done = 0;
			rpc_call(r, PROTO_MSG_hello, NULL, on_reply, NULL, NULL);
			while (done == 0) {
				zmq_poll(&it, 1, 1000);
				rpc_process(r, rd_mono_ms());
			}
			if (done < 0)
				fatal("no reply");
			if (i >= 0)
				t[i] = rd_mono_ns() - t0;
		}
		rpc_destroy(r);
	}
	pthread_join(th, NULL);
	zmq_close(s.sock);
	qsort(t, (size_t)n, sizeof *t, cmp_i64);
	out[0] = (double)t[n / 2] / 1000.0;
	out[1] = (double)t[n * 99 / 100] / 1000.0;
	free(t);
}

/* n feed messages of 96 bytes through a PUSH set up as the simulator's: messages/s. */
static double
feed(bool curve, long n)
{
	char ep[64], msg[96], buf[128];
	void *pull = server_sock(ZMQ_PULL, curve, ep, sizeof ep);
	void *push = zmq_socket(ctx, ZMQ_PUSH);
	struct curve_keys k;
	char *cause = NULL;
	int zero = 0;
	int64_t t0;

	memset(msg, 'x', sizeof msg);
	if (curve_keys_set(&k, cli_pub, cli_sec, srv_pub, &cause) < 0)
		fatal("%s", cause);
	zmq_setsockopt(push, ZMQ_LINGER, &zero, sizeof zero);
	if (curve_apply(push, curve ? &k : NULL, &cause) < 0 || zmq_connect(push, ep) < 0)
		fatal("feed connect");
	zmq_send(push, msg, sizeof msg, 0);	/* the connection up before the clock starts */
	zmq_recv(pull, buf, sizeof buf, 0);
	t0 = rd_mono_ns();
	/* one thread: send until the pipe is full, then drain what arrived */
	for (long sent = 0, got = 0; got < n;) {
		if (sent < n && zmq_send(push, msg, sizeof msg, ZMQ_DONTWAIT) == (int)sizeof msg) {
			sent++;
			continue;
		}
		while (got < n && zmq_recv(pull, buf, sizeof buf, sent < n ? ZMQ_DONTWAIT : 0) >= 0)
			got++;
	}
	double secs = (double)(rd_mono_ns() - t0) / 1e9;
	zmq_close(push);
	zmq_close(pull);
	return (double)n / secs;
}

int
main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 2000, nf = argc > 2 ? atol(argv[2]) : 200000;
	double rp[2], rc[2], xp[2], xc[2];
	char *cause = NULL;

	ctx = zmq_ctx_new();
	if (curve_keypair(srv_pub, srv_sec, &cause) < 0 || curve_keypair(cli_pub, cli_sec,
	    &cause) < 0)
		fatal("%s", cause);
	round_trips(false, true, n, xp);
	round_trips(true, true, n, xc);
	round_trips(false, false, n, rp);
	round_trips(true, false, n, rc);
	printf("round trip over tcp loopback, %ld each, p50 / p99 in us:\n", n);
	printf("  raw DEALER plain   %7.1f / %7.1f\n", xp[0], xp[1]);
	printf("  raw DEALER CURVE   %7.1f / %7.1f\n", xc[0], xc[1]);
	printf("  rpc plain          %7.1f / %7.1f\n", rp[0], rp[1]);
	printf("  rpc CURVE          %7.1f / %7.1f  (p50 %.2fx raw CURVE)\n", rc[0], rc[1],
	    rc[0] / xc[0]);
	double fp = feed(false, nf), fc = feed(true, nf);
	printf("feed PUSH -> PULL, %ld messages of 96 bytes: plain %.0f/s, CURVE %.0f/s "
	    "(%.0f%%)\n", nf, fp, fc, 100 * fc / fp);
	zmq_ctx_term(ctx);
	return rc[0] <= 3 * xc[0] ? 0 : 1;
}
