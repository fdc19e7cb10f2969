/* monitor.c: the delay warnings and the ticket standing of monitor.h. */
#include "monitor.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "proto.h"

static const struct data_sla sla_default = {
	.not_accepted_s = 300,
	.gps_stale_s = 45,
	.stalled_s = 300,
	.late_margin_s = 300,
	.window_pct = 80,
	.diag_hold_s = DATA_DIAG_HOLD_S_DEFAULT,
	.waiting_agent_s = DATA_WAITING_AGENT_S_DEFAULT,
	.deviation_fixes = DATA_DEVIATION_FIXES_DEFAULT,
	.deviation_s = DATA_DEVIATION_S_DEFAULT,
	.onscene_overrun_pct = DATA_ONSCENE_OVERRUN_PCT_DEFAULT,
	.callback_clear_s = DATA_CALLBACK_CLEAR_S_DEFAULT,
	.capacity_s = DATA_CAPACITY_S_DEFAULT,
	.escalate_after_s = DATA_ESCALATE_AFTER_S_DEFAULT,
	.owner_lease_s = DATA_OWNER_LEASE_S_DEFAULT,
	.survey_window_s = DATA_SURVEY_WINDOW_S_DEFAULT,
	.detractor_callback_s = DATA_DETRACTOR_CALLBACK_S_DEFAULT,
};

const struct data_sla *
monitor_sla_default(void)
{
	return &sla_default;
}

void
monitor_ticket_from_wire(const struct proto_ticket *w, struct monitor_ticket *mt)
{
	int s = ticket_state_parse(w->state);

	*mt = (struct monitor_ticket){
		.state = s >= 0 ? (enum ticket_state)s : TICKET_STATE_COUNT,
		.created = w->created,
		.promised = w->promised,
		.eta = PROTO_HAS(w, ticket, eta) && w->eta > 0 ? w->eta : 0,
		.offers = w->offers,
		.on_scene = PROTO_HAS(w, ticket, t_on_scene) ? w->t_on_scene : 0,
	};
}

void
monitor_track_add(struct monitor_track *tr, int64_t ts, double dist_m)
{
	if (tr->n > 0 && ts < tr->ts[tr->n - 1])
		return;
	if (tr->n == MONITOR_TRACK_MAX) {
		memmove(tr->ts, tr->ts + 1, (MONITOR_TRACK_MAX - 1) * sizeof tr->ts[0]);
		memmove(tr->dist_m, tr->dist_m + 1, (MONITOR_TRACK_MAX - 1) * sizeof tr->dist_m[0]);
		tr->n--;
	}
	tr->ts[tr->n] = ts;
	tr->dist_m[tr->n] = dist_m;
	tr->n++;
	if (tr->closest_ts == 0 || dist_m <= tr->closest_m - MONITOR_PROGRESS_M) {
		tr->closest_m = dist_m;
		tr->closest_ts = ts;
	}
}

/* Whether the truck grew farther from the car at each of its last `fixes` fixes, by
 * MONITOR_AWAY_M in all. */
static bool
driving_away(const struct monitor_track *tr, int fixes)
{
	if (fixes < 1 || tr->n < fixes + 1)
		return false;
	int first = tr->n - 1 - fixes;
	for (int i = first + 1; i < tr->n; i++)
		if (tr->dist_m[i] <= tr->dist_m[i - 1])
			return false;
	return tr->dist_m[tr->n - 1] - tr->dist_m[first] >= MONITOR_AWAY_M;
}

bool
monitor_before_scene(enum ticket_state s)
{
	return s == TICKET_NEW || s == TICKET_DISPATCHED || s == TICKET_ACCEPTED ||
	    s == TICKET_EN_ROUTE;
}

static bool
moving(enum ticket_state s)
{
	return s == TICKET_ACCEPTED || s == TICKET_EN_ROUTE;
}

bool
monitor_gps_stale(const struct monitor_truck *k, const struct data_sla *sla, int64_t now)
{
	return !k->placed || now - k->fix_ts > (int64_t)sla->gps_stale_s * 1000;
}

bool
monitor_wants_proposal(const struct monitor_ticket *t, const struct monitor_truck *k)
{
	return moving(t->state) && k != NULL && t->eta > 0 && t->eta > t->promised;
}

