/* broker-emit.c: the broker's record-and-publish layer, the bottom of its files: broker
 * time, the batch transaction, the record of every change (an event appended to the
 * store's log) with its publication, and the replies waiting for their clients.
 *
 * Log first, publish after the commit: a change is appended inside the batch transaction
 * and its publication only queued; broker.c commits the batch at the end of the loop's
 * turn, and only then sends the queued replies and publications (it owns the sockets).
 * A failed commit drops them all: nothing of that batch was acknowledged or published.
 *
 * Calls go one way: broker.c and the job files call this file; it calls none of them. */
#include "broker-int.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* ---- the clock ---- */

int64_t
broker_now(const struct broker *b)
{
	if (b->opts.clock == BROKER_CLOCK_MANUAL)
		return b->t0_broker + b->stepped;
	int64_t el = rd_mono_ms() - b->t0_mono;
	return b->t0_broker + (int64_t)((double)el * b->opts.time_scale);
}

/* ---- the batch ---- */

bool
broker_txn(struct broker *b)
{
	if (b->fatal)
		return false;
	if (b->in_txn)
		return true;
	if (store_begin(b->store) < 0) {
		log_error("store: %s", store_errmsg(b->store));
		b->fatal = true;
		return false;
	}
	b->in_txn = true;
	return true;
}

static void
drop_pubs(struct broker *b)
{
	for (size_t i = 0; i < b->n_pubs; i++)
		free(b->pubs[i].body);
	b->n_pubs = 0;
}

bool
broker_commit(struct broker *b)
{
	if (b->in_txn) {
		b->in_txn = false;
		if (b->fatal || store_commit(b->store) < 0) {
			/* Nothing of this batch was acknowledged or published; what the store
			 * holds is consistent, and a restart continues from it. */
			log_error("store commit failed: %s; stopping", store_errmsg(b->store));
			store_rollback(b->store);
			b->fatal = true;
		} else {
			b->st.commits++;
		}
	}
	if (b->fatal)
		drop_pubs(b);
	return !b->fatal;
}

/* ---- what leaves the broker ---- */

/* The one place a ticket is made fit for clients (PROTOCOL.md 8.1): every publication,
 * snapshot part and reply that carries a ticket packs it here, masked; the store, the
 * checkpoints and the broker's memory keep the raw values (ticket.contact answers them). */
void
broker_pack_ticket(struct proto_buf *out, const struct proto_ticket *w)
{
	struct proto_ticket m = *w;

	ticket_mask_contact(&m);
	proto_pack_obj(out, PROTO_MSG_ticket, &m, 0);
}

void
broker_pack_entity(struct proto_buf *out, enum proto_stream s, const void *entity)
{
	if (s == PROTO_STREAM_TICKET)
		broker_pack_ticket(out, entity);
	else
		proto_pack_obj(out, (enum proto_msg_id)proto_streams[s].msg, entity, 0);
}

/* ---- record and publish ---- */

static void
queue_pub(struct broker *b, enum proto_stream stream, struct proto_buf *body)
{
	if (b->n_pubs == b->cap_pubs) {
		b->cap_pubs = b->cap_pubs ? b->cap_pubs * 2 : 64;
		b->pubs = xreallocarray(b->pubs, b->cap_pubs, sizeof *b->pubs);
	}
	struct pubq *p = &b->pubs[b->n_pubs++];
	p->stream = stream;
	p->body = proto_buf_take(body, &p->len);
}

/* Bump stream s's seq into the entity's ver, append the event (body = the entity's map)
 * and queue its publication under that seq. */
