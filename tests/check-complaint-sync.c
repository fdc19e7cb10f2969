/* check-complaint-sync.c: the console's outbox to the central copy (ui/complaint-sync.c)
 * against the real broker (tests/harness-broker.c: a thread on ipc:// sockets, a manual
 * clock): two consoles' local files (complaint-store.h), their puts sent on a DEALER of
 * their own over the socket. A version whose answer never came is sent again when the
 * broker is back, after its request cache is gone (the broker stopped longer than it
 * lives), and stored once; two consoles that edit one complaint get a conflict on the
 * second save, shown, never an overwrite, and the agent's two choices resolve it. */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include "complaint-db.h"
#include "complaint-store.h"
#include "complaint-sync.h"
#include "complaint.h"
#include "proto.h"
#include "store.h"
#include "util.h"

#include "harness-broker.h"
#include "harness-model.h"
#include "model.h"

#ifndef SOURCE_DATA_DIR
#error "compile with -DSOURCE_DATA_DIR=\"/path/to/data\""
#endif

#define NO_ANSWER_MS 300        /* a try that got nothing back in this long got nothing */

static char base_dir[] = "/tmp/rd-check-complaint-sync-XXXXXX";
static struct harness_broker E;
static void *dealer;            /* the consoles' own, across broker restarts */
static int cmd_seq;

static void
setup(void)
{
	struct harness_broker_opts o = {
		.base_dir = base_dir, .log_env = "CHECK_BROKER_LOG", .cmd_prefix = "sync",
		.strict = true,
	};
	harness_broker_setup(&E, &o);
	harness_broker_start(&E, SOURCE_DATA_DIR);
	harness_broker_clients_open(&E);
	harness_broker_sub_sync(&E);
	dealer = harness_broker_socket(&E, ZMQ_DEALER, E.api);
	complaint_sync_reset();
}

static void
teardown(void)
{
	zmq_close(dealer);
	complaint_sync_reset();
	harness_broker_teardown(&E);
}

static struct complaint_store *
console(const char *user)
{
	char path[300], *cause = NULL;
	snprintf(path, sizeof path, "%s/complaints-%s.db", E.dir, user);
	struct complaint_store *st = complaint_store_open(path, user, &cause);
	ck_assert_msg(st != NULL, "%s", cause);
	return st;
}

/* Send args as user on the consoles' DEALER; 1 and *r (caller finishes it) when the answer
 * to this request came, 0 when none came in NO_ANSWER_MS. Answers to earlier tries that
 * arrive late are read and dropped, as the console's rpc does. */
static int
send_put(const char *user, const struct proto_complaint_put *args, struct proto_reply *r)
{
	char cmd_id[32];
	struct proto_buf b;
	int64_t until = rd_mono_ms() + NO_ANSWER_MS;

	snprintf(cmd_id, sizeof cmd_id, "sync-%d", ++cmd_seq);
	proto_buf_init(&b);
	proto_encode_request(&b, PROTO_MSG_complaint_put, cmd_id, user, args);
	ck_assert_int_eq(zmq_send(dealer, b.data, b.len, ZMQ_DONTWAIT), (int)b.len);
	proto_buf_finish(&b);
	while (harness_broker_wait_in(dealer, until)) {
		zmq_msg_t m;
		struct proto_error err;
		zmq_msg_init(&m);
		ck_assert_int_ge(zmq_msg_recv(&m, dealer, 0), 0);
		int rc = proto_decode_reply(zmq_msg_data(&m), zmq_msg_size(&m), r, &err);
		zmq_msg_close(&m);
		ck_assert_int_eq(rc, 0);
		if (strcmp(r->cmd_id, cmd_id) == 0)
			return 1;
		proto_reply_finish(r);
	}
	return 0;
}

/* One turn of a console's sync: the next put, sent, its answer settled. Returns what
 * complaint_sync_answer did (1 acknowledged, 0 not), or -2 when nothing waited. *ack (may
 * be NULL) gets the acknowledgement. */
