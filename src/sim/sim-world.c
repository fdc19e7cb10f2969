/* sim-world.c: the simulator's pure model (see sim-world.h). No I/O, no clock. The world
 * holds the trucks (sim-trucks.c), the customers waiting on their calls and the demand;
 * it queues the actions meant for the broker and plays every event due in time order.
 *
 * The numbers (documented in man/rescuedesk-sim.1.scd):
 *   shifts      per supplier and kind, the first 40% of trucks (at least one) work 24 h,
 *               the rest 07:00-22:00 local, +-30 min
 *   customers   3% cancel 5-30 min after calling (the car started, other help); the rest
 *               cancel if no truck has accepted after 1.0-1.6 x the promise */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "civil.h"
#include "sim-world-int.h"
#include "util.h"

#define FULL_SHIFT_SHARE 0.4
#define SHIFT_ON_MIN (7 * 60)
#define SHIFT_OFF_MIN (22 * 60)
#define SHIFT_JITTER_MIN 30
#define SELF_CANCEL_P 0.03
#define SELF_CANCEL_MIN_MS (5 * MIN)
#define SELF_CANCEL_MAX_MS (30 * MIN)
#define PATIENCE_MIN 1.0
#define PATIENCE_MAX 1.6

void
sim_world_opts_init(struct sim_world_opts *o)
{
	memset(o, 0, sizeof *o);
	o->seed = 1;
	o->p_decline = -1;
	o->fleet = 1;
	o->demand = 1;
	o->tz_offset_s = CIVIL_TZ_CHINA_S;
}

static const char *const inject_names[SIM_WORLD_INJECT_COUNT] = {
	[SIM_WORLD_INJECT_STALL] = "stall", [SIM_WORLD_INJECT_DETOUR] = "detour",
	[SIM_WORLD_INJECT_GPSLOSS] = "gpsloss",
};

int
sim_world_inject_parse(const char *text, struct sim_world_injection *inj, size_t *n,
    char **cause)
{
	char buf[256], *save = NULL, *word;

	if (strlen(text) >= sizeof buf) {
		xasprintf(cause, "at most %zu characters", sizeof buf - 1);
		return -1;
	}
	rd_strlcpy(buf, text, sizeof buf);
	for (word = strtok_r(buf, ",", &save); word != NULL; word = strtok_r(NULL, ",", &save)) {
		char *colon = strchr(word, ':'), *end;
		int kind = -1;
		unsigned long long call;

		if (colon != NULL) {
			*colon = '\0';
			for (int k = 0; k < SIM_WORLD_INJECT_COUNT; k++)
				if (strcmp(word, inject_names[k]) == 0)
					kind = k;
		}
		if (kind < 0) {
			xasprintf(cause, "KIND:CALL[,...] with KIND stall, detour or gpsloss");
			return -1;
		}
		errno = 0;
		call = strtoull(colon + 1, &end, 10);
		if (!isdigit((unsigned char)colon[1]) || *end != '\0' || errno != 0 || call == 0) {
			xasprintf(cause, "a call number from 1 after each KIND:");
			return -1;
		}
		if (*n == SIM_WORLD_INJECT_MAX) {
			xasprintf(cause, "at most %d injections", SIM_WORLD_INJECT_MAX);
			return -1;
		}
		inj[*n].kind = (enum sim_world_inject)kind;
		inj[*n].call = call;
		(*n)++;
	}
	return 0;
}

bool
sim_world_call_injects(const struct sim_world *w, uint64_t seq, char *out, size_t outsz)
{
	bool any = false;

	out[0] = '\0';
	for (int k = 0; k < SIM_WORLD_INJECT_COUNT; k++) {
		bool on = false;
		for (size_t i = 0; i < w->o.n_inject; i++)
			on = on || (w->o.inject[i].call == seq && (int)w->o.inject[i].kind == k);
		if (on)
			sim_append(out, outsz, ",", inject_names[k]);
		any = any || on;
	}
	return any;
}

static const char *const phase_names[] = {
	[PH_OFF] = "off_duty", [PH_IDLE] = "idle", [PH_OFFERED] = "offered",
	[PH_ACCEPTED] = "accepted", [PH_EN_ROUTE] = "en_route", [PH_ON_SCENE] = "on_scene",
	[PH_TOWING] = "towing",
};

/* ---- actions ---- */

struct sim_world_action *
sim_push(struct sim_world *w, enum sim_world_action_kind kind, int64_t ts)
{
	struct sim_world_action *a;

	if (w->q_head > 0 && w->q_head == w->q_len)
		w->q_head = w->q_len = 0;
	if (w->q_len == w->q_cap) {
		if (w->q_head > 0) {
			memmove(w->q, w->q + w->q_head, (w->q_len - w->q_head) * sizeof *w->q);
			w->q_len -= w->q_head;
			w->q_head = 0;
		}
		if (w->q_len == w->q_cap) {
			w->q_cap = w->q_cap ? w->q_cap * 2 : 64;
			w->q = xreallocarray(w->q, w->q_cap, sizeof *w->q);
		}
	}
	a = &w->q[w->q_len++];
	memset(a, 0, sizeof *a);
	a->kind = kind;
	a->ts = ts;
	a->eta_s = -1;
	return a;
}

