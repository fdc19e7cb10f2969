/* role.c: the console's copy of the broker's role matrix (role.h).
 *
 * One row per request by its wire name, the same sets as the roles column of the broker's
 * op table (src/broker/broker-ops.c, PROTOCOL.md 7.0), so the two can be compared at a
 * glance: agents take calls and act on tickets (DESK); specialists read, note and own
 * warnings (READ) and run diagnoses, which supervisors may run too (DIAG); supervisors do
 * all an agent does and also end escalations (and approve complaints, which the broker
 * judges by the record: complaint.h); a supplier answers its offers and moves its trucks'
 * jobs along (the broker checks the truck) and sees only its own (supplier.jobs; no
 * snapshot, no subscription); an intake channel only creates tickets; the
 * simulator does everything. */
#include "role.h"

#include <stdio.h>
#include <string.h>

#include "i18n.h"
#include "kinds.h"
#include "present.h"
#include "util.h"

#define R(x) (1u << MODEL_ROLE_##x)
#define DESK (R(AGENT) | R(SUPERVISOR) | R(SIM))        /* take calls, act on tickets */
#define READ (DESK | R(SPECIALIST))                     /* read, note, own warnings */
#define DIAG (R(SPECIALIST) | R(SUPERVISOR) | R(SIM))   /* remote diagnosis */

static const struct {
	const char *op;
	unsigned roles;
} matrix[] = {
	{ "hello", ~0u },
	{ "snapshot", READ },
	{ "intake.create", DESK | R(INTAKE) },
	{ "ticket.get", READ },
	{ "ticket.search", READ },
	{ "ticket.note", READ },
	{ "ticket.edit", DESK },
	{ "ticket.callback", DESK },
	{ "ticket.tell", DESK },
	{ "ticket.call", DESK },
	{ "ticket.set_state", DESK | R(SUPPLIER) },
	{ "ticket.cancel", DESK },
	{ "ticket.assign", DESK },
	{ "offer.accept", DESK | R(SUPPLIER) },
	{ "offer.decline", DESK | R(SUPPLIER) },
	{ "dispatch.candidates", DESK },
	{ "ticket.track", READ },
	{ "diag.start", DIAG },
	{ "diag.answer", DIAG },
	{ "diag.back", DIAG },
	{ "diag.safety", DIAG },
	{ "diag.abort", DIAG },
	{ "diag.dispatch_now", DIAG },
	{ "stats.kpi", READ },
	{ "complaint.put", DESK },
	{ "complaint.get", DESK },
	{ "warning.ack", READ },
	{ "warning.release", READ },
	{ "ticket.escalate", READ },	/* clear: supervisors (role_may_op) */
	{ "presence", READ },
	{ "ticket.contact", READ },
	{ "stats.board", R(SUPERVISOR) | R(SIM) },
	{ "stats.report", R(SUPERVISOR) | R(SIM) },
	{ "survey.put", R(INTAKE) | R(SUPERVISOR) | R(SIM) },
	{ "survey.done", DESK },
	{ "supplier.jobs", R(SUPPLIER) | R(SUPERVISOR) | R(SIM) },
};

/* Ending an escalation (ticket.escalate with clear). */
#define CLEARERS (R(SUPERVISOR) | R(SIM))

bool
role_may_op(enum model_role r, enum proto_msg_id op, const void *args)
{
	const char *wire;

	if ((unsigned)r >= MODEL_ROLE_COUNT || (unsigned)op >= PROTO_MSG_COUNT)
		return false;
	if (op == PROTO_MSG_escalate && args != NULL &&
	    ((const struct proto_escalate *)args)->clear)
		return (CLEARERS >> r) & 1u;
	wire = proto_descs[op].wire;
	for (size_t i = 0; i < ARRAY_LEN(matrix); i++)
		if (strcmp(matrix[i].op, wire) == 0)
			return (matrix[i].roles >> r) & 1u;
	return true;	/* not in this copy: the broker decides */
}

bool
role_may(const struct model *m, enum proto_msg_id op, const void *args)
{
	return !m->role_known || role_may_op(m->role, op, args);
}

void
role_refusal(const struct model *m, enum proto_msg_id op, const char *what, char *out,
    size_t outsz)
{
	char key[32];
	const char *vars[4];

	snprintf(key, sizeof key, "role.%s", model_role_name(m->role));
	vars[0] = "role";
	vars[1] = i18n_tr(key);
	vars[2] = "what";
	vars[3] = what != NULL ? what :
	    (unsigned)op < PROTO_MSG_COUNT ? proto_descs[op].wire : "?";
	present_fill(i18n_tr("role.refused"), vars, 2, out, outsz);
}

bool
role_bell(const struct model *m, const struct proto_warning *w)
{
	if (warn_kind_parse(w->kind) == WARN_CAPACITY)
		return m->role == MODEL_ROLE_SUPERVISOR || m->role == MODEL_ROLE_SIM;
	return true;
}
