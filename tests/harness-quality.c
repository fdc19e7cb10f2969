/* harness-quality.c: one dispatch-quality run of a scenario (see harness-quality.h). */
#include "harness-quality.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <zmq.h>

#include "civil.h"
#include "data.h"
#include "rpc.h"
#include "store.h"
#include "util.h"

#define WALL_LIMIT_S 270          /* a run that takes longer (real time) is stopped */
#define KPI_TIMEOUT_MS 10000
#define STEP_TIMEOUT_MS 60000     /* a step, or the replies of a turn, in real time */
#define LIVE_TRIES 100            /* x 100 ms for the simulator's replica to go live */

/* ---- the scenario ---- */

enum {
	K_REGION, K_START, K_RATE, K_REQUESTS, K_SEED, K_SCALE, K_PASS, K_FINISH, K_DROPOUT,
	K_STALL, K_DETOUR, K_DECLINE, K_FLEET, K_DEMAND, K_AUTO, K_GPS_LOSS, K_VS_NEAREST, K_VS_BOUND, K_COUNT
};
#define K_FIRST_OPTIONAL K_FLEET /* the keys from here on have defaults */
_Static_assert(K_COUNT == HARNESS_QUALITY_KEYS, "HARNESS_QUALITY_KEYS is the number of keys");

static const struct {
	const char *section, *name;
} keys[K_COUNT] = {
	[K_REGION] = { "scenario", "region" },
	[K_START] = { "scenario", "start" },
	[K_RATE] = { "scenario", "rate_per_hour" },
	[K_REQUESTS] = { "scenario", "requests" },
	[K_SEED] = { "scenario", "seed" },
	[K_SCALE] = { "scenario", "time_scale" },
	[K_PASS] = { "scenario", "dispatch_pass_s" },
	[K_FINISH] = { "scenario", "finish_timeout_min" },
	[K_DROPOUT] = { "faults", "gps_dropout" },
	[K_STALL] = { "faults", "stall" },
	[K_DETOUR] = { "faults", "detour" },
	[K_DECLINE] = { "faults", "decline" },
	[K_FLEET] = { "scenario", "fleet" },
	[K_DEMAND] = { "scenario", "demand" },
	[K_AUTO] = { "scenario", "auto_dispatch" },
	[K_GPS_LOSS] = { "faults", "gps_loss" },
	[K_VS_NEAREST] = { "target", "vs_nearest" },
	[K_VS_BOUND] = { "target", "vs_bound" },
};

static bool
number(const char *v, double lo, double hi, double *out)
{
	char *end;
	errno = 0;
	double x = strtod(v, &end);
	if (end == v || *end != '\0' || errno != 0 || !(x >= lo && x <= hi))
		return false;
	*out = x;
	return true;
}

