/* dispatch.c: rank the trucks that could serve a ticket (see dispatch.h). Pure: no I/O, no
 * clock.
 *
 * The index query is repeated with a doubled k while the k-th best score so far is not below
 * the lower bound of what a truck beyond the farthest one fetched could score: the bound is
 * the model's travel-time bound for that distance, since every other term is >= 0. Scoring
 * is the same function on both paths, so dispatch_rank and dispatch_rank_brute agree to the
 * bit (same candidates, same order) whenever the widening was not capped. */
#include "dispatch.h"

#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "civil.h"
#include "util.h"

#define DEFAULT_DETOUR 1.4
#define DEFAULT_KMH 30.0
#define DEFAULT_ONSCENE_S 1200

/* ---- time and the built-in ETA model ---- */

int64_t
dispatch_day(int64_t ms)
{
	return civil_local_day(ms, CIVIL_TZ_CHINA_S);
}

double
dispatch_speed_kmh(const struct data_region *r, int64_t now, bool expressway)
{
	if (r == NULL)
		return DEFAULT_KMH;
	return data_region_speed_kmh(r, civil_local_hour(now, CIVIL_TZ_CHINA_S), expressway);
}

int64_t
dispatch_leg_ms(const struct dispatch_ticket *t, double dist_m, int64_t now)
{
	double detour = t->region ? t->region->detour : DEFAULT_DETOUR;
	double kmh = dispatch_speed_kmh(t->region, now, (t->flags & TICKET_FLAG_EXPRESSWAY) != 0);
	if (!(kmh >= 1))
		kmh = 1;
	if (!(dist_m > 0))
		return 0;
	return llround(dist_m * detour / (kmh / 3.6) * 1000.0);
}

static int64_t
builtin_travel(const struct dispatch_eta_model *m, const struct dispatch_ticket *t,
    struct geo_point from, double dist_m, int64_t now)
{
	(void)m;
	(void)from;
	return dispatch_leg_ms(t, dist_m, now);
}

static int64_t
builtin_bound(const struct dispatch_eta_model *m, const struct dispatch_ticket *t, double dist_m,
    int64_t now)
{
	(void)m;
	return dispatch_leg_ms(t, dist_m, now);
}

const struct dispatch_eta_model dispatch_eta_builtin = {
	.src = "model", .travel_ms = builtin_travel, .bound_ms = builtin_bound, .ctx = NULL,
};

/* ---- rules ---- */

void
dispatch_tuning_from(struct dispatch_tuning *t, const struct data_dispatch *w)
{
	*t = (struct dispatch_tuning){
		.shortlist = (size_t)w->shortlist, .widen_max = (size_t)w->widen_max,
		.max_m = w->max_km * 1000.0, .max_age_factor = w->max_age_factor,
		.pref_s = w->pref_s, .pref_load_s = w->pref_load_s, .quality_s = w->quality_s,
		.quality_unknown = w->quality_unknown, .load_s = w->load_s,
		.rot_offer_s = w->rot_offer_s, .rot_offer_cap = w->rot_offer_cap,
		.rot_recent_s = w->rot_recent_s, .rot_recent_min = w->rot_recent_min,
		.rot_supplier_s = w->rot_supplier_s, .rot_supplier_cap = w->rot_supplier_cap,
		.stale_s = w->stale_s, .stale_after_s = w->stale_after_s, .busy_s = w->busy_s,
		.busy_factor = w->busy_factor, .tow_leg_km = w->tow_leg_km,
		.job_min_s = w->job_min_s, .redispatch_gain_s = w->redispatch_gain_s,
		.chain_s = w->chain_s,
	};
}

void
dispatch_tuning_default(struct dispatch_tuning *t)
{
	struct data_dispatch w;

	data_dispatch_default(&w);
	dispatch_tuning_from(t, &w);
}

void
dispatch_rules_init(struct dispatch_rules *r, const struct data *d)
{
	memset(r, 0, sizeof *r);
	for (int f = 0; f < FAULT_COUNT; f++) {
		r->kinds[f] = d->faults[f].kinds;
		r->prefer[f] = d->faults[f].prefer;
		r->onscene_s[f] = d->faults[f].onscene_min * 60;
		r->tow[f] = d->faults[f].tow != 0;
	}
	r->gps_stale_s = d->sla.gps_stale_s;
	dispatch_tuning_from(&r->tune, &d->dispatch);
}

_Static_assert(2 + FAULT_COUNT + TRUCK_KIND_COUNT <= 32, "geo mask bits");

