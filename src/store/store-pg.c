/* store-pg.c: the broker's durable store on PostgreSQL through libpq (the only file that
 * includes libpq-fe.h). The same tables as store.c's schema 4 in PostgreSQL types.
 *
 * A batch is one transaction sent in libpq's pipeline mode: store_begin enters it and sends
 * BEGIN, every write is queued behind it without waiting, and store_commit sends COMMIT and
 * one Sync, then reads every result: a batch of events, checkpoint and idempotency records
 * costs one round trip (the reply cache's lookup of a new command none: struct pgstore's
 * keys). Events are not sent one by one: they are gathered into one array a
 * column (struct evbuf) and go as one INSERT ... SELECT FROM unnest(...) and one upsert of
 * `latest`, before the COMMIT, before any read, or every EV_ROWS events. A read inside the
 * batch (the reply cache's lookup, meta) first syncs what was queued (a Sync inside BEGIN
 * does not commit), then runs on its own. Every PIPE_MAX queued statements are synced too,
 * so neither side ever blocks on a full socket buffer (libpq's warning about pipelines on
 * blocking connections).
 *
 * Statements are prepared once at open; parameters and results travel in binary (integers
 * big-endian, text and bytea as their bytes, arrays in array_send's format), so nothing is
 * quoted or escaped. Event ids are assigned here from the log's highest id, read at open:
 * this session holds the database's advisory lock (STORE_PG_LOCK) for as long as the store
 * is open, so no other broker appends; open waits LOCK_WAIT_MS for it, then refuses. A
 * store opened for a group (pgstore_open_group) does not wait: without the lock it is a
 * standby's, which only tries the lock (pgstore_try_lead) and reads the leader row; the
 * rest of open (schema, statements, last id, reply keys) happens when it gets the lock.
 * A standby's loop tries without blocking: pgstore_try_lead_start sends the lock and the
 * leader row as one query (before the first leader made the schema, whether the table is
 * there instead of the row: a standby's reads never fail, nothing in the server's log),
 * pgstore_try_lead_poll reads whatever of the answer has come
 * (libpq's PQconsumeInput and PQisBusy) when the socket (pgstore_lead_fd) is readable, and
 * takes the session as dead when no answer came within the connection's tcp_user_timeout.
 * Errors are kept in a fixed buffer as "<what>: <server's message>"; an error of a queued
 * write is reported by the next read or by the commit. */
#include "store-pg.h"

#include <endian.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "hmap.h"
#include "util.h"

#define STORE_PG_SCHEMA 4
#define STORE_PG_LOCK 1919251299 /* 0x72657363, "resc": the broker's advisory lock */
#define LOCK_WAIT_MS 2000       /* how long open waits for the lock */
#define PIPE_MAX 512             /* queued statements before a Sync is forced */
#define EV_ROWS 1000             /* events buffered before they are sent */
#define PAGE 1000                /* rows a read fetches at a time */
#define ERR_MAX 512
#define MAX_PARAMS 10
#define TRY_DEADLINE_MS 10000    /* a try's answer, when tcp_user_timeout is 0 */

#define STR_(x) #x
#define STR(x) STR_(x)

enum pg_sql {
	PG_META_GET,
	PG_META_SET,
	PG_EVENTS_PUT,
	PG_LATEST_PUT,
	PG_EVENT_AFTER,
	PG_EVENT_OF,
	PG_EVENT_RANGE,
	PG_LATEST,
	PG_CKPT_CLEAR,
	PG_CKPT_PUT,
	PG_CKPT_SCAN,
	PG_REPLY_GET,
	PG_REPLY_PUT,
	PG_REPLY_EXPIRE,
	PG_COMPLAINT_GET,
	PG_COMPLAINT_ACKED,
	PG_COMPLAINT_PUT,
	PG_COMPLAINT_ACK_PUT,
	PG_COMPLAINT_RECORD,
	PG_SURVEYS_SINCE,
	PG_EVENT_REWRITE,
	PG_CKPT_REWRITE,
	PG_REPLY_FORGET,
	PG_LEADER_SET,
	PG_SQL_COUNT
};

static const char *const pg_text[PG_SQL_COUNT] = {
	[PG_META_GET] = "SELECT value FROM meta WHERE key = $1::text",
	[PG_META_SET] = "INSERT INTO meta(key, value) VALUES ($1::text, $2::bigint) "
	    "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
	/* a batch's events, each column an array (struct evbuf) */
	[PG_EVENTS_PUT] = "INSERT INTO events(id, ts, stream, entity, kind, \"user\", detail, body,"
	    " code, params) SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::text[],"
	    " $4::text[], $5::text[], $6::text[], $7::text[], $8::bytea[], $9::text[],"
	    " $10::bytea[])",
	/* the newest event of each numbered entity of the batch (an upsert may not touch a row
	 * twice, hence DISTINCT ON) */
	[PG_LATEST_PUT] = "INSERT INTO latest(stream, num, event) SELECT DISTINCT ON (s, n) s, n, e"
	    " FROM unnest($1::text[], $2::bigint[], $3::bigint[]) AS v(s, n, e) WHERE n > 0"
	    " ORDER BY s, n, e DESC ON CONFLICT (stream, num) DO UPDATE SET event = excluded.event",
	[PG_EVENT_AFTER] = "SELECT id, stream, entity, body FROM events WHERE id > $1::bigint "
	    "ORDER BY id LIMIT 1000",
	[PG_EVENT_OF] = "SELECT id, ts, kind, \"user\", detail, body, code, params FROM events "
	    "WHERE stream = $1::text AND entity = $2::text ORDER BY id",
	[PG_EVENT_RANGE] = "SELECT id, ts, stream, entity, kind, \"user\", code, body, params "
	    "FROM events WHERE ts >= $1::bigint AND ts < $2::bigint AND id > $3::bigint "
	    "ORDER BY id LIMIT $4::bigint",
	[PG_LATEST] = "SELECT l.num, e.ts, e.body FROM latest l JOIN events e ON e.id = l.event "
	    "WHERE l.stream = $1::text AND l.num < $2::bigint ORDER BY l.num DESC LIMIT 1000",
	[PG_CKPT_CLEAR] = "DELETE FROM checkpoint",
	[PG_CKPT_PUT] = "INSERT INTO checkpoint(stream, entity, body, pos) VALUES ($1::text,"
	    " $2::text, $3::bytea, $4::bigint) ON CONFLICT (stream, entity) DO UPDATE SET"
	    " body = excluded.body, pos = excluded.pos",
	[PG_CKPT_SCAN] = "SELECT pos, stream, entity, body FROM checkpoint WHERE pos > $1::bigint "
	    "ORDER BY pos LIMIT 1000",
	[PG_REPLY_GET] = "SELECT reply FROM replies WHERE \"user\" = $1::text AND "
	    "cmd_id = $2::text",
	[PG_REPLY_PUT] = "INSERT INTO replies(\"user\", cmd_id, ts, reply) VALUES ($1::text,"
	    " $2::text, $3::bigint, $4::bytea) ON CONFLICT (\"user\", cmd_id) DO UPDATE SET"
	    " ts = excluded.ts, reply = excluded.reply",
	[PG_REPLY_EXPIRE] = "DELETE FROM replies WHERE ts < $1::bigint",
	[PG_COMPLAINT_GET] = "SELECT version, saved_by, saved_at, 1::bigint FROM complaints "
	    "WHERE uid = $1::text",
	[PG_COMPLAINT_ACKED] = "SELECT version, saved_by, saved_at, (record = $3::text)::int::bigint "
	    "FROM complaint_versions WHERE uid = $1::text AND version = $2::bigint",
	[PG_COMPLAINT_PUT] = "INSERT INTO complaints(uid, version, saved_by, saved_at, record) "
	    "VALUES ($1::text, $2::bigint, $3::text, $4::bigint, $5::text) ON CONFLICT (uid) DO "
	    "UPDATE SET version = excluded.version, saved_by = excluded.saved_by,"
	    " saved_at = excluded.saved_at, record = excluded.record",
	[PG_COMPLAINT_ACK_PUT] = "INSERT INTO complaint_versions(uid, version, saved_by, saved_at,"
	    " record) VALUES ($1::text, $2::bigint, $3::text, $4::bigint, $5::text)",
	[PG_COMPLAINT_RECORD] = "SELECT record FROM complaints WHERE uid = $1::text",
	[PG_SURVEYS_SINCE] = "SELECT id, ts, entity, \"user\", detail, code, params FROM events "
	    "WHERE kind = 'survey' AND ts >= $1::bigint ORDER BY ts, id",
	[PG_EVENT_REWRITE] = "UPDATE events SET detail = $2::text, body = $3::bytea,"
	    " params = $4::bytea WHERE id = $1::bigint",
	[PG_CKPT_REWRITE] = "UPDATE checkpoint SET body = $3::bytea WHERE stream = $1::text AND "
	    "entity = $2::text",
	[PG_REPLY_FORGET] = "DELETE FROM replies WHERE position($1::bytea in reply) > 0",
	[PG_LEADER_SET] = "INSERT INTO leader(id, epoch, api, since) VALUES (1, $1::bigint,"
	    " $2::text, $3::bigint) ON CONFLICT (id) DO UPDATE SET epoch = excluded.epoch,"
	    " api = excluded.api, since = excluded.since",
};

