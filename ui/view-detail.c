/* view-detail.c: one ticket: header, truck, warnings, timeline, actions (view-detail.h). */
#include "view-detail.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "assign.h"
#include "call.h"
#include "contact.h"
#include "chrome.h"
#include "diag.h"
#include "geo.h"
#include "i18n.h"
#include "kinds.h"
#include "lineedit.h"
#include "menu.h"
#include "model.h"
#include "own.h"
#include "present.h"
#include "text.h"
#include "ticket.h"
#include "track.h"
#include "util.h"

#define WARN_SHOWN 3
#define WARN_SCAN 32		/* warnings of one ticket looked at for a re-dispatch */
#define WRAP_MAX 16		/* lines of one event's text at most */
#define TRUCK_ID_MAX ASSIGN_TRUCK_MAX
/* The key that sends a proposed re-dispatch. Like the digits of the panel it is this view's
 * own and not an action of the key table: it only means something while the warning row
 * that names it is on screen. */

enum mode {
	MODE_NONE,
	MODE_NOTE,		/* prompt: note text */
	MODE_CANCEL,		/* prompt: reason to cancel */
	MODE_MENU,		/* menu: next state */
	MODE_PICK,		/* assign panel: the list has the keys (digits, Enter, r) */
	MODE_ASSIGN,		/* assign panel: typing a truck id */
	MODE_CONFIRM		/* y/n: take the job from a truck that accepted it */
};

/* One screen line of the timeline: part of the text of event ev. */
struct tl_line {
	size_t ev;
	size_t start, len;
	bool first;		/* the event's first line: time, kind and user are shown */
};

struct view_detail {
	struct view view;	/* first member */
	struct contact contact;	/* I: the customer's raw contact while shown (contact.h) */
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
	/* the ticket's history (ticket.get), oldest first (owned); hist_ver is the ticket's
	 * version it was fetched at (-1 none) */
	struct proto_event *events;
	size_t n_events;
	int64_t hist_ver;
	bool hist_loading, hist_held;	/* asked and not answered; answered once */
	struct assign assign;	/* the assign panel (MODE_PICK, MODE_ASSIGN) */
	/* the last re-dispatch sent from this view (warning id, version and truck), so a
	 * second R does not send it again */
	int64_t redisp_id, redisp_ver;
	char redisp_truck[TRUCK_ID_MAX];
	/* MODE_CONFIRM: the truck to offer the job to, the mode to go back to on "n", and
	 * the re-dispatch warning it answers (R; id 0: picked in the panel) */
	char confirm_truck[TRUCK_ID_MAX];
	enum mode confirm_back;
	int64_t confirm_wid, confirm_wver;
	struct track track;	/* the truck's track relative to the car (ui/track.c) */
};

/* The hint bar: what the role may do to the ticket (the op the key sends), at 80 columns
 * by rank: back and help first, then the ticket's actions; escalation, the call and the
 * surveys where there is room. */
#define ANY PROTO_MSG_COUNT
static const struct chrome_hint hints[] = {
	{ { ACTION_NOTE, ACTION_NONE, "detail.hint.note" }, PROTO_MSG_ticket_note, 2 },
	{ { ACTION_SET_STATE, ACTION_NONE, "detail.hint.state" }, PROTO_MSG_ticket_set_state, 3 },
	{ { ACTION_ASSIGN, ACTION_NONE, "detail.hint.assign" }, PROTO_MSG_ticket_assign, 4 },
	{ { ACTION_EDIT_TICKET, ACTION_NONE, "detail.hint.edit" }, PROTO_MSG_ticket_edit, 5 },
	{ { ACTION_DIAG_START, ACTION_NONE, "detail.hint.diag" }, PROTO_MSG_diag_start, 5 },
	{ { ACTION_TELL, ACTION_NONE, "detail.hint.tell" }, PROTO_MSG_ticket_tell, 6 },
	{ { ACTION_CANCEL_TICKET, ACTION_NONE, "detail.hint.cancel" }, PROTO_MSG_ticket_cancel, 8 },
	{ { ACTION_OWN, ACTION_NONE, "detail.hint.own" }, PROTO_MSG_warning_ack, 7 },
	{ { ACTION_CONTACT, ACTION_NONE, "hint.contact" }, PROTO_MSG_ticket_contact, 9 },
	{ { ACTION_MAP, ACTION_NONE, "hint.map" }, PROTO_MSG_ticket_track, 10 },
	{ { ACTION_BACK, ACTION_NONE, "detail.hint.back" }, ANY, 0 },
	{ { ACTION_HELP, ACTION_NONE, "hint.help" }, ANY, 1 },
	{ { ACTION_ESCALATE, ACTION_NONE, "detail.hint.escalate" }, PROTO_MSG_escalate, 11 },
	{ { ACTION_CALL_CUSTOMER, ACTION_NONE, "detail.hint.call" }, PROTO_MSG_ticket_call, 12 },
	{ { ACTION_SURVEYS, ACTION_NONE, "hint.surveys" }, PROTO_MSG_stats_kpi, 13 },
};
#undef ANY

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

