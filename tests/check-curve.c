/* check-curve.c: the client's CURVE (src/client/curve.c) against raw libzmq CURVE servers
 * in the test: a ROUTER for rpc.c's DEALER, a PUB for replica.c's SUB and a PULL for the
 * simulator's PUSH, each with a ZAP handler (the test's own REP on inproc://zeromq.zap.01)
 * that serves only the keys the test allows, as the broker's users file does.
 *
 * Everything runs in this thread: the loop that waits for an outcome answers the ZAP
 * requests and drives rpc_process / replica_process, so nothing sleeps; each wait has a
 * deadline of WAIT_MS. */
#include <check.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zmq.h>

#include "curve.h"
#include "keyfile.h"
#include "proto.h"
#include "replica.h"
#include "rpc.h"
#include "util.h"

#include "harness-fakebroker.h"

#define WAIT_MS 8000

static void *ctx;
static void *zap;                     /* the ZAP handler's REP */
static char srv_pub[41], srv_sec[41]; /* the server's pair */
static char cli_pub[41], cli_sec[41]; /* a client the ZAP handler serves */
static char out_pub[41], out_sec[41]; /* a client it refuses */
static int zap_asked, zap_served;     /* ZAP requests seen, and served */
static char zap_last[41];             /* the last client key asked about */

static void
setup(void)
{
	char *cause = NULL;

	ctx = zmq_ctx_new();
	ck_assert_ptr_nonnull(ctx);
	ck_assert_int_eq(curve_keypair(srv_pub, srv_sec, &cause), 0);
	ck_assert_int_eq(curve_keypair(cli_pub, cli_sec, &cause), 0);
	ck_assert_int_eq(curve_keypair(out_pub, out_sec, &cause), 0);
	zap = zmq_socket(ctx, ZMQ_REP);
	ck_assert_int_eq(zmq_bind(zap, "inproc://zeromq.zap.01"), 0);
	zap_asked = zap_served = 0;
	zap_last[0] = '\0';
}

static void
teardown(void)
{
	zmq_close(zap);
	zmq_ctx_term(ctx);
}

/* Answer one ZAP request if one waits: 200 for cli_pub, 400 for any other key. */
static void
zap_answer(void)
{
	char frames[7][64];
	size_t lens[7];
	int n = 0, more = 1;
	bool ok;

	while (more && n < 7) {
		int len = zmq_recv(zap, frames[n], sizeof frames[n], n == 0 ? ZMQ_DONTWAIT : 0);
		if (len < 0)
			return;
		lens[n] = (size_t)len < sizeof frames[n] ? (size_t)len : sizeof frames[n];
		size_t sz = sizeof more;
		zmq_getsockopt(zap, ZMQ_RCVMORE, &more, &sz);
		n++;
	}
	ck_assert_int_eq(n, 7);
	ck_assert_int_eq(more, 0);
	ck_assert_uint_eq(lens[5], 5);
	ck_assert(memcmp(frames[5], "CURVE", 5) == 0);
	ck_assert_uint_eq(lens[6], 32);
	zmq_z85_encode(zap_last, (const uint8_t *)frames[6], 32);
	zap_asked++;
	ok = strcmp(zap_last, cli_pub) == 0;
	zap_served += ok;
	zmq_send(zap, "1.0", 3, ZMQ_SNDMORE);
	zmq_send(zap, frames[1], lens[1], ZMQ_SNDMORE);
	zmq_send(zap, ok ? "200" : "400", 3, ZMQ_SNDMORE);
	zmq_send(zap, ok ? "OK" : "unknown key", ok ? 2 : 11, ZMQ_SNDMORE);
	zmq_send(zap, ok ? "alice" : "", ok ? 5 : 0, ZMQ_SNDMORE);
	zmq_send(zap, "", 0, 0);
}

/* A CURVE server socket of type type bound to a free loopback port; ep gets its endpoint
 * (or binds to ep when it is not empty: the same port again). */
