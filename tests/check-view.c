/* check-view.c: shared view helpers: size check, "terminal too small" screen, title bar,
 * key-hint bar (ui/view.c). No catalogs are loaded, so texts show as their catalog keys. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "view.h"
#include "util.h"

#include "harness-screen.h"

#define ELL "\xe2\x80\xa6"

/* Row y of vs's dump, without the newline; caller frees. */
static char *
row(const struct vscreen *vs, int y)
{
	char *d = vscreen_dump(vs), *p = d, *nl, *r;

	while (y-- > 0)
		p = strchr(p, '\n') + 1;
	nl = strchr(p, '\n');
	r = xstrndup(p, (size_t)(nl - p));
	free(d);
	return r;
}

static const struct {
	int cols, rows;
	bool small;
} sizes[] = {
	{ 80, 24, false }, { 200, 50, false }, { 79, 24, true }, { 80, 23, true },
	{ 1, 1, true }, { 0, 0, true },
};

START_TEST(test_too_small_sizes)
{
	ck_assert_int_eq(view_too_small(sizes[_i].cols, sizes[_i].rows), sizes[_i].small);
}
END_TEST

START_TEST(test_too_small_screen)
{
	struct vscreen *vs = vscreen_create(60, 20);
	char *r;
	int x, y;

	vscreen_put(vs, 0, 0, ROLE_NORMAL, 0, "old content", -1);
	view_draw_too_small(vs);
	r = row(vs, 0);
	ck_assert_str_eq(r, "");		/* everything was blanked */
	free(r);
	r = row(vs, 8);
	ck_assert_str_eq(r, "                        small.title");
	free(r);
	ck_assert_int_eq(vscreen_cell(vs, 24, 8)->role, ROLE_WARN);
	ck_assert_int_eq(vscreen_cell(vs, 23, 8)->role, ROLE_NORMAL);
	r = row(vs, 9);
	ck_assert_str_eq(r, "                      small.need 80x24");
	free(r);
	r = row(vs, 10);
	ck_assert_str_eq(r, "                      small.have 60x20");
	free(r);
	r = row(vs, 11);
	ck_assert_str_eq(r, "                         small.hint");
	free(r);
	ck_assert(!vscreen_cursor(vs, &x, &y));
	vscreen_destroy(vs);
}
END_TEST

START_TEST(test_too_small_tiny)
{
	struct vscreen *vs = vscreen_create(8, 2);
	char *d;

	view_draw_too_small(vs);
	d = vscreen_dump(vs);
	ck_assert_str_eq(d, "small.t" ELL "\nsmall.n" ELL "\n");
	free(d);
	vscreen_resize(vs, 1, 1);
	view_draw_too_small(vs);
	d = vscreen_dump(vs);
	ck_assert_str_eq(d, ELL "\n");
	free(d);
	vscreen_destroy(vs);
}
END_TEST

START_TEST(test_title)
{
	struct vscreen *vs = vscreen_create(20, 2);
	char *r;

	view_draw_title(vs, 0, "Board", "3/9");
	r = row(vs, 0);
	ck_assert_str_eq(r, " Board          3/9");
	free(r);
	ck_assert_int_eq(vscreen_cell(vs, 0, 0)->role, ROLE_TITLE);
	ck_assert_int_eq(vscreen_cell(vs, 19, 0)->role, ROLE_TITLE);
	view_draw_title(vs, 1, "湖南省长沙市岳麓区工单", "12/345");
	r = row(vs, 1);
	ck_assert_str_eq(r, " 湖南省长" ELL "   12/345");
	free(r);
	vscreen_destroy(vs);
}
END_TEST

START_TEST(test_hints)
{
	static const struct view_hint h[] = {
		{ ACTION_BACK, ACTION_NONE, "close" },
		{ ACTION_MOVE_DOWN, ACTION_MOVE_UP, "scroll" },
		{ ACTION_PAGE_DOWN, ACTION_PAGE_UP, "page" },
	};
	struct vscreen *vs = vscreen_create(40, 1);
	char *r;

	view_draw_hints(vs, 0, h, 3);
	r = row(vs, 0);
	ck_assert_str_eq(r, " q close  j/k scroll  PgDn/PgUp page");
	free(r);
	ck_assert_int_eq(vscreen_cell(vs, 1, 0)->role, ROLE_KEY);
	ck_assert_int_eq(vscreen_cell(vs, 3, 0)->role, ROLE_KEY_HINT);
	ck_assert_int_eq(vscreen_cell(vs, 39, 0)->role, ROLE_KEY_HINT);
	/* Too narrow for the last item: it is left out whole. */
	vscreen_resize(vs, 30, 1);
	view_draw_hints(vs, 0, h, 3);
	r = row(vs, 0);
	ck_assert_str_eq(r, " q close  j/k scroll");
	free(r);
	vscreen_destroy(vs);
}
END_TEST

static Suite *
view_suite(void)
{
	Suite *s = suite_create("view");
	TCase *tc;

	tc = tcase_create("too_small");
	tcase_add_loop_test(tc, test_too_small_sizes, 0, (int)ARRAY_LEN(sizes));
	tcase_add_test(tc, test_too_small_screen);
	tcase_add_test(tc, test_too_small_tiny);
	suite_add_tcase(s, tc);

	tc = tcase_create("bars");
	tcase_add_test(tc, test_title);
	tcase_add_test(tc, test_hints);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return harness_screen_main(view_suite(), "check-view");
}
