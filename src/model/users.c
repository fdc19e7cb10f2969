/* users.c: reading and checking the broker's users file (users.h). The INI text goes through
 * data.c's reader, so libinih stays in one file; every mistake is reported with its line,
 * all of them at once, so an operator fixes the file in one go. */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data.h"
#include "hmap.h"
#include "users.h"
#include "util.h"

#define USERS_MAX 100000 /* users a file may hold: a bound for hostile files */

struct users {
	struct users_entry *u;
	size_t n, cap;
	struct hmap *by_key, *by_name; /* -> entries of u, filled once u no longer moves */
};

static const char *const role_names[] = {
#define X(e, s) s,
	USERS_ROLES(X)
#undef X
};

const char *
users_role_name(enum users_role r)
{
	return (unsigned)r < USERS_ROLE_COUNT ? role_names[r] : "";
}

int
users_role_parse(const char *name)
{
	for (int i = 0; i < USERS_ROLE_COUNT; i++)
		if (strcmp(name, role_names[i]) == 0)
			return i;
	return -1;
}

/* What the reader knows about the section being read. */
struct ur {
	const char *path;
	struct users *t;
	struct users_entry *cur;  /* the entry of the current [user NAME]; NULL: none */
	bool have_role, have_key, have_sup;
	bool bad_section;         /* keys under a refused header are not looked at */
	struct hmap *names, *keys; /* name or key -> (line) as seen, for duplicates */
	char *errs, *warns;
	size_t n_errs;
	const char *const *sups;
	size_t n_sups;
};

static void RD_PRINTF(4, 5)
add_line(char **acc, const char *path, int line, const char *fmt, ...)
{
	char msg[512], *joined = NULL;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	xasprintf(&joined, "%s%s%s:%d: %s", *acc ? *acc : "", *acc ? "\n" : "", path, line, msg);
	free(*acc);
	*acc = joined;
}

static void RD_PRINTF(3, 4)
err(struct ur *r, int line, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	if (++r->n_errs > 50)
		return; /* a file that wrong needs no longer list */
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	add_line(&r->errs, r->path, line, "%s", msg);
}

static bool
name_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > USERS_NAME_MAX)
		return false;
	for (const char *c = s; *c; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
		    (*c >= '0' && *c <= '9') || strchr("._-@", *c) != NULL))
			return false;
	return true;
}

/* The section that ends: what it lacks. */
static void
end_section(struct ur *r)
{
	struct users_entry *e = r->cur;

	if (e == NULL)
		return;
	if (!r->have_role)
		err(r, e->line, "[user %s]: no role", e->name);
	if (!r->have_key)
		err(r, e->line, "[user %s]: no public_key", e->name);
	if (r->have_role && e->role == USERS_ROLE_SUPPLIER && !r->have_sup)
		err(r, e->line, "[user %s]: role supplier needs supplier (the supplier id it acts "
		    "for)", e->name);
	if (r->have_role && e->role != USERS_ROLE_SUPPLIER && r->have_sup)
		err(r, e->line, "[user %s]: supplier is only for role supplier", e->name);
	r->cur = NULL;
}

static void
ur_section(void *user, int line, const char *name)
{
	struct ur *r = user;
	struct users *t = r->t;

	end_section(r);
	r->have_role = r->have_key = r->have_sup = false;
	r->bad_section = true;
	if (strncmp(name, "user ", 5) != 0) {
		err(r, line, "unknown section [%s] (only [user NAME])", name);
		return;
	}
	const char *n = name + 5;
	if (!name_ok(n)) {
		err(r, line, "user name '%s': 1-32 letters, digits or . _ - @", n);
		return;
	}
	if (hmap_get(r->names, n) != NULL) {
		err(r, line, "user %s given twice", n);
		return;
	}
	if (t->n >= USERS_MAX) {
		err(r, line, "more than %d users", USERS_MAX);
		return;
	}
	hmap_put(r->names, n, (void *)(intptr_t)line);
	if (t->n == t->cap) {
		t->cap = t->cap ? 2 * t->cap : 16;
		t->u = xrealloc(t->u, t->cap * sizeof *t->u);
	}
	r->cur = &t->u[t->n++];
	memset(r->cur, 0, sizeof *r->cur);
	rd_strlcpy(r->cur->name, n, sizeof r->cur->name);
	r->cur->line = line;
	r->bad_section = false;
}

