/* check-sim-world.c: the simulator's pure model: demand, callers, paths,
 * movement, supplier behaviour and fault injection. The world is driven by a small fake
 * broker in this file (dispatch to the nearest available able truck, the state table of
 * ticket.h), all in simulated time: no sockets, no sleeps. */
#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "civil.h"
#include "data.h"
#include "flow.h"
#include "geo.h"
#include "sim-world.h"
#include "ticket.h"

#ifndef SOURCE_DATA_DIR
#define SOURCE_DATA_DIR "data"
#endif

#define SEC 1000LL
#define MIN (60 * SEC)
#define HOUR (60 * MIN)
#define DAY (24 * HOUR)
/* Monday 2024-03-04 00:00 in China (UTC+8). */
#define T0 1709481600000LL

static struct data *data;
static struct flow_set *flows;

static void
load_data(void)
{
	char *cause = NULL;

	data = data_load(SOURCE_DATA_DIR, &cause);
	if (data == NULL) {
		fprintf(stderr, "check-sim-world: %s\n", cause);
		free(cause);
		abort();
	}
	flows = flow_set_open(SOURCE_DATA_DIR "/diagnosis", SOURCE_DATA_DIR "/faults.ini",
	    &cause);
	if (flows == NULL) {
		fprintf(stderr, "check-sim-world: %s\n", cause);
		free(cause);
		abort();
	}
}

static void
free_data(void)
{
	flow_set_free(flows);
	flows = NULL;
	data_free(data);
	data = NULL;
}

/* ---------------------------------------------------------------- time and demand */

/* Over 60 simulated days the count matches calls_per_day and the hourly profile. */
START_TEST(demand_rate)
{
	const struct data_region *cs = data_region(data, "changsha");
	double per_hour[24], share_sum = 0;
	long by_hour[24] = { 0 }, n = 0;
	struct rng r;
	const int days = 60;
	int64_t t = T0;

	ck_assert_ptr_nonnull(cs);
	for (int h = 0; h < 24; h++)
		share_sum += data->demand_by_hour[h];
	for (int h = 0; h < 24; h++)
		per_hour[h] = cs->calls_per_day * data->demand_by_hour[h] / share_sum;
	rng_seed(&r, 3, 1);
	for (;;) {
		int64_t next = sim_world_next_arrival(&r, per_hour, t, CIVIL_TZ_CHINA_S);
		ck_assert_int_ge(next, t);
		if (next >= T0 + days * DAY)
			break;
		by_hour[civil_local_hour(next, CIVIL_TZ_CHINA_S)]++;
		n++;
		t = next;
	}
	double expect = cs->calls_per_day * days; /* 13200, sd ~115 */
	ck_assert_double_eq_tol((double)n, expect, expect * 0.03);
	/* the morning peak and the night trough, each within 15% */
	for (int h = 0; h < 24; h++) {
		double e = expect * data->demand_by_hour[h] / share_sum;
		if (e > 400)
			ck_assert_double_eq_tol((double)by_hour[h], e, e * 0.15);
	}
	ck_assert_int_gt(by_hour[8], 8 * by_hour[3]);
}
END_TEST

START_TEST(demand_edges)
{
	double none[24] = { 0 }, one[24] = { 0 };
	struct rng r;
	int64_t t = T0;

	rng_seed(&r, 5, 1);
	ck_assert(sim_world_next_arrival(&r, none, T0, CIVIL_TZ_CHINA_S) == INT64_MAX);
	one[14] = 30; /* every arrival falls in 14:00-15:00 local */
	for (int i = 0; i < 500; i++) {
		t = sim_world_next_arrival(&r, one, t, CIVIL_TZ_CHINA_S);
		ck_assert_int_eq(civil_local_hour(t, CIVIL_TZ_CHINA_S), 14);
	}
	/* 500 arrivals at 30 a day take about 16.7 days */
	ck_assert_int_gt(t, T0 + 13 * DAY);
	ck_assert_int_lt(t, T0 + 21 * DAY);
}
END_TEST

START_TEST(fault_mix)
{
	struct rng r;
	long count[FAULT_COUNT] = { 0 };
	const long n = 100000;
	double total = 0;

	for (int f = 0; f < FAULT_COUNT; f++)
		total += data->faults[f].share;
	rng_seed(&r, 9, 1);
	for (long i = 0; i < n; i++)
		count[sim_world_pick_fault(&r, data)]++;
	for (int f = 0; f < FAULT_COUNT; f++)
		ck_assert_double_eq_tol(100.0 * count[f] / n, 100.0 * data->faults[f].share / total,
		    0.6);
}
END_TEST

START_TEST(speeds)
{
	const struct data_region *cs = data_region(data, "changsha");
	static const struct {
		int hour;
		bool ex;
		int which; /* 0 normal, 1 peak, 2 expressway */
	} cases[] = {
		{ 3, false, 0 }, { 7, false, 1 }, { 8, false, 1 }, { 9, false, 0 },
		{ 12, false, 0 }, { 17, false, 1 }, { 18, false, 1 }, { 19, false, 0 },
		{ 8, true, 2 }, { 23, true, 2 },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		double want = cases[i].which == 0 ? cs->speed_kmh :
		    cases[i].which == 1 ? cs->speed_peak_kmh : cs->speed_expressway_kmh;
		ck_assert_double_eq(data_region_speed_kmh(cs, cases[i].hour, cases[i].ex), want);
	}
}
END_TEST

/* ---------------------------------------------------------------- callers */

START_TEST(phones)
{
	struct rng r;
	char p[25];

	rng_seed(&r, 11, 1);
	for (int i = 0; i < 5000; i++) {
		sim_world_phone(&r, p, sizeof p);
		ck_assert_uint_eq(strlen(p), 11);
		ck_assert_int_eq(p[0], '1');
		ck_assert(p[1] >= '3' && p[1] <= '9');
		for (int j = 0; j < 11; j++)
			ck_assert(p[j] >= '0' && p[j] <= '9');
		ck_assert_ptr_null(ticket_phone_invalid(p));
	}
}
END_TEST

static bool
plate_char(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z' && c != 'I' && c != 'O');
}

static const struct {
	const char *region;
	const char *local;
	double min_local; /* share of local plates at least */
} plate_cases[] = {
	{ "changsha", "湘A", 0.85 },
	{ "ningxiang", "湘A", 0.85 },
	{ "aba", "川U", 0.55 },
};

START_TEST(plates)
{
	struct rng r;
	char p[17];
	int local = 0;
	const int n = 4000;

	rng_seed(&r, 12, 1);
	for (int i = 0; i < n; i++) {
		char nev = "\0DF\0"[i % 4];
		bool ev = nev != 0;
		sim_world_plate(&r, plate_cases[_i].region, nev, p, sizeof p);
		/* a province character (3 bytes of UTF-8), a letter, then 5 or 6 more */
		ck_assert_uint_eq(strlen(p), ev ? 10 : 9);
		ck_assert((unsigned char)p[0] >= 0xe4);
		ck_assert(p[3] >= 'A' && p[3] <= 'Z');
		const char *body = p + 4;
		int letters = 0;
		for (const char *c = body; *c; c++) {
			ck_assert(plate_char(*c));
			letters += *c >= 'A' && *c <= 'Z';
		}
		if (ev) {
			ck_assert_int_eq(body[0], nev);
		} else {
			ck_assert_int_le(letters, 2);
			ck_assert(body[4] >= '0' && body[4] <= '9');
		}
		local += strncmp(p, plate_cases[_i].local, strlen(plate_cases[_i].local)) == 0;
	}
	ck_assert_double_ge(local / (double)n, plate_cases[_i].min_local);
	ck_assert_double_lt(local / (double)n, 1.0);
}
END_TEST

static bool
utf8_ok(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	while (*p) {
		int n = *p < 0x80 ? 0 : (*p & 0xe0) == 0xc0 ? 1 : (*p & 0xf0) == 0xe0 ? 2 :
		    (*p & 0xf8) == 0xf0 ? 3 : -1;
		if (n < 0)
			return false;
		p++;
		for (int i = 0; i < n; i++, p++)
			if ((*p & 0xc0) != 0x80)
				return false;
	}
	return true;
}

START_TEST(intakes)
{
	const struct data_region *reg = &data->regions[_i];
	struct rng r;
	struct sim_world_intake in;
	int ex = 0, at_landmark = 0, flagged = 0;
	const int n = 4000;

	rng_seed(&r, 13, 1);
	for (int i = 0; i < n; i++) {
		sim_world_intake_make(&r, data, reg, T0 + (int64_t)i * 7 * MIN, CIVIL_TZ_CHINA_S,
		    &in);
		ck_assert_str_eq(in.region, reg->id);
		ck_assert_uint_gt(strlen(in.customer), 0);
		ck_assert_uint_gt(strlen(in.address), 0);
		ck_assert_uint_gt(strlen(in.model), 0);
		ck_assert_ptr_null(ticket_phone_invalid(in.phone));
		ck_assert(utf8_ok(in.customer) && utf8_ok(in.address) && utf8_ok(in.notes) &&
		    utf8_ok(in.landmark) && utf8_ok(in.plate) && utf8_ok(in.model));
		ck_assert_int_ge((int)in.fault, 0);
		ck_assert_int_lt((int)in.fault, FAULT_COUNT);
		ck_assert_uint_eq(in.flags & ~(uint32_t)TICKET_FLAG_ALL, 0);
		double d = geo_distance_m((struct geo_point){ in.lat, in.lon },
		    (struct geo_point){ reg->lat, reg->lon });
		/* expressway points may lie a few km outside around an edge landmark */
		ck_assert_double_le(d, reg->radius_km * 1000 + 6500);
		if (in.flags & TICKET_FLAG_EXPRESSWAY)
			ex++;
		if (in.landmark[0]) {
			bool found = false;
			for (size_t j = 0; j < reg->n_landmarks; j++) {
				const struct data_landmark *lm = &reg->landmarks[j];
				if (strcmp(lm->name, in.landmark) == 0) {
					found = true;
					struct geo_point at = { in.lat, in.lon };
					struct geo_point lp = { lm->lat, lm->lon };
					ck_assert_double_le(geo_distance_m(at, lp), 1500);
				}
			}
			ck_assert(found);
			at_landmark++;
		}
		if (in.flags & (TICKET_FLAG_ALONE_NIGHT | TICKET_FLAG_VULNERABLE |
		    TICKET_FLAG_INJURY))
			flagged++;
	}
	ck_assert_double_eq_tol(ex / (double)n, reg->expressway_share, 0.02);
	ck_assert_double_gt(at_landmark / (double)n, 0.15);
	ck_assert_double_lt(at_landmark / (double)n, 0.5);
	/* priority flags stay rare */
	ck_assert_double_gt(flagged / (double)n, 0.02);
	ck_assert_double_lt(flagged / (double)n, 0.12);
}
END_TEST

