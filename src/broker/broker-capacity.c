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
 * After a restart the relink (broker-state.c) leaves a region's active warning alone; the
 * first pass takes it over for its region (same id, same since) and clears it at once if
 * the region has a free truck again, or if its region is no longer in the data.
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
	struct bwarn *warn;      /* its active capacity warning, or NULL */
};

struct broker_capacity {
	struct bcap *r;          /* b->data->n_regions of them */
	size_t n;
	int64_t counted;         /* broker time of the last count of waiting calls (0: none) */
	bool adopted;            /* the region warnings a load brought are taken over */
};

/* The keys a capacity warning carries besides the required ones. */
#define CAPACITY_KEYS                                                                    \
	((uint64_t)1 << PROTO_warning_since | (uint64_t)1 << PROTO_warning_region |      \
	    (uint64_t)1 << PROTO_warning_waiting)
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

static void
clear(struct broker *b, struct bwarn *w)
{
	w->w.cleared = true;
	PROTO_SET(&w->w, warning, cleared);
	w->w.ts = broker_now(b);
	b->n_warns_active--;
	broker_emit_warning(b, w, EVENT_CLEARED);
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
	w->since = m->since;
	w->waiting = m->waiting;
	w->present = (w->present & (WARNING_REQUIRED | BWARN_OWN_KEYS)) | CAPACITY_KEYS; /* an owner stays */
}

/* Raise region c's warning m, or change its level or its count of waiting calls. */
static void
raise_capacity(struct broker *b, struct bcap *c, const struct monitor_warning *m)
{
	struct bwarn *w = c->warn;

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
	c->warn = w;
	b->n_warns_active++;
	broker_emit_warning(b, w, EVENT_RAISED);
	log_info("warning capacity in region %s: %s", m->region, w->w.level);
}

/* The first pass after a load: the active region warnings the store held, each to its
 * region's slot (a second one for the same region, or one of a region gone, is cleared). */
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
		if (r < 0 || cap->r[r].warn != NULL) {
			clear(b, w);
			continue;
		}
		cap->r[r].warn = w;
		cap->r[r].short_since = w->w.since;
	}
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
	bool recount = false;

	if (b->fatal)
		return;
	cap = capacity_of(b);
	if (!cap->adopted)
		adopt(b, cap);
	for (size_t i = 0; i < cap->n; i++)
		cap->r[i].free = cap->r[i].known = 0;
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
		if (monitor_truck_able(&mk, sla, now))
			cap->r[r].free++;
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
		if (m.level != WARN_LEVEL_NONE) {
			raise_capacity(b, c, &m);
		} else if (c->warn != NULL) {
			clear(b, c->warn);
			c->warn = NULL;
		}
	}
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
