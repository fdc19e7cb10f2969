/* bench-board.c: what stats.board costs on a busy day (PROTOCOL.md 7.33).
 *
 * Writes eight China days of 3,000 tickets each (default) into a fresh store file, every
 * ticket with the events the broker logs for it (created, offer, a decline or time-out
 * for some, accept, en_route, on_scene, completed, the truck's own offered, accepted,
 * status and release, and an acknowledged warning for one in five), then times, on the
 * last day:
 *   walk    store_events_range over the day with a callback that does nothing: the
 *           same-run baseline, the floor any fold of the log pays;
 *   fold    the same walk into tally.c (what one range of the board costs);
 *   board   the two folds stats.board makes: the day and the same day a week earlier.
 * Each is the best of five runs. Exits 1 when board takes a second or more.
 *
 * usage: bench-board [tickets-per-day] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "proto.h"
#include "rng.h"
#include "store.h"
#include "tally.h"
#include "util.h"

#define DAY0 1772985600000LL /* 2026-03-09 00:00 China time */
#define DAY_MS 86400000LL
#define DAYS 8
#define MIN 60000LL

static struct store *st;
static char dir[256], path[300];
static int64_t n_events;

static void
append(int64_t ts, const char *stream, const char *entity, const char *kind, const char *code,
    const char *user, const struct proto_buf *body, const struct proto_buf *params)
{
	struct store_event ev = {
		.ts = ts, .stream = stream, .entity = entity, .kind = kind, .user = user,
		.detail = kind, .code = code,
		.body = body ? body->data : NULL, .body_len = body ? body->len : 0,
		.params = params ? params->data : NULL, .params_len = params ? params->len : 0,
	};
	if (store_event_append(st, &ev) != 0) {
		fprintf(stderr, "bench-board: append: %s\n", store_errmsg(st));
		exit(2);
	}
	n_events++;
}

static void
pack(struct proto_buf *b, enum proto_msg_id m, const void *msg)
{
	proto_buf_reset(b);
	proto_pack_obj(b, m, msg, 0);
}

