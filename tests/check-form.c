/* check-form.c: the form engine's pages, multi-line areas, date and money fields and the
 * masked display hook (ui/form.c), on a form of its own shape drawn into an 80x24 vscreen
 * and driven with keys; the intake's use of the engine is check-views'.
 *
 * The labels are made-up catalog keys (i18n_tr shows a missing key as itself); the
 * engine's own words (form.err.*, form.pages) come from data/i18n. The locale is C.UTF-8. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "civil.h"
#include "form.h"
#include "i18n.h"
#include "keymap.h"
#include "menu.h"
#include "model.h"
#include "util.h"
#include "vscreen.h"

#include "harness-model.h"
#include "harness-screen.h"

enum { T_NAME, T_PHONE, T_NUMBER, T_FACTS, T_NOTE, T_DAY, T_AMOUNT, T_KIND, T_COUNT };

static const struct form_field fields[T_COUNT] = {
	[T_NAME] = { "t.name", FORM_TEXT, 40, 0, true, 0, 0, FORM_PLAIN, 0 },
	[T_PHONE] = { "t.phone", FORM_TEXT, 20, 0, false, 0, 0, FORM_PLAIN, 0 },
	[T_NUMBER] = { "t.number", FORM_TEXT, 20, 0, false, 0, 0, FORM_PLAIN, 0, true },
	[T_FACTS] = { "t.facts", FORM_TEXT, 200, 1, true, 0, 3, FORM_PLAIN, 1 },
	[T_NOTE] = { "t.note", FORM_TEXT, 40, 1, false, 0, 0, FORM_PLAIN, 1 },
	[T_DAY] = { "t.day", FORM_TEXT, 10, 2, false, 0, 0, FORM_DATE, 2 },
	[T_AMOUNT] = { "t.amount", FORM_TEXT, 16, 2, false, 0, 0, FORM_MONEY, 2 },
	[T_KIND] = { "t.kind", FORM_CHOICE, 0, 2, false, 0, 0, FORM_PLAIN, 2 },
};
static const char *const sections[] = { "t.sec_who", "t.sec_what", "t.sec_when" };
static const char *const pages[] = { "t.page_who", "t.page_what", "t.page_when" };
static const char *const keys[] = { "F10", "intake.hint.submit" };
static const char *const kinds[] = { "到达超时 late", "服务态度 attitude", "收费 charges",
	"车辆二次损坏 damage" };

static struct model m;
static struct vscreen *vs;
static struct view *no_view;
static struct form f;
static int kind = -1;

static const char *
t_error(void *owner, const struct form *fm, const struct model *mm, int i)
{
	if (fields[i].required && form_text(fm, i)[0] == '\0')
		return "required";
	return NULL;
}

static const char *
t_text(void *owner, const struct form *fm, const struct model *mm, int i, char *buf,
    size_t sz, bool *placeholder)
{
	*placeholder = kind < 0;
	return kind < 0 ? "choose" : kinds[kind];
}

static bool
t_choices(void *owner, const struct form *fm, const struct model *mm, int i,
    struct menu *mn)
{
	for (size_t k = 0; k < ARRAY_LEN(kinds); k++)
		menu_add(mn, kinds[k], NULL, (int)k);
	menu_select_value(mn, kind);
	return true;
}

static bool
t_pick(void *owner, struct form *fm, const struct model *mm, int i, int value)
{
	kind = value;
	return true;
}

/* The phone shows its last four digits only while it has no focus. */
static const char *
t_shown(void *owner, const struct form *fm, int i, char *buf, size_t sz)
{
	const char *p = form_text(fm, i);
	size_t n = strlen(p);

	if (i != T_PHONE || n < 4)
		return NULL;
	snprintf(buf, sz, "*******%s", p + n - 4);
	return buf;
}

static const struct form_ops ops = {
	.error = t_error, .choice_text = t_text, .choices = t_choices, .pick = t_pick,
	.shown = t_shown,
};

