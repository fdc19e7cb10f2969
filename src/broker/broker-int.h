/* broker-int.h: the broker's private state and the calls between its files. Not for other
 * modules. Who owns what:
 *
 *   broker.c           the loop, the sockets (the only file with zmq.h), the clock's steps,
 *                      the tick, sending replies and publications, heartbeats,
 *                      checkpoints, load; create, run, destroy
 *   broker-ops.c       the op table and the request handlers (snapshot included)
 *   broker-feed.c      the suppliers' feed: GPS fixes and truck status
 *   broker-edit.c      ticket.edit and ticket.callback: corrections after intake, calls
 *                      again
 *   broker-diag.c      guided remote diagnosis: the flows, the sessions on tickets, their
 *                      outcomes, stats.kpi
 *   broker-warn.c      owned warnings and escalation: warning.ack, warning.release,
 *                      ticket.escalate, presence, and the escalation and lease tick
 *   broker-dispatch.c  offers, holds, try_dispatch, offer time-outs, ticket state changes
 *   broker-watch.c     monitoring: the delay warnings (rules in src/model/monitor.c)
 *   broker-capacity.c  a region's capacity warning (no able truck free), from the tick
 *   broker-tell.c      telling customers: ticket.tell, the slip's delay message, the
 *                      gateway command and the topic "message"
 *   broker-eta.c       a ticket as the ranking sees it: declined trucks, query, travel, ETA
 *   broker-supplier.c  supplier accounting and the fleet as dispatch sees it
 *   broker-state.c     the entity tables, the lists snapshots and checkpoints show, and
 *                      relinking them after a load
 *   broker-track.c     each ticket's truck track since assigned (ticket.track), in memory
 *   broker-emit.c      broker time, the batch transaction, record and publish (log first,
 *                      publish after the commit), the reply queues
 *   broker-vnum.c      virtual numbers: bound at dispatch, released at the close, ticket.call
 *   broker-auth.c      who a message comes from (the users file's table, per message) and
 *                      what it may reach: endpoints per role, refusals logged and counted,
 *                      suppliers' trucks
 *   broker-survey.c    survey.put and survey.done: customers' answers, today's NPS counts,
 *                      detractors' call-back tasks (warnings of kind detractor)
 *   broker-supplier-jobs.c  supplier.jobs: a supplier's trucks, jobs and offers (polled
 *                      by suppliers' systems, which may not subscribe)
 *   broker-contact.c   ticket.contact (raw contact, audited) and retention (erasing the
 *                      person from old closed tickets, from the tick)
 *
 * Calls go one way, down these layers, never back up (a file may call any file below it):
 *
 *   broker.c                          the loop
 *   broker-ops.c    broker-feed.c     what arrives on the sockets
 *   broker-diag.c   broker-edit.c     diagnosis sessions, edits (rows of the op table)
 *   broker-survey.c                   surveys, call-back tasks (rows, the tick, the kpi)
 *   broker-contact.c                  raw contact lookups, retention (a row, the tick)
 *   broker-supplier-jobs.c            a supplier's jobs (a row; reads the tables)
 *   broker-warn.c                     warnings' owners, escalation (rows, the tick)
 *   broker-dispatch.c                 offers and ticket states
 *   broker-watch.c                    warnings
 *   broker-tell.c                     messages to customers
 *   broker-state.c                    tables, snapshot lists, relink after a load
 *   broker-eta.c                      query, travel time, ETA
 *   broker-supplier.c                 suppliers, fleet, truck status
 *   broker-track.c                    trucks' tracks per ticket (fed by the feed)
 *   broker-vnum.c                     virtual numbers (called by the loop and the ops)
 *   broker-auth.c                     identity and refusals (loop, ops, feed, warn)
 *   broker-emit.c                     clock, batch, record and publish, replies
 *
 * The sections below are in this order, bottom first. */
#ifndef RD_BROKER_INT_H
#define RD_BROKER_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proto.h"
#include "broker.h"
#include "data.h"
#include "dispatch.h"
#include "flow.h"
#include "geo.h"
#include "heap.h"
#include "hmap.h"
#include "kinds.h"
#include "monitor.h"
#include "nps.h"
#include "store.h"
#include "tell.h"
#include "ticket.h"
#include "users.h"
#include "util.h"
#include "vnum.h"

/* The published streams are proto.h's table: b->seq[] is indexed by enum proto_stream. */

#define DECLINED_MAX 32
#define OFFER_TIMEOUT_DEFAULT_S 120 /* a truck whose supplier is not in the data */
#define BROKER_FAR_FROM_REGION_M 500000.0 /* a location further from its region's centre is
                                             * refused (intake.create, ticket.edit) */
#define BROKER_EDIT_MOVE_M 1000.0 /* a ticket.edit moving the car further re-dispatches */
#define BROKER_TELL_RECENT 4      /* messages a ticket remembers for ticket.tell's rate limit */
#define BROKER_TELL_AGAIN_MS 60000 /* the same template to the same ticket: too_soon before */
#define BROKER_GONE_MAX 256       /* trucks moved off a supplier that supplier.jobs remembers */

struct btruck;
struct bwarn;