uint32_t
dispatch_mask(const struct dispatch_rules *r, enum truck_kind kind, enum truck_status status)
{
	uint32_t m = 0;
	if (status == TRUCK_AVAILABLE)
		m |= DISPATCH_MASK_POOL | DISPATCH_MASK_AVAILABLE;
	else if (status == TRUCK_ON_SCENE || status == TRUCK_TOWING)
		m |= DISPATCH_MASK_POOL;
	for (int f = 0; f < FAULT_COUNT; f++)
		if (r->kinds[f] & (1u << kind))
			m |= DISPATCH_MASK_FAULT(f);
	if ((unsigned)kind < TRUCK_KIND_COUNT)
		m |= DISPATCH_MASK_KIND(kind);
	return m;
}

/* ---- scoring ---- */

static bool
skipped(const struct dispatch_query *q, uint32_t id)
{
	for (size_t i = 0; i < q->n_skip; i++)
		if (q->skip[i] == id)
			return true;
	return false;
}

/* Time until a job ends when it is expected to take `expect` and has run `elapsed`: what is
 * left, but never less than min; a job that overran is expected to need half its overrun
 * again. */
static int64_t
left_ms(int64_t expect, int64_t elapsed, int64_t min)
{
	if (elapsed <= expect)
		return expect - elapsed > min ? expect - elapsed : min;
	return min + (elapsed - expect) / 2;
}

static int64_t
job_left(const struct dispatch_rules *r, const struct dispatch_truck *k,
    const struct dispatch_query *q)
{
	struct dispatch_ticket road = q->ticket;
	int f = k->job_fault;
	bool known = f >= 0 && f < FAULT_COUNT;
	int64_t scene = (int64_t)(known ? r->onscene_s[f] : DEFAULT_ONSCENE_S) * 1000;
	int64_t min = (int64_t)r->tune.job_min_s * 1000;
	int64_t elapsed = k->job_since > 0 && q->now > k->job_since ? q->now - k->job_since : 0;

	road.flags &= ~(uint32_t)TICKET_FLAG_EXPRESSWAY; /* to a garage in town */
	int64_t leg = dispatch_leg_ms(&road, r->tune.tow_leg_km * 1000.0, q->now);
	if (k->status == TRUCK_TOWING)
		return left_ms(leg, elapsed, min);
	return left_ms(scene + (known && r->tow[f] ? leg : 0), elapsed, min);
}

/* Fill c for truck k (id) at dist_m from the ticket; false when it may not be proposed. */
static bool
consider(const struct dispatch_rules *r, const struct dispatch_eta_model *m,
    const struct dispatch_fleet *f, const struct dispatch_query *q, uint32_t id,
    const struct dispatch_truck *k, double dist_m, struct dispatch_candidate *c)
{
	const struct dispatch_tuning *tu = &r->tune;
	int fault = q->ticket.fault;

	if (!k->placed || (unsigned)k->kind >= TRUCK_KIND_COUNT)
		return false;
	if (k->status != TRUCK_AVAILABLE && (q->available_only ||
	    (k->status != TRUCK_ON_SCENE && k->status != TRUCK_TOWING)))
		return false;
	if ((unsigned)fault >= FAULT_COUNT)
		return false;
	if (q->need ? k->kind != q->need_kind : !(r->kinds[fault] & (1u << k->kind)))
		return false;
	if (skipped(q, id) || k->chained)
		return false;
	int64_t age = q->now - k->fix_ts;
	if (age < 0)
		age = 0;
	int64_t stale_ms = (int64_t)r->gps_stale_s * 1000;
	if (age > stale_ms * tu->max_age_factor)
		return false;

	memset(c, 0, sizeof *c);
	c->id = id;
	c->truck = k->id ? k->id : "";
	c->supplier = k->supplier;
	c->kind = k->kind;
	c->status = k->status;
	c->dist_m = dist_m;
	c->travel_ms = m->travel_ms(m, &q->ticket, k->pos, dist_m, q->now);
	if (c->travel_ms < 0)
		c->travel_ms = 0;
	c->job_ms = k->status == TRUCK_AVAILABLE ? 0 : job_left(r, k, q);
	c->job_tow = k->status == TRUCK_TOWING || (k->status == TRUCK_ON_SCENE &&
	    k->job_fault >= 0 && k->job_fault < FAULT_COUNT && r->tow[k->job_fault]);
	c->gps_age_ms = age;
	c->stale = age > stale_ms;
	c->eta_src = c->stale ? "stale" : m->src;
	c->prefer = q->need ? (int)q->need_kind : r->prefer[fault];
	c->offers_today = k->offers_today > 0 ? k->offers_today : 0;
	c->last_offer = k->last_offer;
	c->quality = tu->quality_unknown;
	double per_truck = 0;
	if (k->supplier >= 0 && (size_t)k->supplier < f->n_suppliers) {
		const struct dispatch_supplier *s = &f->suppliers[k->supplier];
		c->quality = s->quality;
		if (s->trucks > 0) {
			c->load = (double)s->busy / s->trucks;
			per_truck = (double)s->offers_today / s->trucks;
		}
	}
	c->quality = fmin(fmax(c->quality, 0), 1);
	c->load = fmin(fmax(c->load, 0), 1);
	per_truck = fmin(fmax(per_truck, 0), tu->rot_supplier_cap);

	double s = (double)c->travel_ms / 1000.0;
	if (k->status != TRUCK_AVAILABLE)
		s += (double)c->job_ms / 1000.0 * tu->busy_factor + tu->busy_s;
	if (c->prefer >= 0 && c->prefer != (int)c->kind)
		s += tu->pref_s + c->load * tu->pref_load_s;
	s += (1 - c->quality) * tu->quality_s;
	s += c->load * tu->load_s;
	s += (c->offers_today < tu->rot_offer_cap ? c->offers_today : tu->rot_offer_cap) *
	    tu->rot_offer_s;
	int64_t window = (int64_t)tu->rot_recent_min * 60000;
	if (c->last_offer > 0 && window > 0 && q->now - c->last_offer < window) {
		int64_t since = q->now - c->last_offer;
		if (since < 0)
			since = 0;
		s += tu->rot_recent_s * (1.0 - (double)since / (double)window);
	}
	s += per_truck * tu->rot_supplier_s;
	if (c->stale && age > (int64_t)tu->stale_after_s * 1000)
		s += tu->stale_s;
	c->score = s;
	return true;
}

