/* lineedit.h: a one-line text editor for prompts and form fields.
 *
 * The text is UTF-8 and always valid: characters come one code point at a time (struct key)
 * and only what text.h would show as itself is accepted (no controls, no bidi controls, no
 * invisible characters). The cursor is a byte offset that always sits on a character
 * boundary, and moves by characters: a base character together with the combining marks
 * after it, so a cursor never lands inside "e" + U+0301. Display is measured in columns
 * (CJK and emoji are 2 columns): the editor scrolls horizontally so the cursor stays
 * visible in the width it is drawn in, and never shows half of a wide character.
 *
 * Keys: printable characters insert; the form actions (keymap.h SCOPE_FORM) move_left,
 * move_right, delete_back, delete_char, clear_field, line_start (C-a), line_end (C-e),
 * delete_word (C-w: the spaces and the word before the cursor, readline's rule; ASCII and
 * ideographic spaces separate words), kill_line (C-k: the cursor to the end), and
 * home/end edit. A KEYSYM_PASTE key inserts the text last offered with lineedit_offer_paste()
 * as lineedit_paste() does, at once: a paste never acts as the keys it holds. Nothing else
 * is used, so callers handle Enter, Esc, Tab and the rest.
 *
 * With fold_width set (a field for digits and Latin letters: a phone, a plate, coordinates),
 * the full-width forms U+FF01..U+FF5E a Chinese input method types in its full-width mode
 * insert as their ASCII characters, and the ideographic space U+3000 as a space, so
 * "１３８" is "138" and takes three bytes, not nine.
 *
 * Ownership: struct lineedit is embedded by the caller; lineedit_init() then
 * lineedit_finish() (which frees the buffer). The offered paste is one process-wide copy,
 * owned here. Pure: no curses, no clock. */
#ifndef RD_LINEEDIT_H
#define RD_LINEEDIT_H

#include <stdbool.h>
#include <stddef.h>
#include <wchar.h>

#include "keymap.h"
#include "theme.h"
#include "vscreen.h"

struct lineedit {
	char *buf;		/* NUL-terminated UTF-8, owned */
	size_t len, cap;
	size_t cur;		/* byte offset of the cursor, on a character boundary */
	size_t first;		/* byte offset of the first character shown */
	size_t max;		/* the most bytes the text may hold */
	bool fold_width;	/* take full-width forms as ASCII (lineedit_insert) */
};

#define LINEEDIT_PASTE_MAX 4096

enum lineedit_result {
	LINEEDIT_IGNORED = 0,	/* not an editing key: the caller may use it */
	LINEEDIT_MOVED,		/* the cursor moved (or the key was a no-op edit) */
	LINEEDIT_CHANGED,	/* the text changed */
	LINEEDIT_REFUSED	/* an editing key that could not apply: full, or unsafe */
};

/* An empty editor holding at most max_bytes bytes of text (proto field sizes). */
void lineedit_init(struct lineedit *le, size_t max_bytes);
/* Free the buffer; the editor may be initialised again. */
void lineedit_finish(struct lineedit *le);

/* Replace the text (copied; characters an editor would refuse are dropped, and the text is
 * cut on a character boundary to max bytes); the cursor goes to the end. NULL empties. */
void lineedit_set(struct lineedit *le, const char *text);
/* Empty the text. */
void lineedit_clear(struct lineedit *le);
/* The text, NUL-terminated; borrowed until the next change. */
const char *lineedit_text(const struct lineedit *le);
bool lineedit_empty(const struct lineedit *le);

/* The display width of wc if an editor takes it (0, 1 or 2), else -1: whatever text.h
 * would replace or drop is refused, so what is typed is what is shown and sent. The
 * form's multi-line areas (ui/form.c) take a line break besides. */
int lineedit_accept_width(wchar_t wc);

/* Insert one code point at the cursor. Zero-width (combining) characters attach to the
 * character before the cursor and are refused at the start. */
enum lineedit_result lineedit_insert(struct lineedit *le, wchar_t wc);
/* Insert a UTF-8 string character by character (e.g. a paste); stops at the first refusal
 * of a full buffer. Returns LINEEDIT_CHANGED if anything went in. */
enum lineedit_result lineedit_insert_str(struct lineedit *le, const char *utf8);
/* Insert a paste into this one-line field: each run of line breaks (CR, LF, CR LF, blank
 * lines) becomes one space and each tab a space, other control characters are dropped, and what fits goes in (a
 * prefix, on a character boundary). Returns LINEEDIT_CHANGED if anything went in. */
enum lineedit_result lineedit_paste(struct lineedit *le, const char *utf8);
/* The text the next KEYSYM_PASTE key inserts (copied, cut to LINEEDIT_PASTE_MAX bytes); the app
 * loop offers term_paste() before it hands the key to a view. NULL forgets it. */
void lineedit_offer_paste(const char *utf8);
/* Handle one key: a is keymap_lookup() of k in a text-entry scope. */
enum lineedit_result lineedit_key(struct lineedit *le, const struct key *k,
    enum keymap_action a);

/* Cursor movement by characters (also what lineedit_key does). */
void lineedit_home(struct lineedit *le);
void lineedit_end(struct lineedit *le);
void lineedit_left(struct lineedit *le);
void lineedit_right(struct lineedit *le);

/* The cursor's position in characters from the start and in columns from the start. */
size_t lineedit_cursor_chars(const struct lineedit *le);
int lineedit_cursor_cols(const struct lineedit *le);

/* Draw the editor in width columns at (x, y): the visible part of the text, then spaces,
 * all in role/attr. Scrolls so the cursor is visible (one column is kept for a cursor at
 * the end). Returns the screen column of the cursor; does not move the vscreen's cursor. */
int lineedit_draw(struct lineedit *le, struct vscreen *vs, int x, int y, int width,
    enum theme_role role, unsigned attr);

#endif
