/* check-standby.c: a standby broker of a group on PostgreSQL (rescuedeskd(8), POSTGRESQL),
 * run under tests/store-pg.sh (RD_TEST_PG names the databases; test 1 uses rd1, test 2
 * rd2).
 *
 * control: two brokers in this process on the manual clock. A standby answers its control
 * socket: a step moves its clock and is answered once the lock try it asked for is
 * answered, a bad frame and a reload (no users file: refused) at once; after the leader is
 * destroyed, steps are answered until the standby leads, and then it serves hello.
 *
 * frozen database: the real rescuedeskd (argv[1]) as leader, straight on the database, and
 * as standby through a TCP proxy in this process that can freeze: stop forwarding without
 * closing anything, as a hung server or a stopped middlebox does (the kernel still
 * acknowledges what is sent, so TCP alone never sees it). While the proxy is frozen for 2
 * s every hello sent to the standby every 10 ms is answered not_leader, naming the leader,
 * before the thaw (none held back until it), 99% within 500 ms and none after 1 s (loose
 * bounds for two shared cores: measured p99 2-5 ms); after it thaws the standby goes on. Frozen again for good, the standby
 * exits with status 1 once its try has been unanswered for the URI's tcp_user_timeout
 * (3000 ms here), with a log line that says so; started again after the thaw (as systemd
 * would), it takes over when the leader is killed.
 *
 * check-standby --measure RESCUEDESKD [TCP_USER_TIMEOUT_MS] prints the same figures for
 * any build without checking them (the baseline of rescuedeskd(8)'s figures: main's
 * binary before the try was asynchronous); 0 leaves the URI without tcp_user_timeout
 * (the broker's default, 10 s). */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zmq.h>

#include "broker.h"
#include "proto.h"
#include "util.h"

#define T0 1772416800000LL /* the manual clock's start */
#define WAIT_MS 5000
#define USER_TIMEOUT_MS 3000 /* the standby's tcp_user_timeout through the proxy */
/* Bounds, not figures (the figures are printed; --measure prints them for any binary): a
 * standby that waits on its database holds every answer until the thaw (2 s here), which
 * `thawed == 0` catches by itself; these are loose enough for a loaded two-core machine. */
#define ANSWER_MS 500        /* the 99th percentile of a standby's answers */
#define STALL_MS 1000        /* the worst one */
#define REQ_MAX 4096

static const char *rdd;     /* the rescuedeskd under test */
static int user_timeout = USER_TIMEOUT_MS; /* --measure's third argument: 0, the default */
static char base[256];      /* this run's directory */

static const char *
pg_uri(int n, char *buf, size_t len)
{
	const char *b = getenv("RD_TEST_PG");

	ck_assert_msg(b != NULL && *b != '\0', "RD_TEST_PG is not set: run under store-pg.sh");
	snprintf(buf, len, "%s%d", b, n);
	return buf;
}

/* ---------------------------------------------------------------- a hello and its answer */

static void *
dealer(void *ctx, const char *ep)
{
	void *s = zmq_socket(ctx, ZMQ_DEALER);
	int zero = 0;

	ck_assert_ptr_nonnull(s);
	zmq_setsockopt(s, ZMQ_LINGER, &zero, sizeof zero);
	ck_assert_int_eq(zmq_connect(s, ep), 0);
	return s;
}

static void
send_hello(void *s, int n)
{
	struct proto_hello h = { .present = 0 };
	struct proto_buf b;
	char cmd[32];

	snprintf(cmd, sizeof cmd, "h-%d", n);
	proto_buf_init(&b);
	proto_encode_request(&b, PROTO_MSG_hello, cmd, "standby-test", &h);
	ck_assert_int_eq(zmq_send(s, b.data, b.len, 0), (int)b.len);
	proto_buf_finish(&b);
}

/* The next answer within ms: its request's number, or -1 when none came. */
static int
recv_hello(void *s, long ms, struct proto_reply *r)
{
	zmq_pollitem_t it = { s, 0, ZMQ_POLLIN, 0 };
	struct proto_error err;
	zmq_msg_t m;
	int n = -1;

	if (zmq_poll(&it, 1, ms) <= 0)
		return -1;
	zmq_msg_init(&m);
	ck_assert_int_ge(zmq_msg_recv(&m, s, 0), 0);
	ck_assert_msg(proto_decode_reply(zmq_msg_data(&m), zmq_msg_size(&m), r, &err) == 0,
	    "bad reply: %s", err.message);
	zmq_msg_close(&m);
	ck_assert_int_eq(sscanf(r->cmd_id, "h-%d", &n), 1);
	return n;
}

