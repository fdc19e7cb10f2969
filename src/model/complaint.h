/* complaint.h: a customer complaint as the law and the service handle it (rules, fields
 * and states from the reference, domain.md section 1): the record, the validation of each
 * field, the state machine as a transition table, and the clocks (acknowledgement, keep-in-
 * loop update, the legal decision due date with its extensions, pauses and restart, the
 * review windows), plus the complaint data of data/ (causes, mediation organisations,
 * goodwill limits per role, the holiday calendar), which data.c loads
 * (data_complaints_load in data.h).
 *
 * Pure: no I/O, no clock; time is passed in as ms since the Unix epoch, and days are
 * China civil days (civil.h, UTC+8). Every error and every refused transition is a code
 * with a catalog key (data/i18n/ *.ini): the console says it in words.
 *
 * The record's fields are one X-macro table, COMPLAINT_FIELDS, so the store's columns, the
 * history of changes (field, old, new), the draft, the CSV export and the form's labels all
 * follow from it. Every field has a text form (complaint_field_get / complaint_field_set):
 * times as "YYYY-MM-DD HH:MM:SS" in China time, money as yuan with two decimals, enums and
 * flags by their wire names, the rights as a comma list.
 *
 * Ownership: a struct complaint owns its strings (char *, NULL or "" when empty) and its
 * pauses; complaint_new/complaint_copy return records the caller frees with complaint_free;
 * set functions copy their arguments. Static name tables and catalog keys are borrowed and
 * live forever. A struct complaint_data from data_complaints_load is freed with
 * complaint_data_free; pointers inside it are owned by it. */
#ifndef RD_COMPLAINT_H
#define RD_COMPLAINT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- enumerations: X(ENUM, "wire name", "catalog key") ---------------------------------
 * Every enum of the record starts with an unset value (wire name ""): a required field that
 * is still unset is an error, not a silent default. */

#define COMPLAINT_STATES(X)                                                             \
	X(RECEIVED, "received", "complaint.state.received")                            \
	X(REGISTERED, "registered", "complaint.state.registered")                      \
	X(REJECTED, "rejected", "complaint.state.rejected")                            \
	X(ACKNOWLEDGED, "acknowledged", "complaint.state.acknowledged")                \
	X(INVESTIGATING, "investigating", "complaint.state.investigating")             \
	X(PAUSED, "paused", "complaint.state.paused")                                  \
	X(AWAITING, "awaiting", "complaint.state.awaiting")                            \
	X(EXTENDED_30, "extended_30", "complaint.state.extended_30")                   \
	X(EXTENDED_60, "extended_60", "complaint.state.extended_60")                   \
	X(DECIDED, "decided", "complaint.state.decided")                               \
	X(NOTIFIED, "notified", "complaint.state.notified")                            \
	X(REVIEW, "review", "complaint.state.review")                                  \
	X(REVIEW_DECIDED, "review_decided", "complaint.state.review_decided")          \
	X(MEDIATION, "mediation", "complaint.state.mediation")                         \
	X(MEDIATED, "mediated", "complaint.state.mediated")                            \
	X(MEDIATION_FAILED, "mediation_failed", "complaint.state.mediation_failed")    \
	X(CLOSED, "closed", "complaint.state.closed")                                  \
	X(WITHDRAWN, "withdrawn", "complaint.state.withdrawn")                         \
	X(MERGED, "merged", "complaint.state.merged")

enum complaint_state {
#define X(e, s, k) COMPLAINT_##e,
	COMPLAINT_STATES(X)
#undef X
	COMPLAINT_STATE_COUNT
};

/* Terminal states: rejected at intake, closed, withdrawn, merged. */
bool complaint_state_final(enum complaint_state s);

#define COMPLAINT_CHANNELS(X)                                                          \
	X(NONE, "", "")                                                                \
	X(HOTLINE, "hotline", "complaint.channel.hotline")                             \
	X(APP, "app", "complaint.channel.app")                                         \
	X(WEB, "web", "complaint.channel.web")                                         \
	X(EMAIL, "email", "complaint.channel.email")                                   \
	X(LETTER, "letter", "complaint.channel.letter")                                \
	X(WALK_IN, "walk_in", "complaint.channel.walk_in")                             \
	X(REGULATOR, "regulator", "complaint.channel.regulator")                       \
	X(ASSOCIATION, "association", "complaint.channel.association")                 \
	X(MEDIATION, "mediation", "complaint.channel.mediation")                       \
	X(MEDIA, "media", "complaint.channel.media")

#define COMPLAINT_PARTIES(X)                                                           \
	X(NONE, "", "")                                                                \
	X(PERSON, "person", "complaint.party.person")                                  \
	X(ORGANISATION, "organisation", "complaint.party.organisation")

/* Who speaks for the complainant: the complainant, an agent with a power of attorney, an
 * heir with proof. */
#define COMPLAINT_ACTINGS(X)                                                           \
	X(SELF, "self", "complaint.acting.self")                                       \
	X(AGENT, "agent", "complaint.acting.agent")                                    \
	X(HEIR, "heir", "complaint.acting.heir")

#define COMPLAINT_BUSINESSES(X)                                                        \
	X(NONE, "", "")                                                                \
	X(ROADSIDE, "roadside", "complaint.business.roadside")                         \
	X(CLAIMS, "claims", "complaint.business.claims")                               \
	X(SALES, "sales", "complaint.business.sales")                                  \
	X(POLICY_SERVICE, "policy_service", "complaint.business.policy_service")       \
	X(SURRENDER, "surrender", "complaint.business.surrender")                      \
	X(OTHER, "other", "complaint.business.other")

