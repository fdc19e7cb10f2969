/* sim-trucks.c: the suppliers' trucks of the world: shifts, answers to offers, quotes,
 * trips to the scene, time on scene, tows, GPS fixes, the job offered while finishing
 * another, and adopting the jobs the broker says a truck has.
 *
 * The numbers (documented in man/rescuedesk-sim.1.scd):
 *   offers      answered after 20-120 s (accept) or 15-90 s (decline), but within 90% of
 *               the supplier's offer_timeout_s; a fifth of the refusals are silence,
 *               answered with a decline after 10 min
 *   departure   1-4 min after accepting; ETA quoted = (departure + travel) x 1.0-1.2,
 *               rounded up to 5 min, at least 10 min
 *   driving     region speed for the hour (peak 07-09, 17-19) x 0.85-1.15 per trip;
 *               expressway jobs drive the last 65% at expressway speed
 *   paths       3-6 points, length = region detour x great circle (x 1.5-2 with --detour)
 *   --inject    a call's first trip: detour, straight away from the car max(5 km, half the
 *               distance) first; stall 20 min or no fixes 15 min, from 60 s after
 *               departure (halfway through a shorter trip)
 *   on scene    faults.ini onscene_min x lognormal (sigma 0.35, mean 1), 0.4x-3x
 *   tows        to a garage 5-15 km from the scene
 *   GPS         every 15 s from acceptance to arrival (and towing) and on a >= 30 degree
 *               turn, 120 s otherwise; 4 m noise; with --gps-loss, that share of fixes
 *               lost at random
 *   next job    an offer to a truck on scene or towing is answered as usual; accepted, the
 *               ETA quoted is (time left on the job + preparation + the trip from where the
 *               job ends) x 1.0-1.2, and the truck goes there when the job is over */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "civil.h"
#include "sim-world-int.h"
#include "util.h"

#define FIX_MOVING_MS (15 * SEC)
#define GPS_NOISE_M 4.0
#define ACCEPT_MIN_MS (20 * SEC)
#define ACCEPT_MAX_MS (120 * SEC)
#define DECLINE_MIN_MS (15 * SEC)
#define DECLINE_MAX_MS (90 * SEC)
#define ANSWER_WINDOW 0.9 /* answers come within this share of the supplier's timeout */
#define SILENT_SHARE 0.2
#define SILENT_MS (10 * MIN)
#define BUSY_DECLINE_MAX_MS (40 * SEC)
#define PREP_MIN_MS (1 * MIN)
#define PREP_MAX_MS (4 * MIN)
#define ETA_ROUND_S 300
#define ETA_MIN_S 600
#define SPEED_JITTER 0.15
#define EXPRESSWAY_FROM 0.35
#define ONSCENE_SIGMA 0.35
#define GARAGE_MIN_M 5000.0
#define GARAGE_MAX_M 15000.0
#define HOME_RADIUS_M 300.0
#define DETOUR_MIN 1.5
#define DETOUR_MAX 2.0
#define STALL_MIN_MS (8 * MIN)
#define STALL_MAX_MS (20 * MIN)
#define DROPOUT_MIN_MS (5 * MIN)
#define DROPOUT_MAX_MS (15 * MIN)
/* an injected wrong turn drives at least this far away: over 300 s (sla.ini deviation_s)
 * even at 46 km/h, so the truck has got no closer by the time it turns back and the
 * deviation warning holds from the third fix away until it is back where it started */
#define INJECT_AWAY_MIN_M 5000.0

/* ---- GPS ---- */

void
truck_send_fix(struct sim_world *w, struct truck *k, int64_t t)
{
	struct sim_world_action *a;
	double nlat, nlon, speed, heading;

	if (k->phase == PH_OFF)
		return;
	truck_move(k, t);
	k->last_fix = t;
	/* the engine runs from acceptance to the end of the trip: the moving cadence */
	k->t_fix = t + (k->mv.on || k->phase == PH_ACCEPTED || k->phase == PH_EN_ROUTE ||
	    k->phase == PH_TOWING ? FIX_MOVING_MS : FIX_STILL_MS);
	nlat = rng_normal(&w->noise) * GPS_NOISE_M;
	nlon = rng_normal(&w->noise) * GPS_NOISE_M;
	speed = mv_speed_kmh(&k->mv, t);
	if (speed > 0)
		speed *= 1.0 + 0.05 * rng_normal(&w->noise);
	if ((t >= k->drop_from && t < k->drop_to) ||
	    (w->o.p_gps_loss > 0 && rng_uniform(&w->gps) < w->o.p_gps_loss)) {
		w->st.fixes_suppressed++;
		return;
	}
	a = sim_push(w, SIM_WORLD_FIX, t);
	rd_strlcpy(a->truck, k->id, sizeof a->truck);
	a->lat = k->pos.lat + nlat / 111320.0;
	a->lon = k->pos.lon + nlon / (111320.0 * cos(k->pos.lat * M_PI / 180.0));
	a->speed_kmh = speed > 0 ? (speed < 399 ? speed : 399) : 0;
	heading = fmod(k->heading, 360.0);
	a->heading = heading < 0 ? heading + 360.0 : heading;
	w->st.fixes++;
}

