/* check-vscreen.c: the virtual screen: text output, wide chars, truncation, safety,
 * overlap, diffs and dumps (ui/vscreen.c). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vscreen.h"
#include "util.h"

#include "harness-screen.h"

#define ELL "\xe2\x80\xa6"
#define REPL "\xef\xbf\xbd"

static struct vscreen *vs;

static void
setup(void)
{
	vs = vscreen_create(20, 3);
}

static void
teardown(void)
{
	vscreen_destroy(vs);
	vs = NULL;
}

/* Row y of the dump (without its newline), in a static buffer. */
static const char *
line(int y)
{
	static char buf[512];
	char *d = vscreen_dump(vs), *p = d, *nl;

	while (y-- > 0 && p != NULL) {
		p = strchr(p, '\n');
		if (p != NULL)
			p++;
	}
	ck_assert_ptr_nonnull(p);
	nl = strchr(p, '\n');
	ck_assert_ptr_nonnull(nl);
	*nl = '\0';
	rd_strlcpy(buf, p, sizeof buf);
	free(d);
	return buf;
}

/* Every cell must hold something safe to send to a terminal. */
static void
assert_safe(void)
{
	const struct vscreen_cell *c;
	int x, y, i;

	for (y = 0; y < vscreen_rows(vs); y++) {
		for (x = 0; x < vscreen_cols(vs); x++) {
			c = vscreen_cell(vs, x, y);
			for (i = 0; i < VSCREEN_CCHAR_MAX && c->ch[i] != 0; i++) {
				ck_assert_msg(c->ch[i] >= 0x20 && c->ch[i] != 0x7f &&
				    !(c->ch[i] >= 0x80 && c->ch[i] < 0xa0) &&
				    !(c->ch[i] >= 0x202a && c->ch[i] <= 0x202e) &&
				    !(c->ch[i] >= 0x2066 && c->ch[i] <= 0x2069),
				    "unsafe U+%04X at %d,%d", (unsigned)c->ch[i], x, y);
			}
		}
	}
}

static const struct {
	const char *in;
	int max;
	int ret;
	const char *shown;
} put_cases[] = {
	{ "hello", -1, 5, "hello" },
	{ "张三 湖南省长沙市", -1, 17, "张三 湖南省长沙市" },
	{ "😀ok", -1, 4, "😀ok" },
	{ "e\xcc\x81te", -1, 3, "e\xcc\x81te" },
	{ "hello", 3, 3, "hel" },
	{ "张三李四", 5, 5, "张三" },		/* 李 does not fit: a space */
	{ "张三李四", 4, 4, "张三" },
	{ "a\xff" "b", -1, 3, "a" REPL "b" },
	{ "\x1b[2J", -1, 4, REPL "[2J" },
	{ "x\x07y\x7fz", -1, 5, "x" REPL "y" REPL "z" },
	{ "\xe2\x80\xae" "evil", -1, 5, REPL "evil" },
	{ "a\tb", -1, 3, "a b" },
	{ "abcdefghijklmnopqrstuvwxyz", -1, 20, "abcdefghijklmnopqrst" },	/* edge */
	{ "\xcc\x81" "x", -1, 1, "x" },		/* mark with no base: dropped */
	{ "", -1, 0, "" },
};

START_TEST(test_put_table)
{
	int r = vscreen_put(vs, 0, 0, ROLE_NORMAL, 0, put_cases[_i].in, put_cases[_i].max);

	ck_assert_int_eq(r, put_cases[_i].ret);
	ck_assert_str_eq(line(0), put_cases[_i].shown);
	assert_safe();
}
END_TEST

START_TEST(test_wide_cells)
{
	const struct vscreen_cell *c;

	ck_assert_int_eq(vscreen_put(vs, 0, 0, ROLE_NORMAL, 0, "张😀", -1), 4);
	c = vscreen_cell(vs, 0, 0);
	ck_assert_int_eq(c->ch[0], 0x5f20);
	ck_assert_int_eq(c->width, 2);
	ck_assert_int_eq(vscreen_cell(vs, 1, 0)->width, 0);
	ck_assert_int_eq(vscreen_cell(vs, 2, 0)->ch[0], 0x1f600);
	ck_assert_int_eq(vscreen_cell(vs, 2, 0)->width, 2);
	ck_assert_int_eq(vscreen_cell(vs, 3, 0)->width, 0);
	ck_assert_int_eq(vscreen_cell(vs, 4, 0)->ch[0], L' ');
}
END_TEST

