/* view-flow.h: one ticket's guided diagnosis, as the broker holds it (diag.h).
 *
 * Left, while a session runs: the flow's title, the elapsed time and the dispatch hold
 * left, the path so far as a breadcrumb (the answers given), the current step in large
 * clear text and its numbered answers; below them "dispatch now and keep diagnosing" (with
 * why it is recommended: an expressway, the night 20:00-06:00 China time) and the safety
 * key with the stops it lists, always on screen. Right: the caller's car, fault, flags and
 * place. When the session has ended, the outcome (or the safety stop and its advice), the
 * path, who and how long; with no session, how to start one.
 *
 * Everything shown comes from the ticket (the broker's state: reopening the view after a
 * console crash shows the same step) worded with model->flows. A session someone else
 * holds is read-only until taken over (T); the next answer makes it ours on the broker.
 *
 * Keys (SCOPE_DIAG): the digits 1-9 answer the current step (diag.answer with the
 * broker's current node, so two consoles cannot both answer one step); u/Backspace go one
 * step back (diag.back); ! or x open the safety stops (digits or Enter pick one:
 * diag.safety); N dispatch now (diag.dispatch_now); X abort with a reason (diag.abort); T
 * take over; d start (diag.start); the ticket actions open the detail with that action;
 * q/Esc close. One command at a time: keys that send wait for the answer. */
#ifndef RD_VIEW_FLOW_H
#define RD_VIEW_FLOW_H

#include <stdbool.h>
#include <stdint.h>

#include "view.h"

struct model;

/* A new flow view of ticket id; start: send diag.start at once when the ticket has never
 * been diagnosed. Destroy with view_destroy(). */
struct view *view_flow_create(struct model *m, int64_t id, bool start);

#endif
