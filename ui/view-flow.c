/* view-flow.c: one ticket's guided diagnosis (view-flow.h). */
#include "view-flow.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chrome.h"
#include "diag.h"
#include "i18n.h"
#include "lineedit.h"
#include "menu.h"
#include "model.h"
#include "present.h"
#include "text.h"
#include "ticket.h"
#include "util.h"

#define WRAP_MAX 12		/* lines of the current step at most */
#define ANSWERS_MAX 9		/* answers on the digit keys */
#define SIDE_NARROW 30		/* the caller's pane below 120 columns */
#define SIDE_WIDE 44

enum mode {
	MODE_MAIN,
	MODE_SAFETY,		/* the stops list (SCOPE_DIALOG) */
	MODE_ABORT		/* prompt: the reason to abort (SCOPE_FORM) */
};

struct view_flow {
	struct view view;	/* first member */
	int64_t id;
	enum mode mode;
	struct menu menu;	/* the safety stops, in the set's order */
	struct lineedit edit;
	char error[256];
	bool took_over;		/* T: answer a session someone else holds */
	bool busy;		/* a command is in flight: keys that send wait */
	int64_t wait_ver;	/* the ticket version the last command's answer named: keys
				 * wait until the live data has it too */
};

static const struct view_hint hints[] = {
	{ ACTION_DIAG_SAFETY, ACTION_NONE, "diag.hint.safety" },
	{ ACTION_DIAG_UNDO, ACTION_NONE, "diag.hint.undo" },
	{ ACTION_DIAG_DISPATCH_NOW, ACTION_NONE, "diag.hint.dispatch_now" },
	{ ACTION_DIAG_ABORT, ACTION_NONE, "diag.hint.abort" },
	{ ACTION_BACK, ACTION_NONE, "diag.hint.back" },
	{ ACTION_HELP, ACTION_NONE, "hint.help" },
};

/* with no session running */
static const struct view_hint idle_hints[] = {
	{ ACTION_DIAG_START, ACTION_NONE, "diag.hint.start" },
	{ ACTION_BACK, ACTION_NONE, "diag.hint.back" },
	{ ACTION_HELP, ACTION_NONE, "hint.help" },
};

static const char *const send_keys[] = {
	"Enter", "prompt.send", "Esc", "prompt.cancel",
};

static model_reply_fn on_command;

/* ---- helpers ---- */

static bool
mine(const struct model *m, const struct proto_ticket *t)
{
	return t->diag_by[0] == '\0' || strcmp(t->diag_by, m->user) == 0;
}

/* Whether keys that change the session may be used: it runs and is ours (or taken over). */
static bool
writable(const struct view_flow *vf, const struct model *m, const struct proto_ticket *t)
{
	return t != NULL && diag_state_of(t) == DIAG_RUNNING && (vf->took_over || mine(m, t));
}

/* The first key of action a, as the help names it. */
static void
key_of(enum keymap_action a, char *buf, size_t sz)
{
	struct key k[1];

	buf[0] = '\0';
	if (keymap_action_keys(a, k, 1) >= 1)
		keymap_key_name(&k[0], buf, sz);
}

/* "m:ss", or "h:mm:ss" from an hour. */
static void
fmt_elapsed(int64_t ms, char *out, size_t sz)
{
	long long s = ms > 0 ? ms / 1000 : 0;

	if (s >= 3600)
		snprintf(out, sz, "%lld:%02lld:%02lld", s / 3600, s / 60 % 60, s % 60);
	else
		snprintf(out, sz, "%lld:%02lld", s / 60, s % 60);
}

/* The breadcrumb: the answers given, "a › b › c"; cut at the left to fit w columns. */
static void
breadcrumb(const struct flow_walk *w, const struct proto_ticket *t, int width, char *out,
    size_t sz)
{
	size_t i, first = 0;
	char buf[2048];

	for (;;) {
		buf[0] = '\0';
		if (first > 0)
			rd_strlcpy(buf, "\xe2\x80\xa6 \xe2\x80\xba ", sizeof buf);
		for (i = first; w != NULL && i < w->n_steps; i++) {
			const struct flow_step *s = &w->steps[i];
			size_t len = strlen(buf);

			snprintf(buf + len, sizeof buf - len, "%s%s", i > first ? " \xe2\x80\xba " : "",
			    diag_text(s->node->answers[s->answer].label));
		}
		if (w != NULL && w->stop != NULL && w->by_safety_key) {
			size_t len = strlen(buf);

			snprintf(buf + len, sizeof buf - len, "%s! %s", w->n_steps > 0 ?
			    " \xe2\x80\xba " : "", diag_text(w->stop->trigger));
		}
		if (w == NULL)	/* no copy of the flow: the broker's path as it is */
			rd_strlcpy(buf, t->diag_path, sizeof buf);
		if (w == NULL || text_width(buf) <= width || first + 1 >= w->n_steps)
			break;
		first++;
	}
	if (buf[0] == '\0')
		rd_strlcpy(buf, i18n_tr("diag.at_start"), sizeof buf);
	rd_strlcpy(out, buf, sz);
}

