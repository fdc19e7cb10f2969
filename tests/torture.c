/* torture.c: kill -9 cycles of the real rescuedeskd under a mixed load (issue 12).
 *
 *   torture [-n CYCLES] [-k] [-d DB] RESCUEDESKD DATA_DIR
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
 * -k keeps the directory. Default 100 cycles; the test suite runs 3. -d gives the broker's
 * --db (a PostgreSQL URI: tests/store-pg.sh runs torture-pg so); default a file in the
 * directory.
 *
 * -g (with -d postgresql://...): two brokers in a group on the one database, on endpoints
 * of their own (api0/pub0/feed0, api1/...). The first leads; the second must answer
 * not_leader naming the first's api. In each cycle the leader is killed with SIGKILL (odd
 * cycles) or fenced (even cycles: its database session is ended with
 * pg_terminate_backend through psql, and it must stop by itself, acknowledging nothing
 * more); the standby takes over (its first heartbeat is waited for on its pub), the client,
 * given both api endpoints as a list, follows it by itself (a time-out moves it to the
 * other; not_leader names the leader) and its pending requests are retried there with
 * their cmd_ids; the old one is
 * started again as the new standby, and must answer not_leader naming the new leader.
 * Each cycle prints the takeover time: from the kill (or the session's end) to the new
 * leader's first acknowledgement, which must be under 5 s. */
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
#include "rng.h"
#include "rpc.h"
#include "util.h"

#define IN_FLIGHT 200
#define PER_CYCLE 500     /* intakes per cycle at most; then notes and cancels only */
#define MAX_TICKETS 100000

struct tk {
	int64_t id;        /* 0 until its intake is acknowledged */
	int notes_acked;   /* notes acknowledged */
	int notes_sent;    /* notes sent (acknowledged or not yet) */
	bool cancel_sent, cancelled;
};

static struct {
	const char *rdd, *data;
	char dir[64], api[2][128], pub[2][128], feed[2][128], db[128], log[2][128];
	pid_t broker[2];    /* [T.lead] leads; [1 - T.lead] is the standby (group) or 0 */
	int lead;
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
} T;

static void
die(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "torture: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, " (broker logs: %s%s%s)\n", T.log[0], T.group ? ", " : "",
	    T.group ? T.log[1] : "");
	va_end(ap);
	for (int k = 0; k < 2; k++)
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

static void
turn(int timeout_ms)
{
	zmq_pollitem_t it = { rpc_socket(T.rpc), 0, ZMQ_POLLIN, 0 };
	zmq_poll(&it, 1, timeout_ms);
	rpc_process(T.rpc, rd_mono_ms());
}

