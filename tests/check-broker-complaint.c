/* check-broker-complaint.c: the central copy of complaints at the real broker (PROTOCOL.md
 * 7.22 and 8.7): complaint.put stores a console's saved version, acknowledges each (uid,
 * version) for good (a resend long after the 600 s reply cache, and after a restart, gets
 * the same answer), refuses a version made from a base that is not the stored one with a
 * conflict naming the stored version and its saver, publishes each new version on the
 * complaint stream with its clocks' due times, and shows open and recently closed
 * complaints in snapshots. Broker time is manual (tests/harness-broker.c): no test sleeps. */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include "complaint.h"
#include "data.h"
#include "proto.h"
#include "store.h"
#include "util.h"

#include "harness-broker.h"

#ifndef SOURCE_DATA_DIR
#error "compile with -DSOURCE_DATA_DIR=\"/path/to/data\""
#endif

#define WAIT_MS HARNESS_BROKER_WAIT_MS
#define REPLY_CACHE_MS (600 * 1000)

static char base_dir[] = "/tmp/rd-check-broker-complaint-XXXXXX";
static struct harness_broker E;

static void
setup(void)
{
	struct harness_broker_opts o = {
		.base_dir = base_dir, .log_env = "CHECK_BROKER_LOG", .cmd_prefix = "cpl",
		.strict = true,
	};
	harness_broker_setup(&E, &o);
	harness_broker_start(&E, SOURCE_DATA_DIR);
	harness_broker_clients_open(&E);
	harness_broker_sub_sync(&E);
}

static void
teardown(void)
{
	harness_broker_teardown(&E);
}

/* A complaint's record as a console sends it: uid, version, the supplier and handler. */
static char *
record(const char *uid, int64_t version, const char *supplier, const char *facts,
    enum complaint_state state)
{
	struct complaint *c = complaint_new(HARNESS_BROKER_T0 - 3600 * 1000);
	complaint_field_set_str(c, CF_uid, uid);
	c->version = version;
	c->state = state;
	complaint_field_set_str(c, CF_number, "TS-20260302-000001");
	complaint_field_set_str(c, CF_name, "张三");
	complaint_field_set_str(c, CF_phone, "13812345678");
	complaint_field_set_str(c, CF_supplier, supplier);
	complaint_field_set_str(c, CF_handler, "ana");
	complaint_field_set_str(c, CF_facts, facts);
	char *text = complaint_encode(c);
	complaint_free(c);
	return text;
}

/* The record as the stream carries it: masked (PROTOCOL.md 8.7); the caller frees. */
static char *
masked(const char *rec)
{
	struct complaint *c = complaint_decode(rec);
	ck_assert_ptr_nonnull(c);
	struct complaint *m = complaint_masked(c);
	char *text = complaint_encode(m);
	complaint_free(m);
	complaint_free(c);
	return text;
}

/* Assert the published or snapshot record is rec masked. */
static void
ck_masked(const char *got, const char *rec)
{
	char *want = masked(rec);
	ck_assert_str_eq(got, want);
	free(want);
}

static struct proto_complaint_put
put_args(const char *uid, int64_t version, int64_t base, const char *rec)
{
	struct proto_complaint_put a = { .version = version, .base = base, .present = 0 };
	PROTO_STRSET(a.uid, uid);
	PROTO_STRSET(a.record, rec);
	PROTO_SET(&a, complaint_put, uid);
	PROTO_SET(&a, complaint_put, version);
	PROTO_SET(&a, complaint_put, record);
	if (base >= 0)
		PROTO_SET(&a, complaint_put, base);
	return a;
}

/* Put as user; the reply (caller finishes it). */
static void
put(const char *user, const char *uid, int64_t version, int64_t base, const char *rec,
    struct proto_reply *r)
{
	struct proto_complaint_put a = put_args(uid, version, base, rec);
	harness_broker_call_as(&E, user, PROTO_MSG_complaint_put, &a, r);
}

