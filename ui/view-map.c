/* view-map.c: the live map of a region (see view-map.h). */
#include "view-map.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "board.h"
#include "chrome.h"
#include "geo.h"
#include "i18n.h"
#include "map.h"
#include "model.h"
#include "present.h"
#include "text.h"
#include "ticket.h"
#include "track.h"
#include "util.h"

#define GPS_STALE_S_DEFAULT 90	/* without data: sla.ini's shipped value */
#define SCALE_COLS_MAX 10	/* the scale bar's longest */
#define TICKET_FIT_KM_MIN 0.5	/* a ticket's window is at least this wide per side */

/* What the next draw fits the window to (it knows the grid's size). */
enum fit { FIT_NONE, FIT_REGION, FIT_TICKET };

struct view_map {
	struct view view;	/* first member */
	size_t region;		/* index in the data's regions */
	struct map_window win;
	enum fit fit;
	/* the window is still the one fitted to the selected ticket, and whether its track
	 * was held then: when the track comes later, the window is fitted again to hold it */
	bool ticket_fit, track_fit;
	int64_t sel;		/* the selected ticket; 0 none */
	struct track tr;	/* its truck's track (tr.id == sel when sel) */
	int map_w, map_h;	/* the grid at the last draw */
};

static const struct view_hint hints[] = {
	{ ACTION_MAP_LEFT, ACTION_MAP_RIGHT, "map.hint.pan" },
	{ ACTION_MAP_ZOOM_IN, ACTION_MAP_ZOOM_OUT, "map.hint.zoom" },
	{ ACTION_NEXT_PANE, ACTION_NONE, "map.hint.next" },
	{ ACTION_OPEN, ACTION_NONE, "board.hint.open" },
	{ ACTION_MAP_WHOLE, ACTION_NONE, "map.hint.whole" },
	{ ACTION_MAP_REGION, ACTION_NONE, "map.hint.region" },
	{ ACTION_BACK, ACTION_NONE, "kpi.hint.back" },
	{ ACTION_HELP, ACTION_NONE, "hint.help" },
};

/* ---------------------------------------------------------------- what is shown */

static const struct data_region *
region_of(const struct view_map *vm, const struct model *m)
{
	if (m->data == NULL || vm->region >= m->data->n_regions)
		return NULL;
	return &m->data->regions[vm->region];
}

static bool
open_ticket(const struct proto_ticket *t)
{
	int s = ticket_state_parse(t->state);

	return s >= 0 && !ticket_state_final((enum ticket_state)s);
}

static const struct data_sla *
sla_of(const struct model *m)
{
	return m->data != NULL ? &m->data->sla : NULL;
}

struct ranked {
	const struct proto_ticket *t;
	int64_t urgency;
};

static int
by_urgency(const void *a, const void *b)
{
	const struct ranked *x = a, *y = b;

	if (x->urgency != y->urgency)
		return x->urgency > y->urgency ? -1 : 1;
	return x->t->id < y->t->id ? -1 : x->t->id > y->t->id;
}

/* The open tickets of region id, most urgent first (as the board orders them). Caller
 * frees. */
static struct ranked *
open_list(const struct model *m, const char *id, size_t *n)
{
	struct ranked *r = xcalloc(m->n_tickets + 1, sizeof *r);

	*n = 0;
	for (size_t i = 0; i < m->n_tickets; i++) {
		const struct proto_ticket *t = m->tickets[i];
		if (!open_ticket(t) || strcmp(t->region, id) != 0)
			continue;
		r[*n].t = t;
		r[*n].urgency = board_urgency(t, sla_of(m), m->now, model_warn_level(m, t->id));
		(*n)++;
	}
	qsort(r, *n, sizeof *r, by_urgency);
	return r;
}

static enum map_mark
ticket_mark(const struct model *m, const struct proto_ticket *t)
{
	switch (present_due(sla_of(m), t, m->now, model_warn_level(m, t->id))) {
	case PRESENT_DUE_LATE:
		return MAP_MARK_TICKET_LATE;
	case PRESENT_DUE_SOON:
		return MAP_MARK_TICKET_RISK;
	case PRESENT_DUE_OK:
		return MAP_MARK_TICKET_OK;
	default:
		return MAP_MARK_TICKET;
	}
}

