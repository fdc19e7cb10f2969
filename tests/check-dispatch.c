/* check-dispatch.c: the ranking of src/model/dispatch.h on hand-made fleets (capability matching,
 * preference, a truck finishing a job nearby against a far idle one, stale GPS, rotation,
 * quality and load, the why line, the ETA model) and, as properties on random fleets, the
 * same answer as scoring every truck (dispatch_rank_brute). */
#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dispatch.h"
#include "rng.h"
#include "util.h"

/* 2025-01-01 04:00 UTC: 12:00 in China, off peak. */
#define NOW 1735704000000LL
#define MIN_MS 60000LL
#define CALL_LAT 28.1960
#define CALL_LON 112.9768

static const struct geo_point call_pt = { CALL_LAT, CALL_LON };

/* ---------------------------------------------------------------- rules and a fleet */

/* A region like a city: detour 1.4; 30 km/h (20 in rush hours, 80 on expressways). */
static struct data_region region = {
	.id = "test", .detour = 1.4, .speed_peak_kmh = 20, .speed_kmh = 30,
	.speed_expressway_kmh = 80,
};

/* The built-in capability table; battery prefers a van, tows prefer a flatbed; 20 min on
 * scene; tows end with a tow; GPS stale after 45 s. */
static void
rules_make(struct dispatch_rules *r)
{
	struct data d;

	memset(&d, 0, sizeof d);
	for (int f = 0; f < FAULT_COUNT; f++) {
		d.faults[f].kinds = ticket_fault_kinds((enum ticket_fault)f);
		d.faults[f].prefer = -1;
		d.faults[f].onscene_min = 20;
	}
	d.faults[FAULT_BATTERY].prefer = TRUCK_KIND_VAN;
	d.faults[FAULT_MECHANICAL_TOW].prefer = TRUCK_KIND_FLATBED;
	d.faults[FAULT_MECHANICAL_TOW].tow = 1;
	d.faults[FAULT_ACCIDENT_TOW].tow = 1;
	d.sla.gps_stale_s = 45;
	data_dispatch_default(&d.dispatch);
	dispatch_rules_init(r, &d);
}

struct tfleet {
	struct dispatch_rules rules;
	struct dispatch_truck *t;
	char (*ids)[16];
	uint32_t n, cap;
	struct dispatch_supplier sup[4];
	struct geo_index *gi;
	struct dispatch_fleet f;
};

static bool
tget(const void *ctx, uint32_t id, struct dispatch_truck *out)
{
	const struct tfleet *F = ctx;
	if (id >= F->n)
		return false;
	*out = F->t[id];
	return true;
}

static void
fleet_init(struct tfleet *F, uint32_t cap)
{
	memset(F, 0, sizeof *F);
	rules_make(&F->rules);
	F->cap = cap;
	F->t = xcalloc(cap, sizeof *F->t);
	F->ids = xcalloc(cap, sizeof *F->ids);
	F->gi = geo_index_create(0.02);
	for (int i = 0; i < 4; i++) {
		F->sup[i].id = i == 0 ? "s0" : i == 1 ? "s1" : i == 2 ? "s2" : "s3";
		F->sup[i].quality = 0.9;
	}
	F->f = (struct dispatch_fleet){ .geo = F->gi, .get = tget, .ctx = F, .suppliers = F->sup,
		.n_suppliers = 4 };
}

static void
fleet_finish(struct tfleet *F)
{
	geo_index_destroy(F->gi);
	free(F->t);
	free(F->ids);
}

/* Put truck id back in the index after changing it. */
static void
reindex(struct tfleet *F, uint32_t id)
{
	struct dispatch_truck *k = &F->t[id];
	geo_index_put(F->gi, id, k->pos, dispatch_mask(&F->rules, k->kind, k->status));
}

/* A truck dist_km from the call at bearing deg, fix 10 s old, no supplier. */
static uint32_t
add(struct tfleet *F, enum truck_kind kind, enum truck_status st, double dist_km, double deg)
{
	uint32_t id = F->n++;
	struct dispatch_truck *k = &F->t[id];

	ck_assert_uint_lt(id, F->cap);
	snprintf(F->ids[id], sizeof F->ids[id], "T%u", id);
	memset(k, 0, sizeof *k);
	k->id = F->ids[id];
	k->supplier = -1;
	k->kind = kind;
	k->status = st;
	k->placed = true;
	k->pos = geo_destination(call_pt, deg, dist_km * 1000.0);
	k->fix_ts = NOW - 10000;
	k->job_fault = -1;
	F->f.n_ids = F->n;
	reindex(F, id);
	return id;
}

static struct dispatch_query
query(enum ticket_fault f)
{
	return (struct dispatch_query){
		.ticket = { .pos = call_pt, .fault = f, .flags = 0, .region = &region },
		.now = NOW,
	};
}

/* Rank with the index and check the brute force agrees; returns how many. */
static size_t
rank(struct tfleet *F, const struct dispatch_query *q, size_t k, struct dispatch_candidate *out)
{
	struct dispatch_candidate ref[DISPATCH_K_MAX];
	struct dispatch_stats st;
	size_t n = dispatch_rank(&F->rules, &dispatch_eta_builtin, &F->f, q, k, out, &st);
	size_t m = dispatch_rank_brute(&F->rules, &dispatch_eta_builtin, &F->f, q, k, ref);

	ck_assert(!st.capped);
	ck_assert_uint_eq(n, m);
	for (size_t i = 0; i < n; i++) {
		ck_assert_uint_eq(out[i].id, ref[i].id);
		ck_assert(out[i].score == ref[i].score);
	}
	return n;
}

/* Travel time of the test region off peak for a straight line of km. */
static int64_t
travel_of(double km)
{
	return (int64_t)(km * 1000 * 1.4 / (30 / 3.6) * 1000.0);
}

/* ---------------------------------------------------------------- the ETA model */

