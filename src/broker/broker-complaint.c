/* broker-complaint.c: the central copy of the consoles' complaints: complaint.put
 * (PROTOCOL.md 7.22), a row of the op table (broker-ops.c), and the complaint stream's
 * table (uid -> its current version), which the two storage switches (broker-state.c,
 * broker.c) read and fill.
 *
 * A console saves a complaint in its own file first and sends every saved version through
 * its outbox until the broker acknowledges it. The broker keeps each acknowledged (uid,
 * version) for good in the store (schema 4), not in the 600 s reply cache, so a resend at
 * any time gets the same answer; a version made from another base than the one stored is a
 * conflict that names the stored version and who saved it, never an overwrite. The record
 * is the model's text form (complaint_encode): the broker decodes it to check it and to
 * read the keys and due times it publishes, and stores it as it came.
 *
 * Who may change what (issue 11): the broker compares each version with the one it holds
 * (complaint_may_change): an extension, or a goodwill payment past the agent's limit,
 * needs the sender to be a supervisor (or the simulator), and an approval changed in this
 * version must be recorded under the sender's own user, so a name typed for someone else
 * is refused; a masked value sent back over the raw one is refused too. The stream and
 * snapshots carry every record masked (complaint_masked: PROTOCOL.md 8.7); complaint.get
 * (7.31) hands out the raw record from the store and logs who fetched it.
 * Calls broker-emit.c. */
#include "broker-int.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "complaint.h"
#include "util.h"

struct bcomplaint {
	struct proto_complaint w;
	bool final;
};

/* The complaint data (clock policy, holidays), loaded at first use; NULL: the defaults. */
static const struct complaint_data *
cdata(struct broker *b)
{
	if (!b->cdata_tried) {
		char *why = NULL;
		b->cdata_tried = true;
		b->cdata = data_complaints_load(b->data_dir, &why);
		if (b->cdata == NULL)
			log_warn("complaint data: %s; complaint clocks use the default policy",
			    why ? why : "?");
		free(why);
	}
	return b->cdata;
}

/* The record as subscribers see it: masked (a record that does not decode, from a store
 * of another build, goes out empty rather than raw). */
static void
mask_record(struct proto_complaint *w)
{
	struct complaint *c = complaint_decode(w->record), *m;
	char *text;

	if (c == NULL) {
		w->record[0] = '\0';
		return;
	}
	m = complaint_masked(c);
	text = complaint_encode(m);
	PROTO_STRSET(w->record, text);
	free(text);
	complaint_free(m);
	complaint_free(c);
}

/* The entity w becomes uid's current one, its record masked (also for entities read
 * from a store written before masking). */
static void
put_entity(struct broker *b, const struct proto_complaint *w)
{
	if (b->complaints == NULL)
		b->complaints = hmap_create();
	struct bcomplaint *c = hmap_get(b->complaints, w->uid);
	if (c == NULL) {
		c = xcalloc(1, sizeof *c);
		c->w = *w;
		hmap_put(b->complaints, c->w.uid, c);
	} else {
		c->w = *w;
	}
	mask_record(&c->w);
	int s = complaint_state_from_name(c->w.state);
	c->final = s >= 0 && complaint_state_final((enum complaint_state)s);
}

void
broker_complaint_load(struct broker *b, const struct proto_complaint *w)
{
	put_entity(b, w);
}

void
broker_complaints_relink(struct broker *b)
{
	size_t pos = 0;
	const char *k;
	void *v;

	while (b->complaints != NULL && hmap_next(b->complaints, &pos, &k, &v))
		((struct bcomplaint *)v)->w.ver = 0; /* vers belong to the old epoch */
}

static int
cmp_complaint(const void *x, const void *y)
{
	const struct proto_complaint *a = *(const struct proto_complaint *const *)x;
	const struct proto_complaint *c = *(const struct proto_complaint *const *)y;
	if (a->received != c->received)
		return a->received < c->received ? -1 : 1;
	return strcmp(a->uid, c->uid);
}

