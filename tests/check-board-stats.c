/* check-board-stats.c: stats.board at the real broker (src/broker/broker-board.c) on a
 * manual clock in tests/fixture-town.c's town, and the store's range walk under it.
 *
 *   - a morning of calls: offers accepted, timed out and declined by the suppliers alpha
 *     and beta, arrivals on time and late, a call still open; the board's supplier and agent
 *     rows equal a recomputation from each ticket's history as ticket.get returns it
 *     (params and the ticket's own times), with the live truck counts;
 *   - the trends: calls and response of the hour, nothing a week earlier;
 *   - a range that excludes the morning has no events; to before from is refused; the
 *     answer is kept a few seconds for the same arguments, then computed again;
 *   - the op table's row: supervisors and the simulator only;
 *   - store_events_range: id order whatever the times, [from, to), the max and its stop. */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "broker.h"
#include "proto.h"
#include "store.h"
#include "util.h"

#include "broker-int.h"
#include "fixture-town.h"
#include "harness-broker.h"

static char base_dir[] = "/tmp/rd-check-board-XXXXXX";

static void
setup(void)
{
	town_setup(base_dir, "CHECK_BOARD_LOG", "board");
}

static void
board(struct proto_reply *r, const struct proto_stats_board *a)
{
	town_call_as("boss", PROTO_MSG_stats_board, a, r);
	ck_assert_msg(r->ok, "stats.board: %s", r->error.message);
}

static const struct proto_board_supplier *
sup_row(const struct proto_reply *r, const char *id)
{
	for (size_t i = 0; i < r->n_board_suppliers; i++)
		if (strcmp(r->board_suppliers[i].supplier, id) == 0)
			return &r->board_suppliers[i];
	return NULL;
}

static const struct proto_board_agent *
agent_row(const struct proto_reply *r, const char *user)
{
	for (size_t i = 0; i < r->n_board_agents; i++)
		if (strcmp(r->board_agents[i].user, user) == 0)
			return &r->board_agents[i];
	return NULL;
}

/* The figures recomputed from the histories ticket.get gives. */
struct recount {
	int64_t offers, accepted, declines, timeouts, arrived, late, response_ms;
};

static const char *
supplier_of(const char *truck)
{
	return truck[0] == 'A' ? "alpha" : "beta";
}

static void
recount(int64_t n_tickets, struct recount *alpha, struct recount *beta, int64_t *calls)
{
	memset(alpha, 0, sizeof *alpha);
	memset(beta, 0, sizeof *beta);
	*calls = 0;
	for (int64_t id = 1; id <= n_tickets; id++) {
		struct proto_reply r;
		char on_job[25] = ""; /* the truck that accepted last (the ticket keeps "" once
		                       * it closed) */
		town_get_ticket(id, &r);
		for (size_t i = 0; i < r.n_events; i++) {
			const struct proto_event *e = &r.events[i];
			const char *truck = e->params.truck;
			struct recount *c = strcmp(supplier_of(truck), "alpha") == 0 ? alpha : beta;
			if (strcmp(e->kind, "created") == 0)
				++*calls;
			else if (strcmp(e->kind, "offer") == 0)
				c->offers++;
			else if (strcmp(e->kind, "accept") == 0) {
				c->accepted++;
				rd_strlcpy(on_job, truck, sizeof on_job);
			}
			else if (strcmp(e->kind, "decline") == 0)
				c->declines++;
			else if (strcmp(e->kind, "timeout") == 0)
				c->timeouts++;
		}
		if (PROTO_HAS(&r.ticket, ticket, t_on_scene)) {
			struct recount *c = strcmp(supplier_of(on_job), "alpha") == 0 ? alpha : beta;
			c->arrived++;
			c->late += r.ticket.t_on_scene > r.ticket.promised;
			c->response_ms += r.ticket.t_on_scene - r.ticket.created;
		}
		proto_reply_finish(&r);
	}
}

static void
accept(int64_t id, const char *truck)
{
	struct proto_offer_accept a = town_accept_args(id, truck, 600);
	town_ok_as("alpha-desk", PROTO_MSG_offer_accept, &a);
}

