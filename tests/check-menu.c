/* check-menu.c: the pick list (ui/menu.c): type to search narrows the list, Latin letters
 * ignoring case and Chinese as typed, so all of a long list (Changsha's 17 landmarks and
 * "none") is reachable, not only the nine with a digit; scroll marks on a long list. */
#include <check.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check-main.h"
#include "keymap.h"
#include "menu.h"
#include "util.h"
#include "vscreen.h"

static const char *const landmarks[] = {
	"(none)", "五一广场 Wuyi Square", "长沙南站 Changsha South Railway Station",
	"长沙火车站 Changsha Railway Station", "橘子洲 Orange Isle", "岳麓山 Yuelu Mountain",
	"湖南大学 Hunan University", "黄花机场 Huanghua Airport", "梅溪湖 Meixi Lake",
	"洋湖湿地公园 Yanghu Wetland Park", "湖南省博物馆 Hunan Museum", "月湖公园 Yuehu Park",
	"星沙 Xingsha", "万家丽高架 Wanjiali Elevated Road",
	"G4京港澳高速 星沙互通 G4 Xingsha Interchange", "G4京港澳高速 榔梨 G4 near Langli",
	"G4京港澳高速 暮云 G4 near Muyun", "G5513长张高速 观沙岭 G5513 near Guanshaling",
};

static struct menu mn;

static void
setup(void)
{
	menu_init(&mn);
	for (size_t i = 0; i < ARRAY_LEN(landmarks); i++)
		menu_add(&mn, landmarks[i], NULL, (int)i - 1);
}

static void
teardown(void)
{
	menu_finish(&mn);
}

/* Type s (UTF-8) into the menu, one code point a key, looked up as a dialog does. */
static enum menu_result
type(const char *s)
{
	enum menu_result r = MENU_IGNORED;
	struct key k = { 0, false };
	wchar_t wc;
	size_t len = strlen(s), pos = 0;

	while (pos < len) {
		pos += mbtowc(&wc, s + pos, len - pos);
		k.code = (int)wc;
		r = menu_key(&mn, &k, keymap_lookup(SCOPE_DIALOG, &k));
	}
	return r;
}

static enum menu_result
sym(int code)
{
	struct key k = { code, true };

	return menu_key(&mn, &k, keymap_lookup(SCOPE_DIALOG, &k));
}

START_TEST(test_all_eighteen_reachable)
{
	/* Every item, also the ones past 9, is picked by typing a part of its name. */
	ck_assert_uint_eq(mn.n, 18);
	ck_assert_int_eq(type("guanshaling"), MENU_MOVED);
	ck_assert_uint_eq(menu_shown(&mn), 1);
	ck_assert_int_eq(sym(KEYSYM_ENTER), MENU_PICKED);
	ck_assert_int_eq(menu_value(&mn), 16);
}
END_TEST

START_TEST(test_letters_are_text)
{
	/* j, k, g, q are keys elsewhere; here they search (Esc and the arrows still work). */
	ck_assert_int_eq(type("Q"), MENU_MOVED);
	ck_assert_str_eq(mn.query, "Q");
	ck_assert_uint_eq(menu_shown(&mn), 1);	/* Wuyi S_q_uare, ignoring case */
	ck_assert_int_eq(menu_value(&mn), 0);
	ck_assert_int_eq(sym(KEYSYM_BACKSPACE), MENU_MOVED);
	ck_assert_str_eq(mn.query, "");
	ck_assert_uint_eq(menu_shown(&mn), 18);
	type("jiali");
	ck_assert_uint_eq(menu_shown(&mn), 1);
	ck_assert_int_eq(menu_value(&mn), 12);
}
END_TEST

