/* view-agents.h: the agents' board (key W): one row per agent with the broker's figures of
 * today (stats.board, PROTOCOL.md 7.33; asked again every BOARDS_POLL_MS): calls taken,
 * open tickets taken and not closed now, active warnings owned now, warnings acknowledged
 * today and the share acknowledged in time. Sorted by any column like the suppliers' board
 * (s or > the next, < the previous; the agent column A to Z, the others largest first).
 * Enter lists the agent's open tickets from the live model (the calls it took that are
 * not closed, oldest first); Enter on one opens its detail; q goes back to the board.
 *
 * Ownership: the view is the view stack's; it owns the figures it fetched. */
#ifndef RD_VIEW_AGENTS_H
#define RD_VIEW_AGENTS_H

#include "view.h"

struct model;

enum view_agents_col {
	VAG_USER, VAG_CALLS, VAG_OPEN, VAG_OWNED, VAG_ACKED, VAG_IN_TIME, VAG_COL_COUNT
};

struct view *view_agents_create(struct model *m);
enum view_agents_col view_agents_sort(const struct view *v);

#endif