/* A put that must be acknowledged: the acknowledgement. */
static struct proto_complaint_ack
put_ok(const char *user, const char *uid, int64_t version, int64_t base, const char *rec)
{
	struct proto_reply r;
	put(user, uid, version, base, rec, &r);
	ck_assert_msg(r.ok, "complaint.put refused: %s", r.error.message);
	ck_assert_int_eq(r.op_id, PROTO_MSG_complaint_put);
	struct proto_complaint_ack a = r.complaint_ack;
	proto_reply_finish(&r);
	ck_assert_str_eq(a.uid, uid);
	ck_assert_int_eq(a.version, version);
	return a;
}

/* The next publication of complaint uid. */
static struct proto_complaint
expect_complaint(const char *uid)
{
	struct proto_pub *p = xmalloc(sizeof *p);
	int64_t until = rd_mono_ms() + WAIT_MS;
	for (;;) {
		ck_assert_msg(harness_broker_next_pub(&E, p, until), "complaint %s not published",
		    uid);
		if (p->topic == PROTO_TOPIC_COMPLAINT && strcmp(p->u.complaint.uid, uid) == 0)
			break;
	}
	struct proto_complaint c = p->u.complaint;
	free(p);
	return c;
}

/* Nothing about complaints published up to the next heartbeat after a step. */
static void
expect_no_complaint(void)
{
	struct proto_pub *p = xmalloc(sizeof *p);
	int64_t until = rd_mono_ms() + WAIT_MS;
	harness_broker_step(&E, 1000);
	for (;;) {
		ck_assert(harness_broker_next_pub(&E, p, until));
		ck_assert_int_ne(p->topic, PROTO_TOPIC_COMPLAINT);
		if (p->topic == PROTO_TOPIC_HB)
			break;
	}
	free(p);
}

START_TEST(test_put_published)
{
	char *rec = record("ana-1", 1, "Xiangjiang Rescue", "拖车迟到两小时", COMPLAINT_RECEIVED);
	struct proto_complaint_ack a = put_ok("ana", "ana-1", 1, 0, rec);
	ck_assert_str_eq(a.saved_by, "ana");
	ck_assert_int_eq(a.saved_at, E.now);

	struct proto_complaint c = expect_complaint("ana-1");
	ck_assert_int_eq(c.version, 1);
	ck_assert_str_eq(c.state, "received");
	ck_assert_str_eq(c.number, "TS-20260302-000001");
	ck_assert_str_eq(c.supplier, "Xiangjiang Rescue");
	ck_assert_str_eq(c.handler, "ana");
	ck_assert_str_eq(c.saved_by, "ana");
	ck_assert_int_eq(c.saved_at, a.saved_at);
	ck_assert_int_eq(c.received, HARNESS_BROKER_T0 - 3600 * 1000);
	ck_masked(c.record, rec);
	ck_assert_ptr_null(strstr(c.record, "13812345678"));
	ck_assert_ptr_null(strstr(c.record, "张三"));
	ck_assert_ptr_null(strstr(c.record, "拖车迟到两小时"));
	ck_assert_ptr_nonnull(strstr(c.record, "phone=138****5678"));
	ck_assert_ptr_nonnull(strstr(c.record, "name=张*"));
	/* the due times are the model's clocks over the reference data at the save */
	char *why = NULL;
	struct complaint_data *d = data_complaints_load(SOURCE_DATA_DIR, &why);
	ck_assert_msg(d != NULL, "%s", why);
	struct complaint *m = complaint_decode(rec);
	struct complaint_clock k[COMPLAINT_CLOCK_COUNT];
	complaint_clocks(m, d, a.saved_at, k);
	ck_assert_int_ne(k[COMPLAINT_CLOCK_ACK].status, COMPLAINT_CLOCK_OFF);
	ck_assert(PROTO_HAS(&c, complaint, ack_due));
	ck_assert_int_eq(c.ack_due, k[COMPLAINT_CLOCK_ACK].due);
	ck_assert_int_eq(PROTO_HAS(&c, complaint, decision_due),
	    k[COMPLAINT_CLOCK_DECISION].status != COMPLAINT_CLOCK_OFF);
	if (PROTO_HAS(&c, complaint, decision_due))
		ck_assert_int_eq(c.decision_due, k[COMPLAINT_CLOCK_DECISION].due);
	ck_assert(!PROTO_HAS(&c, complaint, review_decision_due));
	complaint_free(m);
	complaint_data_free(d);
	free(rec);
}
END_TEST

