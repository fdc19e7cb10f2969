/* view-surveys.c: today's survey answers and the detractors' call-backs (see
 * view-surveys.h). */
#include "view-surveys.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chrome.h"
#include "i18n.h"
#include "kinds.h"
#include "model.h"
#include "nps.h"
#include "own.h"
#include "present.h"
#include "text.h"
#include "util.h"

#define POLL_MS 5000		/* stats.kpi again after this long (wall time) */
#define HISTORY_ROWS_MAX 64	/* a fetched ticket's events shown */

enum col { COL_WHEN, COL_ID, COL_SCORE, COL_DUE, COL_OWNER, COL_COMMENT, COL_COUNT };

static const struct {
	const char *head;
	int width;
	bool right;
} cols_def[COL_COUNT] = {
	[COL_WHEN] = { "surveys.col.when", 5, false },
	[COL_ID] = { "board.col.id", 5, true },
	[COL_SCORE] = { "surveys.col.score", 5, true },
	[COL_DUE] = { "surveys.col.due", 8, true },
	[COL_OWNER] = { "surveys.col.owner", 9, false },
	[COL_COMMENT] = { "surveys.col.comment", 0, false },
};

/* One row: a call-back task (task set) or one of today's answers (ev set). */
struct row {
	int64_t ticket;
	const struct proto_warning *task;
	const struct proto_event *ev;
};

struct view_surveys {
	struct view view;	/* first member */
	size_t sel, top;
	int64_t sel_ticket;	/* the selection follows its ticket (and list) */
	bool sel_task;
	int list_rows;
	/* stats.kpi with surveys: the last answer (owned), when asked (broker time) */
	struct proto_kpi kpi;
	struct proto_event *ev;
	size_t n_ev;
	bool held, loading;
	int64_t asked;
	/* a ticket the model does not hold, read with ticket.get (Enter): shown read-only */
	bool reading;
	int64_t read_id;
	bool read_held;
	struct proto_ticket read_t;
	struct proto_event *read_ev;
	size_t n_read_ev;
};

static const struct view_hint hints[] = {
	{ ACTION_OPEN, ACTION_NONE, "surveys.hint.open" },
	{ ACTION_COMPLAINT, ACTION_NONE, "surveys.hint.complaint" },
	{ ACTION_SURVEY_DONE, ACTION_NONE, "surveys.hint.done" },
	{ ACTION_OWN, ACTION_NONE, "surveys.hint.own" },
	{ ACTION_BACK, ACTION_NONE, "surveys.hint.back" },
	{ ACTION_HELP, ACTION_NONE, "hint.help" },
};

/* ---------------------------------------------------------------- figures */

void
view_surveys_nps_tile(const struct proto_kpi *k, char *value, size_t vsz, char *detail,
    size_t dsz, enum theme_role *role)
{
	struct nps_counts c;
	struct nps r;

	if (k == NULL || !PROTO_HAS(k, kpi, promoters)) {
		snprintf(value, vsz, "%s", i18n_tr("kpi.nps_none"));
		snprintf(detail, dsz, "%s", i18n_tr("kpi.nps_hint"));
		*role = ROLE_DIM;
		return;
	}
	c = (struct nps_counts){ k->promoters, k->passives, k->detractors };
	nps_compute(&c, &r);
	if (!r.valid) {
		snprintf(value, vsz, "-");
		/* the words alone: "n=0" says nothing more, and with it the words are cut
		 * in the tile at 80 columns */
		snprintf(detail, dsz, "%s", i18n_tr("surveys.none_today"));
		*role = ROLE_DIM;
		return;
	}
	snprintf(value, vsz, "%+ld \xc2\xb7 %.1f%%", nps_round(r.score), nps_round1(r.satisfied));
	if (r.small)
		snprintf(detail, dsz, "n=%lld \xc2\xb7 %s", (long long)r.n, i18n_tr("surveys.small"));
	else
		snprintf(detail, dsz, "n=%lld \xc2\xb7 %+ld..%+ld", (long long)r.n, nps_round(r.lo),
		    nps_round(r.hi));
	*role = r.score < 0 ? ROLE_LATE : r.score < 30 ? ROLE_WARN : ROLE_OK;
}