const void **
broker_complaint_entities(const struct broker *b, bool live, int64_t now, size_t *n)
{
	size_t cap = b->complaints ? hmap_count(b->complaints) : 0, pos = 0;
	const void **list = xcalloc(cap + 1, sizeof *list);
	const char *k;
	void *v;

	*n = 0;
	while (b->complaints != NULL && hmap_next(b->complaints, &pos, &k, &v)) {
		const struct bcomplaint *c = v;
		if (live && c->final &&
		    now - c->w.saved_at > (int64_t)b->opts.keep_closed_min * 60000)
			continue;
		list[(*n)++] = &c->w;
	}
	qsort(list, *n, sizeof *list, cmp_complaint);
	return list;
}

void
broker_complaints_finish(struct broker *b)
{
	size_t pos = 0;
	const char *k;
	void *v;

	while (b->complaints != NULL && hmap_next(b->complaints, &pos, &k, &v))
		free(v);
	hmap_destroy(b->complaints);
	b->complaints = NULL;
	complaint_data_free(b->cdata);
	b->cdata = NULL;
}

static void
reply_ack(struct proto_buf *out, const struct proto_request *req, const char *uid,
    const struct store_complaint *sc)
{
	struct proto_complaint_ack a = { .version = sc->version, .saved_at = sc->saved_at };

	PROTO_STRSET(a.uid, uid);
	PROTO_SET(&a, complaint_ack, uid);
	PROTO_SET(&a, complaint_ack, version);
	PROTO_SET(&a, complaint_ack, saved_at);
	if (sc->saved_by[0]) {
		PROTO_STRSET(a.saved_by, sc->saved_by);
		PROTO_SET(&a, complaint_ack, saved_by);
	}
	proto_encode_reply_ok(out, req->cmd_id, "complaint.put");
	proto_pack_obj(out, PROTO_MSG_complaint_ack, &a, 0);
}

/* The entity of a decoded record: its keys, and the due time of each running clock. */
static void
entity_of(struct broker *b, const struct complaint *c, const struct proto_request *req,
    const struct store_complaint *sc, struct proto_complaint *w)
{
	struct complaint_clock clocks[COMPLAINT_CLOCK_COUNT];
	int64_t *due[COMPLAINT_CLOCK_COUNT] = {
		[COMPLAINT_CLOCK_ACK] = &w->ack_due,
		[COMPLAINT_CLOCK_UPDATE] = &w->update_due,
		[COMPLAINT_CLOCK_DECISION] = &w->decision_due,
		[COMPLAINT_CLOCK_REVIEW_WINDOW] = &w->review_window_due,
		[COMPLAINT_CLOCK_REVIEW_DECISION] = &w->review_decision_due,
	};
	const int due_key[COMPLAINT_CLOCK_COUNT] = {
		[COMPLAINT_CLOCK_ACK] = PROTO_complaint_ack_due,
		[COMPLAINT_CLOCK_UPDATE] = PROTO_complaint_update_due,
		[COMPLAINT_CLOCK_DECISION] = PROTO_complaint_decision_due,
		[COMPLAINT_CLOCK_REVIEW_WINDOW] = PROTO_complaint_review_window_due,
		[COMPLAINT_CLOCK_REVIEW_DECISION] = PROTO_complaint_review_decision_due,
	};

	memset(w, 0, sizeof *w);
	PROTO_STRSET(w->uid, req->args.complaint_put.uid);
	w->version = sc->version;
	PROTO_STRSET(w->state, complaint_state_name((enum complaint_state)c->state));
	w->saved_at = sc->saved_at;
	PROTO_STRSET(w->record, req->args.complaint_put.record);
	w->present = (uint64_t)1 << PROTO_complaint_uid | (uint64_t)1 << PROTO_complaint_version |
	    (uint64_t)1 << PROTO_complaint_state | (uint64_t)1 << PROTO_complaint_saved_at |
	    (uint64_t)1 << PROTO_complaint_record;
	if (c->number && c->number[0]) {
		PROTO_STRSET(w->number, c->number);
		PROTO_SET(w, complaint, number);
	}
	if (c->handler && c->handler[0]) {
		PROTO_STRSET(w->handler, c->handler);
		PROTO_SET(w, complaint, handler);
	}
	if (c->supplier && c->supplier[0]) {
		PROTO_STRSET(w->supplier, c->supplier);
		PROTO_SET(w, complaint, supplier);
	}
	if (c->received_at > 0) {
		w->received = c->received_at;
		PROTO_SET(w, complaint, received);
	}
	if (sc->saved_by[0]) {
		PROTO_STRSET(w->saved_by, sc->saved_by);
		PROTO_SET(w, complaint, saved_by);
	}
	complaint_clocks(c, cdata(b), sc->saved_at, clocks);
	for (int k = 0; k < COMPLAINT_CLOCK_COUNT; k++)
		if (clocks[k].status != COMPLAINT_CLOCK_OFF && clocks[k].due > 0) {
			*due[k] = clocks[k].due;
			w->present |= (uint64_t)1 << due_key[k];
		}
}

