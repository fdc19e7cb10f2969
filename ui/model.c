/* model.c: the console's state shared by the views. */
#include "model.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kinds.h"
#include "util.h"

/* The generic and the named views of the model's tables share their storage. */
#define X(ID, name, plural, key, delivery, gone)                                          \
	_Static_assert(offsetof(struct model, plural) ==                                   \
	    offsetof(struct model, tables[PROTO_STREAM_##ID].rows) &&                      \
	    offsetof(struct model, n_##plural) ==                                          \
	    offsetof(struct model, tables[PROTO_STREAM_##ID].n), #plural ": layout");
PROTO_STREAMS(X)
#undef X

void
model_init(struct model *m)
{
	memset(m, 0, sizeof *m);
	board_init(&m->board);
	m->hb_age_ms = -1;
	m->time_scale = 1;
}

void
model_finish(struct model *m)
{
	board_finish(&m->board);
	free(m->warn_level);
	model_requests_finish(&m->req);
	m->warn_level = NULL;
}

static int
level_of(const struct proto_warning *w)
{
	return warn_level_parse(w->level) == WARN_LEVEL_RED ? 2 : 1;
}

static int
warn_cb(void *ctx, int64_t id)
{
	return model_warn_level(ctx, id);
}

/* Each ticket's worst warning level, from the warning table. Sized by the warnings'
 * tickets (a pass over the tickets would read every ticket's memory; a ticket past the
 * table has no warning), or by the tickets when a warning names a far id. */
#define WARN_ID_FAR ((int64_t)1 << 24)

static void
warn_levels(struct model *m)
{
	int64_t max_id = 0;
	for (size_t i = 0; i < m->n_warnings; i++)
		if (m->warnings[i]->ticket > max_id)
			max_id = m->warnings[i]->ticket;
	if (max_id >= WARN_ID_FAR) {
		max_id = 0;
		for (size_t i = 0; i < m->n_tickets; i++)
			if (m->tickets[i]->id > max_id)
				max_id = m->tickets[i]->id;
	}
	if ((size_t)max_id + 1 > m->warn_cap) {
		m->warn_cap = (size_t)max_id + 1024;
		m->warn_level = xrealloc(m->warn_level, m->warn_cap);
	}
	if (m->warn_cap)
		memset(m->warn_level, 0, m->warn_cap);
	for (size_t i = 0; i < m->n_warnings; i++) {
		const struct proto_warning *w = m->warnings[i];
		/* ticket 0: a region's warning (capacity), on no ticket's row */
		if (w->cleared || w->ticket <= 0 || (size_t)w->ticket >= m->warn_cap)
			continue;
		int l = level_of(w);
		if (l > m->warn_level[w->ticket])
			m->warn_level[w->ticket] = (uint8_t)l;
	}
}

void
model_refresh(struct model *m, int64_t now)
{
	m->now = now;
	warn_levels(m);
	/* the board counts as it orders: one parse of a ticket's state serves both, and only
	 * a ticket whose state changed is parsed again (board.h) */
	m->board.sla = m->data != NULL ? &m->data->sla : NULL;
	board_rebuild(&m->board, m->tickets, m->n_tickets, now, warn_cb, m);
	m->n_open = m->board.n_open;
	m->n_late = m->board.n_late;
	m->n_risk = m->board.n_risk;
}

void
model_stale(struct model *m)
{
	m->stale = true;
}

void
model_refresh_warnings(struct model *m)
{
	warn_levels(m);
	m->stale = m->urgent = false;
	m->resort = true;
}

void
model_urgent(struct model *m)
{
	m->stale = true;
	m->urgent = true;
}

/* Whether an urgent refresh at mono starts a new window of them. */
static bool
urgent_window_over(const struct model *m, int64_t mono)
{
	return m->urgent_n == 0 || mono - m->urgent_since >= MODEL_REFRESH_MS;
}

/* Whether the window's urgent refreshes leave room for one more. */
static bool
urgent_room(const struct model *m)
{
	return m->urgent_n < MODEL_URGENT_MAX && m->urgent_us < MODEL_URGENT_BUDGET_US;
}

int64_t
model_refresh_wait(const struct model *m, int64_t mono)
{
	int64_t due = m->refreshed_mono + MODEL_REFRESH_MS;

	if (!m->stale && !m->resort)
		return -1;
	if (m->stale && m->urgent && (urgent_window_over(m, mono) || urgent_room(m)))
		return 0;
	return mono >= due ? 0 : due - mono;
}

void
model_refreshed(struct model *m, int64_t mono)
{
	m->last_urgent = m->urgent;
	if (m->urgent) {
		if (urgent_window_over(m, mono)) {
			m->urgent_since = mono;
			m->urgent_n = 0;
			m->urgent_us = 0;
		}
		m->urgent_n++;
	}
	m->stale = m->urgent = m->resort = false;
	m->refreshed_mono = mono;
}

void
model_refresh_cost(struct model *m, int64_t us)
{
	if (m->last_urgent && us > 0)
		m->urgent_us += us;
}

const struct proto_ticket *
model_ticket(const struct model *m, int64_t id)
{
	for (size_t i = 0; i < m->n_tickets; i++)
		if (m->tickets[i]->id == id)
			return m->tickets[i];
	return NULL;
}

const struct proto_truck *
model_truck(const struct model *m, const char *id)
{
	if (id == NULL || id[0] == '\0')
		return NULL;
	for (size_t i = 0; i < m->n_trucks; i++)
		if (strcmp(m->trucks[i]->id, id) == 0)
			return m->trucks[i];
	return NULL;
}

int
model_warn_level(const struct model *m, int64_t id)
{
	if (id < 0 || (size_t)id >= m->warn_cap)
		return 0;
	return m->warn_level[id];
}

size_t
model_ticket_warnings(const struct model *m, int64_t id, const struct proto_warning **out,
    size_t max)
{
	size_t n = 0;
	if (id <= 0)
		return 0;	/* ticket 0 holds the regions' warnings, not a ticket's */
	for (int lvl = 2; lvl >= 1; lvl--)
		for (size_t i = 0; i < m->n_warnings && n < max; i++) {
			const struct proto_warning *w = m->warnings[i];
			if (w->ticket == id && !w->cleared && level_of(w) == lvl)
				out[n++] = w;
		}
	return n;
}

bool
model_ticket_awaits_choice(const struct model *m, const struct proto_ticket *t)
{
	const struct data_region *r;

	if (t == NULL || m->data == NULL || strcmp(t->state, "new") != 0)
		return false;
	r = data_region(m->data, t->region);
	return r != NULL && r->auto_dispatch == 0;
}

void
model_message(struct model *m, bool error, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(m->message, sizeof m->message, fmt, ap);
	va_end(ap);
	m->message_error = error;
	m->message_at = rd_mono_ms();
}

const char *
model_conn_name(enum model_conn c)
{
	switch (c) {
	case MODEL_CONNECTING: return "status.connecting";
	case MODEL_SYNCING: return "status.resyncing";
	case MODEL_LIVE: return "status.live";
	case MODEL_STALE: return "status.stale";
	}
	return "status.connecting";
}

static const char *role_names[] = {
	[MODEL_ROLE_AGENT] = "agent", [MODEL_ROLE_SUPERVISOR] = "supervisor",
	[MODEL_ROLE_SPECIALIST] = "specialist", [MODEL_ROLE_SUPPLIER] = "supplier",
	[MODEL_ROLE_INTAKE] = "intake", [MODEL_ROLE_SIM] = "sim",
};

const char *
model_role_name(enum model_role r)
{
	return (unsigned)r < ARRAY_LEN(role_names) ? role_names[r] : "agent";
}

int
model_role_parse(const char *s)
{
	for (size_t i = 0; i < ARRAY_LEN(role_names); i++)
		if (strcmp(role_names[i], s) == 0)
			return (int)i;
	return -1;
}

bool
model_hello(struct model *m, const struct proto_hello_result *h)
{
	bool changed = false;
	int r;

	if (PROTO_HAS(h, hello_result, user) && h->user[0] != '\0' &&
	    strcmp(h->user, m->user) != 0) {
		rd_strlcpy(m->user, h->user, sizeof m->user);
		changed = true;
	}
	m->role_known = false;
	if (PROTO_HAS(h, hello_result, role) && (r = model_role_parse(h->role)) >= 0) {
		m->role = (enum model_role)r;
		m->role_known = true;
	} else if (PROTO_HAS(h, hello_result, role)) {
		log_warn("hello: unknown role '%s': acting as an open broker's console", h->role);
	}
	return changed;
}

const char *
model_auth_name(enum model_auth a)
{
	switch (a) {
	case MODEL_AUTH_NONE: return NULL;
	case MODEL_AUTH_REFUSED: return "auth.refused";
	case MODEL_AUTH_NEEDS_KEY: return "auth.needs_key";
	case MODEL_AUTH_NO_CURVE: return "auth.no_curve";
	case MODEL_AUTH_BAD_SERVER: return "auth.bad_server";
	}
	return NULL;
}

void
model_fmt_minutes(int64_t ms, char *out, size_t outsz)
{
	bool neg = ms < 0;
	int64_t min = (neg ? -ms : ms) / 60000;
	const char *sign = neg ? "-" : "";

	/* never "0m" for a span that is there, never "-0m" nor "-<1m": under a minute either
	 * way is "<1m" (due now, or just past), and "-" means whole minutes late */
	if (min == 0)
		snprintf(out, outsz, "%s", ms == 0 ? "0m" : "<1m");
	else if (min < 100)
		snprintf(out, outsz, "%s%lldm", sign, (long long)min);
	else if (min < 6000)
		snprintf(out, outsz, "%s%lldh%02lld", sign, (long long)(min / 60),
		    (long long)(min % 60));
	else
		snprintf(out, outsz, "%s%lldd", sign, (long long)(min / 1440));
}

void
model_fmt_clock(int64_t ts_ms, char *out, size_t outsz)
{
	time_t t = (time_t)(ts_ms / 1000);
	struct tm tm;
	localtime_r(&t, &tm);
	strftime(out, outsz, "%H:%M", &tm);
}
