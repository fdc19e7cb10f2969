/* broker-capacity.c: the capacity warning, a region's rather than a ticket's (issue 13):
 * no able truck free in a region for capacity_s, for supervisors. The loop's tick calls
 * broker_capacity_tick at every pass, with or without open tickets; it counts the free
 * trucks of each region over the trucks (never over the tickets), asks the pure
 * monitor_capacity (src/model/monitor.c) whether the region's warning must be active, and
 * raises, changes and clears it. A region has at most one active capacity warning; it has
 * `ticket` 0 and names its region (PROTOCOL.md 8.3). A region none of whose trucks the
 * broker knows (no status ever came from its suppliers' systems) is not watched.
 *
 * The calls waiting for a truck in a short region (its tickets in state new) are counted
 * over the tickets only while some region is short past capacity_s, and then at most every
 * CAPACITY_RECOUNT_MS (and at once when a region's warning is about to be raised), so a
 * pass does not scan every ticket.
 *
 * The same kind also says that a region's virtual-number pool is exhausted (issue 11):
 * `reason` "numbers" (PROTOCOL.md 8.3). A region has at most one active capacity warning
 * per reason, so a region short of both trucks and numbers shows two, each raised, changed
 * and cleared on its own. broker_vnum_settle calls broker_capacity_numbers at the end of
 * every turn that has a ticket waiting for a number (b->vnum_wait, which it keeps), so the
 * warning is raised in the batch of the ticket's vnum_short and cleared in the batch that
 * binds the last waiting one; the pass counts b->vnum_wait, never the tickets.
 *
 * Each pass also notes the earliest broker time at which the region warnings could change
 * with nothing else changing (broker_capacity_next): a threshold of monitor_capacity ahead,
 * the last able truck of a region going stale, the next count of waiting calls. The loop
 * sleeps no longer than that and runs the pass when it comes, so a warning is raised on
 * its deadline rather than on the next 500 ms tick (changes of trucks still wait for the
 * tick: `since` is when a pass first found the region short).
 *
 * After a restart the relink (broker-state.c) leaves a region's active warning alone; the
 * first pass takes it over for its region and reason (same id, same since) and clears it
 * at once if the region has a free truck again (or no ticket waits for a number), or if
 * its region is no longer in the data.
 * Calls the pure src/model/monitor.c, broker-state.c and broker-emit.c. */
#include "broker-int.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "monitor.h"
#include "util.h"

#define CAPACITY_RECOUNT_MS 5000 /* broker time between two counts of waiting calls */

/* One region of b->data, by index. */
struct bcap {
	int64_t known;           /* its trucks the broker knows, on duty or not */
	int64_t free;            /* able trucks free at the last pass */
	int64_t short_since;     /* since when none has been free (0: one is) */
	int64_t waiting;         /* its calls waiting for a truck, as last counted */
	int64_t stale_at;        /* when its last able free truck goes stale (0: none free) */
	struct bwarn *warn;      /* its active capacity warning for trucks, or NULL */
	int64_t n_wait;          /* its rescues waiting for a virtual number */
	int64_t wait_since;      /* since when one has (0: none does) */
	struct bwarn *nwarn;     /* its active capacity warning for numbers, or NULL */
};

struct broker_capacity {
	struct bcap *r;          /* b->data->n_regions of them */
	size_t n;
	int64_t counted;         /* broker time of the last count of waiting calls (0: none) */
	int64_t next;            /* the earliest broker time a pass could change a warning */
	int64_t next_numbers;    /* the same, of the numbers pass alone */
	bool adopted;            /* the region warnings a load brought are taken over */
};

/* The keys a capacity warning carries besides the required ones. */
#define CAPACITY_KEYS                                                                    \
	((uint64_t)1 << PROTO_warning_since | (uint64_t)1 << PROTO_warning_region |      \
	    (uint64_t)1 << PROTO_warning_waiting | (uint64_t)1 << PROTO_warning_reason)
#define WARNING_REQUIRED                                                                 \
	((uint64_t)1 << PROTO_warning_id | (uint64_t)1 << PROTO_warning_ticket |         \
	    (uint64_t)1 << PROTO_warning_kind | (uint64_t)1 << PROTO_warning_level |     \
	    (uint64_t)1 << PROTO_warning_text | (uint64_t)1 << PROTO_warning_cleared |   \
	    (uint64_t)1 << PROTO_warning_ts | (uint64_t)1 << PROTO_warning_ver)

/* The index in b->data->regions of region r, or -1. */
static long
region_index(const struct broker *b, const struct data_region *r)
{
	if (r == NULL || r < b->data->regions || r >= b->data->regions + b->data->n_regions)
		return -1;
	return (long)(r - b->data->regions);
}

/* The region of truck k: its supplier's, else the one its status names. */
static long
truck_region(const struct broker *b, const struct btruck *k)
{
	if (k->sup >= 0)
		return region_index(b, b->sups[k->sup].region);
	return k->w.region[0] != '\0' ? region_index(b, data_region(b->data, k->w.region)) : -1;
}

