/* sim-world.h: the simulator's pure model: demand (Poisson arrivals shaped by the hourly
 * profile), customers (names, phones, plates, cars, places), suppliers' trucks (shifts,
 * offers accepted or declined, plausible paths, movement, GPS fixes, time on scene, tows)
 * and fault injection. No I/O and no clock: time (ms, the broker's clock) and every
 * random number come from the caller or from rng.h streams seeded by the caller.
 *
 * The world is driven from outside: sim_world_advance() plays every event due up to a
 * time, in time order (the result does not depend on how the span is cut into calls);
 * sim_world_ticket() feeds it the broker's view of a ticket; what the world wants to say
 * to the broker comes out as a queue of actions (sim_world_action_next()).
 *
 * Reproducibility: the same seed, data and options give the same intakes at the same
 * times from the same start; the Nth call is the same caller (region, place, car, fault,
 * behaviour; only the night-time flag depends on the hour) whatever the start. A
 * supplier's answers to an offer come from a stream seeded by (seed, ticket id, truck id),
 * so they repeat whenever the broker makes the same offers.
 *
 * Ownership: the world borrows the struct data given to sim_world_create (it must outlive
 * the world); everything else it owns. Actions are copied out.
 *
 * Diagnosis: with opts.diagnose, every call whose fault has a flow gets a hidden true cause
 * (from a stream seeded by (seed, call number)) and the world plays the specialist over
 * the public diagnosis ops: it starts the flow, reads each step the broker says is current
 * and answers as the caller would, presses the safety key when the caller reports a
 * hazard, and asks for a truck at once on expressways and at night. The calls it will
 * diagnose without a truck at once (decided at the call: not on an expressway, not at
 * night) go out with intake.create's diag_hold, so automatic dispatch waits for the
 * diagnosis from the call on, as it would with a specialist at a console.
 *
 * Implemented in sim-callers.c (time of day, demand, customers), sim-path.c (paths and
 * motion), sim-trucks.c (the trucks), sim-diag.c (causes and the specialist) and
 * sim-world.c (the world), which share sim-world-int.h; random numbers come from rng.h, local time from civil.h. */
#ifndef RD_SIM_WORLD_H
#define RD_SIM_WORLD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "civil.h"
#include "data.h"
#include "flow.h"
#include "geo.h"
#include "rng.h"
#include "ticket.h"

/* ---- time of day and demand ---- */

/* The time of the first arrival after now_ms of a Poisson process whose rate during local
 * hour h is per_hour[h] arrivals per hour (exact for a piecewise-constant rate). Returns
 * INT64_MAX if every rate is zero. */
int64_t sim_world_next_arrival(struct rng *r, const double per_hour[24],
    int64_t now_ms, int tz_offset_s);
/* A fault drawn by the call mix (faults.ini share). */
enum ticket_fault sim_world_pick_fault(struct rng *r, const struct data *d);

/* ---- customers ---- */

struct sim_world_intake {
	char customer[65];
	char phone[25];
	char plate[17];
	char model[49];
	double lat, lon;
	char address[201];
	char landmark[97];
	enum ticket_fault fault;
	char region[33];
	char notes[501];
	uint32_t flags;         /* enum ticket_flag bits */
	bool diag_hold;         /* the world's specialist will diagnose the call without a
	                           truck at once: intake.create diag_hold */
};

/* A Chinese mobile number: 11 digits, 1[3-9]x xxxx xxxx, from real carrier prefixes. */
void sim_world_phone(struct rng *r, char *out, size_t outsz);
/* A licence plate registered in (or, for a share of visitors, near) region: "湘A3K7Q9";
 * nev 'D' (battery electric) or 'F' (plug-in hybrid) gives a green new-energy plate
 * ("湘AD12345"), 0 a blue one. */
void sim_world_plate(struct rng *r, const char *region, char nev, char *out,
    size_t outsz);