/* The one rule of "late" (overdue, eta_late): the level of each at now, and the standing.
 * Both monitor_check and monitor_classify read it, so the board agrees with the broker. */
struct lateness {
	enum warn_level overdue, eta_late;
	int pct;            /* window used, when eta_late holds by the window only */
};

static struct lateness
lateness(const struct monitor_ticket *t, const struct data_sla *sla, int64_t now)
{
	struct lateness l = { WARN_LEVEL_NONE, WARN_LEVEL_NONE, 0 };

	if (!monitor_before_scene(t->state) || t->promised <= 0)
		return l;
	if (now > t->promised) {
		l.overdue = WARN_LEVEL_RED;
		return l;
	}
	int64_t window = t->promised - t->created;
	bool used = window > 0 && (now - t->created) * 100 > window * sla->window_pct;
	bool eta_late = t->eta > 0 && t->eta > t->promised - (int64_t)sla->late_margin_s * 1000;
	if (eta_late)
		l.eta_late = t->eta > t->promised ? WARN_LEVEL_RED : WARN_LEVEL_AMBER;
	else if (used) {
		l.eta_late = WARN_LEVEL_AMBER;
		l.pct = (int)((now - t->created) * 100 / window);
	}
	return l;
}

void
monitor_check(const struct monitor_ticket *t, const struct monitor_truck *k,
    const struct monitor_proposal *p, const struct data_sla *sla, int64_t now,
    struct monitor_result *out)
{
	struct monitor_warning *w;

	memset(out, 0, sizeof *out);
	for (int i = 0; i < WARN_KIND_COUNT; i++) {
		out->w[i].kind = (enum warn_kind)i;
		out->w[i].at = now;
	}

	/* nobody has accepted since the first offer of this round */
	bool waiting = t->round_start > 0 &&
	    (t->state == TICKET_DISPATCHED || t->state == TICKET_NEW);
	if (waiting && now - t->round_start > (int64_t)sla->not_accepted_s * 1000) {
		w = &out->w[WARN_NOT_ACCEPTED];
		w->level = WARN_LEVEL_AMBER;
		w->since = t->round_start;
		w->offers = t->offers;
		w->pending = t->state != TICKET_NEW;
		w->subject = t->last_offered != NULL && t->last_offered[0] ? t->last_offered : NULL;
	}

	/* nobody has chosen a truck where only an agent can (see domain.md on auto_dispatch) */
	int64_t wait_limit = (int64_t)sla->waiting_agent_s * 1000;
	if (t->manual && t->state == TICKET_NEW && now - t->created > wait_limit) {
		w = &out->w[WARN_WAITING_AGENT];
		w->level = now - t->created > 3 * wait_limit ? WARN_LEVEL_RED : WARN_LEVEL_AMBER;
		w->since = t->created;
	}

	/* GPS lost */
	if (moving(t->state) && k != NULL) {
		out->gps_stale = monitor_gps_stale(k, sla, now);
		if (out->gps_stale) {
			w = &out->w[WARN_GPS_LOST];
			w->age_ms = now - k->fix_ts;
			w->level = w->age_ms > 3LL * sla->gps_stale_s * 1000 ? WARN_LEVEL_RED :
			    WARN_LEVEL_AMBER;
			w->since = k->placed ? k->fix_ts : 0;
			w->subject = k->id;
		}
	}

	/* stalled en route, measured between fix timestamps */
	if (t->state == TICKET_EN_ROUTE && k != NULL && !out->gps_stale &&
	    k->fix_ts - k->still_since > (int64_t)sla->stalled_s * 1000) {
		w = &out->w[WARN_STALLED];
		w->level = WARN_LEVEL_AMBER;
		w->since = k->still_since;
		w->stall_ms = k->fix_ts - k->still_since;
		w->subject = k->id;
	}