struct bticket {
	struct proto_ticket w;   /* the wire form, published and stored as is */
	enum ticket_state state;
	enum ticket_fault fault;
	struct btruck *truck;
	const struct data_region *region;
	struct bwarn *warns[WARN_KIND_COUNT]; /* active warnings by kind */
	uint32_t declined[DECLINED_MAX];      /* geo ids of trucks that declined it */
	int n_declined;
	int64_t eta_updated;     /* broker time of the last ETA change */
	int64_t eta_logged;      /* the ETA the history last told (0: the current one) */
	int64_t round_start;     /* first offer not yet accepted (0: none): not_accepted clock */
	char last_offered[sizeof ((struct proto_ticket *)0)->truck]; /* for the not_accepted text */
	bool held;               /* waiting for a truck finishing a job nearby ... */
	uint32_t hold;           /* ... this one (geo id) */
	bool hold_tried;         /* tried once since its diagnosis hold ran out */
	struct monitor_track track; /* its truck's distance to the car en route (broker-feed.c),
	                             * for the deviation rule */
	uint32_t track_gid;      /* ... of this truck (geo id) */
	double track_lat, track_lon; /* ... to the car here */
	int64_t callbacks;       /* calls again recorded (broker-edit.c), for the callback rule */
	int64_t last_callback;   /* broker time of the latest; 0: none */
	struct btrack *trk;      /* its truck's fixes since assigned (broker-track.c; owned,
	                          * freed with broker_track_drop); NULL: none */
	/* telling the customer (broker-tell.c): the latest messages, for the rate limit */
	struct { int64_t at; char tpl[TELL_ID_MAX]; } told[BROKER_TELL_RECENT];
	int64_t slip_told;       /* the promise the broker told a slip past (0: none) */
	uint32_t no_chain;       /* geo id + 1 of a truck that refused it for after its job
	                          * (broker-dispatch.c): held for and offered once free, never
	                          * chained again; 0: none */
	/* monitoring's deadline queue (broker-watch.c): entries of b->watch_q for this ticket
	 * with another gen are stale; watch_due is the due of its current deadline entry
	 * (watch_queued: there is one); watch_touched: changed since monitoring last looked
	 * (broker_touch_ticket), queued to be looked at again; watch_each: on b->watch_each */
	uint32_t watch_gen;
	int64_t watch_due;
	bool watch_queued, watch_touched, watch_each;
};

/* The states of a diagnosis session (the ticket's diag_state). */
#define BROKER_DIAG_STATES(X)            \
	X(RUNNING, "running")            \
	X(SOLVED, "solved")              \
	X(DISPATCHED, "dispatched")      \
	X(ESCALATED, "escalated")        \
	X(ABORTED, "aborted")

enum broker_diag_state {
#define X(e, s) BROKER_DIAG_##e,
	BROKER_DIAG_STATES(X)
#undef X
};

/* The wire name of a session state. */
static inline const char *
broker_diag_state_name(enum broker_diag_state s)
{
	static const char *const names[] = {
#define X(e, str) str,
		BROKER_DIAG_STATES(X)
#undef X
	};
	return names[s];
}

/* The ticket keys of a diagnosis, absent until the first diag.start. */
#define BTICKET_DIAG_KEYS                                                                  \
	((uint64_t)1 << PROTO_ticket_diag_flow | (uint64_t)1 << PROTO_ticket_diag_state |  \
	 (uint64_t)1 << PROTO_ticket_diag_path | (uint64_t)1 << PROTO_ticket_diag_node |   \
	 (uint64_t)1 << PROTO_ticket_diag_by | (uint64_t)1 << PROTO_ticket_diag_started |  \
	 (uint64_t)1 << PROTO_ticket_diag_ended | (uint64_t)1 << PROTO_ticket_diag_hold_until | \
	 (uint64_t)1 << PROTO_ticket_diag_saved_s | (uint64_t)1 << PROTO_ticket_need_kind | \
	 (uint64_t)1 << PROTO_ticket_senior)

struct btruck {
	struct proto_truck w;
	uint32_t gid;            /* index in broker.trucks and id in the geo index */
	enum truck_kind kind;
	enum truck_status status;
	struct bticket *job;
	bool pos_dirty;          /* moved since last published */
	bool placed;             /* has a position */
	bool off_after_job;      /* the supplier took it off duty during a job */
	double still_lat, still_lon;
	int64_t still_since;     /* broker time since when it has not moved 50 m */
	int sup;                 /* index in broker.sups, or -1 */
	int offers_today;        /* offers on China day offers_day */
	int64_t offers_day;
	uint64_t future_fixes;   /* fixes stamped ahead, refused or not (broker-feed.c) */
	struct bticket *next;    /* offered (dispatched) or accepted for after its job, job
	                          * (chaining, broker-dispatch.c): next->truck is this truck,
	                          * w.ticket stays the job's until the job ends */
};

/* A supplier of the reference data, with what dispatch needs to know of it now. */
struct bsup {
	const struct data_region *region;
	const struct data_supplier *d;
	int64_t day;             /* the China day dsup.offers_today counts */
};

struct bwarn {
	struct proto_warning w;
	struct bticket *ticket;
	/* broker-warn.c: whether it is on b->own_watch, and since when (broker time) it has
	 * been seen red and unowned (0: not) for the escalation */
	bool own_watched;
	int64_t red_since;
};

/* The roles a client may act in. Every op's row in the op table says which roles may call
 * it; an authenticated peer holds its user's one role (users.h's roles, in this order),
 * an open broker's peers every role. */
#define BROKER_ROLES(X)                  \
	X(AGENT, "agent")                \
	X(SUPERVISOR, "supervisor")      \
	X(SPECIALIST, "specialist")      \
	X(SUPPLIER, "supplier")          \
	X(INTAKE, "intake")              \
	X(SIM, "sim")

enum broker_role {
#define X(e, s) BROKER_ROLE_##e,
	BROKER_ROLES(X)
#undef X
	BROKER_ROLE_COUNT
};

#define BROKER_ROLE_BIT(r) (1u << BROKER_ROLE_##r)
#define BROKER_ROLES_ALL ((1u << BROKER_ROLE_COUNT) - 1)

/* The client a request came from, and where its answer goes. */
struct peer {
	unsigned char rid[256];  /* the ROUTER's routing id */
	size_t rid_len;
	bool delim;              /* the client is a REQ socket: put back the empty frame */
	unsigned roles;          /* BROKER_ROLE_BIT()s it may act in */
	char user[33];           /* who acts: the user its CURVE key belongs to, or (no
	                          * authentication) the request's claimed user; "" none */
	char supplier[33];       /* role supplier: the one supplier it acts for; "" otherwise */
	bool authed;             /* identified by its CURVE key (false: claims are trusted) */
};

/* Whether p acts for one supplier (an authenticated supplier user), whose trucks alone it
 * may act on. */
static inline bool
broker_peer_supplier(const struct peer *p)
{
	return p->authed && (p->roles & BROKER_ROLE_BIT(SUPPLIER)) != 0;
}

/* One op of the API: the request handlers, the idempotency cache and the role check all
 * read this table (broker-ops.c). A handler writes its complete reply frame into out and
 * returns 0, or an error reply and -1; a handler that answers in several frames queues
 * them itself (broker_outq_*) and leaves out empty. */
