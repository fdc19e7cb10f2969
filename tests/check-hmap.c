/* check-hmap.c: unit tests for the string -> pointer hash map. */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hmap.h"

/* Distinct non-NULL values without allocating: addresses inside this array. */
static char values[8];

START_TEST(test_empty)
{
	struct hmap *m = hmap_create();
	size_t pos = 0;
	const char *k;
	void *v;

	ck_assert_uint_eq(hmap_count(m), 0);
	ck_assert_ptr_null(hmap_get(m, "x"));
	ck_assert_ptr_null(hmap_get(m, ""));
	ck_assert_ptr_null(hmap_remove(m, "x"));
	ck_assert(!hmap_next(m, &pos, &k, &v));
	hmap_destroy(m);
	hmap_destroy(NULL);
}
END_TEST

START_TEST(test_put_get_replace)
{
	struct hmap *m = hmap_create();
	char key[16];

	ck_assert_ptr_null(hmap_put(m, "alpha", &values[0]));
	ck_assert_ptr_null(hmap_put(m, "beta", &values[1]));
	ck_assert_ptr_null(hmap_put(m, "", &values[2]));
	ck_assert_uint_eq(hmap_count(m), 3);
	ck_assert_ptr_eq(hmap_get(m, "alpha"), &values[0]);
	ck_assert_ptr_eq(hmap_get(m, "beta"), &values[1]);
	ck_assert_ptr_eq(hmap_get(m, ""), &values[2]);
	ck_assert_ptr_null(hmap_get(m, "alph"));
	ck_assert_ptr_null(hmap_get(m, "alphaa"));

	/* Replace returns the old value and does not add a key. */
	ck_assert_ptr_eq(hmap_put(m, "alpha", &values[3]), &values[0]);
	ck_assert_uint_eq(hmap_count(m), 3);
	ck_assert_ptr_eq(hmap_get(m, "alpha"), &values[3]);

	/* The map copies keys: changing the caller's buffer changes nothing. */
	strcpy(key, "gamma");
	hmap_put(m, key, &values[4]);
	strcpy(key, "delta");
	ck_assert_ptr_eq(hmap_get(m, "gamma"), &values[4]);
	ck_assert_ptr_null(hmap_get(m, "delta"));
	hmap_destroy(m);
}
END_TEST

START_TEST(test_remove)
{
	struct hmap *m = hmap_create();

	hmap_put(m, "a", &values[0]);
	hmap_put(m, "b", &values[1]);
	ck_assert_ptr_eq(hmap_remove(m, "a"), &values[0]);
	ck_assert_uint_eq(hmap_count(m), 1);
	ck_assert_ptr_null(hmap_get(m, "a"));
	ck_assert_ptr_null(hmap_remove(m, "a"));
	ck_assert_ptr_eq(hmap_get(m, "b"), &values[1]);
	/* Re-inserting after removal works. */
	ck_assert_ptr_null(hmap_put(m, "a", &values[2]));
	ck_assert_ptr_eq(hmap_get(m, "a"), &values[2]);
	ck_assert_uint_eq(hmap_count(m), 2);
	hmap_destroy(m);
}
END_TEST

START_TEST(test_getn)
{
	struct hmap *m = hmap_create();
	/* Not NUL-terminated after the key: a fixed array with trailing junk. */
	const char buf[8] = { 'k', 'e', 'y', 'X', 'Y', 'Z', 'W', 'V' };

	hmap_put(m, "key", &values[0]);
	hmap_put(m, "ke", &values[1]);
	hmap_put(m, "keyXYZWV", &values[2]);
	ck_assert_ptr_eq(hmap_getn(m, buf, 3), &values[0]);
	ck_assert_ptr_eq(hmap_getn(m, buf, 2), &values[1]);
	ck_assert_ptr_eq(hmap_getn(m, buf, 8), &values[2]);
	ck_assert_ptr_null(hmap_getn(m, buf, 4));
	ck_assert_ptr_null(hmap_getn(m, buf, 1));
	ck_assert_ptr_null(hmap_getn(m, buf, 0));
	/* An embedded NUL never matches a stored C string. */
	ck_assert_ptr_null(hmap_getn(m, "key\0", 4));
	hmap_destroy(m);
}
END_TEST

#define MANY 100000

static void
many_key(char *buf, size_t sz, size_t i)
{
	snprintf(buf, sz, "ticket-%zu", i);
}

/* Value for key i: an address derived from i, never dereferenced. */
static void *
many_val(size_t i)
{
	return (void *)(uintptr_t)(0x1000 + i * 8);
}