#define COMPLAINT_PRIORITIES(X)                                                        \
	X(NORMAL, "normal", "complaint.priority.normal")                               \
	X(HIGH, "high", "complaint.priority.high")                                     \
	X(MAJOR, "major", "complaint.priority.major")

#define COMPLAINT_COMPLEXITIES(X)                                                      \
	X(SIMPLE, "simple", "complaint.complexity.simple")                             \
	X(COMPLEX, "complex", "complaint.complexity.complex")                          \
	X(SPECIAL, "special", "complaint.complexity.special")

#define COMPLAINT_OUTCOMES(X)                                                          \
	X(NONE, "", "")                                                                \
	X(UPHELD, "upheld", "complaint.outcome.upheld")                                \
	X(PARTLY, "partly", "complaint.outcome.partly")                                \
	X(REJECTED, "rejected", "complaint.outcome.rejected")

#define COMPLAINT_NOTIFY_METHODS(X)                                                    \
	X(NONE, "", "")                                                                \
	X(PHONE, "phone", "complaint.notify.phone")                                    \
	X(SMS, "sms", "complaint.notify.sms")                                          \
	X(LETTER, "letter", "complaint.notify.letter")                                 \
	X(EMAIL, "email", "complaint.notify.email")                                    \
	X(IN_PERSON, "in_person", "complaint.notify.in_person")

#define COMPLAINT_REVIEW_RESULTS(X)                                                    \
	X(NONE, "", "")                                                                \
	X(MAINTAINED, "maintained", "complaint.review.maintained")                     \
	X(CHANGED, "changed", "complaint.review.changed")

#define COMPLAINT_MEDIATION_RESULTS(X)                                                 \
	X(NONE, "", "")                                                                \
	X(AGREEMENT, "agreement", "complaint.mediation.agreement")                     \
	X(FAILED, "failed", "complaint.mediation.failed")

/* Why the legal clock stops (external appraisal, testing, valuation: the complainant must
 * be told). */
#define COMPLAINT_PAUSE_REASONS(X)                                                     \
	X(NONE, "", "")                                                                \
	X(APPRAISAL, "appraisal", "complaint.pause.appraisal")                         \
	X(TESTING, "testing", "complaint.pause.testing")                               \
	X(VALUATION, "valuation", "complaint.pause.valuation")

/* The eight consumer rights (bit i of rights_mask is the i-th line). */
#define COMPLAINT_RIGHTS(X)                                                            \
	X(INFORMATION, "information", "complaint.right.information")                   \
	X(CHOICE, "choice", "complaint.right.choice")                                  \
	X(FAIR_TRADE, "fair_trade", "complaint.right.fair_trade")                      \
	X(PROPERTY, "property", "complaint.right.property")                            \
	X(REDRESS, "redress", "complaint.right.redress")                               \
	X(EDUCATION, "education", "complaint.right.education")                         \
	X(RESPECT, "respect", "complaint.right.respect")                               \
	X(DATA_SECURITY, "data_security", "complaint.right.data_security")

#define X(e, s, k) COMPLAINT_CHANNEL_##e,
enum complaint_channel { COMPLAINT_CHANNELS(X) COMPLAINT_CHANNEL_COUNT };
#undef X
#define X(e, s, k) COMPLAINT_PARTY_##e,
enum complaint_party { COMPLAINT_PARTIES(X) COMPLAINT_PARTY_COUNT };
#undef X
#define X(e, s, k) COMPLAINT_ACTING_##e,
enum complaint_acting { COMPLAINT_ACTINGS(X) COMPLAINT_ACTING_COUNT };
#undef X
#define X(e, s, k) COMPLAINT_BUSINESS_##e,
enum complaint_business { COMPLAINT_BUSINESSES(X) COMPLAINT_BUSINESS_COUNT };
#undef X
#define X(e, s, k) COMPLAINT_PRIORITY_##e,
enum complaint_priority { COMPLAINT_PRIORITIES(X) COMPLAINT_PRIORITY_COUNT };
#undef X
#define X(e, s, k) COMPLAINT_COMPLEXITY_##e,
enum complaint_complexity { COMPLAINT_COMPLEXITIES(X) COMPLAINT_COMPLEXITY_COUNT };
#undef X
#define X(e, s, k) COMPLAINT_OUTCOME_##e,
enum complaint_outcome { COMPLAINT_OUTCOMES(X) COMPLAINT_OUTCOME_COUNT };
#undef X
#define X(e, s, k) COMPLAINT_NOTIFY_##e,
enum complaint_notify { COMPLAINT_NOTIFY_METHODS(X) COMPLAINT_NOTIFY_COUNT };
#undef X
#define X(e, s, k) COMPLAINT_REVRES_##e,
enum complaint_review { COMPLAINT_REVIEW_RESULTS(X) COMPLAINT_REVRES_COUNT };
#undef X
#define X(e, s, k) COMPLAINT_MEDRES_##e,
enum complaint_mediation { COMPLAINT_MEDIATION_RESULTS(X) COMPLAINT_MEDRES_COUNT };
#undef X
#define X(e, s, k) COMPLAINT_PAUSE_##e,
enum complaint_pause_reason { COMPLAINT_PAUSE_REASONS(X) COMPLAINT_PAUSE_COUNT };
#undef X
#define X(e, s, k) COMPLAINT_RIGHT_##e,
enum complaint_right { COMPLAINT_RIGHTS(X) COMPLAINT_RIGHT_COUNT };
#undef X

