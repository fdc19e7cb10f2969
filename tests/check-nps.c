/* check-nps.c: the NPS arithmetic of src/model/nps.c as tables: classes of every score,
 * the score, its 95% interval and the satisfaction share from counts (empty, one, two,
 * all promoters, all detractors, a mixed day), the "n too small" mark, and the rounding
 * the screens use. */
#include <check.h>
#include <math.h>
#include <stdio.h>

#include "nps.h"

#include "check-main.h"

START_TEST(test_classes)
{
	static const int want[] = {
		[0] = NPS_DETRACTOR, [1] = NPS_DETRACTOR, [2] = NPS_DETRACTOR,
		[3] = NPS_DETRACTOR, [4] = NPS_DETRACTOR, [5] = NPS_DETRACTOR,
		[6] = NPS_DETRACTOR, [7] = NPS_PASSIVE, [8] = NPS_PASSIVE,
		[9] = NPS_PROMOTER, [10] = NPS_PROMOTER,
	};
	for (int s = 0; s <= 10; s++)
		ck_assert_int_eq(nps_class_of(s), want[s]);
	ck_assert_int_eq(nps_class_of(-1), -1);
	ck_assert_int_eq(nps_class_of(11), -1);

	struct nps_counts c = { 0 };
	for (int s = -2; s <= 12; s++)
		ck_assert_int_eq(nps_add(&c, s), s >= 0 && s <= 10);
	ck_assert_int_eq(c.promoters, 2);
	ck_assert_int_eq(c.passives, 2);
	ck_assert_int_eq(c.detractors, 7);
}
END_TEST

static const struct {
	struct nps_counts c;
	bool valid, small;
	double score, lo, hi, satisfied; /* exact to 1e-6, or the rounded figures below */
	long r_score, r_lo, r_hi;
	double r_satisfied;
} cases[] = {
	/* nobody answered: nothing to show */
	{ { 0, 0, 0 }, false, false, 0, 0, 0, 0, 0, 0, 0, 0 },
	/* one promoter: 100, a zero-width interval the approximation cannot be trusted on */
	{ { 1, 0, 0 }, true, true, 100, 100, 100, 100, 100, 100, 100, 100 },
	/* one detractor */
	{ { 0, 0, 1 }, true, true, -100, -100, -100, 0, -100, -100, -100, 0 },
	/* one passive: NPS 0, var = 0 as well; satisfied */
	{ { 0, 1, 0 }, true, true, 0, 0, 0, 100, 0, 0, 0, 100 },
	/* two, one of each end: 0, interval wider than the scale, clipped */
	{ { 1, 0, 1 }, true, true, 0, -100, 100, 50, 0, -100, 100, 50 },
	/* all promoters, enough of them */
	{ { 50, 0, 0 }, true, false, 100, 100, 100, 100, 100, 100, 100, 100 },
	/* all detractors */
	{ { 0, 0, 40 }, true, false, -100, -100, -100, 0, -100, -100, -100, 0 },
	/* a day: 50 promoters, 30 passives, 20 detractors. var = (0.5 + 0.2 - 0.09) / 100
	 * = 0.0061, half-width 196 x sqrt(0.0061) = 15.3081 */
	{ { 50, 30, 20 }, true, false, 30, 30 - 15.308089, 30 + 15.308089, 80, 30, 15, 45, 80 },
	/* 29 answers is still small, 30 is not */
	{ { 29, 0, 0 }, true, true, 100, 100, 100, 100, 100, 100, 100, 100 },
	{ { 20, 5, 5 }, true, false, 50, 50 - 27.330894, 50 + 27.330894, 83.333333, 50, 23, 77,
	    83.3 },
	/* rounding: 1 of 3 promoters, 2 passives: 33.33.. -> 33; satisfied 100 */
	{ { 1, 2, 0 }, true, true, 100.0 / 3, -1, -1, 100, 33, -1, -1, 100 },
	/* 1 of 8 detractors, 7 passives: -12.5 -> -13 (half away from zero) */
	{ { 0, 7, 1 }, true, true, -12.5, -1, -1, 87.5, -13, -1, -1, 87.5 },
	/* 44 of 45 satisfied: 97.78 -> 97.8 (the seed's kind of figure) */
	{ { 40, 4, 1 }, true, false, 100.0 * 39 / 45, -1, -1, 100.0 * 44 / 45, 87, -1, -1,
	    97.8 },
};

START_TEST(test_table)
{
	struct nps r;

	nps_compute(&cases[_i].c, &r);
	ck_assert_int_eq(r.valid, cases[_i].valid);
	ck_assert_int_eq(r.n, cases[_i].c.promoters + cases[_i].c.passives +
	    cases[_i].c.detractors);
	if (!r.valid)
		return;
	ck_assert_int_eq(r.small, cases[_i].small);
	ck_assert_double_eq_tol(r.score, cases[_i].score, 1e-6);
	ck_assert_double_eq_tol(r.satisfied, cases[_i].satisfied, 1e-4);
	ck_assert(r.lo <= r.score && r.score <= r.hi);
	ck_assert(r.lo >= -100 && r.hi <= 100);
	if (cases[_i].lo != -1 || cases[_i].hi != -1) {
		ck_assert_double_eq_tol(r.lo, cases[_i].lo, 1e-3);
		ck_assert_double_eq_tol(r.hi, cases[_i].hi, 1e-3);
		ck_assert_int_eq(nps_round(r.lo), cases[_i].r_lo);
		ck_assert_int_eq(nps_round(r.hi), cases[_i].r_hi);
	}
	ck_assert_int_eq(nps_round(r.score), cases[_i].r_score);
	ck_assert_double_eq_tol(nps_round1(r.satisfied), cases[_i].r_satisfied, 1e-9);
}
END_TEST

START_TEST(test_round)
{
	static const struct { double x; long r; double r1; } t[] = {
		{ 0, 0, 0 }, { 0.49, 0, 0.5 }, { 0.5, 1, 0.5 }, { -0.5, -1, -0.5 },
		{ 2.5, 3, 2.5 }, { -2.5, -3, -2.5 }, { 12.46, 12, 12.5 }, { -12.46, -12, -12.5 },
		{ 99.96, 100, 100 }, { -100, -100, -100 },
	};
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		ck_assert_int_eq(nps_round(t[i].x), t[i].r);
		ck_assert_double_eq_tol(nps_round1(t[i].x), t[i].r1, 1e-9);
	}
}
END_TEST

/* The interval narrows as the sample grows, at the same shares. */
START_TEST(test_narrows)
{
	double last = 1e9;
	for (int64_t k = 1; k <= 1000; k *= 10) {
		struct nps_counts c = { 5 * k, 3 * k, 2 * k };
		struct nps r;
		nps_compute(&c, &r);
		ck_assert_double_eq_tol(r.score, 30, 1e-9);
		ck_assert(r.hi - r.lo < last);
		last = r.hi - r.lo;
	}
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("nps");
	TCase *tc = tcase_create("nps");
	tcase_add_test(tc, test_classes);
	tcase_add_loop_test(tc, test_table, 0, (int)(sizeof cases / sizeof cases[0]));
	tcase_add_test(tc, test_round);
	tcase_add_test(tc, test_narrows);
	suite_add_tcase(s, tc);
	return check_main(s);
}
