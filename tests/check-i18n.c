/* check-i18n.c: message catalogs, fallback and language choice (ui/i18n.c) and the
 * shipped catalogs data/i18n/{en,zh_CN}.ini.
 *
 * Run from the source root, or set RD_SRCDIR to it. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "i18n.h"
#include "keymap.h"
#include "util.h"

static char datadir[4096];
static char tmpdir[64];

/* Strings the UI layer uses besides the key table. */
static const char *ui_keys[] = {
	"app.name", "help.title", "help.hint_close", "help.hint_scroll", "help.hint_page",
	"status.live", "status.stale", "status.connecting", "status.resyncing",
	"status.stale_banner", "small.title", "small.need", "small.have", "small.hint",
	"quit.confirm", "dialog.yes", "dialog.no", "cmd.intake", "cmd.note", "cmd.cancel",
	"msg.created", "msg.done", "msg.send_failed",
};

static struct i18n_catalog *
load(const char *lang)
{
	struct i18n_catalog *c;
	char path[4200], *cause = NULL;

	snprintf(path, sizeof path, "%s/i18n/%s.ini", datadir, lang);
	c = i18n_catalog_load(path, &cause);
	ck_assert_msg(c != NULL, "%s", cause != NULL ? cause : "?");
	return c;
}

START_TEST(test_catalogs_have_same_keys)
{
	struct i18n_catalog *en = load("en"), *zh = load("zh_CN");
	size_t i;

	for (i = 0; i < i18n_catalog_count(en); i++)
		ck_assert_msg(i18n_catalog_get(zh, i18n_catalog_key(en, i)) != NULL,
		    "zh_CN lacks %s", i18n_catalog_key(en, i));
	for (i = 0; i < i18n_catalog_count(zh); i++)
		ck_assert_msg(i18n_catalog_get(en, i18n_catalog_key(zh, i)) != NULL,
		    "en lacks %s", i18n_catalog_key(zh, i));
	ck_assert_uint_eq(i18n_catalog_count(en), i18n_catalog_count(zh));
	for (i = 0; i < i18n_catalog_count(en); i++)
		ck_assert_str_ne(i18n_catalog_get(en, i18n_catalog_key(en, i)), "");
	i18n_catalog_destroy(en);
	i18n_catalog_destroy(zh);
}
END_TEST

START_TEST(test_catalog_covers_ui)
{
	struct i18n_catalog *en = load("en");
	size_t i;
	int a;

	for (a = 1; a < ACTION_COUNT; a++)
		ck_assert_msg(i18n_catalog_get(en, keymap_action_help((enum keymap_action)a)),
		    "en lacks %s", keymap_action_help((enum keymap_action)a));
	for (a = 0; a < SCOPE_COUNT; a++)
		ck_assert_msg(i18n_catalog_get(en, keymap_scope_title((enum keymap_scope)a)),
		    "en lacks %s", keymap_scope_title((enum keymap_scope)a));
	for (i = 0; i < ARRAY_LEN(ui_keys); i++)
		ck_assert_msg(i18n_catalog_get(en, ui_keys[i]) != NULL, "en lacks %s", ui_keys[i]);
	i18n_catalog_destroy(en);
}
END_TEST

START_TEST(test_catalog_lines_fit_inih)
{
	static const char *langs[] = { "en", "zh_CN" };
	char path[4200], line[512];
	size_t i;
	FILE *f;
	int n;

	for (i = 0; i < ARRAY_LEN(langs); i++) {
		snprintf(path, sizeof path, "%s/i18n/%s.ini", datadir, langs[i]);
		f = fopen(path, "r");
		ck_assert_ptr_nonnull(f);
		for (n = 1; fgets(line, sizeof line, f) != NULL; n++) {
			ck_assert_msg(strlen(line) < 200, "%s:%d is too long for inih", path, n);
			ck_assert_msg(strstr(line, " ;") == NULL, "%s:%d has \" ;\"", path, n);
		}
		fclose(f);
	}
}
END_TEST

static void
write_file(const char *name, const char *text)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof path, "%s/i18n/%s", tmpdir, name);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

static void
tmp_setup(void)
{
	char path[128];

	rd_strlcpy(tmpdir, "/tmp/check-i18n-XXXXXX", sizeof tmpdir);
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
	snprintf(path, sizeof path, "%s/i18n", tmpdir);
	ck_assert_int_eq(mkdir(path, 0700), 0);
	write_file("en.ini", "[messages]\na = A\nb = B\n");
	write_file("zh_CN.ini", "# comment\n[messages]\na = 甲\n");
	write_file("bad_syntax.ini", "[messages]\na = A\nno equals here\n");
	write_file("bad_section.ini", "[other]\na = A\n");
	write_file("bad_outside.ini", "a = A\n[messages]\n");
	write_file("bad_twice.ini", "[messages]\na = A\nb = B\na = C\n");
	write_file("bad_continued.ini", "[messages]\na = A\n  more\n");
}

static void
tmp_teardown(void)
{
	static const char *names[] = { "en.ini", "zh_CN.ini", "bad_syntax.ini",
		"bad_section.ini", "bad_outside.ini", "bad_twice.ini", "bad_continued.ini" };
	char path[128];
	size_t i;

	i18n_unload();
	for (i = 0; i < ARRAY_LEN(names); i++) {
		snprintf(path, sizeof path, "%s/i18n/%s", tmpdir, names[i]);
		unlink(path);
	}
	snprintf(path, sizeof path, "%s/i18n", tmpdir);
	rmdir(path);
	rmdir(tmpdir);
}

