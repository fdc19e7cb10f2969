/* view-board.c: the ticket board (see view-board.h). */
#include "view-board.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "board.h"
#include "call.h"
#include "contact.h"
#include "chrome.h"
#include "i18n.h"
#include "lineedit.h"
#include "model.h"
#include "own.h"
#include "present.h"
#include "text.h"
#include "ticket.h"
#include "util.h"

enum col {
	COL_MARK,
	COL_ID,
	COL_AGE,
	COL_STATE,
	COL_CUSTOMER,
	COL_PHONE,
	COL_PLACE,
	COL_FAULT,
	COL_TRUCK,
	COL_ETA,
	COL_DUE,
	COL_OWNER,
	COL_REGION,
	COL_COUNT
};

#define PLACE_MIN 14
#define PLACE_MID 24		/* extra width goes to place up to this, */
#define CUSTOMER_MAX 16		/* then to the customer up to this, then to place */

/* head: catalog key of the header; drop: 0 always shown, else dropped in decreasing order
 * when the width is short. */
static const struct {
	const char *head;
	int width;
	int drop;
	bool right;
} cols_def[COL_COUNT] = {
	[COL_MARK] = { NULL, 2, 0, false },	/* the warning (or escalation), then the flag */
	[COL_ID] = { "board.col.id", 4, 0, true },
	[COL_AGE] = { "board.col.age", 5, 1, true },
	[COL_STATE] = { "board.col.state", 10, 0, false },
	[COL_CUSTOMER] = { "board.col.customer", 10, 0, false },
	[COL_PHONE] = { "board.col.phone", 13, 2, false },
	[COL_PLACE] = { "board.col.place", PLACE_MIN, 0, false },
	[COL_FAULT] = { "board.col.fault", 10, 0, false },
	[COL_TRUCK] = { "board.col.truck", 10, 0, false },
	[COL_ETA] = { "board.col.eta", 5, 0, true },
	[COL_DUE] = { "board.col.due", 5, 0, true },
	[COL_OWNER] = { "board.col.owner", 9, 3, false },	/* who owns its warnings */
	[COL_REGION] = { "board.col.region", 9, 4, false },
};

struct layout {
	bool on[COL_COUNT];
	int x[COL_COUNT];
	int w[COL_COUNT];
};

/* The prompt open on the board's last line. */
enum prompt { PROMPT_NONE, PROMPT_FILTER, PROMPT_FIND };

struct view_board {
	struct view view;	/* first member */
	struct contact contact;	/* I: the customer's raw contact while shown (contact.h) */
	enum prompt prompt;
	struct lineedit edit;
	char error[256];	/* the prompt's last error, in words */
	size_t top;		/* first row shown */
	int list_rows;		/* list height at the last draw */
	int list_y;		/* screen row of the first list row at the last draw */
};

/* The hint bar: what the role may use (the op the key leads to), at 80 columns by rank: the
 * list and help first, a supervisor's screens before sorting and a new call, the map,
 * the contact and the surveys where there is room. */
#define ANY PROTO_MSG_COUNT
static const struct chrome_hint hints[] = {
	{ { ACTION_OPEN, ACTION_NONE, "board.hint.open" }, ANY, 0 },
	{ { ACTION_FILTER, ACTION_NONE, "board.hint.filter" }, ANY, 2 },
	{ { ACTION_SORT, ACTION_NONE, "board.hint.sort" }, ANY, 4 },
	{ { ACTION_NEW_INTAKE, ACTION_NONE, "board.hint.new" }, PROTO_MSG_intake_create, 5 },
	{ { ACTION_KPI, ACTION_NONE, "hint.kpi" }, PROTO_MSG_stats_kpi, 3 },
	{ { ACTION_SUPPLIERS, ACTION_NONE, "hint.suppliers" }, PROTO_MSG_stats_board, 3 },
	{ { ACTION_AGENTS, ACTION_NONE, "hint.agents" }, PROTO_MSG_stats_board, 3 },
	{ { ACTION_SURVEYS, ACTION_NONE, "hint.surveys" }, PROTO_MSG_stats_kpi, 9 },
	{ { ACTION_MAP, ACTION_NONE, "hint.map" }, PROTO_MSG_ticket_track, 7 },
	{ { ACTION_CONTACT, ACTION_NONE, "hint.contact" }, PROTO_MSG_ticket_contact, 8 },
	{ { ACTION_HELP, ACTION_NONE, "hint.help" }, ANY, 1 },
	{ { ACTION_QUIT, ACTION_NONE, "hint.quit" }, ANY, 6 },
};
#undef ANY