/* ---- trucks ---- */

int64_t
truck_due(const struct truck *k)
{
	int64_t t = k->t_shift;

	if (k->t_act < t)
		t = k->t_act;
	if (k->next.st == NEXT_OFFERED && k->next.t_act < t)
		t = k->next.t_act;
	if (k->t_fix < t)
		t = k->t_fix;
	if (k->mv.on) {
		if (k->mv.t_arrive < t)
			t = k->mv.t_arrive;
		if (k->mv.t_turn < t)
			t = k->mv.t_turn;
	}
	return t;
}

void
truck_schedule_shift(struct sim_world *w, struct truck *k, int64_t t)
{
	if (k->full_shift)
		k->t_shift = INT64_MAX;
	else
		k->t_shift = sim_next_local_minute(t, w->o.tz_offset_s,
		    k->on_shift ? k->shift_off : k->shift_on);
}

static double
job_kmh(struct sim_world *w, struct truck *k, int64_t t, bool expressway)
{
	int hour = civil_local_hour(t, w->o.tz_offset_s);

	return data_region_speed_kmh(k->reg, hour, expressway);
}

/* Travel time (ms) of a trip of straight-line length d to a scene (expressway: the last 65%
 * at expressway speed) at the region's speed for the hour of t, as the bounds count it: the
 * path sim_world_path_make gives (detour x great circle), without the trip's jitter (x
 * 0.85-1.15, which averages to no gain). */
static double
bound_travel_ms(const struct sim_world *w, const struct truck *k, double d, bool expressway,
    int64_t t)
{
	int hour = civil_local_hour(t, w->o.tz_offset_s);
	double len = d * k->reg->detour;
	double v = data_region_speed_kmh(k->reg, hour, false) / 3.6;
	double vx = data_region_speed_kmh(k->reg, hour, true) / 3.6;
	double slow = expressway ? len * EXPRESSWAY_FROM : len;

	return (slow / v + (len - slow) / vx) * 1000.0;
}

/* The expected time truck k would take to be at scene after a call at t, had it been free
 * and been offered the call at once (sim_world_bounds): the mean answer (accepts come
 * uniformly over 20-120 s, within the supplier's window) and preparation, then the trip
 * from where the truck is at the region's speed for the hour (bound_travel_ms). */
int64_t
truck_bound_ms(const struct sim_world *w, const struct truck *k, struct geo_point scene,
    bool expressway, int64_t t)
{
	double ms = bound_travel_ms(w, k, geo_distance_m(truck_pos_at(k, t), scene), expressway,
	    t);
	double hi = fmin(ACCEPT_MAX_MS, ANSWER_WINDOW * k->sup->offer_timeout_s * SEC);
	double answer = (fmin(ACCEPT_MIN_MS, hi) + hi) / 2;

	return (int64_t)(answer + (PREP_MIN_MS + PREP_MAX_MS) / 2 + ms);
}

/* As truck_bound_ms, but a truck on scene or towing counts from the end of its work
 * (sim_world_work_bounds): no dispatcher can have it leave before. On scene, the time left
 * there (a tow's trip to the garage is not counted: it only makes the way longer), then the
 * mean preparation (the offer can be answered during the job, as the job after this one is)
 * and the trip from the scene; towing, the rest of the tow, then the same from the garage.
 * With divert false, a truck that accepted another call or is on its way to one counts the
 * same from the end of that job: the rest of its preparation and trip (exactly as planned),
 * then the shortest work on scene there can be (0.4 x the fault's mean, onscene_ms). The
 * trip takes the faster of the speeds of the call's hour and of the hour the work ends. Any
 * other truck (idle, or offered a call it may decline): truck_bound_ms. */