START_TEST(test_many_grow_remove)
{
	struct hmap *m = hmap_create();
	char key[32];
	size_t i;

	for (i = 0; i < MANY; i++) {
		many_key(key, sizeof key, i);
		ck_assert_ptr_null(hmap_put(m, key, many_val(i)));
		ck_assert_uint_eq(hmap_count(m), i + 1);
	}
	for (i = 0; i < MANY; i++) {
		many_key(key, sizeof key, i);
		ck_assert_ptr_eq(hmap_get(m, key), many_val(i));
	}
	/* Remove every third key; the rest must survive the backward shifts. */
	for (i = 0; i < MANY; i += 3) {
		many_key(key, sizeof key, i);
		ck_assert_ptr_eq(hmap_remove(m, key), many_val(i));
	}
	ck_assert_uint_eq(hmap_count(m), MANY - (MANY + 2) / 3);
	for (i = 0; i < MANY; i++) {
		many_key(key, sizeof key, i);
		if (i % 3 == 0)
			ck_assert_ptr_null(hmap_get(m, key));
		else
			ck_assert_ptr_eq(hmap_get(m, key), many_val(i));
	}
	/* Remove the rest, then the map is empty and reusable. */
	for (i = 0; i < MANY; i++) {
		if (i % 3 == 0)
			continue;
		many_key(key, sizeof key, i);
		ck_assert_ptr_eq(hmap_remove(m, key), many_val(i));
	}
	ck_assert_uint_eq(hmap_count(m), 0);
	hmap_put(m, "again", &values[0]);
	ck_assert_ptr_eq(hmap_get(m, "again"), &values[0]);
	hmap_destroy(m);
}
END_TEST

START_TEST(test_iterate_all)
{
	struct hmap *m = hmap_create();
	unsigned char *seen = calloc(MANY, 1);
	size_t i, pos = 0, n = 0, idx;
	const char *k;
	void *v;
	char key[32];

	ck_assert_ptr_nonnull(seen);
	for (i = 0; i < MANY; i++) {
		many_key(key, sizeof key, i);
		hmap_put(m, key, many_val(i));
	}
	while (hmap_next(m, &pos, &k, &v)) {
		ck_assert_int_eq(sscanf(k, "ticket-%zu", &idx), 1);
		ck_assert_uint_lt(idx, MANY);
		ck_assert_ptr_eq(v, many_val(idx));
		ck_assert_int_eq(seen[idx], 0);
		seen[idx] = 1;
		n++;
	}
	ck_assert_uint_eq(n, MANY);
	/* Done stays done. */
	ck_assert(!hmap_next(m, &pos, &k, &v));
	/* NULL out-pointers are allowed. */
	pos = 0;
	n = 0;
	while (hmap_next(m, &pos, NULL, NULL))
		n++;
	ck_assert_uint_eq(n, MANY);
	free(seen);
	hmap_destroy(m);
}
END_TEST

/* Keys that differ in one byte, and churn at a fixed size (exercises wrap-around runs). */
START_TEST(test_churn)
{
	struct hmap *m = hmap_create();
	char key[16];
	size_t i, j;

	for (i = 0; i < 20000; i++) {
		snprintf(key, sizeof key, "%zu", i);
		hmap_put(m, key, many_val(i));
		if (i >= 50) {
			snprintf(key, sizeof key, "%zu", i - 50);
			ck_assert_ptr_eq(hmap_remove(m, key), many_val(i - 50));
		}
		ck_assert_uint_eq(hmap_count(m), i < 50 ? i + 1 : 50);
	}
	for (j = 0; j < 20000; j++) {
		snprintf(key, sizeof key, "%zu", j);
		if (j >= 20000 - 50)
			ck_assert_ptr_eq(hmap_get(m, key), many_val(j));
		else
			ck_assert_ptr_null(hmap_get(m, key));
	}
	hmap_destroy(m);
}
END_TEST

static Suite *
hmap_suite(void)
{
	Suite *s = suite_create("hmap");
	TCase *tc;

	tc = tcase_create("basic");
	tcase_add_test(tc, test_empty);
	tcase_add_test(tc, test_put_get_replace);
	tcase_add_test(tc, test_remove);
	tcase_add_test(tc, test_getn);
	suite_add_tcase(s, tc);

	tc = tcase_create("scale");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_many_grow_remove);
	tcase_add_test(tc, test_iterate_all);
	tcase_add_test(tc, test_churn);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(hmap_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
