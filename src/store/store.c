/* store.c: the broker's durable store on SQLite (WAL mode, prepared statements only), and
 * the seam to the PostgreSQL backend: a store opened on a postgresql:// or postgres:// URI
 * holds a struct pgstore (store-pg.c) and every function below hands its call there first
 * (ON_PG: one branch on a pointer, so SQLite's path stays as it was).
 *
 * Every statement is prepared once at open with SQLITE_PREPARE_PERSISTENT and reset after
 * each use; user data only ever reaches SQLite through bound parameters. Text and blobs are
 * bound with SQLITE_STATIC: they live through the call, and every use rebinds every
 * parameter, so a stale pointer is never read. Errors are kept in a fixed buffer (no
 * allocation on the error path) as "<what>: <sqlite3_errmsg>". */
#include "store.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "sql.h"
#include "util.h"
#ifdef RD_STORE_PG
#include "store-pg.h"
#define ON_PG(st, call) do { if ((st)->pg != NULL) return (call); } while (0)
#else
#define ON_PG(st, call) do { } while (0)
#endif

/* Bump when the schema changes, and add the upgrade step to create_or_upgrade(). */
#define STORE_SCHEMA_VERSION 4
#define STORE_BUSY_MS 5000

#define STR_(x) #x
#define STR(x) STR_(x)

enum store_sql {
	STORE_SQL_BEGIN,
	STORE_SQL_BEGIN_READ,
	STORE_SQL_COMMIT,
	STORE_SQL_ROLLBACK,
	STORE_SQL_META_GET,
	STORE_SQL_META_SET,
	STORE_SQL_EVENT_APPEND,
	STORE_SQL_EVENT_LAST,
	STORE_SQL_EVENT_AFTER,
	STORE_SQL_EVENT_OF,
	STORE_SQL_EVENT_SPAN,
	STORE_SQL_EVENT_RANGE,
	STORE_SQL_LATEST,
	STORE_SQL_LATEST_PUT,
	STORE_SQL_CKPT_CLEAR,
	STORE_SQL_CKPT_PUT,
	STORE_SQL_CKPT_SCAN,
	STORE_SQL_REPLY_GET,
	STORE_SQL_REPLY_PUT,
	STORE_SQL_REPLY_EXPIRE,
	STORE_SQL_COMPLAINT_GET,
	STORE_SQL_COMPLAINT_ACKED,
	STORE_SQL_COMPLAINT_PUT,
	STORE_SQL_COMPLAINT_ACK_PUT,
	STORE_SQL_COMPLAINT_RECORD,
	STORE_SQL_SURVEYS_SINCE,
	STORE_SQL_EVENT_REWRITE,
	STORE_SQL_CKPT_REWRITE,
	STORE_SQL_REPLY_FORGET,
	STORE_SQL_COUNT
};

static const char *const sql_text[STORE_SQL_COUNT] = {
	/* IMMEDIATE takes the write lock up front: no deadlock-prone upgrade from a read lock. */
	[STORE_SQL_BEGIN] = "BEGIN IMMEDIATE",
	[STORE_SQL_BEGIN_READ] = "BEGIN DEFERRED",
	[STORE_SQL_COMMIT] = "COMMIT",
	[STORE_SQL_ROLLBACK] = "ROLLBACK",
	[STORE_SQL_META_GET] = "SELECT value FROM meta WHERE key = ?1",
	[STORE_SQL_META_SET] = "INSERT INTO meta(key, value) VALUES (?1, ?2) "
	    "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
	[STORE_SQL_EVENT_APPEND] = "INSERT INTO events(ts, stream, entity, kind, user, detail, body,"
	    " code, params) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
	[STORE_SQL_EVENT_LAST] = "SELECT max(id) FROM events",
	[STORE_SQL_EVENT_AFTER] = "SELECT stream, entity, body FROM events WHERE id > ?1 ORDER BY id",
	[STORE_SQL_EVENT_OF] = "SELECT id, ts, kind, user, detail, body, code, params FROM events "
	    "WHERE stream = ?1 AND entity = ?2 ORDER BY id",
	/* A time range's events: the first and last id through events_ts (the index alone),
	 * then the rows between them in id order, by rowid, with no sort. */
	[STORE_SQL_EVENT_SPAN] = "SELECT min(id), max(id) FROM events WHERE ts >= ?1 AND ts < ?2",
	[STORE_SQL_EVENT_RANGE] = "SELECT id, ts, stream, entity, kind, user, code, body, params "
	    "FROM events WHERE id BETWEEN ?1 AND ?2 AND ts >= ?3 AND ts < ?4 ORDER BY id",
	/* The newest event of each numbered entity below ?2, highest number first: a range
	 * of the latest table's key, so a page costs its own rows, not the log's. */
	[STORE_SQL_LATEST] = "SELECT l.num, e.ts, e.body FROM latest l JOIN events e "
	    "ON e.id = l.event WHERE l.stream = ?1 AND l.num < ?2 ORDER BY l.num DESC",
	[STORE_SQL_LATEST_PUT] = "INSERT OR REPLACE INTO latest(stream, num, event) "
	    "VALUES (?1, ?2, ?3)",
	[STORE_SQL_CKPT_CLEAR] = "DELETE FROM checkpoint",
	[STORE_SQL_CKPT_PUT] = "INSERT OR REPLACE INTO checkpoint(stream, entity, body) "
	    "VALUES (?1, ?2, ?3)",
	[STORE_SQL_CKPT_SCAN] = "SELECT stream, entity, body FROM checkpoint ORDER BY rowid",
	[STORE_SQL_REPLY_GET] = "SELECT reply FROM replies WHERE user = ?1 AND cmd_id = ?2",
	[STORE_SQL_REPLY_PUT] = "INSERT OR REPLACE INTO replies(user, cmd_id, ts, reply) "
	    "VALUES (?1, ?2, ?3, ?4)",
	[STORE_SQL_REPLY_EXPIRE] = "DELETE FROM replies WHERE ts < ?1",
	[STORE_SQL_COMPLAINT_GET] = "SELECT version, saved_by, saved_at, 1 FROM complaints "
	    "WHERE uid = ?1",
	[STORE_SQL_COMPLAINT_ACKED] = "SELECT version, saved_by, saved_at, record = ?3 "
	    "FROM complaint_versions WHERE uid = ?1 AND version = ?2",
	[STORE_SQL_COMPLAINT_PUT] = "INSERT OR REPLACE INTO complaints(uid, version, saved_by,"
	    " saved_at, record) VALUES (?1, ?2, ?3, ?4, ?5)",
	[STORE_SQL_COMPLAINT_ACK_PUT] = "INSERT INTO complaint_versions(uid, version, saved_by,"
	    " saved_at, record) VALUES (?1, ?2, ?3, ?4, ?5)",
	[STORE_SQL_COMPLAINT_RECORD] = "SELECT record FROM complaints WHERE uid = ?1",
	/* the literal kind lets the planner use the partial index events_survey, and the
	 * order by its key keeps it from sorting the log instead (EXPLAIN QUERY PLAN) */
	[STORE_SQL_SURVEYS_SINCE] = "SELECT id, ts, entity, user, detail, code, params FROM events "
	    "WHERE kind = 'survey' AND ts >= ?1 ORDER BY ts, id",
	/* retention (store_event_rewrite, store_checkpoint_rewrite, store_reply_forget) */
	[STORE_SQL_EVENT_REWRITE] = "UPDATE events SET detail = ?2, body = ?3, params = ?4 "
	    "WHERE id = ?1",
	[STORE_SQL_CKPT_REWRITE] = "UPDATE checkpoint SET body = ?3 WHERE stream = ?1 AND "
	    "entity = ?2",
	[STORE_SQL_REPLY_FORGET] = "DELETE FROM replies WHERE instr(reply, ?1) > 0",
};