struct broker_op {
	const char *name;        /* the wire op, proto_descs[args].wire */
	enum proto_msg_id args;  /* its REQUEST message */
	bool mutating;           /* changes state: runs in the batch, its reply is kept for
	                          * retries with the same (user, cmd_id) */
	unsigned roles;          /* BROKER_ROLE_BIT()s allowed */
	int (*handler)(struct broker *b, const struct peer *p, const struct proto_request *req,
	    struct proto_buf *out);
};

/* A reply or snapshot waiting to be sent to one client. */
struct outq {
	struct outq *next;
	struct peer to;
	char **frames;
	size_t *lens;
	size_t n, sent;
	int64_t started;         /* monotonic ms */
};

struct pubq {
	enum proto_stream stream;
	char *body;
	size_t len;
};

struct broker {
	struct broker_opts opts;
	char *api, *pub_ep, *feed_ep, *db_path, *data_dir, *control_ep;
	void *zctx;
	bool own_ctx;
	void *router, *pub, *feed;
	struct guard *guard;      /* the memory guard (broker.c) */
	struct store *store;
	struct data *data;
	struct flow_set *flows;   /* the diagnosis flows; NULL when the data has none */

	int64_t epoch;
	int64_t seq[PROTO_STREAM_COUNT];
	int64_t hb_seq;

	struct bticket **tickets; /* by id - 1; NULL holes allowed */
	size_t n_tickets, cap_tickets;
	size_t n_open;
	struct btruck **trucks;   /* by gid */
	size_t n_trucks, cap_trucks;
	struct hmap *truck_by_id;
	struct bwarn **warns;     /* by id - 1 */
	size_t n_warns, cap_warns;
	size_t n_warns_active;
	struct geo_index *geo;
	bool avail_changed;       /* a truck became available: retry waiting tickets */
	struct hmap *future_sup;  /* supplier -> its refused future fixes (broker-feed.c) */
	size_t n_held;            /* tickets waiting for a truck finishing a job */
	struct hmap *complaints;  /* uid -> its current version (broker-complaint.c) */
	struct complaint_data *cdata; /* complaint clocks' policy; NULL: the defaults */
	bool cdata_tried;

	/* dispatch */
	struct dispatch_rules rules;
	const struct dispatch_eta_model *eta;
	struct bsup *sups;        /* every supplier of every region */
	struct dispatch_supplier *dsup; /* parallel to sups: the ranking's view */
	size_t n_sups;
	struct dispatch_fleet fleet;
	int64_t today;            /* China day of the ranking in progress */

	/* the current batch */
	bool in_txn;
	struct pubq *pubs;
	size_t n_pubs, cap_pubs;
	struct outq *out_head, *out_tail;
	struct proto_buf buf;      /* scratch */

	/* clock */
	void *control;            /* BROKER_CLOCK_MANUAL: the PAIR socket steps come on */
	int64_t t0_mono, t0_broker;
	int64_t stepped;          /* BROKER_CLOCK_MANUAL: ms stepped since t0_broker */
	int64_t last_hb, last_tick, last_pos, last_expire;

	int64_t events_since_checkpoint;
	struct broker_stats st;
	bool fatal;
	/* a standby of a group on PostgreSQL (broker.c): the lock is another broker's, nothing
	 * is loaded, only the api is bound, every request is answered not_leader naming
	 * leader_api ("" unknown) until store_try_lead succeeds */
	bool standby;
	char leader_api[200];

	/* capacity (broker-capacity.c): each region's free trucks and its capacity warning;
	 * NULL until the first pass */
	struct broker_capacity *capacity;
	/* telling customers (broker-tell.c) */
	struct tell_set *tell;     /* data_dir/tell.ini; NULL: none, ticket.tell unavailable */
	struct btell_job *tell_jobs; /* messages for the gateway command, oldest first */
	size_t n_tell_running;     /* of them, commands running */
	int64_t message_seq;       /* messages published on topic "message" since the start */
	/* broker-warn.c: the active warnings it watches for escalation and owners' leases
	 * (the few that are active, not every warning ever), b->warns up to own_seen looked
	 * at, and the last presence of each user (user -> struct presence, memory only) */
	struct bwarn **own_watch;
	size_t n_own_watch, cap_own_watch;
	size_t own_seen;
	int64_t warn_next;         /* when broker_warn_tick next could act (0: at once) */
	bool warn_tick_only;       /* region warnings and escalation on the 500 ms tick alone,
	                            * as before their deadlines (bench-watch's baseline) */
	struct hmap *presence;
	int64_t presence_pruned;  /* broker time the table last dropped users long gone */
	/* virtual numbers (broker-vnum.c) */
	struct vnum_pool *vnum;   /* data_dir/numbers.ini; NULL: none, nothing is bound */
	int64_t *vnum_due;        /* tickets published this batch dispatched without a number or
	                           * closed with one (broker-emit.c notes them) */
	size_t n_vnum_due, cap_vnum_due;
	int64_t *vnum_wait;       /* open tickets waiting for a number to free, oldest first */
	size_t n_vnum_wait, cap_vnum_wait;
	/* monitoring (broker-watch.c): the deadline queue of open tickets, (due, id, gen),
	 * touched tickets first (due INT64_MIN); the tickets looked at every tick (a
	 * re-dispatch may be proposed for them: it weighs the free trucks, no deadline of
	 * theirs); the safety sweep's place and the broker time it last moved */
	struct heap watch_q;
	int64_t *watch_each;
	size_t n_watch_each, cap_watch_each;
	bool watch_armed;         /* every ticket loaded at start queued once */
	size_t watch_sweep;
	int64_t watch_swept;
	int64_t *watch_batch;     /* scratch: the ids one pass looks at */
	size_t cap_watch_batch;
	/* authentication (broker.c: CURVE and the ZAP handler; broker-auth.c: the table and
	 * refusals): the users file's table (NULL: open, no CURVE), the ZAP socket, the
	 * broker's CURVE secret key, each supplier's refused messages (supplier -> uint64_t *),
	 * and when a refused key was last logged (Z85 key -> int64_t * monotonic ms) */
	struct users *users;
	char *users_path;         /* opts.users, copied */
	void *zap;
	char curve_secret[KEYFILE_Z85_LEN + 1];
	struct hmap *auth_sup;
	struct hmap *auth_logged;
	/* stats.board (broker-board.c): the last answer's result map, kept BOARD_CACHE_MS of
	 * broker time for the same arguments */
	struct board_cache {
		char *body;
		size_t len;
		int64_t at, from, to;
		bool has_from, has_to;
	} board_cache;
	/* surveys (broker-survey.c): today's answers (the China day from survey_day; loaded
	 * from the store at first use and on a new day), counted by class and listed as
	 * events for stats.kpi; the open detractor call-back tasks (active warnings of kind
	 * detractor), found among the warnings once after a start (detractors_armed) */
	bool survey_loaded;
	int64_t survey_day;
	struct nps_counts survey_counts;
	struct proto_event *surveys; /* a ring of the newest BROKER_SURVEYS_LISTED (NULL: none
	                              * yet); n_surveys counts today's, the next slot is
	                              * n_surveys % BROKER_SURVEYS_LISTED */
	size_t n_surveys;
	struct bwarn **detractors;
	size_t n_detractors, cap_detractors;
	bool detractors_armed;
	/* retention (broker-contact.c): the next ticket index its slices look at, the broker
	 * time before which it rests after a whole pass, tickets erased since the start */
	size_t retention_at;
	int64_t retention_rest;
	uint64_t retention_erased;
	/* supplier.jobs (broker-supplier-jobs.c): the last BROKER_GONE_MAX trucks moved off a
	 * supplier, a ring (next slot n_gone % BROKER_GONE_MAX, in memory only), and the
	 * broker time of the newest move overwritten (a since before it may have missed one) */
	struct bgone {
		char truck[sizeof ((struct proto_truck *)0)->id];
		char supplier[sizeof ((struct proto_truck *)0)->supplier];
		int64_t at;
	} gone[BROKER_GONE_MAX];
	uint64_t n_gone;
	int64_t gone_lost;
};

