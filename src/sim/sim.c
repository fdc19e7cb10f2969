/* sim.c: the simulator's sockets, clock and loop around the pure model of sim-world.c.
 *
 * One zmq_poll loop: the rpc DEALER (replies), the replica SUB (live tickets) and the
 * world's next event, converted from broker time to real time by the time scale. Ticket
 * updates and replies go into the world; the world's actions come out as requests
 * (intake.create, offer.accept, offer.decline, ticket.set_state, ticket.cancel, and with
 * --diagnose diag.start, diag.answer, diag.safety, diag.dispatch_now) and feed messages
 * (status, fix) on a PUSH socket. A second SUB takes the messages the broker tells our
 * customers (topic "message", lossy) to the world, which counts them. The world starts when the replica first goes live, so the trucks answer
 * offers only once we can see them.
 *
 * The world's clock follows the broker's (sim_now): hello's `now` sets it, it runs at the
 * time scale, and it stands still while the replica is not live (the broker is away or we
 * resync). A new epoch is a restarted broker, whose clock starts again from its store and
 * may be behind where the world got to: the clock is re-based on the new broker's
 * heartbeat, and the world holds until broker time catches up rather than send fixes from
 * the broker's future (which it refuses), or catches up at once if the broker is ahead.
 * Time inside the world never goes back. */
#include "sim.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include "proto.h"
#include "curve.h"
#include "data.h"
#include "endpoints.h"
#include "flow.h"
#include "hmap.h"
#include "replica.h"
#include "rpc.h"
#include "sim-world.h"
#include "ticket.h"
#include "util.h"

#define HELLO_TIMEOUT_MS 5000
#define LIVE_TIMEOUT_MS 30000
#define FINISH_TIMEOUT_S (12 * 3600.0)
#define FAIL_STREAK_MAX 5
#define FEED_HWM 100000
#define FEED_LINGER_MS 1000
#define POLL_MAX_MS 250
#define RPC_TRIES 15 /* x 2 s a try: a request outlives a restart of the broker, whose reply
                      * cache makes the retries safe */
#define REPORT_EVERY_MS (3600 * 1000LL) /* broker time between progress lines */

enum pend_kind { PEND_INTAKE, PEND_STATE, PEND_CANCEL, PEND_DIAG, PEND_SURVEY };

/* A request waiting for its reply, by cmd_id. */
struct pend {
	enum pend_kind kind;
	uint64_t seq;   /* PEND_INTAKE */
	int64_t ticket; /* PEND_STATE, PEND_CANCEL, PEND_DIAG, PEND_SURVEY */
};

struct sim {
	char *api, *pub, *feed, *data_dir, *user;
	struct sim_opts o;
	void *zctx;
	bool own_ctx;
	struct data *data;
	struct flow_set *flows;         /* with diagnose */
	struct sim_world *world;
	struct rpc *rpc;
	struct replica *rep;
	void *push;
	void *msgs;                     /* SUB on topic "message": what our customers are told */
	struct rpc_follow feeds, msg_pubs; /* push and msgs follow the rpc in a group */
	struct hmap *pend;
	struct hmap *vers;              /* ticket id -> the last ver fed to the world */
	struct proto_buf buf;

	double scale;
	int64_t base_broker, base_mono; /* broker time = base_broker + (mono - base_mono) x scale */
	int64_t epoch;                  /* the broker run (epoch) the clock follows */
	bool frozen;                    /* the replica is not live: the world's clock waits */
	int64_t hold_until;             /* the world waits for broker time to reach this (0: no) */
	char *fatal;                    /* why sim_run must stop (a new broker we cannot follow) */
	bool started;
	int64_t t_start;                /* broker time the world started */
	int64_t mono_run;               /* when sim_run began */
	int64_t next_report;
	int fail_streak;
	uint64_t feed_dropped, refused, diag_refused;
	int64_t now_seen;               /* the latest broker time handed to the world */
	bool finished;
	struct sim_world_action *acts;  /* lockstep: one turn's actions, feed sent first */
	size_t n_acts, cap_acts;
};

void
sim_opts_init(struct sim_opts *o)
{
	memset(o, 0, sizeof *o);
	o->seed = 1;
	o->decline = -1;
}

/* Broker time now, as our clock estimates it. */
static int64_t
broker_clock(const struct sim *s)
{
	return s->base_broker + (int64_t)((double)(rd_mono_ms() - s->base_mono) * s->scale);
}

/* The world's time: broker time, but never going back, standing still while frozen, and
 * held while broker time is behind where the world got to. */
static int64_t
sim_now(struct sim *s)
{
	int64_t t = s->o.lockstep ? s->now_seen : broker_clock(s);

	if (s->frozen || t < s->now_seen)
		t = s->now_seen;
	s->now_seen = t;
	return t;
}

/* ---- from the broker ---- */

/* The messages told customers that have arrived: each to the world (ours are counted). */
static void
read_messages(struct sim *s)
{
	for (;;) {
		zmq_msg_t topic, body;
		struct proto_pub p;
		struct proto_error err;

		zmq_msg_init(&topic);
		if (zmq_msg_recv(&topic, s->msgs, ZMQ_DONTWAIT) < 0) {
			zmq_msg_close(&topic);
			return;
		}
		zmq_msg_init(&body);
		if (zmq_msg_more(&topic) && zmq_msg_recv(&body, s->msgs, 0) >= 0 &&
		    proto_decode_pub(zmq_msg_data(&topic), zmq_msg_size(&topic),
		    zmq_msg_data(&body), zmq_msg_size(&body), &p, &err) == 0 &&
		    p.topic == PROTO_TOPIC_MESSAGE && s->started)
			sim_world_told(s->world, sim_now(s), p.u.message.ticket,
			    p.u.message.template);
		zmq_msg_close(&topic);
		zmq_msg_close(&body);
	}
}

/* The answers in a diagnosis path ("bat_kind:1,bat_dash:1,!fire" has two). */
static int
path_steps(const char *path)
{
	int n = 0;

	while (*path != '\0') {
		const char *comma = strchr(path, ',');
		if (*path != '!' && *path != ',')
			n++;
		if (comma == NULL)
			break;
		path = comma + 1;
	}
	return n;
}

