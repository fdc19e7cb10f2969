/* call.h: calling the customer through the ticket's virtual number (`p` in the board and
 * the ticket detail; PROTOCOL.md 7.28, rescuedesk(1) --dial-command).
 *
 * The key sends ticket.call, which records the call in the ticket's history and answers
 * with the number; then the console runs the dial command with it (a softphone's command
 * line), or, without one, shows the number to dial by hand. The raw phone is never dialled
 * or shown whole: the detail shows the virtual number next to the masked phone.
 *
 * The dial command is a shell command line (/bin/sh -c): "%n" in it is the number, "%%" a
 * per cent sign, and the environment variable RESCUEDESK_NUMBER holds the number too. It
 * runs detached from the console (its own session, stdin, stdout and stderr on /dev/null),
 * so it never blocks the loop and its output never reaches the terminal; the console does
 * not wait for it.
 *
 * The command set by call_set_command is copied and kept until the next call (NULL or ""
 * clears it). Strings returned are the caller's to free. */
#ifndef RD_CALL_H
#define RD_CALL_H

#include <stddef.h>
#include <stdint.h>

#include "model.h"
#include "proto.h"

/* The dial command (NULL or "": none, numbers are shown to dial by hand). */
void call_set_command(const char *cmd);
const char *call_command(void);

/* cmd with "%n" replaced by number and "%%" by "%"; another "%x" is kept as it is.
 * Caller frees. */
char *call_expand(const char *cmd, const char *number);

/* Run cmd (expanded for number) detached, as described above: 0, or -1 and *cause (caller
 * frees) when it could not be started. number must be a virtual number (vnum_valid). */
int call_dial(const char *cmd, const char *number, char **cause);

/* What the detail shows for t's phone: the virtual number, then the masked phone; the
 * masked phone alone when t has no number. */
void call_phone_text(const struct proto_ticket *t, char *out, size_t outsz);

/* The key: ticket.call for ticket id, then dial or show the number (the message line says
 * which, or why not). Returns the view's UI_* reaction. */
unsigned call_customer(struct model *m, int64_t id);

#endif
