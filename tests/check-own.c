/* check-own.c: owned warnings and escalation (PROTOCOL.md 7.23 to 7.26), end to end: the
 * real broker in a thread with the reference data of tests/fixture-town.c, on a manual
 * clock, sla.ini's escalate_after_s and owner_lease_s left to their defaults (120 s, 30 s).
 * A red warning is made by two calls again on a ticket in the hills (the callback rule is
 * red from the second call, at once).
 *
 *   - two agents acknowledge at once: one owns the warnings, the other is refused
 *     (conflict, reason owned, naming the owner); the owner's ack again changes nothing;
 *   - warning.release gives it up; another's warning cannot be released;
 *   - a red warning nobody owns escalates after 120 s, not a step before, once; an owned one
 *     does not; an amber one does not;
 *   - an owner keeps a warning across a level change; owners and escalations survive a
 *     restart, where presence (memory only) starts its lease at the first tick;
 *   - an owner whose presence lapses (30 s) or who says "off" lets go;
 *   - ticket.escalate logs escalate with who and why, shows in the snapshot, and a clear
 *     ends it; stats.kpi counts both kinds of escalation. */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include "broker.h"
#include "proto.h"
#include "util.h"

#include "fixture-town.h"
#include "harness-broker.h"

static char base_dir[] = "/tmp/rd-check-own-XXXXXX";

static void
setup(void)
{
	town_setup(base_dir, "CHECK_OWN_LOG", "own");
}

/* ---------------------------------------------------------------- helpers */

/* A ticket in the hills with a red callback warning; *w its publication. */
static struct proto_ticket
red_ticket(struct proto_warning *w)
{
	struct proto_ticket t = town_create("hills", "battery", HILLS_LAT, HILLS_LON);
	struct proto_ticket_callback cb = { .id = t.id, .present = 0 };
	struct proto_pub p;

	town_ok_as("agent9", PROTO_MSG_ticket_callback, &cb);
	town_ok_as("agent9", PROTO_MSG_ticket_callback, &cb);
	for (;;) {
		town_expect(&p, (struct town_want){ .topic = PROTO_TOPIC_WARNING, .ticket = t.id,
		    .state = "callback", .cleared = 0 }, "callback warning");
		if (strcmp(p.u.warning.level, "red") == 0)
			break;
	}
	*w = p.u.warning;
	return t;
}

/* The next publication of ticket's callback warning. */
static struct proto_warning
next_callback(int64_t ticket, const char *what)
{
	struct proto_pub p;

	town_expect(&p, (struct town_want){ .topic = PROTO_TOPIC_WARNING, .ticket = ticket,
	    .state = "callback", .cleared = -1 }, what);
	return p.u.warning;
}

/* The next publication of ticket's waiting_agent warning (hills: red past 3 x 180 s). */
static struct proto_warning
next_waiting(int64_t ticket, const char *what)
{
	struct proto_pub p;

	town_expect(&p, (struct town_want){ .topic = PROTO_TOPIC_WARNING, .ticket = ticket,
	    .state = "waiting_agent", .cleared = -1 }, what);
	return p.u.warning;
}

static struct proto_warning_ack
ack_ticket(int64_t id)
{
	struct proto_warning_ack a = { .ticket = id, .present = 0 };

	PROTO_SET(&a, warning_ack, ticket);
	return a;
}

static void
presence(const char *user, const char *state, struct proto_reply *r)
{
	struct proto_presence a = { .present = 0 };

	PROTO_STRSET(a.state, state);
	PROTO_SET(&a, presence, state);
	town_call_as(user, PROTO_MSG_presence, &a, r);
	ck_assert_msg(r->ok, "presence refused: %s", r->error.message);
}

static struct proto_kpi
kpi(void)
{
	struct proto_stats_kpi a = { .present = 0 };
	struct proto_reply r;
	struct proto_kpi k;

	town_call_as("boss", PROTO_MSG_stats_kpi, &a, &r);
	ck_assert(r.ok);
	ck_assert(PROTO_HAS(&r.kpi, kpi, escalated));
	k = r.kpi;
	proto_reply_finish(&r);
	return k;
}

/* Send a request as user on socket s without waiting. */
static void
send_as(void *s, const char *user, const char *cmd_id, enum proto_msg_id op, const void *args)
{
	struct proto_buf b;

	proto_buf_init(&b);
	proto_encode_request(&b, op, cmd_id, user, args);
	ck_assert_int_eq(zmq_send(s, b.data, b.len, 0), (int)b.len);
	proto_buf_finish(&b);
}

