/* diag.c: a ticket's diagnosis session, the queue and the recommendation (diag.h). */
#include "diag.h"

#include <stdlib.h>
#include <string.h>

#include "civil.h"
#include "i18n.h"
#include "model.h"
#include "ticket.h"
#include "util.h"

static const char *const state_names[] = {
	[DIAG_NONE] = "", [DIAG_RUNNING] = "running", [DIAG_SOLVED] = "solved",
	[DIAG_DISPATCHED] = "dispatched", [DIAG_ESCALATED] = "escalated",
	[DIAG_ABORTED] = "aborted",
};

static const char *const state_keys[] = {
	[DIAG_NONE] = "diag.state.none", [DIAG_RUNNING] = "diag.state.running",
	[DIAG_SOLVED] = "diag.state.solved", [DIAG_DISPATCHED] = "diag.state.dispatched",
	[DIAG_ESCALATED] = "diag.state.escalated", [DIAG_ABORTED] = "diag.state.aborted",
};

enum diag_state
diag_state_of(const struct proto_ticket *t)
{
	size_t i;

	if (t == NULL || !PROTO_HAS(t, ticket, diag_state))
		return DIAG_NONE;
	for (i = 1; i < ARRAY_LEN(state_names); i++) {
		if (strcmp(t->diag_state, state_names[i]) == 0)
			return (enum diag_state)i;
	}
	return DIAG_NONE;
}

const char *
diag_state_key(enum diag_state s)
{
	return (size_t)s < ARRAY_LEN(state_keys) ? state_keys[s] : state_keys[DIAG_NONE];
}

enum flow_lang
diag_lang(void)
{
	return flow_lang_parse(i18n_lang()) == FLOW_LANG_ZH ? FLOW_LANG_ZH : FLOW_LANG_EN;
}

const char *
diag_text(char *const text[FLOW_LANG_COUNT])
{
	const char *s = text[diag_lang()];

	return s != NULL && *s != '\0' ? s : text[FLOW_LANG_EN] != NULL ?
	    text[FLOW_LANG_EN] : "";
}

const struct flow *
diag_flow_of(const struct model *m, const struct proto_ticket *t)
{
	int f;

	if (m->flows == NULL || t == NULL)
		return NULL;
	if (PROTO_HAS(t, ticket, diag_flow) && t->diag_flow[0] != '\0')
		return flow_set_flow(m->flows, t->diag_flow);
	f = ticket_fault_parse(t->fault);
	return f >= 0 ? flow_set_for_fault(m->flows, (enum ticket_fault)f) : NULL;
}

bool
diag_walk(const struct model *m, const struct proto_ticket *t, struct flow_walk *w)
{
	const struct flow *fl;
	char *cause = NULL;

	if (diag_state_of(t) == DIAG_NONE || (fl = diag_flow_of(m, t)) == NULL)
		return false;
	if (flow_walk_parse(w, m->flows, fl, t->diag_path, &cause) != 0) {
		free(cause);
		return false;
	}
	return true;
}

bool
diag_can_start(const struct proto_ticket *t)
{
	int s = ticket_state_parse(t->state);

	return diag_state_of(t) != DIAG_RUNNING && (s == TICKET_NEW || s == TICKET_DISPATCHED ||
	    s == TICKET_ACCEPTED || s == TICKET_EN_ROUTE);
}

static bool
queued(const struct model *m, const struct proto_ticket *t)
{
	enum diag_state d = diag_state_of(t);
	int s = ticket_state_parse(t->state);

	if (s < 0 || ticket_state_final((enum ticket_state)s))
		return false;
	if (d == DIAG_RUNNING)
		return true;
	/* escalated: the senior specialists' queue, until one of them starts it again */
	if (d == DIAG_ESCALATED)
		return diag_can_start(t);
	return d == DIAG_NONE && diag_can_start(t) && diag_flow_of(m, t) != NULL;
}

static int
oldest_first(const void *a, const void *b)
{
	const struct proto_ticket *x = *(const struct proto_ticket *const *)a;
	const struct proto_ticket *y = *(const struct proto_ticket *const *)b;
	bool xs = diag_state_of(x) == DIAG_ESCALATED, ys = diag_state_of(y) == DIAG_ESCALATED;

	if (xs != ys)
		return xs ? -1 : 1;	/* the senior queue first */
	if (x->created != y->created)
		return x->created < y->created ? -1 : 1;
	return x->id < y->id ? -1 : x->id > y->id;
}

size_t
diag_queue(const struct model *m, const struct proto_ticket **out, size_t max)
{
	const struct proto_ticket **all;
	size_t i, n = 0;

	all = xcalloc(m->n_tickets > 0 ? m->n_tickets : 1, sizeof *all);
	for (i = 0; i < m->n_tickets; i++) {
		if (queued(m, m->tickets[i]))
			all[n++] = m->tickets[i];
	}
	qsort(all, n, sizeof *all, oldest_first);
	for (i = 0; i < n && i < max; i++)
		out[i] = all[i];
	free(all);
	return n;
}

const char *
diag_recommend_now(const struct proto_ticket *t, int64_t now)
{
	return diag_recommend_now_flags((uint32_t)t->flags, now);
}

const char *
diag_recommend_now_flags(uint32_t flags, int64_t now)
{
	int h = civil_local_hour(now, CIVIL_TZ_CHINA_S);
	bool night = civil_night_hour(h), road = (flags & TICKET_FLAG_EXPRESSWAY) != 0;

	if (road && night)
		return "diag.why.both";
	if (road)
		return "diag.why.expressway";
	return night ? "diag.why.night" : NULL;
}

int64_t
diag_hold_left(const struct proto_ticket *t, int64_t now)
{
	if (!PROTO_HAS(t, ticket, diag_hold_until) || t->diag_hold_until <= 0)
		return -1;
	return t->diag_hold_until > now ? t->diag_hold_until - now : 0;
}
