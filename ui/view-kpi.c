/* view-kpi.c: the supervisor's screen (see view-kpi.h). */
#include "view-kpi.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "boards.h"
#include "chrome.h"
#include "diag.h"
#include "i18n.h"
#include "kinds.h"
#include "model.h"
#include "own.h"
#include "present.h"
#include "text.h"
#include "ticket.h"
#include "util.h"
#include "view-surveys.h"

#define TILE_ROWS 3		/* label, value, detail */
#define TILES_PER_ROW 4
#define SERVICE_TILES 8
#define DIAG_TILES 4
#define KPI_POLL_MS 5000	/* stats.kpi again after this long (wall time) */
#define WARN_MAX 4

enum col {
	COL_ID,
	COL_REGION,
	COL_CUSTOMER,
	COL_STATE,
	COL_TRUCK,
	COL_LATE,
	COL_WARNING,
	COL_COUNT
};

static const struct {
	const char *head;
	int width;
	bool right;
} cols_def[COL_COUNT] = {
	[COL_ID] = { "board.col.id", 4, true },
	[COL_REGION] = { "board.col.region", 9, false },
	[COL_CUSTOMER] = { "board.col.customer", 12, false },
	[COL_STATE] = { "board.col.state", 10, false },
	[COL_TRUCK] = { "board.col.truck", 10, false },
	[COL_LATE] = { "kpi.col.late", 6, true },
	[COL_WARNING] = { "kpi.col.warning", 10, false },
};

#define CUSTOMER_WIDE 16	/* the customer's width from 120 columns */
#define WIDE_COLS 120

struct view_kpi {
	struct view view;	/* first member */
	size_t sel;		/* selected row of the overdue board */
	int64_t sel_id;		/* its ticket, so the selection follows it; 0 none */
	size_t top;		/* first row shown */
	int list_rows;		/* rows of the board at the last draw */
	/* the broker's figures (stats.kpi): the last answer, when it was asked (broker
	 * time), whether one is in flight */
	struct proto_kpi kpi;
	bool kpi_held, kpi_loading;
	int64_t kpi_asked;
	struct boards bd;	/* stats.board: the trends (boards.c) */
};

static const struct view_hint hints[] = {
	{ ACTION_OPEN, ACTION_NONE, "board.hint.open" },
	{ ACTION_SUPPLIERS, ACTION_NONE, "kpi.hint.suppliers" },	/* the screens a supervisor */
	{ ACTION_AGENTS, ACTION_NONE, "kpi.hint.agents" },	/* opens from here, so they */
	{ ACTION_SURVEYS, ACTION_NONE, "kpi.hint.surveys" },	/* are found without help */
	{ ACTION_MAP, ACTION_NONE, "kpi.hint.map" },
	{ ACTION_BACK, ACTION_NONE, "kpi.hint.back" },
	{ ACTION_HELP, ACTION_NONE, "hint.help" },
	{ ACTION_QUIT, ACTION_NONE, "hint.quit" },
};

/* ---------------------------------------------------------------- figures */

static bool
closed(const struct proto_ticket *t)
{
	int s = ticket_state_parse(t->state);

	return s >= 0 && ticket_state_final((enum ticket_state)s);
}

static int
cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

static void
count_region(struct view_kpi_stats *s, const char *region)
{
	size_t i;

	for (i = 0; i < s->n_regions; i++) {
		if (strcmp(s->region[i], region) == 0) {
			s->region_count[i]++;
			return;
		}
	}
	if (s->n_regions == VIEW_KPI_REGIONS_MAX) {
		s->region_other++;
		return;
	}
	s->region[s->n_regions] = region;
	s->region_count[s->n_regions++] = 1;
}

void
view_kpi_stats(const struct model *m, struct view_kpi_stats *out)
{
	int64_t *resp, sum = 0;
	size_t i, rank;

	memset(out, 0, sizeof *out);
	out->n_tickets = m->n_tickets;
	out->n_open = m->n_open;
	out->n_late = m->n_late;
	out->n_risk = m->n_risk;
	resp = xcalloc(m->n_tickets > 0 ? m->n_tickets : 1, sizeof *resp);
	for (i = 0; i < m->n_tickets; i++) {
		const struct proto_ticket *t = m->tickets[i];

		count_region(out, t->region);
		out->n_diag += diag_state_of(t) == DIAG_RUNNING;
		if (t->t_on_scene <= 0 || t->t_on_scene < t->created)
			continue;
		resp[out->n_response++] = t->t_on_scene - t->created;
		sum += t->t_on_scene - t->created;
		if (t->promised > 0) {
			out->n_promised++;
			out->n_within += t->t_on_scene <= t->promised;
		}
	}
	if (out->n_response > 0) {
		qsort(resp, out->n_response, sizeof *resp, cmp_i64);
		out->response_mean_ms = sum / (int64_t)out->n_response;
		rank = (out->n_response * 9 + 9) / 10;	/* ceil(0.9 n), 1-based */
		out->response_p90_ms = resp[rank - 1];
	}
	free(resp);
}

