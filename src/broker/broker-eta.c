/* broker-eta.c: a ticket as the ranking (src/model/dispatch.c) sees it: the trucks that
 * declined it, the query for dispatch_rank, the travel time of a truck to it and its ETA.
 * Below both broker-dispatch.c (offers) and broker-watch.c (the ETA refresh and the
 * re-dispatch proposal), so that neither calls the other for these. Calls only
 * broker-supplier.c (the day of the offer counts). */
#include "broker-int.h"

#include <string.h>

#include "util.h"

static bool
declined_by(const struct bticket *t, const struct btruck *k)
{
	for (int i = 0; i < t->n_declined; i++)
		if (t->declined[i] == k->gid)
			return true;
	return false;
}

/* Remember that k declined t (or did not answer): it is not offered t again. */
void
broker_add_declined(struct bticket *t, const struct btruck *k)
{
	if (declined_by(t, k))
		return;
	if (t->n_declined == DECLINED_MAX) {
		/* the oldest refusal goes: after DECLINED_MAX others it may be asked again */
		memmove(t->declined, t->declined + 1, (DECLINED_MAX - 1) * sizeof *t->declined);
		t->n_declined--;
	}
	t->declined[t->n_declined++] = k->gid;
}

static struct dispatch_ticket
ticket_view(const struct bticket *t)
{
	return (struct dispatch_ticket){
		.pos = { t->w.lat, t->w.lon }, .fault = t->fault, .flags = (uint32_t)t->w.flags,
		.region = t->region,
	};
}

struct dispatch_query
broker_dispatch_query(struct broker *b, struct bticket *t, int64_t now)
{
	int need = PROTO_HAS(&t->w, ticket, need_kind) ? truck_kind_parse(t->w.need_kind) : -1;
	broker_roll_day(b, now);
	return (struct dispatch_query){
		.ticket = ticket_view(t), .skip = t->declined, .n_skip = (size_t)t->n_declined,
		.available_only = false, .need = need >= 0,
		.need_kind = need >= 0 ? (enum truck_kind)need : TRUCK_KIND_VAN, .now = now,
	};
}

struct dispatch_query
broker_dispatch_query_others(struct broker *b, struct bticket *t, int64_t now,
    uint32_t skip[DECLINED_MAX + 1])
{
	struct dispatch_query q = broker_dispatch_query(b, t, now);
	memcpy(skip, t->declined, (size_t)t->n_declined * sizeof *skip);
	q.skip = skip;
	if (t->truck != NULL)
		skip[q.n_skip++] = t->truck->gid;
	return q;
}

int64_t
broker_travel_ms(const struct broker *b, const struct bticket *t, const struct btruck *k,
    int64_t now)
{
	struct dispatch_ticket v = ticket_view(t);
	struct geo_point a = { k->w.lat, k->w.lon };
	int64_t ms = b->eta->travel_ms(b->eta, &v, a, geo_distance_m(v.pos, a), now);
	if (k->next == t && k->job != NULL && k->job != t) {
		/* chained: it leaves once its current job is done (from where it is on scene) */
		struct dispatch_truck dt;
		broker_truck_view(b, k, &dt);
		ms += dispatch_job_ms(&b->rules, &dt, &v, now);
	}
	return ms;
}

void
broker_set_eta(struct bticket *t, int64_t eta, const char *src)
{
	t->w.eta = eta;
	t->eta_logged = eta; /* the offer or acceptance that sets it tells it */
	PROTO_SET(&t->w, ticket, eta);
	proto_strset(t->w.eta_src, sizeof t->w.eta_src, src);
	PROTO_SET(&t->w, ticket, eta_src);
}