static struct broker_capacity *
capacity_of(struct broker *b)
{
	if (b->capacity == NULL) {
		b->capacity = xcalloc(1, sizeof *b->capacity);
		b->capacity->n = b->data->n_regions;
		b->capacity->r = xcalloc(b->capacity->n + 1, sizeof *b->capacity->r);
	}
	return b->capacity;
}

/* The text and parameters of m into w. */
static void
set_code(struct proto_warning *w, const struct monitor_warning *m)
{
	char text[200];

	monitor_text(m, text, sizeof text);
	PROTO_STRSET(w->text, text);
	PROTO_STRSET(w->level, warn_level_name(m->level));
	PROTO_STRSET(w->region, m->region);
	PROTO_STRSET(w->reason, monitor_capacity_reason_name(m->reason));
	w->since = m->since;
	w->waiting = m->waiting;
	w->present = (w->present & (WARNING_REQUIRED | BWARN_OWN_KEYS)) | CAPACITY_KEYS; /* an owner stays */
}

/* Raise the warning m into *slot (a region's, for m's reason), or change its level or
 * its count of waiting calls. */
static void
raise_capacity(struct broker *b, struct bwarn **slot, const struct monitor_warning *m)
{
	struct bwarn *w = *slot;

	if (w != NULL) {
		bool same_level = strcmp(w->w.level, warn_level_name(m->level)) == 0;
		if (same_level && w->w.waiting == m->waiting && w->w.since == m->since)
			return;
		set_code(&w->w, m);
		w->w.ts = broker_now(b);
		broker_emit_warning(b, w, same_level ? EVENT_UPDATE : EVENT_LEVEL);
		return;
	}
	w = xcalloc(1, sizeof *w);
	w->w.id = (int64_t)b->n_warns + 1;
	w->w.ticket = 0;
	PROTO_STRSET(w->w.kind, warn_kind_name(WARN_CAPACITY));
	w->w.present = WARNING_REQUIRED;
	set_code(&w->w, m);
	w->w.ts = broker_now(b);
	broker_warning_put(b, w);
	*slot = w;
	b->n_warns_active++;
	broker_emit_warning(b, w, EVENT_RAISED);
	log_info("warning capacity (%s) in region %s: %s", w->w.reason, m->region, w->w.level);
}

/* The warning m must be (level NONE: must not be) in *slot. */
static void
settle_slot(struct broker *b, struct bwarn **slot, const struct monitor_warning *m)
{
	if (m->level != WARN_LEVEL_NONE) {
		raise_capacity(b, slot, m);
	} else if (*slot != NULL) {
		broker_warning_clear(b, *slot);
		*slot = NULL;
	}
}

/* A stored capacity warning's reason: "numbers", else trucks (an older broker's). */
static enum monitor_capacity_reason
reason_of(const struct proto_warning *w)
{
	return PROTO_HAS(w, warning, reason) && strcmp(w->reason, "numbers") == 0 ?
	    MONITOR_CAP_NUMBERS : MONITOR_CAP_TRUCKS;
}

/* The first pass after a load: the active region warnings the store held, each to its
 * region's slot for its reason (a second one for the same region and reason, or one of a
 * region gone, is cleared). */
static void
adopt(struct broker *b, struct broker_capacity *cap)
{
	cap->adopted = true;
	for (size_t i = 0; i < b->n_warns; i++) {
		struct bwarn *w = b->warns[i];
		if (w == NULL || w->w.cleared || w->w.ticket != 0)
			continue;
		long r = warn_kind_parse(w->w.kind) == WARN_CAPACITY ?
		    region_index(b, data_region(b->data, w->w.region)) : -1;
		bool numbers = r >= 0 && reason_of(&w->w) == MONITOR_CAP_NUMBERS;
		if (r < 0 || (numbers ? cap->r[r].nwarn : cap->r[r].warn) != NULL) {
			broker_warning_clear(b, w);
			continue;
		}
		if (numbers) {
			cap->r[r].nwarn = w;
			cap->r[r].wait_since = w->w.since;
		} else {
			cap->r[r].warn = w;
			cap->r[r].short_since = w->w.since;
		}
	}
}

static struct broker_capacity *
capacity_ready(struct broker *b)
{
	struct broker_capacity *cap = capacity_of(b);
	if (!cap->adopted)
		adopt(b, cap);
	return cap;
}

static int64_t
earlier(int64_t a, int64_t b)
{
	return a < b ? a : b;
}