static void
emit(struct broker *b, enum proto_stream s, void *entity, const char *kind, const char *user,
    const char *detail, const struct broker_why *why)
{
	char id[32];
	struct proto_buf blob, pb, params;
	int64_t seq = ++b->seq[s];

	proto_entity_set_ver(s, entity, seq);
	if (!broker_txn(b))
		return;
	proto_buf_init(&blob);
	proto_pack_obj(&blob, (enum proto_msg_id)proto_streams[s].msg, entity, 0);
	proto_entity_key(s, entity, id, sizeof id);
	proto_buf_init(&params);
	if (why != NULL)
		proto_pack_obj(&params, PROTO_MSG_event_params, &why->p, 0);
	struct store_event ev = {
		.ts = broker_now(b), .stream = proto_streams[s].topic, .entity = id,
		.kind = kind, .user = user ? user : "", .detail = detail ? detail : "",
		.body = blob.data, .body_len = blob.len,
		.code = why != NULL ? why->code : "", .params = params.data,
		.params_len = why != NULL ? params.len : 0,
	};
	int r = store_event_append(b->store, &ev);
	proto_buf_finish(&params);
	if (r < 0) {
		log_error("store: %s", store_errmsg(b->store));
		b->fatal = true;
		proto_buf_finish(&blob);
		return;
	}
	b->events_since_checkpoint++;
	if (s == PROTO_STREAM_TICKET) {
		/* the log keeps the raw ticket; subscribers get it masked */
		proto_buf_reset(&blob);
		broker_pack_entity(&blob, s, entity);
	}
	proto_buf_init(&pb);
	proto_encode_pub_raw(&pb, (enum proto_msg_id)proto_streams[s].msg, b->epoch, seq, ev.ts,
	    blob.data, blob.len);
	queue_pub(b, s, &pb);
	proto_buf_finish(&pb);
	proto_buf_finish(&blob);
}

void
broker_why_init(struct broker_why *w, const char *code)
{
	memset(w, 0, sizeof *w);
	PROTO_STRSET(w->code, code);
}

/* A ticket dispatched without a virtual number, or closed with one: broker-vnum.c binds or
 * releases at the end of the loop's turn (broker_vnum_settle). */
static void
vnum_due(struct broker *b, const struct bticket *t)
{
	bool closed = ticket_state_final(t->state), has = t->w.vnum[0] != '\0';
	if (b->vnum == NULL || !(closed ? has : t->truck != NULL && !has))
		return;
	if (b->n_vnum_due == b->cap_vnum_due) {
		b->cap_vnum_due = b->cap_vnum_due ? 2 * b->cap_vnum_due : 64;
		b->vnum_due = xreallocarray(b->vnum_due, b->cap_vnum_due, sizeof *b->vnum_due);
	}
	b->vnum_due[b->n_vnum_due++] = t->w.id;
}

void
broker_touch_ticket(struct broker *b, struct bticket *t)
{
	if (t->watch_touched)
		return;
	t->watch_touched = true;
	heap_push(&b->watch_q, INT64_MIN, t->w.id, t->watch_gen);
}

void
broker_emit_ticket_why(struct broker *b, struct bticket *t, enum event_kind kind,
    const char *user, const char *detail, const struct broker_why *why)
{
	broker_touch_ticket(b, t);
	t->w.updated = broker_now(b);
	PROTO_SET(&t->w, ticket, updated);
	emit(b, PROTO_STREAM_TICKET, &t->w, event_kind_name(kind), user, detail, why);
	vnum_due(b, t);
}

void
broker_emit_ticket(struct broker *b, struct bticket *t, enum event_kind kind, const char *user,
    const char *detail)
{
	broker_emit_ticket_why(b, t, kind, user, detail, NULL);
}

void
broker_emit_truck_why(struct broker *b, struct btruck *k, enum event_kind kind,
    const char *user, const char *detail, const struct broker_why *why)
{
	if (k->job != NULL)
		broker_touch_ticket(b, k->job);
	k->w.updated = broker_now(b);
	PROTO_SET(&k->w, truck, updated);
	k->pos_dirty = false;
	emit(b, PROTO_STREAM_TRUCK, &k->w, event_kind_name(kind), user, detail, why);
}

void
broker_emit_truck(struct broker *b, struct btruck *k, enum event_kind kind, const char *user,
    const char *detail)
{
	broker_emit_truck_why(b, k, kind, user, detail, NULL);
}

/* A warning's event: code "warning", the kind and level as params; the rest of its
 * parameters are the entity's own keys (PROTOCOL.md 8.3). */
void
broker_emit_warning(struct broker *b, struct bwarn *w, enum event_kind kind)
{
	struct broker_why why;

	broker_why_init(&why, "warning");
	BWHY_STR(&why, kind, w->w.kind);
	BWHY_STR(&why, level, w->w.level);
	if (kind == EVENT_LEVEL)
		w->red_since = 0; /* escalation counts from this change (broker-warn.c sets it) */
	emit(b, PROTO_STREAM_WARNING, &w->w, event_kind_name(kind), "", w->w.text, &why);
}

void
broker_emit_warning_why(struct broker *b, struct bwarn *w, enum event_kind kind,
    const char *user, const char *detail, const struct broker_why *why)
{
	emit(b, PROTO_STREAM_WARNING, &w->w, event_kind_name(kind), user, detail, why);
}