START_TEST(test_morning)
{
	struct proto_ticket t1, t2, t3;
	struct proto_reply r;
	struct proto_stats_board all = { .present = 0 };

	town_van("A1", "alpha", 1);
	town_van("B1", "beta", 2);
	t1 = town_create("town", "battery", TOWN_LAT, TOWN_LON);
	ck_assert_str_eq(t1.truck, "A1");
	town_step(30000);
	accept(t1.id, "A1");
	t2 = town_create("town", "battery", TOWN_LAT, TOWN_LON);
	ck_assert_str_eq(t2.truck, "B1");
	town_step(2000); /* beta answers within 1 s: timed out, ticket 2 waits */
	town_set_state(t1.id, "en_route");
	town_step(10 * 60000);
	town_set_state(t1.id, "on_scene");
	town_step(20 * 60000);
	town_set_state(t1.id, "completed"); /* A1 free: ticket 2 goes to it */
	struct proto_reply g;
	town_step(60000);
	/* the broker leaves it to the agents once its trucks declined: agent7 sends A1 */
	struct proto_ticket_assign as = { .id = t2.id, .present = PROTO_ALL };
	PROTO_STRSET(as.truck, "A1");
	ck_assert_str_eq(town_ok_as("agent7", PROTO_MSG_ticket_assign, &as).truck, "A1");
	accept(t2.id, "A1");
	town_set_state(t2.id, "en_route");
	town_step(90 * 60000);
	town_set_state(t2.id, "on_scene"); /* past its promise */
	t3 = town_create("town", "battery", TOWN_LAT, TOWN_LON); /* B1: declined */
	PROTO_STRSET(as.truck, "B1");
	as.id = t3.id;
	ck_assert_str_eq(town_ok_as("agent7", PROTO_MSG_ticket_assign, &as).truck, "B1");
	struct proto_offer_decline d = { .id = t3.id, .present = PROTO_ALL };
	PROTO_STRSET(d.truck, "B1");
	PROTO_STRSET(d.reason, "busy");
	town_ok_as("beta-desk", PROTO_MSG_offer_decline, &d);

	struct recount ra, rb;
	int64_t calls;
	recount(t3.id, &ra, &rb, &calls);
	ck_assert_int_eq(calls, 3);
	ck_assert_int_eq(ra.arrived, 2);
	ck_assert_int_eq(ra.late, 1);
	ck_assert_int_eq(rb.timeouts, 1);
	ck_assert_int_eq(rb.declines, 1);

	board(&r, &all);
	ck_assert_int_eq(r.board.now, town_broker.now);
	ck_assert_int_eq(r.board.to, town_broker.now + 1);
	ck_assert_int_eq(r.board.from, HARNESS_BROKER_T0 - 10 * 3600000LL); /* 00:00 China */
	ck_assert_int_gt(r.board.events, 10);
	const struct proto_board_supplier *a = sup_row(&r, "alpha"), *b = sup_row(&r, "beta");
	ck_assert_ptr_nonnull(a);
	ck_assert_ptr_nonnull(b);
	ck_assert_ptr_nonnull(sup_row(&r, "gamma")); /* a supplier of the data, idle */
	ck_assert_int_eq(a->offers, ra.offers);
	ck_assert_int_eq(a->accepted, ra.accepted);
	ck_assert_int_eq(a->accepted, 2);
	ck_assert_int_eq(a->declines, ra.declines);
	ck_assert_int_eq(a->timeouts, ra.timeouts);
	ck_assert_int_eq(a->arrived, ra.arrived);
	ck_assert_int_eq(a->late, ra.late);
	ck_assert(PROTO_HAS(a, board_supplier, response_s));
	ck_assert_int_eq(a->response_s, (ra.response_ms / ra.arrived + 500) / 1000);
	ck_assert(PROTO_HAS(a, board_supplier, accept_median_s));
	ck_assert_int_eq(a->accept_median_s, (30 + 0) / 2); /* 30 s, and at once */
	ck_assert_int_eq(b->offers, rb.offers);
	ck_assert_int_eq(b->accepted, 0);
	ck_assert(!PROTO_HAS(b, board_supplier, accept_median_s));
	ck_assert(!PROTO_HAS(b, board_supplier, response_s));
	ck_assert_int_eq(b->timeouts, rb.timeouts);
	ck_assert_int_eq(b->declines, rb.declines);
	/* live: A1 on scene at ticket 2, B1 free */
	ck_assert_int_eq(a->trucks, 1);
	ck_assert_int_eq(a->busy, 1);
	ck_assert_int_eq(a->free, 0);
	ck_assert_int_eq(b->trucks, 1);
	ck_assert_int_eq(b->free, 1);
	const struct proto_board_agent *ag = agent_row(&r, "agent7");
	ck_assert_ptr_nonnull(ag);
	ck_assert_int_eq(ag->calls, calls);
	ck_assert_int_eq(ag->open, 2); /* tickets 2 and 3 */
	/* the trends, by hour from midnight up to now (12:01): two calls and an arrival at
	 * 10:00-11:00, the rest at 12:00; nothing a week earlier */
	ck_assert_int_eq(r.n_board_hours, 13);
	int64_t hcalls = 0, harr = 0;
	for (size_t h = 0; h < r.n_board_hours; h++) {
		ck_assert_int_eq(r.board_hours[h].hour, (int64_t)h);
		hcalls += r.board_hours[h].calls;
		harr += r.board_hours[h].arrived;
		ck_assert_int_eq(r.board_hours[h].calls_lw, 0);
		ck_assert(!PROTO_HAS(&r.board_hours[h], board_hour, response_s_lw));
	}
	ck_assert_int_eq(hcalls, 3);
	ck_assert_int_eq(harr, 2);
	ck_assert_int_eq(r.board_hours[10].calls, 2);
	ck_assert_int_eq(r.board_hours[10].arrived, 1);
	town_get_ticket(t1.id, &g);
	ck_assert_int_eq(r.board_hours[10].response_s,
	    (g.ticket.t_on_scene - g.ticket.created + 500) / 1000);
	proto_reply_finish(&g);
	proto_reply_finish(&r);

	/* a range after the morning: no events, the live counts stay */
	struct proto_stats_board later = { .present = PROTO_ALL, .from = town_broker.now + 1,
		.to = town_broker.now + 3600000 };
	board(&r, &later);
	ck_assert_int_eq(r.board.events, 0);
	ck_assert_int_eq(sup_row(&r, "alpha")->offers, 0);
	ck_assert_int_eq(sup_row(&r, "alpha")->trucks, 1);
	ck_assert_int_eq(agent_row(&r, "agent7")->calls, 0);
	ck_assert_int_eq(agent_row(&r, "agent7")->open, 2);
	ck_assert_int_eq(r.n_board_hours, 1);
	proto_reply_finish(&r);

	/* refused ranges */
	struct proto_stats_board bad = { .present = PROTO_ALL, .from = 2000, .to = 1000 };
	town_fail_as("boss", PROTO_MSG_stats_board, &bad, PROTO_E_BAD_REQUEST,
	    "to must be after from");
	bad.from = 0;
	bad.to = 93LL * 86400000;
	town_fail_as("boss", PROTO_MSG_stats_board, &bad, PROTO_E_BAD_REQUEST, "92 days");
}
END_TEST

