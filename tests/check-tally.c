/* check-tally.c: the boards' and reports' fold (src/model/tally.c).
 *
 *   - tables: each figure from a few hand-made events (offer, accept and its time, decline,
 *     time-out, arrival on time and late, the range's edges, a truck placed by
 *     tally_know_truck or by no one, an ack in time or not, a complaint's first version
 *     only, who took a call), and the share and mean helpers;
 *   - a generated day of 600 tickets (offers declined, timed out and accepted by trucks of
 *     five suppliers, arrivals, calls by six agents, acks, complaints, with events before
 *     and after the range): the fold's figures equal those counted straight from the
 *     generator's stories, a computation that never looks at the events. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check-main.h"
#include "complaint.h"
#include "proto.h"
#include "rng.h"
#include "tally.h"
#include "util.h"

#define T0 1773072000000LL /* 2026-03-10 00:00 China time */
#define H 3600000LL
#define MIN 60000LL

/* ---------------------------------------------------------------- event making */

struct ev {
	int64_t ts;
	int seq;                /* order of making: ties keep it, as ids do */
	char stream[16], entity[24], kind[16], code[24], user[33];
	char *body, *params;
	size_t body_len, params_len;
};

static struct ev *evs;
static size_t n_evs, cap_evs;
static int seq_evs;

static void
evs_reset(void)
{
	for (size_t i = 0; i < n_evs; i++) {
		free(evs[i].body);
		free(evs[i].params);
	}
	free(evs);
	evs = NULL;
	n_evs = cap_evs = 0;
	seq_evs = 0;
}

static struct ev *
ev_new(int64_t ts, const char *stream, const char *entity, const char *kind, const char *user)
{
	if (n_evs == cap_evs) {
		cap_evs = cap_evs ? 2 * cap_evs : 256;
		evs = xreallocarray(evs, cap_evs, sizeof *evs);
	}
	struct ev *e = &evs[n_evs++];
	memset(e, 0, sizeof *e);
	e->ts = ts;
	e->seq = seq_evs++;
	rd_strlcpy(e->stream, stream, sizeof e->stream);
	rd_strlcpy(e->entity, entity, sizeof e->entity);
	rd_strlcpy(e->kind, kind, sizeof e->kind);
	rd_strlcpy(e->code, kind, sizeof e->code);
	rd_strlcpy(e->user, user, sizeof e->user);
	return e;
}

static char *
pack(enum proto_msg_id m, const void *msg, size_t *len)
{
	struct proto_buf b;
	proto_buf_init(&b);
	proto_pack_obj(&b, m, msg, 0);
	return proto_buf_take(&b, len);
}

static void
ev_params(struct ev *e, const struct proto_event_params *p)
{
	e->params = pack(PROTO_MSG_event_params, p, &e->params_len);
}

static struct proto_ticket
ticket_at(int64_t id, int64_t created, int64_t promised, const char *by, const char *truck)
{
	struct proto_ticket t;
	memset(&t, 0, sizeof t);
	t.present = PROTO_ALL;
	t.id = id;
	rd_strlcpy(t.state, "new", sizeof t.state);
	rd_strlcpy(t.region, "city", sizeof t.region);
	rd_strlcpy(t.fault, "battery", sizeof t.fault);
	t.created = created;
	t.promised = promised;
	t.updated = created;
	rd_strlcpy(t.created_by, by, sizeof t.created_by);
	rd_strlcpy(t.truck, truck, sizeof t.truck);
	return t;
}

static void
e_created(int64_t ts, int64_t id, const char *by, const char *user, int64_t promised)
{
	char ent[24];
	snprintf(ent, sizeof ent, "%lld", (long long)id);
	struct ev *e = ev_new(ts, "ticket", ent, "created", user);
	struct proto_ticket t = ticket_at(id, ts, promised, by, "");
	if (by[0] == '\0')
		t.present &= ~((uint64_t)1 << PROTO_ticket_created_by);
	e->body = pack(PROTO_MSG_ticket, &t, &e->body_len);
}

static void
e_truck_ev(int64_t ts, int64_t id, const char *kind, const char *truck, const char *supplier)
{
	char ent[24];
	snprintf(ent, sizeof ent, "%lld", (long long)id);
	struct ev *e = ev_new(ts, "ticket", ent, kind, "");
	struct proto_event_params p;
	memset(&p, 0, sizeof p);
	rd_strlcpy(p.truck, truck, sizeof p.truck);
	PROTO_SET(&p, event_params, truck);
	if (supplier != NULL) {
		rd_strlcpy(p.supplier, supplier, sizeof p.supplier);
		PROTO_SET(&p, event_params, supplier);
	}
	ev_params(e, &p);
}

