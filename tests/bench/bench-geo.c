/* bench-geo.c: geo_index_nearest against a brute-force scan on a city-sized fleet.
 *
 * Usage: bench-geo [queries [cell_deg [trucks]]]   (defaults 100000, 0.02, 10000)
 *
 * Builds a fleet of random trucks around Changsha (a dense core plus a uniform spread out
 * to ~60 km), runs k=5 nearest queries through the index and the same queries by a linear
 * scan computing geo_distance_m for every truck, checks that both agree, and prints the
 * index's per-query p50/p99, the brute-force mean and the speed-up. Exits 1 on any
 * disagreement. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "geo.h"
#include "rng.h"
#include "util.h"

#define K 5

/* Mask bits as the broker might use them: available, then one bit per truck kind. */
#define BIT_AVAILABLE (1u << 0)
#define BIT_KIND(k) (1u << (1 + (k)))

static struct rng rnd; /* seeded in main */

struct truck {
	uint32_t id;
	struct geo_point p;
	uint32_t mask;
};

/* A point around the city centre: 60% in a dense core (Gaussian, sigma 8 km), the rest
 * uniform over a 60 km disc. */
static struct geo_point
city_point(void)
{
	static const struct geo_point centre = { 28.2282, 112.9388 };
	double r, th;

	if (rng_uniform(&rnd) < 0.6) {
		/* Box-Muller radius for a 2-D Gaussian. */
		r = 8000.0 * sqrt(-2.0 * log(1.0 - rng_uniform(&rnd)));
	} else {
		r = 60000.0 * sqrt(rng_uniform(&rnd));
	}
	th = 360.0 * rng_uniform(&rnd);
	return geo_destination(centre, th, r);
}

static size_t
brute(const struct truck *t, size_t n, struct geo_point p, uint32_t want, struct geo_hit *out)
{
	size_t i, j, found = 0;
	double d;

	for (i = 0; i < n; i++) {
		if ((t[i].mask & want) != want)
			continue;
		d = geo_distance_m(p, t[i].p);
		if (found == K && d >= out[K - 1].dist_m)
			continue;
		j = found < K ? found++ : K - 1;
		while (j > 0 && out[j - 1].dist_m > d) {
			out[j] = out[j - 1];
			j--;
		}
		out[j].id = t[i].id;
		out[j].dist_m = d;
	}
	return found;
}

static int
cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

int
main(int argc, char **argv)
{
	size_t nq = argc > 1 ? strtoul(argv[1], NULL, 10) : 100000;
	double cell = argc > 2 ? strtod(argv[2], NULL) : 0.02;
	size_t nt = argc > 3 ? strtoul(argv[3], NULL, 10) : 10000;
	struct geo_index *gi = geo_index_create(cell);
	struct truck *trucks;
	struct geo_point *qp;
	uint32_t *qwant;
	size_t *icount;
	struct geo_hit *ihits, bhits[K];
	int64_t *lat_ns, t0, t1, idx_total = 0, brute_total;
	size_t i, j, nb, bad = 0, found_total = 0;
	double p50, p99, idx_mean, brute_mean;

	rng_seed(&rnd, 0x7e57c0deULL, 0);
	if (nq == 0 || nt == 0) {
		fprintf(stderr, "usage: %s [queries [cell_deg [trucks]]]\n", argv[0]);
		return 2;
	}
	trucks = xcalloc(nt, sizeof *trucks);
	qp = xcalloc(nq, sizeof *qp);
	qwant = xcalloc(nq, sizeof *qwant);
	icount = xcalloc(nq, sizeof *icount);
	ihits = xcalloc(nq * K, sizeof *ihits);
	lat_ns = xcalloc(nq, sizeof *lat_ns);

	for (i = 0; i < nt; i++) {
		trucks[i].id = (uint32_t)(i * 7919u + 13u); /* sparse ids */
		trucks[i].p = city_point();
		/* 70% available; kinds van 50%, wheel lift 20%, flatbed 25%, heavy 5%. */
		{
			double u = rng_uniform(&rnd);
			int kind = u < 0.5 ? 0 : u < 0.7 ? 1 : u < 0.95 ? 2 : 3;
			trucks[i].mask = BIT_KIND(kind) | (rng_uniform(&rnd) < 0.7 ? BIT_AVAILABLE : 0);
		}
		geo_index_put(gi, trucks[i].id, trucks[i].p, trucks[i].mask);
	}
	/* Query mix: 50% "any available", 30% "available van", 20% "available flatbed". */
	for (i = 0; i < nq; i++) {
		double u = rng_uniform(&rnd);
		qp[i] = city_point();
		qwant[i] = BIT_AVAILABLE | (u < 0.5 ? 0 : u < 0.8 ? BIT_KIND(0) : BIT_KIND(2));
	}

	/* Warm up caches and branch predictors. */
	for (i = 0; i < nq && i < 1000; i++)
		geo_index_nearest(gi, qp[i], qwant[i], K, 0, &ihits[i * K]);

	for (i = 0; i < nq; i++) {
		t0 = rd_mono_ns();
		icount[i] = geo_index_nearest(gi, qp[i], qwant[i], K, 0, &ihits[i * K]);
		t1 = rd_mono_ns();
		lat_ns[i] = t1 - t0;
		idx_total += t1 - t0;
	}

	t0 = rd_mono_ns();
	for (i = 0; i < nq; i++) {
		nb = brute(trucks, nt, qp[i], qwant[i], bhits);
		found_total += nb;
		if (nb != icount[i]) {
			bad++;
			continue;
		}
		for (j = 0; j < nb; j++) {
			if (fabs(bhits[j].dist_m - ihits[i * K + j].dist_m) > 1e-3) {
				bad++;
				break;
			}
		}
	}
	t1 = rd_mono_ns();
	brute_total = t1 - t0;

	qsort(lat_ns, nq, sizeof *lat_ns, cmp_i64);
	p50 = lat_ns[nq / 2] / 1e3;
	p99 = lat_ns[(size_t)((double)nq * 0.99)] / 1e3;
	idx_mean = (double)idx_total / (double)nq / 1e3;
	brute_mean = (double)brute_total / (double)nq / 1e3;

	printf("trucks %zu, queries %zu, k %d, cell %.4f deg, hits/query %.2f\n", nt, nq, K,
	    cell, (double)found_total / (double)nq);
	printf("index:  p50 %.2f us  p99 %.2f us  max %.2f us  mean %.2f us\n", p50, p99,
	    lat_ns[nq - 1] / 1e3, idx_mean);
	printf("brute:  mean %.2f us\n", brute_mean);
	printf("speed-up (brute mean / index mean): %.0fx\n", brute_mean / idx_mean);
	printf("agreement: %s (%zu mismatches)\n", bad == 0 ? "ok" : "FAILED", bad);

	free(trucks);
	free(qp);
	free(qwant);
	free(icount);
	free(ihits);
	free(lat_ns);
	geo_index_destroy(gi);
	return bad == 0 ? 0 : 1;
}
