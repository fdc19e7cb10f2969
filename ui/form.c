/* form.c: the form engine: fields, pages, focus, inline errors, lists, check boxes,
 * multi-line areas, dates and amounts (form.h). */
#include "form.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chrome.h"
#include "civil.h"
#include "i18n.h"
#include "model.h"
#include "present.h"
#include "text.h"
#include "util.h"
#include "view.h"

/* ---- multi-line areas ----
 *
 * The text is UTF-8 with '\n' between lines, always valid: what lineedit.h would refuse
 * is refused here too. Lines are wrapped at draw time to the area's width less one
 * column (kept for a cursor at the end of a line, as a lineedit keeps it): by character
 * when editable, at spaces when read-only. */

struct form_area {
	char *buf;		/* NUL-terminated, owned */
	size_t len, cap, cur, max;
	int top;		/* the first wrapped line shown */
	int want;		/* the column Up/Down keep; -1: the cursor's */
	int width;		/* the wrap width at the last draw (0: not drawn yet) */
	bool words;		/* read-only: wrapped at spaces, not in words (see area_lines) */
};

/* A wrapped line: the bytes [start, end); a line break after end is not in it. */
struct wline {
	size_t start, end;
};

static void
area_init(struct form_area *a, size_t max)
{
	memset(a, 0, sizeof *a);
	a->max = max;
	a->cap = 16;
	a->buf = xcalloc(a->cap, 1);
	a->want = -1;
}

static void
area_reserve(struct form_area *a, size_t need)
{
	if (need + 1 <= a->cap)
		return;
	a->cap = need + 1 > 2 * a->cap ? need + 1 : 2 * a->cap;
	a->buf = xrealloc(a->buf, a->cap);
}

/* The width of the character at pos (0 a combining mark); its byte length in *n. A line
 * break is width 0 here but never a combining mark (see is_mark). */
static int
area_char(const struct form_area *a, size_t pos, size_t *n)
{
	wchar_t wc;
	int w;

	*n = text_decode(a->buf + pos, a->len - pos, &wc);
	if (wc == L'\n')
		return 0;
	w = text_char_width(&wc);
	return w < 0 ? 0 : w;
}

static bool
is_mark(const struct form_area *a, size_t pos)
{
	size_t n;

	return a->buf[pos] != '\n' && area_char(a, pos, &n) == 0;
}

/* The next character boundary after pos (a base character and its combining marks). */
static size_t
area_next(const struct form_area *a, size_t pos)
{
	size_t n;

	if (pos >= a->len)
		return a->len;
	area_char(a, pos, &n);
	pos += n;
	if (a->buf[pos - n] == '\n')
		return pos;
	while (pos < a->len && is_mark(a, pos)) {
		area_char(a, pos, &n);
		pos += n;
	}
	return pos;
}

static size_t
area_prev(const struct form_area *a, size_t pos)
{
	while (pos > 0) {
		pos--;
		while (pos > 0 && ((unsigned char)a->buf[pos] & 0xc0) == 0x80)
			pos--;
		if (!is_mark(a, pos))
			break;
	}
	return pos;
}

/* The wrapped lines at width w (at least 2): a line ends at a line break or before the
 * character that would go past w - 1 columns. A read-only area (a->words) ends it rather
 * at the last run of spaces, or beside a wide character, that the line holds (a word
 * wider than the line still breaks where it must); the spaces broken at are in neither
 * line. Caller frees *out; returns the count (at least 1). */
static int
area_lines(const struct form_area *a, int w, struct wline **out)
{
	struct wline *l = NULL;
	int nl = 0, capl = 0, col = 0, cw;
	size_t pos = 0, start = 0, next, n, end, cut_end = 0, cut_next = 0;
	bool cut = false, wide = false;

	w = w < 2 ? 1 : w - 1;
	for (;;) {
		bool brk = pos < a->len && a->buf[pos] == '\n';

		end = pos;
		if (pos < a->len && !brk) {
			next = area_next(a, pos);
			cw = area_char(a, pos, &n);
			if (col + cw <= w || col == 0) {
				if (a->words && a->buf[pos] == ' ') {
					if (!cut || cut_next != pos)
						cut_end = pos;	/* a run of spaces: before its first */
					cut_next = next;
					cut = true;
				} else if (a->words && (cw == 2 || wide) && pos > start) {
					cut_end = cut_next = pos;
					cut = true;
				}
				wide = cw == 2;
				col += cw;
				pos = next;
				continue;
			}
			if (a->words && a->buf[pos] == ' ') {
				if (cut && cut_next == pos)
					end = cut_end;
				while (pos < a->len && a->buf[pos] == ' ')
					pos++;
			} else if (a->words && cut && cut_end > start && cw != 2 && !wide) {
				end = cut_end;
				pos = cut_next;
			}
		}
		if (nl == capl) {
			capl = capl == 0 ? 8 : 2 * capl;
			l = xrealloc(l, (size_t)capl * sizeof *l);
		}
		l[nl].start = start;
		l[nl++].end = end;
		if (pos >= a->len)
			break;
		if (brk)
			pos++;
		start = pos;
		col = 0;
		cut = wide = false;
	}
	*out = l;
	return nl;
}

/* The wrapped line that holds the cursor: the last that starts at or before it. */
static int
area_line_of(const struct wline *l, int n, size_t cur)
{
	int k = n - 1;

	while (k > 0 && l[k].start > cur)
		k--;
	return k;
}

