/* sim-world-int.h: what the files of the simulator's world share and nothing else sees:
 * the truck, customer and world structs, the time units, and the functions one file of the
 * world calls in another (grouped by the file that defines them, as tmux.h does).
 *
 *   sim-callers.c  time of day and demand; who calls, from where, about what (pure
 *                  functions of a random stream)
 *   sim-path.c     plausible road paths and a truck's motion along them
 *   sim-trucks.c   suppliers' trucks: shifts, offers and answers, trips, GPS, tows, the
 *                  job after this one
 *   sim-diag.c     the caller's hidden cause and answers; the specialist
 *   sim-survey.c   the customers' survey answers after the close
 *   sim-world.c    the world: the action queue, customers waiting, demand, create, start,
 *                  advance and the read-outs
 *
 * Include only from those four files. */
#ifndef RD_SIM_WORLD_INT_H
#define RD_SIM_WORLD_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hmap.h"
#include "rng.h"
#include "sim-world.h"

#define SEC 1000LL
#define MIN (60 * SEC)
#define HOUR (60 * MIN)
#define DAY (24 * HOUR)
#define FIX_STILL_MS (120 * SEC)
#define BUSY_DECLINE_MIN_MS (10 * SEC)
#define SEEN_MAX 8

enum phase { PH_OFF, PH_IDLE, PH_OFFERED, PH_ACCEPTED, PH_EN_ROUTE, PH_ON_SCENE, PH_TOWING };

enum act { ACT_NONE, ACT_ACCEPT, ACT_DECLINE, ACT_EN_ROUTE, ACT_SCENE_DONE };

enum next_state { NEXT_NONE, NEXT_OFFERED, NEXT_ACCEPTED };

/* A job offered to a truck while it finishes another (on scene or towing). */
struct next {
	enum next_state st;
	struct sim_world_ticket tk; /* the broker's view when offered, state kept up to date */
	struct rng rng;   /* the job's stream, handed to the truck when it starts */
	enum act act;               /* NEXT_OFFERED: ACT_ACCEPT or ACT_DECLINE at t_act */
	int64_t t_act;
	char reason[96];
	bool silent;
	int64_t prep_ms;            /* NEXT_ACCEPTED: from the end of the job to departure */
};

struct motion {
	bool on;
	struct sim_world_path path;
	double len;
	double along;            /* metres done at t_along */
	int64_t t_along;
	double v, v_fast;        /* metres per ms */
	double fast_from;        /* along from which v_fast applies */
	int64_t stall_from, stall_to;
	int64_t t_arrive;
	size_t wp;               /* next waypoint to check for a turn */
	int64_t t_turn;
};

struct truck {
	char id[25];
	const struct data_region *reg;
	const struct data_supplier *sup;
	enum truck_kind kind;
	struct geo_point home, pos;
	double heading;
	enum phase phase;
	bool full_shift, on_shift, off_pending;
	int shift_on, shift_off; /* local minute of day */
	int64_t t_shift;

	int64_t job;             /* ticket id, 0 when none */
	int64_t job_tdisp;       /* its t_dispatched when offered */
	enum ticket_state tstate;
	struct {
		int64_t id, tdisp;
	} seen[SEEN_MAX];        /* the last offers handled, newest at seen_pos - 1 */
	size_t seen_pos;
	struct geo_point scene;
	enum ticket_fault fault;
	bool tow, expressway;
	struct rng rng;
	enum act act;
	int64_t t_act;
	char reason[96];
	bool silent;
	struct motion plan;      /* the trip planned at acceptance */
	double stall_at, dropout_at; /* fractions of the planned trip time; < 0: none */
	int64_t stall_ms, dropout_ms;

	struct motion mv;
	int64_t t_fix, last_fix;
	int64_t drop_from, drop_to;

	struct next next;        /* the job after this one, if offered while finishing it */
};

