/* check-ticket.c: unit tests for the ticket model. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "proto.h"
#include "ticket.h"

#define N TICKET_NEW
#define D TICKET_DISPATCHED
#define A TICKET_ACCEPTED
#define E TICKET_EN_ROUTE
#define O TICKET_ON_SCENE
#define T TICKET_TOWING
#define C TICKET_COMPLETED
#define X TICKET_CANCELLED
#define R TICKET_RESOLVED_REMOTE

/*
 * Expected transitions, written out independently of ticket.c: expected[from][to].
 * Columns in enum order: new dispatched accepted en_route on_scene towing completed
 * cancelled resolved_remote.
 */
static const int expected[TICKET_STATE_COUNT][TICKET_STATE_COUNT] = {
	/*            N  D  A  E  O  T  C  X  R */
	[N] = { 0, 1, 0, 0, 0, 0, 0, 1, 1 },
	[D] = { 1, 1, 1, 0, 0, 0, 0, 1, 0 },
	[A] = { 1, 1, 0, 1, 0, 0, 0, 1, 0 },
	[E] = { 1, 1, 0, 0, 1, 0, 0, 1, 0 },
	[O] = { 0, 0, 0, 0, 0, 1, 1, 1, 0 },
	[T] = { 0, 0, 0, 0, 0, 0, 1, 0, 0 },
	[C] = { 0, 0, 0, 0, 0, 0, 0, 0, 0 },
	[X] = { 0, 0, 0, 0, 0, 0, 0, 0, 0 },
	[R] = { 0, 0, 0, 0, 0, 0, 0, 0, 0 },
};

START_TEST(test_transition_pair)
{
	/* One loop iteration per (from, to) pair. */
	int from = _i / TICKET_STATE_COUNT, to = _i % TICKET_STATE_COUNT;
	bool got = ticket_transition_ok((enum ticket_state)from, (enum ticket_state)to);

	ck_assert_msg(got == (expected[from][to] != 0), "%s -> %s: got %d, want %d",
	    ticket_state_name((enum ticket_state)from), ticket_state_name((enum ticket_state)to),
	    got, expected[from][to]);
}
END_TEST

START_TEST(test_transition_out_of_range)
{
	ck_assert(!ticket_transition_ok((enum ticket_state)-1, TICKET_NEW));
	ck_assert(!ticket_transition_ok(TICKET_NEW, (enum ticket_state)-1));
	ck_assert(!ticket_transition_ok(TICKET_STATE_COUNT, TICKET_NEW));
	ck_assert(!ticket_transition_ok(TICKET_NEW, TICKET_STATE_COUNT));
	ck_assert(!ticket_transition_ok((enum ticket_state)1000, TICKET_NEW));
}
END_TEST

START_TEST(test_final)
{
	int s, t;
	bool any_out;

	for (s = 0; s < TICKET_STATE_COUNT; s++) {
		bool want = s == C || s == X || s == R;
		ck_assert_msg(ticket_state_final((enum ticket_state)s) == want, "%s",
		    ticket_state_name((enum ticket_state)s));
		/* Final means no way out; non-final means at least one. */
		any_out = false;
		for (t = 0; t < TICKET_STATE_COUNT; t++)
			any_out |= ticket_transition_ok((enum ticket_state)s, (enum ticket_state)t);
		ck_assert(any_out == !want);
	}
}
END_TEST

/* Every state can still reach some final state (no dead ends in the graph). */
START_TEST(test_final_reachable)
{
	bool reach[TICKET_STATE_COUNT];
	bool changed = true;
	int s, t;

	for (s = 0; s < TICKET_STATE_COUNT; s++)
		reach[s] = ticket_state_final((enum ticket_state)s);
	while (changed) {
		changed = false;
		for (s = 0; s < TICKET_STATE_COUNT; s++) {
			for (t = 0; t < TICKET_STATE_COUNT && !reach[s]; t++) {
				if (reach[t] &&
				    ticket_transition_ok((enum ticket_state)s, (enum ticket_state)t)) {
					reach[s] = true;
					changed = true;
				}
			}
		}
	}
	for (s = 0; s < TICKET_STATE_COUNT; s++)
		ck_assert(reach[s]);
}
END_TEST

