/* view-board.h: the ticket board, the console's home screen.
 *
 * One row a ticket, in the board's order (board.h: filter, sort, selection that follows
 * the ticket), with columns that adapt to the width: id, age, state, customer, masked
 * phone, place, fault, truck, ETA and the countdown to the promised arrival (amber within
 * ten minutes or on an amber warning, red when late or on a red warning), region. Below
 * 120 columns the less important columns go first (region, phone, age). Around it the
 * shared frame (chrome.h): title with the filter, sort, counts and clock; the STALE banner;
 * status and message lines.
 *
 * Keys (SCOPE_BOARD): movement and paging move the selection; / opens the filter prompt
 * (SCOPE_FORM while open: Enter applies with board_set_filter, Esc cancels); s cycles the
 * sort; Enter opens the ticket's detail view, n the intake form, and the ticket actions (a,
 * S, c, A) open the detail view with that action started, K the supervisor's screen, F
 * the history search (view-search.h): the
 * view asks for them with UI_OPEN (view_want, view.h) for the view stack to open. Help, quit and redraw are left to the
 * caller (UI_HANDLED clear).
 *
 * Marks: the first column shows THEME_MARK_RED on a ticket with a red warning and
 * THEME_MARK_AMBER on an amber one, in the urgency colour, also on the selected row (the
 * selection bar starts after the mark). The header's first cell is the scroll mark: rows
 * hidden above (an up arrow), below (down) or both.
 *
 * The view changes the model only through the board_* functions on model->board
 * and model_refresh() (after a new filter or sort). */
#ifndef RD_VIEW_BOARD_H
#define RD_VIEW_BOARD_H

#include <stdbool.h>

#include "view.h"

/* A new board view, scope SCOPE_BOARD. Destroy with view_destroy(). */
struct view *view_board_create(void);
/* Whether v is a board view. */
bool view_board_is(const struct view *v);
/* A mouse click on cell (x, y) of the last frame drawn: on a ticket's row it selects that
 * ticket (UI_HANDLED | UI_REDRAW); anywhere else, or with the filter prompt open, it does
 * nothing (UI_NONE). */
unsigned view_board_click(struct view *v, struct model *m, int x, int y);

#endif
