/* track.h: the truck's recent track relative to the car, in a ticket's detail view: what
 * the detail fetched (ticket.track, PROTOCOL.md 7.29) and the truck's positions from the
 * truck stream since, drawn as the distance to the car over time (ui/plot.h), so a stall
 * (a flat line), a detour or a wrong turn (a rise) is seen at a glance.
 *
 * The view embeds a struct track, calls track_sync when it opens and at every refresh
 * (it asks once per truck of the ticket, never blocking: the answer comes to
 * track_on_reply through model_request; positions that arrive on the truck stream are
 * appended while it is open, and a few lost ones do not matter) and track_draw to draw
 * it where there is room. Ownership: the struct owns its points;
 * track_finish frees them. The glyphs are the console's (track_set_glyphs, once at start:
 * braille, blocks or ASCII for the terminal). */
#ifndef RD_TRACK_H
#define RD_TRACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model.h"
#include "plot.h"
#include "vscreen.h"

#define TRACK_FETCH_MAX 120  /* fixes asked for (the broker's default) */
#define TRACK_POINTS_MAX 240 /* points held; more are thinned (every other one dropped) */

struct track {
	int64_t id;		/* the ticket */
	char truck[sizeof ((struct proto_ticket *)0)->truck]; /* asked for this truck */
	bool asked;		/* ticket.track sent for truck */
	bool held;		/* and answered: the points are the truck's */
	int64_t *ts;		/* the points, oldest first (owned) */
	double *dist_m;		/* their distance to the car */
	double *lat, *lon;	/* and where the truck was (the live map draws them) */
	size_t n;
};

void track_init(struct track *tr, int64_t id);
void track_finish(struct track *tr);
/* The console's glyphs for every plot (plot_glyphs_for at start); braille until set. */
void track_set_glyphs(enum plot_glyphs g);
/* The glyphs set (the live map draws with the same). */
enum plot_glyphs track_glyphs(void);
/* Ask for the track if the ticket's truck is not the one asked for (owner: the view, so
 * the stack forgets the request when it closes); then append the truck's position if the
 * model has a newer one than the last point. */
void track_sync(struct track *tr, struct model *m, const void *owner);
/* The rows the track wants on a screen of rows rows when free_rows are left below it
 * (TRACK_KEEP_ROWS of them stay free, for the timeline): 3 at 24 rows, 6 at 40, 9 at 60,
 * fewer when they are not free; 0 when there is nothing to draw or under 3 rows. */
#define TRACK_KEEP_ROWS 6
int track_rows(const struct track *tr, int rows, int free_rows);
/* Draw the track from row y across the screen in track_rows rows (the free ones end at
 * y_end) and return the row below it; y when it is not drawn. */
int track_draw(const struct track *tr, struct vscreen *vs, const struct model *m, int y,
    int y_end);

#endif