/* A complete call for region reg at time now_ms: caller, car, place (a share at landmarks,
 * expressway_share on expressways with TICKET_FLAG_EXPRESSWAY), fault, flags, notes. */
void sim_world_intake_make(struct rng *r, const struct data *d,
    const struct data_region *reg, int64_t now_ms, int tz_offset_s,
    struct sim_world_intake *out);

/* ---- paths ---- */

#define SIM_WORLD_PATH_MAX 8

/* A polyline from pt[0] to pt[n - 1]; cum_m[i] is the length up to pt[i]. */
struct sim_world_path {
	size_t n;
	struct geo_point pt[SIM_WORLD_PATH_MAX];
	double cum_m[SIM_WORLD_PATH_MAX];
};

/* A plausible road path from a to b: 3-6 points with lateral offsets scaled so the length
 * is detour (>= 1) times the great-circle distance, within 1%. Ends exactly at b. */
void sim_world_path_make(struct sim_world_path *p, struct rng *r,
    struct geo_point a, struct geo_point b, double detour);
/* A wrong turn (--inject detour): away_m straight from a directly away from b, then a
 * path from there to b as sim_world_path_make makes it (4-7 points in all). */
void sim_world_path_away(struct sim_world_path *p, struct rng *r,
    struct geo_point a, struct geo_point b, double detour, double away_m);
/* Its length in metres (0 for a path of one point or none). */
double sim_world_path_length(const struct sim_world_path *p);
/* The point along_m metres along the path (clamped to the ends) and, if heading is not
 * NULL, the bearing of the segment there in degrees [0, 360). */
struct geo_point sim_world_path_at(const struct sim_world_path *p, double along_m,
    double *heading);

/* ---- diagnosis ---- */

/* A caller's hidden situation for one flow: the answer they give at each node of the path
 * from the flow's start to the end their true cause implies (a solved outcome when the
 * cause is phone-fixable, else a dispatch or escalation, or a stop an answer leads to),
 * and a hazard they report on the way, if any. Pointers are borrowed from the set. */
struct sim_world_cause {
	const struct flow *flow;
	struct flow_step steps[FLOW_STEPS_MAX];
	size_t n_steps;
	const struct flow_outcome *outcome; /* where the answers end: an outcome, or */
	const struct flow_stop *stop;       /* a stop an answer leads to */
	bool solvable;                      /* outcome is solved by phone */
	const struct flow_stop *hazard;     /* a safety stop the caller reports, or NULL */
	size_t hazard_at;                   /* ... after this many answers (< n_steps) */
};

/* Draw a caller's cause for flow fl: phone-fixable with fl's success_rate (always or never
 * when the flow leaves no choice; never with a hazard), the path a walk over the answers
 * conditioned on ending that way (siblings alike, safety-relevant answers a fifth as
 * likely, an answer leading to a stop only, and always, for a caller with that hazard). flags (enum ticket_flag bits) give the hazards: an injury is always
 * reported (stop "injury"), an expressway caller is on the shoulder in 80% of calls
 * ("live_lane"), a woman alone at night cannot go on in 25% ("caller_unable"); stops
 * missing from the set are never reported. */
void sim_world_cause_make(struct rng *r, const struct flow_set *set, const struct flow *fl,
    uint32_t flags, struct sim_world_cause *out);
/* The caller's answer at node (index from 0): the cause's answer where its path passes,
 * elsewhere (a console went another way) the answer most likely to keep the cause's end
 * in reach. The same node always gets the same answer. */
size_t sim_world_cause_answer(const struct flow_set *set, const struct sim_world_cause *c,
    const struct flow_node *node);
/* The share of uniform walks from fl's start that end solved by phone (0: success_rate
 * cannot hold; 1: every caller is solved). */
double sim_world_flow_reach(const struct flow_set *set, const struct flow *fl);

/* ---- surveys (sim-survey.c) ---- */

#define SIM_WORLD_SURVEY_RATE 0.20 /* customers who answer the survey */

