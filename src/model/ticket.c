/* ticket.c: the rescue ticket model: name tables, the state machine, the built-in
 * capability table, priority and phone helpers. Pure: no I/O, no clock, no globals that
 * change. */
#include "ticket.h"

#include <math.h>
#include <string.h>

#include "proto.h"
#include "util.h"

static const char *const state_names[] = {
#define X(e, s) [TICKET_##e] = s,
	TICKET_STATES(X)
#undef X
};

static const char *const fault_names[] = {
#define X(e, s) [FAULT_##e] = s,
	TICKET_FAULTS(X)
#undef X
};

static const char *const kind_names[] = {
#define X(e, s) [TRUCK_KIND_##e] = s,
	TRUCK_KINDS(X)
#undef X
};

static const char *const status_names[] = {
#define X(e, s) [TRUCK_##e] = s,
	TRUCK_STATUSES(X)
#undef X
};

_Static_assert(ARRAY_LEN(state_names) == TICKET_STATE_COUNT, "state table");
_Static_assert(ARRAY_LEN(fault_names) == FAULT_COUNT, "fault table");
_Static_assert(ARRAY_LEN(kind_names) == TRUCK_KIND_COUNT, "kind table");
_Static_assert(ARRAY_LEN(status_names) == TRUCK_STATUS_COUNT, "status table");
/* ticket_fault_kinds returns 1u << kind in a uint32_t. */
_Static_assert(TRUCK_KIND_COUNT <= 32, "too many truck kinds");

static const char *
name_of(const char *const *names, size_t n, int v)
{
	if (v < 0 || (size_t)v >= n)
		return "?";
	return names[v];
}

static int
parse_in(const char *const *names, size_t n, const char *name)
{
	size_t i;

	if (name == NULL)
		return -1;
	for (i = 0; i < n; i++) {
		/* the first byte settles most mismatches (this runs per ticket per frame) */
		if (names[i][0] == name[0] && strcmp(names[i], name) == 0)
			return (int)i;
	}
	return -1;
}

const char *
ticket_state_name(enum ticket_state s)
{
	return name_of(state_names, ARRAY_LEN(state_names), (int)s);
}

int
ticket_state_parse(const char *name)
{
	return parse_in(state_names, ARRAY_LEN(state_names), name);
}

const char *
ticket_fault_name(enum ticket_fault f)
{
	return name_of(fault_names, ARRAY_LEN(fault_names), (int)f);
}

int
ticket_fault_parse(const char *name)
{
	return parse_in(fault_names, ARRAY_LEN(fault_names), name);
}

const char *
truck_kind_name(enum truck_kind k)
{
	return name_of(kind_names, ARRAY_LEN(kind_names), (int)k);
}

int
truck_kind_parse(const char *name)
{
	return parse_in(kind_names, ARRAY_LEN(kind_names), name);
}

const char *
truck_status_name(enum truck_status s)
{
	return name_of(status_names, ARRAY_LEN(status_names), (int)s);
}

int
truck_status_parse(const char *name)
{
	return parse_in(status_names, ARRAY_LEN(status_names), name);
}

/*
 * The transition table. A row is the state a ticket is in; the marked columns are the
 * states it may move to. Nothing leaves a final state, and no state may move to itself
 * except dispatched (re-dispatch to another truck).
 *
 *   from \ to        new  disp  acc  route  scene  tow  done  canc  remote
 *   new               .    x     .    .      .      .    .     x     x
 *   dispatched        x    x     x    .      .      .    .     x     .
 *   accepted          x    x     .    x      .      .    .     x     .
 *   en_route          x    x     .    .      x      .    .     x     .
 *   on_scene          .    .     .    .      .      x    x     x     .
 *   towing            .    .     .    .      .      .    x     .     .
 *   completed         .    .     .    .      .      .    .     .     .    (final)
 *   cancelled         .    .     .    .      .      .    .     .     .    (final)
 *   resolved_remote   .    .     .    .      .      .    .     .     .    (final)
 *
 * Back to new: the truck declined or was released (no replacement chosen yet). Back to
 * dispatched: the dispatcher offered the job straight to another truck. Once the truck is
 * on scene the job is the truck's to finish: it can still be cancelled (customer left, the
 * car started) but not handed back. A tow cannot be cancelled half way: it completes.
 */