bool
sim_world_action_next(struct sim_world *w, struct sim_world_action *out)
{
	if (w->q_head >= w->q_len)
		return false;
	*out = w->q[w->q_head++];
	if (w->q_head == w->q_len)
		w->q_head = w->q_len = 0;
	return true;
}

void
sim_say_state(struct sim_world *w, struct truck *k, int64_t t, enum ticket_state s, int64_t eta_s,
    const char *reason)
{
	struct sim_world_action *a = sim_push(w, SIM_WORLD_SET_STATE, t);

	a->ticket = k->job;
	a->state = s;
	a->eta_s = eta_s;
	rd_strlcpy(a->reason, reason, sizeof a->reason);
	rd_strlcpy(a->truck, k->id, sizeof a->truck);
	k->tstate = s;
}

void
sim_say_status(struct sim_world *w, struct truck *k, int64_t t, enum truck_status s)
{
	struct sim_world_action *a = sim_push(w, SIM_WORLD_STATUS, t);

	rd_strlcpy(a->truck, k->id, sizeof a->truck);
	a->status = s;
	a->truck_kind = k->kind;
	rd_strlcpy(a->supplier, k->sup->id, sizeof a->supplier);
	rd_strlcpy(a->region, k->reg->id, sizeof a->region);
}


/* ---- customers ---- */

static struct cust *
cust_by_id(struct sim_world *w, int64_t id)
{
	for (size_t i = 0; i < w->n_custs; i++)
		if (w->custs[i].id == id)
			return &w->custs[i];
	return NULL;
}

bool
sim_world_told(struct sim_world *w, int64_t now_ms, int64_t id, const char *tpl)
{
	struct cust *c = cust_by_id(w, id);

	if (c == NULL)
		return false;
	c->told++;
	w->st.told++;
	if (strcmp(tpl, "delay") == 0) {
		w->st.told_delay++;
		if (c->t_told_delay == 0)
			c->t_told_delay = now_ms > 0 ? now_ms : 1;
	}
	return true;
}

/* A step in the course of ticket id's call, for sim_world_gaps. */
void
sim_cust_mark(struct sim_world *w, int64_t id, enum cust_mark m, int64_t t, int64_t model_ms)
{
	struct cust *c = cust_by_id(w, id);

	if (c == NULL || c->final)
		return;
	switch (m) {
	case CM_NEXT_OFFER:
		c->queued = true;
		/* fall through */
	case CM_OFFER:
		if (c->t_offer1 == 0)
			c->t_offer1 = t;
		c->t_offer = t;
		break;
	case CM_ACCEPT:
		c->t_accept = t;
		c->model_ms = model_ms;
		break;
	case CM_ARRIVE:
		c->t_arrive = t;
		break;
	}
}

static void
cust_gaps(struct sim_world *w, const struct cust *c)
{
	struct sim_world_gaps *g = &w->gaps;
	double excess = (double)(c->t_on_scene - c->created - c->bound_ms);

	if (c->queued || c->t_offer1 == 0 || c->t_accept == 0 || c->t_arrive == 0 ||
	    c->model_ms == 0) {
		g->queued++;
		g->other += excess;
		return;
	}
	g->n++;
	g->offer += (double)(c->t_offer1 - c->created);
	g->reoffer += (double)(c->t_offer - c->t_offer1);
	g->trip += (double)(c->t_arrive - c->t_offer - c->model_ms);
	g->choice += (double)(c->model_ms - c->bound_ms);
	g->report += (double)(c->t_on_scene - c->t_arrive);
}

unsigned
sim_cust_take_inject(struct sim_world *w, int64_t id)
{
	struct cust *c = id > 0 ? cust_by_id(w, id) : NULL;
	unsigned bits;

	if (c == NULL)
		return 0;
	bits = c->inject;
	c->inject = 0;
	return bits;
}

static struct cust *
cust_by_seq(struct sim_world *w, uint64_t seq)
{
	for (size_t i = 0; i < w->n_custs; i++)
		if (w->custs[i].seq == seq)
			return &w->custs[i];
	return NULL;
}

static int64_t
cust_due(const struct cust *c)
{
	int64_t t;

	if (c->id == 0 || c->final || c->cancel_sent)
		return INT64_MAX;
	t = c->t_self < c->t_patience ? c->t_self : c->t_patience;
	return c->t_diag < t ? c->t_diag : t;
}

