/* geo.c: great-circle geometry and a uniform-grid spatial index. Pure: no I/O, no clock.
 *
 * The index divides the sphere into cells of cell_deg x cell_deg degrees (the size is
 * rounded down a little so a whole number of cells spans 180 degrees). Only non-empty cells
 * exist: an open-addressing hash maps (row, column) to a slot in the cell array, and each
 * cell keeps a small array of entries. A second hash maps a point's id to (cell, position)
 * so put/move/remove/set_mask cost O(1) on average. Removal from a cell swaps the last entry
 * into the hole and fixes that entry's id slot.
 *
 * Entries carry their unit vector, so the inner loop of a query ranks candidates by squared
 * chord length (monotonic in great-circle distance: three subtractions and three products, no
 * trigonometry). The final k distances are recomputed with geo_distance_m so callers see the
 * same number as everywhere else.
 *
 * A query visits the grid in growing rectangles ("rings") around the query cell: ring r
 * covers rows qy-r..qy+r and columns qx-W(r)..qx+W(r), with W(r) ~ r / cos(lat) so that
 * the rectangle stays roughly square in metres away from the equator. After each ring a
 * lower bound on the distance to anything outside the rectangle is the smaller of
 *   - the latitude gap to the first row outside (a great circle is never shorter than its
 *     change in latitude), and
 *   - the distance to the nearest meridian outside the column range: for a longitude gap g
 *     the nearest point of the lune beyond it is asin(cos(lat) * sin(min(g, 90 deg))) away
 *     (at g >= 90 deg that is the distance to the pole).
 * The search stops once that bound exceeds the k-th best distance (or max_m), or once the
 * rectangle covers every row and every column. Near the poles (and for very sparse indexes)
 * rings can get expensive, so when the next ring would cost more than simply scanning every
 * non-empty cell, the query falls back to that scan for the cells not yet visited. Rows and
 * columns that cannot beat the current k-th best are skipped inside a ring.
 */
#include "geo.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

#define DEG2RAD (M_PI / 180.0)
#define RAD2DEG (180.0 / M_PI)
#define NONE UINT32_MAX
#define MIN_TABLE 16

/* Lower bounds are shrunk by this much so rounding never prunes a true neighbour. */
#define LB_REL 1e-9
#define LB_ABS 1e-12

struct entry {
	double x, y, z; /* unit vector */
	double lat, lon;
	uint32_t id;
	uint32_t mask;
};

struct cell {
	uint64_t key; /* (row << 32) | column */
	struct entry *e;
	uint32_t n, cap;
};

struct cslot {
	uint64_t key;
	uint32_t cell; /* NONE: empty */
};

struct islot {
	uint32_t id;
	uint32_t cell; /* NONE: empty */
	uint32_t pos;
};

struct geo_index {
	double cell_deg;
	double inv_cell;
	int32_t ncx, ncy; /* columns (even), rows; ncx == 2 * ncy */

	struct cell *cells; /* live cells plus empty ones on the free list */
	uint32_t ncells, cellcap;
	uint32_t *freecells;
	uint32_t nfree, freecap;

	struct cslot *ctab; /* (row, column) -> cell */
	size_t ctabcap, nlive;

	struct islot *itab; /* id -> (cell, pos) */
	size_t itabcap, count;
};

/* ---------------------------------------------------------------- geometry */

bool
geo_valid(double lat, double lon)
{
	return isfinite(lat) && isfinite(lon) && lat >= -90.0 && lat <= 90.0 &&
	    lon >= -180.0 && lon <= 180.0;
}

double
geo_distance_m(struct geo_point a, struct geo_point b)
{
	double p1 = a.lat * DEG2RAD, p2 = b.lat * DEG2RAD;
	double sdp = sin((p2 - p1) / 2), sdl = sin((b.lon - a.lon) * DEG2RAD / 2);
	double h = sdp * sdp + cos(p1) * cos(p2) * sdl * sdl;

	if (h > 1.0)
		h = 1.0;
	return 2.0 * GEO_EARTH_RADIUS_M * asin(sqrt(h));
}