static int
area_cols(const struct form_area *a, size_t from, size_t to)
{
	size_t n;
	int c = 0;

	while (from < to) {
		c += area_char(a, from, &n);
		from += n;
	}
	return c;
}

static void
area_set(struct form_area *a, const char *s)
{
	size_t len = s != NULL ? strlen(s) : 0, pos = 0, n;
	wchar_t wc;
	int w;

	a->len = a->cur = 0;
	a->top = 0;
	a->want = -1;
	area_reserve(a, len);
	while (pos < len) {
		n = text_decode(s + pos, len - pos, &wc);
		w = wc == L'\n' ? 1 : lineedit_accept_width(wc);
		if (w >= 0 && a->len + n <= a->max &&
		    !(w == 0 && (a->len == 0 || a->buf[a->len - 1] == '\n'))) {
			memcpy(a->buf + a->len, s + pos, n);
			a->len += n;
		} else if (w >= 0 && a->len + n > a->max) {
			break;	/* full: keep a prefix */
		}
		pos += n;
	}
	a->buf[a->len] = '\0';
	a->cur = a->len;
}

/* Insert one character (a line break too); false when refused (full, unsafe, or a
 * combining mark with nothing to attach to). */
static bool
area_insert(struct form_area *a, wchar_t wc)
{
	char enc[4];
	size_t n;
	int w = wc == L'\n' ? 1 : lineedit_accept_width(wc);

	if (w < 0 || (w == 0 && (a->cur == 0 || a->buf[a->cur - 1] == '\n')))
		return false;
	n = text_encode(wc, enc);
	if (a->len + n > a->max)
		return false;
	area_reserve(a, a->len + n);
	memmove(a->buf + a->cur + n, a->buf + a->cur, a->len - a->cur + 1);
	memcpy(a->buf + a->cur, enc, n);
	a->len += n;
	a->cur += n;
	return true;
}

static bool
area_delete(struct form_area *a, size_t from, size_t to)
{
	if (from >= to)
		return false;
	memmove(a->buf + from, a->buf + to, a->len - to + 1);
	a->len -= to - from;
	a->cur = from;
	return true;
}

static bool
area_space(const struct form_area *a, size_t pos)
{
	wchar_t wc;

	text_decode(a->buf + pos, a->len - pos, &wc);
	return wc == L' ' || wc == 0x3000 || wc == L'\n';
}

enum area_result { AREA_IGNORED, AREA_MOVED, AREA_CHANGED, AREA_EDGE };

/* Up or Down: the cursor to the wrapped line above or below at the kept column;
 * AREA_EDGE on the first or the last line. */
static enum area_result
area_vertical(struct form_area *a, int delta)
{
	struct wline *l;
	int n = area_lines(a, a->width > 0 ? a->width : 40, &l), k, col, c, cw;
	size_t pos, nb;

	k = area_line_of(l, n, a->cur);
	col = a->want >= 0 ? a->want : area_cols(a, l[k].start, a->cur);
	if (k + delta < 0 || k + delta >= n) {
		free(l);
		return AREA_EDGE;
	}
	k += delta;
	pos = l[k].start;
	c = 0;
	while (pos < l[k].end) {
		cw = area_char(a, pos, &nb);
		if (c + cw > col)
			break;
		c += cw;
		pos = area_next(a, pos);
	}
	a->cur = pos;
	a->want = col;
	free(l);
	return AREA_MOVED;
}

/* The start or the end of the cursor's wrapped line. */
static void
area_line_end(struct form_area *a, bool end)
{
	struct wline *l;
	int n = area_lines(a, a->width > 0 ? a->width : 40, &l), k = area_line_of(l, n, a->cur);

	a->cur = end ? l[k].end : l[k].start;
	free(l);
}

static enum area_result
area_key(struct form_area *a, const struct key *k, enum keymap_action act)
{
	size_t p;

	if (act != ACTION_MOVE_UP && act != ACTION_MOVE_DOWN)
		a->want = -1;
	if (act == ACTION_NONE && k != NULL && keymap_key_printable(k))
		return area_insert(a, (wchar_t)k->code) ? AREA_CHANGED : AREA_MOVED;
	if (k != NULL && k->is_func && k->code == KEYSYM_PASTE) {
		/* the offered paste as a line takes it, its line breaks as spaces */
		struct lineedit le;
		size_t len, pos = 0;
		wchar_t wc;
		bool any = false;

		lineedit_init(&le, a->max);
		lineedit_key(&le, k, ACTION_NONE);
		len = strlen(lineedit_text(&le));
		while (pos < len) {
			pos += text_decode(lineedit_text(&le) + pos, len - pos, &wc);
			if (!area_insert(a, wc))
				break;
			any = true;
		}
		lineedit_finish(&le);
		return any ? AREA_CHANGED : AREA_MOVED;
	}
	switch (act) {
	case ACTION_OPEN:
		return area_insert(a, L'\n') ? AREA_CHANGED : AREA_MOVED;
	case ACTION_MOVE_LEFT:
		a->cur = area_prev(a, a->cur);
		return AREA_MOVED;
	case ACTION_MOVE_RIGHT:
		a->cur = area_next(a, a->cur);
		return AREA_MOVED;
	case ACTION_MOVE_UP:
	case ACTION_MOVE_DOWN:
		return area_vertical(a, act == ACTION_MOVE_UP ? -1 : 1);
	case ACTION_HOME:
	case ACTION_LINE_START:
	case ACTION_END:
	case ACTION_LINE_END:
		area_line_end(a, act == ACTION_END || act == ACTION_LINE_END);
		return AREA_MOVED;
	case ACTION_DELETE_BACK:
		return area_delete(a, area_prev(a, a->cur), a->cur) ? AREA_CHANGED : AREA_MOVED;
	case ACTION_DELETE_CHAR:
		return area_delete(a, a->cur, area_next(a, a->cur)) ? AREA_CHANGED : AREA_MOVED;
	case ACTION_DELETE_WORD:
		p = a->cur;
		while (p > 0 && area_space(a, area_prev(a, p)))
			p = area_prev(a, p);
		while (p > 0 && !area_space(a, area_prev(a, p)))
			p = area_prev(a, p);
		return area_delete(a, p, a->cur) ? AREA_CHANGED : AREA_MOVED;
	case ACTION_KILL_LINE:	/* to the line break, or the break itself */
		p = a->cur;
		while (p < a->len && a->buf[p] != '\n')
			p++;
		if (p == a->cur && p < a->len)
			p++;
		return area_delete(a, a->cur, p) ? AREA_CHANGED : AREA_MOVED;
	case ACTION_CLEAR_FIELD:
		if (a->len == 0)
			return AREA_MOVED;
		area_set(a, "");
		return AREA_CHANGED;
	default:
		return AREA_IGNORED;
	}
}

