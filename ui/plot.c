/* plot.c: a small time plot in a virtual screen (plot.h). */
#include "plot.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"
#include "util.h"

enum plot_glyphs
plot_glyphs_for(bool utf8_locale, const char *term)
{
	if (!utf8_locale)
		return PLOT_ASCII;
	if (term != NULL && (strcmp(term, "linux") == 0 || strncmp(term, "vt", 2) == 0 ||
	    strncmp(term, "cons", 4) == 0))
		return PLOT_BLOCKS;
	return PLOT_BRAILLE;
}

double
plot_nice_max(double v)
{
	static const double steps[] = { 1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10 };

	if (!isfinite(v) || v <= 0)
		return 1;
	double p = pow(10, floor(log10(v)));
	for (size_t i = 0; i < ARRAY_LEN(steps); i++)
		if (steps[i] * p >= v * (1 - 1e-12))
			return steps[i] * p;
	return 10 * p;
}

/* The first of the n points (sorted by time) at or after t, or after it when after: n
 * when none. */
static size_t
first_from(const int64_t *ts, size_t n, double t, bool after)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if ((double)ts[mid] < t || (after && (double)ts[mid] == t))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Whether point i is drawn: in the window, its value finite. */
static bool
usable(const int64_t *ts, const double *v, size_t i, const struct plot_spec *s)
{
	return isfinite(v[i]) && ts[i] >= s->t0 && ts[i] <= s->t1;
}

/* The value shown at dot column k of dots (the window cut in dots equal slices): at the
 * slice's middle, interpolated between the points on each side of it; else the latest
 * point inside the slice. false: none. */
static bool
value_at(const int64_t *ts, const double *v, size_t n, const struct plot_spec *s, int k,
    int dots, double *out)
{
	double span = (double)(s->t1 - s->t0);
	double lo = (double)s->t0 + span * k / dots, hi = (double)s->t0 + span * (k + 1) / dots;
	double mid = (lo + hi) / 2;
	size_t right = first_from(ts, n, mid, true), end;

	if (right > 0 && right < n && usable(ts, v, right - 1, s) && usable(ts, v, right, s)) {
		size_t left = right - 1;
		double f = (mid - (double)ts[left]) / (double)(ts[right] - ts[left]);
		*out = v[left] + (v[right] - v[left]) * f;
		return true;
	}
	/* the slice's latest point (the last slice takes its right edge too) */
	end = first_from(ts, n, hi, k == dots - 1);
	for (size_t i = end; i > first_from(ts, n, lo, false); i--)
		if (usable(ts, v, i - 1, s)) {
			*out = v[i - 1];
			return true;
		}
	return false;
}

/* v on a scale of steps 0..max (v over y_max at the top, below 0 at the bottom). */
static int
level(double v, double y_max, int max)
{
	double f = v / y_max;
	if (!(f > 0))
		return 0;
	if (f >= 1)
		return max;
	return (int)lround(f * max);
}

/* Code point cp as UTF-8 into out (room for 5). */
static void
utf8_put(unsigned cp, char *out)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		out[1] = '\0';
	} else if (cp < 0x800) {
		out[0] = (char)(0xc0 | cp >> 6);
		out[1] = (char)(0x80 | (cp & 0x3f));
		out[2] = '\0';
	} else {
		out[0] = (char)(0xe0 | cp >> 12);
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		out[2] = (char)(0x80 | (cp & 0x3f));
		out[3] = '\0';
	}
}

/* The braille dot at column cx (0, 1) and row ry (0 top .. 3) of a cell. */
static unsigned
braille_bit(int cx, int ry)
{
	static const unsigned left[] = { 0x01, 0x02, 0x04, 0x40 };
	static const unsigned right[] = { 0x08, 0x10, 0x20, 0x80 };
	return cx == 0 ? left[ry] : right[ry];
}

