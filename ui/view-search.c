/* view-search.c: the history search (see view-search.h). */
#include "view-search.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "chrome.h"
#include "civil.h"
#include "i18n.h"
#include "lineedit.h"
#include "model-request.h"
#include "model.h"
#include "present.h"
#include "text.h"
#include "ticket.h"
#include "util.h"

#define QUERY_MAX 128
#define DAY_MS (86400 * 1000LL)

enum mode { MODE_PROMPT, MODE_LIST, MODE_TICKET };

struct view_search {
	struct view view;	/* first member */
	enum mode mode;
	struct lineedit edit;
	char error[256];
	struct proto_ticket_search args;	/* of the results held */
	bool searched, loading;
	char failed[256];	/* the last request's failure in words, "" none */
	struct proto_ticket *found;
	size_t n, cap;
	int64_t next;		/* cursor of the next page; 0: none */
	size_t sel, top;
	int list_rows;
	/* the ticket shown (MODE_TICKET) */
	bool held, reading;
	struct proto_ticket ticket;
	struct proto_event *events;
	size_t n_events, scroll;
};

static const char *const prompt_keys[] = {
	"Enter", "prompt.apply", "Esc", "prompt.cancel",
};

static const struct view_hint list_hints[] = {
	{ ACTION_OPEN, ACTION_NONE, "search.hint.open" },
	{ ACTION_FILTER, ACTION_NONE, "search.hint.search" },
	{ ACTION_BACK, ACTION_NONE, "search.hint.back" },
	{ ACTION_HELP, ACTION_NONE, "hint.help" },
};

static const struct view_hint ticket_hints[] = {
	{ ACTION_BACK, ACTION_NONE, "search.hint.back" },
	{ ACTION_HELP, ACTION_NONE, "hint.help" },
};

/* ---- the query ---- */

static bool
all_digits(const char *s)
{
	if (*s == '\0')
		return false;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return false;
	return true;
}

/* "YYYY-MM-DD" as the ms of its local midnight (China time), or -1. */
static int64_t
parse_day(const char *s)
{
	int y, mo, d, used = 0;

	if (sscanf(s, "%4d-%2d-%2d%n", &y, &mo, &d, &used) != 3 || s[used] != '\0' ||
	    y < 1970 || mo < 1 || mo > 12 || d < 1 || d > 31)
		return -1;
	return civil_days_from_date(y, mo, d) * DAY_MS - CIVIL_TZ_CHINA_S * 1000LL;
}

const char *
view_search_parse(const char *query, struct proto_ticket_search *a, char *bad, size_t badsz)
{
	char buf[QUERY_MAX + 1], *save = NULL, *w;

	memset(a, 0, sizeof *a);
	bad[0] = '\0';
	rd_strlcpy(buf, query, sizeof buf);
	for (w = strtok_r(buf, " ", &save); w != NULL; w = strtok_r(NULL, " ", &save)) {
		const char *id = w[0] == '#' ? w + 1 : strncmp(w, "id:", 3) == 0 ? w + 3 : NULL;
		const char *why = NULL;

		if (id != NULL && all_digits(id) && strlen(id) < 16 && atoll(id) > 0) {
			a->id = atoll(id);
			PROTO_SET(a, ticket_search, id);
		} else if (strncmp(w, "from:", 5) == 0 || strncmp(w, "to:", 3) == 0) {
			bool from = w[0] == 'f';
			int64_t t = parse_day(w + (from ? 5 : 3));

			if (t < 0) {
				why = "search.bad_date";
			} else if (from) {
				a->from = t;
				PROTO_SET(a, ticket_search, from);
			} else {
				a->to = t + DAY_MS;	/* the whole day */
				PROTO_SET(a, ticket_search, to);
			}
		} else if (all_digits(w)) {
			if (strlen(w) < 4 || strlen(w) >= sizeof a->phone)
				why = "search.bad_phone";
			PROTO_STRSET(a->phone, w);
			PROTO_SET(a, ticket_search, phone);
		} else if (PROTO_HAS(a, ticket_search, plate)) {
			why = "search.two_plates";
		} else {
			PROTO_STRSET(a->plate, w);
			PROTO_SET(a, ticket_search, plate);
		}
		if (why != NULL) {
			rd_strlcpy(bad, w, badsz);
			return why;
		}
	}
	if (PROTO_HAS(a, ticket_search, from) && PROTO_HAS(a, ticket_search, to) &&
	    a->to <= a->from) {
		rd_strlcpy(bad, query, badsz);
		return "search.bad_range";
	}
	return NULL;
}

/* ---- requests ---- */

