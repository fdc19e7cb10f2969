/* check-offer.c: the broker's offer handshake and dispatch decisions, end to end: the real
 * broker (src/broker/broker.h) in a thread on ipc:// endpoints, with the reference data of
 * tests/fixture-town.c (written to a temporary directory: a town at 36 km/h with no detour,
 * so 1 km is 100 s, a supplier that answers within the hour and one that has 1 s; a region
 * where agents dispatch; the acceptance SLA at 3 s). Clients as check-broker.c has them (the harness of
 * tests/harness-broker.c): a DEALER, a SUB whose every message is checked for gaps, a PUSH
 * for the feed. Every wait has a deadline. Broker time is manual: a test steps it, and the
 * periodic work (time-outs, dispatch of waiting tickets, warnings) runs at each step.
 *
 *   - offer.accept / offer.decline: the truck must match, counts and events, the next
 *     candidate, the supplier's ETA;
 *   - timeouts (a decline "no answer"), and the not_accepted warning an acceptance clears;
 *   - regions without automatic dispatch: dispatch.candidates, ticket.assign;
 *   - a truck finishing a job nearby is waited for rather than a far idle one; with
 *     chaining on, offered the call for after its job (accepted, declined, timed out);
 *   - rotation between equal trucks;
 *   - re-dispatch: the warning that proposes a truck, and ticket.assign releasing the first;
 *   - a restart: pending offers, refusals and today's offers survive;
 *   - the delay warnings from a sequence of fixes and clock steps: gps_lost, stalled,
 *     eta_late, overdue, each raised at its threshold and cleared;
 *   - waiting_agent in the region where agents dispatch, cleared by ticket.assign. */
#include <check.h>
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

static char base_dir[] = "/tmp/rd-check-offer-XXXXXX";

static void
setup(void)
{
	town_setup(base_dir, "CHECK_OFFER_LOG", "offer");
}

/* ---------------------------------------------------------------- helpers */

static struct proto_offer_decline
decline_args(int64_t id, const char *truck, const char *reason)
{
	struct proto_offer_decline a = { .id = id, .present = PROTO_ALL };
	PROTO_STRSET(a.truck, truck);
	PROTO_STRSET(a.reason, reason);
	return a;
}

/* ---------------------------------------------------------------- offer.accept */

START_TEST(test_accept)
{
	struct proto_ticket t, u;
	struct proto_pub p;
	struct proto_reply r;
	char kinds[256];

	town_van("A1", "alpha", 1);
	town_van("A2", "alpha", 3);
	t = town_create("town", "battery", TOWN_LAT, TOWN_LON);
	ck_assert_str_eq(t.state, "dispatched");
	ck_assert_str_eq(t.truck, "A1");
	ck_assert_int_eq(t.offers, 1);
	ck_assert(PROTO_HAS(&t, ticket, offer_until));
	ck_assert_int_eq(t.offer_until, t.t_dispatched + 3600 * 1000);
	ck_assert_str_eq(t.eta_src, "model");
	/* 1 km at 10 m/s */
	ck_assert_int_ge(t.eta - t.t_dispatched, 99000);
	ck_assert_int_le(t.eta - t.t_dispatched, 101000);
	town_expect(&p, (struct town_want){ .topic = PROTO_TOPIC_TRUCK, .truck = "A1", .state = "offered" },
	    "offered truck");
	ck_assert_int_eq(p.u.truck.offers, 1);
	ck_assert_int_eq(p.u.truck.last_offer, t.t_dispatched);
	ck_assert_int_eq(p.u.truck.ticket, t.id);

	struct proto_offer_accept a = town_accept_args(t.id, "A2", 420);
	town_fail_as("alpha-desk", PROTO_MSG_offer_accept, &a, PROTO_E_CONFLICT,
	    "is offered to A1, not A2");
	a = town_accept_args(t.id, "NOPE", 420);
	town_fail_as("alpha-desk", PROTO_MSG_offer_accept, &a, PROTO_E_NOT_FOUND, "no truck 'NOPE'");
	a = town_accept_args(t.id + 1, "A1", 420);
	town_fail_as("alpha-desk", PROTO_MSG_offer_accept, &a, PROTO_E_NOT_FOUND, "no ticket");

	a = town_accept_args(t.id, "A1", 420);
	u = town_ok_as("alpha-desk", PROTO_MSG_offer_accept, &a);
	ck_assert_str_eq(u.state, "accepted");
	ck_assert_str_eq(u.truck, "A1");
	ck_assert_str_eq(u.eta_src, "supplier");
	ck_assert_int_eq(u.eta, u.t_accepted + 420000);
	ck_assert(!PROTO_HAS(&u, ticket, offer_until));
	town_expect(&p, (struct town_want){ .topic = PROTO_TOPIC_TRUCK, .truck = "A1", .state = "assigned" },
	    "assigned truck");
	town_fail_as("alpha-desk", PROTO_MSG_offer_accept, &a, PROTO_E_INVALID_STATE,
	    "is accepted: there is no offer to answer");

	town_event_kinds(t.id, kinds, sizeof kinds, &r);
	ck_assert_str_eq(kinds, "created offer accept");
	ck_assert_str_eq(r.events[1].user, "");
	ck_assert_msg(strstr(r.events[1].detail, "offered to A1 (alpha van), answer within 3600 s")
	    != NULL, "%s", r.events[1].detail);
	ck_assert_msg(strstr(r.events[1].detail, "van preferred") != NULL, "%s",
	    r.events[1].detail);
	ck_assert_str_eq(r.events[2].user, "alpha-desk");
	ck_assert_str_eq(r.events[2].detail, "A1 accepted, supplier ETA 7 min");
	ck_assert_str_eq(r.events[2].code, "accept");
	ck_assert_str_eq(r.events[2].params.truck, "A1");
	ck_assert_int_eq(r.events[2].params.min, 7);
	proto_reply_finish(&r);
}
END_TEST

/* ---------------------------------------------------------------- offer.decline */

