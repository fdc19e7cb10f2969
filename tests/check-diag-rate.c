/* check-diag-rate.c: the demo lands near the modelled service's 6.4% of calls solved by
 * phone (issue 9: within 4-9%), measured as a console sees it: a broker and a simulator
 * playing callers and the diagnosis specialist (data/scenarios/quick-diag.ini, every
 * region at the demo's rate) run in this process (tests/harness-quality.h), then the
 * broker's stats.kpi. Cancelled calls never count as solved: the rate is resolved by
 * phone over calls closed other than cancelled. */
#include <check.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "check-main.h"
#include "harness-quality.h"
#include "util.h"

#define RATE_MIN 0.04
#define RATE_MAX 0.09

START_TEST(test_demo_phone_rate)
{
	struct harness_quality_scenario sc;
	struct harness_quality_run run = { .name = "diag", .policy = BROKER_POLICY_ETA,
		.diagnose = true };
	const char *path = SOURCE_DATA_DIR "/scenarios/quick-diag.ini";
	const struct proto_kpi *k = &run.kpi;

	if (!harness_quality_load(path, &sc))
		ck_abort_msg("%s:%d: %s", path, sc.line, sc.error);
	harness_quality_run(&sc, SOURCE_DATA_DIR, 0, false, &run);
	ck_assert_msg(run.ok, "the run did not close all its calls");
	ck_assert_msg(run.kpi_ok, "no stats.kpi from the broker");
	printf("phone resolution %.1f%% (%" PRId64 " of %" PRId64 " closed; %" PRId64
	    " cancelled); %" PRId64 " sessions, %" PRId64 " then dispatched, %" PRId64
	    " safety stops, %" PRId64 " dispatched directly; median session %" PRId64 " s, "
	    "saved %.1f h of waiting; sim: %" PRIu64 " answers, %" PRIu64 " refused; %.1f s\n",
	    100 * k->phone_rate, k->resolved_remote, k->closed, k->cancelled, k->diag_sessions,
	    k->diag_then_dispatched, k->diag_safety, k->dispatched_direct, k->diag_median_s,
	    (double)k->saved_wait_s / 3600, run.sum.diag_answers, run.sum.diag_refused,
	    run.wall_s);
	fflush(stdout);
	/* the broker and the simulator tell the same story */
	ck_assert_int_eq(k->tickets, (int64_t)sc.requests);
	ck_assert_int_eq(k->resolved_remote, (int64_t)run.sum.resolved_remote);
	ck_assert_int_eq(k->cancelled, (int64_t)run.sum.cancelled);
	ck_assert_int_eq(k->closed, k->completed + k->resolved_remote);
	ck_assert_int_eq(k->diag_sessions, (int64_t)run.sum.diag_sessions);
	/* expressway callers hit the safety stop */
	ck_assert_int_gt(k->diag_safety, 0);
	ck_assert_msg(k->phone_rate >= RATE_MIN && k->phone_rate <= RATE_MAX,
	    "phone resolution %.3f, want %.2f-%.2f", k->phone_rate, RATE_MIN, RATE_MAX);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("diag-rate");
	TCase *tc = tcase_create("demo");

	tcase_set_timeout(tc, 150);
	tcase_add_test(tc, test_demo_phone_rate);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	log_set(stderr, LOG_WARN);
	return check_main(suite());
}