static const char *const prompt_keys[] = {
	"Enter", "prompt.apply", "Esc", "prompt.cancel",
};

static int
digits(int64_t v)
{
	int n = 1;

	while (v >= 10) {
		v /= 10;
		n++;
	}
	return n;
}

/* Widen *w towards max by at most extra columns; returns the columns added. */
static int
grow(int *w, int max, int extra)
{
	int add = max - *w < extra ? max - *w : extra;

	if (add <= 0)
		return 0;
	*w += add;
	return add;
}

static void
lay_out(struct layout *l, int cols, const struct board *b)
{
	int i, total, n, drop, extra, add, idw = cols_def[COL_ID].width;
	size_t r;

	for (r = 0; r < b->n; r++) {
		if (digits(b->rows[r]->id) > idw)
			idw = digits(b->rows[r]->id);
	}
	for (i = 0; i < COL_COUNT; i++) {
		l->on[i] = true;
		l->w[i] = i == COL_ID ? idw : cols_def[i].width;
	}
	for (;;) {
		total = 0;
		n = 0;
		for (i = 0; i < COL_COUNT; i++) {
			if (l->on[i]) {
				total += l->w[i];
				n++;
			}
		}
		total += n - 1;		/* one space between columns */
		if (total <= cols)
			break;
		drop = -1;
		for (i = 0; i < COL_COUNT; i++) {
			if (l->on[i] && cols_def[i].drop > 0 &&
			    (drop < 0 || cols_def[i].drop > cols_def[drop].drop))
				drop = i;
		}
		if (drop < 0)
			break;
		l->on[drop] = false;
	}
	extra = cols - total;
	add = grow(&l->w[COL_PLACE], PLACE_MID, extra);
	extra -= add;
	add = grow(&l->w[COL_CUSTOMER], CUSTOMER_MAX, extra);
	extra -= add;
	if (extra > 0)
		l->w[COL_PLACE] += extra;
	total = 0;
	for (i = 0; i < COL_COUNT; i++) {
		l->x[i] = total;
		if (l->on[i])
			total += l->w[i] + 1;
	}
}

static void
cell(struct vscreen *vs, const struct layout *l, enum col c, int y, enum theme_role role,
    const char *text)
{
	if (!l->on[c])
		return;
	if (cols_def[c].right)
		vscreen_put_right(vs, l->x[c], y, role, 0, text, l->w[c]);
	else
		vscreen_put_pad(vs, l->x[c], y, role, 0, text, l->w[c]);
}

static void
draw_header(struct vscreen *vs, const struct layout *l, int y)
{
	int i;

	vscreen_fill(vs, 0, y, vscreen_cols(vs), 1, ROLE_HEADER, 0, L' ');
	for (i = 0; i < COL_COUNT; i++) {
		if (cols_def[i].head != NULL)
			cell(vs, l, (enum col)i, y, ROLE_HEADER, i18n_tr(cols_def[i].head));
	}
}

