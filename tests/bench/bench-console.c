/* bench-console.c: the console's apply, draw and output costs with 10 000 tickets.
 *
 * usage: bench-console [datadir]   (default "data": regions and i18n/en.ini)
 *
 * Fixed data (a seeded generator: Chinese names, addresses, plates; 10 000 tickets, 2 000
 * trucks, 300 warnings) stands in for the broker. Every figure is printed next to a
 * baseline measured in the same run, with the ratio:
 *
 *   memory   VmRSS of the replica's tables, the model, the board view, a 200x60 vscreen
 *            and curses on xterm-256color; measured first, before the frames of the next
 *            part are allocated.
 *   apply    ticket updates as the console applies them: replica_apply_pub() of
 *            pre-encoded publications on a replica without sockets (src/client/replica.c's own
 *            path: decode, stream seq check, key, hmap lookup, ver check, heap copy,
 *            hmap_put, change notification, free of the old copy), then what ui/app.c does
 *            each loop turn: mark the model stale, and refresh it (the tables into pointer
 *            arrays, model_refresh(): warning levels and board_rebuild over all tickets)
 *            only when model_refresh_wait() says it is due (at most every
 *            MODEL_REFRESH_MS). The refresh alone is timed incremental (ui/board.h: the
 *            cache of the last rebuild) and full (board_forget first, as before it).
 *            Batches of 1, 10, 100 and 1000 updates per loop turn, each
 *            also with a refresh every turn (as before pacing) for reference; then the
 *            refresh rate at offered update rates of 100 to 100 000 a second. Baseline:
 *            memcpy of the same decoded structs into an array indexed by id.
 *   draw     view_draw() of the board into a 200x60 vscreen, and with term_blit() to a
 *            temporary file (curses on xterm-256color). Baseline: vscreen_fill() of the
 *            whole screen. For reference, the same screen drawn from a model of only 60
 *            tickets: the difference is the view's per-frame passes over all tickets.
 *   bytes    bytes written to the terminal when one ticket changes (its state; its
 *            countdown) and when the clock moves a minute, against a full repaint
 *            (term_repaint() then term_blit()), at 200x60 and 80x24.
 *   latency  from a GPS fix sent to the broker to the warning it causes in a console's
 *            model, p50, p99 and max at 1 000 and 10 000 open tickets: the broker in a
 *            thread, a headless console (rpc, replica, paced model) over TCP
 *            (bench_latency_at). Target: p99 under 5 ms at 10 000 (issue 13). Baselines,
 *            in the same run, the probes interleaved: the same at once with a full
 *            refresh (board_forget before each: the refresh before the board was
 *            incremental), and the model paced only (as before model_urgent refreshed it
 *            at once for a warning).
 *
 * Exits 1 if the replica and the memcpy baseline disagree after applying the same
 * updates or a fix raises no warning, 77 when the terminal cannot be set up (no terminfo for xterm-256color), else 0.
 * Targets are reported ("ok" or "MISSED"), never turned into a failure: times depend on
 * the machine. Times are the best of RUNS runs; byte counts are exact and repeatable. */
#include <errno.h>
#include <locale.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

#include "broker.h"
#include "data.h"
#include "i18n.h"
#include "model.h"
#include "proto.h"
#include "replica.h"
#include "rpc.h"
#include "rng.h"
#include "term.h"
#include "ticket.h"
#include "util.h"
#include "view-board.h"
#include "view.h"
#include "vscreen.h"

#define N_TICKETS 10000
#define N_TRUCKS 2000
#define N_WARNINGS 300
#define N_UPDATES 20000
#define EPOCH 1
#define MIN_MS (60 * 1000LL)
#define NOW0 1773468300000LL	/* 2026-03-14 06:05:00 UTC */

#define TARGET_UPDATES_S 200000.0
#define TARGET_FRAME_US 2000.0
#define TARGET_RSS_MB 64.0
#define TARGET_FIX_MODEL_MS 5.0	/* issue 13: a fix's warning in the model, p99, 10 000 open */
#define RUNS 3 /* timings are the best of this many runs */

/* ---------------------------------------------------------------- deterministic data */

static struct rng rnd; /* seeded in main */
static struct data *bench_data; /* the reference data, for the latency part's model */

#define PICK(a) ((a)[rng_below(&rnd, (uint32_t)ARRAY_LEN(a))])

static const char *const surnames[] = { "王", "李", "张", "刘", "陈", "杨", "黄", "赵",
	"吴", "周", "徐", "孙", "马", "朱", "胡", "郭", "何", "林", "罗", "欧阳", "司马", "诸葛" };
static const char *const given[] = { "伟", "芳", "娜娜", "秀英", "敏", "静", "丽", "强",
	"磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "秀兰", "霞", "平", "浩睿",
	"子涵", "雨桐" };
static const char *const roads[] = { "麓山南路", "芙蓉中路一段", "韶山中路", "湘江中路",
	"五一大道", "星沙大道", "金星北路", "雷锋大道", "人民东路", "花明路", "玉潭镇新康路",
	"马尔康镇达萨街", "G4京港澳高速", "G5513长张高速" };
static const char *const districts[] = { "长沙市岳麓区", "长沙市开福区", "长沙市雨花区",
	"长沙市天心区", "长沙县", "宁乡市", "阿坝州马尔康市" };
static const char *const landmarks[] = { "五一广场 Wuyi Square",
	"长沙南站 Changsha South Railway Station", "岳麓山 Yuelu Mountain",
	"黄花机场 Huanghua Airport", "灰汤温泉 Huitang Hot Spring", "宁乡高铁站" };
static const char *const car_models[] = { "比亚迪 汉 EV", "吉利帝豪", "大众朗逸", "丰田卡罗拉",
	"五菱宏光", "长安CS75", "特斯拉 Model 3", "本田雅阁" };
static const char *const regions[] = { "changsha", "changsha", "changsha", "ningxiang",
	"aba" };
static const char *const notes[] = { "客户在服务区等候", "车上有老人和小孩", "电话无人接听，稍后再拨",
	"客户要求拖到4S店", "已告知预计到达时间" };
static const char *const warn_kinds[] = { "eta_late", "not_accepted", "stalled", "gps_lost",
	"overdue" };

/* Optional keys left out when a ticket has no ETA yet. */
#define NO_ETA ((uint64_t)1 << PROTO_ticket_eta | (uint64_t)1 << PROTO_ticket_eta_src)

