/* chrome.c: title bar, STALE banner, status line, message line and prompts (chrome.h). */
#include "chrome.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "kinds.h"
#include "present.h"
#include "role.h"
#include "text.h"
#include "util.h"

#define CHROME_USER_SHORT 12 /* columns of the user's name on the status line below 100 */
#define CHROME_DOT_COLS 5	/* "  ·  " between the parts of the banner */
#define CHROME_ENDPOINT_MIN 16	/* columns below which the banner leaves the endpoint out */

void
chrome_title(struct vscreen *vs, const struct model *m, const char *left, const char *right)
{
	char buf[256], clock[16];

	model_fmt_clock(m->now, clock, sizeof clock);
	if (right != NULL && right[0] != '\0')
		snprintf(buf, sizeof buf, "%s   %s", right, clock);
	else
		snprintf(buf, sizeof buf, "%s", clock);
	view_draw_title(vs, 0, left, buf);
}

bool
chrome_banner_needed(const struct model *m)
{
	return m->conn == MODEL_STALE || m->conn == MODEL_CONNECTING;
}

void
chrome_banner(struct vscreen *vs, int y, const struct model *m)
{
	char buf[1024], age[24], ep[512] = "", line[sizeof buf + sizeof ep + 8];
	const char *what, *out = buf;
	int x;

	if (m->conn != MODEL_LIVE && model_auth_name(m->auth) != NULL)
		what = i18n_tr(model_auth_name(m->auth));	/* not let in: say why */
	else if (m->group_n > 1)
		what = NULL;	/* a group: which broker is asked for the leader, below */
	else if (m->conn == MODEL_CONNECTING && m->hb_age_ms < 0)
		what = i18n_tr("banner.connecting");
	else if (m->conn == MODEL_CONNECTING)
		what = i18n_tr("banner.reconnecting");
	else
		what = i18n_tr("status.stale_banner");
	/* The state and the age first: they must survive a narrow screen. */
	snprintf(buf, sizeof buf, " %s ", i18n_tr(model_conn_name(m->conn)));
	vscreen_fill(vs, 0, y, vscreen_cols(vs), 1, ROLE_STALE, 0, L' ');
	x = 1 + vscreen_put(vs, 1, y, ROLE_STALE, THEME_REVERSE, buf, -1) + 1;
	/* (Re)connecting: name the endpoint tried, before the rest, so a wrong --api shows;
	 * after why the broker does not let us in, when it said */
	if (m->conn == MODEL_CONNECTING && m->endpoint[0] != '\0' &&
	    model_auth_name(m->auth) != NULL) {
		const char *vars[] = { "endpoint", m->endpoint };
		char at[400];

		present_fill(i18n_tr("banner.endpoint"), vars, 1, at, sizeof at);
		snprintf(buf, sizeof buf, "%s  \xc2\xb7  %s", what, at);
		vscreen_put_ellipsis(vs, x, y, ROLE_STALE, 0, buf, vscreen_cols(vs) - x - 1);
		return;
	}
	if (what == NULL) {
		char at[12], n[12];
		const char *vars[] = { "at", at, "count", n, "endpoint", m->endpoint };

		snprintf(at, sizeof at, "%d", m->group_at);
		snprintf(n, sizeof n, "%d", m->group_n);
		present_fill(i18n_tr("banner.group"), vars, 3, ep, sizeof ep);
		what = ep;
	}
	if (m->hb_age_ms >= 0) {
		present_age(m->hb_age_ms, age, sizeof age);
		snprintf(buf, sizeof buf, "%s %s  \xc2\xb7  %s", i18n_tr("banner.age"), age, what);
	} else
		snprintf(buf, sizeof buf, "%s", what);
	/* (Re)connecting: the endpoint goes before the words and the age in what room they
	 * leave, cut with an ellipsis, or not at all when too little is left to tell it */
	if (what != ep && m->conn == MODEL_CONNECTING && m->endpoint[0] != '\0') {
		const char *vars[] = { "endpoint", m->endpoint };
		int room = vscreen_cols(vs) - x - 1 - text_width(buf) - CHROME_DOT_COLS;

		if (room >= CHROME_ENDPOINT_MIN) {
			char *cut;

			present_fill(i18n_tr("banner.endpoint"), vars, 1, ep, sizeof ep);
			cut = text_truncate(ep, room, true);
			snprintf(line, sizeof line, "%s  \xc2\xb7  %s", cut, buf);
			free(cut);
			out = line;
		}
	}
	vscreen_put_ellipsis(vs, x, y, ROLE_STALE, 0, out, vscreen_cols(vs) - x - 1);
}

