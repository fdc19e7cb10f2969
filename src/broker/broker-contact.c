/* broker-contact.c: customers' personal data at the broker: ticket.contact (the raw
 * customer and phone of one ticket, audited; PROTOCOL.md 7.30) and retention (rescuedeskd
 * --retention-days: the person erased from tickets closed long enough ago; 8.1).
 *
 * Everything else that leaves the broker carries a ticket masked (broker_pack_ticket in
 * broker-emit.c); this file is where the raw values go out, one ticket and one logged
 * lookup at a time. Every lookup is an event "contact" (who, why; never the number) logged
 * in the batch, and the answer is queued like every reply: it is sent only after the
 * commit, so no one has the number without the record of it.
 *
 * Retention runs from the loop's tick in slices (RETENTION_LOOK tickets looked at, at most
 * RETENTION_ERASE erased, per tick): a ticket closed more than the setting's days before
 * broker time loses customer, phone, plate, address, landmark and free text
 * (ticket_erase_personal, ticket_erase_event: the pure rules) in memory, in every event of
 * its log (body, params, detail), in the checkpoint, and in any cached reply that still
 * holds its plate or address; then one event "erased" says so. The store runs with
 * secure_delete, so the old bytes do not stay in the file's free pages.
 *
 * A row of the op table and a hook of the tick; calls broker-state.c and broker-emit.c. */
#include "broker-int.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

#define RETENTION_LOOK 1024   /* tickets one tick looks at, at most */
#define RETENTION_ERASE 16    /* tickets one tick erases, at most */
#define RETENTION_REST_MS 60000 /* after a whole pass, broker time before the next */
#define DAY_MS 86400000LL

/* ---- ticket.contact ---- */

int
broker_op_contact(struct broker *b, const struct peer *p, const struct proto_request *req,
    struct proto_buf *out)
{
	const struct proto_ticket_contact *a = &req->args.ticket_contact;
	struct bticket *t = broker_ticket(b, a->id);
	struct proto_contact_result r = { .present = PROTO_ALL };
	struct broker_why why;
	char detail[320];
	bool reason = PROTO_HAS(a, ticket_contact, reason) && !broker_blank(a->reason);

	if (t == NULL)
		return broker_reply_error(out, req, PROTO_E_NOT_FOUND, "no ticket %" PRId64, a->id);
	broker_why_init(&why, "contact");
	BWHY_STR(&why, by, p->user);
	if (reason)
		BWHY_STR(&why, text, a->reason);
	snprintf(detail, sizeof detail, "contact looked up by %s%s%s", p->user[0] ? p->user :
	    "anonymous", reason ? ": " : "", reason ? a->reason : "");
	broker_record_ticket(b, t, EVENT_CONTACT, p->user, detail, &why);
	if (b->fatal)
		return broker_reply_error(out, req, PROTO_E_INTERNAL, "the lookup could not be "
		    "logged");
	r.id = t->w.id;
	PROTO_STRSET(r.customer, t->w.customer);
	PROTO_STRSET(r.phone, t->w.phone);
	r.erased = ticket_personal_erased(&t->w);
	if (!r.erased)
		r.present &= ~((uint64_t)1 << PROTO_contact_result_erased);
	proto_encode_reply_ok(out, req->cmd_id, "ticket.contact");
	proto_pack_obj(out, PROTO_MSG_contact_result, &r, 0);
	return 0;
}

/* ---- retention ---- */

struct rewrite {
	int64_t id;
	char *detail;
	struct proto_buf body, params;
	bool has_params;
};

struct erase_ctx {
	struct rewrite *rw;
	size_t n, cap;
	char cause[200];
};

