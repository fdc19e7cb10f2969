/* vnum.c: the pools of virtual numbers and their bindings to rescues (see vnum.h). Each
 * region keeps its numbers that are not bound in a binary heap ordered by (ever bound,
 * release time, order in the file): the top is the number to give next, and it is free
 * exactly when the top is (every number below it was released later and rests longer),
 * so binding and releasing cost O(log n) and nothing is scanned. */
#include "vnum.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data.h"
#include "hmap.h"
#include "util.h"

struct vslot {
	char number[VNUM_MAX];
	struct vregion *r;
	size_t seq;              /* order in the file */
	int64_t rescue;          /* bound to; 0: not bound (then in the heap) */
	bool used;               /* bound once at least */
	int64_t released;        /* the latest release (used) */
	size_t pos;              /* index in r->heap while not bound */
};

struct vregion {
	char *id;
	struct vslot **heap;
	size_t n_heap, cap_heap;
	struct vslot **all;      /* every number, in the file's order */
	size_t n_all, cap_all;
};

struct vnum_pool {
	int64_t grace_ms;
	struct hmap *by_number;  /* number -> struct vslot */
	struct hmap *by_region;  /* id -> struct vregion */
	struct vregion **regions;
	size_t n_regions;
};

/* ---- the heap ---- */

static bool
before(const struct vslot *a, const struct vslot *b)
{
	if (a->used != b->used)
		return !a->used;
	if (a->used && a->released != b->released)
		return a->released < b->released;
	return a->seq < b->seq;
}

static void
heap_set(struct vregion *r, size_t i, struct vslot *s)
{
	r->heap[i] = s;
	s->pos = i;
}

static void
sift_up(struct vregion *r, size_t i)
{
	struct vslot *s = r->heap[i];
	while (i > 0 && before(s, r->heap[(i - 1) / 2])) {
		heap_set(r, i, r->heap[(i - 1) / 2]);
		i = (i - 1) / 2;
	}
	heap_set(r, i, s);
}

static void
sift_down(struct vregion *r, size_t i)
{
	struct vslot *s = r->heap[i];
	for (;;) {
		size_t c = 2 * i + 1;
		if (c >= r->n_heap)
			break;
		if (c + 1 < r->n_heap && before(r->heap[c + 1], r->heap[c]))
			c++;
		if (!before(r->heap[c], s))
			break;
		heap_set(r, i, r->heap[c]);
		i = c;
	}
	heap_set(r, i, s);
}

static void
heap_push(struct vregion *r, struct vslot *s)
{
	if (r->n_heap == r->cap_heap) {
		r->cap_heap = r->cap_heap ? 2 * r->cap_heap : 16;
		r->heap = xreallocarray(r->heap, r->cap_heap, sizeof *r->heap);
	}
	heap_set(r, r->n_heap++, s);
	sift_up(r, s->pos);
}

static void
heap_remove(struct vregion *r, struct vslot *s)
{
	size_t i = s->pos;
	struct vslot *last = r->heap[--r->n_heap];
	if (last == s)
		return;
	heap_set(r, i, last);
	sift_down(r, i);
	sift_up(r, last->pos);
}

/* ---- the pool ---- */

struct vnum_pool *
vnum_pool_create(int64_t grace_ms)
{
	struct vnum_pool *p = xcalloc(1, sizeof *p);
	p->grace_ms = grace_ms < 0 ? 0 : grace_ms;
	p->by_number = hmap_create();
	p->by_region = hmap_create();
	return p;
}

void
vnum_pool_free(struct vnum_pool *p)
{
	if (p == NULL)
		return;
	for (size_t i = 0; i < p->n_regions; i++) {
		struct vregion *r = p->regions[i];
		for (size_t j = 0; j < r->n_all; j++)
			free(r->all[j]);
		free(r->all);
		free(r->heap);
		free(r->id);
		free(r);
	}
	free(p->regions);
	hmap_destroy(p->by_number);
	hmap_destroy(p->by_region);
	free(p);
}

int64_t
vnum_pool_grace_ms(const struct vnum_pool *p)
{
	return p->grace_ms;
}

