/* broker.c: rescuedeskd's loop: sockets, the batch transaction, publishing, snapshots,
 * heartbeats, checkpoints. The request handlers live in broker-ops.c. */
#include "broker-int.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include "endpoints.h"
#include "util.h"

#define BATCH_MAX 512          /* requests handled per turn, one commit */
#define FEED_MAX 20000         /* feed messages drained per turn */
#define HB_MS 1000             /* heartbeat period, real time */
#define TICK_MS 500            /* dispatch and monitoring period, real time */
#define POS_MS 200             /* truck position publication period, real time */
#define OUTQ_GIVEUP_MS 30000   /* drop a snapshot a client does not read */
#define EXPIRE_MS 600000       /* reply cache entries older than this go */

static long
tick_ms(const struct broker *b)
{
	return b->opts.tick_ms > 0 ? b->opts.tick_ms : TICK_MS;
}

int64_t
broker_now(const struct broker *b)
{
	int64_t el = rd_mono_ms() - b->t0_mono;
	return b->t0_broker + (int64_t)((double)el * b->opts.time_scale);
}

bool
broker_txn(struct broker *b)
{
	if (b->fatal)
		return false;
	if (b->in_txn)
		return true;
	if (store_begin(b->store) < 0) {
		log_error("store: %s", store_errmsg(b->store));
		b->fatal = true;
		return false;
	}
	b->in_txn = true;
	return true;
}

static void
queue_pub(struct broker *b, enum proto_msg_id topic, struct proto_buf *body)
{
	if (b->n_pubs == b->cap_pubs) {
		b->cap_pubs = b->cap_pubs ? b->cap_pubs * 2 : 64;
		b->pubs = xreallocarray(b->pubs, b->cap_pubs, sizeof *b->pubs);
	}
	struct pubq *p = &b->pubs[b->n_pubs++];
	p->topic = topic;
	p->body = proto_buf_take(body, &p->len);
}

/* Append the event (body = entity map) and queue its publication under seq. */
static void
emit(struct broker *b, enum proto_msg_id topic, const char *entity, const char *kind,
    const char *user, const char *detail, int64_t seq, const struct proto_buf *blob)
{
	if (!broker_txn(b))
		return;
	struct store_event ev = {
		.ts = broker_now(b), .stream = proto_topic_name(topic), .entity = entity,
		.kind = kind, .user = user ? user : "", .detail = detail ? detail : "",
		.body = blob->data, .body_len = blob->len,
	};
	if (store_event_append(b->store, &ev) < 0) {
		log_error("store: %s", store_errmsg(b->store));
		b->fatal = true;
		return;
	}
	b->events_since_checkpoint++;
	struct proto_buf pb;
	proto_buf_init(&pb);
	proto_pack_map(&pb, 5);
	proto_pack_str(&pb, "v");
	proto_pack_i64(&pb, PROTO_VERSION);
	proto_pack_str(&pb, "epoch");
	proto_pack_i64(&pb, b->epoch);
	proto_pack_str(&pb, "seq");
	proto_pack_i64(&pb, seq);
	proto_pack_str(&pb, "ts");
	proto_pack_i64(&pb, ev.ts);
	proto_pack_str(&pb, proto_topic_name(topic));
	proto_pack_raw(&pb, blob->data, blob->len);
	queue_pub(b, topic, &pb);
	proto_buf_finish(&pb);
}

void
broker_pack_ticket(const struct bticket *t, struct proto_buf *out)
{
	proto_pack_obj(out, PROTO_MSG_ticket, &t->w, 0);
}

void
broker_emit_ticket(struct broker *b, struct bticket *t, const char *kind, const char *user,
    const char *detail)
{
	char id[24];
	struct proto_buf blob;
	t->w.ver = ++b->seq[STREAM_TICKET];
	t->w.updated = broker_now(b);
	PROTO_SET(&t->w, ticket, ver);
	PROTO_SET(&t->w, ticket, updated);
	proto_buf_init(&blob);
	broker_pack_ticket(t, &blob);
	snprintf(id, sizeof id, "%" PRId64, t->w.id);
	emit(b, PROTO_MSG_ticket, id, kind, user, detail, t->w.ver, &blob);
	proto_buf_finish(&blob);
}