/* Wrap text into at most max_lines lines of w columns at (x, y); returns rows used. */
static int
put_wrapped(struct vscreen *vs, int x, int y, int y_end, int w, enum theme_role role,
    unsigned attr, const char *text)
{
	size_t starts[WRAP_MAX], lens[WRAP_MAX], n, i;
	char line[1024];

	n = present_wrap(text, w, starts, lens, WRAP_MAX);
	if (n > WRAP_MAX)
		n = WRAP_MAX;
	for (i = 0; i < n && y + (int)i < y_end; i++) {
		size_t l = lens[i] < sizeof line - 1 ? lens[i] : sizeof line - 1;

		memcpy(line, text + starts[i], l);
		line[l] = '\0';
		vscreen_put(vs, x, y + (int)i, role, attr, line, w);
	}
	return (int)i;
}

/* ---- drawing ---- */

static int
side_field(struct vscreen *vs, int x, int y, int w, const char *label, enum theme_role role,
    const char *value)
{
	vscreen_put_ellipsis(vs, x, y, ROLE_DIM, 0, i18n_tr(label), w);
	return 1 + put_wrapped(vs, x + 1, y + 1, y + 3, w - 1, role, 0, value);
}

/* The caller's pane at x, w columns wide. */
static void
draw_side(struct vscreen *vs, const struct model *m, const struct proto_ticket *t, int x,
    int w, int y, int y_end)
{
	char buf[512], phone[32];
	int64_t hold = diag_hold_left(t, m->now);

	chrome_section(vs, x, y++, w, i18n_tr("diag.caller"), NULL);
	x++;
	w -= 2;
	ticket_mask_phone(t->phone, phone, sizeof phone);
	snprintf(buf, sizeof buf, "%s  %s", t->customer, phone);
	if (y < y_end)
		y += side_field(vs, x, y, w, "detail.customer", ROLE_NORMAL, buf);
	snprintf(buf, sizeof buf, "%s%s%s", t->plate, t->model[0] ? "  \xc2\xb7  " : "",
	    t->model);
	if (y < y_end)
		y += side_field(vs, x, y, w, "detail.vehicle", ROLE_NORMAL, buf);
	if (y < y_end)
		y += side_field(vs, x, y, w, "detail.fault", ROLE_NORMAL, present_fault(t->fault));
	present_flags((uint32_t)t->flags, " \xc2\xb7 ", buf, sizeof buf);
	if (y < y_end)
		y += side_field(vs, x, y, w, "detail.flags", buf[0] ? ROLE_WARN : ROLE_DIM,
		    buf[0] ? buf : i18n_tr("detail.no_flags"));
	snprintf(buf, sizeof buf, "%s%s%s", present_region(m->data, t->region),
	    t->landmark[0] || t->address[0] ? " \xc2\xb7 " : "",
	    t->landmark[0] ? t->landmark : t->address);
	if (y < y_end)
		y += side_field(vs, x, y, w, "detail.place", ROLE_NORMAL, buf);
	snprintf(buf, sizeof buf, "%s%s%s", present_state(t->state), t->truck[0] ? " \xc2\xb7 " :
	    "", t->truck);
	if (y < y_end)
		y += side_field(vs, x, y, w, "diag.ticket", ROLE_NORMAL, buf);
	if (hold >= 0) {
		model_fmt_minutes(hold, buf, sizeof buf);
		if (y < y_end)
			side_field(vs, x, y, w, "diag.hold", hold < 60000 ? ROLE_WARN : ROLE_NORMAL,
			    buf);
	}
}

