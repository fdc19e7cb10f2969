/* rpc.h: the client side of the request/reply protocol: a DEALER socket to the broker's
 * ROUTER, cmd_id generation, timeouts and retries with the same cmd_id (so the broker's
 * idempotency cache answers a retry with the stored reply), and reply dispatch.
 * Used by the console, the simulator and the tests. Single-threaded: the socket belongs to
 * the thread that created the rpc.
 *
 * Ownership: rpc_create returns an rpc the caller frees with rpc_destroy; the zmq context is
 * borrowed. Arguments passed to rpc_call are copied (encoded) at once. The reply handed to a
 * callback is borrowed for the duration of the callback. */
#ifndef RD_RPC_H
#define RD_RPC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "curve.h"
#include "proto.h"

struct rpc;

/* A group of brokers (PROTOCOL.md 13): at most this many endpoints in a list. */
#define RPC_ENDPOINTS_MAX 8

struct rpc_opts {
	const char *endpoint; /* e.g. "tcp://127.0.0.1:7710", or a comma-separated list of
	                       * a group's api endpoints (rpc_endpoints_split) */
	const char *user;     /* sent as "user" in every request; may be NULL */
	int timeout_ms;       /* per try; 0 means 2000 */
	int tries;            /* 0 means 3 */
	const struct curve_keys *curve; /* CURVE keys (curve.h), copied; NULL or not on: plain */
};

/* Called once per reply frame for the request (a snapshot answers with several parts; the
 * last one has snap.part == snap.parts), or once with reply == NULL and err set when every
 * try timed out (err->code PROTO_E_UNAVAILABLE) or the reply could not be decoded. */
typedef void (*rpc_cb)(void *ctx, const char *cmd_id, const struct proto_reply *reply,
    const struct proto_error *err);

struct rpc *rpc_create(void *zctx, const struct rpc_opts *opts, char **cause);
void rpc_destroy(struct rpc *r); /* NULL is fine; pending callbacks are dropped silently */
/* The DEALER socket, for zmq_poll (ZMQ_POLLIN). */
void *rpc_socket(struct rpc *r);

/* Send op with args (a struct proto_<op>). cmd_id_out (if non-NULL, PROTO_CMD_ID_MAX + 1
 * bytes) gets the generated cmd_id. Returns 0, or -1 if the message could not be queued. */
int rpc_call(struct rpc *r, enum proto_msg_id op, const void *args, rpc_cb cb, void *ctx,
    char *cmd_id_out);
/* Drain replies (call after zmq_poll reports POLLIN, or every turn) and resend or expire
 * requests whose time is up. now_ms is a monotonic clock (rd_mono_ms). */
void rpc_process(struct rpc *r, int64_t now_ms);
/* Milliseconds until the next retry is due (for the poll timeout), or -1 if nothing waits. */
int rpc_next_timeout(const struct rpc *r, int64_t now_ms);
size_t rpc_pending(const struct rpc *r);
/* What the handshakes with the broker said (curve.h), as of the last rpc_process: a broker
 * that refuses the key, or wants one, is told apart from one that does not answer. */
enum curve_state rpc_handshake(const struct rpc *r);
/* Talk to another broker from now on (the leader a not_leader error named, PROTOCOL.md
 * 13): disconnect from the old endpoint, connect to ep. Pending requests go there at their
 * next time-out, with their cmd_ids. 0, or -1 when ep does not connect (nothing changed). */
int rpc_set_endpoint(struct rpc *r, const char *ep);
/* Split a comma-separated list of endpoints into eps (RPC_ENDPOINTS_MAX entries; each
 * allocated, the caller frees them). The count (>= 1), or -1 with cause (an empty entry,
 * too many). */
int rpc_endpoints_split(const char *list, char **eps, char **cause);
/* With a list, the rpc follows the leader: a not_leader reply is not handed to the
 * callback; the request moves to the leader it names (if listed: resent there at once
 * with its cmd_id) or to the next endpoint of the list (resent at its time-out); a
 * time-out moves to the next one before the resend. The index in the list of the endpoint
 * talked to now (-1 after rpc_set_endpoint to one not in it), and in moves (if non-NULL)
 * how many times it changed: a replica compares it to follow with its pub socket. */
int rpc_endpoint(const struct rpc *r, uint64_t *moves);
/* With a list: move to the next endpoint now, for a caller that knows the broker talked to
 * is gone (a replica whose heartbeats stopped). Pending requests go there at their next
 * time-out. 0, or -1 without a list or when it does not connect (nothing changed). */
