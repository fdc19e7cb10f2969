/* check-hold.c: the broker holds under hostile peers and stalled and many subscribers
 * (issue 12). The real rescuedeskd runs as a separate process on ipc endpoints in a
 * temporary directory; the clients are the client library's (rpc.c, replica.c) with the
 * console's socket options.
 *
 *   - hostile peers: a sender speaking raw ZMTP (no libzmq on its side, so it holds
 *     nothing) sends a multipart message of 64 KiB frames that never ends, on the api and
 *     on the feed socket. The broker's memory guard drops it: the broker's peak resident
 *     memory (VmHWM in /proc/PID/status) stays within --max-memory plus a little, and the
 *     broker serves as before;
 *   - a stalled subscriber: a headless replica in a child process is stopped (SIGSTOP) for
 *     longer than the old 3 s ZMTP heartbeat time-out while tickets are created, then
 *     continued: it keeps its queue (no gap, no resync) and holds every ticket within 2 s;
 *     stopped while the broker is killed and restarted, it resyncs within 2 s;
 *   - many subscribers: 200 headless replicas sharing one DEALER all go live and all hold
 *     every ticket created after, without a gap.
 *
 * BUILD_DIR and SOURCE_DATA_DIR come from meson. Waits are on events with deadlines: the
 * loads themselves (requests answered) measure the stall. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

#include "proto.h"
#include "replica.h"
#include "rpc.h"
#include "util.h"

#define GUARD_MB 128        /* --max-memory of the hostile-peer tests */
#define GUARD_SLACK_MB 48   /* what may arrive between two looks of the guard, and more */
#define HOSTILE_FRAMES 6000 /* 6000 x 64 KiB = 375 MiB: far beyond the guard */
#define STALL_MS 4500       /* longer than the old ZMTP heartbeat time-out (3 s) */
#define RESUME_MS 2000      /* a stalled replica holds everything this soon after */
#define MANY 200

struct env {
	char dir[64];
	char api[128], pub[128], feed[128], db[128], log[128];
	pid_t broker;
	void *zctx;
	struct rpc *rpc;
};

static void
env_paths(struct env *e)
{
	memset(e, 0, sizeof *e);
	rd_strlcpy(e->dir, "/tmp/rd-hold-XXXXXX", sizeof e->dir);
	ck_assert_ptr_nonnull(mkdtemp(e->dir));
	snprintf(e->api, sizeof e->api, "ipc://%s/api", e->dir);
	snprintf(e->pub, sizeof e->pub, "ipc://%s/pub", e->dir);
	snprintf(e->feed, sizeof e->feed, "ipc://%s/feed", e->dir);
	snprintf(e->db, sizeof e->db, "%s/hold.db", e->dir);
	snprintf(e->log, sizeof e->log, "%s/broker.log", e->dir);
}

static void
start_broker(struct env *e, const char *max_memory)
{
	const char *argv[] = { BUILD_DIR "/rescuedeskd", "--api", e->api, "--pub", e->pub, "--feed",
		e->feed, "--db", e->db, "--data", SOURCE_DATA_DIR, "--max-memory", max_memory, NULL };
	pid_t pid = fork();

	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		int fd = open(e->log, O_WRONLY | O_CREAT | O_APPEND, 0600);
		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	e->broker = pid;
	if (e->rpc != NULL)
		return; /* a restart: the DEALER reconnects by itself */
	if (e->zctx == NULL)
		e->zctx = zmq_ctx_new();
	char *cause = NULL;
	struct rpc_opts ro = { .endpoint = e->api, .user = "hold", .timeout_ms = 1000, .tries = 30 };
	e->rpc = rpc_create(e->zctx, &ro, &cause);
	ck_assert_msg(e->rpc != NULL, "rpc: %s", cause);
}

/* hello until the broker answers (a fresh DEALER each time the guard may have cut us) */
static void
hello(struct env *e)
{
	struct proto_hello h = { .present = 0 };
	struct proto_reply r;
	struct proto_error err;
	int rc = rpc_call_sync(e->rpc, PROTO_MSG_hello, &h, &r, &err, 20000);
	ck_assert_msg(rc == 0 && r.ok, "no hello from the broker: %s",
	    rc ? err.message : r.error.message);
	proto_reply_finish(&r);
}

