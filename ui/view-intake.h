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
 * proto_intake_create); the form stays open, the command pending, until the broker
 * answers: accepted, the message line names the new ticket and the form asks to close
 * (model_close); rejected, the broker's error shows beside the field it names. The form's
 * state lives in the view, so it survives a resync of the model.
 *
 * The same caller again: while the phone or the plate typed is that of an open ticket of
 * the model (the snapshot holds every open one), a line above the fields shows it (#id,
 * state, age, region, masked phone, plate); F9 (ACTION_ATTACH_CALL) attaches the call to it
 * (ticket.callback with the notes typed, PROTOCOL.md 7.21), then the form closes, its
 * draft with it, and the ticket's detail opens; F10 warns beside the field that matched,
 * and a second F10 with the same value creates the new ticket all the same.
 *
 * Drafts: view_intake_draft writes what was typed as text ("key=value" lines, the keys
 * the fields' catalog keys), view_intake_restore fills a form from such text. Where the
 * text is kept (a file) is the app's business. */
#ifndef RD_VIEW_INTAKE_H
#define RD_VIEW_INTAKE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "view.h"

struct model;

/* A new, empty intake form, scope SCOPE_FORM. The region is preset when the data has only
 * one region, or when the board's filter names one (region:ID). Destroy with
 * view_destroy(). */
struct view *view_intake_create(const struct model *m);

/* The intake form in edit mode, for open ticket id of the model: the ticket's values
 * filled in (the region and the notes not shown: the region stays, notes are ticket.note's),
 * the title "Edit ticket #id". F10 sends ticket.edit with only the keys that changed
 * (PROTOCOL.md 7.20), after the same checks and warnings as an intake (for the fields
 * that changed), and asks first (a second F10) when the change takes the job from a truck
 * that accepted it or is on its way. The form closes when the broker takes it; a rejection
 * stays beside its field. NULL when the model has no such open ticket. */
struct view *view_intake_edit_create(const struct model *m, int64_t id);

/* Whether v is an intake form for a new call (not an edit: an edit keeps no draft). */
bool view_is_intake(const struct view *v);
/* Whether v is an intake form (a new call, or an edit) holding work its closing would
 * lose: a new call's draft, or an edit's value that differs from the ticket. C-c and Esc
 * ask first then. */
bool view_intake_unsaved(const struct view *v, const struct model *m);
/* What was typed into intake v as draft text, into buf (len bytes, cut at a line); ""
 * when nothing was typed or picked. Returns the length. */
size_t view_intake_draft(const struct view *v, char *buf, size_t len);
/* Fill intake v from draft text (as from view_intake_draft; unknown keys and values that
 * no longer fit the data are skipped). The restored values count as typed. Returns the
 * number of fields restored. */
int view_intake_restore(struct view *v, const struct model *m, const char *text);

#endif
