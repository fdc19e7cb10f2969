/* broker-diag.c: guided remote diagnosis, with the broker as the authority (PROTOCOL.md
 * 7.12 to 7.18, 8.1.1, 9.2). A session lives in its ticket's wire form (diag_flow,
 * diag_state, diag_path, diag_node, ...), so it is published with the ticket, stored with
 * it and survives a restart; every step is an event in the ticket's history. Each request
 * replays the stored path over the broker's copy of the flows (src/model/flow.c, loaded at
 * start-up by broker_diag_load), checks the step against it, and applies an outcome itself:
 * solved closes the ticket, dispatch sets the truck kind and dispatches, escalate sets
 * senior, a safety stop dispatches at once. stats.kpi counts over every ticket held.
 *
 * Called by the op table (broker-ops.c) and the loop (load); calls broker-dispatch.c for
 * offers, releases and the close, broker-eta.c for the ranking query, and broker-emit.c. */
#include "broker-int.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "util.h"

/* ---- loading ---- */

int
broker_diag_load(struct broker *b, char **cause)
{
	struct stat st;
	char *dir, *faults, *why = NULL;

	xasprintf(&dir, "%s/diagnosis", b->data_dir);
	if (stat(dir, &st) < 0 && errno == ENOENT) {
		/* reference data without flows: the broker serves no diagnosis (diag.start
		 * answers bad_request), as before flows existed */
		log_warn("%s: no such directory; remote diagnosis is off", dir);
		free(dir);
		return 0;
	}
	xasprintf(&faults, "%s/faults.ini", b->data_dir);
	b->flows = flow_set_open(dir, faults, &why);
	free(faults);
	free(dir);
	if (b->flows == NULL) {
		*cause = why;
		return -1;
	}
	log_info("%zu diagnosis flows, %zu nodes, %zu safety stops", b->flows->n_flows,
	    b->flows->n_nodes, b->flows->n_stops);
	return 0;
}

/* ---- the session in the ticket ---- */

static bool
running(const struct bticket *t)
{
	return PROTO_HAS(&t->w, ticket, diag_state) &&
	    strcmp(t->w.diag_state, broker_diag_state_name(BROKER_DIAG_RUNNING)) == 0;
}

static void
unset(struct bticket *t, int field)
{
	t->w.present &= ~((uint64_t)1 << field);
}

static void
set_state(struct bticket *t, enum broker_diag_state s)
{
	PROTO_STRSET(t->w.diag_state, broker_diag_state_name(s));
	PROTO_SET(&t->w, ticket, diag_state);
}

static void
set_by(struct bticket *t, const char *user)
{
	PROTO_STRSET(t->w.diag_by, user);
	PROTO_SET(&t->w, ticket, diag_by);
}

static void
release_hold(struct bticket *t)
{
	t->w.diag_hold_until = 0;
	unset(t, PROTO_ticket_diag_hold_until);
}

/* The ticket the request names, with a running session replayed into *w. */
static struct bticket *
session(struct broker *b, const struct proto_request *req, int64_t id, struct flow_walk *w,
    struct proto_buf *out)
{
	struct bticket *t = broker_ticket(b, id);
	const struct flow *fl;
	char *why = NULL;

	if (t == NULL) {
		broker_reply_error(out, req, PROTO_E_NOT_FOUND, "no ticket %" PRId64, id);
		return NULL;
	}
	if (!running(t)) {
		broker_reply_error(out, req, PROTO_E_INVALID_STATE, "no diagnosis is running on ticket %" PRId64,
		    id);
		return NULL;
	}
	if ((fl = flow_set_flow(b->flows, t->w.diag_flow)) == NULL ||
	    flow_walk_parse(w, b->flows, fl, t->w.diag_path, &why) < 0) {
		/* the flows changed under a running session since it started: only abort helps */
		broker_reply_error(out, req, PROTO_E_INVALID_STATE, "ticket %" PRId64 ": flow %s no longer "
		    "fits the session (%s); abort it", id, t->w.diag_flow, why ? why : "no flow");
		free(why);
		return NULL;
	}
	return t;
}

