/* check-plot.c: the time plot (ui/plot.c) drawn into a virtual screen, for each of its
 * glyph sets: what a curve looks like is read back from the cells as one height per
 * column (the highest dot, the bar's eighths, the row of '*'), so the tests say what an
 * agent sees: an approach falls, a stall is flat, a detour rises; no data draws nothing,
 * one point one column, huge values stay inside, every width from 20 to 120 fills its
 * columns; the labels sit at the ends of the axes; the glyphs follow the terminal. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plot.h"
#include "util.h"
#include "vscreen.h"

#include "harness-screen.h"

#define MIN_MS 60000LL
#define T0 1773468300000LL

static const enum plot_glyphs all_glyphs[] = { PLOT_BRAILLE, PLOT_BLOCKS, PLOT_ASCII };

/* The height of the curve in plot column c (cells x0 + c, rows y0 .. y0 + ph - 1), in the
 * glyph set's steps from the bottom (braille dots 0..4 ph - 1, eighths 1..8 ph, rows
 * 0..ph - 1); -1: the column is blank. */
static int
height(const struct vscreen *vs, int x0, int y0, int ph, int c, enum plot_glyphs g)
{
	int best = -1;

	for (int r = 0; r < ph; r++) {
		const struct vscreen_cell *cell = vscreen_cell(vs, x0 + c, y0 + r);
		wchar_t ch = cell->ch[0];
		int from_bottom = ph - 1 - r;

		if (ch == L' ')
			continue;
		switch (g) {
		case PLOT_BRAILLE: {
			static const unsigned bits[4][2] = { { 0x01, 0x08 }, { 0x02, 0x10 },
				{ 0x04, 0x20 }, { 0x40, 0x80 } };
			ck_assert_msg(ch >= 0x2800 && ch <= 0x28ff, "not braille: U+%04X", (unsigned)ch);
			for (int ry = 0; ry < 4; ry++)
				if ((unsigned)(ch - 0x2800) & (bits[ry][0] | bits[ry][1])) {
					int lv = from_bottom * 4 + 3 - ry;
					best = lv > best ? lv : best;
				}
			break;
		}
		case PLOT_BLOCKS: {
			ck_assert_msg(ch >= 0x2581 && ch <= 0x2588, "not a block: U+%04X", (unsigned)ch);
			int lv = from_bottom * 8 + (int)(ch - 0x2580);
			best = lv > best ? lv : best;
			break;
		}
		case PLOT_ASCII:
			ck_assert_msg(ch == L'*', "not '*': U+%04X", (unsigned)ch);
			best = from_bottom > best ? from_bottom : best;
			break;
		}
	}
	return best;
}

/* A series of n values one minute apart ending at T0 + (n - 1) min. */
struct series {
	const char *name;
	double v[12];
	size_t n;
	enum { FALLS, FLAT, RISES_THEN_FALLS, EMPTY, ONE } shape;
};

static const struct series shapes[] = {
	{ "approach", { 5.0, 4.5, 4.0, 3.5, 3.0, 2.5, 2.0, 1.5, 1.0, 0.5, 0.2, 0.0 }, 12, FALLS },
	{ "stall", { 2.0, 2.0, 2.0, 2.0, 2.0, 2.0, 2.0, 2.0 }, 8, FLAT },
	{ "detour", { 3.0, 2.5, 2.0, 2.6, 3.2, 3.8, 4.4, 3.0, 2.0, 1.0 }, 10, RISES_THEN_FALLS },
	{ "empty", { 0 }, 0, EMPTY },
	{ "one point", { 1.2 }, 1, ONE },
};

/* Draw s at w x h (no labels) over the window from its first to its last point. */
static int
draw_series(struct vscreen *vs, const struct series *s, enum plot_glyphs g, int w, int h,
    double y_max)
{
	int64_t ts[12];
	for (size_t i = 0; i < s->n; i++)
		ts[i] = T0 + (int64_t)i * MIN_MS;
	struct plot_spec spec = { .t0 = T0, .t1 = T0 + (int64_t)(s->n > 1 ? s->n - 1 : 1) * MIN_MS,
		.y_max = y_max, .glyphs = g, .role = ROLE_OK };
	return plot_draw(vs, 0, 0, w, h, ts, s->v, s->n, &spec);
}

