/* check-geo.c: unit and property tests for great-circle helpers and the grid index. */
#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "geo.h"
#include "rng.h"

#define R_M GEO_EARTH_RADIUS_M

/* ---------------------------------------------------- random points (rng.h, fixed seeds) */

/* Uniform on the sphere. */
static struct geo_point
rng_sphere(struct rng *r)
{
	struct geo_point p;

	p.lat = asin(rng_range(r, -1.0, 1.0)) * 180.0 / M_PI;
	p.lon = rng_range(r, -180.0, 180.0);
	return p;
}

/* ---------------------------------------------------------------- geometry */

struct dist_case {
	double lat1, lon1, lat2, lon2;
	double want_m;
	double tol; /* relative */
};

static const struct dist_case dist_cases[] = {
	/* Changsha -> Maerkang, about 1 110 km. */
	{ 28.2282, 112.9388, 31.9046, 102.2214, 1110000.0, 0.01 },
	/* Beijing -> Shanghai, about 1 067 km. */
	{ 39.9042, 116.4074, 31.2304, 121.4737, 1067000.0, 0.005 },
	/* One degree of longitude on the equator: R * pi / 180. */
	{ 0.0, 0.0, 0.0, 1.0, R_M * M_PI / 180.0, 1e-9 },
	/* One degree of latitude anywhere. */
	{ 45.0, 10.0, 46.0, 10.0, R_M * M_PI / 180.0, 1e-9 },
	/* Pole to pole; antipodes; across the antimeridian. */
	{ 90.0, 0.0, -90.0, 0.0, R_M * M_PI, 1e-9 },
	{ 10.0, 20.0, -10.0, -160.0, R_M * M_PI, 1e-7 }, /* haversine is weak here */
	{ 0.0, 179.5, 0.0, -179.5, R_M * M_PI / 180.0, 1e-9 },
	/* Longitude is meaningless at the pole. */
	{ 90.0, 0.0, 90.0, 123.0, 0.0, 0.0 },
	{ 28.0, 113.0, 28.0, 113.0, 0.0, 0.0 },
};

START_TEST(test_distance)
{
	const struct dist_case *c = &dist_cases[_i];
	struct geo_point a = { c->lat1, c->lon1 }, b = { c->lat2, c->lon2 };
	double d = geo_distance_m(a, b), back = geo_distance_m(b, a);

	if (c->want_m == 0)
		ck_assert_msg(d < 1e-6, "got %f", d);
	else
		ck_assert_msg(fabs(d - c->want_m) <= c->tol * c->want_m + 1e-6,
		    "case %d: got %.3f want %.3f", _i, d, c->want_m);
	ck_assert_msg(fabs(d - back) < 1e-6, "not symmetric");
}
END_TEST

struct bearing_case {
	double lat1, lon1, lat2, lon2;
	double want_deg;
	double tol;
};

static const struct bearing_case bearing_cases[] = {
	{ 0, 0, 1, 0, 0, 1e-9 },
	{ 0, 0, 0, 1, 90, 1e-9 },
	{ 0, 0, -1, 0, 180, 1e-9 },
	{ 0, 0, 0, -1, 270, 1e-9 },
	{ 30, 100, 31, 101, 40.5, 0.5 },
	/* Changsha -> Maerkang: west-north-west. */
	{ 28.2282, 112.9388, 31.9046, 102.2214, 294.25, 0.05 },
	/* Across the antimeridian, heading east. */
	{ 0, 179.5, 0, -179.5, 90, 1e-9 },
	/* Anywhere to the north pole is due north. */
	{ 45, -73, 90, 0, 0, 1e-9 },
};

START_TEST(test_bearing)
{
	const struct bearing_case *c = &bearing_cases[_i];
	struct geo_point a = { c->lat1, c->lon1 }, b = { c->lat2, c->lon2 };
	double br = geo_bearing_deg(a, b), diff = fabs(br - c->want_deg);

	if (diff > 180)
		diff = 360 - diff;
	ck_assert_msg(diff <= c->tol, "case %d: got %f want %f", _i, br, c->want_deg);
	ck_assert(br >= 0 && br < 360);
}
END_TEST