static void *
server(int type, char *ep, size_t epsz)
{
	void *s = zmq_socket(ctx, type);
	int one = 1, zero = 0;
	size_t sz = epsz;

	ck_assert_ptr_nonnull(s);
	ck_assert_int_eq(zmq_setsockopt(s, ZMQ_LINGER, &zero, sizeof zero), 0);
	ck_assert_int_eq(zmq_setsockopt(s, ZMQ_CURVE_SERVER, &one, sizeof one), 0);
	ck_assert_int_eq(zmq_setsockopt(s, ZMQ_CURVE_SECRETKEY, srv_sec, 40), 0);
	if (ep[0] != '\0') {
		/* the port is let go by the closed socket's I/O thread, a moment after
		 * zmq_close: try again until it is free */
		int64_t end = rd_mono_ms() + WAIT_MS;
		while (zmq_bind(s, ep) < 0) {
			ck_assert_msg(rd_mono_ms() < end, "bind %s: %s", ep, zmq_strerror(errno));
			zmq_poll(NULL, 0, 10);
		}
		return s;
	}
	ck_assert_int_eq(zmq_bind(s, "tcp://127.0.0.1:*"), 0);
	ck_assert_int_eq(zmq_getsockopt(s, ZMQ_LAST_ENDPOINT, ep, &sz), 0);
	return s;
}

typedef bool (*cond_fn)(void *arg);

/* Answer ZAP and drive rpc (and rep) until cond holds; fails the test at WAIT_MS. */
static void
pump_until(struct rpc *rpc, struct replica *rep, cond_fn cond, void *arg, const char *what)
{
	int64_t end = rd_mono_ms() + WAIT_MS;

	while (!cond(arg)) {
		zmq_pollitem_t it = { zap, 0, ZMQ_POLLIN, 0 };

		ck_assert_msg(rd_mono_ms() < end, "timed out waiting for %s", what);
		zmq_poll(&it, 1, 10);
		zap_answer();
		if (rpc != NULL)
			rpc_process(rpc, rd_mono_ms());
		if (rep != NULL)
			replica_process(rep, rd_mono_ms());
	}
}

static bool
readable(void *sock)
{
	return harness_fakebroker_readable(sock, 0);
}

struct want_state {
	struct rpc *rpc;
	enum curve_state s;
};

static bool
in_state(void *arg)
{
	struct want_state *w = arg;
	return rpc_handshake(w->rpc) == w->s;
}

static int replies;

static void
on_reply(void *c, const char *cmd_id, const struct proto_reply *r, const struct proto_error *err)
{
	(void)c;
	(void)cmd_id;
	(void)err;
	replies += r != NULL && r->ok;
}

static bool
replied(void *arg)
{
	return replies >= *(int *)arg;
}

static struct rpc *
client(const char *ep, const char *pub, const char *sec, const char *srv)
{
	struct curve_keys k;
	struct rpc_opts o = { .endpoint = ep, .user = "alice", .timeout_ms = 300, .tries = 30 };
	char *cause = NULL;
	struct rpc *r;

	if (pub != NULL) {
		ck_assert_msg(curve_keys_set(&k, pub, sec, srv, &cause) == 0, "%s", cause);
		o.curve = &k;
	}
	r = rpc_create(ctx, &o, &cause);
	ck_assert_msg(r != NULL, "rpc_create: %s", cause ? cause : "?");
	return r;
}

/* Answer the request waiting on router with a hello result. */
static void
answer_hello(void *router, struct rpc *rpc)
{
	struct harness_fakebroker_req q;
	struct proto_hello_result h;
	struct proto_buf b;

	pump_until(rpc, NULL, readable, router, "a request at the server");
	harness_fakebroker_recv(router, &q);
	ck_assert_int_eq(q.r.op, PROTO_MSG_hello);
	memset(&h, 0, sizeof h);
	PROTO_STRSET(h.server, "raw");
	PROTO_STRSET(h.version, "0");
	h.proto = 1;
	h.epoch = 1;
	proto_buf_init(&b);
	proto_encode_reply_ok(&b, q.r.cmd_id, "hello");
	proto_pack_obj(&b, PROTO_MSG_hello_result, &h, 0);
	harness_fakebroker_send(router, &q, b.data, b.len);
	proto_buf_finish(&b);
}

