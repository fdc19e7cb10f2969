/* check-report.c: the reports (src/broker/broker-report.c, stats.report; ui/report.c, the
 * command line's --report).
 *
 *   - a manual-clock day in tests/fixture-town.c's town: twelve calls, accepted, declined
 *     and timed out, arrivals on time and late, closes on scene and by phone, two
 *     complaints (one decided in time, one still open); every report's rows are compared
 *     with the boards (stats.board over the same range) and with a recomputation from
 *     each ticket's history as ticket.get gives it;
 *   - refusals: an unknown kind, a range not forwards or over 92 days; the op's roles;
 *   - the client's writers: CSV quoting (RFC 4180), the formula guard, numbers and nil,
 *     the aligned table with Chinese text, suppliers' names shown for their ids. */
#include <check.h>
#include <locale.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "broker-int.h"
#include "complaint.h"
#include "proto.h"
#include "report.h"
#include "rng.h"
#include "tally.h"
#include "util.h"

#include "fixture-town.h"
#include "harness-broker.h"

#define MIN 60000LL
#define DAY0 (HARNESS_BROKER_T0 - 10 * 3600000LL) /* 2026-03-02 00:00 China time */

static char base_dir[] = "/tmp/rd-check-report-XXXXXX";

static void
setup(void)
{
	town_setup(base_dir, "CHECK_REPORT_LOG", "report");
}

static void
report(const char *kind, int64_t from, int64_t to, struct proto_reply *r)
{
	struct proto_stats_report a = { .present = PROTO_ALL, .from = from, .to = to };
	PROTO_STRSET(a.kind, kind);
	town_call_as("boss", PROTO_MSG_stats_report, &a, r);
	ck_assert_msg(r->ok, "stats.report %s: %s", kind, r->error.message);
	ck_assert_str_eq(r->report.kind, kind);
	ck_assert_int_eq(r->report.from, from);
	ck_assert_int_eq(r->report.to, to);
}

/* The table's column named name. */
static size_t
col(const struct proto_reply *r, const char *name)
{
	for (size_t c = 0; c < r->table.n_cols; c++)
		if (strcmp(r->table.header[c], name) == 0)
			return c;
	ck_abort_msg("no column %s", name);
	return 0;
}

static const struct proto_cell *
cell(const struct proto_reply *r, size_t row, const char *name)
{
	ck_assert_uint_lt(row, r->table.n_rows);
	return &r->table.cells[row * r->table.n_cols + col(r, name)];
}

static int64_t
num(const struct proto_reply *r, size_t row, const char *name)
{
	const struct proto_cell *c = cell(r, row, name);
	ck_assert_int_eq(c->type, PROTO_CELL_INT);
	return c->i;
}

/* The row whose first cell is the string key. */
static size_t
row_of(const struct proto_reply *r, const char *key)
{
	for (size_t i = 0; i < r->table.n_rows; i++)
		if (r->table.cells[i * r->table.n_cols].type == PROTO_CELL_STR &&
		    strcmp(r->table.cells[i * r->table.n_cols].s, key) == 0)
			return i;
	ck_abort_msg("no row %s", key);
	return 0;
}

/* A share cell: nil without a denominator, else num / den to 4 decimals. */
static void
ck_share(const struct proto_cell *c, int64_t n, int64_t d)
{
	if (d == 0) {
		ck_assert_int_eq(c->type, PROTO_CELL_NIL);
		return;
	}
	ck_assert_int_eq(c->type, PROTO_CELL_F64);
	ck_assert_double_eq_tol(c->f, (double)n / (double)d, 0.00006);
}

static void
accept(int64_t id, const char *truck)
{
	struct proto_offer_accept a = town_accept_args(id, truck, 600);
	town_ok_as("alpha-desk", PROTO_MSG_offer_accept, &a);
}

static void
decline(int64_t id, const char *truck)
{
	struct proto_offer_decline d = { .id = id, .present = PROTO_ALL };
	PROTO_STRSET(d.truck, truck);
	PROTO_STRSET(d.reason, "busy");
	town_ok_as("alpha-desk", PROTO_MSG_offer_decline, &d);
}

