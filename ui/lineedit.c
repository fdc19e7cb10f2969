/* lineedit.c: the one-line UTF-8 editor (see lineedit.h). */
#include "lineedit.h"

#include <stdlib.h>
#include <string.h>

#include "text.h"
#include "util.h"

int
lineedit_accept_width(wchar_t wc)
{
	wchar_t c = wc;
	int w;

	if (wc == 0)
		return -1;
	w = text_char_width(&c);
	if (w == TEXT_DROP || c != wc)
		return -1;
	return w;
}

/* Decode the character at pos; returns its byte length and stores its width. */
static size_t
char_at(const struct lineedit *le, size_t pos, int *width)
{
	wchar_t wc;
	size_t n = text_decode(le->buf + pos, le->len - pos, &wc);

	*width = text_char_width(&wc);
	if (*width < 0)
		*width = 0;
	return n;
}

/* The start of the character after the one at pos (with its combining marks). */
static size_t
next_pos(const struct lineedit *le, size_t pos)
{
	int w;

	if (pos >= le->len)
		return le->len;
	pos += char_at(le, pos, &w);
	while (pos < le->len) {
		size_t n = char_at(le, pos, &w);

		if (w != 0)
			break;
		pos += n;
	}
	return pos;
}

/* The start of the character before pos (a base character, not a combining mark). */
static size_t
prev_pos(const struct lineedit *le, size_t pos)
{
	size_t p;
	int w;

	while (pos > 0) {
		p = pos - 1;
		while (p > 0 && ((unsigned char)le->buf[p] & 0xc0) == 0x80)
			p--;
		char_at(le, p, &w);
		pos = p;
		if (w != 0)
			break;
	}
	return pos;
}

/* Columns taken by the bytes [from, to). */
static int
cols_between(const struct lineedit *le, size_t from, size_t to)
{
	int total = 0, w;

	while (from < to) {
		from += char_at(le, from, &w);
		total += w;
	}
	return total;
}

static void
reserve(struct lineedit *le, size_t need)
{
	if (need + 1 <= le->cap)
		return;
	le->cap = need + 1 > 2 * le->cap ? need + 1 : 2 * le->cap;
	le->buf = xrealloc(le->buf, le->cap);
}

void
lineedit_init(struct lineedit *le, size_t max_bytes)
{
	memset(le, 0, sizeof *le);
	le->max = max_bytes;
	reserve(le, 16);
	le->buf[0] = '\0';
}

void
lineedit_finish(struct lineedit *le)
{
	free(le->buf);
	memset(le, 0, sizeof *le);
}

void
lineedit_clear(struct lineedit *le)
{
	le->len = le->cur = le->first = 0;
	le->buf[0] = '\0';
}

void
lineedit_set(struct lineedit *le, const char *text)
{
	lineedit_clear(le);
	if (text != NULL)
		lineedit_insert_str(le, text);
	le->cur = le->len;
	le->first = 0;
}

const char *
lineedit_text(const struct lineedit *le)
{
	return le->buf;
}

bool
lineedit_empty(const struct lineedit *le)
{
	return le->len == 0;
}

enum lineedit_result
lineedit_insert(struct lineedit *le, wchar_t wc)
{
	char enc[4];
	size_t n;
	int w;

	if (le->fold_width && wc >= 0xff01 && wc <= 0xff5e)
		wc -= 0xfee0;
	else if (le->fold_width && wc == 0x3000)
		wc = L' ';
	w = lineedit_accept_width(wc);

	if (w < 0 || (w == 0 && le->cur == 0))
		return LINEEDIT_REFUSED;
	n = text_encode(wc, enc);
	if (le->len + n > le->max)
		return LINEEDIT_REFUSED;
	reserve(le, le->len + n);
	memmove(le->buf + le->cur + n, le->buf + le->cur, le->len - le->cur + 1);
	memcpy(le->buf + le->cur, enc, n);
	le->len += n;
	le->cur += n;
	return LINEEDIT_CHANGED;
}

enum lineedit_result
lineedit_insert_str(struct lineedit *le, const char *utf8)
{
	size_t len = strlen(utf8), pos = 0;
	enum lineedit_result r = LINEEDIT_REFUSED;
	wchar_t wc;
	char enc[4];

	while (pos < len) {
		pos += text_decode(utf8 + pos, len - pos, &wc);
		if (lineedit_accept_width(wc) < 0)
			continue;	/* dropped, like the screen would */
		if (lineedit_insert(le, wc) == LINEEDIT_CHANGED)
			r = LINEEDIT_CHANGED;
		else if (le->len + text_encode(wc, enc) > le->max)
			break;		/* full: keep a prefix, never a middle */
	}
	return r;
}

static char offered[LINEEDIT_PASTE_MAX + 1];	/* the paste a KEYSYM_PASTE inserts */

void
lineedit_offer_paste(const char *utf8)
{
	size_t n = utf8 != NULL ? strlen(utf8) : 0;

	if (n > LINEEDIT_PASTE_MAX) {	/* cut on a character boundary */
		n = LINEEDIT_PASTE_MAX;
		while (n > 0 && ((unsigned char)utf8[n] & 0xc0) == 0x80)
			n--;
	}
	if (n > 0)
		memcpy(offered, utf8, n);
	offered[n] = '\0';
}