/* ---- the record ------------------------------------------------------------------------
 * COMPLAINT_FIELDS(X): X(member, type, "catalog key of the label", flags)
 * type: the kind of value and how it is stored and shown:
 *   TEXT   char *, a line of UTF-8 (no control characters), at most COMPLAINT_LINE_MAX bytes
 *   LONG   char *, multi-line UTF-8 (newlines allowed), at most COMPLAINT_TEXT_MAX bytes
 *   INT    int64_t
 *   TIME   int64_t ms since the epoch, 0 = not set
 *   MONEY  int64_t fen (1/100 yuan), >= 0
 *   FLAG   int64_t, 0 or 1
 *   RIGHTS int64_t, the mask of COMPLAINT_RIGHTS bits
 *   STATE CHANNEL PARTY ACTING BUSINESS PRIORITY COMPLEXITY PAUSE OUTCOME NOTIFY REVIEW
 *   MEDIATION: int64_t, an enum (CFT_ENUM): the index into that table above, shown by its
 *          wire name (complaint_field_info gives the names and keys)
 * flags: CF_REG, required to register (the law's mandatory content); CF_AUTO, set by the
 * model or the store, never typed (the form shows it read-only); CF_OPT, a number whose 0
 * means "none" (shown empty).
 * The order is the form's and the export's order. */
#define CF_REG 1u
#define CF_AUTO 2u
#define CF_OPT 4u

#define COMPLAINT_FIELDS(X)                                                                  \
	X(number, TEXT, "complaint.f.number", CF_AUTO)                                      \
	X(uid, TEXT, "complaint.f.uid", CF_AUTO)                                            \
	X(version, INT, "complaint.f.version", CF_AUTO)                                     \
	X(state, STATE, "complaint.f.state", CF_AUTO)                                        \
	X(received_at, TIME, "complaint.f.received_at", CF_REG)                             \
	X(channel, CHANNEL, "complaint.f.channel", CF_REG)                                     \
	X(source_ref, TEXT, "complaint.f.source_ref", 0)                                    \
	X(party, PARTY, "complaint.f.party", CF_REG)                                         \
	X(name, TEXT, "complaint.f.name", CF_REG)                                           \
	X(id_type, TEXT, "complaint.f.id_type", 0)                                          \
	X(id_no, TEXT, "complaint.f.id_no", 0)                                              \
	X(phone, TEXT, "complaint.f.phone", CF_REG)                                         \
	X(address, TEXT, "complaint.f.address", 0)                                          \
	X(acting, ACTING, "complaint.f.acting", 0)                                            \
	X(agent_name, TEXT, "complaint.f.agent_name", 0)                                    \
	X(agent_id_no, TEXT, "complaint.f.agent_id_no", 0)                                  \
	X(agent_phone, TEXT, "complaint.f.agent_phone", 0)                                  \
	X(agent_proof, TEXT, "complaint.f.agent_proof", 0)                                  \
	X(group_size, INT, "complaint.f.group_size", 0)                                     \
	X(representatives, TEXT, "complaint.f.representatives", 0)                          \
	X(policy_no, TEXT, "complaint.f.policy_no", 0)                                      \
	X(plate, TEXT, "complaint.f.plate", 0)                                              \
	X(vin, TEXT, "complaint.f.vin", 0)                                                  \
	X(ticket_id, INT, "complaint.f.ticket_id", CF_OPT)                                       \
	X(ticket_linked_at, TIME, "complaint.f.ticket_linked_at", CF_AUTO)                  \
	X(ticket_timeline, LONG, "complaint.f.ticket_timeline", CF_AUTO)                    \
	X(respondent_unit, TEXT, "complaint.f.respondent_unit", CF_REG)                     \
	X(respondent_staff, TEXT, "complaint.f.respondent_staff", 0)                        \
	X(supplier, TEXT, "complaint.f.supplier", 0)                                        \
	X(request, LONG, "complaint.f.request", CF_REG)                                     \
	X(facts, LONG, "complaint.f.facts", CF_REG)                                         \
	X(grounds, LONG, "complaint.f.grounds", 0)                                          \
	X(amount_claimed, MONEY, "complaint.f.amount_claimed", CF_OPT)                           \
	X(written_signed, FLAG, "complaint.f.written_signed", 0)                            \
	X(business, BUSINESS, "complaint.f.business", CF_REG)                                   \
	X(cause, TEXT, "complaint.f.cause", CF_REG)                                         \
	X(rights, RIGHTS, "complaint.f.rights", 0)                                          \
	X(priority, PRIORITY, "complaint.f.priority", 0)                                        \
	X(complexity, COMPLEXITY, "complaint.f.complexity", 0)                                    \
	X(handler, TEXT, "complaint.f.handler", 0)                                          \
	X(conflict_checked, FLAG, "complaint.f.conflict_checked", 0)                        \
	X(reject_reason, LONG, "complaint.f.reject_reason", 0)                              \
	X(ack_at, TIME, "complaint.f.ack_at", CF_AUTO)                                      \
	X(last_contact_at, TIME, "complaint.f.last_contact_at", 0)                          \
	X(clock_start, TIME, "complaint.f.clock_start", CF_AUTO)                            \
	X(new_facts_at, TIME, "complaint.f.new_facts_at", 0)                                \
	X(extension_level, INT, "complaint.f.extension_level", CF_AUTO)                     \
	X(extension_reason, LONG, "complaint.f.extension_reason", 0)                        \
	X(extension_approver, TEXT, "complaint.f.extension_approver", 0)                    \
	X(extension_notified_at, TIME, "complaint.f.extension_notified_at", 0)              \
	X(pause_reason, PAUSE, "complaint.f.pause_reason", 0)                                \
	X(pause_notified_at, TIME, "complaint.f.pause_notified_at", 0)                      \
	X(decision_at, TIME, "complaint.f.decision_at", CF_AUTO)                            \
	X(outcome, OUTCOME, "complaint.f.outcome", 0)                                          \
	X(decision_facts, LONG, "complaint.f.decision_facts", 0)                            \
	X(decision_basis, LONG, "complaint.f.decision_basis", 0)                            \
	X(decision_remedies, LONG, "complaint.f.decision_remedies", 0)                      \
	X(notified_at, TIME, "complaint.f.notified_at", CF_AUTO)                            \
	X(notify_method, NOTIFY, "complaint.f.notify_method", 0)                              \
	X(notify_proof, TEXT, "complaint.f.notify_proof", 0)                                \
	X(compensation, MONEY, "complaint.f.compensation", 0)                               \
	X(goodwill, MONEY, "complaint.f.goodwill", 0)                                       \
	X(goodwill_approver, TEXT, "complaint.f.goodwill_approver", 0)                      \
	X(goodwill_role, TEXT, "complaint.f.goodwill_role", 0)                              \
	X(accepted, FLAG, "complaint.f.accepted", 0)                                        \
	X(review_requested_at, TIME, "complaint.f.review_requested_at", 0)                  \
	X(review_decided_at, TIME, "complaint.f.review_decided_at", CF_AUTO)                \
	X(review_result, REVIEW, "complaint.f.review_result", 0)                              \
	X(mediation_org, TEXT, "complaint.f.mediation_org", 0)                              \
	X(mediation_applied_at, TIME, "complaint.f.mediation_applied_at", CF_AUTO)          \
	X(mediation_result, MEDIATION, "complaint.f.mediation_result", 0)                        \
	X(mediation_amount, MONEY, "complaint.f.mediation_amount", CF_OPT)                       \
	X(satisfaction, INT, "complaint.f.satisfaction", CF_OPT)                                 \
	X(root_cause, LONG, "complaint.f.root_cause", 0)                                    \
	X(rectification, LONG, "complaint.f.rectification", 0)                              \
	X(recording_refs, TEXT, "complaint.f.recording_refs", 0)                            \
	X(merged_into, TEXT, "complaint.f.merged_into", 0)                                  \
	X(closed_at, TIME, "complaint.f.closed_at", CF_AUTO)