START_TEST(test_narrow_and_move)
{
	type("g4 ");			/* a digit and a space are text once a search is on */
	ck_assert_uint_eq(menu_shown(&mn), 3);
	ck_assert_int_eq(menu_value(&mn), 13);
	sym(KEYSYM_DOWN);
	ck_assert_int_eq(menu_value(&mn), 14);
	sym(KEYSYM_DOWN);
	sym(KEYSYM_DOWN);		/* stops at the last shown */
	ck_assert_int_eq(menu_value(&mn), 15);
	sym(KEYSYM_HOME);
	ck_assert_int_eq(menu_value(&mn), 13);
	/* Nothing matches: nothing to pick, Enter does nothing. */
	type("zzz");
	ck_assert_uint_eq(menu_shown(&mn), 0);
	ck_assert_int_eq(sym(KEYSYM_ENTER), MENU_MOVED);
	/* Esc clears the search first, then cancels. */
	ck_assert_int_eq(sym(KEYSYM_ESC), MENU_MOVED);
	ck_assert_uint_eq(menu_shown(&mn), 18);
	ck_assert_int_eq(sym(KEYSYM_ESC), MENU_CANCELLED);
}
END_TEST

START_TEST(test_chinese)
{
	type("长沙");
	ck_assert_uint_eq(menu_shown(&mn), 2);
	ck_assert_int_eq(menu_value(&mn), 1);
	type("火");
	ck_assert_uint_eq(menu_shown(&mn), 1);
	ck_assert_int_eq(menu_value(&mn), 2);
	/* Backspace takes back a whole character. */
	sym(KEYSYM_BACKSPACE);
	ck_assert_str_eq(mn.query, "长沙");
	ck_assert_int_eq(sym(KEYSYM_ENTER), MENU_PICKED);
	ck_assert_int_eq(menu_value(&mn), 2);
}
END_TEST

START_TEST(test_digits_pick_without_search)
{
	struct key k = { '5', false };

	ck_assert_int_eq(menu_key(&mn, &k, keymap_lookup(SCOPE_DIALOG, &k)), MENU_PICKED);
	ck_assert_int_eq(menu_value(&mn), 3);
	k.code = ' ';
	ck_assert_int_eq(menu_key(&mn, &k, ACTION_NONE), MENU_IGNORED);
	ck_assert_str_eq(mn.query, "");
}
END_TEST

START_TEST(test_draw_search_and_scroll_marks)
{
	struct vscreen *vs = vscreen_create(60, 12);
	char *d;

	menu_draw(&mn, vs, 0, 0, 60, 10, "Landmark");
	d = vscreen_dump(vs);
	ck_assert_ptr_nonnull(strstr(d, "\xe2\x96\xbc"));	/* more below */
	ck_assert_ptr_null(strstr(d, "\xe2\x96\xb2"));
	free(d);
	sym(KEYSYM_END);
	menu_draw(&mn, vs, 0, 0, 60, 10, "Landmark");
	d = vscreen_dump(vs);
	ck_assert_ptr_nonnull(strstr(d, "\xe2\x96\xb2"));	/* more above */
	ck_assert_ptr_null(strstr(d, "\xe2\x96\xbc"));
	ck_assert_ptr_nonnull(strstr(d, "Guanshaling"));
	free(d);
	type("湖");
	vscreen_clear(vs);
	menu_draw(&mn, vs, 0, 0, 60, 10, "Landmark");
	d = vscreen_dump(vs);
	ck_assert_ptr_nonnull(strstr(d, " /湖 "));		/* the search, in the border */
	ck_assert_ptr_nonnull(strstr(d, "Meixi Lake"));
	ck_assert_ptr_null(strstr(d, "Orange Isle"));
	ck_assert_ptr_null(strstr(d, "\xe2\x96\xbc"));	/* all five fit */
	free(d);
	vscreen_destroy(vs);
}
END_TEST

static Suite *
menu_suite(void)
{
	Suite *s = suite_create("menu");
	TCase *tc = tcase_create("search");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_all_eighteen_reachable);
	tcase_add_test(tc, test_letters_are_text);
	tcase_add_test(tc, test_narrow_and_move);
	tcase_add_test(tc, test_chinese);
	tcase_add_test(tc, test_digits_pick_without_search);
	tcase_add_test(tc, test_draw_search_and_scroll_marks);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	if (setlocale(LC_ALL, "C.UTF-8") == NULL) {
		fprintf(stderr, "check-menu: the C.UTF-8 locale is missing\n");
		return 1;
	}
	return check_main(menu_suite());
}
