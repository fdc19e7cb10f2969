/* rpc.c: the client side of the request/reply protocol over a DEALER socket.
 *
 * Every request is encoded once (proto_encode_request) and kept as its frame until it
 * completes, so a retry resends the very same bytes with the same cmd_id. Pending requests
 * sit in a short FIFO list (a console has a handful outstanding at most); a reply is matched
 * by cmd_id. A request completes on its reply, or for a snapshot on the part with
 * part == parts; every part received restarts the request's timer. Callbacks may call
 * rpc_call, rpc_cancel and rpc_cancel_all: nothing here touches a pending request after
 * handing it to a callback unless it was unlinked first.
 *
 * A request marked with rpc_keep (the console's commands) is not given up after the
 * opts' tries: it is resent every timeout until a window from its first try has passed,
 * which the caller keeps inside the broker's idempotency record (RPC_KEEP_MS). While the
 * broker is down the copies wait in the DEALER's queue and all reach it when it is back;
 * the record makes them one. Past the window the record may be gone, so a copy still
 * queued would apply the command again: when a kept request expires, the connection is
 * dropped and made again (purge_queue), which throws away every copy not yet sent.
 *
 * A group of brokers (PROTOCOL.md 13) is given as a comma-separated list of endpoints; the
 * DEALER is connected to one of them at a time (connected to several it would deal the
 * requests out among them). A not_leader reply is not handed to the callback: the rpc
 * moves to the leader it names if that is in the list and resends the request at once
 * with its cmd_id; if the name is not in the list, it moves to the next one and the
 * request goes there at its next time-out (so standbys that only name each other are not
 * asked in a tight loop). A time-out moves to the next endpoint before the resend. */
#include "rpc.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>
#include <zmq.h>

#include "rng.h"
#include "util.h"

#define RPC_TIMEOUT_MS 2000
#define RPC_TRIES 3
#define RPC_USER_PART 12      /* bytes of the user name kept in a cmd_id */
#define RPC_DRAIN_MAX 1000    /* reply frames handled per rpc_process call */

struct pending {
	struct pending *next;
	char cmd_id[PROTO_CMD_ID_MAX + 1];
	enum proto_msg_id op;
	char *frame;
	size_t len;
	rpc_cb cb;
	void *ctx;
	int64_t deadline; /* monotonic ms when the current try times out */
	int sent;         /* tries made */
	int64_t first;    /* monotonic ms of the first try */
	int64_t until;    /* rpc_keep: resent until then (monotonic ms); 0: r->tries tries */
	uint64_t at;      /* r->moves when last sent: a time-out then is the endpoint's */
};

struct rpc {
	void *sock;
	char *user; /* NULL: no "user" key */
	char *endpoint; /* the one connected (purge_queue) */
	char *eps[RPC_ENDPOINTS_MAX]; /* the list given, in order */
	int n_eps;
	int cur;        /* the index in eps of endpoint; -1: set by rpc_set_endpoint off-list */
	uint64_t moves; /* endpoint changes so far (rpc_endpoint) */
	int timeout_ms;
	int tries;
	char prefix[44]; /* "<user|anon>-<pid>-<random hex>-": 12 + 1 + 11 + 1 + 16 + 1 */
	uint64_t counter;
	struct pending *head;
	size_t n;
	struct proto_buf buf;
	struct curve_keys curve; /* zeroed: plain */
	struct curve_watch *watch; /* the DEALER's handshakes; NULL when libzmq could not */
};

static int
setopt_int(void *sock, int opt, int v)
{
	return zmq_setsockopt(sock, opt, &v, sizeof v);
}

/* 64 random bits: the kernel's, or failing that a mix of clocks, pid and an address. */
static uint64_t
random64(const void *salt)
{
	uint64_t v, x;

	if (getrandom(&v, sizeof v, GRND_NONBLOCK) == (ssize_t)sizeof v)
		return v;
	x = (uint64_t)rd_mono_ns() ^ ((uint64_t)rd_now_ms() << 20) ^ (uint64_t)getpid() ^
	    (uint64_t)(uintptr_t)salt;
	return rng_splitmix64(&x);
}

