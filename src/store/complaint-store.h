/* complaint-store.h: the console user's complaints, in a local SQLite file
 * ($XDG_DATA_HOME/rescuedesk/complaints-<user>.db): the source of truth on that terminal,
 * so nothing typed is lost when the broker is down or the console is killed. This file and
 * store.c are the only includers of sqlite3.h.
 *
 * The file: mode 0600 whatever the umask, WAL, synchronous=FULL; its schema version is
 * PRAGMA user_version, and opening a file of an earlier version migrates it in one
 * transaction (version 0 is an empty or new file). Tables: the complaints (one column per
 * field of COMPLAINT_FIELDS), their pauses, an append-only history of every change (who,
 * when, field, old and new value: triggers make UPDATE and DELETE of it fail), the drafts
 * (a record being typed, saved on every change), and the outbox (each saved version, by the
 * complaint's uid and version, kept until acknowledged by the central copy).
 *
 * Errors: functions return 0 on success and -1 on failure, and complaint_store_errmsg()
 * says why (borrowed, valid until the next call); open returns NULL and *cause (caller
 * frees). Nothing here logs or exits.
 * Ownership: records passed in are borrowed; records, lists and rows handed out are the
 * caller's (complaint_free, complaint_list_free, complaint_changes_free,
 * complaint_outbox_free). */
#ifndef RD_COMPLAINT_STORE_H
#define RD_COMPLAINT_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "complaint.h"

/* The schema version this build writes. */
#define COMPLAINT_STORE_SCHEMA 1

struct complaint_store;

/* The file of user: $XDG_DATA_HOME/rescuedesk/complaints-<user>.db ($HOME/.local/share when
 * XDG_DATA_HOME is unset or empty). A string the caller frees, or NULL and *cause when
 * neither is set or user is empty or holds '/'. */
char *complaint_store_path(const char *user, char **cause);

/* Open or create the file (making its directory, mode 0700), migrate it to
 * COMPLAINT_STORE_SCHEMA, and check it is not from a newer build. user is the actor of the
 * history rows and the prefix of the uids this store makes. ":memory:" works for tests. */
struct complaint_store *complaint_store_open(const char *path, const char *user,
    char **cause);
void complaint_store_close(struct complaint_store *st); /* NULL is fine */
const char *complaint_store_errmsg(const struct complaint_store *st);
/* The file's schema version (PRAGMA user_version). */
int complaint_store_schema(struct complaint_store *st);

/* Save c in one transaction: a new record (c->id 0) gets its row id, a uid (user, time and
 * a random part) and its number (TS-YYYYMMDD-NNNNNN, the next of its receipt day in this
 * file); the version goes up by one; a history row for each field that changed (a new
 * record: each non-empty field, old ""), the pauses, an outbox row (uid, version, the
 * encoded record), the record's nearest due time (for complaint_store_list) and the draft
 * of this complaint dropped. On success c's id, uid, number and version are updated; on
 * failure nothing is written and c is unchanged. If the stored version is not c->version
 * (another writer saved first) it fails with "version conflict". note goes on each history
 * row of this save: the action's wire name when the save follows complaint_apply, else
 * NULL. */
int complaint_store_save(struct complaint_store *st, struct complaint *c,
    const struct complaint_data *d, int64_t now_ms, const char *note);
/* Load by row id or by number: 1 and *out (caller frees), 0 when there is none, -1. */
int complaint_store_load(struct complaint_store *st, int64_t id, struct complaint **out);
int complaint_store_find(struct complaint_store *st, const char *number,
    struct complaint **out);

/* Which complaints to list. Zero fields do not filter. */
struct complaint_query {
	uint32_t states;                /* bit 1u << state; 0: any */
	const char *handler;            /* exactly this handler */
	const char *supplier;           /* exactly this supplier */
	const char *text;               /* substring of number, name, phone, plate, policy,
	                                   respondent, supplier, request or facts */
	int64_t due_before;             /* nearest due time before this (ms) */
	int64_t received_from;          /* received at or after (ms) */
	int64_t received_to;            /* received before (ms) */
	size_t limit;                   /* at most this many; 0: all */
};
/* Matching complaints, nearest due first (those with no clock running last, newest first):
 * *out an array of *count records, freed with complaint_list_free. */