START_TEST(test_keys)
{
	struct curve_keys k;
	char *cause = NULL;

	ck_assert(curve_z85_ok(cli_pub));
	ck_assert(!curve_z85_ok("short"));
	ck_assert(!curve_z85_ok(NULL));
	ck_assert(!curve_keys_on(NULL));
	ck_assert_int_eq(curve_keys_set(&k, cli_pub, cli_sec, srv_pub, &cause), 0);
	ck_assert(curve_keys_on(&k));
	/* a public key that is not the secret key's: refused, k left empty */
	ck_assert_int_eq(curve_keys_set(&k, out_pub, cli_sec, srv_pub, &cause), -1);
	ck_assert_str_eq(cause, "the public key is not the secret key's");
	free(cause);
	ck_assert(!curve_keys_on(&k));
	ck_assert_int_eq(curve_keys_set(&k, cli_pub, cli_sec, "not z85", &cause), -1);
	ck_assert_str_eq(cause, "the server key is not a 40-character Z85 key");
	free(cause);
	ck_assert_int_eq(curve_keys_set(&k, cli_pub, "x", srv_pub, &cause), -1);
	free(cause);
	ck_assert_str_eq(curve_state_name(CURVE_REFUSED), "refused");
}
END_TEST

/* The options --key and --server-key (and their environment fallbacks), --keygen. */
START_TEST(test_load)
{
	char dir[] = "/tmp/check-curve-XXXXXX", mine[64], srv[64], at[70], pub[41];
	struct curve_keys k;
	struct stat st;
	char *cause = NULL;

	unsetenv("RESCUEDESK_KEY");
	unsetenv("RESCUEDESK_SERVER_KEY");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(mine, sizeof mine, "%s/me.key", dir);
	snprintf(srv, sizeof srv, "%s/broker.key", dir);
	snprintf(at, sizeof at, "@%s", srv);

	/* --keygen: a 0600 file whose public key is printed */
	ck_assert_int_eq(curve_keygen(mine, keyfile_write, pub, &cause), 0);
	ck_assert_int_eq(stat(mine, &st), 0);
	ck_assert_int_eq(st.st_mode & 0777, 0600);
	ck_assert(curve_z85_ok(pub));
	ck_assert_int_eq(keyfile_write(srv, srv_pub, srv_sec, &cause), 0);

	/* neither: plain */
	ck_assert_int_eq(curve_keys_load(&k, NULL, NULL, keyfile_read, &cause), 0);
	ck_assert(!curve_keys_on(&k));
	/* one without the other: a usage error */
	ck_assert_int_eq(curve_keys_load(&k, mine, NULL, keyfile_read, &cause), -2);
	ck_assert_str_eq(cause, "--key needs --server-key KEY (or RESCUEDESK_SERVER_KEY)");
	free(cause);
	ck_assert_int_eq(curve_keys_load(&k, NULL, srv_pub, keyfile_read, &cause), -2);
	free(cause);
	/* the server key as Z85 or as @FILE */
	ck_assert_msg(curve_keys_load(&k, mine, srv_pub, keyfile_read, &cause) == 0, "%s", cause);
	ck_assert(curve_keys_on(&k));
	ck_assert_str_eq(k.pub, pub);
	ck_assert_str_eq(k.server, srv_pub);
	memset(&k, 0, sizeof k);
	ck_assert_int_eq(curve_keys_load(&k, mine, at, keyfile_read, &cause), 0);
	ck_assert_str_eq(k.server, srv_pub);
	/* a Z85 key may itself begin with '@': a key, unless a file of that name exists */
	{
		char at_key[41];

		memcpy(at_key, srv_pub, sizeof at_key);
		at_key[0] = '@';
		ck_assert(curve_z85_ok(at_key));
		ck_assert_msg(curve_keys_load(&k, mine, at_key, keyfile_read, &cause) == 0,
		    "%s", cause);
		ck_assert_str_eq(k.server, at_key);
	}
	/* the environment fills in what the options leave out */
	setenv("RESCUEDESK_SERVER_KEY", srv_pub, 1);
	ck_assert_int_eq(curve_keys_load(&k, mine, NULL, keyfile_read, &cause), 0);
	ck_assert_str_eq(k.server, srv_pub);
	setenv("RESCUEDESK_KEY", mine, 1);
	ck_assert_int_eq(curve_keys_load(&k, NULL, NULL, keyfile_read, &cause), 0);
	ck_assert_str_eq(k.pub, pub);
	unsetenv("RESCUEDESK_KEY");
	unsetenv("RESCUEDESK_SERVER_KEY");
	/* wrong: not Z85, a missing file, a key file others may read */
	ck_assert_int_eq(curve_keys_load(&k, mine, "nonsense", keyfile_read, &cause), -1);
	ck_assert_str_eq(cause, "--server-key: expected 40 characters of Z85 or @FILE, got "
	    "'nonsense'");
	free(cause);
	ck_assert(!curve_keys_on(&k));
	ck_assert_int_eq(curve_keys_load(&k, "/nonexistent/x.key", srv_pub, keyfile_read,
	    &cause), -1);
	free(cause);
	ck_assert_int_eq(chmod(mine, 0644), 0);
	ck_assert_int_eq(curve_keys_load(&k, mine, srv_pub, keyfile_read, &cause), -1);
	free(cause);
	unlink(mine);
	unlink(srv);
	rmdir(dir);
}
END_TEST

