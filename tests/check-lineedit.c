/* check-lineedit.c: the one-line editor's readline keys (ui/lineedit.c): C-a, C-e, C-w,
 * C-k and C-u through the form key table, as a field sees them. */
#include <check.h>
#include <locale.h>
#include <stdio.h>

#include "check-main.h"
#include "keymap.h"
#include "lineedit.h"

/* Feed the control key C-c to le as a form field does. */
static enum lineedit_result
ctrl(struct lineedit *le, char c)
{
	struct key k = { KEYMAP_CTRL(c), false };

	return lineedit_key(le, &k, keymap_lookup(SCOPE_FORM, &k));
}

START_TEST(test_line_start_end)
{
	struct lineedit le;

	lineedit_init(&le, 64);
	lineedit_set(&le, "G4 京港澳");
	ck_assert_int_eq(ctrl(&le, 'a'), LINEEDIT_MOVED);
	ck_assert_uint_eq(le.cur, 0);
	lineedit_insert(&le, L'X');
	ck_assert_str_eq(lineedit_text(&le), "XG4 京港澳");
	ck_assert_int_eq(ctrl(&le, 'e'), LINEEDIT_MOVED);
	ck_assert_uint_eq(lineedit_cursor_chars(&le), 7);
	lineedit_insert(&le, L'!');
	ck_assert_str_eq(lineedit_text(&le), "XG4 京港澳!");
	lineedit_finish(&le);
}
END_TEST

START_TEST(test_delete_word)
{
	struct lineedit le;

	lineedit_init(&le, 64);
	lineedit_set(&le, "flat tyre  near exit ");
	ck_assert_int_eq(ctrl(&le, 'w'), LINEEDIT_CHANGED);
	ck_assert_str_eq(lineedit_text(&le), "flat tyre  near ");
	ck_assert_int_eq(ctrl(&le, 'w'), LINEEDIT_CHANGED);
	ck_assert_str_eq(lineedit_text(&le), "flat tyre  ");
	ck_assert_int_eq(ctrl(&le, 'w'), LINEEDIT_CHANGED);
	ck_assert_str_eq(lineedit_text(&le), "flat ");
	/* In the middle: only what is before the cursor goes. */
	lineedit_set(&le, "电瓶　没电 abc");
	lineedit_left(&le);
	lineedit_left(&le);
	lineedit_left(&le);
	lineedit_left(&le);
	ck_assert_int_eq(ctrl(&le, 'w'), LINEEDIT_CHANGED);
	ck_assert_str_eq(lineedit_text(&le), "电瓶　 abc");
	ck_assert_uint_eq(lineedit_cursor_chars(&le), 3);
	/* An ideographic space separates words too. */
	ck_assert_int_eq(ctrl(&le, 'w'), LINEEDIT_CHANGED);
	ck_assert_str_eq(lineedit_text(&le), " abc");
	ck_assert_int_eq(ctrl(&le, 'w'), LINEEDIT_MOVED);
	ck_assert_str_eq(lineedit_text(&le), " abc");
	lineedit_finish(&le);
}
END_TEST

START_TEST(test_delete_word_combining)
{
	struct lineedit le;

	lineedit_init(&le, 64);
	lineedit_set(&le, "cafe\xcc\x81 ole\xcc\x81");
	ck_assert_int_eq(ctrl(&le, 'w'), LINEEDIT_CHANGED);
	ck_assert_str_eq(lineedit_text(&le), "cafe\xcc\x81 ");
	ck_assert_int_eq(ctrl(&le, 'w'), LINEEDIT_CHANGED);
	ck_assert_str_eq(lineedit_text(&le), "");
	lineedit_finish(&le);
}
END_TEST

START_TEST(test_kill_line)
{
	struct lineedit le;

	lineedit_init(&le, 64);
	lineedit_set(&le, "13800138000 ext 12");
	ck_assert_int_eq(ctrl(&le, 'k'), LINEEDIT_MOVED);
	ck_assert_str_eq(lineedit_text(&le), "13800138000 ext 12");
	ctrl(&le, 'a');
	lineedit_right(&le);
	lineedit_right(&le);
	ck_assert_int_eq(ctrl(&le, 'k'), LINEEDIT_CHANGED);
	ck_assert_str_eq(lineedit_text(&le), "13");
	ck_assert_uint_eq(le.cur, 2);
	ck_assert_int_eq(ctrl(&le, 'u'), LINEEDIT_CHANGED);
	ck_assert_str_eq(lineedit_text(&le), "");
	lineedit_finish(&le);
}
END_TEST

static Suite *
lineedit_suite(void)
{
	Suite *s = suite_create("lineedit");
	TCase *tc = tcase_create("keys");

	tcase_add_test(tc, test_line_start_end);
	tcase_add_test(tc, test_delete_word);
	tcase_add_test(tc, test_delete_word_combining);
	tcase_add_test(tc, test_kill_line);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	if (setlocale(LC_ALL, "C.UTF-8") == NULL) {
		fprintf(stderr, "check-lineedit: the C.UTF-8 locale is missing\n");
		return 1;
	}
	return check_main(lineedit_suite());
}