START_TEST(test_speed_by_hour)
{
	static const struct {
		int utc_hour;      /* China is 8 hours ahead */
		bool expressway;
		double kmh;
	} cases[] = {
		{ 22, false, 30 },  /* 06:00 */
		{ 23, false, 20 },  /* 07:00 peak */
		{ 0, false, 20 },   /* 08:00 peak */
		{ 1, false, 30 },   /* 09:00 */
		{ 9, false, 20 },   /* 17:00 peak */
		{ 10, false, 20 },  /* 18:59 */
		{ 11, false, 30 },  /* 19:00 */
		{ 0, true, 80 },    /* the expressway is never slow */
	};
	int64_t midnight_utc = 1735689600000LL; /* 2025-01-01 00:00 UTC */

	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		int64_t t = midnight_utc + cases[i].utc_hour * 3600000LL +
		    (cases[i].utc_hour == 10 ? 59 * MIN_MS : 0);
		ck_assert_msg(dispatch_speed_kmh(&region, t, cases[i].expressway) == cases[i].kmh,
		    "case %zu: %f", i, dispatch_speed_kmh(&region, t, cases[i].expressway));
	}
	ck_assert(dispatch_speed_kmh(NULL, NOW, false) == 30);
}
END_TEST

START_TEST(test_leg_and_day)
{
	struct dispatch_ticket t = { .pos = call_pt, .fault = FAULT_BATTERY, .region = &region };

	/* 10 km x 1.4 at 30 km/h = 28 min */
	ck_assert_int_eq(dispatch_leg_ms(&t, 10000, NOW), 28 * MIN_MS);
	t.flags = TICKET_FLAG_EXPRESSWAY;
	/* 10 km x 1.4 at 80 km/h = 10.5 min */
	ck_assert_int_eq(dispatch_leg_ms(&t, 10000, NOW), 630000);
	ck_assert_int_eq(dispatch_leg_ms(&t, 0, NOW), 0);
	t.region = NULL; /* 1.4 and 30 km/h */
	ck_assert_int_eq(dispatch_leg_ms(&t, 10000, NOW), 28 * MIN_MS);
	/* the China day turns at 16:00 UTC */
	int64_t midnight_utc = 1735689600000LL;
	ck_assert_int_eq(dispatch_day(midnight_utc + 16 * 3600000LL - 1) + 1,
	    dispatch_day(midnight_utc + 16 * 3600000LL));
	ck_assert_int_eq(dispatch_day(midnight_utc), dispatch_day(midnight_utc + 15 * 3600000LL));
	ck_assert_int_eq(dispatch_day(-8 * 3600000LL - 1), -1);
	ck_assert_int_eq(dispatch_day(-8 * 3600000LL), 0);
	ck_assert_int_eq(dispatch_day(-1), 0);
}
END_TEST

START_TEST(test_mask)
{
	struct dispatch_rules r;
	rules_make(&r);
	uint32_t m = dispatch_mask(&r, TRUCK_KIND_VAN, TRUCK_AVAILABLE);
	ck_assert(m & DISPATCH_MASK_POOL);
	ck_assert(m & DISPATCH_MASK_AVAILABLE);
	ck_assert(m & DISPATCH_MASK_FAULT(FAULT_BATTERY));
	ck_assert(!(m & DISPATCH_MASK_FAULT(FAULT_WINCH)));
	m = dispatch_mask(&r, TRUCK_KIND_HEAVY, TRUCK_ON_SCENE);
	ck_assert(m & DISPATCH_MASK_POOL);
	ck_assert(!(m & DISPATCH_MASK_AVAILABLE));
	ck_assert(m & DISPATCH_MASK_FAULT(FAULT_WINCH));
	ck_assert(dispatch_mask(&r, TRUCK_KIND_FLATBED, TRUCK_TOWING) & DISPATCH_MASK_POOL);
	static const enum truck_status out[] = { TRUCK_OFFERED, TRUCK_ASSIGNED, TRUCK_EN_ROUTE,
		TRUCK_OFF_DUTY };
	for (size_t i = 0; i < ARRAY_LEN(out); i++)
		ck_assert(!(dispatch_mask(&r, TRUCK_KIND_VAN, out[i]) &
		    (DISPATCH_MASK_POOL | DISPATCH_MASK_AVAILABLE)));
}
END_TEST

/* ---------------------------------------------------------------- capability */

/* One truck of each kind at the same place, each fault: exactly the able kinds come back. */
START_TEST(test_capability)
{
	struct tfleet F;
	struct dispatch_candidate c[DISPATCH_K_MAX];
	enum ticket_fault f = (enum ticket_fault)_i;

	fleet_init(&F, 16);
	for (int k = 0; k < TRUCK_KIND_COUNT; k++)
		add(&F, (enum truck_kind)k, TRUCK_AVAILABLE, 2.0, 45);
	/* busy and off-duty trucks, nearer, never show up */
	add(&F, TRUCK_KIND_HEAVY, TRUCK_EN_ROUTE, 0.5, 0);
	add(&F, TRUCK_KIND_VAN, TRUCK_OFFERED, 0.5, 0);
	add(&F, TRUCK_KIND_FLATBED, TRUCK_OFF_DUTY, 0.5, 0);
	add(&F, TRUCK_KIND_WHEEL_LIFT, TRUCK_ASSIGNED, 0.5, 0);
	struct dispatch_query q = query(f);
	size_t n = rank(&F, &q, DISPATCH_K_MAX, c);
	uint32_t seen = 0;
	for (size_t i = 0; i < n; i++) {
		ck_assert_int_eq(c[i].status, TRUCK_AVAILABLE);
		seen |= 1u << c[i].kind;
	}
	ck_assert_uint_eq(seen, ticket_fault_kinds(f));
	ck_assert_uint_eq(n, (size_t)__builtin_popcount(ticket_fault_kinds(f)));
	fleet_finish(&F);
}
END_TEST

