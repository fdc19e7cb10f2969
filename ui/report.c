/* report.c: the reports on the command line (report.h). The one file of the console
 * besides app.c and demo.c that owns a ZeroMQ context: a report is a short-lived client of
 * its own, without the console's live replica. The answer is written out in the rpc's
 * callback, while the reply (and its table) is lent to it. */
#include "report.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include "cli.h"
#include "complaint.h"
#include "endpoints.h"
#include "rpc.h"
#include "text.h"
#include "util.h"

#define REPORT_TIMEOUT_MS 30000

static const char *const kinds[] = {
	"responses", "suppliers", "agents", "phone", "complaints", "nps",
};

bool
report_kind_ok(const char *kind)
{
	for (size_t i = 0; i < ARRAY_LEN(kinds); i++)
		if (strcmp(kinds[i], kind) == 0)
			return true;
	return false;
}

void
report_cell_text(const struct proto_cell *c, char *buf, size_t size)
{
	switch (c->type) {
	case PROTO_CELL_INT:
		snprintf(buf, size, "%lld", (long long)c->i);
		break;
	case PROTO_CELL_F64: {
		snprintf(buf, size, "%.4f", c->f);
		char *dot = strchr(buf, '.');
		if (dot != NULL) {
			char *end = buf + strlen(buf) - 1;
			while (end > dot && *end == '0')
				*end-- = '\0';
			if (end == dot)
				*end = '\0';
		}
		if (strcmp(buf, "-0") == 0)
			snprintf(buf, size, "0");
		break;
	}
	case PROTO_CELL_STR:
		snprintf(buf, size, "%s", c->s != NULL ? c->s : "");
		break;
	case PROTO_CELL_NIL:
		if (size > 0)
			buf[0] = '\0';
		break;
	}
}

