/* bench-watch.c: what the broker's monitoring costs as open tickets grow, and how soon a
 * time-driven warning follows its deadline (issue 13, "Speed").
 *
 * usage: bench-watch [datadir [warn]]   (default "data"; warn: escalation and capacity
 *        only)
 *
 * The real broker (rescuedeskd's code, an SQLite store in a temporary directory), its state
 * built in memory the way a load builds it (broker_truck_add, broker_ticket_put,
 * broker_relink) with 1 000, 10 000 and 100 000 open tickets: a tenth en route with their
 * own van (a fix a second ago), the rest new in a region where agents choose the truck,
 * called a minute ago. Every deadline is minutes away: quiet tickets.
 *
 *   tick      one monitoring pass when nothing is due, on the manual clock: the deadline
 *             queue's (broker_watch_tick), and the same with the safety sweep's slice of a
 *             500 ms tick (1/120 of the tickets: every ticket once a minute). Baseline, in
 *             the same run: the full pass of before, broker_watch_ticket of every open
 *             ticket (broker_watch_range over all of them).
 *   fix       a GPS fix of an en-route van through the feed's own path
 *             (broker_handle_feed: skew, position, track, then broker_watch_fix), committed
 *             in batches of 512 as the loop does; and the monitoring part alone
 *             (broker_watch_fix). Over HOT_VANS vans in turn, so that every size stands on
 *             the same cache footing (what the work itself costs), and over every van in
 *             turn (a tenth of the tickets: what memory adds at size). Baseline: the same
 *             figure at 1 000 open tickets.
 *   deadline  the broker's loop in a thread on the real clock, the same quiet tickets and
 *             200 more whose waiting_agent deadline falls within the next 4 s: from each
 *             deadline to its warning's publication taken off a SUB, p50, p99 and max.
 *             Baseline: the 500 ms pass of before raised a warning at the first pass after
 *             its deadline: uniform over the period, p50 250 ms, max 500 ms.
 *   escalation  the same loop with 10 000 quiet tickets and N_ESCALATIONS more whose
 *             waiting_agent turns red over DEADLINE_SPREAD_MS (escalate_after_s set to 1 s
 *             in memory): from each escalation deadline (the red change's ts + 1 s) to the
 *             publication with `escalated`. Baseline in the same run: the same with
 *             b->warn_tick_only, the loop of before (escalation on the 500 ms tick).
 *   capacity  the same loop, no ticket, one truck in each region (gps_stale_s and
 *             capacity_s set to 1 s in memory): a fix, then its region's capacity warning
 *             for trucks, CAPACITY_CYCLES times; from each deadline (fix + 1 s stale + 1 s
 *             short) to the amber publication. Baseline: the same with b->warn_tick_only.
 *
 * Times are the best of RUNS runs (tick, fix). Targets (issue 13) are reported ("ok" or
 * "MISSED"), never turned into a failure: times depend on the machine. Exits 1 when a
 * deadline's warning does not come within 5 s, else 0. */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zmq.h>

#include "broker-int.h"
#include "broker.h"
#include "proto.h"
#include "util.h"

#define RUNS 3
#define TICKS 200               /* passes timed per run (the queue's) */
#define FIXES 20000             /* fixes timed per run */
#define COMMIT_EVERY 512        /* the loop's batch */
#define HOT_VANS 100            /* the vans of the cache-equal per-fix figure */
#define N_DEADLINES 200
#define DEADLINE_SPREAD_MS 4000
#define DEADLINE_WAIT_MS 5000
#define N_ESCALATIONS 100
#define ESCALATION_OPEN 10000
#define CAPACITY_CYCLES 12
#define TARGET_DEADLINE_MS 100.0 /* a time-driven warning within 100 ms of its deadline */
#define TARGET_FIX_RATIO 1.5     /* per-fix cost at 100 000 within 1.5x that at 1 000 */

static const char *datadir;
static int bench_seq;            /* endpoints and directories unique per broker */

struct env {
	char dir[64], db[96], api[48], pub[48], feed[48], control[48];
	void *zctx;
	struct broker *b;
};