struct late_row {
	const struct proto_ticket *t;
	int64_t late;		/* ms past the promise; INT64_MIN without a promise */
};

static int
cmp_late(const void *a, const void *b)
{
	const struct late_row *x = a, *y = b;

	if (x->late != y->late)
		return x->late > y->late ? -1 : 1;
	return x->t->id < y->t->id ? -1 : x->t->id > y->t->id;
}

/* Late, red, or escalated (by hand, or a warning nobody took): what a supervisor acts on. */
static bool
overdue(const struct model *m, const struct proto_ticket *t)
{
	if (closed(t))
		return false;
	if (model_warn_level(m, t->id) >= 2 || own_escalated(m, t))
		return true;
	return present_before_scene(t) && t->promised > 0 && m->now > t->promised;
}

size_t
view_kpi_overdue(const struct model *m, const struct proto_ticket **out, size_t max)
{
	struct late_row *rows;
	size_t i, n = 0;

	rows = xcalloc(m->n_tickets > 0 ? m->n_tickets : 1, sizeof *rows);
	for (i = 0; i < m->n_tickets; i++) {
		const struct proto_ticket *t = m->tickets[i];

		if (!overdue(m, t))
			continue;
		rows[n].t = t;
		rows[n].late = t->promised > 0 ? m->now - t->promised : INT64_MIN;
		n++;
	}
	qsort(rows, n, sizeof *rows, cmp_late);
	for (i = 0; i < n && i < max; i++)
		out[i] = rows[i].t;
	free(rows);
	return n;
}

/* The overdue board as an allocated array (caller frees); *n its length. */
static const struct proto_ticket **
overdue_list(const struct model *m, size_t *n)
{
	const struct proto_ticket **list;

	list = xcalloc(m->n_tickets > 0 ? m->n_tickets : 1, sizeof *list);
	*n = view_kpi_overdue(m, list, m->n_tickets);
	return list;
}

/* ---------------------------------------------------------------- drawing */

/* num/den as a percentage with one decimal ("16.7%"), "-" when den is 0. */
static void
fmt_share(size_t num, size_t den, char *out, size_t sz)
{
	size_t pm;

	if (den == 0) {
		snprintf(out, sz, "-");
		return;
	}
	pm = (num * 1000 + den / 2) / den;
	snprintf(out, sz, "%zu.%zu%%", pm / 10, pm % 10);
}

struct tile {
	const char *label;	/* catalog key */
	char value[64];
	enum theme_role role;
	char detail[128];
	/* the detail when the whole one is wider than the tile: its numbers whole, words
	 * left out (a day's counts grow to four digits; "110/4…" was a wrong number); ""
	 * none */
	char detail_short[64];
};

static void
draw_tile(struct vscreen *vs, int x, int y, int w, const struct tile *t)
{
	const char *d = t->detail_short[0] != '\0' && text_width(t->detail) > w ?
	    t->detail_short : t->detail;

	vscreen_put_ellipsis(vs, x, y, ROLE_DIM, 0, i18n_tr(t->label), w);
	vscreen_put_ellipsis(vs, x, y + 1, t->role, THEME_BOLD, t->value, w);
	vscreen_put_ellipsis(vs, x, y + 2, ROLE_DIM, 0, d, w);
}

