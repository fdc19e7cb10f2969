/* expired.h: the question about a command past its idempotency window.
 *
 * A command the console keeps sending (model-request.h, rpc_keep) that got no answer
 * within the window is PENDING_ASK: the broker may have applied it and no longer holds its
 * answer, so sending it again could apply it twice, and the console never does. The app
 * asks the agent about each, oldest first, in a box over the screen: check the ticket and
 * enter it again if it is missing (the ticket's detail opens, the text to enter is on the
 * message line; for an intake, the form), or drop it. Only those two keys answer.
 *
 * Pure: draws into a vscreen, changes only the model's pending entry and message line.
 * The pending entry is borrowed. */
#ifndef RD_EXPIRED_H
#define RD_EXPIRED_H

#include "keymap.h"
#include "model.h"
#include "view.h"
#include "vscreen.h"

/* Draw the question about p in a box over the middle of vs. */
void expired_draw(struct vscreen *vs, const struct model_pending *p);
/* The agent's key (its action in SCOPE_DIALOG) about p: ACTION_RECHECK or ACTION_DROP
 * settle p (PENDING_FAILED, the message line says what follows) and return true, with
 * *open set to the view to check it in (VIEW_NONE: none) for a recheck; any other action
 * returns false and leaves p asked. */
bool expired_answer(struct model *m, struct model_pending *p, enum keymap_action a,
    struct view_open *open);

#endif
