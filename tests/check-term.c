/* check-term.c: smoke test of the curses layer (ui/term.c) on temporary files instead of a
 * terminal, TERM=xterm-256color at 80x24: blit and read back, redraw only what changed,
 * no colour sequences in monochrome, key decoding (bracketed paste as one key, mouse clicks
 * and the wheel), the bell and the flash, resize.
 *
 * Exits 77 (skipped, for meson) if the xterm-256color terminfo entry is missing. */
#include <check.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "term.h"
#include "util.h"

#define TERMTYPE "xterm-256color"

/* ncurses never frees its per-process "prescreen" and terminfo caches (only its debug build
 * has exit_curses() for that); keep LeakSanitizer to our own allocations. */
const char *__lsan_default_suppressions(void);
const char *
__lsan_default_suppressions(void)
{
	return "leak:libtinfo.so\nleak:libncursesw.so\n";
}

const char *__lsan_default_options(void);
const char *
__lsan_default_options(void)
{
	return "print_suppressions=0";
}

static FILE *out, *in;
static struct vscreen *vs;

static void
setup(void)
{
	char *cause = NULL;

	setenv("COLUMNS", "80", 1);
	setenv("LINES", "24", 1);
	out = tmpfile();
	in = tmpfile();
	ck_assert(out != NULL && in != NULL);
	ck_assert_msg(term_init_file(out, in, TERMTYPE, &cause) == 0, "%s", cause);
	vs = vscreen_create(80, 24);
}

static void
teardown(void)
{
	vscreen_destroy(vs);
	term_fini();
	fclose(out);
	fclose(in);
}

/* The bytes the terminal got since offset from, NUL-terminated; caller frees. */
static char *
output_since(int64_t from, size_t *len)
{
	int64_t to = term_bytes_written();
	char *buf = xmalloc((size_t)(to - from) + 1);
	FILE *f = fdopen(dup(fileno(out)), "rb");

	ck_assert_ptr_nonnull(f);
	fseek(f, (long)from, SEEK_SET);
	*len = fread(buf, 1, (size_t)(to - from), f);
	buf[*len] = '\0';
	fclose(f);
	return buf;
}

/* true if an SGR sequence (ESC [ ... m) in buf has a parameter in [lo, hi]. */
static bool
sgr_has(const char *buf, size_t len, long lo, long hi)
{
	size_t i = 0;
	long p;
	char *end;

	while (i + 2 < len) {
		if (buf[i] != '\x1b' || buf[i + 1] != '[') {
			i++;
			continue;
		}
		i += 2;
		for (;;) {
			p = strtol(buf + i, &end, 10);
			if (end != buf + i && p >= lo && p <= hi && (*end == ';' || *end == 'm'))
				return true;
			i = (size_t)(end - buf);
			if (i < len && buf[i] == ';') {
				i++;
				continue;
			}
			break;
		}
	}
	return false;
}

/* Colour SGR parameters: 30-38, 40-48 and the bright 90-107 (39 and 49 are defaults). */
static bool
has_color_sgr(const char *buf, size_t len)
{
	return sgr_has(buf, len, 30, 38) || sgr_has(buf, len, 40, 48) ||
	    sgr_has(buf, len, 90, 107);
}

static void
draw_sample(void)
{
	vscreen_put(vs, 0, 0, ROLE_TITLE, 0, " rescuedesk", 80);
	vscreen_put(vs, 2, 2, ROLE_NORMAL, 0, "张三 湖南省长沙市", -1);
	vscreen_put(vs, 2, 3, ROLE_LATE, THEME_BOLD, "😀 late e\xcc\x81", -1);
	vscreen_put(vs, 2, 4, ROLE_SELECTED, 0, "\x1b[2J data \x07", -1);
	vscreen_put(vs, 78, 5, ROLE_NORMAL, 0, "ab张", -1);
	vscreen_put(vs, 0, 23, ROLE_STATUS, 0, "bottom right corner ok", 80);
	vscreen_put(vs, 79, 23, ROLE_STATUS, 0, "!", 1);
}

