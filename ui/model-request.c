/* model-request.c: requests to the broker and the pending commands (model-request.h). */
#include "model-request.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "model.h"
#include "present.h"
#include "role.h"
#include "util.h"

void
model_requests_finish(struct model_requests *q)
{
	free(q->calls);
	q->calls = NULL;
	q->n_calls = q->cap_calls = 0;
}

/* What a command's pending entry keeps of its args to ask about it later: the ticket
 * (an "id" key) and a "text" key. */
static void
note_args(struct model_pending *p, enum proto_msg_id op, const void *args)
{
	const struct proto_desc *d = &proto_descs[op];

	for (size_t i = 0; args != NULL && i < d->n_fields; i++) {
		const struct proto_field *f = &d->fields[i];
		const char *at = (const char *)args + f->offset;

		if (f->type == PT_I64 && strcmp(f->name, "id") == 0)
			memcpy(&p->ticket, at, sizeof p->ticket);
		else if (f->type == PT_STR && strcmp(f->name, "text") == 0)
			rd_strlcpy(p->text, at, sizeof p->text);
	}
}

int
model_request(struct model *m, const struct model_request *rq, char *cmd_id)
{
	char id[PROTO_CMD_ID_MAX + 1];
	struct model_call *c;

	if (!role_may(m, rq->op, rq->args)) {
		/* what the broker would refuse (forbidden) is refused here, in words */
		char why[256];

		role_refusal(m, rq->op, rq->what, why, sizeof why);
		model_message(m, true, "%s", why);
		return -1;
	}
	if (m->ops == NULL || m->ops->send == NULL || m->ops->send(m, rq->op, rq->args, id) < 0) {
		if (rq->what != NULL)
			model_message(m, true, "%s: %s", rq->what, i18n_tr("msg.send_failed"));
		return -1;
	}
	if (rq->what != NULL) {
		note_args(model_pending_add(m, id, rq->what), rq->op, rq->args);
		if (m->ops->keep != NULL)
			m->ops->keep(m, id);
	}
	if (rq->on_reply != NULL) {
		if (m->req.n_calls == m->req.cap_calls) {
			m->req.cap_calls = m->req.cap_calls ? 2 * m->req.cap_calls : 8;
			m->req.calls = xreallocarray(m->req.calls, m->req.cap_calls, sizeof *m->req.calls);
		}
		c = &m->req.calls[m->req.n_calls++];
		rd_strlcpy(c->cmd_id, id, sizeof c->cmd_id);
		c->on_reply = rq->on_reply;
		c->ctx = rq->ctx;
		c->owner = rq->owner;
	}
	if (cmd_id != NULL)
		rd_strlcpy(cmd_id, id, PROTO_CMD_ID_MAX + 1);
	return 0;
}

static void
settle(struct model *m, struct model_pending *p, const struct proto_reply *r,
    const struct proto_error *err)
{
	if (r == NULL) {
		p->state = PENDING_FAILED;
		present_error(err, p->error, sizeof p->error);
		if (p->queued) {
			/* the broker may have applied it and forgotten its answer: ask */
			p->state = PENDING_ASK;
			model_message(m, true, "%s: %s", p->what, i18n_tr("msg.queue_expired"));
		} else
			model_message(m, true, "%s: %s", p->what, p->error);
	} else if (!r->ok && r->error.code == PROTO_E_FORBIDDEN &&
	    !PROTO_HAS(&r->error.params, error_params, reason)) {
		/* the broker's role matrix said no: "not allowed for your role (agent): ..." */
		p->state = PENDING_FAILED;
		role_refusal(m, PROTO_MSG_COUNT, p->what, p->error, sizeof p->error);
		model_message(m, true, "%s", p->error);
	} else if (!r->ok) {
		p->state = PENDING_FAILED;
		present_error_data(&r->error, m->data, p->error, sizeof p->error);
		model_message(m, true, "%s: %s", p->what, p->error);
	} else {
		p->state = PENDING_OK;
		model_message(m, false, "%s: %s", p->what, i18n_tr("msg.done"));
	}
}

