/* board.h: the ticket board's model: which tickets show, in what order, and which one is
 * selected. Pure: no curses, no sockets; time is passed in.
 *
 * The selection is a ticket id, not a row: when rows move under live updates, the cursor
 * stays on the same ticket. If that ticket leaves the board (filtered out), the cursor stays
 * at the same row position.
 *
 * Filter syntax (the `/` prompt): words separated by spaces, all of which must match.
 * `state:NAME` (or `open`, `closed`), `region:ID`, `fault:NAME`, `truck:ID` match that field
 * (prefix, case-insensitive); a word of 4 or more digits also matches the caller's phone
 * number; any other word must appear (case-insensitive for ASCII) in the id, customer,
 * plate, vehicle model, address, landmark, truck, fault or region.
 *
 * Ownership: rows point at tickets owned by the caller (the replica); they are valid until
 * the caller's next change of its tables, so rebuild after every change. */
#ifndef RD_BOARD_H
#define RD_BOARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "data.h"
#include "proto.h"

#define BOARD_SORTS(X)                   \
	X(URGENCY, "urgency")            \
	X(AGE, "age")                    \
	X(ID, "id")                      \
	X(REGION, "region")              \
	X(STATE, "state")

enum board_sort {
#define X(e, s) BOARD_SORT_##e,
	BOARD_SORTS(X)
#undef X
	BOARD_SORT_COUNT
};

#define BOARD_FILTER_MAX 128

struct board {
	const struct proto_ticket **rows;
	size_t n, cap;
	enum board_sort sort;
	char filter[BOARD_FILTER_MAX + 1];
	int64_t selected; /* ticket id; 0: none */
	size_t sel_index; /* row of the selection after the last rebuild */
	size_t top;       /* first row shown */
	size_t total;     /* tickets before filtering */
	const struct data_sla *sla; /* thresholds for urgency, borrowed; NULL: shipped ones */
};

/* Warning level of a ticket for urgency: 0 none, 1 amber, 2 red. */
typedef int (*board_warn_fn)(void *ctx, int64_t ticket_id);

void board_init(struct board *b);
void board_finish(struct board *b);
const char *board_sort_name(enum board_sort s);

/* Filter, sort and restore the selection. */
void board_rebuild(struct board *b, const struct proto_ticket *const *all, size_t n,
    int64_t now, board_warn_fn warn, void *ctx);
/* Set the filter text (copied, truncated). Returns NULL if fine, else a static reason
 * (e.g. unknown state name), in which case the filter is unchanged. */
const char *board_set_filter(struct board *b, const char *text);
bool board_match(const char *filter, const struct proto_ticket *t);

/* Move the selection by delta rows (clamped), or to the first/last row. */
void board_move(struct board *b, long delta);
void board_home(struct board *b);
void board_end(struct board *b);
/* Make the selection visible in a window of `visible` rows. */
void board_scroll(struct board *b, size_t visible);
const struct proto_ticket *board_selected(const struct board *b);

/* Urgency score: higher is more urgent. Open tickets come before closed ones; among open
 * ones not yet on scene, late (overdue or a red warning) before at risk (the standing of
 * src/model/monitor.h, or an amber warning) before on time, whatever the flags; within a
 * level the least slack before the promise (by ETA when known); only then, being new and
 * the priority flags break ties. sla NULL: the shipped thresholds. */
int64_t board_urgency(const struct proto_ticket *t, const struct data_sla *sla, int64_t now,
    int warn_level);

#endif
