/* check-theme.c: the role table and the colour/monochrome decision (ui/theme.c). */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "theme.h"

START_TEST(test_roles_unique)
{
	int i, j;

	for (i = 0; i < ROLE_COUNT; i++) {
		ck_assert_int_eq(theme_role_from_name(theme_role_name((enum theme_role)i)), i);
		for (j = i + 1; j < ROLE_COUNT; j++) {
			ck_assert_int_ne(theme_role_letter((enum theme_role)i),
			    theme_role_letter((enum theme_role)j));
			ck_assert_str_ne(theme_role_name((enum theme_role)i),
			    theme_role_name((enum theme_role)j));
		}
	}
	ck_assert_int_eq(theme_role_from_name("nope"), -1);
	ck_assert_str_eq(theme_role_name(ROLE_COUNT), "?");
	ck_assert_int_eq(theme_role_letter(ROLE_COUNT), '?');
}
END_TEST

static const struct {
	const char *no_color;	/* NULL: unset */
	bool mono, term_colors, want;
} color_cases[] = {
	{ NULL, false, true, true },
	{ "1", false, true, false },
	{ "0", false, true, false },	/* any non-empty value */
	{ "", false, true, true },	/* empty counts as unset (no-color.org) */
	{ NULL, true, true, false },	/* --mono */
	{ NULL, false, false, false },	/* terminal without colours */
};

START_TEST(test_want_color)
{
	if (color_cases[_i].no_color == NULL)
		unsetenv("NO_COLOR");
	else
		setenv("NO_COLOR", color_cases[_i].no_color, 1);
	ck_assert_int_eq(theme_want_color(color_cases[_i].mono, color_cases[_i].term_colors),
	    color_cases[_i].want);
}
END_TEST

START_TEST(test_mono_column)
{
	struct theme t;
	const struct theme_style *s;
	int i;

	theme_init(&t, false);
	ck_assert(!t.color);
	for (i = 0; i < ROLE_COUNT; i++) {
		s = theme_style(&t, (enum theme_role)i);
		ck_assert_int_eq(s->fg, THEME_DEFAULT);
		ck_assert_int_eq(s->bg, THEME_DEFAULT);
		ck_assert_uint_eq(s->attr & ~(unsigned)(THEME_BOLD | THEME_REVERSE |
		    THEME_UNDERLINE), 0);
	}
	/* Without colour these must still stand out. */
	ck_assert(theme_style(&t, ROLE_SELECTED)->attr & THEME_REVERSE);
	ck_assert(theme_style(&t, ROLE_STALE)->attr & THEME_REVERSE);
	ck_assert(theme_style(&t, ROLE_ERROR)->attr & THEME_REVERSE);
	ck_assert_uint_ne(theme_style(&t, ROLE_LATE)->attr, 0);
	ck_assert_uint_ne(theme_style(&t, ROLE_WARN)->attr, 0);
	ck_assert_uint_eq(theme_style(&t, ROLE_NORMAL)->attr, 0);
}
END_TEST

START_TEST(test_color_column)
{
	struct theme t;

	theme_init(&t, true);
	ck_assert(t.color);
	ck_assert_int_eq(theme_style(&t, ROLE_NORMAL)->fg, THEME_DEFAULT);
	ck_assert_int_eq(theme_style(&t, ROLE_NORMAL)->bg, THEME_DEFAULT);
	ck_assert_int_eq(theme_style(&t, ROLE_LATE)->fg, THEME_RED);
	ck_assert_int_eq(theme_style(&t, ROLE_OK)->fg, THEME_GREEN);
	ck_assert_int_eq(theme_style(&t, ROLE_WARN)->fg, THEME_YELLOW);
	/* Out-of-range roles fall back to normal. */
	ck_assert_ptr_eq(theme_style(&t, ROLE_COUNT), theme_style(&t, ROLE_NORMAL));
}
END_TEST

/* Whether two themes are the same (field by field: the struct has padding). */
static bool
same(const struct theme *a, const struct theme *b)
{
	int i;

	if (a->color != b->color)
		return false;
	for (i = 0; i < ROLE_COUNT; i++)
		if (a->style[i].fg != b->style[i].fg || a->style[i].bg != b->style[i].bg ||
		    a->style[i].attr != b->style[i].attr)
			return false;
	return true;
}

START_TEST(test_light_variant)
{
	struct theme dark, light, mono;
	const struct theme_style *s;
	int i;

	theme_init(&dark, true);
	theme_init_variant(&light, true, THEME_LIGHT);
	ck_assert(light.color);
	for (i = 0; i < ROLE_COUNT; i++) {
		s = theme_style(&light, (enum theme_role)i);
		/* On a light background no text is yellow, cyan or white on the terminal's own
		 * background, and no bar is white. */
		if (s->bg == THEME_DEFAULT)
			ck_assert(s->fg != THEME_YELLOW && s->fg != THEME_CYAN &&
			    s->fg != THEME_WHITE);
		ck_assert_int_ne(s->bg, THEME_WHITE);
		/* A colour is never the same in front and behind. */
		if (s->fg != THEME_DEFAULT)
			ck_assert_int_ne(s->fg, s->bg);
	}
	/* Red stays red; urgency keeps its colour. */
	ck_assert_int_eq(theme_style(&light, ROLE_LATE)->fg, THEME_RED);
	ck_assert_int_eq(theme_style(&light, ROLE_NORMAL)->fg, THEME_DEFAULT);
	ck_assert_int_eq(theme_style(&light, ROLE_SELECTED)->bg,
	    theme_style(&dark, ROLE_SELECTED)->bg);
	/* The dark variant is theme_init's, and without colour the variant does nothing. */
	theme_init_variant(&light, true, THEME_DARK);
	ck_assert(same(&light, &dark));
	theme_init(&mono, false);
	theme_init_variant(&light, false, THEME_LIGHT);
	ck_assert(same(&light, &mono));
	ck_assert_int_eq(theme_variant_parse("light"), THEME_LIGHT);
	ck_assert_int_eq(theme_variant_parse("dark"), THEME_DARK);
	ck_assert_int_eq(theme_variant_parse("Light"), -1);
}
END_TEST

START_TEST(test_marks_differ)
{
	/* Red and amber marks differ by glyph, one cell each. */
	ck_assert_str_ne(THEME_MARK_RED, THEME_MARK_AMBER);
	ck_assert_uint_eq(strlen(THEME_MARK_RED), 1);
	ck_assert_uint_eq(strlen(THEME_MARK_AMBER), 1);
}
END_TEST

static Suite *
theme_suite(void)
{
	Suite *s = suite_create("theme");
	TCase *tc;

	tc = tcase_create("roles");
	tcase_add_test(tc, test_roles_unique);
	tcase_add_test(tc, test_mono_column);
	tcase_add_test(tc, test_color_column);
	tcase_add_test(tc, test_light_variant);
	tcase_add_test(tc, test_marks_differ);
	suite_add_tcase(s, tc);

	tc = tcase_create("no_color");
	tcase_add_loop_test(tc, test_want_color, 0,
	    (int)(sizeof color_cases / sizeof color_cases[0]));
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(theme_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
