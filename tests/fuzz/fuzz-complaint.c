/* fuzz-complaint.c: libFuzzer targets for the complaint model, built once per target.
 *   -DFUZZ_COMPLAINT_DECODE  a stored draft or outbox payload (complaint_decode): every
 *                            input is refused or decodes to a record that encodes to a
 *                            text decoding to the same encoding (one spelling), and the
 *                            record goes through the checks, every action and the clocks
 *                            without a crash, a leak or undefined behaviour.
 *   -DFUZZ_COMPLAINT_DATA    the complaint data files (data_complaints_load): data[0]
 *                            picks which of complaints.ini, holidays.ini, mediation.ini
 *                            the rest replaces in a copy of small valid files; it loads or
 *                            is refused with a cause. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "complaint.h"
#include "data.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#if defined(FUZZ_COMPLAINT_DECODE)
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = xstrndup((const char *)data, size);
	struct complaint *c = complaint_decode(text);
	free(text);
	if (c == NULL)
		return 0;
	char *once = complaint_encode(c);
	struct complaint *again = complaint_decode(once);
	if (again == NULL)
		abort();
	char *twice = complaint_encode(again);
	if (strcmp(once, twice) != 0)
		abort();
	const int64_t now = INT64_C(1772424000000);     /* 2026-03-02 12:00 China */
	struct complaint_clock k[COMPLAINT_CLOCK_COUNT];
	complaint_clocks(c, NULL, now, k);
	complaint_check(c, NULL, now, true, NULL);
	for (int f = 0; f < COMPLAINT_FIELD_COUNT; f++) {
		char *v = complaint_field_get(c, f);
		free(v);
	}
	for (int a = 0; a < COMPLAINT_ACTION_COUNT; a++) {
		struct complaint *t = complaint_copy(c);
		int e = complaint_apply(t, (enum complaint_action)a, NULL, now, NULL);
		if (e < 0 || e >= COMPLAINT_ERROR_COUNT)
			abort();
		complaint_free(t);
	}
	free(once);
	free(twice);
	complaint_free(again);
	complaint_free(c);
	return 0;
}
#elif defined(FUZZ_COMPLAINT_DATA)
static char dir[64];
static const char *const names[] = { "complaints.ini", "holidays.ini", "mediation.ini" };
static const char *const good[] = {
	"[clocks]\nack_working_days = 1\n[limits]\nagent = 200.00\n"
	"[cause]\ncode = R01\nbusiness = roadside\nname = Late\nname_zh = 迟到\n",
	"[holiday]\nname = 国庆节\nfrom = 2026-10-01\nto = 2026-10-07\n"
	"work = 2026-09-20, 2026-10-10\n",
	"[org]\nid = beijing\nname = Beijing\nname_zh = 北京\nphone = 95001303\n",
};

static void
remove_dir(void)
{
	rd_remove_tree(dir);
}

static void
put(const char *name, const void *bytes, size_t len)
{
	char path[128];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	if (f == NULL || (len > 0 && fwrite(bytes, 1, len, f) != len))
		abort();
	fclose(f);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *cause = NULL;

	if (dir[0] == '\0') {
		snprintf(dir, sizeof dir, "/tmp/fuzz-complaint-XXXXXX");
		if (mkdtemp(dir) == NULL)
			abort();
		atexit(remove_dir);
	}
	if (size == 0)
		return 0;
	for (int i = 0; i < 3; i++)
		put(names[i], good[i], strlen(good[i]));
	put(names[data[0] % 3], data + 1, size - 1);
	struct complaint_data *d = data_complaints_load(dir, &cause);
	if ((d == NULL) != (cause != NULL))
		abort();
	free(cause);
	complaint_data_free(d);
	return 0;
}
#else
#error "build with -DFUZZ_COMPLAINT_DECODE or -DFUZZ_COMPLAINT_DATA"
#endif
