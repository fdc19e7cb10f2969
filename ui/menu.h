/* menu.h: a small choice menu (a boxed list with one selected item) for views: the state
 * menu of the detail view, the choice lists of the intake form.
 *
 * Keys (look them up in SCOPE_DIALOG or any scope whose chain reaches SCOPE_GLOBAL):
 * Up/Down, PgUp/PgDn (page_up/page_down), Home/End move the selection; open (Enter) picks;
 * Esc cancels; the digits 1-9 pick the n-th item directly.
 *
 * Type to search: every other printable character (Latin letters, and Chinese through the
 * input method, one code point a key) goes into a search text, and the list narrows to the
 * items whose label holds it (Latin letters ignoring case), the selection on the first of
 * them. While a search is on, digits and spaces are search text too, Backspace takes its
 * last character back (the selection stays) and Esc clears it (a second Esc cancels). The search is shown in the
 * box's bottom border. So letters bound elsewhere (j, k, g, G, q) are text in a menu.
 *
 * Ownership: struct menu is embedded by the caller (menu_init .. menu_finish); it keeps
 * its own copies of the labels. Pure: no curses, no clock. */
#ifndef RD_MENU_H
#define RD_MENU_H

#include <stddef.h>

#include "keymap.h"
#include "vscreen.h"

struct menu_item {
	char *label;		/* owned */
	char *note;		/* owned; shown dim after the label; may be NULL */
	int value;		/* the caller's */
};

struct menu {
	struct menu_item *items;
	size_t n, cap;
	size_t sel;		/* selected item (an index into items; always a shown one) */
	size_t top;		/* first shown item at the last draw (index among shown) */
	char query[64];		/* the search typed; "" shows every item */
};

enum menu_result {
	MENU_IGNORED = 0,	/* not a menu key */
	MENU_MOVED,		/* the selection moved (or a no-op menu key) */
	MENU_PICKED,		/* the selected item was chosen */
	MENU_CANCELLED		/* back/Esc */
};

void menu_init(struct menu *mn);
void menu_finish(struct menu *mn);
/* Remove every item and the search; the selection goes back to the first. */
void menu_clear(struct menu *mn);
/* Append an item (label and note are copied; note may be NULL). */
void menu_add(struct menu *mn, const char *label, const char *note, int value);
/* Select the first item with this value; returns whether there was one. */
int menu_select_value(struct menu *mn, int value);
/* The value of the selected item, or -1 when the menu is empty or nothing matches. */
int menu_value(const struct menu *mn);
/* How many items the search leaves shown (all of them without a search). */
size_t menu_shown(const struct menu *mn);

enum menu_result menu_key(struct menu *mn, const struct key *k, enum keymap_action a);

/* Columns the menu would like for its box (labels, notes, title, border). */
int menu_width(const struct menu *mn, const char *title);
/* Draw the menu as a box at (x, y), at most w x h cells (clipped to the screen): a border
 * with the title, then one shown item a row, the selection in ROLE_SELECTED, the search in
 * the bottom border. Parks the (hidden) cursor on the selected item. Scrolls to keep the
 * selection visible; a scroll mark in the right border tells that more items are above
 * (\u25b2) or below (\u25bc). */
void menu_draw(struct menu *mn, struct vscreen *vs, int x, int y, int w, int h,
    const char *title);

#endif
