/* diag.h: what the diagnosis views share: a ticket's session as the broker publishes it
 * (the diag_* keys of the ticket entity), the diagnosis queue, the flow texts in the UI
 * language, and when "dispatch now and keep diagnosing" is recommended.
 *
 * The broker is the authority on a session: its state, current node and path come from
 * the ticket; the console's own copy of the flows (model->flows, flow.h, loaded from the
 * same data directory) only gives the words and the answers' numbers. A path the copy
 * cannot replay (another data version) leaves the views with the broker's node ids.
 *
 * Pure: no I/O, no clock (now comes from the model). Everything returned is borrowed from
 * the model's tickets or flow set and valid until the next model_refresh(). */
#ifndef RD_DIAG_H
#define RD_DIAG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "flow.h"

struct model;
struct proto_ticket;

/* The session states of the ticket's diag_state key. */
enum diag_state { DIAG_NONE, DIAG_RUNNING, DIAG_SOLVED, DIAG_DISPATCHED, DIAG_ESCALATED,
	DIAG_ABORTED };

enum diag_state diag_state_of(const struct proto_ticket *t);
/* The catalog key naming state s ("diag.state.running"; "diag.state.none"). */
const char *diag_state_key(enum diag_state s);

/* The UI language's index into flow texts, and text in it (English when missing). */
enum flow_lang diag_lang(void);
const char *diag_text(char *const text[FLOW_LANG_COUNT]);

/* The flow of t's session (diag_flow), or else the flow of its fault; NULL without one or
 * without a flow set. */
const struct flow *diag_flow_of(const struct model *m, const struct proto_ticket *t);

/* Replay t's session path into w; false if there is no session, no flow set, or the
 * path does not replay. */
bool diag_walk(const struct model *m, const struct proto_ticket *t, struct flow_walk *w);

/* Whether diag.start is allowed now: the state is new, dispatched, accepted or en_route
 * and no session runs (the broker decides; this is for refusing early in words). */
bool diag_can_start(const struct proto_ticket *t);

/* The diagnosis queue: open tickets in a state a session can run in whose fault has a flow
 * and whose session has not finished (none yet, or running), and the senior queue: those
 * escalated to a senior specialist, first, until one starts them again. Oldest first within
 * each. Up to max (borrowed) into out; returns how many there are in all. */
size_t diag_queue(const struct model *m, const struct proto_ticket **out, size_t max);

/* Why "dispatch now and keep diagnosing" is recommended for t at now: a catalog key
 * ("diag.why.expressway", "diag.why.night", "diag.why.both") or NULL when it is not. Night
 * is 20:00-06:00 China time. */
const char *diag_recommend_now(const struct proto_ticket *t, int64_t now);
/* The same for a call with ticket flags (enum ticket_flag bits) that has no ticket yet
 * (the intake form). */
const char *diag_recommend_now_flags(uint32_t flags, int64_t now);

/* The dispatch hold left at now in ms (0 when it has passed), or -1 when there is none. */
int64_t diag_hold_left(const struct proto_ticket *t, int64_t now);

#endif