enum complaint_ftype {
	CFT_TEXT, CFT_LONG, CFT_INT, CFT_TIME, CFT_MONEY, CFT_FLAG, CFT_RIGHTS, CFT_ENUM,
};

enum complaint_field {
#define X(m, t, k, f) CF_##m,
	COMPLAINT_FIELDS(X)
#undef X
	COMPLAINT_FIELD_COUNT
};

#define COMPLAINT_CTYPE_TEXT char *
#define COMPLAINT_CTYPE_LONG char *
#define COMPLAINT_CTYPE_INT int64_t
#define COMPLAINT_CTYPE_TIME int64_t
#define COMPLAINT_CTYPE_MONEY int64_t
#define COMPLAINT_CTYPE_FLAG int64_t
#define COMPLAINT_CTYPE_RIGHTS int64_t
#define COMPLAINT_CTYPE_STATE int64_t
#define COMPLAINT_CTYPE_CHANNEL int64_t
#define COMPLAINT_CTYPE_PARTY int64_t
#define COMPLAINT_CTYPE_ACTING int64_t
#define COMPLAINT_CTYPE_BUSINESS int64_t
#define COMPLAINT_CTYPE_PRIORITY int64_t
#define COMPLAINT_CTYPE_COMPLEXITY int64_t
#define COMPLAINT_CTYPE_PAUSE int64_t
#define COMPLAINT_CTYPE_OUTCOME int64_t
#define COMPLAINT_CTYPE_NOTIFY int64_t
#define COMPLAINT_CTYPE_REVIEW int64_t
#define COMPLAINT_CTYPE_MEDIATION int64_t

#define COMPLAINT_LINE_MAX 200          /* bytes of a TEXT field */
#define COMPLAINT_TEXT_MAX 8000         /* bytes of a LONG field */
#define COMPLAINT_TIMELINE_MAX 65536    /* bytes of ticket_timeline, the frozen evidence */
#define COMPLAINT_NUMBER_LEN 18         /* "TS-YYYYMMDD-NNNNNN" */
#define COMPLAINT_GROUP_REPS_MAX 5      /* representatives of a group complaint face to face */
#define COMPLAINT_PAUSES_MAX 64
#define COMPLAINT_TIME_MAX INT64_C(253402300799999) /* 9999-12-31T23:59:59.999Z */

/* One stop of the legal clock: external appraisal, testing or valuation. end 0: still on. */
struct complaint_pause {
	int64_t reason;         /* enum complaint_pause_reason */
	int64_t start, end;     /* ms */
	int64_t notified_at;    /* when the complainant was told (required) */
};

struct complaint {
	int64_t id;             /* the store's row id, 0 before the first save */
#define X(m, t, k, f) COMPLAINT_CTYPE_##t m;
	COMPLAINT_FIELDS(X)
#undef X
	struct complaint_pause *pauses; /* oldest first; owned */
	size_t n_pauses;
};

