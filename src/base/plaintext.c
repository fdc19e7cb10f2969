/* plaintext.c: the text rule of PROTOCOL.md 3.2 (see plaintext.h). */
#include "plaintext.h"

#include <string.h>

/* Decode the UTF-8 sequence at s (n bytes available) into *cp; its length, or 0 when it
 * is not valid (overlong, a surrogate, beyond U+10FFFF, truncated). */
static size_t
utf8_next(const unsigned char *s, size_t n, uint32_t *cp)
{
	unsigned char c = s[0];
	size_t len;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf) {
		len = 2;
		*cp = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		len = 3;
		*cp = c & 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4;
		*cp = c & 0x07;
	} else {
		return 0;
	}
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		*cp = (*cp << 6) | (s[i] & 0x3f);
	}
	if ((len == 3 && *cp < 0x800) || (len == 4 && (*cp < 0x10000 || *cp > 0x10ffff)) ||
	    (*cp >= 0xd800 && *cp <= 0xdfff))
		return 0;
	return len;
}

static bool
is_linebreak(uint32_t c)
{
	return c == '\n' || c == 0x2028 || c == 0x2029;
}

static bool
is_control(uint32_t c)
{
	return (c < 0x20 && c != '\t' && c != '\n') || (c >= 0x7f && c <= 0x9f);
}

static bool
is_direction(uint32_t c)
{
	return c == 0x061c || c == 0x200e || c == 0x200f || (c >= 0x202a && c <= 0x202e) ||
	    (c >= 0x2066 && c <= 0x2069);
}

/* Shows nothing: white space and the zero-width characters. */
static bool
is_invisible(uint32_t c)
{
	return c == ' ' || c == '\t' || c == 0xa0 || c == 0xad || c == 0x1680 || c == 0x180e ||
	    (c >= 0x2000 && c <= 0x200d) || c == 0x202f || c == 0x205f || c == 0x2060 ||
	    c == 0x3000 || c == 0xfeff || is_linebreak(c);
}

enum plaintext_fault
plaintext_clean(char *s, size_t len, bool lines, uint32_t *bad)
{
	const unsigned char *u = (const unsigned char *)s;
	bool visible = false;
	uint32_t c = 0;
	enum plaintext_fault f = PLAINTEXT_OK;

	for (size_t i = 0; i < len && f == PLAINTEXT_OK;) {
		size_t l = u[i] == 0 ? 0 : utf8_next(u + i, len - i, &c);
		if (l == 0) {
			c = u[i];
			f = PLAINTEXT_UTF8;
		} else if (is_control(c)) {
			f = PLAINTEXT_CONTROL;
		} else if (is_linebreak(c) && !lines) {
			f = PLAINTEXT_LINEBREAK;
		} else if (is_direction(c)) {
			f = PLAINTEXT_DIRECTION;
		} else if (!is_invisible(c)) {
			visible = true;
		}
		i += l;
	}
	if (f != PLAINTEXT_OK) {
		if (bad != NULL)
			*bad = c;
		return f;
	}
	if (!visible) {
		memset(s, 0, len);	/* "" with nothing of the blank text left behind it */
		return PLAINTEXT_OK;
	}
	for (size_t i = 0; i < len; i++)
		if (s[i] == '\t')
			s[i] = ' ';
	return PLAINTEXT_OK;
}

const char *
plaintext_fault_str(enum plaintext_fault f)
{
	switch (f) {
	case PLAINTEXT_OK: return "no fault";
	case PLAINTEXT_UTF8: return "not valid UTF-8 text";
	case PLAINTEXT_CONTROL: return "control character";
	case PLAINTEXT_LINEBREAK: return "line break";
	case PLAINTEXT_DIRECTION: return "direction control";
	}
	return "?";
}