struct name_case {
	const char *name;
	int value;
};

static const struct name_case state_cases[] = {
	{ "new", TICKET_NEW },
	{ "dispatched", TICKET_DISPATCHED },
	{ "accepted", TICKET_ACCEPTED },
	{ "en_route", TICKET_EN_ROUTE },
	{ "on_scene", TICKET_ON_SCENE },
	{ "towing", TICKET_TOWING },
	{ "completed", TICKET_COMPLETED },
	{ "cancelled", TICKET_CANCELLED },
	{ "resolved_remote", TICKET_RESOLVED_REMOTE },
};

static const struct name_case fault_cases[] = {
	{ "battery", FAULT_BATTERY },
	{ "tyre", FAULT_TYRE },
	{ "fuel", FAULT_FUEL },
	{ "lockout", FAULT_LOCKOUT },
	{ "no_start", FAULT_NO_START },
	{ "overheat", FAULT_OVERHEAT },
	{ "warning_light", FAULT_WARNING_LIGHT },
	{ "ev", FAULT_EV },
	{ "mechanical_tow", FAULT_MECHANICAL_TOW },
	{ "accident_tow", FAULT_ACCIDENT_TOW },
	{ "winch", FAULT_WINCH },
};

static const struct name_case kind_cases[] = {
	{ "van", TRUCK_KIND_VAN },
	{ "wheel_lift", TRUCK_KIND_WHEEL_LIFT },
	{ "flatbed", TRUCK_KIND_FLATBED },
	{ "heavy", TRUCK_KIND_HEAVY },
};

static const struct name_case status_cases[] = {
	{ "available", TRUCK_AVAILABLE },
	{ "offered", TRUCK_OFFERED },
	{ "assigned", TRUCK_ASSIGNED },
	{ "en_route", TRUCK_EN_ROUTE },
	{ "on_scene", TRUCK_ON_SCENE },
	{ "towing", TRUCK_TOWING },
	{ "off_duty", TRUCK_OFF_DUTY },
};

/* Names that no table accepts: case, spacing, prefixes, empty. */
static const char *const bad_names[] = {
	"", "New", "NEW", " new", "new ", "ne", "news", "en-route", "onscene", "?", "van2",
	"Battery", "tyres", "heavy ", "Available",
};

START_TEST(test_names)
{
	size_t i;

	ck_assert_uint_eq(sizeof state_cases / sizeof state_cases[0], TICKET_STATE_COUNT);
	ck_assert_uint_eq(sizeof fault_cases / sizeof fault_cases[0], FAULT_COUNT);
	ck_assert_uint_eq(sizeof kind_cases / sizeof kind_cases[0], TRUCK_KIND_COUNT);
	ck_assert_uint_eq(sizeof status_cases / sizeof status_cases[0], TRUCK_STATUS_COUNT);

	for (i = 0; i < sizeof state_cases / sizeof state_cases[0]; i++) {
		ck_assert_str_eq(ticket_state_name((enum ticket_state)state_cases[i].value),
		    state_cases[i].name);
		ck_assert_int_eq(ticket_state_parse(state_cases[i].name), state_cases[i].value);
	}
	for (i = 0; i < sizeof fault_cases / sizeof fault_cases[0]; i++) {
		ck_assert_str_eq(ticket_fault_name((enum ticket_fault)fault_cases[i].value),
		    fault_cases[i].name);
		ck_assert_int_eq(ticket_fault_parse(fault_cases[i].name), fault_cases[i].value);
	}
	for (i = 0; i < sizeof kind_cases / sizeof kind_cases[0]; i++) {
		ck_assert_str_eq(truck_kind_name((enum truck_kind)kind_cases[i].value),
		    kind_cases[i].name);
		ck_assert_int_eq(truck_kind_parse(kind_cases[i].name), kind_cases[i].value);
	}
	for (i = 0; i < sizeof status_cases / sizeof status_cases[0]; i++) {
		ck_assert_str_eq(truck_status_name((enum truck_status)status_cases[i].value),
		    status_cases[i].name);
		ck_assert_int_eq(truck_status_parse(status_cases[i].name), status_cases[i].value);
	}
}
END_TEST