/* The two lines that are always there while a session runs: dispatch now and safety. */
static void
draw_actions(struct vscreen *vs, const struct model *m, const struct proto_ticket *t, int x,
    int w, int y)
{
	char key[16], buf[512];
	const char *why = diag_recommend_now(t, m->now);
	int kx;
	size_t i;

	key_of(ACTION_DIAG_DISPATCH_NOW, key, sizeof key);
	kx = x + vscreen_put(vs, x, y, ROLE_KEY, THEME_BOLD, key, 4) + 1;
	kx += vscreen_put(vs, kx, y, ROLE_NORMAL, 0, i18n_tr("diag.dispatch_now"), x + w - kx);
	if (why != NULL) {
		snprintf(buf, sizeof buf, " \xe2\x80\x94 %s%s%s", i18n_tr("diag.recommended"),
		    present_colon(), i18n_tr(why));
		vscreen_put_ellipsis(vs, kx, y, ROLE_WARN, THEME_BOLD, buf, x + w - kx);
	}
	y++;
	key_of(ACTION_DIAG_SAFETY, key, sizeof key);
	kx = x + vscreen_put(vs, x, y, ROLE_LATE, THEME_BOLD, key, 4) + 1;
	snprintf(buf, sizeof buf, "%s", i18n_tr("diag.safety"));
	for (i = 0; m->flows != NULL && i < m->flows->n_stops; i++) {
		size_t len = strlen(buf);

		snprintf(buf + len, sizeof buf - len, "%s%s", i == 0 ? present_colon() :
		    " \xc2\xb7 ", diag_text(m->flows->stops[i]->trigger));
	}
	vscreen_put_ellipsis(vs, kx, y, ROLE_LATE, 0, buf, x + w - kx);
}

static int
draw_running(struct view_flow *vf, struct vscreen *vs, const struct model *m,
    const struct proto_ticket *t, const struct flow_walk *w, int x, int lw, int y,
    int y_end)
{
	const struct flow_node *node = w != NULL ? w->node : NULL;
	char buf[1024], t1[32], t2[32];
	int64_t hold = diag_hold_left(t, m->now);
	size_t i;

	if (!writable(vf, m, t) && y < y_end) {
		char key[16];

		key_of(ACTION_DIAG_TAKE_OVER, key, sizeof key);
		snprintf(buf, sizeof buf, "%s %s \xe2\x80\x94 %s  %s %s", i18n_tr("diag.held_by"),
		    t->diag_by, i18n_tr("diag.read_only"), key, i18n_tr("diag.take_over"));
		vscreen_put_ellipsis(vs, x, y++, ROLE_WARN, THEME_BOLD, buf, lw);
	}
	/* step n, elapsed, hold */
	fmt_elapsed(m->now - t->diag_started, t1, sizeof t1);
	if (hold >= 0)
		model_fmt_minutes(hold, t2, sizeof t2);
	snprintf(buf, sizeof buf, "%s %zu \xc2\xb7 %s %s", i18n_tr("diag.step"),
	    (w != NULL ? w->n_steps : 0) + 1, i18n_tr("diag.elapsed"), t1);
	if (hold >= 0)
		snprintf(buf + strlen(buf), sizeof buf - strlen(buf), " \xc2\xb7 %s %s",
		    i18n_tr("diag.hold"), t2);
	vscreen_put_ellipsis(vs, x, y++, ROLE_DIM, 0, buf, lw);
	breadcrumb(w, t, lw - 2, buf, sizeof buf);
	vscreen_put_ellipsis(vs, x, y++, ROLE_DIM, 0, buf, lw);
	y++;
	if (node == NULL) {	/* no copy of this flow: the broker's node id */
		snprintf(buf, sizeof buf, "%s%s%s", i18n_tr("diag.node"), present_colon(),
		    t->diag_node);
		vscreen_put_ellipsis(vs, x + 2, y++, ROLE_NORMAL, THEME_BOLD, buf, lw - 2);
		vscreen_put_ellipsis(vs, x + 2, y++, ROLE_WARN, 0, i18n_tr("diag.no_text"), lw - 2);
		return y;
	}
	vscreen_put_ellipsis(vs, x + 2, y++, ROLE_HEADER, 0, i18n_tr(node->kind == FLOW_QUESTION ?
	    "diag.ask" : "diag.tell"), lw - 2);
	/* the step in large clear text: bold, wrapped, a blank line either side */
	y += put_wrapped(vs, x + 2, y, y_end, lw - 4, ROLE_NORMAL, THEME_BOLD,
	    diag_text(node->text));
	y++;
	for (i = 0; i < node->n_answers && i < ANSWERS_MAX && y < y_end; i++, y++) {
		const struct flow_answer *a = &node->answers[i];
		int ax;

		snprintf(t1, sizeof t1, "%zu", i + 1);
		vscreen_put(vs, x + 2, y, ROLE_KEY, THEME_BOLD, t1, 2);
		ax = x + 5;
		ax += vscreen_put(vs, ax, y, ROLE_NORMAL, 0, diag_text(a->label), lw - 7);
		if (a->safety)
			vscreen_put(vs, ax + 1, y, ROLE_LATE, THEME_BOLD, "\xe2\x9a\xa0", 2);
	}
	if (vf->busy && y < y_end)
		vscreen_put_ellipsis(vs, x + 2, y++, ROLE_PENDING, 0, i18n_tr("diag.sending"),
		    lw - 2);
	return y;
}

