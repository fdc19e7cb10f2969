/* check-watch.c: the warning rules of issue 13 raised and cleared by the real broker
 * (src/broker/broker-watch.c over src/model/monitor.c), end to end: the broker in a thread
 * with the reference data of tests/fixture-town.c (a town at 36 km/h where the broker
 * dispatches, hills where agents do; sla.ini's new keys at their defaults), through
 * tests/harness-broker.c on a manual clock, so no test waits on real time.
 *
 *   - a truck driving away from the car raises `deviation`, and coming back clears it;
 *   - a battery job (20 min typical) on scene past 40 min raises `onscene_overrun`, red
 *     past 80 min, cleared when the ticket completes;
 *   - a call again raises `callback` at once (amber), the second turns it red, it clears
 *     1800 s after the latest call, and when the ticket closes;
 *   - a fix that puts the truck far away moves the ETA and raises `eta_late` (red) in the
 *     broker turn that applied it, with no step of the clock (no monitoring pass), within
 *     the 30 s between two ETA refreshes; a fix back near the car clears it the same way;
 *   - time-driven rules fire from the deadline queue at their deadline, to the ms, after a
 *     restart too. */
#include <check.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "broker.h"
#include "geo.h"
#include "proto.h"
#include "util.h"

#include "fixture-town.h"
#include "harness-broker.h"

#define MIN_MS 60000

static char base_dir[] = "/tmp/rd-check-watch-XXXXXX";

static void
setup(void)
{
	town_setup(base_dir, "CHECK_WATCH_LOG", "watch");
}

/* The publication of ticket's warning of kind at level ("" when cleared). */
static struct proto_warning
expect_warning(int64_t ticket, const char *kind, const char *level, const char *what)
{
	struct proto_pub p;
	bool cleared = level[0] == '\0';

	do
		town_expect(&p, (struct town_want){ .topic = PROTO_TOPIC_WARNING, .ticket = ticket,
		    .state = kind, .cleared = cleared }, what);
	while (!cleared && strcmp(p.u.warning.level, level) != 0);
	return p.u.warning;
}

/* A ticket in the town with van id's job en route; the van 1 km north of the car. */
static struct proto_ticket
en_route(const char *id, const char *fault)
{
	town_van(id, "alpha", 1);
	struct proto_ticket t = town_create("town", fault, TOWN_LAT, TOWN_LON);
	ck_assert_str_eq(t.truck, id);
	struct proto_offer_accept a = town_accept_args(t.id, id, 300);
	town_ok_as("alpha-desk", PROTO_MSG_offer_accept, &a);
	return town_set_state(t.id, "en_route");
}

static void
fix_north(const char *id, double km)
{
	town_step(15000);
	town_fix(id, geo_destination((struct geo_point){ TOWN_LAT, TOWN_LON }, 0, km * 1000));
}

START_TEST(test_deviation)
{
	struct proto_ticket t = en_route("D1", "battery");
	struct proto_warning w;

	fix_north("D1", 1.1);
	fix_north("D1", 1.2);
	fix_north("D1", 1.3);  /* farther at 2 fixes: not yet */
	int64_t closest = town_broker.now - 30000; /* the 1.1 km fix */
	town_step(500);
	fix_north("D1", 1.4);  /* 3 fixes, 300 m */
	town_step(500);
	w = expect_warning(t.id, "deviation", "amber", "deviation raised");
	ck_assert_str_eq(w.subject, "D1");
	ck_assert_int_eq(w.since, closest);
	ck_assert(strstr(w.text, "D1 is driving away from the car") == w.text);
	/* it turns back: 900 m closer than the closest */
	fix_north("D1", 0.5);
	town_step(500);
	expect_warning(t.id, "deviation", "", "deviation cleared");
}
END_TEST

