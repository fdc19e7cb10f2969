/* check-monitor.c: the delay warnings and the ticket standing (src/model/monitor.c) and the kind
 * tables (src/model/kinds.c), with injected time: every rule's raise, level change and clear
 * edges, the parameters and English texts, and the console's classification agreeing with
 * the warnings; the next deadline the broker's deadline queue arms. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "kinds.h"
#include "monitor.h"

#define S 1000LL
#define MIN (60 * S)
#define T0 1700000000000LL        /* the call */
#define PROMISED (T0 + 60 * MIN)  /* the promise: one hour */

/* sla.ini as shipped: not_accepted 300 s, gps_stale 45 s, stalled 300 s, margin 300 s,
 * window 80 %, diagnosis hold 600 s, waiting for an agent 180 s, deviation 3 fixes or
 * 300 s, on scene 200 % of the typical time, a call again warns 1800 s, a region without a
 * free truck 300 s, escalation after 120 s, owners' lease 30 s, surveys 7 days after the
 * close, a detractor called back within 24 h */
static const struct data_sla sla = { 300, 45, 300, 300, 80, 600, 180, 3, 300, 200, 1800,
	300, 120, 30, 604800, 86400 };

enum { NONE_ = WARN_LEVEL_NONE, AMB = WARN_LEVEL_AMBER, RED = WARN_LEVEL_RED };

struct rule_case {
	const char *name;
	enum ticket_state state;
	int64_t now, eta, round_start;
	bool truck, placed;
	int64_t fix_age, still;           /* truck: now - fix_ts, fix_ts - still_since */
	int64_t travel;                   /* > 0: a proposal arriving in travel */
	/* expected level by kind: not_accepted gps_lost stalled eta_late overdue redispatch */
	int want[WARN_KIND_COUNT];
};

#define NOW (T0 + 10 * MIN)
#define D TICKET_DISPATCHED
#define N TICKET_NEW
#define A TICKET_ACCEPTED
#define E TICKET_EN_ROUTE
#define O TICKET_ON_SCENE

static const struct rule_case rules[] = {
	/* not_accepted: the clock from the first offer of the round */
	{ "offer out 300 s", D, NOW, 0, NOW - 300 * S, false, false, 0, 0, 0, { 0 } },
	{ "offer out 300 s + 1 ms", D, NOW, 0, NOW - 300 * S - 1, false, false, 0, 0, 0,
	    { AMB } },
	{ "back in new after declines", N, NOW, 0, NOW - 6 * MIN, false, false, 0, 0, 0,
	    { AMB } },
	{ "new, never offered", N, NOW, 0, 0, false, false, 0, 0, 0, { 0 } },
	{ "accepted clears not_accepted", A, NOW, 0, NOW - 6 * MIN, true, true, 0, 0, 0,
	    { 0 } },

	/* gps_lost: amber past gps_stale_s, red past 3 x */
	{ "fix 45 s old", A, NOW, 0, 0, true, true, 45 * S, 0, 0, { 0 } },
	{ "fix 45 s + 1 ms old", A, NOW, 0, 0, true, true, 45 * S + 1, 0, 0, { 0, AMB } },
	{ "fix 135 s old", E, NOW, 0, 0, true, true, 135 * S, 0, 0, { 0, AMB } },
	{ "fix 135 s + 1 ms old", E, NOW, 0, 0, true, true, 135 * S + 1, 0, 0, { 0, RED } },
	{ "truck never placed", A, NOW, 0, 0, true, false, NOW, 0, 0, { 0, RED } },
	{ "stale but only dispatched", D, NOW, 0, 0, true, true, 10 * MIN, 0, 0, { 0 } },
	{ "stale on scene", O, NOW, 0, 0, true, true, 10 * MIN, 0, 0, { 0 } },

	/* stalled: en route, fresh GPS, still for more than stalled_s */
	{ "still 300 s", E, NOW, 0, 0, true, true, 10 * S, 300 * S, 0, { 0 } },
	{ "still 300 s + 1 ms", E, NOW, 0, 0, true, true, 10 * S, 300 * S + 1, 0,
	    { 0, 0, AMB } },
	{ "still but accepted", A, NOW, 0, 0, true, true, 10 * S, 20 * MIN, 0, { 0 } },
	{ "still with stale GPS: gps_lost only", E, NOW, 0, 0, true, true, 50 * S, 20 * MIN,
	    0, { 0, AMB } },

	/* eta_late by ETA: amber within the margin, red after the promise */
	{ "ETA 7 min before the promise", A, NOW, PROMISED - 7 * MIN, 0, false, false, 0, 0,
	    0, { 0 } },
	{ "ETA 5 min before the promise", A, NOW, PROMISED - 5 * MIN, 0, false, false, 0, 0,
	    0, { 0 } },
	{ "ETA 5 min - 1 ms before", A, NOW, PROMISED - 5 * MIN + 1, 0, false, false, 0, 0,
	    0, { 0, 0, 0, AMB } },
	{ "ETA at the promise", E, NOW, PROMISED, 0, false, false, 0, 0, 0, { 0, 0, 0, AMB } },
	{ "ETA 1 ms after the promise", E, NOW, PROMISED + 1, 0, false, false, 0, 0, 0,
	    { 0, 0, 0, RED } },
	{ "ETA late while new", N, NOW, PROMISED + MIN, 0, false, false, 0, 0, 0,
	    { 0, 0, 0, RED } },
	{ "ETA late on scene", O, NOW, PROMISED + MIN, 0, false, false, 0, 0, 0, { 0 } },

	/* eta_late by the window: more than 80 % of created..promised used */
	{ "80 % of the window", D, T0 + 48 * MIN, 0, 0, false, false, 0, 0, 0, { 0 } },
	{ "80 % + 1 ms", D, T0 + 48 * MIN + 1, 0, 0, false, false, 0, 0, 0,
	    { 0, 0, 0, AMB } },
	{ "window used, ETA early", E, T0 + 50 * MIN, PROMISED - 8 * MIN, 0, false, false, 0,
	    0, 0, { 0, 0, 0, AMB } },
	{ "at the promise", E, PROMISED, 0, 0, false, false, 0, 0, 0, { 0, 0, 0, AMB } },

	/* overdue replaces eta_late */
	{ "1 ms past the promise", E, PROMISED + 1, 0, 0, false, false, 0, 0, 0,
	    { 0, 0, 0, 0, RED } },
	{ "past the promise, ETA later", A, PROMISED + MIN, PROMISED + 9 * MIN, 0, false,
	    false, 0, 0, 0, { 0, 0, 0, 0, RED } },
	{ "past the promise on scene", O, PROMISED + MIN, 0, 0, false, false, 0, 0, 0, { 0 } },

	/* redispatch: ETA after the promise and a free truck 10 min (min_gain) sooner */
	{ "proposal 20 min sooner", E, NOW, PROMISED + 20 * MIN, 0, true, true, 0, 0,
	    PROMISED + 20 * MIN - NOW - 20 * MIN, { 0, 0, 0, RED, 0, AMB } },
	{ "proposal exactly 10 min sooner", E, NOW, PROMISED + 20 * MIN, 0, true, true, 0, 0,
	    PROMISED + 20 * MIN - NOW - 10 * MIN, { 0, 0, 0, RED, 0, AMB } },
	{ "proposal 10 min - 1 ms sooner", A, NOW, PROMISED + 20 * MIN, 0, true, true, 0, 0,
	    PROMISED + 20 * MIN - NOW - 10 * MIN + 1, { 0, 0, 0, RED } },
	{ "proposal but ETA before the promise", E, NOW, PROMISED - 10 * MIN, 0, true, true,
	    0, 0, 5 * MIN, { 0 } },
	{ "no proposal", E, NOW, PROMISED + 20 * MIN, 0, true, true, 0, 0, 0,
	    { 0, 0, 0, RED } },
	{ "proposal but no truck", D, NOW, PROMISED + 20 * MIN, 0, false, false, 0, 0, MIN,
	    { 0, 0, 0, RED } },
};

