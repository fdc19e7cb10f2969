/* broker-watch.c: monitoring: the delay warnings of open tickets (not accepted, GPS lost,
 * stalled, ETA late, overdue, a better truck for re-dispatch, waiting for an agent, driving
 * away from the car, on scene too long, the customer calling again), raised and cleared
 * when a ticket is looked at, and the ETA refresh from the truck's live position (its
 * history told only of meaningful changes). A ticket is looked at when its truck sends a
 * fix (broker_watch_fix, in the batch that applied it), when a recorded change touched it
 * (broker_touch_ticket in broker-emit.c) and when its next deadline comes: the deadline
 * queue below, never a pass over every ticket. The loop calls broker_watch_due every turn
 * and broker_watch_tick after dispatch; dispatch and the ops clear settled warnings
 * through broker_clear_warning.
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
#define ETA_RECHECK_MS 60000	/* the deadline queue looks at a moving ticket's ETA at least this often */
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
	    (uint64_t)1 << PROTO_warning_region | (uint64_t)1 << PROTO_warning_waiting | \
	    (uint64_t)1 << PROTO_warning_reason)

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
	broker_warning_clear(b, w);
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

/* What an ETA refresh has to send: nothing, the ticket, or the ticket with an eta event. */
enum eta_news { ETA_SAME, ETA_PUBLISH, ETA_TELL };

/* Set the ETA eta from source src on t when it changed enough (see refresh_eta); what it
 * has to send, which watch() sends after the warnings (eta_send). */
static enum eta_news
eta_changed(struct broker *b, struct bticket *t, struct monitor_ticket *mt, int64_t now,
    bool fix, int64_t eta, const char *src)
{
	const struct data_sla *sla = &b->data->sla;
	bool new_src = strcmp(src, t->w.eta_src) != 0;
	if (llabs(eta - t->w.eta) < ETA_CHANGE_MS && !new_src)
		return ETA_SAME;
	bool gap = now - t->eta_updated >= ETA_MIN_GAP_MS;
	if (!gap && !fix)
		return ETA_SAME;
	bool told = new_src || eta_worth_telling(t, eta, now);
	if (!gap && !told && eta_band(t, sla, eta) == eta_band(t, sla, t->w.eta))
		return ETA_SAME;
	int64_t logged = t->eta_logged;
	broker_set_eta(t, eta, src);
	t->eta_updated = now;
	mt->eta = t->w.eta;
	if (told)
		return ETA_TELL;
	t->eta_logged = logged;
	return ETA_PUBLISH;
}

/* Send t's new ETA: an eta event the history tells, or the ticket published only. */
static void
eta_send(struct broker *b, struct bticket *t, enum eta_news news, int64_t now)
{
	if (news == ETA_TELL) {
		int64_t min = (t->w.eta - now + 59999) / 60000;
		char detail[64];
		snprintf(detail, sizeof detail, "ETA now %" PRId64 " min (%s)", min, t->w.eta_src);
		struct broker_why why;
		broker_why_init(&why, "eta");
		BWHY_INT(&why, min, min);
		BWHY_STR(&why, src, t->w.eta_src);
		broker_emit_ticket_why(b, t, EVENT_ETA, "", detail, &why);
	} else if (news == ETA_PUBLISH) {
		broker_publish_ticket(b, t);
	}
}

/* The ETA refresh from the truck's live position: by at least ETA_CHANGE_MS (or a change of
 * source) and ETA_MIN_GAP_MS after the last change. On a fix (fix) the gap is waived for a
 * change that matters: one the history tells (a new source, 5 minutes or a fifth of the
 * time left) or one across the late rule's thresholds. Returns when a refresh could come
 * next with no fix: the ETA from a position that stays put moves a ms each ms, so when it
 * will be ETA_CHANGE_MS away from the one published (and the gap has passed); at most
 * ETA_RECHECK_MS ahead, as the travel time also moves with the hour's speed. A source
 * turning stale comes at the GPS deadline (monitor_next_deadline). */