static void
cust_cancel(struct sim_world *w, struct cust *c, int64_t t, const char *reason)
{
	struct sim_world_action *a = sim_push(w, SIM_WORLD_CANCEL, t);

	a->ticket = c->id;
	rd_strlcpy(a->reason, reason, sizeof a->reason);
	c->cancel_sent = true;
	w->st.customer_cancels++;
}

static void
cust_event(struct sim_world *w, struct cust *c, int64_t t)
{
	bool waiting = c->state == TICKET_NEW || c->state == TICKET_DISPATCHED;
	bool before_scene = waiting || c->state == TICKET_ACCEPTED || c->state == TICKET_EN_ROUTE;

	if (c->t_diag <= t) {
		diag_event(w, c, t);
	} else if (c->t_self <= t) {
		c->t_self = INT64_MAX;
		if (before_scene)
			cust_cancel(w, c, t, "customer: the car started again, no help needed");
	} else if (c->t_patience <= t) {
		c->t_patience = INT64_MAX;
		if (waiting)
			cust_cancel(w, c, t,
			    "customer: waited too long for a truck, found other help");
	}
}

static void
cust_compact(struct sim_world *w)
{
	size_t j = 0;

	if (w->n_final_custs < 256 || w->n_final_custs * 2 < w->n_custs)
		return;
	for (size_t i = 0; i < w->n_custs; i++)
		if (!w->custs[i].final)
			w->custs[j++] = w->custs[i];
	w->n_custs = j;
	w->n_final_custs = 0;
}

static void
cust_final(struct sim_world *w, struct cust *c)
{
	c->final = true;
	w->n_final_custs++;
	w->finals++;
	switch (c->state) {
	case TICKET_COMPLETED:
		w->st.completed++;
		break;
	case TICKET_CANCELLED:
		w->st.cancelled++;
		break;
	default:
		w->st.resolved_remote++;
		break;
	}
	if (c->t_on_scene > 0 && c->created > 0) {
		if (w->n_resp == w->cap_resp) {
			w->cap_resp = w->cap_resp ? w->cap_resp * 2 : 64;
			w->resp = xreallocarray(w->resp, w->cap_resp, sizeof *w->resp);
			w->bound = xreallocarray(w->bound, w->cap_resp, sizeof *w->bound);
			w->work = xreallocarray(w->work, w->cap_resp, sizeof *w->work);
		}
		w->bound[w->n_resp] = c->bound_ms;
		cust_gaps(w, c);
		w->work[w->n_resp] = (struct sim_world_bound){ .work_ms = c->work_ms,
		    .nodivert_ms = c->nodivert_ms, .free_ms = c->free_ms };
		w->resp[w->n_resp++] = c->t_on_scene - c->created;
		if (c->promised > 0 && c->t_on_scene <= c->promised)
			w->in_promise++;
		if (c->promised > 0 && c->created + c->bound_ms <= c->promised)
			w->bound_in_promise++;
	}
}

/* ---- demand ---- */

/* Calls take their content from a stream of their own, seeded by (seed, call number): the
 * Nth call is the same caller whatever the arrival times were. */
#define CALL_STREAM 0x5ca11ULL
#define BURST_GAP_MS 5000 /* calls of the opening burst, broker time apart */

/* The lower bounds of call c's response (0 when no truck on shift can serve its fault): the
 * best truck_bound_ms of the trucks on shift able to serve it, busy or not; the best
 * truck_work_bound_ms, diverting trucks on their way to a call or not; and the best truck_bound_ms of those idle then (0 when none is). */
static void
call_bound(const struct sim_world *w, const struct sim_world_intake *in, int64_t t,
    struct cust *c)
{
	struct geo_point scene = { in->lat, in->lon };
	uint32_t kinds = w->d->faults[in->fault].kinds;
	bool xw = (in->flags & TICKET_FLAG_EXPRESSWAY) != 0;
	int64_t best = INT64_MAX, work = INT64_MAX, keep = INT64_MAX, idle = INT64_MAX;

	for (size_t i = 0; i < w->n_trucks; i++) {
		const struct truck *k = &w->trucks[i];
		if (k->phase == PH_OFF || !(kinds & (1u << k->kind)))
			continue;
		int64_t b = truck_bound_ms(w, k, scene, xw, t);
		int64_t wb = truck_work_bound_ms(w, k, scene, xw, t, true);
		int64_t kb = truck_work_bound_ms(w, k, scene, xw, t, false);
		if (b < best)
			best = b;
		if (wb < work)
			work = wb;
		if (kb < keep)
			keep = kb;
		if (k->phase == PH_IDLE && b < idle)
			idle = b;
	}
	c->bound_ms = best == INT64_MAX ? 0 : best;
	/* each is a bound, so the larger of two is one: a busy truck counted without an
	 * answer (it can answer during its job) may come out below the first */
	if (work < best)
		work = best;
	if (keep < work)
		keep = work;
	c->work_ms = work == INT64_MAX ? 0 : work;
	c->nodivert_ms = keep == INT64_MAX ? 0 : keep;
	c->free_ms = idle == INT64_MAX ? 0 : idle;
}

