/* view-search.h: the history search: every ticket the broker has stored, closed ones and
 * those long gone from the board included, through ticket.search (PROTOCOL.md 7.19).
 *
 * The view opens with its query prompt (SCOPE_FORM). The query is words separated by
 * spaces, all of which must match (view_search_parse): `#59` or `id:59` that ticket; a word
 * of digits (4 or more; spaces inside a number split it into words, so type it whole) the
 * caller's phone; `from:YYYY-MM-DD` and `to:YYYY-MM-DD` the days of creation, China time,
 * both inclusive; any other word a part of the plate (one plate word; case, spaces, dashes
 * and dots do not matter). Enter sends it; an empty query lists every ticket, newest
 * first. A bad word keeps the prompt open with the error in words.
 *
 * The results (SCOPE_BOARD: / or F edits the query again) list id, created (China time),
 * state, region, fault, plate, masked phone and customer, newest first. The broker answers
 * a page at a time: moving down past the last row (Down, PgDn, End) asks for the next
 * page; the title says whether more remain. Enter reads the selected ticket with
 * ticket.get and shows it read-only, its history below (movement scrolls; q/Esc back to
 * the list); nothing in this view changes a ticket. q/Esc on the list close the view.
 *
 * Requests go through model_request with the view as owner, so a closed view gets no
 * answer; a new query forgets the requests of the last one. */
#ifndef RD_VIEW_SEARCH_H
#define RD_VIEW_SEARCH_H

#include <stdbool.h>

#include "proto.h"
#include "view.h"

struct model;

/* Parse a query into args (zeroed first). Returns NULL, or the word at fault copied into
 * bad (size badsz) and a catalog key saying why ("search.bad_date", "search.bad_phone",
 * "search.two_plates"). */
const char *view_search_parse(const char *query, struct proto_ticket_search *args,
    char *bad, size_t badsz);

/* A new search view, its prompt open. Destroy with view_destroy(). */
struct view *view_search_create(struct model *m);

#endif
