/* check-complaint-csv.c: the CSV export (src/store/complaint-csv.c): RFC 4180 quoting
 * (commas, quotes, CR and LF, CJK left alone), the formula guard, the header and records
 * read back by an independent RFC 4180 reader, the byte order mark, the date range, the
 * file's mode, and `rescuedesk --export-complaints` itself on a store in a temporary
 * XDG_DATA_HOME. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check-main.h"
#include "complaint-csv.h"
#include "complaint-store.h"
#include "complaint.h"
#include "data.h"
#include "util.h"

#ifndef SOURCE_DATA_DIR
#error "compile with -DSOURCE_DATA_DIR=\"/path/to/data\""
#endif
#ifndef RESCUEDESK_BIN
#error "compile with -DRESCUEDESK_BIN=\"/path/to/rescuedesk\""
#endif

static const struct {
	const char *in, *out;
} fields[] = {
	{ "", "" },
	{ "plain", "plain" },
	{ "a,b", "\"a,b\"" },
	{ "say \"hi\"", "\"say \"\"hi\"\"\"" },
	{ "\"", "\"\"\"\"" },
	{ "two\nlines", "\"two\nlines\"" },
	{ "cr\r\nlf", "\"cr\r\nlf\"" },
	{ "张三，李四", "张三，李四" },         /* full-width comma: no quoting */
	{ "湘A12345", "湘A12345" },
	{ "救援车迟到,\"乱收费\"\n第二行", "\"救援车迟到,\"\"乱收费\"\"\n第二行\"" },
	{ " lead and trail ", " lead and trail " },
	{ "=HYPERLINK(\"x\")", "\"'=HYPERLINK(\"\"x\"\")\"" },
	{ "@SUM(A1)", "\"'@SUM(A1)\"" },
	{ "+1+1", "\"'+1+1\"" },
	{ "-A1", "\"'-A1\"" },
	{ "\tx", "\"'\tx\"" },
	{ "+86 138 1234 5678", "+86 138 1234 5678" },   /* a phone number stays data */
	{ "-12.50", "-12.50" },
	{ "+", "+" },
};

START_TEST(field_quoting)
{
	char *q = complaint_csv_field(fields[_i].in);
	ck_assert_msg(strcmp(q, fields[_i].out) == 0, "row %d: [%s] -> [%s], want [%s]", _i,
	    fields[_i].in, q, fields[_i].out);
	free(q);
}
END_TEST

/* An RFC 4180 reader, independent of the writer: records of fields; returns the number
 * of records and fills rec[r][f] (malloc'ed). */
#define MAXREC 16
#define MAXF 128
static char *rec[MAXREC][MAXF];
static int nf[MAXREC];

static int
read_csv(const char *s)
{
	int r = 0;
	memset(nf, 0, sizeof nf);
	while (*s != '\0' && r < MAXREC) {
		int f = 0;
		for (;;) {
			char *buf = xcalloc(strlen(s) + 1, 1);
			size_t n = 0;
			if (*s == '"') {
				s++;
				for (;;) {
					ck_assert_msg(*s != '\0', "unterminated quoted field");
					if (*s == '"' && s[1] == '"') {
						buf[n++] = '"';
						s += 2;
					} else if (*s == '"') {
						s++;
						break;
					} else
						buf[n++] = *s++;
				}
			} else {
				while (*s != ',' && *s != '\r' && *s != '\0') {
					ck_assert_msg(*s != '"' && *s != '\n', "bare quote or LF");
					buf[n++] = *s++;
				}
			}
			ck_assert_int_lt(f, MAXF);
			rec[r][f++] = buf;
			if (*s == ',') {
				s++;
				continue;
			}
			ck_assert_msg(s[0] == '\r' && s[1] == '\n', "record not ended by CRLF");
			s += 2;
			break;
		}
		nf[r++] = f;
	}
	return r;
}

static void
free_csv(int n)
{
	for (int r = 0; r < n; r++)
		for (int f = 0; f < nf[r]; f++)
			free(rec[r][f]);
}

static int64_t
T(const char *s)
{
	int64_t t = complaint_time_parse(s);
	ck_assert(t > 0);
	return t;
}