static bool
to_world_ticket(const struct proto_ticket *p, struct sim_world_ticket *t)
{
	int st = ticket_state_parse(p->state);

	if (st < 0)
		return false;
	memset(t, 0, sizeof *t);
	t->id = p->id;
	t->state = (enum ticket_state)st;
	if (PROTO_HAS(p, ticket, truck))
		rd_strlcpy(t->truck, p->truck, sizeof t->truck);
	t->lat = p->lat;
	t->lon = p->lon;
	t->fault = ticket_fault_parse(p->fault);
	t->flags = PROTO_HAS(p, ticket, flags) ? (uint32_t)p->flags : 0;
	rd_strlcpy(t->region, p->region, sizeof t->region);
	t->created = p->created;
	if (PROTO_HAS(p, ticket, promised))
		t->promised = p->promised;
	if (PROTO_HAS(p, ticket, t_on_scene))
		t->t_on_scene = p->t_on_scene;
	if (PROTO_HAS(p, ticket, t_dispatched))
		t->t_dispatched = p->t_dispatched;
	if (PROTO_HAS(p, ticket, diag_state)) {
		t->diag = strcmp(p->diag_state, "running") == 0 ? SIM_WORLD_DIAG_RUNNING :
		    SIM_WORLD_DIAG_ENDED;
		if (PROTO_HAS(p, ticket, diag_node))
			rd_strlcpy(t->diag_node, p->diag_node, sizeof t->diag_node);
		t->diag_steps = PROTO_HAS(p, ticket, diag_path) ? path_steps(p->diag_path) : 0;
	}
	return true;
}

/* Hand a ticket to the world unless it is older than one we already gave: the intake reply
 * and the PUB stream are not ordered with respect to each other. */
static void
feed_ticket(struct sim *s, const struct proto_ticket *p)
{
	struct sim_world_ticket t;
	char key[24];
	int64_t *ver;

	if (!s->started || !to_world_ticket(p, &t))
		return;
	snprintf(key, sizeof key, "%" PRId64, p->id);
	ver = hmap_get(s->vers, key);
	if (ver != NULL && PROTO_HAS(p, ticket, ver) && p->ver <= *ver)
		return;
	if (ticket_state_final(t.state)) {
		free(hmap_remove(s->vers, key));
	} else if (PROTO_HAS(p, ticket, ver)) {
		if (ver == NULL) {
			ver = xmalloc(sizeof *ver);
			hmap_put(s->vers, key, ver);
		}
		*ver = p->ver;
	}
	sim_world_ticket(s->world, sim_now(s), &t);
}

/* The replica's change callback: tickets are what the world follows. */
static void
on_change(void *ctx, enum proto_stream stream, const void *old, const void *now)
{
	(void)old;
	if (stream == PROTO_STREAM_TICKET && now != NULL)
		feed_ticket(ctx, now);
}

static void
start_world(struct sim *s)
{
	const struct proto_ticket *t;
	size_t pos = 0;

	s->t_start = sim_now(s);
	s->next_report = s->t_start + REPORT_EVERY_MS;
	sim_world_start(s->world, s->t_start);
	s->started = true;
	/* jobs our trucks already have (a restart of the simulator) and offers waiting */
	while ((t = replica_ticket_next(s->rep, &pos)) != NULL)
		feed_ticket(s, t);
	log_info("live: %zu trucks on the feed, %zu tickets known, broker time x%g",
	    sim_world_truck_count(s->world), replica_ticket_count(s->rep), s->scale);
}

static void
on_state(void *ctx, enum replica_state from, enum replica_state to)
{
	(void)ctx;
	log_info("replica %s -> %s", replica_state_name(from), replica_state_name(to));
}

/* A new epoch is a restarted broker: re-base the clock on its last heartbeat (ts, plus its
 * age at the time scale). A world ahead of it holds (sim_now); one behind catches up. */
static void
rebase(struct sim *s)
{
	int64_t mono = rd_mono_ms(), epoch = replica_epoch(s->rep);
	double scale = (double)replica_time_scale(s->rep);

	if (scale != s->scale) {
		if (s->o.speed > 0) {
			free(s->fatal);
			xasprintf(&s->fatal, "the broker came back (epoch %" PRId64 ") at "
			    "--time-scale %g but --speed is %g", epoch, scale, s->o.speed);
			return;
		}
		log_warn("the broker came back at time x%g (was x%g)", scale, s->scale);
		s->scale = scale;
	}
	s->base_broker = replica_broker_time(s->rep) +
	    (int64_t)((double)replica_hb_age_ms(s->rep, mono) * s->scale);
	s->base_mono = mono;
	s->epoch = epoch;
	if (!s->started)
		return;
	if (s->now_seen > s->base_broker) {
		s->hold_until = s->now_seen;
		log_info("broker epoch %" PRId64 ": its time is %.0f s behind the world's; the world "
		    "waits for it (%.1f s)", epoch, (double)(s->now_seen - s->base_broker) / 1000.0,
		    (double)(s->now_seen - s->base_broker) / 1000.0 / s->scale);
	} else {
		log_info("broker epoch %" PRId64 ": its time is %.0f s ahead of the world's; the "
		    "world catches up", epoch, (double)(s->base_broker - s->now_seen) / 1000.0);
	}
}

/* After each replica_process: the world's clock runs only while the replica is live and has
 * a heartbeat of the epoch its data is of (whose time the clock can follow); otherwise it
 * stands still. The world starts the first time that holds. */
static void
follow_broker(struct sim *s)
{
	rpc_follow(&s->feeds, s->rpc, s->push);
	rpc_follow(&s->msg_pubs, s->rpc, s->msgs);
	bool live = replica_state(s->rep) == REPLICA_LIVE &&
	    replica_hb_epoch(s->rep) == replica_epoch(s->rep);

	if (!live) {
		if (s->started && !s->frozen) {
			sim_now(s);
			s->frozen = true;
		}
		return;
	}
	if (s->started && !s->frozen)
		return;
	s->frozen = false;
	if (replica_epoch(s->rep) != s->epoch)
		rebase(s);
	if (!s->started)
		start_world(s);
}