static void
recv_reply(void *s, struct proto_reply *r)
{
	char buf[65536];
	struct proto_error err;
	int n;

	ck_assert(harness_broker_wait_in(s, rd_mono_ms() + HARNESS_BROKER_WAIT_MS));
	n = zmq_recv(s, buf, sizeof buf, 0);
	ck_assert_int_gt(n, 0);
	ck_assert_int_eq(proto_decode_reply(buf, (size_t)n, r, &err), 0);
}

/* ---------------------------------------------------------------- ownership */

START_TEST(test_ack_race)
{
	struct proto_warning w, u;
	struct proto_ticket t = red_ticket(&w);
	struct proto_warning_ack a = ack_ticket(t.id);
	void *s1 = harness_broker_socket(&town_broker, ZMQ_DEALER, town_broker.api);
	void *s2 = harness_broker_socket(&town_broker, ZMQ_DEALER, town_broker.api);
	struct proto_reply r1, r2, *won, *lost;
	const char *winner, *loser;

	ck_assert(!PROTO_HAS(&w, warning, owner));
	/* both requests are in before the broker answers either */
	send_as(s1, "ana", "race-1", PROTO_MSG_warning_ack, &a);
	send_as(s2, "bo", "race-2", PROTO_MSG_warning_ack, &a);
	recv_reply(s1, &r1);
	recv_reply(s2, &r2);
	ck_assert_msg(r1.ok != r2.ok, "both or neither acknowledged");
	won = r1.ok ? &r1 : &r2;
	lost = r1.ok ? &r2 : &r1;
	winner = r1.ok ? "ana" : "bo";
	loser = r1.ok ? "bo" : "ana";
	ck_assert_int_eq(won->n_warnings, 1);
	ck_assert_str_eq(won->warnings[0].owner, winner);
	ck_assert_int_eq(won->warnings[0].acked, town_broker.now);
	ck_assert_int_eq(lost->error.code, PROTO_E_CONFLICT);
	ck_assert_str_eq(lost->error.params.reason, "owned");
	ck_assert_str_eq(lost->error.params.by, winner);
	ck_assert_int_eq(lost->error.params.warning, w.id);
	ck_assert_msg(strstr(lost->error.message, "already owned by") != NULL, "%s",
	    lost->error.message);
	proto_reply_finish(&r1);
	proto_reply_finish(&r2);
	zmq_close(s1);
	zmq_close(s2);

	/* the winner published once as owner; its own ack again publishes nothing */
	u = next_callback(t.id, "owned warning");
	ck_assert_str_eq(u.owner, winner);
	ck_assert_str_eq(u.level, "red");
	town_ok_as(winner, PROTO_MSG_warning_ack, &a);
	town_fail_as(loser, PROTO_MSG_warning_ack, &a, PROTO_E_CONFLICT, winner);

	/* the loser cannot release it; the owner can, and the loser may own it then */
	struct proto_warning_release rel = { .warning = w.id, .present = 0 };
	PROTO_SET(&rel, warning_release, warning);
	town_fail_as(loser, PROTO_MSG_warning_release, &rel, PROTO_E_CONFLICT, winner);
	town_ok_as(winner, PROTO_MSG_warning_release, &rel);
	u = next_callback(t.id, "released warning");
	ck_assert(!PROTO_HAS(&u, warning, owner));
	struct proto_warning_ack one = { .warning = w.id, .present = 0 };
	PROTO_SET(&one, warning_ack, warning);
	town_ok_as(loser, PROTO_MSG_warning_ack, &one);
	u = next_callback(t.id, "warning owned again");
	ck_assert_str_eq(u.owner, loser);
}
END_TEST

START_TEST(test_ack_refusals)
{
	struct proto_ticket t = town_create("hills", "battery", HILLS_LAT, HILLS_LON);
	struct proto_warning_ack a = ack_ticket(t.id);
	struct proto_warning_ack both = ack_ticket(t.id);
	struct proto_reply r;

	town_fail_as("ana", PROTO_MSG_warning_ack, &a, PROTO_E_INVALID_STATE, "no active warning");
	both.warning = 1;
	PROTO_SET(&both, warning_ack, warning);
	town_fail_as("ana", PROTO_MSG_warning_ack, &both, PROTO_E_BAD_REQUEST, "either");
	a.ticket = 999;
	town_fail_as("ana", PROTO_MSG_warning_ack, &a, PROTO_E_NOT_FOUND, "no ticket 999");
	town_call_as(NULL, PROTO_MSG_warning_ack, &both, &r);
	ck_assert(!r.ok);
	ck_assert_int_eq(r.error.code, PROTO_E_UNAUTHENTICATED);
	proto_reply_finish(&r);
}
END_TEST