static void
new_call(struct sim_world *w, int64_t t)
{
	struct sim_world_action *a;
	const struct data_region *reg;
	struct rng r;
	struct cust *c;
	int promise;

	if (w->o.requests > 0 && w->to_generate <= 0) {
		w->t_call = INT64_MAX;
		return;
	}
	a = sim_push(w, SIM_WORLD_INTAKE, t);
	a->seq = ++w->seq;
	rng_seed(&r, w->o.seed, (CALL_STREAM << 32) + a->seq);
	reg = w->regs[rng_pick(&r, w->reg_w, w->n_regs)];
	sim_world_intake_make(&r, w->d, reg, t, w->o.tz_offset_s, &a->intake);
	if (w->n_custs == w->cap_custs) {
		w->cap_custs = w->cap_custs ? w->cap_custs * 2 : 64;
		w->custs = xreallocarray(w->custs, w->cap_custs, sizeof *w->custs);
	}
	c = &w->custs[w->n_custs++];
	memset(c, 0, sizeof *c);
	c->seq = a->seq;
	c->t_gen = t;
	for (size_t i = 0; i < w->o.n_inject; i++)
		if (w->o.inject[i].call == c->seq)
			c->inject |= 1u << w->o.inject[i].kind;
	c->state = TICKET_NEW;
	promise = (a->intake.flags & TICKET_FLAG_EXPRESSWAY) ? reg->promise_expressway_min :
	    reg->promise_min;
	c->t_self = INT64_MAX;
	if (rng_uniform(&r) < SELF_CANCEL_P)
		c->t_self = t + (int64_t)rng_range(&r, SELF_CANCEL_MIN_MS,
		    SELF_CANCEL_MAX_MS);
	c->t_patience = t + (int64_t)(promise * MIN *
	    rng_range(&r, PATIENCE_MIN, PATIENCE_MAX));
	call_bound(w, &a->intake, t, c);
	diag_call(w, c, &a->intake, t);
	w->st.generated++;
	if (w->o.requests > 0)
		w->to_generate--;
	if (w->burst_left > 0) {
		w->burst_left--;
		w->t_call = t + BURST_GAP_MS;
	} else {
		w->t_call = sim_world_next_arrival(&w->demand, w->per_hour, t, w->o.tz_offset_s);
	}
}

/* ---- create, start, advance ---- */

static void
code_of(const char *id, char out[3])
{
	size_t n = strlen(id), i, first_vowel = n;

	out[0] = (char)(id[0] >= 'a' && id[0] <= 'z' ? id[0] - 32 : id[0]);
	out[1] = '\0';
	out[2] = '\0';
	for (i = 0; i < n; i++)
		if (strchr("aeiouv", id[i]) != NULL) {
			first_vowel = i;
			break;
		}
	/* the initial of the second pinyin syllable: a consonant before a vowel, after the
	 * first vowel (zh/ch/sh count by their first letter); or after a separator */
	for (i = 1; i < n; i++) {
		char c = id[i];
		bool sep = id[i - 1] == '-' || id[i - 1] == '_';
		if (c < 'a' || c > 'z')
			continue;
		if (sep) {
			out[1] = (char)(c - 32);
			return;
		}
		if (i <= first_vowel || strchr("aeiouv", c) != NULL)
			continue;
		if (i + 1 < n && strchr("aeiouv", id[i + 1]) != NULL) {
			char ini = c;
			if (c == 'h' && strchr("zcs", id[i - 1]) != NULL)
				ini = id[i - 1];
			out[1] = (char)(ini - 32);
			return;
		}
	}
	if (n > 1 && id[1] >= 'a' && id[1] <= 'z')
		out[1] = (char)(id[1] - 32);
	else
		out[1] = 'X';
}

static const char kind_letter[TRUCK_KIND_COUNT] = { 'V', 'W', 'F', 'H' };

static bool
selected(const struct sim_world_opts *o, const char *id)
{
	if (o->regions == NULL || o->n_regions == 0)
		return true;
	for (size_t i = 0; i < o->n_regions; i++)
		if (strcmp(o->regions[i], id) == 0)
			return true;
	return false;
}

static bool
prob_ok(double p)
{
	return p >= 0 && p <= 1;
}

/* A supplier's n trucks of a kind scaled by the fleet factor: a kind it has keeps one. */
static int
fleet_of(const struct sim_world_opts *o, int n)
{
	int m = (int)lround(n * o->fleet);

	return n > 0 && m < 1 ? 1 : m;
}