static void
gen_ticket(struct proto_ticket *t, int64_t id)
{
	/* A busy evening: mostly open tickets, a tail of closed ones. */
	static const enum ticket_state mix[] = { TICKET_NEW, TICKET_DISPATCHED,
		TICKET_DISPATCHED, TICKET_ACCEPTED, TICKET_ACCEPTED, TICKET_ACCEPTED,
		TICKET_EN_ROUTE, TICKET_EN_ROUTE, TICKET_EN_ROUTE, TICKET_EN_ROUTE,
		TICKET_EN_ROUTE, TICKET_EN_ROUTE, TICKET_ON_SCENE, TICKET_ON_SCENE, TICKET_TOWING,
		TICKET_COMPLETED, TICKET_COMPLETED, TICKET_COMPLETED, TICKET_CANCELLED,
		TICKET_RESOLVED_REMOTE };
	enum ticket_state s = PICK(mix);
	char buf[256];

	memset(t, 0, sizeof *t);
	t->present = PROTO_ALL;
	t->id = id;
	PROTO_STRSET(t->state, ticket_state_name(s));
	PROTO_STRSET(t->region, PICK(regions));
	snprintf(buf, sizeof buf, "%s%s", PICK(surnames), PICK(given));
	PROTO_STRSET(t->customer, buf);
	snprintf(buf, sizeof buf, "1%u%09u", 3 + rng_below(&rnd, 7), rng_below(&rnd, 1000000000));
	PROTO_STRSET(t->phone, buf);
	snprintf(buf, sizeof buf, "湘A%c%04u", 'A' + rng_below(&rnd, 26), rng_below(&rnd, 10000));
	PROTO_STRSET(t->plate, buf);
	PROTO_STRSET(t->model, PICK(car_models));
	t->lat = 28.0 + (double)rng_below(&rnd, 60000) / 100000.0;
	t->lon = 112.5 + (double)rng_below(&rnd, 60000) / 100000.0;
	snprintf(buf, sizeof buf, "%s%s%u号", PICK(districts), PICK(roads), 1 + rng_below(&rnd, 999));
	PROTO_STRSET(t->address, buf);
	if (rng_below(&rnd, 4) == 0)
		PROTO_STRSET(t->landmark, PICK(landmarks));
	PROTO_STRSET(t->fault, ticket_fault_name((enum ticket_fault)rng_below(&rnd, FAULT_COUNT)));
	t->flags = rng_below(&rnd, 8) == 0 ? (int64_t)(1u << rng_below(&rnd, 4)) : 0;
	t->priority = ticket_priority((uint32_t)t->flags,
	    (enum ticket_fault)ticket_fault_parse(t->fault));
	if (s != TICKET_NEW && s != TICKET_CANCELLED && s != TICKET_RESOLVED_REMOTE) {
		snprintf(buf, sizeof buf, "CS-%c%c-V%02u", 'A' + rng_below(&rnd, 26), 'A' + rng_below(&rnd, 26),
		    1 + rng_below(&rnd, 30));
		PROTO_STRSET(t->truck, buf);
	}
	t->created = NOW0 - (int64_t)rng_below(&rnd, 180) * MIN_MS - (int64_t)rng_below(&rnd, 60000);
	t->promised = t->created + (rng_below(&rnd, 3) == 0 ? 60 : 45) * MIN_MS;
	if (s == TICKET_ACCEPTED || s == TICKET_EN_ROUTE) {
		t->eta = NOW0 + (int64_t)(2 + rng_below(&rnd, 70)) * MIN_MS;
		PROTO_STRSET(t->eta_src, rng_below(&rnd, 3) == 0 ? "supplier" : "model");
	} else
		t->present &= ~NO_ETA;
	if (s >= TICKET_DISPATCHED)
		t->t_dispatched = t->created + 2 * MIN_MS;
	if (s >= TICKET_ACCEPTED)
		t->t_accepted = t->created + 4 * MIN_MS;
	if (s >= TICKET_EN_ROUTE)
		t->t_en_route = t->created + 6 * MIN_MS;
	if (s >= TICKET_ON_SCENE)
		t->t_on_scene = t->created + 40 * MIN_MS;
	if (ticket_state_final(s))
		t->t_closed = t->created + 90 * MIN_MS;
	t->updated = t->created;
	t->ver = 0; /* set from the snapshot's seqs by the caller */
}

static void
gen_truck(struct proto_truck *k, int i)
{
	static const char *const rg[] = { "CS", "NX", "AB" };
	static const char *const rgid[] = { "changsha", "ningxiang", "aba" };
	static const char *const sup[] = { "XJ", "KF", "YH", "XS", "YT", "JZ", "MK", "LX" };
	static const char kinds[] = { 'V', 'W', 'F', 'H' };
	static const char *const status[] = { "available", "available", "assigned", "en_route",
		"en_route", "on_scene", "towing", "off_duty" };
	int r = i % 3, s = i / 3 % 8, kd = i / 24 % 4, n = i / 96 + 1;
	char buf[32];

	memset(k, 0, sizeof *k);
	k->present = PROTO_ALL;
	snprintf(buf, sizeof buf, "%s-%s-%c%02d", rg[r], sup[s], kinds[kd], n);
	PROTO_STRSET(k->id, buf);
	PROTO_STRSET(k->supplier, sup[s]);
	PROTO_STRSET(k->kind, truck_kind_name((enum truck_kind)kd));
	PROTO_STRSET(k->region, rgid[r]);
	PROTO_STRSET(k->status, PICK(status));
	k->lat = 28.0 + (double)rng_below(&rnd, 60000) / 100000.0;
	k->lon = 112.5 + (double)rng_below(&rnd, 60000) / 100000.0;
	k->speed_kmh = (double)rng_below(&rnd, 80);
	k->fix_ts = NOW0 - (int64_t)rng_below(&rnd, 120000);
	k->updated = k->fix_ts;
	k->ver = i + 1;
}

static void
gen_warning(struct proto_warning *w, int i)
{
	memset(w, 0, sizeof *w);
	w->present = PROTO_ALL;
	w->id = i + 1;
	w->ticket = 1 + (int64_t)rng_below(&rnd, N_TICKETS);
	PROTO_STRSET(w->kind, PICK(warn_kinds));
	PROTO_STRSET(w->level, rng_below(&rnd, 3) == 0 ? "red" : "amber");
	PROTO_STRSET(w->text, "预计到达时间晚于承诺");
	w->ts = NOW0 - (int64_t)rng_below(&rnd, 600000);
	w->ver = i + 1;
}

/* The next version of ticket t as the broker would publish it: an ETA refresh, a step
 * of the state machine or a note. */
static void
gen_update(struct proto_ticket *t, int64_t seq, int64_t ts)
{
	int s = ticket_state_parse(t->state);
	unsigned what = rng_below(&rnd, 20);

	if (what < 12 && (s == TICKET_ACCEPTED || s == TICKET_EN_ROUTE)) {
		t->eta += ((int64_t)rng_below(&rnd, 7) - 3) * MIN_MS;
		PROTO_STRSET(t->eta_src, "model");
		t->present |= NO_ETA;
	} else if (what < 17 && s >= 0 && !ticket_state_final((enum ticket_state)s)) {
		s = s == TICKET_ON_SCENE ? TICKET_COMPLETED : s + 1;
		PROTO_STRSET(t->state, ticket_state_name((enum ticket_state)s));
		if (s == TICKET_ACCEPTED) {
			t->eta = ts + (int64_t)(10 + rng_below(&rnd, 40)) * MIN_MS;
			PROTO_STRSET(t->eta_src, "supplier");
			t->present |= NO_ETA;
		}
		if (ticket_state_final((enum ticket_state)s))
			t->t_closed = ts;
	} else {
		t->notes++;
		PROTO_STRSET(t->last_note, PICK(notes));
	}
	t->updated = ts;
	t->ver = seq;
}

/* ---------------------------------------------------------------- the replica, without sockets */

struct rep {
	struct replica *r;
	bool changed;		/* what the app's change callback sets */
	bool urgent;		/* ... and a warning among the changes (model_urgent) */
	bool other;		/* more than warnings changed since the last full refresh */
};

static void
on_change(void *ctx, enum proto_stream s, const void *old, const void *now)
{
	struct rep *r = ctx;

	(void)old;
	(void)now;
	r->changed = true;
	r->urgent |= s == PROTO_STREAM_WARNING;
	r->other |= s != PROTO_STREAM_WARNING;
}

static const struct replica_ops rep_ops = { .change = on_change };

static void
rep_finish(struct rep *r)
{
	replica_destroy(r->r);
	memset(r, 0, sizeof *r);
}

static void *
dup_n(const void *p, size_t n, size_t sz)
{
	void *q = xcalloc(n ? n : 1, sz);

	memcpy(q, p, n * sz);
	return q;
}