/* One customer's answer to the survey after a rescue or a phone fix. */
struct sim_world_survey {
	bool answer;          /* they answer at all (SIM_WORLD_SURVEY_RATE) */
	int score;            /* 0..10 */
	int64_t delay_ms;     /* after the close: 3 min plus an exponential of mean 40 min,
	                         at most 6 h */
	char comment[501];    /* "" none (about a third write one) */
	bool complaint;       /* the comment mentions a complaint (some detractors') */
};
/* Draw an answer from r: phone, the call was fixed by phone; late_ms, how long after the
 * promise the truck came (<= 0: on time). The score is normal around 8.6, less 0.08 a
 * late minute (at most 6.5), plus 0.7 for a phone fix, spread 1.5, rounded and clipped
 * to 0..10. Pure; the same number of draws whatever the outcome. */
void sim_world_survey_make(struct rng *r, bool phone, int64_t late_ms,
    struct sim_world_survey *out);

/* ---- the world ---- */

/* Faults forced on chosen calls (--inject), for tests that must see a warning: the first
 * trip to the Nth call the world makes (its seq, from 1; a call the broker refused counts)
 * gets the fault whatever the p_* draws, at fixed times (SIM_WORLD_INJECT_AFTER_MS after
 * departure, or halfway through a shorter trip). */
enum sim_world_inject {
	SIM_WORLD_INJECT_STALL,   /* stands still for 20 min (fixes go on, at 0 km/h) */
	SIM_WORLD_INJECT_DETOUR,  /* first drives straight away from the car, max(5 km, half
	                             the straight distance), then turns back */
	SIM_WORLD_INJECT_GPSLOSS, /* sends no fix for 15 min */
	SIM_WORLD_INJECT_COUNT
};
#define SIM_WORLD_INJECT_MAX 16
#define SIM_WORLD_INJECT_AFTER_MS 60000
struct sim_world_injection {
	enum sim_world_inject kind;
	uint64_t call;
};
/* Add the injections of text ("stall:1,detour:2,gpsloss:3": KIND:CALL, comma-separated;
 * KIND stall, detour or gpsloss) to
 * the n already in inj (room for SIM_WORLD_INJECT_MAX). 0, or -1 and *cause (caller frees:
 * what was expected, in words) for a bad word, a call number that is not a whole number
 * from 1, or too many. */
int sim_world_inject_parse(const char *text, struct sim_world_injection *inj, size_t *n,
    char **cause);

struct sim_world_opts {
	uint64_t seed;
	const char *const *regions; /* region ids to simulate; NULL or n_regions 0: all */
	size_t n_regions;
	double rate_per_hour;       /* > 0: this many calls an hour in total, flat over the day,
	                               split by calls_per_day; else calls_per_day x demand.ini */
	long requests;              /* > 0: create this many intakes, then no more */
	double p_gps_dropout;       /* per job: fixes stop for 5-15 min while en route */
	double p_stall;             /* per job: the truck stops for 8-20 min while en route */
	double p_detour;            /* per job: the path is 1.5-2x longer */
	double p_gps_loss;          /* per fix, any phase: the fix is lost (storms, tunnels),
	                               from a stream of its own */
	double p_decline;           /* < 0: suppliers' accept_rate; else offers refused with this
	                               probability */
	double fleet;               /* each supplier's trucks of each kind x this, rounded (a
	                               kind it has keeps at least one): thin or large fleets
	                               (0.05..10, default 1) */
	double demand;              /* calls an hour (rate_per_hour or the demand profile) x
	                               this (0.01..100, default 1) */
	int tz_offset_s;            /* local time of the regions (CIVIL_TZ_CHINA_S) */
	long burst;                 /* this many calls arrive at the start, BURST_GAP apart,
	                               before demand takes over (a busy centre at once, for
	                               demos) */
	const struct flow_set *flows; /* the diagnosis flows (borrowed; outlives the world) */
	bool diagnose;              /* play the specialist on our calls with a flow (needs
	                               flows) */
	struct sim_world_injection inject[SIM_WORLD_INJECT_MAX]; /* faults forced on calls */
	size_t n_inject;
};

