/* view-diag-queue.c: the diagnosis queue (view-diag-queue.h). */
#include "view-diag-queue.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chrome.h"
#include "diag.h"
#include "i18n.h"
#include "model.h"
#include "present.h"
#include "text.h"
#include "util.h"

enum col { COL_ID, COL_WAIT, COL_HOLD, COL_FAULT, COL_REGION, COL_STATE, COL_SESSION,
	COL_CUSTOMER, COL_COUNT };

static const struct {
	const char *head;
	int width;
	bool right;
} cols_def[COL_COUNT] = {
	[COL_ID] = { "board.col.id", 4, true },
	[COL_WAIT] = { "diagq.col.wait", 6, true },
	[COL_HOLD] = { "diagq.col.hold", 6, true },
	[COL_FAULT] = { "diagq.col.fault", 14, false },
	[COL_REGION] = { "board.col.region", 9, false },
	[COL_STATE] = { "board.col.state", 10, false },
	[COL_SESSION] = { "diagq.col.session", 14, false },
	[COL_CUSTOMER] = { "board.col.customer", 0, false },
};

struct view_diag_queue {
	struct view view;	/* first member */
	size_t sel;
	int64_t sel_id;		/* the selection follows its ticket; 0 none */
	size_t top;
	int list_rows;
};

static const struct view_hint hints[] = {
	{ ACTION_OPEN, ACTION_NONE, "diagq.hint.open" },
	{ ACTION_BACK, ACTION_NONE, "diagq.hint.back" },
	{ ACTION_HELP, ACTION_NONE, "hint.help" },
	{ ACTION_QUIT, ACTION_NONE, "hint.quit" },
};

static const struct proto_ticket **
queue_list(const struct model *m, size_t *n)
{
	const struct proto_ticket **list;

	list = xcalloc(m->n_tickets > 0 ? m->n_tickets : 1, sizeof *list);
	*n = diag_queue(m, list, m->n_tickets);
	return list;
}

struct layout {
	int x[COL_COUNT], w[COL_COUNT];
};

