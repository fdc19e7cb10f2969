/* fuzz-flow.c: libFuzzer targets for the diagnosis flows, built once per target.
 *   -DFUZZ_FLOW_PATH  a session's path string (src/model/flow.c, flow_walk_parse) against
 *                     the real data/diagnosis/: every input is replayed or refused with a
 *                     cause, and an accepted path formats back to the same bytes (a path
 *                     has one spelling).
 *   -DFUZZ_FLOW_FILE  a flow file (the line-aware INI reader of src/model/data.c and the
 *                     validator): the input is written as the one file of a directory
 *                     beside the real safety stops; it loads or is refused with messages,
 *                     without a crash, a leak or undefined behaviour. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flow.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#if defined(FUZZ_FLOW_PATH)
static struct flow_set *set;

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[FLOW_PATH_MAX + 8], out[FLOW_PATH_MAX + 1], *cause = NULL;
	struct flow_walk w;

	if (set == NULL && (set = flow_set_open(SOURCE_DATA_DIR "/diagnosis",
	    SOURCE_DATA_DIR "/faults.ini", &cause)) == NULL) {
		fprintf(stderr, "%s\n", cause);
		abort();
	}
	/* data[0] picks the flow; the rest, up to its first NUL, is the path */
	if (size == 0 || size - 1 >= sizeof path)
		return 0;
	memcpy(path, data + 1, size - 1);
	path[size - 1] = '\0';
	if (flow_walk_parse(&w, set, set->flows[data[0] % set->n_flows], path, &cause) != 0) {
		if (cause == NULL)
			abort();
		free(cause);
		return 0;
	}
	if (flow_walk_format(&w, out, sizeof out) < 0 || strcmp(out, path) != 0)
		abort();
	return 0;
}
#elif defined(FUZZ_FLOW_FILE)
static char dir[64];

static void
remove_dir(void)
{
	rd_remove_tree(dir);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct flow_errors errs = { NULL, 0 };
	struct flow_set *set;
	char file[128];
	FILE *f;

	if (dir[0] == '\0') {
		char cmd[256];

		snprintf(dir, sizeof dir, "/tmp/fuzz-flow-XXXXXX");
		if (mkdtemp(dir) == NULL)
			abort();
		atexit(remove_dir);
		snprintf(cmd, sizeof cmd, "%s/safety.ini", dir);
		if ((f = fopen(cmd, "w")) == NULL)
			abort();
		fputs("[stop]\nid = s\ntrigger = T\ntrigger_zh = 甲\nadvice = A\nadvice_zh = 乙\n"
		    "type = escalate\n", f);
		fclose(f);
	}
	snprintf(file, sizeof file, "%s/a.ini", dir);
	if ((f = fopen(file, "w")) == NULL)
		abort();
	if (size > 0 && fwrite(data, 1, size, f) != size)
		abort();
	fclose(f);
	set = flow_set_load(dir, NULL, &errs);
	if ((set == NULL) != (errs.n > 0))
		abort();
	flow_set_free(set);
	flow_errors_free(&errs);
	return 0;
}
#else
#error "build with -DFUZZ_FLOW_PATH or -DFUZZ_FLOW_FILE"
#endif
