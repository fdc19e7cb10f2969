/* check-edit.c: corrections after intake (ticket.edit, PROTOCOL.md 7.20) and calls again
 * (ticket.callback, 7.21), end to end: the real broker in a thread on ipc:// endpoints with
 * the reference data of tests/fixture-town.c (a town at 36 km/h where the broker dispatches,
 * hills where agents do), through tests/harness-broker.c on a manual clock.
 *
 *   - each key of an edit changes the ticket and logs one `edit` event (the phone masked);
 *     the priority and, for the expressway flag, the promise follow;
 *   - the validation of intake.create, key by key, and the order of the errors;
 *   - closed tickets are refused (invalid_state), for both ops;
 *   - a move over 1 km re-dispatches an offered, accepted or en-route job; a fault the
 *     truck's kind cannot serve does too; a smaller move keeps the truck and moves its ETA;
 *   - a retry with the same cmd_id is applied once;
 *   - ticket.callback logs `callback` with its note. */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "broker.h"
#include "geo.h"
#include "proto.h"
#include "util.h"

#include "fixture-town.h"
#include "harness-broker.h"

static char base_dir[] = "/tmp/rd-check-edit-XXXXXX";

static void
setup(void)
{
	town_setup(base_dir, "CHECK_EDIT_LOG", "edit");
}

/* ---------------------------------------------------------------- helpers */

/* A call that must fail as town_fail_as, and the refusal's machine form (PROTOCOL.md 5.2):
 * its reason (NULL: none) into *e when e is not NULL. */
static void
fail_why(const char *user, enum proto_msg_id op, const void *args, enum proto_err code,
    const char *msg, const char *reason, struct proto_error_params *e)
{
	struct proto_reply r;

	harness_broker_call_as(&town_broker, user, op, args, &r);
	ck_assert_msg(!r.ok, "%s accepted", proto_descs[op].wire);
	ck_assert_int_eq(r.error.code, code);
	ck_assert_msg(strstr(r.error.message, msg) != NULL, "'%s' lacks '%s'", r.error.message,
	    msg);
	if (reason == NULL)
		ck_assert_msg(!PROTO_HAS(&r.error.params, error_params, reason), "%s: reason %s",
		    msg, r.error.params.reason);
	else
		ck_assert_str_eq(r.error.params.reason, reason);
	if (e != NULL)
		*e = r.error.params;
	proto_reply_finish(&r);
}

static struct proto_ticket_edit
edit_args(int64_t id)
{
	struct proto_ticket_edit a = { .id = id, .present = 0 };
	PROTO_SET(&a, ticket_edit, id);
	return a;
}

static struct proto_ticket
edit(const struct proto_ticket_edit *a)
{
	return town_ok_as("agent9", PROTO_MSG_ticket_edit, a);
}

/* An edit of the location alone; must succeed. */
static struct proto_ticket
edit_move(int64_t id, double lat, double lon)
{
	struct proto_ticket_edit a = edit_args(id);

	a.lat = lat;
	a.lon = lon;
	PROTO_SET(&a, ticket_edit, lat);
	PROTO_SET(&a, ticket_edit, lon);
	return edit(&a);
}

/* An edit of the fault alone; must succeed. */
static struct proto_ticket
edit_fault(int64_t id, const char *fault)
{
	struct proto_ticket_edit a = edit_args(id);

	PROTO_STRSET(a.fault, fault);
	PROTO_SET(&a, ticket_edit, fault);
	return edit(&a);
}

/* The details of the events of kind of ticket id, joined with " | ". */
static void
details_of(int64_t id, const char *kind, char *out, size_t n)
{
	struct proto_reply r;
	size_t len = 0;

	town_get_ticket(id, &r);
	out[0] = '\0';
	for (size_t i = 0; i < r.n_events && len < n; i++)
		if (strcmp(r.events[i].kind, kind) == 0)
			len += (size_t)snprintf(out + len, n - len, "%s%s", len ? " | " : "",
			    r.events[i].detail);
	proto_reply_finish(&r);
}

