/* ticket.h: the rescue ticket model: states, transitions, faults, truck kinds, capabilities,
 * priority flags, phone masking. Pure: no I/O; time is passed in as ms since the Unix epoch.
 *
 * All name tables are static; returned strings are borrowed and live forever. */
#ifndef RD_TICKET_H
#define RD_TICKET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TICKET_STATES(X)                 \
	X(NEW, "new")                    \
	X(DISPATCHED, "dispatched")      \
	X(ACCEPTED, "accepted")          \
	X(EN_ROUTE, "en_route")          \
	X(ON_SCENE, "on_scene")          \
	X(TOWING, "towing")              \
	X(COMPLETED, "completed")        \
	X(CANCELLED, "cancelled")        \
	X(RESOLVED_REMOTE, "resolved_remote")

enum ticket_state {
#define X(e, s) TICKET_##e,
	TICKET_STATES(X)
#undef X
	TICKET_STATE_COUNT
};

/* Fault codes the intake accepts. */
#define TICKET_FAULTS(X)                         \
	X(BATTERY, "battery")                    \
	X(TYRE, "tyre")                          \
	X(FUEL, "fuel")                          \
	X(LOCKOUT, "lockout")                    \
	X(NO_START, "no_start")                  \
	X(OVERHEAT, "overheat")                  \
	X(WARNING_LIGHT, "warning_light")        \
	X(EV, "ev")                              \
	X(MECHANICAL_TOW, "mechanical_tow")      \
	X(ACCIDENT_TOW, "accident_tow")          \
	X(WINCH, "winch")

enum ticket_fault {
#define X(e, s) FAULT_##e,
	TICKET_FAULTS(X)
#undef X
	FAULT_COUNT
};

/* Kinds of rescue vehicle. */
#define TRUCK_KINDS(X)                     \
	X(VAN, "van")                      \
	X(WHEEL_LIFT, "wheel_lift")        \
	X(FLATBED, "flatbed")              \
	X(HEAVY, "heavy")

enum truck_kind {
#define X(e, s) TRUCK_KIND_##e,
	TRUCK_KINDS(X)
#undef X
	TRUCK_KIND_COUNT
};

#define TRUCK_STATUSES(X)                  \
	X(AVAILABLE, "available")          \
	X(OFFERED, "offered")              \
	X(ASSIGNED, "assigned")            \
	X(EN_ROUTE, "en_route")            \
	X(ON_SCENE, "on_scene")            \
	X(TOWING, "towing")                \
	X(OFF_DUTY, "off_duty")

enum truck_status {
#define X(e, s) TRUCK_##e,
	TRUCK_STATUSES(X)
#undef X
	TRUCK_STATUS_COUNT
};

/* Priority flags carried by a ticket (bitmask). */
enum ticket_flag {
	TICKET_FLAG_EXPRESSWAY = 1u << 0,  /* on an expressway */
	TICKET_FLAG_ALONE_NIGHT = 1u << 1, /* woman alone at night */
	TICKET_FLAG_VULNERABLE = 1u << 2,  /* children or elderly aboard */
	TICKET_FLAG_INJURY = 1u << 3,      /* someone is injured */
	TICKET_FLAG_ALL = 0xfu,
};

const char *ticket_state_name(enum ticket_state s);
/* Parse a state name (exact, lower case); returns -1 if unknown. */
int ticket_state_parse(const char *name);
bool ticket_state_final(enum ticket_state s);
/* Whether from -> to is allowed by the transition table. */
bool ticket_transition_ok(enum ticket_state from, enum ticket_state to);

const char *ticket_fault_name(enum ticket_fault f);
int ticket_fault_parse(const char *name);
const char *truck_kind_name(enum truck_kind k);
int truck_kind_parse(const char *name);
const char *truck_status_name(enum truck_status s);
int truck_status_parse(const char *name);

/* Built-in capability table (which kinds can serve which fault), used until data/ overrides
 * it: returns a bitmask of (1u << enum truck_kind). */
uint32_t ticket_fault_kinds(enum ticket_fault f);

/* A priority score: higher is more urgent. Flags raise it; injury highest. */
int ticket_priority(uint32_t flags, enum ticket_fault f);

/* Write phone masked as 138****5678 (keep first 3 and last 4 digits; shorter numbers keep
 * only the last 2) into out (NUL-terminated, truncated to outsz). Separators are dropped, and
 * a leading 86 or 0086 before 10 or more digits ("+86 138-0013-8000" masks as 138****8000);
 * a '*' counts as a digit that is already hidden, so a masked number masks to itself. */
void ticket_mask_phone(const char *phone, char *out, size_t outsz);
/* Write a person's name masked as its first character (one UTF-8 sequence) and "*"
 * ("张三" -> "张*", "Wang Wei" -> "W*"; "" stays "") into out (NUL-terminated; a first
 * character that does not fit gives ""). A masked name masks to itself. */
void ticket_mask_name(const char *name, char *out, size_t outsz);

struct proto_ticket;
/* A ticket as clients see it (PROTOCOL.md 8.1): customer masked by ticket_mask_name, phone
 * by ticket_mask_phone, in place; every other key as it was. Masking twice changes nothing. */
void ticket_mask_contact(struct proto_ticket *t);
/* Erase the person from a closed ticket (retention, PROTOCOL.md 8.1): customer, phone,
 * plate, address, landmark, the last note and the escalation's reason become "", the car's
 * location is rounded to 0.01 degree (about 1 km). What stays is the facts: id, times,
 * states, region, fault, flags, truck, model, the diagnosis, who took the call. */
void ticket_erase_personal(struct proto_ticket *t);
struct proto_event_params;
/* Retention's rule for one event of an erased ticket, whose machine form is p (NULL: an
 * event logged without one): free text (params text: notes, reasons, call-backs) and an
 * edit's old and value of a personal key (customer, phone, plate, address, landmark,
 * location) are taken out of p; true when the event's detail held them, so it goes too. */
bool ticket_erase_event(const char *kind, struct proto_event_params *p);
/* Whether t's person was erased (customer and phone empty: intake refuses an empty name). */
bool ticket_personal_erased(const struct proto_ticket *t);

/* Validate a phone number as typed by an agent: optional leading '+', then 5..20 digits,
 * spaces and dashes allowed between digits. Returns NULL if fine, else a static reason. */
const char *ticket_phone_invalid(const char *phone);
/* Whether a phone number (valid for ticket_phone_invalid) is a mainland China one: a mobile
 * 1[3-9] and 9 more digits, or a landline 0, a 2- or 3-digit area code and a 7- or 8-digit
 * number (10 to 12 digits); either may follow +86 or 0086 (a landline then without its
 * 0). NULL if it is, else a static reason: a foreign or mistyped number. */
const char *ticket_phone_not_cn(const char *phone);
/* Check a Chinese plate: a province character (京, 湘, ...), a letter, then 5 letters or
 * digits (no I or O), or 4 and a suffix 挂 (trailer), 学 (learner), 警 (police), 领, 港
 * or 澳; new-energy plates have 6, the first or the last D or F. Spaces, dashes and the
 * middle dot are ignored, and so is case. NULL if fine, else a static reason. */
const char *ticket_plate_invalid(const char *plate);

#endif
