/* present.h: how the console words and colours tickets, trucks and times, shared by the
 * views so the board, the detail and the form say the same thing the same way.
 *
 * Labels translate the names of ticket.h and of the protocol ("en_route", "battery",
 * "overdue") through the catalogs (state.*, fault.*, kind.*, truck.*, eta.*, and the keys
 * of src/model/kinds.h for warning kinds, levels and event kinds); a name with no catalog entry
 * is shown as it is, so data from a newer broker still reads. Returned strings are borrowed: catalog text (valid until the next i18n_load) or
 * the argument itself.
 *
 * Pure apart from i18n lookups: time is passed in (model->now), nothing reads the clock. */
#ifndef RD_PRESENT_H
#define RD_PRESENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "data.h"
#include "flow.h"
#include "proto.h"
#include "theme.h"

const char *present_state(const char *state);
const char *present_fault(const char *fault);
const char *present_kind(const char *kind);
const char *present_truck_status(const char *status);
const char *present_warn_kind(const char *kind);
const char *present_warn_level(const char *level);
const char *present_event_kind(const char *kind);
const char *present_eta_src(const char *src);
/* The region's name in the UI language (name_zh for zh_CN), or id if d does not know it. */
const char *present_region(const struct data *d, const char *id);
/* The supplier's name from the data, or id. */
const char *present_supplier(const struct data *d, const char *region, const char *id);

/* The text of warning w in the UI language, worded at now from its kind and parameters
 * (catalog templates "warn.<kind>.text" and variants, PROTOCOL.md 8.3), so the minutes are
 * current: t is its ticket (NULL: not held), whose current ETA and window are used when
 * known. The wire's English text is used for a kind this console does not know and for a
 * warning from an older broker, which has no parameters. */
void present_warning_text(const struct proto_warning *w, const struct proto_ticket *t,
    int64_t now, char *out, size_t outsz);

/* The text of event e of a ticket's timeline in the UI language, worded from its code and
 * params (PROTOCOL.md 8.4) with the catalog template "ev.<code>" and, for each optional
 * parameter present, the addition "ev.<code>.<param>" when the catalog has one (after a
 * space unless it starts with punctuation: ",", ":", "，", ...). Names of
 * states, kinds, faults, regions and suppliers (d), statuses and ETA sources are translated; flow ids
 * become the texts of flows (NULL: ids stay) in the UI language. An event without a code
 * (logged by an older broker) or with a code this console does not know shows its detail. */
void present_event_text(const struct proto_event *e, const struct data *d,
    const struct flow_set *flows, char *out, size_t outsz);

/* An error the console shows (a broker's reply, or the client's own: no reply, not
 * connected), worded by the catalog template "err.text" from {message} (the English words
 * the error came with) and {code} (the catalog's "err.<code>" for its code, section 13):
 * English shows the message, other languages the code's words. e NULL: no answer. */
void present_error(const struct proto_error *e, char *out, size_t outsz);
/* The same, but a refusal with a machine form the catalog words ("err.why.<reason>", with
 * its params: PROTOCOL.md 5.2) reads from it in any language, names translated (regions
 * through d, which may be NULL: then their ids), so "location is 1336 km from region
 * changsha" reads in Chinese with its numbers. */
void present_error_data(const struct proto_error *e, const struct data *d, char *out,
    size_t outsz);

/* Fill a catalog template: each "{name}" whose name is vars[2 i] becomes vars[2 i + 1]
 * (n pairs); other text, and unknown names, are copied as they are. Truncates to outsz. */
void present_fill(const char *tmpl, const char *const *vars, size_t n, char *out,
    size_t outsz);

/* The colon between a label and its value in the UI language: ": " or "：". Borrowed. */
const char *present_colon(void);

/* The set flags as translated words joined by sep ("expressway · injury"); "" if none. */
void present_flags(uint32_t flags, const char *sep, char *out, size_t outsz);
/* The board's one-column mark of the weightiest flag set, ASCII so it reads the same in
 * mono and in every language: "+" injury, "^" a woman alone at night or children or
 * elderly aboard, "=" on an expressway; NULL if none. Static. */
const char *present_flag_glyph(uint32_t flags);
/* A short age or duration: "12s" under a minute, else model_fmt_minutes() ("5m", "1h05"). */
void present_age(int64_t ms, char *out, size_t outsz);

/* true when the ticket has an ETA (present and set). */
bool present_eta_known(const struct proto_ticket *t);
/* true for the states before the truck is on scene (new .. en_route). */
bool present_before_scene(const struct proto_ticket *t);

/* How a ticket stands against its promised arrival, by the rules the broker raises its
 * warnings with (src/model/monitor.h), so the board, the counts and the broker agree. */
enum present_due {
	PRESENT_DUE_NONE,	/* nothing to count down: on scene, closed, no promise */
	PRESENT_DUE_OK,
	PRESENT_DUE_SOON,	/* amber: at risk (eta_late amber), or an amber warning */
	PRESENT_DUE_LATE	/* red: late (overdue, eta_late red), or a red warning */
};

/* The standing of t at now (broker ms) under sla (NULL: the shipped thresholds) with
 * warning level warn (0, 1 amber, 2 red), the worst of its active warnings. */
enum present_due present_due(const struct data_sla *sla, const struct proto_ticket *t,
    int64_t now, int warn);
/* ROLE_NORMAL, ROLE_WARN or ROLE_LATE. */
enum theme_role present_due_role(enum present_due d);

/* Split utf8 into lines of at most width columns, breaking after a space when the line has
 * one, else on any character boundary (so CJK text wraps anywhere), and at '\n'. Stores
 * up to max (start, length) byte ranges and returns the total number of lines (which may
 * be more than max). Leading spaces of continued lines are skipped. */
size_t present_wrap(const char *utf8, int width, size_t *starts, size_t *lens, size_t max);

#endif