/* The n-th event (from 0) of ticket id with code into *e; false if there is none. */
static bool
event_coded(int64_t id, const char *code, int n, struct proto_event *e)
{
	struct proto_reply r;
	bool found = false;

	town_get_ticket(id, &r);
	for (size_t i = 0; i < r.n_events && !found; i++)
		if (PROTO_HAS(&r.events[i], event, code) && strcmp(r.events[i].code, code) == 0 &&
		    n-- == 0) {
			*e = r.events[i];
			found = true;
		}
	proto_reply_finish(&r);
	return found;
}

/* The edit event of field on ticket id has old and value (and no km or min when NULL/-1). */
static void
assert_edit(int64_t id, const char *field, const char *old, const char *value,
    const char *km, int min)
{
	struct proto_event e;

	for (int n = 0; event_coded(id, "edit", n, &e); n++) {
		if (strcmp(e.params.field, field) != 0)
			continue;
		ck_assert_str_eq(e.kind, "edit");
		ck_assert_str_eq(e.params.old, old);
		ck_assert_str_eq(e.params.value, value);
		ck_assert(PROTO_HAS(&e.params, event_params, km) == (km != NULL));
		if (km != NULL)
			ck_assert_str_eq(e.params.km, km);
		ck_assert(PROTO_HAS(&e.params, event_params, min) == (min >= 0));
		if (min >= 0)
			ck_assert_int_eq(e.params.min, min);
		return;
	}
	ck_abort_msg("no edit event of %s on ticket %lld", field, (long long)id);
}

/* ---------------------------------------------------------------- ticket.edit */

START_TEST(test_edit_each_key)
{
	struct proto_ticket t, u;
	struct proto_ticket_edit a;
	struct proto_reply r;
	char kinds[512], d[2000];

	t = town_create("hills", "battery", HILLS_LAT, HILLS_LON);
	ck_assert_str_eq(t.state, "new");
	ck_assert_int_eq(t.priority, 10);

	a = edit_args(t.id);
	PROTO_STRSET(a.customer, "王五");
	PROTO_SET(&a, ticket_edit, customer);
	PROTO_STRSET(a.phone, "139 0731 1234");
	PROTO_SET(&a, ticket_edit, phone);
	PROTO_STRSET(a.plate, "湘A·D12345");
	PROTO_SET(&a, ticket_edit, plate);
	PROTO_STRSET(a.model, "BYD Han");
	PROTO_SET(&a, ticket_edit, model);
	u = edit(&a);
	ck_assert_str_eq(u.customer, "王*"); /* replies carry them masked (PROTOCOL.md 8.1) */
	ck_assert_str_eq(u.phone, "139****1234");
	ck_assert_str_eq(u.plate, "湘A·D12345");
	ck_assert_str_eq(u.model, "BYD Han");
	ck_assert_str_eq(u.state, "new");

	a = edit_args(t.id);
	a.lat = HILLS_LAT + 0.001;
	a.lon = HILLS_LON;
	PROTO_SET(&a, ticket_edit, lat);
	PROTO_SET(&a, ticket_edit, lon);
	PROTO_STRSET(a.address, "km 12, old road");
	PROTO_SET(&a, ticket_edit, address);
	PROTO_STRSET(a.landmark, "Pass");
	PROTO_SET(&a, ticket_edit, landmark);
	u = edit(&a);
	ck_assert(u.lat == HILLS_LAT + 0.001 && u.lon == HILLS_LON);
	ck_assert_str_eq(u.address, "km 12, old road");
	ck_assert_str_eq(u.landmark, "Pass");

	/* the fault and the flags: the priority follows, the expressway's promise too */
	a = edit_args(t.id);
	PROTO_STRSET(a.fault, "accident_tow");
	PROTO_SET(&a, ticket_edit, fault);
	a.flags = 1 | 8;
	PROTO_SET(&a, ticket_edit, flags);
	u = edit(&a);
	ck_assert_str_eq(u.fault, "accident_tow");
	ck_assert_int_eq(u.flags, 9);
	ck_assert_int_eq(u.priority, 10 + 40 + 100 + 1000);
	ck_assert_int_eq(u.promised, u.created + 60 * 60000);	/* hills' expressway promise */
	ck_assert_int_eq(t.promised, t.created + 90 * 60000);

	/* the same values again: no change, no event */
	u = edit(&a);
	ck_assert_int_eq(edit(&a).ver, u.ver);

	town_event_kinds(t.id, kinds, sizeof kinds, &r);
	proto_reply_finish(&r);
	ck_assert_str_eq(kinds, "created edit edit edit edit edit edit edit edit edit");
	details_of(t.id, "edit", d, sizeof d);
	/* the name and the phone masked, as everywhere */
	ck_assert_msg(strstr(d, "customer: 李* -> 王*") != NULL, "%s", d);
	ck_assert_msg(strstr(d, "phone: 138****8000 -> 139****1234") != NULL, "%s", d);
	ck_assert_msg(strstr(d, "plate: 湘A·54321 -> 湘A·D12345") != NULL, "%s", d);
	ck_assert_msg(strstr(d, "model: \"\" -> BYD Han") != NULL, "%s", d);
	ck_assert_msg(strstr(d, "location: 29.50000,113.50000 -> 29.50100,113.50000 (moved 0.1 km)")
	    != NULL, "%s", d);
	ck_assert_msg(strstr(d, "address: test road -> km 12, old road") != NULL, "%s", d);
	ck_assert_msg(strstr(d, "fault: battery -> accident_tow") != NULL, "%s", d);
	ck_assert_msg(strstr(d, "flags: none -> expressway+injury; promised in 60 min") != NULL,
	    "%s", d);
	ck_assert_msg(strstr(d, "13907311234") == NULL && strstr(d, "139 0731 1234") == NULL,
	    "%s", d);
	/* the machine form of each (PROTOCOL.md 8.4) */
	assert_edit(t.id, "customer", "李*", "王*", NULL, -1);
	assert_edit(t.id, "phone", "138****8000", "139****1234", NULL, -1);
	assert_edit(t.id, "model", "", "BYD Han", NULL, -1);
	assert_edit(t.id, "location", "29.50000,113.50000", "29.50100,113.50000", "0.1", -1);
	assert_edit(t.id, "landmark", "", "Pass", NULL, -1);
	assert_edit(t.id, "fault", "battery", "accident_tow", NULL, -1);
	assert_edit(t.id, "flags", "none", "expressway+injury", NULL, 60);
}
END_TEST

