/* check-complaint-store.c: the console's local complaint store (src/store/complaint-store.c)
 * on real files in a temporary directory: byte-exact round trip of Chinese text, the
 * append-only history (checked with SQLite itself: an UPDATE or DELETE of it fails), the
 * draft surviving a kill -9 of its writer, the outbox, versions and conflicts, numbering,
 * the list queries, the schema migrations (from version 0: no file, an empty file, an
 * empty database) and refusals (a newer schema, not a database, foreign tables), and the
 * file's mode under umask 022. SQLite is opened directly here only to look at the file. */
#include <check.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sqlite3.h>

#include "check-main.h"
#include "complaint-store.h"
#include "complaint.h"
#include "data.h"
#include "util.h"

#ifndef SOURCE_DATA_DIR
#error "compile with -DSOURCE_DATA_DIR=\"/path/to/data\""
#endif

static char dir[64];
static char path[128];
static struct complaint_data *cd;

static void
setup(void)
{
	char *cause = NULL;
	snprintf(dir, sizeof dir, "/tmp/check-cstore-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/sub/complaints-wang.db", dir);
	cd = data_complaints_load(SOURCE_DATA_DIR, &cause);
	ck_assert_msg(cd != NULL, "%s", cause);
}

static void
teardown(void)
{
	complaint_data_free(cd);
	rd_remove_tree(dir);
}

static int64_t
T(const char *s)
{
	int64_t t = complaint_time_parse(s);
	ck_assert_msg(t > 0, "bad time in test: %s", s);
	return t;
}

static void
set(struct complaint *c, enum complaint_field f, const char *v)
{
	ck_assert_int_eq(complaint_field_set(c, f, v), COMPLAINT_OK);
}

static struct complaint_store *
open_store(void)
{
	char *cause = NULL;
	struct complaint_store *st = complaint_store_open(path, "wang", &cause);
	ck_assert_msg(st != NULL, "%s", cause);
	return st;
}

static struct complaint *
sample(const char *received, const char *name)
{
	struct complaint *c = complaint_new(T(received));
	set(c, CF_channel, "hotline");
	set(c, CF_party, "person");
	set(c, CF_name, name);
	set(c, CF_phone, "13812345678");
	set(c, CF_plate, "湘A12345");
	set(c, CF_respondent_unit, "长沙分公司");
	set(c, CF_supplier, "xingsha-rescue");
	set(c, CF_request, "退还拖车费");
	set(c, CF_facts, "救援车迟到两小时");
	set(c, CF_business, "roadside");
	set(c, CF_cause, "R01");
	return c;
}

static void
assert_same(const struct complaint *a, const struct complaint *b)
{
	for (int f = 0; f < COMPLAINT_FIELD_COUNT; f++) {
		char *x = complaint_field_get(a, f), *y = complaint_field_get(b, f);
		ck_assert_msg(complaint_field_equal(a, b, f), "%s: \"%s\" != \"%s\"",
		    complaint_field_info(f)->name, x, y);
		free(x);
		free(y);
	}
	ck_assert_int_eq(a->n_pauses, b->n_pauses);
	if (a->n_pauses > 0)
		ck_assert_mem_eq(a->pauses, b->pauses, a->n_pauses * sizeof *a->pauses);
}

/* Chinese, wide and 4-byte characters, full-width punctuation, newlines, quotes. */
static const char *const texts[] = {
	"张三",
	"湖南省长沙市岳麓区麓谷大道 627 号，A 座 12 楼",
	"救援车迟到两小时（承诺 45 分钟），\n司机另收拖车费 300 元；\n\"要求\"退还，并道歉。",
	"𠮷野家 🚗 ＡＢＣ１２３ 、。「」",
};

