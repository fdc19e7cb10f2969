/* broker-dispatch.c: what happens to a ticket between intake and its end: offers to trucks
 * (ranked by dispatch.c), holds for a truck finishing a job nearby, answers to offers,
 * offer time-outs, re-dispatch and the ticket's state changes. A truck on scene that will be
 * free within chain_s (data/dispatch.ini) may be offered its next job (chaining,
 * PROTOCOL.md 9.1): the ticket is dispatched or accepted to it while the truck stays
 * on_scene on its job, which keeps the next in btruck.next until the job ends. Calls
 * broker-eta.c (the query, travel times, the ETA), broker-watch.c (to clear the warnings
 * an answer or the end of a ticket settles) and broker-supplier.c; every change goes
 * through broker-emit.c (log first, publish after the commit). The loop's tick calls
 * broker_dispatch_tick. */
#include "broker-int.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* Whole minutes, rounded up; 0 for a time past. */
static int64_t
ceil_min(int64_t ms)
{
	return ms <= 0 ? 0 : (ms + 59999) / 60000;
}

/* ---- state changes ---- */

void
broker_ticket_set_state(struct bticket *t, enum ticket_state s, int64_t now)
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
		broker_track_drop(t);
		break;
	case TICKET_NEW:
	case TICKET_STATE_COUNT:
		break;
	}
}

/* Truck k's job is over or gone and it has a next one: it takes it up, `assigned` to it
 * when it was accepted (its supplier then sets it en_route as after any acceptance), or
 * `offered` while the offer waits for its answer. The release is told (event kind, as for
 * a freed truck), then the next job (status, code next_job). */
static void
take_next(struct broker *b, struct btruck *k, const char *user, enum event_kind kind,
    const char *detail, const struct broker_why *why)
{
	struct bticket *n = k->next;
	char line[120];
	struct broker_why bw;

	k->next = NULL;
	k->w.next = 0;
	k->w.present &= ~((uint64_t)1 << PROTO_truck_next);
	k->job = n;
	k->w.ticket = n->w.id;
	PROTO_SET(&k->w, truck, ticket);
	broker_truck_set_status(b, k, n->state == TICKET_DISPATCHED ? TRUCK_OFFERED :
	    TRUCK_ASSIGNED);
	broker_truck_reindex(b, k);
	broker_emit_truck_why(b, k, kind, user, detail, why);
	snprintf(line, sizeof line, "takes up its next job, ticket %" PRId64 " (%s)", n->w.id,
	    ticket_state_name(n->state));
	broker_why_init(&bw, "next_job");
	BWHY_INT(&bw, ticket, n->w.id);
	BWHY_STR(&bw, state, ticket_state_name(n->state));
	broker_emit_truck_why(b, k, EVENT_STATUS, user, line, &bw);
	log_info("truck %s: next job, ticket %" PRId64, k->w.id, n->w.id);
}

/* Free the ticket's truck (it becomes available, or off duty if its supplier asked for that
 * during the job) and tell everyone with a truck event of this kind. */
static void
release_truck(struct broker *b, struct bticket *t, const char *user, enum event_kind kind,
    const char *detail, const struct broker_why *why)
{
	struct btruck *k = t->truck;
	if (k == NULL)
		return;
	t->truck = NULL;
	t->w.truck[0] = '\0';
	t->w.present &= ~((uint64_t)1 << PROTO_ticket_truck);
	if (k->next == t) {
		/* its next job goes: the truck stays on the job it has */
		k->next = NULL;
		k->w.next = 0;
		k->w.present &= ~((uint64_t)1 << PROTO_truck_next);
		b->avail_changed = true; /* it may be offered another next job */
		broker_emit_truck_why(b, k, kind, user, detail, why);
		return;
	}
	if (k->job == t && k->next != NULL) {
		take_next(b, k, user, kind, detail, why);
		return;
	}
	if (k->job == t) {
		k->job = NULL;
		k->w.ticket = 0;
		k->w.present &= ~((uint64_t)1 << PROTO_truck_ticket);
		if (k->off_after_job) {
			k->off_after_job = false;
			broker_truck_set_status(b, k, TRUCK_OFF_DUTY);
		} else if (k->status != TRUCK_OFF_DUTY) {
			broker_truck_set_status(b, k, TRUCK_AVAILABLE);
		}
		broker_truck_reindex(b, k);
		broker_emit_truck_why(b, k, kind, user, detail, why);
	}
}