/* Run inside the transaction that finds user_version at 0. Plain CREATE TABLE (no IF NOT
 * EXISTS): a foreign database that already has an "events" table is refused, not adopted. */
static const char schema_sql[] =
    "CREATE TABLE events(id INTEGER PRIMARY KEY, ts INTEGER NOT NULL, stream TEXT NOT NULL,"
    " entity TEXT NOT NULL, kind TEXT NOT NULL, user TEXT NOT NULL, detail TEXT NOT NULL,"
    " body BLOB, code TEXT NOT NULL DEFAULT '', params BLOB);"
    "CREATE INDEX events_entity ON events(stream, entity, id);"
    "CREATE TABLE checkpoint(stream TEXT, entity TEXT, body BLOB, PRIMARY KEY(stream, entity));"
    "CREATE TABLE meta(key TEXT PRIMARY KEY, value INTEGER);"
    "CREATE TABLE replies(user TEXT, cmd_id TEXT, ts INTEGER, reply BLOB,"
    " PRIMARY KEY(user, cmd_id));"
    "CREATE INDEX replies_ts ON replies(ts);";

/* Version 2: the newest event of each entity whose id is a number (tickets, warnings),
 * kept by store_event_append, for store_latest_each; built from the log on upgrade. */
static const char upgrade_2_sql[] =
    "DROP TABLE IF EXISTS latest;"
    "CREATE TABLE latest(stream TEXT NOT NULL, num INTEGER NOT NULL, event INTEGER NOT NULL,"
    " PRIMARY KEY(stream, num)) WITHOUT ROWID;"
    "INSERT OR REPLACE INTO latest(stream, num, event) SELECT stream,"
    " CAST(entity AS INTEGER), max(id) FROM events WHERE entity <> ''"
    " AND entity NOT GLOB '*[^0-9]*' AND length(entity) < 19 GROUP BY stream, entity;";

/* Version 3: each event's machine form next to its detail, code and params (an opaque
 * blob); events logged before have code "" and params NULL. A new database gets the columns
 * from schema_sql. */
static const char upgrade_3_sql[] =
    "ALTER TABLE events ADD COLUMN code TEXT NOT NULL DEFAULT '';"
    "ALTER TABLE events ADD COLUMN params BLOB;";

/* Surveys by time (store_surveys_since): a partial index over the few events of kind
 * "survey", created on every open whatever the schema version (a database of an older
 * program gets it at its first open here; one that lacks it reads the same, slower). */
static const char survey_index_sql[] =
    "CREATE INDEX IF NOT EXISTS events_survey ON events(ts) WHERE kind = 'survey';";

/* Version 4: the central copy of the consoles' complaints (complaint.put, PROTOCOL.md
 * 7.22): the current version of each, keyed by the uid its console made, and every version
 * ever acknowledged, kept for good (not the reply cache's 600 s), so a resend of any of
 * them gets the same answer. A new database gets them from this step too. */
static const char upgrade_4_sql[] =
    "CREATE TABLE IF NOT EXISTS complaints(uid TEXT PRIMARY KEY, version INTEGER NOT NULL,"
    " saved_by TEXT NOT NULL, saved_at INTEGER NOT NULL, record TEXT NOT NULL);"
    "CREATE TABLE IF NOT EXISTS complaint_versions(uid TEXT NOT NULL, version INTEGER NOT NULL,"
    " saved_by TEXT NOT NULL, saved_at INTEGER NOT NULL, record TEXT NOT NULL,"
    " PRIMARY KEY(uid, version))"
    " WITHOUT ROWID;";

#define META_CHECKPOINT "checkpoint_event"