/* A truck's mark; false for one off duty or never located. */
static bool
truck_mark(const struct model *m, const struct proto_truck *k, enum map_mark *mark)
{
	int s = truck_status_parse(k->status);
	int64_t stale_ms = (m->data != NULL ? m->data->sla.gps_stale_s : GPS_STALE_S_DEFAULT) *
	    1000LL;

	if (s == TRUCK_OFF_DUTY || !PROTO_HAS(k, truck, lat) || !PROTO_HAS(k, truck, lon))
		return false;
	if (!PROTO_HAS(k, truck, fix_ts) || m->now - k->fix_ts > stale_ms)
		*mark = MAP_MARK_TRUCK_STALE;
	else if (s == TRUCK_AVAILABLE)
		*mark = MAP_MARK_TRUCK_FREE;
	else if (s == TRUCK_OFFERED)
		*mark = MAP_MARK_TRUCK_OFFERED;
	else
		*mark = MAP_MARK_TRUCK_BUSY;
	return true;
}

/* The marks: every open ticket and every truck on duty with a position. Caller frees. */
static struct map_point *
points_of(const struct view_map *vm, const struct model *m, size_t *n)
{
	struct map_point *p = xcalloc(m->n_tickets + m->n_trucks + 1, sizeof *p);
	const struct proto_ticket *sel = vm->sel != 0 ? model_ticket(m, vm->sel) : NULL;

	*n = 0;
	for (size_t i = 0; i < m->n_tickets; i++) {
		const struct proto_ticket *t = m->tickets[i];
		if (!open_ticket(t) && t != sel)
			continue;
		p[(*n)++] = (struct map_point){ t->lat, t->lon, ticket_mark(m, t), t == sel };
	}
	for (size_t i = 0; i < m->n_trucks; i++) {
		const struct proto_truck *k = m->trucks[i];
		enum map_mark mark;
		if (!truck_mark(m, k, &mark))
			continue;
		p[(*n)++] = (struct map_point){ k->lat, k->lon, mark,
			sel != NULL && sel->truck[0] != '\0' && strcmp(sel->truck, k->id) == 0 };
	}
	return p;
}

/* Landmark names in the language of the screen: Chinese in zh_CN unless the terminal
 * cannot show it (ASCII glyphs: not UTF-8), English otherwise. */
typedef char name_buf[DATA_NAME_MAX];

/* The landmarks of every region, the shown region's first (its names win a place).
 * Caller frees *names and the result. */
static struct map_label *
labels_of(const struct view_map *vm, const struct model *m, name_buf **names, size_t *n)
{
	size_t total = 0, k = 0;
	bool zh = strcmp(i18n_lang(), "zh_CN") == 0 && track_glyphs() != PLOT_ASCII;

	*n = 0;
	*names = NULL;
	if (m->data == NULL)
		return NULL;
	for (size_t r = 0; r < m->data->n_regions; r++)
		total += m->data->regions[r].n_landmarks;
	struct map_label *l = xcalloc(total + 1, sizeof *l);
	*names = xcalloc(total + 1, sizeof **names);
	for (size_t i = 0; i < m->data->n_regions; i++) {
		/* the shown region, then the others in order */
		size_t r = i == 0 ? vm->region : i <= vm->region ? i - 1 : i;
		const struct data_region *g = &m->data->regions[r];
		for (size_t j = 0; j < g->n_landmarks; j++, k++) {
			map_name_part(g->landmarks[j].name, zh, (*names)[k], sizeof (*names)[k]);
			l[k] = (struct map_label){ g->landmarks[j].lat, g->landmarks[j].lon,
				(*names)[k] };
		}
	}
	*n = k;
	return l;
}

/* ---------------------------------------------------------------- selection and fit */

static void
select_ticket(struct view_map *vm, struct model *m, int64_t id)
{
	if (id == vm->sel)
		return;
	model_forget(m, vm);	/* the old track's question: its answer is no use now */
	track_finish(&vm->tr);
	track_init(&vm->tr, id);
	vm->sel = id;
	if (id != 0)
		track_sync(&vm->tr, m, vm);
}

static void
fit_region(struct view_map *vm, const struct model *m)
{
	const struct data_region *r = region_of(vm, m);

	if (r != NULL)
		map_fit(&vm->win, vm->map_w, vm->map_h, r->lat, r->lon, r->radius_km);
}

