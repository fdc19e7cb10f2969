/* check-i18n.c: message catalogs, fallback and language choice (ui/i18n.c), the shipped
 * catalogs data/i18n/{en,zh_CN}.ini, their entries for every warning and event kind the
 * broker can emit (src/model/kinds.h; the broker's emit calls take its enum, so the compiler
 * holds them to the table), and the warning texts worded from them (ui/present.c).
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
#include "kinds.h"
#include "present.h"
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

/* Keys the warning texts use besides "<kind key>.text" (ui/present.c). */
static const char *warn_variant_keys[] = {
	"warn.gps_lost.never", "warn.eta_late.before", "warn.eta_late.window",
};

static void
assert_has(const struct i18n_catalog *c, const char *lang, const char *key)
{
	ck_assert_msg(i18n_catalog_get(c, key) != NULL, "%s lacks %s", lang, key);
}

START_TEST(test_catalogs_cover_kinds)
{
	static const char *langs[] = { "en", "zh_CN" };
	char key[96];
	size_t i;
	int k;

	for (i = 0; i < ARRAY_LEN(langs); i++) {
		struct i18n_catalog *c = load(langs[i]);

		for (k = 0; k < WARN_KIND_COUNT; k++) {
			assert_has(c, langs[i], warn_kind_key((enum warn_kind)k));
			snprintf(key, sizeof key, "%s.text", warn_kind_key((enum warn_kind)k));
			assert_has(c, langs[i], key);
		}
		for (k = 0; k < (int)ARRAY_LEN(warn_variant_keys); k++)
			assert_has(c, langs[i], warn_variant_keys[k]);
		for (k = WARN_LEVEL_AMBER; k < WARN_LEVEL_COUNT; k++)
			assert_has(c, langs[i], warn_level_key((enum warn_level)k));
		for (k = 0; k < EVENT_KIND_COUNT; k++)
			assert_has(c, langs[i], event_kind_key((enum event_kind)k));
		i18n_catalog_destroy(c);
	}
}
END_TEST

#define MIN_MS 60000LL
#define T_NOW 1700000000000LL

static struct proto_warning
warning(const char *kind, uint64_t present)
{
	struct proto_warning w = { .id = 1, .ticket = 7, .ts = T_NOW };

	PROTO_STRSET(w.kind, kind);
	PROTO_STRSET(w.level, "amber");
	PROTO_STRSET(w.text, "the broker's English");
	w.present = ((uint64_t)1 << PROTO_warning_id) | ((uint64_t)1 << PROTO_warning_ticket) |
	    ((uint64_t)1 << PROTO_warning_kind) | ((uint64_t)1 << PROTO_warning_level) |
	    ((uint64_t)1 << PROTO_warning_text) | ((uint64_t)1 << PROTO_warning_ts) | present;
	return w;
}

#define P(f) ((uint64_t)1 << PROTO_warning_##f)

static void
expect_text(const struct proto_warning *w, const struct proto_ticket *t, int64_t now,
    const char *want)
{
	char out[256];

	present_warning_text(w, t, now, out, sizeof out);
	ck_assert_str_eq(out, want);
}

/* Warning texts are worded at display time from the code and its parameters, with the
 * minutes of now, in the UI language; the wire's text only for what this console cannot
 * word. */
