/* demo.h: the console's demo mode: a broker and a simulator running in threads of the
 * console's own process, on inproc endpoints, with a store in a temporary directory that
 * demo_stop removes. This file and demo.c are the only parts of the console that know the
 * broker and the simulator; the console talks to them through the same sockets it would
 * use for a real broker (demo_api, demo_pub).
 *
 * Ownership: demo_start borrows zctx (the console's; it must outlive the demo) and copies
 * what it needs from opts; the returned struct demo is the caller's, freed by demo_stop. */
#ifndef RD_DEMO_H
#define RD_DEMO_H

#include <stdbool.h>

struct demo_opts {
	const char *data_dir;   /* NULL: the default */
	double speed;           /* simulated time runs this many times faster (<= 0: 30) */
	double rate;            /* calls per simulated hour (<= 0: 45) */
	unsigned long seed;     /* simulator seed (0: from the clock) */
	bool people_diagnose;   /* the simulator leaves diagnosis sessions to people */
};

struct demo;

/* Start the broker and the simulator. NULL + *cause (caller frees) on failure, with
 * whatever was started already stopped. */
struct demo *demo_start(void *zctx, const struct demo_opts *opts, char **cause);
/* Stop both threads, destroy them and remove the temporary store. NULL is fine. Call
 * before the zmq context is terminated. */
void demo_stop(struct demo *d);

/* The endpoints the console connects to. */
const char *demo_api(void);
const char *demo_pub(void);
/* The speed the demo runs at (opts->speed or its default). */
double demo_speed(const struct demo *d);

#endif