void
model_reply(struct model *m, const char *cmd_id, const struct proto_reply *r,
    const struct proto_error *err)
{
	struct model_pending *p = model_pending_find(m, cmd_id);
	struct model_call c;

	if (p != NULL && p->state == PENDING_WAIT)
		settle(m, p, r, err);
	for (size_t i = 0; i < m->req.n_calls; i++) {
		if (strcmp(m->req.calls[i].cmd_id, cmd_id) != 0)
			continue;
		/* off the table before the call: the callback may make new requests */
		c = m->req.calls[i];
		m->req.calls[i] = m->req.calls[--m->req.n_calls];
		c.on_reply(m, c.ctx, r, err);
		return;
	}
}

void
model_cancel(struct model *m, const char *cmd_id)
{
	struct model_pending *p;

	for (size_t i = 0; i < m->req.n_calls; i++) {
		if (strcmp(m->req.calls[i].cmd_id, cmd_id) != 0)
			continue;
		m->req.calls[i] = m->req.calls[--m->req.n_calls];
		/* a command's answer is still wanted for its pending entry */
		p = model_pending_find(m, cmd_id);
		if ((p == NULL || p->state != PENDING_WAIT) && m->ops != NULL &&
		    m->ops->cancel != NULL)
			m->ops->cancel(m, cmd_id);
		return;
	}
}

void
model_forget(struct model *m, const void *owner)
{
	size_t i = 0;

	if (owner != NULL && m->req.close == owner) {
		m->req.close = NULL;
		m->req.close_open = 0;
	}
	while (owner != NULL && i < m->req.n_calls) {
		/* only the callback goes: the answer may still settle a pending command */
		if (m->req.calls[i].owner != owner)
			i++;
		else
			m->req.calls[i] = m->req.calls[--m->req.n_calls];
	}
}

void
model_close(struct model *m, const void *owner)
{
	m->req.close = owner;
	m->req.close_open = 0;
}

void
model_close_open(struct model *m, const void *owner, int64_t ticket)
{
	m->req.close = owner;
	m->req.close_open = ticket;
}

struct model_pending *
model_pending_add(struct model *m, const char *cmd_id, const char *what)
{
	struct model_pending *p = NULL;
	if (m->req.n_pending < MODEL_PENDING_MAX) {
		p = &m->req.pending[m->req.n_pending++];
	} else {
		/* reuse the oldest finished slot, else the oldest */
		for (size_t i = 0; i < m->req.n_pending; i++)
			if (m->req.pending[i].state != PENDING_WAIT &&
			    m->req.pending[i].state != PENDING_ASK &&	/* still to be asked */
			    (p == NULL || m->req.pending[i].since < p->since))
				p = &m->req.pending[i];
		if (p == NULL)
			p = &m->req.pending[0];
	}
	memset(p, 0, sizeof *p);
	rd_strlcpy(p->cmd_id, cmd_id, sizeof p->cmd_id);
	rd_strlcpy(p->what, what, sizeof p->what);
	p->state = PENDING_WAIT;
	p->since = rd_mono_ms();
	return p;
}

struct model_pending *
model_pending_find(struct model *m, const char *cmd_id)
{
	for (size_t i = 0; i < m->req.n_pending; i++)
		if (strcmp(m->req.pending[i].cmd_id, cmd_id) == 0)
			return &m->req.pending[i];
	return NULL;
}

size_t
model_pending_waiting(const struct model *m)
{
	size_t n = 0;
	for (size_t i = 0; i < m->req.n_pending; i++)
		if (m->req.pending[i].state == PENDING_WAIT)
			n++;
	return n;
}


void
model_pending_queue(struct model *m, struct model_pending *p)
{
	if (p->state != PENDING_WAIT || p->queued)
		return;
	p->queued = true;
	model_message(m, true, "%s: %s", p->what, i18n_tr("msg.queued"));
}

struct model_pending *
model_pending_asking(struct model *m)
{
	struct model_pending *p = NULL;

	for (size_t i = 0; i < m->req.n_pending; i++)
		if (m->req.pending[i].state == PENDING_ASK &&
		    (p == NULL || m->req.pending[i].since < p->since))
			p = &m->req.pending[i];
	return p;
}

size_t
model_pending_queued(const struct model *m)
{
	size_t n = 0;
	for (size_t i = 0; i < m->req.n_pending; i++)
		if (m->req.pending[i].state == PENDING_WAIT && m->req.pending[i].queued)
			n++;
	return n;
}