/* data_ini_read handler: 1 to go on, 0 on an error (the message is in sc->error). */
static int
on_key(void *ctx, const char *section, const char *name, const char *value)
{
	struct harness_quality_scenario *sc = ctx;
	double x = 0;
	int k;

	for (k = 0; k < K_COUNT; k++)
		if (strcmp(keys[k].section, section) == 0 && strcmp(keys[k].name, name) == 0)
			break;
	if (k == K_COUNT) {
		snprintf(sc->error, sizeof sc->error, "[%s] %s: unknown key", section, name);
		return 0;
	}
	if (sc->seen[k]) {
		snprintf(sc->error, sizeof sc->error, "[%s] %s: given twice", section, name);
		return 0;
	}
	sc->seen[k] = true;
	bool ok = true;
	switch (k) {
	case K_REGION:
		ok = strlen(value) > 0 && strlen(value) < sizeof sc->region;
		rd_strlcpy(sc->region, value, sizeof sc->region);
		break;
	case K_START:
		rd_strlcpy(sc->start_text, value, sizeof sc->start_text);
		ok = (sc->start = civil_parse_time(value)) > 0;
		break;
	case K_RATE:
		ok = number(value, 0.01, 100000, &sc->rate);
		break;
	case K_REQUESTS:
		ok = number(value, 1, 1e6, &x) && x == floor(x);
		sc->requests = (long)x;
		break;
	case K_SEED:
		ok = number(value, 0, 9007199254740991.0, &x) && x == floor(x);
		sc->seed = (uint64_t)x;
		break;
	case K_SCALE:
		ok = number(value, 1, 100000, &sc->scale) && sc->scale == floor(sc->scale);
		break;
	case K_PASS:
		ok = number(value, 0.001, 3600, &sc->pass_s);
		break;
	case K_FINISH:
		ok = number(value, 1, 100000, &sc->finish_min);
		break;
	case K_DROPOUT:
		ok = number(value, 0, 1, &sc->dropout);
		break;
	case K_STALL:
		ok = number(value, 0, 1, &sc->stall);
		break;
	case K_DETOUR:
		ok = number(value, 0, 1, &sc->detour);
		break;
	case K_DECLINE:
		sc->decline = -1;
		ok = strcmp(value, "supplier") == 0 || number(value, 0, 1, &sc->decline);
		break;
	case K_FLEET:
		ok = number(value, 0.05, 10, &sc->fleet);
		break;
	case K_DEMAND:
		ok = number(value, 0.01, 100, &sc->demand);
		break;
	case K_AUTO:
		ok = strcmp(value, "0") == 0 || strcmp(value, "1") == 0;
		sc->auto_dispatch = value[0] == '1';
		break;
	case K_GPS_LOSS:
		ok = number(value, 0, 1, &sc->gps_loss);
		break;
	case K_VS_NEAREST:
		ok = number(value, 0.1, 2, &sc->vs_nearest);
		break;
	case K_VS_BOUND:
		ok = number(value, 0, 100, &sc->vs_bound);
		break;
	}
	if (!ok) {
		snprintf(sc->error, sizeof sc->error, "[%s] %s: bad value '%s'", section, name,
		    value);
		return 0;
	}
	return 1;
}

bool
harness_quality_load(const char *path, struct harness_quality_scenario *sc)
{
	memset(sc, 0, sizeof *sc);
	sc->fleet = 1;
	sc->demand = 1;
	sc->vs_nearest = 1;
	int line = data_ini_read(path, on_key, sc);
	if (line < 0) {
		snprintf(sc->error, sizeof sc->error, "cannot open it");
		return false;
	}
	if (line > 0) {
		sc->line = line;
		if (sc->error[0] == '\0')
			rd_strlcpy(sc->error, "syntax error", sizeof sc->error);
		return false;
	}
	for (int k = 0; k < K_FIRST_OPTIONAL; k++)
		if (!sc->seen[k]) {
			snprintf(sc->error, sizeof sc->error, "[%s] %s is missing", keys[k].section,
			    keys[k].name);
			return false;
		}
	return true;
}
/* ---- one run ---- */

struct broker_thread {
	struct broker *b;
	volatile sig_atomic_t stop;
	int rc;
};

static void *
broker_main(void *arg)
{
	struct broker_thread *bt = arg;
	bt->rc = broker_run(bt->b, &bt->stop);
	return NULL;
}

struct count_ctx {
	struct harness_quality_run *r;
	bool held;
};

static int
count_event(void *ctx, const struct store_event *ev)
{
	struct count_ctx *c = ctx;
	struct harness_quality_run *r = c->r;

	if (strcmp(ev->kind, "offer") == 0)
		r->offers++;
	else if (strcmp(ev->kind, "accept") == 0)
		r->accepts++;
	else if (strcmp(ev->kind, "decline") == 0)
		r->declines++;
	else if (strcmp(ev->kind, "timeout") == 0)
		r->timeouts++;
	else if (strcmp(ev->kind, "release") == 0)
		r->releases++;
	else if (strcmp(ev->kind, "hold") == 0) {
		r->holds++;
		c->held = true;
	}
	return 0;
}

