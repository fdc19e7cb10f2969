/* broker-watch.c: monitoring: the delay warnings of open tickets (not accepted, GPS lost,
 * stalled, ETA late, overdue, a better truck for re-dispatch), raised and cleared at every
 * tick, and the ETA refresh from the truck's live position. */
#include "broker-int.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

#define ETA_CHANGE_MS 60000
#define ETA_MIN_GAP_MS 30000

static const char *warn_names[] = {
#define X(e, s) s,
	WARN_KINDS(X)
#undef X
};

const char *
warn_kind_name(enum warn_kind k)
{
	return (unsigned)k < WARN_KIND_COUNT ? warn_names[k] : "";
}

int
warn_kind_parse(const char *s)
{
	for (int i = 0; i < WARN_KIND_COUNT; i++)
		if (strcmp(warn_names[i], s) == 0)
			return i;
	return -1;
}

/* ---- monitoring ---- */

void
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
	broker_emit_warning(b, w, "cleared");
}

/* Raise warning k on t, or change its level (or the truck it proposes). truck may be NULL. */
static void
raise_warning(struct broker *b, struct bticket *t, enum warn_kind k, const char *level,
    const char *text, const char *truck)
{
	struct bwarn *w = t->warns[k];
	if (w != NULL) {
		bool same_truck = truck == NULL || strcmp(w->w.truck, truck) == 0;
		if (strcmp(w->w.level, level) == 0 && same_truck)
			return;
		PROTO_STRSET(w->w.level, level);
		PROTO_STRSET(w->w.text, text);
		if (truck != NULL)
			PROTO_STRSET(w->w.truck, truck);
		w->w.ts = broker_now(b);
		broker_emit_warning(b, w, same_truck ? "level" : "update");
		return;
	}
	w = xcalloc(1, sizeof *w);
	w->ticket = t;
	w->w.id = (int64_t)b->n_warns + 1;
	w->w.ticket = t->w.id;
	PROTO_STRSET(w->w.kind, warn_kind_name(k));
	PROTO_STRSET(w->w.level, level);
	PROTO_STRSET(w->w.text, text);
	w->w.ts = broker_now(b);
	w->w.present = PROTO_ALL & ~((uint64_t)1 << PROTO_warning_truck);
	if (truck != NULL) {
		PROTO_STRSET(w->w.truck, truck);
		PROTO_SET(&w->w, warning, truck);
	}
	if (b->n_warns == b->cap_warns) {
		b->cap_warns = b->cap_warns ? b->cap_warns * 2 : 256;
		b->warns = xreallocarray(b->warns, b->cap_warns, sizeof *b->warns);
	}
	b->warns[b->n_warns++] = w;
	t->warns[k] = w;
	b->n_warns_active++;
	broker_emit_warning(b, w, "raised");
	log_info("warning %s on ticket %" PRId64 ": %s", w->w.kind, t->w.id, level);
}

/* An accepted or en-route ticket whose ETA slipped past the promise: is there a free truck
 * that beats it by the margin? Then propose it (an agent confirms with ticket.assign). */
static void
watch_redispatch(struct broker *b, struct bticket *t, int64_t now)
{
	struct btruck *k = t->truck;
	struct dispatch_candidate c;
	uint32_t skip[DECLINED_MAX + 1];
	char text[200];

	if ((t->state != TICKET_ACCEPTED && t->state != TICKET_EN_ROUTE) || k == NULL ||
	    !PROTO_HAS(&t->w, ticket, eta) || t->w.eta <= t->w.promised) {
		clear_warning(b, t, WARN_REDISPATCH);
		return;
	}
	struct dispatch_query q = query_for(b, t, now);
	memcpy(skip, t->declined, (size_t)t->n_declined * sizeof *skip);
	skip[q.n_skip++] = k->gid;
	q.skip = skip;
	q.available_only = true;
	int64_t gain = (int64_t)b->rules.tune.redispatch_gain_s * 1000;
	if (dispatch_rank(&b->rules, b->eta, &b->fleet, &q, 1, &c, NULL) == 0 ||
	    now + c.travel_ms + gain > t->w.eta) {
		clear_warning(b, t, WARN_REDISPATCH);
		return;
	}
	snprintf(text, sizeof text, "%s could be there %" PRId64 " min sooner than %s (ETA %"
	    PRId64 " min vs %" PRId64 " min)", c.truck, (t->w.eta - now - c.travel_ms) / 60000,
	    k->w.id, ceil_min(c.travel_ms), ceil_min(t->w.eta - now));
	raise_warning(b, t, WARN_REDISPATCH, "amber", text, c.truck);
}