/* A fresh replica holding the snapshot, applied as replica_process applies one. */
static void
rep_load(struct rep *r, const struct proto_ticket *t, const struct proto_truck *k,
    const struct proto_warning *w)
{
	static const size_t n[PROTO_STREAM_COUNT] = { [PROTO_STREAM_TICKET] = N_TICKETS,
		[PROTO_STREAM_TRUCK] = N_TRUCKS, [PROTO_STREAM_WARNING] = N_WARNINGS };
	const void *arr[PROTO_STREAM_COUNT] = { [PROTO_STREAM_TICKET] = t,
		[PROTO_STREAM_TRUCK] = k, [PROTO_STREAM_WARNING] = w };
	struct rpc_snap snap;
	char *cause = NULL;
	int s;

	rep_finish(r);
	if ((r->r = replica_create(NULL, NULL, NULL, &rep_ops, r, &cause)) == NULL)
		fatal("bench-console: replica: %s", cause);
	rpc_snap_init(&snap);
	snap.head.epoch = EPOCH;
	snap.head.part = snap.head.parts = 1;
	for (s = 0; s < PROTO_STREAM_COUNT; s++) {
		/* every generated entity's ver is at most its count */
		proto_snapshot_set(&snap.head, s, (int64_t)n[s], (int64_t)n[s]);
		snap.streams[s].items = dup_n(arr[s], n[s], proto_descs[proto_streams[s].msg].size);
		snap.streams[s].n = n[s];
	}
	replica_apply_snapshot(r->r, &snap, rd_mono_ms());
	rpc_snap_finish(&snap);
}

/* One published ticket message, from the frame to the table. */
static void
rep_apply(struct rep *r, const void *body, size_t len, int64_t mono)
{
	replica_apply_pub(r->r, "ticket", 6, body, len, mono);
}

/* ---------------------------------------------------------------- the app's refresh */

struct borrow {
	const void **rows[PROTO_STREAM_COUNT];
	size_t cap[PROTO_STREAM_COUNT];
};

static void
borrow_finish(struct borrow *b)
{
	for (int s = 0; s < PROTO_STREAM_COUNT; s++)
		free(b->rows[s]);
}

static bool full_refresh; /* board_forget before each refresh: the full one (baseline) */

/* refresh_model() of ui/app.c: borrow the tables into the model, rebuild the board. */
static void
refresh(struct model *m, struct borrow *b, struct rep *r)
{
	const void *e;
	size_t pos, n;

	if (full_refresh)
		board_forget(&m->board);
	for (int s = 0; s < PROTO_STREAM_COUNT; s++) {
		n = replica_count(r->r, s) + 1;
		if (n > b->cap[s]) {
			b->cap[s] = n + n / 2 + 16;
			b->rows[s] = xreallocarray(b->rows[s], b->cap[s], sizeof *b->rows[s]);
		}
		for (pos = 0, n = 0; (e = replica_next(r->r, s, &pos)) != NULL;)
			b->rows[s][n++] = e;
		m->tables[s].rows = b->rows[s];
		m->tables[s].n = n;
	}
	model_refresh(m, m->now);
	r->changed = r->other = false;
}

/* refresh_warnings() of ui/app.c: only the warning table borrowed anew, the levels. */
static void
refresh_warnings(struct model *m, struct borrow *b, struct rep *r)
{
	int s = PROTO_STREAM_WARNING;
	const void *e;
	size_t pos, n = replica_count(r->r, s) + 1;

	if (n > b->cap[s]) {
		b->cap[s] = n + n / 2 + 16;
		b->rows[s] = xreallocarray(b->rows[s], b->cap[s], sizeof *b->rows[s]);
	}
	for (pos = 0, n = 0; (e = replica_next(r->r, s, &pos)) != NULL;)
		b->rows[s][n++] = e;
	m->tables[s].rows = b->rows[s];
	m->tables[s].n = n;
	model_refresh_warnings(m);
}

static int64_t last_refresh_ns; /* what turn()'s last refresh took */

/* One turn of ui/app.c's loop after the replica applied what arrived: a change marks the
 * model stale, and the refresh runs only when model_refresh_wait says it is due; a
 * warning's change refreshes at once, only the warnings when nothing else changed.
 * Returns 1 when it refreshed. */
static int
turn(struct model *m, struct borrow *b, struct rep *r, int64_t mono)
{
	if (r->changed) {
		model_stale(m);
		r->changed = false;
	}
	if (r->urgent) {
		model_urgent(m);
		r->urgent = false;
	}
	int64_t t0;
	if (m->stale && m->urgent && !r->other) {
		t0 = rd_mono_ns();
		refresh_warnings(m, b, r);
		last_refresh_ns = rd_mono_ns() - t0;
		return 1;
	}
	if (model_refresh_wait(m, mono) != 0)
		return 0;
	t0 = rd_mono_ns();
	refresh(m, b, r);
	model_refreshed(m, mono);
	last_refresh_ns = rd_mono_ns() - t0;
	model_refresh_cost(m, last_refresh_ns / 1000);
	return 1;
}

/* ---------------------------------------------------------------- measuring */

static double
rss_mb(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	long kb = -1;

	if (f == NULL)
		return -1;
	while (fgets(line, sizeof line, f) != NULL)
		if (sscanf(line, "VmRSS: %ld kB", &kb) == 1)
			break;
	fclose(f);
	return kb < 0 ? -1 : (double)kb / 1024.0;
}

static double
us_since(int64_t t0)
{
	return (double)(rd_mono_ns() - t0) / 1000.0;
}

static double
min_d(double a, double b)
{
	return a < b ? a : b;
}

static const char *
verdict(bool ok)
{
	return ok ? "ok" : "MISSED";
}

/* Rows of a and b (same size) that differ. */
static int
rows_changed(const struct vscreen *a, const struct vscreen *b)
{
	int y, x0, x1, n = 0;

	for (y = 0; y < vscreen_rows(a); y++)
		n += vscreen_row_diff(a, b, y, &x0, &x1);
	return n;
}

struct bench {
	struct proto_ticket *base_t;	/* the snapshot */
	struct proto_truck *base_k;
	struct proto_warning *base_w;
	struct rep rep;
	struct borrow borrow;
	struct model model;
	struct view *board;
	struct vscreen *vs;
	struct theme theme;
	struct data *data;

	char *frames;			/* N_UPDATES encoded bodies, back to back */
	size_t *off, *len;
	struct proto_ticket *upd;	/* the same updates, decoded */
};

static void
draw(struct bench *b)
{
	view_draw(b->board, &b->model, b->vs, &b->theme);
}

/* ---- memory ---- */

/* rss0: at start; rss_snap: with the generated snapshot arrays, which the bench keeps as
 * its fixture but a console frees once the snapshot is applied. */
static void
bench_memory(struct bench *b, double rss0, double rss_snap)
{
	double rss1, rss2, steady, est;

	rep_load(&b->rep, b->base_t, b->base_k, b->base_w);
	rss1 = rss_mb();
	refresh(&b->model, &b->borrow, &b->rep);
	b->board = view_board_create();
	b->vs = vscreen_create(200, 60);
	term_resize(200, 60);
	draw(b);
	term_repaint();
	term_blit(b->vs);
	rss2 = rss_mb();
	steady = rss2 - (rss_snap - rss0);
	est = (double)sizeof(struct proto_ticket) * N_TICKETS * 2 / (1024.0 * 1024.0);
	printf("memory (VmRSS; %d tickets, %d trucks, %d warnings; 200x60)\n", N_TICKETS,
	    N_TRUCKS, N_WARNINGS);
	printf("  start: data, catalogs, curses          %7.1f MB   baseline\n", rss0);
	printf("  + snapshot arrays (bench fixture)      %7.1f MB   (+%.1f MB)\n", rss_snap,
	    rss_snap - rss0);
	printf("  + replica tables (heap copies)         %7.1f MB   (+%.1f MB)\n", rss1,
	    rss1 - rss_snap);
	printf("  + model, board, vscreen, first blit    %7.1f MB   (+%.1f MB)\n", rss2,
	    rss2 - rss1);
	printf("  console steady state (without fixture) %7.1f MB   %5.2fx start   "
	    "target < %.0f MB: %s\n", steady, steady / rss0, TARGET_RSS_MB,
	    verdict(steady < TARGET_RSS_MB));
	printf("  resync peak estimate                   %7.1f MB   steady + %zu B x %d x 2 "
	    "(snapshot arrays + new table) = +%.1f MB: %s\n", steady + est,
	    sizeof(struct proto_ticket), N_TICKETS, est, verdict(steady + est < TARGET_RSS_MB));
}