static void
setup(void)
{
	/* empty tables, but tables: the harness copies them */
	static const struct proto_ticket no_tickets[1];
	static const struct proto_truck no_trucks[1];
	static const struct proto_warning no_warnings[1];
	static const struct harness_fixture fx = {
		.tickets = no_tickets, .trucks = no_trucks, .warnings = no_warnings,
		.user = "zhangwei", .role = MODEL_ROLE_AGENT, .now = 1773468300000LL,
	};

	harness_lang("en");
	harness_model_init(&m, &fx);
	vs = vscreen_create(80, 24);
	harness_bind(&m, &vs, &no_view, "check-form");
	form_init(&f, fields, T_COUNT, sections, &ops, NULL);
	f.discard = "intake.discard";
	f.invalid = "intake.still_invalid";
	f.keys = keys;
	f.n_keys = 1;
	f.pages = pages;
	f.n_pages = 3;
	kind = -1;
}

static void
teardown(void)
{
	form_finish(&f);
	harness_model_finish(&m);
	vscreen_destroy(vs);
	i18n_unload();
}

static void
redraw(void)
{
	vscreen_fill(vs, 0, 0, vscreen_cols(vs), vscreen_rows(vs), ROLE_NORMAL, 0, L' ');
	form_draw(&f, vs, &m, 1, 21);
}

static unsigned
press(int code, bool func)
{
	struct key k = { code, func };

	return form_key(&f, &m, &k, keymap_lookup(form_scope(&f), &k));
}

static void
type(const char *s)
{
	size_t len = strlen(s), pos = 0;
	wchar_t wc;

	while (pos < len) {
		pos += mbtowc(&wc, s + pos, len - pos);
		press((int)wc, false);
	}
}

static char rowbuf[1024];

static const char *
row(int y)
{
	char *all = vscreen_dump(vs), *p = all, *nl;

	for (int i = 0; i < y && p != NULL; i++)
		p = (nl = strchr(p, '\n')) != NULL ? nl + 1 : NULL;
	rowbuf[0] = '\0';
	if (p != NULL) {
		nl = strchr(p, '\n');
		snprintf(rowbuf, sizeof rowbuf, "%.*s", (int)(nl != NULL ? nl - p : (long)strlen(p)),
		    p);
	}
	free(all);
	return rowbuf;
}

static int
find_row(const char *s)
{
	for (int y = 0; y < vscreen_rows(vs); y++)
		if (strstr(row(y), s) != NULL)
			return y;
	return -1;
}

START_TEST(test_pages)
{
	int y;

	redraw();
	/* the page bar: the current page selected, the keys at the right */
	y = find_row("1 t.page_who");
	ck_assert_int_eq(y, 1);
	ck_assert(strstr(row(1), "2 t.page_what") != NULL);
	ck_assert(strstr(row(1), "PgUp/PgDn pages") != NULL);
	ck_assert_int_eq(harness_role_at(1, "1 t.page_who"), ROLE_SELECTED);
	ck_assert_int_eq(harness_role_at(1, "2 t.page_what"), ROLE_HEADER);
	/* only this page's fields, the required mark */
	ck_assert_int_ge(find_row("t.name"), 0);
	ck_assert_int_lt(find_row("t.facts"), 0);
	ck_assert_int_eq(harness_role_at(find_row("t.name"), "*"), ROLE_WARN);

	/* PgDn: the first field of the next page; PgUp back; no page past the ends */
	press(KEYSYM_PAGE_DOWN, true);
	ck_assert_int_eq(f.focus, T_FACTS);
	ck_assert_int_eq(form_page(&f), 1);
	redraw();
	ck_assert_int_lt(find_row("t.name"), 0);
	ck_assert_int_ge(find_row("t.facts"), 0);
	ck_assert_int_eq(harness_role_at(1, "2 t.page_what"), ROLE_SELECTED);
	press(KEYSYM_PAGE_DOWN, true);
	press(KEYSYM_PAGE_DOWN, true);
	ck_assert_int_eq(form_page(&f), 2);
	ck_assert_int_eq(f.focus, T_DAY);
	press(KEYSYM_PAGE_UP, true);
	press(KEYSYM_PAGE_UP, true);
	press(KEYSYM_PAGE_UP, true);
	ck_assert_int_eq(f.focus, T_NAME);
	/* Tab runs on across pages and wraps round */
	press(KEYSYM_TAB, true);
	press(KEYSYM_TAB, true);
	press(KEYSYM_TAB, true);
	ck_assert_int_eq(f.focus, T_FACTS);
	for (int i = 0; i < 4; i++)
		press(KEYSYM_BACKTAB, true);
	ck_assert_int_eq(f.focus, T_KIND);

	/* a submit attempt marks the pages with errors: page 1 and 2, not 3 */
	ck_assert(!form_validate(&f, &m));
	ck_assert_int_eq(f.focus, T_NAME);
	redraw();
	ck_assert(strstr(row(1), "2 t.page_what !") != NULL);
	ck_assert_int_eq(harness_role_at(1, "2 t.page_what"), ROLE_ERROR);
	ck_assert(strstr(row(1), "3 t.page_when !") == NULL);
}
END_TEST