/* The broker's figures at the end of the run, over its API as a console asks. */
static void
ask_kpi(void *zctx, const char *api, struct harness_quality_run *r)
{
	struct rpc_opts ro;
	struct rpc *rpc;
	struct proto_stats_kpi args;
	struct proto_reply rep;
	struct proto_error err;
	char *cause = NULL;

	memset(&ro, 0, sizeof ro);
	ro.endpoint = api;
	ro.user = "harness";
	if ((rpc = rpc_create(zctx, &ro, &cause)) == NULL) {
		fprintf(stderr, "dispatch-quality: %s: %s\n", api, cause);
		free(cause);
		return;
	}
	memset(&args, 0, sizeof args);
	if (rpc_call_sync(rpc, PROTO_MSG_stats_kpi, &args, &rep, &err, KPI_TIMEOUT_MS) < 0) {
		fprintf(stderr, "dispatch-quality: stats.kpi: %s\n", err.message);
	} else {
		if (rep.ok) {
			r->kpi = rep.kpi;
			r->kpi_ok = true;
		} else {
			fprintf(stderr, "dispatch-quality: stats.kpi: %s\n", rep.error.message);
		}
		proto_reply_finish(&rep);
	}
	rpc_destroy(rpc);
}

/* The broker's side of the story, from its event log. */
static void
count_events(const char *db, struct harness_quality_run *r)
{
	char *cause = NULL;
	struct store *st = store_open(db, STORE_SYNC_NORMAL, &cause);

	if (st == NULL) {
		fprintf(stderr, "dispatch-quality: %s: %s\n", db, cause);
		free(cause);
		return;
	}
	for (uint64_t id = 1; id <= r->tickets; id++) {
		char key[24];
		struct count_ctx c = { .r = r, .held = false };
		snprintf(key, sizeof key, "%" PRIu64, id);
		if (store_events_of(st, "ticket", key, count_event, &c) < 0)
			fprintf(stderr, "dispatch-quality: ticket %s: %s\n", key,
			    store_errmsg(st));
		r->held_tickets += c.held;
	}
	store_close(st);
}

/* A copy of data_dir in dir/data where every region dispatches automatically: the files are
 * symbolic links but for regions/, whose files say auto_dispatch = 1. Returns the copy's
 * path (in out), or NULL on an error (reported). */
static const char *
auto_data(const char *data_dir, struct harness_quality_run *r, char *out, size_t outsz)
{
	static const char *const links[] = {
		"faults.ini", "sla.ini", "demand.ini", "dispatch.ini", "diagnosis", "i18n",
	};
	char src[1024], dst[1024], *cause = NULL;
	char **names;
	size_t n;

	snprintf(out, outsz, "%s/data", r->dir);
	snprintf(dst, sizeof dst, "%s/regions", out);
	if (mkdir(out, 0700) != 0 || mkdir(dst, 0700) != 0) {
		fprintf(stderr, "dispatch-quality: %s: %s\n", dst, strerror(errno));
		return NULL;
	}
	for (size_t i = 0; i < sizeof links / sizeof links[0]; i++) {
		char *abs;
		snprintf(src, sizeof src, "%s/%s", data_dir, links[i]);
		if ((abs = realpath(src, NULL)) == NULL)
			continue; /* optional (dispatch.ini) */
		snprintf(dst, sizeof dst, "%s/%s", out, links[i]);
		int rc = symlink(abs, dst);
		free(abs);
		if (rc != 0) {
			fprintf(stderr, "dispatch-quality: %s: %s\n", dst, strerror(errno));
			return NULL;
		}
	}
	snprintf(src, sizeof src, "%s/regions", data_dir);
	if ((names = data_ini_list(src, &n, &cause)) == NULL && cause != NULL) {
		fprintf(stderr, "dispatch-quality: %s: %s\n", src, cause);
		free(cause);
		return NULL;
	}
	bool ok = true;
	for (size_t i = 0; i < n; i++) {
		char line[512];
		FILE *in, *o;
		snprintf(src, sizeof src, "%s/regions/%s", data_dir, names[i]);
		snprintf(dst, sizeof dst, "%s/regions/%s", out, names[i]);
		free(names[i]);
		if (!ok)
			continue;
		if ((in = fopen(src, "r")) == NULL || (o = fopen(dst, "w")) == NULL) {
			fprintf(stderr, "dispatch-quality: %s: %s\n", dst, strerror(errno));
			if (in != NULL)
				fclose(in);
			ok = false;
			continue;
		}
		while (fgets(line, sizeof line, in) != NULL)
			fputs(strncmp(line, "auto_dispatch", 13) == 0 ? "auto_dispatch = 1\n" :
			    line, o);
		fclose(in);
		if (fclose(o) != 0)
			ok = false;
	}
	free(names);
	return ok ? out : NULL;
}