/* The model's open call-backs, most urgent first. */
static int
cmp_task(const void *a, const void *b)
{
	const struct proto_warning *x = *(const struct proto_warning *const *)a;
	const struct proto_warning *y = *(const struct proto_warning *const *)b;

	if (x->promised != y->promised)
		return x->promised < y->promised ? -1 : 1;
	return x->ticket < y->ticket ? -1 : x->ticket > y->ticket;
}

/* The rows: the call-backs (*n_tasks of them) then today's answers. Caller frees. */
static struct row *
rows_of(const struct view_surveys *vs, const struct model *m, size_t *n, size_t *n_tasks)
{
	const struct proto_warning **t = xcalloc(m->n_warnings + 1, sizeof *t);
	struct row *r = xcalloc(m->n_warnings + vs->n_ev + 1, sizeof *r);
	size_t k = 0;

	for (size_t i = 0; i < m->n_warnings; i++)
		if (!m->warnings[i]->cleared &&
		    warn_kind_parse(m->warnings[i]->kind) == WARN_DETRACTOR)
			t[k++] = m->warnings[i];
	qsort(t, k, sizeof *t, cmp_task);
	for (size_t i = 0; i < k; i++)
		r[i] = (struct row){ .ticket = t[i]->ticket, .task = t[i] };
	*n_tasks = k;
	for (size_t i = 0; i < vs->n_ev; i++)
		r[k++] = (struct row){ .ticket = vs->ev[i].params.ticket, .ev = &vs->ev[i] };
	*n = k;
	free(t);
	return r;
}

/* Today's answer for ticket id (NULL: none among them). */
static const struct proto_event *
answer_of(const struct view_surveys *vs, int64_t id)
{
	for (size_t i = 0; i < vs->n_ev; i++)
		if (vs->ev[i].params.ticket == id)
			return &vs->ev[i];
	return NULL;
}

/* The selection follows its row's ticket and list across refreshes. */
static void
follow(struct view_surveys *vs, const struct row *r, size_t n)
{
	for (size_t i = 0; vs->sel_ticket != 0 && i < n; i++)
		if (r[i].ticket == vs->sel_ticket && (r[i].task != NULL) == vs->sel_task) {
			vs->sel = i;
			break;
		}
	if (n == 0) {
		vs->sel = 0;
		vs->sel_ticket = 0;
		return;
	}
	if (vs->sel >= n)
		vs->sel = n - 1;
	vs->sel_ticket = r[vs->sel].ticket;
	vs->sel_task = r[vs->sel].task != NULL;
}

/* ---------------------------------------------------------------- drawing */

struct layout {
	int x[COL_COUNT], w[COL_COUNT];
};

static void
lay_out(struct layout *l, int cols)
{
	int x = 0;

	for (int i = 0; i < COL_COUNT; i++) {
		l->x[i] = x;
		l->w[i] = cols_def[i].width;
		if (i == COL_OWNER && cols >= 120)
			l->w[i] = 16;
		x += l->w[i] + 1;
	}
	l->w[COL_COMMENT] = cols - l->x[COL_COMMENT] > 1 ? cols - l->x[COL_COMMENT] : 1;
}

static void
cell(struct vscreen *vs, const struct layout *l, enum col c, int y, enum theme_role role,
    const char *text)
{
	if (cols_def[c].right)
		vscreen_put_right(vs, l->x[c], y, role, 0, text, l->w[c]);
	else
		vscreen_put_pad(vs, l->x[c], y, role, 0, text, l->w[c]);
}

/* A customer's words on one line: control characters (line breaks too) become spaces. */
static void
one_line(const char *s, char *out, size_t sz)
{
	size_t i;

	for (i = 0; s[i] != '\0' && i + 1 < sz; i++)
		out[i] = (unsigned char)s[i] < 0x20 || s[i] == 0x7f ? ' ' : s[i];
	out[i] = '\0';
}

static enum theme_role
score_role(int64_t score)
{
	switch (nps_class_of((int)score)) {
	case NPS_PROMOTER:
		return ROLE_OK;
	case NPS_PASSIVE:
		return ROLE_NORMAL;
	default:
		return ROLE_LATE;
	}
}