static char *
complaint_record(const char *uid, int64_t version, const char *cause, int64_t decided)
{
	struct complaint *c = complaint_new(HARNESS_BROKER_T0);
	complaint_field_set_str(c, CF_uid, uid);
	c->version = version;
	c->state = decided > 0 ? COMPLAINT_DECIDED : COMPLAINT_RECEIVED;
	complaint_field_set_str(c, CF_number, "TS-20260302-000001");
	complaint_field_set_str(c, CF_name, "张三");
	complaint_field_set_str(c, CF_phone, "13812345678");
	complaint_field_set_str(c, CF_supplier, "alpha");
	complaint_field_set_str(c, CF_handler, "ana");
	complaint_field_set_str(c, CF_cause, cause);
	complaint_field_set_str(c, CF_facts, "拖车迟到");
	if (decided > 0)
		c->decision_at = decided;
	char *text = complaint_encode(c);
	complaint_free(c);
	return text;
}

static void
complaint_put(const char *uid, int64_t version, const char *cause, int64_t decided)
{
	char *rec = complaint_record(uid, version, cause, decided);
	struct proto_complaint_put a = { .version = version, .base = version - 1, .present = 0 };
	PROTO_STRSET(a.uid, uid);
	PROTO_STRSET(a.record, rec);
	PROTO_SET(&a, complaint_put, uid);
	PROTO_SET(&a, complaint_put, version);
	PROTO_SET(&a, complaint_put, record);
	PROTO_SET(&a, complaint_put, base);
	struct proto_reply r;
	town_call_as("ana", PROTO_MSG_complaint_put, &a, &r);
	ck_assert_msg(r.ok, "complaint.put: %s", r.error.message);
	proto_reply_finish(&r);
	free(rec);
}

/* What ticket.get says of one ticket. */
struct story {
	int64_t id, created, promised, on_scene;
	char truck[25];   /* the truck that accepted last */
	int offers[2], accepted[2], declines[2], timeouts[2]; /* [0] alpha, [1] beta */
	bool completed, phone;
};

static int
sup_ix(const char *truck)
{
	return truck[0] == 'A' ? 0 : 1;
}

static void
read_story(int64_t id, struct story *s)
{
	struct proto_reply r;
	memset(s, 0, sizeof *s);
	s->id = id;
	town_get_ticket(id, &r);
	for (size_t i = 0; i < r.n_events; i++) {
		const struct proto_event *e = &r.events[i];
		int k = sup_ix(e->params.truck);
		if (strcmp(e->kind, "offer") == 0)
			s->offers[k]++;
		else if (strcmp(e->kind, "accept") == 0) {
			s->accepted[k]++;
			rd_strlcpy(s->truck, e->params.truck, sizeof s->truck);
		} else if (strcmp(e->kind, "decline") == 0)
			s->declines[k]++;
		else if (strcmp(e->kind, "timeout") == 0)
			s->timeouts[k]++;
	}
	s->created = r.ticket.created;
	s->promised = r.ticket.promised;
	s->on_scene = PROTO_HAS(&r.ticket, ticket, t_on_scene) ? r.ticket.t_on_scene : 0;
	s->completed = strcmp(r.ticket.state, "completed") == 0;
	s->phone = strcmp(r.ticket.state, "resolved_remote") == 0;
	proto_reply_finish(&r);
}

#define N_CALLS 12

