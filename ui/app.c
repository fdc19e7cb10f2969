/* app.c: the console's loop: sockets, keyboard, the view stack, requests to the broker. */
#include "app.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zmq.h>

#include "alert.h"
#include "complaint-db.h"
#include "complaint-sync.h"
#include "curve.h"
#include "data.h"
#include "demo.h"
#include "endpoints.h"
#include "expired.h"
#include "flow.h"
#include "tell.h"
#include "i18n.h"
#include "keymap.h"
#include "lineedit.h"
#include "model.h"
#include "own.h"
#include "present.h"
#include "replica.h"
#include "role.h"
#include "rpc.h"
#include "term.h"
#include "text.h"
#include "theme.h"
#include "util.h"
#include "view-board.h"
#include "view.h"
#include "view-intake.h"
#include "viewstack.h"
#include "vscreen.h"

#define MESSAGE_MS 10000 /* the message line clears after this long */

static volatile sig_atomic_t stop_signal;

static void
on_stop_signal(int sig)
{
	stop_signal = sig;
}

struct app {
	const struct app_opts *opts;
	void *zctx;
	struct rpc *rpc;
	struct replica *rep;
	struct data *data;
	struct flow_set *flows;	/* the diagnosis flows, or NULL when they do not load */
	struct tell_set *tell;	/* the messages to customers, or NULL (view-tell.c) */
	struct model model;
	struct vscreen *vs;
	struct theme theme;
	struct viewstack views;
	bool dirty, data_changed, quitting, confirm_quit;
	bool warning_changed;	/* a warning among the changes: refresh at once */
	bool other_changed;	/* more than warnings changed since the last full refresh */
	bool resynced;		/* a resync since the last refresh: no bell for what it brings */
	bool ask_interrupt;	/* C-c with unsaved work: quit anyway? */
	bool ask_restore;	/* an interrupted intake's draft: restore it? */
	bool interrupted;	/* leaving on a signal: exit status 1 */
	char draft_path[600];	/* the intake draft's file; "" none */
	char *draft_saved;	/* the text in that file (NULL: no file) */
	struct replica_stats seen; /* replica counters at the last refresh */
	int64_t last_second;

	const void **rows[PROTO_STREAM_COUNT]; /* the model's tables, by stream */
	size_t cap[PROTO_STREAM_COUNT];

	struct demo *demo;	/* --demo: the broker and simulator threads */
	struct alert alert;	/* the red warnings seen, for the bell */
	const struct proto_warning **bell; /* the warnings that ring for our role */
	size_t bell_cap;
	struct own_presence presence; /* "on" every 10 s: owned warnings stay owned */
	bool revoked;		/* the last answer was unauthenticated: our key was revoked */
	char *eps[RPC_ENDPOINTS_MAX]; /* --api split: a group's brokers (n_eps > 1) */
	int n_eps;
	uint64_t moves;		/* the rpc's moves when model.endpoint was last set */
	int live_at;		/* a group: the position of the broker last live on, 0 none */
	char live_msg[160];	/* the message "live again on broker ..." while shown */
	int64_t lost_at;	/* monotonic ms when the connection last stopped being live */
};

/* ---- replica -> model ---- */

static void
on_change(void *ctx, enum proto_stream s, const void *old, const void *now)
{
	struct app *a = ctx;
	(void)old;
	(void)now;
	a->data_changed = true;
	a->warning_changed |= s == PROTO_STREAM_WARNING; /* shown at once: model_urgent */
	a->other_changed |= s != PROTO_STREAM_WARNING;
}

static void
on_state(void *ctx, enum replica_state from, enum replica_state to)
{
	struct app *a = ctx;
	static const enum model_conn map[] = {
		[REPLICA_CONNECTING] = MODEL_CONNECTING, [REPLICA_SYNCING] = MODEL_SYNCING,
		[REPLICA_LIVE] = MODEL_LIVE, [REPLICA_STALE] = MODEL_STALE,
	};
	a->model.conn = map[to];
	log_info("connection: %s -> %s", replica_state_name(from), replica_state_name(to));
	if (to == REPLICA_LIVE && a->model.group_n > 1) {
		/* back live on another broker of the group: say which, once, unless the
		 * message line holds news from while it was lost (the answer to a command
		 * given meanwhile); the status line names the broker anyway */
		if (a->live_at != 0 && a->live_at != a->model.group_at &&
		    (a->model.message[0] == '\0' || a->model.message_at < a->lost_at)) {
			char at[12], n[12];
			const char *vars[] = { "at", at, "count", n, "endpoint", a->model.endpoint };

			snprintf(at, sizeof at, "%d", a->model.group_at);
			snprintf(n, sizeof n, "%d", a->model.group_n);
			present_fill(i18n_tr("msg.group_live"), vars, 3, a->live_msg,
			    sizeof a->live_msg);
			model_message(&a->model, false, "%s", a->live_msg);
			log_info("%s", a->live_msg);
		}
		a->live_at = a->model.group_at;
	} else if (from == REPLICA_LIVE) {
		a->lost_at = rd_mono_ms();
		/* lost again: "live again" would be a lie now */
		if (a->live_msg[0] != '\0' && strcmp(a->model.message, a->live_msg) == 0)
			a->model.message[0] = '\0';
		a->live_msg[0] = '\0';
	}
	a->dirty = true;
	a->data_changed = a->other_changed = true;
}