/* A resend of an acknowledged version, with a new cmd_id, long after the reply cache let
 * go of the first answer, and after a later version: the same answer, nothing published. */
START_TEST(test_resend_for_good)
{
	char *v1 = record("ana-2", 1, "Xiangjiang Rescue", "first", COMPLAINT_RECEIVED);
	char *v2 = record("ana-2", 2, "Xiangjiang Rescue", "second", COMPLAINT_REGISTERED);
	struct proto_complaint_ack a1 = put_ok("ana", "ana-2", 1, -1, v1);
	expect_complaint("ana-2");
	harness_broker_step(&E, REPLY_CACHE_MS + 60 * 1000);
	struct proto_complaint_ack again = put_ok("ana", "ana-2", 1, -1, v1);
	ck_assert_int_eq(again.saved_at, a1.saved_at);
	ck_assert_str_eq(again.saved_by, "ana");
	expect_no_complaint();

	struct proto_complaint_ack a2 = put_ok("ana", "ana-2", 2, 1, v2);
	ck_assert_int_gt(a2.saved_at, a1.saved_at);
	ck_assert_int_eq(expect_complaint("ana-2").version, 2);
	harness_broker_step(&E, 2 * REPLY_CACHE_MS);
	again = put_ok("ana", "ana-2", 1, 0, v1);
	ck_assert_int_eq(again.saved_at, a1.saved_at);
	again = put_ok("ana", "ana-2", 2, 1, v2);
	ck_assert_int_eq(again.saved_at, a2.saved_at);
	expect_no_complaint();

	/* and after a restart of the broker */
	harness_broker_restart(&E, SOURCE_DATA_DIR);
	again = put_ok("ana", "ana-2", 1, 0, v1);
	ck_assert_int_eq(again.saved_at, a1.saved_at);
	again = put_ok("ana", "ana-2", 2, 1, v2);
	ck_assert_int_eq(again.saved_at, a2.saved_at);
	expect_no_complaint();
	free(v1);
	free(v2);
}
END_TEST

/* Two consoles edit one complaint: the second save made from the old version is a
 * conflict naming the stored version and its saver, and the stored record stays. */