static void
close_warnings(struct broker *b, struct bticket *t)
{
	for (int k = 0; k < WARN_KIND_COUNT; k++)
		if (t->warns[k])
			broker_clear_warning(b, t, (enum warn_kind)k);
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
	broker_ticket_set_state(t, TICKET_DISPATCHED, now);
	t->w.offers++;
	PROTO_SET(&t->w, ticket, offers);
	t->w.offer_until = now + (int64_t)timeout * 1000;
	PROTO_SET(&t->w, ticket, offer_until);
	if (c != NULL) {
		broker_set_eta(t, now + c->travel_ms + c->job_ms, c->eta_src);
		dispatch_why(c, line, sizeof line);
	} else {
		int64_t travel = broker_travel_ms(b, t, k, now);
		bool stale = now - k->w.fix_ts > (int64_t)b->rules.gps_stale_s * 1000;
		const char *src = stale ? "stale" : b->eta->src;
		broker_set_eta(t, now + travel, src);
		snprintf(line, sizeof line, "%.1f km \xc2\xb7 ETA %" PRId64 " min (%s)",
		    geo_distance_m((struct geo_point){ k->w.lat, k->w.lon },
		    (struct geo_point){ t->w.lat, t->w.lon }) / 1000.0, ceil_min(travel), src);
	}
	t->eta_updated = now;
	PROTO_STRSET(t->last_offered, k->w.id);
	broker_clear_warning(b, t, WARN_WAITING_AGENT); /* a truck is chosen */

	struct bticket *after = k->job != NULL && k->job != t ? k->job : NULL;
	if (after != NULL) {
		k->next = t; /* chained: it stays on scene on its job */
		k->w.next = t->w.id;
		PROTO_SET(&k->w, truck, next);
	} else {
		k->job = t;
		k->w.ticket = t->w.id;
		PROTO_SET(&k->w, truck, ticket);
		broker_truck_set_status(b, k, TRUCK_OFFERED);
	}
	broker_roll_day(b, now);
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

	char for_after[64] = "";
	if (after != NULL)
		snprintf(for_after, sizeof for_after, " for after ticket %" PRId64, after->w.id);
	snprintf(detail, sizeof detail, "offered to %s (%s %s)%s, answer within %d s: %s%s%s",
	    k->w.id, k->w.supplier, k->w.kind, for_after, timeout, why,
	    why[0] ? " \xc2\xb7 " : "", line);
	struct broker_why bw;
	char km[16];
	broker_why_init(&bw, "offer");
	BWHY_STR(&bw, truck, k->w.id);
	BWHY_STR(&bw, supplier, k->w.supplier);
	BWHY_STR(&bw, kind, k->w.kind);
	BWHY_INT(&bw, s, timeout);
	snprintf(km, sizeof km, "%.1f", geo_distance_m((struct geo_point){ k->w.lat, k->w.lon },
	    (struct geo_point){ t->w.lat, t->w.lon }) / 1000.0);
	BWHY_STR(&bw, km, km);
	BWHY_INT(&bw, min, ceil_min(t->w.eta - now));
	BWHY_STR(&bw, src, t->w.eta_src);
	if (c == NULL)
		BWHY_STR(&bw, by, user);
	if (after != NULL)
		BWHY_INT(&bw, after, after->w.id);
	broker_emit_ticket_why(b, t, EVENT_OFFER, user, detail, &bw);
	snprintf(detail, sizeof detail, "offered ticket %" PRId64 "%s, answer within %d s",
	    t->w.id, for_after, timeout);
	broker_why_init(&bw, "offered");
	BWHY_INT(&bw, ticket, t->w.id);
	BWHY_INT(&bw, s, timeout);
	if (after != NULL)
		BWHY_INT(&bw, after, after->w.id);
	broker_emit_truck_why(b, k, EVENT_OFFER, user, detail, &bw);
	log_info("ticket %" PRId64 " offered to truck %s (%d s)", t->w.id, k->w.id, timeout);
}