/* Store the walk's path and position in the ticket. */
static void
store_walk(struct bticket *t, const struct flow_walk *w)
{
	char path[FLOW_PATH_MAX + 1];

	if (flow_walk_format(w, path, sizeof path) < 0)
		path[0] = '\0'; /* cannot happen: a loaded set's paths fit (FLOW_STEPS_MAX) */
	PROTO_STRSET(t->w.diag_path, path);
	PROTO_SET(&t->w, ticket, diag_path);
	if (w->node != NULL)
		PROTO_STRSET(t->w.diag_node, w->node->id);
	else if (w->outcome != NULL)
		PROTO_STRSET(t->w.diag_node, w->outcome->id);
	else if (w->stop != NULL)
		PROTO_STRSET(t->w.diag_node, w->stop->id);
	PROTO_SET(&t->w, ticket, diag_node);
}

/* The waiting a customer solved by phone is spared: the ETA of the truck on the way, or of
 * the best truck now, or what is left of the promise. Seconds, at least 0. */
static int64_t
saved_s(struct broker *b, struct bticket *t, int64_t now)
{
	struct dispatch_candidate c;
	int64_t left = -1;

	if (t->truck != NULL && PROTO_HAS(&t->w, ticket, eta))
		left = t->w.eta - now;
	if (left < 0 && t->truck == NULL) {
		struct dispatch_query q = broker_dispatch_query(b, t, now);
		if (dispatch_rank(&b->rules, b->eta, &b->fleet, &q, 1, &c, NULL) == 1)
			left = c.travel_ms + c.job_ms;
	}
	if (left < 0)
		left = t->w.promised - now;
	return left > 0 ? (left + 999) / 1000 : 0;
}

/* The hold is gone (the caller released it before logging its change): a waiting ticket
 * goes to dispatch now (where the broker dispatches by itself); a ticket whose truck is of
 * another kind than the job needs loses it first. */
static void
dispatch_now(struct broker *b, struct bticket *t, const char *user)
{
	if (t->truck != NULL && PROTO_HAS(&t->w, ticket, need_kind) &&
	    t->state != TICKET_ON_SCENE && t->state != TICKET_TOWING &&
	    strcmp(t->truck->w.kind, t->w.need_kind) != 0) {
		broker_take_truck_kind(b, t, user);
	}
	if (t->state == TICKET_NEW && broker_auto_region(t))
		broker_try_dispatch(b, t);
}

/* Apply how the session ended: w ended at an outcome or a stop. The session keys are set
 * and the outcome event logged before the ticket's other changes (close, offers). */
static void
apply_end(struct broker *b, struct bticket *t, const struct flow_walk *w, const char *user)
{
	int64_t now = broker_now(b);
	int truck = -1;
	int r = flow_walk_result(w, &truck);
	char detail[1000];
	const char *what = w->outcome ? "outcome" : "stop";
	const char *id = w->outcome ? w->outcome->id : w->stop->id;
	const char *text = w->outcome ? w->outcome->text[FLOW_LANG_EN] :
	    w->stop->advice[FLOW_LANG_EN];

	store_walk(t, w);
	t->w.diag_ended = now;
	PROTO_SET(&t->w, ticket, diag_ended);
	if (truck >= 0) {
		PROTO_STRSET(t->w.need_kind, truck_kind_name((enum truck_kind)truck));
		PROTO_SET(&t->w, ticket, need_kind);
	}
	bool closes = r == FLOW_SOLVED && !ticket_state_final(t->state) &&
	    t->state != TICKET_ON_SCENE && t->state != TICKET_TOWING;
	bool sends = r == FLOW_DISPATCH || (r == FLOW_ESCALATE && w->stop != NULL);
	if (closes || sends)
		release_hold(t); /* an escalation keeps it: a senior may take the call */
	switch ((enum flow_result)r) {
	case FLOW_SOLVED:
		set_state(t, BROKER_DIAG_SOLVED);
		break;
	case FLOW_DISPATCH:
		set_state(t, BROKER_DIAG_DISPATCHED);
		break;
	case FLOW_ESCALATE:
	case FLOW_RESULT_COUNT:
		set_state(t, BROKER_DIAG_ESCALATED);
		t->w.senior = true;
		PROTO_SET(&t->w, ticket, senior);
		break;
	}
	if (closes) {
		t->w.diag_saved_s = saved_s(b, t, now);
		PROTO_SET(&t->w, ticket, diag_saved_s);
	}
	snprintf(detail, sizeof detail, "%s %s: %s%s%s%s%s", what, id, t->w.diag_state,
	    truck >= 0 ? " " : "", truck >= 0 ? t->w.need_kind : "", text[0] ? "; " : "", text);
	struct broker_why why;
	broker_why_init(&why, "diag_outcome");
	if (w->outcome)
		BWHY_STR(&why, outcome, id);
	else
		BWHY_STR(&why, stop, id);
	BWHY_STR(&why, diag, t->w.diag_state);
	if (truck >= 0)
		BWHY_STR(&why, need, t->w.need_kind);
	broker_emit_ticket_why(b, t, EVENT_DIAG_OUTCOME, user, detail, &why);

	if (closes)
		broker_finish(b, t, TICKET_RESOLVED_REMOTE, user, BROKER_WHY_SOLVED_PHONE);
	else if (sends)
		dispatch_now(b, t, user); /* a dispatch outcome, or any stop: the truck goes now */
	log_info("ticket %" PRId64 ": diagnosis %s at %s %s", t->w.id, t->w.diag_state, what, id);
}