#define B(s) (1u << TICKET_##s)
static const uint32_t transitions[TICKET_STATE_COUNT] = {
	[TICKET_NEW] = B(DISPATCHED) | B(CANCELLED) | B(RESOLVED_REMOTE),
	[TICKET_DISPATCHED] = B(ACCEPTED) | B(NEW) | B(DISPATCHED) | B(CANCELLED),
	[TICKET_ACCEPTED] = B(EN_ROUTE) | B(NEW) | B(DISPATCHED) | B(CANCELLED),
	[TICKET_EN_ROUTE] = B(ON_SCENE) | B(NEW) | B(DISPATCHED) | B(CANCELLED),
	[TICKET_ON_SCENE] = B(TOWING) | B(COMPLETED) | B(CANCELLED),
	[TICKET_TOWING] = B(COMPLETED),
	[TICKET_COMPLETED] = 0,
	[TICKET_CANCELLED] = 0,
	[TICKET_RESOLVED_REMOTE] = 0,
};
#undef B

static bool
state_ok(enum ticket_state s)
{
	return (int)s >= 0 && (int)s < TICKET_STATE_COUNT;
}

bool
ticket_state_final(enum ticket_state s)
{
	return s == TICKET_COMPLETED || s == TICKET_CANCELLED || s == TICKET_RESOLVED_REMOTE;
}

bool
ticket_transition_ok(enum ticket_state from, enum ticket_state to)
{
	if (!state_ok(from) || !state_ok(to))
		return false;
	return (transitions[from] & (1u << to)) != 0;
}

#define K(k) (1u << TRUCK_KIND_##k)
static const uint32_t fault_kinds[FAULT_COUNT] = {
	[FAULT_BATTERY] = K(VAN) | K(WHEEL_LIFT) | K(FLATBED),
	[FAULT_TYRE] = K(VAN) | K(WHEEL_LIFT) | K(FLATBED),
	[FAULT_FUEL] = K(VAN) | K(WHEEL_LIFT) | K(FLATBED),
	[FAULT_LOCKOUT] = K(VAN) | K(FLATBED),
	[FAULT_NO_START] = K(VAN) | K(WHEEL_LIFT) | K(FLATBED),
	[FAULT_OVERHEAT] = K(VAN) | K(WHEEL_LIFT) | K(FLATBED),
	[FAULT_WARNING_LIGHT] = K(VAN) | K(WHEEL_LIFT) | K(FLATBED),
	/* EV: the van does 12 V jumps on site; moving the car needs wheels off the ground. */
	[FAULT_EV] = K(VAN) | K(FLATBED) | K(HEAVY),
	[FAULT_MECHANICAL_TOW] = K(WHEEL_LIFT) | K(FLATBED) | K(HEAVY),
	[FAULT_ACCIDENT_TOW] = K(FLATBED) | K(HEAVY),
	[FAULT_WINCH] = K(HEAVY),
};
#undef K

uint32_t
ticket_fault_kinds(enum ticket_fault f)
{
	if ((int)f < 0 || (int)f >= FAULT_COUNT)
		return 0;
	return fault_kinds[f];
}

/*
 * Priority weights. Each tier outweighs everything below it put together, so an injury
 * always comes first, then anyone alone at night or vulnerable, then the expressway, and
 * the fault only breaks ties inside a tier.
 */
#define PRIO_BASE 10
#define PRIO_INJURY 1000
#define PRIO_ALONE_NIGHT 300
#define PRIO_VULNERABLE 300
#define PRIO_EXPRESSWAY 100

static int
fault_bonus(enum ticket_fault f)
{
	switch (f) {
	case FAULT_ACCIDENT_TOW:
		return 40;
	case FAULT_WINCH:
		return 20; /* usually off the road: ditch, snow, mud */
	case FAULT_OVERHEAT:
	case FAULT_EV:
		return 10; /* risk of fire / stranded with no power */
	case FAULT_LOCKOUT:
		return 5;
	default:
		return 0;
	}
}

int
ticket_priority(uint32_t flags, enum ticket_fault f)
{
	int p = PRIO_BASE + fault_bonus(f);

	if (flags & TICKET_FLAG_INJURY)
		p += PRIO_INJURY;
	if (flags & TICKET_FLAG_ALONE_NIGHT)
		p += PRIO_ALONE_NIGHT;
	if (flags & TICKET_FLAG_VULNERABLE)
		p += PRIO_VULNERABLE;
	if (flags & TICKET_FLAG_EXPRESSWAY)
		p += PRIO_EXPRESSWAY;
	return p;
}

static bool
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