START_TEST(test_conflict)
{
	struct proto_reply r;
	char *v1 = record("ana-3", 1, "", "first", COMPLAINT_RECEIVED);
	char *bo = record("ana-3", 2, "", "bo's facts", COMPLAINT_RECEIVED);
	char *mine = record("ana-3", 2, "", "ana's facts", COMPLAINT_RECEIVED);
	char *on_top = record("ana-3", 3, "", "ana's facts", COMPLAINT_RECEIVED);

	put_ok("ana", "ana-3", 1, 0, v1);
	ck_assert_int_eq(expect_complaint("ana-3").version, 1);
	struct proto_complaint_ack b = put_ok("bo", "ana-3", 2, 1, bo);
	ck_assert_str_eq(b.saved_by, "bo");
	ck_masked(expect_complaint("ana-3").record, bo);

	put("ana", "ana-3", 2, 1, mine, &r);
	ck_assert(!r.ok);
	ck_assert_int_eq(r.error.code, PROTO_E_CONFLICT);
	ck_assert_str_eq(r.error.field, "base");
	ck_assert_str_eq(r.error.params.reason, "complaint_version");
	ck_assert_int_eq(r.error.params.version, 2);
	ck_assert_str_eq(r.error.params.by, "bo");
	ck_assert_int_eq(r.error.params.at, b.saved_at);
	ck_assert_msg(strstr(r.error.message, "saved by bo") != NULL, "%s", r.error.message);
	proto_reply_finish(&r);
	/* a version on a base the broker never had is a conflict too */
	put("ana", "ana-4", 2, 1, mine, &r);
	ck_assert_int_eq(r.error.code, PROTO_E_BAD_REQUEST); /* the record is ana-3's */
	proto_reply_finish(&r);
	char *other = record("ana-4", 2, "", "x", COMPLAINT_RECEIVED);
	put("ana", "ana-4", 2, 1, other, &r);
	ck_assert_int_eq(r.error.code, PROTO_E_CONFLICT);
	ck_assert_int_eq(r.error.params.version, 0);
	ck_assert(!PROTO_HAS(&r.error.params, error_params, by));
	proto_reply_finish(&r);
	expect_no_complaint();

	/* keep mine: a new version on top of theirs */
	put_ok("ana", "ana-3", 3, 2, on_top);
	struct proto_complaint c = expect_complaint("ana-3");
	ck_assert_int_eq(c.version, 3);
	ck_masked(c.record, on_top);
	free(v1);
	free(bo);
	free(mine);
	free(on_top);
	free(other);
}
END_TEST

START_TEST(test_bad_put)
{
	struct proto_reply r;
	char *v1 = record("ana-5", 1, "", "first", COMPLAINT_RECEIVED);

	put("ana", "ana-5", 1, 0, "not a record", &r);
	ck_assert_int_eq(r.error.code, PROTO_E_BAD_REQUEST);
	ck_assert_str_eq(r.error.field, "record");
	proto_reply_finish(&r);
	put("ana", "ana-6", 1, 0, v1, &r); /* ana-5's record under another uid */
	ck_assert_int_eq(r.error.code, PROTO_E_BAD_REQUEST);
	ck_assert_str_eq(r.error.field, "record");
	proto_reply_finish(&r);
	put("ana", "ana-5", 2, 1, v1, &r); /* version 1's record as version 2 */
	ck_assert_int_eq(r.error.code, PROTO_E_BAD_REQUEST);
	proto_reply_finish(&r);
	put("ana", "ana-5", 1, 1, v1, &r);
	ck_assert_int_eq(r.error.code, PROTO_E_BAD_REQUEST);
	ck_assert_str_eq(r.error.field, "base");
	proto_reply_finish(&r);
	expect_no_complaint();
	free(v1);
}
END_TEST

static size_t snapshot_complaints(struct proto_complaint *out, size_t max);

/* complaint.get as user: the reply (caller finishes it). */
static void
get(const char *user, const char *uid, struct proto_reply *r)
{
	struct proto_complaint_get g = { .present = 0 };
	PROTO_STRSET(g.uid, uid);
	PROTO_SET(&g, complaint_get, uid);
	harness_broker_call_as(&E, user, PROTO_MSG_complaint_get, &g, r);
}

struct fetches {
	int n;
	char user[33];
	char code[25];
};

static int
count_fetch(void *ctx, const struct store_event *ev)
{
	struct fetches *f = ctx;
	if (strcmp(ev->kind, "fetched") != 0)
		return 0;
	f->n++;
	snprintf(f->user, sizeof f->user, "%s", ev->user);
	snprintf(f->code, sizeof f->code, "%s", ev->code);
	return 0;
}

/* The stream has the record masked; complaint.get answers it raw, publishes nothing, and
 * the log keeps who fetched it (also across a restart, which replays that event). */
