/* view-detail.c: one ticket: header, truck, warnings, timeline, actions (view-detail.h). */
#include "view-detail.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chrome.h"
#include "geo.h"
#include "i18n.h"
#include "kinds.h"
#include "lineedit.h"
#include "menu.h"
#include "model.h"
#include "present.h"
#include "text.h"
#include "ticket.h"
#include "util.h"

#define NEAR_MAX 5
#define PICK_MAX NEAR_MAX	/* trucks the assign panel offers */
#define WARN_SHOWN 3
#define WARN_SCAN 32		/* warnings of one ticket looked at for a re-dispatch */
#define WRAP_MAX 16		/* lines of one event's text at most */
#define TRUCK_ID_MAX (sizeof(((struct proto_ticket_assign *)0)->truck))
/* The key that sends a proposed re-dispatch. Like the digits of the panel it is this view's
 * own and not an action of the key table: it only means something while the warning row
 * that names it is on screen. */

enum mode {
	MODE_NONE,
	MODE_NOTE,		/* prompt: note text */
	MODE_CANCEL,		/* prompt: reason to cancel */
	MODE_MENU,		/* menu: next state */
	MODE_PICK,		/* assign panel: the list has the keys (digits, Enter, r) */
	MODE_ASSIGN		/* assign panel: typing a truck id */
};

/* Where the assign panel's list came from at the last draw. */
enum pick_src {
	PICK_LOADING,		/* the broker was asked: nothing to pick yet */
	PICK_BROKER,		/* the broker's ranked candidates */
	PICK_LOCAL		/* the local nearest-available estimate */
};

struct near_truck {
	char id[sizeof(((struct proto_truck *)0)->id)];
	char kind[sizeof(((struct proto_truck *)0)->kind)];
	char supplier[sizeof(((struct proto_truck *)0)->supplier)];
	char region[sizeof(((struct proto_truck *)0)->region)];
	double km;
};

/* One screen line of the timeline: part of the text of event ev. */
struct tl_line {
	size_t ev;
	size_t start, len;
	bool first;		/* the event's first line: time, kind and user are shown */
};

struct view_detail {
	struct view view;	/* first member */
	int64_t id;
	int64_t asked_ver;	/* the ticket version last asked for; -1 none */
	bool asked;
	enum mode mode;
	struct lineedit edit;
	char error[256];	/* the prompt's error, in words */
	struct menu menu;
	/* timeline scrolling */
	size_t tl_top;
	bool tl_follow;
	size_t tl_total;	/* lines at the last draw */
	int tl_rows;		/* rows at the last draw */
	/* assign: the nearest trucks at the last draw, and the one picked with Up/Down */
	struct near_truck near[NEAR_MAX];
	int n_near;
	int near_sel;		/* typing an id: the panel row Up/Down filled in; -1 none */
	/* The assign panel's rows as last drawn (keys act on what the agent saw, never on
	 * an answer that arrived since), the selected row and its truck (the selection
	 * follows the truck when the list changes). */
	enum pick_src pick_src;
	char pick[PICK_MAX][TRUCK_ID_MAX];
	int n_pick;
	int pick_sel;
	char pick_truck[TRUCK_ID_MAX];
	int pick_y;		/* the screen row of the highlighted truck; -1 none */
	/* the last re-dispatch sent from this view (warning id, version and truck), so a
	 * second R does not send it again */
	int64_t redisp_id, redisp_ver;
	char redisp_truck[TRUCK_ID_MAX];
};

static const struct view_hint hints[] = {
	{ ACTION_NOTE, ACTION_NONE, "detail.hint.note" },
	{ ACTION_SET_STATE, ACTION_NONE, "detail.hint.state" },
	{ ACTION_ASSIGN, ACTION_NONE, "detail.hint.assign" },
	{ ACTION_CANCEL_TICKET, ACTION_NONE, "detail.hint.cancel" },
	{ ACTION_BACK, ACTION_NONE, "detail.hint.back" },
	{ ACTION_HELP, ACTION_NONE, "hint.help" },
};

static const char *const send_keys[] = {
	"Enter", "prompt.send", "Esc", "prompt.cancel",
};

static const char *const assign_keys[] = {
	"Up/Down", "prompt.pick", "Enter", "prompt.send", "Tab", "detail.cand.hint.list",
	"Esc", "prompt.cancel",
};

static const char *const pick_keys[] = {
	"Up/Down", "prompt.pick", "Enter/1-5", "detail.cand.hint.assign",
	"r", "detail.cand.hint.refresh", "Tab", "detail.cand.hint.type",
	"Esc", "prompt.cancel",
};

/* ---- helpers ---- */

static int
state_of(const struct proto_ticket *t)
{
	return ticket_state_parse(t->state);
}

/* The label column: wide enough for every label in the current language. */
static int
label_width(void)
{
	static const char *keys[] = {
		"detail.customer", "detail.phone", "detail.vehicle", "detail.region",
		"detail.place", "detail.fault", "detail.flags", "detail.promised", "detail.eta",
		"detail.times",
	};
	size_t i;
	int w, best = 8;

	for (i = 0; i < ARRAY_LEN(keys); i++) {
		w = text_width(i18n_tr(keys[i]));
		best = w > best ? w : best;
	}
	return best;
}

/* A label and its value at (x, y); the value gets w columns after the label column. */
static void
field(struct vscreen *vs, int x, int y, int lw, int w, const char *label,
    enum theme_role role, const char *value)
{
	vscreen_put_pad(vs, x, y, ROLE_DIM, 0, i18n_tr(label), lw);
	vscreen_put_pad(vs, x + lw + 2, y, role, 0, value, w);
}

static void
fmt_time_left(int64_t at, int64_t now, char *out, size_t sz)
{
	char clock[16], left[24];

	model_fmt_clock(at, clock, sizeof clock);
	model_fmt_minutes(at - now, left, sizeof left);
	snprintf(out, sz, "%s (%s)", clock, left);
}

/* The time of each state the ticket went through, as "label HH:MM" items. Returns how
 * many were stored. */
static int
times_items(const struct proto_ticket *t, char items[][64], int max)
{
	static const struct {
		size_t off;
		const char *state;
	} marks[] = {
		{ offsetof(struct proto_ticket, t_dispatched), "dispatched" },
		{ offsetof(struct proto_ticket, t_accepted), "accepted" },
		{ offsetof(struct proto_ticket, t_en_route), "en_route" },
		{ offsetof(struct proto_ticket, t_on_scene), "on_scene" },
		{ offsetof(struct proto_ticket, t_towing), "towing" },
	};
	char clock[16];
	int64_t at;
	size_t i;
	int n = 0, s = state_of(t);

	model_fmt_clock(t->created, clock, sizeof clock);
	snprintf(items[n++], 64, "%s %s", i18n_tr("detail.created"), clock);
	for (i = 0; i < ARRAY_LEN(marks) && n < max; i++) {
		memcpy(&at, (const char *)t + marks[i].off, sizeof at);
		if (at <= 0)
			continue;
		model_fmt_clock(at, clock, sizeof clock);
		snprintf(items[n++], 64, "%s %s", present_state(marks[i].state), clock);
	}
	if (n < max && t->t_closed > 0 && s >= 0 && ticket_state_final((enum ticket_state)s)) {
		model_fmt_clock(t->t_closed, clock, sizeof clock);
		snprintf(items[n++], 64, "%s %s", present_state(t->state), clock);
	}
	return n;
}

