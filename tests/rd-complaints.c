/* rd-complaints.c: read a console's complaint file for the screen tests: the text form of
 * one field of every complaint (complaint_field_get), as the store holds it, byte for
 * byte, one complaint after another; or "draft" when a new complaint's draft is there.
 *
 * usage: rd-complaints DB FIELD | rd-complaints DB --draft
 * Exit 0; 1 when the file cannot be read or the field is unknown; 2 on bad usage. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "complaint-store.h"
#include "complaint.h"

int
main(int argc, char **argv)
{
	struct complaint_store *st;
	struct complaint **list = NULL;
	size_t n = 0;
	char *cause = NULL, *s;
	int64_t id;
	int f;

	if (argc != 3) {
		fprintf(stderr, "usage: rd-complaints DB FIELD|--draft\n");
		return 2;
	}
	if ((st = complaint_store_open(argv[1], "rd-complaints", &cause)) == NULL) {
		fprintf(stderr, "rd-complaints: %s\n", cause);
		free(cause);
		return 1;
	}
	if (strcmp(argv[2], "--draft") == 0) {
		if (complaint_store_draft_latest(st, &id) == 1)
			printf("draft %lld\n", (long long)id);
		complaint_store_close(st);
		return 0;
	}
	if ((f = complaint_field_by_name(argv[2])) < 0 ||
	    complaint_store_list(st, &(struct complaint_query){ 0 }, &list, &n) < 0) {
		fprintf(stderr, "rd-complaints: %s\n", f < 0 ? "no such field" :
		    complaint_store_errmsg(st));
		complaint_store_close(st);
		return 1;
	}
	for (size_t i = 0; i < n; i++) {
		s = complaint_field_get(list[i], (enum complaint_field)f);
		fputs(s, stdout);
		putchar('\n');
		free(s);
	}
	complaint_list_free(list, n);
	complaint_store_close(st);
	return 0;
}