/* Fill o with the defaults: seed 1, all regions, data demand, no limit, no faults injected,
 * suppliers' own accept rates, the data's fleets, China time. */
void sim_world_opts_init(struct sim_world_opts *o);

enum sim_world_action_kind {
	SIM_WORLD_INTAKE,    /* intake.create; report the outcome with intake_done/failed */
	SIM_WORLD_SET_STATE, /* ticket.set_state */
	SIM_WORLD_CANCEL,    /* ticket.cancel (the customer gives up) */
	SIM_WORLD_STATUS,    /* feed: status */
	SIM_WORLD_FIX,       /* feed: fix */
	SIM_WORLD_DIAG_START,  /* diag.start: ticket, diag the flow */
	SIM_WORLD_DIAG_ANSWER, /* diag.answer: ticket, diag the node, answer */
	SIM_WORLD_DIAG_SAFETY, /* diag.safety: ticket, diag the stop */
	SIM_WORLD_DIAG_DISPATCH_NOW, /* diag.dispatch_now: ticket */
	SIM_WORLD_SURVEY,    /* survey.put: ticket, answer the score, comment; ts when the
	                        customer answered */
};

struct sim_world_action {
	enum sim_world_action_kind kind;
	int64_t ts;                /* when it happens (ms, broker clock) */
	uint64_t seq;              /* INTAKE: the world's number for the call */
	int64_t ticket;            /* SET_STATE, CANCEL */
	enum ticket_state state;   /* SET_STATE */
	int64_t eta_s;             /* SET_STATE accepted: the supplier's ETA; else -1 */
	char reason[201];          /* SET_STATE (may be ""), CANCEL */
	char truck[25];            /* STATUS, FIX; SET_STATE: the truck that speaks */
	enum truck_status status;  /* STATUS: available or off_duty */
	enum truck_kind truck_kind; /* STATUS */
	char supplier[33];         /* STATUS */
	char region[33];           /* STATUS */
	double lat, lon;           /* FIX */
	double speed_kmh, heading; /* FIX */
	struct sim_world_intake intake; /* INTAKE */
	char diag[FLOW_ID_MAX];    /* DIAG_*: the flow, node or stop id */
	int answer;                /* DIAG_ANSWER: from 1; SURVEY: the score, 0 to 10 */
	char comment[501];         /* SURVEY: the customer's words ("" none) */
};

/* A ticket's diagnosis as the broker publishes it. */
enum sim_world_diag {
	SIM_WORLD_DIAG_NONE,       /* never diagnosed */
	SIM_WORLD_DIAG_RUNNING,
	SIM_WORLD_DIAG_ENDED,      /* solved, dispatched, escalated or aborted */
};

/* The broker's view of a ticket, as the world needs it. */
struct sim_world_ticket {
	int64_t id;
	enum ticket_state state;
	char truck[25];            /* "" when none */
	double lat, lon;
	int fault;                 /* enum ticket_fault, or -1 if unknown */
	uint32_t flags;
	char region[33];
	int64_t created;           /* 0 when unknown */
	int64_t t_dispatched;      /* time of the last dispatch, 0 when unknown: tells a new
	                              offer from an older update of one already answered */
	int64_t promised;          /* 0 when unknown */
	int64_t t_on_scene;        /* 0 when not yet */
	enum sim_world_diag diag;
	char diag_node[FLOW_ID_MAX]; /* RUNNING: the current node */
	int diag_steps;            /* RUNNING: answers so far (the path's NODE:N steps) */
};