struct list_ctx {
	const struct view_surveys *vs;
	const struct model *m;
	const struct layout *l;
	const struct row *r;
};

static void
list_row(void *ctx, struct vscreen *scr, int y, size_t i)
{
	const struct list_ctx *c = ctx;
	const struct row *r = &c->r[i];
	const struct proto_event *e = r->task != NULL ? answer_of(c->vs, r->ticket) : r->ev;
	char buf[64], words[512];

	vscreen_fill(scr, 0, y, vscreen_cols(scr), 1, ROLE_NORMAL, 0, L' ');
	if (r->task != NULL) {
		bool over = c->m->now >= r->task->promised;
		int64_t left = r->task->promised - c->m->now;
		cell(scr, c->l, COL_WHEN, y, over ? ROLE_LATE : ROLE_WARN,
		    i18n_tr(over ? "surveys.late" : "surveys.call"));
		snprintf(buf, sizeof buf, "%lld", (long long)r->ticket);
		cell(scr, c->l, COL_ID, y, ROLE_NORMAL, buf);
		snprintf(buf, sizeof buf, "%lld", (long long)r->task->score);
		cell(scr, c->l, COL_SCORE, y, ROLE_LATE, buf);
		model_fmt_minutes(left, buf, sizeof buf);
		cell(scr, c->l, COL_DUE, y, over ? ROLE_LATE : ROLE_NORMAL, buf);
		cell(scr, c->l, COL_OWNER, y, r->task->owner[0] ? ROLE_KEY : ROLE_DIM,
		    r->task->owner[0] ? r->task->owner : "-");
	} else {
		model_fmt_clock(PROTO_HAS(&e->params, event_params, answered) ?
		    e->params.answered : e->ts, buf, sizeof buf);
		cell(scr, c->l, COL_WHEN, y, ROLE_DIM, buf);
		snprintf(buf, sizeof buf, "%lld", (long long)r->ticket);
		cell(scr, c->l, COL_ID, y, ROLE_NORMAL, buf);
		snprintf(buf, sizeof buf, "%lld", (long long)e->params.score);
		cell(scr, c->l, COL_SCORE, y, score_role(e->params.score), buf);
		cell(scr, c->l, COL_DUE, y, ROLE_DIM, "");
		cell(scr, c->l, COL_OWNER, y, ROLE_DIM, e->user);
	}
	if (e != NULL && PROTO_HAS(&e->params, event_params, comment)) {
		one_line(e->params.comment, words, sizeof words);
		vscreen_put_ellipsis(scr, c->l->x[COL_COMMENT], y, ROLE_NORMAL, 0, words,
		    c->l->w[COL_COMMENT]);
	}
}

/* A ticket read with ticket.get: its lines and its history, read-only. */
static void
draw_read(struct view_surveys *vs, const struct model *m, struct vscreen *scr, int y, int y1)
{
	const struct proto_ticket *t = &vs->read_t;
	int cols = vscreen_cols(scr);
	char line[512], text[1024], when[16];

	if (!vs->read_held) {
		vscreen_put_ellipsis(scr, 1, y, ROLE_DIM, 0, i18n_tr("surveys.reading"), cols - 2);
		return;
	}
	snprintf(line, sizeof line, "#%lld \xc2\xb7 %s \xc2\xb7 %s \xc2\xb7 %s \xc2\xb7 %s",
	    (long long)t->id, present_state(t->state), present_region(m->data, t->region),
	    present_fault(t->fault), t->customer);
	vscreen_put_ellipsis(scr, 1, y++, ROLE_KEY, THEME_BOLD, line, cols - 2);
	snprintf(line, sizeof line, "%s \xc2\xb7 %s", t->plate, t->address);
	vscreen_put_ellipsis(scr, 1, y++, ROLE_NORMAL, 0, line, cols - 2);
	chrome_section(scr, 0, y++, cols, i18n_tr("surveys.history"), NULL);
	for (size_t i = 0; i < vs->n_read_ev && y < y1; i++, y++) {
		const struct proto_event *e = &vs->read_ev[i];
		model_fmt_clock(e->ts, when, sizeof when);
		present_event_text(e, m->data, m->flows, text, sizeof text);
		one_line(text, line, sizeof line);
		vscreen_put(scr, 1, y, ROLE_DIM, 0, when, 5);
		vscreen_put_ellipsis(scr, 7, y, ROLE_NORMAL, 0, line, cols - 8);
	}
}

