/* broker.c: rescuedeskd's loop and what only it does: the sockets (this is the broker's one
 * file that includes zmq.h), the clock's steps, the periodic tick, sending the queued
 * replies and publications, heartbeats, checkpoints, and loading the state at start (or,
 * for a standby of a group on PostgreSQL, when it takes the lead: run_standby).
 *
 * Calls go one way: broker.c -> the job files (broker-ops.c for requests, broker-feed.c for
 * the feed, broker-dispatch.c and broker-watch.c for the tick, broker-state.c and
 * broker-supplier.c for load and checkpoints) -> broker-emit.c (the clock, the batch,
 * record and publish, the reply queues), which broker.c also calls directly to commit the
 * batch and publish positions. No other broker file calls this one (broker.h is its API). */
#include "broker-int.h"

#include <errno.h>
#include <inttypes.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <zmq.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "endpoints.h"
#include "util.h"

#define BATCH_MAX 512          /* requests handled per turn, one commit */
#define FEED_MAX 20000         /* feed messages drained per turn */
#define HB_MS 1000             /* heartbeat period, real time */
#define TICK_MS 500            /* dispatch and monitoring period, real time */
#define POS_MS 200             /* truck position publication period, real time */
#define OUTQ_GIVEUP_MS 30000   /* drop a snapshot a client does not read */
#define EXPIRE_MS 600000       /* reply cache entries older than this go */
#define GUARD_MS 10            /* the memory guard looks this often, real time */
#define GUARD_COOL_MS 1000     /* and drops peers at most this often */
#define GUARD_DEFAULT_MB 1024
#define STANDBY_TRY_MS 200     /* a standby tries the database's lock this often */

static long
tick_ms(const struct broker *b)
{
	return b->opts.tick_ms > 0 ? b->opts.tick_ms : TICK_MS;
}

static void
flush_pubs(struct broker *b)
{
	for (size_t i = 0; i < b->n_pubs; i++) {
		struct pubq *p = &b->pubs[i];
		const char *topic = (int)p->stream == PROTO_TOPIC_MESSAGE ?
		    proto_topic_name(PROTO_MSG_message) : proto_streams[p->stream].topic;
		/* PUB never blocks: a subscriber past its high-water mark loses messages and
		 * sees the gap in seq. */
		if (zmq_send(b->pub, topic, strlen(topic), ZMQ_SNDMORE | ZMQ_DONTWAIT) >= 0 &&
		    zmq_send(b->pub, p->body, p->len, ZMQ_DONTWAIT) >= 0)
			b->st.published++;
		free(p->body);
	}
	b->n_pubs = 0;
}

/* Send what can be sent without blocking. A client whose pipe is full keeps its place;
 * a vanished client's queue is dropped (it will retry with the same cmd_id). */
static void
flush_out(struct broker *b)
{
	struct outq **pp = &b->out_head, *q;
	int64_t now = rd_mono_ms();

	b->out_tail = NULL;
	while ((q = *pp) != NULL) {
		bool drop = false;
		while (q->sent < q->n) {
			if (zmq_send(b->router, q->to.rid, q->to.rid_len, ZMQ_SNDMORE | ZMQ_DONTWAIT) < 0) {
				if (errno != EAGAIN)
					drop = true;
				break;
			}
			if (q->to.delim)
				zmq_send(b->router, "", 0, ZMQ_SNDMORE | ZMQ_DONTWAIT);
			if (zmq_send(b->router, q->frames[q->sent], q->lens[q->sent], ZMQ_DONTWAIT) < 0) {
				if (errno != EAGAIN)
					drop = true;
				break;
			}
			q->sent++;
		}
		if (q->sent == q->n || drop || now - q->started > OUTQ_GIVEUP_MS) {
			if (q->sent < q->n)
				log_info("dropped %zu unsent reply frames for a client", q->n - q->sent);
			*pp = q->next;
			broker_outq_free(q);
			continue;
		}
		b->out_tail = q;
		pp = &q->next;
	}
}

static void
send_hb(struct broker *b)
{
	const char *topic = proto_topic_name(PROTO_MSG_hb);
	struct proto_hb hb = {
		.v = PROTO_VERSION, .epoch = b->epoch, .seq = ++b->hb_seq, .ts = broker_now(b),
		.time_scale = (int64_t)b->opts.time_scale, .present = PROTO_ALL,
	};
	for (int s = 0; s < PROTO_STREAM_COUNT; s++)
		proto_hb_set_seq(&hb, s, b->seq[s]);
	if (hb.time_scale < 1)
		hb.time_scale = 1;
	proto_buf_reset(&b->buf);
	proto_pack_obj(&b->buf, PROTO_MSG_hb, &hb, 0);
	if (zmq_send(b->pub, topic, strlen(topic), ZMQ_SNDMORE | ZMQ_DONTWAIT) >= 0)
		zmq_send(b->pub, b->buf.data, b->buf.len, ZMQ_DONTWAIT);
}

/* Read one multipart message from the ROUTER: envelope frames, then the body. Returns the
 * body length or -1 when nothing is waiting. */
static int
recv_request(struct broker *b, struct peer *p, zmq_msg_t *body, char *uid, size_t uid_sz)
{
	zmq_msg_t part;
	int more = 0, nparts = 0;
	size_t more_sz = sizeof more;

	p->rid_len = 0;
	p->delim = false;
	p->roles = BROKER_ROLES_ALL; /* open; an authenticated peer's are set later */
	uid[0] = '\0';
	zmq_msg_init(body);
	for (;;) {
		zmq_msg_init(&part);
		if (zmq_msg_recv(&part, b->router, ZMQ_DONTWAIT) < 0) {
			zmq_msg_close(&part);
			if (nparts == 0)
				return -1;
			break; /* cannot happen: parts of a message arrive together */
		}
		zmq_getsockopt(b->router, ZMQ_RCVMORE, &more, &more_sz);
		if (nparts == 0) {
			size_t n = zmq_msg_size(&part);
			if (n > sizeof p->rid)
				n = sizeof p->rid;
			memcpy(p->rid, zmq_msg_data(&part), n);
			p->rid_len = n;
			zmq_msg_close(&part);
		} else if (more) {
			if (zmq_msg_size(&part) == 0)
				p->delim = true;
			zmq_msg_close(&part);
		} else {
			/* the connection's user id: the ZAP handler gave it (the user's key) */
			const char *u = b->users != NULL ? zmq_msg_gets(&part, "User-Id") : NULL;
			if (u != NULL)
				rd_strlcpy(uid, u, uid_sz);
			zmq_msg_move(body, &part); /* releases what body held */
			zmq_msg_close(&part);
		}
		nparts++;
		if (!more)
			break;
	}
	return (int)zmq_msg_size(body);
}

