/* broker-edit.c: what an agent changes on a ticket after intake: ticket.edit (a correction
 * of the caller's details, the place, the fault, the flags; PROTOCOL.md 7.20) and
 * ticket.callback (the customer called again; 7.21). Rows of the op table (broker-ops.c).
 *
 * An edit is validated as intake.create validates the same keys, logs one `edit` event a
 * changed key (the phone and the name masked), and when the change makes the job another one (the car
 * is more than BROKER_EDIT_MOVE_M away from where it was, or the truck's kind cannot serve
 * the new fault) takes the truck off an offered, accepted or en-route job and dispatches
 * it again as a re-dispatch does (broker_take_truck, then the ranked offer where the
 * region dispatches by itself). A smaller move keeps the truck, and its ETA follows the
 * new place at once; a waiting ticket that moved or changed its fault is tried again
 * at once where the broker dispatches. Calls broker-dispatch.c, broker-eta.c and broker-emit.c. */
#include "broker-int.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "util.h"

#define DETAIL_MAX 1000

static struct bticket *
open_ticket(struct broker *b, const struct proto_request *req, int64_t id,
    struct proto_buf *out)
{
	struct bticket *t = broker_ticket(b, id);
	struct proto_error_params e;

	if (t == NULL) {
		broker_reply_error(out, req, PROTO_E_NOT_FOUND, "no ticket %" PRId64, id);
		return NULL;
	}
	if (ticket_state_final(t->state)) {
		broker_err_init(&e, "ticket_closed");
		BERR_INT(&e, ticket, t->w.id);
		BERR_STR(&e, state, ticket_state_name(t->state));
		broker_reply_error_why(out, req, PROTO_E_INVALID_STATE, NULL, &e, "ticket %" PRId64
		    " is %s and can no longer be changed", t->w.id, ticket_state_name(t->state));
		return NULL;
	}
	return t;
}

/* "28.19600,112.97680" */
static void
format_point(double lat, double lon, char *out, size_t sz)
{
	snprintf(out, sz, "%.5f,%.5f", lat, lon);
}

/* The flags as words: "expressway+injury", "none". */
static void
format_flags(int64_t flags, char *out, size_t sz)
{
	static const char *const names[] = { "expressway", "alone_night", "vulnerable",
		"injury" };
	size_t n = 0;

	out[0] = '\0';
	for (size_t i = 0; i < ARRAY_LEN(names); i++) {
		if ((flags & (1 << i)) == 0 || n >= sz)
			continue;
		n += (size_t)snprintf(out + n, sz - n, "%s%s", n ? "+" : "", names[i]);
	}
	if (out[0] == '\0')
		snprintf(out, sz, "none");
}

/* One `edit` event: "key: old -> new" (either may be "" for an empty value), code edit
 * with field, old and value (PROTOCOL.md 8.4); km: the move of a location (NULL: none);
 * min >= 0: the promise the flags gave. */
static void
log_edit(struct broker *b, struct bticket *t, const char *user, const char *key,
    const char *from, const char *to, const char *km, int min)
{
	char detail[DETAIL_MAX], more[96] = "";
	struct broker_why w;

	broker_why_init(&w, "edit");
	BWHY_STR(&w, field, key);
	BWHY_STR(&w, old, from);
	BWHY_STR(&w, value, to);
	if (km != NULL) {
		BWHY_STR(&w, km, km);
		snprintf(more, sizeof more, " (moved %s km)", km);
	}
	if (min >= 0) {
		BWHY_INT(&w, min, min);
		snprintf(more, sizeof more, "; promised in %d min from the call", min);
	}
	snprintf(detail, sizeof detail, "%s: %s -> %s%s", key, from[0] ? from : "\"\"",
	    to[0] ? to : "\"\"", more);
	broker_emit_ticket_why(b, t, EVENT_EDIT, user, detail, &w);
}

