/* replica.c: a local copy of the broker's streams (Clone pattern).
 *
 * Streams are indexed by enum proto_stream and described by proto_streams[] (generated from
 * PROTO_STREAMS): nothing here names a stream. Each table is an hmap from the entity's key
 * (proto_entity_key: decimal for tickets and warnings) to a heap copy of the entity whose
 * `ver` is always set (to the publishing seq when the wire left it out).
 *
 * While a resync runs (`syncing`), everything read from the SUB socket, heartbeats
 * included, goes to an app-side queue so the socket's HWM is never reached. The snapshot
 * parts arrive through the rpc callback, which only assembles them; the snapshot is applied
 * in replica_process (so entity pointers change only there), then the queue is replayed with
 * the same checks as live traffic: updates at or below the snapshot's seq are dropped, the
 * rest must continue the stream. A gap found during the replay starts another resync with
 * the rest of the queue kept. Queued messages of another epoch than the snapshot's are
 * dropped; if the broker has moved to a newer epoch, its next message triggers a resync.
 *
 * Given a group's pub endpoints (PROTOCOL.md 13), the SUB is connected to the one whose
 * index in the list is the rpc's api endpoint's; when the rpc moves (to the leader a
 * not_leader reply named, or on a time-out) the SUB moves with it, and the new broker's
 * heartbeats, of another epoch, start the resync as after a restart. A broker that died
 * sends nothing more and its SUB would wait for it for ever: the rpc moves only when a
 * request times out or is refused, and a stale replica asks for nothing. So in a group,
 * while no heartbeat has come for stale_ms, the replica keeps one `hello` out on the rpc
 * (the probe). Heartbeats that stopped mean the broker is gone: before each probe the rpc
 * moves to the next broker of the list (rpc_move_next), and the SUB with it; a standby's
 * not_leader answer moves it on to the leader it names (back, if the leader was only
 * late), and a time-out to the next. */
#include "replica.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include "hmap.h"
#include "util.h"

#define REPLICA_STALE_MS 3000
#define REPLICA_RCVHWM 100000
#define REPLICA_QUEUE_MAX 100000 /* messages buffered during a resync (~1 KB each) */
#define REPLICA_DRAIN_MAX 10000  /* messages read per replica_process call */
#define REPLICA_RETRY_MIN 250    /* backoff between failed snapshots after the 1st retry */
#define REPLICA_RETRY_MAX 5000

#define NSTREAMS PROTO_STREAM_COUNT

enum verdict { REPLICA_V_OK, REPLICA_V_DROP, REPLICA_V_RESYNC };

struct replica {
	void *sock;
	struct rpc *rpc;
	struct replica_ops ops;
	void *ctx;
	int stale_ms;

	enum replica_state state;
	bool have_hb;
	int64_t last_hb;    /* our monotonic ms of the last heartbeat */
	int64_t broker_ts;  /* its ts */
	int64_t hb_epoch;   /* its epoch */
	int64_t hb_seq;     /* its seq */
	int64_t time_scale; /* its time_scale, 1 if absent */

	int64_t epoch;            /* of the data we hold; 0 before the first snapshot */
	int64_t last[NSTREAMS];   /* last seq applied per stream */
	struct hmap *tab[NSTREAMS];

	bool syncing;
	char snap_cmd_id[PROTO_CMD_ID_MAX + 1]; /* "" when no snapshot request is out */
	struct rpc_snap snap;
	bool snap_ready;  /* snap holds a whole, checked snapshot */
	bool snap_failed; /* the last request failed; schedule the next one */
	int snap_failures;
	int64_t retry_at;

	struct proto_pub *q;
	size_t qlen, qcap;
	bool q_full_logged;

	struct replica_stats stats;

