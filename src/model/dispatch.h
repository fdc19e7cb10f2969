/* dispatch.h: which truck should serve a ticket. Pure: no I/O, no clock (now is passed in,
 * ms since the Unix epoch, broker time).
 *
 * A ranking starts from the trucks nearest to the ticket in a geo index (src/model/geo.h) whose
 * mask says they are in the pool (available, or on scene / towing on a job they will finish)
 * and able to serve the fault. Each is scored in seconds, lower is better:
 *
 *   score = ETA                    travel time from the ETA model, plus for a truck still on
 *                                  a job busy_s + busy_factor x the time until it is free
 *                                  (time left on scene from onscene_min, plus the tow leg
 *                                  for tows)
 *         + pref_s + load pref_load_s  when the fault prefers another kind (faults.ini
 *                                  prefer): a tow truck sent to a flat battery costs little
 *                                  while its supplier's trucks are idle, much when they are
 *                                  busy
 *         + (1 - quality) quality_s  supplier quality from data/regions
 *         + load load_s            share of the supplier's trucks on duty that are busy
 *         + rotation               offers the truck had today, how recently it had one, and
 *                                  the supplier's offers per truck today
 *         + stale_s                when the truck's last fix is older than gps_stale_s and
 *                                  than stale_after_s
 *
 * Trucks with no fix for max_age_factor x gps_stale_s are left out. The short list (12
 * nearest) is widened (doubling, up to widen_max) while a farther truck could still beat
 * the k-th best: every term above but the travel time is >= 0 and the model gives a lower
 * bound of the travel time for a distance, so the result equals a ranking of every truck of
 * the fleet (dispatch_rank_brute) unless the widening hits its cap (reported).
 *
 * Ties (equal scores) go to the truck whose last offer is oldest, then to the lower id.
 * A truck that already has its next job (dispatch_truck.chained) is no candidate;
 * dispatch_chain_ok says whether the broker offers a finishing truck a call at once for
 * after its job rather than waiting for it (chaining).
 *
 * Ownership: everything passed in is borrowed; candidates point at the fleet's truck ids
 * (dispatch_truck.id), which must outlive them. */
#ifndef RD_DISPATCH_H
#define RD_DISPATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "data.h"
#include "geo.h"
#include "ticket.h"

#define DISPATCH_K_MAX 20          /* candidates a ranking returns at most */
#define DISPATCH_WIDEN_LIMIT 1024  /* the largest widen_max */

/* Bits of a truck's mask in the geo index (see dispatch_mask). */
#define DISPATCH_MASK_POOL 1u      /* available, on scene or towing */
#define DISPATCH_MASK_AVAILABLE 2u /* available */
#define DISPATCH_MASK_FAULT(f) (1u << (2 + (unsigned)(f)))
#define DISPATCH_MASK_KIND(k) (1u << (2 + FAULT_COUNT + (unsigned)(k))) /* of this kind */

/* The ticket to serve. */
struct dispatch_ticket {
	struct geo_point pos;
	enum ticket_fault fault;
	uint32_t flags;                   /* TICKET_FLAG_*: expressway changes the speed */
	const struct data_region *region; /* detour and speeds; NULL: detour 1.4, 30 km/h */
};

/* What the ranking needs to know of a truck. */
struct dispatch_truck {
	const char *id;           /* borrowed */
	int supplier;             /* index in dispatch_fleet.suppliers, or -1 */
	enum truck_kind kind;
	enum truck_status status;
	bool placed;              /* has a position */
	struct geo_point pos;
	int64_t fix_ts;           /* time of the last fix */
	int job_fault;            /* on scene or towing: enum ticket_fault of the job, or -1 */
	int64_t job_since;        /* on scene: arrival; towing: start of the tow; 0 unknown */
	int offers_today;         /* offers since China midnight (see dispatch_day) */
	int64_t last_offer;       /* time of the last offer, 0 never */
	bool chained;             /* already offered (or has accepted) its next job: never a
	                           * candidate until that job is its own */
};

struct dispatch_supplier {
	const char *id;           /* borrowed */
	double quality;           /* 0..1 */
	int trucks;               /* on duty (not off_duty) */
	int busy;                 /* on duty and not available */
	int offers_today;         /* offers to its trucks since China midnight */
};

