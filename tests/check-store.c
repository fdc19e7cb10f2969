/* check-store.c: the SQLite store: open, append and replay, checkpoint, reopen, meta,
 * replies, rollback, per-entity history, schema versioning and crash durability.
 *
 * Loop tests run twice: index 0 on ":memory:", index 1 on a file in a fresh mkdtemp dir. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "store.h"
#include "util.h"

#define REC_MAX 64
#define BODY_MAX 8192

static char dir[256];
static char dbpath[300];

static void
setup(void)
{
	const char *tmp = getenv("TMPDIR");

	snprintf(dir, sizeof dir, "%s/check-store-XXXXXX", tmp != NULL && *tmp != '\0' ?
	    tmp : "/tmp");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(dbpath, sizeof dbpath, "%s/rescuedesk.db", dir);
}

static void
teardown(void)
{
	ck_assert_msg(rd_remove_tree(dir) == 0, "removing %s: %s", dir, strerror(errno));
}

static struct store *
open_ok(const char *path, enum store_sync sync)
{
	char *cause = NULL;
	struct store *st = store_open(path, sync, &cause);

	ck_assert_msg(st != NULL, "store_open(%s): %s", path, cause != NULL ? cause : "?");
	ck_assert_ptr_null(cause);
	return st;
}

static struct store *
open_backend(int i)
{
	return open_ok(i == 0 ? ":memory:" : dbpath, STORE_SYNC_NORMAL);
}

static int64_t
append(struct store *st, int64_t ts, const char *stream, const char *entity, const char *kind,
    const char *body)
{
	struct store_event ev = {
		.ts = ts, .stream = stream, .entity = entity, .kind = kind, .user = "u7",
		.detail = kind, .body = body, .body_len = strlen(body),
	};

	ck_assert_msg(store_event_append(st, &ev) == 0, "append: %s", store_errmsg(st));
	return ev.id;
}

static void
begin(struct store *st)
{
	ck_assert_msg(store_begin(st) == 0, "begin: %s", store_errmsg(st));
}

static void
commit(struct store *st)
{
	ck_assert_msg(store_commit(st) == 0, "commit: %s", store_errmsg(st));
}

/* What a load callback saw, copied out. */
struct rec_item {
	char stream[32];
	char entity[32];
	unsigned char body[BODY_MAX];
	size_t len;
};

struct rec {
	int n;
	int stop_at; /* return non-zero on this call (1-based); 0 never */
	struct rec_item item[REC_MAX];
};

static struct rec *
rec_new(void)
{
	return xcalloc(1, sizeof(struct rec));
}

static int
rec_cb(void *ctx, const char *stream, const char *entity, const void *body, size_t len)
{
	struct rec *r = ctx;
	struct rec_item *it;

	ck_assert_int_lt(r->n, REC_MAX);
	ck_assert_uint_le(len, BODY_MAX);
	it = &r->item[r->n++];
	rd_strlcpy(it->stream, stream, sizeof it->stream);
	rd_strlcpy(it->entity, entity, sizeof it->entity);
	if (len != 0)
		memcpy(it->body, body, len);
	it->len = len;
	return r->stop_at != 0 && r->n == r->stop_at;
}

static void
rec_check(const struct rec *r, int i, const char *stream, const char *entity,
    const void *body, size_t len)
{
	ck_assert_int_lt(i, r->n);
	ck_assert_str_eq(r->item[i].stream, stream);
	ck_assert_str_eq(r->item[i].entity, entity);
	ck_assert_uint_eq(r->item[i].len, len);
	if (len != 0)
		ck_assert_mem_eq(r->item[i].body, body, len);
}

static void
rec_check_str(const struct rec *r, int i, const char *stream, const char *entity,
    const char *body)
{
	rec_check(r, i, stream, entity, body, strlen(body));
}

static void
load(struct store *st, struct rec *r, int64_t *replayed)
{
	ck_assert_msg(store_load(st, rec_cb, r, replayed) == 0, "load: %s", store_errmsg(st));
}

/* --- open ------------------------------------------------------------------------------ */

START_TEST(test_open_empty)
{
	struct store *st = open_backend(_i);
	struct rec *r = rec_new();
	int64_t replayed = -1;

	ck_assert_ptr_nonnull(store_errmsg(st));
	ck_assert_int_eq(store_event_last_id(st), 0);
	load(st, r, &replayed);
	ck_assert_int_eq(r->n, 0);
	ck_assert_int_eq(replayed, 0);
	if (_i == 1)
		ck_assert_int_eq(access(dbpath, F_OK), 0);
	store_close(st);
	store_close(NULL);
	free(r);
}
END_TEST

START_TEST(test_open_missing_dir)
{
	char path[400];
	char *cause = NULL;

	snprintf(path, sizeof path, "%s/no-such-dir/rescuedesk.db", dir);
	ck_assert_ptr_null(store_open(path, STORE_SYNC_NORMAL, &cause));
	ck_assert_ptr_nonnull(cause);
	ck_assert_msg(strstr(cause, path) != NULL, "cause lacks the path: %s", cause);
	ck_assert_msg(strstr(cause, "No such file") != NULL, "cause: %s", cause);
	free(cause);
	ck_assert_ptr_null(store_open(path, STORE_SYNC_NORMAL, NULL));
}
END_TEST

/* One broker a store: a second open of the same file is refused while the first holds it,
 * and allowed once it is closed. The file is private to its owner whatever the umask. */