START_TEST(test_bearing_range)
{
	struct rng r;
	int i;

	rng_seed(&r, 11, 0);

	for (i = 0; i < 20000; i++) {
		double b = geo_bearing_deg(rng_sphere(&r), rng_sphere(&r));
		ck_assert(b >= 0 && b < 360);
	}
}
END_TEST

START_TEST(test_destination_round_trip)
{
	struct rng r;
	int i;

	rng_seed(&r, 12, 0);

	for (i = 0; i < 5000; i++) {
		struct geo_point a = rng_sphere(&r), b;
		double br = rng_range(&r, 0, 360), d = rng_range(&r, 0, 2.0e6), back;

		/* Stay away from the poles, where bearings degenerate. */
		if (fabs(a.lat) > 80)
			continue;
		b = geo_destination(a, br, d);
		ck_assert(geo_valid(b.lat, b.lon));
		ck_assert_msg(fabs(geo_distance_m(a, b) - d) < 1e-3, "distance %f vs %f",
		    geo_distance_m(a, b), d);
		if (d > 1.0) {
			back = fabs(geo_bearing_deg(a, b) - br);
			if (back > 180)
				back = 360 - back;
			ck_assert_msg(back < 1e-6, "bearing off by %g", back);
		}
	}
	/* Fixed cases: 111.195 km north of the equator is 1 degree; east across 180. */
	{
		struct geo_point o = { 0, 0 }, e = { 0, 179.9 }, p;
		p = geo_destination(o, 0, R_M * M_PI / 180.0);
		ck_assert(fabs(p.lat - 1.0) < 1e-9 && fabs(p.lon) < 1e-9);
		p = geo_destination(e, 90, R_M * M_PI / 180.0 * 0.2);
		ck_assert_msg(fabs(p.lon + 179.9) < 1e-9 && fabs(p.lat) < 1e-9, "lon %f", p.lon);
		p = geo_destination(o, 123, 0);
		ck_assert(p.lat == 0 && p.lon == 0);
	}
}
END_TEST

START_TEST(test_step_toward)
{
	struct geo_point a = { 28.2282, 112.9388 }, b = { 31.9046, 102.2214 }, s, t;
	double total = geo_distance_m(a, b);
	struct rng r;
	int i;

	rng_seed(&r, 13, 0);

	/* Closer than one step: arrive exactly. */
	s = geo_step_toward(a, b, total + 1);
	ck_assert(s.lat == b.lat && s.lon == b.lon);
	s = geo_step_toward(a, b, total);
	ck_assert(s.lat == b.lat && s.lon == b.lon);
	/* A step of 1 km: 1 km from a, 1 km closer to b, on the great circle. */
	s = geo_step_toward(a, b, 1000);
	ck_assert(fabs(geo_distance_m(a, s) - 1000) < 1e-3);
	ck_assert(fabs(geo_distance_m(s, b) - (total - 1000)) < 1e-3);
	/* No step or a negative one: stay put. */
	s = geo_step_toward(a, b, 0);
	ck_assert(s.lat == a.lat && s.lon == a.lon);
	s = geo_step_toward(a, b, -5);
	ck_assert(s.lat == a.lat && s.lon == a.lon);
	/* Walking in 5 km steps arrives after ceil(total / 5 km) steps. */
	t = a;
	for (i = 0; i < 1000 && !(t.lat == b.lat && t.lon == b.lon); i++)
		t = geo_step_toward(t, b, 5000);
	ck_assert_int_eq(i, (int)ceil(total / 5000));
	/* Random pairs. */
	for (i = 0; i < 2000; i++) {
		struct geo_point p = rng_sphere(&r), q = rng_sphere(&r);
		double d = geo_distance_m(p, q), st = rng_range(&r, 1, 5e6);
		if (d > 0.99 * M_PI * R_M)
			continue; /* near-antipodal: direction ill-defined */
		s = geo_step_toward(p, q, st);
		if (st >= d) {
			ck_assert(s.lat == q.lat && s.lon == q.lon);
		} else {
			ck_assert(fabs(geo_distance_m(p, s) - st) < 1e-2);
			ck_assert(fabs(geo_distance_m(s, q) - (d - st)) < 1e-2);
		}
	}
}
END_TEST

struct valid_case {
	double lat, lon;
	bool ok;
};

