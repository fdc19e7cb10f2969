/* complaint-db.c: the console's complaint file and data, opened once (complaint-db.h). */
#include "complaint-db.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "data.h"
#include "util.h"

static struct complaint_db db;
static struct complaint_data *data;
static int users;
static char *use_path, *use_dir;

void
complaint_db_use(const char *path, const char *dir)
{
	free(use_path);
	free(use_dir);
	use_path = path != NULL ? xstrdup(path) : NULL;
	use_dir = dir != NULL ? xstrdup(dir) : NULL;
}

const struct complaint_db *
complaint_db_open(const char *user, char **cause)
{
	char *path, *why = NULL;

	if (users > 0) {
		users++;
		return &db;
	}
	path = use_path != NULL ? xstrdup(use_path) : complaint_store_path(user, cause);
	if (path == NULL)
		return NULL;
	db.st = complaint_store_open(path, user, cause);
	free(path);
	if (db.st == NULL)
		return NULL;
	/* Without the data the form still works: no causes or organisations to pick. */
	data = data_complaints_load(use_dir != NULL ? use_dir : data_default_dir(), &why);
	if (data == NULL)
		log_warn("complaint data: %s", why != NULL ? why : "?");
	free(why);
	db.cd = data;
	users = 1;
	return &db;
}

void
complaint_db_release(void)
{
	if (users == 0 || --users > 0)
		return;
	complaint_store_close(db.st);
	complaint_data_free(data);
	data = NULL;
	db.st = NULL;
	db.cd = NULL;
}

bool
complaint_db_exists(const char *user)
{
	char *path, *cause = NULL;
	bool there;

	if (users > 0)
		return true;
	path = use_path != NULL ? xstrdup(use_path) : complaint_store_path(user, &cause);
	free(cause);
	there = path != NULL && (strcmp(path, ":memory:") == 0 || access(path, F_OK) == 0);
	free(path);
	return there;
}

int
complaint_db_interrupted(const char *user, int64_t *id)
{
	const struct complaint_db *d;
	char *cause = NULL;
	int rc;

	if (!complaint_db_exists(user))
		return 0;
	if ((d = complaint_db_open(user, &cause)) == NULL) {
		log_warn("complaints: %s", cause != NULL ? cause : "?");
		free(cause);
		return 0;
	}
	rc = complaint_store_draft_latest(d->st, id) == 1;
	complaint_db_release();
	return rc;
}