static void detail_sync(struct view *v, struct model *m);
static model_reply_fn on_command;

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
		"detail.times", "detail.note_first", "detail.note_last",
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

/* ---- drawing ---- */

/* The first note of the history as loaded (the intake's, mostly); NULL none or not yet. */
static const char *
first_note(const struct view_detail *vd)
{
	for (size_t i = 0; i < vd->n_events; i++)
		if (event_kind_parse(vd->events[i].kind) == EVENT_NOTE)
			return PROTO_HAS(&vd->events[i], event, params) &&
			    PROTO_HAS(&vd->events[i].params, event_params, text) ?
			    vd->events[i].params.text : vd->events[i].detail;
	return NULL;
}

/* The notes stay in the header whatever the timeline shows (issue 8: the intake note went
 * under a run of ETA lines): the first note and, when there are more, the latest. */
static int
draw_notes(const struct view_detail *vd, struct vscreen *vs, const struct proto_ticket *t,
    int y, int y_end)
{
	int cols = vscreen_cols(vs), lw = label_width(), x = 1, fw = cols - 1 - (x + lw + 2);
	const char *first = first_note(vd);

	if (t->notes <= 0 && first == NULL)
		return y;
	if (first == NULL && t->notes == 1)
		first = t->last_note;
	if (first != NULL && y < y_end) {
		vscreen_put_pad(vs, x, y, ROLE_DIM, 0, i18n_tr("detail.note_first"), lw);
		vscreen_put_ellipsis(vs, x + lw + 2, y++, ROLE_NORMAL, 0, first, fw);
	}
	if (t->notes > 1 && t->last_note[0] != '\0' && y < y_end) {
		vscreen_put_pad(vs, x, y, ROLE_DIM, 0, i18n_tr("detail.note_last"), lw);
		vscreen_put_ellipsis(vs, x + lw + 2, y++, ROLE_NORMAL, 0, t->last_note, fw);
	}
	return y;
}

static int
draw_header(struct vscreen *vs, const struct model *m, const struct proto_ticket *t, int y,
    int y_end)
{
	int cols = vscreen_cols(vs), lw = label_width(), x = 1, rx, lvw, rvw, fw, n, i;
	char buf[512], phone[64], coords[64], a[160], b[160], items[8][64];
	int lines, cx;
	enum present_due due = present_due(m->data != NULL ? &m->data->sla : NULL, t, m->now,
	    model_warn_level(m, t->id));

	rx = cols / 2;				/* the right-hand column */
	lvw = rx - 2 - (x + lw + 2);
	rvw = cols - 1 - (rx + lw + 2);
	fw = cols - 1 - (x + lw + 2);

	call_phone_text(t, phone, sizeof phone);
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

	/* the time left only while the truck is still to come: once on scene or closed, a
	 * countdown would go on growing "late" after an arrival in time */
	if (t->promised > 0 && present_before_scene(t))
		fmt_time_left(t->promised, m->now, a, sizeof a);
	else if (t->promised > 0)
		model_fmt_clock(t->promised, a, sizeof a);
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
	if (t->truck[0] == '\0' && state_of(t) >= 0 &&
	    ticket_state_final((enum ticket_state)state_of(t))) {
		/* the broker frees the truck at the close; the timeline names it */
		vscreen_put(vs, 1, y, ROLE_DIM, 0, i18n_tr("detail.no_truck_closed"), cols - 2);
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
	int len = snprintf(buf, sizeof buf, "%s  \xc2\xb7  %s  \xc2\xb7  %s",
	    present_supplier(m->data, k->region, k->supplier), present_kind(k->kind),
	    present_truck_status(k->status));
	if (k->next == t->id && k->ticket > 0 && len > 0 && (size_t)len < sizeof buf)
		snprintf(buf + len, sizeof buf - (size_t)len, "  \xc2\xb7  %s #%lld",
		    i18n_tr("detail.truck_next"), (long long)k->ticket); /* chained */
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
		vscreen_put(vs, 1, y, role, 0,
		    role == ROLE_LATE ? THEME_MARK_RED : THEME_MARK_AMBER, 1);
		vscreen_put_pad(vs, 3, y, role, 0, present_warn_level(w[i]->level), 6);
		x = 3 + 6 + 1;
		vscreen_put_pad(vs, x, y, role, 0, present_warn_kind(w[i]->kind), 14);
		x += 14 + 1;
		end = w[i] == rd ? draw_redispatch_hint(vs, y, rd->truck) - 2 : cols - 1;
		present_warning_text(w[i], t, m->now, text, sizeof text);
		own_warning_note(w[i], text + strlen(text), sizeof text - strlen(text));
		vscreen_put_ellipsis(vs, x, y, ROLE_NORMAL, 0, text, end - x);
	}
	return y;
}