double
geo_bearing_deg(struct geo_point a, struct geo_point b)
{
	double p1 = a.lat * DEG2RAD, p2 = b.lat * DEG2RAD;
	double dl = (b.lon - a.lon) * DEG2RAD;
	double y = sin(dl) * cos(p2);
	double x = cos(p1) * sin(p2) - sin(p1) * cos(p2) * cos(dl);
	double deg = atan2(y, x) * RAD2DEG;

	if (deg < 0)
		deg += 360.0;
	if (deg >= 360.0) /* -tiny + 360 rounds to 360 */
		deg = 0.0;
	return deg;
}

static double
wrap_lon(double lon)
{
	if (lon >= -180.0 && lon <= 180.0)
		return lon;
	lon = fmod(lon + 180.0, 360.0);
	if (lon < 0)
		lon += 360.0;
	return lon - 180.0;
}

struct geo_point
geo_destination(struct geo_point a, double bearing_deg, double dist_m)
{
	double p1 = a.lat * DEG2RAD, l1 = a.lon * DEG2RAD;
	double th = bearing_deg * DEG2RAD, d = dist_m / GEO_EARTH_RADIUS_M;
	double sp2 = sin(p1) * cos(d) + cos(p1) * sin(d) * cos(th);
	double p2, l2;
	struct geo_point r;

	if (sp2 > 1.0)
		sp2 = 1.0;
	else if (sp2 < -1.0)
		sp2 = -1.0;
	p2 = asin(sp2);
	l2 = l1 + atan2(sin(th) * sin(d) * cos(p1), cos(d) - sin(p1) * sp2);
	r.lat = p2 * RAD2DEG;
	r.lon = wrap_lon(l2 * RAD2DEG);
	return r;
}

struct geo_point
geo_step_toward(struct geo_point a, struct geo_point b, double step_m)
{
	double d = geo_distance_m(a, b);

	if (d <= step_m)
		return b;
	if (!(step_m > 0)) /* also catches NaN */
		return a;
	return geo_destination(a, geo_bearing_deg(a, b), step_m);
}

/* ---------------------------------------------------------------- hashing */

static uint64_t
mix64(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	x ^= x >> 33;
	return x;
}

static uint64_t
cell_key(int32_t row, int32_t col)
{
	return ((uint64_t)(uint32_t)row << 32) | (uint32_t)col;
}

static uint32_t
ctab_find(const struct geo_index *gi, uint64_t key)
{
	size_t mask = gi->ctabcap - 1, i = (size_t)mix64(key) & mask;

	for (;;) {
		const struct cslot *s = &gi->ctab[i];
		if (s->cell == NONE)
			return NONE;
		if (s->key == key)
			return s->cell;
		i = (i + 1) & mask;
	}
}

static void
ctab_insert_raw(struct cslot *tab, size_t cap, uint64_t key, uint32_t cell)
{
	size_t mask = cap - 1, i = (size_t)mix64(key) & mask;

	while (tab[i].cell != NONE)
		i = (i + 1) & mask;
	tab[i].key = key;
	tab[i].cell = cell;
}

static struct cslot *
ctab_alloc(size_t cap)
{
	struct cslot *t = xreallocarray(NULL, cap, sizeof *t);
	size_t i;

	for (i = 0; i < cap; i++)
		t[i].cell = NONE;
	return t;
}

static void
ctab_insert(struct geo_index *gi, uint64_t key, uint32_t cell)
{
	struct cslot *old;
	size_t oldcap, i;

	if ((gi->nlive + 1) * 10 > gi->ctabcap * 7) {
		old = gi->ctab;
		oldcap = gi->ctabcap;
		gi->ctabcap = oldcap * 2;
		gi->ctab = ctab_alloc(gi->ctabcap);
		for (i = 0; i < oldcap; i++) {
			if (old[i].cell != NONE)
				ctab_insert_raw(gi->ctab, gi->ctabcap, old[i].key, old[i].cell);
		}
		free(old);
	}
	ctab_insert_raw(gi->ctab, gi->ctabcap, key, cell);
	gi->nlive++;
}

