/* check-auth.c: authentication and authorisation at the real broker (PROTOCOL.md 2.5, 7.0)
 * over real CURVE sockets on ipc:// (tests/harness-broker.c, manual clock): the role
 * matrix, every op as every role against PROTOCOL.md 7.0's table (tests/harness-roles.c); the identity a request gets from its key, whatever user
 * it claims; unknown keys and plain-text clients refused; a user revoked by a reload no
 * longer served and no longer fed by the PUB socket; a supplier confined to its own trucks
 * on the feed and in its answers, refused on the pub socket and served its own jobs
 * (supplier.jobs); clearing an escalation; an open broker only on loopback;
 * --keygen's key file.
 *
 * Refusals that have no answer (a handshake refused) are waited for as socket monitor
 * events, never as silence after a sleep. */
#include <check.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zmq.h>

#include "broker-int.h"
#include "broker.h"
#include "complaint.h"
#include "keyfile.h"
#include "proto.h"
#include "users.h"
#include "util.h"

#include "harness-broker.h"
#include "harness-roles.h"

#ifndef SOURCE_DATA_DIR
#error "compile with -DSOURCE_DATA_DIR=\"/path/to/data\""
#endif

#define WAIT_MS HARNESS_BROKER_WAIT_MS

static char base_dir[] = "/tmp/rd-check-auth-XXXXXX";
static struct harness_broker E;

/* The users of every test: one a role, and a second supplier. */
enum { U_AGENT, U_SUPERVISOR, U_SPECIALIST, U_SUPPLIER, U_INTAKE, U_SIM, U_SUPPLIER2, U_COUNT };
static struct user {
	const char *name, *role, *supplier;
	char pub[41], sec[41];
	bool revoked;
	void *dealer;
} U[U_COUNT] = {
	[U_AGENT] = { "li.na", "agent", NULL },
	[U_SUPERVISOR] = { "wang.wei", "supervisor", NULL },
	[U_SPECIALIST] = { "zhao.min", "specialist", NULL },
	[U_SUPPLIER] = { "jiarong-desk", "supplier", "jiarong" },
	[U_INTAKE] = { "wechat-bot", "intake", NULL },
	[U_SIM] = { "sim", "sim", NULL },
	[U_SUPPLIER2] = { "minjiang-desk", "supplier", "minjiang" },
};

/* Write the users file of the users not revoked. */
static void
write_users(void)
{
	char text[4096] = "# check-auth\n";

	for (int i = 0; i < U_COUNT; i++) {
		if (U[i].revoked)
			continue;
		snprintf(text + strlen(text), sizeof text - strlen(text),
		    "[user %s]\nrole = %s\npublic_key = %s\n%s%s%s\n", U[i].name, U[i].role,
		    U[i].pub, U[i].supplier ? "supplier = " : "", U[i].supplier ? U[i].supplier : "",
		    U[i].supplier ? "\n" : "");
	}
	harness_broker_set_users(&E, text);
}

static void
setup(void)
{
	struct harness_broker_opts o = {
		.base_dir = base_dir, .log_env = "CHECK_AUTH_LOG", .cmd_prefix = "auth",
		.strict = true,
	};
	harness_broker_setup(&E, &o);
	for (int i = 0; i < U_COUNT; i++) {
		harness_broker_keypair(U[i].pub, U[i].sec);
		U[i].revoked = false;
		U[i].dealer = NULL;
	}
	write_users();
	harness_broker_start(&E, SOURCE_DATA_DIR);
}

static void
teardown(void)
{
	E.dealer = NULL; /* one of U[]'s */
	for (int i = 0; i < U_COUNT; i++)
		if (U[i].dealer != NULL)
			zmq_close(U[i].dealer);
	harness_broker_teardown(&E);
}

/* The harness's DEALER becomes user u's (opened the first time). */
static void
as(int u)
{
	if (U[u].dealer == NULL)
		U[u].dealer = harness_broker_curve_socket(&E, ZMQ_DEALER, E.api, U[u].pub, U[u].sec);
	E.dealer = U[u].dealer;
}

static struct broker_stats
halt_and_count(void)
{
	struct broker_stats st;
	harness_broker_halt(&E);
	broker_stats(E.b, &st);
	return st;
}

/* ---------------------------------------------------------------- the matrix */

/* Arguments that decode: every required key at the low end of its range. The handler may
 * refuse them (not_found, bad_request); only the role check's answer matters here. */
static void
fill_args(int op, union proto_any *a)
{
	const struct proto_desc *d = &proto_descs[op];
	uint64_t present = 0;

	memset(a, 0, sizeof *a);
	for (size_t i = 0; i < d->n_fields; i++) {
		const struct proto_field *f = &d->fields[i];
		char *at = (char *)a + f->offset;
		if (!f->required)
			continue;
		switch (f->type) {
		case PT_STR:
			memcpy(at, "x", 2);
			break;
		case PT_I64: {
			int64_t v = f->min > 1 ? (int64_t)f->min : 1;
			if ((double)v > f->max)
				v = (int64_t)f->max;
			memcpy(at, &v, sizeof v);
			break;
		}
		case PT_F64: {
			double v = f->min > 0 ? f->min : f->max < 0 ? f->max : 0;
			memcpy(at, &v, sizeof v);
			break;
		}
		case PT_BOOL:
		case PT_OBJ:
			break;
		}
		present |= (uint64_t)1 << i;
	}
	memcpy((char *)a + d->present_off, &present, sizeof present);
}

START_TEST(test_role_names)
{
	/* the users file's roles are the broker's role bits, in the same order */
	ck_assert_int_eq(USERS_ROLE_COUNT, BROKER_ROLE_COUNT);
	for (int r = 0; r < BROKER_ROLE_COUNT; r++)
		ck_assert_str_eq(users_role_name((enum users_role)r),
		    broker_role_name((enum broker_role)r));
}
END_TEST

/* Every op, as every role, over CURVE: refused by the role check exactly where PROTOCOL.md
 * 7.0's table (read from the document, harness-roles.c) has no check mark, and the
 * broker's op table agrees bit for bit; the table has a row for every op the broker
 * serves and a column for every role. */
START_TEST(test_matrix)
{
	struct harness_roles t;
	size_t dashes = 0;

	harness_roles_read(&t);
	ck_assert_int_eq(t.n_roles, BROKER_ROLE_COUNT);
	for (int id = 0; id < PROTO_MSG_COUNT; id++) {
		if (proto_descs[id].kind != PROTO_KIND_REQUEST)
			continue;
		for (int r = 0; r < BROKER_ROLE_COUNT; r++) {
			union proto_any a;
			struct proto_reply rep;
			bool want = harness_roles_may(&t, id, broker_role_name((enum broker_role)r));
			fill_args(id, &a);
			as(r); /* U[r] has role r */
			harness_broker_call_as(&E, "mallory", (enum proto_msg_id)id, &a, &rep);
			bool refused = !rep.ok && rep.error.code == PROTO_E_FORBIDDEN &&
			    strstr(rep.error.message, "is not allowed to this client") != NULL;
			ck_assert_msg(refused == !want, "%s as %s: %s (%s)", proto_descs[id].wire,
			    broker_role_name((enum broker_role)r), refused ? "refused" : "served",
			    rep.ok ? "ok" : rep.error.message);
			proto_reply_finish(&rep);
			/* the table in the broker agrees, bit for bit */
			ck_assert_uint_eq((broker_op_find(id)->roles >> r) & 1, want);
			dashes += !want;
		}
	}
	struct broker_stats st = halt_and_count();
	ck_assert_uint_gt(dashes, 0);
	ck_assert_uint_eq(st.forbidden, dashes);
	ck_assert_uint_eq(st.reloads, 1);
}
END_TEST