void
watch(struct broker *b, struct bticket *t, int64_t now)
{
	const struct data_sla *sla = &b->data->sla;
	struct btruck *k = t->truck;
	char text[200];

	/* nobody has accepted since the first offer of this round */
	bool waiting = t->round_start > 0 &&
	    (t->state == TICKET_DISPATCHED || t->state == TICKET_NEW);
	if (waiting && now - t->round_start > (int64_t)sla->not_accepted_s * 1000) {
		snprintf(text, sizeof text, "not accepted %" PRId64 " min after the first offer (%"
		    PRId64 " offer%s; last to %s%s)", (now - t->round_start) / 60000, t->w.offers,
		    t->w.offers == 1 ? "" : "s", t->last_offered[0] ? t->last_offered : "?",
		    t->state == TICKET_NEW ? ", none pending" : ", pending");
		raise_warning(b, t, WARN_NOT_ACCEPTED, "amber", text, NULL);
	} else {
		clear_warning(b, t, WARN_NOT_ACCEPTED);
	}

	bool moving = t->state == TICKET_ACCEPTED || t->state == TICKET_EN_ROUTE;
	bool stale = false;
	/* GPS lost */
	if (moving && k != NULL) {
		int64_t age = now - k->w.fix_ts;
		stale = !k->placed || age > (int64_t)sla->gps_stale_s * 1000;
		if (stale) {
			snprintf(text, sizeof text, "no GPS from %s for %" PRId64 " min", k->w.id, age / 60000);
			raise_warning(b, t, WARN_GPS_LOST, age > 3LL * sla->gps_stale_s * 1000 ? "red" :
			    "amber", text, NULL);
		} else {
			clear_warning(b, t, WARN_GPS_LOST);
		}
	} else {
		clear_warning(b, t, WARN_GPS_LOST);
	}

	/* stalled en route */
	if (t->state == TICKET_EN_ROUTE && k != NULL && !stale &&
	    k->w.fix_ts - k->still_since > (int64_t)sla->stalled_s * 1000) {
		snprintf(text, sizeof text, "%s has not moved for %" PRId64 " min", k->w.id,
		    (k->w.fix_ts - k->still_since) / 60000);
		raise_warning(b, t, WARN_STALLED, "amber", text, NULL);
	} else {
		clear_warning(b, t, WARN_STALLED);
	}

	/* ETA refresh from the truck's live position */
	if (moving && k != NULL && k->placed) {
		int64_t eta = now + travel_ms(b, t, k, now);
		const char *src = stale ? "stale" : b->eta->src;
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
			broker_emit_ticket(b, t, "eta", "", detail);
		}
	}

	/* late: predicted or actual */
	bool before_scene = t->state == TICKET_NEW || t->state == TICKET_DISPATCHED ||
	    t->state == TICKET_ACCEPTED || t->state == TICKET_EN_ROUTE;
	if (before_scene && now > t->w.promised) {
		snprintf(text, sizeof text, "%" PRId64 " min past the promised arrival",
		    (now - t->w.promised) / 60000);
		raise_warning(b, t, WARN_OVERDUE, "red", text, NULL);
		clear_warning(b, t, WARN_ETA_LATE);
	} else {
		clear_warning(b, t, WARN_OVERDUE);
		int64_t window = t->w.promised - t->w.created;
		bool used = window > 0 && (now - t->w.created) * 100 > window * sla->window_pct;
		bool eta_late = PROTO_HAS(&t->w, ticket, eta) && t->w.eta > 0 &&
		    t->w.eta > t->w.promised - (int64_t)sla->late_margin_s * 1000;
		if (before_scene && (eta_late || used)) {
			if (eta_late)
				snprintf(text, sizeof text, "ETA %lld min %s the promise",
				    (long long)(llabs(t->w.eta - t->w.promised) / 60000),
				    t->w.eta > t->w.promised ? "after" : "before");
			else
				snprintf(text, sizeof text, "%d%% of the promised window used",
				    (int)((now - t->w.created) * 100 / window));
			raise_warning(b, t, WARN_ETA_LATE, eta_late && t->w.eta > t->w.promised ?
			    "red" : "amber", text, NULL);
		} else {
			clear_warning(b, t, WARN_ETA_LATE);
		}
	}

	watch_redispatch(b, t, now);
}


/* ---- the monitoring pass (the loop's tick calls it after dispatch) ---- */

void
broker_watch_tick(struct broker *b, int64_t now)
{
	for (size_t i = 0; i < b->n_tickets; i++) {
		struct bticket *t = b->tickets[i];
		if (t == NULL || ticket_state_final(t->state))
			continue;
		if (!broker_txn(b))
			return;
		watch(b, t, now);
	}
}