/* Widen *far_x, *far_y (km east-west and north-south of ticket t; kx km per degree of
 * longitude there) to reach (lat, lon). */
static void
reach(const struct proto_ticket *t, double kx, double lat, double lon, double *far_x,
    double *far_y)
{
	double ex = fabs(lon - t->lon) * kx, ey = fabs(lat - t->lat) * MAP_KM_PER_DEG;

	if (ex > *far_x)
		*far_x = ex;
	if (ey > *far_y)
		*far_y = ey;
}

/* Centre on the selected ticket, zoomed to hold its truck and its track, never wider
 * than the whole region. */
static void
fit_ticket(struct view_map *vm, const struct model *m)
{
	const struct proto_ticket *t = model_ticket(m, vm->sel);
	const struct proto_truck *k;
	double far_x = TICKET_FIT_KM_MIN, far_y = TICKET_FIT_KM_MIN;
	double kx = MAP_KM_PER_DEG * cos(t != NULL ? t->lat * M_PI / 180 : 0);
	struct map_window whole;

	if (t == NULL) {
		fit_region(vm, m);
		return;
	}
	k = t->truck[0] != '\0' ? model_truck(m, t->truck) : NULL;
	if (k != NULL && PROTO_HAS(k, truck, lat) && PROTO_HAS(k, truck, lon))
		reach(t, kx, k->lat, k->lon, &far_x, &far_y);
	if (vm->tr.held)
		for (size_t i = 0; i < vm->tr.n; i++)
			reach(t, kx, vm->tr.lat[i], vm->tr.lon[i], &far_x, &far_y);
	/* a circle that holds both extents, fitted as a region is */
	double rx = far_x, ry = far_y * (vm->map_w / 2.0 - 1) / ((vm->map_h / 2.0 - 1) * MAP_ASPECT);
	map_fit(&vm->win, vm->map_w, vm->map_h, t->lat, t->lon, rx > ry ? rx : ry);
	whole = vm->win;
	fit_region(vm, m);
	if (region_of(vm, m) != NULL && whole.km_per_col > vm->win.km_per_col)
		whole.km_per_col = vm->win.km_per_col;
	vm->win = whole;
}

/* ---------------------------------------------------------------- drawing */

static void
draw_summary(const struct view_map *vm, const struct model *m, struct vscreen *vs, int y,
    int cols)
{
	const struct proto_ticket *t = vm->sel != 0 ? model_ticket(m, vm->sel) : NULL;
	char buf[512], eta[24];
	size_t len;
	int x;

	if (t == NULL) {
		vscreen_put(vs, 1, y, ROLE_DIM, 0, i18n_tr("map.none"), cols - 2);
		return;
	}
	enum map_mark mark = ticket_mark(m, t);
	x = 1 + vscreen_put(vs, 1, y, map_mark_role(mark), 0, map_mark_glyph(mark), 1);
	len = (size_t)snprintf(buf, sizeof buf, " #%lld %s \xc2\xb7 %s \xc2\xb7 %s",
	    (long long)t->id, present_state(t->state), t->plate, present_fault(t->fault));
	if (t->truck[0] != '\0' && len < sizeof buf) {
		const struct proto_truck *k = model_truck(m, t->truck);
		len += (size_t)snprintf(buf + len, sizeof buf - len, " \xc2\xb7 %s %s",
		    i18n_tr("map.truck"), t->truck);
		if (k != NULL && PROTO_HAS(k, truck, lat) && len < sizeof buf) {
			double km = geo_distance_m((struct geo_point){ t->lat, t->lon },
			    (struct geo_point){ k->lat, k->lon }) / 1000;
			len += (size_t)snprintf(buf + len, sizeof buf - len, " %.1f %s", km,
			    i18n_tr("track.km"));
		}
	}
	if (present_before_scene(t) && present_eta_known(t) && len < sizeof buf) {
		model_fmt_minutes(t->eta - m->now, eta, sizeof eta);
		len += (size_t)snprintf(buf + len, sizeof buf - len, " \xc2\xb7 %s %s",
		    i18n_tr("map.eta"), eta);
	}
	if (len < sizeof buf && t->landmark[0] != '\0')
		snprintf(buf + len, sizeof buf - len, " \xc2\xb7 %s", t->landmark);
	vscreen_put_ellipsis(vs, x, y, ROLE_NORMAL, 0, buf, cols - 1 - x);
}