/* Schema 4 of store.c in PostgreSQL types; "user" is quoted (a reserved word). The
 * checkpoint keeps the order its rows were put in (pos), as SQLite's rowid does. */
static const char schema_sql[] =
    "CREATE TABLE IF NOT EXISTS events(id bigint PRIMARY KEY, ts bigint NOT NULL,"
    " stream text NOT NULL, entity text NOT NULL, kind text NOT NULL, \"user\" text NOT NULL,"
    " detail text NOT NULL, body bytea, code text NOT NULL DEFAULT '', params bytea);"
    "CREATE INDEX IF NOT EXISTS events_entity ON events(stream, entity, id);"
    "CREATE INDEX IF NOT EXISTS events_ts ON events(ts);"
    "CREATE INDEX IF NOT EXISTS events_survey ON events(ts) WHERE kind = 'survey';"
    "CREATE TABLE IF NOT EXISTS checkpoint(stream text NOT NULL, entity text NOT NULL,"
    " body bytea, pos bigint NOT NULL, PRIMARY KEY(stream, entity));"
    "CREATE INDEX IF NOT EXISTS checkpoint_pos ON checkpoint(pos);"
    "CREATE TABLE IF NOT EXISTS meta(key text PRIMARY KEY, value bigint);"
    "CREATE TABLE IF NOT EXISTS replies(\"user\" text NOT NULL, cmd_id text NOT NULL,"
    " ts bigint, reply bytea, PRIMARY KEY(\"user\", cmd_id));"
    "CREATE INDEX IF NOT EXISTS replies_ts ON replies(ts);"
    "CREATE TABLE IF NOT EXISTS latest(stream text NOT NULL, num bigint NOT NULL,"
    " event bigint NOT NULL, PRIMARY KEY(stream, num));"
    "CREATE TABLE IF NOT EXISTS complaints(uid text PRIMARY KEY, version bigint NOT NULL,"
    " saved_by text NOT NULL, saved_at bigint NOT NULL, record text NOT NULL);"
    "CREATE TABLE IF NOT EXISTS complaint_versions(uid text NOT NULL, version bigint NOT NULL,"
    " saved_by text NOT NULL, saved_at bigint NOT NULL, record text NOT NULL,"
    " PRIMARY KEY(uid, version));"
    "CREATE TABLE IF NOT EXISTS leader(id int PRIMARY KEY CHECK (id = 1), epoch bigint NOT NULL,"
    " api text NOT NULL, since bigint NOT NULL);";

#define LEADER_ROW_SQL "SELECT epoch, api FROM leader WHERE id = 1"
#define META_CHECKPOINT "checkpoint_event"
#define META_SCHEMA "schema_version"

/* Events appended since the last flush, as the columns' arrays in PostgreSQL's binary array
 * format (array_send: a 20-byte header, then each element's length and bytes; the caller's
 * bytes are borrowed for the call only, so they are copied here). At the flush the arrays
 * are the parameters of two prepared statements, PG_EVENTS_PUT (INSERT ... SELECT FROM
 * unnest) and PG_LATEST_PUT: two statements however many events. */
enum { EV_ID, EV_TS, EV_STREAM, EV_ENTITY, EV_KIND, EV_USER, EV_DETAIL, EV_BODY, EV_CODE,
	EV_PARAMS, EV_NUM, EV_COLS };

#define ARRAY_HEAD 20

struct abuf {
	char *b;
	size_t len, cap;
};

struct evbuf {
	struct abuf col[EV_COLS];
	int n;
};

struct pgstore {
	PGconn *c;
	char err[ERR_MAX];
	bool in_txn;        /* BEGIN sent, no COMMIT or ROLLBACK yet */
	bool piping;        /* in pipeline mode */
	bool failed;        /* a statement of this transaction failed (err says which) */
	int pending;        /* statements queued since the last Sync */
	int64_t last_id;    /* the log's highest event id, ours to continue */
	int64_t begin_id;   /* last_id at begin, restored when the batch is not committed */
	int64_t ckpt_pos;   /* order of the checkpoint's rows */
	struct evbuf eb;    /* events appended and not yet sent */
	struct hmap *keys;  /* "user\x1fcmd_id" of every cached reply (and maybe a few more) */
	bool leading;       /* the lock is this session's and open is complete */
	/* a standby's try sent and not yet answered (pgstore_try_lead_start) */
	bool trying;
	int64_t try_sent;   /* when, ms (the caller's clock) */
	int try_results;    /* results read so far: the lock's, then the leader row's */
	int try_got;        /* the lock's answer: 1 ours, 0 another's, -1 an error */
	bool try_table;     /* the lock's answer said the leader table is there */
	bool schema_seen;   /* the leader table was there (it is never dropped): its row is
	                       read in the try's query */
	int64_t try_epoch;  /* the leader row, when there is one */
	char try_api[256];
	int try_deadline;   /* ms a try may stay unanswered (try_deadline_ms, at connect) */
};

/* Parameters in binary: integers big-endian in ints[], text and bytea their bytes. */
struct params {
	const char *v[MAX_PARAMS + 1];
	int len[MAX_PARAMS + 1];
	int fmt[MAX_PARAMS + 1];
	uint64_t ints[MAX_PARAMS + 1];
	int n;
};

