/* broker-survey.c: customers' survey answers and detractors' call-backs (issue 14):
 * survey.put (PROTOCOL.md 7.32) and survey.done (7.34), rows of the op table
 * (broker-ops.c); today's counts for stats.kpi (broker-diag.c); the call-back tasks' clock
 * in the loop's tick.
 *
 * An answer is taken for a ticket that ended in a rescue (completed) or a phone fix
 * (resolved_remote), once a ticket, answered no later than survey_window_s (sla.ini) after
 * the close. The ticket may be long out of the snapshots: it is the broker's own when it
 * holds it, else its latest state from the store (the `latest` table); either way the
 * answer is an event of kind "survey", code "survey", on the ticket, with params score,
 * comment and answered (when the customer answered: the day it counts on). A ticket in
 * memory is published with it, so consoles see it in its timeline.
 *
 * Today's answers (the China day of `answered`) are counted by class (src/model/nps.h)
 * and kept as events for stats.kpi; the first use on a new day rebuilds them from the
 * store (store_surveys_since), so a restart loses nothing.
 *
 * A detractor's answer (0-6) opens a call-back task: a warning of kind "detractor" on the
 * ticket (since: the answer's logging time, promised: when the call-back is due, score),
 * amber until detractor_callback_s after the answer, then red; red and unowned it
 * escalates as any red warning does (broker-warn.c), and `o` (warning.ack) owns it. The
 * warning is the task's record: it is stored, checkpointed and snapshotted while active,
 * so it outlives the ticket's leaving the snapshots and a restart (broker_relink links it
 * back). Monitoring never looks at closed tickets, so nothing but survey.done clears it;
 * survey.done logs "survey_done" (with its note) on the ticket.
 *
 * Calls broker-state.c and broker-emit.c. */
#include "broker-int.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "civil.h"
#include "nps.h"
#include "util.h"

#define SURVEY_FUTURE_MS 60000 /* an answer stamped later than this ahead of now: refused */

/* ---------------------------------------------------------------- the ticket */

/* A ticket as survey.put and survey.done see it: the broker's (t) or the store's latest
 * state (w, with its blob for the event's body). */
struct sticket {
	struct bticket *t;
	struct proto_ticket w;
	void *body;
	size_t len;
	int64_t id;
	char cause[256];
};

static int
latest_cb(void *ctx, int64_t entity, int64_t ts, const void *body, size_t len)
{
	struct sticket *s = ctx;
	struct proto_error err;

	(void)ts;
	if (entity != s->id)
		return 1; /* highest first, below id + 1: the first row is it or it is not there */
	if (proto_decode_msg(body, len, PROTO_MSG_ticket, &s->w, &err) < 0) {
		snprintf(s->cause, sizeof s->cause, "stored ticket %" PRId64 ": %.200s", entity,
		    err.message);
		return -1;
	}
	s->body = xmalloc(len ? len : 1);
	memcpy(s->body, body, len);
	s->len = len;
	return 1;
}

/* Find ticket id: 1, or 0 (not found) or -1 (the store failed) with the reply in out. */
static int
find(struct broker *b, const struct proto_request *req, int64_t id, struct sticket *s,
    struct proto_buf *out)
{
	memset(s, 0, sizeof *s);
	s->id = id;
	s->t = broker_ticket(b, id);
	if (s->t != NULL) {
		s->w = s->t->w;
		return 1;
	}
	if (store_latest_each(b->store, "ticket", id + 1, latest_cb, s) < 0) {
		broker_reply_error(out, req, PROTO_E_INTERNAL, "reading ticket %" PRId64 ": %s",
		    id, s->cause[0] ? s->cause : store_errmsg(b->store));
		return -1;
	}
	if (s->body == NULL) {
		broker_reply_error_at(out, req, PROTO_E_NOT_FOUND, "ticket", "no ticket %" PRId64,
		    id);
		return 0;
	}
	return 1;
}

/* Log an event on the ticket: through the emit layer (published) when the broker holds
 * it, else appended to the log with its stored state as the body. */