START_TEST(test_names_round_trip)
{
	int i;

	for (i = 0; i < TICKET_STATE_COUNT; i++)
		ck_assert_int_eq(ticket_state_parse(ticket_state_name((enum ticket_state)i)), i);
	for (i = 0; i < FAULT_COUNT; i++)
		ck_assert_int_eq(ticket_fault_parse(ticket_fault_name((enum ticket_fault)i)), i);
	for (i = 0; i < TRUCK_KIND_COUNT; i++)
		ck_assert_int_eq(truck_kind_parse(truck_kind_name((enum truck_kind)i)), i);
	for (i = 0; i < TRUCK_STATUS_COUNT; i++)
		ck_assert_int_eq(truck_status_parse(truck_status_name((enum truck_status)i)), i);
}
END_TEST

START_TEST(test_names_bad)
{
	size_t i;

	for (i = 0; i < sizeof bad_names / sizeof bad_names[0]; i++) {
		ck_assert_int_eq(ticket_state_parse(bad_names[i]), -1);
		ck_assert_int_eq(ticket_fault_parse(bad_names[i]), -1);
		ck_assert_int_eq(truck_kind_parse(bad_names[i]), -1);
		ck_assert_int_eq(truck_status_parse(bad_names[i]), -1);
	}
	ck_assert_int_eq(ticket_state_parse(NULL), -1);
	/* Out-of-range values still give a printable string. */
	ck_assert_ptr_nonnull(ticket_state_name(TICKET_STATE_COUNT));
	ck_assert_ptr_nonnull(ticket_fault_name(FAULT_COUNT));
	ck_assert_ptr_nonnull(truck_kind_name(TRUCK_KIND_COUNT));
	ck_assert_ptr_nonnull(truck_status_name(TRUCK_STATUS_COUNT));
	ck_assert_ptr_nonnull(ticket_state_name((enum ticket_state)-1));
}
END_TEST

#define KV (1u << TRUCK_KIND_VAN)
#define KW (1u << TRUCK_KIND_WHEEL_LIFT)
#define KF (1u << TRUCK_KIND_FLATBED)
#define KH (1u << TRUCK_KIND_HEAVY)

/* Written out per truck kind in the brief, transposed here per fault. */
static const uint32_t expected_kinds[FAULT_COUNT] = {
	[FAULT_BATTERY] = KV | KW | KF,
	[FAULT_TYRE] = KV | KW | KF,
	[FAULT_FUEL] = KV | KW | KF,
	[FAULT_LOCKOUT] = KV | KF,
	[FAULT_NO_START] = KV | KW | KF,
	[FAULT_OVERHEAT] = KV | KW | KF,
	[FAULT_WARNING_LIGHT] = KV | KW | KF,
	[FAULT_EV] = KV | KF | KH,
	[FAULT_MECHANICAL_TOW] = KW | KF | KH,
	[FAULT_ACCIDENT_TOW] = KF | KH,
	[FAULT_WINCH] = KH,
};

START_TEST(test_fault_kinds)
{
	int f;

	for (f = 0; f < FAULT_COUNT; f++) {
		ck_assert_msg(ticket_fault_kinds((enum ticket_fault)f) == expected_kinds[f],
		    "%s: got %#x want %#x", ticket_fault_name((enum ticket_fault)f),
		    ticket_fault_kinds((enum ticket_fault)f), expected_kinds[f]);
	}
	ck_assert_uint_eq(ticket_fault_kinds(FAULT_COUNT), 0);
	ck_assert_uint_eq(ticket_fault_kinds((enum ticket_fault)-1), 0);
}
END_TEST

