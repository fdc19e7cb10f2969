/* check-view-surveys.c: the surveys view (ui/view-surveys.c, v) and the supervisor
 * screen's NPS tile:
 *   - goldens at 80x24 and 120x40 in English and Chinese: the call-backs (an overdue one
 *     of a ticket the console no longer holds first), today's answers with comments
 *     (line breaks shown as spaces, CJK cut by width), the NPS with n and its interval;
 *   - stats.kpi is asked with surveys when the view opens; v opens it from the board;
 *   - Enter opens a held ticket's detail, and reads one the console does not hold with
 *     ticket.get; C opens a complaint for the row's ticket, and the form of a ticket the
 *     console does not hold carries its id at once and its customer when ticket.get
 *     answers; B sends survey.done for a call-back, and refuses a row without one;
 *   - the NPS tile: no data, n too small, the interval.
 * The locale is C.UTF-8 and TZ=UTC. Run from the source root, or set RD_SRCDIR to it. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "complaint.h"
#include "complaint-db.h"
#include "complaint-store.h"
#include "harness-model.h"
#include "harness-screen.h"
#include "i18n.h"
#include "model.h"
#include "util.h"
#include "view-board.h"
#include "view-complaint.h"
#include "view-kpi.h"
#include "view-surveys.h"

#define MIN_MS (60 * 1000LL)
#define NOW 1773468300000LL	/* 2026-03-14 06:05:00 UTC */

static struct data_region regions[] = {
	{ .id = "changsha", .name = "Changsha", .name_zh = "长沙", .lat = 28.2282,
	    .lon = 112.9388, .auto_dispatch = 1 },
};
static struct data data = { .regions = regions, .n_regions = 1,
	.sla = { .not_accepted_s = 300, .gps_stale_s = 90, .stalled_s = 300,
	    .late_margin_s = 300, .window_pct = 80 } };

#define T(i, st, cust, cl)                                                              \
	{ .id = (i), .state = st, .region = "changsha", .customer = cust,                \
	    .phone = "13800000000", .plate = "湘A00000", .lat = 28.2, .lon = 112.9,       \
	    .address = "长沙市", .fault = "battery", .created = NOW - 90 * MIN_MS,         \
	    .promised = NOW - 50 * MIN_MS, .t_closed = NOW + (cl) * MIN_MS, .ver = 1,       \
	    .present = PROTO_ALL }

static const struct proto_ticket base_tickets[] = {
	T(3001, "completed", "陈小明", -40),
	T(3002, "resolved_remote", "Wang Fang", -30),
};
static const struct proto_truck base_trucks[1];

/* 2900 is closed long ago: only its call-back is on this console (overdue, owned); 3001's
 * is due in 5 h. */
static const struct proto_warning base_warnings[] = {
	{ .id = 41, .ticket = 2900, .kind = "detractor", .level = "red",
	    .text = "detractor (score 1): the call-back is overdue", .ts = NOW - 30 * MIN_MS,
	    .since = NOW - 1470 * MIN_MS, .promised = NOW - 30 * MIN_MS, .score = 1,
	    .owner = "liwei", .acked = NOW - 20 * MIN_MS },
	{ .id = 42, .ticket = 3001, .kind = "detractor", .level = "amber",
	    .text = "detractor (score 3): call back within 1440 min", .ts = NOW - 19 * 60 * MIN_MS,
	    .since = NOW - 19 * 60 * MIN_MS, .promised = NOW + 5 * 60 * MIN_MS, .score = 3 },
};

static struct model m;
static struct vscreen *vs;
static struct view *v;
static char dir[64], db_path[128];

