/* view-complaints.h: the list of the console user's complaints, from the local store
 * (complaint-db.h), nearest due date first and coloured by it: amber at 80% of the window
 * of the clock due first, red when it is overdue, and in a screen without colour by the
 * board's marks (! overdue, * at risk). A complaint being typed and not saved yet (the
 * draft a killed console left) is the first row.
 *
 * Keys (SCOPE_COMPLAINTS): Enter opens the complaint (view-complaint.h), n a new one; the
 * filters step: s the state (all, open, then each state), h the handler (all, mine), d the
 * due date (all, at risk or overdue, overdue), p the supplier (all, then each one the
 * complaints name). Works offline: no broker is asked anything.
 *
 * Ownership: the view is the caller's (view_destroy); it borrows the model. */
#ifndef RD_VIEW_COMPLAINTS_H
#define RD_VIEW_COMPLAINTS_H

#include "view.h"

struct model;

/* NULL when the file cannot be opened (the message line says why). */
struct view *view_complaints_create(struct model *m);

#endif
