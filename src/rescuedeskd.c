/* rescuedeskd.c: the dispatch broker's command line. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "broker.h"
#include "civil.h"
#include "data.h"
#include "endpoints.h"
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
	    "  --api ENDPOINT       requests (ROUTER), default " ENDPOINTS_DEFAULT_API "\n"
	    "  --pub ENDPOINT       live updates (PUB), default " ENDPOINTS_DEFAULT_PUB "\n"
	    "  --feed ENDPOINT      suppliers' feed (PULL), default " ENDPOINTS_DEFAULT_FEED "\n"
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

/* --clock-start: an ISO 8601 time with an offset, or ms since the epoch (civil.h). */
static int64_t
clock_start(const char *s)
{
	int64_t t = civil_parse_time(s);

	if (t < 0)
		fatal("--clock-start: expected YYYY-MM-DDTHH:MM:SS with Z or +HH:MM, or "
		    "milliseconds since the epoch, got '%s'", s);
	return t;
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