/* The diagnosis session, when the ticket has one: its state, flow, where it is (the step,
 * or how it ended) and who acts on it; then the path of answers. */
static int
draw_diag(struct vscreen *vs, const struct model *m, const struct proto_ticket *t, int y,
    int y_end)
{
	enum diag_state s = diag_state_of(t);
	const struct flow *fl;
	struct flow_walk w;
	bool walked;
	char buf[1024], key[16] = "", right[128];
	struct key k[1];
	size_t i;
	int cols = vscreen_cols(vs);

	if (s == DIAG_NONE || y >= y_end)
		return y;
	fl = diag_flow_of(m, t);
	walked = diag_walk(m, t, &w);
	if (keymap_action_keys(ACTION_DIAG_START, k, 1) >= 1)
		keymap_key_name(&k[0], key, sizeof key);
	snprintf(right, sizeof right, "%s %s", key, i18n_tr("detail.diag_open"));
	chrome_section(vs, 0, y++, cols, i18n_tr("detail.diag"), right);
	if (y >= y_end)
		return y;
	snprintf(buf, sizeof buf, "%s \xc2\xb7 %s \xc2\xb7 ", i18n_tr(diag_state_key(s)),
	    fl != NULL ? diag_text(fl->title) : t->diag_flow);
	if (s == DIAG_RUNNING && walked && w.node != NULL)
		snprintf(buf + strlen(buf), sizeof buf - strlen(buf), "%s %zu%s%s",
		    i18n_tr("diag.step"), w.n_steps + 1, present_colon(), diag_text(w.node->text));
	else if (walked && w.stop != NULL)
		snprintf(buf + strlen(buf), sizeof buf - strlen(buf), "! %s",
		    diag_text(w.stop->trigger));
	else if (walked && w.outcome != NULL)
		snprintf(buf + strlen(buf), sizeof buf - strlen(buf), "%s",
		    diag_text(w.outcome->text));
	else
		snprintf(buf + strlen(buf), sizeof buf - strlen(buf), "%s", t->diag_node);
	vscreen_put_ellipsis(vs, 1, y, s == DIAG_RUNNING ? ROLE_KEY : ROLE_NORMAL, 0, buf,
	    cols - 2);
	if (++y >= y_end)
		return y;
	snprintf(buf, sizeof buf, "%s %s \xc2\xb7 ", i18n_tr("diag.by"),
	    t->diag_by[0] ? t->diag_by : "-");
	for (i = 0; walked && i < w.n_steps; i++)
		snprintf(buf + strlen(buf), sizeof buf - strlen(buf), "%s%s",
		    i > 0 ? " \xe2\x80\xba " : "",
		    diag_text(w.steps[i].node->answers[w.steps[i].answer].label));
	if (!walked)
		snprintf(buf + strlen(buf), sizeof buf - strlen(buf), "%s", t->diag_path);
	else if (w.n_steps == 0)
		snprintf(buf + strlen(buf), sizeof buf - strlen(buf), "%s", i18n_tr("diag.at_start"));
	vscreen_put_ellipsis(vs, 1, y, ROLE_DIM, 0, buf, cols - 2);
	return y + 1;
}

static enum theme_role
event_role(const struct proto_event *e)
{
	int k = event_kind_parse(e->kind);

	if (k == EVENT_NOTE)
		return ROLE_KEY;
	if (k == EVENT_DIAG_SAFETY || k == EVENT_DIAG_OUTCOME)
		return ROLE_WARN;
	if (k >= 0 && event_kind_streams((enum event_kind)k) == EVENT_ON_WARNING)
		return ROLE_WARN;
	return ROLE_NORMAL;
}

