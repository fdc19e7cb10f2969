/* fixture-town.h: the world check-offer.c and check-edit.c test the broker in, and the client
 * helpers both use. Reference data written to each test's directory: a town at 36 km/h with
 * no detour (1 km is 100 s) where the broker dispatches, with a supplier that answers within
 * the hour (alpha) and one that has 1 s (beta); hills where agents dispatch (gamma); the
 * acceptance SLA at 3 s; faults and demand copied from data/. The broker runs through
 * tests/harness-broker.c on a manual clock.
 *
 * This module owns town_broker (one a process: Check runs each test in a fork) and the
 * backlog of publications read while waiting for another. Failures are Check assertions:
 * they end the test. */
#ifndef RD_FIXTURE_TOWN_H
#define RD_FIXTURE_TOWN_H

#include <stddef.h>
#include <stdint.h>

#include "geo.h"
#include "harness-broker.h"
#include "proto.h"

#define TOWN_LAT 28.1960
#define TOWN_LON 112.9768
#define HILLS_LAT 29.5000
#define HILLS_LON 113.5000

extern struct harness_broker town_broker;

/* Set the broker up in base_dir (a directory harness_broker_main made) with the reference
 * data, logging when log_env is set, cmd_ids "<cmd_prefix>-<n>"; open the clients and wait
 * for a heartbeat. The strings are borrowed: they must outlive the test. */
void town_setup(const char *base_dir, const char *log_env, const char *cmd_prefix);
void town_teardown(void);
/* The directory of the reference data (a test may add files, then town_restart). */
const char *town_data_dir(void);

/* Restart the broker on the same store and data; the backlog is forgotten. */
void town_restart(void);

/* ---------------------------------------------------------------- the SUB side */

/* What a wait looks for: a publication of topic and, as the topic has them, these. */
struct town_want {
	enum proto_topic topic;
	int64_t ticket;       /* ticket id, or a warning's ticket */
	const char *truck;    /* truck id, or a ticket's truck */
	const char *state;    /* ticket state, truck status, warning kind, or a message's
	                       * template */
	int cleared;          /* warnings: -1 either */
};

/* The first publication matching w into *out: from the backlog, else read until it comes
 * (what else comes goes to the backlog; heartbeats are dropped). Fails, naming what, when
 * none comes within HARNESS_BROKER_WAIT_MS. */
void town_expect(struct proto_pub *out, struct town_want w, const char *what);

/* Move broker time on by ms: one pass of the periodic work. */
void town_step(int64_t ms);

/* ---------------------------------------------------------------- the DEALER side */

void town_call_as(const char *user, enum proto_msg_id op, const void *args,
    struct proto_reply *r);
struct proto_ticket town_ok_as(const char *user, enum proto_msg_id op, const void *args);
void town_fail_as(const char *user, enum proto_msg_id op, const void *args,
    enum proto_err code, const char *msg);

/* intake.create by agent7 of a fault in region at (lat, lon); must succeed. */
struct proto_ticket town_create(const char *region, const char *fault, double lat,
    double lon);
struct proto_offer_accept town_accept_args(int64_t id, const char *truck, int64_t eta_s);
/* ticket.set_state by alpha-desk; must succeed. */
struct proto_ticket town_set_state(int64_t id, const char *state);
/* ticket.get of id into r (caller finishes it); must succeed. */
void town_get_ticket(int64_t id, struct proto_reply *r);
/* The kinds of a ticket's events, space-separated, into out; the reply stays in r (caller
 * finishes it). */
void town_event_kinds(int64_t id, char *out, size_t n, struct proto_reply *r);

/* ---------------------------------------------------------------- the feed */

/* A GPS fix of truck id at broker time; waits until the broker shows it (a fix sent twice at
 * the same time is shown twice). */
void town_fix(const char *id, struct geo_point at);
/* A truck of supplier sup in region reg, available, km north of (lat, lon); waits until
 * the broker shows its position. */
void town_truck_at(const char *id, const char *kind, const char *sup, const char *reg,
    double lat, double lon, double km);
/* A van of supplier sup in the town, km north of its centre. */
void town_van(const char *id, const char *sup, double km);

#endif