/* Draw rows wrapped lines from the area's top at (x, y) in w columns, at spaces when
 * words (a read-only area); scroll to the cursor when focused. Returns the cursor's
 * column and stores its row in *cy (-1 when not focused). */
static int
area_draw(struct form_area *a, struct vscreen *vs, int x, int y, int w, int rows,
    bool words, bool focus, int *cy)
{
	struct wline *l;
	int n, k, i, cx = -1;
	char *line;

	a->width = w;
	a->words = words;
	n = area_lines(a, w, &l);
	k = area_line_of(l, n, a->cur);
	if (focus) {
		if (k < a->top)
			a->top = k;
		if (k >= a->top + rows)
			a->top = k - rows + 1;
	}
	if (a->top > n - 1)
		a->top = n - 1 > 0 ? n - 1 : 0;
	line = xmalloc(a->len + 1);
	for (i = 0; i < rows; i++) {
		vscreen_fill(vs, x, y + i, w, 1, ROLE_INPUT, 0, L' ');
		if (a->top + i >= n)
			continue;
		memcpy(line, a->buf + l[a->top + i].start, l[a->top + i].end - l[a->top + i].start);
		line[l[a->top + i].end - l[a->top + i].start] = '\0';
		vscreen_put(vs, x, y + i, ROLE_INPUT, 0, line, w);
	}
	if (a->top > 0)
		vscreen_put(vs, x + w, y, ROLE_DIM, 0, "\xe2\x96\xb2", 1);		/* ▲ */
	if (a->top + rows < n)
		vscreen_put(vs, x + w, y + rows - 1, ROLE_DIM, 0, "\xe2\x96\xbc", 1);	/* ▼ */
	if (focus) {
		cx = x + area_cols(a, l[k].start, a->cur);
		if (words && cx > x + w - 1)
			cx = x + w - 1;	/* in a run of spaces broken at */
		*cy = y + k - a->top;
	}
	free(line);
	free(l);
	return cx;
}

static bool
is_area(const struct form_field *d)
{
	return d->kind == FORM_TEXT && d->rows > 1;
}

void
form_init(struct form *f, const struct form_field *fields, int n,
    const char *const *sections, const struct form_ops *ops, void *owner)
{
	int i;

	memset(f, 0, sizeof *f);
	f->fields = fields;
	f->n = n;
	f->sections = sections;
	f->ops = ops;
	f->owner = owner;
	f->edit = xcalloc((size_t)n, sizeof *f->edit);
	f->on = xcalloc((size_t)n, sizeof *f->on);
	f->hidden = xcalloc((size_t)n, sizeof *f->hidden);
	f->dirty = xcalloc((size_t)n, sizeof *f->dirty);
	f->touched = xcalloc((size_t)n, sizeof *f->touched);
	f->fx = xcalloc((size_t)n, sizeof *f->fx);
	f->fy = xcalloc((size_t)n, sizeof *f->fy);
	f->fw = xcalloc((size_t)n, sizeof *f->fw);
	f->area = xcalloc((size_t)n, sizeof *f->area);
	for (i = 0; i < n; i++) {
		lineedit_init(&f->edit[i], fields[i].max > 0 ? fields[i].max : 1);
		if (is_area(&fields[i]))
			area_init(&f->area[i], fields[i].max);
	}
	menu_init(&f->menu);
}

void
form_finish(struct form *f)
{
	int i;

	for (i = 0; i < f->n; i++) {
		lineedit_finish(&f->edit[i]);
		free(f->area[i].buf);
	}
	menu_finish(&f->menu);
	free(f->area);
	free(f->edit);
	free(f->on);
	free(f->hidden);
	free(f->dirty);
	free(f->touched);
	free(f->fx);
	free(f->fy);
	free(f->fw);
	f->edit = NULL;
	f->n = 0;
}

/* ---- values ---- */

const char *
form_text(const struct form *f, int i)
{
	return is_area(&f->fields[i]) ? f->area[i].buf : lineedit_text(&f->edit[i]);
}