static void
draw_timeline(struct view_detail *vd, struct vscreen *vs, const struct model *m,
    const struct proto_ticket *t, int y, int y_end)
{
	int cols = vscreen_cols(vs), x_text = 1 + 5 + 2 + 10 + 1 + 10 + 1, dw, r;
	bool ours = vd->hist_held;
	size_t nev = vd->n_events, i, n, cap = 0, total = 0, starts[WRAP_MAX],
	    lens[WRAP_MAX], k, top;
	struct tl_line *lines = NULL;
	char right[64], clock[16], text[1024];
	char **words;		/* each event's text in the UI language (present_event_text) */
	const struct proto_event *e;

	if (y >= y_end)
		return;
	if (!ours || (vd->hist_loading && nev == 0))
		rd_strlcpy(right, i18n_tr("detail.loading"), sizeof right);
	else if (vd->hist_loading || vd->hist_ver != t->ver)
		snprintf(right, sizeof right, "%zu  \xc2\xb7  %s", nev, i18n_tr("detail.updating"));
	else
		snprintf(right, sizeof right, "%zu", nev);
	chrome_section(vs, 0, y++, cols, i18n_tr("detail.timeline"), right);
	vd->tl_rows = y_end - y > 0 ? y_end - y : 0;
	if (vd->tl_rows == 0)
		return;
	if (nev == 0) {
		vscreen_put(vs, 1, y, ROLE_DIM, 0, i18n_tr(!ours || vd->hist_loading ?
		    "detail.loading" : "detail.no_events"), cols - 2);
		vd->tl_total = 0;
		return;
	}
	dw = cols - 1 - x_text;
	if (dw < 10)
		dw = 10;
	words = xcalloc(nev, sizeof *words);
	for (i = 0; i < nev; i++) {
		e = &vd->events[i];
		present_event_text(e, m->data, m->flows, text, sizeof text);
		words[i] = xstrdup(text);
		n = present_wrap(words[i], dw, starts, lens, WRAP_MAX);
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

		e = &vd->events[l->ev];
		/* The top row names its event even when it is a wrapped line's continuation,
		 * so no fragment stands there without time, kind and user. */
		if (l->first || r == 0) {
			model_fmt_clock(e->ts, clock, sizeof clock);
			vscreen_put(vs, 1, y + r, ROLE_DIM, 0, clock, 5);
			vscreen_put_pad(vs, 1 + 5 + 2, y + r, event_role(e), 0,
			    present_event_kind(e->kind), 10);
			vscreen_put_pad(vs, 1 + 5 + 2 + 11, y + r, ROLE_DIM, 0,
			    e->user[0] ? e->user : i18n_tr("detail.system"), 10);
		}
		if (!l->first && r == 0)
			vscreen_put(vs, x_text - 1, y, ROLE_DIM, 0, "\xe2\x80\xa6", 1);
		n = l->len < sizeof text - 1 ? l->len : sizeof text - 1;
		memcpy(text, words[l->ev] + l->start, n);
		text[n] = '\0';
		vscreen_put(vs, x_text, y + r, ROLE_NORMAL, 0, text, dw);
	}
	/* More above or below: say so at the right edge of the section. */
	if (top > 0)
		vscreen_put(vs, cols - 2, y, ROLE_DIM, 0, "\xe2\x86\x91", 1);
	if (top + (size_t)vd->tl_rows < total)
		vscreen_put(vs, cols - 2, y + vd->tl_rows - 1, ROLE_DIM, 0, "\xe2\x86\x93", 1);
	for (i = 0; i < nev; i++)
		free(words[i]);
	free(words);
	free(lines);
}

static void
draw_missing(struct vscreen *vs, int64_t id, int y)
{
	char buf[256];

	snprintf(buf, sizeof buf, "#%lld  %s", (long long)id, i18n_tr("detail.missing"));
	vscreen_put_ellipsis(vs, 1, y + 1, ROLE_WARN, 0, buf, vscreen_cols(vs) - 2);
}

/* The question before taking a job from a truck that accepted it: which truck, its state
 * and ETA, and the truck it goes to. */