/* A group: after rpc_process, the broker the rpc talks to now (it moves on a not_leader
 * answer or a time-out) is the one the status line and the banner name. */
static void
follow_endpoint(struct app *a)
{
	uint64_t moves;
	int at = rpc_endpoint(a->rpc, &moves);

	if (a->n_eps < 2 || moves == a->moves)
		return;
	a->moves = moves;
	if (at < 0 || at >= a->n_eps)
		return;
	rd_strlcpy(a->model.endpoint, a->eps[at], sizeof a->model.endpoint);
	a->model.group_at = at + 1;
	log_info("following broker %d of %d: %s", at + 1, a->n_eps, a->eps[at]);
	a->dirty = true;
}

static void *
grow(void *p, size_t *cap, size_t need, size_t size)
{
	if (need <= *cap)
		return p;
	*cap = need + need / 2 + 16;
	return xreallocarray(p, *cap, size);
}

/* Borrow the replica's tables into the model and rebuild the board. Paced (model.h):
 * the loop calls sync_model when a refresh is due or before anything reads the model. */
static void
refresh_model(struct app *a)
{
	struct model *m = &a->model;
	const void *e;
	size_t pos, n;

	for (int s = 0; s < PROTO_STREAM_COUNT; s++) {
		a->rows[s] = grow(a->rows[s], &a->cap[s], replica_count(a->rep, s) + 1,
		    sizeof *a->rows[s]);
		for (pos = 0, n = 0; (e = replica_next(a->rep, s, &pos)) != NULL;)
			a->rows[s][n++] = e;
		m->tables[s].rows = a->rows[s];
		m->tables[s].n = n;
	}
	model_refresh(m, m->now);
	a->data_changed = a->other_changed = false;
	a->dirty = true;
}

/* The warnings whose turning red rings for this console's role (role_bell), for
 * alert_update: a capacity warning rings for supervisors only. */
static size_t
bell_warnings(struct app *a)
{
	struct model *m = &a->model;
	size_t n = 0;

	a->bell = grow(a->bell, &a->bell_cap, m->n_warnings + 1, sizeof *a->bell);
	for (size_t i = 0; i < m->n_warnings; i++)
		if (role_bell(m, m->warnings[i]))
			a->bell[n++] = m->warnings[i];
	return n;
}

/* The quick refresh of an urgent change when only warnings changed (model.h): the warning
 * table borrowed anew, the levels, and the bell for a warning newly red. */
static void
refresh_warnings(struct app *a)
{
	struct model *m = &a->model;
	const void *e;
	size_t pos, n;
	int s = PROTO_STREAM_WARNING;

	a->rows[s] = grow(a->rows[s], &a->cap[s], replica_count(a->rep, s) + 1,
	    sizeof *a->rows[s]);
	for (pos = 0, n = 0; (e = replica_next(a->rep, s, &pos)) != NULL;)
		a->rows[s][n++] = e;
	m->tables[s].rows = a->rows[s];
	m->tables[s].n = n;
	model_refresh_warnings(m);
	n = bell_warnings(a);
	if (alert_update(&a->alert, a->bell, n, a->resynced || m->conn != MODEL_LIVE) > 0)
		term_bell((enum term_bell)a->opts->bell);
	a->data_changed = false;
	a->dirty = true;
}

static int64_t
broker_time(struct app *a, int64_t now_mono)
{
	int64_t bt = replica_broker_time(a->rep);
	int64_t age = replica_hb_age_ms(a->rep, now_mono);
	if (bt <= 0 || age < 0)
		return rd_now_ms();
	return bt + age * (a->model.time_scale > 0 ? a->model.time_scale : 1);
}

/* The refresh: the tables, the board and counts at broker time now, the bell for a
 * warning newly red, and the view on top asked whether it wants to fetch again. */
