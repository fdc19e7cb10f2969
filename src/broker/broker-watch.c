/* broker-watch.c: monitoring: the delay warnings of open tickets (not accepted, GPS lost,
 * stalled, ETA late, overdue, a better truck for re-dispatch, waiting for an agent, driving
 * away from the car, on scene too long, the customer calling again), raised
 * and cleared at every tick and, for a ticket whose truck sends a fix, at once in the batch
 * that applied the fix, and the ETA refresh from the truck's live position (its history
 * told only of meaningful changes). The loop's tick calls broker_watch_tick after
 * dispatch, the feed broker_watch_fix; dispatch and the ops clear settled warnings through
 * broker_clear_warning.
 * Calls the pure src/model/monitor.c, broker-eta.c (travel times, the ETA, the query of a
 * re-dispatch proposal), broker-state.c and broker-emit.c; never broker-dispatch.c. */
#include "broker-int.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "monitor.h"
#include "util.h"

#define ETA_CHANGE_MS 60000
#define ETA_MIN_GAP_MS 30000
/* An ETA change the ticket's history tells: 5 minutes, or a fifth of the time it had left
 * (issue 8: the intake note vanished under "ETA now 14 min" lines a minute apart). */
#define ETA_LOG_MS (5 * 60000)
#define ETA_LOG_PCT 20

/* ---- monitoring ---- */

/* The rules live in src/model/monitor.c: here the broker gives the monitor its view of a ticket,
 * ranks a re-dispatch when the monitor could want one, refreshes the ETA from the truck's
 * position, and raises, changes and clears its warnings to match the monitor's result. */

/* The wire keys that carry a warning's parameters (all optional). */
#define WARN_PARAMS                                                                    \
	((uint64_t)1 << PROTO_warning_subject | (uint64_t)1 << PROTO_warning_since |   \
	    (uint64_t)1 << PROTO_warning_eta | (uint64_t)1 << PROTO_warning_promised | \
	    (uint64_t)1 << PROTO_warning_pct | (uint64_t)1 << PROTO_warning_offers |   \
	    (uint64_t)1 << PROTO_warning_alt_eta | (uint64_t)1 << PROTO_warning_gain_s | \
	    (uint64_t)1 << PROTO_warning_region | (uint64_t)1 << PROTO_warning_waiting)

/* The fault's typical minutes on scene (data/faults.ini onscene_min). */
static int
typical_onscene_min(const struct broker *b, const struct bticket *t)
{
	return t->fault < FAULT_COUNT ? b->data->faults[t->fault].onscene_min : 0;
}

