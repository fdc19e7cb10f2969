/* sim-main.c: rescuedesk-sim(1), the command line around sim.h. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "curve.h"
#include "endpoints.h"
#include "keyfile.h"
#include "sim.h"
#include "util.h"

#define MAX_REGIONS 64

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: rescuedesk-sim [-qv] [--api EP] [--pub EP] [--feed EP] [--data DIR]\n"
	    "                      [--seed N] [--speed X] [--requests N] [--rate R]\n"
	    "                      [--region ID]... [--duration SECONDS] [--gps-dropout P]\n"
	    "                      [--stall P] [--detour P] [--decline P] [--diagnose]\n"
	    "                      [--inject KIND:CALL[,...]]...\n"
	    "                      [--key FILE --server-key KEY]\n"
	    "       rescuedesk-sim --keygen FILE\n"
	    "\n"
	    "Play customers and suppliers' rescue trucks against rescuedeskd.\n"
	    "\n"
	    "  --api EP[,..]     broker requests (default %s); a list: a broker group\n"
	    "  --pub EP[,..]     broker updates (default %s), in the order of --api's\n"
	    "  --feed EP[,..]    supplier feed (default %s), in the order of --api's\n"
	    "  --data DIR        reference data (default $RESCUEDESK_DATA or the installed data)\n"
	    "  --key FILE        CURVE: our key file (default $RESCUEDESK_KEY); with it\n"
	    "  --server-key KEY  the broker's public key, Z85 or @FILE (default\n"
	    "                    $RESCUEDESK_SERVER_KEY)\n"
	    "  --keygen FILE     write a new key file (mode 0600), print its public key, exit\n"
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
	    "  --diagnose        play the specialist: diagnose our calls whose fault has a flow\n"
	    "  --inject K:N,...  force fault K (stall, detour, gpsloss) on the trip to call N\n"
	    "  -q, --quiet       log errors only\n"
	    "  -v, --verbose     log every call and every supplier answer\n"
	    "  -h, --help        this text\n"
	    "  -V, --version     the version\n",
	    ENDPOINTS_DEFAULT_API, ENDPOINTS_DEFAULT_PUB, ENDPOINTS_DEFAULT_FEED);
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
	if (m->told > 0 || m->late > 0)
		printf("  customers told: %" PRIu64 " messages, %" PRIu64 " of them delays; %"
		    PRIu64 " trucks came after the promise, %" PRIu64 " of those customers told "
		    "of the delay first\n", m->told, m->told_delay, m->late, m->late_told);
	if (m->diag_sessions > 0) {
		uint64_t closed = m->completed + m->resolved_remote;
		printf("  diagnosis: %" PRIu64 " sessions, %" PRIu64 " answers, %" PRIu64
		    " safety stops, %" PRIu64 " dispatched at once; solved by phone %.1f%% of "
		    "closed calls (not cancelled)\n", m->diag_sessions, m->diag_answers,
		    m->diag_stops, m->diag_dispatch_now,
		    closed > 0 ? 100.0 * (double)m->resolved_remote / (double)closed : 0.0);
	}
}

int
main(int argc, char **argv)
{
	enum { O_API = 256, O_PUB, O_FEED, O_DATA, O_SEED, O_SPEED, O_REQUESTS, O_RATE,
		O_REGION, O_DURATION, O_DROPOUT, O_STALL, O_DETOUR, O_DECLINE, O_DIAGNOSE, O_INJECT,
		O_KEY, O_SERVER_KEY, O_KEYGEN };
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
		{ "diagnose", no_argument, NULL, O_DIAGNOSE },
		{ "inject", required_argument, NULL, O_INJECT },
		{ "key", required_argument, NULL, O_KEY },
		{ "server-key", required_argument, NULL, O_SERVER_KEY },
		{ "keygen", required_argument, NULL, O_KEYGEN },
		{ "quiet", no_argument, NULL, 'q' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	static volatile sig_atomic_t stop;
	const char *regions[MAX_REGIONS];
	size_t n_regions = 0;
	struct sim_opts o;
	struct sim_summary m;
	struct sim *s;
	struct curve_keys keys;
	const char *key = NULL, *server_key = NULL, *keygen = NULL;
	char *cause = NULL;
	int c, verbose = 0, quiet = 0, rc;

	cli_init("rescuedesk-sim", 2);
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
			o.seed = cli_whole("--seed", optarg, 0, UINT64_MAX);
			break;
		case O_SPEED:
			o.speed = cli_number("--speed", optarg, 1, 100000);
			break;
		case O_REQUESTS:
			o.requests = (long)cli_whole("--requests", optarg, 1, 1000000);
			break;
		case O_RATE:
			o.rate = cli_number("--rate", optarg, 0.001, 1e6);
			break;
		case O_REGION:
			if (n_regions == MAX_REGIONS)
				cli_bad_value("--region", "at most 64 regions", optarg);
			regions[n_regions++] = optarg;
			break;
		case O_DURATION:
			o.duration_s = cli_number("--duration", optarg, 1, 1e9);
			break;
		case O_DROPOUT:
			o.gps_dropout = cli_number("--gps-dropout", optarg, 0, 1);
			break;
		case O_STALL:
			o.stall = cli_number("--stall", optarg, 0, 1);
			break;
		case O_DETOUR:
			o.detour = cli_number("--detour", optarg, 0, 1);
			break;
		case O_DECLINE:
			o.decline = cli_number("--decline", optarg, 0, 1);
			break;
		case O_DIAGNOSE:
			o.diagnose = true;
			break;
		case O_INJECT:
			if (sim_world_inject_parse(optarg, o.inject, &o.n_inject, &cause) != 0)
				cli_bad_value("--inject", cause, optarg); /* exits: cause not freed */
			break;
		case O_KEY:
			key = optarg;
			break;
		case O_SERVER_KEY:
			server_key = optarg;
			break;
		case O_KEYGEN:
			keygen = optarg;
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
			cli_version();
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	cli_no_operands(argc, argv, optind, usage);
	if (keygen != NULL) {
		char pub[CURVE_Z85_LEN + 1];

		if (curve_keygen(keygen, keyfile_write, pub, &cause) < 0)
			return cli_fail(cause);
		printf("%s\n", pub);
		return 0;
	}
	if ((rc = curve_keys_load(&keys, key, server_key, keyfile_read, &cause)) == -2) {
		fprintf(stderr, "rescuedesk-sim: %s\n", cause);
		free(cause);
		usage(stderr);
		return 2;
	}
	if (rc < 0)
		return cli_fail(cause);
	o.curve = &keys;
	o.regions = regions;
	o.n_regions = n_regions;
	log_set(stderr, quiet ? LOG_ERROR : verbose > 0 ? LOG_DEBUG : LOG_INFO);

	cli_stop_on_signals(&stop);

	if ((s = sim_create(NULL, &o, &cause)) == NULL)
		return cli_fail(cause);
	rc = sim_run(s, &stop);
	sim_summary(s, &m);
	print_summary(&m, o.requests);
	if (o.requests > 0 && !m.finished)
		rc = 1;
	sim_destroy(s);
	return rc;
}
