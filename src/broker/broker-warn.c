/* broker-warn.c: owned warnings and escalation (PROTOCOL.md 7.23 to 7.26): an agent
 * acknowledges a warning and owns it (warning.ack; the first of two at once wins, the
 * second is told who owns it), gives it up (warning.release), escalates a ticket to the
 * supervisors by hand (ticket.escalate); consoles say their user is there (presence).
 *
 * The tick (broker_warn_tick, from the loop's) escalates a red warning nobody has owned
 * for escalate_after_s (data/sla.ini) and lets go of the warnings of an owner whose
 * presence is older than owner_lease_s or who said "off". It looks only at the active
 * warnings: b->own_watch holds them, picked up from b->warns as they are raised (their ids
 * only grow) and dropped once cleared, so a pass costs the warnings active, not the tickets
 * open nor the warnings ever raised. Presence is memory only: after a restart an owner has
 * owner_lease_s from the first tick to be heard of again.
 *
 * Each pass notes the earliest broker time at which the next one could act
 * (broker_warn_next): a red unowned warning's escalation, an owner's lease running out; a
 * warning let go makes it due at once. The loop sleeps no longer than that and runs the
 * pass when it comes, so an escalation fires on its deadline, not on the next 500 ms
 * tick. A warning raised red, or turned red later, is seen by the next tick, and its
 * clock starts at its `ts` (the raise or the level change), so it too escalates on time
 * while escalate_after_s (at least 1 s) is longer than a tick.
 *
 * Calls broker-state.c and broker-emit.c. */
#include "broker-int.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hmap.h"
#include "util.h"

/* A user's last word (presence, or an ack, which counts as one). */
struct presence {
	int64_t seen;            /* broker time */
	bool off;                /* said "off": its warnings were let go */
};

/* ---------------------------------------------------------------- the watched warnings */

/* Pick up the warnings raised since the last look. */
static void
watch_new(struct broker *b)
{
	for (; b->own_seen < b->n_warns; b->own_seen++) {
		struct bwarn *w = b->warns[b->own_seen];
		if (w == NULL || w->w.cleared || w->own_watched)
			continue;
		if (b->n_own_watch == b->cap_own_watch) {
			b->cap_own_watch = b->cap_own_watch ? b->cap_own_watch * 2 : 64;
			b->own_watch = xreallocarray(b->own_watch, b->cap_own_watch,
			    sizeof *b->own_watch);
		}
		w->own_watched = true;
		b->own_watch[b->n_own_watch++] = w;
	}
}

static bool
owned(const struct bwarn *w)
{
	return PROTO_HAS(&w->w, warning, owner) && w->w.owner[0] != '\0';
}

/* Escalated: the key set (a warning made elsewhere with every key present has it 0). */
static bool
escalated(const struct bwarn *w)
{
	return PROTO_HAS(&w->w, warning, escalated) && w->w.escalated > 0;
}

static bool
red(const struct bwarn *w)
{
	return warn_level_parse(w->w.level) == WARN_LEVEL_RED;
}

static struct presence *
presence_of(struct broker *b, const char *user, int64_t now)
{
	struct presence *p;

	if (b->presence == NULL)
		b->presence = hmap_create();
	if ((p = hmap_get(b->presence, user)) == NULL) {
		p = xcalloc(1, sizeof *p);
		p->seen = now;
		hmap_put(b->presence, user, p);
	}
	return p;
}

/* ---------------------------------------------------------------- owner changes */

static void
why_of(struct broker_why *why, const char *code, const struct bwarn *w)
{
	broker_why_init(why, code);
	BWHY_INT(why, warning, w->w.id);
	BWHY_STR(why, kind, w->w.kind);
	BWHY_STR(why, level, w->w.level);
	if (w->w.ticket > 0)
		BWHY_INT(why, ticket, w->w.ticket);
}

static void
take(struct broker *b, struct bwarn *w, const char *user, int64_t now)
{
	struct broker_why why;
	char detail[96];

	PROTO_STRSET(w->w.owner, user);
	w->w.acked = now;
	PROTO_SET(&w->w, warning, owner);
	PROTO_SET(&w->w, warning, acked);
	w->red_since = 0;
	why_of(&why, "warning_owned", w);
	BWHY_STR(&why, by, user);
	snprintf(detail, sizeof detail, "%s acknowledged the warning", user);
	broker_emit_warning_why(b, w, EVENT_OWNED, user, detail, &why);
}

