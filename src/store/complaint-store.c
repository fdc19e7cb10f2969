/* complaint-store.c: the console user's complaints in a local SQLite file. See
 * complaint-store.h. */
#include "complaint-store.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

struct complaint_store {
	char *errmsg;
};

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

struct complaint_store *
complaint_store_open(const char *path, const char *user, char **cause)
{
	(void)path;
	(void)user;
	if (cause != NULL)
		*cause = xstrdup("complaints: the local store is not in this build yet");
	return NULL;
}

void
complaint_store_close(struct complaint_store *st)
{
	if (st == NULL)
		return;
	free(st->errmsg);
	free(st);
}

const char *
complaint_store_errmsg(const struct complaint_store *st)
{
	return st->errmsg != NULL ? st->errmsg : "";
}

int
complaint_store_schema(struct complaint_store *st)
{
	(void)st;
	return -1;
}

int
complaint_store_save(struct complaint_store *st, struct complaint *c,
    const struct complaint_data *d, int64_t now_ms, const char *note)
{
	(void)st, (void)c, (void)d, (void)now_ms, (void)note;
	return -1;
}

int
complaint_store_load(struct complaint_store *st, int64_t id, struct complaint **out)
{
	(void)st, (void)id;
	*out = NULL;
	return -1;
}

int
complaint_store_find(struct complaint_store *st, const char *number, struct complaint **out)
{
	(void)st, (void)number;
	*out = NULL;
	return -1;
}

int
complaint_store_list(struct complaint_store *st, const struct complaint_query *q,
    struct complaint ***out, size_t *count)
{
	(void)st, (void)q;
	*out = NULL;
	*count = 0;
	return -1;
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
	(void)st, (void)q, (void)cb, (void)user;
	return -1;
}

int
complaint_store_history(struct complaint_store *st, int64_t id,
    struct complaint_change **out, size_t *count)
{
	(void)st, (void)id;
	*out = NULL;
	*count = 0;
	return -1;
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

int
complaint_store_draft_put(struct complaint_store *st, int64_t id,
    const struct complaint *c, int64_t now_ms)
{
	(void)st, (void)id, (void)c, (void)now_ms;
	return -1;
}

int
complaint_store_draft_get(struct complaint_store *st, int64_t id, struct complaint **out)
{
	(void)st, (void)id;
	*out = NULL;
	return -1;
}

int
complaint_store_draft_drop(struct complaint_store *st, int64_t id)
{
	(void)st, (void)id;
	return -1;
}

int
complaint_store_draft_latest(struct complaint_store *st, int64_t *id)
{
	(void)st;
	*id = 0;
	return -1;
}

int
complaint_store_outbox_pending(struct complaint_store *st, size_t limit,
    struct complaint_outbox_row **out, size_t *count)
{
	(void)st, (void)limit;
	*out = NULL;
	*count = 0;
	return -1;
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
	(void)st, (void)uid, (void)version;
	return -1;
}

int
complaint_store_outbox_tried(struct complaint_store *st, int64_t seq)
{
	(void)st, (void)seq;
	return -1;
}