/* Each event of the ticket, erased as ticket_erase_personal and ticket_erase_event say. */
static int
erase_cb(void *vctx, const struct store_event *ev)
{
	struct erase_ctx *c = vctx;
	struct proto_ticket w;
	struct proto_event_params prm;
	struct proto_error err;
	bool has_params = ev->params != NULL && ev->params_len > 0;

	if (proto_decode_msg(ev->body, ev->body_len, PROTO_MSG_ticket, &w, &err) < 0) {
		snprintf(c->cause, sizeof c->cause, "event %" PRId64 ": %.150s", ev->id,
		    err.message);
		return -1;
	}
	if (has_params && proto_decode_msg(ev->params, ev->params_len, PROTO_MSG_event_params,
	    &prm, &err) < 0)
		has_params = false; /* unreadable: dropped whole, the code stays */
	ticket_erase_personal(&w);
	bool gone = ticket_erase_event(ev->kind, has_params ? &prm : NULL) ||
	    (ev->params != NULL && ev->params_len > 0 && !has_params);
	if (c->n == c->cap) {
		c->cap = c->cap ? 2 * c->cap : 32;
		c->rw = xreallocarray(c->rw, c->cap, sizeof *c->rw);
	}
	struct rewrite *r = &c->rw[c->n++];
	r->id = ev->id;
	r->detail = xstrdup(gone ? "" : ev->detail);
	r->has_params = has_params;
	proto_buf_init(&r->body);
	proto_pack_obj(&r->body, PROTO_MSG_ticket, &w, 0);
	proto_buf_init(&r->params);
	if (has_params)
		proto_pack_obj(&r->params, PROTO_MSG_event_params, &prm, 0);
	return 0;
}

static void
erase_ctx_finish(struct erase_ctx *c)
{
	for (size_t i = 0; i < c->n; i++) {
		free(c->rw[i].detail);
		proto_buf_finish(&c->rw[i].body);
		proto_buf_finish(&c->rw[i].params);
	}
	free(c->rw);
}

/* Erase t's person everywhere the broker keeps it; false (b->fatal) on a store error. */
static bool
erase_ticket(struct broker *b, struct bticket *t, int days)
{
	struct erase_ctx c = { 0 };
	char id[24], plate[sizeof t->w.plate], address[sizeof t->w.address], detail[96];
	struct broker_why why;
	struct proto_buf blob;
	bool ok = true;

	if (!broker_txn(b))
		return false;
	snprintf(id, sizeof id, "%" PRId64, t->w.id);
	rd_strlcpy(plate, t->w.plate, sizeof plate);
	rd_strlcpy(address, t->w.address, sizeof address);
	if (store_events_of(b->store, "ticket", id, erase_cb, &c) < 0) {
		log_error("retention: ticket %s: %s", id, c.cause[0] ? c.cause :
		    store_errmsg(b->store));
		ok = false;
	}
	for (size_t i = 0; ok && i < c.n; i++) {
		struct rewrite *r = &c.rw[i];
		if (store_event_rewrite(b->store, r->id, r->detail, r->body.data, r->body.len,
		    r->has_params ? r->params.data : NULL, r->params.len) < 0)
			ok = false;
	}
	erase_ctx_finish(&c);
	ticket_erase_personal(&t->w);
	proto_buf_init(&blob);
	proto_pack_obj(&blob, PROTO_MSG_ticket, &t->w, 0);
	if (ok && (store_checkpoint_rewrite(b->store, "ticket", id, blob.data, blob.len) < 0 ||
	    store_reply_forget(b->store, plate) < 0 || store_reply_forget(b->store, address) < 0))
		ok = false;
	proto_buf_finish(&blob);
	if (!ok) {
		log_error("retention: ticket %s: %s", id, store_errmsg(b->store));
		b->fatal = true;
		return false;
	}
	broker_why_init(&why, "erased");
	snprintf(detail, sizeof detail, "personal data erased, %d days after the close", days);
	broker_record_ticket(b, t, EVENT_ERASED, "broker", detail, &why);
	b->retention_erased++;
	return !b->fatal;
}

void
broker_retention_tick(struct broker *b, int64_t now)
{
	int days = b->opts.retention_days;
	size_t looked = 0, erased = 0;

	if (days <= 0 || b->n_tickets == 0 || now < b->retention_rest)
		return;
	while (looked < RETENTION_LOOK && erased < RETENTION_ERASE) {
		if (b->retention_at >= b->n_tickets) {
			/* a whole pass: rest a minute of broker time */
			b->retention_at = 0;
			b->retention_rest = now + RETENTION_REST_MS;
			break;
		}
		struct bticket *t = b->tickets[b->retention_at];
		looked++;
		if (t != NULL && ticket_state_final(t->state) &&
		    PROTO_HAS(&t->w, ticket, t_closed) &&
		    t->w.t_closed + (int64_t)days * DAY_MS < now &&
		    !ticket_personal_erased(&t->w)) {
			if (!erase_ticket(b, t, days))
				return;
			erased++;
		}
		b->retention_at++;
	}
	if (erased > 0)
		log_info("retention: %zu tickets closed over %d days ago erased", erased, days);
}
