/* check-civil.c: civil time (src/base/civil.h): local hours, minutes and days at fixed UTC
 * offsets, the rush hours, and the ISO 8601 parser of rescuedeskd --clock-start and the
 * scenario files. */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>

#include "check-main.h"
#include "civil.h"

#define SEC 1000LL
#define MIN (60 * SEC)
#define HOUR (60 * MIN)
/* Monday 2024-03-04 00:00 in China (UTC+8). */
#define T0 1709481600000LL

static const struct {
	int64_t t;
	int tz;
	int hour;
} hour_cases[] = {
	{ 0, 0, 0 },
	{ 0, 8 * 3600, 8 },
	{ T0, 8 * 3600, 0 },
	{ T0 + 7 * HOUR + 59 * MIN, 8 * 3600, 7 },
	{ T0 + 23 * HOUR + 59 * MIN + 59 * SEC, 8 * 3600, 23 },
	{ -1, 0, 23 },
	{ -HOUR, 8 * 3600, 7 },
};

START_TEST(local_hour)
{
	ck_assert_int_eq(civil_local_hour(hour_cases[_i].t, hour_cases[_i].tz),
	    hour_cases[_i].hour);
}
END_TEST

START_TEST(local_day)
{
	/* China midnight starts a day; UTC midnight does not */
	ck_assert_int_eq(civil_local_day(T0 - 1, CIVIL_TZ_CHINA_S) + 1,
	    civil_local_day(T0, CIVIL_TZ_CHINA_S));
	ck_assert_int_eq(civil_local_day(T0 + 8 * HOUR - 1, CIVIL_TZ_CHINA_S),
	    civil_local_day(T0 + 8 * HOUR, CIVIL_TZ_CHINA_S));
	ck_assert_int_eq(civil_local_day(T0, CIVIL_TZ_CHINA_S), civil_days_from_date(2024, 3, 4));
	ck_assert_int_eq(civil_local_day(-1, 0), -1);
	ck_assert_int_eq(civil_ms_of_day(T0 + 7 * HOUR + 3 * MIN, CIVIL_TZ_CHINA_S),
	    7 * HOUR + 3 * MIN);
	ck_assert_int_eq(civil_ms_of_day(-1, 0), 24 * HOUR - 1);
}
END_TEST

START_TEST(peak_hours)
{
	static const int peak[] = { 7, 8, 17, 18 };
	int n = 0;

	for (int h = 0; h < 24; h++)
		n += civil_peak_hour(h);
	ck_assert_int_eq(n, 4);
	for (size_t i = 0; i < sizeof peak / sizeof peak[0]; i++)
		ck_assert(civil_peak_hour(peak[i]));
}
END_TEST

/* Night, when the flows recommend a truck at once: 20:00 to 06:00, edges included. */
START_TEST(night_hours)
{
	int n = 0;

	for (int h = 0; h < 24; h++)
		n += civil_night_hour(h);
	ck_assert_int_eq(n, 10);
	ck_assert(civil_night_hour(20));
	ck_assert(civil_night_hour(5));
	ck_assert(!civil_night_hour(6));
	ck_assert(!civil_night_hour(19));
}
END_TEST

static const struct {
	const char *s;
	int64_t ms; /* -1: refused */
} time_cases[] = {
	{ "2026-03-10T07:00:00+08:00", 1773097200000LL },
	{ "2026-03-09T23:00:00Z", 1773097200000LL },
	{ "2026-03-09T23:00Z", 1773097200000LL },
	{ "2026-03-09T18:30:00-04:30", 1773097200000LL },
	{ "1773097200000", 1773097200000LL },
	{ "1970-01-01T00:00:00Z", -1 },
	{ "1970-01-01T00:00:01Z", 1000 },
	{ "1970-01-01T08:00:00+08:00", -1 },
	{ "0", -1 },
	{ "-5", -1 },
	{ "99999999999999999999", -1 },
	{ "2026-03-10T07:00:00", -1 },
	{ "2026-03-10 07:00:00Z", -1 },
	{ "2026-13-10T07:00:00Z", -1 },
	{ "2026-03-10T24:00:00Z", -1 },
	{ "2026-03-10T07:60Z", -1 },
	{ "2026-03-10T07:00:00+15:00", -1 },
	{ "2026-03-10T07:00:00+08:00x", -1 },
	{ "", -1 },
	{ "soon", -1 },
};

START_TEST(parse_time)
{
	ck_assert_int_eq(civil_parse_time(time_cases[_i].s), time_cases[_i].ms);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("civil");
	TCase *tc = tcase_create("civil");

	tcase_add_loop_test(tc, local_hour, 0, (int)(sizeof hour_cases / sizeof hour_cases[0]));
	tcase_add_test(tc, local_day);
	tcase_add_test(tc, peak_hours);
	tcase_add_test(tc, night_hours);
	tcase_add_loop_test(tc, parse_time, 0, (int)(sizeof time_cases / sizeof time_cases[0]));
	suite_add_tcase(s, tc);
	return check_main(s);
}