START_TEST(intakes_reproducible)
{
	struct rng a, b;
	struct sim_world_intake x, y;
	const struct data_region *reg = data_region(data, "aba");

	rng_seed(&a, 77, 1);
	rng_seed(&b, 77, 1);
	for (int i = 0; i < 200; i++) {
		sim_world_intake_make(&a, data, reg, T0 + i * MIN, CIVIL_TZ_CHINA_S, &x);
		sim_world_intake_make(&b, data, reg, T0 + i * MIN, CIVIL_TZ_CHINA_S, &y);
		ck_assert_mem_eq(&x, &y, sizeof x);
	}
}
END_TEST

/* ---------------------------------------------------------------- paths */

START_TEST(paths)
{
	struct rng r;
	struct sim_world_path p;

	rng_seed(&r, 21, 1);
	for (int i = 0; i < 3000; i++) {
		struct geo_point a = { 28.2 + rng_range(&r, -0.3, 0.3),
			112.9 + rng_range(&r, -0.3, 0.3) };
		struct geo_point b = geo_destination(a, rng_range(&r, 0, 360),
		    rng_range(&r, 50, 200000));
		double detour = rng_range(&r, 1.0, 3.6);
		double d = geo_distance_m(a, b);

		sim_world_path_make(&p, &r, a, b, detour);
		ck_assert_uint_ge(p.n, 2);
		ck_assert_uint_le(p.n, 6);
		ck_assert(p.pt[0].lat == a.lat && p.pt[0].lon == a.lon);
		ck_assert(p.pt[p.n - 1].lat == b.lat && p.pt[p.n - 1].lon == b.lon);
		double len = sim_world_path_length(&p);
		ck_assert_double_eq_tol(len, detour * d, detour * d * 0.01 + 0.01);
		if (detour > 1.01)
			ck_assert_uint_ge(p.n, 3);
		/* walking along the path: each step moves about the step size */
		struct geo_point prev = sim_world_path_at(&p, 0, NULL);
		ck_assert_double_le(geo_distance_m(prev, a), 0.01);
		for (int s = 1; s <= 20; s++) {
			struct geo_point q = sim_world_path_at(&p, len * s / 20, NULL);
			ck_assert_double_le(geo_distance_m(prev, q), len / 20 + 1.0);
			prev = q;
		}
		ck_assert_double_le(geo_distance_m(prev, b), 0.01);
	}
}
END_TEST

START_TEST(path_degenerate)
{
	struct rng r;
	struct sim_world_path p;
	struct geo_point a = { 28.2, 112.9 };
	double h = -1;

	rng_seed(&r, 22, 1);
	sim_world_path_make(&p, &r, a, a, 1.4);
	ck_assert_uint_eq(p.n, 2);
	ck_assert_double_eq(sim_world_path_length(&p), 0);
	struct geo_point q = sim_world_path_at(&p, 100, &h);
	ck_assert(q.lat == a.lat && q.lon == a.lon);
	ck_assert_double_ge(h, 0);
}
END_TEST

/* ---------------------------------------------------------------- a fake broker */

#define FB_MAX_TICKETS 4096
#define FB_MAX_TRUCKS 256

struct fb_ticket {
	struct sim_world_ticket v;
	const struct data_region *reg;
	char declined[8][25];
	int n_declined;
	int n_states;
	enum ticket_state seen[16];
	bool ours;
	struct flow_walk walk;      /* the diagnosis session, when v.diag is not NONE */
	bool dispatch_now;
	int64_t diag_started, diag_first_answer;
	bool diag_hold;             /* the intake asked for the diagnosis hold */
	int64_t hold_until;         /* no automatic dispatch before then (0: no hold) */
	int64_t t_first_dispatch;
};

#define FB_HOLD (10 * MIN)          /* data/sla.ini diag_hold_s */

struct fb_truck {
	char id[25];
	enum truck_kind kind;
	char region[33];
	bool registered, off, placed;
	int64_t job;
	double lat, lon;
	int64_t last_fix;
	int n_fixes;
};

struct fix_rec {
	int64_t ts;
	double lat, lon, speed;
};

struct fb {
	struct sim_world *w;
	int64_t now;
	struct fb_ticket t[FB_MAX_TICKETS];
	size_t n_t;
	struct fb_truck k[FB_MAX_TRUCKS];
	size_t n_k;
	long illegal;       /* set_state the state table refuses */
	long late;          /* set_state on a ticket closed meanwhile (a race, refused) */
	long offers_by_us;
	long on_scene_far;  /* on_scene reported while the truck's last fix is far away */
	long cancel_refused;
	uint64_t hash;      /* of every action, for reproducibility */
	long n_actions;
	const char *watch;  /* record this truck's fixes */
	struct fix_rec *fixes;
	size_t n_fixes, cap_fixes;
	long status_off, status_on;
	long diag_refused;  /* diag ops the broker's rules refuse */
	long surveys;       /* survey answers sent ... */
	long survey_bad;    /* ... for a ticket not closed by a rescue or a phone fix */
};

static void
hash_bytes(uint64_t *h, const void *p, size_t n)
{
	const unsigned char *c = p;

	for (size_t i = 0; i < n; i++) {
		*h ^= c[i];
		*h *= 0x100000001b3ULL;
	}
}

static void
hash_action(uint64_t *h, const struct sim_world_action *a)
{
	int64_t la = (int64_t)llround(a->lat * 1e6), lo = (int64_t)llround(a->lon * 1e6);

	hash_bytes(h, &a->kind, sizeof a->kind);
	hash_bytes(h, &a->ts, sizeof a->ts);
	hash_bytes(h, &a->ticket, sizeof a->ticket);
	hash_bytes(h, a->truck, strlen(a->truck));
	hash_bytes(h, a->reason, strlen(a->reason));
	hash_bytes(h, &la, sizeof la);
	hash_bytes(h, &lo, sizeof lo);
	if (a->kind == SIM_WORLD_SET_STATE)
		hash_bytes(h, &a->state, sizeof a->state);
	hash_bytes(h, a->diag, strlen(a->diag));
	hash_bytes(h, &a->answer, sizeof a->answer);
	if (a->kind == SIM_WORLD_INTAKE) {
		hash_bytes(h, &a->intake.diag_hold, sizeof a->intake.diag_hold);
		hash_bytes(h, a->intake.customer, strlen(a->intake.customer));
		hash_bytes(h, a->intake.address, strlen(a->intake.address));
		hash_bytes(h, a->intake.plate, strlen(a->intake.plate));
	}
}

static struct fb_truck *
fb_truck(struct fb *fb, const char *id)
{
	for (size_t i = 0; i < fb->n_k; i++)
		if (strcmp(fb->k[i].id, id) == 0)
			return &fb->k[i];
	return NULL;
}

static void
fb_publish(struct fb *fb, struct fb_ticket *t)
{
	if (t->n_states < 16)
		t->seen[t->n_states++] = t->v.state;
	sim_world_ticket(fb->w, fb->now, &t->v);
}

static bool
fb_declined(const struct fb_ticket *t, const char *truck)
{
	for (int i = 0; i < t->n_declined; i++)
		if (strcmp(t->declined[i], truck) == 0)
			return true;
	return false;
}

static void
fb_dispatch(struct fb *fb, struct fb_ticket *t)
{
	struct fb_truck *best = NULL;
	double bd = 0;
	uint32_t kinds = data->faults[t->v.fault].kinds;

	if (!t->reg->auto_dispatch || fb->now < t->hold_until)
		return;
	for (size_t i = 0; i < fb->n_k; i++) {
		struct fb_truck *k = &fb->k[i];
		if (k->off || !k->placed || k->job != 0 || !(kinds & (1u << k->kind)) ||
		    fb_declined(t, k->id))
			continue;
		double d = geo_distance_m((struct geo_point){ k->lat, k->lon },
		    (struct geo_point){ t->v.lat, t->v.lon });
		if (d > 300000)
			continue;
		if (best == NULL || d < bd) {
			best = k;
			bd = d;
		}
	}
	if (best == NULL)
		return;
	best->job = t->v.id;
	strcpy(t->v.truck, best->id);
	t->v.state = TICKET_DISPATCHED;
	t->v.t_dispatched = fb->now;
	if (t->t_first_dispatch == 0)
		t->t_first_dispatch = fb->now;
	fb_publish(fb, t);
}

static void
fb_free_truck(struct fb *fb, struct fb_ticket *t)
{
	struct fb_truck *k = fb_truck(fb, t->v.truck);

	if (k != NULL && k->job == t->v.id)
		k->job = 0;
	t->v.truck[0] = '\0';
}

/* The broker's side of a diagnosis session: the walk, published as the sim sees it. */
static void
fb_diag_publish(struct fb *fb, struct fb_ticket *t)
{
	t->v.diag = flow_walk_ended(&t->walk) ? SIM_WORLD_DIAG_ENDED : SIM_WORLD_DIAG_RUNNING;
	t->v.diag_node[0] = '\0';
	t->v.diag_steps = (int)t->walk.n_steps;
	if (t->walk.node != NULL)
		strcpy(t->v.diag_node, t->walk.node->id);
	if (flow_walk_ended(&t->walk)) {
		int truck;
		if (flow_walk_result(&t->walk, &truck) == FLOW_SOLVED) {
			fb_free_truck(fb, t);
			t->v.state = TICKET_RESOLVED_REMOTE;
		}
	}
	fb_publish(fb, t);
	if (flow_walk_ended(&t->walk) && t->hold_until > 0) {
		/* the hold ends with the session: dispatch at once */
		t->hold_until = 0;
		if (t->v.state == TICKET_NEW)
			fb_dispatch(fb, t);
	}
}

static void
fb_diag(struct fb *fb, struct fb_ticket *t, const struct sim_world_action *a)
{
	bool running = t->v.diag == SIM_WORLD_DIAG_RUNNING;

	ck_assert_ptr_nonnull(t);
	if (ticket_state_final(t->v.state)) {
		fb->diag_refused++;
		return;
	}
	switch (a->kind) {
	case SIM_WORLD_DIAG_START: {
		const struct flow *fl = flow_set_flow(flows, a->diag);
		ck_assert_ptr_nonnull(fl);
		ck_assert(flow_serves(fl, (enum ticket_fault)t->v.fault));
		if (t->v.diag != SIM_WORLD_DIAG_NONE) {
			fb->diag_refused++;
			return;
		}
		flow_walk_start(&t->walk, flows, fl);
		t->diag_started = fb->now;
		fb_diag_publish(fb, t);
		break;
	}
	case SIM_WORLD_DIAG_ANSWER:
		if (!running || strcmp(a->diag, t->walk.node->id) != 0) {
			fb->diag_refused++;
			return;
		}
		ck_assert_int_eq(flow_walk_answer(&t->walk, (size_t)(a->answer - 1)), 0);
		if (t->diag_first_answer == 0)
			t->diag_first_answer = fb->now;
		fb_diag_publish(fb, t);
		break;
	case SIM_WORLD_DIAG_SAFETY:
		if (!running) {
			fb->diag_refused++;
			return;
		}
		ck_assert_int_eq(flow_walk_stop(&t->walk, flow_set_stop(flows, a->diag)), 0);
		fb_diag_publish(fb, t);
		break;
	case SIM_WORLD_DIAG_DISPATCH_NOW:
		if (!running) {
			fb->diag_refused++;
			return;
		}
		t->dispatch_now = true;
		if (t->hold_until > 0) {
			t->hold_until = 0;
			if (t->v.state == TICKET_NEW)
				fb_dispatch(fb, t);
		}
		break;
	default:
		break;
	}
}