static void
e_on_scene(int64_t ts, int64_t id, int64_t created, int64_t promised, const char *truck)
{
	char ent[24];
	snprintf(ent, sizeof ent, "%lld", (long long)id);
	struct ev *e = ev_new(ts, "ticket", ent, "state", "sup");
	struct proto_event_params p;
	memset(&p, 0, sizeof p);
	rd_strlcpy(p.state, "on_scene", sizeof p.state);
	PROTO_SET(&p, event_params, state);
	ev_params(e, &p);
	struct proto_ticket t = ticket_at(id, created, promised, "x", truck);
	t.t_on_scene = ts;
	e->body = pack(PROTO_MSG_ticket, &t, &e->body_len);
}

static void
e_owned(int64_t ts, int64_t wid, const char *by, const char *level, int64_t red_at,
    bool escalated)
{
	char ent[24];
	snprintf(ent, sizeof ent, "%lld", (long long)wid);
	struct ev *e = ev_new(ts, "warning", ent, "owned", by);
	struct proto_event_params p;
	memset(&p, 0, sizeof p);
	rd_strlcpy(p.by, by, sizeof p.by);
	PROTO_SET(&p, event_params, by);
	ev_params(e, &p);
	struct proto_warning w;
	memset(&w, 0, sizeof w);
	w.present = PROTO_ALL & ~((uint64_t)1 << PROTO_warning_escalated);
	w.id = wid;
	w.ticket = 1;
	rd_strlcpy(w.kind, "eta_late", sizeof w.kind);
	rd_strlcpy(w.level, level, sizeof w.level);
	w.ts = red_at;
	rd_strlcpy(w.owner, by, sizeof w.owner);
	w.acked = ts;
	if (escalated) {
		w.escalated = red_at + 1;
		PROTO_SET(&w, warning, escalated);
	}
	e->body = pack(PROTO_MSG_warning, &w, &e->body_len);
}

static void
e_complaint(int64_t ts, const char *uid, int64_t version, const char *supplier)
{
	struct ev *e = ev_new(ts, "complaint", uid, "saved", "agent");
	struct proto_complaint c;
	memset(&c, 0, sizeof c);
	c.present = PROTO_ALL;
	rd_strlcpy(c.uid, uid, sizeof c.uid);
	c.version = version;
	rd_strlcpy(c.state, "received", sizeof c.state);
	rd_strlcpy(c.supplier, supplier, sizeof c.supplier);
	c.saved_at = ts;
	e->body = pack(PROTO_MSG_complaint, &c, &e->body_len);
}

/* A complaint's version with a record of cause, decided at decision_at (0: not),
 * extended to level ext, and the decision clock's due time (0: not running). */
static void
e_complaint_rec(int64_t ts, const char *uid, int64_t version, const char *cause,
    int64_t decision_at, int64_t ext, int64_t due)
{
	struct ev *e = ev_new(ts, "complaint", uid, "saved", "agent");
	struct complaint *r = complaint_new(T0);
	complaint_field_set_str(r, CF_uid, uid);
	complaint_field_set_int(r, CF_version, version);
	complaint_field_set_str(r, CF_cause, cause);
	if (decision_at > 0)
		complaint_field_set_int(r, CF_decision_at, decision_at);
	if (ext > 0)
		complaint_field_set_int(r, CF_extension_level, ext);
	char *text = complaint_encode(r);
	complaint_free(r);
	struct proto_complaint c;
	memset(&c, 0, sizeof c);
	c.present = PROTO_ALL & ~((uint64_t)1 << PROTO_complaint_decision_due);
	rd_strlcpy(c.uid, uid, sizeof c.uid);
	c.version = version;
	rd_strlcpy(c.state, "received", sizeof c.state);
	rd_strlcpy(c.supplier, "acme", sizeof c.supplier);
	rd_strlcpy(c.record, text, sizeof c.record);
	free(text);
	c.saved_at = ts;
	if (due > 0) {
		c.decision_due = due;
		PROTO_SET(&c, complaint, decision_due);
	}
	e->body = pack(PROTO_MSG_complaint, &c, &e->body_len);
}

