/* bench-dispatch-quality.c: how well does dispatch serve the customers (issue #4)?
 *
 * Usage: bench-dispatch-quality DATA_DIR [SCENARIO] [--keep]
 *
 * Runs the reference scenario (default DATA_DIR/scenarios/rush-hour.ini: a busy weekday
 * morning rush in Changsha, fixed seed) twice in one process, with the same calls, places,
 * faults and supplier behaviour: once with the broker's dispatcher (BROKER_POLICY_ETA) and
 * once with the baseline that offers each job to the straight-line nearest idle truck able
 * to serve it (BROKER_POLICY_NEAREST). The runs are those of tests/harness-quality.h (also
 * behind the short scenario of tests/check-dispatch-quality.c); --keep leaves each run's
 * store in its temporary directory and prints where, for sqlite3(1). The broker's dispatch
 * and monitoring pass runs every dispatch_pass_s of broker time (broker_opts.tick_ms):
 * rescuedeskd's 500 ms of real time would be 5 minutes of broker time at x600, which
 * batches waiting tickets as no real broker does.
 *
 * Prints for both runs: the calls, how they ended, the response time from the call to the
 * truck on scene (mean and 90th percentile, over the calls that had a truck on scene), the
 * share of those within the promise, offers, declines and timeouts; then the ratio of the
 * mean response times and the verdict against the target: at least 15% lower mean
 * response time than the baseline, and a higher share within the promise.
 *
 * Exit status: 0 when both runs finished and the target is met; 1 when it is not met, or a
 * run could not be set up or did not close all its calls; 2 on a bad command line or
 * scenario. */
#include <inttypes.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "harness-quality.h"
#include "util.h"

#define TARGET_GAIN 0.15          /* mean response at least this much lower */

/* ---- the report ---- */

static double
pct(uint64_t a, uint64_t b)
{
	return b > 0 ? 100.0 * (double)a / (double)b : 0;
}

static void
row_u(const char *label, uint64_t a, uint64_t b)
{
	printf("  %-36s %10" PRIu64 " %10" PRIu64 "\n", label, a, b);
}

static void
row_f(const char *label, double a, double b)
{
	printf("  %-36s %10.1f %10.1f\n", label, a, b);
}

/* Print the comparison; true when the target is met. */
static bool
report(const struct harness_quality_scenario *sc, const char *path,
    const struct harness_quality_run *e, const struct harness_quality_run *n)
{
	const struct sim_summary *a = &e->sum, *b = &n->sum;

	printf("dispatch quality: %s\n", path);
	printf("  %s from %s, %g calls an hour, %ld calls, seed %" PRIu64 ", x%g, dispatch "
	    "pass every %g s; injected: GPS dropouts %g, stalls %g, detours %g, declines ",
	    sc->region, sc->start_text, sc->rate, sc->requests, sc->seed, sc->scale, sc->pass_s,
	    sc->dropout, sc->stall, sc->detour);
	if (sc->decline < 0)
		printf("by accept_rate\n");
	else
		printf("%g\n", sc->decline);
	printf("  %-36s %10s %10s\n", "", e->name, n->name);
	row_u("tickets", e->tickets, n->tickets);
	row_u("completed", a->completed, b->completed);
	row_u("cancelled (customers gave up)", a->cancelled, b->cancelled);
	row_u("truck on scene (responses)", a->responses, b->responses);
	row_f("mean response, min", a->mean_response_min, b->mean_response_min);
	row_f("p90 response, min", a->p90_response_min, b->p90_response_min);
	row_f("within promise, % of responses", 100 * a->within_promise,
	    100 * b->within_promise);
	row_f("within promise, % of tickets",
	    pct((uint64_t)llround(a->within_promise * (double)a->responses), a->created),
	    pct((uint64_t)llround(b->within_promise * (double)b->responses), b->created));
	row_u("offers", e->offers, n->offers);
	row_u("declined (supplier said no)", e->declines, n->declines);
	row_u("timed out (no answer in time)", e->timeouts, n->timeouts);
	row_u("tickets held for a finishing truck", e->held_tickets, n->held_tickets);
	row_u("offers taken while finishing a job", a->queued, b->queued);
	row_u("injected stalls / GPS dropouts", a->stalls + a->dropouts, b->stalls + b->dropouts);
	row_f("simulated, h", a->sim_elapsed_s / 3600, b->sim_elapsed_s / 3600);
	row_f("wall time, s", e->wall_s, n->wall_s);

	double ratio = harness_quality_ratio(e, n);
	bool faster = ratio > 0 && ratio <= 1 - TARGET_GAIN;
	bool promise = a->within_promise > b->within_promise;
	printf("  mean response %s / %s: %.3f (%.1f%% %s); share within promise %+.1f points\n",
	    e->name, n->name, ratio, 100 * fabs(1 - ratio), ratio <= 1 ? "lower" : "higher",
	    100 * (a->within_promise - b->within_promise));
	printf("  target (>= %.0f%% lower mean response and a higher share within promise): %s\n",
	    100 * TARGET_GAIN, faster && promise ? "MET" : faster ? "NOT MET (share within "
	    "promise)" : promise ? "NOT MET (mean response)" : "NOT MET");
	return faster && promise;
}

int
main(int argc, char **argv)
{
	const char *data_dir = NULL, *path = NULL;
	char dflt[1024];
	bool keep = false;
	struct harness_quality_scenario sc;
	struct harness_quality_run runs[2] = {
		{ .name = "eta", .policy = BROKER_POLICY_ETA },
		{ .name = "nearest", .policy = BROKER_POLICY_NEAREST },
	};

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--keep") == 0)
			keep = true;
		else if (argv[i][0] == '-' || (data_dir != NULL && path != NULL)) {
			fprintf(stderr, "usage: bench-dispatch-quality DATA_DIR [SCENARIO] "
			    "[--keep]\n");
			return 2;
		} else if (data_dir == NULL)
			data_dir = argv[i];
		else
			path = argv[i];
	}
	if (data_dir == NULL)
		data_dir = data_default_dir();
	if (path == NULL) {
		snprintf(dflt, sizeof dflt, "%s/scenarios/rush-hour.ini", data_dir);
		path = dflt;
	}
	if (!harness_quality_load(path, &sc)) {
		if (sc.line > 0)
			fprintf(stderr, "bench-dispatch-quality: %s:%d: %s\n", path, sc.line,
			    sc.error);
		else
			fprintf(stderr, "bench-dispatch-quality: %s: %s\n", path, sc.error);
		return 2;
	}
	log_set(stderr, LOG_WARN);

	for (int i = 0; i < 2; i++) {
		harness_quality_run(&sc, data_dir, i, keep, &runs[i]);
		if (keep)
			fprintf(stderr, "bench-dispatch-quality: %s: store kept in %s/rd.db\n",
			    runs[i].name, runs[i].dir);
	}
	bool met = report(&sc, path, &runs[0], &runs[1]);
	for (int i = 0; i < 2; i++)
		if (!runs[i].ok) {
			fprintf(stderr, "bench-dispatch-quality: the %s run did not close all its "
			    "calls\n", runs[i].name);
			return 1;
		}
	if (!met) {
		fprintf(stderr, "bench-dispatch-quality: the target is not met\n");
		return 1;
	}
	return 0;
}