void
broker_capacity_numbers(struct broker *b, int64_t now)
{
	const struct data_sla *sla = &b->data->sla;
	struct broker_capacity *cap;
	int64_t next = INT64_MAX;

	if (b->fatal)
		return;
	cap = capacity_ready(b);
	for (size_t i = 0; i < cap->n; i++)
		cap->r[i].n_wait = 0;
	for (size_t i = 0; i < b->n_vnum_wait; i++) {
		const struct bticket *t = broker_ticket(b, b->vnum_wait[i]);
		if (t == NULL || ticket_state_final(t->state) || t->w.vnum[0] != '\0')
			continue; /* the next settle drops it */
		long r = region_index(b, t->region);
		if (r >= 0)
			cap->r[r].n_wait++;
	}
	for (size_t i = 0; i < cap->n && !b->fatal; i++) {
		struct bcap *c = &cap->r[i];
		if (c->n_wait == 0)
			c->wait_since = 0;
		else if (c->wait_since <= 0)
			c->wait_since = now;
		struct monitor_region mr = { .id = b->data->regions[i].id,
			.short_since = c->wait_since, .waiting = c->n_wait,
			.reason = MONITOR_CAP_NUMBERS };
		struct monitor_warning m;
		monitor_capacity(&mr, sla, now, &m);
		settle_slot(b, &c->nwarn, &m);
		next = earlier(next, monitor_capacity_next(&mr, sla, now));
	}
	cap->next_numbers = next;
}

int64_t
broker_capacity_next(const struct broker *b)
{
	const struct broker_capacity *cap = b->capacity;

	if (cap == NULL || !cap->adopted)
		return 0; /* no pass yet: at once */
	return earlier(cap->next, cap->next_numbers);
}

/* Count the calls waiting for a truck in each region: open tickets in state new, but not
 * those a diagnosis holds at now (they wait for the diagnosis, not for a truck). */
static void
count_waiting(struct broker *b, struct broker_capacity *cap, int64_t now)
{
	for (size_t i = 0; i < cap->n; i++)
		cap->r[i].waiting = 0;
	for (size_t i = 0, open = 0; i < b->n_tickets && open < b->n_open; i++) {
		const struct bticket *t = b->tickets[i];
		if (t == NULL || ticket_state_final(t->state))
			continue;
		open++;
		if (t->state != TICKET_NEW || (PROTO_HAS(&t->w, ticket, diag_hold_until) &&
		    now < t->w.diag_hold_until))
			continue;
		long r = region_index(b, t->region);
		if (r >= 0)
			cap->r[r].waiting++;
	}
	cap->counted = now;
}

void
broker_capacity_tick(struct broker *b, int64_t now)
{
	const struct data_sla *sla = &b->data->sla;
	struct broker_capacity *cap;
	int64_t limit = (int64_t)sla->capacity_s * 1000;
	int64_t stale = (int64_t)sla->gps_stale_s * 1000, next = INT64_MAX;
	bool recount = false;

	if (b->fatal)
		return;
	cap = capacity_ready(b);
	for (size_t i = 0; i < cap->n; i++)
		cap->r[i].free = cap->r[i].known = cap->r[i].stale_at = 0;
	for (size_t i = 0; i < b->n_trucks; i++) {
		const struct btruck *k = b->trucks[i];
		long r = truck_region(b, k);
		if (r < 0)
			continue;
		cap->r[r].known++;
		if (k->status != TRUCK_AVAILABLE || k->job != NULL)
			continue;
		struct monitor_truck mk = { .id = k->w.id, .placed = k->placed,
			.fix_ts = k->w.fix_ts, .still_since = k->still_since };
		if (monitor_truck_able(&mk, sla, now)) {
			cap->r[r].free++;
			/* able until its fix is more than gps_stale_s old */
			if (k->w.fix_ts + stale + 1 > cap->r[r].stale_at)
				cap->r[r].stale_at = k->w.fix_ts + stale + 1;
		}
	}
	for (size_t i = 0; i < cap->n; i++) {
		struct bcap *c = &cap->r[i];
		/* a region none of whose trucks the broker has ever heard of is not watched: its
		 * suppliers send no feed (yet), so nothing here tells its capacity */
		if (c->free > 0 || c->known == 0)
			c->short_since = 0;
		else if (c->short_since <= 0)
			c->short_since = now;
		if (c->short_since > 0 && now - c->short_since > limit &&
		    (c->warn == NULL || now - cap->counted >= CAPACITY_RECOUNT_MS ||
		    cap->counted > now))
			recount = true;
	}
	if (recount)
		count_waiting(b, cap, now);
	for (size_t i = 0; i < cap->n && !b->fatal; i++) {
		struct bcap *c = &cap->r[i];
		struct monitor_region mr = { .id = b->data->regions[i].id, .free = c->free,
			.short_since = c->short_since, .waiting = c->waiting };
		struct monitor_warning m;
		monitor_capacity(&mr, sla, now, &m);
		settle_slot(b, &c->warn, &m);
		next = earlier(next, monitor_capacity_next(&mr, sla, now));
		if (c->free > 0 && c->stale_at > now)
			next = earlier(next, c->stale_at); /* its last free truck goes stale */
		if (c->warn != NULL && c->short_since > 0)
			next = earlier(next, cap->counted + CAPACITY_RECOUNT_MS);
	}
	cap->next = next;
	broker_capacity_numbers(b, now); /* and its level by time */
}

void
broker_capacity_finish(struct broker *b)
{
	if (b->capacity == NULL)
		return;
	free(b->capacity->r);
	free(b->capacity);
	b->capacity = NULL;
}