START_TEST(test_shapes)
{
	const struct series *s = &shapes[_i / 3];
	enum plot_glyphs g = all_glyphs[_i % 3];
	struct vscreen *vs = vscreen_create(30, 6);
	int w = 24, h = 4, hs[24], shown = 0;

	ck_assert_int_eq(draw_series(vs, s, g, w, h, 5.0), w);
	for (int c = 0; c < w; c++) {
		hs[c] = height(vs, 0, 0, h, c, g);
		shown += hs[c] >= 0;
	}
	switch (s->shape) {
	case FALLS:
		ck_assert_int_eq(shown, w);
		for (int c = 1; c < w; c++)
			ck_assert_msg(hs[c] <= hs[c - 1], "%s: column %d rises", s->name, c);
		ck_assert_int_gt(hs[0], hs[w - 1]);
		break;
	case FLAT:
		ck_assert_int_eq(shown, w);
		for (int c = 1; c < w; c++)
			ck_assert_int_eq(hs[c], hs[0]);
		ck_assert_int_gt(hs[0], 0);
		break;
	case RISES_THEN_FALLS: {
		int top = 0;
		ck_assert_int_eq(shown, w);
		for (int c = 1; c < w; c++)
			top = hs[c] > hs[top] ? c : top;
		ck_assert_msg(top > 0 && top < w - 1, "%s: the peak is at %d", s->name, top);
		ck_assert_int_gt(hs[top], hs[0]);	/* farther than at the start */
		ck_assert_int_lt(hs[w - 1], hs[0]);
		break;
	}
	case EMPTY:
		ck_assert_int_eq(shown, 0);
		break;
	case ONE:
		ck_assert_int_eq(shown, 1);
		ck_assert_int_ge(hs[0], 0);	/* at the window's left edge */
		break;
	}
	/* nothing outside the rectangle */
	for (int y = 0; y < 6; y++)
		for (int x = y < h ? w : 0; x < 30; x++)
			ck_assert(vscreen_cell(vs, x, y)->ch[0] == L' ');
	vscreen_destroy(vs);
}
END_TEST

/* Huge, negative and non-finite values: clamped to the edges or left out, never outside
 * the rectangle. */
START_TEST(test_huge_values)
{
	enum plot_glyphs g = all_glyphs[_i];
	static const double v[] = { 1e300, -5, NAN, INFINITY, 2.0, 1e12 };
	int64_t ts[ARRAY_LEN(v)];
	struct vscreen *vs = vscreen_create(20, 5);
	int top = g == PLOT_BRAILLE ? 4 * 4 - 1 : g == PLOT_BLOCKS ? 4 * 8 : 3;

	for (size_t i = 0; i < ARRAY_LEN(v); i++)
		ts[i] = T0 + (int64_t)i * MIN_MS;
	struct plot_spec spec = { .t0 = T0, .t1 = T0 + 5 * MIN_MS, .y_max = 4, .glyphs = g,
		.role = ROLE_OK };
	ck_assert_int_eq(plot_draw(vs, 0, 0, 20, 4, ts, v, ARRAY_LEN(v), &spec), 20);
	ck_assert_int_eq(height(vs, 0, 0, 4, 0, g), top);	/* 1e300: the top */
	ck_assert_int_eq(height(vs, 0, 0, 4, 19, g), top);	/* 1e12 */
	for (int c = 0; c < 20; c++)
		ck_assert_int_le(height(vs, 0, 0, 4, c, g), top);
	for (int x = 0; x < 20; x++)
		ck_assert(vscreen_cell(vs, x, 4)->ch[0] == L' ');
	/* y_max huge too: the nice top and the labels still fit */
	ck_assert(plot_nice_max(1e300) >= 1e300);
	vscreen_destroy(vs);
}
END_TEST

/* Every width from 20 to 120: the plot takes the columns the gutter leaves, and a series
 * over the whole window fills each of them. */
START_TEST(test_widths)
{
	static const double v[] = { 3.0, 2.0, 2.5, 1.0 };
	int64_t ts[] = { T0, T0 + 10 * MIN_MS, T0 + 20 * MIN_MS, T0 + 30 * MIN_MS };
	struct vscreen *vs = vscreen_create(130, 8);

	for (int w = 20; w <= 120; w++)
		for (size_t gi = 0; gi < ARRAY_LEN(all_glyphs); gi++) {
			struct plot_spec spec = { .t0 = T0, .t1 = T0 + 30 * MIN_MS, .y_max = 3,
				.glyphs = all_glyphs[gi], .role = ROLE_OK, .y_top = "3 km",
				.y_bottom = "0", .x_left = "30 min ago", .x_right = "now" };
			int pw = plot_draw(vs, 2, 1, w, 5, ts, v, 4, &spec);
			ck_assert_int_eq(pw, w - 5);
			for (int c = 0; c < pw; c++)
				ck_assert_msg(height(vs, 2 + 5, 1, 4, c, all_glyphs[gi]) >= 0,
				    "width %d glyphs %zu: column %d blank", w, gi, c);
			ck_assert(vscreen_cell(vs, 2 + w, 1)->ch[0] == L' ');
		}
	vscreen_destroy(vs);
}
END_TEST