static void
env_open(struct env *e, enum broker_clock clock)
{
	struct broker_opts o;
	char *cause = NULL;

	snprintf(e->dir, sizeof e->dir, "/tmp/rd-bench-watch-XXXXXX");
	if (mkdtemp(e->dir) == NULL)
		fatal("bench-watch: mkdtemp: %s", strerror(errno));
	snprintf(e->db, sizeof e->db, "%s/bench.db", e->dir);
	bench_seq++;
	snprintf(e->api, sizeof e->api, "inproc://watch-api-%d", bench_seq);
	snprintf(e->pub, sizeof e->pub, "inproc://watch-pub-%d", bench_seq);
	snprintf(e->feed, sizeof e->feed, "inproc://watch-feed-%d", bench_seq);
	snprintf(e->control, sizeof e->control, "inproc://watch-ctl-%d", bench_seq);
	o = (struct broker_opts){ .api = e->api, .pub = e->pub, .feed = e->feed, .db = e->db,
		.data_dir = datadir, .time_scale = 1, .clock = clock,
		.control = clock == BROKER_CLOCK_MANUAL ? e->control : NULL,
		.max_memory_mb = -1 };
	e->zctx = zmq_ctx_new();
	if ((e->b = broker_create(e->zctx, &o, &cause)) == NULL)
		fatal("bench-watch: broker: %s", cause);
}

static void
env_close(struct env *e)
{
	char cmd[96];

	broker_destroy(e->b);
	zmq_ctx_term(e->zctx);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", e->dir);
	if (system(cmd) != 0)
		fprintf(stderr, "bench-watch: could not remove %s\n", e->dir);
}

/* The keys a ticket has from intake on (broker-ops.c), and those it has en route. */
#define TICKET_KEYS                                                                   \
	(PROTO_ALL & ~((uint64_t)1 << PROTO_ticket_eta | (uint64_t)1 << PROTO_ticket_eta_src | \
	    (uint64_t)1 << PROTO_ticket_t_dispatched | (uint64_t)1 << PROTO_ticket_t_accepted | \
	    (uint64_t)1 << PROTO_ticket_t_en_route | (uint64_t)1 << PROTO_ticket_t_on_scene |  \
	    (uint64_t)1 << PROTO_ticket_t_towing | (uint64_t)1 << PROTO_ticket_t_closed |      \
	    (uint64_t)1 << PROTO_ticket_truck | (uint64_t)1 << PROTO_ticket_offer_until |      \
	    BTICKET_DIAG_KEYS))
#define EN_ROUTE_KEYS                                                                 \
	((uint64_t)1 << PROTO_ticket_eta | (uint64_t)1 << PROTO_ticket_eta_src |               \
	    (uint64_t)1 << PROTO_ticket_t_dispatched | (uint64_t)1 << PROTO_ticket_t_accepted | \
	    (uint64_t)1 << PROTO_ticket_t_en_route | (uint64_t)1 << PROTO_ticket_truck)

/* A new ticket in region r (agents choose its truck), called at created. */
static void
put_waiting(struct broker *b, const struct data_region *r, int64_t created, int64_t promise_ms)
{
	struct bticket *t = xcalloc(1, sizeof *t);
	struct proto_ticket *w = &t->w;

	w->id = (int64_t)b->n_tickets + 1;
	PROTO_STRSET(w->state, "new");
	PROTO_STRSET(w->region, r->id);
	PROTO_STRSET(w->customer, "王芳");
	snprintf(w->phone, sizeof w->phone, "139%08lld", (long long)w->id);
	snprintf(w->plate, sizeof w->plate, "川U%05lld", (long long)(w->id % 100000));
	w->lat = r->lat;
	w->lon = r->lon;
	PROTO_STRSET(w->address, "马尔康市");
	PROTO_STRSET(w->fault, "battery");
	w->created = w->updated = created;
	w->promised = created + promise_ms;
	w->present = TICKET_KEYS;
	broker_ticket_put(b, t);
}

/* An en-route ticket in region r with its own van 2 km away, which sent a fix at fix_ts. */
static void
put_en_route(struct broker *b, const struct data_region *r, const char *supplier, int64_t now)
{
	struct bticket *t = xcalloc(1, sizeof *t);
	struct proto_ticket *w = &t->w;
	struct proto_truck k = { .present = PROTO_ALL };
	int64_t id = (int64_t)b->n_tickets + 1;

	snprintf(k.id, sizeof k.id, "W%07lld", (long long)id);
	PROTO_STRSET(k.supplier, supplier);
	PROTO_STRSET(k.kind, "van");
	PROTO_STRSET(k.region, r->id);
	PROTO_STRSET(k.status, "en_route");
	k.lat = r->lat + 0.018 + (double)(id % 97) * 1e-4;
	k.lon = r->lon + (double)(id % 89) * 1e-4;
	k.speed_kmh = 40;
	k.fix_ts = k.updated = now - 1000;
	k.ticket = id;
	k.present &= ~((uint64_t)1 << PROTO_truck_ver);
	broker_truck_add(b, &k);

	w->id = id;
	PROTO_STRSET(w->state, "en_route");
	PROTO_STRSET(w->region, r->id);
	PROTO_STRSET(w->customer, "李伟");
	snprintf(w->phone, sizeof w->phone, "138%08lld", (long long)id);
	snprintf(w->plate, sizeof w->plate, "湘A%05lld", (long long)(id % 100000));
	w->lat = r->lat + (double)(id % 97) * 1e-4;
	w->lon = r->lon + (double)(id % 89) * 1e-4;
	PROTO_STRSET(w->address, "长沙市芙蓉区五一大道 1 号");
	PROTO_STRSET(w->fault, "battery");
	PROTO_STRSET(w->truck, k.id);
	w->created = now - 5 * 60000;
	w->promised = w->created + 60 * 60000;
	w->t_dispatched = w->t_accepted = w->t_en_route = now - 4 * 60000;
	w->eta = now + 5 * 60000;
	PROTO_STRSET(w->eta_src, "model");
	w->updated = now - 60000;
	w->present = TICKET_KEYS | EN_ROUTE_KEYS;
	broker_ticket_put(b, t);
}

