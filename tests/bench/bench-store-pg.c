/* bench-store-pg.c: the store's two backends in the same run (issue 15). For SQLite (a file
 * in a temporary directory, synchronous=NORMAL and FULL) and PostgreSQL (the URI given, or
 * $RD_TEST_PG with "1" appended, as tests/store-pg.sh sets it), two workloads:
 *
 *   batch    the broker's group commit: begin, 100 events (each with its `latest` row), one
 *            reply put and one meta set, commit: one round trip on PostgreSQL
 *   request  one mutating request alone in its batch: begin, the reply cache's lookup (of
 *            a new command: answered from the keys in memory on PostgreSQL), 3 events, the
 *            reply put, commit: one round trip
 *
 * Prints the mean and the 50th/99th percentile of each, events/s, and PostgreSQL's ratio to
 * SQLite NORMAL. Exit status 1 on a store error, 2 on usage.
 *
 * usage: bench-store-pg [-n ROUNDS] [URI]   (default 300 rounds) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "store.h"
#include "util.h"

#define BATCH 100
#define BODY_LEN 300

static int64_t next_cmd;

static int64_t
mono_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int
cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

struct result {
	double mean_us, p50_us, p99_us;
};

static void
summarize(int64_t *us, int n, struct result *r)
{
	double sum = 0;
	int i;

	for (i = 0; i < n; i++)
		sum += (double)us[i];
	qsort(us, (size_t)n, sizeof *us, cmp_i64);
	r->mean_us = sum / n;
	r->p50_us = (double)us[n / 2];
	r->p99_us = (double)us[(n * 99) / 100];
}

static int
append(struct store *st, int j, const unsigned char *body)
{
	char entity[16];
	struct store_event ev = {
		.ts = rd_now_ms(), .stream = "ticket", .entity = entity, .kind = "state",
		.user = "bench", .detail = "state changed", .body = body, .body_len = BODY_LEN,
		.code = "state", .params = body, .params_len = 20,
	};

	snprintf(entity, sizeof entity, "%d", 1 + j % 5000);
	return store_event_append(st, &ev);
}

/* One round of the workload; 0, or -1 on a store error. */
static int
round_once(struct store *st, bool request, int r, const unsigned char *body)
{
	char cmd[32];
	void *reply;
	size_t len;
	int j, n = request ? 3 : BATCH;

	snprintf(cmd, sizeof cmd, "c%lld", (long long)++next_cmd);
	if (store_begin(st) != 0)
		return -1;
	if (request && store_reply_get(st, "bench", cmd, &reply, &len) != 0)
		return -1;
	for (j = 0; j < n; j++)
		if (append(st, r * n + j, body) != 0)
			return -1;
	if (store_reply_put(st, "bench", cmd, rd_now_ms(), body, 64) != 0)
		return -1;
	if (!request && store_meta_set(st, "bench_round", r) != 0)
		return -1;
	return store_commit(st);
}

static int
measure(const char *path, enum store_sync sync, bool request, int rounds, struct result *res)
{
	unsigned char body[BODY_LEN];
	int64_t *us = xcalloc((size_t)rounds, sizeof *us);
	char *cause = NULL;
	struct store *st = store_open(path, sync, &cause);
	int r, rc = -1;

	for (r = 0; r < BODY_LEN; r++)
		body[r] = (unsigned char)(r * 7);
	if (st == NULL) {
		fprintf(stderr, "bench-store-pg: %s: %s\n", path, cause);
		free(cause);
		free(us);
		return -1;
	}
	/* warm up: statements, caches, the first pages of the tables */
	for (r = 0; r < 10; r++)
		if (round_once(st, request, r, body) != 0)
			goto out;
	for (r = 0; r < rounds; r++) {
		int64_t t0 = mono_us();
		if (round_once(st, request, r, body) != 0)
			goto out;
		us[r] = mono_us() - t0;
	}
	summarize(us, rounds, res);
	rc = 0;
out:
	if (rc != 0)
		fprintf(stderr, "bench-store-pg: %s: %s\n", path, store_errmsg(st));
	store_close(st);
	free(us);
	return rc;
}

int
main(int argc, char **argv)
{
	static const char *const names[] = { "sqlite normal", "sqlite full", "postgresql" };
	struct result res[2][3];
	char dir[256], file[2][300], uri[512];
	const char *tmp = getenv("TMPDIR"), *base = getenv("RD_TEST_PG");
	int rounds = 300, c, w, b;

	while ((c = getopt(argc, argv, "n:")) != -1) {
		if (c != 'n' || (rounds = atoi(optarg)) < 10) {
			fprintf(stderr, "usage: bench-store-pg [-n ROUNDS] [URI]\n");
			return 2;
		}
	}
	if (optind < argc)
		rd_strlcpy(uri, argv[optind], sizeof uri);
	else if (base != NULL && base[0] != '\0')
		snprintf(uri, sizeof uri, "%s1", base);
	else {
		fprintf(stderr, "bench-store-pg: no database: give a URI or run under "
		    "tests/store-pg.sh\n");
		return 2;
	}
	snprintf(dir, sizeof dir, "%s/bench-store-pg-XXXXXX", tmp != NULL && *tmp != '\0' ?
	    tmp : "/tmp");
	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	for (w = 0; w < 2; w++)
		snprintf(file[w], sizeof file[w], "%s/bench%d.db", dir, w);
	printf("%d rounds each; events of %d bytes; SQLite in %s, PostgreSQL at %s\n", rounds,
	    BODY_LEN, dir, uri);
	for (w = 0; w < 2; w++) {
		/* both workloads on each backend, the backends interleaved per workload */
		if (measure(file[0], STORE_SYNC_NORMAL, w == 1, rounds, &res[w][0]) != 0 ||
		    measure(file[1], STORE_SYNC_FULL, w == 1, rounds, &res[w][1]) != 0 ||
		    measure(uri, STORE_SYNC_NORMAL, w == 1, rounds, &res[w][2]) != 0) {
			rd_remove_tree(dir);
			return 1;
		}
	}
	rd_remove_tree(dir);
	for (w = 0; w < 2; w++) {
		int n = w == 1 ? 3 : BATCH;
		printf("%s: %d events%s a commit\n", w == 0 ? "batch" : "request", n,
		    w == 1 ? " and the reply cache's lookup" : ", a reply and a meta row");
		printf("  %-14s %10s %10s %10s %12s %8s\n", "backend", "mean ms", "p50 ms", "p99 ms",
		    "events/s", "vs sqlite");
		for (b = 0; b < 3; b++) {
			const struct result *r = &res[w][b];
			printf("  %-14s %10.3f %10.3f %10.3f %12.0f %7.2fx\n", names[b],
			    r->mean_us / 1000, r->p50_us / 1000, r->p99_us / 1000,
			    n * 1e6 / r->mean_us, r->mean_us / res[w][0].mean_us);
		}
	}
	return 0;
}
