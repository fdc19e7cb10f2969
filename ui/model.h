/* model.h: what the console knows and shows: the tickets, trucks and warnings of the live
 * replica, the board (filter, order, selection), the connection's state, the commands in
 * flight, the message line, and the reference data for the intake form.
 *
 * Views read a const struct model and ask for changes only through model_* functions,
 * which go to the app through struct model_ops; tests give a model fixed data and their own
 * ops, so every view can be drawn and driven without a terminal or a socket.
 *
 * Ownership: the model owns the board, the pending list, the detail history, the
 * dispatch candidates and the warning-level table; tickets, trucks and warnings are
 * borrowed from whoever fills them (the replica in the app, static arrays in tests) and
 * are valid until the next model_refresh(). data is borrowed. */
#ifndef RD_MODEL_H
#define RD_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "board.h"
#include "data.h"
#include "proto.h"

struct view;

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

/* What views may ask of the app. Each returns 0 when the request was sent, -1 (with the
 * message line set) when it could not be. */
struct model_ops {
	int (*intake)(struct model *m, const struct proto_intake_create *a);
	int (*note)(struct model *m, int64_t id, const char *text);
	int (*set_state)(struct model *m, int64_t id, const char *state, const char *reason);
	int (*cancel)(struct model *m, int64_t id, const char *reason);
	int (*assign)(struct model *m, int64_t id, const char *truck);
	/* fetch the history of ticket id into the model's detail (async) */
	int (*fetch_detail)(struct model *m, int64_t id);
	/* ask the broker for the k best trucks for ticket id (dispatch.candidates, async):
	 * starts the model's candidates for id loading (model_candidates_start) and, when the
	 * answer comes, fills them (model_candidates_set) or says why not
	 * (model_candidates_fail); on -1 the candidates already say why. An earlier request
	 * still out is forgotten. May be NULL: views then use their local estimate. */
	int (*fetch_candidates)(struct model *m, int64_t id, int k);
};

/* The live entities of one stream, borrowed until the next refresh. */
struct model_table {
	const void **rows;
	size_t n;
};

#define MODEL_TABLE_(ID, name, plural, key, delivery, gone) \
	const struct proto_##name **plural;                  \
	size_t n_##plural;

struct model {
	/* data, borrowed until the next refresh: one table per stream of PROTO_STREAMS, by
	 * enum proto_stream (tables[s]) or by the table's names (tickets/n_tickets,
	 * trucks/n_trucks, warnings/n_warnings: the active ones); both views share their
	 * storage */
	union {
		struct model_table tables[PROTO_STREAM_COUNT];
		struct {
			PROTO_STREAMS(MODEL_TABLE_)
		};
	};
	const struct data *data;

	struct board board;
	size_t n_open, n_late, n_risk; /* counted by model_refresh, so views need not */
	uint8_t *warn_level;     /* by ticket id: 0 none, 1 amber, 2 red */
	size_t warn_cap;

	/* the ticket whose history is shown in the detail view */
	int64_t detail_id;
	int64_t detail_ver;      /* ver of the ticket when the history was fetched */
	struct proto_event *events; /* owned */
	size_t n_events;
	bool detail_loading;

	/* The broker's ranked trucks for one ticket (dispatch.candidates), best first, owned;
	 * set only through model_candidates_*. candidates_error is "" or why there are none,
	 * in words (an older broker answers unknown_op); candidates_cmd is the app's request
	 * in flight ("" none). */
	int64_t candidates_id;   /* the ticket they are for; 0 none */
	struct proto_candidate *candidates;
	size_t n_candidates;
	bool candidates_loading;
	char candidates_error[256];
	char candidates_cmd[PROTO_CMD_ID_MAX + 1];

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

	/* message line */
	char message[256];
	bool message_error;
	int64_t message_at;      /* monotonic ms */

	/* A view that wants another view opened on top of it (the board opening a ticket's
	 * detail or the intake form) creates it and stores it here; the app takes it (pushes
	 * it on its stack and sets this back to NULL) right after the key was handled. */
	struct view *open;

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

/* Dispatch candidates. start: for ticket id, now loading, the previous list and error
 * dropped. set: the answer for id (n entries copied; the model owns the copy), loading
 * over; ignored when the candidates are no longer for id. fail: no list for id, loading
 * over, error (in words, copied) says why; ignored like set. clear: nothing for nobody. */
void model_candidates_start(struct model *m, int64_t id);
void model_candidates_set(struct model *m, int64_t id, const struct proto_candidate *c,
    size_t n);
void model_candidates_fail(struct model *m, int64_t id, const char *error);
void model_candidates_clear(struct model *m);

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