int64_t
truck_work_bound_ms(const struct sim_world *w, const struct truck *k, struct geo_point scene,
    bool expressway, int64_t t, bool divert)
{
	struct geo_point end = k->scene;
	int64_t left;
	double min_work = 0.4 * w->d->faults[k->fault].onscene_min * MIN;

	if (k->phase == PH_ON_SCENE) {
		left = k->t_act != INT64_MAX && k->t_act > t ? k->t_act - t : 0;
	} else if (k->phase == PH_TOWING && k->mv.on) {
		end = k->mv.path.pt[k->mv.path.n - 1];
		left = k->mv.t_arrive > t ? k->mv.t_arrive - t : 0;
	} else if (!divert && k->phase == PH_EN_ROUTE && k->mv.on) {
		left = (k->mv.t_arrive > t ? k->mv.t_arrive - t : 0) + (int64_t)min_work;
	} else if (!divert && k->phase == PH_ACCEPTED && k->plan.on) {
		left = (k->t_act != INT64_MAX && k->t_act > t ? k->t_act - t : 0) +
		    mv_trip_ms(&k->plan) + (int64_t)min_work;
	} else {
		return truck_bound_ms(w, k, scene, expressway, t);
	}
	double d = geo_distance_m(end, scene);
	double ms = fmin(bound_travel_ms(w, k, d, expressway, t),
	    bound_travel_ms(w, k, d, expressway, t + left));

	return left + (int64_t)((PREP_MIN_MS + PREP_MAX_MS) / 2 + ms);
}

static void
go_off(struct sim_world *w, struct truck *k, int64_t t)
{
	truck_stop(k, t);
	k->phase = PH_OFF;
	k->off_pending = false;
	k->t_fix = INT64_MAX;
	sim_say_status(w, k, t, TRUCK_OFF_DUTY);
}

static void
go_home(struct sim_world *w, struct truck *k, int64_t t)
{
	struct sim_world_path path;

	truck_stop(k, t);
	if (geo_distance_m(k->pos, k->home) <= HOME_RADIUS_M)
		return;
	sim_world_path_make(&path, &k->rng, k->pos, k->home, k->reg->detour);
	mv_plan(&k->mv, &path, job_kmh(w, k, t, false), 0, 1.0);
	mv_go(&k->mv, t);
}

static void next_start(struct sim_world *w, struct truck *k, int64_t t);

/* The job is over or gone: the truck takes up the next one offered meanwhile, or is free
 * again (or goes off shift). */
void
truck_release(struct sim_world *w, struct truck *k, int64_t t)
{
	k->job = 0;
	k->act = ACT_NONE;
	k->t_act = INT64_MAX;
	k->plan.on = false;
	if (k->next.st != NEXT_NONE) {
		next_start(w, k, t);
		return;
	}
	if (k->off_pending || !k->on_shift) {
		go_off(w, k, t);
		return;
	}
	k->phase = PH_IDLE;
	go_home(w, k, t);
	truck_send_fix(w, k, t);
}

static int64_t
onscene_ms(struct sim_world *w, struct truck *k)
{
	double m = w->d->faults[k->fault].onscene_min;
	double f = exp(ONSCENE_SIGMA * rng_normal(&k->rng) -
	    ONSCENE_SIGMA * ONSCENE_SIGMA / 2);

	if (f < 0.4)
		f = 0.4;
	if (f > 3.0)
		f = 3.0;
	return (int64_t)(m * f * MIN);
}

/* The truck is at the scene (pos set): it works there for the fault's time on scene. */
static void
work_on_scene(struct sim_world *w, struct truck *k, int64_t t)
{
	k->phase = PH_ON_SCENE;
	k->act = ACT_SCENE_DONE;
	k->t_act = t + onscene_ms(w, k);
	truck_send_fix(w, k, t);
}

/* Plan the trip to the scene from where the truck is, with this job's faults: drawn with
 * the p_* options, or forced on the first trip to a call (--inject: a detour that first
 * drives away from the car; a stall of 20 min or a GPS loss of 15 min from
 * SIM_WORLD_INJECT_AFTER_MS after departure, or halfway through a shorter trip). */
