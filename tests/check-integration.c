/* check-integration.c: the real rescuedeskd and rescuedesk-sim as separate processes over
 * real sockets (ipc endpoints in a temporary directory), checked through the public
 * protocol with the client library.
 *
 *   - the simulator runs N requests to completion; every ticket is in the broker's state,
 *     final, with a consistent history;
 *   - kill -9 of the broker while requests are in flight, restart: no acknowledged change is
 *     lost, retried requests are not applied twice, the epoch moves on;
 *   - a snapshot of 100 000 tickets reaches a replica whole;
 *   - the simulator follows a broker killed with SIGKILL and restarted on the same store at
 *     a time scale (whose clock then starts behind where it was): the trucks' fixes are
 *     accepted again and a new ticket gets an offer.
 *
 * BUILD_DIR and SOURCE_DATA_DIR come from meson. Waits are on events with deadlines. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

#include "proto.h"
#include "replica.h"
#include "rpc.h"
#include "ticket.h"
#include "util.h"

struct env {
	char dir[64];
	char api[128], pub[128], feed[128], db[128], log[128];
	pid_t broker;
	void *zctx;
	struct rpc *rpc;
};

static void
env_init(struct env *e, const char *name)
{
	memset(e, 0, sizeof *e);
	rd_strlcpy(e->dir, "/tmp/rd-it-XXXXXX", sizeof e->dir);
	ck_assert_ptr_nonnull(mkdtemp(e->dir));
	snprintf(e->api, sizeof e->api, "ipc://%s/api", e->dir);
	snprintf(e->pub, sizeof e->pub, "ipc://%s/pub", e->dir);
	snprintf(e->feed, sizeof e->feed, "ipc://%s/feed", e->dir);
	snprintf(e->db, sizeof e->db, "%s/%s.db", e->dir, name);
	snprintf(e->log, sizeof e->log, "%s/broker.log", e->dir);
	e->zctx = zmq_ctx_new();
}

static pid_t
spawn(const char *const argv[], const char *logpath)
{
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		int fd = open(logpath, O_WRONLY | O_CREAT | O_APPEND, 0644);
		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		execv(argv[0], (char *const *)argv); /* execv does not write to them */
		_exit(127);
	}
	return pid;
}

static void
start_broker(struct env *e, const char *scale)
{
	const char *argv[] = { BUILD_DIR "/rescuedeskd", "--api", e->api, "--pub", e->pub, "--feed",
		e->feed, "--db", e->db, "--data", SOURCE_DATA_DIR, "--time-scale", scale,
		"--keep-closed", "100000", NULL };
	e->broker = spawn(argv, e->log);
}

static void
connect_rpc(struct env *e)
{
	char *cause = NULL;
	struct rpc_opts ro = { .endpoint = e->api, .user = "it", .timeout_ms = 1000, .tries = 30 };
	e->rpc = rpc_create(e->zctx, &ro, &cause);
	ck_assert_msg(e->rpc != NULL, "rpc: %s", cause);
}

/* hello until the broker answers; returns its epoch, and its time in *now if not NULL */
static int64_t
hello_at(struct env *e, int64_t *now)
{
	struct proto_hello h = { .present = 0 };
	struct proto_reply r;
	struct proto_error err;
	int rc = rpc_call_sync(e->rpc, PROTO_MSG_hello, &h, &r, &err, 20000);
	ck_assert_msg(rc == 0 && r.ok, "no hello from the broker: %s", rc ? err.message : r.error.message);
	int64_t epoch = r.hello.epoch;
	if (now != NULL)
		*now = r.hello.now;
	proto_reply_finish(&r);
	return epoch;
}

static int64_t
hello(struct env *e)
{
	return hello_at(e, NULL);
}

static int
wait_exit(pid_t pid, int timeout_ms)
{
	int64_t end = rd_mono_ms() + timeout_ms;
	int st;
	while (rd_mono_ms() < end) {
		pid_t r = waitpid(pid, &st, WNOHANG);
		if (r == pid)
			return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
		struct timespec ts = { 0, 20 * 1000000 };
		nanosleep(&ts, NULL); /* polling a child's exit has no event to wait on */
	}
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
	return -1;
}