static void
fill_tiles(const struct model *m, const struct view_kpi_stats *s, struct tile *tl)
{
	char b[32];
	const char *c = present_colon();

	memset(tl, 0, SERVICE_TILES * sizeof *tl);
	tl[0].label = "kpi.resp_mean";
	tl[1].label = "kpi.resp_p90";
	tl[2].label = "kpi.within";
	tl[3].label = "kpi.open";
	tl[4].label = "kpi.sessions";
	tl[5].label = "kpi.late";
	tl[6].label = "kpi.risk";
	tl[7].label = "kpi.nps";
	model_fmt_minutes(VIEW_KPI_REF_RESPONSE_MS, b, sizeof b);
	if (s->n_response > 0) {
		model_fmt_minutes(s->response_mean_ms, tl[0].value, sizeof tl[0].value);
		tl[0].role = s->response_mean_ms > VIEW_KPI_REF_RESPONSE_MS ? ROLE_WARN : ROLE_OK;
		model_fmt_minutes(s->response_p90_ms, tl[1].value, sizeof tl[1].value);
		tl[1].role = ROLE_NORMAL;
	} else {
		snprintf(tl[0].value, sizeof tl[0].value, "-");
		snprintf(tl[1].value, sizeof tl[1].value, "-");
		tl[0].role = tl[1].role = ROLE_DIM;
	}
	snprintf(tl[0].detail, sizeof tl[0].detail, "%s%s%s \xc2\xb7 n=%zu", i18n_tr("kpi.ref"), c,
	    b, s->n_response);
	snprintf(tl[0].detail_short, sizeof tl[0].detail_short, "n=%zu", s->n_response);
	snprintf(tl[1].detail, sizeof tl[1].detail, "%s", i18n_tr("kpi.resp_p90_hint"));

	fmt_share(s->n_within, s->n_promised, tl[2].value, sizeof tl[2].value);
	tl[2].role = s->n_promised == 0 ? ROLE_DIM :
	    s->n_within < s->n_promised ? ROLE_WARN : ROLE_OK;
	snprintf(tl[2].detail, sizeof tl[2].detail, "%zu / %zu %s", s->n_within, s->n_promised,
	    i18n_tr("kpi.arrived"));
	snprintf(tl[2].detail_short, sizeof tl[2].detail_short, "%zu/%zu", s->n_within,
	    s->n_promised);

	snprintf(tl[3].value, sizeof tl[3].value, "%zu", s->n_open);
	tl[3].role = ROLE_NORMAL;
	snprintf(tl[3].detail, sizeof tl[3].detail, "%s", i18n_tr("kpi.open_hint"));
	snprintf(tl[4].value, sizeof tl[4].value, "%zu", s->n_diag);
	tl[4].role = s->n_diag > 0 ? ROLE_KEY : ROLE_DIM;
	snprintf(tl[4].detail, sizeof tl[4].detail, "%s", i18n_tr("kpi.sessions_hint"));
	snprintf(tl[5].value, sizeof tl[5].value, "%zu", s->n_late);
	tl[5].role = s->n_late > 0 ? ROLE_LATE : ROLE_OK;
	snprintf(tl[5].detail, sizeof tl[5].detail, "%s", i18n_tr("kpi.late_hint"));
	snprintf(tl[6].value, sizeof tl[6].value, "%zu", s->n_risk);
	tl[6].role = s->n_risk > 0 ? ROLE_WARN : ROLE_OK;
	snprintf(tl[6].detail, sizeof tl[6].detail, "%s", i18n_tr("kpi.risk_hint"));
	(void)m;	/* NPS (tl[7]): from the broker's stats.kpi, view_surveys_nps_tile */
}

/* x / 10 as "6.4%" (x in permille). */
static void
fmt_permille(long long pm, char *out, size_t sz)
{
	snprintf(out, sz, "%lld.%lld%%", pm / 10, pm % 10);
}