static void
draw_braille(struct vscreen *vs, int x, int y, int pw, int ph, const int64_t *ts,
    const double *v, size_t n, const struct plot_spec *s)
{
	int dots = pw * 2, rows = ph * 4, prev = -1;
	unsigned *cells = xcalloc((size_t)pw * (size_t)ph, sizeof *cells);
	char buf[8];

	for (int k = 0; k < dots; k++) {
		double val;
		if (!value_at(ts, v, n, s, k, dots, &val)) {
			prev = -1;
			continue;
		}
		int lv = level(val, s->y_max, rows - 1);
		/* a line: join the previous column's dot to this one */
		int from = prev < 0 ? lv : prev < lv ? prev + 1 : prev > lv ? prev - 1 : lv;
		int a = from < lv ? from : lv, b = from < lv ? lv : from;
		for (int l = a; l <= b; l++) {
			int r = rows - 1 - l;
			cells[(size_t)(r / 4) * (size_t)pw + (size_t)(k / 2)] |= braille_bit(k % 2, r % 4);
		}
		prev = lv;
	}
	for (int r = 0; r < ph; r++)
		for (int c = 0; c < pw; c++) {
			unsigned bits = cells[(size_t)r * (size_t)pw + (size_t)c];
			if (bits == 0)
				continue;
			utf8_put(0x2800 + bits, buf);
			vscreen_put(vs, x + c, y + r, s->role, 0, buf, 1);
		}
	free(cells);
}

static void
draw_columns(struct vscreen *vs, int x, int y, int pw, int ph, const int64_t *ts,
    const double *v, size_t n, const struct plot_spec *s)
{
	char buf[8];

	for (int c = 0; c < pw; c++) {
		double val;
		if (!value_at(ts, v, n, s, c, pw, &val))
			continue;
		if (s->glyphs == PLOT_ASCII) {
			int lv = level(val, s->y_max, ph - 1);
			vscreen_put(vs, x + c, y + ph - 1 - lv, s->role, 0, "*", 1);
			continue;
		}
		int eighths = level(val, s->y_max, ph * 8);
		if (eighths == 0)
			eighths = 1;	/* a value, however small, shows */
		for (int r = 0; r < ph && eighths > r * 8; r++) {
			int fill = eighths - r * 8;
			utf8_put(fill >= 8 ? 0x2588 : 0x2580 + (unsigned)fill, buf);
			vscreen_put(vs, x + c, y + ph - 1 - r, s->role, 0, buf, 1);
		}
	}
}

int
plot_draw(struct vscreen *vs, int x, int y, int w, int h, const int64_t *ts,
    const double *v, size_t n, const struct plot_spec *s)
{
	int gw = 0, ph, pw, lw, rw;
	bool x_axis = s->x_left != NULL || s->x_right != NULL;

	if (w < 1 || h < 1)
		return 0;
	vscreen_fill(vs, x, y, w, h, ROLE_NORMAL, 0, L' ');
	if (s->y_top != NULL)
		gw = text_width(s->y_top);
	if (s->y_bottom != NULL && text_width(s->y_bottom) > gw)
		gw = text_width(s->y_bottom);
	if (gw > 0)
		gw++;
	ph = h - (x_axis ? 1 : 0);
	pw = w - gw;
	if (ph < 1 || pw < 1 || s->t1 <= s->t0 || !(s->y_max > 0))
		return 0;
	if (s->y_top != NULL)
		vscreen_put_right(vs, x, y, ROLE_DIM, 0, s->y_top, gw - 1);
	if (s->y_bottom != NULL && ph > 1)
		vscreen_put_right(vs, x, y + ph - 1, ROLE_DIM, 0, s->y_bottom, gw - 1);
	if (x_axis) {
		rw = s->x_right != NULL ? text_width(s->x_right) : 0;
		lw = s->x_left != NULL ? text_width(s->x_left) : 0;
		if (rw > 0)
			vscreen_put_right(vs, x + w - (rw < pw ? rw : pw), y + ph, ROLE_DIM, 0,
			    s->x_right, rw < pw ? rw : pw);
		if (lw > 0 && lw + 1 + rw <= pw)
			vscreen_put(vs, x + gw, y + ph, ROLE_DIM, 0, s->x_left, lw);
	}
	if (s->glyphs == PLOT_BRAILLE)
		draw_braille(vs, x + gw, y, pw, ph, ts, v, n, s);
	else
		draw_columns(vs, x + gw, y, pw, ph, ts, v, n, s);
	return pw;
}
