/* check-keymap.c: the key table, key names, scope-chained lookup and rendering
 * (ui/keymap.c). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "keymap.h"
#include "util.h"

#include "harness-screen.h"

static struct key
ch(int c)
{
	struct key k = { c, false };
	return k;
}

static struct key
sym(int s)
{
	struct key k = { s, true };
	return k;
}

START_TEST(test_every_action_has_keys_and_help)
{
	struct key keys[KEYMAP_MAX_KEYS];
	int a, b;

	for (a = 1; a < ACTION_COUNT; a++) {
		ck_assert_msg(keymap_action_keys((enum keymap_action)a, keys, KEYMAP_MAX_KEYS) > 0,
		    "%s has no key", keymap_action_name((enum keymap_action)a));
		ck_assert_str_ne(keymap_action_name((enum keymap_action)a), "");
		ck_assert_msg(strncmp(keymap_action_help((enum keymap_action)a), "key.", 4) == 0,
		    "%s help", keymap_action_name((enum keymap_action)a));
		for (b = a + 1; b < ACTION_COUNT; b++)
			ck_assert_str_ne(keymap_action_name((enum keymap_action)a),
			    keymap_action_name((enum keymap_action)b));
	}
	ck_assert_int_eq(keymap_action_keys(ACTION_NONE, keys, KEYMAP_MAX_KEYS), 0);
	ck_assert_int_eq(keymap_action_keys(ACTION_COUNT, keys, KEYMAP_MAX_KEYS), 0);
}
END_TEST

/* true if scope s sees the bindings of scope t (s itself or one of its ancestors). */
static bool
in_chain(enum keymap_scope s, enum keymap_scope t)
{
	for (;;) {
		if (s == t)
			return true;
		if (s == SCOPE_GLOBAL)
			return false;
		s = keymap_scope_parent(s);
	}
}

START_TEST(test_no_key_bound_twice_in_a_chain)
{
	struct key ka[KEYMAP_MAX_KEYS], kb[KEYMAP_MAX_KEYS];
	enum keymap_scope s = (enum keymap_scope)_i;
	int a, b, i, j, na, nb;
	char name[16];

	for (a = 1; a < ACTION_COUNT; a++) {
		if (!in_chain(s, keymap_action_scope((enum keymap_action)a)))
			continue;
		na = keymap_action_keys((enum keymap_action)a, ka, KEYMAP_MAX_KEYS);
		for (b = a; b < ACTION_COUNT; b++) {
			if (!in_chain(s, keymap_action_scope((enum keymap_action)b)))
				continue;
			nb = keymap_action_keys((enum keymap_action)b, kb, KEYMAP_MAX_KEYS);
			for (i = 0; i < na; i++) {
				for (j = 0; j < nb; j++) {
					if (a == b && i == j)
						continue;
					keymap_key_name(&ka[i], name, sizeof name);
					ck_assert_msg(ka[i].code != kb[j].code ||
					    ka[i].is_func != kb[j].is_func,
					    "scope %s: %s bound to %s and %s",
					    keymap_scope_name(s), name,
					    keymap_action_name((enum keymap_action)a),
					    keymap_action_name((enum keymap_action)b));
				}
			}
		}
	}
}
END_TEST

START_TEST(test_scope_chain_ends_at_global)
{
	enum keymap_scope s = (enum keymap_scope)_i;
	int steps = 0;

	while (s != SCOPE_GLOBAL && steps++ < SCOPE_COUNT)
		s = keymap_scope_parent(s);
	ck_assert_int_eq(s, SCOPE_GLOBAL);
	ck_assert_int_eq(keymap_scope_parent(SCOPE_GLOBAL), SCOPE_GLOBAL);
	ck_assert_msg(strncmp(keymap_scope_title((enum keymap_scope)_i), "scope.", 6) == 0,
	    "title of %s", keymap_scope_name((enum keymap_scope)_i));
}
END_TEST