START_TEST(test_wide_at_right_edge)
{
	/* Column 19 is the last: a wide char there becomes a space. */
	ck_assert_int_eq(vscreen_put(vs, 19, 0, ROLE_NORMAL, 0, "张", -1), 1);
	ck_assert_int_eq(vscreen_cell(vs, 19, 0)->ch[0], L' ');
	ck_assert_int_eq(vscreen_cell(vs, 19, 0)->width, 1);
	ck_assert_int_eq(vscreen_put(vs, 18, 1, ROLE_NORMAL, 0, "张", -1), 2);
	ck_assert_int_eq(vscreen_cell(vs, 18, 1)->width, 2);
}
END_TEST

START_TEST(test_combining)
{
	const struct vscreen_cell *c;

	/* a + six marks: four fit beside the base, the rest are dropped. */
	ck_assert_int_eq(vscreen_put(vs, 0, 0, ROLE_NORMAL, 0,
	    "a\xcc\x80\xcc\x81\xcc\x82\xcc\x83\xcc\x84\xcc\x85" "b", -1), 2);
	c = vscreen_cell(vs, 0, 0);
	ck_assert_int_eq(c->ch[0], 'a');
	ck_assert_int_eq(c->ch[1], 0x300);
	ck_assert_int_eq(c->ch[4], 0x303);
	ck_assert_int_eq(vscreen_cell(vs, 1, 0)->ch[0], 'b');
	/* A mark after a wide char attaches to its left half. */
	vscreen_put(vs, 0, 1, ROLE_NORMAL, 0, "张\xcc\x81", -1);
	ck_assert_int_eq(vscreen_cell(vs, 0, 1)->ch[1], 0x301);
	ck_assert_str_eq(line(1), "张\xcc\x81");
}
END_TEST

static const struct {
	const char *in;
	int max;
	const char *shown;
	int ret;
} ell_cases[] = {
	{ "hello", 5, "hello", 5 },
	{ "hello world", 5, "hell" ELL, 5 },
	{ "张三李四", 5, "张三" ELL, 5 },
	{ "张三李四", 6, "张三" ELL, 6 },	/* padded */
	{ "张三李四", 7, "张三李" ELL, 7 },
	{ "张三 湖南省长沙市", 10, "张三 湖南" ELL, 10 },
	{ "a", 1, "a", 1 },
	{ "abcd", 1, ELL, 1 },
};

START_TEST(test_ellipsis_table)
{
	int r = vscreen_put_ellipsis(vs, 0, 0, ROLE_NORMAL, 0, ell_cases[_i].in,
	    ell_cases[_i].max);

	ck_assert_int_eq(r, ell_cases[_i].ret);
	ck_assert_str_eq(line(0), ell_cases[_i].shown);
}
END_TEST

START_TEST(test_pad_and_right)
{
	ck_assert_int_eq(vscreen_put_pad(vs, 0, 0, ROLE_NORMAL, 0, "ab", 4), 4);
	vscreen_put(vs, 4, 0, ROLE_NORMAL, 0, "|", -1);
	ck_assert_int_eq(vscreen_put_pad(vs, 5, 0, ROLE_NORMAL, 0, "湖南省长沙", 5), 5);
	vscreen_put(vs, 10, 0, ROLE_NORMAL, 0, "|", -1);
	ck_assert_str_eq(line(0), "ab  |湖南" ELL "|");

	ck_assert_int_eq(vscreen_put_right(vs, 0, 1, ROLE_NORMAL, 0, "42", 6), 6);
	ck_assert_int_eq(vscreen_put_right(vs, 6, 1, ROLE_NORMAL, 0, "张三", 6), 6);
	vscreen_put(vs, 12, 1, ROLE_NORMAL, 0, "|", -1);
	ck_assert_str_eq(line(1), "    42  张三|");
	/* Too wide for the field: cut like put_pad. */
	vscreen_put_right(vs, 0, 2, ROLE_NORMAL, 0, "123456789", 4);
	ck_assert_str_eq(line(2), "123" ELL);
}
END_TEST

