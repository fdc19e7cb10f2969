/* complaint-sync.h: the console's complaints to the central copy (PROTOCOL.md 7.22). Every
 * saved version waits in the local file's outbox (complaint-store.h) until the broker
 * acknowledges it; this module sends the oldest, one at a time, again and again while the
 * broker is away (for as long as it takes: complaint.put is idempotent by (uid, version)
 * for good, not only for the request cache's 10 minutes), marks each acknowledged, and
 * records a conflict (another console saved the complaint first) instead of trying again:
 * the views show it, and the agent either takes the broker's version or keeps hers as a
 * new version on top of it. Nothing is ever overwritten without the agent's choice.
 *
 * The core (next, answer, the conflicts, the two choices) works on a store and plain
 * replies, so tests drive it against a real broker; complaint_sync_tick is the app's
 * driver over the model's one way to the broker (model_request).
 *
 * Ownership: the conflicts are kept here (at most COMPLAINT_SYNC_CONFLICTS, by uid) and
 * returned borrowed, valid until the next call that changes them. Not thread-safe (the
 * console has one thread). Errors: -1 with complaint_store_errmsg(st). */
#ifndef RD_COMPLAINT_SYNC_H
#define RD_COMPLAINT_SYNC_H

#include <stdbool.h>
#include <stdint.h>

#include "complaint-store.h"
#include "proto.h"

#define COMPLAINT_SYNC_CONFLICTS 64
#define COMPLAINT_SYNC_RETRY_MS 5000    /* a try that got no answer is made again after */

/* A version the broker refused: it holds `theirs`, saved by `by` at `at` (ms). refused
 * is PROTO_E_CONFLICT for that, or the code of a refusal that no resend can change (a
 * record too long for the wire, one the broker cannot read): that version is not sent
 * again in this run, and the complaint shows it. */
struct complaint_conflict {
	char uid[65];
	int64_t mine;           /* the version refused */
	int64_t theirs;
	char by[33];
	int64_t at;
	enum proto_err refused;
	struct proto_error_params why; /* the refusal's machine form (reason "" none): for
	                                * forbidden, the field and limit (PROTOCOL.md 7.22) */
};

/* The put to send next: the oldest outbox row whose complaint is not in conflict. 1 and
 * *args filled, 0 when nothing waits, -1. */
int complaint_sync_next(struct complaint_store *st, struct proto_complaint_put *args);
/* The broker's answer to args (r NULL: none came). 1 acknowledged (its outbox row goes;
 * send the next at once), 0 not (try again later; a conflict is recorded), -1. */
int complaint_sync_answer(struct complaint_store *st, const struct proto_complaint_put *args,
    const struct proto_reply *r);
/* The conflict of complaint uid, or NULL. */
const struct complaint_conflict *complaint_sync_conflict(const char *uid);
size_t complaint_sync_conflicts(void);
/* The agent's choice after a conflict. take_theirs: the broker's record (its text form,
 * complaint.record of the stream) becomes the local one (complaint_store_adopt); *id (may
 * be NULL) gets its row id. keep_mine: the local record is saved again as the broker's
 * version + 1 (complaint_store_rebase, then complaint_store_save), to be sent with base
 * the broker's version. Both clear the conflict. */
int complaint_sync_take_theirs(struct complaint_store *st, const struct complaint_data *d,
    const char *record, int64_t now_ms, int64_t *id);
int complaint_sync_keep_mine(struct complaint_store *st, const struct complaint_data *d,
    const char *uid, int64_t now_ms);
/* Forget every conflict and the app driver's state (tests; the app's end). */
void complaint_sync_reset(void);

struct model;
/* The app's driver, called every loop turn with monotonic ms: when nothing is in flight
 * and a try is due, opens the user's complaint file (only if it exists) and sends the next
 * put with model_request; the answer settles it as complaint_sync_answer does. */
void complaint_sync_tick(struct model *m, int64_t now_mono);

#endif