START_TEST(test_open_exclusive)
{
	char path[400];
	char *cause = NULL;
	struct stat sb;
	mode_t old = umask(022);

	snprintf(path, sizeof path, "%s/one.db", dir);
	struct store *a = store_open(path, STORE_SYNC_NORMAL, NULL);
	umask(old);
	ck_assert_ptr_nonnull(a);
	ck_assert_int_eq(stat(path, &sb), 0);
	ck_assert_int_eq(sb.st_mode & 0777, 0600);
	ck_assert_ptr_null(store_open(path, STORE_SYNC_NORMAL, &cause));
	ck_assert_ptr_nonnull(cause);
	ck_assert_msg(strstr(cause, "in use by another process") != NULL, "cause: %s", cause);
	free(cause);
	store_close(a);
	a = store_open(path, STORE_SYNC_NORMAL, NULL);
	ck_assert_ptr_nonnull(a);
	store_close(a);
}
END_TEST

/* user_version is the big-endian 32-bit integer at offset 60 of the database header. */
static void
poke_user_version(const char *path, uint32_t v)
{
	unsigned char b[4] = { (unsigned char)(v >> 24), (unsigned char)(v >> 16),
	    (unsigned char)(v >> 8), (unsigned char)v };
	int fd = open(path, O_WRONLY);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(pwrite(fd, b, sizeof b, 60), 4);
	ck_assert_int_eq(close(fd), 0);
}