START_TEST(test_area_wraps_chinese)
{
	int cx, cy, y, x0 = -1, w = 0;
	const char *text = "客户在长沙南站等了两个小时，救援车一直没有到。司机电话打不通。";
	const struct vscreen_cell *c;

	form_goto_page(&f, 1);
	ck_assert_int_eq(f.focus, T_FACTS);
	type(text);
	ck_assert_str_eq(form_text(&f, T_FACTS), text);
	press(KEYSYM_ENTER, true);	/* a line break, not the next field */
	ck_assert_int_eq(f.focus, T_FACTS);
	type("e\xcc\x81tait");	/* e + combining acute */
	redraw();
	y = find_row("t.facts");
	/* the field is 27 columns here: 13 wide characters a line (one column kept for the
	 * cursor), never half of one; four lines in three rows: scrolled to the cursor, a
	 * mark that more is above */
	ck_assert_str_eq(row(y), " \xe2\x80\xba t.facts   * \xef\xbc\x8c救援车一直没有到。司机电 \xe2\x96\xb2");
	ck_assert(strstr(row(y + 1), "   话打不通。") != NULL);
	ck_assert(strstr(row(y + 2), "   e\xcc\x81tait") != NULL);
	for (int x = 0; x < 80; x++) {
		c = vscreen_cell(vs, x, y);
		if (c->ch[0] == 0xff0c) {
			x0 = x;
			break;
		}
	}
	ck_assert_int_eq(x0, 15);
	for (int x = x0; x < x0 + 27; x++)
		w += vscreen_cell(vs, x, y)->width == 2;
	ck_assert_int_eq(w, 13);
	ck_assert_int_eq(vscreen_cell(vs, x0 + 26, y)->ch[0], L' ');	/* the cursor's column */
	ck_assert(vscreen_cursor(vs, &cx, &cy));
	ck_assert_int_eq(cy, y + 2);
	ck_assert_int_eq(cx, 15 + 5);	/* after "étai" + "t": five columns */

	/* the cursor moves by characters: left over "t", "i", "a", "t", then over e+acute
	 * as one */
	for (int i = 0; i < 5; i++)
		press(KEYSYM_LEFT, true);
	press(KEYSYM_BACKSPACE, true);	/* takes the line break before "é" */
	ck_assert_str_eq(form_text(&f, T_FACTS),
	    "客户在长沙南站等了两个小时，救援车一直没有到。司机电话打不通。e\xcc\x81tait");
	/* Up keeps the column: from after "话" (2 columns) to after "，" on the line above */
	for (int i = 0; i < 4; i++)
		press(KEYSYM_LEFT, true);
	press(KEYSYM_UP, true);
	type("X");
	ck_assert(strstr(form_text(&f, T_FACTS), "，X救援车") != NULL);
	/* Up again to the top line, scrolled back into view */
	press(KEYSYM_UP, true);
	redraw();
	ck_assert(strstr(row(y), "客户在长沙南站等了两个小时") != NULL);
	ck_assert(strstr(row(y), "\xe2\x96\xb2") == NULL);
	/* "X" pushed "电" to the last line: three lines, all shown, no mark */
	ck_assert(strstr(row(y + 2), "电话打不通。e\xcc\x81tait") != NULL);
	ck_assert(strstr(row(y + 2), "\xe2\x96\xbc") == NULL);
	press(KEYSYM_HOME, true);
	press(KEYSYM_ENTER, true);	/* an empty first line */
	redraw();
	ck_assert(strstr(row(y + 2), "\xe2\x96\xbc") != NULL);	/* more below now */
	/* Up on the first line leaves the field, Down on the last goes on */
	press(KEYSYM_UP, true);
	press(KEYSYM_UP, true);
	ck_assert_int_eq(f.focus, T_NUMBER);
	ck_assert_int_eq(form_page(&f), 0);
	form_goto_page(&f, 1);
	for (int i = 0; i < 4; i++)
		press(KEYSYM_DOWN, true);
	ck_assert_int_eq(f.focus, T_NOTE);
	redraw();
	ck_assert(vscreen_cursor(vs, &cx, &cy));
	ck_assert_int_eq(cy, find_row("t.note"));
	harness_assert_safe();
}
END_TEST

