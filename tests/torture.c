/* torture.c: kill -9 cycles of the real rescuedeskd under a mixed load (issue 12).
 *
 *   torture [-n CYCLES] [-k] [-d DB [-g [-b BROKERS]]] RESCUEDESKD DATA_DIR
 *
 * This process is the independent client: it starts the broker on ipc endpoints in a
 * temporary directory, and in each cycle sends a mix of requests (intake.create, then
 * ticket.note and ticket.cancel on tickets it created), up to 200 in flight, kills the
 * broker with SIGKILL at a random moment (20 to 300 ms into the load), restarts it on the
 * same store, lets the client library retry what was not answered (same cmd_id), and then
 * checks that every acknowledged change is there exactly once: every created ticket in the
 * snapshot once (no request made two), every acknowledged cancel cancelled, and every
 * acknowledged note in its ticket's history (ticket.get) exactly once. Exit status 0 when
 * every cycle held, 1 at the first that did not (with what was wrong), 2 on usage errors.
 * -k keeps the directory. Default 100 cycles; the test suite runs 3 (a group 4). -d gives
 * the broker's --db (a PostgreSQL URI: tests/store-pg.sh runs torture-pg so); default a
 * file in the directory.
 *
 * A console rides along: the real replica (src/client/replica.c) on an rpc of its own,
 * driven as the console's loop drives it (poll both sockets, rpc_process, then
 * replica_process). After each kill it must be live again on the new broker's epoch
 * within 10 s of the kill (waited for on its sockets, the deadline the failure), and hold
 * the same tickets in the same states as the new broker's snapshot; each cycle prints
 * "back to live in N ms" (from the kill or the session's end) and the end the min, median
 * and max.
 *
 * -g (with -d postgresql://...): a group of BROKERS brokers (-b, default 3, 2 to 8) on the
 * one database, each on endpoints of its own (api0/pub0/feed0, api1/...), all started at
 * once: whichever takes the lock leads, found by its first heartbeat on any pub. Every
 * other one must answer not_leader naming the leader's api. In each cycle the leader is
 * killed with SIGKILL (odd cycles) or fenced (even cycles: its database session is ended
 * with pg_terminate_backend through psql, and it must stop by itself, acknowledging
 * nothing more); one of the standbys takes over (whichever wins the lock: the first
 * heartbeat on the other pubs says which), the client, given every api endpoint as a
 * list, follows it by itself (a time-out moves it to the next; not_leader names the
 * leader) and its pending requests are retried there with their cmd_ids; the console
 * follows with its rpc (moved by the hello its replica sends once stale, nothing else
 * being asked) and its SUB (given the pub list: struct rpc_follow). The old
 * leader is started again as a standby, and every standby must answer not_leader naming
 * the new leader. Each cycle prints the takeover time: from the kill (or the session's
 * end) to the new leader's first acknowledgement, which must be under 5 s; the end
 * prints its min, median and max. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zmq.h>

#include "proto.h"
#include "replica.h"
#include "rng.h"
#include "rpc.h"
#include "util.h"

#define IN_FLIGHT 200
#define PER_CYCLE 500     /* intakes per cycle at most; then notes and cancels only */
#define MAX_TICKETS 100000
#define BROKERS_MAX RPC_ENDPOINTS_MAX
#define TAKEOVER_MAX_MS 5000 /* the kill or the session's end to the new leader's 1st ack */
#define LIVE_MAX_MS 10000    /* the kill or the session's end to the console live again */

struct tk {
	int64_t id;        /* 0 until its intake is acknowledged */
	int notes_acked;   /* notes acknowledged */
	int notes_sent;    /* notes sent (acknowledged or not yet) */
	bool cancel_sent, cancelled;
};

