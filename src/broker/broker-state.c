/* broker-state.c: the broker's entity tables (tickets by id, warnings by id), the lists of
 * entities a snapshot or a checkpoint shows, and, after a load from the store, the links
 * between entities and the dispatch state that is not in them (declined trucks, offers
 * today), rebuilt from the event log. Called by the loop (load, checkpoint), the ops and
 * broker-watch.c; the relink calls broker-eta.c and broker-supplier.c. */
#include "broker-int.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* ---- tables ---- */

struct bticket *
broker_ticket(struct broker *b, int64_t id)
{
	if (id < 1 || (uint64_t)id > b->n_tickets)
		return NULL;
	return b->tickets[id - 1];
}

/* table (of *cap slots of size elem) grown, new slots zeroed, until it has slot idx: the
 * new table (the old one is gone). */
static void *
table_reserve(void *table, size_t *cap, size_t first, size_t idx, size_t elem)
{
	if (idx < *cap)
		return table;
	size_t n = *cap ? *cap : first;
	while (n <= idx)
		n *= 2;
	table = xreallocarray(table, n, elem);
	memset((char *)table + *cap * elem, 0, (n - *cap) * elem);
	*cap = n;
	return table;
}

void
broker_ticket_put(struct broker *b, struct bticket *t)
{
	size_t idx = (size_t)t->w.id - 1;
	b->tickets = table_reserve(b->tickets, &b->cap_tickets, 1024, idx, sizeof *b->tickets);
	if (b->tickets[idx] != NULL)
		broker_track_drop(b->tickets[idx]);
	free(b->tickets[idx]);
	b->tickets[idx] = t;
	if (idx + 1 > b->n_tickets)
		b->n_tickets = idx + 1;
}

void
broker_warning_put(struct broker *b, struct bwarn *w)
{
	size_t idx = (size_t)w->w.id - 1;
	b->warns = table_reserve(b->warns, &b->cap_warns, 256, idx, sizeof *b->warns);
	free(b->warns[idx]);
	b->warns[idx] = w;
	if (idx + 1 > b->n_warns)
		b->n_warns = idx + 1;
}

void
broker_warning_clear(struct broker *b, struct bwarn *w)
{
	w->w.cleared = true;
	PROTO_SET(&w->w, warning, cleared);
	w->w.ts = broker_now(b);
	b->n_warns_active--;
	broker_emit_warning(b, w, EVENT_CLEARED);
}

static bool
snapshot_keeps(const struct broker *b, const struct bticket *t, int64_t now)
{
	if (!ticket_state_final(t->state))
		return true;
	return now - t->w.t_closed <= (int64_t)b->opts.keep_closed_min * 60000;
}

const void **
broker_stream_entities(const struct broker *b, enum proto_stream s, bool live, int64_t now,
    size_t *n)
{
	const void **list;

	*n = 0;
	switch (s) {
	case PROTO_STREAM_TICKET:
		list = xcalloc(b->n_tickets + 1, sizeof *list);
		for (size_t i = 0; i < b->n_tickets; i++)
			if (b->tickets[i] && (!live || snapshot_keeps(b, b->tickets[i], now)))
				list[(*n)++] = &b->tickets[i]->w;
		return list;
	case PROTO_STREAM_TRUCK:
		list = xcalloc(b->n_trucks + 1, sizeof *list);
		for (size_t i = 0; i < b->n_trucks; i++)
			list[(*n)++] = &b->trucks[i]->w;
		return list;
	case PROTO_STREAM_WARNING:
		list = xcalloc(b->n_warns + 1, sizeof *list);
		for (size_t i = 0; i < b->n_warns; i++)
			if (b->warns[i] && (!live || !b->warns[i]->w.cleared))
				list[(*n)++] = &b->warns[i]->w;
		return list;
	case PROTO_STREAM_COMPLAINT:
		return broker_complaint_entities(b, live, now, n);
	case PROTO_STREAM_COUNT:
		break;
	}
	return xcalloc(1, sizeof *list);
}

struct relink_ctx {
	struct broker *b;
	struct bticket *t;
	struct btruck *last;  /* the truck of the last offer */
	int64_t day;
	int count;
};

/* A ticket's history: "offer" bodies name the truck; a "decline" or "timeout" after it is
 * that truck's refusal. */
static int
declines_cb(void *vctx, const struct store_event *ev)
{
	struct relink_ctx *c = vctx;
	int kind = event_kind_parse(ev->kind);
	if (kind == EVENT_OFFER) {
		struct proto_ticket w;
		struct proto_error err;
		c->last = NULL;
		if (proto_decode_msg(ev->body, ev->body_len, PROTO_MSG_ticket, &w, &err) == 0 &&
		    w.truck[0])
			c->last = hmap_get(c->b->truck_by_id, w.truck);
	} else if (kind == EVENT_DECLINE || kind == EVENT_TIMEOUT) {
		if (c->last != NULL)
			broker_add_declined(c->t, c->last);
		c->last = NULL;
	} else if (kind == EVENT_RELEASE) {
		c->last = NULL;
	}
	return 0;
}

static int
offers_cb(void *vctx, const struct store_event *ev)
{
	struct relink_ctx *c = vctx;
	if (event_kind_parse(ev->kind) == EVENT_OFFER && dispatch_day(ev->ts) == c->day)
		c->count++;
	return 0;
}

