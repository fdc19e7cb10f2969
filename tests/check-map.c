/* check-map.c: the region map's pure parts (ui/map.c): projection (the centre in the
 * middle, a kilometre east a column over the cosine, north half as many rows as columns),
 * fitting a region, zoom within its limits, pan there and back, the scale bar's round
 * distances, a landmark's name in each language; and drawing: every glyph set, the marks
 * by glyph and role (a ticket over a truck, a selection over any), names beside their
 * mark and never over a mark, the track or another name, CJK widths, and nothing written
 * outside the rectangle however far off the window points and lines lie. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "map.h"
#include "rng.h"
#include "text.h"
#include "util.h"
#include "vscreen.h"

#include "harness-screen.h"

#define LAT0 28.2282
#define LON0 112.9388

static double
km_east(double km)
{
	return km / (MAP_KM_PER_DEG * cos(LAT0 * M_PI / 180));
}

static double
km_north(double km)
{
	return km / MAP_KM_PER_DEG;
}

/* ---------------------------------------------------------------- projection */

static const struct {
	double east_km, north_km;	/* from the centre */
	double km_per_col;
	double fx, fy;			/* expected in an 80 x 20 grid */
	bool inside;
} proj[] = {
	{ 0, 0, 1, 40, 10, true },
	{ 1, 0, 1, 41, 10, true },
	{ 0, 2, 1, 40, 9, true },	/* a row is two columns tall */
	{ -39.9, 0, 1, 0.1, 10, true },	/* near the left edge */
	{ 40.1, 0, 1, 80.1, 10, false },	/* past the right edge */
	{ 0, 19.9, 1, 40, 0.05, true },
	{ 0, -20.1, 1, 40, 20.05, false },
	{ 10.1, -10.1, 0.5, 60.2, 20.1, false },
	{ 10.1, -9.1, 0.5, 60.2, 19.1, true },
	{ -1000, 1000, 1, -960, -490, false },
};

START_TEST(test_project)
{
	struct map_window w = { LAT0, LON0, proj[_i].km_per_col };
	double fx, fy;
	int x = -7, y = -7;
	bool in = map_project(&w, 80, 20, LAT0 + km_north(proj[_i].north_km),
	    LON0 + km_east(proj[_i].east_km), &fx, &fy);

	ck_assert_msg(in == proj[_i].inside, "row %d", _i);
	ck_assert_double_eq_tol(fx, proj[_i].fx, 1e-6);
	ck_assert_double_eq_tol(fy, proj[_i].fy, 1e-6);
	ck_assert(map_cell(&w, 80, 20, LAT0 + km_north(proj[_i].north_km),
	    LON0 + km_east(proj[_i].east_km), &x, &y) == proj[_i].inside);
	if (proj[_i].inside) {
		ck_assert_int_eq(x, (int)floor(proj[_i].fx));
		ck_assert_int_eq(y, (int)floor(proj[_i].fy));
	} else {
		ck_assert_int_eq(x, -7);	/* untouched */
	}
}
END_TEST

/* The whole region in the grid, with its edge within a cell of the grid's border on the
 * tighter side. */
static const struct {
	int cols, rows;
	double radius_km;
	double km_per_col;
} fits[] = {
	{ 80, 20, 30, 30 / 18.0 },	/* rows bind: 9 rows of 2 columns each side */
	{ 200, 54, 30, 30 / 52.0 },
	{ 40, 60, 30, 30 / 19.0 },	/* columns bind */
	{ 80, 20, 250, 250 / 18.0 },
	{ 80, 20, 0.01, MAP_KM_MIN },	/* never finer than the limit */
	{ 80, 20, 100000, MAP_KM_MAX },
};

