/* view-help.c: the help view, generated from the key table (keymap.h). */
#include "view-help.h"

#include <stdio.h>
#include <stdlib.h>

#include "i18n.h"
#include "text.h"
#include "util.h"

/* One line of the help text: a scope heading, a key binding, or a blank line. */
struct line {
	enum { LINE_BLANK, LINE_SCOPE, LINE_ACTION } kind;
	enum keymap_scope scope;
	enum keymap_action action;
};

struct view_help {
	struct view view;	/* first member */
	struct line lines[2 * SCOPE_COUNT + ACTION_COUNT];
	int nlines;
	int top;		/* first line shown */
	int body_rows;		/* body height at the last draw; 0 before it */
};

static const struct view_hint hints[] = {
	{ ACTION_BACK, ACTION_NONE, "help.hint_close" },
	{ ACTION_MOVE_DOWN, ACTION_MOVE_UP, "help.hint_scroll" },
	{ ACTION_PAGE_DOWN, ACTION_PAGE_UP, "help.hint_page" },
};

static void
add(struct view_help *h, int kind, enum keymap_scope s, enum keymap_action a)
{
	h->lines[h->nlines].kind = kind;
	h->lines[h->nlines].scope = s;
	h->lines[h->nlines].action = a;
	h->nlines++;
}

static void
build(struct view_help *h)
{
	const enum keymap_scope *order;
	int i, a, n = keymap_scope_order(&order);
	bool any;

	for (i = 0; i < n; i++) {
		any = false;
		for (a = 1; a < ACTION_COUNT; a++) {
			if (keymap_action_scope((enum keymap_action)a) != order[i])
				continue;
			if (!any) {
				if (h->nlines > 0)
					add(h, LINE_BLANK, order[i], ACTION_NONE);
				add(h, LINE_SCOPE, order[i], ACTION_NONE);
				any = true;
			}
			add(h, LINE_ACTION, order[i], (enum keymap_action)a);
		}
	}
}

static int
max_top(const struct view_help *h)
{
	return h->nlines > h->body_rows ? h->nlines - h->body_rows : 0;
}

/* Width of the widest key list, for the key column. */
static int
key_column(void)
{
	char keys[64];
	int a, w, col = 0;

	for (a = 1; a < ACTION_COUNT; a++) {
		keymap_action_keys_text((enum keymap_action)a, keys, sizeof keys);
		w = text_width(keys);
		col = w > col ? w : col;
	}
	return col;
}

static void
draw_line(struct vscreen *vs, int y, const struct line *l, int keycol)
{
	int cols = vscreen_cols(vs), x;
	char keys[64];

	vscreen_fill(vs, 0, y, cols, 1, ROLE_NORMAL, 0, L' ');
	switch (l->kind) {
	case LINE_SCOPE:
		vscreen_put_ellipsis(vs, 1, y, ROLE_HEADER, 0,
		    i18n_tr(keymap_scope_title(l->scope)), cols - 2);
		break;
	case LINE_ACTION:
		keymap_action_keys_text(l->action, keys, sizeof keys);
		vscreen_put(vs, 3, y, ROLE_KEY, 0, keys, keycol);
		x = 3 + keycol + 2;
		if (x < cols - 1)
			vscreen_put_ellipsis(vs, x, y, ROLE_NORMAL, 0,
			    i18n_tr(keymap_action_help(l->action)), cols - 1 - x);
		break;
	case LINE_BLANK:
		break;
	}
}

static void
help_draw(struct view *v, const struct model *m, struct vscreen *vs,
    const struct theme *t)
{
	struct view_help *h = (struct view_help *)v;
	int cols = vscreen_cols(vs), rows = vscreen_rows(vs), keycol = key_column(), r;
	char title[160], pos[48];

	(void)m;
	(void)t;
	h->body_rows = rows > 2 ? rows - 2 : 0;
	if (h->top > max_top(h))
		h->top = max_top(h);
	snprintf(title, sizeof title, "%s - %s", i18n_tr("app.name"), i18n_tr("help.title"));
	snprintf(pos, sizeof pos, "%d-%d/%d", h->nlines > 0 ? h->top + 1 : 0,
	    h->top + h->body_rows < h->nlines ? h->top + h->body_rows : h->nlines, h->nlines);
	view_draw_title(vs, 0, title, pos);
	for (r = 0; r < h->body_rows; r++) {
		if (h->top + r < h->nlines)
			draw_line(vs, 1 + r, &h->lines[h->top + r], keycol);
		else
			vscreen_fill(vs, 0, 1 + r, cols, 1, ROLE_NORMAL, 0, L' ');
	}
	if (rows > 1)
		view_draw_hints(vs, rows - 1, hints, (int)ARRAY_LEN(hints));
	/* Park the (hidden) cursor on the first line shown, for screen readers. */
	vscreen_set_cursor(vs, 0, rows > 1 ? 1 : 0, false);
}

static unsigned
help_key(struct view *v, struct model *m, const struct key *k, enum keymap_action a)
{
	struct view_help *h = (struct view_help *)v;
	int top = h->top, page = h->body_rows > 1 ? h->body_rows - 1 : 1;

	(void)m;
	(void)k;
	switch (a) {
	case ACTION_BACK:
	case ACTION_HELP:
		return UI_HANDLED | UI_CLOSE;
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
		top = max_top(h);
		break;
	default:
		return UI_NONE;
	}
	if (top > max_top(h))
		top = max_top(h);
	if (top < 0)
		top = 0;
	if (top == h->top)
		return UI_HANDLED;
	h->top = top;
	return UI_HANDLED | UI_REDRAW;
}

static void
help_destroy(struct view *v)
{
	free(v);
}

static const struct view_ops help_ops = {
	.name = "help",
	.draw = help_draw,
	.key = help_key,
	.destroy = help_destroy,
};

struct view *
view_help_create(void)
{
	struct view_help *h = xcalloc(1, sizeof *h);

	h->view.ops = &help_ops;
	h->view.scope = SCOPE_GLOBAL;
	build(h);
	return &h->view;
}