static void
fb_action(struct fb *fb, const struct sim_world_action *a)
{
	struct fb_ticket *t = NULL;
	struct fb_truck *k;

	fb->n_actions++;
	hash_action(&fb->hash, a);
	if (a->ticket > 0 && (size_t)a->ticket <= fb->n_t)
		t = &fb->t[a->ticket - 1];
	switch (a->kind) {
	case SIM_WORLD_INTAKE:
		ck_assert_uint_lt(fb->n_t, FB_MAX_TICKETS);
		t = &fb->t[fb->n_t++];
		memset(t, 0, sizeof *t);
		t->v.id = (int64_t)fb->n_t;
		t->v.state = TICKET_NEW;
		t->v.lat = a->intake.lat;
		t->v.lon = a->intake.lon;
		t->v.fault = (int)a->intake.fault;
		t->v.flags = a->intake.flags;
		strcpy(t->v.region, a->intake.region);
		t->reg = data_region(data, a->intake.region);
		ck_assert_ptr_nonnull(t->reg);
		t->v.created = fb->now;
		t->v.promised = fb->now + (int64_t)((a->intake.flags & TICKET_FLAG_EXPRESSWAY) ?
		    t->reg->promise_expressway_min : t->reg->promise_min) * MIN;
		t->ours = true;
		/* as the broker does: the hold only for a fault with a flow */
		t->diag_hold = a->intake.diag_hold;
		if (t->diag_hold && flow_set_for_fault(flows, a->intake.fault) != NULL)
			t->hold_until = fb->now + FB_HOLD;
		sim_world_intake_done(fb->w, fb->now, a->seq, t->v.id);
		fb_publish(fb, t);
		fb_dispatch(fb, t);
		break;
	case SIM_WORLD_SET_STATE:
		ck_assert_ptr_nonnull(t);
		if (ticket_state_final(t->v.state)) {
			/* the customer cancelled while the supplier's word was on its way */
			fb->late++;
			break;
		}
		if (!ticket_transition_ok(t->v.state, a->state) || a->state == TICKET_DISPATCHED) {
			fb->illegal++;
			break;
		}
		/* only the truck holding the ticket speaks for it */
		ck_assert_str_eq(a->truck, t->v.truck);
		if (a->state == TICKET_NEW) {
			ck_assert_int_eq(strncmp(a->reason, "declined: ", 10), 0);
			if (t->n_declined < 8)
				strcpy(t->declined[t->n_declined++], t->v.truck);
			fb_free_truck(fb, t);
			t->v.state = TICKET_NEW;
			fb_publish(fb, t);
			fb_dispatch(fb, t);
			break;
		}
		if (a->state == TICKET_ACCEPTED)
			ck_assert_int_ge(a->eta_s, 600);
		if (a->state == TICKET_ON_SCENE) {
			k = fb_truck(fb, t->v.truck);
			t->v.t_on_scene = fb->now;
			/* the fix sent on arrival is at the scene, give or take GPS noise */
			if (k->last_fix == fb->now &&
			    geo_distance_m((struct geo_point){ k->lat, k->lon },
			    (struct geo_point){ t->v.lat, t->v.lon }) > 30)
				fb->on_scene_far++;
		}
		t->v.state = a->state;
		if (ticket_state_final(a->state))
			fb_free_truck(fb, t);
		fb_publish(fb, t);
		break;
	case SIM_WORLD_CANCEL:
		ck_assert_ptr_nonnull(t);
		ck_assert_uint_gt(strlen(a->reason), 0);
		if (!ticket_transition_ok(t->v.state, TICKET_CANCELLED)) {
			fb->cancel_refused++;
			break;
		}
		fb_free_truck(fb, t);
		t->v.state = TICKET_CANCELLED;
		fb_publish(fb, t);
		break;
	case SIM_WORLD_STATUS:
		k = fb_truck(fb, a->truck);
		if (k == NULL) {
			ck_assert_uint_lt(fb->n_k, FB_MAX_TRUCKS);
			k = &fb->k[fb->n_k++];
			memset(k, 0, sizeof *k);
			strcpy(k->id, a->truck);
			k->kind = a->truck_kind;
			strcpy(k->region, a->region);
		}
		k->registered = true;
		k->off = a->status == TRUCK_OFF_DUTY;
		if (k->off)
			fb->status_off++;
		else
			fb->status_on++;
		break;
	case SIM_WORLD_FIX:
		k = fb_truck(fb, a->truck);
		ck_assert_ptr_nonnull(k); /* registered before its first fix */
		ck_assert(!k->off);
		ck_assert(a->heading >= 0 && a->heading < 360);
		ck_assert(a->speed_kmh >= 0 && a->speed_kmh < 400);
		k->lat = a->lat;
		k->lon = a->lon;
		k->placed = true;
		k->last_fix = a->ts;
		k->n_fixes++;
		if (fb->watch != NULL && strcmp(fb->watch, a->truck) == 0) {
			if (fb->n_fixes == fb->cap_fixes) {
				fb->cap_fixes = fb->cap_fixes ? 2 * fb->cap_fixes : 256;
				fb->fixes = realloc(fb->fixes, fb->cap_fixes * sizeof *fb->fixes);
				ck_assert_ptr_nonnull(fb->fixes);
			}
			fb->fixes[fb->n_fixes++] = (struct fix_rec){ a->ts, a->lat, a->lon,
				a->speed_kmh };
		}
		break;
	case SIM_WORLD_DIAG_START:
	case SIM_WORLD_DIAG_ANSWER:
	case SIM_WORLD_DIAG_SAFETY:
	case SIM_WORLD_DIAG_DISPATCH_NOW:
		fb_diag(fb, t, a);
		break;
	case SIM_WORLD_SURVEY:
		ck_assert_ptr_nonnull(t);
		ck_assert(a->answer >= 0 && a->answer <= 10);
		fb->surveys++;
		fb->survey_bad += t->v.state != TICKET_COMPLETED &&
		    t->v.state != TICKET_RESOLVED_REMOTE;
		break;
	}
}

static void
fb_drain(struct fb *fb)
{
	struct sim_world_action a;

	while (sim_world_action_next(fb->w, &a)) {
		ck_assert_int_le(a.ts, fb->now);
		fb_action(fb, &a);
	}
}

/* Run the world with the fake broker from T0 + start for span, in steps of step ms. */
static void
fb_run(struct fb *fb, int64_t start, int64_t span, int64_t step)
{
	int64_t end = T0 + start + span;

	fb->now = T0 + start;
	sim_world_start(fb->w, fb->now);
	fb_drain(fb);
	while (fb->now < end) {
		fb->now += step;
		sim_world_advance(fb->w, fb->now);
		fb_drain(fb);
		if (fb->now % (30 * SEC) == 0) {
			for (size_t i = 0; i < fb->n_t; i++)
				if (fb->t[i].v.state == TICKET_NEW)
					fb_dispatch(fb, &fb->t[i]);
			fb_drain(fb);
		}
	}
}

static struct fb *
fb_new(const struct sim_world_opts *o)
{
	struct fb *fb = calloc(1, sizeof *fb);
	char *cause = NULL;

	ck_assert_ptr_nonnull(fb);
	fb->w = sim_world_create(data, o, &cause);
	ck_assert_msg(fb->w != NULL, "%s", cause ? cause : "");
	fb->hash = 0xcbf29ce484222325ULL;
	return fb;
}

static void
fb_free(struct fb *fb)
{
	sim_world_destroy(fb->w);
	free(fb->fixes);
	free(fb);
}

/* ---------------------------------------------------------------- the world */

START_TEST(world_create_errors)
{
	struct sim_world_opts o;
	char *cause = NULL;
	const char *bad[] = { "changsha", "atlantis" };

	sim_world_opts_init(&o);
	o.regions = bad;
	o.n_regions = 2;
	ck_assert_ptr_null(sim_world_create(data, &o, &cause));
	ck_assert_ptr_nonnull(strstr(cause, "atlantis"));
	free(cause);
	cause = NULL;
	sim_world_opts_init(&o);
	o.p_stall = 1.5;
	ck_assert_ptr_null(sim_world_create(data, &o, &cause));
	ck_assert_ptr_nonnull(cause);
	free(cause);
}
END_TEST

static bool
id_ok(const char *id)
{
	/* "CS-XJ-V03" */
	return strlen(id) == 9 && id[0] >= 'A' && id[0] <= 'Z' && id[1] >= 'A' && id[1] <= 'Z' &&
	    id[2] == '-' && id[3] >= 'A' && id[3] <= 'Z' &&
	    ((id[4] >= 'A' && id[4] <= 'Z') || (id[4] >= '0' && id[4] <= '9')) && id[5] == '-' &&
	    strchr("VWFH", id[6]) != NULL && id[7] >= '0' && id[7] <= '9' && id[8] >= '0' &&
	    id[8] <= '9' && strcmp(id + 7, "00") != 0;
}

START_TEST(world_fleet)
{
	struct sim_world_opts o;
	struct sim_world *w;
	struct sim_world_truck_info info;
	char *cause = NULL;
	size_t expect = 0;
	bool xj_v03 = false;

	sim_world_opts_init(&o);
	w = sim_world_create(data, &o, &cause);
	ck_assert_ptr_nonnull(w);
	for (size_t r = 0; r < data->n_regions; r++)
		for (size_t s = 0; s < data->regions[r].n_suppliers; s++)
			for (int k = 0; k < TRUCK_KIND_COUNT; k++)
				expect += (size_t)data->regions[r].suppliers[s].fleet[k];
	ck_assert_uint_eq(sim_world_truck_count(w), expect);
	for (size_t i = 0; i < sim_world_truck_count(w); i++) {
		sim_world_truck_info(w, i, &info);
		ck_assert_msg(id_ok(info.id), "bad id %s", info.id);
		for (size_t j = 0; j < i; j++) {
			struct sim_world_truck_info other;
			sim_world_truck_info(w, j, &other);
			ck_assert_str_ne(other.id, info.id);
		}
		const struct data_region *reg = data_region(data, info.region);
		ck_assert_ptr_nonnull(reg);
		ck_assert_double_le(geo_distance_m(info.pos, (struct geo_point){ reg->lat,
		    reg->lon }), reg->radius_km * 1000);
		xj_v03 |= strcmp(info.id, "CS-XJ-V03") == 0;
	}
	ck_assert(xj_v03);
	sim_world_destroy(w);
}
END_TEST