/* The right keys: served, the ZAP handler saw the client's public key. */
START_TEST(test_served)
{
	char ep[64] = "";
	void *router = server(ZMQ_ROUTER, ep, sizeof ep);
	struct rpc *rpc = client(ep, cli_pub, cli_sec, srv_pub);
	struct want_state ok = { rpc, CURVE_OK };
	int one = 1;

	replies = 0;
	ck_assert_int_eq(rpc_call(rpc, PROTO_MSG_hello, NULL, on_reply, NULL, NULL), 0);
	answer_hello(router, rpc);
	pump_until(rpc, NULL, replied, &one, "the reply");
	pump_until(rpc, NULL, in_state, &ok, "handshake ok");
	ck_assert_str_eq(zap_last, cli_pub);
	ck_assert_int_eq(zap_served, 1);
	rpc_destroy(rpc);
	zmq_close(router);
}
END_TEST

/* A key the broker does not know: refused in so many words, no request reaches it. */
START_TEST(test_refused)
{
	char ep[64] = "";
	void *router = server(ZMQ_ROUTER, ep, sizeof ep);
	struct rpc *rpc = client(ep, out_pub, out_sec, srv_pub);
	struct want_state refused = { rpc, CURVE_REFUSED };

	ck_assert_int_eq(rpc_call(rpc, PROTO_MSG_hello, NULL, NULL, NULL, NULL), 0);
	pump_until(rpc, NULL, in_state, &refused, "refused");
	ck_assert_str_eq(zap_last, out_pub);
	ck_assert_int_eq(zap_served, 0);
	ck_assert(!readable(router));
	rpc_destroy(rpc);
	zmq_close(router);
}
END_TEST

/* A wrong server key (the client encrypts to another key): the broker cannot read the
 * hello and drops the connection; after CURVE_FAIL_DROPS the client says so. */
START_TEST(test_wrong_server_key)
{
	char ep[64] = "";
	void *router = server(ZMQ_ROUTER, ep, sizeof ep);
	struct rpc *rpc = client(ep, cli_pub, cli_sec, out_pub);
	struct want_state bad = { rpc, CURVE_BAD_SERVER };

	ck_assert_int_eq(rpc_call(rpc, PROTO_MSG_hello, NULL, NULL, NULL, NULL), 0);
	pump_until(rpc, NULL, in_state, &bad, "bad server key");
	ck_assert_int_eq(zap_asked, 0);
	ck_assert(!readable(router));
	rpc_destroy(rpc);
	zmq_close(router);
}
END_TEST

/* A client without keys at a CURVE broker: a mechanism mismatch, not "connecting". */
START_TEST(test_plain_client)
{
	char ep[64] = "";
	void *router = server(ZMQ_ROUTER, ep, sizeof ep);
	struct rpc *rpc = client(ep, NULL, NULL, NULL);
	struct want_state mismatch = { rpc, CURVE_MISMATCH };

	ck_assert_int_eq(rpc_call(rpc, PROTO_MSG_hello, NULL, NULL, NULL, NULL), 0);
	pump_until(rpc, NULL, in_state, &mismatch, "mismatch");
	ck_assert(!readable(router));
	rpc_destroy(rpc);
	zmq_close(router);
}
END_TEST

/* The broker goes away and comes back on the same endpoint: the reconnect uses the same
 * keys (the ZAP handler sees the client's key again and serves it). */
