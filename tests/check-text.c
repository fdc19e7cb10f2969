/* check-text.c: UTF-8 decoding, sanitising, widths and truncation (ui/text.c). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"
#include "util.h"

#include "harness-screen.h"

/* Sanitised copy without a width limit, for comparing decodes. */
static char *
clean(const char *s)
{
	return text_truncate(s, 1000, false);
}

static const struct {
	const char *in;
	const char *out;
	int width;
} decode_cases[] = {
	{ "hello", "hello", 5 },
	{ "", "", 0 },
	{ "张三 湖南省长沙市", "张三 湖南省长沙市", 17 },
	{ "😀ok", "😀ok", 4 },
	{ "e\xcc\x81", "e\xcc\x81", 1 },			/* e + U+0301 */
	{ "a\xff" "b", "a\xef\xbf\xbd" "b", 3 },		/* invalid byte */
	{ "a\xe4\xb8", "a\xef\xbf\xbd", 2 },			/* truncated 3-byte */
	{ "\xe4\xb8" "b", "\xef\xbf\xbd" "b", 2 },		/* one U+FFFD per maximal prefix */
	{ "\xc0\xaf", "\xef\xbf\xbd\xef\xbf\xbd", 2 },		/* overlong '/' */
	{ "\xe0\x80\xaf", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd", 3 },	/* overlong, 3 bytes */
	{ "\xed\xa0\x80", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd", 3 },	/* surrogate */
	{ "\xf4\x90\x80\x80", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd", 4 },
	{ "\xf0\x9f\x98", "\xef\xbf\xbd", 1 },			/* truncated emoji */
	{ "\x1b[2J", "\xef\xbf\xbd[2J", 4 },			/* ESC from data */
	{ "\xc2\x9b" "31m", "\xef\xbf\xbd" "31m", 4 },		/* C1 CSI, encoded */
	{ "\x9b" "31m", "\xef\xbf\xbd" "31m", 4 },		/* C1 CSI, raw byte */
	{ "a\tb", "a b", 3 },					/* TAB: one space */
	{ "\xe2\x80\xae" "abc", "\xef\xbf\xbd" "abc", 4 },	/* U+202E RLO */
	{ "\xe2\x81\xa6" "x", "\xef\xbf\xbd" "x", 2 },		/* U+2066 LRI */
	{ "\xe2\x80\x8f" "x", "\xef\xbf\xbd" "x", 2 },		/* U+200F RLM */
	{ "a\xe2\x80\xa8" "b", "a\xef\xbf\xbd" "b", 3 },	/* U+2028 */
	{ "a\xe2\x80\x8d" "b", "ab", 2 },			/* ZWJ dropped */
	{ "\xe2\x9d\xa4\xef\xb8\x8f", "\xe2\x9d\xa4", 1 },	/* VS16 dropped */
	{ "\xef\xbb\xbf" "x", "x", 1 },				/* BOM dropped */
};

START_TEST(test_decode_table)
{
	char *out = clean(decode_cases[_i].in);

	ck_assert_str_eq(out, decode_cases[_i].out);
	ck_assert_int_eq(text_width(decode_cases[_i].in), decode_cases[_i].width);
	free(out);
}
END_TEST

START_TEST(test_every_control_byte)
{
	char in[4], *out;
	int b;

	for (b = 1; b < 0x100; b++) {
		if (b >= 0x20 && b < 0x7f)
			continue;
		in[0] = 'a';
		in[1] = (char)b;
		in[2] = 'b';
		in[3] = '\0';
		out = clean(in);
		if (b == '\t')
			ck_assert_str_eq(out, "a b");
		else
			ck_assert_msg(strcmp(out, "a\xef\xbf\xbd" "b") == 0,
			    "byte 0x%02x gave \"%s\"", b, out);
		free(out);
	}
}
END_TEST

START_TEST(test_every_c1_code_point)
{
	char in[4], *out;
	int c;

	for (c = 0x80; c < 0xa0; c++) {
		in[0] = (char)0xc2;
		in[1] = (char)c;
		in[2] = '\0';
		out = clean(in);
		ck_assert_msg(strcmp(out, "\xef\xbf\xbd") == 0, "U+%04X gave \"%s\"", c, out);
		free(out);
	}
}
END_TEST

START_TEST(test_encode_round_trip)
{
	static const wchar_t cps[] = { 0x41, 0x7f, 0x80, 0x7ff, 0x800, 0xfffd, 0x10000,
		0x1f600, 0x10ffff };
	char buf[5];
	wchar_t back;
	size_t i, n;

	for (i = 0; i < ARRAY_LEN(cps); i++) {
		n = text_encode(cps[i], buf);
		ck_assert_uint_eq(text_decode(buf, n, &back), n);
		ck_assert_int_eq(back, cps[i]);
	}
	n = text_encode((wchar_t)0xd800, buf);
	ck_assert_uint_eq(n, 3);
	ck_assert_int_eq(memcmp(buf, "\xef\xbf\xbd", 3), 0);
}
END_TEST

static const struct {
	const char *in;
	int max;
	bool ellipsis;
	const char *out;
} trunc_cases[] = {
	{ "hello", 10, false, "hello" },
	{ "hello", 5, true, "hello" },
	{ "hello", 4, false, "hell" },
	{ "hello", 4, true, "hel\xe2\x80\xa6" },
	{ "hello", 1, true, "\xe2\x80\xa6" },
	{ "hello", 0, true, "" },
	{ "张三李四", 5, false, "张三" },			/* no half CJK */
	{ "张三李四", 5, true, "张三\xe2\x80\xa6" },
	{ "张三李四", 6, true, "张三\xe2\x80\xa6" },
	{ "张三李四", 7, true, "张三李\xe2\x80\xa6" },
	{ "张三李四", 8, true, "张三李四" },
	{ "a张三", 2, false, "a" },
	{ "e\xcc\x81xyz", 1, false, "e\xcc\x81" },		/* mark kept with its base */
	{ "\x1b[2Jab", 3, false, "\xef\xbf\xbd[2" },
};

START_TEST(test_truncate_table)
{
	char *out = text_truncate(trunc_cases[_i].in, trunc_cases[_i].max,
	    trunc_cases[_i].ellipsis);

	ck_assert_str_eq(out, trunc_cases[_i].out);
	ck_assert_int_le(text_width(out), trunc_cases[_i].max);
	free(out);
}
END_TEST

START_TEST(test_fit)
{
	int used;

	ck_assert_uint_eq(text_fit("张三李四", 5, &used), 6);
	ck_assert_int_eq(used, 4);
	ck_assert_uint_eq(text_fit("abc", 10, &used), 3);
	ck_assert_int_eq(used, 3);
	ck_assert_uint_eq(text_fit("e\xcc\x81x", 1, &used), 3);
	ck_assert_int_eq(used, 1);
	ck_assert_uint_eq(text_fit(NULL, 4, &used), 0);
	ck_assert_int_eq(used, 0);
	ck_assert_int_eq(text_width(NULL), 0);
}
END_TEST

static Suite *
text_suite(void)
{
	Suite *s = suite_create("text");
	TCase *tc;

	tc = tcase_create("decode");
	tcase_add_loop_test(tc, test_decode_table, 0, (int)ARRAY_LEN(decode_cases));
	tcase_add_test(tc, test_encode_round_trip);
	suite_add_tcase(s, tc);

	tc = tcase_create("unsafe");
	tcase_add_test(tc, test_every_control_byte);
	tcase_add_test(tc, test_every_c1_code_point);
	suite_add_tcase(s, tc);

	tc = tcase_create("truncate");
	tcase_add_loop_test(tc, test_truncate_table, 0, (int)ARRAY_LEN(trunc_cases));
	tcase_add_test(tc, test_fit);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return harness_screen_main(text_suite(), "check-text");
}
