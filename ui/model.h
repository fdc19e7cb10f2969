/* model.h: what the console knows and shows: the tickets, trucks and warnings of the live
 * replica, the board (filter, order, selection), the connection's state, the requests in
 * flight and the commands the agent sent, the message line, and the reference data.
 *
 * Views read a const struct model and ask for changes only through model_* functions;
 * every request to the broker goes through model_request() (model-request.h). Tests give a
 * model fixed data and their own ops, so every view can be drawn and driven without a
 * terminal or a socket. What a view fetched (a ticket's history, the broker's ranked
 * trucks) is the view's own.
 *
 * Ownership: the model owns the board, the pending list, the table of requests in flight
 * and the warning-level table; tickets, trucks and warnings are borrowed from whoever fills
 * them (the replica in the app, static arrays in tests) and are valid until the next
 * model_refresh(). data and flows are borrowed. */
#ifndef RD_MODEL_H
#define RD_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "board.h"
#include "data.h"
#include "model-request.h"
#include "proto.h"

struct flow_set;

enum model_conn {
	MODEL_CONNECTING,
	MODEL_SYNCING,
	MODEL_LIVE,
	MODEL_STALE,
};

/* Who the console acts as: the three roles of --role, then the broker's other roles, which
 * a key's user may have (PROTOCOL.md 7.0); ui/role.h says what each may do. */
enum model_role {
	MODEL_ROLE_AGENT, MODEL_ROLE_SUPERVISOR, MODEL_ROLE_SPECIALIST,
	MODEL_ROLE_SUPPLIER, MODEL_ROLE_INTAKE, MODEL_ROLE_SIM,
	MODEL_ROLE_COUNT
};
#define MODEL_ROLE_CONSOLE MODEL_ROLE_SPECIALIST /* the last role --role takes */

/* What the handshakes with the broker said, when it was not let in (app.c from the rpc's
 * watch, curve.h): shown in words instead of "connecting". */
enum model_auth {
	MODEL_AUTH_NONE,       /* nothing to say: in, or not known yet */
	MODEL_AUTH_REFUSED,    /* the broker refused this key */
	MODEL_AUTH_NEEDS_KEY,  /* the broker wants CURVE keys; the console has none */
	MODEL_AUTH_NO_CURVE,   /* the console has keys; the broker runs without CURVE */
	MODEL_AUTH_BAD_SERVER, /* the broker hung up in the handshake: a wrong server key */
};

/* The live entities of one stream, borrowed until the next refresh. */
struct tell_set;

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
	const struct flow_set *flows;	/* the diagnosis flows (flow.h), borrowed; may be NULL */
	const struct tell_set *tell;	/* the messages to customers (tell.h), borrowed; may be
					   NULL (view-tell.c) */

	struct board board;
	size_t n_open, n_late, n_risk; /* counted by model_refresh, so views need not */
	uint8_t *warn_level;     /* by ticket id: 0 none, 1 amber, 2 red */
	size_t warn_cap;

	/* connection */
	enum model_conn conn;
	int64_t hb_age_ms;       /* -1: none yet */
	int64_t now;             /* broker time now (ms), for ages and countdowns */
	int64_t time_scale;
	char user[33];           /* who acts: hello's "user" (the authenticated user), else
	                          * --user */
	enum model_role role;    /* hello's "role", else --role */
	bool role_known;         /* the broker named the role: actions are gated by it
	                          * (role.h); false: an open broker, every action allowed */
	enum model_auth auth;    /* why the broker does not let us in, when it says */
	char endpoint[128];      /* the broker's api endpoint talked to now */
	int group_at, group_n;   /* a group (--api a list, group_n > 1): the 1-based position
	                          * of endpoint in the list; group_n 0 otherwise */
	bool demo;

	/* commands in flight and recent results, requests whose answer is awaited */
	struct model_requests req;

	/* pacing: the replica changed since the last model_refresh (model_stale); the tables
	 * above may point at freed entities until the next refresh, so nothing may read them */
	bool stale;
	int64_t refreshed_mono;  /* monotonic ms of the last paced refresh (model_refreshed) */
	bool urgent;             /* a warning changed since the last refresh (model_urgent) */
	bool resort;             /* readable, but the counts and the board's order wait for a
	                          * full refresh (after model_refresh_warnings) */
	int64_t urgent_since;    /* monotonic ms the current window of urgent refreshes began */
	int urgent_n;            /* urgent refreshes in it */
	int64_t urgent_us;       /* what they cost (model_refresh_cost) */
	bool last_urgent;        /* the last refresh was an urgent one */

	/* message line */
	char message[256];
	bool message_error;
	int64_t message_at;      /* monotonic ms */

	const struct model_ops *ops;
	void *ctx;               /* the app's, for ops */
};