static bool
supplier_known(const struct ur *r, const char *id)
{
	for (size_t i = 0; i < r->n_sups; i++)
		if (strcmp(r->sups[i], id) == 0)
			return true;
	return false;
}

static void
ur_key(void *user, int line, const char *section, const char *key, const char *value)
{
	struct ur *r = user;
	struct users_entry *e = r->cur;

	if (section == NULL) {
		err(r, line, "%s outside a [user NAME] section", key);
		return;
	}
	if (r->bad_section || e == NULL)
		return;
	if (strcmp(key, "role") == 0) {
		int role = users_role_parse(value);
		if (r->have_role)
			err(r, line, "role given twice");
		else if (role < 0)
			err(r, line, "unknown role '%s' (agent, supervisor, specialist, supplier, "
			    "intake, sim)", value);
		else {
			e->role = (enum users_role)role;
			r->have_role = true;
		}
	} else if (strcmp(key, "public_key") == 0) {
		if (r->have_key)
			err(r, line, "public_key given twice");
		else if (!keyfile_z85_ok(value))
			err(r, line, "public_key: not a key: 40 characters of Z85 expected");
		else if (hmap_get(r->keys, value) != NULL)
			err(r, line, "public_key already belongs to user %s",
			    (const char *)hmap_get(r->keys, value));
		else {
			memcpy(e->key, value, KEYFILE_Z85_LEN + 1);
			/* the name, not the entry: entries move while the table grows */
			hmap_put(r->keys, value, xstrdup(e->name));
			r->have_key = true;
		}
	} else if (strcmp(key, "supplier") == 0) {
		if (r->have_sup)
			err(r, line, "supplier given twice");
		else if (!name_ok(value))
			err(r, line, "supplier '%s': 1-32 letters, digits or . _ - @", value);
		else {
			rd_strlcpy(e->supplier, value, sizeof e->supplier);
			r->have_sup = true;
			if (!supplier_known(r, value))
				add_line(&r->warns, r->path, line,
				    "supplier %s is not in the reference data", value);
		}
	} else {
		err(r, line, "unknown key '%s' (role, public_key, supplier)", key);
	}
}

static void
ur_error(void *user, int line, const char *msg)
{
	err(user, line, "%s", msg);
}

struct users *
users_load(const char *path, const char *const *suppliers, size_t n_suppliers, char **cause,
    char **warnings)
{
	static const struct data_ini_ops ops = { ur_section, ur_key, ur_error };
	struct users *t = xcalloc(1, sizeof *t);
	struct ur r = {
		.path = path, .t = t, .names = hmap_create(), .keys = hmap_create(),
		.sups = suppliers, .n_sups = n_suppliers,
	};
	size_t pos = 0;
	const char *k;
	void *v;
	int rc = data_ini_read_lines(path, &ops, &r, cause);

	end_section(&r);
	while (hmap_next(r.keys, &pos, &k, &v))
		free(v);
	hmap_destroy(r.keys);
	hmap_destroy(r.names);
	if (warnings != NULL)
		*warnings = r.warns;
	else
		free(r.warns);
	if (rc < 0) {
		free(r.errs);
		users_free(t);
		return NULL;
	}
	if (r.errs != NULL) {
		if (r.n_errs > 50)
			add_line(&r.errs, path, 0, "... and more");
		*cause = r.errs;
		users_free(t);
		return NULL;
	}
	t->by_key = hmap_create();
	t->by_name = hmap_create();
	for (size_t i = 0; i < t->n; i++) {
		hmap_put(t->by_key, t->u[i].key, &t->u[i]);
		hmap_put(t->by_name, t->u[i].name, &t->u[i]);
	}
	return t;
}

void
users_free(struct users *u)
{
	if (u == NULL)
		return;
	hmap_destroy(u->by_key);
	hmap_destroy(u->by_name);
	free(u->u);
	free(u);
}

size_t
users_count(const struct users *u)
{
	return u != NULL ? u->n : 0;
}

const struct users_entry *
users_at(const struct users *u, size_t i)
{
	return u != NULL && i < u->n ? &u->u[i] : NULL;
}

const struct users_entry *
users_by_key(const struct users *u, const char *key)
{
	return u != NULL && u->by_key != NULL ? hmap_get(u->by_key, key) : NULL;
}

const struct users_entry *
users_by_name(const struct users *u, const char *name)
{
	return u != NULL && u->by_name != NULL ? hmap_get(u->by_name, name) : NULL;
}