static void
e_state(int64_t ts, int64_t id, const char *state)
{
	char ent[24];
	snprintf(ent, sizeof ent, "%lld", (long long)id);
	struct ev *e = ev_new(ts, "ticket", ent, "state", "x");
	struct proto_event_params p;
	memset(&p, 0, sizeof p);
	rd_strlcpy(p.state, state, sizeof p.state);
	PROTO_SET(&p, event_params, state);
	ev_params(e, &p);
}

static void
e_survey(int64_t ts, int64_t id, int64_t score)
{
	char ent[24];
	snprintf(ent, sizeof ent, "%lld", (long long)id);
	struct ev *e = ev_new(ts, "ticket", ent, "survey", "");
	struct proto_event_params p;
	memset(&p, 0, sizeof p);
	p.score = score;
	PROTO_SET(&p, event_params, score);
	ev_params(e, &p);
}

static int
cmp_ev(const void *va, const void *vb)
{
	const struct ev *a = va, *b = vb;
	if (a->ts != b->ts)
		return (a->ts > b->ts) - (a->ts < b->ts);
	return (a->seq > b->seq) - (a->seq < b->seq);
}

/* Fold the events made so far (in time order, as the log has them). */
static struct tally *
fold(int64_t from, int64_t to, int escalate_after_s)
{
	qsort(evs, n_evs, sizeof *evs, cmp_ev);
	struct tally *t = tally_create(from, to, escalate_after_s);
	for (size_t i = 0; i < n_evs; i++) {
		struct tally_event te = {
			.ts = evs[i].ts, .stream = evs[i].stream, .entity = evs[i].entity,
			.kind = evs[i].kind, .code = evs[i].code, .user = evs[i].user,
			.body = evs[i].body, .body_len = evs[i].body_len,
			.params = evs[i].params, .params_len = evs[i].params_len,
		};
		tally_add(t, &te);
	}
	tally_finish(t);
	return t;
}

static const struct tally_supplier *
sup(const struct tally *t, const char *id)
{
	for (size_t i = 0; i < t->n_suppliers; i++)
		if (strcmp(t->suppliers[i].id, id) == 0)
			return &t->suppliers[i];
	return NULL;
}

static const struct tally_agent *
agent(const struct tally *t, const char *user)
{
	for (size_t i = 0; i < t->n_agents; i++)
		if (strcmp(t->agents[i].user, user) == 0)
			return &t->agents[i];
	return NULL;
}

/* ---------------------------------------------------------------- tables */

START_TEST(offers_and_answers)
{
	/* ticket 1: offered to a1 (acme), declined; to b1 (bolt), timed out; to a2 (acme),
	 * accepted after 90 s; ticket 2: to a1, accepted after 30 s; ticket 3: to a1, given
	 * back (a decline) */
	e_truck_ev(T0 + 1 * MIN, 1, "offer", "a1", "acme");
	e_truck_ev(T0 + 2 * MIN, 1, "decline", "a1", NULL);
	e_truck_ev(T0 + 3 * MIN, 1, "offer", "b1", "bolt");
	e_truck_ev(T0 + 5 * MIN, 1, "timeout", "b1", NULL);
	e_truck_ev(T0 + 6 * MIN, 1, "offer", "a2", "acme");
	e_truck_ev(T0 + 6 * MIN + 90000, 1, "accept", "a2", NULL);
	e_truck_ev(T0 + 10 * MIN, 2, "offer", "a1", "acme");
	e_truck_ev(T0 + 10 * MIN + 30000, 2, "accept", "a1", NULL);
	e_truck_ev(T0 + 11 * MIN, 3, "offer", "a1", "acme");
	e_truck_ev(T0 + 11 * MIN + 10000, 3, "accept", "a1", NULL);
	e_truck_ev(T0 + 12 * MIN, 3, "decline", "a1", NULL);
	struct tally *t = fold(T0, T0 + 24 * H, 120);
	const struct tally_supplier *a = sup(t, "acme"), *b = sup(t, "bolt");
	ck_assert_ptr_nonnull(a);
	ck_assert_ptr_nonnull(b);
	ck_assert_int_eq(t->n_suppliers, 2);
	ck_assert_int_eq(a->offers, 4);
	ck_assert_int_eq(a->accepted, 3);
	ck_assert_int_eq(a->declines, 2);
	ck_assert_int_eq(a->timeouts, 0);
	ck_assert_int_eq(a->accept_median_ms, 30000); /* of 10, 30, 90 s */
	ck_assert_int_eq(b->offers, 1);
	ck_assert_int_eq(b->timeouts, 1);
	ck_assert_int_eq(b->accepted, 0);
	ck_assert_int_eq(b->accept_median_ms, -1);
	tally_free(t);
	evs_reset();
}
END_TEST