/* Let go of w's owner; code is warning_released (by the owner, by) or owner_gone (its
 * presence lapsed or ended; by is ""). */
static void
let_go(struct broker *b, struct bwarn *w, const char *code, const char *by, int64_t now)
{
	struct broker_why why;
	char detail[128], was[sizeof w->w.owner];

	rd_strlcpy(was, w->w.owner, sizeof was);
	w->w.owner[0] = '\0';
	w->w.acked = 0;
	w->w.present &= ~((uint64_t)1 << PROTO_warning_owner | (uint64_t)1 << PROTO_warning_acked);
	w->red_since = red(w) ? now : 0; /* unowned from now: the escalation clock restarts */
	b->warn_next = 0; /* the next pass arms its escalation */
	why_of(&why, code, w);
	BWHY_STR(&why, owner, was);
	if (by[0] != '\0') {
		BWHY_STR(&why, by, by);
		snprintf(detail, sizeof detail, "%s gave up the warning", by);
	} else {
		snprintf(detail, sizeof detail, "%s left: the warning has no owner", was);
	}
	broker_emit_warning_why(b, w, EVENT_UNOWNED, by, detail, &why);
}

static void
escalate_now(struct broker *b, struct bwarn *w, int64_t now)
{
	struct broker_why why;
	char detail[96];
	int64_t s = (now - w->red_since) / 1000;

	w->w.escalated = now;
	PROTO_SET(&w->w, warning, escalated);
	why_of(&why, "warning_escalated", w);
	BWHY_INT(&why, s, s);
	snprintf(detail, sizeof detail, "red and unowned for %" PRId64 " s: escalated", s);
	broker_emit_warning_why(b, w, EVENT_ESCALATED, "", detail, &why);
	log_info("warning %" PRId64 " (%s, ticket %" PRId64 ") escalated", w->w.id, w->w.kind,
	    w->w.ticket);
}

/* ---------------------------------------------------------------- the tick */

/* Users are not verified yet (issue 11), so a peer could make up names without end: once a
 * minute, forget the users who said off or were not heard of for PRESENCE_FORGET_LEASES
 * leases and own no active warning (forgetting one changes nothing it could see). */
#define PRESENCE_FORGET_LEASES 4
#define PRESENCE_PRUNE_MS 60000

static void
presence_prune(struct broker *b, int64_t lease, int64_t now)
{
	size_t pos = 0, n = 0, cap = 0;
	const char *key;
	void *v;
	char **gone = NULL;

	if (b->presence == NULL || now - b->presence_pruned < PRESENCE_PRUNE_MS)
		return;
	b->presence_pruned = now;
	while (hmap_next(b->presence, &pos, &key, &v)) {
		const struct presence *p = v;
		bool owns = false;

		if (!p->off && now - p->seen <= PRESENCE_FORGET_LEASES * lease)
			continue;
		for (size_t i = 0; i < b->n_own_watch && !owns; i++)
			owns = owned(b->own_watch[i]) && strcmp(b->own_watch[i]->w.owner, key) == 0;
		if (owns)
			continue;
		if (n == cap) {
			cap = cap ? 2 * cap : 16;
			gone = xreallocarray(gone, cap, sizeof *gone);
		}
		gone[n++] = xstrdup(key);	/* removed after the walk, not during it */
	}
	for (size_t i = 0; i < n; i++) {
		free(hmap_remove(b->presence, gone[i]));
		free(gone[i]);
	}
	free(gone);
}