static void
on_search(struct model *m, void *ctx, const struct proto_reply *r, const struct proto_error *err)
{
	struct view_search *sv = ctx;

	(void)m;
	sv->loading = false;
	if (r == NULL || !r->ok) {
		char why[200];
		present_error(r != NULL ? &r->error : err, why, sizeof why);
		snprintf(sv->failed, sizeof sv->failed, "%s%s%s", i18n_tr("search.failed"),
		    present_colon(), why);
		return;
	}
	sv->failed[0] = '\0';
	if (sv->n + r->n_found > sv->cap) {
		sv->cap = sv->n + r->n_found + 16;
		sv->found = xrealloc(sv->found, sv->cap * sizeof *sv->found);
	}
	memcpy(sv->found + sv->n, r->found, r->n_found * sizeof *sv->found);
	sv->n += r->n_found;
	sv->next = PROTO_HAS(&r->search, search_result, next) ? r->search.next : 0;
}

/* Ask for the page below cursor (0: the first). */
static void
ask_page(struct view_search *sv, struct model *m, int64_t cursor)
{
	struct proto_ticket_search a = sv->args;
	struct model_request rq = { .op = PROTO_MSG_ticket_search, .args = &a,
		.on_reply = on_search, .ctx = sv, .owner = sv };

	if (cursor > 0) {
		a.cursor = cursor;
		PROTO_SET(&a, ticket_search, cursor);
	}
	if (model_request(m, &rq, NULL) == 0)
		sv->loading = true;
	else
		snprintf(sv->failed, sizeof sv->failed, "%s", i18n_tr("search.failed"));
}

static void
on_ticket(struct model *m, void *ctx, const struct proto_reply *r, const struct proto_error *err)
{
	struct view_search *sv = ctx;

	(void)m;
	sv->reading = false;
	if (r == NULL || !r->ok) {
		char why[200];
		present_error(r != NULL ? &r->error : err, why, sizeof why);
		snprintf(sv->failed, sizeof sv->failed, "%s%s%s", i18n_tr("search.failed"),
		    present_colon(), why);
		return;
	}
	sv->ticket = r->ticket;
	free(sv->events);
	sv->events = NULL;
	sv->n_events = r->n_events;
	if (r->n_events > 0) {
		sv->events = xcalloc(r->n_events, sizeof *sv->events);
		memcpy(sv->events, r->events, r->n_events * sizeof *sv->events);
	}
	sv->held = true;
	sv->failed[0] = '\0';
}

static void
read_ticket(struct view_search *sv, struct model *m, int64_t id)
{
	struct proto_ticket_get g = { .id = id, .present = PROTO_ALL };
	struct model_request rq = { .op = PROTO_MSG_ticket_get, .args = &g,
		.on_reply = on_ticket, .ctx = sv, .owner = sv };

	sv->held = false;
	sv->scroll = 0;
	sv->mode = MODE_TICKET;
	if (model_request(m, &rq, NULL) == 0)
		sv->reading = true;
}

/* ---- drawing ---- */

/* "YYYY-MM-DD HH:MM" in China time (the regions' local time: the days from:/to: select),
 * whatever the console's time zone; rescuedesk(1) says so. */
static void
fmt_when(int64_t ts, char *out, size_t sz)
{
	time_t t = (time_t)(ts / 1000 + CIVIL_TZ_CHINA_S);
	struct tm tm;

	if (ts <= 0) {
		rd_strlcpy(out, "-", sz);
		return;
	}
	gmtime_r(&t, &tm);
	strftime(out, sz, "%Y-%m-%d %H:%M", &tm);
}

enum col { COL_ID, COL_CREATED, COL_STATE, COL_REGION, COL_FAULT, COL_PLATE, COL_PHONE,
	COL_CUSTOMER, COL_COUNT };

static const struct {
	const char *head;
	int width;
} cols_def[COL_COUNT] = {
	[COL_ID] = { "board.col.id", 5 },
	[COL_CREATED] = { "search.col.created", 16 },
	[COL_STATE] = { "board.col.state", 10 },
	[COL_REGION] = { "board.col.region", 9 },
	[COL_FAULT] = { "board.col.fault", 10 },
	[COL_PLATE] = { "search.col.plate", 10 },
	[COL_PHONE] = { "board.col.phone", 13 },
	[COL_CUSTOMER] = { "board.col.customer", 0 },
};