/* Backward-shift deletion: no tombstones, so lookups stop at the first empty slot. */
static void
ctab_delete(struct geo_index *gi, uint64_t key)
{
	size_t mask = gi->ctabcap - 1, i = (size_t)mix64(key) & mask, j, home;

	while (gi->ctab[i].key != key || gi->ctab[i].cell == NONE) {
		if (gi->ctab[i].cell == NONE)
			return;
		i = (i + 1) & mask;
	}
	j = i;
	for (;;) {
		j = (j + 1) & mask;
		if (gi->ctab[j].cell == NONE)
			break;
		home = (size_t)mix64(gi->ctab[j].key) & mask;
		if (((j - home) & mask) >= ((j - i) & mask)) {
			gi->ctab[i] = gi->ctab[j];
			i = j;
		}
	}
	gi->ctab[i].cell = NONE;
	gi->nlive--;
}

static size_t
id_hash(uint32_t id)
{
	return (size_t)mix64(id);
}

static struct islot *
itab_alloc(size_t cap)
{
	struct islot *t = xreallocarray(NULL, cap, sizeof *t);
	size_t i;

	for (i = 0; i < cap; i++)
		t[i].cell = NONE;
	return t;
}

/* Slot holding id, or NULL. */
static struct islot *
itab_find(const struct geo_index *gi, uint32_t id)
{
	size_t mask = gi->itabcap - 1, i = id_hash(id) & mask;

	for (;;) {
		struct islot *s = &gi->itab[i];
		if (s->cell == NONE)
			return NULL;
		if (s->id == id)
			return s;
		i = (i + 1) & mask;
	}
}

static struct islot *
itab_insert_raw(struct islot *tab, size_t cap, uint32_t id)
{
	size_t mask = cap - 1, i = id_hash(id) & mask;

	while (tab[i].cell != NONE)
		i = (i + 1) & mask;
	tab[i].id = id;
	return &tab[i];
}

/* New slot for an id known to be absent; the caller fills cell and pos. */
static struct islot *
itab_insert(struct geo_index *gi, uint32_t id)
{
	struct islot *old, *s;
	size_t oldcap, i;

	if ((gi->count + 1) * 10 > gi->itabcap * 7) {
		old = gi->itab;
		oldcap = gi->itabcap;
		gi->itabcap = oldcap * 2;
		gi->itab = itab_alloc(gi->itabcap);
		for (i = 0; i < oldcap; i++) {
			if (old[i].cell == NONE)
				continue;
			s = itab_insert_raw(gi->itab, gi->itabcap, old[i].id);
			*s = old[i];
		}
		free(old);
	}
	gi->count++;
	return itab_insert_raw(gi->itab, gi->itabcap, id);
}

static void
itab_delete(struct geo_index *gi, struct islot *s)
{
	size_t mask = gi->itabcap - 1, i = (size_t)(s - gi->itab), j, home;

	j = i;
	for (;;) {
		j = (j + 1) & mask;
		if (gi->itab[j].cell == NONE)
			break;
		home = id_hash(gi->itab[j].id) & mask;
		if (((j - home) & mask) >= ((j - i) & mask)) {
			gi->itab[i] = gi->itab[j];
			i = j;
		}
	}
	gi->itab[i].cell = NONE;
	gi->count--;
}

/* ---------------------------------------------------------------- the index */

struct geo_index *
geo_index_create(double cell_deg)
{
	struct geo_index *gi = xcalloc(1, sizeof *gi);

	if (!isfinite(cell_deg) || cell_deg <= 0)
		cell_deg = 0.05;
	if (cell_deg < 1e-5)
		cell_deg = 1e-5;
	if (cell_deg > 90.0)
		cell_deg = 90.0;
	gi->ncy = (int32_t)ceil(180.0 / cell_deg);
	gi->ncx = 2 * gi->ncy;
	gi->cell_deg = 180.0 / gi->ncy;
	gi->inv_cell = gi->ncy / 180.0;
	gi->ctabcap = MIN_TABLE;
	gi->ctab = ctab_alloc(gi->ctabcap);
	gi->itabcap = MIN_TABLE;
	gi->itab = itab_alloc(gi->itabcap);
	return gi;
}

void
geo_index_destroy(struct geo_index *gi)
{
	uint32_t i;

	if (gi == NULL)
		return;
	for (i = 0; i < gi->ncells; i++)
		free(gi->cells[i].e);
	free(gi->cells);
	free(gi->freecells);
	free(gi->ctab);
	free(gi->itab);
	free(gi);
}

size_t
geo_index_count(const struct geo_index *gi)
{
	return gi->count;
}