/* Take t's truck off it. kind EVENT_DECLINE or EVENT_TIMEOUT: the truck refused (counted on
 * it, and it is not offered t again; refused for after its job: not so again, t->no_chain);
 * EVENT_RELEASE: it was taken away. The ticket goes back to new. */
static void
drop_truck(struct broker *b, struct bticket *t, enum event_kind kind, const char *user,
    const char *ticket_detail, const char *truck_detail, const struct broker_why *ticket_why,
    const struct broker_why *truck_why)
{
	struct btruck *k = t->truck;
	int64_t now = broker_now(b);

	if (k != NULL && kind != EVENT_RELEASE) {
		/* refused for after its job ("not yet"): still a candidate once it is free */
		if (k->next == t)
			t->no_chain = k->gid + 1;
		else
			broker_add_declined(t, k);
		k->w.declines++;
		PROTO_SET(&k->w, truck, declines);
	}
	if (t->state != TICKET_DISPATCHED)
		t->round_start = 0; /* a job handed back: the clock starts at the next offer */
	release_truck(b, t, user, kind, truck_detail, truck_why);
	broker_ticket_set_state(t, TICKET_NEW, now);
	t->w.eta = 0;
	t->w.offer_until = 0;
	t->w.present &= ~((uint64_t)1 << PROTO_ticket_eta | (uint64_t)1 << PROTO_ticket_eta_src |
	    (uint64_t)1 << PROTO_ticket_offer_until);
	broker_clear_warning(b, t, WARN_REDISPATCH);
	broker_emit_ticket_why(b, t, kind, user, ticket_detail, ticket_why);
}

bool
broker_auto_region(const struct bticket *t)
{
	return t->region == NULL || t->region->auto_dispatch;
}

/* A ranking score as an event parameter: whole seconds, within the range PROTOCOL.md 8.4
 * gives (a reader refuses a history with a value outside it). */
