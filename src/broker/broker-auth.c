/* broker-auth.c: who a message comes from and what it may reach (rescuedeskd(8), SECURITY;
 * PROTOCOL.md 2.5 and 7.0). broker.c owns the sockets, CURVE and the ZAP socket; this file
 * owns the users table behind them, the endpoints each role may connect to, and the
 * refusals: logged with the user, the role and the op (never a customer's phone or name)
 * and counted in broker_stats, a supplier's refusals also per supplier.
 *
 * The user id libzmq stores with a connection is the user's Z85 key, not its name: every
 * message is looked up again in the current table, so a reload that revokes a key, gives
 * it to someone else or changes its role takes effect from the next message. */
#include "broker-int.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

#define REFUSED_LOG_MS 60000 /* a refused key is logged at most this often (it retries) */

const char *const broker_endpoint_names[BROKER_EP_COUNT] = { "api", "pub", "feed" };

unsigned
broker_auth_endpoint_roles(enum broker_endpoint ep)
{
	switch (ep) {
	case BROKER_EP_API:
		return BROKER_ROLES_ALL;
	case BROKER_EP_PUB:
		/* automated intake channels need no live board; a supplier may not see other
		 * suppliers' trucks and jobs, and a PUB socket cannot filter per subscriber:
		 * it polls supplier.jobs */
		return BROKER_ROLES_ALL & ~BROKER_ROLE_BIT(INTAKE) & ~BROKER_ROLE_BIT(SUPPLIER);
	case BROKER_EP_FEED: /* trucks' positions and status come from suppliers */
		return BROKER_ROLE_BIT(SUPPLIER) | BROKER_ROLE_BIT(SIM);
	case BROKER_EP_COUNT:
		break;
	}
	return 0;
}

int
broker_auth_load(struct broker *b, bool *revoked, char **cause)
{
	const char **sups = xcalloc(b->n_sups + 1, sizeof *sups);
	char *warn = NULL;
	struct users *u;

	for (size_t i = 0; i < b->n_sups; i++)
		sups[i] = b->sups[i].d->id;
	u = users_load(b->opts.users, sups, b->n_sups, cause, &warn);
	free(sups);
	if (warn != NULL) {
		log_warn("users: %s", warn);
		free(warn);
	}
	if (u == NULL)
		return -1;
	*revoked = false;
	for (size_t i = 0; i < users_count(b->users); i++) {
		const struct users_entry *o = users_at(b->users, i);
		const struct users_entry *n = users_by_key(u, o->key);
		if (n == NULL || n->role != o->role || strcmp(n->supplier, o->supplier) != 0) {
			log_info("users: key of %s (%s) %s", o->name, users_role_name(o->role),
			    n == NULL ? "revoked" : "changed role or supplier");
			*revoked = true;
		}
	}
	users_free(b->users);
	b->users = u;
	b->st.reloads++;
	log_info("users: %zu users from %s", users_count(u), b->opts.users);
	return 0;
}

bool
broker_auth_peer(struct broker *b, const char *user_id, enum broker_endpoint ep,
    struct peer *p)
{
	const struct users_entry *e = user_id != NULL ? users_by_key(b->users, user_id) : NULL;

	p->authed = false;
	if (e == NULL || !(broker_auth_endpoint_roles(ep) & (1u << e->role))) {
		b->st.unauthenticated++;
		if (b->st.unauthenticated % 1000 == 1)
			log_warn("auth: %s message from key %.40s, no longer known or allowed there "
			    "(%" PRIu64 " so far)", broker_endpoint_names[ep],
			    user_id != NULL ? user_id : "(none)", b->st.unauthenticated);
		return false;
	}
	/* users.h's roles are in the order of BROKER_ROLES (check-auth checks it) */
	p->roles = 1u << e->role;
	rd_strlcpy(p->user, e->name, sizeof p->user);
	rd_strlcpy(p->supplier, e->supplier, sizeof p->supplier);
	p->authed = true;
	return true;
}