/* found: the find matches t (its id shows in reverse video). */
static void
draw_row(struct vscreen *vs, const struct layout *l, int y, const struct model *m,
    const struct proto_ticket *t, bool found)
{
	char buf[64];
	int s = ticket_state_parse(t->state), warn = model_warn_level(m, t->id);
	bool closed = s >= 0 && ticket_state_final((enum ticket_state)s);
	bool escalated = !closed && own_escalated(m, t);
	const char *owner = closed ? NULL : own_owner(m, t->id);
	enum theme_role base = closed ? ROLE_DIM : ROLE_NORMAL;
	enum present_due due = present_due(m->data != NULL ? &m->data->sla : NULL, t, m->now,
	    warn);

	vscreen_fill(vs, 0, y, vscreen_cols(vs), 1, base, 0, L' ');
	if (escalated)	/* a supervisor's: it outranks the warning's own mark */
		cell(vs, l, COL_MARK, y, ROLE_LATE, OWN_MARK_ESCALATED);
	else if (warn > 0 && !closed)
		cell(vs, l, COL_MARK, y, warn >= 2 ? ROLE_LATE : ROLE_WARN,
		    warn >= 2 ? THEME_MARK_RED : THEME_MARK_AMBER);
	if (present_flag_glyph((uint32_t)t->flags) != NULL && !closed)
		vscreen_put(vs, l->x[COL_MARK] + 1, y, ROLE_WARN, 0,
		    present_flag_glyph((uint32_t)t->flags), 1);
	snprintf(buf, sizeof buf, "%lld", (long long)t->id);
	cell(vs, l, COL_ID, y, base, buf);
	if (found)
		vscreen_paint(vs, l->x[COL_ID], y, l->w[COL_ID], base, THEME_REVERSE);
	model_fmt_minutes(m->now > t->created ? m->now - t->created : 0, buf, sizeof buf);
	cell(vs, l, COL_AGE, y, base, buf);
	if (model_ticket_awaits_choice(m, t))	/* new, and no broker will offer it */
		cell(vs, l, COL_STATE, y, ROLE_WARN, i18n_tr("board.choose"));
	else
		cell(vs, l, COL_STATE, y, base, present_state(t->state));
	cell(vs, l, COL_CUSTOMER, y, base, t->customer);
	ticket_mask_phone(t->phone, buf, sizeof buf);
	cell(vs, l, COL_PHONE, y, base, buf);
	cell(vs, l, COL_PLACE, y, base, t->landmark[0] != '\0' ? t->landmark : t->address);
	cell(vs, l, COL_FAULT, y, base, present_fault(t->fault));
	if (t->truck[0] != '\0')
		cell(vs, l, COL_TRUCK, y, base, t->truck);
	else if (!closed)
		cell(vs, l, COL_TRUCK, y, ROLE_DIM, "-");
	if (present_before_scene(t)) {
		if (present_eta_known(t)) {
			model_fmt_minutes(t->eta - m->now, buf, sizeof buf);
			cell(vs, l, COL_ETA, y,
			    strcmp(t->eta_src, "stale") == 0 ? ROLE_DIM : base, buf);
		} else
			cell(vs, l, COL_ETA, y, ROLE_DIM, "-");
		if (t->promised > 0) {
			model_fmt_minutes(t->promised - m->now, buf, sizeof buf);
			cell(vs, l, COL_DUE, y, present_due_role(due), buf);
		}
	}
	if (owner != NULL)
		cell(vs, l, COL_OWNER, y, base, owner);
	else if (escalated)
		cell(vs, l, COL_OWNER, y, ROLE_LATE, i18n_tr("own.escalated"));
	cell(vs, l, COL_REGION, y, base, present_region(m->data, t->region));
}

