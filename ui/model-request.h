/* model-request.h: the one way from the console's views to the broker, and the commands
 * the agent sent (the pending list of the status line).
 *
 * A view asks with model_request(): the op, its arguments, the command's name for the
 * agent ("Note on #12": listed as pending, its outcome put on the message line) or none
 * for a query, and the callback that gets the answer. The app implements struct model_ops
 * (send one request over the rpc path, forget one) and hands every answer to
 * model_reply(); tests give their own ops and answer themselves. Adding a request is a
 * call in the view that needs it, never a new member here.
 *
 * Ownership: struct model_requests is embedded in struct model (model.h) and owns its
 * tables; model_requests_finish frees them. Callback contexts are borrowed: a view that
 * closes is forgotten first (model_forget, by the view stack). */
#ifndef RD_MODEL_REQUEST_H
#define RD_MODEL_REQUEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proto.h"

struct model;

/* PENDING_ASK: no answer within the idempotency window (a queued command whose tries ran
 * out): it may have been applied, and sending it again could apply it twice, so it is
 * never resent; the agent is asked what to do (ui/expired.h) and it ends FAILED. */
enum pending_state { PENDING_WAIT, PENDING_OK, PENDING_FAILED, PENDING_ASK };

#define MODEL_PENDING_MAX 16

struct model_pending {
	char cmd_id[PROTO_CMD_ID_MAX + 1];
	char what[96];           /* "note on #12" */
	enum pending_state state;
	int64_t since;           /* monotonic ms */
	char error[200];         /* when failed, in words */
	bool queued;             /* a try went unanswered: resent until the broker is back */
	int64_t ticket;          /* the ticket the command is about (its args' id), 0 none */
	char text[256];          /* its args' text (a note), to enter again; "" none */
};

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
	/* cmd_id is a command: keep sending it (the same cmd_id) until the broker answers or
	 * its idempotency window closes, instead of giving up after a few tries. May be NULL. */
	void (*keep)(struct model *m, const char *cmd_id);
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

/* The requests of one model. */
struct model_requests {
	struct model_pending pending[MODEL_PENDING_MAX];	/* commands, recent first reused */
	size_t n_pending;
	struct model_call *calls;	/* requests whose answer is awaited (owned) */
	size_t n_calls, cap_calls;
	const void *close;	/* a view done with (model_close); the app pops it */
	int64_t close_open;	/* and opens this ticket's detail in its place (0: none) */
};

void model_requests_finish(struct model_requests *q);

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

/* From an answer's callback: the view owner (a form whose submit was accepted) is done;
 * the app pops it when it is on top. model_forget(owner) takes the wish back. */
void model_close(struct model *m, const void *owner);
/* The same, and the app opens the detail of ticket in its place (an intake whose call was
 * attached to an open ticket). */
void model_close_open(struct model *m, const void *owner, int64_t ticket);

/* Pending commands: add returns the slot (the oldest finished one is reused); find by id. */
struct model_pending *model_pending_add(struct model *m, const char *cmd_id, const char *what);
struct model_pending *model_pending_find(struct model *m, const char *cmd_id);
size_t model_pending_waiting(const struct model *m);
/* A waiting command's try went unanswered (the broker is away): it is marked queued, once,
 * with the message line saying it will be sent again; its answer still settles it. */
void model_pending_queue(struct model *m, struct model_pending *p);
size_t model_pending_queued(const struct model *m);
/* The oldest command in PENDING_ASK, or NULL. */
struct model_pending *model_pending_asking(struct model *m);

#endif