/* Per kind, as listed in the brief: the van list etc. */
START_TEST(test_fault_kinds_by_kind)
{
	static const int van[] = { FAULT_BATTERY, FAULT_TYRE, FAULT_FUEL, FAULT_LOCKOUT,
		FAULT_NO_START, FAULT_OVERHEAT, FAULT_WARNING_LIGHT, FAULT_EV, -1 };
	static const int heavy[] = { FAULT_MECHANICAL_TOW, FAULT_ACCIDENT_TOW, FAULT_WINCH,
		FAULT_EV, -1 };
	uint32_t vans = 0, heavies = 0;
	int f, i;

	for (i = 0; van[i] >= 0; i++)
		vans |= 1u << van[i];
	for (i = 0; heavy[i] >= 0; i++)
		heavies |= 1u << heavy[i];
	for (f = 0; f < FAULT_COUNT; f++) {
		uint32_t k = ticket_fault_kinds((enum ticket_fault)f);
		ck_assert(((k & KV) != 0) == ((vans >> f) & 1));
		ck_assert(((k & KH) != 0) == ((heavies >> f) & 1));
		/* Every fault is served by someone. */
		ck_assert_uint_ne(k, 0);
	}
}
END_TEST

START_TEST(test_priority)
{
	uint32_t flags;
	int f;

	for (f = 0; f < FAULT_COUNT; f++) {
		enum ticket_fault ff = (enum ticket_fault)f;
		int none = ticket_priority(0, ff);
		int hwy = ticket_priority(TICKET_FLAG_EXPRESSWAY, ff);
		int alone = ticket_priority(TICKET_FLAG_ALONE_NIGHT, ff);
		int vuln = ticket_priority(TICKET_FLAG_VULNERABLE, ff);
		int inj = ticket_priority(TICKET_FLAG_INJURY, ff);

		ck_assert_int_gt(hwy, none);
		ck_assert_int_gt(alone, hwy);
		ck_assert_int_gt(vuln, hwy);
		ck_assert_int_gt(inj, alone);
		ck_assert_int_gt(inj, vuln);
		/* Injury outranks every combination without it, for any fault. */
		for (flags = 0; flags <= TICKET_FLAG_ALL; flags++) {
			int g;
			if (flags & TICKET_FLAG_INJURY)
				continue;
			for (g = 0; g < FAULT_COUNT; g++)
				ck_assert_int_gt(inj,
				    ticket_priority(flags, (enum ticket_fault)g));
		}
		/* Adding a flag never lowers the score. */
		for (flags = 0; flags <= TICKET_FLAG_ALL; flags++) {
			uint32_t bit;
			for (bit = 1; bit <= TICKET_FLAG_ALL; bit <<= 1) {
				if (!(flags & bit))
					ck_assert_int_gt(ticket_priority(flags | bit, ff),
					    ticket_priority(flags, ff));
			}
		}
	}
	ck_assert_int_gt(ticket_priority(0, FAULT_ACCIDENT_TOW),
	    ticket_priority(0, FAULT_MECHANICAL_TOW));
	ck_assert_int_gt(ticket_priority(TICKET_FLAG_EXPRESSWAY, FAULT_ACCIDENT_TOW),
	    ticket_priority(TICKET_FLAG_EXPRESSWAY, FAULT_BATTERY));
	/* An expressway flag outranks any fault without flags. */
	for (f = 0; f < FAULT_COUNT; f++)
		ck_assert_int_gt(ticket_priority(TICKET_FLAG_EXPRESSWAY, FAULT_BATTERY),
		    ticket_priority(0, (enum ticket_fault)f));
}
END_TEST

struct mask_case {
	const char *in;
	const char *out;
};

static const struct mask_case mask_cases[] = {
	{ "13812345678", "138****5678" },
	{ "+86 138-1234-5678", "138****5678" },
	{ "0086 138 1234 5678", "138****5678" },
	{ "86 731 8888 8888", "731****8888" },
	{ "138 1234 5678", "138****5678" },
	{ "12345678", "123*5678" },
	{ "1234567", "*****67" },
	{ "12345", "***45" },
	{ "123", "*23" },
	{ "12", "**" },
	{ "1", "*" },
	{ "", "" },
	{ "abc", "" },
	{ "010-12345678", "010****5678" },
	{ "12345678901234567890", "123*************7890" },
};