static void
add_trucks(struct sim_world *w, const struct data_region *reg, const char *rcode)
{
	for (size_t s = 0; s < reg->n_suppliers; s++) {
		const struct data_supplier *sup = &reg->suppliers[s];
		struct geo_point depot = { sup->lat, sup->lon };
		char scode[3];
		size_t standby[64], n_standby = 0;
		double reach = fmin(reg->radius_km * 500.0, 25000.0);

		code_of(sup->id, scode);
		/* codes must be unique in the region: fall back to the first two letters, then
		 * a digit */
		for (size_t o = 0; o < s; o++) {
			char other[3];
			code_of(reg->suppliers[o].id, other);
			if (strcmp(other, scode) == 0) {
				scode[1] = (char)('0' + (char)(s % 10));
				break;
			}
		}
		for (size_t i = 0; i < reg->n_landmarks && n_standby < ARRAY_LEN(standby); i++) {
			const struct data_landmark *lm = &reg->landmarks[i];
			if (!sim_is_expressway(lm) &&
			    geo_distance_m(depot, (struct geo_point){ lm->lat, lm->lon }) <= reach)
				standby[n_standby++] = i;
		}
		for (int kind = 0; kind < TRUCK_KIND_COUNT; kind++) {
			int n = fleet_of(&w->o, sup->fleet[kind]);
			int full = (int)ceil(n * FULL_SHIFT_SHARE);
			for (int j = 0; j < n; j++) {
				struct truck *k = &w->trucks[w->n_trucks++];
				struct rng r;

				memset(k, 0, sizeof *k);
				snprintf(k->id, sizeof k->id, "%s-%s-%c%02d", rcode, scode,
				    kind_letter[kind], j + 1);
				k->reg = reg;
				k->sup = sup;
				k->kind = (enum truck_kind)kind;
				rng_seed(&r, w->o.seed, rng_hash(k->id));
				/* vans after the first wait at standby points around the depot;
				 * tow trucks at the yard */
				if (kind == TRUCK_KIND_VAN && j > 0 && n_standby > 0) {
					const struct data_landmark *lm = &reg->landmarks[standby[
					    rng_below(&r, (uint32_t)n_standby)]];
					k->home = sim_in_disk(&r,
					    (struct geo_point){ lm->lat, lm->lon }, 300);
				} else {
					k->home = sim_in_disk(&r, depot, 100);
				}
				k->pos = k->home;
				k->full_shift = j < full;
				k->shift_on = SHIFT_ON_MIN + (int)rng_below(&r,
				    2 * SHIFT_JITTER_MIN + 1) - SHIFT_JITTER_MIN;
				k->shift_off = SHIFT_OFF_MIN + (int)rng_below(&r,
				    2 * SHIFT_JITTER_MIN + 1) - SHIFT_JITTER_MIN;
				k->rng = r;
				k->phase = PH_OFF;
				k->t_act = k->t_fix = k->t_shift = INT64_MAX;
				k->mv.t_arrive = k->mv.t_turn = INT64_MAX;
				k->last_fix = -1;
				k->drop_from = k->drop_to = 0;
			}
		}
	}
}