/* Clamp latitude, wrap longitude; false for non-finite input. */
static bool
normalise(struct geo_point *p)
{
	if (!isfinite(p->lat) || !isfinite(p->lon))
		return false;
	if (p->lat > 90.0)
		p->lat = 90.0;
	else if (p->lat < -90.0)
		p->lat = -90.0;
	p->lon = wrap_lon(p->lon);
	return true;
}

static int32_t
row_of(const struct geo_index *gi, double lat)
{
	int32_t y = (int32_t)floor((lat + 90.0) * gi->inv_cell);

	if (y < 0)
		y = 0;
	if (y >= gi->ncy)
		y = gi->ncy - 1;
	return y;
}

static int32_t
col_of(const struct geo_index *gi, double lon)
{
	int32_t x = (int32_t)floor((lon + 180.0) * gi->inv_cell);

	if (x < 0)
		x = 0;
	if (x >= gi->ncx) /* lon == 180 is the same meridian as -180 */
		x -= gi->ncx;
	return x;
}

static void
fill_entry(struct entry *e, struct geo_point p)
{
	double la = p.lat * DEG2RAD, lo = p.lon * DEG2RAD, cl = cos(la);

	e->x = cl * cos(lo);
	e->y = cl * sin(lo);
	e->z = sin(la);
	e->lat = p.lat;
	e->lon = p.lon;
}

static uint32_t
cell_get_or_add(struct geo_index *gi, uint64_t key)
{
	uint32_t c = ctab_find(gi, key);

	if (c != NONE)
		return c;
	if (gi->nfree > 0) {
		c = gi->freecells[--gi->nfree];
	} else {
		if (gi->ncells == gi->cellcap) {
			gi->cellcap = gi->cellcap ? gi->cellcap * 2 : 64;
			gi->cells = xreallocarray(gi->cells, gi->cellcap, sizeof *gi->cells);
		}
		c = gi->ncells++;
		memset(&gi->cells[c], 0, sizeof gi->cells[c]);
	}
	gi->cells[c].key = key;
	gi->cells[c].n = 0;
	ctab_insert(gi, key, c);
	return c;
}

/* Append entry to cell c; returns its position. */
static uint32_t
cell_push(struct geo_index *gi, uint32_t c, const struct entry *e)
{
	struct cell *cl = &gi->cells[c];

	if (cl->n == cl->cap) {
		cl->cap = cl->cap ? cl->cap * 2 : 4;
		cl->e = xreallocarray(cl->e, cl->cap, sizeof *cl->e);
	}
	cl->e[cl->n] = *e;
	return cl->n++;
}

/* Take entry pos out of cell c (swap with last); frees the cell when it empties. */
static void
cell_take(struct geo_index *gi, uint32_t c, uint32_t pos)
{
	struct cell *cl = &gi->cells[c];
	struct islot *moved;

	cl->n--;
	if (pos != cl->n) {
		cl->e[pos] = cl->e[cl->n];
		moved = itab_find(gi, cl->e[pos].id);
		moved->pos = pos;
	}
	if (cl->n > 0)
		return;
	ctab_delete(gi, cl->key);
	if (gi->nfree == gi->freecap) {
		gi->freecap = gi->freecap ? gi->freecap * 2 : 16;
		gi->freecells = xreallocarray(gi->freecells, gi->freecap, sizeof *gi->freecells);
	}
	gi->freecells[gi->nfree++] = c;
}

void
geo_index_put(struct geo_index *gi, uint32_t id, struct geo_point p, uint32_t mask)
{
	struct islot *s;
	struct entry e;
	uint64_t key;
	uint32_t c;

	if (!normalise(&p))
		return;
	key = cell_key(row_of(gi, p.lat), col_of(gi, p.lon));
	fill_entry(&e, p);
	e.id = id;
	e.mask = mask;

	s = itab_find(gi, id);
	if (s != NULL) {
		if (gi->cells[s->cell].key == key) {
			gi->cells[s->cell].e[s->pos] = e;
			return;
		}
		cell_take(gi, s->cell, s->pos);
		/* cell_take may have moved another slot's pos, never this slot. */
	} else {
		s = itab_insert(gi, id);
	}
	/* cell_get_or_add does not touch itab, so s stays valid. */
	c = cell_get_or_add(gi, key);
	s->cell = c;
	s->pos = cell_push(gi, c, &e);
}