void
broker_emit_truck(struct broker *b, struct btruck *k, const char *kind, const char *user,
    const char *detail)
{
	struct proto_buf blob;
	k->w.ver = ++b->seq[STREAM_TRUCK];
	k->w.updated = broker_now(b);
	PROTO_SET(&k->w, truck, ver);
	PROTO_SET(&k->w, truck, updated);
	k->pos_dirty = false;
	proto_buf_init(&blob);
	proto_pack_obj(&blob, PROTO_MSG_truck, &k->w, 0);
	emit(b, PROTO_MSG_truck, k->w.id, kind, user, detail, k->w.ver, &blob);
	proto_buf_finish(&blob);
}

void
broker_emit_warning(struct broker *b, struct bwarn *w, const char *kind)
{
	char id[24];
	struct proto_buf blob;
	w->w.ver = ++b->seq[STREAM_WARNING];
	PROTO_SET(&w->w, warning, ver);
	proto_buf_init(&blob);
	proto_pack_obj(&blob, PROTO_MSG_warning, &w->w, 0);
	snprintf(id, sizeof id, "%" PRId64, w->w.id);
	emit(b, PROTO_MSG_warning, id, kind, "", w->w.text, w->w.ver, &blob);
	proto_buf_finish(&blob);
}

/* Publish a truck's new position without writing the log: positions are telemetry,
 * latest-wins, and saved at checkpoints. */
static void
publish_position(struct broker *b, struct btruck *k)
{
	struct proto_buf pb;
	k->w.ver = ++b->seq[STREAM_TRUCK];
	PROTO_SET(&k->w, truck, ver);
	k->pos_dirty = false;
	proto_buf_init(&pb);
	proto_encode_pub(&pb, PROTO_MSG_truck, b->epoch, k->w.ver, broker_now(b), &k->w);
	queue_pub(b, PROTO_MSG_truck, &pb);
	proto_buf_finish(&pb);
}

static void
flush_pubs(struct broker *b)
{
	for (size_t i = 0; i < b->n_pubs; i++) {
		struct pubq *p = &b->pubs[i];
		const char *topic = proto_topic_name(p->topic);
		/* PUB never blocks: a subscriber past its high-water mark loses messages and
		 * sees the gap in seq. */
		if (zmq_send(b->pub, topic, strlen(topic), ZMQ_SNDMORE | ZMQ_DONTWAIT) >= 0 &&
		    zmq_send(b->pub, p->body, p->len, ZMQ_DONTWAIT) >= 0)
			b->st.published++;
		free(p->body);
	}
	b->n_pubs = 0;
}

static void
outq_free(struct outq *q)
{
	for (size_t i = 0; i < q->n; i++)
		free(q->frames[i]);
	free(q->frames);
	free(q->lens);
	free(q);
}

static struct outq *
outq_new(const unsigned char *rid, size_t rid_len, bool delim)
{
	struct outq *q = xcalloc(1, sizeof *q);
	if (rid_len > sizeof q->rid)
		rid_len = sizeof q->rid;
	memcpy(q->rid, rid, rid_len);
	q->rid_len = rid_len;
	q->delim = delim;
	q->started = rd_mono_ms();
	return q;
}

static void
outq_add(struct outq *q, char *frame, size_t len)
{
	q->frames = xreallocarray(q->frames, q->n + 1, sizeof *q->frames);
	q->lens = xreallocarray(q->lens, q->n + 1, sizeof *q->lens);
	q->frames[q->n] = frame;
	q->lens[q->n] = len;
	q->n++;
}

static void
outq_push(struct broker *b, struct outq *q)
{
	if (b->out_tail)
		b->out_tail->next = q;
	else
		b->out_head = q;
	b->out_tail = q;
}

