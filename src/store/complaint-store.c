/* complaint-store.c: the console user's complaints in a local SQLite file (see
 * complaint-store.h).
 *
 * The complaint table has one column per field of COMPLAINT_FIELDS (complaint.h), named
 * as the field: texts and enums (by their wire names, so a reordered enum never changes a
 * stored value) as TEXT, numbers, times (ms) and money (fen) as INTEGER. Its SQL is built
 * from the field table at open, so a field added to the table needs a schema step here
 * (ALTER TABLE ADD COLUMN) and nothing else. User data reaches SQLite only through bound
 * parameters. Errors are kept in a fixed buffer as "<what>: <sqlite3_errmsg>". */
#include "complaint-store.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "sql.h"
#include "util.h"

#define CS_BUSY_MS 5000

#define STR_(x) #x
#define STR(x) STR_(x)

/* Version 1: the tables below. The history refuses UPDATE and DELETE by triggers; the
 * outbox keeps one row per saved version until the central copy acknowledges it. The
 * complaint table is created from the field table (create_complaint_sql). */
static const char schema_1_sql[] =
    "CREATE TABLE complaint_pause(complaint_id INTEGER NOT NULL, seq INTEGER NOT NULL,"
    " reason TEXT NOT NULL, started_at INTEGER NOT NULL, ended_at INTEGER NOT NULL,"
    " notified_at INTEGER NOT NULL, PRIMARY KEY(complaint_id, seq));"
    "CREATE TABLE complaint_history(id INTEGER PRIMARY KEY, complaint_id INTEGER NOT NULL,"
    " version INTEGER NOT NULL, ts INTEGER NOT NULL, actor TEXT NOT NULL,"
    " field TEXT NOT NULL, old_value TEXT NOT NULL, new_value TEXT NOT NULL,"
    " note TEXT NOT NULL);"
    "CREATE INDEX complaint_history_of ON complaint_history(complaint_id, id);"
    "CREATE TRIGGER complaint_history_no_update BEFORE UPDATE ON complaint_history"
    " BEGIN SELECT RAISE(ABORT, 'the complaint history is append-only'); END;"
    "CREATE TRIGGER complaint_history_no_delete BEFORE DELETE ON complaint_history"
    " BEGIN SELECT RAISE(ABORT, 'the complaint history is append-only'); END;"
    "CREATE TABLE complaint_draft(complaint_id INTEGER PRIMARY KEY, ts INTEGER NOT NULL,"
    " body TEXT NOT NULL);"
    "CREATE TABLE complaint_outbox(seq INTEGER PRIMARY KEY AUTOINCREMENT,"
    " uid TEXT NOT NULL, version INTEGER NOT NULL, ts INTEGER NOT NULL,"
    " payload TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, UNIQUE(uid, version));"
    "CREATE UNIQUE INDEX complaint_by_number ON complaint(number);"
    "CREATE UNIQUE INDEX complaint_by_uid ON complaint(uid);"
    "CREATE INDEX complaint_by_state ON complaint(state, due_at);"
    "CREATE INDEX complaint_by_due ON complaint(due_at);"
    "CREATE INDEX complaint_by_received ON complaint(received_at);";

enum cs_sql {
	CS_BEGIN,
	CS_COMMIT,
	CS_ROLLBACK,
	CS_SELECT_ID,           /* built */
	CS_SELECT_NUMBER,       /* built */
	CS_SELECT_UID,          /* built */
	CS_INSERT,              /* built */
	CS_UPDATE,              /* built */
	CS_NEXT_SEQ,
	CS_NEW_UID,
	CS_PAUSES_OF,
	CS_PAUSES_CLEAR,
	CS_PAUSE_PUT,
	CS_HISTORY_PUT,
	CS_HISTORY_OF,
	CS_DRAFT_PUT,
	CS_DRAFT_GET,
	CS_DRAFT_DROP,
	CS_DRAFT_LATEST,
	CS_OUTBOX_PUT,
	CS_OUTBOX_PENDING,
	CS_OUTBOX_ACK,
	CS_OUTBOX_TRIED,
	CS_REBASE,
	CS_SQL_COUNT
};

static const char *const cs_fixed_sql[CS_SQL_COUNT] = {
	[CS_BEGIN] = "BEGIN IMMEDIATE",
	[CS_COMMIT] = "COMMIT",
	[CS_ROLLBACK] = "ROLLBACK",
	/* The numbers of one receipt day: "TS-YYYYMMDD-" is 12 bytes, the sequence follows. */
	[CS_NEXT_SEQ] = "SELECT coalesce(max(CAST(substr(number, 13) AS INTEGER)), 0) + 1"
	    " FROM complaint WHERE substr(number, 1, 12) = ?1",
	[CS_NEW_UID] = "SELECT lower(hex(randomblob(8)))",
	[CS_PAUSES_OF] = "SELECT reason, started_at, ended_at, notified_at FROM complaint_pause"
	    " WHERE complaint_id = ?1 ORDER BY seq",
	[CS_PAUSES_CLEAR] = "DELETE FROM complaint_pause WHERE complaint_id = ?1",
	[CS_PAUSE_PUT] = "INSERT INTO complaint_pause(complaint_id, seq, reason, started_at,"
	    " ended_at, notified_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
	[CS_HISTORY_PUT] = "INSERT INTO complaint_history(complaint_id, version, ts, actor,"
	    " field, old_value, new_value, note) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
	[CS_HISTORY_OF] = "SELECT id, ts, version, actor, field, old_value, new_value, note"
	    " FROM complaint_history WHERE complaint_id = ?1 ORDER BY id",
	[CS_DRAFT_PUT] = "INSERT OR REPLACE INTO complaint_draft(complaint_id, ts, body)"
	    " VALUES (?1, ?2, ?3)",
	[CS_DRAFT_GET] = "SELECT body FROM complaint_draft WHERE complaint_id = ?1",
	[CS_DRAFT_DROP] = "DELETE FROM complaint_draft WHERE complaint_id = ?1",
	[CS_DRAFT_LATEST] = "SELECT complaint_id FROM complaint_draft ORDER BY ts DESC,"
	    " complaint_id DESC LIMIT 1",
	[CS_OUTBOX_PUT] = "INSERT INTO complaint_outbox(uid, version, ts, payload)"
	    " VALUES (?1, ?2, ?3, ?4)",
	[CS_OUTBOX_PENDING] = "SELECT seq, uid, version, ts, payload, attempts"
	    " FROM complaint_outbox ORDER BY seq LIMIT ?1",
	[CS_OUTBOX_ACK] = "DELETE FROM complaint_outbox WHERE uid = ?1 AND version <= ?2",
	[CS_OUTBOX_TRIED] = "UPDATE complaint_outbox SET attempts = attempts + 1 WHERE seq = ?1",
	[CS_REBASE] = "UPDATE complaint SET version = ?2 WHERE id = ?1",
};