/* ---- broker-auth.c: identity and refusals; called by the loop, the ops, the feed and
 * broker-warn.c; calls nothing but the users table and the log ---- */

/* The sockets a client connects to (ZAP domains "api", "pub", "feed"). */
enum broker_endpoint { BROKER_EP_API, BROKER_EP_PUB, BROKER_EP_FEED, BROKER_EP_COUNT };
extern const char *const broker_endpoint_names[BROKER_EP_COUNT];
/* The roles that may connect to ep (BROKER_ROLE_BIT()s): api every role, pub every role
 * but intake, feed supplier and sim. */
unsigned broker_auth_endpoint_roles(enum broker_endpoint ep);
/* Load opts.users into b->users (the reference data's suppliers known): 0, or -1 and
 * *cause (the old table stays). *revoked: a key of the old table is gone or its user's
 * role or supplier changed (the PUB socket must be bound again). */
int broker_auth_load(struct broker *b, bool *revoked, char **cause);
/* Fill p's identity from the user id of a CURVE message (its Z85 key) in the current
 * table: false when the key is not (or no longer) there, counted and logged. */
bool broker_auth_peer(struct broker *b, const char *user_id, enum broker_endpoint ep,
    struct peer *p);
/* ZAP: whether key (Z85) may connect to ep; *user_id the id to hand libzmq (the key).
 * Refusals are counted and logged (key, endpoint, address; at most once a minute a key). */
bool broker_auth_zap(struct broker *b, const char *key, enum broker_endpoint ep,
    const char *address, const char **why);
/* A request refused (forbidden): log user, role and op (or what), count. */
void broker_auth_forbidden(struct broker *b, const struct peer *p, const char *op,
    const char *what);
/* Whether p may act on a truck of supplier (a supplier acts only on its own; every other
 * role on all). A refusal is counted for p's supplier and logged; the caller answers. */
bool broker_auth_truck(struct broker *b, const struct peer *p, const char *supplier,
    const char *truck, const char *op);
void broker_auth_finish(struct broker *b);

/* ---- broker-emit.c: the bottom layer; it calls no other broker file ---- */

/* An event's machine form next to its English detail (PROTOCOL.md 8.4: every code and its
 * params): consoles word the timeline from it in their language. Start with
 * broker_why_init, then set params with BWHY_STR and BWHY_INT. */
struct broker_why {
	char code[sizeof ((struct proto_event *)0)->code];
	struct proto_event_params p;
};
void broker_why_init(struct broker_why *w, const char *code);
#define BWHY_STR(w, key, v)                                      \
	do {                                                     \
		PROTO_STRSET((w)->p.key, (v));                   \
		PROTO_SET(&(w)->p, event_params, key);           \
	} while (0)
#define BWHY_INT(w, key, v)                                      \
	do {                                                     \
		(w)->p.key = (v);                                \
		PROTO_SET(&(w)->p, event_params, key);           \
	} while (0)

/* Broker time (ms since the epoch): the manual clock's steps, or the monotonic clock
 * scaled, from the start time set by broker_create. */
int64_t broker_now(const struct broker *b);
/* Open the batch transaction if it is not open yet; false (and b->fatal) on error. */
bool broker_txn(struct broker *b);
/* End of the loop's turn: commit the batch if one is open. False (b->fatal) when the commit
 * failed or b->fatal was set: the queued publications are dropped then. */
bool broker_commit(struct broker *b);
/* Record a change of an entity: bump its stream's seq into ver, append the event and queue
 * the publication. user/detail may be "". The _why forms log the machine form why with
 * it (NULL: none); the plain ones are for events without a code yet. */
void broker_emit_ticket(struct broker *b, struct bticket *t, enum event_kind kind, const char *user,
    const char *detail);
void broker_emit_truck(struct broker *b, struct btruck *k, enum event_kind kind, const char *user,
    const char *detail);
void broker_emit_ticket_why(struct broker *b, struct bticket *t, enum event_kind kind,
    const char *user, const char *detail, const struct broker_why *why);
void broker_emit_truck_why(struct broker *b, struct btruck *k, enum event_kind kind,
    const char *user, const char *detail, const struct broker_why *why);
void broker_emit_warning(struct broker *b, struct bwarn *w, enum event_kind kind);
/* The same by user, with detail and the machine form why (broker-warn.c: owners and
 * escalation). */
