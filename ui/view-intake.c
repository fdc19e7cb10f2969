/* view-intake.c: the intake form (see view-intake.h): its field table, its validation and
 * its submit, on the form engine (form.h).
 *
 * "Diagnose by phone first" shows for a fault that has a diagnosis flow (model->flows) and
 * is sent as intake.create's diag_hold: the broker then holds automatic dispatch for the
 * diagnosis from the call on (PROTOCOL.md 9.2). Until the agent ticks or unticks it, it
 * is ticked unless the flows recommend dispatching at once (expressway or night, the
 * rule of diag_recommend_now), and follows the expressway box and the clock. */
#include "view-intake.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chrome.h"
#include "data.h"
#include "diag.h"
#include "flow.h"
#include "form.h"
#include "geo.h"
#include "i18n.h"
#include "keymap.h"
#include "menu.h"
#include "model.h"
#include "present.h"
#include "proto.h"
#include "text.h"
#include "ticket.h"
#include "util.h"

enum field {
	F_NAME,
	F_PHONE,
	F_PLATE,
	F_MODEL,
	F_REGION,
	F_LANDMARK,
	F_COORDS,
	F_ADDRESS,
	F_FAULT,
	F_DIAG,
	F_NOTES,
	F_EXPRESSWAY,
	F_ALONE_NIGHT,
	F_VULNERABLE,
	F_INJURY,
	F_ENGLISH,	/* the customer's messages in English (lang en; view-tell.h) */
	F_COUNT
};

#define FIELD_MAX(f) (sizeof(((struct proto_intake_create *)0)->f) - 1)
#define COORDS_MAX 64

static const struct form_field defs[F_COUNT] = {
	[F_NAME] = { "intake.name", FORM_TEXT, FIELD_MAX(customer), 0, false, 0 },
	[F_PHONE] = { "intake.phone", FORM_TEXT, FIELD_MAX(phone), 0, false, 0 },
	[F_PLATE] = { "intake.plate", FORM_TEXT, FIELD_MAX(plate), 0, false, 0 },
	[F_MODEL] = { "intake.model", FORM_TEXT, FIELD_MAX(model), 0, false, 0 },
	[F_REGION] = { "intake.region", FORM_CHOICE, 0, 1, false, 0 },
	[F_LANDMARK] = { "intake.landmark", FORM_CHOICE, 0, 1, false, 0 },
	[F_COORDS] = { "intake.coords", FORM_TEXT, COORDS_MAX, 1, false, 0 },
	[F_ADDRESS] = { "intake.address", FORM_TEXT, FIELD_MAX(address), 1, false, 0 },
	[F_FAULT] = { "intake.fault", FORM_CHOICE, 0, 2, false, 0 },
	[F_DIAG] = { "intake.diag_first", FORM_CHECK, 0, 2, false, 0 },
	[F_NOTES] = { "intake.notes", FORM_TEXT, FIELD_MAX(notes), 2, false, 0 },
	[F_EXPRESSWAY] = { "flag.expressway", FORM_CHECK, 0, 3, false, TICKET_FLAG_EXPRESSWAY },
	[F_ALONE_NIGHT] = { "flag.alone_night", FORM_CHECK, 0, 3, false,
	    TICKET_FLAG_ALONE_NIGHT },
	[F_VULNERABLE] = { "flag.vulnerable", FORM_CHECK, 0, 3, false, TICKET_FLAG_VULNERABLE },
	[F_INJURY] = { "flag.injury", FORM_CHECK, 0, 3, false, TICKET_FLAG_INJURY },
	[F_ENGLISH] = { "intake.lang_en", FORM_CHECK, 0, 3, false, 0 },
};

static const char *const section_titles[] = {
	"intake.sec_caller", "intake.sec_place", "intake.sec_problem", "intake.sec_priority",
};

static const char *const form_keys[] = {
	"F10", "intake.hint.submit", "Tab", "intake.hint.next", "Enter", "intake.hint.choose",
	"Space", "intake.hint.tick", "Esc", "intake.hint.close",
};

struct view_intake {
	struct view view;		/* first member */
	struct form form;		/* the fields' text, focus, errors shown */
	char region[DATA_ID_MAX];	/* region id; "" none */
	int landmark;			/* index in the region's landmarks; -1 none */
	int fault;			/* enum ticket_fault; -1 none */
	char sending[PROTO_CMD_ID_MAX + 1];	/* the submit awaiting its answer; "" none */
	/* The broker's rejection of the last submit, shown beside the field it names while
	 * that field keeps the value it was rejected for. */
	int rejected_field;		/* -1: none */
	char rejected_value[256];
	char rejected[200];
	/* The warning of the last submit (a location outside the region, a foreign phone or
	 * plate), shown as rejected at warned_field: the next submit with the same value
	 * (warned_key) confirms it. */
	int warned_field;		/* -1: none */
	enum data_where warned;		/* the location's warning */
	char warned_key[COORDS_MAX + DATA_ID_MAX + 2];
	/* by field: the value (the location with its region) whose warning was confirmed */
	char confirmed[F_COUNT][COORDS_MAX + DATA_ID_MAX + 2];
	/* A new call: the open ticket with the same phone or plate (0: none), the field
	 * that matched, and the ticket.callback attaching the call to it. */
	int64_t dup_id;
	int dup_field;
	char attaching[PROTO_CMD_ID_MAX + 1];
	int64_t attach_id;
	/* Edit mode (view_intake_edit_create): the ticket as it was when the form opened
	 * (edit_id 0: a new call), its coordinates and landmark as the form shows them, and
	 * the coordinates and fault whose re-dispatch of a committed truck was confirmed. */
	int64_t edit_id;
	struct proto_ticket orig;
	char orig_coords[COORDS_MAX + 1];
	int orig_landmark;
	char moves_key[COORDS_MAX + 16];
};

/* ---- values ---- */

static const struct data_region *
region_of(const struct view_intake *vi, const struct model *m)
{
	if (vi->region[0] == '\0' || m->data == NULL)
		return NULL;
	return data_region(m->data, vi->region);
}

static const struct data_landmark *
landmark_of(const struct view_intake *vi, const struct model *m)
{
	const struct data_region *r = region_of(vi, m);

	if (r == NULL || vi->landmark < 0 || (size_t)vi->landmark >= r->n_landmarks)
		return NULL;
	return &r->landmarks[vi->landmark];
}

/* A copy of the field's text without leading and trailing spaces. */
static void
trimmed(const struct view_intake *vi, enum field f, char *out, size_t sz)
{
	form_trimmed(&vi->form, f, out, sz);
}

/* A decimal number ("-28.5", "112", "+0.25"), whatever LC_NUMERIC says. Advances *p;
 * returns false if there is no number. */
static bool
parse_decimal(const char **p, double *out)
{
	const char *s = *p;
	double v = 0, scale = 1;
	bool neg = false, digits = false;

	if (*s == '-' || *s == '+')
		neg = *s++ == '-';
	while (*s >= '0' && *s <= '9') {
		v = v * 10 + (*s++ - '0');
		digits = true;
	}
	if (*s == '.') {
		s++;
		while (*s >= '0' && *s <= '9') {
			scale /= 10;
			v += (*s++ - '0') * scale;
			digits = true;
		}
	}
	if (!digits)
		return false;
	*out = neg ? -v : v;
	*p = s;
	return true;
}