void
form_trimmed(const struct form *f, int i, char *out, size_t sz)
{
	const char *s = form_text(f, i);
	size_t n;

	while (*s == ' ')
		s++;
	n = strlen(s);
	while (n > 0 && s[n - 1] == ' ')
		n--;
	if (n >= sz)
		n = sz - 1;
	memcpy(out, s, n);
	out[n] = '\0';
}

void
form_set_text(struct form *f, int i, const char *s)
{
	if (is_area(&f->fields[i]))
		area_set(&f->area[i], s);
	else if (s[0] == '\0')
		lineedit_clear(&f->edit[i]);
	else
		lineedit_set(&f->edit[i], s);
}

void
form_fold_width(struct form *f, int i)
{
	f->edit[i].fold_width = true;
}

void
form_touch(struct form *f, int i)
{
	f->dirty[i] = f->touched[i] = true;
}

bool
form_checked(const struct form *f, int i)
{
	return f->on[i];
}

void
form_set_checked(struct form *f, int i, bool on)
{
	f->on[i] = on;
}

bool
form_edited(const struct form *f, int i)
{
	return f->dirty[i];
}

bool
form_shown(const struct form *f, int i)
{
	return !f->hidden[i];
}

/* ---- validation ---- */

/* ---- dates and amounts ---- */

int
form_parse_date(const char *s, int64_t *ms)
{
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int y = 0, mo = 0, d = 0, i, len;
	bool leap;

	while (*s == ' ')
		s++;
	len = (int)strlen(s);
	while (len > 0 && s[len - 1] == ' ')
		len--;
	if (len == 0)
		return 1;
	if (len != 10 || s[4] != '-' || s[7] != '-')
		return -1;
	for (i = 0; i < 10; i++) {
		if (i == 4 || i == 7)
			continue;
		if (s[i] < '0' || s[i] > '9')
			return -1;
		if (i < 4)
			y = y * 10 + s[i] - '0';
		else if (i < 7)
			mo = mo * 10 + s[i] - '0';
		else
			d = d * 10 + s[i] - '0';
	}
	leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	if (y < 1971 || mo < 1 || mo > 12 || d < 1 ||
	    d > mdays[mo - 1] + (mo == 2 && leap ? 1 : 0))
		return -1;
	*ms = (civil_days_from_date(y, mo, d) * 86400 - CIVIL_TZ_CHINA_S) * 1000;
	return 0;
}

int
form_parse_money(const char *s, int64_t *fen)
{
	int64_t yuan = 0;
	int digits = 0, dec = 0, cents = 0;
	size_t len;

	while (*s == ' ')
		s++;
	if (*s == '\0')
		return 1;
	if (strncmp(s, "\xc2\xa5", 2) == 0)		/* ¥ */
		s += 2;
	else if (strncmp(s, "\xef\xbf\xa5", 3) == 0)	/* ￥ */
		s += 3;
	len = strlen(s);
	while (len > 0 && s[len - 1] == ' ')
		len--;
	if (len >= 3 && strncmp(s + len - 3, "\xe5\x85\x83", 3) == 0)	/* 元 */
		len -= 3;
	if (len == 0)
		return -1;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];

		if (c >= '0' && c <= '9' && dec == 0) {
			if (++digits > 10)
				return -1;	/* ten billion yuan and up: a typing slip */
			yuan = yuan * 10 + (c - '0');
		} else if (c >= '0' && c <= '9') {
			if (++dec > 3)
				return -1;	/* at most two decimals */
			cents = cents * 10 + (c - '0');
		} else if (c == ',' && dec == 0 && digits > 0 && i + 1 < len &&
		    s[i + 1] >= '0' && s[i + 1] <= '9') {
			continue;
		} else if (c == '.' && dec == 0 && digits > 0) {
			dec = 1;
		} else {
			return -1;
		}
	}
	if (digits == 0 || dec == 1)
		return -1;	/* "." with no decimals after it */
	if (dec == 2)
		cents *= 10;
	*fen = yuan * 100 + cents;
	return 0;
}

void
form_format_money(int64_t fen, char *buf, size_t sz)
{
	snprintf(buf, sz, "%s%lld.%02lld", fen < 0 ? "-" : "",
	    (long long)(fen < 0 ? -fen : fen) / 100, (long long)(fen < 0 ? -fen : fen) % 100);
}

int
form_date(const struct form *f, int i, int64_t *ms)
{
	return form_parse_date(form_text(f, i), ms);
}

void
form_set_date(struct form *f, int i, int64_t ms)
{
	/* days to the civil date (Hinnant's days_from_civil backwards) */
	int64_t z = civil_local_day(ms, CIVIL_TZ_CHINA_S) + 719468, era, doe, yoe, y, doy, mp;
	char buf[64];

	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	y = yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	snprintf(buf, sizeof buf, "%04lld-%02lld-%02lld", (long long)(y + (mp >= 10)),
	    (long long)(mp < 10 ? mp + 3 : mp - 9), (long long)(doy - (153 * mp + 2) / 5 + 1));
	form_set_text(f, i, buf);
}

int
form_money(const struct form *f, int i, int64_t *fen)
{
	return form_parse_money(form_text(f, i), fen);
}

void
form_set_money(struct form *f, int i, int64_t fen)
{
	char buf[48];

	form_format_money(fen, buf, sizeof buf);
	form_set_text(f, i, buf);
}

static const char *
format_error(const struct form *f, int i)
{
	int64_t v;

	if (f->fields[i].kind != FORM_TEXT)
		return NULL;
	switch (f->fields[i].format) {
	case FORM_DATE:
		return form_date(f, i, &v) < 0 ? i18n_tr("form.err.date") : NULL;
	case FORM_MONEY:
		return form_money(f, i, &v) < 0 ? i18n_tr("form.err.money") : NULL;
	case FORM_PLAIN:
		break;
	}
	return NULL;
}