/* One hello and its answer (r: the caller finishes it). */
static void
hello(void *s, struct proto_reply *r)
{
	static int seq = 1000000;
	int n = ++seq;

	send_hello(s, n);
	ck_assert_msg(recv_hello(s, WAIT_MS, r) == n, "no answer to hello");
}

/* Hello every 100 ms until its answer is ok (want_ok) or not_leader naming leader: true
 * when it came within ms. */
static bool
await_hello(void *s, bool want_ok, const char *leader, long ms)
{
	int64_t until = rd_mono_ms() + ms;
	static int seq = 2000000;

	while (rd_mono_ms() < until) {
		struct proto_reply r;
		int n = ++seq;
		send_hello(s, n);
		int got;
		while ((got = recv_hello(s, 100, &r)) >= 0 && got != n)
			proto_reply_finish(&r);
		if (got == n) {
			bool match = want_ok ? r.ok : !r.ok && r.error.code == PROTO_E_NOT_LEADER &&
			    strcmp(r.error.params.leader, leader) == 0;
			proto_reply_finish(&r);
			if (match)
				return true;
			usleep(100000);
		}
	}
	return false;
}

/* ---------------------------------------------------------------- control */

struct runner {
	struct broker *b;
	pthread_t th;
	volatile sig_atomic_t stop;
	int rc;
	void *step;
	char api[200], control[64];
};

static void *
run(void *arg)
{
	struct runner *r = arg;
	r->rc = broker_run(r->b, &r->stop);
	return NULL;
}

static void
runner_start(struct runner *r, void *ctx, const char *dir, const char *name, const char *db)
{
	char pub[200], feed[200];
	char *cause = NULL;

	snprintf(r->api, sizeof r->api, "ipc://%s/%s-api", dir, name);
	snprintf(pub, sizeof pub, "ipc://%s/%s-pub", dir, name);
	snprintf(feed, sizeof feed, "ipc://%s/%s-feed", dir, name);
	snprintf(r->control, sizeof r->control, "inproc://step-%s", name);
	struct broker_opts o = {
		.api = r->api, .pub = pub, .feed = feed, .db = db, .data_dir = SOURCE_DATA_DIR,
		.sync = STORE_SYNC_NORMAL, .time_scale = 1, .clock = BROKER_CLOCK_MANUAL,
		.control = r->control, .clock_start = T0,
	};
	r->b = broker_create(ctx, &o, &cause);
	ck_assert_msg(r->b != NULL, "broker_create: %s", cause);
	r->step = zmq_socket(ctx, ZMQ_PAIR);
	zmq_setsockopt(r->step, ZMQ_LINGER, &(int){ 0 }, sizeof(int));
	ck_assert_int_eq(zmq_connect(r->step, r->control), 0);
	r->stop = 0;
	ck_assert_int_eq(pthread_create(&r->th, NULL, run, r), 0);
}

static void
runner_stop(struct runner *r)
{
	int64_t zero = 0;

	r->stop = 1;
	zmq_send(r->step, &zero, sizeof zero, ZMQ_DONTWAIT); /* wakes the loop */
	pthread_join(r->th, NULL);
	ck_assert_int_eq(r->rc, 0);
	zmq_close(r->step);
	broker_destroy(r->b);
}

/* A raw control frame and its answer (-2: none within WAIT_MS). */
static int64_t
control(void *step, const void *frame, size_t len)
{
	zmq_pollitem_t it = { step, 0, ZMQ_POLLIN, 0 };
	int64_t answer = -2;

	ck_assert_int_eq(zmq_send(step, frame, len, 0), (int)len);
	if (zmq_poll(&it, 1, WAIT_MS) == 1)
		ck_assert_int_eq(zmq_recv(step, &answer, sizeof answer, 0), (int)sizeof answer);
	return answer;
}