/* ---------------------------------------------------------------- identity */

static struct proto_intake_create
intake_args(const char *region, double lat, double lon)
{
	struct proto_intake_create a = { .lat = lat, .lon = lon, .present = 0 };

	PROTO_STRSET(a.customer, "张三");
	PROTO_STRSET(a.phone, "+86 138-0013-8000");
	PROTO_STRSET(a.plate, "川U·12345");
	PROTO_STRSET(a.address, "马尔康市");
	PROTO_STRSET(a.fault, "battery");
	PROTO_STRSET(a.region, region);
	return a;
}

/* hello names the key's user and role; a claimed user is ignored: the ticket, its event
 * and the idempotency key are the key's user's. */
START_TEST(test_identity)
{
	struct proto_hello h = { .present = 0 };
	struct proto_reply r;

	as(U_AGENT);
	harness_broker_call_as(&E, "mallory", PROTO_MSG_hello, &h, &r);
	ck_assert(r.ok);
	ck_assert_str_eq(r.hello.user, "li.na");
	ck_assert(PROTO_HAS(&r.hello, hello_result, role));
	ck_assert_str_eq(r.hello.role, "agent");
	proto_reply_finish(&r);
	as(U_SUPPLIER);
	harness_broker_call_as(&E, NULL, PROTO_MSG_hello, &h, &r);
	ck_assert_str_eq(r.hello.user, "jiarong-desk");
	ck_assert_str_eq(r.hello.role, "supplier");
	proto_reply_finish(&r);

	/* the same cmd_id under two claimed users is one command of li.na's */
	as(U_AGENT);
	struct proto_intake_create a = intake_args("aba", 31.9046, 102.2214);
	struct proto_buf b;
	int64_t first = 0;
	proto_buf_init(&b);
	for (int i = 0; i < 2; i++) {
		proto_buf_reset(&b);
		proto_encode_request(&b, PROTO_MSG_intake_create, "auth-dup", i ? "eve" : "mallory",
		    &a);
		harness_broker_call_raw(&E, b.data, b.len, &r);
		ck_assert_msg(r.ok, "%s", r.error.message);
		ck_assert_str_eq(r.ticket.created_by, "li.na");
		if (i == 0)
			first = r.ticket.id;
		ck_assert_int_eq(r.ticket.id, first);
		proto_reply_finish(&r);
	}
	proto_buf_finish(&b);

	/* the history's event names li.na too */
	struct proto_ticket_get g = { .id = first, .present = 0 };
	harness_broker_call_as(&E, "mallory", PROTO_MSG_ticket_get, &g, &r);
	ck_assert(r.ok);
	ck_assert_uint_ge(r.n_events, 1);
	for (size_t i = 0; i < r.n_events; i++)
		ck_assert_str_ne(r.events[i].user, "mallory");
	ck_assert_str_eq(r.events[0].user, "li.na");
	proto_reply_finish(&r);
	struct broker_stats st = halt_and_count();
	ck_assert_uint_eq(st.replays, 1);
}
END_TEST

/* ---------------------------------------------------------------- refused connections */

/* A socket of type to ep with a monitor on its handshake events (CURVE client with pub/sec,
 * or plain when pub is NULL); *mon is the monitor's PAIR. */
static void *
monitored(int type, const char *ep, const char *pub, const char *sec, void **mon)
{
	static int seq;
	char mep[64];
	void *s = zmq_socket(E.ctx, type);
	int zero = 0;

	snprintf(mep, sizeof mep, "inproc://auth-mon-%d", seq++);
	zmq_setsockopt(s, ZMQ_LINGER, &zero, sizeof zero);
	if (type == ZMQ_SUB)
		zmq_setsockopt(s, ZMQ_SUBSCRIBE, "", 0);
	if (pub != NULL) {
		zmq_setsockopt(s, ZMQ_CURVE_SERVERKEY, E.server_pub, 40);
		zmq_setsockopt(s, ZMQ_CURVE_PUBLICKEY, pub, 40);
		zmq_setsockopt(s, ZMQ_CURVE_SECRETKEY, sec, 40);
	}
	ck_assert_int_eq(zmq_socket_monitor(s, mep, ZMQ_EVENT_HANDSHAKE_SUCCEEDED |
	    ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL | ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL |
	    ZMQ_EVENT_HANDSHAKE_FAILED_AUTH), 0);
	*mon = zmq_socket(E.ctx, ZMQ_PAIR);
	zmq_setsockopt(*mon, ZMQ_LINGER, &zero, sizeof zero);
	ck_assert_int_eq(zmq_connect(*mon, mep), 0);
	ck_assert_int_eq(zmq_connect(s, ep), 0);
	return s;
}

/* The next handshake event on mon (its value into *value), or 0 if none came in time. */
static int
next_event(void *mon, uint32_t *value)
{
	zmq_msg_t m;
	uint16_t ev = 0;

	if (!harness_broker_wait_in(mon, rd_mono_ms() + WAIT_MS))
		return 0;
	zmq_msg_init(&m);
	ck_assert_int_ge(zmq_msg_recv(&m, mon, 0), 0);
	ck_assert_int_eq(zmq_msg_size(&m), 6);
	memcpy(&ev, zmq_msg_data(&m), sizeof ev);
	memcpy(value, (char *)zmq_msg_data(&m) + 2, sizeof *value);
	ck_assert(zmq_msg_more(&m));
	ck_assert_int_ge(zmq_msg_recv(&m, mon, 0), 0); /* the endpoint */
	zmq_msg_close(&m);
	return ev;
}

static void
close2(void *s, void *mon)
{
	zmq_socket_monitor(s, NULL, 0);
	zmq_close(mon);
	zmq_close(s);
}

/* An unknown key is refused on every socket (ZAP status 400); a plain-text client does
 * not get past the handshake; a role is refused on a socket it may not use. */