struct store {
	struct pgstore *pg;      /* the PostgreSQL backend, or NULL: SQLite */
	int lock_fd;             /* the database file, flock()ed: one broker a store; -1 */
	struct sql q;            /* the connection and the last error */
	sqlite3_stmt *stmt[STORE_SQL_COUNT];
};



/* Writes must be inside store_begin/store_commit: outside, SQLite would autocommit (and
 * fsync) each statement, which is both slow and not what the caller meant. */
static int
need_txn(struct store *st, const char *what)
{
	if (sqlite3_get_autocommit(st->q.db)) {
		sql_errf(&st->q, "%s: no transaction open (call store_begin first)", what);
		return -1;
	}
	return 0;
}



static int
bind_blob(sqlite3_stmt *s, int i, const void *v, size_t len)
{
	/* A zero-length body is stored as an empty blob, never as NULL data. */
	return sqlite3_bind_blob64(s, i, len != 0 ? v : "", (sqlite3_uint64)len, SQLITE_STATIC);
}



static int
set_wal(struct store *st)
{
	sqlite3_stmt *s;
	const char *mode;
	int ok;

	if (sqlite3_prepare_v2(st->q.db, "PRAGMA journal_mode = WAL", -1, &s, NULL) != SQLITE_OK) {
		sql_err(&st->q, "set WAL mode");
		return -1;
	}
	if (sqlite3_step(s) != SQLITE_ROW) {
		sql_err(&st->q, "set WAL mode");
		sqlite3_finalize(s);
		return -1;
	}
	/* An in-memory database reports "memory"; anything else means WAL was refused. */
	mode = (const char *)sqlite3_column_text(s, 0);
	ok = mode != NULL && (strcmp(mode, "wal") == 0 || strcmp(mode, "memory") == 0);
	if (!ok)
		sql_errf(&st->q, "set WAL mode: journal mode stays \"%s\"", mode != NULL ? mode : "?");
	sqlite3_finalize(s);
	return ok ? 0 : -1;
}

/* Refuse a database written by a newer schema. Also the first read of the file, so a file
 * that is not a database fails here, before anything is written to it. */
static int
check_version(struct store *st, int64_t *version)
{
	if (sql_query_int(&st->q, "PRAGMA user_version", "read schema version", version) != 0)
		return -1;
	if (*version > STORE_SCHEMA_VERSION) {
		sql_errf(&st->q, "database schema version %" PRId64 " is newer than this program's (%d);"
		    " use a newer rescuedeskd", *version, STORE_SCHEMA_VERSION);
		return -1;
	}
	return 0;
}

static int
create_or_upgrade(struct store *st)
{
	int64_t version;

	/* Read under the write lock: another process may be creating it at the same time. */
	if (sql_exec(&st->q, "BEGIN IMMEDIATE", "create schema") != 0)
		return -1;
	if (sql_query_int(&st->q, "PRAGMA user_version", "read schema version", &version) != 0)
		goto fail;
	if (version > STORE_SCHEMA_VERSION) {
		sql_errf(&st->q, "database schema version %" PRId64 " is newer than this program's (%d);"
		    " use a newer rescuedeskd", version, STORE_SCHEMA_VERSION);
		goto fail;
	}
	if (version == 0 && sql_exec(&st->q, schema_sql, "create schema") != 0)
		goto fail;
	/* Upgrades from older versions go here, one step per version, in this transaction. */
	if (version < 2 && sql_exec(&st->q, upgrade_2_sql, "upgrade schema to 2") != 0)
		goto fail;
	if (version != 0 && version < 3) {
		/* a file whose version was set back by hand may have the columns already */
		int64_t has;
		if (sql_query_int(&st->q, "SELECT count(*) FROM pragma_table_info('events') WHERE name = 'code'",
		    "upgrade schema to 3", &has) != 0)
			goto fail;
		if (has == 0 && sql_exec(&st->q, upgrade_3_sql, "upgrade schema to 3") != 0)
			goto fail;
	}
	if (version < 4 && sql_exec(&st->q, upgrade_4_sql, "upgrade schema to 4") != 0)
		goto fail;
	/* store_events_range's index: any version may lack it, none needs a step for it */
	if (sql_exec(&st->q, "CREATE INDEX IF NOT EXISTS events_ts ON events(ts)",
	    "create the time index") != 0)
		goto fail;
	if (sql_exec(&st->q, survey_index_sql, "index surveys") != 0)
		goto fail;
	if (version < STORE_SCHEMA_VERSION && sql_exec(&st->q, "PRAGMA user_version = "
	    STR(STORE_SCHEMA_VERSION), "set schema version") != 0)
		goto fail;
	if (sql_exec(&st->q, "COMMIT", "create schema") != 0)
		goto fail;
	return 0;

fail:
	sqlite3_exec(st->q.db, "ROLLBACK", NULL, NULL, NULL);
	return -1;
}

static int
prepare_all(struct store *st)
{
	int i;

	for (i = 0; i < STORE_SQL_COUNT; i++) {
		if (sqlite3_prepare_v3(st->q.db, sql_text[i], -1, SQLITE_PREPARE_PERSISTENT,
		    &st->stmt[i], NULL) != SQLITE_OK) {
			sql_err(&st->q, "prepare statements");
			return -1;
		}
	}
	return 0;
}

