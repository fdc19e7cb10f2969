/* vscreen.c: the virtual screen: cells, clipped text output, diffs and text dumps. */
#include "vscreen.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"

struct vscreen {
	int cols, rows;
	struct vscreen_cell *cells;	/* rows * cols, row-major */
	int cur_x, cur_y;
	bool cur_visible;
};

static struct vscreen_cell *
at(struct vscreen *vs, int x, int y)
{
	return &vs->cells[(size_t)y * (size_t)vs->cols + (size_t)x];
}

static const struct vscreen_cell *
cat(const struct vscreen *vs, int x, int y)
{
	return &vs->cells[(size_t)y * (size_t)vs->cols + (size_t)x];
}

static void
blank(struct vscreen_cell *c, uint8_t role, uint8_t attr)
{
	memset(c, 0, sizeof *c);
	c->ch[0] = L' ';
	c->width = 1;
	c->role = role;
	c->attr = attr;
}

/* Before (x, y) is overwritten: blank the other half of any wide character it is part of. */
static void
unwide(struct vscreen *vs, int x, int y)
{
	struct vscreen_cell *c = at(vs, x, y), *o;

	if (c->width == 0 && x > 0) {
		o = at(vs, x - 1, y);
		blank(o, o->role, o->attr);
	} else if (c->width == 2 && x + 1 < vs->cols) {
		o = at(vs, x + 1, y);
		blank(o, o->role, o->attr);
	}
}

/* Write one base character of width w (1 or 2; 2 needs x + 1 on screen). */
static void
set(struct vscreen *vs, int x, int y, wchar_t wc, int w, uint8_t role, uint8_t attr)
{
	struct vscreen_cell *c;

	unwide(vs, x, y);
	if (w == 2)
		unwide(vs, x + 1, y);
	c = at(vs, x, y);
	memset(c, 0, sizeof *c);
	c->ch[0] = wc;
	c->width = (uint8_t)w;
	c->role = role;
	c->attr = attr;
	if (w == 2) {
		c = at(vs, x + 1, y);
		memset(c, 0, sizeof *c);
		c->width = 0;
		c->role = role;
		c->attr = attr;
	}
}

static void
attach(struct vscreen *vs, int x, int y, wchar_t wc)
{
	struct vscreen_cell *c = at(vs, x, y);
	int i;

	for (i = 1; i < VSCREEN_CCHAR_MAX; i++) {
		if (c->ch[i] == 0) {
			c->ch[i] = wc;
			return;
		}
	}
	/* No room: further marks are dropped, the base stays readable. */
}

/* Clip a field starting at x to the screen; -1 if (x, y) is off-screen. */
static int
clip(const struct vscreen *vs, int x, int y, int max_cols)
{
	if (y < 0 || y >= vs->rows || x < 0 || x >= vs->cols)
		return -1;
	if (max_cols < 0 || max_cols > vs->cols - x)
		max_cols = vs->cols - x;
	return max_cols;
}

/* Write utf8 in at most limit columns; a wide character that does not fit becomes a space
 * if pad_wide. Returns the columns written. limit is already clipped. */
static int
put_run(struct vscreen *vs, int x, int y, uint8_t role, uint8_t attr, const char *utf8,
    int limit, bool pad_wide)
{
	size_t len = strlen(utf8), pos = 0;
	int used = 0, last = -1, w;
	wchar_t wc;

	while (pos < len) {
		pos += text_decode(utf8 + pos, len - pos, &wc);
		w = text_char_width(&wc);
		if (w == TEXT_DROP)
			continue;
		if (w == 0) {
			if (last >= 0)
				attach(vs, last, y, wc);
			continue;
		}
		if (used + w > limit) {
			if (pad_wide && used < limit)
				set(vs, x + used++, y, L' ', 1, role, attr);
			break;
		}
		set(vs, x + used, y, wc, w, role, attr);
		last = x + used;
		used += w;
	}
	return used;
}

static void
spaces(struct vscreen *vs, int x, int y, int n, uint8_t role, uint8_t attr)
{
	int i;

	for (i = 0; i < n; i++)
		set(vs, x + i, y, L' ', 1, role, attr);
}

struct vscreen *
vscreen_create(int cols, int rows)
{
	struct vscreen *vs = xcalloc(1, sizeof *vs);

	vscreen_resize(vs, cols, rows);
	return vs;
}

void
vscreen_destroy(struct vscreen *vs)
{
	if (vs == NULL)
		return;
	free(vs->cells);
	free(vs);
}