static void
env_finish(struct env *e)
{
	rpc_destroy(e->rpc);
	if (e->broker > 0) {
		kill(e->broker, SIGTERM);
		wait_exit(e->broker, 10000);
	}
	zmq_ctx_term(e->zctx);
	if (rd_remove_tree(e->dir) != 0)
		fprintf(stderr, "could not remove %s: %s\n", e->dir, strerror(errno));
}

static void
dump_log(const char *path)
{
	char cmd[256];
	snprintf(cmd, sizeof cmd, "tail -n 30 %s >&2", path);
	if (system(cmd) != 0)
		fprintf(stderr, "(no log at %s)\n", path);
}

/* ---- the simulator runs requests to completion ---- */

static const char *
state_of_event(const struct proto_event *ev, char *buf, size_t sz)
{
	/* "state" events' detail starts with the new state's name */
	size_t i = 0;
	while (ev->detail[i] && ev->detail[i] != ':' && ev->detail[i] != ',' && ev->detail[i] != ' ' &&
	    i + 1 < sz) {
		buf[i] = ev->detail[i];
		i++;
	}
	buf[i] = '\0';
	return buf;
}

START_TEST(sim_runs_to_completion)
{
	struct env e;
	int n = 500;
	char nbuf[16], logsim[128];
	env_init(&e, "sim");
	start_broker(&e, "2400");
	connect_rpc(&e);
	hello(&e);
	snprintf(nbuf, sizeof nbuf, "%d", n);
	snprintf(logsim, sizeof logsim, "%s/sim.log", e.dir);
	const char *argv[] = { BUILD_DIR "/rescuedesk-sim", "--api", e.api, "--pub", e.pub, "--feed",
		e.feed, "--data", SOURCE_DATA_DIR, "--speed", "2400", "--seed", "7", "--requests",
		nbuf, "--rate", "40", "--region", "changsha", "--region", "ningxiang", NULL };
	pid_t sim = spawn(argv, logsim);
	int rc = wait_exit(sim, 400000);
	if (rc != 0) {
		dump_log(logsim);
		dump_log(e.log);
	}
	ck_assert_int_eq(rc, 0);

	/* every ticket: final, timestamps in order, history consistent with the state machine */
	int completed = 0;
	for (int64_t id = 1; id <= n; id++) {
		struct proto_ticket_get g = { .id = id, .present = PROTO_ALL };
		struct proto_reply r;
		struct proto_error err;
		ck_assert_int_eq(rpc_call_sync(e.rpc, PROTO_MSG_ticket_get, &g, &r, &err, 10000), 0);
		ck_assert_msg(r.ok, "ticket %" PRId64 ": %s", id, r.error.message);
		const struct proto_ticket *t = &r.ticket;
		int s = ticket_state_parse(t->state);
		ck_assert_msg(s >= 0 && ticket_state_final((enum ticket_state)s),
		    "ticket %" PRId64 " is %s", id, t->state);
		ck_assert_int_ge(r.n_events, 2);
		ck_assert_str_eq(r.events[0].kind, "created");
		enum ticket_state cur = TICKET_NEW;
		int64_t last_id = 0, last_ts = 0;
		for (size_t i = 0; i < r.n_events; i++) {
			const struct proto_event *ev = &r.events[i];
			ck_assert_int_gt(ev->id, last_id);
			ck_assert_int_ge(ev->ts, last_ts);
			last_id = ev->id;
			last_ts = ev->ts;
			char name[32];
			int next = -1;
			if (strcmp(ev->kind, "dispatch") == 0 || strcmp(ev->kind, "offer") == 0)
				next = TICKET_DISPATCHED;
			else if (strcmp(ev->kind, "accept") == 0)
				next = TICKET_ACCEPTED;
			else if (strcmp(ev->kind, "decline") == 0 || strcmp(ev->kind, "timeout") == 0 ||
			    strcmp(ev->kind, "release") == 0)
				next = TICKET_NEW;
			else if (strcmp(ev->kind, "state") == 0 && strncmp(ev->detail, "back to new", 11) == 0)
				next = TICKET_NEW;
			else if (strcmp(ev->kind, "state") == 0)
				next = ticket_state_parse(state_of_event(ev, name, sizeof name));
			if (next < 0)
				continue;
			ck_assert_msg(ticket_transition_ok(cur, (enum ticket_state)next),
			    "ticket %" PRId64 ": history goes %s -> %s", id, ticket_state_name(cur),
			    ticket_state_name((enum ticket_state)next));
			cur = (enum ticket_state)next;
		}
		ck_assert_int_eq(cur, s);
		if (s == TICKET_COMPLETED) {
			completed++;
			ck_assert_int_le(t->created, t->t_dispatched);
			ck_assert_int_le(t->t_dispatched, t->t_accepted);
			ck_assert_int_le(t->t_accepted, t->t_on_scene);
			ck_assert_int_le(t->t_on_scene, t->t_closed);
		}
		proto_reply_finish(&r);
	}
	ck_assert_int_gt(completed, n / 2);

	/* and the snapshot agrees: n tickets, all final */
	struct proto_snapshot sa = { .present = 0 };
	struct proto_reply r;
	struct proto_error err;
	ck_assert_int_eq(rpc_call_sync(e.rpc, PROTO_MSG_snapshot, &sa, &r, &err, 20000), 0);
	ck_assert(r.ok);
	ck_assert_int_eq((int)r.n_tickets, n);
	ck_assert_int_eq(r.snap.total_tickets, n);
	for (size_t i = 0; i < r.n_tickets; i++) {
		int s = ticket_state_parse(r.tickets[i].state);
		ck_assert(s >= 0 && ticket_state_final((enum ticket_state)s));
	}
	proto_reply_finish(&r);
	env_finish(&e);
}
END_TEST