static void
draw_confirm(struct view_detail *vd, struct vscreen *vs, const struct model *m,
    const struct proto_ticket *t, int y)
{
	char line[512], eta[64] = "-";

	if (t != NULL && present_eta_known(t))
		model_fmt_minutes(t->eta - m->now, eta, sizeof eta);
	snprintf(line, sizeof line, "%s %s (%s \xc2\xb7 %s %s) %s %s?  [y/n]",
	    i18n_tr("detail.confirm.from"), t != NULL ? t->truck : "-",
	    t != NULL ? present_state(t->state) : "-", i18n_tr("detail.eta"), eta,
	    i18n_tr("detail.confirm.to"), vd->confirm_truck);
	vscreen_fill(vs, 0, y, vscreen_cols(vs), 1, ROLE_WARN, THEME_BOLD, L' ');
	vscreen_put_ellipsis(vs, 1, y, ROLE_WARN, THEME_BOLD, line, vscreen_cols(vs) - 2);
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
		y = draw_notes(vd, vs, t, y, y_end);
		y = draw_truck(vs, m, t, y, y_end);
		y = draw_warnings(vs, m, t, y, y_end);
		y = draw_diag(vs, m, t, y, y_end);
		y = track_draw(&vd->track, vs, m, y, y_end);
		draw_timeline(vd, vs, m, t, y, y_end);
	}
	vscreen_set_cursor(vs, 0, chrome_body_top(vs, m), false);

	if ((vd->mode == MODE_PICK || vd->mode == MODE_ASSIGN) && t != NULL) {
		assign_draw(&vd->assign, vs, m, t, chrome_body_top(vs, m) + 1, y_end,
		    vd->mode == MODE_ASSIGN ? lineedit_text(&vd->edit) : NULL);
		if (vd->mode == MODE_PICK && vd->assign.sel_y >= 0)	/* for screen readers */
			vscreen_set_cursor(vs, 0, vd->assign.sel_y, false);
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
	case MODE_CONFIRM:
		draw_confirm(vd, vs, m, t, rows - 1);
		break;
	default:
		chrome_hints(vs, rows - 1, m, hints, (int)ARRAY_LEN(hints));
		break;
	}
	contact_draw(&vd->contact, vs);	/* I: the raw contact, until the next key */
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
	case MODE_CONFIRM:
		vd->view.scope = SCOPE_DIALOG;
		break;
	case MODE_ASSIGN:
		vd->edit.max = TRUCK_ID_MAX - 1;
		assign_typing(&vd->assign);
		vd->view.scope = SCOPE_FORM;
		break;
	}
}

/* Send a command about this ticket, named for the agent "<label> #12" (label a catalog
 * key) or, when label is NULL, "#12 -> <to>". The history is asked for again when it was
 * accepted (the ticket changed). */
static int
command(struct view_detail *vd, struct model *m, enum proto_msg_id op, const void *args,
    const char *label, const char *to)
{
	struct model_request rq = { .op = op, .args = args, .on_reply = on_command,
		.ctx = vd, .owner = vd };
	char what[96];

	if (label != NULL)
		snprintf(what, sizeof what, "%s #%lld", i18n_tr(label), (long long)vd->id);
	else
		snprintf(what, sizeof what, "#%lld -> %s", (long long)vd->id, to);
	rq.what = what;
	return model_request(m, &rq, NULL);
}

static int
send_note(struct view_detail *vd, struct model *m, const char *text)
{
	struct proto_ticket_note a = { .id = vd->id, .present = PROTO_ALL };

	PROTO_STRSET(a.text, text);
	return command(vd, m, PROTO_MSG_ticket_note, &a, "cmd.note", NULL);
}

static int
send_state(struct view_detail *vd, struct model *m, const char *state)
{
	struct proto_ticket_set_state a = { .id = vd->id, .present = PROTO_ALL };

	PROTO_STRSET(a.state, state);
	a.present &= ~((uint64_t)1 << PROTO_ticket_set_state_eta_s);
	return command(vd, m, PROTO_MSG_ticket_set_state, &a, NULL, state);
}

static int
send_cancel(struct view_detail *vd, struct model *m, const char *reason)
{
	struct proto_ticket_cancel a = { .id = vd->id, .present = PROTO_ALL };

	PROTO_STRSET(a.reason, reason);
	return command(vd, m, PROTO_MSG_ticket_cancel, &a, "cmd.cancel", NULL);
}

static int
send_assign(struct view_detail *vd, struct model *m, const char *truck)
{
	struct proto_ticket_assign a = { .id = vd->id, .present = PROTO_ALL };

	PROTO_STRSET(a.truck, truck);
	return command(vd, m, PROTO_MSG_ticket_assign, &a, NULL, truck);
}

/* Refuse an action in words on the message line. */
static unsigned
refuse(struct model *m, const char *key, const struct proto_ticket *t)
{
	model_message(m, true, "%s (%s)", i18n_tr(key), t != NULL ? present_state(t->state) :
	    "-");
	return UI_HANDLED | UI_REDRAW;
}

/* Whether taking the job from t's truck needs the agent's yes: it accepted or is on its
 * way (a truck only offered the job has not committed to it). */