struct store *
store_open(const char *path, enum store_sync sync, char **cause)
{
	struct store *st = xcalloc(1, sizeof *st);
	const char *sync_sql;
	int64_t version;
	int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;

	if (cause != NULL)
		*cause = NULL;
	rd_strlcpy(st->q.err, "no error", sizeof st->q.err);
	st->lock_fd = -1;

	if (strncmp(path, "postgresql://", 13) == 0 || strncmp(path, "postgres://", 11) == 0) {
#ifdef RD_STORE_PG
		char *why = NULL;
		if ((st->pg = pgstore_open(path, sync, &why)) != NULL)
			return st;
		/* the URI may hold a password: the cause names the database, not the URI */
		if (cause != NULL)
			*cause = why;
		else
			free(why);
#else
		if (cause != NULL)
			*cause = xstrdup("this rescuedeskd was built without PostgreSQL "
			    "(meson setup -Dpostgresql=enabled, with libpq)");
#endif
		free(st);
		return NULL;
	}

	/* Create the file ourselves, private to its owner (SQLite gives the WAL and the shared
	 * memory file the same mode), and hold an exclusive flock on it for as long as the store
	 * is open: a second broker on the same store is refused rather than interleaving its
	 * events with ours. flock is independent of SQLite's own fcntl locks. A store found
	 * readable by others (made by an older version, or copied) is made private too: it
	 * holds callers' names and phones in clear. */
	if (strcmp(path, ":memory:") != 0 && path[0] != '\0') {
		struct stat sb;
		st->lock_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
		if (st->lock_fd < 0) {
			sql_errf(&st->q, "open: %s", strerror(errno));
			goto fail;
		}
		if (fstat(st->lock_fd, &sb) == 0 && (sb.st_mode & 077) != 0 &&
		    fchmod(st->lock_fd, sb.st_mode & 0700) != 0) {
			sql_errf(&st->q, "chmod 0600: %s", strerror(errno));
			goto fail;
		}
		if (flock(st->lock_fd, LOCK_EX | LOCK_NB) != 0) {
			if (errno == EWOULDBLOCK)
				sql_errf(&st->q, "in use by another process (is a broker already running "
				    "on this store?)");
			else
				sql_errf(&st->q, "lock: %s", strerror(errno));
			goto fail;
		}
	}

	if (sqlite3_open_v2(path, &st->q.db, flags, NULL) != SQLITE_OK) {
		if (st->q.db != NULL)
			sql_err(&st->q, "open");
		else
			sql_errf(&st->q, "open: out of memory");
		goto fail;
	}
	sqlite3_extended_result_codes(st->q.db, 1);
	sqlite3_busy_timeout(st->q.db, STORE_BUSY_MS);

	/* Version check first: a newer database is left exactly as it was found. */
	if (check_version(st, &version) != 0)
		goto fail;
	if (set_wal(st) != 0)
		goto fail;
	sync_sql = sync == STORE_SYNC_FULL ? "PRAGMA synchronous = FULL" :
	    "PRAGMA synchronous = NORMAL";
	if (sql_exec(&st->q, sync_sql, "set synchronous") != 0)
		goto fail;
	/* Erased bytes (retention, deleted rows) are overwritten, not left in free pages. */
	if (sql_exec(&st->q, "PRAGMA secure_delete = ON", "set secure_delete") != 0)
		goto fail;
	if (version != STORE_SCHEMA_VERSION && create_or_upgrade(st) != 0)
		goto fail;
	if (prepare_all(st) != 0)
		goto fail;
	return st;

fail:
	if (cause != NULL)
		xasprintf(cause, "%s: %s", path, st->q.err);
	store_close(st);
	return NULL;
}

void
store_close(struct store *st)
{
	int i;

	if (st == NULL)
		return;
#ifdef RD_STORE_PG
	pgstore_close(st->pg);
#endif
	for (i = 0; i < STORE_SQL_COUNT; i++)
		sqlite3_finalize(st->stmt[i]);
	/* Closing the last connection checkpoints the WAL into the database and removes it. An
	 * open transaction is rolled back. */
	sqlite3_close_v2(st->q.db);
	if (st->lock_fd >= 0)
		close(st->lock_fd);
	free(st);
}

struct store *
store_open_group(const char *path, enum store_sync sync, bool *leader, char **cause)
{
#ifdef RD_STORE_PG
	if (strncmp(path, "postgresql://", 13) == 0 || strncmp(path, "postgres://", 11) == 0) {
		struct store *st = xcalloc(1, sizeof *st);
		st->lock_fd = -1;
		rd_strlcpy(st->q.err, "no error", sizeof st->q.err);
		if ((st->pg = pgstore_open_group(path, leader, cause)) != NULL)
			return st;
		free(st);
		return NULL;
	}
#endif
	*leader = true; /* a file (or a build without PostgreSQL): one broker, store_open's rule */
	return store_open(path, sync, cause);
}

int
store_try_lead(struct store *st)
{
	ON_PG(st, pgstore_try_lead(st->pg));
	return 1;
}

int
store_lead_fd(struct store *st)
{
	ON_PG(st, pgstore_lead_fd(st->pg));
	return -1;
}

int
store_try_lead_start(struct store *st, int64_t now_ms)
{
	(void)now_ms;
	ON_PG(st, pgstore_try_lead_start(st->pg, now_ms));
	return 0;
}

int
store_try_lead_poll(struct store *st, int64_t now_ms, int64_t *epoch, char *api,
    size_t api_sz)
{
	(void)now_ms;
	(void)epoch;
	(void)api;
	(void)api_sz;
	ON_PG(st, pgstore_try_lead_poll(st->pg, now_ms, epoch, api, api_sz));
	return STORE_LEAD_OURS;
}

int
store_leader_get(struct store *st, int64_t *epoch, char *api, size_t api_sz)
{
	(void)epoch;
	(void)api;
	(void)api_sz;
	ON_PG(st, pgstore_leader_get(st->pg, epoch, api, api_sz));
	return 0;
}

int
store_leader_set(struct store *st, int64_t epoch, const char *api, int64_t since)
{
	(void)epoch;
	(void)api;
	(void)since;
	ON_PG(st, pgstore_leader_set(st->pg, epoch, api, since));
	return 0;
}

const char *
store_errmsg(const struct store *st)
{
	ON_PG(st, pgstore_errmsg(st->pg));
	return st->q.err;
}

