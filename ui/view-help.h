/* view-help.h: the help view: every key of the key table, grouped by scope, then what the
 * screen shows: the board filter's syntax, the board's columns, the colours and marks
 * (each shown in its own colour) and the mouse; scrollable.
 *
 * Texts come from the message catalogs (i18n_tr) at draw time, so a language switch needs no
 * new view. Keys: movement and paging scroll, q/Esc (BACK) and ?/F1 (HELP) close it; other
 * actions are not handled (UI_HANDLED clear) and are left to the caller. */
#ifndef RD_VIEW_HELP_H
#define RD_VIEW_HELP_H

#include "view.h"

/* A new help view scrolled to the top, scope SCOPE_GLOBAL. Destroy with view_destroy(). */
struct view *view_help_create(void);

#endif
