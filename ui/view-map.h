/* view-map.h: the live map of a region (M on the board, the ticket detail and the
 * supervisor's screen): the region's outline and landmarks, the trucks (free, busy,
 * offered, without a recent fix) and the open tickets by their standing (on time, at
 * risk, late, as the board counts them), drawn with ui/map.h; a selected ticket with its
 * truck and the truck's track (ticket.track, ui/track.h) and a one-line summary. It
 * follows the model: trucks move as their fixes arrive.
 *
 * Keys (SCOPE_MAP): arrows and h j k l pan by a quarter of the map, + (=) and - zoom, 0
 * shows the whole region again, r the next region, Tab and S-Tab select the next and the
 * previous open ticket of the region (most urgent first) and centre on it, Enter opens
 * its detail, q goes back. Opened with a ticket, the map shows that ticket's region
 * centred on it, zoomed to hold its truck and track (fitted again when the track comes
 * later, unless the map was moved by hand meanwhile); else the region with the most open
 * tickets, whole. A selected ticket panned off the map shows as an arrow at the edge. */
#ifndef RD_VIEW_MAP_H
#define RD_VIEW_MAP_H

#include <stdint.h>

#include "view.h"

struct model;

/* ticket: the ticket to select (0: none). Owned by the caller (view_destroy). */
struct view *view_map_create(struct model *m, int64_t ticket);

#endif