/* The diagnosis tiles, from the broker's stats.kpi: "no data" until its first answer. */
static void
fill_diag_tiles(const struct view_kpi *vk, struct tile *tl)
{
	const struct proto_kpi *k = &vk->kpi;
	const char *c = present_colon();
	char ref[32], a[32];
	int i;

	memset(tl, 0, DIAG_TILES * sizeof *tl);
	tl[0].label = "kpi.phone";
	tl[1].label = "kpi.diag_dispatched";
	tl[2].label = "kpi.diag_median";
	tl[3].label = "kpi.saved";
	fmt_permille(VIEW_KPI_REF_PHONE_PERMILLE, ref, sizeof ref);
	if (!vk->kpi_held) {
		for (i = 0; i < DIAG_TILES; i++) {
			rd_strlcpy(tl[i].value, i18n_tr("kpi.no_data"), sizeof tl[i].value);
			tl[i].role = ROLE_DIM;
			rd_strlcpy(tl[i].detail, i18n_tr(vk->kpi_loading ? "kpi.asking" :
			    "kpi.no_answer"), sizeof tl[i].detail);
		}
		snprintf(tl[0].detail, sizeof tl[0].detail, "%s%s%s", i18n_tr("kpi.ref"), c, ref);
		return;
	}
	/* resolved by phone over tickets closed other than cancelled: the broker's rate */
	if (k->closed > 0) {
		fmt_permille((long long)(k->phone_rate * 1000 + 0.5), tl[0].value,
		    sizeof tl[0].value);
		tl[0].role = k->phone_rate * 1000 + 0.5 < VIEW_KPI_REF_PHONE_PERMILLE ?
		    ROLE_WARN : ROLE_OK;
	} else {
		rd_strlcpy(tl[0].value, "-", sizeof tl[0].value);
		tl[0].role = ROLE_DIM;
	}
	snprintf(tl[0].detail, sizeof tl[0].detail, "%s%s%s \xc2\xb7 %lld/%lld",
	    i18n_tr("kpi.ref"), c, ref, (long long)k->resolved_remote, (long long)k->closed);
	snprintf(tl[0].detail_short, sizeof tl[0].detail_short, "%lld/%lld",
	    (long long)k->resolved_remote, (long long)k->closed);

	snprintf(tl[1].value, sizeof tl[1].value, "%lld", (long long)k->diag_then_dispatched);
	tl[1].role = k->diag_sessions > 0 ? ROLE_NORMAL : ROLE_DIM;
	snprintf(tl[1].detail, sizeof tl[1].detail, "%s %lld \xc2\xb7 %s %lld",
	    i18n_tr("kpi.of_sessions"), (long long)k->diag_sessions, i18n_tr("kpi.direct"),
	    (long long)k->dispatched_direct);
	snprintf(tl[1].detail_short, sizeof tl[1].detail_short, "%s %lld",
	    i18n_tr("kpi.of_sessions"), (long long)k->diag_sessions);

	if (k->diag_sessions > 0) {
		model_fmt_minutes(k->diag_median_s * 1000, tl[2].value, sizeof tl[2].value);
		tl[2].role = ROLE_NORMAL;
	} else {
		rd_strlcpy(tl[2].value, "-", sizeof tl[2].value);
		tl[2].role = ROLE_DIM;
	}
	snprintf(tl[2].detail, sizeof tl[2].detail, "%s", i18n_tr("kpi.diag_median_hint"));

	model_fmt_minutes(k->saved_wait_s * 1000, tl[3].value, sizeof tl[3].value);
	tl[3].role = k->saved_wait_s > 0 ? ROLE_OK : ROLE_DIM;
	snprintf(a, sizeof a, "%lld", (long long)k->resolved_remote);
	snprintf(tl[3].detail, sizeof tl[3].detail, "%s %s", a, i18n_tr("kpi.saved_hint"));
	snprintf(tl[3].detail_short, sizeof tl[3].detail_short, "%s %s", a,
	    i18n_tr("kpi.saved_hint_short"));
}

static void
draw_regions(struct vscreen *vs, const struct model *m, int y, int cols,
    const struct view_kpi_stats *s)
{
	char line[512];
	size_t i, len;

	snprintf(line, sizeof line, "%s%s", i18n_tr("kpi.by_region"), present_colon());
	for (i = 0; i < s->n_regions; i++) {
		len = strlen(line);
		snprintf(line + len, sizeof line - len, "%s%s %zu", i > 0 ? " \xc2\xb7 " : "",
		    present_region(m->data, s->region[i]), s->region_count[i]);
	}
	if (s->region_other > 0) {
		len = strlen(line);
		snprintf(line + len, sizeof line - len, " \xc2\xb7 %s %zu", i18n_tr("kpi.other"),
		    s->region_other);
	}
	if (s->n_regions == 0) {
		len = strlen(line);
		snprintf(line + len, sizeof line - len, "-");
	}
	vscreen_put_ellipsis(vs, 0, y, ROLE_NORMAL, 0, line, cols);
}

/* ---------------------------------------------------------------- regions' warnings */

static int
region_level(const struct proto_warning *w)
{
	return warn_level_parse(w->level) == WARN_LEVEL_RED ? 2 : 1;
}