static void
log_event(struct broker *b, struct sticket *s, const char *user, const char *detail,
    const struct broker_why *why)
{
	if (s->t != NULL) {
		broker_emit_ticket_why(b, s->t, EVENT_SURVEY, user, detail, why);
		return;
	}
	if (!broker_txn(b))
		return;
	char id[24];
	struct proto_buf params;
	snprintf(id, sizeof id, "%" PRId64, s->id);
	proto_buf_init(&params);
	proto_pack_obj(&params, PROTO_MSG_event_params, &why->p, 0);
	struct store_event ev = {
		.ts = broker_now(b), .stream = "ticket", .entity = id,
		.kind = event_kind_name(EVENT_SURVEY), .user = user, .detail = detail,
		.body = s->body, .body_len = s->len, .code = why->code,
		.params = params.data, .params_len = params.len,
	};
	if (store_event_append(b->store, &ev) < 0) {
		log_error("store: %s", store_errmsg(b->store));
		b->fatal = true;
	} else {
		b->events_since_checkpoint++;
	}
	proto_buf_finish(&params);
}

static void
reply_ticket(struct proto_buf *out, const struct proto_request *req, const struct sticket *s)
{
	proto_encode_reply_ok(out, req->cmd_id, proto_descs[req->op].wire);
	broker_pack_ticket(out, &s->w);	/* masked, as every ticket a client gets (8.1) */
}

/* ---------------------------------------------------------------- today's answers */

static int64_t
day_start(int64_t now)
{
	return civil_local_day(now, CIVIL_TZ_CHINA_S) * 86400000 -
	    (int64_t)CIVIL_TZ_CHINA_S * 1000;
}

/* Count an answer (an event of kind survey, code survey) when it was answered today. */
static void
count(struct broker *b, const struct proto_event *e)
{
	const struct proto_event_params *p = &e->params;

	if (!PROTO_HAS(e, event, params) || !PROTO_HAS(p, event_params, score))
		return;
	int64_t answered = PROTO_HAS(p, event_params, answered) ? p->answered : e->ts;
	if (answered < b->survey_day || answered >= b->survey_day + 86400000)
		return;
	if (!nps_add(&b->survey_counts, (int)p->score))
		return;
	/* the newest BROKER_SURVEYS_LISTED in a ring (an event is 4 kB) */
	if (b->surveys == NULL)
		b->surveys = xcalloc(BROKER_SURVEYS_LISTED, sizeof *b->surveys);
	b->surveys[b->n_surveys++ % BROKER_SURVEYS_LISTED] = *e;
}

static int
reload_cb(void *ctx, const struct store_event *ev)
{
	struct broker *b = ctx;
	struct proto_event e = { .id = ev->id, .ts = ev->ts };
	struct proto_error err;

	if (ev->code == NULL || strcmp(ev->code, "survey") != 0 || ev->params_len == 0 ||
	    proto_decode_msg(ev->params, ev->params_len, PROTO_MSG_event_params, &e.params,
	    &err) < 0)
		return 0; /* a call-back's done, or params another build wrote */
	e.present = PROTO_ALL & ~((uint64_t)1 << PROTO_event_user);
	PROTO_STRSET(e.kind, ev->kind);
	PROTO_STRSET(e.detail, ev->detail);
	PROTO_STRSET(e.code, ev->code);
	if (ev->user != NULL && ev->user[0] != '\0') {
		PROTO_STRSET(e.user, ev->user);
		PROTO_SET(&e, event, user);
	}
	count(b, &e);
	return 0;
}

/* Make b's counts today's at now: on a new China day (or the first use), rebuilt from the
 * answers the store holds for it. */
static void
today(struct broker *b, int64_t now)
{
	int64_t d = day_start(now);

	if (b->survey_loaded && b->survey_day == d)
		return;
	b->survey_loaded = true;
	b->survey_day = d;
	memset(&b->survey_counts, 0, sizeof b->survey_counts);
	b->n_surveys = 0;
	if (store_surveys_since(b->store, d, reload_cb, b) < 0)
		log_warn("surveys of today: %s", store_errmsg(b->store));
}