/* Trucks beyond 300 km, without a fix, or declined are left out. */
START_TEST(test_exclusions)
{
	struct tfleet F;
	struct dispatch_candidate c[DISPATCH_K_MAX];

	fleet_init(&F, 8);
	uint32_t far = add(&F, TRUCK_KIND_VAN, TRUCK_AVAILABLE, 301, 90);
	uint32_t ok = add(&F, TRUCK_KIND_VAN, TRUCK_AVAILABLE, 299, 90);
	uint32_t near = add(&F, TRUCK_KIND_VAN, TRUCK_AVAILABLE, 1, 90);
	uint32_t nofix = add(&F, TRUCK_KIND_VAN, TRUCK_AVAILABLE, 0.5, 90);
	F.t[nofix].placed = false;
	struct dispatch_query q = query(FAULT_BATTERY);
	size_t n = rank(&F, &q, 5, c);
	ck_assert_uint_eq(n, 2);
	ck_assert_uint_eq(c[0].id, near);
	ck_assert_uint_eq(c[1].id, ok);
	(void)far;
	q.skip = &near;
	q.n_skip = 1;
	n = rank(&F, &q, 5, c);
	ck_assert_uint_eq(n, 1);
	ck_assert_uint_eq(c[0].id, ok);
	/* k beyond the limit is clamped, 0 gives nothing */
	ck_assert_uint_eq(dispatch_rank(&F.rules, &dispatch_eta_builtin, &F.f, &q, 0, c, NULL), 0);
	fleet_finish(&F);
}
END_TEST

/* ---------------------------------------------------------------- preference */

START_TEST(test_preference)
{
	struct tfleet F;
	struct dispatch_candidate c[4];
	char why[256];

	fleet_init(&F, 8);
	/* a van 3 km away (8.4 min) before a flatbed 1 km away (2.8 min + 10) */
	uint32_t van = add(&F, TRUCK_KIND_VAN, TRUCK_AVAILABLE, 3, 0);
	uint32_t flat = add(&F, TRUCK_KIND_FLATBED, TRUCK_AVAILABLE, 1, 180);
	struct dispatch_query q = query(FAULT_BATTERY);
	ck_assert_uint_eq(rank(&F, &q, 4, c), 2);
	ck_assert_uint_eq(c[0].id, van);
	ck_assert_uint_eq(c[1].id, flat);
	ck_assert(fabs((c[1].score - c[0].score) - (600 - (c[0].travel_ms - c[1].travel_ms) / 1000.0))
	    < 1e-6);
	dispatch_why(&c[0], why, sizeof why);
	ck_assert_msg(strstr(why, "van preferred") != NULL, "%s", why);
	dispatch_why(&c[1], why, sizeof why);
	ck_assert_msg(strstr(why, "flatbed, van preferred") != NULL, "%s", why);

	/* but not a van 6 km away (16.8 min) */
	F.t[van].pos = geo_destination(call_pt, 0, 6000);
	reindex(&F, van);
	ck_assert_uint_eq(rank(&F, &q, 4, c), 2);
	ck_assert_uint_eq(c[0].id, flat);

	/* with the preference by load: 60 s when the flatbed's supplier is idle, so the
	 * flatbed 1 km away beats the van 3 km away; 60 + 600 x 0.5 when half its trucks are
	 * busy, so the van wins */
	F.t[van].pos = geo_destination(call_pt, 0, 3000);
	reindex(&F, van);
	F.t[flat].supplier = 1;
	F.sup[1].trucks = 4;
	F.rules.tune.pref_s = 60;
	F.rules.tune.pref_load_s = 600;
	ck_assert_uint_eq(rank(&F, &q, 4, c), 2);
	ck_assert_uint_eq(c[0].id, flat);
	F.sup[1].busy = 2;
	ck_assert_uint_eq(rank(&F, &q, 4, c), 2);
	ck_assert_uint_eq(c[0].id, van);
	ck_assert(fabs((c[1].score - c[1].travel_ms / 1000.0) - (60 + 300 + 0.5 * 300 +
	    (1 - 0.9) * 600)) < 1e-6);

	/* a tyre has no preference: the nearest */
	q.ticket.fault = FAULT_TYRE;
	ck_assert_uint_eq(rank(&F, &q, 4, c), 2);
	ck_assert_uint_eq(c[0].id, flat);
	dispatch_why(&c[0], why, sizeof why);
	ck_assert_msg(strstr(why, "preferred") == NULL, "%s", why);
	fleet_finish(&F);
}
END_TEST

/* ---------------------------------------------------------------- finishing a job */

START_TEST(test_finishing_beats_far_idle)
{
	struct tfleet F;
	struct dispatch_candidate c[4];
	char why[256];

	fleet_init(&F, 8);
	/* on scene 1 km away, 15 of its 20 minutes done: free in 5 min, here 2.8 min later */
	uint32_t busy = add(&F, TRUCK_KIND_VAN, TRUCK_ON_SCENE, 1, 0);
	F.t[busy].job_fault = FAULT_BATTERY;
	F.t[busy].job_since = NOW - 15 * MIN_MS;
	/* idle, 5 km away: 14 min */
	uint32_t idle = add(&F, TRUCK_KIND_VAN, TRUCK_AVAILABLE, 5, 180);
	struct dispatch_query q = query(FAULT_BATTERY);
	ck_assert_uint_eq(rank(&F, &q, 4, c), 2);
	ck_assert_uint_eq(c[0].id, busy);
	ck_assert_int_eq(c[0].status, TRUCK_ON_SCENE);
	ck_assert_int_eq(c[0].job_ms, 5 * MIN_MS);
	ck_assert_int_eq(c[0].travel_ms, travel_of(1));
	ck_assert_uint_eq(c[1].id, idle);
	ck_assert_int_eq(c[1].job_ms, 0);
	dispatch_why(&c[0], why, sizeof why);
	ck_assert_msg(strncmp(why, "on scene, free in ~5 min \xc2\xb7 1.0 km \xc2\xb7 ETA 8 min",
	    strlen("on scene, free in ~5 min \xc2\xb7 1.0 km \xc2\xb7 ETA 8 min")) == 0, "%s", why);

	/* only free trucks when asked */
	q.available_only = true;
	ck_assert_uint_eq(rank(&F, &q, 4, c), 1);
	ck_assert_uint_eq(c[0].id, idle);
	q.available_only = false;

	/* a job that just began (20 min left) loses to the idle truck 5 km away */
	F.t[busy].job_since = NOW - 1 * MIN_MS;
	ck_assert_uint_eq(rank(&F, &q, 4, c), 2);
	ck_assert_uint_eq(c[0].id, idle);
	ck_assert_int_eq(c[1].job_ms, 19 * MIN_MS);

	/* a job 10 min over its time: 2 min, plus half the overrun */
	F.t[busy].job_since = NOW - 30 * MIN_MS;
	ck_assert_uint_eq(rank(&F, &q, 4, c), 2);
	ck_assert_uint_eq(c[0].id, busy);
	ck_assert_int_eq(c[0].job_ms, 2 * MIN_MS + 5 * MIN_MS);
	/* never less than 2 min left */
	F.t[busy].job_since = NOW - 19 * MIN_MS;
	ck_assert_uint_eq(rank(&F, &q, 4, c), 2);
	ck_assert_int_eq(c[0].job_ms, 2 * MIN_MS);

	/* a tow job on scene adds the tow leg (10 km x 1.4 at 30 km/h = 28 min) */
	F.t[busy].job_fault = FAULT_MECHANICAL_TOW;
	F.t[busy].job_since = NOW - 5 * MIN_MS;
	ck_assert_uint_eq(rank(&F, &q, 4, c), 2);
	ck_assert_uint_eq(c[1].id, busy);
	ck_assert_int_eq(c[1].job_ms, 15 * MIN_MS + 28 * MIN_MS);
	/* towing for 20 of its 28 min */
	F.t[busy].status = TRUCK_TOWING;
	F.t[busy].job_since = NOW - 20 * MIN_MS;
	reindex(&F, busy);
	ck_assert_uint_eq(rank(&F, &q, 4, c), 2);
	ck_assert_uint_eq(c[0].id, busy);
	ck_assert_int_eq(c[0].job_ms, 8 * MIN_MS);
	dispatch_why(&c[0], why, sizeof why);
	ck_assert_msg(strncmp(why, "towing, free in ~8 min", 22) == 0, "%s", why);
	fleet_finish(&F);
}
END_TEST