START_TEST(test_decline)
{
	struct proto_ticket t, u;
	struct proto_pub p;
	struct proto_reply r;
	char kinds[256];

	town_van("A1", "alpha", 1);
	town_van("A2", "alpha", 3);
	t = town_create("town", "battery", TOWN_LAT, TOWN_LON);
	ck_assert_str_eq(t.truck, "A1");

	struct proto_offer_decline d = decline_args(t.id, "A1", " ");
	town_fail_as("alpha-desk", PROTO_MSG_offer_decline, &d, PROTO_E_BAD_REQUEST, "needs a reason");
	d = decline_args(t.id, "A2", "not ours");
	town_fail_as("alpha-desk", PROTO_MSG_offer_decline, &d, PROTO_E_CONFLICT, "offered to A1");
	d = decline_args(t.id, "A1", "司机在吃饭");
	u = town_ok_as("alpha-desk", PROTO_MSG_offer_decline, &d);
	/* the next candidate at once */
	ck_assert_str_eq(u.state, "dispatched");
	ck_assert_str_eq(u.truck, "A2");
	ck_assert_int_eq(u.offers, 2);
	town_expect(&p, (struct town_want){ .topic = PROTO_TOPIC_TRUCK, .truck = "A1", .state = "available" },
	    "freed truck");
	ck_assert_int_eq(p.u.truck.declines, 1);
	ck_assert_int_eq(p.u.truck.offers, 1);
	town_expect(&p, (struct town_want){ .topic = PROTO_TOPIC_TRUCK, .truck = "A2", .state = "offered" },
	    "next truck");

	/* the second declines too, the first already did: back to new, nobody asked */
	d = decline_args(t.id, "A2", "too far");
	u = town_ok_as("alpha-desk", PROTO_MSG_offer_decline, &d);
	ck_assert_str_eq(u.state, "new");
	ck_assert_str_eq(u.truck, "");
	ck_assert(!PROTO_HAS(&u, ticket, eta));
	ck_assert(!PROTO_HAS(&u, ticket, offer_until));
	town_fail_as("alpha-desk", PROTO_MSG_offer_decline, &d, PROTO_E_INVALID_STATE, "is new");

	town_event_kinds(t.id, kinds, sizeof kinds, &r);
	ck_assert_str_eq(kinds, "created offer decline offer decline");
	ck_assert_str_eq(r.events[2].detail, "A1 declined: 司机在吃饭");
	ck_assert_str_eq(r.events[4].detail, "A2 declined: too far");
	ck_assert_str_eq(r.events[4].code, "decline");
	ck_assert_str_eq(r.events[4].params.truck, "A2");
	ck_assert_str_eq(r.events[4].params.text, "too far");
	proto_reply_finish(&r);

	/* a new truck gets it from the periodic dispatch; the two that declined are skipped */
	town_van("A3", "alpha", 5);
	town_step(500);
	town_expect(&p, (struct town_want){ .topic = PROTO_TOPIC_TICKET, .ticket = t.id, .state = "dispatched",
	    .truck = "A3" }, "offer to the new truck");

	/* an agent may still choose a truck that declined: the pending offer is withdrawn */
	struct proto_ticket_assign as = { .id = t.id, .present = 0 };
	PROTO_STRSET(as.truck, "A1");
	u = town_ok_as("agent7", PROTO_MSG_ticket_assign, &as);
	ck_assert_str_eq(u.truck, "A1");
	ck_assert_int_eq(u.offers, 4);
	town_expect(&p, (struct town_want){ .topic = PROTO_TOPIC_TRUCK, .truck = "A3", .state = "available" },
	    "released truck");
	town_event_kinds(t.id, kinds, sizeof kinds, &r);
	ck_assert_str_eq(kinds, "created offer decline offer decline offer release offer");
	ck_assert_str_eq(r.events[6].detail, "A3 released: re-dispatched to A1");
	ck_assert_str_eq(r.events[6].code, "redispatch");
	ck_assert_str_eq(r.events[6].params.truck, "A3");
	ck_assert_str_eq(r.events[6].params.to, "A1");
	ck_assert_str_eq(r.events[7].params.by, "agent7");	/* chosen, not ranked */
	ck_assert_str_eq(r.events[7].user, "agent7");
	ck_assert_msg(strstr(r.events[7].detail, "chosen by agent7") != NULL, "%s",
	    r.events[7].detail);
	proto_reply_finish(&r);

	/* the old aliases: set_state new declines, accepted accepts */
	u = town_set_state(t.id, "new");
	ck_assert_str_eq(u.state, "dispatched"); /* A3 is free again and never declined */
	ck_assert_str_eq(u.truck, "A3");
	u = town_set_state(t.id, "accepted");
	ck_assert_str_eq(u.state, "accepted");
	town_event_kinds(t.id, kinds, sizeof kinds, &r);
	ck_assert_str_eq(kinds,
	    "created offer decline offer decline offer release offer decline offer accept");
	ck_assert_str_eq(r.events[8].detail, "A1 declined: declined");
	proto_reply_finish(&r);
}
END_TEST

/* ---------------------------------------------------------------- timeouts and warnings */

START_TEST(test_timeout)
{
	struct proto_ticket t;
	struct proto_pub p;
	struct proto_reply r;
	char kinds[256];

	town_van("B1", "beta", 1);   /* answers within 1 s, or not at all */
	town_van("A1", "alpha", 3);
	t = town_create("town", "battery", TOWN_LAT, TOWN_LON);
	ck_assert_str_eq(t.truck, "B1");
	ck_assert_int_eq(t.offer_until, t.t_dispatched + 1000);
	town_step(999);
	town_get_ticket(t.id, &r);
	ck_assert_str_eq(r.ticket.truck, "B1"); /* not yet */
	proto_reply_finish(&r);
	town_step(1);
	town_expect(&p, (struct town_want){ .topic = PROTO_TOPIC_TICKET, .ticket = t.id, .state = "dispatched",
	    .truck = "A1" }, "the offer to the next truck");
	ck_assert_int_eq(p.u.ticket.offers, 2);
	ck_assert_int_eq(p.u.ticket.t_dispatched, t.offer_until);

	town_event_kinds(t.id, kinds, sizeof kinds, &r);
	ck_assert_str_eq(kinds, "created offer timeout offer");
	ck_assert_str_eq(r.events[2].detail, "B1: no answer within 1 s");
	ck_assert_str_eq(r.events[2].code, "timeout");
	ck_assert_int_eq(r.events[2].params.s, 1);
	ck_assert_str_eq(r.events[2].user, "");
	proto_reply_finish(&r);

	/* a late answer is refused, and changes nothing */
	struct proto_offer_accept a = town_accept_args(t.id, "B1", 300);
	town_fail_as("beta-desk", PROTO_MSG_offer_accept, &a, PROTO_E_CONFLICT,
	    "is offered to A1, not B1");
	town_get_ticket(t.id, &r);
	ck_assert_str_eq(r.ticket.truck, "A1");
	proto_reply_finish(&r);
}
END_TEST