/* ---------------------------------------------------------------- escalation */

START_TEST(test_escalation_timing)
{
	struct proto_warning w, u, v;
	struct proto_ticket t = red_ticket(&w), t2 = red_ticket(&v);
	struct proto_warning_ack a = ack_ticket(t2.id);
	struct proto_reply r;

	/* t2's warning is owned, and its owner stays present all along */
	town_ok_as("ana", PROTO_MSG_warning_ack, &a);
	next_callback(t2.id, "owned");
	ck_assert_int_eq(kpi().escalated, 0);
	for (int i = 0; i < 11; i++) {  /* 110 s: not yet */
		town_step(10000);
		presence("ana", "on", &r);
		ck_assert_int_eq(r.n_warnings, 1);
		proto_reply_finish(&r);
	}
	ck_assert_int_eq(kpi().escalated, 0);
	town_step(9000);                /* 119 s */
	ck_assert_int_eq(kpi().escalated, 0);
	town_step(1000);                /* 120 s */
	u = next_callback(t.id, "escalated warning");
	ck_assert(PROTO_HAS(&u, warning, escalated));
	ck_assert_int_eq(u.escalated, town_broker.now);
	ck_assert_int_eq(u.escalated - w.ts, 120000);
	ck_assert(!PROTO_HAS(&u, warning, owner));
	ck_assert_int_eq(kpi().escalated, 1);
	/* once: more time brings no second escalation, and the owned one never escalates */
	presence("ana", "on", &r);
	proto_reply_finish(&r);
	town_step(20000);
	presence("ana", "on", &r);
	proto_reply_finish(&r);
	town_step(1000);
	ck_assert_int_eq(kpi().escalated, 1);
}
END_TEST

START_TEST(test_amber_not_escalated)
{
	struct proto_ticket t = town_create("hills", "battery", HILLS_LAT, HILLS_LON);
	struct proto_ticket_callback cb = { .id = t.id, .present = 0 };
	struct proto_pub p;

	town_ok_as("agent9", PROTO_MSG_ticket_callback, &cb);
	town_expect(&p, (struct town_want){ .topic = PROTO_TOPIC_WARNING, .ticket = t.id,
	    .state = "callback", .cleared = 0 }, "amber callback warning");
	ck_assert_str_eq(p.u.warning.level, "amber");
	town_step(130000);
	ck_assert_int_eq(kpi().escalated, 0);
}
END_TEST

/* ---------------------------------------------------------------- presence */

START_TEST(test_presence_lapse)
{
	struct proto_warning w, u;
	struct proto_ticket t = red_ticket(&w);
	struct proto_warning_ack a = ack_ticket(t.id);
	struct proto_reply r;

	town_ok_as("ana", PROTO_MSG_warning_ack, &a);   /* an ack counts as presence */
	u = next_callback(t.id, "owned");
	ck_assert_str_eq(u.owner, "ana");
	town_step(20000);
	presence("ana", "on", &r);                       /* seen at 20 s */
	ck_assert_int_eq(r.n_warnings, 1);
	ck_assert_int_eq(r.warnings[0].id, w.id);
	proto_reply_finish(&r);
	town_step(30000);                                /* 30 s since: still within */
	ck_assert_int_eq(kpi().escalated, 0);
	town_step(1000);                                 /* 31 s: the lease ran out */
	u = next_callback(t.id, "released by lapse");
	ck_assert(!PROTO_HAS(&u, warning, owner));
	ck_assert(!PROTO_HAS(&u, warning, acked));
	/* unowned from the lapse: it escalates 120 s after it, not after the raise */
	town_step(119000);
	ck_assert_int_eq(kpi().escalated, 0);
	town_step(1000);
	u = next_callback(t.id, "escalated after the lapse");
	ck_assert(PROTO_HAS(&u, warning, escalated));
}
END_TEST