void
broker_warn_tick(struct broker *b, int64_t now)
{
	const struct data_sla *sla = &b->data->sla;
	int64_t after = (int64_t)sla->escalate_after_s * 1000;
	int64_t lease = (int64_t)sla->owner_lease_s * 1000, next = INT64_MAX;
	size_t i = 0;

	watch_new(b);
	while (i < b->n_own_watch && !b->fatal) {
		struct bwarn *w = b->own_watch[i];
		if (w->w.cleared) {
			w->own_watched = false;
			b->own_watch[i] = b->own_watch[--b->n_own_watch];
			continue;
		}
		i++;
		if (owned(w)) {
			struct presence *p = presence_of(b, w->w.owner, now);
			if (p->off || now - p->seen > lease) {
				let_go(b, w, "owner_gone", "", now);
			} else {
				if (p->seen + lease + 1 < next)
					next = p->seen + lease + 1; /* unless heard of again */
				continue;
			}
		}
		if (!red(w)) {
			w->red_since = 0;
			continue;
		}
		if (w->red_since == 0)
			w->red_since = w->w.ts > 0 && w->w.ts <= now ? w->w.ts : now;
		if (escalated(w))
			continue;
		if (now - w->red_since >= after)
			escalate_now(b, w, now);
		else if (w->red_since + after < next)
			next = w->red_since + after;
	}
	presence_prune(b, lease, now);
	b->warn_next = next;
}

int64_t
broker_warn_next(const struct broker *b)
{
	/* a warning raised or turned red since the last pass needs no pass now: its clock
	 * starts at its ts and runs escalate_after_s (at least 1 s), so the next tick (every
	 * 500 ms) arms its deadline in time, and a turn that raises warnings costs nothing
	 * more here */
	return b->warn_next;
}

/* ---------------------------------------------------------------- replies */

/* The result of warning.ack, warning.release and presence: {"warnings": [...]}. */
static void
reply_warnings(struct proto_buf *out, const struct proto_request *req, struct bwarn **ws,
    size_t n)
{
	proto_encode_reply_ok(out, req->cmd_id, proto_descs[req->op].wire);
	proto_pack_map(out, 1);
	proto_pack_str(out, "warnings");
	proto_pack_array(out, (uint32_t)n);
	for (size_t i = 0; i < n; i++)
		proto_pack_obj(out, PROTO_MSG_warning, &ws[i]->w, 0);
}

static int
refuse_owned(struct proto_buf *out, const struct proto_request *req, const struct bwarn *w)
{
	struct proto_error_params e;

	broker_err_init(&e, "owned");
	BERR_STR(&e, by, w->w.owner);
	BERR_INT(&e, warning, w->w.id);
	if (w->w.ticket > 0)
		BERR_INT(&e, ticket, w->w.ticket);
	return broker_reply_error_why(out, req, PROTO_E_CONFLICT, NULL, &e,
	    "warning %" PRId64 " is already owned by %s", w->w.id, w->w.owner);
}

/* The warnings a warning.ack or warning.release names: the one warning (active), or the
 * active ones of the ticket (none: an error). Fills ws (WARN_KIND_COUNT slots); -1 with
 * the error reply in out. */
static int
named(struct broker *b, const struct proto_request *req, bool has_w, int64_t wid,
    bool has_t, int64_t tid, struct bwarn **ws, size_t *n, struct proto_buf *out)
{
	struct proto_error_params e;

	*n = 0;
	if (req->user[0] == '\0')
		return broker_reply_error(out, req, PROTO_E_UNAUTHENTICATED,
		    "%s needs a user to own warnings", proto_descs[req->op].wire);
	if (has_w == has_t)
		return broker_reply_error(out, req, PROTO_E_BAD_REQUEST,
		    "give either warning or ticket");
	if (has_w) {
		struct bwarn *w = wid >= 1 && (uint64_t)wid <= b->n_warns ? b->warns[wid - 1] : NULL;
		if (w == NULL)
			return broker_reply_error_at(out, req, PROTO_E_NOT_FOUND, "warning",
			    "no warning %" PRId64, wid);
		if (w->w.cleared) {
			broker_err_init(&e, "warning_cleared");
			BERR_INT(&e, warning, w->w.id);
			return broker_reply_error_why(out, req, PROTO_E_INVALID_STATE, NULL, &e,
			    "warning %" PRId64 " was cleared", wid);
		}
		ws[(*n)++] = w;
		return 0;
	}
	struct bticket *t = broker_ticket(b, tid);
	if (t == NULL)
		return broker_reply_error_at(out, req, PROTO_E_NOT_FOUND, "ticket",
		    "no ticket %" PRId64, tid);
	for (int k = 0; k < WARN_KIND_COUNT; k++)
		if (t->warns[k] != NULL)
			ws[(*n)++] = t->warns[k];
	if (*n == 0) {
		broker_err_init(&e, "no_warning");
		BERR_INT(&e, ticket, tid);
		return broker_reply_error_why(out, req, PROTO_E_INVALID_STATE, NULL, &e,
		    "ticket %" PRId64 " has no active warning", tid);
	}
	return 0;
}

