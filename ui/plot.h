/* plot.h: a small time plot drawn into a virtual screen: one series of values over a time
 * window, as braille dots (a line, 2 x 4 dots a cell), eighth blocks (bars, 8 steps a
 * cell) or plain ASCII ('*' at each column's value), with labels at the ends of the axes.
 * The truck's distance to the car in the ticket detail (ui/track.c) is drawn with it.
 *
 * Pure: no I/O, no clock (the window is passed in), no catalog (the labels are given
 * already worded). Colours are roles, so a monochrome theme (--mono, NO_COLOR) shows the
 * same plot in attributes. Everything passed in is borrowed for the call. */
#ifndef RD_PLOT_H
#define RD_PLOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "theme.h"
#include "vscreen.h"

/* Which characters draw the curve. */
enum plot_glyphs {
	PLOT_BRAILLE,		/* U+2800..U+28FF: the finest, a line */
	PLOT_BLOCKS,		/* U+2581..U+2588: for fonts and consoles without braille */
	PLOT_ASCII,		/* '*': a terminal that is not UTF-8 */
};

/* The glyphs for a terminal: ASCII unless the locale the user set is UTF-8; blocks on the
 * Linux and BSD text consoles (TERM linux, vt*, cons*: no braille in their fonts); braille
 * elsewhere. term may be NULL. */
enum plot_glyphs plot_glyphs_for(bool utf8_locale, const char *term);

/* The smallest "nice" value (1, 1.5, 2, 2.5, 3, 4, 5, 6, 8 times a power of ten) that is at
 * least v: the top of the value axis. 1 for v <= 0 or not finite. */
double plot_nice_max(double v);

struct plot_spec {
	int64_t t0, t1;		/* the window: times at the left and right edges (ms; t1 > t0) */
	double y_max;		/* the value at the top edge (> 0); 0 is the bottom edge */
	enum plot_glyphs glyphs;
	enum theme_role role;	/* of the curve */
	/* labels, each may be NULL: at the top and the bottom of the value axis (a gutter on
	 * the left, as wide as the wider), and under the left and right ends of the time axis
	 * (the last row, when either is given) */
	const char *y_top, *y_bottom;
	const char *x_left, *x_right;
};

/* Draw the n points (ts[i], v[i]), sorted by time (oldest first), into the rectangle
 * (x, y, w, h) of vs, which is filled with spaces first. Values outside [0, y_max] are
 * drawn at the edge; points outside the window and values that are not finite are left
 * out. A time column shows the value
 * at its middle, interpolated between the two points around it, or the point in it when
 * there is none on one side: nothing before the first point or after the last (a gap in
 * the data stays blank). Returns the number of plot columns (0 when w or h leave none). */
int plot_draw(struct vscreen *vs, int x, int y, int w, int h, const int64_t *ts,
    const double *v, size_t n, const struct plot_spec *spec);

#endif
