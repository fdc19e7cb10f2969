/* vnum.h: the pools of virtual numbers (data/numbers.ini), one per region, and which rescue
 * each number is bound to. A rescue (a ticket) gets a number when it is dispatched: the
 * customer, the truck's driver and the agent calling back reach each other through it, and
 * the raw phone stays hidden. When the rescue closes, its number rests for grace_ms before
 * anyone gets it again, so a customer calling back the number of a rescue just ended does
 * not reach a stranger.
 *
 * The allocator is pure: no I/O, no clock (now is passed in, ms, broker time). Rules:
 *   - a number is bound to at most one rescue; a bound number is never handed out;
 *   - a released number is free again grace_ms after its release;
 *   - vnum_bind gives the least recently released free number of the region (numbers never
 *     bound come first, then by release time, then in the file's order), so an old number
 *     goes to a new rescue only when every number released later is still resting;
 *   - an empty or exhausted pool binds nothing (NULL): the caller reports it.
 * vnum_pool_load is the one reading function: it reads the file through data.c's
 * line-aware INI reader (as flow.c does), everything else works on memory only.
 *
 * Ownership: a pool is the caller's (vnum_pool_free); the numbers it returns are the
 * pool's and live as long as it does. Strings passed in are borrowed (copied when kept). */
#ifndef RD_VNUM_H
#define RD_VNUM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VNUM_MAX 24                     /* a number's bytes with its NUL: +86 and 11 digits */
#define VNUM_GRACE_S_DEFAULT 1800       /* numbers.ini [pool] grace_s when absent */
#define VNUM_RANGE_MAX 100000           /* numbers in one range line */
#define VNUM_POOL_MAX 200000            /* numbers in all the pools (memory: ~100 B each) */

struct vnum_pool;

/* An empty pool whose released numbers rest grace_ms. */
struct vnum_pool *vnum_pool_create(int64_t grace_ms);
void vnum_pool_free(struct vnum_pool *p); /* NULL is fine */
int64_t vnum_pool_grace_ms(const struct vnum_pool *p);

/* Whether s is a virtual number as the pool file writes it: "+86" and 11 digits. */
bool vnum_valid(const char *s);
/* Add number to region's pool (after those added before): 0, or -1 when it is not valid
 * or already in a pool (of any region: one number reaches one rescue). */
int vnum_pool_add(struct vnum_pool *p, const char *region, const char *number);
/* Add first..last (both valid, last not smaller, at most VNUM_RANGE_MAX numbers, the pool
 * then at most VNUM_POOL_MAX): the count added, or -1 (nothing added) when the range is
 * bad, too big, or one of them is taken. */
long vnum_pool_add_range(struct vnum_pool *p, const char *region, const char *first,
    const char *last);

/* Bind region's least recently released free number at now to rescue (> 0): the number,
 * or NULL when the region has no number free (none at all, all bound or resting). */
const char *vnum_bind(struct vnum_pool *p, const char *region, int64_t rescue, int64_t now);
/* The rescue bound to number closed at now: it rests until now + grace. 0, or -1 when
 * number is not bound to rescue (nothing changes). */
int vnum_release(struct vnum_pool *p, const char *number, int64_t rescue, int64_t now);

/* Rebuilding the bindings after a restart, from the tickets: number is bound to rescue
 * (an open ticket that has it), or was released at `at` (a closed ticket that had it;
 * the latest release of a number counts, whatever the order of the calls). -1 when number
 * is in no pool, or (bound) already bound to another rescue; a released number that is
 * bound now is left bound (0). */
int vnum_restore_bound(struct vnum_pool *p, const char *number, int64_t rescue);
int vnum_restore_released(struct vnum_pool *p, const char *number, int64_t at);

/* The rescue number is bound to; 0 when it is free or resting, -1 when it is in no pool. */
int64_t vnum_rescue(const struct vnum_pool *p, const char *number);

/* A region's pool at now. next_free is when its next number is free: now or earlier when
 * one is free, INT64_MAX when none will be without a release (all bound, or no pool). */
struct vnum_counts {
	size_t total, bound, resting, free;
	int64_t next_free;
};
struct vnum_counts vnum_count(const struct vnum_pool *p, const char *region, int64_t now);

/* Read path (the format of data/README.md, numbers.ini) into a new pool: 0 and *out, or -1
 * and *cause ("PATH:LINE: reason" lines, caller frees). region_known, if not NULL, says
 * whether a region id exists (numbers of an unknown region are an error). */
int vnum_pool_load(const char *path, bool (*region_known)(void *user, const char *id),
    void *user, struct vnum_pool **out, char **cause);

#endif