static void
create_ticket(struct env *e, int i)
{
	struct proto_intake_create in;
	struct proto_reply r;
	struct proto_error err;

	memset(&in, 0, sizeof in);
	snprintf(in.customer, sizeof in.customer, "H-%05d 李", i);
	PROTO_STRSET(in.phone, "13912345678");
	PROTO_STRSET(in.plate, "湘A·H1200");
	PROTO_STRSET(in.address, "长沙市岳麓区麓山南路932号");
	PROTO_STRSET(in.fault, "tyre");
	PROTO_STRSET(in.region, "changsha");
	in.lat = 28.17 + (i % 50) * 0.001;
	in.lon = 112.93;
	int rc = rpc_call_sync(e->rpc, PROTO_MSG_intake_create, &in, &r, &err, 10000);
	ck_assert_msg(rc == 0 && r.ok, "intake %d: %s", i, rc ? err.message : r.error.message);
	proto_reply_finish(&r);
}

static void
env_finish(struct env *e)
{
	int st;

	rpc_destroy(e->rpc);
	if (e->broker > 0) {
		kill(e->broker, SIGTERM);
		waitpid(e->broker, &st, 0);
	}
	if (e->zctx != NULL)
		zmq_ctx_term(e->zctx);
	if (rd_remove_tree(e->dir) != 0)
		fprintf(stderr, "could not remove %s: %s\n", e->dir, strerror(errno));
}

/* A line of the broker's /proc status ("VmHWM", "VmRSS") in kB. */
static long
proc_kb(pid_t pid, const char *key)
{
	char path[64], line[256];
	long kb = -1;
	size_t n = strlen(key);

	snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
	FILE *f = fopen(path, "r");
	ck_assert_ptr_nonnull(f);
	while (fgets(line, sizeof line, f) != NULL)
		if (strncmp(line, key, n) == 0 && line[n] == ':')
			kb = strtol(line + n + 1, NULL, 10);
	fclose(f);
	return kb;
}

/* ---------------------------------------------------------------- hostile peers */

/* Connect to an ipc endpoint with a plain socket and do the ZMTP 3.0 NULL handshake as a
 * socket of type (e.g. "DEALER"). */
static int
zmtp_connect(const char *endpoint, const char *type)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	unsigned char greeting[64] = { 0xff, 0, 0, 0, 0, 0, 0, 0, 0, 0x7f, 3, 0, 'N', 'U', 'L', 'L' };
	unsigned char cmd[64], peer[64];
	size_t tl = strlen(type), n = 0;
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	ck_assert_int_ge(fd, 0);
	rd_strlcpy(a.sun_path, endpoint + strlen("ipc://"), sizeof a.sun_path);
	ck_assert_msg(connect(fd, (struct sockaddr *)&a, sizeof a) == 0, "connect: %s",
	    strerror(errno));
	ck_assert_int_eq(write(fd, greeting, sizeof greeting), (ssize_t)sizeof greeting);
	for (size_t got = 0; got < sizeof peer;) {
		ssize_t r = read(fd, peer + got, sizeof peer - got);
		ck_assert_msg(r > 0, "no greeting from the broker");
		got += (size_t)r;
	}
	/* READY with Socket-Type */
	cmd[n++] = 0x04;
	cmd[n++] = (unsigned char)(6 + 1 + 11 + 4 + tl);
	memcpy(cmd + n, "\x05READY\x0bSocket-Type\0\0\0", 21);
	n += 21;
	cmd[n++] = (unsigned char)tl;
	memcpy(cmd + n, type, tl);
	n += tl;
	ck_assert_int_eq(write(fd, cmd, n), (ssize_t)n);
	return fd;
}

/* Send frames of 64 KiB flagged MORE until the broker drops us; returns how many went. */
static int
send_endless(int fd)
{
	static unsigned char frame[9 + 65536];
	int i;

	frame[0] = 0x03; /* MORE | LONG */
	frame[6] = 0x01; /* length 65536 = 0x10000, big-endian in bytes 1-8 */
	for (i = 0; i < HOSTILE_FRAMES; i++) {
		size_t off = 0;
		while (off < sizeof frame) {
			ssize_t w = write(fd, frame + off, sizeof frame - off);
			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0)
				return i;
			off += (size_t)w;
		}
	}
	return i;
}

static const char *const hostile_sockets[][2] = { { "api", "DEALER" }, { "feed", "PUSH" } };

/* Issue 12, defect 1: 1,500 frames of 1 MB held 1.44 GB. Now a multipart message that
 * never ends is cut off by the memory guard, the broker's peak stays bounded, and it
 * serves afterwards. */