/* "lat,lon" (also "lat lon", "lat, lon", a full-width comma): 0 if it parses, else -1. */
static int
parse_coords(const char *s, double *lat, double *lon)
{
	while (*s == ' ')
		s++;
	if (!parse_decimal(&s, lat))
		return -1;
	while (*s == ' ')
		s++;
	if (*s == ',' || *s == ';')
		s++;
	else if (strncmp(s, "\xef\xbc\x8c", 3) == 0)	/* U+FF0C ， */
		s += 3;
	while (*s == ' ')
		s++;
	if (!parse_decimal(&s, lon))
		return -1;
	while (*s == ' ')
		s++;
	return *s == '\0' ? 0 : -1;
}

/* "28.19600,112.97680" whatever LC_NUMERIC says. */
static void
format_coords(double lat, double lon, char *out, size_t sz)
{
	long long a = (long long)(lat * 100000 + (lat < 0 ? -0.5 : 0.5));
	long long b = (long long)(lon * 100000 + (lon < 0 ? -0.5 : 0.5));

	snprintf(out, sz, "%s%lld.%05lld,%s%lld.%05lld", a < 0 ? "-" : "", llabs(a) / 100000,
	    llabs(a) % 100000, b < 0 ? "-" : "", llabs(b) / 100000, llabs(b) % 100000);
}

/* The ticket flags ticked so far. */
static uint32_t
flags_of(const struct view_intake *vi)
{
	uint32_t flags = 0;
	int f;

	for (f = 0; f < F_COUNT; f++) {
		if (defs[f].kind == FORM_CHECK && form_checked(&vi->form, f))
			flags |= defs[f].data;
	}
	return flags;
}

/* Show "diagnose by phone first" for a fault with a flow; until the agent sets it, it
 * is ticked unless dispatching at once is recommended (expressway, night). */
static void
diag_sync(struct view_intake *vi, const struct model *m)
{
	bool shown = m != NULL && m->flows != NULL && vi->fault >= 0 && vi->edit_id == 0 &&
	    flow_set_for_fault(m->flows, (enum ticket_fault)vi->fault) != NULL;

	form_show(&vi->form, F_DIAG, shown);
	if (m != NULL && !form_edited(&vi->form, F_DIAG))
		form_set_checked(&vi->form, F_DIAG,
		    diag_recommend_now_flags(flags_of(vi), m->now) == NULL);
}

/* ---- validation ---- */

static const char *
phone_error(const char *why)
{
	static const struct {
		const char *why, *key;
	} map[] = {
		{ "empty", "intake.err.phone_empty" },
		{ "space or dash not between digits", "intake.err.phone_sep" },
		{ "'+' only allowed at the start", "intake.err.phone_plus" },
		{ "only digits, spaces and dashes allowed", "intake.err.phone_chars" },
		{ "too few digits (need 5 to 20)", "intake.err.phone_short" },
		{ "too many digits (at most 20)", "intake.err.phone_long" },
	};
	size_t i;

	for (i = 0; i < ARRAY_LEN(map); i++) {
		if (strcmp(why, map[i].why) == 0)
			return i18n_tr(map[i].key);
	}
	return why;	/* a reason this table does not know yet: English beats nothing */
}

/* What field f holds, for telling whether it changed since a rejection. */
static void
field_value(const struct view_intake *vi, int f, char *buf, size_t len)
{
	if (f == F_REGION)
		rd_strlcpy(buf, vi->region, len);
	else if (f == F_FAULT)
		snprintf(buf, len, "%d", vi->fault);
	else
		trimmed(vi, f, buf, len);
}

/* The field a broker's error names (its messages start with the argument: "phone: ...",
 * "location is 1336 km from region ..."), or -1. */
static int
rejected_field(const char *msg)
{
	static const struct {
		const char *prefix;
		int field;
	} map[] = {
		{ "customer:", F_NAME }, { "phone:", F_PHONE }, { "plate:", F_PLATE },
		{ "address:", F_ADDRESS }, { "location ", F_COORDS }, { "lat", F_COORDS },
		{ "lon", F_COORDS }, { "unknown region", F_REGION }, { "region", F_REGION },
		{ "unknown fault", F_FAULT }, { "fault", F_FAULT }, { "notes", F_NOTES },
		{ "model", F_MODEL },
	};

	for (size_t i = 0; i < ARRAY_LEN(map); i++)
		if (strncmp(msg, map[i].prefix, strlen(map[i].prefix)) == 0)
			return map[i].field;
	return -1;
}

/* The error of field f in words, or NULL when it is fine. */
static const char *
field_error(void *owner, const struct form *fm, const struct model *m, int f)
{
	const struct view_intake *vi = owner;
	char buf[256];
	const char *why;
	double lat, lon;

	if (f == vi->rejected_field) {
		field_value(vi, f, buf, sizeof buf);
		if (strcmp(buf, vi->rejected_value) == 0)
			return vi->rejected;
	}
	switch (f) {
	case F_NAME:
		trimmed(vi, f, buf, sizeof buf);
		return buf[0] == '\0' ? i18n_tr("intake.err.name_empty") : NULL;
	case F_PHONE:
		trimmed(vi, f, buf, sizeof buf);
		if (vi->edit_id != 0 && strcmp(buf, vi->orig.phone) == 0)
			return NULL;	/* the masked number as it came: unchanged, not sent */
		why = ticket_phone_invalid(buf);
		return why != NULL ? phone_error(why) : NULL;
	case F_PLATE:
		trimmed(vi, f, buf, sizeof buf);
		return buf[0] == '\0' ? i18n_tr("intake.err.plate_empty") : NULL;
	case F_REGION:
		if (m->data == NULL || m->data->n_regions == 0)
			return i18n_tr("intake.err.no_regions");
		return region_of(vi, m) == NULL ? i18n_tr("intake.err.region") : NULL;
	case F_COORDS:
		trimmed(vi, f, buf, sizeof buf);
		if (buf[0] == '\0')
			return i18n_tr("intake.err.coords_missing");
		if (parse_coords(buf, &lat, &lon) < 0)
			return i18n_tr("intake.err.coords_format");
		if (lat < -90 || lat > 90)
			return i18n_tr("intake.err.lat_range");
		if (lon < -180 || lon > 180)
			return i18n_tr("intake.err.lon_range");
		return NULL;
	case F_ADDRESS:
		trimmed(vi, f, buf, sizeof buf);
		return buf[0] == '\0' && landmark_of(vi, m) == NULL ?
		    i18n_tr("intake.err.address_empty") : NULL;
	case F_FAULT:
		return vi->fault < 0 ? i18n_tr("intake.err.fault") : NULL;
	default:
		return NULL;
	}
}

/* ---- choices ---- */

/* a and b are the same words, ignoring ASCII case and '_' for ' '. */
static bool
same_words(const char *a, const char *b)
{
	for (; *a != '\0' && *b != '\0'; a++, b++) {
		char x = *a == '_' ? ' ' : (char)tolower((unsigned char)*a);
		char y = *b == '_' ? ' ' : (char)tolower((unsigned char)*b);

		if (x != y)
			return false;
	}
	return *a == *b;
}

static void
region_label(const struct data_region *r, char *out, size_t sz)
{
	if (r->name_zh[0] != '\0' && strcmp(r->name_zh, r->name) != 0)
		snprintf(out, sz, "%s %s", r->name_zh, r->name);
	else
		snprintf(out, sz, "%s", r->name);
}

/* The fault's label, with its code when that says something more in English ("Flat tyre
 * (tyre)"; not "battery (battery)"). Another language shows its words only: the code is
 * English, and / finds the label as shown. */