START_TEST(test_putf)
{
	ck_assert_int_eq(vscreen_putf(vs, 0, 0, ROLE_NORMAL, 0, -1, "#%d %s", 7, "张"), 5);
	ck_assert_str_eq(line(0), "#7 张");
	vscreen_putf(vs, 0, 1, ROLE_NORMAL, 0, -1, "%s", "\x1b]0;pwned\x07");
	ck_assert_str_eq(line(1), REPL "]0;pwned" REPL);
	assert_safe();
}
END_TEST

START_TEST(test_overwrite_half_of_wide)
{
	vscreen_put(vs, 0, 0, ROLE_NORMAL, 0, "张三", -1);
	vscreen_put(vs, 1, 0, ROLE_NORMAL, 0, "x", -1);	/* right half of 张 */
	ck_assert_str_eq(line(0), " x三");
	ck_assert_int_eq(vscreen_cell(vs, 0, 0)->width, 1);
	vscreen_put(vs, 2, 0, ROLE_NORMAL, 0, "y", -1);	/* left half of 三 */
	ck_assert_str_eq(line(0), " xy");
	ck_assert_int_eq(vscreen_cell(vs, 3, 0)->width, 1);
	/* A wide char landing across the halves of two others. */
	vscreen_put(vs, 0, 1, ROLE_NORMAL, 0, "张三", -1);
	vscreen_put(vs, 1, 1, ROLE_NORMAL, 0, "李", -1);
	ck_assert_str_eq(line(1), " 李");
	ck_assert_int_eq(vscreen_cell(vs, 3, 1)->width, 1);
}
END_TEST

START_TEST(test_clipping)
{
	ck_assert_int_eq(vscreen_put(vs, -1, 0, ROLE_NORMAL, 0, "x", -1), 0);
	ck_assert_int_eq(vscreen_put(vs, 20, 0, ROLE_NORMAL, 0, "x", -1), 0);
	ck_assert_int_eq(vscreen_put(vs, 0, 3, ROLE_NORMAL, 0, "x", -1), 0);
	ck_assert_int_eq(vscreen_put(vs, 0, 0, ROLE_NORMAL, 0, NULL, -1), 0);
	ck_assert_int_eq(vscreen_put_pad(vs, 15, 0, ROLE_NORMAL, 0, "abcdefgh", 10), 5);
	ck_assert_str_eq(line(0), "               abcd" ELL);
	vscreen_fill(vs, -5, -5, 100, 100, ROLE_DIM, 0, L'#');
	ck_assert_str_eq(line(2), "####################");
	ck_assert_ptr_null(vscreen_cell(vs, 20, 0));
	ck_assert_ptr_null(vscreen_cell(vs, 0, -1));
}
END_TEST

START_TEST(test_fill_rejects_unsafe)
{
	vscreen_fill(vs, 0, 0, 3, 1, ROLE_NORMAL, 0, (wchar_t)0x1b);
	vscreen_fill(vs, 3, 0, 2, 1, ROLE_NORMAL, 0, (wchar_t)0x5f20);	/* wide */
	vscreen_fill(vs, 5, 0, 2, 1, ROLE_NORMAL, 0, L'-');
	ck_assert_str_eq(line(0), "     --");
	assert_safe();
}
END_TEST

START_TEST(test_roles_and_paint)
{
	char *roles;

	vscreen_put(vs, 0, 0, ROLE_LATE, THEME_BOLD, "late", -1);
	vscreen_put(vs, 5, 0, ROLE_OK, 0, "张", -1);
	vscreen_paint(vs, 6, 0, 1, ROLE_SELECTED, 0);	/* right half: widened */
	ck_assert_int_eq(vscreen_cell(vs, 0, 0)->role, ROLE_LATE);
	ck_assert_int_eq(vscreen_cell(vs, 0, 0)->attr, THEME_BOLD);
	ck_assert_int_eq(vscreen_cell(vs, 5, 0)->role, ROLE_SELECTED);
	ck_assert_str_eq(line(0), "late 张");
	vscreen_put(vs, 0, 2, ROLE_TITLE, 0, "t", -1);
	roles = vscreen_dump_roles(vs);
	ck_assert_str_eq(roles, "LLLL.SS\n\nT\n");
	free(roles);
}
END_TEST

