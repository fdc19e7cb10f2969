/* monitor.h: when a ticket is late, at risk, or needs an agent: the delay warnings and the
 * ticket's standing against its promise, decided in this one place. Pure: no I/O, no clock
 * (now is passed in, ms, broker time).
 *
 * The broker (src/broker/broker-ops.c, monitoring) fills a neutral view of each open ticket and
 * its truck, asks monitor_check() which warnings must be active, raises, changes and clears
 * its warnings to match, and publishes each with its parameters (proto/PROTOCOL.md 8.3).
 * The console (ui/present.c, ui/board.c, ui/model.c) asks monitor_classify() for its late
 * and at-risk counts, colours and urgency, so a ticket is amber on the board exactly when
 * the broker's eta_late rule holds, and red exactly when eta_late is red or overdue holds.
 *
 * The rules, thresholds from data/sla.ini (struct data_sla):
 *   not_accepted  the ticket is dispatched, or back in new, and more than not_accepted_s
 *                 have passed since the first offer of its round (amber)
 *   gps_lost      accepted or en_route with a truck that has no position or a fix older
 *                 than gps_stale_s (amber; red past 3 x gps_stale_s)
 *   stalled       en_route, GPS not stale, and the truck has not moved 50 m for more than
 *                 stalled_s between fix timestamps (amber)
 *   overdue       not yet on scene and the promise has passed (red)
 *   eta_late      not yet on scene, not overdue, and the ETA is later than the promise
 *                 minus late_margin_s, or more than window_pct % of the time from the call
 *                 to the promise has passed (red when the ETA is after the promise)
 *   redispatch    accepted or en_route, ETA after the promise, and a free truck (ranked by
 *                 the caller, src/model/dispatch.h) arrives at least min_gain_ms sooner (amber)
 *   waiting_agent new, in a region without automatic dispatch (the agent chooses the
 *                 truck), more than waiting_agent_s after the call (amber; red past
 *                 3 x waiting_agent_s)
 *   deviation     en_route, GPS not stale, not stalled, and the truck's distance to the
 *                 car (struct monitor_track) grew at each of the last deviation_fixes
 *                 fixes, by MONITOR_AWAY_M in all (amber), or has not fallen by
 *                 MONITOR_PROGRESS_M for more than deviation_s between fix timestamps
 *                 (amber; red past 2 x deviation_s)
 *   onscene_overrun on_scene for more than onscene_overrun_pct % of the fault's typical
 *                 time on scene (amber; red past twice that)
 *   callback      open, and the customer called again (ticket.callback) no more than
 *                 callback_clear_s ago (amber at the first call again, red from the
 *                 second: the second call is the strongest sign of a failing rescue)
 * One rule is a region's, not a ticket's (monitor_capacity, over struct monitor_region):
 *   capacity      the region has had no able truck free (on duty, available, a position
 *                 fresher than gps_stale_s) for more than capacity_s (amber; red past
 *                 3 x capacity_s, or at once while calls there wait for a truck: a
 *                 customer is kept waiting then, not only the next one at risk);
 *                 reason numbers: a rescue of the region has been dispatched without a
 *                 virtual number, its pool exhausted (amber at once; red while one has
 *                 waited for a number more than capacity_s)
 * "Not yet on scene" is new, dispatched, accepted or en_route. A ticket without a promise
 * (promised <= 0, only from a console's partial data) is never overdue or late.
 *
 * Ownership: everything passed in is borrowed; the strings of a monitor_warning point into
 * the views it was made from and live as long as they do. */
#ifndef RD_MONITOR_H
#define RD_MONITOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "data.h"
#include "kinds.h"
#include "ticket.h"

/* What the monitor needs to know of a ticket. Times in ms, broker time. */
struct monitor_ticket {
	enum ticket_state state;
	int64_t created;
	int64_t promised;         /* promised arrival; <= 0: none */
	int64_t eta;              /* expected arrival; <= 0: unknown */
	int64_t round_start;      /* first offer of the round nobody accepted; 0: none */
	int64_t offers;           /* offers made so far */
	const char *last_offered; /* the truck last offered; NULL or "" unknown */
	bool manual;              /* its region has no automatic dispatch: an agent chooses */
	int64_t on_scene;         /* when the truck reached the car; 0: not yet */
	int64_t typical_onscene_ms; /* its fault's typical time on scene; 0: unknown */
	int64_t callbacks;        /* calls again recorded on it */
	int64_t last_callback;    /* the latest of them; 0: none */
	const struct monitor_track *track; /* its truck's distance to the car; NULL: none */
};

