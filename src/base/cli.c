/* cli.c: the programs' shared command-line helpers (see cli.h). */
#include "cli.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char *prog = RD_NAME;
static int bad_status = 2;
static volatile sig_atomic_t *stop_flag;

void
cli_init(const char *name, int bad_value_status)
{
	prog = name;
	bad_status = bad_value_status;
}

void
cli_bad_value(const char *opt, const char *expected, const char *arg)
{
	fprintf(stderr, "%s: %s: expected %s, got '%s'\n", prog, opt, expected, arg);
	exit(bad_status);
}

double
cli_number(const char *opt, const char *arg, double lo, double hi)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(arg, &end);
	if (end == arg || *end != '\0' || errno != 0 || !isfinite(v) || v < lo || v > hi) {
		char what[80];
		snprintf(what, sizeof what, "a number from %g to %g", lo, hi);
		cli_bad_value(opt, what, arg);
	}
	return v;
}

uint64_t
cli_whole(const char *opt, const char *arg, uint64_t lo, uint64_t hi)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(arg, &end, 10);
	if (arg[0] < '0' || arg[0] > '9' || *end != '\0' || errno != 0 || v < lo || v > hi) {
		char what[80] = "a whole number";
		if (lo > 0 || hi < UINT64_MAX)
			snprintf(what, sizeof what, "a whole number from %llu to %llu",
			    (unsigned long long)lo, (unsigned long long)hi);
		cli_bad_value(opt, what, arg);
	}
	return (uint64_t)v;
}

void
cli_no_operands(int argc, char **argv, int optind_, void (*usage)(FILE *))
{
	if (optind_ >= argc)
		return;
	fprintf(stderr, "%s: unexpected argument '%s'\n", prog, argv[optind_]);
	usage(stderr);
	exit(2);
}

void
cli_version(void)
{
	printf("%s %s\n", prog, RD_VERSION);
}

int
cli_fail(char *cause)
{
	fprintf(stderr, "%s: %s\n", prog, cause);
	free(cause);
	return 1;
}

static void
on_signal(int sig)
{
	(void)sig;
	*stop_flag = 1;
}

void
cli_stop_on_signals(volatile sig_atomic_t *stop)
{
	struct sigaction sa;

	stop_flag = stop;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}
