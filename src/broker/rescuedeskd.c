/* rescuedeskd.c: the dispatch broker's command line. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "broker.h"
#include "civil.h"
#include "cli.h"
#include "data.h"
#include "endpoints.h"
#include "util.h"

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: rescuedeskd [options]\n"
	    "  --api ENDPOINT       requests (ROUTER), default " ENDPOINTS_DEFAULT_API "\n"
	    "  --pub ENDPOINT       live updates (PUB), default " ENDPOINTS_DEFAULT_PUB "\n"
	    "  --feed ENDPOINT      suppliers' feed (PULL), default " ENDPOINTS_DEFAULT_FEED "\n"
	    "  --db PATH|URI        the store: an SQLite file, default ./rescuedesk.db, or a\n"
	    "                       PostgreSQL database, postgresql://[user@][host][:port]/db\n"
	    "  --data DIR           reference data, default $RESCUEDESK_DATA or %s\n"
	    "  --sync normal|full   durability of commits, default normal\n"
	    "  --time-scale X       run broker time X times faster (simulations), default 1\n"
	    "  --keep-closed MIN    closed tickets stay in snapshots this long, default 120\n"
	    "  --checkpoint-every N events between checkpoints, default 50000\n"
	    "  --clock-start TIME   start broker time here (ISO 8601 with an offset, or ms\n"
	    "                       since the epoch) instead of the wall clock\n"
	    "  --dispatch eta|nearest  automatic dispatch: ranking by ETA (default), or the\n"
	    "                       nearest free truck in a straight line (a baseline)\n"
	    "  --max-memory MIB     drop the api and feed peers when resident memory passes\n"
	    "                       this, default 1024 (0: no limit)\n"
	    "  --tell-command CMD   run CMD (/bin/sh) for each message told a customer, with\n"
	    "                       RD_TELL_PHONE, RD_TELL_TEXT, RD_TELL_TICKET in its\n"
	    "                       environment\n"
	    "  --users FILE         the users file: CURVE on every socket, only its keys\n"
	    "                       connect, each in its role (SIGHUP reloads it)\n"
	    "  --key FILE           the broker's CURVE key file (with --users)\n"
	    "  --keygen FILE        write a new key file (mode 0600), print its public key\n"
	    "  --retention-days N   erase customers' personal data from tickets closed more\n"
	    "                       than N days ago, default 0 (keep it)\n"
	    "  --log FILE           log here instead of stderr\n"
	    "  -v, --verbose        log debug messages\n"
	    "  -q, --quiet          log errors only\n"
	    "  -h, --help           this text\n"
	    "  -V, --version        print the version\n", data_default_dir());
}

/* --clock-start: an ISO 8601 time with an offset, or ms since the epoch (civil.h). */
static int64_t
clock_start(const char *s)
{
	int64_t t = civil_parse_time(s);

	if (t < 0)
		cli_bad_value("--clock-start", "YYYY-MM-DDTHH:MM:SS with Z or +HH:MM, or "
		    "milliseconds since the epoch", s);
	return t;
}

/* --log: the log names tickets and suppliers, so it is created private to its owner,
 * whatever the umask (fopen would give it 0666 less the umask). */
static FILE *
open_log(const char *path)
{
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	struct stat sb;
	FILE *f;

	if (fd < 0)
		return NULL;
	if ((fstat(fd, &sb) == 0 && (sb.st_mode & 077) != 0 && fchmod(fd, sb.st_mode & 0700) != 0) ||
	    (f = fdopen(fd, "a")) == NULL) {
		close(fd);
		return NULL;
	}
	return f;
}

static volatile sig_atomic_t reload;

static void
on_hup(int sig)
{
	(void)sig;
	reload = 1;
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
		{ "max-memory", required_argument, NULL, 'M' },
		{ "tell-command", required_argument, NULL, 'T' },
		{ "users", required_argument, NULL, 'U' },
		{ "key", required_argument, NULL, 'K' },
		{ "keygen", required_argument, NULL, 'G' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "retention-days", required_argument, NULL, 'R' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	static volatile sig_atomic_t stop;
	const char *keygen = NULL;
	struct broker_opts o = { .sync = STORE_SYNC_NORMAL, .time_scale = 1 };
	enum log_level level = LOG_INFO;
	FILE *logf = stderr;
	int c;

	cli_init("rescuedeskd", 1);
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
				cli_bad_value("--sync", "normal or full", optarg);
			break;
		case 't':
			o.time_scale = cli_number("--time-scale", optarg, 1, 100000);
			if (o.time_scale != (double)(long)o.time_scale)
				cli_bad_value("--time-scale", "a whole number", optarg);
			break;
		case 'k': o.keep_closed_min = (int)cli_number("--keep-closed", optarg, 1, 100000); break;
		case 'c':
			o.checkpoint_every = (int64_t)cli_number("--checkpoint-every", optarg, 1, 1e9);
			break;
		case 'C': o.clock_start = clock_start(optarg); break;
		case 'P':
			if (strcmp(optarg, "eta") == 0)
				o.policy = BROKER_POLICY_ETA;
			else if (strcmp(optarg, "nearest") == 0)
				o.policy = BROKER_POLICY_NEAREST;
			else
				cli_bad_value("--dispatch", "eta or nearest", optarg);
			break;
		case 'l':
			if ((logf = open_log(optarg)) == NULL)
				cli_bad_value("--log", "a file it can append to", optarg);
			break;
		case 'M':
			o.max_memory_mb = (int64_t)cli_number("--max-memory", optarg, 0, 1e7);
			if (o.max_memory_mb == 0)
				o.max_memory_mb = -1;
			break;
		case 'T':
			if (optarg[0] == '\0')
				cli_bad_value("--tell-command", "a command", optarg);
			o.tell_command = optarg;
			break;
		case 'U': o.users = optarg; break;
		case 'K': o.key = optarg; break;
		case 'G': keygen = optarg; break;
		case 'R':
			o.retention_days = (int)cli_number("--retention-days", optarg, 0, 36500);
			if (o.retention_days != cli_number("--retention-days", optarg, 0, 36500))
				cli_bad_value("--retention-days", "a whole number of days", optarg);
			break;
		case 'v': level = LOG_DEBUG; break;
		case 'q': level = LOG_ERROR; break;
		case 'h': usage(stdout); return 0;
		case 'V': cli_version(); return 0;
		default: usage(stderr); return 2;
		}
	}
	cli_no_operands(argc, argv, optind, usage);
	if (keygen != NULL) {
		char pub[41], *why = NULL;
		if (broker_keygen(keygen, pub, &why) < 0)
			return cli_fail(why);
		printf("%s\n", pub);
		return 0;
	}
	if ((o.users == NULL) != (o.key == NULL)) {
		fprintf(stderr, "rescuedeskd: --users and --key go together\n");
		usage(stderr);
		return 2;
	}
	log_set(logf, level);
	cli_stop_on_signals(&stop);
	o.reload = &reload;
	struct sigaction sa = { .sa_handler = on_hup };
	sigemptyset(&sa.sa_mask);
	sigaction(SIGHUP, &sa, NULL); /* no SA_RESTART: the loop's poll wakes up */

	char *cause = NULL;
	struct broker *b = broker_create(NULL, &o, &cause);
	if (b == NULL)
		return cli_fail(cause);
	int rc = broker_run(b, &stop);
	log_info("shutting down");
	broker_destroy(b);
	return rc;
}