START_TEST(round_trip_byte_exact)
{
	struct complaint_store *st = open_store();
	struct complaint *c = sample("2026-03-02 10:00", texts[0]);
	set(c, CF_address, texts[1]);
	set(c, CF_facts, texts[2]);
	set(c, CF_grounds, texts[3]);
	set(c, CF_ticket_timeline, "10:02 created\n10:05 dispatch\n");
	set(c, CF_amount_claimed, "300.00");
	set(c, CF_rights, "fair_trade,redress");
	c->ticket_id = 59;
	ck_assert_int_eq(complaint_store_save(st, c, cd, T("2026-03-02 10:05"), NULL), 0);
	ck_assert_int_gt(c->id, 0);
	ck_assert_int_eq(c->version, 1);
	ck_assert_str_eq(c->number, "TS-20260302-000001");
	ck_assert(strncmp(c->uid, "wang-", 5) == 0);
	complaint_store_close(st);

	st = open_store();
	struct complaint *back = NULL;
	ck_assert_int_eq(complaint_store_load(st, c->id, &back), 1);
	assert_same(c, back);
	ck_assert_int_eq(memcmp(back->facts, texts[2], strlen(texts[2]) + 1), 0);
	complaint_free(back);
	ck_assert_int_eq(complaint_store_find(st, "TS-20260302-000001", &back), 1);
	assert_same(c, back);
	complaint_free(back);
	ck_assert_int_eq(complaint_store_find(st, "TS-20260302-000009", &back), 0);
	ck_assert_ptr_null(back);
	ck_assert_int_eq(complaint_store_load(st, 999, &back), 0);
	complaint_store_close(st);

	/* the bytes in the file, read by SQLite itself */
	sqlite3 *db;
	sqlite3_stmt *s;
	ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
	ck_assert_int_eq(sqlite3_prepare_v2(db, "SELECT name, address, facts, grounds,"
	    " channel FROM complaint", -1, &s, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_step(s), SQLITE_ROW);
	for (int i = 0; i < 4; i++) {
		ck_assert_int_eq(sqlite3_column_bytes(s, i), (int)strlen(texts[i]));
		ck_assert_int_eq(memcmp(sqlite3_column_text(s, i), texts[i], strlen(texts[i])), 0);
	}
	ck_assert_str_eq((const char *)sqlite3_column_text(s, 4), "hotline");
	sqlite3_finalize(s);
	sqlite3_close(db);
	complaint_free(c);
}
END_TEST

static int
raw_exec(const char *sql, char **err)
{
	sqlite3 *db;
	ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
	int rc = sqlite3_exec(db, sql, NULL, NULL, err);
	sqlite3_close(db);
	return rc;
}

static int64_t
raw_int(const char *sql)
{
	sqlite3 *db;
	sqlite3_stmt *s;
	ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
	ck_assert_int_eq(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_step(s), SQLITE_ROW);
	int64_t v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	sqlite3_close(db);
	return v;
}

START_TEST(history_is_append_only)
{
	struct complaint_store *st = open_store();
	struct complaint *c = sample("2026-03-02 10:00", "张三");
	ck_assert_int_eq(complaint_store_save(st, c, cd, T("2026-03-02 10:05"), NULL), 0);
	ck_assert_int_eq(complaint_apply(c, COMPLAINT_ACT_REGISTER, cd, T("2026-03-02 10:06"),
	    NULL), COMPLAINT_OK);
	set(c, CF_phone, "13900001111");
	ck_assert_int_eq(complaint_store_save(st, c, cd, T("2026-03-02 10:06"), "register"), 0);
	ck_assert_int_eq(c->version, 2);

	struct complaint_change *ch;
	size_t n;
	ck_assert_int_eq(complaint_store_history(st, c->id, &ch, &n), 0);
	/* the first save: one row per non-empty field, old "" */
	size_t first = 0, phone = n, state = n;
	for (size_t i = 0; i < n; i++) {
		ck_assert_str_eq(ch[i].actor, "wang");
		if (ch[i].version == 1) {
			first++;
			ck_assert_str_eq(ch[i].note, "");
		}
		if (ch[i].version == 2 && strcmp(ch[i].field, "phone") == 0)
			phone = i;
		if (ch[i].version == 2 && strcmp(ch[i].field, "state") == 0)
			state = i;
	}
	ck_assert_uint_ge(first, 10);
	ck_assert_uint_eq(n - first, 2);
	ck_assert_uint_lt(phone, n);
	ck_assert_str_eq(ch[phone].old_value, "13812345678");
	ck_assert_str_eq(ch[phone].new_value, "13900001111");
	ck_assert_str_eq(ch[phone].note, "register");
	ck_assert_int_eq(ch[phone].ts, T("2026-03-02 10:06"));
	ck_assert_uint_lt(state, n);
	ck_assert_str_eq(ch[state].old_value, "received");
	ck_assert_str_eq(ch[state].new_value, "registered");
	complaint_changes_free(ch, n);
	complaint_store_close(st);

	char *err = NULL;
	ck_assert_int_ne(raw_exec("UPDATE complaint_history SET new_value = 'x'", &err),
	    SQLITE_OK);
	ck_assert_ptr_nonnull(strstr(err, "append-only"));
	sqlite3_free(err);
	err = NULL;
	ck_assert_int_ne(raw_exec("DELETE FROM complaint_history", &err), SQLITE_OK);
	ck_assert_ptr_nonnull(strstr(err, "append-only"));
	sqlite3_free(err);
	ck_assert_int_eq(raw_int("SELECT count(*) FROM complaint_history"), (int64_t)n);
	complaint_free(c);
}
END_TEST

START_TEST(pauses_and_their_history)
{
	struct complaint_store *st = open_store();
	struct complaint *c = sample("2026-03-02 10:00", "张三");
	c->state = COMPLAINT_INVESTIGATING;
	set(c, CF_pause_reason, "valuation");
	set(c, CF_pause_notified_at, "2026-03-05 09:00");
	ck_assert_int_eq(complaint_apply(c, COMPLAINT_ACT_PAUSE, cd, T("2026-03-05 09:00"),
	    NULL), COMPLAINT_OK);
	ck_assert_int_eq(complaint_store_save(st, c, cd, T("2026-03-05 09:00"), "pause"), 0);
	ck_assert_int_eq(complaint_apply(c, COMPLAINT_ACT_RESUME, cd, T("2026-03-08 15:00"),
	    NULL), COMPLAINT_OK);
	ck_assert_int_eq(complaint_store_save(st, c, cd, T("2026-03-08 15:00"), "resume"), 0);
	struct complaint *back;
	ck_assert_int_eq(complaint_store_load(st, c->id, &back), 1);
	assert_same(c, back);
	ck_assert_int_eq(back->pauses[0].end, T("2026-03-08 15:00"));
	complaint_free(back);

	struct complaint_change *ch;
	size_t n, found = 0;
	ck_assert_int_eq(complaint_store_history(st, c->id, &ch, &n), 0);
	for (size_t i = 0; i < n; i++)
		if (strcmp(ch[i].field, "pause") == 0 && ch[i].version == 2) {
			ck_assert_str_eq(ch[i].old_value, "valuation 2026-03-05 09:00:00 ..  "
			    "(told 2026-03-05 09:00:00)");
			ck_assert_str_eq(ch[i].new_value, "valuation 2026-03-05 09:00:00 .. "
			    "2026-03-08 15:00:00 (told 2026-03-05 09:00:00)");
			found++;
		}
	ck_assert_uint_eq(found, 1);
	complaint_changes_free(ch, n);
	complaint_store_close(st);
	complaint_free(c);
}
END_TEST

START_TEST(version_conflict)
{
	struct complaint_store *st = open_store();
	struct complaint *c = sample("2026-03-02 10:00", "张三");
	ck_assert_int_eq(complaint_store_save(st, c, cd, T("2026-03-02 10:05"), NULL), 0);
	struct complaint *a, *b;
	ck_assert_int_eq(complaint_store_load(st, c->id, &a), 1);
	ck_assert_int_eq(complaint_store_load(st, c->id, &b), 1);
	set(a, CF_handler, "wang");
	set(b, CF_handler, "li");
	ck_assert_int_eq(complaint_store_save(st, a, cd, T("2026-03-02 10:06"), NULL), 0);
	int64_t rows = raw_int("SELECT count(*) FROM complaint_history");
	ck_assert_int_eq(complaint_store_save(st, b, cd, T("2026-03-02 10:07"), NULL), -1);
	ck_assert_ptr_nonnull(strstr(complaint_store_errmsg(st), "version conflict"));
	ck_assert_int_eq(b->version, 1);        /* unchanged */
	ck_assert_int_eq(raw_int("SELECT count(*) FROM complaint_history"), rows);
	ck_assert_int_eq(raw_int("SELECT count(*) FROM complaint_outbox"), 2);
	struct complaint *now;
	ck_assert_int_eq(complaint_store_load(st, c->id, &now), 1);
	ck_assert_str_eq(now->handler, "wang");
	ck_assert_int_eq(now->version, 2);
	/* the store still works after the refused save */
	set(now, CF_handler, "li");
	ck_assert_int_eq(complaint_store_save(st, now, cd, T("2026-03-02 10:08"), NULL), 0);
	complaint_free(now);
	complaint_free(a);
	complaint_free(b);
	complaint_free(c);
	complaint_store_close(st);
}
END_TEST

START_TEST(numbers_per_day)
{
	struct complaint_store *st = open_store();
	const char *days[] = { "2026-03-02 10:00", "2026-03-02 23:59", "2026-03-03 00:00",
		"2026-03-02 08:00" };
	const char *want[] = { "TS-20260302-000001", "TS-20260302-000002",
		"TS-20260303-000001", "TS-20260302-000003" };
	for (size_t i = 0; i < ARRAY_LEN(days); i++) {
		struct complaint *c = sample(days[i], "张三");
		ck_assert_int_eq(complaint_store_save(st, c, cd, T("2026-03-04 10:00"), NULL), 0);
		ck_assert_str_eq(c->number, want[i]);
		complaint_free(c);
	}
	complaint_store_close(st);
}
END_TEST

START_TEST(draft_survives_kill_9)
{
	struct complaint *c = sample("2026-03-02 10:00", "李四");
	set(c, CF_facts, texts[2]);
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		struct complaint_store *st = complaint_store_open(path, "wang", NULL);
		if (st == NULL || complaint_store_draft_put(st, 0, c, T("2026-03-02 10:01")) != 0)
			_exit(1);
		/* every keystroke: the last put wins */
		set(c, CF_grounds, "第三次修改");
		if (complaint_store_draft_put(st, 0, c, T("2026-03-02 10:02")) != 0)
			_exit(1);
		raise(SIGKILL);
		_exit(2);
	}
	int status;
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);

	set(c, CF_grounds, "第三次修改");
	struct complaint_store *st = open_store();
	int64_t id = -1;
	ck_assert_int_eq(complaint_store_draft_latest(st, &id), 1);
	ck_assert_int_eq(id, 0);
	struct complaint *d;
	ck_assert_int_eq(complaint_store_draft_get(st, 0, &d), 1);
	assert_same(c, d);
	complaint_free(d);
	ck_assert_int_eq(complaint_store_draft_get(st, 7, &d), 0);
	/* saving the new complaint drops its draft */
	ck_assert_int_eq(complaint_store_save(st, c, cd, T("2026-03-02 10:03"), NULL), 0);
	ck_assert_int_eq(complaint_store_draft_get(st, 0, &d), 0);
	ck_assert_int_eq(complaint_store_draft_latest(st, &id), 0);
	/* a draft of a saved complaint, dropped by hand */
	ck_assert_int_eq(complaint_store_draft_put(st, c->id, c, T("2026-03-02 10:04")), 0);
	ck_assert_int_eq(complaint_store_draft_latest(st, &id), 1);
	ck_assert_int_eq(id, c->id);
	ck_assert_int_eq(complaint_store_draft_drop(st, c->id), 0);
	ck_assert_int_eq(complaint_store_draft_get(st, c->id, &d), 0);
	complaint_store_close(st);
	complaint_free(c);
}
END_TEST