	struct rpc_follow pubs; /* the pub endpoints given; the SUB follows the rpc */
	char probe_cmd_id[PROTO_CMD_ID_MAX + 1]; /* the group's hello out, or "" */
	int64_t quiet_since; /* the first replica_process: waiting for a heartbeat since */
	bool probe_answered; /* a broker answered the probe (the leader: a standby's
	                      * not_leader is followed by the rpc, never answered) ... */
	int64_t answered_at; /* ... then: its heartbeats are waited for from this time */
};

/* ---- entities, generic over the streams ---- */

static size_t
entity_size(int s)
{
	return proto_descs[proto_streams[s].msg].size;
}

static void
notify(struct replica *r, int s, const void *old, const void *now)
{
	if (r->ops.change != NULL)
		r->ops.change(r->ctx, (enum proto_stream)s, old, now);
}

static void
table_free(struct hmap *m)
{
	size_t pos = 0;
	void *v;

	if (m == NULL)
		return;
	while (hmap_next(m, &pos, NULL, &v))
		free(v);
	hmap_destroy(m);
}

/* Apply one published entity whose stream seq is seq. */
static void
apply_entity(struct replica *r, int s, const void *e, int64_t seq)
{
	char key[32];
	int64_t ver = proto_entity_ver(s, e);
	void *old, *copy;

	if (ver < 0)
		ver = seq;
	proto_entity_key(s, e, key, sizeof key);
	old = hmap_get(r->tab[s], key);
	if (old != NULL && proto_entity_ver(s, old) >= ver) {
		r->stats.stale++;
		log_debug("replica: %s %s ver %lld is not newer than %lld",
		    proto_streams[s].topic, key, (long long)ver,
		    (long long)proto_entity_ver(s, old));
		return;
	}
	r->stats.applied++;
	if (proto_entity_gone(s, e)) {
		/* Retired entities (cleared warnings) leave the live set. */
		if (old != NULL) {
			hmap_remove(r->tab[s], key);
			notify(r, s, old, NULL);
			free(old);
		}
		return;
	}
	copy = xmalloc(entity_size(s));
	memcpy(copy, e, entity_size(s));
	proto_entity_set_ver(s, copy, ver);
	hmap_put(r->tab[s], key, copy);
	notify(r, s, old, copy);
	free(old);
}

static struct hmap *
table_build(int s, const void *arr, size_t n)
{
	struct hmap *m = hmap_create();
	char key[32];
	size_t i;

	for (i = 0; i < n; i++) {
		const void *e = (const char *)arr + i * entity_size(s);
		void *copy;

		if (proto_entity_gone(s, e))
			continue;
		copy = xmalloc(entity_size(s));
		memcpy(copy, e, entity_size(s));
		proto_entity_key(s, e, key, sizeof key);
		free(hmap_put(m, key, copy)); /* a duplicate id: the later one wins */
	}
	return m;
}

/* Notify what changed from table `old` to the current table of stream s. same_epoch: vers
 * are comparable (a ver is a seq of one epoch's stream). */
static void
table_diff(struct replica *r, int s, struct hmap *old, bool same_epoch)
{
	size_t pos = 0;
	const char *key;
	void *v, *o;

	while (hmap_next(r->tab[s], &pos, &key, &v)) {
		o = hmap_get(old, key);
		/* Same ver, same entity: ver is the stream seq of its last change. */
		if (o == NULL || !same_epoch || proto_entity_ver(s, o) < 0 ||
		    proto_entity_ver(s, o) != proto_entity_ver(s, v))
			notify(r, s, o, v);
	}
	pos = 0;
	while (hmap_next(old, &pos, &key, &o))
		if (hmap_get(r->tab[s], key) == NULL)
			notify(r, s, o, NULL);
}

/* ---- queue ---- */

static void
enqueue(struct replica *r, const struct proto_pub *p)
{
	if (r->qlen == REPLICA_QUEUE_MAX) {
		/* Losing these is caught like any loss: by seq continuity or a heartbeat. */
		if (!r->q_full_logged)
			log_warn("replica: resync queue full (%d), dropping updates",
			    REPLICA_QUEUE_MAX);
		r->q_full_logged = true;
		return;
	}
	if (r->qlen == r->qcap) {
		r->qcap = r->qcap ? r->qcap * 2 : 64;
		r->q = xreallocarray(r->q, r->qcap, sizeof *r->q);
	}
	r->q[r->qlen++] = *p;
}