/* The region named by a region: word of the filter, or NULL; the other words go to rest. */
static const char *
split_filter(const char *filter, char *region, size_t rsz, char *rest, size_t restsz)
{
	char buf[BOARD_FILTER_MAX + 1], *save = NULL, *w;
	const char *found = NULL;
	size_t len;

	rd_strlcpy(buf, filter, sizeof buf);
	rest[0] = '\0';
	for (w = strtok_r(buf, " ", &save); w != NULL; w = strtok_r(NULL, " ", &save)) {
		if (strncmp(w, "region:", 7) == 0 && found == NULL && w[7] != '\0') {
			rd_strlcpy(region, w + 7, rsz);
			found = region;
			continue;
		}
		len = strlen(rest);
		snprintf(rest + len, restsz - len, "%s%s", len > 0 ? " " : "", w);
	}
	return found;
}

static void
draw_title(struct vscreen *vs, const struct model *m)
{
	char left[512], right[128], region[64], rest[BOARD_FILTER_MAX + 1], sortkey[48];
	const char *reg = split_filter(m->board.filter, region, sizeof region, rest,
	    sizeof rest);
	size_t open = m->n_open, len;
	snprintf(sortkey, sizeof sortkey, "sort.%s", board_sort_name(m->board.sort));
	snprintf(left, sizeof left, "%s \xe2\x94\x82 ", i18n_tr("app.name"));
	len = strlen(left);
	if (reg != NULL)
		snprintf(left + len, sizeof left - len, "%s %s", i18n_tr("board.region"),
		    present_region(m->data, reg));
	else
		snprintf(left + len, sizeof left - len, "%s", i18n_tr("board.all_regions"));
	len = strlen(left);
	if (rest[0] != '\0')
		snprintf(left + len, sizeof left - len, " \xc2\xb7 %s %s", i18n_tr("board.filter"),
		    rest);
	len = strlen(left);
	snprintf(left + len, sizeof left - len, " \xc2\xb7 %s %s", i18n_tr("board.sort"),
	    i18n_tr(sortkey));
	len = strlen(left);
	if (m->board.find[0] != '\0')
		snprintf(left + len, sizeof left - len, " \xc2\xb7 %s %s", i18n_tr("board.find"),
		    m->board.find);
	if (m->board.n != m->board.total)
		snprintf(right, sizeof right, "%s %zu/%zu \xc2\xb7 %s %zu", i18n_tr("board.shown"),
		    m->board.n, m->board.total, i18n_tr("board.open"), open);
	else
		snprintf(right, sizeof right, "%s %zu \xc2\xb7 %s %zu", i18n_tr("board.open"), open,
		    i18n_tr("board.total"), m->board.total);
	chrome_title(vs, m, left, right);
}

static void
draw_empty(struct vscreen *vs, const struct model *m, int y0, int y1)
{
	char line[512];
	const char *l1, *l2 = NULL;
	int cols = vscreen_cols(vs), y = y0 + (y1 - y0) / 3, w;

	if (m->board.total == 0) {
		l1 = i18n_tr(m->conn == MODEL_LIVE ? "board.empty" : "board.empty_wait");
	} else {
		snprintf(line, sizeof line, "%s%s%zu  \xc2\xb7  %s", i18n_tr("board.hidden"),
		    present_colon(), m->board.total - m->board.n, i18n_tr("board.hidden_hint"));
		l1 = i18n_tr("board.no_match");
		l2 = line;
	}
	w = text_width(l1);
	vscreen_put_ellipsis(vs, w < cols ? (cols - w) / 2 : 0, y, ROLE_NORMAL, 0, l1, cols);
	if (l2 != NULL) {
		w = text_width(l2);
		vscreen_put_ellipsis(vs, w < cols ? (cols - w) / 2 : 0, y + 1, ROLE_DIM, 0, l2,
		    cols);
	}
	if (m->board.filter[0] != '\0' && l2 != NULL) {
		snprintf(line, sizeof line, "%s %s", i18n_tr("board.filter"), m->board.filter);
		w = text_width(line);
		vscreen_put_ellipsis(vs, w < cols ? (cols - w) / 2 : 0, y + 2, ROLE_DIM, 0,
		    line, cols);
	}
}

/* The scroll mark in the header's mark column: rows hidden above (↑), below (↓) or both
 * (↕); nothing when the whole list fits. */
