/* complaint-sync.c: the outbox to the central copy, and the conflicts (complaint-sync.h). */
#include "complaint-sync.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "complaint-db.h"
#include "model-request.h"
#include "model.h"
#include "util.h"

static struct complaint_conflict conflicts[COMPLAINT_SYNC_CONFLICTS];
static size_t n_conflicts;

const struct complaint_conflict *
complaint_sync_conflict(const char *uid)
{
	for (size_t i = 0; i < n_conflicts; i++)
		if (strcmp(conflicts[i].uid, uid) == 0)
			return &conflicts[i];
	return NULL;
}

size_t
complaint_sync_conflicts(void)
{
	return n_conflicts;
}

static void
conflict_clear(const char *uid)
{
	for (size_t i = 0; i < n_conflicts; i++)
		if (strcmp(conflicts[i].uid, uid) == 0) {
			conflicts[i] = conflicts[--n_conflicts];
			return;
		}
}

static void
conflict_put(const char *uid, int64_t version, enum proto_err code,
    const struct proto_error_params *e)
{
	struct complaint_conflict *c = (struct complaint_conflict *)complaint_sync_conflict(uid);
	if (c == NULL) {
		if (n_conflicts == COMPLAINT_SYNC_CONFLICTS)
			n_conflicts--; /* the newest goes: the oldest stay shown */
		c = &conflicts[n_conflicts++];
	}
	memset(c, 0, sizeof *c);
	PROTO_STRSET(c->uid, uid);
	c->mine = version;
	c->refused = code;
	if (e == NULL)
		return;
	c->why = *e;
	c->theirs = PROTO_HAS(e, error_params, version) ? e->version : 0;
	if (PROTO_HAS(e, error_params, by))
		PROTO_STRSET(c->by, e->by);
	if (PROTO_HAS(e, error_params, at))
		c->at = e->at;
}

int
complaint_sync_next(struct complaint_store *st, struct proto_complaint_put *args)
{
	struct complaint_outbox_row *rows;
	size_t n;
	int found = 0;

	/* the rows of a complaint in conflict wait for the agent; look past them */
	if (complaint_store_outbox_pending(st, 0, &rows, &n) != 0)
		return -1;
	for (size_t i = 0; i < n && !found; i++) {
		if (complaint_sync_conflict(rows[i].uid) != NULL)
			continue;
		if (strlen(rows[i].payload) >= sizeof args->record) {
			/* longer than the wire takes (a long frozen timeline): never cut */
			conflict_put(rows[i].uid, rows[i].version, PROTO_E_TOO_LARGE, NULL);
			continue;
		}
		memset(args, 0, sizeof *args);
		PROTO_STRSET(args->uid, rows[i].uid);
		PROTO_STRSET(args->record, rows[i].payload);
		args->version = rows[i].version;
		args->base = rows[i].version - 1;
		PROTO_SET(args, complaint_put, uid);
		PROTO_SET(args, complaint_put, version);
		PROTO_SET(args, complaint_put, base);
		PROTO_SET(args, complaint_put, record);
		found = complaint_store_outbox_tried(st, rows[i].seq) == 0 ? 1 : -1;
	}
	complaint_outbox_free(rows, n);
	return found;
}

int
complaint_sync_answer(struct complaint_store *st, const struct proto_complaint_put *args,
    const struct proto_reply *r)
{
	if (r == NULL)
		return 0;
	if (r->ok)
		return complaint_store_outbox_ack(st, args->uid, args->version) == 0 ? 1 : -1;
	if (r->error.code == PROTO_E_CONFLICT)
		conflict_put(args->uid, args->version, PROTO_E_CONFLICT, &r->error.params);
	else if (r->error.code == PROTO_E_BAD_REQUEST || r->error.code == PROTO_E_TOO_LARGE ||
	    r->error.code == PROTO_E_FORBIDDEN)
		conflict_put(args->uid, args->version, r->error.code, &r->error.params);
	if (r->error.code != PROTO_E_CONFLICT)
		log_warn("complaint %s version %" PRId64 ": %s: %s", args->uid, args->version,
		    proto_err_name(r->error.code), r->error.message);
	return 0;
}

int
complaint_sync_take_theirs(struct complaint_store *st, const struct complaint_data *d,
    const char *record, int64_t now_ms, int64_t *id)
{
	struct complaint *c = complaint_decode(record);
	if (c == NULL)
		return -1;
	int rc = complaint_store_adopt(st, c, d, now_ms, id);
	if (rc == 0)
		conflict_clear(complaint_field_str(c, CF_uid));
	complaint_free(c);
	return rc;
}

int
complaint_sync_keep_mine(struct complaint_store *st, const struct complaint_data *d,
    const char *uid, int64_t now_ms)
{
	const struct complaint_conflict *k = complaint_sync_conflict(uid);
	struct complaint *c = NULL;
	int rc = -1;

	if (k == NULL || k->refused != PROTO_E_CONFLICT ||
	    complaint_store_find_uid(st, uid, &c) != 1)
		return -1;
	if (complaint_store_rebase(st, c->id, k->theirs) == 0) {
		c->version = k->theirs;
		rc = complaint_store_save(st, c, d, now_ms, "keep_mine");
	}
	if (rc == 0)
		conflict_clear(uid);
	complaint_free(c);
	return rc;
}

/* ---- the app's driver ---- */

static struct {
	bool in_flight;
	int64_t next_try;       /* monotonic ms */
	struct proto_complaint_put *args;
	const struct complaint_db *db;
} drv;

void
complaint_sync_reset(void)
{
	n_conflicts = 0;
	if (drv.db != NULL)
		complaint_db_release();
	free(drv.args);
	memset(&drv, 0, sizeof drv);
}

static void
settle(int64_t next)
{
	drv.in_flight = false;
	drv.next_try = next;
	if (drv.db != NULL)
		complaint_db_release();
	drv.db = NULL;
}

static void
on_put(struct model *m, void *ctx, const struct proto_reply *r, const struct proto_error *err)
{
	(void)m;
	(void)ctx;
	(void)err;
	if (!drv.in_flight || drv.db == NULL)
		return;
	int rc = complaint_sync_answer(drv.db->st, drv.args, r);
	if (rc < 0)
		log_warn("complaints: %s", complaint_store_errmsg(drv.db->st));
	settle(rc == 1 ? 0 : rd_mono_ms() + COMPLAINT_SYNC_RETRY_MS);
}

void
complaint_sync_tick(struct model *m, int64_t now_mono)
{
	char *cause = NULL;

	if (drv.in_flight || now_mono < drv.next_try || m->conn != MODEL_LIVE)
		return;
	drv.next_try = now_mono + COMPLAINT_SYNC_RETRY_MS;
	if (!complaint_db_exists(m->user))
		return;
	if ((drv.db = complaint_db_open(m->user, &cause)) == NULL) {
		log_warn("complaints: %s", cause != NULL ? cause : "?");
		free(cause);
		return;
	}
	if (drv.args == NULL)
		drv.args = xmalloc(sizeof *drv.args);
	int r = complaint_sync_next(drv.db->st, drv.args);
	if (r != 1) {
		if (r < 0)
			log_warn("complaints: %s", complaint_store_errmsg(drv.db->st));
		settle(now_mono + COMPLAINT_SYNC_RETRY_MS);
		return;
	}
	struct model_request rq = { .op = PROTO_MSG_complaint_put, .args = drv.args,
		.on_reply = on_put };
	drv.in_flight = true;
	if (model_request(m, &rq, NULL) != 0)
		settle(now_mono + COMPLAINT_SYNC_RETRY_MS);
}
