/* broker-feed.c: the suppliers' feed: GPS fixes (positions, the stall clock) and the status
 * a supplier sets on its trucks (registration, on and off duty, kind and supplier). The
 * loop calls broker_handle_feed; it calls broker-watch.c (a fix checks its truck's job at
 * once), broker-supplier.c and broker-emit.c.
 *
 * A fix is never much younger than its arrival: one stamped ahead of broker time by more
 * than the tolerance (2 s, clocks and jitter) is taken at the time it arrived, so no
 * truck's GPS age is ever more than that below zero and a later, correct fix is never
 * ignored as older. A fix stamped far ahead (more than 30 s: a supplier's clock that is
 * wrong, not off by a little) is refused. A supplier whose clock is wrong would otherwise
 * lose its fixes or freshness without a word, so fixes stamped ahead by more than the
 * tolerance are counted per truck and per supplier and logged, at most one line per
 * supplier per minute of real time.
 *
 * With authentication, a message comes from a user (broker-auth.c): a supplier's user sends
 * fixes and status only for its own supplier's trucks (the others are refused and counted
 * per supplier), a truck it registers belongs to its supplier, and it cannot hand a truck
 * to another supplier. The events a status records name the user. */
#include "broker-int.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

#define STALL_MOVE_M 50.0

/* The distance history of k's job while en route (the monitor's deviation rule): started
 * afresh for another truck, a moved car, or a job not (or no longer) en route. */
static void
track_fix(struct btruck *k, int64_t ts)
{
	struct bticket *t = k->job;

	if (t == NULL || t->truck != k)
		return;
	broker_track_fix(t, k, ts); /* the plot's track (broker-track.c), in every state */
	if (t->state != TICKET_EN_ROUTE) {
		t->track.n = 0;
		t->track.closest_ts = 0;
		return;
	}
	if (t->track.n == 0 || t->track_gid != k->gid || t->track_lat != t->w.lat ||
	    t->track_lon != t->w.lon) {
		memset(&t->track, 0, sizeof t->track);
		t->track_gid = k->gid;
		t->track_lat = t->w.lat;
		t->track_lon = t->w.lon;
	}
	monitor_track_add(&t->track, ts, geo_distance_m((struct geo_point){ k->w.lat, k->w.lon },
	    (struct geo_point){ t->w.lat, t->w.lon }));
}
#define SKEW_REFUSE_MS 30000  /* fixes stamped further ahead of broker time are refused ... */
#define SKEW_REFUSE_REAL_MS 1000 /* ... or this much real time, at a high time scale */
#define SKEW_TOLERATE_MS 2000 /* ahead by up to this (or 100 ms real): taken as stamped */
#define SKEW_TOLERATE_REAL_MS 100
#define FUTURE_LOG_MS 60000   /* real time between two lines about one supplier */

/* One supplier's fixes stamped ahead, in b->future_sup by "supplier (region)". */
struct future_sup {
	uint64_t total;           /* since the broker started */
	uint64_t pending;         /* since the last line ... */
	uint64_t refused;         /* ... and of them refused */
	int64_t skew_max;         /* ms: the furthest ahead of the pending ones ... */
	char truck[sizeof ((struct proto_truck *)0)->id]; /* ... and its truck */
	int64_t logged;           /* monotonic ms of the last line */
	bool ever;                /* a line was written */
};

/* Broker-time bounds at the broker's time scale: ahead by more than *refuse is refused,
 * by more than *tolerate is logged. */
static void
skew_bounds(const struct broker *b, int64_t *refuse, int64_t *tolerate)
{
	double scale = b->opts.time_scale;

	*refuse = (int64_t)(SKEW_REFUSE_REAL_MS * scale);
	if (*refuse < SKEW_REFUSE_MS)
		*refuse = SKEW_REFUSE_MS;
	*tolerate = (int64_t)(SKEW_TOLERATE_REAL_MS * scale);
	if (*tolerate < SKEW_TOLERATE_MS)
		*tolerate = SKEW_TOLERATE_MS;
}