START_TEST(test_control)
{
	char db[256], dir[300];
	void *ctx = zmq_ctx_new();
	struct runner lead = { 0 }, sb = { 0 };
	struct proto_reply r;

	snprintf(dir, sizeof dir, "%s/control", base);
	ck_assert_int_eq(mkdir(dir, 0700), 0);
	pg_uri(1, db, sizeof db);
	runner_start(&lead, ctx, dir, "lead", db);
	ck_assert_int_eq(broker_step(lead.step, 0, WAIT_MS), T0);
	runner_start(&sb, ctx, dir, "standby", db);
	void *c = dealer(ctx, sb.api);

	/* a standby's clock starts at the clock's start, and steps move it */
	ck_assert_int_eq(broker_step(sb.step, 0, WAIT_MS), T0);
	ck_assert_int_eq(broker_step(sb.step, 1500, WAIT_MS), T0 + 1500);
	hello(c, &r);
	ck_assert(!r.ok);
	ck_assert_int_eq(r.error.code, PROTO_E_NOT_LEADER);
	ck_assert_str_eq(r.error.params.leader, lead.api);
	proto_reply_finish(&r);
	ck_assert_int_eq(control(sb.step, "bad", 3), -1);
	ck_assert_int_eq(control(sb.step, &(int64_t){ -5 }, sizeof(int64_t)), -1);
	ck_assert_int_eq(control(sb.step, "reload", 6), -1); /* answered: no users file */
	ck_assert_int_eq(broker_step(sb.step, 500, WAIT_MS), T0 + 2000);

	/* the leader gone, a step is answered once its try is; the one that gets the lock,
	 * after the load: hello is then the leader's */
	struct broker_stats st;
	broker_stats(lead.b, &st);
	int64_t old_epoch = st.epoch;
	runner_stop(&lead);
	int64_t until = rd_mono_ms() + WAIT_MS, now = T0 + 2000;
	bool led = false;
	while (!led && rd_mono_ms() < until) {
		int64_t t = broker_step(sb.step, 100, WAIT_MS);
		ck_assert_int_ge(t, now + 100);
		now = t;
		hello(c, &r);
		led = r.ok;
		if (led)
			ck_assert_int_gt(r.hello.epoch, old_epoch);
		else
			ck_assert_int_eq(r.error.code, PROTO_E_NOT_LEADER);
		proto_reply_finish(&r);
	}
	ck_assert_msg(led, "the standby did not lead within %d ms of the leader's end", WAIT_MS);
	ck_assert_int_ge(broker_step(sb.step, 1000, WAIT_MS), now + 1000);
	zmq_close(c);
	runner_stop(&sb);
	zmq_ctx_term(ctx);
}
END_TEST

/* ---------------------------------------------------------------- the proxy */

#define PAIRS 16

struct proxy {
	int lfd, port;
	struct addrinfo *up;
	atomic_int frozen, quit;
	int a[PAIRS], b[PAIRS]; /* client side, server side; -1: free */
	pthread_t th;
};

static int
connect_up(struct proxy *p)
{
	for (struct addrinfo *ai = p->up; ai != NULL; ai = ai->ai_next) {
		int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
		if (fd < 0)
			continue;
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
			return fd;
		close(fd);
	}
	return -1;
}

static void
pair_close(struct proxy *p, int k)
{
	close(p->a[k]);
	close(p->b[k]);
	p->a[k] = p->b[k] = -1;
}

/* Copy what from has to to: false when either side is done. */
static bool
forward(int from, int to)
{
	char buf[65536];
	ssize_t n = recv(from, buf, sizeof buf, 0), off = 0;

	if (n <= 0)
		return false;
	while (off < n) {
		ssize_t w = send(to, buf + off, (size_t)(n - off), MSG_NOSIGNAL);
		if (w <= 0)
			return false;
		off += w;
	}
	return true;
}

