/* view-diag-queue.h: the diagnosis queue, the specialist's start screen (diag_queue(),
 * diag.h): open tickets whose fault has a flow and no finished session, oldest first, with
 * how long each has waited, the dispatch hold left, the fault, region and state, and who
 * holds a running session.
 *
 * Keys (SCOPE_TICKET): movement and paging move the selection; Enter and d open the
 * selected ticket's flow view, starting a session when none runs (VIEW_FLOW with
 * ACTION_DIAG_START); the ticket actions (a, S, c, A) open its detail with that action
 * started; q/Esc close the view. Pure: draws from the model, no I/O. */
#ifndef RD_VIEW_DIAG_QUEUE_H
#define RD_VIEW_DIAG_QUEUE_H

#include "view.h"

/* A new queue view, scope SCOPE_TICKET. Destroy with view_destroy(). */
struct view *view_diag_queue_create(void);

#endif
