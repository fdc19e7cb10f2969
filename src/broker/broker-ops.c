/* broker-ops.c: the op table and the request handlers: intake, ticket state changes, notes,
 * cancel, assignment, candidates, history, hello, snapshot (the diagnosis ops and stats.kpi
 * are broker-diag.c's). broker_handle reads the table
 * for the role check, the idempotency cache of mutating ops and the handler.
 *
 * The loop (broker.c) calls broker_handle; the handlers call the other jobs (dispatch,
 * watch, supplier, state) and answer through broker-emit.c's reply queue. */
#include "broker-int.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

#define HISTORY_MAX 2000      /* events returned by ticket.get: the most recent ones */
#define SEARCH_LIMIT 50       /* tickets in a ticket.search page unless limit says */
#define SEARCH_SCAN_MAX 5000  /* tickets one ticket.search request looks at, at most */

/* ---- replies ---- */

static void
pack_ticket(const struct bticket *t, struct proto_buf *out)
{
	broker_pack_ticket(out, &t->w);
}

/* ---- handlers ---- */

static int
op_hello(struct broker *b, const struct peer *p, const struct proto_request *req,
    struct proto_buf *out)
{
	struct proto_hello_result r = {
		.proto = PROTO_VERSION, .epoch = b->epoch, .time_scale = (int64_t)b->opts.time_scale,
		.now = broker_now(b), .present = PROTO_ALL & ~((uint64_t)1 << PROTO_hello_result_role),
	};
	PROTO_STRSET(r.server, "rescuedeskd");
	PROTO_STRSET(r.version, RD_VERSION);
	PROTO_STRSET(r.user, req->user[0] ? req->user : "anonymous");
	/* the role an authenticated user acts in; an open broker's clients hold every role
	 * and get none named */
	for (int i = 0; p->authed && i < BROKER_ROLE_COUNT; i++)
		if (p->roles == (1u << i)) {
			PROTO_STRSET(r.role, broker_role_name((enum broker_role)i));
			PROTO_SET(&r, hello_result, role);
		}
	if (r.time_scale < 1)
		r.time_scale = 1;
	proto_encode_reply_ok(out, req->cmd_id, "hello");
	proto_pack_obj(out, PROTO_MSG_hello_result, &r, 0);
	return 0;
}

static int
op_intake(struct broker *b, const struct peer *p, const struct proto_request *req,
    struct proto_buf *out)
{
	const struct proto_intake_create *a = &req->args.intake_create;
	const struct data_region *r = data_region(b->data, a->region);
	int fault = ticket_fault_parse(a->fault);
	const char *why;
	struct proto_error_params e;

	if (r == NULL) {
		broker_err_init(&e, "unknown_region");
		BERR_STR(&e, name, a->region);
		return broker_reply_error_why(out, req, PROTO_E_BAD_REQUEST, "region", &e,
		    "unknown region '%.32s'", a->region);
	}
	if (fault < 0) {
		broker_err_init(&e, "unknown_fault");
		BERR_STR(&e, name, a->fault);
		return broker_reply_error_why(out, req, PROTO_E_BAD_REQUEST, "fault", &e,
		    "unknown fault '%.24s'", a->fault);
	}
	if (broker_blank(a->customer))
		return broker_reply_error_at(out, req, PROTO_E_BAD_REQUEST, "customer",
		    "customer: name is empty");
	if (PROTO_HAS(a, intake_create, lang) && broker_tell_bad_lang(out, req, a->lang))
		return -1;
	if ((why = ticket_phone_invalid(a->phone)) != NULL)
		return broker_reply_error_at(out, req, PROTO_E_BAD_REQUEST, "phone", "phone: %s", why);
	if (broker_blank(a->plate))
		return broker_reply_error_at(out, req, PROTO_E_BAD_REQUEST, "plate", "plate: empty");
	if (broker_blank(a->address))
		return broker_reply_error_at(out, req, PROTO_E_BAD_REQUEST, "address",
		    "address: empty");
	double d = geo_distance_m((struct geo_point){ a->lat, a->lon },
	    (struct geo_point){ r->lat, r->lon });
	if (d > BROKER_FAR_FROM_REGION_M) {
		broker_err_init(&e, "far_from_region");
		BERR_INT(&e, km, (int64_t)lround(d / 1000));
		BERR_STR(&e, region, r->id);
		return broker_reply_error_why(out, req, PROTO_E_BAD_REQUEST, "lat", &e,
		    "location is %.0f km from region %s; check the coordinates", d / 1000, r->id);
	}