void
broker_reply(struct broker *b, const unsigned char *rid, size_t rid_len, bool delim,
    const char *body, size_t len)
{
	struct outq *q = outq_new(rid, rid_len, delim);
	char *copy = xmalloc(len ? len : 1);
	memcpy(copy, body, len);
	outq_add(q, copy, len);
	outq_push(b, q);
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
			if (zmq_send(b->router, q->rid, q->rid_len, ZMQ_SNDMORE | ZMQ_DONTWAIT) < 0) {
				if (errno != EAGAIN)
					drop = true;
				break;
			}
			if (q->delim)
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
			outq_free(q);
			continue;
		}
		b->out_tail = q;
		pp = &q->next;
	}
}

static bool
snapshot_keeps(const struct broker *b, const struct bticket *t, int64_t now)
{
	if (!ticket_state_final(t->state))
		return true;
	return now - t->w.t_closed <= (int64_t)b->opts.keep_closed_min * 60000;
}

/* Encode the whole live state now (so every part is consistent with the same seqs) and
 * queue it as parts for the client. */
static void
send_snapshot(struct broker *b, const struct proto_request *req, const unsigned char *rid,
    size_t rid_len, bool delim)
{
	int64_t now = broker_now(b);
	size_t chunk = PROTO_HAS(&req->args.snapshot, snapshot, chunk) ?
	    (size_t)req->args.snapshot.chunk : 1000;
	size_t nt = 0, nk = b->n_trucks, nw = b->n_warns_active;
	struct bticket **list = xcalloc(b->n_tickets + 1, sizeof *list);
	struct bwarn **wl = xcalloc(nw + 1, sizeof *wl);

	for (size_t i = 0; i < b->n_tickets; i++)
		if (b->tickets[i] && snapshot_keeps(b, b->tickets[i], now))
			list[nt++] = b->tickets[i];
	nw = 0;
	for (size_t i = 0; i < b->n_warns; i++)
		if (b->warns[i] && !b->warns[i]->w.cleared)
			wl[nw++] = b->warns[i];
	size_t total = nt + nk + nw;
	size_t parts = total == 0 ? 1 : (total + chunk - 1) / chunk;
	struct outq *q = outq_new(rid, rid_len, delim);
	size_t ti = 0, ki = 0, wi = 0;
	struct proto_buf pb;
	proto_buf_init(&pb);
	for (size_t part = 1; part <= parts; part++) {
		size_t room = chunk;
		size_t t_n = nt - ti < room ? nt - ti : room;
		room -= t_n;
		size_t k_n = nk - ki < room ? nk - ki : room;
		room -= k_n;
		size_t w_n = nw - wi < room ? nw - wi : room;
		proto_encode_reply_ok(&pb, req->cmd_id, "snapshot");
		proto_pack_map(&pb, 12);
		proto_pack_str(&pb, "epoch");
		proto_pack_i64(&pb, b->epoch);
		proto_pack_str(&pb, "seq_ticket");
		proto_pack_i64(&pb, b->seq[STREAM_TICKET]);
		proto_pack_str(&pb, "seq_truck");
		proto_pack_i64(&pb, b->seq[STREAM_TRUCK]);
		proto_pack_str(&pb, "seq_warning");
		proto_pack_i64(&pb, b->seq[STREAM_WARNING]);
		proto_pack_str(&pb, "part");
		proto_pack_i64(&pb, (int64_t)part);
		proto_pack_str(&pb, "parts");
		proto_pack_i64(&pb, (int64_t)parts);
		proto_pack_str(&pb, "total_tickets");
		proto_pack_i64(&pb, (int64_t)nt);
		proto_pack_str(&pb, "total_trucks");
		proto_pack_i64(&pb, (int64_t)nk);
		proto_pack_str(&pb, "total_warnings");
		proto_pack_i64(&pb, (int64_t)nw);
		proto_pack_str(&pb, "tickets");
		proto_pack_array(&pb, (uint32_t)t_n);
		for (size_t i = 0; i < t_n; i++)
			broker_pack_ticket(list[ti++], &pb);
		proto_pack_str(&pb, "trucks");
		proto_pack_array(&pb, (uint32_t)k_n);
		for (size_t i = 0; i < k_n; i++)
			proto_pack_obj(&pb, PROTO_MSG_truck, &b->trucks[ki++]->w, 0);
		proto_pack_str(&pb, "warnings");
		proto_pack_array(&pb, (uint32_t)w_n);
		for (size_t i = 0; i < w_n; i++)
			proto_pack_obj(&pb, PROTO_MSG_warning, &wl[wi++]->w, 0);
		size_t len;
		char *frame = proto_buf_take(&pb, &len);
		outq_add(q, frame, len);
	}
	proto_buf_finish(&pb);
	free(list);
	free(wl);
	outq_push(b, q);
}