/* The description of a field (static). */
struct complaint_field_info {
	const char *name;               /* the member and column name, "received_at" */
	enum complaint_ftype type;
	const char *const *names;       /* CFT_ENUM: wire names, index = value; else NULL */
	const char *const *keys;        /* CFT_ENUM: catalog keys, index = value; else NULL */
	size_t n_names;
	const char *key;                /* catalog key of the label */
	unsigned flags;                 /* CF_REG, CF_AUTO, CF_OPT */
};
const struct complaint_field_info *complaint_field_info(enum complaint_field f);
/* The field of this name, or -1. */
int complaint_field_by_name(const char *name);

/* A new record in state RECEIVED, received at now_ms (clock_start too), priority normal,
 * complexity simple, acting self, group size 1, version 0. */
struct complaint *complaint_new(int64_t now_ms);
struct complaint *complaint_copy(const struct complaint *c);
void complaint_free(struct complaint *c); /* NULL is fine */

/* The numeric value of a non-string field, and setting it (no validation). */
int64_t complaint_field_int(const struct complaint *c, enum complaint_field f);
void complaint_field_set_int(struct complaint *c, enum complaint_field f, int64_t v);
/* The string of a TEXT or LONG field ("" when unset; borrowed from c), and setting it (a
 * copy; NULL clears). */
const char *complaint_field_str(const struct complaint *c, enum complaint_field f);
void complaint_field_set_str(struct complaint *c, enum complaint_field f, const char *s);

/* Times in China civil time: "YYYY-MM-DD HH:MM:SS" into buf (at least 20 bytes; "" for 0),
 * and back: "YYYY-MM-DD HH:MM:SS", "YYYY-MM-DD HH:MM" or "YYYY-MM-DD" (midnight) to ms, or
 * -1 when s is none of them or no real date. */
void complaint_time_format(char *buf, size_t size, int64_t ms);
int64_t complaint_time_parse(const char *s);
/* Money in fen as yuan "1234.56" into buf (at least 24 bytes), and back ("1234", "1234.5",
 * "1234.56"): 0 and *fen, or -1. */
void complaint_money_format(char *buf, size_t size, int64_t fen);
int complaint_money_parse(const char *s, int64_t *fen);

/* Any field as text (see the top of this file; "" when unset): a string the caller frees. */
char *complaint_field_get(const struct complaint *c, enum complaint_field f);
/* Set any field from its text form: COMPLAINT_OK, or the error (COMPLAINT_E_FORMAT for text
 * that is no value of the type; c unchanged then). Only the form of the value is checked
 * here; complaint_field_check checks the rules. */
int complaint_field_set(struct complaint *c, enum complaint_field f, const char *text);
/* Whether two records hold the same value in f. */
bool complaint_field_equal(const struct complaint *a, const struct complaint *b,
    enum complaint_field f);

/* ---- errors ----------------------------------------------------------------------------
 * One table for both field errors and refused transitions: X(ENUM, "catalog key").
 * COMPLAINT_OK is 0. */
#define COMPLAINT_ERRORS(X)                                                             \
	X(OK, "")                                                                      \
	X(E_REQUIRED, "complaint.err.required")                                        \
	X(E_FORMAT, "complaint.err.format")                                            \
	X(E_TOO_LONG, "complaint.err.too_long")                                        \
	X(E_NOT_UTF8, "complaint.err.not_utf8")                                        \
	X(E_CONTROL, "complaint.err.control")                                          \
	X(E_NUMBER, "complaint.err.number")                                            \
	X(E_FUTURE, "complaint.err.future")                                            \
	X(E_BEFORE_RECEIPT, "complaint.err.before_receipt")                            \
	X(E_PHONE, "complaint.err.phone")                                              \
	X(E_PLATE, "complaint.err.plate")                                              \
	X(E_VIN, "complaint.err.vin")                                                  \
	X(E_SUBJECT, "complaint.err.subject")                                          \
	X(E_AGENT, "complaint.err.agent")                                              \
	X(E_HEIR, "complaint.err.heir")                                                \
	X(E_GROUP, "complaint.err.group")                                              \
	X(E_REPRESENTATIVES, "complaint.err.representatives")                          \
	X(E_MONEY, "complaint.err.money")                                              \
	X(E_CAUSE, "complaint.err.cause")                                              \
	X(E_CAUSE_BUSINESS, "complaint.err.cause_business")                            \
	X(E_RIGHTS, "complaint.err.rights")                                            \
	X(E_ENUM, "complaint.err.enum")                                                \
	X(E_SOURCE_REF, "complaint.err.source_ref")                                    \
	X(E_SATISFACTION, "complaint.err.satisfaction")                                \
	X(E_MEDIATION_ORG, "complaint.err.mediation_org")                              \
	X(E_GOODWILL_APPROVER, "complaint.err.goodwill_approver")                      \
	X(E_GOODWILL_ROLE, "complaint.err.goodwill_role")                              \
	X(E_GOODWILL_LIMIT, "complaint.err.goodwill_limit")                            \
	X(E_MERGE_SELF, "complaint.err.merge_self")                                    \
	X(E_NUMBER_FORM, "complaint.err.number_form")                                  \
	X(E_NEEDS_SUPERVISOR, "complaint.err.needs_supervisor")                        \
	X(E_APPROVER_SENDER, "complaint.err.approver_sender")                          \
	X(E_APPROVER_ROLE, "complaint.err.approver_role")                              \
	X(E_MASKED, "complaint.err.masked")                                            \
	X(W_STATE, "complaint.why.state")                                              \
	X(W_REJECT_REASON, "complaint.why.reject_reason")                              \
	X(W_HANDLER, "complaint.why.handler")                                          \
	X(W_CONFLICT, "complaint.why.conflict")                                        \
	X(W_PAUSE_REASON, "complaint.why.pause_reason")                                \
	X(W_PAUSE_NOTICE, "complaint.why.pause_notice")                                \
	X(W_NOT_COMPLEX, "complaint.why.not_complex")                                  \
	X(W_NOT_SPECIAL, "complaint.why.not_special")                                  \
	X(W_EXTENSION_REASON, "complaint.why.extension_reason")                        \
	X(W_EXTENSION_APPROVER, "complaint.why.extension_approver")                    \
	X(W_EXTENSION_NOTICE, "complaint.why.extension_notice")                        \
	X(W_OUTCOME, "complaint.why.outcome")                                          \
	X(W_DECISION_CONTENT, "complaint.why.decision_content")                        \
	X(W_NOTIFY_METHOD, "complaint.why.notify_method")                              \
	X(W_REVIEW_WINDOW, "complaint.why.review_window")                              \
	X(W_REVIEW_DATE, "complaint.why.review_date")                                  \
	X(W_REVIEW_RESULT, "complaint.why.review_result")                              \
	X(W_MEDIATION_ORG, "complaint.why.mediation_org")                              \
	X(W_MEDIATION_RESULT, "complaint.why.mediation_result")                        \
	X(W_NOT_ACCEPTED, "complaint.why.not_accepted")                                \
	X(W_SATISFACTION, "complaint.why.satisfaction")                                \
	X(W_MERGE_TARGET, "complaint.why.merge_target")                                \
	X(W_NEW_FACTS, "complaint.why.new_facts")