/* Whether a truck may (still) be assigned to t: new, or re-dispatched before on scene. */
static bool
can_dispatch(const struct proto_ticket *t)
{
	int s = t != NULL ? state_of(t) : -1;

	return s >= 0 && ticket_transition_ok((enum ticket_state)s, TICKET_DISPATCHED);
}

/* The re-dispatch the broker proposes for t: its most severe "redispatch" warning naming a
 * truck other than t's own; NULL if none. */
static const struct proto_warning *
redispatch_of(const struct model *m, const struct proto_ticket *t)
{
	const struct proto_warning *w[WARN_SCAN];
	size_t n = model_ticket_warnings(m, t->id, w, WARN_SCAN), i;

	for (i = 0; i < n; i++) {
		if (warn_kind_parse(w[i]->kind) == WARN_REDISPATCH && w[i]->truck[0] != '\0' &&
		    strcmp(w[i]->truck, t->truck) != 0)
			return w[i];
	}
	return NULL;
}

/* Trucks that could take the ticket: available, able to serve its fault, with a position;
 * the nearest first. */
static int
find_near(const struct model *m, const struct proto_ticket *t, struct near_truck *out,
    int max)
{
	struct geo_point p = { t->lat, t->lon }, q;
	int f = ticket_fault_parse(t->fault), k, n = 0, i, j;
	uint32_t able;
	size_t x;
	double km;

	if (f < 0)
		able = (1u << TRUCK_KIND_COUNT) - 1;
	else if (m->data != NULL && m->data->faults[f].kinds != 0)
		able = m->data->faults[f].kinds;
	else
		able = ticket_fault_kinds((enum ticket_fault)f);
	for (x = 0; x < m->n_trucks; x++) {
		const struct proto_truck *tr = m->trucks[x];

		if (strcmp(tr->status, "available") != 0 || !PROTO_HAS(tr, truck, lat) ||
		    !PROTO_HAS(tr, truck, lon))
			continue;
		k = truck_kind_parse(tr->kind);
		if (k < 0 || !(able & (1u << k)))
			continue;
		q.lat = tr->lat;
		q.lon = tr->lon;
		km = geo_distance_m(p, q) / 1000.0;
		/* insertion into the sorted top list */
		for (i = n; i > 0 && out[i - 1].km > km; i--)
			;
		if (i >= max)
			continue;
		j = n < max ? n : max - 1;
		memmove(&out[i + 1], &out[i], (size_t)(j - i) * sizeof *out);
		rd_strlcpy(out[i].id, tr->id, sizeof out[i].id);
		rd_strlcpy(out[i].kind, tr->kind, sizeof out[i].kind);
		rd_strlcpy(out[i].supplier, tr->supplier, sizeof out[i].supplier);
		rd_strlcpy(out[i].region, tr->region, sizeof out[i].region);
		out[i].km = km;
		if (n < max)
			n++;
	}
	return n;
}

/* ---- drawing ---- */

static int
draw_header(struct vscreen *vs, const struct model *m, const struct proto_ticket *t, int y,
    int y_end)
{
	int cols = vscreen_cols(vs), lw = label_width(), x = 1, rx, lvw, rvw, fw, n, i;
	char buf[512], phone[32], coords[64], a[160], b[160], items[8][64];
	int lines, cx;
	enum present_due due = present_due(m->data != NULL ? &m->data->sla : NULL, t, m->now,
	    model_warn_level(m, t->id));

	rx = cols / 2;				/* the right-hand column */
	lvw = rx - 2 - (x + lw + 2);
	rvw = cols - 1 - (rx + lw + 2);
	fw = cols - 1 - (x + lw + 2);

	ticket_mask_phone(t->phone, phone, sizeof phone);
	field(vs, x, y, lw, lvw, "detail.customer", ROLE_NORMAL, t->customer);
	field(vs, rx, y, lw, rvw, "detail.phone", ROLE_NORMAL, phone);
	if (++y >= y_end)
		return y;

	snprintf(buf, sizeof buf, "%s%s%s", t->plate, t->model[0] ? "  \xc2\xb7  " : "",
	    t->model);
	field(vs, x, y, lw, lvw, "detail.vehicle", ROLE_NORMAL, buf);
	field(vs, rx, y, lw, rvw, "detail.region", ROLE_NORMAL, present_region(m->data,
	    t->region));
	if (++y >= y_end)
		return y;

	snprintf(coords, sizeof coords, "%.5f, %.5f", t->lat, t->lon);
	n = text_width(coords);
	field(vs, x, y, lw, fw - n - 2, "detail.place", ROLE_NORMAL,
	    t->landmark[0] ? t->landmark : t->address);
	vscreen_put(vs, cols - 1 - n, y, ROLE_DIM, 0, coords, n);
	if (t->landmark[0] != '\0' && t->address[0] != '\0') {
		if (++y >= y_end)
			return y;
		vscreen_put_pad(vs, x + lw + 2, y, ROLE_NORMAL, 0, t->address, fw);
	}
	if (++y >= y_end)
		return y;

	present_flags((uint32_t)t->flags, "  \xc2\xb7  ", buf, sizeof buf);
	field(vs, x, y, lw, lvw, "detail.fault", ROLE_NORMAL, present_fault(t->fault));
	field(vs, rx, y, lw, rvw, "detail.flags", buf[0] ? ROLE_WARN : ROLE_DIM,
	    buf[0] ? buf : i18n_tr("detail.no_flags"));
	if (++y >= y_end)
		return y;

	if (t->promised > 0)
		fmt_time_left(t->promised, m->now, a, sizeof a);
	else
		rd_strlcpy(a, "-", sizeof a);
	field(vs, x, y, lw, lvw, "detail.promised",
	    due != PRESENT_DUE_NONE ? present_due_role(due) : ROLE_NORMAL, a);
	if (present_eta_known(t) && present_before_scene(t)) {
		fmt_time_left(t->eta, m->now, b, sizeof b);
		if (t->eta_src[0] != '\0') {
			size_t len = strlen(b);

			snprintf(b + len, sizeof b - len, " \xc2\xb7 %s", present_eta_src(t->eta_src));
		}
	} else
		rd_strlcpy(b, present_before_scene(t) ? i18n_tr("detail.no_eta") : "-", sizeof b);
	field(vs, rx, y, lw, rvw, "detail.eta",
	    strcmp(t->eta_src, "stale") == 0 ? ROLE_WARN : ROLE_NORMAL, b);
	if (++y >= y_end)
		return y;

	/* The times, as many a line as fit, never split inside an item; two lines at most. */
	n = times_items(t, items, (int)ARRAY_LEN(items));
	vscreen_put_pad(vs, x, y, ROLE_DIM, 0, i18n_tr("detail.times"), lw);
	for (i = 0, lines = 0, cx = x + lw + 2; i < n; i++) {
		int w = text_width(items[i]), sep = cx > x + lw + 2 ? 5 : 0;

		if (cx + sep + w > cols - 1 && sep > 0) {
			if (++lines == 2 || y + 1 >= y_end)
				break;
			y++;
			cx = x + lw + 2;
			sep = 0;
		}
		if (sep > 0)
			vscreen_put(vs, cx + 2, y, ROLE_DIM, 0, "\xc2\xb7", 1);
		cx += sep;
		cx += vscreen_put(vs, cx, y, ROLE_NORMAL, 0, items[i], cols - 1 - cx);
	}
	y++;
	return y;
}