START_TEST(test_day)
{
	struct story st[N_CALLS];
	struct rng rg;

	rng_seed(&rg, 14, 2);
	town_van("A1", "alpha", 1);
	town_van("B1", "beta", 2);
	for (int i = 0; i < N_CALLS; i++) {
		town_step(20 * MIN);
		/* fresh fixes: a truck whose last one is stale is not offered */
		town_fix("A1", (struct geo_point){ TOWN_LAT + 1 / 111.2, TOWN_LON });
		town_fix("B1", (struct geo_point){ TOWN_LAT + 2 / 111.2, TOWN_LON });
		struct proto_ticket t = town_create("town", "battery", TOWN_LAT, TOWN_LON);
		ck_assert_str_eq(t.state, "dispatched");
		switch (rng_below(&rg, 3)) {
		case 0: {	/* declined; the next truck declines or (beta) lets it time out;
				 * then solved by phone */
			struct proto_reply g;
			decline(t.id, t.truck);
			town_get_ticket(t.id, &g);
			if (strcmp(g.ticket.state, "dispatched") == 0 && g.ticket.truck[0] == 'A')
				decline(t.id, g.ticket.truck);
			proto_reply_finish(&g);
			town_step(2000);
			town_set_state(t.id, "resolved_remote");
			break;
		}
		default: {	/* accepted (a beta truck times out first: then alpha), on scene in
				 * 10 to 80 min, completed */
			struct proto_reply g;
			town_step((int64_t)rng_below(&rg, 90) * 1000);
			town_get_ticket(t.id, &g);
			ck_assert_str_eq(g.ticket.state, "dispatched");
			accept(t.id, g.ticket.truck);
			proto_reply_finish(&g);
			town_set_state(t.id, "en_route");
			town_step((10 + (int64_t)rng_below(&rg, 70)) * MIN);
			town_set_state(t.id, "on_scene");
			town_step(15 * MIN);
			town_set_state(t.id, "completed");
			break;
		}
		}
	}
	complaint_put("cu-1", 1, "R01", 0);
	complaint_put("cu-1", 2, "R01", town_broker.now);
	complaint_put("cu-2", 1, "R02", 0);

	int64_t from = DAY0, to = DAY0 + 86400000;
	ck_assert_int_lt(town_broker.now, to);
	struct recount { int64_t offers, accepted, declines, timeouts, arrived, late; }
	    rc[2] = { { 0 } };
	int64_t calls = 0, closed = 0, phone = 0, arrived = 0;
	for (int i = 0; i < N_CALLS; i++) {
		read_story(i + 1, &st[i]);
		for (int k = 0; k < 2; k++) {
			rc[k].offers += st[i].offers[k];
			rc[k].accepted += st[i].accepted[k];
			rc[k].declines += st[i].declines[k];
			rc[k].timeouts += st[i].timeouts[k];
		}
		calls++;
		closed += st[i].completed || st[i].phone;
		phone += st[i].phone;
		if (st[i].on_scene > 0) {
			struct recount *c = &rc[sup_ix(st[i].truck)];
			c->arrived++;
			c->late += st[i].on_scene > st[i].promised;
			arrived++;
		}
	}
	ck_assert_int_gt(arrived, 3);
	ck_assert_int_gt(phone, 0);
	ck_assert_int_gt(rc[0].declines, 0);
	ck_assert_int_gt(rc[1].timeouts, 0);
	ck_assert_int_gt(rc[1].accepted + rc[1].declines, 0);
	ck_assert_int_gt(rc[0].late + rc[1].late, 0);
	ck_assert_int_lt(rc[0].late + rc[1].late, arrived);

	struct proto_reply b, r;
	struct proto_stats_board ba = { .present = PROTO_ALL, .from = from, .to = to };
	town_call_as("boss", PROTO_MSG_stats_board, &ba, &b);
	ck_assert(b.ok);

	/* suppliers: the board's rows, and the histories' counts; the name of the data last */
	report("suppliers", from, to, &r);
	ck_assert_uint_eq(r.table.n_rows, b.n_board_suppliers);
	ck_assert_uint_eq(col(&r, "name"), r.table.n_cols - 1);
	for (size_t i = 0; i < b.n_board_suppliers; i++) {
		const struct proto_board_supplier *s = &b.board_suppliers[i];
		size_t row = row_of(&r, s->supplier);
		static const struct { const char *id, *name; } names[] = {
			{ "alpha", "Alpha Rescue" }, { "beta", "Beta Rescue" },
			{ "gamma", "Gamma Rescue" },
		};
		size_t n;
		for (n = 0; n < ARRAY_LEN(names) && strcmp(names[n].id, s->supplier) != 0; n++)
			;
		ck_assert_msg(n < ARRAY_LEN(names), "supplier %s: not the data's", s->supplier);
		ck_assert_int_eq(cell(&r, row, "name")->type, PROTO_CELL_STR);
		ck_assert_str_eq(cell(&r, row, "name")->s, names[n].name);
		ck_assert_int_eq(num(&r, row, "offers"), s->offers);
		ck_assert_int_eq(num(&r, row, "accepted"), s->accepted);
		ck_share(cell(&r, row, "acceptance_rate"), s->accepted, s->offers);
		ck_assert_int_eq(num(&r, row, "declines"), s->declines);
		ck_assert_int_eq(num(&r, row, "timeouts"), s->timeouts);
		if (PROTO_HAS(s, board_supplier, accept_median_s))
			ck_assert_int_eq(num(&r, row, "accept_median_s"), s->accept_median_s);
		else
			ck_assert_int_eq(cell(&r, row, "accept_median_s")->type, PROTO_CELL_NIL);
		ck_assert_int_eq(num(&r, row, "arrived"), s->arrived);
		ck_assert_int_eq(num(&r, row, "late"), s->late);
		ck_share(cell(&r, row, "late_rate"), s->late, s->arrived);
		if (PROTO_HAS(s, board_supplier, response_s))
			ck_assert_double_eq_tol(cell(&r, row, "response_mean_min")->f,
			    (double)s->response_s / 60, 0.051);
		ck_assert_int_eq(num(&r, row, "complaints"), s->complaints);
		int k = strcmp(s->supplier, "alpha") == 0 ? 0 : strcmp(s->supplier, "beta") == 0 ?
		    1 : -1;
		if (k < 0) {
			ck_assert_int_eq(s->offers, 0);
			continue;
		}
		ck_assert_int_eq(s->offers, rc[k].offers);
		ck_assert_int_eq(s->accepted, rc[k].accepted);
		ck_assert_int_eq(s->declines, rc[k].declines);
		ck_assert_int_eq(s->timeouts, rc[k].timeouts);
		ck_assert_int_eq(s->arrived, rc[k].arrived);
		ck_assert_int_eq(s->late, rc[k].late);
		ck_assert_int_eq(s->complaints, k == 0 ? 2 : 0);
	}
	proto_reply_finish(&r);

	/* agents: agent7 took every call */
	report("agents", from, to, &r);
	size_t ag = row_of(&r, "agent7");
	ck_assert_int_eq(num(&r, ag, "calls"), calls);
	for (size_t i = 0; i < b.n_board_agents; i++)
		if (strcmp(b.board_agents[i].user, "agent7") == 0) {
			ck_assert_int_eq(b.board_agents[i].calls, calls);
			ck_assert_int_eq(num(&r, ag, "acked"), b.board_agents[i].acked);
			ck_assert_int_eq(num(&r, ag, "acked_in_time"), b.board_agents[i].acked_in_time);
		}
	proto_reply_finish(&r);

	/* responses: one row per arrival, as the histories have them */
	report("responses", from, to, &r);
	ck_assert_uint_eq(r.table.n_rows, arrived);
	int64_t board_arrived = 0;
	for (size_t i = 0; i < b.n_board_suppliers; i++)
		board_arrived += b.board_suppliers[i].arrived;
	ck_assert_int_eq(board_arrived, arrived);
	for (size_t row = 0; row < r.table.n_rows; row++) {
		int64_t id = num(&r, row, "ticket");
		const struct story *s = &st[id - 1];
		ck_assert_str_eq(cell(&r, row, "supplier")->s, s->truck[0] == 'A' ? "alpha" : "beta");
		ck_assert_str_eq(cell(&r, row, "truck")->s, s->truck);
		ck_assert_str_eq(cell(&r, row, "region")->s, "town");
		ck_assert_double_eq_tol(cell(&r, row, "response_min")->f,
		    (double)(s->on_scene - s->created) / MIN, 0.051);
		ck_assert_str_eq(cell(&r, row, "within_promise")->s,
		    s->on_scene <= s->promised ? "yes" : "no");
		ck_assert_int_eq(strlen(cell(&r, row, "created")->s), 19); /* YYYY-MM-DD HH:MM:SS */
		ck_assert(strncmp(cell(&r, row, "created")->s, "2026-03-02 ", 11) == 0);
	}
	proto_reply_finish(&r);

	/* phone: the day, then the total */
	report("phone", from, to, &r);
	ck_assert_uint_eq(r.table.n_rows, 2);
	ck_assert_str_eq(cell(&r, 0, "date")->s, "2026-03-02");
	ck_assert_str_eq(cell(&r, 1, "date")->s, "total");
	for (size_t row = 0; row < 2; row++) {
		ck_assert_int_eq(num(&r, row, "calls"), calls);
		ck_assert_int_eq(num(&r, row, "closed"), closed);
		ck_assert_int_eq(num(&r, row, "solved_by_phone"), phone);
		ck_share(cell(&r, row, "phone_rate"), phone, closed);
	}
	proto_reply_finish(&r);
	/* two days: the second is empty */
	report("phone", from, to + 86400000, &r);
	ck_assert_uint_eq(r.table.n_rows, 3);
	ck_assert_str_eq(cell(&r, 1, "date")->s, "2026-03-03");
	ck_assert_int_eq(num(&r, 1, "calls"), 0);
	ck_assert_int_eq(cell(&r, 1, "phone_rate")->type, PROTO_CELL_NIL);
	ck_assert_int_eq(num(&r, 2, "calls"), calls);
	proto_reply_finish(&r);

	/* complaints: by cause; cu-1 decided within its legal time */
	report("complaints", from, to, &r);
	ck_assert_uint_eq(r.table.n_rows, 2);
	size_t r1 = row_of(&r, "R01"), r2 = row_of(&r, "R02");
	ck_assert_int_eq(num(&r, r1, "received"), 1);
	ck_assert_int_eq(num(&r, r1, "decided"), 1);
	ck_assert_int_eq(num(&r, r1, "decided_in_time"), 1);
	ck_assert_int_eq(num(&r, r1, "extended"), 0);
	ck_assert_int_eq(num(&r, r1, "overdue"), 0);
	ck_assert_int_eq(num(&r, r2, "received"), 1);
	ck_assert_int_eq(num(&r, r2, "decided"), 0);
	ck_assert_int_eq(num(&r, r2, "overdue"), 0);
	proto_reply_finish(&r);

	/* nps: no survey events on this broker: zeros and no NPS */
	report("nps", from, to, &r);
	ck_assert_uint_eq(r.table.n_rows, 2);
	ck_assert_int_eq(num(&r, 1, "surveys"), 0);
	ck_assert_int_eq(cell(&r, 1, "nps")->type, PROTO_CELL_NIL);
	proto_reply_finish(&r);
	proto_reply_finish(&b);
}
END_TEST

