/* keys-dump.c: print the key table, in scdoc (the man page KEYS section) or plain text.
 *
 *     keys-dump [-f scdoc|text] [-l lang] [-d datadir]
 *
 * datadir holds i18n/<lang>.ini (default "data", the source tree's data directory); lang
 * defaults to "en", the language of the man pages. Used to write and check the KEYS
 * section of rescuedesk(1): keys-dump | diff - <(sed -n '/^# KEYS/,/^# [^K]/p' ...). */
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "i18n.h"
#include "keymap.h"

static void
usage(void)
{
	fprintf(stderr, "usage: keys-dump [-f scdoc|text] [-l lang] [-d datadir]\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	enum keymap_format fmt = KEYMAP_FORMAT_SCDOC;
	const char *datadir = "data", *lang = "en";
	char *cause = NULL, *out;
	int c;

	setlocale(LC_ALL, "");
	while ((c = getopt(argc, argv, "d:f:l:")) != -1) {
		switch (c) {
		case 'd':
			datadir = optarg;
			break;
		case 'f':
			if (strcmp(optarg, "scdoc") == 0)
				fmt = KEYMAP_FORMAT_SCDOC;
			else if (strcmp(optarg, "text") == 0)
				fmt = KEYMAP_FORMAT_TEXT;
			else
				usage();
			break;
		case 'l':
			lang = optarg;
			break;
		default:
			usage();
		}
	}
	if (optind != argc)
		usage();
	if (i18n_load(datadir, lang, &cause) != 0) {
		fprintf(stderr, "keys-dump: %s\n", cause);
		free(cause);
		return 1;
	}
	out = keymap_render(fmt, i18n_tr);
	fputs(out, stdout);
	free(out);
	i18n_unload();
	return ferror(stdout) ? 1 : 0;
}