/* A complaint's new version: the event names who saved it (PROTOCOL.md 8.4). */
void
broker_emit_complaint(struct broker *b, struct proto_complaint *w, const char *user)
{
	struct broker_why why;
	char detail[96];

	broker_why_init(&why, "complaint_saved");
	BWHY_STR(&why, by, user);
	snprintf(detail, sizeof detail, "version %lld saved", (long long)w->version);
	emit(b, PROTO_STREAM_COMPLAINT, w, event_kind_name(EVENT_SAVED), user, detail, &why);
}

/* A complaint's raw record handed out (complaint.get): logged, never published, no new
 * seq. The event's body is the entity as the stream has it, so replaying the log after a
 * checkpoint puts back the same state. */
void
broker_record_complaint_fetch(struct broker *b, const struct proto_complaint *w,
    const char *user)
{
	struct proto_buf blob, params;
	struct broker_why why;

	if (!broker_txn(b))
		return;
	broker_why_init(&why, "complaint_fetched");
	BWHY_STR(&why, by, user);
	proto_buf_init(&blob);
	proto_pack_obj(&blob, PROTO_MSG_complaint, w, 0);
	proto_buf_init(&params);
	proto_pack_obj(&params, PROTO_MSG_event_params, &why.p, 0);
	struct store_event ev = {
		.ts = broker_now(b), .stream = proto_streams[PROTO_STREAM_COMPLAINT].topic,
		.entity = w->uid, .kind = event_kind_name(EVENT_FETCHED), .user = user,
		.detail = "raw record fetched", .body = blob.data, .body_len = blob.len,
		.code = why.code, .params = params.data, .params_len = params.len,
	};
	if (store_event_append(b->store, &ev) < 0) {
		log_error("store: %s", store_errmsg(b->store));
		b->fatal = true;
	} else {
		b->events_since_checkpoint++;
	}
	proto_buf_finish(&params);
	proto_buf_finish(&blob);
}

/* An event of ticket t logged in the batch with t's state as its body, neither published
 * nor given a new seq (ticket.contact's lookups, retention's erasures): replaying the log
 * after a checkpoint puts back the same state. */
void
broker_record_ticket(struct broker *b, const struct bticket *t, enum event_kind kind,
    const char *user, const char *detail, const struct broker_why *why)
{
	struct proto_buf blob, params;
	char id[24];

	if (!broker_txn(b))
		return;
	snprintf(id, sizeof id, "%" PRId64, t->w.id);
	proto_buf_init(&blob);
	proto_pack_obj(&blob, PROTO_MSG_ticket, &t->w, 0);
	proto_buf_init(&params);
	proto_pack_obj(&params, PROTO_MSG_event_params, &why->p, 0);
	struct store_event ev = {
		.ts = broker_now(b), .stream = proto_streams[PROTO_STREAM_TICKET].topic,
		.entity = id, .kind = event_kind_name(kind), .user = user ? user : "",
		.detail = detail ? detail : "", .body = blob.data, .body_len = blob.len,
		.code = why->code, .params = params.data, .params_len = params.len,
	};
	if (store_event_append(b->store, &ev) < 0) {
		log_error("store: %s", store_errmsg(b->store));
		b->fatal = true;
	} else {
		b->events_since_checkpoint++;
	}
	proto_buf_finish(&params);
	proto_buf_finish(&blob);
}

/* Positions are telemetry, latest-wins, and saved at checkpoints: not in the log. */
void
broker_publish_position(struct broker *b, struct btruck *k)
{
	struct proto_buf pb;
	k->w.ver = ++b->seq[PROTO_STREAM_TRUCK];
	PROTO_SET(&k->w, truck, ver);
	k->pos_dirty = false;
	proto_buf_init(&pb);
	proto_encode_pub(&pb, PROTO_MSG_truck, b->epoch, k->w.ver, broker_now(b), &k->w);
	queue_pub(b, PROTO_STREAM_TRUCK, &pb);
	proto_buf_finish(&pb);
}

/* An ETA refresh the history need not tell: like a position, latest-wins, saved at
 * checkpoints, not in the log. */