static void
p_i64(struct params *p, int64_t x)
{
	p->ints[p->n] = htobe64((uint64_t)x);
	p->v[p->n] = (const char *)&p->ints[p->n];
	p->len[p->n] = 8;
	p->fmt[p->n++] = 1;
}

static void
p_blob(struct params *p, const void *v, size_t len)
{
	p->v[p->n] = len != 0 ? v : "";
	p->len[p->n] = (int)len;
	p->fmt[p->n++] = 1;
}

static void
p_text(struct params *p, const char *s)
{
	p_blob(p, s != NULL ? s : "", s != NULL ? strlen(s) : 0);
}

static void
p_null(struct params *p)
{
	p->v[p->n] = NULL;
	p->len[p->n] = 0;
	p->fmt[p->n++] = 1;
}

static void
ab_put(struct abuf *a, const void *v, size_t len)
{
	if (a->len + len > a->cap) {
		a->cap = (a->len + len) * 2 + 4096;
		a->b = xrealloc(a->b, a->cap);
	}
	if (len != 0)
		memcpy(a->b + a->len, v, len);
	a->len += len;
}

static void
ab_u32(struct abuf *a, uint32_t x)
{
	x = htobe32(x);
	ab_put(a, &x, 4);
}

/* One element: its length (-1: NULL) and bytes. */
static void
eb_col(struct evbuf *eb, int col, const void *v, size_t len, bool null)
{
	struct abuf *a = &eb->col[col];

	if (a->len == 0)
		a->len = ARRAY_HEAD; /* written at the flush, when the count is known */
	if (null) {
		ab_u32(a, UINT32_MAX);
		return;
	}
	ab_u32(a, (uint32_t)len);
	ab_put(a, v, len);
}

static void
eb_i64(struct evbuf *eb, int col, int64_t x)
{
	uint64_t be = htobe64((uint64_t)x);

	eb_col(eb, col, &be, 8, false);
}

static void
eb_text(struct evbuf *eb, int col, const char *s)
{
	if (s == NULL)
		s = "";
	eb_col(eb, col, s, strlen(s), false);
}

static void
eb_add(struct evbuf *eb, const struct store_event *ev, int64_t id, int64_t num)
{
	eb_i64(eb, EV_ID, id);
	eb_i64(eb, EV_TS, ev->ts);
	eb_text(eb, EV_STREAM, ev->stream);
	eb_text(eb, EV_ENTITY, ev->entity);
	eb_text(eb, EV_KIND, ev->kind);
	eb_text(eb, EV_USER, ev->user);
	eb_text(eb, EV_DETAIL, ev->detail);
	eb_col(eb, EV_BODY, ev->body, ev->body_len, false);
	eb_text(eb, EV_CODE, ev->code);
	eb_col(eb, EV_PARAMS, ev->params, ev->params_len, ev->params_len == 0);
	eb_i64(eb, EV_NUM, num);
	eb->n++;
}

/* The arrays' headers: one dimension of n elements from 1, of the column's type. */
static void
eb_close(struct evbuf *eb)
{
	static const uint32_t elem[EV_COLS] = { 20, 20, 25, 25, 25, 25, 25, 17, 25, 17, 20 };
	int col;

	for (col = 0; col < EV_COLS; col++) {
		uint32_t h[5] = { htobe32(1), htobe32(col == EV_PARAMS), htobe32(elem[col]),
			htobe32((uint32_t)eb->n), htobe32(1) };
		memcpy(eb->col[col].b, h, sizeof h);
	}
}

static void
eb_clear(struct evbuf *eb)
{
	int col;

	for (col = 0; col < EV_COLS; col++)
		eb->col[col].len = 0;
	eb->n = 0;
}

static int64_t
col_i64(const PGresult *r, int row, int col)
{
	uint64_t x;

	if (PQgetisnull(r, row, col) || PQgetlength(r, row, col) != 8)
		return 0;
	memcpy(&x, PQgetvalue(r, row, col), 8);
	return (int64_t)be64toh(x);
}

static const char *
col_text(const PGresult *r, int row, int col)
{
	return PQgetvalue(r, row, col); /* "" for NULL; always NUL-terminated */
}

static const void *
col_blob(const PGresult *r, int row, int col, size_t *len)
{
	if (PQgetisnull(r, row, col)) {
		*len = 0;
		return NULL;
	}
	*len = (size_t)PQgetlength(r, row, col);
	return PQgetvalue(r, row, col);
}

static void
perrf(struct pgstore *p, const char *fmt, ...) RD_PRINTF(2, 3);

static void
perrf(struct pgstore *p, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(p->err, sizeof p->err, fmt, ap);
	va_end(ap);
}

/* "<what>: <message>", the message without its trailing newline. */
static void
perr(struct pgstore *p, const char *what, const char *msg)
{
	size_t n;

	if (msg == NULL || msg[0] == '\0')
		msg = PQerrorMessage(p->c);
	n = strlen(msg);
	while (n > 0 && (msg[n - 1] == '\n' || msg[n - 1] == ' '))
		n--;
	perrf(p, "%s: %.*s", what, (int)n, msg);
}

static void
perr_res(struct pgstore *p, const char *what, const PGresult *r)
{
	perr(p, what, r != NULL ? PQresultErrorMessage(r) : NULL);
}

/* The reply cache's keys, in memory: a lookup of a key not there (every new request) needs
 * no round trip. It holds every key of the table, because this session is the only writer
 * (the advisory lock): loaded at open, added to by reply_put, reloaded after expire. Keys
 * of a batch rolled back or of replies forgotten stay: such a lookup only asks the server. */
static char present;

static char *
reply_key(const char *user, const char *cmd_id)
{
	char *k;

	xasprintf(&k, "%s\x1f%s", user != NULL ? user : "", cmd_id != NULL ? cmd_id : "");
	return k;
}

static int
keys_load(struct pgstore *p)
{
	PGresult *r = PQexec(p->c, "SELECT \"user\", cmd_id FROM replies");
	int k, rows;

	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		perr_res(p, "reply keys", r);
		PQclear(r);
		return -1;
	}
	hmap_destroy(p->keys);
	p->keys = hmap_create();
	rows = PQntuples(r);
	for (k = 0; k < rows; k++) {
		char *key = reply_key(PQgetvalue(r, k, 0), PQgetvalue(r, k, 1));
		hmap_put(p->keys, key, &present);
		free(key);
	}
	PQclear(r);
	return 0;
}

/* ---- the pipeline ---- */

static int write_stmt(struct pgstore *p, int i, struct params *a, const char *what);

static int flush_events(struct pgstore *p);

/* Send Sync and read every queued statement's results; leave pipeline mode. The first
 * error is kept (p->failed); later statements of the pipeline were skipped by the server. */