static void
make_prefix(struct rpc *r)
{
	char who[RPC_USER_PART + 1];
	size_t i;

	if (r->user == NULL) {
		rd_strlcpy(who, "anon", sizeof who);
	} else {
		/* Keep cmd_ids short, ASCII and unambiguous whatever the user name holds. */
		for (i = 0; i < RPC_USER_PART && r->user[i] != '\0'; i++) {
			char c = r->user[i];
			int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			    (c >= '0' && c <= '9') || c == '.' || c == '_';
			who[i] = ok ? c : '_';
		}
		who[i] = '\0';
	}
	/* With up to 20 counter digits a cmd_id stays within PROTO_CMD_ID_MAX (63 bytes). */
	snprintf(r->prefix, sizeof r->prefix, "%s-%d-%016llx-", who, (int)getpid(),
	    (unsigned long long)random64(r));
}

int
rpc_endpoints_split(const char *list, char **eps, char **cause)
{
	const char *p = list, *comma;
	size_t len;
	int n = 0;

	for (;;) {
		comma = strchr(p, ',');
		len = comma != NULL ? (size_t)(comma - p) : strlen(p);
		if (len == 0 || n == RPC_ENDPOINTS_MAX) {
			if (len == 0)
				xasprintf(cause, "empty endpoint in '%s'", list);
			else
				xasprintf(cause, "more than %d endpoints in '%s'",
				    RPC_ENDPOINTS_MAX, list);
			while (n > 0)
				free(eps[--n]);
			return -1;
		}
		eps[n] = xmalloc(len + 1);
		memcpy(eps[n], p, len);
		eps[n++][len] = '\0';
		if (comma == NULL)
			return n;
		p = comma + 1;
	}
}

struct rpc *
rpc_create(void *zctx, const struct rpc_opts *opts, char **cause)
{
	struct rpc *r;
	int64_t maxsz = PROTO_MAX_REPLY;
	char *why = NULL;

	if (opts == NULL || opts->endpoint == NULL) {
		xasprintf(cause, "rpc: no endpoint");
		return NULL;
	}
	if (opts->user != NULL && strlen(opts->user) > PROTO_USER_MAX) {
		xasprintf(cause, "rpc: user name longer than %d bytes", PROTO_USER_MAX);
		return NULL;
	}
	r = xcalloc(1, sizeof *r);
	r->user = (opts->user != NULL && opts->user[0] != '\0') ? xstrdup(opts->user) : NULL;
	if ((r->n_eps = rpc_endpoints_split(opts->endpoint, r->eps, &why)) < 0) {
		r->n_eps = 0;
		xasprintf(cause, "rpc: %s", why);
		free(why);
		goto fail;
	}
	r->endpoint = xstrdup(r->eps[0]);
	r->timeout_ms = opts->timeout_ms > 0 ? opts->timeout_ms : RPC_TIMEOUT_MS;
	r->tries = opts->tries > 0 ? opts->tries : RPC_TRIES;
	r->counter = 1;
	proto_buf_init(&r->buf);
	make_prefix(r);

	r->sock = zmq_socket(zctx, ZMQ_DEALER);
	if (r->sock == NULL) {
		xasprintf(cause, "rpc: zmq_socket: %s", zmq_strerror(errno));
		goto fail;
	}
	/* Options only apply to connections made after they are set. No ZMTP heartbeats
	 * (PROTOCOL.md 2.4): with a full receive queue, libzmq 4.3.4 can abort on the
	 * reconnect a heartbeat time-out causes (upstream issue 3937). A dead broker shows as
	 * requests that time out; a dead host is dropped by TCP keepalives. */
	if (setopt_int(r->sock, ZMQ_LINGER, 0) < 0 ||
	    zmq_setsockopt(r->sock, ZMQ_MAXMSGSIZE, &maxsz, sizeof maxsz) < 0 ||
	    setopt_int(r->sock, ZMQ_RECONNECT_IVL, 250) < 0 ||
	    setopt_int(r->sock, ZMQ_RECONNECT_IVL_MAX, 2000) < 0 ||
	    setopt_int(r->sock, ZMQ_TCP_KEEPALIVE, 1) < 0 ||
	    setopt_int(r->sock, ZMQ_TCP_KEEPALIVE_IDLE, 10) < 0 ||
	    setopt_int(r->sock, ZMQ_TCP_KEEPALIVE_INTVL, 5) < 0 ||
	    setopt_int(r->sock, ZMQ_TCP_KEEPALIVE_CNT, 3) < 0) {
		xasprintf(cause, "rpc: zmq_setsockopt: %s", zmq_strerror(errno));
		goto fail;
	}
	/* Keys and the watch before connecting: every connection, the reconnects too, uses
	 * the keys, and the first handshake is seen. */
	if (curve_keys_on(opts->curve))
		r->curve = *opts->curve;
	if (curve_apply(r->sock, &r->curve, &why) < 0) {
		xasprintf(cause, "rpc: %s", why);
		free(why);
		goto fail;
	}
	if ((r->watch = curve_watch_start(zctx, r->sock, &why)) == NULL) {
		log_warn("rpc: %s", why);	/* the console then says "connecting" only */
		free(why);
	}
	if (zmq_connect(r->sock, r->endpoint) < 0) {
		xasprintf(cause, "rpc: connect %s: %s", r->endpoint, zmq_strerror(errno));
		goto fail;
	}
	return r;
fail:
	rpc_destroy(r);
	return NULL;
}