/* Frozen: nothing read, written, accepted or closed. */
static void *
proxy_run(void *arg)
{
	struct proxy *p = arg;

	while (!atomic_load(&p->quit)) {
		if (atomic_load(&p->frozen)) {
			poll(NULL, 0, 5);
			continue;
		}
		struct pollfd pf[1 + 2 * PAIRS];
		int n = 0;
		pf[n++] = (struct pollfd){ .fd = p->lfd, .events = POLLIN };
		for (int k = 0; k < PAIRS; k++) {
			pf[n++] = (struct pollfd){ .fd = p->a[k], .events = POLLIN };
			pf[n++] = (struct pollfd){ .fd = p->b[k], .events = POLLIN };
		}
		if (poll(pf, (nfds_t)n, 5) <= 0 || atomic_load(&p->frozen))
			continue;
		for (int k = 0; k < PAIRS; k++) {
			if (p->a[k] < 0)
				continue;
			bool ok = true;
			if (pf[1 + 2 * k].revents & (POLLIN | POLLHUP | POLLERR))
				ok = forward(p->a[k], p->b[k]);
			if (ok && (pf[2 + 2 * k].revents & (POLLIN | POLLHUP | POLLERR)))
				ok = forward(p->b[k], p->a[k]);
			if (!ok)
				pair_close(p, k);
		}
		if (pf[0].revents & POLLIN) {
			int c = accept(p->lfd, NULL, NULL), k;
			if (c >= 0)
				fcntl(c, F_SETFD, FD_CLOEXEC);
			for (k = 0; k < PAIRS && p->a[k] >= 0; k++)
				;
			int u = c >= 0 && k < PAIRS ? connect_up(p) : -1;
			if (u < 0) {
				if (c >= 0)
					close(c);
				continue;
			}
			p->a[k] = c;
			p->b[k] = u;
		}
	}
	return NULL;
}

/* A proxy on 127.0.0.1 (p->port) to the server of PGHOST and PGPORT (pg_virtualenv's). */
static void
proxy_start(struct proxy *p)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM };
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t sl = sizeof sa;
	const char *host = getenv("PGHOST"), *port = getenv("PGPORT");

	memset(p, 0, sizeof *p);
	for (int k = 0; k < PAIRS; k++)
		p->a[k] = p->b[k] = -1;
	ck_assert_msg(getaddrinfo(host != NULL && *host != '/' ? host : "localhost",
	    port != NULL ? port : "5432", &hints, &p->up) == 0, "PGHOST %s", host);
	p->lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	ck_assert_int_ge(p->lfd, 0);
	ck_assert_int_eq(bind(p->lfd, (struct sockaddr *)&sa, sizeof sa), 0);
	ck_assert_int_eq(listen(p->lfd, 16), 0);
	ck_assert_int_eq(getsockname(p->lfd, (struct sockaddr *)&sa, &sl), 0);
	p->port = ntohs(sa.sin_port);
	ck_assert_int_eq(pthread_create(&p->th, NULL, proxy_run, p), 0);
}

static void
proxy_stop(struct proxy *p)
{
	atomic_store(&p->quit, 1);
	pthread_join(p->th, NULL);
	for (int k = 0; k < PAIRS; k++)
		if (p->a[k] >= 0)
			pair_close(p, k);
	close(p->lfd);
	freeaddrinfo(p->up);
}

/* ---------------------------------------------------------------- the frozen database */

static pid_t
spawn(const char *dir, const char *name, const char *db)
{
	char api[300], pub[300], feed[300], log[300];

	snprintf(api, sizeof api, "ipc://%s/%s-api", dir, name);
	snprintf(pub, sizeof pub, "ipc://%s/%s-pub", dir, name);
	snprintf(feed, sizeof feed, "ipc://%s/%s-feed", dir, name);
	snprintf(log, sizeof log, "%s/%s.log", dir, name);
	const char *argv[] = { rdd, "--api", api, "--pub", pub, "--feed", feed, "--db", db,
		"--data", SOURCE_DATA_DIR, NULL };
	pid_t parent = getpid(), pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL); /* a failed test leaves no broker behind */
		if (getppid() != parent)
			_exit(127);
		int fd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	return pid;
}

struct figures {
	int n;           /* answers */
	int64_t lat[REQ_MAX];
	int late;        /* answers later than ANSWER_MS */
	int wrong;       /* answers other than not_leader naming the leader */
};

static int
cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

static int64_t
pct(struct figures *f, int p)
{
	if (f->n == 0)
		return -1;
	qsort(f->lat, (size_t)f->n, sizeof f->lat[0], cmp_i64);
	return f->lat[(f->n - 1) * p / 100];
}

/* A hello every 10 ms for ms (or until pid exits: *exited its status, else -1), then up
 * to drain_ms for the answers still out; the latencies of the answers to requests from
 * number from on (-1: this call's first) into f. Returns this call's first number. */
static int64_t sent[REQ_MAX];
static bool answered[REQ_MAX];
static int seq;