struct complaint_store {
	struct sql q;            /* the connection and the last error */
	sqlite3_stmt *stmt[CS_SQL_COUNT];
	char *user;
};








/* ---- SQL built from the field table -------------------------------------------------- */

struct sqlbuf {
	char *s;
	size_t len, cap;
};

static void
sb_add(struct sqlbuf *b, const char *fmt, ...) RD_PRINTF(2, 3);

static void
sb_add(struct sqlbuf *b, const char *fmt, ...)
{
	va_list ap;
	char tmp[256];

	va_start(ap, fmt);
	int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if (b->len + (size_t)n + 1 > b->cap) {
		b->cap = (b->len + (size_t)n + 1) * 2;
		b->s = xrealloc(b->s, b->cap);
	}
	memcpy(b->s + b->len, tmp, (size_t)n + 1);
	b->len += (size_t)n;
}

static bool
is_text_column(enum complaint_ftype t)
{
	return t == CFT_TEXT || t == CFT_LONG || t == CFT_ENUM;
}

static char *
create_complaint_sql(void)
{
	struct sqlbuf b = { 0 };

	sb_add(&b, "CREATE TABLE complaint(id INTEGER PRIMARY KEY");
	for (int f = 0; f < COMPLAINT_FIELD_COUNT; f++) {
		const struct complaint_field_info *fi = complaint_field_info(f);
		sb_add(&b, ", \"%s\" %s", fi->name, is_text_column(fi->type) ?
		    "TEXT NOT NULL DEFAULT ''" : "INTEGER NOT NULL DEFAULT 0");
	}
	sb_add(&b, ", due_at INTEGER NOT NULL DEFAULT 0, saved_at INTEGER NOT NULL DEFAULT 0);");
	return b.s;
}

/* SELECT id, <fields> FROM complaint WHERE <where>; the list query appends to it. */
static void
select_head(struct sqlbuf *b)
{
	sb_add(b, "SELECT id");
	for (int f = 0; f < COMPLAINT_FIELD_COUNT; f++)
		sb_add(b, ", \"%s\"", complaint_field_info(f)->name);
	sb_add(b, " FROM complaint");
}

static char *
select_sql(const char *where)
{
	struct sqlbuf b = { 0 };
	select_head(&b);
	sb_add(&b, " WHERE %s", where);
	return b.s;
}

/* INSERT: ?1 id, ?2.. the fields, then due_at, saved_at. UPDATE: the same numbering. */
static char *
insert_sql(void)
{
	struct sqlbuf b = { 0 };
	sb_add(&b, "INSERT INTO complaint(id");
	for (int f = 0; f < COMPLAINT_FIELD_COUNT; f++)
		sb_add(&b, ", \"%s\"", complaint_field_info(f)->name);
	sb_add(&b, ", due_at, saved_at) VALUES (?1");
	for (int i = 0; i < COMPLAINT_FIELD_COUNT + 2; i++)
		sb_add(&b, ", ?%d", i + 2);
	sb_add(&b, ")");
	return b.s;
}

static char *
update_sql(void)
{
	struct sqlbuf b = { 0 };
	sb_add(&b, "UPDATE complaint SET ");
	for (int f = 0; f < COMPLAINT_FIELD_COUNT; f++)
		sb_add(&b, "%s\"%s\" = ?%d", f > 0 ? ", " : "", complaint_field_info(f)->name,
		    f + 2);
	sb_add(&b, ", due_at = ?%d, saved_at = ?%d WHERE id = ?1", COMPLAINT_FIELD_COUNT + 2,
	    COMPLAINT_FIELD_COUNT + 3);
	return b.s;
}

static void
bind_fields(sqlite3_stmt *s, const struct complaint *c, int first)
{
	for (int f = 0; f < COMPLAINT_FIELD_COUNT; f++) {
		const struct complaint_field_info *fi = complaint_field_info(f);
		int i = first + f;
		if (fi->type == CFT_TEXT || fi->type == CFT_LONG)
			sql_bind_str(s, i, complaint_field_str(c, f));
		else if (fi->type == CFT_ENUM) {
			int64_t v = complaint_field_int(c, f);
			sql_bind_str(s, i, v >= 0 && (size_t)v < fi->n_names ? fi->names[v] : "");
		} else
			sqlite3_bind_int64(s, i, complaint_field_int(c, f));
	}
}

/* A record from a row of select_head's columns; NULL and st->q.err when a stored enum name
 * is unknown to this build. */
