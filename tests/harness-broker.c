/* harness-broker.c: the broker-in-a-thread harness of check-broker.c and check-offer.c. */
#include "harness-broker.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include "util.h"

/* ---------------------------------------------------------------- main and directories */

int
harness_broker_main(Suite *s, char *base_dir)
{
	SRunner *sr = srunner_create(s);
	int failed;

	if (mkdtemp(base_dir) == NULL) {
		perror(base_dir);
		srunner_free(sr);
		return EXIT_FAILURE;
	}
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	rd_remove_tree(base_dir);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

TCase *
harness_broker_tcase(Suite *s, const char *name, void (*setup)(void), void (*teardown)(void))
{
	TCase *tc = tcase_create(name);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, HARNESS_BROKER_TCASE_TIMEOUT_S);
	suite_add_tcase(s, tc);
	return tc;
}

void
harness_broker_setup(struct harness_broker *h, const struct harness_broker_opts *o)
{
	memset(h, 0, sizeof *h);
	h->o = *o;
	snprintf(h->dir, sizeof h->dir, "%s/tXXXXXX", o->base_dir);
	ck_assert_ptr_nonnull(mkdtemp(h->dir));
	snprintf(h->api, sizeof h->api, "ipc://%s/api", h->dir);
	snprintf(h->pub, sizeof h->pub, "ipc://%s/pub", h->dir);
	snprintf(h->feed, sizeof h->feed, "ipc://%s/feed", h->dir);
	snprintf(h->db, sizeof h->db, "%s/rescuedesk.db", h->dir);
	snprintf(h->control, sizeof h->control, "inproc://step-%s-0", h->dir);
	if (getenv(o->log_env) != NULL)
		log_set(stderr, LOG_DEBUG);
	h->ctx = zmq_ctx_new();
	ck_assert_ptr_nonnull(h->ctx);
}

void
harness_broker_teardown(struct harness_broker *h)
{
	harness_broker_clients_close(h);
	harness_broker_stop(h);
	if (h->ctx)
		zmq_ctx_term(h->ctx);
	h->ctx = NULL;
	rd_remove_tree(h->dir);
}

/* ---------------------------------------------------------------- broker and clients */

static void *
run_broker(void *arg)
{
	struct harness_broker *h = arg;
	h->run_rc = broker_run(h->b, &h->stop);
	return NULL;
}

void
harness_broker_start(struct harness_broker *h, const char *data_dir)
{
	struct broker_opts o = {
		.api = h->api, .pub = h->pub, .feed = h->feed, .db = h->db,
		.data_dir = data_dir, .sync = STORE_SYNC_NORMAL, .time_scale = 1,
		.clock = BROKER_CLOCK_MANUAL, .control = h->control,
		.clock_start = HARNESS_BROKER_T0, .tell_command = h->o.tell_command,
		.retention_days = h->o.retention_days,
	};
	char *cause = NULL;

	/* a name of its own each start: the last broker's control socket may still be
	 * closing in zmq's background thread, its inproc name not yet free */
	snprintf(h->control, sizeof h->control, "inproc://step-%s-%u", h->dir, ++h->starts);
	if (h->curve) {
		o.users = h->users_path;
		o.key = h->key_path;
	}
	h->b = broker_create(h->ctx, &o, &cause);
	ck_assert_msg(h->b != NULL, "broker_create: %s", cause);
	h->step = harness_broker_socket(h, ZMQ_PAIR, h->control);
	h->stop = 0;
	ck_assert_int_eq(pthread_create(&h->thread, NULL, run_broker, h), 0);
	h->running = true;
	harness_broker_step(h, 0);
}

void
harness_broker_set_users(struct harness_broker *h, const char *text)
{
	char *cause = NULL;
	FILE *f;

	if (!h->curve) {
		snprintf(h->users_path, sizeof h->users_path, "%s/users.ini", h->dir);
		snprintf(h->key_path, sizeof h->key_path, "%s/broker.key", h->dir);
		ck_assert_msg(broker_keygen(h->key_path, h->server_pub, &cause) == 0, "%s", cause);
		h->curve = true;
	}
	ck_assert_ptr_nonnull(f = fopen(h->users_path, "w"));
	fputs(text, f);
	ck_assert_int_eq(fclose(f), 0);
}

