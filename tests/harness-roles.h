/* harness-roles.h: PROTOCOL.md 7.0's table (who may call what) read from the document
 * itself, so that the broker's op table (check-auth.c) and the console's copy of the
 * matrix (check-view-role.c) are both checked against the one source, not against copies
 * of it in the tests.
 *
 * The table is the section's first: a header row naming the roles in the cells after
 * "op", then one row per op or group of ops, each op in backquotes in the first cell; a
 * role's cell holding a check mark allows it (footnote marks such as "✓ ¹" are the
 * arguments' rules, the op is allowed). The document is read from PROTOCOL_MD (the
 * source tree's proto/PROTOCOL.md, set by tests/meson.build).
 *
 * This module owns that support code; the table is the caller's. Failures are Check
 * assertions: they end the test. */
#ifndef RD_HARNESS_ROLES_H
#define RD_HARNESS_ROLES_H

#include <stdbool.h>
#include <stdint.h>

#include "proto.h"

#define HARNESS_ROLES_MAX 8	/* role columns at the most */

struct harness_roles {
	int n_roles;
	char role[HARNESS_ROLES_MAX][24];	/* the header's names, in column order */
	uint32_t may[PROTO_MSG_COUNT];		/* by op: bit c, the role of column c may */
	int rows;				/* ops named in the table */
};

/* Read the table into t. Fails the test when the section or its header is missing, a row
 * has another number of cells than the header, a name in backquotes is no op or is named
 * twice, or a request op of proto/msg.def has no row. */
void harness_roles_read(struct harness_roles *t);
/* Whether the role named role may call op by the table; fails the test when role is no
 * column of it. */
bool harness_roles_may(const struct harness_roles *t, int op, const char *role);

#endif