enum lineedit_result
lineedit_paste(struct lineedit *le, const char *utf8)
{
	size_t len = strlen(utf8), i, o = 0;
	char *one = xmalloc(len + 1);
	enum lineedit_result r;

	for (i = 0; i < len; i++) {
		if (utf8[i] == '\r' || utf8[i] == '\n') {
			if (o == 0 || one[o - 1] != '\n')
				one[o++] = '\n';	/* a run of line breaks: one space */
			continue;
		}
		one[o++] = utf8[i] == '\t' ? ' ' : utf8[i];
	}
	for (i = 0; i < o; i++)
		if (one[i] == '\n')
			one[i] = ' ';
	one[o] = '\0';
	r = lineedit_insert_str(le, one);	/* drops the other controls */
	free(one);
	return r;
}

void
lineedit_home(struct lineedit *le)
{
	le->cur = 0;
}

void
lineedit_end(struct lineedit *le)
{
	le->cur = le->len;
}

void
lineedit_left(struct lineedit *le)
{
	le->cur = prev_pos(le, le->cur);
}

void
lineedit_right(struct lineedit *le)
{
	le->cur = next_pos(le, le->cur);
}

static enum lineedit_result
delete_range(struct lineedit *le, size_t from, size_t to)
{
	if (from >= to)
		return LINEEDIT_MOVED;
	memmove(le->buf + from, le->buf + to, le->len - to + 1);
	le->len -= to - from;
	le->cur = from;
	if (le->first > le->len)
		le->first = 0;
	return LINEEDIT_CHANGED;
}

/* Whether the character at pos is a word separator (a space, ASCII or ideographic). */
static bool
space_at(const struct lineedit *le, size_t pos)
{
	wchar_t wc;

	text_decode(le->buf + pos, le->len - pos, &wc);
	return wc == L' ' || wc == 0x3000;
}

/* The start of the word before pos, readline's C-w: spaces before pos, then the word. */
static size_t
word_start(const struct lineedit *le, size_t pos)
{
	while (pos > 0 && space_at(le, prev_pos(le, pos)))
		pos = prev_pos(le, pos);
	while (pos > 0 && !space_at(le, prev_pos(le, pos)))
		pos = prev_pos(le, pos);
	return pos;
}

enum lineedit_result
lineedit_key(struct lineedit *le, const struct key *k, enum keymap_action a)
{
	if (a == ACTION_NONE && k != NULL && keymap_key_printable(k))
		return lineedit_insert(le, (wchar_t)k->code);
	if (k != NULL && k->is_func && k->code == KEYSYM_PASTE)
		return lineedit_paste(le, offered);
	switch (a) {
	case ACTION_MOVE_LEFT:
		lineedit_left(le);
		break;
	case ACTION_MOVE_RIGHT:
		lineedit_right(le);
		break;
	case ACTION_HOME:
	case ACTION_LINE_START:
		lineedit_home(le);
		break;
	case ACTION_END:
	case ACTION_LINE_END:
		lineedit_end(le);
		break;
	case ACTION_DELETE_WORD:
		return delete_range(le, word_start(le, le->cur), le->cur);
	case ACTION_KILL_LINE:
		return delete_range(le, le->cur, le->len);
	case ACTION_DELETE_BACK:
		return delete_range(le, prev_pos(le, le->cur), le->cur);
	case ACTION_DELETE_CHAR:
		return delete_range(le, le->cur, next_pos(le, le->cur));
	case ACTION_CLEAR_FIELD:
		if (le->len == 0)
			return LINEEDIT_MOVED;
		lineedit_clear(le);
		return LINEEDIT_CHANGED;
	default:
		return LINEEDIT_IGNORED;
	}
	return LINEEDIT_MOVED;
}

size_t
lineedit_cursor_chars(const struct lineedit *le)
{
	size_t pos = 0, n = 0;

	while (pos < le->cur) {
		pos = next_pos(le, pos);
		n++;
	}
	return n;
}

int
lineedit_cursor_cols(const struct lineedit *le)
{
	return cols_between(le, 0, le->cur);
}

int
lineedit_draw(struct lineedit *le, struct vscreen *vs, int x, int y, int width,
    enum theme_role role, unsigned attr)
{
	size_t p;

	if (width <= 0)
		return x;
	if (le->first > le->len)
		le->first = 0;
	if (le->cur < le->first)
		le->first = le->cur;
	/* Keep the cursor inside: one column stays free for a cursor after the text. */
	while (le->first < le->cur && cols_between(le, le->first, le->cur) > width - 1)
		le->first = next_pos(le, le->first);
	/* Scroll back when the whole tail fits again (after deletions). */
	while (le->first > 0) {
		p = prev_pos(le, le->first);
		if (cols_between(le, p, le->len) > width - 1)
			break;
		le->first = p;
	}
	vscreen_fill(vs, x, y, width, 1, role, attr, L' ');
	vscreen_put(vs, x, y, role, attr, le->buf + le->first, width);
	return x + cols_between(le, le->first, le->cur);
}
