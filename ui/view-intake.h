/* view-intake.h: the intake form: a new call becomes a ticket. The view is the form's
 * field table, validation and submit; drawing, focus, lists and errors are the form
 * engine's (form.h).
 *
 * Fields: customer name, phone, plate, vehicle model; region (a choice from the model's
 * data), landmark (a choice from the region's landmarks: picking one fills the
 * coordinates), coordinates typed as "lat,lon", address; fault (a choice of the faults
 * of ticket.h), "diagnose by phone first" (a check box shown for a fault with a flow,
 * sent as diag_hold; ticked by default except on an expressway or at night), notes; and
 * the four priority flags as check boxes. Text fields are lineedit.h editors (UTF-8,
 * Chinese input, horizontal scrolling).
 *
 * Keys (SCOPE_FORM): Tab/S-Tab and Down/Up move between fields; Enter moves on from a text
 * field, opens the list of a choice (a menu, SCOPE_DIALOG while open) and ticks a box;
 * Space ticks a box or opens a list; Left/Right step through a choice; the editing keys
 * edit; F10 or C-o submits; Esc closes (asking first when something was typed).
 *
 * Validation is inline, in words, next to each field (once the field was left after an
 * edit, and for every field after a submit attempt); nothing is sent while anything is
 * invalid. A valid submit sends intake.create once (model_request, a filled struct
 * proto_intake_create) and closes the form when it was sent; the command is pending until
 * the broker answers, and the message line then names the new ticket. The form's state
 * lives in the view, so it survives a resync of the model. */
#ifndef RD_VIEW_INTAKE_H
#define RD_VIEW_INTAKE_H

#include "view.h"

struct model;

/* A new, empty intake form, scope SCOPE_FORM. The region is preset when the data has only
 * one region, or when the board's filter names one (region:ID). Destroy with
 * view_destroy(). */
struct view *view_intake_create(const struct model *m);

#endif