/* ---- updates ---- */

static void
make_updates(struct bench *b)
{
	struct proto_ticket *cur = xcalloc(N_TICKETS, sizeof *cur);
	struct proto_buf buf;
	size_t cap = 0, used = 0;
	int i;

	memcpy(cur, b->base_t, N_TICKETS * sizeof *cur);
	b->upd = xcalloc(N_UPDATES, sizeof *b->upd);
	b->off = xcalloc(N_UPDATES, sizeof *b->off);
	b->len = xcalloc(N_UPDATES, sizeof *b->len);
	proto_buf_init(&buf);
	for (i = 0; i < N_UPDATES; i++) {
		int64_t seq = N_TICKETS + 1 + i, ts = NOW0 + (int64_t)i * 50;
		struct proto_ticket *t = &cur[rng_below(&rnd, N_TICKETS)];

		gen_update(t, seq, ts);
		b->upd[i] = *t;
		proto_buf_reset(&buf);
		proto_encode_pub(&buf, PROTO_MSG_ticket, EPOCH, seq, ts, t);
		if (used + buf.len > cap) {
			cap = (used + buf.len) * 2;
			b->frames = xrealloc(b->frames, cap);
		}
		memcpy(b->frames + used, buf.data, buf.len);
		b->off[i] = used;
		b->len[i] = buf.len;
		used += buf.len;
	}
	printf("\napply (%d ticket updates pre-encoded, %.0f bytes each on average)\n",
	    N_UPDATES, (double)used / N_UPDATES);
	proto_buf_finish(&buf);
	free(cur);
}

static void
reset_state(struct bench *b)
{
	rep_load(&b->rep, b->base_t, b->base_k, b->base_w);
	b->model.now = NOW0;
	refresh(&b->model, &b->borrow, &b->rep);
	model_refreshed(&b->model, rd_mono_ms());
	board_home(&b->model.board);	/* the view then shows the first rows */
}

/* The replica against the memcpy baseline: same final ver and state for every ticket.
 * Returns the number of mismatches. */
static int
check_same(const struct rep *r, const struct proto_ticket *arr)
{
	int i, bad = 0;

	for (i = 0; i < N_TICKETS; i++) {
		const struct proto_ticket *t = replica_ticket(r->r, i + 1);

		if (t == NULL || t->ver != arr[i].ver || strcmp(t->state, arr[i].state) != 0 ||
		    t->eta != arr[i].eta || t->notes != arr[i].notes)
			bad++;
	}
	return bad;
}

/* Refreshes per second at offered update rates: updates arrive as the clock says (each
 * turn applies those due by then), for a second or until the updates run out. */
static void
bench_pace(struct bench *b)
{
	static const int rates[] = { 100, 2000, 20000, 100000 };
	struct timespec nap = { 0, 1000000 };
	int j, i, refreshes;
	int64_t t0, mono, due;
	double secs;

	printf("  refresh rate against the update rate (paced; at most %d/s):\n",
	    1000 / MODEL_REFRESH_MS);
	for (j = 0; j < (int)ARRAY_LEN(rates); j++) {
		reset_state(b);
		refreshes = 0;
		i = 0;
		t0 = rd_mono_ns();
		for (;;) {
			mono = rd_mono_ms();
			secs = (double)(rd_mono_ns() - t0) / 1e9;
			if (secs >= 1.0 || i >= N_UPDATES)
				break;
			due = (int64_t)(secs * rates[j]);
			if (i >= due)
				nanosleep(&nap, NULL);	/* the app sleeps in zmq_poll */
			for (; i < due && i < N_UPDATES; i++)
				rep_apply(&b->rep, b->frames + b->off[i], b->len[i], mono);
			refreshes += turn(&b->model, &b->borrow, &b->rep, mono);
		}
		printf("    %7d updates/s offered: %6d applied in %.2f s, %3d refreshes = %5.1f/s\n",
		    rates[j], i, secs, refreshes, refreshes / secs);
	}
}

static int
bench_apply(struct bench *b)
{
	static const int batches[] = { 1, 10, 100, 1000 };
	/* updates for the eager refresh (every turn, as before pacing): fewer at small
	 * batches, where each costs a whole refresh */
	static const int eager_counts[] = { 200, 2000, 10000, N_UPDATES };
	struct proto_ticket *arr = xcalloc(N_TICKETS, sizeof *arr);
	struct proto_pub pub;
	struct proto_error err;
	double base_us = 1e300, dec_us = 1e300, apply_us = 1e300, ref_us = 1e300, us, per_base;
	double full_us = 1e300;
	struct replica_stats st;
	int64_t t0, mono;
	int i, j, k, run, bad;

	for (run = 0; run < RUNS; run++) {
		/* Baseline: memcpy of the decoded structs into an array by id, ten rounds so
		 * the time is long enough to read (the result is the same each round). */
		memcpy(arr, b->base_t, N_TICKETS * sizeof *arr);
		t0 = rd_mono_ns();
		for (k = 0; k < 10; k++)
			for (i = 0; i < N_UPDATES; i++)
				memcpy(&arr[b->upd[i].id - 1], &b->upd[i], sizeof *arr);
		base_us = min_d(base_us, us_since(t0) / 10);

		t0 = rd_mono_ns();
		for (i = 0; i < N_UPDATES; i++)
			if (proto_decode_pub("ticket", 6, b->frames + b->off[i], b->len[i], &pub,
			    &err) < 0)
				fatal("bench-console: update %d does not decode: %s", i,
				    err.message);
		dec_us = min_d(dec_us, us_since(t0));

		reset_state(b);
		mono = rd_mono_ms();
		t0 = rd_mono_ns();
		for (i = 0; i < N_UPDATES; i++)
			rep_apply(&b->rep, b->frames + b->off[i], b->len[i], mono);
		apply_us = min_d(apply_us, us_since(t0));
		bad = check_same(&b->rep, arr);
		replica_stats(b->rep.r, &st);
		if (st.applied != N_UPDATES || st.stale || st.gaps || st.bad || bad) {
			printf("  FAILED: applied %llu stale %llu gaps %llu bad %llu, %d tickets "
			    "differ from the memcpy baseline\n", (unsigned long long)st.applied,
			    (unsigned long long)st.stale, (unsigned long long)st.gaps,
			    (unsigned long long)st.bad, bad);
			free(arr);
			return 1;
		}

		/* Refresh alone, over the tables as they are now. */
		t0 = rd_mono_ns();
		for (k = 0; k < 20; k++)
			refresh(&b->model, &b->borrow, &b->rep);
		ref_us = min_d(ref_us, us_since(t0) / 20);
		full_refresh = true;
		t0 = rd_mono_ns();
		for (k = 0; k < 20; k++)
			refresh(&b->model, &b->borrow, &b->rep);
		full_us = min_d(full_us, us_since(t0) / 20);
		full_refresh = false;
	}
	per_base = base_us * 1000.0 / N_UPDATES;

	printf("  %-38s %9.1f ns/update %10.0f updates/s            baseline\n",
	    "memcpy upsert by id", per_base, 1e9 / per_base);
	printf("  %-38s %9.1f ns/update %10.0f updates/s %8.1fx baseline\n",
	    "proto_decode_pub only", dec_us * 1000.0 / N_UPDATES, N_UPDATES / dec_us * 1e6,
	    dec_us * 1000.0 / N_UPDATES / per_base);
	printf("  %-38s %9.1f ns/update %10.0f updates/s %8.1fx baseline\n",
	    "replica_apply_pub, no refresh", apply_us * 1000.0 / N_UPDATES,
	    N_UPDATES / apply_us * 1e6, apply_us * 1000.0 / N_UPDATES / per_base);
	printf("  %-38s %9.1f us/refresh (%zu rows, %zu trucks, %zu warnings)   baseline\n",
	    "full refresh alone (board_forget)", full_us, b->model.board.n, b->model.n_trucks,
	    b->model.n_warnings);
	printf("  %-38s %9.1f us/refresh %27s %8.2fx baseline\n",
	    "refresh alone (app refresh_model)", ref_us, "", ref_us / full_us);

	printf("  batches of B updates per loop turn; paced: the app's loop (model_stale, a refresh\n"
	    "  when model_refresh_wait says it is due, at most every %d ms); eager: a refresh\n"
	    "  every turn, as before pacing (same-run reference)\n", MODEL_REFRESH_MS);
	for (j = 0; j < (int)ARRAY_LEN(batches); j++) {
		int n = N_UPDATES, ne = eager_counts[j], refreshes = 0, nref;
		double best = 1e300, eager = 1e300, per, rate, erate, span = 0;
		char label[64];

		for (run = 0; run < RUNS; run++) {
			reset_state(b);
			nref = 0;
			t0 = rd_mono_ns();
			for (i = 0; i < n; i += batches[j]) {
				mono = rd_mono_ms();
				for (k = i; k < i + batches[j] && k < n; k++)
					rep_apply(&b->rep, b->frames + b->off[k], b->len[k], mono);
				nref += turn(&b->model, &b->borrow, &b->rep, mono);
			}
			us = us_since(t0);
			if (us < best) {
				best = us;
				refreshes = nref;
			}
			span += us;
		}
		/* the same apply path with a refresh every turn, once (it is the slow one) */
		reset_state(b);
		mono = rd_mono_ms();
		t0 = rd_mono_ns();
		for (i = 0; i < ne; i += batches[j]) {
			for (k = i; k < i + batches[j] && k < ne; k++)
				rep_apply(&b->rep, b->frames + b->off[k], b->len[k], mono);
			if (b->rep.changed)
				refresh(&b->model, &b->borrow, &b->rep);
		}
		eager = us_since(t0);
		per = best * 1000.0 / n;
		rate = n / best * 1e6;
		erate = ne / eager * 1e6;
		snprintf(label, sizeof label, "batch %d: apply_pub + paced refresh", batches[j]);
		printf("  %-38s %9.1f ns/update %10.0f updates/s %8.1fx baseline   "
		    "target %.0f/s: %s\n", label, per, rate, per / per_base, TARGET_UPDATES_S,
		    verdict(rate >= TARGET_UPDATES_S));
		printf("  %-38s %9.1f ns/update %10.0f updates/s %8.1fx baseline   "
		    "paced %.1fx eager\n", "  eager: a refresh every turn", eager * 1000.0 / ne,
		    erate, eager * 1000.0 / ne / per_base, rate / erate);
		printf("  %-38s %d in %.0f ms\n", "  paced refreshes", refreshes, best / 1000.0);
		(void)span;
	}
	printf("  %-38s %.1f ms x %d/s = %.1f%% of the loop's time at any update rate\n",
	    "  paced refresh cost", ref_us / 1000.0, 1000 / MODEL_REFRESH_MS,
	    ref_us / 1000.0 * (1000 / MODEL_REFRESH_MS) / 10.0);
	bench_pace(b);
	free(arr);
	return 0;
}