START_TEST(test_refused)
{
	char pub[41], sec[41];
	const char *eps[] = { E.api, E.pub, E.feed };
	const int types[] = { ZMQ_DEALER, ZMQ_SUB, ZMQ_PUSH };
	void *s, *mon;
	uint32_t v;

	harness_broker_keypair(pub, sec);
	for (int i = 0; i < 3; i++) {
		s = monitored(types[i], eps[i], pub, sec, &mon);
		ck_assert_int_eq(next_event(mon, &v), ZMQ_EVENT_HANDSHAKE_FAILED_AUTH);
		ck_assert_uint_eq(v, 400);
		close2(s, mon);

		s = monitored(types[i], eps[i], NULL, NULL, &mon);
		int ev = next_event(mon, &v);
		ck_assert_msg(ev == ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL ||
		    ev == ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL, "plain client on %s: event %d",
		    eps[i], ev);
		close2(s, mon);
	}
	/* an intake channel on the pub and the feed, an agent on the feed */
	s = monitored(ZMQ_SUB, E.pub, U[U_INTAKE].pub, U[U_INTAKE].sec, &mon);
	ck_assert_int_eq(next_event(mon, &v), ZMQ_EVENT_HANDSHAKE_FAILED_AUTH);
	close2(s, mon);
	s = monitored(ZMQ_PUSH, E.feed, U[U_AGENT].pub, U[U_AGENT].sec, &mon);
	ck_assert_int_eq(next_event(mon, &v), ZMQ_EVENT_HANDSHAKE_FAILED_AUTH);
	close2(s, mon);
	/* a supplier on the pub: it would see every supplier's trucks and jobs */
	s = monitored(ZMQ_SUB, E.pub, U[U_SUPPLIER].pub, U[U_SUPPLIER].sec, &mon);
	ck_assert_int_eq(next_event(mon, &v), ZMQ_EVENT_HANDSHAKE_FAILED_AUTH);
	ck_assert_uint_eq(v, 400);
	close2(s, mon);
	/* ... while a supplier may use the feed and the sim every socket */
	s = monitored(ZMQ_PUSH, E.feed, U[U_SUPPLIER].pub, U[U_SUPPLIER].sec, &mon);
	ck_assert_int_eq(next_event(mon, &v), ZMQ_EVENT_HANDSHAKE_SUCCEEDED);
	close2(s, mon);
	s = monitored(ZMQ_SUB, E.pub, U[U_SIM].pub, U[U_SIM].sec, &mon);
	ck_assert_int_eq(next_event(mon, &v), ZMQ_EVENT_HANDSHAKE_SUCCEEDED);
	close2(s, mon);
	struct broker_stats st = halt_and_count();
	ck_assert_uint_ge(st.auth_refused, 6);
	ck_assert_uint_eq(st.requests, 0);
}
END_TEST

/* ---------------------------------------------------------------- reload */

/* Step until sub has a heartbeat (a step publishes one); drain what else it holds. */
static void
wait_hb(void *sub)
{
	int64_t until = rd_mono_ms() + WAIT_MS;
	zmq_msg_t m;
	bool got = false;

	zmq_msg_init(&m);
	while (!got) {
		ck_assert_msg(rd_mono_ms() < until, "no heartbeat");
		harness_broker_step(&E, 0);
		got = harness_broker_wait_in(sub, rd_mono_ms() + 20);
	}
	while (zmq_msg_recv(&m, sub, ZMQ_DONTWAIT) >= 0)
		;
	zmq_msg_close(&m);
}

/* A user revoked by a reload: its live connection's next request is not served, its
 * subscriber is cut off and refused when it reconnects; the others go on. A bad file
 * keeps the table. */
START_TEST(test_revoke)
{
	struct proto_hello h = { .present = 0 };
	struct proto_reply r;
	void *mon, *sub_a, *sub_v;
	uint32_t v;

	sub_a = monitored(ZMQ_SUB, E.pub, U[U_AGENT].pub, U[U_AGENT].sec, &mon);
	ck_assert_int_eq(next_event(mon, &v), ZMQ_EVENT_HANDSHAKE_SUCCEEDED);
	sub_v = harness_broker_curve_socket(&E, ZMQ_SUB, E.pub, U[U_SUPERVISOR].pub,
	    U[U_SUPERVISOR].sec);
	wait_hb(sub_a);
	wait_hb(sub_v);
	as(U_AGENT);
	harness_broker_call_as(&E, NULL, PROTO_MSG_hello, &h, &r);
	ck_assert(r.ok);
	proto_reply_finish(&r);

	/* a file with a mistake: refused, nothing changes */
	harness_broker_set_users(&E, "[user x]\nrole = boss\n");
	ck_assert_int_eq(harness_broker_reload(&E), -1);
	harness_broker_call_as(&E, NULL, PROTO_MSG_hello, &h, &r);
	ck_assert(r.ok);
	proto_reply_finish(&r);

	U[U_AGENT].revoked = true;
	write_users();
	ck_assert_int_eq(harness_broker_reload(&E), 0);
	harness_broker_call_as(&E, NULL, PROTO_MSG_hello, &h, &r);
	ck_assert(!r.ok);
	ck_assert_int_eq(r.error.code, PROTO_E_UNAUTHENTICATED);
	proto_reply_finish(&r);
	/* the agent's subscriber reconnects and is refused; the supervisor's is back */
	ck_assert_int_eq(next_event(mon, &v), ZMQ_EVENT_HANDSHAKE_FAILED_AUTH);
	wait_hb(sub_v);
	zmq_msg_t m;
	zmq_msg_init(&m);
	while (zmq_msg_recv(&m, sub_a, ZMQ_DONTWAIT) >= 0)
		; /* what came before the reload */
	harness_broker_step(&E, 0);
	ck_assert(harness_broker_wait_in(sub_v, rd_mono_ms() + WAIT_MS));
	ck_assert(!harness_broker_wait_in(sub_a, rd_mono_ms()));
	zmq_msg_close(&m);
	/* the others are served as before */
	as(U_SUPERVISOR);
	harness_broker_call_as(&E, NULL, PROTO_MSG_hello, &h, &r);
	ck_assert(r.ok);
	ck_assert_str_eq(r.hello.user, "wang.wei");
	proto_reply_finish(&r);
	close2(sub_a, mon);
	zmq_close(sub_v);
	struct broker_stats st = halt_and_count();
	ck_assert_uint_eq(st.unauthenticated, 1);
	ck_assert_uint_eq(st.reloads, 2);
}
END_TEST

/* The loop's own reload (what SIGHUP sets: opts.reload), on the real clock: the revoked
 * user's next request after the loop took the flag is not served. */
static volatile sig_atomic_t reload_flag;

static void *
run_real(void *arg)
{
	E.run_rc = broker_run(arg, &E.stop);
	return NULL;
}

START_TEST(test_sighup_flag)
{
	struct broker_opts o = {
		.api = E.api, .pub = E.pub, .feed = E.feed, .db = E.db, .data_dir = SOURCE_DATA_DIR,
		.sync = STORE_SYNC_NORMAL, .time_scale = 1, .users = E.users_path,
		.key = E.key_path, .reload = &reload_flag,
	};
	struct proto_hello h = { .present = 0 };
	struct proto_reply r;
	char *cause = NULL;
	pthread_t th;

	harness_broker_stop(&E); /* setup's, on the manual clock */
	struct broker *b = broker_create(E.ctx, &o, &cause);
	ck_assert_msg(b != NULL, "%s", cause);
	E.stop = 0;
	ck_assert_int_eq(pthread_create(&th, NULL, run_real, b), 0);
	as(U_AGENT);
	harness_broker_call_as(&E, NULL, PROTO_MSG_hello, &h, &r);
	ck_assert(r.ok);
	proto_reply_finish(&r);
	U[U_AGENT].revoked = true;
	write_users();
	reload_flag = 1;
	/* the loop looks at the flag every turn (at least every 100 ms): ask until refused */
	int64_t until = rd_mono_ms() + WAIT_MS;
	bool refused = false;
	while (!refused && rd_mono_ms() < until) {
		harness_broker_call_as(&E, NULL, PROTO_MSG_hello, &h, &r);
		refused = !r.ok && r.error.code == PROTO_E_UNAUTHENTICATED;
		proto_reply_finish(&r);
	}
	ck_assert(refused);
	ck_assert_int_eq(reload_flag, 0);
	E.stop = 1;
	pthread_join(th, NULL);
	ck_assert_int_eq(E.run_rc, 0);
	struct broker_stats st;
	broker_stats(b, &st);
	ck_assert_uint_eq(st.reloads, 2);
	broker_destroy(b);
}
END_TEST