static void
queue_clear(struct replica *r)
{
	r->qlen = 0;
	r->q_full_logged = false;
	if (r->qcap > 4096) {
		free(r->q);
		r->q = NULL;
		r->qcap = 0;
	}
}

/* ---- the state machine ---- */

static bool
hb_fresh(const struct replica *r, int64_t now)
{
	return r->have_hb && now - r->last_hb <= r->stale_ms;
}

static void
start_resync(struct replica *r, int64_t now, const char *why)
{
	if (r->syncing)
		return;
	log_info("replica: resync: %s", why);
	r->syncing = true;
	r->snap_failures = 0;
	r->snap_failed = false;
	r->retry_at = now;
}

/* Check one message against the data we hold and apply it. from_queue: replayed after a
 * snapshot, where another epoch means an old message rather than a new broker. */
static enum verdict
check_apply(struct replica *r, const struct proto_pub *p, bool from_queue)
{
	int s = (int)p->topic;

	if (p->epoch != r->epoch) {
		if (from_queue) {
			if (p->topic != PROTO_TOPIC_HB)
				r->stats.stale++;
			return REPLICA_V_DROP;
		}
		log_info("replica: epoch %lld -> %lld", (long long)r->epoch, (long long)p->epoch);
		return REPLICA_V_RESYNC;
	}
	if (p->topic == PROTO_TOPIC_HB) {
		for (s = 0; s < NSTREAMS; s++) {
			int64_t hs = proto_hb_seq(&p->u.hb, s);

			if (!proto_streams[s].lossless)
				continue;
			/* The heartbeat follows every update it counts on the same pipe: a
			 * higher seq than ours means the tail of a lossless stream was lost. */
			if (hs > r->last[s]) {
				r->stats.gaps++;
				log_info("replica: heartbeat at %s %lld, we have %lld",
				    proto_streams[s].topic, (long long)hs, (long long)r->last[s]);
				return REPLICA_V_RESYNC;
			}
			/* Live, a heartbeat is sent after every update it counts, so a lower seq
			 * than ours means the broker's history restarted under the same epoch (a
			 * replaced database): what we hold is not its state. */
			if (!from_queue && hs < r->last[s]) {
				r->stats.gaps++;
				log_info("replica: heartbeat seq went back (%s %lld < %lld)",
				    proto_streams[s].topic, (long long)hs, (long long)r->last[s]);
				return REPLICA_V_RESYNC;
			}
		}
		return REPLICA_V_OK;
	}
	if (p->seq <= r->last[s]) {
		r->stats.stale++;
		return REPLICA_V_DROP;
	}
	if (proto_streams[s].lossless && p->seq != r->last[s] + 1) {
		r->stats.gaps++;
		log_info("replica: %s stream gap: %lld after %lld", proto_streams[s].topic,
		    (long long)p->seq, (long long)r->last[s]);
		return REPLICA_V_RESYNC;
	}
	/* LATEST streams (truck positions): a gap only means values we will never need. */
	r->last[s] = p->seq;
	apply_entity(r, s, &p->u, p->seq);
	return REPLICA_V_OK;
}

static void
on_hb(struct replica *r, const struct proto_pub *p, int64_t now)
{
	/* The first heartbeat, or back after silence. Silence that was ours (the process
	 * stopped or busy while the SUB queue kept everything) shows as the next heartbeat
	 * of the same epoch: nothing was missed, and the stream checks still hold, so the
	 * queue is read on without a snapshot. A heartbeat missed means a lost connection
	 * or a full queue: resync. */
	bool next = r->have_hb && p->epoch == r->hb_epoch && p->u.hb.seq == r->hb_seq + 1;
	bool returned = !hb_fresh(r, now) && !(next && r->epoch == p->epoch);

	r->hb_seq = p->u.hb.seq;
	r->have_hb = true;
	r->last_hb = now;
	r->broker_ts = p->u.hb.ts;
	r->hb_epoch = p->epoch;
	r->time_scale = PROTO_HAS(&p->u.hb, hb, time_scale) ? p->u.hb.time_scale : 1;
	if (returned)
		start_resync(r, now, r->epoch == 0 ? "first heartbeat" : "heartbeats returned");
}

