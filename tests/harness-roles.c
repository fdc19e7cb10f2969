/* harness-roles.c: PROTOCOL.md 7.0's table read for the tests (harness-roles.h). */
#include "harness-roles.h"

#include <check.h>
#include <stdio.h>
#include <string.h>

#include "util.h"

#ifndef PROTOCOL_MD
#error "compile with -DPROTOCOL_MD=\"/path/to/proto/PROTOCOL.md\""
#endif

#define CHECK_MARK "\xe2\x9c\x93"	/* ✓ */

/* s without the blanks around it, in place. */
static char *
trim(char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	size_t n = strlen(s);
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n' ||
	    s[n - 1] == '\r'))
		s[--n] = '\0';
	return s;
}

/* The cells of a table row "| a | b |" into cells (at most max); returns how many. */
static int
split_row(char *line, char **cells, int max)
{
	char *save = NULL;
	int n = 0;

	for (char *c = strtok_r(line, "|", &save); c != NULL; c = strtok_r(NULL, "|", &save)) {
		c = trim(c);
		if (c[0] == '\0' && n == 0)
			continue;	/* before the first bar */
		if (n == max)
			return max + 1;
		cells[n++] = c;
	}
	while (n > 0 && cells[n - 1][0] == '\0')
		n--;			/* after the last bar */
	return n;
}

void
harness_roles_read(struct harness_roles *t)
{
	char line[2048];
	bool in_section = false, seen[PROTO_MSG_COUNT] = { false };
	char *cells[HARNESS_ROLES_MAX + 2];
	int lineno = 0;

	memset(t, 0, sizeof *t);
	FILE *f = fopen(PROTOCOL_MD, "r");
	ck_assert_msg(f != NULL, "%s cannot be read", PROTOCOL_MD);
	while (fgets(line, sizeof line, f) != NULL) {
		lineno++;
		if (strncmp(line, "### 7.0 ", 8) == 0) {
			in_section = true;
			continue;
		}
		if (in_section && strncmp(line, "### ", 4) == 0)
			break;
		if (!in_section || line[0] != '|')
			continue;
		if (t->n_roles == 0) {
			/* the header: "op", then the roles */
			int n = split_row(line, cells, HARNESS_ROLES_MAX + 1);
			ck_assert_msg(n >= 2 && n <= HARNESS_ROLES_MAX + 1 &&
			    strcmp(cells[0], "op") == 0, "PROTOCOL.md:%d: not the table's header",
			    lineno);
			for (int c = 1; c < n; c++)
				rd_strlcpy(t->role[c - 1], cells[c], sizeof t->role[c - 1]);
			t->n_roles = n - 1;
			continue;
		}
		if (strncmp(line, "| `", 3) != 0)
			continue;	/* the alignment row */
		int n = split_row(line, cells, HARNESS_ROLES_MAX + 1);
		ck_assert_msg(n == t->n_roles + 1, "PROTOCOL.md:%d: %d cells, the header has %d",
		    lineno, n, t->n_roles + 1);
		uint32_t may = 0;
		for (int c = 0; c < t->n_roles; c++)
			if (strstr(cells[c + 1], CHECK_MARK) != NULL)
				may |= 1u << c;
		for (char *o = strchr(cells[0], '`'); o != NULL; o = strchr(o, '`')) {
			char *e = strchr(o + 1, '`');
			ck_assert_msg(e != NULL, "PROTOCOL.md:%d: a backquote left open", lineno);
			*e = '\0';
			int op = proto_op_lookup(o + 1, strlen(o + 1));
			ck_assert_msg(op >= 0, "PROTOCOL.md:%d: %s is no op", lineno, o + 1);
			ck_assert_msg(!seen[op], "PROTOCOL.md:%d: %s has two rows", lineno, o + 1);
			seen[op] = true;
			t->may[op] = may;
			t->rows++;
			o = e + 1;
		}
	}
	fclose(f);
	ck_assert_msg(t->n_roles > 0, "PROTOCOL.md has no table in 7.0");
	for (int op = 0; op < PROTO_MSG_COUNT; op++)
		if (proto_descs[op].kind == PROTO_KIND_REQUEST)
			ck_assert_msg(seen[op], "PROTOCOL.md 7.0 has no row for %s",
			    proto_descs[op].wire);
}

bool
harness_roles_may(const struct harness_roles *t, int op, const char *role)
{
	for (int c = 0; c < t->n_roles; c++)
		if (strcmp(t->role[c], role) == 0)
			return op >= 0 && op < PROTO_MSG_COUNT && (t->may[op] >> c & 1) != 0;
	ck_abort_msg("PROTOCOL.md 7.0 has no column %s", role);
	return false;
}
