/* vscreen.h: a virtual screen of character cells that views draw into.
 *
 * Views never touch curses: they write text into a struct vscreen with a colour role and
 * attributes per cell, and term_blit() (term.h) sends the cells that changed since the last
 * frame to the terminal. Tests render views into a vscreen and compare vscreen_dump() with
 * golden files, with no terminal at all.
 *
 * Text rules (decoding, placeholders for control/bidi characters, widths) are those of
 * text.h; a UTF-8 LC_CTYPE must be set by the caller. Coordinates are 0-based columns (x)
 * and rows (y); everything is clipped to the screen, never wrapped. A wide character takes
 * two cells: the left cell holds it with width 2 and the right cell has width 0. Writing
 * over either half of a wide character blanks the other half, so the grid stays
 * consistent however views overlap.
 *
 * Ownership: vscreen_create() returns a screen the caller destroys with vscreen_destroy();
 * cell pointers returned by vscreen_cell() are borrowed and valid until the next resize or
 * destroy. Not thread-safe. */
#ifndef RD_VSCREEN_H
#define RD_VSCREEN_H

#include <stdbool.h>
#include <stdint.h>
#include <wchar.h>

#include "theme.h"
#include "util.h"

/* Base character plus up to 4 combining characters per cell (ncurses CCHARW_MAX is 5). */
#define VSCREEN_CCHAR_MAX 5

struct vscreen_cell {
	wchar_t ch[VSCREEN_CCHAR_MAX];	/* base then combining; unused slots are 0 */
	uint8_t width;			/* 1 or 2; 0 for the right half of a wide char */
	uint8_t role;			/* enum theme_role */
	uint8_t attr;			/* enum theme_attr bits, added to the role's */
};

struct vscreen;

/* A screen of cols x rows blank cells (role normal); sizes below 1 are raised to 1.
 * Caller destroys. */
struct vscreen *vscreen_create(int cols, int rows);
/* Free the screen; NULL is fine. */
void vscreen_destroy(struct vscreen *vs);
/* Change the size; all cells are blanked (views redraw after a resize) and the cursor is
 * hidden. Sizes below 1 are raised to 1. */
void vscreen_resize(struct vscreen *vs, int cols, int rows);
/* Blank every cell (space, role normal, no attrs) and hide the cursor. */
void vscreen_clear(struct vscreen *vs);
/* Make dst an exact copy of src (size, cells, cursor). */
void vscreen_copy(struct vscreen *dst, const struct vscreen *src);

/* The size in columns and rows. */
int vscreen_cols(const struct vscreen *vs);
int vscreen_rows(const struct vscreen *vs);
/* The cell at (x, y), or NULL outside the screen. Borrowed. */
const struct vscreen_cell *vscreen_cell(const struct vscreen *vs, int x, int y);
/* true when two cells would look the same on the terminal. */
bool vscreen_cell_equal(const struct vscreen_cell *a, const struct vscreen_cell *b);

/* Write utf8 at (x, y) in at most max_cols columns (max_cols < 0: up to the right edge;
 * always clipped to the edge). A wide character that does not fit in the last column
 * becomes a space in that column. Zero-width characters attach to the previous character
 * written by this call (and are dropped if there is none). Returns the columns written
 * (0 if (x, y) is off-screen or utf8 is NULL). */
int vscreen_put(struct vscreen *vs, int x, int y, enum theme_role role, unsigned attr,
    const char *utf8, int max_cols);
/* Like vscreen_put(), but text that does not fit is cut and ends with U+2026 "..." inside
 * max_cols, then padded with spaces to exactly max_cols (clipped to the edge). Returns the
 * columns written. */
int vscreen_put_ellipsis(struct vscreen *vs, int x, int y, enum theme_role role,
    unsigned attr, const char *utf8, int max_cols);
/* Write utf8 left-aligned in a field of exactly width columns: truncated with an ellipsis
 * if too wide, padded with spaces if too narrow. Returns the columns written. */
int vscreen_put_pad(struct vscreen *vs, int x, int y, enum theme_role role, unsigned attr,
    const char *utf8, int width);
/* Same, right-aligned in the field (padding on the left). */
int vscreen_put_right(struct vscreen *vs, int x, int y, enum theme_role role,
    unsigned attr, const char *utf8, int width);
/* printf-style vscreen_put() (the formatted text obeys the same rules; control characters
 * in arguments become placeholders). Returns the columns written. */
int vscreen_putf(struct vscreen *vs, int x, int y, enum theme_role role, unsigned attr,
    int max_cols, const char *fmt, ...) RD_PRINTF(7, 8);

/* Fill the rectangle (x, y, w, h), clipped, with ch (a width-1 character; anything else
 * fills with spaces) in the given role and attrs. */
void vscreen_fill(struct vscreen *vs, int x, int y, int w, int h, enum theme_role role,
    unsigned attr, wchar_t ch);
/* Change role and attrs of w cells from (x, y) without touching their characters, e.g. to
 * highlight a selected row after drawing it; widened to whole wide characters. */
void vscreen_paint(struct vscreen *vs, int x, int y, int w, enum theme_role role,
    unsigned attr);

/* Where term_blit() parks the hardware cursor (for screen readers and braille displays park
 * it on the selected row or the active input even when hidden), and whether it is shown.
 * Positions are clipped to the screen. */
void vscreen_set_cursor(struct vscreen *vs, int x, int y, bool visible);
/* Get the cursor position; returns whether it is visible. */
bool vscreen_cursor(const struct vscreen *vs, int *x, int *y);

/* Compare row y of a and b (same size required, else the whole row counts as changed).
 * Returns false if equal; else stores the first and last changed columns, widened so no
 * wide character is cut, and returns true. */
bool vscreen_row_diff(const struct vscreen *a, const struct vscreen *b, int y, int *x0,
    int *x1);

/* The screen as UTF-8 text: one line per row, each ending in '\n', trailing spaces
 * removed, right halves of wide characters skipped. Caller frees. */
char *vscreen_dump(const struct vscreen *vs);
/* The roles as text: one line per row of one theme_role_letter() per cell (a wide
 * character gives two letters), trailing normal-role cells removed. Caller frees. */
char *vscreen_dump_roles(const struct vscreen *vs);

#endif