START_TEST(test_area_edit_keys)
{
	form_goto_page(&f, 1);
	type("first line");
	press(KEYSYM_ENTER, true);
	type("second 第二行");
	press(KEYMAP_CTRL('a'), false);	/* the start of the wrapped line */
	type(">");
	ck_assert_str_eq(form_text(&f, T_FACTS), "first line\n>second 第二行");
	press(KEYSYM_UP, true);
	press(KEYMAP_CTRL('k'), false);	/* to the line break */
	ck_assert_str_eq(form_text(&f, T_FACTS), "f\n>second 第二行");
	press(KEYMAP_CTRL('k'), false);	/* the break itself */
	ck_assert_str_eq(form_text(&f, T_FACTS), "f>second 第二行");
	press(KEYMAP_CTRL('e'), false);
	press(KEYMAP_CTRL('w'), false);
	ck_assert_str_eq(form_text(&f, T_FACTS), "f>second ");
	/* controls never go in; a combining mark needs a character before it */
	press(0x1b, false);
	press(0x202e, false);
	ck_assert_str_eq(form_text(&f, T_FACTS), "f>second ");
	press(KEYMAP_CTRL('u'), false);
	ck_assert_str_eq(form_text(&f, T_FACTS), "");
	press(0x301, false);
	ck_assert_str_eq(form_text(&f, T_FACTS), "");
	/* set and read back with line breaks; the edit counts as a change */
	form_set_text(&f, T_FACTS, "一\n二\n三\n四\n五");
	ck_assert_str_eq(form_text(&f, T_FACTS), "一\n二\n三\n四\n五");
	ck_assert(f.changed);
	/* the size limit keeps a prefix on a character boundary */
	{
		char big[400];

		memset(big, 0, sizeof big);
		for (int i = 0; i < 70; i++)
			strcat(big, "长");
		form_set_text(&f, T_FACTS, big);
		ck_assert_uint_eq(strlen(form_text(&f, T_FACTS)), 198);
	}
}
END_TEST

static const struct {
	const char *in;
	int rc;
	int64_t fen;
} money_cases[] = {
	{ "", 1, 0 }, { "  ", 1, 0 }, { "0", 0, 0 }, { "12", 0, 1200 }, { "12.5", 0, 1250 },
	{ "12.05", 0, 1205 }, { "1,234.50", 0, 123450 }, { "\xc2\xa5" "80", 0, 8000 },
	{ "\xef\xbf\xa5" "80.1", 0, 8010 }, { "300\xe5\x85\x83", 0, 30000 },
	{ " 7.00 ", 0, 700 }, { "12.345", -1, 0 }, { "12.", -1, 0 }, { ".5", -1, 0 },
	{ "-3", -1, 0 }, { "1e3", -1, 0 }, { "1,,2", -1, 0 }, { "\xc2\xa5", -1, 0 },
	{ "12345678901", -1, 0 }, { "abc", -1, 0 },
};

