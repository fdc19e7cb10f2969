/* harness-fakebroker.h: the broker's side of the wire, scripted by a Check test: a ROUTER
 * the test owns receives the client's requests, and the test answers them (a ticket, a
 * snapshot of a small world in parts, optionally wrong in one way) as the real broker would.
 *
 * Shared by check-rpc.c and check-replica.c; this module owns the support code, each test
 * owns its sockets and its world. Failures are Check assertions: they end the test. */
#ifndef RD_HARNESS_FAKEBROKER_H
#define RD_HARNESS_FAKEBROKER_H

#include <check.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proto.h"

/* A request as the fake broker saw it: the ROUTER's identity frame and the body. */
struct harness_fakebroker_req {
	char id[256];
	size_t idlen;
	char body[4096];
	size_t len;
	struct proto_request r;
};

/* What a snapshot shows: the head and the entities, dealt round-robin over the parts. */
struct harness_fakebroker_world {
	int64_t epoch;
	int64_t seq[PROTO_STREAM_COUNT]; /* by enum proto_stream */
	int64_t hbseq;   /* the last heartbeat's seq (the test's to use) */
	int64_t ts;      /* the last publication's time (the test's to use) */
	struct proto_ticket t[8];
	size_t nt;
	struct proto_truck k[4];
	size_t nk;
	struct proto_warning w[4];
	size_t nw;
};

/* How a snapshot answer goes wrong (or not). */
enum harness_fakebroker_snap {
	HARNESS_FAKEBROKER_SNAP_WHOLE,      /* all parts, consistent */
	HARNESS_FAKEBROKER_SNAP_SKIP_PART2, /* part 2 never sent */
	HARNESS_FAKEBROKER_SNAP_TOTAL_OFF,  /* total_tickets one more than sent */
	HARNESS_FAKEBROKER_SNAP_OTHER_HEAD, /* part 2 has another seq_warning */
	HARNESS_FAKEBROKER_SNAP_ERROR       /* an error reply (internal, "busy") instead */
};

/* Run suite s with CK_NORMAL (debug logging to stderr when RD_TEST_LOG is set); frees its
 * runner. Returns EXIT_SUCCESS when all passed. */
int harness_fakebroker_main(Suite *s);

/* Wait up to timeout_ms (0: just look) until sock has a message; true if it has. */
bool harness_fakebroker_readable(void *sock, int timeout_ms);

/* Receive a request on sock (a ROUTER) within 5 s, decoded into q (q->r borrows nothing). */
void harness_fakebroker_recv(void *sock, struct harness_fakebroker_req *q);

/* Send data (borrowed) on sock as the reply to q: its identity frame, then data. */
void harness_fakebroker_send(void *sock, const struct harness_fakebroker_req *q,
    const void *data, size_t len);

/* A complete ticket of region north: id, state and ver as given. */
struct proto_ticket harness_fakebroker_ticket(int64_t id, const char *state, int64_t ver);

/* Answer q on sock with a snapshot of w in parts parts, spoilt as fault says. */
void harness_fakebroker_snapshot(void *sock, const struct harness_fakebroker_req *q,
    const struct harness_fakebroker_world *w, int parts, enum harness_fakebroker_snap fault);

#endif