START_TEST(test_mask_phone)
{
	const struct mask_case *c = &mask_cases[_i];
	char out[64];

	memset(out, 'Z', sizeof out);
	ticket_mask_phone(c->in, out, sizeof out);
	ck_assert_str_eq(out, c->out);
}
END_TEST

/* Masking a masked number gives it again: tickets come masked from the broker, and the
 * console masks what it shows. */
START_TEST(test_mask_phone_twice)
{
	char once[64], twice[64];

	for (size_t i = 0; i < sizeof mask_cases / sizeof mask_cases[0]; i++) {
		ticket_mask_phone(mask_cases[i].in, once, sizeof once);
		ticket_mask_phone(once, twice, sizeof twice);
		ck_assert_str_eq(twice, once);
	}
}
END_TEST

START_TEST(test_mask_contact)
{
	struct proto_ticket t = { .id = 3, .present = PROTO_ALL };

	PROTO_STRSET(t.customer, "欧阳修远");
	PROTO_STRSET(t.phone, "+86 139 1234 0002");
	PROTO_STRSET(t.plate, "湘A·7K123");
	ticket_mask_contact(&t);
	ck_assert_str_eq(t.customer, "欧*");
	ck_assert_str_eq(t.phone, "139****0002");
	ck_assert_str_eq(t.plate, "湘A·7K123");
	ticket_mask_contact(&t);
	ck_assert_str_eq(t.customer, "欧*");
	ck_assert_str_eq(t.phone, "139****0002");
	ck_assert(!ticket_personal_erased(&t));
}
END_TEST

START_TEST(test_erase_personal)
{
	struct proto_ticket t = { .id = 3, .lat = 28.19634, .lon = 112.97681,
		.created = 1000, .t_closed = 2000, .present = PROTO_ALL };

	PROTO_STRSET(t.customer, "张三");
	PROTO_STRSET(t.phone, "13800138000");
	PROTO_STRSET(t.plate, "湘A·12345");
	PROTO_STRSET(t.address, "五一大道 1 号");
	PROTO_STRSET(t.landmark, "Wuyi Square");
	PROTO_STRSET(t.last_note, "call 13900000000");
	PROTO_STRSET(t.model, "BYD Qin");
	PROTO_STRSET(t.fault, "battery");
	PROTO_STRSET(t.region, "changsha");
	ticket_erase_personal(&t);
	ck_assert(ticket_personal_erased(&t));
	ck_assert_str_eq(t.plate, "");
	ck_assert_str_eq(t.address, "");
	ck_assert_str_eq(t.landmark, "");
	ck_assert_str_eq(t.last_note, "");
	ck_assert_str_eq(t.model, "BYD Qin");
	ck_assert_str_eq(t.fault, "battery");
	ck_assert_str_eq(t.region, "changsha");
	ck_assert_int_eq(t.created, 1000);
	ck_assert_int_eq(t.t_closed, 2000);
	ck_assert_double_eq_tol(t.lat, 28.20, 1e-9);
	ck_assert_double_eq_tol(t.lon, 112.98, 1e-9);
}
END_TEST

START_TEST(test_erase_event)
{
	struct proto_event_params p = { .present = 0 };

	PROTO_STRSET(p.text, "the caller is Li Lei");
	PROTO_SET(&p, event_params, text);
	ck_assert(ticket_erase_event("note", &p));
	ck_assert(!PROTO_HAS(&p, event_params, text));
	ck_assert_str_eq(p.text, "");

	memset(&p, 0, sizeof p);
	PROTO_STRSET(p.field, "address");
	PROTO_STRSET(p.old, "old road");
	PROTO_STRSET(p.value, "new road");
	p.present = PROTO_ALL;
	p.present &= ~((uint64_t)1 << PROTO_event_params_text);
	ck_assert(ticket_erase_event("edit", &p));
	ck_assert(!PROTO_HAS(&p, event_params, old) && !PROTO_HAS(&p, event_params, value));
	ck_assert(PROTO_HAS(&p, event_params, field));

	/* facts stay: an edit of the fault, a state change without a reason */
	memset(&p, 0, sizeof p);
	PROTO_STRSET(p.field, "fault");
	PROTO_STRSET(p.old, "battery");
	PROTO_SET(&p, event_params, field);
	PROTO_SET(&p, event_params, old);
	ck_assert(!ticket_erase_event("edit", &p));
	ck_assert_str_eq(p.old, "battery");
	memset(&p, 0, sizeof p);
	PROTO_STRSET(p.state, "cancelled");
	PROTO_SET(&p, event_params, state);
	ck_assert(!ticket_erase_event("state", &p));

	/* events logged without a machine form: their detail goes by kind */
	ck_assert(ticket_erase_event("note", NULL));
	ck_assert(ticket_erase_event("edit", NULL));
	ck_assert(!ticket_erase_event("offer", NULL));
}
END_TEST