static void
make(const struct rule_case *c, struct monitor_ticket *t, struct monitor_truck *k,
    struct monitor_proposal *p)
{
	memset(t, 0, sizeof *t);
	t->state = c->state;
	t->created = T0;
	t->promised = PROMISED;
	t->eta = c->eta;
	t->round_start = c->round_start;
	t->offers = 2;
	t->last_offered = "A1";
	k->id = "R1";
	k->placed = c->placed;
	k->fix_ts = c->placed ? c->now - c->fix_age : 0;
	k->still_since = k->fix_ts - c->still;
	p->truck = "R2";
	p->travel_ms = c->travel;
	p->min_gain_ms = 10 * MIN;
}

START_TEST(test_rules)
{
	const struct rule_case *c = &rules[_i];
	struct monitor_ticket t;
	struct monitor_truck k;
	struct monitor_proposal p;
	struct monitor_result r;

	make(c, &t, &k, &p);
	monitor_check(&t, c->truck ? &k : NULL, c->travel > 0 ? &p : NULL, &sla, c->now, &r);
	for (int i = 0; i < WARN_KIND_COUNT; i++) {
		ck_assert_int_eq(r.w[i].kind, i);
		ck_assert_msg((int)r.w[i].level == c->want[i], "%s: %s is %s, want %s", c->name,
		    warn_kind_name((enum warn_kind)i), warn_level_name(r.w[i].level),
		    warn_level_name((enum warn_level)c->want[i]));
	}
}
END_TEST

/* The console's standing says what the broker's overdue and eta_late say, for every case
 * above and on a grid of ETAs and times around the thresholds. */
static enum monitor_class
expected_class(const struct monitor_result *r)
{
	if (r->w[WARN_OVERDUE].level == WARN_LEVEL_RED || r->w[WARN_ETA_LATE].level ==
	    WARN_LEVEL_RED)
		return MONITOR_LATE;
	if (r->w[WARN_ETA_LATE].level == WARN_LEVEL_AMBER)
		return MONITOR_AT_RISK;
	return MONITOR_ON_TIME;
}

START_TEST(test_classify_agrees_with_rules)
{
	const struct rule_case *c = &rules[_i];
	struct monitor_ticket t;
	struct monitor_truck k;
	struct monitor_proposal p;
	struct monitor_result r;

	make(c, &t, &k, &p);
	monitor_check(&t, c->truck ? &k : NULL, NULL, &sla, c->now, &r);
	struct monitor_standing s = monitor_classify(&t, &sla, c->now);
	if (!monitor_before_scene(c->state))
		ck_assert_int_eq(s.cls, MONITOR_NONE);
	else
		ck_assert_msg(s.cls == expected_class(&r), "%s: class %d", c->name, s.cls);
}
END_TEST

START_TEST(test_classify_grid)
{
	static const enum ticket_state states[] = { N, D, A, E };
	struct monitor_ticket t = { .created = T0, .promised = PROMISED };
	struct monitor_result r;
	size_t n = 0;

	for (size_t si = 0; si < sizeof states / sizeof states[0]; si++)
	for (int64_t now = T0; now <= PROMISED + 2 * MIN; now += 30 * S + 1)
	for (int64_t eta = PROMISED - 20 * MIN; eta <= PROMISED + 20 * MIN; eta += 15 * S) {
		t.state = states[si];
		t.eta = eta == PROMISED - 20 * MIN ? 0 : eta; /* one column without an ETA */
		monitor_check(&t, NULL, NULL, &sla, now, &r);
		struct monitor_standing s = monitor_classify(&t, &sla, now);
		ck_assert_msg(s.cls == expected_class(&r), "now %lld eta %lld: %d",
		    (long long)(now - T0), (long long)(t.eta - T0), s.cls);
		int64_t arrive = t.eta > now ? t.eta : now;
		ck_assert_int_eq(s.slack_ms, PROMISED - arrive);
		n++;
	}
	ck_assert_uint_gt(n, 1000);
}
END_TEST

/* The example: an ETA 7 minutes before the promise is on time, as the broker raises
 * nothing; 4 minutes before is at risk, as the broker raises eta_late amber. */
