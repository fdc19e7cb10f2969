/* view-escalate.c: escalating a ticket by hand (see view-escalate.h). What the form offers
 * is what the console's role may do (ui/role.c, PROTOCOL.md 7.0): a role that may not end
 * an escalation sees an escalated ticket read-only, without a prompt. */
#include "view-escalate.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chrome.h"
#include "i18n.h"
#include "kinds.h"
#include "lineedit.h"
#include "model.h"
#include "own.h"
#include "present.h"
#include "role.h"
#include "util.h"

#define WARN_MAX 8

struct view_escalate {
	struct view view;	/* first member */
	int64_t id;
	bool clear;	/* what the agent saw when the view opened: an escalation to end */
	struct lineedit edit;
	char error[256];
};

static const char *const prompt_keys[] = {
	"Enter", "prompt.send", "Esc", "prompt.cancel",
};

static const char *const read_keys[] = {
	"Esc", "detail.hint.back",
};

/* Whether the console's role may end an escalation (ticket.escalate with clear); true
 * when the broker named no role. */
static bool
may_clear(const struct model *m)
{
	struct proto_escalate a = { .clear = true, .present = 0 };

	PROTO_SET(&a, escalate, clear);
	return role_may(m, PROTO_MSG_escalate, &a);
}

static void
esc_draw(struct view *v, const struct model *m, struct vscreen *vs, const struct theme *th)
{
	struct view_escalate *ve = (struct view_escalate *)v;
	const struct proto_ticket *t = model_ticket(m, ve->id);
	const struct proto_warning *w[WARN_MAX];
	int cols = vscreen_cols(vs), rows = vscreen_rows(vs), y, y1;
	char left[256], line[512], text[256], ago[32], keys[128];
	bool escalated = t != NULL && own_ticket_escalated(t);
	bool read_only = escalated && !may_clear(m);
	size_t n, i;

	(void)th;
	if (view_too_small(cols, rows)) {
		view_draw_too_small(vs);
		return;
	}
	vscreen_fill(vs, 0, 0, cols, rows, ROLE_NORMAL, 0, L' ');
	snprintf(left, sizeof left, "%s \xe2\x94\x82 %s #%lld", i18n_tr("app.name"),
	    i18n_tr("esc.title"), (long long)ve->id);
	chrome_title(vs, m, left, NULL);
	if (chrome_banner_needed(m))
		chrome_banner(vs, 1, m);
	y = chrome_body_top(vs, m) + 1;
	y1 = chrome_body_end(vs) - 1;
	if (t == NULL) {
		vscreen_put_ellipsis(vs, 2, y, ROLE_DIM, 0, i18n_tr("esc.gone"), cols - 4);
	} else {
		snprintf(line, sizeof line, "#%lld \xc2\xb7 %s \xc2\xb7 %s \xc2\xb7 %s",
		    (long long)t->id, t->customer, present_state(t->state),
		    present_region(m->data, t->region));
		vscreen_put_ellipsis(vs, 2, y++, ROLE_NORMAL, THEME_BOLD, line, cols - 4);
		y++;
		chrome_section(vs, 0, y++, cols, i18n_tr("esc.warnings"), NULL);
		n = model_ticket_warnings(m, t->id, w, WARN_MAX);
		if (n == 0)
			vscreen_put_ellipsis(vs, 2, y++, ROLE_DIM, 0, i18n_tr("esc.no_warnings"),
			    cols - 4);
		for (i = 0; i < n && y < y1 - 3; i++) {
			present_warning_text(w[i], t, m->now, text, sizeof text);
			own_warning_words(w[i], text, line, sizeof line);
			vscreen_put_ellipsis(vs, 2, y++, warn_level_parse(w[i]->level) ==
			    WARN_LEVEL_RED ? ROLE_LATE : ROLE_WARN, 0, line, cols - 4);
		}
		y++;
		chrome_section(vs, 0, y++, cols, i18n_tr("esc.state"), NULL);
		if (escalated) {
			model_fmt_minutes(m->now > t->escalated ? m->now - t->escalated : 0, ago,
			    sizeof ago);
			snprintf(line, sizeof line, "%s%s%s \xc2\xb7 %s %s \xc2\xb7 %s",
			    i18n_tr("esc.escalated_by"), present_colon(),
			    t->escalated_by[0] != '\0' ? t->escalated_by : "-", ago,
			    i18n_tr("esc.ago"), t->escalate_reason);
			vscreen_put_ellipsis(vs, 2, y++, ROLE_LATE, 0, line, cols - 4);
			vscreen_put_ellipsis(vs, 2, y++, ROLE_DIM, 0, i18n_tr(read_only ?
			    "esc.clear_not_role" : "esc.clear_hint"), cols - 4);
		} else {
			int64_t auto_at = 0;

			vscreen_put_ellipsis(vs, 2, y++, ROLE_NORMAL, 0, i18n_tr("esc.not"),
			    cols - 4);
			/* a warning tagged [escalated] above went to the supervisors by itself
			 * (PROTOCOL.md 7.26): say so, apart from the ticket's escalation by hand */
			for (i = 0; i < n; i++)
				if (!w[i]->cleared && own_warning_escalated(w[i]) &&
				    !(PROTO_HAS(w[i], warning, owner) && w[i]->owner[0] != '\0') &&
				    (auto_at == 0 || w[i]->escalated < auto_at))
					auto_at = w[i]->escalated;
			if (auto_at > 0) {
				char at[16];
				const char *vars[] = { "tag", i18n_tr("own.tag"), "at", at };

				model_fmt_clock(auto_at, at, sizeof at);
				present_fill(i18n_tr("esc.auto"), vars, 2, line, sizeof line);
				vscreen_put_ellipsis(vs, 2, y++, ROLE_NORMAL, 0, line, cols - 4);
			}
			vscreen_put_ellipsis(vs, 2, y++, ROLE_DIM, 0, i18n_tr("esc.hint"),
			    cols - 4);
		}
	}
	if (ve->error[0] != '\0')
		chrome_error(vs, rows - 3, ve->error);
	chrome_status(vs, rows - 2, m);
	if (read_only) {	/* nothing this role may send: no prompt to type into */
		chrome_key_hints(vs, rows - 1, read_keys, (int)ARRAY_LEN(read_keys) / 2);
		return;
	}
	chrome_keys_text(keys, sizeof keys, prompt_keys, 2);
	chrome_prompt(vs, rows - 1, i18n_tr(escalated ? "esc.prompt_clear" : "esc.prompt"),
	    &ve->edit, keys);
}