START_TEST(test_mask_phone_truncate)
{
	char out[8];

	memset(out, 'Z', sizeof out);
	ticket_mask_phone("13812345678", out, 5);
	ck_assert_str_eq(out, "138*");
	ck_assert_int_eq(out[5], 'Z');
	ticket_mask_phone("13812345678", out, 1);
	ck_assert_str_eq(out, "");
	out[0] = 'Q';
	ticket_mask_phone("13812345678", out, 0); /* writes nothing */
	ck_assert_int_eq(out[0], 'Q');
	ticket_mask_phone(NULL, out, sizeof out);
	ck_assert_str_eq(out, "");
}
END_TEST

struct valid_case {
	const char *in;
	bool ok;
};

static const struct valid_case valid_cases[] = {
	{ "13812345678", true },
	{ "+8613812345678", true },
	{ "+86 138-1234-5678", true },
	{ "138 1234 5678", true },
	{ "138 - 1234 - 5678", true },
	{ "12345", true },
	{ "12345678901234567890", true },
	{ "+12345", true },
	{ "1-2-3-4-5", true },
	{ "1234", false },
	{ "+1234", false },
	{ "123456789012345678901", false },
	{ "", false },
	{ "+", false },
	{ "++8613812345678", false },
	{ "86+13812345678", false },
	{ " 13812345678", false },
	{ "13812345678 ", false },
	{ "-13812345678", false },
	{ "13812345678-", false },
	{ "+ 8613812345678", false },
	{ "138.1234.5678", false },
	{ "(010) 12345678", false },
	{ "1381234567a", false },
	{ "1381234\t5678", false },
	{ "---", false },
};

START_TEST(test_phone_invalid)
{
	const struct valid_case *c = &valid_cases[_i];
	const char *why = ticket_phone_invalid(c->in);

	if (c->ok)
		ck_assert_msg(why == NULL, "'%s' rejected: %s", c->in, why);
	else
		ck_assert_msg(why != NULL && *why != '\0', "'%s' accepted", c->in);
}
END_TEST

START_TEST(test_phone_invalid_null)
{
	ck_assert_ptr_nonnull(ticket_phone_invalid(NULL));
}
END_TEST

/* Mainland numbers and plates (issue 8): table of what passes and what does not. */
static const struct valid_case cn_phone_cases[] = {
	{ "13812345678", true },
	{ "138 1234 5678", true },
	{ "138-1234-5678", true },
	{ "+86 138 1234 5678", true },
	{ "008613812345678", true },
	{ "0731-88888888", true },		/* Changsha landline */
	{ "010-1234567", true },		/* Beijing, 7 digits */
	{ "0837-2822222", true },		/* Aba, 3-digit area code */
	{ "+86 731 88888888", true },		/* landline without its 0 */
	{ "12812345678", false },		/* 1[3-9] only */
	{ "1381234567", false },		/* 10 digits */
	{ "138123456789", false },
	{ "88888888", false },			/* no area code */
	{ "0731-888", false },
	{ "00-12345678", false },
	{ "+44 20 7946 0958", false },		/* London: a foreign number */
	{ "+86 0731 88888888", false },
	{ "07700900123", true },		/* looks like 077-00900123: cannot tell */
};

