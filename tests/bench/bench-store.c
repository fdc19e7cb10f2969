/* bench-store.c: how fast the store appends events, by transaction size. Guides the broker's
 * group commit: events/s for commits of 1, 10, 100 and 1000 events, and the gain over one
 * event per commit. Each run writes a fresh database file in a temporary directory
 * ($TMPDIR or /tmp), so the figures depend on that file system.
 *
 * usage: bench-store [events [normal|full|both]]   (default: 100000 both) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store.h"
#include "util.h"

#define BODY_LEN 300

static const int batches[] = { 1, 10, 100, 1000 };

static char dir[256];

static void
db_path(char *buf, size_t size, const char *suffix)
{
	snprintf(buf, size, "%s/bench.db%s", dir, suffix);
}

static void
db_remove(void)
{
	static const char *const suffix[] = { "", "-wal", "-shm" };
	char p[300];
	size_t i;

	for (i = 0; i < ARRAY_LEN(suffix); i++) {
		db_path(p, sizeof p, suffix[i]);
		unlink(p);
	}
}

static int
count_cb(void *ctx, const char *stream, const char *entity, const void *body, size_t len)
{
	(void)stream;
	(void)entity;
	(void)body;
	*(size_t *)ctx += len;
	return 0;
}

/* Append n events in transactions of batch; returns seconds, or -1 on error. Also times a
 * full replay of the result into *load_s. */
static double
run(enum store_sync sync, int n, int batch, double *load_s)
{
	unsigned char body[BODY_LEN];
	char path[300], entity[16];
	char *cause = NULL;
	struct store *st;
	int64_t t0, t1, replayed;
	size_t bytes = 0;
	int i, j;

	db_remove();
	db_path(path, sizeof path, "");
	if ((st = store_open(path, sync, &cause)) == NULL) {
		fprintf(stderr, "bench-store: %s\n", cause);
		free(cause);
		return -1;
	}
	t0 = rd_mono_ns();
	for (i = 0; i < n; i += batch) {
		if (store_begin(st) != 0)
			goto fail;
		for (j = i; j < i + batch && j < n; j++) {
			struct store_event ev = {
				.ts = 1700000000000 + j, .stream = "ticket", .entity = entity,
				.kind = "state", .user = "agent1", .detail = "bench",
				.body = body, .body_len = sizeof body,
			};
			snprintf(entity, sizeof entity, "%d", j % 2000);
			memset(body, (unsigned char)j, sizeof body);
			body[0] = (unsigned char)(j >> 8);
			if (store_event_append(st, &ev) != 0)
				goto fail;
		}
		if (store_commit(st) != 0)
			goto fail;
	}
	t1 = rd_mono_ns();

	if (store_load(st, count_cb, &bytes, &replayed) != 0)
		goto fail;
	*load_s = (double)(rd_mono_ns() - t1) / 1e9;
	if (replayed != n || bytes != (size_t)n * BODY_LEN) {
		fprintf(stderr, "bench-store: replayed %lld events, %zu bytes\n", (long long)replayed,
		    bytes);
		store_close(st);
		return -1;
	}
	store_close(st);
	return (double)(t1 - t0) / 1e9;

fail:
	fprintf(stderr, "bench-store: %s\n", store_errmsg(st));
	store_close(st);
	return -1;
}

static int
bench(enum store_sync sync, int n)
{
	double base = 0, secs, load_s = 0;
	size_t i;

	printf("synchronous=%s, %d events of %d bytes\n", sync == STORE_SYNC_FULL ? "FULL" :
	    "NORMAL", n, BODY_LEN);
	printf("  %6s %10s %12s %10s %12s\n", "batch", "seconds", "events/s", "vs 1", "replay/s");
	for (i = 0; i < ARRAY_LEN(batches); i++) {
		double rate;

		if ((secs = run(sync, n, batches[i], &load_s)) < 0)
			return -1;
		rate = n / secs;
		if (i == 0)
			base = rate;
		printf("  %6d %10.3f %12.0f %9.1fx %12.0f\n", batches[i], secs, rate, rate / base,
		    n / load_s);
		fflush(stdout);
	}
	return 0;
}

int
main(int argc, char **argv)
{
	const char *tmp = getenv("TMPDIR");
	const char *mode = argc > 2 ? argv[2] : "both";
	int n = argc > 1 ? atoi(argv[1]) : 100000, rc = 0;

	if (n <= 0 || (strcmp(mode, "normal") != 0 && strcmp(mode, "full") != 0 &&
	    strcmp(mode, "both") != 0)) {
		fprintf(stderr, "usage: bench-store [events [normal|full|both]]\n");
		return 2;
	}
	snprintf(dir, sizeof dir, "%s/bench-store-XXXXXX", tmp != NULL && *tmp != '\0' ? tmp :
	    "/tmp");
	if (mkdtemp(dir) == NULL) {
		perror("bench-store: mkdtemp");
		return 1;
	}
	printf("database in %s\n", dir);
	if (strcmp(mode, "full") != 0 && bench(STORE_SYNC_NORMAL, n) != 0)
		rc = 1;
	if (rc == 0 && strcmp(mode, "normal") != 0 && bench(STORE_SYNC_FULL, n) != 0)
		rc = 1;
	if (rd_remove_tree(dir) != 0)
		perror("bench-store: removing the database");
	return rc;
}