/* A request's outcome: why is NULL on success (rep then holds the reply). */
static void
settle(struct sim *s, const struct pend *p, const struct proto_reply *rep, const char *why)
{
	switch (p->kind) {
	case PEND_INTAKE:
		if (why == NULL) {
			const struct proto_ticket *live = replica_ticket(s->rep, rep->ticket.id);
			sim_world_intake_done(s->world, sim_now(s), p->seq, rep->ticket.id);
			s->fail_streak = 0;
			log_debug("intake %" PRIu64 " -> ticket %" PRId64 " (%s)", p->seq,
			    rep->ticket.id, rep->ticket.state);
			char inj[64];
			if (sim_world_call_injects(s->world, p->seq, inj, sizeof inj))
				log_info("call %" PRIu64 " is ticket %" PRId64 ": injecting %s",
				    p->seq, rep->ticket.id, inj);
			/* the replica may have seen it before this reply came: give the newest */
			if (live != NULL && live->ver >= rep->ticket.ver)
				feed_ticket(s, live);
			else
				feed_ticket(s, &rep->ticket);
		} else {
			log_warn("intake %" PRIu64 " refused: %s", p->seq, why);
			sim_world_intake_failed(s->world, sim_now(s), p->seq);
			s->fail_streak++;
		}
		break;
	case PEND_DIAG:
		/* a step another console answered first, a session already over: the ticket's
		 * next update tells the world where it stands */
		if (why != NULL) {
			s->diag_refused++;
			log_debug("ticket %" PRId64 ": diagnosis refused: %s", p->ticket, why);
		}
		break;
	case PEND_SURVEY:
		/* one a ticket: a resend after a broker restart may find it taken */
		if (why != NULL)
			log_debug("ticket %" PRId64 ": survey refused: %s", p->ticket, why);
		break;
	case PEND_STATE:
	case PEND_CANCEL:
		if (why != NULL) {
			/* usually a race: the ticket moved on while our word was on its way */
			s->refused++;
			log_debug("ticket %" PRId64 ": %s refused: %s", p->ticket,
			    p->kind == PEND_STATE ? "set_state" : "cancel", why);
		}
		break;
	}
}

static void
on_reply(void *ctx, const char *cmd_id, const struct proto_reply *rep,
    const struct proto_error *err)
{
	struct sim *s = ctx;
	struct pend *p = hmap_remove(s->pend, cmd_id);

	if (p == NULL)
		return;
	settle(s, p, rep, rep == NULL ? (err != NULL ? err->message : "no reply") :
	    !rep->ok ? rep->error.message : NULL);
	free(p);
}

/* ---- to the broker ---- */

static void
call(struct sim *s, enum proto_msg_id op, const void *args, const struct pend *p)
{
	char cmd_id[PROTO_CMD_ID_MAX + 1];
	struct pend *q;

	if (rpc_call(s->rpc, op, args, on_reply, s, cmd_id) < 0) {
		settle(s, p, NULL, "could not queue the request");
		return;
	}
	q = xmalloc(sizeof *q);
	*q = *p;
	free(hmap_put(s->pend, cmd_id, q));
}

static void
send_feed(struct sim *s, enum proto_msg_id type, const void *msg)
{
	proto_buf_reset(&s->buf);
	proto_encode_feed(&s->buf, type, msg);
	if (zmq_send(s->push, s->buf.data, s->buf.len, ZMQ_DONTWAIT) < 0) {
		if (s->feed_dropped++ % 1000 == 0)
			log_warn("feed: %s (%" PRIu64 " dropped)", zmq_strerror(errno),
			    s->feed_dropped);
	}
}

static void
do_intake(struct sim *s, const struct sim_world_action *a)
{
	const struct sim_world_intake *in = &a->intake;
	struct proto_intake_create c;
	struct pend p = { .kind = PEND_INTAKE, .seq = a->seq };

	memset(&c, 0, sizeof c);
	PROTO_STRSET(c.customer, in->customer);
	PROTO_STRSET(c.phone, in->phone);
	PROTO_STRSET(c.plate, in->plate);
	PROTO_STRSET(c.model, in->model);
	PROTO_SET(&c, intake_create, model);
	c.lat = in->lat;
	c.lon = in->lon;
	PROTO_STRSET(c.address, in->address);
	if (in->landmark[0]) {
		PROTO_STRSET(c.landmark, in->landmark);
		PROTO_SET(&c, intake_create, landmark);
	}
	PROTO_STRSET(c.fault, ticket_fault_name(in->fault));
	PROTO_STRSET(c.region, in->region);
	if (in->notes[0]) {
		PROTO_STRSET(c.notes, in->notes);
		PROTO_SET(&c, intake_create, notes);
	}
	c.flags = in->flags;
	PROTO_SET(&c, intake_create, flags);
	if (in->diag_hold) {
		c.diag_hold = true;
		PROTO_SET(&c, intake_create, diag_hold);
	}
	log_debug("intake %" PRIu64 ": %s in %s, flags %u%s", a->seq,
	    ticket_fault_name(in->fault), in->region, (unsigned)in->flags,
	    in->diag_hold ? ", held for diagnosis" : "");
	call(s, PROTO_MSG_intake_create, &c, &p);
}

static void
do_diag(struct sim *s, const struct sim_world_action *a)
{
	struct pend p = { .kind = PEND_DIAG, .ticket = a->ticket };

	switch (a->kind) {
	case SIM_WORLD_DIAG_START: {
		struct proto_diag_start m;
		memset(&m, 0, sizeof m);
		m.id = a->ticket;
		PROTO_STRSET(m.flow, a->diag);
		PROTO_SET(&m, diag_start, flow);
		log_debug("ticket %" PRId64 ": diagnosis %s starts", a->ticket, a->diag);
		call(s, PROTO_MSG_diag_start, &m, &p);
		break;
	}
	case SIM_WORLD_DIAG_ANSWER: {
		struct proto_diag_answer m;
		memset(&m, 0, sizeof m);
		m.id = a->ticket;
		PROTO_STRSET(m.node, a->diag);
		m.answer = a->answer;
		log_debug("ticket %" PRId64 ": %s answered %d", a->ticket, a->diag, a->answer);
		call(s, PROTO_MSG_diag_answer, &m, &p);
		break;
	}
	case SIM_WORLD_DIAG_SAFETY: {
		struct proto_diag_safety m;
		memset(&m, 0, sizeof m);
		m.id = a->ticket;
		PROTO_STRSET(m.stop, a->diag);
		log_debug("ticket %" PRId64 ": safety stop %s", a->ticket, a->diag);
		call(s, PROTO_MSG_diag_safety, &m, &p);
		break;
	}
	case SIM_WORLD_DIAG_DISPATCH_NOW: {
		struct proto_diag_dispatch_now m;
		memset(&m, 0, sizeof m);
		m.id = a->ticket;
		log_debug("ticket %" PRId64 ": dispatch now, diagnosis goes on", a->ticket);
		call(s, PROTO_MSG_diag_dispatch_now, &m, &p);
		break;
	}
	default:
		break;
	}
}