/* ---------------------------------------------------------------- the ops */

int
broker_op_warning_ack(struct broker *b, const struct peer *p, const struct proto_request *req,
    struct proto_buf *out)
{
	const struct proto_warning_ack *a = &req->args.warning_ack;
	struct bwarn *ws[WARN_KIND_COUNT];
	size_t n;
	int64_t now = broker_now(b);

	(void)p;
	if (named(b, req, PROTO_HAS(a, warning_ack, warning), a->warning,
	    PROTO_HAS(a, warning_ack, ticket), a->ticket, ws, &n, out) < 0)
		return -1;
	/* all or nothing: one warning owned by another user refuses the whole ack, so of two
	 * agents acknowledging at once the first owns them all and the second is told who */
	for (size_t i = 0; i < n; i++)
		if (owned(ws[i]) && strcmp(ws[i]->w.owner, req->user) != 0)
			return refuse_owned(out, req, ws[i]);
	presence_of(b, req->user, now)->seen = now;
	presence_of(b, req->user, now)->off = false;
	for (size_t i = 0; i < n; i++)
		if (!owned(ws[i]))     /* the owner's own ack again changes nothing */
			take(b, ws[i], req->user, now);
	watch_new(b);
	reply_warnings(out, req, ws, n);
	return 0;
}

int
broker_op_warning_release(struct broker *b, const struct peer *p,
    const struct proto_request *req, struct proto_buf *out)
{
	const struct proto_warning_release *a = &req->args.warning_release;
	struct bwarn *ws[WARN_KIND_COUNT];
	size_t n;
	int64_t now = broker_now(b);

	(void)p;
	if (named(b, req, PROTO_HAS(a, warning_release, warning), a->warning,
	    PROTO_HAS(a, warning_release, ticket), a->ticket, ws, &n, out) < 0)
		return -1;
	if (PROTO_HAS(a, warning_release, warning) && owned(ws[0]) &&
	    strcmp(ws[0]->w.owner, req->user) != 0)
		return refuse_owned(out, req, ws[0]);
	/* a ticket's: the user's own warnings; others' stay theirs */
	for (size_t i = 0; i < n; i++)
		if (owned(ws[i]) && strcmp(ws[i]->w.owner, req->user) == 0)
			let_go(b, ws[i], "warning_released", req->user, now);
	reply_warnings(out, req, ws, n);
	return 0;
}