void broker_emit_warning_why(struct broker *b, struct bwarn *w, enum event_kind kind,
    const char *user, const char *detail, const struct broker_why *why);
/* A complaint's new version (complaint.put): event "saved", code "complaint_saved". */
void broker_emit_complaint(struct broker *b, struct proto_complaint *w, const char *user);
/* Who fetched a complaint's raw record (complaint.get): event "fetched", code
 * "complaint_fetched", logged in the batch, not published. */
void broker_record_complaint_fetch(struct broker *b, const struct proto_complaint *w,
    const char *user);
/* A ticket logged, not published (ticket.contact's lookups, retention's erasures): the
 * event's body is t's state, why (not NULL) its machine form; no new seq. */
void broker_record_ticket(struct broker *b, const struct bticket *t, enum event_kind kind,
    const char *user, const char *detail, const struct broker_why *why);
/* Pack a ticket as clients see it, customer and phone masked (PROTOCOL.md 8.1): every
 * ticket that leaves the broker (publications, snapshots, replies) goes through here. */
void broker_pack_ticket(struct proto_buf *out, const struct proto_ticket *w);
/* Pack stream s's entity as clients see it (tickets by broker_pack_ticket). */
void broker_pack_entity(struct proto_buf *out, enum proto_stream s, const void *entity);
/* Queue a message told a customer on topic "message" (sets its head: v, epoch, seq, ts). */
void broker_publish_message(struct broker *b, struct proto_message *m);
/* Queue a truck's new position for publication without writing the log. */
void broker_publish_position(struct broker *b, struct btruck *k);
/* A ticket's ETA refresh too small for its history: published, saved at checkpoints, not
 * in the log (broker-watch.c). */
void broker_publish_ticket(struct broker *b, struct bticket *t);
/* t changed: monitoring looks at it again in its next pass (queued on b->watch_q; the
 * ticket and truck events call it, so every change that is recorded does). */
void broker_touch_ticket(struct broker *b, struct bticket *t);
/* Queue a reply frame for peer p (copied). */
void broker_reply(struct broker *b, const struct peer *p, const char *body, size_t len);
/* Reply frames for the handlers of every job file: the ticket as the result, or an error
 * (printf-style message; returns -1 so a handler can `return broker_reply_error(...)`). */
void broker_reply_ticket(struct proto_buf *out, const struct proto_request *req,
    const struct bticket *t);
int broker_reply_error(struct proto_buf *out, const struct proto_request *req,
    enum proto_err code, const char *fmt, ...) RD_PRINTF(4, 5);
/* The same naming the args key the error is about (the reply's "field", PROTOCOL.md 5.2),
 * so a form shows it beside that field whatever the language. */
int broker_reply_error_at(struct proto_buf *out, const struct proto_request *req,
    enum proto_err code, const char *field, const char *fmt, ...) RD_PRINTF(5, 6);
/* The same with the refusal's machine form (the error's "params", PROTOCOL.md 5.2), so a
 * console words it in its language: start with broker_err_init (the reason), then set the
 * keys it names with BERR_STR and BERR_INT. field may be NULL. */
void broker_err_init(struct proto_error_params *e, const char *reason);
#define BERR_STR(e, key, v)                                      \
	do {                                                     \
		PROTO_STRSET((e)->key, (v));                     \
		PROTO_SET((e), error_params, key);               \
	} while (0)
#define BERR_INT(e, key, v)                                      \
	do {                                                     \
		(e)->key = (v);                                  \
		PROTO_SET((e), error_params, key);               \
	} while (0)
int broker_reply_error_why(struct proto_buf *out, const struct proto_request *req,
    enum proto_err code, const char *field, const struct proto_error_params *e,
    const char *fmt, ...) RD_PRINTF(6, 7);
/* Whether s is empty or only spaces and tabs (a required text left blank). */
bool broker_blank(const char *s);
/* A reply in several frames: a queue for p, frames added (taken: freed with it), then
 * pushed behind the other replies. broker_outq_free frees one (broker.c, once sent). */
struct outq *broker_outq_new(const struct peer *p);
void broker_outq_add(struct outq *q, char *frame, size_t len);
void broker_outq_push(struct broker *b, struct outq *q);
void broker_outq_free(struct outq *q);
/* Free the queued publications and replies (broker_destroy). */
void broker_emit_finish(struct broker *b);

/* ---- broker-track.c: a ticket's truck track (ticket.track); calls broker-emit.c ---- */

#define BROKER_TRACK_KEEP 240       /* fixes held per ticket, thinned evenly beyond */
#define BROKER_TRACK_MAX_DEFAULT 120 /* fixes ticket.track returns without max */
struct btrack;
/* A fix of k, t's truck, at ts: the track starts afresh for another truck. */
void broker_track_fix(struct bticket *t, const struct btruck *k, int64_t ts);
/* Free t's track (it closed, or is freed); t->trk becomes NULL. */
void broker_track_drop(struct bticket *t);
/* ticket.track (struct broker_op's handler). */
int broker_op_track(struct broker *b, const struct peer *p, const struct proto_request *req,
    struct proto_buf *out);
/* ---- broker-vnum.c: virtual numbers; calls broker-emit.c ---- */

/* Load data_dir/numbers.ini (none: no pool) and rebuild the bindings from the tickets,
 * after broker_relink: 0, or -1 and *cause (caller frees). */
int broker_vnum_start(struct broker *b, char **cause);
/* Bind and release for the tickets of this batch, serve those waiting: the loop, before
 * the commit. */
void broker_vnum_settle(struct broker *b);
/* Free what it keeps (broker_destroy). */
void broker_vnum_finish(struct broker *b);
/* ticket.call (struct broker_op's handler). */
int broker_op_ticket_call(struct broker *b, const struct peer *p,
    const struct proto_request *req, struct proto_buf *out);

/* ---- broker-supplier.c: calls no other broker file ---- */

/* Set up the dispatch rules, the supplier table and the fleet view from b->data; before any
 * truck is added. broker_dispatch_finish frees what it made. */