/* The legend: each mark and its words, whole items only, and the scale bar at the
 * right. */
static void
draw_legend(const struct view_map *vm, struct vscreen *vs, int y, int cols)
{
	static const struct {
		enum map_mark mark;
		const char *key;
	} items[] = {
		{ MAP_MARK_TICKET_LATE, "map.legend.late" },
		{ MAP_MARK_TICKET_RISK, "map.legend.risk" },
		{ MAP_MARK_TICKET_OK, "map.legend.ok" },
		{ MAP_MARK_TRUCK_FREE, "map.legend.free" },
		{ MAP_MARK_TRUCK_BUSY, "map.legend.busy" },
		{ MAP_MARK_TRUCK_OFFERED, "map.legend.offered" },
		{ MAP_MARK_TRUCK_STALE, "map.legend.stale" },
		{ MAP_MARK_LANDMARK, "map.legend.landmark" },
	};
	char bar[SCALE_COLS_MAX * 3 + 4], label[32];
	int bar_cols = 0, x = 1, right = cols - 1;
	bool utf8 = track_glyphs() != PLOT_ASCII;
	double km = map_scale_km(vm->win.km_per_col, SCALE_COLS_MAX, &bar_cols);

	if (km > 0) {
		size_t n = 0;
		for (int i = 0; i < bar_cols; i++) {
			const char *g = bar_cols == 1 ? (utf8 ? "\xe2\x94\x82" : "|") :
			    i == 0 ? (utf8 ? "\xe2\x94\x9c" : "|") :
			    i == bar_cols - 1 ? (utf8 ? "\xe2\x94\xa4" : "|") :
			    (utf8 ? "\xe2\x94\x80" : "-");
			size_t gl = strlen(g);
			memcpy(bar + n, g, gl);
			n += gl;
		}
		bar[n] = '\0';
		snprintf(label, sizeof label, " %g %s", km, i18n_tr("track.km"));
		int w = bar_cols + text_width(label);
		if (w < cols - 2) {
			right = cols - 1 - w;
			vscreen_put(vs, right, y, ROLE_BORDER, 0, bar, bar_cols);
			vscreen_put(vs, right + bar_cols, y, ROLE_DIM, 0, label, -1);
			right -= 2;
		}
	}
	/* two columns between items when all fit so, else one */
	int all = 0, sep = 2;
	for (size_t i = 0; i < ARRAY_LEN(items); i++)
		all += 2 + text_width(i18n_tr(items[i].key)) + sep;
	if (x + all - sep > right)
		sep = 1;
	for (size_t i = 0; i < ARRAY_LEN(items); i++) {
		const char *words = i18n_tr(items[i].key);
		int w = 2 + text_width(words);
		if (x + w > right)
			break;
		vscreen_put(vs, x, y, map_mark_role(items[i].mark), 0,
		    map_mark_glyph(items[i].mark), 1);
		vscreen_put(vs, x + 2, y, ROLE_DIM, 0, words, -1);
		x += w + sep;
	}
}

