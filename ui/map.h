/* map.h: a region map drawn into a virtual screen: the region's outline, its landmarks
 * with their names, trucks and open tickets as marks, and one truck's track, in a window
 * of the earth given by its centre and its scale (km per cell column). The live map
 * (ui/view-map.c) draws with it.
 *
 * Projection: equirectangular about the window's centre, longitudes shortened by the
 * cosine of the centre's latitude, and a cell taken as MAP_ASPECT times as tall as it is
 * wide, so a circle on the ground is round on the screen. Fine lines (the outline, the
 * track) are braille dots (2 x 4 a cell), or whole cells for consoles without braille
 * (PLOT_BLOCKS) and for terminals that are not UTF-8 (PLOT_ASCII), the glyph sets of
 * plot.h. Marks are plain ASCII in every glyph set and differ by glyph as well as by
 * colour role, so a monochrome theme (NO_COLOR, --mono) shows them all apart.
 *
 * Everything is clipped to the rectangle it is given: nothing is ever written outside it,
 * however far off the window a point or a line lies. Landmark names are placed beside
 * their mark where they cover no mark, no track and no other name, and touch no other
 * mark or name at their far end (so each reads as its own mark's), right of the mark
 * first, then left; a name that fits nowhere is left out. Widths are
 * text.h's (CJK two columns).
 *
 * Pure: no I/O, no clock, no catalog (names come worded). Everything passed in is
 * borrowed for the call. */
#ifndef RD_MAP_H
#define RD_MAP_H

#include <stdbool.h>
#include <stddef.h>

#include "plot.h"
#include "vscreen.h"

#define MAP_ASPECT 2.0		/* a cell's height over its width */
#define MAP_KM_PER_DEG 111.19508 /* km per degree of latitude (geo.h's sphere) */
#define MAP_KM_MIN 0.02		/* the finest scale, km per column (20 m) */
#define MAP_KM_MAX 200.0	/* the coarsest */
#define MAP_ZOOM_STEP 1.5	/* one zoom step changes the scale by this factor */

/* What part of the earth the map shows: its centre and its scale. */
struct map_window {
	double lat, lon;	/* the centre, degrees */
	double km_per_col;	/* the width of a cell column on the ground */
};

/* Marks, in the order they win a cell (a ticket over a truck, late over on time; a
 * selected point over any). */
enum map_mark {
	MAP_MARK_LANDMARK,	/* '+' */
	MAP_MARK_TRUCK_STALE,	/* '~': a truck whose last fix is too old */
	MAP_MARK_TRUCK_BUSY,	/* 't': on a job */
	MAP_MARK_TRUCK_FREE,	/* 'T': available */
	MAP_MARK_TRUCK_OFFERED,	/* '?': an offer waits for its answer */
	MAP_MARK_TICKET,	/* 'o': open, on scene or towing (no lateness to show) */
	MAP_MARK_TICKET_OK,	/* 'o': on time */
	MAP_MARK_TICKET_RISK,	/* '*' (THEME_MARK_AMBER): at risk */
	MAP_MARK_TICKET_LATE,	/* '!' (THEME_MARK_RED): late */
	MAP_MARK_COUNT
};

/* The mark's glyph (one ASCII column, static) and its role. */
const char *map_mark_glyph(enum map_mark k);
enum theme_role map_mark_role(enum map_mark k);

/* A truck or a ticket. */
struct map_point {
	double lat, lon;
	enum map_mark mark;
	bool selected;		/* drawn in ROLE_SELECTED, over any other mark in its cell;
				   off the window, an arrow at the edge points to it */
};

/* A landmark: its mark and its name (UTF-8; may be NULL or "" for the mark alone). */
struct map_label {
	double lat, lon;
	const char *text;
};

struct map_scene {
	struct map_window win;
	enum plot_glyphs glyphs;
	/* the region's outline: a circle of radius_km about (c_lat, c_lon); 0: none */
	double c_lat, c_lon, radius_km;
	const struct map_label *labels;
	size_t n_labels;
	const struct map_point *points;
	size_t n_points;
	/* a track, oldest first, drawn as a line in ROLE_OK, bold */
	const double *track_lat, *track_lon;
	size_t n_track;
};

/* The position of (lat, lon) in a grid of cols x rows cells showing w, in cells
 * (fractional; the grid's centre is (cols / 2, rows / 2)). Returns whether it lies in
 * the grid, i.e. 0 <= *fx < cols and 0 <= *fy < rows. */
bool map_project(const struct map_window *w, int cols, int rows, double lat, double lon,
    double *fx, double *fy);
/* The cell of (lat, lon) in *x, *y; false (and *x, *y untouched) when outside. */
bool map_cell(const struct map_window *w, int cols, int rows, double lat, double lon,
    int *x, int *y);

/* The window that shows the circle of radius_km about (lat, lon) whole in a grid of
 * cols x rows, with a cell to spare at each edge, centred on it. */
void map_fit(struct map_window *w, int cols, int rows, double lat, double lon,
    double radius_km);
/* Zoom by steps (> 0 in, < 0 out) of MAP_ZOOM_STEP, within [MAP_KM_MIN, MAP_KM_MAX];
 * the centre stays. */
void map_zoom(struct map_window *w, int steps);
/* Move the centre by dx quarter widths (> 0 east) and dy quarter heights (> 0 south) of
 * a cols x rows grid; latitudes stay within +-85 degrees. */
void map_pan(struct map_window *w, int cols, int rows, int dx, int dy);
/* A round distance for a scale bar: the largest of 1, 2 and 5 times a power of ten km
 * that takes at most max_cols columns at km_per_col; its columns in *cols (>= 1). 0 when
 * not even the shortest fits. */
double map_scale_km(double km_per_col, int max_cols, int *cols);

/* The part of a landmark's name in one language: the names of data/regions are the
 * Chinese name, then the English one ("马尔康 Maerkang", "G213 茂县 Maoxian"): zh gives
 * everything up to the last word with a character beyond ASCII ("马尔康", "G213 茂县"),
 * otherwise the words after it ("Maerkang", "Maoxian"). A name with no such word, or
 * nothing after it, is given whole. Written into out (truncated at a character). */
void map_name_part(const char *name, bool zh, char *out, size_t outsz);

/* Draw the scene into the rectangle (x, y, w, h) of vs, which is filled with spaces
 * first. Returns the number of landmark names placed. */
int map_draw(struct vscreen *vs, int x, int y, int w, int h, const struct map_scene *s);

#endif
