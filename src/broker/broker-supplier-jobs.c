/* broker-supplier-jobs.c: supplier.jobs (PROTOCOL.md 7.36), what one supplier's system
 * needs to do its work without the PUB stream (which its role may not use, section 2.5):
 * its trucks, the open tickets they hold or are offered (masked, as every ticket leaving
 * the broker: broker_pack_ticket), and for each ticket what the supplier must do next and
 * by when.
 *
 * The trucks are those whose supplier is the one asked for (role supplier: always its
 * own); the tickets are their jobs and their next jobs (chaining), so a ticket offered to
 * or held by another supplier's truck is never in the answer. A poll with since (the
 * previous answer's now) is answered unchanged when no truck of the supplier and no ticket
 * it lists was changed at or after since: every change of the list is a logged change of
 * one of its trucks (offer, release, status, next job), which sets the truck's updated.
 * Positions do not count (the supplier sent them).
 *
 * A truck moved to another supplier is no longer in its former supplier's trucks, and
 * nothing of that supplier's changed: broker-feed.c tells broker_supplier_jobs_gone
 * before the move, which keeps it in a ring of the last BROKER_GONE_MAX moves (memory
 * only: after a restart a supplier polls without since). A poll with since names the
 * supplier's trucks moved at or after since in "gone" and is no longer unchanged; a since
 * older than a move the ring has overwritten gets the whole answer (whose trucks are all
 * the supplier has). Reads the tables; changes nothing but the ring. */
#include "broker-int.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

struct sjob {
	const struct bticket *t;
	const struct btruck *k;
	bool next;               /* the truck's next job (after its current one) */
};

/* What the supplier must do next about ticket t held by (or offered to) truck k. */
static void
job_of(const struct sjob *s, struct proto_job *j)
{
	const struct bticket *t = s->t;

	memset(j, 0, sizeof *j);
	j->ticket = t->w.id;
	PROTO_STRSET(j->truck, s->k->w.id);
	if (s->next && s->k->job != NULL) {
		j->after = s->k->job->w.id;
		PROTO_SET(j, job, after);
	}
	switch (t->state) {
	case TICKET_DISPATCHED: /* answer the offer (offer.accept, offer.decline) by then */
		PROTO_STRSET(j->todo, "answer");
		j->due = t->w.offer_until;
		PROTO_SET(j, job, due);
		return;
	case TICKET_ACCEPTED:
		if (s->next) { /* finish the current job, then leave */
			PROTO_STRSET(j->todo, "after_job");
			return;
		}
		PROTO_STRSET(j->todo, "leave"); /* set en_route when the truck leaves */
		break;
	case TICKET_EN_ROUTE:
		PROTO_STRSET(j->todo, "arrive"); /* set on_scene on arrival */
		break;
	default: /* on scene or towing: set towing or completed */
		PROTO_STRSET(j->todo, "finish");
		return;
	}
	if (PROTO_HAS(&t->w, ticket, eta)) {
		j->due = t->w.eta;
		PROTO_SET(j, job, due);
	}
}

/* Ticket t (a truck's job or next job) if it is open and still that truck's. */
static bool
holds(const struct btruck *k, const struct bticket *t)
{
	return t != NULL && t->truck == k && !ticket_state_final(t->state) &&
	    t->state != TICKET_NEW;
}

void
broker_supplier_jobs_gone(struct broker *b, const struct btruck *k, int64_t now)
{
	struct bgone *g = &b->gone[b->n_gone % BROKER_GONE_MAX];

	if (b->n_gone >= BROKER_GONE_MAX)
		b->gone_lost = g->at;	/* a since at or before this may have missed it */
	PROTO_STRSET(g->truck, k->w.id);
	PROTO_STRSET(g->supplier, k->w.supplier);
	g->at = now;
	b->n_gone++;
}

/* The ring's moves off supplier sup at or after since, oldest first: into out (caller
 * frees), their number returned. */
static size_t
gone_since(const struct broker *b, const char *sup, int64_t since, const struct bgone ***out)
{
	uint64_t first = b->n_gone > BROKER_GONE_MAX ? b->n_gone - BROKER_GONE_MAX : 0;
	size_t n = 0;

	*out = NULL;
	for (uint64_t i = first; i < b->n_gone; i++) {
		const struct bgone *g = &b->gone[i % BROKER_GONE_MAX];
		if (g->at < since || strcmp(g->supplier, sup) != 0)
			continue;
		if (n == 0)
			*out = xcalloc(BROKER_GONE_MAX, sizeof **out);
		(*out)[n++] = g;
	}
	return n;
}

static bool
known_supplier(const struct broker *b, const char *id)
{
	for (size_t i = 0; i < b->n_sups; i++)
		if (strcmp(b->sups[i].d->id, id) == 0)
			return true;
	return false;
}