	int64_t now = broker_now(b);
	struct bticket *t = xcalloc(1, sizeof *t);
	struct proto_ticket *w = &t->w;
	w->id = (int64_t)b->n_tickets + 1;
	PROTO_STRSET(w->region, r->id);
	PROTO_STRSET(w->customer, a->customer);
	PROTO_STRSET(w->phone, a->phone);
	PROTO_STRSET(w->plate, a->plate);
	PROTO_STRSET(w->model, a->model);
	w->lat = a->lat;
	w->lon = a->lon;
	PROTO_STRSET(w->address, a->address);
	PROTO_STRSET(w->landmark, a->landmark);
	PROTO_STRSET(w->fault, ticket_fault_name((enum ticket_fault)fault));
	w->flags = a->flags;
	w->priority = ticket_priority((uint32_t)a->flags, (enum ticket_fault)fault);
	w->created = now;
	bool expressway = (a->flags & TICKET_FLAG_EXPRESSWAY) != 0;
	w->promised = now + (int64_t)(expressway ? r->promise_expressway_min : r->promise_min) * 60000;
	w->present = PROTO_ALL & ~((uint64_t)1 << PROTO_ticket_eta | (uint64_t)1 << PROTO_ticket_eta_src |
	    (uint64_t)1 << PROTO_ticket_t_dispatched | (uint64_t)1 << PROTO_ticket_t_accepted |
	    (uint64_t)1 << PROTO_ticket_t_en_route | (uint64_t)1 << PROTO_ticket_t_on_scene |
	    (uint64_t)1 << PROTO_ticket_t_towing | (uint64_t)1 << PROTO_ticket_t_closed |
	    (uint64_t)1 << PROTO_ticket_truck | (uint64_t)1 << PROTO_ticket_offer_until |
	    BTICKET_DIAG_KEYS | BTICKET_ESCALATE_KEYS | (uint64_t)1 << PROTO_ticket_vnum);
	broker_tell_set_lang(w, PROTO_HAS(a, intake_create, lang) ? a->lang : NULL);
	PROTO_STRSET(w->created_by, req->user);
	if (req->user[0] == '\0')
		w->present &= ~((uint64_t)1 << PROTO_ticket_created_by);
	bool has_note = !broker_blank(a->notes);
	if (has_note) {
		PROTO_STRSET(w->last_note, a->notes);
		w->notes = 1;
	}
	t->fault = (enum ticket_fault)fault;
	t->region = r;
	broker_ticket_set_state(t, TICKET_NEW, now);
	if (a->diag_hold)
		broker_diag_intake_hold(b, t, now);
	broker_ticket_put(b, t);
	b->n_open++;
	char detail[160];
	snprintf(detail, sizeof detail, "call taken: %s in %s, promised in %d min",
	    w->fault, r->id, expressway ? r->promise_expressway_min : r->promise_min);
	struct broker_why ew;
	broker_why_init(&ew, "created");
	BWHY_STR(&ew, fault, w->fault);
	BWHY_STR(&ew, region, r->id);
	BWHY_INT(&ew, min, expressway ? r->promise_expressway_min : r->promise_min);
	broker_emit_ticket_why(b, t, EVENT_CREATED, req->user, detail, &ew);
	broker_why_init(&ew, "note");
	BWHY_STR(&ew, text, a->notes);
	if (has_note)
		broker_emit_ticket_why(b, t, EVENT_NOTE, req->user, a->notes, &ew);
	if (broker_auto_region(t))
		broker_try_dispatch(b, t);
	log_info("ticket %" PRId64 " created (%s, %s)", w->id, r->id, w->fault);
	broker_reply_ticket(out, req, t);
	return 0;
}

static struct bticket *
find_ticket(struct broker *b, const struct proto_request *req, int64_t id, struct proto_buf *out)
{
	struct bticket *t = broker_ticket(b, id);
	if (t == NULL)
		broker_reply_error(out, req, PROTO_E_NOT_FOUND, "no ticket %" PRId64, id);
	return t;
}


static int
op_set_state(struct broker *b, const struct peer *p, const struct proto_request *req,
    struct proto_buf *out)
{
	const struct proto_ticket_set_state *a = &req->args.ticket_set_state;
	struct bticket *t = find_ticket(b, req, a->id, out);
	int s = ticket_state_parse(a->state);
	int64_t now = broker_now(b);
	char detail[240];