int
store_begin(struct store *st)
{
	ON_PG(st, pgstore_begin(st->pg));
	return sql_step_done(&st->q, st->stmt[STORE_SQL_BEGIN], "begin");
}

int
store_commit(struct store *st)
{
	ON_PG(st, pgstore_commit(st->pg));
	return sql_step_done(&st->q, st->stmt[STORE_SQL_COMMIT], "commit");
}

int
store_rollback(struct store *st)
{
	ON_PG(st, pgstore_rollback(st->pg));
	/* SQLite rolls back by itself after some errors (I/O, full disk): then there is nothing
	 * left to do, and that is not an error. */
	if (sqlite3_get_autocommit(st->q.db))
		return 0;
	return sql_step_done(&st->q, st->stmt[STORE_SQL_ROLLBACK], "rollback");
}

/* 1 and *value when found, 0 when absent, -1 on error. */
static int
meta_read(struct store *st, const char *key, int64_t *value)
{
	sqlite3_stmt *s = st->stmt[STORE_SQL_META_GET];
	int rc, found = 0;

	sql_bind_text(s, 1, key);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*value = sqlite3_column_int64(s, 0);
		found = 1;
	} else if (rc != SQLITE_DONE) {
		sql_err(&st->q, "meta get");
		found = -1;
	}
	sqlite3_reset(s);
	return found;
}

/* On error returns def too; store_errmsg() says why. */
int64_t
store_meta_get(struct store *st, const char *key, int64_t def)
{
	ON_PG(st, pgstore_meta_get(st->pg, key, def));
	int64_t v;

	return meta_read(st, key, &v) == 1 ? v : def;
}

int
store_meta_set(struct store *st, const char *key, int64_t value)
{
	ON_PG(st, pgstore_meta_set(st->pg, key, value));
	sqlite3_stmt *s = st->stmt[STORE_SQL_META_SET];

	if (need_txn(st, "meta set") != 0)
		return -1;
	sql_bind_text(s, 1, key);
	sqlite3_bind_int64(s, 2, value);
	return sql_step_done(&st->q, s, "meta set");
}

/* The hot path of group commit: binds, one step, no allocation. */
/* The entity's id as a number, when it is one (digits only, fewer than 19); else 0. */
static int64_t
entity_number(const char *entity)
{
	size_t n = 0;

	for (; entity[n] != '\0'; n++)
		if (entity[n] < '0' || entity[n] > '9' || n >= 18)
			return 0;
	return n > 0 ? strtoll(entity, NULL, 10) : 0;
}

int
store_event_append(struct store *st, struct store_event *ev)
{
	ON_PG(st, pgstore_event_append(st->pg, ev));
	sqlite3_stmt *s = st->stmt[STORE_SQL_EVENT_APPEND];

	if (need_txn(st, "append event") != 0)
		return -1;
	sqlite3_bind_int64(s, 1, ev->ts);
	sql_bind_text(s, 2, ev->stream);
	sql_bind_text(s, 3, ev->entity);
	sql_bind_text(s, 4, ev->kind);
	sql_bind_text(s, 5, ev->user != NULL ? ev->user : "");
	sql_bind_text(s, 6, ev->detail != NULL ? ev->detail : "");
	bind_blob(s, 7, ev->body, ev->body_len);
	sql_bind_text(s, 8, ev->code != NULL ? ev->code : "");
	if (ev->params_len > 0)
		bind_blob(s, 9, ev->params, ev->params_len);
	else
		sqlite3_bind_null(s, 9);
	if (sql_step_done(&st->q, s, "append event") != 0)
		return -1;
	ev->id = sqlite3_last_insert_rowid(st->q.db);
	if (entity_number(ev->entity) > 0) {
		s = st->stmt[STORE_SQL_LATEST_PUT];
		sql_bind_text(s, 1, ev->stream);
		sqlite3_bind_int64(s, 2, entity_number(ev->entity));
		sqlite3_bind_int64(s, 3, ev->id);
		if (sql_step_done(&st->q, s, "append event: latest") != 0)
			return -1;
	}
	return 0;
}

/* On error returns -1; store_errmsg() says why. */
int64_t
store_event_last_id(struct store *st)
{
	ON_PG(st, pgstore_event_last_id(st->pg));
	sqlite3_stmt *s = st->stmt[STORE_SQL_EVENT_LAST];
	int64_t id = -1;

	if (sqlite3_step(s) == SQLITE_ROW)
		id = sqlite3_column_int64(s, 0); /* max() of no rows is NULL, read as 0 */
	else
		sql_err(&st->q, "last event id");
	sqlite3_reset(s);
	return id;
}

int
store_checkpoint_begin(struct store *st)
{
	ON_PG(st, pgstore_checkpoint_begin(st->pg));
	if (need_txn(st, "checkpoint begin") != 0)
		return -1;
	if (sql_step_done(&st->q, st->stmt[STORE_SQL_CKPT_CLEAR], "checkpoint begin") != 0)
		return -1;
	/* Until checkpoint_end, the position is 0: a caller that commits without calling
	 * checkpoint_end gets a full replay of the log on the next load, not lost entities. */
	return store_meta_set(st, META_CHECKPOINT, 0);
}

int
store_checkpoint_put(struct store *st, const char *stream, const char *entity,
    const void *body, size_t len)
{
	ON_PG(st, pgstore_checkpoint_put(st->pg, stream, entity, body, len));
	sqlite3_stmt *s = st->stmt[STORE_SQL_CKPT_PUT];

	if (need_txn(st, "checkpoint put") != 0)
		return -1;
	sql_bind_text(s, 1, stream);
	sql_bind_text(s, 2, entity);
	bind_blob(s, 3, body, len);
	return sql_step_done(&st->q, s, "checkpoint put");
}

