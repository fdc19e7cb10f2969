/* check-dispatch-quality.c: the ranked dispatcher (with the weights of data/dispatch.ini)
 * serves customers faster than the straight-line nearest-idle baseline, and neither beats
 * the simulator's lower bound, asserted on a short scenario
 * (data/scenarios/quick-rush.ini) run in this process as the benchmark runs the long ones
 * (tests/harness-quality.h): a broker on a manual clock and the simulated world in
 * lockstep on broker time, so a seed gives the same figures at every run, which the second
 * test asserts. */
#include <check.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "check-main.h"
#include "harness-quality.h"
#include "util.h"

/* Mean response at most this share of the baseline's. The scenario's comments give the
 * figures across seeds; a dispatcher no better than the baseline (~1.0) fails, and so does
 * one that stops holding calls for trucks finishing nearby. */
#define MAX_RATIO 0.90

START_TEST(test_ranked_beats_nearest)
{
	struct harness_quality_scenario sc;
	struct harness_quality_run eta = { .name = "eta", .policy = BROKER_POLICY_ETA };
	struct harness_quality_run nearest = { .name = "nearest", .policy = BROKER_POLICY_NEAREST };
	const char *path = SOURCE_DATA_DIR "/scenarios/quick-rush.ini";

	if (!harness_quality_load(path, &sc))
		ck_abort_msg("%s:%d: %s", path, sc.line, sc.error);
	harness_quality_run(&sc, SOURCE_DATA_DIR, 0, false, &eta);
	harness_quality_run(&sc, SOURCE_DATA_DIR, 1, false, &nearest);
	ck_assert_msg(eta.ok && nearest.ok, "a run did not close all its calls");
	ck_assert_uint_eq(eta.sum.created, (uint64_t)sc.requests);
	ck_assert_uint_eq(nearest.sum.created, (uint64_t)sc.requests);
	/* without a diagnosis session nothing is solved by phone */
	ck_assert_uint_eq(eta.sum.resolved_remote, 0);
	ck_assert_uint_eq(nearest.sum.resolved_remote, 0);

	double ratio = harness_quality_ratio(&eta, &nearest);
	printf("mean response eta %.1f min, nearest %.1f min (ratio %.3f); within promise "
	    "%.0f%% vs %.0f%%\n", eta.sum.mean_response_min, nearest.sum.mean_response_min,
	    ratio, 100 * eta.sum.within_promise, 100 * nearest.sum.within_promise);
	ck_assert_msg(ratio > 0 && ratio <= MAX_RATIO,
	    "mean response eta / nearest = %.3f, want <= %.2f", ratio, MAX_RATIO);
	/* the lower bound (each call served by the nearest able truck as if every truck were
	 * free) is below what either dispatcher achieved, and counts at least as many calls
	 * within the promise */
	printf("lower bound %.1f min (eta run), %.1f min (nearest run)\n",
	    eta.sum.mean_bound_min, nearest.sum.mean_bound_min);
	ck_assert(eta.sum.mean_bound_min > 0 && nearest.sum.mean_bound_min > 0);
	ck_assert_double_lt(eta.sum.mean_bound_min, eta.sum.mean_response_min);
	ck_assert_double_lt(nearest.sum.mean_bound_min, nearest.sum.mean_response_min);
	ck_assert_double_ge(eta.sum.bound_within_promise, eta.sum.within_promise);
	ck_assert_msg(eta.sum.within_promise > nearest.sum.within_promise,
	    "within promise: eta %.3f, nearest %.3f", eta.sum.within_promise,
	    nearest.sum.within_promise);
}
END_TEST

/* The same seed twice: the same run, to the bit, whatever the threads did (the broker in
 * its own, the world in this one). */
START_TEST(test_same_seed_same_run)
{
	struct harness_quality_scenario sc;
	struct harness_quality_run a = { .name = "eta", .policy = BROKER_POLICY_ETA };
	struct harness_quality_run b = { .name = "eta", .policy = BROKER_POLICY_ETA };
	const char *path = SOURCE_DATA_DIR "/scenarios/quick-rush.ini";

	if (!harness_quality_load(path, &sc))
		ck_abort_msg("%s:%d: %s", path, sc.line, sc.error);
	harness_quality_run(&sc, SOURCE_DATA_DIR, 2, false, &a);
	harness_quality_run(&sc, SOURCE_DATA_DIR, 3, false, &b);
	ck_assert_msg(a.ok && b.ok, "a run did not close all its calls");
	printf("twice: mean response %.6f and %.6f min, %" PRIu64 " and %" PRIu64 " offers, "
	    "wall %.1f and %.1f s\n", a.sum.mean_response_min, b.sum.mean_response_min,
	    a.offers, b.offers, a.wall_s, b.wall_s);
	ck_assert(a.sum.mean_response_min == b.sum.mean_response_min);
	ck_assert(a.sum.p90_response_min == b.sum.p90_response_min);
	ck_assert(a.sum.within_promise == b.sum.within_promise);
	ck_assert(a.sum.mean_bound_min == b.sum.mean_bound_min);
	ck_assert(a.sum.sim_elapsed_s == b.sum.sim_elapsed_s);
	ck_assert_uint_eq(a.sum.responses, b.sum.responses);
	ck_assert_uint_eq(a.sum.fixes, b.sum.fixes);
	ck_assert_uint_eq(a.sum.cancelled, b.sum.cancelled);
	ck_assert_uint_eq(a.offers, b.offers);
	ck_assert_uint_eq(a.declines, b.declines);
	ck_assert_uint_eq(a.timeouts, b.timeouts);
	ck_assert_uint_eq(a.holds, b.holds);
	/* simulated time runs far ahead of the wall clock (hours in seconds) */
	ck_assert_double_gt(a.sum.sim_elapsed_s, 3600);
	ck_assert_double_lt(a.wall_s, 30);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("dispatch-quality");
	TCase *tc = tcase_create("quick-rush");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_ranked_beats_nearest);
	tcase_add_test(tc, test_same_seed_same_run);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	log_set(stderr, LOG_WARN);
	return check_main(suite());
}