	if (t == NULL)
		return -1;
	if (s < 0)
		return broker_reply_error(out, req, PROTO_E_BAD_REQUEST, "unknown state '%.24s'", a->state);
	if (broker_peer_supplier(p)) {
		/* a supplier moves its own trucks' jobs along, and cancels nothing */
		if (s == TICKET_CANCELLED || s == TICKET_RESOLVED_REMOTE) {
			broker_auth_forbidden(b, p, "ticket.set_state", a->state);
			return broker_reply_error_at(out, req, PROTO_E_FORBIDDEN, "state",
			    "a supplier may not set %s", a->state);
		}
		if (!broker_auth_truck(b, p, t->truck != NULL ? t->truck->w.supplier : "",
		    t->truck != NULL ? t->truck->w.id : "-", "ticket.set_state"))
			return broker_reply_error(out, req, PROTO_E_FORBIDDEN, "ticket %" PRId64
			    " is not with one of your supplier's trucks", t->w.id);
	}
	if (s == TICKET_DISPATCHED)
		return broker_reply_error(out, req, PROTO_E_INVALID_STATE,
		    "use ticket.assign to dispatch a ticket to a truck");
	if (!ticket_transition_ok(t->state, (enum ticket_state)s))
		return broker_reply_error(out, req, PROTO_E_INVALID_STATE, "ticket %" PRId64
		    " cannot go from %s to %s", t->w.id, ticket_state_name(t->state),
		    ticket_state_name((enum ticket_state)s));
	if (s == TICKET_CANCELLED && broker_blank(a->reason))
		return broker_reply_error(out, req, PROTO_E_BAD_REQUEST, "a cancellation needs a reason");
	if (s == TICKET_EN_ROUTE && t->truck != NULL && t->truck->job != t && t->truck->job != NULL)
		return broker_reply_error(out, req, PROTO_E_CONFLICT, "truck %s is still on ticket %"
		    PRId64 ": ticket %" PRId64 " is its next job", t->truck->w.id,
		    t->truck->job->w.id, t->w.id);
	switch ((enum ticket_state)s) {
	case TICKET_NEW:
		/* offer.decline without naming the truck, or an accepted job handed back */
		broker_decline_offer(b, t, req->user, broker_blank(a->reason) ? "declined" : a->reason);
		break;
	case TICKET_ACCEPTED:
		/* offer.accept without naming the truck */
		broker_accept_offer(b, t, req->user, PROTO_HAS(a, ticket_set_state, eta_s) ? a->eta_s : -1);
		break;
	case TICKET_EN_ROUTE:
	case TICKET_ON_SCENE:
	case TICKET_TOWING: {
		static const enum truck_status ts[] = {
			[TICKET_EN_ROUTE] = TRUCK_EN_ROUTE, [TICKET_ON_SCENE] = TRUCK_ON_SCENE,
			[TICKET_TOWING] = TRUCK_TOWING,
		};
		broker_ticket_set_state(t, (enum ticket_state)s, now);
		if (s == TICKET_ON_SCENE) {
			broker_clear_warning(b, t, WARN_ETA_LATE);
			broker_clear_warning(b, t, WARN_OVERDUE);
			broker_clear_warning(b, t, WARN_GPS_LOST);
			broker_clear_warning(b, t, WARN_STALLED);
			broker_clear_warning(b, t, WARN_REDISPATCH);
		}
		if (s == TICKET_EN_ROUTE && t->truck != NULL) {
			/* time at the depot before leaving is not a stall */
			t->truck->still_lat = t->truck->w.lat;
			t->truck->still_lon = t->truck->w.lon;
			t->truck->still_since = t->truck->w.fix_ts > now ? t->truck->w.fix_ts : now;
		}
		snprintf(detail, sizeof detail, "%s%s%s", ticket_state_name((enum ticket_state)s),
		    a->reason[0] ? ": " : "", a->reason);
		struct broker_why why;
		broker_why_init(&why, "state");
		BWHY_STR(&why, state, ticket_state_name((enum ticket_state)s));
		if (a->reason[0] != '\0')
			BWHY_STR(&why, text, a->reason);
		broker_emit_ticket_why(b, t, EVENT_STATE, req->user, detail, &why);
		if (t->truck != NULL) {
			broker_truck_set_status(b, t->truck, ts[s]);
			broker_truck_reindex(b, t->truck);
			broker_why_init(&why, "status_job");
			BWHY_STR(&why, state, ticket_state_name((enum ticket_state)s));
			broker_emit_truck_why(b, t->truck, EVENT_STATUS, req->user,
			    ticket_state_name((enum ticket_state)s), &why);
		}
		break;
	}
	case TICKET_COMPLETED:
	case TICKET_CANCELLED:
	case TICKET_RESOLVED_REMOTE:
		broker_finish(b, t, (enum ticket_state)s, req->user, a->reason);
		break;
	case TICKET_DISPATCHED:
	case TICKET_STATE_COUNT:
		break;
	}
	broker_reply_ticket(out, req, t);
	return 0;
}

/* The ticket an offer answer is about, if it is offered to that truck now. */
static struct bticket *
offered_ticket(struct broker *b, const struct peer *p, const struct proto_request *req,
    int64_t id, const char *truck, struct proto_buf *out)
{
	struct bticket *t = find_ticket(b, req, id, out);
	if (t == NULL)
		return NULL;
	struct btruck *k = hmap_get(b->truck_by_id, truck);
	if (k == NULL) {
		broker_reply_error(out, req, PROTO_E_NOT_FOUND, "no truck '%.24s'", truck);
		return NULL;
	}
	if (!broker_auth_truck(b, p, k->w.supplier, k->w.id, proto_descs[req->op].wire)) {
		broker_reply_error_at(out, req, PROTO_E_FORBIDDEN, "truck",
		    "truck %s is not one of your supplier's", k->w.id);
		return NULL;
	}
	if (t->state != TICKET_DISPATCHED) {
		broker_reply_error(out, req, PROTO_E_INVALID_STATE, "ticket %" PRId64
		    " is %s: there is no offer to answer", t->w.id, ticket_state_name(t->state));
		return NULL;
	}
	if (t->truck != k) {
		broker_reply_error(out, req, PROTO_E_CONFLICT, "ticket %" PRId64 " is offered to %s, not %s",
		    t->w.id, t->truck ? t->truck->w.id : "nobody", k->w.id);
		return NULL;
	}
	return t;
}

static int
op_offer_accept(struct broker *b, const struct peer *p, const struct proto_request *req,
    struct proto_buf *out)
{
	const struct proto_offer_accept *a = &req->args.offer_accept;
	struct bticket *t = offered_ticket(b, p, req, a->id, a->truck, out);
	if (t == NULL)
		return -1;
	broker_accept_offer(b, t, req->user, a->eta_s);
	broker_reply_ticket(out, req, t);
	return 0;
}

static int
op_offer_decline(struct broker *b, const struct peer *p, const struct proto_request *req,
    struct proto_buf *out)
{
	const struct proto_offer_decline *a = &req->args.offer_decline;
	if (broker_blank(a->reason))
		return broker_reply_error(out, req, PROTO_E_BAD_REQUEST, "a decline needs a reason");
	struct bticket *t = offered_ticket(b, p, req, a->id, a->truck, out);
	if (t == NULL)
		return -1;
	broker_decline_offer(b, t, req->user, a->reason);
	broker_reply_ticket(out, req, t);
	return 0;
}