static void
handle_requests(struct broker *b)
{
	struct peer peer;
	zmq_msg_t body;
	struct proto_request req;
	struct proto_error err;
	char uid[64];

	for (int i = 0; i < BATCH_MAX && !b->fatal; i++) {
		if (recv_request(b, &peer, &body, uid, sizeof uid) < 0) {
			zmq_msg_close(&body);
			break;
		}
		b->st.requests++;
		proto_buf_reset(&b->buf);
		if (proto_decode_request(zmq_msg_data(&body), zmq_msg_size(&body), &req, &err) < 0) {
			b->st.bad_requests++;
			log_debug("bad request: %s", err.message);
			proto_encode_reply_error_at(&b->buf, req.cmd_id,
			    req.op >= 0 ? proto_descs[req.op].wire : "", err.code, err.field,
			    err.message);
			broker_reply(b, &peer, b->buf.data, b->buf.len);
		} else if (b->users == NULL) {
			/* open: the claimed user acts, in every role */
			snprintf(peer.user, sizeof peer.user, "%s", req.user);
			peer.supplier[0] = '\0';
			peer.authed = false;
			broker_handle(b, &peer, &req, &b->buf);
		} else if (!broker_auth_peer(b, uid[0] ? uid : NULL, BROKER_EP_API, &peer)) {
			/* a key revoked since it connected: not served from now on */
			proto_encode_reply_error_at(&b->buf, req.cmd_id, proto_descs[req.op].wire,
			    PROTO_E_UNAUTHENTICATED, NULL, "this key is not (or no longer) allowed");
			broker_reply(b, &peer, b->buf.data, b->buf.len);
		} else {
			/* the authenticated user acts: a claimed user is ignored (PROTOCOL.md 5.1),
			 * so the idempotency key and every event name the key's user */
			rd_strlcpy(req.user, peer.user, sizeof req.user);
			broker_handle(b, &peer, &req, &b->buf);
		}
		zmq_msg_close(&body);
	}
}

static void
handle_feed(struct broker *b)
{
	struct proto_feed f;
	struct proto_error err;
	zmq_msg_t m;

	for (int i = 0; i < FEED_MAX && !b->fatal; i++) {
		zmq_msg_init(&m);
		if (zmq_msg_recv(&m, b->feed, ZMQ_DONTWAIT) < 0) {
			zmq_msg_close(&m);
			break;
		}
		int more = zmq_msg_more(&m);
		struct peer peer = { .roles = BROKER_ROLES_ALL };
		if (b->users != NULL && !more &&
		    !broker_auth_peer(b, zmq_msg_gets(&m, "User-Id"), BROKER_EP_FEED, &peer)) {
			/* a key revoked since it connected: counted in unauthenticated */
		} else if (!more &&
		    proto_decode_feed(zmq_msg_data(&m), zmq_msg_size(&m), &f, &err) == 0) {
			broker_handle_feed_from(b, &peer, &f);
		} else {
			b->st.bad_feed++;
			if (b->st.bad_feed % 1000 == 1)
				log_warn("bad feed message: %s", more ? "multipart" : err.message);
		}
		zmq_msg_close(&m);
		while (more) { /* skip the rest of a multipart message */
			zmq_msg_init(&m);
			if (zmq_msg_recv(&m, b->feed, ZMQ_DONTWAIT) < 0) {
				zmq_msg_close(&m);
				break;
			}
			more = zmq_msg_more(&m);
			zmq_msg_close(&m);
		}
	}
}

/* ---- checkpoint and load ---- */

static int
checkpoint(struct broker *b)
{
	char id[32];
	struct proto_buf pb;
	int rc = -1;

	proto_buf_init(&pb);
	if (store_begin(b->store) < 0 || store_checkpoint_begin(b->store) < 0)
		goto out;
	for (int s = 0; s < PROTO_STREAM_COUNT; s++) {
		size_t n;
		const void **list = broker_stream_entities(b, s, false, 0, &n);
		for (size_t i = 0; i < n; i++) {
			proto_buf_reset(&pb);
			proto_pack_obj(&pb, (enum proto_msg_id)proto_streams[s].msg, list[i], 0);
			proto_entity_key(s, list[i], id, sizeof id);
			if (store_checkpoint_put(b->store, proto_streams[s].topic, id, pb.data,
			    pb.len) < 0) {
				free(list);
				goto out;
			}
		}
		free(list);
	}
	if (store_checkpoint_end(b->store, store_event_last_id(b->store)) < 0 ||
	    store_commit(b->store) < 0)
		goto out;
	b->events_since_checkpoint = 0;
	rc = 0;
out:
	if (rc < 0) {
		log_error("checkpoint: %s", store_errmsg(b->store));
		store_rollback(b->store);
	}
	proto_buf_finish(&pb);
	return rc;
}

struct load_ctx {
	struct broker *b;
	int64_t max_ts;
	char *cause;
};

/* Put a stored entity e (decoded) of stream s in its place; the broker's newest time seen
 * goes into lc->max_ts. */
static void
load_entity(struct load_ctx *lc, enum proto_stream s, const union proto_any *e)
{
	struct broker *b = lc->b;

	switch (s) {
	case PROTO_STREAM_TICKET: {
		struct bticket *t = xcalloc(1, sizeof *t);
		t->w = e->ticket;
		if (t->w.updated > lc->max_ts)
			lc->max_ts = t->w.updated;
		broker_ticket_put(b, t);
		break;
	}
	case PROTO_STREAM_TRUCK: {
		if (e->truck.updated > lc->max_ts)
			lc->max_ts = e->truck.updated;
		struct btruck *k = hmap_get(b->truck_by_id, e->truck.id);
		if (k == NULL)
			broker_truck_add(b, &e->truck);
		else
			k->w = e->truck;
		break;
	}
	case PROTO_STREAM_WARNING: {
		struct bwarn *w = xcalloc(1, sizeof *w);
		w->w = e->warning;
		if (w->w.ts > lc->max_ts)
			lc->max_ts = w->w.ts;
		broker_warning_put(b, w);
		break;
	}
	case PROTO_STREAM_COMPLAINT:
		if (e->complaint.saved_at > lc->max_ts)
			lc->max_ts = e->complaint.saved_at;
		broker_complaint_load(b, &e->complaint);
		break;
	case PROTO_STREAM_COUNT:
		break;
	}
}

static int
load_cb(void *vctx, const char *stream, const char *entity, const void *body, size_t len)
{
	struct load_ctx *lc = vctx;
	struct proto_error err;
	union proto_any *e;
	int s = proto_topic_lookup(stream, strlen(stream));

	if (s < 0 || s >= PROTO_STREAM_COUNT)
		return 0; /* not a stream of ours */
	e = xmalloc(sizeof *e);
	if (proto_decode_msg(body, len, (enum proto_msg_id)proto_streams[s].msg, e, &err) < 0) {
		xasprintf(&lc->cause, "stored %s %s: %s", stream, entity, err.message);
		free(e);
		return -1;
	}
	load_entity(lc, s, e);
	free(e);
	return 0;
}

/* ---- the memory guard ----
 * libzmq holds a multipart message whole until its last frame arrives, and no socket
 * option bounds the number of frames: one peer could make the broker hold gigabytes
 * before it sees a byte. The guard watches the broker's resident memory every GUARD_MS;
 * beyond opts.max_memory_mb it shuts down every connection of the api and feed sockets
 * (their file descriptors, learnt from socket monitors), which makes libzmq discard their
 * half-received messages, and gives the memory back to the system. Honest clients
 * reconnect by themselves and retry with the same cmd_id (PROTOCOL.md 6); subscribers are
 * not touched. tcp and ipc only: inproc peers are threads of this process. */