static int
pipe_sync(struct pgstore *p)
{
	PGresult *r;
	int nulls = 0;

	if (!p->piping)
		return p->failed ? -1 : 0;
	if (PQpipelineSync(p->c) != 1) {
		perr(p, "pipeline sync", NULL);
		p->failed = true;
		return -1;
	}
	for (;;) {
		r = PQgetResult(p->c);
		if (r == NULL) {
			/* one NULL ends each statement's results; more than that means the
			 * connection gave out before the Sync came back */
			if (++nulls > p->pending + 1) {
				if (!p->failed)
					perr(p, "pipeline", NULL);
				p->failed = true;
				break;
			}
			continue;
		}
		ExecStatusType s = PQresultStatus(r);
		if (s == PGRES_PIPELINE_SYNC) {
			PQclear(r);
			break;
		}
		if (s == PGRES_FATAL_ERROR || s == PGRES_NONFATAL_ERROR || s == PGRES_BAD_RESPONSE) {
			if (!p->failed)
				perr_res(p, "batch", r);
			p->failed = true;
		} else if (s == PGRES_PIPELINE_ABORTED && !p->failed) {
			perrf(p, "batch: pipeline aborted");
			p->failed = true;
		}
		PQclear(r);
	}
	p->pending = 0;
	if (PQexitPipelineMode(p->c) != 1 && !p->failed) {
		perr(p, "leave pipeline", NULL);
		p->failed = true;
	}
	p->piping = false;
	return p->failed ? -1 : 0;
}

/* The buffered events sent, then everything queued synced. */
static int
pipe_finish(struct pgstore *p)
{
	if (p->eb.n > 0 && flush_events(p) != 0)
		return -1;
	return pipe_sync(p);
}

/* Send the buffered events: one INSERT into events, one upsert of the newest event of each
 * numbered entity into latest. Queued in the pipeline like any write. */
static int
flush_events(struct pgstore *p)
{
	struct evbuf *eb = &p->eb;
	struct params a = { .n = 0 };
	int col, rc;

	if (eb->n == 0)
		return 0;
	eb_close(eb);
	for (col = 0; col < EV_NUM; col++)
		p_blob(&a, eb->col[col].b, eb->col[col].len);
	rc = write_stmt(p, PG_EVENTS_PUT, &a, "append events");
	if (rc == 0) {
		a.n = 0;
		p_blob(&a, eb->col[EV_STREAM].b, eb->col[EV_STREAM].len);
		p_blob(&a, eb->col[EV_NUM].b, eb->col[EV_NUM].len);
		p_blob(&a, eb->col[EV_ID].b, eb->col[EV_ID].len);
		rc = write_stmt(p, PG_LATEST_PUT, &a, "append events: latest");
	}
	eb_clear(eb);
	return rc;
}

/* Checks that a transaction is open and puts the connection in pipeline mode. */
static int
pipe_ready(struct pgstore *p, const char *what)
{
	if (!p->in_txn) {
		perrf(p, "%s: no transaction open (call store_begin first)", what);
		return -1;
	}
	if (p->failed)
		return -1;
	if (!p->piping) {
		if (PQenterPipelineMode(p->c) != 1) {
			perr(p, what, NULL);
			return -1;
		}
		p->piping = true;
	}
	return 0;
}

static int
pipe_sent(struct pgstore *p, int ok, const char *what)
{
	if (ok != 1) {
		perr(p, what, NULL);
		p->failed = true;
		return -1;
	}
	if (++p->pending >= PIPE_MAX)
		return pipe_sync(p);
	return 0;
}

static int
pipe_send(struct pgstore *p, const char *name, struct params *a, const char *what)
{
	if (pipe_ready(p, what) != 0)
		return -1;
	return pipe_sent(p, PQsendQueryPrepared(p->c, name, a != NULL ? a->n : 0,
	    a != NULL ? a->v : NULL, a != NULL ? a->len : NULL, a != NULL ? a->fmt : NULL, 1),
	    what);
}

static const char *
stmt_name(enum pg_sql i, char *buf, size_t n)
{
	snprintf(buf, n, "rd%d", (int)i);
	return buf;
}

static int
write_stmt(struct pgstore *p, int i, struct params *a, const char *what)
{
	char name[16];

	return pipe_send(p, stmt_name((enum pg_sql)i, name, sizeof name), a, what);
}

/* A statement waited for: the queued ones first (inside a transaction), then this one.
 * Returns the result (the caller clears it) or NULL with the error set. */
static PGresult *
run(struct pgstore *p, enum pg_sql i, struct params *a, const char *what)
{
	char name[16];
	PGresult *r;
	ExecStatusType s;

	if (pipe_finish(p) != 0)
		return NULL;
	r = PQexecPrepared(p->c, stmt_name(i, name, sizeof name), a != NULL ? a->n : 0,
	    a != NULL ? a->v : NULL, a != NULL ? a->len : NULL, a != NULL ? a->fmt : NULL, 1);
	s = PQresultStatus(r);
	if (s != PGRES_TUPLES_OK && s != PGRES_COMMAND_OK) {
		perr_res(p, what, r);
		PQclear(r);
		if (p->in_txn)
			p->failed = true;
		return NULL;
	}
	return r;
}

static int
exec_plain(struct pgstore *p, const char *sql, const char *what)
{
	PGresult *r = PQexec(p->c, sql);
	ExecStatusType s = PQresultStatus(r);
	int rc = 0;

	if (s != PGRES_COMMAND_OK && s != PGRES_TUPLES_OK) {
		perr_res(p, what, r);
		rc = -1;
	}
	PQclear(r);
	return rc;
}

/* ---- open, close ---- */

static int
query_i64(struct pgstore *p, const char *sql, const char *what, int64_t *out)
{
	PGresult *r = PQexecParams(p->c, sql, 0, NULL, NULL, NULL, NULL, 1);
	int rc = -1;

	if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1) {
		perr_res(p, what, r);
	} else {
		*out = col_i64(r, 0, 0);
		rc = 0;
	}
	PQclear(r);
	return rc;
}

static int
take_lock(struct pgstore *p)
{
	PGresult *r;
	const char *state;
	int rc = 0;

	if (exec_plain(p, "SET lock_timeout = '" STR(LOCK_WAIT_MS) "ms'", "lock") != 0)
		return -1;
	r = PQexec(p->c, "SELECT pg_advisory_lock(" STR(STORE_PG_LOCK) ")");
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
		if (state != NULL && strcmp(state, "55P03") == 0) /* lock_not_available */
			perrf(p, "in use by another process (is a broker already running on this "
			    "database?)");
		else
			perr_res(p, "lock", r);
		rc = -1;
	}
	PQclear(r);
	if (rc == 0)
		rc = exec_plain(p, "RESET lock_timeout", "lock");
	return rc;
}

static int
create_schema(struct pgstore *p)
{
	int64_t version = 0;
	char sql[160];

	if (exec_plain(p, "BEGIN", "create schema") != 0)
		return -1;
	if (exec_plain(p, schema_sql, "create schema") != 0)
		goto fail;
	if (query_i64(p, "SELECT coalesce((SELECT value FROM meta WHERE key = '" META_SCHEMA
	    "'), 0)::bigint", "read schema version", &version) != 0)
		goto fail;
	if (version > STORE_PG_SCHEMA) {
		perrf(p, "database schema version %" PRId64 " is newer than this program's (%d);"
		    " use a newer rescuedeskd", version, STORE_PG_SCHEMA);
		goto fail;
	}
	snprintf(sql, sizeof sql, "INSERT INTO meta(key, value) VALUES ('" META_SCHEMA "', %d) "
	    "ON CONFLICT (key) DO UPDATE SET value = excluded.value", STORE_PG_SCHEMA);
	if (exec_plain(p, sql, "set schema version") != 0)
		goto fail;
	return exec_plain(p, "COMMIT", "create schema");

fail:
	PQclear(PQexec(p->c, "ROLLBACK"));
	return -1;
}