/* ---- drawing ---- */

static void
bench_draw(struct bench *b)
{
	const int frames = 100;
	double fill_us = 1e300, draw_us = 1e300, small_us = 1e300, diff_us = 1e300;
	double full_us = 1e300;
	int64_t t0, bytes0, diff_bytes = 0, full_bytes = 0;
	int f, run;

	reset_state(b);
	vscreen_resize(b->vs, 200, 60);
	term_resize(200, 60);
	draw(b);
	term_blit(b->vs);

	for (run = 0; run < RUNS; run++) {
		t0 = rd_mono_ns();
		for (f = 0; f < frames; f++)
			vscreen_fill(b->vs, 0, 0, 200, 60, f & 1 ? ROLE_NORMAL : ROLE_DIM, 0,
			    L' ');
		fill_us = min_d(fill_us, us_since(t0) / frames);

		t0 = rd_mono_ns();
		for (f = 0; f < frames; f++)
			draw(b);
		draw_us = min_d(draw_us, us_since(t0) / frames);

		/* The same screenful from a model of just enough tickets to fill it: what
		 * the drawing costs without the per-frame passes over all tickets. */
		b->model.n_tickets = 60;
		model_refresh(&b->model, b->model.now);
		t0 = rd_mono_ns();
		for (f = 0; f < frames; f++)
			draw(b);
		small_us = min_d(small_us, us_since(t0) / frames);
		refresh(&b->model, &b->borrow, &b->rep);
		board_home(&b->model.board);

		/* The clock moves a minute each frame: every countdown and age changes. */
		draw(b);
		term_blit(b->vs);
		bytes0 = term_bytes_written();
		t0 = rd_mono_ns();
		for (f = 0; f < frames; f++) {
			b->model.now = NOW0 + (f & 1 ? 0 : MIN_MS);
			draw(b);
			term_blit(b->vs);
		}
		diff_us = min_d(diff_us, us_since(t0) / frames);
		diff_bytes = (term_bytes_written() - bytes0) / frames;
		b->model.now = NOW0;

		bytes0 = term_bytes_written();
		t0 = rd_mono_ns();
		for (f = 0; f < frames; f++) {
			draw(b);
			term_repaint();
			term_blit(b->vs);
		}
		full_us = min_d(full_us, us_since(t0) / frames);
		full_bytes = (term_bytes_written() - bytes0) / frames;
	}

	printf("\ndraw (board view, %d tickets, 200x60, xterm-256color into a file)\n",
	    N_TICKETS);
	printf("  %-44s %8.1f us/frame            baseline\n", "vscreen_fill whole screen",
	    fill_us);
	printf("  %-44s %8.1f us/frame          %7.1fx baseline   target < %.0f us: %s\n",
	    "view_draw", draw_us, draw_us / fill_us, TARGET_FRAME_US,
	    verdict(draw_us < TARGET_FRAME_US));
	printf("  %-44s %8.1f us/frame          %7.1fx baseline   (reference)\n",
	    "view_draw, same screen from only 60 tickets", small_us, small_us / fill_us);
	printf("  %-44s %8.1f us/frame %7lld B %7.1fx baseline   target < %.0f us: %s\n",
	    "view_draw + term_blit (clock +1 min)", diff_us, (long long)diff_bytes,
	    diff_us / fill_us, TARGET_FRAME_US, verdict(diff_us < TARGET_FRAME_US));
	printf("  %-44s %8.1f us/frame %7lld B %7.1fx baseline   target < %.0f us: %s\n",
	    "view_draw + term_repaint + term_blit", full_us, (long long)full_bytes,
	    full_us / fill_us, TARGET_FRAME_US, verdict(full_us < TARGET_FRAME_US));
}

/* ---- bytes per change ---- */

/* A visible ticket (row index >= 2 on the board) in state `state`, or NULL. */
static struct proto_ticket *
visible_in_state(struct bench *b, const char *state, size_t visible)
{
	size_t i;

	for (i = 2; i < visible && i < b->model.board.n; i++)
		if (strcmp(b->model.board.rows[i]->state, state) == 0)
			return (struct proto_ticket *)b->model.board.rows[i];
	return NULL;
}

/* Bytes and cells of one blit after change() and a refresh; rows changed on screen. */
static int64_t
one_change(struct bench *b, struct vscreen *before, int *cells, int *rows)
{
	int64_t bytes0;

	refresh(&b->model, &b->borrow, &b->rep);
	draw(b);
	*rows = rows_changed(before, b->vs);
	bytes0 = term_bytes_written();
	*cells = term_blit(b->vs);
	return term_bytes_written() - bytes0;
}

