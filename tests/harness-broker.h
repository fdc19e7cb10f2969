/* harness-broker.h: the real broker (src/broker/broker.h) run in a thread inside a Check test, on
 * ipc:// endpoints and an SQLite file in a fresh temporary directory, and the clients a test
 * talks to it with: a DEALER for requests, a SUB for the live streams and a PUSH for the
 * suppliers' feed. Every wait is a zmq_poll with a deadline (HARNESS_BROKER_WAIT_MS).
 *
 * The broker's clock is manual (BROKER_CLOCK_MANUAL): broker time starts at
 * HARNESS_BROKER_T0 and moves only when a test steps it (harness_broker_step), which also
 * runs the periodic work (offer time-outs, dispatch of waiting tickets, monitoring) and
 * waits until its results are published. No test waits on real time for a rule.
 *
 * Shared by check-broker.c and check-offer.c; this module owns the support code, each test
 * owns its struct harness_broker (one a process: Check runs each test in a fork) and its
 * own matching of published messages. Failures are Check assertions: they end the test. */
#ifndef RD_HARNESS_BROKER_H
#define RD_HARNESS_BROKER_H

#include <check.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "broker.h"
#include "proto.h"

#define HARNESS_BROKER_WAIT_MS 5000 /* the longest any single answer may take */
#define HARNESS_BROKER_TCASE_TIMEOUT_S 60 /* the longest one test may take */
#define HARNESS_BROKER_T0 1772416800000LL /* 2026-03-02 10:00 China time: broker time at
                                             the first start */

enum harness_broker_stream {
	HARNESS_BROKER_TICKET,
	HARNESS_BROKER_TRUCK,
	HARNESS_BROKER_WARNING,
	HARNESS_BROKER_COMPLAINT,
	HARNESS_BROKER_COUNT
};

struct harness_broker_opts {
	const char *base_dir;   /* the directory main made; each test's goes in it */
	const char *log_env;    /* set in the environment: the broker logs to stderr */
	const char *cmd_prefix; /* cmd_ids are "<prefix>-<n>" */
	bool strict;            /* also check: a published message and a reply have no extra
	                         * frame, an entity's ver equals its stream seq, heartbeats carry
	                         * the time scale, a reply names the request's op */
	const char *tell_command; /* the broker's opts.tell_command (NULL: none) */
	int retention_days;     /* the broker's opts.retention_days (0: keep personal data) */
};

struct harness_broker {
	struct harness_broker_opts o;
	char dir[96];
	char api[160], pub[160], feed[160], db[160];
	void *ctx;
	struct broker *b;
	pthread_t thread;
	bool running;
	volatile sig_atomic_t stop;
	int run_rc;
	char control[160];  /* the broker's step endpoint (inproc), new at each start */
	unsigned starts;    /* harness_broker_start calls: names control */
	void *step;         /* a PAIR on it */
	int64_t now;        /* broker time after the last step */
	void *dealer, *sub, *push;
	int cmd_seq;
	/* what the SUB has shown so far */
	bool synced;
	int64_t epoch;
	int64_t last[HARNESS_BROKER_COUNT];
	int64_t last_hb;
	struct proto_hb hb; /* the last heartbeat */
	/* CURVE (harness_broker_set_users): the broker runs with users and key files */
	bool curve;
	char users_path[160], key_path[160];
	char server_pub[41];  /* the broker's public key */
	/* when set, sees every frame a client here received before it is decoded: each
	 * published message's topic and body, each reply (check-privacy.c) */
	void (*frame_seen)(void *arg, const void *data, size_t len);
	void *frame_arg;
};

/* Run suite s with CK_NORMAL inside base_dir (a mkdtemp template, made here and removed
 * with all in it afterwards); frees s's runner. Returns EXIT_SUCCESS when all passed. */
int harness_broker_main(Suite *s, char *base_dir);

/* A test case named name in s, with setup and teardown around each test (in its fork) and
 * HARNESS_BROKER_TCASE_TIMEOUT_S for each; the caller adds the tests. */
TCase *harness_broker_tcase(Suite *s, const char *name, void (*setup)(void),
    void (*teardown)(void));

/* Clear h, keep a copy of o (its strings are borrowed: they must outlive h), make a fresh
 * directory in o->base_dir with the endpoints' and database's names, and a ZeroMQ
 * context. No broker yet: see harness_broker_start. */