static int
sync_once(struct complaint_store *st, const char *user, struct proto_complaint_ack *ack)
{
	struct proto_complaint_put *a = xmalloc(sizeof *a);
	struct proto_reply r;
	int rc = complaint_sync_next(st, a);

	ck_assert_int_ge(rc, 0);
	if (rc == 0) {
		free(a);
		return -2;
	}
	int got = send_put(user, a, &r);
	rc = complaint_sync_answer(st, a, got ? &r : NULL);
	ck_assert_int_ge(rc, 0);
	if (got && r.ok && ack != NULL)
		*ack = r.complaint_ack;
	if (got)
		proto_reply_finish(&r);
	free(a);
	return rc;
}

static size_t
outbox_count(struct complaint_store *st)
{
	struct complaint_outbox_row *rows;
	size_t n;
	ck_assert_int_eq(complaint_store_outbox_pending(st, 0, &rows, &n), 0);
	complaint_outbox_free(rows, n);
	return n;
}

/* The broker's complaint uid from a snapshot (NULL: none); caller frees. */
static struct proto_complaint *
central(const char *uid)
{
	struct proto_snapshot s = { .present = 0 };
	struct proto_reply r;
	struct proto_complaint *c = NULL;
	harness_broker_call_as(&E, "sup", PROTO_MSG_snapshot, &s, &r);
	ck_assert(r.ok);
	for (size_t i = 0; i < r.n_complaints; i++)
		if (strcmp(r.complaints[i].uid, uid) == 0) {
			c = xmalloc(sizeof *c);
			*c = r.complaints[i];
		}
	proto_reply_finish(&r);
	return c;
}

/* The broker's complaint uid with its raw record, as a console fetches it to edit it
 * (complaint.get: the stream's copy is masked); NULL: none; caller frees. */
static struct proto_complaint *
central_raw(const char *uid)
{
	struct proto_complaint_get g = { .present = 0 };
	struct proto_reply r;
	struct proto_complaint *c = NULL;
	PROTO_STRSET(g.uid, uid);
	PROTO_SET(&g, complaint_get, uid);
	harness_broker_call_as(&E, "sup", PROTO_MSG_complaint_get, &g, &r);
	if (r.ok && r.n_complaints == 1) {
		c = xmalloc(sizeof *c);
		*c = r.complaints[0];
	}
	proto_reply_finish(&r);
	return c;
}

/* The broker down for longer than its request cache lives: stopped, its cache emptied as
 * the 10 minutes would, started again, and its clock moved on by 11 minutes. */
static void
broker_away(void)
{
	char *cause = NULL;
	harness_broker_clients_close(&E);
	harness_broker_stop(&E);
	struct store *st = store_open(E.db, STORE_SYNC_NORMAL, &cause);
	ck_assert_msg(st != NULL, "%s", cause);
	ck_assert_int_ge(store_reply_expire(st, INT64_MAX), 0);
	store_close(st);
}

static void
broker_back(void)
{
	harness_broker_start(&E, SOURCE_DATA_DIR);
	harness_broker_clients_open(&E);
	harness_broker_sub_sync(&E);
	harness_broker_step(&E, 11 * 60 * 1000);
}

static struct complaint *
new_complaint(const char *facts)
{
	struct complaint *c = complaint_new(HARNESS_BROKER_T0);
	complaint_field_set_str(c, CF_name, "李四");
	complaint_field_set_str(c, CF_supplier, "hn01");
	complaint_field_set_str(c, CF_facts, facts);
	return c;
}