static void
plan_trip(struct sim_world *w, struct truck *k, int64_t t)
{
	struct sim_world_path path;
	double detour = k->reg->detour;
	double jit = rng_range(&k->rng, 1 - SPEED_JITTER, 1 + SPEED_JITTER);
	double u_detour = rng_uniform(&k->rng);
	double u_stall = rng_uniform(&k->rng);
	double u_drop = rng_uniform(&k->rng);
	double f_detour = rng_range(&k->rng, DETOUR_MIN, DETOUR_MAX);
	unsigned inject = sim_cust_take_inject(w, k->job);

	k->stall_at = rng_range(&k->rng, 0.15, 0.7);
	k->stall_ms = (int64_t)rng_range(&k->rng, STALL_MIN_MS, STALL_MAX_MS);
	k->dropout_at = rng_range(&k->rng, 0.0, 0.6);
	k->dropout_ms = (int64_t)rng_range(&k->rng, DROPOUT_MIN_MS, DROPOUT_MAX_MS);
	if (u_detour < w->o.p_detour && !(inject & 1u << SIM_WORLD_INJECT_DETOUR)) {
		detour *= f_detour;
		w->st.detours++;
	}
	if (u_stall >= w->o.p_stall)
		k->stall_at = -1;
	if (u_drop >= w->o.p_gps_dropout)
		k->dropout_at = -1;
	if (inject & 1u << SIM_WORLD_INJECT_DETOUR) {
		double away = fmax(INJECT_AWAY_MIN_M, geo_distance_m(k->pos, k->scene) / 2);
		sim_world_path_away(&path, &k->rng, k->pos, k->scene, k->reg->detour, away);
		w->st.detours++;
	} else {
		sim_world_path_make(&path, &k->rng, k->pos, k->scene, detour);
	}
	mv_plan(&k->plan, &path, job_kmh(w, k, t, false) * jit,
	    job_kmh(w, k, t, true) * jit, k->expressway ? EXPRESSWAY_FROM : 1.0);
	/* forced faults start at a fixed time of the trip, so a test knows when to look */
	if (inject & (1u << SIM_WORLD_INJECT_STALL | 1u << SIM_WORLD_INJECT_GPSLOSS)) {
		double trip = (double)mv_trip_ms(&k->plan);
		double at = trip > 0 ? fmin(0.5, SIM_WORLD_INJECT_AFTER_MS / trip) : 0;
		if (inject & 1u << SIM_WORLD_INJECT_STALL) {
			k->stall_at = at;
			k->stall_ms = STALL_MAX_MS;
		}
		if (inject & 1u << SIM_WORLD_INJECT_GPSLOSS) {
			k->dropout_at = at;
			k->dropout_ms = DROPOUT_MAX_MS;
		}
	}
}

/* Leave for the scene along the planned trip. */
static void
depart(struct sim_world *w, struct truck *k, int64_t t)
{
	int64_t trip = mv_trip_ms(&k->plan);

	truck_stop(k, t);
	k->mv = k->plan;
	k->plan.on = false;
	if (k->stall_at >= 0) {
		k->mv.stall_from = t + (int64_t)(k->stall_at * (double)trip);
		k->mv.stall_to = k->mv.stall_from + k->stall_ms;
		w->st.stalls++;
	}
	if (k->dropout_at >= 0) {
		k->drop_from = t + (int64_t)(k->dropout_at * (double)trip);
		k->drop_to = k->drop_from + k->dropout_ms;
		w->st.dropouts++;
	}
	mv_go(&k->mv, t);
	k->phase = PH_EN_ROUTE;
	k->act = ACT_NONE;
	k->t_act = INT64_MAX;
}

static void
start_tow(struct sim_world *w, struct truck *k, int64_t t)
{
	struct sim_world_path path;
	struct geo_point garage = geo_destination(k->scene, rng_range(&k->rng, 0, 360),
	    rng_range(&k->rng, GARAGE_MIN_M, GARAGE_MAX_M));

	truck_stop(k, t);
	sim_world_path_make(&path, &k->rng, k->pos, garage, k->reg->detour);
	mv_plan(&k->mv, &path, job_kmh(w, k, t, false), 0, 1.0);
	mv_go(&k->mv, t);
	k->phase = PH_TOWING;
	k->act = ACT_NONE;
	k->t_act = INT64_MAX;
	w->st.tows++;
}

static const struct wstr decline_reasons[] = {
	{ "no truck ready", 3 }, { "too far", 1 }, { "driver on another job", 2 },
	{ "no suitable equipment", 1 }, { "road conditions", 0.5 },
};

void
truck_remember(struct truck *k, int64_t id, int64_t tdisp)
{
	k->seen[k->seen_pos % SEEN_MAX].id = id;
	k->seen[k->seen_pos % SEEN_MAX].tdisp = tdisp;
	k->seen_pos++;
}

/* Whether the truck already handled ticket id (any_dispatch) or this very dispatch of it. */
bool
truck_seen(const struct truck *k, int64_t id, int64_t tdisp, bool any_dispatch)
{
	for (size_t i = 0; i < SEEN_MAX; i++)
		if (k->seen[i].id == id && (any_dispatch || k->seen[i].tdisp == tdisp))
			return true;
	return false;
}