struct guard {
	void *mon[2];          /* PAIRs on the monitors of the ROUTER and the PULL */
	int *fds;              /* their accepted connections */
	size_t n_fds, cap_fds;
	int64_t limit_kb;
	int64_t checked, dropped; /* monotonic ms of the last look and the last drop */
};

static void
guard_fd(struct guard *g, int fd, bool add)
{
	for (size_t i = 0; i < g->n_fds; i++)
		if (g->fds[i] == fd) {
			if (!add)
				g->fds[i] = g->fds[--g->n_fds];
			return;
		}
	if (!add)
		return;
	if (g->n_fds == g->cap_fds) {
		g->cap_fds = g->cap_fds ? 2 * g->cap_fds : 64;
		g->fds = xrealloc(g->fds, g->cap_fds * sizeof *g->fds);
	}
	g->fds[g->n_fds++] = fd;
}

/* Learn the connections accepted and closed since the last call. */
static void
guard_events(struct guard *g)
{
	for (int i = 0; i < 2; i++) {
		zmq_msg_t m;
		zmq_msg_init(&m);
		while (g->mon[i] != NULL && zmq_msg_recv(&m, g->mon[i], ZMQ_DONTWAIT) >= 0) {
			uint16_t ev = 0;
			uint32_t fd = 0;
			bool more = zmq_msg_more(&m);
			if (zmq_msg_size(&m) == 6) {
				memcpy(&ev, zmq_msg_data(&m), sizeof ev);
				memcpy(&fd, (char *)zmq_msg_data(&m) + 2, sizeof fd);
			}
			while (more && zmq_msg_recv(&m, g->mon[i], 0) >= 0)
				more = zmq_msg_more(&m); /* the endpoint frame */
			if (ev == ZMQ_EVENT_ACCEPTED || ev == ZMQ_EVENT_DISCONNECTED)
				guard_fd(g, (int)fd, ev == ZMQ_EVENT_ACCEPTED);
		}
		zmq_msg_close(&m);
	}
}

/* The resident set in kB, or -1. */
static int64_t
resident_kb(void)
{
	FILE *f = fopen("/proc/self/statm", "r");
	long long pages = -1, size;
	long psz = sysconf(_SC_PAGESIZE);

	if (f == NULL)
		return -1;
	if (fscanf(f, "%lld %lld", &size, &pages) != 2)
		pages = -1;
	fclose(f);
	return pages < 0 ? -1 : pages * (psz / 1024);
}

/* Monitor sock (the ROUTER or the PULL, not bound yet) into g->mon[i]. */
static int
guard_watch(struct broker *b, void *sock, int i, char **cause)
{
	static atomic_uint seq; /* endpoints are unique in the process: brokers come and go */
	char ep[64];

	snprintf(ep, sizeof ep, "inproc://rd-guard-%u-%d", atomic_fetch_add(&seq, 1), i);
	if (zmq_socket_monitor(sock, ep, ZMQ_EVENT_ACCEPTED | ZMQ_EVENT_DISCONNECTED) < 0 ||
	    (b->guard->mon[i] = zmq_socket(b->zctx, ZMQ_PAIR)) == NULL ||
	    zmq_setsockopt(b->guard->mon[i], ZMQ_LINGER, &(int){ 0 }, sizeof(int)) < 0 ||
	    zmq_connect(b->guard->mon[i], ep) < 0) {
		xasprintf(cause, "memory guard: %s", zmq_strerror(errno));
		return -1;
	}
	return 0;
}

static void
guard_check(struct broker *b, int64_t mono)
{
	struct guard *g = b->guard;
	int64_t kb;

	if (g == NULL || mono - g->checked < GUARD_MS)
		return;
	g->checked = mono;
	guard_events(g);
	if ((kb = resident_kb()) < 0 || kb <= g->limit_kb)
		return;
	if (mono - g->dropped < GUARD_COOL_MS) {
#ifdef __GLIBC__
		malloc_trim(0); /* what the dropped peers held is being freed */
#endif
		return;
	}
	g->dropped = mono;
	b->st.guard_drops++;
	log_error("memory guard: resident memory %" PRId64 " MiB is over the %" PRId64 " MiB "
	    "limit (--max-memory): dropping all %zu connections of the api and feed sockets",
	    kb / 1024, g->limit_kb / 1024, g->n_fds);
	for (size_t i = 0; i < g->n_fds; i++)
		shutdown(g->fds[i], SHUT_RDWR);
}

static void
guard_free(struct guard *g)
{
	if (g == NULL)
		return;
	for (int i = 0; i < 2; i++)
		if (g->mon[i] != NULL)
			zmq_close(g->mon[i]);
	free(g->fds);
	free(g);
}

/* ---- authentication (PROTOCOL.md 2.5) ----
 * With a users file, the api, pub and feed sockets are CURVE servers with the broker's key,
 * and a ZAP handler (RFC 27) on inproc://zeromq.zap.01 of the broker's context, a REP
 * polled in the loop like the other sockets, decides every handshake: the client's key
 * must be in the users table and its role allowed on that socket (the socket's ZAP domain
 * says which). libzmq accepts any key when no handler is bound, so the handler is bound
 * before any server socket and a broker that cannot bind it does not start. */

#define ZAP_ENDPOINT "inproc://zeromq.zap.01"
#define HANDSHAKE_MS 5000 /* half-open handshakes do not pile up */

static int
curve_server(struct broker *b, void *s, int ep, char **cause)
{
	int one = 1, hs = HANDSHAKE_MS;
	const char *domain = broker_endpoint_names[ep];

	if (zmq_setsockopt(s, ZMQ_ZAP_DOMAIN, domain, strlen(domain)) < 0 ||
	    zmq_setsockopt(s, ZMQ_CURVE_SERVER, &one, sizeof one) < 0 ||
	    zmq_setsockopt(s, ZMQ_CURVE_SECRETKEY, b->curve_secret, KEYFILE_Z85_LEN) < 0 ||
	    zmq_setsockopt(s, ZMQ_HANDSHAKE_IVL, &hs, sizeof hs) < 0) {
		xasprintf(cause, "CURVE on the %s socket: %s", domain, zmq_strerror(errno));
		return -1;
	}
	return 0;
}

/* Endpoints an open broker (no CURVE) may bind: this host only. */
static bool
endpoint_local(const char *ep)
{
	static const char *const ok[] = {
		"ipc://", "inproc://", "tcp://127.0.0.1:", "tcp://[::1]:", "tcp://localhost:",
	};
	for (size_t i = 0; i < ARRAY_LEN(ok); i++)
		if (strncmp(ep, ok[i], strlen(ok[i])) == 0)
			return true;
	return false;
}

/* One ZAP request: frames version, request id, domain, address, identity, mechanism,
 * credentials (for CURVE the client's 32-byte key); the reply: version, request id,
 * status code, status text, user id (the key in Z85: broker-auth.c looks it up per
 * message), metadata (none). Extra frames are drained; a request always gets a reply, or
 * the handshake would hang until HANDSHAKE_MS. */
