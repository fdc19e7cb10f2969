/* check-sim-tell.c: the simulator's customers hear what the broker tells them (issue 13):
 * the short overloaded scenario of data/scenarios/quick-rush.ini, in Changsha, whose
 * policy (data/regions/changsha.ini tell_on_slip = 1) has the broker tell the customer of a
 * rescue slipping past its promise; the broker and the simulator run in lockstep
 * (tests/harness-quality.h). The customers of late rescues receive the delay message on
 * topic "message" before their truck comes, and every message they count is one the
 * broker logged. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>

#include "harness-quality.h"
#include "util.h"

#ifndef SOURCE_DATA_DIR
#error "compile with -DSOURCE_DATA_DIR=\"/path/to/data\""
#endif

START_TEST(test_late_customers_told)
{
	struct harness_quality_scenario sc;
	struct harness_quality_run run = { .name = "eta", .policy = BROKER_POLICY_ETA };
	const char *path = SOURCE_DATA_DIR "/scenarios/quick-rush.ini";

	if (!harness_quality_load(path, &sc))
		ck_abort_msg("%s:%d: %s", path, sc.line, sc.error);
	harness_quality_run(&sc, SOURCE_DATA_DIR, 0, false, &run);
	ck_assert_msg(run.ok, "the run did not close all its calls");
	printf("customers told %llu messages (%llu delays); %llu late, %llu of them told first\n",
	    (unsigned long long)run.sum.told, (unsigned long long)run.sum.told_delay,
	    (unsigned long long)run.sum.late, (unsigned long long)run.sum.late_told);
	/* the scenario overloads the fleet: some rescues come late */
	ck_assert_uint_gt(run.sum.late, 0);
	/* the broker told them, and their customers heard it before the truck came */
	ck_assert_uint_gt(run.sum.late_told, 0);
	ck_assert_uint_ge(run.sum.told_delay, run.sum.late_told);
	/* nobody but the broker tells anyone here: every message is a delay */
	ck_assert_uint_eq(run.sum.told, run.sum.told_delay);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("sim-tell");
	TCase *tc = tcase_create("quick-rush");
	SRunner *sr;
	int failed;

	tcase_set_timeout(tc, 170);
	tcase_add_test(tc, test_late_customers_told);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