START_TEST(test_dump_exact)
{
	char *d;

	vscreen_put(vs, 0, 0, ROLE_NORMAL, 0, "张三 湖南省长沙市", -1);
	vscreen_put(vs, 2, 1, ROLE_NORMAL, 0, "😀 ok  ", -1);
	d = vscreen_dump(vs);
	ck_assert_str_eq(d, "张三 湖南省长沙市\n  😀 ok\n\n");
	free(d);
}
END_TEST

START_TEST(test_row_diff)
{
	struct vscreen *b = vscreen_create(20, 3);
	int x0, x1, y;

	vscreen_put(vs, 0, 0, ROLE_NORMAL, 0, "same", -1);
	vscreen_copy(b, vs);
	for (y = 0; y < 3; y++)
		ck_assert(!vscreen_row_diff(vs, b, y, &x0, &x1));
	vscreen_put(vs, 7, 1, ROLE_NORMAL, 0, "x", -1);
	ck_assert(vscreen_row_diff(vs, b, 1, &x0, &x1));
	ck_assert_int_eq(x0, 7);
	ck_assert_int_eq(x1, 7);
	/* Only the role changes: still a difference. */
	vscreen_copy(b, vs);
	vscreen_paint(vs, 2, 0, 1, ROLE_WARN, 0);
	ck_assert(vscreen_row_diff(vs, b, 0, &x0, &x1));
	ck_assert_int_eq(x0, 2);
	ck_assert_int_eq(x1, 2);
	/* A wide char: the span covers both halves. */
	vscreen_copy(b, vs);
	vscreen_put(vs, 10, 2, ROLE_NORMAL, 0, "张", -1);
	ck_assert(vscreen_row_diff(vs, b, 2, &x0, &x1));
	ck_assert_int_eq(x0, 10);
	ck_assert_int_eq(x1, 11);
	/* Different sizes: the whole row. */
	vscreen_resize(b, 10, 3);
	ck_assert(vscreen_row_diff(vs, b, 0, &x0, &x1));
	ck_assert_int_eq(x0, 0);
	ck_assert_int_eq(x1, 19);
	vscreen_destroy(b);
}
END_TEST

START_TEST(test_resize_clear_cursor)
{
	int x, y;

	vscreen_put(vs, 0, 0, ROLE_NORMAL, 0, "text", -1);
	vscreen_set_cursor(vs, 50, -3, true);
	ck_assert(vscreen_cursor(vs, &x, &y));
	ck_assert_int_eq(x, 19);
	ck_assert_int_eq(y, 0);
	vscreen_resize(vs, 8, 2);
	ck_assert_int_eq(vscreen_cols(vs), 8);
	ck_assert_int_eq(vscreen_rows(vs), 2);
	ck_assert(!vscreen_cursor(vs, &x, &y));
	ck_assert_str_eq(line(0), "");
	vscreen_resize(vs, 0, -1);
	ck_assert_int_eq(vscreen_cols(vs), 1);
	ck_assert_int_eq(vscreen_rows(vs), 1);
	vscreen_destroy(NULL);
}
END_TEST

static Suite *
vscreen_suite(void)
{
	Suite *s = suite_create("vscreen");
	TCase *tc;

	tc = tcase_create("put");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, test_put_table, 0, (int)ARRAY_LEN(put_cases));
	tcase_add_test(tc, test_wide_cells);
	tcase_add_test(tc, test_wide_at_right_edge);
	tcase_add_test(tc, test_combining);
	tcase_add_test(tc, test_putf);
	tcase_add_test(tc, test_clipping);
	suite_add_tcase(s, tc);

	tc = tcase_create("truncate");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, test_ellipsis_table, 0, (int)ARRAY_LEN(ell_cases));
	tcase_add_test(tc, test_pad_and_right);
	suite_add_tcase(s, tc);

	tc = tcase_create("cells");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_overwrite_half_of_wide);
	tcase_add_test(tc, test_fill_rejects_unsafe);
	tcase_add_test(tc, test_roles_and_paint);
	tcase_add_test(tc, test_resize_clear_cursor);
	suite_add_tcase(s, tc);

	tc = tcase_create("frames");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_dump_exact);
	tcase_add_test(tc, test_row_diff);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return harness_screen_main(vscreen_suite(), "check-vscreen");
}