/* The distance from a ticket's truck to the car at its latest fixes while en route (the
 * broker keeps one per ticket and feeds it with monitor_track_add), and when it last fell
 * by MONITOR_PROGRESS_M. */
#define MONITOR_TRACK_MAX 8
#define MONITOR_PROGRESS_M 50.0  /* closer by this much is progress */
#define MONITOR_AWAY_M 200.0     /* farther by this much over the run is driving away */

struct monitor_track {
	int n;                    /* fixes held, oldest first */
	int64_t ts[MONITOR_TRACK_MAX];     /* each fix's own timestamp */
	double dist_m[MONITOR_TRACK_MAX];  /* straight-line distance to the car */
	double closest_m;         /* the distance progress is measured from */
	int64_t closest_ts;       /* the fix it was measured at */
};

/* Add a fix at ts, dist_m from the car (a fix older than the latest is ignored). */
void monitor_track_add(struct monitor_track *tr, int64_t ts, double dist_m);

struct proto_ticket;

/* The view of a ticket's wire form: state, created, promised, eta and on_scene (0 when
 * absent); round_start 0, last_offered NULL, manual false, no callbacks, no typical time and
 * no track, which only the broker knows. A state this build
 * does not know becomes TICKET_STATE_COUNT, which no rule applies to. */
void monitor_ticket_from_wire(const struct proto_ticket *w, struct monitor_ticket *mt);

/* What the monitor needs to know of the ticket's truck. */
struct monitor_truck {
	const char *id;
	bool placed;              /* has a position */
	int64_t fix_ts;           /* its last fix's own timestamp */
	int64_t still_since;      /* since when it has not moved 50 m */
};

/* The caller's best free truck for a re-dispatch (see monitor_wants_proposal). */
struct monitor_proposal {
	const char *truck;
	int64_t travel_ms;        /* its travel time to the ticket from now */
	int64_t min_gain_ms;      /* the least gain worth proposing it (redispatch_gain_s) */
};

/* One warning that must be active (level not NONE), with what its text says. Fields a kind
 * does not use are 0 or NULL. */
/* Why a region's capacity warning is up (the wire's `reason`, PROTOCOL.md 8.3). */
enum monitor_capacity_reason {
	MONITOR_CAP_TRUCKS,       /* "trucks": no able truck free */
	MONITOR_CAP_NUMBERS,      /* "numbers": the region's virtual-number pool is exhausted */
};

struct monitor_warning {
	enum warn_kind kind;
	enum warn_level level;
	int64_t at;         /* the now it was checked at */
	int64_t since;      /* not_accepted: round start; gps_lost: last fix (0 none);
	                     * stalled: still since; overdue: the promise;
	                     * waiting_agent: the call; deviation: the fix the truck was
	                     * last closer at; onscene_overrun: on scene; callback: the
	                     * latest call again */
	int64_t eta;        /* eta_late (by ETA), redispatch: the ticket's ETA;
	                     * onscene_overrun: when a typical job would have ended */
	int64_t promised;   /* eta_late, overdue */
	int64_t late_ms;    /* overdue: now - promise; eta_late by ETA: ETA - promise
	                     * (< 0: before) */
	int64_t age_ms;     /* gps_lost: now - last fix */
	int64_t stall_ms;   /* stalled: last fix - still since */
	int pct;            /* eta_late by window: % of the window used (0: by ETA) */
	int64_t offers;     /* not_accepted; callback: the calls again */
	bool pending;       /* not_accepted: an offer is out (dispatched); deviation: driving
	                     * away (not only no closer) */
	int64_t alt_eta;    /* redispatch: when the proposed truck would arrive */
	int64_t gain_ms;    /* redispatch: how much sooner */
	const char *truck;  /* redispatch: the proposed truck */
	const char *subject; /* the truck it is about: gps_lost, stalled, deviation,
	                      * redispatch (the one it would replace), not_accepted (the last
	                      * offered, NULL unknown) */
	const char *region; /* capacity: the region's id */
	int64_t waiting;    /* capacity: its calls waiting for a truck (reason numbers: its
	                     * rescues waiting for a virtual number) */
	enum monitor_capacity_reason reason; /* capacity: why */
};

