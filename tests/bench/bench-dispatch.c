/* bench-dispatch.c: a full dispatch decision over a city fleet, with the index and, as the
 * baseline of the same run, by scoring every truck.
 *
 * Usage: bench-dispatch DATA_DIR [decisions [trucks]]   (defaults 20000, 10000)
 *
 * The fleet is spread over Changsha as in the reference data (a dense core plus a spread
 * out to the region's edge): 70% available, 10% on scene, 5% towing, the rest on the way to
 * a job or off duty; fixes up to a minute old (a few stale or too old); suppliers and truck
 * kinds from data/regions/changsha.ini. One decision is what the broker does for a new
 * ticket: rank (k = 1), and when the best is free, record the offer in memory (the truck
 * becomes offered in the index, its and its supplier's offer counts and last offer move on).
 * A truck offered earlier is freed between decisions (not timed) so the pool stays steady.
 * Both passes start from the same fleet and tickets, so they make the same decisions (the
 * benchmark checks it). Also timed: the top five for dispatch.candidates. Prints p50/p99 and
 * the ratio; exits 1 if the passes disagree. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data.h"
#include "dispatch.h"
#include "rng.h"
#include "util.h"

static struct rng rnd;
static const struct data_region *reg;

/* 60% in a Gaussian core (sigma 8 km), the rest uniform over the region's disc. */
static struct geo_point
city_point(void)
{
	struct geo_point c = { reg->lat, reg->lon };
	double r;
	if (rng_uniform(&rnd) < 0.6)
		r = fmin(8000.0 * sqrt(-2.0 * log(1.0 - rng_uniform(&rnd))), reg->radius_km * 1000);
	else
		r = reg->radius_km * 1000 * sqrt(rng_uniform(&rnd));
	return geo_destination(c, 360 * rng_uniform(&rnd), r);
}

struct bench {
	struct dispatch_rules rules;
	struct dispatch_truck *t;
	char (*ids)[16];
	uint32_t n;
	struct dispatch_supplier *sup;
	size_t n_sup;
	struct geo_index *gi;
	struct dispatch_fleet f;
	uint32_t *offered;       /* trucks offered a job, to free later */
	size_t n_offered;
	int64_t now;
	int64_t *fix_age, *job_age; /* trucks report all the time: ages stay what they were */
};

static bool
get(const void *ctx, uint32_t id, struct dispatch_truck *out)
{
	const struct bench *B = ctx;
	if (id >= B->n)
		return false;
	*out = B->t[id];
	out->fix_ts = B->now - B->fix_age[id];
	if (out->job_fault >= 0)
		out->job_since = B->now - B->job_age[id];
	return true;
}

static void
sup_count(struct bench *B, const struct dispatch_truck *k, int sign)
{
	if (k->supplier < 0 || k->status == TRUCK_OFF_DUTY)
		return;
	B->sup[k->supplier].trucks += sign;
	if (k->status != TRUCK_AVAILABLE)
		B->sup[k->supplier].busy += sign;
}

static void
set_status(struct bench *B, uint32_t id, enum truck_status s)
{
	struct dispatch_truck *k = &B->t[id];
	sup_count(B, k, -1);
	k->status = s;
	sup_count(B, k, 1);
	geo_index_set_mask(B->gi, id, dispatch_mask(&B->rules, k->kind, s));
}