static bool
committed(const struct proto_ticket *t)
{
	int s = state_of(t);
	return t->truck[0] != '\0' && (s == TICKET_ACCEPTED || s == TICKET_EN_ROUTE);
}

/* Ask y/n before offering t's job to truck; n goes back to mode back. w: the re-dispatch
 * warning it answers (R), else NULL. */
static void
ask_confirm(struct view_detail *vd, const char *truck, enum mode back,
    const struct proto_warning *w)
{
	set_mode(vd, MODE_CONFIRM);
	rd_strlcpy(vd->confirm_truck, truck, sizeof vd->confirm_truck);
	vd->confirm_back = back;
	vd->confirm_wid = w != NULL ? w->id : 0;
	vd->confirm_wver = w != NULL ? w->ver : 0;
}

/* Send ticket.assign to truck; wid/wver: the re-dispatch warning it answers (0: none),
 * remembered so a second R does not send it again. */
static unsigned
send_redispatch(struct view_detail *vd, struct model *m, const char *truck, int64_t wid,
    int64_t wver)
{
	if (send_assign(vd, m, truck) == 0 && wid != 0) {
		vd->redisp_id = wid;
		vd->redisp_ver = wver;
		rd_strlcpy(vd->redisp_truck, truck, sizeof vd->redisp_truck);
	}
	detail_sync(&vd->view, m);
	return UI_HANDLED | UI_REDRAW;
}

/* R: send the re-dispatch the broker proposes (ticket.assign to its truck), once; asks
 * first when the ticket's truck has accepted the job. */
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
	if (committed(t)) {
		ask_confirm(vd, w->truck, MODE_NONE, w);
		return UI_HANDLED | UI_REDRAW;
	}
	return send_redispatch(vd, m, w->truck, w->id, w->ver);
}

/* Assign the truck of row i of the panel as drawn; the panel closes when it was sent. */
static unsigned
pick_assign(struct view_detail *vd, struct model *m, int i)
{
	const struct proto_ticket *t = model_ticket(m, vd->id);
	char truck[TRUCK_ID_MAX];

	if (assign_row(&vd->assign, 0) == NULL)	/* the panel says why (loading, none) */
		return UI_HANDLED;
	if (assign_row(&vd->assign, i) == NULL) {
		snprintf(vd->error, sizeof vd->error, "%s%s%d", i18n_tr("detail.cand.err_no_row"),
		    present_colon(), i + 1);
		return UI_HANDLED | UI_REDRAW;
	}
	if (!can_dispatch(t)) {		/* it moved on while the panel was open */
		set_mode(vd, MODE_NONE);
		return refuse(m, t != NULL ? "detail.err_assign" : "detail.err_missing", t);
	}
	rd_strlcpy(truck, assign_row(&vd->assign, i), sizeof truck);
	if (committed(t)) {
		ask_confirm(vd, truck, MODE_PICK, NULL);
		return UI_HANDLED | UI_REDRAW;
	}
	if (send_assign(vd, m, truck) != 0) {
		rd_strlcpy(vd->error, m->message[0] != '\0' ? m->message :
		    i18n_tr("detail.err_not_sent"), sizeof vd->error);
		return UI_HANDLED | UI_REDRAW;
	}
	set_mode(vd, MODE_NONE);
	detail_sync(&vd->view, m);
	return UI_HANDLED | UI_REDRAW;
}

/* Keys of the assign panel's list (SCOPE_DIALOG), assign.h. */
static unsigned
pick_mode_key(struct view_detail *vd, struct model *m, const struct key *k,
    enum keymap_action a)
{
	int row = 0;

	switch (assign_key(&vd->assign, m, vd, k, a, &row)) {
	case ASSIGN_PASS:
		return UI_NONE;
	case ASSIGN_IGNORED:
		return UI_HANDLED;
	case ASSIGN_MOVED:
		vd->error[0] = '\0';
		return UI_HANDLED | UI_REDRAW;
	case ASSIGN_PICKED:
		return pick_assign(vd, m, row);
	case ASSIGN_TYPE:
		set_mode(vd, MODE_ASSIGN);
		return UI_HANDLED | UI_REDRAW;
	case ASSIGN_CLOSE:
		set_mode(vd, MODE_NONE);
		return UI_HANDLED | UI_REDRAW;
	}
	return UI_HANDLED;
}

/* y/n of MODE_CONFIRM: y sends, n or Esc goes back (to the panel when it came from it). */
static unsigned
confirm_mode_key(struct view_detail *vd, struct model *m, const struct key *k,
    enum keymap_action a)
{
	const struct proto_ticket *t = model_ticket(m, vd->id);
	char truck[TRUCK_ID_MAX];
	int64_t wid = vd->confirm_wid, wver = vd->confirm_wver;