/* A text key of the edit: changed when given and not equal to what the ticket has. */
static void
edit_text(struct broker *b, struct bticket *t, const char *user, const char *key,
    char *field, size_t field_sz, const char *value)
{
	char from[256];

	if (strcmp(field, value) == 0)
		return;
	rd_strlcpy(from, field, sizeof from);
	proto_strset(field, field_sz, value);
	log_edit(b, t, user, key, from, field, NULL, -1);
}

/* Whether the job t's truck has is another one now: the truck is no longer the right one
 * for the fault, or the car is far from where the truck was sent. */
static bool
job_changed(const struct broker *b, const struct bticket *t, double moved_m,
    bool fault_changed)
{
	const struct btruck *k = t->truck;

	if (k == NULL || (t->state != TICKET_DISPATCHED && t->state != TICKET_ACCEPTED &&
	    t->state != TICKET_EN_ROUTE))
		return false;
	if (moved_m > BROKER_EDIT_MOVE_M)
		return true;
	return fault_changed && !PROTO_HAS(&t->w, ticket, need_kind) &&
	    !(b->rules.kinds[t->fault] & (1u << k->kind));
}

int
broker_op_edit(struct broker *b, const struct peer *p, const struct proto_request *req,
    struct proto_buf *out)
{
	const struct proto_ticket_edit *a = &req->args.ticket_edit;
	struct bticket *t = open_ticket(b, req, a->id, out);
	bool has_lat = PROTO_HAS(a, ticket_edit, lat), has_lon = PROTO_HAS(a, ticket_edit, lon);
	int fault = -1;
	const char *why;
	struct proto_error_params e;
	char from[96], to[96], km[16];

	(void)p;
	if (t == NULL)
		return -1;
	if ((a->present & ~((uint64_t)1 << PROTO_ticket_edit_id)) == 0)
		return broker_reply_error(out, req, PROTO_E_BAD_REQUEST, "nothing to change");
	if (has_lat != has_lon)
		return broker_reply_error_at(out, req, PROTO_E_BAD_REQUEST, "lat",
		    "location: lat and lon go together");
	if (PROTO_HAS(a, ticket_edit, fault) && (fault = ticket_fault_parse(a->fault)) < 0) {
		broker_err_init(&e, "unknown_fault");
		BERR_STR(&e, name, a->fault);
		return broker_reply_error_why(out, req, PROTO_E_BAD_REQUEST, "fault", &e,
		    "unknown fault '%.24s'", a->fault);
	}
	if (PROTO_HAS(a, ticket_edit, customer) && broker_blank(a->customer))
		return broker_reply_error_at(out, req, PROTO_E_BAD_REQUEST, "customer",
		    "customer: name is empty");
	if (PROTO_HAS(a, ticket_edit, phone) && (why = ticket_phone_invalid(a->phone)) != NULL)
		return broker_reply_error_at(out, req, PROTO_E_BAD_REQUEST, "phone", "phone: %s", why);
	if (PROTO_HAS(a, ticket_edit, plate) && broker_blank(a->plate))
		return broker_reply_error_at(out, req, PROTO_E_BAD_REQUEST, "plate", "plate: empty");
	if (PROTO_HAS(a, ticket_edit, lang) && broker_tell_bad_lang(out, req, a->lang))
		return -1;
	if (PROTO_HAS(a, ticket_edit, address) && broker_blank(a->address))
		return broker_reply_error_at(out, req, PROTO_E_BAD_REQUEST, "address",
		    "address: empty");
	if (has_lat && t->region != NULL) {
		double d = geo_distance_m((struct geo_point){ a->lat, a->lon },
		    (struct geo_point){ t->region->lat, t->region->lon });
		if (d > BROKER_FAR_FROM_REGION_M) {
			broker_err_init(&e, "far_from_region");
			BERR_INT(&e, km, (int64_t)lround(d / 1000));
			BERR_STR(&e, region, t->region->id);
			return broker_reply_error_why(out, req, PROTO_E_BAD_REQUEST, "lat", &e,
			    "location is %.0f km from region %s; check the coordinates", d / 1000,
			    t->region->id);
		}
	}