/* The connection's defaults (a URI may say otherwise): a server that does not answer within
 * 10 s at connect, or vanishes (keepalives after 5 s idle, 3 probes 2 s apart; unacknowledged
 * data for 10 s), makes the broker's call fail rather than hang; the broker then stops and a
 * restart resumes from what was committed. A standby's try never waits
 * (pgstore_try_lead_poll) and fails after tcp_user_timeout also when the path still
 * acknowledges. */
static const char *const conn_keys[] = { "connect_timeout", "keepalives", "keepalives_idle",
	"keepalives_interval", "keepalives_count", "tcp_user_timeout", "application_name",
	"dbname", NULL };
#define CONN_DEFAULTS "10", "1", "5", "2", "3", "10000", "rescuedeskd"

/* Once the lock is ours: the schema, the statements, the last id and the reply keys. */
static int
become_leader(struct pgstore *p)
{
	char name[16];

	if (create_schema(p) != 0)
		return -1;
	for (int i = 0; i < PG_SQL_COUNT; i++) {
		PGresult *r = PQprepare(p->c, stmt_name((enum pg_sql)i, name, sizeof name),
		    pg_text[i], 0, NULL);
		if (PQresultStatus(r) != PGRES_COMMAND_OK) {
			perr_res(p, "prepare statements", r);
			PQclear(r);
			return -1;
		}
		PQclear(r);
	}
	if (query_i64(p, "SELECT coalesce(max(id), 0)::bigint FROM events", "last event id",
	    &p->last_id) != 0)
		return -1;
	if (keys_load(p) != 0)
		return -1;
	p->leading = true;
	return 0;
}

/* The try's deadline: the connection's tcp_user_timeout as libpq took it (the URI's, else
 * CONN_DEFAULTS'), or the default when it is 0 (the system's: none). The kernel applies it
 * only to data the other end does not acknowledge; this applies it also when something on
 * the path still acknowledges (a hung server, a stopped proxy). */
static int
try_deadline_ms(const struct pgstore *p)
{
	PQconninfoOption *opts = PQconninfo(p->c);
	int ms = 0;

	for (PQconninfoOption *o = opts; o != NULL && o->keyword != NULL; o++)
		if (strcmp(o->keyword, "tcp_user_timeout") == 0 && o->val != NULL)
			ms = atoi(o->val);
	PQconninfoFree(opts);
	return ms > 0 ? ms : TRY_DEADLINE_MS;
}

/* group: do not wait for the lock; *leader says whether it was free. */
static struct pgstore *
open_session(const char *uri, bool group, bool *leader, char **cause)
{
	struct pgstore *p = xcalloc(1, sizeof *p);

	if (cause != NULL)
		*cause = NULL;
	rd_strlcpy(p->err, "no error", sizeof p->err);
	/* libpq's keywords before the URI, so that the URI's own parameters win */
	p->c = PQconnectdbParams(conn_keys, (const char *const[]){ CONN_DEFAULTS, uri, NULL }, 1);
	if (p->c == NULL) {
		perrf(p, "connect: out of memory");
		goto fail;
	}
	if (PQstatus(p->c) != CONNECTION_OK) {
		perr(p, "connect", NULL);
		goto fail;
	}
	p->try_deadline = try_deadline_ms(p);
	/* CREATE ... IF NOT EXISTS says NOTICE when it exists: nothing for stderr. The server
	 * ends this session (and frees the lock) within about 11 s of the broker's host
	 * vanishing, as the broker gives up on a vanished server (CONN_DEFAULTS). */
	if (exec_plain(p, "SET client_min_messages = warning", "connect") != 0 ||
	    exec_plain(p, "SET tcp_keepalives_idle = 5; SET tcp_keepalives_interval = 2; "
	    "SET tcp_keepalives_count = 3; SET tcp_user_timeout = 10000", "connect") != 0)
		goto fail;
	if (group) {
		int got = pgstore_try_lead(p);
		if (got < 0)
			goto fail;
		*leader = got == 1;
		return p;
	}
	/* One broker a database: the lock is the session's until it ends. A broker killed a
	 * moment ago may still hold it until the server sees its connection close, so wait a
	 * little (LOCK_WAIT) before refusing. */
	if (take_lock(p) != 0 || become_leader(p) != 0)
		goto fail;
	return p;

fail:
	if (cause != NULL)
		*cause = xstrdup(p->err);
	pgstore_close(p);
	return NULL;
}

struct pgstore *
pgstore_open(const char *uri, enum store_sync sync, char **cause)
{
	(void)sync; /* synchronous_commit stays on: a commit is durable once acknowledged */
	return open_session(uri, false, NULL, cause);
}

struct pgstore *
pgstore_open_group(const char *uri, bool *leader, char **cause)
{
	return open_session(uri, true, leader, cause);
}

int
pgstore_try_lead(struct pgstore *p)
{
	PGresult *r;
	int got;

	if (p->leading)
		return 1;
	r = PQexecParams(p->c, "SELECT pg_try_advisory_lock(" STR(STORE_PG_LOCK) ")::int::bigint",
	    0, NULL, NULL, NULL, NULL, 1);
	if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1) {
		perr_res(p, "lock", r);
		PQclear(r);
		return -1;
	}
	got = col_i64(r, 0, 0) == 1;
	PQclear(r);
	if (!got)
		return 0;
	return become_leader(p) == 0 ? 1 : -1;
}

int
pgstore_lead_fd(const struct pgstore *p)
{
	return p->trying ? PQsocket(p->c) : -1;
}

int
pgstore_try_lead_start(struct pgstore *p, int64_t now_ms)
{
	if (p->leading)
		return 0;
	if (p->trying) {
		perrf(p, "lock: a try is out already");
		return -1;
	}
	/* one query, two statements: the lock and whether the leader table is there, then
	 * the row. Before the first leader made the schema there is no table, and a statement
	 * naming it would fail (an ERROR in the server's log): the row is asked for once the
	 * table was seen, in the same query from then on (try_more: at once, the first time) */
	if (PQsendQuery(p->c, p->schema_seen ? "SELECT pg_try_advisory_lock(" STR(STORE_PG_LOCK)
	    ")::int, to_regclass('leader') IS NOT NULL; " LEADER_ROW_SQL :
	    "SELECT pg_try_advisory_lock(" STR(STORE_PG_LOCK) ")::int, to_regclass('leader') IS "
	    "NOT NULL") != 1) {
		perr(p, "lock", NULL);
		return -1;
	}
	p->trying = true;
	p->try_sent = now_ms;
	p->try_results = 0;
	p->try_got = -1;
	p->try_table = false;
	p->try_epoch = 0;
	p->try_api[0] = '\0';
	return 0;
}

/* The try's answer is in and another session holds the lock: when this try saw the leader
 * table for the first time, it asks for the row now (1: the try goes on), else 0. */
static int
try_more(struct pgstore *p)
{
	if (!p->try_table || p->schema_seen)
		return 0;
	p->schema_seen = true;
	if (PQsendQuery(p->c, LEADER_ROW_SQL) != 1) {
		perr(p, "leader", NULL);
		p->try_got = -1;
		return 0;
	}
	p->trying = true;
	return 1;
}