bool
geo_index_set_mask(struct geo_index *gi, uint32_t id, uint32_t mask)
{
	struct islot *s = itab_find(gi, id);

	if (s == NULL)
		return false;
	gi->cells[s->cell].e[s->pos].mask = mask;
	return true;
}

bool
geo_index_remove(struct geo_index *gi, uint32_t id)
{
	struct islot *s = itab_find(gi, id);
	uint32_t c, pos;

	if (s == NULL)
		return false;
	c = s->cell;
	pos = s->pos;
	itab_delete(gi, s);
	cell_take(gi, c, pos);
	return true;
}

bool
geo_index_get(const struct geo_index *gi, uint32_t id, struct geo_point *p, uint32_t *mask)
{
	const struct islot *s = itab_find(gi, id);
	const struct entry *e;

	if (s == NULL)
		return false;
	e = &gi->cells[s->cell].e[s->pos];
	if (p != NULL) {
		p->lat = e->lat;
		p->lon = e->lon;
	}
	if (mask != NULL)
		*mask = e->mask;
	return true;
}

/* ---------------------------------------------------------------- queries */

struct query {
	double x, y, z;      /* the query point's unit vector */
	double lat, plon;    /* degrees; plon unwrapped to lie inside column qx */
	double coslat;
	int32_t qy, qx;
	uint32_t want;
	size_t k, n;         /* wanted, found so far */
	double c2max;        /* squared chord of max_m (> 4: no limit) */
	double maxang;       /* max_m as an angle (INFINITY: no limit) */
	double thresh;       /* accept a candidate with c2 <= thresh (< when full) */
	struct geo_hit *out; /* dist_m holds c2 until the end */
};

static double
chord2_of(double ang)
{
	double c = 2.0 * sin(ang / 2.0);

	return c * c;
}

static double
angle_of(double c2)
{
	double h = sqrt(c2) / 2.0;

	return 2.0 * asin(h > 1.0 ? 1.0 : h);
}

/* Current pruning radius (radians): the k-th best so far, else max_m. */
static double
radius(const struct query *q)
{
	if (q->n == q->k)
		return angle_of(q->out[q->k - 1].dist_m);
	return q->maxang;
}

static double
shrink(double lb)
{
	return lb * (1.0 - LB_REL) - LB_ABS;
}

static void
scan_cell(struct query *q, const struct cell *cl)
{
	const struct entry *e = cl->e, *end = cl->e + cl->n;
	double dx, dy, dz, c2;
	size_t i;

	for (; e < end; e++) {
		if ((e->mask & q->want) != q->want)
			continue;
		dx = e->x - q->x;
		dy = e->y - q->y;
		dz = e->z - q->z;
		c2 = dx * dx + dy * dy + dz * dz;
		if (c2 > q->thresh || (q->n == q->k && c2 >= q->thresh))
			continue;
		i = q->n < q->k ? q->n++ : q->k - 1;
		while (i > 0 && q->out[i - 1].dist_m > c2) {
			q->out[i] = q->out[i - 1];
			i--;
		}
		q->out[i].id = e->id;
		q->out[i].dist_m = c2;
		if (q->n == q->k)
			q->thresh = q->out[q->k - 1].dist_m;
	}
}

static void
visit(const struct geo_index *gi, struct query *q, int32_t row, int32_t dx)
{
	int32_t col = q->qx + dx;
	uint32_t c;

	col %= gi->ncx;
	if (col < 0)
		col += gi->ncx;
	c = ctab_find(gi, cell_key(row, col));
	if (c != NONE)
		scan_cell(q, &gi->cells[c]);
}

/* Column offsets [a, b] visited by ring r (b - a + 1 <= ncx, nested as r grows). */
static void
ring_cols(const struct geo_index *gi, const struct query *q, int32_t r, int32_t *a,
    int32_t *b)
{
	int32_t half = gi->ncx / 2;
	double w;

	if (r == 0) {
		*a = *b = 0;
		return;
	}
	w = q->coslat > 1e-9 ? ceil(r / q->coslat) : (double)half;
	if (w >= half) {
		*a = -half;
		*b = half - 1;
	} else {
		*a = -(int32_t)w;
		*b = (int32_t)w;
	}
}

