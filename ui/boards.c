/* boards.c: the supervisors' boards' data and header counts (boards.h). */
#include "boards.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data.h"
#include "i18n.h"
#include "model-request.h"
#include "model.h"
#include "own.h"
#include "plot.h"
#include "present.h"
#include "spark.h"
#include "tally.h"
#include "text.h"
#include "track.h"
#include "util.h"
#include "vscreen.h"

#define TREND_LABEL_W 12	/* a trend line's label, padded */

static void *
dup_array(const void *p, size_t n, size_t size)
{
	if (n == 0)
		return NULL;
	void *q = xcalloc(n, size);
	memcpy(q, p, n * size);
	return q;
}

void
boards_finish(struct boards *b)
{
	free(b->sup);
	free(b->ag);
	free(b->hours);
	b->sup = NULL;
	b->ag = NULL;
	b->hours = NULL;
	b->n_sup = b->n_ag = b->n_hours = 0;
}

void
boards_take(struct boards *b, const struct proto_reply *r)
{
	boards_finish(b);
	b->head = r->board;
	b->sup = dup_array(r->board_suppliers, r->n_board_suppliers, sizeof *b->sup);
	b->n_sup = r->n_board_suppliers;
	b->ag = dup_array(r->board_agents, r->n_board_agents, sizeof *b->ag);
	b->n_ag = r->n_board_agents;
	b->hours = dup_array(r->board_hours, r->n_board_hours, sizeof *b->hours);
	b->n_hours = r->n_board_hours;
	b->held = true;
	b->failed[0] = '\0';
}

static void
on_board(struct model *m, void *ctx, const struct proto_reply *r, const struct proto_error *err)
{
	struct boards *b = ctx;

	(void)m;
	b->loading = false;
	if (r == NULL || !r->ok) {
		char why[160];
		present_error(r != NULL ? &r->error : err, why, sizeof why);
		snprintf(b->failed, sizeof b->failed, "%s%s%s", i18n_tr("boards.failed"),
		    present_colon(), why);
		return;		/* the figures held stay; the next poll asks again */
	}
	boards_take(b, r);
}

void
boards_poll(struct boards *b, struct model *m, const void *owner)
{
	struct proto_stats_board a = { .present = 0 };
	struct model_request rq = { .op = PROTO_MSG_stats_board, .args = &a,
		.on_reply = on_board, .ctx = b, .owner = owner };
	int64_t scale = m->time_scale > 0 ? m->time_scale : 1;

	if (m->conn != MODEL_LIVE) {
		b->away = true;
		return;
	}
	if (b->away) {
		b->away = false;
		b->asked = 0;
	}
	if (b->loading)
		return;
	if (b->asked != 0 && m->now >= b->asked && m->now - b->asked < BOARDS_POLL_MS * scale)
		return;
	b->asked = m->now != 0 ? m->now : 1;
	if (model_request(m, &rq, NULL) == 0)
		b->loading = true;
}

void
boards_title(const struct boards *b, const struct model *m, char *out, size_t outsz)
{
	char from[16], at[16];

	if (outsz == 0)
		return;
	out[0] = '\0';
	if (!b->held)
		return;
	model_fmt_clock(b->head.from, from, sizeof from);
	if (m->conn == MODEL_LIVE && b->failed[0] == '\0') {
		snprintf(out, outsz, "%s %s", i18n_tr("boards.since"), from);
		return;
	}
	model_fmt_clock(b->head.now, at, sizeof at);
	snprintf(out, outsz, "%s %s \xc2\xb7 %s %s", i18n_tr("boards.since"), from,
	    i18n_tr("boards.as_of"), at);
}

void
boards_counts(const struct model *m, struct boards_counts *out)
{
	memset(out, 0, sizeof *out);
	for (size_t i = 0; i < m->n_tickets; i++) {
		const struct proto_ticket *t = m->tickets[i];
		const struct data_region *r = m->data != NULL ? data_region(m->data, t->region) :
		    NULL;
		if (strcmp(t->state, "new") == 0 && r != NULL && !r->auto_dispatch)
			out->manual++;
	}
	out->escalated = own_count_escalated(m);
	for (size_t i = 0; i < m->n_warnings; i++)
		out->capacity += m->warnings[i]->ticket == 0 && !m->warnings[i]->cleared;
}

void
boards_fmt_pct(int64_t num, int64_t den, char *out, size_t outsz)
{
	double s;
	if (!tally_share(num, den, &s))
		snprintf(out, outsz, "-");
	else
		snprintf(out, outsz, "%d%%", (int)(s * 100 + 0.5));
}

void
boards_fmt_secs(bool has, int64_t s, char *out, size_t outsz)
{
	if (!has)
		snprintf(out, outsz, "-");
	else if (s < 120)
		snprintf(out, outsz, "%llds", (long long)s);
	else
		model_fmt_minutes(s * 1000, out, outsz);
}

void
boards_header(const struct model *m, char *out, size_t outsz, bool wide, size_t held)
{
	struct boards_counts c;
	boards_counts(m, &c);
	int n = snprintf(out, outsz, "%s %zu \xc2\xb7 %s %zu \xc2\xb7 %s %zu",
	    i18n_tr("kpi.count.manual"), c.manual, i18n_tr("kpi.escalated"), c.escalated,
	    i18n_tr("kpi.count.capacity"), c.capacity);
	if (wide && n > 0 && (size_t)n < outsz)
		snprintf(out + n, outsz - (size_t)n, " \xc2\xb7 %s %zu", i18n_tr("kpi.held"), held);
}