static struct complaint *
row_record(struct complaint_store *st, sqlite3_stmt *s)
{
	struct complaint *c = complaint_new(0);

	c->id = sqlite3_column_int64(s, 0);
	for (int f = 0; f < COMPLAINT_FIELD_COUNT; f++) {
		const struct complaint_field_info *fi = complaint_field_info(f);
		int col = f + 1;
		if (fi->type == CFT_TEXT || fi->type == CFT_LONG) {
			const unsigned char *t = sqlite3_column_text(s, col);
			int n = sqlite3_column_bytes(s, col);
			char *v = t != NULL ? xstrndup((const char *)t, (size_t)n) : NULL;
			complaint_field_set_str(c, f, v);
			free(v);
		} else if (fi->type == CFT_ENUM) {
			const char *t = (const char *)sqlite3_column_text(s, col);
			int64_t v = -1;
			for (size_t i = 0; t != NULL && i < fi->n_names; i++)
				if (strcmp(fi->names[i], t) == 0)
					v = (int64_t)i;
			if (v < 0) {
				sql_errf(&st->q, "complaint %" PRId64 ": %s \"%s\" is unknown to this "
				    "build", c->id, fi->name, t != NULL ? t : "");
				complaint_free(c);
				return NULL;
			}
			complaint_field_set_int(c, f, v);
		} else
			complaint_field_set_int(c, f, sqlite3_column_int64(s, col));
	}
	return c;
}

/* ---- open, schema --------------------------------------------------------------------- */

char *
complaint_store_path(const char *user, char **cause)
{
	const char *xdg = getenv("XDG_DATA_HOME"), *home = getenv("HOME");
	char *path = NULL;

	if (user == NULL || *user == '\0' || strchr(user, '/') != NULL) {
		if (cause != NULL)
			*cause = xstrdup("complaints: no user name to name the file by");
		return NULL;
	}
	if (xdg != NULL && *xdg != '\0')
		xasprintf(&path, "%s/rescuedesk/complaints-%s.db", xdg, user);
	else if (home != NULL && *home != '\0')
		xasprintf(&path, "%s/.local/share/rescuedesk/complaints-%s.db", home, user);
	else if (cause != NULL)
		*cause = xstrdup("complaints: neither XDG_DATA_HOME nor HOME is set");
	return path;
}

/* mkdir -p of path's directory, each new level 0700. */
static int
make_parent(const char *path)
{
	char *dir = xstrdup(path);
	char *slash = strrchr(dir, '/');
	int rc = 0;

	if (slash == NULL || slash == dir) {
		free(dir);
		return 0;
	}
	*slash = '\0';
	for (char *p = dir + 1; ; p++) {
		if (*p == '/' || *p == '\0') {
			char c = *p;
			*p = '\0';
			if (mkdir(dir, 0700) != 0 && errno != EEXIST)
				rc = -1;
			*p = c;
			if (c == '\0' || rc != 0)
				break;
		}
	}
	free(dir);
	return rc;
}

/* The file, created private (0600, whatever the umask; an existing file is made private
 * too). SQLite gives the -wal and -shm files the database file's mode. */