static void
fault_label(int f, char *out, size_t sz)
{
	const char *code = ticket_fault_name((enum ticket_fault)f), *label = present_fault(code);

	snprintf(out, sz, "%s", label);
	if (strncmp(i18n_lang(), "en", 2) == 0 && !same_words(label, code))
		snprintf(out, sz, "%s  (%s)", label, code);
}

/* The shown value of a choice field, and whether it is a placeholder. */
static const char *
choice_text(void *owner, const struct form *fm, const struct model *m, int f, char *buf,
    size_t sz, bool *placeholder)
{
	const struct view_intake *vi = owner;
	const struct data_region *r = region_of(vi, m);
	const struct data_landmark *lm = landmark_of(vi, m);

	*placeholder = false;
	switch (f) {
	case F_REGION:
		if (r != NULL) {
			region_label(r, buf, sz);
			return buf;
		}
		break;
	case F_LANDMARK:
		if (lm != NULL)
			return lm->name;
		*placeholder = true;
		return i18n_tr(r != NULL ? "intake.landmark_none" : "intake.landmark_region");
	case F_FAULT:
		if (vi->fault >= 0) {
			fault_label(vi->fault, buf, sz);
			return buf;
		}
		break;
	default:
		break;
	}
	*placeholder = true;
	return i18n_tr("intake.choose");
}

static void
set_region(struct view_intake *vi, const char *id)
{
	if (strcmp(vi->region, id) == 0)
		return;
	if (vi->landmark >= 0) {
		form_set_text(&vi->form, F_COORDS, "");	/* they came from the old landmark */
		if (!form_edited(&vi->form, F_EXPRESSWAY))	/* so did the box */
			form_set_checked(&vi->form, F_EXPRESSWAY, false);
	}
	rd_strlcpy(vi->region, id, sizeof vi->region);
	vi->landmark = -1;
}

static void
set_landmark(struct view_intake *vi, const struct model *m, int idx)
{
	const struct data_landmark *lm;
	char coords[COORDS_MAX + 1];

	vi->landmark = idx;
	lm = landmark_of(vi, m);
	/* an expressway landmark ticks the box, until the agent ticks or unticks it */
	if (!form_edited(&vi->form, F_EXPRESSWAY))
		form_set_checked(&vi->form, F_EXPRESSWAY, lm != NULL && lm->expressway);
	if (lm == NULL) {
		vi->landmark = -1;
		return;
	}
	format_coords(lm->lat, lm->lon, coords, sizeof coords);
	form_set_text(&vi->form, F_COORDS, coords);
}

/* The items of choice field f, the current one selected. */
static bool
choices(void *owner, const struct form *fm, const struct model *m, int f, struct menu *mn)
{
	const struct view_intake *vi = owner;
	const struct data_region *r = region_of(vi, m);
	char label[2 * DATA_NAME_MAX + 2];
	size_t i;
	int x;

	switch (f) {
	case F_REGION:
		for (i = 0; m->data != NULL && i < m->data->n_regions; i++) {
			region_label(&m->data->regions[i], label, sizeof label);
			menu_add(mn, label, same_words(m->data->regions[i].id,
			    m->data->regions[i].name) ? NULL : m->data->regions[i].id, (int)i);
			if (strcmp(m->data->regions[i].id, vi->region) == 0)
				mn->sel = i;
		}
		return true;
	case F_LANDMARK:
		if (r == NULL)
			return false;
		menu_add(mn, i18n_tr("intake.landmark_none"), NULL, -1);
		for (i = 0; i < r->n_landmarks; i++)
			menu_add(mn, r->landmarks[i].name, NULL, (int)i);
		menu_select_value(mn, vi->landmark);
		return true;
	case F_FAULT:
		for (x = 0; x < FAULT_COUNT; x++) {
			const char *code = ticket_fault_name((enum ticket_fault)x);

			menu_add(mn, present_fault(code),
			    same_words(present_fault(code), code) ? NULL : code, x);
		}
		menu_select_value(mn, vi->fault);
		return true;
	default:
		return false;
	}
}

static bool
pick(void *owner, struct form *fm, const struct model *m, int f, int value)
{
	struct view_intake *vi = owner;

	switch (f) {
	case F_REGION:
		if (m->data != NULL && value >= 0 && (size_t)value < m->data->n_regions)
			set_region(vi, m->data->regions[value].id);
		return true;
	case F_LANDMARK:
		set_landmark(vi, m, value);
		form_touch(fm, F_COORDS);
		return true;
	case F_FAULT:
		vi->fault = value >= 0 && value < FAULT_COUNT ? value : -1;
		return true;
	default:
		return false;
	}
}

/* Left/Right on a choice: the previous or next value. */
static int
step(void *owner, const struct form *fm, const struct model *m, int f, int delta)
{
	const struct view_intake *vi = owner;
	const struct data_region *r = region_of(vi, m);
	int n, cur;

	switch (f) {
	case F_REGION:
		n = m->data != NULL ? (int)m->data->n_regions : 0;
		if (n == 0)
			return FORM_NO_VALUE;
		for (cur = 0; cur < n && strcmp(m->data->regions[cur].id, vi->region) != 0; cur++)
			;
		return cur == n ? (delta > 0 ? 0 : n - 1) : (cur + delta + n) % n;
	case F_LANDMARK:
		if (r == NULL)
			return FORM_NO_VALUE;
		n = (int)r->n_landmarks + 1;	/* with "none" as -1 */
		return (vi->landmark + 1 + delta + n) % n - 1;
	case F_FAULT:
		return vi->fault < 0 ? (delta > 0 ? 0 : FAULT_COUNT - 1) :
		    (vi->fault + delta + FAULT_COUNT) % FAULT_COUNT;
	default:
		return FORM_NO_VALUE;
	}
}

/* Delete on a choice: only the landmark may be none. */
static int
clear(void *owner, const struct form *fm, int f)
{
	return f == F_LANDMARK ? -1 : FORM_NO_VALUE;
}

/* Typed coordinates are no longer the landmark's. */
static void
edited(void *owner, struct form *fm, int f)
{
	struct view_intake *vi = owner;

	if (f == F_COORDS)
		vi->landmark = -1;
}

/* ---- the same caller again ---- */

/* The digits of a phone number without a leading 0086 or 86 (before a mainland number):
 * "+86 138-0013-8000" and "13800138000" are one number. */
static void
phone_key(const char *s, char *out, size_t sz)
{
	size_t n = 0, skip = 0;

	for (; *s != '\0' && n + 1 < sz; s++)
		if (*s >= '0' && *s <= '9')
			out[n++] = *s;
	out[n] = '\0';
	if (n >= 4 && out[0] == '0' && out[1] == '0' && out[2] == '8' && out[3] == '6')
		skip = 4;
	else if (n >= 12 && out[0] == '8' && out[1] == '6')
		skip = 2;
	memmove(out, out + skip, n - skip + 1);
}

/* A plate without its separators (space, '-', '.', the middle dot), ASCII upper-cased:
 * "湘a·12345" is "湘A12345". */
static void
plate_key(const char *s, char *out, size_t sz)
{
	size_t n = 0;

	for (; *s != '\0' && n + 1 < sz; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == 0xc2 && (unsigned char)s[1] == 0xb7) {
			s++;
			continue;
		}
		if (c == ' ' || c == '-' || c == '.')
			continue;
		out[n++] = (char)(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c);
	}
	out[n] = '\0';
}