/* n quiet open tickets at broker time now: a tenth en route with a van, the rest waiting
 * in the manual region; then the relink of a load. */
static void
populate(struct broker *b, int n, int64_t now)
{
	const struct data_region *town = data_region(b->data, "changsha");
	const struct data_region *hills = data_region(b->data, "aba");

	if (town == NULL || hills == NULL || town->n_suppliers == 0 || hills->auto_dispatch)
		fatal("bench-watch: the data needs changsha (with suppliers) and aba (agents "
		    "dispatch)");
	for (int i = 0; i < n; i++) {
		if (i % 10 == 0)
			put_en_route(b, town, town->suppliers[i / 10 % town->n_suppliers].id, now);
		else
			put_waiting(b, hills, now - 60000, 24 * 3600000LL);
	}
	broker_relink(b);
}

static int64_t
best_of(int64_t a, int64_t b)
{
	return a < b ? a : b;
}

/* ---------------------------------------------------------------- tick and fix */

struct cost {
	double queue_us, slice_us, full_us;   /* per pass */
	double dispatch_us;                   /* per dispatch tick (reference) */
	double fix_us, watch_us;              /* per fix, every van in turn */
	double hot_fix_us, hot_watch_us;      /* per fix, HOT_VANS vans in turn */
};

/* Move the manual clock on by ms. */
static int64_t
step(struct broker *b, int64_t ms)
{
	b->stepped += ms;
	return broker_now(b);
}

static void
commit(struct broker *b)
{
	if (!broker_commit(b))
		fatal("bench-watch: commit failed");
	for (size_t i = 0; i < b->n_pubs; i++)	/* the loop would send them */
		free(b->pubs[i].body);
	b->n_pubs = 0;
}

/* Per fix, over the first vans of b->trucks in turn, each a few metres on from its last:
 * through the feed's path (*feed_us) and the monitoring part alone (*watch_us). */
static void
fix_costs(struct broker *b, size_t vans, double *feed_us, double *watch_us)
{
	int64_t best = INT64_MAX, best_watch = INT64_MAX, t0;

	for (int r = 0; r < RUNS; r++) {
		struct proto_feed f = { .type = PROTO_MSG_fix };
		struct proto_fix *x = &f.msg.fix;
		int64_t watch_ns = 0;

		t0 = rd_mono_ns();
		for (int i = 0; i < FIXES; i++) {
			struct btruck *k = b->trucks[(size_t)i % vans];
			int64_t now = step(b, 1);
			*x = (struct proto_fix){ .lat = k->w.lat - 2e-5, .lon = k->w.lon,
				.speed_kmh = 40, .heading = 180, .ts = now, .present = PROTO_ALL };
			rd_strlcpy(x->truck, k->w.id, sizeof x->truck);
			broker_handle_feed(b, &f);
			if (i % COMMIT_EVERY == COMMIT_EVERY - 1)
				commit(b);
		}
		commit(b);
		best = best_of(best, rd_mono_ns() - t0);
		for (int i = 0; i < FIXES; i++) {
			struct btruck *k = b->trucks[(size_t)i % vans];
			int64_t s0 = rd_mono_ns();
			broker_watch_fix(b, k, step(b, 1));
			watch_ns += rd_mono_ns() - s0;
			if (i % COMMIT_EVERY == COMMIT_EVERY - 1)
				commit(b);
		}
		commit(b);
		best_watch = best_of(best_watch, watch_ns);
	}
	*feed_us = (double)best / FIXES / 1e3;
	*watch_us = (double)best_watch / FIXES / 1e3;
}

