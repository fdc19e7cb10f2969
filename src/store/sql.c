/* sql.c: the store's shared SQLite helpers: errors into a fixed buffer, one-shot statements,
 * binding and reading text. Used by store.c and complaint-store.c only. */
#include "sql.h"

#include <stdarg.h>
#include <stdio.h>

void
sql_err(struct sql *q, const char *what)
{
	snprintf(q->err, sizeof q->err, "%s: %s", what, sqlite3_errmsg(q->db));
}

void
sql_errf(struct sql *q, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(q->err, sizeof q->err, fmt, ap);
	va_end(ap);
}

int
sql_exec(struct sql *q, const char *sql, const char *what)
{
	if (sqlite3_exec(q->db, sql, NULL, NULL, NULL) != SQLITE_OK) {
		sql_err(q, what);
		return -1;
	}
	return 0;
}

int
sql_step_done(struct sql *q, sqlite3_stmt *s, const char *what)
{
	int rc = sqlite3_step(s);

	if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
		sql_err(q, what);
		sqlite3_reset(s);
		return -1;
	}
	sqlite3_reset(s);
	return 0;
}

int
sql_query_int(struct sql *q, const char *sql, const char *what, int64_t *out)
{
	sqlite3_stmt *s;

	if (sqlite3_prepare_v2(q->db, sql, -1, &s, NULL) != SQLITE_OK) {
		sql_err(q, what);
		return -1;
	}
	if (sqlite3_step(s) != SQLITE_ROW) {
		sql_err(q, what);
		sqlite3_finalize(s);
		return -1;
	}
	*out = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return 0;
}

int
sql_bind_text(sqlite3_stmt *s, int i, const char *v)
{
	return sqlite3_bind_text(s, i, v, -1, SQLITE_STATIC);
}

int
sql_bind_str(sqlite3_stmt *s, int i, const char *v)
{
	return sqlite3_bind_text(s, i, v != NULL ? v : "", -1, SQLITE_STATIC);
}

char *
sql_column_dup(sqlite3_stmt *s, int i)
{
	const unsigned char *t = sqlite3_column_text(s, i);
	int n = sqlite3_column_bytes(s, i);

	return t != NULL ? xstrndup((const char *)t, (size_t)n) : xstrdup("");
}