static const char *
field_error(const struct form *f, const struct model *m, int i)
{
	const char *e = f->ops->error != NULL ? f->ops->error(f->owner, f, m, i) : NULL;

	return e != NULL ? e : format_error(f, i);
}

static bool
error_shown(const struct form *f, int i)
{
	return f->tried || f->touched[i];
}

int
form_errors(const struct form *f, const struct model *m, int *first)
{
	int i, n = 0;

	*first = -1;
	for (i = 0; i < f->n; i++) {
		if (!f->hidden[i] && field_error(f, m, i) != NULL) {
			if (n++ == 0)
				*first = i;
		}
	}
	return n;
}

static void
leave_field(struct form *f)
{
	if (f->dirty[f->focus])
		f->touched[f->focus] = true;
}

bool
form_validate(struct form *f, const struct model *m)
{
	int first;

	leave_field(f);
	f->tried = true;
	if (form_errors(f, m, &first) > 0) {
		f->focus = first;
		return false;
	}
	return true;
}

/* ---- drawing ---- */

static int
label_width(const struct form *f)
{
	int i, w, best = 10;

	for (i = 0; i < f->n; i++) {
		if (f->fields[i].kind == FORM_CHECK)
			continue;
		w = text_width(i18n_tr(f->fields[i].label));
		best = w > best ? w : best;
	}
	return best;
}

/* Field i takes this many rows (an area its rows, cut at the end of the room). */
static int
field_rows(const struct form *f, int i)
{
	return is_area(&f->fields[i]) ? f->fields[i].rows : 1;
}

static void
draw_field(struct form *f, struct vscreen *vs, const struct model *m, int i, int lx, int lw,
    int fx, int fw, int y, int rows, int *cursor_x, int *cursor_y)
{
	const struct form_field *d = &f->fields[i];
	int cols = vscreen_cols(vs), ex = fx + fw + 2;
	bool focus = f->focus == i, placeholder = true;
	const char *err = error_shown(f, i) ? field_error(f, m, i) : NULL, *text;
	char buf[256];

	f->fx[i] = fx;
	f->fy[i] = y;
	f->fw[i] = fw;
	if (focus)
		vscreen_put(vs, lx - 2, y, ROLE_KEY, 0, "\xe2\x80\xba", 1);	/* › */
	vscreen_put_pad(vs, lx, y, focus ? ROLE_KEY : ROLE_NORMAL, 0, i18n_tr(d->label), lw);
	if (d->required)
		vscreen_put(vs, lx + lw, y, ROLE_WARN, THEME_BOLD, "*", 1);
	if (is_area(d)) {
		int cx = area_draw(&f->area[i], vs, fx, y, fw, rows, d->readonly, focus,
		    cursor_y);

		if (focus)
			*cursor_x = cx;
	} else if (d->kind == FORM_TEXT && focus) {
		*cursor_x = lineedit_draw(&f->edit[i], vs, fx, y, fw, ROLE_INPUT, 0);
	} else if (d->kind == FORM_TEXT) {	/* not editing: the start, cut with "…" */
		text = f->ops->shown != NULL ? f->ops->shown(f->owner, f, i, buf, sizeof buf) :
		    NULL;
		vscreen_put_pad(vs, fx, y, d->readonly ? ROLE_DIM : ROLE_INPUT, 0, text != NULL ?
		    text : lineedit_text(&f->edit[i]), fw);
	} else {
		text = f->ops->choice_text != NULL ? f->ops->choice_text(f->owner, f, m, i, buf,
		    sizeof buf, &placeholder) : "";
		vscreen_fill(vs, fx, y, fw, 1, ROLE_INPUT, 0, L' ');
		vscreen_put_ellipsis(vs, fx, y, ROLE_INPUT, placeholder ? THEME_DIM : 0, text,
		    fw - 2);
		vscreen_put(vs, fx + fw - 1, y, ROLE_INPUT, 0, "\xe2\x96\xbe", 1);	/* ▾ */
	}
	if (err != NULL && ex < cols - 4)
		vscreen_put_ellipsis(vs, ex, y, ROLE_ERROR, 0, err, cols - 1 - ex);
}

static void
draw_check(struct form *f, struct vscreen *vs, int i, int x, int w, int y)
{
	bool focus = f->focus == i, on = f->on[i];

	f->fx[i] = x;
	f->fy[i] = y;
	f->fw[i] = 3;
	if (focus)
		vscreen_put(vs, x - 2, y, ROLE_KEY, 0, "\xe2\x80\xba", 1);
	vscreen_put(vs, x, y, ROLE_INPUT, 0, on ? "[x]" : "[ ]", 3);
	vscreen_put_pad(vs, x + 4, y, focus ? ROLE_KEY : on ? ROLE_WARN : ROLE_NORMAL, 0,
	    i18n_tr(f->fields[i].label), w - 4);
}

static void
draw_confirm(const struct form *f, struct vscreen *vs)
{
	int cols = vscreen_cols(vs), rows = vscreen_rows(vs), w, x, y;
	char line[256];

	snprintf(line, sizeof line, "%s  [y/n]", i18n_tr(f->discard));
	w = text_width(line) + 6;
	w = w < cols - 2 ? w : cols - 2;
	x = (cols - w) / 2;
	y = rows / 2 - 1;
	vscreen_fill(vs, x, y, w, 3, ROLE_DIALOG, 0, L' ');
	vscreen_put_ellipsis(vs, x + 3, y + 1, ROLE_DIALOG, THEME_BOLD, line, w - 6);
	vscreen_set_cursor(vs, x + 3, y + 1, false);
}

