/* form.c: the form engine: fields, focus, inline errors, lists and check boxes (form.h). */
#include "form.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chrome.h"
#include "i18n.h"
#include "model.h"
#include "present.h"
#include "text.h"
#include "util.h"
#include "view.h"

void
form_init(struct form *f, const struct form_field *fields, int n,
    const char *const *sections, const struct form_ops *ops, void *owner)
{
	int i;

	memset(f, 0, sizeof *f);
	f->fields = fields;
	f->n = n;
	f->sections = sections;
	f->ops = ops;
	f->owner = owner;
	f->edit = xcalloc((size_t)n, sizeof *f->edit);
	f->on = xcalloc((size_t)n, sizeof *f->on);
	f->hidden = xcalloc((size_t)n, sizeof *f->hidden);
	f->dirty = xcalloc((size_t)n, sizeof *f->dirty);
	f->touched = xcalloc((size_t)n, sizeof *f->touched);
	f->fx = xcalloc((size_t)n, sizeof *f->fx);
	f->fy = xcalloc((size_t)n, sizeof *f->fy);
	f->fw = xcalloc((size_t)n, sizeof *f->fw);
	for (i = 0; i < n; i++)
		lineedit_init(&f->edit[i], fields[i].max > 0 ? fields[i].max : 1);
	menu_init(&f->menu);
}

void
form_finish(struct form *f)
{
	int i;

	for (i = 0; i < f->n; i++)
		lineedit_finish(&f->edit[i]);
	menu_finish(&f->menu);
	free(f->edit);
	free(f->on);
	free(f->hidden);
	free(f->dirty);
	free(f->touched);
	free(f->fx);
	free(f->fy);
	free(f->fw);
	f->edit = NULL;
	f->n = 0;
}

/* ---- values ---- */

const char *
form_text(const struct form *f, int i)
{
	return lineedit_text(&f->edit[i]);
}