static int
draw_truck(struct vscreen *vs, const struct model *m, const struct proto_ticket *t, int y,
    int y_end)
{
	int cols = vscreen_cols(vs), x;
	const struct proto_truck *k = model_truck(m, t->truck);
	char buf[256], age[24];
	int64_t stale_ms = m->data != NULL ? (int64_t)m->data->sla.gps_stale_s * 1000 : 90000;

	if (y >= y_end)
		return y;
	chrome_section(vs, 0, y++, cols, i18n_tr("detail.truck"), NULL);
	if (y >= y_end)
		return y;
	if (t->truck[0] == '\0' && model_ticket_awaits_choice(m, t)) {
		x = 1 + vscreen_put(vs, 1, y, ROLE_DIM, 0, i18n_tr("detail.no_truck"), -1);
		vscreen_put_ellipsis(vs, x + 2, y, ROLE_WARN, 0, i18n_tr("detail.choose_hint"),
		    cols - x - 3);
		return y + 1;
	}
	if (t->truck[0] == '\0') {
		x = 1 + vscreen_put(vs, 1, y, ROLE_DIM, 0, i18n_tr("detail.no_truck"), -1);
		if (ticket_transition_ok((enum ticket_state)state_of(t), TICKET_DISPATCHED))
			vscreen_put(vs, x + 2, y, ROLE_DIM, 0, i18n_tr("detail.no_truck_hint"), -1);
		return y + 1;
	}
	x = 1 + vscreen_put(vs, 1, y, ROLE_NORMAL, THEME_BOLD, t->truck, 24);
	if (k == NULL) {
		vscreen_put(vs, x + 2, y, ROLE_DIM, 0, i18n_tr("detail.truck_unknown"), -1);
		return y + 1;
	}
	snprintf(buf, sizeof buf, "%s  \xc2\xb7  %s  \xc2\xb7  %s",
	    present_supplier(m->data, k->region, k->supplier), present_kind(k->kind),
	    present_truck_status(k->status));
	vscreen_put_ellipsis(vs, x + 2, y, ROLE_NORMAL, 0, buf, cols - x - 3);
	if (++y >= y_end)
		return y;
	x = 1;
	if (k->fix_ts > 0 && PROTO_HAS(k, truck, lat)) {
		struct geo_point a = { k->lat, k->lon }, b = { t->lat, t->lon };
		bool stale = m->now - k->fix_ts > stale_ms;

		present_age(m->now - k->fix_ts, age, sizeof age);
		snprintf(buf, sizeof buf, "%s %s", i18n_tr("detail.fix_age"), age);
		x += vscreen_put(vs, x, y, stale ? ROLE_WARN : ROLE_NORMAL, 0, buf, -1);
		if (PROTO_HAS(k, truck, speed_kmh)) {
			snprintf(buf, sizeof buf, "  \xc2\xb7  %.0f km/h", k->speed_kmh);
			x += vscreen_put(vs, x, y, ROLE_NORMAL, 0, buf, -1);
		}
		if (present_before_scene(t)) {
			snprintf(buf, sizeof buf, "  \xc2\xb7  %s %.1f km", i18n_tr("detail.km_left"),
			    geo_distance_m(a, b) / 1000.0);
			vscreen_put(vs, x, y, ROLE_NORMAL, 0, buf, -1);
		}
	} else
		vscreen_put(vs, x, y, ROLE_WARN, 0, i18n_tr("detail.no_fix"), -1);
	return y + 1;
}

/* The key hint of a proposed re-dispatch at the right end of row y ("R re-dispatch to
 * CSH-XY-V05"); returns the column where it starts. */
static int
draw_redispatch_hint(struct vscreen *vs, int y, const char *truck)
{
	struct key keys[1];
	char key[16] = "R";
	char text[128];
	int cols = vscreen_cols(vs), kw, tw, x;

	if (keymap_action_keys(ACTION_REDISPATCH, keys, 1) >= 1)
		keymap_key_name(&keys[0], key, sizeof key); /* the key table's, as in the help */
	snprintf(text, sizeof text, "%s %s", i18n_tr("detail.redispatch_to"), truck);
	kw = text_width(key);
	tw = text_width(text);
	x = cols - 1 - tw - 1 - kw;
	if (x < cols / 2)
		return cols + 1;	/* no room: the text gets the row */
	vscreen_put(vs, x, y, ROLE_KEY, THEME_BOLD, key, kw);
	vscreen_put(vs, x + kw + 1, y, ROLE_WARN, 0, text, tw);
	return x;
}

static int
draw_warnings(struct vscreen *vs, const struct model *m, const struct proto_ticket *t,
    int y, int y_end)
{
	const struct proto_warning *w[WARN_SCAN], *rd = redispatch_of(m, t);
	size_t n = model_ticket_warnings(m, t->id, w, WARN_SCAN), i, shown;
	int cols = vscreen_cols(vs), x, end;
	enum theme_role role;
	char title[64], text[256];

	if (n == 0 || y >= y_end)
		return y;
	if (!can_dispatch(t))
		rd = NULL;
	shown = n < WARN_SHOWN ? n : WARN_SHOWN;
	/* A proposed re-dispatch waits for a key: never hide it below the fold. */
	for (i = 0; rd != NULL && i < shown && w[i] != rd; i++)
		;
	if (rd != NULL && i == shown)
		w[shown - 1] = rd;
	snprintf(title, sizeof title, "%s  %zu", i18n_tr("detail.warnings"), n);
	chrome_section(vs, 0, y++, cols, title, NULL);
	for (i = 0; i < shown && y < y_end; i++, y++) {
		role = warn_level_parse(w[i]->level) == WARN_LEVEL_RED ? ROLE_LATE : ROLE_WARN;
		vscreen_put(vs, 1, y, role, 0, "!", 1);
		vscreen_put_pad(vs, 3, y, role, 0, present_warn_level(w[i]->level), 6);
		x = 3 + 6 + 1;
		vscreen_put_pad(vs, x, y, role, 0, present_warn_kind(w[i]->kind), 14);
		x += 14 + 1;
		end = w[i] == rd ? draw_redispatch_hint(vs, y, rd->truck) - 2 : cols - 1;
		present_warning_text(w[i], t, m->now, text, sizeof text);
		vscreen_put_ellipsis(vs, x, y, ROLE_NORMAL, 0, text, end - x);
	}
	return y;
}

static enum theme_role
event_role(const struct proto_event *e)
{
	int k = event_kind_parse(e->kind);

	if (k == EVENT_NOTE)
		return ROLE_KEY;
	if (k >= 0 && event_kind_streams((enum event_kind)k) == EVENT_ON_WARNING)
		return ROLE_WARN;
	return ROLE_NORMAL;
}