/* An open ticket of the model (the snapshot holds them all) with the phone or the plate
 * of a new call, or NULL: a phone match before a plate match, then the newest. *field is
 * the field that matched. Tickets come from the broker with the phone masked (PROTOCOL.md
 * 8.1), so the number typed is masked the same way and the masked forms compared: the
 * first 3 and the last 4 digits; the row shown names the plate beside, for the agent to
 * confirm. */
static const struct proto_ticket *
find_duplicate(const struct view_intake *vi, const struct model *m, int *field)
{
	char phone[32], plate[48], k[48], buf[64];
	const struct proto_ticket *best = NULL;
	int best_f = -1;

	*field = -1;
	if (vi->edit_id != 0 || m == NULL)
		return NULL;
	trimmed(vi, F_PHONE, buf, sizeof buf);
	phone_key(buf, phone, sizeof phone);
	if (strlen(phone) < 5)
		phone[0] = '\0';	/* a number still being typed */
	else
		ticket_mask_phone(buf, phone, sizeof phone);
	trimmed(vi, F_PLATE, buf, sizeof buf);
	plate_key(buf, plate, sizeof plate);
	if (phone[0] == '\0' && plate[0] == '\0')
		return NULL;
	for (size_t i = 0; i < m->n_tickets; i++) {
		const struct proto_ticket *t = m->tickets[i];
		int s = ticket_state_parse(t->state), f = -1;

		if (s < 0 || ticket_state_final((enum ticket_state)s))
			continue;
		ticket_mask_phone(t->phone, k, sizeof k);
		if (phone[0] != '\0' && strcmp(k, phone) == 0) {
			f = F_PHONE;
		} else {
			plate_key(t->plate, k, sizeof k);
			if (plate[0] != '\0' && strcmp(k, plate) == 0)
				f = F_PLATE;
		}
		if (f < 0)
			continue;
		if (best == NULL || (f == F_PHONE && best_f != F_PHONE) ||
		    (f == best_f && t->id > best->id)) {
			best = t;
			best_f = f;
		}
	}
	*field = best_f;
	return best;
}

static void
dup_sync(struct view_intake *vi, const struct model *m)
{
	const struct proto_ticket *t = find_duplicate(vi, m, &vi->dup_field);

	vi->dup_id = t != NULL ? t->id : 0;
}

/* The open ticket of the same caller, on row y: what it is, and at the right end the key
 * that attaches the call to it (on the next row when both do not fit). Returns the next
 * free row. */
static int
draw_duplicate(const struct view_intake *vi, const struct model *m, struct vscreen *vs, int y)
{
	const struct proto_ticket *t = vi->dup_id != 0 ? model_ticket(m, vi->dup_id) : NULL;
	char phone[32], age[32], keys[32], line[512], hint[128];
	int cols = vscreen_cols(vs), hw;

	if (t == NULL)
		return y;
	ticket_mask_phone(t->phone, phone, sizeof phone);
	present_age(m->now - t->created, age, sizeof age);
	keymap_action_keys_text(ACTION_ATTACH_CALL, keys, sizeof keys);
	snprintf(hint, sizeof hint, " %s %s ", keys, i18n_tr("intake.dup.attach"));
	hw = text_width(hint);
	snprintf(line, sizeof line, " %s #%lld \xc2\xb7 %s \xc2\xb7 %s \xc2\xb7 %s \xc2\xb7 %s "
	    "\xc2\xb7 %s", i18n_tr("intake.dup.open"), (long long)t->id, present_state(t->state),
	    age, present_region(m->data, t->region), phone, t->plate);
	if (text_width(line) + hw + 2 > cols - 2) {
		/* narrow: the ticket on its row, the key on the next */
		vscreen_put_ellipsis(vs, 1, y++, ROLE_WARN, THEME_BOLD, line, cols - 2);
		vscreen_put(vs, 1, y, ROLE_KEY, THEME_BOLD, hint, hw);
		return y + 1;
	}
	vscreen_put(vs, 1, y, ROLE_WARN, THEME_BOLD, line, cols - 2);
	vscreen_put(vs, cols - 1 - hw, y, ROLE_KEY, THEME_BOLD, hint, hw);
	return y + 1;
}

/* F10 on a new call of a caller with an open ticket: the warning beside the field that
 * matched (the next F10 with the same value creates the ticket all the same). */
static bool
dup_warning(struct view_intake *vi, int f)
{
	char keys[32];

	if (vi->dup_id == 0 || vi->dup_field != f)
		return false;
	keymap_action_keys_text(ACTION_ATTACH_CALL, keys, sizeof keys);
	snprintf(vi->rejected, sizeof vi->rejected, "%s #%lld \xc2\xb7 %s %s \xc2\xb7 %s",
	    i18n_tr("intake.dup.same"), (long long)vi->dup_id, keys,
	    i18n_tr("intake.dup.attach"), i18n_tr("intake.dup.again"));
	return true;
}

static void
on_attached(struct model *m, void *ctx, const struct proto_reply *r,
    const struct proto_error *err)
{
	struct view_intake *vi = ctx;

	(void)err;
	vi->attaching[0] = '\0';
	if (r == NULL || !r->ok)
		return;	/* the message line has the outcome; the draft stays */
	model_message(m, false, "#%lld: %s", (long long)vi->attach_id,
	    i18n_tr("intake.dup.attached"));
	model_close_open(m, vi, vi->attach_id);	/* the draft goes with the form */
}

/* The attach key: ticket.callback on the open ticket of the same caller, with the notes
 * typed as what the customer said; once the broker takes it, the form closes (and its
 * draft with it) and the ticket's detail opens. */
static unsigned
attach(struct view_intake *vi, struct model *m)
{
	struct proto_ticket_callback a = { .id = vi->dup_id, .present = 0 };
	struct model_request rq = { .op = PROTO_MSG_ticket_callback, .args = &a,
		.on_reply = on_attached, .ctx = vi, .owner = vi };
	char what[96], buf[512];

	if (vi->sending[0] != '\0' || vi->attaching[0] != '\0')
		return UI_HANDLED;	/* one command at a time: its answer comes */
	if (vi->dup_id == 0) {
		model_message(m, true, "%s", i18n_tr("intake.dup.none"));
		return UI_HANDLED | UI_REDRAW;
	}
	PROTO_SET(&a, ticket_callback, id);
	trimmed(vi, F_NOTES, buf, sizeof buf);
	if (buf[0] != '\0') {
		PROTO_STRSET(a.note, buf);
		PROTO_SET(&a, ticket_callback, note);
	}
	snprintf(what, sizeof what, "%s #%lld", i18n_tr("cmd.callback"), (long long)vi->dup_id);
	rq.what = what;
	vi->attach_id = vi->dup_id;
	model_request(m, &rq, vi->attaching);
	return UI_HANDLED | UI_REDRAW;
}

/* ---- drawing ---- */

