/* hmap.h: an open-addressing hash map from NUL-terminated string keys to void pointers.
 *
 * Ownership: the map copies keys (and frees its copies); values are borrowed: the map never
 * frees them. Pointers returned by get stay valid until the key is removed or the map is
 * destroyed. Iteration order is unspecified; the map must not change during iteration. */
#ifndef RD_HMAP_H
#define RD_HMAP_H

#include <stdbool.h>
#include <stddef.h>

struct hmap;

struct hmap *hmap_create(void);
void hmap_destroy(struct hmap *m); /* NULL is fine; does not free values */
/* Insert or replace; returns the previous value or NULL. */
void *hmap_put(struct hmap *m, const char *key, void *value);
void *hmap_get(const struct hmap *m, const char *key);
/* Same, with an explicit key length (key need not be NUL-terminated). */
void *hmap_getn(const struct hmap *m, const char *key, size_t len);
/* Remove; returns the value that was stored or NULL. */
void *hmap_remove(struct hmap *m, const char *key);
size_t hmap_count(const struct hmap *m);

/* Iterate: start with *pos = 0; returns false when done. */
bool hmap_next(const struct hmap *m, size_t *pos, const char **key, void **value);

#endif