static void
draw_timeline(struct view_detail *vd, struct vscreen *vs, const struct model *m,
    const struct proto_ticket *t, int y, int y_end)
{
	int cols = vscreen_cols(vs), x_text = 1 + 5 + 2 + 10 + 1 + 10 + 1, dw, r;
	bool ours = m->detail_id == vd->id;
	size_t nev = ours ? m->n_events : 0, i, n, cap = 0, total = 0, starts[WRAP_MAX],
	    lens[WRAP_MAX], k, top;
	struct tl_line *lines = NULL;
	char right[64], clock[16], text[1024];
	const struct proto_event *e;

	if (y >= y_end)
		return;
	if (!ours || (m->detail_loading && nev == 0))
		rd_strlcpy(right, i18n_tr("detail.loading"), sizeof right);
	else if (m->detail_loading || m->detail_ver != t->ver)
		snprintf(right, sizeof right, "%zu  \xc2\xb7  %s", nev, i18n_tr("detail.updating"));
	else
		snprintf(right, sizeof right, "%zu", nev);
	chrome_section(vs, 0, y++, cols, i18n_tr("detail.timeline"), right);
	vd->tl_rows = y_end - y > 0 ? y_end - y : 0;
	if (vd->tl_rows == 0)
		return;
	if (nev == 0) {
		vscreen_put(vs, 1, y, ROLE_DIM, 0, i18n_tr(!ours || m->detail_loading ?
		    "detail.loading" : "detail.no_events"), cols - 2);
		vd->tl_total = 0;
		return;
	}
	dw = cols - 1 - x_text;
	if (dw < 10)
		dw = 10;
	for (i = 0; i < nev; i++) {
		e = &m->events[i];
		n = present_wrap(e->detail, dw, starts, lens, WRAP_MAX);
		if (n > WRAP_MAX)
			n = WRAP_MAX;
		if (total + n > cap) {
			cap = (total + n) * 2;
			lines = xreallocarray(lines, cap, sizeof *lines);
		}
		for (k = 0; k < n; k++) {
			lines[total].ev = i;
			lines[total].start = starts[k];
			lines[total].len = lens[k];
			lines[total].first = k == 0;
			total++;
		}
	}
	vd->tl_total = total;
	if (vd->tl_follow || vd->tl_top + (size_t)vd->tl_rows > total)
		vd->tl_top = total > (size_t)vd->tl_rows ? total - (size_t)vd->tl_rows : 0;
	top = vd->tl_top;
	for (r = 0; r < vd->tl_rows && top + (size_t)r < total; r++) {
		const struct tl_line *l = &lines[top + (size_t)r];

		e = &m->events[l->ev];
		if (l->first) {
			model_fmt_clock(e->ts, clock, sizeof clock);
			vscreen_put(vs, 1, y + r, ROLE_DIM, 0, clock, 5);
			vscreen_put_pad(vs, 1 + 5 + 2, y + r, event_role(e), 0,
			    present_event_kind(e->kind), 10);
			vscreen_put_pad(vs, 1 + 5 + 2 + 11, y + r, ROLE_DIM, 0,
			    e->user[0] ? e->user : i18n_tr("detail.system"), 10);
		}
		n = l->len < sizeof text - 1 ? l->len : sizeof text - 1;
		memcpy(text, e->detail + l->start, n);
		text[n] = '\0';
		vscreen_put(vs, x_text, y + r, ROLE_NORMAL, 0, text, dw);
	}
	/* More above or below: say so at the right edge of the section. */
	if (top > 0)
		vscreen_put(vs, cols - 2, y, ROLE_DIM, 0, "\xe2\x86\x91", 1);
	if (top + (size_t)vd->tl_rows < total)
		vscreen_put(vs, cols - 2, y + vd->tl_rows - 1, ROLE_DIM, 0, "\xe2\x86\x93", 1);
	free(lines);
}

/* ---- the assign panel ---- */

#define SRC_MAX 24		/* columns for what an ETA rests on */

/* The columns of a candidate's first line, from the panel's left edge x over w. */
struct pick_cols {
	int rank, truck, kind, status, km, eta, src, src_w, gps;
};

static void
pick_cols(struct pick_cols *c, int x, int w)
{
	c->rank = x + 1;
	c->truck = x + 3;
	c->kind = c->truck + 13;
	c->status = c->kind + 11;
	c->km = c->status + 11;		/* right-aligned, 8 */
	c->eta = c->km + 9;		/* right-aligned, 5 */
	c->src = c->eta + 7;
	c->src_w = x + w - 8 - 1 - c->src;	/* what is left before GPS, up to SRC_MAX */
	if (c->src_w > SRC_MAX)
		c->src_w = SRC_MAX;
	c->gps = c->src + c->src_w + 1;	/* right-aligned, 6 */
}

static void
pick_header(struct vscreen *vs, const struct pick_cols *c, int x, int y, int w)
{
	enum theme_role r = ROLE_DIALOG;

	vscreen_fill(vs, x, y, w, 1, r, 0, L' ');
	vscreen_put(vs, c->rank, y, r, THEME_BOLD, "#", 1);
	vscreen_put_pad(vs, c->truck, y, r, THEME_BOLD, i18n_tr("detail.cand.col.truck"), 12);
	vscreen_put_pad(vs, c->kind, y, r, THEME_BOLD, i18n_tr("detail.cand.col.kind"), 10);
	vscreen_put_pad(vs, c->status, y, r, THEME_BOLD, i18n_tr("detail.cand.col.status"), 10);
	vscreen_put_right(vs, c->km, y, r, THEME_BOLD, i18n_tr("detail.cand.col.km"), 8);
	vscreen_put_right(vs, c->eta, y, r, THEME_BOLD, i18n_tr("detail.cand.col.eta"), 5);
	vscreen_put_pad(vs, c->src, y, r, THEME_BOLD, i18n_tr("detail.cand.col.src"), c->src_w);
	vscreen_put_right(vs, c->gps, y, r, THEME_BOLD, i18n_tr("detail.cand.col.gps"), 6);
}

/* One broker candidate on lines rows (2 or 3) from y: the numbers, then supplier, load
 * and quality, then why (appended to the second line when there are only two). */
static void
pick_candidate(struct vscreen *vs, const struct model *m, const struct proto_ticket *t,
    const struct proto_candidate *c, const struct pick_cols *pc, int rank, bool sel, int x,
    int y, int w, int lines)
{
	enum theme_role role = sel ? ROLE_SELECTED : ROLE_DIALOG;
	const struct proto_truck *k = model_truck(m, c->truck);
	int64_t stale_s = m->data != NULL ? m->data->sla.gps_stale_s : 90;
	bool stale = c->stale || strcmp(c->eta_src, "stale") == 0;
	char buf[512], num[32];
	size_t len;

	vscreen_fill(vs, x, y, w, lines, role, 0, L' ');
	snprintf(num, sizeof num, "%d", rank);
	vscreen_put(vs, pc->rank, y, role, THEME_BOLD, num, 1);
	vscreen_put_pad(vs, pc->truck, y, role, THEME_BOLD, c->truck, 12);
	vscreen_put_pad(vs, pc->kind, y, role, 0, present_kind(c->kind), 10);
	vscreen_put_pad(vs, pc->status, y, role, 0, present_truck_status(c->status), 10);
	snprintf(buf, sizeof buf, "%.1f km", c->km);
	vscreen_put_right(vs, pc->km, y, role, 0, buf, 8);
	model_fmt_minutes(c->eta_s * 1000, buf, sizeof buf);
	vscreen_put_right(vs, pc->eta, y, stale ? ROLE_WARN : role, 0, buf, 5);
	if (stale) {
		snprintf(buf, sizeof buf, "%s%s%s", i18n_tr("detail.cand.stale"),
		    strcmp(c->eta_src, "stale") != 0 ? " \xc2\xb7 " : "",
		    strcmp(c->eta_src, "stale") != 0 ? present_eta_src(c->eta_src) : "");
		vscreen_put_pad(vs, pc->src, y, ROLE_WARN, THEME_BOLD, buf, pc->src_w);
	} else
		vscreen_put_pad(vs, pc->src, y, role, 0, present_eta_src(c->eta_src), pc->src_w);
	if (c->gps_age_s < 0)
		vscreen_put_right(vs, pc->gps, y, ROLE_WARN, 0, i18n_tr("detail.cand.no_gps"), 6);
	else {
		present_age(c->gps_age_s * 1000, buf, sizeof buf);
		vscreen_put_right(vs, pc->gps, y, stale || c->gps_age_s > stale_s ? ROLE_WARN :
		    role, 0, buf, 6);
	}

	/* supplier, load, quality (and why) */
	snprintf(buf, sizeof buf, "%s", present_supplier(m->data, k != NULL ? k->region :
	    t->region, c->supplier[0] != '\0' ? c->supplier : k != NULL ? k->supplier : "-"));
	len = strlen(buf);
	if (PROTO_HAS(c, candidate, load))
		snprintf(buf + len, sizeof buf - len, "  \xc2\xb7  %s %lld",
		    i18n_tr("detail.cand.load"), (long long)c->load);
	len = strlen(buf);
	if (PROTO_HAS(c, candidate, quality))
		snprintf(buf + len, sizeof buf - len, "  \xc2\xb7  %s %.2f",
		    i18n_tr("detail.cand.quality"), c->quality);
	len = strlen(buf);
	if (lines < 3 && c->why[0] != '\0')
		snprintf(buf + len, sizeof buf - len, "  \xc2\xb7  %s", c->why);
	vscreen_put_ellipsis(vs, pc->truck, y + 1, role, 0, buf, x + w - 1 - pc->truck);
	if (lines >= 3)
		vscreen_put_ellipsis(vs, pc->truck, y + 2, role, 0, c->why[0] != '\0' ? c->why :
		    "-", x + w - 1 - pc->truck);
}

