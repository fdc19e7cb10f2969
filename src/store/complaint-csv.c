/* complaint-csv.c: complaints as RFC 4180 CSV (see complaint-csv.h). */
#include "complaint-csv.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

struct out {
	char *s;
	size_t len, cap;
};

static void
add(struct out *o, const char *s, size_t n)
{
	if (o->len + n + 1 > o->cap) {
		o->cap = (o->len + n + 1) * 2;
		o->s = xrealloc(o->s, o->cap);
	}
	memcpy(o->s + o->len, s, n);
	o->len += n;
	o->s[o->len] = '\0';
}

static void
adds(struct out *o, const char *s)
{
	add(o, s, strlen(s));
}

/* Whether a spreadsheet would run s as a formula. A phone number (+86 ...) or a negative
 * number is data, not a formula. */
static bool
formula_like(const char *s)
{
	if (s[0] == '=' || s[0] == '@' || s[0] == '\t' || s[0] == '\r')
		return true;
	if (s[0] != '+' && s[0] != '-')
		return false;
	if (s[1] == '\0')
		return false;
	for (const char *p = s + 1; *p != '\0'; p++)
		if (!((*p >= '0' && *p <= '9') || *p == ' ' || *p == '.'))
			return true;
	return false;
}

char *
complaint_csv_field(const char *s)
{
	struct out o = { 0 };
	bool guard = formula_like(s);
	bool quote = guard || strpbrk(s, ",\"\r\n") != NULL;

	adds(&o, "");
	if (quote)
		adds(&o, "\"");
	if (guard)
		adds(&o, "'");
	for (const char *p = s; *p != '\0'; p++) {
		if (*p == '"')
			adds(&o, "\"\"");
		else
			add(&o, p, 1);
	}
	if (quote)
		adds(&o, "\"");
	return o.s;
}

static const char *const extra_columns[] = { "due_clock", "due_at", "due_status" };

char *
complaint_csv_header(void)
{
	struct out o = { 0 };
	adds(&o, "");
	for (int f = 0; f < COMPLAINT_FIELD_COUNT; f++) {
		if (f > 0)
			adds(&o, ",");
		adds(&o, complaint_field_info(f)->name);
	}
	for (size_t i = 0; i < ARRAY_LEN(extra_columns); i++) {
		adds(&o, ",");
		adds(&o, extra_columns[i]);
	}
	adds(&o, "\r\n");
	return o.s;
}

static void
add_field(struct out *o, const char *v)
{
	char *q = complaint_csv_field(v);
	adds(o, q);
	free(q);
}

char *
complaint_csv_row(const struct complaint *c, const struct complaint_data *d, int64_t now_ms)
{
	static const char *const status[] = { "", "ok", "amber", "red" };
	struct out o = { 0 };
	struct complaint_clock k;
	char due[24] = "";

	adds(&o, "");
	for (int f = 0; f < COMPLAINT_FIELD_COUNT; f++) {
		char *v = complaint_field_get(c, f);
		if (f > 0)
			adds(&o, ",");
		add_field(&o, v);
		free(v);
	}
	int kind = complaint_clock_nearest(c, d, now_ms, &k);
	if (kind >= 0)
		complaint_time_format(due, sizeof due, k.due);
	adds(&o, ",");
	add_field(&o, kind >= 0 ? complaint_clock_name(kind) : "");
	adds(&o, ",");
	add_field(&o, due);
	adds(&o, ",");
	add_field(&o, kind >= 0 ? status[k.status] : "");
	adds(&o, "\r\n");
	return o.s;
}

static int
by_receipt(const void *a, const void *b)
{
	const struct complaint *x = *(struct complaint *const *)a;
	const struct complaint *y = *(struct complaint *const *)b;
	if (x->received_at != y->received_at)
		return x->received_at < y->received_at ? -1 : 1;
	return (x->id > y->id) - (x->id < y->id);
}

static int
write_all(FILE *f, const char *s)
{
	size_t n = strlen(s);
	return fwrite(s, 1, n, f) == n ? 0 : -1;
}

int
complaint_csv_export(struct complaint_store *st, const struct complaint_data *d,
    const char *path, int64_t from_ms, int64_t to_ms, bool bom, int64_t now_ms,
    size_t *count, char **cause)
{
	struct complaint_query q = { .received_from = from_ms, .received_to = to_ms };
	struct complaint **list;
	size_t n;
	bool std = strcmp(path, "-") == 0;
	char *tmp = NULL;
	FILE *f = stdout;
	int rc = 0;

	if (complaint_store_list(st, &q, &list, &n) != 0) {
		xasprintf(cause, "export: %s", complaint_store_errmsg(st));
		return -1;
	}
	if (n > 1)
		qsort(list, n, sizeof *list, by_receipt);
	if (!std) {
		xasprintf(&tmp, "%s.tmp-%ld", path, (long)getpid());
		int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (fd < 0 || (f = fdopen(fd, "w")) == NULL) {
			xasprintf(cause, "%s: %s", tmp, strerror(errno));
			if (fd >= 0)
				close(fd);
			free(tmp);
			complaint_list_free(list, n);
			return -1;
		}
	}
	char *h = complaint_csv_header();
	if ((bom && write_all(f, COMPLAINT_CSV_BOM) != 0) || write_all(f, h) != 0)
		rc = -1;
	free(h);
	for (size_t i = 0; i < n && rc == 0; i++) {
		char *row = complaint_csv_row(list[i], d, now_ms);
		rc = write_all(f, row);
		free(row);
	}
	if (fflush(f) != 0 || (!std && fsync(fileno(f)) != 0))
		rc = -1;
	if (rc != 0)
		xasprintf(cause, "%s: %s", std ? "standard output" : tmp, strerror(errno));
	if (!std) {
		if (fclose(f) != 0 && rc == 0) {
			xasprintf(cause, "%s: %s", tmp, strerror(errno));
			rc = -1;
		}
		if (rc == 0 && rename(tmp, path) != 0) {
			xasprintf(cause, "%s: %s", path, strerror(errno));
			rc = -1;
		}
		if (rc != 0)
			unlink(tmp);
		free(tmp);
	}
	complaint_list_free(list, n);
	if (rc == 0 && count != NULL)
		*count = n;
	return rc;
}