START_TEST(test_fit)
{
	struct map_window w;
	double fx, fy;

	map_fit(&w, fits[_i].cols, fits[_i].rows, LAT0, LON0, fits[_i].radius_km);
	ck_assert_double_eq(w.lat, LAT0);
	ck_assert_double_eq(w.lon, LON0);
	ck_assert_double_eq_tol(w.km_per_col, fits[_i].km_per_col, 1e-9);
	if (fits[_i].km_per_col == MAP_KM_MAX)
		return;
	for (int a = 0; a < 360; a += 15) {
		double r = fits[_i].radius_km;
		ck_assert(map_project(&w, fits[_i].cols, fits[_i].rows,
		    LAT0 + km_north(r * cos(a * M_PI / 180)),
		    LON0 + km_east(r * sin(a * M_PI / 180)), &fx, &fy));
	}
}
END_TEST

START_TEST(test_zoom)
{
	struct map_window w = { LAT0, LON0, 1 };

	map_zoom(&w, 1);
	ck_assert_double_eq_tol(w.km_per_col, 1 / MAP_ZOOM_STEP, 1e-12);
	map_zoom(&w, -2);
	ck_assert_double_eq_tol(w.km_per_col, MAP_ZOOM_STEP, 1e-12);
	ck_assert_double_eq(w.lat, LAT0);	/* the centre stays */
	ck_assert_double_eq(w.lon, LON0);
	map_zoom(&w, 100);
	ck_assert_double_eq(w.km_per_col, MAP_KM_MIN);
	map_zoom(&w, -100);
	ck_assert_double_eq(w.km_per_col, MAP_KM_MAX);
}
END_TEST

START_TEST(test_pan)
{
	struct map_window w = { LAT0, LON0, 0.5 }, w0 = w;
	double fx, fy;

	map_pan(&w, 80, 20, 1, 0);	/* a quarter east: the old centre a quarter left */
	map_project(&w, 80, 20, LAT0, LON0, &fx, &fy);
	ck_assert_double_eq_tol(fx, 20, 1e-9);
	ck_assert_double_eq_tol(fy, 10, 1e-9);
	map_pan(&w, 80, 20, 0, 1);	/* a quarter south: the old centre a quarter up */
	map_project(&w, 80, 20, LAT0, LON0, &fx, &fy);
	ck_assert_double_eq_tol(fy, 5, 1e-9);
	map_pan(&w, 80, 20, 0, -1);
	map_pan(&w, 80, 20, -1, 0);
	ck_assert_double_eq_tol(w.lat, w0.lat, 1e-12);
	ck_assert_double_eq_tol(w.lon, w0.lon, 1e-12);
	/* never past the poles' neighbourhood */
	w.km_per_col = MAP_KM_MAX;
	for (int i = 0; i < 100; i++)
		map_pan(&w, 80, 20, 0, -1);
	ck_assert_double_le(w.lat, 85);
}
END_TEST

static const struct {
	double km_per_col;
	int max_cols;
	double km;
	int cols;
} scales[] = {
	{ 1, 12, 10, 10 },
	{ 1.667, 12, 20, 12 },
	{ 0.5, 12, 5, 10 },
	{ 13.9, 12, 100, 7 },
	{ 0.02, 12, 0.2, 10 },
	{ 0.3, 12, 2, 7 },
	{ 1000, 12, 10000, 10 },
	{ 1e6, 12, 0, 0 },
	{ 0, 12, 0, 0 },
};

START_TEST(test_scale)
{
	int cols = -1;
	double km = map_scale_km(scales[_i].km_per_col, scales[_i].max_cols, &cols);

	ck_assert_double_eq_tol(km, scales[_i].km, 1e-9);
	if (scales[_i].km > 0)
		ck_assert_int_eq(cols, scales[_i].cols);
}
END_TEST