/* One result of the try: the lock's (the first), then the leader row's. */
static void
try_result(struct pgstore *p, PGresult *r)
{
	ExecStatusType s = PQresultStatus(r);
	int n = p->try_results++;

	if (n == 0) {
		if (s == PGRES_TUPLES_OK && PQntuples(r) == 1) {
			p->try_got = strcmp(col_text(r, 0, 0), "1") == 0;
			p->try_table = strcmp(col_text(r, 0, 1), "t") == 0;
		} else {
			perr_res(p, "lock", r);
		}
	} else if (s == PGRES_TUPLES_OK && PQntuples(r) == 1) {
		p->try_epoch = strtoll(col_text(r, 0, 0), NULL, 10);
		rd_strlcpy(p->try_api, col_text(r, 0, 1), sizeof p->try_api);
	} else if (s != PGRES_TUPLES_OK && p->try_got != 1) {
		perr_res(p, "leader", r);
		p->try_got = -1;
	}
}

int
pgstore_try_lead_poll(struct pgstore *p, int64_t now_ms, int64_t *epoch, char *api,
    size_t api_sz)
{
	if (p->leading)
		return STORE_LEAD_OURS;
	if (!p->trying) {
		perrf(p, "lock: no try is out");
		return -1;
	}
	if (PQconsumeInput(p->c) != 1) {
		perr(p, "lock", NULL);
		p->trying = false;
		return -1;
	}
	while (!PQisBusy(p->c)) {
		PGresult *r = PQgetResult(p->c);
		if (r == NULL) {
			p->trying = false;
			if (p->try_got < 0) {
				if (p->try_results == 0)
					perr(p, "lock", NULL);
				return -1;
			}
			if (p->try_got == 1)
				return become_leader(p) == 0 ? STORE_LEAD_OURS : -1;
			if (try_more(p))
				return STORE_LEAD_WAIT;
			if (p->try_got < 0)
				return -1;
			*epoch = p->try_epoch;
			rd_strlcpy(api, p->try_api, api_sz);
			return STORE_LEAD_OTHER;
		}
		try_result(p, r);
		PQclear(r);
	}
	if (now_ms - p->try_sent >= p->try_deadline) {
		perrf(p, "lock: no answer from the database in %" PRId64 " ms (tcp_user_timeout "
		    "%d ms): the connection is taken as dead", now_ms - p->try_sent,
		    p->try_deadline);
		p->trying = false;
		return -1;
	}
	return STORE_LEAD_WAIT;
}

int
pgstore_leader_get(struct pgstore *p, int64_t *epoch, char *api, size_t api_sz)
{
	PGresult *r;
	int rc = 0;

	/* before the first leader made the schema there is no table (and no leader yet): ask
	 * whether it is there before naming it, so that nothing fails */
	if (!p->schema_seen) {
		int64_t there;
		if (query_i64(p, "SELECT (to_regclass('leader') IS NOT NULL)::int::bigint", "leader",
		    &there) != 0)
			return -1;
		if (!there)
			return 0;
		p->schema_seen = true;
	}
	r = PQexecParams(p->c, LEADER_ROW_SQL, 0, NULL, NULL, NULL, NULL, 1);
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		perr_res(p, "leader", r);
		rc = -1;
	} else if (PQntuples(r) == 1) {
		*epoch = col_i64(r, 0, 0);
		rd_strlcpy(api, col_text(r, 0, 1), api_sz);
		rc = 1;
	}
	PQclear(r);
	return rc;
}

int
pgstore_leader_set(struct pgstore *p, int64_t epoch, const char *api, int64_t since)
{
	struct params a = { .n = 0 };

	p_i64(&a, epoch);
	p_text(&a, api);
	p_i64(&a, since);
	return write_stmt(p, PG_LEADER_SET, &a, "leader set");
}

void
pgstore_close(struct pgstore *p)
{
	if (p == NULL)
		return;
	/* an open transaction is rolled back by the server; the advisory lock goes with the
	 * session */
	PQfinish(p->c);
	hmap_destroy(p->keys);
	for (int col = 0; col < EV_COLS; col++)
		free(p->eb.col[col].b);
	free(p);
}

const char *
pgstore_errmsg(const struct pgstore *p)
{
	return p->err;
}

/* ---- transactions ---- */

int
pgstore_begin(struct pgstore *p)
{
	if (p->in_txn) {
		perrf(p, "begin: a transaction is open already");
		return -1;
	}
	p->in_txn = true;
	p->failed = false;
	p->begin_id = p->last_id;
	if (PQenterPipelineMode(p->c) != 1) {
		perr(p, "begin", NULL);
		p->in_txn = false;
		return -1;
	}
	p->piping = true;
	if (PQsendQueryParams(p->c, "BEGIN", 0, NULL, NULL, NULL, NULL, 0) != 1) {
		perr(p, "begin", NULL);
		p->failed = true;
		return -1;
	}
	p->pending++;
	return 0;
}

int
pgstore_rollback(struct pgstore *p)
{
	eb_clear(&p->eb);
	if (p->piping)
		pipe_sync(p);
	if (p->in_txn)
		p->last_id = p->begin_id; /* the ids of what was not committed are free again */
	p->in_txn = false;
	p->failed = false;
	if (PQtransactionStatus(p->c) == PQTRANS_IDLE)
		return 0;
	return exec_plain(p, "ROLLBACK", "rollback");
}

int
pgstore_commit(struct pgstore *p)
{
	char keep[ERR_MAX];

	if (!p->in_txn) {
		perrf(p, "commit: no transaction open");
		return -1;
	}
	if (!p->failed && p->eb.n > 0 && flush_events(p) != 0)
		p->failed = true;
	if (!p->failed && !p->piping && PQenterPipelineMode(p->c) == 1)
		p->piping = true;
	if (!p->failed && p->piping) {
		if (PQsendQueryParams(p->c, "COMMIT", 0, NULL, NULL, NULL, NULL, 0) != 1) {
			perr(p, "commit", NULL);
			p->failed = true;
		} else {
			p->pending++;
		}
	}
	if (pipe_finish(p) == 0 && PQtransactionStatus(p->c) == PQTRANS_IDLE) {
		p->in_txn = false;
		return 0;
	}
	if (!p->failed)
		perrf(p, "commit: transaction not committed");
	/* keep the reason, not the rollback's */
	rd_strlcpy(keep, p->err, sizeof keep);
	pgstore_rollback(p);
	rd_strlcpy(p->err, keep, sizeof p->err);
	return -1;
}

/* ---- meta ---- */

static int
meta_read(struct pgstore *p, const char *key, int64_t *value)
{
	struct params a = { .n = 0 };
	PGresult *r;
	int found = 0;

	p_text(&a, key);
	if ((r = run(p, PG_META_GET, &a, "meta get")) == NULL)
		return -1;
	if (PQntuples(r) > 0) {
		*value = col_i64(r, 0, 0);
		found = 1;
	}
	PQclear(r);
	return found;
}

int64_t
pgstore_meta_get(struct pgstore *p, const char *key, int64_t def)
{
	int64_t v;

	return meta_read(p, key, &v) == 1 ? v : def;
}

int
pgstore_meta_set(struct pgstore *p, const char *key, int64_t value)
{
	struct params a = { .n = 0 };

	p_text(&a, key);
	p_i64(&a, value);
	return write_stmt(p, PG_META_SET, &a, "meta set");
}