/* ---- the ops ---- */

void
broker_diag_intake_hold(struct broker *b, struct bticket *t, int64_t now)
{
	if (flow_set_for_fault(b->flows, t->fault) == NULL || b->data->sla.diag_hold_s <= 0)
		return;
	t->w.diag_hold_until = now + (int64_t)b->data->sla.diag_hold_s * 1000;
	PROTO_SET(&t->w, ticket, diag_hold_until);
}

int
broker_op_diag_start(struct broker *b, const struct peer *p, const struct proto_request *req,
    struct proto_buf *out)
{
	const struct proto_diag_start *a = &req->args.diag_start;
	struct bticket *t = broker_ticket(b, a->id);
	const struct flow *fl;
	int64_t now = broker_now(b);
	char detail[400], hold[80] = "";

	if (t == NULL)
		return broker_reply_error(out, req, PROTO_E_NOT_FOUND, "no ticket %" PRId64, a->id);
	if (PROTO_HAS(a, diag_start, flow)) {
		if ((fl = flow_set_flow(b->flows, a->flow)) == NULL)
			return broker_reply_error(out, req, PROTO_E_BAD_REQUEST, "no diagnosis flow '%.32s'",
			    a->flow);
	} else if ((fl = flow_set_for_fault(b->flows, t->fault)) == NULL) {
		return broker_reply_error(out, req, PROTO_E_BAD_REQUEST, "fault %s has no diagnosis flow",
		    t->w.fault);
	}
	if (t->state != TICKET_NEW && t->state != TICKET_DISPATCHED &&
	    t->state != TICKET_ACCEPTED && t->state != TICKET_EN_ROUTE)
		return broker_reply_error(out, req, PROTO_E_INVALID_STATE, "ticket %" PRId64 " is %s: too late "
		    "for a diagnosis", t->w.id, ticket_state_name(t->state));
	if (running(t))
		return broker_reply_error(out, req, PROTO_E_INVALID_STATE, "ticket %" PRId64 " has a diagnosis "
		    "running (%s, by %s)", t->w.id, t->w.diag_flow, t->w.diag_by);

	struct flow_walk w;
	flow_walk_start(&w, b->flows, fl);
	PROTO_STRSET(t->w.diag_flow, fl->id);
	PROTO_SET(&t->w, ticket, diag_flow);
	set_state(t, BROKER_DIAG_RUNNING);
	store_walk(t, &w);
	set_by(t, req->user);
	t->w.diag_started = now;
	PROTO_SET(&t->w, ticket, diag_started);
	unset(t, PROTO_ticket_diag_ended);
	unset(t, PROTO_ticket_diag_saved_s);
	t->hold_tried = false;
	if (PROTO_HAS(&t->w, ticket, diag_hold_until) && now < t->w.diag_hold_until) {
		/* a hold still running (from intake, or a session that escalated) is kept, not
		 * extended: automatic dispatch waits diag_hold_s at most */
		snprintf(hold, sizeof hold, "; automatic dispatch held %" PRId64 " s more",
		    (t->w.diag_hold_until - now + 999) / 1000);
	} else {
		release_hold(t);
	}
	if (!PROTO_HAS(&t->w, ticket, diag_hold_until) && t->truck == NULL &&
	    b->data->sla.diag_hold_s > 0) {
		t->w.diag_hold_until = now + (int64_t)b->data->sla.diag_hold_s * 1000;
		PROTO_SET(&t->w, ticket, diag_hold_until);
		snprintf(hold, sizeof hold, "; automatic dispatch held %d s",
		    b->data->sla.diag_hold_s);
	}
	snprintf(detail, sizeof detail, "flow %s (%s) at %s%s%s", fl->id, fl->title[FLOW_LANG_EN],
	    w.node->id, t->truck ? "; truck already sent: " : "", t->truck ? t->truck->w.id : "");
	if (hold[0])
		snprintf(detail + strlen(detail), sizeof detail - strlen(detail), "%s", hold);
	struct broker_why why;
	broker_why_init(&why, "diag_start");
	BWHY_STR(&why, flow, fl->id);
	BWHY_STR(&why, node, w.node->id);
	if (t->truck)
		BWHY_STR(&why, truck, t->truck->w.id);
	if (hold[0])
		BWHY_INT(&why, hold_s, (t->w.diag_hold_until - now + 999) / 1000);
	broker_emit_ticket_why(b, t, EVENT_DIAG_START, req->user, detail, &why);
	broker_reply_ticket(out, req, t);
	return 0;
}