static int64_t
refresh_eta(struct broker *b, struct bticket *t, struct monitor_ticket *mt,
    const struct monitor_truck *mk, int64_t now, bool fix, enum eta_news *news)
{
	const struct data_sla *sla = &b->data->sla;
	struct btruck *k = t->truck;
	int64_t eta = now + broker_travel_ms(b, t, k, now);
	const char *src = monitor_gps_stale(mk, sla, now) ? "stale" : b->eta->src;

	/* until the truck leaves, the supplier's quote is trusted when it is later: look again
	 * when the model's ETA (moving a ms each ms while the truck stays put) would catch up
	 * with it, not at once (the quote is not the published model ETA d is measured from) */
	if (t->state == TICKET_ACCEPTED && strcmp(t->w.eta_src, "supplier") == 0 &&
	    t->w.eta > eta) {
		int64_t catch_up = now + (t->w.eta - eta) + 1;
		return catch_up < now + ETA_RECHECK_MS ? catch_up : now + ETA_RECHECK_MS;
	}
	*news = eta_changed(b, t, mt, now, fix, eta, src);
	/* d from now on: eta + x - published (0 when it was just published) */
	int64_t d = eta - t->w.eta;
	int64_t next = llabs(d) >= ETA_CHANGE_MS ? now + 1 : now + ETA_CHANGE_MS - d;
	if (next < t->eta_updated + ETA_MIN_GAP_MS)
		next = t->eta_updated + ETA_MIN_GAP_MS;
	if (next > now + ETA_RECHECK_MS)
		next = now + ETA_RECHECK_MS;
	return next > now ? next : now + 1;
}

/* ---- the deadline queue ----
 * Each open ticket has at most one current entry in b->watch_q: its next deadline (the
 * monitor's, or the ETA refresh's), with its gen. Looking at a ticket re-arms it; an entry
 * of an older gen is stale and dropped when it comes out. A recorded change of the ticket
 * or its truck touches it (broker_touch_ticket: an entry due at once), so the queue never
 * waits for a deadline a change moved earlier. */

/* Stale entries past this many per open ticket (and WATCH_Q_SLACK) are dropped at once. */
#define WATCH_Q_SLACK 4096

static bool
entry_live(const struct heap_entry *e, void *ctx)
{
	struct broker *b = ctx;
	struct bticket *t = broker_ticket(b, e->id);

	return t != NULL && e->gen == t->watch_gen &&
	    (e->key == INT64_MIN ? t->watch_touched : t->watch_queued && e->key == t->watch_due);
}

/* t's next deadline after a look at it: due (INT64_MAX none); each: look at it every tick
 * too (a re-dispatch may be proposed). */