static void
intake_draw(struct view *v, const struct model *m, struct vscreen *vs, const struct theme *th)
{
	struct view_intake *vi = (struct view_intake *)v;
	int cols = vscreen_cols(vs), rows = vscreen_rows(vs), top;
	char title[256];

	(void)th;
	diag_sync(vi, m);
	dup_sync(vi, m);
	if (view_too_small(cols, rows)) {
		view_draw_too_small(vs);
		return;
	}
	vscreen_fill(vs, 0, 0, cols, rows, ROLE_NORMAL, 0, L' ');
	if (vi->edit_id != 0)
		snprintf(title, sizeof title, "%s \xe2\x94\x82 %s #%lld", i18n_tr("app.name"),
		    i18n_tr("intake.edit.title"), (long long)vi->edit_id);
	else
		snprintf(title, sizeof title, "%s \xe2\x94\x82 %s", i18n_tr("app.name"),
		    i18n_tr("intake.title"));
	chrome_title(vs, m, title, NULL);
	if (chrome_banner_needed(m))
		chrome_banner(vs, 1, m);
	top = chrome_body_top(vs, m);
	if (vi->rejected[0] != '\0' && vi->rejected_field < 0) {
		/* the broker's error names no field: above the form until the next submit */
		snprintf(title, sizeof title, " %s ", vi->rejected);
		vscreen_put(vs, 1, top, ROLE_ERROR, THEME_BOLD, title, cols - 2);
		top++;
	}
	top = draw_duplicate(vi, m, vs, top);
	form_draw(&vi->form, vs, m, top, chrome_body_end(vs));
}

/* ---- keys ---- */

static void
fill_request(const struct view_intake *vi, const struct model *m,
    struct proto_intake_create *a)
{
	const struct data_landmark *lm = landmark_of(vi, m);
	char buf[512];
	double lat = 0, lon = 0;
	uint32_t flags = flags_of(vi);

	memset(a, 0, sizeof *a);
	trimmed(vi, F_NAME, buf, sizeof buf);
	PROTO_STRSET(a->customer, buf);
	PROTO_SET(a, intake_create, customer);
	trimmed(vi, F_PHONE, buf, sizeof buf);
	PROTO_STRSET(a->phone, buf);
	PROTO_SET(a, intake_create, phone);
	trimmed(vi, F_PLATE, buf, sizeof buf);
	PROTO_STRSET(a->plate, buf);
	PROTO_SET(a, intake_create, plate);
	trimmed(vi, F_MODEL, buf, sizeof buf);
	if (buf[0] != '\0') {
		PROTO_STRSET(a->model, buf);
		PROTO_SET(a, intake_create, model);
	}
	trimmed(vi, F_COORDS, buf, sizeof buf);
	parse_coords(buf, &lat, &lon);
	a->lat = lat;
	a->lon = lon;
	PROTO_SET(a, intake_create, lat);
	PROTO_SET(a, intake_create, lon);
	trimmed(vi, F_ADDRESS, buf, sizeof buf);
	PROTO_STRSET(a->address, buf[0] != '\0' ? buf : lm != NULL ? lm->name : "");
	PROTO_SET(a, intake_create, address);
	if (lm != NULL) {
		PROTO_STRSET(a->landmark, lm->name);
		PROTO_SET(a, intake_create, landmark);
	}
	PROTO_STRSET(a->fault, ticket_fault_name((enum ticket_fault)vi->fault));
	PROTO_SET(a, intake_create, fault);
	PROTO_STRSET(a->region, vi->region);
	PROTO_SET(a, intake_create, region);
	trimmed(vi, F_NOTES, buf, sizeof buf);
	if (buf[0] != '\0') {
		PROTO_STRSET(a->notes, buf);
		PROTO_SET(a, intake_create, notes);
	}
	if (flags != 0) {
		a->flags = (int64_t)flags;
		PROTO_SET(a, intake_create, flags);
	}
	if (form_shown(&vi->form, F_DIAG)) {
		a->diag_hold = form_checked(&vi->form, F_DIAG);
		PROTO_SET(a, intake_create, diag_hold);
	}
	if (form_checked(&vi->form, F_ENGLISH)) {
		PROTO_STRSET(a->lang, "en");
		PROTO_SET(a, intake_create, lang);
	}
}

/* The broker's answer to the submit. Taken: say which ticket it became and close the form.
 * Rejected: the form stays open with what was typed and the error beside the field it
 * names (the message line has it too). No answer within the retry window: the form stays
 * too (the message line says the intake may have been applied). */
static void
on_submitted(struct model *m, void *ctx, const struct proto_reply *r,
    const struct proto_error *err)
{
	struct view_intake *vi = ctx;
	struct model_pending *p;

	(void)err;
	vi->sending[0] = '\0';
	if (r != NULL && r->ok) {
		if (vi->edit_id != 0)
			model_message(m, false, "#%lld %s", (long long)vi->edit_id,
			    i18n_tr("msg.corrected"));
		else if ((p = model_pending_find(m, r->cmd_id)) != NULL)
			model_message(m, false, "%s: #%lld %s", p->what, (long long)r->ticket.id,
			    i18n_tr("msg.created"));
		model_close(m, vi);
		return;
	}
	if (r == NULL)
		return;
	present_error_data(&r->error, m->data, vi->rejected, sizeof vi->rejected);
	char at[40];	/* the args key the broker names ("field"), else its words */
	snprintf(at, sizeof at, "%s:", r->error.field);
	vi->rejected_field = rejected_field(r->error.field[0] ? at : r->error.message);
	if (vi->rejected_field >= 0) {
		field_value(vi, vi->rejected_field, vi->rejected_value,
		    sizeof vi->rejected_value);
		vi->form.focus = vi->rejected_field;
	}
}

/* The location typed lies outside the chosen region's radius: put the warning in words
 * into vi->rejected (shown at the coordinates) and return where it lies, else
 * DATA_WHERE_INSIDE. */
static enum data_where
location_warning(struct view_intake *vi, const struct model *m)
{
	const struct data_region *r = region_of(vi, m), *other;
	char buf[256], label[2 * DATA_NAME_MAX + 2], msg[512];
	enum data_where w;
	double lat, lon;

	trimmed(vi, F_COORDS, buf, sizeof buf);
	if (r == NULL || parse_coords(buf, &lat, &lon) < 0)
		return DATA_WHERE_INSIDE;
	w = data_where(m->data, r, lat, lon, &other);
	if (other != NULL)
		region_label(other, label, sizeof label);
	switch (w) {
	case DATA_WHERE_INSIDE:
		return w;
	case DATA_WHERE_OTHER:
		snprintf(msg, sizeof msg, "%s %.0f km (%s %.0f km) · %s %s · %s",
		    i18n_tr("intake.warn.far"), data_region_km(r, lat, lon),
		    i18n_tr("intake.warn.radius"), r->radius_km, i18n_tr("intake.warn.in"), label,
		    i18n_tr("intake.warn.again"));
		break;
	case DATA_WHERE_SWAPPED:
		snprintf(msg, sizeof msg, "%s %s · %s",
		    i18n_tr("intake.warn.swapped"), label, i18n_tr("intake.warn.swap"));
		break;
	case DATA_WHERE_NOWHERE:
		snprintf(msg, sizeof msg, "%s %.0f km (%s %.0f km) · %s · %s",
		    i18n_tr("intake.warn.far"), data_region_km(r, lat, lon),
		    i18n_tr("intake.warn.radius"), r->radius_km, i18n_tr("intake.warn.nowhere"),
		    i18n_tr("intake.warn.again"));
		break;
	}
	rd_strlcpy(vi->rejected, msg, sizeof vi->rejected);
	return w;
}

/* What a warning about field f is confirmed for: its value, with the region for the
 * location. */
static void
warn_key(const struct view_intake *vi, int f, char *out, size_t sz)
{
	char buf[COORDS_MAX + 1];

	trimmed(vi, f, buf, sizeof buf);
	if (f == F_COORDS)
		snprintf(out, sz, "%s@%s", buf, vi->region);
	else
		snprintf(out, sz, "%s", buf);
}

