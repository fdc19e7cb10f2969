/* view-tell.c: the picker of messages to the customer (view-tell.h). */
#include "view-tell.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chrome.h"
#include "i18n.h"
#include "model.h"
#include "present.h"
#include "tell.h"
#include "text.h"
#include "ticket.h"
#include "util.h"

struct view_tell {
	struct view view;	/* first member */
	int64_t id;
	size_t sel;
};

static const struct view_hint hints[] = {
	{ ACTION_OPEN, ACTION_NONE, "tell.hint_send" },
	{ ACTION_BACK, ACTION_NONE, "tell.hint_close" },
	{ ACTION_HELP, ACTION_NONE, "hint.help" },
};

/* The facts of ticket t the model has, at now. */
static void
facts_of(const struct model *m, const struct proto_ticket *t, struct tell_facts *f)
{
	const struct proto_truck *k = t->truck[0] != '\0' ? model_truck(m, t->truck) : NULL;

	*f = (struct tell_facts){
		.customer = t->customer,
		.eta = PROTO_HAS(t, ticket, eta) ? t->eta : 0,
		.promised = t->promised,
		.ticket = t->id,
		.now = m->now,
	};
	if (t->truck[0] != '\0') {
		f->plate = t->truck;
		/* the supplier's name as the data has it, else its id */
		f->supplier = k != NULL ? present_supplier(m->data, NULL, k->supplier) : NULL;
	}
}

/* What the ticket lacks for parameter p, in words: {plate} and {supplier} are the truck's,
 * {eta}, {minutes} and {late} come from its ETA (tell.need.<param>). */
static const char *
need_label(enum tell_param p)
{
	char key[64];
	const char *s;

	snprintf(key, sizeof key, "tell.need.%s", tell_param_name(p));
	s = i18n_tr(key);
	return s == key ? tell_param_name(p) : s;
}

/* The broker tells no customer of a closed ticket (PROTOCOL.md 7.27: invalid_state). */
static bool
closed(const struct proto_ticket *t)
{
	int s = ticket_state_parse(t->state);

	return s >= 0 && ticket_state_final((enum ticket_state)s);
}

static enum tell_lang
lang_of(const struct proto_ticket *t)
{
	int l = tell_lang_parse(PROTO_HAS(t, ticket, lang) ? t->lang : NULL);
	return l < 0 ? TELL_LANG_ZH : (enum tell_lang)l;
}

static const char *
template_label(const char *id)
{
	char key[64];
	const char *s;

	snprintf(key, sizeof key, "tell.tpl.%s", id);
	s = i18n_tr(key);
	return s == key ? id : s;
}

/* Draw text from row y over w columns, wrapped by display width, at most rows rows. */
static void
draw_wrapped(struct vscreen *vs, int x, int y, int w, int rows, const char *text)
{
	const char *s = text;

	for (int r = 0; r < rows && *s != '\0'; r++) {
		int used = 0;
		size_t n = text_fit(s, w, &used);
		if (n == 0)
			break;
		char *line = xstrndup(s, n);
		vscreen_put(vs, x, y + r, ROLE_NORMAL, 0, line, -1);
		free(line);
		s += n;
	}
}

