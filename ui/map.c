/* map.c: a region map in a virtual screen (map.h). */
#include "map.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"
#include "util.h"

#define OUTLINE_SEGMENTS 360	/* chords of the region's circle: 19 m off at 250 km */

/* What a cell of the grid holds, for placing names. */
enum occ { OCC_EMPTY, OCC_OUTLINE, OCC_TRACK, OCC_MARK, OCC_NAME };

static const struct {
	const char *glyph;
	enum theme_role role;
} marks[MAP_MARK_COUNT] = {
	[MAP_MARK_LANDMARK] = { "+", ROLE_DIM },
	[MAP_MARK_TRUCK_STALE] = { "~", ROLE_DIM },
	[MAP_MARK_TRUCK_BUSY] = { "t", ROLE_NORMAL },
	[MAP_MARK_TRUCK_FREE] = { "T", ROLE_OK },
	[MAP_MARK_TRUCK_OFFERED] = { "?", ROLE_PENDING },
	[MAP_MARK_TICKET] = { "o", ROLE_NORMAL },
	[MAP_MARK_TICKET_OK] = { "o", ROLE_OK },
	[MAP_MARK_TICKET_RISK] = { THEME_MARK_AMBER, ROLE_WARN },
	[MAP_MARK_TICKET_LATE] = { THEME_MARK_RED, ROLE_LATE },
};

const char *
map_mark_glyph(enum map_mark k)
{
	return (unsigned)k < MAP_MARK_COUNT ? marks[k].glyph : " ";
}

enum theme_role
map_mark_role(enum map_mark k)
{
	return (unsigned)k < MAP_MARK_COUNT ? marks[k].role : ROLE_NORMAL;
}

static double
rad(double deg)
{
	return deg * M_PI / 180.0;
}

/* The window's columns per degree of longitude and rows per degree of latitude. */
static void
per_deg(const struct map_window *w, double *cols_per_deg, double *rows_per_deg)
{
	*cols_per_deg = cos(rad(w->lat)) * MAP_KM_PER_DEG / w->km_per_col;
	*rows_per_deg = MAP_KM_PER_DEG / (w->km_per_col * MAP_ASPECT);
}

bool
map_project(const struct map_window *w, int cols, int rows, double lat, double lon,
    double *fx, double *fy)
{
	double cx, cy;

	per_deg(w, &cx, &cy);
	*fx = cols / 2.0 + (lon - w->lon) * cx;
	*fy = rows / 2.0 + (w->lat - lat) * cy;
	return *fx >= 0 && *fx < cols && *fy >= 0 && *fy < rows;
}

bool
map_cell(const struct map_window *w, int cols, int rows, double lat, double lon, int *x,
    int *y)
{
	double fx, fy;

	if (!map_project(w, cols, rows, lat, lon, &fx, &fy))
		return false;
	*x = (int)floor(fx);
	*y = (int)floor(fy);
	/* floor of a value just under cols is cols - 1; this only guards rounding */
	return *x >= 0 && *x < cols && *y >= 0 && *y < rows;
}

static double
clamp_km(double km)
{
	if (!(km >= MAP_KM_MIN))
		return MAP_KM_MIN;
	return km > MAP_KM_MAX ? MAP_KM_MAX : km;
}

void
map_fit(struct map_window *w, int cols, int rows, double lat, double lon, double radius_km)
{
	double half_c = cols / 2.0 - 1, half_r = rows / 2.0 - 1;
	double r = radius_km > 0 ? radius_km : 1;

	if (half_c < 0.5)
		half_c = 0.5;
	if (half_r < 0.5)
		half_r = 0.5;
	double kx = r / half_c, ky = r / (half_r * MAP_ASPECT);
	w->lat = lat;
	w->lon = lon;
	w->km_per_col = clamp_km(kx > ky ? kx : ky);
}

void
map_zoom(struct map_window *w, int steps)
{
	w->km_per_col = clamp_km(w->km_per_col / pow(MAP_ZOOM_STEP, steps));
}

void
map_pan(struct map_window *w, int cols, int rows, int dx, int dy)
{
	double cx, cy;
	int qc = cols / 4 > 0 ? cols / 4 : 1, qr = rows / 4 > 0 ? rows / 4 : 1;

	per_deg(w, &cx, &cy);
	w->lon += dx * qc / cx;
	w->lat -= dy * qr / cy;
	if (w->lat > 85)
		w->lat = 85;
	if (w->lat < -85)
		w->lat = -85;
	if (w->lon > 180)
		w->lon -= 360;
	if (w->lon < -180)
		w->lon += 360;
}