/* Nobody accepted 3 s after the first offer: the warning; the acceptance clears it. */
START_TEST(test_not_accepted)
{
	struct proto_ticket t;
	struct proto_pub p;

	town_van("A1", "alpha", 1);
	t = town_create("town", "battery", TOWN_LAT, TOWN_LON);
	town_step(3001);
	town_expect(&p, (struct town_want){ .topic = PROTO_TOPIC_WARNING, .ticket = t.id,
	    .state = "not_accepted", .cleared = 0 }, "not_accepted warning");
	ck_assert_int_eq(p.u.warning.ts - t.t_dispatched, 3001);
	ck_assert_msg(strstr(p.u.warning.text, "last to A1, pending") != NULL, "%s",
	    p.u.warning.text);
	ck_assert(!PROTO_HAS(&p.u.warning, warning, truck));
	/* the code's parameters, for consoles that word it themselves */
	ck_assert_str_eq(p.u.warning.subject, "A1");
	ck_assert_int_eq(p.u.warning.offers, 1);
	ck_assert_int_eq(p.u.warning.since, t.t_dispatched);
	ck_assert(!PROTO_HAS(&p.u.warning, warning, gain_s));
	int64_t wid = p.u.warning.id;
	struct proto_offer_accept a = town_accept_args(t.id, "A1", 600);
	town_ok_as("alpha-desk", PROTO_MSG_offer_accept, &a);
	town_expect(&p, (struct town_want){ .topic = PROTO_TOPIC_WARNING, .ticket = t.id,
	    .state = "not_accepted", .cleared = 1 }, "cleared warning");
	ck_assert_int_eq(p.u.warning.id, wid);
}
END_TEST

/* ---------------------------------------------------------------- agents dispatch */

START_TEST(test_candidates)
{
	struct proto_ticket t, u;
	struct proto_reply r;

	town_truck_at("G1", "van", "gamma", "hills", HILLS_LAT, HILLS_LON, 2);
	town_truck_at("G2", "van", "gamma", "hills", HILLS_LAT, HILLS_LON, 5);
	town_truck_at("G3", "flatbed", "gamma", "hills", HILLS_LAT, HILLS_LON, 1);
	town_truck_at("G4", "heavy", "gamma", "hills", HILLS_LAT, HILLS_LON, 0.5); /* no tyres */
	t = town_create("hills", "tyre", HILLS_LAT, HILLS_LON);
	ck_assert_str_eq(t.state, "new"); /* agents dispatch here */

	struct proto_dispatch_candidates q = { .id = t.id, .present = 0 };
	town_call_as("agent7", PROTO_MSG_dispatch_candidates, &q, &r);
	ck_assert_msg(r.ok, "%s", r.error.message);
	ck_assert_int_eq(r.ticket.id, t.id);
	ck_assert_int_eq(r.ticket.ver, t.ver); /* read-only */
	ck_assert_uint_eq(r.n_candidates, 3);
	static const char *order[] = { "G1", "G2", "G3" }; /* the flatbed pays 10 min */
	for (size_t i = 0; i < 3; i++) {
		const struct proto_candidate *c = &r.candidates[i];
		ck_assert_str_eq(c->truck, order[i]);
		ck_assert_str_eq(c->supplier, "gamma");
		ck_assert_str_eq(c->status, "available");
		ck_assert_str_eq(c->eta_src, "model");
		ck_assert(!c->stale);
		ck_assert_int_ge(c->gps_age_s, 0);
		ck_assert_int_le(c->gps_age_s, 5);
		ck_assert(c->quality > 0.79 && c->quality < 0.81);
		ck_assert_int_eq(c->load, 0);
		ck_assert_int_eq(c->offers, 0);
		if (i > 0)
			ck_assert(c->score >= r.candidates[i - 1].score);
	}
	ck_assert(r.candidates[0].km > 1.99 && r.candidates[0].km < 2.01);
	ck_assert_int_ge(r.candidates[0].eta_s, 199);
	ck_assert_int_le(r.candidates[0].eta_s, 201);
	ck_assert_str_eq(r.candidates[2].kind, "flatbed");
	ck_assert_msg(strstr(r.candidates[0].why, "2.0 km \xc2\xb7 ETA 4 min (model)") != NULL,
	    "%s", r.candidates[0].why);
	ck_assert_msg(strstr(r.candidates[2].why, "flatbed, van preferred") != NULL, "%s",
	    r.candidates[2].why);
	/* why's machine form: free now, the fault prefers a van */
	ck_assert(PROTO_HAS(&r.candidates[2], candidate, free_s));
	ck_assert_int_eq(r.candidates[2].free_s, 0);
	ck_assert(PROTO_HAS(&r.candidates[2], candidate, prefer));
	ck_assert_str_eq(r.candidates[2].prefer, "van");
	proto_reply_finish(&r);

	q.k = 1;
	PROTO_SET(&q, dispatch_candidates, k);
	town_call_as("agent7", PROTO_MSG_dispatch_candidates, &q, &r);
	ck_assert(r.ok);
	ck_assert_uint_eq(r.n_candidates, 1);
	proto_reply_finish(&r);

	/* the agent picks; the supplier declines; nothing more happens by itself here */
	struct proto_ticket_assign as = { .id = t.id, .present = 0 };
	PROTO_STRSET(as.truck, "G1");
	u = town_ok_as("agent7", PROTO_MSG_ticket_assign, &as);
	ck_assert_str_eq(u.state, "dispatched");
	ck_assert_int_eq(u.offer_until, u.t_dispatched + 3600 * 1000);
	struct proto_offer_decline d = decline_args(t.id, "G1", "road closed");
	u = town_ok_as("gamma-desk", PROTO_MSG_offer_decline, &d);
	ck_assert_str_eq(u.state, "new");
	ck_assert_str_eq(u.truck, "");
	q.k = 5;
	town_call_as("agent7", PROTO_MSG_dispatch_candidates, &q, &r);
	ck_assert(r.ok);
	ck_assert_uint_eq(r.n_candidates, 2); /* G1 declined it */
	ck_assert_str_eq(r.candidates[0].truck, "G2");
	proto_reply_finish(&r);

	q.id = 999;
	town_call_as("agent7", PROTO_MSG_dispatch_candidates, &q, &r);
	ck_assert(!r.ok);
	ck_assert_int_eq(r.error.code, PROTO_E_NOT_FOUND);
	proto_reply_finish(&r);
	struct proto_ticket_cancel c = { .id = t.id, .present = 0 };
	PROTO_STRSET(c.reason, "solved by phone");
	town_ok_as("agent7", PROTO_MSG_ticket_cancel, &c);
	q.id = t.id;
	town_call_as("agent7", PROTO_MSG_dispatch_candidates, &q, &r);
	ck_assert(!r.ok);
	ck_assert_int_eq(r.error.code, PROTO_E_INVALID_STATE);
	proto_reply_finish(&r);
}
END_TEST

/* ---------------------------------------------------------------- finishing a job */