static void
do_action(struct sim *s, const struct sim_world_action *a)
{
	switch (a->kind) {
	case SIM_WORLD_DIAG_START:
	case SIM_WORLD_DIAG_ANSWER:
	case SIM_WORLD_DIAG_SAFETY:
	case SIM_WORLD_DIAG_DISPATCH_NOW:
		do_diag(s, a);
		break;
	case SIM_WORLD_INTAKE:
		do_intake(s, a);
		break;
	case SIM_WORLD_SET_STATE: {
		struct proto_ticket_set_state m;
		struct pend p = { .kind = PEND_STATE, .ticket = a->ticket };
		if (a->truck[0] && a->state == TICKET_ACCEPTED && a->eta_s >= 0) {
			/* the answer to an offer names the truck: a late one cannot take a ticket
			 * offered to another truck since */
			struct proto_offer_accept oa = { .id = a->ticket, .eta_s = a->eta_s,
				.present = PROTO_ALL };
			PROTO_STRSET(oa.truck, a->truck);
			log_debug("ticket %" PRId64 ": %s accepts, ETA %" PRId64 " s", a->ticket,
			    a->truck, a->eta_s);
			call(s, PROTO_MSG_offer_accept, &oa, &p);
			break;
		}
		if (a->truck[0] && a->state == TICKET_NEW) {
			struct proto_offer_decline od = { .id = a->ticket, .present = PROTO_ALL };
			PROTO_STRSET(od.truck, a->truck);
			PROTO_STRSET(od.reason, a->reason[0] ? a->reason : "declined");
			log_debug("ticket %" PRId64 ": %s declines, %s", a->ticket, a->truck, od.reason);
			call(s, PROTO_MSG_offer_decline, &od, &p);
			break;
		}
		memset(&m, 0, sizeof m);
		m.id = a->ticket;
		PROTO_STRSET(m.state, ticket_state_name(a->state));
		if (a->reason[0]) {
			PROTO_STRSET(m.reason, a->reason);
			PROTO_SET(&m, ticket_set_state, reason);
		}
		if (a->eta_s >= 0) {
			m.eta_s = a->eta_s;
			PROTO_SET(&m, ticket_set_state, eta_s);
		}
		log_debug("ticket %" PRId64 ": %s says %s%s%s", a->ticket, a->truck,
		    ticket_state_name(a->state), a->reason[0] ? ", " : "", a->reason);
		call(s, PROTO_MSG_ticket_set_state, &m, &p);
		break;
	}
	case SIM_WORLD_SURVEY: {
		/* the customer's answer, stamped when they gave it */
		struct proto_survey_put m;
		struct pend p = { .kind = PEND_SURVEY, .ticket = a->ticket };
		memset(&m, 0, sizeof m);
		m.ticket = a->ticket;
		m.score = a->answer;
		m.ts = a->ts;
		PROTO_SET(&m, survey_put, ticket);
		PROTO_SET(&m, survey_put, score);
		PROTO_SET(&m, survey_put, ts);
		if (a->comment[0]) {
			PROTO_STRSET(m.comment, a->comment);
			PROTO_SET(&m, survey_put, comment);
		}
		log_debug("ticket %" PRId64 ": the customer answers the survey: %d", a->ticket,
		    a->answer);
		call(s, PROTO_MSG_survey_put, &m, &p);
		break;
	}
	case SIM_WORLD_CANCEL: {
		struct proto_ticket_cancel m;
		struct pend p = { .kind = PEND_CANCEL, .ticket = a->ticket };
		memset(&m, 0, sizeof m);
		m.id = a->ticket;
		PROTO_STRSET(m.reason, a->reason);
		log_debug("ticket %" PRId64 ": cancelled by the customer", a->ticket);
		call(s, PROTO_MSG_ticket_cancel, &m, &p);
		break;
	}
	case SIM_WORLD_STATUS: {
		struct proto_status m;
		memset(&m, 0, sizeof m);
		PROTO_STRSET(m.truck, a->truck);
		PROTO_STRSET(m.status, truck_status_name(a->status));
		PROTO_STRSET(m.kind, truck_kind_name(a->truck_kind));
		PROTO_SET(&m, status, kind);
		PROTO_STRSET(m.supplier, a->supplier);
		PROTO_SET(&m, status, supplier);
		PROTO_STRSET(m.region, a->region);
		PROTO_SET(&m, status, region);
		m.ts = a->ts;
		send_feed(s, PROTO_MSG_status, &m);
		break;
	}
	case SIM_WORLD_FIX: {
		struct proto_fix m;
		memset(&m, 0, sizeof m);
		PROTO_STRSET(m.truck, a->truck);
		m.lat = a->lat;
		m.lon = a->lon;
		m.speed_kmh = a->speed_kmh;
		PROTO_SET(&m, fix, speed_kmh);
		m.heading = a->heading;
		PROTO_SET(&m, fix, heading);
		m.ts = a->ts;
		send_feed(s, PROTO_MSG_fix, &m);
		break;
	}
	}
}

static void
flush_actions(struct sim *s)
{
	struct sim_world_action a;

	while (sim_world_action_next(s->world, &a))
		do_action(s, &a);
}

/* ---- create / destroy ---- */

static char *
dup_or(const char *s, const char *dflt)
{
	return xstrdup(s != NULL && s[0] ? s : dflt);
}

