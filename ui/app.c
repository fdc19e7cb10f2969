/* app.c: the console's loop, view stack, commands and demo mode. */
#include "app.h"

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zmq.h>

#include "broker.h"
#include "data.h"
#include "endpoints.h"
#include "i18n.h"
#include "keymap.h"
#include "model.h"
#include "replica.h"
#include "rpc.h"
#include "sim.h"
#include "term.h"
#include "theme.h"
#include "util.h"
#include "view-board.h"
#include "view-detail.h"
#include "view-help.h"
#include "view-kpi.h"
#include "view.h"
#include "vscreen.h"

#define STACK_MAX 8
#define MESSAGE_MS 10000 /* the message line clears after this long */

static volatile sig_atomic_t stop_signal;

static void
on_stop_signal(int sig)
{
	stop_signal = sig;
}
#define DEMO_API "inproc://rescuedesk-api"
#define DEMO_PUB "inproc://rescuedesk-pub"
#define DEMO_FEED "inproc://rescuedesk-feed"

struct app {
	const struct app_opts *opts;
	void *zctx;
	struct rpc *rpc;
	struct replica *rep;
	struct data *data;
	struct model model;
	struct vscreen *vs;
	struct theme theme;
	struct view *stack[STACK_MAX];
	int depth;
	bool dirty, data_changed, quitting, confirm_quit;
	struct replica_stats seen; /* replica counters at the last refresh */
	int64_t last_second;

	const struct proto_ticket **tickets;
	const struct proto_truck **trucks;
	const struct proto_warning **warnings;
	size_t cap_t, cap_k, cap_w;

	/* demo */
	char demo_dir[64];
	struct broker *broker;
	struct sim *sim;
	pthread_t broker_th, sim_th;
	bool broker_running, sim_running;
	volatile sig_atomic_t broker_stop;
	volatile sig_atomic_t sim_stop;
};

/* ---- replica -> model ---- */

static void
on_change_ticket(void *ctx, const struct proto_ticket *old, const struct proto_ticket *now)
{
	struct app *a = ctx;
	(void)old;
	(void)now;
	a->data_changed = true;
}

static void
on_change_truck(void *ctx, const struct proto_truck *old, const struct proto_truck *now)
{
	struct app *a = ctx;
	(void)old;
	(void)now;
	a->data_changed = true;
}

static void
on_change_warning(void *ctx, const struct proto_warning *old, const struct proto_warning *now)
{
	struct app *a = ctx;
	(void)old;
	(void)now;
	a->data_changed = true;
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
	a->dirty = true;
	a->data_changed = true;
}

static void *
grow(void *p, size_t *cap, size_t need, size_t size)
{
	if (need <= *cap)
		return p;
	*cap = need + need / 2 + 16;
	return xreallocarray(p, *cap, size);
}