/* One ticket's life from its call at created; its truck of supplier s. */
static void
ticket_life(struct rng *r, int64_t id, int64_t created)
{
	static const char *const sups[] = { "acme", "bolt", "crane", "delta", "echo", "fox" };
	struct proto_buf tb, pb, kb;
	struct proto_ticket t;
	struct proto_truck k;
	struct proto_event_params p;
	char ent[24], truck[24];
	int s = (int)rng_below(r, 6);
	int64_t ts = created;

	proto_buf_init(&tb);
	proto_buf_init(&pb);
	proto_buf_init(&kb);
	snprintf(ent, sizeof ent, "%lld", (long long)id);
	snprintf(truck, sizeof truck, "%s-%02d", sups[s], (int)rng_below(r, 30));
	memset(&t, 0, sizeof t);
	t.present = PROTO_ALL & ~((uint64_t)1 << PROTO_ticket_escalated);
	t.id = id;
	rd_strlcpy(t.state, "new", sizeof t.state);
	rd_strlcpy(t.region, "changsha", sizeof t.region);
	rd_strlcpy(t.customer, "张伟", sizeof t.customer);
	rd_strlcpy(t.phone, "13812345678", sizeof t.phone);
	rd_strlcpy(t.plate, "湘A12345", sizeof t.plate);
	rd_strlcpy(t.model, "Toyota Corolla", sizeof t.model);
	rd_strlcpy(t.address, "岳麓区麓山南路 932 号 湖南大学北门对面加油站", sizeof t.address);
	rd_strlcpy(t.fault, "battery", sizeof t.fault);
	rd_strlcpy(t.created_by, "agent3", sizeof t.created_by);
	rd_strlcpy(t.lang, "zh", sizeof t.lang);
	t.lat = 28.19;
	t.lon = 112.97;
	t.created = created;
	t.promised = created + 45 * MIN;
	t.updated = created;
	pack(&tb, PROTO_MSG_ticket, &t);
	memset(&p, 0, sizeof p);
	rd_strlcpy(p.fault, "battery", sizeof p.fault);
	rd_strlcpy(p.region, "changsha", sizeof p.region);
	p.min = 45;
	p.present = (uint64_t)1 << PROTO_event_params_fault | (uint64_t)1 << PROTO_event_params_region |
	    (uint64_t)1 << PROTO_event_params_min;
	pack(&pb, PROTO_MSG_event_params, &p);
	append(ts, "ticket", ent, "created", "created", "agent3", &tb, &pb);

	memset(&k, 0, sizeof k);
	k.present = PROTO_ALL & ~((uint64_t)1 << PROTO_truck_next);
	rd_strlcpy(k.id, truck, sizeof k.id);
	rd_strlcpy(k.supplier, sups[s], sizeof k.supplier);
	rd_strlcpy(k.kind, "van", sizeof k.kind);
	rd_strlcpy(k.region, "changsha", sizeof k.region);
	k.ticket = id;

	int declines = rng_below(r, 4) == 0 ? 1 : 0;
	for (int o = 0; o <= declines; o++) {
		ts += (int64_t)(20 + rng_below(r, 60)) * 1000;
		memset(&p, 0, sizeof p);
		rd_strlcpy(p.truck, truck, sizeof p.truck);
		rd_strlcpy(p.supplier, sups[s], sizeof p.supplier);
		rd_strlcpy(p.kind, "van", sizeof p.kind);
		rd_strlcpy(p.km, "3.4", sizeof p.km);
		rd_strlcpy(p.src, "model", sizeof p.src);
		p.s = 120;
		p.min = 12;
		p.present = (uint64_t)1 << PROTO_event_params_truck |
		    (uint64_t)1 << PROTO_event_params_supplier | (uint64_t)1 << PROTO_event_params_kind |
		    (uint64_t)1 << PROTO_event_params_km | (uint64_t)1 << PROTO_event_params_src |
		    (uint64_t)1 << PROTO_event_params_s | (uint64_t)1 << PROTO_event_params_min;
		pack(&pb, PROTO_MSG_event_params, &p);
		rd_strlcpy(t.state, "dispatched", sizeof t.state);
		t.updated = ts;
		pack(&tb, PROTO_MSG_ticket, &t);
		append(ts, "ticket", ent, "offer", "offer", "", &tb, &pb);
		rd_strlcpy(k.status, "offered", sizeof k.status);
		pack(&kb, PROTO_MSG_truck, &k);
		append(ts, "truck", truck, "offer", "offered", "", &kb, NULL);
		ts += (int64_t)(10 + rng_below(r, 100)) * 1000;
		if (o < declines) {
			p.present = (uint64_t)1 << PROTO_event_params_truck;
			pack(&pb, PROTO_MSG_event_params, &p);
			rd_strlcpy(t.state, "new", sizeof t.state);
			pack(&tb, PROTO_MSG_ticket, &t);
			append(ts, "ticket", ent, "decline", "decline", "desk", &tb, &pb);
		}
	}
	p.present = (uint64_t)1 << PROTO_event_params_truck;
	pack(&pb, PROTO_MSG_event_params, &p);
	rd_strlcpy(t.state, "accepted", sizeof t.state);
	pack(&tb, PROTO_MSG_ticket, &t);
	append(ts, "ticket", ent, "accept", "accept", "desk", &tb, &pb);
	rd_strlcpy(k.status, "assigned", sizeof k.status);
	pack(&kb, PROTO_MSG_truck, &k);
	append(ts, "truck", truck, "accept", "accepted", "desk", &kb, NULL);
	static const char *const states[] = { "en_route", "on_scene", "completed" };
	for (int i = 0; i < 3; i++) {
		ts += (int64_t)(2 + rng_below(r, 30)) * MIN;
		memset(&p, 0, sizeof p);
		rd_strlcpy(p.state, states[i], sizeof p.state);
		p.present = (uint64_t)1 << PROTO_event_params_state;
		pack(&pb, PROTO_MSG_event_params, &p);
		rd_strlcpy(t.state, states[i], sizeof t.state);
		if (i == 1)
			t.t_on_scene = ts;
		pack(&tb, PROTO_MSG_ticket, &t);
		append(ts, "ticket", ent, "state", "state", "desk", &tb, &pb);
		rd_strlcpy(k.status, i == 2 ? "available" : states[i], sizeof k.status);
		pack(&kb, PROTO_MSG_truck, &k);
		append(ts, "truck", truck, i == 2 ? "release" : "status",
		    i == 2 ? "released_state" : "status_job", "desk", &kb, &pb);
	}
	if (rng_below(r, 5) == 0) {
		struct proto_warning w;
		memset(&w, 0, sizeof w);
		w.present = PROTO_ALL & ~((uint64_t)1 << PROTO_warning_escalated);
		w.id = id;
		w.ticket = id;
		rd_strlcpy(w.kind, "eta_late", sizeof w.kind);
		rd_strlcpy(w.level, "red", sizeof w.level);
		rd_strlcpy(w.owner, "agent3", sizeof w.owner);
		w.ts = created + 20 * MIN;
		pack(&kb, PROTO_MSG_warning, &w);
		memset(&p, 0, sizeof p);
		rd_strlcpy(p.by, "agent3", sizeof p.by);
		p.present = (uint64_t)1 << PROTO_event_params_by;
		pack(&pb, PROTO_MSG_event_params, &p);
		snprintf(ent, sizeof ent, "%lld", (long long)id);
		append(created + 20 * MIN, "warning", ent, "raised", "warning", "", &kb, NULL);
		append(created + 21 * MIN, "warning", ent, "owned", "warning_owned", "agent3", &kb,
		    &pb);
	}
	proto_buf_finish(&tb);
	proto_buf_finish(&pb);
	proto_buf_finish(&kb);
}