static void
draw_message(const struct form *f, struct vscreen *vs, const struct model *m, int y)
{
	const char *err = error_shown(f, f->focus) ? field_error(f, m, f->focus) : NULL;
	char buf[512];
	int first, n;

	if (err != NULL) {
		snprintf(buf, sizeof buf, "%s%s%s", i18n_tr(f->fields[f->focus].label),
		    present_colon(), err);
		chrome_error(vs, y, buf);
		return;
	}
	n = f->tried ? form_errors(f, m, &first) : 0;
	if (n > 0) {
		snprintf(buf, sizeof buf, "%s %d", i18n_tr(f->invalid), n);
		chrome_error(vs, y, buf);
		return;
	}
	if (m->message[0] != '\0') {
		chrome_message(vs, y, m, NULL, 0);
		return;
	}
	chrome_key_hints(vs, y, f->keys, f->n_keys);
}

/* The open list below its field, or above when there is no room. */
static void
draw_menu(struct form *f, struct vscreen *vs, int y_end)
{
	int cols = vscreen_cols(vs), i = f->focus, mw, mh, my;
	const char *title = i18n_tr(f->fields[i].label);

	mw = menu_width(&f->menu, title);
	mw = mw > f->fw[i] ? mw : f->fw[i];	/* cover the field */
	mw = mw < cols - f->fx[i] - 1 ? mw : cols - f->fx[i] - 1;
	mh = (int)f->menu.n + 2;
	my = f->fy[i] + 1;
	if (my + mh > y_end) {
		/* no room below: above the field, or as much as fits */
		my = f->fy[i] - mh;
		if (my < 1) {
			my = 1;
			mh = y_end - 1;
		}
	}
	menu_draw(&f->menu, vs, f->fx[i], my, mw, mh, title);
}

/* Whether field i is drawn: shown, and on the page of the focus. */
static bool
on_page(const struct form *f, int i)
{
	return !f->hidden[i] && (f->n_pages <= 1 || f->fields[i].page == form_page(f));
}

/* The next field on the page after i, or f->n. */
static int
next_on_page(const struct form *f, int i)
{
	for (i++; i < f->n && !on_page(f, i); i++)
		;
	return i;
}

/* Check box i, the first of its pair, has no second one beside it. */
static bool
check_alone(const struct form *f, int i)
{
	int j = next_on_page(f, i);

	return j >= f->n || f->fields[j].kind != FORM_CHECK ||
	    f->fields[j].section != f->fields[i].section;
}

/* The width of the left column of check boxes in avail columns: half of them up to 34, or
 * wider when a left label would be cut and the right labels still fit beside it. */
static int
check_column(const struct form *f, int avail)
{
	int cw = (avail + 1) / 2 < 34 ? (avail + 1) / 2 : 34, left = 0, right = 0, run = 0,
	    sec = -1, w;

	for (int i = 0; i < f->n; i++) {
		if (!on_page(f, i))
			continue;
		if (f->fields[i].kind != FORM_CHECK || f->fields[i].section != sec)
			run = 0;
		sec = f->fields[i].section;
		if (f->fields[i].kind != FORM_CHECK)
			continue;
		w = text_width(i18n_tr(f->fields[i].label)) + 4;
		if (run % 2 == 1 && w > right)
			right = w;
		else if (run % 2 == 0 && !check_alone(f, i) && w + 2 > left)
			left = w + 2;
		run++;
	}
	return left > cw && left + right <= avail ? left : cw;
}

/* The bar of page titles on row y: " 1 title " each, the current one selected, a page
 * with an error shown in the error role; the keys at the right when they fit, and only
 * the numbers of the other pages when the titles do not. */
static void
draw_pages(const struct form *f, struct vscreen *vs, const struct model *m, int y)
{
	int cols = vscreen_cols(vs), cur = form_page(f), x = 1, p, i, total = 0, hw;
	const char *hint = i18n_tr("form.pages");
	bool err[16] = { false }, short_titles;
	char buf[128];

	for (i = 0; i < f->n; i++)
		if (!f->hidden[i] && f->fields[i].page < 16 && error_shown(f, i) &&
		    field_error(f, m, i) != NULL)
			err[f->fields[i].page] = true;
	for (p = 0; p < f->n_pages; p++)
		total += text_width(i18n_tr(f->pages[p])) + 5;
	hw = text_width(hint) + 2;
	short_titles = total > cols - 2;
	for (p = 0; p < f->n_pages && x < cols - 1; p++) {
		if (short_titles && p != cur)
			snprintf(buf, sizeof buf, " %d%s ", p + 1, p < 16 && err[p] ? "!" : "");
		else
			snprintf(buf, sizeof buf, " %d %s%s ", p + 1, i18n_tr(f->pages[p]),
			    p < 16 && err[p] ? " !" : "");
		x += vscreen_put(vs, x, y, p == cur ? ROLE_SELECTED : p < 16 && err[p] ?
		    ROLE_ERROR : ROLE_HEADER, p == cur ? THEME_BOLD : 0, buf, cols - 1 - x) + 1;
	}
	if (x + hw < cols)
		vscreen_put_right(vs, cols - hw, y, ROLE_DIM, 0, hint, hw - 1);
}

