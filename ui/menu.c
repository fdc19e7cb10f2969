/* menu.c: a boxed choice list (see menu.h). */
#include "menu.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"
#include "util.h"

void
menu_init(struct menu *mn)
{
	memset(mn, 0, sizeof *mn);
}

void
menu_clear(struct menu *mn)
{
	size_t i;

	for (i = 0; i < mn->n; i++) {
		free(mn->items[i].label);
		free(mn->items[i].note);
	}
	mn->n = 0;
	mn->sel = mn->top = 0;
	mn->query[0] = '\0';
}

void
menu_finish(struct menu *mn)
{
	menu_clear(mn);
	free(mn->items);
	memset(mn, 0, sizeof *mn);
}

void
menu_add(struct menu *mn, const char *label, const char *note, int value)
{
	struct menu_item *it;

	if (mn->n == mn->cap) {
		mn->cap = mn->cap ? mn->cap * 2 : 8;
		mn->items = xreallocarray(mn->items, mn->cap, sizeof *mn->items);
	}
	it = &mn->items[mn->n++];
	it->label = xstrdup(label != NULL ? label : "");
	it->note = note != NULL && note[0] != '\0' ? xstrdup(note) : NULL;
	it->value = value;
}

int
menu_select_value(struct menu *mn, int value)
{
	size_t i;

	for (i = 0; i < mn->n; i++) {
		if (mn->items[i].value == value) {
			mn->sel = i;
			return 1;
		}
	}
	return 0;
}

