/* harness-model.h: what the view tests (check-views, check-view-kpi, check-view-help)
 * share: loading a catalog from the source tree, a struct model over fixed tables, and a
 * recording app (struct model_ops) that remembers every request the views make and lets
 * the test answer them through model_reply(), as the app does when the broker answers.
 *
 * Ownership: the tests own their fixed tables; the harness copies them into working tables
 * (the test may change those between draws: harness_tickets...) and owns the copies and
 * the pointer arrays the model points at, freed by harness_model_finish.
 * Failures are Check assertions: they end the test. */
#ifndef RD_HARNESS_MODEL_H
#define RD_HARNESS_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "data.h"
#include "util.h"
#include "model.h"
#include "proto.h"
#include "theme.h"
#include "view.h"
#include "vscreen.h"

/* What the views asked the app for: counts by op and the last arguments (also of a
 * request that rc or rc_query made fail). */
struct harness_rec {
	int sent;		/* requests of any op, also those that failed */
	int intake, note, set_state, cancel, assign, fetch, cands, cands_k;
	/* diagnosis commands (diag.*): how many, the last op, its node, answer and stop or
	 * reason (in text); stats.kpi queries */
	int diag, diag_answer, kpi;
	enum proto_msg_id diag_op;
	char diag_node[64];
	struct proto_intake_create intake_args;
	int edit, callback;	/* ticket.edit (its args) and ticket.callback (note in text) */
	struct proto_ticket_edit edit_args;
	int64_t id;		/* the ticket of the last request */
	char text[1024];	/* note text, cancel reason, truck */
	char state[32];
	int rc;			/* what sending a command returns (0 or -1) */
	int rc_query;		/* what sending a query (ticket.get, candidates) returns */
	int cancelled;		/* requests the model told the app to forget */
	/* the last request of each kind, for answering it */
	char last_cmd[PROTO_CMD_ID_MAX + 1];
	char hist_cmd[PROTO_CMD_ID_MAX + 1];
	char cands_cmd[PROTO_CMD_ID_MAX + 1];
	char kpi_cmd[PROTO_CMD_ID_MAX + 1];
	int track;		/* ticket.track queries, the last one and its ticket */
	char track_cmd[PROTO_CMD_ID_MAX + 1];
	int64_t track_id;
	int board;		/* stats.board queries, the last one */
	char board_cmd[PROTO_CMD_ID_MAX + 1];
	int survey_done;	/* survey.done commands (their ticket in id) */
	int contact;		/* ticket.contact queries, the last one, its ticket and reason */
	char contact_cmd[PROTO_CMD_ID_MAX + 1];
	int64_t contact_id;
	char contact_reason[256];
};

extern struct harness_rec harness_rec;
extern const struct model_ops harness_model_ops;

/* The source tree: RD_SRCDIR or ".". */
const char *harness_srcdir(void);
/* Load the catalog of lang from the source tree's data/ (asserts it loads). */
void harness_lang(const char *lang);

/* A model over copies of fixed tables, live, with the recording ops (harness_rec
 * cleared). */
struct harness_fixture {
	const struct proto_ticket *tickets;
	size_t n_tickets;
	const struct proto_truck *trucks;
	size_t n_trucks;
	const struct proto_warning *warnings;	/* each copy made present (PROTO_ALL) */
	size_t n_warnings;
	struct data *data;		/* its faults get the truck kinds of ticket.h */
	const struct flow_set *flows;	/* the diagnosis flows (borrowed), or NULL */
	const char *user;
	enum model_role role;
	int64_t now;
};
/* The three tables of a fixture from arrays: HARNESS_TABLES(tickets, trucks, warnings). */
#define HARNESS_TABLES(t, k, w)                                                         \
	.tickets = (t), .n_tickets = ARRAY_LEN(t), .trucks = (k),                       \
	.n_trucks = ARRAY_LEN(k), .warnings = (w), .n_warnings = ARRAY_LEN(w)
void harness_model_init(struct model *m, const struct harness_fixture *f);
/* The working copies, in the fixture's order, until harness_model_finish. */
extern struct proto_ticket *harness_tickets;
extern struct proto_truck *harness_trucks;
extern struct proto_warning *harness_warnings;
void harness_model_finish(struct model *m);

/* Answer the last ticket.get: the history (n events, borrowed) of ticket ver. */
void harness_answer_history(struct model *m, int64_t ver, const struct proto_event *ev,
    size_t n);
/* Answer the last dispatch.candidates with n candidates (borrowed), best first. */
void harness_answer_cands(struct model *m, const struct proto_candidate *c, size_t n);
/* Answer the last stats.kpi with k (copied). */
void harness_answer_kpi(struct model *m, const struct proto_kpi *k);
/* Answer the last stats.board with b's head and arrays (borrowed). */
void harness_answer_board(struct model *m, const struct proto_reply *b);
/* Answer the last ticket.track: truck and its n fixes (borrowed), oldest first. */
void harness_answer_track(struct model *m, const char *truck, const struct proto_track_fix *f,
    size_t n);
/* Answer the last ticket.contact with the raw customer and phone (erased: retention took
 * them). */
void harness_answer_contact(struct model *m, const char *customer, const char *phone,
    bool erased);
/* Answer cmd_id: accepted (with no result). */
void harness_answer_ok(struct model *m, const char *cmd_id);
/* Answer cmd_id with the broker's refusal (code, message). */
void harness_answer_error(struct model *m, const char *cmd_id, enum proto_err code,
    const char *message);
/* No answer came for cmd_id: why (the rpc layer's words, e.g. "timeout"). */
void harness_answer_none(struct model *m, const char *cmd_id, const char *why);

/* Driving the view under test: bind the test's model, vscreen and view (the pointers
 * are read at each call, so the test may replace them) and its name (for goldens). */
void harness_bind(struct model *m, struct vscreen **vs, struct view **v, const char *prog);
/* A key to the view, looked up in its scope: a character, a KEYSYM_*; a UTF-8 string one
 * code point at a time, as term.c delivers it. Return the reaction (type: none). */
unsigned harness_press(int code);
unsigned harness_press_sym(enum keymap_sym sym);
void harness_type(const char *utf8);
/* Resize the vscreen and draw the view. */
void harness_draw(int cols, int rows);
/* Compare the vscreen with tests/golden/<name>.screen (harness-screen.h). */
void harness_check_golden(const char *name);
/* Draw at cols x rows in lang and compare with the golden <name>-<cols>x<rows>[-zh]. */
void harness_golden(const char *name, int cols, int rows, const char *lang);
/* Row y of the screen (a static buffer); whether s is on the screen; the row that holds s
 * (-1 none); the role of the cell under the first s on row y. */
const char *harness_row(int y);
bool harness_screen_has(const char *s);
int harness_find_row(const char *s);
enum theme_role harness_role_at(int y, const char *s);
/* Every cell is safe to send to a terminal: no control characters at all. */
void harness_assert_safe(void);

#endif