/* ---- kill -9 and restart ---- */

#define K9_MAX 400

struct k9 {
	int64_t ids[K9_MAX];      /* ticket id acknowledged for request i, 0 if not yet */
	char cmd_ids[K9_MAX][PROTO_CMD_ID_MAX + 1];
	int acked;
	int failed;
};

static struct k9 k9;

static void
k9_reply(void *ctx, const char *cmd_id, const struct proto_reply *r, const struct proto_error *err)
{
	int i = (int)(intptr_t)ctx;
	(void)cmd_id;
	(void)err;
	if (r != NULL && r->ok && k9.ids[i] == 0) {
		k9.ids[i] = r->ticket.id;
		k9.acked++;
	} else if (r == NULL || !r->ok) {
		k9.failed++;
	}
}

static void
fill_intake(struct proto_intake_create *in, int i)
{
	memset(in, 0, sizeof *in);
	snprintf(in->customer, sizeof in->customer, "K9-%04d 王", i);
	PROTO_STRSET(in->phone, "13912345678");
	PROTO_STRSET(in->plate, "湘A·K9000");
	/* the number also in the address: tickets come back with the name masked */
	snprintf(in->address, sizeof in->address, "K9-%04d 长沙市岳麓区麓山南路932号", i);
	PROTO_STRSET(in->fault, "tyre");
	PROTO_STRSET(in->region, "changsha");
	in->lat = 28.17 + (i % 50) * 0.001;
	in->lon = 112.93;
	in->present = PROTO_ALL & ~((uint64_t)1 << PROTO_intake_create_flags);
}