static void
pending_free(struct pending *p)
{
	if (p == NULL)
		return;
	free(p->frame);
	free(p);
}

void
rpc_destroy(struct rpc *r)
{
	if (r == NULL)
		return;
	rpc_cancel_all(r);
	curve_watch_stop(r->watch);
	if (r->sock != NULL)
		zmq_close(r->sock);
	explicit_bzero(&r->curve, sizeof r->curve);
	proto_buf_finish(&r->buf);
	free(r->user);
	free(r->endpoint);
	for (int i = 0; i < r->n_eps; i++)
		free(r->eps[i]);
	free(r);
}

void *
rpc_socket(struct rpc *r)
{
	return r->sock;
}

/* Queue a frame on the DEALER without blocking; 0 or -1 (errno set). */
static int
send_frame(struct rpc *r, const char *frame, size_t len)
{
	for (;;) {
		if (zmq_send(r->sock, frame, len, ZMQ_DONTWAIT) >= 0)
			return 0;
		if (errno != EINTR)
			return -1;
	}
}

int
rpc_call(struct rpc *r, enum proto_msg_id op, const void *args, rpc_cb cb, void *ctx,
    char *cmd_id_out)
{
	union proto_any none;
	struct pending *p, **tail;

	if ((unsigned)op >= PROTO_MSG_COUNT || proto_descs[op].kind != PROTO_KIND_REQUEST) {
		log_error("rpc: %d is not a request", (int)op);
		return -1;
	}
	if (args == NULL) {
		memset(&none, 0, sizeof none);
		args = &none;
	}
	p = xcalloc(1, sizeof *p);
	snprintf(p->cmd_id, sizeof p->cmd_id, "%s%llu", r->prefix,
	    (unsigned long long)r->counter++);
	p->op = op;
	p->cb = cb;
	p->ctx = ctx;
	proto_buf_reset(&r->buf);
	proto_encode_request(&r->buf, op, p->cmd_id, r->user, args);
	p->len = r->buf.len;
	p->frame = xmalloc(p->len);
	memcpy(p->frame, r->buf.data, p->len);
	if (send_frame(r, p->frame, p->len) < 0) {
		log_warn("rpc: %s %s not queued: %s", proto_descs[op].wire, p->cmd_id,
		    zmq_strerror(errno));
		pending_free(p);
		return -1;
	}
	p->sent = 1;
	p->at = r->moves;
	p->first = rd_mono_ms();
	p->deadline = p->first + r->timeout_ms;
	for (tail = &r->head; *tail != NULL; tail = &(*tail)->next)
		;
	*tail = p;
	r->n++;
	if (cmd_id_out != NULL)
		memcpy(cmd_id_out, p->cmd_id, sizeof p->cmd_id);
	log_debug("rpc: sent %s %s", proto_descs[op].wire, p->cmd_id);
	return 0;
}

static struct pending **
find(struct rpc *r, const char *cmd_id)
{
	struct pending **pp;

	for (pp = &r->head; *pp != NULL; pp = &(*pp)->next)
		if (strcmp((*pp)->cmd_id, cmd_id) == 0)
			return pp;
	return NULL;
}

static struct pending *
unlink_pending(struct rpc *r, struct pending **pp)
{
	struct pending *p = *pp;

	*pp = p->next;
	p->next = NULL;
	r->n--;
	return p;
}

static void follow_leader(struct rpc *r, struct pending *p, const struct proto_reply *rep,
    int64_t now_ms);