static void
sync_model(struct app *a, int64_t mono)
{
	int64_t t0 = rd_mono_ns();

	a->model.now = broker_time(a, mono);
	refresh_model(a);
	model_refreshed(&a->model, mono);
	model_refresh_cost(&a->model, (rd_mono_ns() - t0) / 1000);
	/* a warning newly red rings, not one a snapshot brings */
	size_t nb = bell_warnings(a);
	if (alert_update(&a->alert, a->bell, nb, a->resynced || a->model.conn != MODEL_LIVE) > 0)
		term_bell((enum term_bell)a->opts->bell);
	a->resynced = false;
	/* the view on top may ask again for what it shows (the detail view fetches the
	 * history again when its ticket moved) */
	if (a->views.depth > 0)
		view_refresh(viewstack_top(&a->views), &a->model);
}

/* Before a key, an answer or a draw reads the model: the replica may have freed what the
 * model borrows since the last refresh. */
static void
sync_if_stale(struct app *a)
{
	if (a->model.stale)
		sync_model(a, rd_mono_ms());
}

/* ---- requests ---- */

/* Every answer to a view's request goes back through the model (model_reply). */
static void
on_reply(void *ctx, const char *cmd_id, const struct proto_reply *r, const struct proto_error *err)
{
	struct app *a = ctx;

	a->dirty = true;
	/* a key revoked while connected: the connection stays, its requests are answered
	 * unauthenticated (rescuedeskd(8), SECURITY); any accepted answer undoes it */
	if (r != NULL && (r->ok || r->error.code == PROTO_E_UNAUTHENTICATED))
		a->revoked = !r->ok;
	sync_if_stale(a);
	model_reply(&a->model, cmd_id, r, err);
}

static int
app_send(struct model *m, enum proto_msg_id op, const void *args,
    char cmd_id[PROTO_CMD_ID_MAX + 1])
{
	struct app *a = m->ctx;

	a->dirty = true;
	return rpc_call(a->rpc, op, args, on_reply, a, cmd_id);
}

static void
app_cancel(struct model *m, const char *cmd_id)
{
	struct app *a = m->ctx;

	rpc_cancel(a->rpc, cmd_id);
}

static void
app_keep(struct model *m, const char *cmd_id)
{
	struct app *a = m->ctx;

	rpc_keep(a->rpc, cmd_id, RPC_KEEP_MS);
}

/* Commands whose try went unanswered show as queued until the broker answers. */
static void
mark_queued(struct app *a)
{
	struct model_pending *p;

	for (size_t i = 0; i < a->model.req.n_pending; i++) {
		p = &a->model.req.pending[i];
		if (p->state == PENDING_WAIT && !p->queued && rpc_tries(a->rpc, p->cmd_id) > 1) {
			model_pending_queue(&a->model, p);
			a->dirty = true;
		}
	}
}

static const struct model_ops app_ops = {
	.send = app_send,
	.cancel = app_cancel,
	.keep = app_keep,
};

static void draft_follow_user(struct app *a);

/* On top of the board, the view a role starts on: the supervisor's figures and overdue
 * board, the specialist's diagnosis queue; nothing for the others. */
static void
open_role_view(struct app *a)
{
	static const struct view_open kpi = { .kind = VIEW_KPI }, queue = {
		.kind = VIEW_DIAG_QUEUE };

	if (a->model.role == MODEL_ROLE_SUPERVISOR)
		viewstack_open(&a->views, &a->model, &kpi);
	else if (a->model.role == MODEL_ROLE_SPECIALIST)
		viewstack_open(&a->views, &a->model, &queue);
}

/* The broker's answer to hello: how fast its clock runs, and who we are to it. */
static void
on_hello(void *ctx, const char *cmd_id, const struct proto_reply *r, const struct proto_error *err)
{
	struct app *a = ctx;

	(void)cmd_id;
	(void)err;
	if (r != NULL && r->ok) {
		enum model_role was = a->model.role;

		sync_if_stale(a);	/* a view may open: the model must be readable */
		a->model.time_scale = r->hello.time_scale > 0 ? r->hello.time_scale : 1;
		if (model_hello(&a->model, &r->hello))
			draft_follow_user(a);
		if (a->model.role != was && a->views.depth == 1)
			open_role_view(a);	/* the key's role, as --role would have */
	}
	a->dirty = true;
}

/* Why the broker does not let us in, from the rpc's handshakes (curve.h) or a revoked key,
 * for the status line: "the broker refused this key" instead of an endless "connecting"
 * or a silent "stale". */