static bool
handle_zap(struct broker *b)
{
	char f[7][64];
	size_t len[7] = { 0 };
	int n = 0, more = 1;
	size_t more_sz = sizeof more;

	while (more) {
		char buf[64];
		int r = zmq_recv(b->zap, buf, sizeof buf, ZMQ_DONTWAIT);
		if (r < 0) {
			if (n == 0)
				return false;
			break;
		}
		if (n < 7) {
			len[n] = (size_t)r < sizeof buf ? (size_t)r : sizeof buf;
			memcpy(f[n], buf, len[n]);
		}
		n++;
		zmq_getsockopt(b->zap, ZMQ_RCVMORE, &more, &more_sz);
	}
	const char *status = "400", *text = "bad ZAP request";
	char key[KEYFILE_Z85_LEN + 1] = "", domain[64], address[64];
	snprintf(domain, sizeof domain, "%.*s", n > 2 ? (int)len[2] : 0, f[2]);
	snprintf(address, sizeof address, "%.*s", n > 3 ? (int)len[3] : 0, f[3]);
	int ep = -1;
	for (int i = 0; i < BROKER_EP_COUNT; i++)
		if (strcmp(domain, broker_endpoint_names[i]) == 0)
			ep = i;
	if (n == 7 && len[0] == 3 && memcmp(f[0], "1.0", 3) == 0 && len[5] == 5 &&
	    memcmp(f[5], "CURVE", 5) == 0 && len[6] == 32 && ep >= 0) {
		zmq_z85_encode(key, (const uint8_t *)f[6], 32);
		if (broker_auth_zap(b, key, (enum broker_endpoint)ep, address, &text)) {
			status = "200";
			text = "OK";
		}
	} else {
		b->st.auth_refused++;
		log_warn("auth: refused a %.*s handshake on %s from %s", n > 5 ? (int)len[5] : 0,
		    f[5], domain[0] ? domain : "?", address);
	}
	bool ok = status[0] == '2';
	zmq_send(b->zap, "1.0", 3, ZMQ_SNDMORE);
	zmq_send(b->zap, f[1], n > 1 ? len[1] : 0, ZMQ_SNDMORE);
	zmq_send(b->zap, status, 3, ZMQ_SNDMORE);
	zmq_send(b->zap, text, strlen(text), ZMQ_SNDMORE);
	zmq_send(b->zap, key, ok ? strlen(key) : 0, ZMQ_SNDMORE);
	zmq_send(b->zap, "", 0, 0);
	return true;
}

/* Bind the PUB socket again: every subscriber's connection ends and reconnects through
 * ZAP, so a revoked key stops getting updates (a PUB cannot refuse per message). Its
 * replica sees the gap in seq, if any, and resyncs. The old listener must be gone before
 * the new bind: an ipc listener that closes late removes the new socket file. */
static void
rebind_pub(struct broker *b)
{
	static atomic_uint seq;
	char mon_ep[64], last[256];
	size_t last_sz = sizeof last;
	void *mon = NULL;

	snprintf(mon_ep, sizeof mon_ep, "inproc://rd-pubmon-%u", atomic_fetch_add(&seq, 1));
	if (zmq_socket_monitor(b->pub, mon_ep, ZMQ_EVENT_CLOSED) == 0 &&
	    (mon = zmq_socket(b->zctx, ZMQ_PAIR)) != NULL && zmq_connect(mon, mon_ep) < 0) {
		zmq_close(mon);
		mon = NULL;
	}
	if (zmq_getsockopt(b->pub, ZMQ_LAST_ENDPOINT, last, &last_sz) < 0 || last[0] == '\0')
		rd_strlcpy(last, b->pub_ep, sizeof last);
	if (zmq_unbind(b->pub, last) < 0 && zmq_unbind(b->pub, b->pub_ep) < 0)
		log_error("users: cannot unbind %s: %s", b->pub_ep, zmq_strerror(errno));
	zmq_pollitem_t it = { mon, 0, ZMQ_POLLIN, 0 };
	if (mon != NULL && zmq_poll(&it, 1, 2000) > 0) {
		zmq_msg_t m;
		zmq_msg_init(&m);
		while (zmq_msg_recv(&m, mon, ZMQ_DONTWAIT) >= 0)
			; /* the event and its endpoint */
		zmq_msg_close(&m);
	}
	zmq_socket_monitor(b->pub, NULL, 0);
	if (mon != NULL)
		zmq_close(mon);
	/* the endpoint as bound (a wildcard port keeps the port it got) */
	for (int i = 0; i < 100; i++) {
		if (zmq_bind(b->pub, last) == 0) {
			log_info("users: %s bound again: subscribers reconnect through ZAP", b->pub_ep);
			return;
		}
		if (errno != EADDRINUSE)
			break;
		usleep(10000); /* the old listener's port is being released */
	}
	log_error("users: cannot bind %s again: %s", last, zmq_strerror(errno));
	b->fatal = true;
}

int
broker_reload_users(struct broker *b)
{
	char *cause = NULL;
	bool revoked = false;

	if (b->users == NULL) {
		log_warn("users: no users file to reload (the broker runs open)");
		return -1;
	}
	if (broker_auth_load(b, &revoked, &cause) < 0) {
		log_error("users: reload refused, the old table stays:\n%s", cause);
		free(cause);
		return -1;
	}
	if (revoked)
		rebind_pub(b);
	return b->fatal ? -1 : 0;
}

int
broker_keygen(const char *path, char *pub, char **cause)
{
	char sec[KEYFILE_Z85_LEN + 1];
	int rc;

	if (zmq_curve_keypair(pub, sec) < 0) {
		xasprintf(cause, "zmq_curve_keypair: %s", zmq_strerror(errno));
		return -1;
	}
	rc = keyfile_write(path, pub, sec, cause);
	explicit_bzero(sec, sizeof sec);
	return rc;
}

/* Socket options (PROTOCOL.md 2.4). No ZMTP heartbeats: a peer that stops reading cannot
 * answer pings, so a heartbeat would cut a stalled subscriber off after 3 s and throw its
 * queue away, and libzmq 4.3.4 can abort on the reconnect that follows (upstream issue
 * 3937). Liveness is the protocol's own heartbeat publications towards clients, and TCP
 * keepalives (a dead host is dropped after about 25 s) towards the broker.
 *
 * What one peer can make the broker hold is bounded by frame size times queue length:
 * 65,536 bytes (ZMQ_MAXMSGSIZE, enforced by libzmq on tcp and ipc) times 1,000 messages on
 * the ROUTER and the PULL (ZMQ_RCVHWM), and 100,000 publications on the PUB (ZMQ_SNDHWM).
 * A multipart message is not bounded by libzmq at all: it is held whole until its last
 * frame arrives. The memory guard (guard_check) covers that case. */