START_TEST(test_valid)
{
	static const struct valid_case cases[] = {
		{ 0, 0, true }, { 90, 180, true }, { -90, -180, true }, { 28.2, 112.9, true },
		{ 90.0001, 0, false }, { -90.0001, 0, false }, { 0, 180.0001, false },
		{ 0, -180.0001, false }, { NAN, 0, false }, { 0, NAN, false },
		{ INFINITY, 0, false }, { 0, -INFINITY, false },
	};
	size_t i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++)
		ck_assert_msg(geo_valid(cases[i].lat, cases[i].lon) == cases[i].ok, "case %zu", i);
}
END_TEST

/* ---------------------------------------------------------------- the index: basics */

START_TEST(test_index_basic)
{
	struct geo_index *gi = geo_index_create(0.05);
	struct geo_point p = { 28.2, 112.9 }, got;
	struct geo_hit hits[4];
	uint32_t mask;

	ck_assert_uint_eq(geo_index_count(gi), 0);
	ck_assert_uint_eq(geo_index_nearest(gi, p, 0, 3, 0, hits), 0);
	ck_assert(!geo_index_remove(gi, 7));
	ck_assert(!geo_index_set_mask(gi, 7, 1));

	geo_index_put(gi, 7, p, 0x3);
	geo_index_put(gi, UINT32_MAX, (struct geo_point){ 28.21, 112.9 }, 0x1);
	geo_index_put(gi, 0, (struct geo_point){ 28.3, 112.9 }, 0x2);
	ck_assert_uint_eq(geo_index_count(gi), 3);
	ck_assert(geo_index_get(gi, UINT32_MAX, &got, &mask));
	ck_assert(got.lat == 28.21 && got.lon == 112.9 && mask == 0x1);

	ck_assert_uint_eq(geo_index_nearest(gi, p, 0, 4, 0, hits), 3);
	ck_assert_uint_eq(hits[0].id, 7);
	ck_assert(hits[0].dist_m == 0);
	ck_assert_uint_eq(hits[1].id, UINT32_MAX);
	ck_assert_uint_eq(hits[2].id, 0);
	ck_assert(fabs(hits[2].dist_m - geo_distance_m(p, (struct geo_point){ 28.3, 112.9 })) <
	    1e-9);

	/* Mask filter: all bits of want. */
	ck_assert_uint_eq(geo_index_nearest(gi, p, 0x2, 4, 0, hits), 2);
	ck_assert_uint_eq(hits[0].id, 7);
	ck_assert_uint_eq(hits[1].id, 0);
	ck_assert_uint_eq(geo_index_nearest(gi, p, 0x3, 4, 0, hits), 1);
	ck_assert_uint_eq(geo_index_nearest(gi, p, 0x4, 4, 0, hits), 0);

	/* Distance limit. */
	ck_assert_uint_eq(geo_index_nearest(gi, p, 0, 4, 5000, hits), 2);
	/* k = 0 finds nothing and may pass NULL. */
	ck_assert_uint_eq(geo_index_nearest(gi, p, 0, 0, 0, NULL), 0);

	/* set_mask, move, remove. */
	ck_assert(geo_index_set_mask(gi, 0, 0x3));
	ck_assert_uint_eq(geo_index_nearest(gi, p, 0x3, 4, 0, hits), 2);
	geo_index_put(gi, 7, (struct geo_point){ -33.9, 151.2 }, 0x3);
	ck_assert_uint_eq(geo_index_count(gi), 3);
	ck_assert_uint_eq(geo_index_nearest(gi, p, 0, 1, 0, hits), 1);
	ck_assert_uint_eq(hits[0].id, UINT32_MAX);
	ck_assert(geo_index_remove(gi, UINT32_MAX));
	ck_assert(!geo_index_remove(gi, UINT32_MAX));
	ck_assert(!geo_index_get(gi, UINT32_MAX, NULL, NULL));
	ck_assert_uint_eq(geo_index_count(gi), 2);
	ck_assert_uint_eq(geo_index_nearest(gi, p, 0, 1, 0, hits), 1);
	ck_assert_uint_eq(hits[0].id, 0);
	ck_assert_uint_eq(geo_index_nearest(gi, (struct geo_point){ -33.8, 151.2 }, 0, 1, 0,
	    hits), 1);
	ck_assert_uint_eq(hits[0].id, 7);

	geo_index_destroy(gi);
	geo_index_destroy(NULL);
}
END_TEST