	int64_t now = broker_now(b);
	const char *user = req->user;
	double moved = 0;
	bool fault_changed = false;

	if (PROTO_HAS(a, ticket_edit, customer) && strcmp(t->w.customer, a->customer) != 0) {
		/* the history is shown to clients: the name masked, as the phone */
		ticket_mask_name(t->w.customer, from, sizeof from);
		ticket_mask_name(a->customer, to, sizeof to);
		PROTO_STRSET(t->w.customer, a->customer);
		log_edit(b, t, user, "customer", from, to, NULL, -1);
	}
	if (PROTO_HAS(a, ticket_edit, phone) && strcmp(t->w.phone, a->phone) != 0) {
		ticket_mask_phone(t->w.phone, from, sizeof from);
		ticket_mask_phone(a->phone, to, sizeof to);
		PROTO_STRSET(t->w.phone, a->phone);
		log_edit(b, t, user, "phone", from, to, NULL, -1);
	}
	if (PROTO_HAS(a, ticket_edit, plate))
		edit_text(b, t, user, "plate", t->w.plate, sizeof t->w.plate, a->plate);
	if (PROTO_HAS(a, ticket_edit, model)) {
		edit_text(b, t, user, "model", t->w.model, sizeof t->w.model, a->model);
		PROTO_SET(&t->w, ticket, model);
	}
	if (has_lat && (a->lat != t->w.lat || a->lon != t->w.lon)) {
		moved = geo_distance_m((struct geo_point){ t->w.lat, t->w.lon },
		    (struct geo_point){ a->lat, a->lon });
		format_point(t->w.lat, t->w.lon, from, sizeof from);
		format_point(a->lat, a->lon, to, sizeof to);
		t->w.lat = a->lat;
		t->w.lon = a->lon;
		snprintf(km, sizeof km, "%.1f", moved / 1000);
		log_edit(b, t, user, "location", from, to, km, -1);
	}
	if (PROTO_HAS(a, ticket_edit, lang) && strcmp(a->lang, t->w.lang) != 0) {
		edit_text(b, t, user, "lang", t->w.lang, sizeof t->w.lang, a->lang);
		broker_tell_set_lang(&t->w, a->lang);
	}
	if (PROTO_HAS(a, ticket_edit, address))
		edit_text(b, t, user, "address", t->w.address, sizeof t->w.address, a->address);
	if (PROTO_HAS(a, ticket_edit, landmark)) {
		edit_text(b, t, user, "landmark", t->w.landmark, sizeof t->w.landmark,
		    a->landmark);
		PROTO_SET(&t->w, ticket, landmark);
	}
	if (fault >= 0 && (enum ticket_fault)fault != t->fault) {
		rd_strlcpy(from, t->w.fault, sizeof from);
		t->fault = (enum ticket_fault)fault;
		PROTO_STRSET(t->w.fault, ticket_fault_name(t->fault));
		fault_changed = true;
		log_edit(b, t, user, "fault", from, t->w.fault, NULL, -1);
	}
	if (PROTO_HAS(a, ticket_edit, flags) && a->flags != t->w.flags) {
		bool was_xw = (t->w.flags & TICKET_FLAG_EXPRESSWAY) != 0;
		bool xw = (a->flags & TICKET_FLAG_EXPRESSWAY) != 0;
		format_flags(t->w.flags, from, sizeof from);
		format_flags(a->flags, to, sizeof to);
		t->w.flags = a->flags;
		PROTO_SET(&t->w, ticket, flags);
		int min = -1;
		if (was_xw != xw && t->region != NULL) {
			/* the promise is the one the call would have had */
			min = xw ? t->region->promise_expressway_min : t->region->promise_min;
			t->w.promised = t->w.created + (int64_t)min * 60000;
			PROTO_SET(&t->w, ticket, promised);
		}
		log_edit(b, t, user, "flags", from, to, NULL, min);
	}
	t->w.priority = ticket_priority((uint32_t)t->w.flags, t->fault);