static void *
bind_socket(struct broker *b, int type, const char *ep, int auth_ep, char **cause)
{
	void *s = zmq_socket(b->zctx, type);
	int linger = 0, out_hwm = 100000, in_hwm = 1000, one = 1;
	int ka_idle = 10, ka_intvl = 5, ka_cnt = 3;
	int64_t maxmsg = PROTO_MAX_REQUEST;

	if (s == NULL) {
		xasprintf(cause, "zmq_socket: %s", zmq_strerror(errno));
		return NULL;
	}
	zmq_setsockopt(s, ZMQ_LINGER, &linger, sizeof linger);
	zmq_setsockopt(s, ZMQ_TCP_KEEPALIVE, &one, sizeof one);
	zmq_setsockopt(s, ZMQ_TCP_KEEPALIVE_IDLE, &ka_idle, sizeof ka_idle);
	zmq_setsockopt(s, ZMQ_TCP_KEEPALIVE_INTVL, &ka_intvl, sizeof ka_intvl);
	zmq_setsockopt(s, ZMQ_TCP_KEEPALIVE_CNT, &ka_cnt, sizeof ka_cnt);
	if (type == ZMQ_ROUTER || type == ZMQ_PULL) {
		zmq_setsockopt(s, ZMQ_MAXMSGSIZE, &maxmsg, sizeof maxmsg);
		zmq_setsockopt(s, ZMQ_RCVHWM, &in_hwm, sizeof in_hwm);
	}
	if (type == ZMQ_ROUTER)
		zmq_setsockopt(s, ZMQ_ROUTER_MANDATORY, &one, sizeof one);
	if (type == ZMQ_PUB || type == ZMQ_ROUTER)
		zmq_setsockopt(s, ZMQ_SNDHWM, &out_hwm, sizeof out_hwm);
	if (auth_ep >= 0 && b->users != NULL && curve_server(b, s, auth_ep, cause) < 0) {
		zmq_close(s);
		return NULL;
	}
	if (b->guard != NULL && (type == ZMQ_ROUTER || type == ZMQ_PULL) &&
	    guard_watch(b, s, type == ZMQ_PULL, cause) < 0) {
		zmq_close(s);
		return NULL;
	}
	if (zmq_bind(s, ep) < 0) {
		xasprintf(cause, "cannot bind %s: %s", ep, zmq_strerror(errno));
		zmq_close(s);
		return NULL;
	}
	return s;
}

/* Leadership: load the state as at any start, bump the epoch and write the leader row in
 * one transaction (the row names this broker's api to the standbys), checkpoint what was
 * replayed. Called by broker_create, or by a standby once store_try_lead gave it the lock. */
static int
lead(struct broker *b, char **cause)
{
	struct load_ctx lc = { .b = b };
	int64_t replayed = 0;

	if (store_load(b->store, load_cb, &lc, &replayed) < 0) {
		xasprintf(cause, "loading %s: %s", b->db_path,
		    lc.cause ? lc.cause : store_errmsg(b->store));
		free(lc.cause);
		return -1;
	}
	broker_relink(b);
	if (broker_vnum_start(b, cause) < 0)
		return -1;
	b->st.replayed_at_start = replayed;
	b->epoch = store_meta_get(b->store, "epoch", 0) + 1;
	if (store_begin(b->store) < 0 || store_meta_set(b->store, "epoch", b->epoch) < 0 ||
	    store_leader_set(b->store, b->epoch, b->api, rd_now_ms()) < 0 ||
	    store_commit(b->store) < 0) {
		xasprintf(cause, "store %s: %s", b->db_path, store_errmsg(b->store));
		return -1;
	}
	if (replayed > 0 && checkpoint(b) < 0) {
		xasprintf(cause, "checkpoint: %s", store_errmsg(b->store));
		return -1;
	}
	b->t0_mono = rd_mono_ms();
	b->t0_broker = b->opts.clock_start > 0 ? b->opts.clock_start : rd_now_ms();
	if (lc.max_ts >= b->t0_broker)
		b->t0_broker = lc.max_ts + 1; /* time never runs backwards across restarts */
	return 0;
}

/* The sockets only a leader binds: the publications and the feed. */
static int
bind_served(struct broker *b, char **cause)
{
	if ((b->pub = bind_socket(b, ZMQ_PUB, b->pub_ep, BROKER_EP_PUB, cause)) == NULL ||
	    (b->feed = bind_socket(b, ZMQ_PULL, b->feed_ep, BROKER_EP_FEED, cause)) == NULL)
		return -1;
	return 0;
}

struct broker *
broker_create(void *zctx, const struct broker_opts *opts, char **cause)
{
	struct broker *b = xcalloc(1, sizeof *b);
	char *why = NULL;

	b->opts = *opts;
	b->api = xstrdup(opts->api ? opts->api : ENDPOINTS_DEFAULT_API);
	b->pub_ep = xstrdup(opts->pub ? opts->pub : ENDPOINTS_DEFAULT_PUB);
	b->feed_ep = xstrdup(opts->feed ? opts->feed : ENDPOINTS_DEFAULT_FEED);
	b->db_path = xstrdup(opts->db ? opts->db : "rescuedesk.db");
	b->data_dir = xstrdup(opts->data_dir ? opts->data_dir : data_default_dir());
	b->opts.api = b->api;
	b->opts.pub = b->pub_ep;
	b->opts.feed = b->feed_ep;
	b->opts.db = b->db_path;
	b->opts.data_dir = b->data_dir;
	if (b->opts.time_scale < 1)
		b->opts.time_scale = 1;
	if (b->opts.keep_closed_min <= 0)
		b->opts.keep_closed_min = 120;
	if (b->opts.checkpoint_every <= 0)
		b->opts.checkpoint_every = 50000;
	b->truck_by_id = hmap_create();
	b->geo = geo_index_create(0.02);
	proto_buf_init(&b->buf);
	if (b->opts.clock == BROKER_CLOCK_MANUAL) {
		if (opts->control == NULL) {
			*cause = xstrdup("a manual clock needs a control endpoint");
			goto fail;
		}
		b->control_ep = xstrdup(opts->control);
		b->opts.control = b->control_ep;
	}

	if ((opts->users == NULL) != (opts->key == NULL)) {
		*cause = xstrdup("--users and --key go together: CURVE needs the broker's key and "
		    "the users it lets in");
		goto fail;
	}
	if (opts->users == NULL) {
		const char *eps[] = { b->api, b->pub_ep, b->feed_ep };
		for (size_t i = 0; i < ARRAY_LEN(eps); i++)
			if (!endpoint_local(eps[i])) {
				xasprintf(cause, "refusing to bind %s without CURVE: only loopback "
				    "(tcp://127.0.0.1, tcp://[::1], tcp://localhost), ipc:// and "
				    "inproc:// run open; give --users and --key", eps[i]);
				goto fail;
			}
	}
	if ((b->data = data_load(b->data_dir, &why)) == NULL) {
		xasprintf(cause, "data: %s", why);
		goto fail;
	}
	if (broker_diag_load(b, &why) < 0) {
		xasprintf(cause, "diagnosis flows:\n%s", why);
		goto fail;
	}
	if (broker_tell_load(b, &why) < 0) {
		xasprintf(cause, "messages: %s", why);
		goto fail;
	}
	broker_dispatch_init(b);
	bool leader;
	if ((b->store = store_open_group(b->db_path, opts->sync, &leader, &why)) == NULL) {
		xasprintf(cause, "store %s: %s", b->db_path, why);
		goto fail;
	}
	b->standby = !leader;
	if (!b->standby && lead(b, cause) < 0)
		goto fail;
	if (b->standby) { /* its clock until lead() sets it from what the store holds */
		b->t0_mono = rd_mono_ms();
		b->t0_broker = b->opts.clock_start > 0 ? b->opts.clock_start : rd_now_ms();
	}

	if (zctx == NULL) {
		b->zctx = zmq_ctx_new();
		b->own_ctx = true;
	} else {
		b->zctx = zctx;
	}
	if (b->opts.max_memory_mb >= 0) {
		b->guard = xcalloc(1, sizeof *b->guard);
		b->guard->limit_kb = 1024 * (b->opts.max_memory_mb > 0 ? b->opts.max_memory_mb :
		    GUARD_DEFAULT_MB);
	}
	if (opts->users != NULL) {
		char pub[KEYFILE_Z85_LEN + 1];
		bool revoked;
		b->users_path = xstrdup(opts->users);
		b->opts.users = b->users_path;
		b->opts.key = NULL; /* read once, here */
		if (keyfile_read(opts->key, pub, b->curve_secret, cause) < 0 ||
		    broker_auth_load(b, &revoked, cause) < 0)
			goto fail;
		if ((b->zap = zmq_socket(b->zctx, ZMQ_REP)) == NULL ||
		    zmq_setsockopt(b->zap, ZMQ_LINGER, &(int){ 0 }, sizeof(int)) < 0 ||
		    zmq_bind(b->zap, ZAP_ENDPOINT) < 0) {
			xasprintf(cause, "the ZAP handler (%s): %s", ZAP_ENDPOINT, zmq_strerror(errno));
			goto fail;
		}
		log_info("CURVE on, server key %s, %zu users", pub, users_count(b->users));
	}
	if ((b->router = bind_socket(b, ZMQ_ROUTER, b->api, BROKER_EP_API, cause)) == NULL ||
	    (!b->standby && bind_served(b, cause) < 0))
		goto fail;
	if (b->opts.clock == BROKER_CLOCK_MANUAL &&
	    (b->control = bind_socket(b, ZMQ_PAIR, b->control_ep, -1, cause)) == NULL)
		goto fail;
	if (b->standby)
		log_info("standby: another broker holds %s; api %s answers not_leader", b->db_path,
		    b->api);
	else
		log_info("epoch %" PRId64 ", %zu tickets (%zu open), %zu trucks, replayed %" PRId64
		    " events; api %s pub %s feed %s", b->epoch, b->n_tickets, b->n_open, b->n_trucks,
		    b->st.replayed_at_start, b->api, b->pub_ep, b->feed_ep);
	return b;
fail:
	free(why);
	broker_destroy(b);
	return NULL;
}