void
ticket_mask_phone(const char *phone, char *out, size_t outsz)
{
	size_t ndig = 0, seen = 0, o = 0, keep_head, keep_tail;
	const char *s;

	if (outsz == 0)
		return;
	if (phone == NULL) {
		out[0] = '\0';
		return;
	}
	for (s = phone; *s != '\0'; s++) {
		if (is_digit(*s) || *s == '*')
			ndig++;
	}
	/* a mainland country code (86 or 0086 before 10 or more digits) is no part of the
	 * number: "+86 138-0013-8000" masks as "13800138000" does */
	size_t skip = 0, k = 0;
	char lead[4];
	for (s = phone; *s != '\0' && k < 4; s++)
		if (is_digit(*s) || *s == '*')
			lead[k++] = *s;
	if (k == 4 && ndig >= 14 && memcmp(lead, "0086", 4) == 0)
		skip = 4;
	else if (k >= 2 && ndig >= 12 && memcmp(lead, "86", 2) == 0)
		skip = 2;
	ndig -= skip;
	if (ndig >= 8) {
		keep_head = 3;
		keep_tail = 4;
	} else if (ndig > 2) {
		keep_head = 0;
		keep_tail = 2;
	} else {
		/* Keeping "the last 2" of a 1-2 digit string would show all of it. */
		keep_head = 0;
		keep_tail = 0;
	}
	for (s = phone; *s != '\0' && o + 1 < outsz; s++) {
		if (!is_digit(*s) && *s != '*')
			continue;
		if (skip > 0) {
			skip--;
			continue;
		}
		if (seen < keep_head || seen >= ndig - keep_tail)
			out[o++] = *s;
		else
			out[o++] = '*';
		seen++;
	}
	out[o] = '\0';
}

void
ticket_mask_name(const char *name, char *out, size_t outsz)
{
	size_t n = 1;

	if (outsz == 0)
		return;
	out[0] = '\0';
	if (name == NULL || *name == '\0')
		return;
	/* one UTF-8 sequence: the lead byte and its continuation bytes */
	while (((unsigned char)name[n] & 0xc0) == 0x80)
		n++;
	if (n + 2 > outsz)
		return;
	memcpy(out, name, n);
	out[n] = '*';
	out[n + 1] = '\0';
}

void
ticket_mask_contact(struct proto_ticket *t)
{
	char buf[sizeof t->customer];

	ticket_mask_name(t->customer, buf, sizeof buf);
	PROTO_STRSET(t->customer, buf);
	ticket_mask_phone(t->phone, buf, sizeof t->phone);
	PROTO_STRSET(t->phone, buf);
}

void
ticket_erase_personal(struct proto_ticket *t)
{
	t->customer[0] = t->phone[0] = t->plate[0] = t->address[0] = '\0';
	t->landmark[0] = t->last_note[0] = t->escalate_reason[0] = '\0';
	t->lat = round(t->lat * 100) / 100;
	t->lon = round(t->lon * 100) / 100;
}

bool
ticket_erase_event(const char *kind, struct proto_event_params *p)
{
	static const char *const personal[] = { "customer", "phone", "plate", "address",
		"landmark", "location" };
	bool gone = false;

	if (p == NULL)
		return strcmp(kind, "note") == 0 || strcmp(kind, "edit") == 0 ||
		    strcmp(kind, "callback") == 0;
	if (PROTO_HAS(p, event_params, text)) {
		p->text[0] = '\0';
		p->present &= ~((uint64_t)1 << PROTO_event_params_text);
		gone = true;
	}
	for (size_t i = 0; PROTO_HAS(p, event_params, field) && i < ARRAY_LEN(personal); i++) {
		if (strcmp(p->field, personal[i]) != 0)
			continue;
		p->old[0] = p->value[0] = '\0';
		p->present &= ~((uint64_t)1 << PROTO_event_params_old |
		    (uint64_t)1 << PROTO_event_params_value | (uint64_t)1 << PROTO_event_params_km);
		gone = true;
	}
	return gone;
}

bool
ticket_personal_erased(const struct proto_ticket *t)
{
	return t->customer[0] == '\0' && t->phone[0] == '\0';
}

const char *
ticket_phone_invalid(const char *phone)
{
	size_t ndig = 0;
	const char *s;
	bool prev_digit = false, pending_sep = false;

	if (phone == NULL || *phone == '\0')
		return "empty";
	s = phone;
	if (*s == '+')
		s++;
	for (; *s != '\0'; s++) {
		if (is_digit(*s)) {
			ndig++;
			prev_digit = true;
			pending_sep = false;
		} else if (*s == ' ' || *s == '-') {
			if (!prev_digit && !pending_sep)
				return "space or dash not between digits";
			prev_digit = false;
			pending_sep = true;
		} else if (*s == '+') {
			return "'+' only allowed at the start";
		} else {
			return "only digits, spaces and dashes allowed";
		}
	}
	if (pending_sep)
		return "space or dash not between digits";
	if (ndig < 5)
		return "too few digits (need 5 to 20)";
	if (ndig > 20)
		return "too many digits (at most 20)";
	return NULL;
}