static void
bench_costs(int n, struct cost *c)
{
	struct env e;
	struct broker *b;
	int64_t now, t0, best;
	size_t n_route = (size_t)(n + 9) / 10;

	env_open(&e, BROKER_CLOCK_MANUAL);
	b = e.b;
	now = broker_now(b);
	populate(b, n, now);
	broker_watch_tick(b, now);	/* the first pass queues every ticket loaded */
	commit(b);

	/* the queue's pass, nothing due (1 ms apart: no deadline comes) */
	best = INT64_MAX;
	for (int r = 0; r < RUNS; r++) {
		t0 = rd_mono_ns();
		for (int i = 0; i < TICKS; i++)
			broker_watch_tick(b, step(b, 1));
		best = best_of(best, rd_mono_ns() - t0);
		commit(b);
	}
	c->queue_us = (double)best / TICKS / 1e3;

	/* the same with the sweep's slice of a 500 ms tick */
	size_t slice = b->n_tickets / 120 + 1, at = 0;
	best = INT64_MAX;
	for (int r = 0; r < RUNS; r++) {
		t0 = rd_mono_ns();
		for (int i = 0; i < TICKS; i++) {
			now = step(b, 1);
			broker_watch_tick(b, now);
			broker_watch_range(b, at, at + slice, now);
			at = at + slice >= b->n_tickets ? 0 : at + slice;
		}
		best = best_of(best, rd_mono_ns() - t0);
		commit(b);
	}
	c->slice_us = (double)best / TICKS / 1e3;

	/* for reference, the dispatch tick's scans the loop runs with it (broker-dispatch.c) */
	best = INT64_MAX;
	for (int r = 0; r < RUNS; r++) {
		t0 = rd_mono_ns();
		for (int i = 0; i < TICKS; i++)
			broker_dispatch_tick(b, step(b, 1));
		best = best_of(best, rd_mono_ns() - t0);
		commit(b);
	}
	c->dispatch_us = (double)best / TICKS / 1e3;

	/* the full pass of before */
	int full = n >= 100000 ? 5 : n >= 10000 ? 20 : 100;
	best = INT64_MAX;
	for (int r = 0; r < RUNS; r++) {
		t0 = rd_mono_ns();
		for (int i = 0; i < full; i++)
			broker_watch_range(b, 0, b->n_tickets, step(b, 1));
		best = best_of(best, rd_mono_ns() - t0);
		commit(b);
	}
	c->full_us = (double)best / full / 1e3;

	/* fixes of the en-route vans, each a few metres on from its last */
	if (b->n_trucks != n_route)
		fatal("bench-watch: %zu trucks, want %zu", b->n_trucks, n_route);
	for (size_t i = 0; i < n_route; i++)
		if (b->trucks[i]->job == NULL || b->trucks[i]->job->truck != b->trucks[i])
			fatal("bench-watch: van %zu has no job", i);
	uint64_t fixes0 = b->st.fixes;
	fix_costs(b, HOT_VANS, &c->hot_fix_us, &c->hot_watch_us);
	fix_costs(b, n_route, &c->fix_us, &c->watch_us);
	if (b->st.fixes - fixes0 != 2ULL * RUNS * FIXES)
		fatal("bench-watch: %llu of %d fixes taken", (unsigned long long)(b->st.fixes -
		    fixes0), 2 * RUNS * FIXES);
	if (b->n_warns_active != 0)
		fprintf(stderr, "bench-watch: %zu warnings raised among quiet tickets\n",
		    b->n_warns_active);
	env_close(&e);
}

/* ---------------------------------------------------------------- deadline to warning */

static volatile sig_atomic_t run_stop;

static void *
run_thread(void *arg)
{
	broker_run(arg, &run_stop);
	return NULL;
}

static int
cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

/* From each of N_DEADLINES waiting_agent deadlines among n quiet tickets to its warning
 * taken off a SUB, in µs; p50, p99 and max into out[0..2] (ms). -1 when one did not come. */