START_TEST(test_money)
{
	int64_t fen = -1;
	char buf[32];

	ck_assert_int_eq(form_parse_money(money_cases[_i].in, &fen), money_cases[_i].rc);
	if (money_cases[_i].rc == 0) {
		ck_assert_int_eq(fen, money_cases[_i].fen);
		form_format_money(fen, buf, sizeof buf);
		ck_assert_int_eq(form_parse_money(buf, &fen), 0);
		ck_assert_int_eq(fen, money_cases[_i].fen);	/* round trip */
	}
}
END_TEST

static const struct {
	const char *in;
	int rc;
	int y, mo, d;
} date_cases[] = {
	{ "2026-03-14", 0, 2026, 3, 14 }, { "2028-02-29", 0, 2028, 2, 29 },
	{ "2000-02-29", 0, 2000, 2, 29 }, { " 2026-12-31 ", 0, 2026, 12, 31 },
	{ "", 1, 0, 0, 0 }, { "2026-02-29", -1, 0, 0, 0 }, { "2100-02-29", -1, 0, 0, 0 },
	{ "2026-13-01", -1, 0, 0, 0 }, { "2026-04-31", -1, 0, 0, 0 },
	{ "2026-3-14", -1, 0, 0, 0 }, { "2026/03/14", -1, 0, 0, 0 },
	{ "14-03-2026", -1, 0, 0, 0 }, { "2026-03-1x", -1, 0, 0, 0 },
	{ "1970-01-01", -1, 0, 0, 0 },
};

START_TEST(test_dates)
{
	int64_t ms = 0;

	ck_assert_int_eq(form_parse_date(date_cases[_i].in, &ms), date_cases[_i].rc);
	if (date_cases[_i].rc == 0) {
		/* midnight in China is 16:00 UTC the day before */
		ck_assert_int_eq(ms, (civil_days_from_date(date_cases[_i].y, date_cases[_i].mo,
		    date_cases[_i].d) * 86400 - 8 * 3600) * 1000);
		ck_assert_int_eq(civil_local_day(ms, CIVIL_TZ_CHINA_S),
		    civil_days_from_date(date_cases[_i].y, date_cases[_i].mo, date_cases[_i].d));
	}
}
END_TEST

START_TEST(test_date_money_fields)
{
	int64_t v;
	int y;

	/* 2026-03-14 06:05 UTC is 14:05 in China; 2026-03-13 23:30 UTC is the 14th there */
	form_set_date(&f, T_DAY, 1773468300000LL);
	ck_assert_str_eq(form_text(&f, T_DAY), "2026-03-14");
	form_set_date(&f, T_DAY, 1773444600000LL);
	ck_assert_str_eq(form_text(&f, T_DAY), "2026-03-14");
	form_set_date(&f, T_DAY, 1773417600000LL - 1);	/* 15:59:59.999 UTC on the 13th */
	ck_assert_str_eq(form_text(&f, T_DAY), "2026-03-13");
	ck_assert_int_eq(form_date(&f, T_DAY, &v), 0);
	form_set_money(&f, T_AMOUNT, 128050);
	ck_assert_str_eq(form_text(&f, T_AMOUNT), "1280.50");
	ck_assert_int_eq(form_money(&f, T_AMOUNT, &v), 0);
	ck_assert_int_eq(v, 128050);

	/* typed wrong: the engine's words beside the field once it was left */
	form_goto_page(&f, 2);
	press(KEYMAP_CTRL('u'), false);
	type("2026-02-30");
	press(KEYSYM_TAB, true);
	press(KEYMAP_CTRL('u'), false);
	type("12.345");
	press(KEYSYM_TAB, true);
	redraw();
	y = find_row("t.day");
	ck_assert(strstr(row(y), "Not a date: YYYY-MM-DD") != NULL);
	ck_assert_int_eq(harness_role_at(y, "Not a date"), ROLE_ERROR);
	y = find_row("t.amount");
	ck_assert(strstr(row(y), "Yuan with at most two decimals") != NULL);
	ck_assert_int_eq(form_date(&f, T_DAY, &v), -1);
	/* in Chinese */
	harness_lang("zh_CN");
	redraw();
	ck_assert_int_ge(find_row("日期格式不对"), 0);
	ck_assert_int_ge(find_row("金额以元计"), 0);
}
END_TEST