/* ---------------------------------------------------------------- suppliers */

struct truck_want {
	const char *id;
	bool fix;
};

/* Read sub until truck w is published (with a position when w->fix); its supplier. */
static void
expect_truck(void *sub, const struct truck_want *w, char *supplier)
{
	int64_t until = rd_mono_ms() + WAIT_MS;
	zmq_msg_t topic, body;
	struct proto_pub p;
	struct proto_error err;

	for (;;) {
		ck_assert_msg(harness_broker_wait_in(sub, until), "truck %s not published", w->id);
		zmq_msg_init(&topic);
		zmq_msg_init(&body);
		ck_assert_int_ge(zmq_msg_recv(&topic, sub, 0), 0);
		ck_assert_int_ge(zmq_msg_recv(&body, sub, 0), 0);
		ck_assert_int_eq(proto_decode_pub(zmq_msg_data(&topic), zmq_msg_size(&topic),
		    zmq_msg_data(&body), zmq_msg_size(&body), &p, &err), 0);
		zmq_msg_close(&topic);
		zmq_msg_close(&body);
		if (p.topic == PROTO_TOPIC_TRUCK && strcmp(p.u.truck.id, w->id) == 0 &&
		    (!w->fix || PROTO_HAS(&p.u.truck, truck, fix_ts))) {
			strcpy(supplier, p.u.truck.supplier);
			return;
		}
	}
}

static void
push(void *s, enum proto_msg_id type, const void *msg)
{
	struct proto_buf b;

	proto_buf_init(&b);
	proto_encode_feed(&b, type, msg);
	ck_assert_int_eq(zmq_send(s, b.data, b.len, 0), (int)b.len);
	proto_buf_finish(&b);
}

static struct proto_status
status(const char *truck, const char *st, const char *supplier)
{
	struct proto_status s = { .ts = E.now, .present = 0 };

	PROTO_STRSET(s.truck, truck);
	PROTO_STRSET(s.status, st);
	PROTO_STRSET(s.kind, "van");
	PROTO_SET(&s, status, kind);
	PROTO_STRSET(s.region, "aba");
	PROTO_SET(&s, status, region);
	if (supplier != NULL) {
		PROTO_STRSET(s.supplier, supplier);
		PROTO_SET(&s, status, supplier);
	}
	return s;
}

static struct proto_fix
fix(const char *truck)
{
	struct proto_fix x = { .lat = 31.91, .lon = 102.22, .ts = E.now, .present = 0 };
	PROTO_STRSET(x.truck, truck);
	return x;
}

/* A supplier's feed and answers for another supplier's truck are refused and counted per
 * supplier; a truck a supplier registers is its own whatever it claims. */
START_TEST(test_supplier_scope)
{
	void *sub = harness_broker_curve_socket(&E, ZMQ_SUB, E.pub, U[U_SIM].pub, U[U_SIM].sec);
	void *p1 = harness_broker_curve_socket(&E, ZMQ_PUSH, E.feed, U[U_SUPPLIER].pub,
	    U[U_SUPPLIER].sec);
	void *p2 = harness_broker_curve_socket(&E, ZMQ_PUSH, E.feed, U[U_SUPPLIER2].pub,
	    U[U_SUPPLIER2].sec);
	char sup[64];
	struct proto_status s;
	struct proto_fix x;
	struct proto_reply r;

	wait_hb(sub);
	s = status("SC-J-001", "available", NULL);
	push(p1, PROTO_MSG_status, &s);
	expect_truck(sub, &(struct truck_want){ "SC-J-001", false }, sup);
	ck_assert_str_eq(sup, "jiarong");
	x = fix("SC-J-001");
	push(p1, PROTO_MSG_fix, &x);
	harness_broker_step(&E, 0);
	expect_truck(sub, &(struct truck_want){ "SC-J-001", true }, sup);

	/* minjiang: a fix and a status for jiarong's truck, a truck of its own "for
	 * jiarong": refused; then its own truck, registered as minjiang's */
	x = fix("SC-J-001");
	push(p2, PROTO_MSG_fix, &x);
	s = status("SC-J-001", "off_duty", NULL);
	push(p2, PROTO_MSG_status, &s);
	s = status("SC-M-009", "available", "jiarong");
	push(p2, PROTO_MSG_status, &s);
	s = status("SC-M-001", "available", NULL);
	push(p2, PROTO_MSG_status, &s);
	expect_truck(sub, &(struct truck_want){ "SC-M-001", false }, sup);
	ck_assert_str_eq(sup, "minjiang");

	/* a ticket in aba (no automatic dispatch) offered to jiarong's truck */
	as(U_AGENT);
	struct proto_intake_create a = intake_args("aba", 31.9046, 102.2214);
	struct proto_ticket t = harness_broker_ok(&E, NULL, PROTO_MSG_intake_create, &a);
	struct proto_ticket_assign asg = { .id = t.id, .present = 0 };
	PROTO_STRSET(asg.truck, "SC-J-001");
	t = harness_broker_ok(&E, NULL, PROTO_MSG_ticket_assign, &asg);
	ck_assert_str_eq(t.state, "dispatched");

	struct proto_offer_accept acc = { .id = t.id, .eta_s = 900, .present = 0 };
	PROTO_STRSET(acc.truck, "SC-J-001");
	as(U_SUPPLIER2);
	harness_broker_fail(&E, NULL, PROTO_MSG_offer_accept, &acc, PROTO_E_FORBIDDEN,
	    "not one of your supplier's");
	struct proto_ticket_set_state ss = { .id = t.id, .present = 0 };
	PROTO_STRSET(ss.state, "accepted");
	harness_broker_fail(&E, NULL, PROTO_MSG_ticket_set_state, &ss, PROTO_E_FORBIDDEN,
	    "not with one of your supplier's trucks");
	as(U_SUPPLIER);
	PROTO_STRSET(ss.state, "cancelled");
	PROTO_STRSET(ss.reason, "no");
	PROTO_SET(&ss, ticket_set_state, reason);
	harness_broker_fail(&E, NULL, PROTO_MSG_ticket_set_state, &ss, PROTO_E_FORBIDDEN,
	    "may not set cancelled");
	harness_broker_call_as(&E, NULL, PROTO_MSG_offer_accept, &acc, &r);
	ck_assert_msg(r.ok, "%s", r.error.message);
	ck_assert_str_eq(r.ticket.state, "accepted");
	proto_reply_finish(&r);

	zmq_close(sub);
	zmq_close(p1);
	zmq_close(p2);
	struct broker_stats st = halt_and_count();
	ck_assert_uint_eq(broker_supplier_refused(E.b, "minjiang"), 5);
	ck_assert_uint_eq(broker_supplier_refused(E.b, "jiarong"), 0);
	ck_assert_uint_eq(st.scope_refused, 5);
	ck_assert_uint_eq(st.forbidden, 6);
}
END_TEST