static void
future_report(struct broker *b, const char *sup, struct future_sup *f, int64_t mono)
{
	const struct btruck *k = hmap_get(b->truck_by_id, f->truck);
	int64_t refuse, tolerate;

	skew_bounds(b, &refuse, &tolerate);
	log_warn("feed: supplier %s: %" PRIu64 " fixes stamped ahead of broker time, %" PRIu64
	    " refused as more than %" PRId64 " s ahead, the others taken at arrival; up to %"
	    PRId64 " s ahead (truck %s, %" PRIu64 " ahead); %" PRIu64 " ahead in all", sup,
	    f->pending, f->refused, refuse / 1000, f->skew_max / 1000, f->truck,
	    k != NULL ? k->future_fixes : 0, f->total);
	f->pending = 0;
	f->refused = 0;
	f->skew_max = 0;
	f->logged = mono;
	f->ever = true;
}

/* Count a fix of k stamped skew ms ahead of broker time (refused or not); log at the rate
 * limit. */
static void
future_count(struct broker *b, struct btruck *k, int64_t skew, bool refused)
{
	char key[sizeof k->w.supplier + sizeof k->w.region + 4];
	struct future_sup *f;
	int64_t mono = rd_mono_ms();

	k->future_fixes++;
	snprintf(key, sizeof key, "%s (%s)", k->w.supplier[0] ? k->w.supplier : "-",
	    k->w.region[0] ? k->w.region : "-");
	if (b->future_sup == NULL)
		b->future_sup = hmap_create();
	if ((f = hmap_get(b->future_sup, key)) == NULL) {
		f = xcalloc(1, sizeof *f);
		hmap_put(b->future_sup, key, f);
	}
	f->total++;
	f->pending++;
	if (refused)
		f->refused++;
	if (f->pending == 1 || skew > f->skew_max) {
		f->skew_max = skew;
		rd_strlcpy(f->truck, k->w.id, sizeof f->truck);
	}
	if (!f->ever || mono - f->logged >= FUTURE_LOG_MS)
		future_report(b, key, f, mono);
}

void
broker_feed_flush(struct broker *b, int64_t mono_ms)
{
	size_t pos = 0;
	const char *key;
	void *v;

	while (b->future_sup != NULL && hmap_next(b->future_sup, &pos, &key, &v)) {
		struct future_sup *f = v;
		if (f->pending > 0 && mono_ms - f->logged >= FUTURE_LOG_MS)
			future_report(b, key, f, mono_ms);
	}
}

void
broker_feed_finish(struct broker *b)
{
	size_t pos = 0;
	const char *key;
	void *v;

	while (b->future_sup != NULL && hmap_next(b->future_sup, &pos, &key, &v))
		free(v);
	hmap_destroy(b->future_sup);
	b->future_sup = NULL;
}

void
broker_handle_feed(struct broker *b, const struct proto_feed *f)
{
	const struct peer open = { .roles = BROKER_ROLES_ALL };

	broker_handle_feed_from(b, &open, f);
}