/* Borrow the replica's tables into the model and rebuild the board. */
static void
refresh_model(struct app *a)
{
	struct model *m = &a->model;
	size_t pos, n;
	const struct proto_ticket *t;
	const struct proto_truck *k;
	const struct proto_warning *w;

	a->tickets = grow(a->tickets, &a->cap_t, replica_ticket_count(a->rep) + 1, sizeof *a->tickets);
	for (pos = 0, n = 0; (t = replica_ticket_next(a->rep, &pos)) != NULL;)
		a->tickets[n++] = t;
	m->tickets = a->tickets;
	m->n_tickets = n;
	a->trucks = grow(a->trucks, &a->cap_k, replica_truck_count(a->rep) + 1, sizeof *a->trucks);
	for (pos = 0, n = 0; (k = replica_truck_next(a->rep, &pos)) != NULL;)
		a->trucks[n++] = k;
	m->trucks = a->trucks;
	m->n_trucks = n;
	a->warnings = grow(a->warnings, &a->cap_w, replica_warning_count(a->rep) + 1,
	    sizeof *a->warnings);
	for (pos = 0, n = 0; (w = replica_warning_next(a->rep, &pos)) != NULL;)
		if (!w->cleared)
			a->warnings[n++] = w;
	m->warnings = a->warnings;
	m->n_warnings = n;
	model_refresh(m, m->now);
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

/* ---- commands ---- */

/* The answer to the dispatch.candidates request in flight (m->candidates_cmd). */
static void
on_candidates(struct model *m, const struct proto_reply *r, const struct proto_error *err)
{
	char why[256];
	int64_t id = m->candidates_id;

	m->candidates_cmd[0] = '\0';
	if (r == NULL) {
		snprintf(why, sizeof why, "%s (%s)", i18n_tr("detail.cand.err_no_answer"),
		    err != NULL ? err->message : "-");
		model_candidates_fail(m, id, why);
	} else if (!r->ok && r->error.code == PROTO_E_UNKNOWN_OP) {
		snprintf(why, sizeof why, "%s (%s)", i18n_tr("detail.cand.err_unknown_op"),
		    proto_err_name(r->error.code));
		model_candidates_fail(m, id, why);
	} else if (!r->ok) {
		snprintf(why, sizeof why, "%s (%s)", r->error.message,
		    proto_err_name(r->error.code));
		model_candidates_fail(m, id, why);
	} else
		model_candidates_set(m, id, r->candidates, r->n_candidates);
}

static void
on_reply(void *ctx, const char *cmd_id, const struct proto_reply *r, const struct proto_error *err)
{
	struct app *a = ctx;
	struct model *m = &a->model;
	struct model_pending *p = model_pending_find(m, cmd_id);

	a->dirty = true;
	if (m->candidates_cmd[0] != '\0' && strcmp(cmd_id, m->candidates_cmd) == 0) {
		on_candidates(m, r, err);
		return;
	}
	if (r != NULL && r->ok && r->op_id == PROTO_MSG_hello) {
		m->time_scale = r->hello.time_scale > 0 ? r->hello.time_scale : 1;
		return;
	}
	if (r != NULL && r->ok && r->op_id == PROTO_MSG_ticket_get) {
		if (r->ticket.id != m->detail_id)
			return;
		free(m->events);
		m->events = NULL;
		m->n_events = r->n_events;
		if (r->n_events) {
			m->events = xcalloc(r->n_events, sizeof *m->events);
			memcpy(m->events, r->events, r->n_events * sizeof *m->events);
		}
		m->detail_ver = r->ticket.ver;
		m->detail_loading = false;
		return;
	}
	if (p == NULL)
		return;
	if (r == NULL) {
		p->state = PENDING_FAILED;
		snprintf(p->error, sizeof p->error, "%s", err ? err->message : "no answer");
		model_message(m, true, "%s: %s", p->what, p->error);
	} else if (!r->ok) {
		p->state = PENDING_FAILED;
		snprintf(p->error, sizeof p->error, "%s", r->error.message);
		model_message(m, true, "%s: %s", p->what, r->error.message);
	} else {
		p->state = PENDING_OK;
		if (r->op_id == PROTO_MSG_intake_create)
			model_message(m, false, "%s: #%" PRId64 " %s", p->what, r->ticket.id,
			    i18n_tr("msg.created"));
		else
			model_message(m, false, "%s: %s", p->what, i18n_tr("msg.done"));
	}
	if (r != NULL && r->ok && r->ticket.id == m->detail_id && r->op_id != PROTO_MSG_ticket_get)
		m->detail_ver = -1; /* the history changed: fetch it again */
}

static int
send_cmd(struct model *m, enum proto_msg_id op, const void *args, const char *what)
{
	struct app *a = m->ctx;
	char cmd_id[PROTO_CMD_ID_MAX + 1];
	if (rpc_call(a->rpc, op, args, on_reply, a, cmd_id) < 0) {
		model_message(m, true, "%s: %s", what, i18n_tr("msg.send_failed"));
		return -1;
	}
	model_pending_add(m, cmd_id, what);
	a->dirty = true;
	return 0;
}

static int
op_intake(struct model *m, const struct proto_intake_create *args)
{
	char what[96];
	snprintf(what, sizeof what, "%s %s", i18n_tr("cmd.intake"), args->customer);
	return send_cmd(m, PROTO_MSG_intake_create, args, what);
}

static int
op_note(struct model *m, int64_t id, const char *text)
{
	struct proto_ticket_note a = { .id = id, .present = PROTO_ALL };
	char what[96];
	PROTO_STRSET(a.text, text);
	snprintf(what, sizeof what, "%s #%" PRId64, i18n_tr("cmd.note"), id);
	return send_cmd(m, PROTO_MSG_ticket_note, &a, what);
}

static int
op_set_state(struct model *m, int64_t id, const char *state, const char *reason)
{
	struct proto_ticket_set_state a = { .id = id, .present = PROTO_ALL };
	char what[96];
	PROTO_STRSET(a.state, state);
	PROTO_STRSET(a.reason, reason ? reason : "");
	a.present &= ~((uint64_t)1 << PROTO_ticket_set_state_eta_s);
	snprintf(what, sizeof what, "#%" PRId64 " -> %s", id, state);
	return send_cmd(m, PROTO_MSG_ticket_set_state, &a, what);
}

static int
op_cancel(struct model *m, int64_t id, const char *reason)
{
	struct proto_ticket_cancel a = { .id = id, .present = PROTO_ALL };
	char what[96];
	PROTO_STRSET(a.reason, reason);
	snprintf(what, sizeof what, "%s #%" PRId64, i18n_tr("cmd.cancel"), id);
	return send_cmd(m, PROTO_MSG_ticket_cancel, &a, what);
}

static int
op_assign(struct model *m, int64_t id, const char *truck)
{
	struct proto_ticket_assign a = { .id = id, .present = PROTO_ALL };
	char what[96];
	PROTO_STRSET(a.truck, truck);
	snprintf(what, sizeof what, "#%" PRId64 " -> %s", id, truck);
	return send_cmd(m, PROTO_MSG_ticket_assign, &a, what);
}

static int
op_fetch_detail(struct model *m, int64_t id)
{
	struct app *a = m->ctx;
	struct proto_ticket_get g = { .id = id, .present = PROTO_ALL };
	if (m->detail_loading && m->detail_id == id)
		return 0;
	if (m->detail_id != id) {
		free(m->events);
		m->events = NULL;
		m->n_events = 0;
	}
	m->detail_id = id;
	m->detail_loading = true;
	if (rpc_call(a->rpc, PROTO_MSG_ticket_get, &g, on_reply, a, NULL) < 0) {
		m->detail_loading = false;
		return -1;
	}
	return 0;
}

static int
op_fetch_candidates(struct model *m, int64_t id, int k)
{
	struct app *a = m->ctx;
	struct proto_dispatch_candidates q = { .id = id, .k = k < 1 ? 1 : k > 20 ? 20 : k,
		.present = PROTO_ALL };
	char cmd_id[PROTO_CMD_ID_MAX + 1];

	if (m->candidates_cmd[0] != '\0') /* the earlier request's answer is not wanted */
		rpc_cancel(a->rpc, m->candidates_cmd);
	m->candidates_cmd[0] = '\0';
	model_candidates_start(m, id);
	a->dirty = true;
	if (rpc_call(a->rpc, PROTO_MSG_dispatch_candidates, &q, on_reply, a, cmd_id) < 0) {
		model_candidates_fail(m, id, i18n_tr("msg.send_failed"));
		return -1;
	}
	rd_strlcpy(m->candidates_cmd, cmd_id, sizeof m->candidates_cmd);
	return 0;
}

static const struct model_ops app_ops = {
	.intake = op_intake,
	.note = op_note,
	.set_state = op_set_state,
	.cancel = op_cancel,
	.assign = op_assign,
	.fetch_detail = op_fetch_detail,
	.fetch_candidates = op_fetch_candidates,
};

/* ---- views ---- */

static void
push(struct app *a, struct view *v)
{
	if (a->depth == STACK_MAX) {
		view_destroy(v);
		return;
	}
	a->stack[a->depth++] = v;
	a->dirty = true;
}

static void
pop(struct app *a)
{
	if (a->depth <= 1)
		return;
	view_destroy(a->stack[--a->depth]);
	a->dirty = true;
}

static void
draw(struct app *a)
{
	int cols = vscreen_cols(a->vs), rows = vscreen_rows(a->vs);
	if (view_too_small(cols, rows)) {
		view_draw_too_small(a->vs);
	} else {
		view_draw(a->stack[a->depth - 1], &a->model, a->vs, &a->theme);
		if (a->confirm_quit) {
			char line[160];
			snprintf(line, sizeof line, " %s [y/n] ", i18n_tr("quit.confirm"));
			int w = (int)strlen(line) + 4;
			int x = (cols - w) / 2, y = rows / 2 - 1;
			vscreen_fill(a->vs, x, y, w, 3, ROLE_DIALOG, 0, L' ');
			vscreen_put(a->vs, x + 2, y + 1, ROLE_DIALOG, THEME_BOLD, line, w - 4);
			vscreen_set_cursor(a->vs, x + 2, y + 1, false);
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

static void
handle_key(struct app *a, const struct key *k)
{
	if (k->is_func && k->code == KEYSYM_RESIZE) {
		resize(a);
		return;
	}
	if (a->confirm_quit) {
		enum keymap_action act = keymap_lookup(SCOPE_DIALOG, k);
		if (act == ACTION_CONFIRM)
			a->quitting = true;
		a->confirm_quit = false;
		a->dirty = true;
		return;
	}
	struct view *v = a->stack[a->depth - 1];
	if (view_too_small(vscreen_cols(a->vs), vscreen_rows(a->vs))) {
		if (!k->is_func && (k->code == 'Q' || k->code == 'q'))
			a->quitting = true;
		return;
	}
	enum keymap_action act = keymap_lookup(v->scope, k);
	unsigned r = view_key(v, &a->model, k, act);
	if (a->model.open != NULL) {
		push(a, a->model.open);
		a->model.open = NULL;
	}
	if (r & (UI_REDRAW | UI_RELAYOUT))
		a->dirty = true;
	if (r & UI_CLOSE) {
		if (a->depth > 1)
			pop(a);
		else
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
	case ACTION_HELP:
		push(a, view_help_create());
		break;
	case ACTION_REDRAW:
		term_repaint();
		a->dirty = true;
		break;
	case ACTION_QUIT:
		a->confirm_quit = true;
		a->dirty = true;
		break;
	case ACTION_BACK:
		if (a->depth > 1)
			pop(a);
		else
			a->confirm_quit = true;
		a->dirty = true;
		break;
	default:
		break;
	}
}

/* ---- demo ---- */

static void *
broker_main(void *arg)
{
	struct app *a = arg;
	broker_run(a->broker, &a->broker_stop);
	return NULL;
}

static void *
sim_main(void *arg)
{
	struct app *a = arg;
	sim_run(a->sim, &a->sim_stop);
	return NULL;
}

static int
demo_start(struct app *a, char **cause)
{
	char db[96];
	rd_strlcpy(a->demo_dir, "/tmp/rescuedesk-demo-XXXXXX", sizeof a->demo_dir);
	if (mkdtemp(a->demo_dir) == NULL) {
		xasprintf(cause, "cannot make a temporary directory: %s", strerror(errno));
		return -1;
	}
	snprintf(db, sizeof db, "%s/demo.db", a->demo_dir);
	double speed = a->opts->demo_speed > 0 ? a->opts->demo_speed : 30;
	struct broker_opts bo = {
		.api = DEMO_API, .pub = DEMO_PUB, .feed = DEMO_FEED, .db = db,
		.data_dir = a->opts->data_dir, .sync = STORE_SYNC_NORMAL, .time_scale = speed,
	};
	if ((a->broker = broker_create(a->zctx, &bo, cause)) == NULL)
		return -1;
	pthread_create(&a->broker_th, NULL, broker_main, a);
	a->broker_running = true;
	struct sim_opts so;
	sim_opts_init(&so);
	so.api = DEMO_API;
	so.pub = DEMO_PUB;
	so.feed = DEMO_FEED;
	so.data_dir = a->opts->data_dir;
	so.speed = speed;
	so.seed = a->opts->demo_seed ? a->opts->demo_seed : (unsigned long)rd_now_ms();
	/* sustainable demand for the demo fleet, after an opening burst so that a newcomer
	 * sees a busy centre within two seconds */
	so.rate = a->opts->demo_rate > 0 ? a->opts->demo_rate : 45;
	so.burst = 14;
	if ((a->sim = sim_create(a->zctx, &so, cause)) == NULL)
		return -1;
	pthread_create(&a->sim_th, NULL, sim_main, a);
	a->sim_running = true;
	return 0;
}

static void
demo_stop(struct app *a)
{
	if (a->sim_running) {
		a->sim_stop = 1;
		pthread_join(a->sim_th, NULL);
	}
	sim_destroy(a->sim);
	if (a->broker_running) {
		a->broker_stop = 1;
		pthread_join(a->broker_th, NULL);
	}
	broker_destroy(a->broker);
	if (a->demo_dir[0]) {
		char path[128];
		const char *files[] = { "demo.db", "demo.db-wal", "demo.db-shm" };
		for (size_t i = 0; i < ARRAY_LEN(files); i++) {
			snprintf(path, sizeof path, "%s/%s", a->demo_dir, files[i]);
			unlink(path);
		}
		rmdir(a->demo_dir);
	}
}

/* ---- main loop ---- */

static int
setup(struct app *a, char **cause)
{
	const struct app_opts *o = a->opts;
	char *why = NULL;

	model_init(&a->model);
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
	if (i18n_load(o->data_dir ? o->data_dir : data_default_dir(), o->lang, &why) < 0) {
		xasprintf(cause, "messages: %s", why);
		free(why);
		return -1;
	}
	a->zctx = zmq_ctx_new();
	const char *api = o->api ? o->api : ENDPOINTS_DEFAULT_API;
	const char *pub = o->pub ? o->pub : ENDPOINTS_DEFAULT_PUB;
	if (o->demo) {
		if (demo_start(a, cause) < 0)
			return -1;
		api = DEMO_API;
		pub = DEMO_PUB;
		a->model.time_scale = (int64_t)(o->demo_speed > 0 ? o->demo_speed : 30);
	}
	rd_strlcpy(a->model.endpoint, api, sizeof a->model.endpoint);
	struct rpc_opts ro = { .endpoint = api, .user = o->user };
	if ((a->rpc = rpc_create(a->zctx, &ro, cause)) == NULL)
		return -1;
	static const struct replica_ops rops = {
		.ticket = on_change_ticket, .truck = on_change_truck, .warning = on_change_warning,
		.state = on_state,
	};
	struct replica_opts po = { .pub_endpoint = pub, .trucks = true };
	if ((a->rep = replica_create(a->zctx, a->rpc, &po, &rops, a, cause)) == NULL)
		return -1;
	struct proto_hello h = { .present = PROTO_ALL };
	PROTO_STRSET(h.client, "rescuedesk " RD_VERSION);
	PROTO_STRSET(h.role, model_role_name(a->model.role));
	rpc_call(a->rpc, PROTO_MSG_hello, &h, on_reply, a, NULL);
	return 0;
}

static void
teardown(struct app *a)
{
	while (a->depth > 0)
		view_destroy(a->stack[--a->depth]);
	replica_destroy(a->rep);
	rpc_destroy(a->rpc);
	if (a->opts->demo)
		demo_stop(a);
	if (a->zctx)
		zmq_ctx_term(a->zctx);
	model_finish(&a->model);
	data_free(a->data);
	vscreen_destroy(a->vs);
	free(a->tickets);
	free(a->trucks);
	free(a->warnings);
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
	theme_init(&a.theme, theme_want_color(opts->mono, term_has_colors()));
	term_set_theme(&a.theme);
	int cols, rows;
	term_size(&cols, &rows);
	a.vs = vscreen_create(cols, rows);
	push(&a, view_board_create());
	if (a.model.role == MODEL_ROLE_SUPERVISOR)
		push(&a, view_kpi_create());

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
		if (timeout < 0)
			timeout = 0;
		if (zmq_poll(items, 3, timeout) < 0 && errno != EINTR) {
			cause = xstrdup(zmq_strerror(errno));
			break;
		}
		now = rd_mono_ms();
		rpc_process(a.rpc, now);
		replica_process(a.rep, now);
		a.model.hb_age_ms = replica_hb_age_ms(a.rep, now);
		if (now - a.last_second >= 1000) {
			/* clocks, ages and countdowns move every second */
			a.last_second = now;
			a.data_changed = true;
			if (a.model.message[0] && now - a.model.message_at > MESSAGE_MS) {
				a.model.message[0] = '\0';
				a.dirty = true;
			}
		}
		/* The replica may have freed what the model borrows: refresh before any key
		 * handler or view looks at it. */
		struct replica_stats rs;
		replica_stats(a.rep, &rs);
		if (rs.applied != a.seen.applied || rs.resyncs != a.seen.resyncs) {
			a.seen = rs;
			a.data_changed = true;
		}
		if (a.data_changed) {
			a.model.now = broker_time(&a, now);
			refresh_model(&a);
			/* a detail view on top fetches the history again when its ticket moved */
			view_detail_sync(a.stack[a.depth - 1], &a.model);
		}
		struct key k;
		while (term_read_key(&k) && !a.quitting)
			handle_key(&a, &k);
		if (stop_signal) {
			log_info("signal %d: leaving", (int)stop_signal);
			break;
		}
		if (a.dirty)
			draw(&a);
	}
	rc = cause ? 1 : 0;
out:
	term_fini();
	teardown(&a);
	if (cause) {
		fprintf(stderr, "rescuedesk: %s\n", cause);
		free(cause);
	}
	return rc;
}
