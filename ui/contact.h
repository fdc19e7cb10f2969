/* contact.h: the customer's full name and phone on request (key I on the board and in a
 * ticket's detail; ticket.contact, PROTOCOL.md 7.30).
 *
 * Every ticket reaches the console masked (138****5678, 张*). The key asks the broker for
 * the raw values, which it records in the ticket's history (who looked up whom, when, why)
 * before it answers; the answer is shown in a small box over the view until the next key,
 * which closes the box and wipes the values. They are kept nowhere else: not in the model,
 * not on the board, not in any file.
 *
 * A view embeds a struct contact (zeroed) and calls contact_ask on its key, contact_draw
 * at the end of its draw, and, first thing in its key handler, contact_close when
 * contact_open is true. The request's owner is the view: when the view closes, an answer
 * still on its way is dropped (model_forget). Strings are copied in. */
#ifndef RD_CONTACT_H
#define RD_CONTACT_H

#include <stdbool.h>
#include <stdint.h>

#include "model.h"
#include "proto.h"
#include "vscreen.h"

struct contact {
	int64_t id;          /* the ticket asked about (0: none) */
	bool shown;          /* the answer is in the box */
	bool erased;         /* retention erased them */
	char customer[sizeof ((struct proto_ticket *)0)->customer];
	char phone[sizeof ((struct proto_ticket *)0)->phone];
	char cmd[PROTO_CMD_ID_MAX + 1];
};

/* Ask for ticket id's contact, reason given to the broker (NULL: none); owner is the view.
 * Returns the view's UI_* reaction (the message line says when it could not be sent). */
unsigned contact_ask(struct contact *c, struct model *m, const void *owner, int64_t id,
    const char *reason);
/* Whether the box is up. */
bool contact_open(const struct contact *c);
/* Close the box and wipe the values; the view's UI_* reaction for the key that did it. */
unsigned contact_close(struct contact *c);
/* The box over the middle of vs when it is up (nothing otherwise). */
void contact_draw(const struct contact *c, struct vscreen *vs);

#endif
