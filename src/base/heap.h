/* heap.h: a binary min-heap of (key, id, gen) entries: a queue of things due at a time.
 *
 * The broker's monitoring keeps one entry per armed deadline (src/broker/broker-watch.c):
 * key the broker time it is due, id the ticket, gen the ticket's arming generation, so a
 * re-armed ticket's older entries are told apart and dropped when they come out (lazy
 * invalidation: nothing is removed from the middle).
 *
 * Ownership: a struct heap is the caller's (zero-initialised is empty); its array is the
 * heap's, freed by heap_free. Entries are copied in and out. */
#ifndef RD_HEAP_H
#define RD_HEAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct heap_entry {
	int64_t key;        /* smallest first */
	int64_t id;
	uint32_t gen;
};

struct heap {
	struct heap_entry *v;
	size_t n, cap;
};

void heap_push(struct heap *h, int64_t key, int64_t id, uint32_t gen);
/* The smallest entry, or NULL when empty; valid until the next change. */
const struct heap_entry *heap_top(const struct heap *h);
/* Take the smallest entry into *out; false when empty. */
bool heap_pop(struct heap *h, struct heap_entry *out);
/* Keep only the entries keep() says yes to, in O(n). */
void heap_filter(struct heap *h, bool (*keep)(const struct heap_entry *e, void *ctx),
    void *ctx);
void heap_free(struct heap *h);

#endif
