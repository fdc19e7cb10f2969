/* bench-vnum.c: the virtual-number allocator (src/model/vnum.c) against a brute-force scan
 * of the same rules, in the same run.
 *
 * Usage: bench-vnum [numbers [ops]]   (defaults 100000, 20000)
 *
 * A pool of `numbers` with half of them bound, then `ops` rounds of: the oldest open
 * rescue closes (its number released), a new one opens (bound), time moving on so that some
 * released numbers still rest (about a quarter of the pool) and some are free. The scan keeps the same state in arrays
 * and picks, at each bind, the number the rules choose (never bound first, in order, then
 * the oldest release past its grace) by looking at every number. Both must choose the same
 * number every time (exit 1 otherwise); prints the ns per bind + release of each and the
 * speed-up. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util.h"
#include "vnum.h"

#define GRACE_MS 1800000

static double
mono_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

struct scan {
	long n;
	int64_t *holder, *released;
	bool *used;
};

static long
scan_bind(struct scan *s, int64_t rescue, int64_t now)
{
	long best = -1;
	for (long i = 0; i < s->n; i++) {
		if (s->holder[i] != 0 || (s->used[i] && s->released[i] + GRACE_MS > now))
			continue;
		if (best < 0 || (!s->used[i] && s->used[best]) ||
		    (s->used[i] && s->used[best] && s->released[i] < s->released[best]))
			best = i;
	}
	if (best >= 0) {
		s->holder[best] = rescue;
		s->used[best] = true;
	}
	return best;
}

int
main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 100000, ops = argc > 2 ? atol(argv[2]) : 20000;
	char first[VNUM_MAX], last[VNUM_MAX], num[VNUM_MAX];

	if (n < 2 || n > VNUM_RANGE_MAX || ops < 1) {
		fprintf(stderr, "usage: bench-vnum [numbers (2..%d) [ops]]\n", VNUM_RANGE_MAX);
		return 2;
	}
	struct vnum_pool *p = vnum_pool_create(GRACE_MS);
	snprintf(first, sizeof first, "+86171%08ld", 0L);
	snprintf(last, sizeof last, "+86171%08ld", n - 1);
	if (vnum_pool_add_range(p, "r", first, last) != n) {
		fprintf(stderr, "bench-vnum: the range did not load\n");
		return 1;
	}
	struct scan s = { .n = n, .holder = xcalloc((size_t)n, sizeof *s.holder),
		.released = xcalloc((size_t)n, sizeof *s.released),
		.used = xcalloc((size_t)n, sizeof *s.used) };
	long open = n / 2, cap = open + ops + 1;
	long *fifo = xcalloc((size_t)cap, sizeof *fifo); /* rescue r's number index */
	long head = 0, tail = 0, disagree = 0;
	int64_t now = 1773100800000LL, rescue = 0;
	double t_pool = 0, t_scan = 0, t0;

	for (long i = 0; i < open; i++) {
		rescue++;
		const char *a = vnum_bind(p, "r", rescue, now);
		long b = scan_bind(&s, rescue, now);
		if (a == NULL || atol(a + 6) != b)
			disagree++;
		if (b >= 0)
			fifo[tail++] = b;
	}
	/* an open rescue lasts `open` rounds; a round every GRACE / (n / 4) of broker time
	 * keeps about a quarter of the numbers resting */
	int64_t step = GRACE_MS / (n / 4 > 0 ? n / 4 : 1);
	for (long k = 0; k < ops && head < tail; k++) {
		now += step;
		long i = fifo[head++];
		int64_t r = s.holder[i];
		snprintf(num, sizeof num, "+86171%08ld", i);
		t0 = mono_ns();
		vnum_release(p, num, r, now);
		const char *a = vnum_bind(p, "r", ++rescue, now);
		t_pool += mono_ns() - t0;
		t0 = mono_ns();
		s.holder[i] = 0;
		s.released[i] = now;
		long b = scan_bind(&s, rescue, now);
		t_scan += mono_ns() - t0;
		if ((a == NULL) != (b < 0) || (a != NULL && atol(a + 6) != b))
			disagree++;
		if (b >= 0)
			fifo[tail++] = b;
	}
	struct vnum_counts c = vnum_count(p, "r", now);
	printf("vnum: %ld numbers, %zu bound, %zu resting, %zu free; %ld rounds of release + "
	    "bind\n", n, c.bound, c.resting, c.free, ops);
	printf("pool %.0f ns a round, scan %.0f ns a round, %.0fx\n", t_pool / (double)ops,
	    t_scan / (double)ops, t_scan / (t_pool > 0 ? t_pool : 1));
	if (disagree > 0)
		printf("FAIL: %ld binds differ from the scan\n", disagree);
	vnum_pool_free(p);
	free(s.holder);
	free(s.released);
	free(s.used);
	free(fifo);
	return disagree > 0 ? 1 : 0;
}
