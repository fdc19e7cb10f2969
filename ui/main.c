/* main.c: rescuedesk, the console's command line. */
#include <fcntl.h>
#include <getopt.h>
#include <langinfo.h>
#include <locale.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "app.h"
#include "call.h"
#include "cli.h"
#include "complaint-csv.h"
#include "curve.h"
#include "data.h"
#include "endpoints.h"
#include "flow.h"
#include "keyfile.h"
#include "model.h"
#include "proto.h"
#include "report.h"
#include "term.h"
#include "theme.h"
#include "track.h"
#include "util.h"

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: rescuedesk [options]\n"
	    "       rescuedesk --check-flows [DIR]\n"
	    "       rescuedesk --export-complaints FILE [--from DATE] [--to DATE] [--bom]\n"
	    "       rescuedesk --report KIND --from DATE --to DATE [--csv FILE]\n"
	    "       rescuedesk --keygen FILE\n"
	    "  --demo               run a broker and a simulator inside the console\n"
	    "  --demo-speed X       demo: simulated time runs X times faster (default 30)\n"
	    "  --demo-rate N        demo: calls per simulated hour (default 45)\n"
	    "  --demo-seed N        demo: simulator seed (default: from the clock)\n"
	    "  --demo-people-diagnose  demo: the simulator leaves diagnoses to people\n"
	    "  --api ENDPOINT[,..]  broker requests, default " ENDPOINTS_DEFAULT_API "\n"
	    "                       (a list: the brokers of a group, followed to the leader)\n"
	    "  --pub ENDPOINT[,..]  broker updates, default " ENDPOINTS_DEFAULT_PUB "\n"
	    "                       (a list: in the order of --api's)\n"
	    "  --key FILE           CURVE: your key file (default $RESCUEDESK_KEY); with it\n"
	    "  --server-key KEY     the broker's public key, Z85 or @FILE (default\n"
	    "                       $RESCUEDESK_SERVER_KEY)\n"
	    "  --keygen FILE        write a new key file (mode 0600), print its public key, exit\n"
	    "  --user NAME          who you are (default: your login name; a broker with keys\n"
	    "                       names you by your key)\n"
	    "  --role ROLE          agent, supervisor or specialist (default agent; a broker\n"
	    "                       with keys gives your key's role)\n"
	    "  --lang LANG          en or zh_CN (default: from the locale)\n"
	    "  --data DIR           reference data, default $RESCUEDESK_DATA or %s\n"
	    "  --mono               no colours (also when NO_COLOR is set)\n"
	    "  --theme THEME        dark or light: the terminal's background (default dark)\n"
	    "  --bell HOW           on a warning newly red: none, bell or flash (default bell)\n"
	    "  --no-mouse           leave the mouse to the terminal (no click or wheel)\n"
	    "  --dial-command CMD   run CMD to call a virtual number (%%n: the number;\n"
	    "                       default: $RESCUEDESK_DIAL; none: dial by hand)\n"
	    "  --check-flows [DIR]  validate the diagnosis flows in DIR (default: the data\n"
	    "                       directory's diagnosis/) against DIR/../faults.ini, and exit\n"
	    "  --export-complaints FILE  write your complaints as CSV to FILE (- for standard\n"
	    "                       output), and exit; --from and --to (YYYY-MM-DD, China time,\n"
	    "                       both days included) choose by the day received, --bom\n"
	    "                       starts the file with a UTF-8 byte order mark\n"
	    "  --report KIND        ask the broker (--api) for a report: responses, suppliers,\n"
	    "                       agents, phone, complaints or nps, of --from to --to (both\n"
	    "                       days included, China time); print a table, or with\n"
	    "                       --csv FILE write CSV (- for standard output); and exit\n"
	    "  -v, --verbose        log to a file (see --log)\n"
	    "  --log FILE           log file, default $XDG_STATE_HOME/rescuedesk/client-PID.log\n"
	    "  -h, --help           this text\n"
	    "  -V, --version        print the version\n", data_default_dir());
}

/* --check-flows: every error on stderr and exit 1, or a one-line summary and exit 0. The
 * faults.ini checked against is the one in DIR's parent (the data directory). */