/* Seed r with the stream of ticket tk's job for truck k, a function of (seed, ticket, truck)
 * only: the supplier answers the same offer the same way whatever happened before. */
static void
job_stream(const struct sim_world *w, const struct truck *k, const struct sim_world_ticket *tk,
    struct rng *r)
{
	rng_seed(r, w->o.seed, (uint64_t)tk->id * 0x9e3779b97f4a7c15ULL ^ rng_hash(k->id));
}

/* The truck takes ticket tk: the scene, the fault, and the job's own random stream. */
static void
take_job(struct sim_world *w, struct truck *k, const struct sim_world_ticket *tk)
{
	k->job = tk->id;
	k->job_tdisp = tk->t_dispatched;
	k->tstate = tk->state;
	k->scene = (struct geo_point){ tk->lat, tk->lon };
	k->fault = tk->fault >= 0 && tk->fault < FAULT_COUNT ? (enum ticket_fault)tk->fault :
	    FAULT_BATTERY;
	k->tow = w->d->faults[k->fault].tow != 0;
	k->expressway = (tk->flags & TICKET_FLAG_EXPRESSWAY) != 0;
	job_stream(w, k, tk, &k->rng);
	k->silent = false;
	k->reason[0] = '\0';
	k->act = ACT_NONE;
	k->t_act = INT64_MAX;
	truck_remember(k, tk->id, tk->t_dispatched);
}

/* The supplier's answer to an offer of a job at scene, drawn from r after the two uniforms
 * u (accept or not) and u2 (silent or not): ACT_ACCEPT or ACT_DECLINE, when, and the
 * reason of a decline. */
static enum act
answer(struct sim_world *w, const struct truck *k, struct rng *r, double u, double u2,
    struct geo_point scene, int64_t t, int64_t *t_act, char *reason, size_t reasonsz,
    bool *silent)
{
	double p_no = w->o.p_decline >= 0 ? w->o.p_decline : 1.0 - k->sup->accept_rate;
	double window = ANSWER_WINDOW * 1000.0 * k->sup->offer_timeout_s;

	*silent = false;
	reason[0] = '\0';
	if (u >= p_no) {
		double hi = fmin(ACCEPT_MAX_MS, window);
		*t_act = t + (int64_t)rng_range(r, fmin(ACCEPT_MIN_MS, hi), hi);
		return ACT_ACCEPT;
	}
	if (u2 < SILENT_SHARE) {
		*silent = true;
		*t_act = t + SILENT_MS;
		rd_strlcpy(reason, "declined: the driver missed the offer", reasonsz);
	} else {
		double wt[ARRAY_LEN(decline_reasons)];
		double far = fmax(15000.0, 0.3 * k->reg->radius_km * 1000);
		for (size_t i = 0; i < ARRAY_LEN(wt); i++)
			wt[i] = decline_reasons[i].w;
		if (geo_distance_m(k->pos, scene) > far)
			wt[1] = 4;
		double hi = fmin(DECLINE_MAX_MS, window);
		*t_act = t + (int64_t)rng_range(r, fmin(DECLINE_MIN_MS, hi), hi);
		snprintf(reason, reasonsz, "declined: %s",
		    decline_reasons[rng_pick(r, wt, ARRAY_LEN(wt))].s);
	}
	return ACT_DECLINE;
}

/* A new offer of ticket tk to truck k: draw the supplier's answer. */
void
truck_offer(struct sim_world *w, struct truck *k, const struct sim_world_ticket *tk, int64_t t)
{
	double u, u2;

	take_job(w, k, tk);
	sim_cust_mark(w, tk->id, CM_OFFER, t, 0);
	u = rng_uniform(&k->rng);
	u2 = rng_uniform(&k->rng);
	w->st.offers++;
	k->phase = PH_OFFERED;
	if (k->off_pending || !k->on_shift) {
		k->act = ACT_DECLINE;
		k->t_act = t + (int64_t)rng_range(&k->rng, BUSY_DECLINE_MIN_MS,
		    BUSY_DECLINE_MAX_MS);
		rd_strlcpy(k->reason, "declined: driver off shift", sizeof k->reason);
	} else {
		k->act = answer(w, k, &k->rng, u, u2, k->scene, t, &k->t_act, k->reason,
		    sizeof k->reason, &k->silent);
	}
}