/* The refusals with their machine form where they name a number or a name (5.2). */
static const struct {
	const char *what;
	enum proto_err code;
	const char *msg, *reason;
} edit_bad[] = {
	{ "nothing", PROTO_E_BAD_REQUEST, "nothing to change", NULL },
	{ "lat alone", PROTO_E_BAD_REQUEST, "location: lat and lon go together", NULL },
	{ "fault", PROTO_E_BAD_REQUEST, "unknown fault 'flat'", "unknown_fault" },
	{ "customer", PROTO_E_BAD_REQUEST, "customer: name is empty", NULL },
	{ "phone", PROTO_E_BAD_REQUEST, "phone: ", NULL },
	{ "plate", PROTO_E_BAD_REQUEST, "plate: empty", NULL },
	{ "address", PROTO_E_BAD_REQUEST, "address: empty", NULL },
	{ "far", PROTO_E_BAD_REQUEST, "km from region town; check the coordinates",
	    "far_from_region" },
	{ "no ticket", PROTO_E_NOT_FOUND, "no ticket 99", NULL },
};

START_TEST(test_edit_invalid)
{
	struct proto_ticket t = town_create("town", "battery", TOWN_LAT, TOWN_LON);
	struct proto_ticket_edit a = edit_args(t.id);
	char kinds[256];
	struct proto_reply r;

	switch (_i) {
	case 0:
		break;
	case 1:
		a.lat = TOWN_LAT;
		PROTO_SET(&a, ticket_edit, lat);
		break;
	case 2:
		PROTO_STRSET(a.fault, "flat");
		PROTO_SET(&a, ticket_edit, fault);
		/* checked before the others, as intake.create does */
		PROTO_SET(&a, ticket_edit, customer);
		break;
	case 3:
		PROTO_STRSET(a.customer, " \t");
		PROTO_SET(&a, ticket_edit, customer);
		PROTO_SET(&a, ticket_edit, plate);
		break;
	case 4:
		PROTO_STRSET(a.phone, "12-");
		PROTO_SET(&a, ticket_edit, phone);
		break;
	case 5:
		PROTO_SET(&a, ticket_edit, plate);
		break;
	case 6:
		PROTO_STRSET(a.address, "  ");
		PROTO_SET(&a, ticket_edit, address);
		break;
	case 7:
		a.lat = 35.0;	/* 760 km north */
		a.lon = TOWN_LON;
		PROTO_SET(&a, ticket_edit, lat);
		PROTO_SET(&a, ticket_edit, lon);
		break;
	case 8:
		a.id = 99;
		PROTO_STRSET(a.plate, "湘A12345");
		PROTO_SET(&a, ticket_edit, plate);
		break;
	}
	struct proto_error_params e;
	fail_why("agent9", PROTO_MSG_ticket_edit, &a, edit_bad[_i].code, edit_bad[_i].msg,
	    edit_bad[_i].reason, &e);
	if (_i == 2)
		ck_assert_str_eq(e.name, "flat");
	if (_i == 7) {
		char msg[64];
		ck_assert_str_eq(e.region, "town");
		snprintf(msg, sizeof msg, "location is %lld km from", (long long)e.km);
		town_fail_as("agent9", PROTO_MSG_ticket_edit, &a, edit_bad[_i].code, msg);
	}
	town_event_kinds(t.id, kinds, sizeof kinds, &r);
	proto_reply_finish(&r);
	ck_assert_msg(strstr(kinds, "edit") == NULL, "%s: %s", edit_bad[_i].what, kinds);
}
END_TEST