static void
draw_ended(struct vscreen *vs, const struct model *m, const struct proto_ticket *t,
    const struct flow_walk *w, int x, int lw, int y, int y_end)
{
	enum diag_state s = diag_state_of(t);
	const struct flow_outcome *o = w != NULL ? w->outcome : NULL;
	const struct flow_stop *st = w != NULL ? w->stop : NULL;
	enum theme_role role = s == DIAG_SOLVED ? ROLE_OK : s == DIAG_ABORTED ? ROLE_DIM :
	    ROLE_WARN;
	char buf[1024], t1[32], key[16];

	if (m->flows != NULL && o == NULL && st == NULL) {
		o = flow_set_outcome(m->flows, t->diag_node);
		st = flow_set_stop(m->flows, t->diag_node);
	}
	snprintf(buf, sizeof buf, "%s", i18n_tr(diag_state_key(s)));
	if ((s == DIAG_DISPATCHED || st != NULL) && t->need_kind[0] != '\0')
		snprintf(buf + strlen(buf), sizeof buf - strlen(buf), "%s%s", present_colon(),
		    present_kind(t->need_kind));
	if (t->senior)
		snprintf(buf + strlen(buf), sizeof buf - strlen(buf), " \xc2\xb7 %s",
		    i18n_tr("diag.senior"));
	vscreen_put_ellipsis(vs, x, y++, role, THEME_BOLD, buf, lw);
	y++;
	if (st != NULL && y < y_end) {
		snprintf(buf, sizeof buf, "! %s", diag_text(st->trigger));
		y += put_wrapped(vs, x + 2, y, y_end, lw - 4, ROLE_LATE, THEME_BOLD, buf);
		vscreen_put_ellipsis(vs, x + 2, y++, ROLE_DIM, 0, i18n_tr("diag.read_advice"),
		    lw - 2);
		y += put_wrapped(vs, x + 2, y, y_end, lw - 4, ROLE_NORMAL, THEME_BOLD,
		    diag_text(st->advice));
		y++;
	} else if (o != NULL && y < y_end) {
		y += put_wrapped(vs, x + 2, y, y_end, lw - 4, ROLE_NORMAL, THEME_BOLD,
		    diag_text(o->text));
		y++;
	} else if (t->diag_node[0] != '\0' && y < y_end)
		vscreen_put_ellipsis(vs, x + 2, y++, ROLE_NORMAL, 0, t->diag_node, lw - 2);
	if (y < y_end) {
		breadcrumb(w, t, lw - 4, buf, sizeof buf);
		vscreen_put_ellipsis(vs, x, y++, ROLE_DIM, 0, buf, lw);
	}
	if (y < y_end) {
		fmt_elapsed((t->diag_ended > 0 ? t->diag_ended : m->now) - t->diag_started, t1,
		    sizeof t1);
		snprintf(buf, sizeof buf, "%s %s \xc2\xb7 %s %s", i18n_tr("diag.by"),
		    t->diag_by[0] ? t->diag_by : "-", i18n_tr("diag.took"), t1);
		vscreen_put_ellipsis(vs, x, y++, ROLE_DIM, 0, buf, lw);
	}
	y++;
	if (y < y_end && diag_can_start(t)) {
		key_of(ACTION_DIAG_START, key, sizeof key);
		snprintf(buf, sizeof buf, "%s  %s", key, i18n_tr("diag.start_again"));
		vscreen_put_ellipsis(vs, x, y, ROLE_DIM, 0, buf, lw);
	}
}