static void
auth_update(struct app *a)
{
	enum model_auth was = a->model.auth;
	bool keys = !a->opts->demo && curve_keys_on(a->opts->curve);

	switch (a->revoked ? CURVE_REFUSED : rpc_handshake(a->rpc)) {
	case CURVE_REFUSED:
		a->model.auth = MODEL_AUTH_REFUSED;
		break;
	case CURVE_MISMATCH:
		a->model.auth = keys ? MODEL_AUTH_NO_CURVE : MODEL_AUTH_NEEDS_KEY;
		break;
	case CURVE_BAD_SERVER:
		/* without keys there is no server key to be wrong: a CURVE broker hung up on
		 * our plain hello before libzmq saw the mismatch */
		a->model.auth = keys ? MODEL_AUTH_BAD_SERVER : MODEL_AUTH_NEEDS_KEY;
		break;
	default:
		a->model.auth = MODEL_AUTH_NONE;
		break;
	}
	if (a->model.auth != was) {
		log_info("handshake: %s", curve_state_name(rpc_handshake(a->rpc)));
		a->dirty = true;
	}
}

/* ---- the intake draft ----
 *
 * What is typed into an intake is written on every change to one small file per user
 * ($XDG_DATA_HOME/rescuedesk/intake-draft-<user>, mode 0600, written to a temporary file
 * and renamed over it), and removed when the form closes (sent and accepted, or
 * discarded). A console that is interrupted leaves it behind; the next start offers it. */

static void
draft_init(struct app *a)
{
	const char *xdg = getenv("XDG_DATA_HOME"), *home = getenv("HOME");
	char dir[400], who[40];
	size_t i;
	FILE *f;

	if (xdg != NULL && xdg[0] == '/')
		snprintf(dir, sizeof dir, "%s", xdg);
	else if (home != NULL && home[0] == '/')
		snprintf(dir, sizeof dir, "%s/.local/share", home);
	else
		return;
	for (i = 0; i + 1 < sizeof who && a->model.user[i]; i++) {
		char c = a->model.user[i];
		who[i] = ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-') ? c : '_';
	}
	who[i] = '\0';
	snprintf(a->draft_path, sizeof a->draft_path, "%s/rescuedesk/intake-draft-%s", dir,
	    who[0] ? who : "anon");
	if ((f = fopen(a->draft_path, "r")) != NULL) {
		char buf[8192];
		size_t n = fread(buf, 1, sizeof buf - 1, f);
		buf[n] = '\0';
		fclose(f);
		if (n > 0)
			a->draft_saved = xstrdup(buf);
	}
}

/* Write text as the draft (atomically, 0600); 0 or -1 (logged). */
static int
draft_write(struct app *a, const char *text)
{
	char dir[600], tmp[640];
	char *slash;
	size_t len = strlen(text);
	int fd;

	snprintf(dir, sizeof dir, "%s", a->draft_path);
	if ((slash = strrchr(dir, '/')) != NULL)
		*slash = '\0';
	if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
		/* the parent (~/.local/share) may be missing too */
		char parent[600];
		snprintf(parent, sizeof parent, "%s", dir);
		if ((slash = strrchr(parent, '/')) != NULL)
			*slash = '\0';
		mkdir(parent, 0700);
		mkdir(dir, 0700);
	}
	snprintf(tmp, sizeof tmp, "%s.%ld.tmp", a->draft_path, (long)getpid());
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || write(fd, text, len) != (ssize_t)len || fsync(fd) < 0 ||
	    close(fd) < 0 || rename(tmp, a->draft_path) < 0) {
		log_warn("draft %s: %s", a->draft_path, strerror(errno));
		if (fd >= 0)
			unlink(tmp);
		return -1;
	}
	return 0;
}

/* The intake in the view stack, or NULL. */
static struct view *
intake_view(const struct app *a)
{
	for (int i = a->views.depth - 1; i >= 0; i--)
		if (view_is_intake(a->views.v[i]))
			return a->views.v[i];
	return NULL;
}

/* Hello's reply named another user than --user (the key's): from now on the draft is that
 * user's file. One it left behind is offered as at the start, unless a form is open. */
static void
draft_follow_user(struct app *a)
{
	if (intake_view(a) != NULL || a->ask_restore)
		return;
	free(a->draft_saved);
	a->draft_saved = NULL;
	a->draft_path[0] = '\0';
	draft_init(a);
	if (a->draft_saved != NULL) {
		static const struct view_open intake = { .kind = VIEW_INTAKE };
		viewstack_open(&a->views, &a->model, &intake);
		a->ask_restore = true;
	}
}