void
form_draw(struct form *f, struct vscreen *vs, const struct model *m, int y, int y_end)
{
	int cols = vscreen_cols(vs), rows = vscreen_rows(vs), lw = label_width(f), lx = 3, fx,
	    fw, i, sec = -1, rules = 0, lines = 0, cursor_x = -1, cursor_y = -1, cw, run = 0,
	    fr;
	bool gaps;

	if (f->n_pages > 1)
		draw_pages(f, vs, m, y++);
	/* one rule a section, one row a field (two check boxes a row, an area its rows);
	 * blank lines between sections when they fit */
	for (i = 0; i < f->n; i++) {
		if (!on_page(f, i))
			continue;
		if (f->fields[i].section != sec) {
			sec = f->fields[i].section;
			rules++;
			run = 0;
		}
		if (f->fields[i].kind != FORM_CHECK)
			lines += field_rows(f, i), run = 0;
		else if (run++ % 2 == 0)
			lines++;
	}
	gaps = y_end - y >= rules + lines + rules - 1 + 1;
	if (gaps)
		y++;
	/* Fields take a bit less than half of what is right of the labels, the inline errors
	 * the rest; the check boxes sit in two columns. */
	fx = lx + lw + 2;
	fw = (cols - fx - 4) * 45 / 100;
	fw = fw < 24 ? 24 : fw > 60 ? 60 : fw;
	cw = check_column(f, cols - fx - 1);
	sec = -1;
	run = 0;
	for (i = 0; i < f->n && y < y_end; i++) {
		if (!on_page(f, i))
			continue;
		if (run % 2 == 1 && (f->fields[i].kind != FORM_CHECK ||
		    f->fields[i].section != sec))
			y++;	/* after a check box alone on its row */
		if (f->fields[i].section != sec) {
			if (sec >= 0 && gaps)
				y++;
			sec = f->fields[i].section;
			run = 0;
			chrome_section(vs, 1, y++, cols - 2, i18n_tr(f->sections[sec]), NULL);
		}
		if (y >= y_end)
			break;
		if (f->fields[i].kind == FORM_CHECK) {
			/* two a row, in the field column; the right one and one alone on its row
			 * have their label up to the edge */
			draw_check(f, vs, i, fx + (run % 2) * cw, run % 2 == 1 ?
			    cols - 1 - fx - cw : check_alone(f, i) ? cols - 1 - fx : cw - 2, y);
			if (run++ % 2 == 1)
				y++;
			continue;
		}
		run = 0;
		fr = field_rows(f, i) < y_end - y ? field_rows(f, i) : y_end - y;
		/* a read-only area has no error to show beside it: it takes the width */
		draw_field(f, vs, m, i, lx, lw, fx, is_area(&f->fields[i]) &&
		    f->fields[i].readonly ? cols - fx - 3 : fw, y, fr, &cursor_x, &cursor_y);
		y += fr;
	}

	chrome_status(vs, rows - 2, m);
	draw_message(f, vs, m, rows - 1);
	if (cursor_x >= 0)
		vscreen_set_cursor(vs, cursor_x, cursor_y >= 0 ? cursor_y : f->fy[f->focus],
		    true);
	else
		vscreen_set_cursor(vs, f->fx[f->focus], f->fy[f->focus], false);
	if (f->choosing)
		draw_menu(f, vs, y_end);
	if (f->confirm)
		draw_confirm(f, vs);
}

/* ---- keys ---- */

/* The focus delta fields on, over hidden ones; at the ends it wraps round or stays. */
static void
move_focus(struct form *f, int delta, bool wrap)
{
	int i = f->focus, k;

	leave_field(f);
	for (k = 1; k < f->n; k++) {
		i += delta;
		if (wrap)
			i = (i + f->n) % f->n;
		else if (i < 0 || i >= f->n)
			return;
		if (!f->hidden[i]) {
			f->focus = i;
			return;
		}
	}
}

int
form_page(const struct form *f)
{
	return f->n_pages > 1 && f->focus >= 0 && f->focus < f->n ? f->fields[f->focus].page :
	    0;
}

void
form_goto_page(struct form *f, int p)
{
	int i;

	for (i = 0; i < f->n; i++) {
		if (!f->hidden[i] && f->fields[i].page == p) {
			leave_field(f);
			f->focus = i;
			return;
		}
	}
}

void
form_show(struct form *f, int i, bool shown)
{
	f->hidden[i] = !shown;
	if (!shown && f->focus == i)
		move_focus(f, 1, true);
}

static void
pick(struct form *f, const struct model *m, int i, int value)
{
	if (value == FORM_NO_VALUE || f->ops->pick == NULL ||
	    !f->ops->pick(f->owner, f, m, i, value))
		return;
	f->dirty[i] = f->touched[i] = true;
	f->changed = true;
}

static void
open_menu(struct form *f, const struct model *m)
{
	menu_clear(&f->menu);
	if (f->ops->choices == NULL || !f->ops->choices(f->owner, f, m, f->focus, &f->menu))
		return;
	f->choosing = true;
}

static unsigned
choosing_key(struct form *f, struct model *m, const struct key *k, enum keymap_action a)
{
	enum menu_result r = menu_key(&f->menu, k, a);

	if (r == MENU_PICKED)
		pick(f, m, f->focus, menu_value(&f->menu));
	switch (r) {
	case MENU_PICKED:
	case MENU_CANCELLED:
		f->choosing = false;
		return UI_HANDLED | UI_REDRAW;
	case MENU_MOVED:
		return UI_HANDLED | UI_REDRAW;
	case MENU_IGNORED:
		break;
	}
	return a == ACTION_HELP || a == ACTION_REDRAW ? UI_NONE : UI_HANDLED;
}