static void
on_message(struct replica *r, const struct proto_pub *p, int64_t now)
{
	if (p->topic == PROTO_TOPIC_HB)
		on_hb(r, p, now);
	if (r->syncing) {
		enqueue(r, p);
		return;
	}
	if (check_apply(r, p, false) == REPLICA_V_RESYNC) {
		start_resync(r, now, "stream check");
		enqueue(r, p);
	}
}

static void
apply_snapshot(struct replica *r, int64_t now)
{
	struct hmap *old[NSTREAMS];
	const struct proto_snapshot_part *h = &r->snap.head;
	bool same_epoch = r->epoch == h->epoch;
	size_t i;
	int s;

	/* Swap all the tables before any callback so lookups from callbacks see the new
	 * state throughout. */
	for (s = 0; s < NSTREAMS; s++) {
		old[s] = r->tab[s];
		r->tab[s] = table_build(s, r->snap.streams[s].items, r->snap.streams[s].n);
	}
	if (r->epoch != h->epoch)
		log_info("replica: epoch %lld from the snapshot", (long long)h->epoch);
	r->epoch = h->epoch;
	for (s = 0; s < NSTREAMS; s++) {
		r->last[s] = proto_snapshot_seq(h, s);
		log_info("replica: snapshot epoch %lld: %s at seq %lld, %zu entities",
		    (long long)h->epoch, proto_streams[s].topic, (long long)r->last[s],
		    r->snap.streams[s].n);
	}
	for (s = 0; s < NSTREAMS; s++) {
		table_diff(r, s, old[s], same_epoch);
		table_free(old[s]);
	}
	rpc_snap_reset(&r->snap);
	r->snap_ready = false;
	r->snap_failures = 0;
	r->syncing = false;
	r->stats.resyncs++;

	for (i = 0; i < r->qlen; i++) {
		if (check_apply(r, &r->q[i], true) == REPLICA_V_RESYNC) {
			/* Keep the rest (from the message that showed the loss) for the next
			 * snapshot. */
			memmove(r->q, r->q + i, (r->qlen - i) * sizeof *r->q);
			r->qlen -= i;
			start_resync(r, now, "stream check after snapshot");
			return;
		}
	}
	queue_clear(r);
}

static void
snap_cb(void *ctx, const char *cmd_id, const struct proto_reply *reply,
    const struct proto_error *err)
{
	struct replica *r = ctx;
	struct proto_error e;
	int rc;

	if (strcmp(cmd_id, r->snap_cmd_id) != 0)
		return;
	if (reply == NULL) {
		log_warn("replica: snapshot failed: %s", err->message);
		goto fail;
	}
	if (!reply->ok) {
		log_warn("replica: snapshot refused: %s: %s", proto_err_name(reply->error.code),
		    reply->error.message);
		goto fail;
	}
	rc = rpc_snap_add(&r->snap, reply, &e);
	if (rc == 0)
		return;
	if (rc < 0) {
		log_warn("replica: %s", e.message);
		rpc_cancel(r->rpc, cmd_id); /* the rest of a broken stream is of no use */
		goto fail;
	}
	r->snap_cmd_id[0] = '\0';
	r->snap_ready = true;
	return;
fail:
	r->snap_cmd_id[0] = '\0';
	r->snap_failed = true;
	rpc_snap_reset(&r->snap);
}