/* ASCII letters folded to lower case; every other byte as it is. */
static char
fold(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* Whether item i is shown: its label holds the search. The search starts on a character
 * boundary, so it can only match from one. */
static bool
shown(const struct menu *mn, size_t i)
{
	const char *hay = mn->items[i].label, *q = mn->query;
	size_t j;

	if (q[0] == '\0')
		return true;
	for (; *hay != '\0'; hay++) {
		for (j = 0; q[j] != '\0' && fold(hay[j]) == fold(q[j]); j++)
			;
		if (q[j] == '\0')
			return true;
	}
	return false;
}

size_t
menu_shown(const struct menu *mn)
{
	size_t i, c = 0;

	for (i = 0; i < mn->n; i++)
		c += shown(mn, i);
	return c;
}

/* The place of item i among the shown items (how many shown items come before it). */
static size_t
shown_pos(const struct menu *mn, size_t i)
{
	size_t j, c = 0;

	for (j = 0; j < i && j < mn->n; j++)
		c += shown(mn, j);
	return c;
}

/* The item at place pos among the shown ones, or mn->n. */
static size_t
nth_shown(const struct menu *mn, size_t pos)
{
	size_t i;

	for (i = 0; i < mn->n; i++)
		if (shown(mn, i) && pos-- == 0)
			return i;
	return mn->n;
}

int
menu_value(const struct menu *mn)
{
	return mn->n > 0 && mn->sel < mn->n && shown(mn, mn->sel) ?
	    mn->items[mn->sel].value : -1;
}

/* Move the selection delta places among the shown items, stopping at the ends. */
static void
move(struct menu *mn, long delta)
{
	long c = (long)menu_shown(mn), i;

	if (c == 0)
		return;
	i = shown(mn, mn->sel) ? (long)shown_pos(mn, mn->sel) + delta : 0;
	if (i < 0)
		i = 0;
	if (i >= c)
		i = c - 1;
	mn->sel = nth_shown(mn, (size_t)i);
}

/* The search changed: select the first item it shows (if any), scroll to the top. */
static enum menu_result
searched(struct menu *mn)
{
	size_t first = nth_shown(mn, 0);

	if (first < mn->n)
		mn->sel = first;
	mn->top = 0;
	return MENU_MOVED;
}

/* Take back the last character of the search, keeping the selection. */
static enum menu_result
search_back(struct menu *mn)
{
	size_t len = strlen(mn->query);

	while (len > 0 && ((unsigned char)mn->query[len - 1] & 0xc0) == 0x80)
		len--;
	if (len > 0)
		len--;
	mn->query[len] = '\0';
	if (mn->n > 0 && shown(mn, mn->sel))	/* widened: the selection stays */
		return MENU_MOVED;
	return searched(mn);
}

enum menu_result
menu_key(struct menu *mn, const struct key *k, enum keymap_action a)
{
	bool searching = mn->query[0] != '\0';

	if (k != NULL && keymap_key_printable(k) &&
	    (searching || !(k->code == ' ' || (k->code >= '0' && k->code <= '9')))) {
		char enc[4];
		size_t len = strlen(mn->query), n = text_encode((wchar_t)k->code, enc);

		if (len + n < sizeof mn->query) {
			memcpy(mn->query + len, enc, n);
			mn->query[len + n] = '\0';
		}
		return searched(mn);
	}
	if (searching && k != NULL && k->is_func && k->code == KEYSYM_BACKSPACE)
		return search_back(mn);
	switch (a) {
	case ACTION_MOVE_UP:
		move(mn, -1);
		return MENU_MOVED;
	case ACTION_MOVE_DOWN:
		move(mn, 1);
		return MENU_MOVED;
	case ACTION_PAGE_UP:
		move(mn, -8);
		return MENU_MOVED;
	case ACTION_PAGE_DOWN:
		move(mn, 8);
		return MENU_MOVED;
	case ACTION_HOME:
		move(mn, -(long)mn->n);
		return MENU_MOVED;
	case ACTION_END:
		move(mn, (long)mn->n);
		return MENU_MOVED;
	case ACTION_OPEN:
		return mn->n > 0 && shown(mn, mn->sel) ? MENU_PICKED : MENU_MOVED;
	case ACTION_BACK:
		if (searching) {
			mn->query[0] = '\0';
			return MENU_MOVED;
		}
		return MENU_CANCELLED;
	default:
		break;
	}
	if (k != NULL && !k->is_func && k->code >= '1' && k->code <= '9' &&
	    (size_t)(k->code - '1') < mn->n) {
		mn->sel = (size_t)(k->code - '1');
		return MENU_PICKED;
	}
	return MENU_IGNORED;
}

/* "1 " .. "9 " before the first nine items, so they can be picked by number. */
static int
prefix_cols(const struct menu *mn)
{
	return mn->n > 1 ? 2 : 0;
}

int
menu_width(const struct menu *mn, const char *title)
{
	size_t i;
	int w, best = text_width(title) + 4;

	for (i = 0; i < mn->n; i++) {
		w = text_width(mn->items[i].label) + prefix_cols(mn);
		if (mn->items[i].note != NULL)
			w += 2 + text_width(mn->items[i].note);
		if (w + 4 > best)
			best = w + 4;
	}
	return best;
}

void
menu_draw(struct menu *mn, struct vscreen *vs, int x, int y, int w, int h,
    const char *title)
{
	int rows, r, lw, px = prefix_cols(mn), inner;
	size_t i, nshown = menu_shown(mn), selpos;
	char num[4], q[sizeof mn->query + 4];
	enum theme_role role;

	if (w < 6 || h < 3)
		return;
	rows = h - 2;
	if ((int)nshown < rows)
		rows = nshown > 0 ? (int)nshown : 1;
	h = rows + 2;
	inner = w - 4;
	selpos = nshown > 0 && shown(mn, mn->sel) ? shown_pos(mn, mn->sel) : 0;
	if (mn->top > selpos || mn->top >= nshown)
		mn->top = selpos;
	if (selpos >= mn->top + (size_t)rows)
		mn->top = selpos - (size_t)rows + 1;

	/* Border: ┌─ title ─┐ │ … │ └───┘ */
	vscreen_fill(vs, x, y, w, h, ROLE_DIALOG, 0, L' ');
	vscreen_fill(vs, x + 1, y, w - 2, 1, ROLE_BORDER, 0, L'\x2500');
	vscreen_fill(vs, x + 1, y + h - 1, w - 2, 1, ROLE_BORDER, 0, L'\x2500');
	vscreen_fill(vs, x, y, 1, h, ROLE_BORDER, 0, L'\x2502');
	vscreen_fill(vs, x + w - 1, y, 1, h, ROLE_BORDER, 0, L'\x2502');
	vscreen_put(vs, x, y, ROLE_BORDER, 0, "\xe2\x94\x8c", 1);
	vscreen_put(vs, x + w - 1, y, ROLE_BORDER, 0, "\xe2\x94\x90", 1);
	vscreen_put(vs, x, y + h - 1, ROLE_BORDER, 0, "\xe2\x94\x94", 1);
	vscreen_put(vs, x + w - 1, y + h - 1, ROLE_BORDER, 0, "\xe2\x94\x98", 1);
	if (title != NULL && title[0] != '\0') {
		vscreen_put(vs, x + 2, y, ROLE_HEADER, 0, " ", 1);
		lw = vscreen_put_ellipsis(vs, x + 3, y, ROLE_HEADER, 0, title, w - 6);
		vscreen_put(vs, x + 3 + lw, y, ROLE_HEADER, 0, " ", 1);
	}
	if (mn->query[0] != '\0') {	/* the search, in the bottom border */
		snprintf(q, sizeof q, " /%s ", mn->query);
		vscreen_put_ellipsis(vs, x + 2, y + h - 1, ROLE_HEADER, 0, q, w - 4);
	}
	/* More items than rows: marks in the right border. */
	if (mn->top > 0)
		vscreen_put(vs, x + w - 1, y + 1, ROLE_BORDER, 0, "\xe2\x96\xb2", 1);
	if (mn->top + (size_t)rows < nshown)
		vscreen_put(vs, x + w - 1, y + h - 2, ROLE_BORDER, 0, "\xe2\x96\xbc", 1);
	for (r = 0; r < rows; r++) {
		i = nth_shown(mn, mn->top + (size_t)r);
		if (i >= mn->n)
			break;
		role = i == mn->sel ? ROLE_SELECTED : ROLE_DIALOG;
		vscreen_fill(vs, x + 1, y + 1 + r, w - 2, 1, role, 0, L' ');
		if (px > 0 && i < 9 && mn->query[0] == '\0') {
			num[0] = (char)('1' + i);
			num[1] = '\0';
			vscreen_put(vs, x + 2, y + 1 + r, role, THEME_DIM, num, 1);
		}
		lw = vscreen_put_ellipsis(vs, x + 2 + px, y + 1 + r, role, 0,
		    mn->items[i].label, inner - px);
		if (mn->items[i].note != NULL && px + lw + 2 < inner)
			vscreen_put_ellipsis(vs, x + 2 + px + lw + 2, y + 1 + r, role,
			    THEME_DIM, mn->items[i].note, inner - px - lw - 2);
	}
	if (nshown == 0)
		vscreen_put(vs, x + 2, y + 1, ROLE_DIALOG, THEME_DIM, "-", 1);
	vscreen_set_cursor(vs, x + 1, y + 1 + (int)(selpos - mn->top), false);
}