/* Hand one reply frame to its request. */
static void
dispatch(struct rpc *r, const void *data, size_t len, int64_t now_ms)
{
	struct proto_reply rep;
	struct proto_error err;
	struct pending **pp, *p;
	char cmd_id[PROTO_CMD_ID_MAX + 1];

	if (proto_decode_reply(data, len, &rep, &err) < 0) {
		/* Undecodable: if it names a request we wait for, that request has failed
		 * (a retry would only fetch the same stored reply); otherwise drop it. */
		pp = rep.cmd_id[0] != '\0' ? find(r, rep.cmd_id) : NULL;
		if (pp == NULL) {
			log_warn("rpc: dropping a bad reply (%zu bytes): %s", len, err.message);
			proto_reply_finish(&rep);
			return;
		}
		p = unlink_pending(r, pp);
		log_warn("rpc: bad reply to %s: %s", p->cmd_id, err.message);
		if (p->cb != NULL)
			p->cb(p->ctx, p->cmd_id, NULL, &err);
		pending_free(p);
		proto_reply_finish(&rep);
		return;
	}
	rd_strlcpy(cmd_id, rep.cmd_id, sizeof cmd_id);
	pp = find(r, cmd_id);
	if (pp == NULL) {
		/* A late duplicate (a retried request answered twice) or a cancelled one. */
		log_debug("rpc: no request waits for %s", cmd_id);
		proto_reply_finish(&rep);
		return;
	}
	p = *pp;
	if (!rep.ok && rep.error.code == PROTO_E_NOT_LEADER && r->n_eps > 1) {
		follow_leader(r, p, &rep, now_ms);
		proto_reply_finish(&rep);
		return;
	}
	if (rep.ok && rep.op_id != (int)p->op) {
		p = unlink_pending(r, pp);
		proto_fail(&err, PROTO_E_BAD_REQUEST, "reply to %s names op '%s'",
		    proto_descs[p->op].wire, rep.op);
		log_warn("rpc: bad reply to %s: %s", cmd_id, err.message);
		if (p->cb != NULL)
			p->cb(p->ctx, cmd_id, NULL, &err);
		pending_free(p);
		proto_reply_finish(&rep);
		return;
	}
	if (rep.ok && p->op == PROTO_MSG_snapshot && rep.snap.part < rep.snap.parts) {
		/* More parts follow: the request stays, its timer restarts. The callback may
		 * cancel it, so p is not touched afterwards. */
		p->deadline = now_ms + r->timeout_ms;
		if (p->cb != NULL)
			p->cb(p->ctx, cmd_id, &rep, NULL);
		proto_reply_finish(&rep);
		return;
	}
	p = unlink_pending(r, pp);
	if (p->cb != NULL)
		p->cb(p->ctx, cmd_id, &rep, NULL);
	pending_free(p);
	proto_reply_finish(&rep);
}

/* Receive one message without waiting and keep its last frame (a reply is one frame; an
 * envelope some broker might add in front is skipped). 0, or -1 when nothing is there. */
static int
recv_last(void *sock, zmq_msg_t *msg)
{
	int more;

	for (;;) {
		zmq_msg_init(msg);
		if (zmq_msg_recv(msg, sock, ZMQ_DONTWAIT) >= 0)
			break;
		zmq_msg_close(msg);
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN)
			log_warn("rpc: recv: %s", zmq_strerror(errno));
		return -1;
	}
	more = zmq_msg_more(msg);
	while (more) {
		/* The rest of a multi-part message is already here. */
		zmq_msg_close(msg);
		zmq_msg_init(msg);
		while (zmq_msg_recv(msg, sock, 0) < 0) {
			if (errno != EINTR) {
				zmq_msg_close(msg);
				return -1;
			}
		}
		more = zmq_msg_more(msg);
	}
	return 0;
}

/* Throw away what waits in the DEALER's queue for a broker that is away: disconnecting
 * ends the pipe and its messages (ZMQ_LINGER is 0), connecting makes a new one. Requests
 * still pending are resent at their next time-out as usual. */
static void
purge_queue(struct rpc *r)
{
	if (zmq_disconnect(r->sock, r->endpoint) < 0)
		log_warn("rpc: disconnect %s: %s", r->endpoint, zmq_strerror(errno));
	if (zmq_connect(r->sock, r->endpoint) < 0)
		log_warn("rpc: connect %s: %s", r->endpoint, zmq_strerror(errno));
	log_info("rpc: dropped the unsent copies of expired commands");
}