static struct {
	const char *rdd, *data;
	char dir[64], db[128];
	char api[BROKERS_MAX][128], pub[BROKERS_MAX][128], feed[BROKERS_MAX][128];
	char log[BROKERS_MAX][128];
	char apis[BROKERS_MAX * 128], pubs[BROKERS_MAX * 128]; /* the lists given to clients */
	int nb;             /* brokers: 1, or the group's */
	pid_t broker[BROKERS_MAX]; /* [T.lead] leads; the others are standbys (group) or 0 */
	int lead;
	int64_t epoch;      /* the leader's, from its first heartbeat (group) */
	bool group;
	int64_t switched_at, first_ack_at; /* the takeover: the kill, the first ack after */
	void *zctx;
	struct rpc *rpc;
	struct tk *t;
	int n;              /* intakes sent */
	int n_max;          /* and the most this cycle may send */
	int in_flight;
	uint64_t acked, failed;
	int64_t checked_notes;
	struct rng rng;
	/* the console: its own rpc and the replica it feeds */
	struct rpc *crpc;
	struct replica *rep;
	int64_t live_at, live_epoch; /* its first turn live on another epoch after the kill */
	int64_t kill_epoch;          /* the epoch it held at the kill */
} T;

static void
die(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "torture: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, " (broker logs: %s/broker*.log)\n", T.dir);
	va_end(ap);
	for (int k = 0; k < T.nb; k++)
		if (T.broker[k] > 0)
			kill(T.broker[k], SIGKILL);
	exit(1);
}