static int
bench_deadlines(int n, double out[3])
{
	struct env e;
	struct broker *b;
	pthread_t th;
	int64_t lat_us[N_DEADLINES], deadline[N_DEADLINES];
	int64_t first_id, got = 0;
	int rc = 0, zero = 0;

	env_open(&e, BROKER_CLOCK_MONOTONIC);
	b = e.b;
	int64_t now = broker_now(b);
	const struct data_region *hills = data_region(b->data, "aba");
	int64_t limit = (int64_t)b->data->sla.waiting_agent_s * 1000;
	populate(b, n, now);
	first_id = (int64_t)b->n_tickets + 1;
	for (int i = 0; i < N_DEADLINES; i++) {
		/* due 1 s from now and on, spread over DEADLINE_SPREAD_MS */
		int64_t due = now + 1000 + (int64_t)i * DEADLINE_SPREAD_MS / N_DEADLINES + i % 7;
		put_waiting(b, hills, due - limit - 1, 24 * 3600000LL);
		deadline[i] = due;
	}
	broker_relink(b);

	void *sub = zmq_socket(e.zctx, ZMQ_SUB);
	zmq_setsockopt(sub, ZMQ_LINGER, &zero, sizeof zero);
	zmq_setsockopt(sub, ZMQ_SUBSCRIBE, "warning", 7);
	if (zmq_connect(sub, e.pub) != 0)
		fatal("bench-watch: sub: %s", zmq_strerror(errno));
	run_stop = 0;
	pthread_create(&th, NULL, run_thread, b);

	int64_t until = rd_mono_ms() + DEADLINE_SPREAD_MS + 1000 + DEADLINE_WAIT_MS;
	for (int i = 0; i < N_DEADLINES; i++)
		lat_us[i] = -1;
	while (got < N_DEADLINES && rd_mono_ms() < until) {
		zmq_pollitem_t it = { sub, 0, ZMQ_POLLIN, 0 };
		char topic[32], body[4096];
		struct proto_pub p;
		struct proto_error err;

		if (zmq_poll(&it, 1, 100) <= 0)
			continue;
		int64_t at = rd_mono_ns();
		int tl = zmq_recv(sub, topic, sizeof topic, 0);
		int bl = zmq_recv(sub, body, sizeof body, 0);
		if (tl < 0 || bl < 0 || bl > (int)sizeof body ||
		    proto_decode_pub(topic, (size_t)tl, body, (size_t)bl, &p, &err) < 0 ||
		    p.topic != PROTO_TOPIC_WARNING)
			continue;
		int64_t i = p.u.warning.ticket - first_id;
		if (i < 0 || i >= N_DEADLINES || lat_us[i] >= 0 ||
		    strcmp(p.u.warning.kind, "waiting_agent") != 0)
			continue;
		/* the deadline in monotonic ns: broker time is t0_broker + (mono - t0_mono) */
		int64_t due_ns = (b->t0_mono + (deadline[i] - b->t0_broker)) * 1000000LL;
		lat_us[i] = (at - due_ns) / 1000;
		got++;
	}
	run_stop = 1;
	pthread_join(th, NULL);
	zmq_close(sub);
	if (got < N_DEADLINES) {
		printf("  %6d open tickets: %lld of %d deadlines raised no warning within %d ms\n",
		    n, (long long)(N_DEADLINES - got), N_DEADLINES, DEADLINE_WAIT_MS);
		rc = -1;
	} else {
		qsort(lat_us, N_DEADLINES, sizeof lat_us[0], cmp_i64);
		int i99 = (N_DEADLINES * 99 + 99) / 100 - 1;
		out[0] = (double)lat_us[(N_DEADLINES - 1) / 2] / 1e3;
		out[1] = (double)lat_us[i99] / 1e3;
		out[2] = (double)lat_us[N_DEADLINES - 1] / 1e3;
	}
	env_close(&e);
	return rc;
}

/* p50, p99 and max of the n latencies lat_us into out[0..2] (ms); sorts lat_us. */
static void
percentiles(int64_t *lat_us, int n, double out[3])
{
	qsort(lat_us, (size_t)n, sizeof lat_us[0], cmp_i64);
	int i99 = (n * 99 + 99) / 100 - 1;
	out[0] = (double)lat_us[(n - 1) / 2] / 1e3;
	out[1] = (double)lat_us[i99] / 1e3;
	out[2] = (double)lat_us[n - 1] / 1e3;
}

/* A broker time of b in monotonic ns (broker time is t0_broker + (mono - t0_mono)). */
static int64_t
mono_ns_of(const struct broker *b, int64_t broker_ms)
{
	return (b->t0_mono + (broker_ms - b->t0_broker)) * 1000000LL;
}

/* The next warning publication on sub within until (mono ms): true with it in *w. */
static bool
next_warning(void *sub, int64_t until, struct proto_warning *w, int64_t *at_ns)
{
	while (rd_mono_ms() < until) {
		zmq_pollitem_t it = { sub, 0, ZMQ_POLLIN, 0 };
		char topic[32], body[4096];
		struct proto_pub p;
		struct proto_error err;

		if (zmq_poll(&it, 1, 100) <= 0)
			continue;
		*at_ns = rd_mono_ns();
		int tl = zmq_recv(sub, topic, sizeof topic, 0);
		int bl = zmq_recv(sub, body, sizeof body, 0);
		if (tl < 0 || bl < 0 || bl > (int)sizeof body ||
		    proto_decode_pub(topic, (size_t)tl, body, (size_t)bl, &p, &err) < 0 ||
		    p.topic != PROTO_TOPIC_WARNING)
			continue;
		*w = p.u.warning;
		return true;
	}
	return false;
}

