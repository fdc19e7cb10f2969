/* expired.c: the question about a command past its idempotency window (expired.h). */
#include "expired.h"

#include <stdio.h>
#include <string.h>

#include "i18n.h"
#include "present.h"
#include "text.h"

void
expired_draw(struct vscreen *vs, const struct model_pending *p)
{
	int cols = vscreen_cols(vs), rows = vscreen_rows(vs), w = 0, x, y, i;
	char lines[4][400];
	char keys[2][64];
	struct key k;

	snprintf(lines[0], sizeof lines[0], "%s", p->what);
	snprintf(lines[1], sizeof lines[1], "%s", i18n_tr("expired.why"));
	snprintf(lines[2], sizeof lines[2], "%s", i18n_tr("expired.never"));
	keys[0][0] = keys[1][0] = '\0';
	if (keymap_action_keys(ACTION_RECHECK, &k, 1) > 0)
		keymap_key_name(&k, keys[0], sizeof keys[0]);
	if (keymap_action_keys(ACTION_DROP, &k, 1) > 0)
		keymap_key_name(&k, keys[1], sizeof keys[1]);
	snprintf(lines[3], sizeof lines[3], "[%s] %s   [%s] %s", keys[0],
	    i18n_tr(p->ticket > 0 ? "expired.recheck" : "expired.reenter"), keys[1],
	    i18n_tr("expired.drop"));
	for (i = 0; i < 4; i++)
		if (text_width(lines[i]) > w)
			w = text_width(lines[i]);
	w += 4;
	if (w > cols)
		w = cols;
	x = (cols - w) / 2;
	y = rows / 2 - 3;
	vscreen_fill(vs, x, y, w, 6, ROLE_DIALOG, 0, L' ');
	vscreen_put_ellipsis(vs, x + 2, y + 1, ROLE_DIALOG, THEME_BOLD, lines[0], w - 4);
	for (i = 1; i < 4; i++)
		vscreen_put_ellipsis(vs, x + 2, y + 1 + i, ROLE_DIALOG, 0, lines[i], w - 4);
	vscreen_set_cursor(vs, x + 2, y + 4, false);
}

bool
expired_answer(struct model *m, struct model_pending *p, enum keymap_action a,
    struct view_open *open)
{
	memset(open, 0, sizeof *open);
	switch (a) {
	case ACTION_RECHECK:
		p->state = PENDING_FAILED;
		if (p->ticket > 0) {
			open->kind = VIEW_DETAIL;
			open->ticket = p->ticket;
			/* the detail's timeline shows whether it was applied */
			if (p->text[0] != '\0')
				model_message(m, false, "%s%s%s", i18n_tr("expired.checking"),
				    present_colon(), p->text);
			else
				model_message(m, false, "%s #%lld: %s", p->what,
				    (long long)p->ticket, i18n_tr("expired.checking_ticket"));
		} else {
			open->kind = VIEW_INTAKE;
			model_message(m, false, "%s: %s", p->what,
			    i18n_tr("expired.checking_intake"));
		}
		return true;
	case ACTION_DROP:
		p->state = PENDING_FAILED;
		model_message(m, false, "%s: %s", p->what, i18n_tr("expired.dropped"));
		return true;
	default:
		return false;
	}
}