START_TEST(kill9_loses_nothing_acknowledged)
{
	struct env e;
	env_init(&e, "k9");
	start_broker(&e, "1");
	connect_rpc(&e);
	int64_t epoch1 = hello(&e);
	memset(&k9, 0, sizeof k9);

	/* first half: acknowledged before the crash */
	for (int i = 0; i < K9_MAX / 2; i++) {
		struct proto_intake_create in;
		fill_intake(&in, i);
		ck_assert_int_eq(rpc_call(e.rpc, PROTO_MSG_intake_create, &in, k9_reply,
		    (void *)(intptr_t)i, k9.cmd_ids[i]), 0);
	}
	int64_t end = rd_mono_ms() + 20000;
	while (k9.acked < K9_MAX / 2 && rd_mono_ms() < end) {
		zmq_pollitem_t it = { rpc_socket(e.rpc), 0, ZMQ_POLLIN, 0 };
		zmq_poll(&it, 1, 50);
		rpc_process(e.rpc, rd_mono_ms());
	}
	ck_assert_int_eq(k9.acked, K9_MAX / 2);
	/* second half: in flight when the broker dies */
	for (int i = K9_MAX / 2; i < K9_MAX; i++) {
		struct proto_intake_create in;
		fill_intake(&in, i);
		ck_assert_int_eq(rpc_call(e.rpc, PROTO_MSG_intake_create, &in, k9_reply,
		    (void *)(intptr_t)i, k9.cmd_ids[i]), 0);
	}
	/* let some of them be processed, then kill -9 */
	end = rd_mono_ms() + 5000;
	while (k9.acked < K9_MAX / 2 + 20 && rd_mono_ms() < end) {
		zmq_pollitem_t it = { rpc_socket(e.rpc), 0, ZMQ_POLLIN, 0 };
		zmq_poll(&it, 1, 5);
		rpc_process(e.rpc, rd_mono_ms());
	}
	kill(e.broker, SIGKILL);
	waitpid(e.broker, NULL, 0);
	int acked_before = k9.acked;
	int64_t ids_before[K9_MAX];
	memcpy(ids_before, k9.ids, sizeof ids_before);

	/* restart on the same store; the rpc retries what was not answered, same cmd_ids */
	start_broker(&e, "1");
	end = rd_mono_ms() + 30000;
	while (k9.acked + k9.failed < K9_MAX && rd_mono_ms() < end) {
		zmq_pollitem_t it = { rpc_socket(e.rpc), 0, ZMQ_POLLIN, 0 };
		zmq_poll(&it, 1, 50);
		rpc_process(e.rpc, rd_mono_ms());
	}
	ck_assert_int_eq(k9.failed, 0);
	ck_assert_int_eq(k9.acked, K9_MAX);
	int64_t epoch2 = hello(&e);
	ck_assert_int_eq(epoch2, epoch1 + 1);

	/* every acknowledged ticket is there with what was acknowledged; each request made
	 * exactly one ticket */
	struct proto_snapshot sa = { .present = 0 };
	struct proto_reply r;
	struct proto_error err;
	ck_assert_int_eq(rpc_call_sync(e.rpc, PROTO_MSG_snapshot, &sa, &r, &err, 20000), 0);
	ck_assert(r.ok);
	ck_assert_int_eq((int)r.n_tickets, K9_MAX);
	static int seen[K9_MAX];
	memset(seen, 0, sizeof seen);
	for (size_t i = 0; i < r.n_tickets; i++) {
		int k = atoi(r.tickets[i].address + 3);
		ck_assert(k >= 0 && k < K9_MAX);
		seen[k]++;
		ck_assert_int_eq(k9.ids[k], r.tickets[i].id);
	}
	for (int k = 0; k < K9_MAX; k++) {
		ck_assert_int_eq(seen[k], 1);
		if (ids_before[k] != 0)
			ck_assert_int_eq(ids_before[k], k9.ids[k]);
	}
	ck_assert_int_ge(acked_before, K9_MAX / 2);
	proto_reply_finish(&r);
	env_finish(&e);
}
END_TEST

/* ---- a 100k-ticket snapshot reaches a replica whole ---- */

static int big_acked;

static void
big_reply(void *ctx, const char *cmd_id, const struct proto_reply *r, const struct proto_error *err)
{
	(void)ctx;
	(void)cmd_id;
	(void)err;
	ck_assert_msg(r != NULL && r->ok, "intake failed");
	big_acked++;
}