static void *
sub_open(struct env *e)
{
	int zero = 0;
	void *sub = zmq_socket(e->zctx, ZMQ_SUB);

	zmq_setsockopt(sub, ZMQ_LINGER, &zero, sizeof zero);
	zmq_setsockopt(sub, ZMQ_SUBSCRIBE, "warning", 7);
	if (zmq_connect(sub, e->pub) != 0)
		fatal("bench-watch: sub: %s", zmq_strerror(errno));
	return sub;
}

/* From each of N_ESCALATIONS escalation deadlines among ESCALATION_OPEN quiet tickets to
 * the publication of its escalation, in µs; p50, p99, max into out (ms). tick_only: the
 * loop of before. -1 when one did not come. */
static int
bench_escalation(bool tick_only, double out[3])
{
	struct env e;
	struct broker *b;
	pthread_t th;
	int64_t lat_us[N_ESCALATIONS], first_id, got = 0;
	int rc = 0;

	env_open(&e, BROKER_CLOCK_MONOTONIC);
	b = e.b;
	b->warn_tick_only = tick_only;
	b->data->sla.escalate_after_s = 1;
	int64_t after = 1000, now = broker_now(b);
	int64_t limit = (int64_t)b->data->sla.waiting_agent_s * 1000;
	const struct data_region *hills = data_region(b->data, "aba");
	populate(b, ESCALATION_OPEN, now);
	first_id = (int64_t)b->n_tickets + 1;
	for (int i = 0; i < N_ESCALATIONS; i++) {
		/* waiting_agent turns red (3 x waiting_agent_s) 1 s from now and on */
		int64_t red = now + 1000 + (int64_t)i * DEADLINE_SPREAD_MS / N_ESCALATIONS + i % 7;
		put_waiting(b, hills, red - 3 * limit - 1, 24 * 3600000LL);
		lat_us[i] = -1;
	}
	broker_relink(b);
	void *sub = sub_open(&e);
	run_stop = 0;
	pthread_create(&th, NULL, run_thread, b);
	int64_t until = rd_mono_ms() + DEADLINE_SPREAD_MS + 1000 + after + DEADLINE_WAIT_MS;
	struct proto_warning w;
	int64_t at;
	while (got < N_ESCALATIONS && next_warning(sub, until, &w, &at)) {
		int64_t i = w.ticket - first_id;
		if (i < 0 || i >= N_ESCALATIONS || lat_us[i] >= 0 ||
		    !PROTO_HAS(&w, warning, escalated) || w.escalated <= 0)
			continue;
		/* an escalation keeps the ts of the change to red: its clock's start */
		lat_us[i] = (at - mono_ns_of(b, w.ts + after)) / 1000;
		got++;
	}
	run_stop = 1;
	pthread_join(th, NULL);
	zmq_close(sub);
	if (got < N_ESCALATIONS) {
		printf("  %lld of %d escalations did not come within %d ms\n",
		    (long long)(N_ESCALATIONS - got), N_ESCALATIONS, DEADLINE_WAIT_MS);
		rc = -1;
	} else {
		percentiles(lat_us, N_ESCALATIONS, out);
	}
	env_close(&e);
	return rc;
}

/* A fix of truck id at broker time ts, through the feed. */
static void
push_fix(void *push, const char *id, double lat, double lon, int64_t ts)
{
	struct proto_fix f = { .lat = lat, .lon = lon, .ts = ts, .present = 0 };
	struct proto_buf pb;

	PROTO_STRSET(f.truck, id);
	PROTO_SET(&f, fix, truck);
	PROTO_SET(&f, fix, lat);
	PROTO_SET(&f, fix, lon);
	PROTO_SET(&f, fix, ts);
	proto_buf_init(&pb);
	proto_encode_feed(&pb, PROTO_MSG_fix, &f);
	if (zmq_send(push, pb.data, pb.len, 0) != (int)pb.len)
		fatal("bench-watch: push: %s", zmq_strerror(errno));
	proto_buf_finish(&pb);
}

/* One truck a region, CAPACITY_CYCLES times a fix and the region's capacity warning: from
 * each deadline to its publication, in µs; p50, p99, max into out (ms); *n the samples.
 * tick_only: the loop of before. -1 when one did not come. */
