/* contact.c: the customer's full name and phone on request (see contact.h). */
#include "contact.h"

#include <stdio.h>
#include <string.h>

#include "i18n.h"
#include "keymap.h"
#include "present.h"
#include "text.h"
#include "theme.h"
#include "util.h"
#include "view.h"

static void
wipe(struct contact *c)
{
	memset(c->customer, 0, sizeof c->customer);
	memset(c->phone, 0, sizeof c->phone);
	c->shown = c->erased = false;
	c->id = 0;
}

static void
on_contact(struct model *m, void *ctx, const struct proto_reply *r,
    const struct proto_error *err)
{
	struct contact *c = ctx;
	char why[256];

	if (r == NULL || !r->ok) {
		if (r == NULL)
			present_error(err, why, sizeof why);
		else
			present_error_data(&r->error, m->data, why, sizeof why);
		model_message(m, true, "%s: %s", i18n_tr("contact.failed"), why);
		wipe(c);
		return;
	}
	if (r->contact.id != c->id)
		return;
	PROTO_STRSET(c->customer, r->contact.customer);
	PROTO_STRSET(c->phone, r->contact.phone);
	c->erased = PROTO_HAS(&r->contact, contact_result, erased) && r->contact.erased;
	c->shown = true;
}

unsigned
contact_ask(struct contact *c, struct model *m, const void *owner, int64_t id,
    const char *reason)
{
	struct proto_ticket_contact a = { .id = id, .present = 0 };
	struct model_request rq = { .op = PROTO_MSG_ticket_contact, .args = &a,
		.on_reply = on_contact, .ctx = c, .owner = owner };

	if (id <= 0)
		return UI_HANDLED;
	if (reason != NULL) {
		PROTO_STRSET(a.reason, reason);
		PROTO_SET(&a, ticket_contact, reason);
	}
	wipe(c);
	c->id = id;
	/* a query, not a kept command: a lookup is now or never, and each one is recorded */
	if (model_request(m, &rq, c->cmd) < 0) {
		model_message(m, true, "%s", i18n_tr("contact.failed"));
		c->id = 0;
	}
	return UI_HANDLED | UI_REDRAW;
}

bool
contact_open(const struct contact *c)
{
	return c->shown;
}

unsigned
contact_close(struct contact *c)
{
	wipe(c);
	return UI_HANDLED | UI_REDRAW;
}

void
contact_draw(const struct contact *c, struct vscreen *vs)
{
	int cols = vscreen_cols(vs), rows = vscreen_rows(vs), w = 0, x, y, i;
	char lines[4][256];

	if (!c->shown)
		return;
	snprintf(lines[0], sizeof lines[0], "%s #%lld", i18n_tr("contact.title"),
	    (long long)c->id);
	if (c->erased) {
		snprintf(lines[1], sizeof lines[1], "%s", i18n_tr("contact.erased"));
		lines[2][0] = '\0';
	} else {
		snprintf(lines[1], sizeof lines[1], "%s%s%s", i18n_tr("detail.customer"),
		    present_colon(), c->customer);
		snprintf(lines[2], sizeof lines[2], "%s%s%s", i18n_tr("detail.phone"),
		    present_colon(), c->phone);
	}
	snprintf(lines[3], sizeof lines[3], "%s", i18n_tr("contact.close"));
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
}