static const struct {
	const char *name, *zh, *en;
} names[] = {
	{ "马尔康 Maerkang", "马尔康", "Maerkang" },
	{ "G213 茂县 Maoxian", "G213 茂县", "Maoxian" },
	{ "G4217汶马高速 鹧鸪山隧道 Zhegushan Tunnel", "G4217汶马高速 鹧鸪山隧道",
	    "Zhegushan Tunnel" },
	{ "卓克基土司官寨 Zhuokeji Chieftain's Residence", "卓克基土司官寨",
	    "Zhuokeji Chieftain's Residence" },
	{ "Changsha South Station", "Changsha South Station", "Changsha South Station" },
	{ "橘子洲", "橘子洲", "橘子洲" },
	{ "  五一广场  Wuyi Square  ", "五一广场", "Wuyi Square" },
	{ "", "", "" },
};

START_TEST(test_name_part)
{
	char out[96];

	map_name_part(names[_i].name, true, out, sizeof out);
	ck_assert_str_eq(out, names[_i].zh);
	map_name_part(names[_i].name, false, out, sizeof out);
	ck_assert_str_eq(out, names[_i].en);
	map_name_part(NULL, true, out, sizeof out);
	ck_assert_str_eq(out, "");
	/* cut at a character, never inside one */
	char small[5];
	map_name_part("马尔康 Maerkang", true, small, sizeof small);
	ck_assert_str_eq(small, "马");
}
END_TEST

/* ---------------------------------------------------------------- drawing */

static struct vscreen *vs;

static void
setup(void)
{
	vs = vscreen_create(40, 16);
}

static void
teardown(void)
{
	vscreen_destroy(vs);
}

/* The base character of cell (x, y). */
static wchar_t
ch_at(int x, int y)
{
	return vscreen_cell(vs, x, y)->ch[0];
}

static enum theme_role
role_at(int x, int y)
{
	return (enum theme_role)vscreen_cell(vs, x, y)->role;
}

/* Everything outside the rectangle is still the 'X' it was filled with. */
static void
assert_untouched_outside(int x, int y, int w, int h)
{
	for (int r = 0; r < vscreen_rows(vs); r++)
		for (int c = 0; c < vscreen_cols(vs); c++)
			if (c < x || c >= x + w || r < y || r >= y + h)
				ck_assert_msg(ch_at(c, r) == L'X', "cell %d,%d written", c, r);
}

/* A 20 x 10 map at (10, 3), 1 km a column, about the centre. */
static struct map_scene
scene(enum plot_glyphs g)
{
	return (struct map_scene){ .win = { LAT0, LON0, 1 }, .glyphs = g };
}

#define AT(e, n) LAT0 + km_north(n), LON0 + km_east(e)

START_TEST(test_marks)
{
	/* in cell (12, 5) of the map: a free truck under a late ticket; (14, 5) a busy
	 * truck under a selected free one; (5, 2) on time; (6, 2) stale; (7, 2) offered;
	 * (8, 2) at risk */
	struct map_point p[] = {
		{ AT(2.5, -0.5), MAP_MARK_TRUCK_FREE, false },
		{ AT(2.5, -0.5), MAP_MARK_TICKET_LATE, false },
		{ AT(4.5, -0.5), MAP_MARK_TRUCK_FREE, true },
		{ AT(4.5, -0.5), MAP_MARK_TRUCK_BUSY, false },
		{ AT(-4.5, 5.5), MAP_MARK_TICKET_OK, false },
		{ AT(-3.5, 5.5), MAP_MARK_TRUCK_STALE, false },
		{ AT(-2.5, 5.5), MAP_MARK_TRUCK_OFFERED, false },
		{ AT(-1.5, 5.5), MAP_MARK_TICKET_RISK, false },
		{ AT(500, 0), MAP_MARK_TICKET_LATE, false },	/* far off: not drawn */
	};
	struct map_scene s = scene(PLOT_ASCII);

	s.points = p;
	s.n_points = ARRAY_LEN(p);
	vscreen_fill(vs, 0, 0, 40, 16, ROLE_NORMAL, 0, L'X');
	map_draw(vs, 10, 3, 20, 10, &s);
	assert_untouched_outside(10, 3, 20, 10);
	ck_assert(ch_at(10 + 12, 3 + 5) == L'!');
	ck_assert_int_eq(role_at(22, 8), ROLE_LATE);
	ck_assert(ch_at(10 + 14, 3 + 5) == L'T');
	ck_assert_int_eq(role_at(24, 8), ROLE_SELECTED);
	ck_assert(ch_at(15, 5) == L'o' && role_at(15, 5) == ROLE_OK);
	ck_assert(ch_at(16, 5) == L'~' && role_at(16, 5) == ROLE_DIM);
	ck_assert(ch_at(17, 5) == L'?' && role_at(17, 5) == ROLE_PENDING);
	ck_assert(ch_at(18, 5) == L'*' && role_at(18, 5) == ROLE_WARN);
	/* every mark differs by glyph from the others of its kind */
	for (int a = 0; a < MAP_MARK_COUNT; a++)
		for (int b = a + 1; b < MAP_MARK_COUNT; b++)
			if (!(a == MAP_MARK_TICKET && b == MAP_MARK_TICKET_OK))
				ck_assert_str_ne(map_mark_glyph(a), map_mark_glyph(b));
}
END_TEST