static void
csv_field(FILE *f, const char *s, bool text)
{
	bool guard = text && (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@' ||
	    s[0] == '\t' || s[0] == '\r');
	bool quote = strpbrk(s, ",\"\r\n") != NULL;

	if (quote)
		fputc('"', f);
	if (guard)
		fputc('\'', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	if (quote)
		fputc('"', f);
}

void
report_write_csv(FILE *f, const struct proto_report_table *t)
{
	char buf[PROTO_REPORT_CELL_MAX + 64];

	for (size_t c = 0; c < t->n_cols; c++) {
		if (c > 0)
			fputc(',', f);
		csv_field(f, t->header[c], true);
	}
	fputs("\r\n", f);
	for (size_t r = 0; r < t->n_rows; r++) {
		for (size_t c = 0; c < t->n_cols; c++) {
			const struct proto_cell *x = &t->cells[r * t->n_cols + c];
			if (c > 0)
				fputc(',', f);
			report_cell_text(x, buf, sizeof buf);
			csv_field(f, buf, x->type == PROTO_CELL_STR);
		}
		fputs("\r\n", f);
	}
}

/* A text cell as one line for the table: control characters as spaces. */
static void
one_line(char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			*s = ' ';
}

/* The column named name, or n_cols. */
static size_t
column(const struct proto_report_table *t, const char *name)
{
	size_t c;
	for (c = 0; c < t->n_cols && strcmp(t->header[c], name) != 0; c++)
		;
	return c;
}

/* The text of row r's column c as the table shows it (r 0: the header): with the columns
 * `supplier` (ns) and `name` (nn), a supplier's name where the broker gave one, as the
 * suppliers' board shows it, else its id; nil as "-"; on one line. Returns whether the
 * cell is text. */
static bool
shown(const struct proto_report_table *t, size_t r, size_t c, size_t ns, size_t nn,
    char *buf, size_t size)
{
	if (r == 0) {
		snprintf(buf, size, "%s", t->header[c]);
		return true;
	}
	const struct proto_cell *x = &t->cells[(r - 1) * t->n_cols + c];
	if (c == ns && nn < t->n_cols) {
		const struct proto_cell *n = &t->cells[(r - 1) * t->n_cols + nn];
		if (n->type == PROTO_CELL_STR && n->s != NULL && n->s[0] != '\0')
			x = n;
	}
	report_cell_text(x, buf, size);
	if (x->type == PROTO_CELL_NIL)
		snprintf(buf, size, "-");
	one_line(buf);
	return x->type == PROTO_CELL_STR;
}

void
report_write_table(FILE *f, const struct proto_report_table *t)
{
	int *w = xcalloc(t->n_cols, sizeof *w);
	bool *num = xcalloc(t->n_cols, sizeof *num);
	char buf[PROTO_REPORT_CELL_MAX + 64];
	size_t ns = column(t, "supplier"), nn = column(t, "name"), last = t->n_cols;

	if (ns == t->n_cols)
		nn = t->n_cols;		/* a name stands in for a supplier's id only */
	for (size_t c = 0; c < t->n_cols; c++) {
		w[c] = text_width(t->header[c]);
		num[c] = t->n_rows > 0;
		if (c != nn)
			last = c;
	}
	for (size_t r = 1; r <= t->n_rows; r++) {
		for (size_t c = 0; c < t->n_cols; c++) {
			if (shown(t, r, c, ns, nn, buf, sizeof buf))
				num[c] = false;
			int tw = text_width(buf);
			if (tw > w[c])
				w[c] = tw;
		}
	}
	for (size_t r = 0; r <= t->n_rows; r++) {
		for (size_t c = 0; c < t->n_cols; c++) {
			if (c == nn)
				continue;
			shown(t, r, c, ns, nn, buf, sizeof buf);
			int pad = w[c] - text_width(buf);
			if (num[c])
				fprintf(f, "%*s%s", pad, "", buf);
			else if (c != last)
				fprintf(f, "%s%*s", buf, pad, "");
			else
				fputs(buf, f);
			fputs(c != last ? "  " : "\n", f);
		}
	}
	free(w);
	free(num);
}

/* The answer, written out while the rpc lends it (the callback's reply is borrowed). */
struct wait {
	const struct report_opts *o;
	bool done;
	int rc;
};

static void
on_reply(void *ctx, const char *cmd_id, const struct proto_reply *rep,
    const struct proto_error *err)
{
	struct wait *w = ctx;

	(void)cmd_id;
	w->done = true;
	w->rc = 1;
	if (rep == NULL) {
		fprintf(stderr, "rescuedesk: no report from the broker at %s: %s\n", w->o->api,
		    err != NULL ? err->message : "no answer");
		return;
	}
	if (!rep->ok) {
		fprintf(stderr, "rescuedesk: the broker refused the report: %s (%s)\n",
		    rep->error.message, proto_err_name(rep->error.code));
		return;
	}
	if (w->o->csv == NULL) {
		report_write_table(stdout, &rep->table);
		w->rc = fflush(stdout) == 0 ? 0 : 1;
		return;
	}
	bool out = strcmp(w->o->csv, "-") == 0;
	FILE *f = out ? stdout : fopen(w->o->csv, "w");
	if (f == NULL) {
		fprintf(stderr, "rescuedesk: cannot write %s: %s\n", w->o->csv, strerror(errno));
		return;
	}
	report_write_csv(f, &rep->table);
	w->rc = (out ? fflush(f) : fclose(f)) == 0 ? 0 : 1;
	if (w->rc != 0)
		fprintf(stderr, "rescuedesk: cannot write %s: %s\n", w->o->csv, strerror(errno));
	else if (!out)
		fprintf(stderr, "rescuedesk: %zu rows written to %s\n", rep->table.n_rows,
		    w->o->csv);
}

/* Why a CURVE broker did not answer, in words (rpc_handshake); "" when it is not known. */
static const char *
handshake_words(enum curve_state hs)
{
	switch (hs) {
	case CURVE_REFUSED:
		return "the broker refused this key";
	case CURVE_MISMATCH:
		return "the broker and this console disagree on CURVE (--key missing or not wanted)";
	case CURVE_BAD_SERVER:
		return "the key handshake failed (is --server-key the broker's key?)";
	default:
		return "";
	}
}

int
report_run(const struct report_opts *o)
{
	struct rpc_opts ro = { .endpoint = o->api, .user = o->user, .timeout_ms = 5000,
		.tries = 6, .curve = o->curve };
	struct proto_stats_report a = { .present = PROTO_ALL, .from = o->from, .to = o->to };
	struct wait w = { .o = o, .rc = 1 };
	char *cause = NULL;
	int64_t deadline = rd_mono_ms() + (o->timeout_ms > 0 ? o->timeout_ms : REPORT_TIMEOUT_MS);

	PROTO_STRSET(a.kind, o->kind);
	void *ctx = zmq_ctx_new();
	struct rpc *r = ctx != NULL ? rpc_create(ctx, &ro, &cause) : NULL;
	if (r == NULL) {
		fprintf(stderr, "rescuedesk: cannot connect to %s: %s\n", o->api,
		    cause != NULL ? cause : "no ZeroMQ context");
	} else if (rpc_call(r, PROTO_MSG_stats_report, &a, on_reply, &w, NULL) != 0) {
		fprintf(stderr, "rescuedesk: cannot send to %s\n", o->api);
	} else {
		while (!w.done) {
			int64_t now = rd_mono_ms();
			if (now >= deadline) {
				enum curve_state hs = rpc_handshake(r);
				fprintf(stderr, "rescuedesk: no report from the broker at %s within "
				    "%d s%s%s\n", o->api, (o->timeout_ms > 0 ? o->timeout_ms :
				    REPORT_TIMEOUT_MS) / 1000, hs > CURVE_OK ? ": " : "",
				    handshake_words(hs));
				break;
			}
			int t = rpc_next_timeout(r, now);
			if (t < 0 || t > deadline - now)
				t = (int)(deadline - now);
			zmq_pollitem_t item = { .socket = rpc_socket(r), .events = ZMQ_POLLIN };
			if (zmq_poll(&item, 1, t) < 0 && zmq_errno() != EINTR)
				break;
			rpc_process(r, rd_mono_ms());
		}
	}
	free(cause);
	rpc_destroy(r);
	if (ctx != NULL)
		zmq_ctx_term(ctx);
	return w.done ? w.rc : 1;
}

static int64_t
day_arg(const char *opt, const char *arg)
{
	int64_t t = strlen(arg) == 10 ? complaint_time_parse(arg) : -1;
	if (t < 0)
		cli_bad_value(opt, "a date YYYY-MM-DD", arg);
	return t;
}

int
report_cli(const char *kind, const char *from, const char *to, const char *csv,
    const char *api, const char *user, const struct curve_keys *curve)
{
	if (!report_kind_ok(kind))
		cli_bad_value("--report", "responses, suppliers, agents, phone, complaints or nps",
		    kind);
	if (from == NULL || to == NULL) {
		fprintf(stderr, "rescuedesk: --report needs --from and --to\n");
		return 2;
	}
	struct report_opts r = { .kind = kind, .from = day_arg("--from", from),
		.to = day_arg("--to", to) + 86400000, .csv = csv,
		.user = user != NULL ? user : getenv("USER"), .curve = curve,
		.api = api != NULL ? api : ENDPOINTS_DEFAULT_API };
	if (r.to <= r.from)
		cli_bad_value("--to", "a day not before --from", to);
	return report_run(&r);
}
