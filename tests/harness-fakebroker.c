/* harness-fakebroker.c: the scripted broker of check-rpc.c and check-replica.c. */
#include "harness-fakebroker.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include "util.h"

#define WAIT_MS 5000

int
harness_fakebroker_main(Suite *s)
{
	SRunner *sr = srunner_create(s);
	int failed;

	if (getenv("RD_TEST_LOG") != NULL)
		log_set(stderr, LOG_DEBUG);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

bool
harness_fakebroker_readable(void *sock, int timeout_ms)
{
	zmq_pollitem_t it = { sock, 0, ZMQ_POLLIN, 0 };
	int64_t deadline = rd_mono_ms() + timeout_ms;

	for (;;) {
		int left = (int)(deadline - rd_mono_ms());
		if (zmq_poll(&it, 1, left > 0 ? left : 0) > 0)
			return true;
		if (rd_mono_ms() >= deadline)
			return false;
	}
}

void
harness_fakebroker_recv(void *sock, struct harness_fakebroker_req *q)
{
	struct proto_error err;
	int n;

	memset(q, 0, sizeof *q);
	ck_assert_msg(harness_fakebroker_readable(sock, WAIT_MS), "no request reached the broker");
	n = zmq_recv(sock, q->id, sizeof q->id, 0);
	ck_assert_int_gt(n, 0);
	q->idlen = (size_t)n;
	n = zmq_recv(sock, q->body, sizeof q->body, 0);
	ck_assert_int_gt(n, 0);
	ck_assert_int_lt(n, (int)sizeof q->body);
	q->len = (size_t)n;
	ck_assert_msg(proto_decode_request(q->body, q->len, &q->r, &err) == 0, "request: %s",
	    err.message);
}

void
harness_fakebroker_send(void *sock, const struct harness_fakebroker_req *q, const void *data,
    size_t len)
{
	ck_assert_int_eq(zmq_send(sock, q->id, q->idlen, ZMQ_SNDMORE), (int)q->idlen);
	ck_assert_int_eq(zmq_send(sock, data, len, 0), (int)len);
}

struct proto_ticket
harness_fakebroker_ticket(int64_t id, const char *state, int64_t ver)
{
	struct proto_ticket t;

	memset(&t, 0, sizeof t);
	t.id = id;
	PROTO_STRSET(t.state, state);
	PROTO_STRSET(t.region, "north");
	PROTO_STRSET(t.customer, "C");
	PROTO_STRSET(t.phone, "+100");
	PROTO_STRSET(t.plate, "AB-1");
	t.lat = 1;
	t.lon = 2;
	PROTO_STRSET(t.address, "Main St 1");
	PROTO_STRSET(t.fault, "battery");
	t.created = 1000;
	t.ver = ver;
	PROTO_SET(&t, ticket, ver);
	return t;
}

/* Pack under stream s's array key the entities i of a with i % parts == p - 1. */
static void
deal(struct proto_buf *b, enum proto_stream s, const struct proto_array *a, int parts, int p)
{
	size_t i, n, sz = proto_descs[proto_streams[s].msg].size;

	proto_pack_str(b, proto_streams[s].array);
	for (i = 0, n = 0; i < a->n; i++)
		n += i % (size_t)parts == (size_t)(p - 1);
	proto_pack_array(b, (uint32_t)n);
	for (i = 0; i < a->n; i++)
		if (i % (size_t)parts == (size_t)(p - 1))
			proto_pack_obj(b, (enum proto_msg_id)proto_streams[s].msg,
			    (const char *)a->items + i * sz, 0);
}

void
harness_fakebroker_snapshot(void *sock, const struct harness_fakebroker_req *q,
    const struct harness_fakebroker_world *w, int parts, enum harness_fakebroker_snap fault)
{
	const struct proto_array arr[PROTO_STREAM_COUNT] = {
		[PROTO_STREAM_TICKET] = { (void *)w->t, w->nt },
		[PROTO_STREAM_TRUCK] = { (void *)w->k, w->nk },
		[PROTO_STREAM_WARNING] = { (void *)w->w, w->nw },
	};
	struct proto_buf b;

	proto_buf_init(&b);
	if (fault == HARNESS_FAKEBROKER_SNAP_ERROR) {
		proto_encode_reply_error(&b, q->r.cmd_id, "snapshot", PROTO_E_INTERNAL, "busy");
		harness_fakebroker_send(sock, q, b.data, b.len);
		proto_buf_finish(&b);
		return;
	}
	for (int p = 1; p <= parts; p++) {
		struct proto_snapshot_part h;

		if (fault == HARNESS_FAKEBROKER_SNAP_SKIP_PART2 && p == 2)
			continue;
		memset(&h, 0, sizeof h);
		h.epoch = w->epoch;
		h.part = p;
		h.parts = parts;
		for (int s = 0; s < PROTO_STREAM_COUNT; s++)
			proto_snapshot_set(&h, s, w->seq[s], (int64_t)arr[s].n);
		if (fault == HARNESS_FAKEBROKER_SNAP_OTHER_HEAD && p == 2)
			h.seq_warning++;
		if (fault == HARNESS_FAKEBROKER_SNAP_TOTAL_OFF)
			h.total_tickets++;
		proto_buf_reset(&b);
		proto_encode_reply_ok(&b, q->r.cmd_id, "snapshot");
		proto_pack_obj(&b, PROTO_MSG_snapshot_part, &h, PROTO_STREAM_COUNT);
		for (int s = 0; s < PROTO_STREAM_COUNT; s++)
			deal(&b, s, &arr[s], parts, p);
		harness_fakebroker_send(sock, q, b.data, b.len);
	}
	proto_buf_finish(&b);
}
