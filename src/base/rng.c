/* rng.c: xoshiro256** seeded through splitmix64 (see rng.h). The algorithms are those of
 * Blackman and Vigna (https://prng.di.unimi.it/); the draws built on them (range, below,
 * exponential, normal, weighted pick) are part of what seeded runs reproduce: changing one
 * changes every simulated run. */
#include "rng.h"

#include <math.h>

uint64_t
rng_splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

void
rng_seed(struct rng *r, uint64_t seed, uint64_t stream)
{
	uint64_t x = stream ^ 0x6a09e667f3bcc909ULL;
	uint64_t x2 = rng_splitmix64(&x);

	x = seed ^ x2;
	for (int i = 0; i < 4; i++)
		r->s[i] = rng_splitmix64(&x);
	if ((r->s[0] | r->s[1] | r->s[2] | r->s[3]) == 0)
		r->s[0] = 1;
}

static uint64_t
rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

uint64_t
rng_next(struct rng *r)
{
	uint64_t *s = r->s;
	uint64_t out = rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return out;
}

double
rng_uniform(struct rng *r)
{
	return (double)(rng_next(r) >> 11) * 0x1.0p-53;
}

double
rng_range(struct rng *r, double lo, double hi)
{
	return lo + (hi - lo) * rng_uniform(r);
}

uint32_t
rng_below(struct rng *r, uint32_t n)
{
	return (uint32_t)(((rng_next(r) >> 32) * (uint64_t)n) >> 32);
}

double
rng_exp(struct rng *r, double mean)
{
	return -mean * log(1.0 - rng_uniform(r));
}

double
rng_normal(struct rng *r)
{
	double u1 = 1.0 - rng_uniform(r); /* (0, 1] */
	double u2 = rng_uniform(r);

	return sqrt(-2.0 * log(u1)) * cos(2.0 * M_PI * u2);
}

size_t
rng_pick(struct rng *r, const double *weight, size_t n)
{
	double sum = 0, x;
	size_t i;

	for (i = 0; i < n; i++)
		sum += weight[i] > 0 ? weight[i] : 0;
	if (sum <= 0)
		return 0;
	x = rng_uniform(r) * sum;
	for (i = 0; i < n; i++) {
		double wi = weight[i] > 0 ? weight[i] : 0;
		if (x < wi)
			return i;
		x -= wi;
	}
	/* rounding: the last index with a positive weight */
	for (i = n; i-- > 0;)
		if (weight[i] > 0)
			return i;
	return 0;
}

uint64_t
rng_hash(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 0x100000001b3ULL;
	}
	return h;
}