/* A supplier's quote for ms of preparation and travel: x 1.0-1.2 (drawn from r), rounded up
 * to 5 minutes, at least 10 minutes; in seconds. */
static int64_t
quote_s(struct rng *r, int64_t ms)
{
	int64_t eta_s = (int64_t)((double)ms * rng_range(r, 1.0, 1.2) / 1000);

	eta_s = (eta_s + ETA_ROUND_S - 1) / ETA_ROUND_S * ETA_ROUND_S;
	if (eta_s < ETA_MIN_S)
		eta_s = ETA_MIN_S;
	if (eta_s > 86400)
		eta_s = 86400;
	return eta_s;
}

static void
act_accept(struct sim_world *w, struct truck *k, int64_t t)
{
	int64_t prep, trip, eta_s;

	truck_stop(k, t);
	plan_trip(w, k, t);
	prep = (int64_t)rng_range(&k->rng, PREP_MIN_MS, PREP_MAX_MS);
	trip = mv_trip_ms(&k->plan);
	sim_cust_mark(w, k->job, CM_ACCEPT, t, truck_bound_ms(w, k, k->scene, k->expressway,
	    t));
	eta_s = quote_s(&k->rng, prep + trip);
	sim_say_state(w, k, t, TICKET_ACCEPTED, eta_s, "");
	w->st.accepted++;
	k->phase = PH_ACCEPTED;
	k->act = ACT_EN_ROUTE;
	k->t_act = t + prep;
	truck_send_fix(w, k, t);
}

/* ---- the next job, offered while the truck finishes one ---- */

/* Whether truck k may take an offer for after its job: on scene or towing, on shift, and
 * nothing queued yet. */
bool
truck_finishing(const struct truck *k)
{
	return (k->phase == PH_ON_SCENE || k->phase == PH_TOWING) && k->on_shift &&
	    !k->off_pending && k->next.st == NEXT_NONE;
}

/* Time (ms) from t until the truck's job is over, and where it ends (for a tow not yet
 * started, the scene: the garage is not chosen yet, so its mean distance is counted). */
static int64_t
job_left_ms(struct sim_world *w, struct truck *k, int64_t t, struct geo_point *end)
{
	int64_t left;

	if (k->phase == PH_TOWING && k->mv.on) {
		*end = k->mv.path.pt[k->mv.path.n - 1];
		return k->mv.t_arrive > t ? k->mv.t_arrive - t : 0;
	}
	*end = k->scene;
	left = k->t_act != INT64_MAX && k->t_act > t ? k->t_act - t : 0;
	if (k->tow) {
		double mps = fmax(job_kmh(w, k, t + left, false), 1.0) / 3.6;
		left += (int64_t)((GARAGE_MIN_M + GARAGE_MAX_M) / 2 * k->reg->detour / mps * 1000);
	}
	return left;
}

/* Driving time (ms) from `from` to ticket tk's scene leaving at t, as plan_trip drives it
 * (region detour, speed of the hour, expressway part) without the per-trip jitter. */
static int64_t
trip_estimate_ms(struct sim_world *w, struct truck *k, struct geo_point from,
    const struct sim_world_ticket *tk, int64_t t)
{
	double m = geo_distance_m(from, (struct geo_point){ tk->lat, tk->lon }) * k->reg->detour;
	double v = fmax(job_kmh(w, k, t, false), 1.0) / 3.6;

	if (tk->flags & TICKET_FLAG_EXPRESSWAY) {
		double vf = fmax(job_kmh(w, k, t, true), 1.0) / 3.6;
		return (int64_t)((m * EXPRESSWAY_FROM / v + m * (1 - EXPRESSWAY_FROM) / vf) * 1000);
	}
	return (int64_t)(m / v * 1000);
}

/* Ticket tk offered to truck k while it finishes its job: the supplier's answer is drawn as
 * for any offer, from the new job's own stream. */
void
truck_next_offer(struct sim_world *w, struct truck *k, const struct sim_world_ticket *tk, int64_t t)
{
	struct next *n = &k->next;
	double u, u2;

	memset(n, 0, sizeof *n);
	n->st = NEXT_OFFERED;
	n->tk = *tk;
	job_stream(w, k, tk, &n->rng);
	truck_remember(k, tk->id, tk->t_dispatched);
	sim_cust_mark(w, tk->id, CM_NEXT_OFFER, t, 0);
	u = rng_uniform(&n->rng);
	u2 = rng_uniform(&n->rng);
	w->st.offers++;
	n->act = answer(w, k, &n->rng, u, u2, (struct geo_point){ tk->lat, tk->lon }, t,
	    &n->t_act, n->reason, sizeof n->reason, &n->silent);
}