START_TEST(snapshot_100k_arrives_whole)
{
	struct env e;
	const int n = 100000;
	env_init(&e, "big");
	start_broker(&e, "1");
	connect_rpc(&e);
	hello(&e);
	big_acked = 0;
	int sent = 0;
	int64_t end = rd_mono_ms() + 240000;
	while (big_acked < n && rd_mono_ms() < end) {
		while (sent < n && sent - big_acked < 500) {
			struct proto_intake_create in;
			fill_intake(&in, sent % K9_MAX);
			ck_assert_int_eq(rpc_call(e.rpc, PROTO_MSG_intake_create, &in, big_reply, NULL,
			    NULL), 0);
			sent++;
		}
		zmq_pollitem_t it = { rpc_socket(e.rpc), 0, ZMQ_POLLIN, 0 };
		zmq_poll(&it, 1, 50);
		rpc_process(e.rpc, rd_mono_ms());
	}
	ck_assert_int_eq(big_acked, n);

	char *cause = NULL;
	struct replica_opts po = { .pub_endpoint = e.pub };
	struct replica *rep = replica_create(e.zctx, e.rpc, &po, NULL, NULL, &cause);
	ck_assert_msg(rep != NULL, "replica: %s", cause);
	end = rd_mono_ms() + 60000;
	while (replica_state(rep) != REPLICA_LIVE && rd_mono_ms() < end) {
		zmq_pollitem_t it[2] = { { rpc_socket(e.rpc), 0, ZMQ_POLLIN, 0 },
			{ replica_socket(rep), 0, ZMQ_POLLIN, 0 } };
		zmq_poll(it, 2, 50);
		int64_t now = rd_mono_ms();
		rpc_process(e.rpc, now);
		replica_process(rep, now);
	}
	ck_assert_int_eq(replica_state(rep), REPLICA_LIVE);
	ck_assert_int_eq((int)replica_ticket_count(rep), n);
	for (int64_t id = 1; id <= n; id += 997)
		ck_assert_ptr_nonnull(replica_ticket(rep, id));
	replica_destroy(rep);
	env_finish(&e);
}
END_TEST

/* ---- the simulator follows a restarted broker ---- */

#define RS_SCALE 300       /* broker ms per real ms */
#define RS_OUTAGE_MS 2000  /* 600 s of broker time: twice the feed's 300 s limit */

/* Pump the rpc and the replica until cond holds or timeout_ms pass. */
static bool
pump_until(struct env *e, struct replica *rep, bool (*cond)(struct replica *, const void *),
    const void *arg, int timeout_ms)
{
	int64_t end = rd_mono_ms() + timeout_ms;
	while (!cond(rep, arg)) {
		if (rd_mono_ms() >= end)
			return false;
		zmq_pollitem_t it[2] = { { rpc_socket(e->rpc), 0, ZMQ_POLLIN, 0 },
			{ replica_socket(rep), 0, ZMQ_POLLIN, 0 } };
		zmq_poll(it, 2, 50);
		int64_t now = rd_mono_ms();
		rpc_process(e->rpc, now);
		replica_process(rep, now);
	}
	return true;
}

/* Some ticket has been offered to a truck. */
static bool
any_offered(struct replica *rep, const void *arg)
{
	const struct proto_ticket *t;
	size_t pos = 0;
	(void)arg;
	if (replica_state(rep) != REPLICA_LIVE)
		return false;
	while ((t = replica_ticket_next(rep, &pos)) != NULL)
		if (PROTO_HAS(t, ticket, truck) && t->truck[0])
			return true;
	return false;
}

/* The replica is live in epoch *arg. */
static bool
live_in(struct replica *rep, const void *arg)
{
	return replica_state(rep) == REPLICA_LIVE && replica_epoch(rep) == *(const int64_t *)arg;
}

/* Some truck's last fix is stamped after *arg (broker time): the broker took it. */
static bool
fix_after(struct replica *rep, const void *arg)
{
	const struct proto_truck *k;
	size_t pos = 0;
	while ((k = replica_truck_next(rep, &pos)) != NULL)
		if (PROTO_HAS(k, truck, fix_ts) && k->fix_ts > *(const int64_t *)arg)
			return true;
	return false;
}

/* Ticket *arg has been offered to a truck. */
static bool
ticket_offered(struct replica *rep, const void *arg)
{
	const struct proto_ticket *t = replica_ticket(rep, *(const int64_t *)arg);
	return t != NULL && PROTO_HAS(t, ticket, truck) && t->truck[0];
}