static void
setup(void)
{
	static const struct harness_fixture f = {
		.tickets = base_tickets, .n_tickets = ARRAY_LEN(base_tickets),
		.trucks = base_trucks, .n_trucks = 0, .warnings = base_warnings,
		.n_warnings = ARRAY_LEN(base_warnings), .data = &data, .user = "wangli",
		.role = MODEL_ROLE_SUPERVISOR, .now = NOW,
	};
	char datadir[4200];

	harness_lang("en");
	harness_model_init(&m, &f);
	/* the warnings' owner keys: present only when owned */
	harness_warnings[1].present &= ~((uint64_t)1 << PROTO_warning_owner |
	    (uint64_t)1 << PROTO_warning_acked | (uint64_t)1 << PROTO_warning_escalated);
	model_refresh(&m, NOW);
	snprintf(dir, sizeof dir, "/tmp/check-surveys.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(db_path, sizeof db_path, "%s/complaints-wangli.db", dir);
	snprintf(datadir, sizeof datadir, "%s/data", harness_srcdir());
	complaint_db_use(db_path, datadir);
	vs = vscreen_create(80, 24);
	harness_bind(&m, &vs, &v, "check-view-surveys");
	v = view_surveys_create(&m);
}

static void
teardown(void)
{
	char path[256];

	view_destroy(v);
	harness_model_finish(&m);
	vscreen_destroy(vs);
	i18n_unload();
	snprintf(path, sizeof path, "%s-wal", db_path);
	unlink(path);
	snprintf(path, sizeof path, "%s-shm", db_path);
	unlink(path);
	unlink(db_path);
	rmdir(dir);
}

/* Today's answers, newest first, as stats.kpi with surveys lists them. */
static struct proto_event answers[3];

static void
answer(int i, int64_t ticket, int score, const char *comment, int64_t min_ago)
{
	struct proto_event *e = &answers[i];

	memset(e, 0, sizeof *e);
	e->id = 500 + i;
	e->ts = NOW - min_ago * MIN_MS;
	PROTO_STRSET(e->kind, "survey");
	PROTO_STRSET(e->user, "gateway");
	snprintf(e->detail, sizeof e->detail, "score %d", score);
	PROTO_STRSET(e->code, "survey");
	e->present = PROTO_ALL;
	e->params.ticket = ticket;
	e->params.score = score;
	e->params.answered = e->ts - MIN_MS;
	PROTO_SET(&e->params, event_params, ticket);
	PROTO_SET(&e->params, event_params, score);
	PROTO_SET(&e->params, event_params, answered);
	if (comment != NULL) {
		PROTO_STRSET(e->params.comment, comment);
		PROTO_SET(&e->params, event_params, comment);
	}
}

/* Answer the view's stats.kpi: counts pro/pas/det, and the answers (n of them). */
static void
answer_kpi(int64_t pro, int64_t pas, int64_t det, size_t n)
{
	struct proto_reply r;

	answer(0, 3001, 3, "等了太久才有人来，说好的时间没到，我要投诉\n师傅人不错", 20);
	answer(1, 3002, 10, "Solved over the phone in minutes, great", 35);
	answer(2, 2950, 8, NULL, 90);
	memset(&r, 0, sizeof r);
	ck_assert_msg(harness_rec.kpi_cmd[0] != '\0', "no stats.kpi to answer");
	PROTO_STRSET(r.cmd_id, harness_rec.kpi_cmd);
	PROTO_STRSET(r.op, "stats.kpi");
	r.op_id = PROTO_MSG_stats_kpi;
	r.ok = true;
	r.kpi = (struct proto_kpi){ .now = NOW, .survey_day = NOW - 6 * 60 * MIN_MS - 5 * MIN_MS,
	    .promoters = pro, .passives = pas, .detractors = det, .callbacks_open = 2,
	    .callbacks_overdue = 1, .present = PROTO_ALL };
	r.events = answers;
	r.n_events = n;
	model_reply(&m, harness_rec.kpi_cmd, &r, NULL);
	harness_rec.kpi_cmd[0] = '\0';
}

/* More answers than rows at 80x24: the header's last cell marks the rows out of sight,
 * above (the call-backs first among them) and below. */
START_TEST(test_scroll_marks)
{
	static struct proto_event many[30];
	struct proto_reply r;

	for (int i = 0; i < 30; i++) {
		answer(0, 4000 + i, 9, NULL, 10 + i);
		many[i] = answers[0];
		many[i].id = 600 + i;
	}
	memset(&r, 0, sizeof r);
	PROTO_STRSET(r.cmd_id, harness_rec.kpi_cmd);
	PROTO_STRSET(r.op, "stats.kpi");
	r.op_id = PROTO_MSG_stats_kpi;
	r.ok = true;
	r.kpi = (struct proto_kpi){ .now = NOW, .promoters = 30, .present = PROTO_ALL };
	r.events = many;
	r.n_events = 30;
	model_reply(&m, harness_rec.kpi_cmd, &r, NULL);
	harness_draw(80, 24);
	int y = harness_find_row("COMMENT");
	ck_assert_int_ge(y, 0);
	ck_assert_msg(strstr(harness_row(y), "↓") != NULL, "%s", harness_row(y));
	for (int i = 0; i < 31; i++)
		harness_press_sym(KEYSYM_DOWN);
	harness_draw(80, 24);
	ck_assert_msg(strstr(harness_row(y), "↑") != NULL, "%s", harness_row(y));
	ck_assert(!harness_screen_has("2900"));	/* the call-backs are out of sight */
	for (int i = 0; i < 20; i++)	/* above the first row shown */
		harness_press_sym(KEYSYM_UP);
	harness_draw(80, 24);
	ck_assert_msg(strstr(harness_row(y), "↕") != NULL, "%s", harness_row(y));
	harness_press_sym(KEYSYM_HOME);
	harness_draw(80, 24);
	ck_assert_msg(strstr(harness_row(y), "↓") != NULL, "%s", harness_row(y));
	ck_assert(harness_screen_has("2900"));
}
END_TEST

static const struct {
	int cols, rows;
	const char *lang;
} goldens[] = {
	{ 80, 24, "en" }, { 120, 40, "en" }, { 80, 24, "zh_CN" }, { 120, 40, "zh_CN" },
};

START_TEST(test_golden)
{
	ck_assert_int_eq(harness_rec.kpi, 1);	/* asked at once */
	answer_kpi(31, 9, 5, 3);
	harness_golden("surveys", goldens[_i].cols, goldens[_i].rows, goldens[_i].lang);
	harness_assert_safe();
}
END_TEST

START_TEST(test_rows)
{
	answer_kpi(31, 9, 5, 3);
	harness_draw(120, 40);
	/* the overdue call-back first, then 3001's, then the answers, newest first */
	int y0 = harness_find_row("2900"), y1 = harness_find_row("liwei");
	ck_assert_int_ge(y0, 0);
	ck_assert_int_eq(y0, y1);
	ck_assert(strstr(harness_row(y0 + 1), "3001") != NULL);
	ck_assert(strstr(harness_row(y0 + 2), "3001") != NULL);
	ck_assert(strstr(harness_row(y0 + 3), "3002") != NULL);
	ck_assert(strstr(harness_row(y0 + 4), "2950") != NULL);
	/* the comment on one line, its line break a space */
	ck_assert(harness_screen_has("我要投诉 师傅人不错"));
	ck_assert(harness_screen_has("NPS (9-10 minus 0-6): +58 · n=45 · 95% +38..+78 "
	    "· satisfied (7-10): 88.9%"));
	ck_assert_int_eq(harness_role_at(y0 + 1, "call"), ROLE_WARN);
	ck_assert_int_eq(harness_role_at(y0 + 3, "10"), ROLE_OK);
}
END_TEST

START_TEST(test_enter)
{
	unsigned r;

	answer_kpi(31, 9, 5, 3);
	harness_draw(80, 24);
	/* 2900: not on this console: read here with ticket.get */
	r = harness_press_sym(KEYSYM_ENTER);
	ck_assert(!(r & UI_OPEN));
	ck_assert_int_eq(harness_rec.fetch, 1);
	ck_assert_int_eq(harness_rec.id, 2900);
	harness_draw(80, 24);
	ck_assert(harness_screen_has("Reading the ticket"));
	harness_answer_history(&m, 7, NULL, 0);
	harness_draw(80, 24);
	ck_assert(harness_screen_has("#2900"));
	harness_press('q');	/* back to the lists */
	harness_draw(80, 24);
	ck_assert(harness_screen_has("liwei"));
	/* 3001 is held: its detail */
	harness_press('j');
	r = harness_press_sym(KEYSYM_ENTER);
	ck_assert(r & UI_OPEN);
	ck_assert_int_eq(v->open.kind, VIEW_DETAIL);
	ck_assert_int_eq(v->open.ticket, 3001);
}
END_TEST

START_TEST(test_done)
{
	answer_kpi(31, 9, 5, 3);
	harness_draw(80, 24);
	harness_press('B');
	ck_assert_int_eq(harness_rec.survey_done, 1);
	ck_assert_int_eq(harness_rec.id, 2900);
	harness_press('j');
	harness_press('j');	/* 3001's answer: no call-back on this row */
	harness_press('B');
	ck_assert_int_eq(harness_rec.survey_done, 1);
	harness_draw(80, 24);
	ck_assert(harness_screen_has("no call-back open"));
	/* o owns the row's ticket's warnings (warning.ack) */
	int sent = harness_rec.sent;
	harness_press('o');
	ck_assert_int_eq(harness_rec.sent, sent + 1);
}
END_TEST

/* C on a survey of a ticket the console no longer holds: the form has its id at once, its
 * customer, phone and plate when ticket.get answers. */
START_TEST(test_complaint_unheld)
{
	unsigned r;
	struct complaint *c = NULL;
	const struct complaint_db *db;
	struct proto_reply rep;

	answer_kpi(31, 9, 5, 3);
	harness_draw(80, 24);
	r = harness_press('C');
	ck_assert(r & UI_OPEN);
	ck_assert_int_eq(v->open.kind, VIEW_COMPLAINT);
	ck_assert_int_eq(v->open.ticket, 2900);
	ck_assert_int_eq(v->open.complaint, 0);
	view_destroy(v);
	harness_rec.fetch = 0;
	v = view_complaint_create(&m, 0, 2900);
	ck_assert_ptr_nonnull(v);
	ck_assert_int_eq(harness_rec.fetch, 1);
	ck_assert_int_eq(harness_rec.id, 2900);
	db = complaint_db_open("wangli", NULL);
	ck_assert_ptr_nonnull(db);
	ck_assert_int_eq(complaint_store_draft_get(db->st, 0, &c), 1);
	ck_assert_int_eq(complaint_field_int(c, CF_ticket_id), 2900);
	complaint_free(c);

	memset(&rep, 0, sizeof rep);
	PROTO_STRSET(rep.cmd_id, harness_rec.hist_cmd);
	PROTO_STRSET(rep.op, "ticket.get");
	rep.op_id = PROTO_MSG_ticket_get;
	rep.ok = true;
	rep.ticket = (struct proto_ticket)T(2900, "completed", "周杰", -1500);
	model_reply(&m, harness_rec.hist_cmd, &rep, NULL);
	ck_assert_int_eq(complaint_store_draft_get(db->st, 0, &c), 1);
	ck_assert_int_eq(complaint_field_int(c, CF_ticket_id), 2900);
	char *name = complaint_field_get(c, CF_name), *plate = complaint_field_get(c, CF_plate);
	ck_assert_str_eq(name, "周杰");
	ck_assert_str_eq(plate, "湘A00000");
	free(name);
	free(plate);
	complaint_free(c);
	complaint_db_release();
	harness_draw(120, 40);
	ck_assert(harness_screen_has("周杰"));
}
END_TEST

/* v on the board and on the supervisor screen opens the view. */
START_TEST(test_v_opens)
{
	view_destroy(v);
	v = view_board_create();
	harness_draw(80, 24);
	unsigned r = harness_press('v');
	ck_assert(r & UI_OPEN);
	ck_assert_int_eq(v->open.kind, VIEW_SURVEYS);
	view_destroy(v);
	v = view_kpi_create(&m);
	r = harness_press('v');
	ck_assert(r & UI_OPEN);
	ck_assert_int_eq(v->open.kind, VIEW_SURVEYS);
}
END_TEST

/* The supervisor screen's tile: from stats.kpi's survey keys. */
START_TEST(test_tile)
{
	static const struct {
		int64_t pro, pas, det;
		bool keys;
		const char *value, *detail;
	} t[] = {
		{ 0, 0, 0, false, "no survey data", "no surveys yet" },
		{ 0, 0, 0, true, "-", "no answers today" },
		{ 5, 1, 2, true, "+38 · 75.0%", "n=8 · n too small" },
		{ 31, 9, 5, true, "+58 · 88.9%", "n=45 · +38..+78" },
		{ 2, 10, 30, true, "-67 · 28.6%", "n=42 · -84..-50" },
	};
	for (size_t i = 0; i < ARRAY_LEN(t); i++) {
		struct proto_kpi k = { .promoters = t[i].pro, .passives = t[i].pas,
		    .detractors = t[i].det, .present = t[i].keys ? PROTO_ALL : 0 };
		char value[64], detail[128];
		enum theme_role role;
		view_surveys_nps_tile(&k, value, sizeof value, detail, sizeof detail, &role);
		ck_assert_str_eq(value, t[i].value);
		ck_assert_str_eq(detail, t[i].detail);
	}
	/* on the screen, once the broker answers: each detail whole at 80 columns, in both
	 * languages (the n=0 one was cut: "n=0 · no answers …") */
	for (size_t i = 0; i < ARRAY_LEN(t) + 1; i++) {
		size_t c = i < ARRAY_LEN(t) ? i : 1;	/* then n=0 in Chinese */
		struct proto_kpi k = { .now = NOW, .promoters = t[c].pro, .passives = t[c].pas,
		    .detractors = t[c].det, .present = t[c].keys ? PROTO_ALL : 0 };
		if (i == ARRAY_LEN(t))
			harness_lang("zh_CN");
		view_destroy(v);
		v = view_kpi_create(&m);
		harness_answer_kpi(&m, &k);
		harness_draw(80, 24);
		const char *want = i < ARRAY_LEN(t) ? t[c].detail : "今日暂无回答";
		ck_assert_msg(harness_screen_has(want), "cut: %s", want);
	}
	harness_lang("en");
	view_destroy(v);
	v = view_kpi_create(&m);
	struct proto_kpi k = { .now = NOW, .promoters = 31, .passives = 9, .detractors = 5,
	    .present = PROTO_ALL };
	harness_answer_kpi(&m, &k);
	harness_draw(80, 24);
	ck_assert(harness_screen_has("NPS · sat. 7-10"));
	ck_assert(harness_screen_has("+58 · 88.9%"));
}
END_TEST

static Suite *
surveys_suite(void)
{
	Suite *s = suite_create("view-surveys");
	TCase *tc = tcase_create("surveys");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, test_golden, 0, ARRAY_LEN(goldens));
	tcase_add_test(tc, test_rows);
	tcase_add_test(tc, test_scroll_marks);
	tcase_add_test(tc, test_enter);
	tcase_add_test(tc, test_done);
	tcase_add_test(tc, test_complaint_unheld);
	tcase_add_test(tc, test_v_opens);
	tcase_add_test(tc, test_tile);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	setenv("TZ", "UTC", 1);
	tzset();
	return harness_screen_main(surveys_suite(), "check-view-surveys");
}