START_TEST(test_init_twice_and_size)
{
	char *cause = NULL;
	int cols, rows;

	ck_assert(term_active());
	term_size(&cols, &rows);
	ck_assert_int_eq(cols, 80);
	ck_assert_int_eq(rows, 24);
	ck_assert_int_eq(term_init_file(out, in, TERMTYPE, &cause), -1);
	ck_assert_ptr_nonnull(strstr(cause, "already"));
	free(cause);
	ck_assert_int_eq(term_input_fd(), fileno(in));
	ck_assert(term_has_colors());
}
END_TEST

START_TEST(test_bad_terminal)
{
	char *cause = NULL;

	term_fini();
	ck_assert(!term_active());
	term_fini();		/* twice is fine */
	ck_assert_int_eq(term_init_file(out, in, "no-such-terminal-xyz", &cause), -1);
	ck_assert_ptr_nonnull(strstr(cause, "no-such-terminal-xyz"));
	free(cause);
	ck_assert(!term_active());
	ck_assert_int_eq(term_bytes_written(), -1);
}
END_TEST

START_TEST(test_blit_reads_back)
{
	char *want, *got;

	draw_sample();
	term_blit(vs);
	want = vscreen_dump(vs);
	got = term_dump();
	ck_assert_str_eq(got, want);
	free(want);
	free(got);
}
END_TEST

START_TEST(test_only_changes_are_written)
{
	int64_t b0, b1, b2, b3;

	draw_sample();
	b0 = term_bytes_written();
	ck_assert_int_eq(term_blit(vs), 80 * 24 - 9);	/* 9 wide chars in the sample */
	b1 = term_bytes_written();
	ck_assert_int_gt(b1, b0 + 40);
	ck_assert_int_eq(term_blit(vs), 0);	/* the same frame: nothing to send */
	b2 = term_bytes_written();
	ck_assert_int_eq(b2, b1);
	vscreen_put(vs, 40, 10, ROLE_NORMAL, 0, "x", -1);
	ck_assert_int_eq(term_blit(vs), 1);	/* one cell: a cursor move and a character */
	b3 = term_bytes_written();
	ck_assert_int_gt(b3, b2);
	ck_assert_int_lt(b3 - b2, 32);
	vscreen_put(vs, 40, 11, ROLE_NORMAL, 0, "湖南", -1);
	vscreen_put(vs, 70, 11, ROLE_NORMAL, 0, "y", -1);
	/* One span per changed row: 湖, 南, 26 unchanged blanks between, y. */
	ck_assert_int_eq(term_blit(vs), 2 + 26 + 1);
	b3 = term_bytes_written();
	term_repaint();		/* C-l: everything again */
	ck_assert_int_eq(term_blit(vs), 80 * 24 - 11);
	ck_assert_int_gt(term_bytes_written() - b3, b1 - b0 - 16);
}
END_TEST

START_TEST(test_mono_sends_no_colour)
{
	struct theme t;
	int64_t from;
	size_t len;
	char *buf;

	theme_init(&t, false);
	term_set_theme(&t);
	draw_sample();
	from = term_bytes_written();
	term_blit(vs);
	buf = output_since(from, &len);
	ck_assert(len > 0);
	ck_assert_msg(!has_color_sgr(buf, len), "colour sequence in monochrome output");
	ck_assert(sgr_has(buf, len, 7, 7));	/* reverse: the selected row */
	free(buf);

	theme_init(&t, true);
	term_set_theme(&t);
	from = term_bytes_written();
	term_blit(vs);
	buf = output_since(from, &len);
	ck_assert_msg(has_color_sgr(buf, len), "no colour sequence with a colour theme");
	free(buf);
}
END_TEST

static void
feed(const char *bytes, size_t n)
{
	ck_assert_uint_eq(fwrite(bytes, 1, n, in), n);
	fflush(in);
	rewind(in);
}