static int
bench_capacity(bool tick_only, double out[3], int *n)
{
	struct env e;
	struct broker *b;
	pthread_t th;
	enum { MAXR = 16 };
	int64_t lat_us[MAXR * CAPACITY_CYCLES], fix_ts[MAXR];
	char ids[MAXR][24];
	const struct data_region *regs[MAXR];
	int rc = 0, zero = 0, nr = 0, got = 0;

	env_open(&e, BROKER_CLOCK_MONOTONIC);
	b = e.b;
	b->warn_tick_only = tick_only;
	b->data->sla.gps_stale_s = 1;
	b->data->sla.capacity_s = 1;
	int64_t stale = 1000, limit = 1000, now = broker_now(b);
	for (size_t r = 0; r < b->data->n_regions && nr < MAXR; r++) {
		const struct data_region *reg = &b->data->regions[r];
		struct proto_truck k = { .present = PROTO_ALL };
		if (reg->n_suppliers == 0)
			continue;
		snprintf(ids[nr], sizeof ids[nr], "CAP%d", nr);
		PROTO_STRSET(k.id, ids[nr]);
		PROTO_STRSET(k.supplier, reg->suppliers[0].id);
		PROTO_STRSET(k.kind, "van");
		PROTO_STRSET(k.region, reg->id);
		PROTO_STRSET(k.status, "available");
		k.lat = reg->lat;
		k.lon = reg->lon;
		k.fix_ts = k.updated = now;
		k.present &= ~((uint64_t)1 << PROTO_truck_ver | (uint64_t)1 << PROTO_truck_ticket |
		    (uint64_t)1 << PROTO_truck_next);
		broker_truck_add(b, &k);
		regs[nr++] = reg;
	}
	broker_relink(b);
	void *sub = sub_open(&e);
	void *push = zmq_socket(e.zctx, ZMQ_PUSH);
	zmq_setsockopt(push, ZMQ_LINGER, &zero, sizeof zero);
	if (zmq_connect(push, e.feed) != 0)
		fatal("bench-watch: push: %s", zmq_strerror(errno));
	run_stop = 0;
	pthread_create(&th, NULL, run_thread, b);
	for (int c = 0; c < CAPACITY_CYCLES && rc == 0; c++) {
		/* fresh fixes, the regions 150 ms apart so their deadlines do not coincide */
		for (int r = 0; r < nr; r++) {
			if (r > 0)
				usleep(150000);
			fix_ts[r] = broker_now(b);
			push_fix(push, ids[r], regs[r]->lat, regs[r]->lon, fix_ts[r]);
		}
		int left = nr;
		bool seen[MAXR] = { false };
		int64_t until = rd_mono_ms() + stale + limit + DEADLINE_WAIT_MS;
		struct proto_warning w;
		int64_t at;
		while (left > 0 && next_warning(sub, until, &w, &at)) {
			if (w.ticket != 0 || w.cleared || strcmp(w.level, "amber") != 0 ||
			    (PROTO_HAS(&w, warning, reason) && strcmp(w.reason, "trucks") != 0))
				continue;
			for (int r = 0; r < nr; r++) {
				if (seen[r] || strcmp(w.region, regs[r]->id) != 0)
					continue;
				/* stale from fix + stale + 1, amber from 1 + limit after that */
				int64_t due = fix_ts[r] + stale + 1 + limit + 1;
				lat_us[got++] = (at - mono_ns_of(b, due)) / 1000;
				seen[r] = true;
				left--;
			}
		}
		if (left > 0) {
			printf("  %d capacity warnings did not come within %d ms\n", left,
			    DEADLINE_WAIT_MS);
			rc = -1;
		}
	}
	run_stop = 1;
	pthread_join(th, NULL);
	zmq_close(sub);
	zmq_close(push);
	if (rc == 0)
		percentiles(lat_us, got, out);
	*n = got;
	env_close(&e);
	return rc;
}

/* ---------------------------------------------------------------- main */