static const struct {
	enum keymap_scope scope;
	struct key key;
	enum keymap_action want;
} lookups[] = {
	{ SCOPE_GLOBAL, { 'j', false }, ACTION_MOVE_DOWN },
	{ SCOPE_GLOBAL, { KEYSYM_DOWN, true }, ACTION_MOVE_DOWN },
	{ SCOPE_BOARD, { 'k', false }, ACTION_MOVE_UP },
	{ SCOPE_BOARD, { KEYMAP_CTRL('f'), false }, ACTION_PAGE_DOWN },
	{ SCOPE_BOARD, { KEYSYM_PAGE_UP, true }, ACTION_PAGE_UP },
	{ SCOPE_BOARD, { 'G', false }, ACTION_END },
	{ SCOPE_BOARD, { '/', false }, ACTION_FILTER },
	{ SCOPE_BOARD, { 'a', false }, ACTION_NOTE },		/* via the ticket scope */
	{ SCOPE_DETAIL, { 'A', false }, ACTION_ASSIGN },
	{ SCOPE_DETAIL, { '/', false }, ACTION_NONE },		/* board only */
	{ SCOPE_GLOBAL, { 'a', false }, ACTION_NONE },
	{ SCOPE_BOARD, { '?', false }, ACTION_HELP },
	{ SCOPE_BOARD, { KEYSYM_F1, true }, ACTION_HELP },
	{ SCOPE_BOARD, { 'q', false }, ACTION_BACK },
	{ SCOPE_BOARD, { KEYSYM_ESC, true }, ACTION_BACK },
	{ SCOPE_BOARD, { 'Q', false }, ACTION_QUIT },
	{ SCOPE_BOARD, { KEYMAP_CTRL('l'), false }, ACTION_REDRAW },
	{ SCOPE_BOARD, { KEYSYM_TAB, true }, ACTION_NEXT_PANE },
	{ SCOPE_BOARD, { KEYSYM_BACKTAB, true }, ACTION_PREV_PANE },
	{ SCOPE_BOARD, { KEYSYM_ENTER, true }, ACTION_OPEN },
	{ SCOPE_BOARD, { 'x', false }, ACTION_NONE },
	/* Text entry: letters are text, non-printable global keys still work. */
	{ SCOPE_FORM, { 'j', false }, ACTION_NONE },
	{ SCOPE_FORM, { 'q', false }, ACTION_NONE },
	{ SCOPE_FORM, { '?', false }, ACTION_NONE },
	{ SCOPE_FORM, { ' ', false }, ACTION_NONE },
	{ SCOPE_FORM, { 0x5f20, false }, ACTION_NONE },
	{ SCOPE_FORM, { KEYSYM_DOWN, true }, ACTION_MOVE_DOWN },
	{ SCOPE_FORM, { KEYSYM_ESC, true }, ACTION_BACK },
	{ SCOPE_FORM, { KEYSYM_F1, true }, ACTION_HELP },
	{ SCOPE_FORM, { KEYSYM_F10, true }, ACTION_SUBMIT },
	{ SCOPE_FORM, { KEYMAP_CTRL('o'), false }, ACTION_SUBMIT },
	{ SCOPE_FORM, { KEYMAP_CTRL('l'), false }, ACTION_REDRAW },
	{ SCOPE_FORM, { KEYSYM_BACKSPACE, true }, ACTION_DELETE_BACK },
	{ SCOPE_DIALOG, { 'y', false }, ACTION_CONFIRM },
	{ SCOPE_DIALOG, { 'N', false }, ACTION_DENY },
	{ SCOPE_DIALOG, { KEYSYM_ESC, true }, ACTION_BACK },
	{ SCOPE_COUNT, { 'j', false }, ACTION_NONE },		/* bad scope */
};

START_TEST(test_lookup_table)
{
	enum keymap_action got = keymap_lookup(lookups[_i].scope, &lookups[_i].key);

	ck_assert_msg(got == lookups[_i].want, "case %d: got %s, want %s", _i,
	    keymap_action_name(got), keymap_action_name(lookups[_i].want));
}
END_TEST

static const struct {
	const char *name;
	int rc;
	struct key key;
	const char *back;	/* keymap_key_name() of the result */
} parses[] = {
	{ "j", 0, { 'j', false }, "j" },
	{ "?", 0, { '?', false }, "?" },
	{ "PgDn", 0, { KEYSYM_PAGE_DOWN, true }, "PgDn" },
	{ "pgdn", 0, { KEYSYM_PAGE_DOWN, true }, "PgDn" },
	{ "S-Tab", 0, { KEYSYM_BACKTAB, true }, "S-Tab" },
	{ "F10", 0, { KEYSYM_F10, true }, "F10" },
	{ "C-l", 0, { 0x0c, false }, "C-l" },
	{ "Space", 0, { ' ', false }, "Space" },
	{ "张", 0, { 0x5f20, false }, "张" },
	{ "", -1, { 0, false }, NULL },
	{ "C-", -1, { 0, false }, NULL },
	{ "C-L", -1, { 0, false }, NULL },
	{ "ab", -1, { 0, false }, NULL },
	{ " ", -1, { 0, false }, NULL },
	{ "\x1b", -1, { 0, false }, NULL },
	{ "\xff", -1, { 0, false }, NULL },
	{ "\xcc\x81", -1, { 0, false }, NULL },	/* combining mark alone */
};

START_TEST(test_parse_table)
{
	struct key k = { -1, false };
	char name[16];

	ck_assert_int_eq(keymap_parse_key(parses[_i].name, &k), parses[_i].rc);
	if (parses[_i].rc != 0)
		return;
	ck_assert_int_eq(k.code, parses[_i].key.code);
	ck_assert_int_eq(k.is_func, parses[_i].key.is_func);
	keymap_key_name(&k, name, sizeof name);
	ck_assert_str_eq(name, parses[_i].back);
}
END_TEST