enum complaint_error {
#define X(e, k) COMPLAINT_##e,
	COMPLAINT_ERRORS(X)
#undef X
	COMPLAINT_ERROR_COUNT
};
/* The catalog key of an error or a refusal ("" for COMPLAINT_OK, "?" out of range). */
const char *complaint_error_key(int e);

/* ---- reference data (data/complaints.ini, data/holidays.ini, data/mediation.ini) ------- */

#define COMPLAINT_ID_MAX 32
#define COMPLAINT_NAME_MAX 96

/* A cause code of data/complaints.ini: business type, label in both languages, the rights
 * it usually affects (a default for the form). */
struct complaint_cause {
	char code[COMPLAINT_ID_MAX];
	int business;                   /* enum complaint_business */
	char name[COMPLAINT_NAME_MAX];
	char name_zh[COMPLAINT_NAME_MAX];
	uint32_t rights;
};

/* A mediation organisation of data/mediation.ini. */
struct complaint_org {
	char id[COMPLAINT_ID_MAX];
	char name[COMPLAINT_NAME_MAX];
	char name_zh[COMPLAINT_NAME_MAX];
	char phone[COMPLAINT_ID_MAX];
};

/* The goodwill payment a role may approve alone, at most max_fen. */
struct complaint_limit {
	char role[COMPLAINT_ID_MAX];
	int64_t max_fen;
};

/* The service's and the law's windows, data/complaints.ini [clocks]. */
struct complaint_policy {
	int ack_working_days;           /* acknowledgement due, working days after receipt (1) */
	int update_days;                /* keep-in-loop contact every this many days (3) */
	int decision_days[3];           /* legal decision: 15, 30, 60 calendar days */
	int review_window_days;         /* a review may be requested this long after notice (30) */
	int review_decision_days;       /* a review is decided this long after the request (30) */
	int amber_pct;                  /* a clock turns amber at this share of its window (80) */
};

struct complaint_data {
	struct complaint_policy policy;
	struct complaint_cause *causes; /* in file order */
	size_t n_causes;
	struct complaint_org *orgs;
	size_t n_orgs;
	struct complaint_limit *limits; /* ascending max_fen */
	size_t n_limits;
	int64_t *holidays;              /* civil days (civil_days_from_date), sorted: days off */
	size_t n_holidays;
	int64_t *workdays;              /* sorted: weekend days that are working days (调休) */
	size_t n_workdays;
};

/* The defaults above, no causes, no organisations, no limits, no holidays. */
void complaint_policy_default(struct complaint_policy *p);
void complaint_data_free(struct complaint_data *d); /* NULL is fine */
const struct complaint_cause *complaint_data_cause(const struct complaint_data *d,
    const char *code);
const struct complaint_org *complaint_data_org(const struct complaint_data *d,
    const char *id);
/* The limit of a role, or -1 when the role is not in [limits]. */
int64_t complaint_data_limit(const struct complaint_data *d, const char *role);
/* Whether civil day `day` is a working day: Monday to Friday unless a holiday, or a
 * make-up working day. d NULL: Monday to Friday. */
bool complaint_working_day(const struct complaint_data *d, int64_t day);

/* ---- validation ------------------------------------------------------------------------
 * complaint_field_check: the rules of one field in the context of the whole record at
 * now_ms; d may be NULL (no cause, organisation or limit checks). complaint_check: every
 * field, the first error and (if field non-NULL) its field, in table order; with
 * registration true the CF_REG fields and the conditional ones (agent, heir, subject) are
 * required. */
int complaint_field_check(const struct complaint *c, enum complaint_field f,
    const struct complaint_data *d, int64_t now_ms);