/* The role a console acts in for complaint_may_change: supervisors and the simulator
 * approve; every other role as an agent. */
static enum complaint_role
role_of(const struct peer *p)
{
	return p->roles & (BROKER_ROLE_BIT(SUPERVISOR) | BROKER_ROLE_BIT(SIM)) ?
	    COMPLAINT_ROLE_SUPERVISOR : COMPLAINT_ROLE_AGENT;
}

/* Whether p may make the change from the stored version (stored: there is one) to c: 0,
 * or -1 with the refusal in out (forbidden for an approval, bad_request for a masked
 * value sent back; both name the field in params). */
static int
refuse_change(struct broker *b, const struct peer *p, const struct proto_request *req,
    struct proto_buf *out, const struct complaint *c, bool stored)
{
	const char *uid = req->args.complaint_put.uid;
	struct complaint *old = NULL;
	struct complaint_need need;
	struct proto_error_params e;
	char *raw = NULL;

	if (stored) {
		int r = store_complaint_record(b->store, uid, &raw);
		if (r < 0)
			return broker_reply_error(out, req, PROTO_E_INTERNAL, "store: %s",
			    store_errmsg(b->store));
		old = raw != NULL ? complaint_decode(raw) : NULL;
		free(raw);
	}
	int rc = complaint_may_change(old, c, cdata(b), role_of(p), p->user, &need);
	complaint_free(old);
	if (rc == COMPLAINT_OK)
		return 0;
	const char *field = complaint_field_info(need.field)->name;
	switch (rc) {
	case COMPLAINT_E_MASKED:
		broker_err_init(&e, "complaint_masked");
		BERR_STR(&e, name, field);
		return broker_reply_error_why(out, req, PROTO_E_BAD_REQUEST, "record", &e,
		    "complaint %s: %s holds the masked form of the stored value", uid, field);
	case COMPLAINT_E_NEEDS_SUPERVISOR:
		broker_err_init(&e, "complaint_approval");
		BERR_STR(&e, name, field);
		BERR_STR(&e, need, complaint_role_name(need.role));
		if (need.field == CF_goodwill)
			BERR_INT(&e, limit, need.limit);
		log_info("complaint %s: %s refused to %s: needs a %s", uid, field,
		    p->user[0] ? p->user : "-", complaint_role_name(need.role));
		return broker_reply_error_why(out, req, PROTO_E_FORBIDDEN, "record", &e,
		    "complaint %s: %s needs a %s", uid, field, complaint_role_name(need.role));
	default:
		broker_err_init(&e, "complaint_approver");
		BERR_STR(&e, name, field);
		BERR_STR(&e, by, p->user);
		if (rc == COMPLAINT_E_APPROVER_ROLE)
			BERR_STR(&e, need, complaint_role_name(role_of(p)));
		log_info("complaint %s: %s refused to %s: not its own approval", uid, field,
		    p->user[0] ? p->user : "-");
		return broker_reply_error_why(out, req, PROTO_E_FORBIDDEN, "record", &e,
		    "complaint %s: %s must name the sender's own %s", uid, field,
		    rc == COMPLAINT_E_APPROVER_ROLE ? "role" : "user");
	}
}

