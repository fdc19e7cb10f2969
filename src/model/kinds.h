/* kinds.h: the names the broker, the wire and the console share for warning kinds, warning
 * levels and event kinds, one X-macro table each. The broker emits only names from these
 * tables; the console labels them through the catalogs (the key column), and
 * tests/check-i18n.c checks that both catalogs have every key.
 *
 * Adding a warning kind: one line in WARN_KINDS, its rule in src/model/monitor.c, its English
 * text in monitor_text(), its label and text template in data/i18n/{en,zh_CN}.ini (see
 * ui/present.h), and a row in proto/PROTOCOL.md section 8.3. Adding an event kind: one line
 * in EVENT_KINDS and its label in both catalogs.
 *
 * Pure: static tables; returned strings are borrowed and live forever. */
#ifndef RD_KINDS_H
#define RD_KINDS_H

#include <stdint.h>

/* Warning levels, in rising severity. NONE is "not active" and never on the wire. */
#define WARN_LEVELS(X)                           \
	X(NONE, "", "")                          \
	X(AMBER, "amber", "level.amber")         \
	X(RED, "red", "level.red")

enum warn_level {
#define X(e, s, key) WARN_LEVEL_##e,
	WARN_LEVELS(X)
#undef X
	WARN_LEVEL_COUNT
};

/* Warning kinds: name on the wire, the level when it is fixed (NONE: the rule chooses),
 * the catalog key of its label. The text templates are "<key>.text" (and the variants
 * ui/present.c names). The order is the order the broker applies them in. */
#define WARN_KINDS(X)                                                    \
	X(NOT_ACCEPTED, "not_accepted", AMBER, "warn.not_accepted")      \
	X(GPS_LOST, "gps_lost", NONE, "warn.gps_lost")                   \
	X(STALLED, "stalled", AMBER, "warn.stalled")                     \
	X(ETA_LATE, "eta_late", NONE, "warn.eta_late")                   \
	X(OVERDUE, "overdue", RED, "warn.overdue")                       \
	X(REDISPATCH, "redispatch", AMBER, "warn.redispatch")              \
	X(WAITING_AGENT, "waiting_agent", NONE, "warn.waiting_agent")    \
	X(DEVIATION, "deviation", NONE, "warn.deviation")                \
	X(ONSCENE_OVERRUN, "onscene_overrun", NONE, "warn.onscene_overrun") \
	X(CALLBACK, "callback", NONE, "warn.callback")                   \
	X(CAPACITY, "capacity", NONE, "warn.capacity")                   \
	X(DETRACTOR, "detractor", NONE, "warn.detractor")

enum warn_kind {
#define X(e, s, lvl, key) WARN_##e,
	WARN_KINDS(X)
#undef X
	WARN_KIND_COUNT
};

/* Event kinds: the kind of each change the broker logs and publishes (the event log's
 * `kind`, ticket.get's history), the streams that use it (EVENT_ON_* bits), and the catalog
 * key of its label in the console's timeline. */
#define EVENT_ON_TICKET 1u
#define EVENT_ON_TRUCK 2u
#define EVENT_ON_WARNING 4u
#define EVENT_ON_COMPLAINT 8u