int
store_checkpoint_end(struct store *st, int64_t upto_event_id)
{
	ON_PG(st, pgstore_checkpoint_end(st->pg, upto_event_id));
	int64_t last;

	if (need_txn(st, "checkpoint end") != 0)
		return -1;
	if ((last = store_event_last_id(st)) < 0)
		return -1;
	/* A position past the log would make load skip events appended later. */
	if (upto_event_id < 0 || upto_event_id > last) {
		sql_errf(&st->q, "checkpoint end: event %" PRId64 " is not in the log (last is %"
		    PRId64 ")", upto_event_id, last);
		return -1;
	}
	return store_meta_set(st, META_CHECKPOINT, upto_event_id);
}

/* Feed every row of s (columns: stream, entity, body) to cb; *n counts rows. */
static int
feed(struct store *st, sqlite3_stmt *s, store_load_cb cb, void *ctx, int64_t *n,
    const char *what)
{
	int rc;

	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *stream = (const char *)sqlite3_column_text(s, 0);
		const char *entity = (const char *)sqlite3_column_text(s, 1);
		const void *body = sqlite3_column_blob(s, 2);
		size_t len = (size_t)sqlite3_column_bytes(s, 2);

		if (cb(ctx, stream != NULL ? stream : "", entity != NULL ? entity : "", body,
		    len) != 0) {
			sql_errf(&st->q, "load stopped by caller");
			sqlite3_reset(s);
			return -1;
		}
		(*n)++;
	}
	if (rc != SQLITE_DONE) {
		sql_err(&st->q, what);
		sqlite3_reset(s);
		return -1;
	}
	sqlite3_reset(s);
	return 0;
}

int
store_load(struct store *st, store_load_cb cb, void *ctx, int64_t *replayed)
{
	ON_PG(st, pgstore_load(st->pg, cb, ctx, replayed));
	sqlite3_stmt *after = st->stmt[STORE_SQL_EVENT_AFTER];
	int64_t from = 0, ncheckpoint = 0, nevents = 0;
	int own_txn, rc = -1;

	if (replayed != NULL)
		*replayed = 0;
	/* One read transaction, so the checkpoint and the tail come from the same snapshot. */
	own_txn = sqlite3_get_autocommit(st->q.db);
	if (own_txn && sql_step_done(&st->q, st->stmt[STORE_SQL_BEGIN_READ], "load") != 0)
		return -1;
	if (meta_read(st, META_CHECKPOINT, &from) < 0)
		goto out;
	if (feed(st, st->stmt[STORE_SQL_CKPT_SCAN], cb, ctx, &ncheckpoint,
	    "load checkpoint") != 0)
		goto out;
	sqlite3_bind_int64(after, 1, from);
	if (feed(st, after, cb, ctx, &nevents, "load events") != 0)
		goto out;
	if (replayed != NULL)
		*replayed = nevents;
	rc = 0;

out:
	if (own_txn) {
		/* Ending a read transaction can only fail if something is badly wrong; keep the
		 * first error. */
		if (rc == 0)
			rc = sql_step_done(&st->q, st->stmt[STORE_SQL_COMMIT], "load");
		else
			sqlite3_exec(st->q.db, "ROLLBACK", NULL, NULL, NULL);
	}
	return rc;
}

int
store_events_range(struct store *st, int64_t from, int64_t to, int64_t max,
    store_event_cb cb, void *ctx, int64_t *walked)
{
	ON_PG(st, pgstore_events_range(st->pg, from, to, max, cb, ctx, walked));
	sqlite3_stmt *s = st->stmt[STORE_SQL_EVENT_SPAN];
	int64_t lo = 0, hi = -1, n = 0;
	int rc, ret = 0;

	if (walked != NULL)
		*walked = 0;
	sqlite3_bind_int64(s, 1, from);
	sqlite3_bind_int64(s, 2, to);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW && sqlite3_column_type(s, 0) != SQLITE_NULL) {
		lo = sqlite3_column_int64(s, 0);
		hi = sqlite3_column_int64(s, 1);
	}
	sqlite3_reset(s);
	if (rc != SQLITE_ROW) {
		sql_err(&st->q, "events range");
		return -1;
	}
	s = st->stmt[STORE_SQL_EVENT_RANGE];
	sqlite3_bind_int64(s, 1, lo);
	sqlite3_bind_int64(s, 2, hi);
	sqlite3_bind_int64(s, 3, from);
	sqlite3_bind_int64(s, 4, to);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct store_event ev;
		if (n == max) {
			ret = 1;
			break;
		}
		memset(&ev, 0, sizeof ev);
		ev.id = sqlite3_column_int64(s, 0);
		ev.ts = sqlite3_column_int64(s, 1);
		ev.stream = (const char *)sqlite3_column_text(s, 2);
		ev.entity = (const char *)sqlite3_column_text(s, 3);
		ev.kind = (const char *)sqlite3_column_text(s, 4);
		ev.user = (const char *)sqlite3_column_text(s, 5);
		ev.detail = "";
		ev.code = (const char *)sqlite3_column_text(s, 6);
		ev.body = sqlite3_column_blob(s, 7);
		ev.body_len = ev.body != NULL ? (size_t)sqlite3_column_bytes(s, 7) : 0;
		ev.params = sqlite3_column_blob(s, 8);
		ev.params_len = ev.params != NULL ? (size_t)sqlite3_column_bytes(s, 8) : 0;
		n++;
		if (cb(ctx, &ev) != 0) {
			sql_errf(&st->q, "events range: stopped by caller");
			sqlite3_reset(s);
			return -1;
		}
	}
	if (ret == 0 && rc != SQLITE_DONE) {
		sql_err(&st->q, "events range");
		sqlite3_reset(s);
		return -1;
	}
	sqlite3_reset(s);
	if (walked != NULL)
		*walked = n;
	return ret;
}

