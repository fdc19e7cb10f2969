/* rescuedeskd.c: the dispatch broker's command line. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "broker.h"
#include "data.h"
#include "util.h"

static volatile sig_atomic_t stop;

static void
on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: rescuedeskd [options]\n"
	    "  --api ENDPOINT       requests (ROUTER), default " BROKER_DEFAULT_API "\n"
	    "  --pub ENDPOINT       live updates (PUB), default " BROKER_DEFAULT_PUB "\n"
	    "  --feed ENDPOINT      suppliers' feed (PULL), default " BROKER_DEFAULT_FEED "\n"
	    "  --db PATH            SQLite store, default ./rescuedesk.db\n"
	    "  --data DIR           reference data, default $RESCUEDESK_DATA or %s\n"
	    "  --sync normal|full   durability of commits, default normal\n"
	    "  --time-scale X       run broker time X times faster (simulations), default 1\n"
	    "  --keep-closed MIN    closed tickets stay in snapshots this long, default 120\n"
	    "  --checkpoint-every N events between checkpoints, default 50000\n"
	    "  --clock-start TIME   start broker time here (ISO 8601 with an offset, or ms\n"
	    "                       since the epoch) instead of the wall clock\n"
	    "  --dispatch eta|nearest  automatic dispatch: ranking by ETA (default), or the\n"
	    "                       nearest free truck in a straight line (a baseline)\n"
	    "  --log FILE           log here instead of stderr\n"
	    "  -v, --verbose        log debug messages\n"
	    "  -q, --quiet          log errors only\n"
	    "  -h, --help           this text\n"
	    "  -V, --version        print the version\n", data_default_dir());
}

static double
number(const char *opt, const char *s, double lo, double hi)
{
	char *end;
	double v = strtod(s, &end);
	if (end == s || *end != '\0' || v < lo || v > hi)
		fatal("%s: expected a number from %g to %g, got '%s'", opt, lo, hi, s);
	return v;
}

/* Days since 1970-01-01 of a date of the proleptic Gregorian calendar. */
static int64_t
days_from_civil(int64_t y, int m, int d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* --clock-start: "YYYY-MM-DDTHH:MM[:SS](Z|+HH:MM|-HH:MM)" or a whole number of ms since the
 * epoch, > 0. */
static int64_t
clock_start(const char *s)
{
	int y, mo, d, h, mi, sec = 0, oh = 0, om = 0, n = 0;
	const char *p;
	char *end;
	int64_t t;

	errno = 0;
	long long ms = strtoll(s, &end, 10);
	if (end != s && *end == '\0') {
		if (errno != 0 || ms <= 0)
			fatal("--clock-start: expected a time after 1970, got '%s'", s);
		return (int64_t)ms;
	}
	if (sscanf(s, "%4d-%2d-%2dT%2d:%2d%n", &y, &mo, &d, &h, &mi, &n) != 5)
		goto bad;
	p = s + n;
	if (*p == ':') {
		if (sscanf(p, ":%2d%n", &sec, &n) != 1)
			goto bad;
		p += n;
	}
	if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > 31 || h < 0 || h > 23 || mi < 0 ||
	    mi > 59 || sec < 0 || sec > 59)
		goto bad;
	t = ((days_from_civil(y, mo, d) * 24 + h) * 60 + mi) * 60 + sec;
	if (*p == 'Z' && p[1] == '\0')
		return t * 1000;
	if ((*p != '+' && *p != '-') || sscanf(p + 1, "%2d:%2d%n", &oh, &om, &n) != 2 ||
	    p[1 + n] != '\0' || oh < 0 || oh > 14 || om < 0 || om > 59)
		goto bad;
	t -= (*p == '+' ? 1 : -1) * (int64_t)(oh * 60 + om) * 60;
	if (t <= 0)
		goto bad;
	return t * 1000;
bad:
	fatal("--clock-start: expected YYYY-MM-DDTHH:MM:SS with Z or +HH:MM, or milliseconds "
	    "since the epoch, got '%s'", s);
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "api", required_argument, NULL, 'a' },
		{ "pub", required_argument, NULL, 'p' },
		{ "feed", required_argument, NULL, 'f' },
		{ "db", required_argument, NULL, 'd' },
		{ "data", required_argument, NULL, 'D' },
		{ "sync", required_argument, NULL, 's' },
		{ "time-scale", required_argument, NULL, 't' },
		{ "keep-closed", required_argument, NULL, 'k' },
		{ "checkpoint-every", required_argument, NULL, 'c' },
		{ "clock-start", required_argument, NULL, 'C' },
		{ "dispatch", required_argument, NULL, 'P' },
		{ "log", required_argument, NULL, 'l' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct broker_opts o = { .sync = STORE_SYNC_NORMAL, .time_scale = 1 };
	enum log_level level = LOG_INFO;
	FILE *logf = stderr;
	int c;

	while ((c = getopt_long(argc, argv, "vqhV", longopts, NULL)) != -1) {
		switch (c) {
		case 'a': o.api = optarg; break;
		case 'p': o.pub = optarg; break;
		case 'f': o.feed = optarg; break;
		case 'd': o.db = optarg; break;
		case 'D': o.data_dir = optarg; break;
		case 's':
			if (strcmp(optarg, "normal") == 0)
				o.sync = STORE_SYNC_NORMAL;
			else if (strcmp(optarg, "full") == 0)
				o.sync = STORE_SYNC_FULL;
			else
				fatal("--sync: expected normal or full, got '%s'", optarg);
			break;
		case 't':
			o.time_scale = number("--time-scale", optarg, 1, 100000);
			if (o.time_scale != (double)(long)o.time_scale)
				fatal("--time-scale: expected a whole number, got '%s'", optarg);
			break;
		case 'k': o.keep_closed_min = (int)number("--keep-closed", optarg, 1, 100000); break;
		case 'c': o.checkpoint_every = (int64_t)number("--checkpoint-every", optarg, 1, 1e9); break;
		case 'C': o.clock_start = clock_start(optarg); break;
		case 'P':
			if (strcmp(optarg, "eta") == 0)
				o.policy = BROKER_POLICY_ETA;
			else if (strcmp(optarg, "nearest") == 0)
				o.policy = BROKER_POLICY_NEAREST;
			else
				fatal("--dispatch: expected eta or nearest, got '%s'", optarg);
			break;
		case 'l':
			if ((logf = fopen(optarg, "a")) == NULL)
				fatal("--log %s: cannot open", optarg);
			break;
		case 'v': level = LOG_DEBUG; break;
		case 'q': level = LOG_ERROR; break;
		case 'h': usage(stdout); return 0;
		case 'V': printf("rescuedeskd %s\n", RD_VERSION); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "rescuedeskd: unexpected argument '%s'\n", argv[optind]);
		usage(stderr);
		return 2;
	}
	log_set(logf, level);

	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	char *cause = NULL;
	struct broker *b = broker_create(NULL, &o, &cause);
	if (b == NULL) {
		fprintf(stderr, "rescuedeskd: %s\n", cause);
		free(cause);
		return 1;
	}
	int rc = broker_run(b, &stop);
	log_info("shutting down");
	broker_destroy(b);
	return rc;
}