	/* deviation: driving away from the car, or no closer for long, while moving */
	const struct monitor_track *tr = t->track;
	if (t->state == TICKET_EN_ROUTE && k != NULL && tr != NULL && tr->n > 0 &&
	    !out->gps_stale && out->w[WARN_STALLED].level == WARN_LEVEL_NONE) {
		int64_t still = tr->ts[tr->n - 1] - tr->closest_ts;
		int64_t limit = (int64_t)sla->deviation_s * 1000;
		bool away = driving_away(tr, sla->deviation_fixes);
		enum warn_level lvl = WARN_LEVEL_NONE;
		if (limit > 0 && still > 2 * limit)
			lvl = WARN_LEVEL_RED;
		else if (away || (limit > 0 && still > limit))
			lvl = WARN_LEVEL_AMBER;
		if (lvl != WARN_LEVEL_NONE) {
			w = &out->w[WARN_DEVIATION];
			w->level = lvl;
			w->since = tr->closest_ts;
			w->stall_ms = still;
			w->pending = away;
			w->subject = k->id;
		}
	}

	/* on scene far longer than the fault's typical job */
	int64_t overrun = t->typical_onscene_ms * sla->onscene_overrun_pct / 100;
	if (t->state == TICKET_ON_SCENE && t->on_scene > 0 && overrun > 0 &&
	    now - t->on_scene > overrun) {
		w = &out->w[WARN_ONSCENE_OVERRUN];
		w->level = now - t->on_scene > 2 * overrun ? WARN_LEVEL_RED : WARN_LEVEL_AMBER;
		w->since = t->on_scene;
		w->eta = t->on_scene + t->typical_onscene_ms;
	}

	/* the customer called again */
	if (t->callbacks > 0 && t->last_callback > 0 && !ticket_state_final(t->state) &&
	    t->state < TICKET_STATE_COUNT &&
	    now - t->last_callback <= (int64_t)sla->callback_clear_s * 1000) {
		w = &out->w[WARN_CALLBACK];
		w->level = t->callbacks >= 2 ? WARN_LEVEL_RED : WARN_LEVEL_AMBER;
		w->since = t->last_callback;
		w->offers = t->callbacks;
	}

	/* late: predicted or actual; overdue replaces eta_late */
	struct lateness l = lateness(t, sla, now);
	if (l.overdue != WARN_LEVEL_NONE) {
		w = &out->w[WARN_OVERDUE];
		w->level = l.overdue;
		w->since = t->promised;
		w->promised = t->promised;
		w->late_ms = now - t->promised;
	} else if (l.eta_late != WARN_LEVEL_NONE) {
		w = &out->w[WARN_ETA_LATE];
		w->level = l.eta_late;
		w->promised = t->promised;
		w->pct = l.pct;
		if (l.pct == 0) {
			w->eta = t->eta;
			w->late_ms = t->eta - t->promised;
		}
	}

	/* a free truck that beats the ETA by the margin */
	if (p != NULL && p->truck != NULL && monitor_wants_proposal(t, k) &&
	    now + p->travel_ms + p->min_gain_ms <= t->eta) {
		w = &out->w[WARN_REDISPATCH];
		w->level = WARN_LEVEL_AMBER;
		w->eta = t->eta;
		w->alt_eta = now + p->travel_ms;
		w->gain_ms = t->eta - now - p->travel_ms;
		w->truck = p->truck;
		w->subject = k->id;
	}
}

/* ---- capacity: a region's rule ---- */

bool
monitor_truck_able(const struct monitor_truck *k, const struct data_sla *sla, int64_t now)
{
	return !monitor_gps_stale(k, sla, now);
}

/* Red past 3 x capacity_s, as gps_lost and waiting_agent: by then the region has been
 * without a truck for a quarter of an hour and the next call there will wait; and red as
 * soon as a call there already waits for a truck, since a customer is let down now, not
 * only at risk. Amber otherwise: nobody waits yet, and a truck may free up at any time. */
void
monitor_capacity(const struct monitor_region *r, const struct data_sla *sla, int64_t now,
    struct monitor_warning *out)
{
	int64_t limit = (int64_t)sla->capacity_s * 1000;

	memset(out, 0, sizeof *out);
	out->kind = WARN_CAPACITY;
	out->at = now;
	out->reason = r->reason;
	if (r->reason == MONITOR_CAP_NUMBERS) {
		/* a rescue without a number already: its driver and customer cannot reach each
		 * other through the pool, so no grace before the warning; red once one has
		 * waited as long as a region may be without a truck */
		if (r->waiting <= 0 || r->short_since <= 0)
			return;
		out->level = now - r->short_since > limit ? WARN_LEVEL_RED : WARN_LEVEL_AMBER;
		out->since = r->short_since;
		out->waiting = r->waiting;
		out->region = r->id;
		return;
	}
	if (r->free > 0 || r->short_since <= 0 || limit <= 0 || now - r->short_since <= limit)
		return;
	out->level = r->waiting > 0 || now - r->short_since > 3 * limit ? WARN_LEVEL_RED :
	    WARN_LEVEL_AMBER;
	out->since = r->short_since;
	out->waiting = r->waiting > 0 ? r->waiting : 0;
	out->region = r->id;
}

