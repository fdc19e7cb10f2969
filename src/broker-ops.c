/* broker-ops.c: what the broker does with requests and feed messages: intake, ticket state
 * changes, notes, cancel, assignment, dispatch of waiting tickets, ETA refresh and the
 * delay warnings. Every change goes through broker_emit_* (log first, publish after the
 * commit). */
#include "broker-int.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "monitor.h"
#include "util.h"

#define FAR_FROM_REGION_M 500000.0
#define STALL_MOVE_M 50.0
#define ETA_CHANGE_MS 60000
#define ETA_MIN_GAP_MS 30000
#define FUTURE_FIX_MS 300000  /* fixes stamped further ahead of broker time are refused */
#define HISTORY_MAX 2000      /* events returned by ticket.get: the most recent ones */

/* ---- tables ---- */

struct bticket *
broker_ticket(struct broker *b, int64_t id)
{
	if (id < 1 || (uint64_t)id > b->n_tickets)
		return NULL;
	return b->tickets[id - 1];
}

void
broker_ticket_put(struct broker *b, struct bticket *t)
{
	size_t idx = (size_t)t->w.id - 1;
	if (idx >= b->cap_tickets) {
		size_t cap = b->cap_tickets ? b->cap_tickets : 1024;
		while (cap <= idx)
			cap *= 2;
		b->tickets = xreallocarray(b->tickets, cap, sizeof *b->tickets);
		memset(b->tickets + b->cap_tickets, 0, (cap - b->cap_tickets) * sizeof *b->tickets);
		b->cap_tickets = cap;
	}
	free(b->tickets[idx]);
	b->tickets[idx] = t;
	if (idx + 1 > b->n_tickets)
		b->n_tickets = idx + 1;
}

/* ---- suppliers and the fleet as dispatch sees them ---- */

/* The supplier of truck k: its own region's first, else the first with that id anywhere. */
static int
find_sup(const struct broker *b, const struct btruck *k)
{
	int any = -1;
	if (!k->w.supplier[0])
		return -1;
	for (size_t i = 0; i < b->n_sups; i++) {
		if (strcmp(b->sups[i].d->id, k->w.supplier) != 0)
			continue;
		if (strcmp(b->sups[i].region->id, k->w.region) == 0)
			return (int)i;
		if (any < 0)
			any = (int)i;
	}
	return any;
}

/* Count truck k in (sign 1) or out of (sign -1) its supplier's trucks and busy trucks. */
static void
sup_count(struct broker *b, const struct btruck *k, int sign)
{
	if (k->sup < 0)
		return;
	struct dispatch_supplier *s = &b->dsup[k->sup];
	if (k->status != TRUCK_OFF_DUTY) {
		s->trucks += sign;
		if (k->status != TRUCK_AVAILABLE)
			s->busy += sign;
	}
}

/* Its supplier may have changed: account for it again. */
static void
truck_resup(struct broker *b, struct btruck *k)
{
	sup_count(b, k, -1);
	k->sup = find_sup(b, k);
	sup_count(b, k, 1);
}

/* Start a new China day for the counts of offers made today. */
static void
roll_day(struct broker *b, int64_t now)
{
	b->today = dispatch_day(now);
	for (size_t i = 0; i < b->n_sups; i++) {
		if (b->sups[i].day != b->today) {
			b->sups[i].day = b->today;
			b->dsup[i].offers_today = 0;
		}
	}
}

static bool
fleet_get(const void *ctx, uint32_t id, struct dispatch_truck *out)
{
	const struct broker *b = ctx;
	if (id >= b->n_trucks)
		return false;
	const struct btruck *k = b->trucks[id];
	out->id = k->w.id;
	out->supplier = k->sup;
	out->kind = k->kind;
	out->status = k->status;
	out->placed = k->placed;
	out->pos = (struct geo_point){ k->w.lat, k->w.lon };
	out->fix_ts = k->w.fix_ts;
	out->job_fault = -1;
	out->job_since = 0;
	if (k->job != NULL) {
		out->job_fault = (int)k->job->fault;
		out->job_since = k->status == TRUCK_TOWING ? k->job->w.t_towing : k->job->w.t_on_scene;
	}
	out->offers_today = k->offers_day == b->today ? k->offers_today : 0;
	out->last_offer = k->w.last_offer;
	return true;
}

void
broker_dispatch_init(struct broker *b)
{
	dispatch_rules_init(&b->rules, b->data);
	b->eta = &dispatch_eta_builtin;
	b->n_sups = 0;
	for (size_t i = 0; i < b->data->n_regions; i++)
		b->n_sups += b->data->regions[i].n_suppliers;
	b->sups = xcalloc(b->n_sups + 1, sizeof *b->sups);
	b->dsup = xcalloc(b->n_sups + 1, sizeof *b->dsup);
	size_t n = 0;
	for (size_t i = 0; i < b->data->n_regions; i++) {
		const struct data_region *r = &b->data->regions[i];
		for (size_t j = 0; j < r->n_suppliers; j++, n++) {
			b->sups[n].region = r;
			b->sups[n].d = &r->suppliers[j];
			b->dsup[n].id = r->suppliers[j].id;
			b->dsup[n].quality = r->suppliers[j].quality;
		}
	}
	b->fleet = (struct dispatch_fleet){
		.geo = b->geo, .n_ids = 0, .get = fleet_get, .ctx = b,
		.suppliers = b->dsup, .n_suppliers = b->n_sups,
	};
}

void
broker_dispatch_finish(struct broker *b)
{
	free(b->sups);
	free(b->dsup);
	b->sups = NULL;
	b->dsup = NULL;
	b->n_sups = 0;
}

void
broker_truck_reindex(struct broker *b, struct btruck *k)
{
	if (!k->placed)
		return;
	struct geo_point p = { k->w.lat, k->w.lon };
	geo_index_put(b->geo, k->gid, p, dispatch_mask(&b->rules, k->kind, k->status));
}

struct btruck *
broker_truck_add(struct broker *b, const struct proto_truck *w)
{
	struct btruck *k = xcalloc(1, sizeof *k);
	int kind = truck_kind_parse(w->kind);
	int status = truck_status_parse(w->status);

	k->w = *w;
	k->kind = kind < 0 ? TRUCK_KIND_VAN : (enum truck_kind)kind;
	k->status = status < 0 ? TRUCK_OFF_DUTY : (enum truck_status)status;
	k->placed = PROTO_HAS(w, truck, lat) && PROTO_HAS(w, truck, lon);
	if (b->n_trucks == b->cap_trucks) {
		b->cap_trucks = b->cap_trucks ? b->cap_trucks * 2 : 64;
		b->trucks = xreallocarray(b->trucks, b->cap_trucks, sizeof *b->trucks);
	}
	k->gid = (uint32_t)b->n_trucks;
	b->trucks[b->n_trucks++] = k;
	b->fleet.n_ids = (uint32_t)b->n_trucks;
	hmap_put(b->truck_by_id, k->w.id, k);
	k->sup = find_sup(b, k);
	sup_count(b, k, 1);
	broker_truck_reindex(b, k);
	return k;
}

static void
set_truck_status(struct broker *b, struct btruck *k, enum truck_status s)
{
	if (s == TRUCK_AVAILABLE && k->status != TRUCK_AVAILABLE)
		b->avail_changed = true; /* waiting tickets may now find a truck */
	sup_count(b, k, -1);
	k->status = s;
	sup_count(b, k, 1);
	proto_strset(k->w.status, sizeof k->w.status, truck_status_name(s));
}

static bool
declined_by(const struct bticket *t, const struct btruck *k)
{
	for (int i = 0; i < t->n_declined; i++)
		if (t->declined[i] == k->gid)
			return true;
	return false;
}