static void
draw_row(struct vscreen *vs, int y, int cols, const struct model *m,
    const struct proto_ticket *t)
{
	char buf[64];
	int x = 0;
	enum theme_role role = ROLE_NORMAL;

	vscreen_fill(vs, 0, y, cols, 1, role, 0, L' ');
	for (int c = 0; c < COL_COUNT && x < cols; c++) {
		int w = cols_def[c].width > 0 ? cols_def[c].width : cols - x;
		const char *s = buf;

		if (c == COL_PHONE && cols < 100)
			continue;	/* narrow: the phone goes first */
		switch ((enum col)c) {
		case COL_ID:
			snprintf(buf, sizeof buf, "%lld", (long long)t->id);
			break;
		case COL_CREATED:
			fmt_when(t->created, buf, sizeof buf);
			break;
		case COL_STATE:
			s = present_state(t->state);
			break;
		case COL_REGION:
			s = present_region(m->data, t->region);
			break;
		case COL_FAULT:
			s = present_fault(t->fault);
			break;
		case COL_PLATE:
			s = t->plate;
			break;
		case COL_PHONE:
			ticket_mask_phone(t->phone, buf, sizeof buf);
			break;
		case COL_CUSTOMER:
		case COL_COUNT:
			s = t->customer;
			break;
		}
		vscreen_put_pad(vs, x, y, role, 0, s, w < cols - x ? w : cols - x);
		x += w + 1;
	}
}

static void
draw_header(struct vscreen *vs, int y, int cols)
{
	int x = 0;

	vscreen_fill(vs, 0, y, cols, 1, ROLE_HEADER, 0, L' ');
	for (int c = 0; c < COL_COUNT && x < cols; c++) {
		int w = cols_def[c].width > 0 ? cols_def[c].width : cols - x;

		if (c == COL_PHONE && cols < 100)
			continue;
		vscreen_put_pad(vs, x, y, ROLE_HEADER, 0, i18n_tr(cols_def[c].head),
		    w < cols - x ? w : cols - x);
		x += w + 1;
	}
}

/* A centred line of the list area. */
static void
centred(struct vscreen *vs, int y, int cols, enum theme_role role, const char *s)
{
	int w = text_width(s);

	vscreen_put_ellipsis(vs, w < cols ? (cols - w) / 2 : 0, y, role, 0, s, cols);
}

/* view_list_draw's row callback: found row i. */
struct list_ctx {
	const struct view_search *sv;
	const struct model *m;
};

static void
list_row(void *ctx, struct vscreen *vs, int line, size_t i)
{
	struct list_ctx *c = ctx;

	draw_row(vs, line, vscreen_cols(vs), c->m, &c->sv->found[i]);
}

static void
draw_list(struct view_search *sv, const struct model *m, struct vscreen *vs, int y, int y1)
{
	int cols = vscreen_cols(vs), ysel;

	draw_header(vs, y, cols);
	y++;
	sv->list_rows = y1 - y > 0 ? y1 - y : 1;
	/* with the prompt open, the list scrolls to the selection but does not show it */
	ysel = view_list_draw(vs, &(struct view_list){ .y = y, .y1 = y1, .n = sv->n,
	    .sel = sv->sel, .top = &sv->top, .no_sel = sv->mode == MODE_PROMPT,
	    .empty = sv->failed[0] ? sv->failed : i18n_tr(sv->loading ? "search.asking" :
	    sv->searched ? "search.none" : "search.intro"),
	    .empty_role = sv->failed[0] ? ROLE_ERROR : ROLE_DIM, .draw = list_row,
	    .ctx = &(struct list_ctx){ sv, m } });
	vscreen_set_cursor(vs, 0, ysel >= 0 ? ysel : y, false);
}