/* supplier.jobs as user u (supplier: the args' supplier, NULL none; since < 0: none). */
static void
jobs_as(int u, const char *supplier, int64_t since, struct proto_reply *r)
{
	struct proto_supplier_jobs a = { .since = since, .present = 0 };

	if (supplier != NULL) {
		PROTO_STRSET(a.supplier, supplier);
		PROTO_SET(&a, supplier_jobs, supplier);
	}
	if (since >= 0)
		PROTO_SET(&a, supplier_jobs, since);
	as(u);
	harness_broker_call_as(&E, NULL, PROTO_MSG_supplier_jobs, &a, r);
}

/* Ticket id's index in r's tickets (its job at the same index), or -1. */
static int
job_index(const struct proto_reply *r, int64_t id)
{
	for (size_t i = 0; i < r->n_tickets; i++)
		if (r->tickets[i].id == id) {
			ck_assert_int_eq(r->jobs[i].ticket, id);
			return (int)i;
		}
	return -1;
}

/* Issue 11: a supplier may not subscribe (it would see every supplier's fleet and jobs)
 * nor take a snapshot; supplier.jobs answers its own trucks and the tickets they hold or
 * are offered, never another's, masked, with what to do next; a supervisor names the
 * supplier; a poll with since answers unchanged until something of the supplier's
 * changes; the offer it shows is answered as before. */
START_TEST(test_supplier_jobs)
{
	void *sub = harness_broker_curve_socket(&E, ZMQ_SUB, E.pub, U[U_SIM].pub, U[U_SIM].sec);
	void *p1 = harness_broker_curve_socket(&E, ZMQ_PUSH, E.feed, U[U_SUPPLIER].pub,
	    U[U_SUPPLIER].sec);
	void *p2 = harness_broker_curve_socket(&E, ZMQ_PUSH, E.feed, U[U_SUPPLIER2].pub,
	    U[U_SUPPLIER2].sec);
	static const char *const ids[] = { "SC-J-001", "SC-J-002", "SC-M-001" };
	struct proto_status s;
	struct proto_fix x;
	struct proto_reply r;
	uint32_t v;
	void *mon, *ss;
	char sup[64];
	int i;

	/* the refusals: the pub socket at the handshake, the snapshot by the matrix */
	ss = monitored(ZMQ_SUB, E.pub, U[U_SUPPLIER].pub, U[U_SUPPLIER].sec, &mon);
	ck_assert_int_eq(next_event(mon, &v), ZMQ_EVENT_HANDSHAKE_FAILED_AUTH);
	ck_assert_uint_eq(v, 400);
	close2(ss, mon);
	struct proto_snapshot sn = { .present = 0 };
	as(U_SUPPLIER);
	harness_broker_fail(&E, NULL, PROTO_MSG_snapshot, &sn, PROTO_E_FORBIDDEN,
	    "is not allowed to this client");

	/* jiarong's two trucks, minjiang's one, each with a fix */
	wait_hb(sub);
	for (i = 0; i < 3; i++) {
		void *p = i < 2 ? p1 : p2;
		s = status(ids[i], "available", NULL);
		push(p, PROTO_MSG_status, &s);
		x = fix(ids[i]);
		push(p, PROTO_MSG_fix, &x);
		harness_broker_step(&E, 0);
		expect_truck(sub, &(struct truck_want){ ids[i], true }, sup);
	}
	/* a ticket offered to each supplier */
	int64_t tid[2];
	struct proto_ticket t[2];
	as(U_AGENT);
	for (i = 0; i < 2; i++) {
		struct proto_intake_create a = intake_args("aba", 31.9046, 102.2214);
		t[i] = harness_broker_ok(&E, NULL, PROTO_MSG_intake_create, &a);
		struct proto_ticket_assign asg = { .id = t[i].id, .present = 0 };
		PROTO_STRSET(asg.truck, i == 0 ? "SC-J-001" : "SC-M-001");
		t[i] = harness_broker_ok(&E, NULL, PROTO_MSG_ticket_assign, &asg);
		ck_assert_str_eq(t[i].state, "dispatched");
		tid[i] = t[i].id;
	}

	/* jiarong, naming minjiang: its own, forced */
	jobs_as(U_SUPPLIER, "minjiang", -1, &r);
	ck_assert_msg(r.ok, "%s", r.error.message);
	ck_assert_str_eq(r.sjobs.supplier, "jiarong");
	ck_assert(!r.sjobs.unchanged);
	ck_assert_uint_eq(r.n_trucks, 2);
	for (size_t k = 0; k < r.n_trucks; k++)
		ck_assert_str_eq(r.trucks[k].supplier, "jiarong");
	ck_assert_uint_eq(r.n_tickets, 1);
	ck_assert_uint_eq(r.n_jobs, 1);
	ck_assert_int_eq(job_index(&r, tid[1]), -1);
	i = job_index(&r, tid[0]);
	ck_assert_int_eq(i, 0);
	ck_assert_str_eq(r.tickets[i].state, "dispatched");
	ck_assert_str_ne(r.tickets[i].phone, "+86 138-0013-8000"); /* masked */
	ck_assert_str_ne(r.tickets[i].customer, "张三");
	ck_assert_str_eq(r.jobs[i].truck, "SC-J-001");
	ck_assert_str_eq(r.jobs[i].todo, "answer");
	ck_assert(PROTO_HAS(&r.jobs[i], job, due));
	ck_assert_int_eq(r.jobs[i].due, t[0].offer_until);
	ck_assert(!PROTO_HAS(&r.jobs[i], job, after));
	proto_reply_finish(&r);
	jobs_as(U_SUPPLIER, NULL, -1, &r);
	ck_assert_msg(r.ok, "%s", r.error.message);
	ck_assert_str_eq(r.sjobs.supplier, "jiarong");
	proto_reply_finish(&r);

	/* minjiang sees its own only; a supervisor and the simulator name the supplier */
	for (int u = 0; u < 3; u++) {
		jobs_as(u == 0 ? U_SUPPLIER2 : u == 1 ? U_SUPERVISOR : U_SIM, "minjiang", -1, &r);
		ck_assert_msg(r.ok, "%s", r.error.message);
		ck_assert_str_eq(r.sjobs.supplier, "minjiang");
		ck_assert_uint_eq(r.n_trucks, 1);
		ck_assert_str_eq(r.trucks[0].id, "SC-M-001");
		ck_assert_uint_eq(r.n_tickets, 1);
		ck_assert_int_eq(job_index(&r, tid[0]), -1);
		ck_assert_int_eq(job_index(&r, tid[1]), 0);
		proto_reply_finish(&r);
	}
	jobs_as(U_SUPERVISOR, "jiarong", -1, &r);
	ck_assert_uint_eq(r.n_trucks, 2);
	ck_assert_int_eq(job_index(&r, tid[0]), 0);
	proto_reply_finish(&r);
	/* without a supplier, or one nobody knows */
	jobs_as(U_SUPERVISOR, NULL, -1, &r);
	ck_assert(!r.ok);
	ck_assert_int_eq(r.error.code, PROTO_E_BAD_REQUEST);
	ck_assert_str_eq(r.error.field, "supplier");
	proto_reply_finish(&r);
	jobs_as(U_SIM, "nobody", -1, &r);
	ck_assert(!r.ok);
	ck_assert_int_eq(r.error.code, PROTO_E_NOT_FOUND);
	proto_reply_finish(&r);
	/* others may not ask at all */
	jobs_as(U_AGENT, "jiarong", -1, &r);
	ck_assert_int_eq(r.error.code, PROTO_E_FORBIDDEN);
	proto_reply_finish(&r);

	/* polling: nothing changed since the last answer's now */
	harness_broker_step(&E, 1000);
	jobs_as(U_SUPPLIER, NULL, -1, &r);
	int64_t since = r.sjobs.now;
	proto_reply_finish(&r);
	jobs_as(U_SUPPLIER, NULL, since, &r);
	ck_assert_msg(r.ok, "%s", r.error.message);
	ck_assert(r.sjobs.unchanged);
	ck_assert_uint_eq(r.n_trucks, 0);
	ck_assert_uint_eq(r.n_tickets, 0);
	ck_assert_uint_eq(r.n_jobs, 0);
	proto_reply_finish(&r);
	/* minjiang's truck changing is nothing to jiarong */
	s = status("SC-M-001", "off_duty", NULL);
	push(p2, PROTO_MSG_status, &s);
	harness_broker_step(&E, 0);
	expect_truck(sub, &(struct truck_want){ "SC-M-001", false }, sup);
	jobs_as(U_SUPPLIER, NULL, since, &r);
	ck_assert(r.sjobs.unchanged);
	proto_reply_finish(&r);

	/* jiarong answers the offer it was shown: then it is to leave, and the poll says so */
	struct proto_offer_accept acc = { .id = tid[0], .eta_s = 900, .present = 0 };
	PROTO_STRSET(acc.truck, "SC-J-001");
	as(U_SUPPLIER);
	harness_broker_call_as(&E, NULL, PROTO_MSG_offer_accept, &acc, &r);
	ck_assert_msg(r.ok, "%s", r.error.message);
	ck_assert_str_eq(r.ticket.state, "accepted");
	int64_t eta = r.ticket.eta;
	proto_reply_finish(&r);
	jobs_as(U_SUPPLIER, NULL, since, &r);
	ck_assert(!r.sjobs.unchanged);
	ck_assert_uint_eq(r.n_trucks, 2);
	i = job_index(&r, tid[0]);
	ck_assert_int_ge(i, 0);
	ck_assert_str_eq(r.tickets[i].state, "accepted");
	ck_assert_str_eq(r.jobs[i].todo, "leave");
	ck_assert_int_eq(r.jobs[i].due, eta);
	proto_reply_finish(&r);
	/* en route: to arrive */
	struct proto_ticket_set_state st = { .id = tid[0], .present = 0 };
	PROTO_STRSET(st.state, "en_route");
	harness_broker_ok(&E, NULL, PROTO_MSG_ticket_set_state, &st);
	jobs_as(U_SUPPLIER, NULL, -1, &r);
	ck_assert_str_eq(r.jobs[job_index(&r, tid[0])].todo, "arrive");
	proto_reply_finish(&r);
	/* on scene: to finish, by no time */
	PROTO_STRSET(st.state, "on_scene");
	harness_broker_ok(&E, NULL, PROTO_MSG_ticket_set_state, &st);
	jobs_as(U_SUPPLIER, NULL, -1, &r);
	i = job_index(&r, tid[0]);
	ck_assert_str_eq(r.jobs[i].todo, "finish");
	ck_assert(!PROTO_HAS(&r.jobs[i], job, due));
	proto_reply_finish(&r);
	/* completed: off the list, the truck free again */
	PROTO_STRSET(st.state, "completed");
	harness_broker_ok(&E, NULL, PROTO_MSG_ticket_set_state, &st);
	jobs_as(U_SUPPLIER, NULL, -1, &r);
	ck_assert_int_eq(job_index(&r, tid[0]), -1);
	ck_assert_uint_eq(r.n_jobs, 0);
	ck_assert_uint_eq(r.n_trucks, 2);
	proto_reply_finish(&r);

	zmq_close(sub);
	zmq_close(p1);
	zmq_close(p2);
	struct broker_stats bs = halt_and_count();
	ck_assert_uint_ge(bs.auth_refused, 1);
	ck_assert_uint_eq(bs.forbidden, 2);
}
END_TEST