/* Real ms until broker time due (through the time scale), at most a minute; 0 when due. */
static long
wait_until(const struct broker *b, int64_t due)
{
	int64_t now = broker_now(b);
	double scale = b->opts.time_scale >= 1 ? b->opts.time_scale : 1;

	if (due <= now)
		return 0;
	if (due - now > (int64_t)(60000 * scale))
		return 60000;
	return (long)((double)(due - now) / scale) + 1;
}

/* Real ms until monitoring's first deadline; 0 when due or when a changed ticket waits to
 * be looked at; a minute when no ticket is open. */
static long
watch_wait(const struct broker *b)
{
	if (b->n_open == 0)
		return 60000; /* the tick does not look either */
	return wait_until(b, broker_watch_next(b));
}

/* Real ms until the first deadline of the region warnings (broker-capacity.c) or of the
 * warnings' owners and escalation (broker-warn.c), so they fire on time, not on the
 * next tick. */
static long
warn_wait(const struct broker *b)
{
	int64_t cap = broker_capacity_next(b), own = broker_warn_next(b);
	return wait_until(b, cap < own ? cap : own);
}

/* The periodic work at broker time now: offers past their time, waiting tickets, warnings. */
static void
tick(struct broker *b)
{
	int64_t now = broker_now(b);
	broker_capacity_tick(b, now); /* a region's capacity: with or without open tickets */
	broker_tell_reap(b);
	broker_warn_tick(b, now); /* owners' leases run out with no ticket open, too */
	broker_survey_tick(b, now); /* call-back tasks are of closed tickets */
	broker_retention_tick(b, now); /* closed tickets' personal data, after N days */
	if (b->n_open == 0)
		return;
	if (broker_dispatch_tick(b, now))
		broker_watch_tick(b, now);
}

/* ---- the manual clock ----
 * A step is one frame of sizeof(int64_t) bytes: the ms to move broker time on. The answer,
 * sent at the end of the loop's turn, is one frame of the same size: the new broker time,
 * or -1 for a step refused. A frame "reload" reloads the users file (SIGHUP's work) and is
 * answered the same way (-1: refused). */

#define CONTROL_RELOAD "reload"
#define CONTROL_RELOAD_LEN 6

static bool
read_step(struct broker *b, int64_t *answer)
{
	int64_t ms;
	int n = zmq_recv(b->control, &ms, sizeof ms, ZMQ_DONTWAIT);
	if (n < 0)
		return false;
	if (n == CONTROL_RELOAD_LEN && memcmp(&ms, CONTROL_RELOAD, CONTROL_RELOAD_LEN) == 0) {
		*answer = broker_reload_users(b) == 0 ? broker_now(b) : -1;
		return true;
	}
	if (n != (int)sizeof ms || ms < 0) {
		*answer = -1;
		return true;
	}
	b->stepped += ms;
	tick(b);
	*answer = broker_now(b);
	return true;
}

int64_t
broker_step(void *sock, int64_t ms, long timeout_ms)
{
	int64_t now;
	zmq_pollitem_t it = { sock, 0, ZMQ_POLLIN, 0 };

	if (zmq_send(sock, &ms, sizeof ms, 0) != (int)sizeof ms)
		return -1;
	if (zmq_poll(&it, 1, timeout_ms) <= 0)
		return -1;
	if (zmq_recv(sock, &now, sizeof now, 0) != (int)sizeof now)
		return -1;
	return now;
}

int
broker_control_reload(void *sock, long timeout_ms)
{
	int64_t now;
	zmq_pollitem_t it = { sock, 0, ZMQ_POLLIN, 0 };

	if (zmq_send(sock, CONTROL_RELOAD, CONTROL_RELOAD_LEN, 0) != CONTROL_RELOAD_LEN ||
	    zmq_poll(&it, 1, timeout_ms) <= 0 ||
	    zmq_recv(sock, &now, sizeof now, 0) != (int)sizeof now)
		return -1;
	return now < 0 ? -1 : 0;
}

/* ---- the standby ----
 * A broker of a group whose database lock is another's: only the api (and the ZAP
 * handler) is bound, every request gets not_leader naming the leader's api as its leader
 * row says, and the lock is tried every STANDBY_TRY_MS. Once it is ours the broker leads:
 * lead() loads and bumps the epoch, the pub and feed are bound, broker_run goes on. */