int complaint_check(const struct complaint *c, const struct complaint_data *d,
    int64_t now_ms, bool registration, int *field);
/* "TS-YYYYMMDD-NNNNNN" for a complaint received at received_ms (China date), sequence
 * seq (1..999999) of that day, into buf (at least COMPLAINT_NUMBER_LEN + 1 bytes). */
void complaint_number_format(char *buf, size_t size, int64_t received_ms, int seq);
bool complaint_number_valid(const char *s);

/* ---- who may change what (issue 11) ---------------------------------------------------
 * The broker checks each saved version against the one it holds: what changed, not what
 * the record holds, needs a role, so an agent may save again a record a supervisor
 * approved earlier. An approval is recorded under the user who sends it, never a name
 * typed for someone else. The roles are those of the broker the model knows by [limits]
 * names; a console of another role (sim) counts as a supervisor here. */
#define COMPLAINT_ROLES(X)                                                              \
	X(AGENT, "agent")                                                              \
	X(SUPERVISOR, "supervisor")

enum complaint_role {
#define X(e, s) COMPLAINT_ROLE_##e,
	COMPLAINT_ROLES(X)
#undef X
	COMPLAINT_ROLE_COUNT
};
const char *complaint_role_name(enum complaint_role r);        /* "agent", "?" */

/* What a change needs: the least role, the field that needs it (-1: none) and, for
 * CF_goodwill, the agent's limit in fen that the payment passes. */
struct complaint_need {
	enum complaint_role role;
	int field;
	int64_t limit;
};

/* The role the change from old (NULL: a new record) to c needs, also in *need (may be
 * NULL): a raised extension_level (to 30 or 60 days) or a changed extension_approver needs
 * a supervisor; so does a goodwill payment above the agent's limit ([limits] agent in d;
 * no such line or d NULL: 0, every payment) when its amount, approver or role changed.
 * Anything else an agent may do. */
enum complaint_role complaint_needs_role(const struct complaint *old,
    const struct complaint *c, const struct complaint_data *d, struct complaint_need *need);
/* The whole check of a change sent by `user` of role `role`: COMPLAINT_OK, or
 * COMPLAINT_E_NEEDS_SUPERVISOR (need says which field and limit), COMPLAINT_E_APPROVER_SENDER
 * (a changed approval names someone else than user: field extension_approver or
 * goodwill_approver), COMPLAINT_E_APPROVER_ROLE (a changed goodwill payment's
 * goodwill_role is not role's name), COMPLAINT_E_MASKED (a field holds the masked form of
 * old's raw value: complaint_masked_field). need->field names the field of a refusal, -1
 * when the change may be made. */
int complaint_may_change(const struct complaint *old, const struct complaint *c,
    const struct complaint_data *d, enum complaint_role role, const char *user,
    struct complaint_need *need);

/* ---- masking for subscribers (PROTOCOL.md 8.7) ------------------------------------------
 * What the complaint stream carries of a person: names as their first character and "*"
 * (ticket_mask_name: name, agent_name, representatives), phone numbers as 138****5678
 * (ticket_mask_phone: phone, agent_phone), ID numbers with only their last 4 characters
 * (id_no, agent_id_no), and the address and every multi-line text (what the customer
 * said, the decision, the frozen ticket timeline, a proof's description) as "***" when
 * not empty. Everything else (numbers, states, dates, amounts, supplier, handler, policy
 * number, plate, VIN, cause) as it is: what lists, counts and boards read. */
bool complaint_field_masked(enum complaint_field f);
/* The masked form of field f's value in c into a string the caller frees ("" when empty;
 * the value itself when f is not masked). Masking a masked value gives it again. */
char *complaint_mask_value(const struct complaint *c, enum complaint_field f);
/* A copy of c with every masked field masked (caller frees with complaint_free). */
struct complaint *complaint_masked(const struct complaint *c);
/* The first field of c that holds the masked form of old's different raw value (a masked
 * copy saved back over the record), or -1. old NULL: -1. */
int complaint_masked_field(const struct complaint *old, const struct complaint *c);

/* ---- the state machine -----------------------------------------------------------------
 * X(ACTION, "wire name", "catalog key"). The table of transitions (from-states, to-state,
 * conditions) is complaint_transitions[] in complaint.c; conditions name the fields that
 * must hold values before the action (filled in the form first). */
#define COMPLAINT_ACTIONS(X)                                                            \
	X(REGISTER, "register", "complaint.act.register")                              \
	X(REJECT, "reject", "complaint.act.reject")                                    \
	X(ACK, "ack", "complaint.act.ack")                                             \
	X(INVESTIGATE, "investigate", "complaint.act.investigate")                     \
	X(PAUSE, "pause", "complaint.act.pause")                                       \
	X(RESUME, "resume", "complaint.act.resume")                                    \
	X(AWAIT, "await", "complaint.act.await")                                       \
	X(REPLIED, "replied", "complaint.act.replied")                                 \
	X(EXTEND, "extend", "complaint.act.extend")                                    \
	X(EXTEND_SPECIAL, "extend_special", "complaint.act.extend_special")            \
	X(DECIDE, "decide", "complaint.act.decide")                                    \
	X(NOTIFY, "notify", "complaint.act.notify")                                    \
	X(REQUEST_REVIEW, "request_review", "complaint.act.request_review")            \
	X(DECIDE_REVIEW, "decide_review", "complaint.act.decide_review")               \
	X(MEDIATE, "mediate", "complaint.act.mediate")                                 \
	X(MEDIATION_END, "mediation_end", "complaint.act.mediation_end")               \
	X(CLOSE, "close", "complaint.act.close")                                       \
	X(NEW_FACTS, "new_facts", "complaint.act.new_facts")                           \
	X(WITHDRAW, "withdraw", "complaint.act.withdraw")                              \
	X(MERGE, "merge", "complaint.act.merge")

