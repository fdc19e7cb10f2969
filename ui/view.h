/* view.h: the interface every screen of the console implements, plus shared drawing
 * helpers (title bar, key-hint bar, the "terminal too small" screen).
 *
 * A view draws the model into a vscreen and turns actions into reaction flags; it never
 * calls curses and never decides when to redraw. The main loop does:
 *
 *     a = keymap_lookup(v->scope, &k);
 *     r = view_key(v, model, &k, a);
 *     if (r & UI_OPEN) ...create the view v->open asks for and push it...
 *     if (!(r & UI_HANDLED)) ...global handling (help, quit)...
 *     if (r & UI_CLOSE) ...pop and destroy the view...
 *     ...then once per loop turn, if anything is dirty: view_draw() + term_blit().
 *
 * struct model is the client's state (tickets, connection state); it is defined by the
 * client, views only get pointers to it. Ownership: a view is created by its module's
 * *_create() function and owned by whoever holds it (the view stack); view_destroy()
 * frees it. Views keep no pointer to the model between calls.
 *
 * Views never include each other: a view that wants another one opened on top of it (the
 * board opening a ticket's detail) says which in v->open and returns UI_OPEN
 * (view_want()); the view stack (viewstack.h) creates it. */
#ifndef RD_VIEW_H
#define RD_VIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "keymap.h"
#include "theme.h"
#include "vscreen.h"

struct model;
struct view;

/* Reaction flags returned by view key handlers. */
enum view_reaction {
	UI_NONE = 0,
	UI_HANDLED = 1 << 0,	/* the view used the key; otherwise the caller may */
	UI_REDRAW = 1 << 1,	/* the view's content changed: draw again */
	UI_RELAYOUT = 1 << 2,	/* sizes changed: resize, then draw everything */
	UI_CLOSE = 1 << 3,	/* pop this view (the caller destroys it) */
	UI_QUIT = 1 << 4,	/* leave the program (after any confirmation) */
	UI_OPEN = 1 << 5	/* open the view v->open names on top of this one */
};

/* The views one view may ask to open (viewstack.c knows how to create each). */
enum view_kind {
	VIEW_NONE,
	VIEW_BOARD,		/* the ticket board (view-board.h) */
	VIEW_DETAIL,		/* one ticket: ticket, action (view-detail.h) */
	VIEW_INTAKE,		/* the intake form (view-intake.h); with a ticket: its edit */
	VIEW_KPI,		/* the supervisor's screen (view-kpi.h) */
	VIEW_HELP,		/* the key table (view-help.h) */
	VIEW_DIAG_QUEUE,	/* the diagnosis queue (view-diag-queue.h) */
	VIEW_FLOW,		/* one ticket's diagnosis: ticket, action (view-flow.h) */
	VIEW_SEARCH,		/* the history search (view-search.h) */
	VIEW_COMPLAINT,		/* a complaint (view-complaint.h): complaint, else a new one
				   filled from ticket (0: none) */
	VIEW_COMPLAINTS,	/* the list of complaints (view-complaints.h) */
	VIEW_TELL,		/* tell the customer of ticket (view-tell.h) */
	VIEW_ESCALATE,		/* escalate a ticket by hand: ticket (view-escalate.h) */
	VIEW_MAP,		/* the live map, centred on ticket if not 0 (view-map.h) */
	VIEW_SUPPLIERS,		/* the suppliers' board (view-suppliers.h) */
	VIEW_AGENTS,		/* the agents' board (view-agents.h) */
	VIEW_SURVEYS,		/* today's surveys and call-backs (view-surveys.h) */
};

/* What to open: a kind, and for a ticket's view the ticket and the action to begin with
 * (ACTION_NONE or ACTION_OPEN: none). */
struct view_open {
	enum view_kind kind;
	int64_t ticket;
	enum keymap_action action;
	int64_t complaint;	/* VIEW_COMPLAINT: the local id of the complaint to open, 0 a
				   new one (set it before view_want) */
};

struct view_ops {
	const char *name;	/* for logs: "help", "board", ... */
	/* Draw the whole screen (every cell: the vscreen is not cleared for you). */
	void (*draw)(struct view *v, const struct model *m, struct vscreen *vs,
	    const struct theme *t);
	/* Handle one key: a is keymap_lookup(v->scope, k) (ACTION_NONE for text or unbound
	 * keys; k lets text-entry views insert characters). Returns enum view_reaction bits. */
	unsigned (*key)(struct view *v, struct model *m, const struct key *k,
	    enum keymap_action a);
	/* Free the view (the struct view is embedded in it). */
	void (*destroy)(struct view *v);
	/* May be NULL. The model's data changed (a refresh): the view on top may ask for
	 * what it shows again (the detail view fetches the history of a ticket that moved). */
	void (*refresh)(struct view *v, struct model *m);
};

