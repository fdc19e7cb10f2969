/* bench-dispatch-quality.c: how well does dispatch serve the customers, across situations
 * (issues #4 and #12)?
 *
 * Usage: bench-dispatch-quality [DATA_DIR [SCENARIO...]] [--seeds N] [--keep]
 *
 * Runs each scenario (default: every DATA_DIR/scenarios/ *.ini but the quick-* ones of the
 * test suite: city, county and rural regions; morning, afternoon, evening and night;
 * storms, stalls and detours; thin and overloaded fleets) with N seeds (default 10: the
 * scenario's seed and the N - 1 after it), each twice in one process, with the same
 * calls, places, faults and supplier behaviour: once with the broker's dispatcher
 * (BROKER_POLICY_ETA) and once with the baseline that offers each job to the
 * straight-line nearest idle truck able to serve it (BROKER_POLICY_NEAREST). The runs are
 * those of tests/harness-quality.h (also behind the short scenario of
 * tests/check-dispatch-quality.c); --keep leaves each run's store in its temporary
 * directory and prints where, for sqlite3(1). The runs are in lockstep on broker time, with
 * the broker's dispatch and monitoring pass every dispatch_pass_s: a seed gives the same
 * figures at every run, so two dispatchers (or two weightings) differ by what they do,
 * not by how the threads ran.
 *
 * Prints for each scenario and seed the mean responses, the lower bound and their ratios,
 * then for both dispatchers the averages over the seeds (of each seed's figure): the
 * calls, how they ended, the response time
 * from the call to the truck on scene (mean and 90th percentile, over the calls that had a
 * truck on scene), the share of those within the promise, offers, declines and timeouts,
 * and the lower bound of the same responses (sim_world_bounds: each call served by the
 * nearest able truck on shift as if every truck were free, which no dispatcher can beat),
 * the tighter bounds that count the work left of trucks on scene or towing, and of those on
 * their way to another call too, and what the best idle truck sent at once would take
 * (sim_world_work_bounds), and the parts of the responses' minutes over the bound
 * (sim_world_gaps: waiting for a first offer, declines, the trip over the sent truck's
 * model, the sent truck's model over the bound's truck, the lockstep's report);
 * then the ratios of the averages, their spread over the seeds (lowest and highest), and
 * the verdict against the scenario's [target]: the average mean response at most
 * vs_nearest x the baseline's (0.85 where the fleet is under load: at least 15% lower; 1.0
 * elsewhere: never worse) and, where vs_bound is set (the rush hour: 1.5), at most that x
 * the lower bound. A table of every scenario closes the report.
 *
 * Exit status: 0 when every run finished and every target is met; 1 when one is not met,
 * or a run could not be set up or did not close all its calls; 2 on a bad command line or
 * scenario. */
#include <inttypes.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness-quality.h"
#include "util.h"


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

#define SEEDS_MAX 50

/* One scenario's figures: the averages over the seeds, and each seed's. */
struct result {
	char name[64];
	uint64_t seed0;
	int n_seeds;
	struct harness_quality_run runs[2];    /* averages */
	double eta[SEEDS_MAX], nearest[SEEDS_MAX], bound[SEEDS_MAX]; /* mean responses, min */
	bool met;
};

static double
lowest(const double *x, int n)
{
	double m = x[0];
	for (int i = 1; i < n; i++)
		m = fmin(m, x[i]);
	return m;
}

static double
highest(const double *x, int n)
{
	double m = x[0];
	for (int i = 1; i < n; i++)
		m = fmax(m, x[i]);
	return m;
}