START_TEST(test_keys)
{
	static const char input[] = "j\x1bOA\r\t\x1b[Z\x0c\xe5\xbc\xa0\x7f\x1bOP\x1b[6~\x1bx";
	static const struct key want[] = {
		{ 'j', false }, { KEYSYM_UP, true }, { KEYSYM_ENTER, true },
		{ KEYSYM_TAB, true }, { KEYSYM_BACKTAB, true }, { KEYMAP_CTRL('l'), false },
		{ 0x5f20, false }, { KEYSYM_BACKSPACE, true }, { KEYSYM_F1, true },
		{ KEYSYM_PAGE_DOWN, true }, { KEYSYM_ESC, true }, { 'x', false },
	};
	struct key k;
	size_t i;

	feed(input, sizeof input - 1);
	for (i = 0; i < ARRAY_LEN(want); i++) {
		ck_assert_msg(term_read_key(&k), "key %zu missing", i);
		ck_assert_msg(k.code == want[i].code && k.is_func == want[i].is_func,
		    "key %zu: got %d/%d, want %d/%d", i, k.code, k.is_func, want[i].code,
		    want[i].is_func);
	}
	ck_assert(!term_read_key(&k));
}
END_TEST

/* A bracketed paste is one key, whatever it holds: the Q and the line break inside it are
 * text (term_paste), not keys; the key after it is a key again. */
START_TEST(test_paste)
{
	static const char input[] = "a\x1b[200~Q ab\r\ncd\t\xe5\xbc\xa0\x1bOA\x1b[201~x";
	struct key k;

	ck_assert_str_eq(term_paste(), "");
	feed(input, sizeof input - 1);
	ck_assert(term_read_key(&k));
	ck_assert(k.code == 'a' && !k.is_func);
	ck_assert(term_read_key(&k));
	ck_assert(k.code == KEYSYM_PASTE && k.is_func);
	/* the arrow curses decoded inside the paste is dropped */
	ck_assert_str_eq(term_paste(), "Q ab\r\ncd\t\xe5\xbc\xa0");
	ck_assert(term_read_key(&k));
	ck_assert(k.code == 'x' && !k.is_func);
	ck_assert(!term_read_key(&k));
}
END_TEST

/* A paste whose end never comes ends where the input does. */
START_TEST(test_paste_unterminated)
{
	static const char input[] = "\x1b[200~half a paste";
	struct key k;

	feed(input, sizeof input - 1);
	ck_assert(term_read_key(&k));
	ck_assert(k.code == KEYSYM_PASTE && k.is_func);
	ck_assert_str_eq(term_paste(), "half a paste");
	ck_assert(!term_read_key(&k));
}
END_TEST

/* With the mouse on: a button-1 press and its release are each a click at their cell,
 * the wheel is a key each way; keys between them stay keys. */
START_TEST(test_mouse)
{
	static const char input[] = "\x1b[<0;11;4Ma\x1b[<0;11;4mb\x1b[<64;5;6Mc"
	    "\x1b[<65;5;6Mz";
	static const struct key want[] = {
		{ KEYSYM_CLICK, true }, { 'a', false }, { KEYSYM_CLICK, true }, { 'b', false },
		{ KEYSYM_WHEEL_UP, true }, { 'c', false }, { KEYSYM_WHEEL_DOWN, true },
		{ 'z', false },
	};
	struct key k;
	size_t i;
	int x, y;

	term_mouse(true);
	feed(input, sizeof input - 1);
	for (i = 0; i < ARRAY_LEN(want); i++) {
		ck_assert_msg(term_read_key(&k), "key %zu missing", i);
		ck_assert_msg(k.code == want[i].code && k.is_func == want[i].is_func,
		    "key %zu: got %d/%d, want %d/%d", i, k.code, k.is_func, want[i].code,
		    want[i].is_func);
		if (i == 0) {
			term_mouse_pos(&x, &y);
			ck_assert_int_eq(x, 10);
			ck_assert_int_eq(y, 3);
		}
	}
	term_mouse_pos(&x, &y);
	ck_assert_int_eq(x, 4);
	ck_assert_int_eq(y, 5);
	ck_assert(!term_read_key(&k));
	term_mouse(false);
}
END_TEST

