/* replica.h: a live local copy of the broker's streams (tickets, trucks, warnings: every
 * row of PROTO_STREAMS in proto/proto.h), kept with the Clone pattern: subscribe to the PUB
 * socket first, wait for the first heartbeat, ask for a snapshot over rpc, then apply only
 * updates newer than the snapshot's per-stream seqs. A gap in a LOSSLESS stream (ticket,
 * warning), a heartbeat announcing a seq we have not seen, or a new epoch triggers a full
 * resync; the old copy stays readable until the new snapshot has arrived whole. No
 * heartbeat for stale_ms (default 3000) marks the replica STALE; the SUB socket reconnects
 * by itself and the replica resyncs when heartbeats return. LATEST streams (truck
 * positions) are latest-wins: a gap there is not an error.
 *
 * Without a zmq context the replica opens no socket and asks for no snapshot: whoever holds
 * it feeds it through replica_apply_pub and replica_apply_snapshot (tests, benchmarks). The
 * socket path goes through the same two functions.
 *
 * Ownership: the replica owns its SUB socket and its tables; the rpc and the zmq context are
 * borrowed and must outlive it. Entity pointers returned by lookups and iteration are
 * borrowed: valid until the next replica_process or replica_apply_* call. */
#ifndef RD_REPLICA_H
#define RD_REPLICA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proto.h"
#include "rpc.h"

struct replica;

enum replica_state {
	REPLICA_CONNECTING, /* no heartbeat seen yet */
	REPLICA_SYNCING,    /* snapshot requested, parts arriving */
	REPLICA_LIVE,       /* in step with the broker */
	REPLICA_STALE,      /* no heartbeat for stale_ms; data shown is old */
};

/* Notifications, all optional (NULL members are skipped). change: an entity of stream s
 * (a struct proto_<stream name>) changed; `old` is the previous version or NULL when new,
 * `now` the new one or NULL when it left the live set (removed by a resync, or retired: a
 * cleared warning). During a resync it fires for every entity that the snapshot changes,
 * adds, or removes. */
struct replica_ops {
	void (*change)(void *ctx, enum proto_stream s, const void *old, const void *now);
	void (*state)(void *ctx, enum replica_state from, enum replica_state to);
};

struct replica_opts {
	const char *pub_endpoint; /* e.g. "tcp://127.0.0.1:7711", or a group's pub endpoints,
	                           * comma-separated, in the order of the rpc's api list: the
	                           * SUB follows the rpc to the broker it talks to (rpc_endpoint)
	                           * and resyncs on that broker's epoch; without heartbeats
	                           * for stale_ms it moves the rpc to the next broker and
	                           * keeps a hello out there, so that the rpc finds the
	                           * leader (replica.c's file comment) */
	int stale_ms;             /* 0 means 3000 */
	uint32_t skip;            /* streams not to subscribe to: bits 1u << PROTO_STREAM_*; only
	                           * LATEST streams may be skipped (the sim skips the trucks it
	                           * drives) */
	const struct curve_keys *curve; /* CURVE keys (curve.h), set before connecting; NULL or
	                                 * not on: plain */
};

/* zctx NULL: no socket (then rpc and opts->pub_endpoint may be NULL too). */
struct replica *replica_create(void *zctx, struct rpc *rpc, const struct replica_opts *opts,
    const struct replica_ops *ops, void *ctx, char **cause);
void replica_destroy(struct replica *r); /* NULL is fine */
void *replica_socket(struct replica *r);  /* the SUB socket, for zmq_poll; NULL without */
/* Drain the SUB socket and drive the state machine; now_ms is monotonic. */
void replica_process(struct replica *r, int64_t now_ms);
/* Handle one published message (its topic frame and body, borrowed) as if read from the
 * socket at now_ms: decoded, checked against the stream's seq, applied or queued, the
 * change callback called. 0, or -1 when it does not decode (counted in stats.bad). */
int replica_apply_pub(struct replica *r, const void *topic, size_t topic_len,
    const void *body, size_t len, int64_t now_ms);
/* Apply a whole snapshot (as rpc_snap_add assembled it; its arrays are taken and snap is
 * left empty) as if it had just arrived for a resync, then replay what was queued. A
 * snapshot request in flight is forgotten. */
void replica_apply_snapshot(struct replica *r, struct rpc_snap *snap, int64_t now_ms);
/* Milliseconds until the replica needs replica_process again without socket activity. */
int replica_next_timeout(const struct replica *r, int64_t now_ms);

enum replica_state replica_state(const struct replica *r);
const char *replica_state_name(enum replica_state s);
/* Age in ms of the last heartbeat (-1 if none yet), the broker's time then (ms), and the
 * epoch it came from (0 if none yet; after a restart of the broker it can be newer than
 * replica_epoch until the resync, or older when the new epoch showed first in an update). */
int64_t replica_hb_age_ms(const struct replica *r, int64_t now_ms);
int64_t replica_broker_time(const struct replica *r);
int64_t replica_hb_epoch(const struct replica *r);
/* The epoch of the data held (0 before the first snapshot). */
int64_t replica_epoch(const struct replica *r);
/* The broker's time_scale from the last heartbeat (simulated seconds per real second), 1 if
 * none was announced. */
int64_t replica_time_scale(const struct replica *r);

/* The live entities of stream s (struct proto_<stream name>; retired ones are not kept). */
size_t replica_count(const struct replica *r, enum proto_stream s);
/* Iterate: *pos = 0 to start; returns NULL when done. */
const void *replica_next(const struct replica *r, enum proto_stream s, size_t *pos);
/* By key as text (proto_entity_key: decimal for an I64 key), or NULL. */
const void *replica_get(const struct replica *r, enum proto_stream s, const char *key);

/* Typed forms for every stream of the table: replica_ticket_count(r),
 * replica_ticket_next(r, &pos), and so on for truck and warning. */
#define REPLICA_TYPED_(ID, name, plural, key, delivery, gone)                          \
	size_t replica_##name##_count(const struct replica *r);                         \
	const struct proto_##name *replica_##name##_next(const struct replica *r, size_t *pos);
PROTO_STREAMS(REPLICA_TYPED_)

/* Lookups by the id's own type. */
const struct proto_ticket *replica_ticket(const struct replica *r, int64_t id);
const struct proto_truck *replica_truck(const struct replica *r, const char *id);

struct replica_stats {
	uint64_t applied;   /* updates applied */
	uint64_t stale;     /* updates dropped as older than what we had */
	uint64_t gaps;      /* gaps detected */
	uint64_t resyncs;   /* snapshots completed */
	uint64_t bad;       /* undecodable messages dropped */
};
void replica_stats(const struct replica *r, struct replica_stats *out);

#endif