START_TEST(test_classify_example)
{
	struct monitor_ticket t = { .state = TICKET_EN_ROUTE, .created = T0,
	    .promised = PROMISED, .eta = PROMISED - 7 * MIN };

	ck_assert_int_eq(monitor_classify(&t, &sla, NOW).cls, MONITOR_ON_TIME);
	ck_assert_int_eq(monitor_classify(&t, &sla, NOW).slack_ms, 7 * MIN);
	t.eta = PROMISED - 4 * MIN;
	ck_assert_int_eq(monitor_classify(&t, &sla, NOW).cls, MONITOR_AT_RISK);
	t.promised = 0;
	ck_assert_int_eq(monitor_classify(&t, &sla, NOW).cls, MONITOR_NONE);
	t.promised = PROMISED;
	t.state = TICKET_TOWING;
	ck_assert_int_eq(monitor_classify(&t, &sla, PROMISED + MIN).cls, MONITOR_NONE);
}
END_TEST

/* A truck's GPS over time: fresh, amber, red, a fix comes back, stale again. */
START_TEST(test_gps_sequence)
{
	static const struct {
		int64_t now, fix;
		int level;
	} steps[] = {
		{ NOW, NOW - 10 * S, NONE_ },
		{ NOW + 35 * S, NOW - 10 * S, NONE_ },
		{ NOW + 35 * S + 1, NOW - 10 * S, AMB },
		{ NOW + 125 * S, NOW - 10 * S, AMB },
		{ NOW + 125 * S + 1, NOW - 10 * S, RED },
		{ NOW + 200 * S, NOW + 199 * S, NONE_ },
		{ NOW + 245 * S, NOW + 199 * S, AMB },
	};
	struct monitor_ticket t = { .state = TICKET_EN_ROUTE, .created = T0,
	    .promised = PROMISED, .eta = NOW + 20 * MIN };
	struct monitor_truck k = { .id = "R1", .placed = true };
	struct monitor_result r;

	for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
		k.fix_ts = steps[i].fix;
		k.still_since = steps[i].fix;
		monitor_check(&t, &k, NULL, &sla, steps[i].now, &r);
		ck_assert_msg((int)r.w[WARN_GPS_LOST].level == steps[i].level, "step %zu", i);
		ck_assert(r.gps_stale == (steps[i].level != NONE_));
		if (steps[i].level != NONE_) {
			ck_assert_int_eq(r.w[WARN_GPS_LOST].since, steps[i].fix);
			ck_assert_int_eq(r.w[WARN_GPS_LOST].age_ms, steps[i].now - steps[i].fix);
			ck_assert_str_eq(r.w[WARN_GPS_LOST].subject, "R1");
		}
	}
}
END_TEST

/* A ticket's ETA slipping and the clock running: eta_late amber, red, back to amber, then
 * overdue, and nothing once on scene. */
START_TEST(test_late_sequence)
{
	static const struct {
		int64_t now, eta;
		int eta_late, overdue;
	} steps[] = {
		{ NOW, PROMISED - 20 * MIN, NONE_, NONE_ },
		{ NOW + MIN, PROMISED - 2 * MIN, AMB, NONE_ },
		{ NOW + 2 * MIN, PROMISED + 3 * MIN, RED, NONE_ },
		{ NOW + 3 * MIN, PROMISED - MIN, AMB, NONE_ },
		{ NOW + 4 * MIN, PROMISED - 10 * MIN, NONE_, NONE_ },
		{ PROMISED + 1, PROMISED + 2 * MIN, NONE_, RED },
	};
	struct monitor_ticket t = { .state = TICKET_EN_ROUTE, .created = T0,
	    .promised = PROMISED };
	struct monitor_result r;

	for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
		t.eta = steps[i].eta;
		monitor_check(&t, NULL, NULL, &sla, steps[i].now, &r);
		ck_assert_msg((int)r.w[WARN_ETA_LATE].level == steps[i].eta_late, "step %zu", i);
		ck_assert_msg((int)r.w[WARN_OVERDUE].level == steps[i].overdue, "step %zu", i);
	}
	t.state = TICKET_ON_SCENE;
	monitor_check(&t, NULL, NULL, &sla, PROMISED + MIN, &r);
	for (int i = 0; i < WARN_KIND_COUNT; i++)
		ck_assert_int_eq(r.w[i].level, WARN_LEVEL_NONE);
}
END_TEST

/* Parameters and the English texts the wire's `text` carries (as the broker wrote them
 * before the monitor existed). */