START_TEST(test_hold_for_finishing)
{
	struct proto_ticket t1, t2;
	struct proto_pub p;
	struct proto_reply r;

	town_van("F1", "alpha", 1);
	t1 = town_create("town", "battery", TOWN_LAT, TOWN_LON);
	struct proto_offer_accept a = town_accept_args(t1.id, "F1", 120);
	town_ok_as("alpha-desk", PROTO_MSG_offer_accept, &a);
	town_set_state(t1.id, "en_route");
	town_set_state(t1.id, "on_scene"); /* a battery: 20 min on scene */
	/* an idle van 40 km away: 67 min; F1 is free in 20 min and 1 km away */
	town_van("I1", "alpha", 40);
	t2 = town_create("town", "battery", TOWN_LAT, TOWN_LON);
	ck_assert_str_eq(t2.state, "new");
	town_get_ticket(t2.id, &r);
	ck_assert_uint_eq(r.n_events, 2);
	ck_assert_str_eq(r.events[1].kind, "hold");
	ck_assert_msg(strstr(r.events[1].detail, "waiting for F1 (on scene, free in ~20 min") !=
	    NULL, "%s", r.events[1].detail);
	ck_assert_msg(strstr(r.events[1].detail, "rather than I1 (ETA 67 min") != NULL, "%s",
	    r.events[1].detail);
	ck_assert_str_eq(r.events[1].code, "hold");
	ck_assert_str_eq(r.events[1].params.truck, "F1");
	ck_assert_str_eq(r.events[1].params.status, "on_scene");
	ck_assert_int_eq(r.events[1].params.free_min, 20);
	ck_assert_str_eq(r.events[1].params.to, "I1");
	ck_assert_int_eq(r.events[1].params.alt_min, 67);
	proto_reply_finish(&r);

	/* F1 finishes: it gets the waiting ticket */
	town_set_state(t1.id, "completed");
	town_step(500);
	town_expect(&p, (struct town_want){ .topic = PROTO_TOPIC_TICKET, .ticket = t2.id, .state = "dispatched",
	    .truck = "F1" }, "offer to the truck that finished");
}
END_TEST

/* ---------------------------------------------------------------- chaining */

/* Turn chaining on (chain_s 600 in the town's dispatch.ini) and restart the broker. */
static void
chain_on(void)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof path, "%s/data/dispatch.ini", town_broker.dir);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs("[weights]\nchain_s = 600\n", f);
	ck_assert_int_eq(fclose(f), 0);
	town_restart();
}

/* Van id of supplier sup 1 km north of the centre, on scene at a battery there for 15 of
 * its 20 minutes (a fresh fix): free in ~5 min. Returns its ticket. */
static struct proto_ticket
finishing(const char *id, const char *sup)
{
	char user[32];

	town_van(id, sup, 1);
	struct proto_ticket t = town_create("town", "battery", TOWN_LAT, TOWN_LON);
	ck_assert_str_eq(t.truck, id);
	snprintf(user, sizeof user, "%s-desk", sup);
	struct proto_offer_accept a = town_accept_args(t.id, id, 120);
	town_ok_as(user, PROTO_MSG_offer_accept, &a);
	town_set_state(t.id, "en_route");
	town_set_state(t.id, "on_scene");
	town_step(15 * 60000);
	town_fix(id, geo_destination((struct geo_point){ TOWN_LAT, TOWN_LON }, 0, 1000));
	return t;
}

/* The publication of truck id after its offers count reached offers. */
static void
expect_truck(struct proto_pub *p, const char *id, const char *status, int64_t offers)
{
	do
		town_expect(p, (struct town_want){ .topic = PROTO_TOPIC_TRUCK, .truck = id,
		    .state = status }, status);
	while (p->u.truck.offers != offers);
}

/* A call whose best truck is on scene and free within chain_s is offered to it for after
 * its job; accepted, the ticket is accepted while the truck stays on scene; the truck cannot
 * leave for it before the job is done; when it is, the truck is assigned to it (also after
 * a restart in between) and goes en route as after any acceptance. */
START_TEST(test_chain_accept)
{
	struct proto_ticket t1, t2, u;
	struct proto_pub p;
	struct proto_reply r;
	char kinds[256];

	chain_on();
	t1 = finishing("F1", "alpha");
	town_van("I1", "alpha", 40); /* 67 min away */
	t2 = town_create("town", "battery", TOWN_LAT, TOWN_LON);
	ck_assert_str_eq(t2.state, "dispatched");
	ck_assert_str_eq(t2.truck, "F1");
	ck_assert_int_eq(t2.offer_until, t2.t_dispatched + 3600 * 1000);
	/* the ETA counts the 5 minutes left on scene, then 1 km at 10 m/s */
	ck_assert_int_ge(t2.eta - t2.t_dispatched, 399000);
	ck_assert_int_le(t2.eta - t2.t_dispatched, 401000);
	/* the truck stays on scene on its job, with the offer counted */
	expect_truck(&p, "F1", "on_scene", 2);
	ck_assert_int_eq(p.u.truck.ticket, t1.id);
	ck_assert_int_eq(p.u.truck.last_offer, t2.t_dispatched);
	ck_assert(PROTO_HAS(&p.u.truck, truck, next));
	ck_assert_int_eq(p.u.truck.next, t2.id);

	town_event_kinds(t2.id, kinds, sizeof kinds, &r);
	ck_assert_str_eq(kinds, "created offer");
	ck_assert_msg(strstr(r.events[1].detail, "offered to F1 (alpha van) for after ticket") !=
	    NULL, "%s", r.events[1].detail);
	ck_assert_msg(strstr(r.events[1].detail, "on scene, free in ~5 min") != NULL, "%s",
	    r.events[1].detail);
	ck_assert_str_eq(r.events[1].code, "offer");
	ck_assert(PROTO_HAS(&r.events[1].params, event_params, after));
	ck_assert_int_eq(r.events[1].params.after, t1.id);
	ck_assert_int_eq(r.events[1].params.min, 7);
	proto_reply_finish(&r);

	/* the supplier's poll (PROTOCOL.md 7.36): F1's job, then the offer to answer after it */
	struct proto_supplier_jobs sj = { .present = 0 };
	PROTO_STRSET(sj.supplier, "alpha");
	PROTO_SET(&sj, supplier_jobs, supplier);
	town_call_as("alpha-desk", PROTO_MSG_supplier_jobs, &sj, &r);
	ck_assert_msg(r.ok, "%s", r.error.message);
	ck_assert_uint_eq(r.n_jobs, 2);
	ck_assert_int_eq(r.jobs[0].ticket, t1.id);
	ck_assert_str_eq(r.jobs[0].todo, "finish");
	ck_assert_int_eq(r.jobs[1].ticket, t2.id);
	ck_assert_str_eq(r.jobs[1].todo, "answer");
	ck_assert_int_eq(r.jobs[1].due, t2.offer_until);
	ck_assert(PROTO_HAS(&r.jobs[1], job, after));
	ck_assert_int_eq(r.jobs[1].after, t1.id);
	proto_reply_finish(&r);

	/* another call now: F1 has its next job, so the idle van gets it */
	struct proto_ticket t3 = town_create("town", "battery", TOWN_LAT, TOWN_LON);
	ck_assert_str_eq(t3.truck, "I1");

	struct proto_offer_accept a = town_accept_args(t2.id, "F1", 900);
	u = town_ok_as("alpha-desk", PROTO_MSG_offer_accept, &a);
	ck_assert_str_eq(u.state, "accepted");
	ck_assert_str_eq(u.truck, "F1");
	ck_assert_int_eq(u.eta, u.t_accepted + 900000);
	town_call_as("alpha-desk", PROTO_MSG_supplier_jobs, &sj, &r);
	ck_assert_uint_eq(r.n_jobs, 3); /* and the idle van's offer of t3 */
	ck_assert_int_eq(r.jobs[1].ticket, t2.id);
	ck_assert_str_eq(r.jobs[1].todo, "after_job");
	ck_assert(!PROTO_HAS(&r.jobs[1], job, due));
	ck_assert_int_eq(r.jobs[1].after, t1.id);
	proto_reply_finish(&r);

	town_restart(); /* the next job is rebuilt from the tickets */
	struct proto_ticket_set_state go = { .id = t2.id, .present = 0 };
	PROTO_STRSET(go.state, "en_route");
	town_fail_as("alpha-desk", PROTO_MSG_ticket_set_state, &go, PROTO_E_CONFLICT,
	    "is still on ticket");
	town_step(500);
	town_get_ticket(t2.id, &r);
	ck_assert_str_eq(r.ticket.state, "accepted");
	ck_assert_str_eq(r.ticket.truck, "F1");
	proto_reply_finish(&r);

	/* the job is done: the truck takes up its next one */
	town_set_state(t1.id, "completed");
	do /* the release from t1 (still with its next job), then the next job taken up */
		expect_truck(&p, "F1", "assigned", 2);
	while (p.u.truck.ticket != t2.id);
	ck_assert(!PROTO_HAS(&p.u.truck, truck, next));
	u = town_set_state(t2.id, "en_route");
	ck_assert_str_eq(u.state, "en_route");
	town_event_kinds(t2.id, kinds, sizeof kinds, &r);
	ck_assert_str_eq(kinds, "created offer accept state");
	proto_reply_finish(&r);
}
END_TEST