static void
draw_none(struct view_flow *vf, struct vscreen *vs, const struct model *m,
    const struct proto_ticket *t, int x, int lw, int y)
{
	const struct flow *fl = diag_flow_of(m, t);
	char buf[512], key[16];

	if (fl != NULL)
		vscreen_put_ellipsis(vs, x, y++, ROLE_NORMAL, THEME_BOLD, diag_text(fl->title), lw);
	y++;
	if (vf->busy) {
		vscreen_put_ellipsis(vs, x, y, ROLE_PENDING, 0, i18n_tr("diag.starting"), lw);
		return;
	}
	if (fl == NULL && m->flows != NULL) {
		vscreen_put_ellipsis(vs, x, y, ROLE_WARN, 0, i18n_tr("diag.no_flow"), lw);
		return;
	}
	key_of(ACTION_DIAG_START, key, sizeof key);
	snprintf(buf, sizeof buf, "%s  %s", key, i18n_tr(diag_can_start(t) ? "diag.start" :
	    "diag.cannot_start"));
	vscreen_put_ellipsis(vs, x, y, diag_can_start(t) ? ROLE_NORMAL : ROLE_DIM, 0, buf, lw);
}

static void
draw_safety_menu(struct view_flow *vf, struct vscreen *vs, int y0, int y_end)
{
	int cols = vscreen_cols(vs), mw, mh;
	const char *title = i18n_tr("diag.safety_title");

	mw = menu_width(&vf->menu, title);
	mw = mw < cols - 4 ? mw : cols - 4;
	mh = (int)vf->menu.n + 2;
	if (mh > y_end - y0)
		mh = y_end - y0;
	menu_draw(&vf->menu, vs, (cols - mw) / 2, y0 + (y_end - y0 - mh) / 2, mw, mh, title);
}

static void
flow_draw(struct view *v, const struct model *m, struct vscreen *vs, const struct theme *th)
{
	struct view_flow *vf = (struct view_flow *)v;
	const struct proto_ticket *t = model_ticket(m, vf->id);
	int cols = vscreen_cols(vs), rows = vscreen_rows(vs), y, y_end, sw, lw, x = 1;
	struct flow_walk walk;
	bool have_walk;
	enum diag_state s;
	char left[256], keys[160];

	(void)th;
	if (view_too_small(cols, rows)) {
		view_draw_too_small(vs);
		return;
	}
	s = diag_state_of(t);
	vscreen_fill(vs, 0, 0, cols, rows, ROLE_NORMAL, 0, L' ');
	snprintf(left, sizeof left, "%s \xe2\x94\x82 %s #%lld%s%s", i18n_tr("app.name"),
	    i18n_tr("diag.title"), (long long)vf->id, t != NULL ? " \xc2\xb7 " : "",
	    t != NULL ? t->customer : "");
	chrome_title(vs, m, left, t != NULL ? i18n_tr(diag_state_key(s)) : NULL);
	if (chrome_banner_needed(m))
		chrome_banner(vs, 1, m);
	y = chrome_body_top(vs, m);
	y_end = chrome_body_end(vs);
	if (vf->mode == MODE_ABORT && vf->error[0] != '\0')
		y_end--;
	if (t == NULL) {
		snprintf(left, sizeof left, "#%lld  %s", (long long)vf->id, i18n_tr("detail.missing"));
		vscreen_put_ellipsis(vs, 1, y + 1, ROLE_WARN, 0, left, cols - 2);
	} else {
		const struct flow *fl = diag_flow_of(m, t);

		sw = cols >= 120 ? SIDE_WIDE : SIDE_NARROW;
		lw = cols - sw - 3;
		/* while a session runs its two action lines span the width below both panes */
		draw_side(vs, m, t, cols - sw, sw, y, s == DIAG_RUNNING ? y_end - 3 : y_end);
		have_walk = diag_walk(m, t, &walk);
		if (s != DIAG_NONE)
			chrome_section(vs, 0, y++, lw + 2, fl != NULL ? diag_text(fl->title) :
			    t->diag_flow, NULL);
		if (s == DIAG_RUNNING) {
			draw_running(vf, vs, m, t, have_walk ? &walk : NULL, x, lw, y, y_end - 3);
			draw_actions(vs, m, t, x, cols - 2, y_end - 2);
		} else if (s == DIAG_NONE)
			draw_none(vf, vs, m, t, x, lw, y + 1);
		else
			draw_ended(vs, m, t, have_walk ? &walk : NULL, x, lw, y + 1, y_end);
	}
	vscreen_set_cursor(vs, 0, chrome_body_top(vs, m), false);
	if (vf->mode == MODE_SAFETY)
		draw_safety_menu(vf, vs, chrome_body_top(vs, m), y_end);
	if (vf->mode == MODE_ABORT && vf->error[0] != '\0')
		chrome_error(vs, y_end, vf->error);
	chrome_status(vs, rows - 2, m);
	if (vf->mode == MODE_ABORT) {
		chrome_keys_text(keys, sizeof keys, send_keys, 2);
		chrome_prompt(vs, rows - 1, i18n_tr("diag.prompt_abort"), &vf->edit, keys);
	} else if (s == DIAG_RUNNING)
		chrome_message(vs, rows - 1, m, hints, (int)ARRAY_LEN(hints));
	else
		chrome_message(vs, rows - 1, m, idle_hints, (int)ARRAY_LEN(idle_hints));
}