static void
run_day(uint64_t seed, int64_t step, uint64_t *hash, long *n_actions)
{
	struct sim_world_opts o;
	struct fb *fb;

	sim_world_opts_init(&o);
	o.seed = seed;
	fb = fb_new(&o);
	fb_run(fb, 6 * HOUR, 12 * HOUR, step);
	*hash = fb->hash;
	*n_actions = fb->n_actions;
	fb_free(fb);
}

START_TEST(world_reproducible)
{
	uint64_t h1, h2, h3;
	long n1, n2, n3;

	run_day(1, 5 * SEC, &h1, &n1);
	run_day(1, 5 * SEC, &h2, &n2);
	run_day(2, 5 * SEC, &h3, &n3);
	ck_assert_int_gt(n1, 1000);
	ck_assert_int_eq(n1, n2);
	ck_assert_uint_eq(h1, h2);
	ck_assert_uint_ne(h1, h3);
}
END_TEST

/* Without inputs, the events do not depend on how time is cut into steps. */
START_TEST(world_step_independent)
{
	struct sim_world_opts o;
	struct sim_world *a, *b;
	struct sim_world_action x;
	uint64_t ha = 1, hb = 1;
	long na = 0, nb = 0;
	char *cause = NULL;

	sim_world_opts_init(&o);
	o.seed = 4;
	a = sim_world_create(data, &o, &cause);
	b = sim_world_create(data, &o, &cause);
	ck_assert_ptr_nonnull(a);
	ck_assert_ptr_nonnull(b);
	sim_world_start(a, T0);
	sim_world_start(b, T0);
	sim_world_advance(a, T0 + 30 * HOUR);
	while (sim_world_action_next(a, &x)) {
		hash_action(&ha, &x);
		na++;
	}
	for (int64_t t = T0; t <= T0 + 30 * HOUR; t += 7919) {
		sim_world_advance(b, t);
		while (sim_world_action_next(b, &x)) {
			hash_action(&hb, &x);
			nb++;
		}
	}
	sim_world_advance(b, T0 + 30 * HOUR);
	while (sim_world_action_next(b, &x)) {
		hash_action(&hb, &x);
		nb++;
	}
	ck_assert_int_gt(na, 100);
	ck_assert_int_eq(na, nb);
	ck_assert_uint_eq(ha, hb);
	sim_world_destroy(a);
	sim_world_destroy(b);
}
END_TEST

/* The Nth call is the same caller whenever the simulation starts. */
START_TEST(world_calls_any_start)
{
	struct sim_world_opts o;
	struct sim_world_intake a[20], b[20];
	int64_t starts[2] = { T0 + 3 * HOUR + 17 * MIN, T0 + 2 * DAY + 15 * HOUR };
	char *cause = NULL;

	sim_world_opts_init(&o);
	o.seed = 99;
	for (int run = 0; run < 2; run++) {
		struct sim_world *w = sim_world_create(data, &o, &cause);
		struct sim_world_action x;
		int n = 0;
		ck_assert_ptr_nonnull(w);
		sim_world_start(w, starts[run]);
		for (int64_t t = starts[run]; n < 20; t += 10 * MIN) {
			sim_world_advance(w, t);
			while (sim_world_action_next(w, &x))
				if (x.kind == SIM_WORLD_INTAKE && n < 20)
					(run ? b : a)[n++] = x.intake;
		}
		sim_world_destroy(w);
	}
	for (int i = 0; i < 20; i++) {
		ck_assert_str_eq(a[i].customer, b[i].customer);
		ck_assert_str_eq(a[i].phone, b[i].phone);
		ck_assert_str_eq(a[i].plate, b[i].plate);
		ck_assert_str_eq(a[i].address, b[i].address);
		ck_assert_str_eq(a[i].region, b[i].region);
		ck_assert_int_eq(a[i].fault, b[i].fault);
		ck_assert(a[i].lat == b[i].lat && a[i].lon == b[i].lon);
	}
}
END_TEST

static bool
saw(const struct fb_ticket *t, enum ticket_state s)
{
	for (int i = 0; i < t->n_states; i++)
		if (t->seen[i] == s)
			return true;
	return false;
}

/* A day of work: every call ends, by the state table; tows tow; responses are plausible. */
START_TEST(world_day)
{
	struct sim_world_opts o;
	struct sim_world_stats st;
	struct fb *fb;
	long finals = 0, tows = 0, completed = 0;
	size_t n_resp, in_promise;
	const int64_t *resp;

	sim_world_opts_init(&o);
	o.seed = 7;
	o.requests = 150;
	fb = fb_new(&o);
	fb_run(fb, 7 * HOUR, 30 * HOUR, 5 * SEC);
	ck_assert(sim_world_done(fb->w));
	ck_assert_int_eq(fb->illegal, 0);
	ck_assert_int_eq(fb->on_scene_far, 0);
	ck_assert_uint_eq(fb->n_t, 150);
	for (size_t i = 0; i < fb->n_t; i++) {
		const struct fb_ticket *t = &fb->t[i];
		ck_assert_msg(ticket_state_final(t->v.state), "ticket %zu is %s", i + 1,
		    ticket_state_name(t->v.state));
		finals++;
		if (t->v.state == TICKET_COMPLETED) {
			completed++;
			ck_assert(saw(t, TICKET_ACCEPTED));
			ck_assert(saw(t, TICKET_EN_ROUTE));
			ck_assert(saw(t, TICKET_ON_SCENE));
			ck_assert_int_eq(saw(t, TICKET_TOWING), data->faults[t->v.fault].tow != 0);
			tows += saw(t, TICKET_TOWING);
		}
	}
	ck_assert_int_eq(finals, 150);
	ck_assert_int_gt(completed, 120);
	ck_assert_int_gt(tows, 10);
	sim_world_stats(fb->w, &st);
	ck_assert_uint_eq(st.created, 150);
	ck_assert_uint_eq(st.completed + st.cancelled + st.resolved_remote, 150);
	ck_assert_uint_eq(st.completed, (uint64_t)completed);
	ck_assert_uint_gt(st.offers, st.accepted);
	ck_assert_uint_gt(st.declined, 0);
	/* declines near 1 - accept_rate (8-25% by supplier) */
	ck_assert_double_lt(st.declined / (double)st.offers, 0.3);
	resp = sim_world_responses(fb->w, &n_resp, &in_promise);
	ck_assert_uint_ge(n_resp, (size_t)completed);
	double sum = 0;
	for (size_t i = 0; i < n_resp; i++) {
		/* at least the answer (20 s) and getting ready (1 min) */
		ck_assert_int_ge(resp[i], 80 * SEC);
		sum += (double)resp[i];
	}
	/* mean response between 10 and 60 minutes, most within the promise */
	ck_assert_double_gt(sum / (double)n_resp, 10.0 * MIN);
	ck_assert_double_lt(sum / (double)n_resp, 60.0 * MIN);
	ck_assert_double_gt(in_promise / (double)n_resp, 0.5);
	ck_assert_int_gt(fb->status_off, 0); /* evening: day shifts end */
	/* about a fifth of the rescues and phone fixes answer the survey, after the close */
	ck_assert_int_eq(fb->survey_bad, 0);
	ck_assert_uint_eq(st.surveys, (uint64_t)fb->surveys);
	ck_assert_int_ge(fb->surveys, 10);
	ck_assert_int_le(fb->surveys, 55);
	fb_free(fb);
}
END_TEST

/* Follow one truck's fixes: spacing, speed, and what fault injection does to them. */
struct motion_case {
	const char *name;
	double p_stall, p_dropout, p_detour, p_decline;
};

static const struct motion_case motion_cases[] = {
	{ "plain", 0, 0, 0, -1 },
	{ "stall", 1, 0, 0, -1 },
	{ "dropout", 0, 1, 0, -1 },
	{ "detour", 0, 0, 1, -1 },
};

/* The defaults with one region and a seed (0: the default seed). */
static void
opts_region(struct sim_world_opts *o, const char *region, uint64_t seed)
{
	static const char *const ids[] = { "changsha", "ningxiang", "aba" };

	sim_world_opts_init(o);
	if (seed != 0)
		o->seed = seed;
	o->regions = NULL;
	for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++)
		if (strcmp(ids[i], region) == 0)
			o->regions = &ids[i];
	ck_assert_ptr_nonnull(o->regions);
	o->n_regions = 1;
}

START_TEST(world_motion)
{
	const struct motion_case *mc = &motion_cases[_i];
	struct sim_world_opts o;
	struct sim_world_stats st;
	struct fb *fb;
	int64_t max_gap = 0;
	double max_kmh = 0;
	const struct data_region *cs = data_region(data, "changsha");

	opts_region(&o, "changsha", 5);
	o.rate_per_hour = 6;
	o.p_stall = mc->p_stall;
	o.p_gps_dropout = mc->p_dropout;
	o.p_detour = mc->p_detour;
	o.p_decline = 0;
	fb = fb_new(&o);
	fb->watch = "CS-XJ-F01"; /* a 24 h flatbed at the yard */
	fb_run(fb, 9 * HOUR, 24 * HOUR, 5 * SEC);
	sim_world_stats(fb->w, &st);
	ck_assert_uint_gt(st.accepted, 20);
	ck_assert_uint_eq(st.declined, 0);
	ck_assert_int_eq(fb->illegal, 0);
	ck_assert_uint_gt(fb->n_fixes, 100);
	for (size_t i = 1; i < fb->n_fixes; i++) {
		const struct fix_rec *a = &fb->fixes[i - 1], *b = &fb->fixes[i];
		int64_t gap = b->ts - a->ts;
		double m = geo_distance_m((struct geo_point){ a->lat, a->lon },
		    (struct geo_point){ b->lat, b->lon });
		ck_assert_int_gt(gap, 0);
		if (gap > max_gap)
			max_gap = gap;
		if (gap >= 10 * SEC) {
			double kmh = (m - 30) / 1000.0 / ((double)gap / HOUR);
			if (kmh > max_kmh)
				max_kmh = kmh;
		}
		/* moving: a fix at least every 15 s unless the GPS drops out */
		if (a->speed > 0 && mc->p_dropout == 0)
			ck_assert_int_le(gap, 15 * SEC);
	}
	/* never faster than the expressway speed plus jitter */
	ck_assert_double_le(max_kmh, cs->speed_expressway_kmh * 1.2);
	ck_assert_double_gt(max_kmh, 10);
	if (mc->p_dropout > 0) {
		ck_assert_int_ge(max_gap, 5 * MIN);
		ck_assert_uint_gt(st.fixes_suppressed, 0);
		ck_assert_uint_eq(st.dropouts, st.accepted);
	} else {
		ck_assert_int_le(max_gap, 120 * SEC);
		ck_assert_uint_eq(st.fixes_suppressed, 0);
	}
	if (mc->p_stall > 0)
		ck_assert_uint_eq(st.stalls, st.accepted);
	else
		ck_assert_uint_eq(st.stalls, 0);
	if (mc->p_detour > 0)
		ck_assert_uint_eq(st.detours, st.accepted);
	else
		ck_assert_uint_eq(st.detours, 0);
	fb_free(fb);
}
END_TEST

