/* fuzz-refdata.c: libFuzzer target for the reference data an operator hands every program
 * with --data (src/model/data.c, data_load): faults.ini, sla.ini, demand.ini, dispatch.ini
 * and regions/ *.ini. A directory holds copies of the shipped files; data[0] picks which one
 * the rest of the input replaces. It loads or is refused with a cause; a loaded tree finds
 * each region by its id and at its own centre, and gives a finite speed at every hour. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "data.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const files[] = {
	"faults.ini", "sla.ini", "demand.ini", "dispatch.ini",
	"regions/changsha.ini", "regions/ningxiang.ini", "regions/aba.ini",
};
#define N_FILES (sizeof files / sizeof files[0])
static char dir[64];
static char *good[N_FILES];
static size_t good_len[N_FILES];

static void
remove_dir(void)
{
	rd_remove_tree(dir);
}

static void
put(const char *name, const void *bytes, size_t len)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	if ((f = fopen(path, "w")) == NULL || (len > 0 && fwrite(bytes, 1, len, f) != len))
		abort();
	fclose(f);
}

/* Read the shipped file name into good[i]. */
static void
keep(size_t i)
{
	char path[512];
	FILE *f;
	long n;

	snprintf(path, sizeof path, "%s/%s", SOURCE_DATA_DIR, files[i]);
	if ((f = fopen(path, "r")) == NULL || fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) != 0)
		abort();
	good[i] = xcalloc(1, (size_t)n + 1);
	if (n > 0 && fread(good[i], 1, (size_t)n, f) != (size_t)n)
		abort();
	good_len[i] = (size_t)n;
	fclose(f);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *cause = NULL;
	struct data *d;

	if (dir[0] == '\0') {
		char sub[96];

		snprintf(dir, sizeof dir, "/tmp/fuzz-refdata-XXXXXX");
		if (mkdtemp(dir) == NULL)
			abort();
		atexit(remove_dir);
		snprintf(sub, sizeof sub, "%s/regions", dir);
		if (mkdir(sub, 0700) != 0)
			abort();
		for (size_t i = 0; i < N_FILES; i++)
			keep(i);
	}
	if (size == 0)
		return 0;
	for (size_t i = 0; i < N_FILES; i++)
		put(files[i], good[i], good_len[i]);
	put(files[data[0] % N_FILES], data + 1, size - 1);
	if ((d = data_load(dir, &cause)) == NULL) {
		if (cause == NULL)
			abort();
		free(cause);
		return 0;
	}
	if (cause != NULL)
		abort();
	for (size_t i = 0; i < d->n_regions; i++) {
		const struct data_region *r = &d->regions[i];
		if (data_region(d, r->id) != r || data_region_at(d, r->lat, r->lon) == NULL)
			abort();
		for (int h = 0; h < 24; h++)
			if (!isfinite(data_region_speed_kmh(r, h, h % 2 == 0)))
				abort();
	}
	data_free(d);
	return 0;
}