/* Chaining (pre-assignment): which finishing truck is offered a call for after its job,
 * and a truck that already has its next job is no candidate. */
START_TEST(test_chain)
{
	static const struct {
		enum truck_status st;
		int fault;               /* its job's */
		int done_min;            /* minutes of the job done */
		int chain_s;
		bool ok;
	} rows[] = {
		{ TRUCK_ON_SCENE, FAULT_BATTERY, 15, 600, true },   /* 5 min left */
		{ TRUCK_ON_SCENE, FAULT_BATTERY, 15, 300, true },   /* exactly the window */
		{ TRUCK_ON_SCENE, FAULT_BATTERY, 15, 299, false },
		{ TRUCK_ON_SCENE, FAULT_BATTERY, 5, 600, false },   /* 15 min left */
		{ TRUCK_ON_SCENE, FAULT_BATTERY, 15, 0, false },    /* chaining off */
		{ TRUCK_ON_SCENE, FAULT_BATTERY, 25, 600, true },   /* overran 5 min: 2.5 + 2 */
		{ TRUCK_ON_SCENE, FAULT_BATTERY, 40, 600, false },  /* overran 20: 10 + 2 */
		{ TRUCK_ON_SCENE, FAULT_MECHANICAL_TOW, 19, 86400, false }, /* ends at a garage */
		{ TRUCK_TOWING, FAULT_MECHANICAL_TOW, 27, 86400, false },
		{ TRUCK_AVAILABLE, -1, 0, 600, false },             /* offered anyway, not chained */
	};
	struct tfleet F;
	struct dispatch_candidate c[4];

	for (size_t i = 0; i < ARRAY_LEN(rows); i++) {
		fleet_init(&F, 4);
		F.rules.tune.chain_s = rows[i].chain_s;
		uint32_t id = add(&F, rows[i].fault == FAULT_BATTERY ? TRUCK_KIND_VAN :
		    TRUCK_KIND_FLATBED, rows[i].st, 1, 0);
		F.t[id].job_fault = rows[i].fault;
		F.t[id].job_since = rows[i].st == TRUCK_AVAILABLE ? 0 :
		    NOW - rows[i].done_min * MIN_MS;
		struct dispatch_query q = query(FAULT_BATTERY);
		ck_assert_uint_eq(rank(&F, &q, 4, c), 1);
		ck_assert_msg(dispatch_chain_ok(&F.rules, &c[0]) == rows[i].ok, "row %zu", i);
		ck_assert(c[0].job_tow == (rows[i].fault == FAULT_MECHANICAL_TOW));
		ck_assert_int_eq(dispatch_job_ms(&F.rules, &F.t[id], &q.ticket, NOW), c[0].job_ms);
		fleet_finish(&F);
	}

	/* the finishing truck ranks by its time left plus the trip from its scene; once it has
	 * its next job it is nobody's candidate, and the far idle truck is the best */
	fleet_init(&F, 4);
	F.rules.tune.chain_s = 600;
	uint32_t busy = add(&F, TRUCK_KIND_VAN, TRUCK_ON_SCENE, 1, 0);
	F.t[busy].job_fault = FAULT_BATTERY;
	F.t[busy].job_since = NOW - 15 * MIN_MS;
	uint32_t idle = add(&F, TRUCK_KIND_VAN, TRUCK_AVAILABLE, 8, 180);
	struct dispatch_query q = query(FAULT_BATTERY);
	ck_assert_uint_eq(rank(&F, &q, 4, c), 2);
	ck_assert_uint_eq(c[0].id, busy);
	ck_assert_int_eq(c[0].job_ms + c[0].travel_ms, 5 * MIN_MS + travel_of(1));
	ck_assert(dispatch_chain_ok(&F.rules, &c[0]));
	F.t[busy].chained = true;
	ck_assert_uint_eq(rank(&F, &q, 4, c), 1);
	ck_assert_uint_eq(c[0].id, idle);
	ck_assert_int_eq(dispatch_job_ms(&F.rules, &F.t[idle], &q.ticket, NOW), 0);
	fleet_finish(&F);
}
END_TEST

/* ---------------------------------------------------------------- stale GPS */