/* The trucks: ids are the geo index's ids, 0 .. n_ids - 1; get fills *out for an id and
 * returns false for an id that is not a truck. */
struct dispatch_fleet {
	const struct geo_index *geo;
	uint32_t n_ids;
	bool (*get)(const void *ctx, uint32_t id, struct dispatch_truck *out);
	const void *ctx;
	const struct dispatch_supplier *suppliers;
	size_t n_suppliers;
};

/* An ETA model: travel time of a truck at `from` (dist_m in a straight line from the ticket)
 * to the ticket. bound_ms gives a lower bound of travel_ms for any point at least dist_m
 * away; NULL turns off the widening (then the ranking looks at the short list only). src is
 * what its ETAs are called ("model"); a road engine can plug in behind the same interface. */
struct dispatch_eta_model {
	const char *src;
	int64_t (*travel_ms)(const struct dispatch_eta_model *m, const struct dispatch_ticket *t,
	    struct geo_point from, double dist_m, int64_t now);
	int64_t (*bound_ms)(const struct dispatch_eta_model *m, const struct dispatch_ticket *t,
	    double dist_m, int64_t now);
	const void *ctx;
};

/* The built-in model: great-circle distance x region detour / speed, the speed by road
 * (expressway flag) and hour (peak 7-9 and 17-19 China time, UTC+8). */
extern const struct dispatch_eta_model dispatch_eta_builtin;

/* The built-in model's time for a straight-line leg of dist_m in the ticket's region. */
int64_t dispatch_leg_ms(const struct dispatch_ticket *t, double dist_m, int64_t now);
/* The region's speed in km/h at `now` (China time), on an expressway or not: the one
 * speed model the simulator's trucks drive by too (data_region_speed_kmh); 30 if r is
 * NULL. */
double dispatch_speed_kmh(const struct data_region *r, int64_t now, bool expressway);
/* The China (UTC+8) day number of a time (civil_local_day): offers_today counts within
 * one. */
int64_t dispatch_day(int64_t ms);

/* Weights and limits, from the data (data/dispatch.ini, struct data_dispatch);
 * dispatch_tuning_default fills the built-in values documented in rescuedeskd(8),
 * DISPATCH. */
struct dispatch_tuning {
	size_t shortlist;         /* nearest trucks looked at first (12) */
	size_t widen_max;         /* ... and at most, when widening (256, <= WIDEN_LIMIT) */
	double max_m;             /* never farther than this in a straight line (300 km) */
	int max_age_factor;       /* leave out fixes older than this x gps_stale_s (10) */
	double pref_s;            /* not the preferred kind (600) ... */
	double pref_load_s;       /* ... plus this x the supplier's load (0) */
	double quality_s;         /* x (1 - quality) (600) */
	double quality_unknown;   /* quality of a truck without a known supplier (0.8) */
	double load_s;            /* x share of the supplier's trucks busy (300) */
	double rot_offer_s;       /* per offer the truck had today (20) ... */
	int rot_offer_cap;        /* ... counting at most this many (10) */
	double rot_recent_s;      /* an offer just now; fades to 0 over rot_recent_min (60) */
	int rot_recent_min;       /* (30) */
	double rot_supplier_s;    /* per offer per truck the supplier had today (60) ... */
	double rot_supplier_cap;  /* ... counting at most this many (5) */
	double stale_s;           /* GPS older than gps_stale_s (60) ... */
	int stale_after_s;        /* ... and than this (0: gps_stale_s alone) */
	double busy_s;            /* a truck still on a job, added (0) ... */
	double busy_factor;       /* ... to this x the time until it is free (1) */
	double tow_leg_km;        /* a tow to the garage, straight line (10) */
	int job_min_s;            /* a job never ends sooner than this from now (120) */
	int redispatch_gain_s;    /* propose another truck when it arrives this much sooner
	                             than a late one's ETA (600) */
	int chain_s;              /* offer a call to a truck on scene expected to be free
	                             within this, for after its job (0: never; see
	                             dispatch_chain_ok) */
};

