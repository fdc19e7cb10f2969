/* broker-int.h: the broker's private state, shared by broker.c (sockets, loop, store,
 * publishing) and broker-ops.c (requests, dispatch, monitoring). Not for other modules. */
#ifndef RD_BROKER_INT_H
#define RD_BROKER_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../proto/proto.h"
#include "broker.h"
#include "data.h"
#include "dispatch.h"
#include "geo.h"
#include "hmap.h"
#include "store.h"
#include "ticket.h"

/* The published streams are proto.h's table: b->seq[] is indexed by enum proto_stream. */

#define WARN_KINDS(X)                         \
	X(NOT_ACCEPTED, "not_accepted")       \
	X(GPS_LOST, "gps_lost")               \
	X(STALLED, "stalled")                 \
	X(ETA_LATE, "eta_late")               \
	X(OVERDUE, "overdue")                 \
	X(REDISPATCH, "redispatch")

enum warn_kind {
#define X(e, s) WARN_##e,
	WARN_KINDS(X)
#undef X
	WARN_KIND_COUNT
};

#define DECLINED_MAX 32
#define OFFER_TIMEOUT_DEFAULT_S 120 /* a truck whose supplier is not in the data */

struct btruck;
struct bwarn;

struct bticket {
	struct proto_ticket w;   /* the wire form, published and stored as is */
	enum ticket_state state;
	enum ticket_fault fault;
	struct btruck *truck;
	const struct data_region *region;
	struct bwarn *warns[WARN_KIND_COUNT]; /* active warnings by kind */
	uint32_t declined[DECLINED_MAX];      /* geo ids of trucks that declined it */
	int n_declined;
	int64_t eta_updated;     /* broker time of the last ETA change */
	int64_t round_start;     /* first offer not yet accepted (0: none): not_accepted clock */
	char last_offered[sizeof ((struct proto_ticket *)0)->truck]; /* for the not_accepted text */
	bool held;               /* waiting for a truck finishing a job nearby ... */
	uint32_t hold;           /* ... this one (geo id) */
};

struct btruck {
	struct proto_truck w;
	uint32_t gid;            /* index in broker.trucks and id in the geo index */
	enum truck_kind kind;
	enum truck_status status;
	struct bticket *job;
	bool pos_dirty;          /* moved since last published */
	bool placed;             /* has a position */
	bool off_after_job;      /* the supplier took it off duty during a job */
	double still_lat, still_lon;
	int64_t still_since;     /* broker time since when it has not moved 50 m */
	int sup;                 /* index in broker.sups, or -1 */
	int offers_today;        /* offers on China day offers_day */
	int64_t offers_day;
};

/* A supplier of the reference data, with what dispatch needs to know of it now. */
struct bsup {
	const struct data_region *region;
	const struct data_supplier *d;
	int64_t day;             /* the China day dsup.offers_today counts */
};

struct bwarn {
	struct proto_warning w;
	struct bticket *ticket;
};

/* A reply or snapshot waiting to be sent to one client. */
struct outq {
	struct outq *next;
	unsigned char rid[256];
	size_t rid_len;
	bool delim;              /* the client is a REQ socket: put back the empty frame */
	char **frames;
	size_t *lens;
	size_t n, sent;
	int64_t started;         /* monotonic ms */
};

struct pubq {
	enum proto_stream stream;
	char *body;
	size_t len;
};

struct broker {
	struct broker_opts opts;
	char *api, *pub_ep, *feed_ep, *db_path, *data_dir;
	void *zctx;
	bool own_ctx;
	void *router, *pub, *feed;
	struct store *store;
	struct data *data;

	int64_t epoch;
	int64_t seq[PROTO_STREAM_COUNT];
	int64_t hb_seq;

	struct bticket **tickets; /* by id - 1; NULL holes allowed */
	size_t n_tickets, cap_tickets;
	size_t n_open;
	struct btruck **trucks;   /* by gid */
	size_t n_trucks, cap_trucks;
	struct hmap *truck_by_id;
	struct bwarn **warns;     /* by id - 1 */
	size_t n_warns, cap_warns;
	size_t n_warns_active;
	struct geo_index *geo;
	bool avail_changed;       /* a truck became available: retry waiting tickets */
	size_t n_held;            /* tickets waiting for a truck finishing a job */

	/* dispatch */
	struct dispatch_rules rules;
	const struct dispatch_eta_model *eta;
	struct bsup *sups;        /* every supplier of every region */
	struct dispatch_supplier *dsup; /* parallel to sups: the ranking's view */
	size_t n_sups;
	struct dispatch_fleet fleet;
	int64_t today;            /* China day of the ranking in progress */

	/* the current batch */
	bool in_txn;
	struct pubq *pubs;
	size_t n_pubs, cap_pubs;
	struct outq *out_head, *out_tail;
	struct proto_buf buf;      /* scratch */

	/* clock */
	int64_t t0_mono, t0_broker;
	int64_t last_hb, last_tick, last_pos, last_expire;

	int64_t events_since_checkpoint;
	struct broker_stats st;
	bool fatal;
};

/* broker.c */
int64_t broker_now(const struct broker *b);
/* Open the batch transaction if it is not open yet; false (and b->fatal) on error. */
bool broker_txn(struct broker *b);
/* Record a change of an entity: bump its stream's seq into ver, append the event and queue
 * the publication. user/detail may be "". */
void broker_emit_ticket(struct broker *b, struct bticket *t, const char *kind, const char *user,
    const char *detail);
void broker_emit_truck(struct broker *b, struct btruck *k, const char *kind, const char *user,
    const char *detail);
void broker_emit_warning(struct broker *b, struct bwarn *w, const char *kind);
/* Encode an entity's wire form as a msgpack map into out. */
void broker_pack_ticket(const struct bticket *t, struct proto_buf *out);
/* Queue a reply frame for the client of the request being handled. */
void broker_reply(struct broker *b, const unsigned char *rid, size_t rid_len, bool delim,
    const char *body, size_t len);

/* broker-ops.c */
/* Set up the dispatch rules, the supplier table and the fleet view from b->data; before any
 * truck is added. broker_dispatch_finish frees what it made. */
void broker_dispatch_init(struct broker *b);
void broker_dispatch_finish(struct broker *b);
struct bticket *broker_ticket(struct broker *b, int64_t id);
struct btruck *broker_truck_add(struct broker *b, const struct proto_truck *w);
void broker_truck_reindex(struct broker *b, struct btruck *k);
void broker_ticket_put(struct broker *b, struct bticket *t);
/* Handle one decoded request: writes the reply body (complete frame) into out. */
void broker_handle(struct broker *b, const struct proto_request *req, struct proto_buf *out,
    const unsigned char *rid, size_t rid_len, bool delim);
void broker_handle_feed(struct broker *b, const struct proto_feed *f);
/* Periodic work: dispatch waiting tickets, refresh ETAs, raise and clear warnings. */
void broker_tick(struct broker *b);
/* After load: relink tickets, trucks and warnings; rebuild what is not in the entities
 * (declined trucks, offers today) from the event log. */
void broker_relink(struct broker *b);
const char *warn_kind_name(enum warn_kind k);
int warn_kind_parse(const char *s);

#endif