/* Where the specialist is with a call (sim-diag.c). */
enum cust_diag {
	CD_NONE,        /* no flow, or diagnosis off */
	CD_WAITING,     /* a cause is drawn; the broker has not shown the ticket yet */
	CD_QUEUED,      /* picked up at t_diag */
	CD_STARTED,     /* diag.start sent: the next step at t_diag */
	CD_DONE,
};

/* Calls' diagnosis streams are seeded by (seed, DIAG_STREAM << 32 + call number). */
#define DIAG_STREAM 0xd1a6ULL

struct cust {
	uint64_t seq;
	int64_t id;
	int64_t t_gen;
	enum ticket_state state;
	bool final, cancel_sent;
	int64_t created, promised, t_on_scene;
	int64_t t_self;          /* gives up by itself then, or INT64_MAX */
	int64_t t_patience;      /* cancels then if no truck accepted, or INT64_MAX */
	int64_t bound_ms;        /* the lower bound of its response (sim_world_bounds) */
	int64_t work_ms;         /* ... counting the work left of busy trucks (work_bounds) */
	int64_t nodivert_ms;     /* ... and of trucks on their way to a call (work_bounds) */
	int64_t free_ms;         /* the best truck_bound_ms of the idle trucks, or 0 */
	/* its course, for sim_world_gaps (0: not yet) */
	int64_t t_offer1, t_offer, t_accept, t_arrive;
	int64_t model_ms;        /* the accepting truck's truck_bound_ms at the answer */
	bool queued;             /* offered while the truck finished a job */

	enum cust_diag d;
	struct sim_world_cause cause;
	struct rng drng;         /* the call's diagnosis stream */
	bool dispatch_now;       /* decided at the call: on an expressway or at night the
	                            specialist asks for a truck at once, else the call waits
	                            for the diagnosis (intake.create diag_hold) */
	int64_t t_diag;          /* the specialist's next move, or INT64_MAX */
	char node[FLOW_ID_MAX];  /* the step to answer, as the broker last said */
	int steps;
	char acted_node[FLOW_ID_MAX]; /* the step last read out (node, answers before it) */
	int acted_steps;
	unsigned inject;         /* 1 << enum sim_world_inject: faults forced on its first
	                            trip (--inject), cleared when the trip is planned */
	/* messages the broker told this customer (sim_world_told) */
	int told;
	int64_t t_told_delay;    /* when the first delay message came (0: none) */
};

/* An offer to a truck that cannot take it: declined shortly. */
struct busy {
	int64_t ticket;
	char truck[25];
	int64_t due;
	char reason[64];
};

/* A survey answer due (sim-survey.c). */
struct survey_due {
	int64_t ticket;
	int64_t due;
	struct sim_world_survey s;
};

struct sim_world {
	const struct data *d;
	struct sim_world_opts o;
	bool started;
	int64_t now;

	const struct data_region **regs;
	double *reg_w;
	size_t n_regs;
	double per_hour[24];
	struct rng demand, noise, gps; /* gps: fixes lost (p_gps_loss) */
	int64_t t_call;
	long burst_left;           /* calls of the opening burst still to come */
	uint64_t seq;
	long to_generate;        /* with a request count: intakes still to generate */

	struct truck *trucks;
	size_t n_trucks;
	struct hmap *by_id;

	struct cust *custs;
	size_t n_custs, cap_custs, n_final_custs;

	struct busy *busy;
	size_t n_busy, cap_busy;

	struct sim_world_action *q;
	size_t q_head, q_len, q_cap;

	struct sim_world_stats st;
	int64_t *resp;
	size_t n_resp, cap_resp, in_promise;
	int64_t *bound;          /* the lower bound of each response, cap_resp of them */
	size_t bound_in_promise;
	struct sim_world_bound *work; /* the other figures of each response, cap_resp */
	struct sim_world_gaps gaps;
	uint64_t finals;         /* our created intakes that are final */
	struct survey_due *surveys; /* answers not yet given (sim-survey.c), in no order */
	size_t n_surveys, cap_surveys;
	int64_t last_created;
};

/* A string with a weight, for rng_pick. */
struct wstr {
	const char *s;
	double w;
};