/* A truck moved to another supplier (here by the simulator; a supplier cannot give its
 * trucks away) ends the former supplier's unchanged polls: its poll with since names the
 * truck in gone, at the move's broker time, and lists the trucks it still has; the new
 * supplier gets the truck and the offer it carries; the next poll is unchanged again.
 * Past the 256 moves the broker remembers, an older since gets the whole answer. */
START_TEST(test_supplier_jobs_moved)
{
	void *sub = harness_broker_curve_socket(&E, ZMQ_SUB, E.pub, U[U_SIM].pub, U[U_SIM].sec);
	void *p1 = harness_broker_curve_socket(&E, ZMQ_PUSH, E.feed, U[U_SUPPLIER].pub,
	    U[U_SUPPLIER].sec);
	void *ps = harness_broker_curve_socket(&E, ZMQ_PUSH, E.feed, U[U_SIM].pub,
	    U[U_SIM].sec);
	static const char *const ids[] = { "SC-J-001", "SC-J-002" };
	struct proto_status s;
	struct proto_fix x;
	struct proto_reply r;
	char sup[64];

	wait_hb(sub);
	for (int i = 0; i < 2; i++) {
		s = status(ids[i], "available", NULL);
		push(p1, PROTO_MSG_status, &s);
		x = fix(ids[i]);
		push(p1, PROTO_MSG_fix, &x);
		harness_broker_step(&E, 0);
		expect_truck(sub, &(struct truck_want){ ids[i], true }, sup);
		ck_assert_str_eq(sup, "jiarong");
	}
	as(U_AGENT);
	struct proto_intake_create in = intake_args("aba", 31.9046, 102.2214);
	struct proto_ticket t = harness_broker_ok(&E, NULL, PROTO_MSG_intake_create, &in);
	struct proto_ticket_assign asg = { .id = t.id, .present = 0 };
	PROTO_STRSET(asg.truck, "SC-J-002");
	t = harness_broker_ok(&E, NULL, PROTO_MSG_ticket_assign, &asg);
	ck_assert_str_eq(t.state, "dispatched");

	harness_broker_step(&E, 1000); /* a change at exactly since counts */
	jobs_as(U_SUPPLIER, NULL, -1, &r);
	ck_assert_msg(r.ok, "%s", r.error.message);
	ck_assert_uint_eq(r.n_trucks, 2);
	ck_assert_int_eq(job_index(&r, t.id), 0);
	ck_assert_uint_eq(r.n_gone, 0);
	int64_t since = r.sjobs.now;
	proto_reply_finish(&r);
	harness_broker_step(&E, 1000);
	jobs_as(U_SUPPLIER, NULL, since, &r);
	ck_assert(r.sjobs.unchanged);
	ck_assert_uint_eq(r.n_gone, 0);
	proto_reply_finish(&r);

	/* the simulator hands SC-J-002, with its offer, to minjiang */
	int64_t moved = E.now;
	s = status("SC-J-002", "available", "minjiang");
	push(ps, PROTO_MSG_status, &s);
	harness_broker_step(&E, 0);
	do	/* the offer's publications of it come first */
		expect_truck(sub, &(struct truck_want){ "SC-J-002", false }, sup);
	while (strcmp(sup, "minjiang") != 0);
	harness_broker_step(&E, 1000);

	jobs_as(U_SUPPLIER, NULL, since, &r);
	ck_assert_msg(r.ok, "%s", r.error.message);
	ck_assert(!r.sjobs.unchanged);
	ck_assert_uint_eq(r.n_trucks, 1);
	ck_assert_str_eq(r.trucks[0].id, "SC-J-001");
	ck_assert_int_eq(job_index(&r, t.id), -1);
	ck_assert_uint_eq(r.n_gone, 1);
	ck_assert_str_eq(r.gone[0].truck, "SC-J-002");
	ck_assert_int_eq(r.gone[0].at, moved);
	int64_t since2 = r.sjobs.now;
	proto_reply_finish(&r);
	/* minjiang has it now, and the offer it carries; nothing of minjiang's went */
	jobs_as(U_SUPPLIER2, NULL, since, &r);
	ck_assert_msg(r.ok, "%s", r.error.message);
	ck_assert(!r.sjobs.unchanged);
	ck_assert_uint_eq(r.n_trucks, 1);
	ck_assert_str_eq(r.trucks[0].id, "SC-J-002");
	ck_assert_int_eq(job_index(&r, t.id), 0);
	ck_assert_str_eq(r.jobs[0].todo, "answer");
	ck_assert_uint_eq(r.n_gone, 0);
	proto_reply_finish(&r);
	/* jiarong's next poll: unchanged again; without since: no gone */
	jobs_as(U_SUPPLIER, NULL, since2, &r);
	ck_assert(r.sjobs.unchanged);
	ck_assert_uint_eq(r.n_gone, 0);
	proto_reply_finish(&r);
	jobs_as(U_SUPPLIER, NULL, -1, &r);
	ck_assert(!r.sjobs.unchanged);
	ck_assert_uint_eq(r.n_trucks, 1);
	ck_assert_uint_eq(r.n_gone, 0);
	proto_reply_finish(&r);
	/* a supervisor asking for jiarong with the first since sees the same */
	jobs_as(U_SUPERVISOR, "jiarong", since, &r);
	ck_assert_uint_eq(r.n_gone, 1);
	ck_assert_str_eq(r.gone[0].truck, "SC-J-002");
	proto_reply_finish(&r);

	/* more moves of other suppliers' trucks than the broker remembers: a since before
	 * a forgotten move gets the whole answer (it might have been jiarong's), a since
	 * after it is unchanged again */
	char to[16];
	s = status("SC-X-001", "available", "minjiang");
	push(ps, PROTO_MSG_status, &s);
	for (int i = 0; i < 260; i++) {
		snprintf(to, sizeof to, "x%d", i);
		s = status("SC-X-001", "available", to);
		push(ps, PROTO_MSG_status, &s);
	}
	harness_broker_step(&E, 0);
	do
		expect_truck(sub, &(struct truck_want){ "SC-X-001", false }, sup);
	while (strcmp(sup, to) != 0);
	jobs_as(U_SUPPLIER, NULL, since2, &r);
	ck_assert(!r.sjobs.unchanged);
	ck_assert_uint_eq(r.n_trucks, 1);
	ck_assert_uint_eq(r.n_gone, 0);
	proto_reply_finish(&r);
	harness_broker_step(&E, 1000);
	jobs_as(U_SUPPLIER, NULL, -1, &r);
	int64_t since3 = r.sjobs.now;
	proto_reply_finish(&r);
	jobs_as(U_SUPPLIER, NULL, since3, &r);
	ck_assert(r.sjobs.unchanged);
	proto_reply_finish(&r);
	jobs_as(U_SIM, "x3", since, &r); /* x3's truck went to x4: remembered */
	ck_assert_uint_eq(r.n_gone, 1);
	ck_assert_str_eq(r.gone[0].truck, "SC-X-001");
	proto_reply_finish(&r);

	zmq_close(sub);
	zmq_close(p1);
	zmq_close(ps);
	halt_and_count();
}
END_TEST