/* One truck of the local estimate on row y. */
static void
pick_local(struct vscreen *vs, const struct model *m, const struct near_truck *n, int rank,
    bool sel, int x, int y, int w)
{
	enum theme_role role = sel ? ROLE_SELECTED : ROLE_DIALOG;
	char num[32], km[32];

	vscreen_fill(vs, x, y, w, 1, role, 0, L' ');
	snprintf(num, sizeof num, "%d", rank);
	vscreen_put(vs, x + 1, y, role, THEME_BOLD, num, 1);
	vscreen_put_pad(vs, x + 3, y, role, THEME_BOLD, n->id, 12);
	vscreen_put_pad(vs, x + 16, y, role, 0, present_kind(n->kind), 10);
	snprintf(km, sizeof km, "%.1f km", n->km);
	vscreen_put_right(vs, x + w - 12, y, role, 0, km, 10);
	vscreen_put_pad(vs, x + 27, y, role, 0, present_supplier(m->data, n->region,
	    n->supplier), w - 12 - 27 - 1);
}

/* Keep the selection on the same truck when the rows change; else the first row. */
static void
pick_settle(struct view_detail *vd)
{
	int i;

	vd->pick_sel = 0;
	for (i = 0; i < vd->n_pick; i++) {
		if (strcmp(vd->pick[i], vd->pick_truck) == 0)
			vd->pick_sel = i;
	}
	if (vd->n_pick > 0)
		rd_strlcpy(vd->pick_truck, vd->pick[vd->pick_sel], sizeof vd->pick_truck);
}

/* The assign panel at the bottom of the body (ending at y_bottom, never above y_top): the
 * broker's ranked candidates, or while it is asked "loading", or when it cannot answer
 * the error in words and the local nearest-available estimate. Records the rows drawn. */
static void
draw_pick(struct view_detail *vd, struct vscreen *vs, const struct model *m,
    const struct proto_ticket *t, int y_top, int y_bottom)
{
	int cols = vscreen_cols(vs), w = cols, x = 0, h, y, i, n = 0, lines = 3, notes = 0,
	    room = y_bottom - y_top, body, hl;
	bool ours = m->candidates_id == vd->id, can_ask = m->ops != NULL &&
	    m->ops->fetch_candidates != NULL;
	const char *note = NULL, *right;
	enum theme_role note_role = ROLE_DIALOG;
	char title[160], err[512], line[512];
	size_t note_st[2], note_len[2], nst;
	struct pick_cols pc;

	if (can_ask && ours && m->candidates_loading)
		vd->pick_src = PICK_LOADING;
	else if (can_ask && ours && m->candidates_error[0] == '\0' && m->n_candidates > 0)
		vd->pick_src = PICK_BROKER;
	else {
		vd->pick_src = PICK_LOCAL;
		note_role = ROLE_ERROR;
		if (!can_ask)
			snprintf(err, sizeof err, "%s%s%s", i18n_tr("detail.cand.err"),
			    present_colon(), i18n_tr("detail.cand.err_no_op"));
		else if (!ours) {	/* asked for another ticket since */
			rd_strlcpy(err, i18n_tr("detail.cand.not_asked"), sizeof err);
			note_role = ROLE_DIALOG;
		} else if (m->candidates_error[0] != '\0')
			snprintf(err, sizeof err, "%s%s%s", i18n_tr("detail.cand.err"),
			    present_colon(), m->candidates_error);
		else {			/* the broker answered: nobody */
			rd_strlcpy(err, i18n_tr("detail.cand.none"), sizeof err);
			note_role = ROLE_WARN;
		}
		note = err;
	}

	/* the rows, as the keys will see them */
	vd->n_pick = 0;
	if (vd->pick_src == PICK_BROKER) {
		n = m->n_candidates < PICK_MAX ? (int)m->n_candidates : PICK_MAX;
		for (i = 0; i < n; i++)
			rd_strlcpy(vd->pick[i], m->candidates[i].truck, TRUCK_ID_MAX);
	} else if (vd->pick_src == PICK_LOCAL) {
		n = vd->n_near = find_near(m, t, vd->near, NEAR_MAX);
		for (i = 0; i < n; i++)
			rd_strlcpy(vd->pick[i], vd->near[i].id, TRUCK_ID_MAX);
	}
	/* the note (an error, mostly) on up to two lines */
	if (note != NULL) {
		nst = present_wrap(note, w - 2, note_st, note_len, 2);
		notes = nst > 2 ? 2 : (int)nst;
	}
	if (vd->pick_src == PICK_BROKER) {
		/* title, header, rows, border: fewer lines a truck, then fewer trucks */
		if (2 + 3 * n + 1 > room)
			lines = 2;
		while (n > 1 && 2 + lines * n + 1 > room)
			n--;
		body = 1 + lines * n;
	} else {
		while (n > 1 && 1 + notes + n + 1 > room)
			n--;
		body = notes + (n > 0 ? n : 1);
	}
	vd->n_pick = n;
	pick_settle(vd);
	/* the highlight: the selection, or while typing the row of the id typed */
	hl = vd->mode == MODE_PICK ? vd->pick_sel : -1;
	for (i = 0; vd->mode == MODE_ASSIGN && i < n; i++) {
		if (strcmp(vd->pick[i], lineedit_text(&vd->edit)) == 0)
			hl = i;
	}
	vd->pick_y = -1;

	h = 1 + body + 1;
	y = y_bottom - h;
	if (y < y_top)
		y = y_top;
	if (vd->pick_src == PICK_LOCAL) {
		snprintf(title, sizeof title, "%s%s%s", i18n_tr("detail.near_title"),
		    present_colon(), present_fault(t->fault));
		right = i18n_tr("detail.cand.local");
	} else {
		snprintf(title, sizeof title, "%s%s%s", i18n_tr("detail.cand.title"),
		    present_colon(), present_fault(t->fault));
		right = i18n_tr(vd->pick_src == PICK_LOADING ? "detail.loading" :
		    "detail.cand.ranked");
	}
	vscreen_fill(vs, x, y, w, h, ROLE_DIALOG, 0, L' ');
	chrome_section(vs, x, y, w, title, right);
	vscreen_fill(vs, x, y + h - 1, w, 1, ROLE_BORDER, 0, L'\x2500');
	y++;
	switch (vd->pick_src) {
	case PICK_LOADING:
		vscreen_put_ellipsis(vs, x + 2, y, ROLE_DIALOG, 0, i18n_tr("detail.cand.loading"),
		    w - 4);
		break;
	case PICK_BROKER:
		pick_cols(&pc, x, w);
		pick_header(vs, &pc, x, y++, w);
		for (i = 0; i < n; i++, y += lines) {
			pick_candidate(vs, m, t, &m->candidates[i], &pc, i + 1, i == hl, x, y, w,
			    lines);
			if (i == hl)
				vd->pick_y = y;
		}
		break;
	case PICK_LOCAL:
		for (i = 0; i < notes; i++, y++) {
			/* the last line takes the rest, cut with an ellipsis if need be */
			nst = i == notes - 1 ? strlen(note) - note_st[i] : note_len[i];
			nst = nst < sizeof line - 1 ? nst : sizeof line - 1;
			memcpy(line, note + note_st[i], nst);
			line[nst] = '\0';
			vscreen_fill(vs, x + 1, y, w - 2, 1, note_role, 0, L' ');
			vscreen_put_ellipsis(vs, x + 1, y, note_role, 0, line, w - 2);
		}
		if (n == 0)
			vscreen_put_ellipsis(vs, x + 2, y, ROLE_DIALOG, 0,
			    i18n_tr("detail.near_none"), w - 4);
		for (i = 0; i < n; i++, y++) {
			pick_local(vs, m, &vd->near[i], i + 1, i == hl, x, y, w);
			if (i == hl)
				vd->pick_y = y;
		}
		break;
	}
}