START_TEST(sim_follows_restarted_broker)
{
	struct env e;
	char logsim[128], scale[16], *cause = NULL;
	env_init(&e, "rs");
	snprintf(scale, sizeof scale, "%d", RS_SCALE);
	snprintf(logsim, sizeof logsim, "%s/sim.log", e.dir);
	start_broker(&e, scale);
	connect_rpc(&e);
	int64_t epoch = hello(&e);
	const char *argv[] = { BUILD_DIR "/rescuedesk-sim", "--api", e.api, "--pub", e.pub, "--feed",
		e.feed, "--data", SOURCE_DATA_DIR, "--speed", scale, "--seed", "1", "--rate", "12",
		"--region", "changsha", NULL };
	pid_t sim = spawn(argv, logsim);
	struct replica_opts po = { .pub_endpoint = e.pub };
	struct replica *rep = replica_create(e.zctx, e.rpc, &po, NULL, NULL, &cause);
	ck_assert_msg(rep != NULL, "replica: %s", cause);

	/* dispatch works: the simulator's calls get offers */
	bool ok = pump_until(&e, rep, any_offered, NULL, 20000);
	if (!ok) {
		dump_log(logsim);
		dump_log(e.log);
	}
	ck_assert_msg(ok, "no offer before the restart");

	/* kill -9; the outage lasts long enough for a clock that ran on through it to be more
	 * than the feed's 300 s ahead of the restarted broker, whose time resumes from the
	 * newest change in its store */
	kill(e.broker, SIGKILL);
	waitpid(e.broker, NULL, 0);
	struct timespec outage = { RS_OUTAGE_MS / 1000, (RS_OUTAGE_MS % 1000) * 1000000L };
	nanosleep(&outage, NULL);
	start_broker(&e, scale);
	int64_t t_restart;
	int64_t epoch2 = hello_at(&e, &t_restart);
	ck_assert_int_eq(epoch2, epoch + 1);
	ck_assert(pump_until(&e, rep, live_in, &epoch2, 20000));

	/* the trucks' fixes are taken again: one stamped well after what a fix sent during
	 * the outage can carry (at most 300 s ahead of the broker when it arrived) */
	int64_t fresh = t_restart + 3 * 300000;
	ok = pump_until(&e, rep, fix_after, &fresh, 20000);
	/* and dispatch goes on: a new ticket gets an offer */
	struct proto_intake_create in;
	struct proto_reply r;
	struct proto_error err;
	int64_t id = 0;
	if (ok) {
		fill_intake(&in, 0);
		in.lat = 28.2282;
		in.lon = 112.9388;
		ck_assert_int_eq(rpc_call_sync(e.rpc, PROTO_MSG_intake_create, &in, &r, &err, 10000),
		    0);
		ck_assert_msg(r.ok, "intake: %s", r.error.message);
		id = r.ticket.id;
		proto_reply_finish(&r);
		ok = pump_until(&e, rep, ticket_offered, &id, 15000);
	}
	if (!ok) {
		dump_log(logsim);
		dump_log(e.log);
	}
	ck_assert_msg(id != 0, "no fix stamped after broker time %" PRId64 " was taken", fresh);
	ck_assert_msg(ok, "ticket %" PRId64 " was not offered to a truck", id);

	/* the simulator went on all along, and stops cleanly */
	ck_assert_int_eq(waitpid(sim, NULL, WNOHANG), 0);
	kill(sim, SIGTERM);
	int rc = wait_exit(sim, 10000);
	if (rc != 0)
		dump_log(logsim);
	ck_assert_int_eq(rc, 0);
	replica_destroy(rep);
	env_finish(&e);
}
END_TEST

/* ---- no contact in any log ---- */

/* Whether buf holds s where s is not part of a longer run of digits (a phone inside a
 * timestamp is not the phone). */
static bool
holds(const char *buf, size_t len, const char *s)
{
	size_t k = strlen(s);
	bool digits = k > 0 && s[0] >= '0' && s[0] <= '9';

	for (size_t i = 0; k > 0 && i + k <= len; i++) {
		if (memcmp(buf + i, s, k) != 0)
			continue;
		if (digits && ((i > 0 && buf[i - 1] >= '0' && buf[i - 1] <= '9') ||
		    (i + k < len && buf[i + k] >= '0' && buf[i + k] <= '9')))
			continue;
		return true;
	}
	return false;
}

static char *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	ck_assert_msg(f != NULL, "no log %s", path);
	ck_assert_int_eq(fseek(f, 0, SEEK_END), 0);
	long n = ftell(f);
	ck_assert_int_ge(n, 0);
	rewind(f);
	char *buf = xmalloc((size_t)n + 1);
	ck_assert_uint_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	buf[n] = '\0';
	*len = (size_t)n;
	return buf;
}