/* Ask for a snapshot when a resync needs one and none is on its way. */
static void
drive(struct replica *r, int64_t now)
{
	struct proto_snapshot args;
	int64_t delay;

	if (!r->syncing || r->snap_ready || r->rpc == NULL)
		return;
	if (r->snap_cmd_id[0] != '\0') {
		if (rpc_is_pending(r->rpc, r->snap_cmd_id))
			return;
		/* Cancelled under us (rpc_cancel_all). */
		r->snap_cmd_id[0] = '\0';
		r->snap_failed = true;
		rpc_snap_reset(&r->snap);
	}
	if (r->snap_failed) {
		r->snap_failed = false;
		r->snap_failures++;
		/* Retry a broken snapshot at once; back off if it keeps failing. */
		delay = 0;
		if (r->snap_failures > 1) {
			delay = REPLICA_RETRY_MIN;
			for (int i = 2; i < r->snap_failures && delay < REPLICA_RETRY_MAX; i++)
				delay *= 2;
			if (delay > REPLICA_RETRY_MAX)
				delay = REPLICA_RETRY_MAX;
		}
		r->retry_at = now + delay;
	}
	/* Without heartbeats the broker is away: wait for them rather than pile up requests. */
	if (!hb_fresh(r, now) || now < r->retry_at)
		return;
	memset(&args, 0, sizeof args);
	rpc_snap_reset(&r->snap);
	if (rpc_call(r->rpc, PROTO_MSG_snapshot, &args, snap_cb, r, r->snap_cmd_id) < 0) {
		r->snap_cmd_id[0] = '\0';
		r->snap_failed = true;
		return;
	}
	log_debug("replica: snapshot requested as %s", r->snap_cmd_id);
}

static void
probe_cb(void *ctx, const char *cmd_id, const struct proto_reply *reply,
    const struct proto_error *err)
{
	struct replica *r = ctx;

	(void)err;
	if (strcmp(cmd_id, r->probe_cmd_id) != 0)
		return;
	r->probe_cmd_id[0] = '\0';
	r->probe_answered = reply != NULL;
}

/* Milliseconds until a probe is due (0: now), or -1 when none will be: not a group, a
 * probe is out, or the heartbeats are fresh. */
static int64_t
probe_wait(const struct replica *r, int64_t now)
{
	int64_t since = r->have_hb ? r->last_hb : r->quiet_since;

	if (r->probe_answered)
		return 0; /* probe() takes the time of the answer */
	if (r->answered_at > since)
		since = r->answered_at;
	if (r->pubs.n < 2 || r->rpc == NULL || hb_fresh(r, now))
		return -1;
	if (r->probe_cmd_id[0] != '\0' && rpc_is_pending(r->rpc, r->probe_cmd_id))
		return -1;
	return since + r->stale_ms < now ? 0 : since + r->stale_ms + 1 - now;
}

/* In a group without heartbeats: keep a hello out so the rpc moves on (file comment). */
static void
probe(struct replica *r, int64_t now)
{
	struct proto_hello h;

	if (r->quiet_since == 0)
		r->quiet_since = now;
	if (r->probe_answered) {
		/* the broker that answered leads: give its heartbeats stale_ms to come before
		 * moving on, or the probes would chase the SUB away from it */
		r->probe_answered = false;
		r->answered_at = now;
	}
	if (probe_wait(r, now) != 0)
		return;
	(void)rpc_move_next(r->rpc); /* heartbeats stopped: this broker is gone */
	memset(&h, 0, sizeof h);
	if (rpc_call(r->rpc, PROTO_MSG_hello, &h, probe_cb, r, r->probe_cmd_id) < 0) {
		r->probe_cmd_id[0] = '\0';
		return;
	}
	log_info("replica: no heartbeat for %lld ms: asking the group for its leader",
	    (long long)(now - (r->have_hb ? r->last_hb : r->quiet_since)));
}