void model_init(struct model *m);
void model_finish(struct model *m);

/* After the tables changed: rebuild warning levels, the board and the counts. now is
 * broker time. The board's rebuild is incremental (board.h): a ticket's state is parsed
 * again only when it changed, and the last order is settled where keys moved, so a
 * refresh after one ticket and one warning changed (a fix's ETA and its warning) costs a
 * pass over the tickets without parsing or sorting; the result is a full rebuild's. */
void model_refresh(struct model *m, int64_t now);

/* Pacing. Applying an update must cost the same whatever the batching, so the owner of
 * the tables (the app's loop) does not refresh after every change: a change only marks
 * the model stale (O(1)); the refresh (warning levels, counts, the board's filter and
 * order: O(tickets), incremental) runs when model_refresh_wait says it is due, at most once every
 * MODEL_REFRESH_MS, and before anything reads the model (a key, an answer, a draw). The
 * redraw rate then does not depend on the update rate. */
#define MODEL_REFRESH_MS 100
void model_stale(struct model *m);
/* A warning was raised, changed or cleared: what an agent must see at once. The refresh is
 * due now while the urgent refreshes of this MODEL_REFRESH_MS are fewer than
 * MODEL_URGENT_MAX and have cost less than MODEL_URGENT_BUDGET_US (a quarter of the window,
 * as the owner reports with model_refresh_cost); past that (a burst of warnings) the pacing
 * above holds, so a burst takes at most about a quarter of the console's time whatever the
 * size of the tables: at 1,000 tickets many warnings a window show at once, at 100,000 one.
 * (A fixed count of 2 left a warning waiting up to 100 ms behind the warnings of other
 * tickets: fix-to-model p99 37 ms at 1k in bench-console.) Marks the model stale too. */
#define MODEL_URGENT_MAX 20
#define MODEL_URGENT_BUDGET_US 25000
void model_urgent(struct model *m);
/* What the refresh just done cost, in microseconds: counted against the budget above when
 * it was an urgent one. */
void model_refresh_cost(struct model *m, int64_t us);
/* The quick refresh for an urgent change when only the warning table changed since the
 * last refresh (the owner borrowed it anew; the other tables still hold): each ticket's
 * warning level again (a pass over the ids and the warnings: no parsing, no sort), so the
 * warning shows at once.
 * Leaves the model readable; the counts and the board's order follow at the next full
 * refresh, which model_refresh_wait keeps due at the pace. */
void model_refresh_warnings(struct model *m);
/* Milliseconds until a paced refresh is due at monotonic time mono: -1 when the model is
 * neither stale nor waiting for its order (resort), 0 when it is due now. */
int64_t model_refresh_wait(const struct model *m, int64_t mono);
/* The owner refreshed the tables and called model_refresh at monotonic time mono. */
void model_refreshed(struct model *m, int64_t mono);

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

/* Hello's reply: the user the broker knows us as (the key's user; absent: --user stays)
 * and our role (absent: an open broker, role_known false, every action allowed; a role
 * this console does not know is treated the same). Returns true when the user changed. */
bool model_hello(struct model *m, const struct proto_hello_result *h);

/* The message line. */
void model_message(struct model *m, bool error, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

const char *model_conn_name(enum model_conn c);     /* catalog keys: "status.live", ... */
const char *model_role_name(enum model_role r);     /* "agent", "supervisor", ... "sim" */
int model_role_parse(const char *s);                /* enum model_role, or -1 */
const char *model_auth_name(enum model_auth a);     /* catalog keys: "auth.refused", ...;
                                                       NULL for MODEL_AUTH_NONE */

/* Format helpers shared by views (pure): an age or countdown as "12m", "1h05", "2d", "-3m"
 * (the one minute format of every age, ETA, due time and hold on screen: whole minutes
 * rounded toward zero; a span under a minute is "<1m" or "-<1m", never "0m" or "-0m", and
 * only a zero span is "0m"); a ms timestamp as local "HH:MM". */
void model_fmt_minutes(int64_t ms, char *out, size_t outsz);
void model_fmt_clock(int64_t ts_ms, char *out, size_t outsz);

#endif