static bool
better(const struct dispatch_candidate *a, const struct dispatch_candidate *b)
{
	if (a->score != b->score)
		return a->score < b->score;
	if (a->last_offer != b->last_offer)
		return a->last_offer < b->last_offer;
	return a->id < b->id;
}

/* Insert c into the sorted out[0..*n) of capacity k. */
static void
keep(struct dispatch_candidate *out, size_t *n, size_t k, const struct dispatch_candidate *c)
{
	size_t i = *n;
	if (i == k) {
		if (!better(c, &out[k - 1]))
			return;
		i = k - 1;
	} else {
		(*n)++;
	}
	for (; i > 0 && better(c, &out[i - 1]); i--)
		out[i] = out[i - 1];
	out[i] = *c;
}

size_t
dispatch_rank(const struct dispatch_rules *r, const struct dispatch_eta_model *m,
    const struct dispatch_fleet *f, const struct dispatch_query *q, size_t k,
    struct dispatch_candidate *out, struct dispatch_stats *st)
{
	struct geo_hit hits[DISPATCH_WIDEN_LIMIT];
	struct dispatch_stats dummy;
	struct dispatch_truck tk;
	struct dispatch_candidate c;
	size_t n_out = 0;

	if (st == NULL)
		st = &dummy;
	memset(st, 0, sizeof *st);
	if (k == 0 || (unsigned)q->ticket.fault >= FAULT_COUNT)
		return 0;
	if (k > DISPATCH_K_MAX)
		k = DISPATCH_K_MAX;
	size_t cap = r->tune.widen_max;
	if (cap > DISPATCH_WIDEN_LIMIT)
		cap = DISPATCH_WIDEN_LIMIT;
	size_t want = r->tune.shortlist > k ? r->tune.shortlist : k;
	if (cap < want)
		cap = want > DISPATCH_WIDEN_LIMIT ? DISPATCH_WIDEN_LIMIT : want;
	if (want > cap)
		want = cap;
	uint32_t mask = (q->available_only ? DISPATCH_MASK_AVAILABLE : DISPATCH_MASK_POOL) |
	    (q->need ? DISPATCH_MASK_KIND(q->need_kind) : DISPATCH_MASK_FAULT(q->ticket.fault));

	for (;;) {
		size_t n = geo_index_nearest(f->geo, q->ticket.pos, mask, want, r->tune.max_m,
		    hits);
		st->rounds++;
		st->fetched = n;
		n_out = 0;
		for (size_t i = 0; i < n; i++) {
			if (!f->get(f->ctx, hits[i].id, &tk))
				continue;
			if (consider(r, m, f, q, hits[i].id, &tk, hits[i].dist_m, &c))
				keep(out, &n_out, k, &c);
		}
		if (n < want)
			break; /* every truck in range was seen */
		if (m->bound_ms == NULL) {
			st->capped = true;
			break;
		}
		double bound = (double)m->bound_ms(m, &q->ticket, hits[n - 1].dist_m, q->now) /
		    1000.0;
		if (n_out == k && out[k - 1].score < bound)
			break; /* nobody farther can make the list */
		if (want >= cap) {
			st->capped = true;
			break;
		}
		want = want * 2 < cap ? want * 2 : cap;
	}
	return n_out;
}