static void
send_hb(struct broker *b)
{
	struct proto_hb hb = {
		.v = PROTO_VERSION, .epoch = b->epoch, .seq = ++b->hb_seq, .ts = broker_now(b),
		.seq_ticket = b->seq[STREAM_TICKET], .seq_truck = b->seq[STREAM_TRUCK],
		.seq_warning = b->seq[STREAM_WARNING], .time_scale = (int64_t)b->opts.time_scale,
		.present = PROTO_ALL,
	};
	if (hb.time_scale < 1)
		hb.time_scale = 1;
	proto_buf_reset(&b->buf);
	proto_pack_obj(&b->buf, PROTO_MSG_hb, &hb, 0);
	if (zmq_send(b->pub, "hb", 2, ZMQ_SNDMORE | ZMQ_DONTWAIT) >= 0)
		zmq_send(b->pub, b->buf.data, b->buf.len, ZMQ_DONTWAIT);
}

/* Read one multipart message from the ROUTER: envelope frames, then the body. Returns the
 * body length or -1 when nothing is waiting. */
static int
recv_request(struct broker *b, unsigned char *rid, size_t *rid_len, bool *delim, zmq_msg_t *body)
{
	zmq_msg_t part;
	int more = 0, nparts = 0;
	size_t more_sz = sizeof more;

	*rid_len = 0;
	*delim = false;
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
			if (n > 256)
				n = 256;
			memcpy(rid, zmq_msg_data(&part), n);
			*rid_len = n;
			zmq_msg_close(&part);
		} else if (more) {
			if (zmq_msg_size(&part) == 0)
				*delim = true;
			zmq_msg_close(&part);
		} else {
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
	unsigned char rid[256];
	size_t rid_len;
	bool delim;
	zmq_msg_t body;
	struct proto_request req;
	struct proto_error err;

	for (int i = 0; i < BATCH_MAX && !b->fatal; i++) {
		if (recv_request(b, rid, &rid_len, &delim, &body) < 0) {
			zmq_msg_close(&body);
			break;
		}
		b->st.requests++;
		proto_buf_reset(&b->buf);
		if (proto_decode_request(zmq_msg_data(&body), zmq_msg_size(&body), &req, &err) < 0) {
			b->st.bad_requests++;
			log_debug("bad request: %s", err.message);
			proto_encode_reply_error(&b->buf, req.cmd_id,
			    req.op >= 0 ? proto_descs[req.op].wire : "", err.code, err.message);
			broker_reply(b, rid, rid_len, delim, b->buf.data, b->buf.len);
		} else if (req.op == PROTO_MSG_snapshot) {
			send_snapshot(b, &req, rid, rid_len, delim);
		} else {
			broker_handle(b, &req, &b->buf, rid, rid_len, delim);
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
		if (!more && proto_decode_feed(zmq_msg_data(&m), zmq_msg_size(&m), &f, &err) == 0) {
			broker_handle_feed(b, &f);
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
	char id[24];
	struct proto_buf pb;
	int rc = -1;

	proto_buf_init(&pb);
	if (store_begin(b->store) < 0 || store_checkpoint_begin(b->store) < 0)
		goto out;
	for (size_t i = 0; i < b->n_tickets; i++) {
		struct bticket *t = b->tickets[i];
		if (t == NULL)
			continue;
		proto_buf_reset(&pb);
		broker_pack_ticket(t, &pb);
		snprintf(id, sizeof id, "%" PRId64, t->w.id);
		if (store_checkpoint_put(b->store, "ticket", id, pb.data, pb.len) < 0)
			goto out;
	}
	for (size_t i = 0; i < b->n_trucks; i++) {
		proto_buf_reset(&pb);
		proto_pack_obj(&pb, PROTO_MSG_truck, &b->trucks[i]->w, 0);
		if (store_checkpoint_put(b->store, "truck", b->trucks[i]->w.id, pb.data, pb.len) < 0)
			goto out;
	}
	for (size_t i = 0; i < b->n_warns; i++) {
		if (b->warns[i] == NULL)
			continue;
		proto_buf_reset(&pb);
		proto_pack_obj(&pb, PROTO_MSG_warning, &b->warns[i]->w, 0);
		snprintf(id, sizeof id, "%" PRId64, b->warns[i]->w.id);
		if (store_checkpoint_put(b->store, "warning", id, pb.data, pb.len) < 0)
			goto out;
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

static int
load_cb(void *vctx, const char *stream, const char *entity, const void *body, size_t len)
{
	struct load_ctx *lc = vctx;
	struct broker *b = lc->b;
	struct proto_error err;
	(void)entity;

	if (strcmp(stream, "ticket") == 0) {
		struct bticket *t = xcalloc(1, sizeof *t);
		if (proto_decode_msg(body, len, PROTO_MSG_ticket, &t->w, &err) < 0) {
			free(t);
			xasprintf(&lc->cause, "stored ticket %s: %s", entity, err.message);
			return -1;
		}
		if (t->w.updated > lc->max_ts)
			lc->max_ts = t->w.updated;
		broker_ticket_put(b, t);
	} else if (strcmp(stream, "truck") == 0) {
		struct proto_truck w;
		if (proto_decode_msg(body, len, PROTO_MSG_truck, &w, &err) < 0) {
			xasprintf(&lc->cause, "stored truck %s: %s", entity, err.message);
			return -1;
		}
		if (w.updated > lc->max_ts)
			lc->max_ts = w.updated;
		struct btruck *k = hmap_get(b->truck_by_id, w.id);
		if (k == NULL)
			broker_truck_add(b, &w);
		else
			k->w = w;
	} else if (strcmp(stream, "warning") == 0) {
		struct bwarn *w = xcalloc(1, sizeof *w);
		if (proto_decode_msg(body, len, PROTO_MSG_warning, &w->w, &err) < 0) {
			free(w);
			xasprintf(&lc->cause, "stored warning %s: %s", entity, err.message);
			return -1;
		}
		if (w->w.ts > lc->max_ts)
			lc->max_ts = w->w.ts;
		size_t idx = (size_t)w->w.id - 1;
		if (idx >= b->cap_warns) {
			size_t cap = b->cap_warns ? b->cap_warns : 256;
			while (cap <= idx)
				cap *= 2;
			b->warns = xreallocarray(b->warns, cap, sizeof *b->warns);
			memset(b->warns + b->cap_warns, 0, (cap - b->cap_warns) * sizeof *b->warns);
			b->cap_warns = cap;
		}
		free(b->warns[idx]);
		b->warns[idx] = w;
		if (idx + 1 > b->n_warns)
			b->n_warns = idx + 1;
	}
	return 0;
}

static void *
bind_socket(struct broker *b, int type, const char *ep, char **cause)
{
	void *s = zmq_socket(b->zctx, type);
	int linger = 0, hwm = 100000, one = 1;
	int hb_ivl = 1000, hb_timeout = 3000;
	/* Frames up to 16 times the request limit reach the decoder, which answers too_large;
	 * beyond that libzmq drops the connection without a reply. */
	int64_t maxmsg = (int64_t)PROTO_MAX_REQUEST * 16;

	if (s == NULL) {
		xasprintf(cause, "zmq_socket: %s", zmq_strerror(errno));
		return NULL;
	}
	zmq_setsockopt(s, ZMQ_LINGER, &linger, sizeof linger);
	zmq_setsockopt(s, ZMQ_HEARTBEAT_IVL, &hb_ivl, sizeof hb_ivl);
	zmq_setsockopt(s, ZMQ_HEARTBEAT_TIMEOUT, &hb_timeout, sizeof hb_timeout);
	if (type == ZMQ_ROUTER || type == ZMQ_PULL)
		zmq_setsockopt(s, ZMQ_MAXMSGSIZE, &maxmsg, sizeof maxmsg);
	if (type == ZMQ_ROUTER)
		zmq_setsockopt(s, ZMQ_ROUTER_MANDATORY, &one, sizeof one);
	if (type == ZMQ_PUB || type == ZMQ_ROUTER)
		zmq_setsockopt(s, ZMQ_SNDHWM, &hwm, sizeof hwm);
	if (type == ZMQ_PULL)
		zmq_setsockopt(s, ZMQ_RCVHWM, &hwm, sizeof hwm);
	if (zmq_bind(s, ep) < 0) {
		xasprintf(cause, "cannot bind %s: %s", ep, zmq_strerror(errno));
		zmq_close(s);
		return NULL;
	}
	return s;
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

	if ((b->data = data_load(b->data_dir, &why)) == NULL) {
		xasprintf(cause, "data: %s", why);
		goto fail;
	}
	broker_dispatch_init(b);
	if ((b->store = store_open(b->db_path, opts->sync, &why)) == NULL) {
		xasprintf(cause, "store %s: %s", b->db_path, why);
		goto fail;
	}
	struct load_ctx lc = { .b = b };
	int64_t replayed = 0;
	if (store_load(b->store, load_cb, &lc, &replayed) < 0) {
		xasprintf(cause, "loading %s: %s", b->db_path,
		    lc.cause ? lc.cause : store_errmsg(b->store));
		free(lc.cause);
		goto fail;
	}
	broker_relink(b);
	b->st.replayed_at_start = replayed;
	b->epoch = store_meta_get(b->store, "epoch", 0) + 1;
	if (store_begin(b->store) < 0 || store_meta_set(b->store, "epoch", b->epoch) < 0 ||
	    store_commit(b->store) < 0) {
		xasprintf(cause, "store %s: %s", b->db_path, store_errmsg(b->store));
		goto fail;
	}
	if (replayed > 0 && checkpoint(b) < 0) {
		xasprintf(cause, "checkpoint: %s", store_errmsg(b->store));
		goto fail;
	}
	b->t0_mono = rd_mono_ms();
	b->t0_broker = b->opts.clock_start > 0 ? b->opts.clock_start : rd_now_ms();
	if (lc.max_ts >= b->t0_broker)
		b->t0_broker = lc.max_ts + 1; /* time never runs backwards across restarts */

	if (zctx == NULL) {
		b->zctx = zmq_ctx_new();
		b->own_ctx = true;
	} else {
		b->zctx = zctx;
	}
	if ((b->router = bind_socket(b, ZMQ_ROUTER, b->api, cause)) == NULL ||
	    (b->pub = bind_socket(b, ZMQ_PUB, b->pub_ep, cause)) == NULL ||
	    (b->feed = bind_socket(b, ZMQ_PULL, b->feed_ep, cause)) == NULL)
		goto fail;
	log_info("epoch %" PRId64 ", %zu tickets (%zu open), %zu trucks, replayed %" PRId64
	    " events; api %s pub %s feed %s", b->epoch, b->n_tickets, b->n_open, b->n_trucks,
	    replayed, b->api, b->pub_ep, b->feed_ep);
	return b;
fail:
	free(why);
	broker_destroy(b);
	return NULL;
}

static void
commit_batch(struct broker *b)
{
	if (!b->in_txn)
		return;
	b->in_txn = false;
	if (b->fatal || store_commit(b->store) < 0) {
		/* Nothing of this batch was acknowledged or published; what the store holds is
		 * consistent, and a restart continues from it. */
		log_error("store commit failed: %s; stopping", store_errmsg(b->store));
		store_rollback(b->store);
		b->fatal = true;
		return;
	}
	b->st.commits++;
}

int
broker_run(struct broker *b, volatile sig_atomic_t *stop)
{
	zmq_pollitem_t items[] = {
		{ b->router, 0, ZMQ_POLLIN, 0 },
		{ b->feed, 0, ZMQ_POLLIN, 0 },
	};

	b->last_hb = b->last_tick = b->last_pos = b->last_expire = rd_mono_ms();
	send_hb(b);
	while (!*stop && !b->fatal) {
		int64_t now = rd_mono_ms();
		long timeout = HB_MS - (now - b->last_hb);
		if (tick_ms(b) - (now - b->last_tick) < timeout)
			timeout = tick_ms(b) - (now - b->last_tick);
		if (timeout > 100)
			timeout = 100; /* look at *stop often enough */
		if (b->out_head != NULL)
			timeout = 1;
		if (timeout < 0)
			timeout = 0;
		if (zmq_poll(items, 2, timeout) < 0 && errno != EINTR) {
			log_error("zmq_poll: %s", zmq_strerror(errno));
			b->fatal = true;
			break;
		}
		if (items[1].revents & ZMQ_POLLIN)
			handle_feed(b);
		if (items[0].revents & ZMQ_POLLIN)
			handle_requests(b);
		now = rd_mono_ms();
		if (now - b->last_tick >= tick_ms(b)) {
			b->last_tick = now;
			broker_tick(b);
		}
		commit_batch(b);
		if (b->fatal) {
			for (size_t i = 0; i < b->n_pubs; i++)
				free(b->pubs[i].body);
			b->n_pubs = 0;
			break;
		}
		flush_out(b);
		flush_pubs(b);
		if (now - b->last_pos >= POS_MS) {
			b->last_pos = now;
			for (size_t i = 0; i < b->n_trucks; i++)
				if (b->trucks[i]->pos_dirty)
					publish_position(b, b->trucks[i]);
			flush_pubs(b);
		}
		if (now - b->last_hb >= HB_MS) {
			b->last_hb = now;
			send_hb(b);
		}
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
	out->epoch = b->epoch;
}

void
broker_destroy(struct broker *b)
{
	if (b == NULL)
		return;
	if (b->store != NULL && !b->fatal && b->router != NULL)
		checkpoint(b);
	if (b->router)
		zmq_close(b->router);
	if (b->pub)
		zmq_close(b->pub);
	if (b->feed)
		zmq_close(b->feed);
	if (b->own_ctx)
		zmq_ctx_term(b->zctx);
	store_close(b->store);
	broker_dispatch_finish(b);
	data_free(b->data);
	for (size_t i = 0; i < b->n_tickets; i++)
		free(b->tickets[i]);
	free(b->tickets);
	for (size_t i = 0; i < b->n_trucks; i++)
		free(b->trucks[i]);
	free(b->trucks);
	for (size_t i = 0; i < b->n_warns; i++)
		free(b->warns[i]);
	free(b->warns);
	for (size_t i = 0; i < b->n_pubs; i++)
		free(b->pubs[i].body);
	free(b->pubs);
	while (b->out_head) {
		struct outq *q = b->out_head;
		b->out_head = q->next;
		outq_free(q);
	}
	hmap_destroy(b->truck_by_id);
	geo_index_destroy(b->geo);
	proto_buf_finish(&b->buf);
	free(b->api);
	free(b->pub_ep);
	free(b->feed_ep);
	free(b->db_path);
	free(b->data_dir);
	free(b);
}