/* The average of n runs (counts rounded), into out (name and policy of the first). */
static void
average(const struct harness_quality_run *r, int n, struct harness_quality_run *out)
{
	struct sim_summary *o = &out->sum;

	*out = (struct harness_quality_run){ .name = r[0].name, .policy = r[0].policy,
	    .ok = true };
	for (int i = 0; i < n; i++) {
		const struct harness_quality_run *x = &r[i];
		out->ok = out->ok && x->ok;
		out->tickets += x->tickets;
		out->offers += x->offers;
		out->declines += x->declines;
		out->timeouts += x->timeouts;
		out->held_tickets += x->held_tickets;
		out->wall_s += x->wall_s;
		o->created += x->sum.created;
		o->completed += x->sum.completed;
		o->cancelled += x->sum.cancelled;
		o->responses += x->sum.responses;
		o->queued += x->sum.queued;
		o->stalls += x->sum.stalls;
		o->dropouts += x->sum.dropouts;
		o->mean_response_min += x->sum.mean_response_min / n;
		o->p90_response_min += x->sum.p90_response_min / n;
		o->within_promise += x->sum.within_promise / n;
		o->mean_bound_min += x->sum.mean_bound_min / n;
		o->p90_bound_min += x->sum.p90_bound_min / n;
		o->bound_within_promise += x->sum.bound_within_promise / n;
		o->mean_work_bound_min += x->sum.mean_work_bound_min / n;
		o->mean_nodivert_bound_min += x->sum.mean_nodivert_bound_min / n;
		o->mean_free_min += x->sum.mean_free_min / n;
		o->free_share += x->sum.free_share / n;
		o->gaps.n += x->sum.gaps.n;
		o->gaps.queued += x->sum.gaps.queued;
		o->gaps.offer += x->sum.gaps.offer / n;
		o->gaps.reoffer += x->sum.gaps.reoffer / n;
		o->gaps.trip += x->sum.gaps.trip / n;
		o->gaps.choice += x->sum.gaps.choice / n;
		o->gaps.report += x->sum.gaps.report / n;
		o->gaps.other += x->sum.gaps.other / n;
		o->sim_elapsed_s += x->sum.sim_elapsed_s / n;
	}
	uint64_t h = (uint64_t)n / 2, un = (uint64_t)n;
	out->tickets = (out->tickets + h) / un;
	out->offers = (out->offers + h) / un;
	out->declines = (out->declines + h) / un;
	out->timeouts = (out->timeouts + h) / un;
	out->held_tickets = (out->held_tickets + h) / un;
	out->wall_s /= n;
	o->created = (o->created + h) / un;
	o->completed = (o->completed + h) / un;
	o->cancelled = (o->cancelled + h) / un;
	o->responses = (o->responses + (size_t)h) / (size_t)un;
	o->queued = (o->queued + h) / un;
	o->stalls = (o->stalls + h) / un;
	o->dropouts = (o->dropouts + h) / un;
	o->gaps.n = (o->gaps.n + (size_t)h) / (size_t)un;
	o->gaps.queued = (o->gaps.queued + (size_t)h) / (size_t)un;
}

