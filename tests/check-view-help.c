/* check-view-help.c: the help view (ui/view-help.c): golden screens at 80x24 in English
 * and Chinese, what it explains past the keys (filter, columns, colours and marks, mouse),
 * nothing cut, scrolling, closing.
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

/* No help line may be cut at the minimum size, in any language, to the last one. */
START_TEST(test_nothing_cut_at_80)
{
	static const char *langs[] = { "en", "zh_CN" };
	char *d;
	int pages;

	load_lang(langs[_i]);
	for (pages = 0; pages < 20; pages++) {
		view_draw(v, NULL, vs, NULL);
		d = vscreen_dump(vs);
		ck_assert_msg(strstr(d, "\xe2\x80\xa6") == NULL, "cut text in %s:\n%s",
		    langs[_i], d);
		free(d);
		if (view_key(v, NULL, NULL, ACTION_PAGE_DOWN) == UI_HANDLED)
			break;		/* at the end */
	}
	ck_assert_int_lt(pages, 20);
}
END_TEST

/* The detail's keys the hint bar shows are in the help too: e (correct the ticket) on a
 * line of its own text, in both languages (issue 8). */
START_TEST(test_lists_edit)
{
	static const char *langs[] = { "en", "zh_CN" };
	char *d, *line;
	bool found = false;

	load_lang(langs[_i]);
	const char *text = i18n_tr("key.edit_ticket");
	for (int pages = 0; pages < 20 && !found; pages++) {
		view_draw(v, NULL, vs, NULL);
		d = vscreen_dump(vs);
		for (line = strtok(d, "\n"); line != NULL && !found; line = strtok(NULL, "\n"))
			found = strstr(line, text) != NULL && strstr(line, " e ") != NULL;
		free(d);
		if (view_key(v, NULL, NULL, ACTION_PAGE_DOWN) == UI_HANDLED)
			break;
	}
	ck_assert_msg(found, "%s: no help line \"e ... %s\"", langs[_i], text);
}
END_TEST

/* Past the keys: the filter syntax, the columns, the colours and marks (each in its own
 * colour) and the mouse, in both languages; a long explanation wraps under itself. */
START_TEST(test_explains_the_screen)
{
	static const struct {
		const char *lang, *filter, *columns, *marks, *mouse, *due;
	} want[] = {
		{ "en", "The board's filter", "The board's columns", "Colours and marks",
		    "Mouse and paste", "DUE" },
		{ "zh_CN", "看板筛选", "看板各列", "颜色与标记", "鼠标与粘贴", "承诺" },
	};
	char *all = xstrdup(""), *d, *p;
	size_t len;
	int y, pages, yred = -1, yamber = -1;

	load_lang(want[_i].lang);
	for (pages = 0; pages < 20; pages++) {
		view_draw(v, NULL, vs, NULL);
		d = vscreen_dump(vs);
		len = strlen(all);
		all = xrealloc(all, len + strlen(d) + 1);
		strcpy(all + len, d);
		free(d);
		/* The mark lines show their glyph in the colour they stand for. */
		for (y = 1; y < 23; y++) {
			const struct vscreen_cell *c = vscreen_cell(vs, 3, y);

			if (c->ch[0] == L'!' && vscreen_cell(vs, 4, y)->ch[0] == L' ' &&
			    vscreen_cell(vs, 5, y)->ch[0] == L' ') {
				ck_assert_int_eq(c->role, ROLE_LATE);
				yred = y;
			}
			if (c->ch[0] == L'*' && vscreen_cell(vs, 4, y)->ch[0] == L' ') {
				ck_assert_int_eq(c->role, ROLE_WARN);
				yamber = y;
			}
		}
		if (view_key(v, NULL, NULL, ACTION_PAGE_DOWN) == UI_HANDLED)
			break;
	}
	ck_assert_int_ge(yred, 0);
	ck_assert_int_ge(yamber, 0);
	ck_assert_ptr_nonnull(strstr(all, want[_i].filter));
	ck_assert_ptr_nonnull(strstr(all, want[_i].columns));
	ck_assert_ptr_nonnull(strstr(all, want[_i].marks));
	ck_assert_ptr_nonnull(strstr(all, want[_i].mouse));
	ck_assert_ptr_nonnull(strstr(all, "state:"));
	ck_assert_ptr_nonnull(strstr(all, "region:"));
	ck_assert_ptr_nonnull(strstr(all, "\xe2\x86\x93 \xe2\x86\x91 \xe2\x86\x95"));
	ck_assert_ptr_nonnull(strstr(all, want[_i].due));
	/* A wrapped explanation goes on in its own column, the term column blank. */
	p = strstr(all, "\n                 ");
	ck_assert_ptr_nonnull(p);
	ck_assert_int_ne(p[18], ' ');
	free(all);
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
	/* The last line sits on the last body row, just above the hint bar. */
	ck_assert_ptr_nonnull(strstr(d, "no key in it runs\n q close"));
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
	int at80, at120;

	view_draw(v, NULL, vs, NULL);
	d = vscreen_dump(vs);
	ck_assert_ptr_nonnull(strstr(d, "1-22/"));
	at80 = atoi(strstr(d, "1-22/") + 5);
	free(d);
	vscreen_resize(vs, 120, 60);
	view_draw(v, NULL, vs, NULL);
	d = vscreen_dump(vs);
	ck_assert_ptr_nonnull(strstr(d, "1-58/"));
	at120 = atoi(strstr(d, "1-58/") + 5);
	free(d);
	/* Wider, the explanations wrap less: fewer lines. */
	ck_assert_int_gt(at120, 58);
	ck_assert_int_lt(at120, at80);
	/* Scrolling is clamped to what fits: all of it, on a screen tall enough. */
	vscreen_resize(vs, 200, 160);
	view_draw(v, NULL, vs, NULL);
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
	tcase_add_loop_test(tc, test_explains_the_screen, 0, 2);
	tcase_add_loop_test(tc, test_lists_edit, 0, 2);
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
