/* view-help.c: the help view, generated from the key table (keymap.h), then what the
 * screen shows (refs). */
#include "view-help.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "text.h"
#include "theme.h"
#include "util.h"

/* What the screen shows, after the keys: the filter syntax, the board's columns, the
 * colours and marks, the mouse. A heading (head set), or an entry: a term in its role
 * (literal text: syntax, glyphs, samples; or a catalog key) and its explanation. The
 * colour entries show their term in the colour they explain. */
static const struct ref {
	const char *head;	/* catalog key of a section heading; NULL for an entry */
	const char *term;	/* literal term, or NULL */
	const char *term_key;	/* the term as a catalog key, when term is NULL */
	enum theme_role role;
	const char *text;	/* catalog key */
} refs[] = {
	{ "help.sec.filter", NULL, NULL, ROLE_NORMAL, NULL },
	{ NULL, NULL, "help.filter.term_word", ROLE_KEY, "help.filter.word" },
	{ NULL, "state:", NULL, ROLE_KEY, "help.filter.state" },
	{ NULL, "region:", NULL, ROLE_KEY, "help.filter.region" },
	{ NULL, "fault:", NULL, ROLE_KEY, "help.filter.fault" },
	{ NULL, "truck:", NULL, ROLE_KEY, "help.filter.truck" },
	{ NULL, "#59 id:59", NULL, ROLE_KEY, "help.filter.id" },
	{ NULL, "is:late", NULL, ROLE_KEY, "help.filter.late" },
	{ NULL, "is:risk", NULL, ROLE_KEY, "help.filter.risk" },
	{ NULL, "is:warn", NULL, ROLE_KEY, "help.filter.warn" },
	{ NULL, "is:waiting", NULL, ROLE_KEY, "help.filter.waiting" },
	{ NULL, "is:mine", NULL, ROLE_KEY, "help.filter.mine" },
	{ NULL, "f C-n C-p", NULL, ROLE_KEY, "help.filter.find" },
	{ "help.sec.columns", NULL, NULL, ROLE_NORMAL, NULL },
	{ NULL, THEME_MARK_RED " " THEME_MARK_AMBER, NULL, ROLE_KEY, "help.col.mark" },
	{ NULL, NULL, "board.col.id", ROLE_HEADER, "help.col.id" },
	{ NULL, NULL, "board.col.age", ROLE_HEADER, "help.col.age" },
	{ NULL, NULL, "board.col.state", ROLE_HEADER, "help.col.state" },
	{ NULL, NULL, "board.col.customer", ROLE_HEADER, "help.col.customer" },
	{ NULL, NULL, "board.col.phone", ROLE_HEADER, "help.col.phone" },
	{ NULL, NULL, "board.col.place", ROLE_HEADER, "help.col.place" },
	{ NULL, NULL, "board.col.fault", ROLE_HEADER, "help.col.fault" },
	{ NULL, NULL, "board.col.truck", ROLE_HEADER, "help.col.truck" },
	{ NULL, NULL, "board.col.eta", ROLE_HEADER, "help.col.eta" },
	{ NULL, NULL, "board.col.due", ROLE_HEADER, "help.col.due" },
	{ NULL, NULL, "board.col.region", ROLE_HEADER, "help.col.region" },
	{ "help.sec.marks", NULL, NULL, ROLE_NORMAL, NULL },
	{ NULL, THEME_MARK_RED, NULL, ROLE_LATE, "help.mark.red" },
	{ NULL, THEME_MARK_AMBER, NULL, ROLE_WARN, "help.mark.amber" },
	{ NULL, "+ ^ =", NULL, ROLE_WARN, "help.mark.flags" },
	{ NULL, "-5m", NULL, ROLE_LATE, "help.due.late" },
	{ NULL, "14m", NULL, ROLE_WARN, "help.due.risk" },
	{ NULL, "42m", NULL, ROLE_NORMAL, "help.due.ok" },
	{ NULL, NULL, "help.sample.selected", ROLE_SELECTED, "help.selected" },
	{ NULL, NULL, "help.sample.dim", ROLE_DIM, "help.dim" },
	{ NULL, NULL, "status.stale", ROLE_STALE, "help.stale" },
	{ NULL, "\xe2\x86\x93 \xe2\x86\x91 \xe2\x86\x95", NULL, ROLE_HEADER, "help.scroll" },
	{ NULL, "12m", NULL, ROLE_NORMAL, "help.minutes" },
	{ "help.sec.mouse", NULL, NULL, ROLE_NORMAL, NULL },
	{ NULL, NULL, "help.mouse.click_term", ROLE_KEY, "help.mouse.click" },
	{ NULL, NULL, "help.mouse.wheel_term", ROLE_KEY, "help.mouse.wheel" },
	{ NULL, NULL, "help.mouse.shift_term", ROLE_KEY, "help.mouse.shift" },
	{ NULL, NULL, "help.mouse.paste_term", ROLE_KEY, "help.mouse.paste" },
};

/* One line of the help text: a scope heading, a key binding, a blank line, or a line of
 * an entry of refs (a heading, or a term with a piece of its explanation: the bytes
 * [off, off + len) of the translated text, wrapped to the width; the term on the first). */