void broker_dispatch_init(struct broker *b);
void broker_dispatch_finish(struct broker *b);
struct btruck *broker_truck_add(struct broker *b, const struct proto_truck *w);
void broker_truck_reindex(struct broker *b, struct btruck *k);
/* The supplier of truck k (index in b->sups), or -1. */
int broker_sup_find(const struct broker *b, const struct btruck *k);
/* Count truck k in (sign 1) or out of (sign -1) its supplier's trucks and busy trucks. */
void broker_sup_count(struct broker *b, const struct btruck *k, int sign);
/* Its supplier may have changed: account for it again. */
void broker_truck_resup(struct broker *b, struct btruck *k);
/* Start a new China day for the counts of offers made today. */
void broker_roll_day(struct broker *b, int64_t now);
void broker_truck_set_status(struct broker *b, struct btruck *k, enum truck_status s);
/* Truck k as the ranking sees it (the fleet view's entry). */
void broker_truck_view(const struct broker *b, const struct btruck *k,
    struct dispatch_truck *out);

/* ---- broker-eta.c: called by dispatch, watch, the ops and the relink ---- */

/* Remember that k declined t (or did not answer): it is not offered t again. */
void broker_add_declined(struct bticket *t, const struct btruck *k);
/* The query for ranking trucks for t at now, skipping those that declined it. */
struct dispatch_query broker_dispatch_query(struct broker *b, struct bticket *t, int64_t now);
/* The same, also skipping t's own truck if it has one; skip is the room for the list. */
struct dispatch_query broker_dispatch_query_others(struct broker *b, struct bticket *t,
    int64_t now, uint32_t skip[DECLINED_MAX + 1]);
/* Travel time in ms from truck k's position to t, from the ETA model; when t is k's next
 * job (chaining), plus the time until k is expected to be free of its current one. */
int64_t broker_travel_ms(const struct broker *b, const struct bticket *t,
    const struct btruck *k, int64_t now);
/* Set t's ETA and where it comes from (the model's name, "stale", "supplier"). */
void broker_set_eta(struct bticket *t, int64_t eta, const char *src);

/* ---- broker-tell.c: telling customers; called by the loop, the ops, edit and watch ---- */

struct btell_job;
/* Load data_dir/tell.ini into b->tell: 0 (no such file: no templates), or -1 and *cause. */
int broker_tell_load(struct broker *b, char **cause);
void broker_tell_finish(struct broker *b);
/* lang is not "zh", "en" or "" (the default): the error reply is in out and true. */
bool broker_tell_bad_lang(struct proto_buf *out, const struct proto_request *req,
    const char *lang);
/* Set the ticket's lang (NULL or "": absent, which means zh). */
void broker_tell_set_lang(struct proto_ticket *w, const char *lang);
/* ticket.tell (struct broker_op's handler). */
int broker_op_tell(struct broker *b, const struct peer *p, const struct proto_request *req,
    struct proto_buf *out);
/* A warning of kind k reached level on t: when that is the ETA slipping past the promise
 * (eta_late red, overdue) and t's region has tell_on_slip, tell the customer (delay), once
 * per slip, as user "broker". */
void broker_tell_slip(struct broker *b, struct bticket *t, enum warn_kind k,
    enum warn_level level);
/* After the commit: start the gateway's commands of the messages it holds (not blocking). */
void broker_tell_flush(struct broker *b);
/* In the tick: the commands that ended, logged as told or tell_failed. */
void broker_tell_reap(struct broker *b);

/* ---- broker-state.c: called by the loop, the ops and broker-watch.c ---- */

struct bticket *broker_ticket(struct broker *b, int64_t id);
/* Put t (taken) in its place by id, freeing what was there. */
void broker_ticket_put(struct broker *b, struct bticket *t);
/* Put w (taken) in its place by id, freeing what was there. */
void broker_warning_put(struct broker *b, struct bwarn *w);
/* Clear active warning w now: cleared, its ts, one active warning fewer, the cleared event
 * and publication. The caller unlinks it from its ticket or region. */
void broker_warning_clear(struct broker *b, struct bwarn *w);
/* The wire forms of stream s's entities in id order (the caller frees the array, not the
 * entities): every one for a checkpoint, or (live) the set a snapshot shows: tickets open
 * or closed less than keep_closed_min before now, every truck, the active warnings. */
const void **broker_stream_entities(const struct broker *b, enum proto_stream s, bool live,
    int64_t now, size_t *n);
/* After load: relink tickets, trucks and warnings; rebuild what is not in the entities
 * (declined trucks, offers today) from the event log. */
void broker_relink(struct broker *b);

/* ---- broker-watch.c: called by the tick, the feed, dispatch and the ops ---- */

/* Clear t's warning of kind k if it has one. */
void broker_clear_warning(struct broker *b, struct bticket *t, enum warn_kind k);
/* Refresh t's ETA from its truck's position, and raise and clear its warnings at now. */
void broker_watch_ticket(struct broker *b, struct bticket *t, int64_t now);
/* The monitoring pass of the loop's tick: broker_watch_due, the tickets a re-dispatch may
 * be proposed for, and a slice of the safety sweep (every ticket once a minute of real
 * time). */
void broker_watch_tick(struct broker *b, int64_t now);
/* broker_watch_ticket for every ticket whose deadline has come (due <= now) or that was
 * touched since it was last looked at, in id order. The loop calls it every turn (real
 * clock), the tick on every step. */
void broker_watch_due(struct broker *b, int64_t now);
/* Broker time of the first deadline queued (INT64_MIN: a touched ticket waits; INT64_MAX:
 * none): the loop sleeps no longer. */
int64_t broker_watch_next(const struct broker *b);
/* broker_watch_ticket for the open tickets with index in [from, to) of b->tickets, in
 * order: over all of them, the full pass of before the queue (tests/bench/bench-watch.c's
 * same-run baseline). */
void broker_watch_range(struct broker *b, size_t from, size_t to, int64_t now);
/* Free the queue (broker_destroy). */
void broker_watch_finish(struct broker *b);
/* After a fix of k: broker_watch_ticket of k's job, if k has one and is its truck, at once
 * (the ETA may move within the 30 s between two refreshes when it crosses a threshold of
 * the late rule or by as much as its history tells). */
void broker_watch_fix(struct broker *b, struct btruck *k, int64_t now);

