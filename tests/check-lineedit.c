/* check-lineedit.c: the one-line editor (ui/lineedit.c): the readline keys C-a, C-e, C-w,
 * C-k and C-u through the form key table, as a field sees them, a bracketed paste into one
 * line, and full-width forms taken as ASCII. */
#include <check.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>

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

START_TEST(test_paste_one_line)
{
	struct lineedit le;

	lineedit_init(&le, 64);
	lineedit_set(&le, "[]");
	lineedit_left(&le);
	ck_assert_int_eq(lineedit_paste(&le, "湖南省长沙市\r\n岳麓区\r\r\n\n麓山南路\t932号\x1b[A\n"),
	    LINEEDIT_CHANGED);
	/* A run of line breaks is one space (CR LF, blank lines), a tab a space, the ESC
	 * dropped. */
	ck_assert_str_eq(lineedit_text(&le), "[湖南省长沙市 岳麓区 麓山南路 932号[A ]");
	ck_assert_int_eq(lineedit_paste(&le, ""), LINEEDIT_REFUSED);
	lineedit_finish(&le);
}
END_TEST

START_TEST(test_paste_full)
{
	struct lineedit le;

	/* What fits goes in, a prefix on a character boundary. */
	lineedit_init(&le, 8);
	ck_assert_int_eq(lineedit_paste(&le, "ab张三李四"), LINEEDIT_CHANGED);
	ck_assert_str_eq(lineedit_text(&le), "ab张三");
	ck_assert_int_eq(lineedit_paste(&le, "x"), LINEEDIT_REFUSED);
	lineedit_finish(&le);
}
END_TEST

START_TEST(test_paste_key)
{
	struct lineedit le;
	struct key k = { KEYSYM_PASTE, true };
	char big[LINEEDIT_PASTE_MAX + 16];

	lineedit_init(&le, 64);
	/* The paste key inserts the offered text: the Enter and the Q in it are text. */
	lineedit_offer_paste("Q\nyes");
	ck_assert_int_eq(lineedit_key(&le, &k, keymap_lookup(SCOPE_FORM, &k)),
	    LINEEDIT_CHANGED);
	ck_assert_str_eq(lineedit_text(&le), "Q yes");
	lineedit_offer_paste(NULL);
	ck_assert_int_eq(lineedit_key(&le, &k, ACTION_NONE), LINEEDIT_REFUSED);
	ck_assert_str_eq(lineedit_text(&le), "Q yes");
	/* A long offer is cut, not overrun; the field keeps what fits. */
	memset(big, 'a', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	lineedit_offer_paste(big);
	lineedit_clear(&le);
	ck_assert_int_eq(lineedit_key(&le, &k, ACTION_NONE), LINEEDIT_CHANGED);
	ck_assert_uint_eq(strlen(lineedit_text(&le)), 64);
	lineedit_offer_paste(NULL);
	lineedit_finish(&le);
}
END_TEST

/* fold_width: full-width forms insert as ASCII, typed and pasted, and so fit a field sized
 * in bytes; a field without it keeps them (Chinese text uses full-width punctuation). */
START_TEST(test_fold_width)
{
	struct lineedit le, text;

	lineedit_init(&le, 11);
	le.fold_width = true;
	lineedit_insert_str(&le, "１３８\xe3\x80\x80１２３４５６７８");
	ck_assert_str_eq(lineedit_text(&le), "138 1234567");	/* 11 bytes: all that fits */
	lineedit_clear(&le);
	lineedit_insert_str(&le, "湘Ａ２３");
	ck_assert_str_eq(lineedit_text(&le), "湘A23");
	lineedit_finish(&le);

	lineedit_init(&text, 64);
	lineedit_insert_str(&text, "电瓶没电，（急）");
	ck_assert_str_eq(lineedit_text(&text), "电瓶没电，（急）");
	lineedit_finish(&text);
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
	tcase_add_test(tc, test_paste_one_line);
	tcase_add_test(tc, test_paste_full);
	tcase_add_test(tc, test_paste_key);
	tcase_add_test(tc, test_fold_width);
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
