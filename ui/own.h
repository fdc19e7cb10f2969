/* own.h: owned warnings and escalation in the console (PROTOCOL.md 7.23 to 7.26): what the
 * board, the ticket detail and the supervisor's screen show of a ticket's owner and
 * escalation, the ack the key o sends, and the presence the app sends while it runs (the
 * broker lets an owner's warnings go when it stops hearing of the console).
 *
 * The lookups read the model's borrowed tables (valid until the next refresh) and return
 * borrowed strings; nothing here draws. */
#ifndef RD_OWN_H
#define RD_OWN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proto.h"

struct model;

/* The escalation mark of the board's mark column: a glyph as well as the colour, apart
 * from the warning marks (! *) and the flag marks beside them (+ ^ =): passed up. */
#define OWN_MARK_ESCALATED ">"

#define OWN_PRESENCE_MS 10000 /* presence "on" every 10 s of broker time while live */
#define OWN_PRESENCE_MIN_MS 200 /* ... but not more often than this (wall time) */
#define OWN_OFF_WAIT_MS 300   /* at quit, how long the app waits for "off" to be answered */

/* The user who owns ticket id's warnings (the first owned of its active ones, most severe
 * first), or NULL when nobody owns one. */
const char *own_owner(const struct model *m, int64_t id);
/* Whether ticket t is escalated: by hand (its escalated key), or one of its active
 * warnings escalated and nobody owns it now. */
bool own_escalated(const struct model *m, const struct proto_ticket *t);
/* Whether a warning escalated, a ticket was escalated by hand (the key present and set). */
bool own_warning_escalated(const struct proto_warning *w);
bool own_ticket_escalated(const struct proto_ticket *t);
/* The open tickets own_escalated says are: the supervisor's count. */
size_t own_count_escalated(const struct model *m);
/* A warning's owner and escalation for a list of warnings, in the UI language: " @ana",
 * " [escalated]", or "" (written into out). */
void own_warning_note(const struct proto_warning *w, char *out, size_t outsz);
/* A warning's words text (present_warning_text's) with its owner and escalation, so that
 * neither is cut off: "[escalated] TEXT" while escalated and unowned, "TEXT @ana" when
 * owned, else TEXT (written into out). */
void own_warning_words(const struct proto_warning *w, const char *text, char *out,
    size_t outsz);

/* o: acknowledge (own) every active warning of ticket id; the outcome, or who owns them
 * already, goes to the message line like every command's. 0 when sent, else -1. */
int own_ack(struct model *m, int64_t id);

/* The console's presence (the app holds one). */
struct own_presence {
	int64_t last;            /* monotonic ms of the last "on" sent; 0 none */
};
/* Send "on" when the model is live and OWN_PRESENCE_MS of broker time (the model's
 * time_scale) have passed since the last one (mono is the monotonic clock). */
void own_presence_tick(struct own_presence *p, struct model *m, int64_t mono);
/* Send "off" (the console is quitting): its warnings are let go at once. */
void own_presence_off(struct own_presence *p, struct model *m);

#endif