/* The outline in each glyph set: braille dots, middle dots, full stops; all inside. */
START_TEST(test_outline_glyphs)
{
	static const enum plot_glyphs gs[] = { PLOT_BRAILLE, PLOT_BLOCKS, PLOT_ASCII };
	struct map_scene s = scene(gs[_i]);
	int n = 0;

	s.c_lat = LAT0;
	s.c_lon = LON0;
	s.radius_km = 8;	/* 8 columns, 4 rows: inside the 20 x 10 map */
	vscreen_fill(vs, 0, 0, 40, 16, ROLE_NORMAL, 0, L'X');
	map_draw(vs, 10, 3, 20, 10, &s);
	assert_untouched_outside(10, 3, 20, 10);
	for (int r = 3; r < 13; r++)
		for (int c = 10; c < 30; c++) {
			wchar_t ch = ch_at(c, r);
			if (ch == L' ')
				continue;
			n++;
			ck_assert_int_eq(role_at(c, r), ROLE_BORDER);
			if (gs[_i] == PLOT_BRAILLE)
				ck_assert(ch > 0x2800 && ch <= 0x28ff);
			else
				ck_assert(ch == (gs[_i] == PLOT_BLOCKS ? 0xb7 : L'.'));
		}
	ck_assert_int_ge(n, 16);
	/* the ring: the top is 4 rows up, the east edge 8 columns right, the centre blank */
	ck_assert(ch_at(20, 8) == L' ');
	ck_assert(ch_at(10 + 10 + 8, 3 + 5) != L' ' || ch_at(10 + 10 + 7, 3 + 5) != L' ');
	ck_assert(ch_at(20, 3 + 1) != L' ' || ch_at(19, 3 + 1) != L' ');
}
END_TEST

/* Points, tracks and outlines far off the window, at every scale: nothing outside the
 * rectangle, and it takes no time (lines are clipped before they are walked). */