START_TEST(median_even_and_offer_outside)
{
	/* the accept of ticket 1 has its offer before the range: counted, not timed */
	e_truck_ev(T0 - 1 * MIN, 1, "offer", "a1", "acme");
	e_truck_ev(T0 + 1 * MIN, 1, "accept", "a1", NULL);
	e_truck_ev(T0 + 2 * MIN, 2, "offer", "a1", "acme");
	e_truck_ev(T0 + 2 * MIN + 20000, 2, "accept", "a1", NULL);
	e_truck_ev(T0 + 3 * MIN, 3, "offer", "a1", "acme");
	e_truck_ev(T0 + 3 * MIN + 40000, 3, "accept", "a1", NULL);
	struct tally *t = fold(T0, T0 + H, 120);
	const struct tally_supplier *a = sup(t, "acme");
	ck_assert_int_eq(a->offers, 2);
	ck_assert_int_eq(a->accepted, 3);
	ck_assert_int_eq(a->accept_median_ms, 30000);
	tally_free(t);
	evs_reset();
}
END_TEST

START_TEST(trucks_placed)
{
	/* an accept whose offer is out of the range goes to the supplier the broker names for
	 * the truck; a truck nobody names goes to "" */
	e_truck_ev(T0 + 1 * MIN, 1, "accept", "k1", NULL);
	e_truck_ev(T0 + 2 * MIN, 2, "decline", "zz", NULL);
	qsort(evs, n_evs, sizeof *evs, cmp_ev);
	struct tally *t = tally_create(T0, T0 + H, 120);
	tally_know_truck(t, "k1", "kite");
	tally_supplier_row(t, "idle"); /* a supplier without events keeps its row */
	for (size_t i = 0; i < n_evs; i++) {
		struct tally_event te = { .ts = evs[i].ts, .stream = evs[i].stream,
			.entity = evs[i].entity, .kind = evs[i].kind, .code = evs[i].code,
			.user = evs[i].user, .params = evs[i].params,
			.params_len = evs[i].params_len };
		tally_add(t, &te);
	}
	tally_finish(t);
	ck_assert_int_eq(t->n_suppliers, 3);
	ck_assert_str_eq(t->suppliers[0].id, "");
	ck_assert_str_eq(t->suppliers[1].id, "idle");
	ck_assert_str_eq(t->suppliers[2].id, "kite");
	ck_assert_int_eq(sup(t, "kite")->accepted, 1);
	ck_assert_int_eq(sup(t, "")->declines, 1);
	ck_assert_int_eq(sup(t, "idle")->offers, 0);
	ck_assert_ptr_eq(tally_supplier_row(t, "kite"), sup(t, "kite"));
	tally_free(t);
	evs_reset();
}
END_TEST

START_TEST(arrivals_and_hours)
{
	/* ticket 1 on scene 20 min after the call, on time; ticket 2 40 min after, 10 min
	 * past its promise; ticket 3 arrives after the range */
	e_truck_ev(T0 + 1 * MIN, 1, "offer", "a1", "acme");
	e_truck_ev(T0 + 2 * MIN, 1, "accept", "a1", NULL);
	e_on_scene(T0 + 20 * MIN, 1, T0, T0 + 45 * MIN, "a1");
	e_truck_ev(T0 + 61 * MIN, 2, "offer", "a2", "acme");
	e_on_scene(T0 + 100 * MIN, 2, T0 + 60 * MIN, T0 + 90 * MIN, "a2");
	e_on_scene(T0 + 2 * H + 1, 3, T0 + 90 * MIN, T0 + 3 * H, "a2");
	struct tally *t = fold(T0, T0 + 2 * H, 120);
	const struct tally_supplier *a = sup(t, "acme");
	ck_assert_int_eq(a->arrived, 2);
	ck_assert_int_eq(a->late, 1);
	ck_assert_int_eq(a->response_ms, 60 * MIN);
	ck_assert_int_eq(t->hours[0].arrived, 1);
	ck_assert_int_eq(t->hours[0].response_ms, 20 * MIN);
	ck_assert_int_eq(t->hours[1].arrived, 1);
	ck_assert_int_eq(t->hours[1].response_ms, 40 * MIN);
	ck_assert_int_eq(t->n_rescues, 2);
	ck_assert_int_eq(t->rescues[1].ticket, 2);
	ck_assert_str_eq(t->rescues[1].supplier, "acme");
	ck_assert_str_eq(t->rescues[1].truck, "a2");
	ck_assert_int_eq(t->rescues[1].on_scene - t->rescues[1].created, 40 * MIN);
	tally_free(t);
	evs_reset();
}
END_TEST