bool
broker_auth_zap(struct broker *b, const char *key, enum broker_endpoint ep,
    const char *address, const char **why)
{
	const struct users_entry *e = users_by_key(b->users, key);
	int64_t now = rd_mono_ms(), *last;

	if (e != NULL && (broker_auth_endpoint_roles(ep) & (1u << e->role)))
		return true;
	*why = e == NULL ? "unknown key" : "role may not connect here";
	b->st.auth_refused++;
	if (b->auth_logged == NULL)
		b->auth_logged = hmap_create();
	if ((last = hmap_get(b->auth_logged, key)) == NULL) {
		if (hmap_count(b->auth_logged) >= 10000)
			return false; /* a flood of keys: what was logged is enough */
		last = xcalloc(1, sizeof *last);
		*last = now - REFUSED_LOG_MS;
		hmap_put(b->auth_logged, key, last);
	}
	if (now - *last >= REFUSED_LOG_MS) {
		*last = now;
		if (e == NULL)
			log_warn("auth: refused key %.40s on %s from %s: unknown key", key,
			    broker_endpoint_names[ep], address);
		else
			log_warn("auth: refused key %.40s (user %s, role %s) on %s from %s: the role "
			    "may not connect there", key, e->name, users_role_name(e->role),
			    broker_endpoint_names[ep], address);
	}
	return false;
}

void
broker_auth_forbidden(struct broker *b, const struct peer *p, const char *op, const char *what)
{
	char roles[64] = "";

	for (int r = 0; r < BROKER_ROLE_COUNT; r++)
		if (p->roles & (1u << r))
			snprintf(roles + strlen(roles), sizeof roles - strlen(roles), "%s%s",
			    roles[0] ? "," : "", broker_role_name((enum broker_role)r));
	b->st.forbidden++;
	log_warn("forbidden: user %s (role %s) %s%s%s", p->user[0] ? p->user : "-",
	    roles[0] ? roles : "none", op, what[0] ? ": " : "", what);
}

bool
broker_auth_truck(struct broker *b, const struct peer *p, const char *supplier,
    const char *truck, const char *op)
{
	uint64_t *n;
	char what[96];

	if (!broker_peer_supplier(p) || strcmp(supplier, p->supplier) == 0)
		return true;
	if (b->auth_sup == NULL)
		b->auth_sup = hmap_create();
	if ((n = hmap_get(b->auth_sup, p->supplier)) == NULL) {
		n = xcalloc(1, sizeof *n);
		hmap_put(b->auth_sup, p->supplier, n);
	}
	(*n)++;
	b->st.scope_refused++;
	b->st.forbidden++;
	snprintf(what, sizeof what, "truck %.24s of supplier %.32s", truck,
	    supplier[0] ? supplier : "-");
	/* a supplier's system that keeps trying fills no disk: 1 line, then every 1000th */
	if (*n % 1000 == 1)
		log_warn("forbidden: user %s (supplier %s) %s: %s (%" PRIu64 " refused so far)",
		    p->user, p->supplier, op, what, *n);
	return false;
}

uint64_t
broker_supplier_refused(const struct broker *b, const char *supplier)
{
	const uint64_t *n = b->auth_sup != NULL ? hmap_get(b->auth_sup, supplier) : NULL;
	return n != NULL ? *n : 0;
}

static void
free_values(struct hmap *m)
{
	size_t pos = 0;
	const char *k;
	void *v;

	while (m != NULL && hmap_next(m, &pos, &k, &v))
		free(v);
	hmap_destroy(m);
}

void
broker_auth_finish(struct broker *b)
{
	users_free(b->users);
	b->users = NULL;
	free_values(b->auth_sup);
	free_values(b->auth_logged);
	b->auth_sup = b->auth_logged = NULL;
	explicit_bzero(b->curve_secret, sizeof b->curve_secret);
}