static uint32_t
peek_user_version(const char *path)
{
	unsigned char b[4];
	int fd = open(path, O_RDONLY);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(pread(fd, b, sizeof b, 60), 4);
	close(fd);
	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

static int
count_cb(void *ctx, int64_t entity, int64_t ts, const void *body, size_t len)
{
	(void)entity, (void)ts, (void)body, (void)len;
	++*(int *)ctx;
	return 0;
}

START_TEST(test_schema_too_new)
{
	struct store *st = open_ok(dbpath, STORE_SYNC_NORMAL);
	char *cause = NULL;
	int n = 0;

	begin(st);
	append(st, 1, "ticket", "1", "created", "x");
	commit(st);
	store_close(st); /* checkpoints the WAL into the file and removes it */
	ck_assert_int_ne(access(dbpath, F_OK), -1);
	ck_assert_uint_eq(peek_user_version(dbpath), 4);

	poke_user_version(dbpath, 99);
	ck_assert_ptr_null(store_open(dbpath, STORE_SYNC_NORMAL, &cause));
	ck_assert_ptr_nonnull(cause);
	ck_assert_msg(strstr(cause, "schema version 99 is newer") != NULL, "cause: %s", cause);
	free(cause);
	ck_assert_uint_eq(peek_user_version(dbpath), 99); /* left as found */

	/* Back at version 1, it opens again with its data and upgrades: the table of newest
	 * states (store_latest_each) is rebuilt from the log. */
	poke_user_version(dbpath, 1);
	st = open_ok(dbpath, STORE_SYNC_NORMAL);
	ck_assert_int_eq(store_event_last_id(st), 1);
	ck_assert_int_eq(store_latest_each(st, "ticket", 0, count_cb, &n), 0);
	ck_assert_int_eq(n, 1);
	store_close(st);
	ck_assert_uint_eq(peek_user_version(dbpath), 4);
}
END_TEST

struct code_seen {
	int n;
	char code[4][32];
	size_t params_len[4];
	unsigned char params0[4];
};

static int
code_cb(void *ctx, const struct store_event *ev)
{
	struct code_seen *c = ctx;
	ck_assert_int_lt(c->n, 4);
	ck_assert_ptr_nonnull(ev->code);
	snprintf(c->code[c->n], sizeof c->code[c->n], "%s", ev->code);
	c->params_len[c->n] = ev->params_len;
	c->params0[c->n] = ev->params_len > 0 ? *(const unsigned char *)ev->params : 0;
	c->n++;
	return 0;
}

/* A database written by schema version 2 (tests/fixtures/store-v2.db, made by the SQL of
 * that version): it upgrades to 3 keeping its events, which have no code and no params,
 * and takes new events with them. */
START_TEST(test_schema_upgrade_3)
{
	char cmd[700];
	struct code_seen seen = { 0 };
	static const unsigned char params[] = { 0x81, 0xa1, 's', 0x05 }; /* {"s": 5} */

	snprintf(cmd, sizeof cmd, "cp '%s/store-v2.db' '%s'", SOURCE_FIXTURES_DIR, dbpath);
	ck_assert_int_eq(system(cmd), 0);
	ck_assert_uint_eq(peek_user_version(dbpath), 2);
	struct store *st = open_ok(dbpath, STORE_SYNC_NORMAL);
	ck_assert_int_eq(store_event_last_id(st), 2);
	begin(st);
	struct store_event ev = { .ts = 3000, .stream = "ticket", .entity = "7", .kind = "eta",
		.user = "", .detail = "ETA now 5 min (model)", .body = "", .body_len = 0,
		.code = "eta", .params = params, .params_len = sizeof params };
	ck_assert_int_eq(store_event_append(st, &ev), 0);
	commit(st);
	ck_assert_int_eq(store_events_of(st, "ticket", "7", code_cb, &seen), 0);
	ck_assert_int_eq(seen.n, 3);
	ck_assert_str_eq(seen.code[0], "");
	ck_assert_uint_eq(seen.params_len[0], 0);
	ck_assert_str_eq(seen.code[1], "");
	ck_assert_str_eq(seen.code[2], "eta");
	ck_assert_uint_eq(seen.params_len[2], sizeof params);
	ck_assert_uint_eq(seen.params0[2], 0x81);
	store_close(st);
	/* and opens again as it is */
	st = open_ok(dbpath, STORE_SYNC_NORMAL);
	store_close(st);
	ck_assert_uint_eq(peek_user_version(dbpath), 4);
}
END_TEST

/* A database written by schema version 3 (tests/fixtures/store-v3.db: version 2's file
 * with version 3's step): it upgrades to 4 keeping its events and gains the central copy
 * of complaints, whose acknowledgements stay after a later version and a reopening. */
START_TEST(test_schema_upgrade_4)
{
	char cmd[700];
	struct store_complaint c = { .version = 1, .saved_by = "ana", .saved_at = 5000 }, got;

	snprintf(cmd, sizeof cmd, "cp '%s/store-v3.db' '%s'", SOURCE_FIXTURES_DIR, dbpath);
	ck_assert_int_eq(system(cmd), 0);
	ck_assert_uint_eq(peek_user_version(dbpath), 3);
	struct store *st = open_ok(dbpath, STORE_SYNC_NORMAL);
	ck_assert_int_eq(store_event_last_id(st), 2);
	ck_assert_int_eq(store_complaint_get(st, "ana-1", &got), 0);
	ck_assert_int_eq(store_complaint_acked(st, "ana-1", 1, "x", &got), 0);
	ck_assert_int_eq(store_complaint_put(st, "ana-1", &c, "x"), -1); /* outside a txn */
	begin(st);
	ck_assert_int_eq(store_complaint_put(st, "ana-1", &c, "uid=ana-1\nversion=1\n"), 0);
	c = (struct store_complaint){ .version = 2, .saved_by = "bo", .saved_at = 6000 };
	ck_assert_int_eq(store_complaint_put(st, "ana-1", &c, "uid=ana-1\nversion=2\n"), 0);
	/* a version is acknowledged once */
	ck_assert_int_eq(store_complaint_put(st, "ana-1", &c, "uid=ana-1\nversion=2\n"), -1);
	commit(st);
	store_close(st);
	ck_assert_uint_eq(peek_user_version(dbpath), 4);
	st = open_ok(dbpath, STORE_SYNC_NORMAL);
	ck_assert_int_eq(store_complaint_get(st, "ana-1", &got), 1);
	ck_assert_int_eq(got.version, 2);
	ck_assert_str_eq(got.saved_by, "bo");
	ck_assert_int_eq(got.saved_at, 6000);
	ck_assert_int_eq(store_complaint_acked(st, "ana-1", 1, "uid=ana-1\nversion=1\n", &got), 1);
	ck_assert(got.same);
	ck_assert_int_eq(got.version, 1);
	ck_assert_str_eq(got.saved_by, "ana");
	ck_assert_int_eq(got.saved_at, 5000);
	ck_assert_int_eq(store_complaint_acked(st, "ana-1", 2, "uid=ana-1\nversion=3\n", &got), 1);
	ck_assert(!got.same);
	ck_assert_int_eq(store_complaint_acked(st, "ana-1", 3, "", &got), 0);
	ck_assert_int_eq(store_complaint_get(st, "bo-1", &got), 0);
	store_close(st);
}
END_TEST

START_TEST(test_not_a_database)
{
	char junk[4096];
	char *cause = NULL;
	FILE *f = fopen(dbpath, "wb");

	ck_assert_ptr_nonnull(f);
	memset(junk, 'J', sizeof junk);
	ck_assert_uint_eq(fwrite(junk, 1, sizeof junk, f), sizeof junk);
	ck_assert_int_eq(fclose(f), 0);
	ck_assert_ptr_null(store_open(dbpath, STORE_SYNC_NORMAL, &cause));
	ck_assert_ptr_nonnull(cause);
	ck_assert_msg(strstr(cause, "not a database") != NULL, "cause: %s", cause);
	free(cause);
}
END_TEST

/* --- append and replay ----------------------------------------------------------------- */

static const unsigned char bin_body[] = { 0x00, 0xff, 0x01, 0x00, 0x80, 0x7f, 0x00 };

struct ev_case {
	const char *stream, *entity, *kind, *user, *detail;
	const void *body;
	size_t len;
};

START_TEST(test_append_replay)
{
	static unsigned char big[5000];
	const struct ev_case cases[] = {
		{ "ticket", "1", "created", "agent1", "opened by phone", "{\"s\":1}", 7 },
		{ "truck", "T-12", "state", "", "", bin_body, sizeof bin_body },
		{ "ticket", "1", "note", "agent2", "caller called back", "", 0 },
		{ "warning", "w9", "raised", "", "SLA at risk", big, sizeof big },
		{ "ticket", "2", "created", "agent1", "", NULL, 0 },
		{ "ticket", "1", "state", "agent1", "\xe6\x95\x91\xe6\x8f\xb4", "z", 1 },
	};
	struct store *st = open_backend(_i);
	struct rec *r = rec_new();
	int64_t replayed = -1;
	size_t i;

	for (i = 0; i < sizeof big; i++)
		big[i] = (unsigned char)(i * 31 + 7);
	begin(st);
	for (i = 0; i < ARRAY_LEN(cases); i++) {
		struct store_event ev = {
			.id = 999, .ts = 1700000000000 + (int64_t)i, .stream = cases[i].stream,
			.entity = cases[i].entity, .kind = cases[i].kind, .user = cases[i].user,
			.detail = cases[i].detail, .body = cases[i].body, .body_len = cases[i].len,
		};
		ck_assert_msg(store_event_append(st, &ev) == 0, "%s", store_errmsg(st));
		ck_assert_int_eq(ev.id, (int64_t)i + 1);
	}
	commit(st);
	ck_assert_int_eq(store_event_last_id(st), (int64_t)ARRAY_LEN(cases));

	load(st, r, &replayed);
	ck_assert_int_eq(replayed, (int64_t)ARRAY_LEN(cases));
	ck_assert_int_eq(r->n, (int)ARRAY_LEN(cases));
	for (i = 0; i < ARRAY_LEN(cases); i++)
		rec_check(r, (int)i, cases[i].stream, cases[i].entity, cases[i].body, cases[i].len);

	/* Loading twice gives the same; NULL replayed is fine. */
	r->n = 0;
	ck_assert_int_eq(store_load(st, rec_cb, r, NULL), 0);
	ck_assert_int_eq(r->n, (int)ARRAY_LEN(cases));
	store_close(st);
	free(r);
}
END_TEST

/* --- checkpoint ------------------------------------------------------------------------ */

static void
put(struct store *st, const char *stream, const char *entity, const char *body)
{
	ck_assert_msg(store_checkpoint_put(st, stream, entity, body, strlen(body)) == 0, "%s",
	    store_errmsg(st));
}

START_TEST(test_checkpoint_tail)
{
	struct store *st = open_backend(_i);
	struct rec *r = rec_new();
	int64_t replayed = -1, last;

	begin(st);
	append(st, 1, "ticket", "1", "created", "t1 v1");
	append(st, 2, "ticket", "2", "created", "t2 v1");
	append(st, 3, "ticket", "1", "state", "t1 v2");
	last = append(st, 4, "truck", "x", "state", "x v1");
	commit(st);

	begin(st);
	ck_assert_int_eq(store_checkpoint_begin(st), 0);
	put(st, "ticket", "2", "t2 v1");
	put(st, "ticket", "1", "t1 v2");
	put(st, "truck", "x", "x v1");
	ck_assert_int_eq(store_checkpoint_end(st, last), 0);
	commit(st);
	ck_assert_int_eq(store_meta_get(st, "checkpoint_event", -1), last);

	begin(st);
	append(st, 5, "ticket", "1", "note", "t1 v3");
	append(st, 6, "ticket", "3", "created", "t3 v1");
	commit(st);

	load(st, r, &replayed);
	ck_assert_int_eq(replayed, 2);
	ck_assert_int_eq(r->n, 5);
	rec_check_str(r, 0, "ticket", "2", "t2 v1"); /* checkpoint first, in put order */
	rec_check_str(r, 1, "ticket", "1", "t1 v2");
	rec_check_str(r, 2, "truck", "x", "x v1");
	rec_check_str(r, 3, "ticket", "1", "t1 v3"); /* then the tail, in log order */
	rec_check_str(r, 4, "ticket", "3", "t3 v1");

	/* A new checkpoint replaces the old one entirely. */
	begin(st);
	ck_assert_int_eq(store_checkpoint_begin(st), 0);
	put(st, "ticket", "all", "everything");
	ck_assert_int_eq(store_checkpoint_end(st, 6), 0);
	commit(st);
	memset(r, 0, sizeof *r);
	load(st, r, &replayed);
	ck_assert_int_eq(replayed, 0);
	ck_assert_int_eq(r->n, 1);
	rec_check_str(r, 0, "ticket", "all", "everything");

	/* The log itself is untouched by checkpoints. */
	ck_assert_int_eq(store_event_last_id(st), 6);
	store_close(st);
	free(r);
}
END_TEST

START_TEST(test_checkpoint_end_past_log)
{
	struct store *st = open_backend(_i);

	begin(st);
	append(st, 1, "ticket", "1", "created", "a");
	ck_assert_int_eq(store_checkpoint_begin(st), 0);
	ck_assert_int_eq(store_checkpoint_end(st, 2), -1);
	ck_assert_msg(strstr(store_errmsg(st), "not in the log") != NULL, "%s", store_errmsg(st));
	ck_assert_int_eq(store_checkpoint_end(st, -1), -1);
	ck_assert_int_eq(store_checkpoint_end(st, 1), 0);
	commit(st);
	store_close(st);
}
END_TEST

/* A checkpoint committed without checkpoint_end must not hide events: full replay. */
START_TEST(test_checkpoint_unfinished)
{
	struct store *st = open_backend(_i);
	struct rec *r = rec_new();
	int64_t replayed = -1;

	begin(st);
	append(st, 1, "ticket", "1", "created", "a");
	ck_assert_int_eq(store_checkpoint_begin(st), 0);
	ck_assert_int_eq(store_checkpoint_end(st, 1), 0);
	append(st, 2, "ticket", "1", "state", "b");
	commit(st);

	begin(st);
	ck_assert_int_eq(store_checkpoint_begin(st), 0);
	put(st, "ticket", "1", "b");
	commit(st);

	load(st, r, &replayed);
	ck_assert_int_eq(replayed, 2);
	ck_assert_int_eq(r->n, 3);
	rec_check_str(r, 0, "ticket", "1", "b");
	rec_check_str(r, 1, "ticket", "1", "a");
	rec_check_str(r, 2, "ticket", "1", "b");
	store_close(st);
	free(r);
}
END_TEST

/* --- reopen ---------------------------------------------------------------------------- */

START_TEST(test_reopen)
{
	struct store *st = open_ok(dbpath, STORE_SYNC_FULL);
	struct rec *r = rec_new();
	int64_t replayed = -1;
	void *reply = NULL;
	size_t len = 0;

	begin(st);
	append(st, 10, "ticket", "1", "created", "t1 v1");
	append(st, 11, "ticket", "1", "state", "t1 v2");
	ck_assert_int_eq(store_checkpoint_begin(st), 0);
	put(st, "ticket", "1", "t1 v2");
	ck_assert_int_eq(store_checkpoint_end(st, 2), 0);
	append(st, 12, "truck", "9", "state", "truck 9");
	ck_assert_int_eq(store_meta_set(st, "epoch", 42), 0);
	ck_assert_int_eq(store_reply_put(st, "agent1", "c-1", 12, "ok", 2), 0);
	commit(st);
	store_close(st);

	st = open_ok(dbpath, STORE_SYNC_NORMAL);
	ck_assert_int_eq(store_event_last_id(st), 3);
	ck_assert_int_eq(store_meta_get(st, "epoch", 0), 42);
	ck_assert_int_eq(store_meta_get(st, "checkpoint_event", 0), 2);
	ck_assert_int_eq(store_reply_get(st, "agent1", "c-1", &reply, &len), 1);
	ck_assert_uint_eq(len, 2);
	ck_assert_mem_eq(reply, "ok", 2);
	free(reply);
	load(st, r, &replayed);
	ck_assert_int_eq(replayed, 1);
	ck_assert_int_eq(r->n, 2);
	rec_check_str(r, 0, "ticket", "1", "t1 v2");
	rec_check_str(r, 1, "truck", "9", "truck 9");

	/* Ids keep counting after a reopen. */
	begin(st);
	ck_assert_int_eq(append(st, 13, "ticket", "1", "note", "t1 v3"), 4);
	commit(st);
	store_close(st);
	free(r);
}
END_TEST

/* --- meta ------------------------------------------------------------------------------ */

START_TEST(test_meta)
{
	static const struct {
		const char *key;
		int64_t value;
	} cases[] = {
		{ "epoch", 1 },
		{ "big", INT64_MAX },
		{ "small", INT64_MIN },
		{ "zero", 0 },
		{ "negative", -5 },
	};
	struct store *st = open_backend(_i);
	size_t i;

	ck_assert_int_eq(store_meta_get(st, "epoch", 77), 77);
	ck_assert_int_eq(store_meta_get(st, "checkpoint_event", 0), 0);
	begin(st);
	for (i = 0; i < ARRAY_LEN(cases); i++)
		ck_assert_int_eq(store_meta_set(st, cases[i].key, cases[i].value), 0);
	commit(st);
	for (i = 0; i < ARRAY_LEN(cases); i++)
		ck_assert_int_eq(store_meta_get(st, cases[i].key, 12345), cases[i].value);

	begin(st);
	ck_assert_int_eq(store_meta_set(st, "epoch", 2), 0);
	commit(st);
	ck_assert_int_eq(store_meta_get(st, "epoch", 0), 2);

	begin(st);
	ck_assert_int_eq(store_meta_set(st, "epoch", 3), 0);
	ck_assert_int_eq(store_meta_get(st, "epoch", 0), 3); /* visible inside the transaction */
	ck_assert_int_eq(store_rollback(st), 0);
	ck_assert_int_eq(store_meta_get(st, "epoch", 0), 2);
	store_close(st);
}
END_TEST

/* --- replies --------------------------------------------------------------------------- */

START_TEST(test_replies)
{
	static const struct {
		const char *user, *cmd;
		int64_t ts;
		const void *reply;
		size_t len;
	} cases[] = {
		{ "agent1", "c-1", 1000, "reply one", 9 },
		{ "agent1", "c-2", 2000, bin_body, sizeof bin_body },
		{ "agent2", "c-1", 3000, "", 0 },
	};
	struct store *st = open_backend(_i);
	static char sentinel;
	void *reply = &sentinel; /* must stay untouched on a miss */
	size_t len = 12345, i;

	ck_assert_int_eq(store_reply_get(st, "agent1", "c-1", &reply, &len), 0);
	ck_assert_ptr_eq(reply, &sentinel);
	ck_assert_uint_eq(len, 12345);

	begin(st);
	for (i = 0; i < ARRAY_LEN(cases); i++)
		ck_assert_int_eq(store_reply_put(st, cases[i].user, cases[i].cmd, cases[i].ts,
		    cases[i].reply, cases[i].len), 0);
	commit(st);
	for (i = 0; i < ARRAY_LEN(cases); i++) {
		ck_assert_int_eq(store_reply_get(st, cases[i].user, cases[i].cmd, &reply, &len), 1);
		ck_assert_ptr_nonnull(reply);
		ck_assert_uint_eq(len, cases[i].len);
		ck_assert_mem_eq(reply, cases[i].reply, len);
		free(reply);
	}
	ck_assert_int_eq(store_reply_get(st, "agent3", "c-1", &reply, &len), 0);

	/* Same key again: the newer reply wins. */
	begin(st);
	ck_assert_int_eq(store_reply_put(st, "agent1", "c-2", 2500, "again", 5), 0);
	commit(st);
	ck_assert_int_eq(store_reply_get(st, "agent1", "c-2", &reply, &len), 1);
	ck_assert_uint_eq(len, 5);
	ck_assert_mem_eq(reply, "again", 5);
	free(reply);

	/* Expire drops strictly older entries, and counts them. */
	ck_assert_int_eq(store_reply_expire(st, 1000), 0);
	ck_assert_int_eq(store_reply_expire(st, 2001), 1);
	ck_assert_int_eq(store_reply_get(st, "agent1", "c-1", &reply, &len), 0);
	ck_assert_int_eq(store_reply_get(st, "agent1", "c-2", &reply, &len), 1);
	free(reply);
	begin(st);
	ck_assert_int_eq(store_reply_expire(st, 10000), 2); /* inside a transaction too */
	commit(st);
	ck_assert_int_eq(store_reply_expire(st, 10000), 0);
	ck_assert_int_eq(store_reply_get(st, "agent2", "c-1", &reply, &len), 0);
	store_close(st);
}
END_TEST

/* --- transactions ---------------------------------------------------------------------- */

START_TEST(test_rollback)
{
	struct store *st = open_backend(_i);
	struct rec *r = rec_new();
	int64_t replayed = -1;
	void *reply;
	size_t len;

	ck_assert_int_eq(store_rollback(st), 0); /* nothing open: a no-op */
	begin(st);
	append(st, 1, "ticket", "1", "created", "a");
	append(st, 2, "ticket", "2", "created", "b");
	append(st, 3, "ticket", "1", "state", "c");
	commit(st);

	begin(st);
	append(st, 4, "ticket", "3", "created", "lost 1");
	append(st, 5, "ticket", "3", "state", "lost 2");
	ck_assert_int_eq(store_reply_put(st, "agent1", "c-9", 5, "r", 1), 0);
	ck_assert_int_eq(store_meta_set(st, "epoch", 9), 0);
	ck_assert_int_eq(store_event_last_id(st), 5);
	ck_assert_int_eq(store_rollback(st), 0);

	ck_assert_int_eq(store_event_last_id(st), 3);
	ck_assert_int_eq(store_reply_get(st, "agent1", "c-9", &reply, &len), 0);
	ck_assert_int_eq(store_meta_get(st, "epoch", -1), -1);
	load(st, r, &replayed);
	ck_assert_int_eq(replayed, 3);
	ck_assert_int_eq(r->n, 3);
	rec_check_str(r, 2, "ticket", "1", "c");

	begin(st);
	ck_assert_int_eq(append(st, 6, "ticket", "4", "created", "d"), 4);
	commit(st);
	store_close(st);
	free(r);
}
END_TEST

enum write_op { OP_APPEND, OP_META, OP_CKPT_BEGIN, OP_CKPT_PUT, OP_CKPT_END, OP_REPLY };

START_TEST(test_write_needs_txn)
{
	struct store *st = open_backend(_i / 6);
	struct store_event ev = {
		.stream = "ticket", .entity = "1", .kind = "created", .body = "x", .body_len = 1,
	};
	int rc = 0;

	switch ((enum write_op)(_i % 6)) {
	case OP_APPEND:
		rc = store_event_append(st, &ev);
		break;
	case OP_META:
		rc = store_meta_set(st, "epoch", 1);
		break;
	case OP_CKPT_BEGIN:
		rc = store_checkpoint_begin(st);
		break;
	case OP_CKPT_PUT:
		rc = store_checkpoint_put(st, "ticket", "1", "x", 1);
		break;
	case OP_CKPT_END:
		rc = store_checkpoint_end(st, 0);
		break;
	case OP_REPLY:
		rc = store_reply_put(st, "u", "c", 1, "x", 1);
		break;
	}
	ck_assert_int_eq(rc, -1);
	ck_assert_msg(strstr(store_errmsg(st), "no transaction") != NULL, "%s", store_errmsg(st));
	ck_assert_int_eq(store_event_last_id(st), 0);

	/* Transaction verbs out of order fail with SQLite's reason. */
	ck_assert_int_eq(store_commit(st), -1);
	ck_assert_msg(strncmp(store_errmsg(st), "commit: ", 8) == 0, "%s", store_errmsg(st));
	begin(st);
	ck_assert_int_eq(store_begin(st), -1);
	ck_assert_msg(strncmp(store_errmsg(st), "begin: ", 7) == 0, "%s", store_errmsg(st));
	commit(st);
	store_close(st);
}
END_TEST

/* --- history of one entity ------------------------------------------------------------- */

struct hist {
	int n;
	int64_t id[REC_MAX];
	char kind[REC_MAX][16];
	char body[REC_MAX][16];
};

static int
hist_cb(void *ctx, const struct store_event *ev)
{
	struct hist *h = ctx;

	ck_assert_int_lt(h->n, REC_MAX);
	ck_assert_str_eq(ev->user, "u7");
	ck_assert_str_eq(ev->detail, ev->kind);
	ck_assert_int_eq(ev->ts, ev->id * 100);
	h->id[h->n] = ev->id;
	rd_strlcpy(h->kind[h->n], ev->kind, sizeof h->kind[0]);
	ck_assert_uint_lt(ev->body_len, sizeof h->body[0]);
	memcpy(h->body[h->n], ev->body, ev->body_len);
	h->body[h->n][ev->body_len] = '\0';
	h->n++;
	return 0;
}

START_TEST(test_events_of)
{
	static const struct {
		const char *stream, *entity, *kind, *body;
	} evlog[] = {
		{ "ticket", "1", "created", "a1" },
		{ "ticket", "2", "created", "b1" },
		{ "truck", "1", "state", "truck" },
		{ "ticket", "1", "assign", "a2" },
		{ "ticket", "10", "created", "c1" },
		{ "ticket", "1", "note", "a3" },
	};
	static const struct {
		const char *stream, *entity;
		int n;
		int64_t ids[3];
		const char *bodies[3];
	} cases[] = {
		{ "ticket", "1", 3, { 1, 4, 6 }, { "a1", "a2", "a3" } },
		{ "ticket", "2", 1, { 2 }, { "b1" } },
		{ "truck", "1", 1, { 3 }, { "truck" } },
		{ "ticket", "10", 1, { 5 }, { "c1" } },
		{ "ticket", "99", 0, { 0 }, { NULL } },
		{ "warning", "1", 0, { 0 }, { NULL } },
	};
	struct store *st = open_backend(_i);
	struct hist h;
	size_t i;
	int j;

	begin(st);
	for (i = 0; i < ARRAY_LEN(evlog); i++)
		append(st, (int64_t)(i + 1) * 100, evlog[i].stream, evlog[i].entity, evlog[i].kind,
		    evlog[i].body);
	commit(st);
	for (i = 0; i < ARRAY_LEN(cases); i++) {
		memset(&h, 0, sizeof h);
		ck_assert_int_eq(store_events_of(st, cases[i].stream, cases[i].entity, hist_cb, &h),
		    0);
		ck_assert_int_eq(h.n, cases[i].n);
		for (j = 0; j < h.n; j++) {
			ck_assert_int_eq(h.id[j], cases[i].ids[j]);
			ck_assert_str_eq(h.body[j], cases[i].bodies[j]);
			ck_assert_str_eq(h.kind[j], evlog[h.id[j] - 1].kind);
		}
	}
	store_close(st);
}
END_TEST

static int
stop_cb(void *ctx, const struct store_event *ev)
{
	int *n = ctx;

	(void)ev;
	return ++*n == 2;
}

START_TEST(test_callback_stops)
{
	struct store *st = open_backend(_i);
	struct rec *r = rec_new();
	int64_t replayed = -1;
	int n = 0;

	begin(st);
	append(st, 1, "ticket", "1", "created", "a");
	append(st, 2, "ticket", "1", "state", "b");
	append(st, 3, "ticket", "1", "state", "c");
	commit(st);

	r->stop_at = 2;
	ck_assert_int_eq(store_load(st, rec_cb, r, &replayed), -1);
	ck_assert_str_eq(store_errmsg(st), "load stopped by caller");
	ck_assert_int_eq(r->n, 2);
	ck_assert_int_eq(store_events_of(st, "ticket", "1", stop_cb, &n), -1);
	ck_assert_int_eq(n, 2);

	/* Nothing is left half-open: writes and loads work afterwards. */
	begin(st);
	append(st, 4, "ticket", "1", "state", "d");
	commit(st);
	memset(r, 0, sizeof *r);
	load(st, r, &replayed);
	ck_assert_int_eq(replayed, 4);
	store_close(st);
	free(r);
}
END_TEST

/* --- latest state of each entity (ticket.search) ---------------------------------------- */

struct latest {
	int n, stop_after;
	int64_t entity[16], ts[16];
	char body[16][8];
};

static int
latest_cb(void *ctx, int64_t entity, int64_t ts, const void *body, size_t len)
{
	struct latest *l = ctx;

	ck_assert_int_lt(l->n, 16);
	l->entity[l->n] = entity;
	l->ts[l->n] = ts;
	ck_assert_uint_lt(len, sizeof l->body[0]);
	memcpy(l->body[l->n], body, len);
	l->body[l->n][len] = '\0';
	l->n++;
	return l->stop_after > 0 && l->n == l->stop_after;
}

START_TEST(test_latest_each)
{
	struct store *st = open_backend(_i);
	struct latest l;

	begin(st);
	append(st, 1, "ticket", "2", "created", "2a");
	append(st, 2, "ticket", "10", "created", "10a");
	append(st, 3, "truck", "V01", "status", "t");
	append(st, 3, "ticket", "x7", "created", "no");	/* not a number: never listed */
	append(st, 4, "ticket", "2", "state", "2b");
	append(st, 5, "ticket", "9", "created", "9a");
	append(st, 6, "ticket", "10", "state", "10b");
	commit(st);
	/* A checkpoint changes nothing: the log is what is read. */
	begin(st);
	ck_assert_int_eq(store_checkpoint_begin(st), 0);
	ck_assert_int_eq(store_checkpoint_end(st, 6), 0);
	commit(st);

	/* Numbers, not text, order the entities (10 before 9); each at its newest state. */
	memset(&l, 0, sizeof l);
	ck_assert_int_eq(store_latest_each(st, "ticket", 0, latest_cb, &l), 0);
	ck_assert_int_eq(l.n, 3);
	ck_assert_int_eq(l.entity[0], 10);
	ck_assert_str_eq(l.body[0], "10b");
	ck_assert_int_eq(l.ts[0], 6);
	ck_assert_int_eq(l.entity[1], 9);
	ck_assert_str_eq(l.body[1], "9a");
	ck_assert_int_eq(l.entity[2], 2);
	ck_assert_str_eq(l.body[2], "2b");
	ck_assert_int_eq(l.ts[2], 4);

	/* below: a cursor; a callback returning 1 stops quietly. */
	memset(&l, 0, sizeof l);
	ck_assert_int_eq(store_latest_each(st, "ticket", 10, latest_cb, &l), 0);
	ck_assert_int_eq(l.n, 2);
	ck_assert_int_eq(l.entity[0], 9);
	memset(&l, 0, sizeof l);
	l.stop_after = 1;
	ck_assert_int_eq(store_latest_each(st, "ticket", 0, latest_cb, &l), 0);
	ck_assert_int_eq(l.n, 1);
	memset(&l, 0, sizeof l);
	ck_assert_int_eq(store_latest_each(st, "ticket", 3, latest_cb, &l), 0);
	ck_assert_int_eq(l.n, 1);
	ck_assert_int_eq(l.entity[0], 2);
	memset(&l, 0, sizeof l);
	ck_assert_int_eq(store_latest_each(st, "nosuch", 0, latest_cb, &l), 0);
	ck_assert_int_eq(l.n, 0);

	/* Nothing left half-open: a write works afterwards. */
	begin(st);
	append(st, 7, "ticket", "11", "created", "11a");
	commit(st);
	memset(&l, 0, sizeof l);
	ck_assert_int_eq(store_latest_each(st, "ticket", 0, latest_cb, &l), 0);
	ck_assert_int_eq(l.entity[0], 11);
	store_close(st);
}
END_TEST

static int
latest_fail_cb(void *ctx, int64_t entity, int64_t ts, const void *body, size_t len)
{
	(void)ctx, (void)entity, (void)ts, (void)body, (void)len;
	return -1;
}

START_TEST(test_latest_each_fails)
{
	struct store *st = open_backend(_i);

	begin(st);
	append(st, 1, "ticket", "1", "created", "a");
	commit(st);
	ck_assert_int_eq(store_latest_each(st, "ticket", 0, latest_fail_cb, NULL), -1);
	ck_assert_str_eq(store_errmsg(st), "latest: stopped by caller");
	store_close(st);
}
END_TEST

/* --- crash durability ------------------------------------------------------------------ */

#define CRASH_EVENTS 500
#define CRASH_BATCH 7

/* The child: commit CRASH_EVENTS events, leave more uncommitted, then die without closing.
 * It kills itself with SIGKILL, which is exactly kill -9 (no close, no atexit, nothing
 * flushed); unlike _exit(0) it also keeps valgrind's leak check of the child from turning
 * the deliberate non-close into a failing exit status. Exit codes say where it went wrong. */
static void
crash_child(enum store_sync sync)
{
	struct store *st = store_open(dbpath, sync, NULL);
	char body[32];
	int i, n;

	if (st == NULL)
		_exit(10);
	for (i = 0; i < CRASH_EVENTS; i += CRASH_BATCH) {
		if (store_begin(st) != 0)
			_exit(11);
		for (n = i; n < i + CRASH_BATCH && n < CRASH_EVENTS; n++) {
			struct store_event ev = {
				.ts = n, .stream = "ticket", .entity = "1", .kind = "state",
				.user = "", .detail = "", .body = body,
			};
			ev.body_len = (size_t)snprintf(body, sizeof body, "event %d", n);
			if (store_event_append(st, &ev) != 0 || ev.id != n + 1)
				_exit(12);
		}
		if (store_commit(st) != 0)
			_exit(13);
	}
	if (store_begin(st) != 0)
		_exit(14);
	for (n = 0; n < 5; n++) {
		struct store_event ev = {
			.stream = "ticket", .entity = "2", .kind = "lost", .body = "x", .body_len = 1,
		};
		if (store_event_append(st, &ev) != 0)
			_exit(15);
	}
	raise(SIGKILL);
	_exit(16);
}

struct crash_check {
	int n;
	int bad;
};

static int
crash_cb(void *ctx, const char *stream, const char *entity, const void *body, size_t len)
{
	struct crash_check *c = ctx;
	char want[32];
	size_t wlen = (size_t)snprintf(want, sizeof want, "event %d", c->n);

	if (strcmp(stream, "ticket") != 0 || strcmp(entity, "1") != 0 || len != wlen ||
	    memcmp(body, want, len) != 0)
		c->bad++;
	c->n++;
	return 0;
}

START_TEST(test_crash_durability)
{
	enum store_sync sync = _i == 0 ? STORE_SYNC_NORMAL : STORE_SYNC_FULL;
	struct crash_check c = { 0, 0 };
	char wal[320];
	struct store *st;
	int64_t replayed = -1;
	int status;
	pid_t pid;

	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0)
		crash_child(sync);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL,
	    "child exited with %d (see crash_child)", WIFEXITED(status) ? WEXITSTATUS(status) : -1);

	/* The WAL is still there: the store was not closed, recovery is really exercised. */
	snprintf(wal, sizeof wal, "%s-wal", dbpath);
	ck_assert_int_eq(access(wal, F_OK), 0);

	st = open_ok(dbpath, STORE_SYNC_NORMAL);
	ck_assert_int_eq(store_event_last_id(st), CRASH_EVENTS);
	ck_assert_int_eq(store_load(st, crash_cb, &c, &replayed), 0);
	ck_assert_int_eq(replayed, CRASH_EVENTS);
	ck_assert_int_eq(c.n, CRASH_EVENTS);
	ck_assert_int_eq(c.bad, 0);
	store_close(st);
}
END_TEST

