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
	};
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
	case WARN_KIND_COUNT:
		break;
	}
}