static void
draw_scroll_marks(struct vscreen *vs, int y, size_t top, size_t rows, size_t n)
{
	bool above = top > 0, below = top + rows < n;

	if (above || below)
		vscreen_put(vs, 0, y, ROLE_HEADER, THEME_BOLD, above && below ? "\xe2\x86\x95" :
		    above ? "\xe2\x86\x91" : "\xe2\x86\x93", 1);
}

/* view_list_draw's row callback: board row i. */
struct list_ctx {
	const struct layout *l;
	const struct model *m;
};

static void
list_row(void *ctx, struct vscreen *vs, int line, size_t i)
{
	struct list_ctx *c = ctx;
	const struct proto_ticket *t = c->m->board.rows[i];

	draw_row(vs, c->l, line, c->m, t, board_found(&c->m->board, t));
}

static void
board_draw(struct view *v, const struct model *m, struct vscreen *vs, const struct theme *t)
{
	struct view_board *vb = (struct view_board *)v;
	const struct board *b = &m->board;
	int cols = vscreen_cols(vs), rows = vscreen_rows(vs), y0, y1, ysel;
	struct layout l;
	char keys[128];

	(void)t;
	if (view_too_small(cols, rows)) {
		view_draw_too_small(vs);
		return;
	}
	vscreen_fill(vs, 0, 0, cols, rows, ROLE_NORMAL, 0, L' ');
	draw_title(vs, m);
	if (chrome_banner_needed(m))
		chrome_banner(vs, 1, m);
	y0 = chrome_body_top(vs, m);
	y1 = chrome_body_end(vs);
	if (vb->prompt && vb->error[0] != '\0')
		y1--;
	lay_out(&l, cols, b);
	draw_header(vs, &l, y0++);
	vb->list_rows = y1 - y0 > 0 ? y1 - y0 : 1;
	if (b->n == 0)
		draw_empty(vs, m, y0, y1);
	vb->list_y = y0;
	/* The model is const here: the view keeps its own top. The selection bar leaves the
	 * mark its urgency colour. */
	ysel = view_list_draw(vs, &(struct view_list){ .y = y0, .y1 = y1, .n = b->n,
	    .sel = b->sel_index, .top = &vb->top, .keep_mark = true, .draw = list_row,
	    .ctx = &(struct list_ctx){ &l, m } });
	draw_scroll_marks(vs, y0 - 1, vb->top, (size_t)vb->list_rows, b->n);

	if (vb->prompt && vb->error[0] != '\0')
		chrome_error(vs, y1, vb->error);
	chrome_status(vs, rows - 2, m);
	if (vb->prompt) {
		chrome_keys_text(keys, sizeof keys, prompt_keys, 2);
		chrome_prompt(vs, rows - 1, i18n_tr(vb->prompt == PROMPT_FIND ?
		    "board.find_prompt" : "board.prompt"), &vb->edit, keys);
	} else {
		chrome_hints(vs, rows - 1, m, hints, (int)ARRAY_LEN(hints));
		/* Screen readers follow the cursor: park it on the selection. */
		vscreen_set_cursor(vs, 0, ysel >= 0 ? ysel : y0, false);
	}
	contact_draw(&vb->contact, vs);	/* I: the raw contact, over the board, never in it */
}

/* The board's lookup (board.h) over the model: labels as present.h words them, standings
 * as model_refresh counts them. */
static const char *
look_label(void *ctx, enum board_field f, const char *code)
{
	const struct model *m = ctx;

	switch (f) {
	case BOARD_FIELD_STATE:
		return present_state(code);
	case BOARD_FIELD_FAULT:
		return present_fault(code);
	case BOARD_FIELD_REGION:
		return present_region(m->data, code);
	}
	return NULL;
}