static void
say_next(struct sim_world *w, struct truck *k, int64_t t, enum ticket_state s, int64_t eta_s,
    const char *reason)
{
	struct sim_world_action *a = sim_push(w, SIM_WORLD_SET_STATE, t);

	a->ticket = k->next.tk.id;
	a->state = s;
	a->eta_s = eta_s;
	rd_strlcpy(a->reason, reason, sizeof a->reason);
	rd_strlcpy(a->truck, k->id, sizeof a->truck);
}

/* The answer to an offer for after the job is due. An acceptance quotes what is left of the
 * job, the preparation and the trip from where the job ends. */
static void
next_act(struct sim_world *w, struct truck *k, int64_t t)
{
	struct next *n = &k->next;
	struct geo_point end;
	int64_t left, trip;

	if (n->tk.state != TICKET_DISPATCHED) {
		n->st = NEXT_NONE; /* moved on meanwhile: nothing to answer */
		return;
	}
	if (n->act == ACT_DECLINE) {
		say_next(w, k, t, TICKET_NEW, -1, n->reason);
		w->st.declined++;
		if (n->silent)
			w->st.unanswered++;
		n->st = NEXT_NONE;
		return;
	}
	left = job_left_ms(w, k, t, &end);
	n->prep_ms = (int64_t)rng_range(&n->rng, PREP_MIN_MS, PREP_MAX_MS);
	trip = trip_estimate_ms(w, k, end, &n->tk, t + left + n->prep_ms);
	say_next(w, k, t, TICKET_ACCEPTED, quote_s(&n->rng, left + n->prep_ms + trip), "");
	n->tk.state = TICKET_ACCEPTED;
	n->st = NEXT_ACCEPTED;
	n->act = ACT_NONE;
	n->t_act = INT64_MAX;
	w->st.accepted++;
	w->st.queued++;
}

/* The job is over and another was offered meanwhile: an accepted one starts (the truck
 * leaves after its preparation); one still to be answered becomes a plain offer, answered
 * when it was due (declined if the shift ended meanwhile). */
static void
next_start(struct sim_world *w, struct truck *k, int64_t t)
{
	struct next n = k->next;

	k->next.st = NEXT_NONE;
	truck_stop(k, t);
	take_job(w, k, &n.tk);
	k->rng = n.rng;
	if (n.st == NEXT_OFFERED) {
		k->phase = PH_OFFERED;
		k->act = n.act;
		k->t_act = n.t_act;
		k->silent = n.silent;
		rd_strlcpy(k->reason, n.reason, sizeof k->reason);
		if (k->act == ACT_ACCEPT && (k->off_pending || !k->on_shift)) {
			k->act = ACT_DECLINE;
			rd_strlcpy(k->reason, "declined: driver off shift", sizeof k->reason);
		}
	} else {
		plan_trip(w, k, t);
		k->phase = PH_ACCEPTED;
		k->act = ACT_EN_ROUTE;
		k->t_act = t + n.prep_ms;
	}
	truck_send_fix(w, k, t);
}

static void
truck_act(struct sim_world *w, struct truck *k, int64_t t)
{
	enum act act = k->act;

	k->act = ACT_NONE;
	k->t_act = INT64_MAX;
	switch (act) {
	case ACT_ACCEPT:
		if (k->tstate != TICKET_DISPATCHED) {
			truck_release(w, k, t);
			break;
		}
		act_accept(w, k, t);
		break;
	case ACT_DECLINE:
		if (k->tstate == TICKET_DISPATCHED) {
			sim_say_state(w, k, t, TICKET_NEW, -1, k->reason);
			w->st.declined++;
			if (k->silent)
				w->st.unanswered++;
		}
		/* keep driving home if it was: truck_release() re-plans from where it is */
		truck_release(w, k, t);
		break;
	case ACT_EN_ROUTE:
		depart(w, k, t);
		sim_say_state(w, k, t, TICKET_EN_ROUTE, -1, "");
		truck_send_fix(w, k, t);
		break;
	case ACT_SCENE_DONE:
		if (k->tow) {
			start_tow(w, k, t);
			sim_say_state(w, k, t, TICKET_TOWING, -1, "");
			truck_send_fix(w, k, t);
		} else {
			sim_say_state(w, k, t, TICKET_COMPLETED, -1, "");
			truck_release(w, k, t);
		}
		break;
	case ACT_NONE:
		break;
	}
}