static int
op_cancel(struct broker *b, const struct peer *p, const struct proto_request *req,
    struct proto_buf *out)
{
	const struct proto_ticket_cancel *a = &req->args.ticket_cancel;
	struct bticket *t = find_ticket(b, req, a->id, out);
	if (t == NULL)
		return -1;
	if (broker_blank(a->reason))
		return broker_reply_error(out, req, PROTO_E_BAD_REQUEST, "a cancellation needs a reason");
	if (!ticket_transition_ok(t->state, TICKET_CANCELLED))
		return broker_reply_error(out, req, PROTO_E_INVALID_STATE, "ticket %" PRId64
		    " is %s and can no longer be cancelled", t->w.id, ticket_state_name(t->state));
	broker_finish(b, t, TICKET_CANCELLED, req->user, a->reason);
	broker_reply_ticket(out, req, t);
	return 0;
}

static int
op_note(struct broker *b, const struct peer *p, const struct proto_request *req,
    struct proto_buf *out)
{
	const struct proto_ticket_note *a = &req->args.ticket_note;
	struct bticket *t = find_ticket(b, req, a->id, out);
	if (t == NULL)
		return -1;
	if (broker_blank(a->text))
		return broker_reply_error(out, req, PROTO_E_BAD_REQUEST, "the note is empty");
	PROTO_STRSET(t->w.last_note, a->text);
	t->w.notes++;
	PROTO_SET(&t->w, ticket, last_note);
	PROTO_SET(&t->w, ticket, notes);
	struct broker_why why;
	broker_why_init(&why, "note");
	BWHY_STR(&why, text, a->text);
	broker_emit_ticket_why(b, t, EVENT_NOTE, req->user, a->text, &why);
	broker_reply_ticket(out, req, t);
	return 0;
}

static int
op_assign(struct broker *b, const struct peer *p, const struct proto_request *req,
    struct proto_buf *out)
{
	const struct proto_ticket_assign *a = &req->args.ticket_assign;
	struct bticket *t = find_ticket(b, req, a->id, out);
	if (t == NULL)
		return -1;
	struct btruck *k = hmap_get(b->truck_by_id, a->truck);
	struct proto_error_params e;
	if (k == NULL) {
		broker_err_init(&e, "no_truck");
		BERR_STR(&e, truck, a->truck);
		return broker_reply_error_why(out, req, PROTO_E_NOT_FOUND, NULL, &e,
		    "no truck '%.24s'", a->truck);
	}
	/* the refusals an agent meets choosing a truck carry their machine form (5.2) */
	broker_err_init(&e, "");
	BERR_STR(&e, truck, k->w.id);
	if (!ticket_transition_ok(t->state, TICKET_DISPATCHED)) {
		broker_err_init(&e, "not_dispatchable");
		BERR_INT(&e, ticket, t->w.id);
		BERR_STR(&e, state, ticket_state_name(t->state));
		return broker_reply_error_why(out, req, PROTO_E_INVALID_STATE, NULL, &e,
		    "ticket %" PRId64 " is %s and cannot be dispatched", t->w.id,
		    ticket_state_name(t->state));
	}
	if (k->job != NULL) {
		PROTO_STRSET(e.reason, k->job == t ? "truck_has_ticket" : "truck_busy");
		BERR_INT(&e, ticket, k->job->w.id);
		return broker_reply_error_why(out, req, PROTO_E_CONFLICT, NULL, &e, k->job == t ?
		    "truck %s already has ticket %" PRId64 : "truck %s is busy with ticket %" PRId64,
		    k->w.id, k->job->w.id);
	}
	if (k->status != TRUCK_AVAILABLE) {
		PROTO_STRSET(e.reason, "truck_status");
		BERR_STR(&e, status, truck_status_name(k->status));
		return broker_reply_error_why(out, req, PROTO_E_CONFLICT, NULL, &e, "truck %s is %s",
		    k->w.id, truck_status_name(k->status));
	}
	if (PROTO_HAS(&t->w, ticket, need_kind) ? strcmp(k->w.kind, t->w.need_kind) != 0 :
	    !(b->rules.kinds[t->fault] & (1u << k->kind))) {
		PROTO_STRSET(e.reason, "wrong_kind");
		BERR_STR(&e, kind, k->w.kind);
		BERR_STR(&e, fault, t->w.fault);
		if (PROTO_HAS(&t->w, ticket, need_kind))
			BERR_STR(&e, need, t->w.need_kind);
		return broker_reply_error_why(out, req, PROTO_E_INVALID_STATE, NULL, &e,
		    "a %s cannot handle %s%s%s", k->w.kind, t->w.fault,
		    PROTO_HAS(&t->w, ticket, need_kind) ? ": it needs a " : "",
		    PROTO_HAS(&t->w, ticket, need_kind) ? t->w.need_kind : "");
	}
	if (!k->placed) {
		PROTO_STRSET(e.reason, "no_position");
		return broker_reply_error_why(out, req, PROTO_E_CONFLICT, NULL, &e,
		    "truck %s has sent no position yet", k->w.id);
	}
	double far = geo_distance_m((struct geo_point){ k->w.lat, k->w.lon },
	    (struct geo_point){ t->w.lat, t->w.lon });
	if (far > b->rules.tune.max_m) {
		PROTO_STRSET(e.reason, "truck_too_far");
		BERR_INT(&e, km, (int64_t)lround(far / 1000));
		BERR_INT(&e, limit_km, (int64_t)lround(b->rules.tune.max_m / 1000));
		return broker_reply_error_why(out, req, PROTO_E_INVALID_STATE, NULL, &e,
		    "truck %s is %.0f km away (the limit is %.0f km)", k->w.id, far / 1000,
		    b->rules.tune.max_m / 1000);
	}
	broker_offer_chosen(b, t, k, req->user);
	broker_reply_ticket(out, req, t);
	return 0;
}

