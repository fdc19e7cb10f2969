/* view.c: helpers shared by views: title bar, key hints, "terminal too small", a selection
 * that follows its ticket. */
#include "view.h"

#include <stdio.h>
#include <string.h>

#include "i18n.h"
#include "proto.h"
#include "text.h"

bool
view_too_small(int cols, int rows)
{
	return cols < VIEW_MIN_COLS || rows < VIEW_MIN_ROWS;
}

void
view_draw_too_small(struct vscreen *vs)
{
	int cols = vscreen_cols(vs), rows = vscreen_rows(vs), i, w, x, y0;
	char need[128], have[128];
	const char *lines[4];
	enum theme_role roles[4] = { ROLE_WARN, ROLE_NORMAL, ROLE_NORMAL, ROLE_DIM };

	snprintf(need, sizeof need, "%s %dx%d", i18n_tr("small.need"), VIEW_MIN_COLS,
	    VIEW_MIN_ROWS);
	snprintf(have, sizeof have, "%s %dx%d", i18n_tr("small.have"), cols, rows);
	lines[0] = i18n_tr("small.title");
	lines[1] = need;
	lines[2] = have;
	lines[3] = i18n_tr("small.hint");

	vscreen_fill(vs, 0, 0, cols, rows, ROLE_NORMAL, 0, L' ');
	vscreen_set_cursor(vs, 0, 0, false);
	y0 = rows > 4 ? (rows - 4) / 2 : 0;
	for (i = 0; i < 4 && y0 + i < rows; i++) {
		w = text_width(lines[i]);
		x = w < cols ? (cols - w) / 2 : 0;
		vscreen_put_ellipsis(vs, x, y0 + i, roles[i], 0, lines[i], cols - x);
	}
}

void
view_draw_title(struct vscreen *vs, int y, const char *title, const char *right)
{
	int cols = vscreen_cols(vs), rw = right != NULL ? text_width(right) : 0, avail;

	vscreen_fill(vs, 0, y, cols, 1, ROLE_TITLE, 0, L' ');
	if (rw > 0 && rw + 4 > cols)
		rw = 0;		/* no room for both: the title wins */
	avail = cols - 2 - (rw > 0 ? rw + 2 : 0);
	vscreen_put_ellipsis(vs, 1, y, ROLE_TITLE, 0, title, avail);
	if (rw > 0)
		vscreen_put(vs, cols - 1 - rw, y, ROLE_TITLE, 0, right, rw);
}

void
view_hint_keys(const struct view_hint *h, char *buf, size_t sz)
{
	struct key k;
	size_t n;

	buf[0] = '\0';
	if (keymap_action_keys(h->a, &k, 1) > 0)
		keymap_key_name(&k, buf, sz);
	if (h->b != ACTION_NONE && keymap_action_keys(h->b, &k, 1) > 0) {
		n = strlen(buf);
		if (n + 2 < sz) {
			buf[n] = '/';
			keymap_key_name(&k, buf + n + 1, sz - n - 1);
		}
	}
}

void
view_draw_hints(struct vscreen *vs, int y, const struct view_hint *hints, int n)
{
	int cols = vscreen_cols(vs), x = 1, i, kw, lw;
	const char *label;
	char keys[40];

	vscreen_fill(vs, 0, y, cols, 1, ROLE_KEY_HINT, 0, L' ');
	for (i = 0; i < n; i++) {
		view_hint_keys(&hints[i], keys, sizeof keys);
		label = i18n_tr(hints[i].label);
		kw = text_width(keys);
		lw = text_width(label);
		if (x + kw + 1 + lw > cols - 1)
			break;
		vscreen_put(vs, x, y, ROLE_KEY, 0, keys, kw);
		vscreen_put(vs, x + kw + 1, y, ROLE_KEY_HINT, 0, label, lw);
		x += kw + 1 + lw + 2;
	}
}

void
view_sel_follow(const struct proto_ticket *const *list, size_t n, size_t *sel,
    int64_t *sel_id)
{
	if (n == 0) {
		*sel = 0;
		*sel_id = 0;
		return;
	}
	for (size_t i = 0; i < n; i++) {
		if (list[i]->id == *sel_id) {
			*sel = i;
			return;
		}
	}
	if (*sel >= n)
		*sel = n - 1;
	*sel_id = list[*sel]->id;
}

bool
view_sel_move(size_t *sel, size_t n, size_t page, enum keymap_action a)
{
	switch (a) {
	case ACTION_MOVE_UP:
		*sel = *sel > 0 ? *sel - 1 : 0;
		return true;
	case ACTION_MOVE_DOWN:
		(*sel)++;
		return true;
	case ACTION_PAGE_UP:
		*sel = *sel > page ? *sel - page : 0;
		return true;
	case ACTION_PAGE_DOWN:
		*sel += page;
		return true;
	case ACTION_HOME:
		*sel = 0;
		return true;
	case ACTION_END:
		*sel = n > 0 ? n - 1 : 0;
		return true;
	default:
		return false;
	}
}

int
view_draw_list(struct vscreen *vs, int y, int y1, size_t n, size_t sel, size_t *top,
    const char *empty, enum theme_role empty_role,
    void (*draw)(void *ctx, struct vscreen *vs, int line, size_t i), void *ctx)
{
	struct view_list l = { .y = y, .y1 = y1, .n = n, .sel = sel, .top = top,
		.empty = empty, .empty_role = empty_role, .draw = draw, .ctx = ctx };

	return view_list_draw(vs, &l);
}

int
view_list_draw(struct vscreen *vs, const struct view_list *l)
{
	int y = l->y, y1 = l->y1;
	size_t n = l->n, sel = l->sel, *top = l->top;
	size_t rows = y1 - y > 0 ? (size_t)(y1 - y) : 1;
	int cols = vscreen_cols(vs), ysel = -1;

	if (n <= rows) {
		*top = 0;
	} else {
		if (sel < *top)
			*top = sel;
		if (sel >= *top + rows)
			*top = sel - rows + 1;
		if (*top > n - rows)
			*top = n - rows;
	}
	if (n == 0 && y < y1 && l->empty != NULL) {
		int w = text_width(l->empty);

		vscreen_put_ellipsis(vs, w < cols ? (cols - w) / 2 : 0, y + (y1 - y) / 3,
		    l->empty_role, 0, l->empty, cols);
	}
	for (size_t r = 0; r < rows && y + (int)r < y1 && *top + r < n; r++) {
		int line = y + (int)r, x = 0;

		l->draw(l->ctx, vs, line, *top + r);
		if (*top + r != sel || l->no_sel)
			continue;
		if (l->keep_mark) {
			int mr = vscreen_cell(vs, 0, line)->role;

			x = mr == ROLE_LATE || mr == ROLE_WARN ? 1 : 0;
		}
		vscreen_paint(vs, x, line, cols - x, ROLE_SELECTED, 0);
		ysel = line;
	}
	return ysel;
}