double
map_scale_km(double km_per_col, int max_cols, int *cols)
{
	static const double mant[] = { 1, 2, 5 };
	double best = 0;
	int best_cols = 0;

	if (!(km_per_col > 0))
		return 0;
	for (int e = -3; e <= 4; e++)
		for (size_t i = 0; i < ARRAY_LEN(mant); i++) {
			double km = mant[i] * pow(10, e);
			double c = floor(km / km_per_col + 0.5);
			if (c >= 1 && c <= max_cols && km > best) {
				best = km;
				best_cols = (int)c;
			}
		}
	if (cols != NULL)
		*cols = best_cols;
	return best;
}

/* Whether the word [s, e) has a byte beyond ASCII. */
static bool
wide_word(const char *s, const char *e)
{
	for (; s < e; s++)
		if ((unsigned char)*s >= 0x80)
			return true;
	return false;
}

/* Copy [s, e) into out, cut at a character boundary when it does not fit. */
static void
copy_span(const char *s, const char *e, char *out, size_t outsz)
{
	size_t n = (size_t)(e - s);

	if (outsz == 0)
		return;
	if (n >= outsz) {
		n = outsz - 1;
		while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
			n--;
	}
	memcpy(out, s, n);
	out[n] = '\0';
}

void
map_name_part(const char *name, bool zh, char *out, size_t outsz)
{
	const char *p = name != NULL ? name : "", *end = p + strlen(p), *cut = NULL;

	/* the end of the last word with a character beyond ASCII */
	for (const char *s = p; *s != '\0';) {
		while (*s == ' ')
			s++;
		const char *e = s;
		while (*e != '\0' && *e != ' ')
			e++;
		if (e > s && wide_word(s, e))
			cut = e;
		s = e;
	}
	if (cut == NULL) {
		copy_span(p, end, out, outsz);
		return;
	}
	const char *rest = cut;
	while (*rest == ' ')
		rest++;
	if (*rest == '\0') {
		copy_span(p, end, out, outsz);
		return;
	}
	if (zh) {
		while (p < cut && *p == ' ')
			p++;
		copy_span(p, cut, out, outsz);
	} else {
		while (end > rest && end[-1] == ' ')
			end--;
		copy_span(rest, end, out, outsz);
	}
}

/* ---------------------------------------------------------------- drawing */

/* The fine grid of a scene: dots per cell across (dx) and down (dy), and the bits of
 * each cell for one line layer. */
struct layer {
	int w, h, dx, dy;
	unsigned *bits;
};

/* The braille dot at column cx (0, 1) and row ry (0 top .. 3) of a cell (as plot.c). */
static unsigned
braille_bit(int cx, int ry)
{
	static const unsigned left[] = { 0x01, 0x02, 0x04, 0x40 };
	static const unsigned right[] = { 0x08, 0x10, 0x20, 0x80 };
	return cx == 0 ? left[ry] : right[ry];
}

static void
dot(struct layer *l, double fx, double fy)
{
	/* a point a rounding error short of a dot's edge belongs to the dot past it */
	int px = (int)floor(fx + 1e-9), py = (int)floor(fy + 1e-9);

	if (px < 0 || py < 0 || px >= l->w * l->dx || py >= l->h * l->dy)
		return;
	l->bits[(size_t)(py / l->dy) * (size_t)l->w + (size_t)(px / l->dx)] |=
	    l->dx == 2 ? braille_bit(px % 2, py % 4) : 1u;
}

/* Clip one bound of Liang-Barsky: p t <= q. false: the segment is outside. */
static bool
clip_edge(double p, double q, double *t0, double *t1)
{
	if (p == 0)
		return q >= 0;
	double r = q / p;
	if (p < 0) {
		if (r > *t1)
			return false;
		if (r > *t0)
			*t0 = r;
	} else {
		if (r < *t0)
			return false;
		if (r < *t1)
			*t1 = r;
	}
	return true;
}

/* A line between two points in dots, clipped to the grid first, so a segment far off
 * the window costs nothing and none of it lands outside. */
static void
line(struct layer *l, double x0, double y0, double x1, double y1)
{
	double W = l->w * l->dx, H = l->h * l->dy, ddx = x1 - x0, ddy = y1 - y0;
	double t0 = 0, t1 = 1;

	if (!isfinite(x0) || !isfinite(y0) || !isfinite(x1) || !isfinite(y1))
		return;
	if (!clip_edge(-ddx, x0, &t0, &t1) || !clip_edge(ddx, W - x0, &t0, &t1) ||
	    !clip_edge(-ddy, y0, &t0, &t1) || !clip_edge(ddy, H - y0, &t0, &t1))
		return;
	double ax = x0 + t0 * ddx, ay = y0 + t0 * ddy;
	double bx = x0 + t1 * ddx, by = y0 + t1 * ddy;
	double len = fabs(bx - ax) > fabs(by - ay) ? fabs(bx - ax) : fabs(by - ay);
	int steps = (int)ceil(len) + 1;
	for (int i = 0; i <= steps; i++) {
		double t = (double)i / steps;
		dot(l, ax + (bx - ax) * t, ay + (by - ay) * t);
	}
}