int
broker_op_diag_answer(struct broker *b, const struct peer *p, const struct proto_request *req,
    struct proto_buf *out)
{
	const struct proto_diag_answer *a = &req->args.diag_answer;
	struct flow_walk w;
	struct bticket *t = session(b, req, a->id, &w, out);
	char detail[600];

	if (t == NULL)
		return -1;
	if (strcmp(a->node, w.node->id) != 0)
		return broker_reply_error(out, req, PROTO_E_CONFLICT, "ticket %" PRId64 " is at %s, not %.48s",
		    t->w.id, w.node->id, a->node);
	const struct flow_node *at = w.node;
	if ((uint64_t)a->answer > at->n_answers)
		return broker_reply_error(out, req, PROTO_E_BAD_REQUEST, "%s has %zu answers, not %" PRId64,
		    at->id, at->n_answers, a->answer);
	const struct flow_answer *ans = &at->answers[a->answer - 1];
	flow_walk_answer(&w, (size_t)a->answer - 1);
	set_by(t, req->user);
	store_walk(t, &w);
	snprintf(detail, sizeof detail, "%s: %" PRId64 " (%s) -> %s%s", at->id, a->answer,
	    ans->label[FLOW_LANG_EN], w.outcome ? "outcome " : w.stop ? "stop " : "",
	    t->w.diag_node);
	struct broker_why why;
	broker_why_init(&why, "diag_answer");
	BWHY_STR(&why, node, at->id);
	BWHY_INT(&why, answer, a->answer);
	if (w.outcome)
		BWHY_STR(&why, outcome, t->w.diag_node);
	else if (w.stop)
		BWHY_STR(&why, stop, t->w.diag_node);
	else
		BWHY_STR(&why, to_node, t->w.diag_node);
	broker_emit_ticket_why(b, t, EVENT_DIAG_ANSWER, req->user, detail, &why);
	if (flow_walk_ended(&w))
		apply_end(b, t, &w, req->user);
	broker_reply_ticket(out, req, t);
	return 0;
}

int
broker_op_diag_back(struct broker *b, const struct peer *p, const struct proto_request *req,
    struct proto_buf *out)
{
	const struct proto_diag_back *a = &req->args.diag_back;
	struct flow_walk w;
	struct bticket *t = session(b, req, a->id, &w, out);
	char detail[200];

	if (t == NULL)
		return -1;
	if (strcmp(a->node, w.node->id) != 0)
		return broker_reply_error(out, req, PROTO_E_CONFLICT, "ticket %" PRId64 " is at %s, not %.48s",
		    t->w.id, w.node->id, a->node);
	if (flow_walk_back(&w) < 0)
		return broker_reply_error(out, req, PROTO_E_INVALID_STATE, "ticket %" PRId64 ": the diagnosis "
		    "is at its first step", t->w.id);
	snprintf(detail, sizeof detail, "back from %s to %s (undoing answer %zu)", a->node,
	    w.node->id, w.steps[w.n_steps].answer + 1);
	set_by(t, req->user);
	store_walk(t, &w);
	struct broker_why why;
	broker_why_init(&why, "diag_back");
	BWHY_STR(&why, node, a->node);
	BWHY_STR(&why, to_node, w.node->id);
	BWHY_INT(&why, answer, (int64_t)w.steps[w.n_steps].answer + 1);
	broker_emit_ticket_why(b, t, EVENT_DIAG_BACK, req->user, detail, &why);
	broker_reply_ticket(out, req, t);
	return 0;
}