START_TEST(calls_and_acks)
{
	e_created(T0 - 1, 1, "ann", "ann", T0 + H);          /* before the range */
	e_created(T0, 2, "ann", "ann", T0 + H);              /* the range's first ms */
	e_created(T0 + 30 * MIN, 3, "", "bob", T0 + H);      /* no created_by: the user */
	e_created(T0 + 90 * MIN, 4, "", "", T0 + H);         /* nobody: only the hour */
	e_created(T0 + 2 * H, 5, "ann", "ann", T0 + 3 * H);  /* the range's end: out */
	/* acks at escalate_after_s 120: amber (in time), red for 60 s (in time), red for
	 * 120 s (late), escalated (late) */
	e_owned(T0 + 10 * MIN, 1, "ann", "amber", T0, false);
	e_owned(T0 + 10 * MIN, 2, "ann", "red", T0 + 9 * MIN, false);
	e_owned(T0 + 10 * MIN, 3, "bob", "red", T0 + 8 * MIN, false);
	e_owned(T0 + 10 * MIN, 4, "bob", "red", T0 + 9 * MIN + 59000, true);
	struct tally *t = fold(T0, T0 + 2 * H, 120);
	ck_assert_int_eq(t->n_agents, 2);
	ck_assert_int_eq(agent(t, "ann")->calls, 1);
	ck_assert_int_eq(agent(t, "bob")->calls, 1);
	ck_assert_int_eq(t->hours[0].calls, 2);
	ck_assert_int_eq(t->hours[1].calls, 1);
	ck_assert_int_eq(agent(t, "ann")->warnings, 2);
	ck_assert_int_eq(agent(t, "ann")->acked_in_time, 2);
	ck_assert_int_eq(agent(t, "bob")->warnings, 2);
	ck_assert_int_eq(agent(t, "bob")->acked_in_time, 0);
	tally_free(t);
	evs_reset();
}
END_TEST

START_TEST(complaints_first_version)
{
	e_complaint(T0 + MIN, "u1", 1, "acme");
	e_complaint(T0 + 2 * MIN, "u1", 2, "acme");  /* a later version: not a new complaint */
	e_complaint(T0 + 3 * MIN, "u2", 1, "bolt");
	e_complaint(T0 - MIN, "u3", 1, "acme");      /* before the range */
	struct tally *t = fold(T0, T0 + H, 120);
	ck_assert_int_eq(sup(t, "acme")->complaints, 1);
	ck_assert_int_eq(sup(t, "bolt")->complaints, 1);
	tally_free(t);
	evs_reset();
}
END_TEST

