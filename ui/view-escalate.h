/* view-escalate.h: escalating a ticket to the supervisors by hand, with a reason
 * (ticket.escalate, PROTOCOL.md 7.25), opened by E on the board, the ticket detail and the
 * supervisor's screen.
 *
 * It shows the ticket, its active warnings with their owners and escalation, and whether
 * it is escalated (by whom, when, why), above a one-line reason prompt (SCOPE_FORM).
 * Enter sends the reason: it escalates the ticket, or, when it is escalated, ends the
 * escalation (clear). A role that may not end an escalation (role.h: agents and
 * specialists) sees an escalated ticket without the prompt: Esc is all it may do. A blank
 * reason keeps the prompt open with the error in words; Esc closes the view. Once sent the view closes: the command is pending on the status line
 * and its outcome goes to the message line. */
#ifndef RD_VIEW_ESCALATE_H
#define RD_VIEW_ESCALATE_H

#include <stdint.h>

#include "view.h"

struct model;

/* Owned by the caller (view_destroy). */
struct view *view_escalate_create(struct model *m, int64_t ticket);

#endif