START_TEST(test_hostile_multipart)
{
	struct env e;
	char limit[16];

	signal(SIGPIPE, SIG_IGN);
	env_paths(&e);
	snprintf(limit, sizeof limit, "%d", GUARD_MB);
	start_broker(&e, limit);
	hello(&e);
	long before = proc_kb(e.broker, "VmHWM");
	ck_assert_int_lt(before, GUARD_MB * 1024L / 2);

	int fd = zmtp_connect(_i == 0 ? e.api : e.feed, hostile_sockets[_i][1]);
	int sent = send_endless(fd);
	close(fd);
	long peak = proc_kb(e.broker, "VmHWM");
	fprintf(stderr, "hostile %s: %d frames of 64 KiB went before the broker dropped the "
	    "sender; broker peak %ld MiB (limit %d MiB), %ld MiB before\n", hostile_sockets[_i][0],
	    sent, peak / 1024, GUARD_MB, before / 1024);
	ck_assert_msg(sent < HOSTILE_FRAMES, "the broker took all %d frames (%d MiB)", sent,
	    sent / 16);
	ck_assert_msg(peak <= (GUARD_MB + GUARD_SLACK_MB) * 1024L, "broker peak %ld MiB",
	    peak / 1024);
	hello(&e); /* it serves (our DEALER was dropped too, and reconnected) */
	create_ticket(&e, 1);
	env_finish(&e);
}
END_TEST

/* ---------------------------------------------------------------- headless replicas */

struct headless {
	struct replica *rep;
};

static void
headless_open(struct headless *h, void *zctx, struct rpc *rpc, const char *pub)
{
	char *cause = NULL;
	struct replica_opts o = { .pub_endpoint = pub };

	h->rep = replica_create(zctx, rpc, &o, NULL, NULL, &cause);
	ck_assert_msg(h->rep != NULL, "replica: %s", cause);
}

/* One turn of the loop a console runs: wait for any socket or timeout_ms, process all. */
static void
headless_turn(struct headless *hs, size_t n, struct rpc *rpc, int fd, int timeout_ms)
{
	zmq_pollitem_t *items = xcalloc(n + 2, sizeof *items);
	int64_t now = rd_mono_ms();
	size_t k = 0;

	items[k++] = (zmq_pollitem_t){ rpc_socket(rpc), 0, ZMQ_POLLIN, 0 };
	if (fd >= 0)
		items[k++] = (zmq_pollitem_t){ NULL, fd, ZMQ_POLLIN, 0 };
	for (size_t i = 0; i < n; i++) {
		int t = replica_next_timeout(hs[i].rep, now);
		if (t >= 0 && t < timeout_ms)
			timeout_ms = t;
		items[k++] = (zmq_pollitem_t){ replica_socket(hs[i].rep), 0, ZMQ_POLLIN, 0 };
	}
	zmq_poll(items, (int)k, timeout_ms);
	now = rd_mono_ms();
	rpc_process(rpc, now);
	for (size_t i = 0; i < n; i++)
		replica_process(hs[i].rep, now);
	free(items);
}

/* The child of the stalled-subscriber test: a headless replica that answers each byte
 * read on cmd with a line on ans: "STATE TICKETS GAPS RESYNCS". 'q' ends it. */
static void
replica_child(const struct env *e, int cmd, int ans)
{
	void *zctx = zmq_ctx_new();
	char *cause = NULL;
	struct rpc_opts ro = { .endpoint = e->api, .user = "stalled", .timeout_ms = 1000,
		.tries = 30 };
	struct rpc *rpc = rpc_create(zctx, &ro, &cause);
	struct headless h;

	if (rpc == NULL)
		_exit(2);
	headless_open(&h, zctx, rpc, e->pub);
	for (;;) {
		struct pollfd p = { cmd, POLLIN, 0 };
		headless_turn(&h, 1, rpc, cmd, 100);
		if (poll(&p, 1, 0) == 1) {
			char c, line[128];
			struct replica_stats st;
			if (read(cmd, &c, 1) != 1 || c == 'q')
				break;
			replica_stats(h.rep, &st);
			int n = snprintf(line, sizeof line, "%s %zu %" PRIu64 " %" PRIu64 "\n",
			    replica_state_name(replica_state(h.rep)),
			    replica_count(h.rep, PROTO_STREAM_TICKET), st.gaps, st.resyncs);
			if (write(ans, line, (size_t)n) != n)
				break;
		}
	}
	replica_destroy(h.rep);
	rpc_destroy(rpc);
	zmq_ctx_term(zctx);
	_exit(0);
}