/* ---- keys ---- */

static void
set_mode(struct view_flow *vf, enum mode mode)
{
	vf->mode = mode;
	vf->error[0] = '\0';
	lineedit_clear(&vf->edit);
	vf->view.scope = mode == MODE_SAFETY ? SCOPE_DIALOG : mode == MODE_ABORT ? SCOPE_FORM :
	    SCOPE_DIAG;
}

/* Send a diagnosis command about this ticket ("<label> #12" for the pending list). */
static int
command(struct view_flow *vf, struct model *m, enum proto_msg_id op, const void *args,
    const char *label)
{
	struct model_request rq = { .op = op, .args = args, .on_reply = on_command,
		.ctx = vf, .owner = vf };
	char what[96];

	snprintf(what, sizeof what, "%s #%lld", i18n_tr(label), (long long)vf->id);
	rq.what = what;
	if (model_request(m, &rq, NULL) != 0)
		return -1;
	vf->busy = true;
	return 0;
}

static unsigned
say(struct model *m, const char *key)
{
	model_message(m, true, "%s", i18n_tr(key));
	return UI_HANDLED | UI_REDRAW;
}

static unsigned
start_session(struct view_flow *vf, struct model *m, const struct proto_ticket *t)
{
	struct proto_diag_start a = { .id = vf->id, .present = PROTO_ALL };

	if (t == NULL)
		return say(m, "detail.err_missing");
	if (diag_state_of(t) == DIAG_RUNNING)
		return say(m, "diag.err_running");
	if (!diag_can_start(t))
		return say(m, "diag.cannot_start");
	if (m->flows != NULL && diag_flow_of(m, t) == NULL)
		return say(m, "diag.no_flow");
	a.present &= ~((uint64_t)1 << PROTO_diag_start_flow);	/* the fault's flow */
	command(vf, m, PROTO_MSG_diag_start, &a, "cmd.diag_start");
	return UI_HANDLED | UI_REDRAW;
}

/* Refuse a key that changes the session unless it runs, is ours and nothing is in flight. */
static bool
refused(struct view_flow *vf, struct model *m, const struct proto_ticket *t, unsigned *r)
{
	*r = UI_HANDLED | UI_REDRAW;
	if (t == NULL || diag_state_of(t) != DIAG_RUNNING)
		*r = say(m, "diag.err_not_running");
	else if (!writable(vf, m, t))
		*r = say(m, "diag.err_read_only");
	else if (vf->busy || t->ver < vf->wait_ver)
		*r = say(m, "diag.err_busy");
	else
		return false;
	return true;
}

static unsigned
answer(struct view_flow *vf, struct model *m, const struct proto_ticket *t, int n)
{
	struct proto_diag_answer a = { .id = vf->id, .answer = n, .present = PROTO_ALL };
	struct flow_walk w;
	unsigned r;

	if (refused(vf, m, t, &r))
		return r;
	if (diag_walk(m, t, &w) && w.node != NULL && (size_t)n > w.node->n_answers) {
		model_message(m, true, "%s%s%d", i18n_tr("diag.err_no_answer"), present_colon(), n);
		return UI_HANDLED | UI_REDRAW;
	}
	PROTO_STRSET(a.node, t->diag_node);
	command(vf, m, PROTO_MSG_diag_answer, &a, "cmd.diag_answer");
	return UI_HANDLED | UI_REDRAW;
}