START_TEST(test_stale)
{
	struct tfleet F;
	struct dispatch_candidate c[4];
	char why[256];

	fleet_init(&F, 8);
	uint32_t fresh = add(&F, TRUCK_KIND_VAN, TRUCK_AVAILABLE, 2, 0);
	uint32_t stale = add(&F, TRUCK_KIND_VAN, TRUCK_AVAILABLE, 2, 180);
	uint32_t lost = add(&F, TRUCK_KIND_VAN, TRUCK_AVAILABLE, 0.2, 90);
	F.t[stale].fix_ts = NOW - 46000;        /* past gps_stale_s (45 s) */
	F.t[lost].fix_ts = NOW - 451000;        /* past 10 x gps_stale_s */
	struct dispatch_query q = query(FAULT_BATTERY);
	ck_assert_uint_eq(rank(&F, &q, 4, c), 2);
	ck_assert_uint_eq(c[0].id, fresh);
	ck_assert(!c[0].stale);
	ck_assert_str_eq(c[0].eta_src, "model");
	ck_assert_uint_eq(c[1].id, stale);
	ck_assert(c[1].stale);
	ck_assert_str_eq(c[1].eta_src, "stale");
	ck_assert(fabs(c[1].score - c[0].score - 60 - (c[1].travel_ms - c[0].travel_ms) / 1000.0) <
	    1e-6);
	ck_assert_int_eq(c[1].gps_age_ms, 46000);
	dispatch_why(&c[1], why, sizeof why);
	ck_assert_msg(strstr(why, "ETA 6 min (stale) \xc2\xb7 GPS 46 s (stale)") != NULL, "%s", why);
	/* exactly at the limit it is still in; a fix from the future counts as new */
	F.t[lost].fix_ts = NOW - 450000;
	ck_assert_uint_eq(rank(&F, &q, 4, c), 3);
	ck_assert_uint_eq(c[0].id, lost);
	F.t[lost].fix_ts = NOW + 60000;
	ck_assert_uint_eq(rank(&F, &q, 4, c), 3);
	ck_assert_int_eq(c[0].gps_age_ms, 0);
	ck_assert(!c[0].stale);
	fleet_finish(&F);
}
END_TEST

/* stale_after_s: a fix older than gps_stale_s is marked stale, but costs stale_s only once
 * it is older than stale_after_s too (idle trucks report every two minutes). */
START_TEST(test_stale_after)
{
	struct tfleet F;
	struct dispatch_candidate c[4];

	fleet_init(&F, 8);
	F.rules.tune.stale_after_s = 180;
	uint32_t near = add(&F, TRUCK_KIND_VAN, TRUCK_AVAILABLE, 2, 0);
	uint32_t far = add(&F, TRUCK_KIND_VAN, TRUCK_AVAILABLE, 2.1, 180);
	F.t[near].fix_ts = NOW - 120000;        /* stale, but not past stale_after_s */
	struct dispatch_query q = query(FAULT_BATTERY);
	ck_assert_uint_eq(rank(&F, &q, 4, c), 2);
	ck_assert_uint_eq(c[0].id, near);
	ck_assert(c[0].stale);
	ck_assert_str_eq(c[0].eta_src, "stale");
	ck_assert(fabs((c[0].score - c[0].travel_ms / 1000.0) -
	    (c[1].score - c[1].travel_ms / 1000.0)) < 1e-6);
	F.t[near].fix_ts = NOW - 181000;        /* past it: 60 s more, the other truck wins */
	ck_assert_uint_eq(rank(&F, &q, 4, c), 2);
	ck_assert_uint_eq(c[0].id, far);
	ck_assert(fabs((c[1].score - c[1].travel_ms / 1000.0) -
	    (c[0].score - c[0].travel_ms / 1000.0) - 60) < 1e-6);
	fleet_finish(&F);
}
END_TEST

/* busy_s and busy_factor: a truck still on a job scores busy_s + busy_factor x the time
 * until it is free on top of its travel; an available one is not touched. */
START_TEST(test_busy_margin)
{
	struct tfleet F;
	struct dispatch_candidate c[4];

	fleet_init(&F, 8);
	/* on scene 1 km away, free in 5 min; idle 3 km away */
	uint32_t busy = add(&F, TRUCK_KIND_VAN, TRUCK_ON_SCENE, 1, 0);
	F.t[busy].job_fault = FAULT_BATTERY;
	F.t[busy].job_since = NOW - 15 * MIN_MS;
	uint32_t idle = add(&F, TRUCK_KIND_VAN, TRUCK_AVAILABLE, 3, 180);
	struct dispatch_query q = query(FAULT_BATTERY);
	/* 2.8 + 5 min against 8.4 min: the finishing truck */
	ck_assert_uint_eq(rank(&F, &q, 4, c), 2);
	ck_assert_uint_eq(c[0].id, busy);
	double base = c[0].score, idle_score = c[1].score;
	/* 5 min x 1.5 + 60 s = 8.5 min on top of the travel: the idle truck */
	F.rules.tune.busy_factor = 1.5;
	F.rules.tune.busy_s = 60;
	ck_assert_uint_eq(rank(&F, &q, 4, c), 2);
	ck_assert_uint_eq(c[0].id, idle);
	ck_assert(c[0].score == idle_score);
	ck_assert(fabs(c[1].score - base - 2.5 * 60 - 60) < 1e-6);
	ck_assert_int_eq(c[1].job_ms, 5 * MIN_MS); /* the estimate itself is unchanged */
	fleet_finish(&F);
}
END_TEST

/* The weights come from the data: dispatch_rules_init copies struct data_dispatch, and the
 * built-in tuning is data_dispatch_default's. */