static int
cmp_region_warning(const void *a, const void *b)
{
	const struct proto_warning *x = *(const struct proto_warning *const *)a;
	const struct proto_warning *y = *(const struct proto_warning *const *)b;

	if (region_level(x) != region_level(y))
		return region_level(y) - region_level(x);
	if (x->since != y->since)
		return x->since < y->since ? -1 : 1;
	return x->id < y->id ? -1 : x->id > y->id;
}

size_t
view_kpi_region_warnings(const struct model *m, const struct proto_warning **out,
    size_t max)
{
	const struct proto_warning **all;
	size_t i, n = 0;

	all = xcalloc(m->n_warnings + 1, sizeof *all);
	for (i = 0; i < m->n_warnings; i++)
		if (m->warnings[i]->ticket == 0 && !m->warnings[i]->cleared)
			all[n++] = m->warnings[i];
	qsort(all, n, sizeof *all, cmp_region_warning);
	for (i = 0; i < n && i < max; i++)
		out[i] = all[i];
	free(all);
	return n;
}

/* The regions' warnings from line y on, when there are any: a section line and a row
 * each (at most VIEW_KPI_CAPACITY_ROWS; the last tells how many more). Returns the next
 * line. */
static int
draw_region_warnings(struct vscreen *vs, const struct model *m, int y, int cols)
{
	const struct proto_warning *w[VIEW_KPI_CAPACITY_ROWS];
	size_t n = view_kpi_region_warnings(m, w, VIEW_KPI_CAPACITY_ROWS), i, shown;
	char count[32], clock[16], text[256], line[384];

	if (n == 0)
		return y;
	snprintf(count, sizeof count, "%zu", n);
	shown = n < VIEW_KPI_CAPACITY_ROWS ? n : VIEW_KPI_CAPACITY_ROWS;
	/* the title names virtual numbers only when a shown row is about them; each row's
	 * text says which (present_warning_text, by `reason`) */
	bool numbers = false;
	for (i = 0; i < shown; i++)
		numbers |= PROTO_HAS(w[i], warning, reason) && strcmp(w[i]->reason, "numbers") == 0;
	chrome_section(vs, 0, y++, cols, i18n_tr(numbers ? "kpi.section.shortage" :
	    "kpi.section.capacity"), count);
	for (i = 0; i < shown; i++) {
		enum theme_role role = region_level(w[i]) == 2 ? ROLE_LATE : ROLE_WARN;
		int x = 1;

		vscreen_fill(vs, 0, y, cols, 1, ROLE_NORMAL, 0, L' ');
		vscreen_put_pad(vs, x, y, role, THEME_BOLD, present_warn_level(w[i]->level), 6);
		x += 7;
		vscreen_put_pad(vs, x, y, ROLE_NORMAL, 0, present_region(m->data,
		    PROTO_HAS(w[i], warning, region) ? w[i]->region : ""), 12);
		x += 13;
		if (PROTO_HAS(w[i], warning, since) && w[i]->since > 0)
			model_fmt_clock(w[i]->since, clock, sizeof clock);
		else
			snprintf(clock, sizeof clock, "-");
		snprintf(line, sizeof line, "%s %s", i18n_tr("kpi.capacity.since"), clock);
		x += vscreen_put(vs, x, y, ROLE_DIM, 0, line, cols - x) + 2;
		present_warning_text(w[i], NULL, m->now, text, sizeof text);
		if (i + 1 == shown && n > shown)
			snprintf(line, sizeof line, "%s  (%s%s%zu)", text,
			    i18n_tr("kpi.capacity.more"), present_colon(), n - shown);
		else
			snprintf(line, sizeof line, "%s", text);
		if (x < cols - 1)
			vscreen_put_ellipsis(vs, x, y, role, 0, line, cols - 1 - x);
		y++;
	}
	return y;
}

struct layout {
	int x[COL_COUNT];
	int w[COL_COUNT];
};

static void
lay_out(struct layout *l, int cols, const struct proto_ticket **list, size_t n)
{
	int i, x = 0, idw = cols_def[COL_ID].width;
	size_t r;
	char buf[32];

	for (r = 0; r < n; r++) {
		int d = snprintf(buf, sizeof buf, "%lld", (long long)list[r]->id);

		if (d > idw)
			idw = d;
	}
	for (i = 0; i < COL_COUNT; i++) {
		l->w[i] = cols_def[i].width;
		if (i == COL_ID)
			l->w[i] = idw;
		if (i == COL_CUSTOMER && cols >= WIDE_COLS)
			l->w[i] = CUSTOMER_WIDE;
		l->x[i] = x;
		if (i != COL_WARNING)
			x += l->w[i] + 1;
	}
	l->w[COL_WARNING] = cols - l->x[COL_WARNING] > 1 ? cols - l->x[COL_WARNING] : 1;
}