int
store_events_of(struct store *st, const char *stream, const char *entity,
    store_event_cb cb, void *ctx)
{
	ON_PG(st, pgstore_events_of(st->pg, stream, entity, cb, ctx));
	sqlite3_stmt *s = st->stmt[STORE_SQL_EVENT_OF];
	struct store_event ev;
	int rc;

	sql_bind_text(s, 1, stream);
	sql_bind_text(s, 2, entity);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		memset(&ev, 0, sizeof ev);
		ev.id = sqlite3_column_int64(s, 0);
		ev.ts = sqlite3_column_int64(s, 1);
		ev.stream = stream;
		ev.entity = entity;
		ev.kind = (const char *)sqlite3_column_text(s, 2);
		ev.user = (const char *)sqlite3_column_text(s, 3);
		ev.detail = (const char *)sqlite3_column_text(s, 4);
		ev.body = sqlite3_column_blob(s, 5);
		ev.body_len = (size_t)sqlite3_column_bytes(s, 5);
		ev.code = (const char *)sqlite3_column_text(s, 6);
		ev.params = sqlite3_column_blob(s, 7);
		ev.params_len = ev.params != NULL ? (size_t)sqlite3_column_bytes(s, 7) : 0;
		if (cb(ctx, &ev) != 0) {
			sql_errf(&st->q, "events of: stopped by caller");
			sqlite3_reset(s);
			return -1;
		}
	}
	if (rc != SQLITE_DONE) {
		sql_err(&st->q, "events of");
		sqlite3_reset(s);
		return -1;
	}
	sqlite3_reset(s);
	return 0;
}

int
store_surveys_since(struct store *st, int64_t since, store_event_cb cb, void *ctx)
{
	ON_PG(st, pgstore_surveys_since(st->pg, since, cb, ctx));
	sqlite3_stmt *s = st->stmt[STORE_SQL_SURVEYS_SINCE];
	struct store_event ev;
	int rc;

	sqlite3_bind_int64(s, 1, since);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		memset(&ev, 0, sizeof ev);
		ev.id = sqlite3_column_int64(s, 0);
		ev.ts = sqlite3_column_int64(s, 1);
		ev.stream = "ticket";
		ev.entity = (const char *)sqlite3_column_text(s, 2);
		ev.kind = "survey";
		ev.user = (const char *)sqlite3_column_text(s, 3);
		ev.detail = (const char *)sqlite3_column_text(s, 4);
		ev.code = (const char *)sqlite3_column_text(s, 5);
		ev.params = sqlite3_column_blob(s, 6);
		ev.params_len = ev.params != NULL ? (size_t)sqlite3_column_bytes(s, 6) : 0;
		if (cb(ctx, &ev) != 0) {
			sql_errf(&st->q, "surveys: stopped by caller");
			sqlite3_reset(s);
			return -1;
		}
	}
	if (rc != SQLITE_DONE) {
		sql_err(&st->q, "surveys");
		sqlite3_reset(s);
		return -1;
	}
	sqlite3_reset(s);
	return 0;
}

int
store_latest_each(struct store *st, const char *stream, int64_t below, store_latest_cb cb,
    void *ctx)
{
	ON_PG(st, pgstore_latest_each(st->pg, stream, below, cb, ctx));
	sqlite3_stmt *s = st->stmt[STORE_SQL_LATEST];
	int rc, r = 0;

	sql_bind_text(s, 1, stream);
	sqlite3_bind_int64(s, 2, below > 0 ? below : INT64_MAX);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		r = cb(ctx, sqlite3_column_int64(s, 0),
		    sqlite3_column_int64(s, 1), sqlite3_column_blob(s, 2),
		    (size_t)sqlite3_column_bytes(s, 2));
		if (r != 0)
			break;
	}
	if (r == 0 && rc != SQLITE_DONE) {
		sql_err(&st->q, "latest");
		sqlite3_reset(s);
		return -1;
	}
	sqlite3_reset(s);
	if (r < 0) {
		sql_errf(&st->q, "latest: stopped by caller");
		return -1;
	}
	return 0;
}

int
store_reply_get(struct store *st, const char *user, const char *cmd_id, void **reply,
    size_t *len)
{
	ON_PG(st, pgstore_reply_get(st->pg, user, cmd_id, reply, len));
	sqlite3_stmt *s = st->stmt[STORE_SQL_REPLY_GET];
	int rc, found = 0;

	sql_bind_text(s, 1, user);
	sql_bind_text(s, 2, cmd_id);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		const void *blob = sqlite3_column_blob(s, 0);
		size_t n = (size_t)sqlite3_column_bytes(s, 0);
		void *copy = xmalloc(n);

		if (n != 0)
			memcpy(copy, blob, n);
		*reply = copy;
		*len = n;
		found = 1;
	} else if (rc != SQLITE_DONE) {
		sql_err(&st->q, "reply get");
		found = -1;
	}
	sqlite3_reset(s);
	return found;
}

int
store_reply_put(struct store *st, const char *user, const char *cmd_id, int64_t ts,
    const void *reply, size_t len)
{
	ON_PG(st, pgstore_reply_put(st->pg, user, cmd_id, ts, reply, len));
	sqlite3_stmt *s = st->stmt[STORE_SQL_REPLY_PUT];

	if (need_txn(st, "reply put") != 0)
		return -1;
	sql_bind_text(s, 1, user);
	sql_bind_text(s, 2, cmd_id);
	sqlite3_bind_int64(s, 3, ts);
	bind_blob(s, 4, reply, len);
	return sql_step_done(&st->q, s, "reply put");
}