/* A read-only field: Enter goes on, the cursor moves (an area scrolls), nothing else. */
static unsigned
readonly_key(struct form *f, const struct key *k, enum keymap_action a)
{
	const struct form_field *d = &f->fields[f->focus];

	switch (a) {
	case ACTION_OPEN:
		move_focus(f, 1, false);
		break;
	case ACTION_MOVE_LEFT:
	case ACTION_MOVE_RIGHT:
	case ACTION_HOME:
	case ACTION_END:
	case ACTION_LINE_START:
	case ACTION_LINE_END:
		if (is_area(d))
			area_key(&f->area[f->focus], k, a);
		else if (d->kind == FORM_TEXT)
			lineedit_key(&f->edit[f->focus], k, a);
		break;
	default:
		return UI_HANDLED;
	}
	return UI_HANDLED | UI_REDRAW;
}

unsigned
form_key(struct form *f, struct model *m, const struct key *k, enum keymap_action a)
{
	const struct form_field *d = &f->fields[f->focus];
	bool space = a == ACTION_NONE && k != NULL && !k->is_func && k->code == ' ';

	if (f->confirm) {
		if (a == ACTION_CONFIRM)
			return UI_HANDLED | UI_CLOSE;
		if (a == ACTION_DENY || a == ACTION_BACK) {
			f->confirm = false;
			return UI_HANDLED | UI_REDRAW;
		}
		return a == ACTION_HELP || a == ACTION_REDRAW ? UI_NONE : UI_HANDLED;
	}
	if (f->choosing)
		return choosing_key(f, m, k, a);
	switch (a) {
	case ACTION_SUBMIT:
		return f->ops->submit != NULL ? f->ops->submit(f->owner, f, m) : UI_HANDLED;
	case ACTION_BACK:
		if (!f->changed)
			return UI_HANDLED | UI_CLOSE;
		f->confirm = true;
		return UI_HANDLED | UI_REDRAW;
	case ACTION_NEXT_PANE:
	case ACTION_PREV_PANE:
		move_focus(f, a == ACTION_NEXT_PANE ? 1 : -1, true);
		return UI_HANDLED | UI_REDRAW;
	case ACTION_MOVE_DOWN:
	case ACTION_MOVE_UP:
		if (is_area(d) && area_key(&f->area[f->focus], k, a) != AREA_EDGE)
			return UI_HANDLED | UI_REDRAW;
		move_focus(f, a == ACTION_MOVE_DOWN ? 1 : -1, false);
		return UI_HANDLED | UI_REDRAW;
	case ACTION_PAGE_DOWN:
	case ACTION_PAGE_UP:
		if (f->n_pages > 1) {
			int p = form_page(f) + (a == ACTION_PAGE_DOWN ? 1 : -1);

			if (p >= 0 && p < f->n_pages)
				form_goto_page(f, p);
			return UI_HANDLED | UI_REDRAW;
		}
		break;
	case ACTION_HELP:
	case ACTION_REDRAW:
		return UI_NONE;
	default:
		break;
	}
	if (d->readonly)
		return readonly_key(f, k, a);
	switch (d->kind) {
	case FORM_CHECK:
		if (space || a == ACTION_OPEN) {
			f->on[f->focus] = !f->on[f->focus];
			f->dirty[f->focus] = true;
			f->changed = true;
			return UI_HANDLED | UI_REDRAW;
		}
		return UI_HANDLED;
	case FORM_CHOICE:
		if (space || a == ACTION_OPEN)
			open_menu(f, m);
		else if ((a == ACTION_MOVE_LEFT || a == ACTION_MOVE_RIGHT) && f->ops->step != NULL)
			pick(f, m, f->focus, f->ops->step(f->owner, f, m, f->focus,
			    a == ACTION_MOVE_LEFT ? -1 : 1));
		else if ((a == ACTION_DELETE_BACK || a == ACTION_DELETE_CHAR ||
		    a == ACTION_CLEAR_FIELD) && f->ops->clear != NULL)
			pick(f, m, f->focus, f->ops->clear(f->owner, f, f->focus));
		return UI_HANDLED | UI_REDRAW;
	case FORM_TEXT:
		if (is_area(d)) {
			enum area_result r = area_key(&f->area[f->focus], k, a);

			if (r == AREA_CHANGED) {
				f->dirty[f->focus] = true;
				f->changed = true;
				if (f->ops->edited != NULL)
					f->ops->edited(f->owner, f, f->focus);
			}
			return UI_HANDLED | UI_REDRAW;
		}
		if (a == ACTION_OPEN) {
			move_focus(f, 1, false);
			return UI_HANDLED | UI_REDRAW;
		}
		if (lineedit_key(&f->edit[f->focus], k, a) == LINEEDIT_CHANGED) {
			f->dirty[f->focus] = true;
			f->changed = true;
			if (f->ops->edited != NULL)
				f->ops->edited(f->owner, f, f->focus);
		}
		return UI_HANDLED | UI_REDRAW;
	}
	return UI_HANDLED;
}

enum keymap_scope
form_scope(const struct form *f)
{
	return f->choosing || f->confirm ? SCOPE_DIALOG : SCOPE_FORM;
}