enum complaint_action {
#define X(e, s, k) COMPLAINT_ACT_##e,
	COMPLAINT_ACTIONS(X)
#undef X
	COMPLAINT_ACTION_COUNT
};

/* One row of the transition table: the action from any state of the from mask
 * (1u << state) goes to `to` (MEDIATION_END goes to MEDIATED or MEDIATION_FAILED by
 * mediation_result; RESUME and REPLIED back to INVESTIGATING or the extension the
 * complaint was in: `to` is then -1). */
struct complaint_transition {
	enum complaint_action action;
	uint32_t from;
	int to;
};
extern const struct complaint_transition complaint_transitions[];
extern const size_t complaint_n_transitions;

/* Whether action a may happen now: COMPLAINT_OK, or the reason it may not (a W_ code, or
 * a field error of the record when the action needs a valid record; then *field, if
 * non-NULL, is the field). */
int complaint_can(const struct complaint *c, enum complaint_action a,
    const struct complaint_data *d, int64_t now_ms, int *field);
/* Do it: checks as complaint_can, then moves the state and sets the automatic fields
 * (ack_at, decision_at, notified_at, the pauses, the extension level, clock_start on new
 * facts, closed_at, ...). Returns COMPLAINT_OK or the reason, c unchanged then. */
int complaint_apply(struct complaint *c, enum complaint_action a,
    const struct complaint_data *d, int64_t now_ms, int *field);
/* The actions possible from c's state (bit 1u << action), whatever their conditions. */
uint32_t complaint_actions_from(enum complaint_state s);

/* ---- clocks -------------------------------------------------------------------------- */

#define COMPLAINT_CLOCKS(X)                                                             \
	X(ACK, "ack", "complaint.clock.ack")                                           \
	X(UPDATE, "update", "complaint.clock.update")                                  \
	X(DECISION, "decision", "complaint.clock.decision")                            \
	X(REVIEW_WINDOW, "review_window", "complaint.clock.review_window")             \
	X(REVIEW_DECISION, "review_decision", "complaint.clock.review_decision")

enum complaint_clock_kind {
#define X(e, s, k) COMPLAINT_CLOCK_##e,
	COMPLAINT_CLOCKS(X)
#undef X
	COMPLAINT_CLOCK_COUNT
};

enum complaint_clock_status {
	COMPLAINT_CLOCK_OFF,    /* not running in this state */
	COMPLAINT_CLOCK_OK,
	COMPLAINT_CLOCK_AMBER,  /* amber_pct of the window used */
	COMPLAINT_CLOCK_RED,    /* overdue */
};

struct complaint_clock {
	enum complaint_clock_status status;
	int64_t start, due;     /* ms; due is local midnight ending the last day */
	int64_t paused_days;    /* DECISION: calendar days the clock stood still */
	bool stopped;           /* DECISION: paused now (the due date moves while it is) */
};

/* Every clock of c at now_ms (d NULL: the default policy, weekends only). Days are China
 * civil days; a window of N days ends at the midnight after the Nth day following the day
 * of the start (the start day does not count). With a time of c or now_ms outside 0 ..
 * COMPLAINT_TIME_MAX every clock is off. */
void complaint_clocks(const struct complaint *c, const struct complaint_data *d,
    int64_t now_ms, struct complaint_clock out[COMPLAINT_CLOCK_COUNT]);
/* The running clock due first, or -1 when none runs; *clock (if non-NULL) gets it. */
int complaint_clock_nearest(const struct complaint *c, const struct complaint_data *d,
    int64_t now_ms, struct complaint_clock *clock);
/* The end of the working day `n` working days after the civil day of t_ms (ms). */
int64_t complaint_add_working_days(const struct complaint_data *d, int64_t t_ms, int n);

/* ---- names -------------------------------------------------------------------------- */
const char *complaint_state_name(enum complaint_state s);       /* wire name, "?" */
const char *complaint_state_key(enum complaint_state s);        /* catalog key */
int complaint_state_from_name(const char *s);                   /* or -1 */
const char *complaint_action_name(enum complaint_action a);
const char *complaint_action_key(enum complaint_action a);
int complaint_action_from_name(const char *s);
const char *complaint_clock_name(enum complaint_clock_kind k);
const char *complaint_clock_key(enum complaint_clock_kind k);
const char *complaint_right_name(enum complaint_right r);
const char *complaint_right_key(enum complaint_right r);
/* Every catalog key this module names, for tests that check the catalogs: calls cb once
 * for each (states, enums, fields, errors, actions, clocks, rights). */
void complaint_catalog_keys(void (*cb)(void *user, const char *key), void *user);

/* ---- serialisation (draft, outbox) ---------------------------------------------------
 * One "name=value" line per non-empty field in table order, then one "pause=reason,start,
 * end,notified" line per pause; values are the text forms with '\\' and newline escaped
 * as "\\\\" and "\\n". complaint_encode returns a string the caller frees; complaint_decode
 * a new record, or NULL when a line is not name=value of a known field, or a value does not
 * parse (unknown names are refused: the same build reads what it wrote). id is not part of
 * it. */
char *complaint_encode(const struct complaint *c);
struct complaint *complaint_decode(const char *text);

#endif