START_TEST(days_phone_surveys)
{
	/* two days: calls, closes (completed, by phone, cancelled: not closed), surveys */
	e_created(T0 + H, 1, "ann", "ann", T0 + 2 * H);
	e_created(T0 + 2 * H, 2, "ann", "ann", T0 + 3 * H);
	e_created(T0 + 24 * H + 1, 3, "ann", "ann", T0 + 26 * H);
	e_state(T0 + 3 * H, 1, "completed");
	e_state(T0 + 4 * H, 2, "resolved_remote");
	e_state(T0 + 25 * H, 3, "cancelled");
	e_state(T0 + 47 * H, 9, "resolved_remote");
	static const int64_t scores[] = { 10, 9, 8, 7, 6, 0, 11 };
	for (size_t i = 0; i < sizeof scores / sizeof scores[0]; i++)
		e_survey(T0 + 5 * H + (int64_t)i, 1, scores[i]);
	e_survey(T0 + 30 * H, 3, 3);
	struct tally *t = fold(T0, T0 + 48 * H, 120);
	ck_assert_uint_eq(t->n_days, 2);
	ck_assert_int_eq(t->days[0].calls, 2);
	ck_assert_int_eq(t->days[0].closed, 2);
	ck_assert_int_eq(t->days[0].phone, 1);
	ck_assert_int_eq(t->days[0].surveys, 6); /* 11 is no score */
	ck_assert_int_eq(t->days[0].promoters, 2);
	ck_assert_int_eq(t->days[0].passives, 2);
	ck_assert_int_eq(t->days[0].detractors, 2);
	ck_assert_int_eq(t->days[1].calls, 1);
	ck_assert_int_eq(t->days[1].closed, 1);
	ck_assert_int_eq(t->days[1].phone, 1);
	ck_assert_int_eq(t->days[1].detractors, 1);
	tally_free(t);
	evs_reset();
	/* a part of a day is a day; the days stop at TALLY_DAYS_MAX */
	t = tally_create(T0, T0 + H, 120);
	ck_assert_uint_eq(t->n_days, 1);
	tally_free(t);
	t = tally_create(T0, T0 + 200 * 24 * H, 120);
	ck_assert_uint_eq(t->n_days, TALLY_DAYS_MAX);
	tally_free(t);
}
END_TEST

START_TEST(complaint_causes)
{
	/* R01: u1 decided in time, u2 decided late and extended, u3 open and overdue at the
	 * range's end; R02: u4 open, not yet due; u5 received before the range: not counted */
	e_complaint_rec(T0 + H, "u1", 1, "R01", 0, 0, T0 + 10 * H);
	e_complaint_rec(T0 + 2 * H, "u1", 2, "R01", T0 + 9 * H, 0, 0);
	e_complaint_rec(T0 + H, "u2", 1, "R01", 0, 0, T0 + 3 * H);
	e_complaint_rec(T0 + 2 * H, "u2", 2, "R01", 0, 1, T0 + 4 * H);
	e_complaint_rec(T0 + 5 * H, "u2", 3, "R01", T0 + 5 * H, 1, 0);
	e_complaint_rec(T0 + H, "u3", 1, "R01", 0, 0, T0 + 6 * H);
	e_complaint_rec(T0 + H, "u4", 1, "R02", 0, 0, T0 + 30 * H);
	e_complaint_rec(T0 - H, "u5", 1, "R02", 0, 0, T0 + H);
	e_complaint_rec(T0 + H, "u5", 2, "R02", T0 + 2 * H, 0, 0);
	e_complaint_rec(T0 + 25 * H, "u3", 2, "R01", T0 + 25 * H, 0, 0); /* after the range */
	struct tally *t = fold(T0, T0 + 24 * H, 120);
	ck_assert_uint_eq(t->n_causes, 2);
	const struct tally_cause *a = &t->causes[0], *b = &t->causes[1];
	ck_assert_str_eq(a->cause, "R01");
	ck_assert_int_eq(a->received, 3);
	ck_assert_int_eq(a->decided, 2);
	ck_assert_int_eq(a->in_time, 1);
	ck_assert_int_eq(a->extended, 1);
	ck_assert_int_eq(a->overdue, 1);
	ck_assert_str_eq(b->cause, "R02");
	ck_assert_int_eq(b->received, 1);
	ck_assert_int_eq(b->decided, 0);
	ck_assert_int_eq(b->overdue, 0);
	ck_assert_int_eq(sup(t, "acme")->complaints, 4);
	tally_free(t);
	evs_reset();
}
END_TEST

START_TEST(bad_blobs_skipped)
{
	struct tally *t = tally_create(T0, T0 + H, 120);
	struct tally_event te = { .ts = T0, .stream = "ticket", .entity = "1", .kind = "offer",
		.params = "\x81\xa5truck", .params_len = 7 };
	tally_add(t, &te);
	te.kind = "created";
	te.body = "junk";
	te.body_len = 4;
	te.user = "ann";
	tally_add(t, &te);
	tally_finish(t);
	ck_assert_int_eq(t->events, 2);
	ck_assert_int_eq(t->n_suppliers, 0);
	ck_assert_int_eq(agent(t, "ann")->calls, 1); /* the user still took the call */
	tally_free(t);
}
END_TEST