void
broker_handle_feed_from(struct broker *b, const struct peer *p, const struct proto_feed *f)
{
	int64_t now = broker_now(b);
	bool supplier = broker_peer_supplier(p);

	if (f->type == PROTO_MSG_fix) {
		const struct proto_fix *x = &f->msg.fix;
		struct btruck *k = hmap_get(b->truck_by_id, x->truck);
		if (k == NULL) {
			b->st.bad_feed++;
			return; /* a truck must announce itself with a status first */
		}
		if (!broker_auth_truck(b, p, k->w.supplier, k->w.id, "fix"))
			return;
		int64_t ts = x->ts, refuse, tolerate;
		if (ts > now) {
			skew_bounds(b, &refuse, &tolerate);
			if (ts - now > refuse) {
				b->st.bad_feed++;
				b->st.future_fixes++;
				future_count(b, k, ts - now, true);
				return;
			}
			if (ts - now > tolerate) {
				b->st.skewed_fixes++;
				future_count(b, k, ts - now, false);
				ts = now; /* measured at the latest when it arrived */
			}
		}
		b->st.fixes++;
		if (PROTO_HAS(&k->w, truck, fix_ts) && ts < k->w.fix_ts)
			return; /* older than what we have */
		/* now it can be found (a first fix, or one after so long that the truck was left
		 * out): retry waiting tickets */
		int64_t max_age = (int64_t)b->rules.gps_stale_s * 1000 * b->rules.tune.max_age_factor;
		if (k->status == TRUCK_AVAILABLE && (!k->placed || now - k->w.fix_ts > max_age))
			b->avail_changed = true;
		k->w.lat = x->lat;
		k->w.lon = x->lon;
		k->w.fix_ts = ts;
		k->w.speed_kmh = PROTO_HAS(x, fix, speed_kmh) ? x->speed_kmh : 0;
		k->w.heading = PROTO_HAS(x, fix, heading) ? x->heading : 0;
		k->w.present |= (uint64_t)1 << PROTO_truck_lat | (uint64_t)1 << PROTO_truck_lon |
		    (uint64_t)1 << PROTO_truck_fix_ts | (uint64_t)1 << PROTO_truck_speed_kmh |
		    (uint64_t)1 << PROTO_truck_heading;
		if (!k->placed || geo_distance_m((struct geo_point){ k->still_lat, k->still_lon },
		    (struct geo_point){ x->lat, x->lon }) > STALL_MOVE_M) {
			k->still_lat = x->lat;
			k->still_lon = x->lon;
			k->still_since = ts;
		}
		k->placed = true;
		k->pos_dirty = true;
		track_fix(k, ts);
		broker_truck_reindex(b, k);
		broker_watch_fix(b, k, now); /* its job's ETA and warnings, in this batch */
		return;
	}

	const struct proto_status *s = &f->msg.status;
	int st = truck_status_parse(s->status);
	if (st != TRUCK_AVAILABLE && st != TRUCK_OFF_DUTY) {
		b->st.bad_feed++;
		log_debug("feed: truck %s: status '%s' is not one a supplier sets", s->truck, s->status);
		return;
	}
	struct btruck *k = hmap_get(b->truck_by_id, s->truck);
	/* a supplier names its own trucks only, and keeps them */
	if ((k != NULL && !broker_auth_truck(b, p, k->w.supplier, k->w.id, "status")) ||
	    (supplier && PROTO_HAS(s, status, supplier) &&
	    !broker_auth_truck(b, p, s->supplier, s->truck, "status")))
		return;
	if (k == NULL) {
		if (!PROTO_HAS(s, status, kind) || truck_kind_parse(s->kind) < 0) {
			b->st.bad_feed++;
			log_debug("feed: new truck %s without a valid kind", s->truck);
			return;
		}
		struct proto_truck w = { .present = 0 };
		PROTO_STRSET(w.id, s->truck);
		PROTO_STRSET(w.kind, s->kind);
		PROTO_STRSET(w.status, s->status);
		PROTO_STRSET(w.supplier, supplier ? p->supplier : s->supplier);
		PROTO_STRSET(w.region, s->region);
		w.present = (uint64_t)1 << PROTO_truck_supplier | (uint64_t)1 << PROTO_truck_region;
		k = broker_truck_add(b, &w);
		k->still_since = now;
		b->avail_changed = true;
		struct broker_why why;
		broker_why_init(&why, "registered");
		BWHY_STR(&why, status, s->status);
		broker_emit_truck_why(b, k, EVENT_REGISTERED, p->user, s->status, &why);
		return;
	}
	bool changed = false;
	if (PROTO_HAS(s, status, supplier) && strcmp(k->w.supplier, s->supplier) != 0) {
		broker_supplier_jobs_gone(b, k, now); /* its former supplier's poll says so */
		PROTO_STRSET(k->w.supplier, s->supplier);
		changed = true;
	}
	if (PROTO_HAS(s, status, region) && strcmp(k->w.region, s->region) != 0) {
		PROTO_STRSET(k->w.region, s->region);
		changed = true;
	}
	if (changed)
		broker_truck_resup(b, k);
	if (PROTO_HAS(s, status, kind) && truck_kind_parse(s->kind) >= 0 &&
	    strcmp(k->w.kind, s->kind) != 0) {
		PROTO_STRSET(k->w.kind, s->kind);
		k->kind = (enum truck_kind)truck_kind_parse(s->kind);
		b->avail_changed = true;
		changed = true;
	}
	/* A truck on a job stays on it: going off duty takes effect when the job ends. */
	if (k->job != NULL) {
		k->off_after_job = st == TRUCK_OFF_DUTY;
	} else if (k->status != (enum truck_status)st) {
		broker_truck_set_status(b, k, (enum truck_status)st);
		changed = true;
	}
	if (changed) {
		broker_truck_reindex(b, k);
		struct broker_why why;
		broker_why_init(&why, "status");
		BWHY_STR(&why, status, s->status);
		broker_emit_truck_why(b, k, EVENT_STATUS, p->user, s->status, &why);
	}
}
