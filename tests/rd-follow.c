/* rd-follow.c: the independent client of tools/failover-patroni: creates tickets on a
 * broker group through database failovers and checks afterwards that every acknowledged one
 * is there exactly once.
 *
 *   rd-follow send API TAG FILE [PER_S]
 *        intake.create requests one at a time (each sent when the one before is answered,
 *        and at most PER_S a second, default 50) to API, a comma-separated list of the
 *        group's api endpoints (the client follows the leader, PROTOCOL.md 13). Every
 *        request is kept (rpc_keep): resent with its cmd_id every 250 ms, to the next
 *        endpoint when one does not answer, until it is answered, however long the group
 *        is down (up to the reply cache's window). Ticket n's customer and address start
 *        with TAG-n (the address because tickets leave the broker with the name masked).
 *        After each acknowledgement "MS ID TAG-n" (MS: wall-clock ms since the epoch when
 *        the reply came) is appended to FILE and flushed before the next request is sent.
 *        Runs until SIGTERM or SIGINT (exit 0), or until a request is refused or not
 *        answered within the window (exit 1).
 *   rd-follow check API FILE
 *        takes a snapshot and checks that every ticket FILE lists is in it, with its tag,
 *        and that no tag of FILE's form (TAG-n) is on two tickets: nothing acknowledged lost,
 *        nothing run twice. A ticket whose request was in flight at a kill, never
 *        acknowledged, may be there once. Prints the counts.
 *
 * Exit status 0 when it held, 1 when not, 2 on errors. tests/rd-follow.sh (meson test
 * rd-follow) runs both against a broker on SQLite, and check on lines it must refuse. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include "proto.h"
#include "rpc.h"
#include "util.h"

#define TRY_MS 250
#define TAG_MAX 24

static volatile sig_atomic_t stop;

static void
on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

struct sender {
	FILE *f;
	const char *tag;
	int n;           /* the ticket number of the request in flight */
	bool waiting;    /* a request is in flight */
	bool failed;
	long acked;
};

static void
on_reply(void *ctx, const char *cmd_id, const struct proto_reply *r,
    const struct proto_error *err)
{
	struct sender *s = ctx;

	(void)cmd_id;
	s->waiting = false;
	if (r == NULL || !r->ok) {
		fprintf(stderr, "rd-follow: intake %s-%06d: %s\n", s->tag, s->n,
		    r == NULL ? err->message : r->error.message);
		s->failed = true;
		return;
	}
	fprintf(s->f, "%lld %lld %s-%06d\n", (long long)rd_now_ms(), (long long)r->ticket.id,
	    s->tag, s->n);
	fflush(s->f);
	s->acked++;
	s->n++;
}

static int
send_loop(struct rpc *r, const char *tag, const char *file, int per_s)
{
	struct sender s = { .tag = tag };
	int64_t next = 0, gap = 1000 / (per_s > 0 ? per_s : 1);
	struct sigaction sa;

	s.f = fopen(file, "a");
	if (s.f == NULL) {
		perror(file);
		return 2;
	}
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	while (!stop && !s.failed) {
		int64_t now = rd_mono_ms();
		if (!s.waiting && now >= next) {
			struct proto_intake_create in;
			char cmd_id[PROTO_CMD_ID_MAX + 1];

			memset(&in, 0, sizeof in);
			snprintf(in.customer, sizeof in.customer, "%s-%06d 王", tag, s.n);
			PROTO_STRSET(in.phone, "13912345678");
			PROTO_STRSET(in.plate, "湘A·F1200");
			snprintf(in.address, sizeof in.address, "%s-%06d 长沙市岳麓区麓山南路932号",
			    tag, s.n);
			PROTO_STRSET(in.fault, "tyre");
			PROTO_STRSET(in.region, "changsha");
			in.lat = 28.17;
			in.lon = 112.93;
			if (rpc_call(r, PROTO_MSG_intake_create, &in, on_reply, &s, cmd_id) < 0 ||
			    rpc_keep(r, cmd_id, RPC_KEEP_MS) < 0) {
				fprintf(stderr, "rd-follow: could not send\n");
				s.failed = true;
				break;
			}
			s.waiting = true;
			next = now + gap;
		}
		int wait = s.waiting ? rpc_next_timeout(r, now) : (int)(next - now);
		if (wait < 0 || wait > TRY_MS)
			wait = TRY_MS;
		zmq_pollitem_t it = { rpc_socket(r), 0, ZMQ_POLLIN, 0 };
		zmq_poll(&it, 1, wait); /* EINTR: the loop looks at stop */
		rpc_process(r, rd_mono_ms());
	}
	fprintf(stderr, "rd-follow: %ld acknowledged\n", s.acked);
	fclose(s.f);
	return s.failed ? 1 : 0;
}