static int
check_flows(const char *dir, const char *data_dir)
{
	struct flow_errors errs = { NULL, 0 };
	struct flow_set *set;
	char *own = NULL, *parent, *faults, *slash;
	size_t i, len;

	if (dir == NULL) {
		xasprintf(&own, "%s/diagnosis", data_dir != NULL ? data_dir : data_default_dir());
		dir = own;
	}
	parent = xstrdup(dir);
	len = strlen(parent);
	while (len > 1 && parent[len - 1] == '/')
		parent[--len] = '\0';
	if ((slash = strrchr(parent, '/')) == NULL) {
		free(parent);
		parent = xstrdup(".");
	} else if (slash == parent)
		slash[1] = '\0';
	else
		*slash = '\0';
	xasprintf(&faults, "%s/faults.ini", parent);
	set = flow_set_load(dir, faults, &errs);
	for (i = 0; i < errs.n; i++)
		fprintf(stderr, "%s\n", errs.v[i].msg);
	if (set != NULL)
		printf("%s: flows %zu, nodes %zu, outcomes %zu, safety stops %zu: no errors\n",
		    dir, set->n_flows, set->n_nodes, set->n_outcomes, set->n_stops);
	else
		fprintf(stderr, "%s: %zu error%s\n", dir, errs.n, errs.n == 1 ? "" : "s");
	flow_errors_free(&errs);
	flow_set_free(set);
	free(faults);
	free(parent);
	free(own);
	return set != NULL ? 0 : 1;
}

/* A --from or --to date: the start of that day in China time. */
static int64_t
export_date(const char *opt, const char *arg)
{
	int64_t t = strlen(arg) == 10 ? complaint_time_parse(arg) : -1;
	if (t < 0)
		cli_bad_value(opt, "a date YYYY-MM-DD", arg);
	return t;
}

/* --export-complaints: the user's local store as CSV; a summary on stderr. */
static int
export_complaints(const char *file, const char *user, const char *data_dir, int64_t from,
    int64_t to, bool bom)
{
	char *cause = NULL, *path;
	struct complaint_data *d = data_complaints_load(data_dir, &cause);
	struct complaint_store *st = NULL;
	size_t n = 0;
	int rc = 1;

	if (d != NULL && (path = complaint_store_path(user, &cause)) != NULL) {
		st = complaint_store_open(path, user, &cause);
		free(path);
	}
	if (st != NULL && complaint_csv_export(st, d, file, from, to, bom, rd_now_ms(), &n,
	    &cause) == 0) {
		fprintf(stderr, "rescuedesk: %zu complaint%s written to %s\n", n, n == 1 ? "" : "s",
		    strcmp(file, "-") == 0 ? "standard output" : file);
		rc = 0;
	}
	complaint_store_close(st);
	complaint_data_free(d);
	return rc == 0 ? 0 : cli_fail(cause);
}

static FILE *
open_log(const char *path)
{
	char buf[512];
	if (path == NULL) {
		const char *state = getenv("XDG_STATE_HOME");
		const char *home = getenv("HOME");
		char dir[400];
		if (state && *state)
			snprintf(dir, sizeof dir, "%s/rescuedesk", state);
		else
			snprintf(dir, sizeof dir, "%s/.local/state/rescuedesk", home ? home : "/tmp");
		char parent[400];
		snprintf(parent, sizeof parent, "%s", dir);
		char *slash = strrchr(parent, '/');
		if (slash) {
			*slash = '\0';
			mkdir(parent, 0700);
		}
		mkdir(dir, 0700);
		snprintf(buf, sizeof buf, "%s/client-%ld.log", dir, (long)getpid());
		path = buf;
	}
	/* private to its owner whatever the umask, an existing log made so too: debug lines
	 * name users and tickets */
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	FILE *f = fd >= 0 && fchmod(fd, 0600) == 0 ? fdopen(fd, "a") : NULL;
	if (f == NULL)
		fatal("cannot open log file %s", path);
	return f;
}

/* Whether the user's locale is UTF-8: its codeset, or its name when it is not installed
 * (setlocale then gave C, yet LANG=zh_CN.UTF-8 says the terminal shows UTF-8). */