START_TEST(test_clipping)
{
	struct rng r;
	double tlat[40], tlon[40];
	struct map_point p[40];
	struct map_label l[10];

	rng_seed(&r, 14, 0);
	for (int round = 0; round < 300; round++) {
		struct map_scene s = scene((enum plot_glyphs)(round % 3));
		s.win.km_per_col = MAP_KM_MIN * pow(2, rng_uniform(&r) * 14);
		for (int i = 0; i < 40; i++) {
			double spread = round % 2 ? 5 : 5000;
			tlat[i] = LAT0 + km_north((rng_uniform(&r) - 0.5) * spread);
			tlon[i] = LON0 + km_east((rng_uniform(&r) - 0.5) * spread);
			p[i] = (struct map_point){ tlat[i], tlon[i],
				(enum map_mark)(i % MAP_MARK_COUNT), i == 3 };
		}
		for (int i = 0; i < 10; i++)
			l[i] = (struct map_label){ tlat[i], tlon[i], i % 2 ? "长沙南站" :
			    "Orange Isle long name" };
		s.track_lat = tlat;
		s.track_lon = tlon;
		s.n_track = 40;
		s.points = p;
		s.n_points = 40;
		s.labels = l;
		s.n_labels = 10;
		s.c_lat = LAT0;
		s.c_lon = LON0;
		s.radius_km = rng_uniform(&r) * 500;
		vscreen_fill(vs, 0, 0, 40, 16, ROLE_NORMAL, 0, L'X');
		map_draw(vs, 7, 2, 23, 11, &s);
		assert_untouched_outside(7, 2, 23, 11);
		/* a wide character never hangs over the right edge */
		const struct vscreen_cell *c = vscreen_cell(vs, 7 + 22, 5);
		ck_assert(c->width != 2);
	}
	/* nothing at all for an empty rectangle */
	struct map_scene s = scene(PLOT_BRAILLE);
	vscreen_fill(vs, 0, 0, 40, 16, ROLE_NORMAL, 0, L'X');
	ck_assert_int_eq(map_draw(vs, 5, 5, 0, 3, &s), 0);
	assert_untouched_outside(0, 0, 0, 0);
}
END_TEST

/* Names: right of the mark; left when a mark is in the way; not at all when both sides
 * are taken; one column apart from another name; two columns per CJK character; never
 * over the track. */
START_TEST(test_labels)
{
	/* landmarks in row 2 of the 20 x 10 map at (10, 3) */
	struct map_label l[] = {
		{ AT(-8.5, 5.5), "Alpha" },	/* cell 1: right would touch Bo's mark: none */
		{ AT(-0.5, 5.5), "长沙" },	/* cell 9: right, 10-13 */
		{ AT(8.5, 5.5), "Zed" },	/* cell 18: right would end at 21: left, 15-17 */
		{ AT(-2.5, 5.5), "Bo" },	/* cell 7: right covers 长沙's mark: left, 5-6 */
	};
	struct map_scene s = scene(PLOT_ASCII);

	s.labels = l;
	s.n_labels = ARRAY_LEN(l);
	vscreen_fill(vs, 0, 0, 40, 16, ROLE_NORMAL, 0, L'X');
	ck_assert_int_eq(map_draw(vs, 10, 3, 20, 10, &s), 3);	/* not Alpha */
	assert_untouched_outside(10, 3, 20, 10);
	char *dump = harness_screen_text(vs);
	const char *row = dump;
	for (int i = 0; i < 5; i++)
		row = strchr(row, '\n') + 1;
	const char *want = "XXXXXXXXXX +   Bo+ +长沙 Zed+ XXXXXXXXXX\n";
	ck_assert_msg(strncmp(row, want, strlen(want)) == 0, "%.60s", row);
	free(dump);

	/* a truck right of Alpha's mark: Alpha goes left; a ticket left too: not at all */
	struct map_label one[] = { { AT(-2.5, 5.5), "Alpha" } };	/* cell 7 */
	struct map_point p2[] = {
		{ AT(-1.5, 5.5), MAP_MARK_TRUCK_FREE, false },	/* cell 8 */
		{ AT(-3.5, 5.5), MAP_MARK_TICKET_LATE, false },	/* cell 6 */
	};
	s.labels = one;
	s.n_labels = 1;
	s.points = p2;
	s.n_points = 1;
	map_draw(vs, 10, 3, 20, 10, &s);
	ck_assert(ch_at(10 + 7, 5) == L'+');
	ck_assert(ch_at(10 + 8, 5) == L'T');
	ck_assert(ch_at(10 + 2, 5) == L'A' && ch_at(10 + 6, 5) == L'a');
	s.n_points = 2;
	ck_assert_int_eq(map_draw(vs, 10, 3, 20, 10, &s), 0);
	ck_assert(ch_at(10 + 2, 5) == L' ');

	/* the track is not covered: a track along row 2 right of the mark */
	double tlat[] = { LAT0 + km_north(5.5), LAT0 + km_north(5.5) };
	double tlon[] = { LON0 + km_east(-1.9), LON0 + km_east(9.9) };
	s.n_points = 0;
	s.track_lat = tlat;
	s.track_lon = tlon;
	s.n_track = 2;
	map_draw(vs, 10, 3, 20, 10, &s);
	ck_assert(ch_at(10 + 8, 5) == L':' && role_at(18, 5) == ROLE_OK);
	ck_assert(ch_at(10 + 2, 5) == L'A');	/* left of the mark instead */
	/* a mark stands on a landmark: the landmark's '+' gives way, its name stays */
	s.n_track = 0;
	struct map_point on[] = { { AT(-2.5, 5.5), MAP_MARK_TICKET_RISK, false } };
	s.points = on;
	s.n_points = 1;
	map_draw(vs, 10, 3, 20, 10, &s);
	ck_assert(ch_at(10 + 7, 5) == L'*');
	ck_assert(ch_at(10 + 8, 5) == L'A');
}
END_TEST