	if (job_changed(b, t, moved, fault_changed)) {
		char reason[160];
		struct broker_why tw, kw;
		if (moved > BROKER_EDIT_MOVE_M) {
			snprintf(km, sizeof km, "%.1f", moved / 1000);
			snprintf(reason, sizeof reason,
			    "the car is %s km from where the truck was sent", km);
			broker_why_init(&tw, "edit_moved");
			broker_why_init(&kw, "released_moved");
			BWHY_STR(&tw, km, km);
			BWHY_STR(&kw, km, km);
		} else {
			snprintf(reason, sizeof reason, "a %s cannot handle %s", t->truck->w.kind,
			    t->w.fault);
			broker_why_init(&tw, "edit_fault");
			broker_why_init(&kw, "released_fault");
			BWHY_STR(&tw, kind, t->truck->w.kind);
			BWHY_STR(&tw, fault, t->w.fault);
			BWHY_STR(&kw, kind, t->truck->w.kind);
			BWHY_STR(&kw, fault, t->w.fault);
		}
		BWHY_STR(&tw, truck, t->truck->w.id);
		BWHY_INT(&kw, ticket, t->w.id);
		log_info("ticket %" PRId64 " edited: %s", t->w.id, reason);
		broker_take_truck_why(b, t, user, reason, &tw, &kw);
		if (broker_auto_region(t))
			broker_try_dispatch(b, t);
	} else if (moved > 0 && t->truck != NULL && t->truck->placed &&
	    (t->state == TICKET_DISPATCHED || t->state == TICKET_ACCEPTED ||
	    t->state == TICKET_EN_ROUTE)) {
		/* the same truck to a nearby place: the ETA follows it now, the watch after */
		int64_t eta = now + broker_travel_ms(b, t, t->truck, now);
		char detail[64];
		struct broker_why w;
		int64_t min = (eta - now + 59999) / 60000;
		broker_set_eta(t, eta, b->eta->src);
		t->eta_updated = now;
		snprintf(detail, sizeof detail, "ETA now %" PRId64 " min (%s)", min, b->eta->src);
		broker_why_init(&w, "eta");
		BWHY_INT(&w, min, min);
		BWHY_STR(&w, src, b->eta->src);
		broker_emit_ticket_why(b, t, EVENT_ETA, user, detail, &w);
	} else if (t->state == TICKET_NEW && (moved > 0 || fault_changed) &&
	    broker_auto_region(t)) {
		/* waiting: a truck that could not serve it before may now (as at intake) */
		broker_try_dispatch(b, t);
	}
	broker_reply_ticket(out, req, t);
	return 0;
}

int
broker_op_callback(struct broker *b, const struct peer *p, const struct proto_request *req,
    struct proto_buf *out)
{
	const struct proto_ticket_callback *a = &req->args.ticket_callback;
	struct bticket *t = open_ticket(b, req, a->id, out);
	char detail[DETAIL_MAX];
	struct broker_why w;

	(void)p;
	if (t == NULL)
		return -1;
	broker_why_init(&w, "callback");
	if (broker_blank(a->note)) {
		snprintf(detail, sizeof detail, "the customer called again");
	} else {
		snprintf(detail, sizeof detail, "the customer called again: %s", a->note);
		BWHY_STR(&w, text, a->note);
	}
	broker_emit_ticket_why(b, t, EVENT_CALLBACK, req->user, detail, &w);
	t->callbacks++;
	t->last_callback = broker_now(b);
	broker_watch_ticket(b, t, t->last_callback); /* the callback warning at once */
	broker_reply_ticket(out, req, t);
	return 0;
}