START_TEST(test_warning_texts)
{
	char *cause = NULL;
	struct proto_warning w;
	struct proto_ticket t = { .id = 7, .created = T_NOW - 40 * MIN_MS,
	    .promised = T_NOW + 20 * MIN_MS, .eta = T_NOW + 23 * MIN_MS, .offers = 2 };

	t.present = (uint64_t)1 << PROTO_ticket_eta;
	ck_assert_msg(i18n_load(datadir, "en", &cause) == 0, "%s", cause);

	w = warning("overdue", P(promised) | P(since));
	w.promised = w.since = T_NOW - 12 * MIN_MS;
	expect_text(&w, NULL, T_NOW, "12 min past the promised arrival");
	expect_text(&w, NULL, T_NOW + 3 * MIN_MS, "15 min past the promised arrival");

	/* raised at 26 min after the promise; the ticket's ETA is now 3 min after it */
	w = warning("eta_late", P(promised) | P(eta));
	w.promised = t.promised;
	w.eta = t.promised + 26 * MIN_MS;
	expect_text(&w, NULL, T_NOW, "ETA 26 min after the promise");
	expect_text(&w, &t, T_NOW, "ETA 3 min after the promise");
	t.eta = t.promised - 4 * MIN_MS;
	expect_text(&w, &t, T_NOW, "ETA only 4 min before the promise");
	w = warning("eta_late", P(promised) | P(pct));
	w.promised = t.promised;
	w.pct = 81;
	expect_text(&w, NULL, T_NOW, "81% of the promised window used");
	expect_text(&w, &t, T_NOW + 6 * MIN_MS, "76% of the promised window used");

	w = warning("gps_lost", P(subject) | P(since));
	PROTO_STRSET(w.subject, "R1");
	w.since = T_NOW - 4 * MIN_MS - 5000;
	expect_text(&w, NULL, T_NOW, "no GPS from R1 for 4 min");
	w.present &= ~P(since);
	expect_text(&w, NULL, T_NOW, "no GPS from R1 yet");

	w = warning("stalled", P(subject) | P(since));
	PROTO_STRSET(w.subject, "R1");
	w.since = T_NOW - 6 * MIN_MS;
	expect_text(&w, NULL, T_NOW, "R1 has not moved for 6 min");

	w = warning("not_accepted", P(subject) | P(since) | P(offers));
	PROTO_STRSET(w.subject, "A1");
	w.since = T_NOW - 7 * MIN_MS;
	w.offers = 1;
	expect_text(&w, NULL, T_NOW,
	    "not accepted 7 min after the first offer (offers made: 1, last to A1)");
	expect_text(&w, &t, T_NOW,
	    "not accepted 7 min after the first offer (offers made: 2, last to A1)");

	w = warning("redispatch", P(truck) | P(subject) | P(eta) | P(alt_eta) | P(gain_s));
	PROTO_STRSET(w.truck, "R2");
	PROTO_STRSET(w.subject, "R1");
	w.eta = T_NOW + 76 * MIN_MS;
	w.alt_eta = T_NOW + 8 * MIN_MS + 1;
	w.gain_s = (w.eta - w.alt_eta) / 1000;
	/* minutes rounded down as everywhere on screen, and the gain is the difference of the
	 * two ETAs as shown */
	expect_text(&w, NULL, T_NOW,
	    "R2 could be there 68 min sooner than R1 (ETA 8 min vs 76 min)");

	/* under a minute reads "<1", never "0" */
	w = warning("overdue", P(promised));
	w.promised = T_NOW - 30000;
	expect_text(&w, NULL, T_NOW, "<1 min past the promised arrival");
	w.promised = T_NOW - 60000;
	expect_text(&w, NULL, T_NOW, "1 min past the promised arrival");

	/* an older broker (no parameters) and a kind of a newer one: the wire's text */
	w = warning("overdue", 0);
	expect_text(&w, NULL, T_NOW, "the broker's English");
	w = warning("flood", P(since));
	expect_text(&w, NULL, T_NOW, "the broker's English");
	w.text[0] = '\0';
	expect_text(&w, NULL, T_NOW, "flood");

	ck_assert_msg(i18n_load(datadir, "zh_CN", &cause) == 0, "%s", cause);
	w = warning("overdue", P(promised) | P(since));
	w.promised = w.since = T_NOW - 12 * MIN_MS;
	expect_text(&w, NULL, T_NOW, "已超过承诺到达时间 12 分钟");
	w = warning("gps_lost", P(subject) | P(since));
	PROTO_STRSET(w.subject, "R1");
	w.since = T_NOW - 4 * MIN_MS;
	expect_text(&w, NULL, T_NOW, "R1 已 4 分钟没有定位");
	ck_assert_str_eq(present_event_kind("timeout"), "未应答");
	ck_assert_str_eq(present_warn_kind("eta_late"), "预计超时");
	ck_assert_str_eq(present_warn_level("red"), "红色");
	ck_assert_str_eq(present_event_kind("from_the_future"), "from_the_future");
	i18n_unload();
}
END_TEST

START_TEST(test_fill)
{
	static const char *vars[] = { "min", "5", "truck", "粤B12345" };
	char out[64], small[8];

	present_fill("{truck} late {min} min {other} {", vars, 2, out, sizeof out);
	ck_assert_str_eq(out, "粤B12345 late 5 min {other} {");
	/* cut on a character boundary: "粤" is 3 bytes, "B" fits, "1" does not */
	present_fill("x{truck}", vars, 2, small, 6);
	ck_assert_str_eq(small, "x粤B");
	present_fill("{truck}", vars, 2, small, 3);
	ck_assert_str_eq(small, "");
}
END_TEST

/* The timeline's words from an event's code and params (PROTOCOL.md 8.4): the template,
 * its additions for optional params, names translated; the detail for an event without
 * a code (an older broker) or with a code this console does not know. */
