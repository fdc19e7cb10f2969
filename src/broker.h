/* broker.h: the dispatch broker behind rescuedeskd, embeddable (the console's --demo runs it
 * in a thread with inproc endpoints).
 *
 * One thread, one zmq_poll loop over three sockets: a ROUTER for requests (api), a PUB for
 * live updates (pub) and a PULL for the suppliers' feed (feed). Every accepted change is
 * appended to the store's event log and committed before it is acknowledged or published.
 *
 * Ownership: broker_create copies the strings of opts; the zmq context is borrowed (NULL:
 * the broker makes and owns one). */
#ifndef RD_BROKER_H
#define RD_BROKER_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include "store.h"

/* How automatic dispatch picks a truck. */
enum broker_policy {
	BROKER_POLICY_ETA,     /* rank by ETA, trucks finishing a job nearby included, with the
	                          supplier terms of rescuedeskd(8), DISPATCH (the default) */
	BROKER_POLICY_NEAREST, /* the straight-line nearest idle truck able to serve the fault
	                          (the baseline of the dispatch-quality benchmark) */
};

struct broker_opts {
	const char *api, *pub, *feed; /* endpoints to bind */
	const char *db;               /* SQLite path */
	const char *data_dir;         /* reference data (regions, faults, SLA) */
	enum store_sync sync;
	double time_scale;            /* broker time runs this many times faster than real */
	int keep_closed_min;          /* closed tickets stay in snapshots this long (broker time) */
	int64_t checkpoint_every;     /* events between checkpoints */
	int64_t clock_start;          /* > 0: broker time starts here (ms since the epoch, for
	                                 scenarios) instead of the wall clock; it still never
	                                 goes back behind what the store holds */
	enum broker_policy policy;    /* automatic dispatch (0: BROKER_POLICY_ETA) */
	int tick_ms;                  /* dispatch and monitoring period, real ms (0: 500) */
};

struct broker;

/* Open the store, load the data, rebuild the state, bind the sockets. NULL + *cause (caller
 * frees) on failure. */
struct broker *broker_create(void *zctx, const struct broker_opts *opts, char **cause);
/* Run until *stop becomes non-zero. Returns 0, or 1 after a fatal store error (logged). */
int broker_run(struct broker *b, volatile sig_atomic_t *stop);
/* Write a checkpoint, close sockets and the store. NULL is fine. */
void broker_destroy(struct broker *b);

struct broker_stats {
	uint64_t requests, bad_requests, replays, fixes, bad_feed, published, commits;
	uint64_t tickets, trucks, warnings_active;
	int64_t epoch, replayed_at_start;
};
void broker_stats(const struct broker *b, struct broker_stats *out);

#endif