int
broker_op_diag_safety(struct broker *b, const struct peer *p, const struct proto_request *req,
    struct proto_buf *out)
{
	const struct proto_diag_safety *a = &req->args.diag_safety;
	struct bticket *t = broker_ticket(b, a->id);
	const struct flow_stop *s;
	struct flow_walk w;
	char detail[600];

	if (t == NULL)
		return broker_reply_error(out, req, PROTO_E_NOT_FOUND, "no ticket %" PRId64, a->id);
	if ((s = flow_set_stop(b->flows, a->stop)) == NULL)
		return broker_reply_error(out, req, PROTO_E_BAD_REQUEST, "no safety stop '%.48s'", a->stop);
	if ((t = session(b, req, a->id, &w, out)) == NULL)
		return -1;
	const char *at = w.node->id;
	snprintf(detail, sizeof detail, "at %s: %s (%s)", at, s->id, s->trigger[FLOW_LANG_EN]);
	flow_walk_stop(&w, s);
	set_by(t, req->user);
	store_walk(t, &w);
	struct broker_why why;
	broker_why_init(&why, "diag_safety");
	BWHY_STR(&why, node, at);
	BWHY_STR(&why, stop, s->id);
	broker_emit_ticket_why(b, t, EVENT_DIAG_SAFETY, req->user, detail, &why);
	apply_end(b, t, &w, req->user);
	broker_reply_ticket(out, req, t);
	return 0;
}

int
broker_op_diag_abort(struct broker *b, const struct peer *p, const struct proto_request *req,
    struct proto_buf *out)
{
	const struct proto_diag_abort *a = &req->args.diag_abort;
	struct bticket *t = broker_ticket(b, a->id);
	char detail[300];

	if (t == NULL)
		return broker_reply_error(out, req, PROTO_E_NOT_FOUND, "no ticket %" PRId64, a->id);
	if (broker_blank(a->reason))
		return broker_reply_error(out, req, PROTO_E_BAD_REQUEST, "an abort needs a reason");
	if (!running(t))
		return broker_reply_error(out, req, PROTO_E_INVALID_STATE, "no diagnosis is running on ticket %"
		    PRId64, a->id);
	/* no replay: a session whose flow went away can still be aborted */
	set_state(t, BROKER_DIAG_ABORTED);
	set_by(t, req->user);
	t->w.diag_ended = broker_now(b);
	PROTO_SET(&t->w, ticket, diag_ended);
	release_hold(t);
	snprintf(detail, sizeof detail, "at %s: %s", t->w.diag_node, a->reason);
	struct broker_why why;
	broker_why_init(&why, "diag_abort");
	BWHY_STR(&why, node, t->w.diag_node);
	BWHY_STR(&why, text, a->reason);
	broker_emit_ticket_why(b, t, EVENT_DIAG_ABORT, req->user, detail, &why);
	dispatch_now(b, t, req->user);
	broker_reply_ticket(out, req, t);
	return 0;
}

int
broker_op_diag_dispatch_now(struct broker *b, const struct peer *p,
    const struct proto_request *req, struct proto_buf *out)
{
	const struct proto_diag_dispatch_now *a = &req->args.diag_dispatch_now;
	struct bticket *t = broker_ticket(b, a->id);
	char detail[200];

	if (t == NULL)
		return broker_reply_error(out, req, PROTO_E_NOT_FOUND, "no ticket %" PRId64, a->id);
	if (!running(t))
		return broker_reply_error(out, req, PROTO_E_INVALID_STATE, "no diagnosis is running on ticket %"
		    PRId64, a->id);
	set_by(t, req->user);
	snprintf(detail, sizeof detail, "at %s: dispatch now, diagnosis goes on%s", t->w.diag_node,
	    PROTO_HAS(&t->w, ticket, diag_hold_until) ? "; hold released" : "");
	struct broker_why why;
	broker_why_init(&why, PROTO_HAS(&t->w, ticket, diag_hold_until) ? "diag_dispatch_held" :
	    "diag_dispatch");
	BWHY_STR(&why, node, t->w.diag_node);
	release_hold(t);
	broker_emit_ticket_why(b, t, EVENT_DIAG_DISPATCH, req->user, detail, &why);
	dispatch_now(b, t, req->user);
	broker_reply_ticket(out, req, t);
	return 0;
}