void harness_broker_setup(struct harness_broker *h, const struct harness_broker_opts *o);

/* Close the clients, stop and destroy the broker, end the context, remove the directory. */
void harness_broker_teardown(struct harness_broker *h);

/* Create the broker on h's endpoints with the reference data in data_dir (borrowed) and
 * a manual clock, run it in a thread, and learn its time (a step of 0). */
void harness_broker_start(struct harness_broker *h, const char *data_dir);

/* CURVE: write the users file text to h's directory (again: for a reload) and, the first
 * time, make the broker's key there; the broker starts with --users and --key from then
 * on. */
void harness_broker_set_users(struct harness_broker *h, const char *text);

/* A fresh CURVE key pair (Z85, 41 bytes each). */
void harness_broker_keypair(char *pub, char *sec);

/* Reload the users file (the broker's SIGHUP work) through the step socket: 0, or -1 when
 * the broker refused the file. */
int harness_broker_reload(struct harness_broker *h);

/* Move broker time on by ms and run the periodic work there; returns when its changes are
 * committed and published (h->now is the new time). */
int64_t harness_broker_step(struct harness_broker *h, int64_t ms);

/* Stop the broker's loop and join its thread (its exit code must be 0); the broker itself
 * stays, for broker_stats. A no-op when it is not running. */
void harness_broker_halt(struct harness_broker *h);

/* harness_broker_halt, then destroy the broker. */
void harness_broker_stop(struct harness_broker *h);

/* A socket of type on h's context, connected to ep, no linger; a SUB subscribes to all.
 * Caller closes it. */
void *harness_broker_socket(struct harness_broker *h, int type, const char *ep);

/* Close the clients, stop the broker, start it again on the same directory with data_dir,
 * open the clients and wait for a heartbeat. Broker time goes on from the latest entity
 * the store holds. */
void harness_broker_restart(struct harness_broker *h, const char *data_dir);

/* harness_broker_socket as a CURVE client with the key pair pub/sec, the server's key
 * h->server_pub. pub NULL: a plain (NULL mechanism) client. */
void *harness_broker_curve_socket(struct harness_broker *h, int type, const char *ep,
    const char *pub, const char *sec);

/* Open the DEALER, SUB and PUSH (not synced yet); close them (a no-op when closed). The
 * _as form opens them as CURVE clients with pub/sec. */
void harness_broker_clients_open(struct harness_broker *h);
void harness_broker_clients_open_as(struct harness_broker *h, const char *pub,
    const char *sec);
void harness_broker_clients_close(struct harness_broker *h);

/* Wait until socket s has a message or the deadline (rd_mono_ms) passes; true if it has. */
bool harness_broker_wait_in(void *s, int64_t until);

/* Read one published message into p before the deadline (false if none came). Once
 * synced: same epoch as the broker's, each entity stream's seq one more than the last,
 * each heartbeat's seq one more than the last and naming the stream seqs seen. */
bool harness_broker_next_pub(struct harness_broker *h, struct proto_pub *p, int64_t until);

/* Wait for the first heartbeat: from there on, every message is checked. */
void harness_broker_sub_sync(struct harness_broker *h);

/* Encode a feed message and send it on the PUSH. */
void harness_broker_push_feed(struct harness_broker *h, enum proto_msg_id type,
    const void *msg);

/* Send one frame on the DEALER and wait for one reply frame; its bytes go to raw (reset
 * first; the caller owns raw). */
void harness_broker_exchange(struct harness_broker *h, const void *frame, size_t len,
    struct proto_buf *raw);

/* Send a raw frame, decode the reply into r (caller finishes it with proto_reply_finish). */
void harness_broker_call_raw(struct harness_broker *h, const void *frame, size_t len,
    struct proto_reply *r);

/* Encode op with args as user (may be NULL) under a fresh cmd_id, call, decode into r
 * (caller finishes it); the reply must echo the cmd_id. */
void harness_broker_call_as(struct harness_broker *h, const char *user, enum proto_msg_id op,
    const void *args, struct proto_reply *r);

/* A call that must succeed; returns the reply's ticket. */
struct proto_ticket harness_broker_ok(struct harness_broker *h, const char *user,
    enum proto_msg_id op, const void *args);

/* A call that must fail with code and an error message containing msg. */
void harness_broker_fail(struct harness_broker *h, const char *user, enum proto_msg_id op,
    const void *args, enum proto_err code, const char *msg);

#endif
