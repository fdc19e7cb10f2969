/* viewstack.c: the stack of views and the view factory (viewstack.h). */
#include "viewstack.h"

#include <string.h>

#include "model.h"
#include "view-board.h"
#include "view-complaint.h"
#include "view-complaints.h"
#include "view-detail.h"
#include "view-diag-queue.h"
#include "view-escalate.h"
#include "view-flow.h"
#include "view-help.h"
#include "view-intake.h"
#include "view-kpi.h"
#include "view-map.h"
#include "view-surveys.h"
#include "view-search.h"
#include "view-tell.h"
#include "view-suppliers.h"
#include "view-agents.h"

void
viewstack_init(struct viewstack *s)
{
	memset(s, 0, sizeof *s);
}

static void
drop(struct view *v, struct model *m)
{
	if (m != NULL)
		model_forget(m, v);
	view_destroy(v);
}

void
viewstack_finish(struct viewstack *s, struct model *m)
{
	while (s->depth > 0)
		drop(s->v[--s->depth], m);
}

struct view *
viewstack_top(const struct viewstack *s)
{
	return s->depth > 0 ? s->v[s->depth - 1] : NULL;
}

bool
viewstack_push(struct viewstack *s, struct view *v)
{
	if (v == NULL)
		return false;
	if (s->depth == VIEWSTACK_MAX) {
		view_destroy(v);
		return false;
	}
	s->v[s->depth++] = v;
	return true;
}

bool
viewstack_pop(struct viewstack *s, struct model *m)
{
	if (s->depth <= 1)
		return false;
	drop(s->v[--s->depth], m);
	return true;
}

struct view *
viewstack_create(const struct view_open *o, struct model *m)
{
	switch (o->kind) {
	case VIEW_BOARD:
		return view_board_create();
	case VIEW_DETAIL:
		return view_detail_create(m, o->ticket, o->action == ACTION_OPEN ? ACTION_NONE :
		    o->action);
	case VIEW_INTAKE:	/* with a ticket: its correction */
		return o->ticket > 0 ? view_intake_edit_create(m, o->ticket) :
		    view_intake_create(m);
	case VIEW_KPI:
		return view_kpi_create(m);
	case VIEW_HELP:
		return view_help_create();
	case VIEW_DIAG_QUEUE:
		return view_diag_queue_create();
	case VIEW_FLOW:
		return view_flow_create(m, o->ticket, o->action == ACTION_DIAG_START);
	case VIEW_SEARCH:
		return view_search_create(m);
	case VIEW_COMPLAINT:	/* a saved one, or a new one (from a ticket) */
		return view_complaint_create(m, o->complaint, o->ticket);
	case VIEW_COMPLAINTS:
		return view_complaints_create(m);
	case VIEW_TELL:
		return view_tell_create(m, o->ticket);
	case VIEW_ESCALATE:
		return view_escalate_create(m, o->ticket);
	case VIEW_MAP:
		return view_map_create(m, o->ticket);
	case VIEW_SUPPLIERS:
		return view_suppliers_create(m);
	case VIEW_AGENTS:
		return view_agents_create(m);
	case VIEW_SURVEYS:
		return view_surveys_create(m);
	case VIEW_NONE:
		break;
	}
	return NULL;
}

bool
viewstack_open(struct viewstack *s, struct model *m, const struct view_open *o)
{
	return viewstack_push(s, viewstack_create(o, m));
}