static void
fleet_make(struct bench *B, const struct data *d, uint32_t n, int64_t now)
{
	memset(B, 0, sizeof *B);
	dispatch_rules_init(&B->rules, d);
	B->n = n;
	B->t = xcalloc(n, sizeof *B->t);
	B->ids = xcalloc(n, sizeof *B->ids);
	B->offered = xcalloc(n, sizeof *B->offered);
	B->fix_age = xcalloc(n, sizeof *B->fix_age);
	B->job_age = xcalloc(n, sizeof *B->job_age);
	B->now = now;
	B->n_sup = reg->n_suppliers;
	B->sup = xcalloc(B->n_sup, sizeof *B->sup);
	B->gi = geo_index_create(0.02);
	int fleet_total = 0;
	for (size_t i = 0; i < B->n_sup; i++) {
		B->sup[i].id = reg->suppliers[i].id;
		B->sup[i].quality = reg->suppliers[i].quality;
		for (int k = 0; k < TRUCK_KIND_COUNT; k++)
			fleet_total += reg->suppliers[i].fleet[k];
	}
	for (uint32_t i = 0; i < n; i++) {
		struct dispatch_truck *k = &B->t[i];
		/* supplier and kind in the proportions of the region's fleets */
		int pick = (int)(rng_uniform(&rnd) * fleet_total), s = 0, kind = 0;
		for (s = 0; s < (int)B->n_sup; s++) {
			for (kind = 0; kind < TRUCK_KIND_COUNT; kind++) {
				pick -= reg->suppliers[s].fleet[kind];
				if (pick < 0)
					break;
			}
			if (pick < 0)
				break;
		}
		if (s >= (int)B->n_sup) {
			s = 0;
			kind = TRUCK_KIND_VAN;
		}
		snprintf(B->ids[i], sizeof B->ids[i], "CS-%05u", i);
		k->id = B->ids[i];
		k->supplier = s;
		k->kind = (enum truck_kind)kind;
		double u = rng_uniform(&rnd);
		k->status = u < 0.70 ? TRUCK_AVAILABLE : u < 0.80 ? TRUCK_ON_SCENE : u < 0.85 ?
		    TRUCK_TOWING : u < 0.95 ? TRUCK_EN_ROUTE : TRUCK_OFF_DUTY;
		k->placed = true;
		k->pos = city_point();
		u = rng_uniform(&rnd);
		B->fix_age[i] = (int64_t)(u < 0.97 ? 60000 * rng_uniform(&rnd) : 900000 * rng_uniform(&rnd));
		k->job_fault = -1;
		if (k->status == TRUCK_ON_SCENE || k->status == TRUCK_TOWING) {
			k->job_fault = (int)(rng_uniform(&rnd) * FAULT_COUNT);
			B->job_age[i] = (int64_t)(rng_uniform(&rnd) * 1800000);
		}
		sup_count(B, k, 1);
		geo_index_put(B->gi, i, k->pos, dispatch_mask(&B->rules, k->kind, k->status));
	}
	B->f = (struct dispatch_fleet){ .geo = B->gi, .n_ids = n, .get = get, .ctx = B,
		.suppliers = B->sup, .n_suppliers = B->n_sup };
}

static void
fleet_free(struct bench *B)
{
	geo_index_destroy(B->gi);
	free(B->t);
	free(B->ids);
	free(B->offered);
	free(B->fix_age);
	free(B->job_age);
	free(B->sup);
}

static enum ticket_fault
random_fault(const struct data *d)
{
	double u = rng_uniform(&rnd) * 100, acc = 0;
	for (int f = 0; f < FAULT_COUNT; f++) {
		acc += d->faults[f].share;
		if (u < acc)
			return (enum ticket_fault)f;
	}
	return FAULT_BATTERY;
}

static int
cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

struct result {
	int64_t *ns;             /* per decision */
	uint32_t *chose;         /* the truck offered, or UINT32_MAX */
	size_t held, none, capped;
};

/* One pass of `decisions` over a fresh fleet made from `seed`. */
static void
run(const struct data *d, uint32_t trucks, size_t decisions, bool brute, uint64_t seed,
    struct result *res)
{
	struct bench B;
	struct dispatch_candidate c;
	struct dispatch_stats st;
	int64_t now = 1735704000000LL; /* 12:00 China time */

	rng_seed(&rnd, seed, 0);
	fleet_make(&B, d, trucks, now);
	for (size_t i = 0; i < decisions; i++) {
		struct dispatch_query q = {
			.ticket = { .pos = city_point(), .fault = random_fault(d),
				.flags = rng_uniform(&rnd) < 0.05 ? TICKET_FLAG_EXPRESSWAY : 0, .region = reg },
			.now = now,
		};
		/* free an earlier offer now and then, outside the clock */
		if (B.n_offered > 0 && rng_uniform(&rnd) < 0.9) {
			size_t j = (size_t)(rng_uniform(&rnd) * B.n_offered);
			uint32_t id = B.offered[j];
			B.offered[j] = B.offered[--B.n_offered];
			set_status(&B, id, TRUCK_AVAILABLE);
		}

		int64_t t0 = rd_mono_ns();
		size_t n = brute ?
		    dispatch_rank_brute(&B.rules, &dispatch_eta_builtin, &B.f, &q, 1, &c) :
		    dispatch_rank(&B.rules, &dispatch_eta_builtin, &B.f, &q, 1, &c, &st);
		res->chose[i] = UINT32_MAX;
		if (n == 1 && c.status == TRUCK_AVAILABLE) {
			/* record the offer */
			struct dispatch_truck *k = &B.t[c.id];
			set_status(&B, c.id, TRUCK_OFFERED);
			k->offers_today++;
			k->last_offer = now;
			if (k->supplier >= 0)
				B.sup[k->supplier].offers_today++;
			B.offered[B.n_offered++] = c.id;
			res->chose[i] = c.id;
		}
		res->ns[i] = rd_mono_ns() - t0;
		if (n == 0)
			res->none++;
		else if (c.status != TRUCK_AVAILABLE)
			res->held++;
		if (!brute && st.capped)
			res->capped++;
		now += 3000; /* a call every 3 s */
		B.now = now;
	}
	fleet_free(&B);
}