static void
draw_ticket(struct view_search *sv, const struct model *m, struct vscreen *vs, int y, int y1)
{
	const struct proto_ticket *t = &sv->ticket;
	int cols = vscreen_cols(vs);
	char a[64], b[64], line[512];
	size_t i;
	int r;

	if (!sv->held) {
		centred(vs, y + (y1 - y) / 3, cols, sv->failed[0] ? ROLE_ERROR : ROLE_DIM,
		    sv->failed[0] ? sv->failed : i18n_tr("search.reading"));
		return;
	}
	snprintf(line, sizeof line, "#%lld  %s  \xc2\xb7  %s  \xc2\xb7  %s  (%s)",
	    (long long)t->id, present_state(t->state), present_region(m->data, t->region),
	    present_fault(t->fault), i18n_tr("search.read_only"));
	vscreen_put_ellipsis(vs, 1, y++, ROLE_HEADER, 0, line, cols - 2);
	ticket_mask_phone(t->phone, a, sizeof a);
	snprintf(line, sizeof line, "%s  %s  %s  %s", t->customer, a, t->plate, t->model);
	if (y < y1)
		vscreen_put_ellipsis(vs, 1, y++, ROLE_NORMAL, 0, line, cols - 2);
	snprintf(line, sizeof line, "%s %s", t->address, t->landmark);
	if (y < y1)
		vscreen_put_ellipsis(vs, 1, y++, ROLE_NORMAL, 0, line, cols - 2);
	fmt_when(t->created, a, sizeof a);
	fmt_when(t->t_closed, b, sizeof b);
	snprintf(line, sizeof line, "%s %s  \xc2\xb7  %s %s", i18n_tr("search.col.created"), a,
	    i18n_tr("search.closed"), b);
	if (y < y1)
		vscreen_put_ellipsis(vs, 1, y++, ROLE_DIM, 0, line, cols - 2);
	if (y < y1)
		chrome_section(vs, 0, y++, cols, i18n_tr("detail.timeline"), NULL);
	if (sv->n_events > 0 && sv->scroll >= sv->n_events)
		sv->scroll = sv->n_events - 1;
	for (i = sv->scroll, r = 0; i < sv->n_events && y + r < y1; i++, r++) {
		const struct proto_event *e = &sv->events[i];

		fmt_when(e->ts, a, sizeof a);
		snprintf(line, sizeof line, "%s  %s  %s  %.300s", a, present_event_kind(e->kind),
		    e->user, e->detail);
		vscreen_put_ellipsis(vs, 1, y + r, ROLE_NORMAL, 0, line, cols - 2);
	}
	vscreen_set_cursor(vs, 0, y, false);
}

static void
search_draw(struct view *v, const struct model *m, struct vscreen *vs, const struct theme *th)
{
	struct view_search *sv = (struct view_search *)v;
	int cols = vscreen_cols(vs), rows = vscreen_rows(vs), y, y1;
	char left[256], right[128], keys[128];

	(void)th;
	if (view_too_small(cols, rows)) {
		view_draw_too_small(vs);
		return;
	}
	vscreen_fill(vs, 0, 0, cols, rows, ROLE_NORMAL, 0, L' ');
	snprintf(left, sizeof left, "%s \xe2\x94\x82 %s", i18n_tr("app.name"),
	    i18n_tr("search.title"));
	if (sv->searched)
		snprintf(right, sizeof right, "%s %zu%s", i18n_tr("search.found"), sv->n,
		    sv->next ? "+" : "");
	else
		right[0] = '\0';
	chrome_title(vs, m, left, right);
	if (chrome_banner_needed(m))
		chrome_banner(vs, 1, m);
	y = chrome_body_top(vs, m);
	y1 = chrome_body_end(vs);
	if ((sv->mode == MODE_PROMPT && sv->error[0] != '\0') ||
	    (sv->mode == MODE_LIST && sv->n > 0))
		y1--;	/* a line under the body: the prompt's error, or whether more remain */
	if (sv->mode == MODE_TICKET)
		draw_ticket(sv, m, vs, y, y1);
	else
		draw_list(sv, m, vs, y, y1);
	if (sv->mode == MODE_PROMPT && sv->error[0] != '\0')
		chrome_error(vs, y1, sv->error);
	else if (sv->mode == MODE_LIST && sv->n > 0)
		vscreen_put_ellipsis(vs, 1, y1, ROLE_DIM, 0, sv->failed[0] ? sv->failed :
		    i18n_tr(sv->loading ? "search.asking" : sv->next ? "search.more" :
		    "search.end"), cols - 2);
	chrome_status(vs, rows - 2, m);
	if (sv->mode == MODE_PROMPT) {
		chrome_keys_text(keys, sizeof keys, prompt_keys, 2);
		chrome_prompt(vs, rows - 1, i18n_tr("search.prompt"), &sv->edit, keys);
	} else if (sv->mode == MODE_LIST) {
		chrome_message(vs, rows - 1, m, list_hints, (int)ARRAY_LEN(list_hints));
	} else {
		chrome_message(vs, rows - 1, m, ticket_hints, (int)ARRAY_LEN(ticket_hints));
	}
}

/* ---- keys ---- */

