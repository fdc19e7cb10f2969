/* role.h: the console's copy of the broker's role matrix (PROTOCOL.md 7.0): which requests
 * each role may send, so the console refuses in words, before sending, what the broker
 * would refuse with `forbidden`, and rings the bells that belong to the role.
 *
 * The broker is the authority (its op table, src/broker/broker-ops.c); this copy only
 * keeps the console from offering what would be refused. A request this table does not
 * name is let through: the broker decides. With an open broker (hello's reply names no
 * role: model.role_known false) every request is let through.
 *
 * Pure: no I/O; the model is borrowed for the call. */
#ifndef RD_ROLE_H
#define RD_ROLE_H

#include <stdbool.h>
#include <stddef.h>

#include "model.h"
#include "proto.h"

/* Whether role r may send op with args (a struct proto_<op>, may be NULL). Some ops depend
 * on their args: ticket.escalate with clear is for supervisors (and the simulator). */
bool role_may_op(enum model_role r, enum proto_msg_id op, const void *args);

/* role_may_op for the console's role, or true when the broker named none. */
bool role_may(const struct model *m, enum proto_msg_id op, const void *args);

/* The words of a refusal for the console's role: "not allowed for your role (agent):
 * WHAT" in the UI language; what names the action ("Clear escalation #12"), or NULL for
 * the op's wire name. */
void role_refusal(const struct model *m, enum proto_msg_id op, const char *what, char *out,
    size_t outsz);

/* Whether a warning newly red rings the console's bell: a region's capacity warning rings
 * for supervisors only (they move trucks between regions); every other warning rings for
 * every role. */
bool role_bell(const struct model *m, const struct proto_warning *w);

#endif
