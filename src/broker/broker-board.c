/* broker-board.c: stats.board (PROTOCOL.md 7.33), the supervisors' boards of suppliers
 * and agents with the hourly trends.
 *
 * The figures of the range come from the store's events (store_events_range, id order)
 * folded by the pure tally.c, the same fold the reports use, never from the snapshot
 * (which keeps closed tickets for two hours only). Beside them go live counts from the
 * broker's tables: each supplier's trucks on duty, free and busy; each agent's open tickets
 * (the calls it took that are not closed) and the active warnings it owns. The trends are
 * the range's first 24 hours and the 24 hours from the same time a week earlier.
 *
 * A range costs a walk of its events (a day of 3,000 tickets: tests/bench/bench-board.c),
 * so the answer is kept BOARD_CACHE_MS of broker time for the same arguments: consoles
 * refreshing every 10-30 s and several supervisors share one walk. Calls broker-emit.c and
 * the store; nothing here changes state. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "broker-int.h"
#include "civil.h"
#include "store.h"
#include "tally.h"
#include "util.h"

#define BOARD_CACHE_MS 5000
#define BOARD_RANGE_MAX_MS (92LL * 86400000)   /* the longest range served */
#define BOARD_EVENTS_MAX 5000000               /* events one range may walk */
#define WEEK_MS (7LL * 86400000)

static int
fold_cb(void *ctx, const struct store_event *ev)
{
	struct tally_event te = {
		.ts = ev->ts, .stream = ev->stream, .entity = ev->entity, .kind = ev->kind,
		.code = ev->code, .user = ev->user, .body = ev->body, .body_len = ev->body_len,
		.params = ev->params, .params_len = ev->params_len,
	};
	tally_add(ctx, &te);
	return 0;
}

/* The range's fold (broker-int.h); the reports use it too. */
struct tally *
broker_board_fold(struct broker *b, int64_t from, int64_t to, enum proto_err *err)
{
	struct tally *t = tally_create(from, to, b->data->sla.escalate_after_s);
	for (size_t i = 0; i < b->n_trucks; i++)
		if (b->trucks[i] != NULL)
			tally_know_truck(t, b->trucks[i]->w.id, b->trucks[i]->w.supplier);
	int r = store_events_range(b->store, from, to, BOARD_EVENTS_MAX, fold_cb, t, NULL);
	if (r != 0) {
		if (r < 0)
			log_warn("stats.board: %s", store_errmsg(b->store));
		*err = r < 0 ? PROTO_E_INTERNAL : PROTO_E_TOO_LARGE;
		tally_free(t);
		return NULL;
	}
	/* every supplier of the data and of the trucks has a row, with or without events */
	for (size_t i = 0; i < b->n_sups; i++)
		tally_supplier_row(t, b->sups[i].d->id);
	for (size_t i = 0; i < b->n_trucks; i++)
		if (b->trucks[i] != NULL)
			tally_supplier_row(t, b->trucks[i]->w.supplier);
	tally_finish(t);
	return t;
}

static bool
on_duty(const struct btruck *k)
{
	return k->status != TRUCK_OFF_DUTY;
}

static int64_t
mean_s(int64_t sum_ms, int64_t n, bool *has)
{
	int64_t m;
	*has = tally_mean(sum_ms, n, &m);
	return *has ? (m + 500) / 1000 : 0;
}