static int64_t
score_param(double score)
{
	return score > 1e9 ? 1000000000 : score < -1e9 ? -1000000000 : (int64_t)lround(score);
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
	struct broker_why bw;
	broker_why_init(&bw, n > 0 ? "hold" : "hold_none");
	BWHY_STR(&bw, truck, c->truck);
	BWHY_STR(&bw, status, truck_status_name(c->status));
	BWHY_INT(&bw, free_min, ceil_min(c->job_ms));
	BWHY_INT(&bw, min, ceil_min(c->travel_ms + c->job_ms));
	if (n > 0) {
		BWHY_STR(&bw, to, alt.truck);
		BWHY_INT(&bw, alt_min, ceil_min(alt.travel_ms));
		BWHY_INT(&bw, score, score_param(c->score));
		BWHY_INT(&bw, alt_score, score_param(alt.score));
	}
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
	broker_emit_ticket_why(b, t, EVENT_HOLD, "", detail, &bw);
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

/* A diagnosis holds automatic dispatch of t until diag_hold_until (PROTOCOL.md 9.2). */
static bool
diag_holds(const struct bticket *t, int64_t now)
{
	return PROTO_HAS(&t->w, ticket, diag_hold_until) && now < t->w.diag_hold_until;
}

/* Whether t is offered to c's truck, still on a job, for after it (chaining): as
 * dispatch_chain_ok says, unless that truck refused it so before. */
static bool
chain(const struct dispatch_rules *r, const struct bticket *t,
    const struct dispatch_candidate *c)
{
	return dispatch_chain_ok(r, c) && t->no_chain != c->id + 1;
}

/* Offer a waiting ticket to its best candidate, or wait for a better one finishing a job. */
bool
broker_try_dispatch(struct broker *b, struct bticket *t)
{
	struct dispatch_candidate c;
	int64_t now = broker_now(b);
	struct dispatch_rules nearest;
	const struct dispatch_rules *rules = &b->rules;

	if (diag_holds(t, now))
		return false;
	struct dispatch_query q = broker_dispatch_query(b, t, now);

	if (b->opts.policy == BROKER_POLICY_NEAREST) {
		nearest_rules(&b->rules, &nearest);
		rules = &nearest;
		q.available_only = true;
	}
	if (dispatch_rank(rules, b->eta, &b->fleet, &q, 1, &c, NULL) == 0) {
		unhold(b, t);
		return false;
	}
	if (c.status == TRUCK_AVAILABLE || chain(rules, t, &c)) {
		offer(b, t, b->trucks[c.id], &c, "", "");
		return true;
	}
	hold(b, t, &c, &q);
	return false;
}

/* An agent chose truck k for t: the truck t had (offered or on the job) is released and
 * told, and k gets the offer. */
void
broker_offer_chosen(struct broker *b, struct bticket *t, struct btruck *k, const char *user)
{
	char td[320], kd[320], why[64];

	if (t->truck != NULL) {
		/* re-dispatch: the first truck loses the offer or the job, and is told */
		snprintf(td, sizeof td, "%s released: re-dispatched to %s", t->truck->w.id, k->w.id);
		snprintf(kd, sizeof kd, "released from ticket %" PRId64 ": re-dispatched to %s",
		    t->w.id, k->w.id);
		log_info("ticket %" PRId64 ": %s", t->w.id, td);
		struct broker_why tw, kw;
		broker_why_init(&tw, "redispatch");
		BWHY_STR(&tw, truck, t->truck->w.id);
		BWHY_STR(&tw, to, k->w.id);
		broker_why_init(&kw, "released_to");
		BWHY_INT(&kw, ticket, t->w.id);
		BWHY_STR(&kw, to, k->w.id);
		drop_truck(b, t, EVENT_RELEASE, user, td, kd, &tw, &kw);
	}
	snprintf(why, sizeof why, "chosen by %s", user[0] ? user : "an agent");
	offer(b, t, k, NULL, user, why);
}

/* Take t's truck for the reason why (English, for the details). need: the job needs that
 * kind (codes release_need and released_need, PROTOCOL.md 8.4); NULL: codes release and
 * released with why as their text. */
static void
take_truck(struct broker *b, struct bticket *t, const char *user, const char *why,
    const char *need)
{
	char td[320], kd[320];
	struct broker_why tw, kw;

	if (t->truck == NULL)
		return;
	snprintf(td, sizeof td, "%s released: %s", t->truck->w.id, why);
	snprintf(kd, sizeof kd, "released from ticket %" PRId64 ": %s", t->w.id, why);
	log_info("ticket %" PRId64 ": %s", t->w.id, td);
	broker_why_init(&tw, need != NULL ? "release_need" : "release");
	BWHY_STR(&tw, truck, t->truck->w.id);
	broker_why_init(&kw, need != NULL ? "released_need" : "released");
	BWHY_INT(&kw, ticket, t->w.id);
	if (need != NULL) {
		BWHY_STR(&tw, need, need);
		BWHY_STR(&tw, kind, t->truck->w.kind);
		BWHY_STR(&kw, need, need);
		BWHY_STR(&kw, kind, t->truck->w.kind);
	} else {
		BWHY_STR(&tw, text, why);
		BWHY_STR(&kw, text, why);
	}
	drop_truck(b, t, EVENT_RELEASE, user, td, kd, &tw, &kw);
}

void
broker_take_truck(struct broker *b, struct bticket *t, const char *user, const char *why)
{
	take_truck(b, t, user, why, NULL);
}

void
broker_take_truck_why(struct broker *b, struct bticket *t, const char *user, const char *why,
    const struct broker_why *tw, const struct broker_why *kw)
{
	char td[320], kd[320];

	if (t->truck == NULL)
		return;
	snprintf(td, sizeof td, "%s released: %s", t->truck->w.id, why);
	snprintf(kd, sizeof kd, "released from ticket %" PRId64 ": %s", t->w.id, why);
	log_info("ticket %" PRId64 ": %s", t->w.id, td);
	drop_truck(b, t, EVENT_RELEASE, user, td, kd, tw, kw);
}

void
broker_take_truck_kind(struct broker *b, struct bticket *t, const char *user)
{
	char why[120];

	if (t->truck == NULL)
		return;
	snprintf(why, sizeof why, "the job needs a %s, not a %s", t->w.need_kind,
	    t->truck->w.kind);
	take_truck(b, t, user, why, t->w.need_kind);
}

void
broker_finish(struct broker *b, struct bticket *t, enum ticket_state s, const char *user,
    const char *why)
{
	int64_t now = broker_now(b);
	char detail[240];
	struct broker_why bw;

	broker_ticket_set_state(t, s, now);
	b->n_open--;
	unhold(b, t);
	t->round_start = 0;
	if (PROTO_HAS(&t->w, ticket, offer_until)) {
		t->w.offer_until = 0;
		t->w.present &= ~((uint64_t)1 << PROTO_ticket_offer_until);
	}
	close_warnings(b, t);
	if (PROTO_HAS(&t->w, ticket, diag_state) &&
	    strcmp(t->w.diag_state, broker_diag_state_name(BROKER_DIAG_RUNNING)) == 0) {
		/* closed under a running diagnosis (cancelled, say): the session ends with it */
		proto_strset(t->w.diag_state, sizeof t->w.diag_state,
		    broker_diag_state_name(BROKER_DIAG_ABORTED));
		t->w.diag_ended = now;
		PROTO_SET(&t->w, ticket, diag_ended);
		t->w.present &= ~((uint64_t)1 << PROTO_ticket_diag_hold_until);
		snprintf(detail, sizeof detail, "at %s: the ticket is %s", t->w.diag_node,
		    ticket_state_name(s));
		broker_why_init(&bw, "diag_closed");
		BWHY_STR(&bw, node, t->w.diag_node);
		BWHY_STR(&bw, state, ticket_state_name(s));
		broker_emit_ticket_why(b, t, EVENT_DIAG_ABORT, user, detail, &bw);
	}
	snprintf(detail, sizeof detail, "released from ticket %" PRId64 ": %s", t->w.id,
	    ticket_state_name(s));
	broker_why_init(&bw, "released_state");
	BWHY_INT(&bw, ticket, t->w.id);
	BWHY_STR(&bw, state, ticket_state_name(s));
	release_truck(b, t, user, EVENT_RELEASE, detail, &bw);
	snprintf(detail, sizeof detail, "%s%s%s", ticket_state_name(s), why[0] ? ": " : "", why);
	/* a diagnosis that solved the call closes it with this why (broker-diag.c) */
	bool phone = s == TICKET_RESOLVED_REMOTE && strcmp(why, BROKER_WHY_SOLVED_PHONE) == 0;
	broker_why_init(&bw, phone ? "solved_phone" : "state");
	BWHY_STR(&bw, state, ticket_state_name(s));
	if (!phone && why[0] != '\0')
		BWHY_STR(&bw, text, why);
	broker_emit_ticket_why(b, t, EVENT_STATE, user, detail, &bw);
}

/* The supplier accepts the offer of t to its truck (eta_s < 0: no ETA given). */
void
broker_accept_offer(struct broker *b, struct bticket *t, const char *user, int64_t eta_s)
{
	int64_t now = broker_now(b);
	struct btruck *k = t->truck;
	char detail[240];

	broker_ticket_set_state(t, TICKET_ACCEPTED, now);
	if (eta_s >= 0) {
		broker_set_eta(t, now + eta_s * 1000, "supplier");
		t->eta_updated = now;
	}
	t->w.offer_until = 0;
	t->w.present &= ~((uint64_t)1 << PROTO_ticket_offer_until);
	t->round_start = 0;
	broker_clear_warning(b, t, WARN_NOT_ACCEPTED);
	if (eta_s >= 0)
		snprintf(detail, sizeof detail, "%s accepted, supplier ETA %" PRId64 " min",
		    k ? k->w.id : "", (eta_s + 59) / 60);
	else
		snprintf(detail, sizeof detail, "%s accepted", k ? k->w.id : "");
	struct broker_why bw;
	broker_why_init(&bw, "accept");
	BWHY_STR(&bw, truck, k ? k->w.id : "");
	if (eta_s >= 0)
		BWHY_INT(&bw, min, (eta_s + 59) / 60);
	broker_emit_ticket_why(b, t, EVENT_ACCEPT, user, detail, &bw);
	if (k != NULL) {
		if (k->job == t) { /* chained (k->next == t): it stays on scene on its job */
			broker_truck_set_status(b, k, TRUCK_ASSIGNED);
			broker_truck_reindex(b, k);
		}
		snprintf(detail, sizeof detail, "accepted ticket %" PRId64, t->w.id);
		broker_why_init(&bw, "accepted");
		BWHY_INT(&bw, ticket, t->w.id);
		broker_emit_truck_why(b, k, EVENT_ACCEPT, user, detail, &bw);
	}
}

/* The truck of t refuses it (an offer declined, or an accepted job handed back); the next
 * candidate gets it where the broker dispatches by itself. */
void
broker_decline_offer(struct broker *b, struct bticket *t, const char *user, const char *reason)
{
	struct btruck *k = t->truck;
	char td[320], kd[320];
	bool offered = t->state == TICKET_DISPATCHED;

	snprintf(td, sizeof td, "%s %s: %s", k ? k->w.id : "", offered ? "declined" :
	    "gave the job back", reason);
	snprintf(kd, sizeof kd, "%s ticket %" PRId64 ": %s", offered ? "declined" : "gave back",
	    t->w.id, reason);
	/* "declined" is what op_state gives for a blank reason: no text of its own */
	bool text = !broker_blank(reason) && strcmp(reason, "declined") != 0;
	struct broker_why tw, kw;
	broker_why_init(&tw, offered ? "decline" : "give_back");
	BWHY_STR(&tw, truck, k ? k->w.id : "");
	broker_why_init(&kw, offered ? "declined" : "gave_back");
	BWHY_INT(&kw, ticket, t->w.id);
	if (text) {
		BWHY_STR(&tw, text, reason);
		BWHY_STR(&kw, text, reason);
	}
	drop_truck(b, t, EVENT_DECLINE, user, td, kd, &tw, &kw);
	if (broker_auto_region(t))
		broker_try_dispatch(b, t);
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

/* Waiting tickets (by priority, then oldest) given out at one pass, BROKER_POLICY_ETA:
 * within a priority the pairing of a ticket and its best free truck with the lowest score
 * goes first, then the lowest among the rest, and so on; a ticket whose best truck is still
 * on a job holds for it, unless the truck is on scene and free within chain_s: then it is
 * paired like a free truck, and offered the ticket for after its job. Oldest first sent a
 * truck that had just come free across the city to the oldest call while a call next to it
 * waited for a truck that was not there: under load, pairing by score gives 3-5% lower
 * mean responses and more calls within the promise (bench-dispatch-quality, 5 seeds a
 * scenario), with as many customers giving up. A credit
 * for the time waited (score less 0.25 or 0.5 x the seconds waited) was measured too and
 * only gave back part of the gain; a call that waits long is the late warning's (and the
 * agent's) business. */
struct waiting {
	struct bticket *t;
	struct dispatch_query q;
	struct dispatch_candidate c;
	bool ranked;              /* c is its best truck */
};

static void
rank_waiting(struct broker *b, struct waiting *w, int64_t now)
{
	w->ranked = false;
	if (diag_holds(w->t, now) || w->t->state != TICKET_NEW)
		return;
	w->q = broker_dispatch_query(b, w->t, now);
	if (dispatch_rank(&b->rules, b->eta, &b->fleet, &w->q, 1, &w->c, NULL) == 0) {
		unhold(b, w->t);
		return;
	}
	w->ranked = true;
}

static void
dispatch_waiting(struct broker *b, struct bticket **wait, size_t n, int64_t now)
{
	struct waiting *w = xcalloc(n + 1, sizeof *w);
	size_t lo = 0;

	for (size_t i = 0; i < n; i++)
		w[i].t = wait[i];
	while (lo < n) {
		size_t hi = lo;
		while (hi < n && wait[hi]->w.priority == wait[lo]->w.priority)
			hi++;
		for (size_t i = lo; i < hi; i++)
			rank_waiting(b, &w[i], now);
		for (;;) {
			size_t best = hi;
			double best_v = 0;
			for (size_t i = lo; i < hi; i++) {
				if (!w[i].ranked || (w[i].c.status != TRUCK_AVAILABLE &&
				    !chain(&b->rules, w[i].t, &w[i].c)))
					continue;
				double v = w[i].c.score;
				if (best == hi || v < best_v) {
					best = i;
					best_v = v;
				}
			}
			if (best == hi)
				break;
			uint32_t truck = w[best].c.id;
			w[best].ranked = false;
			offer(b, w[best].t, b->trucks[truck], &w[best].c, "", "");
			for (size_t i = lo; i < hi; i++)
				if (w[i].ranked && w[i].c.id == truck)
					rank_waiting(b, &w[i], now);
		}
		for (size_t i = lo; i < hi; i++)
			if (w[i].ranked)
				hold(b, w[i].t, &w[i].c, &w[i].q);
		lo = hi;
	}
	free(w);
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
	struct broker_why tw, kw;
	broker_why_init(&tw, "timeout");
	BWHY_STR(&tw, truck, k ? k->w.id : "");
	BWHY_INT(&tw, s, timeout);
	broker_why_init(&kw, "no_answer");
	BWHY_INT(&kw, ticket, t->w.id);
	BWHY_INT(&kw, s, timeout);
	drop_truck(b, t, EVENT_TIMEOUT, "", td, kd, &tw, &kw);
	if (broker_auto_region(t))
		broker_try_dispatch(b, t);
}

bool
broker_dispatch_tick(struct broker *b, int64_t now)
{
	/* Offers past their time. */
	for (size_t i = 0; i < b->n_tickets; i++) {
		struct bticket *t = b->tickets[i];
		if (t != NULL && t->state == TICKET_DISPATCHED &&
		    PROTO_HAS(&t->w, ticket, offer_until) && now >= t->w.offer_until) {
			if (!broker_txn(b))
				return false;
			expire_offer(b, t);
		}
	}
	/* Diagnosis holds that ran out: each such ticket is tried once, then waits as any. */
	for (size_t i = 0; i < b->n_tickets; i++) {
		struct bticket *t = b->tickets[i];
		if (t != NULL && t->state == TICKET_NEW && !t->hold_tried &&
		    PROTO_HAS(&t->w, ticket, diag_hold_until) && now >= t->w.diag_hold_until &&
		    broker_auto_region(t)) {
			if (!broker_txn(b))
				return false;
			t->hold_tried = true;
			broker_try_dispatch(b, t);
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
			if (t != NULL && t->state == TICKET_NEW && broker_auto_region(t) &&
			    (all || t->held))
				wait[n++] = t;
		}
		qsort(wait, n, sizeof *wait, by_priority);
		b->avail_changed = false;
		if (b->opts.policy == BROKER_POLICY_ETA) {
			if (broker_txn(b))
				dispatch_waiting(b, wait, n, now);
		} else {
			for (size_t i = 0; i < n && broker_txn(b); i++)
				broker_try_dispatch(b, wait[i]);
		}
		free(wait);
	}
	b->avail_changed = false;
	return !b->fatal;
}