START_TEST(test_onscene_overrun)
{
	struct proto_ticket t = en_route("O1", "battery");
	struct proto_warning w;

	town_set_state(t.id, "on_scene");
	int64_t at = town_broker.now;
	town_step(40 * MIN_MS);            /* 200 % of 20 min: not yet */
	town_step(1000);
	w = expect_warning(t.id, "onscene_overrun", "amber", "on scene overrun");
	ck_assert_int_eq(w.since, at);
	ck_assert_int_eq(w.eta, at + 20 * MIN_MS);
	ck_assert_str_eq(w.text, "on scene for 40 min (a typical job: 20 min)");
	town_step(40 * MIN_MS);
	expect_warning(t.id, "onscene_overrun", "red", "on scene overrun, red");
	town_set_state(t.id, "completed");
	expect_warning(t.id, "onscene_overrun", "", "cleared on completion");
}
END_TEST

START_TEST(test_callbacks)
{
	struct proto_ticket t = town_create("hills", "battery", HILLS_LAT, HILLS_LON);
	struct proto_ticket_callback cb = { .id = t.id, .present = 0 };
	struct proto_warning w;

	town_ok_as("agent9", PROTO_MSG_ticket_callback, &cb);
	int64_t first = town_broker.now;
	w = expect_warning(t.id, "callback", "amber", "first call again");
	ck_assert_int_eq(w.since, first);
	ck_assert_str_eq(w.text, "the customer called again 0 min ago");
	town_step(5 * MIN_MS);
	town_ok_as("agent9", PROTO_MSG_ticket_callback, &cb);
	w = expect_warning(t.id, "callback", "red", "second call again");
	ck_assert_int_eq(w.since, first + 5 * MIN_MS);
	ck_assert_str_eq(w.text, "the customer has called again 2 times, last 0 min ago");
	town_step(1800 * 1000);
	town_step(1);
	expect_warning(t.id, "callback", "", "cleared 1800 s after the latest call");

	/* a third call raises it again (red: the count stays); closing clears it */
	town_ok_as("agent9", PROTO_MSG_ticket_callback, &cb);
	expect_warning(t.id, "callback", "red", "third call again");
	struct proto_ticket_cancel c = { .id = t.id, .present = 0 };
	PROTO_STRSET(c.reason, "car started");
	town_ok_as("agent7", PROTO_MSG_ticket_cancel, &c);
	expect_warning(t.id, "callback", "", "cleared on cancel");
}
END_TEST

/* Whether ticket's events include one of kind. */
static bool
has_event(int64_t ticket, const char *kind)
{
	char kinds[2048], want[40];
	struct proto_reply r;

	town_event_kinds(ticket, kinds, sizeof kinds, &r);
	proto_reply_finish(&r);
	snprintf(want, sizeof want, " %s ", kind);
	char padded[sizeof kinds + 2];
	snprintf(padded, sizeof padded, " %s ", kinds);
	return strstr(padded, want) != NULL;
}

START_TEST(test_fix_raises_at_once)
{
	struct proto_ticket t = en_route("F1", "battery");
	struct proto_pub p;
	struct proto_warning w;
	int64_t at = town_broker.now;

	ck_assert(!has_event(t.id, "eta"));
	/* 200 km north: 20 000 s away, the promise is 60 min; the clock does not move */
	town_fix("F1", geo_destination((struct geo_point){ TOWN_LAT, TOWN_LON }, 0, 200000));
	ck_assert_int_eq(town_broker.now, at);
	w = expect_warning(t.id, "eta_late", "red", "eta_late raised by the fix");
	ck_assert_int_eq(w.ts, at);
	ck_assert_int_lt(llabs(w.eta - (at + 20000 * 1000)), 1000);
	do
		town_expect(&p, (struct town_want){ .topic = PROTO_TOPIC_TICKET, .ticket = t.id },
		    "the ticket with its new ETA");
	while (p.u.ticket.eta != w.eta);
	ck_assert(has_event(t.id, "eta")); /* 5 min or more: the history tells it */
	/* back 1 km from the car, still with no step: the ETA comes back, the warning clears */
	town_fix("F1", geo_destination((struct geo_point){ TOWN_LAT, TOWN_LON }, 0, 1000));
	ck_assert_int_eq(town_broker.now, at);
	w = expect_warning(t.id, "eta_late", "", "eta_late cleared by the fix");
	ck_assert_int_eq(w.ts, at);
}
END_TEST