/* Field f's value is valid but unusual (a location outside the region, a number or a
 * plate that is not mainland Chinese): put the warning into vi->rejected and say true. */
static bool
format_warning(struct view_intake *vi, const struct model *m, int f)
{
	static const struct {
		const char *why, *key;
	} plates[] = {
		{ "no province character", "intake.warn.plate_latin" },
		{ "unknown province", "intake.warn.plate_province" },
	};
	char buf[256];
	const char *why;
	size_t i;

	trimmed(vi, f, buf, sizeof buf);
	switch (f) {
	case F_COORDS:
		vi->warned = location_warning(vi, m);
		return vi->warned != DATA_WHERE_INSIDE;
	case F_PHONE:
		if (ticket_phone_invalid(buf) != NULL || ticket_phone_not_cn(buf) == NULL ||
		    (vi->edit_id != 0 && strcmp(buf, vi->orig.phone) == 0))
			return false;
		snprintf(vi->rejected, sizeof vi->rejected, "%s · %s",
		    i18n_tr("intake.warn.phone"), i18n_tr("intake.warn.again"));
		return true;
	case F_PLATE:
		if (buf[0] == '\0' || (why = ticket_plate_invalid(buf)) == NULL)
			return false;
		for (i = 0; i < sizeof plates / sizeof plates[0]; i++) {
			if (strcmp(why, plates[i].why) == 0)
				break;
		}
		snprintf(vi->rejected, sizeof vi->rejected, "%s · %s",
		    i18n_tr(i < sizeof plates / sizeof plates[0] ? plates[i].key :
		    "intake.warn.plate"), i18n_tr("intake.warn.again"));
		return true;
	default:
		return false;
	}
}

/* ---- edit mode ---- */

/* A move further than this re-dispatches an accepted or en-route truck: the broker's
 * BROKER_EDIT_MOVE_M (PROTOCOL.md 7.20). */
#define EDIT_MOVE_M 1000.0

/* Whether field f (coordinates, phone, plate) differs from the ticket being corrected;
 * always true for a new call. */
static bool
changed_field(const struct view_intake *vi, int f)
{
	char buf[256];

	if (vi->edit_id == 0)
		return true;
	trimmed(vi, f, buf, sizeof buf);
	switch (f) {
	case F_COORDS:
		return strcmp(buf, vi->orig_coords) != 0;
	case F_PHONE:
		return strcmp(buf, vi->orig.phone) != 0;
	case F_PLATE:
		return strcmp(buf, vi->orig.plate) != 0;
	default:
		return true;
	}
}

/* ticket.edit's arguments: the keys whose value differs from the ticket as it was when
 * the form opened. Returns how many. */
static int
fill_edit(const struct view_intake *vi, const struct model *m, struct proto_ticket_edit *a)
{
	const struct data_landmark *lm = landmark_of(vi, m);
	char buf[512];
	double lat, lon;
	uint32_t flags = flags_of(vi);
	int n = 0;

	memset(a, 0, sizeof *a);
	a->id = vi->edit_id;
	PROTO_SET(a, ticket_edit, id);
#define EDIT_TEXT(field, key)                                   \
	do {                                                    \
		trimmed(vi, field, buf, sizeof buf);            \
		if (strcmp(buf, vi->orig.key) != 0) {           \
			PROTO_STRSET(a->key, buf);              \
			PROTO_SET(a, ticket_edit, key);         \
			n++;                                    \
		}                                               \
	} while (0)
	EDIT_TEXT(F_NAME, customer);
	EDIT_TEXT(F_PHONE, phone);
	EDIT_TEXT(F_PLATE, plate);
	EDIT_TEXT(F_MODEL, model);
#undef EDIT_TEXT
	trimmed(vi, F_COORDS, buf, sizeof buf);
	if (strcmp(buf, vi->orig_coords) != 0 && parse_coords(buf, &lat, &lon) == 0) {
		a->lat = lat;
		a->lon = lon;
		PROTO_SET(a, ticket_edit, lat);
		PROTO_SET(a, ticket_edit, lon);
		n++;
	}
	trimmed(vi, F_ADDRESS, buf, sizeof buf);
	if (buf[0] == '\0' && lm != NULL)
		rd_strlcpy(buf, lm->name, sizeof buf);
	if (strcmp(buf, vi->orig.address) != 0) {
		PROTO_STRSET(a->address, buf);
		PROTO_SET(a, ticket_edit, address);
		n++;
	}
	if (vi->landmark != vi->orig_landmark) {
		PROTO_STRSET(a->landmark, lm != NULL ? lm->name : "");
		PROTO_SET(a, ticket_edit, landmark);
		n++;
	}
	if (vi->fault >= 0 &&
	    strcmp(ticket_fault_name((enum ticket_fault)vi->fault), vi->orig.fault) != 0) {
		PROTO_STRSET(a->fault, ticket_fault_name((enum ticket_fault)vi->fault));
		PROTO_SET(a, ticket_edit, fault);
		n++;
	}
	if ((int64_t)flags != vi->orig.flags) {
		a->flags = (int64_t)flags;
		PROTO_SET(a, ticket_edit, flags);
		n++;
	}
	if (form_checked(&vi->form, F_ENGLISH) != (strcmp(vi->orig.lang, "en") == 0)) {
		PROTO_STRSET(a->lang, form_checked(&vi->form, F_ENGLISH) ? "en" : "zh");
		PROTO_SET(a, ticket_edit, lang);
		n++;
	}
	return n;
}

/* Whether the edit form holds anything that differs from the ticket (coordinates half
 * typed too): what Esc and C-c would lose, so they ask first. */
static bool
edit_differs(const struct view_intake *vi, const struct model *m)
{
	struct proto_ticket_edit a;

	return fill_edit(vi, m, &a) > 0 || changed_field(vi, F_COORDS);
}

/* Whether edit a takes the job from a truck that accepted it or is on its way, by the
 * broker's rule (PROTOCOL.md 7.20): the car further than EDIT_MOVE_M from where it is
 * now, or a fault the truck's kind cannot serve (unless a diagnosis chose the kind). The
 * field it is about goes to *field. */
static bool
takes_committed_truck(const struct view_intake *vi, const struct model *m,
    const struct proto_ticket_edit *a, int *field)
{
	const struct proto_ticket *t = model_ticket(m, vi->edit_id);
	const struct proto_truck *k;
	int s, kind, fault;
	uint32_t kinds;

	if (t == NULL || t->truck[0] == '\0')
		return false;
	s = ticket_state_parse(t->state);
	if (s != TICKET_ACCEPTED && s != TICKET_EN_ROUTE)
		return false;
	*field = F_COORDS;
	if (PROTO_HAS(a, ticket_edit, lat) && geo_distance_m((struct geo_point){ t->lat, t->lon },
	    (struct geo_point){ a->lat, a->lon }) > EDIT_MOVE_M)
		return true;
	*field = F_FAULT;
	if (!PROTO_HAS(a, ticket_edit, fault) || t->need_kind[0] != '\0' ||
	    (k = model_truck(m, t->truck)) == NULL)
		return false;
	kind = truck_kind_parse(k->kind);
	fault = ticket_fault_parse(a->fault);
	if (kind < 0 || fault < 0)
		return false;
	kinds = m->data != NULL ? m->data->faults[fault].kinds :
	    ticket_fault_kinds((enum ticket_fault)fault);
	return (kinds & (1u << kind)) == 0;
}