static Suite *
store_suite(void)
{
	Suite *s = suite_create("store");
	TCase *tc;

	tc = tcase_create("open");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, test_open_empty, 0, 2);
	tcase_add_test(tc, test_open_missing_dir);
	tcase_add_test(tc, test_open_exclusive);
	tcase_add_test(tc, test_schema_too_new);
	tcase_add_test(tc, test_schema_upgrade_3);
	tcase_add_test(tc, test_schema_upgrade_4);
	tcase_add_test(tc, test_not_a_database);
	suite_add_tcase(s, tc);

	tc = tcase_create("append");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, test_append_replay, 0, 2);
	suite_add_tcase(s, tc);

	tc = tcase_create("checkpoint");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, test_checkpoint_tail, 0, 2);
	tcase_add_loop_test(tc, test_checkpoint_end_past_log, 0, 2);
	tcase_add_loop_test(tc, test_checkpoint_unfinished, 0, 2);
	suite_add_tcase(s, tc);

	tc = tcase_create("reopen");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_reopen);
	suite_add_tcase(s, tc);

	tc = tcase_create("meta");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, test_meta, 0, 2);
	suite_add_tcase(s, tc);

	tc = tcase_create("replies");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, test_replies, 0, 2);
	suite_add_tcase(s, tc);

	tc = tcase_create("transactions");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, test_rollback, 0, 2);
	tcase_add_loop_test(tc, test_write_needs_txn, 0, 12);
	suite_add_tcase(s, tc);

	tc = tcase_create("history");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, test_events_of, 0, 2);
	tcase_add_loop_test(tc, test_callback_stops, 0, 2);
	tcase_add_loop_test(tc, test_latest_each, 0, 2);
	tcase_add_loop_test(tc, test_latest_each_fails, 0, 2);
	suite_add_tcase(s, tc);

	tc = tcase_create("durability");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, test_crash_durability, 0, 2);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);

	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(store_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