START_TEST(test_index_normalise)
{
	struct geo_index *gi = geo_index_create(0.05);
	struct geo_point got;
	struct geo_hit hit;

	/* Non-finite: ignored, the id keeps its place. */
	geo_index_put(gi, 1, (struct geo_point){ NAN, 0 }, 0);
	ck_assert_uint_eq(geo_index_count(gi), 0);
	geo_index_put(gi, 1, (struct geo_point){ 10, 20 }, 0);
	geo_index_put(gi, 1, (struct geo_point){ 10, INFINITY }, 0);
	ck_assert(geo_index_get(gi, 1, &got, NULL));
	ck_assert(got.lat == 10 && got.lon == 20);
	/* Out of range: clamped / wrapped. */
	geo_index_put(gi, 2, (struct geo_point){ 95, 190 }, 0);
	ck_assert(geo_index_get(gi, 2, &got, NULL));
	ck_assert(got.lat == 90 && fabs(got.lon + 170) < 1e-9);
	/* A query at lon 180 finds a point at lon -180 (same meridian). */
	geo_index_put(gi, 3, (struct geo_point){ 0, -180 }, 0);
	ck_assert_uint_eq(geo_index_nearest(gi, (struct geo_point){ 0, 180 }, 0, 1, 0, &hit), 1);
	ck_assert_uint_eq(hit.id, 3);
	ck_assert(hit.dist_m < 1e-6);
	/* A non-finite query finds nothing. */
	ck_assert_uint_eq(geo_index_nearest(gi, (struct geo_point){ NAN, 0 }, 0, 1, 0, &hit), 0);
	geo_index_destroy(gi);
}
END_TEST

/* ---------------------------------------------------------------- the index: properties */

struct shadow {
	uint32_t id;
	struct geo_point p;
	uint32_t mask;
	bool live;
};

struct world {
	struct geo_index *gi;
	struct shadow *s;
	size_t n;
};

static uint32_t
random_mask(struct rng *r)
{
	return (uint32_t)rng_next(r) & 0xf;
}

static uint32_t
random_want(struct rng *r)
{
	static const uint32_t wants[] = { 0, 0, 0, 0x1, 0x2, 0x3, 0x5, 0xf, 0x10 };

	return wants[rng_below(r, sizeof wants / sizeof wants[0])];
}

/* The k nearest by brute force over the shadow copy, nearest first. */
static size_t
brute(const struct world *w, struct geo_point p, uint32_t want, size_t k, double max_m,
    struct geo_hit *out)
{
	size_t i, j, n = 0;
	double d;

	for (i = 0; i < w->n; i++) {
		if (!w->s[i].live || (w->s[i].mask & want) != want)
			continue;
		d = geo_distance_m(p, w->s[i].p);
		if (max_m > 0 && d > max_m)
			continue;
		if (n == k && d >= out[k - 1].dist_m)
			continue;
		j = n < k ? n++ : k - 1;
		while (j > 0 && out[j - 1].dist_m > d) {
			out[j] = out[j - 1];
			j--;
		}
		out[j].id = w->s[i].id;
		out[j].dist_m = d;
	}
	return n;
}

static const struct shadow *
find_shadow(const struct world *w, uint32_t id)
{
	size_t i;

	for (i = 0; i < w->n; i++) {
		if (w->s[i].live && w->s[i].id == id)
			return &w->s[i];
	}
	return NULL;
}

/*
 * Index and brute force agree: same count, same distances in the same order (to 1 mm;
 * they are computed by the same function), every id real, unique, matching the mask and
 * at its reported distance. Ids may differ only where distances tie.
 */