#define EVENT_KINDS(X)                                                          \
	X(CREATED, "created", EVENT_ON_TICKET, "event.created")                 \
	X(NOTE, "note", EVENT_ON_TICKET, "event.note")                          \
	X(STATE, "state", EVENT_ON_TICKET, "event.state")                       \
	X(DISPATCH, "dispatch", EVENT_ON_TICKET, "event.dispatch")              \
	X(OFFER, "offer", EVENT_ON_TICKET | EVENT_ON_TRUCK, "event.offer")      \
	X(HOLD, "hold", EVENT_ON_TICKET, "event.hold")                          \
	X(ACCEPT, "accept", EVENT_ON_TICKET | EVENT_ON_TRUCK, "event.accept")   \
	X(DECLINE, "decline", EVENT_ON_TICKET | EVENT_ON_TRUCK, "event.decline") \
	X(TIMEOUT, "timeout", EVENT_ON_TICKET | EVENT_ON_TRUCK, "event.timeout") \
	X(RELEASE, "release", EVENT_ON_TICKET | EVENT_ON_TRUCK, "event.release") \
	X(ETA, "eta", EVENT_ON_TICKET, "event.eta")                             \
	X(REGISTERED, "registered", EVENT_ON_TRUCK, "event.registered")         \
	X(STATUS, "status", EVENT_ON_TRUCK, "event.status")                     \
	X(RAISED, "raised", EVENT_ON_WARNING, "event.raised")                   \
	X(LEVEL, "level", EVENT_ON_WARNING, "event.level")                      \
	X(UPDATE, "update", EVENT_ON_WARNING, "event.update")                   \
	X(CLEARED, "cleared", EVENT_ON_WARNING, "event.cleared")                \
	X(DIAG_START, "diag_start", EVENT_ON_TICKET, "event.diag_start")        \
	X(DIAG_ANSWER, "diag_answer", EVENT_ON_TICKET, "event.diag_answer")     \
	X(DIAG_BACK, "diag_back", EVENT_ON_TICKET, "event.diag_back")           \
	X(DIAG_SAFETY, "diag_safety", EVENT_ON_TICKET, "event.diag_safety")     \
	X(DIAG_OUTCOME, "diag_outcome", EVENT_ON_TICKET, "event.diag_outcome")  \
	X(DIAG_ABORT, "diag_abort", EVENT_ON_TICKET, "event.diag_abort")        \
	X(DIAG_DISPATCH, "diag_dispatch", EVENT_ON_TICKET, "event.diag_dispatch") \
	X(EDIT, "edit", EVENT_ON_TICKET, "event.edit")                          \
	X(CALLBACK, "callback", EVENT_ON_TICKET, "event.callback")              \
	X(TELL, "tell", EVENT_ON_TICKET, "event.tell")                          \
	X(TOLD, "told", EVENT_ON_TICKET, "event.told")                          \
	X(TELL_FAILED, "tell_failed", EVENT_ON_TICKET, "event.tell_failed")     \
	X(VNUM_BIND, "vnum_bind", EVENT_ON_TICKET, "event.vnum_bind")           \
	X(VNUM_RELEASE, "vnum_release", EVENT_ON_TICKET, "event.vnum_release")  \
	X(VNUM_SHORT, "vnum_short", EVENT_ON_TICKET, "event.vnum_short")        \
	X(CALL, "call", EVENT_ON_TICKET, "event.call")                          \
	X(SAVED, "saved", EVENT_ON_COMPLAINT, "event.saved")                   \
	X(FETCHED, "fetched", EVENT_ON_COMPLAINT, "event.fetched")             \
	X(OWNED, "owned", EVENT_ON_WARNING, "event.owned")                      \
	X(UNOWNED, "unowned", EVENT_ON_WARNING, "event.unowned")                \
	X(ESCALATED, "escalated", EVENT_ON_WARNING, "event.escalated")          \
	X(ESCALATE, "escalate", EVENT_ON_TICKET, "event.escalate")              \
	X(ESCALATE_CLEAR, "escalate_clear", EVENT_ON_TICKET, "event.escalate_clear") \
	X(SURVEY, "survey", EVENT_ON_TICKET, "event.survey")                   \
	X(CONTACT, "contact", EVENT_ON_TICKET, "event.contact")                 \
	X(ERASED, "erased", EVENT_ON_TICKET, "event.erased")

enum event_kind {
#define X(e, s, on, key) EVENT_##e,
	EVENT_KINDS(X)
#undef X
	EVENT_KIND_COUNT
};

/* Names on the wire; "" for a value out of range. */
const char *warn_level_name(enum warn_level l);
const char *warn_kind_name(enum warn_kind k);
const char *event_kind_name(enum event_kind k);
/* The fixed level of a kind, or WARN_LEVEL_NONE when its rule chooses. */
enum warn_level warn_kind_level(enum warn_kind k);
/* Catalog keys of the labels; "" out of range. */
const char *warn_level_key(enum warn_level l);
const char *warn_kind_key(enum warn_kind k);
const char *event_kind_key(enum event_kind k);
/* EVENT_ON_* bits of k (0 out of range). */
unsigned event_kind_streams(enum event_kind k);
/* The value of a name, or -1 for an unknown one (a newer broker's, or NULL). The level of
 * "" is -1 too: a warning on the wire is always amber or red. */
int warn_level_parse(const char *s);
int warn_kind_parse(const char *s);
int event_kind_parse(const char *s);

#endif