/* ---- the log ---- */

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
pgstore_event_append(struct pgstore *p, struct store_event *ev)
{
	if (!p->in_txn) {
		perrf(p, "append event: no transaction open (call store_begin first)");
		return -1;
	}
	if (p->failed)
		return -1;
	eb_add(&p->eb, ev, p->last_id + 1, entity_number(ev->entity));
	ev->id = ++p->last_id;
	if (p->eb.n >= EV_ROWS)
		return flush_events(p);
	return 0;
}

int64_t
pgstore_event_last_id(struct pgstore *p)
{
	return p->last_id;
}

int
pgstore_checkpoint_begin(struct pgstore *p)
{
	if (write_stmt(p, PG_CKPT_CLEAR, NULL, "checkpoint begin") != 0)
		return -1;
	p->ckpt_pos = 0;
	/* until checkpoint_end the position is 0: a full replay, never lost entities */
	return pgstore_meta_set(p, META_CHECKPOINT, 0);
}

int
pgstore_checkpoint_put(struct pgstore *p, const char *stream, const char *entity,
    const void *body, size_t len)
{
	struct params a = { .n = 0 };

	p_text(&a, stream);
	p_text(&a, entity);
	p_blob(&a, body, len);
	p_i64(&a, ++p->ckpt_pos);
	return write_stmt(p, PG_CKPT_PUT, &a, "checkpoint put");
}

int
pgstore_checkpoint_end(struct pgstore *p, int64_t upto_event_id)
{
	if (!p->in_txn) {
		perrf(p, "checkpoint end: no transaction open (call store_begin first)");
		return -1;
	}
	if (upto_event_id < 0 || upto_event_id > p->last_id) {
		perrf(p, "checkpoint end: event %" PRId64 " is not in the log (last is %" PRId64 ")",
		    upto_event_id, p->last_id);
		return -1;
	}
	return pgstore_meta_set(p, META_CHECKPOINT, upto_event_id);
}

/* Feed pages of s (columns: key, stream, entity, body; key ascending) to cb. */
static int
feed(struct pgstore *p, enum pg_sql i, int64_t from, store_load_cb cb, void *ctx, int64_t *n,
    const char *what)
{
	for (;;) {
		struct params a = { .n = 0 };
		PGresult *r;
		int rows, k;

		p_i64(&a, from);
		if ((r = run(p, i, &a, what)) == NULL)
			return -1;
		rows = PQntuples(r);
		for (k = 0; k < rows; k++) {
			size_t len;
			const void *body = col_blob(r, k, 3, &len);
			if (cb(ctx, col_text(r, k, 1), col_text(r, k, 2), body, len) != 0) {
				perrf(p, "load stopped by caller");
				PQclear(r);
				return -1;
			}
			(*n)++;
			from = col_i64(r, k, 0);
		}
		PQclear(r);
		if (rows < PAGE)
			return 0;
	}
}

int
pgstore_load(struct pgstore *p, store_load_cb cb, void *ctx, int64_t *replayed)
{
	int64_t from = 0, ncheckpoint = 0, nevents = 0;
	bool own_txn = !p->in_txn;
	int rc = -1;

	if (replayed != NULL)
		*replayed = 0;
	/* one snapshot for the checkpoint and the tail */
	if (own_txn && exec_plain(p, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
	    "load") != 0)
		return -1;
	if (meta_read(p, META_CHECKPOINT, &from) < 0)
		goto out;
	if (feed(p, PG_CKPT_SCAN, 0, cb, ctx, &ncheckpoint, "load checkpoint") != 0)
		goto out;
	if (feed(p, PG_EVENT_AFTER, from, cb, ctx, &nevents, "load events") != 0)
		goto out;
	if (replayed != NULL)
		*replayed = nevents;
	rc = 0;
out:
	if (own_txn) {
		char keep[ERR_MAX];
		rd_strlcpy(keep, p->err, sizeof keep);
		if (exec_plain(p, rc == 0 ? "COMMIT" : "ROLLBACK", "load") != 0 && rc == 0)
			return -1;
		if (rc != 0)
			rd_strlcpy(p->err, keep, sizeof p->err);
	}
	return rc;
}

static void
event_row(const PGresult *r, int k, const int col[9], struct store_event *ev)
{
	/* col: id, ts, stream, entity, kind, user, detail, code, then body and params */
	memset(ev, 0, sizeof *ev);
	ev->id = col_i64(r, k, col[0]);
	ev->ts = col_i64(r, k, col[1]);
	if (col[2] >= 0)
		ev->stream = col_text(r, k, col[2]);
	if (col[3] >= 0)
		ev->entity = col_text(r, k, col[3]);
	if (col[4] >= 0)
		ev->kind = col_text(r, k, col[4]);
	ev->user = col_text(r, k, col[5]);
	ev->detail = col[6] >= 0 ? col_text(r, k, col[6]) : "";
	ev->code = col_text(r, k, col[7]);
	if (col[8] >= 0)
		ev->body = col_blob(r, k, col[8], &ev->body_len);
}

int
pgstore_events_range(struct pgstore *p, int64_t from, int64_t to, int64_t max,
    store_event_cb cb, void *ctx, int64_t *walked)
{
	static const int col[9] = { 0, 1, 2, 3, 4, 5, -1, 6, 7 };
	int64_t after = 0, n = 0;

	if (walked != NULL)
		*walked = 0;
	for (;;) {
		struct params a = { .n = 0 };
		int64_t want = max - n < PAGE ? max - n + 1 : PAGE;
		PGresult *r;
		int rows, k;

		p_i64(&a, from);
		p_i64(&a, to);
		p_i64(&a, after);
		p_i64(&a, want);
		if ((r = run(p, PG_EVENT_RANGE, &a, "events range")) == NULL)
			return -1;
		rows = PQntuples(r);
		for (k = 0; k < rows; k++) {
			struct store_event ev;
			if (n == max) {
				PQclear(r);
				if (walked != NULL)
					*walked = n;
				return 1;
			}
			event_row(r, k, col, &ev);
			ev.params = col_blob(r, k, 8, &ev.params_len);
			n++;
			if (cb(ctx, &ev) != 0) {
				perrf(p, "events range: stopped by caller");
				PQclear(r);
				return -1;
			}
			after = ev.id;
		}
		PQclear(r);
		if (rows < want)
			break;
	}
	if (walked != NULL)
		*walked = n;
	return 0;
}

int
pgstore_events_of(struct pgstore *p, const char *stream, const char *entity,
    store_event_cb cb, void *ctx)
{
	static const int col[9] = { 0, 1, -1, -1, 2, 3, 4, 6, 5 };
	struct params a = { .n = 0 };
	PGresult *r;
	int rows, k;

	p_text(&a, stream);
	p_text(&a, entity);
	if ((r = run(p, PG_EVENT_OF, &a, "events of")) == NULL)
		return -1;
	rows = PQntuples(r);
	for (k = 0; k < rows; k++) {
		struct store_event ev;
		event_row(r, k, col, &ev);
		ev.stream = stream;
		ev.entity = entity;
		ev.params = col_blob(r, k, 7, &ev.params_len);
		if (cb(ctx, &ev) != 0) {
			perrf(p, "events of: stopped by caller");
			PQclear(r);
			return -1;
		}
	}
	PQclear(r);
	return 0;
}