/* The day's figures on one line: NPS, n, its interval, the satisfied share. */
static void
draw_figures(const struct view_surveys *vs, struct vscreen *scr, int y, int cols)
{
	const struct proto_kpi *k = &vs->kpi;
	char line[512], ci[64];
	struct nps_counts c;
	struct nps r;

	if (!vs->held || !PROTO_HAS(k, kpi, promoters)) {
		snprintf(line, sizeof line, "%s%s%s", i18n_tr("surveys.nps"), present_colon(),
		    i18n_tr(vs->loading ? "kpi.asking" : "kpi.nps_none"));
		vscreen_put_ellipsis(scr, 1, y, ROLE_DIM, 0, line, cols - 2);
		return;
	}
	c = (struct nps_counts){ k->promoters, k->passives, k->detractors };
	nps_compute(&c, &r);
	if (!r.valid) {
		snprintf(line, sizeof line, "%s%s%s", i18n_tr("surveys.nps"), present_colon(),
		    i18n_tr("surveys.none_today"));
		vscreen_put_ellipsis(scr, 1, y, ROLE_DIM, 0, line, cols - 2);
		return;
	}
	if (r.small)
		snprintf(ci, sizeof ci, "%s", i18n_tr("surveys.small"));
	else
		snprintf(ci, sizeof ci, "95%% %+ld..%+ld", nps_round(r.lo), nps_round(r.hi));
	snprintf(line, sizeof line, "%s%s%+ld \xc2\xb7 n=%lld \xc2\xb7 %s \xc2\xb7 %s%s%.1f%%",
	    i18n_tr("surveys.nps"), present_colon(), nps_round(r.score), (long long)r.n, ci,
	    i18n_tr("surveys.satisfied"), present_colon(), nps_round1(r.satisfied));
	vscreen_put_ellipsis(scr, 1, y, r.score < 0 ? ROLE_LATE : ROLE_KEY, THEME_BOLD, line,
	    cols - 2);
}

static void
surveys_draw(struct view *v, const struct model *m, struct vscreen *scr,
    const struct theme *th)
{
	struct view_surveys *vs = (struct view_surveys *)v;
	int cols = vscreen_cols(scr), rows = vscreen_rows(scr), y, y1, ysel = -1;
	char left[256], right[256];
	size_t n, n_tasks, over = 0;
	struct layout l;
	struct row *r;

	(void)th;
	if (view_too_small(cols, rows)) {
		view_draw_too_small(scr);
		return;
	}
	vscreen_fill(scr, 0, 0, cols, rows, ROLE_NORMAL, 0, L' ');
	snprintf(left, sizeof left, "%s \xe2\x94\x82 %s", i18n_tr("app.name"),
	    i18n_tr("surveys.title"));
	chrome_title(scr, m, left, NULL);
	if (chrome_banner_needed(m))
		chrome_banner(scr, 1, m);
	y = chrome_body_top(scr, m);
	y1 = chrome_body_end(scr);
	if (vs->reading) {
		draw_read(vs, m, scr, y, y1);
		chrome_status(scr, rows - 2, m);
		chrome_message(scr, rows - 1, m, hints, (int)ARRAY_LEN(hints));
		vscreen_set_cursor(scr, 0, y, false);
		return;
	}
	draw_figures(vs, scr, y++, cols);
	r = rows_of(vs, m, &n, &n_tasks);
	follow(vs, r, n);
	for (size_t i = 0; i < n_tasks; i++)
		over += m->now >= r[i].task->promised;
	snprintf(right, sizeof right, "%s %zu \xc2\xb7 %s %zu \xc2\xb7 %s %zu",
	    i18n_tr("surveys.callbacks"), n_tasks, i18n_tr("surveys.overdue"), over,
	    i18n_tr("surveys.answers"), vs->n_ev);
	chrome_section(scr, 0, y++, cols, i18n_tr("surveys.section"), right);
	lay_out(&l, cols);
	vscreen_fill(scr, 0, y, cols, 1, ROLE_HEADER, 0, L' ');
	for (int i = 0; i < COL_COUNT; i++)
		cell(scr, &l, (enum col)i, y, ROLE_HEADER, i18n_tr(cols_def[i].head));
	y++;
	vs->list_rows = y1 - y > 0 ? y1 - y : 1;
	ysel = view_draw_list(scr, y, y1, n, vs->sel, &vs->top,
	    i18n_tr(vs->held || !vs->loading ? "surveys.empty" : "kpi.asking"), ROLE_DIM,
	    list_row, &(struct list_ctx){ vs, m, &l, r });
	/* rows hidden above (↑), below (↓) or both (↕), as on the board: the selection
	 * follows its row, so call-backs and answers that come in above it can be out of
	 * sight while the section's counts name them */
	bool above = vs->top > 0, below = vs->top + (size_t)vs->list_rows < n;
	if (above || below)
		vscreen_put(scr, cols - 1, y - 1, ROLE_HEADER, THEME_BOLD, above && below ?
		    "\xe2\x86\x95" : above ? "\xe2\x86\x91" : "\xe2\x86\x93", 1);
	free(r);
	chrome_status(scr, rows - 2, m);
	chrome_message(scr, rows - 1, m, hints, (int)ARRAY_LEN(hints));
	vscreen_set_cursor(scr, 0, ysel >= 0 ? ysel : y, false);
}

