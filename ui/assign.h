/* assign.h: the assign panel of the detail view: the trucks that could take one ticket,
 * for the agent to pick one.
 *
 * assign_ask asks the broker for its five best trucks (dispatch.candidates, through
 * model_request): rank, truck, kind, status, km, ETA and what it rests on (a stale GPS fix
 * is marked), GPS age, supplier, load, quality and the broker's reason; when the ticket has
 * a truck, that truck and its ETA in the title and beside each candidate, to weigh them.
 * While the answer is out the panel says so; when the broker cannot answer (an older one
 * says unknown_op, no answer came, the request could not be sent) it says why, in words,
 * and shows the local estimate instead: the nearest available trucks able to serve the
 * fault, straight line.
 *
 * The panel records the rows as last drawn: keys act on what the agent saw, never on an
 * answer that arrived since. It sends nothing itself: assign_key says which row was
 * picked and the detail view sends ticket.assign.
 *
 * Ownership: the panel owns the broker's answer (assign_finish frees it); the request's
 * owner is the view the panel is in, so closing the view forgets it. */
#ifndef RD_ASSIGN_H
#define RD_ASSIGN_H

#include <stdbool.h>
#include <stdint.h>

#include "keymap.h"
#include "proto.h"
#include "vscreen.h"

struct model;

#define ASSIGN_ROWS 5		/* trucks the panel offers */
#define ASSIGN_TRUCK_MAX (sizeof(((struct proto_ticket_assign *)0)->truck))

/* Where the rows came from at the last draw. */
enum assign_src {
	ASSIGN_LOADING,		/* the broker was asked: nothing to pick yet */
	ASSIGN_BROKER,		/* the broker's ranked candidates */
	ASSIGN_LOCAL		/* the local nearest-available estimate */
};

struct assign_near {
	char id[sizeof(((struct proto_truck *)0)->id)];
	char kind[sizeof(((struct proto_truck *)0)->kind)];
	char supplier[sizeof(((struct proto_truck *)0)->supplier)];
	char region[sizeof(((struct proto_truck *)0)->region)];
	double km;
};

struct assign {
	int64_t id;		/* the ticket */
	/* the broker's answer: best first (owned); error "" or why there is none */
	struct proto_candidate *cands;
	size_t n_cands;
	bool loading;
	char error[256];
	char cmd[PROTO_CMD_ID_MAX + 1];	/* the request in flight; "" none */
	/* the rows as last drawn, the selected one and its truck (the selection follows the
	 * truck when the list changes), the row typing filled in (-1 none) */
	enum assign_src src;
	struct assign_near near[ASSIGN_ROWS];
	char row[ASSIGN_ROWS][ASSIGN_TRUCK_MAX];
	int n_rows;
	int sel;
	char sel_truck[ASSIGN_TRUCK_MAX];
	int fill;
	int sel_y;		/* the screen row of the highlighted truck; -1 none */
};

/* What a key did to the panel's list (assign_key). */
enum assign_event {
	ASSIGN_PASS,		/* not the panel's key (help, quit, redraw): the caller's */
	ASSIGN_IGNORED,		/* nothing happened */
	ASSIGN_MOVED,		/* the selection moved, or the broker was asked again: redraw */
	ASSIGN_PICKED,		/* row *row (0-based; maybe past the rows: say so) was picked */
	ASSIGN_TYPE,		/* Tab: the agent wants to type an id */
	ASSIGN_CLOSE		/* q/Esc */
};

void assign_init(struct assign *p, int64_t id);
void assign_finish(struct assign *p);

/* Forget the rows drawn (the next draw shows what is true then) and ask the broker again;
 * an earlier request still out is forgotten. owner: the view the panel is in. */
void assign_ask(struct assign *p, struct model *m, const void *owner);

/* Draw the panel at the bottom of the body (ending at y_bottom, never above y_top) and
 * record the rows drawn. typed: NULL while the list has the keys, else the id typed so
 * far (its row is highlighted). */
void assign_draw(struct assign *p, struct vscreen *vs, const struct model *m,
    const struct proto_ticket *t, int y_top, int y_bottom, const char *typed);

/* A key of the list (SCOPE_DIALOG): Up/Down (Home/End) select, Enter or the digit of a
 * row picks, r asks the broker again, Tab goes to typing, q/Esc close. */
enum assign_event assign_key(struct assign *p, struct model *m, const void *owner,
    const struct key *k, enum keymap_action a, int *row);

/* The truck of row i as drawn; NULL past the rows. */
const char *assign_row(const struct assign *p, int i);
/* While typing: Up/Down (dir -1/+1) fill in the next row's id; NULL when no rows. */
const char *assign_fill(struct assign *p, int dir);
/* Start typing: no row filled in yet. */
void assign_typing(struct assign *p);

#endif
