/* tally.h: the supervisor's figures of a time range, folded from the broker's event log:
 * per supplier (offers, acceptances, declines, time-outs, time to accept, arrivals, late
 * arrivals, response time, complaints), per agent (calls taken, warnings acknowledged and
 * whether in time), per hour of the range (calls, arrivals, response time) and one row per
 * rescue that reached the scene. The boards (stats.board, PROTOCOL.md 7.33) and the
 * reports are computed by this one fold, so the screens and the reports agree.
 *
 * Input: the log's events in id order (store_events_range gives them), each as a struct
 * tally_event: its time, stream, entity, kind, code, user and the two msgpack blobs the log
 * keeps (the entity after the change, the code's parameters). Events outside [from, to)
 * are not counted, but an offer before `from` still tells whose its truck is (so a walk may
 * start a little earlier to place the trucks of early offers). What each figure counts (PROTOCOL.md 7.33 says the same for clients):
 *   offers      ticket events `offer`, by the supplier the offer names;
 *   accepted    ticket events `accept`, by the supplier of the truck;
 *   declines    ticket events of kind `decline` (declined offers, jobs given back);
 *   timeouts    ticket events `timeout`;
 *   accept time accept's time minus the time of the same truck's offer of that ticket
 *               (only when that offer is in the range too); median over the accepts;
 *   arrived     ticket events `state` to `on_scene` (the truck's supplier);
 *   late        of those, on scene after the ticket's `promised` (as it was then);
 *   response    on scene minus `created`, summed (the mean is sum / arrived);
 *   complaints  complaint events `saved` of a complaint's first version, by the complaint's
 *               `supplier` key;
 *   calls       ticket events `created`, by the ticket's `created_by` (else the event's
 *               user; neither: not counted for an agent, still counted in the hours);
 *   warnings    warning events `owned`, by `by` (the user who acknowledged);
 *   in time     of those, the warning was not escalated at the ack and, when red, had been
 *               red for less than escalate_after_s (its `ts`: when it turned red).
 * By day of the range (days of 24 h from `from`: China days when `from` is a China
 * midnight), for the reports:
 *   calls       as above; closed: ticket events `state` to `completed` or `resolved_remote`
 *               (code `state` or `solved_phone`), phone: those to `resolved_remote`;
 *   surveys     events of kind `survey` (any stream) with a `score` param in [0, 10]:
 *               promoters 9-10, passives 7-8, detractors 0-6.
 * By complaint cause (the record's `cause`, from the complaint events' bodies): the
 * complaints first stored in the range (version 1), of them decided by `to` (a version
 * with `decision_at`), decided in time (`decision_at` not after the last `decision_due`
 * the broker published for the complaint), extended (`extension_level` > 0 in its last
 * version before `to`), and overdue (not decided, and its last `decision_due` before
 * `to`).
 * A supplier of an event whose truck the fold cannot place (no offer seen, not made known
 * by tally_know_truck) counts under the supplier "".
 *
 * Pure: no I/O, no clock; time is passed in (ms since the Unix epoch).
 * Ownership: a struct tally is the caller's (tally_free); its rows and strings are its own,
 * valid until tally_free. Blobs and strings of a tally_event are borrowed for the call. */
#ifndef RD_TALLY_H
#define RD_TALLY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TALLY_ID_MAX 33         /* a supplier id or user with its NUL */
#define TALLY_HOURS_MAX 24      /* hourly buckets kept from `from` */
#define TALLY_DAYS_MAX 93       /* daily buckets kept from `from` */
#define TALLY_CAUSE_MAX 49      /* a complaint cause with its NUL */

/* One event of the log, as store_events_range hands it (blobs may be NULL/0). */
struct tally_event {
	int64_t ts;
	const char *stream;     /* "ticket", "truck", "warning", "complaint", ... */
	const char *entity;     /* the entity's id as text */
	const char *kind;
	const char *code;       /* "" or NULL: none */
	const char *user;
	const void *body;
	size_t body_len;
	const void *params;
	size_t params_len;
};

struct tally_supplier {
	char id[TALLY_ID_MAX];
	int64_t offers, accepted, declines, timeouts;
	int64_t accept_median_ms;   /* -1: no accept with its offer in the range */
	int64_t arrived, late;
	int64_t response_ms;        /* sum over arrived */
	int64_t complaints;
};

struct tally_agent {
	char user[TALLY_ID_MAX];
	int64_t calls;
	int64_t warnings;           /* acknowledged (owned) */
	int64_t acked_in_time;
};

struct tally_hour {
	int64_t calls;
	int64_t arrived;
	int64_t response_ms;        /* sum over arrived */
};

struct tally_day {
	int64_t calls, closed, phone;
	int64_t surveys, promoters, passives, detractors;
};

struct tally_cause {
	char cause[TALLY_CAUSE_MAX];
	int64_t received, decided, in_time, extended, overdue;
};

/* A rescue that reached the scene in the range (the `responses` report's row). */
struct tally_rescue {
	int64_t ticket;
	char region[TALLY_ID_MAX];
	char supplier[TALLY_ID_MAX];
	char truck[25];
	int64_t created, on_scene, promised;
};

struct tally {
	int64_t from, to;
	int64_t escalate_after_ms;
	/* after tally_finish: sorted by id / user / ticket */
	struct tally_supplier *suppliers;
	size_t n_suppliers;
	struct tally_agent *agents;
	size_t n_agents;
	struct tally_hour hours[TALLY_HOURS_MAX]; /* hour h: [from + h h, from + (h+1) h) */
	struct tally_rescue *rescues;
	size_t n_rescues;
	struct tally_day days[TALLY_DAYS_MAX]; /* day d: [from + d days, from + (d+1) days) */
	size_t n_days;              /* the range's days (at most TALLY_DAYS_MAX) */
	struct tally_cause *causes; /* after tally_finish, by cause */
	size_t n_causes;
	int64_t events;             /* events folded (in the range) */
	struct tally_priv *priv;
};

/* A fold of [from, to); escalate_after_s as in data/sla.ini. */
struct tally *tally_create(int64_t from, int64_t to, int escalate_after_s);
void tally_free(struct tally *t); /* NULL is fine */
/* Make truck's supplier known before the fold (the broker's truck table): events of a
 * truck whose offer is before the range then count for it. A supplier with no events gets
 * no row unless named here (or by tally_supplier_row). */
void tally_know_truck(struct tally *t, const char *truck, const char *supplier);
/* The row of supplier id (made when absent): the broker adds its live counts to it. */
struct tally_supplier *tally_supplier_row(struct tally *t, const char *id);
/* The row of an agent (made when absent). */
struct tally_agent *tally_agent_row(struct tally *t, const char *user);
/* Fold one event; events must come in log order. Blobs that do not decode are skipped
 * (the event still counts where it needs no blob). */
void tally_add(struct tally *t, const struct tally_event *ev);
/* Compute the medians and sort the rows; call once, after the last tally_add. */
void tally_finish(struct tally *t);

/* Figures the screens and the reports derive the same way: a share in [0, 1] (false when
 * den is 0: show "-"), and a mean rounded to the nearest whole (false when n is 0). */
bool tally_share(int64_t num, int64_t den, double *out);
bool tally_mean(int64_t sum, int64_t n, int64_t *out);

#endif