START_TEST(test_reconnect_keeps_keys)
{
	char ep[64] = "";
	void *router = server(ZMQ_ROUTER, ep, sizeof ep);
	struct rpc *rpc = client(ep, cli_pub, cli_sec, srv_pub);
	int one = 1, two = 2;

	replies = 0;
	ck_assert_int_eq(rpc_call(rpc, PROTO_MSG_hello, NULL, on_reply, NULL, NULL), 0);
	answer_hello(router, rpc);
	pump_until(rpc, NULL, replied, &one, "the first reply");
	ck_assert_int_eq(zap_served, 1);
	zmq_close(router);
	router = server(ZMQ_ROUTER, ep, sizeof ep);
	zap_last[0] = '\0';
	ck_assert_int_eq(rpc_call(rpc, PROTO_MSG_hello, NULL, on_reply, NULL, NULL), 0);
	answer_hello(router, rpc);
	pump_until(rpc, NULL, replied, &two, "the reply after the reconnect");
	ck_assert_int_eq(zap_served, 2);
	ck_assert_str_eq(zap_last, cli_pub);
	ck_assert_int_eq(rpc_handshake(rpc), CURVE_OK);
	rpc_destroy(rpc);
	zmq_close(router);
}
END_TEST

struct sub_ctx {
	void *pub;
	struct replica *rep;
};

/* Publish a heartbeat (the PUB drops it until the subscription is through) and say whether
 * the replica has taken one. */
static bool
replica_heard(void *arg)
{
	struct sub_ctx *c = arg;
	struct proto_hb hb;
	struct proto_buf b;

	if (replica_broker_time(c->rep) > 0)
		return true;
	memset(&hb, 0, sizeof hb);
	hb.v = 1;
	hb.epoch = 7;
	hb.seq = 1;
	hb.ts = 1000;
	proto_buf_init(&b);
	proto_pack_obj(&b, PROTO_MSG_hb, &hb, 0);
	zmq_send(c->pub, "hb", 2, ZMQ_SNDMORE);
	zmq_send(c->pub, b.data, b.len, 0);
	proto_buf_finish(&b);
	return false;
}

/* replica.c's SUB with keys reads a CURVE PUB. */
START_TEST(test_replica_sub)
{
	char ep[64] = "", api[64] = "";
	void *router = server(ZMQ_ROUTER, api, sizeof api);
	struct curve_keys k;
	struct sub_ctx c;
	struct rpc *rpc = client(api, cli_pub, cli_sec, srv_pub);
	char *cause = NULL;

	c.pub = server(ZMQ_PUB, ep, sizeof ep);
	ck_assert_int_eq(curve_keys_set(&k, cli_pub, cli_sec, srv_pub, &cause), 0);
	struct replica_opts po = { .pub_endpoint = ep, .curve = &k };
	c.rep = replica_create(ctx, rpc, &po, NULL, NULL, &cause);
	ck_assert_msg(c.rep != NULL, "replica_create: %s", cause ? cause : "?");
	pump_until(rpc, c.rep, replica_heard, &c, "a heartbeat through CURVE");
	ck_assert_int_ge(zap_served, 1);
	replica_destroy(c.rep);
	rpc_destroy(rpc);
	zmq_close(c.pub);
	zmq_close(router);
}
END_TEST

static bool
pulled(void *arg)
{
	return readable(arg);
}

/* A PUSH set up with curve_apply (the simulator's feed) reaches a CURVE PULL. */
START_TEST(test_push_pull)
{
	char ep[64] = "", buf[16];
	void *pull = server(ZMQ_PULL, ep, sizeof ep);
	void *push = zmq_socket(ctx, ZMQ_PUSH);
	struct curve_keys k;
	char *cause = NULL;
	int zero = 0;

	ck_assert_int_eq(curve_keys_set(&k, cli_pub, cli_sec, srv_pub, &cause), 0);
	ck_assert_int_eq(curve_apply(push, &k, &cause), 0);
	zmq_setsockopt(push, ZMQ_LINGER, &zero, sizeof zero);
	ck_assert_int_eq(zmq_connect(push, ep), 0);
	ck_assert_int_eq(zmq_send(push, "fix", 3, 0), 3);
	pump_until(NULL, NULL, pulled, pull, "the feed message");
	ck_assert_int_eq(zmq_recv(pull, buf, sizeof buf, 0), 3);
	ck_assert_str_eq(zap_last, cli_pub);
	zmq_close(push);
	zmq_close(pull);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("curve");
	TCase *tc = tcase_create("curve");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_keys);
	tcase_add_test(tc, test_load);
	tcase_add_test(tc, test_served);
	tcase_add_test(tc, test_refused);
	tcase_add_test(tc, test_wrong_server_key);
	tcase_add_test(tc, test_plain_client);
	tcase_add_test(tc, test_reconnect_keeps_keys);
	tcase_add_test(tc, test_replica_sub);
	tcase_add_test(tc, test_push_pull);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return harness_fakebroker_main(suite());
}