START_TEST(test_get_raw)
{
	struct proto_reply r;
	char *rec = record("ana-9", 1, "Xiangjiang Rescue", "拖车迟到两小时", COMPLAINT_RECEIVED);

	put_ok("ana", "ana-9", 1, 0, rec);
	ck_masked(expect_complaint("ana-9").record, rec);
	get("sup", "ana-9", &r);
	ck_assert_msg(r.ok, "complaint.get refused: %s", r.error.message);
	ck_assert_uint_eq(r.n_complaints, 1);
	ck_assert_str_eq(r.complaints[0].uid, "ana-9");
	ck_assert_int_eq(r.complaints[0].version, 1);
	ck_assert_str_eq(r.complaints[0].record, rec);
	ck_assert_str_eq(r.complaints[0].saved_by, "ana");
	proto_reply_finish(&r);
	expect_no_complaint();

	get("sup", "nobody-1", &r);
	ck_assert(!r.ok);
	ck_assert_int_eq(r.error.code, PROTO_E_NOT_FOUND);
	ck_assert_str_eq(r.error.field, "uid");
	proto_reply_finish(&r);

	harness_broker_clients_close(&E);
	harness_broker_stop(&E);
	char *cause = NULL;
	struct store *st = store_open(E.db, STORE_SYNC_NORMAL, &cause);
	ck_assert_msg(st != NULL, "%s", cause);
	struct fetches f = { 0 };
	ck_assert_int_eq(store_events_of(st, "complaint", "ana-9", count_fetch, &f), 0);
	store_close(st);
	ck_assert_int_eq(f.n, 1);
	ck_assert_str_eq(f.user, "sup");
	ck_assert_str_eq(f.code, "complaint_fetched");
	E.now = 0; /* as harness_broker_restart: time goes on from the store */
	harness_broker_start(&E, SOURCE_DATA_DIR);
	harness_broker_clients_open(&E);
	harness_broker_sub_sync(&E);
	struct proto_complaint *got = xcalloc(4, sizeof *got);
	ck_assert_uint_eq(snapshot_complaints(got, 4), 1);
	ck_assert_int_eq(got[0].version, 1);
	ck_masked(got[0].record, rec);
	free(got);
	free(rec);
}
END_TEST

/* Approvals (issue 11) over the socket. The harness's broker runs without CURVE, so every
 * client has every role and acts as the user it claims: a supervisor here. What an agent
 * may not do is the model's table (check-complaint.c, change_needs_role); here the
 * broker's use of it: an approval must name the sender, and a masked value sent back is
 * refused, and neither is stored or published. */
START_TEST(test_approvals)
{
	struct proto_reply r;
	char *v1 = record("ana-10", 1, "", "facts", COMPLAINT_INVESTIGATING), *v2;
	struct complaint *c = complaint_decode(v1);

	put_ok("ana", "ana-10", 1, 0, v1);
	expect_complaint("ana-10");
	/* an extension in another's name */
	c->version = 2;
	c->extension_level = 1;
	complaint_field_set_str(c, CF_extension_approver, "li");
	v2 = complaint_encode(c);
	put("ana", "ana-10", 2, 1, v2, &r);
	ck_assert(!r.ok);
	ck_assert_int_eq(r.error.code, PROTO_E_FORBIDDEN);
	ck_assert_str_eq(r.error.field, "record");
	ck_assert_str_eq(r.error.params.reason, "complaint_approver");
	ck_assert_str_eq(r.error.params.name, "extension_approver");
	ck_assert_str_eq(r.error.params.by, "ana");
	proto_reply_finish(&r);
	free(v2);
	expect_no_complaint();
	/* the sender's own approval is taken */
	complaint_field_set_str(c, CF_extension_approver, "ana");
	v2 = complaint_encode(c);
	put_ok("ana", "ana-10", 2, 1, v2);
	free(v2);
	expect_complaint("ana-10");
	/* a goodwill payment past the agent's limit, approved by the sender as supervisor */
	c->version = 3;
	c->goodwill = 100000;
	complaint_field_set_str(c, CF_goodwill_approver, "ana");
	complaint_field_set_str(c, CF_goodwill_role, "agent");
	v2 = complaint_encode(c);
	put("ana", "ana-10", 3, 2, v2, &r);
	ck_assert_int_eq(r.error.code, PROTO_E_FORBIDDEN);
	ck_assert_str_eq(r.error.params.reason, "complaint_approver");
	ck_assert_str_eq(r.error.params.name, "goodwill_role");
	ck_assert_str_eq(r.error.params.need, "supervisor");
	proto_reply_finish(&r);
	free(v2);
	complaint_field_set_str(c, CF_goodwill_role, "supervisor");
	v2 = complaint_encode(c);
	put_ok("ana", "ana-10", 3, 2, v2);
	free(v2);
	/* the stream's masked copy saved back as version 4 */
	struct proto_complaint pub = expect_complaint("ana-10");
	struct complaint *m = complaint_decode(pub.record);
	ck_assert_ptr_nonnull(m);
	m->version = 4;
	v2 = complaint_encode(m);
	put("bo", "ana-10", 4, 3, v2, &r);
	ck_assert_int_eq(r.error.code, PROTO_E_BAD_REQUEST);
	ck_assert_str_eq(r.error.params.reason, "complaint_masked");
	ck_assert_str_eq(r.error.params.name, "name");
	proto_reply_finish(&r);
	free(v2);
	expect_no_complaint();
	/* an agent's resave of what the supervisor approved is not an approval */
	c->version = 4;
	complaint_field_set_str(c, CF_facts, "more facts");
	v2 = complaint_encode(c);
	put_ok("bo", "ana-10", 4, 3, v2);
	free(v2);
	complaint_free(m);
	complaint_free(c);
	free(v1);
}
END_TEST

