/* check-view-help.c: the help view (ui/view-help.c): golden screens at 80x24 in English
 * and Chinese, scrolling, closing.
 *
 * Goldens are tests/golden/help-80x24.<lang>.screen: vscreen_dump(), a "-- roles --" line,
 * then vscreen_dump_roles(). RD_UPDATE_GOLDEN=1 rewrites them instead of comparing (then
 * review the diff). Run from the source root, or set RD_SRCDIR to it. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "view-help.h"
#include "util.h"

#include "harness-model.h"
#include "harness-screen.h"

static struct vscreen *vs;
static struct view *v;

#define load_lang harness_lang

static void
setup(void)
{
	load_lang("en");
	vs = vscreen_create(80, 24);
	v = view_help_create();
}

static void
teardown(void)
{
	view_destroy(v);
	vscreen_destroy(vs);
	i18n_unload();
}

static void
check_golden(const char *name)
{
	char path[4300];

	snprintf(path, sizeof path, "%s/tests/golden/%s", harness_srcdir(), name);
	harness_screen_golden(vs, path, "check-view-help");
}

START_TEST(test_golden_en)
{
	view_draw(v, NULL, vs, NULL);
	check_golden("help-80x24.en.screen");
}
END_TEST

START_TEST(test_golden_zh)
{
	load_lang("zh_CN");
	view_draw(v, NULL, vs, NULL);
	check_golden("help-80x24.zh.screen");
}
END_TEST

/* No help line may be cut at the minimum size, in any language. */
START_TEST(test_nothing_cut_at_80)
{
	static const char *langs[] = { "en", "zh_CN" };
	char *d;
	int top;

	load_lang(langs[_i]);
	for (top = 0; top < 40; top += 10) {
		view_draw(v, NULL, vs, NULL);
		d = vscreen_dump(vs);
		ck_assert_msg(strstr(d, "\xe2\x80\xa6") == NULL, "cut text in %s:\n%s",
		    langs[_i], d);
		free(d);
		view_key(v, NULL, NULL, ACTION_PAGE_DOWN);
	}
}
END_TEST

/* First body line of the screen, in a static buffer. */
static const char *
first_body_line(void)
{
	static char buf[512];
	char *d, *p, *nl;

	view_draw(v, NULL, vs, NULL);
	d = vscreen_dump(vs);
	p = strchr(d, '\n') + 1;
	nl = strchr(p, '\n');
	*nl = '\0';
	rd_strlcpy(buf, p, sizeof buf);
	free(d);
	return buf;
}

START_TEST(test_scroll)
{
	char top[512];

	rd_strlcpy(top, first_body_line(), sizeof top);
	ck_assert_str_eq(top, " Everywhere");
	/* At the top already: handled, nothing to redraw. */
	ck_assert_uint_eq(view_key(v, NULL, NULL, ACTION_MOVE_UP), UI_HANDLED);
	ck_assert_uint_eq(view_key(v, NULL, NULL, ACTION_MOVE_DOWN), UI_HANDLED | UI_REDRAW);
	ck_assert_str_ne(first_body_line(), top);
	ck_assert_uint_eq(view_key(v, NULL, NULL, ACTION_END), UI_HANDLED | UI_REDRAW);
	ck_assert_uint_eq(view_key(v, NULL, NULL, ACTION_MOVE_DOWN), UI_HANDLED);
	ck_assert_uint_eq(view_key(v, NULL, NULL, ACTION_PAGE_DOWN), UI_HANDLED);
	ck_assert_uint_eq(view_key(v, NULL, NULL, ACTION_HOME), UI_HANDLED | UI_REDRAW);
	ck_assert_str_eq(first_body_line(), top);
	ck_assert_uint_eq(view_key(v, NULL, NULL, ACTION_PAGE_DOWN), UI_HANDLED | UI_REDRAW);
	ck_assert_uint_eq(view_key(v, NULL, NULL, ACTION_PAGE_UP), UI_HANDLED | UI_REDRAW);
	ck_assert_str_eq(first_body_line(), top);
}
END_TEST

START_TEST(test_end_shows_last_line)
{
	char *d;

	view_key(v, NULL, NULL, ACTION_END);
	view_draw(v, NULL, vs, NULL);
	d = vscreen_dump(vs);
	/* The last binding sits on the last body row, just above the hint bar. */
	ck_assert_ptr_nonnull(strstr(d, "No, go back\n q close"));
	free(d);
}
END_TEST

START_TEST(test_close_and_unhandled)
{
	ck_assert_uint_eq(view_key(v, NULL, NULL, ACTION_BACK), UI_HANDLED | UI_CLOSE);
	ck_assert_uint_eq(view_key(v, NULL, NULL, ACTION_HELP), UI_HANDLED | UI_CLOSE);
	ck_assert_uint_eq(view_key(v, NULL, NULL, ACTION_QUIT), UI_NONE);
	ck_assert_uint_eq(view_key(v, NULL, NULL, ACTION_REDRAW), UI_NONE);
	ck_assert_uint_eq(view_key(v, NULL, NULL, ACTION_NONE), UI_NONE);
	ck_assert_int_eq(v->scope, SCOPE_GLOBAL);
}
END_TEST

START_TEST(test_big_and_tiny_screens)
{
	char *d;

	vscreen_resize(vs, 120, 60);
	view_draw(v, NULL, vs, NULL);
	d = vscreen_dump(vs);
	ck_assert_ptr_nonnull(strstr(d, "1-54/54"));
	free(d);
	/* Scrolling is clamped to what fits. */
	ck_assert_uint_eq(view_key(v, NULL, NULL, ACTION_MOVE_DOWN), UI_HANDLED);
	vscreen_resize(vs, 5, 1);
	view_draw(v, NULL, vs, NULL);
	vscreen_resize(vs, 1, 2);
	view_draw(v, NULL, vs, NULL);
}
END_TEST

static Suite *
help_suite(void)
{
	Suite *s = suite_create("view-help");
	TCase *tc;

	tc = tcase_create("golden");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_golden_en);
	tcase_add_test(tc, test_golden_zh);
	tcase_add_loop_test(tc, test_nothing_cut_at_80, 0, 2);
	suite_add_tcase(s, tc);

	tc = tcase_create("keys");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_scroll);
	tcase_add_test(tc, test_end_shows_last_line);
	tcase_add_test(tc, test_close_and_unhandled);
	tcase_add_test(tc, test_big_and_tiny_screens);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return harness_screen_main(help_suite(), "check-view-help");
}