/* The ETA of a chained ticket accepted without a quote keeps counting the truck's time left
 * on scene as the broker refreshes it from the truck's position. */
START_TEST(test_chain_eta)
{
	struct proto_ticket t2;
	struct proto_reply r;

	chain_on();
	finishing("F1", "alpha");
	t2 = town_create("town", "battery", TOWN_LAT, TOWN_LON);
	ck_assert_str_eq(t2.truck, "F1");
	struct proto_ticket_set_state acc = { .id = t2.id, .present = 0 };
	PROTO_STRSET(acc.state, "accepted");
	town_ok_as("alpha-desk", PROTO_MSG_ticket_set_state, &acc);
	for (int i = 0; i < 4; i++) {
		town_step(30000);
		town_fix("F1", geo_destination((struct geo_point){ TOWN_LAT, TOWN_LON }, 0, 1000));
	}
	/* 2 minutes on: 3 minutes left on scene, then 100 s: still the ETA of the offer (the
	 * trip alone would be 100 s from now, 5 minutes sooner) */
	town_get_ticket(t2.id, &r);
	ck_assert_str_eq(r.ticket.state, "accepted");
	ck_assert_int_ge(r.ticket.eta - t2.t_dispatched, 399000 - 60000);
	ck_assert_int_le(r.ticket.eta - t2.t_dispatched, 401000 + 60000);
	ck_assert_int_gt(r.ticket.eta, town_broker.now + 100000 + 120000);
	proto_reply_finish(&r);
}
END_TEST

/* A chained offer declined, or not answered in time: the truck stays on its job; the call
 * waits for it as without chaining (a hold, no second chained offer) and gets the offer
 * once it is free, unless a better truck comes first. */
START_TEST(test_chain_refused)
{
	struct proto_ticket t1, t2, b1, t4;
	struct proto_pub p;
	struct proto_reply r;
	char kinds[256];
	struct geo_point far = geo_destination((struct geo_point){ TOWN_LAT, TOWN_LON }, 0, 40000);

	chain_on();
	t1 = finishing("F1", "alpha");
	town_van("I1", "alpha", 8); /* 13 min away */
	t2 = town_create("town", "battery", TOWN_LAT, TOWN_LON);
	ck_assert_str_eq(t2.truck, "F1");
	struct proto_offer_decline d = decline_args(t2.id, "F1", "not yet");
	struct proto_ticket u = town_ok_as("alpha-desk", PROTO_MSG_offer_decline, &d);
	ck_assert_str_eq(u.state, "new");
	do /* the offer, then the decline */
		expect_truck(&p, "F1", "on_scene", 2);
	while (p.u.truck.declines != 1);
	ck_assert_int_eq(p.u.truck.ticket, t1.id);
	ck_assert(!PROTO_HAS(&p.u.truck, truck, next));
	town_step(500);
	town_event_kinds(t2.id, kinds, sizeof kinds, &r);
	ck_assert_str_eq(kinds, "created offer decline hold");
	ck_assert_str_eq(r.events[3].params.truck, "F1");
	ck_assert_str_eq(r.events[3].params.to, "I1");
	proto_reply_finish(&r);
	/* free, F1 gets it as any waiting call's best truck */
	town_set_state(t1.id, "completed");
	town_step(500);
	town_expect(&p, (struct town_want){ .topic = PROTO_TOPIC_TICKET, .ticket = t2.id,
	    .state = "dispatched", .truck = "F1" }, "the offer once free");
	expect_truck(&p, "F1", "offered", 3);
	ck_assert_int_eq(p.u.truck.ticket, t2.id);

	/* B1 (its supplier answers within 1 s) lets its chained offer time out; F1 is busy,
	 * I1 too far: the call holds for B1 */
	b1 = finishing("B1", "beta");
	town_fix("I1", far); /* free, 67 min away */
	t4 = town_create("town", "battery", TOWN_LAT, TOWN_LON);
	ck_assert_str_eq(t4.truck, "B1");
	ck_assert_int_eq(t4.offer_until, t4.t_dispatched + 1000);
	town_step(1000);
	town_expect(&p, (struct town_want){ .topic = PROTO_TOPIC_TICKET, .ticket = t4.id,
	    .state = "new" }, "back to new after the timeout");
	do
		expect_truck(&p, "B1", "on_scene", 2);
	while (p.u.truck.declines != 1);
	ck_assert_int_eq(p.u.truck.ticket, b1.id);
	ck_assert(!PROTO_HAS(&p.u.truck, truck, next));
	town_step(500);
	town_event_kinds(t4.id, kinds, sizeof kinds, &r);
	ck_assert_str_eq(kinds, "created offer timeout hold");
	ck_assert_str_eq(r.events[3].params.truck, "B1");
	proto_reply_finish(&r);
}
END_TEST

/* ---------------------------------------------------------------- rotation */