struct monitor_result {
	struct monitor_warning w[WARN_KIND_COUNT]; /* by kind; level NONE: must not be active */
	bool gps_stale;     /* the truck's GPS is stale (its ETA rests on an old position) */
};

/* The ticket's standing against its promise. */
enum monitor_class {
	MONITOR_NONE,       /* nothing to count down: on scene, closed, or no promise */
	MONITOR_ON_TIME,
	MONITOR_AT_RISK,    /* eta_late amber */
	MONITOR_LATE,       /* overdue, or eta_late red */
};

struct monitor_standing {
	enum monitor_class cls;
	int64_t slack_ms;   /* promise - expected arrival (the ETA, never before now), < 0 late;
	                     * 0 for MONITOR_NONE */
};

/* true for new, dispatched, accepted and en_route. */
bool monitor_before_scene(enum ticket_state s);

/* Whether the truck's GPS is stale at now: no position, or a fix older than gps_stale_s. */
bool monitor_gps_stale(const struct monitor_truck *k, const struct data_sla *sla, int64_t now);

/* Whether a re-dispatch could be proposed for t, so the caller should rank free trucks and
 * pass the best to monitor_check(): accepted or en_route, a truck, ETA after the promise. */
bool monitor_wants_proposal(const struct monitor_ticket *t, const struct monitor_truck *k);

/* The warnings that must be active on t at now. k is t's truck (NULL: none); p the caller's
 * best free truck (NULL: none or not looked for). Fills *out. */
void monitor_check(const struct monitor_ticket *t, const struct monitor_truck *k,
    const struct monitor_proposal *p, const struct data_sla *sla, int64_t now,
    struct monitor_result *out);

/* The next time after now at which monitor_check's levels for t and k could change while
 * neither changes: the earliest threshold ahead of not_accepted, waiting_agent, gps_lost
 * (amber and red; a stale GPS also ends stalled and deviation), onscene_overrun (amber,
 * red), callback (its clearing), overdue and eta_late by the window. INT64_MAX when none
 * lies ahead. Not counted: redispatch, which weighs the caller's free trucks, and what
 * only a change of t or k moves (a fix: stalled, deviation, eta_late by ETA). The broker
 * arms its deadline queue with it (src/broker/broker-watch.c). */
int64_t monitor_next_deadline(const struct monitor_ticket *t, const struct monitor_truck *k,
    const struct data_sla *sla, int64_t now);

/* t's standing at now, by the rules of overdue and eta_late. */
struct monitor_standing monitor_classify(const struct monitor_ticket *t,
    const struct data_sla *sla, int64_t now);

/* What the capacity rule needs to know of a region (the broker counts it). For reason
 * numbers, free is not looked at: short_since is since when a rescue of the region has
 * been waiting for a virtual number (0: none waits) and waiting how many do. */
struct monitor_region {
	const char *id;
	int64_t free;             /* able trucks free now: on duty, available, GPS fresh */
	int64_t short_since;      /* since when free has been 0 (0: it is not) */
	int64_t waiting;          /* its open tickets waiting for a truck (state new) */
	enum monitor_capacity_reason reason;
};

/* Whether truck k, of status available, counts as free and able at now: it has a position
 * no older than gps_stale_s (a truck whose place is unknown cannot be sent). */
bool monitor_truck_able(const struct monitor_truck *k, const struct data_sla *sla,
    int64_t now);

/* The capacity warning of region r for r->reason at now into *out: level NONE when it
 * must not be active; else since (short_since), waiting, region and reason set. */
void monitor_capacity(const struct monitor_region *r, const struct data_sla *sla,
    int64_t now, struct monitor_warning *out);

/* The next time after now at which monitor_capacity's level for r could change while r
 * does not (INT64_MAX: none lies ahead). */
int64_t monitor_capacity_next(const struct monitor_region *r, const struct data_sla *sla,
    int64_t now);

/* The wire name of a capacity reason: "trucks" or "numbers". */
const char *monitor_capacity_reason_name(enum monitor_capacity_reason r);

/* The English text of an active warning, as the wire's `text` carries it (at most 200
 * bytes). */
void monitor_text(const struct monitor_warning *w, char *out, size_t outsz);

/* The thresholds data/sla.ini ships, for a console started without reference data. */
const struct data_sla *monitor_sla_default(void);

#endif