/* Broker and world in lockstep on broker time: step the broker to the next dispatch pass
 * (or, when none of the world's tickets is open, on to the pass of the world's next event:
 * passes without an open ticket do nothing), then the simulator to the same time. */
static int
lockstep(void *ctl, struct sim *s, const struct harness_quality_scenario *sc,
    const char *name, int64_t t0)
{
	int64_t pass = (int64_t)llround(sc->pass_s * 1000), t = t0;
	int rc = 0;

	for (int i = 0; rc == 0; i++) {
		if (i == LIVE_TRIES) {
			fprintf(stderr, "dispatch-quality: %s: the simulator's replica did not go "
			    "live\n", name);
			return -1;
		}
		if (broker_step(ctl, 0, STEP_TIMEOUT_MS) < 0)
			return -1;
		rc = sim_lockstep_start(s, t, 100);
	}
	if (rc < 0)
		return -1;
	int64_t wall0 = rd_mono_ms();
	for (;;) {
		bool busy;
		int64_t due = sim_lockstep_next(s, &busy), next = t + pass;
		if (!busy && due != INT64_MAX && due > next)
			next = t + pass * ((due - t + pass - 1) / pass);
		int64_t got = broker_step(ctl, next - t, STEP_TIMEOUT_MS);
		if (got != next) {
			fprintf(stderr, "dispatch-quality: %s: the broker did not take a step\n",
			    name);
			return -1;
		}
		t = next;
		if ((rc = sim_lockstep_turn(s, t, STEP_TIMEOUT_MS)) != 0)
			return rc > 0 ? 0 : -1;
		if (rd_mono_ms() - wall0 > WALL_LIMIT_S * 1000LL) {
			fprintf(stderr, "dispatch-quality: %s: still running after %d s; "
			    "stopping it\n", name, WALL_LIMIT_S);
			return -1;
		}
	}
}