/* Embed as the first member of a view's own struct. */
struct view {
	const struct view_ops *ops;
	enum keymap_scope scope;	/* where keys are looked up now; the view may change it */
	struct view_open open;		/* with UI_OPEN: what to open; the stack clears it */
};

static inline void
view_draw(struct view *v, const struct model *m, struct vscreen *vs, const struct theme *t)
{
	v->ops->draw(v, m, vs, t);
}

static inline unsigned
view_key(struct view *v, struct model *m, const struct key *k, enum keymap_action a)
{
	return v->ops->key(v, m, k, a);
}

static inline void
view_refresh(struct view *v, struct model *m)
{
	if (v->ops->refresh != NULL)
		v->ops->refresh(v, m);
}

/* For a key handler: ask for a view of kind on top (ticket and action for VIEW_DETAIL);
 * returns the reaction to return. */
static inline unsigned
view_want(struct view *v, enum view_kind kind, int64_t ticket, enum keymap_action a)
{
	v->open.kind = kind;
	v->open.ticket = ticket;
	v->open.action = a;
	return UI_HANDLED | UI_REDRAW | UI_OPEN;
}

/* Destroy a view; NULL is fine. */
static inline void
view_destroy(struct view *v)
{
	if (v != NULL)
		v->ops->destroy(v);
}

/* The smallest terminal the views are laid out for. */
#define VIEW_MIN_COLS 80
#define VIEW_MIN_ROWS 24

/* true if a cols x rows terminal is below VIEW_MIN_COLS x VIEW_MIN_ROWS. */
bool view_too_small(int cols, int rows);
/* Draw the "terminal too small" screen over the whole vscreen (any size, even 1x1): what
 * is needed, the current size, and how to leave (Q). Uses i18n_tr(). */
void view_draw_too_small(struct vscreen *vs);

/* Draw row y as a title bar: title on the left, right (may be NULL) right-aligned; the
 * title is cut with an ellipsis if both do not fit. */
void view_draw_title(struct vscreen *vs, int y, const char *title, const char *right);

/* One item of a key-hint bar: the first key of a (and of b, if not ACTION_NONE, joined
 * with "/") then the translated label (a catalog key). */
struct view_hint {
	enum keymap_action a, b;
	const char *label;
};

/* A hint's keys as the bar shows them, "j" or "j/k": the first key of a and of b. */
void view_hint_keys(const struct view_hint *h, char *buf, size_t sz);
/* Draw row y as a key-hint bar from n hints; items that do not fit are left out whole. */
void view_draw_hints(struct vscreen *vs, int y, const struct view_hint *hints, int n);

/* A list selection that follows its ticket across refreshes: *sel becomes the row of
 * ticket *sel_id if it is still in the list, else the same row clamped to the list, and
 * *sel_id that row's ticket (0 and 0 for an empty list). */
struct proto_ticket;
void view_sel_follow(const struct proto_ticket *const *list, size_t n, size_t *sel,
    int64_t *sel_id);
/* Move a list selection by the movement action a (up, down, page up and down by page rows,
 * home, end) over a list of n rows; the caller clamps (view_sel_follow). Returns false
 * for any other action, leaving *sel as it was. */
bool view_sel_move(size_t *sel, size_t n, size_t page, enum keymap_action a);
/* A scrolling list of n rows on lines [y, y1) of vs: *top is kept so that row sel shows,
 * draw(ctx, vs, line, i) draws row i on a line, the selected row is painted selected, and
 * an empty list shows the text empty centred (in empty_role). Returns the selection's
 * line, or -1 when no row is selected. */
int view_draw_list(struct vscreen *vs, int y, int y1, size_t n, size_t sel, size_t *top,
    const char *empty, enum theme_role empty_role,
    void (*draw)(void *ctx, struct vscreen *vs, int line, size_t i), void *ctx);
/* The same list with options (view_draw_list is this with both false):
 * keep_mark: the selection bar leaves the first cell its role when it is a warning mark
 * (ROLE_LATE, ROLE_WARN), so the selected row keeps its urgency visible;
 * no_sel: no row is painted selected (a prompt has the focus), the list still scrolls to
 * sel; empty may be NULL when the caller draws the empty list itself. */
struct view_list {
	int y, y1;		/* the lines [y, y1) */
	size_t n, sel;
	size_t *top;		/* kept so that sel shows */
	bool keep_mark, no_sel;
	const char *empty;
	enum theme_role empty_role;
	void (*draw)(void *ctx, struct vscreen *vs, int line, size_t i);
	void *ctx;
};
int view_list_draw(struct vscreen *vs, const struct view_list *l);

#endif