/* Fill t with the defaults above (data_dispatch_default's). */
void dispatch_tuning_default(struct dispatch_tuning *t);
/* Fill t from the data's weights. */
void dispatch_tuning_from(struct dispatch_tuning *t, const struct data_dispatch *w);

/* The rules of the reference data, copied out of struct data. */
struct dispatch_rules {
	uint32_t kinds[FAULT_COUNT];      /* kinds able to serve each fault */
	int prefer[FAULT_COUNT];          /* preferred kind, or -1 */
	int onscene_s[FAULT_COUNT];
	bool tow[FAULT_COUNT];
	int gps_stale_s;
	struct dispatch_tuning tune;
};

/* Fill r from d (faults, sla, dispatch weights). */
void dispatch_rules_init(struct dispatch_rules *r, const struct data *d);

/* The geo-index mask of a truck of this kind and status. */
uint32_t dispatch_mask(const struct dispatch_rules *r, enum truck_kind kind,
    enum truck_status status);

struct dispatch_candidate {
	uint32_t id;
	const char *truck;        /* the truck's id (borrowed from the fleet) */
	int supplier;             /* index, or -1 */
	enum truck_kind kind;
	enum truck_status status; /* available, on_scene or towing */
	double dist_m;            /* straight line */
	int64_t travel_ms;        /* from the model */
	int64_t job_ms;           /* until it is free (0 when available) */
	bool job_tow;             /* its job ends with a tow (it will be free at a garage) */
	int64_t gps_age_ms;
	const char *eta_src;      /* the model's src, or "stale" */
	bool stale;
	int prefer;               /* the fault's preferred kind, or -1 */
	double quality, load;     /* load: share 0..1 */
	int offers_today;
	int64_t last_offer;
	double score;             /* seconds; lower is better */
};

struct dispatch_query {
	struct dispatch_ticket ticket;
	const uint32_t *skip;     /* ids never proposed (declined it, hold it now) */
	size_t n_skip;
	bool available_only;      /* leave out trucks still on a job */
	bool need;                /* the job needs a truck of kind need_kind (a diagnosis said
	                           * so): only that kind, whatever the fault's kinds */
	enum truck_kind need_kind;
	int64_t now;
};

/* What a ranking did (for tests and the benchmark). */
struct dispatch_stats {
	size_t fetched;           /* trucks read from the index in the last round */
	size_t rounds;            /* index queries */
	bool capped;              /* widening stopped at widen_max: maybe not exact */
};

/* Rank: the best k (<= DISPATCH_K_MAX) candidates into out, best first; returns how many.
 * st may be NULL. */
size_t dispatch_rank(const struct dispatch_rules *r, const struct dispatch_eta_model *m,
    const struct dispatch_fleet *f, const struct dispatch_query *q, size_t k,
    struct dispatch_candidate *out, struct dispatch_stats *st);
/* The same ranking by scoring every truck of the fleet (no index): the reference for tests
 * and the benchmark's baseline. */
size_t dispatch_rank_brute(const struct dispatch_rules *r, const struct dispatch_eta_model *m,
    const struct dispatch_fleet *f, const struct dispatch_query *q, size_t k,
    struct dispatch_candidate *out);

/* The time (ms) from now until truck k, on scene or towing, is expected to be free, as the
 * ranking counts it for a ticket t (job_ms; 0 for a truck that is not on a job). */
int64_t dispatch_job_ms(const struct dispatch_rules *r, const struct dispatch_truck *k,
    const struct dispatch_ticket *t, int64_t now);

/* Whether the broker offers c's ticket to c's truck now rather than waiting for it: the
 * truck is on scene (not towing) on a job that ends there (no tow) and expected to be free
 * within chain_s; it then gets the offer for after its job (pre-assignment, chaining;
 * PROTOCOL.md 9.1). An available truck is always offered; any other waits. */
bool dispatch_chain_ok(const struct dispatch_rules *r, const struct dispatch_candidate *c);

/* One line saying why, e.g. "4.2 km · ETA 12 min (model) · GPS 20 s · van preferred ·
 * load 30% · quality 0.92 · 3 offers today", into buf (NUL-terminated, truncated). Returns
 * the length it wanted, like snprintf. */
size_t dispatch_why(const struct dispatch_candidate *c, char *buf, size_t n);

#endif
