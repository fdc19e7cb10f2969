/* app.h: the console program: one loop that polls the broker's sockets and the keyboard,
 * keeps the model in step with the replica, routes keys to the view on top of the stack,
 * and redraws once per turn when something changed. With demo set, a broker and a simulator
 * run inside the process on inproc endpoints with a temporary store.
 *
 * Ownership: app_run borrows opts for its duration. */
#ifndef RD_APP_H
#define RD_APP_H

#include <stdbool.h>

struct curve_keys;

struct app_opts {
	const char *api, *pub;  /* broker endpoints */
	const char *user;       /* until hello's reply names the authenticated user */
	const char *role;       /* agent | supervisor | specialist, until hello's reply names
	                         * the broker's */
	const struct curve_keys *curve; /* CURVE keys (curve.h); NULL: plain; not used by the
	                         * demo, whose broker is open on inproc */
	const char *lang;       /* NULL: from the locale */
	const char *data_dir;
	bool mono;
	int theme;              /* enum theme_variant (theme.h): dark or light background */
	int bell;               /* enum term_bell (term.h): on a warning newly red */
	bool no_mouse;          /* leave the mouse to the terminal */
	bool demo;
	double demo_speed;      /* demo: simulated time runs this many times faster */
	double demo_rate;       /* demo: calls per simulated hour */
	unsigned long demo_seed;
	bool demo_people_diagnose; /* demo: the simulator leaves diagnoses to people */
};

/* Run the console until the user quits. Returns the exit status; prints the reason to
 * stderr (after the terminal is restored) when it cannot start. */
int app_run(const struct app_opts *opts);

#endif