void
harness_quality_run(const struct harness_quality_scenario *sc, const char *data_dir, int idx,
    bool keep, struct harness_quality_run *r)
{
	char api[64], pub[64], feed[64], ctl_ep[64], db[128], auto_dir[128];
	const char *regions[1] = { sc->region };
	struct broker_opts bo;
	struct sim_opts so;
	struct broker_thread bt;
	struct broker_stats bs;
	struct sim *s = NULL;
	pthread_t btid;
	char *cause = NULL;
	void *zctx, *ctl = NULL;
	int64_t t0 = rd_mono_ms();

	rd_strlcpy(r->dir, "/tmp/rd-dispatch-quality-XXXXXX", sizeof r->dir);
	if (mkdtemp(r->dir) == NULL) {
		fprintf(stderr, "dispatch-quality: mkdtemp: %s\n", strerror(errno));
		return;
	}
	snprintf(db, sizeof db, "%s/rd.db", r->dir);
	if (sc->auto_dispatch && (data_dir = auto_data(data_dir, r, auto_dir,
	    sizeof auto_dir)) == NULL) {
		rd_remove_tree(r->dir);
		return;
	}
	snprintf(api, sizeof api, "inproc://dq-%ld-%d-api", (long)getpid(), idx);
	snprintf(pub, sizeof pub, "inproc://dq-%ld-%d-pub", (long)getpid(), idx);
	snprintf(feed, sizeof feed, "inproc://dq-%ld-%d-feed", (long)getpid(), idx);
	snprintf(ctl_ep, sizeof ctl_ep, "inproc://dq-%ld-%d-ctl", (long)getpid(), idx);
	if ((zctx = zmq_ctx_new()) == NULL) {
		fprintf(stderr, "dispatch-quality: zmq_ctx_new: %s\n", zmq_strerror(errno));
		rd_remove_tree(r->dir);
		return;
	}

	memset(&bo, 0, sizeof bo);
	bo.api = api;
	bo.pub = pub;
	bo.feed = feed;
	bo.db = db;
	bo.data_dir = data_dir;
	bo.sync = STORE_SYNC_NORMAL;
	bo.time_scale = sc->scale;
	bo.clock_start = sc->start;
	bo.policy = r->policy;
	bo.clock = BROKER_CLOCK_MANUAL;
	bo.control = ctl_ep;
	memset(&bt, 0, sizeof bt);
	if ((bt.b = broker_create(zctx, &bo, &cause)) == NULL) {
		fprintf(stderr, "dispatch-quality: broker: %s\n", cause);
		free(cause);
		zmq_ctx_term(zctx);
		rd_remove_tree(r->dir);
		return;
	}
	if ((ctl = zmq_socket(zctx, ZMQ_PAIR)) == NULL || zmq_connect(ctl, ctl_ep) != 0)
		fatal("dispatch-quality: %s: %s", ctl_ep, zmq_strerror(errno));
	if (pthread_create(&btid, NULL, broker_main, &bt) != 0)
		fatal("pthread_create failed");

	sim_opts_init(&so);
	so.api = api;
	so.pub = pub;
	so.feed = feed;
	so.data_dir = data_dir;
	so.seed = sc->seed;
	so.requests = sc->requests;
	so.rate = sc->rate;
	if (strcmp(sc->region, "all") != 0) {
		so.regions = regions;
		so.n_regions = 1;
	}
	so.diagnose = r->diagnose;
	so.gps_dropout = sc->dropout;
	so.stall = sc->stall;
	so.detour = sc->detour;
	so.decline = sc->decline;
	so.gps_loss = sc->gps_loss;
	so.fleet = sc->fleet;
	so.demand = sc->demand;
	so.finish_timeout_s = sc->finish_min * 60;
	so.lockstep = true;
	if ((s = sim_create(zctx, &so, &cause)) == NULL) {
		fprintf(stderr, "dispatch-quality: simulator: %s\n", cause);
		free(cause);
	} else {
		int rc = lockstep(ctl, s, sc, r->name, sc->start);
		sim_summary(s, &r->sum);
		r->ok = rc == 0 && r->sum.finished;
		ask_kpi(zctx, api, r);
	}
	sim_destroy(s);
	bt.stop = 1;
	pthread_join(btid, NULL);
	broker_stats(bt.b, &bs);
	r->tickets = bs.tickets;
	zmq_close(ctl);
	broker_destroy(bt.b);
	zmq_ctx_term(zctx);
	r->wall_s = (double)(rd_mono_ms() - t0) / 1000.0;
	count_events(db, r);
	if (!keep)
		rd_remove_tree(r->dir);
}

double
harness_quality_ratio(const struct harness_quality_run *e, const struct harness_quality_run *n)
{
	return n->sum.mean_response_min > 0 ? e->sum.mean_response_min / n->sum.mean_response_min :
	    0;
}
