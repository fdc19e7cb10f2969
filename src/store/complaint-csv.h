/* complaint-csv.h: the complaints as CSV for supervisors' spreadsheets (rescuedesk
 * --export-complaints): RFC 4180 (fields separated by commas, records ended by CRLF,
 * fields holding a comma, a double quote, CR or LF quoted with their quotes doubled),
 * UTF-8, optionally with a byte order mark so that spreadsheets read it as UTF-8.
 *
 * The columns are the fields of COMPLAINT_FIELDS (complaint.h) in table order, named as
 * the fields, in their text forms (China time "YYYY-MM-DD HH:MM:SS", yuan with two
 * decimals, wire names of enums), then the nearest running clock at the time of the
 * export: due_clock, due_at, due_status (ok, amber, red; empty when none runs). A text
 * that a spreadsheet would take for a formula (starting with =, @, a tab or CR, or + or -
 * not followed by a number) is written with a leading apostrophe.
 *
 * The formatting functions are pure; complaint_csv_export also reads the store and writes
 * the file. Ownership: returned strings are the caller's; *cause too. */
#ifndef RD_COMPLAINT_CSV_H
#define RD_COMPLAINT_CSV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "complaint-store.h"
#include "complaint.h"

#define COMPLAINT_CSV_BOM "\xef\xbb\xbf"

/* One field, quoted if it must be. */
char *complaint_csv_field(const char *s);
/* The header record and one complaint's record, each ended by CRLF. */
char *complaint_csv_header(void);
char *complaint_csv_row(const struct complaint *c, const struct complaint_data *d,
    int64_t now_ms);

/* Write the complaints of st received in [from_ms, to_ms) (0: no bound), oldest first, to
 * path ("-": standard output); a file is written beside it and renamed over it when
 * complete, mode 0600 (it holds personal data). *count (if non-NULL) gets the number of
 * complaints. 0, or -1 and *cause. */
int complaint_csv_export(struct complaint_store *st, const struct complaint_data *d,
    const char *path, int64_t from_ms, int64_t to_ms, bool bom, int64_t now_ms,
    size_t *count, char **cause);

#endif
