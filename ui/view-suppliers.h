/* view-suppliers.h: the suppliers' board (key P), the scorecard an insurer admits and drops
 * partners by: one row per supplier with the broker's figures of today (stats.board,
 * PROTOCOL.md 7.33; asked again every BOARDS_POLL_MS): trucks on duty, free and busy now;
 * offers, acceptance, declines, time-outs, median time to accept, late arrivals, mean
 * response, complaints. Sorted by any column (s or > the next, < the previous; the
 * supplier column A to Z by the name shown, strcoll, the others largest first, then by
 * name). Enter lists the supplier's trucks
 * from the live truck table with their status and job; Enter on a truck with a job opens
 * that ticket's detail; q goes back to the board.
 *
 * Ownership: the view is the view stack's; it owns the figures it fetched. */
#ifndef RD_VIEW_SUPPLIERS_H
#define RD_VIEW_SUPPLIERS_H

#include "view.h"

struct model;
struct proto_reply;

/* The board's columns, in order (sortable by each). */
enum view_suppliers_col {
	VSUP_NAME, VSUP_TRUCKS, VSUP_FREE, VSUP_BUSY, VSUP_OFFERS, VSUP_ACCEPT_PCT,
	VSUP_DECLINES, VSUP_TIMEOUTS, VSUP_ACCEPT_MEDIAN, VSUP_LATE_PCT, VSUP_RESPONSE,
	VSUP_COMPLAINTS, VSUP_COL_COUNT
};

struct view *view_suppliers_create(struct model *m);
/* The sort column now (tests). */
enum view_suppliers_col view_suppliers_sort(const struct view *v);

#endif