int
main(int argc, char **argv)
{
	static const int sizes[] = { 1000, 10000, 100000 };
	struct cost c[3];
	int rc = 0;
	int64_t t0 = rd_mono_ns();

	datadir = argc > 1 ? argv[1] : "data";
	setenv("TZ", "UTC", 1);
	log_set(stderr, LOG_WARN);
	if (argc > 2 && strcmp(argv[2], "warn") == 0)
		goto warn;

	printf("monitoring cost (the real broker's state built in memory: a tenth of the open "
	    "tickets en route with a van, the rest waiting in a region where agents dispatch; "
	    "nothing due; best of %d runs)\n", RUNS);
	printf("  %7s  %11s  %14s  %14s  %6s  %20s  %20s\n", "open", "queue pass",
	    "+ sweep slice", "full (before)", "ratio", "fix: feed / watch", "(every van)");
	for (int i = 0; i < 3; i++) {
		bench_costs(sizes[i], &c[i]);
		printf("  %7d  %8.1f us  %11.1f us  %11.1f us  %5.0fx  %7.2f / %5.2f us  "
		    "%7.2f / %5.2f us\n", sizes[i], c[i].queue_us, c[i].slice_us, c[i].full_us,
		    c[i].full_us / (c[i].slice_us > 0 ? c[i].slice_us : 1), c[i].hot_fix_us,
		    c[i].hot_watch_us, c[i].fix_us, c[i].watch_us);
	}
	printf("  ratio: the full pass of before over the queue's pass with its sweep slice, per "
	    "500 ms tick;\n  fix: through broker_handle_feed / broker_watch_fix alone, %d vans "
	    "in turn (same cache footing at every size); every van: a tenth of the tickets in "
	    "turn\n", HOT_VANS);
	for (int i = 0; i < 3; i++)
		printf("  for reference, the dispatch tick at %6d open (not monitoring: its scans "
		    "for offers past their time and diagnosis holds): %.1f us\n", sizes[i],
		    c[i].dispatch_us);
	for (int i = 1; i < 3; i++)
		printf("  per fix at %6d against %d (baseline): feed %.2fx, watch %.2fx; every van: "
		    "feed %.2fx, watch %.2fx   target watch < %.1fx: %s\n", sizes[i], sizes[0],
		    c[i].hot_fix_us / c[0].hot_fix_us, c[i].hot_watch_us / c[0].hot_watch_us,
		    c[i].fix_us / c[0].fix_us, c[i].watch_us / c[0].watch_us, TARGET_FIX_RATIO,
		    c[i].hot_watch_us / c[0].hot_watch_us < TARGET_FIX_RATIO ? "ok" : "MISSED");

	printf("\ndeadline to warning (the broker's loop on the real clock, %d waiting_agent "
	    "deadlines over %d ms among the quiet tickets; to the publication taken off a SUB)\n",
	    N_DEADLINES, DEADLINE_SPREAD_MS);
	for (int i = 0; i < 3; i++) {
		double l[3];
		if (bench_deadlines(sizes[i], l) < 0) {
			rc = 1;
			continue;
		}
		printf("  %7d open: p50 %6.1f ms  p99 %6.1f ms  max %6.1f ms   baseline (the 500 ms "
		    "pass of before): p50 250 ms, max 500 ms   target max < %.0f ms: %s\n",
		    sizes[i], l[0], l[1], l[2], TARGET_DEADLINE_MS,
		    l[2] < TARGET_DEADLINE_MS ? "ok" : "MISSED");
	}

warn:
	printf("\nescalation: deadline to publication (the loop on the real clock, %d open "
	    "tickets, %d red warnings escalating over %d ms; escalate_after_s 1)\n",
	    ESCALATION_OPEN + N_ESCALATIONS, N_ESCALATIONS, DEADLINE_SPREAD_MS);
	for (int m = 0; m < 2; m++) {
		double l[3];
		if (bench_escalation(m == 1, l) < 0) {
			rc = 1;
			continue;
		}
		printf("  %-26s p50 %6.1f ms  p99 %6.1f ms  max %6.1f ms%s%s\n", m == 0 ?
		    "deadlines (this loop):" : "500 ms tick (baseline):", l[0], l[1], l[2],
		    m == 0 ? "   target max < 100 ms: " : "", m == 0 ? (l[2] < TARGET_DEADLINE_MS ?
		    "ok" : "MISSED") : "");
	}
	printf("\ncapacity: deadline to publication (the loop on the real clock, one truck a "
	    "region going stale, %d cycles; gps_stale_s 1, capacity_s 1)\n", CAPACITY_CYCLES);
	for (int m = 0; m < 2; m++) {
		double l[3];
		int n = 0;
		if (bench_capacity(m == 1, l, &n) < 0) {
			rc = 1;
			continue;
		}
		printf("  %-26s p50 %6.1f ms  p99 %6.1f ms  max %6.1f ms  (%d warnings)%s%s\n",
		    m == 0 ? "deadlines (this loop):" : "500 ms tick (baseline):", l[0], l[1], l[2],
		    n, m == 0 ? "   target max < 100 ms: " : "", m == 0 ?
		    (l[2] < TARGET_DEADLINE_MS ? "ok" : "MISSED") : "");
	}
	printf("\ntotal %.1f s\n", (double)(rd_mono_ns() - t0) / 1e9);
	return rc;
}
