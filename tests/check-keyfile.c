/* check-keyfile.c: CURVE key files (src/model/keyfile.c): Z85 checks, the round trip, the
 * mode check, and every way a file can be wrong, each with its line. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check-main.h"
#include "keyfile.h"

#define PUB "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7"
#define SEC "JTKVSB%%)wK0E.X)V>+}o?pNmC{O&4W4b!Ni{Lh6"

static char dir[64];

static void
setup(void)
{
	snprintf(dir, sizeof dir, "/tmp/check-keyfile-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void
teardown(void)
{
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

static void
put(const char *name, const char *text, mode_t mode, char *path, size_t pathsz)
{
	snprintf(path, pathsz, "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
	ck_assert_int_eq(chmod(path, mode), 0);
}

START_TEST(z85)
{
	ck_assert(keyfile_z85_ok(PUB));
	ck_assert(keyfile_z85_ok(SEC));
	ck_assert(!keyfile_z85_ok(NULL));
	ck_assert(!keyfile_z85_ok(""));
	ck_assert(!keyfile_z85_ok(PUB "x"));
	ck_assert(!keyfile_z85_ok("rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf"));
	ck_assert(!keyfile_z85_ok("rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]y\"7"));
	ck_assert(!keyfile_z85_ok("rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]y 7"));
}
END_TEST

START_TEST(round_trip)
{
	char path[128], pub[41], sec[41], *cause = NULL;
	struct stat st;

	snprintf(path, sizeof path, "%s/k.key", dir);
	ck_assert_int_eq(keyfile_write(path, PUB, SEC, &cause), 0);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_eq(st.st_mode & 0777, 0600);
	ck_assert_int_eq(keyfile_read(path, pub, sec, &cause), 0);
	ck_assert_str_eq(pub, PUB);
	ck_assert_str_eq(sec, SEC);
	/* replaced atomically, still 0600, no temporary left */
	ck_assert_int_eq(keyfile_write(path, SEC, PUB, &cause), 0);
	ck_assert_int_eq(keyfile_read(path, pub, sec, &cause), 0);
	ck_assert_str_eq(pub, SEC);
	char cmd[160];
	snprintf(cmd, sizeof cmd, "test $(ls '%s' | wc -l) -eq 1", dir);
	ck_assert_int_eq(system(cmd), 0);
	ck_assert_int_eq(keyfile_write(path, "short", SEC, &cause), -1);
	ck_assert_ptr_nonnull(strstr(cause, "Z85"));
	free(cause);
}
END_TEST

static const struct bad_case {
	const char *text;
	mode_t mode;
	bool want_sec;
	const char *why; /* in the cause */
} bad_cases[] = {
	{ "[curve]\npublic_key = " PUB "\nsecret_key = " SEC "\n", 0644, true, "chmod 600" },
	{ "[curve]\npublic_key = " PUB "\n", 0600, true, "no secret_key" },
	{ "[curve]\nsecret_key = " SEC "\n", 0600, true, "no public_key" },
	{ "[curve]\npublic_key = " PUB "\npublic_key = " PUB "\n", 0600, false, ":3: key given twice" },
	{ "[curve]\npublic_key = abc\n", 0600, false, ":2: not a key" },
	{ "[keys]\npublic_key = " PUB "\n", 0600, false, ":1: unknown section" },
	{ "public_key = " PUB "\n", 0600, false, ":1: a key outside [curve]" },
	{ "[curve]\nuser = x\n", 0600, false, ":2: unknown key" },
	{ "[curve]\npublic_key " PUB "\n", 0600, false, ":2:" },
	{ "", 0600, false, "no public_key" },
};

START_TEST(bad_files)
{
	const struct bad_case *c = &bad_cases[_i];
	char path[128], pub[41], sec[41], *cause = NULL;

	put("bad.key", c->text, c->mode, path, sizeof path);
	ck_assert_int_eq(keyfile_read(path, pub, c->want_sec ? sec : NULL, &cause), -1);
	ck_assert_ptr_nonnull(cause);
	ck_assert_msg(strstr(cause, c->why) != NULL, "case %d: %s", _i, cause);
	ck_assert_ptr_nonnull(strstr(cause, path));
	free(cause);
}
END_TEST

START_TEST(public_only)
{
	char path[128], pub[41], *cause = NULL;

	/* a server's public key handed to clients: any mode, no secret needed */
	put("server.pub", "# the broker\n[curve]\npublic_key = " PUB "\n", 0644, path, sizeof path);
	ck_assert_int_eq(keyfile_read(path, pub, NULL, &cause), 0);
	ck_assert_str_eq(pub, PUB);
	snprintf(path, sizeof path, "%s/missing.key", dir);
	ck_assert_int_eq(keyfile_read(path, pub, NULL, &cause), -1);
	ck_assert_ptr_nonnull(strstr(cause, "No such file"));
	free(cause);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("keyfile");
	TCase *tc = tcase_create("keyfile");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, z85);
	tcase_add_test(tc, round_trip);
	tcase_add_loop_test(tc, bad_files, 0, (int)(sizeof bad_cases / sizeof bad_cases[0]));
	tcase_add_test(tc, public_only);
	suite_add_tcase(s, tc);
	return check_main(s);
}