static int
hellos(void *s, const char *leader, long ms, long drain_ms, int from, pid_t pid,
    int *exited, int64_t *exit_at, struct figures *f)
{
	int first = seq, status;
	int64_t start = rd_mono_ms(), next = start, end = start + ms;

	if (from < 0)
		from = first;
	memset(f, 0, sizeof *f);
	if (exited != NULL)
		*exited = -1;
	for (;;) {
		int64_t now = rd_mono_ms();
		int out = 0;
		for (int k = from; k < seq; k++)
			out += !answered[k];
		if (now >= end + drain_ms || (now >= end && out == 0))
			break;
		if (now < end && now >= next && seq < REQ_MAX) {
			sent[seq] = now;
			send_hello(s, seq++);
			next += 10;
		}
		if (pid > 0 && *exited < 0 && waitpid(pid, &status, WNOHANG) == pid) {
			*exited = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
			*exit_at = now;
			break; /* what is out now is not answered */
		}
		struct proto_reply r;
		long wait = now < end ? (long)(next > now ? next - now : 0) : 10;
		int n = recv_hello(s, wait, &r);
		if (n < 0)
			continue;
		if (n >= from && n < seq && !answered[n]) {
			answered[n] = true;
			f->lat[f->n] = rd_mono_ms() - sent[n];
			if (f->lat[f->n] > ANSWER_MS)
				f->late++;
			f->n++;
			if (r.ok || r.error.code != PROTO_E_NOT_LEADER ||
			    strcmp(r.error.params.leader, leader) != 0)
				f->wrong++;
		}
		proto_reply_finish(&r);
	}
	return first;
}

static void
report(const char *what, struct figures *f)
{
	int n = f->n;
	printf("standby: %-28s %4d answers, p50 %4" PRId64 " ms, p99 %5" PRId64 " ms, max %5"
	    PRId64 " ms, %d over %d ms\n", what, n, pct(f, 50), pct(f, 99), pct(f, 100), f->late,
	    ANSWER_MS);
}

/* Every answer in time: the 99th percentile within ANSWER_MS, none past STALL_MS. */
static void
check_in_time(struct figures *f, const char *what)
{
	int64_t p99 = pct(f, 99), max = pct(f, 100);

	ck_assert_msg(p99 <= ANSWER_MS && max <= STALL_MS, "%s: p99 %" PRId64 " ms, max %"
	    PRId64 " ms", what, p99, max);
}

static bool
log_has(const char *path, const char *text)
{
	char buf[65536];
	FILE *fp = fopen(path, "r");
	size_t n;

	if (fp == NULL)
		return false;
	n = fread(buf, 1, sizeof buf - 1, fp);
	fclose(fp);
	buf[n] = '\0';
	return strstr(buf, text) != NULL;
}