/* ---------------------------------------------------------------- requests */

static void
on_read(struct model *m, void *ctx, const struct proto_reply *r, const struct proto_error *err)
{
	struct view_surveys *vs = ctx;

	(void)m;
	if (r == NULL || !r->ok || r->ticket.id != vs->read_id) {
		model_message(m, true, "#%lld%s%s", (long long)vs->read_id, present_colon(),
		    r != NULL && !r->ok ? r->error.message : err != NULL ? err->message : "?");
		vs->reading = false;
		return;
	}
	size_t n = r->n_events < HISTORY_ROWS_MAX ? r->n_events : HISTORY_ROWS_MAX;
	vs->read_t = r->ticket;
	free(vs->read_ev);
	vs->read_ev = xcalloc(n + 1, sizeof *vs->read_ev);
	/* the newest, oldest first (none: r->events may be NULL, not to be offset or copied) */
	if (n > 0)
		memcpy(vs->read_ev, r->events + (r->n_events - n), n * sizeof *vs->read_ev);
	vs->n_read_ev = n;
	vs->read_held = true;
}

static void
read_ticket(struct view_surveys *vs, struct model *m, int64_t id)
{
	struct proto_ticket_get g = { .id = id, .present = PROTO_ALL };
	struct model_request rq = { .op = PROTO_MSG_ticket_get, .args = &g, .on_reply = on_read,
		.ctx = vs, .owner = vs };

	vs->reading = true;
	vs->read_held = false;
	vs->read_id = id;
	if (model_request(m, &rq, NULL) < 0)
		vs->reading = false;
}

static void
on_kpi(struct model *m, void *ctx, const struct proto_reply *r, const struct proto_error *err)
{
	struct view_surveys *vs = ctx;

	(void)m;
	(void)err;
	vs->loading = false;
	if (r == NULL || !r->ok)
		return;		/* what is held stays; the next poll asks again */
	vs->kpi = r->kpi;
	free(vs->ev);
	vs->ev = xcalloc(r->n_events + 1, sizeof *vs->ev);
	vs->n_ev = 0;
	for (size_t i = 0; i < r->n_events; i++)	/* answers only, ticket known */
		if (PROTO_HAS(&r->events[i].params, event_params, ticket) &&
		    PROTO_HAS(&r->events[i].params, event_params, score))
			vs->ev[vs->n_ev++] = r->events[i];
	vs->held = true;
}

static void
surveys_refresh(struct view *v, struct model *m)
{
	struct view_surveys *vs = (struct view_surveys *)v;
	struct proto_stats_kpi a = { .surveys = true, .present = 0 };
	struct model_request rq = { .op = PROTO_MSG_stats_kpi, .args = &a, .on_reply = on_kpi,
		.ctx = vs, .owner = vs };
	int64_t scale = m->time_scale > 0 ? m->time_scale : 1;

	PROTO_SET(&a, stats_kpi, surveys);
	if (vs->loading)
		return;
	if (vs->asked != 0 && m->now - vs->asked < POLL_MS * scale && m->now >= vs->asked)
		return;
	vs->asked = m->now != 0 ? m->now : 1;
	if (model_request(m, &rq, NULL) == 0)
		vs->loading = true;
}