START_TEST(test_closed_refused)
{
	struct proto_ticket t = town_create("hills", "battery", HILLS_LAT, HILLS_LON);
	struct proto_ticket_cancel c = { .id = t.id, .present = PROTO_ALL };
	struct proto_ticket_edit a = edit_args(t.id);
	struct proto_ticket_callback cb = { .id = t.id, .present = 0 };

	PROTO_STRSET(c.reason, "the customer fixed it");
	town_ok_as("agent7", PROTO_MSG_ticket_cancel, &c);
	PROTO_STRSET(a.plate, "湘A12345");
	PROTO_SET(&a, ticket_edit, plate);
	struct proto_error_params e;
	fail_why("agent9", PROTO_MSG_ticket_edit, &a, PROTO_E_INVALID_STATE,
	    "is cancelled and can no longer be changed", "ticket_closed", &e);
	ck_assert_int_eq(e.ticket, t.id);
	ck_assert_str_eq(e.state, "cancelled");
	town_fail_as("agent9", PROTO_MSG_ticket_callback, &cb, PROTO_E_INVALID_STATE,
	    "is cancelled and can no longer be changed");
	cb.id = 77;
	town_fail_as("agent9", PROTO_MSG_ticket_callback, &cb, PROTO_E_NOT_FOUND, "no ticket 77");
}
END_TEST

/* An en-route truck, and the car moved 6 km south: the truck is released and the van
 * nearest the new place gets the offer. */
START_TEST(test_move_redispatches)
{
	struct proto_ticket t, u;
	struct proto_pub p;
	struct proto_reply r;
	char kinds[256], d[1000];

	town_van("A1", "alpha", 1);
	town_truck_at("A2", "van", "alpha", "town", TOWN_LAT - 0.06, TOWN_LON, 0);
	t = town_create("town", "battery", TOWN_LAT, TOWN_LON);
	ck_assert_str_eq(t.truck, "A1");
	struct proto_offer_accept acc = town_accept_args(t.id, "A1", 300);
	town_ok_as("alpha-desk", PROTO_MSG_offer_accept, &acc);
	town_set_state(t.id, "en_route");

	u = edit_move(t.id, TOWN_LAT - 0.055, TOWN_LON);
	ck_assert_str_eq(u.state, "dispatched");
	ck_assert_str_eq(u.truck, "A2");
	/* the ETA is the new truck's to the new place: 0.56 km at 10 m/s */
	ck_assert_int_le(u.eta - u.t_dispatched, 60000);
	town_expect(&p, (struct town_want){ .topic = PROTO_TOPIC_TRUCK, .truck = "A1",
	    .state = "available" }, "released truck");
	town_expect(&p, (struct town_want){ .topic = PROTO_TOPIC_TRUCK, .truck = "A2",
	    .state = "offered" }, "offered truck");
	town_event_kinds(t.id, kinds, sizeof kinds, &r);
	proto_reply_finish(&r);
	ck_assert_str_eq(kinds, "created offer accept state edit release offer");
	details_of(t.id, "release", d, sizeof d);
	ck_assert_msg(strstr(d, "A1 released: the car is 6.1 km from where the truck was sent")
	    != NULL, "%s", d);
	struct proto_event e;
	ck_assert(event_coded(t.id, "edit_moved", 0, &e));
	ck_assert_str_eq(e.params.truck, "A1");
	ck_assert_str_eq(e.params.km, "6.1");
	/* A1 did not decline: it may be offered the ticket again */
	town_step(1000);
}
END_TEST