struct sim *
sim_create(void *zctx, const struct sim_opts *opts, char **cause)
{
	struct sim *s = xcalloc(1, sizeof *s);
	struct sim_world_opts wo;
	struct rpc_opts ro;
	struct replica_opts rpo;
	struct replica_ops ops = { .change = on_change, .state = on_state };
	struct proto_hello h;
	struct proto_reply rep;
	struct proto_error err;
	char *why = NULL;
	int hello_ms;

	s->o = *opts;
	s->api = dup_or(opts->api, ENDPOINTS_DEFAULT_API);
	s->pub = dup_or(opts->pub, ENDPOINTS_DEFAULT_PUB);
	s->feed = dup_or(opts->feed, ENDPOINTS_DEFAULT_FEED);
	s->data_dir = dup_or(opts->data_dir, data_default_dir());
	s->user = dup_or(opts->user, "sim");
	s->o.api = s->api;
	s->o.pub = s->pub;
	s->o.feed = s->feed;
	s->o.data_dir = s->data_dir;
	s->o.user = s->user;
	s->o.regions = NULL;
	s->o.n_regions = 0;
	proto_buf_init(&s->buf);
	s->pend = hmap_create();
	s->vers = hmap_create();

	if (!(opts->speed >= 0) || !(opts->rate >= 0) || !(opts->duration_s >= 0) ||
	    !(opts->finish_timeout_s >= 0) || opts->requests < 0) {
		xasprintf(cause, "speed, rate, duration, timeouts and requests must not be "
		    "negative");
		goto fail;
	}
	if ((s->data = data_load(s->data_dir, &why)) == NULL) {
		xasprintf(cause, "%s", why);
		free(why);
		goto fail;
	}
	if (opts->diagnose) {
		char *dir, *faults;
		xasprintf(&dir, "%s/diagnosis", s->data_dir);
		xasprintf(&faults, "%s/faults.ini", s->data_dir);
		s->flows = flow_set_open(dir, faults, &why);
		free(dir);
		free(faults);
		if (s->flows == NULL) {
			xasprintf(cause, "%s", why);
			free(why);
			goto fail;
		}
	}
	sim_world_opts_init(&wo);
	wo.seed = opts->seed;
	wo.regions = opts->regions;
	wo.n_regions = opts->n_regions;
	wo.rate_per_hour = opts->rate;
	wo.burst = opts->burst;
	wo.requests = opts->requests;
	wo.p_gps_dropout = opts->gps_dropout;
	wo.p_stall = opts->stall;
	wo.p_detour = opts->detour;
	wo.p_decline = opts->decline;
	wo.p_gps_loss = opts->gps_loss;
	if (opts->fleet > 0)
		wo.fleet = opts->fleet;
	if (opts->demand > 0)
		wo.demand = opts->demand;
	wo.flows = s->flows;
	wo.diagnose = opts->diagnose;
	memcpy(wo.inject, opts->inject, sizeof wo.inject);
	wo.n_inject = opts->n_inject;
	if ((s->world = sim_world_create(s->data, &wo, cause)) == NULL)
		goto fail;

	if (zctx == NULL) {
		if ((zctx = zmq_ctx_new()) == NULL) {
			xasprintf(cause, "zmq_ctx_new: %s", zmq_strerror(errno));
			goto fail;
		}
		s->own_ctx = true;
	}
	s->zctx = zctx;
	memset(&ro, 0, sizeof ro);
	ro.endpoint = s->api;
	ro.user = s->user;
	ro.tries = RPC_TRIES;
	ro.curve = opts->curve;
	if ((s->rpc = rpc_create(zctx, &ro, &why)) == NULL) {
		xasprintf(cause, "%s: %s", s->api, why);
		free(why);
		goto fail;
	}

	/* hello: the broker is there, speaks our protocol and runs at our speed */
	memset(&h, 0, sizeof h);
	PROTO_STRSET(h.client, "rescuedesk-sim " RD_VERSION);
	PROTO_SET(&h, hello, client);
	PROTO_STRSET(h.role, "sim");
	PROTO_SET(&h, hello, role);
	hello_ms = opts->hello_timeout_ms > 0 ? opts->hello_timeout_ms : HELLO_TIMEOUT_MS;
	if (rpc_call_sync(s->rpc, PROTO_MSG_hello, &h, &rep, &err, hello_ms) < 0) {
		enum curve_state hs = rpc_handshake(s->rpc);

		if (hs == CURVE_BAD_SERVER && !curve_keys_on(opts->curve))
			hs = CURVE_MISMATCH;	/* no server key to be wrong: a plain hello */
		if (hs == CURVE_REFUSED)
			xasprintf(cause, "the broker at %s refused this key (--key): is its "
			    "public key in the broker's users file?", s->api);
		else if (hs == CURVE_MISMATCH)
			xasprintf(cause, "the broker at %s %s", s->api, curve_keys_on(opts->curve) ?
			    "runs without CURVE: leave out --key and --server-key" :
			    "wants CURVE keys: give --key FILE and --server-key KEY");
		else if (hs == CURVE_BAD_SERVER)
			xasprintf(cause, "the broker at %s hung up in the handshake: is "
			    "--server-key its public key (and does it run with keys)?", s->api);
		else
			xasprintf(cause, "no answer from the broker at %s (is rescuedeskd "
			    "running?): %s", s->api, err.message);
		goto fail;
	}
	if (!rep.ok) {
		xasprintf(cause, "the broker refused hello: %s: %s", proto_err_name(rep.error.code),
		    rep.error.message);
		proto_reply_finish(&rep);
		goto fail;
	}
	if (rep.hello.proto != PROTO_VERSION) {
		xasprintf(cause, "the broker speaks protocol %" PRId64 ", we speak %d",
		    rep.hello.proto, PROTO_VERSION);
		proto_reply_finish(&rep);
		goto fail;
	}
	s->scale = PROTO_HAS(&rep.hello, hello_result, time_scale) ?
	    (double)rep.hello.time_scale : 1.0;
	if (opts->speed > 0 && fabs(opts->speed - s->scale) > 1e-9 * s->scale) {
		xasprintf(cause, "the broker runs at --time-scale %g but --speed is %g; run "
		    "rescuedesk-sim with --speed %g (or restart the broker)", s->scale, opts->speed,
		    s->scale);
		proto_reply_finish(&rep);
		goto fail;
	}
	s->base_mono = rd_mono_ms();
	s->base_broker = PROTO_HAS(&rep.hello, hello_result, now) ? rep.hello.now : rd_now_ms();
	s->epoch = rep.hello.epoch;
	log_info("broker %s %s at %s, epoch %" PRId64 ", time x%g", rep.hello.server,
	    rep.hello.version, s->api, rep.hello.epoch, s->scale);
	proto_reply_finish(&rep);

	memset(&rpo, 0, sizeof rpo);
	rpo.pub_endpoint = s->pub;
	rpo.skip = 1u << PROTO_STREAM_TRUCK; /* we own the trucks; their echo is of no use */
	rpo.curve = opts->curve;
	if ((s->rep = replica_create(zctx, s->rpc, &rpo, &ops, s, &why)) == NULL) {
		xasprintf(cause, "%s: %s", s->pub, why);
		free(why);
		goto fail;
	}

	if ((s->push = zmq_socket(zctx, ZMQ_PUSH)) == NULL) {
		xasprintf(cause, "zmq_socket: %s", zmq_strerror(errno));
		goto fail;
	}
	int hwm = FEED_HWM, linger = FEED_LINGER_MS;
	int one = 1, ka_idle = 10, ka_intvl = 5, ka_cnt = 3;
	zmq_setsockopt(s->push, ZMQ_SNDHWM, &hwm, sizeof hwm);
	zmq_setsockopt(s->push, ZMQ_LINGER, &linger, sizeof linger);
	/* no ZMTP heartbeats, TCP keepalives (PROTOCOL.md 2.4) */
	zmq_setsockopt(s->push, ZMQ_TCP_KEEPALIVE, &one, sizeof one);
	zmq_setsockopt(s->push, ZMQ_TCP_KEEPALIVE_IDLE, &ka_idle, sizeof ka_idle);
	zmq_setsockopt(s->push, ZMQ_TCP_KEEPALIVE_INTVL, &ka_intvl, sizeof ka_intvl);
	zmq_setsockopt(s->push, ZMQ_TCP_KEEPALIVE_CNT, &ka_cnt, sizeof ka_cnt);
	if (curve_apply(s->push, opts->curve, &why) < 0) {
		xasprintf(cause, "%s: %s", s->feed, why);
		free(why);
		goto fail;
	}
	if (rpc_follow_start(&s->feeds, s->rpc, s->push, s->feed, &why) < 0) {
		xasprintf(cause, "%s: %s", s->feed, why);
		free(why);
		goto fail;
	}
	if ((s->msgs = zmq_socket(zctx, ZMQ_SUB)) == NULL) {
		xasprintf(cause, "zmq_socket: %s", zmq_strerror(errno));
		goto fail;
	}
	const char *topic = proto_topic_name(PROTO_MSG_message);
	int zero = 0, max = PROTO_MAX_PUB;
	int64_t max64 = max;
	zmq_setsockopt(s->msgs, ZMQ_LINGER, &zero, sizeof zero);
	zmq_setsockopt(s->msgs, ZMQ_MAXMSGSIZE, &max64, sizeof max64);
	zmq_setsockopt(s->msgs, ZMQ_SUBSCRIBE, topic, strlen(topic));
	if (curve_apply(s->msgs, opts->curve, &why) < 0) {
		xasprintf(cause, "%s: %s", s->pub, why);
		free(why);
		goto fail;
	}
	if (rpc_follow_start(&s->msg_pubs, s->rpc, s->msgs, s->pub, &why) < 0) {
		xasprintf(cause, "%s: %s", s->pub, why);
		free(why);
		goto fail;
	}
	return s;
fail:
	sim_destroy(s);
	return NULL;
}