/* Angle from the query point to the latitude band of row y (0 inside it). */
static double
row_gap(const struct geo_index *gi, const struct query *q, int32_t y)
{
	double lo = y * gi->cell_deg - 90.0, hi = lo + gi->cell_deg;

	if (q->lat < lo)
		return (lo - q->lat) * DEG2RAD;
	if (q->lat > hi)
		return (q->lat - hi) * DEG2RAD;
	return 0;
}

/*
 * Column offsets that can hold a point within rad of the query: a point whose longitude
 * differs by g is at least asin(cos(lat) sin(min(g, 90))) away, so only |g| <= G =
 * asin(sin(rad) / cos(lat)) matters. Returns false when no such cut exists.
 */
static bool
col_limits(const struct geo_index *gi, const struct query *q, double rad, int32_t *lo,
    int32_t *hi)
{
	double s, g;

	if (!(rad < M_PI / 2))
		return false;
	s = sin(rad);
	if (s >= q->coslat)
		return false;
	g = asin(s / q->coslat) * RAD2DEG;
	/* The cut is on unwrapped longitudes; keep it well away from the far side. */
	if (g + 2 * gi->cell_deg >= 180.0)
		return false;
	*lo = (int32_t)floor((q->plon - g + 180.0) * gi->inv_cell) - q->qx - 1;
	*hi = (int32_t)floor((q->plon + g + 180.0) * gi->inv_cell) - q->qx + 1;
	return true;
}

/* Visit offsets [a, b] of row y, trimmed to what can still beat the current radius. */
static void
visit_span(const struct geo_index *gi, struct query *q, int32_t y, int32_t a, int32_t b)
{
	int32_t lo, hi, dx;
	double rad;

	if (a > b)
		return;
	rad = radius(q);
	if (isfinite(rad)) {
		if (shrink(row_gap(gi, q, y)) > rad)
			return;
		if (col_limits(gi, q, rad, &lo, &hi)) {
			if (a < lo)
				a = lo;
			if (b > hi)
				b = hi;
		}
	}
	for (dx = a; dx <= b; dx++)
		visit(gi, q, y, dx);
}

/* Visit the part of rectangle (rows [ylo, yhi], offsets [a, b]) outside the previous one. */
static void
visit_ring(const struct geo_index *gi, struct query *q, int32_t ylo, int32_t yhi, int32_t a,
    int32_t b, int32_t pylo, int32_t pyhi, int32_t pa, int32_t pb, bool have_prev)
{
	int32_t y;

	for (y = ylo; y <= yhi; y++) {
		if (have_prev && y >= pylo && y <= pyhi) {
			visit_span(gi, q, y, a, pa - 1);
			visit_span(gi, q, y, pb + 1, b);
		} else {
			visit_span(gi, q, y, a, b);
		}
	}
}

/* Scan every non-empty cell outside the rectangle already visited. */
static void
scan_rest(const struct geo_index *gi, struct query *q, int32_t pylo, int32_t pyhi, int32_t pa,
    int32_t pb, bool have_prev)
{
	const struct cell *cl;
	int32_t y, x, d;
	uint32_t i;

	for (i = 0; i < gi->ncells; i++) {
		cl = &gi->cells[i];
		if (cl->n == 0)
			continue;
		if (have_prev) {
			y = (int32_t)(cl->key >> 32);
			x = (int32_t)(uint32_t)cl->key;
			d = (x - q->qx - pa) % gi->ncx;
			if (d < 0)
				d += gi->ncx;
			if (y >= pylo && y <= pyhi && d <= pb - pa)
				continue;
		}
		if (isfinite(q->maxang) || q->n == q->k) {
			y = (int32_t)(cl->key >> 32);
			if (shrink(row_gap(gi, q, y)) > radius(q))
				continue;
		}
		scan_cell(q, cl);
	}
}