/* Runs inside the caller's transaction if one is open, else as its own. */
int64_t
store_reply_expire(struct store *st, int64_t before_ms)
{
	ON_PG(st, pgstore_reply_expire(st->pg, before_ms));
	sqlite3_stmt *s = st->stmt[STORE_SQL_REPLY_EXPIRE];

	sqlite3_bind_int64(s, 1, before_ms);
	if (sql_step_done(&st->q, s, "reply expire") != 0)
		return -1;
	return sqlite3_changes64(st->q.db);
}

/* ---- complaints (schema 4) ---- */

static int
complaint_row(struct store *st, sqlite3_stmt *s, const char *what, struct store_complaint *out)
{
	int rc = sqlite3_step(s), found = 0;

	if (rc == SQLITE_ROW) {
		const unsigned char *by = sqlite3_column_text(s, 1);
		out->version = sqlite3_column_int64(s, 0);
		snprintf(out->saved_by, sizeof out->saved_by, "%s", by ? (const char *)by : "");
		out->saved_at = sqlite3_column_int64(s, 2);
		out->same = sqlite3_column_int64(s, 3) == 1;
		found = 1;
	} else if (rc != SQLITE_DONE) {
		sql_err(&st->q, what);
		found = -1;
	}
	sqlite3_reset(s);
	return found;
}

int
store_complaint_get(struct store *st, const char *uid, struct store_complaint *out)
{
	ON_PG(st, pgstore_complaint_get(st->pg, uid, out));
	sqlite3_stmt *s = st->stmt[STORE_SQL_COMPLAINT_GET];

	sql_bind_text(s, 1, uid);
	return complaint_row(st, s, "complaint get", out);
}

int
store_complaint_record(struct store *st, const char *uid, char **record)
{
	ON_PG(st, pgstore_complaint_record(st->pg, uid, record));
	sqlite3_stmt *s = st->stmt[STORE_SQL_COMPLAINT_RECORD];
	int rc, found = 0;

	*record = NULL;
	sql_bind_text(s, 1, uid);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		const unsigned char *t = sqlite3_column_text(s, 0);
		*record = xstrdup(t ? (const char *)t : "");
		found = 1;
	} else if (rc != SQLITE_DONE) {
		sql_err(&st->q, "complaint record");
		found = -1;
	}
	sqlite3_reset(s);
	return found;
}

int
store_complaint_acked(struct store *st, const char *uid, int64_t version, const char *record,
    struct store_complaint *out)
{
	ON_PG(st, pgstore_complaint_acked(st->pg, uid, version, record, out));
	sqlite3_stmt *s = st->stmt[STORE_SQL_COMPLAINT_ACKED];

	sql_bind_text(s, 1, uid);
	sqlite3_bind_int64(s, 2, version);
	sql_bind_text(s, 3, record);
	return complaint_row(st, s, "complaint acked", out);
}

int
store_complaint_put(struct store *st, const char *uid, const struct store_complaint *c,
    const char *record)
{
	ON_PG(st, pgstore_complaint_put(st->pg, uid, c, record));
	sqlite3_stmt *s = st->stmt[STORE_SQL_COMPLAINT_PUT];

	if (need_txn(st, "complaint put") != 0)
		return -1;
	sql_bind_text(s, 1, uid);
	sqlite3_bind_int64(s, 2, c->version);
	sql_bind_text(s, 3, c->saved_by);
	sqlite3_bind_int64(s, 4, c->saved_at);
	sql_bind_text(s, 5, record);
	if (sql_step_done(&st->q, s, "complaint put") != 0)
		return -1;
	s = st->stmt[STORE_SQL_COMPLAINT_ACK_PUT];
	sql_bind_text(s, 1, uid);
	sqlite3_bind_int64(s, 2, c->version);
	sql_bind_text(s, 3, c->saved_by);
	sqlite3_bind_int64(s, 4, c->saved_at);
	sql_bind_text(s, 5, record);
	return sql_step_done(&st->q, s, "complaint put");
}

/* ---- retention ---- */

int
store_event_rewrite(struct store *st, int64_t id, const char *detail, const void *body,
    size_t body_len, const void *params, size_t params_len)
{
	ON_PG(st, pgstore_event_rewrite(st->pg, id, detail, body, body_len, params, params_len));
	sqlite3_stmt *s = st->stmt[STORE_SQL_EVENT_REWRITE];

	if (need_txn(st, "event rewrite") != 0)
		return -1;
	sqlite3_bind_int64(s, 1, id);
	sql_bind_text(s, 2, detail);
	bind_blob(s, 3, body, body_len);
	if (params != NULL)
		bind_blob(s, 4, params, params_len);
	else
		sqlite3_bind_null(s, 4);
	return sql_step_done(&st->q, s, "event rewrite");
}

int
store_checkpoint_rewrite(struct store *st, const char *stream, const char *entity,
    const void *body, size_t len)
{
	ON_PG(st, pgstore_checkpoint_rewrite(st->pg, stream, entity, body, len));
	sqlite3_stmt *s = st->stmt[STORE_SQL_CKPT_REWRITE];

	if (need_txn(st, "checkpoint rewrite") != 0)
		return -1;
	sql_bind_text(s, 1, stream);
	sql_bind_text(s, 2, entity);
	bind_blob(s, 3, body, len);
	return sql_step_done(&st->q, s, "checkpoint rewrite");
}

int
store_reply_forget(struct store *st, const char *text)
{
	ON_PG(st, pgstore_reply_forget(st->pg, text));
	sqlite3_stmt *s = st->stmt[STORE_SQL_REPLY_FORGET];

	if (text == NULL || text[0] == '\0')
		return 0;
	if (need_txn(st, "reply forget") != 0)
		return -1;
	bind_blob(s, 1, text, strlen(text));
	return sql_step_done(&st->q, s, "reply forget");
}
