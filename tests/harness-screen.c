/* harness-screen.c: the screen tests' locale, screen text and golden files. */
#include "harness-screen.h"

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

int
harness_screen_main(Suite *s, const char *prog)
{
	SRunner *sr = srunner_create(s);
	int failed;

	if (setlocale(LC_ALL, "C.UTF-8") == NULL) {
		fprintf(stderr, "%s: the C.UTF-8 locale is missing\n", prog);
		srunner_free(sr);
		return 1;
	}
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}

char *
harness_screen_text(const struct vscreen *vs)
{
	char *text = vscreen_dump(vs), *roles = vscreen_dump_roles(vs), *all;

	xasprintf(&all, "%s-- roles --\n%s", text, roles);
	free(text);
	free(roles);
	return all;
}

char *
harness_screen_read_all(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	if (f == NULL)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = xmalloc((size_t)n + 1);
	ck_assert_uint_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

void
harness_screen_golden(const struct vscreen *vs, const char *path, const char *prog)
{
	const char *update = getenv("RD_UPDATE_GOLDEN");
	char *got = harness_screen_text(vs), *want;
	FILE *f;

	if (update != NULL && strcmp(update, "1") == 0) {
		f = fopen(path, "wb");
		ck_assert_msg(f != NULL, "cannot write %s", path);
		fputs(got, f);
		fclose(f);
		fprintf(stderr, "%s: wrote %s\n", prog, path);
		free(got);
		return;
	}
	want = harness_screen_read_all(path);
	ck_assert_msg(want != NULL, "%s is missing: run with RD_UPDATE_GOLDEN=1", path);
	ck_assert_msg(strcmp(got, want) == 0, "%s differs; got:\n%s", path, got);
	free(got);
	free(want);
}