static void
monitor_ticket_of(const struct broker *b, const struct bticket *t, struct monitor_ticket *mt)
{
	*mt = (struct monitor_ticket){
		.state = t->state,
		.created = t->w.created,
		.promised = t->w.promised,
		.eta = PROTO_HAS(&t->w, ticket, eta) ? t->w.eta : 0,
		.round_start = t->round_start,
		.offers = t->w.offers,
		.last_offered = t->last_offered,
		.manual = t->region != NULL && !t->region->auto_dispatch,
		.on_scene = PROTO_HAS(&t->w, ticket, t_on_scene) ? t->w.t_on_scene : 0,
		.typical_onscene_ms = (int64_t)typical_onscene_min(b, t) * 60000,
		.callbacks = t->callbacks,
		.last_callback = t->last_callback,
		.track = t->state == TICKET_EN_ROUTE && t->track.n > 0 && t->truck != NULL &&
		    t->track_gid == t->truck->gid ? &t->track : NULL,
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

void
broker_clear_warning(struct broker *b, struct bticket *t, enum warn_kind k)
{
	struct bwarn *w = t->warns[k];
	if (w == NULL)
		return;
	t->warns[k] = NULL;
	w->w.cleared = true;
	PROTO_SET(&w->w, warning, cleared);
	w->w.ts = broker_now(b);
	b->n_warns_active--;
	broker_emit_warning(b, w, EVENT_CLEARED);
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
		broker_emit_warning(b, w, same_truck ? EVENT_LEVEL : EVENT_UPDATE);
		broker_tell_slip(b, t, m->kind, m->level); /* the region may tell the customer */
		return;
	}
	w = xcalloc(1, sizeof *w);
	w->ticket = t;
	w->w.id = (int64_t)b->n_warns + 1;
	w->w.ticket = t->w.id;
	PROTO_STRSET(w->w.kind, warn_kind_name(m->kind));
	w->w.present = PROTO_ALL & ~((uint64_t)1 << PROTO_warning_truck | WARN_PARAMS |
	    BWARN_OWN_KEYS);
	set_code(&w->w, m);
	w->w.ts = broker_now(b);
	broker_warning_put(b, w);
	t->warns[m->kind] = w;
	b->n_warns_active++;
	broker_emit_warning(b, w, EVENT_RAISED);
	log_info("warning %s on ticket %" PRId64 ": %s", w->w.kind, t->w.id, w->w.level);
	broker_tell_slip(b, t, m->kind, m->level); /* the region may tell the customer */
}

/* The free truck that would reach t first, other than its own and those that declined it:
 * what the monitor's redispatch rule weighs against t's ETA. */
static bool
propose(struct broker *b, struct bticket *t, int64_t now, struct dispatch_candidate *c)
{
	uint32_t skip[DECLINED_MAX + 1];
	struct dispatch_query q = broker_dispatch_query_others(b, t, now, skip);

	q.available_only = true;
	return dispatch_rank(&b->rules, b->eta, &b->fleet, &q, 1, c, NULL) > 0;
}

/* Whether the ETA moved enough since the history last told it (at the offer, the acceptance
 * or an eta event; after a restart, the one the ticket has) to tell it again. */
static bool
eta_worth_telling(struct bticket *t, int64_t eta, int64_t now)
{
	if (t->eta_logged <= 0)
		t->eta_logged = t->w.eta;
	int64_t left = t->eta_logged - now;
	int64_t need = left * ETA_LOG_PCT / 100;
	if (need < ETA_LOG_MS)
		need = ETA_LOG_MS;
	return llabs(eta - t->eta_logged) >= need;
}

/* Which side of the late rule's thresholds eta falls on (0 on time, 1 within the margin
 * of the promise, 2 after it): a fix that moves the ETA across one changes a warning. */
static int
eta_band(const struct bticket *t, const struct data_sla *sla, int64_t eta)
{
	if (t->w.promised <= 0 || eta <= 0)
		return 0;
	if (eta > t->w.promised)
		return 2;
	return eta > t->w.promised - (int64_t)sla->late_margin_s * 1000 ? 1 : 0;
}

/* The ETA refresh from the truck's live position: by at least ETA_CHANGE_MS (or a change of
 * source) and ETA_MIN_GAP_MS after the last change. On a fix (fix) the gap is waived for a
 * change that matters: one the history tells (a new source, 5 minutes or a fifth of the
 * time left) or one across the late rule's thresholds. */
static void
refresh_eta(struct broker *b, struct bticket *t, struct monitor_ticket *mt,
    const struct monitor_truck *mk, int64_t now, bool fix)
{
	const struct data_sla *sla = &b->data->sla;
	struct btruck *k = t->truck;
	int64_t eta = now + broker_travel_ms(b, t, k, now);
	const char *src = monitor_gps_stale(mk, sla, now) ? "stale" : b->eta->src;

	if (t->state == TICKET_ACCEPTED && strcmp(t->w.eta_src, "supplier") == 0 && t->w.eta > eta)
		return; /* the truck has not left; trust the supplier's quote */
	bool new_src = strcmp(src, t->w.eta_src) != 0;
	if (llabs(eta - t->w.eta) < ETA_CHANGE_MS && !new_src)
		return;
	bool gap = now - t->eta_updated >= ETA_MIN_GAP_MS;
	if (!gap && !fix)
		return;
	bool told = new_src || eta_worth_telling(t, eta, now);
	if (!gap && !told && eta_band(t, sla, eta) == eta_band(t, sla, t->w.eta))
		return;
	int64_t logged = t->eta_logged;
	broker_set_eta(t, eta, src);
	t->eta_updated = now;
	if (told) {
		char detail[64];
		snprintf(detail, sizeof detail, "ETA now %" PRId64 " min (%s)",
		    (eta - now + 59999) / 60000, src);
		struct broker_why why;
		broker_why_init(&why, "eta");
		BWHY_INT(&why, min, (eta - now + 59999) / 60000);
		BWHY_STR(&why, src, src);
		broker_emit_ticket_why(b, t, EVENT_ETA, "", detail, &why);
	} else {
		t->eta_logged = logged;
		broker_publish_ticket(b, t);
	}
	mt->eta = t->w.eta;
}

/* t's ETA and warnings at now; fix: on a fix of its truck (broker_watch_fix). */
static void
watch(struct broker *b, struct bticket *t, int64_t now, bool fix)
{
	const struct data_sla *sla = &b->data->sla;
	struct btruck *k = t->truck;
	struct monitor_ticket mt;
	struct monitor_truck mk;
	struct monitor_result r;
	struct dispatch_candidate c;
	struct monitor_proposal p, *pp = NULL;

	monitor_ticket_of(b, t, &mt);
	if (k != NULL)
		monitor_truck_of(k, &mk);
	if ((t->state == TICKET_ACCEPTED || t->state == TICKET_EN_ROUTE) && k != NULL &&
	    k->placed)
		refresh_eta(b, t, &mt, &mk, now, fix);

	if (monitor_wants_proposal(&mt, k != NULL ? &mk : NULL) && propose(b, t, now, &c)) {
		p = (struct monitor_proposal){ .truck = c.truck, .travel_ms = c.travel_ms,
		    .min_gain_ms = (int64_t)b->rules.tune.redispatch_gain_s * 1000 };
		pp = &p;
	}
	monitor_check(&mt, k != NULL ? &mk : NULL, pp, sla, now, &r);
	for (int i = 0; i < WARN_KIND_COUNT; i++) {
		if (r.w[i].level == WARN_LEVEL_NONE)
			broker_clear_warning(b, t, (enum warn_kind)i);
		else
			raise_warning(b, t, &r.w[i]);
	}
}

void
broker_watch_ticket(struct broker *b, struct bticket *t, int64_t now)
{
	watch(b, t, now, false);
}

void
broker_watch_fix(struct broker *b, struct btruck *k, int64_t now)
{
	struct bticket *t = k->job;

	if (t == NULL || t->truck != k || ticket_state_final(t->state) || b->fatal)
		return;
	watch(b, t, now, true);
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
		broker_watch_ticket(b, t, now);
	}
}