int rpc_move_next(struct rpc *r);
/* Another socket of the same group (a SUB to the pubs, a PUSH to the feeds) that follows
 * the rpc: given the list of its endpoints in the order of the api list, it is connected to
 * the one at the rpc's index. Embedded; rpc_follow_finish frees the list. */
struct rpc_follow {
	char *eps[RPC_ENDPOINTS_MAX];
	int n;
	int cur;        /* the index in eps connected */
	uint64_t moves; /* the rpc's moves when sock last followed */
};
/* Split list and connect sock to the endpoint at the rpc's index. 0, or -1 with cause
 * (a bad list, a failed connect; f is then empty). */
int rpc_follow_start(struct rpc_follow *f, const struct rpc *r, void *sock, const char *list,
    char **cause);
/* After rpc_process: if the rpc moved to another endpoint of its list, move sock to the
 * endpoint at the same index. true if it moved. */
bool rpc_follow(struct rpc_follow *f, const struct rpc *r, void *sock);
void rpc_follow_finish(struct rpc_follow *f);
/* Forget every pending request without calling back (used on reconnect / resync). */
void rpc_cancel_all(struct rpc *r);

/* Blocking call for tools and tests: waits for the reply (for a snapshot: all parts merged
 * into out's arrays) up to timeout_ms in total. 0 on a reply (out->ok says whether the
 * broker accepted), -1 with err on timeout or a bad reply. Caller frees out with
 * proto_reply_finish. Other requests' replies arriving meanwhile are dispatched as usual. */
int rpc_call_sync(struct rpc *r, enum proto_msg_id op, const void *args,
    struct proto_reply *out, struct proto_error *err, int timeout_ms);

/* Forget one pending request without calling back (its later replies are dropped). Safe
 * inside any rpc callback, including the request's own. 0, or -1 if it was not pending. */
int rpc_cancel(struct rpc *r, const char *cmd_id);
/* A command the broker must answer, not lose: keep resending it with the same cmd_id every
 * timeout_ms until window_ms after its first try (instead of the opts' tries), across
 * broker restarts, so that its answer is the broker's real one. The window must stay inside
 * the broker's idempotency record (its reply cache keeps an answer 600 s, PROTOCOL.md):
 * RPC_KEEP_MS leaves a minute for clocks and queues. Past it the callback gets
 * PROTO_E_UNAVAILABLE, and the copies still queued for an absent broker are thrown away
 * (the connection is made again), so none reaches it after the window: the caller asks
 * the user, it never resends. 0, or -1 if cmd_id is not pending or window_ms <= 0. */
#define RPC_KEEP_MS 540000
int rpc_keep(struct rpc *r, const char *cmd_id, int64_t window_ms);
/* Tries made so far for a pending request (1: sent once, not yet timed out), 0 if none. */
int rpc_tries(const struct rpc *r, const char *cmd_id);
/* Whether the request is still waiting for (more of) its reply. */
bool rpc_is_pending(const struct rpc *r, const char *cmd_id);

/* Reassembly of a multi-part snapshot reply (used by rpc_call_sync and the replica).
 * Embedded: rpc_snap_init/rpc_snap_finish. The arrays are owned by the struct (free()d by
 * rpc_snap_finish and rpc_snap_reset) and may be taken over by the caller, who then sets the
 * pointer to NULL and the count to 0. */
struct rpc_snap {
	struct proto_snapshot_part head; /* the head every part must repeat */
	int64_t next;                     /* the part expected next; 0: waiting for part 1 */
	PROTO_STREAM_ARRAYS;              /* streams[s] or tickets/n_tickets, ... */
	size_t cap[PROTO_STREAM_COUNT];
};

void rpc_snap_init(struct rpc_snap *s);
void rpc_snap_finish(struct rpc_snap *s);
/* Empty the arrays (keeping nothing) and wait for part 1 again. */
void rpc_snap_reset(struct rpc_snap *s);
/* Add one part (an ok reply to a snapshot request; the entities are copied). Parts must come
 * in order 1..parts and repeat the same epoch, seqs, parts and totals; a part 1 always
 * restarts the assembly (a retried request restarts the stream). Returns 0 when more parts
 * are expected, 1 when the last part arrived and the entity counts match the totals, or -1
 * with err (PROTO_E_UNAVAILABLE) when a part is missing, out of order or inconsistent or the
 * totals do not match; the assembly is then reset. */
int rpc_snap_add(struct rpc_snap *s, const struct proto_reply *part, struct proto_error *err);

#endif
