/* check-sim-survey.c: the simulated customers' survey answers (src/sim/sim-survey.c),
 * pure, over many seeded draws: about a fifth answer; the mean score on time is higher
 * than late, and falls further the later the truck; a phone fix scores higher than a
 * rescue on time; every score is 0..10, every delay 3 min to 6 h; about a third comment,
 * and comments that mention a complaint come from detractors only; a seed replays. */
#include <check.h>
#include <stdint.h>
#include <string.h>

#include "rng.h"
#include "sim-world.h"

#include "check-main.h"

#define MIN 60000LL
#define N 20000

struct tally {
	long answered, comments, complaints, complaint_not_detractor, bad;
	double sum;
};

static struct tally
draw(uint64_t seed, bool phone, int64_t late_ms)
{
	struct tally t = { 0 };
	struct rng r;

	rng_seed(&r, seed, 1);
	for (int i = 0; i < N; i++) {
		struct sim_world_survey s;
		sim_world_survey_make(&r, phone, late_ms, &s);
		if (s.score < 0 || s.score > 10 || s.delay_ms < 3 * MIN ||
		    s.delay_ms > 360 * MIN)
			t.bad++;
		if (!s.answer)
			continue;
		t.answered++;
		t.sum += s.score;
		t.comments += s.comment[0] != '\0';
		t.complaints += s.complaint;
		t.complaint_not_detractor += s.complaint && s.score > 6;
		if (s.complaint && s.comment[0] == '\0')
			t.bad++;
	}
	return t;
}

START_TEST(test_rate)
{
	struct tally t = draw(11, false, 0);

	ck_assert_int_eq(t.bad, 0);
	/* 20% of 20000: 4000, sd 57 */
	ck_assert_int_ge(t.answered, 3800);
	ck_assert_int_le(t.answered, 4200);
	ck_assert_double_gt(t.comments / (double)t.answered, 0.30);
	ck_assert_double_lt(t.comments / (double)t.answered, 0.40);
	ck_assert_int_eq(t.complaint_not_detractor, 0);
}
END_TEST

START_TEST(test_lateness_and_phone)
{
	struct tally on = draw(12, false, 0), early = draw(12, false, -20 * MIN);
	struct tally late20 = draw(12, false, 20 * MIN), late60 = draw(12, false, 60 * MIN);
	struct tally phone = draw(12, true, 0);
	double m_on = on.sum / on.answered, m_l20 = late20.sum / late20.answered;
	double m_l60 = late60.sum / late60.answered, m_ph = phone.sum / phone.answered;

	ck_assert_double_eq_tol(early.sum / early.answered, m_on, 1e-9); /* early is on time */
	ck_assert_double_gt(m_on, m_l20 + 1.0);
	ck_assert_double_gt(m_l20, m_l60 + 2.0);
	ck_assert_double_gt(m_ph, m_on + 0.4);
	ck_assert_double_gt(m_on, 8.0);
	ck_assert_double_lt(m_l60, 4.0);
	/* complaints come with lateness */
	ck_assert_int_gt(late60.complaints, 10 * (on.complaints + 1));
	ck_assert_int_eq(late60.complaint_not_detractor, 0);
}
END_TEST

START_TEST(test_replays)
{
	struct rng a, b;

	rng_seed(&a, 99, 7);
	rng_seed(&b, 99, 7);
	for (int i = 0; i < 1000; i++) {
		struct sim_world_survey x, y;
		sim_world_survey_make(&a, i % 2, (i % 90) * MIN, &x);
		sim_world_survey_make(&b, i % 2, (i % 90) * MIN, &y);
		ck_assert_int_eq(x.answer, y.answer);
		ck_assert_int_eq(x.score, y.score);
		ck_assert_int_eq(x.delay_ms, y.delay_ms);
		ck_assert_str_eq(x.comment, y.comment);
	}
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("sim-survey");
	TCase *tc = tcase_create("survey");
	tcase_add_test(tc, test_rate);
	tcase_add_test(tc, test_lateness_and_phone);
	tcase_add_test(tc, test_replays);
	suite_add_tcase(s, tc);
	return check_main(s);
}