int
rpc_set_endpoint(struct rpc *r, const char *ep)
{
	int i;

	if (strcmp(ep, r->endpoint) == 0)
		return 0;
	if (zmq_connect(r->sock, ep) < 0)
		return -1;
	if (zmq_disconnect(r->sock, r->endpoint) < 0)
		log_warn("rpc: disconnect %s: %s", r->endpoint, zmq_strerror(errno));
	free(r->endpoint);
	r->endpoint = xstrdup(ep);
	r->cur = -1;
	for (i = 0; i < r->n_eps; i++)
		if (strcmp(r->eps[i], ep) == 0)
			r->cur = i;
	r->moves++;
	log_info("rpc: now talking to %s", ep);
	return 0;
}

/* Move to eps[i]; 0, or -1 when it does not connect (nothing changed). */
static int
move_to(struct rpc *r, int i)
{
	if (rpc_set_endpoint(r, r->eps[i]) < 0) {
		log_warn("rpc: connect %s: %s", r->eps[i], zmq_strerror(errno));
		return -1;
	}
	return 0;
}

/* The next endpoint of the list after the current one. */
static int
next_index(const struct rpc *r)
{
	return r->cur < 0 ? 0 : (r->cur + 1) % r->n_eps;
}

int
rpc_move_next(struct rpc *r)
{
	return r->n_eps > 1 ? move_to(r, next_index(r)) : -1;
}

int
rpc_endpoint(const struct rpc *r, uint64_t *moves)
{
	if (moves != NULL)
		*moves = r->moves;
	return r->cur;
}

int
rpc_follow_start(struct rpc_follow *f, const struct rpc *r, void *sock, const char *list,
    char **cause)
{
	memset(f, 0, sizeof *f);
	if ((f->n = rpc_endpoints_split(list, f->eps, cause)) < 0) {
		f->n = 0;
		return -1;
	}
	f->cur = r->cur >= 0 && r->cur < f->n ? r->cur : 0;
	f->moves = r->moves;
	if (zmq_connect(sock, f->eps[f->cur]) < 0) {
		xasprintf(cause, "connect %s: %s", f->eps[f->cur], zmq_strerror(errno));
		rpc_follow_finish(f);
		return -1;
	}
	return 0;
}

bool
rpc_follow(struct rpc_follow *f, const struct rpc *r, void *sock)
{
	int i = r->cur;

	if (f->moves == r->moves || f->n < 2)
		return false;
	f->moves = r->moves;
	if (i < 0 || i >= f->n || i == f->cur)
		return false;
	if (zmq_connect(sock, f->eps[i]) < 0) {
		log_warn("rpc: connect %s: %s", f->eps[i], zmq_strerror(errno));
		return false;
	}
	if (zmq_disconnect(sock, f->eps[f->cur]) < 0)
		log_warn("rpc: disconnect %s: %s", f->eps[f->cur], zmq_strerror(errno));
	log_info("rpc: %s follows to %s", f->eps[f->cur], f->eps[i]);
	f->cur = i;
	return true;
}

void
rpc_follow_finish(struct rpc_follow *f)
{
	for (int i = 0; i < f->n; i++)
		free(f->eps[i]);
	memset(f, 0, sizeof *f);
}

/* A not_leader reply to p (still linked) when there is a list to follow: move and resend
 * (see the file comment). */
static void
follow_leader(struct rpc *r, struct pending *p, const struct proto_reply *rep, int64_t now_ms)
{
	bool named = PROTO_HAS(&rep->error.params, error_params, leader);
	int i, to = -1;

	if (named)
		for (i = 0; i < r->n_eps; i++)
			if (strcmp(r->eps[i], rep->error.params.leader) == 0)
				to = i;
	log_info("rpc: %s: not the leader (it names '%s')", r->endpoint,
	    named ? rep->error.params.leader : "");
	if (to >= 0 && to != r->cur && move_to(r, to) == 0) {
		if (send_frame(r, p->frame, p->len) < 0)
			log_warn("rpc: resend %s: %s", p->cmd_id, zmq_strerror(errno));
		p->sent++;
		p->at = r->moves;
		p->deadline = now_ms + r->timeout_ms;
		return;
	}
	if (to < 0)
		(void)move_to(r, next_index(r));
	/* else the leader named is where we are (it has just lost the lead): the resend
	 * waits for the time-out */
}