/* One trend line: label, today's sparkline, then a week earlier's, on one scale (the max of
 * all n hours). Only the last k hours are drawn (k <= n), the same in both. */
static void
trend_line(struct vscreen *vs, int y, int cols, const char *label, const int64_t *v,
    const bool *has, const int64_t *lw, const bool *has_lw, size_t n, size_t k,
    const char *now)
{
	char a[TALLY_HOURS_MAX * 3 + 1], b[TALLY_HOURS_MAX * 3 + 1];
	bool utf8 = track_glyphs() != PLOT_ASCII;
	int64_t max = 0;
	size_t o = n - k;
	int x = 1;

	for (size_t i = 0; i < n; i++) {
		if (has[i] && v[i] > max)
			max = v[i];
		if (has_lw[i] && lw[i] > max)
			max = lw[i];
	}
	spark_render(a, sizeof a, v + o, has + o, k, max, utf8);
	spark_render(b, sizeof b, lw + o, has_lw + o, k, max, utf8);
	vscreen_fill(vs, 0, y, cols, 1, ROLE_NORMAL, 0, L' ');
	x += vscreen_put_pad(vs, x, y, ROLE_NORMAL, THEME_BOLD, label, TREND_LABEL_W) + 1;
	x += vscreen_put(vs, x, y, ROLE_DIM, 0, i18n_tr("trend.today"), cols - x) + 1;
	x += vscreen_put(vs, x, y, ROLE_OK, 0, a, cols - x);
	x += vscreen_put(vs, x, y, ROLE_NORMAL, 0, " ", cols - x);
	x += vscreen_put(vs, x, y, ROLE_NORMAL, THEME_BOLD, now, cols - x) + 2;
	if (x < cols - 1) {
		x += vscreen_put(vs, x, y, ROLE_DIM, 0, i18n_tr("trend.week_ago"), cols - x) + 1;
		vscreen_put(vs, x, y, ROLE_DIM, 0, b, cols - x);
	}
}

/* How many of the last n hours both sparklines of a line can show in cols columns with the
 * widest of the current values (now_w): all of them when they fit, else the last ones
 * (late in the day at 80 columns the week earlier's was cut short at its right end,
 * where the hour to compare with is). */
static size_t
trend_hours(int cols, size_t n, int now_w)
{
	int fixed = 1 + TREND_LABEL_W + 1 + text_width(i18n_tr("trend.today")) + 1 + 1 + now_w +
	    2 + text_width(i18n_tr("trend.week_ago")) + 1 + 1;
	int room = (cols - fixed) / 2;

	if (room <= 0)
		return n > 0 ? 1 : 0;
	return (size_t)room < n ? (size_t)room : n;
}

int
boards_draw_trends(struct vscreen *vs, int y, int cols, const struct boards *b)
{
	int64_t calls[TALLY_HOURS_MAX], calls_lw[TALLY_HOURS_MAX];
	int64_t resp[TALLY_HOURS_MAX], resp_lw[TALLY_HOURS_MAX];
	bool all[TALLY_HOURS_MAX], has[TALLY_HOURS_MAX], has_lw[TALLY_HOURS_MAX];
	size_t n = b->n_hours < TALLY_HOURS_MAX ? b->n_hours : TALLY_HOURS_MAX;
	char now[32], now_r[32];

	if (!b->held || n == 0) {
		vscreen_fill(vs, 0, y, cols, 1, ROLE_NORMAL, 0, L' ');
		vscreen_put(vs, 1, y, ROLE_DIM, 0, b->failed[0] != '\0' ? b->failed :
		    i18n_tr("trend.loading"), cols - 2);
		return y + 1;
	}
	for (size_t i = 0; i < n; i++) {
		const struct proto_board_hour *h = &b->hours[i];
		all[i] = true;
		calls[i] = h->calls;
		calls_lw[i] = h->calls_lw;
		has[i] = PROTO_HAS(h, board_hour, response_s);
		has_lw[i] = PROTO_HAS(h, board_hour, response_s_lw);
		resp[i] = has[i] ? h->response_s : 0;
		resp_lw[i] = has_lw[i] ? h->response_s_lw : 0;
	}
	snprintf(now, sizeof now, "%lld", (long long)calls[n - 1]);
	boards_fmt_secs(has[n - 1], resp[n - 1], now_r, sizeof now_r);
	if (has[n - 1] && resp[n - 1] < 120)
		model_fmt_minutes(resp[n - 1] * 1000, now_r, sizeof now_r);
	/* both lines show the same hours, so their columns stay one above the other */
	int now_w = text_width(now) > text_width(now_r) ? text_width(now) : text_width(now_r);
	size_t k = trend_hours(cols, n, now_w);
	trend_line(vs, y++, cols, i18n_tr("trend.calls"), calls, all, calls_lw, all, n, k, now);
	trend_line(vs, y++, cols, i18n_tr("trend.response"), resp, has, resp_lw, has_lw, n, k,
	    now_r);
	return y;
}