/* Print the comparison; true when the target is met. */
static bool
report(const struct harness_quality_scenario *sc, const char *path, const struct result *res)
{
	const struct harness_quality_run *e = &res->runs[0], *n = &res->runs[1];
	const struct sim_summary *a = &e->sum, *b = &n->sum;
	double per[SEEDS_MAX], per_lb[SEEDS_MAX];

	printf("dispatch quality: %s\n", path);
	printf("  %s from %s, %g calls an hour, %ld calls, seeds %" PRIu64 "-%" PRIu64 ", "
	    "dispatch pass every %g s; fleet x%g, demand x%g; injected: GPS dropouts %g, GPS "
	    "loss %g, stalls %g, detours %g, declines ", sc->region, sc->start_text, sc->rate,
	    sc->requests, res->seed0, res->seed0 + (uint64_t)res->n_seeds - 1, sc->pass_s,
	    sc->fleet, sc->demand, sc->dropout, sc->gps_loss, sc->stall, sc->detour);
	if (sc->decline < 0)
		printf("by accept_rate\n");
	else
		printf("%g\n", sc->decline);
	printf("  %-6s %12s %12s %12s %8s %8s\n", "seed", "eta, min", "nearest, min",
	    "bound, min", "e/n", "e/lb");
	for (int k = 0; k < res->n_seeds; k++) {
		per[k] = res->nearest[k] > 0 ? res->eta[k] / res->nearest[k] : 0;
		per_lb[k] = res->bound[k] > 0 ? res->eta[k] / res->bound[k] : 0;
		printf("  %-6" PRIu64 " %12.2f %12.2f %12.2f %8.3f %8.3f\n",
		    res->seed0 + (uint64_t)k, res->eta[k], res->nearest[k], res->bound[k], per[k],
		    per_lb[k]);
	}
	printf("  averages over the %d seeds:\n", res->n_seeds);
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

	row_f("lower bound: mean response, min", a->mean_bound_min, b->mean_bound_min);
	row_f("lower bound: p90 response, min", a->p90_bound_min, b->p90_bound_min);
	row_f("lower bound: within promise, %", 100 * a->bound_within_promise,
	    100 * b->bound_within_promise);
	row_f("bound with busy trucks' work left, min", a->mean_work_bound_min,
	    b->mean_work_bound_min);
	row_f("... and trucks on the way to a call, min", a->mean_nodivert_bound_min,
	    b->mean_nodivert_bound_min);
	row_f("best idle truck at once, min", a->mean_free_min, b->mean_free_min);
	row_f("calls with an idle able truck, %", 100 * a->free_share, 100 * b->free_share);
	printf("  response over the lower bound, min a call (first offered to a free truck):\n");
	row_f("  call -> first offer (holds, none free)", a->gaps.offer, b->gaps.offer);
	row_f("  -> the offer taken (declines)", a->gaps.reoffer, b->gaps.reoffer);
	row_f("  -> on scene, over the truck's model", a->gaps.trip, b->gaps.trip);
	row_f("  sent truck's model - the bound's", a->gaps.choice, b->gaps.choice);
	row_f("  arrival -> the broker sees it", a->gaps.report, b->gaps.report);
	row_u("  calls counted (the rest: queued)", (uint64_t)a->gaps.n, (uint64_t)b->gaps.n);
	row_f("  queued calls: response - bound", a->gaps.other, b->gaps.other);

	double ratio = harness_quality_ratio(e, n);
	double vs_bound = a->mean_bound_min > 0 ? a->mean_response_min / a->mean_bound_min : 0;
	bool near_ok = ratio > 0 && ratio <= sc->vs_nearest;
	bool bound_ok = sc->vs_bound <= 0 || (vs_bound > 0 && vs_bound <= sc->vs_bound);
	printf("  mean response %s / %s: %.3f (%.1f%% %s; one seed's %.3f-%.3f); share within "
	    "promise %+.1f points; %s / lower bound %.2f (one seed's %.2f-%.2f)\n", e->name,
	    n->name, ratio, 100 * fabs(1 - ratio), ratio <= 1 ? "lower" : "higher",
	    lowest(per, res->n_seeds), highest(per, res->n_seeds),
	    100 * (a->within_promise - b->within_promise), e->name, vs_bound,
	    lowest(per_lb, res->n_seeds), highest(per_lb, res->n_seeds));
	printf("  of the gap to the lower bound (%.1f min): work left of trucks on scene or "
	    "towing %.1f min, of trucks on the way to a call %.1f min (%s / that bound %.2f)\n",
	    a->mean_response_min - a->mean_bound_min, a->mean_work_bound_min - a->mean_bound_min,
	    a->mean_nodivert_bound_min - a->mean_work_bound_min, e->name,
	    a->mean_nodivert_bound_min > 0 ? a->mean_response_min / a->mean_nodivert_bound_min :
	    0);
	printf("  target: mean response <= %.2f x %s's", sc->vs_nearest, n->name);
	if (sc->vs_bound > 0)
		printf(" and <= %.2f x the lower bound", sc->vs_bound);
	printf(": %s\n", near_ok && bound_ok ? "MET" : !near_ok ? "NOT MET (vs nearest)" :
	    "NOT MET (vs the lower bound)");
	return near_ok && bound_ok;
}

