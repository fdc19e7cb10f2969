/* cli.h: what the command lines of rescuedeskd, rescuedesk-sim and rescuedesk share: option
 * values checked against a range, the usage errors, the start-up failure, and a stop flag
 * raised by SIGINT and SIGTERM.
 *
 * Errors are reported here, at the boundary, once: "<prog>: <option>: expected <what>, got
 * '<value>'" on stderr, then exit with the status each man page's EXIT STATUS gives a bad
 * value (cli_init). Nothing else in the programs prints a usage error. */
#ifndef RD_CLI_H
#define RD_CLI_H

#include <signal.h>
#include <stdint.h>
#include <stdio.h>

#include "util.h"

/* The program's name for messages and the exit status of a bad option value. Call first. */
void cli_init(const char *prog, int bad_value_status);
/* Print "<prog>: <opt>: expected <expected>, got '<arg>'" and exit. */
RD_NORETURN void cli_bad_value(const char *opt, const char *expected, const char *arg);
/* arg as a finite number in [lo, hi], or cli_bad_value. */
double cli_number(const char *opt, const char *arg, double lo, double hi);
/* arg as a whole number (digits only) in [lo, hi], or cli_bad_value. */
uint64_t cli_whole(const char *opt, const char *arg, uint64_t lo, uint64_t hi);
/* With operands left after the options (argv[optind]): say so, print usage to stderr and
 * exit 2. */
void cli_no_operands(int argc, char **argv, int optind_, void (*usage)(FILE *));
/* "<prog> <version>" on stdout. */
void cli_version(void);
/* A start-up failure: print "<prog>: <cause>", free cause, and return 1 (for main). */
int cli_fail(char *cause);
/* From now on SIGINT and SIGTERM set *stop to 1 (the loop then ends cleanly) and SIGPIPE is
 * ignored. stop must outlive the program's loop. */
void cli_stop_on_signals(volatile sig_atomic_t *stop);

#endif