void
harness_broker_keypair(char *pub, char *sec)
{
	ck_assert_int_eq(zmq_curve_keypair(pub, sec), 0);
}

int
harness_broker_reload(struct harness_broker *h)
{
	return broker_control_reload(h->step, HARNESS_BROKER_WAIT_MS);
}

int64_t
harness_broker_step(struct harness_broker *h, int64_t ms)
{
	int64_t now = broker_step(h->step, ms, HARNESS_BROKER_WAIT_MS);
	ck_assert_msg(now > 0, "the broker did not take a step of %lld ms", (long long)ms);
	ck_assert_int_ge(now, h->now + ms);
	h->now = now;
	return now;
}

void
harness_broker_halt(struct harness_broker *h)
{
	if (!h->running)
		return;
	int64_t zero = 0;
	h->stop = 1;
	/* a step wakes the loop, which then sees stop (else it looks every 100 ms); if the
	 * loop is gone already, the step stays unread */
	zmq_send(h->step, &zero, sizeof zero, ZMQ_DONTWAIT);
	pthread_join(h->thread, NULL);
	h->running = false;
	zmq_close(h->step);
	h->step = NULL;
	ck_assert_int_eq(h->run_rc, 0);
}

void
harness_broker_stop(struct harness_broker *h)
{
	harness_broker_halt(h);
	broker_destroy(h->b);
	h->b = NULL;
}

void *
harness_broker_socket(struct harness_broker *h, int type, const char *ep)
{
	void *s = zmq_socket(h->ctx, type);
	int zero = 0;

	ck_assert_ptr_nonnull(s);
	zmq_setsockopt(s, ZMQ_LINGER, &zero, sizeof zero);
	if (type == ZMQ_SUB)
		zmq_setsockopt(s, ZMQ_SUBSCRIBE, "", 0);
	ck_assert_int_eq(zmq_connect(s, ep), 0);
	return s;
}

void *
harness_broker_curve_socket(struct harness_broker *h, int type, const char *ep,
    const char *pub, const char *sec)
{
	void *s = zmq_socket(h->ctx, type);
	int zero = 0;

	ck_assert_ptr_nonnull(s);
	zmq_setsockopt(s, ZMQ_LINGER, &zero, sizeof zero);
	if (type == ZMQ_SUB)
		zmq_setsockopt(s, ZMQ_SUBSCRIBE, "", 0);
	if (pub != NULL) {
		ck_assert_int_eq(zmq_setsockopt(s, ZMQ_CURVE_SERVERKEY, h->server_pub, 40), 0);
		ck_assert_int_eq(zmq_setsockopt(s, ZMQ_CURVE_PUBLICKEY, pub, 40), 0);
		ck_assert_int_eq(zmq_setsockopt(s, ZMQ_CURVE_SECRETKEY, sec, 40), 0);
	}
	ck_assert_int_eq(zmq_connect(s, ep), 0);
	return s;
}

void
harness_broker_clients_open_as(struct harness_broker *h, const char *pub, const char *sec)
{
	h->dealer = harness_broker_curve_socket(h, ZMQ_DEALER, h->api, pub, sec);
	h->sub = harness_broker_curve_socket(h, ZMQ_SUB, h->pub, pub, sec);
	h->push = harness_broker_curve_socket(h, ZMQ_PUSH, h->feed, pub, sec);
	h->synced = false;
}

void
harness_broker_clients_open(struct harness_broker *h)
{
	h->dealer = harness_broker_socket(h, ZMQ_DEALER, h->api);
	h->sub = harness_broker_socket(h, ZMQ_SUB, h->pub);
	h->push = harness_broker_socket(h, ZMQ_PUSH, h->feed);
	h->synced = false;
}

void
harness_broker_clients_close(struct harness_broker *h)
{
	if (h->dealer)
		zmq_close(h->dealer);
	if (h->sub)
		zmq_close(h->sub);
	if (h->push)
		zmq_close(h->push);
	h->dealer = h->sub = h->push = NULL;
}

void
harness_broker_restart(struct harness_broker *h, const char *data_dir)
{
	harness_broker_clients_close(h);
	harness_broker_stop(h);
	h->now = 0;
	harness_broker_start(h, data_dir);
	harness_broker_clients_open(h);
	harness_broker_sub_sync(h);
}