/* Up to k ranked candidates for ticket t, with their reasons. Read-only. */
static int
op_candidates(struct broker *b, const struct peer *p, const struct proto_request *req,
    struct proto_buf *out)
{
	const struct proto_dispatch_candidates *a = &req->args.dispatch_candidates;
	struct bticket *t = find_ticket(b, req, a->id, out);
	struct dispatch_candidate c[DISPATCH_K_MAX];
	uint32_t skip[DECLINED_MAX + 1];
	if (t == NULL)
		return -1;
	if (ticket_state_final(t->state))
		return broker_reply_error(out, req, PROTO_E_INVALID_STATE, "ticket %" PRId64 " is %s",
		    t->w.id, ticket_state_name(t->state));
	int64_t now = broker_now(b);
	struct dispatch_query q = broker_dispatch_query_others(b, t, now, skip);
	size_t want = PROTO_HAS(a, dispatch_candidates, k) ? (size_t)a->k : 5;
	size_t n = dispatch_rank(&b->rules, b->eta, &b->fleet, &q, want, c, NULL);

	proto_encode_reply_ok(out, req->cmd_id, "dispatch.candidates");
	proto_pack_map(out, 2);
	proto_pack_str(out, "ticket");
	pack_ticket(t, out);
	proto_pack_str(out, "candidates");
	proto_pack_array(out, (uint32_t)n);
	for (size_t i = 0; i < n; i++) {
		const struct btruck *k = b->trucks[c[i].id];
		struct proto_candidate w = { .present = PROTO_ALL };
		char why[256];
		PROTO_STRSET(w.truck, k->w.id);
		PROTO_STRSET(w.supplier, k->w.supplier);
		PROTO_STRSET(w.kind, truck_kind_name(c[i].kind));
		PROTO_STRSET(w.status, truck_status_name(c[i].status));
		w.km = c[i].dist_m / 1000.0;
		w.eta_s = (c[i].travel_ms + c[i].job_ms + 999) / 1000;
		PROTO_STRSET(w.eta_src, c[i].eta_src);
		w.gps_age_s = c[i].gps_age_ms / 1000;
		w.load = (int64_t)lround(c[i].load * 100);
		w.quality = c[i].quality;
		w.offers = c[i].offers_today;
		w.score = c[i].score;
		w.stale = c[i].stale;
		dispatch_why(&c[i], why, sizeof why);
		PROTO_STRSET(w.why, why);
		w.free_s = (c[i].job_ms + 999) / 1000; /* why's machine form (PROTOCOL.md 8.6) */
		if (c[i].prefer >= 0)
			PROTO_STRSET(w.prefer, truck_kind_name((enum truck_kind)c[i].prefer));
		else
			w.present &= ~((uint64_t)1 << PROTO_candidate_prefer);
		proto_pack_obj(out, PROTO_MSG_candidate, &w, 0);
	}
	return 0;
}

/* The most recent HISTORY_MAX events of a ticket, in a ring, oldest first when read. */
struct events_ctx {
	struct proto_event *ring;
	size_t n; /* events seen */
};

static int
event_cb(void *vctx, const struct store_event *ev)
{
	struct events_ctx *c = vctx;
	struct proto_event *e = &c->ring[c->n % HISTORY_MAX];
	memset(e, 0, sizeof *e);
	e->id = ev->id;
	e->ts = ev->ts;
	e->present = PROTO_ALL & ~((uint64_t)1 << PROTO_event_code |
	    (uint64_t)1 << PROTO_event_params);
	PROTO_STRSET(e->kind, ev->kind);
	PROTO_STRSET(e->user, ev->user);
	PROTO_STRSET(e->detail, ev->detail);
	if (ev->code != NULL && ev->code[0] != '\0') {
		/* its machine form, absent before schema 3; params unreadable: only the code */
		struct proto_error err;
		PROTO_STRSET(e->code, ev->code);
		PROTO_SET(e, event, code);
		if (ev->params_len > 0 && proto_decode_msg(ev->params, ev->params_len,
		    PROTO_MSG_event_params, &e->params, &err) == 0)
			PROTO_SET(e, event, params);
	}
	c->n++;
	return 0;
}

static int
op_get(struct broker *b, const struct peer *p, const struct proto_request *req,
    struct proto_buf *out)
{
	struct bticket *t = find_ticket(b, req, req->args.ticket_get.id, out);
	char id[24];
	if (t == NULL)
		return -1;
	struct events_ctx c = { .ring = xcalloc(HISTORY_MAX, sizeof *c.ring) };
	snprintf(id, sizeof id, "%" PRId64, t->w.id);
	if (store_events_of(b->store, "ticket", id, event_cb, &c) < 0) {
		free(c.ring);
		return broker_reply_error(out, req, PROTO_E_INTERNAL, "reading history: %s",
		    store_errmsg(b->store));
	}
	size_t shown = c.n < HISTORY_MAX ? c.n : HISTORY_MAX;
	proto_encode_reply_ok(out, req->cmd_id, "ticket.get");
	proto_pack_map(out, 2);
	proto_pack_str(out, "ticket");
	pack_ticket(t, out);
	proto_pack_str(out, "events");
	proto_pack_array(out, (uint32_t)shown);
	for (size_t i = c.n - shown; i < c.n; i++)
		proto_pack_obj(out, PROTO_MSG_event, &c.ring[i % HISTORY_MAX], 0);
	free(c.ring);
	return 0;
}


