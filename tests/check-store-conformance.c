/* check-store-conformance.c: what store.h promises, checked on whichever backend the
 * environment names, so one suite holds SQLite and PostgreSQL to the same behaviour.
 *
 * Without RD_TEST_PG each test opens a file in a fresh mkdtemp directory (SQLite). With
 * RD_TEST_PG=postgresql:///rd (tests/store-pg.sh sets it inside pg_virtualenv, which gives
 * libpq its PGHOST, PGUSER, PGPASSWORD in the environment) test N opens database rdN, made
 * empty for this run by the wrapper, so every test starts from an empty store as on SQLite.
 * Test numbers are fixed below (db_of) and must stay under RD_TEST_PG_DBS. */
#include <check.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "store.h"
#include "util.h"

#define REC_MAX 64

static char dir[256];

static const char *
pg_base(void)
{
	const char *b = getenv("RD_TEST_PG");

	return b != NULL && b[0] != '\0' ? b : NULL;
}

static void
setup(void)
{
	const char *tmp = getenv("TMPDIR");

	snprintf(dir, sizeof dir, "%s/check-conf-XXXXXX", tmp != NULL && *tmp != '\0' ?
	    tmp : "/tmp");
	ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void
teardown(void)
{
	ck_assert_msg(rd_remove_tree(dir) == 0, "removing %s: %s", dir, strerror(errno));
}

/* The store of test n (1-based): rdN on PostgreSQL, DIR/rdN.db on SQLite. */
static void
path_of(int n, char *buf, size_t len)
{
	const char *dbs = getenv("RD_TEST_PG_DBS");

	if (pg_base() != NULL) {
		ck_assert_msg(dbs != NULL && n <= atoi(dbs), "test store %d: only %s made", n,
		    dbs != NULL ? dbs : "0");
		snprintf(buf, len, "%s%d", pg_base(), n);
	} else {
		snprintf(buf, len, "%s/rd%d.db", dir, n);
	}
}

static struct store *
open_n(int n)
{
	char path[512], *cause = NULL;
	struct store *st;

	path_of(n, path, sizeof path);
	st = store_open(path, STORE_SYNC_NORMAL, &cause);
	ck_assert_msg(st != NULL, "store_open(%s): %s", path, cause != NULL ? cause : "?");
	return st;
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

static int64_t
append_ev(struct store *st, int64_t ts, const char *stream, const char *entity,
    const char *kind, const void *body, size_t len)
{
	struct store_event ev = {
		.ts = ts, .stream = stream, .entity = entity, .kind = kind, .user = "u7",
		.detail = kind, .body = body, .body_len = len,
	};

	ck_assert_msg(store_event_append(st, &ev) == 0, "append: %s", store_errmsg(st));
	return ev.id;
}

static int64_t
append(struct store *st, int64_t ts, const char *stream, const char *entity, const char *body)
{
	return append_ev(st, ts, stream, entity, "state", body, strlen(body));
}

struct rec {
	int n;
	int stop_at;
	char what[REC_MAX][64]; /* "stream/entity=body" */
	int64_t id[REC_MAX];
	int64_t ts[REC_MAX];
};

static int
rec_load(void *ctx, const char *stream, const char *entity, const void *body, size_t len)
{
	struct rec *r = ctx;

	ck_assert_int_lt(r->n, REC_MAX);
	snprintf(r->what[r->n++], sizeof r->what[0], "%s/%s=%.*s", stream, entity, (int)len,
	    (const char *)body);
	return r->stop_at != 0 && r->n == r->stop_at;
}

static int
rec_event(void *ctx, const struct store_event *ev)
{
	struct rec *r = ctx;

	ck_assert_int_lt(r->n, REC_MAX);
	r->id[r->n] = ev->id;
	r->ts[r->n] = ev->ts;
	snprintf(r->what[r->n++], sizeof r->what[0], "%s/%s:%s:%s:%s:%.*s", ev->stream,
	    ev->entity, ev->kind, ev->user, ev->code != NULL ? ev->code : "", (int)ev->params_len,
	    ev->params != NULL ? (const char *)ev->params : "");
	return r->stop_at != 0 && r->n == r->stop_at;
}

static int
rec_latest(void *ctx, int64_t entity, int64_t ts, const void *body, size_t len)
{
	struct rec *r = ctx;

	ck_assert_int_lt(r->n, REC_MAX);
	r->ts[r->n] = ts;
	snprintf(r->what[r->n++], sizeof r->what[0], "%lld=%.*s", (long long)entity, (int)len,
	    (const char *)body);
	return r->stop_at != 0 && r->n == r->stop_at;
}

/* --- the log ---------------------------------------------------------------------------- */

START_TEST(test_append_load)
{
	struct store *st = open_n(1);
	struct rec r = { 0 };
	int64_t replayed = -1;
	static const unsigned char bin[5] = { 0, 1, 0xff, 0, 7 };
	struct store_event ev = {
		.ts = 30, .stream = "ticket", .entity = "9", .kind = "note", .user = "amy",
		.detail = "d", .body = bin, .body_len = sizeof bin, .code = "c1",
		.params = "pp", .params_len = 2,
	};

	ck_assert_int_eq(store_event_last_id(st), 0);
	begin(st);
	ck_assert_int_eq(append(st, 10, "ticket", "1", "a"), 1);
	ck_assert_int_eq(append(st, 20, "truck", "T-1", "b"), 2);
	ck_assert_int_eq(store_event_append(st, &ev), 0);
	ck_assert_int_eq(ev.id, 3);
	ck_assert_int_eq(append_ev(st, 40, "ticket", "1", "empty", "", 0), 4);
	commit(st);
	ck_assert_int_eq(store_event_last_id(st), 4);
	ck_assert_int_eq(store_load(st, rec_load, &r, &replayed), 0);
	ck_assert_int_eq(replayed, 4);
	ck_assert_int_eq(r.n, 4);
	ck_assert_str_eq(r.what[0], "ticket/1=a");
	ck_assert_str_eq(r.what[1], "truck/T-1=b");
	ck_assert_str_eq(r.what[3], "ticket/1=");
	memset(&r, 0, sizeof r);
	ck_assert_int_eq(store_events_of(st, "ticket", "9", rec_event, &r), 0);
	ck_assert_int_eq(r.n, 1);
	ck_assert_str_eq(r.what[0], "ticket/9:note:amy:c1:pp");
	ck_assert_int_eq(r.ts[0], 30);
	memset(&r, 0, sizeof r);
	ck_assert_int_eq(store_events_of(st, "ticket", "1", rec_event, &r), 0);
	ck_assert_int_eq(r.n, 2);
	ck_assert_int_eq(r.id[0], 1);
	ck_assert_int_eq(r.id[1], 4);
	ck_assert_str_eq(r.what[0], "ticket/1:state:u7::");
	store_close(st);
}
END_TEST

static int
check_bin(void *ctx, const struct store_event *ev)
{
	static const unsigned char bin[5] = { 0, 1, 0xff, 0, 7 };

	ck_assert_uint_eq(ev->body_len, sizeof bin);
	ck_assert_mem_eq(ev->body, bin, sizeof bin);
	(*(int *)ctx)++;
	return 0;
}

START_TEST(test_binary_body)
{
	struct store *st = open_n(2);
	static const unsigned char bin[5] = { 0, 1, 0xff, 0, 7 };
	int n = 0;

	begin(st);
	append_ev(st, 1, "ticket", "5", "x", bin, sizeof bin);
	commit(st);
	ck_assert_int_eq(store_events_of(st, "ticket", "5", check_bin, &n), 0);
	ck_assert_int_eq(n, 1);
	store_close(st);
}
END_TEST

START_TEST(test_checkpoint)
{
	struct store *st = open_n(3);
	struct rec r = { 0 };
	int64_t replayed = -1, upto;

	begin(st);
	append(st, 1, "ticket", "1", "a1");
	append(st, 2, "ticket", "2", "b1");
	upto = append(st, 3, "ticket", "1", "a2");
	commit(st);
	begin(st);
	ck_assert_int_eq(store_checkpoint_begin(st), 0);
	/* put order is load order, even when a row is put twice */
	ck_assert_int_eq(store_checkpoint_put(st, "ticket", "2", "B", 1), 0);
	ck_assert_int_eq(store_checkpoint_put(st, "ticket", "1", "A", 1), 0);
	ck_assert_int_eq(store_checkpoint_end(st, upto + 5), -1);
	ck_assert_int_eq(store_checkpoint_end(st, upto), 0);
	commit(st);
	begin(st);
	append(st, 4, "ticket", "2", "b2");
	commit(st);
	ck_assert_int_eq(store_load(st, rec_load, &r, &replayed), 0);
	ck_assert_int_eq(replayed, 1);
	ck_assert_int_eq(r.n, 3);
	ck_assert_str_eq(r.what[0], "ticket/2=B");
	ck_assert_str_eq(r.what[1], "ticket/1=A");
	ck_assert_str_eq(r.what[2], "ticket/2=b2");
	/* a checkpoint begun and not ended replays the whole log */
	begin(st);
	ck_assert_int_eq(store_checkpoint_begin(st), 0);
	commit(st);
	memset(&r, 0, sizeof r);
	ck_assert_int_eq(store_load(st, rec_load, &r, &replayed), 0);
	ck_assert_int_eq(replayed, 4);
	/* a load the callback stops fails */
	memset(&r, 0, sizeof r);
	r.stop_at = 2;
	ck_assert_int_eq(store_load(st, rec_load, &r, NULL), -1);
	ck_assert_str_eq(store_errmsg(st), "load stopped by caller");
	store_close(st);
}
END_TEST

START_TEST(test_reopen)
{
	struct store *st = open_n(4);
	struct rec r = { 0 };

	begin(st);
	append(st, 1, "ticket", "1", "a");
	ck_assert_int_eq(store_meta_set(st, "epoch", 7), 0);
	ck_assert_int_eq(store_reply_put(st, "amy", "c1", 1, "kept", 4), 0);
	commit(st);
	store_close(st);
	st = open_n(4);
	ck_assert_int_eq(store_meta_get(st, "epoch", 0), 7);
	{
		/* a retry after a restart gets the reply cached before it */
		void *reply = NULL;
		size_t len = 0;
		ck_assert_int_eq(store_reply_get(st, "amy", "c1", &reply, &len), 1);
		ck_assert_uint_eq(len, 4);
		ck_assert_mem_eq(reply, "kept", 4);
		free(reply);
		ck_assert_int_eq(store_reply_get(st, "amy", "c2", &reply, &len), 0);
	}
	ck_assert_int_eq(store_event_last_id(st), 1);
	begin(st);
	ck_assert_int_eq(append(st, 2, "ticket", "1", "b"), 2);
	commit(st);
	ck_assert_int_eq(store_load(st, rec_load, &r, NULL), 0);
	ck_assert_int_eq(r.n, 2);
	ck_assert_str_eq(r.what[1], "ticket/1=b");
	store_close(st);
}
END_TEST

START_TEST(test_exclusive)
{
	char path[512], *cause = NULL;
	struct store *st = open_n(5), *second;

	path_of(5, path, sizeof path);
	second = store_open(path, STORE_SYNC_NORMAL, &cause);
	ck_assert_ptr_null(second);
	ck_assert_ptr_nonnull(cause);
	ck_assert_msg(strstr(cause, "in use by another process") != NULL, "%s", cause);
	free(cause);
	store_close(st);
	st = open_n(5); /* free again once the first is closed */
	store_close(st);
}
END_TEST

/* A TCP socket's option, as the kernel holds it. */
static int
sockopt(int fd, int level, int name)
{
	int v = -1;
	socklen_t len = sizeof v;

	ck_assert_int_eq(getsockopt(fd, level, name, &v, &len), 0);
	return v;
}

/* A standby's try without blocking (try_lead_start, lead_fd, try_lead_poll), polled on
 * the socket until it has an answer: the answer. While it is out, the socket is the
 * session's, and on TCP it has the keepalives and user timeout the connection asks for
 * (store-pg.c's defaults: the test's URI leaves them), so a vanished server is seen. */
static int
try_async(struct store *st, int64_t *epoch, char *api, size_t api_sz)
{
	int64_t until = rd_mono_ms() + 5000;
	int got, fd;

	ck_assert_int_eq(store_try_lead_start(st, rd_mono_ms()), 0);
	fd = store_lead_fd(st);
	ck_assert_int_ge(fd, 0);
	struct sockaddr_storage sa;
	socklen_t sl = sizeof sa;
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&sa, &sl), 0);
	if (sa.ss_family == AF_INET || sa.ss_family == AF_INET6) {
		ck_assert_int_ne(sockopt(fd, SOL_SOCKET, SO_KEEPALIVE), 0);
		ck_assert_int_eq(sockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE), 5);
		ck_assert_int_eq(sockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL), 2);
		ck_assert_int_eq(sockopt(fd, IPPROTO_TCP, TCP_KEEPCNT), 3);
		ck_assert_int_eq(sockopt(fd, IPPROTO_TCP, TCP_USER_TIMEOUT), 10000);
	}
	while ((got = store_try_lead_poll(st, rd_mono_ms(), epoch, api, api_sz)) ==
	    STORE_LEAD_WAIT) {
		ck_assert_msg(rd_mono_ms() < until, "a try unanswered for 5 s");
		struct pollfd pfd = { .fd = store_lead_fd(st), .events = POLLIN };
		ck_assert_int_ge(pfd.fd, 0);
		ck_assert_int_ge(poll(&pfd, 1, 100), 0);
	}
	ck_assert_int_eq(store_lead_fd(st), -1);
	return got;
}