/* The fleet factor scales every supplier's trucks of each kind, rounded, a kind it has
 * keeping one; out of range it is refused. */
START_TEST(world_fleet_factor)
{
	static const double factors[] = { 0.5, 2, 0.05 };
	struct sim_world_opts o;
	struct sim_world *w;
	char *cause = NULL;

	for (size_t f = 0; f < sizeof factors / sizeof factors[0]; f++) {
		size_t expect = 0;
		sim_world_opts_init(&o);
		o.fleet = factors[f];
		w = sim_world_create(data, &o, &cause);
		ck_assert_msg(w != NULL, "%s", cause ? cause : "");
		for (size_t r = 0; r < data->n_regions; r++)
			for (size_t s = 0; s < data->regions[r].n_suppliers; s++)
				for (int k = 0; k < TRUCK_KIND_COUNT; k++) {
					int n = data->regions[r].suppliers[s].fleet[k];
					long m = lround(n * factors[f]);
					expect += (size_t)(n > 0 && m < 1 ? 1 : m);
				}
		ck_assert_uint_eq(sim_world_truck_count(w), expect);
		sim_world_destroy(w);
	}
	sim_world_opts_init(&o);
	o.fleet = 0;
	ck_assert_ptr_null(sim_world_create(data, &o, &cause));
	ck_assert_ptr_nonnull(strstr(cause, "fleet"));
	free(cause);
	cause = NULL;
	sim_world_opts_init(&o);
	o.demand = 101;
	ck_assert_ptr_null(sim_world_create(data, &o, &cause));
	free(cause);
}
END_TEST

/* The demand factor multiplies the calls: twice the demand, about twice the calls. */
START_TEST(world_demand_factor)
{
	struct sim_world_opts o;
	uint64_t gen[2];

	for (int i = 0; i < 2; i++) {
		struct sim_world_stats st;
		opts_region(&o, "changsha", 31);
		o.demand = i == 0 ? 1 : 2;
		struct fb *fb = fb_new(&o);
		fb_run(fb, 8 * HOUR, 10 * HOUR, 10 * SEC);
		sim_world_stats(fb->w, &st);
		gen[i] = st.generated;
		fb_free(fb);
	}
	ck_assert_uint_gt(gen[0], 60);
	ck_assert_msg(gen[1] > gen[0] * 16 / 10 && gen[1] < gen[0] * 24 / 10,
	    "demand x2: %llu calls against %llu", (unsigned long long)gen[1],
	    (unsigned long long)gen[0]);
}
END_TEST

/* The lower bound of each response is at least the mean answer and preparation, and their
 * mean is below the mean response of the fake broker's nearest-idle dispatch, as is their
 * 90th percentile; no fewer bounds than responses are within the promise. */