/* Time the top five (dispatch.candidates) on a fresh fleet. */
static void
run_top5(const struct data *d, uint32_t trucks, size_t queries, bool brute, uint64_t seed,
    int64_t *ns)
{
	struct bench B;
	struct dispatch_candidate c[5];
	int64_t now = 1735704000000LL;

	rng_seed(&rnd, seed, 0);
	fleet_make(&B, d, trucks, now);
	for (size_t i = 0; i < queries; i++) {
		struct dispatch_query q = {
			.ticket = { .pos = city_point(), .fault = random_fault(d), .region = reg },
			.now = now,
		};
		int64_t t0 = rd_mono_ns();
		if (brute)
			dispatch_rank_brute(&B.rules, &dispatch_eta_builtin, &B.f, &q, 5, c);
		else
			dispatch_rank(&B.rules, &dispatch_eta_builtin, &B.f, &q, 5, c, NULL);
		ns[i] = rd_mono_ns() - t0;
	}
	fleet_free(&B);
}

static double
pct_us(int64_t *ns, size_t n, double p)
{
	qsort(ns, n, sizeof *ns, cmp_i64);
	size_t i = (size_t)(p * (double)(n - 1));
	return (double)ns[i] / 1000.0;
}

int
main(int argc, char **argv)
{
	char *cause = NULL;

	if (argc < 2) {
		fprintf(stderr, "usage: bench-dispatch DATA_DIR [decisions [trucks]]\n");
		return 2;
	}
	size_t decisions = argc > 2 ? strtoul(argv[2], NULL, 10) : 20000;
	uint32_t trucks = argc > 3 ? (uint32_t)strtoul(argv[3], NULL, 10) : 10000;
	if (decisions < 1 || trucks < 1) {
		fprintf(stderr, "bench-dispatch: decisions and trucks must be positive\n");
		return 2;
	}
	struct data *d = data_load(argv[1], &cause);
	if (d == NULL) {
		fprintf(stderr, "bench-dispatch: %s\n", cause);
		free(cause);
		return 2;
	}
	reg = data_region(d, "changsha");
	if (reg == NULL) {
		fprintf(stderr, "bench-dispatch: no region changsha in %s\n", argv[1]);
		data_free(d);
		return 2;
	}

	struct result ix = { .ns = xcalloc(decisions, sizeof (int64_t)),
		.chose = xcalloc(decisions, sizeof (uint32_t)) };
	struct result bf = { .ns = xcalloc(decisions, sizeof (int64_t)),
		.chose = xcalloc(decisions, sizeof (uint32_t)) };
	run(d, trucks, decisions, false, 0xd15a7c4ULL, &ix);
	run(d, trucks, decisions, true, 0xd15a7c4ULL, &bf);
	size_t differ = 0;
	for (size_t i = 0; i < decisions; i++)
		differ += ix.chose[i] != bf.chose[i];

	double ix50 = pct_us(ix.ns, decisions, 0.50), ix99 = pct_us(ix.ns, decisions, 0.99);
	double bf50 = pct_us(bf.ns, decisions, 0.50), bf99 = pct_us(bf.ns, decisions, 0.99);
	printf("dispatch decision over %u trucks (%zu decisions; %zu waited for a truck finishing "
	    "a job, %zu found none, %zu widenings capped):\n", trucks, decisions, ix.held, ix.none,
	    ix.capped);
	printf("  index: p50 %.1f us p99 %.1f us (target p99 < 200 us: %s)\n", ix50, ix99,
	    ix99 < 200 ? "met" : "NOT met");
	printf("  brute force over all trucks: p50 %.1f us p99 %.1f us\n", bf50, bf99);
	printf("  ratio brute/index: p50 %.1fx p99 %.1fx; decisions that differ: %zu\n",
	    bf50 / ix50, bf99 / ix99, differ);

	size_t nq = decisions < 5000 ? decisions : 5000;
	int64_t *a = xcalloc(nq, sizeof *a), *b = xcalloc(nq, sizeof *b);
	run_top5(d, trucks, nq, false, 0x70955ULL, a);
	run_top5(d, trucks, nq, true, 0x70955ULL, b);
	double a50 = pct_us(a, nq, 0.5), a99 = pct_us(a, nq, 0.99);
	double b50 = pct_us(b, nq, 0.5), b99 = pct_us(b, nq, 0.99);
	printf("top five (dispatch.candidates): index p50 %.1f us p99 %.1f us; brute force p50 %.1f"
	    " us p99 %.1f us; ratio p50 %.1fx\n", a50, a99, b50, b99, b50 / a50);

	free(a);
	free(b);
	free(ix.ns);
	free(ix.chose);
	free(bf.ns);
	free(bf.chose);
	data_free(d);
	/* a capped widening may pick another truck, and then the fleets part ways */
	return differ == 0 || ix.capped > 0 ? 0 : 1;
}