/* ---------------------------------------------------------------- call-back tasks */

/* The English text of a task (consoles word it themselves from score and promised). */
static void
task_text(struct bwarn *w, int callback_s)
{
	if (warn_level_parse(w->w.level) == WARN_LEVEL_RED)
		snprintf(w->w.text, sizeof w->w.text, "detractor (score %" PRId64 "): the "
		    "call-back is overdue", w->w.score);
	else
		snprintf(w->w.text, sizeof w->w.text, "detractor (score %" PRId64 "): call back "
		    "within %d min", w->w.score, callback_s / 60);
}

/* Remember w among the open tasks the tick looks at. */
static void
task_watch(struct broker *b, struct bwarn *w)
{
	if (b->n_detractors == b->cap_detractors) {
		b->cap_detractors = b->cap_detractors ? 2 * b->cap_detractors : 16;
		b->detractors = xreallocarray(b->detractors, b->cap_detractors,
		    sizeof *b->detractors);
	}
	b->detractors[b->n_detractors++] = w;
}

/* The open tasks, found once among the warnings after a start (they were loaded). */
static void
tasks_arm(struct broker *b)
{
	if (b->detractors_armed)
		return;
	b->detractors_armed = true;
	for (size_t i = 0; i < b->n_warns; i++) {
		struct bwarn *w = b->warns[i];
		if (w != NULL && !w->w.cleared && warn_kind_parse(w->w.kind) == WARN_DETRACTOR)
			task_watch(b, w);
	}
}

static void
task_open(struct broker *b, struct sticket *s, int score, int64_t answered)
{
	int64_t now = broker_now(b);
	struct bwarn *w = xcalloc(1, sizeof *w);

	tasks_arm(b);
	w->ticket = s->t;
	w->w.id = (int64_t)b->n_warns + 1;
	w->w.ticket = s->id;
	PROTO_STRSET(w->w.kind, warn_kind_name(WARN_DETRACTOR));
	w->w.since = now;
	w->w.promised = answered + (int64_t)b->data->sla.detractor_callback_s * 1000;
	w->w.score = score;
	w->w.ts = now;
	bool red = now >= w->w.promised;
	PROTO_STRSET(w->w.level, warn_level_name(red ? WARN_LEVEL_RED : WARN_LEVEL_AMBER));
	task_text(w, b->data->sla.detractor_callback_s);
	w->w.present = (uint64_t)1 << PROTO_warning_id | (uint64_t)1 << PROTO_warning_ticket |
	    (uint64_t)1 << PROTO_warning_kind | (uint64_t)1 << PROTO_warning_level |
	    (uint64_t)1 << PROTO_warning_text | (uint64_t)1 << PROTO_warning_cleared |
	    (uint64_t)1 << PROTO_warning_ts |
	    (uint64_t)1 << PROTO_warning_since | (uint64_t)1 << PROTO_warning_promised |
	    (uint64_t)1 << PROTO_warning_score;
	broker_warning_put(b, w);
	if (s->t != NULL)
		s->t->warns[WARN_DETRACTOR] = w;
	b->n_warns_active++;
	task_watch(b, w);
	broker_emit_warning(b, w, EVENT_RAISED);
	log_info("warning detractor on ticket %" PRId64 ": score %d", s->id, score);
}

/* The open task of ticket id (NULL: none), and its place in b->detractors. */
static struct bwarn *
task_of(struct broker *b, int64_t id, size_t *at)
{
	tasks_arm(b);
	for (size_t i = 0; i < b->n_detractors; i++)
		if (b->detractors[i]->w.ticket == id) {
			*at = i;
			return b->detractors[i];
		}
	return NULL;
}

void
broker_survey_tick(struct broker *b, int64_t now)
{
	tasks_arm(b);
	for (size_t i = 0; i < b->n_detractors; i++) {
		struct bwarn *w = b->detractors[i];
		if (now < w->w.promised || warn_level_parse(w->w.level) == WARN_LEVEL_RED)
			continue;
		if (!broker_txn(b))
			return;
		PROTO_STRSET(w->w.level, warn_level_name(WARN_LEVEL_RED));
		task_text(w, b->data->sla.detractor_callback_s);
		w->w.ts = now;
		broker_emit_warning(b, w, EVENT_LEVEL);
	}
}