/* Remember that k declined t (or did not answer): it is not offered t again. */
static void
add_declined(struct bticket *t, const struct btruck *k)
{
	if (declined_by(t, k))
		return;
	if (t->n_declined == DECLINED_MAX) {
		/* the oldest refusal goes: after DECLINED_MAX others it may be asked again */
		memmove(t->declined, t->declined + 1, (DECLINED_MAX - 1) * sizeof *t->declined);
		t->n_declined--;
	}
	t->declined[t->n_declined++] = k->gid;
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
	if (strcmp(ev->kind, "offer") == 0) {
		struct proto_ticket w;
		struct proto_error err;
		c->last = NULL;
		if (proto_decode_msg(ev->body, ev->body_len, PROTO_MSG_ticket, &w, &err) == 0 &&
		    w.truck[0])
			c->last = hmap_get(c->b->truck_by_id, w.truck);
	} else if (strcmp(ev->kind, "decline") == 0 || strcmp(ev->kind, "timeout") == 0) {
		if (c->last != NULL)
			add_declined(c->t, c->last);
		c->last = NULL;
	} else if (strcmp(ev->kind, "release") == 0) {
		c->last = NULL;
	}
	return 0;
}

static int
offers_cb(void *vctx, const struct store_event *ev)
{
	struct relink_ctx *c = vctx;
	if (strcmp(ev->kind, "offer") == 0 && dispatch_day(ev->ts) == c->day)
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
		k->sup = find_sup(b, k);
		sup_count(b, k, 1);
		k->offers_today = 0;
		k->offers_day = INT64_MIN;
		if (k->w.last_offer > 0 && dispatch_day(k->w.last_offer) > last_day)
			last_day = dispatch_day(k->w.last_offer);
		broker_truck_reindex(b, k);
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
	b->n_warns_active = 0;
	for (size_t i = 0; i < b->n_warns; i++) {
		struct bwarn *w = b->warns[i];
		if (w == NULL)
			continue;
		w->w.ver = 0;
		if (w->w.cleared)
			continue;
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

/* ---- ETA ---- */

static struct dispatch_ticket
ticket_view(const struct bticket *t)
{
	return (struct dispatch_ticket){
		.pos = { t->w.lat, t->w.lon }, .fault = t->fault, .flags = (uint32_t)t->w.flags,
		.region = t->region,
	};
}

/* Travel time in ms from the truck's position to the ticket, from the ETA model. */
static int64_t
travel_ms(const struct broker *b, const struct bticket *t, const struct btruck *k, int64_t now)
{
	struct dispatch_ticket v = ticket_view(t);
	struct geo_point a = { k->w.lat, k->w.lon };
	return b->eta->travel_ms(b->eta, &v, a, geo_distance_m(v.pos, a), now);
}

static void
set_eta(struct bticket *t, int64_t eta, const char *src)
{
	t->w.eta = eta;
	PROTO_SET(&t->w, ticket, eta);
	proto_strset(t->w.eta_src, sizeof t->w.eta_src, src);
	PROTO_SET(&t->w, ticket, eta_src);
}

/* ---- state changes ---- */

static void
set_state(struct bticket *t, enum ticket_state s, int64_t now)
{
	t->state = s;
	proto_strset(t->w.state, sizeof t->w.state, ticket_state_name(s));
	switch (s) {
	case TICKET_DISPATCHED:
		t->w.t_dispatched = now;
		PROTO_SET(&t->w, ticket, t_dispatched);
		break;
	case TICKET_ACCEPTED:
		t->w.t_accepted = now;
		PROTO_SET(&t->w, ticket, t_accepted);
		break;
	case TICKET_EN_ROUTE:
		t->w.t_en_route = now;
		PROTO_SET(&t->w, ticket, t_en_route);
		break;
	case TICKET_ON_SCENE:
		t->w.t_on_scene = now;
		PROTO_SET(&t->w, ticket, t_on_scene);
		break;
	case TICKET_TOWING:
		t->w.t_towing = now;
		PROTO_SET(&t->w, ticket, t_towing);
		break;
	case TICKET_COMPLETED:
	case TICKET_CANCELLED:
	case TICKET_RESOLVED_REMOTE:
		t->w.t_closed = now;
		PROTO_SET(&t->w, ticket, t_closed);
		break;
	case TICKET_NEW:
	case TICKET_STATE_COUNT:
		break;
	}
}

static void clear_warning(struct broker *b, struct bticket *t, enum warn_kind k);

/* Free the ticket's truck (it becomes available, or off duty if its supplier asked for that
 * during the job) and tell everyone with a truck event of this kind. */
static void
release_truck(struct broker *b, struct bticket *t, const char *user, const char *kind,
    const char *detail)
{
	struct btruck *k = t->truck;
	if (k == NULL)
		return;
	t->truck = NULL;
	t->w.truck[0] = '\0';
	t->w.present &= ~((uint64_t)1 << PROTO_ticket_truck);
	if (k->job == t) {
		k->job = NULL;
		k->w.ticket = 0;
		k->w.present &= ~((uint64_t)1 << PROTO_truck_ticket);
		if (k->off_after_job) {
			k->off_after_job = false;
			set_truck_status(b, k, TRUCK_OFF_DUTY);
		} else if (k->status != TRUCK_OFF_DUTY) {
			set_truck_status(b, k, TRUCK_AVAILABLE);
		}
		broker_truck_reindex(b, k);
		broker_emit_truck(b, k, kind, user, detail);
	}
}

static void
close_warnings(struct broker *b, struct bticket *t)
{
	for (int k = 0; k < WARN_KIND_COUNT; k++)
		if (t->warns[k])
			clear_warning(b, t, (enum warn_kind)k);
}

static void
unhold(struct broker *b, struct bticket *t)
{
	if (t->held) {
		t->held = false;
		b->n_held--;
	}
}

static int
offer_timeout_s(const struct broker *b, const struct btruck *k)
{
	return k->sup >= 0 ? b->sups[k->sup].d->offer_timeout_s : OFFER_TIMEOUT_DEFAULT_S;
}

static int64_t
ceil_min(int64_t ms)
{
	return ms <= 0 ? 0 : (ms + 59999) / 60000;
}

/* Offer ticket t (which has no truck) to truck k: the ticket is dispatched until offer_until,
 * the truck offered. c is k's ranking, or NULL when an agent chose k. */
static void
offer(struct broker *b, struct bticket *t, struct btruck *k, const struct dispatch_candidate *c,
    const char *user, const char *why)
{
	int64_t now = broker_now(b);
	int timeout = offer_timeout_s(b, k);
	char line[256], detail[512];

	unhold(b, t);
	if (t->round_start == 0)
		t->round_start = now;
	t->truck = k;
	PROTO_STRSET(t->w.truck, k->w.id);
	PROTO_SET(&t->w, ticket, truck);
	set_state(t, TICKET_DISPATCHED, now);
	t->w.offers++;
	PROTO_SET(&t->w, ticket, offers);
	t->w.offer_until = now + (int64_t)timeout * 1000;
	PROTO_SET(&t->w, ticket, offer_until);
	if (c != NULL) {
		set_eta(t, now + c->travel_ms + c->job_ms, c->eta_src);
		dispatch_why(c, line, sizeof line);
	} else {
		int64_t travel = travel_ms(b, t, k, now);
		bool stale = now - k->w.fix_ts > (int64_t)b->rules.gps_stale_s * 1000;
		const char *src = stale ? "stale" : b->eta->src;
		set_eta(t, now + travel, src);
		snprintf(line, sizeof line, "%.1f km \xc2\xb7 ETA %" PRId64 " min (%s)",
		    geo_distance_m((struct geo_point){ k->w.lat, k->w.lon },
		    (struct geo_point){ t->w.lat, t->w.lon }) / 1000.0, ceil_min(travel), src);
	}
	t->eta_updated = now;
	PROTO_STRSET(t->last_offered, k->w.id);

	k->job = t;
	k->w.ticket = t->w.id;
	PROTO_SET(&k->w, truck, ticket);
	set_truck_status(b, k, TRUCK_OFFERED);
	roll_day(b, now);
	if (k->offers_day != b->today) {
		k->offers_day = b->today;
		k->offers_today = 0;
	}
	k->offers_today++;
	if (k->sup >= 0)
		b->dsup[k->sup].offers_today++;
	k->w.offers++;
	k->w.last_offer = now;
	PROTO_SET(&k->w, truck, offers);
	PROTO_SET(&k->w, truck, last_offer);
	broker_truck_reindex(b, k);

	snprintf(detail, sizeof detail, "offered to %s (%s %s), answer within %d s: %s%s%s",
	    k->w.id, k->w.supplier, k->w.kind, timeout, why, why[0] ? " \xc2\xb7 " : "", line);
	broker_emit_ticket(b, t, "offer", user, detail);
	snprintf(detail, sizeof detail, "offered ticket %" PRId64 ", answer within %d s", t->w.id,
	    timeout);
	broker_emit_truck(b, k, "offer", user, detail);
	log_info("ticket %" PRId64 " offered to truck %s (%d s)", t->w.id, k->w.id, timeout);
}

/* Take t's truck off it. kind "decline" or "timeout": the truck refused (counted on it, and
 * it is not offered t again); "release": it was taken away. The ticket goes back to new. */
static void
drop_truck(struct broker *b, struct bticket *t, const char *kind, const char *user,
    const char *ticket_detail, const char *truck_detail)
{
	struct btruck *k = t->truck;
	int64_t now = broker_now(b);

	if (k != NULL && strcmp(kind, "release") != 0) {
		add_declined(t, k);
		k->w.declines++;
		PROTO_SET(&k->w, truck, declines);
	}
	if (t->state != TICKET_DISPATCHED)
		t->round_start = 0; /* a job handed back: the clock starts at the next offer */
	release_truck(b, t, user, kind, truck_detail);
	set_state(t, TICKET_NEW, now);
	t->w.eta = 0;
	t->w.offer_until = 0;
	t->w.present &= ~((uint64_t)1 << PROTO_ticket_eta | (uint64_t)1 << PROTO_ticket_eta_src |
	    (uint64_t)1 << PROTO_ticket_offer_until);
	clear_warning(b, t, WARN_REDISPATCH);
	broker_emit_ticket(b, t, kind, user, ticket_detail);
}

static bool
auto_region(const struct bticket *t)
{
	return t->region == NULL || t->region->auto_dispatch;
}

static struct dispatch_query
query_for(struct broker *b, struct bticket *t, int64_t now)
{
	roll_day(b, now);
	return (struct dispatch_query){
		.ticket = ticket_view(t), .skip = t->declined, .n_skip = (size_t)t->n_declined,
		.available_only = false, .now = now,
	};
}

/* The best truck is still on a job nearby: wait for it (said once per truck waited for). */
static void
hold(struct broker *b, struct bticket *t, const struct dispatch_candidate *c,
    struct dispatch_query *q)
{
	struct dispatch_candidate alt;
	char detail[400];

	if (t->held && t->hold == c->id)
		return;
	if (!t->held) {
		t->held = true;
		b->n_held++;
	}
	t->hold = c->id;
	q->available_only = true;
	size_t n = dispatch_rank(&b->rules, b->eta, &b->fleet, q, 1, &alt, NULL);
	int len = snprintf(detail, sizeof detail, "waiting for %s (%s, free in ~%" PRId64
	    " min, ETA %" PRId64 " min)", c->truck, c->status == TRUCK_TOWING ? "towing" :
	    "on scene", ceil_min(c->job_ms), ceil_min(c->travel_ms + c->job_ms));
	if (len > 0 && (size_t)len < sizeof detail) {
		if (n > 0)
			snprintf(detail + len, sizeof detail - (size_t)len, " rather than %s (ETA %"
			    PRId64 " min, score %.0f vs %.0f)", alt.truck, ceil_min(alt.travel_ms),
			    alt.score, c->score);
		else
			snprintf(detail + len, sizeof detail - (size_t)len, "; no truck is free");
	}
	broker_emit_ticket(b, t, "hold", "", detail);
}

/* BROKER_POLICY_NEAREST, the baseline of the dispatch-quality benchmark: the straight-line
 * nearest idle truck able to serve the fault. The built-in model's travel time grows with
 * the straight-line distance alone for a given ticket, so a ranking of free trucks by it,
 * every other term zeroed, picks exactly that truck (ties: oldest last offer, then id). */
static void
nearest_rules(const struct dispatch_rules *r, struct dispatch_rules *out)
{
	*out = *r;
	out->tune.pref_s = 0;
	out->tune.quality_s = 0;
	out->tune.load_s = 0;
	out->tune.rot_offer_s = 0;
	out->tune.rot_recent_s = 0;
	out->tune.rot_supplier_s = 0;
	out->tune.stale_s = 0;
}

/* Offer a waiting ticket to its best candidate, or wait for a better one finishing a job. */
static bool
try_dispatch(struct broker *b, struct bticket *t)
{
	struct dispatch_candidate c;
	int64_t now = broker_now(b);
	struct dispatch_query q = query_for(b, t, now);
	struct dispatch_rules nearest;
	const struct dispatch_rules *rules = &b->rules;

	if (b->opts.policy == BROKER_POLICY_NEAREST) {
		nearest_rules(&b->rules, &nearest);
		rules = &nearest;
		q.available_only = true;
	}
	if (dispatch_rank(rules, b->eta, &b->fleet, &q, 1, &c, NULL) == 0) {
		unhold(b, t);
		return false;
	}
	if (c.status == TRUCK_AVAILABLE) {
		offer(b, t, b->trucks[c.id], &c, "", "");
		return true;
	}
	hold(b, t, &c, &q);
	return false;
}

/* ---- replies ---- */

static void
reply_ticket(struct proto_buf *out, const struct proto_request *req, const struct bticket *t)
{
	proto_encode_reply_ok(out, req->cmd_id, proto_descs[req->op].wire);
	broker_pack_ticket(t, out);
}

static int
reply_error(struct proto_buf *out, const struct proto_request *req, enum proto_err code,
    const char *fmt, ...) RD_PRINTF(4, 5);

static int
reply_error(struct proto_buf *out, const struct proto_request *req, enum proto_err code,
    const char *fmt, ...)
{
	char msg[200];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	proto_buf_reset(out);
	proto_encode_reply_error(out, req->cmd_id, proto_descs[req->op].wire, code, msg);
	return -1;
}

static bool
blank(const char *s)
{
	for (; *s; s++)
		if (*s != ' ' && *s != '\t')
			return false;
	return true;
}

/* ---- handlers ---- */

static void
op_hello(struct broker *b, const struct proto_request *req, struct proto_buf *out)
{
	struct proto_hello_result r = {
		.proto = PROTO_VERSION, .epoch = b->epoch, .time_scale = (int64_t)b->opts.time_scale,
		.now = broker_now(b), .present = PROTO_ALL,
	};
	PROTO_STRSET(r.server, "rescuedeskd");
	PROTO_STRSET(r.version, RD_VERSION);
	PROTO_STRSET(r.user, req->user[0] ? req->user : "anonymous");
	if (r.time_scale < 1)
		r.time_scale = 1;
	proto_encode_reply_ok(out, req->cmd_id, "hello");
	proto_pack_obj(out, PROTO_MSG_hello_result, &r, 0);
}

static int
op_intake(struct broker *b, const struct proto_request *req, struct proto_buf *out)
{
	const struct proto_intake_create *a = &req->args.intake_create;
	const struct data_region *r = data_region(b->data, a->region);
	int fault = ticket_fault_parse(a->fault);
	const char *why;

	if (r == NULL)
		return reply_error(out, req, PROTO_E_BAD_REQUEST, "unknown region '%.32s'", a->region);
	if (fault < 0)
		return reply_error(out, req, PROTO_E_BAD_REQUEST, "unknown fault '%.24s'", a->fault);
	if (blank(a->customer))
		return reply_error(out, req, PROTO_E_BAD_REQUEST, "customer: name is empty");
	if ((why = ticket_phone_invalid(a->phone)) != NULL)
		return reply_error(out, req, PROTO_E_BAD_REQUEST, "phone: %s", why);
	if (blank(a->plate))
		return reply_error(out, req, PROTO_E_BAD_REQUEST, "plate: empty");
	if (blank(a->address))
		return reply_error(out, req, PROTO_E_BAD_REQUEST, "address: empty");
	double d = geo_distance_m((struct geo_point){ a->lat, a->lon },
	    (struct geo_point){ r->lat, r->lon });
	if (d > FAR_FROM_REGION_M)
		return reply_error(out, req, PROTO_E_BAD_REQUEST,
		    "location is %.0f km from region %s; check the coordinates", d / 1000, r->id);

	int64_t now = broker_now(b);
	struct bticket *t = xcalloc(1, sizeof *t);
	struct proto_ticket *w = &t->w;
	w->id = (int64_t)b->n_tickets + 1;
	PROTO_STRSET(w->region, r->id);
	PROTO_STRSET(w->customer, a->customer);
	PROTO_STRSET(w->phone, a->phone);
	PROTO_STRSET(w->plate, a->plate);
	PROTO_STRSET(w->model, a->model);
	w->lat = a->lat;
	w->lon = a->lon;
	PROTO_STRSET(w->address, a->address);
	PROTO_STRSET(w->landmark, a->landmark);
	PROTO_STRSET(w->fault, ticket_fault_name((enum ticket_fault)fault));
	w->flags = a->flags;
	w->priority = ticket_priority((uint32_t)a->flags, (enum ticket_fault)fault);
	w->created = now;
	bool expressway = (a->flags & TICKET_FLAG_EXPRESSWAY) != 0;
	w->promised = now + (int64_t)(expressway ? r->promise_expressway_min : r->promise_min) * 60000;
	w->present = PROTO_ALL & ~((uint64_t)1 << PROTO_ticket_eta | (uint64_t)1 << PROTO_ticket_eta_src |
	    (uint64_t)1 << PROTO_ticket_t_dispatched | (uint64_t)1 << PROTO_ticket_t_accepted |
	    (uint64_t)1 << PROTO_ticket_t_en_route | (uint64_t)1 << PROTO_ticket_t_on_scene |
	    (uint64_t)1 << PROTO_ticket_t_towing | (uint64_t)1 << PROTO_ticket_t_closed |
	    (uint64_t)1 << PROTO_ticket_truck | (uint64_t)1 << PROTO_ticket_offer_until);
	bool has_note = !blank(a->notes);
	if (has_note) {
		PROTO_STRSET(w->last_note, a->notes);
		w->notes = 1;
	}
	t->fault = (enum ticket_fault)fault;
	t->region = r;
	set_state(t, TICKET_NEW, now);
	broker_ticket_put(b, t);
	b->n_open++;
	char detail[160];
	snprintf(detail, sizeof detail, "call taken: %s in %s, promised in %d min",
	    w->fault, r->id, expressway ? r->promise_expressway_min : r->promise_min);
	broker_emit_ticket(b, t, "created", req->user, detail);
	if (has_note)
		broker_emit_ticket(b, t, "note", req->user, a->notes);
	if (auto_region(t))
		try_dispatch(b, t);
	log_info("ticket %" PRId64 " created (%s, %s)", w->id, r->id, w->fault);
	reply_ticket(out, req, t);
	return 0;
}

static struct bticket *
find_ticket(struct broker *b, const struct proto_request *req, int64_t id, struct proto_buf *out)
{
	struct bticket *t = broker_ticket(b, id);
	if (t == NULL)
		reply_error(out, req, PROTO_E_NOT_FOUND, "no ticket %" PRId64, id);
	return t;
}

static void
finish(struct broker *b, struct bticket *t, enum ticket_state s, const char *user,
    const char *why)
{
	int64_t now = broker_now(b);
	char detail[240];

	set_state(t, s, now);
	b->n_open--;
	unhold(b, t);
	t->round_start = 0;
	if (PROTO_HAS(&t->w, ticket, offer_until)) {
		t->w.offer_until = 0;
		t->w.present &= ~((uint64_t)1 << PROTO_ticket_offer_until);
	}
	close_warnings(b, t);
	snprintf(detail, sizeof detail, "released from ticket %" PRId64 ": %s", t->w.id,
	    ticket_state_name(s));
	release_truck(b, t, user, "release", detail);
	snprintf(detail, sizeof detail, "%s%s%s", ticket_state_name(s), why[0] ? ": " : "", why);
	broker_emit_ticket(b, t, "state", user, detail);
}

/* The supplier accepts the offer of t to its truck (eta_s < 0: no ETA given). */
static void
accept_offer(struct broker *b, struct bticket *t, const char *user, int64_t eta_s)
{
	int64_t now = broker_now(b);
	struct btruck *k = t->truck;
	char detail[240];

	set_state(t, TICKET_ACCEPTED, now);
	if (eta_s >= 0) {
		set_eta(t, now + eta_s * 1000, "supplier");
		t->eta_updated = now;
	}
	t->w.offer_until = 0;
	t->w.present &= ~((uint64_t)1 << PROTO_ticket_offer_until);
	t->round_start = 0;
	clear_warning(b, t, WARN_NOT_ACCEPTED);
	if (eta_s >= 0)
		snprintf(detail, sizeof detail, "%s accepted, supplier ETA %" PRId64 " min",
		    k ? k->w.id : "", (eta_s + 59) / 60);
	else
		snprintf(detail, sizeof detail, "%s accepted", k ? k->w.id : "");
	broker_emit_ticket(b, t, "accept", user, detail);
	if (k != NULL) {
		set_truck_status(b, k, TRUCK_ASSIGNED);
		broker_truck_reindex(b, k);
		snprintf(detail, sizeof detail, "accepted ticket %" PRId64, t->w.id);
		broker_emit_truck(b, k, "accept", user, detail);
	}
}

/* The truck of t refuses it (an offer declined, or an accepted job handed back); the next
 * candidate gets it where the broker dispatches by itself. */
static void
decline_offer(struct broker *b, struct bticket *t, const char *user, const char *reason)
{
	struct btruck *k = t->truck;
	char td[320], kd[320];
	bool offered = t->state == TICKET_DISPATCHED;

	snprintf(td, sizeof td, "%s %s: %s", k ? k->w.id : "", offered ? "declined" :
	    "gave the job back", reason);
	snprintf(kd, sizeof kd, "%s ticket %" PRId64 ": %s", offered ? "declined" : "gave back",
	    t->w.id, reason);
	drop_truck(b, t, "decline", user, td, kd);
	if (auto_region(t))
		try_dispatch(b, t);
}

static int
op_set_state(struct broker *b, const struct proto_request *req, struct proto_buf *out)
{
	const struct proto_ticket_set_state *a = &req->args.ticket_set_state;
	struct bticket *t = find_ticket(b, req, a->id, out);
	int s = ticket_state_parse(a->state);
	int64_t now = broker_now(b);
	char detail[240];

	if (t == NULL)
		return -1;
	if (s < 0)
		return reply_error(out, req, PROTO_E_BAD_REQUEST, "unknown state '%.24s'", a->state);
	if (s == TICKET_DISPATCHED)
		return reply_error(out, req, PROTO_E_INVALID_STATE,
		    "use ticket.assign to dispatch a ticket to a truck");
	if (!ticket_transition_ok(t->state, (enum ticket_state)s))
		return reply_error(out, req, PROTO_E_INVALID_STATE, "ticket %" PRId64
		    " cannot go from %s to %s", t->w.id, ticket_state_name(t->state),
		    ticket_state_name((enum ticket_state)s));
	if (s == TICKET_CANCELLED && blank(a->reason))
		return reply_error(out, req, PROTO_E_BAD_REQUEST, "a cancellation needs a reason");
	switch ((enum ticket_state)s) {
	case TICKET_NEW:
		/* offer.decline without naming the truck, or an accepted job handed back */
		decline_offer(b, t, req->user, blank(a->reason) ? "declined" : a->reason);
		break;
	case TICKET_ACCEPTED:
		/* offer.accept without naming the truck */
		accept_offer(b, t, req->user, PROTO_HAS(a, ticket_set_state, eta_s) ? a->eta_s : -1);
		break;
	case TICKET_EN_ROUTE:
	case TICKET_ON_SCENE:
	case TICKET_TOWING: {
		static const enum truck_status ts[] = {
			[TICKET_EN_ROUTE] = TRUCK_EN_ROUTE, [TICKET_ON_SCENE] = TRUCK_ON_SCENE,
			[TICKET_TOWING] = TRUCK_TOWING,
		};
		set_state(t, (enum ticket_state)s, now);
		if (s == TICKET_ON_SCENE) {
			clear_warning(b, t, WARN_ETA_LATE);
			clear_warning(b, t, WARN_OVERDUE);
			clear_warning(b, t, WARN_GPS_LOST);
			clear_warning(b, t, WARN_STALLED);
			clear_warning(b, t, WARN_REDISPATCH);
		}
		if (s == TICKET_EN_ROUTE && t->truck != NULL) {
			/* time at the depot before leaving is not a stall */
			t->truck->still_lat = t->truck->w.lat;
			t->truck->still_lon = t->truck->w.lon;
			t->truck->still_since = t->truck->w.fix_ts > now ? t->truck->w.fix_ts : now;
		}
		snprintf(detail, sizeof detail, "%s%s%s", ticket_state_name((enum ticket_state)s),
		    a->reason[0] ? ": " : "", a->reason);
		broker_emit_ticket(b, t, "state", req->user, detail);
		if (t->truck != NULL) {
			set_truck_status(b, t->truck, ts[s]);
			broker_truck_reindex(b, t->truck);
			broker_emit_truck(b, t->truck, "status", req->user,
			    ticket_state_name((enum ticket_state)s));
		}
		break;
	}
	case TICKET_COMPLETED:
	case TICKET_CANCELLED:
	case TICKET_RESOLVED_REMOTE:
		finish(b, t, (enum ticket_state)s, req->user, a->reason);
		break;
	case TICKET_DISPATCHED:
	case TICKET_STATE_COUNT:
		break;
	}
	reply_ticket(out, req, t);
	return 0;
}

/* The ticket an offer answer is about, if it is offered to that truck now. */
static struct bticket *
offered_ticket(struct broker *b, const struct proto_request *req, int64_t id, const char *truck,
    struct proto_buf *out)
{
	struct bticket *t = find_ticket(b, req, id, out);
	if (t == NULL)
		return NULL;
	struct btruck *k = hmap_get(b->truck_by_id, truck);
	if (k == NULL) {
		reply_error(out, req, PROTO_E_NOT_FOUND, "no truck '%.24s'", truck);
		return NULL;
	}
	if (t->state != TICKET_DISPATCHED) {
		reply_error(out, req, PROTO_E_INVALID_STATE, "ticket %" PRId64
		    " is %s: there is no offer to answer", t->w.id, ticket_state_name(t->state));
		return NULL;
	}
	if (t->truck != k) {
		reply_error(out, req, PROTO_E_CONFLICT, "ticket %" PRId64 " is offered to %s, not %s",
		    t->w.id, t->truck ? t->truck->w.id : "nobody", k->w.id);
		return NULL;
	}
	return t;
}

static int
op_offer_accept(struct broker *b, const struct proto_request *req, struct proto_buf *out)
{
	const struct proto_offer_accept *a = &req->args.offer_accept;
	struct bticket *t = offered_ticket(b, req, a->id, a->truck, out);
	if (t == NULL)
		return -1;
	accept_offer(b, t, req->user, a->eta_s);
	reply_ticket(out, req, t);
	return 0;
}

static int
op_offer_decline(struct broker *b, const struct proto_request *req, struct proto_buf *out)
{
	const struct proto_offer_decline *a = &req->args.offer_decline;
	if (blank(a->reason))
		return reply_error(out, req, PROTO_E_BAD_REQUEST, "a decline needs a reason");
	struct bticket *t = offered_ticket(b, req, a->id, a->truck, out);
	if (t == NULL)
		return -1;
	decline_offer(b, t, req->user, a->reason);
	reply_ticket(out, req, t);
	return 0;
}

static int
op_cancel(struct broker *b, const struct proto_request *req, struct proto_buf *out)
{
	const struct proto_ticket_cancel *a = &req->args.ticket_cancel;
	struct bticket *t = find_ticket(b, req, a->id, out);
	if (t == NULL)
		return -1;
	if (blank(a->reason))
		return reply_error(out, req, PROTO_E_BAD_REQUEST, "a cancellation needs a reason");
	if (!ticket_transition_ok(t->state, TICKET_CANCELLED))
		return reply_error(out, req, PROTO_E_INVALID_STATE, "ticket %" PRId64
		    " is %s and can no longer be cancelled", t->w.id, ticket_state_name(t->state));
	finish(b, t, TICKET_CANCELLED, req->user, a->reason);
	reply_ticket(out, req, t);
	return 0;
}

static int
op_note(struct broker *b, const struct proto_request *req, struct proto_buf *out)
{
	const struct proto_ticket_note *a = &req->args.ticket_note;
	struct bticket *t = find_ticket(b, req, a->id, out);
	if (t == NULL)
		return -1;
	if (blank(a->text))
		return reply_error(out, req, PROTO_E_BAD_REQUEST, "the note is empty");
	PROTO_STRSET(t->w.last_note, a->text);
	t->w.notes++;
	PROTO_SET(&t->w, ticket, last_note);
	PROTO_SET(&t->w, ticket, notes);
	broker_emit_ticket(b, t, "note", req->user, a->text);
	reply_ticket(out, req, t);
	return 0;
}

static int
op_assign(struct broker *b, const struct proto_request *req, struct proto_buf *out)
{
	const struct proto_ticket_assign *a = &req->args.ticket_assign;
	struct bticket *t = find_ticket(b, req, a->id, out);
	char td[320], kd[320], why[64];
	if (t == NULL)
		return -1;
	struct btruck *k = hmap_get(b->truck_by_id, a->truck);
	if (k == NULL)
		return reply_error(out, req, PROTO_E_NOT_FOUND, "no truck '%.24s'", a->truck);
	if (!ticket_transition_ok(t->state, TICKET_DISPATCHED))
		return reply_error(out, req, PROTO_E_INVALID_STATE, "ticket %" PRId64
		    " is %s and cannot be dispatched", t->w.id, ticket_state_name(t->state));
	if (k->job == t)
		return reply_error(out, req, PROTO_E_CONFLICT, "truck %s already has ticket %" PRId64,
		    k->w.id, t->w.id);
	if (k->job != NULL)
		return reply_error(out, req, PROTO_E_CONFLICT, "truck %s is busy with ticket %" PRId64,
		    k->w.id, k->job->w.id);
	if (k->status != TRUCK_AVAILABLE)
		return reply_error(out, req, PROTO_E_CONFLICT, "truck %s is %s", k->w.id,
		    truck_status_name(k->status));
	if (!(b->rules.kinds[t->fault] & (1u << k->kind)))
		return reply_error(out, req, PROTO_E_INVALID_STATE, "a %s cannot handle %s",
		    k->w.kind, t->w.fault);
	if (!k->placed)
		return reply_error(out, req, PROTO_E_CONFLICT, "truck %s has sent no position yet",
		    k->w.id);
	double far = geo_distance_m((struct geo_point){ k->w.lat, k->w.lon },
	    (struct geo_point){ t->w.lat, t->w.lon });
	if (far > b->rules.tune.max_m)
		return reply_error(out, req, PROTO_E_INVALID_STATE,
		    "truck %s is %.0f km away (the limit is %.0f km)", k->w.id, far / 1000,
		    b->rules.tune.max_m / 1000);
	if (t->truck != NULL) {
		/* re-dispatch: the first truck loses the offer or the job, and is told */
		snprintf(td, sizeof td, "%s released: re-dispatched to %s", t->truck->w.id, k->w.id);
		snprintf(kd, sizeof kd, "released from ticket %" PRId64 ": re-dispatched to %s",
		    t->w.id, k->w.id);
		log_info("ticket %" PRId64 ": %s", t->w.id, td);
		drop_truck(b, t, "release", req->user, td, kd);
	}
	snprintf(why, sizeof why, "chosen by %s", req->user[0] ? req->user : "an agent");
	offer(b, t, k, NULL, req->user, why);
	reply_ticket(out, req, t);
	return 0;
}

/* Up to k ranked candidates for ticket t, with their reasons. Read-only. */
static int
op_candidates(struct broker *b, const struct proto_request *req, struct proto_buf *out)
{
	const struct proto_dispatch_candidates *a = &req->args.dispatch_candidates;
	struct bticket *t = find_ticket(b, req, a->id, out);
	struct dispatch_candidate c[DISPATCH_K_MAX];
	uint32_t skip[DECLINED_MAX + 1];
	if (t == NULL)
		return -1;
	if (ticket_state_final(t->state))
		return reply_error(out, req, PROTO_E_INVALID_STATE, "ticket %" PRId64 " is %s",
		    t->w.id, ticket_state_name(t->state));
	int64_t now = broker_now(b);
	struct dispatch_query q = query_for(b, t, now);
	memcpy(skip, t->declined, (size_t)t->n_declined * sizeof *skip);
	q.skip = skip;
	if (t->truck != NULL)
		skip[q.n_skip++] = t->truck->gid;
	size_t want = PROTO_HAS(a, dispatch_candidates, k) ? (size_t)a->k : 5;
	size_t n = dispatch_rank(&b->rules, b->eta, &b->fleet, &q, want, c, NULL);

	proto_encode_reply_ok(out, req->cmd_id, "dispatch.candidates");
	proto_pack_map(out, 2);
	proto_pack_str(out, "ticket");
	broker_pack_ticket(t, out);
	proto_pack_str(out, "candidates");
	proto_pack_array(out, (uint32_t)n);
	for (size_t i = 0; i < n; i++) {
		const struct btruck *k = b->trucks[c[i].id];
		struct proto_candidate w = { .present = PROTO_ALL };
		char why[256];
		PROTO_STRSET(w.truck, k->w.id);
		PROTO_STRSET(w.supplier, k->w.supplier);
		PROTO_STRSET(w.kind, truck_kind_name(c[i].kind));
		PROTO_STRSET(w.status, truck_status_name(c[i].status));
		w.km = c[i].dist_m / 1000.0;
		w.eta_s = (c[i].travel_ms + c[i].job_ms + 999) / 1000;
		PROTO_STRSET(w.eta_src, c[i].eta_src);
		w.gps_age_s = c[i].gps_age_ms / 1000;
		w.load = (int64_t)lround(c[i].load * 100);
		w.quality = c[i].quality;
		w.offers = c[i].offers_today;
		w.score = c[i].score;
		w.stale = c[i].stale;
		dispatch_why(&c[i], why, sizeof why);
		PROTO_STRSET(w.why, why);
		proto_pack_obj(out, PROTO_MSG_candidate, &w, 0);
	}
	return 0;
}

/* The most recent HISTORY_MAX events of a ticket, in a ring, oldest first when read. */
struct events_ctx {
	struct proto_event *ring;
	size_t n; /* events seen */
};

static int
event_cb(void *vctx, const struct store_event *ev)
{
	struct events_ctx *c = vctx;
	struct proto_event *e = &c->ring[c->n % HISTORY_MAX];
	memset(e, 0, sizeof *e);
	e->id = ev->id;
	e->ts = ev->ts;
	e->present = PROTO_ALL;
	PROTO_STRSET(e->kind, ev->kind);
	PROTO_STRSET(e->user, ev->user);
	PROTO_STRSET(e->detail, ev->detail);
	c->n++;
	return 0;
}

static int
op_get(struct broker *b, const struct proto_request *req, struct proto_buf *out)
{
	struct bticket *t = find_ticket(b, req, req->args.ticket_get.id, out);
	char id[24];
	if (t == NULL)
		return -1;
	struct events_ctx c = { .ring = xcalloc(HISTORY_MAX, sizeof *c.ring) };
	snprintf(id, sizeof id, "%" PRId64, t->w.id);
	if (store_events_of(b->store, "ticket", id, event_cb, &c) < 0) {
		free(c.ring);
		return reply_error(out, req, PROTO_E_INTERNAL, "reading history: %s",
		    store_errmsg(b->store));
	}
	size_t shown = c.n < HISTORY_MAX ? c.n : HISTORY_MAX;
	proto_encode_reply_ok(out, req->cmd_id, "ticket.get");
	proto_pack_map(out, 2);
	proto_pack_str(out, "ticket");
	broker_pack_ticket(t, out);
	proto_pack_str(out, "events");
	proto_pack_array(out, (uint32_t)shown);
	for (size_t i = c.n - shown; i < c.n; i++)
		proto_pack_obj(out, PROTO_MSG_event, &c.ring[i % HISTORY_MAX], 0);
	free(c.ring);
	return 0;
}

static bool
mutating(int op)
{
	return op != PROTO_MSG_hello && op != PROTO_MSG_snapshot && op != PROTO_MSG_ticket_get &&
	    op != PROTO_MSG_dispatch_candidates;
}

void
broker_handle(struct broker *b, const struct proto_request *req, struct proto_buf *out,
    const unsigned char *rid, size_t rid_len, bool delim)
{
	proto_buf_reset(out);
	if (!mutating(req->op)) {
		if (req->op == PROTO_MSG_hello)
			op_hello(b, req, out);
		else if (req->op == PROTO_MSG_dispatch_candidates)
			op_candidates(b, req, out);
		else
			op_get(b, req, out);
		broker_reply(b, rid, rid_len, delim, out->data, out->len);
		return;
	}
	if (!broker_txn(b))
		return;
	void *stored;
	size_t stored_len;
	int found = store_reply_get(b->store, req->user, req->cmd_id, &stored, &stored_len);
	if (found < 0) {
		log_error("store: %s", store_errmsg(b->store));
		b->fatal = true;
		return;
	}
	if (found == 1) {
		/* a retry: the same answer as the first time, and no second change */
		b->st.replays++;
		broker_reply(b, rid, rid_len, delim, stored, stored_len);
		free(stored);
		return;
	}
	switch (req->op) {
	case PROTO_MSG_intake_create:
		op_intake(b, req, out);
		break;
	case PROTO_MSG_ticket_note:
		op_note(b, req, out);
		break;
	case PROTO_MSG_ticket_set_state:
		op_set_state(b, req, out);
		break;
	case PROTO_MSG_ticket_cancel:
		op_cancel(b, req, out);
		break;
	case PROTO_MSG_ticket_assign:
		op_assign(b, req, out);
		break;
	case PROTO_MSG_offer_accept:
		op_offer_accept(b, req, out);
		break;
	case PROTO_MSG_offer_decline:
		op_offer_decline(b, req, out);
		break;
	default:
		reply_error(out, req, PROTO_E_UNKNOWN_OP, "op %s is not served here",
		    proto_descs[req->op].wire);
		break;
	}
	if (store_reply_put(b->store, req->user, req->cmd_id, rd_now_ms(), out->data, out->len) < 0) {
		log_error("store: %s", store_errmsg(b->store));
		b->fatal = true;
		return;
	}
	broker_reply(b, rid, rid_len, delim, out->data, out->len);
}

/* ---- feed ---- */

void
broker_handle_feed(struct broker *b, const struct proto_feed *f)
{
	int64_t now = broker_now(b);

	if (f->type == PROTO_MSG_fix) {
		const struct proto_fix *x = &f->msg.fix;
		struct btruck *k = hmap_get(b->truck_by_id, x->truck);
		if (k == NULL) {
			b->st.bad_feed++;
			return; /* a truck must announce itself with a status first */
		}
		if (x->ts > now + FUTURE_FIX_MS) {
			b->st.bad_feed++; /* a clock far ahead would block every later fix */
			return;
		}
		b->st.fixes++;
		if (PROTO_HAS(&k->w, truck, fix_ts) && x->ts < k->w.fix_ts)
			return; /* older than what we have */
		/* now it can be found (a first fix, or one after so long that the truck was left
		 * out): retry waiting tickets */
		int64_t max_age = (int64_t)b->rules.gps_stale_s * 1000 * b->rules.tune.max_age_factor;
		if (k->status == TRUCK_AVAILABLE && (!k->placed || now - k->w.fix_ts > max_age))
			b->avail_changed = true;
		k->w.lat = x->lat;
		k->w.lon = x->lon;
		k->w.fix_ts = x->ts;
		k->w.speed_kmh = PROTO_HAS(x, fix, speed_kmh) ? x->speed_kmh : 0;
		k->w.heading = PROTO_HAS(x, fix, heading) ? x->heading : 0;
		k->w.present |= (uint64_t)1 << PROTO_truck_lat | (uint64_t)1 << PROTO_truck_lon |
		    (uint64_t)1 << PROTO_truck_fix_ts | (uint64_t)1 << PROTO_truck_speed_kmh |
		    (uint64_t)1 << PROTO_truck_heading;
		if (!k->placed || geo_distance_m((struct geo_point){ k->still_lat, k->still_lon },
		    (struct geo_point){ x->lat, x->lon }) > STALL_MOVE_M) {
			k->still_lat = x->lat;
			k->still_lon = x->lon;
			k->still_since = x->ts;
		}
		k->placed = true;
		k->pos_dirty = true;
		broker_truck_reindex(b, k);
		return;
	}

	const struct proto_status *s = &f->msg.status;
	int st = truck_status_parse(s->status);
	if (st != TRUCK_AVAILABLE && st != TRUCK_OFF_DUTY) {
		b->st.bad_feed++;
		log_debug("feed: truck %s: status '%s' is not one a supplier sets", s->truck, s->status);
		return;
	}
	struct btruck *k = hmap_get(b->truck_by_id, s->truck);
	if (k == NULL) {
		if (!PROTO_HAS(s, status, kind) || truck_kind_parse(s->kind) < 0) {
			b->st.bad_feed++;
			log_debug("feed: new truck %s without a valid kind", s->truck);
			return;
		}
		struct proto_truck w = { .present = 0 };
		PROTO_STRSET(w.id, s->truck);
		PROTO_STRSET(w.kind, s->kind);
		PROTO_STRSET(w.status, s->status);
		PROTO_STRSET(w.supplier, s->supplier);
		PROTO_STRSET(w.region, s->region);
		w.present = (uint64_t)1 << PROTO_truck_supplier | (uint64_t)1 << PROTO_truck_region;
		k = broker_truck_add(b, &w);
		k->still_since = now;
		b->avail_changed = true;
		broker_emit_truck(b, k, "registered", "", s->status);
		return;
	}
	bool changed = false;
	if (PROTO_HAS(s, status, supplier) && strcmp(k->w.supplier, s->supplier) != 0) {
		PROTO_STRSET(k->w.supplier, s->supplier);
		changed = true;
	}
	if (PROTO_HAS(s, status, region) && strcmp(k->w.region, s->region) != 0) {
		PROTO_STRSET(k->w.region, s->region);
		changed = true;
	}
	if (changed)
		truck_resup(b, k);
	if (PROTO_HAS(s, status, kind) && truck_kind_parse(s->kind) >= 0 &&
	    strcmp(k->w.kind, s->kind) != 0) {
		PROTO_STRSET(k->w.kind, s->kind);
		k->kind = (enum truck_kind)truck_kind_parse(s->kind);
		b->avail_changed = true;
		changed = true;
	}
	/* A truck on a job stays on it: going off duty takes effect when the job ends. */
	if (k->job != NULL) {
		k->off_after_job = st == TRUCK_OFF_DUTY;
	} else if (k->status != (enum truck_status)st) {
		set_truck_status(b, k, (enum truck_status)st);
		changed = true;
	}
	if (changed) {
		broker_truck_reindex(b, k);
		broker_emit_truck(b, k, "status", "", s->status);
	}
}

/* ---- monitoring ---- */

/* The rules live in src/monitor.c: here the broker gives the monitor its view of a ticket,
 * ranks a re-dispatch when the monitor could want one, refreshes the ETA from the truck's
 * position, and raises, changes and clears its warnings to match the monitor's result. */

/* The wire keys that carry a warning's parameters (all optional). */
#define WARN_PARAMS                                                                    \
	((uint64_t)1 << PROTO_warning_subject | (uint64_t)1 << PROTO_warning_since |   \
	    (uint64_t)1 << PROTO_warning_eta | (uint64_t)1 << PROTO_warning_promised | \
	    (uint64_t)1 << PROTO_warning_pct | (uint64_t)1 << PROTO_warning_offers |   \
	    (uint64_t)1 << PROTO_warning_alt_eta | (uint64_t)1 << PROTO_warning_gain_s)

static void
monitor_ticket_of(const struct bticket *t, struct monitor_ticket *mt)
{
	*mt = (struct monitor_ticket){
		.state = t->state,
		.created = t->w.created,
		.promised = t->w.promised,
		.eta = PROTO_HAS(&t->w, ticket, eta) ? t->w.eta : 0,
		.round_start = t->round_start,
		.offers = t->w.offers,
		.last_offered = t->last_offered,
	};
}

static void
monitor_truck_of(const struct btruck *k, struct monitor_truck *mk)
{
	*mk = (struct monitor_truck){
		.id = k->w.id,
		.placed = k->placed,
		.fix_ts = k->w.fix_ts,
		.still_since = k->still_since,
	};
}

static void
clear_warning(struct broker *b, struct bticket *t, enum warn_kind k)
{
	struct bwarn *w = t->warns[k];
	if (w == NULL)
		return;
	t->warns[k] = NULL;
	w->w.cleared = true;
	PROTO_SET(&w->w, warning, cleared);
	w->w.ts = broker_now(b);
	b->n_warns_active--;
	broker_emit_warning(b, w, event_kind_name(EVENT_CLEARED));
}

/* The text and the parameters of m into w: the keys m's kind uses become present, the
 * others absent. */
static void
set_code(struct proto_warning *w, const struct monitor_warning *m)
{
	char text[200];

	monitor_text(m, text, sizeof text);
	PROTO_STRSET(w->text, text);
	PROTO_STRSET(w->level, warn_level_name(m->level));
	w->present &= ~WARN_PARAMS;
	w->subject[0] = '\0';
	w->since = w->eta = w->promised = w->pct = w->offers = w->alt_eta = w->gain_s = 0;
	if (m->subject != NULL) {
		PROTO_STRSET(w->subject, m->subject);
		PROTO_SET(w, warning, subject);
	}
	if (m->since > 0) {
		w->since = m->since;
		PROTO_SET(w, warning, since);
	}
	if (m->eta > 0) {
		w->eta = m->eta;
		PROTO_SET(w, warning, eta);
	}
	if (m->promised > 0) {
		w->promised = m->promised;
		PROTO_SET(w, warning, promised);
	}
	if (m->pct > 0) {
		w->pct = m->pct;
		PROTO_SET(w, warning, pct);
	}
	if (m->kind == WARN_NOT_ACCEPTED) {
		w->offers = m->offers;
		PROTO_SET(w, warning, offers);
	}
	if (m->kind == WARN_REDISPATCH) {
		w->alt_eta = m->alt_eta;
		w->gain_s = m->gain_ms / 1000;
		PROTO_SET(w, warning, alt_eta);
		PROTO_SET(w, warning, gain_s);
	}
	if (m->truck != NULL) {
		PROTO_STRSET(w->truck, m->truck);
		PROTO_SET(w, warning, truck);
	}
}

/* Raise the warning m on t, or change its level (or the truck it proposes). Its text and
 * parameters are published with each of these changes only: the console recomputes what
 * depends on the time from them. */
static void
raise_warning(struct broker *b, struct bticket *t, const struct monitor_warning *m)
{
	struct bwarn *w = t->warns[m->kind];
	if (w != NULL) {
		bool same_truck = m->truck == NULL || strcmp(w->w.truck, m->truck) == 0;
		if (strcmp(w->w.level, warn_level_name(m->level)) == 0 && same_truck)
			return;
		set_code(&w->w, m);
		w->w.ts = broker_now(b);
		broker_emit_warning(b, w, event_kind_name(same_truck ? EVENT_LEVEL : EVENT_UPDATE));
		return;
	}
	w = xcalloc(1, sizeof *w);
	w->ticket = t;
	w->w.id = (int64_t)b->n_warns + 1;
	w->w.ticket = t->w.id;
	PROTO_STRSET(w->w.kind, warn_kind_name(m->kind));
	w->w.present = PROTO_ALL & ~((uint64_t)1 << PROTO_warning_truck | WARN_PARAMS);
	set_code(&w->w, m);
	w->w.ts = broker_now(b);
	if (b->n_warns == b->cap_warns) {
		b->cap_warns = b->cap_warns ? b->cap_warns * 2 : 256;
		b->warns = xreallocarray(b->warns, b->cap_warns, sizeof *b->warns);
	}
	b->warns[b->n_warns++] = w;
	t->warns[m->kind] = w;
	b->n_warns_active++;
	broker_emit_warning(b, w, event_kind_name(EVENT_RAISED));
	log_info("warning %s on ticket %" PRId64 ": %s", w->w.kind, t->w.id, w->w.level);
}

/* The free truck that would reach t first, other than its own and those that declined it:
 * what the monitor's redispatch rule weighs against t's ETA. */
static bool
propose(struct broker *b, struct bticket *t, int64_t now, struct dispatch_candidate *c)
{
	uint32_t skip[DECLINED_MAX + 1];

	struct dispatch_query q = query_for(b, t, now);
	memcpy(skip, t->declined, (size_t)t->n_declined * sizeof *skip);
	skip[q.n_skip++] = t->truck->gid;
	q.skip = skip;
	q.available_only = true;
	return dispatch_rank(&b->rules, b->eta, &b->fleet, &q, 1, c, NULL) > 0;
}

static void
watch(struct broker *b, struct bticket *t, int64_t now)
{
	const struct data_sla *sla = &b->data->sla;
	struct btruck *k = t->truck;
	struct monitor_ticket mt;
	struct monitor_truck mk;
	struct monitor_result r;
	struct dispatch_candidate c;
	struct monitor_proposal p, *pp = NULL;

	monitor_ticket_of(t, &mt);
	if (k != NULL)
		monitor_truck_of(k, &mk);

	/* ETA refresh from the truck's live position */
	if ((t->state == TICKET_ACCEPTED || t->state == TICKET_EN_ROUTE) && k != NULL &&
	    k->placed) {
		int64_t eta = now + travel_ms(b, t, k, now);
		const char *src = monitor_gps_stale(&mk, sla, now) ? "stale" : b->eta->src;
		if (t->state == TICKET_ACCEPTED && strcmp(t->w.eta_src, "supplier") == 0 &&
		    t->w.eta > eta)
			eta = t->w.eta; /* the truck has not left; trust the supplier's quote */
		else if ((llabs(eta - t->w.eta) >= ETA_CHANGE_MS || strcmp(src, t->w.eta_src) != 0) &&
		    now - t->eta_updated >= ETA_MIN_GAP_MS) {
			set_eta(t, eta, src);
			t->eta_updated = now;
			char detail[64];
			snprintf(detail, sizeof detail, "ETA now %" PRId64 " min (%s)",
			    (eta - now + 59999) / 60000, src);
			broker_emit_ticket(b, t, event_kind_name(EVENT_ETA), "", detail);
			mt.eta = t->w.eta;
		}
	}

	if (monitor_wants_proposal(&mt, k != NULL ? &mk : NULL) && propose(b, t, now, &c)) {
		p = (struct monitor_proposal){ .truck = c.truck, .travel_ms = c.travel_ms,
		    .min_gain_ms = (int64_t)b->rules.tune.redispatch_gain_s * 1000 };
		pp = &p;
	}
	monitor_check(&mt, k != NULL ? &mk : NULL, pp, sla, now, &r);
	for (int i = 0; i < WARN_KIND_COUNT; i++) {
		if (r.w[i].level == WARN_LEVEL_NONE)
			clear_warning(b, t, (enum warn_kind)i);
		else
			raise_warning(b, t, &r.w[i]);
	}
}

/* Higher priority first, then the oldest. */
static int
by_priority(const void *va, const void *vb)
{
	const struct bticket *a = *(struct bticket *const *)va, *b = *(struct bticket *const *)vb;
	if (a->w.priority != b->w.priority)
		return a->w.priority > b->w.priority ? -1 : 1;
	return (a->w.id > b->w.id) - (a->w.id < b->w.id);
}

/* An offer nobody answered in time: a decline "no answer", and the next candidate. */
static void
expire_offer(struct broker *b, struct bticket *t)
{
	struct btruck *k = t->truck;
	char td[200], kd[200];
	int timeout = k ? offer_timeout_s(b, k) : OFFER_TIMEOUT_DEFAULT_S;

	snprintf(td, sizeof td, "%s: no answer within %d s", k ? k->w.id : "?", timeout);
	snprintf(kd, sizeof kd, "no answer to ticket %" PRId64 " within %d s", t->w.id, timeout);
	log_info("ticket %" PRId64 ": %s", t->w.id, td);
	drop_truck(b, t, "timeout", "", td, kd);
	if (auto_region(t))
		try_dispatch(b, t);
}

void
broker_tick(struct broker *b)
{
	int64_t now = broker_now(b);
	if (b->n_open == 0)
		return;
	/* Offers past their time. */
	for (size_t i = 0; i < b->n_tickets; i++) {
		struct bticket *t = b->tickets[i];
		if (t != NULL && t->state == TICKET_DISPATCHED &&
		    PROTO_HAS(&t->w, ticket, offer_until) && now >= t->w.offer_until) {
			if (!broker_txn(b))
				return;
			expire_offer(b, t);
		}
	}
	/* Waiting tickets, most urgent first, but only when a truck has become available since
	 * the last pass (new tickets are tried at intake), or when some wait for a truck
	 * finishing a job (which may now take longer than a free one). */
	if (b->avail_changed || b->n_held > 0) {
		bool all = b->avail_changed;
		struct bticket **wait = xcalloc(b->n_open + 1, sizeof *wait);
		size_t n = 0;
		for (size_t i = 0; i < b->n_tickets && n < b->n_open; i++) {
			struct bticket *t = b->tickets[i];
			if (t != NULL && t->state == TICKET_NEW && auto_region(t) && (all || t->held))
				wait[n++] = t;
		}
		qsort(wait, n, sizeof *wait, by_priority);
		b->avail_changed = false;
		for (size_t i = 0; i < n && broker_txn(b); i++)
			try_dispatch(b, wait[i]);
		free(wait);
	}
	b->avail_changed = false;
	for (size_t i = 0; i < b->n_tickets; i++) {
		struct bticket *t = b->tickets[i];
		if (t == NULL || ticket_state_final(t->state))
			continue;
		if (!broker_txn(b))
			return;
		watch(b, t, now);
	}
}