static void
lay_out(struct layout *l, int cols)
{
	int i, x = 0;

	for (i = 0; i < COL_COUNT; i++) {
		l->x[i] = x;
		l->w[i] = cols_def[i].width;
		if (i == COL_FAULT && cols >= 120)
			l->w[i] = 24;
		if (i == COL_SESSION && cols >= 120)
			l->w[i] = 20;
		x += l->w[i] + 1;
	}
	l->w[COL_CUSTOMER] = cols - l->x[COL_CUSTOMER] > 1 ? cols - l->x[COL_CUSTOMER] : 1;
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

static void
draw_row(struct vscreen *vs, const struct layout *l, int y, const struct model *m,
    const struct proto_ticket *t)
{
	char buf[64];
	int64_t hold = diag_hold_left(t, m->now);
	bool running = diag_state_of(t) == DIAG_RUNNING;

	vscreen_fill(vs, 0, y, vscreen_cols(vs), 1, ROLE_NORMAL, 0, L' ');
	snprintf(buf, sizeof buf, "%lld", (long long)t->id);
	cell(vs, l, COL_ID, y, ROLE_NORMAL, buf);
	model_fmt_minutes(m->now - t->created, buf, sizeof buf);
	cell(vs, l, COL_WAIT, y, ROLE_NORMAL, buf);
	if (hold >= 0)
		model_fmt_minutes(hold, buf, sizeof buf);
	cell(vs, l, COL_HOLD, y, hold < 0 ? ROLE_DIM : hold < 60000 ? ROLE_WARN : ROLE_NORMAL,
	    hold >= 0 ? buf : "-");
	cell(vs, l, COL_FAULT, y, ROLE_NORMAL, present_fault(t->fault));
	cell(vs, l, COL_REGION, y, ROLE_NORMAL, present_region(m->data, t->region));
	cell(vs, l, COL_STATE, y, ROLE_NORMAL, present_state(t->state));
	if (running) {
		bool mine = strcmp(t->diag_by, m->user) == 0;

		snprintf(buf, sizeof buf, "\xe2\x97\x8f %s", mine ? i18n_tr("diag.you") :
		    t->diag_by);
		cell(vs, l, COL_SESSION, y, mine ? ROLE_KEY : ROLE_WARN, buf);
	} else if (diag_state_of(t) == DIAG_ESCALATED) {
		cell(vs, l, COL_SESSION, y, ROLE_WARN, i18n_tr("diagq.senior"));
	} else {
		cell(vs, l, COL_SESSION, y, ROLE_DIM, i18n_tr("diagq.waiting"));
	}
	cell(vs, l, COL_CUSTOMER, y, ROLE_NORMAL, t->customer);
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
queue_draw(struct view *v, const struct model *m, struct vscreen *vs, const struct theme *th)
{
	struct view_diag_queue *q = (struct view_diag_queue *)v;
	int cols = vscreen_cols(vs), rows = vscreen_rows(vs), y, y1, i, ysel = -1;
	const struct proto_ticket **list;
	struct layout l;
	size_t n, nrun = 0, k;
	char left[256], right[128];

	(void)th;
	if (view_too_small(cols, rows)) {
		view_draw_too_small(vs);
		return;
	}
	list = queue_list(m, &n);
	view_sel_follow(list, n, &q->sel, &q->sel_id);
	for (k = 0; k < n; k++)
		nrun += diag_state_of(list[k]) == DIAG_RUNNING;
	vscreen_fill(vs, 0, 0, cols, rows, ROLE_NORMAL, 0, L' ');
	snprintf(left, sizeof left, "%s \xe2\x94\x82 %s", i18n_tr("app.name"),
	    i18n_tr("diagq.title"));
	snprintf(right, sizeof right, "%s %zu \xc2\xb7 %s %zu", i18n_tr("diagq.waiting"),
	    n - nrun, i18n_tr("diagq.running"), nrun);
	chrome_title(vs, m, left, right);
	if (chrome_banner_needed(m))
		chrome_banner(vs, 1, m);
	y = chrome_body_top(vs, m);
	y1 = chrome_body_end(vs);
	lay_out(&l, cols);
	vscreen_fill(vs, 0, y, cols, 1, ROLE_HEADER, 0, L' ');
	for (i = 0; i < COL_COUNT; i++)
		cell(vs, &l, (enum col)i, y, ROLE_HEADER, i18n_tr(cols_def[i].head));
	y++;
	q->list_rows = y1 - y > 0 ? y1 - y : 1;
	ysel = view_draw_list(vs, y, y1, n, q->sel, &q->top,
	    i18n_tr(m->flows != NULL ? "diagq.empty" : "diagq.no_flows"),
	    m->flows != NULL ? ROLE_OK : ROLE_WARN, list_row,
	    &(struct list_ctx){ &l, m, list });
	free(list);
	chrome_status(vs, rows - 2, m);
	chrome_message(vs, rows - 1, m, hints, (int)ARRAY_LEN(hints));
	vscreen_set_cursor(vs, 0, ysel >= 0 ? ysel : y, false);
}

static unsigned
queue_key(struct view *v, struct model *m, const struct key *k, enum keymap_action a)
{
	struct view_diag_queue *q = (struct view_diag_queue *)v;
	size_t n, page = q->list_rows > 1 ? (size_t)q->list_rows - 1 : 1;
	const struct proto_ticket **list;
	unsigned r = UI_HANDLED | UI_REDRAW;

	(void)k;
	if (a == ACTION_BACK)
		return UI_HANDLED | UI_CLOSE;
	list = queue_list(m, &n);
	view_sel_follow(list, n, &q->sel, &q->sel_id);
	if (view_sel_move(&q->sel, n, page, a))
		a = ACTION_NONE;	/* moved: clamped below like every other key */
	switch (a) {
	case ACTION_NONE:
		break;
	case ACTION_DIAG_QUEUE:
		break;			/* already here */
	case ACTION_OPEN:
	case ACTION_DIAG_START:
	case ACTION_NOTE:
	case ACTION_SET_STATE:
	case ACTION_CANCEL_TICKET:
	case ACTION_ASSIGN:
		if (n == 0) {
			r = UI_HANDLED;
			break;
		}
		if (a == ACTION_OPEN || a == ACTION_DIAG_START)
			r = view_want(v, VIEW_FLOW, list[q->sel]->id, ACTION_DIAG_START);
		else
			r = view_want(v, VIEW_DETAIL, list[q->sel]->id, a);
		break;
	default:
		r = UI_NONE;
		break;
	}
	if (n > 0 && q->sel >= n)
		q->sel = n - 1;
	q->sel_id = n > 0 ? list[q->sel]->id : 0;
	free(list);
	return r;
}

static void
queue_destroy(struct view *v)
{
	free(v);
}

static const struct view_ops queue_ops = {
	.name = "diag-queue",
	.draw = queue_draw,
	.key = queue_key,
	.destroy = queue_destroy,
};

struct view *
view_diag_queue_create(void)
{
	struct view_diag_queue *q = xcalloc(1, sizeof *q);

	q->view.ops = &queue_ops;
	q->view.scope = SCOPE_TICKET;
	q->list_rows = 1;
	return &q->view;
}