START_TEST(share_and_mean)
{
	static const struct { int64_t a, b; bool ok; double share; int64_t mean; } rows[] = {
		{ 0, 0, false, 0, 0 },
		{ 1, 2, true, 0.5, 1 },
		{ 3, 4, true, 0.75, 1 },
		{ 5, 2, true, 2.5, 3 },
		{ 7, 3, true, 7.0 / 3, 2 },
		{ -5, 2, true, -2.5, -3 },
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		double s;
		int64_t m;
		ck_assert_int_eq(tally_share(rows[i].a, rows[i].b, &s), rows[i].ok);
		ck_assert_double_eq_tol(s, rows[i].share, 1e-12);
		ck_assert_int_eq(tally_mean(rows[i].a, rows[i].b, &m), rows[i].ok);
		ck_assert_int_eq(m, rows[i].mean);
	}
}
END_TEST

/* ---------------------------------------------------------------- a generated day */

#define N_TICKETS 600
#define N_SUP 5
#define N_AGENTS 6

static const char *const sups[N_SUP] = { "acme", "bolt", "crane", "delta", "echo" };
static const char *const agents[N_AGENTS] = { "ann", "bob", "cai", "dan", "eve", "fei" };

/* What the generator decided, counted as it decides: the expected figures. */
struct expect_sup {
	int64_t offers, accepted, declines, timeouts, arrived, late, response_ms, complaints;
	int64_t times[N_TICKETS * 3];
	size_t n_times;
};
struct expect_agent {
	int64_t calls, warnings, in_time;
};

static bool
in_day(int64_t ts, int64_t from, int64_t to)
{
	return ts >= from && ts < to;
}