START_TEST(test_fallback)
{
	char *cause = NULL;

	ck_assert_str_eq(i18n_tr("a"), "a");		/* nothing loaded: the key */
	ck_assert_int_eq(i18n_load(tmpdir, "zh_CN", &cause), 0);
	ck_assert_str_eq(i18n_lang(), "zh_CN");
	ck_assert_str_eq(i18n_tr("a"), "甲");
	ck_assert_str_eq(i18n_tr("b"), "B");		/* English */
	ck_assert_str_eq(i18n_tr("c"), "c");		/* the key itself */
	ck_assert_str_eq(i18n_tr(NULL), "");
	ck_assert_int_eq(i18n_load(tmpdir, "en", &cause), 0);
	ck_assert_str_eq(i18n_tr("a"), "A");
	i18n_unload();
	ck_assert_str_eq(i18n_tr("b"), "b");
	ck_assert_str_eq(i18n_lang(), "en");
}
END_TEST

static const struct {
	const char *lang;
	const char *in_cause;
} load_errors[] = {
	{ "fr", "fr.ini" },			/* no such catalog */
	{ "../etc", "bad language" },
	{ "bad_syntax", "bad_syntax.ini:3:" },
	{ "bad_section", "outside [messages]" },
	{ "bad_outside", "outside [messages]" },
	{ "bad_twice", "given twice" },
	{ "bad_continued", "repeated or continued" },
};

START_TEST(test_load_errors)
{
	char *cause = NULL;

	ck_assert_int_eq(i18n_load(tmpdir, "zh_CN", &cause), 0);
	ck_assert_int_eq(i18n_load(tmpdir, load_errors[_i].lang, &cause), -1);
	ck_assert_ptr_nonnull(cause);
	ck_assert_msg(strstr(cause, load_errors[_i].in_cause) != NULL, "cause: %s", cause);
	free(cause);
	/* The catalogs loaded before stay. */
	ck_assert_str_eq(i18n_tr("a"), "甲");
	ck_assert_str_eq(i18n_lang(), "zh_CN");
}
END_TEST

static const struct {
	const char *explicit_lang, *lc_all, *lc_messages, *lang;
	const char *want;
} picks[] = {
	{ NULL, NULL, NULL, "zh_CN.UTF-8", "zh_CN" },
	{ NULL, NULL, NULL, "en_US.UTF-8", "en" },
	{ NULL, NULL, NULL, NULL, "en" },
	{ NULL, "C", NULL, "zh_CN.UTF-8", "en" },		/* LC_ALL wins */
	{ NULL, "", "zh_TW.UTF-8", "en_US.UTF-8", "zh_CN" },	/* empty is unset */
	{ NULL, NULL, "en_GB.UTF-8", "zh_CN.UTF-8", "en" },
	{ "zh", NULL, NULL, "en_US.UTF-8", "zh_CN" },		/* explicit wins */
	{ "en_GB", NULL, NULL, "zh_CN.UTF-8", "en" },
	{ "fr_FR.UTF-8", NULL, NULL, NULL, "fr_FR" },
	{ "POSIX", NULL, NULL, "zh_CN.UTF-8", "en" },
	{ "", NULL, NULL, "zh_CN.UTF-8", "zh_CN" },
};

static void
set(const char *var, const char *value)
{
	if (value == NULL)
		unsetenv(var);
	else
		setenv(var, value, 1);
}

START_TEST(test_pick_lang)
{
	char buf[32];

	set("LC_ALL", picks[_i].lc_all);
	set("LC_MESSAGES", picks[_i].lc_messages);
	set("LANG", picks[_i].lang);
	ck_assert_str_eq(i18n_pick_lang(picks[_i].explicit_lang, buf, sizeof buf),
	    picks[_i].want);
}
END_TEST

START_TEST(test_chinese_from_lang)
{
	char *cause = NULL;

	unsetenv("LC_ALL");
	unsetenv("LC_MESSAGES");
	setenv("LANG", "zh_CN.UTF-8", 1);
	ck_assert_msg(i18n_load(datadir, NULL, &cause) == 0, "%s", cause);
	ck_assert_str_eq(i18n_lang(), "zh_CN");
	ck_assert_str_eq(i18n_tr("key.help"), "显示本帮助");
	ck_assert_str_eq(i18n_tr("status.live"), "实时");
	setenv("LANG", "en_US.UTF-8", 1);
	ck_assert_int_eq(i18n_load(datadir, NULL, &cause), 0);
	ck_assert_str_eq(i18n_tr("key.help"), "Show this help");
	i18n_unload();
}
END_TEST

static Suite *
i18n_suite(void)
{
	Suite *s = suite_create("i18n");
	TCase *tc;

	tc = tcase_create("shipped");
	tcase_add_test(tc, test_catalogs_have_same_keys);
	tcase_add_test(tc, test_catalog_covers_ui);
	tcase_add_test(tc, test_catalog_lines_fit_inih);
	tcase_add_test(tc, test_chinese_from_lang);
	suite_add_tcase(s, tc);

	tc = tcase_create("load");
	tcase_add_checked_fixture(tc, tmp_setup, tmp_teardown);
	tcase_add_test(tc, test_fallback);
	tcase_add_loop_test(tc, test_load_errors, 0, (int)ARRAY_LEN(load_errors));
	suite_add_tcase(s, tc);

	tc = tcase_create("lang");
	tcase_add_loop_test(tc, test_pick_lang, 0, (int)ARRAY_LEN(picks));
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	const char *src = getenv("RD_SRCDIR");
	SRunner *sr;
	int failed;

	snprintf(datadir, sizeof datadir, "%s/data", src != NULL ? src : ".");
	sr = srunner_create(i18n_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