void
rpc_process(struct rpc *r, int64_t now_ms)
{
	struct pending **pp, *p, *expired = NULL, **etail = &expired;
	struct proto_error err;
	zmq_msg_t msg;
	bool kept_expired = false;
	int i;

	curve_watch_poll(r->watch);
	for (i = 0; i < RPC_DRAIN_MAX && recv_last(r->sock, &msg) == 0; i++) {
		dispatch(r, zmq_msg_data(&msg), zmq_msg_size(&msg), now_ms);
		zmq_msg_close(&msg);
	}

	/* With a list, a time-out of a try sent to this endpoint means its broker may be gone:
	 * try the next (a request moved here by a not_leader reply is first tried here). */
	if (r->n_eps > 1)
		for (p = r->head; p != NULL; p = p->next)
			if (now_ms >= p->deadline && p->at == r->moves &&
			    (p->until > 0 ? now_ms < p->until : p->sent < r->tries)) {
				(void)move_to(r, next_index(r));
				break;
			}
	/* Resend what timed out; collect what ran out of tries, then call back (callbacks may
	 * change the list). */
	pp = &r->head;
	while (*pp != NULL) {
		p = *pp;
		if (now_ms < p->deadline) {
			pp = &p->next;
			continue;
		}
		if (p->until > 0 ? now_ms < p->until : p->sent < r->tries) {
			if (send_frame(r, p->frame, p->len) < 0)
				log_warn("rpc: resend %s: %s", p->cmd_id, zmq_strerror(errno));
			p->sent++;
			p->at = r->moves;
			p->deadline = now_ms + r->timeout_ms;
			log_debug("rpc: resent %s (try %d)", p->cmd_id, p->sent);
			pp = &p->next;
			continue;
		}
		p = unlink_pending(r, pp);
		*etail = p;
		etail = &p->next;
		if (p->until > 0)
			kept_expired = true;
	}
	/* before any callback: nothing of an expired command may reach the broker later */
	if (kept_expired)
		purge_queue(r);
	while (expired != NULL) {
		p = expired;
		expired = p->next;
		if (p->until > 0)
			proto_fail(&err, PROTO_E_UNAVAILABLE,
			    "no reply to %s within %lld s (%d tries)", proto_descs[p->op].wire,
			    (long long)((p->until - p->first) / 1000), p->sent);
		else
			proto_fail(&err, PROTO_E_UNAVAILABLE, "no reply to %s after %d tries",
			    proto_descs[p->op].wire, p->sent);
		log_warn("rpc: %s: %s", p->cmd_id, err.message);
		if (p->cb != NULL)
			p->cb(p->ctx, p->cmd_id, NULL, &err);
		pending_free(p);
	}
}

int
rpc_next_timeout(const struct rpc *r, int64_t now_ms)
{
	const struct pending *p;
	int64_t best = -1, d;

	for (p = r->head; p != NULL; p = p->next) {
		d = p->deadline - now_ms;
		if (d < 0)
			d = 0;
		if (best < 0 || d < best)
			best = d;
	}
	return best > INT_MAX ? INT_MAX : (int)best;
}

size_t
rpc_pending(const struct rpc *r)
{
	return r->n;
}

enum curve_state
rpc_handshake(const struct rpc *r)
{
	return curve_watch_state(r->watch);
}

void
rpc_cancel_all(struct rpc *r)
{
	struct pending *p;

	while (r->head != NULL) {
		p = unlink_pending(r, &r->head);
		pending_free(p);
	}
}

int
rpc_cancel(struct rpc *r, const char *cmd_id)
{
	struct pending **pp = find(r, cmd_id);

	if (pp == NULL)
		return -1;
	pending_free(unlink_pending(r, pp));
	return 0;
}

int
rpc_keep(struct rpc *r, const char *cmd_id, int64_t window_ms)
{
	struct pending **pp = find(r, cmd_id);

	if (pp == NULL || window_ms <= 0)
		return -1;
	(*pp)->until = (*pp)->first + window_ms;
	return 0;
}

int
rpc_tries(const struct rpc *r, const char *cmd_id)
{
	const struct pending *p;

	for (p = r->head; p != NULL; p = p->next)
		if (strcmp(p->cmd_id, cmd_id) == 0)
			return p->sent;
	return 0;
}