START_TEST(test_refused)
{
	struct proto_stats_report a = { .present = PROTO_ALL, .from = DAY0,
		.to = DAY0 + 86400000 };
	PROTO_STRSET(a.kind, "weather");
	town_fail_as("boss", PROTO_MSG_stats_report, &a, PROTO_E_BAD_REQUEST, "no report");
	PROTO_STRSET(a.kind, "phone");
	a.to = a.from;
	town_fail_as("boss", PROTO_MSG_stats_report, &a, PROTO_E_BAD_REQUEST,
	    "to must be after from");
	a.to = a.from + 93 * 86400000LL;
	town_fail_as("boss", PROTO_MSG_stats_report, &a, PROTO_E_BAD_REQUEST, "92 days");
	a.to = a.from + 92 * 86400000LL;	/* the longest: 92 days and the total */
	struct proto_reply r;
	report("phone", a.from, a.to, &r);
	ck_assert_uint_eq(r.table.n_rows, 93);
	proto_reply_finish(&r);
	const struct broker_op *op = broker_op_find(PROTO_MSG_stats_report);
	ck_assert_ptr_nonnull(op);
	ck_assert(!op->mutating);
	ck_assert_uint_eq(op->roles, BROKER_ROLE_BIT(SUPERVISOR) | BROKER_ROLE_BIT(SIM));
}
END_TEST