/* A move under 1 km keeps the accepted truck; its ETA is to the new place at once. */
START_TEST(test_small_move_keeps_truck)
{
	struct proto_ticket t, u;
	struct proto_reply r;
	char kinds[256];

	town_van("A1", "alpha", 1);
	t = town_create("town", "battery", TOWN_LAT, TOWN_LON);
	struct proto_offer_accept acc = town_accept_args(t.id, "A1", 300);
	town_ok_as("alpha-desk", PROTO_MSG_offer_accept, &acc);

	struct geo_point to = geo_destination((struct geo_point){ TOWN_LAT, TOWN_LON }, 180, 800);
	u = edit_move(t.id, to.lat, to.lon);
	ck_assert_str_eq(u.state, "accepted");
	ck_assert_str_eq(u.truck, "A1");
	/* 1.8 km at 10 m/s from A1, 1 km north of the old place */
	ck_assert_str_eq(u.eta_src, "model");
	ck_assert_int_ge(u.eta - town_broker.now, 179000);
	ck_assert_int_le(u.eta - town_broker.now, 181000);
	town_event_kinds(t.id, kinds, sizeof kinds, &r);
	proto_reply_finish(&r);
	ck_assert_str_eq(kinds, "created offer accept edit eta");
	struct proto_event e;
	ck_assert(event_coded(t.id, "eta", 0, &e));
	ck_assert_int_eq(e.params.min, 3);
	ck_assert_str_eq(e.params.src, "model");
}
END_TEST

/* The fault now needs a tow: the van is released and the flatbed gets the offer; a fault
 * the van can still serve keeps it. */
START_TEST(test_fault_redispatches)
{
	struct proto_ticket t, u;
	struct proto_reply r;
	char kinds[256], d[1000];

	town_van("A1", "alpha", 1);
	town_truck_at("F1", "flatbed", "alpha", "town", TOWN_LAT, TOWN_LON, 3);
	t = town_create("town", "battery", TOWN_LAT, TOWN_LON);
	ck_assert_str_eq(t.truck, "A1");

	u = edit_fault(t.id, "fuel");
	ck_assert_str_eq(u.truck, "A1");
	ck_assert_str_eq(u.state, "dispatched");

	u = edit_fault(t.id, "mechanical_tow");
	ck_assert_str_eq(u.truck, "F1");
	ck_assert_str_eq(u.state, "dispatched");
	town_event_kinds(t.id, kinds, sizeof kinds, &r);
	proto_reply_finish(&r);
	ck_assert_str_eq(kinds, "created offer edit edit release offer");
	details_of(t.id, "release", d, sizeof d);
	ck_assert_msg(strstr(d, "A1 released: a van cannot handle mechanical_tow") != NULL,
	    "%s", d);
	struct proto_event e;
	ck_assert(event_coded(t.id, "edit_fault", 0, &e));
	ck_assert_str_eq(e.params.truck, "A1");
	ck_assert_str_eq(e.params.kind, "van");
	ck_assert_str_eq(e.params.fault, "mechanical_tow");
}
END_TEST

/* A waiting ticket no truck could serve is offered at once when its fault changes. */
START_TEST(test_waiting_fault_dispatches)
{
	struct proto_ticket t, u;

	town_van("A1", "alpha", 1);
	t = town_create("town", "winch", TOWN_LAT, TOWN_LON);
	ck_assert_str_eq(t.state, "new");
	u = edit_fault(t.id, "battery");
	ck_assert_str_eq(u.state, "dispatched");
	ck_assert_str_eq(u.truck, "A1");
}
END_TEST