/* ---------------------------------------------------------------- escalation */

START_TEST(test_escalate_clear)
{
	struct proto_escalate e = { .present = 0 };

	as(U_AGENT);
	struct proto_intake_create a = intake_args("aba", 31.9046, 102.2214);
	struct proto_ticket t = harness_broker_ok(&E, NULL, PROTO_MSG_intake_create, &a);
	e.id = t.id;
	PROTO_STRSET(e.reason, "customer very upset");
	t = harness_broker_ok(&E, NULL, PROTO_MSG_escalate, &e);
	ck_assert(PROTO_HAS(&t, ticket, escalated));
	e.clear = true;
	PROTO_SET(&e, escalate, clear);
	PROTO_STRSET(e.reason, "handled");
	harness_broker_fail(&E, NULL, PROTO_MSG_escalate, &e, PROTO_E_FORBIDDEN,
	    "only a supervisor");
	as(U_SPECIALIST);
	harness_broker_fail(&E, NULL, PROTO_MSG_escalate, &e, PROTO_E_FORBIDDEN,
	    "only a supervisor");
	as(U_SUPERVISOR);
	t = harness_broker_ok(&E, NULL, PROTO_MSG_escalate, &e);
	ck_assert(!PROTO_HAS(&t, ticket, escalated));
}
END_TEST

/* ---------------------------------------------------------------- complaint approvals */

/* A complaint record as a console saves it, at version v. */
static char *
complaint_rec(int64_t v, int ext, const char *ext_by, int64_t goodwill, const char *gw_by,
    const char *gw_role)
{
	struct complaint *c = complaint_new(HARNESS_BROKER_T0 - 3600 * 1000);
	complaint_field_set_str(c, CF_uid, "li.na-1");
	c->version = v;
	c->state = COMPLAINT_INVESTIGATING;
	complaint_field_set_str(c, CF_number, "TS-20260302-000001");
	complaint_field_set_str(c, CF_name, "张三");
	complaint_field_set_str(c, CF_phone, "13812345678");
	complaint_field_set_str(c, CF_handler, "li.na");
	complaint_field_set_str(c, CF_facts, "the truck came late");
	c->extension_level = ext;
	if (ext_by != NULL)
		complaint_field_set_str(c, CF_extension_approver, ext_by);
	c->goodwill = goodwill;
	if (gw_by != NULL) {
		complaint_field_set_str(c, CF_goodwill_approver, gw_by);
		complaint_field_set_str(c, CF_goodwill_role, gw_role);
	}
	char *text = complaint_encode(c);
	complaint_free(c);
	return text;
}

/* Put rec as version v over base (-1: none): the reply, which the caller finishes. */
static void
complaint_put(int64_t v, int64_t base, char *rec, struct proto_reply *r)
{
	struct proto_complaint_put a = { .version = v, .base = base, .present = 0 };
	PROTO_STRSET(a.uid, "li.na-1");
	PROTO_STRSET(a.record, rec);
	PROTO_SET(&a, complaint_put, uid);
	PROTO_SET(&a, complaint_put, version);
	PROTO_SET(&a, complaint_put, record);
	if (base >= 0)
		PROTO_SET(&a, complaint_put, base);
	harness_broker_call_as(&E, NULL, PROTO_MSG_complaint_put, &a, r);
	free(rec);
}