/* ---- broker-dispatch.c: called by the tick and the ops ---- */

void broker_ticket_set_state(struct bticket *t, enum ticket_state s, int64_t now);
bool broker_auto_region(const struct bticket *t);
/* Offer a waiting ticket to its best candidate, or hold it for a better one finishing a
 * job. True if it was offered. */
bool broker_try_dispatch(struct broker *b, struct bticket *t);
/* Offer t to the truck an agent chose (releasing the truck it had, if any). */
void broker_offer_chosen(struct broker *b, struct bticket *t, struct btruck *k,
    const char *user);
/* The supplier accepts the offer of t to its truck (eta_s < 0: no ETA given). */
void broker_accept_offer(struct broker *b, struct bticket *t, const char *user, int64_t eta_s);
/* The truck of t refuses it (an offer declined, or an accepted job handed back). */
void broker_decline_offer(struct broker *b, struct bticket *t, const char *user,
    const char *reason);
/* Take t's truck away (it was not declined: a diagnosis found the job needs another kind);
 * t goes back to new. why is for the history. */
void broker_take_truck(struct broker *b, struct bticket *t, const char *user, const char *why);
/* The same with the machine forms given: tw for the ticket's release event, kw for the
 * truck's (each with its params complete: the truck, the ticket). */
void broker_take_truck_why(struct broker *b, struct bticket *t, const char *user,
    const char *why, const struct broker_why *tw, const struct broker_why *kw);
/* The same because the job needs a truck of t's need_kind, not the kind it has (a
 * diagnosis said so): logged with codes release_need and released_need. */
void broker_take_truck_kind(struct broker *b, struct bticket *t, const char *user);
/* Close t in final state s. why is for the history; BROKER_WHY_SOLVED_PHONE with
 * resolved_remote logs code solved_phone. */
#define BROKER_WHY_SOLVED_PHONE "solved by phone"
void broker_finish(struct broker *b, struct bticket *t, enum ticket_state s, const char *user,
    const char *why);
/* Periodic work at now: expire offers, dispatch waiting tickets. False when the batch
 * transaction failed. */
bool broker_dispatch_tick(struct broker *b, int64_t now);

/* ---- broker-diag.c: called by the loop (load) and the op table ---- */

/* Load data_dir/diagnosis with data_dir/faults.ini into b->flows: 0, or -1 and *cause (the
 * validator's FILE:LINE messages, caller frees). No such directory: 0, no flows. */
int broker_diag_load(struct broker *b, char **cause);
/* intake.create's diag_hold: a ticket of a fault with a flow waits for its diagnosis
 * (diag_hold_until set, before the ticket's first publication). */
void broker_diag_intake_hold(struct broker *b, struct bticket *t, int64_t now);
/* The handlers of diag.* and stats.kpi (struct broker_op's handler). */
int broker_op_diag_start(struct broker *b, const struct peer *p,
    const struct proto_request *req, struct proto_buf *out);
int broker_op_diag_answer(struct broker *b, const struct peer *p,
    const struct proto_request *req, struct proto_buf *out);
int broker_op_diag_back(struct broker *b, const struct peer *p,
    const struct proto_request *req, struct proto_buf *out);
int broker_op_diag_safety(struct broker *b, const struct peer *p,
    const struct proto_request *req, struct proto_buf *out);
int broker_op_diag_abort(struct broker *b, const struct peer *p,
    const struct proto_request *req, struct proto_buf *out);
int broker_op_diag_dispatch_now(struct broker *b, const struct peer *p,
    const struct proto_request *req, struct proto_buf *out);
int broker_op_stats_kpi(struct broker *b, const struct peer *p,
    const struct proto_request *req, struct proto_buf *out);

/* ---- broker-complaint.c: the central copy of complaints; calls broker-emit.c ---- */

int broker_op_complaint_put(struct broker *b, const struct peer *p,
    const struct proto_request *req, struct proto_buf *out);
int broker_op_complaint_get(struct broker *b, const struct peer *p,
    const struct proto_request *req, struct proto_buf *out);
/* The storage switches: a complaint read from the store (copied), the vers of the old
 * epoch dropped after a load, the stream's entities (as broker_stream_entities: every one,
 * or (live) the open ones and those closed less than keep_closed_min before now; received
 * order), and freeing it all (broker_destroy). */
void broker_complaint_load(struct broker *b, const struct proto_complaint *w);
void broker_complaints_relink(struct broker *b);
const void **broker_complaint_entities(const struct broker *b, bool live, int64_t now,
    size_t *n);
void broker_complaints_finish(struct broker *b);

/* ---- broker-survey.c: surveys and detractors' call-backs; rows of the op table, the tick,
 * the kpi; calls broker-state.c and broker-emit.c ---- */

#define BROKER_SURVEYS_LISTED 500 /* stats.kpi's surveys: today's newest this many */
/* survey.put and survey.done (struct broker_op's handler). */
int broker_op_survey_put(struct broker *b, const struct peer *p,
    const struct proto_request *req, struct proto_buf *out);
int broker_op_survey_done(struct broker *b, const struct peer *p,
    const struct proto_request *req, struct proto_buf *out);
/* The tick at now: call-back tasks past due turn red. */
void broker_survey_tick(struct broker *b, int64_t now);
/* stats.kpi's survey keys into k (today's counts, the tasks open and overdue). */
void broker_survey_kpi(struct broker *b, struct proto_kpi *k);
/* stats.kpi's array "surveys" (key and array) into out: today's answers, newest first. */
void broker_survey_list(struct broker *b, struct proto_buf *out);
/* Free what it keeps (broker_destroy). */
void broker_survey_finish(struct broker *b);

/* ---- broker-warn.c: owned warnings and escalation; rows of the op table, the tick, the
 * kpi; calls broker-state.c and broker-emit.c ---- */

/* The keys ticket.escalate sets on a ticket, absent until then (intake leaves them out). */
#define BTICKET_ESCALATE_KEYS                                                            \
	((uint64_t)1 << PROTO_ticket_escalated | (uint64_t)1 << PROTO_ticket_escalated_by | \
	    (uint64_t)1 << PROTO_ticket_escalate_reason)