START_TEST(test_cache)
{
	struct proto_reply r;
	struct proto_stats_board all = { .present = 0 };

	town_van("A1", "alpha", 1);
	board(&r, &all);
	int64_t first = r.board.now;
	proto_reply_finish(&r);
	town_create("town", "battery", TOWN_LAT, TOWN_LON);
	town_step(1000);
	board(&r, &all); /* within the cache's 5 s: the same answer */
	ck_assert_int_eq(r.board.now, first);
	ck_assert_int_eq(sup_row(&r, "alpha")->offers, 0);
	proto_reply_finish(&r);
	town_step(5000);
	board(&r, &all);
	ck_assert_int_eq(r.board.now, town_broker.now);
	ck_assert_int_eq(sup_row(&r, "alpha")->offers, 1);
	proto_reply_finish(&r);
}
END_TEST

START_TEST(test_op_row)
{
	const struct broker_op *op = broker_op_find(PROTO_MSG_stats_board);
	ck_assert_ptr_nonnull(op);
	ck_assert(!op->mutating);
	ck_assert_uint_eq(op->roles, BROKER_ROLE_BIT(SUPERVISOR) | BROKER_ROLE_BIT(SIM));
}
END_TEST

/* ---------------------------------------------------------------- the store's walk */

struct seen {
	int64_t ids[16], ts[16];
	size_t n;
};

static int
seen_cb(void *ctx, const struct store_event *ev)
{
	struct seen *s = ctx;
	ck_assert_uint_lt(s->n, 16);
	ck_assert_str_eq(ev->stream, "ticket");
	s->ids[s->n] = ev->id;
	s->ts[s->n++] = ev->ts;
	return 0;
}

START_TEST(test_store_range)
{
	char *cause = NULL;
	struct store *st = store_open(":memory:", STORE_SYNC_NORMAL, &cause);
	ck_assert_msg(st != NULL, "%s", cause ? cause : "");
	/* times out of order, as a clock set back would log them */
	static const int64_t ts[] = { 100, 300, 200, 400, 150, 500 };
	ck_assert_int_eq(store_begin(st), 0);
	for (size_t i = 0; i < sizeof ts / sizeof ts[0]; i++) {
		struct store_event ev = { .ts = ts[i], .stream = "ticket", .entity = "1",
			.kind = "note", .user = "u", .detail = "d", .code = "note" };
		ck_assert_int_eq(store_event_append(st, &ev), 0);
	}
	ck_assert_int_eq(store_commit(st), 0);
	struct seen s = { .n = 0 };
	int64_t walked;
	ck_assert_int_eq(store_events_range(st, 150, 400, 100, seen_cb, &s, &walked), 0);
	ck_assert_int_eq(walked, 3);
	ck_assert_uint_eq(s.n, 3);
	ck_assert_int_eq(s.ts[0], 300); /* id order: 300 (id 2), 200 (id 3), 150 (id 5) */
	ck_assert_int_eq(s.ts[1], 200);
	ck_assert_int_eq(s.ts[2], 150);
	ck_assert_int_lt(s.ids[0], s.ids[1]);
	memset(&s, 0, sizeof s);
	ck_assert_int_eq(store_events_range(st, 0, 1000, 4, seen_cb, &s, &walked), 1);
	ck_assert_int_eq(walked, 4);
	memset(&s, 0, sizeof s);
	ck_assert_int_eq(store_events_range(st, 600, 700, 4, seen_cb, &s, &walked), 0);
	ck_assert_int_eq(walked, 0);
	store_close(st);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("board-stats");
	TCase *tc = harness_broker_tcase(s, "broker", setup, town_teardown);
	tcase_add_test(tc, test_morning);
	tcase_add_test(tc, test_cache);
	tc = tcase_create("table");
	tcase_add_test(tc, test_op_row);
	tcase_add_test(tc, test_store_range);
	suite_add_tcase(s, tc);
	return harness_broker_main(s, base_dir);
}