static void
bench_bytes_at(struct bench *b, int cols, int rows)
{
	struct vscreen *before = vscreen_create(cols, rows);
	struct proto_ticket *t;
	int64_t full, st, cd, tick, bytes0;
	int c_full, c_st = 0, c_cd = 0, c_tick, r_st = 0, r_cd = 0, r_tick;
	size_t visible = (size_t)rows - 6;

	reset_state(b);
	vscreen_resize(b->vs, cols, rows);
	term_resize(cols, rows);
	draw(b);
	term_blit(b->vs);

	/* Full repaint of the same frame. */
	term_repaint();
	bytes0 = term_bytes_written();
	c_full = term_blit(b->vs);
	full = term_bytes_written() - bytes0;

	/* One ticket changes state (accepted -> en_route keeps its place in urgency order). */
	st = -1;
	vscreen_copy(before, b->vs);
	if ((t = visible_in_state(b, "accepted", visible)) != NULL) {
		PROTO_STRSET(t->state, "en_route");
		t->t_en_route = NOW0;
		st = one_change(b, before, &c_st, &r_st);
	}

	/* One ticket's countdown: its promise moves a minute earlier. */
	cd = -1;
	vscreen_copy(before, b->vs);
	if ((t = visible_in_state(b, "en_route", visible)) != NULL) {
		t->promised -= MIN_MS;
		cd = one_change(b, before, &c_cd, &r_cd);
	}

	/* The clock moves a minute: every countdown and age on screen. */
	vscreen_copy(before, b->vs);
	b->model.now = NOW0 + MIN_MS;
	tick = one_change(b, before, &c_tick, &r_tick);
	b->model.now = NOW0;

	printf("  %3dx%-3d full repaint            %7lld B %6d cells          baseline\n", cols,
	    rows, (long long)full, c_full);
	printf("  %3dx%-3d one ticket's state      %7lld B %6d cells %3d rows  %7.4fx full\n",
	    cols, rows, (long long)st, c_st, r_st, (double)st / (double)full);
	printf("  %3dx%-3d one ticket's countdown  %7lld B %6d cells %3d rows  %7.4fx full\n",
	    cols, rows, (long long)cd, c_cd, r_cd, (double)cd / (double)full);
	printf("  %3dx%-3d clock + 1 minute        %7lld B %6d cells %3d rows  %7.4fx full\n",
	    cols, rows, (long long)tick, c_tick, r_tick, (double)tick / (double)full);
	vscreen_destroy(before);
}

static void
bench_bytes(struct bench *b)
{
	printf("\nbytes to the terminal per change (board, %d tickets; rows: screen rows that "
	    "differ, status line included)\n", N_TICKETS);
	bench_bytes_at(b, 200, 60);
	bench_bytes_at(b, 80, 24);
}

/* ---------------------------------------------------------------- fix to warning */

/* A broker in a thread (rescuedeskd's code, SQLite store in a temporary directory) and a
 * headless console over TCP: the rpc, the replica and the model with the app's paced
 * refresh (turn()). LAT_TICKETS tickets are accepted by their own van near the caller;
 * the rest of the open tickets wait for a truck (none is free; the dispatch tick still
 * walks them). Each probe: one GPS fix puts its van 110 km away, and the time runs from
 * sending the fix to the eta_late warning in the replica (the publication applied) and in
 * the model (after the refresh that makes it visible to the views). The broker checks a
 * fix's ticket at once (broker_watch_fix), so the replica's figure is the trip through the
 * broker's turn; the broker's monitoring pass no longer walks every open ticket (a
 * deadline queue, src/broker/broker-watch.c), so a fix sent at a random phase of its
 * 500 ms tick seldom waits for it. The model's figure adds the console's refresh: at once
 * for a warning (model_urgent) with the incremental refresh, at once with a full refresh
 * (board_forget: the refresh before it was incremental), and paced only (at most every
 * MODEL_REFRESH_MS, as before model_urgent): LAT_PROBES of each, interleaved so the
 * machine's load falls on all three alike; each probe starts from a refreshed model, so
 * the cache an incremental probe uses is warm. The broker runs in
 * real time (LAT_SCALE 1) and every van sends a fix just before the probes, so no deadline
 * of the probes' tickets (GPS lost 45 s after a fix, the promise's window) comes during
 * them and no burst of other warnings mixes in; the probe's ETA jump is one the history
 * tells, which the 30 s minimum between ETA changes does not hold. */
#define LAT_PROBES 100	/* per mode: at once (model_urgent), at once with a full refresh,
			 * paced only; interleaved */
#define LAT_MODES 3
#define LAT_TICKETS (LAT_MODES * LAT_PROBES)
#define LAT_SCALE 1
#define LAT_WAIT_NS (8 * 1000000000LL)
#define CALL_LAT 28.1950
#define CALL_LON 112.9720

static volatile sig_atomic_t lat_stop;

static void *
lat_broker_thread(void *arg)
{
	broker_run(arg, &lat_stop);
	return NULL;
}

struct lat {
	struct rep rep;		/* first: turn() and the change callback share it */
	struct rpc *rpc;
	struct borrow borrow;
	struct model model;
	void *push;
	int64_t probe;		/* the probe ticket whose warning is awaited */
	int64_t t_rep;		/* ns when it reached the replica; 0 not yet */
	bool paced;		/* the change callback leaves model_urgent out */
	int done, failed;	/* pipelined intakes answered */
};

static void
lat_change(void *ctx, enum proto_stream s, const void *old, const void *now)
{
	struct lat *l = ctx;
	const struct proto_warning *w = now;

	(void)old;
	l->rep.changed = true;
	l->rep.urgent |= s == PROTO_STREAM_WARNING && !l->paced;
	l->rep.other |= s != PROTO_STREAM_WARNING;
	if (s == PROTO_STREAM_WARNING && w != NULL && l->probe != 0 && l->t_rep == 0 &&
	    w->ticket == l->probe && !w->cleared && strcmp(w->kind, "eta_late") == 0)
		l->t_rep = rd_mono_ns();
}

/* One turn of the console's loop: wait for a socket (at most 5 ms), take what came. */
static void
lat_pump(struct lat *l)
{
	zmq_pollitem_t items[2] = {
		{ rpc_socket(l->rpc), 0, ZMQ_POLLIN, 0 },
		{ replica_socket(l->rep.r), 0, ZMQ_POLLIN, 0 },
	};
	int64_t mono;

	zmq_poll(items, 2, 5);
	mono = rd_mono_ms();
	rpc_process(l->rpc, mono);
	replica_process(l->rep.r, mono);
	turn(&l->model, &l->borrow, &l->rep, mono);
}

static bool
model_has_late(struct lat *l)
{
	const struct proto_warning *w[8];
	size_t n;

	if (l->model.stale)
		return false;	/* not visible to any view yet */
	n = model_ticket_warnings(&l->model, l->probe, w, ARRAY_LEN(w));
	for (size_t i = 0; i < n; i++)
		if (strcmp(w[i]->kind, "eta_late") == 0)
			return true;
	return false;
}

static void
lat_feed(struct lat *l, enum proto_msg_id type, const void *msg)
{
	struct proto_buf b;

	proto_buf_init(&b);
	proto_encode_feed(&b, type, msg);
	zmq_send(l->push, b.data, b.len, 0);
	proto_buf_finish(&b);
}

/* Broker time now, from the replica's heartbeat. */
static int64_t
lat_broker_now(struct lat *l)
{
	int64_t mono = rd_mono_ms();

	return replica_broker_time(l->rep.r) + replica_hb_age_ms(l->rep.r, mono) * LAT_SCALE;
}

static void
lat_fix(struct lat *l, const char *truck, double lat, int64_t ts)
{
	struct proto_fix f = { .lat = lat, .lon = CALL_LON, .speed_kmh = 30, .heading = 0,
		.ts = ts, .present = PROTO_ALL };

	PROTO_STRSET(f.truck, truck);
	lat_feed(l, PROTO_MSG_fix, &f);
}