static void
table(const struct result *res, size_t n)
{
	printf("\nsummary (averages over the seeds: mean / p90 response in minutes, within promise "
	    "in %% of responses; e/n and e/lb: ratios of the averages, and the lowest-highest "
	    "e/n of one seed; e/wb: eta over the bound counting the work left of busy trucks, "
	    "those on the way to a call too)\n");
	printf("%-16s %-9s %-16s %-16s %-16s %6s %11s %6s %6s %4s\n", "scenario", "seeds",
	    "eta", "nearest", "lower bound", "e/n", "e/n spread", "e/lb", "e/wb", "");
	for (size_t i = 0; i < n; i++) {
		const struct result *x = &res[i];
		const struct sim_summary *a = &x->runs[0].sum, *b = &x->runs[1].sum;
		char ce[32], cn[32], cb[32], seeds[24], spread[24];
		double per[SEEDS_MAX];
		for (int k = 0; k < x->n_seeds; k++)
			per[k] = x->nearest[k] > 0 ? x->eta[k] / x->nearest[k] : 0;
		snprintf(seeds, sizeof seeds, "%" PRIu64 "-%" PRIu64, x->seed0,
		    x->seed0 + (uint64_t)x->n_seeds - 1);
		snprintf(spread, sizeof spread, "%.2f-%.2f", lowest(per, x->n_seeds),
		    highest(per, x->n_seeds));
		snprintf(ce, sizeof ce, "%.1f/%.1f %.0f%%", a->mean_response_min,
		    a->p90_response_min, 100 * a->within_promise);
		snprintf(cn, sizeof cn, "%.1f/%.1f %.0f%%", b->mean_response_min,
		    b->p90_response_min, 100 * b->within_promise);
		snprintf(cb, sizeof cb, "%.1f/%.1f %.0f%%", a->mean_bound_min, a->p90_bound_min,
		    100 * a->bound_within_promise);
		printf("%-16s %-9s %-16s %-16s %-16s %6.3f %11s %6.2f %6.2f %4s\n", x->name, seeds,
		    ce, cn, cb, harness_quality_ratio(&x->runs[0], &x->runs[1]), spread,
		    a->mean_bound_min > 0 ? a->mean_response_min / a->mean_bound_min : 0,
		    a->mean_nodivert_bound_min > 0 ? a->mean_response_min /
		    a->mean_nodivert_bound_min : 0,
		    x->met ? "MET" : "NO");
	}
}

static bool
is_quick(const char *name)
{
	return strncmp(name, "quick-", 6) == 0;
}

static const char *
base_name(const char *path)
{
	const char *s = strrchr(path, '/');
	return s ? s + 1 : path;
}

