/* data.h: the reference data under data/: regions (with landmarks and suppliers' fleets),
 * fault types (call mix, which truck kinds can serve them, time on scene), the SLA policy
 * and the hourly demand profile. Files are INI, parsed with libinih; this module is the only
 * one that includes ini.h.
 *
 * Ownership: data_load returns a tree the caller frees with data_free; every pointer inside
 * is owned by that tree. Errors: NULL and *cause (caller frees) naming the file, the line and
 * what is wrong. */
#ifndef RD_DATA_H
#define RD_DATA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ticket.h"

#define DATA_ID_MAX 32
#define DATA_NAME_MAX 96

struct data_landmark {
	char name[DATA_NAME_MAX];
	double lat, lon;
	int expressway;         /* 1: on an expressway (the intake ticks its box) */
};

struct data_supplier {
	char id[DATA_ID_MAX];
	char name[DATA_NAME_MAX];
	double lat, lon;                /* depot, where idle trucks wait */
	int offer_timeout_s;            /* how long an offer waits for an answer */
	double quality;                 /* 0..1, from past performance */
	double accept_rate;             /* 0..1, for the simulator */
	int fleet[TRUCK_KIND_COUNT];    /* trucks of each kind */
};

enum data_region_class { REGION_CITY, REGION_COUNTY, REGION_RURAL };
#define DATA_REGION_CLASS_COUNT 3

struct data_region {
	char id[DATA_ID_MAX];
	char name[DATA_NAME_MAX];
	char name_zh[DATA_NAME_MAX];
	enum data_region_class klass;
	double lat, lon;        /* centre */
	double radius_km;       /* calls happen within this radius of the centre */
	double detour;          /* road distance / great-circle distance */
	double speed_peak_kmh;  /* average truck speed in rush hours (7-9, 17-19) */
	double speed_kmh;       /* average truck speed otherwise */
	double speed_expressway_kmh;
	int promise_min;        /* promised arrival, minutes */
	int promise_expressway_min;
	double calls_per_day;   /* mean demand */
	double expressway_share;/* share of calls on an expressway */
	int auto_dispatch;      /* 1: the broker offers automatically; 0: agent confirms */
	int tell_on_slip;       /* 1: the broker tells the customer (template delay) itself
	                         * when the ETA slips past the promise; 0 (default): not */
	struct data_landmark *landmarks;
	size_t n_landmarks;
	struct data_supplier *suppliers;
	size_t n_suppliers;
};

struct data_fault {
	double share;           /* share of calls, percent */
	uint32_t kinds;         /* bitmask of (1u << enum truck_kind) able to serve it */
	int prefer;             /* preferred enum truck_kind, or -1 */
	int onscene_min;        /* typical time on scene, minutes */
	int tow;                /* 1 if the job ends with a tow to a garage */
	double phone_fix_rate;  /* share solved by phone diagnosis */
	char flow[DATA_ID_MAX]; /* the diagnosis flow to start (flow.h), or "" if none */
};

struct data_sla {
	int not_accepted_s;     /* warn when no acceptance this long after dispatch */
	int gps_stale_s;        /* a fix older than this is stale */
	int stalled_s;          /* warn when an en-route truck has not moved this long */
	int late_margin_s;      /* warn when the ETA is within this of the promise */
	int window_pct;         /* warn when this share of the promised window is used */
	int diag_hold_s;        /* automatic dispatch waits this long for a diagnosis */
	int waiting_agent_s;    /* warn when a ticket waits this long for an agent's truck */
	int deviation_fixes;    /* warn when an en-route truck is farther from the car at
	                         * this many fixes in a row */
	int deviation_s;        /* ... or has got no closer to it this long while moving */
	int onscene_overrun_pct; /* warn when on scene longer than this % of the fault's
	                          * typical time (faults.ini onscene_min) */
	int callback_clear_s;   /* a call again warns this long after the latest one */
	int capacity_s;         /* warn when a region has had no able truck free this long */
	int escalate_after_s;   /* a red warning nobody owns this long escalates */
	int owner_lease_s;      /* an owner unheard of this long (presence) lets go */
	int survey_window_s;    /* a survey is taken this long after the close (survey.put) */
	int detractor_callback_s; /* a detractor is called back within this (then red) */
};