static int
make_private(struct complaint_store *st, const char *path)
{
	if (make_parent(path) != 0) {
		sql_errf(&st->q, "create its directory: %s", strerror(errno));
		return -1;
	}
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0) {
		sql_errf(&st->q, "open: %s", strerror(errno));
		return -1;
	}
	if (fchmod(fd, 0600) != 0) {
		sql_errf(&st->q, "chmod: %s", strerror(errno));
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

static int
migrate(struct complaint_store *st)
{
	int64_t version;

	if (sql_exec(&st->q, "BEGIN IMMEDIATE", "migrate") != 0)
		return -1;
	if (sql_query_int(&st->q, "PRAGMA user_version", "read schema version", &version) != 0)
		goto fail;
	if (version > COMPLAINT_STORE_SCHEMA) {
		sql_errf(&st->q, "schema version %" PRId64 " is newer than this program's (%d); use a "
		    "newer rescuedesk", version, COMPLAINT_STORE_SCHEMA);
		goto fail;
	}
	/* One step per version, in this transaction. 0: a new or empty file. Plain CREATE
	 * TABLE: a file that already has such tables is refused, not adopted. */
	if (version < 1) {
		char *sql = create_complaint_sql();
		int rc = sql_exec(&st->q, sql, "create schema 1");
		free(sql);
		if (rc != 0 || sql_exec(&st->q, schema_1_sql, "create schema 1") != 0)
			goto fail;
	}
	if (version < COMPLAINT_STORE_SCHEMA && sql_exec(&st->q, "PRAGMA user_version = "
	    STR(COMPLAINT_STORE_SCHEMA), "set schema version") != 0)
		goto fail;
	if (sql_exec(&st->q, "COMMIT", "migrate") != 0)
		goto fail;
	return 0;
fail:
	sqlite3_exec(st->q.db, "ROLLBACK", NULL, NULL, NULL);
	return -1;
}

static int
prepare_all(struct complaint_store *st)
{
	char *built[CS_SQL_COUNT] = { 0 };
	int rc = 0;

	built[CS_SELECT_ID] = select_sql("id = ?1");
	built[CS_SELECT_NUMBER] = select_sql("number = ?1");
	built[CS_SELECT_UID] = select_sql("uid = ?1");
	built[CS_INSERT] = insert_sql();
	built[CS_UPDATE] = update_sql();
	for (int i = 0; i < CS_SQL_COUNT && rc == 0; i++) {
		const char *sql = built[i] != NULL ? built[i] : cs_fixed_sql[i];
		if (sqlite3_prepare_v3(st->q.db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st->stmt[i],
		    NULL) != SQLITE_OK) {
			sql_err(&st->q, "prepare statements");
			rc = -1;
		}
	}
	for (int i = 0; i < CS_SQL_COUNT; i++)
		free(built[i]);
	return rc;
}

static int
set_wal(struct complaint_store *st)
{
	sqlite3_stmt *s;
	int ok;

	if (sqlite3_prepare_v2(st->q.db, "PRAGMA journal_mode = WAL", -1, &s, NULL) != SQLITE_OK) {
		sql_err(&st->q, "set WAL mode");
		return -1;
	}
	ok = sqlite3_step(s) == SQLITE_ROW;
	const char *mode = ok ? (const char *)sqlite3_column_text(s, 0) : NULL;
	ok = mode != NULL && (strcmp(mode, "wal") == 0 || strcmp(mode, "memory") == 0);
	if (!ok)
		sql_errf(&st->q, "set WAL mode: journal mode stays \"%s\"", mode != NULL ? mode : "?");
	sqlite3_finalize(s);
	return ok ? 0 : -1;
}

struct complaint_store *
complaint_store_open(const char *path, const char *user, char **cause)
{
	struct complaint_store *st = xcalloc(1, sizeof *st);
	int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
	int64_t version;

	if (cause != NULL)
		*cause = NULL;
	rd_strlcpy(st->q.err, "no error", sizeof st->q.err);
	st->user = xstrdup(user != NULL ? user : "");
	if (strcmp(path, ":memory:") != 0 && make_private(st, path) != 0)
		goto fail;
	if (sqlite3_open_v2(path, &st->q.db, flags, NULL) != SQLITE_OK) {
		if (st->q.db != NULL)
			sql_err(&st->q, "open");
		else
			sql_errf(&st->q, "open: out of memory");
		goto fail;
	}
	sqlite3_extended_result_codes(st->q.db, 1);
	sqlite3_busy_timeout(st->q.db, CS_BUSY_MS);
	/* The first read: a file that is not a database, or one of a newer build, fails here
	 * before anything is written to it. */
	if (sql_query_int(&st->q, "PRAGMA user_version", "read schema version", &version) != 0)
		goto fail;
	if (version > COMPLAINT_STORE_SCHEMA) {
		sql_errf(&st->q, "schema version %" PRId64 " is newer than this program's (%d); use a "
		    "newer rescuedesk", version, COMPLAINT_STORE_SCHEMA);
		goto fail;
	}
	if (set_wal(st) != 0 || sql_exec(&st->q, "PRAGMA synchronous = FULL", "set synchronous") != 0)
		goto fail;
	if (version < COMPLAINT_STORE_SCHEMA && migrate(st) != 0)
		goto fail;
	if (prepare_all(st) != 0)
		goto fail;
	return st;
fail:
	if (cause != NULL)
		xasprintf(cause, "%s: %s", path, st->q.err);
	complaint_store_close(st);
	return NULL;
}

void
complaint_store_close(struct complaint_store *st)
{
	if (st == NULL)
		return;
	for (int i = 0; i < CS_SQL_COUNT; i++)
		sqlite3_finalize(st->stmt[i]);
	sqlite3_close_v2(st->q.db);
	free(st->user);
	free(st);
}

const char *
complaint_store_errmsg(const struct complaint_store *st)
{
	return st->q.err;
}

int
complaint_store_schema(struct complaint_store *st)
{
	int64_t v;
	if (sql_query_int(&st->q, "PRAGMA user_version", "read schema version", &v) != 0)
		return -1;
	return (int)v;
}

/* ---- records -------------------------------------------------------------------------- */

static int
load_pauses(struct complaint_store *st, struct complaint *c)
{
	sqlite3_stmt *s = st->stmt[CS_PAUSES_OF];
	const struct complaint_field_info *fi = complaint_field_info(CF_pause_reason);
	int rc;

	sqlite3_bind_int64(s, 1, c->id);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (c->n_pauses >= COMPLAINT_PAUSES_MAX)
			break;
		const char *reason = (const char *)sqlite3_column_text(s, 0);
		int64_t r = 0;
		for (size_t i = 1; reason != NULL && i < fi->n_names; i++)
			if (strcmp(fi->names[i], reason) == 0)
				r = (int64_t)i;
		c->pauses = xreallocarray(c->pauses, c->n_pauses + 1, sizeof *c->pauses);
		c->pauses[c->n_pauses++] = (struct complaint_pause){ r,
			sqlite3_column_int64(s, 1), sqlite3_column_int64(s, 2),
			sqlite3_column_int64(s, 3) };
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		sql_err(&st->q, "load pauses");
		sqlite3_reset(s);
		return -1;
	}
	sqlite3_reset(s);
	return 0;
}

/* 1 and *out, 0 when no row, -1. The statement has its parameter bound. */
static int
load_one(struct complaint_store *st, sqlite3_stmt *s, struct complaint **out)
{
	int rc = sqlite3_step(s);

	*out = NULL;
	if (rc == SQLITE_DONE) {
		sqlite3_reset(s);
		return 0;
	}
	if (rc != SQLITE_ROW) {
		sql_err(&st->q, "load complaint");
		sqlite3_reset(s);
		return -1;
	}
	struct complaint *c = row_record(st, s);
	sqlite3_reset(s);
	if (c == NULL)
		return -1;
	if (load_pauses(st, c) != 0) {
		complaint_free(c);
		return -1;
	}
	*out = c;
	return 1;
}

int
complaint_store_load(struct complaint_store *st, int64_t id, struct complaint **out)
{
	sqlite3_bind_int64(st->stmt[CS_SELECT_ID], 1, id);
	return load_one(st, st->stmt[CS_SELECT_ID], out);
}

int
complaint_store_find(struct complaint_store *st, const char *number, struct complaint **out)
{
	sql_bind_str(st->stmt[CS_SELECT_NUMBER], 1, number);
	return load_one(st, st->stmt[CS_SELECT_NUMBER], out);
}

static void
pause_text(const struct complaint_pause *p, char *buf, size_t size)
{
	const struct complaint_field_info *fi = complaint_field_info(CF_pause_reason);
	char a[24], b[24], n[24];

	if (p == NULL) {
		buf[0] = '\0';
		return;
	}
	complaint_time_format(a, sizeof a, p->start);
	complaint_time_format(b, sizeof b, p->end);
	complaint_time_format(n, sizeof n, p->notified_at);
	snprintf(buf, size, "%s %s .. %s (told %s)", p->reason >= 0 &&
	    (size_t)p->reason < fi->n_names ? fi->names[p->reason] : "?", a, b, n);
}