void
vscreen_resize(struct vscreen *vs, int cols, int rows)
{
	vs->cols = cols < 1 ? 1 : cols;
	vs->rows = rows < 1 ? 1 : rows;
	free(vs->cells);
	vs->cells = xreallocarray(NULL, (size_t)vs->cols * (size_t)vs->rows,
	    sizeof *vs->cells);
	vscreen_clear(vs);
}

void
vscreen_clear(struct vscreen *vs)
{
	size_t i, n = (size_t)vs->cols * (size_t)vs->rows;

	for (i = 0; i < n; i++)
		blank(&vs->cells[i], ROLE_NORMAL, 0);
	vs->cur_x = vs->cur_y = 0;
	vs->cur_visible = false;
}

void
vscreen_copy(struct vscreen *dst, const struct vscreen *src)
{
	size_t n = (size_t)src->cols * (size_t)src->rows;

	if (dst->cols != src->cols || dst->rows != src->rows)
		vscreen_resize(dst, src->cols, src->rows);
	memcpy(dst->cells, src->cells, n * sizeof *src->cells);
	dst->cur_x = src->cur_x;
	dst->cur_y = src->cur_y;
	dst->cur_visible = src->cur_visible;
}

int
vscreen_cols(const struct vscreen *vs)
{
	return vs->cols;
}

int
vscreen_rows(const struct vscreen *vs)
{
	return vs->rows;
}

const struct vscreen_cell *
vscreen_cell(const struct vscreen *vs, int x, int y)
{
	if (x < 0 || y < 0 || x >= vs->cols || y >= vs->rows)
		return NULL;
	return cat(vs, x, y);
}

bool
vscreen_cell_equal(const struct vscreen_cell *a, const struct vscreen_cell *b)
{
	return a->width == b->width && a->role == b->role && a->attr == b->attr &&
	    memcmp(a->ch, b->ch, sizeof a->ch) == 0;
}

int
vscreen_put(struct vscreen *vs, int x, int y, enum theme_role role, unsigned attr,
    const char *utf8, int max_cols)
{
	int limit = clip(vs, x, y, max_cols);

	if (limit < 0 || utf8 == NULL)
		return 0;
	return put_run(vs, x, y, (uint8_t)role, (uint8_t)attr, utf8, limit, true);
}

int
vscreen_put_ellipsis(struct vscreen *vs, int x, int y, enum theme_role role,
    unsigned attr, const char *utf8, int max_cols)
{
	int limit = clip(vs, x, y, max_cols), used;

	if (limit <= 0 || utf8 == NULL)
		return 0;
	if (text_width(utf8) <= limit)
		return put_run(vs, x, y, (uint8_t)role, (uint8_t)attr, utf8, limit, true);
	used = put_run(vs, x, y, (uint8_t)role, (uint8_t)attr, utf8, limit - 1, false);
	set(vs, x + used++, y, TEXT_ELLIPSIS, 1, (uint8_t)role, (uint8_t)attr);
	spaces(vs, x + used, y, limit - used, (uint8_t)role, (uint8_t)attr);
	return limit;
}

int
vscreen_put_pad(struct vscreen *vs, int x, int y, enum theme_role role, unsigned attr,
    const char *utf8, int width)
{
	int limit = clip(vs, x, y, width < 0 ? 0 : width), used;

	if (limit <= 0)
		return 0;
	used = vscreen_put_ellipsis(vs, x, y, role, attr, utf8 ? utf8 : "", limit);
	spaces(vs, x + used, y, limit - used, (uint8_t)role, (uint8_t)attr);
	return limit;
}

int
vscreen_put_right(struct vscreen *vs, int x, int y, enum theme_role role,
    unsigned attr, const char *utf8, int width)
{
	int limit = clip(vs, x, y, width < 0 ? 0 : width), tw;

	if (limit <= 0)
		return 0;
	tw = text_width(utf8);
	if (tw >= limit)
		return vscreen_put_pad(vs, x, y, role, attr, utf8, limit);
	spaces(vs, x, y, limit - tw, (uint8_t)role, (uint8_t)attr);
	vscreen_put(vs, x + limit - tw, y, role, attr, utf8, tw);
	return limit;
}

int
vscreen_putf(struct vscreen *vs, int x, int y, enum theme_role role, unsigned attr,
    int max_cols, const char *fmt, ...)
{
	char small[256], *buf = small;
	va_list ap;
	int n, used;

	va_start(ap, fmt);
	n = vsnprintf(small, sizeof small, fmt, ap);
	va_end(ap);
	if (n < 0)
		return 0;
	if ((size_t)n >= sizeof small) {
		buf = xmalloc((size_t)n + 1);
		va_start(ap, fmt);
		vsnprintf(buf, (size_t)n + 1, fmt, ap);
		va_end(ap);
	}
	used = vscreen_put(vs, x, y, role, attr, buf, max_cols);
	if (buf != small)
		free(buf);
	return used;
}