START_TEST(test_bell_names)
{
	ck_assert_int_eq(term_bell_parse("none"), TERM_BELL_NONE);
	ck_assert_int_eq(term_bell_parse("bell"), TERM_BELL_AUDIBLE);
	ck_assert_int_eq(term_bell_parse("flash"), TERM_BELL_FLASH);
	ck_assert_int_eq(term_bell_parse("loud"), -1);
}
END_TEST

/* The bell and the flash reach the terminal (the terminfo bel and flash strings). */
START_TEST(test_bell_sends)
{
	int64_t from;
	char *buf;
	size_t len;

	term_blit(vs);
	from = term_bytes_written();
	term_bell(TERM_BELL_NONE);
	term_blit(vs);
	ck_assert_int_eq(term_bytes_written(), from);
	term_bell(TERM_BELL_AUDIBLE);
	term_blit(vs);
	buf = output_since(from, &len);
	ck_assert_ptr_nonnull(memchr(buf, '\a', len));
	free(buf);
	from = term_bytes_written();
	term_bell(TERM_BELL_FLASH);
	term_blit(vs);
	buf = output_since(from, &len);
	ck_assert_ptr_nonnull(strstr(buf, "\x1b[?5h"));	/* xterm's flash: reverse video */
	free(buf);
}
END_TEST

START_TEST(test_resize)
{
	int cols, rows;
	char *want, *got;
	struct key k;

	draw_sample();
	term_blit(vs);
	term_resize(100, 30);
	term_size(&cols, &rows);
	ck_assert_int_eq(cols, 100);
	ck_assert_int_eq(rows, 30);
	ck_assert(term_read_key(&k));
	ck_assert_int_eq(k.code, KEYSYM_RESIZE);
	ck_assert(k.is_func);
	vscreen_resize(vs, cols, rows);
	draw_sample();
	vscreen_put(vs, 90, 29, ROLE_NORMAL, 0, "new edge", -1);
	term_blit(vs);
	want = vscreen_dump(vs);
	got = term_dump();
	ck_assert_str_eq(got, want);
	free(want);
	free(got);
	/* Smaller terminal than vscreen: clipped, no crash. */
	term_resize(40, 10);
	term_blit(vs);
}
END_TEST

START_TEST(test_cursor_parking)
{
	int64_t b;

	vscreen_set_cursor(vs, 5, 7, true);
	term_blit(vs);
	b = term_bytes_written();
	term_blit(vs);
	ck_assert_int_eq(term_bytes_written(), b);	/* parked already */
	vscreen_set_cursor(vs, 6, 7, false);
	term_blit(vs);
	ck_assert_int_gt(term_bytes_written(), b);
}
END_TEST

static Suite *
term_suite(void)
{
	Suite *s = suite_create("term");
	TCase *tc;

	tc = tcase_create("setup");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_init_twice_and_size);
	tcase_add_test(tc, test_bad_terminal);
	suite_add_tcase(s, tc);

	tc = tcase_create("output");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_blit_reads_back);
	tcase_add_test(tc, test_only_changes_are_written);
	tcase_add_test(tc, test_mono_sends_no_colour);
	tcase_add_test(tc, test_cursor_parking);
	tcase_add_test(tc, test_resize);
	suite_add_tcase(s, tc);

	tc = tcase_create("input");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_keys);
	tcase_add_test(tc, test_paste);
	tcase_add_test(tc, test_paste_unterminated);
	tcase_add_test(tc, test_mouse);
	tcase_add_test(tc, test_bell_names);
	tcase_add_test(tc, test_bell_sends);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	FILE *o, *i;
	char *cause = NULL;
	SRunner *sr;
	int failed;

	if (setlocale(LC_ALL, "C.UTF-8") == NULL) {
		fprintf(stderr, "check-term: the C.UTF-8 locale is missing\n");
		return 1;
	}
	/* Skip, not fail, where the terminfo entry is not installed. */
	o = tmpfile();
	i = tmpfile();
	if (o == NULL || i == NULL || term_init_file(o, i, TERMTYPE, &cause) != 0) {
		fprintf(stderr, "check-term: skipped: %s\n", cause != NULL ? cause : "no tmpfile");
		free(cause);
		return 77;
	}
	term_fini();
	fclose(o);
	fclose(i);
	sr = srunner_create(term_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
