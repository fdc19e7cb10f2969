/* rd-intake.c: an independent client for tests/db-failover-pg.sh: creates tickets one after
 * the other and writes down each one the broker acknowledged, so the script can check after
 * a failover that every one of them is there.
 *
 *   rd-intake API N FILE   up to N intake.create requests, one at a time (each waits for its
 *                          reply; a lost reply is resent with the same cmd_id); after each
 *                          acknowledgement "ID CUSTOMER" is appended to FILE and flushed
 *                          before the next request is sent. Stops at the first request that
 *                          is not answered (the broker is gone) or is refused.
 *
 * Exit status 0 when all N were acknowledged, 1 when it stopped early (the count acknowledged
 * on stderr), 2 on errors. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include "proto.h"
#include "rpc.h"

int
main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: rd-intake API N FILE\n");
		return 2;
	}
	int n = atoi(argv[2]), acked = 0, rc = 0;
	FILE *f = fopen(argv[3], "a");
	if (f == NULL) {
		perror(argv[3]);
		return 2;
	}
	void *ctx = zmq_ctx_new();
	char *cause = NULL;
	struct rpc_opts ro = { .endpoint = argv[1], .user = "rd-intake", .timeout_ms = 500,
		.tries = 4 };
	struct rpc *r = rpc_create(ctx, &ro, &cause);
	if (r == NULL) {
		fprintf(stderr, "rd-intake: %s\n", cause);
		return 2;
	}
	for (int i = 0; i < n; i++) {
		struct proto_intake_create in;
		struct proto_reply rep;
		struct proto_error err;

		memset(&in, 0, sizeof in);
		memset(&rep, 0, sizeof rep);
		snprintf(in.customer, sizeof in.customer, "F-%06d 王", i);
		PROTO_STRSET(in.phone, "13912345678");
		PROTO_STRSET(in.plate, "湘A·F1200");
		snprintf(in.address, sizeof in.address, "F-%06d 长沙市岳麓区麓山南路932号", i);
		PROTO_STRSET(in.fault, "tyre");
		PROTO_STRSET(in.region, "changsha");
		in.lat = 28.17;
		in.lon = 112.93;
		if (rpc_call_sync(r, PROTO_MSG_intake_create, &in, &rep, &err, 2000) < 0 ||
		    !rep.ok) {
			proto_reply_finish(&rep);
			rc = 1;
			break;
		}
		fprintf(f, "%lld F-%06d\n", (long long)rep.ticket.id, i);
		fflush(f);
		acked++;
		proto_reply_finish(&rep);
	}
	fprintf(stderr, "rd-intake: %d of %d acknowledged\n", acked, n);
	fclose(f);
	rpc_destroy(r);
	zmq_ctx_term(ctx);
	return rc;
}