START_TEST(test_outbox_retry)
{
	struct complaint_store *a = console("ana");
	struct complaint *c = new_complaint("拖车迟到");
	struct proto_complaint_ack first, ack;

	ck_assert_int_eq(complaint_store_save(a, c, NULL, HARNESS_BROKER_T0, NULL), 0);
	ck_assert_int_eq(sync_once(a, "ana", &first), 1);
	ck_assert_int_eq(first.version, 1);
	ck_assert_uint_eq(outbox_count(a), 0);
	ck_assert_int_eq(sync_once(a, "ana", NULL), -2);

	/* saved while the broker is away: tried, unanswered, kept */
	complaint_field_set_str(c, CF_facts, "拖车迟到，电话无人接");
	ck_assert_int_eq(complaint_store_save(a, c, NULL, HARNESS_BROKER_T0 + 60000, NULL), 0);
	broker_away();
	ck_assert_int_eq(sync_once(a, "ana", NULL), 0);
	ck_assert_int_eq(sync_once(a, "ana", NULL), 0);
	ck_assert_uint_eq(outbox_count(a), 1);
	broker_back();
	/* the copies ZeroMQ queued meanwhile may reach the broker first: still stored once */
	ck_assert_int_eq(sync_once(a, "ana", &ack), 1);
	ck_assert_int_eq(ack.version, 2);
	ck_assert_uint_eq(outbox_count(a), 0);
	struct proto_complaint *k = central(c->uid);
	ck_assert_ptr_nonnull(k);
	ck_assert_int_eq(k->version, 2);
	ck_assert_int_eq(k->saved_at, ack.saved_at);
	free(k);

	/* a version the broker stored whose answer was lost: sent again after the broker was
	 * away past its request cache, the same answer, and nothing stored twice */
	complaint_field_set_str(c, CF_handler, "ana");
	ck_assert_int_eq(complaint_store_save(a, c, NULL, HARNESS_BROKER_T0 + 120000, NULL), 0);
	struct proto_complaint_put *p = xmalloc(sizeof *p);
	struct proto_reply r;
	ck_assert_int_eq(complaint_sync_next(a, p), 1);
	ck_assert_int_eq(send_put("ana", p, &r), 1);
	ck_assert(r.ok);
	struct proto_complaint_ack lost = r.complaint_ack;
	proto_reply_finish(&r);
	free(p);
	broker_away();
	broker_back();
	ck_assert_uint_eq(outbox_count(a), 1);
	ck_assert_int_eq(sync_once(a, "ana", &ack), 1);
	ck_assert_int_eq(ack.version, 3);
	ck_assert_int_eq(ack.saved_at, lost.saved_at);
	ck_assert_uint_eq(outbox_count(a), 0);
	k = central(c->uid);
	ck_assert_int_eq(k->version, 3);
	ck_assert_int_eq(k->saved_at, lost.saved_at);
	free(k);
	complaint_free(c);
	complaint_store_close(a);
}
END_TEST