START_TEST(test_pick_list_search)
{
	form_goto_page(&f, 2);
	press(KEYSYM_TAB, true);
	press(KEYSYM_TAB, true);
	ck_assert_int_eq(f.focus, T_KIND);
	press(KEYSYM_ENTER, true);
	ck_assert_int_eq(form_scope(&f), SCOPE_DIALOG);
	type("二次");	/* type to search, in Chinese */
	ck_assert_uint_eq(menu_shown(&f.menu), 1);
	press(KEYSYM_ENTER, true);
	ck_assert_int_eq(kind, 3);
	press(KEYSYM_ENTER, true);
	type("ch");
	press(KEYSYM_ENTER, true);
	ck_assert_int_eq(kind, 2);
	redraw();
	ck_assert_int_ge(find_row("收费 charges"), 0);
}
END_TEST

START_TEST(test_masked_unless_focused)
{
	int y;

	press(KEYSYM_TAB, true);
	type("13812345678");
	redraw();
	y = find_row("t.phone");
	ck_assert(strstr(row(y), "13812345678") != NULL);	/* focused: as typed */
	press(KEYSYM_BACKTAB, true);
	redraw();
	ck_assert(strstr(row(y), "13812345678") == NULL);
	ck_assert(strstr(row(y), "*******5678") != NULL);
	ck_assert_str_eq(form_text(&f, T_PHONE), "13812345678");
}
END_TEST

/* A read-only field takes the focus and moves its cursor, but keys never change it. */
START_TEST(test_readonly)
{
	form_set_text(&f, T_NUMBER, "TS-20260314-000001");
	f.focus = T_NUMBER;
	type("x");
	press(KEYSYM_BACKSPACE, true);
	press(KEYMAP_CTRL('u'), false);
	press(KEYSYM_LEFT, true);
	ck_assert_str_eq(form_text(&f, T_NUMBER), "TS-20260314-000001");
	ck_assert(!f.changed);
	ck_assert_uint_eq(press(KEYSYM_ENTER, true), UI_HANDLED | UI_REDRAW);
	ck_assert_int_eq(f.focus, T_FACTS);	/* Enter goes on */
	form_goto_page(&f, 0);
	redraw();
	ck_assert_int_eq(harness_role_at(find_row("t.number"), "TS-2026"), ROLE_DIM);
}
END_TEST

/* The rows field i shows, each from its column for its width less the cursor's column,
 * spaces at the end cut off (what is left of the field is narrow: a character a column). */
static int
area_rows(const struct form *g, int i, char out[][128])
{
	int n = 0;

	for (int y = g->fy[i]; y < g->fy[i] + g->fields[i].rows; y++) {
		const char *r = row(y);
		int len;

		for (int c = 0; c < g->fx[i] && *r != '\0'; c++)
			while (((unsigned char)*++r & 0xc0) == 0x80)
				;
		snprintf(out[n], 128, "%.*s", g->fw[i] - 1, r);
		for (len = (int)strlen(out[n]); len > 0 && out[n][len - 1] == ' '; len--)
			out[n][len - 1] = '\0';
		if (out[n][0] != '\0')
			n++;
	}
	return n;
}