static unsigned
look_is(void *ctx, const struct proto_ticket *t)
{
	const struct model *m = ctx;
	int warn = model_warn_level(m, t->id);
	unsigned bits = 0;

	if (present_before_scene(t)) {
		enum present_due d = present_due(m->data != NULL ? &m->data->sla : NULL, t,
		    m->now, warn);
		bits |= d == PRESENT_DUE_LATE ? BOARD_IS_MASK(LATE) : 0;
		bits |= d == PRESENT_DUE_SOON ? BOARD_IS_MASK(RISK) : 0;
	}
	bits |= warn > 0 ? BOARD_IS_MASK(WARN) : 0;
	bits |= model_ticket_awaits_choice(m, t) ? BOARD_IS_MASK(WAITING) : 0;
	/* Mine: the calls this user took (the ticket's created_by; tickets from a broker
	 * that does not send it are nobody's). */
	bits |= m->user[0] != '\0' && strcmp(t->created_by, m->user) == 0 ?
	    BOARD_IS_MASK(MINE) : 0;
	return bits;
}

/* Case-insensitive (ASCII) prefix; bytes beyond ASCII compare as they are. */
static bool
has_prefix(const char *s, const char *p)
{
	size_t n = strlen(p);
	return n > 0 && strncasecmp(s, p, n) == 0;
}

static bool
look_region_known(void *ctx, const char *p)
{
	const struct model *m = ctx;

	if (m->data == NULL)
		return true;	/* nothing to check against: let it filter */
	for (size_t i = 0; i < m->data->n_regions; i++) {
		const struct data_region *r = &m->data->regions[i];
		if (has_prefix(r->id, p) || has_prefix(r->name, p) || has_prefix(r->name_zh, p))
			return true;
	}
	return false;
}

/* Point the board's filter at this model (the model does not move while the view lives). */
static void
set_lookup(struct model *m)
{
	m->board.look.label = look_label;
	m->board.look.is = look_is;
	m->board.look.region_known = look_region_known;
	m->board.look.ctx = m;
}

/* Move to the find's next match (dir as board_find) and say so when none or wrapped. */
static void
find_step(struct model *m, int dir)
{
	struct board *b = &m->board;

	if (b->find[0] == '\0') {
		model_message(m, true, "%s", i18n_tr("board.find_unset"));
		return;
	}
	switch (board_find(b, dir)) {
	case BOARD_FIND_NONE:
		model_message(m, true, "%s%s%s", i18n_tr("board.find_none"), present_colon(),
		    b->find);
		break;
	case BOARD_FIND_WRAPPED:
		model_message(m, false, "%s", i18n_tr(dir < 0 ? "board.find_wrapped_up" :
		    "board.find_wrapped"));
		break;
	case BOARD_FIND_MOVED:
		break;
	}
}

/* Apply the prompt's filter or find; false (and an error in words) if the board refused
 * it. */
static bool
apply_filter(struct view_board *vb, struct model *m)
{
	const char *text = lineedit_text(&vb->edit), *why, *key, *hint;
	char buf[BOARD_FILTER_MAX + 1], *save = NULL, *w, bad[64] = "";
	struct board scratch;

	set_lookup(m);
	why = vb->prompt == PROMPT_FIND ? board_set_find(&m->board, text) :
	    board_set_filter(&m->board, text);
	if (why == NULL) {
		vb->error[0] = '\0';
		if (vb->prompt == PROMPT_FIND) {
			if (m->board.find[0] != '\0')
				find_step(m, 0);
		} else
			model_refresh(m, m->now);
		return true;
	}
	/* Name the word at fault: try each word alone on a scratch board. */
	board_init(&scratch);
	scratch.look = m->board.look;
	rd_strlcpy(buf, text, sizeof buf);
	for (w = strtok_r(buf, " ", &save); w != NULL; w = strtok_r(NULL, " ", &save)) {
		if (board_set_filter(&scratch, w) != NULL) {
			rd_strlcpy(bad, w, sizeof bad);
			break;
		}
	}
	board_finish(&scratch);
	if (strcmp(why, BOARD_BAD_STATE) == 0)
		key = "board.bad_state", hint = "board.bad_state_hint";
	else if (strcmp(why, BOARD_BAD_REGION) == 0)
		key = "board.bad_region", hint = "board.bad_region_hint";
	else if (strcmp(why, BOARD_BAD_IS) == 0)
		key = "board.bad_is", hint = "board.bad_is_hint";
	else {	/* a reason this view does not know yet: English beats nothing */
		snprintf(vb->error, sizeof vb->error, "%s%s%s", i18n_tr("board.bad_filter"),
		    present_colon(), why);
		return false;
	}
	snprintf(vb->error, sizeof vb->error, "%s%s%s  \xc2\xb7  %s", i18n_tr(key),
	    present_colon(), bad[0] != '\0' ? bad : text, i18n_tr(hint));
	return false;
}

