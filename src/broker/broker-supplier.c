/* broker-supplier.c: the trucks and their suppliers as dispatch sees them: the supplier
 * table (trucks, busy trucks, offers today per supplier), a truck's status and its place in
 * the geo index, and the fleet view dispatch_rank reads. Calls no other broker file: the
 * changes it makes are recorded by its callers. */
#include "broker-int.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

/* ---- suppliers and the fleet as dispatch sees them ---- */

/* The supplier of truck k: its own region's first, else the first with that id anywhere. */
int
broker_sup_find(const struct broker *b, const struct btruck *k)
{
	int any = -1;
	if (!k->w.supplier[0])
		return -1;
	for (size_t i = 0; i < b->n_sups; i++) {
		if (strcmp(b->sups[i].d->id, k->w.supplier) != 0)
			continue;
		if (strcmp(b->sups[i].region->id, k->w.region) == 0)
			return (int)i;
		if (any < 0)
			any = (int)i;
	}
	return any;
}

/* Count truck k in (sign 1) or out of (sign -1) its supplier's trucks and busy trucks. */
void
broker_sup_count(struct broker *b, const struct btruck *k, int sign)
{
	if (k->sup < 0)
		return;
	struct dispatch_supplier *s = &b->dsup[k->sup];
	if (k->status != TRUCK_OFF_DUTY) {
		s->trucks += sign;
		if (k->status != TRUCK_AVAILABLE)
			s->busy += sign;
	}
}

/* Its supplier may have changed: account for it again. */
void
broker_truck_resup(struct broker *b, struct btruck *k)
{
	broker_sup_count(b, k, -1);
	k->sup = broker_sup_find(b, k);
	broker_sup_count(b, k, 1);
}

/* Start a new China day for the counts of offers made today. */
void
broker_roll_day(struct broker *b, int64_t now)
{
	b->today = dispatch_day(now);
	for (size_t i = 0; i < b->n_sups; i++) {
		if (b->sups[i].day != b->today) {
			b->sups[i].day = b->today;
			b->dsup[i].offers_today = 0;
		}
	}
}

void
broker_truck_view(const struct broker *b, const struct btruck *k, struct dispatch_truck *out)
{
	out->id = k->w.id;
	out->supplier = k->sup;
	out->kind = k->kind;
	out->status = k->status;
	out->placed = k->placed;
	out->pos = (struct geo_point){ k->w.lat, k->w.lon };
	out->fix_ts = k->w.fix_ts;
	out->job_fault = -1;
	out->job_since = 0;
	if (k->job != NULL) {
		out->job_fault = (int)k->job->fault;
		out->job_since = k->status == TRUCK_TOWING ? k->job->w.t_towing : k->job->w.t_on_scene;
	}
	out->offers_today = k->offers_day == b->today ? k->offers_today : 0;
	out->last_offer = k->w.last_offer;
	out->chained = k->next != NULL;
}

static bool
fleet_get(const void *ctx, uint32_t id, struct dispatch_truck *out)
{
	const struct broker *b = ctx;
	if (id >= b->n_trucks)
		return false;
	broker_truck_view(b, b->trucks[id], out);
	return true;
}

void
broker_dispatch_init(struct broker *b)
{
	dispatch_rules_init(&b->rules, b->data);
	b->eta = &dispatch_eta_builtin;
	b->n_sups = 0;
	for (size_t i = 0; i < b->data->n_regions; i++)
		b->n_sups += b->data->regions[i].n_suppliers;
	b->sups = xcalloc(b->n_sups + 1, sizeof *b->sups);
	b->dsup = xcalloc(b->n_sups + 1, sizeof *b->dsup);
	size_t n = 0;
	for (size_t i = 0; i < b->data->n_regions; i++) {
		const struct data_region *r = &b->data->regions[i];
		for (size_t j = 0; j < r->n_suppliers; j++, n++) {
			b->sups[n].region = r;
			b->sups[n].d = &r->suppliers[j];
			b->dsup[n].id = r->suppliers[j].id;
			b->dsup[n].quality = r->suppliers[j].quality;
		}
	}
	b->fleet = (struct dispatch_fleet){
		.geo = b->geo, .n_ids = 0, .get = fleet_get, .ctx = b,
		.suppliers = b->dsup, .n_suppliers = b->n_sups,
	};
}

void
broker_dispatch_finish(struct broker *b)
{
	free(b->sups);
	free(b->dsup);
	b->sups = NULL;
	b->dsup = NULL;
	b->n_sups = 0;
}

void
broker_truck_reindex(struct broker *b, struct btruck *k)
{
	if (!k->placed)
		return;
	struct geo_point p = { k->w.lat, k->w.lon };
	geo_index_put(b->geo, k->gid, p, dispatch_mask(&b->rules, k->kind, k->status));
}

struct btruck *
broker_truck_add(struct broker *b, const struct proto_truck *w)
{
	struct btruck *k = xcalloc(1, sizeof *k);
	int kind = truck_kind_parse(w->kind);
	int status = truck_status_parse(w->status);

	k->w = *w;
	k->kind = kind < 0 ? TRUCK_KIND_VAN : (enum truck_kind)kind;
	k->status = status < 0 ? TRUCK_OFF_DUTY : (enum truck_status)status;
	k->placed = PROTO_HAS(w, truck, lat) && PROTO_HAS(w, truck, lon);
	if (b->n_trucks == b->cap_trucks) {
		b->cap_trucks = b->cap_trucks ? b->cap_trucks * 2 : 64;
		b->trucks = xreallocarray(b->trucks, b->cap_trucks, sizeof *b->trucks);
	}
	k->gid = (uint32_t)b->n_trucks;
	b->trucks[b->n_trucks++] = k;
	b->fleet.n_ids = (uint32_t)b->n_trucks;
	hmap_put(b->truck_by_id, k->w.id, k);
	k->sup = broker_sup_find(b, k);
	broker_sup_count(b, k, 1);
	broker_truck_reindex(b, k);
	return k;
}

void
broker_truck_set_status(struct broker *b, struct btruck *k, enum truck_status s)
{
	if (s == TRUCK_AVAILABLE && k->status != TRUCK_AVAILABLE)
		b->avail_changed = true; /* waiting tickets may now find a truck */
	broker_sup_count(b, k, -1);
	k->status = s;
	broker_sup_count(b, k, 1);
	proto_strset(k->w.status, sizeof k->w.status, truck_status_name(s));
}