/* PostgreSQL: one line of psql -At's answer to sql on the database at uri, as a number. */
static long long
psql_number(const char *uri, const char *sql)
{
	char cmd[1024], line[64] = "";
	FILE *f;

	snprintf(cmd, sizeof cmd, "psql -qAtX -v ON_ERROR_STOP=1 -d '%s' -c \"%s\"", uri, sql);
	f = popen(cmd, "r");
	ck_assert_ptr_nonnull(f);
	ck_assert_ptr_nonnull(fgets(line, sizeof line, f));
	ck_assert_int_eq(pclose(f), 0);
	return atoll(line);
}

/* PostgreSQL: a psql session that holds the brokers' advisory lock (store-pg.c's
 * STORE_PG_LOCK) on uri, as a leader does before it has made the schema, until its input is
 * closed; returned once the lock is held. */
static pid_t
lock_holder(const char *uri, FILE **in)
{
	int to[2], from[2];
	char line[64];
	pid_t pid;
	FILE *out;

	ck_assert_int_eq(pipe(to), 0);
	ck_assert_int_eq(pipe(from), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		dup2(to[0], 0);
		dup2(from[1], 1);
		close(to[1]);
		close(from[0]);
		execlp("psql", "psql", "-qAtX", "-v", "ON_ERROR_STOP=1", "-d", uri, (char *)NULL);
		_exit(127);
	}
	close(to[0]);
	close(from[1]);
	*in = fdopen(to[1], "w");
	out = fdopen(from[0], "r");
	ck_assert_ptr_nonnull(*in);
	ck_assert_ptr_nonnull(out);
	fputs("SELECT pg_advisory_lock(1919251299);\n\\echo locked\n", *in);
	fflush(*in);
	while (fgets(line, sizeof line, out) != NULL && strcmp(line, "locked\n") != 0)
		;
	ck_assert_str_eq(line, "locked\n");
	fclose(out);
	return pid;
}