void
sim_destroy(struct sim *s)
{
	size_t pos = 0;
	const char *key;
	void *v;

	if (s == NULL)
		return;
	replica_destroy(s->rep);
	rpc_destroy(s->rpc);
	if (s->push != NULL)
		zmq_close(s->push);
	if (s->msgs != NULL)
		zmq_close(s->msgs);
	if (s->own_ctx)
		zmq_ctx_term(s->zctx);
	sim_world_destroy(s->world);
	flow_set_free(s->flows);
	data_free(s->data);
	if (s->pend != NULL) {
		while (hmap_next(s->pend, &pos, &key, &v))
			free(v);
		hmap_destroy(s->pend);
	}
	pos = 0;
	if (s->vers != NULL) {
		while (hmap_next(s->vers, &pos, &key, &v))
			free(v);
		hmap_destroy(s->vers);
	}
	proto_buf_finish(&s->buf);
	rpc_follow_finish(&s->feeds);
	rpc_follow_finish(&s->msg_pubs);
	free(s->api);
	free(s->pub);
	free(s->feed);
	free(s->data_dir);
	free(s->user);
	free(s->fatal);
	free(s->acts);
	free(s);
}

/* ---- the loop ---- */

static void
report(struct sim *s, int64_t now)
{
	struct sim_world_stats st;
	size_t busy = 0, on = 0;

	sim_world_stats(s->world, &st);
	for (size_t i = 0; i < sim_world_truck_count(s->world); i++) {
		struct sim_world_truck_info ti;
		sim_world_truck_info(s->world, i, &ti);
		on += ti.on_shift;
		busy += ti.job != 0;
	}
	log_info("%.1f h: %" PRIu64 " calls, %" PRIu64 " completed, %" PRIu64 " cancelled, "
	    "%" PRIu64 " declined offers; trucks %zu on shift, %zu busy; customers told %"
	    PRIu64 " messages (%" PRIu64 " delays); %" PRIu64 " surveys (%" PRIu64
	    " detractors)",
	    (double)(now - s->t_start) / 3600000.0, st.created, st.completed, st.cancelled,
	    st.declined, on, busy, st.told, st.told_delay, st.surveys, st.survey_detractors);
}

static int
poll_timeout(struct sim *s, int64_t mono)
{
	int t = POLL_MAX_MS, x;

	if ((x = rpc_next_timeout(s->rpc, mono)) >= 0 && x < t)
		t = x;
	if ((x = replica_next_timeout(s->rep, mono)) >= 0 && x < t)
		t = x;
	if (s->started && !s->frozen) {
		int64_t due = sim_world_next_due(s->world);
		if (due != INT64_MAX) {
			/* broker time, not the world's: while it holds, the wait is the broker's */
			double ms = ceil((double)(due - broker_clock(s)) / s->scale);
			if (ms < t)
				t = ms < 0 ? 0 : (int)ms;
		}
	}
	return t;
}

static void
log_open(struct sim *s)
{
	int64_t ids[8];
	size_t n = sim_world_open_tickets(s->world, ids, ARRAY_LEN(ids));
	char list[400] = "";

	for (size_t i = 0; i < n && i < ARRAY_LEN(ids); i++) {
		char one[48];
		const struct proto_ticket *t = replica_ticket(s->rep, ids[i]);
		snprintf(one, sizeof one, "%s%" PRId64 "%s%s", i ? ", " : "", ids[i],
		    t != NULL ? ":" : "", t != NULL ? t->state : "");
		size_t len = strlen(list);
		rd_strlcpy(list + len, one, sizeof list - len);
	}
	log_error("%zu of the requested tickets still open (%s%s)", n, list,
	    n > ARRAY_LEN(ids) ? ", ..." : "");
}