static struct proto_intake_create
lat_intake(int i)
{
	struct proto_intake_create in = { .lat = CALL_LAT, .lon = CALL_LON,
		.present = PROTO_ALL };

	PROTO_STRSET(in.customer, "王芳");
	snprintf(in.phone, sizeof in.phone, "139%08d", i);
	snprintf(in.plate, sizeof in.plate, "湘A%05d", i % 100000);
	PROTO_STRSET(in.model, "BYD Qin");
	PROTO_STRSET(in.address, "长沙市芙蓉区五一大道 1 号");
	PROTO_STRSET(in.fault, "battery");
	PROTO_STRSET(in.region, "changsha");
	return in;
}

static void
on_intake(void *ctx, const char *cmd_id, const struct proto_reply *r,
    const struct proto_error *err)
{
	struct lat *l = ctx;

	(void)cmd_id;
	(void)err;
	l->done++;
	l->failed += r == NULL || !r->ok;
}

static struct proto_ticket
lat_call(struct lat *l, enum proto_msg_id op, const void *args)
{
	struct proto_reply r;
	struct proto_error err;
	struct proto_ticket t;

	if (rpc_call_sync(l->rpc, op, args, &r, &err, 10000) < 0)
		fatal("bench-console: %s: %s", proto_descs[op].wire, err.message);
	if (!r.ok)
		fatal("bench-console: %s refused: %s", proto_descs[op].wire, r.error.message);
	t = r.ticket;
	proto_reply_finish(&r);
	return t;
}

static int
cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

/* p50, p99 (nearest rank) and the maximum of n samples in ns, in ms. */
static void
pcts(int64_t *ns, int n, double *p50, double *p99, double *max)
{
	int i99 = (n * 99 + 99) / 100 - 1;

	qsort(ns, (size_t)n, sizeof *ns, cmp_i64);
	*p50 = (double)ns[(n - 1) / 2] / 1e6;
	*p99 = (double)ns[i99 < n ? i99 : n - 1] / 1e6;
	*max = (double)ns[n - 1] / 1e6;
}

static int
bench_latency_at(const char *datadir, int open, int port)
{
	char dir[] = "/tmp/rd-bench-console-XXXXXX", db[80], api[40], pub[40], feed[40];
	struct broker_opts o = { .api = api, .pub = pub, .feed = feed, .db = db,
		.data_dir = datadir, .time_scale = LAT_SCALE };
	static const struct replica_ops ops = { .change = lat_change };
	struct replica_opts ro = { .pub_endpoint = pub };
	struct rpc_opts po = { .endpoint = api, .user = "bench" };
	int64_t rep_ns[LAT_MODES][LAT_PROBES], model_ns[LAT_MODES][LAT_PROBES];
	int64_t refresh_ns[LAT_MODES][LAT_PROBES], t0, until;
	int64_t probe_id[LAT_TICKETS];
	char probe_truck[LAT_TICKETS][32];
	struct proto_ticket_set_state st = { .present = PROTO_ALL };
	struct lat l;
	struct broker *br;
	pthread_t th;
	char *cause = NULL;
	void *zctx = zmq_ctx_new();
	int i, sent, rc = 0, zero = 0;
	double r50, r99;

	if (mkdtemp(dir) == NULL)
		fatal("bench-console: mkdtemp: %s", strerror(errno));
	snprintf(db, sizeof db, "%s/bench.db", dir);
	snprintf(api, sizeof api, "tcp://127.0.0.1:%d", port);
	snprintf(pub, sizeof pub, "tcp://127.0.0.1:%d", port + 1);
	snprintf(feed, sizeof feed, "tcp://127.0.0.1:%d", port + 2);
	if ((br = broker_create(zctx, &o, &cause)) == NULL)
		fatal("bench-console: broker: %s", cause);
	lat_stop = 0;
	pthread_create(&th, NULL, lat_broker_thread, br);

	memset(&l, 0, sizeof l);
	model_init(&l.model);
	l.model.data = bench_data;
	if ((l.rpc = rpc_create(zctx, &po, &cause)) == NULL ||
	    (l.rep.r = replica_create(zctx, l.rpc, &ro, &ops, &l, &cause)) == NULL)
		fatal("bench-console: client: %s", cause);
	l.push = zmq_socket(zctx, ZMQ_PUSH);
	zmq_setsockopt(l.push, ZMQ_LINGER, &zero, sizeof zero);
	zmq_connect(l.push, feed);

	/* the probes' vans, each near the caller, then the probes, accepted and en route */
	for (i = 0; i < LAT_TICKETS; i++) {
		struct proto_status s = { .ts = rd_now_ms(), .present = PROTO_ALL };

		snprintf(s.truck, sizeof s.truck, "P-%03d", i);
		PROTO_STRSET(s.status, "available");
		PROTO_STRSET(s.kind, "van");
		PROTO_STRSET(s.supplier, "bench");
		PROTO_STRSET(s.region, "changsha");
		lat_feed(&l, PROTO_MSG_status, &s);
	}
	t0 = rd_mono_ns();
	while (replica_state(l.rep.r) != REPLICA_LIVE ||
	    replica_count(l.rep.r, PROTO_STREAM_TRUCK) < LAT_TICKETS) {
		if (rd_mono_ns() - t0 > LAT_WAIT_NS)
			fatal("bench-console: the console did not go live with the vans");
		lat_pump(&l);
	}
	for (i = 0; i < LAT_TICKETS; i++) {
		char truck[16];

		snprintf(truck, sizeof truck, "P-%03d", i);
		lat_fix(&l, truck, CALL_LAT + 0.01, lat_broker_now(&l) - 60000);
	}
	for (i = 0; i < LAT_TICKETS; i++) {
		struct proto_intake_create in = lat_intake(i);
		struct proto_ticket t = lat_call(&l, PROTO_MSG_intake_create, &in);

		if (t.truck[0] == '\0')
			fatal("bench-console: probe %d got no van (state %s)", i, t.state);
		probe_id[i] = t.id;
		rd_strlcpy(probe_truck[i], t.truck, sizeof probe_truck[i]);
		st.id = t.id;
		st.eta_s = 900;
		PROTO_STRSET(st.state, "accepted");
		lat_call(&l, PROTO_MSG_ticket_set_state, &st);
		st.present &= ~((uint64_t)1 << PROTO_ticket_set_state_eta_s);
		PROTO_STRSET(st.state, "en_route");
		lat_call(&l, PROTO_MSG_ticket_set_state, &st);
		st.present = PROTO_ALL;
	}
	/* the other open tickets, pipelined (500 in flight): no truck is free for them */
	for (sent = LAT_TICKETS; l.done + LAT_TICKETS < open;) {
		while (sent < open && sent - l.done - LAT_TICKETS < 500) {
			struct proto_intake_create in = lat_intake(sent++);

			if (rpc_call(l.rpc, PROTO_MSG_intake_create, &in, on_intake, &l, NULL) < 0)
				fatal("bench-console: intake not sent");
		}
		lat_pump(&l);
	}
	if (l.failed)
		fatal("bench-console: %d intakes refused", l.failed);
	t0 = rd_mono_ns();
	while (replica_count(l.rep.r, PROTO_STREAM_TICKET) < (size_t)open ||
	    rd_mono_ns() - t0 < 1000000000LL) {	/* and past the 30 s (broker) ETA gap */
		if (rd_mono_ns() - t0 > LAT_WAIT_NS)
			fatal("bench-console: the console holds %zu of %d tickets",
			    replica_count(l.rep.r, PROTO_STREAM_TICKET), open);
		lat_pump(&l);
	}

	for (i = 0; i < LAT_TICKETS; i++)	/* every van's GPS fresh for the probes */
		lat_fix(&l, probe_truck[i], CALL_LAT + 0.01, lat_broker_now(&l));
	until = rd_mono_ns() + 200000000LL;
	while (rd_mono_ns() < until)
		lat_pump(&l);
	for (i = 0; i < LAT_TICKETS; i++) {
		/* mode 0: the app's model_urgent and incremental refresh; 1: the same with a
		 * full refresh; 2: paced only (the console before it refreshed at once for a
		 * warning) */
		int mode = i % LAT_MODES, k = i / LAT_MODES;
		l.paced = mode == 2;
		full_refresh = mode == 1;
		/* what the views see now, and a warm cache for the incremental mode (the full
		 * mode forgets it), then a seeded random phase against the broker's period and
		 * the pace: a fix sent right after the last warning came would always wait a
		 * whole period */
		refresh(&l.model, &l.borrow, &l.rep);
		model_refreshed(&l.model, rd_mono_ms());
		until = rd_mono_ns() + (int64_t)rng_below(&rnd, 500) * 1000000LL;
		while (rd_mono_ns() < until)
			lat_pump(&l);
		l.probe = probe_id[i];
		l.t_rep = 0;
		t0 = rd_mono_ns();
		lat_fix(&l, probe_truck[i], CALL_LAT + 1.0, lat_broker_now(&l));
		until = t0 + LAT_WAIT_NS;
		while (!model_has_late(&l) && rd_mono_ns() < until)
			lat_pump(&l);
		if (!model_has_late(&l) || l.t_rep == 0) {
			printf("  %5d open tickets: probe %d: no eta_late warning within %lld s\n",
			    open, i, LAT_WAIT_NS / 1000000000LL);
			rc = 1;
			break;
		}
		model_ns[mode][k] = rd_mono_ns() - t0;
		rep_ns[mode][k] = l.t_rep - t0;
		refresh_ns[mode][k] = last_refresh_ns;
	}
	full_refresh = false;
	if (rc == 0) {
		double p50, p99, max, f50, f99, fmax, b50, b99, bmax;

		pcts(rep_ns[0], LAT_PROBES, &r50, &r99, &max);
		printf("  %5d open tickets (%zu held): fix -> replica p50 %5.1f ms p99 %5.1f ms "
		    "max %5.1f ms (the broker's turn)\n", open,
		    replica_count(l.rep.r, PROTO_STREAM_TICKET), r50, r99, max);
		pcts(refresh_ns[0], LAT_PROBES, &p50, &p99, &max);
		pcts(refresh_ns[1], LAT_PROBES, &f50, &f99, &fmax);
		printf("  %5d open tickets: the refresh that showed it: p50 %5.2f ms p99 %5.2f ms "
		    "max %5.2f ms; full: p50 %5.2f ms p99 %5.2f ms max %5.2f ms\n", open, p50,
		    p99, max, f50, f99, fmax);
		pcts(model_ns[0], LAT_PROBES, &p50, &p99, &max);
		pcts(model_ns[1], LAT_PROBES, &f50, &f99, &fmax);
		pcts(model_ns[2], LAT_PROBES, &b50, &b99, &bmax);
		printf("  %5d open tickets: fix -> model, a warning at once: p50 %5.1f ms p99 %5.1f ms "
		    "max %5.1f ms   target p99 < %.0f ms: %s\n", open, p50, p99, max,
		    TARGET_FIX_MODEL_MS, p99 < TARGET_FIX_MODEL_MS ? "ok" : "MISSED");
		printf("  %5d open tickets: fix -> model, at once, full:     p50 %5.1f ms p99 %5.1f ms "
		    "max %5.1f ms   baseline (p99 %.1fx the incremental figure)\n", open, f50, f99,
		    fmax, f99 / p99);
		printf("  %5d open tickets: fix -> model, paced only:      p50 %5.1f ms p99 %5.1f ms "
		    "max %5.1f ms   baseline (p99 %.1fx the incremental figure)\n", open, b50, b99,
		    bmax, b99 / p99);
	}

	zmq_close(l.push);
	replica_destroy(l.rep.r);
	rpc_destroy(l.rpc);
	model_finish(&l.model);
	borrow_finish(&l.borrow);
	lat_stop = 1;
	pthread_join(th, NULL);
	broker_destroy(br);
	zmq_ctx_term(zctx);
	snprintf(db, sizeof db, "rm -rf '%s'", dir);
	if (system(db) != 0)
		fprintf(stderr, "bench-console: could not remove %s\n", dir);
	return rc;
}