struct child_state {
	char state[16];
	size_t tickets;
	unsigned long long gaps, resyncs;
};

/* Ask the child; false when it did not answer by the deadline. */
static bool
ask(int cmd, int ans, int64_t until, struct child_state *cs)
{
	char line[128];
	size_t got = 0;

	ck_assert_int_eq(write(cmd, "?", 1), 1);
	while (got == 0 || line[got - 1] != '\n') {
		struct pollfd p = { ans, POLLIN, 0 };
		int64_t left = until - rd_mono_ms();
		if (left <= 0 || poll(&p, 1, (int)left) != 1)
			return false;
		ssize_t r = read(ans, line + got, sizeof line - 1 - got);
		ck_assert_int_gt(r, 0);
		got += (size_t)r;
	}
	line[got] = '\0';
	ck_assert_int_eq(sscanf(line, "%15s %zu %llu %llu", cs->state, &cs->tickets, &cs->gaps,
	    &cs->resyncs), 4);
	return true;
}

/* A replica in a child process that answers over the pipes cmd and ans (forked before this
 * process has a ZeroMQ context), a broker, and 20 tickets the replica holds live within
 * 15 s. Returns the child; *n is the number of tickets created. */
static pid_t
replica_live(struct env *e, int cmd[2], int ans[2], int *n)
{
	struct child_state cs;

	env_paths(e);
	ck_assert_int_eq(pipe(cmd), 0);
	ck_assert_int_eq(pipe(ans), 0);
	pid_t child = fork();
	ck_assert_int_ge(child, 0);
	if (child == 0)
		replica_child(e, cmd[0], ans[1]);
	start_broker(e, "1024");
	hello(e);
	for (*n = 0; *n < 20; (*n)++)
		create_ticket(e, *n);
	int64_t until = rd_mono_ms() + 15000;
	do
		ck_assert_msg(ask(cmd[1], ans[0], until, &cs), "the replica does not answer");
	while ((strcmp(cs.state, "live") != 0 || cs.tickets < (size_t)*n) &&
	    rd_mono_ms() < until);
	ck_assert_str_eq(cs.state, "live");
	return child;
}