START_TEST(test_rotation)
{
	struct proto_ticket t;
	struct proto_ticket_cancel c = { .present = 0 };

	town_van("P1", "alpha", 2);
	town_van("P2", "alpha", 2);
	PROTO_STRSET(c.reason, "car started");
	t = town_create("town", "tyre", TOWN_LAT, TOWN_LON);
	ck_assert_str_eq(t.truck, "P1");
	c.id = t.id;
	town_ok_as("agent7", PROTO_MSG_ticket_cancel, &c);
	/* P1 had the last offer: the next goes to P2, then back to P1 */
	t = town_create("town", "tyre", TOWN_LAT, TOWN_LON);
	ck_assert_str_eq(t.truck, "P2");
	c.id = t.id;
	town_ok_as("agent7", PROTO_MSG_ticket_cancel, &c);
	t = town_create("town", "tyre", TOWN_LAT, TOWN_LON);
	ck_assert_str_eq(t.truck, "P1");
}
END_TEST

/* ---------------------------------------------------------------- re-dispatch */

START_TEST(test_redispatch)
{
	struct proto_ticket t, u;
	struct proto_pub p;
	struct proto_reply r;
	char kinds[256];

	town_van("R1", "alpha", 1);
	t = town_create("town", "battery", TOWN_LAT, TOWN_LON);
	/* the supplier quotes 3 hours: past the 60-min promise */
	struct proto_offer_accept a = town_accept_args(t.id, "R1", 3 * 3600);
	town_ok_as("alpha-desk", PROTO_MSG_offer_accept, &a);
	town_van("R2", "alpha", 2);
	town_step(500);
	town_expect(&p, (struct town_want){ .topic = PROTO_TOPIC_WARNING, .ticket = t.id, .state = "redispatch",
	    .cleared = 0 }, "redispatch warning");
	ck_assert(PROTO_HAS(&p.u.warning, warning, truck));
	ck_assert_str_eq(p.u.warning.truck, "R2");
	ck_assert_msg(strstr(p.u.warning.text, "R2 could be there 17") != NULL &&
	    strstr(p.u.warning.text, "sooner than R1 (ETA 4 min vs 180 min)") != NULL, "%s",
	    p.u.warning.text);
	ck_assert_str_eq(p.u.warning.subject, "R1");
	ck_assert(PROTO_HAS(&p.u.warning, warning, eta) && PROTO_HAS(&p.u.warning, warning, alt_eta));
	ck_assert_int_eq(p.u.warning.gain_s, (p.u.warning.eta - p.u.warning.alt_eta) / 1000);
	ck_assert_int_ge(p.u.warning.gain_s, 17 * 60);

	/* the agent confirms: R1 is released and told */
	struct proto_ticket_assign as = { .id = t.id, .present = 0 };
	PROTO_STRSET(as.truck, "R2");
	u = town_ok_as("agent7", PROTO_MSG_ticket_assign, &as);
	ck_assert_str_eq(u.state, "dispatched");
	ck_assert_str_eq(u.truck, "R2");
	ck_assert_str_eq(u.eta_src, "model");
	town_expect(&p, (struct town_want){ .topic = PROTO_TOPIC_TRUCK, .truck = "R1", .state = "available" },
	    "released truck");
	ck_assert_int_eq(p.u.truck.ticket, 0);
	ck_assert_int_eq(p.u.truck.declines, 0);
	town_expect(&p, (struct town_want){ .topic = PROTO_TOPIC_WARNING, .ticket = t.id, .state = "redispatch",
	    .cleared = 1 }, "cleared redispatch warning");
	town_event_kinds(t.id, kinds, sizeof kinds, &r);
	ck_assert_msg(strstr(kinds, "created offer accept") == kinds, "%s", kinds);
	ck_assert_msg(strstr(kinds, "release offer") != NULL, "%s", kinds);
	for (size_t i = 0; i < r.n_events; i++)
		if (strcmp(r.events[i].kind, "release") == 0)
			ck_assert_str_eq(r.events[i].detail, "R1 released: re-dispatched to R2");
	proto_reply_finish(&r);
}
END_TEST

/* ---------------------------------------------------------------- restart */

START_TEST(test_restart)
{
	struct proto_ticket t1, t2, t3, u;
	struct proto_pub p;
	struct proto_reply r;

	town_van("A1", "alpha", 1);
	t1 = town_create("town", "battery", TOWN_LAT, TOWN_LON);
	ck_assert_str_eq(t1.truck, "A1");
	town_van("A2", "alpha", 8);
	t2 = town_create("town", "tyre", TOWN_LAT, TOWN_LON);
	ck_assert_str_eq(t2.truck, "A2");
	struct proto_offer_decline d = decline_args(t2.id, "A2", "no");
	u = town_ok_as("alpha-desk", PROTO_MSG_offer_decline, &d);
	ck_assert_str_eq(u.state, "new");
	/* a heavy truck (no tyres for t2) with 1 s to answer, the only one for a winch */
	town_truck_at("B1", "heavy", "beta", "town", TOWN_LAT, TOWN_LON, 20);
	t3 = town_create("town", "winch", TOWN_LAT, TOWN_LON);
	ck_assert_str_eq(t3.truck, "B1");

	town_restart();

	/* the pending offer goes on */
	town_get_ticket(t1.id, &r);
	ck_assert_str_eq(r.ticket.state, "dispatched");
	ck_assert_str_eq(r.ticket.truck, "A1");
	ck_assert_int_eq(r.ticket.offer_until, t1.offer_until);
	proto_reply_finish(&r);
	struct proto_offer_accept a = town_accept_args(t1.id, "A1", 300);
	u = town_ok_as("alpha-desk", PROTO_MSG_offer_accept, &a);
	ck_assert_str_eq(u.state, "accepted");

	/* the one with 1 s to answer times out after the restart */
	char kinds[256];
	town_event_kinds(t3.id, kinds, sizeof kinds, &r);
	ck_assert_str_eq(kinds, "created offer");
	proto_reply_finish(&r);
	town_step(1000);
	town_event_kinds(t3.id, kinds, sizeof kinds, &r);
	ck_assert_str_eq(kinds, "created offer timeout");
	proto_reply_finish(&r);

	/* a refusal is remembered: A2 (free) is not asked again for t2 */
	town_step(500);
	town_get_ticket(t2.id, &r);
	ck_assert_str_eq(r.ticket.state, "new");
	proto_reply_finish(&r);

	/* and today's offers too: A2 has had one */
	struct proto_dispatch_candidates q = { .id = t1.id, .present = 0 };
	town_call_as("agent7", PROTO_MSG_dispatch_candidates, &q, &r);
	ck_assert(r.ok);
	bool seen = false;
	for (size_t i = 0; i < r.n_candidates; i++) {
		if (strcmp(r.candidates[i].truck, "A2") == 0) {
			ck_assert_int_eq(r.candidates[i].offers, 1);
			seen = true;
		}
		ck_assert_str_ne(r.candidates[i].truck, "A1"); /* the ticket's own truck */
	}
	ck_assert(seen);
	proto_reply_finish(&r);

	/* a new truck gets t2 */
	town_van("A3", "alpha", 2);
	town_step(500);
	town_expect(&p, (struct town_want){ .topic = PROTO_TOPIC_TICKET, .ticket = t2.id, .state = "dispatched",
	    .truck = "A3" }, "offer to the new truck");
}
END_TEST