START_TEST(test_params_and_texts)
{
	struct monitor_ticket t = { .state = TICKET_DISPATCHED, .created = T0,
	    .promised = PROMISED, .round_start = NOW - 7 * MIN, .offers = 1,
	    .last_offered = "A1" };
	struct monitor_truck k = { .id = "R1", .placed = true };
	struct monitor_proposal p = { .truck = "R2", .min_gain_ms = 10 * MIN };
	struct monitor_result r;
	char text[200];

	monitor_check(&t, NULL, NULL, &sla, NOW, &r);
	ck_assert_int_eq(r.w[WARN_NOT_ACCEPTED].since, NOW - 7 * MIN);
	ck_assert_int_eq(r.w[WARN_NOT_ACCEPTED].offers, 1);
	monitor_text(&r.w[WARN_NOT_ACCEPTED], text, sizeof text);
	ck_assert_str_eq(text, "not accepted 7 min after the first offer (1 offer; last to A1, "
	    "pending)");
	t.state = TICKET_NEW;
	t.offers = 3;
	t.last_offered = "";
	monitor_check(&t, NULL, NULL, &sla, NOW, &r);
	ck_assert_ptr_null(r.w[WARN_NOT_ACCEPTED].subject);
	monitor_text(&r.w[WARN_NOT_ACCEPTED], text, sizeof text);
	ck_assert_str_eq(text, "not accepted 7 min after the first offer (3 offers; last to ?, "
	    "none pending)");

	t.state = TICKET_EN_ROUTE;
	t.round_start = 0;
	t.eta = PROMISED + 26 * MIN;
	k.fix_ts = NOW - 4 * MIN;
	k.still_since = k.fix_ts;
	p.travel_ms = 8 * MIN + 1;
	monitor_check(&t, &k, &p, &sla, NOW, &r);
	monitor_text(&r.w[WARN_GPS_LOST], text, sizeof text);
	ck_assert_str_eq(text, "no GPS from R1 for 4 min");
	k.placed = false;
	monitor_check(&t, &k, &p, &sla, NOW, &r);
	ck_assert_int_eq(r.w[WARN_GPS_LOST].level, WARN_LEVEL_RED);
	ck_assert_int_eq(r.w[WARN_GPS_LOST].since, 0);
	monitor_text(&r.w[WARN_GPS_LOST], text, sizeof text);
	ck_assert_str_eq(text, "no GPS from R1 yet");
	k.placed = true;
	monitor_check(&t, &k, &p, &sla, NOW, &r);
	ck_assert_int_eq(r.w[WARN_ETA_LATE].eta, PROMISED + 26 * MIN);
	ck_assert_int_eq(r.w[WARN_ETA_LATE].promised, PROMISED);
	ck_assert_int_eq(r.w[WARN_ETA_LATE].pct, 0);
	monitor_text(&r.w[WARN_ETA_LATE], text, sizeof text);
	ck_assert_str_eq(text, "ETA 26 min after the promise");
	ck_assert_int_eq(r.w[WARN_REDISPATCH].alt_eta, NOW + 8 * MIN + 1);
	ck_assert_int_eq(r.w[WARN_REDISPATCH].gain_ms, PROMISED + 26 * MIN - NOW - 8 * MIN - 1);
	ck_assert_str_eq(r.w[WARN_REDISPATCH].truck, "R2");
	ck_assert_str_eq(r.w[WARN_REDISPATCH].subject, "R1");
	monitor_text(&r.w[WARN_REDISPATCH], text, sizeof text);
	ck_assert_str_eq(text, "R2 could be there 67 min sooner than R1 (ETA 9 min vs 76 min)");

	t.eta = PROMISED - 3 * MIN;
	k.fix_ts = NOW - 10 * S;
	k.still_since = k.fix_ts - 6 * MIN;
	monitor_check(&t, &k, NULL, &sla, NOW, &r);
	ck_assert_int_eq(r.w[WARN_STALLED].since, k.still_since);
	monitor_text(&r.w[WARN_STALLED], text, sizeof text);
	ck_assert_str_eq(text, "R1 has not moved for 6 min");
	monitor_text(&r.w[WARN_ETA_LATE], text, sizeof text);
	ck_assert_str_eq(text, "ETA 3 min before the promise");

	t.eta = 0;
	monitor_check(&t, &k, NULL, &sla, T0 + 51 * MIN, &r);
	ck_assert_int_eq(r.w[WARN_ETA_LATE].pct, 85);
	monitor_text(&r.w[WARN_ETA_LATE], text, sizeof text);
	ck_assert_str_eq(text, "85% of the promised window used");

	monitor_check(&t, &k, NULL, &sla, PROMISED + 12 * MIN + 5 * S, &r);
	ck_assert_int_eq(r.w[WARN_OVERDUE].since, PROMISED);
	ck_assert_int_eq(r.w[WARN_OVERDUE].late_ms, 12 * MIN + 5 * S);
	monitor_text(&r.w[WARN_OVERDUE], text, sizeof text);
	ck_assert_str_eq(text, "12 min past the promised arrival");
}
END_TEST

START_TEST(test_wants_proposal)
{
	struct monitor_ticket t = { .state = TICKET_ACCEPTED, .promised = PROMISED,
	    .eta = PROMISED + 1 };
	struct monitor_truck k = { .id = "R1", .placed = true };

	ck_assert(monitor_wants_proposal(&t, &k));
	ck_assert(!monitor_wants_proposal(&t, NULL));
	t.eta = PROMISED;
	ck_assert(!monitor_wants_proposal(&t, &k));
	t.eta = 0;
	ck_assert(!monitor_wants_proposal(&t, &k));
	t.eta = PROMISED + 1;
	t.state = TICKET_DISPATCHED;
	ck_assert(!monitor_wants_proposal(&t, &k));
}
END_TEST

/* waiting_agent (issue 8: tickets in Aba sat 46-66 min with no warning): new, in a region
 * where an agent chooses the truck, amber past waiting_agent_s after the call, red past 3 x;
 * never where the broker dispatches by itself, never once a truck is chosen. */
static const struct wait_case {
	const char *name;
	enum ticket_state state;
	bool manual;
	int64_t waited;
	int want;
} waits[] = {
	{ "manual, 180 s", N, true, 180 * S, NONE_ },
	{ "manual, 180 s + 1 ms", N, true, 180 * S + 1, AMB },
	{ "manual, 540 s", N, true, 540 * S, AMB },
	{ "manual, 540 s + 1 ms", N, true, 540 * S + 1, RED },
	{ "manual, 46 min", N, true, 46 * MIN, RED },
	{ "automatic, 46 min", N, false, 46 * MIN, NONE_ },
	{ "manual, a truck offered", D, true, 46 * MIN, NONE_ },
	{ "manual, accepted", A, true, 46 * MIN, NONE_ },
};

START_TEST(test_waiting_agent)
{
	const struct wait_case *c = &waits[_i];
	struct monitor_ticket t = { .state = c->state, .created = T0, .promised = T0 + 24 * 60 * MIN,
	    .manual = c->manual };
	struct monitor_result r;
	char text[200];

	monitor_check(&t, NULL, NULL, &sla, T0 + c->waited, &r);
	ck_assert_msg((int)r.w[WARN_WAITING_AGENT].level == c->want, "%s: level %d, want %d",
	    c->name, (int)r.w[WARN_WAITING_AGENT].level, c->want);
	for (int k = 0; k < WARN_KIND_COUNT; k++)
		if (k != WARN_WAITING_AGENT)
			ck_assert_int_eq(r.w[k].level, WARN_LEVEL_NONE);
	if (c->want == NONE_)
		return;
	ck_assert_int_eq(r.w[WARN_WAITING_AGENT].since, T0);
	monitor_text(&r.w[WARN_WAITING_AGENT], text, sizeof text);
	if (c->waited == 46 * MIN)
		ck_assert_str_eq(text, "waiting 46 min for an agent to choose a truck");
}
END_TEST

/* deviation: one en-route truck's fixes (a fix every 15 s, moving) added to its track, the
 * rule checked at each: driving away 3 fixes in a row by 200 m in all (amber), no 50 m
 * closer for 300 s (amber) and 600 s (red), cleared by progress. */