static void
draw_missing(struct vscreen *vs, int64_t id, int y)
{
	char buf[256];

	snprintf(buf, sizeof buf, "#%lld  %s", (long long)id, i18n_tr("detail.missing"));
	vscreen_put_ellipsis(vs, 1, y + 1, ROLE_WARN, 0, buf, vscreen_cols(vs) - 2);
}

static void
detail_draw(struct view *v, const struct model *m, struct vscreen *vs, const struct theme *th)
{
	struct view_detail *vd = (struct view_detail *)v;
	const struct proto_ticket *t = model_ticket(m, vd->id);
	int cols = vscreen_cols(vs), rows = vscreen_rows(vs), y, y_end, mw, mh;
	char left[256], keys[160];

	(void)th;
	if (view_too_small(cols, rows)) {
		view_draw_too_small(vs);
		return;
	}
	vscreen_fill(vs, 0, 0, cols, rows, ROLE_NORMAL, 0, L' ');
	snprintf(left, sizeof left, "%s \xe2\x94\x82 #%lld%s%s", i18n_tr("app.name"),
	    (long long)vd->id, t != NULL ? " \xc2\xb7 " : "", t != NULL ? t->customer : "");
	chrome_title(vs, m, left, t != NULL ? present_state(t->state) : NULL);
	if (chrome_banner_needed(m))
		chrome_banner(vs, 1, m);
	y = chrome_body_top(vs, m);
	y_end = chrome_body_end(vs);
	if ((vd->mode != MODE_NONE && vd->mode != MODE_MENU) && vd->error[0] != '\0')
		y_end--;
	if (t == NULL)
		draw_missing(vs, vd->id, y);
	else {
		y = draw_header(vs, m, t, y, y_end);
		y = draw_truck(vs, m, t, y, y_end);
		y = draw_warnings(vs, m, t, y, y_end);
		draw_timeline(vd, vs, m, t, y, y_end);
	}
	vscreen_set_cursor(vs, 0, chrome_body_top(vs, m), false);

	if ((vd->mode == MODE_PICK || vd->mode == MODE_ASSIGN) && t != NULL) {
		draw_pick(vd, vs, m, t, chrome_body_top(vs, m) + 1, y_end);
		if (vd->mode == MODE_PICK && vd->pick_y >= 0)	/* for screen readers */
			vscreen_set_cursor(vs, 0, vd->pick_y, false);
	}
	if (vd->mode == MODE_MENU) {
		snprintf(left, sizeof left, "%s  %s \xe2\x86\x92", i18n_tr("detail.menu_title"),
		    t != NULL ? present_state(t->state) : "");
		mw = menu_width(&vd->menu, left);
		mw = mw < cols - 4 ? mw : cols - 4;
		mh = (int)vd->menu.n + 2;
		menu_draw(&vd->menu, vs, (cols - mw) / 2, y_end - mh > 1 ? (y_end - mh) / 2 + 1 : 1,
		    mw, mh, left);
	}
	if (vd->mode != MODE_NONE && vd->mode != MODE_MENU && vd->error[0] != '\0')
		chrome_error(vs, y_end, vd->error);
	chrome_status(vs, rows - 2, m);
	switch (vd->mode) {
	case MODE_NOTE:
		chrome_keys_text(keys, sizeof keys, send_keys, 2);
		chrome_prompt(vs, rows - 1, i18n_tr("detail.prompt_note"), &vd->edit, keys);
		break;
	case MODE_CANCEL:
		chrome_keys_text(keys, sizeof keys, send_keys, 2);
		chrome_prompt(vs, rows - 1, i18n_tr("detail.prompt_cancel"), &vd->edit, keys);
		break;
	case MODE_ASSIGN:
		chrome_keys_text(keys, sizeof keys, assign_keys, 4);
		chrome_prompt(vs, rows - 1, i18n_tr("detail.prompt_assign"), &vd->edit, keys);
		break;
	case MODE_PICK:
		chrome_key_hints(vs, rows - 1, pick_keys, (int)ARRAY_LEN(pick_keys) / 2);
		break;
	default:
		chrome_message(vs, rows - 1, m, hints, (int)ARRAY_LEN(hints));
		break;
	}
}

/* ---- keys ---- */

static void
set_mode(struct view_detail *vd, enum mode mode)
{
	vd->mode = mode;
	vd->error[0] = '\0';
	lineedit_clear(&vd->edit);
	switch (mode) {
	case MODE_NONE:
		vd->view.scope = SCOPE_DETAIL;
		break;
	case MODE_MENU:
		vd->view.scope = SCOPE_DIALOG;
		break;
	case MODE_NOTE:
		vd->edit.max = sizeof(((struct proto_ticket_note *)0)->text) - 1;
		vd->view.scope = SCOPE_FORM;
		break;
	case MODE_CANCEL:
		vd->edit.max = sizeof(((struct proto_ticket_cancel *)0)->reason) - 1;
		vd->view.scope = SCOPE_FORM;
		break;
	case MODE_PICK:
		vd->view.scope = SCOPE_DIALOG;
		break;
	case MODE_ASSIGN:
		vd->edit.max = TRUCK_ID_MAX - 1;
		vd->near_sel = -1;
		vd->view.scope = SCOPE_FORM;
		break;
	}
}

/* Forget the rows drawn (the next draw shows what is true then) and ask the broker for
 * its best trucks, when the app can. */
static void
pick_ask(struct view_detail *vd, struct model *m)
{
	vd->n_pick = 0;
	vd->pick_sel = 0;
	vd->pick_truck[0] = '\0';
	if (m->ops != NULL && m->ops->fetch_candidates != NULL)
		m->ops->fetch_candidates(m, vd->id, PICK_MAX);
}

/* Refuse an action in words on the message line. */
static unsigned
refuse(struct model *m, const char *key, const struct proto_ticket *t)
{
	model_message(m, true, "%s (%s)", i18n_tr(key), t != NULL ? present_state(t->state) :
	    "-");
	return UI_HANDLED | UI_REDRAW;
}