struct sim_world *
sim_world_create(const struct data *d, const struct sim_world_opts *o, char **cause)
{
	struct sim_world *w;
	size_t n_trucks = 0;
	double share_sum = 0;

	for (size_t i = 0; o->regions != NULL && i < o->n_regions; i++) {
		if (data_region(d, o->regions[i]) == NULL) {
			char known[256] = "";
			for (size_t j = 0; j < d->n_regions; j++)
				sim_append(known, sizeof known, ", ", d->regions[j].id);
			xasprintf(cause, "unknown region '%s' (known: %s)", o->regions[i], known);
			return NULL;
		}
	}
	if (!prob_ok(o->p_gps_dropout) || !prob_ok(o->p_stall) || !prob_ok(o->p_detour) ||
	    !prob_ok(o->p_gps_loss) ||
	    isnan(o->p_decline) || o->p_decline > 1) {
		xasprintf(cause, "fault probabilities must be between 0 and 1");
		return NULL;
	}
	if (o->n_inject > SIM_WORLD_INJECT_MAX) {
		xasprintf(cause, "at most %d injections", SIM_WORLD_INJECT_MAX);
		return NULL;
	}
	for (size_t i = 0; i < o->n_inject; i++) {
		if ((unsigned)o->inject[i].kind >= SIM_WORLD_INJECT_COUNT || o->inject[i].call == 0) {
			xasprintf(cause, "an injection needs a known kind and a call number from 1");
			return NULL;
		}
	}
	if (o->diagnose && o->flows == NULL) {
		xasprintf(cause, "diagnosis needs the flows");
		return NULL;
	}
	if (!(o->rate_per_hour >= 0)) {
		xasprintf(cause, "the call rate must not be negative");
		return NULL;
	}
	if (!(o->fleet >= 0.05 && o->fleet <= 10) || !(o->demand >= 0.01 && o->demand <= 100)) {
		xasprintf(cause, "the fleet factor must be 0.05..10 and the demand factor "
		    "0.01..100");
		return NULL;
	}
	w = xcalloc(1, sizeof *w);
	w->d = d;
	w->o = *o;
	w->o.regions = NULL;
	w->o.n_regions = 0;
	w->regs = xcalloc(d->n_regions, sizeof *w->regs);
	w->reg_w = xcalloc(d->n_regions, sizeof *w->reg_w);
	for (size_t i = 0; i < d->n_regions; i++) {
		const struct data_region *reg = &d->regions[i];
		if (!selected(o, reg->id))
			continue;
		w->reg_w[w->n_regs] = reg->calls_per_day;
		w->regs[w->n_regs++] = reg;
		for (size_t s = 0; s < reg->n_suppliers; s++)
			for (int k = 0; k < TRUCK_KIND_COUNT; k++)
				n_trucks += (size_t)fleet_of(o, reg->suppliers[s].fleet[k]);
	}
	for (int h = 0; h < 24; h++)
		share_sum += d->demand_by_hour[h];
	for (int h = 0; h < 24; h++) {
		double total = 0;
		for (size_t i = 0; i < w->n_regs; i++)
			total += w->regs[i]->calls_per_day;
		if (o->rate_per_hour > 0)
			w->per_hour[h] = o->rate_per_hour;
		else if (share_sum > 0)
			w->per_hour[h] = total * d->demand_by_hour[h] / share_sum;
		w->per_hour[h] *= o->demand;
	}
	w->trucks = xcalloc(n_trucks ? n_trucks : 1, sizeof *w->trucks);
	w->by_id = hmap_create();
	for (size_t i = 0; i < w->n_regs; i++) {
		char rcode[3];
		code_of(w->regs[i]->id, rcode);
		add_trucks(w, w->regs[i], rcode);
	}
	for (size_t i = 0; i < w->n_trucks; i++) {
		struct truck *k = &w->trucks[i];
		/* an id clash across regions: make it unique with a suffix */
		for (int n = 2; hmap_get(w->by_id, k->id) != NULL && n < 100; n++) {
			char id[25];
			snprintf(id, sizeof id, "%.20s-%d", w->trucks[i].id, n);
			rd_strlcpy(k->id, id, sizeof k->id);
		}
		hmap_put(w->by_id, k->id, k);
	}
	rng_seed(&w->demand, o->seed, 1);
	rng_seed(&w->noise, o->seed, 2);
	rng_seed(&w->gps, o->seed, 3);
	w->to_generate = o->requests;
	w->t_call = INT64_MAX;
	return w;
}

void
sim_world_destroy(struct sim_world *w)
{
	if (w == NULL)
		return;
	hmap_destroy(w->by_id);
	free(w->trucks);
	free(w->regs);
	free(w->reg_w);
	free(w->custs);
	free(w->busy);
	free(w->surveys);
	free(w->q);
	free(w->resp);
	free(w->bound);
	free(w->work);
	free(w);
}

void
sim_world_start(struct sim_world *w, int64_t now)
{
	if (w->started)
		return;
	w->started = true;
	w->now = now;
	for (size_t i = 0; i < w->n_trucks; i++) {
		struct truck *k = &w->trucks[i];
		int64_t into = civil_ms_of_day(now, w->o.tz_offset_s) / MIN;

		k->on_shift = k->full_shift || (into >= k->shift_on && into < k->shift_off);
		if (k->on_shift) {
			k->phase = PH_IDLE;
			sim_say_status(w, k, now, TRUCK_AVAILABLE);
			truck_send_fix(w, k, now);
			/* spread the idle pings over their interval */
			k->t_fix = now + 1 + (int64_t)rng_below(&k->rng, FIX_STILL_MS);
		} else {
			k->phase = PH_OFF;
			sim_say_status(w, k, now, TRUCK_OFF_DUTY);
		}
		truck_schedule_shift(w, k, now);
	}
	w->t_call = sim_world_next_arrival(&w->demand, w->per_hour, now, w->o.tz_offset_s);
	w->burst_left = w->o.burst > 0 ? w->o.burst : 0;
	if (w->burst_left > 0)
		w->t_call = now + 1;
	if (w->o.requests > 0 && w->to_generate <= 0)
		w->t_call = INT64_MAX;
}

enum { SRC_NONE, SRC_CALL, SRC_TRUCK, SRC_CUST, SRC_BUSY, SRC_SURVEY };

static int64_t
next_due(const struct sim_world *w, int *src, size_t *idx)
{
	int64_t t = INT64_MAX;

	*src = SRC_NONE;
	*idx = 0;
	if (!w->started)
		return t;
	if (w->t_call < t) {
		t = w->t_call;
		*src = SRC_CALL;
	}
	for (size_t i = 0; i < w->n_trucks; i++) {
		int64_t d = truck_due(&w->trucks[i]);
		if (d < t) {
			t = d;
			*src = SRC_TRUCK;
			*idx = i;
		}
	}
	for (size_t i = 0; i < w->n_custs; i++) {
		int64_t d = cust_due(&w->custs[i]);
		if (d < t) {
			t = d;
			*src = SRC_CUST;
			*idx = i;
		}
	}
	for (size_t i = 0; i < w->n_busy; i++) {
		if (w->busy[i].due < t) {
			t = w->busy[i].due;
			*src = SRC_BUSY;
			*idx = i;
		}
	}
	for (size_t i = 0; i < w->n_surveys; i++) {
		if (w->surveys[i].due < t) {
			t = w->surveys[i].due;
			*src = SRC_SURVEY;
			*idx = i;
		}
	}
	return t;
}