/* ---------------------------------------------------------------- the ops */

/* The ticket's earlier answer, found in its history (the log is the record, wherever the
 * ticket is): its score and when it was logged. */
struct earlier {
	bool found;
	int64_t score, at;
};

static int
earlier_cb(void *ctx, const struct store_event *ev)
{
	struct earlier *x = ctx;
	struct proto_event_params p;
	struct proto_error err;

	if (x->found || ev->code == NULL || strcmp(ev->code, "survey") != 0)
		return 0;
	x->found = true;
	x->at = ev->ts;
	x->score = -1;
	if (ev->params_len > 0 && proto_decode_msg(ev->params, ev->params_len,
	    PROTO_MSG_event_params, &p, &err) == 0 && PROTO_HAS(&p, event_params, score))
		x->score = p.score;
	return 0;
}

int
broker_op_survey_put(struct broker *b, const struct peer *p, const struct proto_request *req,
    struct proto_buf *out)
{
	const struct proto_survey_put *a = &req->args.survey_put;
	int64_t now = broker_now(b);
	struct proto_error_params e;
	struct earlier x = { 0 };
	struct broker_why why;
	struct sticket s;
	char id[24], detail[64];
	int r = find(b, req, a->ticket, &s, out);

	if (r <= 0)
		return -1;
	r = -1;
	int st = ticket_state_parse(s.w.state);
	int64_t answered = PROTO_HAS(a, survey_put, ts) ? a->ts : now;
	if (st != TICKET_COMPLETED && st != TICKET_RESOLVED_REMOTE) {
		broker_err_init(&e, "survey_state");
		BERR_INT(&e, ticket, s.id);
		BERR_STR(&e, state, s.w.state);
		broker_reply_error_why(out, req, PROTO_E_INVALID_STATE, "ticket", &e,
		    "ticket %" PRId64 " is %s: a survey follows a rescue or a phone fix", s.id,
		    s.w.state);
		goto done;
	}
	if (answered > now + SURVEY_FUTURE_MS) {
		broker_reply_error_at(out, req, PROTO_E_BAD_REQUEST, "ts",
		    "ts is %" PRId64 " s ahead of broker time", (answered - now) / 1000);
		goto done;
	}
	if (answered < s.w.t_closed) {
		broker_reply_error_at(out, req, PROTO_E_BAD_REQUEST, "ts",
		    "ts is before ticket %" PRId64 " closed", s.id);
		goto done;
	}
	if (answered - s.w.t_closed > (int64_t)b->data->sla.survey_window_s * 1000) {
		broker_err_init(&e, "survey_late");
		BERR_INT(&e, ticket, s.id);
		broker_reply_error_why(out, req, PROTO_E_INVALID_STATE, "ts", &e,
		    "ticket %" PRId64 " closed more than %d s before the answer", s.id,
		    b->data->sla.survey_window_s);
		goto done;
	}
	snprintf(id, sizeof id, "%" PRId64, s.id);
	if (store_events_of(b->store, "ticket", id, earlier_cb, &x) < 0) {
		broker_reply_error(out, req, PROTO_E_INTERNAL, "reading ticket %" PRId64 ": %s",
		    s.id, store_errmsg(b->store));
		goto done;
	}
	if (x.found) {
		broker_err_init(&e, "survey_taken");
		BERR_INT(&e, ticket, s.id);
		BERR_INT(&e, at, x.at);
		broker_reply_error_why(out, req, PROTO_E_CONFLICT, "ticket", &e,
		    "ticket %" PRId64 " has its survey already (score %" PRId64 ")", s.id,
		    x.score);
		goto done;
	}

	today(b, now); /* before the event: a reload from the store would count it too */
	broker_why_init(&why, "survey");
	BWHY_INT(&why, ticket, s.id);
	BWHY_INT(&why, score, a->score);
	BWHY_INT(&why, answered, answered);
	if (PROTO_HAS(a, survey_put, comment) && !broker_blank(a->comment))
		BWHY_STR(&why, comment, a->comment);
	snprintf(detail, sizeof detail, "score %" PRId64, a->score);
	log_event(b, &s, p->user, detail, &why);

