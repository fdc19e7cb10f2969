/* view-tell.h: tell the customer of a ticket (`t` on the board and in the detail): a small
 * picker of the message templates (data/tell.ini, the console's copy in model->tell) with
 * the selected one's preview in the customer's language (the ticket's lang, zh when
 * absent), rendered from the ticket as the model has it now. Enter sends ticket.tell
 * (PROTOCOL.md 7.27): the broker renders the words that go out from its own live data, so
 * the preview is what the customer will read unless the ticket changes meanwhile. A
 * template the ticket cannot fill yet (no truck: no plate) says what is missing and is not
 * sent. Up/Down choose, q/Esc close; Enter sends and closes the picker, the command's
 * outcome goes to the message line.
 *
 * Ownership: the view is the stack's (view_destroy); it borrows the model's templates. */
#ifndef RD_VIEW_TELL_H
#define RD_VIEW_TELL_H

#include <stdint.h>

#include "view.h"

struct model;

/* A picker for ticket id. */
struct view *view_tell_create(struct model *m, int64_t id);

#endif