/* A read-only area wraps at spaces: its rows joined with one space are the text, none
 * starts with a space, and a word wider than the row still breaks. An editable area
 * still wraps by character: its rows joined are the text as it is. */
START_TEST(test_area_wraps_words_readonly)
{
	static const struct form_field g_fields[] = {
		{ "t.ro", FORM_TEXT, 400, 0, false, 0, 5, FORM_PLAIN, 0, true },
		{ "t.rw", FORM_TEXT, 400, 0, false, 0, 5, FORM_PLAIN, 0, false },
	};
	static const char text[] = "the quick brown fox jumps over the lazy dog, "
	    "then the quick brown fox jumps over the lazy dog again";
	char rows[5][128], joined[1024] = "", x[101];
	struct form g;
	int n;

	form_init(&g, g_fields, 2, sections, &ops, NULL);
	g.keys = keys;
	g.n_keys = 1;
	form_set_text(&g, 0, text);
	form_set_text(&g, 1, text);
	form_draw(&g, vs, &m, 1, 21);
	n = area_rows(&g, 0, rows);
	ck_assert_int_ge(n, 2);
	for (int k = 0; k < n; k++) {
		ck_assert_msg(rows[k][0] != ' ', "row %d: '%s'", k, rows[k]);
		if (k > 0)
			rd_strlcpy(joined + strlen(joined), " ", sizeof joined - strlen(joined));
		rd_strlcpy(joined + strlen(joined), rows[k], sizeof joined - strlen(joined));
	}
	ck_assert_str_eq(joined, text);
	/* the editable area as before: by character */
	n = area_rows(&g, 1, rows);
	ck_assert_int_ge(n, 3);
	joined[0] = '\0';
	for (int k = 0; k < n; k++) {
		rd_strlcpy(joined + strlen(joined), rows[k], sizeof joined - strlen(joined));
		while (k < n - 1 && (int)strlen(joined) < (k + 1) * (g.fw[1] - 1))
			rd_strlcpy(joined + strlen(joined), " ", sizeof joined - strlen(joined));
	}
	ck_assert_str_eq(joined, text);
	/* a word wider than the row: alone on its rows, broken at the width */
	memset(x, 'x', 100);
	x[100] = '\0';
	snprintf(joined, sizeof joined, "a %s b", x);
	form_set_text(&g, 0, joined);
	vscreen_fill(vs, 0, 0, vscreen_cols(vs), vscreen_rows(vs), ROLE_NORMAL, 0, L' ');
	form_draw(&g, vs, &m, 1, 21);
	n = area_rows(&g, 0, rows);
	ck_assert_int_eq(n, 3);
	ck_assert_str_eq(rows[0], "a");
	ck_assert_int_eq((int)strlen(rows[1]), g.fw[0] - 1);
	ck_assert_int_eq((int)strspn(rows[1], "x"), g.fw[0] - 1);
	ck_assert_int_eq((int)strspn(rows[2], "x"), 100 - (g.fw[0] - 1));
	ck_assert_str_eq(rows[2] + 100 - (g.fw[0] - 1), " b");
	form_finish(&g);
}
END_TEST

static Suite *
form_suite(void)
{
	Suite *s = suite_create("form");
	TCase *tc = tcase_create("engine");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_pages);
	tcase_add_test(tc, test_area_wraps_chinese);
	tcase_add_test(tc, test_area_edit_keys);
	tcase_add_loop_test(tc, test_money, 0, (int)ARRAY_LEN(money_cases));
	tcase_add_loop_test(tc, test_dates, 0, (int)ARRAY_LEN(date_cases));
	tcase_add_test(tc, test_date_money_fields);
	tcase_add_test(tc, test_pick_list_search);
	tcase_add_test(tc, test_masked_unless_focused);
	tcase_add_test(tc, test_readonly);
	tcase_add_test(tc, test_area_wraps_words_readonly);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return harness_screen_main(form_suite(), "check-form");
}