static void
answer_not_leader(struct broker *b)
{
	struct peer peer;
	zmq_msg_t body;
	struct proto_request req;
	struct proto_error err;
	char uid[64];

	for (int i = 0; i < BATCH_MAX; i++) {
		if (recv_request(b, &peer, &body, uid, sizeof uid) < 0) {
			zmq_msg_close(&body);
			break;
		}
		b->st.requests++;
		proto_buf_reset(&b->buf);
		if (proto_decode_request(zmq_msg_data(&body), zmq_msg_size(&body), &req, &err) < 0) {
			b->st.bad_requests++;
			proto_encode_reply_error_at(&b->buf, req.cmd_id,
			    req.op >= 0 ? proto_descs[req.op].wire : "", err.code, err.field,
			    err.message);
		} else {
			struct proto_error_params e;
			broker_err_init(&e, "not_leader");
			if (b->leader_api[0] != '\0') {
				BERR_STR(&e, leader, b->leader_api);
				broker_reply_error_why(&b->buf, &req, PROTO_E_NOT_LEADER, NULL, &e,
				    "this broker is a standby: the leader's api is %s", b->leader_api);
			} else {
				broker_reply_error_why(&b->buf, &req, PROTO_E_NOT_LEADER, NULL, &e,
				    "this broker is a standby: no leader is known yet");
			}
		}
		broker_reply(b, &peer, b->buf.data, b->buf.len);
		zmq_msg_close(&body);
	}
}

/* The control socket of a standby on the manual clock: a step moves broker time as it
 * does a leader's (no periodic work: nothing is loaded) and asks for a lock try at once;
 * its answer waits for the answer of a try sent after it (*steps counts the steps whose
 * try is not sent yet). A reload is answered at once, a bad frame with -1. */
static void
standby_control(struct broker *b, int *steps)
{
	int64_t ms, answer;
	int n;

	while ((n = zmq_recv(b->control, &ms, sizeof ms, ZMQ_DONTWAIT)) >= 0) {
		if (n == CONTROL_RELOAD_LEN && memcmp(&ms, CONTROL_RELOAD, CONTROL_RELOAD_LEN) == 0) {
			answer = broker_reload_users(b) == 0 ? broker_now(b) : -1;
		} else if (n != (int)sizeof ms || ms < 0) {
			answer = -1;
		} else {
			b->stepped += ms;
			(*steps)++;
			continue;
		}
		zmq_send(b->control, &answer, sizeof answer, ZMQ_DONTWAIT);
	}
}

static void
standby_steps_answer(struct broker *b, int *steps)
{
	int64_t answer = broker_now(b);

	for (; *steps > 0; (*steps)--)
		zmq_send(b->control, &answer, sizeof answer, ZMQ_DONTWAIT);
}

/* 0 once this broker leads (or *stop), -1 when the store failed (b->fatal). The try never
 * blocks the loop: it is sent, and the database's socket polled with the api's, so every
 * request is answered at once, with the leader last known, however slow the database;
 * a try unanswered for the connection's tcp_user_timeout (store.h) or a connection
 * failed ends the standby (status 1; systemd starts it again, rescuedeskd(8)). */
static int
run_standby(struct broker *b, volatile sig_atomic_t *stop)
{
	zmq_pollitem_t items[4];
	int n_items, i_zap = -1, i_control = -1;
	int64_t last_try = 0, epoch, t_sent = 0;
	bool trying = false;
	int got = STORE_LEAD_OTHER, steps = 0, owed = 0; /* owed: steps whose try is out */
	char *cause = NULL;

	while (!*stop) {
		int64_t now = rd_mono_ms();
		if (!trying && (now - last_try >= STANDBY_TRY_MS || steps > 0)) {
			last_try = t_sent = now;
			if (store_try_lead_start(b->store, now) < 0)
				break;
			trying = true;
			owed += steps;
			steps = 0;
		}
		if (trying) {
			got = store_try_lead_poll(b->store, now, &epoch, b->leader_api,
			    sizeof b->leader_api);
			if (got != STORE_LEAD_WAIT)
				trying = false;
			if (got == STORE_LEAD_OURS || got < 0)
				break;
			if (got == STORE_LEAD_OTHER) {
				if (now - t_sent > 1000)
					log_info("standby: the lock's try took %" PRId64 " ms",
					    now - t_sent);
				standby_steps_answer(b, &owed);
			}
		}
		n_items = 0;
		items[n_items++] = (zmq_pollitem_t){ b->router, 0, ZMQ_POLLIN, 0 };
		if (b->zap != NULL) {
			i_zap = n_items;
			items[n_items++] = (zmq_pollitem_t){ b->zap, 0, ZMQ_POLLIN, 0 };
		}
		if (b->control != NULL) {
			i_control = n_items;
			items[n_items++] = (zmq_pollitem_t){ b->control, 0, ZMQ_POLLIN, 0 };
		}
		if (trying && store_lead_fd(b->store) >= 0) /* its answer: read next turn */
			items[n_items++] = (zmq_pollitem_t){ NULL, store_lead_fd(b->store),
				ZMQ_POLLIN, 0 };
		/* while a try is out, wake at least every 100 ms to look at its deadline */
		long timeout = trying ? 100 : STANDBY_TRY_MS - (long)(rd_mono_ms() - last_try);
		if (b->out_head != NULL)
			timeout = 1;
		if (!trying && steps > 0)
			timeout = 0; /* a step waits for a try of its own */
		if (zmq_poll(items, n_items, timeout > 0 ? timeout : 0) < 0 && errno != EINTR) {
			log_error("zmq_poll: %s", zmq_strerror(errno));
			b->fatal = true;
			return -1;
		}
		if (i_zap >= 0 && (items[i_zap].revents & ZMQ_POLLIN))
			for (int z = 0; z < 64 && handle_zap(b); z++)
				;
		if (b->opts.reload != NULL && *b->opts.reload) {
			*b->opts.reload = 0;
			broker_reload_users(b);
		}
		if (items[0].revents & ZMQ_POLLIN)
			answer_not_leader(b);
		if (i_control >= 0 && (items[i_control].revents & ZMQ_POLLIN))
			standby_control(b, &steps);
		flush_out(b);
	}
	if (*stop)
		return 0;
	if (got != STORE_LEAD_OURS) {
		log_error("standby: lost the database %s: %s; exiting (status 1)", b->db_path,
		    store_errmsg(b->store));
		b->fatal = true;
		return -1;
	}
	/* the lock is ours */
	if (lead(b, &cause) < 0 || bind_served(b, &cause) < 0) {
		log_error("taking the lead on %s: %s", b->db_path, cause != NULL ? cause :
		    store_errmsg(b->store));
		free(cause);
		b->fatal = true;
		return -1;
	}
	b->standby = false;
	log_info("leader: epoch %" PRId64 ", %zu tickets (%zu open), %zu trucks, replayed %"
	    PRId64 " events; api %s pub %s feed %s", b->epoch, b->n_tickets, b->n_open,
	    b->n_trucks, b->st.replayed_at_start, b->api, b->pub_ep, b->feed_ep);
	owed += steps;
	standby_steps_answer(b, &owed); /* the step that made it lead: after the load */
	return 0;
}