static void
pack_suppliers(struct broker *b, struct proto_buf *out, struct tally *t)
{
	proto_pack_str(out, "suppliers");
	proto_pack_array(out, (uint32_t)t->n_suppliers);
	for (size_t i = 0; i < t->n_suppliers; i++) {
		const struct tally_supplier *s = &t->suppliers[i];
		struct proto_board_supplier w;
		bool has;
		memset(&w, 0, sizeof w);
		w.present = PROTO_ALL;
		PROTO_STRSET(w.supplier, s->id);
		for (size_t k = 0; k < b->n_trucks; k++) {
			const struct btruck *tk = b->trucks[k];
			if (tk == NULL || !on_duty(tk) || strcmp(tk->w.supplier, s->id) != 0)
				continue;
			w.trucks++;
			if (tk->status == TRUCK_AVAILABLE)
				w.free++;
			else
				w.busy++;
		}
		w.offers = s->offers;
		w.accepted = s->accepted;
		w.declines = s->declines;
		w.timeouts = s->timeouts;
		if (s->accept_median_ms >= 0)
			w.accept_median_s = (s->accept_median_ms + 500) / 1000;
		else
			w.present &= ~((uint64_t)1 << PROTO_board_supplier_accept_median_s);
		w.arrived = s->arrived;
		w.late = s->late;
		w.response_s = mean_s(s->response_ms, s->arrived, &has);
		if (!has)
			w.present &= ~((uint64_t)1 << PROTO_board_supplier_response_s);
		w.complaints = s->complaints;
		proto_pack_obj(out, PROTO_MSG_board_supplier, &w, 0);
	}
}

static void
pack_agents(struct broker *b, struct proto_buf *out, struct tally *t)
{
	/* what the agents hold now: their open tickets, the active warnings they own */
	for (size_t i = 0; i < b->n_tickets; i++) {
		const struct bticket *k = b->tickets[i];
		if (k != NULL && !ticket_state_final(k->state) &&
		    PROTO_HAS(&k->w, ticket, created_by) && k->w.created_by[0] != '\0')
			tally_agent_row(t, k->w.created_by);
	}
	for (size_t i = 0; i < b->n_warns; i++) {
		const struct bwarn *w = b->warns[i];
		if (w != NULL && !w->w.cleared && PROTO_HAS(&w->w, warning, owner) &&
		    w->w.owner[0] != '\0')
			tally_agent_row(t, w->w.owner);
	}
	tally_finish(t);
	int64_t *open = xcalloc(t->n_agents + 1, sizeof *open);
	int64_t *owned = xcalloc(t->n_agents + 1, sizeof *owned);
	for (size_t i = 0; i < b->n_tickets; i++) {
		const struct bticket *k = b->tickets[i];
		if (k != NULL && !ticket_state_final(k->state) &&
		    PROTO_HAS(&k->w, ticket, created_by) && k->w.created_by[0] != '\0')
			open[tally_agent_row(t, k->w.created_by) - t->agents]++;
	}
	for (size_t i = 0; i < b->n_warns; i++) {
		const struct bwarn *w = b->warns[i];
		if (w != NULL && !w->w.cleared && PROTO_HAS(&w->w, warning, owner) &&
		    w->w.owner[0] != '\0')
			owned[tally_agent_row(t, w->w.owner) - t->agents]++;
	}
	proto_pack_str(out, "agents");
	proto_pack_array(out, (uint32_t)t->n_agents);
	for (size_t i = 0; i < t->n_agents; i++) {
		const struct tally_agent *a = &t->agents[i];
		struct proto_board_agent w = { .present = PROTO_ALL };
		PROTO_STRSET(w.user, a->user);
		w.calls = a->calls;
		w.open = open[i];
		w.owned = owned[i];
		w.acked = a->warnings;
		w.acked_in_time = a->acked_in_time;
		proto_pack_obj(out, PROTO_MSG_board_agent, &w, 0);
	}
	free(open);
	free(owned);
}

static void
pack_hours(struct proto_buf *out, const struct tally *t, const struct tally *lw, int n)
{
	proto_pack_str(out, "hours");
	proto_pack_array(out, (uint32_t)n);
	for (int h = 0; h < n; h++) {
		struct proto_board_hour w = { .present = PROTO_ALL };
		bool has;
		w.hour = h;
		w.calls = t->hours[h].calls;
		w.arrived = t->hours[h].arrived;
		w.response_s = mean_s(t->hours[h].response_ms, w.arrived, &has);
		if (!has)
			w.present &= ~((uint64_t)1 << PROTO_board_hour_response_s);
		w.calls_lw = lw->hours[h].calls;
		w.arrived_lw = lw->hours[h].arrived;
		w.response_s_lw = mean_s(lw->hours[h].response_ms, w.arrived_lw, &has);
		if (!has)
			w.present &= ~((uint64_t)1 << PROTO_board_hour_response_s_lw);
		proto_pack_obj(out, PROTO_MSG_board_hour, &w, 0);
	}
}