static unsigned
prompt_key(struct view_search *sv, struct model *m, const struct key *k, enum keymap_action a)
{
	const char *why;
	char bad[64];

	switch (a) {
	case ACTION_OPEN:
		why = view_search_parse(lineedit_text(&sv->edit), &sv->args, bad, sizeof bad);
		if (why != NULL) {
			snprintf(sv->error, sizeof sv->error, "%s%s%s  \xc2\xb7  %s", i18n_tr(why),
			    present_colon(), bad, i18n_tr("search.syntax"));
			return UI_HANDLED | UI_REDRAW;
		}
		model_forget(m, sv);	/* the last query's answers are not wanted */
		sv->error[0] = sv->failed[0] = '\0';
		sv->n = sv->sel = sv->top = 0;
		sv->next = 0;
		sv->searched = true;
		sv->loading = false;
		sv->mode = MODE_LIST;
		sv->view.scope = SCOPE_BOARD;
		ask_page(sv, m, 0);
		return UI_HANDLED | UI_REDRAW;
	case ACTION_BACK:
		sv->error[0] = '\0';
		if (!sv->searched)
			return UI_HANDLED | UI_CLOSE;
		sv->mode = MODE_LIST;
		sv->view.scope = SCOPE_BOARD;
		return UI_HANDLED | UI_REDRAW;
	case ACTION_HELP:
	case ACTION_REDRAW:
	case ACTION_QUIT:
		return UI_NONE;
	default:
		if (lineedit_key(&sv->edit, k, a) == LINEEDIT_CHANGED)
			sv->error[0] = '\0';
		return UI_HANDLED | UI_REDRAW;
	}
}

static unsigned
list_key(struct view_search *sv, struct model *m, enum keymap_action a)
{
	size_t page = sv->list_rows > 1 ? (size_t)sv->list_rows - 1 : 1;
	bool at_end = sv->n == 0 || sv->sel + 1 >= sv->n;

	switch (a) {
	case ACTION_BACK:
		return UI_HANDLED | UI_CLOSE;
	case ACTION_FILTER:
	case ACTION_SEARCH:
		sv->mode = MODE_PROMPT;
		sv->view.scope = SCOPE_FORM;
		return UI_HANDLED | UI_REDRAW;
	case ACTION_OPEN:
		if (sv->n > 0)
			read_ticket(sv, m, sv->found[sv->sel].id);
		return UI_HANDLED | UI_REDRAW;
	case ACTION_MOVE_DOWN:
	case ACTION_PAGE_DOWN:
	case ACTION_END:
		/* past the last row: the next page, if the broker said there is one */
		if (at_end && sv->next != 0 && !sv->loading)
			ask_page(sv, m, sv->next);
		break;
	default:
		break;
	}
	if (!view_sel_move(&sv->sel, sv->n, page, a))
		return UI_NONE;
	if (sv->sel >= sv->n)	/* view_sel_move leaves the clamping to us */
		sv->sel = sv->n > 0 ? sv->n - 1 : 0;
	return UI_HANDLED | UI_REDRAW;
}

static unsigned
ticket_key(struct view_search *sv, enum keymap_action a)
{
	switch (a) {
	case ACTION_BACK:
		sv->mode = MODE_LIST;
		return UI_HANDLED | UI_REDRAW;
	case ACTION_MOVE_UP:
	case ACTION_PAGE_UP:
	case ACTION_HOME:
	case ACTION_MOVE_DOWN:
	case ACTION_PAGE_DOWN:
	case ACTION_END:
		view_sel_move(&sv->scroll, sv->n_events, 10, a);
		if (sv->n_events == 0 || sv->scroll >= sv->n_events)
			sv->scroll = sv->n_events > 0 ? sv->n_events - 1 : 0;
		return UI_HANDLED | UI_REDRAW;
	default:
		return UI_NONE;
	}
}

static unsigned
search_key(struct view *v, struct model *m, const struct key *k, enum keymap_action a)
{
	struct view_search *sv = (struct view_search *)v;

	switch (sv->mode) {
	case MODE_PROMPT:
		return prompt_key(sv, m, k, a);
	case MODE_LIST:
		return list_key(sv, m, a);
	case MODE_TICKET:
		return ticket_key(sv, a);
	}
	return UI_NONE;
}

static void
search_destroy(struct view *v)
{
	struct view_search *sv = (struct view_search *)v;

	lineedit_finish(&sv->edit);
	free(sv->found);
	free(sv->events);
	free(sv);
}

static const struct view_ops search_ops = {
	.name = "search",
	.draw = search_draw,
	.key = search_key,
	.destroy = search_destroy,
};

struct view *
view_search_create(struct model *m)
{
	struct view_search *sv = xcalloc(1, sizeof *sv);

	(void)m;
	sv->view.ops = &search_ops;
	sv->view.scope = SCOPE_FORM;
	sv->mode = MODE_PROMPT;
	sv->list_rows = 1;
	lineedit_init(&sv->edit, QUERY_MAX);
	return &sv->view;
}