int
chrome_body_top(const struct vscreen *vs, const struct model *m)
{
	(void)vs;
	return chrome_banner_needed(m) ? 2 : 1;
}

int
chrome_body_end(const struct vscreen *vs)
{
	return vscreen_rows(vs) - 2;
}

static enum theme_role
conn_role(enum model_conn c)
{
	switch (c) {
	case MODEL_LIVE:
		return ROLE_OK;
	case MODEL_SYNCING:
		return ROLE_PENDING;
	default:
		return ROLE_STALE;
	}
}

/* Write s at *x in role/attr if it fits before limit; advances *x. */
static void
seg(struct vscreen *vs, int *x, int y, int limit, enum theme_role role, unsigned attr,
    const char *s)
{
	int w = text_width(s);

	if (*x + w > limit)
		return;
	vscreen_put(vs, *x, y, role, attr, s, w);
	*x += w;
}

/* Write sep then s at *x if both fit before limit: a separator is never left hanging at
 * the end of the line ("late 52 · at risk 32 ·") when what it separates does not fit. */
static void
seg_sep(struct vscreen *vs, int *x, int y, int limit, const char *sep, enum theme_role role,
    unsigned attr, const char *s)
{
	if (*x + text_width(sep) + text_width(s) > limit)
		return;
	seg(vs, x, y, limit, ROLE_STATUS, 0, sep);
	seg(vs, x, y, limit, role, attr, s);
}