struct sim_world_stats {
	uint64_t generated;        /* intakes generated */
	uint64_t created;          /* acknowledged by the broker */
	uint64_t failed;           /* refused by the broker or lost */
	uint64_t completed, cancelled, resolved_remote; /* our intakes, final */
	uint64_t customer_cancels; /* cancellations the customers asked for */
	uint64_t offers;           /* offers our trucks received */
	uint64_t accepted, declined, unanswered;
	uint64_t on_scene, tows;
	uint64_t fixes, fixes_suppressed;
	uint64_t dropouts, stalls, detours;
	uint64_t conflicts;        /* offers to a truck the world holds busy */
	uint64_t queued;           /* offers accepted by a truck finishing a job (it drives
	                              there when the job ends) */
	uint64_t diag_sessions;    /* diag.start sent */
	uint64_t diag_answers, diag_stops, diag_dispatch_now; /* the other diag ops sent */
	/* messages the broker told our customers (topic "message", sim_world_told) */
	uint64_t told, told_delay;   /* all of them, and of template delay */
	uint64_t late, late_told;    /* calls whose truck came after the promise, and of them
	                                those whose customer was told a delay first */
	uint64_t surveys;            /* survey answers sent (sim-survey.c) ... */
	uint64_t survey_detractors;  /* ... of them scoring 0-6 ... */
	uint64_t survey_complaints;  /* ... and of those, comments mentioning a complaint */
};

struct sim_world;

/* Build the trucks of the selected regions (ids like "CS-XJ-V03", parked at their depot or
 * standby points) and the demand. NULL and *cause (caller frees) for an unknown region, a
 * probability out of [0, 1] or a bad injection. Nothing happens until sim_world_start. */
struct sim_world *sim_world_create(const struct data *d, const struct sim_world_opts *o,
    char **cause);
/* Free the world and everything it owns. NULL is fine. */
void sim_world_destroy(struct sim_world *w);
/* Start the clock at now_ms: queue every truck's registration (status, first fix) and
 * schedule the first call. */
void sim_world_start(struct sim_world *w, int64_t now_ms);
/* The time of the next event (INT64_MAX if none, or before start). */
int64_t sim_world_next_due(const struct sim_world *w);
/* Play every event due at or before now_ms, in time order. Time never runs backwards:
 * an earlier now_ms is ignored. */
void sim_world_advance(struct sim_world *w, int64_t now_ms);
/* The broker reported ticket t (after advancing to now_ms): trucks answer offers, adopt or
 * drop jobs; customers note the progress of their calls. An offer to a truck on scene or
 * towing (finishing a job) is answered like any other; accepted, it is queued: the ETA quoted
 * is the time left on the job plus the trip from where the job ends, and the truck drives
 * there when the job is over. Other busy trucks decline within 10-40 s. */
void sim_world_ticket(struct sim_world *w, int64_t now_ms, const struct sim_world_ticket *t);
/* The broker told the customer of ticket id a message from template tpl (topic "message",
 * PROTOCOL.md 11.5): the customer counts it. False when the ticket is not one of ours. */
bool sim_world_told(struct sim_world *w, int64_t now_ms, int64_t id, const char *tpl);
/* The broker created the intake seq as ticket id / refused it (another call is generated
 * in its place when a request count is set). */
void sim_world_intake_done(struct sim_world *w, int64_t now_ms, uint64_t seq, int64_t id);
void sim_world_intake_failed(struct sim_world *w, int64_t now_ms, uint64_t seq);
/* Pop the oldest queued action into out; false when the queue is empty. */
bool sim_world_action_next(struct sim_world *w, struct sim_world_action *out);

/* The faults injected into call seq's first trip, as their names joined by ',' into out
 * ("" and false when none). */
bool sim_world_call_injects(const struct sim_world *w, uint64_t seq, char *out,
    size_t outsz);

/* With a request count: true once that many intakes were created and all are final. */
bool sim_world_done(const struct sim_world *w);
/* Time the last of the requested intakes was created (0 if not all created yet). */
int64_t sim_world_last_created(const struct sim_world *w);
/* Copy the counters into out. */
void sim_world_stats(const struct sim_world *w, struct sim_world_stats *out);
/* Response times (created -> on scene, ms) of our final tickets that had a truck on scene,
 * in the order they closed, and how many were within the promise. Borrowed. */
