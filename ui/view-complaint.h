/* view-complaint.h: one complaint on the form engine (form.h): the record of complaint.h on
 * seven pages (complainant, subject and the linked ticket, substance, classification,
 * handling, decision, review and close), saved to the console's local store
 * (complaint-db.h), with the state machine's actions on F2, the clocks on the line under
 * the title, and the draft autosaved on every change. No broker is involved: it all works
 * offline.
 *
 * Opening: a saved complaint by its local id; a new one, empty or filled from a ticket of
 * the board (its number, customer, phone, plate and supplier, and its timeline frozen as
 * the evidence text, completed from the broker's history when it answers while the form is
 * open). A draft left by a console that was killed is restored when the same complaint (or
 * a new one) opens next, and the message line says so; the app opens it at its next start
 * (complaint_db_interrupted).
 *
 * Keys: the form's (Tab, Enter, PgUp/PgDn between pages, F10 saves, Esc closes and asks
 * first when something is not saved), and F2, the list of the actions from the complaint's
 * state: one that may not happen now says why, in words, in the list and on the message
 * line when picked; one that may is applied and saved at once.
 *
 * Ownership: the view is the caller's (view_destroy); it borrows the model. */
#ifndef RD_VIEW_COMPLAINT_H
#define RD_VIEW_COMPLAINT_H

#include <stdint.h>

#include "view.h"

struct model;

/* The complaint of local id (0: a new one; then filled from ticket when ticket > 0 and the
 * model has it). NULL when the file cannot be opened or there is no such complaint: the
 * message line says why. */
struct view *view_complaint_create(struct model *m, int64_t id, int64_t ticket);

#endif