START_TEST(test_presence_off)
{
	struct proto_warning w, u;
	struct proto_ticket t = red_ticket(&w);
	struct proto_warning_ack a = ack_ticket(t.id);
	struct proto_reply r;
	struct proto_presence bad = { .present = 0 };

	town_ok_as("ana", PROTO_MSG_warning_ack, &a);
	next_callback(t.id, "owned");
	presence("ana", "off", &r);
	ck_assert_int_eq(r.n_warnings, 0);
	proto_reply_finish(&r);
	u = next_callback(t.id, "released by off");
	ck_assert(!PROTO_HAS(&u, warning, owner));
	PROTO_STRSET(bad.state, "away");
	PROTO_SET(&bad, presence, state);
	town_fail_as("ana", PROTO_MSG_presence, &bad, PROTO_E_BAD_REQUEST, "on or off");
}
END_TEST

/* Users are not verified yet: made-up names are forgotten once long silent and owning
 * nothing (the table does not grow without end); an owner is kept while it owns. */
START_TEST(test_presence_forgotten)
{
	struct proto_warning w;
	struct proto_ticket t = red_ticket(&w);
	struct proto_warning_ack a = ack_ticket(t.id);
	struct broker_stats st;
	struct proto_reply r;
	char user[32];

	for (int i = 0; i < 50; i++) {
		snprintf(user, sizeof user, "made-up-%d", i);
		presence(user, "on", &r);
		proto_reply_finish(&r);
	}
	town_ok_as("ana", PROTO_MSG_warning_ack, &a);
	next_callback(t.id, "owned");
	broker_stats(town_broker.b, &st);
	ck_assert_uint_eq(st.presence_users, 51);
	for (int i = 0; i < 12; i++) {	/* 6 min: ana keeps saying on, the others are silent */
		town_step(30000);
		presence("ana", "on", &r);
		proto_reply_finish(&r);
	}
	broker_stats(town_broker.b, &st);
	ck_assert_uint_eq(st.presence_users, 1);	/* ana: she owns a warning */
}
END_TEST

/* The owner and the escalation are the warning's own keys: a restart keeps them; presence
 * is memory only, so the owner has owner_lease_s from the first tick to be heard of. A
 * waiting_agent warning stands across a restart. */
START_TEST(test_restart)
{
	struct proto_ticket t = town_create("hills", "battery", HILLS_LAT, HILLS_LON);
	struct proto_ticket t2 = town_create("hills", "battery", HILLS_LAT, HILLS_LON);
	struct proto_warning_ack a = ack_ticket(t.id);
	struct proto_snapshot s = { .present = 0 };
	struct proto_warning w, u;
	struct proto_reply r;

	town_step(181000);
	ck_assert_str_eq(next_waiting(t.id, "amber").level, "amber");
	town_step(360000);
	w = next_waiting(t.id, "red");
	ck_assert_str_eq(w.level, "red");
	town_ok_as("ana", PROTO_MSG_warning_ack, &a);
	next_waiting(t.id, "owned");
	for (int i = 0; i < 4; i++) {   /* 120 s: t2's escalates, t's is owned */
		town_step(30000);
		presence("ana", "on", &r);
		proto_reply_finish(&r);
	}
	u = next_waiting(t2.id, "amber");
	u = next_waiting(t2.id, "red");
	u = next_waiting(t2.id, "escalated");
	ck_assert(PROTO_HAS(&u, warning, escalated));
	town_restart();
	town_step(25000);                /* the first tick: ana has the lease from here */
	town_call_as("boss", PROTO_MSG_snapshot, &s, &r);
	ck_assert(r.ok);
	int seen = 0;
	for (size_t i = 0; i < r.n_warnings; i++) {
		if (r.warnings[i].id == w.id) {
			ck_assert_str_eq(r.warnings[i].owner, "ana");
			ck_assert(!PROTO_HAS(&r.warnings[i], warning, escalated));
			seen++;
		}
		if (r.warnings[i].id == u.id) {
			ck_assert(PROTO_HAS(&r.warnings[i], warning, escalated));
			ck_assert(!PROTO_HAS(&r.warnings[i], warning, owner));
			seen++;
		}
	}
	ck_assert_int_eq(seen, 2);
	proto_reply_finish(&r);
	ck_assert_int_eq(kpi().escalated, 1);
	town_step(30000);                /* 30 s since that tick: still hers */
	ck_assert_int_eq(kpi().escalated, 1);
	town_step(1000);                 /* not heard of since the restart: let go */
	u = next_waiting(t.id, "released after the restart");
	ck_assert(!PROTO_HAS(&u, warning, owner));
}
END_TEST

