/* complaint-db.h: the console's own complaint file and complaint data, shared by the
 * complaint views (view-complaint.c, view-complaints.c): the user's local SQLite store
 * (complaint-store.h, $XDG_DATA_HOME/rescuedesk/complaints-<user>.db) and the causes,
 * mediation organisations, limits and holidays of data/ (complaint.h). The first view to
 * need them opens them, the last one to close closes them, so a console that never shows
 * a complaint never touches the file. Everything works without the broker.
 *
 * Ownership: the handles returned are owned here and valid until the matching release;
 * the data may be NULL (data/ has no complaint files: the form then offers no causes or
 * organisations, and the clocks count weekends only). Errors: complaint_db_open returns
 * NULL and *cause (caller frees). Not thread-safe (the console has one thread). */
#ifndef RD_COMPLAINT_DB_H
#define RD_COMPLAINT_DB_H

#include <stdbool.h>

#include "complaint-store.h"
#include "complaint.h"

struct complaint_db {
	struct complaint_store *st;
	const struct complaint_data *cd;	/* may be NULL */
};

/* Open user's file (once; later calls share it and count). NULL and *cause when the file
 * cannot be opened. */
const struct complaint_db *complaint_db_open(const char *user, char **cause);
/* One user of the last open is done; the last closes the file. */
void complaint_db_release(void);
/* Whether user's file exists (or is open): the central copy's sync opens only a file
 * that is there. */
bool complaint_db_exists(const char *user);
/* Whether user's file holds the draft of a complaint being typed when a console ended
 * (killed, or quit with the form open): 1 and the id of the newest in *id (0 a complaint
 * never saved), else 0. A user without a file gets no file. */
int complaint_db_interrupted(const char *user, int64_t *id);
/* For tests: use the file at path (":memory:" works) and the data directory dir (NULL:
 * data_default_dir()) at the next open; NULL path goes back to the user's file. */
void complaint_db_use(const char *path, const char *dir);

#endif