/* A plate or phone reduced to what identifies it: ASCII letters upper-cased, digits and
 * other UTF-8 kept, separators (space, '-', '.', the middle dot of "湘A·12345") dropped;
 * digits_only keeps the digits alone (a phone). */
static void
search_key(const char *s, char *out, size_t sz, bool digits_only)
{
	size_t n = 0;

	for (; *s && n + 1 < sz; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == 0xc2 && (unsigned char)s[1] == 0xb7) {
			s++;
			continue;
		}
		if (digits_only ? !(c >= '0' && c <= '9') : (c == ' ' || c == '-' || c == '.'))
			continue;
		out[n++] = (char)(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c);
	}
	out[n] = '\0';
}

struct search_ctx {
	const struct proto_ticket_search *a;
	char phone[32], plate[48];
	size_t limit, scanned;
	struct proto_ticket *found;
	size_t n;
	int64_t last;       /* the last id looked at */
	bool more;          /* stopped before the end of the log */
	char cause[256];
};

static bool
search_match(const struct search_ctx *c, const struct proto_ticket *t)
{
	const struct proto_ticket_search *a = c->a;
	char k[48];

	if (PROTO_HAS(a, ticket_search, id) && t->id != a->id)
		return false;
	if (PROTO_HAS(a, ticket_search, from) && t->created < a->from)
		return false;
	if (PROTO_HAS(a, ticket_search, to) && t->created >= a->to)
		return false;
	if (c->phone[0] != '\0') {
		search_key(t->phone, k, sizeof k, true);
		if (strstr(k, c->phone) == NULL)
			return false;
	}
	if (c->plate[0] != '\0') {
		search_key(t->plate, k, sizeof k, false);
		if (strstr(k, c->plate) == NULL)
			return false;
	}
	return true;
}

static int
search_cb(void *vctx, int64_t entity, int64_t ts, const void *body, size_t len)
{
	struct search_ctx *c = vctx;
	struct proto_ticket t;
	struct proto_error err;

	(void)ts;
	if (PROTO_HAS(c->a, ticket_search, id) && entity < c->a->id)
		return 1;	/* ids only go down from here */
	if (c->n == c->limit || c->scanned == SEARCH_SCAN_MAX) {
		c->more = true;	/* there is at least this one more: page on from c->last */
		return 1;
	}
	c->scanned++;
	c->last = entity;
	if (proto_decode_msg(body, len, PROTO_MSG_ticket, &t, &err) < 0) {
		snprintf(c->cause, sizeof c->cause, "stored ticket %" PRId64 ": %.200s", entity,
		    err.message);
		return -1;
	}
	if (search_match(c, &t))
		c->found[c->n++] = t;
	return 0;
}

/* Every ticket the store holds (the log is never pruned), highest id first, a page at a
 * time: closed tickets long gone from snapshots are found too. */
static int
op_search(struct broker *b, const struct peer *p, const struct proto_request *req,
    struct proto_buf *out)
{
	const struct proto_ticket_search *a = &req->args.ticket_search;
	struct search_ctx c = { .a = a, .limit = SEARCH_LIMIT };
	int64_t below = PROTO_HAS(a, ticket_search, cursor) ? a->cursor : 0;
	struct proto_search_result res = { .present = 0 };

	(void)p;
	if (PROTO_HAS(a, ticket_search, phone)) {
		search_key(a->phone, c.phone, sizeof c.phone, true);
		if (strlen(c.phone) < 4)
			return broker_reply_error(out, req, PROTO_E_BAD_REQUEST,
			    "phone: give at least 4 digits");
	}
	if (PROTO_HAS(a, ticket_search, plate)) {
		search_key(a->plate, c.plate, sizeof c.plate, false);
		if (c.plate[0] == '\0')
			return broker_reply_error(out, req, PROTO_E_BAD_REQUEST, "plate: empty");
	}
	if (PROTO_HAS(a, ticket_search, from) && PROTO_HAS(a, ticket_search, to) &&
	    a->to <= a->from)
		return broker_reply_error(out, req, PROTO_E_BAD_REQUEST, "to: not after from");
	if (PROTO_HAS(a, ticket_search, limit))
		c.limit = (size_t)a->limit;
	if (PROTO_HAS(a, ticket_search, id) && (below <= 0 || a->id < below))
		below = a->id + 1;
	c.found = xcalloc(c.limit, sizeof *c.found);
	if (store_latest_each(b->store, "ticket", below, search_cb, &c) < 0) {
		free(c.found);
		return broker_reply_error(out, req, PROTO_E_INTERNAL, "searching: %s",
		    c.cause[0] ? c.cause : store_errmsg(b->store));
	}
	if (c.more) {
		res.next = c.last;
		PROTO_SET(&res, search_result, next);
	}
	proto_encode_reply_ok(out, req->cmd_id, "ticket.search");
	proto_pack_obj(out, PROTO_MSG_search_result, &res, 1);
	proto_pack_str(out, "tickets");
	proto_pack_array(out, (uint32_t)c.n);
	for (size_t i = 0; i < c.n; i++)
		broker_pack_ticket(out, &c.found[i]);
	free(c.found);
	return 0;
}

/* The whole live state, in parts of at most args.chunk entities. It is encoded now (so
 * every part is consistent with the same seqs) and queued as parts for the client: the
 * head, then one array per stream; the parts are filled stream after stream. A part also
 * ends before its complaints' records pass SNAPSHOT_RECORD_BYTES: a complaint carries its
 * whole record (up to 48,000 bytes), and a part must stay well inside a client's
 * PROTO_MAX_REPLY (8 MiB) whatever the records hold. */