static void
arm(struct broker *b, struct bticket *t, int64_t due, bool each)
{
	t->watch_touched = false;
	if (each && !t->watch_each) {
		if (b->n_watch_each == b->cap_watch_each) {
			b->cap_watch_each = b->cap_watch_each ? 2 * b->cap_watch_each : 64;
			b->watch_each = xreallocarray(b->watch_each, b->cap_watch_each,
			    sizeof *b->watch_each);
		}
		b->watch_each[b->n_watch_each++] = t->w.id;
		t->watch_each = true;
	}
	if (t->watch_queued && t->watch_due == due)
		return;	/* the entry in the queue stays current */
	t->watch_gen++;
	t->watch_due = due;
	t->watch_queued = due != INT64_MAX;
	if (t->watch_queued)
		heap_push(&b->watch_q, due, t->w.id, t->watch_gen);
	if (b->watch_q.n > 2 * b->n_open + WATCH_Q_SLACK)
		heap_filter(&b->watch_q, entry_live, b);
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
	int64_t next = INT64_MAX;

	b->st.watch_looks++;
	enum eta_news news = ETA_SAME;

	monitor_ticket_of(b, t, &mt);
	if (k != NULL)
		monitor_truck_of(k, &mk);
	if ((t->state == TICKET_ACCEPTED || t->state == TICKET_EN_ROUTE) && k != NULL &&
	    k->placed)
		next = refresh_eta(b, t, &mt, &mk, now, fix, &news);

	bool wants = monitor_wants_proposal(&mt, k != NULL ? &mk : NULL);
	if (wants && propose(b, t, now, &c)) {
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
	/* the warnings first: a console shows them at once, the ticket at its pace */
	eta_send(b, t, news, now);
	int64_t d = monitor_next_deadline(&mt, k != NULL ? &mk : NULL, sla, now);
	arm(b, t, d < next ? d : next, wants);
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


/* ---- the monitoring pass ----
 * The loop looks at the tickets whose deadline came (broker_watch_due, every turn on the
 * real clock, so a time-driven warning follows its deadline by a loop turn) and, at each
 * tick, also at those a re-dispatch may be proposed for and at a slice of the safety
 * sweep. The sweep looks at every ticket once a WATCH_SWEEP_MS of real time, a slice a
 * tick, so that nothing a missed touch would leave waiting waits longer (no change that
 * matters goes unrecorded today: the sweep is the net under a future one). On the manual
 * clock there is no sweep: the tests that step it check the queue alone. */

#define WATCH_SWEEP_MS 60000	/* real ms */

static void
batch_add(struct broker *b, size_t *n, int64_t id)
{
	if (*n == b->cap_watch_batch) {
		b->cap_watch_batch = b->cap_watch_batch ? 2 * b->cap_watch_batch : 256;
		b->watch_batch = xreallocarray(b->watch_batch, b->cap_watch_batch,
		    sizeof *b->watch_batch);
	}
	b->watch_batch[(*n)++] = id;
}

static int
cmp_id(const void *x, const void *y)
{
	int64_t a = *(const int64_t *)x, c = *(const int64_t *)y;

	return (a > c) - (a < c);
}

/* The ids of the batch in id order (as the full pass of old went), each once. */
static void
batch_watch(struct broker *b, size_t n, int64_t now)
{
	qsort(b->watch_batch, n, sizeof *b->watch_batch, cmp_id);
	for (size_t i = 0; i < n; i++) {
		if (i > 0 && b->watch_batch[i] == b->watch_batch[i - 1])
			continue;
		struct bticket *t = broker_ticket(b, b->watch_batch[i]);
		if (t == NULL || ticket_state_final(t->state))
			continue;
		if (!broker_txn(b))
			return;
		watch(b, t, now, false);
	}
}

/* Take the due entries of the queue into the batch. */
static void
take_due(struct broker *b, size_t *n, int64_t now)
{
	const struct heap_entry *top;
	struct heap_entry e;

	if (!b->watch_armed) {
		/* tickets loaded at start were never touched */
		b->watch_armed = true;
		for (size_t i = 0; i < b->n_tickets; i++)
			if (b->tickets[i] != NULL && !ticket_state_final(b->tickets[i]->state))
				broker_touch_ticket(b, b->tickets[i]);
	}
	while ((top = heap_top(&b->watch_q)) != NULL && top->key <= now) {
		heap_pop(&b->watch_q, &e);
		if (!entry_live(&e, b))
			continue;
		struct bticket *t = broker_ticket(b, e.id);
		if (e.key == INT64_MIN)
			t->watch_touched = false;
		else
			t->watch_queued = false;
		batch_add(b, n, e.id);
	}
}

void
broker_watch_due(struct broker *b, int64_t now)
{
	size_t n = 0;

	if (b->fatal)
		return;
	take_due(b, &n, now);
	batch_watch(b, n, now);
}

int64_t
broker_watch_next(const struct broker *b)
{
	const struct heap_entry *top = heap_top(&b->watch_q);

	if (!b->watch_armed)
		return INT64_MIN;
	return top != NULL ? top->key : INT64_MAX;
}

void
broker_watch_range(struct broker *b, size_t from, size_t to, int64_t now)
{
	for (size_t i = from; i < to && i < b->n_tickets; i++) {
		struct bticket *t = b->tickets[i];
		if (t == NULL || ticket_state_final(t->state))
			continue;
		if (!broker_txn(b))
			return;
		watch(b, t, now, false);
	}
}

void
broker_watch_tick(struct broker *b, int64_t now)
{
	size_t n = 0;

	if (b->fatal)
		return;
	take_due(b, &n, now);
	/* the tickets a re-dispatch may be proposed for: arm() puts back those still so */
	for (size_t i = 0; i < b->n_watch_each; i++) {
		struct bticket *t = broker_ticket(b, b->watch_each[i]);
		if (t != NULL)
			t->watch_each = false;
		batch_add(b, &n, b->watch_each[i]);
	}
	b->n_watch_each = 0;
	/* the sweep's slice: its share of WATCH_SWEEP_MS since the last one, in real time;
	 * none on the manual clock, so that the tests see the queue alone */
	if (b->opts.clock == BROKER_CLOCK_MANUAL) {
		batch_watch(b, n, now);
		return;
	}
	double scale = b->opts.time_scale >= 1 ? b->opts.time_scale : 1;
	if (b->watch_swept == 0 || now < b->watch_swept)
		b->watch_swept = now;
	double share = (double)(now - b->watch_swept) / scale / WATCH_SWEEP_MS;
	size_t slice = share >= 1 ? b->n_tickets : (size_t)(share * (double)b->n_tickets);
	if (slice > 0) {
		b->watch_swept = now;
		for (size_t i = 0; i < slice; i++) {
			if (b->watch_sweep >= b->n_tickets)
				b->watch_sweep = 0;
			struct bticket *t = b->tickets[b->watch_sweep++];
			if (t != NULL && !ticket_state_final(t->state))
				batch_add(b, &n, t->w.id);
		}
	}
	batch_watch(b, n, now);
}

void
broker_watch_finish(struct broker *b)
{
	heap_free(&b->watch_q);
	free(b->watch_each);
	free(b->watch_batch);
}