void
broker_publish_ticket(struct broker *b, struct bticket *t)
{
	struct proto_buf pb;
	t->w.ver = ++b->seq[PROTO_STREAM_TICKET];
	PROTO_SET(&t->w, ticket, ver);
	t->w.updated = broker_now(b);
	PROTO_SET(&t->w, ticket, updated);
	struct proto_ticket m = t->w;
	ticket_mask_contact(&m);
	proto_buf_init(&pb);
	proto_encode_pub(&pb, PROTO_MSG_ticket, b->epoch, t->w.ver, broker_now(b), &m);
	queue_pub(b, PROTO_STREAM_TICKET, &pb);
	proto_buf_finish(&pb);
}

/* A message told a customer (broker-tell.c): lossy, on topic "message", after the commit
 * like every publication; not in the log (its `tell` event is). */
void
broker_publish_message(struct broker *b, struct proto_message *m)
{
	struct proto_buf pb;
	m->v = PROTO_VERSION;
	m->epoch = b->epoch;
	m->seq = ++b->message_seq;
	m->ts = broker_now(b);
	m->present = PROTO_ALL;
	proto_buf_init(&pb);
	proto_encode_pub(&pb, PROTO_MSG_message, 0, 0, 0, m);
	queue_pub(b, (enum proto_stream)PROTO_TOPIC_MESSAGE, &pb);
	proto_buf_finish(&pb);
}

/* ---- replies ---- */

void
broker_outq_free(struct outq *q)
{
	for (size_t i = 0; i < q->n; i++)
		free(q->frames[i]);
	free(q->frames);
	free(q->lens);
	free(q);
}

struct outq *
broker_outq_new(const struct peer *p)
{
	struct outq *q = xcalloc(1, sizeof *q);
	q->to = *p;
	q->started = rd_mono_ms();
	return q;
}

void
broker_outq_add(struct outq *q, char *frame, size_t len)
{
	q->frames = xreallocarray(q->frames, q->n + 1, sizeof *q->frames);
	q->lens = xreallocarray(q->lens, q->n + 1, sizeof *q->lens);
	q->frames[q->n] = frame;
	q->lens[q->n] = len;
	q->n++;
}

void
broker_outq_push(struct broker *b, struct outq *q)
{
	if (b->out_tail)
		b->out_tail->next = q;
	else
		b->out_head = q;
	b->out_tail = q;
}

void
broker_reply(struct broker *b, const struct peer *p, const char *body, size_t len)
{
	struct outq *q = broker_outq_new(p);
	char *copy = xmalloc(len ? len : 1);
	memcpy(copy, body, len);
	broker_outq_add(q, copy, len);
	broker_outq_push(b, q);
}

void
broker_emit_finish(struct broker *b)
{
	drop_pubs(b);
	free(b->pubs);
	b->pubs = NULL;
	b->cap_pubs = 0;
	while (b->out_head) {
		struct outq *q = b->out_head;
		b->out_head = q->next;
		broker_outq_free(q);
	}
	b->out_tail = NULL;
}

/* ---- reply frames ---- */

void
broker_reply_ticket(struct proto_buf *out, const struct proto_request *req,
    const struct bticket *t)
{
	proto_encode_reply_ok(out, req->cmd_id, proto_descs[req->op].wire);
	broker_pack_ticket(out, &t->w);
}

static int
reply_error(struct proto_buf *out, const struct proto_request *req, enum proto_err code,
    const char *field, const struct proto_error_params *e, const char *fmt, va_list ap)
{
	char msg[200];

	vsnprintf(msg, sizeof msg, fmt, ap);
	proto_buf_reset(out);
	proto_encode_reply_error_params(out, req->cmd_id, proto_descs[req->op].wire, code,
	    field, e, msg);
	return -1;
}

int
broker_reply_error(struct proto_buf *out, const struct proto_request *req,
    enum proto_err code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	reply_error(out, req, code, NULL, NULL, fmt, ap);
	va_end(ap);
	return -1;
}

int
broker_reply_error_at(struct proto_buf *out, const struct proto_request *req,
    enum proto_err code, const char *field, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	reply_error(out, req, code, field, NULL, fmt, ap);
	va_end(ap);
	return -1;
}

void
broker_err_init(struct proto_error_params *e, const char *reason)
{
	memset(e, 0, sizeof *e);
	BERR_STR(e, reason, reason);
}

int
broker_reply_error_why(struct proto_buf *out, const struct proto_request *req,
    enum proto_err code, const char *field, const struct proto_error_params *e,
    const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	reply_error(out, req, code, field, e, fmt, ap);
	va_end(ap);
	return -1;
}

bool
broker_blank(const char *s)
{
	for (; *s; s++)
		if (*s != ' ' && *s != '\t')
			return false;
	return true;
}
