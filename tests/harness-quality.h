/* harness-quality.h: the dispatch-quality runs shared by tests/bench/bench-dispatch-quality.c
 * (the long reference scenario) and tests/check-dispatch-quality.c (a short one in the
 * normal suite).
 *
 * A scenario (data/scenarios/ *.ini, read with libinih) is run in one process: a broker with
 * the given dispatch policy and a simulator, each in a thread, on inproc endpoints of their
 * own, with a fresh store in a temporary directory. Broker time starts at the scenario's
 * start and runs time_scale times faster than real time; the broker's dispatch and
 * monitoring pass runs every dispatch_pass_s of broker time. The same seed gives both
 * policies the same calls, places, faults and supplier behaviour.
 *
 * Nothing here exits: errors go to stderr and come back as false / run.ok. */
#ifndef RD_HARNESS_QUALITY_H
#define RD_HARNESS_QUALITY_H

#include <stdbool.h>
#include <stdint.h>

#include "broker.h"
#include "data.h"
#include "sim.h"

#define QUALITY_KEYS 12 /* keys of a scenario file, all required */

struct quality_scenario {
	char region[DATA_ID_MAX + 1];
	char start_text[64];
	int64_t start;            /* ms since the epoch */
	double rate;              /* calls per hour */
	long requests;
	uint64_t seed;
	double scale;
	double pass_s;            /* broker time between dispatch and monitoring passes */
	double finish_min;
	double dropout, stall, detour;
	double decline;           /* < 0: the suppliers' accept rates */
	bool seen[QUALITY_KEYS];    /* keys read so far */
	int line;                 /* of the error, 0 when none or not on a line */
	char error[200];
};

/* Read a scenario file into sc. false with sc->error (and sc->line when on a line). */
bool quality_scenario_load(const char *path, struct quality_scenario *sc);

struct quality_run {
	const char *name;
	enum broker_policy policy;
	bool ok;
	struct sim_summary sum;
	uint64_t tickets;
	uint64_t offers, accepts, declines, timeouts, holds, held_tickets, releases;
	double wall_s;
	char dir[64];
};

/* Run sc with policy r->policy (r->name labels messages); fills r. keep leaves the store in
 * r->dir. */
void quality_run(const struct quality_scenario *sc, const char *data_dir, int idx, bool keep,
    struct quality_run *r);
/* Mean response of e over that of n (0 when n has no responses). */
double quality_ratio(const struct quality_run *e, const struct quality_run *n);

#endif
