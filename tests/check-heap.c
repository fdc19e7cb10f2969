/* check-heap.c: the binary min-heap of src/base/heap.c: order against a sorted copy,
 * duplicate keys, interleaved pushes and pops, and the filter that drops stale entries. */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>

#include "check-main.h"
#include "heap.h"
#include "rng.h"

static int
cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

START_TEST(test_empty)
{
	struct heap h = { 0 };
	struct heap_entry e;

	ck_assert_ptr_null(heap_top(&h));
	ck_assert(!heap_pop(&h, &e));
	heap_free(&h);
}
END_TEST

/* Random keys (many equal) come out in sorted order, each with its own id and gen. */
START_TEST(test_sorted)
{
	enum { N = 5000 };
	struct heap h = { 0 };
	struct heap_entry e;
	struct rng r;
	static int64_t keys[N];

	rng_seed(&r, 7, 0);
	for (int i = 0; i < N; i++) {
		keys[i] = (int64_t)rng_below(&r, 1000) - 500;
		heap_push(&h, keys[i], keys[i] * 3, (uint32_t)i);
	}
	qsort(keys, N, sizeof keys[0], cmp_i64);
	for (int i = 0; i < N; i++) {
		ck_assert_ptr_nonnull(heap_top(&h));
		ck_assert_int_eq(heap_top(&h)->key, keys[i]);
		ck_assert(heap_pop(&h, &e));
		ck_assert_int_eq(e.key, keys[i]);
		ck_assert_int_eq(e.id, keys[i] * 3);
	}
	ck_assert(!heap_pop(&h, &e));
	heap_free(&h);
}
END_TEST

/* Pushes between pops: every pop gives the least of what is in, against a brute force. */
START_TEST(test_interleaved)
{
	enum { N = 3000 };
	struct heap h = { 0 };
	struct heap_entry e;
	struct rng r;
	static int64_t in[N];
	int n = 0;

	rng_seed(&r, 11, 0);
	for (int step = 0; step < 4 * N; step++) {
		if (n < N && (n == 0 || rng_below(&r, 3) != 0)) {
			in[n] = (int64_t)rng_below(&r, 1u << 30);
			heap_push(&h, in[n], 0, 0);
			n++;
			continue;
		}
		if (n == 0)
			break;
		int least = 0;
		for (int i = 1; i < n; i++)
			if (in[i] < in[least])
				least = i;
		ck_assert(heap_pop(&h, &e));
		ck_assert_int_eq(e.key, in[least]);
		in[least] = in[--n];
	}
	ck_assert_uint_eq(h.n, (size_t)n);
	heap_free(&h);
}
END_TEST

static bool
keep_even_gen(const struct heap_entry *e, void *ctx)
{
	(*(int *)ctx)++;
	return e->gen % 2 == 0;
}

/* The filter keeps what it is told, and the rest still comes out in order. */
START_TEST(test_filter)
{
	struct heap h = { 0 };
	struct heap_entry e;
	int asked = 0;
	int64_t last = INT64_MIN;

	for (uint32_t i = 0; i < 1000; i++)
		heap_push(&h, (int64_t)((i * 7919) % 1000), (int64_t)i, i);
	heap_filter(&h, keep_even_gen, &asked);
	ck_assert_int_eq(asked, 1000);
	ck_assert_uint_eq(h.n, 500);
	while (heap_pop(&h, &e)) {
		ck_assert_uint_eq(e.gen % 2, 0);
		ck_assert_int_ge(e.key, last);
		last = e.key;
	}
	heap_free(&h);
}
END_TEST

static Suite *
heap_suite(void)
{
	Suite *s = suite_create("heap");
	TCase *tc = tcase_create("heap");

	tcase_add_test(tc, test_empty);
	tcase_add_test(tc, test_sorted);
	tcase_add_test(tc, test_interleaved);
	tcase_add_test(tc, test_filter);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return check_main(heap_suite());
}