static bool
locale_utf8(void)
{
	static const char *vars[] = { "LC_ALL", "LC_CTYPE", "LANG" };
	const char *v = NULL, *dot;

	if (strcmp(nl_langinfo(CODESET), "UTF-8") == 0)
		return true;
	for (size_t i = 0; i < ARRAY_LEN(vars) && (v == NULL || *v == '\0'); i++)
		v = getenv(vars[i]);
	dot = v != NULL ? strchr(v, '.') : NULL;
	return dot != NULL && (strncmp(dot + 1, "UTF-8", 5) == 0 ||
	    strncmp(dot + 1, "utf-8", 5) == 0 || strncmp(dot + 1, "utf8", 4) == 0 ||
	    strncmp(dot + 1, "UTF8", 4) == 0);
}

int
main(int argc, char **argv)
{
	enum { O_DEMO = 256, O_SPEED, O_RATE, O_SEED, O_PEOPLE, O_API, O_PUB, O_USER, O_ROLE, O_LANG, O_DATA,
		O_MONO, O_LOG, O_CHECK_FLOWS, O_THEME, O_BELL, O_NO_MOUSE, O_EXPORT, O_FROM, O_TO,
		O_BOM, O_DIAL, O_REPORT, O_CSV, O_KEY, O_SERVER_KEY, O_KEYGEN };
	static const struct option longopts[] = {
		{ "demo", no_argument, NULL, O_DEMO },
		{ "demo-speed", required_argument, NULL, O_SPEED },
		{ "demo-rate", required_argument, NULL, O_RATE },
		{ "demo-seed", required_argument, NULL, O_SEED },
		{ "demo-people-diagnose", no_argument, NULL, O_PEOPLE },
		{ "api", required_argument, NULL, O_API },
		{ "pub", required_argument, NULL, O_PUB },
		{ "user", required_argument, NULL, O_USER },
		{ "role", required_argument, NULL, O_ROLE },
		{ "lang", required_argument, NULL, O_LANG },
		{ "data", required_argument, NULL, O_DATA },
		{ "mono", no_argument, NULL, O_MONO },
		{ "theme", required_argument, NULL, O_THEME },
		{ "bell", required_argument, NULL, O_BELL },
		{ "no-mouse", no_argument, NULL, O_NO_MOUSE },
		{ "log", required_argument, NULL, O_LOG },
		{ "check-flows", no_argument, NULL, O_CHECK_FLOWS },
		{ "export-complaints", required_argument, NULL, O_EXPORT },
		{ "from", required_argument, NULL, O_FROM },
		{ "to", required_argument, NULL, O_TO },
		{ "bom", no_argument, NULL, O_BOM },
		{ "dial-command", required_argument, NULL, O_DIAL },
		{ "report", required_argument, NULL, O_REPORT },
		{ "csv", required_argument, NULL, O_CSV },
		{ "key", required_argument, NULL, O_KEY },
		{ "server-key", required_argument, NULL, O_SERVER_KEY },
		{ "keygen", required_argument, NULL, O_KEYGEN },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct app_opts o = { .role = "agent", .theme = THEME_DARK, .bell = TERM_BELL_AUDIBLE };
	const char *logpath = NULL;
	bool verbose = false, flows = false, bom = false;
	const char *export = NULL, *from = NULL, *to = NULL, *dial = NULL;
	const char *report = NULL, *csv = NULL;
	const char *key = NULL, *server_key = NULL, *keygen = NULL;
	struct curve_keys keys;
	char *cause = NULL;
	int c, rc;

	cli_init("rescuedesk", 2);
	setlocale(LC_ALL, "");
	/* the plots' glyphs follow what the user's own locale and terminal can show */
	track_set_glyphs(plot_glyphs_for(locale_utf8(), getenv("TERM")));
	/* Widths, Chinese text and the line-drawing characters need UTF-8. Terminals are
	 * UTF-8 nearly everywhere now; when the locale is not, take C.UTF-8 for the
	 * character type only (messages still follow the locale or --lang). */
	if (strcmp(nl_langinfo(CODESET), "UTF-8") != 0 && setlocale(LC_CTYPE, "C.UTF-8") == NULL) {
		fprintf(stderr, "rescuedesk: needs a UTF-8 locale; set LANG=C.UTF-8 (or another "
		    "UTF-8 locale) and try again\n");
		return 1;
	}
	while ((c = getopt_long(argc, argv, "vhV", longopts, NULL)) != -1) {
		switch (c) {
		case O_DEMO: o.demo = true; break;
		case O_SPEED: o.demo_speed = cli_number("--demo-speed", optarg, 1, 10000); break;
		case O_RATE: o.demo_rate = cli_number("--demo-rate", optarg, 1, 100000); break;
		case O_SEED: o.demo_seed = (unsigned long)cli_number("--demo-seed", optarg, 0, 4e9); break;
		case O_PEOPLE: o.demo_people_diagnose = true; break;
		case O_API: o.api = optarg; break;
		case O_PUB: o.pub = optarg; break;
		case O_USER: o.user = optarg; break;
		case O_ROLE:
			if (model_role_parse(optarg) < 0 ||
			    model_role_parse(optarg) > MODEL_ROLE_CONSOLE)
				cli_bad_value("--role", "agent, supervisor or specialist", optarg);
			o.role = optarg;
			break;
		case O_LANG: o.lang = optarg; break;
		case O_DATA: o.data_dir = optarg; break;
		case O_MONO: o.mono = true; break;
		case O_THEME:
			if ((o.theme = theme_variant_parse(optarg)) < 0)
				cli_bad_value("--theme", "dark or light", optarg);
			break;
		case O_BELL:
			if ((o.bell = term_bell_parse(optarg)) < 0)
				cli_bad_value("--bell", "none, bell or flash", optarg);
			break;
		case O_NO_MOUSE: o.no_mouse = true; break;
		case O_LOG: logpath = optarg; verbose = true; break;
		case O_CHECK_FLOWS: flows = true; break;
		case O_EXPORT: export = optarg; break;
		case O_FROM: from = optarg; break;
		case O_TO: to = optarg; break;
		case O_BOM: bom = true; break;
		case O_DIAL: dial = optarg; break;
		case O_REPORT: report = optarg; break;
		case O_CSV: csv = optarg; break;
		case O_KEY: key = optarg; break;
		case O_SERVER_KEY: server_key = optarg; break;
		case O_KEYGEN: keygen = optarg; break;
		case 'v': verbose = true; break;
		case 'h': usage(stdout); return 0;
		case 'V': cli_version(); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (flows) {
		const char *dir = optind < argc ? argv[optind++] : NULL;

		cli_no_operands(argc, argv, optind, usage);
		return check_flows(dir, o.data_dir);
	}
	cli_no_operands(argc, argv, optind, usage);
	if (keygen != NULL) {
		char pub[CURVE_Z85_LEN + 1];

		if (curve_keygen(keygen, keyfile_write, pub, &cause) < 0)
			return cli_fail(cause);
		printf("%s\n", pub);
		return 0;
	}
	if (csv != NULL && report == NULL) {
		fprintf(stderr, "rescuedesk: --csv goes with --report\n");
		usage(stderr);
		return 2;
	}
	if (export == NULL && report == NULL && (from != NULL || to != NULL || bom)) {
		fprintf(stderr, "rescuedesk: --from, --to and --bom go with --export-complaints\n");
		usage(stderr);
		return 2;
	}
	if (o.user == NULL) {
		const char *u = getenv("USER");
		struct passwd *pw = getpwuid(getuid());
		o.user = u && *u ? u : pw ? pw->pw_name : "agent";
	}
	if (export != NULL) {
		int64_t f = from != NULL ? export_date("--from", from) : 0;
		int64_t t = to != NULL ? export_date("--to", to) + 86400000 : 0;
		if (f != 0 && t != 0 && t <= f)
			cli_bad_value("--to", "a day not before --from", to);
		return export_complaints(export, o.user, o.data_dir, f, t, bom);
	}
	/* the demo's broker is in this process, open (rescuedesk(1)): no keys read */
	rc = o.demo ? 0 : curve_keys_load(&keys, key, server_key, keyfile_read, &cause);
	if (rc == -2) {
		fprintf(stderr, "rescuedesk: %s\n", cause);
		free(cause);
		usage(stderr);
		return 2;
	}
	if (rc < 0)
		return cli_fail(cause);
	o.curve = o.demo ? NULL : &keys;
	if (report != NULL)	/* ui/report.c: ask, print, exit */
		return report_cli(report, from, to, csv, o.api, o.user, o.curve);
	call_set_command(dial != NULL ? dial : getenv("RESCUEDESK_DIAL"));
	/* never log to the terminal while curses runs */
	log_set(verbose ? open_log(logpath) : NULL, verbose ? LOG_DEBUG : LOG_ERROR);
	return app_run(&o);
}
