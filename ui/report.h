/* report.h: `rescuedesk --report KIND --from DATE --to DATE [--csv FILE]`: ask the broker
 * for a report (stats.report, PROTOCOL.md 7.35), print it as an aligned table on standard
 * output or write it as CSV, and exit. The broker computes it from its store with the
 * boards' fold (src/model/tally.c), so a report shows the screens' numbers.
 *
 * CSV (RFC 4180): a header line, then a line per row, CRLF line ends; a field with a comma,
 * a double quote, CR or LF is quoted (quotes doubled). A text cell starting with = + - @,
 * TAB or CR gets a leading ' so a spreadsheet does not run it as a formula (numbers are
 * written as numbers, never prefixed). Nil cells are empty; numbers with up to 4 decimals.
 *
 * Ownership: everything passed in is borrowed; the writers write to the caller's FILE. */
#ifndef RD_REPORT_H
#define RD_REPORT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "curve.h"
#include "proto.h"

struct report_opts {
	const char *kind;       /* responses, suppliers, agents, phone, complaints, nps */
	int64_t from, to;       /* ms; to exclusive */
	const char *api;        /* the broker's request endpoint */
	const char *user;
	const struct curve_keys *curve; /* the console's keys (--key, --server-key); NULL: plain */
	const char *csv;        /* NULL: a table on stdout; "-": CSV on stdout; else a file */
	int timeout_ms;         /* for the answer; 0: 30 s */
};

/* The command line's --report KIND --from DATE --to DATE [--csv FILE] (dates YYYY-MM-DD in
 * China time, both days included; api and user may be NULL: the default endpoint, $USER):
 * a bad value is a usage error (exit 2, cli.h), else report_run's status. */
int report_cli(const char *kind, const char *from, const char *to, const char *csv,
    const char *api, const char *user, const struct curve_keys *curve);
/* Whether kind is one of the report kinds. */
bool report_kind_ok(const char *kind);
/* Ask, print or write, and return the exit status: 0 done; 1 the broker refused or did
 * not answer, or the file could not be written (a message on stderr). */
int report_run(const struct report_opts *o);

/* A cell as text into buf: an integer, a number with up to 4 decimals (trailing zeros
 * dropped), a string, nil as "" (the table shows "-"). */
void report_cell_text(const struct proto_cell *c, char *buf, size_t size);
/* The table as CSV (see above) or as aligned columns (text left, numbers right); in the
 * aligned columns a column `name` is not shown but stands in a column `supplier` for the
 * id where it is a text (the suppliers' report names suppliers as their board does). */
void report_write_csv(FILE *f, const struct proto_report_table *t);
void report_write_table(FILE *f, const struct proto_report_table *t);

#endif
