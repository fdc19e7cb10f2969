/* nps.c: Net Promoter Score, its interval and the satisfaction share (see nps.h). */
#include <math.h>

#include "nps.h"

int
nps_class_of(int score)
{
	if (score < NPS_SCORE_MIN || score > NPS_SCORE_MAX)
		return -1;
	if (score >= NPS_PROMOTER_MIN)
		return NPS_PROMOTER;
	return score >= NPS_PASSIVE_MIN ? NPS_PASSIVE : NPS_DETRACTOR;
}

bool
nps_add(struct nps_counts *c, int score)
{
	switch (nps_class_of(score)) {
	case NPS_PROMOTER:
		c->promoters++;
		return true;
	case NPS_PASSIVE:
		c->passives++;
		return true;
	case NPS_DETRACTOR:
		c->detractors++;
		return true;
	default:
		return false;
	}
}

static double
clip(double x)
{
	return x < -100 ? -100 : x > 100 ? 100 : x;
}

void
nps_compute(const struct nps_counts *c, struct nps *out)
{
	int64_t n = c->promoters + c->passives + c->detractors;

	*out = (struct nps){ .n = n };
	if (n <= 0)
		return;
	double pp = (double)c->promoters / (double)n;
	double pd = (double)c->detractors / (double)n;
	double var = (pp + pd - (pp - pd) * (pp - pd)) / (double)n;
	double half = 1.96 * 100 * sqrt(var > 0 ? var : 0);

	out->valid = true;
	out->score = 100 * (pp - pd);
	out->lo = clip(out->score - half);
	out->hi = clip(out->score + half);
	out->small = n < NPS_SMALL_N;
	out->satisfied = 100 * (double)(c->promoters + c->passives) / (double)n;
}

long
nps_round(double x)
{
	return (long)(x < 0 ? -floor(-x + 0.5) : floor(x + 0.5));
}

double
nps_round1(double x)
{
	return (double)nps_round(x * 10) / 10;
}