static struct complaint *
sample(const char *received, const char *name, const char *facts)
{
	struct complaint *c = complaint_new(T(received));
	ck_assert_int_eq(complaint_field_set(c, CF_channel, "hotline"), 0);
	ck_assert_int_eq(complaint_field_set(c, CF_party, "person"), 0);
	complaint_field_set_str(c, CF_name, name);
	complaint_field_set_str(c, CF_phone, "+8613812345678");
	complaint_field_set_str(c, CF_plate, "湘A12345");
	complaint_field_set_str(c, CF_respondent_unit, "长沙分公司");
	complaint_field_set_str(c, CF_request, "=退还 300 元");
	complaint_field_set_str(c, CF_facts, facts);
	ck_assert_int_eq(complaint_field_set(c, CF_business, "roadside"), 0);
	complaint_field_set_str(c, CF_cause, "R01");
	ck_assert_int_eq(complaint_field_set(c, CF_amount_claimed, "300.5"), 0);
	return c;
}

START_TEST(header_and_row_read_back)
{
	struct complaint *c = sample("2026-03-02 10:00", "张\"三\"", "迟到,\n乱收费\r\n完");
	complaint_field_set_str(c, CF_number, "TS-20260302-000007");
	char *h = complaint_csv_header(), *row = complaint_csv_row(c, NULL,
	    T("2026-03-02 12:00"));
	char *all;
	xasprintf(&all, "%s%s", h, row);
	int n = read_csv(all);
	ck_assert_int_eq(n, 2);
	ck_assert_int_eq(nf[0], COMPLAINT_FIELD_COUNT + 3);
	ck_assert_int_eq(nf[1], COMPLAINT_FIELD_COUNT + 3);
	for (int f = 0; f < COMPLAINT_FIELD_COUNT; f++) {
		ck_assert_str_eq(rec[0][f], complaint_field_info(f)->name);
		char *v = complaint_field_get(c, f);
		if (f == CF_request)            /* the formula guard's apostrophe */
			ck_assert_str_eq(rec[1][f], "'=退还 300 元");
		else
			ck_assert_msg(strcmp(rec[1][f], v) == 0, "%s: [%s] want [%s]",
			    rec[0][f], rec[1][f], v);
		free(v);
	}
	ck_assert_str_eq(rec[1][CF_received_at], "2026-03-02 10:00:00");
	ck_assert_str_eq(rec[1][CF_amount_claimed], "300.50");
	ck_assert_str_eq(rec[1][CF_phone], "+8613812345678");
	ck_assert_str_eq(rec[1][CF_state], "received");
	ck_assert_str_eq(rec[0][COMPLAINT_FIELD_COUNT], "due_clock");
	ck_assert_str_eq(rec[1][COMPLAINT_FIELD_COUNT], "ack");
	ck_assert_str_eq(rec[1][COMPLAINT_FIELD_COUNT + 1], "2026-03-04 00:00:00");
	ck_assert_str_eq(rec[1][COMPLAINT_FIELD_COUNT + 2], "ok");
	free_csv(n);
	free(all);
	free(h);
	free(row);
	complaint_free(c);
}
END_TEST

static char dir[64], dbpath[128], out[128];