bool
harness_broker_wait_in(void *s, int64_t until)
{
	for (;;) {
		zmq_pollitem_t it = { s, 0, ZMQ_POLLIN, 0 };
		int64_t left = until - rd_mono_ms();
		if (left < 0)
			left = 0;
		int r = zmq_poll(&it, 1, (long)left);
		if (r > 0)
			return true;
		if (r == 0 || left == 0)
			return false;
	}
}

/* ---------------------------------------------------------------- the SUB side */

bool
harness_broker_next_pub(struct harness_broker *h, struct proto_pub *p, int64_t until)
{
	zmq_msg_t topic, body;
	struct proto_error err;

	if (!harness_broker_wait_in(h->sub, until))
		return false;
	zmq_msg_init(&topic);
	zmq_msg_init(&body);
	ck_assert_int_ge(zmq_msg_recv(&topic, h->sub, ZMQ_DONTWAIT), 0);
	ck_assert_msg(zmq_msg_more(&topic), "a published message has two frames");
	ck_assert_int_ge(zmq_msg_recv(&body, h->sub, 0), 0);
	if (h->o.strict)
		ck_assert(!zmq_msg_more(&body));
	if (h->frame_seen != NULL) {
		h->frame_seen(h->frame_arg, zmq_msg_data(&topic), zmq_msg_size(&topic));
		h->frame_seen(h->frame_arg, zmq_msg_data(&body), zmq_msg_size(&body));
	}
	int r = proto_decode_pub(zmq_msg_data(&topic), zmq_msg_size(&topic), zmq_msg_data(&body),
	    zmq_msg_size(&body), p, &err);
	ck_assert_msg(r == 0, "undecodable %.*s message: %s", (int)zmq_msg_size(&topic),
	    (const char *)zmq_msg_data(&topic), err.message);
	zmq_msg_close(&topic);
	zmq_msg_close(&body);

	if (!h->synced)
		return true;
	ck_assert_int_eq(p->epoch, h->epoch);
	switch (p->topic) {
	case PROTO_TOPIC_TICKET:
	case PROTO_TOPIC_TRUCK:
	case PROTO_TOPIC_WARNING:
	case PROTO_TOPIC_COMPLAINT: {
		/* the harness's streams are numbered as the stream table's */
		int s = (int)p->topic;
		int64_t ver = proto_entity_ver((enum proto_stream)s, &p->u);
		ck_assert_msg(p->seq == h->last[s] + 1, "stream %d: seq %lld after %lld", s,
		    (long long)p->seq, (long long)h->last[s]);
		if (h->o.strict)
			ck_assert_int_eq(ver, p->seq);
		h->last[s] = p->seq;
		break;
	}
	case PROTO_TOPIC_HB:
		ck_assert_int_eq(p->u.hb.seq, h->last_hb + 1);
		ck_assert_int_eq(p->u.hb.seq_ticket, h->last[HARNESS_BROKER_TICKET]);
		ck_assert_int_eq(p->u.hb.seq_truck, h->last[HARNESS_BROKER_TRUCK]);
		ck_assert_int_eq(p->u.hb.seq_warning, h->last[HARNESS_BROKER_WARNING]);
		ck_assert_int_eq(p->u.hb.seq_complaint, h->last[HARNESS_BROKER_COMPLAINT]);
		if (h->o.strict)
			ck_assert_int_eq(p->u.hb.time_scale, 1);
		h->last_hb = p->u.hb.seq;
		h->hb = p->u.hb;
		break;
	case PROTO_TOPIC_MESSAGE: /* lossy, counted by its own seq: nothing to check here */
		break;
	case PROTO_TOPIC_COUNT:
		ck_abort_msg("no such topic");
	}
	return true;
}

void
harness_broker_sub_sync(struct harness_broker *h)
{
	struct proto_pub p;
	int64_t until = rd_mono_ms() + HARNESS_BROKER_WAIT_MS;

	/* The SUB may not be connected yet when the broker sends its first heartbeat, and the
	 * next one is a second away: a step of 0 is followed by one at once. */
	h->synced = false;
	for (;;) {
		ck_assert_msg(rd_mono_ms() < until, "no heartbeat");
		if (!harness_broker_next_pub(h, &p, rd_mono_ms() + 20)) {
			harness_broker_step(h, 0);
			continue;
		}
		if (p.topic == PROTO_TOPIC_HB)
			break;
	}
	h->epoch = p.epoch;
	h->last[HARNESS_BROKER_TICKET] = p.u.hb.seq_ticket;
	h->last[HARNESS_BROKER_TRUCK] = p.u.hb.seq_truck;
	h->last[HARNESS_BROKER_WARNING] = p.u.hb.seq_warning;
	h->last[HARNESS_BROKER_COMPLAINT] = p.u.hb.seq_complaint;
	h->last_hb = p.u.hb.seq;
	h->hb = p.u.hb;
	h->synced = true;
}