/* ---------------------------------------------------------------- the client's writers */

static char *
write_to_string(void (*w)(FILE *, const struct proto_report_table *),
    const struct proto_report_table *t)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	ck_assert_ptr_nonnull(f);
	w(f, t);
	fclose(f);
	return buf;
}

START_TEST(test_writers)
{
	char h1[] = "name", h2[] = "n", h3[] = "rate", h4[] = "note";
	char *header[] = { h1, h2, h3, h4 };
	char s1[] = "Zhang, \"the\" boss", s2[] = "=SUM(A1)", s3[] = "湘运救援", s4[] = "-3",
	    s5[] = "line\nbreak", s6[] = "@x", s7[] = "+1";
	struct proto_cell cells[] = {
		{ .type = PROTO_CELL_STR, .s = s1 }, { .type = PROTO_CELL_INT, .i = -12 },
		{ .type = PROTO_CELL_F64, .f = 0.25 }, { .type = PROTO_CELL_STR, .s = s2 },
		{ .type = PROTO_CELL_STR, .s = s3 }, { .type = PROTO_CELL_INT, .i = 7 },
		{ .type = PROTO_CELL_NIL }, { .type = PROTO_CELL_STR, .s = s4 },
		{ .type = PROTO_CELL_STR, .s = s5 }, { .type = PROTO_CELL_INT, .i = 0 },
		{ .type = PROTO_CELL_F64, .f = 3 }, { .type = PROTO_CELL_STR, .s = s6 },
		{ .type = PROTO_CELL_STR, .s = s7 }, { .type = PROTO_CELL_INT, .i = 1 },
		{ .type = PROTO_CELL_F64, .f = -0.00001 }, { .type = PROTO_CELL_STR, .s = s3 },
	};
	struct proto_report_table t = { .header = header, .n_cols = 4, .cells = cells,
		.n_rows = 4 };
	char *csv = write_to_string(report_write_csv, &t);
	ck_assert_str_eq(csv,
	    "name,n,rate,note\r\n"
	    "\"Zhang, \"\"the\"\" boss\",-12,0.25,'=SUM(A1)\r\n"
	    "湘运救援,7,,'-3\r\n"
	    "\"line\nbreak\",0,3,'@x\r\n"
	    "'+1,1,0,湘运救援\r\n");
	free(csv);
	char *tab = write_to_string(report_write_table, &t);
	/* CJK text is two columns a character (a UTF-8 locale: main) */
	ck_assert_str_eq(tab,
	    "name                 n  rate  note\n"
	    "Zhang, \"the\" boss  -12  0.25  =SUM(A1)\n"
	    "湘运救援             7     -  -3\n"
	    "line break           0     3  @x\n"
	    "+1                   1     0  湘运救援\n");
	free(tab);
	char buf[32];
	struct proto_cell c = { .type = PROTO_CELL_F64, .f = 12.3456789 };
	report_cell_text(&c, buf, sizeof buf);
	ck_assert_str_eq(buf, "12.3457");
	ck_assert(report_kind_ok("nps"));
	ck_assert(!report_kind_ok("weather"));
	/* the suppliers' report: the name where the broker gave one stands in for the id in
	 * the table (as on the suppliers' board), the id where not; the CSV keeps both */
	char g1[] = "supplier", g2[] = "offers", g3[] = "name";
	char *sheader[] = { g1, g2, g3 };
	char i1[] = "xiangjiang", i2[] = "gone", n1[] = "长沙湘江道路救援";
	struct proto_cell scells[] = {
		{ .type = PROTO_CELL_STR, .s = i1 }, { .type = PROTO_CELL_INT, .i = 12 },
		{ .type = PROTO_CELL_STR, .s = n1 },
		{ .type = PROTO_CELL_STR, .s = i2 }, { .type = PROTO_CELL_INT, .i = 3 },
		{ .type = PROTO_CELL_NIL },
	};
	struct proto_report_table st = { .header = sheader, .n_cols = 3, .cells = scells,
		.n_rows = 2 };
	tab = write_to_string(report_write_table, &st);
	ck_assert_str_eq(tab,
	    "supplier          offers\n"
	    "长沙湘江道路救援      12\n"
	    "gone                   3\n");
	free(tab);
	csv = write_to_string(report_write_csv, &st);
	ck_assert_str_eq(csv, "supplier,offers,name\r\nxiangjiang,12,长沙湘江道路救援\r\n"
	    "gone,3,\r\n");
	free(csv);
	/* the header alone: no rows */
	t.n_rows = 0;
	csv = write_to_string(report_write_csv, &t);
	ck_assert_str_eq(csv, "name,n,rate,note\r\n");
	free(csv);
}
END_TEST

int
main(void)
{
	setlocale(LC_ALL, "C.UTF-8");
	Suite *s = suite_create("report");
	TCase *tc = harness_broker_tcase(s, "broker", setup, town_teardown);
	tcase_add_test(tc, test_day);
	tcase_add_test(tc, test_refused);
	tc = tcase_create("client");
	tcase_add_test(tc, test_writers);
	suite_add_tcase(s, tc);
	return harness_broker_main(s, base_dir);
}