int
sim_run(struct sim *s, volatile sig_atomic_t *stop)
{
	zmq_pollitem_t items[3];
	int live_ms = s->o.live_timeout_ms > 0 ? s->o.live_timeout_ms : LIVE_TIMEOUT_MS;
	double finish_s = s->o.finish_timeout_s > 0 ? s->o.finish_timeout_s : FINISH_TIMEOUT_S;

	s->mono_run = rd_mono_ms();
	while (stop == NULL || !*stop) {
		int64_t mono, now;

		items[0] = (zmq_pollitem_t){ .socket = rpc_socket(s->rpc), .events = ZMQ_POLLIN };
		items[1] = (zmq_pollitem_t){ .socket = replica_socket(s->rep),
			.events = ZMQ_POLLIN };
		items[2] = (zmq_pollitem_t){ .socket = s->msgs, .events = ZMQ_POLLIN };
		if (zmq_poll(items, 3, poll_timeout(s, rd_mono_ms())) < 0 && errno != EINTR) {
			log_error("zmq_poll: %s", zmq_strerror(errno));
			return 1;
		}
		mono = rd_mono_ms();
		rpc_process(s->rpc, mono);
		replica_process(s->rep, mono);
		follow_broker(s);
		read_messages(s);
		if (!s->started) {
			if (mono - s->mono_run > live_ms) {
				log_error("no live updates from the broker at %s within %d ms",
				    s->pub, live_ms);
				return 1;
			}
			continue;
		}
		if (s->fatal != NULL) {
			log_error("%s", s->fatal);
			return 1;
		}
		now = sim_now(s);
		if (s->hold_until > 0 && broker_clock(s) >= s->hold_until) {
			log_info("broker time caught up with the world's");
			s->hold_until = 0;
		}
		sim_world_advance(s->world, now);
		flush_actions(s);
		if (now >= s->next_report) {
			report(s, now);
			s->next_report += REPORT_EVERY_MS;
		}
		if (s->o.requests > 0 && sim_world_done(s->world)) {
			s->finished = true;
			log_info("all %ld requested tickets are closed", s->o.requests);
			return 0;
		}
		if (s->fail_streak >= FAIL_STREAK_MAX) {
			log_error("the broker refused %d intakes in a row; giving up",
			    s->fail_streak);
			return 1;
		}
		if (s->o.requests > 0 && sim_world_last_created(s->world) > 0 &&
		    now - sim_world_last_created(s->world) > (int64_t)(finish_s * 1000)) {
			log_open(s);
			return 1;
		}
		if (s->o.duration_s > 0 && now - s->t_start >= (int64_t)(s->o.duration_s * 1000)) {
			log_info("duration reached");
			if (s->o.requests > 0) {
				log_open(s);
				return 1;
			}
			return 0;
		}
	}
	return 0;
}

static int
cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

void
sim_summary(const struct sim *s, struct sim_summary *out)
{
	struct sim_world_stats st;
	size_t n, in_promise;
	const int64_t *resp = sim_world_responses(s->world, &n, &in_promise);

	memset(out, 0, sizeof *out);
	sim_world_stats(s->world, &st);
	out->created = st.created;
	out->completed = st.completed;
	out->cancelled = st.cancelled;
	out->resolved_remote = st.resolved_remote;
	out->open = st.created - (st.completed + st.cancelled + st.resolved_remote);
	out->failed = st.failed;
	out->offers = st.offers;
	out->accepted = st.accepted;
	out->declined = st.declined;
	out->unanswered = st.unanswered;
	out->queued = st.queued;
	out->customer_cancels = st.customer_cancels;
	out->told = st.told;
	out->told_delay = st.told_delay;
	out->late = st.late;
	out->late_told = st.late_told;
	out->fixes = st.fixes;
	out->fixes_suppressed = st.fixes_suppressed;
	out->stalls = st.stalls;
	out->dropouts = st.dropouts;
	out->detours = st.detours;
	out->feed_dropped = s->feed_dropped;
	out->refused = s->refused;
	out->diag_sessions = st.diag_sessions;
	out->diag_answers = st.diag_answers;
	out->diag_stops = st.diag_stops;
	out->diag_dispatch_now = st.diag_dispatch_now;
	out->diag_refused = s->diag_refused;
	out->responses = n;
	out->time_scale = s->scale;
	out->finished = s->finished;
	if (s->started)
		out->sim_elapsed_s = (double)(s->now_seen - s->t_start) / 1000.0;
	if (n > 0) {
		int64_t *sorted = xcalloc(n, sizeof *sorted);
		double sum = 0;
		memcpy(sorted, resp, n * sizeof *sorted);
		qsort(sorted, n, sizeof *sorted, cmp_i64);
		for (size_t i = 0; i < n; i++)
			sum += (double)sorted[i];
		out->mean_response_min = sum / (double)n / 60000.0;
		/* nearest rank */
		out->p90_response_min = (double)sorted[(size_t)ceil(0.9 * (double)n) - 1] / 60000.0;
		out->within_promise = (double)in_promise / (double)n;
		resp = sim_world_bounds(s->world, &n, &in_promise);
		memcpy(sorted, resp, n * sizeof *sorted);
		qsort(sorted, n, sizeof *sorted, cmp_i64);
		sum = 0;
		for (size_t i = 0; i < n; i++)
			sum += (double)sorted[i];
		out->mean_bound_min = sum / (double)n / 60000.0;
		out->p90_bound_min = (double)sorted[(size_t)ceil(0.9 * (double)n) - 1] / 60000.0;
		out->bound_within_promise = (double)in_promise / (double)n;
		free(sorted);
		const struct sim_world_bound *wb = sim_world_work_bounds(s->world, &n);
		double sum_free = 0, sum_keep = 0;
		size_t n_free = 0;
		sum = 0;
		for (size_t i = 0; i < n; i++) {
			sum += (double)wb[i].work_ms;
			sum_keep += (double)wb[i].nodivert_ms;
			if (wb[i].free_ms > 0) {
				sum_free += (double)wb[i].free_ms;
				n_free++;
			}
		}
		out->mean_work_bound_min = sum / (double)n / 60000.0;
		out->mean_nodivert_bound_min = sum_keep / (double)n / 60000.0;
		out->mean_free_min = n_free > 0 ? sum_free / (double)n_free / 60000.0 : 0;
		out->free_share = (double)n_free / (double)n;
		sim_world_gaps(s->world, &out->gaps);
		struct sim_world_gaps *g = &out->gaps;
		double per = g->n > 0 ? 60000.0 * (double)g->n : 1;
		g->offer /= per;
		g->reoffer /= per;
		g->trip /= per;
		g->choice /= per;
		g->report /= per;
		g->other /= g->queued > 0 ? 60000.0 * (double)g->queued : 1;
	}
}