static void
start_broker(int k)
{
	const char *argv[] = { T.rdd, "--api", T.api[k], "--pub", T.pub[k], "--feed", T.feed[k],
		"--db", T.db, "--data", T.data, "--keep-closed", "100000", NULL };
	pid_t pid = fork();

	if (pid < 0)
		die("fork: %s", strerror(errno));
	if (pid == 0) {
		int fd = open(T.log[k], O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	T.broker[k] = pid;
}

/* The console's replica changed state: note its first turn live on a new epoch. */
static void
on_console_state(void *ctx, enum replica_state from, enum replica_state to)
{
	(void)ctx;
	(void)from;
	if (to == REPLICA_LIVE && T.switched_at != 0 && T.live_at == 0 &&
	    replica_epoch(T.rep) != T.kill_epoch) {
		T.live_at = rd_mono_ms();
		T.live_epoch = replica_epoch(T.rep);
	}
}

/* The reply to request ctx: intake (ticket index i, tagged 0), note (1) or cancel (2). */
static void
on_reply(void *ctx, const char *cmd_id, const struct proto_reply *r, const struct proto_error *err)
{
	intptr_t v = (intptr_t)ctx;
	int i = (int)(v >> 2), what = (int)(v & 3);

	(void)cmd_id;
	T.in_flight--;
	if (r == NULL || !r->ok) {
		/* a refused cancel (the ticket was already closed) cannot happen here; anything
		 * else failing is a broker that did not come back */
		T.failed++;
		fprintf(stderr, "torture: request failed: %s\n", r == NULL ? err->message :
		    r->error.message);
		return;
	}
	T.acked++;
	if (T.first_ack_at == 0 && T.switched_at != 0)
		T.first_ack_at = rd_mono_ms();
	if (what == 0) {
		if (T.t[i].id != 0 && T.t[i].id != r->ticket.id)
			die("intake %d answered twice with tickets %" PRId64 " and %" PRId64, i,
			    T.t[i].id, r->ticket.id);
		T.t[i].id = r->ticket.id;
	} else if (what == 1) {
		T.t[i].notes_acked++;
	} else {
		T.t[i].cancelled = true;
	}
}

static void
send_one(void)
{
	int i;
	intptr_t what;
	uint64_t dice = rng_next(&T.rng) % 10; /* 6 in 10 notes, 1 in 40 cancels, the rest
	                                         * intakes (or notes past PER_CYCLE) */

	if (T.n > 0 && dice < 6) { /* a note on a ticket created already */
		i = (int)(rng_next(&T.rng) % (uint64_t)T.n);
		if (T.t[i].id != 0 && !T.t[i].cancel_sent) {
			struct proto_ticket_note a = { .id = T.t[i].id, .present = 0 };
			snprintf(a.text, sizeof a.text, "torture note %d of ticket %d", T.t[i].notes_sent,
			    i);
			T.t[i].notes_sent++;
			what = 1;
			if (rpc_call(T.rpc, PROTO_MSG_ticket_note, &a, on_reply,
			    (void *)(((intptr_t)i << 2) | what), NULL) < 0)
				die("rpc_call: %s", strerror(errno));
			T.in_flight++;
			return;
		}
	} else if (T.n > 0 && dice < 7 && rng_next(&T.rng) % 4 == 0) { /* cancel one */
		i = (int)(rng_next(&T.rng) % (uint64_t)T.n);
		if (T.t[i].id != 0 && !T.t[i].cancel_sent) {
			struct proto_ticket_cancel a = { .id = T.t[i].id, .present = 0 };
			PROTO_STRSET(a.reason, "torture");
			T.t[i].cancel_sent = true;
			what = 2;
			if (rpc_call(T.rpc, PROTO_MSG_ticket_cancel, &a, on_reply,
			    (void *)(((intptr_t)i << 2) | what), NULL) < 0)
				die("rpc_call: %s", strerror(errno));
			T.in_flight++;
			return;
		}
	}
	if (T.n >= T.n_max)
		return;
	struct proto_intake_create in;
	memset(&in, 0, sizeof in);
	i = T.n++;
	snprintf(in.customer, sizeof in.customer, "T-%06d 刘", i);
	PROTO_STRSET(in.phone, "13912345678");
	PROTO_STRSET(in.plate, "湘A·T1200");
	/* the number also in the address: tickets come back with the name masked */
	snprintf(in.address, sizeof in.address, "T-%06d 长沙市岳麓区麓山南路932号", i);
	PROTO_STRSET(in.fault, "tyre");
	PROTO_STRSET(in.region, "changsha");
	in.lat = 28.17 + (i % 50) * 0.001;
	in.lon = 112.93;
	if (rpc_call(T.rpc, PROTO_MSG_intake_create, &in, on_reply, (void *)((intptr_t)i << 2),
	    NULL) < 0)
		die("rpc_call: %s", strerror(errno));
	T.in_flight++;
}

/* One turn of the loop: the client's replies, and the console's as its loop does them
 * (its rpc, then its replica). Waits at most timeout_ms for any of them. */
static void
turn(int timeout_ms)
{
	zmq_pollitem_t it[3] = {
		{ rpc_socket(T.rpc), 0, ZMQ_POLLIN, 0 },
		{ rpc_socket(T.crpc), 0, ZMQ_POLLIN, 0 },
		{ replica_socket(T.rep), 0, ZMQ_POLLIN, 0 },
	};
	int64_t now = rd_mono_ms();
	int t1 = rpc_next_timeout(T.crpc, now), t2 = replica_next_timeout(T.rep, now);

	if (t1 >= 0 && t1 < timeout_ms)
		timeout_ms = t1;
	if (t2 >= 0 && t2 < timeout_ms)
		timeout_ms = t2;
	if (zmq_poll(it, 3, timeout_ms) < 0 && errno != EINTR)
		die("zmq_poll: %s", zmq_strerror(errno));
	now = rd_mono_ms();
	rpc_process(T.rpc, now);
	rpc_process(T.crpc, now);
	replica_process(T.rep, now);
}

/* The broker on api[k] is a standby that names api[leader] as the leader. A standby that
 * lost the race for the lock reads the leader row again within 200 ms, so it may name the
 * old leader for a moment: it is asked again until a deadline. */
static void
check_standby(int k, int leader)
{
	struct rpc_opts ro = { .endpoint = T.api[k], .user = "torture", .timeout_ms = 500,
		.tries = 60 };
	char *cause = NULL;
	struct rpc *probe = rpc_create(T.zctx, &ro, &cause);
	int64_t until = rd_mono_ms() + 5000;

	if (probe == NULL)
		die("rpc: %s", cause);
	for (;;) {
		struct proto_hello h = { .present = 0 };
		struct proto_reply r;
		struct proto_error err;
		if (rpc_call_sync(probe, PROTO_MSG_hello, &h, &r, &err, 30000) < 0)
			die("the standby on %s does not answer: %s", T.api[k], err.message);
		bool named = !r.ok && r.error.code == PROTO_E_NOT_LEADER && r.error.params.present;
		if (named && strcmp(r.error.params.leader, T.api[leader]) == 0) {
			proto_reply_finish(&r);
			break;
		}
		if (!named || rd_mono_ms() > until)
			die("the standby on %s answered %s (%s, naming '%s'), not not_leader naming "
			    "%s", T.api[k], r.ok ? "ok" : proto_err_name(r.error.code),
			    r.ok ? "" : r.error.message, named ? r.error.params.leader : "",
			    T.api[leader]);
		proto_reply_finish(&r);
	}
	rpc_destroy(probe);
}

/* End the leader's database session from outside (fencing): it must stop by itself. */
static void
fence_leader(void)
{
	int rc = system("psql -q -At -d postgres -c \"SELECT pg_terminate_backend(pid) FROM "
	    "pg_locks WHERE locktype = 'advisory' AND objid = 1919251299 AND granted\" "
	    ">/dev/null");
	if (rc != 0)
		die("psql pg_terminate_backend failed (%d)", rc);
	int64_t until = rd_mono_ms() + 20000;
	int status;
	/* the client keeps sending: the leader's next commit fails and it stops */
	while (waitpid(T.broker[T.lead], &status, WNOHANG) == 0) {
		if (rd_mono_ms() > until)
			die("the fenced leader (pid %d) did not stop", (int)T.broker[T.lead]);
		for (int k = 0; T.in_flight < IN_FLIGHT && k < IN_FLIGHT; k++)
			send_one();
		turn(5);
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) == 0)
		die("the fenced leader ended with status %d, not a failure", status);
}

/* The broker that leads, but not `except` (-1: any): the first heartbeat on any pub but
 * except's (a standby binds no pub). Its index; T.epoch is its epoch. The client's and
 * the console's sockets are served meanwhile. */
static int
await_leader(int except)
{
	void *sub[BROKERS_MAX];
	zmq_pollitem_t it[BROKERS_MAX + 3];
	int ivl = 10, linger = 0, n = 0, idx[BROKERS_MAX], found = -1;
	const char *hb = proto_topic_name(PROTO_MSG_hb);
	int64_t until = rd_mono_ms() + 30000;

	for (int k = 0; k < T.nb; k++) {
		if (k == except)
			continue;
		sub[n] = zmq_socket(T.zctx, ZMQ_SUB);
		zmq_setsockopt(sub[n], ZMQ_RECONNECT_IVL, &ivl, sizeof ivl);
		zmq_setsockopt(sub[n], ZMQ_LINGER, &linger, sizeof linger);
		zmq_setsockopt(sub[n], ZMQ_SUBSCRIBE, hb, strlen(hb));
		if (zmq_connect(sub[n], T.pub[k]) < 0)
			die("connect %s: %s", T.pub[k], zmq_strerror(errno));
		it[n] = (zmq_pollitem_t){ sub[n], 0, ZMQ_POLLIN, 0 };
		idx[n++] = k;
	}
	it[n] = (zmq_pollitem_t){ rpc_socket(T.rpc), 0, ZMQ_POLLIN, 0 };
	it[n + 1] = (zmq_pollitem_t){ rpc_socket(T.crpc), 0, ZMQ_POLLIN, 0 };
	it[n + 2] = (zmq_pollitem_t){ replica_socket(T.rep), 0, ZMQ_POLLIN, 0 };
	while (found < 0) {
		int64_t now = rd_mono_ms();
		if (now > until)
			die("no standby took over within 30 s");
		int wait = 50, t1 = rpc_next_timeout(T.crpc, now);
		int t2 = replica_next_timeout(T.rep, now);
		if (t1 >= 0 && t1 < wait)
			wait = t1;
		if (t2 >= 0 && t2 < wait)
			wait = t2;
		if (zmq_poll(it, n + 3, wait) < 0 && errno != EINTR)
			die("zmq_poll: %s", zmq_strerror(errno));
		for (int i = 0; i < n && found < 0; i++) {
			if (!(it[i].revents & ZMQ_POLLIN))
				continue;
			zmq_msg_t topic, body;
			struct proto_pub p;
			struct proto_error err;
			zmq_msg_init(&topic);
			zmq_msg_init(&body);
			if (zmq_msg_recv(&topic, sub[i], 0) < 0 || !zmq_msg_more(&topic) ||
			    zmq_msg_recv(&body, sub[i], 0) < 0 ||
			    proto_decode_pub(zmq_msg_data(&topic), zmq_msg_size(&topic),
			    zmq_msg_data(&body), zmq_msg_size(&body), &p, &err) < 0)
				die("a bad heartbeat on %s", T.pub[idx[i]]);
			zmq_msg_close(&body);
			zmq_msg_close(&topic);
			found = idx[i];
			T.epoch = p.epoch;
		}
		now = rd_mono_ms();
		rpc_process(T.rpc, now);
		rpc_process(T.crpc, now);
		replica_process(T.rep, now);
	}
	for (int i = 0; i < n; i++)
		zmq_close(sub[i]);
	return found;
}

/* The console is live on the epoch of the broker that leads now, at most LIVE_MAX_MS after
 * the kill (or the session's end); its time since then. */
static int64_t
await_console(int cycle)
{
	int64_t until = T.switched_at + LIVE_MAX_MS;

	while (T.live_at == 0 || replica_state(T.rep) != REPLICA_LIVE) {
		int64_t now = rd_mono_ms();
		if (now > until)
			die("cycle %d: the console is not live again %d ms after the %s (%s, epoch %"
			    PRId64 "; the leader's %" PRId64 ")", cycle, LIVE_MAX_MS,
			    T.group && cycle % 2 == 0 ? "fencing" : "kill",
			    replica_state_name(replica_state(T.rep)), replica_epoch(T.rep), T.epoch);
		turn((int)(until - now));
	}
	if (T.group && T.live_epoch != T.epoch)
		die("cycle %d: the console went live on epoch %" PRId64 ", the leader's is %"
		    PRId64, cycle, T.live_epoch, T.epoch);
	return T.live_at - T.switched_at;
}

/* The console's tickets are those of the snapshot r, in the same states. Updates the
 * broker published before its last ack may still be on their way: the console is served
 * until it agrees, or a deadline says it never will. */
static void
check_console(int cycle, const struct proto_reply *r)
{
	int64_t until = rd_mono_ms() + 5000;
	char why[256];

	for (;;) {
		why[0] = '\0';
		if (replica_ticket_count(T.rep) != r->n_tickets)
			snprintf(why, sizeof why, "%zu tickets, the snapshot %zu",
			    replica_ticket_count(T.rep), r->n_tickets);
		for (size_t k = 0; why[0] == '\0' && k < r->n_tickets; k++) {
			const struct proto_ticket *t = replica_ticket(T.rep, r->tickets[k].id);
			if (t == NULL)
				snprintf(why, sizeof why, "no ticket %" PRId64, r->tickets[k].id);
			else if (strcmp(t->state, r->tickets[k].state) != 0)
				snprintf(why, sizeof why, "ticket %" PRId64 " %s, the snapshot %s",
				    t->id, t->state, r->tickets[k].state);
		}
		if (why[0] == '\0')
			return;
		if (rd_mono_ms() > until)
			die("cycle %d: the console disagrees with the leader: %s", cycle, why);
		turn(50);
	}
}

/* Everything acknowledged is there, exactly once. */
static void
verify(int cycle)
{
	struct proto_snapshot sa = { .present = 0 };
	struct proto_reply r;
	struct proto_error err;
	int created = 0;

	for (int i = 0; i < T.n; i++)
		created += T.t[i].id != 0;
	if (rpc_call_sync(T.rpc, PROTO_MSG_snapshot, &sa, &r, &err, 60000) < 0 || !r.ok)
		die("cycle %d: no snapshot", cycle);
	if ((int)r.n_tickets != created)
		die("cycle %d: %zu tickets in the snapshot, %d intakes acknowledged", cycle,
		    r.n_tickets, created);
	int *seen = xcalloc((size_t)T.n + 1, sizeof *seen);
	for (size_t k = 0; k < r.n_tickets; k++) {
		int i = atoi(r.tickets[k].address + 2);
		if (i < 0 || i >= T.n || T.t[i].id != r.tickets[k].id || seen[i]++)
			die("cycle %d: ticket %" PRId64 " (%s) is not one acknowledged once", cycle,
			    r.tickets[k].id, r.tickets[k].address);
		if (T.t[i].cancelled && strcmp(r.tickets[k].state, "cancelled") != 0)
			die("cycle %d: ticket %" PRId64 ": cancel acknowledged, state %s", cycle,
			    r.tickets[k].id, r.tickets[k].state);
	}
	free(seen);
	check_console(cycle, &r);
	proto_reply_finish(&r);
	/* notes: the tickets with notes, up to 50 a cycle (ticket.get each) */
	int looked = 0;
	for (int i = T.n - 1; i >= 0 && looked < 50; i--) {
		if (T.t[i].notes_acked == 0)
			continue;
		struct proto_ticket_get g = { .id = T.t[i].id, .present = 0 };
		if (rpc_call_sync(T.rpc, PROTO_MSG_ticket_get, &g, &r, &err, 20000) < 0 || !r.ok)
			die("cycle %d: ticket.get %" PRId64 " failed", cycle, T.t[i].id);
		int notes = 0;
		for (size_t k = 0; k < r.n_events; k++)
			notes += strcmp(r.events[k].kind, "note") == 0;
		if (notes != T.t[i].notes_acked)
			die("cycle %d: ticket %" PRId64 ": %d notes acknowledged, %d in its history",
			    cycle, T.t[i].id, T.t[i].notes_acked, notes);
		proto_reply_finish(&r);
		looked++;
		T.checked_notes += notes;
	}
}

static int
cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

/* min/median/max of v[0..n) (sorted in place) */
static void
print_spread(const char *what, int64_t *v, int n)
{
	if (n == 0)
		return;
	qsort(v, (size_t)n, sizeof *v, cmp_i64);
	printf("torture: %s min %" PRId64 " ms, median %" PRId64 " ms, max %" PRId64 " ms "
	    "(%d cycles)\n", what, v[0], n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2,
	    v[n - 1], n);
}

int
main(int argc, char **argv)
{
	int cycles = 100, c, nb = 0;
	bool keep = false;
	const char *db = NULL;

	while ((c = getopt(argc, argv, "n:kd:gb:")) != -1) {
		if (c == 'g')
			T.group = true;
		else if (c == 'n')
			cycles = atoi(optarg);
		else if (c == 'k')
			keep = true;
		else if (c == 'd')
			db = optarg;
		else if (c == 'b')
			nb = atoi(optarg);
		else
			return 2;
	}
	T.nb = T.group ? (nb != 0 ? nb : 3) : 1;
	if (argc - optind != 2 || cycles < 1 || (T.group && db == NULL) ||
	    (nb != 0 && !T.group) || T.nb < 1 || T.nb > BROKERS_MAX || (T.group && T.nb < 2)) {
		fprintf(stderr, "usage: torture [-n CYCLES] [-k] [-d DB [-g [-b BROKERS]]] "
		    "RESCUEDESKD DATA_DIR\n  (-b: 2 to %d brokers, default 3)\n", BROKERS_MAX);
		return 2;
	}
	T.rdd = argv[optind];
	T.data = argv[optind + 1];
	rd_strlcpy(T.dir, "/tmp/rd-torture-XXXXXX", sizeof T.dir);
	if (mkdtemp(T.dir) == NULL) {
		perror("mkdtemp");
		return 2;
	}
	for (int k = 0; k < T.nb; k++) {
		snprintf(T.api[k], sizeof T.api[k], "ipc://%s/api%d", T.dir, k);
		snprintf(T.pub[k], sizeof T.pub[k], "ipc://%s/pub%d", T.dir, k);
		snprintf(T.feed[k], sizeof T.feed[k], "ipc://%s/feed%d", T.dir, k);
		snprintf(T.log[k], sizeof T.log[k], "%s/broker%d.log", T.dir, k);
		/* a group: the clients are given every endpoint and follow the leader */
		size_t la = strlen(T.apis), lp = strlen(T.pubs);
		snprintf(T.apis + la, sizeof T.apis - la, "%s%s", k > 0 ? "," : "", T.api[k]);
		snprintf(T.pubs + lp, sizeof T.pubs - lp, "%s%s", k > 0 ? "," : "", T.pub[k]);
	}
	if (db != NULL)
		rd_strlcpy(T.db, db, sizeof T.db);
	else
		snprintf(T.db, sizeof T.db, "%s/torture.db", T.dir);
	rng_seed(&T.rng, (uint64_t)rd_mono_ms(), 12);
	T.t = xcalloc(MAX_TICKETS, sizeof *T.t);
	int64_t *takeovers = xcalloc((size_t)cycles, sizeof *takeovers);
	int64_t *lives = xcalloc((size_t)cycles, sizeof *lives);
	int n_takeovers = 0;
	T.zctx = zmq_ctx_new();
	char *cause = NULL;
	struct rpc_opts ro = { .endpoint = T.apis, .user = "torture", .timeout_ms = 500,
		.tries = 120 };
	if ((T.rpc = rpc_create(T.zctx, &ro, &cause)) == NULL)
		die("rpc: %s", cause);
	/* the console: the rpc and replica options it uses (ui/app.c), the same lists */
	struct rpc_opts co = { .endpoint = T.apis, .user = "console" };
	if ((T.crpc = rpc_create(T.zctx, &co, &cause)) == NULL)
		die("rpc: %s", cause);
	static const struct replica_ops rops = { .state = on_console_state };
	struct replica_opts po = { .pub_endpoint = T.pubs };
	if ((T.rep = replica_create(T.zctx, T.crpc, &po, &rops, NULL, &cause)) == NULL)
		die("replica: %s", cause);
	struct proto_hello ch = { .present = PROTO_ALL };
	PROTO_STRSET(ch.client, "torture console");
	PROTO_STRSET(ch.role, "agent");
	if (rpc_call(T.crpc, PROTO_MSG_hello, &ch, NULL, NULL, NULL) < 0) /* as ui/app.c */
		die("rpc_call: %s", strerror(errno));

	int64_t t0 = rd_mono_ms();
	for (int k = 0; k < T.nb; k++)
		start_broker(k);
	if (T.group)
		T.lead = await_leader(-1); /* whichever took the lock */
	for (int cycle = 1; cycle <= cycles; cycle++) {
		struct proto_hello h = { .present = 0 };
		struct proto_reply r;
		struct proto_error err;
		if (rpc_call_sync(T.rpc, PROTO_MSG_hello, &h, &r, &err, 30000) < 0 || !r.ok)
			die("cycle %d: the broker does not answer", cycle);
		proto_reply_finish(&r);
		if (T.group) {
			for (int k = 0; k < T.nb; k++)
				if (T.broker[k] == 0)
					start_broker(k);
			for (int k = 0; k < T.nb; k++)
				if (k != T.lead)
					check_standby(k, T.lead);
		}
		/* the console, live before the first kill */
		for (int64_t until = rd_mono_ms() + 30000; replica_state(T.rep) != REPLICA_LIVE;) {
			if (rd_mono_ms() > until)
				die("the console is not live 30 s after the start (%s)",
				    replica_state_name(replica_state(T.rep)));
			turn(100);
		}
		/* load, and the kill at a random moment of it */
		int64_t kill_at = rd_mono_ms() + 20 + (int64_t)(rng_next(&T.rng) % 280);
		uint64_t acked0 = T.acked;
		T.n_max = T.n + PER_CYCLE < MAX_TICKETS ? T.n + PER_CYCLE : MAX_TICKETS;
		while (rd_mono_ms() < kill_at) {
			for (int k = 0; T.in_flight < IN_FLIGHT && k < IN_FLIGHT; k++)
				send_one();
			turn(1);
		}
		int in_flight_at_kill = T.in_flight;
		T.kill_epoch = replica_epoch(T.rep);
		T.live_at = 0;
		T.switched_at = rd_mono_ms();
		if (T.group && cycle % 2 == 0) {
			fence_leader(); /* acks meanwhile are the old leader's, committed before */
		} else {
			kill(T.broker[T.lead], SIGKILL);
			waitpid(T.broker[T.lead], NULL, 0);
		}
		turn(0); /* the old leader's last replies are not the new one's */
		int waiting = T.in_flight; /* for the next leader to answer */
		T.first_ack_at = 0;
		T.broker[T.lead] = 0;
		if (T.group)
			T.lead = await_leader(T.lead);
		else
			start_broker(T.lead);
		/* the rpc retries what was not answered, with the same cmd_ids */
		int64_t until = rd_mono_ms() + 60000;
		while (T.in_flight > 0 && rd_mono_ms() < until)
			turn(50);
		if (T.in_flight > 0 || T.failed > 0)
			die("cycle %d: %d requests unanswered, %" PRIu64 " failed after the restart",
			    cycle, T.in_flight, T.failed);
		int64_t takeover = T.first_ack_at - T.switched_at;
		if (T.group && waiting > 0 && takeover > TAKEOVER_MAX_MS)
			die("cycle %d: the new leader's first acknowledgement came %" PRId64 " ms after "
			    "the old one's end (over %d ms)", cycle, takeover, TAKEOVER_MAX_MS);
		if (T.group && waiting > 0)
			takeovers[n_takeovers++] = takeover;
		int64_t live = await_console(cycle);
		lives[cycle - 1] = live;
		T.switched_at = 0;
		verify(cycle);
		printf("cycle %d: %" PRIu64 " acknowledged (%d in flight at the %s, %d at its end), "
		    "%d tickets, all there", cycle, T.acked - acked0, in_flight_at_kill,
		    T.group && cycle % 2 == 0 ? "fencing" : "kill", waiting, T.n);
		if (T.group)
			printf("; broker %d leads", T.lead);
		if (T.group && waiting > 0)
			printf("; the new leader's first ack %" PRId64 " ms after", takeover);
		printf("; the console back to live in %" PRId64 " ms\n", live);
		fflush(stdout);
	}
	printf("torture: %d kill -9 cycles (%d broker%s), %" PRIu64 " acknowledged requests, %d "
	    "tickets, %" PRId64 " notes checked, nothing lost or doubled, %.1f s\n", cycles, T.nb,
	    T.nb > 1 ? "s in a group" : "", T.acked, T.n, T.checked_notes,
	    (double)(rd_mono_ms() - t0) / 1000.0);
	print_spread("takeover (the old leader's end to the new one's first acknowledgement):",
	    takeovers, n_takeovers);
	print_spread("the console back to live (the kill to live on the new epoch):", lives,
	    cycles);
	for (int k = 0; k < T.nb; k++)
		if (T.broker[k] > 0) {
			kill(T.broker[k], SIGTERM);
			waitpid(T.broker[k], NULL, 0);
		}
	replica_destroy(T.rep);
	rpc_destroy(T.crpc);
	rpc_destroy(T.rpc);
	zmq_ctx_term(T.zctx);
	free(T.t);
	free(takeovers);
	free(lives);
	if (!keep && rd_remove_tree(T.dir) != 0)
		fprintf(stderr, "torture: could not remove %s\n", T.dir);
	return 0;
}