/* Keep the draft file equal to the intake's text (none: no file). */
static void
draft_sync(struct app *a)
{
	struct view *v = intake_view(a);
	char text[8192];

	if (a->draft_path[0] == '\0' || a->ask_restore)
		return;
	if (v == NULL || view_intake_draft(v, text, sizeof text) == 0) {
		if (a->draft_saved != NULL) {
			unlink(a->draft_path);
			free(a->draft_saved);
			a->draft_saved = NULL;
		}
		return;
	}
	if (a->draft_saved != NULL && strcmp(a->draft_saved, text) == 0)
		return;
	if (draft_write(a, text) == 0) {
		free(a->draft_saved);
		a->draft_saved = xstrdup(text);
	}
}

/* Unsaved work C-c would lose sight of: a half-typed intake or correction, commands with
 * no answer or still to be asked about. */
static bool
unsaved_work(struct app *a)
{
	if (model_pending_waiting(&a->model) > 0 || model_pending_asking(&a->model))
		return true;
	for (int i = 0; i < a->views.depth; i++)
		if (view_intake_unsaved(a->views.v[i], &a->model))
			return true;
	return false;
}

/* ---- views ---- */

static void
draw(struct app *a)
{
	int cols = vscreen_cols(a->vs), rows = vscreen_rows(a->vs);
	struct model_pending *p;
	if (view_too_small(cols, rows)) {
		view_draw_too_small(a->vs);
	} else {
		view_draw(viewstack_top(&a->views), &a->model, a->vs, &a->theme);
		const char *ask = a->confirm_quit ? "quit.confirm" : a->ask_interrupt ?
		    "quit.interrupt" : a->ask_restore ? "draft.restore" : NULL;
		if (ask != NULL) {
			char line[400];
			snprintf(line, sizeof line, " %s [y/n] ", i18n_tr(ask));
			int w = text_width(line) + 4;
			if (w > cols)
				w = cols;
			int x = (cols - w) / 2, y = rows / 2 - 1;
			vscreen_fill(a->vs, x, y, w, 3, ROLE_DIALOG, 0, L' ');
			vscreen_put(a->vs, x + 2, y + 1, ROLE_DIALOG, THEME_BOLD, line, w - 4);
			vscreen_set_cursor(a->vs, x + 2, y + 1, false);
		} else if ((p = model_pending_asking(&a->model)) != NULL) {
			expired_draw(a->vs, p);
		}
	}
	term_blit(a->vs);
	a->dirty = false;
}

static void
resize(struct app *a)
{
	int cols, rows;
	term_size(&cols, &rows);
	vscreen_resize(a->vs, cols, rows);
	a->dirty = true;
}

/* A click selects a board row; the wheel moves the selection (or scrolls) three rows,
 * except in text entry (a form or prompt open: it would move between fields) and in
 * dialogs (any key answers some of them). */
static void
handle_mouse(struct app *a, struct view *v, const struct key *k)
{
	int x, y, i;
	unsigned r = UI_NONE;

	if (view_too_small(vscreen_cols(a->vs), vscreen_rows(a->vs)))
		return;
	if (k->code == KEYSYM_CLICK) {
		term_mouse_pos(&x, &y);
		if (view_board_is(v))
			r = view_board_click(v, &a->model, x, y);
	} else if (v->scope != SCOPE_FORM && v->scope != SCOPE_DIALOG) {
		for (i = 0; i < 3; i++)
			r |= view_key(v, &a->model, k, k->code == KEYSYM_WHEEL_UP ?
			    ACTION_MOVE_UP : ACTION_MOVE_DOWN);
	}
	if (r & (UI_REDRAW | UI_RELAYOUT))
		a->dirty = true;
}