const char *
ticket_phone_not_cn(const char *phone)
{
	char d[24];
	size_t n = 0;
	const char *s = phone, *p;

	if (phone == NULL)
		return "empty";
	for (; *s != '\0'; s++) {
		if (is_digit(*s)) {
			if (n + 1 >= sizeof d)
				return "too many digits";
			d[n++] = *s;
		}
	}
	d[n] = '\0';
	p = d;
	if (phone[0] == '+' || (n >= 4 && memcmp(d, "0086", 4) == 0)) {
		if (phone[0] == '+' && (n < 2 || memcmp(d, "86", 2) != 0))
			return "not a mainland China number";
		p = d + (phone[0] == '+' ? 2 : 4);
		n = strlen(p);
		if (p[0] == '1')
			return n == 11 && p[1] >= '3' ? NULL : "not a mainland mobile number";
		return p[0] != '0' && n >= 9 && n <= 11 ? NULL : "not a mainland landline number";
	}
	if (p[0] == '1')
		return n == 11 && p[1] >= '3' ? NULL : "not a mainland mobile number";
	if (p[0] == '0')
		return p[1] != '0' && n >= 10 && n <= 12 ? NULL : "not a mainland landline number";
	return "not a mainland mobile or landline number (area code?)";
}

/* The next UTF-8 character of *s as a pointer and byte length; *s moves on. */
static size_t
utf8_next(const char **s)
{
	const unsigned char *u = (const unsigned char *)*s;
	size_t n = *u < 0x80 ? 1 : *u >= 0xf0 ? 4 : *u >= 0xe0 ? 3 : *u >= 0xc0 ? 2 : 1;
	size_t i;

	for (i = 1; i < n; i++) {
		if (u[i] == '\0')
			break;
	}
	*s += i;
	return i;
}

static bool
plate_alnum(char c)
{
	c = (char)(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c);
	return is_digit(c) || (c >= 'A' && c <= 'Z' && c != 'I' && c != 'O');
}

const char *
ticket_plate_invalid(const char *plate)
{
	static const char provinces[] =
	    "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼";
	static const char *const suffixes[] = { "挂", "学", "警", "领", "港", "澳" };
	char body[16], ch[5];
	const char *s = plate, *c;
	size_t n = 0, len, k;
	bool province = false, suffix = false;

	if (plate == NULL || *plate == '\0')
		return "empty";
	while (*s != '\0') {
		c = s;
		len = utf8_next(&s);
		if (len == 1 && (*c == ' ' || *c == '-' || *c == '.'))
			continue;
		if (len == 2 && strncmp(c, "·", 2) == 0)
			continue;
		if (suffix)
			return "nothing may follow the suffix";
		if (len == 1) {
			if (!plate_alnum(*c))
				return (*c | 0x20) == 'i' || (*c | 0x20) == 'o' ?
				    "letters I and O are not used" : "only letters and digits";
			if (n + 1 >= sizeof body)
				return "too long";
			body[n++] = (char)(*c >= 'a' && *c <= 'z' ? *c - 'a' + 'A' : *c);
			continue;
		}
		memcpy(ch, c, len);
		ch[len] = '\0';
		if (n == 0 && !province && strstr(provinces, ch) != NULL && len == 3) {
			province = true;
			continue;
		}
		for (k = 0; k < sizeof suffixes / sizeof suffixes[0]; k++) {
			if (strcmp(ch, suffixes[k]) == 0)
				suffix = true;
		}
		if (!suffix)
			return province || n > 0 ? "unknown character" : "unknown province";
	}
	if (!province)
		return "no province character";
	if (n == 0 || !(body[0] >= 'A' && body[0] <= 'Z'))
		return "a letter must follow the province";
	n--;	/* the rest after the city letter */
	if (suffix)
		return n == 4 ? NULL : "4 letters or digits before the suffix";
	if (n == 5)
		return NULL;
	if (n == 6)
		return body[1] == 'D' || body[1] == 'F' || body[6] == 'D' || body[6] == 'F' ?
		    NULL : "6 characters only on a new-energy plate (D or F first or last)";
	return n < 5 ? "too short (5 after the letter)" : "too long (5 after the letter)";
}
