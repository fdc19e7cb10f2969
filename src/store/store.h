/* store.h: the broker's durable store: an SQLite database in WAL mode (store.c, which with
 * sql.c and complaint-store.c alone includes sqlite3.h), or a PostgreSQL database
 * (store-pg.c, the only file that includes libpq-fe.h; built when meson finds libpq). Which
 * one is chosen by store_open's path; every function below behaves the same on both
 * (tests/check-store-conformance.c holds them to it).
 *
 * Layout: an append-only event log (every accepted change, with the full state of the entity
 * after the change as an opaque blob), a checkpoint (the state of every entity as of one event
 * id, so start-up replays only what came after), a meta key/value table (epoch, checkpoint
 * position), the reply cache that makes mutating requests idempotent by (user, cmd_id), and
 * the central copy of the consoles' complaints with their acknowledgements (schema 4).
 *
 * Errors: functions return 0 on success or -1 on failure; store_errmsg() then says why (a
 * borrowed string valid until the next call). Nothing here logs or exits.
 * Ownership: blobs and strings passed in are borrowed (copied into SQLite); blobs handed to
 * callbacks are borrowed for the duration of the callback only. */
#ifndef RD_STORE_H
#define RD_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct store;

enum store_sync {
	STORE_SYNC_NORMAL, /* durable against process crash (kill -9); WAL fsync at checkpoints */
	STORE_SYNC_FULL,   /* fsync on every commit: durable against power loss too */
};

/* Open or create the database at path (":memory:" works, for tests), set WAL mode and create
 * the schema. A path beginning with postgresql:// or postgres:// is a libpq URI: the
 * tables are made in that database, which must exist (rescuedeskd(8), POSTGRESQL); sync
 * does not apply there. Either way one store a database: a second open fails ("in use by
 * another process"; on PostgreSQL after waiting 2 s for the first to go). On failure
 * returns NULL and sets *cause (caller frees) if cause is non-NULL. */
struct store *store_open(const char *path, enum store_sync sync, char **cause);
void store_close(struct store *st); /* NULL is fine */

/* Brokers in a group on one PostgreSQL database (rescuedeskd(8), POSTGRESQL). open_group
 * does not wait for the database's lock: *leader says whether this session took it. A
 * store opened without it is a standby's: only try_lead (and its non-blocking form
 * below), leader_get and close may be called until the lock is its own. try_lead tries
 * the lock without waiting for another session: 1 when this session holds it (the store
 * is then as store_open leaves it), 0 when another session does, -1 on error. The leader
 * row says which broker leads: leader_get gives its epoch and api endpoint (1; 0 when
 * there is none yet; -1 on error), leader_set writes it (inside the caller's
 * transaction). On SQLite (one broker a file) open_group is store_open with *leader
 * true, try_lead returns 1 and the leader row is not kept (get 0, set does nothing). */
struct store *store_open_group(const char *path, enum store_sync sync, bool *leader,
    char **cause);
int store_try_lead(struct store *st);

/* A standby's try without blocking, for a loop that polls the database's socket meanwhile
 * (rescuedeskd's standby answers its clients while the database is slow or gone).
 * try_lead_start sends the try (the lock and the leader row, one round trip): 0, or -1.
 * lead_fd is the socket to poll for reading while a try is out (-1 when none is, and
 * always on SQLite). try_lead_poll reads what has arrived, never waiting: STORE_LEAD_WAIT
 * (not all yet: poll lead_fd again), STORE_LEAD_OTHER (another session holds the lock;
 * *epoch and api from the leader row, api "" when there is none), STORE_LEAD_OURS (as
 * try_lead's 1: the rest of open runs then, waiting for the server), or -1. A try still
 * unanswered at now_ms (any clock, the same as start's) later than the connection's
 * tcp_user_timeout (10 s unless the URI says otherwise) fails: the session is taken as
 * dead also when something on the path still acknowledges (a hung server or proxy).
 * After -1 only close may be called. On SQLite start does nothing and poll answers
 * STORE_LEAD_OURS. */
enum store_lead {
	STORE_LEAD_OTHER = 0,
	STORE_LEAD_OURS = 1,
	STORE_LEAD_WAIT = 2,
};
int store_lead_fd(struct store *st);
int store_try_lead_start(struct store *st, int64_t now_ms);
int store_try_lead_poll(struct store *st, int64_t now_ms, int64_t *epoch, char *api,
    size_t api_sz);
int store_leader_get(struct store *st, int64_t *epoch, char *api, size_t api_sz);
int store_leader_set(struct store *st, int64_t epoch, const char *api, int64_t since);
const char *store_errmsg(const struct store *st);

/* Transactions. Every write below must happen between begin and commit. rollback after an
 * error discards everything since begin. */
int store_begin(struct store *st);
int store_commit(struct store *st);
int store_rollback(struct store *st);

/* Meta integers (epoch, checkpoint position, ...). get returns def when the key is absent. */
int64_t store_meta_get(struct store *st, const char *key, int64_t def);
int store_meta_set(struct store *st, const char *key, int64_t value);

/* One event of the log. stream: "ticket", "truck", "warning", ...; entity: the entity's id
 * as text; kind: what happened ("created", "state", "note", "assign", ...); user: who did it
 * ("" for the broker itself); detail: human-readable text for the timeline (may be "");
 * body/body_len: the entity's full state after the change (opaque to the store); code:
 * detail's machine form ("" or NULL: none, as in events logged before schema version 3) and
 * params/params_len its parameters (opaque; NULL/0: none). */
struct store_event {
	int64_t id; /* filled by append; ignored on input */
	int64_t ts; /* ms since the Unix epoch */
	const char *stream;
	const char *entity;
	const char *kind;
	const char *user;
	const char *detail;
	const void *body;
	size_t body_len;
	const char *code;
	const void *params;
	size_t params_len;
};