static void
handle_key(struct app *a, const struct key *k)
{
	if (k->is_func && k->code == KEYSYM_RESIZE) {
		resize(a);
		return;
	}
	if (k->is_func && (k->code == KEYSYM_CLICK || k->code == KEYSYM_WHEEL_UP ||
	    k->code == KEYSYM_WHEEL_DOWN)) {
		/* a dialog's answer is a key, never the mouse */
		if (!a->confirm_quit && !a->ask_interrupt &&
		    model_pending_asking(&a->model) == NULL)
			handle_mouse(a, viewstack_top(&a->views), k);
		return;
	}
	if (a->confirm_quit || a->ask_interrupt) {
		enum keymap_action act = keymap_lookup(SCOPE_DIALOG, k);
		if (act == ACTION_CONFIRM) {
			a->quitting = true;
			a->interrupted = a->ask_interrupt;
		}
		a->confirm_quit = a->ask_interrupt = false;
		a->dirty = true;
		return;
	}
	if (a->ask_restore) {
		struct view *iv = intake_view(a);
		enum keymap_action act = keymap_lookup(SCOPE_DIALOG, k);
		if (act == ACTION_CONFIRM && iv != NULL && a->draft_saved != NULL)
			view_intake_restore(iv, &a->model, a->draft_saved);
		a->ask_restore = false;	/* no: the draft goes at the next sync */
		a->dirty = true;
		return;
	}
	struct model_pending *p = model_pending_asking(&a->model);
	if (p != NULL) {
		/* a command past its idempotency window: only its two answers count */
		struct view_open o;
		if (expired_answer(&a->model, p, keymap_lookup(SCOPE_DIALOG, k), &o)) {
			/* an intake still open keeps what was typed: no second form */
			if (o.kind != VIEW_NONE && !(o.kind == VIEW_INTAKE && intake_view(a)))
				viewstack_open(&a->views, &a->model, &o);
			a->dirty = true;
		}
		return;
	}
	struct view *v = viewstack_top(&a->views);
	if (k->is_func && k->code == KEYSYM_PASTE)	/* for the field that takes it */
		lineedit_offer_paste(term_paste());
	if (view_too_small(vscreen_cols(a->vs), vscreen_rows(a->vs))) {
		if (!k->is_func && (k->code == 'Q' || k->code == 'q'))
			a->quitting = true;
		return;
	}
	enum keymap_action act = keymap_lookup(v->scope, k);
	unsigned r = view_key(v, &a->model, k, act);
	if (r & UI_OPEN) {
		struct view_open o = v->open;
		v->open.kind = VIEW_NONE;
		viewstack_open(&a->views, &a->model, &o);
		a->dirty = true;
	}
	if (r & (UI_REDRAW | UI_RELAYOUT))
		a->dirty = true;
	if (r & UI_CLOSE) {
		if (!viewstack_pop(&a->views, &a->model))
			a->confirm_quit = true;
		a->dirty = true;
	}
	if (r & UI_QUIT) {
		a->confirm_quit = true;
		a->dirty = true;
	}
	if (r & UI_HANDLED)
		return;
	switch (act) {
	case ACTION_HELP: {
		static const struct view_open help = { .kind = VIEW_HELP };
		viewstack_open(&a->views, &a->model, &help);
		a->dirty = true;
		break;
	}
	case ACTION_REDRAW:
		term_repaint();
		a->dirty = true;
		break;
	case ACTION_QUIT:
		a->confirm_quit = true;
		a->dirty = true;
		break;
	case ACTION_BACK:
		if (!viewstack_pop(&a->views, &a->model))
			a->confirm_quit = true;
		a->dirty = true;
		break;
	default:
		break;
	}
}

/* ---- main loop ---- */

