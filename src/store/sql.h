/* sql.h: the store's shared SQLite helpers (internal to src/store: store.c and
 * complaint-store.c embed a struct sql and report errors through it).
 *
 * Ownership: struct sql does not own its db; the store that embeds it opens and closes it.
 * Errors are kept in the fixed buffer (no allocation on the error path) as
 * "<what>: <sqlite3_errmsg>", written once where they happen and read by the store's
 * *_error() accessor. */
#ifndef RD_STORE_SQL_H
#define RD_STORE_SQL_H

#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

#include "util.h"

#define SQL_ERR_MAX 512

struct sql {
	sqlite3 *db;
	char err[SQL_ERR_MAX];
};

/* "<what>: <SQLite's message>". Call before resetting the statement that failed. */
void sql_err(struct sql *q, const char *what);
void sql_errf(struct sql *q, const char *fmt, ...) RD_PRINTF(2, 3);

/* Run constant SQL (no parameters, no rows wanted). 0, or -1 with the error set. */
int sql_exec(struct sql *q, const char *sql, const char *what);

/* Step a statement that returns no rows wanted, then reset it. 0, or -1 with the error set. */
int sql_step_done(struct sql *q, sqlite3_stmt *s, const char *what);

/* One-shot query of a single integer (constant SQL). 0, or -1 with the error set. */
int sql_query_int(struct sql *q, const char *sql, const char *what, int64_t *out);

/* Bind text the caller keeps alive through the call (SQLITE_STATIC); NULL binds NULL. */
int sql_bind_text(sqlite3_stmt *s, int i, const char *v);

/* The same, NULL binding the empty string (columns that are NOT NULL ''). */
int sql_bind_str(sqlite3_stmt *s, int i, const char *v);

/* A copy of a text column; "" for NULL. The caller frees it. */
char *sql_column_dup(sqlite3_stmt *s, int i);

#endif
