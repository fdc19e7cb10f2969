/* broker-vnum.c: the virtual numbers of rescues (PROTOCOL.md 8.1 `vnum`, 7.28
 * `ticket.call`; rescuedeskd(8) VIRTUAL NUMBERS). The pools come from data_dir/numbers.ini
 * (src/model/vnum.c; no file: nothing is bound). A ticket gets a number of its region when
 * it is first dispatched (its first offer, whoever chose the truck) and keeps it until it
 * closes; then the number rests the pool's grace before another rescue gets it. The
 * ticket keeps its `vnum` after the close, so the bindings are rebuilt from the tickets
 * after a restart and no table of their own is stored.
 *
 * Where it hooks in: broker-emit.c notes each ticket it publishes that is dispatched
 * without a number, or closed with one (b->vnum_due); the loop calls broker_vnum_settle
 * at the end of each turn, before the commit, so a binding or a release is in the batch
 * that dispatched or closed its ticket. A ticket whose region has no number free waits
 * (b->vnum_wait, oldest first) and gets the first number that frees; its `vnum_short`
 * event is logged once, and counted (broker_stats' vnum_short). While a ticket of a region
 * waits, the region has a `capacity` warning with `reason` "numbers" for the supervisors
 * (broker-capacity.c, called at the end of each settle).
 *
 * Calls broker-emit.c and broker-capacity.c. */
#include "broker-int.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"
#include "vnum.h"

static bool
region_known(void *user, const char *id)
{
	return data_region(user, id) != NULL;
}

static void
wait_push(struct broker *b, int64_t id)
{
	if (b->n_vnum_wait == b->cap_vnum_wait) {
		b->cap_vnum_wait = b->cap_vnum_wait ? 2 * b->cap_vnum_wait : 16;
		b->vnum_wait = xreallocarray(b->vnum_wait, b->cap_vnum_wait, sizeof *b->vnum_wait);
	}
	b->vnum_wait[b->n_vnum_wait++] = id;
}

int
broker_vnum_start(struct broker *b, char **cause)
{
	char *path, *why = NULL;

	xasprintf(&path, "%s/numbers.ini", b->data_dir);
	if (access(path, F_OK) != 0) {
		free(path);
		return 0;
	}
	if (vnum_pool_load(path, region_known, b->data, &b->vnum, &why) < 0) {
		xasprintf(cause, "virtual numbers:\n%s", why);
		free(why);
		free(path);
		return -1;
	}
	free(path);
	/* the bindings as the tickets left them */
	for (size_t i = 0; i < b->n_tickets; i++) {
		struct bticket *t = b->tickets[i];
		if (t == NULL)
			continue;
		bool closed = ticket_state_final(t->state);
		if (t->w.vnum[0] != '\0') {
			int r = closed ? vnum_restore_released(b->vnum, t->w.vnum, t->w.t_closed) :
			    vnum_restore_bound(b->vnum, t->w.vnum, t->w.id);
			if (r < 0 && !closed)
				log_warn("ticket %" PRId64 ": virtual number %s is in no pool of "
				    "numbers.ini now, or another ticket's", t->w.id, t->w.vnum);
		} else if (!closed && (t->truck != NULL || t->w.offers > 0)) {
			wait_push(b, t->w.id); /* dispatched before the pool had a number for it */
		}
	}
	size_t total = 0, bound = 0; /* broker time is not set yet: no resting count */
	for (size_t i = 0; i < b->data->n_regions; i++) {
		struct vnum_counts r = vnum_count(b->vnum, b->data->regions[i].id, 0);
		total += r.total;
		bound += r.bound;
	}
	log_info("virtual numbers: %zu, %zu bound, %zu waiting for one (grace %" PRId64 " s)",
	    total, bound, b->n_vnum_wait, vnum_pool_grace_ms(b->vnum) / 1000);
	return 0;
}

void
broker_vnum_finish(struct broker *b)
{
	vnum_pool_free(b->vnum);
	b->vnum = NULL;
	free(b->vnum_due);
	free(b->vnum_wait);
	b->vnum_due = b->vnum_wait = NULL;
	b->n_vnum_due = b->n_vnum_wait = b->cap_vnum_due = b->cap_vnum_wait = 0;
}

/* Bind a number to open ticket t at now: true if it has one now. When the region has
 * none free, t waits (its first time: the vnum_short event). */
static bool
bind(struct broker *b, struct bticket *t, int64_t now, bool waiting)
{
	char detail[160];
	struct broker_why w;
	const char *n = vnum_bind(b->vnum, t->w.region, t->w.id, now);

	if (n == NULL) {
		if (waiting)
			return false;
		struct vnum_counts c = vnum_count(b->vnum, t->w.region, now);
		b->st.vnum_short++;
		wait_push(b, t->w.id);
		snprintf(detail, sizeof detail, "no virtual number free in %s (%zu bound, %zu "
		    "resting): the ticket gets the next that frees", t->w.region, c.bound,
		    c.resting);
		broker_why_init(&w, "vnum_short");
		BWHY_STR(&w, region, t->w.region);
		if (c.next_free != INT64_MAX)
			BWHY_INT(&w, s, (c.next_free - now + 999) / 1000);
		log_warn("ticket %" PRId64 ": %s", t->w.id, detail);
		broker_emit_ticket_why(b, t, EVENT_VNUM_SHORT, "", detail, &w);
		return false;
	}
	PROTO_STRSET(t->w.vnum, n);
	PROTO_SET(&t->w, ticket, vnum);
	snprintf(detail, sizeof detail, "virtual number %s", n);
	broker_why_init(&w, "vnum_bind");
	BWHY_STR(&w, vnum, n);
	broker_emit_ticket_why(b, t, EVENT_VNUM_BIND, "", detail, &w);
	return true;
}