/* A point of the scene in dots. */
static void
to_dots(const struct map_scene *s, const struct layer *l, double lat, double lon,
    double *x, double *y)
{
	map_project(&s->win, l->w, l->h, lat, lon, x, y);
	*x *= l->dx;
	*y *= l->dy;
}

static void
draw_outline(const struct map_scene *s, struct layer *l)
{
	double px = 0, py = 0, kx = MAP_KM_PER_DEG * cos(rad(s->c_lat));

	if (!(s->radius_km > 0) || !(kx > 0))
		return;
	for (int i = 0; i <= OUTLINE_SEGMENTS; i++) {
		double a = 2 * M_PI * i / OUTLINE_SEGMENTS, x, y;
		to_dots(s, l, s->c_lat + s->radius_km * cos(a) / MAP_KM_PER_DEG,
		    s->c_lon + s->radius_km * sin(a) / kx, &x, &y);
		if (i > 0)
			line(l, px, py, x, y);
		px = x;
		py = y;
	}
}

static void
draw_track(const struct map_scene *s, struct layer *l)
{
	double px = 0, py = 0;

	for (size_t i = 0; i < s->n_track; i++) {
		double x, y;
		to_dots(s, l, s->track_lat[i], s->track_lon[i], &x, &y);
		if (i == 0)
			dot(l, x, y);
		else
			line(l, px, py, x, y);
		px = x;
		py = y;
	}
}

/* The glyph of a line cell: its braille dots, or the set's single glyph. */
static void
line_glyph(enum plot_glyphs g, bool track, unsigned bits, char *buf)
{
	size_t n;

	switch (g) {
	case PLOT_BRAILLE:
		n = text_encode((wchar_t)(0x2800 + bits), buf);
		buf[n] = '\0';
		break;
	case PLOT_BLOCKS:	/* the console fonts have both (CP437, Latin-1) */
		strcpy(buf, track ? "\xe2\x96\x91" : "\xc2\xb7");
		break;
	default:
		strcpy(buf, track ? ":" : ".");
		break;
	}
}

/* Where a name of tw columns may start on row cy for a mark at cx: right of it, else
 * left; -1 when neither side is free. The name covers no mark, track or name, and its
 * far end touches no mark or name, so it is read as the name of its own mark alone. */
static int
name_place(const uint8_t *occ, int w, int cx, int cy, int tw)
{
	const uint8_t *row = occ + (size_t)cy * (size_t)w;
	const int starts[2] = { cx + 1, cx - tw };

	for (int k = 0; k < 2; k++) {
		int a = starts[k], b = a + tw;	/* [a, b) */
		int far = k == 0 ? b : a - 1;	/* the neighbour that is not its mark */
		bool ok = a >= 0 && b <= w;
		for (int c = a; ok && c < b; c++)
			ok = row[c] <= OCC_OUTLINE;
		if (ok && far >= 0 && far < w && row[far] >= OCC_MARK)
			ok = false;
		if (ok)
			return a;
	}
	return -1;
}

/* The cell at the edge of a w x h grid where the line from its centre to (fx, fy), a
 * point outside it, leaves it, and the arrow that points on along it. */
static const char *
edge_cell(int w, int h, double fx, double fy, int *cx, int *cy)
{
	double dx = fx - w / 2.0, dy = fy - h / 2.0;
	double hx = w / 2.0 - 0.5, hy = h / 2.0 - 0.5;
	double tx = dx != 0 ? hx / fabs(dx) : INFINITY, ty = dy != 0 ? hy / fabs(dy) : INFINITY;
	double t = tx < ty ? tx : ty;

	*cx = (int)floor(w / 2.0 + dx * t);
	*cy = (int)floor(h / 2.0 + dy * t);
	*cx = *cx < 0 ? 0 : *cx >= w ? w - 1 : *cx;
	*cy = *cy < 0 ? 0 : *cy >= h ? h - 1 : *cy;
	if (tx < ty)
		return dx < 0 ? "<" : ">";
	return dy < 0 ? "^" : "v";
}