/* R: send the re-dispatch the broker proposes (ticket.assign to its truck), once. */
static unsigned
redispatch(struct view_detail *vd, struct model *m)
{
	const struct proto_ticket *t = model_ticket(m, vd->id);
	const struct proto_warning *w = t != NULL ? redispatch_of(m, t) : NULL;

	if (t == NULL)
		return refuse(m, "detail.err_missing", NULL);
	if (w == NULL) {
		model_message(m, true, "%s", i18n_tr("detail.err_no_redispatch"));
		return UI_HANDLED | UI_REDRAW;
	}
	if (!can_dispatch(t))
		return refuse(m, "detail.err_assign", t);
	if (vd->redisp_id == w->id && vd->redisp_ver == w->ver &&
	    strcmp(vd->redisp_truck, w->truck) == 0) {
		model_message(m, false, "%s%s%s", i18n_tr("detail.redispatch_sent"),
		    present_colon(), w->truck);
		return UI_HANDLED | UI_REDRAW;
	}
	if (m->ops->assign(m, vd->id, w->truck) == 0) {
		vd->redisp_id = w->id;
		vd->redisp_ver = w->ver;
		rd_strlcpy(vd->redisp_truck, w->truck, sizeof vd->redisp_truck);
	}
	view_detail_sync(&vd->view, m);
	return UI_HANDLED | UI_REDRAW;
}

/* Assign the truck of row i of the panel as drawn; the panel closes when it was sent. */
static unsigned
pick_assign(struct view_detail *vd, struct model *m, int i)
{
	const struct proto_ticket *t = model_ticket(m, vd->id);
	char truck[TRUCK_ID_MAX];

	if (vd->n_pick == 0)		/* the panel says why (loading, none) */
		return UI_HANDLED;
	if (i < 0 || i >= vd->n_pick) {
		snprintf(vd->error, sizeof vd->error, "%s%s%d", i18n_tr("detail.cand.err_no_row"),
		    present_colon(), i + 1);
		return UI_HANDLED | UI_REDRAW;
	}
	if (!can_dispatch(t)) {		/* it moved on while the panel was open */
		set_mode(vd, MODE_NONE);
		return refuse(m, t != NULL ? "detail.err_assign" : "detail.err_missing", t);
	}
	rd_strlcpy(truck, vd->pick[i], sizeof truck);
	if (m->ops->assign(m, vd->id, truck) != 0) {
		rd_strlcpy(vd->error, m->message[0] != '\0' ? m->message :
		    i18n_tr("detail.err_not_sent"), sizeof vd->error);
		return UI_HANDLED | UI_REDRAW;
	}
	set_mode(vd, MODE_NONE);
	view_detail_sync(&vd->view, m);
	return UI_HANDLED | UI_REDRAW;
}

/* Keys of the assign panel's list (SCOPE_DIALOG): Up/Down (Home/End) select, Enter or the
 * digit of a row assigns, r asks the broker again, Tab goes to typing an id, q/Esc close. */
static unsigned
pick_mode_key(struct view_detail *vd, struct model *m, const struct key *k,
    enum keymap_action a)
{
	int sel = vd->pick_sel;

	switch (a) {
	case ACTION_MOVE_UP:
	case ACTION_MOVE_DOWN:
	case ACTION_HOME:
	case ACTION_END:
		if (vd->n_pick == 0)
			return UI_HANDLED;
		sel = a == ACTION_HOME ? 0 : a == ACTION_END ? vd->n_pick - 1 :
		    sel + (a == ACTION_MOVE_DOWN ? 1 : -1);
		sel = sel < 0 ? 0 : sel >= vd->n_pick ? vd->n_pick - 1 : sel;
		vd->pick_sel = sel;
		rd_strlcpy(vd->pick_truck, vd->pick[sel], sizeof vd->pick_truck);
		vd->error[0] = '\0';
		return UI_HANDLED | UI_REDRAW;
	case ACTION_OPEN:
		return pick_assign(vd, m, vd->pick_sel);
	case ACTION_NEXT_PANE:
	case ACTION_PREV_PANE:
		set_mode(vd, MODE_ASSIGN);
		return UI_HANDLED | UI_REDRAW;
	case ACTION_BACK:
		set_mode(vd, MODE_NONE);
		return UI_HANDLED | UI_REDRAW;
	case ACTION_HELP:
	case ACTION_REDRAW:
	case ACTION_QUIT:
		return UI_NONE;
	case ACTION_NONE:
		if (k == NULL || k->is_func)
			break;
		if (k->code >= '1' && k->code < '1' + PICK_MAX)
			return pick_assign(vd, m, k->code - '1');
		if (k->code == 'r') {
			vd->error[0] = '\0';
			pick_ask(vd, m);
			return UI_HANDLED | UI_REDRAW;
		}
		break;
	default:
		break;
	}
	return UI_HANDLED;
}

static unsigned
start(struct view_detail *vd, struct model *m, enum keymap_action a)
{
	const struct proto_ticket *t = model_ticket(m, vd->id);
	int s = t != NULL ? state_of(t) : -1, i;

	if (a != ACTION_NOTE && a != ACTION_CANCEL_TICKET && a != ACTION_ASSIGN &&
	    a != ACTION_SET_STATE)
		return UI_NONE;		/* not a ticket action: the caller's (help, quit...) */
	if (t == NULL)
		return refuse(m, "detail.err_missing", NULL);
	switch (a) {
	case ACTION_NOTE:
		set_mode(vd, MODE_NOTE);
		break;
	case ACTION_CANCEL_TICKET:
		if (!ticket_transition_ok((enum ticket_state)s, TICKET_CANCELLED))
			return refuse(m, "detail.err_cancel", t);
		set_mode(vd, MODE_CANCEL);
		break;
	case ACTION_ASSIGN:
		if (!ticket_transition_ok((enum ticket_state)s, TICKET_DISPATCHED))
			return refuse(m, "detail.err_assign", t);
		set_mode(vd, MODE_PICK);
		pick_ask(vd, m);
		break;
	case ACTION_SET_STATE:
		menu_clear(&vd->menu);
		for (i = 0; i < TICKET_STATE_COUNT; i++) {
			if (i == TICKET_DISPATCHED ||
			    !ticket_transition_ok((enum ticket_state)s, (enum ticket_state)i))
				continue;
			menu_add(&vd->menu, present_state(ticket_state_name((enum ticket_state)i)),
			    i == TICKET_NEW ? i18n_tr("detail.menu_release") :
			    i == TICKET_CANCELLED ? i18n_tr("detail.menu_reason") : NULL, i);
		}
		if (vd->menu.n == 0)
			return refuse(m, "detail.err_state", t);
		set_mode(vd, MODE_MENU);
		break;
	default:
		return UI_NONE;
	}
	return UI_HANDLED | UI_REDRAW;
}