bool
rpc_is_pending(const struct rpc *r, const char *cmd_id)
{
	const struct pending *p;

	for (p = r->head; p != NULL; p = p->next)
		if (strcmp(p->cmd_id, cmd_id) == 0)
			return true;
	return false;
}

/* ---- snapshot reassembly ---- */

void
rpc_snap_init(struct rpc_snap *s)
{
	memset(s, 0, sizeof *s);
}

void
rpc_snap_finish(struct rpc_snap *s)
{
	for (int i = 0; i < PROTO_STREAM_COUNT; i++)
		free(s->streams[i].items);
	rpc_snap_init(s);
}

void
rpc_snap_reset(struct rpc_snap *s)
{
	rpc_snap_finish(s);
}

/* Append n elements of size sz to a growable array. */
static void
append(void **arr, size_t *len, size_t *cap, const void *src, size_t n, size_t sz)
{
	size_t want;

	if (n == 0)
		return;
	if (*len + n > *cap) {
		want = *cap ? *cap : 64;
		while (want < *len + n)
			want *= 2;
		*arr = xreallocarray(*arr, want, sz);
		*cap = want;
	}
	memcpy((char *)*arr + *len * sz, src, n * sz);
	*len += n;
}

static bool
same_head(const struct proto_snapshot_part *a, const struct proto_snapshot_part *b)
{
	if (a->epoch != b->epoch || a->parts != b->parts)
		return false;
	for (int s = 0; s < PROTO_STREAM_COUNT; s++)
		if (proto_snapshot_seq(a, s) != proto_snapshot_seq(b, s) ||
		    proto_snapshot_total(a, s) != proto_snapshot_total(b, s))
			return false;
	return true;
}

/* stream: the stream the numbers are about, or -1. */
static int
snap_fail(struct rpc_snap *s, struct proto_error *err, const char *why, int stream, int64_t a,
    int64_t b)
{
	proto_fail(err, PROTO_E_UNAVAILABLE, "incomplete snapshot: %s%s%s (%lld, %lld)", why,
	    stream >= 0 ? ": " : "", stream >= 0 ? proto_streams[stream].array : "",
	    (long long)a, (long long)b);
	rpc_snap_reset(s);
	return -1;
}

int
rpc_snap_add(struct rpc_snap *s, const struct proto_reply *rep, struct proto_error *err)
{
	const struct proto_snapshot_part *h = &rep->snap;

	if (!rep->ok || rep->op_id != PROTO_MSG_snapshot)
		return snap_fail(s, err, "not a snapshot part", -1, rep->ok, rep->op_id);
	if (h->part > h->parts)
		return snap_fail(s, err, "part beyond parts", -1, h->part, h->parts);
	if (h->part == 1) {
		rpc_snap_reset(s);
		s->head = *h;
		s->next = 1;
	}
	if (s->next == 0)
		return snap_fail(s, err, "part before part 1", -1, h->part, 1);
	if (h->part != s->next)
		return snap_fail(s, err, "part out of order", -1, h->part, s->next);
	if (!same_head(h, &s->head))
		return snap_fail(s, err, "part of another snapshot", -1, h->part, s->head.parts);
	for (int i = 0; i < PROTO_STREAM_COUNT; i++)
		if ((int64_t)(s->streams[i].n + rep->streams[i].n) > proto_snapshot_total(h, i))
			return snap_fail(s, err, "more entities than total", i,
			    (int64_t)(s->streams[i].n + rep->streams[i].n),
			    proto_snapshot_total(h, i));
	for (int i = 0; i < PROTO_STREAM_COUNT; i++)
		append(&s->streams[i].items, &s->streams[i].n, &s->cap[i], rep->streams[i].items,
		    rep->streams[i].n, proto_descs[proto_streams[i].msg].size);
	if (h->part < h->parts) {
		s->next++;
		return 0;
	}
	for (int i = 0; i < PROTO_STREAM_COUNT; i++)
		if ((int64_t)s->streams[i].n != proto_snapshot_total(h, i))
			return snap_fail(s, err, "entities short of total", i,
			    (int64_t)s->streams[i].n, proto_snapshot_total(h, i));
	s->head.part = h->part;
	s->next = 0;
	return 1;
}

/* ---- blocking call ---- */

struct sync {
	struct rpc *r;
	bool done;
	int rc;
	struct proto_reply *out;
	struct proto_error *err;
	struct rpc_snap snap;
};