/* A selected point off the window: an arrow at the edge towards it, inside the map. */
START_TEST(test_off_window)
{
	static const struct {
		double east, north;	/* km from the centre, at 1 km a column */
		int x, y;		/* the arrow's cell in the 20 x 10 map */
		const char *arrow;
	} rows[] = {
		{ 50, 0, 19, 5, ">" }, { -50, 0, 0, 5, "<" }, { 0, 40, 10, 0, "^" },
		{ 0, -40, 10, 9, "v" }, { 1000, -1000, 19, 9, "v" }, { 5, 1000, 10, 0, "^" },
	};
	struct map_scene s = scene(PLOT_BRAILLE);

	for (size_t i = 0; i < ARRAY_LEN(rows); i++) {
		struct map_point p[] = {
			{ AT(rows[i].east, rows[i].north), MAP_MARK_TICKET_LATE, true },
			{ AT(rows[i].east, rows[i].north), MAP_MARK_TICKET_LATE, false },
		};
		s.points = p;
		s.n_points = ARRAY_LEN(p);
		vscreen_fill(vs, 0, 0, 40, 16, ROLE_NORMAL, 0, L'X');
		map_draw(vs, 10, 3, 20, 10, &s);
		assert_untouched_outside(10, 3, 20, 10);
		int n = 0;
		for (int r = 3; r < 13; r++)
			for (int c = 10; c < 30; c++)
				n += ch_at(c, r) != L' ';
		ck_assert_int_eq(n, 1);	/* the arrow alone: an unselected point shows none */
		ck_assert_msg(ch_at(10 + rows[i].x, 3 + rows[i].y) == (wchar_t)rows[i].arrow[0],
		    "row %zu", i);
		ck_assert_int_eq(role_at(10 + rows[i].x, 3 + rows[i].y), ROLE_SELECTED);
	}
}
END_TEST

static Suite *
map_suite(void)
{
	Suite *s = suite_create("map");
	TCase *tc = tcase_create("pure");

	tcase_add_loop_test(tc, test_project, 0, ARRAY_LEN(proj));
	tcase_add_loop_test(tc, test_fit, 0, ARRAY_LEN(fits));
	tcase_add_test(tc, test_zoom);
	tcase_add_test(tc, test_pan);
	tcase_add_loop_test(tc, test_scale, 0, ARRAY_LEN(scales));
	tcase_add_loop_test(tc, test_name_part, 0, ARRAY_LEN(names));
	suite_add_tcase(s, tc);
	tc = tcase_create("draw");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_marks);
	tcase_add_loop_test(tc, test_outline_glyphs, 0, 3);
	tcase_add_test(tc, test_clipping);
	tcase_add_test(tc, test_labels);
	tcase_add_test(tc, test_off_window);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return harness_screen_main(map_suite(), "check-map");
}
