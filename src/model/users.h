/* users.h: the broker's users file (rescuedeskd --users FILE; format in rescuedeskd(8),
 * FILES): who may connect with which CURVE key, in which role, and for which supplier.
 *
 *   [user li.na]
 *   role = agent
 *   public_key = rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7
 *
 *   [user tow-7]
 *   role = supplier
 *   public_key = ...
 *   supplier = changsha-tow-1
 *
 * One section [user NAME] per user; NAME is 1-32 characters of letters, digits and
 * ". _ - @". role is one of USERS_ROLES; public_key is 40 characters of Z85; supplier is
 * required for role supplier and refused for every other role. Names and keys are unique.
 *
 * Pure but for reading the file (through data.c's INI reader, like keyfile.c): no clock, no
 * sockets. Ownership: users_load's table is the caller's (users_free; NULL is fine); the
 * entries it returns are borrowed from the table; *cause and *warnings are allocated, every
 * line "PATH:LINE: reason" joined by newlines, and freed by the caller. */
#ifndef RD_USERS_H
#define RD_USERS_H

#include <stdbool.h>
#include <stddef.h>

#include "keyfile.h"

#define USERS_NAME_MAX 32     /* bytes of a user's name and of a supplier id */

/* The roles, in the order of the broker's role bits (src/broker/broker-int.h). */
#define USERS_ROLES(X)               \
	X(AGENT, "agent")            \
	X(SUPERVISOR, "supervisor")  \
	X(SPECIALIST, "specialist")  \
	X(SUPPLIER, "supplier")      \
	X(INTAKE, "intake")          \
	X(SIM, "sim")

enum users_role {
#define X(e, s) USERS_ROLE_##e,
	USERS_ROLES(X)
#undef X
	USERS_ROLE_COUNT
};

struct users_entry {
	char name[USERS_NAME_MAX + 1];
	enum users_role role;
	char key[KEYFILE_Z85_LEN + 1];       /* public_key, Z85 */
	char supplier[USERS_NAME_MAX + 1];   /* role supplier: its supplier id; "" otherwise */
	int line;                            /* the line of its [user NAME] header */
};

struct users;

/* The wire name of r ("" out of range), and r from a name (-1: none). */
const char *users_role_name(enum users_role r);
int users_role_parse(const char *name);

/* Read path. suppliers (n_suppliers of them, may be 0) are the supplier ids the reference
 * data knows: a supplier not among them is a warning (the file still loads), not an error,
 * since a supplier's trucks may register before the data lists it. Returns the table, or
 * NULL and *cause naming every mistake with its line (an unknown role, key or section, a key
 * that is not Z85, a duplicate name or key, a supplier user without supplier, a supplier on
 * another role, a missing role or key). *warnings (NULL: none) may be set either way. */
struct users *users_load(const char *path, const char *const *suppliers, size_t n_suppliers,
    char **cause, char **warnings);
void users_free(struct users *u);

size_t users_count(const struct users *u);
const struct users_entry *users_at(const struct users *u, size_t i);
/* The user with this Z85 key, or this name; NULL when there is none. */
const struct users_entry *users_by_key(const struct users *u, const char *key);
const struct users_entry *users_by_name(const struct users *u, const char *name);

#endif