/* check false: print the figures only (--measure). */
static void
frozen_run(bool check)
{
	char db[256], via[300], dir[300], leader[320], sapi[320], log[320];
	struct proxy px;
	static struct figures f;
	int status, exited;
	int64_t exit_at = 0;
	void *ctx = zmq_ctx_new();

	snprintf(dir, sizeof dir, "%s/frozen", base);
	ck_assert_int_eq(mkdir(dir, 0700), 0);
	pg_uri(2, db, sizeof db);
	proxy_start(&px);
	/* RD_TEST_PG is postgresql:///rd: the same database through the proxy */
	snprintf(via, sizeof via, "postgresql://127.0.0.1:%d/rd2", px.port);
	if (user_timeout > 0)
		snprintf(via + strlen(via), sizeof via - strlen(via), "?tcp_user_timeout=%d",
		    user_timeout);
	int expect = user_timeout > 0 ? user_timeout : 10000; /* store-pg.c's default */
	snprintf(leader, sizeof leader, "ipc://%s/lead-api", dir);
	snprintf(sapi, sizeof sapi, "ipc://%s/standby-api", dir);
	snprintf(log, sizeof log, "%s/standby.log", dir);
	pid_t lead = spawn(dir, "lead", db);
	void *lc = dealer(ctx, leader);
	ck_assert_msg(await_hello(lc, true, NULL, 20000), "the leader did not start");
	pid_t sb = spawn(dir, "standby", via);
	void *c = dealer(ctx, sapi);
	ck_assert_msg(await_hello(c, false, leader, 20000), "the standby did not start");

	hellos(c, leader, 1000, 1000, -1, 0, NULL, NULL, &f);
	report("database answering", &f);
	if (check)
		ck_assert_int_eq(f.wrong, 0);

	atomic_store(&px.frozen, 1);
	int from = hellos(c, leader, 2000, STALL_MS, -1, 0, NULL, NULL, &f);
	atomic_store(&px.frozen, 0);
	static struct figures held; /* answers the freeze held back until the thaw */
	hellos(c, leader, 0, 5000, from, 0, NULL, NULL, &held);
	int thawed = held.n;
	for (int k = 0; k < held.n && f.n < REQ_MAX; k++)
		f.lat[f.n++] = held.lat[k];
	f.late += held.late;
	f.wrong += held.wrong;
	report("database frozen 2 s", &f);
	if (check) {
		ck_assert_int_eq(f.wrong, 0);
		ck_assert_int_eq(thawed, 0);
		check_in_time(&f, "frozen");
		ck_assert_int_ge(f.n, 150);
	}
	hellos(c, leader, 500, 1000, -1, sb, &exited, &exit_at, &f);
	report("thawed", &f);
	if (check) {
		ck_assert_msg(exited < 0, "the standby exited after the thaw (%d)", exited);
		ck_assert_int_eq(f.wrong, 0);
		check_in_time(&f, "thawed");
	}

	int64_t frozen_at = rd_mono_ms();
	atomic_store(&px.frozen, 1);
	hellos(c, leader, expect + 3000, 0, -1, sb, &exited, &exit_at, &f);
	report("frozen until the standby goes", &f);
	if (exited >= 0)
		printf("standby: exited with status %d %" PRId64 " ms after the freeze "
		    "(tcp_user_timeout %d ms)\n", exited, exit_at - frozen_at, expect);
	else
		printf("standby: still running %d ms after the freeze\n", expect + 3000);
	if (check) {
		ck_assert_msg(exited == 1, "the standby's status: %d", exited);
		ck_assert_int_ge(exit_at - frozen_at, expect - 250);
		ck_assert_int_le(exit_at - frozen_at, expect + 1000);
		ck_assert_int_eq(f.wrong, 0);
		check_in_time(&f, "frozen until the end");
		ck_assert_msg(log_has(log, "the connection is taken as dead"), "see %s", log);
	}
	if (exited < 0) {
		kill(sb, SIGKILL);
		waitpid(sb, NULL, 0);
	}
	atomic_store(&px.frozen, 0);

	if (check) {
		/* started again (systemd), it leads when the leader goes */
		sb = spawn(dir, "standby", via);
		ck_assert_msg(await_hello(c, false, leader, 20000), "the standby did not restart");
		kill(lead, SIGKILL);
		waitpid(lead, NULL, 0);
		lead = -1;
		ck_assert_msg(await_hello(c, true, NULL, 10000), "the standby did not lead");
		kill(sb, SIGTERM);
		ck_assert_int_eq(waitpid(sb, &status, 0), sb);
		ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	} else {
		kill(lead, SIGKILL);
		waitpid(lead, NULL, 0);
		lead = -1;
	}
	if (lead > 0) {
		kill(lead, SIGKILL);
		waitpid(lead, NULL, 0);
	}
	zmq_close(c);
	zmq_close(lc);
	zmq_ctx_term(ctx);
	proxy_stop(&px);
}

START_TEST(test_frozen)
{
	frozen_run(true);
}
END_TEST

START_TEST(test_measure)
{
	frozen_run(false);
}
END_TEST

int
main(int argc, char **argv)
{
	const char *tmp = getenv("TMPDIR");
	bool measure = argc >= 3 && argc <= 4 && strcmp(argv[1], "--measure") == 0;

	if (argc != 2 && !measure) {
		fprintf(stderr, "usage: check-standby RESCUEDESKD\n"
		    "       check-standby --measure RESCUEDESKD [TCP_USER_TIMEOUT_MS]\n");
		return 2;
	}
	rdd = argv[measure ? 2 : 1];
	if (measure && argc == 4)
		user_timeout = atoi(argv[3]);
	snprintf(base, sizeof base, "%s/check-standby-XXXXXX", tmp != NULL && *tmp ? tmp : "/tmp");
	if (mkdtemp(base) == NULL) {
		perror(base);
		return 1;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	Suite *s = suite_create("standby");
	TCase *tc = tcase_create("standby");
	tcase_set_timeout(tc, 90);
	if (measure) {
		tcase_add_test(tc, test_measure);
	} else {
		tcase_add_test(tc, test_control);
		tcase_add_test(tc, test_frozen);
	}
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	rd_remove_tree(base);
	return failed == 0 ? 0 : 1;
}