/* An owned warning that changes level keeps its owner (and, owned, never escalates). */
START_TEST(test_level_keeps_owner)
{
	struct proto_ticket t = town_create("hills", "battery", HILLS_LAT, HILLS_LON);
	struct proto_warning_ack a = ack_ticket(t.id);
	struct proto_warning w;
	struct proto_reply r;

	town_step(181000);
	ck_assert_str_eq(next_waiting(t.id, "amber").level, "amber");
	town_ok_as("ana", PROTO_MSG_warning_ack, &a);
	ck_assert_str_eq(next_waiting(t.id, "owned").owner, "ana");
	for (int i = 0; i < 16; i++) {  /* to 661 s: red at 541 s, and 120 s red */
		town_step(30000);
		presence("ana", "on", &r);
		proto_reply_finish(&r);
	}
	w = next_waiting(t.id, "red");
	ck_assert_str_eq(w.level, "red");
	ck_assert_str_eq(w.owner, "ana");
	ck_assert(PROTO_HAS(&w, warning, acked));
	ck_assert_int_eq(kpi().escalated, 0);
}
END_TEST

/* ---------------------------------------------------------------- ticket.escalate */

START_TEST(test_ticket_escalate)
{
	struct proto_ticket t = town_create("hills", "battery", HILLS_LAT, HILLS_LON), u;
	struct proto_escalate e = { .id = t.id, .present = 0 };
	struct proto_snapshot s = { .present = 0 };
	struct proto_reply r;
	char kinds[256];

	town_fail_as("ana", PROTO_MSG_escalate, &e, PROTO_E_BAD_REQUEST, "reason");
	PROTO_STRSET(e.reason, "customer threatens to complain");
	PROTO_SET(&e, escalate, reason);
	u = town_ok_as("ana", PROTO_MSG_escalate, &e);
	ck_assert(PROTO_HAS(&u, ticket, escalated));
	ck_assert_str_eq(u.escalated_by, "ana");
	ck_assert_str_eq(u.escalate_reason, "customer threatens to complain");
	ck_assert_int_eq(kpi().escalated_tickets, 1);

	town_call_as("boss", PROTO_MSG_snapshot, &s, &r);
	ck_assert(r.ok);
	bool seen = false;
	for (size_t i = 0; i < r.n_tickets; i++)
		if (r.tickets[i].id == t.id) {
			seen = true;
			ck_assert_str_eq(r.tickets[i].escalate_reason,
			    "customer threatens to complain");
		}
	ck_assert(seen);
	proto_reply_finish(&r);

	/* anyone may clear it, with a reason; a second clear is refused */
	e.clear = true;
	PROTO_SET(&e, escalate, clear);
	PROTO_STRSET(e.reason, "called the customer back");
	u = town_ok_as("boss", PROTO_MSG_escalate, &e);
	ck_assert(!PROTO_HAS(&u, ticket, escalated));
	ck_assert(!PROTO_HAS(&u, ticket, escalate_reason));
	ck_assert_int_eq(kpi().escalated_tickets, 0);
	town_fail_as("boss", PROTO_MSG_escalate, &e, PROTO_E_INVALID_STATE, "not escalated");

	town_event_kinds(t.id, kinds, sizeof kinds, &r);
	ck_assert_str_eq(kinds, "created escalate escalate_clear");
	ck_assert_str_eq(r.events[1].code, "escalate");
	ck_assert_str_eq(r.events[1].user, "ana");
	ck_assert_str_eq(r.events[1].params.by, "ana");
	ck_assert_str_eq(r.events[1].params.text, "customer threatens to complain");
	ck_assert_str_eq(r.events[2].code, "escalate_clear");
	ck_assert_str_eq(r.events[2].params.by, "boss");
	proto_reply_finish(&r);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("own");
	TCase *tc = harness_broker_tcase(s, "own", setup, town_teardown);

	tcase_add_test(tc, test_ack_race);
	tcase_add_test(tc, test_ack_refusals);
	tcase_add_test(tc, test_escalation_timing);
	tcase_add_test(tc, test_amber_not_escalated);
	tcase_add_test(tc, test_presence_lapse);
	tcase_add_test(tc, test_presence_off);
	tcase_add_test(tc, test_presence_forgotten);
	tcase_add_test(tc, test_restart);
	tcase_add_test(tc, test_level_keeps_owner);
	tcase_add_test(tc, test_ticket_escalate);
	return harness_broker_main(s, base_dir);
}
