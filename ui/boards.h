/* boards.h: what the supervisors' boards (view-suppliers.c, view-agents.c) and the trends
 * of the supervisor's screen (view-kpi.c) show: the broker's last stats.board answer
 * (PROTOCOL.md 7.33), asked again every BOARDS_POLL_MS of wall time, and the header counts
 * the supervisor's screen takes from the model: calls waiting for an agent to dispatch,
 * escalated warnings and tickets, regions short of trucks or numbers; and the sortable
 * board view both boards are (boards_view_create, below), each given by a struct
 * boards_def.
 *
 * The figures are the broker's (the tally fold of src/model/tally.c); the shares shown are
 * made here with the same tally_share, so a screen and a report agree.
 *
 * Ownership: struct boards is embedded in the view that shows it, which passes itself as
 * the owner of the request (the view stack forgets it when the view closes); it owns its
 * arrays (boards_finish frees them). */
#ifndef RD_BOARDS_H
#define RD_BOARDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proto.h"

struct model;

#define BOARDS_POLL_MS 15000	/* stats.board again after this long (wall time) */

struct boards {
	bool held, loading;
	bool away;		/* the connection was not live at a poll: ask again at once
				   when it is (a restarted broker's figures, not the old ones) */
	int64_t asked;		/* broker time of the last ask; 0 never */
	char failed[200];	/* the last failure in words; "" none */
	struct proto_board head;
	struct proto_board_supplier *sup;
	size_t n_sup;
	struct proto_board_agent *ag;
	size_t n_ag;
	struct proto_board_hour *hours;
	size_t n_hours;
};

/* Ask for today's boards when none is in flight and the last ask is BOARDS_POLL_MS of
 * wall time old (or never made), or at once when the connection is live again after it
 * was not; nothing while it is not live. owner is the view that shows them. */
void boards_poll(struct boards *b, struct model *m, const void *owner);
/* The boards' title's right part into out: "since 00:00" (the start of the figures, the
 * broker's midnight), and when the figures held may be old (the connection is not live,
 * or the last ask failed) " · as of 14:05", the broker's time of the answer held; ""
 * when nothing is held. */
void boards_title(const struct boards *b, const struct model *m, char *out, size_t outsz);
/* Take a reply as if it had come (tests, and the request's callback). */
void boards_take(struct boards *b, const struct proto_reply *r);
void boards_finish(struct boards *b);

/* The header counts of the supervisor's screen, from the model. */
struct boards_counts {
	size_t manual;		/* open tickets `new` in a region without automatic dispatch */
	size_t escalated;	/* warnings escalated unowned, tickets escalated by hand */
	size_t capacity;	/* active region warnings (capacity: trucks or numbers) */
};
void boards_counts(const struct model *m, struct boards_counts *out);

/* The supervisor's screen's title counts into out: "manual N · escalated N · capacity N",
 * then, when wide, "· tickets held N" (the tickets the console holds), in the catalog's
 * words. Below BOARDS_HEADER_WIDE columns the screen's title is the short one and the
 * held count is left out, so the counts fit 80 columns. */
#define BOARDS_HEADER_WIDE 120
void boards_header(const struct model *m, char *out, size_t outsz, bool wide, size_t held);

/* The trends from line y on: two lines, calls per hour and mean response per hour of today
 * (from midnight, China time) beside the same hours of the same weekday a week earlier, as
 * sparklines on one scale per line (spark.h; ASCII when the console's glyphs are); when
 * cols is too narrow for every hour of both, both show the same last hours. Nothing held
 * yet: one line saying so. Returns the next line. */
struct vscreen;
int boards_draw_trends(struct vscreen *vs, int y, int cols, const struct boards *b);

/* ---------------------------------------------------------------- a sortable board
 *
 * The view the suppliers' board (view-suppliers.c, P) and the agents' board
 * (view-agents.c, W) both are: one row per entry of the figures held, a name column then
 * figures right-aligned, sorted by any column (s or > the next, < the previous; the name
 * column by the def's order of names, the others largest first, then by name), the
 * selection following its row's id across refreshes; Enter lists the selected row's items
 * from the live model (a supplier's trucks, an agent's open tickets), Enter on an item
 * does what the def says, q goes back to the board and from the board closes it. The
 * figures are polled as boards_poll says. A def says only what differs between boards:
 * which rows, their columns, cells and order, and the list Enter opens.
 *
 * Ownership: the def is borrowed for the view's life (a static table); the view is the
 * view stack's. Rows and items are the figures' and the model's, borrowed while drawn. */
struct view;

#define BOARDS_CELL 32		/* a figure's cell, bytes */
#define BOARDS_COLS_MAX 16	/* columns of a board at the most */
#define BOARDS_WIDE_COLS 120	/* from this many columns the name column is name_wide */

struct boards_col {
	const char *head;	/* catalog key */
	int width;
};

/* A column of the list Enter opens: its head from x, width w, right-aligned or not. */
struct boards_list_col {
	const char *head;	/* catalog key */
	int x, width;
	bool right;
};

struct boards_def {
	const char *name;	/* the view's name, for logs */
	const char *title, *section, *none, *hint_open;	/* catalog keys: the title, the
				   board's section head, no rows, the board's Enter hint */
	const struct boards_col *cols;	/* cols[0] the name column, left-aligned */
	int n_cols;		/* at most BOARDS_COLS_MAX */
	int name_wide;		/* the name column's width from BOARDS_WIDE_COLS; 0 the same */
	/* The rows held: the array (NULL when none), *n of them, each *size bytes. */
	const void *(*rows)(const struct boards *b, size_t *n, size_t *size);
	const char *(*id)(const void *row);	/* what the selection follows (< 33 bytes) */
	const char *(*label)(const struct model *m, const char *id);	/* what is shown */
	int (*cmp_names)(const struct model *m, const void *a, const void *b);
	int64_t (*sort_value)(const void *row, int col);	/* col > 0; absent lowest */
	/* The figures' cells (cell[0], the name's, is not used); warn[k] true draws column
	 * k in the warning colour (a cell "-" is dim). */
	void (*cells)(const void *row, char (*cell)[BOARDS_CELL], bool *warn);
	/* the list Enter opens for a row id */
	const char *list_section, *list_none, *list_hint_open;	/* catalog keys */
	const struct boards_list_col *list_cols;
	int n_list_cols;
	const void **(*items)(const struct model *m, const char *id, size_t *n);	/* caller
				   frees the array */
	void (*item_row)(struct vscreen *vs, int y, const struct model *m, const void *item);
	/* Enter on an item (NULL: the list is empty); returns the reaction. */
	unsigned (*item_open)(struct view *v, struct model *m, const void *item);
};

/* A board view over def (asks for the figures at once). */
struct view *boards_view_create(struct model *m, const struct boards_def *def);
/* The sort column now, an index into def->cols (tests). */
int boards_view_sort(const struct view *v);

/* A share as a whole percent ("87%"), "-" when den is 0. */
void boards_fmt_pct(int64_t num, int64_t den, char *out, size_t outsz);
/* Seconds as "45s" under two minutes, else as model_fmt_minutes; absent: "-". */
void boards_fmt_secs(bool has, int64_t s, char *out, size_t outsz);

#endif
