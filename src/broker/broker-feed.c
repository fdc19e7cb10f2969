/* broker-feed.c: the suppliers' feed: GPS fixes (positions, the stall clock) and the status
 * a supplier sets on its trucks (registration, on and off duty, kind and supplier). The
 * loop calls broker_handle_feed; it calls broker-supplier.c and broker-emit.c. */
#include "broker-int.h"

#include <string.h>

#include "util.h"

#define STALL_MOVE_M 50.0
#define FUTURE_FIX_MS 300000  /* fixes stamped further ahead of broker time are refused */

void
broker_handle_feed(struct broker *b, const struct proto_feed *f)
{
	int64_t now = broker_now(b);

	if (f->type == PROTO_MSG_fix) {
		const struct proto_fix *x = &f->msg.fix;
		struct btruck *k = hmap_get(b->truck_by_id, x->truck);
		if (k == NULL) {
			b->st.bad_feed++;
			return; /* a truck must announce itself with a status first */
		}
		if (x->ts > now + FUTURE_FIX_MS) {
			b->st.bad_feed++; /* a clock far ahead would block every later fix */
			return;
		}
		b->st.fixes++;
		if (PROTO_HAS(&k->w, truck, fix_ts) && x->ts < k->w.fix_ts)
			return; /* older than what we have */
		/* now it can be found (a first fix, or one after so long that the truck was left
		 * out): retry waiting tickets */
		int64_t max_age = (int64_t)b->rules.gps_stale_s * 1000 * b->rules.tune.max_age_factor;
		if (k->status == TRUCK_AVAILABLE && (!k->placed || now - k->w.fix_ts > max_age))
			b->avail_changed = true;
		k->w.lat = x->lat;
		k->w.lon = x->lon;
		k->w.fix_ts = x->ts;
		k->w.speed_kmh = PROTO_HAS(x, fix, speed_kmh) ? x->speed_kmh : 0;
		k->w.heading = PROTO_HAS(x, fix, heading) ? x->heading : 0;
		k->w.present |= (uint64_t)1 << PROTO_truck_lat | (uint64_t)1 << PROTO_truck_lon |
		    (uint64_t)1 << PROTO_truck_fix_ts | (uint64_t)1 << PROTO_truck_speed_kmh |
		    (uint64_t)1 << PROTO_truck_heading;
		if (!k->placed || geo_distance_m((struct geo_point){ k->still_lat, k->still_lon },
		    (struct geo_point){ x->lat, x->lon }) > STALL_MOVE_M) {
			k->still_lat = x->lat;
			k->still_lon = x->lon;
			k->still_since = x->ts;
		}
		k->placed = true;
		k->pos_dirty = true;
		broker_truck_reindex(b, k);
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
		PROTO_STRSET(w.supplier, s->supplier);
		PROTO_STRSET(w.region, s->region);
		w.present = (uint64_t)1 << PROTO_truck_supplier | (uint64_t)1 << PROTO_truck_region;
		k = broker_truck_add(b, &w);
		k->still_since = now;
		b->avail_changed = true;
		broker_emit_truck(b, k, EVENT_REGISTERED, "", s->status);
		return;
	}
	bool changed = false;
	if (PROTO_HAS(s, status, supplier) && strcmp(k->w.supplier, s->supplier) != 0) {
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
		broker_emit_truck(b, k, EVENT_STATUS, "", s->status);
	}
}