/* Where agents dispatch, a re-dispatch leaves the ticket new, for an agent to choose. */
START_TEST(test_move_agent_region)
{
	struct proto_ticket t, u;
	struct proto_ticket_assign as = { .present = PROTO_ALL };

	town_truck_at("G1", "van", "gamma", "hills", HILLS_LAT, HILLS_LON, 1);
	t = town_create("hills", "battery", HILLS_LAT, HILLS_LON);
	as.id = t.id;
	PROTO_STRSET(as.truck, "G1");
	town_ok_as("agent7", PROTO_MSG_ticket_assign, &as);
	u = edit_move(t.id, HILLS_LAT + 0.05, HILLS_LON);
	ck_assert_str_eq(u.state, "new");
	ck_assert(!PROTO_HAS(&u, ticket, truck));
}
END_TEST

/* The refusals an agent meets in the intake form and choosing a truck carry their machine
 * form (PROTOCOL.md 5.2): the reason and the numbers and names the message has. */
START_TEST(test_refusal_params)
{
	struct proto_intake_create in = { .lat = 35.0, .lon = TOWN_LON, .present = 0 };
	struct proto_ticket_assign as = { .present = PROTO_ALL };
	struct proto_error_params e;
	struct proto_ticket t1, t2, t3;

	PROTO_STRSET(in.customer, "李四");
	PROTO_STRSET(in.phone, "13800138000");
	PROTO_STRSET(in.plate, "湘A·54321");
	PROTO_STRSET(in.address, "test road");
	PROTO_STRSET(in.fault, "battery");
	PROTO_STRSET(in.region, "town");
	fail_why("agent7", PROTO_MSG_intake_create, &in, PROTO_E_BAD_REQUEST, "km from region town",
	    "far_from_region", &e);
	ck_assert_str_eq(e.region, "town");
	ck_assert_int_gt(e.km, 700);
	ck_assert_int_lt(e.km, 800);
	PROTO_STRSET(in.region, "nowhere");
	fail_why("agent7", PROTO_MSG_intake_create, &in, PROTO_E_BAD_REQUEST, "unknown region",
	    "unknown_region", &e);
	ck_assert_str_eq(e.name, "nowhere");
	PROTO_STRSET(in.region, "town");
	PROTO_STRSET(in.fault, "flat");
	fail_why("agent7", PROTO_MSG_intake_create, &in, PROTO_E_BAD_REQUEST, "unknown fault",
	    "unknown_fault", &e);
	ck_assert_str_eq(e.name, "flat");

	town_truck_at("G1", "van", "gamma", "hills", HILLS_LAT, HILLS_LON, 1);
	town_truck_at("G2", "van", "gamma", "hills", HILLS_LAT, HILLS_LON, 2);
	t1 = town_create("hills", "battery", HILLS_LAT, HILLS_LON);
	t2 = town_create("hills", "battery", HILLS_LAT, HILLS_LON);
	t3 = town_create("hills", "accident_tow", HILLS_LAT, HILLS_LON);
	as.id = t1.id;
	PROTO_STRSET(as.truck, "G1");
	town_ok_as("agent7", PROTO_MSG_ticket_assign, &as);
	fail_why("agent7", PROTO_MSG_ticket_assign, &as, PROTO_E_CONFLICT, "already has",
	    "truck_has_ticket", &e);
	ck_assert_str_eq(e.truck, "G1");
	ck_assert_int_eq(e.ticket, t1.id);
	as.id = t2.id;
	fail_why("agent7", PROTO_MSG_ticket_assign, &as, PROTO_E_CONFLICT, "is busy with",
	    "truck_busy", &e);
	ck_assert_int_eq(e.ticket, t1.id);
	as.id = t3.id;
	PROTO_STRSET(as.truck, "G2");
	fail_why("agent7", PROTO_MSG_ticket_assign, &as, PROTO_E_INVALID_STATE, "cannot handle",
	    "wrong_kind", &e);
	ck_assert_str_eq(e.kind, "van");
	ck_assert_str_eq(e.fault, "accident_tow");
	ck_assert(!PROTO_HAS(&e, error_params, need));
	PROTO_STRSET(as.truck, "ZZ-1");
	fail_why("agent7", PROTO_MSG_ticket_assign, &as, PROTO_E_NOT_FOUND, "no truck",
	    "no_truck", &e);
	ck_assert_str_eq(e.truck, "ZZ-1");
}
END_TEST