static void
cell(struct vscreen *vs, const struct layout *l, enum col c, int y, enum theme_role role,
    const char *text)
{
	if (cols_def[c].right)
		vscreen_put_right(vs, l->x[c], y, role, 0, text, l->w[c]);
	else if (c == COL_WARNING)
		vscreen_put_ellipsis(vs, l->x[c], y, role, 0, text, l->w[c]);
	else
		vscreen_put_pad(vs, l->x[c], y, role, 0, text, l->w[c]);
}

static void
draw_header(struct vscreen *vs, const struct layout *l, int y)
{
	int i;

	vscreen_fill(vs, 0, y, vscreen_cols(vs), 1, ROLE_HEADER, 0, L' ');
	for (i = 0; i < COL_COUNT; i++)
		cell(vs, l, (enum col)i, y, ROLE_HEADER, i18n_tr(cols_def[i].head));
}

static void
draw_row(struct vscreen *vs, const struct layout *l, int y, const struct model *m,
    const struct proto_ticket *t)
{
	const struct proto_warning *w[WARN_MAX];
	size_t nw = model_ticket_warnings(m, t->id, w, WARN_MAX), i, len;
	char buf[64], text[512] = "", one[320], note[256];
	enum theme_role wrole = ROLE_DIM;

	vscreen_fill(vs, 0, y, vscreen_cols(vs), 1, ROLE_NORMAL, 0, L' ');
	snprintf(buf, sizeof buf, "%lld", (long long)t->id);
	cell(vs, l, COL_ID, y, ROLE_NORMAL, buf);
	cell(vs, l, COL_REGION, y, ROLE_NORMAL, present_region(m->data, t->region));
	cell(vs, l, COL_CUSTOMER, y, ROLE_NORMAL, t->customer);
	cell(vs, l, COL_STATE, y, ROLE_NORMAL, present_state(t->state));
	cell(vs, l, COL_TRUCK, y, t->truck[0] != '\0' ? ROLE_NORMAL : ROLE_DIM,
	    t->truck[0] != '\0' ? t->truck : "-");
	if (t->promised > 0 && m->now > t->promised) {
		model_fmt_minutes(m->now - t->promised, buf, sizeof buf);
		cell(vs, l, COL_LATE, y, ROLE_LATE, buf);
	} else
		cell(vs, l, COL_LATE, y, ROLE_DIM, "-");
	if (own_ticket_escalated(t))	/* by hand: who and why first */
		snprintf(text, sizeof text, "%s%s%s%s%s \xc2\xb7 ", i18n_tr("own.tag"),
		    t->escalated_by[0] != '\0' ? " " : "",
		    t->escalated_by, present_colon(), t->escalate_reason);
	/* Each warning in words while they fit, else a known kind by its name: a cut text can
	 * say the opposite ("ETA 3 min …" of "ETA 3 min after the promise"). */
	for (i = 0; i < nw; i++) {
		len = strlen(text);
		present_warning_text(w[i], t, m->now, note, sizeof note);
		own_warning_words(w[i], note, one, sizeof one);
		snprintf(text + len, sizeof text - len, "%s%s", i > 0 ? " \xc2\xb7 " : "", one);
		if (text_width(text) <= l->w[COL_WARNING] || warn_kind_parse(w[i]->kind) < 0)
			continue;
		own_warning_words(w[i], present_warn_kind(w[i]->kind), one, sizeof one);
		snprintf(text + len, sizeof text - len, "%s%s", i > 0 ? " \xc2\xb7 " : "", one);
	}
	if (nw > 0)
		wrole = warn_level_parse(w[0]->level) == WARN_LEVEL_RED ? ROLE_LATE : ROLE_WARN;
	if (own_ticket_escalated(t))
		wrole = ROLE_LATE;
	cell(vs, l, COL_WARNING, y, wrole, text[0] != '\0' ? text : "-");
}

/* view_draw_list's row callback: the row of list[i]. */
struct list_ctx {
	const struct layout *l;
	const struct model *m;
	const struct proto_ticket **list;
};

