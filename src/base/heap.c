/* heap.c: the binary min-heap of heap.h, in an array (children of i at 2i+1, 2i+2). */
#include "heap.h"

#include <stdlib.h>

#include "util.h"

static void
sift_up(struct heap_entry *v, size_t i)
{
	struct heap_entry e = v[i];

	while (i > 0) {
		size_t p = (i - 1) / 2;
		if (v[p].key <= e.key)
			break;
		v[i] = v[p];
		i = p;
	}
	v[i] = e;
}

static void
sift_down(struct heap_entry *v, size_t n, size_t i)
{
	struct heap_entry e = v[i];

	for (;;) {
		size_t c = 2 * i + 1;
		if (c >= n)
			break;
		if (c + 1 < n && v[c + 1].key < v[c].key)
			c++;
		if (e.key <= v[c].key)
			break;
		v[i] = v[c];
		i = c;
	}
	v[i] = e;
}

void
heap_push(struct heap *h, int64_t key, int64_t id, uint32_t gen)
{
	if (h->n == h->cap) {
		h->cap = h->cap ? h->cap * 2 : 64;
		h->v = xreallocarray(h->v, h->cap, sizeof *h->v);
	}
	h->v[h->n] = (struct heap_entry){ .key = key, .id = id, .gen = gen };
	sift_up(h->v, h->n++);
}

const struct heap_entry *
heap_top(const struct heap *h)
{
	return h->n > 0 ? &h->v[0] : NULL;
}

bool
heap_pop(struct heap *h, struct heap_entry *out)
{
	if (h->n == 0)
		return false;
	*out = h->v[0];
	h->v[0] = h->v[--h->n];
	if (h->n > 0)
		sift_down(h->v, h->n, 0);
	return true;
}

void
heap_filter(struct heap *h, bool (*keep)(const struct heap_entry *e, void *ctx), void *ctx)
{
	size_t n = 0;

	for (size_t i = 0; i < h->n; i++)
		if (keep(&h->v[i], ctx))
			h->v[n++] = h->v[i];
	h->n = n;
	for (size_t i = n / 2; i-- > 0;)
		sift_down(h->v, n, i);
}

void
heap_free(struct heap *h)
{
	free(h->v);
	*h = (struct heap){ 0 };
}
