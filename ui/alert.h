/* alert.h: which warnings have newly turned red, for the console's bell.
 *
 * The app loop hands the active warnings over after each refresh; alert_update() answers
 * how many are red now that were not red at the last look (a new red warning, or an amber
 * one raised to red), and remembers the red set for next time. A quiet update (the first
 * snapshot, a resync after a gap or a broker restart) only learns the set: what a
 * snapshot brings was not seen turning red, so it never rings, and neither does a red
 * warning that is still red, or one that comes back after being cleared while the console
 * was resyncing. Warnings are told apart by id.
 *
 * Ownership: struct alert is embedded by the caller (alert_init .. alert_finish); the
 * warnings are borrowed for the call. Pure: no curses, no clock. */
#ifndef RD_ALERT_H
#define RD_ALERT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proto.h"

struct alert {
	int64_t *red;		/* ids of the warnings red at the last update, sorted */
	size_t n, cap;
};

void alert_init(struct alert *al);
void alert_finish(struct alert *al);
/* The n active warnings now (cleared ones are skipped): returns how many are newly red,
 * 0 when quiet. */
size_t alert_update(struct alert *al, const struct proto_warning *const *w, size_t n,
    bool quiet);

#endif