/* PostgreSQL: a standby that starts before the first leader has made the schema reads no
 * leader, and no statement of its fails: the database's count of rolled-back transactions
 * (an error ends its transaction so) is the same after its session than before. */
static void
group_before_schema(const char *path)
{
	char api[200] = "stale", *cause = NULL;
	const char *gone = "SELECT count(*) FROM pg_stat_activity WHERE datname = "
	    "current_database() AND application_name = 'rescuedeskd'";
	const char *rollbacks = "SELECT xact_rollback FROM pg_stat_database WHERE datname = "
	    "current_database()";
	int64_t epoch = 0, until;
	bool leader = true;
	FILE *in;
	pid_t holder = lock_holder(path, &in);
	long long before = psql_number(path, rollbacks);
	struct store *b = store_open_group(path, STORE_SYNC_NORMAL, &leader, &cause);
	int status;

	ck_assert_msg(b != NULL, "%s", cause != NULL ? cause : "?");
	ck_assert(!leader);
	ck_assert_int_eq(store_leader_get(b, &epoch, api, sizeof api), 0);
	ck_assert_int_eq(try_async(b, &epoch, api, sizeof api), STORE_LEAD_OTHER);
	ck_assert_str_eq(api, "");
	ck_assert_int_eq(try_async(b, &epoch, api, sizeof api), STORE_LEAD_OTHER);
	ck_assert_int_eq(store_leader_get(b, &epoch, api, sizeof api), 0);
	store_close(b);
	/* a session's counts reach the statistics before it leaves pg_stat_activity */
	until = rd_mono_ms() + 5000;
	while (psql_number(path, gone) != 0)
		ck_assert_msg(rd_mono_ms() < until, "the standby's session still there after 5 s");
	ck_assert_int_eq(psql_number(path, rollbacks), before);
	fclose(in);
	ck_assert_int_eq(waitpid(holder, &status, 0), holder);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

/* Brokers in a group (store.h): the first open_group leads. On PostgreSQL a second is a
 * standby: it does not get the lock, reads the leader row (none until one is written, no
 * error before the schema is there: group_before_schema), and
 * leads once the first session ends, with the log continued. On SQLite open_group is
 * store_open: a second open is refused and no leader row is kept. */
START_TEST(test_group)
{
	char path[512], api[200], *cause = NULL;
	bool leader = false;
	int64_t epoch = 0;
	struct store *a, *b;

	path_of(16, path, sizeof path);
	if (pg_base() != NULL)
		group_before_schema(path);
	a = store_open_group(path, STORE_SYNC_NORMAL, &leader, &cause);
	ck_assert_msg(a != NULL, "%s", cause != NULL ? cause : "?");
	ck_assert(leader);
	ck_assert_int_eq(store_try_lead(a), 1);
	b = store_open_group(path, STORE_SYNC_NORMAL, &leader, &cause);
	if (pg_base() == NULL) {
		ck_assert_ptr_null(b);
		ck_assert_msg(strstr(cause, "in use by another process") != NULL, "%s", cause);
		free(cause);
		begin(a);
		ck_assert_int_eq(store_leader_set(a, 1, "ipc:///a", 1000), 0);
		commit(a);
		ck_assert_int_eq(store_leader_get(a, &epoch, api, sizeof api), 0);
		ck_assert_int_eq(store_try_lead_start(a, 0), 0);
		ck_assert_int_eq(store_lead_fd(a), -1);
		ck_assert_int_eq(store_try_lead_poll(a, 0, &epoch, api, sizeof api),
		    STORE_LEAD_OURS);
		store_close(a);
		return;
	}
	ck_assert_msg(b != NULL, "%s", cause != NULL ? cause : "?");
	ck_assert(!leader);
	ck_assert_int_eq(store_try_lead(b), 0);
	ck_assert_int_eq(store_leader_get(b, &epoch, api, sizeof api), 0);
	strcpy(api, "stale");
	ck_assert_int_eq(try_async(b, &epoch, api, sizeof api), STORE_LEAD_OTHER);
	ck_assert_str_eq(api, ""); /* no leader row yet */
	begin(a);
	ck_assert_int_eq(append(a, 1, "ticket", "1", "a"), 1);
	ck_assert_int_eq(store_leader_set(a, 7, "ipc:///a", 1000), 0);
	commit(a);
	ck_assert_int_eq(store_leader_get(b, &epoch, api, sizeof api), 1);
	ck_assert_int_eq(epoch, 7);
	ck_assert_str_eq(api, "ipc:///a");
	ck_assert_int_eq(store_try_lead(b), 0);
	epoch = 0;
	ck_assert_int_eq(try_async(b, &epoch, api, sizeof api), STORE_LEAD_OTHER);
	ck_assert_int_eq(epoch, 7);
	ck_assert_str_eq(api, "ipc:///a");
	store_close(a);
	/* the server frees the lock once it has seen the first session end */
	int64_t until = rd_mono_ms() + 5000;
	int got;
	while ((got = try_async(b, &epoch, api, sizeof api)) == STORE_LEAD_OTHER &&
	    rd_mono_ms() < until)
		;
	ck_assert_msg(got == STORE_LEAD_OURS, "try_lead_poll: %d (%s)", got, store_errmsg(b));
	ck_assert_int_eq(store_try_lead(b), 1);
	ck_assert_int_eq(store_event_last_id(b), 1);
	begin(b);
	ck_assert_int_eq(append(b, 2, "ticket", "1", "b"), 2);
	ck_assert_int_eq(store_leader_set(b, 8, "ipc:///b", 2000), 0);
	commit(b);
	ck_assert_int_eq(store_leader_get(b, &epoch, api, sizeof api), 1);
	ck_assert_int_eq(epoch, 8);
	ck_assert_str_eq(api, "ipc:///b");
	store_close(b);
}
END_TEST

START_TEST(test_meta)
{
	struct store *st = open_n(6);

	ck_assert_int_eq(store_meta_get(st, "x", -3), -3);
	begin(st);
	ck_assert_int_eq(store_meta_set(st, "x", 1), 0);
	ck_assert_int_eq(store_meta_set(st, "x", INT64_MAX), 0);
	/* a read inside the batch sees the batch's writes */
	ck_assert_int_eq(store_meta_get(st, "x", 0), INT64_MAX);
	commit(st);
	ck_assert_int_eq(store_meta_get(st, "x", 0), INT64_MAX);
	store_close(st);
}
END_TEST

START_TEST(test_replies)
{
	struct store *st = open_n(7);
	void *reply = NULL;
	size_t len = 0;

	ck_assert_int_eq(store_reply_get(st, "amy", "c1", &reply, &len), 0);
	begin(st);
	ck_assert_int_eq(store_reply_put(st, "amy", "c1", 100, "one", 3), 0);
	ck_assert_int_eq(store_reply_put(st, "amy", "c2", 200, "plate A123", 10), 0);
	ck_assert_int_eq(store_reply_put(st, "bob", "c1", 300, "three", 5), 0);
	/* found inside the batch that put it */
	ck_assert_int_eq(store_reply_get(st, "amy", "c1", &reply, &len), 1);
	ck_assert_uint_eq(len, 3);
	ck_assert_mem_eq(reply, "one", 3);
	free(reply);
	commit(st);
	ck_assert_int_eq(store_reply_get(st, "bob", "c1", &reply, &len), 1);
	ck_assert_mem_eq(reply, "three", 5);
	free(reply);
	begin(st);
	ck_assert_int_eq(store_reply_forget(st, "A123"), 0);
	ck_assert_int_eq(store_reply_forget(st, ""), 0);
	commit(st);
	ck_assert_int_eq(store_reply_get(st, "amy", "c2", &reply, &len), 0);
	ck_assert_int_eq(store_reply_expire(st, 250), 1);
	ck_assert_int_eq(store_reply_get(st, "amy", "c1", &reply, &len), 0);
	ck_assert_int_eq(store_reply_get(st, "bob", "c1", &reply, &len), 1);
	free(reply);
	store_close(st);
}
END_TEST

START_TEST(test_rollback)
{
	struct store *st = open_n(8);
	struct rec r = { 0 };

	begin(st);
	append(st, 1, "ticket", "1", "a");
	commit(st);
	begin(st);
	append(st, 2, "ticket", "1", "gone");
	ck_assert_int_eq(store_reply_put(st, "amy", "c9", 2, "r", 1), 0);
	ck_assert_int_eq(store_rollback(st), 0);
	ck_assert_int_eq(store_event_last_id(st), 1);
	begin(st);
	ck_assert_int_eq(append(st, 3, "ticket", "1", "b"), 2);
	commit(st);
	/* a rollback with nothing open does nothing (the broker's after a failed commit) */
	ck_assert_int_eq(store_rollback(st), 0);
	ck_assert_int_eq(store_event_last_id(st), 2);
	ck_assert_int_eq(store_load(st, rec_load, &r, NULL), 0);
	ck_assert_int_eq(r.n, 2);
	ck_assert_str_eq(r.what[1], "ticket/1=b");
	{
		void *reply;
		size_t len;
		ck_assert_int_eq(store_reply_get(st, "amy", "c9", &reply, &len), 0);
	}
	/* writes outside a transaction are refused */
	struct store_event ev = { .ts = 1, .stream = "s", .entity = "e", .kind = "k" };
	ck_assert_int_eq(store_event_append(st, &ev), -1);
	ck_assert_int_eq(store_meta_set(st, "x", 1), -1);
	ck_assert_int_eq(store_reply_put(st, "u", "c", 1, "r", 1), -1);
	store_close(st);
}
END_TEST

START_TEST(test_range)
{
	struct store *st = open_n(9);
	struct rec r = { 0 };
	int64_t walked = -1;
	int i;

	begin(st);
	for (i = 1; i <= 10; i++) {
		char e[8];
		snprintf(e, sizeof e, "%d", i);
		append(st, i * 10, "ticket", e, "x");
	}
	commit(st);
	/* ts in [30, 80): ids 3..7 */
	ck_assert_int_eq(store_events_range(st, 30, 80, 100, rec_event, &r, &walked), 0);
	ck_assert_int_eq(walked, 5);
	ck_assert_int_eq(r.id[0], 3);
	ck_assert_int_eq(r.id[4], 7);
	memset(&r, 0, sizeof r);
	ck_assert_int_eq(store_events_range(st, 30, 80, 2, rec_event, &r, &walked), 1);
	ck_assert_int_eq(walked, 2);
	memset(&r, 0, sizeof r);
	ck_assert_int_eq(store_events_range(st, 30, 80, 5, rec_event, &r, &walked), 0);
	ck_assert_int_eq(walked, 5);
	memset(&r, 0, sizeof r);
	ck_assert_int_eq(store_events_range(st, 500, 600, 5, rec_event, &r, &walked), 0);
	ck_assert_int_eq(walked, 0);
	memset(&r, 0, sizeof r);
	r.stop_at = 1;
	ck_assert_int_eq(store_events_range(st, 0, 1000, 100, rec_event, &r, NULL), -1);
	store_close(st);
}
END_TEST

START_TEST(test_latest)
{
	struct store *st = open_n(10);
	struct rec r = { 0 };

	begin(st);
	append(st, 1, "ticket", "1", "a1");
	append(st, 2, "ticket", "20", "b1");
	append(st, 3, "ticket", "1", "a2");
	append(st, 4, "ticket", "3", "c1");
	append(st, 5, "truck", "T-1", "t");  /* not numbered */
	append(st, 6, "warning", "1", "w");  /* another stream */
	commit(st);
	ck_assert_int_eq(store_latest_each(st, "ticket", 0, rec_latest, &r), 0);
	ck_assert_int_eq(r.n, 3);
	ck_assert_str_eq(r.what[0], "20=b1");
	ck_assert_str_eq(r.what[1], "3=c1");
	ck_assert_str_eq(r.what[2], "1=a2");
	ck_assert_int_eq(r.ts[2], 3);
	memset(&r, 0, sizeof r);
	ck_assert_int_eq(store_latest_each(st, "ticket", 20, rec_latest, &r), 0);
	ck_assert_int_eq(r.n, 2);
	memset(&r, 0, sizeof r);
	r.stop_at = 1;
	ck_assert_int_eq(store_latest_each(st, "ticket", 0, rec_latest, &r), 0);
	ck_assert_int_eq(r.n, 1);
	memset(&r, 0, sizeof r);
	ck_assert_int_eq(store_latest_each(st, "truck", 0, rec_latest, &r), 0);
	ck_assert_int_eq(r.n, 0);
	store_close(st);
}
END_TEST

static int
latest_fail(void *ctx, int64_t entity, int64_t ts, const void *body, size_t len)
{
	(*(int *)ctx)++;
	return -1;
}

START_TEST(test_latest_fails)
{
	struct store *st = open_n(11);
	int n = 0;

	begin(st);
	append(st, 1, "ticket", "1", "a");
	append(st, 2, "ticket", "2", "b");
	commit(st);
	ck_assert_int_eq(store_latest_each(st, "ticket", 0, latest_fail, &n), -1);
	ck_assert_int_eq(n, 1);
	ck_assert_str_eq(store_errmsg(st), "latest: stopped by caller");
	store_close(st);
}
END_TEST

START_TEST(test_surveys)
{
	struct store *st = open_n(12);
	struct rec r = { 0 };
	struct store_event ev = {
		.ts = 50, .stream = "ticket", .entity = "4", .kind = "survey", .user = "sim",
		.detail = "", .body = "s", .body_len = 1, .code = "nps", .params = "9",
		.params_len = 1,
	};

	begin(st);
	append_ev(st, 10, "ticket", "4", "survey", "s", 1);
	append(st, 60, "ticket", "4", "other");
	ck_assert_int_eq(store_event_append(st, &ev), 0);
	commit(st);
	ck_assert_int_eq(store_surveys_since(st, 20, rec_event, &r), 0);
	ck_assert_int_eq(r.n, 1);
	ck_assert_str_eq(r.what[0], "ticket/4:survey:sim:nps:9");
	ck_assert_int_eq(r.id[0], 3);
	store_close(st);
}
END_TEST

START_TEST(test_complaints)
{
	struct store *st = open_n(13);
	struct store_complaint c = { .version = 1, .saved_by = "amy", .saved_at = 100 }, out;
	char *record = NULL;

	ck_assert_int_eq(store_complaint_get(st, "u1", &out), 0);
	ck_assert_int_eq(store_complaint_record(st, "u1", &record), 0);
	ck_assert_ptr_null(record);
	begin(st);
	ck_assert_int_eq(store_complaint_put(st, "u1", &c, "rec v1"), 0);
	commit(st);
	ck_assert_int_eq(store_complaint_get(st, "u1", &out), 1);
	ck_assert_int_eq(out.version, 1);
	ck_assert_str_eq(out.saved_by, "amy");
	ck_assert_int_eq(out.saved_at, 100);
	ck_assert_int_eq(store_complaint_acked(st, "u1", 1, "rec v1", &out), 1);
	ck_assert(out.same);
	ck_assert_int_eq(store_complaint_acked(st, "u1", 1, "other", &out), 1);
	ck_assert(!out.same);
	ck_assert_int_eq(store_complaint_acked(st, "u1", 2, "rec v1", &out), 0);
	ck_assert_int_eq(store_complaint_record(st, "u1", &record), 1);
	ck_assert_str_eq(record, "rec v1");
	free(record);
	/* a second put of one version fails at the put */
	begin(st);
	ck_assert_int_eq(store_complaint_put(st, "u1", &c, "rec v1 again"), -1);
	ck_assert_int_eq(store_rollback(st), 0);
	c.version = 2;
	begin(st);
	ck_assert_int_eq(store_complaint_put(st, "u1", &c, "rec v2"), 0);
	commit(st);
	ck_assert_int_eq(store_complaint_get(st, "u1", &out), 1);
	ck_assert_int_eq(out.version, 2);
	store_close(st);
}
END_TEST

START_TEST(test_rewrite)
{
	struct store *st = open_n(14);
	struct rec r = { 0 };
	int64_t id;

	begin(st);
	id = append(st, 1, "ticket", "1", "secret");
	ck_assert_int_eq(store_checkpoint_begin(st), 0);
	ck_assert_int_eq(store_checkpoint_put(st, "ticket", "1", "secret", 6), 0);
	ck_assert_int_eq(store_checkpoint_end(st, 0), 0);
	ck_assert_int_eq(store_event_rewrite(st, id, "", "masked", 6, "p", 1), 0);
	ck_assert_int_eq(store_checkpoint_rewrite(st, "ticket", "1", "MASKED", 6), 0);
	commit(st);
	ck_assert_int_eq(store_load(st, rec_load, &r, NULL), 0);
	ck_assert_int_eq(r.n, 2);
	ck_assert_str_eq(r.what[0], "ticket/1=MASKED");
	ck_assert_str_eq(r.what[1], "ticket/1=masked");
	memset(&r, 0, sizeof r);
	ck_assert_int_eq(store_events_of(st, "ticket", "1", rec_event, &r), 0);
	ck_assert_str_eq(r.what[0], "ticket/1:state:u7::p");
	store_close(st);
}
END_TEST

static int
count_cb(void *ctx, const char *stream, const char *entity, const void *body, size_t len)
{
	int64_t *n = ctx;
	char want[24];

	snprintf(want, sizeof want, "%lld", (long long)++*n);
	ck_assert_uint_eq(len, strlen(want));
	ck_assert_mem_eq(body, want, len);
	return 0;
}

/* More than a pipeline's and a page's worth in one batch, read back in order. */
START_TEST(test_big_batch)
{
	struct store *st = open_n(15);
	int64_t n = 0, replayed = 0, i;

	begin(st);
	for (i = 1; i <= 2500; i++) {
		char b[24];
		snprintf(b, sizeof b, "%lld", (long long)i);
		ck_assert_int_eq(append(st, i, "ticket", b, b), i);
	}
	commit(st);
	ck_assert_int_eq(store_load(st, count_cb, &n, &replayed), 0);
	ck_assert_int_eq(n, 2500);
	ck_assert_int_eq(replayed, 2500);
	store_close(st);
}
END_TEST

static Suite *
conformance_suite(void)
{
	Suite *s = suite_create(pg_base() != NULL ? "store-conformance-pg" :
	    "store-conformance-sqlite");
	TCase *tc = tcase_create("store");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_append_load);
	tcase_add_test(tc, test_binary_body);
	tcase_add_test(tc, test_checkpoint);
	tcase_add_test(tc, test_reopen);
	tcase_add_test(tc, test_exclusive);
	tcase_add_test(tc, test_group);
	tcase_add_test(tc, test_meta);
	tcase_add_test(tc, test_replies);
	tcase_add_test(tc, test_rollback);
	tcase_add_test(tc, test_range);
	tcase_add_test(tc, test_latest);
	tcase_add_test(tc, test_latest_fails);
	tcase_add_test(tc, test_surveys);
	tcase_add_test(tc, test_complaints);
	tcase_add_test(tc, test_rewrite);
	tcase_add_test(tc, test_big_batch);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(conformance_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
