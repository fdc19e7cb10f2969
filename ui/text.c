/* text.c: strict UTF-8, sanitising and column widths (see text.h for the rules). */
#ifndef _XOPEN_SOURCE
#define _XOPEN_SOURCE 700	/* wcwidth() */
#endif
#include "text.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

static const char ellipsis_utf8[] = "\xe2\x80\xa6";

size_t
text_decode(const char *s, size_t n, wchar_t *wc)
{
	const unsigned char *u = (const unsigned char *)s;
	unsigned char c = u[0], lo = 0x80, hi = 0xbf;
	unsigned long cp;
	size_t need, i;

	if (c < 0x80) {
		*wc = (wchar_t)c;
		return 1;
	}
	if (c < 0xc2 || c > 0xf4) {
		/* Stray continuation byte, overlong lead (C0/C1) or beyond U+10FFFF. */
		*wc = TEXT_PLACEHOLDER;
		return 1;
	}
	if (c < 0xe0) {
		need = 1;
		cp = c & 0x1f;
	} else if (c < 0xf0) {
		need = 2;
		cp = c & 0x0f;
		if (c == 0xe0)
			lo = 0xa0;	/* overlong */
		else if (c == 0xed)
			hi = 0x9f;	/* surrogates */
	} else {
		need = 3;
		cp = c & 0x07;
		if (c == 0xf0)
			lo = 0x90;	/* overlong */
		else if (c == 0xf4)
			hi = 0x8f;	/* above U+10FFFF */
	}
	for (i = 1; i <= need; i++) {
		if (i >= n || u[i] < lo || u[i] > hi) {
			/* One placeholder for the maximal ill-formed prefix. */
			*wc = TEXT_PLACEHOLDER;
			return i;
		}
		cp = (cp << 6) | (u[i] & 0x3f);
		lo = 0x80;
		hi = 0xbf;
	}
	*wc = (wchar_t)cp;
	return need + 1;
}

size_t
text_encode(wchar_t wc, char *out)
{
	unsigned long c = (unsigned long)wc;

	if (c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		c = 0xfffd;
	if (c < 0x80) {
		out[0] = (char)c;
		return 1;
	}
	if (c < 0x800) {
		out[0] = (char)(0xc0 | (c >> 6));
		out[1] = (char)(0x80 | (c & 0x3f));
		return 2;
	}
	if (c < 0x10000) {
		out[0] = (char)(0xe0 | (c >> 12));
		out[1] = (char)(0x80 | ((c >> 6) & 0x3f));
		out[2] = (char)(0x80 | (c & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | (c >> 18));
	out[1] = (char)(0x80 | ((c >> 12) & 0x3f));
	out[2] = (char)(0x80 | ((c >> 6) & 0x3f));
	out[3] = (char)(0x80 | (c & 0x3f));
	return 4;
}

/* Characters that can reorder or hide text: shown as the placeholder. */
static int
unsafe(wchar_t c)
{
	return c == 0x061c || c == 0x200e || c == 0x200f ||
	    (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069) ||
	    c == 0x2028 || c == 0x2029;
}

/* Invisible characters whose effect on width differs between terminals: left out. */
static int
dropped(wchar_t c)
{
	return (c >= 0x200b && c <= 0x200d) || (c >= 0x2060 && c <= 0x2064) ||
	    (c >= 0xfe00 && c <= 0xfe0f) || c == 0xfeff ||
	    (c >= 0xe0100 && c <= 0xe01ef);
}

static int
placeholder(wchar_t *wc)
{
	*wc = MB_CUR_MAX > 1 ? TEXT_PLACEHOLDER : (wchar_t)'?';
	return 1;
}

int
text_char_width(wchar_t *wc)
{
	wchar_t c = *wc;
	int w;

	if (c == '\t') {
		*wc = ' ';
		return 1;
	}
	if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0))
		return placeholder(wc);
	if (c < 0x7f)
		return 1;
	if (unsafe(c))
		return placeholder(wc);
	if (dropped(c))
		return TEXT_DROP;
	w = wcwidth(c);
	if (w < 0)
		return placeholder(wc);
	return w > 2 ? 2 : w;
}

int
text_width(const char *utf8)
{
	size_t len, pos = 0;
	wchar_t wc;
	int w, total = 0;

	if (utf8 == NULL)
		return 0;
	len = strlen(utf8);
	while (pos < len) {
		pos += text_decode(utf8 + pos, len - pos, &wc);
		w = text_char_width(&wc);
		if (w > 0)
			total += w;
	}
	return total;
}

size_t
text_fit(const char *utf8, int max_cols, int *used)
{
	size_t len, pos = 0, step;
	wchar_t wc;
	int w, total = 0;

	if (utf8 != NULL) {
		len = strlen(utf8);
		while (pos < len) {
			step = text_decode(utf8 + pos, len - pos, &wc);
			w = text_char_width(&wc);
			if (w > 0 && total + w > max_cols)
				break;
			if (w > 0)
				total += w;
			pos += step;
		}
	}
	if (used != NULL)
		*used = total;
	return pos;
}

char *
text_truncate(const char *utf8, int max_cols, bool ellipsis)
{
	size_t len, pos = 0, out_len = 0;
	int w, limit, total = 0;
	wchar_t wc;
	char *out;

	if (utf8 == NULL)
		utf8 = "";
	if (max_cols < 0)
		max_cols = 0;
	len = strlen(utf8);
	/* Each input byte yields at most 3 output bytes (a placeholder). */
	out = xmalloc(len * 3 + sizeof ellipsis_utf8);
	limit = max_cols;
	if (ellipsis && text_width(utf8) > max_cols)
		limit = max_cols - 1;
	else
		ellipsis = false;
	while (pos < len) {
		pos += text_decode(utf8 + pos, len - pos, &wc);
		w = text_char_width(&wc);
		if (w == TEXT_DROP)
			continue;
		if (total + w > limit)
			break;
		total += w;
		out_len += text_encode(wc, out + out_len);
	}
	if (ellipsis && max_cols > 0) {
		memcpy(out + out_len, ellipsis_utf8, sizeof ellipsis_utf8 - 1);
		out_len += sizeof ellipsis_utf8 - 1;
	}
	out[out_len] = '\0';
	return out;
}