	if (a == ACTION_HELP || a == ACTION_REDRAW || a == ACTION_QUIT)
		return UI_NONE;
	if (a == ACTION_BACK || (k != NULL && !k->is_func && (k->code == 'n' || k->code == 'N'))) {
		enum mode back = vd->confirm_back;
		set_mode(vd, back);
		return UI_HANDLED | UI_REDRAW;
	}
	if (k == NULL || k->is_func || (k->code != 'y' && k->code != 'Y'))
		return UI_HANDLED;
	rd_strlcpy(truck, vd->confirm_truck, sizeof truck);
	set_mode(vd, MODE_NONE);
	if (!can_dispatch(t))		/* it moved on while the question was up */
		return refuse(m, t != NULL ? "detail.err_assign" : "detail.err_missing", t);
	return send_redispatch(vd, m, truck, wid, wver);
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
		assign_ask(&vd->assign, m, vd);
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
		rc = send_note(vd, m, text);
		break;
	case MODE_CANCEL:
		rc = send_cancel(vd, m, text);
		break;
	case MODE_ASSIGN:
		if (model_truck(m, text) == NULL) {
			snprintf(vd->error, sizeof vd->error, "%s%s%s",
			    i18n_tr("detail.err_truck_unknown"), present_colon(), text);
			return UI_HANDLED | UI_REDRAW;
		}
		rc = send_assign(vd, m, text);
		break;
	default:
		return UI_HANDLED;
	}
	if (rc == 0)
		set_mode(vd, MODE_NONE);
	else	/* keep what was typed; the app said why */
		rd_strlcpy(vd->error, m->message[0] != '\0' ? m->message :
		    i18n_tr("detail.err_not_sent"), sizeof vd->error);
	detail_sync(&vd->view, m);
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
		send_state(vd, m, ticket_state_name((enum ticket_state)s));
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
	const char *fill;

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
		if (vd->mode != MODE_ASSIGN ||
		    (fill = assign_fill(&vd->assign, a == ACTION_MOVE_DOWN ? 1 : -1)) == NULL)
			return UI_HANDLED;
		lineedit_set(&vd->edit, fill);
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

/* e: the intake form in edit mode over this ticket, while it is open. */
static unsigned
edit_ticket(struct view_detail *vd, struct model *m)
{
	const struct proto_ticket *t = model_ticket(m, vd->id);
	int s = t != NULL ? state_of(t) : -1;

	if (t == NULL)
		return refuse(m, "detail.err_missing", NULL);
	if (s < 0 || ticket_state_final((enum ticket_state)s))
		return refuse(m, "detail.err_edit", t);
	return view_want(&vd->view, VIEW_INTAKE, vd->id, ACTION_EDIT_TICKET);
}

/* The customer called again: recorded with one key (ticket.callback; the broker raises the
 * callback warning at once). */
static unsigned
callback(struct view_detail *vd, struct model *m)
{
	const struct proto_ticket *t = model_ticket(m, vd->id);
	int s = t != NULL ? state_of(t) : -1;
	struct proto_ticket_callback a = { .id = vd->id, .present = 0 };

	if (t == NULL)
		return refuse(m, "detail.err_missing", NULL);
	if (s < 0 || ticket_state_final((enum ticket_state)s))
		return refuse(m, "detail.err_callback", t);
	(void)command(vd, m, PROTO_MSG_ticket_callback, &a, "cmd.callback", NULL); /* a failure
	                                                                 * is on the message line */
	return UI_HANDLED | UI_REDRAW;
}