static unsigned
submit(struct view_escalate *ve, struct model *m)
{
	const struct proto_ticket *t = model_ticket(m, ve->id);
	struct proto_escalate a = { .id = ve->id, .present = 0 };
	struct model_request rq = { .op = PROTO_MSG_escalate, .args = &a };
	const char *text = lineedit_text(&ve->edit);
	bool clear = t != NULL && own_ticket_escalated(t);
	char what[96];

	/* another console escalated or ended it meanwhile: never turn an escalation into its
	 * end (or back) behind the agent's back; the screen shows the new state, ask again */
	if (clear != ve->clear) {
		ve->clear = clear;
		rd_strlcpy(ve->error, i18n_tr(clear && !may_clear(m) ? "esc.changed_read" :
		    "esc.changed"), sizeof ve->error);
		return UI_HANDLED | UI_REDRAW;
	}
	if (clear && !may_clear(m))	/* shown read-only: nothing to send */
		return UI_HANDLED;

	while (*text == ' ')
		text++;
	if (*text == '\0') {
		rd_strlcpy(ve->error, i18n_tr("detail.err_reason_empty"), sizeof ve->error);
		return UI_HANDLED | UI_REDRAW;
	}
	PROTO_SET(&a, escalate, id);
	PROTO_STRSET(a.reason, text);
	PROTO_SET(&a, escalate, reason);
	if (clear) {
		a.clear = true;
		PROTO_SET(&a, escalate, clear);
	}
	snprintf(what, sizeof what, "%s #%lld", i18n_tr(clear ? "cmd.escalate_clear" :
	    "cmd.escalate"), (long long)ve->id);
	rq.what = what;
	if (model_request(m, &rq, NULL) < 0) {	/* keep what was typed; the app said why */
		rd_strlcpy(ve->error, m->message[0] != '\0' ? m->message :
		    i18n_tr("detail.err_not_sent"), sizeof ve->error);
		return UI_HANDLED | UI_REDRAW;
	}
	return UI_HANDLED | UI_REDRAW | UI_CLOSE;
}

static unsigned
esc_key(struct view *v, struct model *m, const struct key *k, enum keymap_action a)
{
	struct view_escalate *ve = (struct view_escalate *)v;

	switch (a) {
	case ACTION_OPEN:
		return submit(ve, m);
	case ACTION_BACK:
		return UI_HANDLED | UI_CLOSE;
	case ACTION_HELP:
	case ACTION_REDRAW:
	case ACTION_QUIT:
		return UI_NONE;
	default:
		break;
	}
	const struct proto_ticket *t = model_ticket(m, ve->id);
	if (t != NULL && own_ticket_escalated(t) && !may_clear(m))
		return UI_HANDLED;	/* shown read-only: no prompt takes the keys */
	if (lineedit_key(&ve->edit, k, a) == LINEEDIT_CHANGED)
		ve->error[0] = '\0';
	return UI_HANDLED | UI_REDRAW;
}

static void
esc_destroy(struct view *v)
{
	struct view_escalate *ve = (struct view_escalate *)v;

	lineedit_finish(&ve->edit);
	free(ve);
}

static const struct view_ops esc_ops = {
	.name = "escalate",
	.draw = esc_draw,
	.key = esc_key,
	.destroy = esc_destroy,
};

struct view *
view_escalate_create(struct model *m, int64_t ticket)
{
	struct view_escalate *ve = xcalloc(1, sizeof *ve);

	ve->view.ops = &esc_ops;
	ve->view.scope = SCOPE_FORM;
	ve->id = ticket;
	const struct proto_ticket *t = model_ticket(m, ticket);
	ve->clear = t != NULL && own_ticket_escalated(t);
	lineedit_init(&ve->edit, sizeof(((struct proto_escalate *)0)->reason) - 1);
	return &ve->view;
}