static int
history_put(struct complaint_store *st, int64_t id, int64_t version, int64_t now_ms,
    const char *field, const char *old, const char *new, const char *note)
{
	sqlite3_stmt *s = st->stmt[CS_HISTORY_PUT];

	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_int64(s, 2, version);
	sqlite3_bind_int64(s, 3, now_ms);
	sql_bind_str(s, 4, st->user);
	sql_bind_str(s, 5, field);
	sql_bind_str(s, 6, old);
	sql_bind_str(s, 7, new);
	sql_bind_str(s, 8, note);
	return sql_step_done(&st->q, s, "append history");
}

/* A history row for each field (and pause) that differs between old and new. */
static int
history_diff(struct complaint_store *st, const struct complaint *old,
    const struct complaint *new, int64_t now_ms, const char *note)
{
	for (int f = 0; f < COMPLAINT_FIELD_COUNT; f++) {
		if (f == CF_version || complaint_field_equal(old, new, f))
			continue;
		char *a = complaint_field_get(old, f), *b = complaint_field_get(new, f);
		int rc = history_put(st, new->id, new->version, now_ms,
		    complaint_field_info(f)->name, a, b, note);
		free(a);
		free(b);
		if (rc != 0)
			return -1;
	}
	size_t n = old->n_pauses > new->n_pauses ? old->n_pauses : new->n_pauses;
	for (size_t i = 0; i < n; i++) {
		const struct complaint_pause *a = i < old->n_pauses ? &old->pauses[i] : NULL;
		const struct complaint_pause *b = i < new->n_pauses ? &new->pauses[i] : NULL;
		if (a != NULL && b != NULL && memcmp(a, b, sizeof *a) == 0)
			continue;
		char ta[160], tb[160];
		pause_text(a, ta, sizeof ta);
		pause_text(b, tb, sizeof tb);
		if (history_put(st, new->id, new->version, now_ms, "pause", ta, tb, note) != 0)
			return -1;
	}
	return 0;
}

static int
put_pauses(struct complaint_store *st, const struct complaint *c)
{
	const struct complaint_field_info *fi = complaint_field_info(CF_pause_reason);
	sqlite3_stmt *s = st->stmt[CS_PAUSES_CLEAR];

	sqlite3_bind_int64(s, 1, c->id);
	if (sql_step_done(&st->q, s, "clear pauses") != 0)
		return -1;
	s = st->stmt[CS_PAUSE_PUT];
	for (size_t i = 0; i < c->n_pauses; i++) {
		const struct complaint_pause *p = &c->pauses[i];
		sqlite3_bind_int64(s, 1, c->id);
		sqlite3_bind_int64(s, 2, (int64_t)i);
		sql_bind_str(s, 3, p->reason >= 0 && (size_t)p->reason < fi->n_names ?
		    fi->names[p->reason] : "");
		sqlite3_bind_int64(s, 4, p->start);
		sqlite3_bind_int64(s, 5, p->end);
		sqlite3_bind_int64(s, 6, p->notified_at);
		if (sql_step_done(&st->q, s, "save pause") != 0)
			return -1;
	}
	return 0;
}

static int
query_text(struct complaint_store *st, enum cs_sql q, const char *what, char **out)
{
	sqlite3_stmt *s = st->stmt[q];
	if (sqlite3_step(s) != SQLITE_ROW) {
		sql_err(&st->q, what);
		sqlite3_reset(s);
		return -1;
	}
	*out = sql_column_dup(s, 0);
	sqlite3_reset(s);
	return 0;
}

/* The number and uid of a complaint saved for the first time. */
static int
identify(struct complaint_store *st, struct complaint *c, int64_t now_ms)
{
	if (complaint_field_str(c, CF_number)[0] == '\0') {
		char number[COMPLAINT_NUMBER_LEN + 1], prefix[16];
		sqlite3_stmt *s = st->stmt[CS_NEXT_SEQ];
		complaint_number_format(number, sizeof number, c->received_at, 1);
		memcpy(prefix, number, 12);
		prefix[12] = '\0';
		sql_bind_str(s, 1, prefix);
		if (sqlite3_step(s) != SQLITE_ROW) {
			sql_err(&st->q, "number");
			sqlite3_reset(s);
			return -1;
		}
		int64_t seq = sqlite3_column_int64(s, 0);
		sqlite3_reset(s);
		if (seq > 999999) {
			sql_errf(&st->q, "number: a million complaints received on one day");
			return -1;
		}
		complaint_number_format(number, sizeof number, c->received_at, (int)seq);
		complaint_field_set_str(c, CF_number, number);
	}
	if (complaint_field_str(c, CF_uid)[0] == '\0') {
		char *rnd, *uid;
		if (query_text(st, CS_NEW_UID, "uid", &rnd) != 0)
			return -1;
		xasprintf(&uid, "%s-%" PRIx64 "-%s", st->user, (uint64_t)now_ms, rnd);
		complaint_field_set_str(c, CF_uid, uid);
		free(uid);
		free(rnd);
	}
	return 0;
}