static void
list_row(void *ctx, struct vscreen *vs, int line, size_t i)
{
	struct list_ctx *c = ctx;

	draw_row(vs, c->l, line, c->m, c->list[i]);
}

static void
kpi_draw(struct view *v, const struct model *m, struct vscreen *vs, const struct theme *th)
{
	struct view_kpi *vk = (struct view_kpi *)v;
	int cols = vscreen_cols(vs), rows = vscreen_rows(vs), y, y1, i, tw, ysel = -1;
	struct view_kpi_stats s;
	struct tile tl[SERVICE_TILES], dt[DIAG_TILES];
	const struct proto_ticket **list;
	struct layout l;
	size_t n;
	char left[256], right[128];

	(void)th;
	if (view_too_small(cols, rows)) {
		view_draw_too_small(vs);
		return;
	}
	view_kpi_stats(m, &s);
	list = overdue_list(m, &n);
	view_sel_follow(list, n, &vk->sel, &vk->sel_id);

	vscreen_fill(vs, 0, 0, cols, rows, ROLE_NORMAL, 0, L' ');
	snprintf(left, sizeof left, "%s \xe2\x94\x82 %s", i18n_tr("app.name"),
	    i18n_tr(cols >= BOARDS_HEADER_WIDE ? "kpi.title" : "kpi.title.short"));
	boards_header(m, right, sizeof right, cols >= BOARDS_HEADER_WIDE, s.n_tickets);
	chrome_title(vs, m, left, right);
	if (chrome_banner_needed(m))
		chrome_banner(vs, 1, m);
	y = chrome_body_top(vs, m);
	y1 = chrome_body_end(vs);

	chrome_section(vs, 0, y++, cols, i18n_tr("kpi.section.service"),
	    i18n_tr("kpi.section.service_note"));
	fill_tiles(m, &s, tl);
	view_surveys_nps_tile(vk->kpi_held ? &vk->kpi : NULL, tl[7].value, sizeof tl[7].value,
	    tl[7].detail, sizeof tl[7].detail, &tl[7].role);
	tw = cols / TILES_PER_ROW;
	for (i = 0; i < SERVICE_TILES; i++)
		draw_tile(vs, (i % TILES_PER_ROW) * tw + 1,
		    y + (i / TILES_PER_ROW) * TILE_ROWS, tw - 2, &tl[i]);
	y += 2 * TILE_ROWS;
	draw_regions(vs, m, y++, cols, &s);
	chrome_section(vs, 0, y++, cols, i18n_tr("kpi.section.diag"),
	    i18n_tr("kpi.section.diag_note"));
	fill_diag_tiles(vk, dt);
	for (i = 0; i < DIAG_TILES; i++)
		draw_tile(vs, i * tw + 1, y, tw - 2, &dt[i]);
	y += TILE_ROWS;
	y = boards_draw_trends(vs, y, cols, &vk->bd);
	y = draw_region_warnings(vs, m, y, cols);

	snprintf(right, sizeof right, "%zu", n);
	chrome_section(vs, 0, y++, cols, i18n_tr("kpi.section.overdue"), right);
	lay_out(&l, cols, list, n);
	draw_header(vs, &l, y++);
	vk->list_rows = y1 - y > 0 ? y1 - y : 1;
	ysel = view_draw_list(vs, y, y1, n, vk->sel, &vk->top, i18n_tr("kpi.none_overdue"),
	    ROLE_OK, list_row, &(struct list_ctx){ &l, m, list });
	free(list);

	chrome_status(vs, rows - 2, m);
	chrome_message(vs, rows - 1, m, hints, (int)ARRAY_LEN(hints));
	vscreen_set_cursor(vs, 0, ysel >= 0 ? ysel : y, false);
}

/* ---------------------------------------------------------------- keys */