static unsigned
prompt_key(struct view_board *vb, struct model *m, const struct key *k, enum keymap_action a)
{
	switch (a) {
	case ACTION_OPEN:
		if (!apply_filter(vb, m))
			return UI_HANDLED | UI_REDRAW;
		break;
	case ACTION_BACK:
		break;
	case ACTION_HELP:
	case ACTION_REDRAW:
	case ACTION_QUIT:
		return UI_NONE;
	default:
		if (lineedit_key(&vb->edit, k, a) == LINEEDIT_CHANGED)
			vb->error[0] = '\0';
		return UI_HANDLED | UI_REDRAW;
	}
	vb->prompt = PROMPT_NONE;
	vb->error[0] = '\0';
	vb->view.scope = SCOPE_BOARD;
	board_scroll(&m->board, (size_t)vb->list_rows);
	return UI_HANDLED | UI_REDRAW;
}

static unsigned
board_key(struct view *v, struct model *m, const struct key *k, enum keymap_action a)
{
	struct view_board *vb = (struct view_board *)v;
	struct board *b = &m->board;
	size_t page = vb->list_rows > 1 ? (size_t)vb->list_rows - 1 : 1, i = b->sel_index;
	const struct proto_ticket *sel = board_selected(b);

	if (contact_open(&vb->contact))
		return contact_close(&vb->contact);	/* any key closes the box */
	if (vb->prompt)
		return prompt_key(vb, m, k, a);
	if (view_sel_move(&i, b->n, page, a)) {
		board_move(b, (long)i - (long)b->sel_index);	/* clamps */
		board_scroll(b, (size_t)vb->list_rows);
		return UI_HANDLED | UI_REDRAW;
	}
	switch (a) {
	case ACTION_FILTER:
	case ACTION_FIND:
		vb->prompt = a == ACTION_FIND ? PROMPT_FIND : PROMPT_FILTER;
		vb->error[0] = '\0';
		lineedit_set(&vb->edit, a == ACTION_FIND ? b->find : b->filter);
		vb->view.scope = SCOPE_FORM;
		return UI_HANDLED | UI_REDRAW;
	case ACTION_FIND_NEXT:
	case ACTION_FIND_PREV:
		find_step(m, a == ACTION_FIND_NEXT ? 1 : -1);
		break;
	case ACTION_BACK:
		if (b->find[0] == '\0')
			return UI_NONE;
		b->find[0] = '\0';	/* Esc first puts the find away, then asks to quit */
		break;
	case ACTION_SORT:
		b->sort = (enum board_sort)((b->sort + 1) % BOARD_SORT_COUNT);
		model_refresh(m, m->now);
		break;
	case ACTION_OPEN:
	case ACTION_NOTE:
	case ACTION_SET_STATE:
	case ACTION_CANCEL_TICKET:
	case ACTION_ASSIGN:
		if (sel == NULL)
			return UI_HANDLED;
		return view_want(v, VIEW_DETAIL, sel->id, a);
	case ACTION_NEW_INTAKE:
		return view_want(v, VIEW_INTAKE, 0, ACTION_NONE);
	case ACTION_KPI:
		return view_want(v, VIEW_KPI, 0, ACTION_NONE);
	case ACTION_SUPPLIERS:	/* the supervisors' boards */
	case ACTION_AGENTS:
		return view_want(v, a == ACTION_SUPPLIERS ? VIEW_SUPPLIERS : VIEW_AGENTS, 0,
		    ACTION_NONE);
	case ACTION_SURVEYS:
		return view_want(v, VIEW_SURVEYS, 0, ACTION_NONE);
	case ACTION_MAP:	/* centred on the selected ticket */
		return view_want(v, VIEW_MAP, sel != NULL ? sel->id : 0, ACTION_NONE);
	case ACTION_SEARCH:
		return view_want(v, VIEW_SEARCH, 0, ACTION_NONE);
	case ACTION_DIAG_QUEUE:
		return view_want(v, VIEW_DIAG_QUEUE, 0, ACTION_NONE);
	case ACTION_DIAG_START:
		if (sel == NULL)
			return UI_HANDLED;
		return view_want(v, VIEW_FLOW, sel->id, ACTION_DIAG_START);
	case ACTION_COMPLAINT:	/* a new complaint about the selected ticket */
		if (sel == NULL)
			return UI_HANDLED;
		v->open.complaint = 0;
		return view_want(v, VIEW_COMPLAINT, sel->id, ACTION_NONE);
	case ACTION_COMPLAINTS:
		return view_want(v, VIEW_COMPLAINTS, 0, ACTION_NONE);
	case ACTION_TELL:
		return sel == NULL ? UI_HANDLED : view_want(v, VIEW_TELL, sel->id, ACTION_NONE);
	case ACTION_OWN:	/* the selected ticket's warnings: the answer names the owner */
		if (sel != NULL)
			own_ack(m, sel->id);
		break;
	case ACTION_ESCALATE:
		if (sel == NULL)
			return UI_HANDLED;
		return view_want(v, VIEW_ESCALATE, sel->id, ACTION_NONE);
	case ACTION_CALL_CUSTOMER:
		return sel == NULL ? UI_HANDLED : call_customer(m, sel->id);
	case ACTION_CONTACT:
		return sel == NULL ? UI_HANDLED : contact_ask(&vb->contact, m, v, sel->id, NULL);
	default:
		return UI_NONE;
	}
	board_scroll(b, (size_t)vb->list_rows);
	return UI_HANDLED | UI_REDRAW;
}