/* After loading: parse enums, link tickets and trucks and active warnings. */
void
broker_relink(struct broker *b)
{
	struct relink_ctx rc = { .b = b };
	char id[24];

	b->n_open = 0;
	b->n_held = 0;
	b->avail_changed = true; /* try every waiting ticket once after a restart */
	for (size_t i = 0; i < b->n_tickets; i++) {
		struct bticket *t = b->tickets[i];
		if (t == NULL)
			continue;
		int s = ticket_state_parse(t->w.state);
		int f = ticket_fault_parse(t->w.fault);
		t->state = s < 0 ? TICKET_NEW : (enum ticket_state)s;
		t->fault = f < 0 ? FAULT_NO_START : (enum ticket_fault)f;
		t->region = data_region(b->data, t->w.region);
		t->truck = t->w.truck[0] ? hmap_get(b->truck_by_id, t->w.truck) : NULL;
		t->w.ver = 0; /* vers belong to the old epoch: seqs restart with the new one */
		t->held = false;
		t->n_declined = 0;
		/* a round of offers nobody accepted yet: its clock from the last offer we know */
		t->round_start = 0;
		if (t->state == TICKET_DISPATCHED || (t->state == TICKET_NEW && t->w.offers > 0 &&
		    !PROTO_HAS(&t->w, ticket, t_accepted)))
			t->round_start = t->w.t_dispatched;
		PROTO_STRSET(t->last_offered, t->w.truck);
		if (!ticket_state_final(t->state))
			b->n_open++;
	}
	int64_t last_day = INT64_MIN;
	for (size_t i = 0; i < b->n_sups; i++)
		b->dsup[i].trucks = b->dsup[i].busy = b->dsup[i].offers_today = 0;
	for (size_t i = 0; i < b->n_trucks; i++) {
		struct btruck *k = b->trucks[i];
		int s = truck_status_parse(k->w.status);
		int kind = truck_kind_parse(k->w.kind);
		k->status = s < 0 ? TRUCK_OFF_DUTY : (enum truck_status)s;
		k->kind = kind < 0 ? TRUCK_KIND_VAN : (enum truck_kind)kind;
		k->job = NULL;
		k->next = NULL;
		k->w.next = 0;
		k->w.present &= ~((uint64_t)1 << PROTO_truck_next);
		k->w.ver = 0;
		if (k->w.ticket > 0) {
			struct bticket *t = broker_ticket(b, k->w.ticket);
			if (t != NULL && t->truck == k && !ticket_state_final(t->state))
				k->job = t;
		}
		k->placed = PROTO_HAS(&k->w, truck, lat) && PROTO_HAS(&k->w, truck, lon);
		k->still_lat = k->w.lat;
		k->still_lon = k->w.lon;
		k->still_since = k->w.fix_ts;
		k->sup = broker_sup_find(b, k);
		broker_sup_count(b, k, 1);
		k->offers_today = 0;
		k->offers_day = INT64_MIN;
		if (k->w.last_offer > 0 && dispatch_day(k->w.last_offer) > last_day)
			last_day = dispatch_day(k->w.last_offer);
		broker_truck_reindex(b, k);
	}
	/* a truck's next job (chaining): an open ticket with a truck whose job is another */
	for (size_t i = 0; i < b->n_tickets; i++) {
		struct bticket *t = b->tickets[i];
		if (t != NULL && t->truck != NULL && t->truck->job != t &&
		    !ticket_state_final(t->state)) {
			t->truck->next = t;
			t->truck->w.next = t->w.id;
			PROTO_SET(&t->truck->w, truck, next);
		}
	}
	/* offers on the last day anyone had one: the rotation's "today" */
	for (size_t i = 0; i < b->n_sups; i++)
		b->sups[i].day = last_day;
	for (size_t i = 0; last_day != INT64_MIN && i < b->n_trucks; i++) {
		struct btruck *k = b->trucks[i];
		if (k->w.last_offer <= 0 || dispatch_day(k->w.last_offer) != last_day)
			continue;
		rc.day = last_day;
		rc.count = 0;
		if (store_events_of(b->store, "truck", k->w.id, offers_cb, &rc) < 0)
			log_warn("offers of truck %s: %s", k->w.id, store_errmsg(b->store));
		k->offers_today = rc.count;
		k->offers_day = last_day;
		if (k->sup >= 0)
			b->dsup[k->sup].offers_today += rc.count;
	}
	/* who declined the tickets still waiting for a truck */
	for (size_t i = 0; i < b->n_tickets; i++) {
		struct bticket *t = b->tickets[i];
		if (t == NULL || ticket_state_final(t->state) || t->w.offers <= 0)
			continue;
		rc.t = t;
		rc.last = NULL;
		snprintf(id, sizeof id, "%" PRId64, t->w.id);
		if (store_events_of(b->store, "ticket", id, declines_cb, &rc) < 0)
			log_warn("history of ticket %s: %s", id, store_errmsg(b->store));
	}
	broker_complaints_relink(b);
	b->n_warns_active = 0;
	for (size_t i = 0; i < b->n_warns; i++) {
		struct bwarn *w = b->warns[i];
		if (w == NULL)
			continue;
		w->w.ver = 0;
		if (w->w.cleared)
			continue;
		if (w->w.ticket == 0) { /* a region's: broker-capacity.c takes it over */
			b->n_warns_active++;
			continue;
		}
		struct bticket *t = broker_ticket(b, w->w.ticket);
		int k = warn_kind_parse(w->w.kind);
		if (t == NULL || k < 0) {
			w->w.cleared = true;
			continue;
		}
		w->ticket = t;
		t->warns[k] = w;
		b->n_warns_active++;
	}
}