static int
nop_cb(void *ctx, const struct store_event *ev)
{
	*(size_t *)ctx += ev->body_len;
	return 0;
}

static int
fold_cb(void *ctx, const struct store_event *ev)
{
	struct tally_event te = {
		.ts = ev->ts, .stream = ev->stream, .entity = ev->entity, .kind = ev->kind,
		.code = ev->code, .user = ev->user, .body = ev->body, .body_len = ev->body_len,
		.params = ev->params, .params_len = ev->params_len,
	};
	tally_add(ctx, &te);
	return 0;
}

static double
ms_since(int64_t t0)
{
	return (double)(rd_mono_ns() - t0) / 1e6;
}

static double
time_walk(int64_t from)
{
	size_t bytes = 0;
	int64_t t0 = rd_mono_ns();
	if (store_events_range(st, from, from + DAY_MS, INT64_MAX, nop_cb, &bytes, NULL) != 0)
		exit(2);
	return ms_since(t0);
}

static double
time_fold(int64_t from, int64_t *arrived)
{
	int64_t t0 = rd_mono_ns();
	struct tally *t = tally_create(from, from + DAY_MS, 120);
	if (store_events_range(st, from, from + DAY_MS, INT64_MAX, fold_cb, t, NULL) != 0)
		exit(2);
	tally_finish(t);
	double ms = ms_since(t0);
	*arrived = 0;
	for (size_t i = 0; i < t->n_suppliers; i++)
		*arrived += t->suppliers[i].arrived;
	tally_free(t);
	return ms;
}

static double
best(double a, double b)
{
	return a < b ? a : b;
}

int
main(int argc, char **argv)
{
	int per_day = argc > 1 ? atoi(argv[1]) : 3000;
	const char *tmp = getenv("TMPDIR");
	char *cause = NULL;
	struct rng r;

	if (per_day <= 0) {
		fprintf(stderr, "usage: bench-board [tickets-per-day]\n");
		return 2;
	}
	snprintf(dir, sizeof dir, "%s/bench-board-XXXXXX", tmp ? tmp : "/tmp");
	if (mkdtemp(dir) == NULL) {
		perror("bench-board: mkdtemp");
		return 2;
	}
	snprintf(path, sizeof path, "%s/board.db", dir);
	st = store_open(path, STORE_SYNC_NORMAL, &cause);
	if (st == NULL) {
		fprintf(stderr, "bench-board: %s\n", cause);
		return 2;
	}
	rng_seed(&r, 14, 1);
	int64_t id = 1, t0 = rd_mono_ns();
	for (int d = 0; d < DAYS; d++) {
		if (store_begin(st) != 0)
			return 2;
		for (int i = 0; i < per_day; i++) {
			/* calls through the day, more by day than by night; the log is in time
			 * order as the broker writes it, near enough: lives interleave */
			int64_t at = DAY0 + d * DAY_MS + (int64_t)i * (DAY_MS / per_day);
			ticket_life(&r, id++, at);
		}
		if (store_commit(st) != 0)
			return 2;
	}
	printf("bench-board: %d days of %d tickets, %lld events written in %.0f ms\n", DAYS,
	    per_day, (long long)n_events, ms_since(t0));
	int64_t day = DAY0 + (DAYS - 1) * DAY_MS, arrived = 0;
	double walk = 1e9, fold = 1e9, board = 1e9;
	for (int rep = 0; rep < 5; rep++) {
		walk = best(walk, time_walk(day));
		fold = best(fold, time_fold(day, &arrived));
		int64_t lw;
		board = best(board, time_fold(day, &arrived) + time_fold(day - 7 * DAY_MS, &lw));
	}
	printf("walk  (baseline: the day's events, nothing done)  %8.1f ms\n", walk);
	printf("fold  (the day into tally.c, %lld arrivals)       %8.1f ms  (%.1fx the walk)\n",
	    (long long)arrived, fold, fold / walk);
	printf("board (the day and the same day a week earlier)  %8.1f ms\n", board);
	store_close(st);
	char p2[320];
	static const char *const sfx[] = { "", "-wal", "-shm" };
	for (size_t i = 0; i < 3; i++) {
		snprintf(p2, sizeof p2, "%s%s", path, sfx[i]);
		unlink(p2);
	}
	rmdir(dir);
	if (board >= 1000) {
		printf("bench-board: FAIL: the board takes a second or more\n");
		return 1;
	}
	return 0;
}