/* ---- lockstep ----
 * The caller owns the clock (sim_opts.lockstep): it moves broker time (a manual clock,
 * broker_step) and then hands the same time to sim_lockstep_turn, which takes in all the
 * broker said, plays the world up to that time and waits until the broker has handled all
 * the world said. Nothing then depends on how the threads were scheduled:
 * - the broker answers a step only after the turn's commit and publications, so the
 *   replica holds all of them when the turn drains it (zmq delivers in order per pipe);
 * - the feed goes out before the requests, and the broker handles a turn's feed before its
 *   requests, so waiting for the last reply (a hello when the world said nothing else)
 *   means every fix and status was taken, in order, before the next step;
 * - the replica is not read while waiting for replies, so the world learns of tickets
 *   in one place of the turn, after the replies. */

static bool
lock_live(const struct sim *s)
{
	return replica_state(s->rep) == REPLICA_LIVE &&
	    replica_hb_epoch(s->rep) == replica_epoch(s->rep);
}

static bool
readable(void *sock)
{
	int ev = 0;
	size_t len = sizeof ev;

	return zmq_getsockopt(sock, ZMQ_EVENTS, &ev, &len) == 0 && (ev & ZMQ_POLLIN);
}

/* Everything both sockets hold now. */
static void
lock_drain(struct sim *s)
{
	do {
		int64_t mono = rd_mono_ms();
		rpc_process(s->rpc, mono);
		replica_process(s->rep, mono);
		read_messages(s);
	} while (readable(rpc_socket(s->rpc)) || readable(replica_socket(s->rep)) ||
	    readable(s->msgs));
}

/* Wait (both sockets) until the replica is live, up to wait_ms. */
static bool
lock_wait_live(struct sim *s, int wait_ms)
{
	int64_t until = rd_mono_ms() + wait_ms;

	for (;;) {
		lock_drain(s);
		if (lock_live(s))
			return true;
		int64_t left = until - rd_mono_ms();
		if (left <= 0)
			return false;
		zmq_pollitem_t items[2] = {
			{ .socket = rpc_socket(s->rpc), .events = ZMQ_POLLIN },
			{ .socket = replica_socket(s->rep), .events = ZMQ_POLLIN },
		};
		if (zmq_poll(items, 2, left < 50 ? left : 50) < 0 && errno != EINTR)
			return false;
	}
}

static void
on_ping(void *ctx, const char *cmd_id, const struct proto_reply *rep,
    const struct proto_error *err)
{
	(void)ctx;
	(void)cmd_id;
	(void)rep;
	(void)err;
}

int
sim_lockstep_start(struct sim *s, int64_t now, int wait_ms)
{
	if (!s->o.lockstep)
		return -1;
	if (s->started)
		return 1;
	if (!lock_wait_live(s, wait_ms))
		return 0;
	s->epoch = replica_epoch(s->rep);
	s->now_seen = now;
	start_world(s);
	return 1;
}

int
sim_lockstep_turn(struct sim *s, int64_t now, int timeout_ms)
{
	struct sim_world_action a;
	double finish_s = s->o.finish_timeout_s > 0 ? s->o.finish_timeout_s : FINISH_TIMEOUT_S;
	bool sent = false, asked = false;

	if (!s->o.lockstep || !s->started)
		return -1;
	if (now > s->now_seen)
		s->now_seen = now;
	lock_drain(s);
	if (!lock_live(s)) {
		log_warn("lockstep: the replica is %s; waiting for it",
		    replica_state_name(replica_state(s->rep)));
		if (!lock_wait_live(s, timeout_ms)) {
			log_error("lockstep: the replica did not come back within %d ms", timeout_ms);
			return -1;
		}
	}
	sim_world_advance(s->world, now);
	s->n_acts = 0;
	while (sim_world_action_next(s->world, &a)) {
		if (s->n_acts == s->cap_acts) {
			s->cap_acts = s->cap_acts ? 2 * s->cap_acts : 64;
			s->acts = xreallocarray(s->acts, s->cap_acts, sizeof *s->acts);
		}
		s->acts[s->n_acts++] = a;
	}
	for (size_t i = 0; i < s->n_acts; i++)
		if (s->acts[i].kind == SIM_WORLD_STATUS || s->acts[i].kind == SIM_WORLD_FIX) {
			do_action(s, &s->acts[i]);
			sent = true;
		}
	for (size_t i = 0; i < s->n_acts; i++)
		if (s->acts[i].kind != SIM_WORLD_STATUS && s->acts[i].kind != SIM_WORLD_FIX) {
			do_action(s, &s->acts[i]);
			asked = true;
		}
	if (sent && !asked) {
		struct proto_hello h;
		memset(&h, 0, sizeof h);
		if (rpc_call(s->rpc, PROTO_MSG_hello, &h, on_ping, s, NULL) < 0) {
			log_error("lockstep: could not queue a hello");
			return -1;
		}
	}
	/* every reply, and only the replies */
	int64_t until = rd_mono_ms() + timeout_ms;
	while (rpc_pending(s->rpc) > 0) {
		int64_t mono = rd_mono_ms();
		if (mono > until) {
			log_error("lockstep: %zu requests unanswered after %d ms",
			    rpc_pending(s->rpc), timeout_ms);
			return -1;
		}
		int t = rpc_next_timeout(s->rpc, mono);
		zmq_pollitem_t it = { .socket = rpc_socket(s->rpc), .events = ZMQ_POLLIN };
		if (zmq_poll(&it, 1, t < 0 || t > 100 ? 100 : t) < 0 && errno != EINTR) {
			log_error("zmq_poll: %s", zmq_strerror(errno));
			return -1;
		}
		rpc_process(s->rpc, rd_mono_ms());
	}
	if (s->o.requests > 0 && sim_world_done(s->world)) {
		s->finished = true;
		return 1;
	}
	if (s->fail_streak >= FAIL_STREAK_MAX) {
		log_error("the broker refused %d intakes in a row; giving up", s->fail_streak);
		return -1;
	}
	if (s->o.requests > 0 && sim_world_last_created(s->world) > 0 &&
	    now - sim_world_last_created(s->world) > (int64_t)(finish_s * 1000)) {
		log_open(s);
		return -1;
	}
	if (s->o.duration_s > 0 && now - s->t_start >= (int64_t)(s->o.duration_s * 1000))
		return s->o.requests > 0 ? -1 : 1;
	return 0;
}

int64_t
sim_lockstep_next(const struct sim *s, bool *busy)
{
	*busy = s->started && sim_world_open_tickets(s->world, NULL, 0) > 0;
	return s->started ? sim_world_next_due(s->world) : INT64_MAX;
}
