/* view-intake.c: the intake form (see view-intake.h). */
#include "view-intake.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chrome.h"
#include "data.h"
#include "i18n.h"
#include "lineedit.h"
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
	F_NOTES,
	F_EXPRESSWAY,
	F_ALONE_NIGHT,
	F_VULNERABLE,
	F_INJURY,
	F_COUNT
};

enum kind { K_TEXT, K_CHOICE, K_CHECK };

#define FIELD_MAX(f) (sizeof(((struct proto_intake_create *)0)->f) - 1)
#define COORDS_MAX 64

static const struct {
	const char *label;	/* catalog key */
	enum kind kind;
	size_t max;		/* text: bytes */
	uint32_t flag;		/* check: the ticket flag */
	int section;
} defs[F_COUNT] = {
	[F_NAME] = { "intake.name", K_TEXT, FIELD_MAX(customer), 0, 0 },
	[F_PHONE] = { "intake.phone", K_TEXT, FIELD_MAX(phone), 0, 0 },
	[F_PLATE] = { "intake.plate", K_TEXT, FIELD_MAX(plate), 0, 0 },
	[F_MODEL] = { "intake.model", K_TEXT, FIELD_MAX(model), 0, 0 },
	[F_REGION] = { "intake.region", K_CHOICE, 0, 0, 1 },
	[F_LANDMARK] = { "intake.landmark", K_CHOICE, 0, 0, 1 },
	[F_COORDS] = { "intake.coords", K_TEXT, COORDS_MAX, 0, 1 },
	[F_ADDRESS] = { "intake.address", K_TEXT, FIELD_MAX(address), 0, 1 },
	[F_FAULT] = { "intake.fault", K_CHOICE, 0, 0, 2 },
	[F_NOTES] = { "intake.notes", K_TEXT, FIELD_MAX(notes), 0, 2 },
	[F_EXPRESSWAY] = { "flag.expressway", K_CHECK, 0, TICKET_FLAG_EXPRESSWAY, 3 },
	[F_ALONE_NIGHT] = { "flag.alone_night", K_CHECK, 0, TICKET_FLAG_ALONE_NIGHT, 3 },
	[F_VULNERABLE] = { "flag.vulnerable", K_CHECK, 0, TICKET_FLAG_VULNERABLE, 3 },
	[F_INJURY] = { "flag.injury", K_CHECK, 0, TICKET_FLAG_INJURY, 3 },
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
	int focus;			/* enum field */
	struct lineedit edit[F_COUNT];	/* used by K_TEXT fields */
	char region[DATA_ID_MAX];	/* region id; "" none */
	int landmark;			/* index in the region's landmarks; -1 none */
	int fault;			/* enum ticket_fault; -1 none */
	uint32_t flags;
	bool dirty[F_COUNT];		/* edited since the form opened */
	bool touched[F_COUNT];		/* left after an edit: errors show */
	bool tried;			/* a submit was attempted: every error shows */
	bool changed;			/* anything typed or picked at all */
	bool choosing;			/* the focused choice's menu is open */
	bool confirm;			/* "discard this intake?" is open */
	struct menu menu;
	/* where each field was drawn last */
	int fx[F_COUNT], fy[F_COUNT], fw[F_COUNT];
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
	const char *s = lineedit_text(&vi->edit[f]);
	size_t n;

	while (*s == ' ')
		s++;
	n = strlen(s);
	while (n > 0 && s[n - 1] == ' ')
		n--;
	if (n >= sz)
		n = sz - 1;
	memcpy(out, s, n);
	out[n] = '\0';
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

/* The error of field f in words, or NULL when it is fine. */
static const char *
field_error(const struct view_intake *vi, const struct model *m, enum field f)
{
	char buf[256];
	const char *why;
	double lat, lon;

	switch (f) {
	case F_NAME:
		trimmed(vi, f, buf, sizeof buf);
		return buf[0] == '\0' ? i18n_tr("intake.err.name_empty") : NULL;
	case F_PHONE:
		trimmed(vi, f, buf, sizeof buf);
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

static bool
error_shown(const struct view_intake *vi, enum field f)
{
	return vi->tried || vi->touched[f];
}

static int
count_errors(const struct view_intake *vi, const struct model *m, int *first)
{
	int f, n = 0;

	*first = -1;
	for (f = 0; f < F_COUNT; f++) {
		if (field_error(vi, m, (enum field)f) != NULL) {
			if (n++ == 0)
				*first = f;
		}
	}
	return n;
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

/* The fault's label, with its code when that says something more ("电瓶 (battery)";
 * not "battery (battery)"). */
static void
fault_label(int f, char *out, size_t sz)
{
	const char *code = ticket_fault_name((enum ticket_fault)f), *label = present_fault(code);

	snprintf(out, sz, "%s", label);
	if (!same_words(label, code))
		snprintf(out, sz, "%s  (%s)", label, code);
}

/* The shown value of a choice field, and whether it is a placeholder. */
static const char *
choice_text(const struct view_intake *vi, const struct model *m, enum field f, char *buf,
    size_t sz, bool *placeholder)
{
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
	if (vi->landmark >= 0)
		lineedit_clear(&vi->edit[F_COORDS]);	/* they came from the old landmark */
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
	if (lm == NULL) {
		vi->landmark = -1;
		return;
	}
	format_coords(lm->lat, lm->lon, coords, sizeof coords);
	lineedit_set(&vi->edit[F_COORDS], coords);
}

static void
open_menu(struct view_intake *vi, const struct model *m)
{
	const struct data_region *r = region_of(vi, m);
	char label[2 * DATA_NAME_MAX + 2];
	size_t i;
	int f;

	menu_clear(&vi->menu);
	switch (vi->focus) {
	case F_REGION:
		for (i = 0; m->data != NULL && i < m->data->n_regions; i++) {
			region_label(&m->data->regions[i], label, sizeof label);
			menu_add(&vi->menu, label, same_words(m->data->regions[i].id,
			    m->data->regions[i].name) ? NULL : m->data->regions[i].id, (int)i);
			if (strcmp(m->data->regions[i].id, vi->region) == 0)
				vi->menu.sel = i;
		}
		break;
	case F_LANDMARK:
		if (r == NULL)
			return;
		menu_add(&vi->menu, i18n_tr("intake.landmark_none"), NULL, -1);
		for (i = 0; i < r->n_landmarks; i++)
			menu_add(&vi->menu, r->landmarks[i].name, NULL, (int)i);
		menu_select_value(&vi->menu, vi->landmark);
		break;
	case F_FAULT:
		for (f = 0; f < FAULT_COUNT; f++) {
			const char *code = ticket_fault_name((enum ticket_fault)f);

			menu_add(&vi->menu, present_fault(code),
			    same_words(present_fault(code), code) ? NULL : code, f);
		}
		menu_select_value(&vi->menu, vi->fault);
		break;
	default:
		return;
	}
	vi->choosing = true;
	vi->view.scope = SCOPE_DIALOG;
}

static void
pick(struct view_intake *vi, const struct model *m, enum field f, int value)
{
	switch (f) {
	case F_REGION:
		if (m->data != NULL && value >= 0 && (size_t)value < m->data->n_regions)
			set_region(vi, m->data->regions[value].id);
		break;
	case F_LANDMARK:
		set_landmark(vi, m, value);
		vi->dirty[F_COORDS] = vi->touched[F_COORDS] = true;
		break;
	case F_FAULT:
		vi->fault = value >= 0 && value < FAULT_COUNT ? value : -1;
		break;
	default:
		return;
	}
	vi->dirty[f] = vi->touched[f] = true;
	vi->changed = true;
}

/* Left/Right on a choice: the previous or next value. */
static void
step_choice(struct view_intake *vi, const struct model *m, int delta)
{
	const struct data_region *r = region_of(vi, m);
	int n, cur;

	switch (vi->focus) {
	case F_REGION:
		n = m->data != NULL ? (int)m->data->n_regions : 0;
		if (n == 0)
			return;
		for (cur = 0; cur < n && strcmp(m->data->regions[cur].id, vi->region) != 0; cur++)
			;
		cur = cur == n ? (delta > 0 ? 0 : n - 1) : (cur + delta + n) % n;
		pick(vi, m, F_REGION, cur);
		break;
	case F_LANDMARK:
		if (r == NULL)
			return;
		n = (int)r->n_landmarks + 1;	/* with "none" as -1 */
		cur = (vi->landmark + 1 + delta + n) % n - 1;
		pick(vi, m, F_LANDMARK, cur);
		break;
	case F_FAULT:
		cur = vi->fault < 0 ? (delta > 0 ? 0 : FAULT_COUNT - 1) :
		    (vi->fault + delta + FAULT_COUNT) % FAULT_COUNT;
		pick(vi, m, F_FAULT, cur);
		break;
	default:
		break;
	}
}

/* ---- drawing ---- */

static int
label_width(void)
{
	int f, w, best = 10;

	for (f = 0; f < F_COUNT; f++) {
		if (defs[f].kind == K_CHECK)
			continue;
		w = text_width(i18n_tr(defs[f].label));
		best = w > best ? w : best;
	}
	return best;
}

static void
draw_field(struct view_intake *vi, struct vscreen *vs, const struct model *m, enum field f,
    int lx, int lw, int fx, int fw, int y, int *cursor_x)
{
	int cols = vscreen_cols(vs), ex = fx + fw + 2;
	bool focus = vi->focus == (int)f, placeholder;
	const char *err = error_shown(vi, f) ? field_error(vi, m, f) : NULL, *text;
	char buf[256];

	vi->fx[f] = fx;
	vi->fy[f] = y;
	vi->fw[f] = fw;
	if (focus)
		vscreen_put(vs, lx - 2, y, ROLE_KEY, 0, "\xe2\x80\xba", 1);	/* › */
	vscreen_put_pad(vs, lx, y, focus ? ROLE_KEY : ROLE_NORMAL, 0, i18n_tr(defs[f].label),
	    lw);
	if (defs[f].kind == K_TEXT && focus)
		*cursor_x = lineedit_draw(&vi->edit[f], vs, fx, y, fw, ROLE_INPUT, 0);
	else if (defs[f].kind == K_TEXT)	/* not editing: the start, cut with "…" */
		vscreen_put_pad(vs, fx, y, ROLE_INPUT, 0, lineedit_text(&vi->edit[f]), fw);
	else {
		text = choice_text(vi, m, f, buf, sizeof buf, &placeholder);
		vscreen_fill(vs, fx, y, fw, 1, ROLE_INPUT, 0, L' ');
		vscreen_put_ellipsis(vs, fx, y, ROLE_INPUT, placeholder ? THEME_DIM : 0, text,
		    fw - 2);
		vscreen_put(vs, fx + fw - 1, y, ROLE_INPUT, 0, "\xe2\x96\xbe", 1);	/* ▾ */
	}
	if (err != NULL && ex < cols - 4)
		vscreen_put_ellipsis(vs, ex, y, ROLE_ERROR, 0, err, cols - 1 - ex);
}

static void
draw_check(struct view_intake *vi, struct vscreen *vs, enum field f, int x, int w, int y)
{
	bool focus = vi->focus == (int)f, on = (vi->flags & defs[f].flag) != 0;

	vi->fx[f] = x;
	vi->fy[f] = y;
	vi->fw[f] = 3;
	if (focus)
		vscreen_put(vs, x - 2, y, ROLE_KEY, 0, "\xe2\x80\xba", 1);
	vscreen_put(vs, x, y, ROLE_INPUT, 0, on ? "[x]" : "[ ]", 3);
	vscreen_put_pad(vs, x + 4, y, focus ? ROLE_KEY : on ? ROLE_WARN : ROLE_NORMAL, 0,
	    i18n_tr(defs[f].label), w - 4);
}

static void
draw_confirm(struct vscreen *vs)
{
	int cols = vscreen_cols(vs), rows = vscreen_rows(vs), w, x, y;
	char line[256];

	snprintf(line, sizeof line, "%s  [y/n]", i18n_tr("intake.discard"));
	w = text_width(line) + 6;
	w = w < cols - 2 ? w : cols - 2;
	x = (cols - w) / 2;
	y = rows / 2 - 1;
	vscreen_fill(vs, x, y, w, 3, ROLE_DIALOG, 0, L' ');
	vscreen_put_ellipsis(vs, x + 3, y + 1, ROLE_DIALOG, THEME_BOLD, line, w - 6);
	vscreen_set_cursor(vs, x + 3, y + 1, false);
}

static void
draw_message(struct view_intake *vi, struct vscreen *vs, const struct model *m, int y)
{
	const char *err = error_shown(vi, (enum field)vi->focus) ?
	    field_error(vi, m, (enum field)vi->focus) : NULL;
	char buf[512];
	int first, n;

	if (err != NULL) {
		snprintf(buf, sizeof buf, "%s%s%s", i18n_tr(defs[vi->focus].label), present_colon(),
		    err);
		chrome_error(vs, y, buf);
		return;
	}
	n = vi->tried ? count_errors(vi, m, &first) : 0;
	if (n > 0) {
		snprintf(buf, sizeof buf, "%s %d", i18n_tr("intake.still_invalid"), n);
		chrome_error(vs, y, buf);
		return;
	}
	if (m->message[0] != '\0') {
		chrome_message(vs, y, m, NULL, 0);
		return;
	}
	chrome_key_hints(vs, y, form_keys, (int)ARRAY_LEN(form_keys) / 2);
}

static void
intake_draw(struct view *v, const struct model *m, struct vscreen *vs, const struct theme *th)
{
	struct view_intake *vi = (struct view_intake *)v;
	int cols = vscreen_cols(vs), rows = vscreen_rows(vs), lw = label_width(), lx = 3, fx,
	    fw, y, y_end, f, sec = -1, cursor_x = -1, cw, mw, mh, my;
	bool gaps;
	char title[256];

	(void)th;
	if (view_too_small(cols, rows)) {
		view_draw_too_small(vs);
		return;
	}
	vscreen_fill(vs, 0, 0, cols, rows, ROLE_NORMAL, 0, L' ');
	snprintf(title, sizeof title, "%s \xe2\x94\x82 %s", i18n_tr("app.name"),
	    i18n_tr("intake.title"));
	chrome_title(vs, m, title, NULL);
	if (chrome_banner_needed(m))
		chrome_banner(vs, 1, m);
	y = chrome_body_top(vs, m);
	y_end = chrome_body_end(vs);
	/* 4 section rules, 10 field rows, 2 check rows; blank lines between sections when
	 * they fit. */
	gaps = y_end - y >= 16 + 3 + 1;
	if (gaps)
		y++;
	/* Fields take a bit less than half of what is right of the labels, the inline errors
	 * the rest; the check boxes sit in two columns. */
	fx = lx + lw + 2;
	fw = (cols - fx - 4) * 45 / 100;
	fw = fw < 24 ? 24 : fw > 60 ? 60 : fw;
	cw = (cols - fx) / 2 < 34 ? (cols - fx) / 2 : 34;
	for (f = 0; f < F_COUNT && y < y_end; f++) {
		if (defs[f].section != sec) {
			if (sec >= 0 && gaps)
				y++;
			sec = defs[f].section;
			chrome_section(vs, 1, y++, cols - 2, i18n_tr(section_titles[sec]), NULL);
		}
		if (y >= y_end)
			break;
		if (defs[f].kind == K_CHECK) {
			/* two a row, in the field column */
			draw_check(vi, vs, (enum field)f, fx + ((f - F_EXPRESSWAY) % 2) * cw, cw - 2,
			    y);
			if ((f - F_EXPRESSWAY) % 2 == 1)
				y++;
			continue;
		}
		draw_field(vi, vs, m, (enum field)f, lx, lw, fx, fw, y++, &cursor_x);
	}

	chrome_status(vs, rows - 2, m);
	draw_message(vi, vs, m, rows - 1);
	if (cursor_x >= 0)
		vscreen_set_cursor(vs, cursor_x, vi->fy[vi->focus], true);
	else
		vscreen_set_cursor(vs, vi->fx[vi->focus], vi->fy[vi->focus], false);
	if (vi->choosing) {
		mw = menu_width(&vi->menu, i18n_tr(defs[vi->focus].label));
		mw = mw > vi->fw[vi->focus] ? mw : vi->fw[vi->focus];	/* cover the field */
		mw = mw < cols - vi->fx[vi->focus] - 1 ? mw : cols - vi->fx[vi->focus] - 1;
		mh = (int)vi->menu.n + 2;
		my = vi->fy[vi->focus] + 1;
		if (my + mh > y_end) {
			/* no room below: above the field, or as much as fits */
			my = vi->fy[vi->focus] - mh;
			if (my < 1) {
				my = 1;
				mh = y_end - 1;
			}
		}
		menu_draw(&vi->menu, vs, vi->fx[vi->focus], my, mw, mh,
		    i18n_tr(defs[vi->focus].label));
	}
	if (vi->confirm)
		draw_confirm(vs);
}

/* ---- keys ---- */

static void
leave_field(struct view_intake *vi)
{
	if (vi->dirty[vi->focus])
		vi->touched[vi->focus] = true;
}

static void
move_focus(struct view_intake *vi, int delta, bool wrap)
{
	int f = vi->focus + delta;

	leave_field(vi);
	if (wrap)
		f = (f + F_COUNT) % F_COUNT;
	else if (f < 0)
		f = 0;
	else if (f >= F_COUNT)
		f = F_COUNT - 1;
	vi->focus = f;
}

static void
fill_request(const struct view_intake *vi, const struct model *m,
    struct proto_intake_create *a)
{
	const struct data_landmark *lm = landmark_of(vi, m);
	char buf[512];
	double lat = 0, lon = 0;

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
	if (vi->flags != 0) {
		a->flags = (int64_t)vi->flags;
		PROTO_SET(a, intake_create, flags);
	}
}

/* The broker took the call: say which ticket it became. ctx is NULL: the form has closed
 * by then. */
static void
on_created(struct model *m, void *ctx, const struct proto_reply *r,
    const struct proto_error *err)
{
	struct model_pending *p;

	(void)ctx;
	(void)err;
	if (r == NULL || !r->ok || (p = model_pending_find(m, r->cmd_id)) == NULL)
		return;
	model_message(m, false, "%s: #%lld %s", p->what, (long long)r->ticket.id,
	    i18n_tr("msg.created"));
}

static unsigned
submit(struct view_intake *vi, struct model *m)
{
	struct proto_intake_create a;
	struct model_request rq = { .op = PROTO_MSG_intake_create, .args = &a,
		.on_reply = on_created };
	char what[96];
	int first;

	leave_field(vi);
	vi->tried = true;
	if (count_errors(vi, m, &first) > 0) {
		vi->focus = first;
		return UI_HANDLED | UI_REDRAW;
	}
	fill_request(vi, m, &a);
	snprintf(what, sizeof what, "%s %s", i18n_tr("cmd.intake"), a.customer);
	rq.what = what;
	if (model_request(m, &rq, NULL) != 0)
		return UI_HANDLED | UI_REDRAW;	/* the message line says why */
	return UI_HANDLED | UI_CLOSE;
}

static unsigned
choosing_key(struct view_intake *vi, struct model *m, const struct key *k,
    enum keymap_action a)
{
	enum menu_result r = menu_key(&vi->menu, k, a);

	if (r == MENU_PICKED)
		pick(vi, m, (enum field)vi->focus, menu_value(&vi->menu));
	switch (r) {
	case MENU_PICKED:
	case MENU_CANCELLED:
		vi->choosing = false;
		vi->view.scope = SCOPE_FORM;
		return UI_HANDLED | UI_REDRAW;
	case MENU_MOVED:
		return UI_HANDLED | UI_REDRAW;
	case MENU_IGNORED:
		break;
	}
	return a == ACTION_HELP || a == ACTION_REDRAW ? UI_NONE : UI_HANDLED;
}

static unsigned
intake_key(struct view *v, struct model *m, const struct key *k, enum keymap_action a)
{
	struct view_intake *vi = (struct view_intake *)v;
	enum kind kind = defs[vi->focus].kind;
	bool space = a == ACTION_NONE && k != NULL && !k->is_func && k->code == ' ';
	enum lineedit_result r;

	if (vi->confirm) {
		if (a == ACTION_CONFIRM)
			return UI_HANDLED | UI_CLOSE;
		if (a == ACTION_DENY || a == ACTION_BACK) {
			vi->confirm = false;
			vi->view.scope = SCOPE_FORM;
			return UI_HANDLED | UI_REDRAW;
		}
		return a == ACTION_HELP || a == ACTION_REDRAW ? UI_NONE : UI_HANDLED;
	}
	if (vi->choosing)
		return choosing_key(vi, m, k, a);
	switch (a) {
	case ACTION_SUBMIT:
		return submit(vi, m);
	case ACTION_BACK:
		if (!vi->changed)
			return UI_HANDLED | UI_CLOSE;
		vi->confirm = true;
		vi->view.scope = SCOPE_DIALOG;
		return UI_HANDLED | UI_REDRAW;
	case ACTION_NEXT_PANE:
		move_focus(vi, 1, true);
		return UI_HANDLED | UI_REDRAW;
	case ACTION_PREV_PANE:
		move_focus(vi, -1, true);
		return UI_HANDLED | UI_REDRAW;
	case ACTION_MOVE_DOWN:
		move_focus(vi, 1, false);
		return UI_HANDLED | UI_REDRAW;
	case ACTION_MOVE_UP:
		move_focus(vi, -1, false);
		return UI_HANDLED | UI_REDRAW;
	case ACTION_HELP:
	case ACTION_REDRAW:
		return UI_NONE;
	default:
		break;
	}
	switch (kind) {
	case K_CHECK:
		if (space || a == ACTION_OPEN) {
			vi->flags ^= defs[vi->focus].flag;
			vi->changed = true;
			return UI_HANDLED | UI_REDRAW;
		}
		return UI_HANDLED;
	case K_CHOICE:
		if (space || a == ACTION_OPEN)
			open_menu(vi, m);
		else if (a == ACTION_MOVE_LEFT || a == ACTION_MOVE_RIGHT)
			step_choice(vi, m, a == ACTION_MOVE_LEFT ? -1 : 1);
		else if (a == ACTION_DELETE_BACK || a == ACTION_DELETE_CHAR ||
		    a == ACTION_CLEAR_FIELD) {
			if (vi->focus == F_LANDMARK)
				pick(vi, m, F_LANDMARK, -1);
		}
		return UI_HANDLED | UI_REDRAW;
	case K_TEXT:
		if (a == ACTION_OPEN) {
			move_focus(vi, 1, false);
			return UI_HANDLED | UI_REDRAW;
		}
		r = lineedit_key(&vi->edit[vi->focus], k, a);
		if (r == LINEEDIT_CHANGED) {
			vi->dirty[vi->focus] = true;
			vi->changed = true;
			/* Typed coordinates are no longer the landmark's. */
			if (vi->focus == F_COORDS)
				vi->landmark = -1;
		}
		return UI_HANDLED | UI_REDRAW;
	}
	return UI_HANDLED;
}

static void
intake_destroy(struct view *v)
{
	struct view_intake *vi = (struct view_intake *)v;
	int f;

	for (f = 0; f < F_COUNT; f++)
		lineedit_finish(&vi->edit[f]);
	menu_finish(&vi->menu);
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
	int f;

	vi->view.ops = &intake_ops;
	vi->view.scope = SCOPE_FORM;
	vi->landmark = -1;
	vi->fault = -1;
	for (f = 0; f < F_COUNT; f++)
		lineedit_init(&vi->edit[f], defs[f].max > 0 ? defs[f].max : 1);
	menu_init(&vi->menu);
	if (m != NULL && m->data != NULL && m->data->n_regions == 1)
		rd_strlcpy(vi->region, m->data->regions[0].id, sizeof vi->region);
	if (m != NULL && m->data != NULL) {
		rd_strlcpy(buf, m->board.filter, sizeof buf);
		for (w = strtok_r(buf, " ", &save); w != NULL; w = strtok_r(NULL, " ", &save)) {
			if (strncmp(w, "region:", 7) == 0 && data_region(m->data, w + 7) != NULL)
				rd_strlcpy(vi->region, w + 7, sizeof vi->region);
		}
	}
	return &vi->view;
}