static void
truck_arrive(struct sim_world *w, struct truck *k, int64_t t)
{
	truck_stop(k, t);
	k->mv.along = k->mv.len;
	k->pos = k->mv.path.pt[k->mv.path.n - 1];
	switch (k->phase) {
	case PH_EN_ROUTE:
		sim_cust_mark(w, k->job, CM_ARRIVE, t, 0);
		sim_say_state(w, k, t, TICKET_ON_SCENE, -1, "");
		w->st.on_scene++;
		work_on_scene(w, k, t);
		break;
	case PH_TOWING:
		sim_say_state(w, k, t, TICKET_COMPLETED, -1, "");
		truck_release(w, k, t);
		break;
	default:
		truck_send_fix(w, k, t); /* back at the depot */
		break;
	}
}

static void
truck_turn(struct sim_world *w, struct truck *k, int64_t t)
{
	struct motion *m = &k->mv;
	size_t i = m->wp;

	truck_move(k, t);
	if (i < m->path.n && m->along < m->path.cum_m[i]) {
		m->along = m->path.cum_m[i];
		k->pos = m->path.pt[i];
	}
	if (i + 1 < m->path.n)
		k->heading = geo_bearing_deg(m->path.pt[i], m->path.pt[i + 1]);
	if (t != k->last_fix)
		truck_send_fix(w, k, t);
	m->wp = i + 1;
	mv_next_turn(m);
}

static void
truck_shift(struct sim_world *w, struct truck *k, int64_t t)
{
	if (k->on_shift) {
		k->on_shift = false;
		if (k->phase == PH_IDLE)
			go_off(w, k, t);
		else if (k->phase != PH_OFF)
			k->off_pending = true;
	} else {
		k->on_shift = true;
		k->off_pending = false;
		if (k->phase == PH_OFF) {
			k->pos = k->home;
			k->heading = 0;
			k->phase = PH_IDLE;
			sim_say_status(w, k, t, TRUCK_AVAILABLE);
			truck_send_fix(w, k, t);
		}
	}
	truck_schedule_shift(w, k, t);
}

void
truck_event(struct sim_world *w, struct truck *k, int64_t t)
{
	if (k->mv.on && k->mv.t_arrive <= t)
		truck_arrive(w, k, t);
	else if (k->t_act <= t)
		truck_act(w, k, t);
	else if (k->next.st == NEXT_OFFERED && k->next.t_act <= t)
		next_act(w, k, t);
	else if (k->mv.on && k->mv.t_turn <= t)
		truck_turn(w, k, t);
	else if (k->t_fix <= t)
		truck_send_fix(w, k, t);
	else if (k->t_shift <= t)
		truck_shift(w, k, t);
}

/* Take over a job the broker says the truck has: an offer, or a job from before a restart
 * of the simulator. */
void
truck_adopt(struct sim_world *w, struct truck *k, const struct sim_world_ticket *tk, int64_t t)
{
	if (tk->state == TICKET_DISPATCHED) {
		truck_offer(w, k, tk, t);
		return;
	}
	take_job(w, k, tk);
	truck_stop(k, t);
	switch (tk->state) {
	case TICKET_ACCEPTED:
		plan_trip(w, k, t);
		k->phase = PH_ACCEPTED;
		k->act = ACT_EN_ROUTE;
		k->t_act = t + (int64_t)rng_range(&k->rng, 30 * SEC, 120 * SEC);
		break;
	case TICKET_EN_ROUTE:
		plan_trip(w, k, t);
		depart(w, k, t);
		truck_send_fix(w, k, t);
		break;
	case TICKET_ON_SCENE:
		k->pos = k->scene;
		work_on_scene(w, k, t);
		break;
	case TICKET_TOWING:
		k->pos = k->scene;
		start_tow(w, k, t);
		truck_send_fix(w, k, t);
		break;
	default:
		truck_release(w, k, t);
		break;
	}
}

struct truck *
truck_of_job(struct sim_world *w, int64_t id)
{
	for (size_t i = 0; i < w->n_trucks; i++)
		if (w->trucks[i].job == id)
			return &w->trucks[i];
	return NULL;
}

struct truck *
truck_of_next(struct sim_world *w, int64_t id)
{
	for (size_t i = 0; i < w->n_trucks; i++)
		if (w->trucks[i].next.st != NEXT_NONE && w->trucks[i].next.tk.id == id)
			return &w->trucks[i];
	return NULL;
}

bool
truck_busy(const struct truck *k)
{
	return k->job != 0 || k->phase == PH_OFF;
}
