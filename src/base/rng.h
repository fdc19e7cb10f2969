/* rng.h: the project's one pseudo-random generator: xoshiro256** seeded through splitmix64.
 *
 * Deterministic and pure: no global state, no clock. A generator is a small struct the
 * caller owns; (seed, stream) pairs give independent sequences, so a model can give each
 * thing it plays (a caller, a truck's answers to an offer) a stream of its own and get the
 * same draws whatever else happened meanwhile. Not for secrets. */
#ifndef RD_RNG_H
#define RD_RNG_H

#include <stddef.h>
#include <stdint.h>

struct rng {
	uint64_t s[4];
};

/* One step of splitmix64 on the state *x: 64 well-mixed bits, for seeding and for turning
 * a weak value (clocks, a pid) into a usable one. */
uint64_t rng_splitmix64(uint64_t *x);
/* Seed a generator: (seed, stream) pairs give independent sequences. */
void rng_seed(struct rng *r, uint64_t seed, uint64_t stream);
/* The next 64 random bits. */
uint64_t rng_next(struct rng *r);
/* Uniform in [0, 1). */
double rng_uniform(struct rng *r);
/* Uniform in [lo, hi). */
double rng_range(struct rng *r, double lo, double hi);
/* Uniform integer in [0, n); n > 0. */
uint32_t rng_below(struct rng *r, uint32_t n);
/* Exponential with this mean. */
double rng_exp(struct rng *r, double mean);
/* Standard normal. */
double rng_normal(struct rng *r);
/* An index drawn with probability weight[i] / sum(weight); n > 0, weights >= 0. When all
 * weights are zero, index 0. */
size_t rng_pick(struct rng *r, const double *weight, size_t n);
/* FNV-1a of a string, to derive stream numbers from names. */
uint64_t rng_hash(const char *s);

#endif
