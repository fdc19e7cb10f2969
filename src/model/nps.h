/* nps.h: Net Promoter Score over survey answers (0-10 "would you recommend"), defined once
 * for the broker, the console and the tests. Pure: no I/O, no time.
 *
 * Classes: promoters answer 9-10, passives 7-8, detractors 0-6. With n answers,
 * NPS = 100 x (promoters - detractors) / n, from -100 to 100. Its 95% confidence interval
 * is the normal approximation for the difference of two multinomial proportions:
 * var = (p+ + p- - (p+ - p-)^2) / n, interval NPS +- 1.96 x 100 x sqrt(var), clipped to
 * [-100, 100]. Below NPS_SMALL_N answers that approximation is not trusted (at n = 1 it
 * gives a width of 0): the interval is still computed, but `small` is set and the console
 * shows "n too small" in its place. The satisfaction share is the share answering 7-10
 * (promoters and passives): the kind of figure the seed's "97.8%" is.
 *
 * Figures on screen are rounded half away from zero: NPS and its bounds to whole points,
 * the satisfaction share to one decimal (nps_round, nps_round1). */
#ifndef RD_NPS_H
#define RD_NPS_H

#include <stdbool.h>
#include <stdint.h>

#define NPS_SCORE_MIN 0
#define NPS_SCORE_MAX 10
#define NPS_PROMOTER_MIN 9   /* 9-10 */
#define NPS_PASSIVE_MIN 7    /* 7-8; 0-6 detractors */
#define NPS_SMALL_N 30       /* fewer answers: the interval is "n too small" */

enum nps_class {
	NPS_DETRACTOR,
	NPS_PASSIVE,
	NPS_PROMOTER,
};

/* Counts of answers by class. */
struct nps_counts {
	int64_t promoters, passives, detractors;
};

struct nps {
	int64_t n;          /* answers counted */
	bool valid;         /* n > 0: the figures below mean something */
	double score;       /* NPS, -100..100 */
	double lo, hi;      /* its 95% interval, within [-100, 100] */
	bool small;         /* n < NPS_SMALL_N: the interval is not to be trusted */
	double satisfied;   /* share answering 7-10, 0..100 */
};

/* The class of a score 0..10; -1 outside. */
int nps_class_of(int score);
/* Count one answer (a score outside 0..10 is ignored: false). */
bool nps_add(struct nps_counts *c, int score);
/* The figures of c into out (all zero and !valid when c is empty). */
void nps_compute(const struct nps_counts *c, struct nps *out);
/* x rounded half away from zero to an integer, and to one decimal. */
long nps_round(double x);
double nps_round1(double x);

#endif
