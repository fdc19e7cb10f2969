/* board.h: the ticket board's model: which tickets show, in what order, and which one is
 * selected. Pure: no curses, no sockets; time is passed in.
 *
 * The selection is a ticket id, not a row: when rows move under live updates, the cursor
 * stays on the same ticket. If that ticket leaves the board (filtered out), the cursor stays
 * at the same row position.
 *
 * Filter syntax (the `/` prompt): words separated by spaces, all of which must match.
 * `state:NAME` (or `open`, `closed`), `region:ID`, `fault:NAME`, `truck:ID` match that field
 * (prefix, case-insensitive), where the state, fault and region may also be given as the
 * label the screen shows (board_lookup.label: `state:在途`, `region:长沙`); `#59` and
 * `id:59` match that ticket alone; `is:late`, `is:risk` (amber: at risk, not yet late),
 * `is:warn` (an active warning), `is:waiting` (a new ticket waiting for an agent's choice
 * of truck) and `is:mine` (taken by this console's user) match what board_lookup.is says; a word of 4 or more digits also matches the
 * caller's phone number; any other word must appear (case-insensitive for ASCII) in the id,
 * customer, plate, vehicle model, address, landmark, truck, fault, region, or the displayed
 * labels of state, fault and region (`电瓶`, `在途`).
 * board_set_filter refuses an unknown state, an unknown is: word and (with a lookup that
 * knows the regions) an unknown region.
 *
 * Rebuilding is incremental (board_rebuild): the board keeps, from one rebuild to the next,
 * each ticket's parsed state (the only costly part of its monitor view) and the order it
 * made; a rebuild re-derives what every ticket's place rests on from the cached parse, then
 * settles the last order by binary insertion where keys moved (a changed ticket, a new one,
 * time passing a threshold), and sorts afresh only when many moved or the sort changed.
 * The rows are the same as a rebuild from nothing gives (tests/check-board.c).
 *
 * Ownership: rows point at tickets owned by the caller (the replica); they are valid until
 * the caller's next change of its tables, so rebuild after every change. The cache is the
 * board's own (freed by board_finish); it holds ids and state names, never the caller's
 * pointers past a rebuild, so the caller may change its tickets in place or anew. */
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

/* The is: words of the filter, as bits of board_lookup.is. */
#define BOARD_IS(X)                      \
	X(LATE, "late")                  \
	X(RISK, "risk")                  \
	X(WARN, "warn")                  \
	X(WAITING, "waiting")            \
	X(MINE, "mine")

enum board_is_bit {
#define X(e, s) BOARD_IS_BIT_##e,
	BOARD_IS(X)
#undef X
	BOARD_IS_COUNT
};
#define BOARD_IS_MASK(e) (1u << BOARD_IS_BIT_##e)

enum board_field { BOARD_FIELD_STATE, BOARD_FIELD_FAULT, BOARD_FIELD_REGION };

/* What the board cannot know alone, asked of its owner while filtering (the console sets
 * it from the model and the catalogs). Every member may be NULL: the filter then matches
 * codes only, is: words match nothing, and every region: word is accepted. */
struct board_lookup {
	/* The label the screen shows for code of field f (borrowed), or NULL. */
	const char *(*label)(void *ctx, enum board_field f, const char *code);
	/* The BOARD_IS_MASK bits that hold for t now. */
	unsigned (*is)(void *ctx, const struct proto_ticket *t);
	/* Whether some region's id or displayed name starts with prefix. */
	bool (*region_known)(void *ctx, const char *prefix);
	void *ctx;
};

struct board {
	const struct proto_ticket **rows;
	size_t n, cap;
	enum board_sort sort;
	char filter[BOARD_FILTER_MAX + 1];
	char find[BOARD_FILTER_MAX + 1]; /* board_set_find; "": none */
	int64_t selected; /* ticket id; 0: none */
	size_t sel_index; /* row of the selection after the last rebuild */
	size_t top;       /* first row shown */
	size_t total;     /* tickets before filtering */
	const struct data_sla *sla; /* thresholds for urgency, borrowed; NULL: shipped ones */
	struct board_lookup look;   /* for the filter; zero: codes only */
	/* counted by board_rebuild over every ticket, filtered out or not: the open ones, and
	 * of those not yet on scene the late and the at-risk ones, as present_due
	 * (ui/present.h) tells them */
	size_t n_open, n_late, n_risk;
	struct board_cache *cache;  /* board.c's: the last rebuild's parses and order */
};

/* Warning level of a ticket for urgency: 0 none, 1 amber, 2 red. */
typedef int (*board_warn_fn)(void *ctx, int64_t ticket_id);

void board_init(struct board *b);
void board_finish(struct board *b);
const char *board_sort_name(enum board_sort s);

/* Filter, sort and restore the selection; count (n_open, n_late, n_risk). Incremental
 * (above): the result is the same as after board_forget. */
void board_rebuild(struct board *b, const struct proto_ticket *const *all, size_t n,
    int64_t now, board_warn_fn warn, void *ctx);
/* Drop the cache, so the next rebuild parses every ticket and sorts from nothing (the
 * full rebuild: the reference of tests and benchmarks). */
void board_forget(struct board *b);
/* Set the filter text (copied, truncated). Returns NULL if fine, else one of the static
 * reasons BOARD_BAD_STATE, BOARD_BAD_REGION, BOARD_BAD_IS, in which case the filter is
 * unchanged. */
#define BOARD_BAD_STATE "unknown state in filter"
#define BOARD_BAD_REGION "unknown region in filter"
#define BOARD_BAD_IS "unknown is: word in filter"
const char *board_set_filter(struct board *b, const char *text);
/* The find: words in the filter's syntax that leave every row on the board and mark the
 * rows they match; board_find moves the selection to one. "" clears it. Returns NULL or
 * a reason as board_set_filter does, the find then unchanged. */
const char *board_set_find(struct board *b, const char *text);
/* Move the selection to the next row (dir > 0) or the previous one (dir < 0) that the
 * find matches, wrapping around the board; dir 0 starts at the selection itself. Returns
 * BOARD_FIND_NONE (no find, or no row matches: the selection stays), BOARD_FIND_MOVED, or
 * BOARD_FIND_WRAPPED (the search went past the last row back to the first, or the other
 * way). */
enum board_find_result { BOARD_FIND_NONE, BOARD_FIND_MOVED, BOARD_FIND_WRAPPED };
enum board_find_result board_find(struct board *b, int dir);
/* Whether the find matches t (false without a find). */
bool board_found(const struct board *b, const struct proto_ticket *t);
/* Whether t matches filter, with b's lookup. */
bool board_match(const struct board *b, const char *filter, const struct proto_ticket *t);

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
