/* viewstack.h: the console's stack of views, and the one place that knows every view.
 *
 * The view on top gets the keys and draws the screen. A view asks for another one with
 * UI_OPEN and v->open (view.h); viewstack_open creates it from that description
 * (viewstack_create: one line a kind) and pushes it, so no view includes another.
 *
 * Adding a view: its view-NAME.[ch] with NAME_create(), a VIEW_* kind in view.h if other
 * views open it, and one case in viewstack_create.
 *
 * Ownership: the stack owns the views pushed on it; pop and finish destroy them. Popping
 * a view first has the model forget the requests it still waits for (model_forget), so
 * no reply reaches a destroyed view. */
#ifndef RD_VIEWSTACK_H
#define RD_VIEWSTACK_H

#include <stdbool.h>

#include "view.h"

#define VIEWSTACK_MAX 8

struct viewstack {
	struct view *v[VIEWSTACK_MAX];
	int depth;
};

void viewstack_init(struct viewstack *s);
/* Destroy every view, top first. */
void viewstack_finish(struct viewstack *s, struct model *m);

/* The view on top; NULL when empty. */
struct view *viewstack_top(const struct viewstack *s);
/* Push v (taken). When the stack is full v is destroyed and false returned. */
bool viewstack_push(struct viewstack *s, struct view *v);
/* Pop and destroy the top view unless it is the last one; false when it is. */
bool viewstack_pop(struct viewstack *s, struct model *m);

/* A new view as o describes; NULL for VIEW_NONE. */
struct view *viewstack_create(const struct view_open *o, struct model *m);
/* Create the view o describes and push it; false when nothing was pushed. */
bool viewstack_open(struct viewstack *s, struct model *m, const struct view_open *o);

#endif