static int
save_txn(struct complaint_store *st, struct complaint *n, const struct complaint_data *d,
    int64_t now_ms, const char *note)
{
	struct complaint *old = NULL;
	int rc = -1;

	if (n->id != 0) {
		int found = complaint_store_load(st, n->id, &old);
		if (found < 0)
			return -1;
		if (found == 0) {
			sql_errf(&st->q, "save: no complaint %" PRId64, n->id);
			return -1;
		}
		if (old->version != n->version) {
			sql_errf(&st->q, "save: version conflict: %s is at version %" PRId64
			    " here, the edit started from %" PRId64, old->number != NULL ?
			    old->number : "?", old->version, n->version);
			goto out;
		}
	} else {
		old = xcalloc(1, sizeof *old);
		if (identify(st, n, now_ms) != 0)
			goto out;
	}
	n->version++;

	struct complaint_clock k;
	int64_t due = complaint_clock_nearest(n, d, now_ms, &k) >= 0 ? k.due : 0;
	sqlite3_stmt *s = st->stmt[n->id != 0 ? CS_UPDATE : CS_INSERT];
	if (n->id != 0)
		sqlite3_bind_int64(s, 1, n->id);
	else
		sqlite3_bind_null(s, 1);
	bind_fields(s, n, 2);
	sqlite3_bind_int64(s, COMPLAINT_FIELD_COUNT + 2, due);
	sqlite3_bind_int64(s, COMPLAINT_FIELD_COUNT + 3, now_ms);
	if (sql_step_done(&st->q, s, "save complaint") != 0)
		goto out;
	bool fresh = n->id == 0;
	if (fresh)
		n->id = sqlite3_last_insert_rowid(st->q.db);
	if (put_pauses(st, n) != 0 || history_diff(st, old, n, now_ms, note) != 0)
		goto out;

	char *payload = complaint_encode(n);
	s = st->stmt[CS_OUTBOX_PUT];
	sql_bind_str(s, 1, n->uid);
	sqlite3_bind_int64(s, 2, n->version);
	sqlite3_bind_int64(s, 3, now_ms);
	sql_bind_str(s, 4, payload);
	rc = sql_step_done(&st->q, s, "outbox");
	free(payload);
	if (rc != 0)
		goto out;
	s = st->stmt[CS_DRAFT_DROP];
	sqlite3_bind_int64(s, 1, fresh ? 0 : n->id);
	rc = sql_step_done(&st->q, s, "drop draft");
out:
	complaint_free(old);
	return rc;
}

int
complaint_store_save(struct complaint_store *st, struct complaint *c,
    const struct complaint_data *d, int64_t now_ms, const char *note)
{
	struct complaint *n = complaint_copy(c);

	if (sql_step_done(&st->q, st->stmt[CS_BEGIN], "begin") != 0) {
		complaint_free(n);
		return -1;
	}
	if (save_txn(st, n, d, now_ms, note != NULL ? note : "") != 0 ||
	    sql_step_done(&st->q, st->stmt[CS_COMMIT], "commit") != 0) {
		if (!sqlite3_get_autocommit(st->q.db))
			sqlite3_step(st->stmt[CS_ROLLBACK]), sqlite3_reset(st->stmt[CS_ROLLBACK]);
		complaint_free(n);
		return -1;
	}
	c->id = n->id;
	c->version = n->version;
	complaint_field_set_str(c, CF_number, n->number);
	complaint_field_set_str(c, CF_uid, n->uid);
	complaint_free(n);
	return 0;
}

/* ---- lists ---------------------------------------------------------------------------- */

/* WHERE for q, with its parameters bound by bind_query in the same order. */
static void
query_where(struct sqlbuf *b, const struct complaint_query *q)
{
	sb_add(b, " WHERE 1");
	if (q->states != 0) {
		sb_add(b, " AND state IN (''");
		for (int s = 0; s < COMPLAINT_STATE_COUNT; s++)
			if (q->states & (1u << s))
				sb_add(b, ", '%s'", complaint_state_name(s));
		sb_add(b, ")");
	}
	if (q->handler != NULL && *q->handler != '\0')
		sb_add(b, " AND handler = :handler");
	if (q->supplier != NULL && *q->supplier != '\0')
		sb_add(b, " AND supplier = :supplier");
	if (q->text != NULL && *q->text != '\0') {
		static const char *const cols[] = { "number", "name", "phone", "plate",
			"policy_no", "vin", "respondent_unit", "supplier", "request", "facts" };
		sb_add(b, " AND (0");
		for (size_t i = 0; i < ARRAY_LEN(cols); i++)
			sb_add(b, " OR instr(upper(\"%s\"), upper(:text)) > 0", cols[i]);
		sb_add(b, ")");
	}
	if (q->due_before != 0)
		sb_add(b, " AND due_at > 0 AND due_at < :due");
	if (q->received_from != 0)
		sb_add(b, " AND received_at >= :from");
	if (q->received_to != 0)
		sb_add(b, " AND received_at < :to");
}

static void
bind_query(sqlite3_stmt *s, const struct complaint_query *q)
{
	int i;
	if ((i = sqlite3_bind_parameter_index(s, ":handler")) > 0)
		sql_bind_str(s, i, q->handler);
	if ((i = sqlite3_bind_parameter_index(s, ":supplier")) > 0)
		sql_bind_str(s, i, q->supplier);
	if ((i = sqlite3_bind_parameter_index(s, ":text")) > 0)
		sql_bind_str(s, i, q->text);
	if ((i = sqlite3_bind_parameter_index(s, ":due")) > 0)
		sqlite3_bind_int64(s, i, q->due_before);
	if ((i = sqlite3_bind_parameter_index(s, ":from")) > 0)
		sqlite3_bind_int64(s, i, q->received_from);
	if ((i = sqlite3_bind_parameter_index(s, ":to")) > 0)
		sqlite3_bind_int64(s, i, q->received_to);
}

int
complaint_store_list(struct complaint_store *st, const struct complaint_query *q,
    struct complaint ***out, size_t *count)
{
	struct sqlbuf b = { 0 };
	sqlite3_stmt *s;
	struct complaint **list = NULL;
	size_t n = 0;
	int rc;

	*out = NULL;
	*count = 0;
	select_head(&b);
	query_where(&b, q);
	sb_add(&b, " ORDER BY due_at = 0, due_at, received_at DESC, id DESC");
	if (q->limit > 0)
		sb_add(&b, " LIMIT %zu", q->limit);
	rc = sqlite3_prepare_v2(st->q.db, b.s, -1, &s, NULL);
	free(b.s);
	if (rc != SQLITE_OK) {
		sql_err(&st->q, "list");
		return -1;
	}
	bind_query(s, q);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct complaint *c = row_record(st, s);
		if (c == NULL)
			break;
		list = xreallocarray(list, n + 1, sizeof *list);
		list[n++] = c;
	}
	if (rc != SQLITE_DONE) {
		if (rc != SQLITE_ROW)
			sql_err(&st->q, "list");
		sqlite3_finalize(s);
		complaint_list_free(list, n);
		return -1;
	}
	sqlite3_finalize(s);
	for (size_t i = 0; i < n; i++)
		if (load_pauses(st, list[i]) != 0) {
			complaint_list_free(list, n);
			return -1;
		}
	*out = list;
	*count = n;
	return 0;
}

