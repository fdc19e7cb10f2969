/* geo.h: great-circle geometry and a grid spatial index of points. Pure: no I/O, no clock.
 *
 * Coordinates are WGS-84 degrees. Distances are metres on a sphere of radius 6 371 008.8 m.
 *
 * struct geo_index is a uniform grid of cells (cell size in degrees chosen at create time);
 * each point has a caller-chosen id (uint32_t, e.g. an index into the caller's truck array)
 * and a 32-bit mask of caller-defined bits (e.g. "available", capability bits) used to filter
 * queries without a callback. Ownership: the index owns its cells; ids are plain numbers. */
#ifndef RD_GEO_H
#define RD_GEO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define GEO_EARTH_RADIUS_M 6371008.8

struct geo_point {
	double lat, lon;
};

/* true when lat in [-90,90], lon in [-180,180] and both finite. */
bool geo_valid(double lat, double lon);
/* Haversine distance in metres. */
double geo_distance_m(struct geo_point a, struct geo_point b);
/* Initial bearing from a to b, degrees clockwise from north in [0,360). */
double geo_bearing_deg(struct geo_point a, struct geo_point b);
/* The point reached from a after dist_m along the great circle at bearing_deg. */
struct geo_point geo_destination(struct geo_point a, double bearing_deg, double dist_m);
/* Move from a toward b by at most step_m (returns b if closer than step_m). */
struct geo_point geo_step_toward(struct geo_point a, struct geo_point b, double step_m);

struct geo_index;

struct geo_hit {
	uint32_t id;
	double dist_m;
};

/* cell_deg: grid cell size in degrees (e.g. 0.05 ~ 5.5 km). Caller frees with destroy. */
struct geo_index *geo_index_create(double cell_deg);
void geo_index_destroy(struct geo_index *gi); /* NULL is fine */
/* Insert or move point `id` (ids may be sparse up to 2^32-1); mask replaces the old mask.
 * Latitude is clamped to [-90,90] and longitude wrapped into [-180,180]; a non-finite point
 * is ignored (the id keeps its previous position, if any). */
void geo_index_put(struct geo_index *gi, uint32_t id, struct geo_point p, uint32_t mask);
/* Change only the mask of an existing point; returns false if id is not present. */
bool geo_index_set_mask(struct geo_index *gi, uint32_t id, uint32_t mask);
/* Remove a point; returns false if absent. */
bool geo_index_remove(struct geo_index *gi, uint32_t id);
size_t geo_index_count(const struct geo_index *gi);
/* Look up point `id`: fills *p and *mask (either may be NULL); false if absent. */
bool geo_index_get(const struct geo_index *gi, uint32_t id, struct geo_point *p,
    uint32_t *mask);
/* The k nearest points to p whose mask has ALL bits of `want` set, nearest first, within
 * max_m metres (<= 0: no limit). Fills out[0..k-1]; returns how many were found. Visits
 * cells in growing rings and stops as soon as no unvisited cell can hold a nearer point. */
size_t geo_index_nearest(const struct geo_index *gi, struct geo_point p, uint32_t want,
    size_t k, double max_m, struct geo_hit *out);

#endif
