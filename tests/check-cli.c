/* check-cli.c: the programs' shared command-line helpers (src/base/cli.h): values in range are
 * returned, bad ones end the program with the status given to cli_init, operands are
 * refused, and SIGTERM raises the stop flag. Each test that exits runs in its own fork. */
#include <check.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "check-main.h"
#include "cli.h"

START_TEST(values)
{
	cli_init("check-cli", 3);
	ck_assert_double_eq(cli_number("--x", "2.5", 1, 3), 2.5);
	ck_assert_double_eq(cli_number("--x", "1", 1, 3), 1);
	ck_assert_double_eq(cli_number("--x", "3e0", 1, 3), 3);
	ck_assert_uint_eq(cli_whole("--n", "0", 0, 10), 0);
	ck_assert_uint_eq(cli_whole("--n", "18446744073709551615", 0, UINT64_MAX), UINT64_MAX);
	ck_assert_uint_eq(cli_whole("--n", "7", 1, 10), 7);
}
END_TEST

static const char *const bad_numbers[] = { "", "x", "2x", "0.5", "3.01", "nan", "inf", "1e999" };

START_TEST(bad_number)
{
	cli_init("check-cli", 3);
	cli_number("--x", bad_numbers[_i], 1, 3);
}
END_TEST

static const char *const bad_wholes[] = { "", "-1", "+1", " 1", "1.0", "11", "0",
	"18446744073709551616" };

START_TEST(bad_whole)
{
	cli_init("check-cli", 4);
	cli_whole("--n", bad_wholes[_i], 1, 10);
}
END_TEST

static void
usage(FILE *f)
{
	fprintf(f, "usage: check-cli\n");
}

START_TEST(operands)
{
	char a0[] = "check-cli", a1[] = "--x", a2[] = "1";
	char *argv[] = { a0, a1, a2, NULL };

	cli_init("check-cli", 1);
	cli_no_operands(3, argv, 3, usage); /* none left: returns */
	cli_no_operands(3, argv, 2, usage); /* "1" left: exit 2 */
}
END_TEST

START_TEST(stop_signal)
{
	static volatile sig_atomic_t stop;

	cli_stop_on_signals(&stop);
	ck_assert_int_eq(stop, 0);
	raise(SIGPIPE); /* ignored */
	raise(SIGTERM);
	ck_assert_int_eq(stop, 1);
	stop = 0;
	raise(SIGINT);
	ck_assert_int_eq(stop, 1);
}
END_TEST

START_TEST(fail)
{
	char *cause = NULL;

	cli_init("check-cli", 2);
	xasprintf(&cause, "no broker at %s", "tcp://127.0.0.1:1");
	ck_assert_int_eq(cli_fail(cause), 1);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("cli");
	TCase *tc = tcase_create("cli");

	tcase_add_test(tc, values);
	tcase_add_loop_exit_test(tc, bad_number, 3, 0,
	    (int)(sizeof bad_numbers / sizeof bad_numbers[0]));
	tcase_add_loop_exit_test(tc, bad_whole, 4, 0, (int)(sizeof bad_wholes / sizeof bad_wholes[0]));
	tcase_add_exit_test(tc, operands, 2);
	tcase_add_test(tc, stop_signal);
	tcase_add_test(tc, fail);
	suite_add_tcase(s, tc);
	return check_main(s);
}