START_TEST(test_tuning_from_data)
{
	struct data_dispatch w;
	struct dispatch_tuning t, d;

	data_dispatch_default(&w);
	dispatch_tuning_default(&d);
	dispatch_tuning_from(&t, &w);
	ck_assert(t.shortlist == d.shortlist && t.widen_max == d.widen_max &&
	    t.max_m == d.max_m && t.max_age_factor == d.max_age_factor && t.pref_s == d.pref_s &&
	    t.pref_load_s == d.pref_load_s &&
	    t.quality_s == d.quality_s && t.quality_unknown == d.quality_unknown &&
	    t.load_s == d.load_s && t.rot_offer_s == d.rot_offer_s &&
	    t.rot_offer_cap == d.rot_offer_cap && t.rot_recent_s == d.rot_recent_s &&
	    t.rot_recent_min == d.rot_recent_min && t.rot_supplier_s == d.rot_supplier_s &&
	    t.rot_supplier_cap == d.rot_supplier_cap && t.stale_s == d.stale_s &&
	    t.stale_after_s == d.stale_after_s && t.busy_s == d.busy_s &&
	    t.busy_factor == d.busy_factor && t.tow_leg_km == d.tow_leg_km &&
	    t.job_min_s == d.job_min_s && t.redispatch_gain_s == d.redispatch_gain_s);
	ck_assert(d.pref_s == 600 && d.quality_s == 600 && d.load_s == 300 && d.stale_s == 60);
	ck_assert_uint_eq(d.shortlist, 12);
	ck_assert(d.max_m == 300000.0);
	ck_assert(d.busy_factor == 1 && d.busy_s == 0 && d.stale_after_s == 0);
	w.quality_s = 120;
	w.max_km = 50;
	w.busy_factor = 1.25;
	dispatch_tuning_from(&t, &w);
	ck_assert(t.quality_s == 120 && t.max_m == 50000.0 && t.busy_factor == 1.25);
}
END_TEST

/* ---------------------------------------------------------------- rotation */

START_TEST(test_rotation)
{
	struct tfleet F;
	struct dispatch_candidate c[4];

	fleet_init(&F, 8);
	uint32_t a = add(&F, TRUCK_KIND_VAN, TRUCK_AVAILABLE, 2, 0);
	uint32_t b = add(&F, TRUCK_KIND_VAN, TRUCK_AVAILABLE, 2, 0);
	struct dispatch_query q = query(FAULT_BATTERY);

	/* all equal: the lower id */
	ck_assert_uint_eq(rank(&F, &q, 4, c), 2);
	ck_assert_uint_eq(c[0].id, a);
	ck_assert(c[0].score == c[1].score);
	/* a had an offer today: b first, by rot_offer_s */
	F.t[a].offers_today = 1;
	ck_assert_uint_eq(rank(&F, &q, 4, c), 2);
	ck_assert_uint_eq(c[0].id, b);
	ck_assert(fabs(c[1].score - c[0].score - 20) < 1e-6);
	/* ... counted up to 10 */
	F.t[a].offers_today = 50;
	ck_assert_uint_eq(rank(&F, &q, 4, c), 2);
	ck_assert(fabs(c[1].score - c[0].score - 200) < 1e-6);
	/* same count, a's last offer two hours ago, b's never: b (the older) first */
	F.t[a].offers_today = F.t[b].offers_today = 2;
	F.t[a].last_offer = NOW - 120 * MIN_MS;
	ck_assert_uint_eq(rank(&F, &q, 4, c), 2);
	ck_assert(c[0].score == c[1].score);
	ck_assert_uint_eq(c[0].id, b);
	/* an offer 6 minutes ago weighs 60 x (1 - 6/30) = 48 s */
	F.t[b].last_offer = NOW - 6 * MIN_MS;
	ck_assert_uint_eq(rank(&F, &q, 4, c), 2);
	ck_assert_uint_eq(c[0].id, a);
	ck_assert(fabs(c[1].score - c[0].score - 48) < 1e-6);
	/* the supplier's offers per truck today: 3 x 60 s */
	F.t[b].last_offer = F.t[a].last_offer;
	F.t[a].supplier = 0;
	F.t[b].supplier = 1;
	F.sup[0].trucks = F.sup[1].trucks = 2;
	F.sup[0].offers_today = 6;
	ck_assert_uint_eq(rank(&F, &q, 4, c), 2);
	ck_assert_uint_eq(c[0].id, b);
	ck_assert(fabs(c[1].score - c[0].score - 180) < 1e-6);
	fleet_finish(&F);
}
END_TEST

START_TEST(test_quality_and_load)
{
	struct tfleet F;
	struct dispatch_candidate c[4];

	fleet_init(&F, 8);
	uint32_t poor = add(&F, TRUCK_KIND_VAN, TRUCK_AVAILABLE, 1.0, 0);
	uint32_t good = add(&F, TRUCK_KIND_VAN, TRUCK_AVAILABLE, 1.5, 0);
	F.t[poor].supplier = 0;
	F.t[good].supplier = 1;
	F.sup[0].quality = 0.6;  /* +240 s */
	F.sup[1].quality = 0.95; /* +30 s */
	F.sup[0].trucks = F.sup[1].trucks = 10;
	struct dispatch_query q = query(FAULT_BATTERY);
	ck_assert_uint_eq(rank(&F, &q, 4, c), 2);
	ck_assert_uint_eq(c[0].id, good);
	ck_assert(fabs(c[0].quality - 0.95) < 1e-12);
	/* the good supplier is busy: 9 of 10 trucks, +270 s */
	F.sup[1].busy = 9;
	ck_assert_uint_eq(rank(&F, &q, 4, c), 2);
	ck_assert_uint_eq(c[0].id, poor);
	ck_assert(fabs(c[1].load - 0.9) < 1e-12);
	/* a truck without a known supplier counts as quality 0.8 */
	F.t[poor].supplier = -1;
	ck_assert_uint_eq(rank(&F, &q, 4, c), 2);
	ck_assert_uint_eq(c[0].id, poor);
	ck_assert(fabs(c[0].quality - 0.8) < 1e-12);
	fleet_finish(&F);
}
END_TEST

/* ---------------------------------------------------------------- why */