START_TEST(test_deviation_sequence)
{
	static const struct {
		int64_t ts;       /* the fix, s after NOW */
		double dist;      /* m to the car */
		int level;
		int64_t since;    /* s after NOW: the fix it was last closer at */
		bool away;
	} steps[] = {
		{ 0, 5000, NONE_, 0, false },
		{ 15, 4800, NONE_, 0, false },
		{ 30, 4700, NONE_, 0, false },
		{ 45, 4750, NONE_, 0, false },     /* farther, 1 fix */
		{ 60, 4850, NONE_, 0, false },     /* 2 fixes */
		{ 75, 4899, NONE_, 0, false },     /* 3 fixes but 199 m in all */
		{ 90, 4950, AMB, 30, true },       /* 3 fixes, 200 m */
		{ 105, 4800, NONE_, 0, false },    /* turned back */
		{ 200, 4790, NONE_, 0, false },
		{ 330, 4780, NONE_, 0, false },    /* no closer for 300 s */
		{ 331, 4770, AMB, 30, false },     /* 301 s */
		{ 630, 4760, AMB, 30, false },     /* 600 s */
		{ 631, 4755, RED, 30, false },     /* 601 s */
		{ 640, 4600, NONE_, 0, false },    /* 50 m closer than 4700: progress */
	};
	struct monitor_track tr = { 0 };
	struct monitor_ticket t = { .state = TICKET_EN_ROUTE, .created = T0,
	    .promised = T0 + 24 * 60 * MIN, .track = &tr };
	struct monitor_truck k = { .id = "R1", .placed = true };
	struct monitor_result r;
	char text[200];

	for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
		int64_t ts = NOW + steps[i].ts * S;
		monitor_track_add(&tr, ts, steps[i].dist);
		k.fix_ts = ts;
		k.still_since = ts;      /* moving */
		monitor_check(&t, &k, NULL, &sla, ts + 5 * S, &r);
		const struct monitor_warning *w = &r.w[WARN_DEVIATION];
		ck_assert_msg((int)w->level == steps[i].level, "step %zu: level %d, want %d", i,
		    (int)w->level, steps[i].level);
		if (steps[i].level == NONE_)
			continue;
		ck_assert_int_eq(w->since, NOW + steps[i].since * S);
		ck_assert(w->pending == steps[i].away);
		ck_assert_str_eq(w->subject, "R1");
		monitor_text(w, text, sizeof text);
		if (steps[i].ts == 90)
			ck_assert_str_eq(text, "R1 is driving away from the car (no closer for 1 min)");
		if (steps[i].ts == 631)
			ck_assert_str_eq(text, "R1 has got no closer to the car for 10 min");
	}

	/* the same track but the truck stalled (that rule says it), not en route, or GPS lost */
	k.still_since = k.fix_ts - 301 * S;
	tr.closest_ts = NOW;
	monitor_check(&t, &k, NULL, &sla, k.fix_ts, &r);
	ck_assert_int_eq(r.w[WARN_STALLED].level, WARN_LEVEL_AMBER);
	ck_assert_int_eq(r.w[WARN_DEVIATION].level, WARN_LEVEL_NONE);
	k.still_since = k.fix_ts;
	monitor_check(&t, &k, NULL, &sla, k.fix_ts, &r);
	ck_assert_int_eq(r.w[WARN_DEVIATION].level, WARN_LEVEL_RED);
	monitor_check(&t, &k, NULL, &sla, k.fix_ts + 46 * S, &r);
	ck_assert_int_eq(r.w[WARN_DEVIATION].level, WARN_LEVEL_NONE);
	t.state = TICKET_ACCEPTED;
	monitor_check(&t, &k, NULL, &sla, k.fix_ts, &r);
	ck_assert_int_eq(r.w[WARN_DEVIATION].level, WARN_LEVEL_NONE);
	t.state = TICKET_EN_ROUTE;
	t.track = NULL;
	monitor_check(&t, &k, NULL, &sla, k.fix_ts, &r);
	ck_assert_int_eq(r.w[WARN_DEVIATION].level, WARN_LEVEL_NONE);
}
END_TEST

/* The track keeps the latest MONITOR_TRACK_MAX fixes in order and ignores an older one. */
START_TEST(test_track)
{
	struct monitor_track tr = { 0 };

	for (int i = 0; i < 10; i++)
		monitor_track_add(&tr, NOW + i * 15 * S, 1000.0 + i);
	ck_assert_int_eq(tr.n, MONITOR_TRACK_MAX);
	ck_assert_int_eq(tr.ts[0], NOW + 2 * 15 * S);
	ck_assert_int_eq(tr.ts[MONITOR_TRACK_MAX - 1], NOW + 9 * 15 * S);
	ck_assert_int_eq(tr.closest_ts, NOW);
	monitor_track_add(&tr, NOW, 10.0);
	ck_assert_int_eq(tr.ts[MONITOR_TRACK_MAX - 1], NOW + 9 * 15 * S);
	ck_assert_int_eq(tr.closest_ts, NOW);
	monitor_track_add(&tr, NOW + 10 * 15 * S, 949.0);
	ck_assert_int_eq(tr.closest_ts, NOW + 10 * 15 * S);
}
END_TEST

/* onscene_overrun: a fault typically 30 min on scene; amber past 200 % (60 min), red past
 * 120 min; only on scene, only with a typical time. */
static const struct onscene_case {
	const char *name;
	enum ticket_state state;
	int64_t typical, on_for;
	int want;
} onscenes[] = {
	{ "60 min", O, 30 * MIN, 60 * MIN, NONE_ },
	{ "60 min + 1 ms", O, 30 * MIN, 60 * MIN + 1, AMB },
	{ "75 min", O, 30 * MIN, 75 * MIN, AMB },
	{ "120 min", O, 30 * MIN, 120 * MIN, AMB },
	{ "120 min + 1 ms", O, 30 * MIN, 120 * MIN + 1, RED },
	{ "towing", TICKET_TOWING, 30 * MIN, 150 * MIN, NONE_ },
	{ "completed", TICKET_COMPLETED, 30 * MIN, 150 * MIN, NONE_ },
	{ "no typical time", O, 0, 150 * MIN, NONE_ },
};