static int
bench_latency(const char *datadir)
{
	int port = 20000 + (int)(getpid() % 20000);

	printf("\nfix to warning (broker thread + headless console over TCP, %d probes each)\n",
	    LAT_PROBES);
	if (bench_latency_at(datadir, 1000, port) != 0)
		return 1;
	return bench_latency_at(datadir, 10000, port + 10);
}

/* ---------------------------------------------------------------- main */

int
main(int argc, char **argv)
{
	const char *datadir = argc > 1 ? argv[1] : "data";
	struct bench b;
	char *cause = NULL;
	FILE *out, *in;
	double rss0;
	int i, rc;
	int64_t t0 = rd_mono_ns();

	memset(&b, 0, sizeof b);
	rng_seed(&rnd, 0x5eedc0de2026ULL, 0);
	setenv("TZ", "UTC", 1);
	tzset();
	if (setlocale(LC_ALL, "C.UTF-8") == NULL)
		fatal("bench-console: the C.UTF-8 locale is missing");
	if ((b.data = data_load(datadir, &cause)) == NULL)
		fatal("bench-console: data: %s", cause);
	if (i18n_load(datadir, "en", &cause) != 0)
		fatal("bench-console: catalogs: %s", cause);
	out = tmpfile();
	in = tmpfile();
	if (out == NULL || in == NULL)
		fatal("bench-console: tmpfile failed");
	if (term_init_file(out, in, "xterm-256color", &cause) != 0) {
		fprintf(stderr, "bench-console: skipped: %s\n", cause);
		free(cause);
		return 77;
	}
	theme_init(&b.theme, true);
	term_set_theme(&b.theme);

	model_init(&b.model);
	b.model.data = b.data;
	b.model.conn = MODEL_LIVE;
	b.model.hb_age_ms = 400;
	b.model.now = NOW0;
	b.model.time_scale = 1;
	rd_strlcpy(b.model.user, "王丽", sizeof b.model.user);
	b.model.role = MODEL_ROLE_AGENT;

	b.base_t = xcalloc(N_TICKETS, sizeof *b.base_t);
	b.base_k = xcalloc(N_TRUCKS, sizeof *b.base_k);
	b.base_w = xcalloc(N_WARNINGS, sizeof *b.base_w);
	rss0 = rss_mb();	/* calloc'd pages are not resident until written */
	for (i = 0; i < N_TICKETS; i++) {
		gen_ticket(&b.base_t[i], i + 1);
		b.base_t[i].ver = i + 1;
	}
	for (i = 0; i < N_TRUCKS; i++)
		gen_truck(&b.base_k[i], i);
	for (i = 0; i < N_WARNINGS; i++)
		gen_warning(&b.base_w[i], i);
	bench_memory(&b, rss0, rss_mb());
	make_updates(&b);
	rc = bench_apply(&b);
	if (rc == 0) {
		bench_draw(&b);
		bench_bytes(&b);
		bench_data = b.data;
		rc = bench_latency(datadir);
	}
	printf("\ntotal %.1f s\n", (double)(rd_mono_ns() - t0) / 1e9);

	view_destroy(b.board);
	vscreen_destroy(b.vs);
	term_fini();
	fclose(out);
	fclose(in);
	model_finish(&b.model);
	borrow_finish(&b.borrow);
	rep_finish(&b.rep);
	free(b.base_t);
	free(b.base_k);
	free(b.base_w);
	free(b.frames);
	free(b.off);
	free(b.len);
	free(b.upd);
	data_free(b.data);
	i18n_unload();
	return rc;
}