int
main(int argc, char **argv)
{
	const char *data_dir = NULL;
	const char **paths = xcalloc((size_t)argc, sizeof *paths);
	char **owned = NULL;
	size_t n_paths = 0, n_owned = 0;
	bool keep = false, all_met = true, all_ok = true;
	int rc = 0, n_seeds = 10;

	for (int i = 1; i < argc; i++) {
		char *end;
		if (strcmp(argv[i], "--keep") == 0)
			keep = true;
		else if (strcmp(argv[i], "--seeds") == 0 && i + 1 < argc &&
		    (n_seeds = (int)strtol(argv[i + 1], &end, 10)) >= 1 && n_seeds <= SEEDS_MAX &&
		    *end == '\0')
			i++;
		else if (argv[i][0] == '-') {
			fprintf(stderr, "usage: bench-dispatch-quality [DATA_DIR [SCENARIO...]] "
			    "[--seeds 1-%d] [--keep]\n", SEEDS_MAX);
			free(paths);
			return 2;
		} else if (data_dir == NULL)
			data_dir = argv[i];
		else
			paths[n_paths++] = argv[i];
	}
	if (data_dir == NULL)
		data_dir = data_default_dir();
	if (n_paths == 0) {
		char *dir, *cause = NULL;
		char **names;
		size_t count;
		xasprintf(&dir, "%s/scenarios", data_dir);
		names = data_ini_list(dir, &count, &cause);
		if (names == NULL && cause != NULL) {
			fprintf(stderr, "bench-dispatch-quality: %s: %s\n", dir, cause);
			free(cause);
			free(dir);
			free(paths);
			return 2;
		}
		paths = xreallocarray(paths, count + 1, sizeof *paths);
		owned = xcalloc(count + 1, sizeof *owned);
		for (size_t i = 0; i < count; i++) {
			if (!is_quick(names[i])) {
				xasprintf(&owned[n_owned], "%s/%s", dir, names[i]);
				paths[n_paths++] = owned[n_owned++];
			}
			free(names[i]);
		}
		free(names);
		free(dir);
	}
	log_set(stderr, LOG_WARN);

	struct result *res = xcalloc(n_paths ? n_paths : 1, sizeof *res);
	for (size_t p = 0; p < n_paths; p++) {
		struct harness_quality_scenario sc;
		struct result *r = &res[p];
		const char *path = paths[p];

		if (!harness_quality_load(path, &sc)) {
			if (sc.line > 0)
				fprintf(stderr, "bench-dispatch-quality: %s:%d: %s\n", path, sc.line,
				    sc.error);
			else
				fprintf(stderr, "bench-dispatch-quality: %s: %s\n", path, sc.error);
			rc = 2;
			goto out;
		}
		rd_strlcpy(r->name, base_name(path), sizeof r->name);
		if (strlen(r->name) > 4 && strcmp(r->name + strlen(r->name) - 4, ".ini") == 0)
			r->name[strlen(r->name) - 4] = '\0';
		struct harness_quality_run (*runs)[2] = xcalloc((size_t)n_seeds, sizeof *runs);
		uint64_t seed0 = sc.seed;
		r->seed0 = seed0;
		r->n_seeds = n_seeds;
		for (int k = 0; k < n_seeds; k++) {
			sc.seed = seed0 + (uint64_t)k;
			runs[k][0] = (struct harness_quality_run){ .name = "eta",
			    .policy = BROKER_POLICY_ETA };
			runs[k][1] = (struct harness_quality_run){ .name = "nearest",
			    .policy = BROKER_POLICY_NEAREST };
			for (int i = 0; i < 2; i++) {
				harness_quality_run(&sc, data_dir, (int)(2 * (p * SEEDS_MAX +
				    (size_t)k)) + i, keep, &runs[k][i]);
				if (keep)
					fprintf(stderr, "bench-dispatch-quality: %s seed %" PRIu64 " %s: "
					    "store kept in %s/rd.db\n", r->name, sc.seed,
					    runs[k][i].name, runs[k][i].dir);
				if (!runs[k][i].ok) {
					fprintf(stderr, "bench-dispatch-quality: %s seed %" PRIu64 ": the "
					    "%s run did not close all its calls\n", r->name, sc.seed,
					    runs[k][i].name);
					all_ok = false;
				}
			}
			r->eta[k] = runs[k][0].sum.mean_response_min;
			r->nearest[k] = runs[k][1].sum.mean_response_min;
			r->bound[k] = runs[k][0].sum.mean_bound_min;
		}
		sc.seed = seed0;
		struct harness_quality_run e[SEEDS_MAX], n[SEEDS_MAX];
		for (int k = 0; k < n_seeds; k++) {
			e[k] = runs[k][0];
			n[k] = runs[k][1];
		}
		average(e, n_seeds, &r->runs[0]);
		average(n, n_seeds, &r->runs[1]);
		free(runs);
		r->met = report(&sc, path, r);
		fflush(stdout);
		all_met = all_met && r->met;
	}
	table(res, n_paths);
	if (!all_ok)
		rc = 1;
	else if (!all_met) {
		fprintf(stderr, "bench-dispatch-quality: a target is not met\n");
		rc = 1;
	}
out:
	free(res);
	for (size_t i = 0; i < n_owned; i++)
		free(owned[i]);
	free(owned);
	free(paths);
	return rc;
}
