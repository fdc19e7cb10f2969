/* broker.h: the dispatch broker behind rescuedeskd, embeddable (the console's --demo runs it
 * in a thread with inproc endpoints).
 *
 * One thread, one zmq_poll loop over three sockets: a ROUTER for requests (api), a PUB for
 * live updates (pub) and a PULL for the suppliers' feed (feed); with a manual clock, a
 * fourth (a PAIR, control) takes the steps that move broker time. Every accepted change is
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

/* Where broker time comes from. */
enum broker_clock {
	BROKER_CLOCK_MONOTONIC, /* the monotonic clock x time_scale from clock_start (the
	                           default) */
	BROKER_CLOCK_MANUAL,    /* stands at clock_start until broker_step moves it; the
	                           periodic work (offer time-outs, dispatch of waiting tickets,
	                           monitoring) runs at each step and never by itself (tests) */
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
	enum broker_clock clock;      /* 0: BROKER_CLOCK_MONOTONIC */
	const char *control;          /* BROKER_CLOCK_MANUAL: the endpoint of the PAIR socket
	                                 the broker binds for steps (inproc:// on the zmq
	                                 context given to broker_create) */
	int64_t max_memory_mb;        /* the memory guard: resident memory beyond this drops
	                                 every peer of the api and feed sockets (0: 1024;
	                                 < 0: no guard) */
	const char *tell_command;     /* the gateway that tells customers: a /bin/sh command run
	                                 for each message with RD_TELL_* in its environment
	                                 (broker-tell.c); NULL: the topic "message" only */
	const char *users;            /* the users file (src/model/users.h): with key, CURVE on
	                                 the api, pub and feed sockets and a ZAP handler that
	                                 lets in only its keys; NULL (and key NULL): open, every
	                                 claim trusted, loopback, ipc:// and inproc:// only */
	const char *key;              /* the broker's key file (src/model/keyfile.h) */
	volatile sig_atomic_t *reload; /* set non-zero (SIGHUP) to reload the users file; the
	                                  loop clears it (NULL: none) */
	int retention_days;           /* > 0: erase customers' personal data from tickets
	                                 closed more than this many days ago (broker-contact.c);
	                                 0: keep it */
};

struct broker;

/* Open the store, load the data, rebuild the state, bind the sockets. NULL + *cause (caller
 * frees) on failure. */
struct broker *broker_create(void *zctx, const struct broker_opts *opts, char **cause);
/* Run until *stop becomes non-zero. Returns 0, or 1 after a fatal store error (logged). */
int broker_run(struct broker *b, volatile sig_atomic_t *stop);
/* Write a checkpoint, close sockets and the store. NULL is fine. */
void broker_destroy(struct broker *b);

/* BROKER_CLOCK_MANUAL, from another thread: move broker time on by ms (>= 0) and run the
 * periodic work at the new time. sock is a PAIR connected to opts.control. Returns the new
 * broker time once everything the step changed is committed, its replies sent and its
 * messages published; -1 if the broker did not answer within timeout_ms (or refused the
 * step). In this mode positions are published at every turn of the loop, and a heartbeat
 * follows every step. A standby (a group on PostgreSQL) answers too: a step moves its
 * clock, runs no periodic work and is answered once a lock try sent after it has been
 * answered (if that try gave it the lock, once it leads). */
int64_t broker_step(void *sock, int64_t ms, long timeout_ms);

/* BROKER_CLOCK_MANUAL, from another thread: reload the users file as SIGHUP does, over the
 * PAIR of broker_step. Returns 0 once the new table is in force (and the PUB socket bound
 * again if it had to be), -1 if the file was refused (the old table stays) or the broker
 * did not answer within timeout_ms. */
int broker_control_reload(void *sock, long timeout_ms);

/* Reload opts.users now (what the loop does on SIGHUP): 0, or -1 (logged: the old table
 * stays). A reload that revokes a key or changes a user's role binds the PUB socket again,
 * so every subscriber reconnects through ZAP. */
int broker_reload_users(struct broker *b);

/* rescuedeskd --keygen: a new CURVE key pair (zmq_curve_keypair) written to path as a key
 * file (keyfile_write, mode 0600); its public key into pub (41 bytes). 0, or -1 and *cause
 * (caller frees). */
int broker_keygen(const char *path, char *pub, char **cause);

/* Requests and feed messages of supplier refused because they named a truck of another
 * supplier (since the start). */
uint64_t broker_supplier_refused(const struct broker *b, const char *supplier);

struct broker_stats {
	uint64_t requests, bad_requests, replays, fixes, bad_feed, published, commits;
	uint64_t future_fixes;   /* of bad_feed: fixes stamped too far ahead of broker time */
	uint64_t skewed_fixes;   /* of fixes: stamped 2-30 s ahead, taken at arrival */
	uint64_t guard_drops;    /* times the memory guard dropped the api and feed peers */
	uint64_t vnum_short;     /* times a dispatched ticket found no virtual number free */
	uint64_t watch_looks;    /* times monitoring looked at a ticket (ETA and warnings) */
	uint64_t tickets, trucks, warnings_active;
	uint64_t presence_users; /* users whose presence the broker keeps (broker-warn.c) */
	uint64_t auth_refused;   /* connections ZAP refused (unknown key, role not on that
	                          * endpoint) */
	uint64_t unauthenticated; /* requests and feed messages of a key no longer known */
	uint64_t forbidden;      /* requests refused by the role matrix or an argument rule */
	uint64_t scope_refused;  /* of forbidden and the feed: a supplier's for another's truck */
	uint64_t reloads;        /* users files taken (the first one included) */
	int64_t epoch, replayed_at_start;
};
void broker_stats(const struct broker *b, struct broker_stats *out);

#endif