void
complaint_list_free(struct complaint **list, size_t count)
{
	for (size_t i = 0; i < count; i++)
		complaint_free(list[i]);
	free(list);
}

int
complaint_store_count_by_supplier(struct complaint_store *st,
    const struct complaint_query *q,
    void (*cb)(void *user, const char *supplier, int64_t count), void *user)
{
	struct sqlbuf b = { 0 };
	sqlite3_stmt *s;
	int rc;

	sb_add(&b, "SELECT supplier, count(*) FROM complaint");
	query_where(&b, q);
	sb_add(&b, " GROUP BY supplier ORDER BY count(*) DESC, supplier");
	rc = sqlite3_prepare_v2(st->q.db, b.s, -1, &s, NULL);
	free(b.s);
	if (rc != SQLITE_OK) {
		sql_err(&st->q, "count by supplier");
		return -1;
	}
	bind_query(s, q);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		cb(user, (const char *)sqlite3_column_text(s, 0), sqlite3_column_int64(s, 1));
	if (rc != SQLITE_DONE)
		sql_err(&st->q, "count by supplier");
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* ---- history -------------------------------------------------------------------------- */

int
complaint_store_history(struct complaint_store *st, int64_t id,
    struct complaint_change **out, size_t *count)
{
	sqlite3_stmt *s = st->stmt[CS_HISTORY_OF];
	struct complaint_change *ch = NULL;
	size_t n = 0;
	int rc;

	sqlite3_bind_int64(s, 1, id);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		ch = xreallocarray(ch, n + 1, sizeof *ch);
		struct complaint_change *c = &ch[n++];
		c->id = sqlite3_column_int64(s, 0);
		c->ts = sqlite3_column_int64(s, 1);
		c->version = sqlite3_column_int64(s, 2);
		c->actor = sql_column_dup(s, 3);
		c->field = sql_column_dup(s, 4);
		c->old_value = sql_column_dup(s, 5);
		c->new_value = sql_column_dup(s, 6);
		c->note = sql_column_dup(s, 7);
	}
	if (rc != SQLITE_DONE) {
		sql_err(&st->q, "history");
		sqlite3_reset(s);
		complaint_changes_free(ch, n);
		*out = NULL;
		*count = 0;
		return -1;
	}
	sqlite3_reset(s);
	*out = ch;
	*count = n;
	return 0;
}

void
complaint_changes_free(struct complaint_change *ch, size_t count)
{
	for (size_t i = 0; i < count; i++) {
		free(ch[i].actor);
		free(ch[i].field);
		free(ch[i].old_value);
		free(ch[i].new_value);
		free(ch[i].note);
	}
	free(ch);
}

/* ---- drafts --------------------------------------------------------------------------- */

int
complaint_store_draft_put(struct complaint_store *st, int64_t id,
    const struct complaint *c, int64_t now_ms)
{
	sqlite3_stmt *s = st->stmt[CS_DRAFT_PUT];
	char *body = complaint_encode(c);

	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_int64(s, 2, now_ms);
	sql_bind_str(s, 3, body);
	int rc = sql_step_done(&st->q, s, "save draft");
	free(body);
	return rc;
}

int
complaint_store_draft_get(struct complaint_store *st, int64_t id, struct complaint **out)
{
	sqlite3_stmt *s = st->stmt[CS_DRAFT_GET];
	int rc;

	*out = NULL;
	sqlite3_bind_int64(s, 1, id);
	rc = sqlite3_step(s);
	if (rc == SQLITE_DONE) {
		sqlite3_reset(s);
		return 0;
	}
	if (rc != SQLITE_ROW) {
		sql_err(&st->q, "read draft");
		sqlite3_reset(s);
		return -1;
	}
	char *body = sql_column_dup(s, 0);
	sqlite3_reset(s);
	struct complaint *c = complaint_decode(body);
	free(body);
	if (c == NULL) {
		sql_errf(&st->q, "read draft: the draft of %" PRId64 " does not decode", id);
		return -1;
	}
	c->id = id;
	*out = c;
	return 1;
}

int
complaint_store_draft_drop(struct complaint_store *st, int64_t id)
{
	sqlite3_stmt *s = st->stmt[CS_DRAFT_DROP];
	sqlite3_bind_int64(s, 1, id);
	return sql_step_done(&st->q, s, "drop draft");
}

int
complaint_store_draft_latest(struct complaint_store *st, int64_t *id)
{
	sqlite3_stmt *s = st->stmt[CS_DRAFT_LATEST];
	int rc = sqlite3_step(s);

	*id = 0;
	if (rc == SQLITE_ROW)
		*id = sqlite3_column_int64(s, 0);
	else if (rc != SQLITE_DONE) {
		sql_err(&st->q, "latest draft");
		sqlite3_reset(s);
		return -1;
	}
	sqlite3_reset(s);
	return rc == SQLITE_ROW ? 1 : 0;
}

/* ---- outbox --------------------------------------------------------------------------- */

int
complaint_store_outbox_pending(struct complaint_store *st, size_t limit,
    struct complaint_outbox_row **out, size_t *count)
{
	sqlite3_stmt *s = st->stmt[CS_OUTBOX_PENDING];
	struct complaint_outbox_row *rows = NULL;
	size_t n = 0;
	int rc;