static void
update_state(struct replica *r, int64_t now)
{
	enum replica_state from = r->state, to;

	if (!r->have_hb)
		to = REPLICA_CONNECTING;
	else if (!hb_fresh(r, now))
		to = REPLICA_STALE;
	else if (r->syncing)
		to = REPLICA_SYNCING;
	else
		to = REPLICA_LIVE;
	if (to == from)
		return;
	r->state = to;
	log_info("replica: %s -> %s", replica_state_name(from), replica_state_name(to));
	if (r->ops.state != NULL)
		r->ops.state(r->ctx, from, to);
}

/* ---- SUB socket ---- */

static int
setopt_int(void *sock, int opt, int v)
{
	return zmq_setsockopt(sock, opt, &v, sizeof v);
}

static int
recv_frame(void *sock, zmq_msg_t *m, int flags)
{
	for (;;) {
		if (zmq_msg_recv(m, sock, flags) >= 0)
			return 0;
		if (errno != EINTR)
			return -1;
	}
}

/* Read one published message (topic + body) and handle it. Returns false when the socket
 * had nothing to read. */
static bool
read_one(struct replica *r, int64_t now)
{
	zmq_msg_t topic, body;
	bool ok = false;

	zmq_msg_init(&topic);
	if (recv_frame(r->sock, &topic, ZMQ_DONTWAIT) < 0) {
		if (errno != EAGAIN)
			log_warn("replica: recv: %s", zmq_strerror(errno));
		zmq_msg_close(&topic);
		return false;
	}
	zmq_msg_init(&body);
	if (zmq_msg_more(&topic) && recv_frame(r->sock, &body, 0) == 0) {
		ok = !zmq_msg_more(&body);
		/* The rest of a multi-part message is already here: drop it. */
		while (zmq_msg_more(&body)) {
			zmq_msg_close(&body);
			zmq_msg_init(&body);
			if (recv_frame(r->sock, &body, 0) < 0)
				break;
		}
	}
	if (!ok) {
		r->stats.bad++;
		log_warn("replica: dropping a published message that is not two frames");
	} else {
		replica_apply_pub(r, zmq_msg_data(&topic), zmq_msg_size(&topic),
		    zmq_msg_data(&body), zmq_msg_size(&body), now);
	}
	zmq_msg_close(&body);
	zmq_msg_close(&topic);
	return true;
}

/* ---- public ---- */

int
replica_apply_pub(struct replica *r, const void *topic, size_t topic_len, const void *body,
    size_t len, int64_t now_ms)
{
	struct proto_pub pub;
	struct proto_error err;

	if (proto_decode_pub(topic, topic_len, body, len, &pub, &err) < 0) {
		r->stats.bad++;
		log_warn("replica: dropping a bad published message: %s", err.message);
		return -1;
	}
	on_message(r, &pub, now_ms);
	return 0;
}

void
replica_apply_snapshot(struct replica *r, struct rpc_snap *snap, int64_t now_ms)
{
	if (r->snap_cmd_id[0] != '\0') {
		rpc_cancel(r->rpc, r->snap_cmd_id);
		r->snap_cmd_id[0] = '\0';
	}
	rpc_snap_finish(&r->snap);
	r->snap = *snap;
	rpc_snap_init(snap);
	r->snap_ready = false;
	apply_snapshot(r, now_ms);
}

static int
subscribe(struct replica *r, const char *topic, char **cause)
{
	if (zmq_setsockopt(r->sock, ZMQ_SUBSCRIBE, topic, strlen(topic)) < 0) {
		xasprintf(cause, "replica: subscribe: %s", zmq_strerror(errno));
		return -1;
	}
	return 0;
}

