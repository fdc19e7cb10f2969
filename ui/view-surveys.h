/* view-surveys.h: customers' survey answers of today and the detractors' call-back tasks
 * (issue 14), opened by v on the board, the ticket detail and the supervisor's screen.
 *
 * Two lists, one selection across both:
 *   - call-backs: the active warnings of kind detractor in the model (the warning stream
 *     keeps them whatever happened to their tickets), the most urgent first (overdue, then
 *     by due time): ticket, score, due in or overdue by (minutes), owner, and the
 *     comment when today's answers hold it;
 *   - today's answers (China day, by when the customer answered): from stats.kpi with
 *     surveys (PROTOCOL.md 7.18), asked when the view opens and every 5 s of wall time while
 *     it is open, newest first: clock time, ticket, score (by class: promoters, passives,
 *     detractors), comment.
 * The title shows the day's NPS with n and its 95% interval (or "n too small" under 30
 * answers) and the satisfied share (7-10), from src/model/nps.h. Comments are customers'
 * words: control characters and line breaks show as spaces, cut by display width (CJK
 * counts two).
 *
 * Keys (SCOPE_SURVEYS, under the ticket actions): movement moves the selection; Enter
 * opens the selected row's ticket (the detail fetches one the model no longer holds); C a
 * new complaint filled from the ticket (a comment may mention one; the form fetches a
 * ticket the model no longer holds, ticket.get); o owns the ticket's warnings, the
 * call-back among them; B says the call-back of the selected ticket is done (survey.done);
 * q/Esc close. Draws from the model and its own copy of the last answer. */
#ifndef RD_VIEW_SURVEYS_H
#define RD_VIEW_SURVEYS_H

#include <stddef.h>

#include "theme.h"
#include "view.h"

struct model;
struct proto_kpi;

struct view *view_surveys_create(struct model *m);

/* The supervisor screen's NPS tile from stats.kpi's survey keys (k NULL, or a broker
 * without them: no data): value ("+58 · 88.9%": NPS and the satisfied share), detail
 * ("n=45 · 38..78", or "n=12 · n too small") and its role. */
void view_surveys_nps_tile(const struct proto_kpi *k, char *value, size_t vsz, char *detail,
    size_t dsz, enum theme_role *role);

#endif
