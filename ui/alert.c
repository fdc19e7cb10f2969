/* alert.c: the red warnings seen, to tell which are new (see alert.h). */
#include "alert.h"

#include <stdlib.h>
#include <string.h>

#include "kinds.h"
#include "util.h"

void
alert_init(struct alert *al)
{
	memset(al, 0, sizeof *al);
}

void
alert_finish(struct alert *al)
{
	free(al->red);
	memset(al, 0, sizeof *al);
}

static int
cmp_id(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

static bool
was_red(const struct alert *al, int64_t id)
{
	return al->n > 0 && bsearch(&id, al->red, al->n, sizeof *al->red, cmp_id) != NULL;
}

size_t
alert_update(struct alert *al, const struct proto_warning *const *w, size_t n, bool quiet)
{
	int64_t *now = n > 0 ? xcalloc(n, sizeof *now) : NULL;
	size_t i, k = 0, fresh = 0;

	for (i = 0; i < n; i++) {
		if (w[i]->cleared || warn_level_parse(w[i]->level) != WARN_LEVEL_RED)
			continue;
		now[k++] = w[i]->id;
		if (!quiet && !was_red(al, w[i]->id))
			fresh++;
	}
	if (k > 1)
		qsort(now, k, sizeof *now, cmp_id);
	free(al->red);
	al->red = now;
	al->n = al->cap = k;
	return fresh;
}