unsigned
view_board_click(struct view *v, struct model *m, int x, int y)
{
	struct view_board *vb = (struct view_board *)v;
	struct board *b = &m->board;
	size_t row;

	(void)x;
	if (vb->prompt || y < vb->list_y || y >= vb->list_y + vb->list_rows)
		return UI_NONE;
	row = vb->top + (size_t)(y - vb->list_y);
	if (row >= b->n)
		return UI_NONE;
	board_move(b, (long)row - (long)b->sel_index);
	return UI_HANDLED | UI_REDRAW;
}

static void
board_destroy(struct view *v)
{
	struct view_board *vb = (struct view_board *)v;

	lineedit_finish(&vb->edit);
	free(vb);
}

static const struct view_ops board_ops = {
	.name = "board",
	.draw = board_draw,
	.key = board_key,
	.destroy = board_destroy,
};

bool
view_board_is(const struct view *v)
{
	return v != NULL && v->ops == &board_ops;
}

struct view *
view_board_create(void)
{
	struct view_board *vb = xcalloc(1, sizeof *vb);

	vb->view.ops = &board_ops;
	vb->view.scope = SCOPE_BOARD;
	vb->list_rows = 1;
	lineedit_init(&vb->edit, BOARD_FILTER_MAX);
	return &vb->view;
}