/* ---------------------------------------------------------------- delay warnings */

/* The active warning of kind on ticket id, from a snapshot; false if there is none. */
static bool
active_warning(int64_t id, const char *kind, struct proto_warning *out)
{
	struct proto_snapshot q = { .present = 0 };
	struct proto_reply r;
	bool found = false;

	town_call_as("agent7", PROTO_MSG_snapshot, &q, &r);
	ck_assert(r.ok);
	for (size_t i = 0; i < r.n_warnings; i++) {
		if (r.warnings[i].ticket == id && strcmp(r.warnings[i].kind, kind) == 0 &&
		    !r.warnings[i].cleared) {
			if (out != NULL)
				*out = r.warnings[i];
			found = true;
		}
	}
	proto_reply_finish(&r);
	return found;
}

/* The warning of kind on ticket id published next in that state (cleared or not), with
 * level (NULL: any). */
static struct proto_warning
expect_warning(int64_t id, const char *kind, bool cleared, const char *level)
{
	struct proto_pub p;
	do
		town_expect(&p, (struct town_want){ .topic = PROTO_TOPIC_WARNING, .ticket = id, .state = kind,
		    .cleared = cleared }, kind);
	while (level != NULL && strcmp(p.u.warning.level, level) != 0);
	return p.u.warning;
}

/* An accepted job whose truck stops sending fixes: amber past gps_stale_s (60 s), red past
 * three times that, cleared by the next fix. */
START_TEST(test_gps_lost)
{
	int64_t fix_ts = town_broker.now;
	town_van("A1", "alpha", 1);
	struct proto_ticket t = town_create("town", "battery", TOWN_LAT, TOWN_LON);
	struct proto_offer_accept a = town_accept_args(t.id, "A1", 600);
	town_ok_as("alpha-desk", PROTO_MSG_offer_accept, &a);

	town_step(60 * 1000);
	ck_assert(!active_warning(t.id, "gps_lost", NULL)); /* 60 s exactly: not yet */
	town_step(1);
	struct proto_warning w = expect_warning(t.id, "gps_lost", false, NULL);
	ck_assert_str_eq(w.level, "amber");
	ck_assert_str_eq(w.text, "no GPS from A1 for 1 min");
	ck_assert_int_eq(w.ts, fix_ts + 60 * 1000 + 1);

	town_step(120 * 1000 - 1);
	ck_assert(active_warning(t.id, "gps_lost", &w));
	ck_assert_str_eq(w.level, "amber"); /* 180 s exactly */
	town_step(1);
	w = expect_warning(t.id, "gps_lost", false, "red");
	ck_assert_str_eq(w.text, "no GPS from A1 for 3 min");

	town_fix("A1", geo_destination((struct geo_point){ TOWN_LAT, TOWN_LON }, 0, 900));
	town_step(0);
	expect_warning(t.id, "gps_lost", true, NULL);
	ck_assert(!active_warning(t.id, "gps_lost", NULL));
}
END_TEST

/* An en-route truck whose fixes keep coming from the same place: stalled once they span
 * more than stalled_s (600 s); a move of more than 50 m clears it. */
START_TEST(test_stalled)
{
	struct geo_point at = geo_destination((struct geo_point){ TOWN_LAT, TOWN_LON }, 0, 1000);
	town_van("A1", "alpha", 1);
	struct proto_ticket t = town_create("town", "battery", TOWN_LAT, TOWN_LON);
	struct proto_offer_accept a = town_accept_args(t.id, "A1", 600);
	town_ok_as("alpha-desk", PROTO_MSG_offer_accept, &a);
	int64_t left = town_set_state(t.id, "en_route").t_en_route;

	for (int i = 0; i < 12; i++) {
		town_step(50 * 1000);
		town_fix("A1", at);
	}
	town_step(0);
	ck_assert_int_eq(town_broker.now - left, 600 * 1000);
	ck_assert(!active_warning(t.id, "stalled", NULL));
	ck_assert(!active_warning(t.id, "gps_lost", NULL));
	town_step(50 * 1000);
	town_fix("A1", at);
	town_step(0);
	struct proto_warning w = expect_warning(t.id, "stalled", false, NULL);
	ck_assert_str_eq(w.level, "amber");
	ck_assert_str_eq(w.text, "A1 has not moved for 10 min");
	ck_assert_int_eq(w.ts, left + 650 * 1000);

	town_fix("A1", geo_destination(at, 180, 100));
	town_step(0);
	expect_warning(t.id, "stalled", true, NULL);
}
END_TEST

/* The supplier's ETA is after the promise: eta_late, red; once the truck is on its way the
 * ETA from its position (100 s) clears it. */
START_TEST(test_eta_late)
{
	town_van("A1", "alpha", 1);
	struct proto_ticket t = town_create("town", "battery", TOWN_LAT, TOWN_LON);
	ck_assert_int_eq(t.promised - t.created, 60 * 60000);
	struct proto_offer_accept a = town_accept_args(t.id, "A1", 64 * 60);
	town_ok_as("alpha-desk", PROTO_MSG_offer_accept, &a);
	town_step(0);
	struct proto_warning w = expect_warning(t.id, "eta_late", false, NULL);
	ck_assert_str_eq(w.level, "red");
	ck_assert_str_eq(w.text, "ETA 4 min after the promise");
	ck_assert(!active_warning(t.id, "overdue", NULL));

	/* the ETA is refreshed at most every 30 s */
	town_set_state(t.id, "en_route");
	town_step(29 * 1000);
	ck_assert(active_warning(t.id, "eta_late", NULL));
	town_step(1000);
	expect_warning(t.id, "eta_late", true, NULL);
	struct proto_reply r;
	town_get_ticket(t.id, &r);
	ck_assert_str_eq(r.ticket.eta_src, "model");
	ck_assert_int_eq(r.ticket.eta - town_broker.now, 100 * 1000);
	proto_reply_finish(&r);
}
END_TEST

/* Past the promise before anyone is on scene: overdue, red (and no eta_late beside it);
 * closing the ticket clears it. */