/* Tell the replica child to quit over cmd; it must exit 0. */
static void
replica_quit(pid_t child, int cmd)
{
	int st;

	ck_assert_int_eq(write(cmd, "q", 1), 1);
	ck_assert_int_eq(waitpid(child, &st, 0), child);
	ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

/* Issues 12, defects 2 and 3: a subscriber stopped for longer than the old heartbeat
 * time-out under load was cut off and lost its queue (926 of 1,340 messages). Now it keeps
 * it: after SIGCONT it holds every ticket within 2 s, with no gap and no second snapshot. */
START_TEST(test_stalled_subscriber)
{
	struct env e;
	int cmd[2], ans[2], n;
	struct child_state cs;
	pid_t child = replica_live(&e, cmd, ans, &n);

	/* Light load, as in the issue (1,340 tickets in 20 s): under heavy load the broker's
	 * output to the stopped process blocks, and so would its ZMTP pings. */
	ck_assert_int_eq(kill(child, SIGSTOP), 0);
	int64_t stop_end = rd_mono_ms() + STALL_MS;
	for (int k = 0; rd_mono_ms() < stop_end; k++) { /* the load measures the stall */
		if (k % 50 == 0)
			create_ticket(&e, n++);
		else
			hello(&e);
	}
	ck_assert_int_eq(kill(child, SIGCONT), 0);
	int64_t resumed = rd_mono_ms();
	int64_t until = resumed + RESUME_MS;
	for (;;) {
		ck_assert_msg(ask(cmd[1], ans[0], until, &cs), "no answer within %d ms of "
		    "resuming", RESUME_MS);
		if (strcmp(cs.state, "live") == 0 && cs.tickets == (size_t)n)
			break;
	}
	fprintf(stderr, "stalled %d ms while %d tickets were created; %lld ms after resuming "
	    "the replica held all %zu, gaps %llu, snapshots %llu\n", STALL_MS, n,
	    (long long)(rd_mono_ms() - resumed), cs.tickets, cs.gaps, cs.resyncs);
	ck_assert_uint_eq(cs.gaps, 0);
	ck_assert_uint_eq(cs.resyncs, 1);
	replica_quit(child, cmd[1]);
	env_finish(&e);
}
END_TEST

/* A replica stopped while the broker is killed and restarted (a new epoch) and tickets are
 * created: its connection and queue are gone, so it must notice (the new epoch's
 * heartbeat) and resync by itself within 2 s of resuming, holding every ticket. */
START_TEST(test_stalled_across_restart)
{
	struct env e;
	int cmd[2], ans[2], n, st;
	struct child_state cs;
	pid_t child = replica_live(&e, cmd, ans, &n);

	ck_assert_int_eq(kill(child, SIGSTOP), 0);
	kill(e.broker, SIGKILL);
	waitpid(e.broker, &st, 0);
	start_broker(&e, "1024");
	hello(&e);
	for (int k = 0; k < 200; k++)
		create_ticket(&e, n++);
	ck_assert_int_eq(kill(child, SIGCONT), 0);
	int64_t resumed = rd_mono_ms();
	int64_t until = resumed + RESUME_MS;
	for (;;) {
		ck_assert_msg(ask(cmd[1], ans[0], until, &cs), "no resync within %d ms of "
		    "resuming (state %s, %zu of %d tickets)", RESUME_MS, cs.state, cs.tickets, n);
		if (strcmp(cs.state, "live") == 0 && cs.tickets == (size_t)n && cs.resyncs == 2)
			break;
	}
	fprintf(stderr, "stalled across a broker restart: resynced and held all %zu tickets "
	    "%lld ms after resuming\n", cs.tickets, (long long)(rd_mono_ms() - resumed));
	replica_quit(child, cmd[1]);
	env_finish(&e);
}
END_TEST

/* 200 headless replicas (one DEALER, 200 SUBs) go live and follow new tickets without a
 * gap. */
START_TEST(test_many_subscribers)
{
	struct env e;
	struct headless *hs = xcalloc(MANY, sizeof *hs);
	int n = 0;

	env_paths(&e);
	start_broker(&e, "1024");
	hello(&e);
	for (; n < 10; n++)
		create_ticket(&e, n);
	for (size_t i = 0; i < MANY; i++)
		headless_open(&hs[i], e.zctx, e.rpc, e.pub);
	int64_t until = rd_mono_ms() + 60000, t0 = rd_mono_ms();
	size_t live = 0;
	while (live < MANY && rd_mono_ms() < until) {
		headless_turn(hs, MANY, e.rpc, -1, 50);
		live = 0;
		for (size_t i = 0; i < MANY; i++)
			live += replica_state(hs[i].rep) == REPLICA_LIVE;
	}
	ck_assert_uint_eq(live, MANY);
	int64_t t_live = rd_mono_ms() - t0;
	for (int k = 0; k < 20; k++) {
		struct proto_intake_create in;
		memset(&in, 0, sizeof in);
		snprintf(in.customer, sizeof in.customer, "M-%03d 王", n + k);
		PROTO_STRSET(in.phone, "13912345678");
		PROTO_STRSET(in.plate, "湘A·M1200");
		PROTO_STRSET(in.address, "长沙市岳麓区麓山南路932号");
		PROTO_STRSET(in.fault, "tyre");
		PROTO_STRSET(in.region, "changsha");
		in.lat = 28.17;
		in.lon = 112.93;
		ck_assert_int_eq(rpc_call(e.rpc, PROTO_MSG_intake_create, &in, NULL, NULL, NULL), 0);
	}
	n += 20;
	size_t done = 0;
	while (done < MANY && rd_mono_ms() < until) {
		headless_turn(hs, MANY, e.rpc, -1, 50);
		done = 0;
		for (size_t i = 0; i < MANY; i++)
			done += replica_count(hs[i].rep, PROTO_STREAM_TICKET) == (size_t)n;
	}
	ck_assert_uint_eq(done, MANY);
	for (size_t i = 0; i < MANY; i++) {
		struct replica_stats st;
		replica_stats(hs[i].rep, &st);
		ck_assert_uint_eq(st.gaps, 0);
		ck_assert_uint_eq(st.resyncs, 1);
		replica_destroy(hs[i].rep);
	}
	fprintf(stderr, "%d replicas live in %lld ms, all %d tickets in %lld ms\n", MANY,
	    (long long)t_live, n, (long long)(rd_mono_ms() - t0));
	free(hs);
	env_finish(&e);
}
END_TEST

static Suite *
hold_suite(void)
{
	Suite *s = suite_create("hold");
	TCase *tc = tcase_create("hold");

	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, test_hostile_multipart, 0, ARRAY_LEN(hostile_sockets));
	tcase_add_test(tc, test_stalled_subscriber);
	tcase_add_test(tc, test_stalled_across_restart);
	tcase_add_test(tc, test_many_subscribers);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(hold_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