static void
map_view_draw(struct view *v, const struct model *m, struct vscreen *vs,
    const struct theme *th)
{
	struct view_map *vm = (struct view_map *)v;
	int cols = vscreen_cols(vs), rows = vscreen_rows(vs), y, y1, cx, cy;
	const struct data_region *r;
	char left[256], right[192], n_open[16], n_late[16], n_free[16], n_trucks[16];
	size_t n_points, n_labels, open = 0, late = 0, free_ = 0, trucks = 0;
	name_buf *names;

	(void)th;
	if (view_too_small(cols, rows)) {
		view_draw_too_small(vs);
		return;
	}
	vscreen_fill(vs, 0, 0, cols, rows, ROLE_NORMAL, 0, L' ');
	r = region_of(vm, m);
	snprintf(left, sizeof left, "%s \xe2\x94\x82 %s \xc2\xb7 %s", i18n_tr("app.name"),
	    i18n_tr("map.title"), r != NULL ? present_region(m->data, r->id) : "-");
	y = chrome_body_top(vs, m);
	y1 = chrome_body_end(vs);
	vm->map_w = cols;
	vm->map_h = y1 - y - 2;
	if (vm->ticket_fit && !vm->track_fit && vm->tr.held)
		vm->fit = FIT_TICKET;
	vm->ticket_fit = vm->fit == FIT_TICKET || (vm->ticket_fit && vm->fit == FIT_NONE);
	if (vm->fit == FIT_REGION)
		fit_region(vm, m);
	else if (vm->fit == FIT_TICKET) {
		fit_ticket(vm, m);
		vm->track_fit = vm->tr.held;
	}
	vm->fit = FIT_NONE;

	struct map_point *p = points_of(vm, m, &n_points);
	struct map_label *l = labels_of(vm, m, &names, &n_labels);
	const struct proto_ticket *sel = vm->sel != 0 ? model_ticket(m, vm->sel) : NULL;
	bool track = sel != NULL && vm->tr.held && vm->tr.n > 0 &&
	    strcmp(vm->tr.truck, sel->truck) == 0;
	struct map_scene s = {
		.win = vm->win, .glyphs = track_glyphs(),
		.c_lat = r != NULL ? r->lat : 0, .c_lon = r != NULL ? r->lon : 0,
		.radius_km = r != NULL ? r->radius_km : 0,
		.labels = l, .n_labels = n_labels, .points = p, .n_points = n_points,
		.track_lat = track ? vm->tr.lat : NULL, .track_lon = track ? vm->tr.lon : NULL,
		.n_track = track ? vm->tr.n : 0,
	};
	map_draw(vs, 0, y, vm->map_w, vm->map_h, &s);

	/* the counts of the region: its open and late tickets, its free trucks */
	for (size_t i = 0; r != NULL && i < m->n_tickets; i++) {
		const struct proto_ticket *t = m->tickets[i];
		if (!open_ticket(t) || strcmp(t->region, r->id) != 0)
			continue;
		open++;
		late += ticket_mark(m, t) == MAP_MARK_TICKET_LATE;
	}
	for (size_t i = 0; r != NULL && i < m->n_trucks; i++) {
		const struct proto_truck *k = m->trucks[i];
		enum map_mark mark;
		if (strcmp(k->region, r->id) != 0 || !truck_mark(m, k, &mark))
			continue;
		trucks++;
		free_ += mark == MAP_MARK_TRUCK_FREE;
	}
	snprintf(n_open, sizeof n_open, "%zu", open);
	snprintf(n_late, sizeof n_late, "%zu", late);
	snprintf(n_free, sizeof n_free, "%zu", free_);
	snprintf(n_trucks, sizeof n_trucks, "%zu", trucks);
	const char *vars[] = { "open", n_open, "late", n_late, "free", n_free, "trucks",
		n_trucks };
	present_fill(i18n_tr("map.counts"), vars, 4, right, sizeof right);
	chrome_title(vs, m, left, right);
	if (chrome_banner_needed(m))
		chrome_banner(vs, 1, m);

	draw_summary(vm, m, vs, y1 - 2, cols);
	draw_legend(vm, vs, y1 - 1, cols);
	chrome_status(vs, rows - 2, m);
	chrome_message(vs, rows - 1, m, hints, (int)ARRAY_LEN(hints));
	if (sel != NULL && map_cell(&vm->win, vm->map_w, vm->map_h, sel->lat, sel->lon, &cx, &cy))
		vscreen_set_cursor(vs, cx, y + cy, false);
	else
		vscreen_set_cursor(vs, 0, y1 - 2, false);
	free(p);
	free(l);
	free(names);
}

/* ---------------------------------------------------------------- keys */

static unsigned
step_ticket(struct view_map *vm, struct model *m, int dir)
{
	const struct data_region *r = region_of(vm, m);
	size_t n, i, at;
	struct ranked *list;

	if (r == NULL)
		return UI_HANDLED;
	list = open_list(m, r->id, &n);
	if (n > 0) {
		for (at = 0; at < n && list[at].t->id != vm->sel; at++)
			;
		if (at == n)	/* none selected yet: the first, or the last going back */
			i = dir > 0 ? 0 : n - 1;
		else
			i = (at + n + (size_t)(dir > 0 ? 1 : n - 1)) % n;
		select_ticket(vm, m, list[i].t->id);
		vm->fit = FIT_TICKET;
	}
	free(list);
	return UI_HANDLED | UI_REDRAW;
}

