/* text.h: UTF-8 decoding, sanitising and display-column measurement for the console.
 *
 * Every string that reaches the screen goes through text_decode() and text_char_width(),
 * so the rules live in one place:
 *   - decoding is strict UTF-8 (no overlongs, no surrogates, nothing above U+10FFFF); each
 *     maximal ill-formed subsequence becomes one U+FFFD;
 *   - C0 controls, DEL, C1 controls (U+0080..U+009F), bidi embeddings/overrides/isolates
 *     and marks, line/paragraph separators and anything wcwidth() calls unprintable become
 *     the placeholder U+FFFD ('?' when the locale is not UTF-8), width 1; TAB becomes one
 *     space. So no escape sequence and no text reordering from data can reach the terminal;
 *   - zero-width joiners/spaces, variation selectors and U+FEFF are dropped, because
 *     terminals disagree on how they change widths (emoji sequences, VS16);
 *   - combining marks have width 0 and attach to the previous character;
 *   - widths come from wcwidth() under the current LC_CTYPE, so the caller must have set a
 *     UTF-8 locale (setlocale is the caller's job); CJK and emoji are 2 columns.
 * No allocation except text_truncate(); no curses. */
#ifndef RD_TEXT_H
#define RD_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <wchar.h>

/* The placeholder for invalid or unsafe input, and the ellipsis used when truncating. */
#define TEXT_PLACEHOLDER ((wchar_t)0xFFFD)
#define TEXT_ELLIPSIS ((wchar_t)0x2026)

/* Width class returned by text_char_width() for characters to drop entirely. */
#define TEXT_DROP (-1)

/* Decode one character from s (n > 0 bytes available; NUL is a character here). Stores the
 * code point, or U+FFFD for an ill-formed sequence, in *wc and returns the number of bytes
 * consumed (1..4, never 0). Locale-independent. */
size_t text_decode(const char *s, size_t n, wchar_t *wc);

/* Encode wc (at most U+10FFFF, not a surrogate; others encode U+FFFD) as UTF-8 into out,
 * which has room for 4 bytes; returns the byte count (1..4). No NUL is written. */
size_t text_encode(wchar_t wc, char *out);

/* Sanitise one decoded character in place (*wc may be replaced by the placeholder or a
 * space) and return its display width: 0 (combining: attach to the previous cell), 1, 2, or
 * TEXT_DROP (do not display at all). */
int text_char_width(wchar_t *wc);

/* Display width in columns of a NUL-terminated UTF-8 string, with the rules above.
 * NULL counts as "". */
int text_width(const char *utf8);

/* Length in bytes of the longest prefix of utf8 whose width is at most max_cols, never
 * splitting a character and keeping zero-width characters that follow the last one that
 * fits. Stores that width in *used if used is not NULL. */
size_t text_fit(const char *utf8, int max_cols, int *used);

/* A sanitised copy of utf8 (placeholders applied, dropped characters removed) cut to at
 * most max_cols columns. With ellipsis, a string that does not fit ends in U+2026 within
 * the limit. A wide character that does not fit is left out (the result may be one column
 * short; pad when laying out). Caller frees. NULL counts as "". */
char *text_truncate(const char *utf8, int max_cols, bool ellipsis);

#endif