int64_t
sim_world_next_due(const struct sim_world *w)
{
	int src;
	size_t idx;

	return next_due(w, &src, &idx);
}

static void
busy_remove(struct sim_world *w, size_t i)
{
	memmove(&w->busy[i], &w->busy[i + 1], (w->n_busy - i - 1) * sizeof *w->busy);
	w->n_busy--;
}

static void
busy_event(struct sim_world *w, size_t i, int64_t t)
{
	struct busy b = w->busy[i];
	struct sim_world_action *a;

	busy_remove(w, i);
	a = sim_push(w, SIM_WORLD_SET_STATE, t);
	a->ticket = b.ticket;
	a->state = TICKET_NEW;
	rd_strlcpy(a->reason, b.reason, sizeof a->reason);
	rd_strlcpy(a->truck, b.truck, sizeof a->truck);
	w->st.declined++;
}

void
sim_world_advance(struct sim_world *w, int64_t now)
{
	if (!w->started || now < w->now)
		return;
	for (;;) {
		int src;
		size_t idx;
		int64_t t = next_due(w, &src, &idx);

		if (t > now || src == SRC_NONE)
			break;
		if (t > w->now)
			w->now = t;
		switch (src) {
		case SRC_CALL:
			new_call(w, w->now);
			break;
		case SRC_TRUCK:
			truck_event(w, &w->trucks[idx], w->now);
			break;
		case SRC_CUST:
			cust_event(w, &w->custs[idx], w->now);
			break;
		case SRC_BUSY:
			busy_event(w, idx, w->now);
			break;
		case SRC_SURVEY:
			survey_event(w, idx, w->now);
			break;
		}
	}
	w->now = now;
	cust_compact(w);
}

void
sim_world_ticket(struct sim_world *w, int64_t now, const struct sim_world_ticket *tk)
{
	bool final = ticket_state_final(tk->state);
	struct cust *c;
	struct truck *k;

	sim_world_advance(w, now);
	now = w->now;
	if (!w->started)
		return;

	/* the customer's side */
	c = cust_by_id(w, tk->id);
	if (c != NULL && !c->final) {
		c->state = tk->state;
		if (tk->created > 0)
			c->created = tk->created;
		if (tk->promised > 0)
			c->promised = tk->promised;
		if (tk->t_on_scene > 0)
			c->t_on_scene = tk->t_on_scene;
		if (final) {
			cust_final(w, c);
			survey_close(w, c, now);
		}
		diag_ticket(w, c, tk, now);
	}

	/* pending quick declines that are moot now */
	for (size_t i = 0; i < w->n_busy;) {
		if (w->busy[i].ticket == tk->id && (tk->state != TICKET_DISPATCHED ||
		    strcmp(tk->truck, w->busy[i].truck) != 0))
			busy_remove(w, i);
		else
			i++;
	}

	/* the truck that has it queued after its job: still ours? */
	k = truck_of_next(w, tk->id);
	if (k != NULL) {
		struct next *n = &k->next;
		bool mine = !final && strcmp(tk->truck, k->id) == 0;
		if (mine && tk->state == TICKET_DISPATCHED && tk->t_dispatched > n->tk.t_dispatched) {
			truck_next_offer(w, k, tk, now); /* offered again */
			return;
		}
		if (mine && tk->state == TICKET_ACCEPTED) {
			n->tk.state = TICKET_ACCEPTED;
			return;
		}
		if (mine && tk->state == TICKET_DISPATCHED)
			return; /* an older update: our answer is pending or on its way */
		n->st = NEXT_NONE; /* closed, back to new, or given to another truck */
	}

	/* the truck that has it: still ours? */
	k = truck_of_job(w, tk->id);
	if (k != NULL && !final && tk->state != TICKET_NEW && strcmp(tk->truck, k->id) == 0) {
		if (tk->state != TICKET_DISPATCHED)
			k->tstate = tk->state;
		else if (tk->t_dispatched > k->job_tdisp && k->phase != PH_OFFERED) {
			/* the same truck offered it again */
			truck_stop(k, now);
			truck_offer(w, k, tk, now);
		}
		return;
	}
	if (k != NULL)
		truck_release(w, k, now); /* closed, back to new, or given to another truck */

	/* a truck of ours named on a live ticket it does not hold */
	if (final || tk->state == TICKET_NEW || tk->truck[0] == '\0')
		return;
	k = hmap_get(w->by_id, tk->truck);
	if (k == NULL)
		return;
	/* an older update of an offer answered or a job finished: our answer is on its way */
	if (truck_seen(k, tk->id, tk->t_dispatched, tk->state != TICKET_DISPATCHED))
		return;
	if (truck_busy(k)) {
		if (tk->state == TICKET_DISPATCHED && truck_finishing(k)) {
			truck_next_offer(w, k, tk, now);
			return;
		}
		truck_remember(k, tk->id, tk->t_dispatched);
		if (tk->state != TICKET_DISPATCHED) {
			w->st.conflicts++;
			return;
		}
		if (w->n_busy == w->cap_busy) {
			w->cap_busy = w->cap_busy ? w->cap_busy * 2 : 8;
			w->busy = xreallocarray(w->busy, w->cap_busy, sizeof *w->busy);
		}
		struct busy *b = &w->busy[w->n_busy++];
		b->ticket = tk->id;
		rd_strlcpy(b->truck, k->id, sizeof b->truck);
		b->due = now + BUSY_DECLINE_MIN_MS;
		rd_strlcpy(b->reason, k->phase == PH_OFF ? "declined: driver off shift" :
		    "declined: driver on another job", sizeof b->reason);
		w->st.offers++;
		w->st.conflicts++;
		return;
	}
	truck_adopt(w, k, tk, now);
}