int64_t
monitor_capacity_next(const struct monitor_region *r, const struct data_sla *sla,
    int64_t now)
{
	int64_t limit = (int64_t)sla->capacity_s * 1000, at;

	if (r->short_since <= 0 || limit <= 0)
		return INT64_MAX;
	if (r->reason == MONITOR_CAP_NUMBERS) {
		at = r->waiting > 0 ? r->short_since + limit + 1 : INT64_MAX;
		return at > now ? at : INT64_MAX;
	}
	if (r->free > 0)
		return INT64_MAX;
	/* each level holds from the first ms its "more than" is true */
	at = r->short_since + limit + 1;
	if (at > now)
		return at;
	at = r->short_since + 3 * limit + 1;
	return at > now && r->waiting <= 0 ? at : INT64_MAX;
}

const char *
monitor_capacity_reason_name(enum monitor_capacity_reason r)
{
	return r == MONITOR_CAP_NUMBERS ? "numbers" : "trucks";
}

struct monitor_standing
monitor_classify(const struct monitor_ticket *t, const struct data_sla *sla, int64_t now)
{
	struct monitor_standing s = { MONITOR_NONE, 0 };

	if (!monitor_before_scene(t->state) || t->promised <= 0)
		return s;
	int64_t arrive = t->eta > now ? t->eta : now;
	s.slack_ms = t->promised - arrive;
	struct lateness l = lateness(t, sla, now);
	if (l.overdue == WARN_LEVEL_RED || l.eta_late == WARN_LEVEL_RED)
		s.cls = MONITOR_LATE;
	else if (l.eta_late == WARN_LEVEL_AMBER)
		s.cls = MONITOR_AT_RISK;
	else
		s.cls = MONITOR_ON_TIME;
	return s;
}

/* at, when it is after now and before *next. */
static void
sooner(int64_t *next, int64_t at, int64_t now)
{
	if (at > now && at < *next)
		*next = at;
}

int64_t
monitor_next_deadline(const struct monitor_ticket *t, const struct monitor_truck *k,
    const struct data_sla *sla, int64_t now)
{
	int64_t next = INT64_MAX;

	/* each rule holds from the first ms its "more than" is true: threshold + 1 */
	if (t->round_start > 0 && (t->state == TICKET_DISPATCHED || t->state == TICKET_NEW))
		sooner(&next, t->round_start + (int64_t)sla->not_accepted_s * 1000 + 1, now);
	int64_t wait_limit = (int64_t)sla->waiting_agent_s * 1000;
	if (t->manual && t->state == TICKET_NEW) {
		sooner(&next, t->created + wait_limit + 1, now);
		sooner(&next, t->created + 3 * wait_limit + 1, now);
	}
	if (moving(t->state) && k != NULL) {
		int64_t stale = (int64_t)sla->gps_stale_s * 1000;
		sooner(&next, k->fix_ts + stale + 1, now);
		sooner(&next, k->fix_ts + 3 * stale + 1, now);
	}
	int64_t overrun = t->typical_onscene_ms * sla->onscene_overrun_pct / 100;
	if (t->state == TICKET_ON_SCENE && t->on_scene > 0 && overrun > 0) {
		sooner(&next, t->on_scene + overrun + 1, now);
		sooner(&next, t->on_scene + 2 * overrun + 1, now);
	}
	if (t->callbacks > 0 && t->last_callback > 0 && !ticket_state_final(t->state) &&
	    t->state < TICKET_STATE_COUNT)
		sooner(&next, t->last_callback + (int64_t)sla->callback_clear_s * 1000 + 1, now);
	if (monitor_before_scene(t->state) && t->promised > 0) {
		sooner(&next, t->promised + 1, now);
		int64_t window = t->promised - t->created;
		if (window > 0)
			sooner(&next, t->created + window * sla->window_pct / 100 + 1, now);
	}
	return next;
}