int complaint_store_list(struct complaint_store *st, const struct complaint_query *q,
    struct complaint ***out, size_t *count);
void complaint_list_free(struct complaint **list, size_t count);
/* Complaints per supplier among those matching q: calls cb(user, supplier, count) for each
 * supplier ("" for none), most first. */
int complaint_store_count_by_supplier(struct complaint_store *st,
    const struct complaint_query *q,
    void (*cb)(void *user, const char *supplier, int64_t count), void *user);

/* The history of one complaint, oldest first. */
struct complaint_change {
	int64_t id;
	int64_t ts;             /* ms */
	int64_t version;        /* the record's version this change made */
	char *actor;
	char *field;            /* a field name (complaint_field_by_name) */
	char *old_value;        /* text forms (complaint_field_get) */
	char *new_value;
	char *note;             /* the action of that save, or "" */
};
int complaint_store_history(struct complaint_store *st, int64_t id,
    struct complaint_change **out, size_t *count);
void complaint_changes_free(struct complaint_change *ch, size_t count);
/* The draft of complaint id (0: a new complaint not saved yet), replaced on every change,
 * one per complaint. put writes and commits at once (durable against kill -9); get: 1 and
 * *out (caller frees), 0 when none; drop removes it; latest: the id of the newest draft and
 * 1, or 0 when there is none. */
int complaint_store_draft_put(struct complaint_store *st, int64_t id,
    const struct complaint *c, int64_t now_ms);
int complaint_store_draft_get(struct complaint_store *st, int64_t id, struct complaint **out);
int complaint_store_draft_drop(struct complaint_store *st, int64_t id);
int complaint_store_draft_latest(struct complaint_store *st, int64_t *id);

/* The outbox: every saved version waiting for the central copy, oldest first. */
struct complaint_outbox_row {
	int64_t seq;            /* order of saving */
	char *uid;              /* the complaint's id made by this console */
	int64_t version;
	int64_t ts;             /* when it was saved (ms) */
	char *payload;          /* complaint_encode of that version */
	int64_t attempts;       /* times marked tried */
};
int complaint_store_outbox_pending(struct complaint_store *st, size_t limit,
    struct complaint_outbox_row **out, size_t *count);
void complaint_outbox_free(struct complaint_outbox_row *rows, size_t count);
/* The central copy acknowledged (uid, version): that row goes (and any older version of
 * the same uid). 0 also when there was no such row (an acknowledgement may repeat). */
int complaint_store_outbox_ack(struct complaint_store *st, const char *uid, int64_t version);
/* A send was tried (counts attempts). */
int complaint_store_outbox_tried(struct complaint_store *st, int64_t seq);

/* The central copy (ui/complaint-sync.c). find_uid: load by the complaint's uid, as load.
 * adopt: make theirs (another console's version, from the broker) this file's record of
 * its uid, in one transaction: inserted or replacing the local one, version and all, with
 * history rows (note "central") for what changed; the outbox rows and the draft of that
 * complaint are dropped (the local edits they held are given up). *id (may be NULL) gets
 * the row id. rebase: the agent keeps her version after a conflict: the local record of
 * id takes version `version` (the broker's), its unsent outbox rows are dropped, and the
 * next save makes version + 1 on top of the broker's. */
int complaint_store_find_uid(struct complaint_store *st, const char *uid,
    struct complaint **out);
int complaint_store_adopt(struct complaint_store *st, const struct complaint *theirs,
    const struct complaint_data *d, int64_t now_ms, int64_t *id);
int complaint_store_rebase(struct complaint_store *st, int64_t id, int64_t version);

#endif