static void
setup(void)
{
	snprintf(dir, sizeof dir, "/tmp/check-ccsv-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(dbpath, sizeof dbpath, "%s/rescuedesk/complaints-wang.db", dir);
	snprintf(out, sizeof out, "%s/out.csv", dir);
}

static void
teardown(void)
{
	rd_remove_tree(dir);
}

static char *
slurp(const char *p, size_t *len)
{
	FILE *f = fopen(p, "rb");
	ck_assert_ptr_nonnull(f);
	char *buf = xcalloc(1 << 20, 1);
	*len = fread(buf, 1, (1 << 20) - 1, f);
	fclose(f);
	return buf;
}

static void
fill_store(void)
{
	char *cause = NULL;
	struct complaint_store *st = complaint_store_open(dbpath, "wang", &cause);
	ck_assert_msg(st != NULL, "%s", cause);
	const char *days[] = { "2026-03-03 09:00", "2026-02-28 23:59", "2026-03-01 00:00",
		"2026-03-31 23:59", "2026-04-01 00:00" };
	for (size_t i = 0; i < ARRAY_LEN(days); i++) {
		char name[32];
		snprintf(name, sizeof name, "客户%zu", i);
		struct complaint *c = sample(days[i], name, "迟到,\"乱收费\"\n第二行");
		ck_assert_int_eq(complaint_store_save(st, c, NULL, T("2026-04-02 10:00"), NULL), 0);
		complaint_free(c);
	}
	complaint_store_close(st);
}

START_TEST(export_range_bom_mode)
{
	char *cause = NULL;
	size_t n = 0, len;
	fill_store();
	struct complaint_store *st = complaint_store_open(dbpath, "wang", &cause);
	ck_assert_ptr_nonnull(st);
	mode_t old = umask(022);
	ck_assert_int_eq(complaint_csv_export(st, NULL, out, T("2026-03-01"), T("2026-04-01"),
	    true, T("2026-04-02 10:00"), &n, &cause), 0);
	umask(old);
	ck_assert_uint_eq(n, 3);
	struct stat sb;
	ck_assert_int_eq(stat(out, &sb), 0);
	ck_assert_int_eq(sb.st_mode & 0777, 0600);
	char *text = slurp(out, &len);
	ck_assert_int_eq(memcmp(text, COMPLAINT_CSV_BOM, 3), 0);
	int r = read_csv(text + 3);
	ck_assert_int_eq(r, 4);
	/* oldest first, 03-01 00:00 in, 04-01 00:00 out */
	ck_assert_str_eq(rec[1][CF_name], "客户2");
	ck_assert_str_eq(rec[2][CF_name], "客户0");
	ck_assert_str_eq(rec[3][CF_name], "客户3");
	ck_assert_str_eq(rec[1][CF_facts], "迟到,\"乱收费\"\n第二行");
	free_csv(r);
	free(text);

	/* no BOM, no range; an existing file is replaced whole */
	ck_assert_int_eq(complaint_csv_export(st, NULL, out, 0, 0, false, T("2026-04-02 10:00"),
	    &n, &cause), 0);
	ck_assert_uint_eq(n, 5);
	text = slurp(out, &len);
	ck_assert_int_eq(strncmp(text, "number,uid,", 11), 0);
	r = read_csv(text);
	ck_assert_int_eq(r, 6);
	free_csv(r);
	free(text);

	/* a directory that does not exist: an error naming the file, nothing left behind */
	char bad[160];
	snprintf(bad, sizeof bad, "%s/no/such/dir.csv", dir);
	ck_assert_int_eq(complaint_csv_export(st, NULL, bad, 0, 0, false, 0, NULL, &cause), -1);
	ck_assert_ptr_nonnull(strstr(cause, "no/such/dir.csv"));
	free(cause);
	complaint_store_close(st);
}
END_TEST

static int
run(const char *args, const char *outfile)
{
	char *cmd;
	xasprintf(&cmd, "XDG_DATA_HOME='%s' RESCUEDESK_DATA='%s' '%s' --user wang %s >'%s' 2>&1",
	    dir, SOURCE_DATA_DIR, RESCUEDESK_BIN, args, outfile);
	int st = system(cmd);
	free(cmd);
	ck_assert(WIFEXITED(st));
	return WEXITSTATUS(st);
}

START_TEST(command_line)
{
	char args[256], log[128];
	size_t len;
	fill_store();
	snprintf(log, sizeof log, "%s/log", dir);
	snprintf(args, sizeof args, "--export-complaints '%s' --from 2026-03-01 --to 2026-03-31 "
	    "--bom", out);
	ck_assert_int_eq(run(args, log), 0);
	char *text = slurp(log, &len);
	ck_assert_msg(strstr(text, "3 complaints written to") != NULL, "%s", text);
	free(text);
	text = slurp(out, &len);
	ck_assert_int_eq(memcmp(text, COMPLAINT_CSV_BOM "number,", 10), 0);
	free(text);

	ck_assert_int_eq(run("--export-complaints - --from 2026-03-03 --to 2026-03-03", out), 0);
	text = slurp(out, &len);
	ck_assert_ptr_nonnull(strstr(text, "客户0"));
	ck_assert_ptr_null(strstr(text, "客户2"));
	free(text);

	ck_assert_int_eq(run("--export-complaints x.csv --from 2026-02-30", log), 2);
	text = slurp(log, &len);
	ck_assert_ptr_nonnull(strstr(text, "--from: expected a date YYYY-MM-DD, got '2026-02-30'"));
	free(text);
	ck_assert_int_eq(run("--export-complaints x.csv --from 2026-03-02 --to 2026-03-01", log),
	    2);
	ck_assert_int_eq(run("--bom", log), 2);
	text = slurp(log, &len);
	ck_assert_ptr_nonnull(strstr(text, "go with --export-complaints"));
	free(text);
}
END_TEST

static Suite *
csv_suite(void)
{
	Suite *s = suite_create("complaint-csv");
	TCase *tc = tcase_create("format");
	tcase_add_loop_test(tc, field_quoting, 0, (int)ARRAY_LEN(fields));
	tcase_add_test(tc, header_and_row_read_back);
	suite_add_tcase(s, tc);
	tc = tcase_create("export");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, export_range_bom_mode);
	tcase_add_test(tc, command_line);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return check_main(csv_suite());
}
