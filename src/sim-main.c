/* sim-main.c: rescuedesk-sim(1), the command line around sim.h. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "endpoints.h"
#include "sim.h"
#include "util.h"

#define MAX_REGIONS 64

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
	    "usage: rescuedesk-sim [-qv] [--api EP] [--pub EP] [--feed EP] [--data DIR]\n"
	    "                      [--seed N] [--speed X] [--requests N] [--rate R]\n"
	    "                      [--region ID]... [--duration SECONDS] [--gps-dropout P]\n"
	    "                      [--stall P] [--detour P] [--decline P]\n"
	    "\n"
	    "Play customers and suppliers' rescue trucks against rescuedeskd.\n"
	    "\n"
	    "  --api EP          broker requests (default %s)\n"
	    "  --pub EP          broker updates (default %s)\n"
	    "  --feed EP         supplier feed (default %s)\n"
	    "  --data DIR        reference data (default $RESCUEDESK_DATA or the installed data)\n"
	    "  --seed N          random seed: same seed, same calls (default 1)\n"
	    "  --speed X         simulated seconds per real second; must equal the broker's\n"
	    "                    --time-scale (default: the broker's)\n"
	    "  --requests N      create N intakes, wait until all are closed, then exit\n"
	    "  --rate R          R calls per hour in all, flat (default: calls_per_day by hour)\n"
	    "  --region ID       simulate this region (repeatable; default all)\n"
	    "  --duration S      stop after S simulated seconds\n"
	    "  --gps-dropout P   share of jobs whose GPS fixes stop for 5-15 min\n"
	    "  --stall P         share of jobs whose truck stops 8-20 min en route\n"
	    "  --detour P        share of jobs driven on a path 1.5-2x longer\n"
	    "  --decline P       share of offers declined (default: each supplier's accept_rate)\n"
	    "  -q, --quiet       log errors only\n"
	    "  -v, --verbose     log every call and every supplier answer\n"
	    "  -h, --help        this text\n"
	    "  -V, --version     the version\n",
	    ENDPOINTS_DEFAULT_API, ENDPOINTS_DEFAULT_PUB, ENDPOINTS_DEFAULT_FEED);
}

static void
bad(const char *opt, const char *arg, const char *why)
{
	fprintf(stderr, "rescuedesk-sim: %s '%s': %s\n", opt, arg, why);
	exit(2);
}

static double
num(const char *opt, const char *arg, double lo, double hi)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(arg, &end);
	if (end == arg || *end != '\0' || errno != 0 || !isfinite(v))
		bad(opt, arg, "not a number");
	if (v < lo || v > hi) {
		char why[80];
		snprintf(why, sizeof why, "must be between %g and %g", lo, hi);
		bad(opt, arg, why);
	}
	return v;
}

static uint64_t
unum(const char *opt, const char *arg)
{
	char *end;
	unsigned long long v;

	errno = 0;
	if (arg[0] == '-')
		bad(opt, arg, "must not be negative");
	v = strtoull(arg, &end, 10);
	if (end == arg || *end != '\0' || errno != 0)
		bad(opt, arg, "not a whole number");
	return (uint64_t)v;
}

static void
print_summary(const struct sim_summary *m, long requests)
{
	printf("rescuedesk-sim: %" PRIu64 " intakes created, %" PRIu64 " completed, %" PRIu64
	    " cancelled, %" PRIu64 " resolved remotely, %" PRIu64 " open",
	    m->created, m->completed, m->cancelled, m->resolved_remote, m->open);
	if (m->failed > 0)
		printf(", %" PRIu64 " refused", m->failed);
	if (requests > 0)
		printf(" (of %ld requested)", requests);
	printf("\n");
	printf("  offers: %" PRIu64 ", %" PRIu64 " accepted, %" PRIu64 " declined (%" PRIu64
	    " after no answer); %" PRIu64 " cancelled by the customer\n", m->offers, m->accepted,
	    m->declined, m->unanswered, m->customer_cancels);
	if (m->responses > 0)
		printf("  response (created to on scene): mean %.1f min, p90 %.1f min, "
		    "%.0f%% within promise (%zu on scene)\n", m->mean_response_min,
		    m->p90_response_min, 100.0 * m->within_promise, m->responses);
	else
		printf("  response (created to on scene): no truck on scene yet\n");
	printf("  simulated %.1f h at x%g; %" PRIu64 " GPS fixes", m->sim_elapsed_s / 3600.0,
	    m->time_scale, m->fixes);
	if (m->stalls + m->dropouts + m->detours > 0)
		printf("; injected %" PRIu64 " stalls, %" PRIu64 " GPS dropouts, %" PRIu64
		    " detours", m->stalls, m->dropouts, m->detours);
	if (m->feed_dropped > 0)
		printf("; %" PRIu64 " feed messages dropped", m->feed_dropped);
	printf("\n");
}

int
main(int argc, char **argv)
{
	enum { O_API = 256, O_PUB, O_FEED, O_DATA, O_SEED, O_SPEED, O_REQUESTS, O_RATE,
		O_REGION, O_DURATION, O_DROPOUT, O_STALL, O_DETOUR, O_DECLINE };
	static const struct option longopts[] = {
		{ "api", required_argument, NULL, O_API },
		{ "pub", required_argument, NULL, O_PUB },
		{ "feed", required_argument, NULL, O_FEED },
		{ "data", required_argument, NULL, O_DATA },
		{ "seed", required_argument, NULL, O_SEED },
		{ "speed", required_argument, NULL, O_SPEED },
		{ "requests", required_argument, NULL, O_REQUESTS },
		{ "rate", required_argument, NULL, O_RATE },
		{ "region", required_argument, NULL, O_REGION },
		{ "duration", required_argument, NULL, O_DURATION },
		{ "gps-dropout", required_argument, NULL, O_DROPOUT },
		{ "stall", required_argument, NULL, O_STALL },
		{ "detour", required_argument, NULL, O_DETOUR },
		{ "decline", required_argument, NULL, O_DECLINE },
		{ "quiet", no_argument, NULL, 'q' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	const char *regions[MAX_REGIONS];
	size_t n_regions = 0;
	struct sim_opts o;
	struct sim_summary m;
	struct sigaction sa;
	struct sim *s;
	char *cause = NULL;
	int c, verbose = 0, quiet = 0, rc;
	uint64_t requests;

	sim_opts_init(&o);
	while ((c = getopt_long(argc, argv, "qvhV", longopts, NULL)) != -1) {
		switch (c) {
		case O_API:
			o.api = optarg;
			break;
		case O_PUB:
			o.pub = optarg;
			break;
		case O_FEED:
			o.feed = optarg;
			break;
		case O_DATA:
			o.data_dir = optarg;
			break;
		case O_SEED:
			o.seed = unum("--seed", optarg);
			break;
		case O_SPEED:
			o.speed = num("--speed", optarg, 1, 100000);
			break;
		case O_REQUESTS:
			requests = unum("--requests", optarg);
			if (requests < 1 || requests > 1000000)
				bad("--requests", optarg, "must be between 1 and 1000000");
			o.requests = (long)requests;
			break;
		case O_RATE:
			o.rate = num("--rate", optarg, 0.001, 1e6);
			break;
		case O_REGION:
			if (n_regions == MAX_REGIONS)
				bad("--region", optarg, "too many regions");
			regions[n_regions++] = optarg;
			break;
		case O_DURATION:
			o.duration_s = num("--duration", optarg, 1, 1e9);
			break;
		case O_DROPOUT:
			o.gps_dropout = num("--gps-dropout", optarg, 0, 1);
			break;
		case O_STALL:
			o.stall = num("--stall", optarg, 0, 1);
			break;
		case O_DETOUR:
			o.detour = num("--detour", optarg, 0, 1);
			break;
		case O_DECLINE:
			o.decline = num("--decline", optarg, 0, 1);
			break;
		case 'q':
			quiet = 1;
			break;
		case 'v':
			verbose++;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("rescuedesk-sim %s\n", RD_VERSION);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "rescuedesk-sim: unexpected argument '%s'\n", argv[optind]);
		usage(stderr);
		return 2;
	}
	o.regions = regions;
	o.n_regions = n_regions;
	log_set(stderr, quiet ? LOG_ERROR : verbose > 0 ? LOG_DEBUG : LOG_INFO);

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	if ((s = sim_create(NULL, &o, &cause)) == NULL) {
		fprintf(stderr, "rescuedesk-sim: %s\n", cause);
		free(cause);
		return 1;
	}
	rc = sim_run(s, &stop);
	sim_summary(s, &m);
	print_summary(&m, o.requests);
	if (o.requests > 0 && !m.finished)
		rc = 1;
	sim_destroy(s);
	return rc;
}