static unsigned
map_view_key(struct view *v, struct model *m, const struct key *k, enum keymap_action a)
{
	struct view_map *vm = (struct view_map *)v;

	(void)k;
	switch (a) {
	case ACTION_BACK:
		return UI_HANDLED | UI_CLOSE;
	case ACTION_MOVE_UP:
	case ACTION_MOVE_DOWN:
	case ACTION_MAP_LEFT:
	case ACTION_MAP_RIGHT:
		map_pan(&vm->win, vm->map_w, vm->map_h,
		    a == ACTION_MAP_LEFT ? -1 : a == ACTION_MAP_RIGHT ? 1 : 0,
		    a == ACTION_MOVE_UP ? -1 : a == ACTION_MOVE_DOWN ? 1 : 0);
		vm->fit = FIT_NONE;
		vm->ticket_fit = false;	/* moved by hand: kept */
		return UI_HANDLED | UI_REDRAW;
	case ACTION_MAP_ZOOM_IN:
	case ACTION_MAP_ZOOM_OUT:
		map_zoom(&vm->win, a == ACTION_MAP_ZOOM_IN ? 1 : -1);
		vm->fit = FIT_NONE;
		vm->ticket_fit = false;
		return UI_HANDLED | UI_REDRAW;
	case ACTION_MAP_WHOLE:
		vm->fit = FIT_REGION;
		return UI_HANDLED | UI_REDRAW;
	case ACTION_MAP_REGION:
		if (m->data != NULL && m->data->n_regions > 0) {
			vm->region = (vm->region + 1) % m->data->n_regions;
			select_ticket(vm, m, 0);
			vm->fit = FIT_REGION;
		}
		return UI_HANDLED | UI_REDRAW;
	case ACTION_NEXT_PANE:
	case ACTION_PREV_PANE:
		return step_ticket(vm, m, a == ACTION_NEXT_PANE ? 1 : -1);
	case ACTION_OPEN:
		if (vm->sel == 0 || model_ticket(m, vm->sel) == NULL)
			return UI_HANDLED;
		return view_want(v, VIEW_DETAIL, vm->sel, ACTION_OPEN);
	default:
		return UI_NONE;
	}
}

/* The model changed: a selected ticket that left it is let go; its track follows. */
static void
map_view_refresh(struct view *v, struct model *m)
{
	struct view_map *vm = (struct view_map *)v;

	if (vm->sel != 0 && model_ticket(m, vm->sel) == NULL)
		select_ticket(vm, m, 0);
	if (vm->sel != 0)
		track_sync(&vm->tr, m, vm);
}

static void
map_view_destroy(struct view *v)
{
	struct view_map *vm = (struct view_map *)v;

	track_finish(&vm->tr);
	free(vm);
}

static const struct view_ops map_ops = {
	.name = "map",
	.draw = map_view_draw,
	.key = map_view_key,
	.destroy = map_view_destroy,
	.refresh = map_view_refresh,
};

struct view *
view_map_create(struct model *m, int64_t ticket)
{
	struct view_map *vm = xcalloc(1, sizeof *vm);
	const struct proto_ticket *t = ticket > 0 ? model_ticket(m, ticket) : NULL;
	size_t most = 0;

	vm->view.ops = &map_ops;
	vm->view.scope = SCOPE_MAP;
	track_init(&vm->tr, 0);
	vm->fit = FIT_REGION;
	for (size_t r = 0; m->data != NULL && r < m->data->n_regions; r++) {
		const char *id = m->data->regions[r].id;
		size_t n = 0;
		if (t != NULL) {
			if (strcmp(t->region, id) == 0) {
				vm->region = r;
				break;
			}
			continue;
		}
		for (size_t i = 0; i < m->n_tickets; i++)
			n += open_ticket(m->tickets[i]) && strcmp(m->tickets[i]->region, id) == 0;
		if (n > most) {
			most = n;
			vm->region = r;
		}
	}
	if (t != NULL) {
		select_ticket(vm, m, t->id);
		vm->fit = FIT_TICKET;
	}
	return &vm->view;
}
