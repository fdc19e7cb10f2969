/* menu.c: a boxed choice list (see menu.h). */
#include "menu.h"

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

int
menu_value(const struct menu *mn)
{
	return mn->n > 0 ? mn->items[mn->sel].value : -1;
}

static void
move(struct menu *mn, long delta)
{
	long i = (long)mn->sel + delta;

	if (mn->n == 0)
		return;
	if (i < 0)
		i = 0;
	if (i >= (long)mn->n)
		i = (long)mn->n - 1;
	mn->sel = (size_t)i;
}

enum menu_result
menu_key(struct menu *mn, const struct key *k, enum keymap_action a)
{
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
		return mn->n > 0 ? MENU_PICKED : MENU_MOVED;
	case ACTION_BACK:
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
	size_t i;
	char num[4];
	enum theme_role role;

	if (w < 6 || h < 3)
		return;
	rows = h - 2;
	if ((int)mn->n < rows)
		rows = (int)mn->n > 0 ? (int)mn->n : 1;
	h = rows + 2;
	inner = w - 4;
	if (mn->sel < mn->top)
		mn->top = mn->sel;
	if (mn->sel >= mn->top + (size_t)rows)
		mn->top = mn->sel - (size_t)rows + 1;

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
	for (r = 0; r < rows; r++) {
		i = mn->top + (size_t)r;
		if (i >= mn->n)
			break;
		role = i == mn->sel ? ROLE_SELECTED : ROLE_DIALOG;
		vscreen_fill(vs, x + 1, y + 1 + r, w - 2, 1, role, 0, L' ');
		if (px > 0 && i < 9) {
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
	if (mn->n == 0)
		vscreen_put(vs, x + 2, y + 1, ROLE_DIALOG, THEME_DIM, "-", 1);
	vscreen_set_cursor(vs, x + 1, y + 1 + (int)(mn->sel - mn->top), false);
}