#define DATA_DIAG_HOLD_S_DEFAULT 600 /* diag_hold_s when sla.ini does not say */
#define DATA_WAITING_AGENT_S_DEFAULT 180 /* waiting_agent_s when sla.ini does not say */
#define DATA_DEVIATION_FIXES_DEFAULT 3 /* deviation_fixes when sla.ini does not say */
#define DATA_DEVIATION_S_DEFAULT 300   /* deviation_s when sla.ini does not say */
#define DATA_ONSCENE_OVERRUN_PCT_DEFAULT 200 /* onscene_overrun_pct when sla.ini does not say */
#define DATA_CALLBACK_CLEAR_S_DEFAULT 1800 /* callback_clear_s when sla.ini does not say */
#define DATA_CAPACITY_S_DEFAULT 300 /* capacity_s when sla.ini does not say */
#define DATA_ESCALATE_AFTER_S_DEFAULT 120 /* escalate_after_s when sla.ini does not say */
#define DATA_OWNER_LEASE_S_DEFAULT 30  /* owner_lease_s when sla.ini does not say */
#define DATA_SURVEY_WINDOW_S_DEFAULT 604800 /* survey_window_s (7 days) when not said */
#define DATA_DETRACTOR_CALLBACK_S_DEFAULT 86400 /* detractor_callback_s (24 h) when not said */

/* The dispatcher's weights and limits (data/dispatch.ini, [weights]; every key optional,
 * the file too): what src/model/dispatch.h's struct dispatch_tuning is made from. The
 * defaults are data_dispatch_default's; rescuedeskd(8) and data/README.md say what each
 * does. */
struct data_dispatch {
	int shortlist;          /* nearest trucks looked at first */
	int widen_max;          /* ... and at most, when widening */
	double max_km;          /* never farther than this in a straight line */
	int max_age_factor;     /* leave out fixes older than this x gps_stale_s */
	double pref_s;          /* not the preferred kind ... */
	double pref_load_s;     /* ... and this x the share of the truck's supplier busy */
	double quality_s;       /* x (1 - quality) */
	double quality_unknown; /* quality of a truck without a known supplier */
	double load_s;          /* x share of the supplier's trucks busy */
	double rot_offer_s;     /* per offer the truck had today ... */
	int rot_offer_cap;      /* ... counting at most this many */
	double rot_recent_s;    /* an offer just now; fades over rot_recent_min */
	int rot_recent_min;
	double rot_supplier_s;  /* per offer per truck the supplier had today ... */
	double rot_supplier_cap; /* ... counting at most this many */
	double stale_s;         /* GPS older than gps_stale_s */
	int stale_after_s;      /* ... but only when older than this too (0: gps_stale_s) */
	double busy_s;          /* a truck still on a job, on top of the time until it is free */
	double busy_factor;     /* x the time until it is free (1: as estimated) */
	double tow_leg_km;      /* a tow to the garage, straight line */
	int job_min_s;          /* a job never ends sooner than this from now */
	int redispatch_gain_s;  /* propose another truck when it arrives this much sooner */
	int chain_s;            /* offer a call to a truck on scene free within this (0: off) */
};

/* Fill w with the built-in weights (those of a missing dispatch.ini). */
void data_dispatch_default(struct data_dispatch *w);

struct data {
	struct data_region *regions;
	size_t n_regions;
	struct data_fault faults[FAULT_COUNT];
	struct data_sla sla;
	double demand_by_hour[24]; /* percent of a day's calls in each hour; sums to ~100 */
	struct data_dispatch dispatch; /* dispatch.ini, or the defaults */
};

/* Load dir/faults.ini, dir/sla.ini, dir/demand.ini, dir/dispatch.ini (optional: the
 * defaults when it does not exist) and every dir/regions/ *.ini (the format is described
 * in data/README.md); dir NULL means data_default_dir(). Everything is validated: unknown keys and sections,
 * numbers, ranges, fault and hour shares summing to 100 (+-1), at least one landmark and one
 * supplier per region, trucks per supplier, unique ids. Regions are sorted by id.
 * Returns a tree the caller frees with data_free, or NULL and *cause (caller frees), e.g.
 * "data/regions/aba.ini:14: [region] lat: not a number". Numbers are read in the C locale
 * whatever setlocale() says. */