START_TEST(test_event_text)
{
	char *cause = NULL, out[512];
	struct proto_event e = { .kind = "accept", .code = "accept",
		.detail = "A1 accepted, supplier ETA 7 min",
		.present = (uint64_t)1 << PROTO_event_code | (uint64_t)1 << PROTO_event_params };

	ck_assert_msg(i18n_load(datadir, "en", &cause) == 0, "%s", cause);
	PROTO_STRSET(e.params.truck, "A1");
	PROTO_SET(&e.params, event_params, truck);
	present_event_text(&e, NULL, NULL, out, sizeof out);
	ck_assert_str_eq(out, "A1 accepted");
	e.params.min = 7;
	PROTO_SET(&e.params, event_params, min);
	present_event_text(&e, NULL, NULL, out, sizeof out);
	ck_assert_str_eq(out, "A1 accepted, supplier ETA 7 min");
	/* an addition that is not punctuation gets its space; names are translated */
	struct proto_event s = { .kind = "state", .code = "state", .detail = "en_route",
		.params = { .state = "en_route", .present = (uint64_t)1 << PROTO_event_params_state },
		.present = e.present };
	present_event_text(&s, NULL, NULL, out, sizeof out);
	ck_assert_str_eq(out, "en route");
	struct proto_event a = { .kind = "diag_answer", .code = "diag_answer",
		.params = { .node = "n1", .answer = 2, .to_node = "n2",
		.present = (uint64_t)1 << PROTO_event_params_node |
		(uint64_t)1 << PROTO_event_params_answer | (uint64_t)1 << PROTO_event_params_to_node },
		.present = e.present };
	present_event_text(&a, NULL, NULL, out, sizeof out);
	ck_assert_str_eq(out, "n1 2 (?) \xe2\x86\x92 n2");	/* no flows: ids */
	/* in zh_CN */
	ck_assert_msg(i18n_load(datadir, "zh_CN", &cause) == 0, "%s", cause);
	present_event_text(&e, NULL, NULL, out, sizeof out);
	ck_assert_str_eq(out, "A1 已接单，服务商预计 7 分钟到达");
	present_event_text(&s, NULL, NULL, out, sizeof out);
	ck_assert_str_eq(out, present_state("en_route"));
	/* a value ending a sentence before an addition's punctuation loses its full stop */
	struct proto_event o = { .kind = "diag_outcome", .code = "diag_outcome",
		.params = { .diag = "dispatched", .outcome = "派服务车搭电。", .need = "van",
		.present = (uint64_t)1 << PROTO_event_params_diag |
		(uint64_t)1 << PROTO_event_params_outcome | (uint64_t)1 << PROTO_event_params_need },
		.present = e.present };
	present_event_text(&o, NULL, NULL, out, sizeof out);
	ck_assert_msg(strstr(out, "派服务车搭电，") != NULL && strstr(out, "。，") == NULL, "%s", out);
	/* no code, an unknown code: the detail */
	e.present = 0;
	present_event_text(&e, NULL, NULL, out, sizeof out);
	ck_assert_str_eq(out, "A1 accepted, supplier ETA 7 min");
	e.present = s.present;
	PROTO_STRSET(e.code, "from_the_future");
	present_event_text(&e, NULL, NULL, out, sizeof out);
	ck_assert_str_eq(out, "A1 accepted, supplier ETA 7 min");
	i18n_unload();
}
END_TEST

/* Errors from their code: English shows the message, zh_CN the code's words. */
START_TEST(test_error_text)
{
	char *cause = NULL, out[256];
	struct proto_error e = { .code = PROTO_E_CONFLICT, .message = "truck A1 is busy" };

	ck_assert_msg(i18n_load(datadir, "en", &cause) == 0, "%s", cause);
	present_error(&e, out, sizeof out);
	ck_assert_str_eq(out, "truck A1 is busy");
	present_error(NULL, out, sizeof out);
	ck_assert_str_eq(out, i18n_tr("err.unavailable"));
	ck_assert_msg(i18n_load(datadir, "zh_CN", &cause) == 0, "%s", cause);
	for (int c = 0; c < PROTO_E_COUNT; c++) {
		char key[48];
		e.code = (enum proto_err)c;
		snprintf(key, sizeof key, "err.%s", proto_err_name(e.code));
		present_error(&e, out, sizeof out);
		ck_assert_str_eq(out, i18n_tr(key));
		ck_assert_str_ne(out, key);
	}
	i18n_unload();
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
	i18n_unload();
	rd_remove_tree(tmpdir);
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
	tcase_add_test(tc, test_catalogs_cover_kinds);
	tcase_add_test(tc, test_warning_texts);
	tcase_add_test(tc, test_fill);
	tcase_add_test(tc, test_event_text);
	tcase_add_test(tc, test_error_text);
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