/* sim-callers.c */
int64_t sim_next_local_minute(int64_t t, int tz_offset_s, int m);
bool sim_is_expressway(const struct data_landmark *lm);
void sim_append(char *dst, size_t dstsz, const char *sep, const char *s);
struct geo_point sim_in_disk(struct rng *r, struct geo_point c, double radius_m);
/* One of the n strings of t, drawn by weight. */
const char *sim_pick_wstr(struct rng *r, const struct wstr *t, size_t n);

/* sim-path.c */
void mv_next_turn(struct motion *m);
void mv_plan(struct motion *m, const struct sim_world_path *path, double kmh, double fast_kmh,
    double fast_frac);
int64_t mv_trip_ms(const struct motion *m);
void mv_go(struct motion *m, int64_t t);
double mv_speed_kmh(const struct motion *m, int64_t t);
void truck_move(struct truck *k, int64_t t);
void truck_stop(struct truck *k, int64_t t);
struct geo_point truck_pos_at(const struct truck *k, int64_t t);

/* sim-trucks.c */
int64_t truck_bound_ms(const struct sim_world *w, const struct truck *k, struct geo_point scene,
    bool expressway, int64_t t);
int64_t truck_work_bound_ms(const struct sim_world *w, const struct truck *k,
    struct geo_point scene, bool expressway, int64_t t, bool divert);
void truck_send_fix(struct sim_world *w, struct truck *k, int64_t t);
int64_t truck_due(const struct truck *k);
void truck_schedule_shift(struct sim_world *w, struct truck *k, int64_t t);
void truck_release(struct sim_world *w, struct truck *k, int64_t t);
void truck_remember(struct truck *k, int64_t id, int64_t tdisp);
bool truck_seen(const struct truck *k, int64_t id, int64_t tdisp, bool any_dispatch);
void truck_offer(struct sim_world *w, struct truck *k, const struct sim_world_ticket *tk,
    int64_t t);
bool truck_finishing(const struct truck *k);
void truck_next_offer(struct sim_world *w, struct truck *k,
    const struct sim_world_ticket *tk, int64_t t);
void truck_event(struct sim_world *w, struct truck *k, int64_t t);
void truck_adopt(struct sim_world *w, struct truck *k, const struct sim_world_ticket *tk,
    int64_t t);
struct truck *truck_of_job(struct sim_world *w, int64_t id);
struct truck *truck_of_next(struct sim_world *w, int64_t id);
bool truck_busy(const struct truck *k);

/* sim-diag.c */
void diag_call(struct sim_world *w, struct cust *c, struct sim_world_intake *in, int64_t t);
void diag_ticket(struct sim_world *w, struct cust *c, const struct sim_world_ticket *tk,
    int64_t t);
void diag_event(struct sim_world *w, struct cust *c, int64_t t);

/* sim-survey.c */
/* Call c closed at t: its customer may answer the survey later. */
void survey_close(struct sim_world *w, const struct cust *c, int64_t t);
/* The answer w->surveys[i] is due at t: push its action. */
void survey_event(struct sim_world *w, size_t i, int64_t t);

/* sim-world.c */
enum cust_mark { CM_OFFER, CM_NEXT_OFFER, CM_ACCEPT, CM_ARRIVE };
void sim_cust_mark(struct sim_world *w, int64_t id, enum cust_mark m, int64_t t,
    int64_t model_ms);
struct sim_world_action *sim_push(struct sim_world *w, enum sim_world_action_kind kind,
    int64_t ts);
void sim_say_state(struct sim_world *w, struct truck *k, int64_t t, enum ticket_state s,
    int64_t eta_s,
    const char *reason);
void sim_say_status(struct sim_world *w, struct truck *k, int64_t t, enum truck_status s);
/* The faults forced on the trip to ticket id (bits of enum sim_world_inject), taken: the
 * next trip there gets none. 0 for a ticket not ours. */
unsigned sim_cust_take_inject(struct sim_world *w, int64_t id);

#endif
