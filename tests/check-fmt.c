/* check-fmt.c: the one minute format of the console (model_fmt_minutes, ui/model.c): whole
 * minutes toward zero, "<1m" under a minute either way, and never "-0m" nor "-<1m"; the
 * ages of present_age (ui/present.c): seconds under a minute, never negative. */
#include <check.h>
#include <stdint.h>

#include "check-main.h"
#include "model.h"
#include "present.h"

static const char *
fmt(int64_t ms)
{
	static char buf[32];

	model_fmt_minutes(ms, buf, sizeof buf);
	return buf;
}

START_TEST(test_minutes)
{
	ck_assert_str_eq(fmt(0), "0m");
	ck_assert_str_eq(fmt(1), "<1m");
	ck_assert_str_eq(fmt(59999), "<1m");
	ck_assert_str_eq(fmt(60000), "1m");
	ck_assert_str_eq(fmt(28 * 60000 + 30000), "28m");
	ck_assert_str_eq(fmt(99 * 60000 + 59999), "99m");
	ck_assert_str_eq(fmt(100 * 60000), "1h40");
	ck_assert_str_eq(fmt(125 * 60000), "2h05");
	ck_assert_str_eq(fmt(6000 * 60000LL), "4d");
}
END_TEST

START_TEST(test_negative_never_minus_zero)
{
	/* an ETA due now reads the same whether it is a second before or after */
	ck_assert_str_eq(fmt(-1), "<1m");
	ck_assert_str_eq(fmt(-30000), "<1m");
	ck_assert_str_eq(fmt(-59999), "<1m");
	ck_assert_str_eq(fmt(-60000), "-1m");
	ck_assert_str_eq(fmt(-18 * 60000 - 59000), "-18m");
	ck_assert_str_eq(fmt(-125 * 60000), "-2h05");
	for (int64_t ms = -120000; ms <= 0; ms += 250)
		ck_assert_ptr_null(strstr(fmt(ms), "-0"));
	for (int64_t ms = -59999; ms <= 0; ms += 250)
		ck_assert_ptr_null(strchr(fmt(ms), '-'));
}
END_TEST

static const char *
age(int64_t ms)
{
	static char buf[32];

	present_age(ms, buf, sizeof buf);
	return buf;
}

START_TEST(test_age)
{
	ck_assert_str_eq(age(0), "0s");
	ck_assert_str_eq(age(12500), "12s");
	ck_assert_str_eq(age(59999), "59s");
	ck_assert_str_eq(age(60000), "1m");
	ck_assert_str_eq(age(-5000), "0s");	/* a clock a little ahead */
	ck_assert_str_eq(age(-59999), "0s");
	ck_assert_str_eq(age(-60000), "-1m");
}
END_TEST

static Suite *
fmt_suite(void)
{
	Suite *s = suite_create("fmt");
	TCase *tc = tcase_create("minutes");

	tcase_add_test(tc, test_minutes);
	tcase_add_test(tc, test_negative_never_minus_zero);
	tcase_add_test(tc, test_age);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return check_main(fmt_suite());
}
