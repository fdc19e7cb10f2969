/* role.c: the console's copy of the broker's role matrix (role.h).
 *
 * One row per request by its wire name, so the lead can align it with the broker's op table
 * at a glance: agents take calls and act on tickets; specialists run diagnoses (diag.*) and
 * read and note tickets; supervisors do all an agent does and also clear escalations and
 * approve; a supplier answers its offers (and sends its feed, which is no request); an
 * intake channel only creates tickets; the simulator does everything. */
#include "role.h"

#include <stdio.h>
#include <string.h>

#include "i18n.h"
#include "kinds.h"
#include "present.h"
#include "util.h"

#define R(x) (1u << MODEL_ROLE_##x)
#define SIM R(SIM)
#define AGENTS (R(AGENT) | R(SUPERVISOR) | SIM)        /* act on tickets */
#define READERS (AGENTS | R(SPECIALIST))               /* read and note tickets */

static const struct {
	const char *op;
	unsigned roles;
} matrix[] = {
	{ "hello", ~0u },
	{ "snapshot", READERS | R(SUPPLIER) },
	{ "intake.create", AGENTS | R(INTAKE) },
	{ "ticket.get", READERS },
	{ "ticket.search", READERS },
	{ "ticket.track", READERS },
	{ "dispatch.candidates", READERS },
	{ "stats.kpi", READERS },
	{ "presence", READERS },
	{ "ticket.note", READERS },
	{ "ticket.edit", AGENTS },
	{ "ticket.callback", AGENTS },
	{ "ticket.tell", AGENTS },
	{ "ticket.call", AGENTS },
	{ "ticket.set_state", AGENTS },
	{ "ticket.cancel", AGENTS },
	{ "ticket.assign", AGENTS },
	{ "ticket.escalate", AGENTS },	/* clear: supervisors (role_may_op) */
	{ "warning.ack", AGENTS },
	{ "warning.release", AGENTS },
	{ "complaint.put", AGENTS },
	{ "complaint.get", AGENTS },
	{ "offer.accept", R(SUPPLIER) | SIM },
	{ "offer.decline", R(SUPPLIER) | SIM },
	{ "diag.start", R(SPECIALIST) | SIM },
	{ "diag.answer", R(SPECIALIST) | SIM },
	{ "diag.back", R(SPECIALIST) | SIM },
	{ "diag.safety", R(SPECIALIST) | SIM },
	{ "diag.abort", R(SPECIALIST) | SIM },
	{ "diag.dispatch_now", R(SPECIALIST) | SIM },
};

/* Ending an escalation (ticket.escalate with clear). */
#define CLEARERS (R(SUPERVISOR) | SIM)

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
