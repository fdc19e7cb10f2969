/* track.c: the truck's track relative to the car in a ticket's detail (track.h). */
#include "track.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "geo.h"
#include "i18n.h"
#include "present.h"
#include "text.h"
#include "util.h"

static enum plot_glyphs glyphs = PLOT_BRAILLE;

void
track_set_glyphs(enum plot_glyphs g)
{
	glyphs = g;
}

enum plot_glyphs
track_glyphs(void)
{
	return glyphs;
}

void
track_init(struct track *tr, int64_t id)
{
	memset(tr, 0, sizeof *tr);
	tr->id = id;
	tr->ts = xcalloc(TRACK_POINTS_MAX, sizeof *tr->ts);
	tr->dist_m = xcalloc(TRACK_POINTS_MAX, sizeof *tr->dist_m);
	tr->lat = xcalloc(TRACK_POINTS_MAX, sizeof *tr->lat);
	tr->lon = xcalloc(TRACK_POINTS_MAX, sizeof *tr->lon);
}

void
track_finish(struct track *tr)
{
	free(tr->ts);
	free(tr->dist_m);
	free(tr->lat);
	free(tr->lon);
	tr->ts = NULL;
	tr->dist_m = NULL;
	tr->lat = tr->lon = NULL;
	tr->n = 0;
}

/* Append a point (newer than the last); when full, every other point is dropped first,
 * the newest kept, so the whole job stays in view at half the detail. */
static void
add(struct track *tr, int64_t ts, double dist_m, double lat, double lon)
{
	if (tr->n > 0 && ts <= tr->ts[tr->n - 1])
		return;
	if (tr->n == TRACK_POINTS_MAX) {
		size_t k = 0;
		for (size_t i = 0; i < tr->n; i += 2, k++) {
			tr->ts[k] = tr->ts[i];
			tr->dist_m[k] = tr->dist_m[i];
			tr->lat[k] = tr->lat[i];
			tr->lon[k] = tr->lon[i];
		}
		tr->n = k;
	}
	tr->ts[tr->n] = ts;
	tr->dist_m[tr->n] = dist_m;
	tr->lat[tr->n] = lat;
	tr->lon[tr->n] = lon;
	tr->n++;
}

/* The answer to ticket.track: the broker's points replace what is held. */
static void
on_reply(struct model *m, void *ctx, const struct proto_reply *r, const struct proto_error *err)
{
	struct track *tr = ctx;

	(void)err;
	if (r == NULL || !r->ok || r->ticket.id != tr->id) {
		tr->asked = false;	/* asked again at the next refresh */
		return;
	}
	if (strcmp(r->track.truck, tr->truck) != 0) {
		tr->asked = false;	/* of another truck: the next sync asks again */
		return;
	}
	tr->n = 0;
	for (size_t i = 0; i < r->n_fixes; i++)
		add(tr, r->fixes[i].ts, r->fixes[i].dist_m, r->fixes[i].lat, r->fixes[i].lon);
	tr->held = true;
	track_sync(tr, m, NULL);
}

void
track_sync(struct track *tr, struct model *m, const void *owner)
{
	const struct proto_ticket *t = model_ticket(m, tr->id);
	const struct proto_truck *k;

	if (t == NULL)
		return;
	if (strcmp(t->truck, tr->truck) != 0) {
		PROTO_STRSET(tr->truck, t->truck);
		tr->asked = tr->held = false;
		tr->n = 0;
	}
	if (!tr->asked && tr->truck[0] != '\0' && owner != NULL) {
		struct proto_ticket_track a = { .id = tr->id, .max = TRACK_FETCH_MAX,
			.present = PROTO_ALL };
		struct model_request rq = { .op = PROTO_MSG_ticket_track, .args = &a,
			.on_reply = on_reply, .ctx = tr, .owner = owner };
		tr->asked = model_request(m, &rq, NULL) == 0;
	}
	k = tr->held ? model_truck(m, tr->truck) : NULL;
	if (k != NULL && PROTO_HAS(k, truck, fix_ts) && PROTO_HAS(k, truck, lat))
		add(tr, k->fix_ts, geo_distance_m((struct geo_point){ k->lat, k->lon },
		    (struct geo_point){ t->lat, t->lon }), k->lat, k->lon);
}

int
track_rows(const struct track *tr, int rows, int free_rows)
{
	int want;

	if (!tr->held || tr->n == 0)
		return 0;
	/* a line and its time axis on a small screen, more as it grows: 80x24 gives 3,
	 * 120x40 6, 200x60 9 */
	want = rows < 30 ? 3 : rows / 7 + 1;
	if (want > 12)
		want = 12;
	if (free_rows - TRACK_KEEP_ROWS < want)
		want = free_rows - TRACK_KEEP_ROWS;
	return want >= 3 ? want : 0;
}

int
track_draw(const struct track *tr, struct vscreen *vs, const struct model *m, int y,
    int y_end)
{
	double km[TRACK_POINTS_MAX], top = 0;
	char y_top[32], x_left[64], min[24];
	int64_t t1;
	int rows = track_rows(tr, vscreen_rows(vs), y_end - y);

	if (rows <= 0)
		return y;
	for (size_t i = 0; i < tr->n; i++) {
		km[i] = tr->dist_m[i] / 1000.0;
		top = km[i] > top ? km[i] : top;
	}
	top = plot_nice_max(top);
	t1 = m->now > tr->ts[tr->n - 1] ? m->now : tr->ts[tr->n - 1];
	if (t1 - tr->ts[0] < 60000)
		t1 = tr->ts[0] + 60000;	/* at least a minute across */
	snprintf(y_top, sizeof y_top, "%g %s", top, i18n_tr("track.km"));
	snprintf(min, sizeof min, "%lld", (long long)((t1 - tr->ts[0] + 59999) / 60000));
	const char *vars[] = { "min", min };
	present_fill(i18n_tr("track.ago"), vars, 1, x_left, sizeof x_left);
	struct plot_spec spec = { .t0 = tr->ts[0], .t1 = t1, .y_max = top, .glyphs = glyphs,
		.role = ROLE_OK, .y_top = y_top, .y_bottom = "0", .x_left = x_left,
		.x_right = i18n_tr("track.now") };
	int w = vscreen_cols(vs) - 2;
	if (plot_draw(vs, 1, y, w, rows, tr->ts, km, tr->n, &spec) == 0)
		return y + rows;
	/* what it is, in the middle of the time axis when it fits between the labels */
	const char *title = i18n_tr("track.title");
	int tw = text_width(title), gw = text_width(y_top) + 1;
	int left = 1 + gw + text_width(x_left) + 2, right = 1 + w - text_width(spec.x_right) - 2;
	int x = 1 + gw + (w - gw - tw) / 2;
	if (x >= left && x + tw <= right)
		vscreen_put(vs, x, y + rows - 1, ROLE_DIM, 0, title, tw);
	return y + rows;
}