const int64_t *sim_world_responses(const struct sim_world *w, size_t *n, size_t *in_promise);
/* The lower bound of each of those responses (same order, same count): the expected time
 * the nearest able truck on shift at the call would have taken had it been free and been
 * offered the call at once, from where it was then: the mean answer and preparation, the
 * path at the region's speed for the hour (truck_bound_ms in sim-trucks.c). Any one call
 * may beat it by luck (a quick answer, a fast trip), but no dispatcher beats its mean (a
 * truck coming on shift later aside): every other choice is farther, waits, or is
 * declined. in_promise counts those within the promise. Borrowed. */
const int64_t *sim_world_bounds(const struct sim_world *w, size_t *n, size_t *in_promise);
/* Two more figures of each of those responses (same order, same count), which tell what of
 * the gap between response and bound no dispatcher can recover:
 * - work_ms, a tighter lower bound: as sim_world_bounds, but a truck on scene or towing at
 *   the call counts from the end of its work (truck_work_bound_ms in sim-trucks.c): its
 *   time left, the mean preparation, the trip from where the work ends. No dispatcher beats
 *   its mean either; the gap between the two is the busy trucks' work left.
 * - nodivert_ms: as work_ms, but a truck that accepted another call or is on its way to
 *   one also counts from the end of that job (the shortest work on scene there can be): a
 *   bound for every dispatcher that does not take a truck off its way to a customer, as the
 *   broker's never does (only an agent's choice can).
 * - free_ms: what sending the best idle truck at the call at once would take, by the same
 *   model as the bound (0 when no able truck was idle); not a bound: holding for a truck
 *   that finishes a job nearby can beat it.
 * Borrowed. */
struct sim_world_bound {
	int64_t work_ms;
	int64_t nodivert_ms;
	int64_t free_ms;
};
const struct sim_world_bound *sim_world_work_bounds(const struct sim_world *w, size_t *n);
/* Where the responses' minutes over the lower bound went: sums (ms) over the responses of
 * calls first offered to a free truck (n of them); for each, response - bound = offer +
 * reoffer + trip + choice + report exactly:
 *   offer    call -> its first offer (holds for a truck finishing a job, no truck free)
 *   reoffer  first offer -> the offer taken (declines, timeouts)
 *   trip     offer taken -> arrival, less the sent truck's truck_bound_ms at the answer
 *            (a quick or slow answer and preparation, stalls, detours, the trip's jitter)
 *   choice   the sent truck's truck_bound_ms less the bound (the bound's truck was nearer:
 *            busy, or not chosen)
 *   report   arrival -> the broker's t_on_scene (the lockstep's step)
 * queued counts the other responses (taken while the truck finished a job; their excess
 * is in other). */
struct sim_world_gaps {
	size_t n, queued;
	double offer, reoffer, trip, choice, report, other;
};
void sim_world_gaps(const struct sim_world *w, struct sim_world_gaps *out);
/* Ids of our intakes that are not final yet (up to max), for diagnostics; returns the
 * total count. */
size_t sim_world_open_tickets(const struct sim_world *w, int64_t *ids, size_t max);

struct sim_world_truck_info {
	const char *id, *supplier, *region; /* borrowed */
	enum truck_kind kind;
	struct geo_point pos;
	bool on_shift;
	int64_t job;                        /* ticket id or 0 */
	int64_t next;                       /* a ticket offered (or accepted) while finishing
	                                       the job, served after it; or 0 */
	const char *phase;                  /* "idle", "offered", "en_route", ... (static) */
};
/* How many trucks the world plays. */
size_t sim_world_truck_count(const struct sim_world *w);
/* Fill out for truck i < sim_world_truck_count(). */
void sim_world_truck_info(const struct sim_world *w, size_t i, struct sim_world_truck_info *out);

#endif