/* The result map of [from, to) into out; -1 and *err when it cannot be computed. */
static int
board_result(struct broker *b, struct proto_buf *out, int64_t from, int64_t to,
    enum proto_err *err)
{
	struct tally *t = broker_board_fold(b, from, to, err), *lw = NULL;
	if (t == NULL)
		return -1;
	lw = broker_board_fold(b, from - WEEK_MS, from - WEEK_MS + TALLY_HOURS_MAX * 3600000LL,
	    err);
	if (lw == NULL) {
		tally_free(t);
		return -1;
	}
	int64_t hours = (to - from + 3599999) / 3600000;
	int n = hours < TALLY_HOURS_MAX ? (int)hours : TALLY_HOURS_MAX;
	struct proto_board head = { .present = PROTO_ALL, .now = broker_now(b), .from = from,
		.to = to, .events = t->events };
	proto_pack_obj(out, PROTO_MSG_board, &head, 3);
	pack_suppliers(b, out, t);
	pack_agents(b, out, t);
	pack_hours(out, t, lw, n);
	tally_free(t);
	tally_free(lw);
	return 0;
}

int
broker_op_stats_board(struct broker *b, const struct peer *p,
    const struct proto_request *req, struct proto_buf *out)
{
	const struct proto_stats_board *a = &req->args.stats_board;
	int64_t now = broker_now(b);
	bool has_from = PROTO_HAS(a, stats_board, from), has_to = PROTO_HAS(a, stats_board, to);
	int64_t to = has_to ? a->to : now + 1;
	int64_t from = has_from ? a->from : to - 1 - civil_ms_of_day(to - 1, CIVIL_TZ_CHINA_S);
	struct board_cache *c = &b->board_cache;
	enum proto_err err;

	(void)p;
	if (to <= from)
		return broker_reply_error_at(out, req, PROTO_E_BAD_REQUEST, "to",
		    "to must be after from");
	if (to - from > BOARD_RANGE_MAX_MS)
		return broker_reply_error_at(out, req, PROTO_E_BAD_REQUEST, "to",
		    "the range is longer than 92 days");
	if (c->body != NULL && c->has_from == has_from && c->has_to == has_to &&
	    (!has_from || c->from == a->from) && (!has_to || c->to == a->to) &&
	    now >= c->at && now - c->at < BOARD_CACHE_MS) {
		proto_encode_reply_ok(out, req->cmd_id, "stats.board");
		proto_pack_raw(out, c->body, c->len);
		return 0;
	}
	struct proto_buf res;
	proto_buf_init(&res);
	if (board_result(b, &res, from, to, &err) < 0) {
		proto_buf_finish(&res);
		return broker_reply_error(out, req, err, err == PROTO_E_TOO_LARGE ?
		    "the range holds more than %d events" : "the store could not be read",
		    BOARD_EVENTS_MAX);
	}
	free(c->body);
	c->body = proto_buf_take(&res, &c->len);
	c->at = now;
	c->has_from = has_from;
	c->has_to = has_to;
	c->from = has_from ? a->from : 0;
	c->to = has_to ? a->to : 0;
	proto_encode_reply_ok(out, req->cmd_id, "stats.board");
	proto_pack_raw(out, c->body, c->len);
	return 0;
}

void
broker_board_finish(struct broker *b)
{
	free(b->board_cache.body);
	memset(&b->board_cache, 0, sizeof b->board_cache);
}