int store_event_append(struct store *st, struct store_event *ev);
int64_t store_event_last_id(struct store *st); /* 0 when the log is empty */

/* Write the checkpoint: call checkpoint_begin, then put every entity's current state, then
 * checkpoint_end(upto) naming the last event id the state includes. All inside one
 * transaction that the caller opens and commits. checkpoint_begin clears the old one. */
int store_checkpoint_begin(struct store *st);
int store_checkpoint_put(struct store *st, const char *stream, const char *entity,
    const void *body, size_t len);
int store_checkpoint_end(struct store *st, int64_t upto_event_id);

/* Rebuild: calls cb for every entity in the checkpoint, then for every event after it, in
 * log order, with the entity's state blob. A callback returning non-zero stops the load and
 * makes store_load return -1 (store_errmsg says "load stopped by caller").
 * *replayed (if non-NULL) gets the number of events replayed after the checkpoint. */
typedef int (*store_load_cb)(void *ctx, const char *stream, const char *entity,
    const void *body, size_t len);
int store_load(struct store *st, store_load_cb cb, void *ctx, int64_t *replayed);

/* The history of one entity, oldest first: cb gets each event (body included). */
typedef int (*store_event_cb)(void *ctx, const struct store_event *ev);
int store_events_of(struct store *st, const char *stream, const char *entity,
    store_event_cb cb, void *ctx);

/* Every event whose ts is in [from, to), of every stream, in log (id) order, read only:
 * cb gets each (detail is "" here; blobs borrowed for the call). At most max events are
 * handed out: returns 1 when more were left (the walk stopped there), 0 when the range
 * was walked to its end, -1 on error or when cb returned non-zero. *walked (if non-NULL)
 * gets the number handed out. An index on ts (events_ts, made at open when missing) finds
 * the range's first and last id, so the walk costs the range's rows, not the log's. */
int store_events_range(struct store *st, int64_t from, int64_t to, int64_t max,
    store_event_cb cb, void *ctx, int64_t *walked);

/* The latest state of each entity of stream whose id is a number below `below` (every
 * entity when below <= 0), highest number first: cb gets the entity's number, the time
 * of its newest event and that event's state blob. cb returns 0 to go on, 1 to stop
 * there (store_latest_each then returns 0), or -1 to fail (store_errmsg says "latest:
 * stopped by caller"). The log is never pruned, so this reaches entities long gone from
 * the broker's snapshots (ticket.search). Only entities whose id is made of digits (fewer
 * than 19) are numbered; a table of their newest events (schema version 2, built from the
 * log when an older database is opened) makes a page cost its own rows. */
typedef int (*store_latest_cb)(void *ctx, int64_t entity, int64_t ts, const void *body,
    size_t len);
int store_latest_each(struct store *st, const char *stream, int64_t below, store_latest_cb cb,
    void *ctx);

/* The survey answers (events of kind "survey", PROTOCOL.md 7.32) logged at or after since
 * (ms), oldest first: cb gets each (stream "ticket", entity the ticket, params; no body).
 * Through a partial index, so it costs the surveys, not the log. A cb returning non-zero
 * stops it with -1. */
int store_surveys_since(struct store *st, int64_t since, store_event_cb cb, void *ctx);

/* Idempotency cache. get: 1 and a malloc'ed copy in *reply (caller frees) when found, 0 when
 * not, -1 on error. put stores the reply (inside the caller's transaction). expire drops
 * entries older than before_ms and returns how many went, or -1. */
int store_reply_get(struct store *st, const char *user, const char *cmd_id, void **reply,
    size_t *len);
int store_reply_put(struct store *st, const char *user, const char *cmd_id, int64_t ts,
    const void *reply, size_t len);
int64_t store_reply_expire(struct store *st, int64_t before_ms);

/* Retention (rescuedeskd --retention-days), inside the caller's transaction. rewrite: event
 * id's detail, body and params replaced (params NULL: none); the checkpoint's row of
 * (stream, entity), if it has one, gets body. reply_forget drops every cached reply whose
 * bytes hold text (a plate, an address; "" forgets nothing). The store runs with
 * secure_delete, so what these replace is overwritten in the file, not left in free pages. */
int store_event_rewrite(struct store *st, int64_t id, const char *detail, const void *body,
    size_t body_len, const void *params, size_t params_len);
int store_checkpoint_rewrite(struct store *st, const char *stream, const char *entity,
    const void *body, size_t len);
int store_reply_forget(struct store *st, const char *text);

/* The central copy of the consoles' complaints (schema 4), by the uid a console made: the
 * current version with who saved it and when, and every version ever acknowledged with its
 * record, kept for good. get: the current version (1 and *out, 0 when the uid is unknown,
 * -1); acked: whether (uid, version) was acknowledged, with its saver and time, and
 * whether its record was this one (out->same); put (inside the caller's transaction)
 * makes c the current version, record its text, and keeps the acknowledgement (a second
 * put of one (uid, version) fails). */
struct store_complaint {
	int64_t version;
	char saved_by[33];
	int64_t saved_at;
	bool same;      /* acked: the record stored for that version is the one asked about */
};
int store_complaint_get(struct store *st, const char *uid, struct store_complaint *out);
int store_complaint_acked(struct store *st, const char *uid, int64_t version,
    const char *record, struct store_complaint *out);
int store_complaint_put(struct store *st, const char *uid, const struct store_complaint *c,
    const char *record);
/* The current version's record as it was put (raw: what complaint.get answers): 1 and
 * *record (the caller frees), 0 when the uid is unknown (*record NULL), -1. */
int store_complaint_record(struct store *st, const char *uid, char **record);

#endif