static void
check_query(const struct world *w, struct geo_point p, uint32_t want, size_t k, double max_m)
{
	struct geo_hit got[32], exp[32];
	size_t ng, ne, i, j;
	const struct shadow *sh;

	ck_assert(k <= 32);
	ng = geo_index_nearest(w->gi, p, want, k, max_m, got);
	ne = brute(w, p, want, k, max_m, exp);
	ck_assert_msg(ng == ne, "count %zu vs brute %zu at (%.17g,%.17g) k=%zu want=%#x max=%f", ng, ne,
	    p.lat, p.lon, k, want, max_m);
	for (i = 0; i < ng; i++) {
		ck_assert_msg(fabs(got[i].dist_m - exp[i].dist_m) <= 1e-3,
		    "hit %zu: %.4f vs brute %.4f (ids %u %u) at (%.17g,%.17g) k=%zu want=%#x "
		    "max=%f", i, got[i].dist_m, exp[i].dist_m, got[i].id, exp[i].id, p.lat, p.lon,
		    k, want, max_m);
		if (i > 0)
			ck_assert(got[i].dist_m >= got[i - 1].dist_m);
		sh = find_shadow(w, got[i].id);
		ck_assert_msg(sh != NULL, "unknown id %u", got[i].id);
		ck_assert((sh->mask & want) == want);
		ck_assert_msg(got[i].dist_m == geo_distance_m(p, sh->p),
		    "id %u: reported %.17g, at %.17g (%.17g,%.17g) from (%.17g,%.17g)", got[i].id,
		    got[i].dist_m, geo_distance_m(p, sh->p), sh->p.lat, sh->p.lon, p.lat, p.lon);
		for (j = 0; j < i; j++)
			ck_assert(got[j].id != got[i].id);
	}
}

static void
world_init(struct world *w, double cell, size_t n)
{
	w->gi = geo_index_create(cell);
	w->s = calloc(n, sizeof *w->s);
	ck_assert_ptr_nonnull(w->s);
	w->n = n;
}

static void
world_free(struct world *w)
{
	geo_index_destroy(w->gi);
	free(w->s);
}

/* Distinct random ids (arbitrary uint32, including 0 and UINT32_MAX). */
static void
world_ids(struct world *w, struct rng *r)
{
	size_t i, j;
	bool dup;

	for (i = 0; i < w->n; i++) {
		do {
			if (i == 0)
				w->s[i].id = 0;
			else if (i == 1)
				w->s[i].id = UINT32_MAX;
			else
				w->s[i].id = (uint32_t)rng_next(r);
			dup = false;
			for (j = 0; j < i && !dup; j++)
				dup = w->s[j].id == w->s[i].id;
		} while (dup);
	}
}

static void
world_put(struct world *w, size_t i, struct geo_point p, uint32_t mask)
{
	w->s[i].p = p;
	w->s[i].mask = mask;
	w->s[i].live = true;
	geo_index_put(w->gi, w->s[i].id, p, mask);
}

/* Around Changsha: a city-sized cloud (about 100 km across). */
static struct geo_point
gen_city(struct rng *r)
{
	struct geo_point p = { 28.2282 + rng_range(r, -0.45, 0.45),
		112.9388 + rng_range(r, -0.5, 0.5) };
	return p;
}

/* A few tight clusters, so most cells are empty and some are crowded. */
static struct geo_point
gen_clusters(struct rng *r)
{
	static const struct geo_point centres[] = { { 28.2, 112.9 }, { 28.9, 113.4 },
		{ 27.5, 111.0 } };
	struct geo_point c = centres[rng_below(r, 3)];
	c.lat += rng_range(r, -0.01, 0.01);
	c.lon += rng_range(r, -0.01, 0.01);
	return c;
}

static struct geo_point
gen_world(struct rng *r)
{
	return rng_sphere(r);
}

/* Straddling the antimeridian (Fiji / Chukotka), lon in [179, 180] and [-180, -179]. */
static struct geo_point
gen_antimeridian(struct rng *r)
{
	struct geo_point p;
	double off = rng_range(r, -1.0, 1.0);

	p.lat = rng_range(r, -20.0, 70.0);
	p.lon = off >= 0 ? -180.0 + off : 180.0 + off;
	if (rng_below(r, 50) == 0)
		p.lon = rng_below(r, 2) ? 180.0 : -180.0;
	return p;
}

/* Near the poles, where longitude cells collapse. */
static struct geo_point
gen_polar(struct rng *r)
{
	struct geo_point p;

	p.lat = rng_range(r, 85.0, 90.0);
	if (rng_below(r, 2))
		p.lat = -p.lat;
	if (rng_below(r, 100) == 0)
		p.lat = rng_below(r, 2) ? 90.0 : -90.0;
	p.lon = rng_range(r, -180.0, 180.0);
	return p;
}

