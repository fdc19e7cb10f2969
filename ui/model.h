/* model.h: what the console knows and shows: the tickets, trucks and warnings of the live
 * replica, the board (filter, order, selection), the connection's state, the requests in
 * flight and the commands the agent sent, the message line, and the reference data.
 *
 * Views read a const struct model and ask for changes only through model_* functions.
 * Every request to the broker goes through model_request(): the op, its arguments, the
 * command's name for the agent (pending list and message line) or none for a query, and
 * the callback that gets the answer. The app implements struct model_ops (send one
 * request, forget one) and hands every answer to model_reply(); tests give a model fixed
 * data and their own ops, so every view can be drawn and driven without a terminal or a
 * socket. What a view fetched (a ticket's history, the broker's ranked trucks) is the
 * view's own.
 *
 * Ownership: the model owns the board, the pending list, the table of requests in flight
 * and the warning-level table; tickets, trucks and warnings are borrowed from whoever fills
 * them (the replica in the app, static arrays in tests) and are valid until the next
 * model_refresh(). data is borrowed. */
#ifndef RD_MODEL_H
#define RD_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "board.h"
#include "data.h"
#include "proto.h"

enum model_conn {
	MODEL_CONNECTING,
	MODEL_SYNCING,
	MODEL_LIVE,
	MODEL_STALE,
};

enum model_role { MODEL_ROLE_AGENT, MODEL_ROLE_SUPERVISOR, MODEL_ROLE_SPECIALIST };

enum pending_state { PENDING_WAIT, PENDING_OK, PENDING_FAILED };

#define MODEL_PENDING_MAX 16

struct model_pending {
	char cmd_id[PROTO_CMD_ID_MAX + 1];
	char what[96];           /* "note on #12" */
	enum pending_state state;
	int64_t since;           /* monotonic ms */
	char error[200];         /* when failed, in words */
};

struct model;

/* The answer to a request: r the broker's reply (r->ok or not, r->error in words), or NULL
 * when none came (err says why: a time-out, a bad reply). Both are borrowed for the call. */
typedef void model_reply_fn(struct model *m, void *ctx, const struct proto_reply *r,
    const struct proto_error *err);

/* What the app does for the model: the one way to the broker. */
struct model_ops {
	/* Send op (its arguments: the struct proto_<op> of proto.h); store the request's id
	 * in cmd_id and return 0, or return -1 when it could not be sent. Every answer is
	 * handed to model_reply(). */
	int (*send)(struct model *m, enum proto_msg_id op, const void *args,
	    char cmd_id[PROTO_CMD_ID_MAX + 1]);
	/* The answer to cmd_id is not wanted any more. May be NULL. */
	void (*cancel)(struct model *m, const char *cmd_id);
};

/* One request (model_request): op and args as for model_ops.send; what names a command
 * for the agent ("Note on #12": it is listed as pending and its outcome goes to the
 * message line) or is NULL for a query; on_reply (may be NULL) gets the answer with ctx.
 * owner is the view that asked (NULL: none): when it closes, the view stack forgets its
 * requests (model_forget), so no answer reaches a destroyed view. */
struct model_request {
	enum proto_msg_id op;
	const void *args;
	const char *what;
	model_reply_fn *on_reply;
	void *ctx;
	const void *owner;
};

/* A request whose answer is awaited. */
struct model_call {
	char cmd_id[PROTO_CMD_ID_MAX + 1];
	model_reply_fn *on_reply;
	void *ctx;
	const void *owner;
};

struct model {
	/* data, borrowed until the next refresh */
	const struct proto_ticket **tickets;
	size_t n_tickets;
	const struct proto_truck **trucks;
	size_t n_trucks;
	const struct proto_warning **warnings; /* active ones */
	size_t n_warnings;
	const struct data *data;

	struct board board;
	size_t n_open, n_late, n_risk; /* counted by model_refresh, so views need not */
	uint8_t *warn_level;     /* by ticket id: 0 none, 1 amber, 2 red */
	size_t warn_cap;

	/* connection */
	enum model_conn conn;
	int64_t hb_age_ms;       /* -1: none yet */
	int64_t now;             /* broker time now (ms), for ages and countdowns */
	int64_t time_scale;
	char user[33];
	enum model_role role;
	char endpoint[128];
	bool demo;

	/* commands in flight and recent results */
	struct model_pending pending[MODEL_PENDING_MAX];
	size_t n_pending;
	/* requests whose answer is awaited (owned) */
	struct model_call *calls;
	size_t n_calls, cap_calls;

	/* message line */
	char message[256];
	bool message_error;
	int64_t message_at;      /* monotonic ms */

	const struct model_ops *ops;
	void *ctx;               /* the app's, for ops */
};

void model_init(struct model *m);
void model_finish(struct model *m);

/* After the tables changed: rebuild warning levels and the board. now is broker time. */
void model_refresh(struct model *m, int64_t now);

/* Lookups over the borrowed tables (linear for trucks; tickets by id). */
const struct proto_ticket *model_ticket(const struct model *m, int64_t id);
const struct proto_truck *model_truck(const struct model *m, const char *id);
int model_warn_level(const struct model *m, int64_t id);
/* The active warnings of ticket id, most severe first; returns how many were stored. */
size_t model_ticket_warnings(const struct model *m, int64_t id,
    const struct proto_warning **out, size_t max);

/* Whether ticket t waits for an agent to choose its truck: state new in a region whose
 * auto_dispatch is 0 (the broker offers nothing by itself there). false when the region or
 * the data is unknown. */
bool model_ticket_awaits_choice(const struct model *m, const struct proto_ticket *t);

/* Send a request (struct model_request). 0 when sent, with its id in cmd_id (may be
 * NULL; else PROTO_CMD_ID_MAX + 1 bytes); -1 when it could not be, with the message line
 * saying so for a command. */
int model_request(struct model *m, const struct model_request *rq, char *cmd_id);
/* The answer to cmd_id (r NULL: none came, err says why): a command's pending entry is
 * settled and its outcome put on the message line, then the request's on_reply is called
 * (once; an unknown or forgotten cmd_id calls nothing). For the app's ops. */
void model_reply(struct model *m, const char *cmd_id, const struct proto_reply *r,
    const struct proto_error *err);
/* Forget one request: its answer calls nothing (the app is told through ops.cancel unless
 * the answer still settles a pending command). forget: the same for every request of
 * owner (non-NULL), for a view that closes; the answers still settle commands. */
void model_cancel(struct model *m, const char *cmd_id);
void model_forget(struct model *m, const void *owner);

/* The message line. */
void model_message(struct model *m, bool error, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Pending commands: add returns the slot (the oldest finished one is reused); find by id. */
struct model_pending *model_pending_add(struct model *m, const char *cmd_id, const char *what);
struct model_pending *model_pending_find(struct model *m, const char *cmd_id);
size_t model_pending_waiting(const struct model *m);

const char *model_conn_name(enum model_conn c);     /* catalog keys: "status.live", ... */
const char *model_role_name(enum model_role r);     /* "agent", "supervisor", "specialist" */
int model_role_parse(const char *s);

/* Format helpers shared by views (pure): an age or countdown as "12m", "1h05", "-3m";
 * a ms timestamp as local "HH:MM". */
void model_fmt_minutes(int64_t ms, char *out, size_t outsz);
void model_fmt_clock(int64_t ts_ms, char *out, size_t outsz);

#endif