#define SNAPSHOT_RECORD_BYTES (4 * 1024 * 1024)

static size_t
snapshot_bytes(enum proto_stream s, const void *e)
{
	return s == PROTO_STREAM_COMPLAINT ?
	    strlen(((const struct proto_complaint *)e)->record) + 1024 : 0;
}

static int
op_snapshot(struct broker *b, const struct peer *p, const struct proto_request *req,
    struct proto_buf *out)
{
	int64_t now = broker_now(b);
	size_t chunk = PROTO_HAS(&req->args.snapshot, snapshot, chunk) ?
	    (size_t)req->args.snapshot.chunk : 1000;
	const void **list[PROTO_STREAM_COUNT];
	size_t n[PROTO_STREAM_COUNT], at[PROTO_STREAM_COUNT] = { 0 }, total = 0;
	struct proto_snapshot_part h = { .epoch = b->epoch };
	int s;

	for (s = 0; s < PROTO_STREAM_COUNT; s++) {
		list[s] = broker_stream_entities(b, s, true, now, &n[s]);
		proto_snapshot_set(&h, s, b->seq[s], (int64_t)n[s]);
		total += n[s];
	}
	/* where each part ends: chunk entities, or fewer when the records fill it */
	size_t *ends = xcalloc(total + 2, sizeof *ends), parts = 0, count = 0, bytes = 0;
	for (s = 0; s < PROTO_STREAM_COUNT; s++)
		for (size_t i = 0; i < n[s]; i++) {
			size_t sz = snapshot_bytes(s, list[s][i]);
			if (count == chunk || (count > 0 && bytes + sz > SNAPSHOT_RECORD_BYTES)) {
				ends[parts++] = count;
				count = bytes = 0;
			}
			count++;
			bytes += sz;
		}
	if (count > 0 || parts == 0)
		ends[parts++] = count;
	struct outq *q = broker_outq_new(p);
	struct proto_buf pb;
	proto_buf_init(&pb);
	h.parts = (int64_t)parts;
	for (size_t part = 1; part <= parts; part++) {
		size_t room = ends[part - 1];
		h.part = (int64_t)part;
		proto_encode_reply_ok(&pb, req->cmd_id, "snapshot");
		proto_pack_obj(&pb, PROTO_MSG_snapshot_part, &h, PROTO_STREAM_COUNT);
		for (s = 0; s < PROTO_STREAM_COUNT; s++) {
			size_t k = n[s] - at[s] < room ? n[s] - at[s] : room;
			room -= k;
			proto_pack_str(&pb, proto_streams[s].array);
			proto_pack_array(&pb, (uint32_t)k);
			for (size_t i = 0; i < k; i++)
				broker_pack_entity(&pb, s, list[s][at[s]++]);
		}
		size_t len;
		char *frame = proto_buf_take(&pb, &len);
		broker_outq_add(q, frame, len);
	}
	proto_buf_finish(&pb);
	free(ends);
	for (s = 0; s < PROTO_STREAM_COUNT; s++)
		free(list[s]);
	broker_outq_push(b, q);
	return 0; /* out stays empty: the parts are queued */
}

/* ---- the op table ----
 * The roles column is the matrix of PROTOCOL.md 7.0: agents take calls and act on tickets;
 * supervisors do all an agent does and run diagnosis; specialists run diagnosis and read,
 * note and own warnings; suppliers answer offers and move their own trucks' jobs along
 * (broker_auth_truck checks the truck) and see only their own (supplier.jobs: no
 * snapshot, no PUB socket); intake channels only create tickets; the
 * simulator plays customers, suppliers and specialists, so it may call everything. */

#define ALL BROKER_ROLES_ALL
#define R(x) BROKER_ROLE_BIT(x)
#define DESK (R(AGENT) | R(SUPERVISOR) | R(SIM))   /* taking calls, acting on tickets */
#define READ (DESK | R(SPECIALIST))                 /* reading, notes, warnings */
#define DIAG (R(SPECIALIST) | R(SUPERVISOR) | R(SIM)) /* remote diagnosis */