int
pgstore_surveys_since(struct pgstore *p, int64_t since, store_event_cb cb, void *ctx)
{
	static const int col[9] = { 0, 1, -1, 2, -1, 3, 4, 5, -1 };
	struct params a = { .n = 0 };
	PGresult *r;
	int rows, k;

	p_i64(&a, since);
	if ((r = run(p, PG_SURVEYS_SINCE, &a, "surveys")) == NULL)
		return -1;
	rows = PQntuples(r);
	for (k = 0; k < rows; k++) {
		struct store_event ev;
		event_row(r, k, col, &ev);
		ev.stream = "ticket";
		ev.kind = "survey";
		ev.params = col_blob(r, k, 6, &ev.params_len);
		if (cb(ctx, &ev) != 0) {
			perrf(p, "surveys: stopped by caller");
			PQclear(r);
			return -1;
		}
	}
	PQclear(r);
	return 0;
}

int
pgstore_latest_each(struct pgstore *p, const char *stream, int64_t below,
    store_latest_cb cb, void *ctx)
{
	if (below <= 0)
		below = INT64_MAX;
	for (;;) {
		struct params a = { .n = 0 };
		PGresult *r;
		int rows, k, v = 0;

		p_text(&a, stream);
		p_i64(&a, below);
		if ((r = run(p, PG_LATEST, &a, "latest")) == NULL)
			return -1;
		rows = PQntuples(r);
		for (k = 0; k < rows && v == 0; k++) {
			size_t len;
			const void *body = col_blob(r, k, 2, &len);
			below = col_i64(r, k, 0);
			v = cb(ctx, below, col_i64(r, k, 1), body, len);
		}
		PQclear(r);
		if (v < 0) {
			perrf(p, "latest: stopped by caller");
			return -1;
		}
		if (v > 0 || rows < PAGE)
			return 0;
	}
}

/* ---- the reply cache ---- */

int
pgstore_reply_get(struct pgstore *p, const char *user, const char *cmd_id, void **reply,
    size_t *len)
{
	struct params a = { .n = 0 };
	PGresult *r;
	int found = 0;

	char *key = reply_key(user, cmd_id);
	bool maybe = hmap_get(p->keys, key) != NULL;

	free(key);
	if (!maybe)
		return 0;
	p_text(&a, user);
	p_text(&a, cmd_id);
	if ((r = run(p, PG_REPLY_GET, &a, "reply get")) == NULL)
		return -1;
	if (PQntuples(r) > 0) {
		size_t n;
		const void *blob = col_blob(r, 0, 0, &n);
		void *copy = xmalloc(n);
		if (n != 0)
			memcpy(copy, blob, n);
		*reply = copy;
		*len = n;
		found = 1;
	}
	PQclear(r);
	return found;
}

int
pgstore_reply_put(struct pgstore *p, const char *user, const char *cmd_id, int64_t ts,
    const void *reply, size_t len)
{
	struct params a = { .n = 0 };

	char *key;

	p_text(&a, user);
	p_text(&a, cmd_id);
	p_i64(&a, ts);
	p_blob(&a, reply, len);
	if (write_stmt(p, PG_REPLY_PUT, &a, "reply put") != 0)
		return -1;
	key = reply_key(user, cmd_id);
	hmap_put(p->keys, key, &present);
	free(key);
	return 0;
}

int64_t
pgstore_reply_expire(struct pgstore *p, int64_t before_ms)
{
	struct params a = { .n = 0 };
	PGresult *r;
	int64_t n;

	p_i64(&a, before_ms);
	if ((r = run(p, PG_REPLY_EXPIRE, &a, "reply expire")) == NULL)
		return -1;
	n = strtoll(PQcmdTuples(r), NULL, 10);
	PQclear(r);
	if (n > 0 && keys_load(p) != 0)
		return -1;
	return n;
}

/* ---- retention ---- */

int
pgstore_event_rewrite(struct pgstore *p, int64_t id, const char *detail, const void *body,
    size_t body_len, const void *params, size_t params_len)
{
	struct params a = { .n = 0 };

	if (p->eb.n > 0 && pipe_ready(p, "event rewrite") == 0 && flush_events(p) != 0)
		return -1;
	p_i64(&a, id);
	p_text(&a, detail);
	p_blob(&a, body, body_len);
	if (params != NULL)
		p_blob(&a, params, params_len);
	else
		p_null(&a);
	return write_stmt(p, PG_EVENT_REWRITE, &a, "event rewrite");
}

int
pgstore_checkpoint_rewrite(struct pgstore *p, const char *stream, const char *entity,
    const void *body, size_t len)
{
	struct params a = { .n = 0 };

	p_text(&a, stream);
	p_text(&a, entity);
	p_blob(&a, body, len);
	return write_stmt(p, PG_CKPT_REWRITE, &a, "checkpoint rewrite");
}

int
pgstore_reply_forget(struct pgstore *p, const char *text)
{
	struct params a = { .n = 0 };

	if (text == NULL || text[0] == '\0')
		return 0;
	p_text(&a, text);
	return write_stmt(p, PG_REPLY_FORGET, &a, "reply forget");
}

/* ---- complaints ---- */

static int
complaint_row(struct pgstore *p, enum pg_sql i, struct params *a, const char *what,
    struct store_complaint *out)
{
	PGresult *r = run(p, i, a, what);
	int found = 0;

	if (r == NULL)
		return -1;
	if (PQntuples(r) > 0) {
		out->version = col_i64(r, 0, 0);
		snprintf(out->saved_by, sizeof out->saved_by, "%s", col_text(r, 0, 1));
		out->saved_at = col_i64(r, 0, 2);
		out->same = col_i64(r, 0, 3) == 1;
		found = 1;
	}
	PQclear(r);
	return found;
}

int
pgstore_complaint_get(struct pgstore *p, const char *uid, struct store_complaint *out)
{
	struct params a = { .n = 0 };

	p_text(&a, uid);
	return complaint_row(p, PG_COMPLAINT_GET, &a, "complaint get", out);
}

int
pgstore_complaint_acked(struct pgstore *p, const char *uid, int64_t version,
    const char *record, struct store_complaint *out)
{
	struct params a = { .n = 0 };

	p_text(&a, uid);
	p_i64(&a, version);
	p_text(&a, record);
	return complaint_row(p, PG_COMPLAINT_ACKED, &a, "complaint acked", out);
}

int
pgstore_complaint_put(struct pgstore *p, const char *uid, const struct store_complaint *c,
    const char *record)
{
	struct params a = { .n = 0 };

	p_text(&a, uid);
	p_i64(&a, c->version);
	p_text(&a, c->saved_by);
	p_i64(&a, c->saved_at);
	p_text(&a, record);
	if (write_stmt(p, PG_COMPLAINT_PUT, &a, "complaint put") != 0 ||
	    write_stmt(p, PG_COMPLAINT_ACK_PUT, &a, "complaint put") != 0)
		return -1;
	/* rare, and a second put of one version must fail here, as on SQLite */
	return pipe_finish(p);
}

int
pgstore_complaint_record(struct pgstore *p, const char *uid, char **record)
{
	struct params a = { .n = 0 };
	PGresult *r;
	int found = 0;

	*record = NULL;
	p_text(&a, uid);
	if ((r = run(p, PG_COMPLAINT_RECORD, &a, "complaint record")) == NULL)
		return -1;
	if (PQntuples(r) > 0) {
		*record = xstrdup(col_text(r, 0, 0));
		found = 1;
	}
	PQclear(r);
	return found;
}