static unsigned
undo(struct view_flow *vf, struct model *m, const struct proto_ticket *t)
{
	struct proto_diag_back a = { .id = vf->id, .present = PROTO_ALL };
	unsigned r;

	if (refused(vf, m, t, &r))
		return r;
	if (t->diag_path[0] == '\0')
		return say(m, "diag.err_at_start");
	PROTO_STRSET(a.node, t->diag_node);
	command(vf, m, PROTO_MSG_diag_back, &a, "cmd.diag_back");
	return UI_HANDLED | UI_REDRAW;
}

static unsigned
open_safety(struct view_flow *vf, struct model *m, const struct proto_ticket *t)
{
	size_t i;
	unsigned r;

	if (refused(vf, m, t, &r))
		return r;
	if (m->flows == NULL || m->flows->n_stops == 0)
		return say(m, "diag.no_text");
	menu_clear(&vf->menu);
	for (i = 0; i < m->flows->n_stops; i++) {
		const struct flow_stop *s = m->flows->stops[i];
		char note[96];

		if (s->type == FLOW_DISPATCH && s->truck >= 0)
			snprintf(note, sizeof note, "%s%s%s", i18n_tr("diag.state.dispatched"),
			    present_colon(), present_kind(truck_kind_name((enum truck_kind)s->truck)));
		else
			rd_strlcpy(note, i18n_tr(s->type == FLOW_ESCALATE ? "diag.state.escalated" :
			    "diag.state.dispatched"), sizeof note);
		menu_add(&vf->menu, diag_text(s->trigger), note, (int)i);
	}
	set_mode(vf, MODE_SAFETY);
	return UI_HANDLED | UI_REDRAW;
}

static unsigned
safety_key(struct view_flow *vf, struct model *m, const struct key *k, enum keymap_action a)
{
	const struct proto_ticket *t = model_ticket(m, vf->id);
	struct proto_diag_safety s = { .id = vf->id, .present = PROTO_ALL };
	int i;
	unsigned r;

	switch (menu_key(&vf->menu, k, a)) {
	case MENU_CANCELLED:
		set_mode(vf, MODE_MAIN);
		return UI_HANDLED | UI_REDRAW;
	case MENU_MOVED:
		return UI_HANDLED | UI_REDRAW;
	case MENU_PICKED:
		i = menu_value(&vf->menu);
		set_mode(vf, MODE_MAIN);
		if (refused(vf, m, t, &r))
			return r;
		if (m->flows == NULL || i < 0 || (size_t)i >= m->flows->n_stops)
			return UI_HANDLED | UI_REDRAW;
		PROTO_STRSET(s.stop, m->flows->stops[i]->id);
		command(vf, m, PROTO_MSG_diag_safety, &s, "cmd.diag_safety");
		return UI_HANDLED | UI_REDRAW;
	case MENU_IGNORED:
		break;
	}
	if (a == ACTION_HELP || a == ACTION_REDRAW || a == ACTION_QUIT)
		return UI_NONE;
	return UI_HANDLED;
}

static unsigned
abort_key(struct view_flow *vf, struct model *m, const struct key *k, enum keymap_action a)
{
	const struct proto_ticket *t = model_ticket(m, vf->id);
	struct proto_diag_abort ab = { .id = vf->id, .present = PROTO_ALL };
	const char *text = lineedit_text(&vf->edit);
	unsigned r;

	switch (a) {
	case ACTION_BACK:
		set_mode(vf, MODE_MAIN);
		return UI_HANDLED | UI_REDRAW;
	case ACTION_HELP:
	case ACTION_REDRAW:
	case ACTION_QUIT:
		return UI_NONE;
	case ACTION_OPEN:
		while (*text == ' ')
			text++;
		if (*text == '\0') {
			rd_strlcpy(vf->error, i18n_tr("detail.err_reason_empty"), sizeof vf->error);
			return UI_HANDLED | UI_REDRAW;
		}
		PROTO_STRSET(ab.reason, text);
		set_mode(vf, MODE_MAIN);
		if (refused(vf, m, t, &r))
			return r;
		command(vf, m, PROTO_MSG_diag_abort, &ab, "cmd.diag_abort");
		return UI_HANDLED | UI_REDRAW;
	default:
		break;
	}
	if (lineedit_key(&vf->edit, k, a) == LINEEDIT_CHANGED)
		vf->error[0] = '\0';
	return UI_HANDLED | UI_REDRAW;
}