/* F10 in edit mode, once the fields are valid and their warnings confirmed: nothing
 * changed says so; a change that takes an accepted or en-route job from its truck asks
 * first (a second F10 with the same place and fault sends it); else ticket.edit with the
 * keys that changed. */
static unsigned
submit_edit(struct view_intake *vi, struct form *fm, struct model *m)
{
	struct proto_ticket_edit a;
	struct model_request rq = { .op = PROTO_MSG_ticket_edit, .args = &a,
		.on_reply = NULL, .ctx = vi, .owner = vi };
	const struct proto_ticket *t = model_ticket(m, vi->edit_id);
	char what[96], key[sizeof vi->moves_key], coords[COORDS_MAX + 1];
	int f = -1;

	if (fill_edit(vi, m, &a) == 0) {
		model_message(m, false, "%s", i18n_tr("intake.edit.nothing"));
		return UI_HANDLED | UI_REDRAW;
	}
	trimmed(vi, F_COORDS, coords, sizeof coords);
	snprintf(key, sizeof key, "%s|%d", coords, vi->fault);
	if (t != NULL && takes_committed_truck(vi, m, &a, &f) && strcmp(key, vi->moves_key) != 0) {
		snprintf(vi->rejected, sizeof vi->rejected, "%s %s (%s) \xc2\xb7 %s",
		    i18n_tr("intake.edit.moves"), t->truck, present_state(t->state),
		    i18n_tr("intake.edit.again"));
		rd_strlcpy(vi->moves_key, key, sizeof vi->moves_key);
		vi->rejected_field = f;
		field_value(vi, f, vi->rejected_value, sizeof vi->rejected_value);
		fm->focus = f;
		return UI_HANDLED | UI_REDRAW;
	}
	rq.on_reply = on_submitted;
	snprintf(what, sizeof what, "%s #%lld", i18n_tr("cmd.edit"), (long long)vi->edit_id);
	rq.what = what;
	model_request(m, &rq, vi->sending);
	return UI_HANDLED | UI_REDRAW;
}

static unsigned
submit(void *owner, struct form *fm, struct model *m)
{
	struct view_intake *vi = owner;
	struct proto_intake_create a;
	struct model_request rq = { .op = PROTO_MSG_intake_create, .args = &a,
		.on_reply = on_submitted, .ctx = vi, .owner = vi };
	char what[96], coords[COORDS_MAX + 1], key[sizeof vi->confirmed[0]];
	double lat, lon;
	int f;

	if (vi->sending[0] != '\0' || vi->attaching[0] != '\0')
		return UI_HANDLED;	/* sent already: its answer comes (status line: pending) */
	/* A warning is confirmed by a second submit with the same value (and region). */
	if (vi->warned_field >= 0 && vi->rejected_field == vi->warned_field) {
		f = vi->warned_field;
		warn_key(vi, f, key, sizeof key);
		if (strcmp(key, vi->warned_key) == 0) {
			if (f == F_COORDS && vi->warned == DATA_WHERE_SWAPPED) {
				/* swap them, for the agent to check and send */
				trimmed(vi, F_COORDS, coords, sizeof coords);
				if (parse_coords(coords, &lat, &lon) == 0) {
					format_coords(lon, lat, coords, sizeof coords);
					form_set_text(fm, F_COORDS, coords);
					vi->landmark = -1;
				}
				vi->rejected_field = vi->warned_field = -1;
				vi->rejected[0] = '\0';
				return UI_HANDLED | UI_REDRAW;
			}
			rd_strlcpy(vi->confirmed[f], key, sizeof vi->confirmed[f]);
		}
	}
	vi->rejected_field = vi->warned_field = -1;
	vi->rejected[0] = '\0';
	vi->warned = DATA_WHERE_INSIDE;
	for (f = 0; f < F_COUNT; f++) {
		if ((f != F_COORDS && f != F_PHONE && f != F_PLATE) || !changed_field(vi, f))
			continue;
		warn_key(vi, f, key, sizeof key);
		if (strcmp(key, vi->confirmed[f]) == 0 ||
		    !(dup_warning(vi, f) || format_warning(vi, m, f)))
			continue;
		vi->rejected_field = vi->warned_field = f;
		rd_strlcpy(vi->warned_key, key, sizeof vi->warned_key);
		field_value(vi, f, vi->rejected_value, sizeof vi->rejected_value);
		form_validate(fm, m);
		fm->focus = f;
		return UI_HANDLED | UI_REDRAW;
	}
	if (!form_validate(fm, m))
		return UI_HANDLED | UI_REDRAW;
	if (vi->edit_id != 0)
		return submit_edit(vi, fm, m);
	fill_request(vi, m, &a);
	snprintf(what, sizeof what, "%s %s", i18n_tr("cmd.intake"), a.customer);
	rq.what = what;
	/* The form stays open until the broker answers (model_request: -1 and the message
	 * line says why when it could not be sent). */
	model_request(m, &rq, vi->sending);
	return UI_HANDLED | UI_REDRAW;
}

static const struct form_ops intake_form_ops = {
	.error = field_error,
	.choice_text = choice_text,
	.choices = choices,
	.pick = pick,
	.step = step,
	.clear = clear,
	.edited = edited,
	.submit = submit,
};

static unsigned
intake_key(struct view *v, struct model *m, const struct key *k, enum keymap_action a)
{
	struct view_intake *vi = (struct view_intake *)v;
	unsigned r;

	diag_sync(vi, m);
	dup_sync(vi, m);
	if (a == ACTION_ATTACH_CALL && form_scope(&vi->form) == SCOPE_FORM)
		return attach(vi, m);
	/* an edit asks before Esc drops it when a value differs from the ticket, and only
	 * then: a value typed back to what it was is nothing to lose */
	if (vi->edit_id != 0 && a == ACTION_BACK && !vi->form.confirm && !vi->form.choosing &&
	    form_scope(&vi->form) == SCOPE_FORM)
		vi->form.changed = edit_differs(vi, m);
	r = form_key(&vi->form, m, k, a);
	diag_sync(vi, m);	/* the fault or the expressway box may have changed */
	dup_sync(vi, m);	/* so may the phone and the plate */
	v->scope = form_scope(&vi->form);
	return r;
}

static void
intake_destroy(struct view *v)
{
	struct view_intake *vi = (struct view_intake *)v;

	form_finish(&vi->form);
	free(vi);
}

static const struct view_ops intake_ops = {
	.name = "intake",
	.draw = intake_draw,
	.key = intake_key,
	.destroy = intake_destroy,
};

struct view *
view_intake_create(const struct model *m)
{
	struct view_intake *vi = xcalloc(1, sizeof *vi);
	char buf[BOARD_FILTER_MAX + 1], *save = NULL, *w;

	vi->view.ops = &intake_ops;
	vi->view.scope = SCOPE_FORM;
	vi->landmark = -1;
	vi->fault = -1;
	vi->rejected_field = -1;
	vi->warned_field = -1;
	form_init(&vi->form, defs, F_COUNT, section_titles, &intake_form_ops, vi);
	/* a Chinese input method left in full-width mode types "１３８" */
	form_fold_width(&vi->form, F_PHONE);
	form_fold_width(&vi->form, F_PLATE);
	form_fold_width(&vi->form, F_COORDS);
	vi->form.discard = "intake.discard";
	vi->form.invalid = "intake.still_invalid";
	vi->form.keys = form_keys;
	vi->form.n_keys = (int)ARRAY_LEN(form_keys) / 2;
	if (m != NULL && m->data != NULL && m->data->n_regions == 1)
		rd_strlcpy(vi->region, m->data->regions[0].id, sizeof vi->region);
	if (m != NULL && m->data != NULL) {
		rd_strlcpy(buf, m->board.filter, sizeof buf);
		for (w = strtok_r(buf, " ", &save); w != NULL; w = strtok_r(NULL, " ", &save)) {
			if (strncmp(w, "region:", 7) == 0 && data_region(m->data, w + 7) != NULL)
				rd_strlcpy(vi->region, w + 7, sizeof vi->region);
		}
	}
	diag_sync(vi, m);
	return &vi->view;
}

