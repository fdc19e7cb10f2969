/* replica.h: a live local copy of the broker's tickets, trucks and warnings, kept with the
 * Clone pattern: subscribe to the PUB socket first, wait for the first heartbeat, ask for a
 * snapshot over rpc, then apply only updates newer than the snapshot's per-stream seqs. A gap
 * in a lossless stream (ticket, warning), a heartbeat announcing a seq we have not seen, or a
 * new epoch triggers a full resync; the old copy stays readable until the new snapshot has
 * arrived whole. No heartbeat for stale_ms (default 3000) marks the replica STALE; the SUB
 * socket reconnects by itself and the replica resyncs when heartbeats return.
 * Truck positions are latest-wins: a gap in the truck stream is not an error.
 *
 * Ownership: the replica owns its SUB socket and its tables; the rpc and the zmq context are
 * borrowed and must outlive it. Entity pointers returned by lookups and iteration are
 * borrowed: valid until the next replica_process call. */
#ifndef RD_REPLICA_H
#define RD_REPLICA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../proto/proto.h"
#include "rpc.h"

struct replica;

enum replica_state {
	REPLICA_CONNECTING, /* no heartbeat seen yet */
	REPLICA_SYNCING,    /* snapshot requested, parts arriving */
	REPLICA_LIVE,       /* in step with the broker */
	REPLICA_STALE,      /* no heartbeat for stale_ms; data shown is old */
};

/* Change notifications, all optional (NULL members are skipped). `old` is the previous
 * version or NULL when new. During a resync the callbacks fire for every entity that the
 * snapshot changes, adds, or removes (removed: `now` NULL). */
struct replica_ops {
	void (*ticket)(void *ctx, const struct proto_ticket *old, const struct proto_ticket *now);
	void (*truck)(void *ctx, const struct proto_truck *old, const struct proto_truck *now);
	void (*warning)(void *ctx, const struct proto_warning *old,
	    const struct proto_warning *now);
	void (*state)(void *ctx, enum replica_state from, enum replica_state to);
};

struct replica_opts {
	const char *pub_endpoint; /* e.g. "tcp://127.0.0.1:7711" */
	int stale_ms;             /* 0 means 3000 */
	bool trucks;              /* also subscribe to truck positions (the sim needs them) */
};

struct replica *replica_create(void *zctx, struct rpc *rpc, const struct replica_opts *opts,
    const struct replica_ops *ops, void *ctx, char **cause);
void replica_destroy(struct replica *r); /* NULL is fine */
void *replica_socket(struct replica *r);  /* the SUB socket, for zmq_poll */
/* Drain the SUB socket and drive the state machine; now_ms is monotonic. */
void replica_process(struct replica *r, int64_t now_ms);
/* Milliseconds until the replica needs replica_process again without socket activity. */
int replica_next_timeout(const struct replica *r, int64_t now_ms);

enum replica_state replica_state(const struct replica *r);
const char *replica_state_name(enum replica_state s);
/* Age in ms of the last heartbeat (-1 if none yet), and the broker's time then (ms). */
int64_t replica_hb_age_ms(const struct replica *r, int64_t now_ms);
int64_t replica_broker_time(const struct replica *r);
int64_t replica_epoch(const struct replica *r);
/* The broker's time_scale from the last heartbeat (simulated seconds per real second), 1 if
 * none was announced. */
int64_t replica_time_scale(const struct replica *r);

const struct proto_ticket *replica_ticket(const struct replica *r, int64_t id);
const struct proto_truck *replica_truck(const struct replica *r, const char *id);
size_t replica_ticket_count(const struct replica *r);
size_t replica_truck_count(const struct replica *r);
size_t replica_warning_count(const struct replica *r); /* active (not cleared) ones */
/* Iterate: *pos = 0 to start; returns NULL when done. */
const struct proto_ticket *replica_ticket_next(const struct replica *r, size_t *pos);
const struct proto_truck *replica_truck_next(const struct replica *r, size_t *pos);
const struct proto_warning *replica_warning_next(const struct replica *r, size_t *pos);

struct replica_stats {
	uint64_t applied;   /* updates applied */
	uint64_t stale;     /* updates dropped as older than what we had */
	uint64_t gaps;      /* gaps detected */
	uint64_t resyncs;   /* snapshots completed */
	uint64_t bad;       /* undecodable messages dropped */
};
void replica_stats(const struct replica *r, struct replica_stats *out);

#endif
