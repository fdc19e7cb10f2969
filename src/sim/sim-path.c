/* sim-path.c: plausible road paths between two points (3-6 points, a given detour over
 * the great circle; or first straight away from the end, for an injected wrong turn) and a
 * truck's motion along one: speeds by the hour and the expressway part, a stall, where the
 * truck is at a time, and the turns that trigger a GPS fix. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim-world-int.h"
#include "util.h"

#define TURN_DEG 30.0

/* ------------------------------------------------------------------ paths */

static void
path_cum(struct sim_world_path *p)
{
	p->cum_m[0] = 0;
	for (size_t i = 1; i < p->n; i++)
		p->cum_m[i] = p->cum_m[i - 1] + geo_distance_m(p->pt[i - 1], p->pt[i]);
}

/* Build the interior points for lateral scale s (metres per unit of z). */
static void
path_shape(struct sim_world_path *p, struct geo_point a, struct geo_point b, double bearing,
    double dist, const double *t, const double *z, size_t k, double s)
{
	p->n = k + 2;
	p->pt[0] = a;
	for (size_t i = 0; i < k; i++) {
		struct geo_point base = geo_destination(a, bearing, t[i] * dist);
		p->pt[i + 1] = geo_destination(base, bearing + 90.0, s * z[i]);
	}
	p->pt[k + 1] = b;
	path_cum(p);
}

void
sim_world_path_make(struct sim_world_path *p, struct rng *r, struct geo_point a,
    struct geo_point b, double detour)
{
	double dist = geo_distance_m(a, b);
	double t[SIM_WORLD_PATH_MAX], z[SIM_WORLD_PATH_MAX];
	size_t k = 1 + rng_below(r, 4); /* 1-4 interior points: 3-6 in all */
	double bearing, target, lo, hi;
	double sign = rng_uniform(r) < 0.5 ? -1.0 : 1.0;

	for (size_t i = 0; i < k; i++) {
		t[i] = ((double)i + 1 + rng_range(r, -0.3, 0.3)) / (double)(k + 1);
		z[i] = sign * rng_range(r, 0.3, 1.0);
		if (rng_uniform(r) < 0.5)
			sign = -sign;
	}
	if (dist < 1.0 || detour <= 1.0 + 1e-6) {
		p->n = 2;
		p->pt[0] = a;
		p->pt[1] = b;
		path_cum(p);
		return;
	}
	bearing = geo_bearing_deg(a, b);
	target = detour * dist;
	lo = 0;
	hi = dist;
	for (int i = 0; i < 60; i++) {
		path_shape(p, a, b, bearing, dist, t, z, k, hi);
		if (p->cum_m[p->n - 1] >= target)
			break;
		lo = hi;
		hi *= 2;
	}
	for (int i = 0; i < 100; i++) {
		double mid = (lo + hi) / 2;
		path_shape(p, a, b, bearing, dist, t, z, k, mid);
		double len = p->cum_m[p->n - 1];
		if (fabs(len - target) <= target * 1e-4)
			return;
		if (len < target)
			lo = mid;
		else
			hi = mid;
	}
	path_shape(p, a, b, bearing, dist, t, z, k, (lo + hi) / 2);
}

void
sim_world_path_away(struct sim_world_path *p, struct rng *r, struct geo_point a,
    struct geo_point b, double detour, double away_m)
{
	struct sim_world_path rest;
	struct geo_point turn = geo_destination(a, geo_bearing_deg(b, a), away_m);

	sim_world_path_make(&rest, r, turn, b, detour);
	if (rest.n + 1 > SIM_WORLD_PATH_MAX)	/* never: path_make gives at most 6 */
		rest.n = SIM_WORLD_PATH_MAX - 1;
	p->n = rest.n + 1;
	p->pt[0] = a;
	memcpy(&p->pt[1], rest.pt, rest.n * sizeof rest.pt[0]);
	p->pt[p->n - 1] = b;
	path_cum(p);
}

double
sim_world_path_length(const struct sim_world_path *p)
{
	return p->n > 0 ? p->cum_m[p->n - 1] : 0;
}

struct geo_point
sim_world_path_at(const struct sim_world_path *p, double along_m, double *heading)
{
	size_t i;

	if (p->n == 0)
		return (struct geo_point){ 0, 0 };
	if (p->n == 1 || along_m >= p->cum_m[p->n - 1]) {
		/* the heading of the last segment with a length */
		if (heading != NULL) {
			*heading = 0;
			for (i = p->n - 1; i > 0; i--) {
				if (p->cum_m[i] > p->cum_m[i - 1]) {
					*heading = geo_bearing_deg(p->pt[i - 1], p->pt[i]);
					break;
				}
			}
		}
		return p->pt[p->n - 1];
	}
	if (along_m < 0)
		along_m = 0;
	for (i = 0; i + 2 < p->n && along_m >= p->cum_m[i + 1]; i++)
		;
	/* skip zero-length segments */
	while (i + 2 < p->n && p->cum_m[i + 1] <= p->cum_m[i])
		i++;
	double b = geo_bearing_deg(p->pt[i], p->pt[i + 1]);
	if (heading != NULL)
		*heading = b;
	return geo_destination(p->pt[i], b, along_m - p->cum_m[i]);
}

