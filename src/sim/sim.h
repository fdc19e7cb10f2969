/* sim.h: rescuedesk-sim, embeddable: customers and suppliers' rescue trucks played against
 * the broker through its public protocol only (requests over rpc, live tickets through a
 * replica of the PUB socket, status and GPS fixes pushed to the supplier feed). The console's
 * --demo mode runs it in a thread; rescuedesk-sim(1) is a thin CLI around it.
 *
 * The behaviour is the pure model of sim-world.h; this module owns the sockets, the clock
 * (the broker's: hello's `now`, running time_scale times faster than the monotonic clock)
 * and the loop.
 *
 * Threads: the sockets are created by sim_create and used by sim_run and sim_destroy; call
 * them from one thread, or hand the sim over with a full memory barrier (pthread_create
 * is one). Ownership: sim_create copies everything it needs from opts; the zmq context is
 * borrowed (NULL: the sim makes and owns one). */
#ifndef RD_SIM_H
#define RD_SIM_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim-world.h"

struct curve_keys;

struct sim_opts {
	const char *api, *pub, *feed; /* broker endpoints; NULL: endpoints.h */
	const char *data_dir;         /* reference data; NULL: data_default_dir() */
	const char *user;             /* "user" of our requests; NULL: "sim" */
	const struct curve_keys *curve; /* CURVE keys for every socket (curve.h), borrowed
	                                 until sim_create returns; NULL: plain */
	uint64_t seed;                /* same seed, same calls (default 1) */
	double speed;                 /* must equal the broker's time scale; 0: adopt it */
	long requests;                /* > 0: create this many intakes, wait until all are
	                                 final, then return */
	double rate;                  /* > 0: calls per hour in total, flat; else demand.ini */
	const char *const *regions;   /* region ids; NULL or n_regions 0: all */
	size_t n_regions;
	double duration_s;            /* > 0: stop after this much broker time */
	double gps_dropout, stall, detour; /* fault injection, per job, 0..1 */
	double decline;               /* < 0: suppliers' accept_rate; else 0..1 */
	double gps_loss;              /* share of fixes lost, 0..1 */
	double fleet, demand;         /* sim_world_opts' factors; 0: 1 */
	long burst;                   /* calls at the start, 5 s of broker time apart */
	int hello_timeout_ms;         /* 0: 5000 */
	double finish_timeout_s;      /* with requests: broker time allowed after the last
	                                 intake for all to close; 0: 12 h */
	int live_timeout_ms;          /* give up if the replica is not live by then; 0: 30000 */
	bool diagnose;                /* play the diagnosis specialist on our calls whose fault
	                                 has a flow (data_dir/diagnosis/) */
	struct sim_world_injection inject[SIM_WORLD_INJECT_MAX]; /* faults forced on chosen
	                                 calls (--inject; sim-world.h) */
	size_t n_inject;
	bool lockstep;                /* the caller owns the clock: sim_lockstep_start and
	                                 sim_lockstep_turn instead of sim_run */
};

/* Fill o with the defaults (all zero/NULL except seed 1 and decline -1). */
void sim_opts_init(struct sim_opts *o);

struct sim_summary {
	uint64_t created;          /* intakes the broker accepted */
	uint64_t completed, cancelled, resolved_remote;
	uint64_t open;             /* created and not final yet */
	uint64_t failed;           /* intakes refused or lost */
	uint64_t offers, accepted, declined, unanswered;
	uint64_t queued;           /* offers accepted by a truck finishing a job */
	uint64_t customer_cancels;
	uint64_t fixes, fixes_suppressed, stalls, dropouts, detours;
	uint64_t feed_dropped;     /* feed messages dropped (queue full) */
	uint64_t refused;          /* set_state / cancel requests the broker refused or lost */
	uint64_t diag_sessions;    /* diag.start sent */
	uint64_t diag_answers, diag_stops, diag_dispatch_now; /* diag.answer, safety, now */
	uint64_t diag_refused;     /* diag requests refused (another console was first) */
	uint64_t told, told_delay; /* messages the customers received (topic "message"), and
	                              of template delay */
	uint64_t late, late_told;  /* responses after the promise; of them, those whose
	                              customer had been told a delay before the truck came */
	size_t responses;          /* closed tickets that had a truck on scene */
	double mean_response_min;  /* created -> on_scene; 0 when no responses */
	double p90_response_min;
	double within_promise;     /* share of responses with t_on_scene <= promised */
	double mean_bound_min;     /* the lower bound of the same responses (sim_world_bounds) */
	double p90_bound_min;
	double bound_within_promise;
	double mean_work_bound_min; /* the tighter bound: busy trucks' work left counted
	                               (sim_world_work_bounds) */
	double mean_nodivert_bound_min; /* ... and trucks on their way to another call */
	double mean_free_min;      /* the best idle truck at once, over the responses that had
	                              one (sim_world_work_bounds) */
	double free_share;         /* share of the responses whose call had an idle able truck */
	struct sim_world_gaps gaps; /* where the minutes over the bound went: the mean of each
	                              part in minutes, over gaps.n (other: over gaps.queued) */
	double sim_elapsed_s;      /* broker time simulated */
	double time_scale;
	bool finished;             /* requests > 0 and all of them final */
};

/* Load the data, build the world, connect, say hello (checking the protocol version and
 * that speed matches the broker's time scale), subscribe. NULL and *cause (caller frees)
 * when the data does not load, an option is out of range, the broker does not answer or
 * runs at another speed. */
struct sim *sim_create(void *zctx, const struct sim_opts *opts, char **cause);
/* Run the loop until *stop becomes non-zero, the duration is over, or (with requests) all
 * requested intakes are final. Returns 0, or 1 when the requested intakes did not all
 * close in time or the broker could not be used (logged). */
int sim_run(struct sim *s, volatile sig_atomic_t *stop);
/* Close the sockets and free everything. NULL is fine. */
void sim_destroy(struct sim *s);
/* Lockstep (opts.lockstep; tests/harness-quality.c): the caller moves broker time (a broker
 * on BROKER_CLOCK_MANUAL, broker_step) and then the simulator to the same time, so that the
 * same seed gives the same run whatever the threads do (sim.c says how).
 * sim_lockstep_start: wait up to wait_ms for the replica to go live and start the world at
 * now (the broker's time); 1 started, 0 not live yet (step the broker by 0 for a heartbeat
 * and call again), -1 not in lockstep.
 * sim_lockstep_turn: after the broker stands at now: take in what it published, play the
 * world up to now, send what the world says (the feed, then the requests) and wait up to
 * timeout_ms until every request is answered. 0 to go on, 1 when the requested intakes are
 * all final (or the duration is over), -1 on failure (logged: the finish time-out ran out,
 * the broker refused intakes or did not answer).
 * sim_lockstep_next: the time of the world's next event (INT64_MAX if none); busy says
 * whether any of its tickets is open (the broker has work at every pass). */
int sim_lockstep_start(struct sim *s, int64_t now, int wait_ms);
int sim_lockstep_turn(struct sim *s, int64_t now, int timeout_ms);
int64_t sim_lockstep_next(const struct sim *s, bool *busy);
/* The numbers so far (from the thread that runs sim_run, or after it returned). */
void sim_summary(const struct sim *s, struct sim_summary *out);

#endif