START_TEST(test_names_round_trip)
{
	struct key keys[KEYMAP_MAX_KEYS], back;
	char name[16];
	int a, i, n;

	for (a = 1; a < ACTION_COUNT; a++) {
		n = keymap_action_keys((enum keymap_action)a, keys, KEYMAP_MAX_KEYS);
		for (i = 0; i < n; i++) {
			keymap_key_name(&keys[i], name, sizeof name);
			ck_assert_int_eq(keymap_parse_key(name, &back), 0);
			ck_assert_int_eq(back.code, keys[i].code);
			ck_assert_int_eq(back.is_func, keys[i].is_func);
		}
	}
	for (i = 1; i < KEYSYM_COUNT; i++) {
		back = sym(i);
		keymap_key_name(&back, name, sizeof name);
		ck_assert_int_eq(keymap_parse_key(name, &back), 0);
		ck_assert_int_eq(back.code, i);
	}
}
END_TEST

START_TEST(test_printable)
{
	struct key k;

	k = ch('a');
	ck_assert(keymap_key_printable(&k));
	k = ch(0x5f20);
	ck_assert(keymap_key_printable(&k));
	k = ch(KEYMAP_CTRL('l'));
	ck_assert(!keymap_key_printable(&k));
	k = ch(0x9b);
	ck_assert(!keymap_key_printable(&k));
	k = sym(KEYSYM_UP);
	ck_assert(!keymap_key_printable(&k));
}
END_TEST

START_TEST(test_keys_text)
{
	char buf[64], tiny[4];

	ck_assert_uint_eq(keymap_action_keys_text(ACTION_PAGE_DOWN, buf, sizeof buf), 9);
	ck_assert_str_eq(buf, "PgDn, C-f");
	ck_assert_uint_eq(keymap_action_keys_text(ACTION_PAGE_DOWN, tiny, sizeof tiny), 9);
	ck_assert_str_eq(tiny, "PgD");
}
END_TEST

/* scdoc escaping of a catalog key, as keymap_render() must do it. */
static void
escape(const char *s, char *out, size_t sz)
{
	size_t n = 0;

	for (; *s != '\0' && n + 3 < sz; s++) {
		if (*s == '_' || *s == '*' || *s == '\\')
			out[n++] = '\\';
		out[n++] = *s;
	}
	out[n] = '\0';
}

START_TEST(test_render)
{
	char *text = keymap_render(KEYMAP_FORMAT_TEXT, NULL);
	char *scd = keymap_render(KEYMAP_FORMAT_SCDOC, NULL);
	char want[128], esc[100];
	int a;

	ck_assert_ptr_nonnull(strstr(scd,
	    "# KEYS\n\n## scope.global\n\n*k*, *Up*\n\tkey.move\\_up\n"));
	ck_assert_ptr_nonnull(strstr(scd, "*PgDn*, *C-f*\n\tkey.page\\_down\n"));
	ck_assert_int_eq(scd[strlen(scd) - 1], '\n');
	ck_assert_int_ne(scd[strlen(scd) - 2], '\n');
	for (a = 1; a < ACTION_COUNT; a++) {
		escape(keymap_action_help((enum keymap_action)a), esc, sizeof esc);
		snprintf(want, sizeof want, "\t%s\n", esc);
		ck_assert_msg(strstr(scd, want) != NULL, "scdoc lacks %s", want);
		ck_assert_msg(strstr(text, keymap_action_help((enum keymap_action)a)) != NULL,
		    "text lacks %s", keymap_action_help((enum keymap_action)a));
	}
	ck_assert_ptr_nonnull(strstr(text, "scope.form\n  F10, C-o "));
	free(text);
	free(scd);
}
END_TEST

static Suite *
keymap_suite(void)
{
	Suite *s = suite_create("keymap");
	TCase *tc;

	tc = tcase_create("table");
	tcase_add_test(tc, test_every_action_has_keys_and_help);
	tcase_add_loop_test(tc, test_no_key_bound_twice_in_a_chain, 0, SCOPE_COUNT);
	tcase_add_loop_test(tc, test_scope_chain_ends_at_global, 0, SCOPE_COUNT);
	suite_add_tcase(s, tc);

	tc = tcase_create("lookup");
	tcase_add_loop_test(tc, test_lookup_table, 0, (int)ARRAY_LEN(lookups));
	suite_add_tcase(s, tc);

	tc = tcase_create("names");
	tcase_add_loop_test(tc, test_parse_table, 0, (int)ARRAY_LEN(parses));
	tcase_add_test(tc, test_names_round_trip);
	tcase_add_test(tc, test_printable);
	tcase_add_test(tc, test_keys_text);
	suite_add_tcase(s, tc);

	tc = tcase_create("render");
	tcase_add_test(tc, test_render);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return harness_screen_main(keymap_suite(), "check-keymap");
}