START_TEST(outbox_until_acknowledged)
{
	struct complaint_store *st = open_store();
	struct complaint *c = sample("2026-03-02 10:00", "张三");
	ck_assert_int_eq(complaint_store_save(st, c, cd, T("2026-03-02 10:05"), NULL), 0);
	set(c, CF_handler, "wang");
	ck_assert_int_eq(complaint_store_save(st, c, cd, T("2026-03-02 10:06"), NULL), 0);
	struct complaint *other = sample("2026-03-02 11:00", "王五");
	ck_assert_int_eq(complaint_store_save(st, other, cd, T("2026-03-02 11:00"), NULL), 0);
	complaint_store_close(st);

	st = open_store();
	struct complaint_outbox_row *rows;
	size_t n;
	ck_assert_int_eq(complaint_store_outbox_pending(st, 0, &rows, &n), 0);
	ck_assert_uint_eq(n, 3);
	ck_assert_str_eq(rows[0].uid, c->uid);
	ck_assert_int_eq(rows[0].version, 1);
	ck_assert_int_eq(rows[1].version, 2);
	ck_assert_str_eq(rows[2].uid, other->uid);
	ck_assert_int_lt(rows[0].seq, rows[1].seq);
	/* the payload is the record as it was at that version */
	struct complaint *v1 = complaint_decode(rows[0].payload);
	ck_assert_ptr_nonnull(v1);
	ck_assert_int_eq(v1->version, 1);
	ck_assert_str_eq(complaint_field_str(v1, CF_handler), "");
	ck_assert_str_eq(v1->name, "张三");
	complaint_free(v1);
	ck_assert_int_eq(complaint_store_outbox_tried(st, rows[0].seq), 0);
	ck_assert_int_eq(complaint_store_outbox_tried(st, rows[0].seq), 0);
	complaint_outbox_free(rows, n);

	ck_assert_int_eq(complaint_store_outbox_pending(st, 1, &rows, &n), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_int_eq(rows[0].attempts, 2);
	complaint_outbox_free(rows, n);

	/* an acknowledgement of version 2 settles version 1 too; repeating it is fine */
	ck_assert_int_eq(complaint_store_outbox_ack(st, c->uid, 2), 0);
	ck_assert_int_eq(complaint_store_outbox_ack(st, c->uid, 2), 0);
	ck_assert_int_eq(complaint_store_outbox_pending(st, 0, &rows, &n), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_str_eq(rows[0].uid, other->uid);
	complaint_outbox_free(rows, n);
	ck_assert_int_eq(complaint_store_outbox_ack(st, other->uid, 1), 0);
	ck_assert_int_eq(complaint_store_outbox_pending(st, 0, &rows, &n), 0);
	ck_assert_uint_eq(n, 0);
	complaint_outbox_free(rows, n);
	complaint_store_close(st);
	complaint_free(c);
	complaint_free(other);
}
END_TEST

static void
sup_count(void *user, const char *supplier, int64_t count)
{
	char *out = user;
	char line[64];
	snprintf(line, sizeof line, "%s=%lld;", supplier, (long long)count);
	strcat(out, line);
}

START_TEST(list_queries)
{
	struct complaint_store *st = open_store();
	struct {
		const char *received, *name, *handler, *supplier, *plate;
		enum complaint_state state;
	} rows[] = {
		{ "2026-03-02 10:00", "张三", "wang", "xingsha-rescue", "湘A12345",
		  COMPLAINT_INVESTIGATING },
		{ "2026-03-05 10:00", "李四", "li", "yuelu-tow", "湘A55555", COMPLAINT_RECEIVED },
		{ "2026-03-01 10:00", "王五", "wang", "yuelu-tow", "湘AD1234F", COMPLAINT_CLOSED },
		{ "2026-03-04 10:00", "赵六", "", "xingsha-rescue", "湘B00001",
		  COMPLAINT_INVESTIGATING },
	};
	for (size_t i = 0; i < ARRAY_LEN(rows); i++) {
		struct complaint *c = sample(rows[i].received, rows[i].name);
		set(c, CF_handler, rows[i].handler);
		set(c, CF_supplier, rows[i].supplier);
		set(c, CF_plate, rows[i].plate);
		c->state = rows[i].state;
		c->ack_at = T(rows[i].received) + 3600000;
		ck_assert_int_eq(complaint_store_save(st, c, cd, T("2026-03-06 10:00"), NULL), 0);
		complaint_free(c);
	}
	struct complaint **l;
	size_t n;
	struct complaint_query q = { 0 };
	/* everything, nearest due first: 张三's update (3 days after the acknowledgement,
	 * 03-06 00:00), 李四's acknowledgement (received Thursday, due at the end of Friday),
	 * 赵六's update (03-08 00:00), and the closed one, with no clock, last */
	ck_assert_int_eq(complaint_store_list(st, &q, &l, &n), 0);
	ck_assert_uint_eq(n, 4);
	ck_assert_str_eq(l[0]->name, "张三");
	ck_assert_str_eq(l[1]->name, "李四");
	ck_assert_str_eq(l[2]->name, "赵六");
	ck_assert_str_eq(l[3]->name, "王五");
	complaint_list_free(l, n);

	q.states = 1u << COMPLAINT_INVESTIGATING;
	ck_assert_int_eq(complaint_store_list(st, &q, &l, &n), 0);
	ck_assert_uint_eq(n, 2);
	complaint_list_free(l, n);
	q.handler = "wang";
	ck_assert_int_eq(complaint_store_list(st, &q, &l, &n), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_str_eq(l[0]->name, "张三");
	complaint_list_free(l, n);

	memset(&q, 0, sizeof q);
	q.supplier = "yuelu-tow";
	ck_assert_int_eq(complaint_store_list(st, &q, &l, &n), 0);
	ck_assert_uint_eq(n, 2);
	complaint_list_free(l, n);

	memset(&q, 0, sizeof q);
	q.text = "ad1234f";     /* the plate, typed in lower case */
	ck_assert_int_eq(complaint_store_list(st, &q, &l, &n), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_str_eq(l[0]->name, "王五");
	complaint_list_free(l, n);
	q.text = "赵";
	ck_assert_int_eq(complaint_store_list(st, &q, &l, &n), 0);
	ck_assert_uint_eq(n, 1);
	complaint_list_free(l, n);
	q.text = "%";           /* no wildcard */
	ck_assert_int_eq(complaint_store_list(st, &q, &l, &n), 0);
	ck_assert_uint_eq(n, 0);
	complaint_list_free(l, n);
	q.text = "TS-20260305";
	ck_assert_int_eq(complaint_store_list(st, &q, &l, &n), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_str_eq(l[0]->name, "李四");
	complaint_list_free(l, n);

	memset(&q, 0, sizeof q);
	q.due_before = T("2026-03-07 00:00");
	ck_assert_int_eq(complaint_store_list(st, &q, &l, &n), 0);
	ck_assert_uint_eq(n, 1);        /* before: 李四's is due at 03-07 00:00 itself */
	complaint_list_free(l, n);
	q.due_before = T("2026-03-07 00:01");
	ck_assert_int_eq(complaint_store_list(st, &q, &l, &n), 0);
	ck_assert_uint_eq(n, 2);
	complaint_list_free(l, n);

	memset(&q, 0, sizeof q);
	q.received_from = T("2026-03-02");
	q.received_to = T("2026-03-05");
	q.limit = 1;
	ck_assert_int_eq(complaint_store_list(st, &q, &l, &n), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_str_eq(l[0]->name, "张三");
	complaint_list_free(l, n);

	char out[256] = "";
	memset(&q, 0, sizeof q);
	ck_assert_int_eq(complaint_store_count_by_supplier(st, &q, sup_count, out), 0);
	ck_assert_str_eq(out, "xingsha-rescue=2;yuelu-tow=2;");
	out[0] = '\0';
	q.states = 1u << COMPLAINT_INVESTIGATING | 1u << COMPLAINT_RECEIVED;
	ck_assert_int_eq(complaint_store_count_by_supplier(st, &q, sup_count, out), 0);
	ck_assert_str_eq(out, "xingsha-rescue=2;yuelu-tow=1;");
	complaint_store_close(st);
}
END_TEST

/* ---- the file ------------------------------------------------------------------------- */

static mode_t
mode_of(const char *p)
{
	struct stat sb;
	ck_assert_msg(stat(p, &sb) == 0, "%s", p);
	return sb.st_mode & 07777;
}

START_TEST(private_under_umask_022)
{
	mode_t old = umask(022);
	struct complaint_store *st = open_store();
	struct complaint *c = sample("2026-03-02 10:00", "张三");
	ck_assert_int_eq(complaint_store_save(st, c, cd, T("2026-03-02 10:05"), NULL), 0);
	char wal[160], sub[96];
	snprintf(wal, sizeof wal, "%s-wal", path);
	snprintf(sub, sizeof sub, "%s/sub", dir);
	ck_assert_int_eq(mode_of(path), 0600);
	ck_assert_int_eq(mode_of(wal), 0600);
	ck_assert_int_eq(mode_of(sub), 0700);
	complaint_store_close(st);
	/* a file made readable by someone else is made private again */
	ck_assert_int_eq(chmod(path, 0644), 0);
	st = open_store();
	ck_assert_int_eq(mode_of(path), 0600);
	complaint_store_close(st);
	umask(old);
	complaint_free(c);
}
END_TEST

START_TEST(wal_mode)
{
	struct complaint_store *st = open_store();
	sqlite3 *db;
	sqlite3_stmt *s;
	ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
	ck_assert_int_eq(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &s, NULL),
	    SQLITE_OK);
	ck_assert_int_eq(sqlite3_step(s), SQLITE_ROW);
	ck_assert_str_eq((const char *)sqlite3_column_text(s, 0), "wal");
	sqlite3_finalize(s);
	sqlite3_close(db);
	complaint_store_close(st);
}
END_TEST

static void
make_file(const char *bytes, size_t len)
{
	char sub[96];
	snprintf(sub, sizeof sub, "%s/sub", dir);
	mkdir(sub, 0700);
	FILE *f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(bytes, 1, len, f), len);
	fclose(f);
}

/* Version 0 in every form it comes in, then a save and a load on the result. */
START_TEST(migrate_from_version_0)
{
	for (int form = 0; form < 3; form++) {
		char sub[96];
		snprintf(sub, sizeof sub, "%s/sub", dir);
		rd_remove_tree(sub);
		if (form == 1)
			make_file("", 0);               /* an empty file */
		if (form == 2) {                        /* a database, user_version 0, no tables */
			make_file("", 0);
			ck_assert_int_eq(raw_exec("PRAGMA user_version = 0; CREATE TABLE t(x);"
			    " DROP TABLE t;", NULL), SQLITE_OK);
		}
		struct complaint_store *st = open_store();
		ck_assert_int_eq(complaint_store_schema(st), COMPLAINT_STORE_SCHEMA);
		struct complaint *c = sample("2026-03-02 10:00", "张三"), *back;
		ck_assert_int_eq(complaint_store_save(st, c, cd, T("2026-03-02 10:05"), NULL), 0);
		ck_assert_int_eq(complaint_store_load(st, c->id, &back), 1);
		assert_same(c, back);
		complaint_free(back);
		complaint_free(c);
		complaint_store_close(st);
		/* opening again migrates nothing and keeps the data */
		st = open_store();
		ck_assert_int_eq(complaint_store_schema(st), COMPLAINT_STORE_SCHEMA);
		ck_assert_int_eq(raw_int("SELECT count(*) FROM complaint"), 1);
		complaint_store_close(st);
	}
}
END_TEST

START_TEST(refuses_what_it_cannot_read)
{
	char *cause = NULL;

	/* a newer schema: refused, and left as it was */
	make_file("", 0);
	ck_assert_int_eq(raw_exec("PRAGMA user_version = 7", NULL), SQLITE_OK);
	ck_assert_ptr_null(complaint_store_open(path, "wang", &cause));
	ck_assert_ptr_nonnull(strstr(cause, "schema version 7 is newer"));
	free(cause);
	ck_assert_int_eq(raw_int("PRAGMA user_version"), 7);
	ck_assert_int_eq(raw_int("SELECT count(*) FROM sqlite_master"), 0);

	/* not a database */
	make_file("this is not a database, it is a complaint letter\n", 48);
	ck_assert_ptr_null(complaint_store_open(path, "wang", &cause));
	ck_assert_ptr_nonnull(strstr(cause, path));
	free(cause);

	/* a version-0 database with a table of the same name: not adopted */
	make_file("", 0);
	ck_assert_int_eq(raw_exec("CREATE TABLE complaint_draft(x)", NULL), SQLITE_OK);
	ck_assert_ptr_null(complaint_store_open(path, "wang", &cause));
	ck_assert_ptr_nonnull(strstr(cause, "create schema 1"));
	free(cause);
	ck_assert_int_eq(raw_int("PRAGMA user_version"), 0);
	ck_assert_int_eq(raw_int("SELECT count(*) FROM sqlite_master"), 1);
}
END_TEST

START_TEST(default_path)
{
	char *cause = NULL, *p;
	setenv("XDG_DATA_HOME", "/x/data", 1);
	p = complaint_store_path("wang", &cause);
	ck_assert_str_eq(p, "/x/data/rescuedesk/complaints-wang.db");
	free(p);
	setenv("XDG_DATA_HOME", "", 1);
	setenv("HOME", "/home/w", 1);
	p = complaint_store_path("wang", &cause);
	ck_assert_str_eq(p, "/home/w/.local/share/rescuedesk/complaints-wang.db");
	free(p);
	ck_assert_ptr_null(complaint_store_path("../etc", &cause));
	free(cause);
	cause = NULL;
	ck_assert_ptr_null(complaint_store_path("", &cause));
	free(cause);
	unsetenv("XDG_DATA_HOME");
	unsetenv("HOME");
	cause = NULL;
	ck_assert_ptr_null(complaint_store_path("wang", &cause));
	ck_assert_ptr_nonnull(cause);
	free(cause);
}
END_TEST

static Suite *
store_suite(void)
{
	Suite *s = suite_create("complaint-store");
	TCase *tc = tcase_create("store");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, round_trip_byte_exact);
	tcase_add_test(tc, history_is_append_only);
	tcase_add_test(tc, pauses_and_their_history);
	tcase_add_test(tc, version_conflict);
	tcase_add_test(tc, numbers_per_day);
	tcase_add_test(tc, draft_survives_kill_9);
	tcase_add_test(tc, outbox_until_acknowledged);
	tcase_add_test(tc, list_queries);
	tcase_add_test(tc, private_under_umask_022);
	tcase_add_test(tc, wal_mode);
	tcase_add_test(tc, migrate_from_version_0);
	tcase_add_test(tc, refuses_what_it_cannot_read);
	tcase_add_test(tc, default_path);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return check_main(store_suite());
}