START_TEST(test_two_consoles)
{
	struct complaint_store *a = console("ana"), *b = console("bo");
	struct complaint *c = new_complaint("first"), *mine = NULL;
	struct proto_complaint_ack ack;

	ck_assert_int_eq(complaint_store_save(a, c, NULL, HARNESS_BROKER_T0, NULL), 0);
	ck_assert_int_eq(sync_once(a, "ana", NULL), 1);
	/* bo opens it from the central copy: raw, fetched (the stream's is masked) */
	struct proto_complaint *k = central(c->uid);
	ck_assert_ptr_nonnull(k);
	ck_assert(strstr(k->record, "facts=***") != NULL);
	free(k);
	k = central_raw(c->uid);
	ck_assert_ptr_nonnull(k);
	int64_t bid;
	ck_assert_int_eq(complaint_sync_take_theirs(b, NULL, k->record, HARNESS_BROKER_T0, &bid), 0);
	free(k);
	ck_assert_int_eq(complaint_store_find_uid(b, c->uid, &mine), 1);
	ck_assert_int_eq(mine->version, 1);
	ck_assert_uint_eq(outbox_count(b), 0);

	/* both edit version 1; ana saves first */
	complaint_field_set_str(c, CF_facts, "ana's facts");
	ck_assert_int_eq(complaint_store_save(a, c, NULL, HARNESS_BROKER_T0 + 1000, NULL), 0);
	complaint_field_set_str(mine, CF_facts, "bo's facts");
	ck_assert_int_eq(complaint_store_save(b, mine, NULL, HARNESS_BROKER_T0 + 2000, NULL), 0);
	ck_assert_int_eq(sync_once(a, "ana", &ack), 1);
	ck_assert_int_eq(sync_once(b, "bo", NULL), 0);
	const struct complaint_conflict *x = complaint_sync_conflict(c->uid);
	ck_assert_ptr_nonnull(x);
	ck_assert_int_eq(x->mine, 2);
	ck_assert_int_eq(x->theirs, 2);
	ck_assert_str_eq(x->by, "ana");
	ck_assert_int_eq(x->at, ack.saved_at);
	/* not overwritten on either side, and not sent again until the agent chooses */
	k = central_raw(c->uid);
	ck_assert(strstr(k->record, "facts=ana's facts") != NULL);
	free(k);
	struct complaint *still;
	ck_assert_int_eq(complaint_store_find_uid(b, c->uid, &still), 1);
	ck_assert_str_eq(complaint_field_str(still, CF_facts), "bo's facts");
	complaint_free(still);
	ck_assert_uint_eq(outbox_count(b), 1);
	ck_assert_int_eq(sync_once(b, "bo", NULL), -2);

	/* bo keeps his: version 3 on top of ana's 2 */
	ck_assert_int_eq(complaint_sync_keep_mine(b, NULL, c->uid, HARNESS_BROKER_T0 + 3000), 0);
	ck_assert_ptr_null(complaint_sync_conflict(c->uid));
	ck_assert_int_eq(sync_once(b, "bo", &ack), 1);
	ck_assert_int_eq(ack.version, 3);
	k = central_raw(c->uid);
	ck_assert_int_eq(k->version, 3);
	ck_assert_str_eq(k->saved_by, "bo");
	ck_assert(strstr(k->record, "facts=bo's facts") != NULL);

	/* ana, whose next save would conflict in turn, reloads theirs */
	ck_assert_int_eq(complaint_sync_take_theirs(a, NULL, k->record, HARNESS_BROKER_T0 + 4000,
	    NULL), 0);
	free(k);
	struct complaint *back;
	ck_assert_int_eq(complaint_store_find_uid(a, c->uid, &back), 1);
	ck_assert_int_eq(back->version, 3);
	ck_assert_str_eq(complaint_field_str(back, CF_facts), "bo's facts");
	complaint_field_set_str(back, CF_facts, "ana again");
	ck_assert_int_eq(complaint_store_save(a, back, NULL, HARNESS_BROKER_T0 + 5000, NULL), 0);
	ck_assert_int_eq(sync_once(a, "ana", &ack), 1);
	ck_assert_int_eq(ack.version, 4);
	complaint_free(back);
	complaint_free(mine);
	complaint_free(c);
	complaint_store_close(a);
	complaint_store_close(b);
}
END_TEST

/* A version longer than the wire takes (a long frozen timeline) is never cut and sent: it
 * stays in the file, marked, and the complaints saved after it still go. */
