/* hmap.c: open-addressing string -> pointer map.
 *
 * Linear probing over a power-of-two table, 64-bit FNV-1a hashes (kept in each slot so
 * most mismatches are rejected without touching the key), backward-shift deletion (so there
 * are no tombstones and a lookup stops at the first empty slot), and doubling when the load
 * would pass 70%. */
#include "hmap.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

#define HMAP_MIN_CAP 16

struct slot {
	char *key; /* NULL: empty */
	size_t len;
	uint64_t hash;
	void *value;
};

struct hmap {
	struct slot *slots;
	size_t cap; /* power of two */
	size_t count;
};

static uint64_t
fnv1a(const char *key, size_t len)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= (unsigned char)key[i];
		h *= 0x100000001b3ULL;
	}
	/* FNV's low bits are weak for short keys; fold the high half in before masking. */
	return h ^ (h >> 32);
}

/* Slot holding key, or the empty slot where it would go. */
static size_t
find(const struct hmap *m, const char *key, size_t len, uint64_t hash)
{
	size_t mask = m->cap - 1;
	size_t i = (size_t)hash & mask;
	const struct slot *s;

	for (;;) {
		s = &m->slots[i];
		if (s->key == NULL)
			return i;
		if (s->hash == hash && s->len == len && memcmp(s->key, key, len) == 0)
			return i;
		i = (i + 1) & mask;
	}
}

static void
grow(struct hmap *m)
{
	struct slot *old = m->slots;
	size_t oldcap = m->cap, i, j, mask;

	m->cap = oldcap * 2;
	m->slots = xcalloc(m->cap, sizeof *m->slots);
	mask = m->cap - 1;
	for (i = 0; i < oldcap; i++) {
		if (old[i].key == NULL)
			continue;
		j = (size_t)old[i].hash & mask;
		while (m->slots[j].key != NULL)
			j = (j + 1) & mask;
		m->slots[j] = old[i];
	}
	free(old);
}

struct hmap *
hmap_create(void)
{
	struct hmap *m = xcalloc(1, sizeof *m);

	m->cap = HMAP_MIN_CAP;
	m->slots = xcalloc(m->cap, sizeof *m->slots);
	return m;
}

void
hmap_destroy(struct hmap *m)
{
	size_t i;

	if (m == NULL)
		return;
	for (i = 0; i < m->cap; i++)
		free(m->slots[i].key);
	free(m->slots);
	free(m);
}

void *
hmap_put(struct hmap *m, const char *key, void *value)
{
	size_t len = strlen(key), i;
	uint64_t hash = fnv1a(key, len);
	struct slot *s;
	void *old;

	i = find(m, key, len, hash);
	s = &m->slots[i];
	if (s->key != NULL) {
		old = s->value;
		s->value = value;
		return old;
	}
	/* Keep load <= 70% after this insert: count+1 <= 0.7 cap. */
	if ((m->count + 1) * 10 > m->cap * 7) {
		grow(m);
		i = find(m, key, len, hash);
		s = &m->slots[i];
	}
	s->key = xstrndup(key, len);
	s->len = len;
	s->hash = hash;
	s->value = value;
	m->count++;
	return NULL;
}

void *
hmap_getn(const struct hmap *m, const char *key, size_t len)
{
	const struct slot *s = &m->slots[find(m, key, len, fnv1a(key, len))];

	return s->key != NULL ? s->value : NULL;
}

void *
hmap_get(const struct hmap *m, const char *key)
{
	return hmap_getn(m, key, strlen(key));
}

void *
hmap_remove(struct hmap *m, const char *key)
{
	size_t len = strlen(key), mask = m->cap - 1, i, j, home;
	void *value;

	i = find(m, key, len, fnv1a(key, len));
	if (m->slots[i].key == NULL)
		return NULL;
	value = m->slots[i].value;
	free(m->slots[i].key);
	m->count--;

	/*
	 * Backward shift: pull later members of the probe run into the hole when the hole lies
	 * cyclically between their home slot and where they sit now, so no lookup ever walks
	 * past an empty slot that used to be occupied.
	 */
	j = i;
	for (;;) {
		j = (j + 1) & mask;
		if (m->slots[j].key == NULL)
			break;
		home = (size_t)m->slots[j].hash & mask;
		if (((j - home) & mask) >= ((j - i) & mask)) {
			m->slots[i] = m->slots[j];
			i = j;
		}
	}
	memset(&m->slots[i], 0, sizeof m->slots[i]);
	return value;
}

size_t
hmap_count(const struct hmap *m)
{
	return m->count;
}

bool
hmap_next(const struct hmap *m, size_t *pos, const char **key, void **value)
{
	size_t i;

	for (i = *pos; i < m->cap; i++) {
		if (m->slots[i].key == NULL)
			continue;
		if (key != NULL)
			*key = m->slots[i].key;
		if (value != NULL)
			*value = m->slots[i].value;
		*pos = i + 1;
		return true;
	}
	*pos = m->cap;
	return false;
}