START_TEST(test_onscene_overrun)
{
	const struct onscene_case *c = &onscenes[_i];
	struct monitor_ticket t = { .state = c->state, .created = T0, .promised = PROMISED,
	    .on_scene = NOW, .typical_onscene_ms = c->typical };
	struct monitor_result r;
	char text[200];

	monitor_check(&t, NULL, NULL, &sla, NOW + c->on_for, &r);
	ck_assert_msg((int)r.w[WARN_ONSCENE_OVERRUN].level == c->want, "%s: level %d, want %d",
	    c->name, (int)r.w[WARN_ONSCENE_OVERRUN].level, c->want);
	for (int k = 0; k < WARN_KIND_COUNT; k++)
		if (k != WARN_ONSCENE_OVERRUN)
			ck_assert_int_eq(r.w[k].level, WARN_LEVEL_NONE);
	if (c->want == NONE_)
		return;
	ck_assert_int_eq(r.w[WARN_ONSCENE_OVERRUN].since, NOW);
	ck_assert_int_eq(r.w[WARN_ONSCENE_OVERRUN].eta, NOW + c->typical);
	monitor_text(&r.w[WARN_ONSCENE_OVERRUN], text, sizeof text);
	if (c->on_for == 75 * MIN)
		ck_assert_str_eq(text, "on scene for 75 min (a typical job: 30 min)");
}
END_TEST

/* callback: amber at the first call again, red from the second, for 1800 s after the
 * latest; never on a closed ticket. */
static const struct callback_case {
	const char *name;
	enum ticket_state state;
	int64_t calls, ago;
	int want;
	const char *text;
} callbacks[] = {
	{ "none", N, 0, 0, NONE_, NULL },
	{ "one, just now", N, 1, 0, AMB, "the customer called again 0 min ago" },
	{ "one, 10 min ago, en route", E, 1, 10 * MIN, AMB,
	    "the customer called again 10 min ago" },
	{ "two", E, 2, 10 * MIN, RED, "the customer has called again 2 times, last 10 min ago" },
	{ "two, 1800 s ago", O, 2, 1800 * S, RED, NULL },
	{ "two, 1800 s + 1 ms ago", O, 2, 1800 * S + 1, NONE_, NULL },
	{ "two, completed", TICKET_COMPLETED, 2, 0, NONE_, NULL },
	{ "one, cancelled", TICKET_CANCELLED, 1, 0, NONE_, NULL },
};

START_TEST(test_callback)
{
	const struct callback_case *c = &callbacks[_i];
	struct monitor_ticket t = { .state = c->state, .created = T0, .promised = T0 + 24 * 60 * MIN,
	    .callbacks = c->calls, .last_callback = c->calls > 0 ? NOW : 0 };
	struct monitor_result r;
	char text[200];

	monitor_check(&t, NULL, NULL, &sla, NOW + c->ago, &r);
	ck_assert_msg((int)r.w[WARN_CALLBACK].level == c->want, "%s: level %d, want %d",
	    c->name, (int)r.w[WARN_CALLBACK].level, c->want);
	for (int k = 0; k < WARN_KIND_COUNT; k++)
		if (k != WARN_CALLBACK)
			ck_assert_int_eq(r.w[k].level, WARN_LEVEL_NONE);
	if (c->want == NONE_)
		return;
	ck_assert_int_eq(r.w[WARN_CALLBACK].since, NOW);
	monitor_text(&r.w[WARN_CALLBACK], text, sizeof text);
	if (c->text != NULL)
		ck_assert_str_eq(text, c->text);
}
END_TEST

/* capacity: a region without an able truck free, amber past capacity_s, red past 3 x or
 * while calls there wait for a truck; one free truck clears it */
struct capacity_case {
	const char *name;
	int64_t free, short_for, waiting; /* short_for: now - short_since (< 0: not short) */
	int want;
	const char *text;
};

static const struct capacity_case capacities[] = {
	{ "a truck free", 1, -1, 0, NONE_, NULL },
	{ "a truck free, calls waiting", 2, -1, 4, NONE_, NULL },
	{ "none free 300 s", 0, 300 * S, 0, NONE_, NULL },
	{ "none free 300 s + 1 ms", 0, 300 * S + 1, 0, AMB,
	    "no able truck free in town for 5 min (0 calls waiting for a truck)" },
	{ "none free 900 s", 0, 900 * S, 0, AMB, NULL },
	{ "none free 900 s + 1 ms", 0, 900 * S + 1, 0, RED, NULL },
	{ "none free 300 s, a call waiting", 0, 300 * S, 1, NONE_, NULL },
	{ "none free 301 s, a call waiting", 0, 301 * S, 1, RED,
	    "no able truck free in town for 5 min (1 call waiting for a truck)" },
	{ "none free 20 min, 3 calls waiting", 0, 20 * MIN, 3, RED,
	    "no able truck free in town for 20 min (3 calls waiting for a truck)" },
	{ "no count of since (never short)", 0, -1, 2, NONE_, NULL },
};

START_TEST(test_capacity)
{
	const struct capacity_case *c = &capacities[_i];
	int64_t now = NOW;
	struct monitor_region r = { .id = "town", .free = c->free,
	    .short_since = c->short_for >= 0 ? now - c->short_for : 0, .waiting = c->waiting };
	struct monitor_warning w;
	char text[200];

	monitor_capacity(&r, &sla, now, &w);
	ck_assert_int_eq(w.kind, WARN_CAPACITY);
	ck_assert_msg((int)w.level == c->want, "%s: level %d, want %d", c->name, (int)w.level,
	    c->want);
	if (c->want == NONE_)
		return;
	ck_assert_int_eq(w.since, now - c->short_for);
	ck_assert_int_eq(w.waiting, c->waiting);
	ck_assert_str_eq(w.region, "town");
	monitor_text(&w, text, sizeof text);
	if (c->text != NULL)
		ck_assert_str_eq(text, c->text);
}
END_TEST

/* A region through a shift: short, amber, a call arrives (red), served elsewhere (amber
 * again), a truck frees (cleared); short again starts a new clock. */
