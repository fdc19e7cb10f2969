/* check-alert.c: the bell's rule (ui/alert.c): only warnings newly red ring, never what a
 * snapshot or a resync brings, nor a red warning still red. */
#include <check.h>
#include <string.h>

#include "alert.h"
#include "check-main.h"
#include "util.h"

static struct proto_warning ws[4];
static const struct proto_warning *wp[4];
static struct alert al;

static void
set(int i, int64_t id, const char *level)
{
	memset(&ws[i], 0, sizeof ws[i]);
	ws[i].id = id;
	ws[i].ticket = 100 + id;
	rd_strlcpy(ws[i].level, level, sizeof ws[i].level);
	wp[i] = &ws[i];
}

static void
setup(void)
{
	alert_init(&al);
}

static void
teardown(void)
{
	alert_finish(&al);
}

START_TEST(test_new_red_rings_once)
{
	set(0, 1, "amber");
	ck_assert_uint_eq(alert_update(&al, wp, 1, false), 0);
	set(1, 2, "red");
	ck_assert_uint_eq(alert_update(&al, wp, 2, false), 1);
	ck_assert_uint_eq(alert_update(&al, wp, 2, false), 0);	/* still red: quiet */
	/* Amber raised to red (the same warning) rings. */
	set(0, 1, "red");
	ck_assert_uint_eq(alert_update(&al, wp, 2, false), 1);
	/* Two at once ring as two; gone and back again rings again. */
	set(2, 3, "red");
	set(3, 4, "red");
	ck_assert_uint_eq(alert_update(&al, wp, 4, false), 2);
	ck_assert_uint_eq(alert_update(&al, wp, 2, false), 0);
	ck_assert_uint_eq(alert_update(&al, wp, 4, false), 2);
}
END_TEST

START_TEST(test_snapshot_and_resync_are_quiet)
{
	set(0, 1, "red");
	set(1, 2, "red");
	/* The first snapshot: red warnings were not seen turning red. */
	ck_assert_uint_eq(alert_update(&al, wp, 2, true), 0);
	ck_assert_uint_eq(alert_update(&al, wp, 2, false), 0);
	/* A resync brings a red one raised while the console was away: quiet, and learnt. */
	set(2, 3, "red");
	ck_assert_uint_eq(alert_update(&al, wp, 3, true), 0);
	ck_assert_uint_eq(alert_update(&al, wp, 3, false), 0);
	/* A cleared warning is not red. */
	ws[2].cleared = true;
	ck_assert_uint_eq(alert_update(&al, wp, 3, false), 0);
	ws[2].cleared = false;
	ck_assert_uint_eq(alert_update(&al, wp, 3, false), 1);
	ck_assert_uint_eq(alert_update(&al, NULL, 0, false), 0);
}
END_TEST

static Suite *
alert_suite(void)
{
	Suite *s = suite_create("alert");
	TCase *tc = tcase_create("red");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_new_red_rings_once);
	tcase_add_test(tc, test_snapshot_and_resync_are_quiet);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return check_main(alert_suite());
}