	/* today's counts and list (the event as stats.kpi lists it) */
	struct proto_event ev = { .id = store_event_last_id(b->store), .ts = now,
	    .present = PROTO_ALL & ~((uint64_t)1 << PROTO_event_user), .params = why.p };
	PROTO_STRSET(ev.kind, event_kind_name(EVENT_SURVEY));
	PROTO_STRSET(ev.detail, detail);
	PROTO_STRSET(ev.code, why.code);
	if (p->user[0] != '\0') {
		PROTO_STRSET(ev.user, p->user);
		PROTO_SET(&ev, event, user);
	}
	count(b, &ev);
	if (nps_class_of((int)a->score) == NPS_DETRACTOR)
		task_open(b, &s, (int)a->score, answered);
	if (s.t != NULL)
		s.w = s.t->w; /* as published, with its new ver */
	reply_ticket(out, req, &s);
	r = 0;
done:
	free(s.body);
	return r;
}

int
broker_op_survey_done(struct broker *b, const struct peer *p, const struct proto_request *req,
    struct proto_buf *out)
{
	const struct proto_survey_done *a = &req->args.survey_done;
	struct proto_error_params e;
	struct broker_why why;
	struct sticket s;
	size_t at;
	int r = find(b, req, a->ticket, &s, out);

	if (r <= 0)
		return -1;
	struct bwarn *w = task_of(b, s.id, &at);
	if (w == NULL) {
		broker_err_init(&e, "no_callback");
		BERR_INT(&e, ticket, s.id);
		free(s.body);
		return broker_reply_error_why(out, req, PROTO_E_INVALID_STATE, "ticket", &e,
		    "ticket %" PRId64 " has no call-back open", s.id);
	}
	broker_why_init(&why, "survey_done");
	BWHY_INT(&why, ticket, s.id);
	BWHY_INT(&why, warning, w->w.id);
	if (PROTO_HAS(a, survey_done, note) && !broker_blank(a->note))
		BWHY_STR(&why, note, a->note);
	log_event(b, &s, p->user, "detractor called back", &why);
	if (s.t != NULL && s.t->warns[WARN_DETRACTOR] == w)
		s.t->warns[WARN_DETRACTOR] = NULL;
	b->detractors[at] = b->detractors[--b->n_detractors];
	broker_warning_clear(b, w);
	if (s.t != NULL)
		s.w = s.t->w;
	reply_ticket(out, req, &s);
	free(s.body);
	return 0;
}

void
broker_survey_kpi(struct broker *b, struct proto_kpi *k)
{
	int64_t now = broker_now(b);

	today(b, now);
	tasks_arm(b);
	k->survey_day = b->survey_day;
	k->promoters = b->survey_counts.promoters;
	k->passives = b->survey_counts.passives;
	k->detractors = b->survey_counts.detractors;
	k->callbacks_open = (int64_t)b->n_detractors;
	k->callbacks_overdue = 0;
	for (size_t i = 0; i < b->n_detractors; i++)
		k->callbacks_overdue += now >= b->detractors[i]->w.promised;
}

void
broker_survey_list(struct broker *b, struct proto_buf *out)
{
	size_t n = b->n_surveys < BROKER_SURVEYS_LISTED ? b->n_surveys : BROKER_SURVEYS_LISTED;

	proto_pack_str(out, "surveys");
	proto_pack_array(out, (uint32_t)n);
	for (size_t i = 0; i < n; i++) /* newest first */
		proto_pack_obj(out, PROTO_MSG_event,
		    &b->surveys[(b->n_surveys - 1 - i) % BROKER_SURVEYS_LISTED], 0);
}

void
broker_survey_finish(struct broker *b)
{
	free(b->surveys);
	free(b->detractors);
	b->surveys = NULL;
	b->detractors = NULL;
	b->n_surveys = b->n_detractors = 0;
}