int
map_draw(struct vscreen *vs, int x, int y, int w, int h, const struct map_scene *s)
{
	struct layer outline, track;
	uint8_t *occ;
	long *best;
	int placed = 0;
	char buf[8];

	if (w < 1 || h < 1)
		return 0;
	vscreen_fill(vs, x, y, w, h, ROLE_NORMAL, 0, L' ');
	if (!(s->win.km_per_col > 0))
		return 0;
	size_t cells = (size_t)w * (size_t)h;
	outline = (struct layer){ w, h, 1, 1, xcalloc(cells, sizeof *outline.bits) };
	if (s->glyphs == PLOT_BRAILLE) {
		outline.dx = 2;
		outline.dy = 4;
	}
	track = outline;
	track.bits = xcalloc(cells, sizeof *track.bits);
	occ = xcalloc(cells, sizeof *occ);
	best = xcalloc(cells, sizeof *best);

	/* the fine layers: the outline, then the track over it */
	draw_outline(s, &outline);
	draw_track(s, &track);
	for (size_t i = 0; i < cells; i++) {
		int cx = (int)(i % (size_t)w), cy = (int)(i / (size_t)w);
		if (track.bits[i] != 0) {
			line_glyph(s->glyphs, true, track.bits[i], buf);
			vscreen_put(vs, x + cx, y + cy, ROLE_OK, THEME_BOLD, buf, 1);
			occ[i] = OCC_TRACK;
		} else if (outline.bits[i] != 0) {
			line_glyph(s->glyphs, false, outline.bits[i], buf);
			vscreen_put(vs, x + cx, y + cy, ROLE_BORDER, 0, buf, 1);
			occ[i] = OCC_OUTLINE;
		}
	}

	/* the marks: in each cell the point that wins it (best holds index + 1) */
	for (size_t i = 0; i < s->n_points; i++) {
		const struct map_point *p = &s->points[i];
		int cx, cy;
		if ((unsigned)p->mark >= MAP_MARK_COUNT ||
		    !map_cell(&s->win, w, h, p->lat, p->lon, &cx, &cy))
			continue;
		size_t c = (size_t)cy * (size_t)w + (size_t)cx;
		int rank = (int)p->mark + (p->selected ? MAP_MARK_COUNT : 0);
		if (best[c] != 0) {
			const struct map_point *q = &s->points[best[c] - 1];
			if ((int)q->mark + (q->selected ? MAP_MARK_COUNT : 0) >= rank)
				continue;
		}
		best[c] = (long)i + 1;
	}
	for (size_t i = 0; i < s->n_labels; i++) {
		int cx, cy;
		if (!map_cell(&s->win, w, h, s->labels[i].lat, s->labels[i].lon, &cx, &cy))
			continue;
		size_t c = (size_t)cy * (size_t)w + (size_t)cx;
		if (best[c] != 0)
			continue;	/* a truck or a ticket stands on it */
		vscreen_put(vs, x + cx, y + cy, marks[MAP_MARK_LANDMARK].role, 0,
		    marks[MAP_MARK_LANDMARK].glyph, 1);
		occ[c] = OCC_MARK;
	}
	for (size_t c = 0; c < cells; c++) {
		if (best[c] == 0)
			continue;
		const struct map_point *p = &s->points[best[c] - 1];
		vscreen_put(vs, x + (int)(c % (size_t)w), y + (int)(c / (size_t)w),
		    p->selected ? ROLE_SELECTED : marks[p->mark].role, 0, marks[p->mark].glyph, 1);
		occ[c] = OCC_MARK;
	}

	/* a selected point off the window: an arrow at the edge, on the line from the centre
	 * towards it */
	for (size_t i = 0; i < s->n_points; i++) {
		const struct map_point *p = &s->points[i];
		double fx, fy;
		if (!p->selected || map_project(&s->win, w, h, p->lat, p->lon, &fx, &fy) ||
		    !isfinite(fx) || !isfinite(fy))
			continue;
		int cx, cy;
		const char *arrow = edge_cell(w, h, fx, fy, &cx, &cy);
		vscreen_put(vs, x + cx, y + cy, ROLE_SELECTED, 0, arrow, 1);
		occ[(size_t)cy * (size_t)w + (size_t)cx] = OCC_MARK;
	}

	/* the names, first come first placed */
	for (size_t i = 0; i < s->n_labels; i++) {
		const char *t = s->labels[i].text;
		int cx, cy, tw, a;
		if (t == NULL || t[0] == '\0' ||
		    !map_cell(&s->win, w, h, s->labels[i].lat, s->labels[i].lon, &cx, &cy))
			continue;
		tw = text_width(t);
		if (tw < 1 || (a = name_place(occ, w, cx, cy, tw)) < 0)
			continue;
		vscreen_put(vs, x + a, y + cy, ROLE_NORMAL, 0, t, tw);
		memset(occ + (size_t)cy * (size_t)w + (size_t)a, OCC_NAME, (size_t)tw);
		placed++;
	}
	free(outline.bits);
	free(track.bits);
	free(occ);
	free(best);
	return placed;
}