START_TEST(test_why)
{
	struct dispatch_candidate c = {
		.truck = "HN-A-001", .kind = TRUCK_KIND_VAN, .status = TRUCK_AVAILABLE,
		.dist_m = 4200, .travel_ms = 11 * MIN_MS + 1, .gps_age_ms = 20500, .eta_src = "model",
		.prefer = TRUCK_KIND_VAN, .quality = 0.92, .load = 0.3, .offers_today = 3,
	};
	char buf[256];
	const char *want = "4.2 km \xc2\xb7 ETA 12 min (model) \xc2\xb7 GPS 20 s \xc2\xb7 van preferred \xc2\xb7"
	    " load 30% \xc2\xb7 quality 0.92 \xc2\xb7 3 offers today";

	ck_assert_uint_eq(dispatch_why(&c, buf, sizeof buf), strlen(want));
	ck_assert_str_eq(buf, want);
	c.offers_today = 1;
	c.gps_age_ms = 185000;
	c.prefer = -1;
	dispatch_why(&c, buf, sizeof buf);
	ck_assert_msg(strstr(buf, "GPS 3 min \xc2\xb7 van \xc2\xb7") != NULL, "%s", buf);
	ck_assert_msg(strstr(buf, "1 offer today") != NULL, "%s", buf);
	/* cut short on a character boundary: never half a middle dot */
	size_t full = strlen(buf);
	for (size_t n = 1; n <= full; n++) {
		char small[256];
		ck_assert_uint_eq(dispatch_why(&c, small, n), full);
		size_t got = strlen(small);
		ck_assert_uint_lt(got, n);
		ck_assert(strncmp(small, buf, got) == 0);
		ck_assert_uint_ge(got + 2, n - 1);
		for (size_t i = 0; i < got; i++)
			if ((unsigned char)small[i] == 0xc2)
				ck_assert_msg(i + 1 < got && (unsigned char)small[i + 1] == 0xb7,
				    "n=%zu: half a middle dot", n);
	}
	ck_assert_uint_gt(dispatch_why(&c, NULL, 0), 0);
}
END_TEST

/* ---------------------------------------------------------------- properties */

/* A random fleet of n trucks around the call (a few far away), random suppliers, as seen
 * at time t0. */
static void
random_fleet(struct tfleet *F, struct rng *r, uint32_t n, int64_t t0)
{
	static const enum truck_status sts[] = { TRUCK_AVAILABLE, TRUCK_AVAILABLE,
		TRUCK_AVAILABLE, TRUCK_ON_SCENE, TRUCK_TOWING, TRUCK_OFFERED, TRUCK_EN_ROUTE,
		TRUCK_OFF_DUTY };
	for (int i = 0; i < 4; i++) {
		F->sup[i].quality = rng_uniform(r);
		F->sup[i].trucks = (int)rng_below(r, 20);
		F->sup[i].busy = F->sup[i].trucks ? (int)rng_below(r, (uint32_t)F->sup[i].trucks + 1) : 0;
		F->sup[i].offers_today = (int)rng_below(r, 40);
	}
	for (uint32_t i = 0; i < n; i++) {
		double km = rng_below(r, 20) == 0 ? 100 + rng_uniform(r) * 300 : rng_uniform(r) * 40;
		/* a few share a spot, to exercise ties */
		if (i > 0 && rng_below(r, 10) == 0)
			km = 7.5;
		uint32_t id = add(F, (enum truck_kind)rng_below(r, TRUCK_KIND_COUNT),
		    sts[rng_below(r, ARRAY_LEN(sts))], km, km == 7.5 ? 33 : rng_uniform(r) * 360);
		struct dispatch_truck *k = &F->t[id];
		k->supplier = (int)rng_below(r, 5) - 1;
		/* most fixes fresh, some stale, some too old */
		k->fix_ts = t0 - (int64_t)rng_below(r, rng_below(r, 4) == 0 ? 600000 : 60000);
		if (k->status == TRUCK_ON_SCENE || k->status == TRUCK_TOWING) {
			k->job_fault = (int)rng_below(r, FAULT_COUNT + 1) - 1;
			k->job_since = rng_below(r, 8) == 0 ? 0 : t0 - (int64_t)rng_below(r, 3600000);
		}
		k->offers_today = (int)rng_below(r, 4) == 0 ? (int)rng_below(r, 15) : 0;
		k->last_offer = rng_below(r, 2) ? 0 : t0 - (int64_t)rng_below(r, 7200000);
	}
}

static struct dispatch_query
random_query(struct rng *r, uint32_t *skip, uint32_t n, int64_t t0)
{
	struct dispatch_query q = query((enum ticket_fault)rng_below(r, FAULT_COUNT));
	q.ticket.pos = geo_destination(call_pt, rng_uniform(r) * 360, rng_uniform(r) * 30000);
	q.ticket.flags = rng_below(r, 5) == 0 ? TICKET_FLAG_EXPRESSWAY : 0;
	q.now = t0 + (int64_t)rng_below(r, 30000);
	q.available_only = rng_below(r, 3) == 0;
	q.n_skip = n ? rng_below(r, 6) : 0;
	for (size_t i = 0; i < q.n_skip; i++)
		skip[i] = rng_below(r, n);
	q.skip = skip;
	return q;
}

/* Every candidate may be proposed, each once, best first. */
static void
check_valid(const struct tfleet *F, const struct dispatch_query *q,
    const struct dispatch_candidate *c, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const struct dispatch_truck *k = &F->t[c[i].id];
		ck_assert(F->rules.kinds[q->ticket.fault] & (1u << k->kind));
		ck_assert(k->status == TRUCK_AVAILABLE || (!q->available_only &&
		    (k->status == TRUCK_ON_SCENE || k->status == TRUCK_TOWING)));
		ck_assert_int_le(q->now - k->fix_ts, 450000);
		ck_assert(c[i].dist_m <= 300000.0 * (1 + 1e-9));
		ck_assert_str_eq(c[i].truck, k->id);
		for (size_t j = 0; j < q->n_skip; j++)
			ck_assert_uint_ne(c[i].id, q->skip[j]);
		for (size_t j = 0; j < i; j++)
			ck_assert_uint_ne(c[i].id, c[j].id);
		if (i > 0)
			ck_assert(c[i - 1].score <= c[i].score);
		ck_assert(c[i].score >= (double)c[i].travel_ms / 1000.0);
	}
}

/* With the widening allowed to go as far as the fleet, the index and the brute force give
 * the same list, bit for bit. */