/* Issue 11: what an agent's key may not approve in a complaint (an extension of the
 * deadline, a comfort payment beyond the agent's limit of data/complaints.ini), the
 * supervisor's key may; the role is the key's, whatever the record claims. */
START_TEST(test_complaint_approvals)
{
	struct proto_reply r;

	as(U_AGENT);
	complaint_put(1, -1, complaint_rec(1, 0, NULL, 0, NULL, NULL), &r);
	ck_assert_msg(r.ok, "%s", r.error.message);
	proto_reply_finish(&r);
	/* the agent extends the deadline on its own say */
	complaint_put(2, 1, complaint_rec(2, 1, "li.na", 0, NULL, NULL), &r);
	ck_assert(!r.ok);
	ck_assert_int_eq(r.error.code, PROTO_E_FORBIDDEN);
	ck_assert_str_eq(r.error.params.reason, "complaint_approval");
	ck_assert_str_eq(r.error.params.name, "extension_level");
	ck_assert_str_eq(r.error.params.need, "supervisor");
	proto_reply_finish(&r);
	/* a payment of 500.00, past the agent's 200.00, claimed as a supervisor's */
	complaint_put(2, 1, complaint_rec(2, 0, NULL, 50000, "li.na", "supervisor"), &r);
	ck_assert_int_eq(r.error.code, PROTO_E_FORBIDDEN);
	ck_assert_str_eq(r.error.params.reason, "complaint_approval");
	ck_assert_str_eq(r.error.params.need, "supervisor");
	proto_reply_finish(&r);
	/* honestly the agent's: over its limit */
	complaint_put(2, 1, complaint_rec(2, 0, NULL, 50000, "li.na", "agent"), &r);
	ck_assert_int_eq(r.error.code, PROTO_E_FORBIDDEN);
	ck_assert_str_eq(r.error.params.reason, "complaint_approval");
	ck_assert_str_eq(r.error.params.name, "goodwill");
	ck_assert_str_eq(r.error.params.need, "supervisor");
	ck_assert_int_eq(r.error.params.limit, 20000);
	proto_reply_finish(&r);
	/* the supervisor approves both, in its own name */
	as(U_SUPERVISOR);
	complaint_put(2, 1, complaint_rec(2, 1, "wang.wei", 50000, "wang.wei", "supervisor"),
	    &r);
	ck_assert_msg(r.ok, "%s", r.error.message);
	proto_reply_finish(&r);
	/* and a supplier's or an intake's key may not read it */
	struct proto_complaint_get g = { .present = 0 };
	PROTO_STRSET(g.uid, "li.na-1");
	PROTO_SET(&g, complaint_get, uid);
	as(U_SUPPLIER);
	harness_broker_call_as(&E, NULL, PROTO_MSG_complaint_get, &g, &r);
	ck_assert_int_eq(r.error.code, PROTO_E_FORBIDDEN);
	proto_reply_finish(&r);
	as(U_INTAKE);
	harness_broker_call_as(&E, NULL, PROTO_MSG_complaint_get, &g, &r);
	ck_assert_int_eq(r.error.code, PROTO_E_FORBIDDEN);
	proto_reply_finish(&r);
	as(U_AGENT);
	harness_broker_call_as(&E, NULL, PROTO_MSG_complaint_get, &g, &r);
	ck_assert_msg(r.ok, "%s", r.error.message);
	proto_reply_finish(&r);
}
END_TEST

/* ---------------------------------------------------------------- open, keys */

static void
setup_bare(void)
{
	struct harness_broker_opts o = {
		.base_dir = base_dir, .log_env = "CHECK_AUTH_LOG", .cmd_prefix = "auth",
	};
	harness_broker_setup(&E, &o);
}

/* Without CURVE only this host's endpoints are bound; users and key go together. */
START_TEST(test_open_loopback)
{
	char db[200], *cause = NULL;
	struct broker_opts o = {
		.api = "tcp://0.0.0.0:0", .pub = "tcp://127.0.0.1:*", .feed = "tcp://127.0.0.1:*",
		.db = db, .data_dir = SOURCE_DATA_DIR, .sync = STORE_SYNC_NORMAL,
		.max_memory_mb = -1,
	};
	struct broker *b;

	snprintf(db, sizeof db, "%s/open.db", E.dir);
	ck_assert_ptr_null(broker_create(E.ctx, &o, &cause));
	ck_assert_msg(strstr(cause, "refusing to bind tcp://0.0.0.0:0 without CURVE") != NULL,
	    "%s", cause);
	free(cause);
	o.api = "tcp://127.0.0.1:*";
	o.feed = "tcp://192.168.1.10:5552";
	ck_assert_ptr_null(broker_create(E.ctx, &o, &cause));
	ck_assert_ptr_nonnull(strstr(cause, "tcp://192.168.1.10:5552"));
	free(cause);
	o.feed = "ipc:///tmp/rd-check-auth-open-feed";
	o.users = "users.ini";
	ck_assert_ptr_null(broker_create(E.ctx, &o, &cause));
	ck_assert_ptr_nonnull(strstr(cause, "--users and --key go together"));
	free(cause);
	o.users = NULL;
	b = broker_create(E.ctx, &o, &cause);
	ck_assert_msg(b != NULL, "%s", cause);
	broker_destroy(b);
}
END_TEST

START_TEST(test_keygen)
{
	char path[200], pub[41], pub2[41], sec[41], *cause = NULL;
	struct stat st;

	snprintf(path, sizeof path, "%s/desk.key", E.dir);
	ck_assert_int_eq(broker_keygen(path, pub, &cause), 0);
	ck_assert(keyfile_z85_ok(pub));
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_eq(st.st_mode & 0777, 0600);
	ck_assert_int_eq(keyfile_read(path, pub2, sec, &cause), 0);
	ck_assert_str_eq(pub, pub2);
	ck_assert_str_ne(pub, sec);
}
END_TEST

static Suite *
auth_suite(void)
{
	Suite *s = suite_create("auth");
	TCase *tc = harness_broker_tcase(s, "curve", setup, teardown);

	tcase_add_test(tc, test_role_names);
	tcase_add_test(tc, test_matrix);
	tcase_add_test(tc, test_identity);
	tcase_add_test(tc, test_refused);
	tcase_add_test(tc, test_revoke);
	tcase_add_test(tc, test_sighup_flag);
	tcase_add_test(tc, test_supplier_scope);
	tcase_add_test(tc, test_supplier_jobs);
	tcase_add_test(tc, test_supplier_jobs_moved);
	tcase_add_test(tc, test_escalate_clear);
	tcase_add_test(tc, test_complaint_approvals);
	tc = harness_broker_tcase(s, "open", setup_bare, teardown);
	tcase_add_test(tc, test_open_loopback);
	tcase_add_test(tc, test_keygen);
	return s;
}

int
main(void)
{
	return harness_broker_main(auth_suite(), base_dir);
}