struct acked {
	long long id;
	char tag[TAG_MAX];
	int seen;
};

static int
check(struct rpc *r, const char *file)
{
	FILE *f = fopen(file, "r");
	struct acked *a = NULL;
	size_t n = 0, cap = 0, extra = 0;
	long long ms, id;
	char tag[TAG_MAX];
	int rc = 0;

	if (f == NULL) {
		perror(file);
		return 2;
	}
	while (fscanf(f, "%lld %lld %23s", &ms, &id, tag) == 3) {
		if (n == cap) {
			cap = cap ? cap * 2 : 1024;
			a = xreallocarray(a, cap, sizeof *a);
		}
		a[n].id = id;
		rd_strlcpy(a[n].tag, tag, sizeof a[n].tag);
		a[n].seen = 0;
		n++;
	}
	fclose(f);

	struct proto_snapshot sa = { .present = 0 };
	struct proto_reply rep;
	struct proto_error err;
	if (rpc_call_sync(r, PROTO_MSG_snapshot, &sa, &rep, &err, 60000) < 0 || !rep.ok) {
		fprintf(stderr, "rd-follow: no snapshot: %s\n", rep.ok ? err.message :
		    rep.error.message);
		free(a);
		return 2;
	}
	/* the tags other tickets of these runs carry: TAG-n without the number */
	for (size_t k = 0; k < rep.n_tickets; k++) {
		const struct proto_ticket *t = &rep.tickets[k];
		const char *sp = strchr(t->address, ' ');
		size_t len = sp != NULL ? (size_t)(sp - t->address) : 0;
		bool ours = false;

		for (size_t i = 0; i < n; i++) {
			if (strlen(a[i].tag) == len && memcmp(a[i].tag, t->address, len) == 0) {
				ours = true;
				if (a[i].seen++ > 0 || t->id != a[i].id) {
					fprintf(stderr, "rd-follow: %s is on ticket %lld too (acknowledged:"
					    " %lld)\n", a[i].tag, (long long)t->id, a[i].id);
					rc = 1;
				}
				break;
			}
		}
		if (!ours && len > 0) {
			/* an unacknowledged request of ours: counted, and must be alone */
			for (size_t j = 0; j < k; j++)
				if (strncmp(rep.tickets[j].address, t->address, len + 1) == 0) {
					fprintf(stderr, "rd-follow: %.*s is on tickets %lld and %lld\n",
					    (int)len, t->address, (long long)rep.tickets[j].id,
					    (long long)t->id);
					rc = 1;
				}
			extra++;
		}
	}
	size_t lost = 0;
	for (size_t i = 0; i < n; i++)
		if (a[i].seen == 0) {
			if (lost++ < 20)
				fprintf(stderr, "rd-follow: ticket %lld (%s), acknowledged, is not there\n",
				    a[i].id, a[i].tag);
			rc = 1;
		}
	printf("%zu acknowledged, %zu of them missing; %zu tickets in the snapshot, %zu never"
	    " acknowledged (in flight when a broker or the client stopped)\n", n, lost,
	    rep.n_tickets, extra);
	proto_reply_finish(&rep);
	free(a);
	return rc;
}

int
main(int argc, char **argv)
{
	bool sending = argc >= 5 && argc <= 6 && strcmp(argv[1], "send") == 0;
	bool checking = argc == 4 && strcmp(argv[1], "check") == 0;

	if ((!sending && !checking) || (sending && strlen(argv[3]) > TAG_MAX - 8)) {
		fprintf(stderr, "usage: rd-follow send API TAG FILE [PER_S] | rd-follow check API"
		    " FILE\n");
		return 2;
	}
	void *ctx = zmq_ctx_new();
	char *cause = NULL;
	struct rpc_opts ro = { .endpoint = argv[2], .user = "rd-follow", .timeout_ms = TRY_MS,
		.tries = 40 };
	struct rpc *r = rpc_create(ctx, &ro, &cause);
	if (r == NULL) {
		fprintf(stderr, "rd-follow: %s\n", cause);
		free(cause);
		return 2;
	}
	int rc = sending ? send_loop(r, argv[3], argv[4], argc == 6 ? atoi(argv[5]) : 50) :
	    check(r, argv[3]);
	rpc_destroy(r);
	zmq_ctx_term(ctx);
	return rc;
}