/* The labels: the value axis right-aligned in the gutter at its top and bottom, the time
 * axis under its ends; a left label that would touch the right one is dropped. The whole
 * plot, braille, drawn exactly. */
START_TEST(test_labels_exact)
{
	static const double v[] = { 2.0, 3.0, 1.0, 1.0 };
	int64_t ts[] = { T0, T0 + 4 * MIN_MS, T0 + 8 * MIN_MS, T0 + 12 * MIN_MS };
	struct vscreen *vs = vscreen_create(16, 3);
	struct plot_spec spec = { .t0 = T0, .t1 = T0 + 12 * MIN_MS, .y_max = 3,
		.glyphs = PLOT_BRAILLE, .role = ROLE_OK, .y_top = "3 km", .y_bottom = "0",
		.x_left = "12m", .x_right = "now" };
	char *d;

	ck_assert_int_eq(plot_draw(vs, 0, 0, 16, 3, ts, v, 4, &spec), 11);
	d = vscreen_dump(vs);
	ck_assert_str_eq(d,
	    "3 km ⠤⠔⠒⠉⠒⢄⡀\n"
	    "   0       ⠈⠒⠒⠒⠒\n"
	    "     12m     now\n");
	free(d);
	/* too narrow for both time labels: the right one stays */
	spec.x_left = "12 minutes ago";
	plot_draw(vs, 0, 0, 16, 3, ts, v, 4, &spec);
	d = vscreen_dump(vs);
	ck_assert(strstr(d, "minutes") == NULL);
	ck_assert(strstr(d, "now") != NULL);
	free(d);
	/* no room at all */
	ck_assert_int_eq(plot_draw(vs, 0, 0, 5, 3, ts, v, 4, &spec), 0);
	spec.t1 = spec.t0;
	ck_assert_int_eq(plot_draw(vs, 0, 0, 16, 3, ts, v, 4, &spec), 0);
	vscreen_destroy(vs);
}
END_TEST

START_TEST(test_nice_max)
{
	static const struct { double v, want; } cases[] = {
		{ 0, 1 }, { -3, 1 }, { NAN, 1 }, { 0.7, 0.8 }, { 1, 1 }, { 1.01, 1.5 },
		{ 2.72, 3 }, { 3.5, 4 }, { 7, 8 }, { 8.5, 10 }, { 12, 15 }, { 950, 1000 },
	};
	for (size_t i = 0; i < ARRAY_LEN(cases); i++)
		ck_assert_msg(fabs(plot_nice_max(cases[i].v) - cases[i].want) < 1e-9,
		    "nice %g: %g, not %g", cases[i].v, plot_nice_max(cases[i].v), cases[i].want);
}
END_TEST

START_TEST(test_glyphs_for)
{
	ck_assert_int_eq(plot_glyphs_for(false, "xterm-256color"), PLOT_ASCII);
	ck_assert_int_eq(plot_glyphs_for(false, NULL), PLOT_ASCII);
	ck_assert_int_eq(plot_glyphs_for(true, "linux"), PLOT_BLOCKS);
	ck_assert_int_eq(plot_glyphs_for(true, "vt100"), PLOT_BLOCKS);
	ck_assert_int_eq(plot_glyphs_for(true, "cons25"), PLOT_BLOCKS);
	ck_assert_int_eq(plot_glyphs_for(true, "xterm-256color"), PLOT_BRAILLE);
	ck_assert_int_eq(plot_glyphs_for(true, "tmux-256color"), PLOT_BRAILLE);
	ck_assert_int_eq(plot_glyphs_for(true, NULL), PLOT_BRAILLE);
}
END_TEST

static Suite *
plot_suite(void)
{
	Suite *s = suite_create("plot");
	TCase *tc = tcase_create("plot");

	tcase_add_loop_test(tc, test_shapes, 0, (int)(ARRAY_LEN(shapes) * 3));
	tcase_add_loop_test(tc, test_huge_values, 0, 3);
	tcase_add_test(tc, test_widths);
	tcase_add_test(tc, test_labels_exact);
	tcase_add_test(tc, test_nice_max);
	tcase_add_test(tc, test_glyphs_for);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return harness_screen_main(plot_suite(), "check-plot");
}