static int
setup(struct app *a, char **cause)
{
	const struct app_opts *o = a->opts;
	char *why = NULL;

	model_init(&a->model);
	alert_init(&a->alert);
	a->model.ops = &app_ops;
	a->model.ctx = a;
	rd_strlcpy(a->model.user, o->user, sizeof a->model.user);
	int role = model_role_parse(o->role ? o->role : "agent");
	a->model.role = role < 0 ? MODEL_ROLE_AGENT : (enum model_role)role;
	a->model.demo = o->demo;
	if ((a->data = data_load(o->data_dir, &why)) == NULL) {
		xasprintf(cause, "data: %s", why);
		free(why);
		return -1;
	}
	a->model.data = a->data;
	complaint_db_use(NULL, o->data_dir);	/* the complaint views read the same data/ */
	{
		/* The console only words the broker's sessions with its copy of the flows:
		 * without one it shows node ids, so a bad copy is logged, not fatal. */
		const char *dir = o->data_dir ? o->data_dir : data_default_dir();
		char *fdir, *faults;

		xasprintf(&fdir, "%s/diagnosis", dir);
		xasprintf(&faults, "%s/faults.ini", dir);
		a->flows = flow_set_open(fdir, faults, &why);
		if (a->flows == NULL) {
			log_warn("diagnosis flows: %s", why);
			free(why);
			why = NULL;
		}
		free(fdir);
		free(faults);
		a->model.flows = a->flows;
		/* the same for the messages to customers: the picker previews with them */
		xasprintf(&fdir, "%s/tell.ini", dir);
		if ((a->tell = tell_set_load(fdir, &why)) == NULL) {
			log_warn("messages to customers: %s", why);
			free(why);
			why = NULL;
		}
		free(fdir);
		a->model.tell = a->tell;
	}
	if (i18n_load(o->data_dir ? o->data_dir : data_default_dir(), o->lang, &why) < 0) {
		xasprintf(cause, "messages: %s", why);
		free(why);
		return -1;
	}
	a->zctx = zmq_ctx_new();
	const char *api = o->api ? o->api : ENDPOINTS_DEFAULT_API;
	const char *pub = o->pub ? o->pub : ENDPOINTS_DEFAULT_PUB;
	if (o->demo) {
		struct demo_opts dopts = { .data_dir = o->data_dir, .speed = o->demo_speed,
			.rate = o->demo_rate, .seed = o->demo_seed,
			.people_diagnose = o->demo_people_diagnose };
		if ((a->demo = demo_start(a->zctx, &dopts, cause)) == NULL)
			return -1;
		api = demo_api();
		pub = demo_pub();
		a->model.time_scale = (int64_t)demo_speed(a->demo);
	}
	rd_strlcpy(a->model.endpoint, api, sizeof a->model.endpoint);
	/* the demo's broker is open, on inproc (which has no CURVE anyway) */
	struct rpc_opts ro = { .endpoint = api, .user = o->user,
		.curve = o->demo ? NULL : o->curve };
	if ((a->rpc = rpc_create(a->zctx, &ro, cause)) == NULL)
		return -1;
	if ((a->n_eps = rpc_endpoints_split(api, a->eps, &why)) < 0) {
		free(why); /* rpc_create took the list: it splits */
		why = NULL;
		a->n_eps = 0;
	}
	if (a->n_eps > 1) {
		a->model.group_n = a->n_eps;
		a->model.group_at = rpc_endpoint(a->rpc, &a->moves) + 1;
		rd_strlcpy(a->model.endpoint, a->eps[a->model.group_at - 1],
		    sizeof a->model.endpoint);
	}
	static const struct replica_ops rops = { .change = on_change, .state = on_state };
	struct replica_opts po = { .pub_endpoint = pub, .curve = ro.curve };
	if ((a->rep = replica_create(a->zctx, a->rpc, &po, &rops, a, cause)) == NULL)
		return -1;
	struct proto_hello h = { .present = PROTO_ALL };
	PROTO_STRSET(h.client, "rescuedesk " RD_VERSION);
	PROTO_STRSET(h.role, model_role_name(a->model.role));
	rpc_call(a->rpc, PROTO_MSG_hello, &h, on_hello, a, NULL);
	return 0;
}

static void
teardown(struct app *a)
{
	viewstack_finish(&a->views, &a->model);
	complaint_sync_reset();
	free(a->draft_saved);
	replica_destroy(a->rep);
	rpc_destroy(a->rpc);
	for (int i = 0; i < a->n_eps; i++)
		free(a->eps[i]);
	demo_stop(a->demo);
	if (a->zctx)
		zmq_ctx_term(a->zctx);
	model_finish(&a->model);
	data_free(a->data);
	flow_set_free(a->flows);
	tell_set_free(a->tell);
	vscreen_destroy(a->vs);
	alert_finish(&a->alert);
	for (int s = 0; s < PROTO_STREAM_COUNT; s++)
		free(a->rows[s]);
	free(a->bell);
	i18n_unload();
}

