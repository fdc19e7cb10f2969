/* harness-quality.h: the dispatch-quality runs shared by tests/bench/bench-dispatch-quality.c
 * (the scenario suite of data/scenarios/) and tests/check-dispatch-quality.c (a short one in
 * the normal suite).
 *
 * A scenario (data/scenarios/ *.ini, read with libinih) is run in one process: a broker with
 * the given dispatch policy on a manual clock (BROKER_CLOCK_MANUAL) in a thread, and the
 * simulator in this thread in lockstep with it (sim_opts.lockstep), on inproc endpoints of
 * their own, with a fresh store in a temporary directory. Broker time starts at the
 * scenario's start and moves only by steps of dispatch_pass_s (each runs the broker's
 * dispatch and monitoring pass): the broker steps, then the simulator takes in what it
 * published, plays the world up to the same time and waits until the broker has handled
 * all the world said (sim.c, "lockstep"). While none of the world's tickets is open the
 * steps skip on to the pass of the world's next event. So the same seed gives the same
 * figures, bit for bit, at every run, and a run takes as long as its work, not its
 * simulated hours. The same seed gives both policies the same calls, places, faults and
 * supplier behaviour. The region "all" runs every region of the data (as the console's
 * demo does). With diagnose, the simulator also plays the diagnosis specialist, and the run
 * ends by asking the broker for stats.kpi (tests/check-diag-rate.c measures the
 * phone-resolution rate so). With auto_dispatch, the broker and the simulator read a copy
 * of the data (in the run's directory) whose regions all dispatch automatically. The
 * simulator's summary carries the lower bound of the responses (sim_world_bounds), two
 * tighter bounds and the best idle truck at once (sim_world_work_bounds), and where the
 * minutes over the bound went (sim_world_gaps).
 *
 * Nothing here exits: errors go to stderr and come back as false / run.ok. */
#ifndef RD_HARNESS_QUALITY_H
#define RD_HARNESS_QUALITY_H

#include <stdbool.h>
#include <stdint.h>

#include "broker.h"
#include "data.h"
#include "proto.h"
#include "sim.h"

#define HARNESS_QUALITY_KEYS 18 /* keys of a scenario file (the first 12 required) */

/* A scenario, as read from a file of data/scenarios/ (rush-hour.ini explains each key). */
struct harness_quality_scenario {
	char region[DATA_ID_MAX + 1];
	char start_text[64];
	int64_t start;            /* ms since the epoch */
	double rate;              /* calls per hour */
	long requests;
	uint64_t seed;
	double scale;             /* the broker's time scale as hello reports it (the runs are
	                             in lockstep: it does not set their speed) */
	double pass_s;            /* broker time between dispatch and monitoring passes: the
	                             lockstep's step */
	double finish_min;
	double dropout, stall, detour;
	double gps_loss;          /* share of fixes lost (default 0) */
	double decline;           /* < 0: the suppliers' accept rates */
	double fleet, demand;     /* the simulator's factors (sim_world_opts; default 1) */
	bool auto_dispatch;       /* every region dispatches automatically (a copy of the
	                             data with auto_dispatch = 1), as an agent who takes the
	                             first candidate at once */
	double vs_nearest;        /* target: mean response at most this x nearest-idle's
	                             (default 1: never worse) */
	double vs_bound;          /* target: mean response at most this x the lower bound
	                             (0, the default: none) */
	bool seen[HARNESS_QUALITY_KEYS]; /* keys read so far */
	int line;                 /* of the error, 0 when none or not on a line */
	char error[200];
};

/* Read a scenario file into sc. false with sc->error (and sc->line when on a line). */
bool harness_quality_load(const char *path, struct harness_quality_scenario *sc);

/* One run: name and policy are set by the caller, the rest by harness_quality_run. */
struct harness_quality_run {
	const char *name;         /* labels messages ("eta", "nearest") */
	enum broker_policy policy;
	bool diagnose;            /* the simulator plays the specialist (sim_opts.diagnose) */
	bool ok;                  /* set up, and every call closed */
	bool kpi_ok;              /* kpi holds the broker's stats.kpi at the end */
	struct proto_kpi kpi;
	struct sim_summary sum;   /* the simulator's side: outcomes and response times */
	uint64_t tickets;         /* the broker's side, from its event log */
	uint64_t offers, accepts, declines, timeouts, holds, held_tickets, releases;
	double wall_s;            /* real time the run took */
	char dir[64];             /* its temporary directory (left there with keep) */
};

/* Run sc with policy r->policy and fill r. idx tells apart the inproc endpoints of runs in
 * one process; keep leaves the store in r->dir. */
void harness_quality_run(const struct harness_quality_scenario *sc, const char *data_dir,
    int idx, bool keep, struct harness_quality_run *r);
/* Mean response of e over that of n (0 when n has no responses). */
double harness_quality_ratio(const struct harness_quality_run *e,
    const struct harness_quality_run *n);

#endif