/* The broker on api[k] is a standby that names api[leader] as the leader. */
static void
check_standby(int k, int leader)
{
	struct rpc_opts ro = { .endpoint = T.api[k], .user = "torture", .timeout_ms = 500,
		.tries = 60 };
	char *cause = NULL;
	struct rpc *probe = rpc_create(T.zctx, &ro, &cause);
	struct proto_hello h = { .present = 0 };
	struct proto_reply r;
	struct proto_error err;

	if (probe == NULL)
		die("rpc: %s", cause);
	if (rpc_call_sync(probe, PROTO_MSG_hello, &h, &r, &err, 30000) < 0)
		die("the standby on %s does not answer: %s", T.api[k], err.message);
	if (r.ok || r.error.code != PROTO_E_NOT_LEADER || !r.error.params.present ||
	    strcmp(r.error.params.leader, T.api[leader]) != 0)
		die("the standby on %s answered %s (%s), not not_leader naming %s", T.api[k],
		    r.ok ? "ok" : proto_err_name(r.error.code), r.ok ? "" : r.error.message,
		    T.api[leader]);
	proto_reply_finish(&r);
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

/* The standby's first heartbeat on its pub: it leads. */
static void
await_leader(int k)
{
	void *sub = zmq_socket(T.zctx, ZMQ_SUB);
	int ivl = 10, linger = 0;
	zmq_pollitem_t it = { sub, 0, ZMQ_POLLIN, 0 };

	zmq_setsockopt(sub, ZMQ_RECONNECT_IVL, &ivl, sizeof ivl);
	zmq_setsockopt(sub, ZMQ_LINGER, &linger, sizeof linger);
	zmq_setsockopt(sub, ZMQ_SUBSCRIBE, "", 0);
	if (zmq_connect(sub, T.pub[k]) < 0)
		die("connect %s: %s", T.pub[k], zmq_strerror(errno));
	if (zmq_poll(&it, 1, 30000) <= 0)
		die("the standby on %s did not take over within 30 s", T.api[k]);
	zmq_close(sub);
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

int
main(int argc, char **argv)
{
	int cycles = 100, c;
	bool keep = false;
	const char *db = NULL;

	while ((c = getopt(argc, argv, "n:kd:g")) != -1) {
		if (c == 'g')
			T.group = true;
		else if (c == 'n')
			cycles = atoi(optarg);
		else if (c == 'k')
			keep = true;
		else if (c == 'd')
			db = optarg;
		else
			return 2;
	}
	if (argc - optind != 2 || cycles < 1 || (T.group && db == NULL)) {
		fprintf(stderr, "usage: torture [-n CYCLES] [-k] [-d DB [-g]] RESCUEDESKD DATA_DIR\n");
		return 2;
	}
	T.rdd = argv[optind];
	T.data = argv[optind + 1];
	rd_strlcpy(T.dir, "/tmp/rd-torture-XXXXXX", sizeof T.dir);
	if (mkdtemp(T.dir) == NULL) {
		perror("mkdtemp");
		return 2;
	}
	for (int k = 0; k < 2; k++) {
		snprintf(T.api[k], sizeof T.api[k], "ipc://%s/api%d", T.dir, k);
		snprintf(T.pub[k], sizeof T.pub[k], "ipc://%s/pub%d", T.dir, k);
		snprintf(T.feed[k], sizeof T.feed[k], "ipc://%s/feed%d", T.dir, k);
		snprintf(T.log[k], sizeof T.log[k], "%s/broker%d.log", T.dir, k);
	}
	if (db != NULL)
		rd_strlcpy(T.db, db, sizeof T.db);
	else
		snprintf(T.db, sizeof T.db, "%s/torture.db", T.dir);
	rng_seed(&T.rng, (uint64_t)rd_mono_ms(), 12);
	T.t = xcalloc(MAX_TICKETS, sizeof *T.t);
	T.zctx = zmq_ctx_new();
	char *cause = NULL;
	/* a group: the client is given both api endpoints and follows the leader itself */
	char apis[2 * sizeof T.api[0] + 1];
	snprintf(apis, sizeof apis, "%s,%s", T.api[0], T.api[1]);
	struct rpc_opts ro = { .endpoint = T.group ? apis : T.api[0], .user = "torture",
		.timeout_ms = 500, .tries = 120 };
	if ((T.rpc = rpc_create(T.zctx, &ro, &cause)) == NULL)
		die("rpc: %s", cause);

	int64_t t0 = rd_mono_ms(), takeover_max = 0;
	start_broker(0);
	for (int cycle = 1; cycle <= cycles; cycle++) {
		struct proto_hello h = { .present = 0 };
		struct proto_reply r;
		struct proto_error err;
		if (rpc_call_sync(T.rpc, PROTO_MSG_hello, &h, &r, &err, 30000) < 0 || !r.ok)
			die("cycle %d: the broker does not answer", cycle);
		proto_reply_finish(&r);
		if (T.group) {
			if (T.broker[1 - T.lead] == 0)
				start_broker(1 - T.lead);
			check_standby(1 - T.lead, T.lead);
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
		T.switched_at = rd_mono_ms();
		if (T.group && cycle % 2 == 0) {
			fence_leader(); /* acks meanwhile are the old leader's, committed before */
		} else {
			kill(T.broker[T.lead], SIGKILL);
			waitpid(T.broker[T.lead], NULL, 0);
		}
		T.first_ack_at = 0;
		T.broker[T.lead] = 0;
		if (T.group) {
			T.lead = 1 - T.lead;
			await_leader(T.lead);
		} else {
			start_broker(T.lead);
		}
		/* the rpc retries what was not answered, with the same cmd_ids */
		int64_t until = rd_mono_ms() + 60000;
		while (T.in_flight > 0 && rd_mono_ms() < until)
			turn(50);
		if (T.in_flight > 0 || T.failed > 0)
			die("cycle %d: %d requests unanswered, %" PRIu64 " failed after the restart",
			    cycle, T.in_flight, T.failed);
		int64_t takeover = T.first_ack_at - T.switched_at;
		T.switched_at = 0;
		if (T.group && in_flight_at_kill > 0 && takeover > 5000)
			die("cycle %d: the new leader's first acknowledgement came %" PRId64 " ms after "
			    "the old one's end (over 5 s)", cycle, takeover);
		if (T.group && in_flight_at_kill > 0 && takeover > takeover_max)
			takeover_max = takeover;
		verify(cycle);
		printf("cycle %d: %" PRIu64 " acknowledged (%d in flight at the %s), %d tickets, "
		    "all there", cycle, T.acked - acked0, in_flight_at_kill,
		    T.group && cycle % 2 == 0 ? "fencing" : "kill", T.n);
		if (T.group && in_flight_at_kill > 0)
			printf("; the new leader's first ack %" PRId64 " ms after", takeover);
		printf("\n");
		fflush(stdout);
	}
	printf("torture: %d kill -9 cycles, %" PRIu64 " acknowledged requests, %d tickets, %"
	    PRId64 " notes checked, nothing lost or doubled, %.1f s\n", cycles, T.acked, T.n,
	    T.checked_notes, (double)(rd_mono_ms() - t0) / 1000.0);
	if (T.group)
		printf("torture: takeover at most %" PRId64 " ms (the old leader's end to the new "
		    "one's first acknowledgement)\n", takeover_max);
	for (int k = 0; k < 2; k++)
		if (T.broker[k] > 0) {
			kill(T.broker[k], SIGTERM);
			waitpid(T.broker[k], NULL, 0);
		}
	rpc_destroy(T.rpc);
	zmq_ctx_term(T.zctx);
	free(T.t);
	if (!keep && rd_remove_tree(T.dir) != 0)
		fprintf(stderr, "torture: could not remove %s\n", T.dir);
	return 0;
}