int
app_run(const struct app_opts *opts)
{
	struct app a = { .opts = opts };
	char *cause = NULL;
	int rc = 1;

	/* C-c, hang-up and termination leave through the same door as Q: the terminal is
	 * restored and the demo's threads and temporary store are cleaned up. */
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_stop_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (setup(&a, &cause) < 0)
		goto out;
	if (term_init(&cause) < 0)
		goto out;
	theme_init_variant(&a.theme, theme_want_color(opts->mono, term_has_colors()),
	    (enum theme_variant)opts->theme);
	term_set_theme(&a.theme);
	term_mouse(!opts->no_mouse);
	int cols, rows;
	term_size(&cols, &rows);
	a.vs = vscreen_create(cols, rows);
	static const struct view_open board = { .kind = VIEW_BOARD };
	viewstack_open(&a.views, &a.model, &board);
	open_role_view(&a);
	draft_init(&a);
	int64_t complaint = 0;
	if (a.draft_saved != NULL) {
		/* an intake was interrupted: open the form and offer what was typed */
		static const struct view_open intake = { .kind = VIEW_INTAKE };
		viewstack_open(&a.views, &a.model, &intake);
		a.ask_restore = true;
	} else if (complaint_db_interrupted(a.model.user, &complaint)) {
		/* a complaint was being typed: open it, its draft restored */
		viewstack_open(&a.views, &a.model, &(struct view_open){ .kind = VIEW_COMPLAINT,
		    .complaint = complaint });
	}

	zmq_pollitem_t items[3] = {
		{ rpc_socket(a.rpc), 0, ZMQ_POLLIN, 0 },
		{ replica_socket(a.rep), 0, ZMQ_POLLIN, 0 },
		{ NULL, term_input_fd(), ZMQ_POLLIN, 0 },
	};
	a.dirty = true;
	while (!a.quitting) {
		int64_t now = rd_mono_ms();
		long timeout = 1000 - (now - a.last_second);
		int t1 = rpc_next_timeout(a.rpc, now), t2 = replica_next_timeout(a.rep, now);
		if (t1 >= 0 && t1 < timeout)
			timeout = t1;
		if (t2 >= 0 && t2 < timeout)
			timeout = t2;
		int64_t t3 = model_refresh_wait(&a.model, now);
		if (t3 >= 0 && t3 < timeout)
			timeout = (long)t3;
		if (timeout < 0)
			timeout = 0;
		if (zmq_poll(items, 3, timeout) < 0 && errno != EINTR) {
			cause = xstrdup(zmq_strerror(errno));
			break;
		}
		now = rd_mono_ms();
		rpc_process(a.rpc, now);
		follow_endpoint(&a);
		auth_update(&a);
		mark_queued(&a);
		if (a.model.req.close != NULL) {
			/* a form whose submit the broker accepted */
			if (a.model.req.close == viewstack_top(&a.views)) {
				struct view_open o = { .kind = VIEW_DETAIL,
					.ticket = a.model.req.close_open };
				viewstack_pop(&a.views, &a.model);
				if (o.ticket > 0)
					viewstack_open(&a.views, &a.model, &o);
			}
			a.model.req.close = NULL;
			a.model.req.close_open = 0;
			a.dirty = true;
		}
		replica_process(a.rep, now);
		follow_endpoint(&a);	/* the replica moves the rpc when its broker is lost */
		a.model.hb_age_ms = replica_hb_age_ms(a.rep, now);
		if (now - a.last_second >= 1000) {
			/* clocks, ages and countdowns move every second */
			a.last_second = now;
			a.data_changed = a.other_changed = true;
			if (a.model.message[0] && now - a.model.message_at > MESSAGE_MS) {
				a.model.message[0] = '\0';
				a.dirty = true;
			}
		}
		/* The replica may have freed what the model borrows: the model is stale until
		 * the next refresh, which runs when due (at most every MODEL_REFRESH_MS, so a
		 * burst of updates costs one refresh, not one per loop turn; at once for a
		 * warning, model_urgent) and before any key handler, answer or draw looks at it. */
		struct replica_stats rs;
		replica_stats(a.rep, &rs);
		if (rs.resyncs != a.seen.resyncs)
			a.resynced = a.other_changed = true;
		if (rs.applied != a.seen.applied || rs.resyncs != a.seen.resyncs) {
			a.seen = rs;
			a.data_changed = true;
		}
		if (a.data_changed) {
			model_stale(&a.model);
			a.data_changed = false;
		}
		if (a.warning_changed) {
			model_urgent(&a.model);
			a.warning_changed = false;
		}
		if (a.model.stale && a.model.urgent && !a.other_changed)
			refresh_warnings(&a);
		if (model_refresh_wait(&a.model, now) == 0)
			sync_model(&a, now);
		struct key k;
		while (term_read_key(&k) && !a.quitting) {
			sync_if_stale(&a);
			handle_key(&a, &k);
		}
		draft_sync(&a);
		complaint_sync_tick(&a.model, now);
		own_presence_tick(&a.presence, &a.model, now);
		if (stop_signal == SIGINT && !a.ask_interrupt && unsaved_work(&a)) {
			/* C-c with work in hand asks first; a second C-c leaves */
			stop_signal = 0;
			a.confirm_quit = a.ask_restore = false;
			a.ask_interrupt = true;
			a.dirty = true;
		}
		if (stop_signal) {
			log_info("signal %d: leaving", (int)stop_signal);
			a.interrupted = true;
			break;
		}
		if (a.dirty && !a.model.stale)
			draw(&a);
	}
	if (cause == NULL && a.model.conn == MODEL_LIVE) {
		/* "off": the warnings this user owns are let go now, not after the lease; the
		 * socket drops what is unsent when it closes, so wait a moment for the answer */
		zmq_pollitem_t it = { rpc_socket(a.rpc), 0, ZMQ_POLLIN, 0 };
		own_presence_off(&a.presence, &a.model);
		if (zmq_poll(&it, 1, OWN_OFF_WAIT_MS) > 0)
			rpc_process(a.rpc, rd_mono_ms());
	}
	rc = cause || a.interrupted ? 1 : 0;
out:
	term_fini();
	teardown(&a);
	if (cause) {
		fprintf(stderr, "rescuedesk: %s\n", cause);
		free(cause);
	}
	return rc;
}