/* Lower bound (radians) on the distance to any point outside the rectangle. */
static double
outside_bound(const struct geo_index *gi, const struct query *q, int32_t ylo, int32_t yhi,
    int32_t a, int32_t b)
{
	double lb = INFINITY, g;

	if (ylo > 0) {
		g = (q->lat - (ylo * gi->cell_deg - 90.0)) * DEG2RAD;
		lb = fmin(lb, g);
	}
	if (yhi < gi->ncy - 1) {
		g = (((yhi + 1) * gi->cell_deg - 90.0) - q->lat) * DEG2RAD;
		lb = fmin(lb, g);
	}
	if (b - a + 1 < gi->ncx) {
		g = fmin(q->plon - ((q->qx + a) * gi->cell_deg - 180.0),
		    ((q->qx + b + 1) * gi->cell_deg - 180.0) - q->plon);
		g = fmin(fmax(g, 0.0), 90.0) * DEG2RAD;
		lb = fmin(lb, asin(q->coslat * sin(g)));
	}
	return lb;
}

size_t
geo_index_nearest(const struct geo_index *gi, struct geo_point p, uint32_t want, size_t k,
    double max_m, struct geo_hit *out)
{
	struct query q;
	int32_t r, ylo, yhi, a, b, pylo = 0, pyhi = -1, pa = 0, pb = -1;
	size_t visited = 0, ring, budget, i, j, n;
	struct geo_point ep;
	struct geo_hit h;
	struct entry qe;
	const struct entry *e;
	const struct islot *s;
	double lb;

	if (k == 0 || gi->count == 0 || !normalise(&p))
		return 0;

	memset(&q, 0, sizeof q);
	fill_entry(&qe, p);
	q.x = qe.x;
	q.y = qe.y;
	q.z = qe.z;
	q.lat = p.lat;
	q.coslat = cos(p.lat * DEG2RAD);
	if (q.coslat < 0)
		q.coslat = 0;
	q.qy = row_of(gi, p.lat);
	q.qx = col_of(gi, p.lon);
	q.plon = p.lon;
	if (floor((p.lon + 180.0) * gi->inv_cell) >= gi->ncx)
		q.plon -= 360.0; /* lon 180 lives in column 0, as -180 */
	q.want = want;
	q.k = k;
	q.out = out;
	if (max_m > 0 && max_m / GEO_EARTH_RADIUS_M < M_PI) {
		q.maxang = max_m / GEO_EARTH_RADIUS_M;
		q.c2max = chord2_of(q.maxang) * (1.0 + 1e-9);
	} else {
		q.maxang = INFINITY;
		q.c2max = 5.0; /* above the largest possible chord^2 (4) */
	}
	q.thresh = q.c2max;

	/* Scanning every point once costs about as much as this many cell lookups. */
	budget = gi->nlive + gi->count / 4;

	for (r = 0;; r++) {
		ylo = q.qy - r > 0 ? q.qy - r : 0;
		yhi = q.qy + r < gi->ncy - 1 ? q.qy + r : gi->ncy - 1;
		ring_cols(gi, &q, r, &a, &b);
		ring = (size_t)(yhi - ylo + 1) * (size_t)(b - a + 1);
		if (r > 0)
			ring -= (size_t)(pyhi - pylo + 1) * (size_t)(pb - pa + 1);
		if (r > 0 && visited + ring > budget) {
			scan_rest(gi, &q, pylo, pyhi, pa, pb, true);
			break;
		}
		visit_ring(gi, &q, ylo, yhi, a, b, pylo, pyhi, pa, pb, r > 0);
		visited += ring;
		lb = outside_bound(gi, &q, ylo, yhi, a, b);
		if (isinf(lb) || shrink(lb) > radius(&q))
			break;
		pylo = ylo;
		pyhi = yhi;
		pa = a;
		pb = b;
	}

	/* Report haversine distances (same numbers as geo_distance_m), nearest first. */
	n = q.n;
	for (i = 0; i < n; i++) {
		s = itab_find(gi, out[i].id); /* found above, so present */
		e = &gi->cells[s->cell].e[s->pos];
		ep.lat = e->lat;
		ep.lon = e->lon;
		out[i].dist_m = geo_distance_m(p, ep);
	}
	for (i = 1; i < n; i++) {
		h = out[i];
		for (j = i; j > 0 && out[j - 1].dist_m > h.dist_m; j--)
			out[j] = out[j - 1];
		out[j] = h;
	}
	if (max_m > 0) {
		while (n > 0 && out[n - 1].dist_m > max_m)
			n--;
	}
	return n;
}