START_TEST(test_overdue)
{
	struct proto_ticket t = town_create("town", "battery", TOWN_LAT, TOWN_LON);
	ck_assert_str_eq(t.state, "new"); /* no truck at all */

	town_step(t.promised - town_broker.now);
	ck_assert(!active_warning(t.id, "overdue", NULL)); /* at the promise: not yet */
	ck_assert(!active_warning(t.id, "eta_late", NULL));
	town_step(60 * 1000 + 1);
	struct proto_warning w = expect_warning(t.id, "overdue", false, NULL);
	ck_assert_str_eq(w.level, "red");
	ck_assert_str_eq(w.text, "1 min past the promised arrival");
	ck_assert_int_eq(w.ts, t.promised + 60 * 1000 + 1);
	ck_assert(!active_warning(t.id, "eta_late", NULL));

	struct proto_ticket_cancel c = { .id = t.id, .present = 0 };
	PROTO_STRSET(c.reason, "customer towed it himself");
	town_ok_as("agent7", PROTO_MSG_ticket_cancel, &c);
	expect_warning(t.id, "overdue", true, NULL);
}
END_TEST

/* A ticket where agents dispatch (issue 8: in Aba they sat 46-66 min with no warning):
 * waiting_agent amber past waiting_agent_s (180 s as shipped), red past three times that,
 * cleared by the agent's ticket.assign; never in a region that dispatches by itself. */
START_TEST(test_waiting_agent)
{
	town_truck_at("G1", "van", "gamma", "hills", HILLS_LAT, HILLS_LON, 2);
	struct proto_ticket t = town_create("hills", "tyre", HILLS_LAT, HILLS_LON);
	ck_assert_str_eq(t.state, "new");

	town_step(t.created + 180 * 1000 - town_broker.now);
	ck_assert(!active_warning(t.id, "waiting_agent", NULL));
	town_step(1);
	struct proto_warning w = expect_warning(t.id, "waiting_agent", false, NULL);
	ck_assert_str_eq(w.level, "amber");
	ck_assert_int_eq(w.ts, t.created + 180 * 1000 + 1);
	ck_assert_int_eq(w.since, t.created);
	ck_assert_str_eq(w.text, "waiting 3 min for an agent to choose a truck");
	town_step(t.created + 540 * 1000 + 1 - town_broker.now);
	w = expect_warning(t.id, "waiting_agent", false, "red");
	ck_assert_int_eq(w.ts, t.created + 540 * 1000 + 1);

	struct proto_ticket_assign as = { .id = t.id, .present = 0 };
	PROTO_STRSET(as.truck, "G1");
	struct proto_ticket u = town_ok_as("agent7", PROTO_MSG_ticket_assign, &as);
	ck_assert_str_eq(u.state, "dispatched");
	w = expect_warning(t.id, "waiting_agent", true, NULL);
	ck_assert_int_eq(w.ts, town_broker.now); /* at the offer, not at the next pass */
	ck_assert(!active_warning(t.id, "waiting_agent", NULL));

	/* the one truck is busy: a town ticket stays new, but the broker dispatches there */
	struct proto_ticket town = town_create("town", "battery", TOWN_LAT, TOWN_LON);
	ck_assert_str_eq(town.state, "new");
	town_step(541 * 1000);
	ck_assert(!active_warning(town.id, "waiting_agent", NULL));
}
END_TEST

/* The ETA key follows the truck at every refresh (30 s apart, a minute's move), but the
 * history tells a change only past 5 minutes or a fifth of the time left (issue 8: the
 * intake note vanished under "ETA now 14 min" lines). */
static int
eta_events(int64_t id)
{
	struct proto_reply r;
	int n = 0;
	town_get_ticket(id, &r);
	for (size_t i = 0; i < r.n_events; i++)
		n += strcmp(r.events[i].kind, "eta") == 0;
	proto_reply_finish(&r);
	return n;
}

static struct proto_ticket
expect_eta(int64_t id, int64_t eta)
{
	struct proto_pub p;
	do
		town_expect(&p, (struct town_want){ .topic = PROTO_TOPIC_TICKET, .ticket = id,
		    .state = "en_route" }, "ticket with its ETA");
	while (p.u.ticket.eta != eta);
	return p.u.ticket;
}

START_TEST(test_eta_events)
{
	struct geo_point town = { TOWN_LAT, TOWN_LON };
	town_van("A1", "alpha", 1);
	struct proto_ticket t = town_create("town", "battery", TOWN_LAT, TOWN_LON);
	struct proto_offer_accept a = town_accept_args(t.id, "A1", 10 * 60);
	town_ok_as("alpha-desk", PROTO_MSG_offer_accept, &a);
	town_set_state(t.id, "en_route");
	ck_assert_int_eq(eta_events(t.id), 0);

	/* 10 min quoted, 100 s by the model: told */
	town_step(30 * 1000);
	expect_eta(t.id, town_broker.now + 100 * 1000);
	ck_assert_int_eq(eta_events(t.id), 1);

	/* 3 km away, 260 s later than told: published, not told */
	town_fix("A1", geo_destination(town, 0, 3000));
	town_step(30 * 1000);
	struct proto_ticket u = expect_eta(t.id, town_broker.now + 300 * 1000);
	ck_assert_str_eq(u.eta_src, "model");
	ck_assert_int_eq(eta_events(t.id), 1);

	/* 9 km away: 13 min later than told, past 5 min: told at once, with the fix */
	town_fix("A1", geo_destination(town, 0, 9000));
	expect_eta(t.id, town_broker.now + 900 * 1000);
	ck_assert_int_eq(eta_events(t.id), 2);
}
END_TEST

static Suite *
offer_suite(void)
{
	Suite *s = suite_create("offer");
	TCase *tc;

	tc = harness_broker_tcase(s, "handshake", setup, town_teardown);
	tcase_add_test(tc, test_accept);
	tcase_add_test(tc, test_decline);
	tcase_add_test(tc, test_timeout);
	tcase_add_test(tc, test_not_accepted);

	tc = harness_broker_tcase(s, "decisions", setup, town_teardown);
	tcase_add_test(tc, test_candidates);
	tcase_add_test(tc, test_hold_for_finishing);
	tcase_add_test(tc, test_chain_accept);
	tcase_add_test(tc, test_chain_eta);
	tcase_add_test(tc, test_chain_refused);
	tcase_add_test(tc, test_rotation);
	tcase_add_test(tc, test_redispatch);

	tc = harness_broker_tcase(s, "warnings", setup, town_teardown);
	tcase_add_test(tc, test_gps_lost);
	tcase_add_test(tc, test_stalled);
	tcase_add_test(tc, test_eta_late);
	tcase_add_test(tc, test_overdue);
	tcase_add_test(tc, test_waiting_agent);
	tcase_add_test(tc, test_eta_events);

	tc = harness_broker_tcase(s, "restart", setup, town_teardown);
	tcase_add_test(tc, test_restart);
	return s;
}

int
main(void)
{
	return harness_broker_main(offer_suite(), base_dir);
}