struct line {
	enum { LINE_BLANK, LINE_SCOPE, LINE_ACTION, LINE_REF } kind;
	enum keymap_scope scope;
	enum keymap_action action;
	const struct ref *ref;
	bool more;		/* a continuation line of the entry: no term */
	size_t off, len;
};

struct view_help {
	struct view view;	/* first member */
	struct line *lines;	/* built again at each draw (width, language) */
	int nlines, cap;
	int top;		/* first line shown */
	int body_rows;		/* body height at the last draw; 0 before it */
};

static const struct view_hint hints[] = {
	{ ACTION_BACK, ACTION_NONE, "help.hint_close" },
	{ ACTION_MOVE_DOWN, ACTION_MOVE_UP, "help.hint_scroll" },
	{ ACTION_PAGE_DOWN, ACTION_PAGE_UP, "help.hint_page" },
};

static struct line *
add(struct view_help *h, int kind, enum keymap_scope s, enum keymap_action a)
{
	struct line *l;

	if (h->nlines == h->cap) {
		h->cap = h->cap > 0 ? 2 * h->cap : 128;
		h->lines = xreallocarray(h->lines, (size_t)h->cap, sizeof *h->lines);
	}
	l = &h->lines[h->nlines++];
	memset(l, 0, sizeof *l);
	l->kind = kind;
	l->scope = s;
	l->action = a;
	return l;
}

/* The lines of entry r, its explanation wrapped to width columns: a Latin word that does
 * not fit goes to the next line whole (from the last space in the second half of the
 * line); elsewhere, as in Chinese, the line breaks where the width ends. */
static void
add_ref(struct view_help *h, const struct ref *r, int width)
{
	const char *t = i18n_tr(r->text);
	size_t len = strlen(t), off = 0, n, sp;
	struct line *l;
	bool first = true;

	do {
		n = width > 0 ? text_fit(t + off, width, NULL) : len - off;
		if (n == 0)
			n = len - off;	/* not even one character fits: let it be cut */
		/* Only a Latin word is kept whole: Chinese breaks between any characters. */
		if (off + n < len && t[off + n] != ' ' && !((unsigned char)t[off + n] & 0x80)) {
			for (sp = n; sp > n / 2 && t[off + sp] != ' '; sp--)
				;
			if (sp > n / 2)
				n = sp;
		}
		l = add(h, LINE_REF, SCOPE_GLOBAL, ACTION_NONE);
		l->ref = r;
		l->more = !first;
		l->off = off;
		l->len = n;
		off += n;
		while (t[off] == ' ')
			off++;
		first = false;
	} while (off < len);
}

/* The lines for a text column of width columns. */
static void
build(struct view_help *h, int width)
{
	const enum keymap_scope *order;
	int i, a, n = keymap_scope_order(&order);
	bool any;
	size_t r;

	h->nlines = 0;
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
	for (r = 0; r < ARRAY_LEN(refs); r++) {
		if (refs[r].head != NULL) {
			add(h, LINE_BLANK, SCOPE_GLOBAL, ACTION_NONE);
			add(h, LINE_REF, SCOPE_GLOBAL, ACTION_NONE)->ref = &refs[r];
		} else
			add_ref(h, &refs[r], width);
	}
}

static const char *
ref_term(const struct ref *r)
{
	return r->term != NULL ? r->term : i18n_tr(r->term_key);
}

static int
max_top(const struct view_help *h)
{
	return h->nlines > h->body_rows ? h->nlines - h->body_rows : 0;
}

/* Width of the widest key list or term, for the key column. */
static int
key_column(void)
{
	char keys[64];
	int a, w, col = 0;
	size_t r;

	for (a = 1; a < ACTION_COUNT; a++) {
		keymap_action_keys_text((enum keymap_action)a, keys, sizeof keys);
		w = text_width(keys);
		col = w > col ? w : col;
	}
	for (r = 0; r < ARRAY_LEN(refs); r++) {
		if (refs[r].head != NULL)
			continue;
		w = text_width(ref_term(&refs[r]));
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
	case LINE_REF:
		if (l->ref->head != NULL) {
			vscreen_put_ellipsis(vs, 1, y, ROLE_HEADER, 0, i18n_tr(l->ref->head),
			    cols - 2);
			break;
		}
		if (!l->more)
			vscreen_put(vs, 3, y, l->ref->role, 0, ref_term(l->ref), keycol);
		x = 3 + keycol + 2;
		if (x < cols - 1) {
			char *piece = xstrndup(i18n_tr(l->ref->text) + l->off, l->len);

			vscreen_put_ellipsis(vs, x, y, ROLE_NORMAL, 0, piece, cols - 1 - x);
			free(piece);
		}
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
	build(h, cols - 1 - (3 + keycol + 2));
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
	struct view_help *h = (struct view_help *)v;

	free(h->lines);
	free(h);
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
	build(h, 80 - 1 - (3 + key_column() + 2));	/* until the first draw knows the width */
	return &h->view;
}