/* The snapshot's complaints: what the request's one part holds (no trucks or tickets). */
static size_t
snapshot_complaints(struct proto_complaint *out, size_t max)
{
	struct proto_snapshot s = { .present = 0 };
	struct proto_reply r;
	harness_broker_call_as(&E, "sup", PROTO_MSG_snapshot, &s, &r);
	ck_assert(r.ok);
	ck_assert_int_eq(r.snap.parts, 1);
	ck_assert_int_eq(r.snap.seq_complaint, E.last[HARNESS_BROKER_COMPLAINT]);
	ck_assert_int_eq(r.snap.total_complaints, (int64_t)r.n_complaints);
	size_t n = r.n_complaints;
	ck_assert_uint_le(n, max);
	for (size_t i = 0; i < n; i++)
		out[i] = r.complaints[i];
	proto_reply_finish(&r);
	return n;
}

START_TEST(test_snapshot)
{
	struct proto_complaint *got = xcalloc(4, sizeof *got);
	char *open = record("ana-7", 1, "Xiangjiang Rescue", "open", COMPLAINT_INVESTIGATING);
	char *closed = record("bo-1", 1, "Changsha Tow", "closed", COMPLAINT_CLOSED);

	put_ok("ana", "ana-7", 1, 0, open);
	put_ok("bo", "bo-1", 1, 0, closed);
	expect_complaint("bo-1");
	ck_assert_uint_eq(snapshot_complaints(got, 4), 2);
	ck_assert_str_eq(got[0].uid, "ana-7");
	ck_assert_str_eq(got[1].uid, "bo-1");
	ck_assert_str_eq(got[1].state, "closed");
	ck_masked(got[0].record, open);
	ck_assert_int_le(got[0].ver, E.last[HARNESS_BROKER_COMPLAINT]);

	/* closed ones leave the snapshot after keep_closed_min (120 min), open ones stay */
	harness_broker_step(&E, 121 * 60 * 1000);
	ck_assert_uint_eq(snapshot_complaints(got, 4), 1);
	ck_assert_str_eq(got[0].uid, "ana-7");
	/* both come back from the store after a restart (whose time goes on from the last
	 * change the store holds, so the closed one is recent again) */
	harness_broker_restart(&E, SOURCE_DATA_DIR);
	ck_assert_uint_eq(snapshot_complaints(got, 4), 2);
	harness_broker_step(&E, 121 * 60 * 1000);
	ck_assert_uint_eq(snapshot_complaints(got, 4), 1);
	ck_assert_str_eq(got[0].uid, "ana-7");
	ck_masked(got[0].record, open);
	ck_assert_str_eq(got[0].saved_by, "ana");
	ck_assert_int_eq(got[0].ver, 0);
	/* the next version after the restart goes on from the stored one */
	char *v2 = record("ana-7", 2, "Xiangjiang Rescue", "open, more", COMPLAINT_INVESTIGATING);
	put_ok("ana", "ana-7", 2, 1, v2);
	ck_assert_int_eq(expect_complaint("ana-7").version, 2);
	free(v2);
	free(open);
	free(closed);
	free(got);
}
END_TEST