void
form_trimmed(const struct form *f, int i, char *out, size_t sz)
{
	const char *s = lineedit_text(&f->edit[i]);
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

void
form_set_text(struct form *f, int i, const char *s)
{
	if (s[0] == '\0')
		lineedit_clear(&f->edit[i]);
	else
		lineedit_set(&f->edit[i], s);
}

void
form_touch(struct form *f, int i)
{
	f->dirty[i] = f->touched[i] = true;
}

bool
form_checked(const struct form *f, int i)
{
	return f->on[i];
}

void
form_set_checked(struct form *f, int i, bool on)
{
	f->on[i] = on;
}

bool
form_edited(const struct form *f, int i)
{
	return f->dirty[i];
}

bool
form_shown(const struct form *f, int i)
{
	return !f->hidden[i];
}

/* ---- validation ---- */

static const char *
field_error(const struct form *f, const struct model *m, int i)
{
	return f->ops->error != NULL ? f->ops->error(f->owner, f, m, i) : NULL;
}

static bool
error_shown(const struct form *f, int i)
{
	return f->tried || f->touched[i];
}

int
form_errors(const struct form *f, const struct model *m, int *first)
{
	int i, n = 0;

	*first = -1;
	for (i = 0; i < f->n; i++) {
		if (!f->hidden[i] && field_error(f, m, i) != NULL) {
			if (n++ == 0)
				*first = i;
		}
	}
	return n;
}

static void
leave_field(struct form *f)
{
	if (f->dirty[f->focus])
		f->touched[f->focus] = true;
}

bool
form_validate(struct form *f, const struct model *m)
{
	int first;

	leave_field(f);
	f->tried = true;
	if (form_errors(f, m, &first) > 0) {
		f->focus = first;
		return false;
	}
	return true;
}

/* ---- drawing ---- */

static int
label_width(const struct form *f)
{
	int i, w, best = 10;

	for (i = 0; i < f->n; i++) {
		if (f->fields[i].kind == FORM_CHECK)
			continue;
		w = text_width(i18n_tr(f->fields[i].label));
		best = w > best ? w : best;
	}
	return best;
}

static void
draw_field(struct form *f, struct vscreen *vs, const struct model *m, int i, int lx, int lw,
    int fx, int fw, int y, int *cursor_x)
{
	const struct form_field *d = &f->fields[i];
	int cols = vscreen_cols(vs), ex = fx + fw + 2;
	bool focus = f->focus == i, placeholder = true;
	const char *err = error_shown(f, i) ? field_error(f, m, i) : NULL, *text;
	char buf[256];

	f->fx[i] = fx;
	f->fy[i] = y;
	f->fw[i] = fw;
	if (focus)
		vscreen_put(vs, lx - 2, y, ROLE_KEY, 0, "\xe2\x80\xba", 1);	/* › */
	vscreen_put_pad(vs, lx, y, focus ? ROLE_KEY : ROLE_NORMAL, 0, i18n_tr(d->label), lw);
	if (d->required)
		vscreen_put(vs, lx + lw, y, ROLE_WARN, THEME_BOLD, "*", 1);
	if (d->kind == FORM_TEXT && focus)
		*cursor_x = lineedit_draw(&f->edit[i], vs, fx, y, fw, ROLE_INPUT, 0);
	else if (d->kind == FORM_TEXT)	/* not editing: the start, cut with "…" */
		vscreen_put_pad(vs, fx, y, ROLE_INPUT, 0, lineedit_text(&f->edit[i]), fw);
	else {
		text = f->ops->choice_text != NULL ? f->ops->choice_text(f->owner, f, m, i, buf,
		    sizeof buf, &placeholder) : "";
		vscreen_fill(vs, fx, y, fw, 1, ROLE_INPUT, 0, L' ');
		vscreen_put_ellipsis(vs, fx, y, ROLE_INPUT, placeholder ? THEME_DIM : 0, text,
		    fw - 2);
		vscreen_put(vs, fx + fw - 1, y, ROLE_INPUT, 0, "\xe2\x96\xbe", 1);	/* ▾ */
	}
	if (err != NULL && ex < cols - 4)
		vscreen_put_ellipsis(vs, ex, y, ROLE_ERROR, 0, err, cols - 1 - ex);
}

static void
draw_check(struct form *f, struct vscreen *vs, int i, int x, int w, int y)
{
	bool focus = f->focus == i, on = f->on[i];

	f->fx[i] = x;
	f->fy[i] = y;
	f->fw[i] = 3;
	if (focus)
		vscreen_put(vs, x - 2, y, ROLE_KEY, 0, "\xe2\x80\xba", 1);
	vscreen_put(vs, x, y, ROLE_INPUT, 0, on ? "[x]" : "[ ]", 3);
	vscreen_put_pad(vs, x + 4, y, focus ? ROLE_KEY : on ? ROLE_WARN : ROLE_NORMAL, 0,
	    i18n_tr(f->fields[i].label), w - 4);
}

static void
draw_confirm(const struct form *f, struct vscreen *vs)
{
	int cols = vscreen_cols(vs), rows = vscreen_rows(vs), w, x, y;
	char line[256];

	snprintf(line, sizeof line, "%s  [y/n]", i18n_tr(f->discard));
	w = text_width(line) + 6;
	w = w < cols - 2 ? w : cols - 2;
	x = (cols - w) / 2;
	y = rows / 2 - 1;
	vscreen_fill(vs, x, y, w, 3, ROLE_DIALOG, 0, L' ');
	vscreen_put_ellipsis(vs, x + 3, y + 1, ROLE_DIALOG, THEME_BOLD, line, w - 6);
	vscreen_set_cursor(vs, x + 3, y + 1, false);
}

static void
draw_message(const struct form *f, struct vscreen *vs, const struct model *m, int y)
{
	const char *err = error_shown(f, f->focus) ? field_error(f, m, f->focus) : NULL;
	char buf[512];
	int first, n;

	if (err != NULL) {
		snprintf(buf, sizeof buf, "%s%s%s", i18n_tr(f->fields[f->focus].label),
		    present_colon(), err);
		chrome_error(vs, y, buf);
		return;
	}
	n = f->tried ? form_errors(f, m, &first) : 0;
	if (n > 0) {
		snprintf(buf, sizeof buf, "%s %d", i18n_tr(f->invalid), n);
		chrome_error(vs, y, buf);
		return;
	}
	if (m->message[0] != '\0') {
		chrome_message(vs, y, m, NULL, 0);
		return;
	}
	chrome_key_hints(vs, y, f->keys, f->n_keys);
}

/* The open list below its field, or above when there is no room. */
static void
draw_menu(struct form *f, struct vscreen *vs, int y_end)
{
	int cols = vscreen_cols(vs), i = f->focus, mw, mh, my;
	const char *title = i18n_tr(f->fields[i].label);

	mw = menu_width(&f->menu, title);
	mw = mw > f->fw[i] ? mw : f->fw[i];	/* cover the field */
	mw = mw < cols - f->fx[i] - 1 ? mw : cols - f->fx[i] - 1;
	mh = (int)f->menu.n + 2;
	my = f->fy[i] + 1;
	if (my + mh > y_end) {
		/* no room below: above the field, or as much as fits */
		my = f->fy[i] - mh;
		if (my < 1) {
			my = 1;
			mh = y_end - 1;
		}
	}
	menu_draw(&f->menu, vs, f->fx[i], my, mw, mh, title);
}

void
form_draw(struct form *f, struct vscreen *vs, const struct model *m, int y, int y_end)
{
	int cols = vscreen_cols(vs), rows = vscreen_rows(vs), lw = label_width(f), lx = 3, fx,
	    fw, i, sec = -1, rules = 0, lines = 0, cursor_x = -1, cw, run = 0;
	bool gaps;

	/* one rule a section, one row a field (two check boxes a row); blank lines between
	 * sections when they fit */
	for (i = 0; i < f->n; i++) {
		if (f->hidden[i])
			continue;
		if (f->fields[i].section != sec) {
			sec = f->fields[i].section;
			rules++;
			run = 0;
		}
		if (f->fields[i].kind != FORM_CHECK)
			lines++, run = 0;
		else if (run++ % 2 == 0)
			lines++;
	}
	gaps = y_end - y >= rules + lines + rules - 1 + 1;
	if (gaps)
		y++;
	/* Fields take a bit less than half of what is right of the labels, the inline errors
	 * the rest; the check boxes sit in two columns. */
	fx = lx + lw + 2;
	fw = (cols - fx - 4) * 45 / 100;
	fw = fw < 24 ? 24 : fw > 60 ? 60 : fw;
	cw = (cols - fx) / 2 < 34 ? (cols - fx) / 2 : 34;
	sec = -1;
	run = 0;
	for (i = 0; i < f->n && y < y_end; i++) {
		if (f->hidden[i])
			continue;
		if (run % 2 == 1 && (f->fields[i].kind != FORM_CHECK ||
		    f->fields[i].section != sec))
			y++;	/* after a check box alone on its row */
		if (f->fields[i].section != sec) {
			if (sec >= 0 && gaps)
				y++;
			sec = f->fields[i].section;
			run = 0;
			chrome_section(vs, 1, y++, cols - 2, i18n_tr(f->sections[sec]), NULL);
		}
		if (y >= y_end)
			break;
		if (f->fields[i].kind == FORM_CHECK) {
			/* two a row, in the field column */
			draw_check(f, vs, i, fx + (run % 2) * cw, cw - 2, y);
			if (run++ % 2 == 1)
				y++;
			continue;
		}
		run = 0;
		draw_field(f, vs, m, i, lx, lw, fx, fw, y++, &cursor_x);
	}

	chrome_status(vs, rows - 2, m);
	draw_message(f, vs, m, rows - 1);
	if (cursor_x >= 0)
		vscreen_set_cursor(vs, cursor_x, f->fy[f->focus], true);
	else
		vscreen_set_cursor(vs, f->fx[f->focus], f->fy[f->focus], false);
	if (f->choosing)
		draw_menu(f, vs, y_end);
	if (f->confirm)
		draw_confirm(f, vs);
}

/* ---- keys ---- */

/* The focus delta fields on, over hidden ones; at the ends it wraps round or stays. */
static void
move_focus(struct form *f, int delta, bool wrap)
{
	int i = f->focus, k;

	leave_field(f);
	for (k = 1; k < f->n; k++) {
		i += delta;
		if (wrap)
			i = (i + f->n) % f->n;
		else if (i < 0 || i >= f->n)
			return;
		if (!f->hidden[i]) {
			f->focus = i;
			return;
		}
	}
}

void
form_show(struct form *f, int i, bool shown)
{
	f->hidden[i] = !shown;
	if (!shown && f->focus == i)
		move_focus(f, 1, true);
}

static void
pick(struct form *f, const struct model *m, int i, int value)
{
	if (value == FORM_NO_VALUE || f->ops->pick == NULL ||
	    !f->ops->pick(f->owner, f, m, i, value))
		return;
	f->dirty[i] = f->touched[i] = true;
	f->changed = true;
}

static void
open_menu(struct form *f, const struct model *m)
{
	menu_clear(&f->menu);
	if (f->ops->choices == NULL || !f->ops->choices(f->owner, f, m, f->focus, &f->menu))
		return;
	f->choosing = true;
}

static unsigned
choosing_key(struct form *f, struct model *m, const struct key *k, enum keymap_action a)
{
	enum menu_result r = menu_key(&f->menu, k, a);

	if (r == MENU_PICKED)
		pick(f, m, f->focus, menu_value(&f->menu));
	switch (r) {
	case MENU_PICKED:
	case MENU_CANCELLED:
		f->choosing = false;
		return UI_HANDLED | UI_REDRAW;
	case MENU_MOVED:
		return UI_HANDLED | UI_REDRAW;
	case MENU_IGNORED:
		break;
	}
	return a == ACTION_HELP || a == ACTION_REDRAW ? UI_NONE : UI_HANDLED;
}

unsigned
form_key(struct form *f, struct model *m, const struct key *k, enum keymap_action a)
{
	const struct form_field *d = &f->fields[f->focus];
	bool space = a == ACTION_NONE && k != NULL && !k->is_func && k->code == ' ';

	if (f->confirm) {
		if (a == ACTION_CONFIRM)
			return UI_HANDLED | UI_CLOSE;
		if (a == ACTION_DENY || a == ACTION_BACK) {
			f->confirm = false;
			return UI_HANDLED | UI_REDRAW;
		}
		return a == ACTION_HELP || a == ACTION_REDRAW ? UI_NONE : UI_HANDLED;
	}
	if (f->choosing)
		return choosing_key(f, m, k, a);
	switch (a) {
	case ACTION_SUBMIT:
		return f->ops->submit != NULL ? f->ops->submit(f->owner, f, m) : UI_HANDLED;
	case ACTION_BACK:
		if (!f->changed)
			return UI_HANDLED | UI_CLOSE;
		f->confirm = true;
		return UI_HANDLED | UI_REDRAW;
	case ACTION_NEXT_PANE:
	case ACTION_PREV_PANE:
		move_focus(f, a == ACTION_NEXT_PANE ? 1 : -1, true);
		return UI_HANDLED | UI_REDRAW;
	case ACTION_MOVE_DOWN:
	case ACTION_MOVE_UP:
		move_focus(f, a == ACTION_MOVE_DOWN ? 1 : -1, false);
		return UI_HANDLED | UI_REDRAW;
	case ACTION_HELP:
	case ACTION_REDRAW:
		return UI_NONE;
	default:
		break;
	}
	switch (d->kind) {
	case FORM_CHECK:
		if (space || a == ACTION_OPEN) {
			f->on[f->focus] = !f->on[f->focus];
			f->dirty[f->focus] = true;
			f->changed = true;
			return UI_HANDLED | UI_REDRAW;
		}
		return UI_HANDLED;
	case FORM_CHOICE:
		if (space || a == ACTION_OPEN)
			open_menu(f, m);
		else if ((a == ACTION_MOVE_LEFT || a == ACTION_MOVE_RIGHT) && f->ops->step != NULL)
			pick(f, m, f->focus, f->ops->step(f->owner, f, m, f->focus,
			    a == ACTION_MOVE_LEFT ? -1 : 1));
		else if ((a == ACTION_DELETE_BACK || a == ACTION_DELETE_CHAR ||
		    a == ACTION_CLEAR_FIELD) && f->ops->clear != NULL)
			pick(f, m, f->focus, f->ops->clear(f->owner, f, f->focus));
		return UI_HANDLED | UI_REDRAW;
	case FORM_TEXT:
		if (a == ACTION_OPEN) {
			move_focus(f, 1, false);
			return UI_HANDLED | UI_REDRAW;
		}
		if (lineedit_key(&f->edit[f->focus], k, a) == LINEEDIT_CHANGED) {
			f->dirty[f->focus] = true;
			f->changed = true;
			if (f->ops->edited != NULL)
				f->ops->edited(f->owner, f, f->focus);
		}
		return UI_HANDLED | UI_REDRAW;
	}
	return UI_HANDLED;
}

enum keymap_scope
form_scope(const struct form *f)
{
	return f->choosing || f->confirm ? SCOPE_DIALOG : SCOPE_FORM;
}