int
broker_op_ticket_escalate(struct broker *b, const struct peer *p,
    const struct proto_request *req, struct proto_buf *out)
{
	const struct proto_escalate *a = &req->args.escalate;
	struct bticket *t = broker_ticket(b, a->id);
	bool clear = PROTO_HAS(a, escalate, clear) && a->clear;
	struct proto_error_params e;
	struct broker_why why;
	char detail[300];

	if (clear && !(p->roles & (BROKER_ROLE_BIT(SUPERVISOR) | BROKER_ROLE_BIT(SIM)))) {
		/* an escalation asks the supervisors: only they take it back */
		broker_auth_forbidden(b, p, "ticket.escalate", "clear");
		return broker_reply_error_at(out, req, PROTO_E_FORBIDDEN, "clear",
		    "only a supervisor may clear an escalation");
	}
	if (t == NULL)
		return broker_reply_error(out, req, PROTO_E_NOT_FOUND, "no ticket %" PRId64, a->id);
	if (ticket_state_final(t->state)) {
		broker_err_init(&e, "ticket_closed");
		BERR_INT(&e, ticket, t->w.id);
		BERR_STR(&e, state, ticket_state_name(t->state));
		return broker_reply_error_why(out, req, PROTO_E_INVALID_STATE, NULL, &e,
		    "ticket %" PRId64 " is %s and can no longer be changed", t->w.id,
		    ticket_state_name(t->state));
	}
	if (broker_blank(a->reason))
		return broker_reply_error_at(out, req, PROTO_E_BAD_REQUEST, "reason",
		    "a reason is required");
	if (clear) {
		if (!PROTO_HAS(&t->w, ticket, escalated)) {
			broker_err_init(&e, "not_escalated");
			BERR_INT(&e, ticket, t->w.id);
			return broker_reply_error_why(out, req, PROTO_E_INVALID_STATE, NULL, &e,
			    "ticket %" PRId64 " is not escalated", t->w.id);
		}
		t->w.present &= ~BTICKET_ESCALATE_KEYS;
		t->w.escalated = 0;
		t->w.escalated_by[0] = t->w.escalate_reason[0] = '\0';
		broker_why_init(&why, "escalate_clear");
		snprintf(detail, sizeof detail, "escalation cleared: %s", a->reason);
	} else {
		t->w.escalated = broker_now(b);
		PROTO_STRSET(t->w.escalated_by, req->user);
		PROTO_STRSET(t->w.escalate_reason, a->reason);
		t->w.present |= BTICKET_ESCALATE_KEYS;
		if (req->user[0] == '\0')
			t->w.present &= ~((uint64_t)1 << PROTO_ticket_escalated_by);
		broker_why_init(&why, "escalate");
		snprintf(detail, sizeof detail, "escalated to the supervisors: %s", a->reason);
	}
	if (req->user[0] != '\0')
		BWHY_STR(&why, by, req->user);
	BWHY_STR(&why, text, a->reason);
	broker_emit_ticket_why(b, t, clear ? EVENT_ESCALATE_CLEAR : EVENT_ESCALATE, req->user,
	    detail, &why);
	log_info("ticket %" PRId64 " %s by %s", t->w.id, clear ? "de-escalated" : "escalated",
	    req->user[0] ? req->user : "anonymous");
	broker_reply_ticket(out, req, t);
	return 0;
}

int
broker_op_presence(struct broker *b, const struct peer *p, const struct proto_request *req,
    struct proto_buf *out)
{
	const struct proto_presence *a = &req->args.presence;
	int64_t now = broker_now(b);
	bool on = strcmp(a->state, "on") == 0;
	struct bwarn **mine;
	size_t n = 0;

	(void)p;
	if (!on && strcmp(a->state, "off") != 0)
		return broker_reply_error_at(out, req, PROTO_E_BAD_REQUEST, "state",
		    "state must be on or off, not '%s'", a->state);
	if (req->user[0] == '\0')
		return broker_reply_error(out, req, PROTO_E_UNAUTHENTICATED,
		    "presence needs a user");
	struct presence *ps = presence_of(b, req->user, now);
	ps->seen = now;
	ps->off = !on;
	watch_new(b);
	mine = xcalloc(b->n_own_watch + 1, sizeof *mine);
	for (size_t i = 0; i < b->n_own_watch; i++) {
		struct bwarn *w = b->own_watch[i];
		if (w->w.cleared || !owned(w) || strcmp(w->w.owner, req->user) != 0)
			continue;
		if (on)
			mine[n++] = w;
		else if (broker_txn(b))
			let_go(b, w, "owner_gone", "", now);
	}
	reply_warnings(out, req, mine, n);
	free(mine);
	return 0;
}

/* ---------------------------------------------------------------- kpi, end */

void
broker_warn_kpi(struct broker *b, struct proto_kpi *k)
{
	watch_new(b);
	k->escalated = k->escalated_tickets = 0;
	for (size_t i = 0; i < b->n_own_watch; i++) {
		const struct bwarn *w = b->own_watch[i];
		k->escalated += !w->w.cleared && escalated(w);
	}
	for (size_t i = 0; i < b->n_tickets; i++) {
		const struct bticket *t = b->tickets[i];
		k->escalated_tickets += t != NULL && !ticket_state_final(t->state) &&
		    PROTO_HAS(&t->w, ticket, escalated) && t->w.escalated > 0;
	}
	PROTO_SET(k, kpi, escalated);
	PROTO_SET(k, kpi, escalated_tickets);
}

void
broker_warn_finish(struct broker *b)
{
	size_t pos = 0;
	const char *key;
	void *v;

	while (b->presence != NULL && hmap_next(b->presence, &pos, &key, &v))
		free(v);
	hmap_destroy(b->presence);
	free(b->own_watch);
}