/* The keys of a warning's owner and escalation, absent until set. */
#define BWARN_OWN_KEYS                                                                  \
	((uint64_t)1 << PROTO_warning_owner | (uint64_t)1 << PROTO_warning_acked |     \
	    (uint64_t)1 << PROTO_warning_escalated)

/* warning.ack, warning.release, ticket.escalate, presence (struct broker_op's handler). */
int broker_op_warning_ack(struct broker *b, const struct peer *p,
    const struct proto_request *req, struct proto_buf *out);
int broker_op_warning_release(struct broker *b, const struct peer *p,
    const struct proto_request *req, struct proto_buf *out);
int broker_op_ticket_escalate(struct broker *b, const struct peer *p,
    const struct proto_request *req, struct proto_buf *out);
int broker_op_presence(struct broker *b, const struct peer *p,
    const struct proto_request *req, struct proto_buf *out);
/* The tick at now: red warnings unowned for escalate_after_s escalate, owners unheard of
 * for owner_lease_s let go. Looks only at the active warnings. */
void broker_warn_tick(struct broker *b, int64_t now);
/* The earliest broker time at which broker_warn_tick could escalate a warning it has seen
 * or let an owner go with nothing changing (INT64_MAX: none ahead; 0: at once). */
int64_t broker_warn_next(const struct broker *b);
/* stats.kpi's escalated and escalated_tickets into k. */
void broker_warn_kpi(struct broker *b, struct proto_kpi *k);
/* Free what it keeps (broker_destroy). */
void broker_warn_finish(struct broker *b);

/* ---- broker-feed.c: called by the loop ---- */

/* f from p (its user, roles and supplier: a supplier's messages for another supplier's
 * truck are refused and counted, a truck first registered by a supplier is that
 * supplier's). broker_handle_feed: from an open broker's peer (every role, no user). */
void broker_handle_feed_from(struct broker *b, const struct peer *p, const struct proto_feed *f);
void broker_handle_feed(struct broker *b, const struct proto_feed *f);
/* Log the suppliers' refused future fixes not yet reported once their minute is up;
 * mono_ms is the monotonic clock (the rate limit is in real time). */
void broker_feed_flush(struct broker *b, int64_t mono_ms);
/* Free what the feed keeps (broker_destroy). */
void broker_feed_finish(struct broker *b);

/* ---- broker-edit.c: rows of the op table ---- */

/* ticket.edit and ticket.callback (struct broker_op's handler). */
int broker_op_edit(struct broker *b, const struct peer *p, const struct proto_request *req,
    struct proto_buf *out);
int broker_op_callback(struct broker *b, const struct peer *p,
    const struct proto_request *req, struct proto_buf *out);

/* ---- broker-board.c: stats.board (PROTOCOL.md 7.33); reads the store ---- */

int broker_op_stats_board(struct broker *b, const struct peer *p,
    const struct proto_request *req, struct proto_buf *out);
/* Free the cached answer (broker_destroy). */
void broker_board_finish(struct broker *b);
/* Fold the store's events of [from, to) (tally.c) with every truck the broker knows placed
 * with its supplier, and a row for every supplier of the data and of the trucks; finished.
 * NULL and *err (internal, too_large) when the store fails or the range holds more than
 * BOARD_EVENTS_MAX events. The caller frees it (tally_free). broker-report.c uses it. */
struct tally;
struct tally *broker_board_fold(struct broker *b, int64_t from, int64_t to,
    enum proto_err *err);

/* ---- broker-report.c: stats.report (PROTOCOL.md 7.35); calls broker-board.c ---- */

int broker_op_stats_report(struct broker *b, const struct peer *p,
    const struct proto_request *req, struct proto_buf *out);
/* ---- broker-contact.c: ticket.contact (a row of the op table) and retention (the tick) ---- */

/* ticket.contact (struct broker_op's handler): logs the lookup, answers the raw values. */
int broker_op_contact(struct broker *b, const struct peer *p, const struct proto_request *req,
    struct proto_buf *out);
/* With opts.retention_days > 0: one slice of erasing the person from tickets closed more
 * than that many days before now (PROTOCOL.md 8.1). */
void broker_retention_tick(struct broker *b, int64_t now);

/* ---- broker-supplier-jobs.c: supplier.jobs (PROTOCOL.md 7.36); reads the tables ---- */

/* supplier.jobs (struct broker_op's handler): a supplier's trucks, the open tickets they
 * hold or are offered (masked) and what the supplier must do next about each. */
int broker_op_supplier_jobs(struct broker *b, const struct peer *p,
    const struct proto_request *req, struct proto_buf *out);
/* Truck k is about to leave its supplier (broker-feed.c, before the supplier changes):
 * remembered, so that supplier's next poll with since names it gone. */
void broker_supplier_jobs_gone(struct broker *b, const struct btruck *k, int64_t now);

/* ---- broker-ops.c: called by the loop ---- */

/* The row of op (an enum proto_msg_id), or NULL when the broker does not serve it. */
const struct broker_op *broker_op_find(int op);
/* Every row, for tests. */
extern const struct broker_op broker_ops[];
extern const size_t broker_n_ops;
const char *broker_role_name(enum broker_role r);
/* Handle one decoded request from p: reply (or replay the stored reply of a retry). out is
 * scratch. */
void broker_handle(struct broker *b, const struct peer *p, const struct proto_request *req,
    struct proto_buf *out);

/* ---- broker-capacity.c: called by the loop's tick; calls broker-state.c and -emit.c ---- */

/* Count each region's able free trucks and raise, change or clear its capacity warning
 * at now (PROTOCOL.md 8.3); every pass, with or without open tickets. */
void broker_capacity_tick(struct broker *b, int64_t now);

/* Raise, change or clear each region's capacity warning for numbers (reason "numbers")
 * from the tickets in b->vnum_wait; broker_vnum_settle calls it. */
void broker_capacity_numbers(struct broker *b, int64_t now);

/* The earliest broker time at which broker_capacity_tick could change a region's warning
 * with no truck, ticket or number changing (INT64_MAX: none ahead; 0: never run yet). */
int64_t broker_capacity_next(const struct broker *b);

/* Free what it keeps (broker_destroy). */
void broker_capacity_finish(struct broker *b);

#endif