size_t
dispatch_rank_brute(const struct dispatch_rules *r, const struct dispatch_eta_model *m,
    const struct dispatch_fleet *f, const struct dispatch_query *q, size_t k,
    struct dispatch_candidate *out)
{
	struct dispatch_truck tk;
	struct dispatch_candidate c;
	size_t n_out = 0;

	if (k == 0 || (unsigned)q->ticket.fault >= FAULT_COUNT)
		return 0;
	if (k > DISPATCH_K_MAX)
		k = DISPATCH_K_MAX;
	for (uint32_t id = 0; id < f->n_ids; id++) {
		if (!f->get(f->ctx, id, &tk) || !tk.placed)
			continue;
		double d = geo_distance_m(q->ticket.pos, tk.pos);
		if (r->tune.max_m > 0 && d > r->tune.max_m)
			continue;
		if (consider(r, m, f, q, id, &tk, d, &c))
			keep(out, &n_out, k, &c);
	}
	return n_out;
}

int64_t
dispatch_job_ms(const struct dispatch_rules *r, const struct dispatch_truck *k,
    const struct dispatch_ticket *t, int64_t now)
{
	struct dispatch_query q = { .ticket = *t, .now = now };

	if (k->status != TRUCK_ON_SCENE && k->status != TRUCK_TOWING)
		return 0;
	return job_left(r, k, &q);
}

bool
dispatch_chain_ok(const struct dispatch_rules *r, const struct dispatch_candidate *c)
{
	return r->tune.chain_s > 0 && c->status == TRUCK_ON_SCENE && !c->job_tow &&
	    c->job_ms <= (int64_t)r->tune.chain_s * 1000;
}

/* ---- why ---- */

struct line {
	char *buf;
	size_t n, len;
};

static void add(struct line *l, const char *fmt, ...) RD_PRINTF(2, 3);

static void
add(struct line *l, const char *fmt, ...)
{
	va_list ap;
	size_t room = l->len < l->n ? l->n - l->len : 0;

	if (l->len > 0) {
		int w = snprintf(room ? l->buf + l->len : NULL, room, " \xc2\xb7 ");
		l->len += (size_t)(w > 0 ? w : 0);
		room = l->len < l->n ? l->n - l->len : 0;
	}
	va_start(ap, fmt);
	int w = vsnprintf(room ? l->buf + l->len : NULL, room, fmt, ap);
	va_end(ap);
	l->len += (size_t)(w > 0 ? w : 0);
}

static int64_t
ceil_min(int64_t ms)
{
	return ms <= 0 ? 0 : (ms + 59999) / 60000;
}

size_t
dispatch_why(const struct dispatch_candidate *c, char *buf, size_t n)
{
	struct line l = { .buf = buf, .n = n, .len = 0 };

	if (n > 0)
		buf[0] = '\0';
	if (c->status == TRUCK_ON_SCENE || c->status == TRUCK_TOWING)
		add(&l, "%s, free in ~%" PRId64 " min", c->status == TRUCK_TOWING ? "towing" :
		    "on scene", ceil_min(c->job_ms));
	add(&l, "%.1f km", c->dist_m / 1000.0);
	add(&l, "ETA %" PRId64 " min (%s)", ceil_min(c->travel_ms + c->job_ms), c->eta_src);
	if (c->gps_age_ms < 60000)
		add(&l, "GPS %" PRId64 " s%s", c->gps_age_ms / 1000, c->stale ? " (stale)" : "");
	else
		add(&l, "GPS %" PRId64 " min%s", c->gps_age_ms / 60000, c->stale ? " (stale)" : "");
	if (c->prefer < 0)
		add(&l, "%s", truck_kind_name(c->kind));
	else if (c->prefer == (int)c->kind)
		add(&l, "%s preferred", truck_kind_name(c->kind));
	else
		add(&l, "%s, %s preferred", truck_kind_name(c->kind),
		    truck_kind_name((enum truck_kind)c->prefer));
	add(&l, "load %d%%", (int)lround(c->load * 100));
	add(&l, "quality %.2f", c->quality);
	add(&l, "%d offer%s today", c->offers_today, c->offers_today == 1 ? "" : "s");
	if (n > 0 && l.len >= n) {
		/* truncated: do not leave half a UTF-8 sequence at the end */
		size_t e = n - 1, s = e;
		while (s > 0 && ((unsigned char)buf[s - 1] & 0xc0) == 0x80)
			s--;
		if (s > 0) {
			unsigned char lead = (unsigned char)buf[s - 1];
			size_t need = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
			if (e - (s - 1) < need)
				e = s - 1;
		}
		buf[e] = '\0';
	}
	return l.len;
}