struct replica *
replica_create(void *zctx, struct rpc *rpc, const struct replica_opts *opts,
    const struct replica_ops *ops, void *ctx, char **cause)
{
	struct replica *r;
	int64_t maxsz = PROTO_MAX_PUB;
	char *why = NULL;
	int s;

	if (zctx != NULL && (opts == NULL || opts->pub_endpoint == NULL || rpc == NULL)) {
		xasprintf(cause, "replica: no endpoint or no rpc");
		return NULL;
	}
	r = xcalloc(1, sizeof *r);
	r->rpc = rpc;
	if (ops != NULL)
		r->ops = *ops;
	r->ctx = ctx;
	r->stale_ms = opts != NULL && opts->stale_ms > 0 ? opts->stale_ms : REPLICA_STALE_MS;
	r->state = REPLICA_CONNECTING;
	r->time_scale = 1;
	for (s = 0; s < NSTREAMS; s++)
		r->tab[s] = hmap_create();
	rpc_snap_init(&r->snap);
	if (zctx == NULL)
		return r;

	r->sock = zmq_socket(zctx, ZMQ_SUB);
	if (r->sock == NULL) {
		xasprintf(cause, "replica: zmq_socket: %s", zmq_strerror(errno));
		goto fail;
	}
	/* No ZMTP heartbeats (PROTOCOL.md 2.4): a replica that stops reading could not answer
	 * them, would be cut off after 3 s and lose its queue (libzmq 4.3.4 can even abort on
	 * the reconnect: upstream issue 3937). The broker's heartbeat publications tell us it
	 * is alive; TCP keepalives drop a dead host. */
	if (setopt_int(r->sock, ZMQ_LINGER, 0) < 0 ||
	    zmq_setsockopt(r->sock, ZMQ_MAXMSGSIZE, &maxsz, sizeof maxsz) < 0 ||
	    setopt_int(r->sock, ZMQ_RCVHWM, REPLICA_RCVHWM) < 0 ||
	    setopt_int(r->sock, ZMQ_RECONNECT_IVL, 250) < 0 ||
	    setopt_int(r->sock, ZMQ_RECONNECT_IVL_MAX, 2000) < 0 ||
	    setopt_int(r->sock, ZMQ_TCP_KEEPALIVE, 1) < 0 ||
	    setopt_int(r->sock, ZMQ_TCP_KEEPALIVE_IDLE, 10) < 0 ||
	    setopt_int(r->sock, ZMQ_TCP_KEEPALIVE_INTVL, 5) < 0 ||
	    setopt_int(r->sock, ZMQ_TCP_KEEPALIVE_CNT, 3) < 0) {
		xasprintf(cause, "replica: zmq_setsockopt: %s", zmq_strerror(errno));
		goto fail;
	}
	/* Subscribe before connecting; the first heartbeat then proves the subscription. A
	 * lossless stream cannot be skipped: its seqs are checked against every heartbeat. */
	if (subscribe(r, proto_topic_name(PROTO_MSG_hb), cause) < 0)
		goto fail;
	for (s = 0; s < NSTREAMS; s++) {
		if ((opts->skip >> s & 1u) && !proto_streams[s].lossless)
			continue;
		if (subscribe(r, proto_streams[s].topic, cause) < 0)
			goto fail;
	}
	if (curve_apply(r->sock, opts->curve, &why) < 0) {
		xasprintf(cause, "replica: %s", why);
		free(why);
		goto fail;
	}
	if (rpc_follow_start(&r->pubs, rpc, r->sock, opts->pub_endpoint, &why) < 0) {
		xasprintf(cause, "replica: %s", why);
		free(why);
		goto fail;
	}
	return r;
fail:
	replica_destroy(r);
	return NULL;
}

void
replica_destroy(struct replica *r)
{
	size_t i;

	if (r == NULL)
		return;
	/* The rpc outlives us: it must not call back into freed memory. */
	if (r->snap_cmd_id[0] != '\0')
		rpc_cancel(r->rpc, r->snap_cmd_id);
	if (r->probe_cmd_id[0] != '\0')
		rpc_cancel(r->rpc, r->probe_cmd_id);
	if (r->sock != NULL)
		zmq_close(r->sock);
	for (i = 0; i < NSTREAMS; i++)
		table_free(r->tab[i]);
	rpc_snap_finish(&r->snap);
	free(r->q);
	rpc_follow_finish(&r->pubs);
	free(r);
}