int
broker_op_complaint_put(struct broker *b, const struct peer *p,
    const struct proto_request *req, struct proto_buf *out)
{
	const struct proto_complaint_put *a = &req->args.complaint_put;
	int64_t base = PROTO_HAS(a, complaint_put, base) ? a->base : a->version - 1;
	struct store_complaint sc, cur;
	struct proto_error_params e;

	if (base >= a->version)
		return broker_reply_error_at(out, req, PROTO_E_BAD_REQUEST, "base",
		    "base %" PRId64 " is not below version %" PRId64, base, a->version);
	/* Acknowledged before, at any time: the same answer again, whatever came since. The
	 * same (uid, version) with another record is another console's edit: a conflict. */
	int r = store_complaint_acked(b->store, a->uid, a->version, a->record, &sc);
	if (r < 0)
		return broker_reply_error(out, req, PROTO_E_INTERNAL, "store: %s",
		    store_errmsg(b->store));
	if (r == 1 && sc.same) {
		reply_ack(out, req, a->uid, &sc);
		return 0;
	}
	struct complaint *c = complaint_decode(a->record);
	if (c == NULL)
		return broker_reply_error_at(out, req, PROTO_E_BAD_REQUEST, "record",
		    "record is not a complaint's text form");
	if (strcmp(c->uid ? c->uid : "", a->uid) != 0 || c->version != a->version) {
		complaint_free(c);
		return broker_reply_error_at(out, req, PROTO_E_BAD_REQUEST, "record",
		    "record is not uid %s version %" PRId64, a->uid, a->version);
	}
	r = store_complaint_get(b->store, a->uid, &cur);
	if (r < 0) {
		complaint_free(c);
		return broker_reply_error(out, req, PROTO_E_INTERNAL, "store: %s",
		    store_errmsg(b->store));
	}
	if (r == 0)
		memset(&cur, 0, sizeof cur);
	if (cur.version != base) {
		complaint_free(c);
		broker_err_init(&e, "complaint_version");
		BERR_INT(&e, version, cur.version);
		if (cur.saved_by[0])
			BERR_STR(&e, by, cur.saved_by);
		if (r == 1)
			BERR_INT(&e, at, cur.saved_at);
		return broker_reply_error_why(out, req, PROTO_E_CONFLICT, "base", &e,
		    "complaint %s is at version %" PRId64 "%s%s, not %" PRId64, a->uid,
		    cur.version, cur.saved_by[0] ? " saved by " : "", cur.saved_by, base);
	}
	if (refuse_change(b, p, req, out, c, r == 1) != 0) {
		complaint_free(c);
		return -1;
	}
	memset(&sc, 0, sizeof sc);
	sc.version = a->version;
	PROTO_STRSET(sc.saved_by, p->user);
	sc.saved_at = broker_now(b);
	if (!broker_txn(b) || store_complaint_put(b->store, a->uid, &sc, a->record) < 0) {
		complaint_free(c);
		if (!b->fatal)
			log_error("store: %s", store_errmsg(b->store));
		b->fatal = true;
		return broker_reply_error(out, req, PROTO_E_UNAVAILABLE, "store failed");
	}
	struct proto_complaint *w = xmalloc(sizeof *w);
	entity_of(b, c, req, &sc, w);
	complaint_free(c);
	put_entity(b, w);
	free(w);
	struct bcomplaint *bc = hmap_get(b->complaints, a->uid);
	broker_emit_complaint(b, &bc->w, p->user);
	reply_ack(out, req, a->uid, &sc);
	return 0;
}

int
broker_op_complaint_get(struct broker *b, const struct peer *p,
    const struct proto_request *req, struct proto_buf *out)
{
	const char *uid = req->args.complaint_get.uid;
	struct bcomplaint *bc = b->complaints != NULL ? hmap_get(b->complaints, uid) : NULL;
	char *raw = NULL;
	int r;

	if (bc == NULL)
		return broker_reply_error_at(out, req, PROTO_E_NOT_FOUND, "uid",
		    "no complaint %s", uid);
	if ((r = store_complaint_record(b->store, uid, &raw)) <= 0)
		return broker_reply_error(out, req, PROTO_E_INTERNAL, "store: %s",
		    r < 0 ? store_errmsg(b->store) : "complaint not stored");
	struct proto_complaint *w = xmalloc(sizeof *w);
	*w = bc->w;
	PROTO_STRSET(w->record, raw);
	free(raw);
	broker_record_complaint_fetch(b, &bc->w, p->user);
	log_info("complaint %s version %" PRId64 " fetched raw by %s", uid, w->version,
	    p->user[0] ? p->user : "-");
	proto_encode_reply_ok(out, req->cmd_id, "complaint.get");
	proto_pack_map(out, 1);
	proto_pack_str(out, "complaints");
	proto_pack_array(out, 1);
	proto_pack_obj(out, PROTO_MSG_complaint, w, 0);
	free(w);
	return 0;
}