struct data *data_load(const char *dir, char **cause);
void data_free(struct data *d); /* NULL is fine */
/* The region with this id (borrowed from d), or NULL. */
const struct data_region *data_region(const struct data *d, const char *id);
/* "city", "county" or "rural" (static), or "?" if out of range. */
const char *data_region_class_name(enum data_region_class c);
/* Great-circle distance in km from r's centre to (lat, lon). */
double data_region_km(const struct data_region *r, double lat, double lon);
/* The region whose radius holds (lat, lon), the nearest centre if several; NULL if none. */
const struct data_region *data_region_at(const struct data *d, double lat, double lon);
/* A location typed for region r, checked against the regions' radii: */
enum data_where {
	DATA_WHERE_INSIDE,	/* within r's radius (or r is NULL, or lat/lon out of range
				   and not a swapped point in a region: the form says that) */
	DATA_WHERE_OTHER,	/* outside r, inside *other's radius */
	DATA_WHERE_SWAPPED,	/* in no region, but (lon, lat) lies in *other */
	DATA_WHERE_NOWHERE,	/* outside r and every region, swapped or not */
};
enum data_where data_where(const struct data *d, const struct data_region *r, double lat,
    double lon, const struct data_region **other);
/* The region's average truck speed in km/h during local hour h (0..23, China time for the
 * regions in data/): speed_expressway_kmh on an expressway, else speed_peak_kmh in the rush
 * hours (civil_peak_hour) and speed_kmh otherwise. The one speed model of the broker's
 * dispatch and the simulator's trucks. */
double data_region_speed_kmh(const struct data_region *r, int h, bool expressway);

/* Read any other INI file of data/ (message catalogs, ...) with libinih's own rules:
 * on_key is called for each key = value with its section and returns non-zero to go on. Returns 0,
 * -1 if the file cannot be opened (errno set), or the number of the first line that could
 * not be parsed or whose on_key returned 0. Lets this module stay the only ini.h user. */
int data_ini_read(const char *path,
    int (*on_key)(void *user, const char *section, const char *key, const char *value),
    void *user);

/* Line-aware reading, for modules that validate their own INI files and report every error
 * with its line (src/model/flow.c). The same syntax as data/README.md, read by libinih:
 * leading whitespace is ignored (no continuation lines), ";" or "#" starts a comment line,
 * " ;" a comment after a value. Every callback may be NULL.
 *   section  each [name] header, in order, even when it repeats the previous name or is
 *            followed by no keys
 *   key      each key = value, with the name of the current section (NULL before the first
 *            header)
 *   error    a line that cannot be read: longer than DATA_INI_LINE_MAX bytes, not UTF-8,
 *            a header without ']', neither a key nor a header; reading goes on with the
 *            next line
 * Returns 0 once the file was read to its end (whatever errors were reported), or -1 and
 * *cause (caller frees, "PATH: reason") if it cannot be opened or read. */
#define DATA_INI_LINE_MAX 196
struct data_ini_ops {
	void (*section)(void *user, int line, const char *name);
	void (*key)(void *user, int line, const char *section, const char *key,
	    const char *value);
	void (*error)(void *user, int line, const char *msg);
};
int data_ini_read_lines(const char *path, const struct data_ini_ops *ops, void *user,
    char **cause);
/* The names of the *.ini files in dir (not starting with '.'), sorted; *count of them.
 * The caller frees each name and the array. NULL with *count 0 if there are none, or NULL
 * and *cause (caller frees) if dir cannot be read. */
char **data_ini_list(const char *dir, size_t *count, char **cause);

/* The complaint data (struct complaint_data, complaint.h): dir/complaints.ini ([clocks],
 * [limits], [cause]s), dir/holidays.ini ([holiday]s with their make-up working days) and
 * dir/mediation.ini ([org]s), in the format of data/README.md; dir NULL means
 * data_default_dir(). Validated like data_load: unknown sections and keys, repeated keys,
 * ranges, duplicate codes, ids and dates, make-up days that are no weekend days. Returns
 * data the caller frees with complaint_data_free, or NULL and *cause (caller frees), e.g.
 * "data/holidays.ini:12: [holiday] to: before from". */
struct complaint_data;
struct complaint_data *data_complaints_load(const char *dir, char **cause);

/* The directory to load from: $RESCUEDESK_DATA if set, else the compiled-in default. */
const char *data_default_dir(void);

#endif