void
vscreen_fill(struct vscreen *vs, int x, int y, int w, int h, enum theme_role role,
    unsigned attr, wchar_t ch)
{
	wchar_t c = ch;
	int i, j, x1, y1;

	if (text_char_width(&c) != 1 || c != ch)
		c = L' ';
	x1 = x + w > vs->cols ? vs->cols : x + w;
	y1 = y + h > vs->rows ? vs->rows : y + h;
	for (j = y < 0 ? 0 : y; j < y1; j++) {
		for (i = x < 0 ? 0 : x; i < x1; i++)
			set(vs, i, j, c, 1, (uint8_t)role, (uint8_t)attr);
	}
}

void
vscreen_paint(struct vscreen *vs, int x, int y, int w, enum theme_role role,
    unsigned attr)
{
	struct vscreen_cell *c;
	int i, x1;

	if (y < 0 || y >= vs->rows || w <= 0)
		return;
	x1 = x + w > vs->cols ? vs->cols : x + w;
	if (x < 0)
		x = 0;
	if (x >= x1)
		return;
	if (at(vs, x, y)->width == 0 && x > 0)
		x--;
	if (at(vs, x1 - 1, y)->width == 2 && x1 < vs->cols)
		x1++;
	for (i = x; i < x1; i++) {
		c = at(vs, i, y);
		c->role = (uint8_t)role;
		c->attr = (uint8_t)attr;
	}
}

void
vscreen_set_cursor(struct vscreen *vs, int x, int y, bool visible)
{
	vs->cur_x = x < 0 ? 0 : x >= vs->cols ? vs->cols - 1 : x;
	vs->cur_y = y < 0 ? 0 : y >= vs->rows ? vs->rows - 1 : y;
	vs->cur_visible = visible;
}

bool
vscreen_cursor(const struct vscreen *vs, int *x, int *y)
{
	*x = vs->cur_x;
	*y = vs->cur_y;
	return vs->cur_visible;
}

bool
vscreen_row_diff(const struct vscreen *a, const struct vscreen *b, int y, int *x0,
    int *x1)
{
	int first, last;

	if (y < 0 || y >= a->rows)
		return false;
	if (a->cols != b->cols || a->rows != b->rows) {
		*x0 = 0;
		*x1 = a->cols - 1;
		return true;
	}
	for (first = 0; first < a->cols; first++) {
		if (!vscreen_cell_equal(cat(a, first, y), cat(b, first, y)))
			break;
	}
	if (first == a->cols)
		return false;
	for (last = a->cols - 1; last > first; last--) {
		if (!vscreen_cell_equal(cat(a, last, y), cat(b, last, y)))
			break;
	}
	if (first > 0 && (cat(a, first, y)->width == 0 || cat(b, first, y)->width == 0))
		first--;
	if (last + 1 < a->cols && (cat(a, last, y)->width == 2 || cat(b, last, y)->width == 2))
		last++;
	*x0 = first;
	*x1 = last;
	return true;
}

char *
vscreen_dump(const struct vscreen *vs)
{
	/* Worst case: every cell holds VSCREEN_CCHAR_MAX 4-byte characters. */
	size_t cap = (size_t)vs->rows * ((size_t)vs->cols * VSCREEN_CCHAR_MAX * 4 + 1) + 1;
	char *out = xmalloc(cap);
	size_t len = 0;
	const struct vscreen_cell *c;
	int x, y, i;

	for (y = 0; y < vs->rows; y++) {
		for (x = 0; x < vs->cols; x++) {
			c = cat(vs, x, y);
			if (c->width == 0)
				continue;
			for (i = 0; i < VSCREEN_CCHAR_MAX && c->ch[i] != 0; i++)
				len += text_encode(c->ch[i], out + len);
		}
		while (len > 0 && out[len - 1] == ' ')
			len--;
		/* Rows before this one already ended in '\n', so trimming stops there. */
		out[len++] = '\n';
	}
	out[len] = '\0';
	return out;
}

char *
vscreen_dump_roles(const struct vscreen *vs)
{
	char *out = xmalloc((size_t)vs->rows * ((size_t)vs->cols + 1) + 1);
	size_t len = 0;
	char normal = theme_role_letter(ROLE_NORMAL);
	int x, y;

	for (y = 0; y < vs->rows; y++) {
		for (x = 0; x < vs->cols; x++)
			out[len++] = theme_role_letter((enum theme_role)cat(vs, x, y)->role);
		while (len > 0 && out[len - 1] == normal)
			len--;
		out[len++] = '\n';
	}
	out[len] = '\0';
	return out;
}