/* A retry with the same cmd_id gets the same answer and changes nothing more. */
START_TEST(test_edit_retry)
{
	struct proto_ticket t = town_create("hills", "battery", HILLS_LAT, HILLS_LON);
	struct proto_ticket_edit a = edit_args(t.id);
	struct proto_buf q, raw1, raw2;
	struct proto_reply r;
	char kinds[256];

	PROTO_STRSET(a.plate, "湘A12345");
	PROTO_SET(&a, ticket_edit, plate);
	proto_buf_init(&q);
	proto_buf_init(&raw1);
	proto_buf_init(&raw2);
	proto_encode_request(&q, PROTO_MSG_ticket_edit, "edit-retry-1", "agent9", &a);
	harness_broker_exchange(&town_broker, q.data, q.len, &raw1);
	/* meanwhile another agent changes the plate back */
	PROTO_STRSET(a.plate, "湘A·54321");
	edit(&a);
	harness_broker_exchange(&town_broker, q.data, q.len, &raw2);
	ck_assert_uint_eq(raw1.len, raw2.len);
	ck_assert(memcmp(raw1.data, raw2.data, raw1.len) == 0);
	town_get_ticket(t.id, &r);
	ck_assert_str_eq(r.ticket.plate, "湘A·54321");
	proto_reply_finish(&r);
	town_event_kinds(t.id, kinds, sizeof kinds, &r);
	proto_reply_finish(&r);
	ck_assert_str_eq(kinds, "created edit edit");
	proto_buf_finish(&q);
	proto_buf_finish(&raw1);
	proto_buf_finish(&raw2);
}
END_TEST

/* ---------------------------------------------------------------- ticket.callback */

START_TEST(test_callback)
{
	struct proto_ticket t = town_create("hills", "battery", HILLS_LAT, HILLS_LON), u;
	struct proto_ticket_callback cb = { .id = t.id, .present = 0 };
	struct proto_reply r;
	char kinds[256];

	u = town_ok_as("agent9", PROTO_MSG_ticket_callback, &cb);
	ck_assert_int_eq(u.id, t.id);
	ck_assert_int_gt(u.ver, t.ver);
	PROTO_STRSET(cb.note, "asks where the truck is");
	PROTO_SET(&cb, ticket_callback, note);
	town_ok_as("agent9", PROTO_MSG_ticket_callback, &cb);
	town_event_kinds(t.id, kinds, sizeof kinds, &r);
	ck_assert_str_eq(kinds, "created callback callback");
	ck_assert_str_eq(r.events[1].detail, "the customer called again");
	ck_assert_str_eq(r.events[1].user, "agent9");
	ck_assert_str_eq(r.events[2].detail, "the customer called again: asks where the truck is");
	ck_assert_str_eq(r.events[1].code, "callback");
	ck_assert(!PROTO_HAS(&r.events[1].params, event_params, text));
	ck_assert_str_eq(r.events[2].code, "callback");
	ck_assert_str_eq(r.events[2].params.text, "asks where the truck is");
	proto_reply_finish(&r);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("edit");
	TCase *tc = harness_broker_tcase(s, "edit", setup, town_teardown);

	tcase_add_test(tc, test_edit_each_key);
	tcase_add_loop_test(tc, test_edit_invalid, 0, (int)ARRAY_LEN(edit_bad));
	tcase_add_test(tc, test_closed_refused);
	tcase_add_test(tc, test_move_redispatches);
	tcase_add_test(tc, test_small_move_keeps_truck);
	tcase_add_test(tc, test_fault_redispatches);
	tcase_add_test(tc, test_move_agent_region);
	tcase_add_test(tc, test_refusal_params);
	tcase_add_test(tc, test_waiting_fault_dispatches);
	tcase_add_test(tc, test_edit_retry);
	tcase_add_test(tc, test_callback);
	return harness_broker_main(s, base_dir);
}