/* Send what the prompt holds; stays in the prompt with an error when it cannot. */
static unsigned
submit(struct view_detail *vd, struct model *m)
{
	const char *text = lineedit_text(&vd->edit);
	int rc;

	while (*text == ' ')
		text++;
	if (*text == '\0') {
		rd_strlcpy(vd->error, i18n_tr(vd->mode == MODE_NOTE ? "detail.err_note_empty" :
		    vd->mode == MODE_ASSIGN ? "detail.err_truck_empty" : "detail.err_reason_empty"),
		    sizeof vd->error);
		return UI_HANDLED | UI_REDRAW;
	}
	switch (vd->mode) {
	case MODE_NOTE:
		rc = m->ops->note(m, vd->id, text);
		break;
	case MODE_CANCEL:
		rc = m->ops->cancel(m, vd->id, text);
		break;
	case MODE_ASSIGN:
		if (model_truck(m, text) == NULL) {
			snprintf(vd->error, sizeof vd->error, "%s%s%s",
			    i18n_tr("detail.err_truck_unknown"), present_colon(), text);
			return UI_HANDLED | UI_REDRAW;
		}
		rc = m->ops->assign(m, vd->id, text);
		break;
	default:
		return UI_HANDLED;
	}
	if (rc == 0)
		set_mode(vd, MODE_NONE);
	else	/* keep what was typed; the app said why */
		rd_strlcpy(vd->error, m->message[0] != '\0' ? m->message :
		    i18n_tr("detail.err_not_sent"), sizeof vd->error);
	view_detail_sync(&vd->view, m);
	return UI_HANDLED | UI_REDRAW;
}

static unsigned
menu_mode_key(struct view_detail *vd, struct model *m, const struct key *k,
    enum keymap_action a)
{
	int s;

	switch (menu_key(&vd->menu, k, a)) {
	case MENU_CANCELLED:
		set_mode(vd, MODE_NONE);
		return UI_HANDLED | UI_REDRAW;
	case MENU_PICKED:
		s = menu_value(&vd->menu);
		if (s == TICKET_CANCELLED) {
			set_mode(vd, MODE_CANCEL);
			return UI_HANDLED | UI_REDRAW;
		}
		set_mode(vd, MODE_NONE);
		m->ops->set_state(m, vd->id, ticket_state_name((enum ticket_state)s), NULL);
		return UI_HANDLED | UI_REDRAW;
	case MENU_MOVED:
		return UI_HANDLED | UI_REDRAW;
	case MENU_IGNORED:
		break;
	}
	if (a == ACTION_HELP || a == ACTION_REDRAW || a == ACTION_QUIT)
		return UI_NONE;
	return UI_HANDLED;
}

static unsigned
prompt_mode_key(struct view_detail *vd, struct model *m, const struct key *k,
    enum keymap_action a)
{
	switch (a) {
	case ACTION_OPEN:
		return submit(vd, m);
	case ACTION_BACK:
		set_mode(vd, MODE_NONE);
		return UI_HANDLED | UI_REDRAW;
	case ACTION_HELP:
	case ACTION_REDRAW:
	case ACTION_QUIT:
		return UI_NONE;
	case ACTION_NEXT_PANE:
	case ACTION_PREV_PANE:
		if (vd->mode != MODE_ASSIGN)
			break;
		set_mode(vd, MODE_PICK);	/* back to the list */
		return UI_HANDLED | UI_REDRAW;
	case ACTION_MOVE_UP:
	case ACTION_MOVE_DOWN:
		/* fill the id of a truck of the panel as drawn */
		if (vd->mode != MODE_ASSIGN || vd->n_pick == 0)
			return UI_HANDLED;
		vd->near_sel += a == ACTION_MOVE_DOWN ? 1 : -1;
		if (vd->near_sel < 0)
			vd->near_sel = 0;
		if (vd->near_sel >= vd->n_pick)
			vd->near_sel = vd->n_pick - 1;
		lineedit_set(&vd->edit, vd->pick[vd->near_sel]);
		vd->error[0] = '\0';
		return UI_HANDLED | UI_REDRAW;
	default:
		break;
	}
	if (lineedit_key(&vd->edit, k, a) == LINEEDIT_CHANGED)
		vd->error[0] = '\0';
	return UI_HANDLED | UI_REDRAW;
}

static unsigned
scroll(struct view_detail *vd, enum keymap_action a)
{
	size_t max = vd->tl_total > (size_t)vd->tl_rows ? vd->tl_total - (size_t)vd->tl_rows : 0;
	long top = (long)vd->tl_top, page = vd->tl_rows > 1 ? vd->tl_rows - 1 : 1;

	switch (a) {
	case ACTION_MOVE_UP:
		top--;
		break;
	case ACTION_MOVE_DOWN:
		top++;
		break;
	case ACTION_PAGE_UP:
		top -= page;
		break;
	case ACTION_PAGE_DOWN:
		top += page;
		break;
	case ACTION_HOME:
		top = 0;
		break;
	case ACTION_END:
		top = (long)max;
		break;
	default:
		return UI_NONE;
	}
	if (top < 0)
		top = 0;
	if (top > (long)max)
		top = (long)max;
	vd->tl_top = (size_t)top;
	vd->tl_follow = vd->tl_top == max;
	return UI_HANDLED | UI_REDRAW;
}

static unsigned
detail_key(struct view *v, struct model *m, const struct key *k, enum keymap_action a)
{
	struct view_detail *vd = (struct view_detail *)v;
	unsigned r;

	if (a == ACTION_REDRAW)
		vd->asked = false;	/* C-l also asks for the history again */
	view_detail_sync(v, m);
	switch (vd->mode) {
	case MODE_MENU:
		return menu_mode_key(vd, m, k, a);
	case MODE_NOTE:
	case MODE_CANCEL:
	case MODE_ASSIGN:
		return prompt_mode_key(vd, m, k, a);
	case MODE_PICK:
		return pick_mode_key(vd, m, k, a);
	case MODE_NONE:
		break;
	}
	if (a == ACTION_BACK)
		return UI_HANDLED | UI_CLOSE;
	if (a == ACTION_REDISPATCH)
		return redispatch(vd, m);
	r = scroll(vd, a);
	if (r != UI_NONE)
		return r;
	return start(vd, m, a);
}

static void
detail_destroy(struct view *v)
{
	struct view_detail *vd = (struct view_detail *)v;

	lineedit_finish(&vd->edit);
	menu_finish(&vd->menu);
	free(vd);
}

static const struct view_ops detail_ops = {
	.name = "detail",
	.draw = detail_draw,
	.key = detail_key,
	.destroy = detail_destroy,
};

void
view_detail_sync(struct view *v, struct model *m)
{
	if (v == NULL || v->ops != &detail_ops)
		return; /* not a detail view: nothing to do */
	struct view_detail *vd = (struct view_detail *)v;
	const struct proto_ticket *t = model_ticket(m, vd->id);

	if (t == NULL || m->ops == NULL || m->ops->fetch_detail == NULL)
		return;
	if (m->detail_id == vd->id && (m->detail_loading || m->detail_ver == t->ver))
		return;
	if (vd->asked && vd->asked_ver == t->ver && m->detail_id == vd->id)
		return;
	vd->asked = true;
	vd->asked_ver = t->ver;
	m->ops->fetch_detail(m, vd->id);
}

struct view *
view_detail_create(struct model *m, int64_t id, enum keymap_action start_action)
{
	struct view_detail *vd = xcalloc(1, sizeof *vd);

	vd->view.ops = &detail_ops;
	vd->view.scope = SCOPE_DETAIL;
	vd->id = id;
	vd->asked_ver = -1;
	vd->tl_follow = true;
	vd->near_sel = -1;
	vd->pick_y = -1;
	lineedit_init(&vd->edit, 1000);
	menu_init(&vd->menu);
	view_detail_sync(&vd->view, m);
	if (start_action != ACTION_NONE)
		start(vd, m, start_action);
	return &vd->view;
}

unsigned
view_detail_open(struct model *m, int64_t id, enum keymap_action a)
{
	view_destroy(m->open);
	m->open = view_detail_create(m, id, a == ACTION_OPEN ? ACTION_NONE : a);
	return UI_HANDLED | UI_REDRAW;
}
