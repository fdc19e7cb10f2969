/* view-detail.h: one ticket, everything an agent needs while on the phone with the
 * customer: who and where (masked phone, plate, model, place with coordinates), the fault
 * and the priority flags in words, the promise and the ETA with its source, the time of
 * each state; the truck (supplier, kind, status, age of its last GPS fix, speed, distance
 * left to the customer); the active warnings; and the timeline of the ticket's events
 * (notes included), newest last, scrollable.
 *
 * The timeline is the view's own copy of the ticket's history: it asks for it (ticket.get
 * through model_request) whenever the history it holds is not that of the ticket's
 * current version (on every key, on view_refresh after the model changed, and after one
 * of its commands was accepted) and shows "loading" meanwhile.
 *
 * Keys (SCOPE_DETAIL): movement and paging scroll the timeline (End follows new events);
 * a adds a note, c cancels (both prompt for the text in SCOPE_FORM), S offers the states
 * the ticket may move to (ticket_transition_ok; dispatching is done with A; cancelled
 * asks for a reason) in a menu (SCOPE_DIALOG); q/Esc closes a prompt or menu, then the
 * view. Commands go through model_request; the model lists them as pending and puts their
 * outcome on the message line.
 *
 * A opens the assign panel (assign.h, SCOPE_DIALOG): the broker's five best trucks, or
 * when it cannot answer why and the local estimate. Up/Down select, Enter or the digit of
 * a row assigns that truck at once (ticket.assign, exactly once; the panel closes), r asks
 * the broker again, Tab switches to typing a truck id (SCOPE_FORM; Up/Down fill in a row's
 * id; Enter sends; Tab goes back to the list), q/Esc close. Keys act on the rows as last
 * drawn, never on an answer that arrived since.
 *
 * Warnings: a "redispatch" warning naming a truck (the broker proposes a better one) shows
 * "R re-dispatch to <truck>"; R sends ticket.assign with that truck, once per proposal (a second R says it was sent). R is this view's
 * own key, not an action of the key table (keymap.h), like the panel's digits and r.
 *
 * A new ticket of a region with auto_dispatch 0 (model_ticket_awaits_choice) says in the
 * truck section that it waits for the agent's choice. */
#ifndef RD_VIEW_DETAIL_H
#define RD_VIEW_DETAIL_H

#include <stdint.h>

#include "view.h"

struct model;

/* A new detail view of ticket id, scope SCOPE_DETAIL; start is ACTION_NONE or a ticket
 * action (ACTION_NOTE, ACTION_SET_STATE, ACTION_CANCEL_TICKET, ACTION_ASSIGN) to begin
 * with, as if its key had been pressed. Asks for the ticket's history (model_request).
 * Destroy with view_destroy(). */
struct view *view_detail_create(struct model *m, int64_t id, enum keymap_action start);

#endif