/* Time-driven rules come from the deadline queue at their deadline to the ms: waiting for
 * an agent (180 s, red at 540 s), also for a ticket loaded at a restart (queued at the
 * first pass); GPS lost 60 s after the last fix with nothing else happening to the
 * ticket; a step past several deadlines at once looks at the ticket once, at the step. */
START_TEST(test_deadlines)
{
	struct proto_ticket t = town_create("hills", "battery", HILLS_LAT, HILLS_LON);
	struct proto_warning w;

	town_step(t.created + 180000 - town_broker.now);
	town_step(1);
	w = expect_warning(t.id, "waiting_agent", "amber", "waiting_agent at its deadline");
	ck_assert_int_eq(w.ts, t.created + 180001);
	town_restart();
	town_step(t.created + 540000 - town_broker.now);
	town_step(1);
	w = expect_warning(t.id, "waiting_agent", "red", "red at its deadline after a restart");
	ck_assert_int_eq(w.ts, t.created + 540001);

	struct proto_ticket g = en_route("G1", "battery");
	fix_north("G1", 1.0);
	int64_t fixed = town_broker.now;
	town_step(60000);
	town_step(1);
	w = expect_warning(g.id, "gps_lost", "amber", "gps_lost at its deadline");
	ck_assert_int_eq(w.ts, fixed + 60001);
	town_step(180000 + 10 * MIN_MS);	/* past the red one and more */
	w = expect_warning(g.id, "gps_lost", "red", "gps_lost red after a long step");
	ck_assert_int_eq(w.ts, town_broker.now);
}
END_TEST

/* A supplier's quote later than the model's ETA is kept while the ticket is accepted; the
 * queue looks at the ticket again when the model would catch up, not every ms (a review
 * found it re-armed at now + 1 for as long as the quote stood: a busy loop). */
START_TEST(test_quote_no_busy_loop)
{
	struct broker_stats st0, st1;

	town_van("Q1", "alpha", 1);
	struct proto_ticket t = town_create("town", "battery", TOWN_LAT, TOWN_LON);
	ck_assert_str_eq(t.truck, "Q1");
	struct proto_offer_accept a = town_accept_args(t.id, "Q1", 3000);  /* 50 min: later */
	town_ok_as("alpha-desk", PROTO_MSG_offer_accept, &a);
	town_step(15000);
	town_fix("Q1", geo_destination((struct geo_point){ TOWN_LAT, TOWN_LON }, 0, 1000));
	town_step(40000);
	broker_stats(town_broker.b, &st0);
	for (int i = 0; i < 200; i++)
		town_step(1);
	broker_stats(town_broker.b, &st1);
	ck_assert_msg(st1.watch_looks - st0.watch_looks < 10,
	    "%" PRIu64 " looks at a quiet ticket in 200 ms", st1.watch_looks - st0.watch_looks);
	struct proto_reply r;
	town_get_ticket(t.id, &r);
	ck_assert_str_eq(r.ticket.eta_src, "supplier");
	proto_reply_finish(&r);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("watch");
	TCase *tc = harness_broker_tcase(s, "watch", setup, town_teardown);

	tcase_add_test(tc, test_deviation);
	tcase_add_test(tc, test_onscene_overrun);
	tcase_add_test(tc, test_callbacks);
	tcase_add_test(tc, test_fix_raises_at_once);
	tcase_add_test(tc, test_deadlines);
	tcase_add_test(tc, test_quote_no_busy_loop);
	return harness_broker_main(s, base_dir);
}