/* ---- stats.kpi ---- */

static int
cmp_i64(const void *va, const void *vb)
{
	int64_t a = *(const int64_t *)va, b = *(const int64_t *)vb;
	return (a > b) - (a < b);
}

static bool
state_is(const struct bticket *t, enum broker_diag_state s)
{
	return strcmp(t->w.diag_state, broker_diag_state_name(s)) == 0;
}

int
broker_op_stats_kpi(struct broker *b, const struct peer *p, const struct proto_request *req,
    struct proto_buf *out)
{
	const struct proto_stats_kpi *a = &req->args.stats_kpi;
	bool since = PROTO_HAS(a, stats_kpi, since);
	struct proto_kpi k = { .now = broker_now(b), .present = PROTO_ALL };
	int64_t *len = xcalloc(b->n_tickets + 1, sizeof *len);
	size_t n_len = 0;
	int64_t response = 0;
	size_t on_time = 0;

	if (since)
		k.since = a->since;
	else
		k.present &= ~((uint64_t)1 << PROTO_kpi_since);
	for (size_t i = 0; i < b->n_tickets; i++) {
		const struct bticket *t = b->tickets[i];
		if (t == NULL || (since && t->w.created < a->since))
			continue;
		k.tickets++;
		switch (t->state) {
		case TICKET_COMPLETED:
			k.completed++;
			break;
		case TICKET_CANCELLED:
			k.cancelled++;
			break;
		case TICKET_RESOLVED_REMOTE:
			k.resolved_remote++;
			break;
		default:
			k.open++;
			break;
		}
		bool diag = PROTO_HAS(&t->w, ticket, diag_flow);
		bool sent = PROTO_HAS(&t->w, ticket, t_dispatched);
		if (diag) {
			k.diag_sessions++;
			k.diag_running += state_is(t, BROKER_DIAG_RUNNING);
			k.diag_solved += state_is(t, BROKER_DIAG_SOLVED);
			k.diag_escalated += state_is(t, BROKER_DIAG_ESCALATED);
			k.diag_aborted += state_is(t, BROKER_DIAG_ABORTED);
			k.diag_then_dispatched += sent;
			/* ended at a stop: by the safety key or by an answer leading to one */
			k.diag_safety += !state_is(t, BROKER_DIAG_RUNNING) &&
			    !state_is(t, BROKER_DIAG_ABORTED) &&
			    flow_set_stop(b->flows, t->w.diag_node) != NULL;
			if (PROTO_HAS(&t->w, ticket, diag_ended) && t->w.diag_ended >= t->w.diag_started)
				len[n_len++] = t->w.diag_ended - t->w.diag_started;
			if (PROTO_HAS(&t->w, ticket, diag_saved_s))
				k.saved_wait_s += t->w.diag_saved_s;
		} else if (sent) {
			k.dispatched_direct++;
		}
		if (PROTO_HAS(&t->w, ticket, t_on_scene)) {
			k.arrived++;
			response += t->w.t_on_scene - t->w.created;
			on_time += t->w.t_on_scene <= t->w.promised;
		}
	}
	k.closed = k.completed + k.resolved_remote;
	k.phone_rate = k.closed > 0 ? (double)k.resolved_remote / (double)k.closed : 0;
	if (n_len > 0) {
		qsort(len, n_len, sizeof *len, cmp_i64);
		int64_t mid = n_len % 2 ? len[n_len / 2] : (len[n_len / 2 - 1] + len[n_len / 2]) / 2;
		k.diag_median_s = (mid + 500) / 1000;
	}
	free(len);
	if (k.arrived > 0) {
		k.mean_response_s = (response / k.arrived + 500) / 1000;
		k.within_promise = (double)on_time / (double)k.arrived;
	}
	broker_warn_kpi(b, &k);
	broker_survey_kpi(b, &k);
	bool list = PROTO_HAS(a, stats_kpi, surveys) && a->surveys;
	proto_encode_reply_ok(out, req->cmd_id, "stats.kpi");
	proto_pack_obj(out, PROTO_MSG_kpi, &k, list ? 1 : 0);
	if (list)
		broker_survey_list(b, out);
	return 0;
}
