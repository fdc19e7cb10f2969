/* view-kpi.h: the supervisor's screen: service levels over the tickets the console holds
 * and the board of overdue tickets.
 *
 * Top, tiles computed from model->tickets (the broker's snapshot keeps closed tickets for a
 * while, so these are the figures of the tickets held now, not of all time):
 *   - response time (created to truck on scene, for tickets with t_on_scene set): mean and
 *     90th percentile (nearest rank), next to the reference service's 24 minutes;
 *   - share within promise: of those reached on scene with a promise, t_on_scene <= promised;
 *   - open, late and at-risk counts (model->n_open, n_late, n_risk); today's NPS and the
 *     satisfied share (7-10) from stats.kpi's survey keys (view_surveys_nps_tile; "no
 *     survey data" from a broker without them); diagnosis sessions running now;
 *   - tickets per region.
 * Then the diagnosis tiles, from the broker's stats.kpi over every ticket it holds (asked
 * when the view opens and every 5 s of wall time while it is open; "no data" until the
 * first answer): phone resolution (resolved_remote / closed other than cancelled, so a
 * cancelled ticket never counts as solved) next to the modelled service's 6.4%, sessions
 * that ended in a dispatch (and tickets dispatched without one), the median session time,
 * and the customers' waiting time saved (the ETA those solved by phone did not wait).
 * Below, the overdue board: open tickets before scene whose promise has passed, and open
 * tickets with a red warning, most overdue first (no promise last, then by id), with id,
 * region, customer, state, truck, minutes late and the warning texts
 * (model_ticket_warnings). Above it, while any is active, the regions' warnings (ticket 0:
 * capacity, no able truck free in a region; view_kpi_region_warnings), red first, one row
 * each: level, region, since (clock time) and the text with the minutes and the calls
 * waiting, at most VIEW_KPI_CAPACITY_ROWS rows (the last says how many more).
 *
 * Keys (SCOPE_TICKET): movement and paging move the selection on the overdue board; Enter
 * opens the selected ticket's detail, the ticket actions (a, S, c, A) open it with that
 * action started (asked for with UI_OPEN, like the board), d its diagnosis, D the
 * diagnosis queue (live sessions), v the surveys (view-surveys.h); q/Esc close the view
 * (UI_CLOSE). Help, quit and redraw are left to the caller. Draws from the model; its only request is stats.kpi. */
#ifndef RD_VIEW_KPI_H
#define RD_VIEW_KPI_H

#include <stddef.h>
#include <stdint.h>

#include "view.h"

struct model;
struct proto_ticket;
struct proto_warning;

/* The reference figures shown next to the measured ones. */
#define VIEW_KPI_REF_RESPONSE_MS (24 * 60 * 1000LL)
#define VIEW_KPI_REF_PHONE_PERMILLE 64

#define VIEW_KPI_REGIONS_MAX 16

/* The figures of the tiles. Shares are given as numerator and denominator. */
struct view_kpi_stats {
	size_t n_tickets;		/* tickets held */
	size_t n_response;		/* tickets that reached on_scene */
	int64_t response_mean_ms;	/* sum / n_response, truncated; 0 when none */
	int64_t response_p90_ms;	/* nearest rank: the ceil(0.9 n)-th smallest; 0 when none */
	size_t n_promised;		/* of n_response, those with a promise */
	size_t n_within;		/* of n_promised, t_on_scene <= promised */
	size_t n_diag;			/* diagnosis sessions running */
	size_t n_open, n_late, n_risk;	/* as counted by model_refresh */
	/* tickets per region, in order of first appearance; "other" counts the rest */
	const char *region[VIEW_KPI_REGIONS_MAX];	/* borrowed from the tickets */
	size_t region_count[VIEW_KPI_REGIONS_MAX];
	size_t n_regions;
	size_t region_other;
};

/* Compute the figures from m (pure; strings borrowed from m's tickets). */
void view_kpi_stats(const struct model *m, struct view_kpi_stats *out);

/* The overdue board of m, most overdue first: up to max tickets (borrowed) into out;
 * returns how many there are in all (may be more than max). */
size_t view_kpi_overdue(const struct model *m, const struct proto_ticket **out, size_t max);

#define VIEW_KPI_CAPACITY_ROWS 3

/* The active warnings of m on no ticket (ticket 0: a region's), red first, then by
 * since (oldest first): up to max (borrowed) into out; returns how many there are in all. */
size_t view_kpi_region_warnings(const struct model *m, const struct proto_warning **out,
    size_t max);

/* A new supervisor view, scope SCOPE_TICKET; asks for stats.kpi at once. Destroy with
 * view_destroy(). */
struct view *view_kpi_create(struct model *m);

#endif