static int64_t
ceil_min(int64_t ms)
{
	return ms <= 0 ? 0 : (ms + 59999) / 60000;
}

static int64_t
abs64(int64_t v)
{
	return v < 0 ? -v : v;
}

void
monitor_text(const struct monitor_warning *w, char *out, size_t outsz)
{
	if (outsz == 0)
		return;
	out[0] = '\0';
	switch (w->kind) {
	case WARN_NOT_ACCEPTED:
		snprintf(out, outsz, "not accepted %" PRId64 " min after the first offer (%"
		    PRId64 " offer%s; last to %s%s)", (w->at - w->since) / 60000, w->offers,
		    w->offers == 1 ? "" : "s", w->subject != NULL ? w->subject : "?",
		    w->pending ? ", pending" : ", none pending");
		break;
	case WARN_GPS_LOST:
		if (w->since == 0)	/* never had a fix: its age would count from 1970 */
			snprintf(out, outsz, "no GPS from %s yet", w->subject);
		else
			snprintf(out, outsz, "no GPS from %s for %" PRId64 " min", w->subject,
			    w->age_ms / 60000);
		break;
	case WARN_STALLED:
		snprintf(out, outsz, "%s has not moved for %" PRId64 " min", w->subject,
		    w->stall_ms / 60000);
		break;
	case WARN_ETA_LATE:
		if (w->pct == 0)
			snprintf(out, outsz, "ETA %" PRId64 " min %s the promise",
			    abs64(w->late_ms) / 60000, w->late_ms > 0 ? "after" : "before");
		else
			snprintf(out, outsz, "%d%% of the promised window used", w->pct);
		break;
	case WARN_OVERDUE:
		snprintf(out, outsz, "%" PRId64 " min past the promised arrival",
		    w->late_ms / 60000);
		break;
	case WARN_REDISPATCH:
		snprintf(out, outsz, "%s could be there %" PRId64 " min sooner than %s (ETA %"
		    PRId64 " min vs %" PRId64 " min)", w->truck, w->gain_ms / 60000, w->subject,
		    ceil_min(w->alt_eta - w->at), ceil_min(w->eta - w->at));
		break;
	case WARN_WAITING_AGENT:
		snprintf(out, outsz, "waiting %" PRId64 " min for an agent to choose a truck",
		    (w->at - w->since) / 60000);
		break;
	case WARN_DEVIATION:
		if (w->pending)
			snprintf(out, outsz, "%s is driving away from the car (no closer for %"
			    PRId64 " min)", w->subject, w->stall_ms / 60000);
		else
			snprintf(out, outsz, "%s has got no closer to the car for %" PRId64 " min",
			    w->subject, w->stall_ms / 60000);
		break;
	case WARN_ONSCENE_OVERRUN:
		snprintf(out, outsz, "on scene for %" PRId64 " min (a typical job: %" PRId64
		    " min)", (w->at - w->since) / 60000, (w->eta - w->since) / 60000);
		break;
	case WARN_CALLBACK:
		if (w->offers >= 2)
			snprintf(out, outsz, "the customer has called again %" PRId64 " times, "
			    "last %" PRId64 " min ago", w->offers, (w->at - w->since) / 60000);
		else
			snprintf(out, outsz, "the customer called again %" PRId64 " min ago",
			    (w->at - w->since) / 60000);
		break;
	case WARN_CAPACITY:
		if (w->reason == MONITOR_CAP_NUMBERS) {
			snprintf(out, outsz, "no virtual number free in %s for %" PRId64 " min (%"
			    PRId64 " rescue%s waiting for a number)", w->region != NULL ?
			    w->region : "?", (w->at - w->since) / 60000, w->waiting,
			    w->waiting == 1 ? "" : "s");
			break;
		}
		snprintf(out, outsz, "no able truck free in %s for %" PRId64 " min (%" PRId64
		    " call%s waiting for a truck)", w->region != NULL ? w->region : "?",
		    (w->at - w->since) / 60000, w->waiting, w->waiting == 1 ? "" : "s");
		break;
	case WARN_DETRACTOR:
		/* not a rule of this file: src/broker/broker-survey.c raises it and words it */
		snprintf(out, outsz, "a detractor to call back");
		break;
	case WARN_KIND_COUNT:
		break;
	}
}
