/* store-pg.h: the store's PostgreSQL backend (internal to src/store: store.c routes every
 * store_* call of a store opened on a postgresql:// or postgres:// URI here). The
 * functions mirror store.h's, with the same arguments, results and ownership; store.h
 * documents them. Built only when meson finds libpq (option postgresql); store-pg.c is the
 * only file that includes libpq-fe.h.
 *
 * Differences a caller can see: writes between begin and commit are queued (libpq's
 * pipeline mode; events gathered into arrays) and their errors reported at the next read
 * or at commit (complaint_put waits for its own); event ids are assigned by this process, which holds the database's
 * advisory lock (one broker a database, as flock does for SQLite). A store opened with
 * pgstore_open_group without the lock is a standby's until pgstore_try_lead gets it. */
#ifndef RD_STORE_PG_H
#define RD_STORE_PG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store.h"

struct pgstore;

struct pgstore *pgstore_open(const char *uri, enum store_sync sync, char **cause);
struct pgstore *pgstore_open_group(const char *uri, bool *leader, char **cause);
int pgstore_try_lead(struct pgstore *p);
int pgstore_lead_fd(const struct pgstore *p);
int pgstore_try_lead_start(struct pgstore *p, int64_t now_ms);
int pgstore_try_lead_poll(struct pgstore *p, int64_t now_ms, int64_t *epoch, char *api,
    size_t api_sz);
int pgstore_leader_get(struct pgstore *p, int64_t *epoch, char *api, size_t api_sz);
int pgstore_leader_set(struct pgstore *p, int64_t epoch, const char *api, int64_t since);
void pgstore_close(struct pgstore *p);
const char *pgstore_errmsg(const struct pgstore *p);
int pgstore_begin(struct pgstore *p);
int pgstore_commit(struct pgstore *p);
int pgstore_rollback(struct pgstore *p);
int64_t pgstore_meta_get(struct pgstore *p, const char *key, int64_t def);
int pgstore_meta_set(struct pgstore *p, const char *key, int64_t value);
int pgstore_event_append(struct pgstore *p, struct store_event *ev);
int64_t pgstore_event_last_id(struct pgstore *p);
int pgstore_checkpoint_begin(struct pgstore *p);
int pgstore_checkpoint_put(struct pgstore *p, const char *stream, const char *entity,
    const void *body, size_t len);
int pgstore_checkpoint_end(struct pgstore *p, int64_t upto_event_id);
int pgstore_load(struct pgstore *p, store_load_cb cb, void *ctx, int64_t *replayed);
int pgstore_events_of(struct pgstore *p, const char *stream, const char *entity,
    store_event_cb cb, void *ctx);
int pgstore_events_range(struct pgstore *p, int64_t from, int64_t to, int64_t max,
    store_event_cb cb, void *ctx, int64_t *walked);
int pgstore_latest_each(struct pgstore *p, const char *stream, int64_t below,
    store_latest_cb cb, void *ctx);
int pgstore_surveys_since(struct pgstore *p, int64_t since, store_event_cb cb, void *ctx);
int pgstore_reply_get(struct pgstore *p, const char *user, const char *cmd_id, void **reply,
    size_t *len);
int pgstore_reply_put(struct pgstore *p, const char *user, const char *cmd_id, int64_t ts,
    const void *reply, size_t len);
int64_t pgstore_reply_expire(struct pgstore *p, int64_t before_ms);
int pgstore_event_rewrite(struct pgstore *p, int64_t id, const char *detail, const void *body,
    size_t body_len, const void *params, size_t params_len);
int pgstore_checkpoint_rewrite(struct pgstore *p, const char *stream, const char *entity,
    const void *body, size_t len);
int pgstore_reply_forget(struct pgstore *p, const char *text);
int pgstore_complaint_get(struct pgstore *p, const char *uid, struct store_complaint *out);
int pgstore_complaint_acked(struct pgstore *p, const char *uid, int64_t version,
    const char *record, struct store_complaint *out);
int pgstore_complaint_put(struct pgstore *p, const char *uid, const struct store_complaint *c,
    const char *record);
int pgstore_complaint_record(struct pgstore *p, const char *uid, char **record);

#endif