static int
cmp_ll(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

START_TEST(generated_day)
{
	static struct expect_sup es[N_SUP];
	struct expect_agent ea[N_AGENTS];
	int64_t hour_calls[24] = { 0 }, hour_arr[24] = { 0 }, hour_resp[24] = { 0 };
	int64_t from = T0, to = T0 + 24 * H;
	struct rng r;

	memset(es, 0, sizeof es);
	memset(ea, 0, sizeof ea);
	rng_seed(&r, 20260310, 1);
	for (int64_t id = 1; id <= N_TICKETS; id++) {
		/* calls from 2 h before the day to 1 h after it, so every edge is crossed */
		int64_t created = from - 2 * H + (int64_t)rng_below(&r, (uint32_t)(27 * H));
		int ag = (int)rng_below(&r, N_AGENTS);
		int64_t promised = created + (30 + (int64_t)rng_below(&r, 40)) * MIN;
		e_created(created, id, agents[ag], agents[ag], promised);
		if (in_day(created, from, to)) {
			ea[ag].calls++;
			hour_calls[(created - from) / H]++;
		}
		int64_t ts = created;
		int n_offers = 1 + (int)rng_below(&r, 3);
		for (int o = 0; o < n_offers; o++) {
			int s = (int)rng_below(&r, N_SUP);
			char truck[24];
			snprintf(truck, sizeof truck, "%s-%d", sups[s], (int)rng_below(&r, 4));
			ts += (int64_t)(1 + rng_below(&r, 10)) * MIN;
			int64_t offer_ts = ts;
			e_truck_ev(ts, id, "offer", truck, sups[s]);
			es[s].offers += in_day(ts, from, to);
			ts += (int64_t)(5 + rng_below(&r, 170)) * 1000;
			bool last = o == n_offers - 1;
			int what = last ? 2 : (int)rng_below(&r, 2);
			if (what == 0) {
				e_truck_ev(ts, id, "decline", truck, NULL);
				es[s].declines += in_day(ts, from, to);
				continue;
			}
			if (what == 1) {
				e_truck_ev(ts, id, "timeout", truck, NULL);
				es[s].timeouts += in_day(ts, from, to);
				continue;
			}
			e_truck_ev(ts, id, "accept", truck, NULL);
			if (in_day(ts, from, to)) {
				es[s].accepted++;
				if (in_day(offer_ts, from, to))
					es[s].times[es[s].n_times++] = ts - offer_ts;
			}
			if (rng_below(&r, 10) == 0)
				break; /* never arrives (cancelled) */
			int64_t at = ts + (int64_t)(5 + rng_below(&r, 50)) * MIN;
			e_on_scene(at, id, created, promised, truck);
			if (in_day(at, from, to)) {
				es[s].arrived++;
				es[s].late += at > promised;
				es[s].response_ms += at - created;
				hour_arr[(at - from) / H]++;
				hour_resp[(at - from) / H] += at - created;
			}
		}
	}
	for (int64_t w = 1; w <= 300; w++) {
		int ag = (int)rng_below(&r, N_AGENTS);
		int64_t ts = from - H + (int64_t)rng_below(&r, (uint32_t)(26 * H));
		bool red = rng_below(&r, 2) == 0, escalated = red && rng_below(&r, 4) == 0;
		int64_t red_for = (int64_t)rng_below(&r, 240) * 1000;
		e_owned(ts, w, agents[ag], red ? "red" : "amber", ts - red_for, escalated);
		if (in_day(ts, from, to)) {
			ea[ag].warnings++;
			ea[ag].in_time += !escalated && (!red || red_for < 120000);
		}
	}
	for (int c = 0; c < 80; c++) {
		int s = (int)rng_below(&r, N_SUP);
		char uid[24];
		snprintf(uid, sizeof uid, "c%d", c);
		int64_t ts = from - H + (int64_t)rng_below(&r, (uint32_t)(26 * H));
		e_complaint(ts, uid, 1, sups[s]);
		e_complaint(ts + 10 * MIN, uid, 2, sups[s]);
		es[s].complaints += in_day(ts, from, to);
	}

	struct tally *t = fold(from, to, 120);
	ck_assert_int_eq(t->n_suppliers, N_SUP);
	for (int s = 0; s < N_SUP; s++) {
		const struct tally_supplier *g = sup(t, sups[s]);
		ck_assert_ptr_nonnull(g);
		ck_assert_int_eq(g->offers, es[s].offers);
		ck_assert_int_eq(g->accepted, es[s].accepted);
		ck_assert_int_eq(g->declines, es[s].declines);
		ck_assert_int_eq(g->timeouts, es[s].timeouts);
		ck_assert_int_eq(g->arrived, es[s].arrived);
		ck_assert_int_eq(g->late, es[s].late);
		ck_assert_int_eq(g->response_ms, es[s].response_ms);
		ck_assert_int_eq(g->complaints, es[s].complaints);
		ck_assert_uint_gt(es[s].n_times, 10);
		qsort(es[s].times, es[s].n_times, sizeof es[s].times[0], cmp_ll);
		size_t n = es[s].n_times;
		int64_t med = n % 2 ? es[s].times[n / 2] :
		    (es[s].times[n / 2 - 1] + es[s].times[n / 2]) / 2;
		ck_assert_int_eq(g->accept_median_ms, med);
	}
	ck_assert_int_eq(t->n_agents, N_AGENTS);
	for (int a = 0; a < N_AGENTS; a++) {
		const struct tally_agent *g = agent(t, agents[a]);
		ck_assert_ptr_nonnull(g);
		ck_assert_int_eq(g->calls, ea[a].calls);
		ck_assert_int_eq(g->warnings, ea[a].warnings);
		ck_assert_int_eq(g->acked_in_time, ea[a].in_time);
	}
	int64_t arrived = 0;
	for (int h = 0; h < 24; h++) {
		ck_assert_int_eq(t->hours[h].calls, hour_calls[h]);
		ck_assert_int_eq(t->hours[h].arrived, hour_arr[h]);
		ck_assert_int_eq(t->hours[h].response_ms, hour_resp[h]);
		arrived += hour_arr[h];
	}
	ck_assert_int_eq(t->n_rescues, arrived);
	ck_assert_int_gt(arrived, 300);
	tally_free(t);
	evs_reset();
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("tally");
	TCase *tc = tcase_create("tables");
	tcase_add_test(tc, offers_and_answers);
	tcase_add_test(tc, median_even_and_offer_outside);
	tcase_add_test(tc, trucks_placed);
	tcase_add_test(tc, arrivals_and_hours);
	tcase_add_test(tc, calls_and_acks);
	tcase_add_test(tc, complaints_first_version);
	tcase_add_test(tc, days_phone_surveys);
	tcase_add_test(tc, complaint_causes);
	tcase_add_test(tc, bad_blobs_skipped);
	tcase_add_test(tc, share_and_mean);
	suite_add_tcase(s, tc);
	tc = tcase_create("day");
	tcase_add_test(tc, generated_day);
	suite_add_tcase(s, tc);
	return check_main(s);
}