void
sim_world_intake_done(struct sim_world *w, int64_t now, uint64_t seq, int64_t id)
{
	struct cust *c;

	sim_world_advance(w, now);
	c = cust_by_seq(w, seq);
	if (c == NULL || c->id != 0)
		return;
	c->id = id;
	w->st.created++;
	if (w->o.requests > 0 && (long)w->st.created >= w->o.requests)
		w->last_created = w->now;
}

void
sim_world_intake_failed(struct sim_world *w, int64_t now, uint64_t seq)
{
	struct cust *c;

	sim_world_advance(w, now);
	c = cust_by_seq(w, seq);
	if (c == NULL || c->id != 0)
		return;
	size_t i = (size_t)(c - w->custs);
	memmove(&w->custs[i], &w->custs[i + 1], (w->n_custs - i - 1) * sizeof *w->custs);
	w->n_custs--;
	w->st.failed++;
	if (w->o.requests > 0) {
		w->to_generate++;
		if (w->t_call == INT64_MAX)
			w->t_call = sim_world_next_arrival(&w->demand, w->per_hour, w->now,
			    w->o.tz_offset_s);
	}
}

bool
sim_world_done(const struct sim_world *w)
{
	return w->o.requests > 0 && (long)w->st.created >= w->o.requests &&
	    w->finals >= w->st.created;
}

int64_t
sim_world_last_created(const struct sim_world *w)
{
	return w->last_created;
}

void
sim_world_stats(const struct sim_world *w, struct sim_world_stats *out)
{
	*out = w->st;
	out->late = out->late_told = 0;
	for (size_t i = 0; i < w->n_custs; i++) {
		const struct cust *c = &w->custs[i];
		if (c->t_on_scene <= 0 || c->promised <= 0 || c->t_on_scene <= c->promised)
			continue;
		out->late++;
		out->late_told += c->t_told_delay > 0 && c->t_told_delay <= c->t_on_scene;
	}
}

const int64_t *
sim_world_responses(const struct sim_world *w, size_t *n, size_t *in_promise)
{
	*n = w->n_resp;
	*in_promise = w->in_promise;
	return w->resp;
}

const int64_t *
sim_world_bounds(const struct sim_world *w, size_t *n, size_t *in_promise)
{
	*n = w->n_resp;
	*in_promise = w->bound_in_promise;
	return w->bound;
}

void
sim_world_gaps(const struct sim_world *w, struct sim_world_gaps *out)
{
	*out = w->gaps;
}

const struct sim_world_bound *
sim_world_work_bounds(const struct sim_world *w, size_t *n)
{
	*n = w->n_resp;
	return w->work;
}

size_t
sim_world_open_tickets(const struct sim_world *w, int64_t *ids, size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < w->n_custs; i++) {
		const struct cust *c = &w->custs[i];
		if (c->id == 0 || c->final)
			continue;
		if (n < max)
			ids[n] = c->id;
		n++;
	}
	return n;
}

size_t
sim_world_truck_count(const struct sim_world *w)
{
	return w->n_trucks;
}

void
sim_world_truck_info(const struct sim_world *w, size_t i, struct sim_world_truck_info *out)
{
	const struct truck *k = &w->trucks[i];

	out->id = k->id;
	out->supplier = k->sup->id;
	out->region = k->reg->id;
	out->kind = k->kind;
	out->pos = k->pos;
	out->on_shift = k->on_shift;
	out->job = k->job;
	out->next = k->next.st != NEXT_NONE ? k->next.tk.id : 0;
	out->phase = phase_names[k->phase];
}