	sqlite3_bind_int64(s, 1, limit > 0 ? (int64_t)limit : -1);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		rows = xreallocarray(rows, n + 1, sizeof *rows);
		struct complaint_outbox_row *r = &rows[n++];
		r->seq = sqlite3_column_int64(s, 0);
		r->uid = sql_column_dup(s, 1);
		r->version = sqlite3_column_int64(s, 2);
		r->ts = sqlite3_column_int64(s, 3);
		r->payload = sql_column_dup(s, 4);
		r->attempts = sqlite3_column_int64(s, 5);
	}
	if (rc != SQLITE_DONE) {
		sql_err(&st->q, "outbox");
		sqlite3_reset(s);
		complaint_outbox_free(rows, n);
		*out = NULL;
		*count = 0;
		return -1;
	}
	sqlite3_reset(s);
	*out = rows;
	*count = n;
	return 0;
}

void
complaint_outbox_free(struct complaint_outbox_row *rows, size_t count)
{
	for (size_t i = 0; i < count; i++) {
		free(rows[i].uid);
		free(rows[i].payload);
	}
	free(rows);
}

int
complaint_store_outbox_ack(struct complaint_store *st, const char *uid, int64_t version)
{
	sqlite3_stmt *s = st->stmt[CS_OUTBOX_ACK];
	sql_bind_str(s, 1, uid);
	sqlite3_bind_int64(s, 2, version);
	return sql_step_done(&st->q, s, "outbox ack");
}

int
complaint_store_outbox_tried(struct complaint_store *st, int64_t seq)
{
	sqlite3_stmt *s = st->stmt[CS_OUTBOX_TRIED];
	sqlite3_bind_int64(s, 1, seq);
	return sql_step_done(&st->q, s, "outbox tried");
}

/* ---- the central copy ------------------------------------------------------------------ */

int
complaint_store_find_uid(struct complaint_store *st, const char *uid, struct complaint **out)
{
	sql_bind_str(st->stmt[CS_SELECT_UID], 1, uid);
	return load_one(st, st->stmt[CS_SELECT_UID], out);
}

/* Runs in its own transaction: ends it as rc says. */
static int
finish_txn(struct complaint_store *st, int rc)
{
	if (rc == 0 && sql_step_done(&st->q, st->stmt[CS_COMMIT], "commit") == 0)
		return 0;
	if (!sqlite3_get_autocommit(st->q.db))
		sqlite3_step(st->stmt[CS_ROLLBACK]), sqlite3_reset(st->stmt[CS_ROLLBACK]);
	return -1;
}

static int
adopt_txn(struct complaint_store *st, const struct complaint *theirs,
    const struct complaint_data *d, int64_t now_ms, int64_t *id)
{
	struct complaint *old = NULL, *n = complaint_copy(theirs);
	int found = complaint_store_find_uid(st, complaint_field_str(theirs, CF_uid), &old);
	int rc = -1;

	if (found < 0)
		goto out;
	if (found == 0)
		old = xcalloc(1, sizeof *old);
	n->id = found ? old->id : 0;
	struct complaint_clock k;
	int64_t due = complaint_clock_nearest(n, d, now_ms, &k) >= 0 ? k.due : 0;
	sqlite3_stmt *s = st->stmt[found ? CS_UPDATE : CS_INSERT];
	if (found)
		sqlite3_bind_int64(s, 1, n->id);
	else
		sqlite3_bind_null(s, 1);
	bind_fields(s, n, 2);
	sqlite3_bind_int64(s, COMPLAINT_FIELD_COUNT + 2, due);
	sqlite3_bind_int64(s, COMPLAINT_FIELD_COUNT + 3, now_ms);
	if (sql_step_done(&st->q, s, "adopt complaint") != 0)
		goto out;
	if (!found)
		n->id = sqlite3_last_insert_rowid(st->q.db);
	if (put_pauses(st, n) != 0 || history_diff(st, old, n, now_ms, "central") != 0)
		goto out;
	s = st->stmt[CS_OUTBOX_ACK];
	sql_bind_str(s, 1, n->uid);
	sqlite3_bind_int64(s, 2, INT64_MAX);
	if (sql_step_done(&st->q, s, "adopt outbox") != 0)
		goto out;
	s = st->stmt[CS_DRAFT_DROP];
	sqlite3_bind_int64(s, 1, n->id);
	rc = sql_step_done(&st->q, s, "drop draft");
	*id = n->id;
out:
	complaint_free(old);
	complaint_free(n);
	return rc;
}

int
complaint_store_adopt(struct complaint_store *st, const struct complaint *theirs,
    const struct complaint_data *d, int64_t now_ms, int64_t *id)
{
	int64_t got = 0;

	if (complaint_field_str(theirs, CF_uid)[0] == '\0') {
		sql_errf(&st->q, "adopt: a complaint without a uid");
		return -1;
	}
	if (sql_step_done(&st->q, st->stmt[CS_BEGIN], "begin") != 0)
		return -1;
	if (finish_txn(st, adopt_txn(st, theirs, d, now_ms, &got)) != 0)
		return -1;
	if (id != NULL)
		*id = got;
	return 0;
}

int
complaint_store_rebase(struct complaint_store *st, int64_t id, int64_t version)
{
	struct complaint *c = NULL;
	int rc = -1;

	if (sql_step_done(&st->q, st->stmt[CS_BEGIN], "begin") != 0)
		return -1;
	int found = complaint_store_load(st, id, &c);
	if (found == 0)
		sql_errf(&st->q, "rebase: no complaint %" PRId64, id);
	if (found == 1) {
		sqlite3_stmt *s = st->stmt[CS_OUTBOX_ACK];
		sql_bind_str(s, 1, complaint_field_str(c, CF_uid));
		sqlite3_bind_int64(s, 2, c->version);
		rc = sql_step_done(&st->q, s, "rebase outbox");
		if (rc == 0) {
			s = st->stmt[CS_REBASE];
			sqlite3_bind_int64(s, 1, id);
			sqlite3_bind_int64(s, 2, version);
			rc = sql_step_done(&st->q, s, "rebase");
		}
	}
	complaint_free(c);
	return finish_txn(st, rc);
}