static unsigned
detail_key(struct view *v, struct model *m, const struct key *k, enum keymap_action a)
{
	struct view_detail *vd = (struct view_detail *)v;
	unsigned r;

	if (contact_open(&vd->contact))
		return contact_close(&vd->contact);	/* any key closes the box */
	if (a == ACTION_REDRAW)
		vd->asked = false;	/* C-l also asks for the history again */
	detail_sync(v, m);
	switch (vd->mode) {
	case MODE_MENU:
		return menu_mode_key(vd, m, k, a);
	case MODE_NOTE:
	case MODE_CANCEL:
	case MODE_ASSIGN:
		return prompt_mode_key(vd, m, k, a);
	case MODE_PICK:
		return pick_mode_key(vd, m, k, a);
	case MODE_CONFIRM:
		return confirm_mode_key(vd, m, k, a);
	case MODE_NONE:
		break;
	}
	if (a == ACTION_BACK)
		return UI_HANDLED | UI_CLOSE;
	if (a == ACTION_REDISPATCH)
		return redispatch(vd, m);
	if (a == ACTION_EDIT_TICKET)
		return edit_ticket(vd, m);
	if (a == ACTION_CALLBACK)
		return callback(vd, m);
	if (a == ACTION_CALL_CUSTOMER)
		return call_customer(m, vd->id);
	if (a == ACTION_CONTACT)
		return contact_ask(&vd->contact, m, v, vd->id, NULL);
	if (a == ACTION_DIAG_START)	/* the flow view starts one if never diagnosed */
		return view_want(v, VIEW_FLOW, vd->id, ACTION_DIAG_START);
	if (a == ACTION_DIAG_QUEUE)
		return view_want(v, VIEW_DIAG_QUEUE, 0, ACTION_NONE);
	if (a == ACTION_TELL)
		return view_want(v, VIEW_TELL, vd->id, ACTION_NONE);
	if (a == ACTION_OWN) {	/* the answer, or who owns them, is on the message line */
		own_ack(m, vd->id);
		return UI_HANDLED | UI_REDRAW;
	}
	if (a == ACTION_ESCALATE)
		return view_want(v, VIEW_ESCALATE, vd->id, ACTION_NONE);
	if (a == ACTION_MAP)
		return view_want(v, VIEW_MAP, vd->id, ACTION_NONE);
	if (a == ACTION_SURVEYS)
		return view_want(v, VIEW_SURVEYS, 0, ACTION_NONE);
	if (a == ACTION_COMPLAINT) {	/* a new complaint about this ticket */
		v->open.complaint = 0;
		return view_want(v, VIEW_COMPLAINT, vd->id, ACTION_NONE);
	}
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
	assign_finish(&vd->assign);
	track_finish(&vd->track);
	free(vd->events);
	free(vd);
}

static const struct view_ops detail_ops = {
	.name = "detail",
	.draw = detail_draw,
	.key = detail_key,
	.destroy = detail_destroy,
	.refresh = detail_sync,
};

/* The answer to ticket.get: the history of the ticket at its version then. */
static void
on_history(struct model *m, void *ctx, const struct proto_reply *r,
    const struct proto_error *err)
{
	struct view_detail *vd = ctx;

	(void)m;
	(void)err;
	vd->hist_loading = false;
	if (r == NULL || !r->ok || r->ticket.id != vd->id)
		return;
	free(vd->events);
	vd->events = NULL;
	vd->n_events = r->n_events;
	if (r->n_events) {
		vd->events = xcalloc(r->n_events, sizeof *vd->events);
		memcpy(vd->events, r->events, r->n_events * sizeof *vd->events);
	}
	vd->hist_ver = r->ticket.ver;
	vd->hist_held = true;
}

/* Ask for the history again if the one held is not that of the ticket's current version
 * (and it was not already asked for that version). */
static void
detail_sync(struct view *v, struct model *m)
{
	struct view_detail *vd = (struct view_detail *)v;
	const struct proto_ticket *t = model_ticket(m, vd->id);
	struct proto_ticket_get g = { .id = vd->id, .present = PROTO_ALL };
	struct model_request rq = { .op = PROTO_MSG_ticket_get, .args = &g,
		.on_reply = on_history, .ctx = vd, .owner = vd };

	track_sync(&vd->track, m, vd);
	if (t == NULL || vd->hist_loading || vd->hist_ver == t->ver)
		return;
	if (vd->asked && vd->asked_ver == t->ver)
		return;
	vd->asked = true;
	vd->asked_ver = t->ver;
	if (model_request(m, &rq, NULL) == 0)
		vd->hist_loading = true;
}

/* A command was answered: when accepted, the ticket changed, so its history is asked for
 * again (once its new version is in the live data). */
static void
on_command(struct model *m, void *ctx, const struct proto_reply *r,
    const struct proto_error *err)
{
	struct view_detail *vd = ctx;

	(void)err;
	if (r != NULL && r->ok) {
		vd->hist_ver = -1;
		vd->asked = false;
		detail_sync(&vd->view, m);
	}
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
	vd->hist_ver = -1;
	assign_init(&vd->assign, id);
	track_init(&vd->track, id);
	lineedit_init(&vd->edit, 1000);
	menu_init(&vd->menu);
	detail_sync(&vd->view, m);
	if (start_action != ACTION_NONE)
		start(vd, m, start_action);
	return &vd->view;
}