const struct broker_op broker_ops[] = {
	{ "hello", PROTO_MSG_hello, false, ALL, op_hello },
	{ "snapshot", PROTO_MSG_snapshot, false, READ, op_snapshot },
	{ "intake.create", PROTO_MSG_intake_create, true, DESK | R(INTAKE), op_intake },
	{ "ticket.get", PROTO_MSG_ticket_get, false, READ, op_get },
	{ "ticket.search", PROTO_MSG_ticket_search, false, READ, op_search },
	{ "ticket.note", PROTO_MSG_ticket_note, true, READ, op_note },
	{ "ticket.edit", PROTO_MSG_ticket_edit, true, DESK, broker_op_edit },
	{ "ticket.callback", PROTO_MSG_ticket_callback, true, DESK, broker_op_callback },
	{ "ticket.tell", PROTO_MSG_ticket_tell, true, DESK, broker_op_tell },
	{ "ticket.call", PROTO_MSG_ticket_call, true, DESK, broker_op_ticket_call },
	{ "ticket.contact", PROTO_MSG_ticket_contact, false, READ, broker_op_contact },
	{ "ticket.set_state", PROTO_MSG_ticket_set_state, true, DESK | R(SUPPLIER), op_set_state },
	{ "ticket.cancel", PROTO_MSG_ticket_cancel, true, DESK, op_cancel },
	{ "ticket.assign", PROTO_MSG_ticket_assign, true, DESK, op_assign },
	{ "offer.accept", PROTO_MSG_offer_accept, true, DESK | R(SUPPLIER), op_offer_accept },
	{ "offer.decline", PROTO_MSG_offer_decline, true, DESK | R(SUPPLIER), op_offer_decline },
	{ "dispatch.candidates", PROTO_MSG_dispatch_candidates, false, DESK, op_candidates },
	{ "ticket.track", PROTO_MSG_ticket_track, false, READ, broker_op_track },
	{ "diag.start", PROTO_MSG_diag_start, true, DIAG, broker_op_diag_start },
	{ "diag.answer", PROTO_MSG_diag_answer, true, DIAG, broker_op_diag_answer },
	{ "diag.back", PROTO_MSG_diag_back, true, DIAG, broker_op_diag_back },
	{ "diag.safety", PROTO_MSG_diag_safety, true, DIAG, broker_op_diag_safety },
	{ "diag.abort", PROTO_MSG_diag_abort, true, DIAG, broker_op_diag_abort },
	{ "diag.dispatch_now", PROTO_MSG_diag_dispatch_now, true, DIAG,
	    broker_op_diag_dispatch_now },
	{ "stats.kpi", PROTO_MSG_stats_kpi, false, READ, broker_op_stats_kpi },
	{ "stats.board", PROTO_MSG_stats_board, false, BROKER_ROLE_BIT(SUPERVISOR) |
	    BROKER_ROLE_BIT(SIM), broker_op_stats_board },
	{ "stats.report", PROTO_MSG_stats_report, false, BROKER_ROLE_BIT(SUPERVISOR) |
	    BROKER_ROLE_BIT(SIM), broker_op_stats_report },
	{ "complaint.put", PROTO_MSG_complaint_put, true, DESK, broker_op_complaint_put },
	{ "complaint.get", PROTO_MSG_complaint_get, false, BROKER_ROLE_BIT(AGENT) |
	    BROKER_ROLE_BIT(SUPERVISOR) | BROKER_ROLE_BIT(SIM), broker_op_complaint_get },
	{ "warning.ack", PROTO_MSG_warning_ack, true, READ, broker_op_warning_ack },
	{ "warning.release", PROTO_MSG_warning_release, true, READ, broker_op_warning_release },
	/* clear: supervisors (and sim) only, broker-warn.c */
	{ "ticket.escalate", PROTO_MSG_escalate, true, READ, broker_op_ticket_escalate },
	{ "presence", PROTO_MSG_presence, false, READ, broker_op_presence },
	{ "survey.put", PROTO_MSG_survey_put, true, BROKER_ROLE_BIT(INTAKE) |
	    BROKER_ROLE_BIT(SUPERVISOR) | BROKER_ROLE_BIT(SIM), broker_op_survey_put },
	{ "survey.done", PROTO_MSG_survey_done, true, BROKER_ROLE_BIT(AGENT) |
	    BROKER_ROLE_BIT(SUPERVISOR) | BROKER_ROLE_BIT(SIM), broker_op_survey_done },
	{ "supplier.jobs", PROTO_MSG_supplier_jobs, false, R(SUPPLIER) | R(SUPERVISOR) | R(SIM),
	    broker_op_supplier_jobs },
};
const size_t broker_n_ops = ARRAY_LEN(broker_ops);

#undef ALL
#undef R
#undef DESK
#undef READ
#undef DIAG

const struct broker_op *
broker_op_find(int op)
{
	for (size_t i = 0; i < broker_n_ops; i++)
		if ((int)broker_ops[i].args == op)
			return &broker_ops[i];
	return NULL;
}

static const char *role_names[] = {
#define X(e, s) s,
	BROKER_ROLES(X)
#undef X
};

const char *
broker_role_name(enum broker_role r)
{
	return (unsigned)r < BROKER_ROLE_COUNT ? role_names[r] : "";
}

void
broker_handle(struct broker *b, const struct peer *p, const struct proto_request *req,
    struct proto_buf *out)
{
	const struct broker_op *op = broker_op_find(req->op);

	proto_buf_reset(out);
	if (op == NULL) {
		broker_reply_error(out, req, PROTO_E_UNKNOWN_OP, "op %s is not served here",
		    proto_descs[req->op].wire);
		broker_reply(b, p, out->data, out->len);
		return;
	}
	if ((op->roles & p->roles) == 0) {
		broker_auth_forbidden(b, p, op->name, "");
		broker_reply_error(out, req, PROTO_E_FORBIDDEN, "%s is not allowed to this client",
		    op->name);
		broker_reply(b, p, out->data, out->len);
		return;
	}
	if (!op->mutating) {
		op->handler(b, p, req, out);
		if (out->len > 0)
			broker_reply(b, p, out->data, out->len);
		return;
	}
	if (!broker_txn(b))
		return;
	void *stored;
	size_t stored_len;
	int found = store_reply_get(b->store, req->user, req->cmd_id, &stored, &stored_len);
	if (found < 0) {
		log_error("store: %s", store_errmsg(b->store));
		b->fatal = true;
		return;
	}
	if (found == 1) {
		/* a retry: the same answer as the first time, and no second change */
		b->st.replays++;
		broker_reply(b, p, stored, stored_len);
		free(stored);
		return;
	}
	op->handler(b, p, req, out);
	if (store_reply_put(b->store, req->user, req->cmd_id, rd_now_ms(), out->data, out->len) < 0) {
		log_error("store: %s", store_errmsg(b->store));
		b->fatal = true;
		return;
	}
	broker_reply(b, p, out->data, out->len);
}