/* Queries: mostly near the points, sometimes anywhere on earth. */
static struct geo_point
gen_query(struct rng *r, struct geo_point (*gen)(struct rng *))
{
	if (rng_below(r, 8) == 0)
		return rng_sphere(r);
	return gen(r);
}

struct scenario {
	const char *name;
	struct geo_point (*gen)(struct rng *);
	double cell;
	size_t npoints;
	size_t nqueries;
	double max_m_scale; /* typical max_m when one is given */
};

static const struct scenario scenarios[] = {
	{ "city 0.05", gen_city, 0.05, 3000, 3000, 10000 },
	{ "city 0.01", gen_city, 0.01, 3000, 3000, 5000 },
	{ "city 0.5", gen_city, 0.5, 2000, 2000, 10000 },
	{ "clusters", gen_clusters, 0.02, 2000, 2000, 3000 },
	{ "world 1", gen_world, 1.0, 2000, 2000, 2e6 },
	{ "world 0.05", gen_world, 0.05, 2000, 1500, 2e6 },
	{ "world 20", gen_world, 20.0, 500, 1500, 5e6 },
	{ "antimeridian", gen_antimeridian, 0.1, 2000, 3000, 50000 },
	{ "polar 0.1", gen_polar, 0.1, 1500, 2000, 100000 },
	{ "polar 2", gen_polar, 2.0, 1500, 2000, 100000 },
	{ "sparse", gen_world, 0.05, 7, 1000, 5e6 },
};

/*
 * Build the scenario's fleet, then interleave queries with churn: moves (small and to a new
 * random place), mask changes, removals and re-inserts. Every query is checked against
 * brute force.
 */
START_TEST(test_nearest_property)
{
	const struct scenario *sc = &scenarios[_i];
	struct rng r;
	struct world w;
	size_t i, q, k, live;
	double max_m;
	uint32_t want;

	rng_seed(&r, 0x5eed0000u + (uint64_t)_i, 0);

	world_init(&w, sc->cell, sc->npoints);
	world_ids(&w, &r);
	for (i = 0; i < w.n; i++)
		world_put(&w, i, sc->gen(&r), random_mask(&r));
	ck_assert_uint_eq(geo_index_count(w.gi), w.n);

	for (q = 0; q < sc->nqueries; q++) {
		/* Churn. */
		for (i = 0; i < 3; i++) {
			size_t j = rng_below(&r, (uint32_t)w.n);
			switch (rng_below(&r, 5)) {
			case 0: /* small move, as a truck drives */
				if (w.s[j].live) {
					struct geo_point np = geo_destination(w.s[j].p,
					    rng_range(&r, 0, 360), rng_range(&r, 0, 3000));
					world_put(&w, j, np, w.s[j].mask);
				}
				break;
			case 1: /* jump anywhere in the scenario */
				world_put(&w, j, sc->gen(&r), w.s[j].mask);
				break;
			case 2:
				want = random_mask(&r);
				ck_assert(geo_index_set_mask(w.gi, w.s[j].id, want) == w.s[j].live);
				if (w.s[j].live)
					w.s[j].mask = want;
				break;
			case 3:
				ck_assert(geo_index_remove(w.gi, w.s[j].id) == w.s[j].live);
				w.s[j].live = false;
				break;
			default:
				if (!w.s[j].live)
					world_put(&w, j, sc->gen(&r), random_mask(&r));
				break;
			}
		}
		live = 0;
		for (i = 0; i < w.n; i++)
			live += w.s[i].live;
		ck_assert_uint_eq(geo_index_count(w.gi), live);

		k = rng_below(&r, 4) == 0 ? 1 + rng_below(&r, 20) : 5;
		want = random_want(&r);
		max_m = 0;
		if (rng_below(&r, 3) == 0)
			max_m = rng_range(&r, 0.1, 2.0) * sc->max_m_scale;
		check_query(&w, gen_query(&r, sc->gen), want, k, max_m);
	}
	world_free(&w);
}
END_TEST