/* ---------------------------------------------------------------- the PUSH side */

void
harness_broker_push_feed(struct harness_broker *h, enum proto_msg_id type, const void *msg)
{
	struct proto_buf b;

	proto_buf_init(&b);
	proto_encode_feed(&b, type, msg);
	ck_assert_int_eq(zmq_send(h->push, b.data, b.len, 0), (int)b.len);
	proto_buf_finish(&b);
}

/* ---------------------------------------------------------------- the DEALER side */

void
harness_broker_exchange(struct harness_broker *h, const void *frame, size_t len,
    struct proto_buf *raw)
{
	zmq_msg_t m;

	ck_assert_int_eq(zmq_send(h->dealer, frame, len, 0), (int)len);
	ck_assert_msg(harness_broker_wait_in(h->dealer, rd_mono_ms() + HARNESS_BROKER_WAIT_MS),
	    "no reply");
	zmq_msg_init(&m);
	ck_assert_int_ge(zmq_msg_recv(&m, h->dealer, 0), 0);
	if (h->o.strict)
		ck_assert(!zmq_msg_more(&m));
	if (h->frame_seen != NULL)
		h->frame_seen(h->frame_arg, zmq_msg_data(&m), zmq_msg_size(&m));
	proto_buf_reset(raw);
	proto_pack_raw(raw, zmq_msg_data(&m), zmq_msg_size(&m));
	zmq_msg_close(&m);
}

void
harness_broker_call_raw(struct harness_broker *h, const void *frame, size_t len,
    struct proto_reply *r)
{
	struct proto_buf raw;
	struct proto_error err;

	proto_buf_init(&raw);
	harness_broker_exchange(h, frame, len, &raw);
	ck_assert_msg(proto_decode_reply(raw.data, raw.len, r, &err) == 0, "bad reply: %s",
	    err.message);
	proto_buf_finish(&raw);
}

void
harness_broker_call_as(struct harness_broker *h, const char *user, enum proto_msg_id op,
    const void *args, struct proto_reply *r)
{
	struct proto_buf b;
	char cmd[32];

	snprintf(cmd, sizeof cmd, "%s-%d", h->o.cmd_prefix, ++h->cmd_seq);
	proto_buf_init(&b);
	proto_encode_request(&b, op, cmd, user, args);
	harness_broker_call_raw(h, b.data, b.len, r);
	proto_buf_finish(&b);
	ck_assert_str_eq(r->cmd_id, cmd);
	if (h->o.strict)
		ck_assert_int_eq(r->op_id, op);
}

struct proto_ticket
harness_broker_ok(struct harness_broker *h, const char *user, enum proto_msg_id op,
    const void *args)
{
	struct proto_reply r;
	struct proto_ticket t;

	harness_broker_call_as(h, user, op, args, &r);
	ck_assert_msg(r.ok, "%s refused: %s: %s", proto_descs[op].wire,
	    proto_err_name(r.error.code), r.error.message);
	t = r.ticket;
	proto_reply_finish(&r);
	return t;
}

void
harness_broker_fail(struct harness_broker *h, const char *user, enum proto_msg_id op,
    const void *args, enum proto_err code, const char *msg)
{
	struct proto_reply r;

	harness_broker_call_as(h, user, op, args, &r);
	ck_assert_msg(!r.ok, "%s accepted, expected %s", proto_descs[op].wire,
	    proto_err_name(code));
	ck_assert_msg(r.error.code == code, "%s: %s '%s', expected %s", proto_descs[op].wire,
	    proto_err_name(r.error.code), r.error.message, proto_err_name(code));
	ck_assert_msg(strstr(r.error.message, msg) != NULL, "'%s' lacks '%s'", r.error.message,
	    msg);
	proto_reply_finish(&r);
}