START_TEST(test_capacity_sequence)
{
	struct monitor_region r = { .id = "hills", .free = 0, .short_since = T0 };
	struct monitor_warning w;
	struct monitor_truck fresh = { .id = "V1", .placed = true, .fix_ts = T0 };

	monitor_capacity(&r, &sla, T0 + 5 * MIN, &w);
	ck_assert_int_eq(w.level, WARN_LEVEL_NONE);
	monitor_capacity(&r, &sla, T0 + 6 * MIN, &w);
	ck_assert_int_eq(w.level, WARN_LEVEL_AMBER);
	r.waiting = 1;
	monitor_capacity(&r, &sla, T0 + 7 * MIN, &w);
	ck_assert_int_eq(w.level, WARN_LEVEL_RED);
	r.waiting = 0;
	monitor_capacity(&r, &sla, T0 + 8 * MIN, &w);
	ck_assert_int_eq(w.level, WARN_LEVEL_AMBER);
	ck_assert_int_eq(w.since, T0);
	r.free = 1;
	monitor_capacity(&r, &sla, T0 + 9 * MIN, &w);
	ck_assert_int_eq(w.level, WARN_LEVEL_NONE);

	/* able: a position no older than gps_stale_s */
	ck_assert(monitor_truck_able(&fresh, &sla, T0 + 45 * S));
	ck_assert(!monitor_truck_able(&fresh, &sla, T0 + 45 * S + 1));
	fresh.placed = false;
	ck_assert(!monitor_truck_able(&fresh, &sla, T0));
}
END_TEST

START_TEST(test_kind_tables)
{
	for (int i = 0; i < WARN_KIND_COUNT; i++) {
		const char *name = warn_kind_name((enum warn_kind)i);
		ck_assert_int_eq(warn_kind_parse(name), i);
		ck_assert(strncmp(warn_kind_key((enum warn_kind)i), "warn.", 5) == 0);
		ck_assert_str_eq(warn_kind_key((enum warn_kind)i) + 5, name);
	}
	for (int i = 0; i < EVENT_KIND_COUNT; i++) {
		const char *name = event_kind_name((enum event_kind)i);
		ck_assert_int_eq(event_kind_parse(name), i);
		ck_assert_str_eq(event_kind_key((enum event_kind)i) + 6, name);
		ck_assert_uint_ne(event_kind_streams((enum event_kind)i), 0);
	}
	ck_assert_int_eq(warn_level_parse("amber"), WARN_LEVEL_AMBER);
	ck_assert_int_eq(warn_level_parse("red"), WARN_LEVEL_RED);
	ck_assert_int_eq(warn_level_parse(""), -1);
	ck_assert_int_eq(warn_kind_parse("flood"), -1);
	ck_assert_int_eq(event_kind_parse(NULL), -1);
	ck_assert_str_eq(warn_kind_name(WARN_KIND_COUNT), "");
	ck_assert_int_eq(warn_kind_level(WARN_OVERDUE), WARN_LEVEL_RED);
	ck_assert_int_eq(warn_kind_level(WARN_GPS_LOST), WARN_LEVEL_NONE);
	/* the wire names third-party clients rely on (PROTOCOL.md 8.3) */
	ck_assert_str_eq(warn_kind_name(WARN_DEVIATION), "deviation");
	ck_assert_str_eq(warn_kind_name(WARN_ONSCENE_OVERRUN), "onscene_overrun");
	ck_assert_str_eq(warn_kind_name(WARN_WAITING_AGENT), "waiting_agent");
	ck_assert_str_eq(warn_kind_name(WARN_CALLBACK), "callback");
	ck_assert_str_eq(warn_kind_name(WARN_CAPACITY), "capacity");
}
END_TEST

/* monitor_next_deadline: each rule's threshold ahead, the earliest of them, none when
 * nothing lies ahead; the levels at that ms differ from those just before it. */
static const struct deadline_case {
	const char *name;
	enum ticket_state state;
	int64_t now;
	bool manual, truck;
	int64_t fix_ts, round_start, on_scene, typical, last_callback;
	int64_t promised;        /* 0: PROMISED */
	int64_t want;            /* INT64_MAX: none */
	enum warn_kind kind;     /* the kind whose level changes at want */
} deadlines[] = {
	{ "dispatched, window", D, NOW, false, false, 0, 0, 0, 0, 0, 0,
	    T0 + 48 * MIN + 1, WARN_ETA_LATE },
	{ "dispatched, not accepted", D, NOW, false, false, 0, NOW - 2 * MIN, 0, 0, 0, 0,
	    NOW + 3 * MIN + 1, WARN_NOT_ACCEPTED },
	{ "window used, overdue next", D, T0 + 50 * MIN, false, false, 0, 0, 0, 0, 0, 0,
	    PROMISED + 1, WARN_OVERDUE },
	{ "overdue: nothing ahead", D, PROMISED + 1, false, false, 0, 0, 0, 0, 0, 0,
	    INT64_MAX, WARN_KIND_COUNT },
	{ "manual new, amber", N, T0 + MIN, true, false, 0, 0, 0, 0, 0, T0 + 24 * 60 * MIN,
	    T0 + 180 * S + 1, WARN_WAITING_AGENT },
	{ "manual new, red", N, T0 + 4 * MIN, true, false, 0, 0, 0, 0, 0, T0 + 24 * 60 * MIN,
	    T0 + 540 * S + 1, WARN_WAITING_AGENT },
	{ "en route, GPS amber", E, NOW, false, true, NOW - 10 * S, 0, 0, 0, 0, 0,
	    NOW + 35 * S + 1, WARN_GPS_LOST },
	{ "en route, GPS red", E, NOW, false, true, NOW - 60 * S, 0, 0, 0, 0, 0,
	    NOW + 75 * S + 1, WARN_GPS_LOST },
	{ "on scene, overrun", O, NOW, false, true, NOW, 0, NOW - 10 * MIN, 20 * MIN, 0, 0,
	    NOW + 30 * MIN + 1, WARN_ONSCENE_OVERRUN },
	{ "on scene, overrun red", O, NOW + 31 * MIN, false, true, NOW, 0, NOW - 10 * MIN,
	    20 * MIN, 0, 0, NOW + 70 * MIN + 1, WARN_ONSCENE_OVERRUN },
	{ "on scene, a call again clears", O, NOW, false, true, NOW, 0, NOW - MIN, 0,
	    NOW - 20 * MIN, 0, NOW + 10 * MIN + 1, WARN_CALLBACK },
	{ "completed: nothing ahead", TICKET_COMPLETED, NOW, false, true, NOW, 0, 0, 0,
	    NOW - MIN, 0, INT64_MAX, WARN_KIND_COUNT },
	{ "no promise: nothing ahead", D, NOW, false, false, 0, 0, 0, 0, 0, -1,
	    INT64_MAX, WARN_KIND_COUNT },
};