void
chrome_status(struct vscreen *vs, int y, const struct model *m)
{
	int cols = vscreen_cols(vs), x = 1, limit;
	size_t late = m->n_late, risk = m->n_risk, pending = model_pending_waiting(m), queued;
	char buf[160], age[24], key[48], *user;
	const char *demo = m->demo ? i18n_tr("status.demo") : NULL;

	vscreen_fill(vs, 0, y, cols, 1, ROLE_STATUS, 0, L' ');
	limit = cols - 1;
	if (demo != NULL) {
		limit -= text_width(demo) + 2;
		vscreen_put(vs, limit + 1, y, ROLE_PENDING, THEME_BOLD, demo, -1);
		vscreen_put(vs, limit + 1 + text_width(demo), y, ROLE_STATUS, 0, " ", 1);
	}
	/* who we are: the broker's name for us and our role; a long name is cut short below
	 * 100 columns so the connection and the counts keep their place */
	snprintf(key, sizeof key, "role.%s", model_role_name(m->role));
	user = text_truncate(m->user[0] != '\0' ? m->user : "-", cols < 100 ?
	    CHROME_USER_SHORT : PROTO_USER_MAX, true);
	snprintf(buf, sizeof buf, "%s \xc2\xb7 %s", user, i18n_tr(key));
	free(user);
	seg(vs, &x, y, limit, ROLE_STATUS, THEME_BOLD, buf);
	seg(vs, &x, y, limit, ROLE_STATUS, 0, "   ");
	if (m->conn != MODEL_LIVE && model_auth_name(m->auth) != NULL)
		/* not let in: the reason in words, never an endless "connecting" */
		snprintf(buf, sizeof buf, " %s ", i18n_tr(model_auth_name(m->auth)));
	else
		snprintf(buf, sizeof buf, " %s ", i18n_tr(model_conn_name(m->conn)));
	seg(vs, &x, y, limit, conn_role(m->conn), THEME_BOLD, buf);
	if (m->hb_age_ms >= 0) {
		present_age(m->hb_age_ms, age, sizeof age);
		snprintf(buf, sizeof buf, " %s %s", i18n_tr("status.data_age"), age);
		seg(vs, &x, y, limit, ROLE_STATUS, 0, buf);
	}
	snprintf(buf, sizeof buf, "%s %zu", i18n_tr("status.late"), late);
	seg_sep(vs, &x, y, limit, "   ", ROLE_STATUS, late > 0 ? THEME_BOLD : 0, buf);
	snprintf(buf, sizeof buf, "%s %zu", i18n_tr("status.at_risk"), risk);
	seg_sep(vs, &x, y, limit, " \xc2\xb7 ", ROLE_STATUS, risk > 0 ? THEME_BOLD : 0, buf);
	size_t waiting = 0; /* tickets where only an agent can choose the truck, kept waiting */
	for (size_t i = 0; i < m->n_warnings; i++)
		waiting += warn_kind_parse(m->warnings[i]->kind) == WARN_WAITING_AGENT;
	if (waiting > 0) {
		snprintf(buf, sizeof buf, "%s %zu", i18n_tr("status.waiting_agent"), waiting);
		seg_sep(vs, &x, y, limit, " \xc2\xb7 ", ROLE_STATUS, THEME_BOLD, buf);
	}
	if (pending > 0) {
		snprintf(buf, sizeof buf, "%s %zu", i18n_tr("status.pending"), pending);
		int x0 = x;
		seg_sep(vs, &x, y, limit, "   ", ROLE_STATUS, THEME_BOLD, buf);
		if (x > x0 && (queued = model_pending_queued(m)) > 0) {
			snprintf(buf, sizeof buf, " (%s %zu)", i18n_tr("status.queued"), queued);
			seg(vs, &x, y, limit, ROLE_PENDING, THEME_BOLD, buf);
		}
	}
	if (m->group_n > 1) {
		/* a group: the broker followed, right-aligned, when the counts leave room */
		snprintf(buf, sizeof buf, "%s %d/%d", i18n_tr("status.broker"), m->group_at,
		    m->group_n);
		int w = text_width(buf);
		if (x + 3 + w <= limit)
			vscreen_put(vs, limit - w, y, ROLE_STATUS, 0, buf, w);
	}
}

void
chrome_message(struct vscreen *vs, int y, const struct model *m,
    const struct view_hint *hints, int n)
{
	int cols = vscreen_cols(vs);

	if (m->message[0] == '\0') {
		view_draw_hints(vs, y, hints, n);
		return;
	}
	if (m->message_error) {
		chrome_error(vs, y, m->message);
		return;
	}
	vscreen_fill(vs, 0, y, cols, 1, ROLE_NORMAL, 0, L' ');
	vscreen_put_ellipsis(vs, 1, y, ROLE_NORMAL, 0, m->message, cols - 2);
}

void
chrome_hints(struct vscreen *vs, int y, const struct model *m,
    const struct chrome_hint *hints, int n)
{
	struct view_hint shown[CHROME_HINTS_MAX];
	bool take[CHROME_HINTS_MAX] = { false };
	int room = vscreen_cols(vs) - 2, used = -2, k = 0, top = 0;
	char keys[40];

	if (n > CHROME_HINTS_MAX)
		n = CHROME_HINTS_MAX;
	for (int i = 0; i < n; i++)
		top = hints[i].rank > top ? hints[i].rank : top;
	/* by rank, each that still fits (a hint after the first takes two columns more) */
	for (int rank = 0; rank <= top; rank++) {
		for (int i = 0; i < n; i++) {
			const struct chrome_hint *h = &hints[i];
			if (h->rank != rank || (h->op != PROTO_MSG_COUNT &&
			    !role_may_op(m->role, h->op, NULL)))
				continue;
			view_hint_keys(&h->h, keys, sizeof keys);
			int w = text_width(keys) + 1 + text_width(i18n_tr(h->h.label));
			if (used + 2 + w <= room) {
				take[i] = true;
				used += 2 + w;
			}
		}
	}
	for (int i = 0; i < n; i++)
		if (take[i])
			shown[k++] = hints[i].h;
	chrome_message(vs, y, m, shown, k);
}

