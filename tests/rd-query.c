/* rd-query.c: a small protocol client for the screen tests: asks the broker and prints
 * plain lines a shell script can check.
 *
 *   rd-query API find TEXT   tickets whose customer contains TEXT: "ID STATE CUSTOMER"; the
 *                            snapshot has names masked, so each ticket's is looked up
 *                            with ticket.contact (reason "rd-query", in its history)
 *   rd-query API get ID      "ID STATE CUSTOMER" then one line per event: "KIND DETAIL"
 *
 * Exit status 0 when found, 1 when not, 2 on errors. */
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
		fprintf(stderr, "usage: rd-query API find TEXT | rd-query API get ID\n");
		return 2;
	}
	void *ctx = zmq_ctx_new();
	char *cause = NULL;
	struct rpc_opts ro = { .endpoint = argv[1], .user = "rd-query", .timeout_ms = 1000, .tries = 5 };
	struct rpc *r = rpc_create(ctx, &ro, &cause);
	struct proto_reply rep;
	struct proto_error err;
	int rc = 1;

	memset(&rep, 0, sizeof rep);
	if (r == NULL) {
		fprintf(stderr, "rd-query: %s\n", cause);
		return 2;
	}
	if (strcmp(argv[2], "find") == 0) {
		struct proto_snapshot s = { .present = 0 };
		if (rpc_call_sync(r, PROTO_MSG_snapshot, &s, &rep, &err, 10000) < 0 || !rep.ok) {
			fprintf(stderr, "rd-query: snapshot failed\n");
			rc = 2;
		} else {
			for (size_t i = 0; i < rep.n_tickets; i++) {
				struct proto_ticket_contact c = { .id = rep.tickets[i].id,
					.present = PROTO_ALL };
				struct proto_reply cr;
				snprintf(c.reason, sizeof c.reason, "rd-query");
				memset(&cr, 0, sizeof cr);
				if (rpc_call_sync(r, PROTO_MSG_ticket_contact, &c, &cr, &err,
				    10000) == 0 && cr.ok &&
				    strstr(cr.contact.customer, argv[3]) != NULL) {
					printf("%lld %s %s\n", (long long)rep.tickets[i].id,
					    rep.tickets[i].state, cr.contact.customer);
					rc = 0;
				}
				proto_reply_finish(&cr);
			}
		}
	} else if (strcmp(argv[2], "get") == 0) {
		struct proto_ticket_get g = { .id = atoll(argv[3]), .present = PROTO_ALL };
		if (rpc_call_sync(r, PROTO_MSG_ticket_get, &g, &rep, &err, 10000) < 0) {
			fprintf(stderr, "rd-query: %s\n", err.message);
			rc = 2;
		} else if (rep.ok) {
			printf("%lld %s %s\n", (long long)rep.ticket.id, rep.ticket.state,
			    rep.ticket.customer);
			for (size_t i = 0; i < rep.n_events; i++)
				printf("%s %s\n", rep.events[i].kind, rep.events[i].detail);
			rc = 0;
		}
	} else {
		fprintf(stderr, "rd-query: unknown command %s\n", argv[2]);
		rc = 2;
	}
	proto_reply_finish(&rep);
	rpc_destroy(r);
	zmq_ctx_term(ctx);
	return rc;
}