static int
cmp_ms(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

START_TEST(world_bounds)
{
	struct sim_world_opts o;
	size_t n, nb, in, inb;
	double sr = 0, sb = 0;

	opts_region(&o, "changsha", 32);
	o.rate_per_hour = 30;
	o.p_stall = 0.2;
	o.p_detour = 0.2;
	struct fb *fb = fb_new(&o);
	fb_run(fb, 7 * HOUR, 6 * HOUR, 5 * SEC);
	const int64_t *resp = sim_world_responses(fb->w, &n, &in);
	const int64_t *bound = sim_world_bounds(fb->w, &nb, &inb);
	size_t nw, n_free = 0;
	const struct sim_world_bound *wb = sim_world_work_bounds(fb->w, &nw);
	double sk = 0;
	ck_assert_uint_gt(n, 50);
	ck_assert_uint_eq(nb, n);
	ck_assert_uint_eq(nw, n);
	int64_t *r = calloc(n, sizeof *r), *b = calloc(n, sizeof *b);
	ck_assert(r != NULL && b != NULL);
	for (size_t i = 0; i < n; i++) {
		ck_assert_int_ge(bound[i], 2 * MIN + 30 * SEC + 35 * SEC);
		/* counting busy trucks' work left only raises the bound; the best idle truck
		 * at once is never nearer than the bound's truck */
		ck_assert_int_ge(wb[i].work_ms, bound[i]);
		ck_assert_int_ge(wb[i].nodivert_ms, wb[i].work_ms);
		if (wb[i].free_ms > 0) {
			ck_assert_int_ge(wb[i].free_ms, wb[i].nodivert_ms);
			n_free++;
		}
		sk += (double)wb[i].nodivert_ms;
		sr += (double)resp[i];
		sb += (double)bound[i];
		r[i] = resp[i];
		b[i] = bound[i];
	}
	ck_assert_msg(sb < sr, "mean bound %.0f s, mean response %.0f s", sb / n / 1000,
	    sr / n / 1000);
	/* the tighter bound is a bound too, and tighter on a busy morning */
	ck_assert_msg(sk < sr && sk > sb, "mean bounds %.0f s and %.0f s, mean response %.0f s",
	    sb / n / 1000, sk / n / 1000, sr / n / 1000);
	ck_assert_uint_gt(n_free, 0);
	/* the parts of the responses' minutes over the bound add up to them */
	struct sim_world_gaps g;
	sim_world_gaps(fb->w, &g);
	ck_assert_uint_eq(g.n + g.queued, n);
	ck_assert_uint_gt(g.n, n / 2);
	double parts = g.offer + g.reoffer + g.trip + g.choice + g.report + g.other;
	ck_assert_msg(fabs(parts - (sr - sb)) < 1.0, "parts %.0f ms, responses - bounds %.0f ms",
	    parts, sr - sb);
	ck_assert(g.choice > 0);
	qsort(r, n, sizeof *r, cmp_ms);
	qsort(b, n, sizeof *b, cmp_ms);
	ck_assert_int_le(b[n * 9 / 10], r[n * 9 / 10]);
	ck_assert_uint_ge(inb, in);
	free(r);
	free(b);
	fb_free(fb);
}
END_TEST

/* With gps_loss, that share of the fixes (any phase) is lost, reproducibly; without, none
 * outside the dropouts. */
START_TEST(world_gps_loss)
{
	struct sim_world_opts o;
	struct sim_world_stats st[3];

	for (int i = 0; i < 3; i++) {
		opts_region(&o, "ningxiang", 33);
		o.rate_per_hour = 4;
		o.p_gps_loss = i == 0 ? 0 : 0.4;
		struct fb *fb = fb_new(&o);
		fb_run(fb, 9 * HOUR, 6 * HOUR, 5 * SEC);
		sim_world_stats(fb->w, &st[i]);
		fb_free(fb);
	}
	ck_assert_uint_eq(st[0].fixes_suppressed, 0);
	double lost = (double)st[1].fixes_suppressed /
	    (double)(st[1].fixes + st[1].fixes_suppressed);
	ck_assert_msg(lost > 0.35 && lost < 0.45, "lost %.3f of the fixes", lost);
	ck_assert_uint_eq(st[1].fixes, st[2].fixes);
	ck_assert_uint_eq(st[1].fixes_suppressed, st[2].fixes_suppressed);
}
END_TEST

/* A stalled truck reports 0 km/h from the same place for 8-20 minutes while en route. */
START_TEST(world_stall_seen)
{
	struct sim_world_opts o;
	struct fb *fb;
	int64_t longest = 0;

	opts_region(&o, "ningxiang", 8);
	o.rate_per_hour = 3;
	o.p_stall = 1;
	o.p_decline = 0;
	fb = fb_new(&o);
	fb->watch = "NX-YT-V01";
	fb_run(fb, 9 * HOUR, 12 * HOUR, 5 * SEC);
	/* a run of 15 s fixes at 0 km/h (moving cadence, standing still) */
	for (size_t i = 1, run = 0; i < fb->n_fixes; i++) {
		const struct fix_rec *a = &fb->fixes[i - 1], *b = &fb->fixes[i];
		if (a->speed == 0 && b->speed == 0 && b->ts - a->ts <= 15 * SEC) {
			run += (size_t)(b->ts - a->ts);
			if ((int64_t)run > longest)
				longest = (int64_t)run;
		} else {
			run = 0;
		}
	}
	ck_assert_int_ge(longest, 7 * MIN);
	ck_assert_int_le(longest, 21 * MIN);
	fb_free(fb);
}
END_TEST

START_TEST(world_decline_all)
{
	struct sim_world_opts o;
	struct sim_world_stats st;
	struct fb *fb;

	opts_region(&o, "changsha", 9);
	o.rate_per_hour = 4;
	o.p_decline = 1;
	fb = fb_new(&o);
	fb_run(fb, 10 * HOUR, 4 * HOUR, 5 * SEC);
	sim_world_stats(fb->w, &st);
	ck_assert_uint_gt(st.offers, 10);
	ck_assert_uint_eq(st.accepted, 0);
	ck_assert_uint_gt(st.declined, 0);
	ck_assert_uint_gt(st.unanswered, 0);
	ck_assert_int_eq(fb->illegal, 0);
	/* nobody comes: the customers give up */
	ck_assert_uint_gt(st.customer_cancels, 0);
	fb_free(fb);
}
END_TEST

/* Aba is dispatched by an agent: with no agent, its callers cancel after the promise. */
START_TEST(world_no_agent)
{
	struct sim_world_opts o;
	struct sim_world_stats st;
	struct fb *fb;

	opts_region(&o, "aba", 10);
	o.requests = 5;
	o.rate_per_hour = 2;
	fb = fb_new(&o);
	fb_run(fb, 8 * HOUR, 8 * HOUR, 10 * SEC);
	sim_world_stats(fb->w, &st);
	ck_assert(sim_world_done(fb->w));
	ck_assert_uint_eq(st.cancelled, 5);
	ck_assert_uint_eq(st.offers, 0);
	for (size_t i = 0; i < fb->n_t; i++) {
		ck_assert_int_eq(fb->t[i].v.state, TICKET_CANCELLED);
	}
	fb_free(fb);
}
END_TEST

/* An offer the world already answered, seen again in an older update, is not re-answered;
 * an offer to a busy truck is declined. */
START_TEST(world_stale_offer)
{
	struct sim_world_opts o;
	struct sim_world *w;
	struct sim_world_action a;
	struct sim_world_ticket t;
	char *cause = NULL;
	int states = 0, declines = 0;

	opts_region(&o, "ningxiang", 0);
	o.p_decline = 1;
	w = sim_world_create(data, &o, &cause);
	ck_assert_ptr_nonnull(w);
	sim_world_start(w, T0 + 10 * HOUR);
	while (sim_world_action_next(w, &a))
		;
	memset(&t, 0, sizeof t);
	t.id = 99;
	t.state = TICKET_DISPATCHED;
	strcpy(t.truck, "NX-YT-V01");
	t.lat = 28.26;
	t.lon = 112.56;
	t.fault = FAULT_BATTERY;
	strcpy(t.region, "ningxiang");
	t.t_dispatched = T0 + 10 * HOUR;
	sim_world_ticket(w, T0 + 10 * HOUR, &t);
	sim_world_advance(w, T0 + 10 * HOUR + 11 * MIN); /* declined by now, silent or not */
	while (sim_world_action_next(w, &a))
		if (a.kind == SIM_WORLD_SET_STATE) {
			states++;
			ck_assert_int_eq(a.state, TICKET_NEW);
			ck_assert_int_eq(a.ticket, 99);
		}
	ck_assert_int_eq(states, 1);
	/* the same dispatch again (published before our decline landed) */
	sim_world_ticket(w, T0 + 10 * HOUR + 11 * MIN, &t);
	sim_world_advance(w, T0 + 10 * HOUR + 30 * MIN);
	while (sim_world_action_next(w, &a))
		ck_assert_int_ne(a.kind, SIM_WORLD_SET_STATE);
	/* a real new dispatch of the same ticket is a new offer */
	t.t_dispatched = T0 + 10 * HOUR + 30 * MIN;
	sim_world_ticket(w, T0 + 10 * HOUR + 30 * MIN, &t);
	/* and a second ticket to the same truck while it decides: declined as busy */
	struct sim_world_ticket t2 = t;
	t2.id = 100;
	sim_world_ticket(w, T0 + 10 * HOUR + 30 * MIN, &t2);
	sim_world_advance(w, T0 + 10 * HOUR + 45 * MIN);
	while (sim_world_action_next(w, &a))
		if (a.kind == SIM_WORLD_SET_STATE) {
			ck_assert_int_eq(a.state, TICKET_NEW);
			declines++;
		}
	ck_assert_int_eq(declines, 2);
	sim_world_destroy(w);
}
END_TEST

/* An agent moves a job from one of our trucks to another: the first lets go, the second
 * answers the offer; the first no longer speaks for the ticket. */
START_TEST(world_reassign)
{
	struct sim_world_opts o;
	struct sim_world *w;
	struct sim_world_action a;
	struct sim_world_ticket t;
	char *cause = NULL;
	int64_t now = T0 + 10 * HOUR;
	int by_v01 = 0, by_v02 = 0;

	opts_region(&o, "ningxiang", 0);
	o.p_decline = 0;
	w = sim_world_create(data, &o, &cause);
	ck_assert_ptr_nonnull(w);
	sim_world_start(w, now);
	while (sim_world_action_next(w, &a))
		;
	memset(&t, 0, sizeof t);
	t.id = 7;
	t.state = TICKET_DISPATCHED;
	strcpy(t.truck, "NX-YT-V01");
	t.lat = 28.30;
	t.lon = 112.60;
	t.fault = FAULT_TYRE;
	strcpy(t.region, "ningxiang");
	t.t_dispatched = now;
	sim_world_ticket(w, now, &t);
	sim_world_advance(w, now + 3 * MIN); /* accepted by now */
	while (sim_world_action_next(w, &a))
		if (a.kind == SIM_WORLD_SET_STATE) {
			ck_assert_str_eq(a.truck, "NX-YT-V01");
			ck_assert_int_eq(a.state, TICKET_ACCEPTED);
			by_v01++;
		}
	ck_assert_int_eq(by_v01, 1);
	t.state = TICKET_DISPATCHED;
	strcpy(t.truck, "NX-YT-V02");
	t.t_dispatched = now + 3 * MIN;
	sim_world_ticket(w, now + 3 * MIN, &t);
	sim_world_advance(w, now + 6 * MIN);
	while (sim_world_action_next(w, &a))
		if (a.kind == SIM_WORLD_SET_STATE) {
			ck_assert_str_eq(a.truck, "NX-YT-V02");
			by_v02++;
		}
	ck_assert_int_eq(by_v02, 1);
	for (size_t i = 0; i < sim_world_truck_count(w); i++) {
		struct sim_world_truck_info ti;
		sim_world_truck_info(w, i, &ti);
		if (strcmp(ti.id, "NX-YT-V01") == 0)
			ck_assert_int_eq(ti.job, 0);
		if (strcmp(ti.id, "NX-YT-V02") == 0)
			ck_assert_int_eq(ti.job, 7);
	}
	sim_world_destroy(w);
}
END_TEST

/* Suppliers answer within 90% of their offer timeout (60 s for kaifu, 90 s for yuhua, 120 s
 * for xiangjiang), except the silent ones, declined after 10 minutes. */
struct window_case {
	const char *truck;
	int timeout_s;
	double decline;
};

static const struct window_case window_cases[] = {
	{ "CS-KF-V01", 60, 0 }, { "CS-KF-V01", 60, 1 }, { "CS-YH-V01", 90, 0 },
	{ "CS-YH-V01", 90, 1 }, { "CS-XJ-V01", 120, 0 }, { "CS-XJ-V01", 120, 1 },
};

START_TEST(world_answer_window)
{
	const struct window_case *wc = &window_cases[_i];
	struct sim_world_opts o;
	struct sim_world *w;
	struct sim_world_action a;
	struct sim_world_ticket t;
	char *cause = NULL;
	int64_t now = T0 + 10 * HOUR;
	int64_t window = wc->timeout_s * SEC * 9 / 10;
	int silent = 0;

	opts_region(&o, "changsha", 0);
	o.p_decline = wc->decline;
	w = sim_world_create(data, &o, &cause);
	ck_assert_ptr_nonnull(w);
	sim_world_start(w, now);
	while (sim_world_action_next(w, &a))
		;
	for (int64_t id = 1; id <= 30; id++) {
		int answers = 0;
		memset(&t, 0, sizeof t);
		t.id = id;
		t.state = TICKET_DISPATCHED;
		strcpy(t.truck, wc->truck);
		t.lat = 28.20;
		t.lon = 112.95;
		t.fault = FAULT_BATTERY;
		strcpy(t.region, "changsha");
		t.t_dispatched = now;
		sim_world_ticket(w, now, &t);
		for (int64_t end = now + 11 * MIN; now < end; now += SEC) {
			sim_world_advance(w, now);
			while (sim_world_action_next(w, &a)) {
				if (a.kind != SIM_WORLD_SET_STATE)
					continue;
				ck_assert_int_eq(a.ticket, id);
				int64_t dt = a.ts - t.t_dispatched;
				if (answers++ > 0)
					continue; /* en route, on scene, ... after an acceptance */
				if (a.state == TICKET_ACCEPTED) {
					ck_assert_double_eq(wc->decline, 0);
					ck_assert_int_ge(dt, 20 * SEC);
					ck_assert_int_le(dt, window);
				} else if (strstr(a.reason, "missed") != NULL) {
					ck_assert_int_eq(dt, 10 * MIN);
					silent++;
				} else {
					ck_assert_int_eq(a.state, TICKET_NEW);
					ck_assert_int_ge(dt, 15 * SEC);
					ck_assert_int_le(dt, window);
				}
			}
		}
		ck_assert_int_ge(answers, 1);
		/* the broker closes the ticket: the truck is free for the next offer */
		t.state = TICKET_CANCELLED;
		sim_world_ticket(w, now, &t);
		now += 10 * MIN;
		sim_world_advance(w, now);
		while (sim_world_action_next(w, &a))
			;
	}
	if (wc->decline > 0)
		ck_assert_int_gt(silent, 0);
	sim_world_destroy(w);
}
END_TEST

/* An offer to a truck finishing a job (on scene, or towing) is answered like any other;
 * accepted, the truck goes there when the job is over, and its quote covers the rest of the
 * job. Declined, or taken away meanwhile, the truck goes home after the job. */
struct next_case {
	const char *truck;
	enum ticket_state first_state;  /* of its current job, adopted as it is */
	enum ticket_fault fault;
	double decline;
	bool moved;                     /* an agent gives the next job to another truck */
};

static const struct next_case next_cases[] = {
	{ "NX-YT-V01", TICKET_ON_SCENE, FAULT_BATTERY, 0, false },
	{ "NX-YT-F01", TICKET_TOWING, FAULT_MECHANICAL_TOW, 0, false },
	{ "NX-YT-V01", TICKET_ON_SCENE, FAULT_BATTERY, 1, false },
	{ "NX-YT-V01", TICKET_ON_SCENE, FAULT_TYRE, 0, true },
};

static void
truck_info_of(struct sim_world *w, const char *id, struct sim_world_truck_info *out)
{
	for (size_t i = 0; i < sim_world_truck_count(w); i++) {
		sim_world_truck_info(w, i, out);
		if (strcmp(out->id, id) == 0)
			return;
	}
	ck_abort_msg("no truck %s", id);
}

START_TEST(world_next_job)
{
	const struct next_case *nc = &next_cases[_i];
	struct sim_world_opts o;
	struct sim_world *w;
	struct sim_world_action a;
	struct sim_world_ticket t1, t2;
	struct sim_world_truck_info ti;
	char *cause = NULL;
	int64_t now = T0 + 10 * HOUR, t_answer = 0, t_done = 0, t_go = 0, t_there = 0, eta_s = -1;
	int declines = 0, home_phase = 0;

	opts_region(&o, "ningxiang", 0);
	o.p_decline = nc->decline;
	w = sim_world_create(data, &o, &cause);
	ck_assert_ptr_nonnull(w);
	sim_world_start(w, now);
	while (sim_world_action_next(w, &a))
		;
	/* the current job, from before a restart of the simulator */
	memset(&t1, 0, sizeof t1);
	t1.id = 7;
	t1.state = nc->first_state;
	strcpy(t1.truck, nc->truck);
	t1.lat = 28.26;
	t1.lon = 112.56;
	t1.fault = (int)nc->fault;
	strcpy(t1.region, "ningxiang");
	t1.t_dispatched = now - 40 * MIN;
	sim_world_ticket(w, now, &t1);
	truck_info_of(w, nc->truck, &ti);
	ck_assert_str_eq(ti.phase, nc->first_state == TICKET_TOWING ? "towing" : "on_scene");

	/* the next one, 3 km away, offered now */
	t2 = t1;
	t2.id = 8;
	t2.state = TICKET_DISPATCHED;
	t2.lat = 28.285;
	t2.lon = 112.555;
	t2.t_dispatched = now;
	sim_world_ticket(w, now, &t2);
	truck_info_of(w, nc->truck, &ti);
	ck_assert_int_eq(ti.job, 7);
	ck_assert_int_eq(ti.next, 8);

	for (int64_t end = now + 4 * HOUR; now < end; now += 5 * SEC) {
		sim_world_advance(w, now);
		while (sim_world_action_next(w, &a)) {
			if (a.kind != SIM_WORLD_SET_STATE)
				continue;
			if (a.ticket == 7) {
				ck_assert_str_eq(a.truck, nc->truck);
				if (a.state == TICKET_COMPLETED)
					t_done = a.ts;
				continue;
			}
			ck_assert_int_eq(a.ticket, 8);
			if (strcmp(a.truck, nc->truck) != 0) {
				ck_assert(nc->moved); /* the other truck's answer */
				continue;
			}
			switch (a.state) {
			case TICKET_ACCEPTED:
				ck_assert_int_eq(t_answer, 0);
				t_answer = a.ts;
				eta_s = a.eta_s;
				ck_assert_int_eq(t_done, 0); /* answered during the job */
				/* the broker takes the answer; or an agent moves the job on */
				t2.state = TICKET_ACCEPTED;
				if (nc->moved) {
					t2.state = TICKET_DISPATCHED;
					strcpy(t2.truck, "NX-YT-V02");
					t2.t_dispatched = a.ts + 30 * SEC;
				}
				sim_world_ticket(w, a.ts + 30 * SEC, &t2);
				break;
			case TICKET_NEW:
				ck_assert_int_eq(strncmp(a.reason, "declined: ", 10), 0);
				declines++;
				t2.state = TICKET_NEW;
				t2.truck[0] = '\0';
				sim_world_ticket(w, a.ts, &t2);
				break;
			case TICKET_EN_ROUTE:
				ck_assert_int_gt(t_done, 0);
				t_go = a.ts;
				break;
			case TICKET_ON_SCENE:
				t_there = a.ts;
				break;
			default:
				break;
			}
		}
		if (t_done > 0 && t_go == 0) {
			truck_info_of(w, nc->truck, &ti);
			if (strcmp(ti.phase, "idle") == 0)
				home_phase++;
		}
	}
	ck_assert_int_gt(t_done, 0);
	truck_info_of(w, nc->truck, &ti);
	ck_assert_int_eq(ti.next, 0);
	if (nc->decline > 0 || nc->moved) {
		ck_assert_int_eq(declines, nc->decline > 0 ? 1 : 0);
		ck_assert_int_eq(t_go, 0);
		ck_assert_int_eq(t_there, 0);
		ck_assert_int_gt(home_phase, 0);
	} else {
		ck_assert_int_eq(declines, 0);
		ck_assert_int_gt(t_answer, 0);
		ck_assert_int_ge(eta_s, 600);
		ck_assert_int_eq(eta_s % 300, 0);
		/* the quote covers the rest of the job */
		ck_assert_int_ge(eta_s * 1000, t_done - t_answer);
		/* straight on: preparation only, never idle in between */
		ck_assert_int_eq(home_phase, 0);
		ck_assert_int_ge(t_go - t_done, 1 * MIN);
		ck_assert_int_le(t_go - t_done, 4 * MIN + 5 * SEC);
		ck_assert_int_gt(t_there, t_go);
		/* about as quoted: the quote's margin (x1.0-1.2, rounded up) versus the speed's
		 * (+-15%) and the garage for a tow */
		ck_assert_int_le(t_there - t_answer, eta_s * 1000 * 3 / 2);
	}
	sim_world_destroy(w);
}
END_TEST

/* A day shift: off duty in the evening, back in the morning, never a fix while off. */
START_TEST(world_shifts)
{
	struct sim_world_opts o;
	struct fb *fb;

	opts_region(&o, "changsha", 12);
	o.requests = 1;
	o.rate_per_hour = 0.01;
	fb = fb_new(&o);
	fb->watch = "CS-XJ-V08"; /* the last van of eight: a day shift */
	fb_run(fb, 12 * HOUR, 24 * HOUR, 10 * SEC);
	/* every truck registered at noon; day shifts went off and came back */
	ck_assert_int_gt(fb->status_off, 10);
	ck_assert_int_gt(fb->status_on, (long)fb->n_k);
	/* the watched van sent no fix between 22:30 and 06:30 local */
	for (size_t i = 0; i < fb->n_fixes; i++) {
		int h = civil_local_hour(fb->fixes[i].ts, CIVIL_TZ_CHINA_S);
		ck_assert(!(h >= 23 || h < 6));
	}
	ck_assert_uint_gt(fb->n_fixes, 100);
	fb_free(fb);
}
END_TEST


/* ---------------------------------------------------------------- diagnosis */

/* On every flow, a caller's answers replay the cause's path to its end, the same node
 * always gets the same answer, a caller is solvable exactly when that end is solved, and
 * a caller without a hazard never gives an answer that leads to a safety stop. */
START_TEST(cause_consistent)
{
	ck_assert_uint_gt(flows->n_flows, 0);
	for (size_t f = 0; f < flows->n_flows; f++) {
		const struct flow *fl = flows->flows[f];
		for (uint64_t seed = 1; seed <= 300; seed++) {
			struct sim_world_cause c;
			struct flow_walk wk;
			struct rng r;

			rng_seed(&r, seed, 77);
			sim_world_cause_make(&r, flows, fl, 0, &c);
			ck_assert_ptr_eq(c.flow, fl);
			ck_assert_ptr_null(c.hazard);
			ck_assert_uint_ge(c.n_steps, 1);
			ck_assert_uint_lt(c.hazard_at, c.n_steps);
			flow_walk_start(&wk, flows, fl);
			for (size_t i = 0; i < c.n_steps; i++) {
				ck_assert_ptr_eq(wk.node, c.steps[i].node);
				size_t a = sim_world_cause_answer(flows, &c, wk.node);
				ck_assert_uint_eq(a, c.steps[i].answer);
				ck_assert_int_eq(flow_walk_answer(&wk, a), 0);
			}
			ck_assert(flow_walk_ended(&wk));
			ck_assert_ptr_eq(wk.outcome, c.outcome);
			ck_assert_ptr_eq(wk.stop, c.stop);
			ck_assert(c.solvable == (c.outcome != NULL &&
			    c.outcome->type == FLOW_SOLVED));
			/* no hazard: no answer that leads to a safety stop */
			ck_assert_ptr_null(c.stop);
			/* off its path too, the caller answers every node the same way twice */
			for (size_t n = 0; n < flows->n_nodes; n++) {
				size_t a1 = sim_world_cause_answer(flows, &c, flows->nodes[n]);
				ck_assert_uint_lt(a1, flows->nodes[n]->n_answers);
				ck_assert_uint_eq(a1, sim_world_cause_answer(flows, &c,
				    flows->nodes[n]));
			}
		}
	}
}
END_TEST

/* Each flow's share of phone-fixable callers is its success_rate (4 sd), and every flow
 * with a success rate can reach a solved outcome. */
START_TEST(cause_rates)
{
	const int n = 6000;

	for (size_t f = 0; f < flows->n_flows; f++) {
		const struct flow *fl = flows->flows[f];
		double reach = sim_world_flow_reach(flows, fl);
		int solved = 0;
		struct rng r;

		if (fl->success_rate > 0)
			ck_assert_msg(reach > 0, "flow %s: no solved outcome in reach", fl->id);
		rng_seed(&r, 5, f);
		for (int i = 0; i < n; i++) {
			struct sim_world_cause c;
			sim_world_cause_make(&r, flows, fl, 0, &c);
			solved += c.solvable;
		}
		double p = fl->success_rate, got = (double)solved / n;
		if (reach >= 1)
			p = 1;
		double tol = 4 * sqrt(p * (1 - p) / n) + 0.002;
		ck_assert_msg(fabs(got - p) <= tol, "flow %s: %.4f solvable, want %.4f +- %.4f",
		    fl->id, got, p, tol);
	}
}
END_TEST

/* Hazards: expressway callers are mostly on the shoulder, injuries always come out, and
 * the same seed gives the same caller. */
START_TEST(cause_hazards)
{
	const struct flow *fl = flows->flows[0];
	const int n = 3000;
	int live = 0, unable = 0;
	struct rng r;

	ck_assert_ptr_nonnull(flow_set_stop(flows, "live_lane"));
	rng_seed(&r, 9, 1);
	for (int i = 0; i < n; i++) {
		struct sim_world_cause c, inj, night;
		sim_world_cause_make(&r, flows, fl, TICKET_FLAG_EXPRESSWAY, &c);
		if (c.hazard != NULL) {
			ck_assert_str_eq(c.hazard->id, "live_lane");
			ck_assert_uint_lt(c.hazard_at, c.n_steps);
			live++;
		}
		sim_world_cause_make(&r, flows, fl, TICKET_FLAG_INJURY | TICKET_FLAG_EXPRESSWAY,
		    &inj);
		ck_assert_ptr_nonnull(inj.hazard);
		ck_assert_str_eq(inj.hazard->id, "injury");
		sim_world_cause_make(&r, flows, fl, TICKET_FLAG_ALONE_NIGHT, &night);
		if (night.hazard != NULL) {
			ck_assert_str_eq(night.hazard->id, "caller_unable");
			unable++;
		}
	}
	ck_assert_double_eq_tol((double)live / n, 0.8, 0.03);

	/* asked about their hazard, callers say so: a flow with an answer leading to the
	 * live-lane stop ends there for a caller on the shoulder who gets that far */
	for (size_t f = 0; f < flows->n_flows; f++) {
		const struct flow *g = flows->flows[f];
		for (int i = 0; i < 200; i++) {
			struct sim_world_cause c;
			sim_world_cause_make(&r, flows, g, TICKET_FLAG_EXPRESSWAY, &c);
			for (size_t k = 0; k < c.n_steps; k++) {
				const struct flow_node *nd = c.steps[k].node;
				for (size_t a = 0; a < nd->n_answers; a++)
					if (c.hazard != NULL && nd->answers[a].stop == c.hazard)
						ck_assert_uint_eq(c.steps[k].answer, a);
			}
		}
	}
	ck_assert_double_eq_tol((double)unable / n, 0.25, 0.03);

	struct rng r1, r2;
	struct sim_world_cause c1, c2;
	rng_seed(&r1, 42, 3);
	rng_seed(&r2, 42, 3);
	sim_world_cause_make(&r1, flows, fl, TICKET_FLAG_EXPRESSWAY, &c1);
	sim_world_cause_make(&r2, flows, fl, TICKET_FLAG_EXPRESSWAY, &c2);
	ck_assert_uint_eq(c1.n_steps, c2.n_steps);
	ck_assert(memcmp(c1.steps, c2.steps, c1.n_steps * sizeof c1.steps[0]) == 0);
	ck_assert_ptr_eq(c1.hazard, c2.hazard);
	ck_assert_uint_eq(c1.hazard_at, c2.hazard_at);
}
END_TEST

struct diag_tally {
	long sessions, solved, ended, expressway, live_lane, expressway_now, resolved;
	long flow_calls;
	long held, held_now;        /* calls sent with diag_hold; of them dispatched now */
	long night_flow;            /* flow calls off the expressway at night (not held) */
	long hold_wrong;            /* diag_hold not as the specialist's rule says */
	long held_solved_no_truck;  /* held, solved by phone, never offered a truck */
	uint64_t hash;
	long refused;
};

/* A run of the specialist from local hour start_h for span_h hours. */
static void
run_diag(uint64_t seed, int start_h, int span_h, struct diag_tally *d)
{
	struct sim_world_opts o;
	struct fb *fb;
	const char *regions[] = { "changsha", "ningxiang" };

	sim_world_opts_init(&o);
	o.seed = seed;
	o.regions = regions;
	o.n_regions = 2;
	o.rate_per_hour = 100;
	o.flows = flows;
	o.diagnose = true;
	fb = fb_new(&o);
	fb_run(fb, start_h * HOUR, span_h * HOUR, 5 * SEC);
	memset(d, 0, sizeof *d);
	for (size_t i = 0; i < fb->n_t; i++) {
		struct fb_ticket *t = &fb->t[i];
		bool ex = (t->v.flags & TICKET_FLAG_EXPRESSWAY) != 0;
		bool flow = flow_set_for_fault(flows, (enum ticket_fault)t->v.fault) != NULL;
		int hour = civil_local_hour(t->v.created, CIVIL_TZ_CHINA_S);
		bool night = civil_night_hour(hour);

		d->flow_calls += flow;
		d->resolved += t->v.state == TICKET_RESOLVED_REMOTE;
		/* the hold is asked for exactly the calls diagnosed without a truck at once */
		d->hold_wrong += t->diag_hold != (flow && !ex && !night);
		d->night_flow += flow && !ex && night;
		if (t->diag_hold) {
			d->held++;
			d->held_now += t->dispatch_now;
			d->held_solved_no_truck += t->v.state == TICKET_RESOLVED_REMOTE &&
			    t->t_first_dispatch == 0;
		}
		if (t->v.diag == SIM_WORLD_DIAG_NONE)
			continue;
		/* only calls with a flow, started on a live ticket, read 15 s or more */
		ck_assert_ptr_nonnull(flow_set_for_fault(flows, (enum ticket_fault)t->v.fault));
		ck_assert_int_ge(t->diag_started - t->v.created, 10 * SEC);
		if (t->diag_first_answer > 0)
			ck_assert_int_ge(t->diag_first_answer - t->diag_started, 15 * SEC);
		d->sessions++;
		if (t->v.diag != SIM_WORLD_DIAG_ENDED)
			continue;
		d->ended++;
		int truck;
		if (flow_walk_result(&t->walk, &truck) == FLOW_SOLVED) {
			d->solved++;
			ck_assert_int_eq(t->v.state, TICKET_RESOLVED_REMOTE);
		}
		if (ex) {
			d->expressway++;
			d->expressway_now += t->dispatch_now;
			if (t->walk.stop != NULL && t->walk.by_safety_key &&
			    strcmp(t->walk.stop->id, "live_lane") == 0)
				d->live_lane++;
		}
	}
	d->hash = fb->hash;
	d->refused = fb->diag_refused;
	fb_free(fb);
}

/* The specialist diagnoses our calls with a flow over the fake broker: sessions end,
 * solved ones close by phone (and only those), expressway callers mostly end at the
 * live-lane stop by the safety key with a truck sent at once; the others go out with
 * diag_hold (by day), so no truck comes before the diagnosis; the same seed replays. */
START_TEST(world_diagnosis)
{
	struct diag_tally a, b, n;

	run_diag(4, 8, 10, &a);
	printf("diagnosis: %ld flow calls, %ld sessions, %ld ended, %ld solved; expressway %ld, "
	    "live lane %ld; %ld held (%ld solved without a truck)\n", a.flow_calls, a.sessions,
	    a.ended, a.solved, a.expressway, a.live_lane, a.held, a.held_solved_no_truck);
	ck_assert_int_gt(a.sessions, 100);
	ck_assert_int_ge(a.sessions, a.flow_calls * 9 / 10);
	ck_assert_int_ge(a.ended, a.sessions * 9 / 10);
	ck_assert_int_eq(a.resolved, a.solved);
	ck_assert_int_ge(a.expressway, 5);
	ck_assert_int_eq(a.expressway_now, a.expressway);
	ck_assert_int_ge(a.live_lane, a.expressway / 2);
	ck_assert_int_le(a.refused, a.sessions / 20);
	/* by day off the expressway the call goes out with diag_hold, and the specialist
	 * never asks for a truck at once on it; the hold keeps solved calls truck-free */
	ck_assert_int_eq(a.hold_wrong, 0);
	ck_assert_int_ge(a.held, (a.flow_calls - a.expressway) * 3 / 4);
	ck_assert_int_eq(a.held_now, 0);
	ck_assert_int_ge(a.held_solved_no_truck, a.solved * 3 / 4);
	run_diag(4, 8, 10, &b);
	ck_assert_uint_eq(a.hash, b.hash);
	ck_assert_int_eq(a.solved, b.solved);
	/* into the night (from 19:00): from 20:00 a truck goes at once, no hold */
	run_diag(4, 19, 4, &n);
	ck_assert_int_eq(n.hold_wrong, 0);
	ck_assert_int_gt(n.held, 0);
	ck_assert_int_gt(n.night_flow, 0);
	ck_assert_int_eq(n.held_now, 0);
}
END_TEST

/* --inject's words: what is accepted, and what is refused with a cause. */
static const struct {
	const char *text;
	int rc;
	size_t n;                       /* injections after it (when accepted) */
	enum sim_world_inject first;    /* the first one's kind and call */
	uint64_t call;
} inject_cases[] = {
	{ "stall:1", 0, 1, SIM_WORLD_INJECT_STALL, 1 },
	{ "detour:2,gpsloss:2", 0, 2, SIM_WORLD_INJECT_DETOUR, 2 },
	{ "gpsloss:18446744073709551615", 0, 1, SIM_WORLD_INJECT_GPSLOSS, UINT64_MAX },
	{ "", 0, 0, SIM_WORLD_INJECT_STALL, 0 },
	{ ",,stall:3,", 0, 1, SIM_WORLD_INJECT_STALL, 3 },
	{ "stall", -1, 0, SIM_WORLD_INJECT_STALL, 0 },
	{ "stall:", -1, 0, SIM_WORLD_INJECT_STALL, 0 },
	{ "stall:0", -1, 0, SIM_WORLD_INJECT_STALL, 0 },
	{ "stall:-1", -1, 0, SIM_WORLD_INJECT_STALL, 0 },
	{ "stall:+1", -1, 0, SIM_WORLD_INJECT_STALL, 0 },
	{ "stall:1x", -1, 0, SIM_WORLD_INJECT_STALL, 0 },
	{ "stall: 1", -1, 0, SIM_WORLD_INJECT_STALL, 0 },
	{ "stall:18446744073709551616", -1, 0, SIM_WORLD_INJECT_STALL, 0 },
	{ "Stall:1", -1, 0, SIM_WORLD_INJECT_STALL, 0 },
	{ "fire:1", -1, 0, SIM_WORLD_INJECT_STALL, 0 },
	{ ":1", -1, 0, SIM_WORLD_INJECT_STALL, 0 },
	{ "stall:1:2", -1, 0, SIM_WORLD_INJECT_STALL, 0 },
	{ "stall:1,stall:2,stall:3,stall:4,stall:5,stall:6,stall:7,stall:8,stall:9,stall:10,"
	  "stall:11,stall:12,stall:13,stall:14,stall:15,stall:16", 0, 16,
	  SIM_WORLD_INJECT_STALL, 1 },
	{ "stall:1,stall:2,stall:3,stall:4,stall:5,stall:6,stall:7,stall:8,stall:9,stall:10,"
	  "stall:11,stall:12,stall:13,stall:14,stall:15,stall:16,stall:17", -1, 0,
	  SIM_WORLD_INJECT_STALL, 0 },
};

START_TEST(world_inject_parse)
{
	struct sim_world_injection inj[SIM_WORLD_INJECT_MAX];
	size_t n = 0;
	char *cause = NULL;
	int rc = sim_world_inject_parse(inject_cases[_i].text, inj, &n, &cause);

	ck_assert_msg(rc == inject_cases[_i].rc, "\"%s\": rc %d", inject_cases[_i].text, rc);
	if (rc != 0) {
		ck_assert_msg(cause != NULL && cause[0] != '\0', "\"%s\": no cause",
		    inject_cases[_i].text);
		free(cause);
		return;
	}
	ck_assert_ptr_null(cause);
	ck_assert_uint_eq(n, inject_cases[_i].n);
	if (n > 0) {
		ck_assert_int_eq(inj[0].kind, inject_cases[_i].first);
		ck_assert_uint_eq(inj[0].call, inject_cases[_i].call);
	}
}
END_TEST

static Suite *
sim_world_suite(void)
{
	Suite *s = suite_create("sim-world");
	TCase *tc;

	tc = tcase_create("demand");
	tcase_add_unchecked_fixture(tc, load_data, free_data);
	tcase_add_test(tc, demand_rate);
	tcase_add_test(tc, demand_edges);
	tcase_add_test(tc, fault_mix);
	tcase_add_test(tc, speeds);
	suite_add_tcase(s, tc);

	tc = tcase_create("callers");
	tcase_add_unchecked_fixture(tc, load_data, free_data);
	tcase_add_test(tc, phones);
	tcase_add_loop_test(tc, plates, 0, (int)(sizeof plate_cases / sizeof plate_cases[0]));
	tcase_add_loop_test(tc, intakes, 0, 3);
	tcase_add_test(tc, intakes_reproducible);
	suite_add_tcase(s, tc);

	tc = tcase_create("paths");
	tcase_add_test(tc, paths);
	tcase_add_test(tc, path_degenerate);
	suite_add_tcase(s, tc);

	tc = tcase_create("world");
	tcase_add_unchecked_fixture(tc, load_data, free_data);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, world_create_errors);
	tcase_add_test(tc, world_fleet);
	tcase_add_test(tc, world_reproducible);
	tcase_add_test(tc, world_step_independent);
	tcase_add_test(tc, world_calls_any_start);
	tcase_add_test(tc, world_day);
	tcase_add_loop_test(tc, world_motion, 0,
	    (int)(sizeof motion_cases / sizeof motion_cases[0]));
	tcase_add_test(tc, world_stall_seen);
	tcase_add_test(tc, world_fleet_factor);
	tcase_add_test(tc, world_demand_factor);
	tcase_add_test(tc, world_bounds);
	tcase_add_test(tc, world_gps_loss);
	tcase_add_test(tc, world_decline_all);
	tcase_add_test(tc, world_no_agent);
	tcase_add_test(tc, world_stale_offer);
	tcase_add_test(tc, world_reassign);
	tcase_add_loop_test(tc, world_answer_window, 0,
	    (int)(sizeof window_cases / sizeof window_cases[0]));
	tcase_add_loop_test(tc, world_next_job, 0,
	    (int)(sizeof next_cases / sizeof next_cases[0]));
	tcase_add_test(tc, world_shifts);
	tcase_add_loop_test(tc, world_inject_parse, 0,
	    (int)(sizeof inject_cases / sizeof inject_cases[0]));
	suite_add_tcase(s, tc);

	tc = tcase_create("diagnosis");
	tcase_add_unchecked_fixture(tc, load_data, free_data);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, cause_consistent);
	tcase_add_test(tc, cause_rates);
	tcase_add_test(tc, cause_hazards);
	tcase_add_test(tc, world_diagnosis);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(sim_world_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
