/* own.c: owned warnings and escalation in the console (see own.h). */
#include "own.h"

#include <stdio.h>
#include <string.h>

#include "i18n.h"
#include "kinds.h"
#include "model.h"
#include "ticket.h"
#include "util.h"

#define WARN_MAX 16

static bool
owned(const struct proto_warning *w)
{
	return PROTO_HAS(w, warning, owner) && w->owner[0] != '\0';
}

/* Escalated and nobody took it since: what a supervisor still has to act on. */
static bool
escalated_unowned(const struct proto_warning *w)
{
	return !w->cleared && own_warning_escalated(w) && !owned(w);
}

bool
own_warning_escalated(const struct proto_warning *w)
{
	return PROTO_HAS(w, warning, escalated) && w->escalated > 0;
}

bool
own_ticket_escalated(const struct proto_ticket *t)
{
	return PROTO_HAS(t, ticket, escalated) && t->escalated > 0;
}

const char *
own_owner(const struct model *m, int64_t id)
{
	const struct proto_warning *w[WARN_MAX];
	size_t n = model_ticket_warnings(m, id, w, WARN_MAX);

	for (size_t i = 0; i < n; i++)
		if (owned(w[i]))
			return w[i]->owner;
	return NULL;
}

bool
own_escalated(const struct model *m, const struct proto_ticket *t)
{
	const struct proto_warning *w[WARN_MAX];
	size_t n;

	if (own_ticket_escalated(t))
		return true;
	n = model_ticket_warnings(m, t->id, w, WARN_MAX);	/* the ticket's own, not all */
	for (size_t i = 0; i < n; i++)
		if (escalated_unowned(w[i]))
			return true;
	return false;
}

static bool
open_ticket(const struct proto_ticket *t)
{
	int s = ticket_state_parse(t->state);

	return s < 0 || !ticket_state_final((enum ticket_state)s);
}

size_t
own_count_escalated(const struct model *m)
{
	size_t n = 0;

	/* each open ticket once: escalated by hand, or with an escalated warning nobody owns;
	 * the regions' warnings (ticket 0) count once in all. Linear in tickets and warnings. */
	for (size_t i = 0; i < m->n_tickets; i++)
		n += open_ticket(m->tickets[i]) && own_escalated(m, m->tickets[i]);
	for (size_t i = 0; i < m->n_warnings; i++)
		if (m->warnings[i]->ticket == 0 && escalated_unowned(m->warnings[i]))
			return n + 1;
	return n;
}

void
own_warning_note(const struct proto_warning *w, char *out, size_t outsz)
{
	if (owned(w))
		snprintf(out, outsz, " @%s", w->owner);
	else if (own_warning_escalated(w))
		snprintf(out, outsz, " %s", i18n_tr("own.tag"));
	else if (outsz > 0)
		out[0] = '\0';
}

void
own_warning_words(const struct proto_warning *w, const char *text, char *out, size_t outsz)
{
	if (escalated_unowned(w))
		snprintf(out, outsz, "%s %s", i18n_tr("own.tag"), text);
	else if (owned(w))
		snprintf(out, outsz, "%s @%s", text, w->owner);
	else
		snprintf(out, outsz, "%s", text);
}

int
own_ack(struct model *m, int64_t id)
{
	struct proto_warning_ack a = { .ticket = id, .present = 0 };
	struct model_request rq = { .op = PROTO_MSG_warning_ack, .args = &a };
	char what[96];

	PROTO_SET(&a, warning_ack, ticket);
	snprintf(what, sizeof what, "%s #%lld", i18n_tr("cmd.own"), (long long)id);
	rq.what = what;
	return model_request(m, &rq, NULL);
}

static void
send_presence(struct model *m, const char *state)
{
	struct proto_presence a = { .present = 0 };
	struct model_request rq = { .op = PROTO_MSG_presence, .args = &a };

	PROTO_STRSET(a.state, state);
	PROTO_SET(&a, presence, state);
	model_request(m, &rq, NULL);
}

void
own_presence_tick(struct own_presence *p, struct model *m, int64_t mono)
{
	/* every OWN_PRESENCE_MS of broker time (the lease is broker time: a demo at 10 times
	 * the speed says it ten times as often), at most every OWN_PRESENCE_MIN_MS */
	int64_t scale = m->time_scale > 1 ? m->time_scale : 1;
	int64_t every = OWN_PRESENCE_MS / scale;

	if (every < OWN_PRESENCE_MIN_MS)
		every = OWN_PRESENCE_MIN_MS;
	if (m->conn != MODEL_LIVE || m->user[0] == '\0')
		return;
	if (p->last != 0 && mono - p->last < every && mono >= p->last)
		return;
	p->last = mono;
	send_presence(m, "on");
}

void
own_presence_off(struct own_presence *p, struct model *m)
{
	if (p->last == 0 || m->user[0] == '\0')
		return;	/* never said on: nothing to let go of */
	p->last = 0;
	send_presence(m, "off");
}