int
broker_run(struct broker *b, volatile sig_atomic_t *stop)
{
	if (b->standby && (run_standby(b, stop) < 0 || *stop))
		return b->fatal ? 1 : 0;
	/* the api, the feed, then the control and the ZAP handler when there are (a NULL
	 * socket would poll file descriptor 0) */
	zmq_pollitem_t items[4] = {
		{ b->router, 0, ZMQ_POLLIN, 0 },
		{ b->feed, 0, ZMQ_POLLIN, 0 },
	};
	int n_items = 2, i_control = -1, i_zap = -1;
	if (b->control != NULL) {
		i_control = n_items;
		items[n_items++] = (zmq_pollitem_t){ b->control, 0, ZMQ_POLLIN, 0 };
	}
	if (b->zap != NULL) {
		i_zap = n_items;
		items[n_items++] = (zmq_pollitem_t){ b->zap, 0, ZMQ_POLLIN, 0 };
	}
	bool manual = b->opts.clock == BROKER_CLOCK_MANUAL;

	b->last_hb = b->last_tick = b->last_pos = b->last_expire = rd_mono_ms();
	send_hb(b);
	while (!*stop && !b->fatal) {
		int64_t now = rd_mono_ms();
		long timeout = HB_MS - (now - b->last_hb);
		if (!manual && tick_ms(b) - (now - b->last_tick) < timeout)
			timeout = tick_ms(b) - (now - b->last_tick);
		if (!manual && watch_wait(b) < timeout)
			timeout = watch_wait(b);
		if (!manual && !b->warn_tick_only && warn_wait(b) < timeout)
			timeout = warn_wait(b);
		if (timeout > 100)
			timeout = 100; /* look at *stop often enough */
		if (b->guard != NULL && timeout > GUARD_MS)
			timeout = GUARD_MS;
		if (b->out_head != NULL)
			timeout = 1;
		if (timeout < 0)
			timeout = 0;
		if (zmq_poll(items, n_items, timeout) < 0 && errno != EINTR) {
			log_error("zmq_poll: %s", zmq_strerror(errno));
			b->fatal = true;
			break;
		}
		if (i_zap >= 0 && (items[i_zap].revents & ZMQ_POLLIN))
			for (int z = 0; z < 64 && handle_zap(b); z++)
				;
		if (b->opts.reload != NULL && *b->opts.reload) {
			*b->opts.reload = 0;
			broker_reload_users(b);
		}
		if (items[1].revents & ZMQ_POLLIN)
			handle_feed(b);
		if (items[0].revents & ZMQ_POLLIN)
			handle_requests(b);
		int64_t answer = 0;
		bool stepped = i_control >= 0 && (items[i_control].revents & ZMQ_POLLIN) &&
		    read_step(b, &answer);
		now = rd_mono_ms();
		if (!manual && now - b->last_tick >= tick_ms(b)) {
			b->last_tick = now;
			tick(b);
		} else if (!manual) {
			int64_t bnow = broker_now(b);
			/* deadlines and changes, at once */
			if (!b->warn_tick_only && broker_capacity_next(b) <= bnow)
				broker_capacity_tick(b, bnow);
			if (!b->warn_tick_only && broker_warn_next(b) <= bnow)
				broker_warn_tick(b, bnow);
			if (b->n_open > 0 && watch_wait(b) == 0)
				broker_watch_due(b, bnow);
		}
		broker_vnum_settle(b);
		if (!broker_commit(b))
			break;
		flush_out(b);
		flush_pubs(b);
		broker_tell_flush(b); /* the gateway's commands, once their tell is committed */
		if (manual || now - b->last_pos >= POS_MS) {
			b->last_pos = now;
			for (size_t i = 0; i < b->n_trucks; i++)
				if (b->trucks[i]->pos_dirty)
					broker_publish_position(b, b->trucks[i]);
			flush_pubs(b);
		}
		if (stepped) {
			send_hb(b); /* a test's subscriber need not wait a heartbeat period */
			zmq_send(b->control, &answer, sizeof answer, ZMQ_DONTWAIT);
		}
		if (now - b->last_hb >= HB_MS) {
			b->last_hb = now;
			send_hb(b);
			broker_feed_flush(b, now);
		}
		guard_check(b, now);
		if (b->events_since_checkpoint >= b->opts.checkpoint_every)
			checkpoint(b);
		if (now - b->last_expire >= 60000) {
			b->last_expire = now;
			if (store_reply_expire(b->store, rd_now_ms() - EXPIRE_MS) < 0)
				log_warn("expiring replies: %s", store_errmsg(b->store));
		}
	}
	return b->fatal ? 1 : 0;
}

void
broker_stats(const struct broker *b, struct broker_stats *out)
{
	*out = b->st;
	out->tickets = b->n_tickets;
	out->trucks = b->n_trucks;
	out->warnings_active = b->n_warns_active;
	out->presence_users = b->presence != NULL ? hmap_count(b->presence) : 0;
	out->epoch = b->epoch;
}

void
broker_destroy(struct broker *b)
{
	if (b == NULL)
		return;
	if (b->store != NULL && !b->fatal && !b->standby && b->router != NULL)
		checkpoint(b);
	/* the monitors first: a monitored socket's close waits on them */
	if (b->guard != NULL && b->router)
		zmq_socket_monitor(b->router, NULL, 0);
	if (b->guard != NULL && b->feed)
		zmq_socket_monitor(b->feed, NULL, 0);
	guard_free(b->guard);
	if (b->router)
		zmq_close(b->router);
	if (b->pub)
		zmq_close(b->pub);
	if (b->feed)
		zmq_close(b->feed);
	if (b->control)
		zmq_close(b->control);
	if (b->zap)
		zmq_close(b->zap);
	if (b->own_ctx)
		zmq_ctx_term(b->zctx);
	store_close(b->store);
	broker_dispatch_finish(b);
	broker_feed_finish(b);
	broker_capacity_finish(b);
	broker_board_finish(b);
	data_free(b->data);
	flow_set_free(b->flows);
	for (size_t i = 0; i < b->n_tickets; i++) {
		if (b->tickets[i] != NULL)
			broker_track_drop(b->tickets[i]);
		free(b->tickets[i]);
	}
	free(b->tickets);
	for (size_t i = 0; i < b->n_trucks; i++)
		free(b->trucks[i]);
	free(b->trucks);
	for (size_t i = 0; i < b->n_warns; i++)
		free(b->warns[i]);
	free(b->warns);
	broker_emit_finish(b);
	broker_watch_finish(b);
	hmap_destroy(b->truck_by_id);
	broker_complaints_finish(b);
	broker_tell_finish(b);
	broker_warn_finish(b);
	broker_survey_finish(b);
	broker_vnum_finish(b);
	geo_index_destroy(b->geo);
	proto_buf_finish(&b->buf);
	free(b->api);
	free(b->pub_ep);
	free(b->feed_ep);
	free(b->db_path);
	free(b->data_dir);
	free(b->control_ep);
	free(b->users_path);
	broker_auth_finish(b);
	free(b);
}