/* Issue 11: the broker and the simulator, both at debug level, run calls to completion;
 * the callers' names and numbers the run used (asked of the broker afterwards with
 * ticket.contact: the simulator makes them up from its seed) are in neither log. */
START_TEST(logs_hold_no_contact)
{
	struct env e;
	int n = 80;
	char nbuf[16], logsim[128];
	env_init(&e, "logs");
	const char *bargv[] = { BUILD_DIR "/rescuedeskd", "--api", e.api, "--pub", e.pub,
		"--feed", e.feed, "--db", e.db, "--data", SOURCE_DATA_DIR, "--time-scale", "2400",
		"--keep-closed", "100000", "-v", NULL };
	e.broker = spawn(bargv, e.log);
	connect_rpc(&e);
	hello(&e);
	snprintf(nbuf, sizeof nbuf, "%d", n);
	snprintf(logsim, sizeof logsim, "%s/sim.log", e.dir);
	const char *argv[] = { BUILD_DIR "/rescuedesk-sim", "--api", e.api, "--pub", e.pub,
		"--feed", e.feed, "--data", SOURCE_DATA_DIR, "--speed", "2400", "--seed", "11",
		"--requests", nbuf, "--rate", "40", "--region", "changsha", "-v", "-v", NULL };
	pid_t sim = spawn(argv, logsim);
	int rc = wait_exit(sim, 400000);
	if (rc != 0)
		dump_log(logsim);
	ck_assert_int_eq(rc, 0);

	size_t blen, slen, checked = 0;
	char *blog = slurp(e.log, &blen), *slog = slurp(logsim, &slen);
	/* the simulator logs every call at debug level (the broker has few debug lines) */
	ck_assert_msg(strstr(slog, " debug ") != NULL, "the simulator's log is not at debug "
	    "level");
	ck_assert(strstr(blog, " info ") != NULL);
	for (int64_t id = 1; id <= n; id++) {
		struct proto_ticket_contact c = { .id = id, .present = 0 };
		struct proto_reply r;
		struct proto_error err;
		ck_assert_int_eq(rpc_call_sync(e.rpc, PROTO_MSG_ticket_contact, &c, &r, &err,
		    10000), 0);
		ck_assert_msg(r.ok, "ticket %" PRId64 ": %s", id, r.error.message);
		char digits[32], masked[32];
		size_t k = 0;
		for (const char *q = r.contact.phone; *q && k + 1 < sizeof digits; q++)
			if (*q >= '0' && *q <= '9')
				digits[k++] = *q;
		digits[k] = '\0';
		ck_assert_uint_ge(k, 5);
		ck_assert_uint_ge(strlen(r.contact.customer), 2);
		const char *what[] = { r.contact.phone, digits, r.contact.customer };
		for (size_t i = 0; i < ARRAY_LEN(what); i++) {
			ck_assert_msg(!holds(blog, blen, what[i]), "the broker's log holds \"%s\" "
			    "(ticket %" PRId64 ")", what[i], id);
			ck_assert_msg(!holds(slog, slen, what[i]), "the simulator's log holds "
			    "\"%s\" (ticket %" PRId64 ")", what[i], id);
		}
		/* the masked form may be logged; the test would see a raw one */
		ticket_mask_phone(r.contact.phone, masked, sizeof masked);
		ck_assert_str_ne(masked, digits);
		checked++;
		proto_reply_finish(&r);
	}
	ck_assert_uint_eq(checked, (size_t)n);
	free(blog);
	free(slog);
	env_finish(&e);
}
END_TEST

static Suite *
integration_suite(void)
{
	Suite *s = suite_create("integration");
	TCase *tc = tcase_create("processes");
	tcase_set_timeout(tc, 600);
	tcase_add_test(tc, kill9_loses_nothing_acknowledged);
	tcase_add_test(tc, snapshot_100k_arrives_whole);
	tcase_add_test(tc, sim_runs_to_completion);
	tcase_add_test(tc, logs_hold_no_contact);
	suite_add_tcase(s, tc);
	tc = tcase_create("restart");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, sim_follows_restarted_broker);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	signal(SIGPIPE, SIG_IGN);
	SRunner *sr = srunner_create(integration_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