static unsigned
flow_key(struct view *v, struct model *m, const struct key *k, enum keymap_action a)
{
	struct view_flow *vf = (struct view_flow *)v;
	const struct proto_ticket *t = model_ticket(m, vf->id);
	struct proto_diag_dispatch_now dn = { .id = vf->id, .present = PROTO_ALL };
	unsigned r;

	if (vf->mode == MODE_SAFETY)
		return safety_key(vf, m, k, a);
	if (vf->mode == MODE_ABORT)
		return abort_key(vf, m, k, a);
	if (a == ACTION_NONE && !k->is_func && k->code >= '1' && k->code <= '9')
		return answer(vf, m, t, k->code - '0');
	switch (a) {
	case ACTION_BACK:
		return UI_HANDLED | UI_CLOSE;
	case ACTION_DIAG_UNDO:
		return undo(vf, m, t);
	case ACTION_DIAG_SAFETY:
		return open_safety(vf, m, t);
	case ACTION_DIAG_DISPATCH_NOW:
		if (refused(vf, m, t, &r))
			return r;
		command(vf, m, PROTO_MSG_diag_dispatch_now, &dn, "cmd.diag_dispatch_now");
		return UI_HANDLED | UI_REDRAW;
	case ACTION_DIAG_ABORT:
		if (refused(vf, m, t, &r))
			return r;
		set_mode(vf, MODE_ABORT);
		vf->edit.max = sizeof(((struct proto_diag_abort *)0)->reason) - 1;
		return UI_HANDLED | UI_REDRAW;
	case ACTION_DIAG_TAKE_OVER:
		if (t == NULL || diag_state_of(t) != DIAG_RUNNING)
			return say(m, "diag.err_not_running");
		if (writable(vf, m, t))
			return say(m, "diag.err_yours");
		vf->took_over = true;
		model_message(m, false, "%s %s", i18n_tr("diag.took_over"), t->diag_by);
		return UI_HANDLED | UI_REDRAW;
	case ACTION_DIAG_START:
		if (vf->busy)
			return say(m, "diag.err_busy");
		return start_session(vf, m, t);
	case ACTION_DIAG_QUEUE:
		return view_want(v, VIEW_DIAG_QUEUE, 0, ACTION_NONE);
	case ACTION_NOTE:
	case ACTION_SET_STATE:
	case ACTION_CANCEL_TICKET:
	case ACTION_ASSIGN:
		return view_want(v, VIEW_DETAIL, vf->id, a);
	case ACTION_OPEN:
		return UI_HANDLED;
	default:
		return UI_NONE;
	}
}

static void
flow_destroy(struct view *v)
{
	struct view_flow *vf = (struct view_flow *)v;

	menu_finish(&vf->menu);
	lineedit_finish(&vf->edit);
	free(vf);
}

static const struct view_ops flow_ops = {
	.name = "flow",
	.draw = flow_draw,
	.key = flow_key,
	.destroy = flow_destroy,
};

/* A command was answered (the model put a refusal on the message line): keys send again
 * once the live data shows the ticket as the answer left it. */
static void
on_command(struct model *m, void *ctx, const struct proto_reply *r,
    const struct proto_error *err)
{
	struct view_flow *vf = ctx;

	(void)m;
	(void)err;
	vf->busy = false;
	/* The answer carries the ticket as changed; its publication may come a moment later,
	 * and a step answered before it would name the old node. */
	if (r != NULL && r->ok && r->ticket.id == vf->id)
		vf->wait_ver = r->ticket.ver;
}

struct view *
view_flow_create(struct model *m, int64_t id, bool start)
{
	struct view_flow *vf = xcalloc(1, sizeof *vf);
	const struct proto_ticket *t = model_ticket(m, id);

	vf->view.ops = &flow_ops;
	vf->view.scope = SCOPE_DIAG;
	vf->id = id;
	menu_init(&vf->menu);
	lineedit_init(&vf->edit, 200);
	/* Only a ticket never diagnosed starts by itself; an ended session is shown first. */
	if (start && t != NULL && diag_state_of(t) == DIAG_NONE && diag_can_start(t))
		start_session(vf, m, t);
	return &vf->view;
}