void
chrome_error(struct vscreen *vs, int y, const char *text)
{
	int cols = vscreen_cols(vs);

	vscreen_fill(vs, 0, y, cols, 1, ROLE_ERROR, 0, L' ');
	vscreen_put_ellipsis(vs, 1, y, ROLE_ERROR, 0, text, cols - 2);
}

int
chrome_prompt(struct vscreen *vs, int y, const char *label, struct lineedit *le,
    const char *hint)
{
	int cols = vscreen_cols(vs), x, hw = hint != NULL ? text_width(hint) : 0, w, cx;

	vscreen_fill(vs, 0, y, cols, 1, ROLE_NORMAL, 0, L' ');
	x = 1 + vscreen_put(vs, 1, y, ROLE_KEY, 0, label, cols / 3);
	x += 1;
	w = cols - x - 1;
	if (hw > 0 && w - hw - 2 >= 20) {
		w -= hw + 2;
		vscreen_put(vs, cols - 1 - hw, y, ROLE_DIM, 0, hint, hw);
	}
	cx = lineedit_draw(le, vs, x, y, w, ROLE_INPUT, 0);
	vscreen_set_cursor(vs, cx, y, true);
	return cx;
}

void
chrome_section(struct vscreen *vs, int x, int y, int w, const char *title, const char *right)
{
	int tw, rw = right != NULL ? text_width(right) : 0;

	if (w <= 0)
		return;
	vscreen_fill(vs, x, y, w, 1, ROLE_BORDER, 0, L'\x2500');
	tw = vscreen_put(vs, x + 1, y, ROLE_HEADER, 0, " ", 1);
	tw += vscreen_put_ellipsis(vs, x + 2, y, ROLE_HEADER, 0, title, w - 4);
	vscreen_put(vs, x + 1 + tw, y, ROLE_HEADER, 0, " ", 1);
	if (rw > 0 && 1 + tw + 3 + rw + 3 <= w) {
		vscreen_put(vs, x + w - rw - 3, y, ROLE_DIM, 0, " ", 1);
		vscreen_put(vs, x + w - rw - 2, y, ROLE_DIM, 0, right, rw);
		vscreen_put(vs, x + w - 2, y, ROLE_DIM, 0, " ", 1);
	}
}

void
chrome_keys_text(char *buf, size_t sz, const char *const *pairs, int npairs)
{
	size_t len;
	int i;

	if (sz == 0)
		return;
	buf[0] = '\0';
	for (i = 0; i < npairs; i++) {
		len = strlen(buf);
		snprintf(buf + len, sz - len, "%s%s %s", i > 0 ? "  " : "", pairs[2 * i],
		    i18n_tr(pairs[2 * i + 1]));
	}
}

void
chrome_key_hints(struct vscreen *vs, int y, const char *const *pairs, int npairs)
{
	int cols = vscreen_cols(vs), x = 1, i, kw, lw;
	const char *label;

	vscreen_fill(vs, 0, y, cols, 1, ROLE_KEY_HINT, 0, L' ');
	for (i = 0; i < npairs; i++) {
		label = i18n_tr(pairs[2 * i + 1]);
		kw = text_width(pairs[2 * i]);
		lw = text_width(label);
		if (x + kw + 1 + lw > cols - 1)
			break;
		vscreen_put(vs, x, y, ROLE_KEY, 0, pairs[2 * i], kw);
		vscreen_put(vs, x + kw + 1, y, ROLE_KEY_HINT, 0, label, lw);
		x += kw + 1 + lw + 2;
	}
}