int
broker_op_supplier_jobs(struct broker *b, const struct peer *p,
    const struct proto_request *req, struct proto_buf *out)
{
	const struct proto_supplier_jobs *a = &req->args.supplier_jobs;
	const char *sup = broker_peer_supplier(p) ? p->supplier : a->supplier;
	bool has_since = PROTO_HAS(a, supplier_jobs, since);
	struct proto_sjobs h = { .now = broker_now(b), .present = PROTO_ALL };
	const struct btruck **trucks = NULL;
	const struct bgone **gone = NULL;
	struct sjob *jobs = NULL;
	size_t n_trucks = 0, n_jobs = 0, n_gone = 0, cap_trucks = 0, cap_jobs = 0;

	if (!broker_peer_supplier(p) &&
	    (!PROTO_HAS(a, supplier_jobs, supplier) || broker_blank(a->supplier)))
		return broker_reply_error_at(out, req, PROTO_E_BAD_REQUEST, "supplier",
		    "supplier: required (which supplier's jobs)");
	for (size_t i = 0; i < b->n_trucks; i++) {
		const struct btruck *k = b->trucks[i];
		if (strcmp(k->w.supplier, sup) != 0)
			continue;
		if (n_trucks == cap_trucks) {
			cap_trucks = cap_trucks ? cap_trucks * 2 : 16;
			trucks = xreallocarray(trucks, cap_trucks, sizeof *trucks);
		}
		trucks[n_trucks++] = k;
		if (has_since && k->w.updated >= a->since)
			has_since = false; /* changed: the whole answer */
		const struct bticket *both[2] = { k->job, k->next };
		for (int x = 0; x < 2; x++) {
			if (!holds(k, both[x]))
				continue;
			if (n_jobs == cap_jobs) {
				cap_jobs = cap_jobs ? cap_jobs * 2 : 16;
				jobs = xreallocarray(jobs, cap_jobs, sizeof *jobs);
			}
			jobs[n_jobs++] = (struct sjob){ both[x], k, x == 1 };
			if (has_since && both[x]->w.updated >= a->since)
				has_since = false;
		}
	}
	if (PROTO_HAS(a, supplier_jobs, since)) {
		n_gone = gone_since(b, sup, a->since, &gone);
		if (n_gone > 0 || (b->gone_lost > 0 && a->since <= b->gone_lost))
			has_since = false; /* a truck of its went: the whole answer */
	}
	if (n_trucks == 0 && n_gone == 0 && !known_supplier(b, sup)) {
		free(trucks);
		free(jobs);
		return broker_reply_error_at(out, req, PROTO_E_NOT_FOUND, "supplier",
		    "no supplier '%.32s' in the data or on the feed", sup);
	}
	PROTO_STRSET(h.supplier, sup);
	h.unchanged = has_since;
	if (h.unchanged)
		n_trucks = n_jobs = 0;
	proto_encode_reply_ok(out, req->cmd_id, "supplier.jobs");
	proto_pack_obj(out, PROTO_MSG_sjobs, &h, 4);
	proto_pack_str(out, "trucks");
	proto_pack_array(out, (uint32_t)n_trucks);
	for (size_t i = 0; i < n_trucks; i++)
		broker_pack_entity(out, PROTO_STREAM_TRUCK, &trucks[i]->w);
	proto_pack_str(out, "tickets");
	proto_pack_array(out, (uint32_t)n_jobs);
	for (size_t i = 0; i < n_jobs; i++)
		broker_pack_ticket(out, &jobs[i].t->w);
	proto_pack_str(out, "jobs");
	proto_pack_array(out, (uint32_t)n_jobs);
	for (size_t i = 0; i < n_jobs; i++) {
		struct proto_job j;
		job_of(&jobs[i], &j);
		proto_pack_obj(out, PROTO_MSG_job, &j, 0);
	}
	proto_pack_str(out, "gone");
	proto_pack_array(out, (uint32_t)n_gone);
	for (size_t i = 0; i < n_gone; i++) {
		struct proto_gone g = { .at = gone[i]->at, .present = PROTO_ALL };
		PROTO_STRSET(g.truck, gone[i]->truck);
		proto_pack_obj(out, PROTO_MSG_gone, &g, 0);
	}
	free(trucks);
	free(jobs);
	free(gone);
	if (out->len > PROTO_MAX_REPLY - 4096) { /* a client would drop it (ZMQ_MAXMSGSIZE) */
		proto_buf_reset(out);
		return broker_reply_error(out, req, PROTO_E_TOO_LARGE,
		    "the answer for supplier '%.32s' is over %d bytes", sup, PROTO_MAX_REPLY);
	}
	return 0;
}