bool
vnum_valid(const char *s)
{
	if (s == NULL || strncmp(s, "+86", 3) != 0)
		return false;
	for (int i = 3; i < 14; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return s[14] == '\0';
}

static struct vregion *
region_get(struct vnum_pool *p, const char *id)
{
	struct vregion *r = hmap_get(p->by_region, id);
	if (r != NULL)
		return r;
	r = xcalloc(1, sizeof *r);
	r->id = xstrdup(id);
	hmap_put(p->by_region, id, r);
	p->regions = xreallocarray(p->regions, p->n_regions + 1, sizeof *p->regions);
	p->regions[p->n_regions++] = r;
	return r;
}

int
vnum_pool_add(struct vnum_pool *p, const char *region, const char *number)
{
	if (!vnum_valid(number) || hmap_get(p->by_number, number) != NULL ||
	    hmap_count(p->by_number) >= VNUM_POOL_MAX)
		return -1;
	struct vregion *r = region_get(p, region);
	struct vslot *s = xcalloc(1, sizeof *s);
	memcpy(s->number, number, strlen(number) + 1);
	s->r = r;
	s->seq = r->n_all;
	if (r->n_all == r->cap_all) {	/* doubling: a range of 100,000 adds in linear time */
		r->cap_all = r->cap_all ? 2 * r->cap_all : 16;
		r->all = xreallocarray(r->all, r->cap_all, sizeof *r->all);
	}
	r->all[r->n_all++] = s;
	hmap_put(p->by_number, s->number, s);
	heap_push(r, s);
	return 0;
}

long
vnum_pool_add_range(struct vnum_pool *p, const char *region, const char *first,
    const char *last)
{
	char num[VNUM_MAX];
	if (!vnum_valid(first) || !vnum_valid(last))
		return -1;
	long long a = atoll(first + 3), b = atoll(last + 3);
	if (b < a || b - a >= VNUM_RANGE_MAX ||
	    hmap_count(p->by_number) + (size_t)(b - a + 1) > VNUM_POOL_MAX)
		return -1;
	for (long long n = a; n <= b; n++) {
		snprintf(num, sizeof num, "+86%011lld", n);
		if (hmap_get(p->by_number, num) != NULL)
			return -1;
	}
	for (long long n = a; n <= b; n++) {
		snprintf(num, sizeof num, "+86%011lld", n);
		vnum_pool_add(p, region, num);
	}
	return (long)(b - a + 1);
}

/* Whether s (not bound) is free at now. */
static bool
free_at(const struct vnum_pool *p, const struct vslot *s, int64_t now)
{
	return !s->used || s->released + p->grace_ms <= now;
}

const char *
vnum_bind(struct vnum_pool *p, const char *region, int64_t rescue, int64_t now)
{
	struct vregion *r = hmap_get(p->by_region, region);
	if (r == NULL || r->n_heap == 0 || rescue <= 0 || !free_at(p, r->heap[0], now))
		return NULL;
	struct vslot *s = r->heap[0];
	heap_remove(r, s);
	s->rescue = rescue;
	s->used = true;
	return s->number;
}

int
vnum_release(struct vnum_pool *p, const char *number, int64_t rescue, int64_t now)
{
	struct vslot *s = hmap_get(p->by_number, number);
	if (s == NULL || rescue <= 0 || s->rescue != rescue)
		return -1;
	s->rescue = 0;
	s->released = now;
	heap_push(s->r, s);
	return 0;
}

int
vnum_restore_bound(struct vnum_pool *p, const char *number, int64_t rescue)
{
	struct vslot *s = hmap_get(p->by_number, number);
	if (s == NULL || rescue <= 0 || (s->rescue != 0 && s->rescue != rescue))
		return -1;
	if (s->rescue == 0) {
		heap_remove(s->r, s);
		s->rescue = rescue;
		s->used = true;
	}
	return 0;
}

int
vnum_restore_released(struct vnum_pool *p, const char *number, int64_t at)
{
	struct vslot *s = hmap_get(p->by_number, number);
	if (s == NULL)
		return -1;
	if (s->used && s->released >= at)
		return 0;
	s->used = true;
	s->released = at;
	if (s->rescue == 0) {
		sift_down(s->r, s->pos); /* later than it was: it moves down, never up */
		sift_up(s->r, s->pos);
	}
	return 0;
}

int64_t
vnum_rescue(const struct vnum_pool *p, const char *number)
{
	const struct vslot *s = hmap_get(p->by_number, number);
	return s == NULL ? -1 : s->rescue;
}

struct vnum_counts
vnum_count(const struct vnum_pool *p, const char *region, int64_t now)
{
	struct vnum_counts c = { .next_free = INT64_MAX };
	const struct vregion *r = hmap_get(p->by_region, region);
	if (r == NULL)
		return c;
	c.total = r->n_all;
	c.bound = r->n_all - r->n_heap;
	for (size_t i = 0; i < r->n_heap; i++) {
		if (free_at(p, r->heap[i], now))
			c.free++;
		else
			c.resting++;
	}
	if (r->n_heap > 0)
		c.next_free = free_at(p, r->heap[0], now) ? now :
		    r->heap[0]->released + p->grace_ms;
	return c;
}

/* ---- numbers.ini ---- */

struct loader {
	const char *path;
	struct vnum_pool *pool;
	bool (*region_known)(void *user, const char *id);
	void *user;
	char *errs;              /* "PATH:LINE: reason\n" lines */
	size_t n_errs;
	/* the section being read */
	enum { SEC_NONE, SEC_POOL, SEC_NUMBERS, SEC_BAD } sec;
	int sec_line;
	unsigned seen;           /* bits of the keys below seen in it */
	char region[64], first[VNUM_MAX], last[VNUM_MAX];
	int64_t grace_s;
	bool pool_seen;
};

enum { K_GRACE = 1, K_REGION = 2, K_FIRST = 4, K_LAST = 8 };

static void RD_PRINTF(3, 4)
add_error(struct loader *L, int line, const char *fmt, ...)
{
	char msg[256], *all;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	xasprintf(&all, "%s%s:%d: %s\n", L->errs ? L->errs : "", L->path, line, msg);
	free(L->errs);
	L->errs = all;
	L->n_errs++;
}

/* The [numbers] section just read: its numbers into the pool. */
static void
end_section(struct loader *L)
{
	if (L->sec != SEC_NUMBERS)
		return;
	if (!(L->seen & K_REGION) || !(L->seen & K_FIRST)) {
		add_error(L, L->sec_line, "[numbers] needs region and first");
		return;
	}
	if (L->region_known != NULL && !L->region_known(L->user, L->region)) {
		add_error(L, L->sec_line, "no region '%s' in the data", L->region);
		return;
	}
	const char *last = (L->seen & K_LAST) ? L->last : L->first;
	if (vnum_pool_add_range(L->pool, L->region, L->first, last) < 0)
		add_error(L, L->sec_line, "numbers %s to %s: a reversed range, more than %d "
		    "numbers, more than %d in all the pools, or a number already in a pool",
		    L->first, last, VNUM_RANGE_MAX, VNUM_POOL_MAX);
}

static void
on_section(void *user, int line, const char *name)
{
	struct loader *L = user;
	end_section(L);
	L->sec_line = line;
	L->seen = 0;
	if (strcmp(name, "pool") == 0) {
		L->sec = SEC_POOL;
		if (L->pool_seen)
			add_error(L, line, "[pool] repeated");
		L->pool_seen = true;
	} else if (strcmp(name, "numbers") == 0) {
		L->sec = SEC_NUMBERS;
	} else {
		L->sec = SEC_BAD;
		add_error(L, line, "unknown section [%s]", name);
	}
}

static void
set_once(struct loader *L, int line, unsigned bit, const char *key)
{
	if (L->seen & bit)
		add_error(L, line, "%s repeated", key);
	L->seen |= bit;
}

static void
on_key(void *user, int line, const char *section, const char *key, const char *value)
{
	struct loader *L = user;
	char *end;

	if (section == NULL) {
		add_error(L, line, "%s before the first section", key);
		return;
	}
	if (L->sec == SEC_POOL && strcmp(key, "grace_s") == 0) {
		set_once(L, line, K_GRACE, key);
		long long v = strtoll(value, &end, 10);
		if (end == value || *end != '\0' || v < 0 || v > 7 * 86400)
			add_error(L, line, "grace_s: seconds 0..604800, not '%s'", value);
		else
			L->grace_s = v;
	} else if (L->sec == SEC_NUMBERS && strcmp(key, "region") == 0) {
		set_once(L, line, K_REGION, key);
		snprintf(L->region, sizeof L->region, "%s", value);
	} else if (L->sec == SEC_NUMBERS && (strcmp(key, "first") == 0 ||
	    strcmp(key, "last") == 0)) {
		bool first = key[0] == 'f';
		set_once(L, line, first ? K_FIRST : K_LAST, key);
		if (!vnum_valid(value)) {
			add_error(L, line, "%s: a number is +86 and 11 digits, not '%s'", key,
			    value);
			L->seen &= ~(unsigned)(first ? K_FIRST : K_LAST);
			if (first)
				L->sec = SEC_BAD; /* no numbers from this section */
			return;
		}
		snprintf(first ? L->first : L->last, VNUM_MAX, "%s", value);
	} else if (L->sec != SEC_BAD) {
		add_error(L, line, "unknown key %s", key);
	}
}

static void
on_error(void *user, int line, const char *msg)
{
	add_error(user, line, "%s", msg);
}

static const struct data_ini_ops vnum_ini_ops = { on_section, on_key, on_error };

int
vnum_pool_load(const char *path, bool (*region_known)(void *user, const char *id),
    void *user, struct vnum_pool **out, char **cause)
{
	struct loader L = {
		.path = path, .region_known = region_known, .user = user,
		.grace_s = VNUM_GRACE_S_DEFAULT,
	};
	char *why = NULL;

	*out = NULL;
	L.pool = vnum_pool_create(0);
	if (data_ini_read_lines(path, &vnum_ini_ops, &L, &why) != 0) {
		vnum_pool_free(L.pool);
		free(L.errs);
		*cause = why;
		return -1;
	}
	end_section(&L);
	if (L.n_errs == 0 && L.pool->n_regions == 0)
		add_error(&L, 0, "no [numbers]");
	if (L.n_errs > 0) {
		vnum_pool_free(L.pool);
		L.errs[strlen(L.errs) - 1] = '\0';
		*cause = L.errs;
		return -1;
	}
	L.pool->grace_ms = L.grace_s * 1000;
	*out = L.pool;
	return 0;
}