/* Queries exactly on cell corners and edges, at the poles and on the antimeridian. */
START_TEST(test_nearest_edges)
{
	static const double cells[] = { 0.05, 0.25, 1.0, 7.0 };
	struct rng r;
	struct world w;
	size_t c, i, j;

	rng_seed(&r, 99, 0);

	for (c = 0; c < sizeof cells / sizeof cells[0]; c++) {
		double cd = cells[c];
		world_init(&w, cd, 1200);
		world_ids(&w, &r);
		/* Points on grid lines and nearby. */
		for (i = 0; i < w.n; i++) {
			struct geo_point p;
			p.lat = -90 + cd * rng_below(&r, (uint32_t)(180 / cd) + 1);
			p.lon = -180 + cd * rng_below(&r, (uint32_t)(360 / cd) + 1);
			if (p.lat > 90)
				p.lat = 90;
			if (p.lon > 180)
				p.lon = 180;
			if (i % 3 == 0) {
				p = gen_city(&r);
				p.lat = floor(p.lat / cd) * cd;
			}
			world_put(&w, i, p, random_mask(&r));
		}
		for (j = 0; j < 1500; j++) {
			struct geo_point p;
			if (j % 2 == 0) {
				/* A point of the fleet itself, or a grid corner near it. */
				p = w.s[rng_below(&r, (uint32_t)w.n)].p;
				if (j % 4 == 0)
					p.lon = floor(p.lon / cd) * cd;
				if (p.lon < -180)
					p.lon += 360; /* keep it valid: floor(-180/7)*7 = -182 */
			} else {
				p.lat = rng_below(&r, 2) ? 90.0 : -90.0;
				p.lon = rng_range(&r, -180, 180);
				if (j % 3 == 0) {
					p.lat = rng_range(&r, -90, 90);
					p.lon = rng_below(&r, 2) ? 180.0 : -180.0;
				}
			}
			check_query(&w, p, random_want(&r), 1 + rng_below(&r, 8),
			    rng_below(&r, 4) == 0 ? rng_range(&r, 1e3, 1e6) : 0);
		}
		world_free(&w);
	}
}
END_TEST

/* All masks filtered out or k larger than the fleet: every match is returned. */
START_TEST(test_nearest_exhaustive)
{
	struct rng r;
	struct world w;
	struct geo_hit hits[32];
	size_t i, n;

	rng_seed(&r, 7, 0);

	world_init(&w, 0.05, 20);
	world_ids(&w, &r);
	for (i = 0; i < w.n; i++)
		world_put(&w, i, rng_sphere(&r), i < 10 ? 0x1 : 0x2);
	n = geo_index_nearest(w.gi, (struct geo_point){ 0, 0 }, 0, 32, 0, hits);
	ck_assert_uint_eq(n, 20);
	n = geo_index_nearest(w.gi, (struct geo_point){ 0, 0 }, 0x1, 32, 0, hits);
	ck_assert_uint_eq(n, 10);
	n = geo_index_nearest(w.gi, (struct geo_point){ 89.99, 0 }, 0x4, 32, 0, hits);
	ck_assert_uint_eq(n, 0);
	for (i = 0; i < 50; i++)
		check_query(&w, rng_sphere(&r), random_want(&r), 32, 0);
	world_free(&w);
}
END_TEST

static Suite *
geo_suite(void)
{
	Suite *s = suite_create("geo");
	TCase *tc;

	tc = tcase_create("geometry");
	tcase_add_loop_test(tc, test_distance, 0, (int)(sizeof dist_cases / sizeof dist_cases[0]));
	tcase_add_loop_test(tc, test_bearing, 0,
	    (int)(sizeof bearing_cases / sizeof bearing_cases[0]));
	tcase_add_test(tc, test_bearing_range);
	tcase_add_test(tc, test_destination_round_trip);
	tcase_add_test(tc, test_step_toward);
	tcase_add_test(tc, test_valid);
	suite_add_tcase(s, tc);

	tc = tcase_create("index");
	tcase_add_test(tc, test_index_basic);
	tcase_add_test(tc, test_index_normalise);
	suite_add_tcase(s, tc);

	tc = tcase_create("nearest");
	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, test_nearest_property, 0,
	    (int)(sizeof scenarios / sizeof scenarios[0]));
	tcase_add_test(tc, test_nearest_edges);
	tcase_add_test(tc, test_nearest_exhaustive);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(geo_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
