/* check-spark.c: sparklines (ui/spark.c): the height of a value on a scale, the eighth
 * blocks U+2581..U+2588 and the ASCII steps, missing values, a buffer too short. */
#include <check.h>
#include <string.h>

#include "check-main.h"
#include "spark.h"
#include "util.h"

START_TEST(test_levels)
{
	static const struct { int64_t v, max; int level; } rows[] = {
		{ 0, 10, 0 }, { -3, 10, 0 }, { 1, 10, 1 }, { 5, 10, 4 }, { 7, 14, 4 },
		{ 9, 10, 6 }, { 10, 10, 7 }, { 25, 10, 7 }, { 5, 0, 0 }, { 5, -1, 0 },
		{ 1, 1000, 1 }, { 72, 1000, 1 }, { 71, 1000, 1 }, { 1, 15, 1 }, { 3, 15, 1 },
		{ 4, 15, 2 },
	};
	for (size_t i = 0; i < ARRAY_LEN(rows); i++)
		ck_assert_msg(spark_level(rows[i].v, rows[i].max) == rows[i].level,
		    "row %zu: %d", i, spark_level(rows[i].v, rows[i].max));
}
END_TEST

START_TEST(test_utf8)
{
	static const int64_t v[] = { 0, 1, 2, 3, 4, 5, 6, 7 };
	char out[64];
	ck_assert_uint_eq(spark_render(out, sizeof out, v, NULL, 8, 7, true), 8);
	ck_assert_str_eq(out, "▁▂▃▄▅▆▇█");
	ck_assert_uint_eq(spark_render(out, sizeof out, v, NULL, 8, 7, false), 8);
	ck_assert_str_eq(out, "_.,-=+*#");
}
END_TEST

START_TEST(test_missing)
{
	static const int64_t v[] = { 4, 0, 8, -1 };
	static const bool has[] = { true, false, true, true };
	char out[64];
	spark_render(out, sizeof out, v, has, 4, 8, true);
	ck_assert_str_eq(out, "▅ █▁");	/* 4 of 8: 3.5 rounds to 4 */
	spark_render(out, sizeof out, v, NULL, 4, 8, false);	/* no has: v < 0 missing */
	ck_assert_str_eq(out, "=_# ");
}
END_TEST

START_TEST(test_short_buffer)
{
	static const int64_t v[] = { 7, 7, 7 };
	char out[8];
	/* room for two blocks and the NUL: whole characters only */
	ck_assert_uint_eq(spark_render(out, sizeof out, v, NULL, 3, 7, true), 2);
	ck_assert_str_eq(out, "██");
	ck_assert_uint_eq(spark_render(out, 3, v, NULL, 3, 7, false), 2);
	ck_assert_str_eq(out, "##");
	ck_assert_uint_eq(spark_render(out, 0, v, NULL, 3, 7, false), 0);
	ck_assert_uint_eq(spark_render(out, sizeof out, v, NULL, 0, 7, true), 0);
	ck_assert_str_eq(out, "");
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("spark");
	TCase *tc = tcase_create("spark");
	tcase_add_test(tc, test_levels);
	tcase_add_test(tc, test_utf8);
	tcase_add_test(tc, test_missing);
	tcase_add_test(tc, test_short_buffer);
	suite_add_tcase(s, tc);
	return check_main(s);
}