static void
deadline_make(const struct deadline_case *c, struct monitor_ticket *t, struct monitor_truck *k)
{
	*t = (struct monitor_ticket){ .state = c->state, .created = T0,
		.promised = c->promised == 0 ? PROMISED : c->promised < 0 ? 0 : c->promised,
		.round_start = c->round_start, .offers = 1, .manual = c->manual,
		.on_scene = c->on_scene, .typical_onscene_ms = c->typical,
		.callbacks = c->last_callback > 0, .last_callback = c->last_callback };
	*k = (struct monitor_truck){ .id = "R1", .placed = true, .fix_ts = c->fix_ts,
		.still_since = c->fix_ts };
}

START_TEST(test_next_deadline)
{
	const struct deadline_case *c = &deadlines[_i];
	struct monitor_ticket t;
	struct monitor_truck k;
	struct monitor_result before, at;

	deadline_make(c, &t, &k);
	int64_t d = monitor_next_deadline(&t, c->truck ? &k : NULL, &sla, c->now);
	ck_assert_msg(d == c->want, "%s: %lld, want %lld", c->name, (long long)d,
	    (long long)c->want);
	if (d == INT64_MAX)
		return;
	monitor_check(&t, c->truck ? &k : NULL, NULL, &sla, d - 1, &before);
	monitor_check(&t, c->truck ? &k : NULL, NULL, &sla, d, &at);
	ck_assert_msg(before.w[c->kind].level != at.w[c->kind].level, "%s: no change at %lld",
	    c->name, (long long)d);
}
END_TEST

static bool
same_levels(const struct monitor_result *a, const struct monitor_result *b)
{
	for (int i = 0; i < WARN_KIND_COUNT; i++)
		if (a->w[i].level != b->w[i].level)
			return false;
	return true;
}

/* Over a grid of tickets in every state, the levels stay those of now until the deadline
 * (checked at each ms boundary that matters: now, the middle, deadline - 1), and nothing
 * changes within 3 h when there is none: the queue never arms a ticket too late. */
START_TEST(test_next_deadline_grid)
{
	static const enum ticket_state states[] = { N, D, A, E, O, TICKET_TOWING,
		TICKET_COMPLETED };
	struct monitor_ticket t;
	struct monitor_truck k;
	struct monitor_result r0, r;
	int checked = 0;

	for (size_t si = 0; si < sizeof states / sizeof states[0]; si++)
	for (int manual = 0; manual < 2; manual++)
	for (int64_t age = 0; age < 70 * MIN; age += 7 * MIN + 13 * S)
	for (int64_t fix = 0; fix < 4 * MIN; fix += 50 * S) {
		int64_t now = T0 + age;
		t = (struct monitor_ticket){ .state = states[si], .created = T0,
			.promised = PROMISED, .eta = now + 30 * MIN, .manual = manual,
			.round_start = states[si] == D ? T0 + MIN : 0, .offers = 1,
			.on_scene = states[si] == O ? T0 + 5 * MIN : 0,
			.typical_onscene_ms = 20 * MIN, .callbacks = 1,
			.last_callback = T0 + age / 2 };
		k = (struct monitor_truck){ .id = "R1", .placed = true, .fix_ts = now - fix,
			.still_since = now - fix };
		int64_t d = monitor_next_deadline(&t, &k, &sla, now);
		ck_assert_int_gt(d, now);
		monitor_check(&t, &k, NULL, &sla, now, &r0);
		int64_t until = d == INT64_MAX ? now + 180 * MIN : d - 1;
		int64_t probes[] = { now + (until - now) / 2, until };
		for (int p = 0; p < 2; p++) {
			monitor_check(&t, &k, NULL, &sla, probes[p], &r);
			ck_assert_msg(same_levels(&r0, &r), "state %d manual %d age %lld fix %lld: "
			    "changed at %lld before the deadline %lld", (int)states[si], manual,
			    (long long)age, (long long)fix, (long long)probes[p], (long long)d);
		}
		checked++;
	}
	ck_assert_int_gt(checked, 500);
}
END_TEST

static Suite *
monitor_suite(void)
{
	Suite *s = suite_create("monitor");
	TCase *tc = tcase_create("rules");
	tcase_add_loop_test(tc, test_rules, 0, (int)(sizeof rules / sizeof rules[0]));
	tcase_add_test(tc, test_gps_sequence);
	tcase_add_loop_test(tc, test_waiting_agent, 0, (int)(sizeof waits / sizeof waits[0]));
	tcase_add_test(tc, test_late_sequence);
	tcase_add_test(tc, test_params_and_texts);
	tcase_add_test(tc, test_wants_proposal);
	tcase_add_test(tc, test_deviation_sequence);
	tcase_add_test(tc, test_track);
	tcase_add_loop_test(tc, test_onscene_overrun, 0,
	    (int)(sizeof onscenes / sizeof onscenes[0]));
	tcase_add_loop_test(tc, test_callback, 0, (int)(sizeof callbacks / sizeof callbacks[0]));
	tcase_add_loop_test(tc, test_capacity, 0,
	    (int)(sizeof capacities / sizeof capacities[0]));
	tcase_add_test(tc, test_capacity_sequence);
	tcase_add_loop_test(tc, test_next_deadline, 0,
	    (int)(sizeof deadlines / sizeof deadlines[0]));
	tcase_add_test(tc, test_next_deadline_grid);
	suite_add_tcase(s, tc);

	tc = tcase_create("classify");
	tcase_add_loop_test(tc, test_classify_agrees_with_rules, 0,
	    (int)(sizeof rules / sizeof rules[0]));
	tcase_add_test(tc, test_classify_grid);
	tcase_add_test(tc, test_classify_example);
	suite_add_tcase(s, tc);

	tc = tcase_create("kinds");
	tcase_add_test(tc, test_kind_tables);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(monitor_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