static void *
dup_array(const void *p, size_t n, size_t sz)
{
	void *q;

	if (p == NULL || n == 0)
		return NULL;
	q = xreallocarray(NULL, n, sz);
	memcpy(q, p, n * sz);
	return q;
}

/* A deep copy of a reply (the callback's reply is only borrowed). */
static void
reply_copy(struct proto_reply *dst, const struct proto_reply *src)
{
	*dst = *src;
	for (int s = 0; s < PROTO_STREAM_COUNT; s++) {
		dst->streams[s].items = dup_array(src->streams[s].items, src->streams[s].n,
		    proto_descs[proto_streams[s].msg].size);
		if (dst->streams[s].items == NULL)
			dst->streams[s].n = 0;
	}
	dst->events = dup_array(src->events, src->n_events, sizeof *src->events);
	if (dst->events == NULL)
		dst->n_events = 0;
	dst->candidates = dup_array(src->candidates, src->n_candidates, sizeof *src->candidates);
	if (dst->candidates == NULL)
		dst->n_candidates = 0;
}

static void
sync_cb(void *ctx, const char *cmd_id, const struct proto_reply *reply,
    const struct proto_error *err)
{
	struct sync *st = ctx;
	struct proto_error e;
	int rc;

	if (st->done)
		return;
	if (reply == NULL) {
		*st->err = *err;
		st->rc = -1;
		st->done = true;
		return;
	}
	if (!reply->ok || reply->op_id != PROTO_MSG_snapshot) {
		reply_copy(st->out, reply);
		st->rc = 0;
		st->done = true;
		return;
	}
	rc = rpc_snap_add(&st->snap, reply, &e);
	if (rc == 0)
		return;
	st->done = true;
	if (rc < 0) {
		rpc_cancel(st->r, cmd_id); /* the rest of a broken stream is of no use */
		*st->err = e;
		st->rc = -1;
		return;
	}
	*st->out = *reply;
	st->out->snap = st->snap.head;
	for (int s = 0; s < PROTO_STREAM_COUNT; s++)
		st->out->streams[s] = st->snap.streams[s];
	st->out->events = NULL;
	st->out->n_events = 0;
	rpc_snap_init(&st->snap); /* the arrays now belong to out */
	st->rc = 0;
}

int
rpc_call_sync(struct rpc *r, enum proto_msg_id op, const void *args, struct proto_reply *out,
    struct proto_error *err, int timeout_ms)
{
	struct sync st;
	char cmd_id[PROTO_CMD_ID_MAX + 1];
	int64_t deadline, now;
	int wait, t;
	zmq_pollitem_t item;

	memset(out, 0, sizeof *out);
	out->op_id = -1;
	memset(&st, 0, sizeof st);
	st.r = r;
	st.out = out;
	st.err = err;
	rpc_snap_init(&st.snap);
	if (timeout_ms <= 0)
		timeout_ms = r->timeout_ms * r->tries;
	if (rpc_call(r, op, args, sync_cb, &st, cmd_id) < 0)
		return proto_fail(err, PROTO_E_UNAVAILABLE, "could not queue %s",
		    (unsigned)op < PROTO_MSG_COUNT ? proto_descs[op].wire : "request");
	deadline = rd_mono_ms() + timeout_ms;
	while (!st.done) {
		now = rd_mono_ms();
		if (now >= deadline) {
			rpc_cancel(r, cmd_id);
			rpc_snap_finish(&st.snap);
			return proto_fail(err, PROTO_E_UNAVAILABLE, "no reply to %s within %d ms",
			    proto_descs[op].wire, timeout_ms);
		}
		wait = (int)(deadline - now);
		t = rpc_next_timeout(r, now);
		if (t >= 0 && t < wait)
			wait = t;
		item.socket = r->sock;
		item.fd = -1;
		item.events = ZMQ_POLLIN;
		item.revents = 0;
		if (zmq_poll(&item, 1, wait) < 0 && errno != EINTR) {
			rpc_cancel(r, cmd_id);
			rpc_snap_finish(&st.snap);
			return proto_fail(err, PROTO_E_UNAVAILABLE, "zmq_poll: %s",
			    zmq_strerror(errno));
		}
		rpc_process(r, rd_mono_ms());
	}
	rpc_snap_finish(&st.snap);
	return st.rc;
}
