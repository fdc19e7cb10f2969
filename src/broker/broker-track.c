/* broker-track.c: each ticket's truck track since the truck was assigned (ticket.track,
 * PROTOCOL.md 7.29): where the truck was at each fix and how far it was from the car, for
 * the console's plot. broker-feed.c hands it every fix of a truck on a job; the op table
 * calls broker_op_track. It calls broker-emit.c only (and reads b->tickets itself).
 *
 * A track lives in memory only, one per ticket with a truck that sent a fix: a restart
 * starts each job's track afresh at its truck's next fix, a new truck starts it afresh,
 * and a ticket's track is freed when it closes. It is bounded: BROKER_TRACK_KEEP fixes
 * held, every stride-th one taken; when it fills, every other fix is dropped and the
 * stride doubles, so what is held stays evenly spread over the whole job (one fix in
 * stride) at ~8 kB a ticket, whatever the job's length. The newest fix is always there
 * (the tail, when it falls between two taken ones). This is not the deviation rule's
 * distance history (struct monitor_track in the same ticket), which it leaves alone. */
#include "broker-int.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

struct btrack_fix {
	int64_t ts;
	double lat, lon;
	double dist_m;            /* straight-line distance to the car when it was taken */
};

struct btrack {
	uint32_t gid;             /* the truck (geo id) ... */
	char truck[sizeof ((struct proto_ticket *)0)->truck]; /* ... and its id */
	uint64_t total;           /* fixes taken since it was assigned */
	int n;                    /* held, oldest first: one in stride fixes */
	int stride;               /* 1, 2, 4, ... */
	int skipped;              /* fixes since the last one held */
	bool has_tail;            /* tail is newer than fix[n - 1] */
	struct btrack_fix tail;   /* the newest fix when it is not held */
	struct btrack_fix fix[BROKER_TRACK_KEEP];
};

void
broker_track_drop(struct bticket *t)
{
	free(t->trk);
	t->trk = NULL;
}

void
broker_track_fix(struct bticket *t, const struct btruck *k, int64_t ts)
{
	struct btrack *r = t->trk;
	struct btrack_fix f = { .ts = ts, .lat = k->w.lat, .lon = k->w.lon };

	if (r == NULL || r->gid != k->gid || strcmp(r->truck, k->w.id) != 0) {
		if (r == NULL)
			r = t->trk = xcalloc(1, sizeof *r);
		memset(r, 0, offsetof(struct btrack, fix));
		r->gid = k->gid;
		PROTO_STRSET(r->truck, k->w.id);
		r->stride = 1;
	}
	if (r->n > 0 && ts < (r->has_tail ? r->tail.ts : r->fix[r->n - 1].ts))
		return; /* older than what is held */
	f.dist_m = geo_distance_m((struct geo_point){ k->w.lat, k->w.lon },
	    (struct geo_point){ t->w.lat, t->w.lon });
	r->total++;
	if (r->n > 0 && ++r->skipped < r->stride) {
		r->tail = f;
		r->has_tail = true;
		return;
	}
	if (r->n == BROKER_TRACK_KEEP) {
		/* keep fixes 0, 2, 4, ...: the next one, stride fixes on, is 2 * stride after
		 * the last kept */
		for (int i = 0; 2 * i < r->n; i++)
			r->fix[i] = r->fix[2 * i];
		r->n = (r->n + 1) / 2;
		r->stride *= 2;
	}
	r->fix[r->n++] = f;
	r->skipped = 0;
	r->has_tail = false;
}

/* The i-th of the m fixes held (the tail last). */
static const struct btrack_fix *
held(const struct btrack *r, size_t i)
{
	return i < (size_t)r->n ? &r->fix[i] : &r->tail;
}

int
broker_op_track(struct broker *b, const struct peer *p, const struct proto_request *req,
    struct proto_buf *out)
{
	const struct proto_ticket_track *a = &req->args.ticket_track;
	/* the table by id, as broker_ticket reads it (broker-state.c is above this file) */
	struct bticket *t = (uint64_t)a->id <= b->n_tickets ? b->tickets[a->id - 1] : NULL;
	const struct btrack *r;
	size_t m = 0, want = PROTO_HAS(a, ticket_track, max) ? (size_t)a->max :
	    BROKER_TRACK_MAX_DEFAULT, n;

	(void)p;
	if (t == NULL)
		return broker_reply_error(out, req, PROTO_E_NOT_FOUND, "no ticket %" PRId64, a->id);
	/* only the track of the truck the ticket has now */
	r = t->trk != NULL && t->truck != NULL && t->trk->gid == t->truck->gid ? t->trk : NULL;
	if (r != NULL)
		m = (size_t)r->n + (r->has_tail ? 1 : 0);
	n = m < want ? m : want;
	proto_encode_reply_ok(out, req->cmd_id, "ticket.track");
	proto_pack_map(out, t->truck != NULL ? 4 : 3);
	if (t->truck != NULL) {
		proto_pack_str(out, "truck");
		proto_pack_str(out, t->truck->w.id);
	}
	proto_pack_str(out, "total");
	proto_pack_i64(out, r != NULL ? (int64_t)r->total : 0);
	proto_pack_str(out, "ticket");
	broker_pack_ticket(out, &t->w);
	proto_pack_str(out, "fixes");
	proto_pack_array(out, (uint32_t)n);
	for (size_t i = 0; i < n; i++) {
		/* evenly thinned: the first and the last always, n - 2 between */
		size_t j = n < 2 ? m - 1 : (i * (m - 1) + (n - 1) / 2) / (n - 1);
		const struct btrack_fix *f = held(r, j);
		struct proto_track_fix w = { .ts = f->ts, .lat = f->lat, .lon = f->lon,
			.dist_m = f->dist_m, .present = PROTO_ALL };
		proto_pack_obj(out, PROTO_MSG_track_fix, &w, 0);
	}
	return 0;
}