void *
replica_socket(struct replica *r)
{
	return r->sock;
}

void
replica_process(struct replica *r, int64_t now_ms)
{
	int i;

	if (r->sock != NULL)
		rpc_follow(&r->pubs, r->rpc, r->sock);
	for (i = 0; r->sock != NULL && i < REPLICA_DRAIN_MAX && read_one(r, now_ms); i++)
		;
	if (r->snap_ready)
		apply_snapshot(r, now_ms);
	drive(r, now_ms);
	if (r->sock != NULL)
		probe(r, now_ms);
	update_state(r, now_ms);
}

int
replica_next_timeout(const struct replica *r, int64_t now_ms)
{
	int64_t best, d;

	if (r->snap_ready || (r->syncing && r->snap_failed))
		return 0;
	d = r->sock != NULL ? probe_wait(r, now_ms) : -1; /* a group's probe */
	if (!r->have_hb)
		return d > INT_MAX ? INT_MAX : (int)d; /* only a heartbeat can move us on */
	if (!hb_fresh(r, now_ms))
		return r->state != REPLICA_STALE ? 0 : (int)d; /* the STALE transition is due */
	best = r->last_hb + r->stale_ms + 1 - now_ms; /* when we turn STALE */
	if (r->syncing && r->snap_cmd_id[0] == '\0') {
		d = r->retry_at - now_ms;
		if (d < best)
			best = d < 0 ? 0 : d;
	}
	return best > INT_MAX ? INT_MAX : (int)best;
}

enum replica_state
replica_state(const struct replica *r)
{
	return r->state;
}

const char *
replica_state_name(enum replica_state s)
{
	switch (s) {
	case REPLICA_CONNECTING:
		return "connecting";
	case REPLICA_SYNCING:
		return "syncing";
	case REPLICA_LIVE:
		return "live";
	case REPLICA_STALE:
		return "stale";
	}
	return "unknown";
}

int64_t
replica_hb_age_ms(const struct replica *r, int64_t now_ms)
{
	return r->have_hb ? now_ms - r->last_hb : -1;
}

int64_t
replica_broker_time(const struct replica *r)
{
	return r->broker_ts;
}

int64_t
replica_epoch(const struct replica *r)
{
	return r->epoch;
}

int64_t
replica_hb_epoch(const struct replica *r)
{
	return r->hb_epoch;
}

int64_t
replica_time_scale(const struct replica *r)
{
	return r->time_scale;
}

size_t
replica_count(const struct replica *r, enum proto_stream s)
{
	return hmap_count(r->tab[s]);
}

const void *
replica_next(const struct replica *r, enum proto_stream s, size_t *pos)
{
	void *v;

	return hmap_next(r->tab[s], pos, NULL, &v) ? v : NULL;
}

const void *
replica_get(const struct replica *r, enum proto_stream s, const char *key)
{
	return hmap_get(r->tab[s], key);
}

#define X(ID, name, plural, key, delivery, gone)                                           \
	size_t replica_##name##_count(const struct replica *r)                              \
	{                                                                                   \
		return replica_count(r, PROTO_STREAM_##ID);                                 \
	}                                                                                   \
	const struct proto_##name *replica_##name##_next(const struct replica *r, size_t *pos) \
	{                                                                                   \
		return replica_next(r, PROTO_STREAM_##ID, pos);                             \
	}
PROTO_STREAMS(X)
#undef X

const struct proto_ticket *
replica_ticket(const struct replica *r, int64_t id)
{
	char key[32];

	snprintf(key, sizeof key, "%lld", (long long)id);
	return replica_get(r, PROTO_STREAM_TICKET, key);
}

const struct proto_truck *
replica_truck(const struct replica *r, const char *id)
{
	return replica_get(r, PROTO_STREAM_TRUCK, id);
}

void
replica_stats(const struct replica *r, struct replica_stats *out)
{
	*out = r->stats;
}
