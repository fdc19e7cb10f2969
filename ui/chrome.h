/* chrome.h: the frame every main view of the console shares, so the board, the detail and
 * the intake form look alike and never disagree about what is live:
 *
 *     row 0          title bar: what this is on the left, counts and the clock on the right
 *     row 1          the STALE banner, only while the data is not live (model->conn is
 *                    MODEL_STALE or MODEL_CONNECTING), with the age of the data; while
 *                    (re)connecting it names the broker endpoint tried (model->endpoint)
 *     ...            the view's body
 *     rows-2         status line: user, role, connection state with data age, counts,
 *                    commands in flight
 *     rows-1         message line (errors in ROLE_ERROR), else key hints; or a prompt
 *
 * Texts come from the catalogs (i18n_tr) at draw time. Pure drawing: no curses, no clock
 * (the clock shown is model->now). */
#ifndef RD_CHROME_H
#define RD_CHROME_H

#include <stdbool.h>

#include "lineedit.h"
#include "model.h"
#include "view.h"
#include "vscreen.h"

/* Title bar on row 0: left, then right (may be NULL) and the clock right-aligned. */
void chrome_title(struct vscreen *vs, const struct model *m, const char *left,
    const char *right);

/* Whether the banner is due: the connection is stale or (re)connecting. */
bool chrome_banner_needed(const struct model *m);
/* Draw the banner on row y in ROLE_STALE across the whole width. */
void chrome_banner(struct vscreen *vs, int y, const struct model *m);

/* The first body row (after the title and any banner) and the row after the body (the
 * status line's row). */
int chrome_body_top(const struct vscreen *vs, const struct model *m);
int chrome_body_end(const struct vscreen *vs);

/* Status line on row y. */
void chrome_status(struct vscreen *vs, int y, const struct model *m);
/* Message line on row y: model->message (ROLE_ERROR if it is an error), else the hints. */
void chrome_message(struct vscreen *vs, int y, const struct model *m,
    const struct view_hint *hints, int n);
/* A hint of a bar chosen by role and width (chrome_hints): shown only when the console's
 * role may send op (role.h; PROTO_MSG_COUNT: any role may use the key); rank orders the
 * hints by how much they matter, 0 the most. */
struct chrome_hint {
	struct view_hint h;
	enum proto_msg_id op;
	int rank;
};
#define CHROME_HINTS_MAX 24
/* chrome_message with the hints of the table the console's role (model->role, as --role
 * or the broker's hello named it) may use: when they do not all fit the width, those of
 * the lowest rank first (then the table's order) as long as they fit, shown in the
 * table's order. At most CHROME_HINTS_MAX are looked at. */
void chrome_hints(struct vscreen *vs, int y, const struct model *m,
    const struct chrome_hint *hints, int n);
/* An error in words across row y in ROLE_ERROR (prompts show their errors above the
 * status line with it). */
void chrome_error(struct vscreen *vs, int y, const char *text);

/* A prompt on row y: " label " then the editor, then hint (dim, may be NULL) at the right
 * if there is room. Shows the cursor in the editor; returns its column. */
int chrome_prompt(struct vscreen *vs, int y, const char *label, struct lineedit *le,
    const char *hint);

/* A section rule on row y from x over w columns: " title " in ROLE_HEADER on a line of
 * ROLE_BORDER, then right (dim, may be NULL) near the end. */
void chrome_section(struct vscreen *vs, int x, int y, int w, const char *title,
    const char *right);

/* Key hints as text for a prompt: pairs of key name and catalog key, e.g. { "Enter",
 * "prompt.apply", "Esc", "prompt.cancel" } gives "Enter apply  Esc cancel". npairs is the
 * number of pairs. Written into buf (truncated). */
void chrome_keys_text(char *buf, size_t sz, const char *const *pairs, int npairs);

/* A key-hint bar on row y like view_draw_hints(), from pairs of key name and catalog key
 * (for text-entry views, where an action's first key may be text). */
void chrome_key_hints(struct vscreen *vs, int y, const char *const *pairs, int npairs);

#endif