static unsigned
kpi_key(struct view *v, struct model *m, const struct key *k, enum keymap_action a)
{
	struct view_kpi *vk = (struct view_kpi *)v;
	size_t n, page = vk->list_rows > 1 ? (size_t)vk->list_rows - 1 : 1;
	const struct proto_ticket **list;
	int64_t id;
	unsigned r = UI_HANDLED | UI_REDRAW;

	(void)k;
	if (a == ACTION_BACK)
		return UI_HANDLED | UI_CLOSE;
	list = overdue_list(m, &n);
	view_sel_follow(list, n, &vk->sel, &vk->sel_id);
	if (view_sel_move(&vk->sel, n, page, a))
		a = ACTION_NONE;	/* moved: clamped below like every other key */
	switch (a) {
	case ACTION_NONE:
		break;
	case ACTION_DIAG_QUEUE:
		r = view_want(v, VIEW_DIAG_QUEUE, 0, ACTION_NONE);
		break;
	case ACTION_SUPPLIERS:	/* the supervisors' boards */
	case ACTION_AGENTS:
		r = view_want(v, a == ACTION_SUPPLIERS ? VIEW_SUPPLIERS : VIEW_AGENTS, 0,
		    ACTION_NONE);
		break;
	case ACTION_SURVEYS:
		r = view_want(v, VIEW_SURVEYS, 0, ACTION_NONE);
		break;
	case ACTION_MAP:	/* centred on the selected overdue ticket */
		r = view_want(v, VIEW_MAP, n > 0 ? list[vk->sel]->id : 0, ACTION_NONE);
		break;
	case ACTION_DIAG_START:
		if (n == 0) {
			r = UI_HANDLED;
			break;
		}
		r = view_want(v, VIEW_FLOW, list[vk->sel]->id, ACTION_DIAG_START);
		break;
	case ACTION_OPEN:
	case ACTION_NOTE:
	case ACTION_SET_STATE:
	case ACTION_CANCEL_TICKET:
	case ACTION_ASSIGN:
		if (n == 0) {
			r = UI_HANDLED;
			break;
		}
		id = list[vk->sel]->id;
		r = view_want(v, VIEW_DETAIL, id, a);
		break;
	case ACTION_OWN:	/* a supervisor takes the warnings of the selected ticket */
		if (n > 0)
			own_ack(m, list[vk->sel]->id);
		break;
	case ACTION_ESCALATE:	/* escalate, or end an escalation, with a reason */
		if (n == 0) {
			r = UI_HANDLED;
			break;
		}
		r = view_want(v, VIEW_ESCALATE, list[vk->sel]->id, ACTION_NONE);
		break;
	default:
		r = UI_NONE;
		break;
	}
	if (n > 0 && vk->sel >= n)
		vk->sel = n - 1;
	vk->sel_id = n > 0 ? list[vk->sel]->id : 0;
	free(list);
	return r;
}

static void
kpi_destroy(struct view *v)
{
	boards_finish(&((struct view_kpi *)v)->bd);
	free(v);
}

static void
on_kpi(struct model *m, void *ctx, const struct proto_reply *r, const struct proto_error *err)
{
	struct view_kpi *vk = ctx;

	(void)m;
	(void)err;
	vk->kpi_loading = false;
	if (r == NULL || !r->ok)
		return;		/* the figures held stay; the next poll asks again */
	vk->kpi = r->kpi;
	vk->kpi_held = true;
}

/* Ask the broker for its figures when none is in flight and the last ask is KPI_POLL_MS
 * of wall time old (the model's clock is broker time, time_scale times faster). */
static void
kpi_refresh(struct view *v, struct model *m)
{
	struct view_kpi *vk = (struct view_kpi *)v;
	struct proto_stats_kpi a = { .present = 0 };
	struct model_request rq = { .op = PROTO_MSG_stats_kpi, .args = &a, .on_reply = on_kpi,
		.ctx = vk, .owner = vk };
	int64_t scale = m->time_scale > 0 ? m->time_scale : 1;

	boards_poll(&vk->bd, m, vk);
	if (vk->kpi_loading)
		return;
	if (vk->kpi_asked != 0 && m->now - vk->kpi_asked < KPI_POLL_MS * scale &&
	    m->now >= vk->kpi_asked)
		return;
	vk->kpi_asked = m->now != 0 ? m->now : 1;
	if (model_request(m, &rq, NULL) == 0)
		vk->kpi_loading = true;
}

static const struct view_ops kpi_ops = {
	.name = "kpi",
	.draw = kpi_draw,
	.key = kpi_key,
	.destroy = kpi_destroy,
	.refresh = kpi_refresh,
};

struct view *
view_kpi_create(struct model *m)
{
	struct view_kpi *vk = xcalloc(1, sizeof *vk);

	vk->view.ops = &kpi_ops;
	vk->view.scope = SCOPE_TICKET;
	vk->list_rows = 1;
	kpi_refresh(&vk->view, m);
	return &vk->view;
}