/* Complaints with long records (a frozen timeline near the limit): the snapshot ends a
 * part before its records pass 4 MiB, so no part nears a client's 8 MiB, and every
 * complaint still arrives once. */
START_TEST(test_snapshot_large_records)
{
	enum { N = 120 };
	char uid[32], *timeline = xmalloc(45001);
	struct proto_buf q;
	memset(timeline, 'x', 45000);
	timeline[45000] = '\0';
	for (int i = 0; i < N; i++) {
		struct complaint *c = complaint_new(HARNESS_BROKER_T0);
		snprintf(uid, sizeof uid, "ana-big-%d", i);
		complaint_field_set_str(c, CF_uid, uid);
		c->version = 1;
		/* a field the stream carries as it is (the masked ones shrink to "***"); the
		 * broker takes any length the wire does, the model's limits are the console's */
		complaint_field_set_str(c, CF_policy_no, timeline);
		char *text = complaint_encode(c);
		ck_assert_uint_le(strlen(text), 48000);
		put_ok("ana", uid, 1, 0, text);
		free(text);
		complaint_free(c);
	}
	struct proto_snapshot s = { .present = 0 };
	proto_buf_init(&q);
	proto_encode_request(&q, PROTO_MSG_snapshot, "big-snap", "sup", &s);
	ck_assert_int_eq(zmq_send(E.dealer, q.data, q.len, 0), (int)q.len);
	proto_buf_finish(&q);
	size_t got = 0;
	int64_t parts = 1;
	for (int64_t part = 1; part <= parts; part++) {
		zmq_msg_t m;
		struct proto_error err;
		struct proto_reply *r = xcalloc(1, sizeof *r);
		ck_assert(harness_broker_wait_in(E.dealer, rd_mono_ms() + WAIT_MS));
		zmq_msg_init(&m);
		ck_assert_int_ge(zmq_msg_recv(&m, E.dealer, 0), 0);
		ck_assert_uint_lt(zmq_msg_size(&m), 5 * 1024 * 1024);
		ck_assert_int_eq(proto_decode_reply(zmq_msg_data(&m), zmq_msg_size(&m), r, &err), 0);
		zmq_msg_close(&m);
		ck_assert(r->ok);
		ck_assert_int_eq(r->snap.part, part);
		parts = r->snap.parts;
		ck_assert_int_eq(r->snap.total_complaints, N);
		got += r->n_complaints;
		proto_reply_finish(r);
		free(r);
	}
	ck_assert_int_ge(parts, 2);
	ck_assert_uint_eq(got, N);
	free(timeline);
}
END_TEST

static Suite *
complaint_suite(void)
{
	Suite *s = suite_create("broker-complaint");
	TCase *tc = harness_broker_tcase(s, "put", setup, teardown);
	tcase_add_test(tc, test_put_published);
	tcase_add_test(tc, test_resend_for_good);
	tcase_add_test(tc, test_conflict);
	tcase_add_test(tc, test_bad_put);
	tcase_add_test(tc, test_snapshot);
	tcase_add_test(tc, test_snapshot_large_records);
	tcase_add_test(tc, test_get_raw);
	tcase_add_test(tc, test_approvals);
	return s;
}

int
main(void)
{
	return harness_broker_main(complaint_suite(), base_dir);
}