static void
survey_done(struct model *m, int64_t id)
{
	struct proto_survey_done a = { .ticket = id, .present = 0 };
	struct model_request rq = { .op = PROTO_MSG_survey_done, .args = &a };
	char what[96];

	PROTO_SET(&a, survey_done, ticket);
	snprintf(what, sizeof what, "%s #%lld", i18n_tr("cmd.survey_done"), (long long)id);
	rq.what = what;
	model_request(m, &rq, NULL);
}

/* ---------------------------------------------------------------- keys */

static unsigned
surveys_key(struct view *v, struct model *m, const struct key *k, enum keymap_action a)
{
	struct view_surveys *vs = (struct view_surveys *)v;
	size_t n, n_tasks, page = vs->list_rows > 1 ? (size_t)vs->list_rows - 1 : 1;
	unsigned out = UI_HANDLED | UI_REDRAW;
	struct row *r, sel;

	(void)k;
	if (vs->reading) {	/* the ticket read: any closing key goes back to the lists */
		if (a == ACTION_BACK || a == ACTION_OPEN) {
			vs->reading = false;
			model_forget(m, vs);
			return out;
		}
		if (a != ACTION_COMPLAINT)
			return a == ACTION_HELP || a == ACTION_QUIT || a == ACTION_REDRAW ?
			    UI_NONE : UI_HANDLED;
		v->open.complaint = 0;
		return view_want(v, VIEW_COMPLAINT, vs->read_id, ACTION_NONE);
	}
	if (a == ACTION_BACK)
		return UI_HANDLED | UI_CLOSE;
	r = rows_of(vs, m, &n, &n_tasks);
	follow(vs, r, n);
	if (view_sel_move(&vs->sel, n, page, a))
		a = ACTION_NONE;
	if (n > 0 && vs->sel >= n)
		vs->sel = n - 1;
	sel = n > 0 ? r[vs->sel] : (struct row){ 0 };
	free(r);
	vs->sel_ticket = sel.ticket;
	vs->sel_task = sel.task != NULL;
	switch (a) {
	case ACTION_NONE:
	case ACTION_SURVEYS:
		break;
	case ACTION_OPEN:
		if (sel.ticket == 0)
			break;
		if (model_ticket(m, sel.ticket) != NULL)
			return view_want(v, VIEW_DETAIL, sel.ticket, ACTION_NONE);
		read_ticket(vs, m, sel.ticket);	/* closed long ago: read it here */
		break;
	case ACTION_COMPLAINT:	/* a new complaint about it, filled from the ticket */
		if (sel.ticket == 0)
			break;
		v->open.complaint = 0;
		return view_want(v, VIEW_COMPLAINT, sel.ticket, ACTION_NONE);
	case ACTION_OWN:
		if (sel.ticket != 0)
			own_ack(m, sel.ticket);
		break;
	case ACTION_SURVEY_DONE:
		if (sel.task != NULL)
			survey_done(m, sel.ticket);
		else
			model_message(m, true, "%s", i18n_tr("surveys.no_task"));
		break;
	default:
		out = UI_NONE;
		break;
	}
	return out;
}

static void
surveys_destroy(struct view *v)
{
	struct view_surveys *vs = (struct view_surveys *)v;

	free(vs->ev);
	free(vs->read_ev);
	free(vs);
}

static const struct view_ops surveys_ops = {
	.name = "surveys",
	.draw = surveys_draw,
	.key = surveys_key,
	.destroy = surveys_destroy,
	.refresh = surveys_refresh,
};

struct view *
view_surveys_create(struct model *m)
{
	struct view_surveys *vs = xcalloc(1, sizeof *vs);

	vs->view.ops = &surveys_ops;
	vs->view.scope = SCOPE_SURVEYS;
	vs->list_rows = 1;
	surveys_refresh(&vs->view, m);
	return &vs->view;
}