/* The turn at interior point i in degrees, 0..180. */
static double
path_turn(const struct sim_world_path *p, size_t i)
{
	double a = geo_bearing_deg(p->pt[i - 1], p->pt[i]);
	double b = geo_bearing_deg(p->pt[i], p->pt[i + 1]);
	double dd = fabs(fmod(b - a + 540.0, 360.0) - 180.0);

	return dd;
}


/* ------------------------------------------------------------------ motion */

/* Moving time (ms) between t0 and t1, leaving out the stall. */
static double
mv_moving(const struct motion *m, int64_t t0, int64_t t1)
{
	double dt = (double)(t1 - t0);

	if (m->stall_to > m->stall_from) {
		int64_t a = t0 > m->stall_from ? t0 : m->stall_from;
		int64_t b = t1 < m->stall_to ? t1 : m->stall_to;
		if (b > a)
			dt -= (double)(b - a);
	}
	return dt > 0 ? dt : 0;
}

/* Where a truck at along gets after ms of driving. */
static double
mv_dist(const struct motion *m, double along, double ms)
{
	if (along < m->fast_from) {
		double slow = (m->fast_from - along) / m->v;
		if (ms <= slow)
			along += ms * m->v;
		else
			along = m->fast_from + (ms - slow) * m->v_fast;
	} else {
		along += ms * m->v_fast;
	}
	return along < m->len ? along : m->len;
}

/* Driving time (ms) from along a to along b >= a. */
static double
mv_need(const struct motion *m, double a, double b)
{
	double ms = 0;

	if (a < m->fast_from) {
		double x = b < m->fast_from ? b : m->fast_from;
		ms += (x - a) / m->v;
		a = x;
	}
	if (b > a)
		ms += (b - a) / m->v_fast;
	return ms;
}

/* The wall time when ms of driving have been done since t0. */
static int64_t
mv_wall(const struct motion *m, int64_t t0, double ms)
{
	double t = (double)t0 + ms;

	if (m->stall_to > m->stall_from) {
		if (t0 < m->stall_from) {
			if (t > (double)m->stall_from)
				t += (double)(m->stall_to - m->stall_from);
		} else if (t0 < m->stall_to) {
			t = (double)m->stall_to + ms;
		}
	}
	return (int64_t)ceil(t);
}

void
mv_next_turn(struct motion *m)
{
	m->t_turn = INT64_MAX;
	for (; m->wp + 1 < m->path.n; m->wp++) {
		if (path_turn(&m->path, m->wp) < TURN_DEG)
			continue;
		double at = m->path.cum_m[m->wp];
		if (at <= m->along)
			m->t_turn = m->t_along;
		else
			m->t_turn = mv_wall(m, m->t_along, mv_need(m, m->along, at));
		return;
	}
}

/* Plan a trip along path from t: speeds in km/h; the fast part starts at fast_frac of the
 * length (1: none). */
void
mv_plan(struct motion *m, const struct sim_world_path *path, double kmh, double fast_kmh,
    double fast_frac)
{
	memset(m, 0, sizeof *m);
	m->path = *path;
	m->len = sim_world_path_length(path);
	m->v = kmh / 3600.0;
	m->v_fast = fast_kmh / 3600.0;
	m->fast_from = fast_frac * m->len;
	if (m->v <= 0)
		m->v = 1e-3;
	if (m->v_fast <= 0)
		m->v_fast = m->v;
}

int64_t
mv_trip_ms(const struct motion *m)
{
	return (int64_t)ceil(mv_need(m, 0, m->len));
}

void
mv_go(struct motion *m, int64_t t)
{
	m->on = true;
	m->along = 0;
	m->t_along = t;
	m->t_arrive = mv_wall(m, t, mv_need(m, 0, m->len));
	m->wp = 1;
	mv_next_turn(m);
}

static bool
mv_stalled(const struct motion *m, int64_t t)
{
	return m->stall_to > m->stall_from && t >= m->stall_from && t < m->stall_to;
}

double
mv_speed_kmh(const struct motion *m, int64_t t)
{
	if (!m->on || mv_stalled(m, t) || m->along >= m->len)
		return 0;
	return (m->along < m->fast_from ? m->v : m->v_fast) * 3600.0;
}

/* Bring the truck's position up to t. */
void
truck_move(struct truck *k, int64_t t)
{
	struct motion *m = &k->mv;

	if (!m->on || t <= m->t_along)
		return;
	m->along = mv_dist(m, m->along, mv_moving(m, m->t_along, t));
	m->t_along = t;
	k->pos = sim_world_path_at(&m->path, m->along, &k->heading);
}

/* Where the truck is at t, without moving it. */
struct geo_point
truck_pos_at(const struct truck *k, int64_t t)
{
	const struct motion *m = &k->mv;

	if (!m->on || t <= m->t_along)
		return k->pos;
	return sim_world_path_at(&m->path, mv_dist(m, m->along, mv_moving(m, m->t_along, t)),
	    NULL);
}

void
truck_stop(struct truck *k, int64_t t)
{
	truck_move(k, t);
	k->mv.on = false;
}