START_TEST(test_property_exact)
{
	struct rng r;
	struct dispatch_candidate a[DISPATCH_K_MAX], b[DISPATCH_K_MAX];
	uint32_t skip[8];

	rng_seed(&r, 0x5eed0000u + (uint64_t)_i, 0);

	int nonempty = 0;

	for (int round = 0; round < 20; round++) {
		struct tfleet F;
		uint32_t n = 1 + rng_below(&r, 600);
		fleet_init(&F, n);
		int64_t t0 = NOW + (int64_t)rng_below(&r, 86400000); /* any hour: peak or not */
		F.rules.tune.widen_max = DISPATCH_WIDEN_LIMIT;
		random_fleet(&F, &r, n, t0);
		for (int t = 0; t < 25; t++) {
			struct dispatch_query q = random_query(&r, skip, n, t0);
			size_t k = 1 + rng_below(&r, DISPATCH_K_MAX);
			struct dispatch_stats st;
			size_t na = dispatch_rank(&F.rules, &dispatch_eta_builtin, &F.f, &q, k, a, &st);
			size_t nb = dispatch_rank_brute(&F.rules, &dispatch_eta_builtin, &F.f, &q, k, b);
			ck_assert(!st.capped);
			ck_assert_uint_eq(na, nb);
			ck_assert_uint_le(na, k);
			for (size_t i = 0; i < na; i++) {
				ck_assert_msg(a[i].id == b[i].id, "round %d: #%zu is %u, brute %u", round,
				    i, a[i].id, b[i].id);
				ck_assert(a[i].score == b[i].score);
				ck_assert(a[i].travel_ms == b[i].travel_ms && a[i].job_ms == b[i].job_ms);
			}
			check_valid(&F, &q, a, na);
			nonempty += na > 0;
		}
		fleet_finish(&F);
	}
	ck_assert_int_ge(nonempty, 20 * 25 * 3 / 4);
}
END_TEST

/* With the default cap (256 nearest), bigger fleets: exact whenever not capped, and a capped
 * answer still only holds valid candidates, as good as brute force's at worst by the bound. */
START_TEST(test_property_capped)
{
	struct rng r;
	struct dispatch_candidate a[DISPATCH_K_MAX], b[DISPATCH_K_MAX];
	uint32_t skip[8];
	int exact = 0, total = 0;

	rng_seed(&r, 0xca99edu + (uint64_t)_i, 0);

	for (int round = 0; round < 4; round++) {
		struct tfleet F;
		uint32_t n = 1000 + rng_below(&r, 3000);
		fleet_init(&F, n);
		int64_t t0 = NOW + (int64_t)rng_below(&r, 86400000);
		random_fleet(&F, &r, n, t0);
		for (int t = 0; t < 50; t++) {
			struct dispatch_query q = random_query(&r, skip, n, t0);
			size_t k = 1 + rng_below(&r, 5);
			struct dispatch_stats st;
			size_t na = dispatch_rank(&F.rules, &dispatch_eta_builtin, &F.f, &q, k, a, &st);
			size_t nb = dispatch_rank_brute(&F.rules, &dispatch_eta_builtin, &F.f, &q, k, b);
			check_valid(&F, &q, a, na);
			total++;
			if (st.capped) {
				ck_assert(na == 0 || nb > 0);
				if (na > 0)
					ck_assert(b[0].score <= a[0].score);
				continue;
			}
			exact++;
			ck_assert_uint_eq(na, nb);
			for (size_t i = 0; i < na; i++)
				ck_assert(a[i].id == b[i].id && a[i].score == b[i].score);
		}
		fleet_finish(&F);
	}
	/* a dense fleet almost never needs the cap */
	ck_assert_int_ge(exact * 10, total * 9);
}
END_TEST

/* Without a travel-time bound the ranking looks at the short list only. */
static int64_t
flat_travel(const struct dispatch_eta_model *m, const struct dispatch_ticket *t,
    struct geo_point from, double dist_m, int64_t now)
{
	(void)m;
	(void)t;
	(void)from;
	(void)now;
	return (int64_t)(dist_m * 100); /* 10 m/s */
}

START_TEST(test_model_without_bound)
{
	static const struct dispatch_eta_model road = {
		.src = "road", .travel_ms = flat_travel, .bound_ms = NULL,
	};
	struct tfleet F;
	struct dispatch_candidate c[DISPATCH_K_MAX];
	struct dispatch_stats st;

	fleet_init(&F, 64);
	for (int i = 0; i < 40; i++)
		add(&F, TRUCK_KIND_VAN, TRUCK_AVAILABLE, 1 + i, 10.0 * i);
	struct dispatch_query q = query(FAULT_TYRE);
	size_t n = dispatch_rank(&F.rules, &road, &F.f, &q, 3, c, &st);
	ck_assert_uint_eq(n, 3);
	ck_assert(st.capped);
	ck_assert_uint_eq(st.rounds, 1);
	ck_assert_uint_eq(st.fetched, 12);
	ck_assert_str_eq(c[0].eta_src, "road");
	ck_assert_int_eq(c[0].travel_ms, 100000);
	fleet_finish(&F);
}
END_TEST

static Suite *
dispatch_suite(void)
{
	Suite *s = suite_create("dispatch");
	TCase *tc;

	tc = tcase_create("model");
	tcase_add_test(tc, test_speed_by_hour);
	tcase_add_test(tc, test_leg_and_day);
	tcase_add_test(tc, test_mask);
	tcase_add_test(tc, test_why);
	tcase_add_test(tc, test_model_without_bound);
	suite_add_tcase(s, tc);

	tc = tcase_create("ranking");
	tcase_add_loop_test(tc, test_capability, 0, FAULT_COUNT);
	tcase_add_test(tc, test_exclusions);
	tcase_add_test(tc, test_preference);
	tcase_add_test(tc, test_finishing_beats_far_idle);
	tcase_add_test(tc, test_chain);
	tcase_add_test(tc, test_stale);
	tcase_add_test(tc, test_stale_after);
	tcase_add_test(tc, test_busy_margin);
	tcase_add_test(tc, test_tuning_from_data);
	tcase_add_test(tc, test_rotation);
	tcase_add_test(tc, test_quality_and_load);
	suite_add_tcase(s, tc);

	tc = tcase_create("properties");
	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, test_property_exact, 0, 8);
	tcase_add_loop_test(tc, test_property_capped, 0, 2);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(dispatch_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