static void
tell_draw(struct view *v, const struct model *m, struct vscreen *vs, const struct theme *th)
{
	struct view_tell *vt = (struct view_tell *)v;
	int cols = vscreen_cols(vs), rows = vscreen_rows(vs);
	const struct proto_ticket *t = model_ticket(m, vt->id);
	char title[128], line[256];
	const char *vars[4];

	(void)th;
	if (view_too_small(cols, rows)) {
		view_draw_too_small(vs);
		return;
	}
	vscreen_clear(vs);
	snprintf(line, sizeof line, "%lld", (long long)vt->id);
	vars[0] = "id";
	vars[1] = line;
	present_fill(i18n_tr("tell.title"), vars, 1, title, sizeof title);
	chrome_title(vs, m, title, NULL);
	int y = chrome_body_top(vs, m), end = chrome_body_end(vs) - 1;
	if (chrome_banner_needed(m))
		chrome_banner(vs, y - 1, m);
	const struct tell_set *set = m->tell;
	if (set == NULL || set->n == 0 || t == NULL) {
		vscreen_put(vs, 2, y + 1, ROLE_WARN, 0, i18n_tr(t == NULL ? "detail.err_missing" :
		    "tell.none"), -1);
	} else {
		enum tell_lang l = lang_of(t);
		vars[0] = "lang";
		vars[1] = i18n_tr(l == TELL_LANG_EN ? "tell.lang.en" : "tell.lang.zh");
		present_fill(i18n_tr("tell.lang"), vars, 1, line, sizeof line);
		vscreen_put(vs, 2, y + 1, ROLE_DIM, 0, line, -1);
		int ly = y + 3;
		for (size_t i = 0; i < set->n && ly < end - 4; i++, ly++) {
			bool sel = i == vt->sel;
			enum theme_role role = sel ? ROLE_SELECTED : ROLE_NORMAL;
			vscreen_fill(vs, 2, ly, cols - 4, 1, role, 0, L' ');
			vscreen_put_pad(vs, 3, ly, role, 0, template_label(set->t[i].id), 16);
			vscreen_put(vs, 20, ly, sel ? role : ROLE_DIM, 0, set->t[i].id, cols - 23);
		}
		chrome_section(vs, 0, ly + 1, cols, i18n_tr("tell.title.preview"), NULL);
		struct tell_facts f;
		char text[TELL_TEXT_MAX + 1];
		enum tell_param miss = TELL_P_COUNT;
		facts_of(m, t, &f);
		if (closed(t)) {
			vars[0] = "state";
			vars[1] = present_state(t->state);
			present_fill(i18n_tr("tell.closed"), vars, 1, line, sizeof line);
			vscreen_put(vs, 2, ly + 2, ROLE_WARN, 0, line, -1);
		} else if (tell_render(&set->t[vt->sel], l, &f, text, &miss) == TELL_OK) {
			draw_wrapped(vs, 2, ly + 2, cols - 4, end - ly - 2, text);
		} else {
			vars[0] = "name";
			vars[1] = need_label(miss);
			present_fill(i18n_tr("tell.missing"), vars, 1, line, sizeof line);
			vscreen_put(vs, 2, ly + 2, ROLE_WARN, 0, line, -1);
		}
	}
	chrome_status(vs, rows - 2, m);
	chrome_message(vs, rows - 1, m, hints, (int)ARRAY_LEN(hints));
}

static unsigned
send(struct view_tell *vt, struct model *m)
{
	const struct proto_ticket *t = model_ticket(m, vt->id);
	const struct tell_set *set = m->tell;
	struct proto_ticket_tell a = { .id = vt->id, .present = PROTO_ALL };
	/* the picker closes at once: the command's outcome goes to the message line, so the
	 * answer needs no callback */
	struct model_request rq = { .op = PROTO_MSG_ticket_tell, .args = &a };
	struct tell_facts f;
	char text[TELL_TEXT_MAX + 1], what[96], cmd_id[PROTO_CMD_ID_MAX + 1];
	enum tell_param miss;

	if (t == NULL || set == NULL || vt->sel >= set->n || closed(t))
		return UI_HANDLED;	/* the preview says why */
	facts_of(m, t, &f);
	if (tell_render(&set->t[vt->sel], lang_of(t), &f, text, &miss) != TELL_OK)
		return UI_HANDLED;	/* the preview says what is missing */
	PROTO_STRSET(a.template, set->t[vt->sel].id);
	snprintf(what, sizeof what, "%s #%lld: %s", i18n_tr("cmd.tell"), (long long)vt->id,
	    template_label(set->t[vt->sel].id));
	rq.what = what;
	model_request(m, &rq, cmd_id);
	return UI_HANDLED | UI_REDRAW | UI_CLOSE;
}

static unsigned
tell_key(struct view *v, struct model *m, const struct key *k, enum keymap_action a)
{
	struct view_tell *vt = (struct view_tell *)v;
	size_t n = m->tell != NULL ? m->tell->n : 0;

	(void)k;
	switch (a) {
	case ACTION_MOVE_UP:
		if (vt->sel > 0)
			vt->sel--;
		return UI_HANDLED | UI_REDRAW;
	case ACTION_MOVE_DOWN:
		if (vt->sel + 1 < n)
			vt->sel++;
		return UI_HANDLED | UI_REDRAW;
	case ACTION_HOME:
		vt->sel = 0;
		return UI_HANDLED | UI_REDRAW;
	case ACTION_END:
		vt->sel = n > 0 ? n - 1 : 0;
		return UI_HANDLED | UI_REDRAW;
	case ACTION_OPEN:
		return send(vt, m);
	case ACTION_BACK:
		return UI_HANDLED | UI_CLOSE;
	default:
		return UI_NONE;
	}
}

static void
tell_destroy(struct view *v)
{
	free(v);
}

static const struct view_ops tell_ops = {
	.name = "tell",
	.draw = tell_draw,
	.key = tell_key,
	.destroy = tell_destroy,
};

struct view *
view_tell_create(struct model *m, int64_t id)
{
	struct view_tell *vt = xcalloc(1, sizeof *vt);

	(void)m;
	vt->view.ops = &tell_ops;
	vt->view.scope = SCOPE_GLOBAL;
	vt->id = id;
	return &vt->view;
}
