/* check-users.c: the broker's users file (src/model/users.c): a good file and its lookups,
 * and every way a file can be wrong, each named with its line. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check-main.h"
#include "users.h"

#define K1 "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7"
#define K2 "JTKVSB%%)wK0E.X)V>+}o?pNmC{O&4W4b!Ni{Lh6"
#define K3 "Yne@$w-vo<fVvi]a<NY6T1ed:M$fCG*[IaLV{hID"

static char dir[64];
static const char *const sups[] = { "cs-tow-1", "cs-tow-2" };

static void
setup(void)
{
	snprintf(dir, sizeof dir, "/tmp/check-users-XXXXXX");
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
put(const char *text, char *path, size_t pathsz)
{
	snprintf(path, pathsz, "%s/users.ini", dir);
	FILE *f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

START_TEST(good)
{
	char path[128], *cause = NULL, *warn = NULL;

	put("# the desk\n"
	    "[user li.na]\nrole = agent\npublic_key = " K1 "\n\n"
	    "[user tow-7]\nrole = supplier\npublic_key = " K2 "\nsupplier = cs-tow-1\n"
	    "[user wang@desk]\nrole = supervisor\npublic_key = " K3 "\n", path, sizeof path);
	struct users *u = users_load(path, sups, 2, &cause, &warn);
	ck_assert_msg(u != NULL, "%s", cause);
	ck_assert_ptr_null(warn);
	ck_assert_uint_eq(users_count(u), 3);
	const struct users_entry *e = users_by_key(u, K2);
	ck_assert_ptr_nonnull(e);
	ck_assert_str_eq(e->name, "tow-7");
	ck_assert_int_eq(e->role, USERS_ROLE_SUPPLIER);
	ck_assert_str_eq(e->supplier, "cs-tow-1");
	ck_assert_int_eq(e->line, 6);
	e = users_by_name(u, "wang@desk");
	ck_assert_ptr_nonnull(e);
	ck_assert_int_eq(e->role, USERS_ROLE_SUPERVISOR);
	ck_assert_str_eq(e->key, K3);
	ck_assert_str_eq(e->supplier, "");
	ck_assert_ptr_null(users_by_key(u, "x"));
	ck_assert_ptr_null(users_by_name(u, "nobody"));
	ck_assert_str_eq(users_at(u, 0)->name, "li.na");
	ck_assert_ptr_null(users_at(u, 3));
	users_free(u);
	users_free(NULL);

	/* an empty file: nobody may connect, which is allowed */
	put("# nobody yet\n", path, sizeof path);
	u = users_load(path, NULL, 0, &cause, NULL);
	ck_assert_ptr_nonnull(u);
	ck_assert_uint_eq(users_count(u), 0);
	users_free(u);
}
END_TEST

START_TEST(roles)
{
	for (int r = 0; r < USERS_ROLE_COUNT; r++)
		ck_assert_int_eq(users_role_parse(users_role_name((enum users_role)r)), r);
	ck_assert_int_eq(users_role_parse("admin"), -1);
	ck_assert_str_eq(users_role_name(USERS_ROLE_COUNT), "");
}
END_TEST

START_TEST(unknown_supplier_warns)
{
	char path[128], *cause = NULL, *warn = NULL;

	put("[user tow-9]\nrole = supplier\npublic_key = " K1 "\nsupplier = elsewhere\n", path,
	    sizeof path);
	struct users *u = users_load(path, sups, 2, &cause, &warn);
	ck_assert_ptr_nonnull(u);
	ck_assert_ptr_nonnull(warn);
	ck_assert_msg(strstr(warn, ":4: supplier elsewhere is not in the reference data") != NULL,
	    "%s", warn);
	free(warn);
	users_free(u);
}
END_TEST

static const struct bad_case {
	const char *text;
	const char *why; /* in the cause, after the path */
} bad_cases[] = {
	{ "[user a]\nrole = admin\npublic_key = " K1 "\n", ":2: unknown role 'admin'" },
	{ "[user a]\nrole = agent\npublic_key = abc\n", ":3: public_key: not a key" },
	{ "[user a]\nrole = agent\npublic_key = " K1 "\n[user a]\nrole = agent\npublic_key = " K2 "\n",
	  ":4: user a given twice" },
	{ "[user a]\nrole = agent\npublic_key = " K1 "\n[user b]\nrole = agent\npublic_key = " K1 "\n",
	  ":6: public_key already belongs to user a" },
	{ "[user t]\nrole = supplier\npublic_key = " K1 "\n", ":1: [user t]: role supplier needs supplier" },
	{ "[user a]\nrole = agent\npublic_key = " K1 "\nsupplier = cs-tow-1\n",
	  ":1: [user a]: supplier is only for role supplier" },
	{ "[user a]\npublic_key = " K1 "\n", ":1: [user a]: no role" },
	{ "[user a]\nrole = agent\n", ":1: [user a]: no public_key" },
	{ "[users]\nrole = agent\n", ":1: unknown section [users]" },
	{ "[user a b]\nrole = agent\n", ":1: user name 'a b'" },
	{ "[user 0123456789012345678901234567890123]\nrole = agent\n", ":1: user name" },
	{ "role = agent\n", ":1: role outside a [user NAME] section" },
	{ "[user a]\nrole = agent\nrole = sim\npublic_key = " K1 "\n", ":3: role given twice" },
	{ "[user a]\nrole = agent\npublic_key = " K1 "\nphone = 1\n", ":4: unknown key 'phone'" },
	{ "[user a]\nrole agent\n", ":2:" },
};

START_TEST(bad_files)
{
	const struct bad_case *c = &bad_cases[_i];
	char path[128], *cause = NULL, want[256];

	put(c->text, path, sizeof path);
	ck_assert_ptr_null(users_load(path, sups, 2, &cause, NULL));
	ck_assert_ptr_nonnull(cause);
	snprintf(want, sizeof want, "%s%s", path, c->why);
	ck_assert_msg(strstr(cause, want) != NULL, "case %d: %s", _i, cause);
	free(cause);
}
END_TEST

START_TEST(every_mistake)
{
	char path[128], *cause = NULL;

	/* all mistakes at once, each on its own line */
	put("[user a]\nrole = boss\npublic_key = x\n[user b]\nrole = agent\n", path, sizeof path);
	ck_assert_ptr_null(users_load(path, NULL, 0, &cause, NULL));
	ck_assert_ptr_nonnull(strstr(cause, ":2: unknown role"));
	ck_assert_ptr_nonnull(strstr(cause, ":3: public_key: not a key"));
	ck_assert_ptr_nonnull(strstr(cause, ":4: [user b]: no public_key"));
	free(cause);
	snprintf(path, sizeof path, "%s/missing.ini", dir);
	ck_assert_ptr_null(users_load(path, NULL, 0, &cause, NULL));
	ck_assert_ptr_nonnull(strstr(cause, "No such file"));
	free(cause);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("users");
	TCase *tc = tcase_create("users");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, good);
	tcase_add_test(tc, roles);
	tcase_add_test(tc, unknown_supplier_warns);
	tcase_add_loop_test(tc, bad_files, 0, (int)(sizeof bad_cases / sizeof bad_cases[0]));
	tcase_add_test(tc, every_mistake);
	suite_add_tcase(s, tc);
	return check_main(s);
}