START_TEST(test_phone_not_cn)
{
	const struct valid_case *c = &cn_phone_cases[_i];
	const char *why = ticket_phone_not_cn(c->in);

	if (c->ok)
		ck_assert_msg(why == NULL, "'%s' rejected: %s", c->in, why);
	else
		ck_assert_msg(why != NULL && *why != '\0', "'%s' accepted", c->in);
}
END_TEST

static const struct valid_case plate_cases[] = {
	{ "湘A12345", true },
	{ "湘AD12345", true },			/* small new-energy */
	{ "湘A12345D", true },			/* large new-energy */
	{ "湘AX0001Y", false },			/* 6 without D/F first or last */
	{ "湘A·12345", true },
	{ "湘A 1234B", true },
	{ "湘a-12c45", true },			/* case and separators ignored */
	{ "京B1234学", true },
	{ "湘A1234挂", true },
	{ "湘A12345挂", false },
	{ "湘A1234挂5", false },
	{ "湘A1234", false },
	{ "湘A123456", false },			/* 6, not new-energy */
	{ "湘11234", false },			/* a letter after the province */
	{ "湘A12O45", false },			/* no O */
	{ "湘AI2345", false },
	{ "沪A12345", true },
	{ "港A12345", false },			/* not a mainland province */
	{ "A12345", false },			/* Latin only: no province */
	{ "ABC-1234", false },
	{ "湘A12#45", false },
	{ "", false },
};

START_TEST(test_plate_invalid)
{
	const struct valid_case *c = &plate_cases[_i];
	const char *why = ticket_plate_invalid(c->in);

	if (c->ok)
		ck_assert_msg(why == NULL, "'%s' rejected: %s", c->in, why);
	else
		ck_assert_msg(why != NULL && *why != '\0', "'%s' accepted", c->in);
}
END_TEST

START_TEST(test_cn_null)
{
	ck_assert_ptr_nonnull(ticket_phone_not_cn(NULL));
	ck_assert_ptr_nonnull(ticket_plate_invalid(NULL));
	ck_assert_str_eq(ticket_plate_invalid("A12345"), "no province character");
}
END_TEST

static Suite *
ticket_suite(void)
{
	Suite *s = suite_create("ticket");
	TCase *tc;

	tc = tcase_create("transitions");
	tcase_add_loop_test(tc, test_transition_pair, 0,
	    TICKET_STATE_COUNT * TICKET_STATE_COUNT);
	tcase_add_test(tc, test_transition_out_of_range);
	tcase_add_test(tc, test_final);
	tcase_add_test(tc, test_final_reachable);
	suite_add_tcase(s, tc);

	tc = tcase_create("names");
	tcase_add_test(tc, test_names);
	tcase_add_test(tc, test_names_round_trip);
	tcase_add_test(tc, test_names_bad);
	suite_add_tcase(s, tc);

	tc = tcase_create("faults");
	tcase_add_test(tc, test_fault_kinds);
	tcase_add_test(tc, test_fault_kinds_by_kind);
	suite_add_tcase(s, tc);

	tc = tcase_create("priority");
	tcase_add_test(tc, test_priority);
	suite_add_tcase(s, tc);

	tc = tcase_create("phone");
	tcase_add_loop_test(tc, test_mask_phone, 0,
	    (int)(sizeof mask_cases / sizeof mask_cases[0]));
	tcase_add_test(tc, test_mask_phone_truncate);
	tcase_add_test(tc, test_mask_phone_twice);
	tcase_add_test(tc, test_mask_contact);
	tcase_add_test(tc, test_erase_personal);
	tcase_add_test(tc, test_erase_event);
	tcase_add_loop_test(tc, test_phone_invalid, 0,
	    (int)(sizeof valid_cases / sizeof valid_cases[0]));
	tcase_add_test(tc, test_phone_invalid_null);
	tcase_add_loop_test(tc, test_phone_not_cn, 0,
	    (int)(sizeof cn_phone_cases / sizeof cn_phone_cases[0]));
	tcase_add_loop_test(tc, test_plate_invalid, 0,
	    (int)(sizeof plate_cases / sizeof plate_cases[0]));
	tcase_add_test(tc, test_cn_null);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(ticket_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