struct view *
view_intake_edit_create(const struct model *m, int64_t id)
{
	const struct proto_ticket *t = m != NULL ? model_ticket(m, id) : NULL;
	const struct data_region *r;
	struct view_intake *vi;
	int s = t != NULL ? ticket_state_parse(t->state) : -1;

	if (s < 0 || ticket_state_final((enum ticket_state)s))
		return NULL;
	vi = (struct view_intake *)view_intake_create(NULL);
	vi->edit_id = id;
	vi->orig = *t;
	/* name and phone as the broker sends them, masked: kept, they are not sent; an agent
	 * who corrects one types it whole */
	form_set_text(&vi->form, F_NAME, t->customer);
	form_set_text(&vi->form, F_PHONE, t->phone);
	form_set_text(&vi->form, F_PLATE, t->plate);
	form_set_text(&vi->form, F_MODEL, t->model);
	form_set_text(&vi->form, F_ADDRESS, t->address);
	rd_strlcpy(vi->region, t->region, sizeof vi->region);
	r = region_of(vi, m);
	for (size_t i = 0; r != NULL && t->landmark[0] != '\0' && i < r->n_landmarks; i++)
		if (strcmp(r->landmarks[i].name, t->landmark) == 0)
			vi->landmark = (int)i;
	vi->orig_landmark = vi->landmark;
	format_coords(t->lat, t->lon, vi->orig_coords, sizeof vi->orig_coords);
	form_set_text(&vi->form, F_COORDS, vi->orig_coords);
	vi->fault = ticket_fault_parse(t->fault);
	for (int f = 0; f < F_COUNT; f++)
		if (defs[f].kind == FORM_CHECK && defs[f].data != 0)
			form_set_checked(&vi->form, f, ((uint32_t)t->flags & defs[f].data) != 0);
	form_set_checked(&vi->form, F_ENGLISH, strcmp(t->lang, "en") == 0);
	/* the flags are the ticket's: a landmark picked now does not tick or untick them */
	vi->form.dirty[F_EXPRESSWAY] = true;
	/* the region stays the ticket's; notes are ticket.note's */
	form_show(&vi->form, F_REGION, false);
	form_show(&vi->form, F_NOTES, false);
	vi->form.discard = "intake.edit.discard";
	vi->form.focus = F_NAME;
	diag_sync(vi, m);
	return &vi->view;
}

/* ---- drafts ---- */

bool
view_is_intake(const struct view *v)
{
	return v != NULL && v->ops == &intake_ops &&
	    ((const struct view_intake *)v)->edit_id == 0;	/* an edit keeps no draft */
}

bool
view_intake_unsaved(const struct view *v, const struct model *m)
{
	const struct view_intake *vi = (const struct view_intake *)v;
	char text[8192];

	if (v == NULL || v->ops != &intake_ops)
		return false;
	if (vi->edit_id != 0)
		return edit_differs(vi, m);
	return view_intake_draft(v, text, sizeof text) > 0;
}

/* Append "key=value\n" to buf if it fits whole. */
static void
draft_line(char *buf, size_t len, size_t *n, const char *key, const char *value)
{
	int w;

	if (strchr(value, '\n') != NULL || *n >= len)
		return;
	w = snprintf(buf + *n, len - *n, "%s=%s\n", key, value);
	if (w < 0 || (size_t)w >= len - *n)
		buf[*n] = '\0';	/* cut at a line */
	else
		*n += (size_t)w;
}

size_t
view_intake_draft(const struct view *v, char *buf, size_t len)
{
	const struct view_intake *vi = (const struct view_intake *)v;
	char val[32];
	size_t n = 0;

	if (len == 0)
		return 0;
	buf[0] = '\0';
	if (!vi->form.changed)
		return 0;
	for (int f = 0; f < F_COUNT; f++) {
		switch (defs[f].kind) {
		case FORM_TEXT:
			if (form_text(&vi->form, f)[0] != '\0')
				draft_line(buf, len, &n, defs[f].label, form_text(&vi->form, f));
			break;
		case FORM_CHECK:
			if (form_edited(&vi->form, f))
				draft_line(buf, len, &n, defs[f].label,
				    form_checked(&vi->form, f) ? "1" : "0");
			break;
		case FORM_CHOICE:
			if (f == F_REGION && vi->region[0] != '\0')
				draft_line(buf, len, &n, defs[f].label, vi->region);
			if (f == F_LANDMARK && vi->landmark >= 0) {
				snprintf(val, sizeof val, "%d", vi->landmark);
				draft_line(buf, len, &n, defs[f].label, val);
			}
			if (f == F_FAULT && vi->fault >= 0)
				draft_line(buf, len, &n, defs[f].label,
				    ticket_fault_name((enum ticket_fault)vi->fault));
			break;
		}
	}
	return n;
}

int
view_intake_restore(struct view *v, const struct model *m, const char *text)
{
	struct view_intake *vi = (struct view_intake *)v;
	char line[1024], *eq;
	const struct data_region *r;
	const char *p = text, *nl;
	size_t l;
	int f, got = 0, landmark = -1;

	while (*p != '\0') {
		nl = strchr(p, '\n');
		l = nl != NULL ? (size_t)(nl - p) : strlen(p);
		if (l < sizeof line) {
			memcpy(line, p, l);
			line[l] = '\0';
		} else {
			line[0] = '\0';
		}
		p += l + (nl != NULL);
		if ((eq = strchr(line, '=')) == NULL)
			continue;
		*eq++ = '\0';
		for (f = 0; f < F_COUNT && strcmp(defs[f].label, line) != 0; f++)
			;
		if (f == F_COUNT)
			continue;
		if (defs[f].kind == FORM_TEXT) {
			if (strlen(eq) > defs[f].max)
				continue;
			form_set_text(&vi->form, f, eq);
			vi->form.dirty[f] = true;
		} else if (defs[f].kind == FORM_CHECK) {
			form_set_checked(&vi->form, f, strcmp(eq, "1") == 0);
			vi->form.dirty[f] = true;
		} else if (f == F_REGION) {
			if (m->data == NULL || data_region(m->data, eq) == NULL)
				continue;
			rd_strlcpy(vi->region, eq, sizeof vi->region);
		} else if (f == F_FAULT) {
			if (ticket_fault_parse(eq) < 0)
				continue;
			vi->fault = ticket_fault_parse(eq);
		} else if (f == F_LANDMARK) {
			landmark = atoi(eq);
			continue;	/* once the region is known */
		}
		got++;
	}
	r = region_of(vi, m);
	if (landmark >= 0 && r != NULL && (size_t)landmark < r->n_landmarks) {
		vi->landmark = landmark;
		got++;
	}
	if (got > 0)
		vi->form.changed = true;
	diag_sync(vi, m);
	return got;
}