START_TEST(test_too_long_stays)
{
	struct complaint_store *a = console("ana");
	struct complaint *big = new_complaint("long evidence"), *small = new_complaint("short");
	size_t n = COMPLAINT_TIMELINE_MAX - 1;
	char *timeline = xmalloc(n + 1);

	memset(timeline, 'x', n);
	timeline[n] = '\0';
	complaint_field_set_str(big, CF_ticket_timeline, timeline);
	ck_assert_int_eq(complaint_store_save(a, big, NULL, HARNESS_BROKER_T0, NULL), 0);
	ck_assert_int_eq(complaint_store_save(a, small, NULL, HARNESS_BROKER_T0 + 1000, NULL), 0);
	struct proto_complaint_ack ack;
	ck_assert_int_eq(sync_once(a, "ana", &ack), 1);
	ck_assert_str_eq(ack.uid, small->uid);
	const struct complaint_conflict *x = complaint_sync_conflict(big->uid);
	ck_assert_ptr_nonnull(x);
	ck_assert_int_eq(x->refused, PROTO_E_TOO_LARGE);
	ck_assert_int_eq(sync_once(a, "ana", NULL), -2);
	ck_assert_uint_eq(outbox_count(a), 1);
	ck_assert_ptr_null(central(big->uid));
	ck_assert_int_eq(complaint_sync_keep_mine(a, NULL, big->uid, HARNESS_BROKER_T0), -1);
	free(timeline);
	complaint_free(big);
	complaint_free(small);
	complaint_store_close(a);
}
END_TEST

/* The app's driver (complaint_sync_tick) over the model's one way to the broker (the
 * recording app of harness-model.h): one put at a time, again after an unanswered one,
 * the row acknowledged by the answer; nothing while not connected, and no file made for
 * a user who never had one. */
START_TEST(test_app_driver)
{
	struct model m;
	static const struct harness_fixture f = { .user = "ana", .role = MODEL_ROLE_AGENT,
		.now = HARNESS_BROKER_T0 };
	char path[300];

	harness_model_init(&m, &f);
	snprintf(path, sizeof path, "%s/complaints-ana.db", E.dir);
	complaint_db_use(path, SOURCE_DATA_DIR);
	int64_t t = rd_mono_ms();
	complaint_sync_tick(&m, t);
	ck_assert_int_eq(harness_rec.sent, 0);
	ck_assert(!complaint_db_exists("ana"));

	struct complaint_store *a = console("ana");
	struct complaint *c = new_complaint("offline");
	ck_assert_int_eq(complaint_store_save(a, c, NULL, HARNESS_BROKER_T0, NULL), 0);
	m.conn = MODEL_STALE;
	complaint_sync_tick(&m, t + 2 * COMPLAINT_SYNC_RETRY_MS);
	ck_assert_int_eq(harness_rec.sent, 0);
	m.conn = MODEL_LIVE;
	t = rd_mono_ms() + 3 * COMPLAINT_SYNC_RETRY_MS;
	complaint_sync_tick(&m, t);
	ck_assert_int_eq(harness_rec.sent, 1);
	complaint_sync_tick(&m, t + 1);         /* one in flight at a time */
	ck_assert_int_eq(harness_rec.sent, 1);
	harness_answer_none(&m, harness_rec.last_cmd, "timeout");
	complaint_sync_tick(&m, rd_mono_ms() + 1);
	ck_assert_int_eq(harness_rec.sent, 1);  /* not before the retry time */
	complaint_sync_tick(&m, rd_mono_ms() + COMPLAINT_SYNC_RETRY_MS + 1);
	ck_assert_int_eq(harness_rec.sent, 2);
	ck_assert_uint_eq(outbox_count(a), 1);
	harness_answer_ok(&m, harness_rec.last_cmd);
	ck_assert_uint_eq(outbox_count(a), 0);
	complaint_sync_tick(&m, rd_mono_ms());  /* the next at once: none waits */
	ck_assert_int_eq(harness_rec.sent, 2);
	complaint_free(c);
	complaint_store_close(a);
	complaint_sync_reset();
	complaint_db_use(NULL, NULL);
	harness_model_finish(&m);
}
END_TEST

static Suite *
sync_suite(void)
{
	Suite *s = suite_create("complaint-sync");
	TCase *tc = harness_broker_tcase(s, "central", setup, teardown);
	tcase_add_test(tc, test_outbox_retry);
	tcase_add_test(tc, test_two_consoles);
	tcase_add_test(tc, test_too_long_stays);
	tcase_add_test(tc, test_app_driver);
	return s;
}

int
main(void)
{
	return harness_broker_main(sync_suite(), base_dir);
}