static void
release(struct broker *b, struct bticket *t, int64_t now)
{
	char detail[160];
	struct broker_why w;
	int64_t grace_s = vnum_pool_grace_ms(b->vnum) / 1000;

	if (vnum_release(b->vnum, t->w.vnum, t->w.id, now) < 0)
		return; /* released already, or never this ticket's */
	snprintf(detail, sizeof detail, "virtual number %s released: another rescue may get it "
	    "after %" PRId64 " s", t->w.vnum, grace_s);
	broker_why_init(&w, "vnum_release");
	BWHY_STR(&w, vnum, t->w.vnum);
	BWHY_INT(&w, s, grace_s);
	broker_emit_ticket_why(b, t, EVENT_VNUM_RELEASE, "", detail, &w);
}

void
broker_vnum_settle(struct broker *b)
{
	if (b->vnum == NULL || (b->n_vnum_due == 0 && b->n_vnum_wait == 0))
		return;
	int64_t now = broker_now(b);
	/* the releases first, so a number a close frees can serve a waiting ticket at once
	 * when there is no grace; b->vnum_due grows while this runs (the events below) */
	for (size_t i = 0; i < b->n_vnum_due; i++) {
		struct bticket *t = broker_ticket(b, b->vnum_due[i]);
		if (t != NULL && ticket_state_final(t->state) && t->w.vnum[0] != '\0')
			release(b, t, now);
	}
	/* the tickets waiting since earlier batches, oldest first */
	size_t kept = 0, n_wait = b->n_vnum_wait;
	for (size_t i = 0; i < n_wait; i++) {
		struct bticket *t = broker_ticket(b, b->vnum_wait[i]);
		if (t == NULL || ticket_state_final(t->state) || t->w.vnum[0] != '\0' ||
		    bind(b, t, now, true))
			continue;
		b->vnum_wait[kept++] = b->vnum_wait[i];
	}
	if (kept < n_wait) { /* (never memmove from NULL: nothing waits, no array yet) */
		memmove(b->vnum_wait + kept, b->vnum_wait + n_wait,
		    (b->n_vnum_wait - n_wait) * sizeof *b->vnum_wait);
		b->n_vnum_wait -= n_wait - kept;
	}
	for (size_t i = 0; i < b->n_vnum_due; i++) {
		struct bticket *t = broker_ticket(b, b->vnum_due[i]);
		if (t != NULL && !ticket_state_final(t->state) && t->truck != NULL &&
		    t->w.vnum[0] == '\0') {
			bool waits = false;
			for (size_t j = 0; j < b->n_vnum_wait && !waits; j++)
				waits = b->vnum_wait[j] == t->w.id;
			if (!waits)
				bind(b, t, now, false);
		}
	}
	b->n_vnum_due = 0;
	broker_capacity_numbers(b, now); /* the region's warning, in this batch */
}

int
broker_op_ticket_call(struct broker *b, const struct peer *p, const struct proto_request *req,
    struct proto_buf *out)
{
	const struct proto_ticket_call *a = &req->args.ticket_call;
	struct bticket *t = broker_ticket(b, a->id);
	struct proto_error_params e;
	struct broker_why w;
	char detail[160];
	int64_t now = broker_now(b);

	(void)p;
	if (t == NULL)
		return broker_reply_error(out, req, PROTO_E_NOT_FOUND, "no ticket %" PRId64, a->id);
	if (t->w.vnum[0] == '\0') {
		broker_err_init(&e, "no_vnum");
		BERR_INT(&e, ticket, t->w.id);
		return broker_reply_error_why(out, req, PROTO_E_INVALID_STATE, NULL, &e,
		    "ticket %" PRId64 " has no virtual number", t->w.id);
	}
	/* after its grace a closed rescue's number may be another customer's */
	if (ticket_state_final(t->state) && (b->vnum == NULL ||
	    now >= t->w.t_closed + vnum_pool_grace_ms(b->vnum))) {
		broker_err_init(&e, "vnum_expired");
		BERR_INT(&e, ticket, t->w.id);
		return broker_reply_error_why(out, req, PROTO_E_INVALID_STATE, NULL, &e,
		    "ticket %" PRId64 " closed too long ago: its virtual number may be another "
		    "rescue's", t->w.id);
	}
	snprintf(detail, sizeof detail, "called the customer through %s", t->w.vnum);
	broker_why_init(&w, "call");
	BWHY_STR(&w, vnum, t->w.vnum);
	BWHY_STR(&w, by, req->user);
	broker_emit_ticket_why(b, t, EVENT_CALL, req->user, detail, &w);
	broker_reply_ticket(out, req, t);
	return 0;
}
