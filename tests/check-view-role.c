/* check-view-role.c: the console knowing who it is (ui/role.c, model_hello, the status
 * line in ui/chrome.c), over the harness model:
 *   - hello's reply: the user the broker names replaces --user, its role replaces --role
 *     and turns the gate on; no role (an open broker) lets everything through;
 *   - the role matrix's copy against PROTOCOL.md 7.0's table, read from the document
 *     (tests/harness-roles.c): which role may send which request; ticket.escalate's clear
 *     for supervisors only;
 *   - the escalation form offers only what the role may do: an agent sees an escalated
 *     ticket read-only (no prompt: typing and Enter send nothing, Esc closes; goldens en
 *     and zh_CN), and one escalated by another console while the agent types is refused
 *     in words; a supervisor gets the prompt and sends the clear; an open broker's agent
 *     too;
 *   - a broker's `forbidden` reply is worded "not allowed for your role";
 *   - a capacity warning rings for supervisors only;
 *   - the board's and the detail's hint bars list what the role may use, at 80 and 200;
 *   - the status line: user and role at 80 and 120 columns (a long name cut short at 80),
 *     and a refused key in words instead of "connecting" (goldens, en and zh_CN). */
#include <check.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "i18n.h"
#include "model.h"
#include "role.h"
#include "util.h"
#include "view-board.h"
#include "view-detail.h"
#include "view-escalate.h"

#include "harness-model.h"
#include "harness-roles.h"
#include "harness-screen.h"

#define MIN_MS (60 * 1000LL)
#define NOW 1773468300000LL	/* 2026-03-14 06:05:00 UTC */

static struct data_region regions[] = {
	{ .id = "changsha", .name = "Changsha", .name_zh = "长沙", .lat = 28.2282,
	    .lon = 112.9388, .auto_dispatch = 1 },
};
static struct data data = { .regions = regions, .n_regions = 1,
	.sla = { .not_accepted_s = 300, .gps_stale_s = 90, .stalled_s = 300,
	    .late_margin_s = 300, .window_pct = 80, .escalate_after_s = 120,
	    .owner_lease_s = 30 } };

/* 1: open; 2: escalated by hand. */
static struct proto_ticket tickets[2];
static struct proto_truck trucks[1] = {
	{ .id = "CSH-XY-V01", .supplier = "xy", .kind = "van", .region = "changsha",
	    .status = "available", .present = PROTO_ALL },
};
static struct proto_warning warnings[] = {
	{ .id = 1, .ticket = 1, .kind = "capacity", .level = "red", .ts = NOW - MIN_MS,
	    .since = NOW - MIN_MS },
	{ .id = 2, .ticket = 2, .kind = "overdue", .level = "red", .ts = NOW - MIN_MS,
	    .promised = NOW - 3 * MIN_MS, .since = NOW - MIN_MS },
};

static struct model m;
static struct vscreen *vs;
static struct view *v;
static int escalations;	/* ticket.escalate requests that reached the app */
static struct model_ops ops;

static int
role_send(struct model *mm, enum proto_msg_id op, const void *args,
    char cmd_id[PROTO_CMD_ID_MAX + 1])
{
	escalations += op == PROTO_MSG_escalate;
	return harness_model_ops.send(mm, op, args, cmd_id);
}

static void
setup(void)
{
	static const struct harness_fixture f = {
		HARNESS_TABLES(tickets, trucks, warnings),
		.data = &data, .user = "wangfang", .role = MODEL_ROLE_AGENT, .now = NOW,
	};

	for (int i = 0; i < 2; i++) {
		struct proto_ticket *t = &tickets[i];

		memset(t, 0, sizeof *t);
		t->id = i + 1;
		rd_strlcpy(t->state, "dispatched", sizeof t->state);
		rd_strlcpy(t->region, "changsha", sizeof t->region);
		rd_strlcpy(t->customer, i == 0 ? "Li Na" : "赵强", sizeof t->customer);
		rd_strlcpy(t->phone, "13812345678", sizeof t->phone);
		rd_strlcpy(t->fault, "battery", sizeof t->fault);
		snprintf(t->address, sizeof t->address, "Furong Road %d", i + 1);
		rd_strlcpy(t->truck, "CSH-XY-V01", sizeof t->truck);
		t->lat = 28.2;
		t->lon = 112.9;
		t->created = NOW - 30 * MIN_MS;
		t->promised = NOW + (i == 0 ? 20 : -3) * MIN_MS;
		t->ver = 1;
		t->present = PROTO_ALL & ~((uint64_t)1 << PROTO_ticket_eta |
		    (uint64_t)1 << PROTO_ticket_eta_src | (uint64_t)1 << PROTO_ticket_escalated |
		    (uint64_t)1 << PROTO_ticket_escalated_by |
		    (uint64_t)1 << PROTO_ticket_escalate_reason);
	}
	tickets[1].escalated = NOW - 5 * MIN_MS;
	rd_strlcpy(tickets[1].escalated_by, "lisi", sizeof tickets[1].escalated_by);
	rd_strlcpy(tickets[1].escalate_reason, "children in the car",
	    sizeof tickets[1].escalate_reason);
	tickets[1].present |= (uint64_t)1 << PROTO_ticket_escalated |
	    (uint64_t)1 << PROTO_ticket_escalated_by | (uint64_t)1 << PROTO_ticket_escalate_reason;

	escalations = 0;
	harness_lang("en");
	harness_model_init(&m, &f);
	ops = *m.ops;
	ops.send = role_send;
	m.ops = &ops;
	model_refresh(&m, NOW);
	vs = vscreen_create(80, 24);
	harness_bind(&m, &vs, &v, "check-view-role");
	v = NULL;
}

static void
teardown(void)
{
	view_destroy(v);
	v = NULL;
	harness_model_finish(&m);
	vscreen_destroy(vs);
	i18n_unload();
}

/* hello's reply as a broker sends it: user and role when given (NULL: absent). */
static bool
hello(const char *user, const char *role)
{
	struct proto_hello_result h;

	memset(&h, 0, sizeof h);
	PROTO_STRSET(h.server, "rescuedeskd");
	PROTO_STRSET(h.version, "0.1.0");
	h.proto = 1;
	h.epoch = 1;
	if (user != NULL) {
		PROTO_STRSET(h.user, user);
		PROTO_SET(&h, hello_result, user);
	}
	if (role != NULL) {
		PROTO_STRSET(h.role, role);
		PROTO_SET(&h, hello_result, role);
	}
	return model_hello(&m, &h);
}

START_TEST(test_hello)
{
	/* an open broker: --user and --role stay, nothing is gated */
	ck_assert(!hello(NULL, NULL));
	ck_assert_str_eq(m.user, "wangfang");
	ck_assert_int_eq(m.role, MODEL_ROLE_AGENT);
	ck_assert(!m.role_known);
	/* the key's user and role */
	ck_assert(hello("zhang.wei", "supervisor"));
	ck_assert_str_eq(m.user, "zhang.wei");
	ck_assert_int_eq(m.role, MODEL_ROLE_SUPERVISOR);
	ck_assert(m.role_known);
	ck_assert(!hello("zhang.wei", "specialist"));	/* the same user: no change */
	ck_assert_int_eq(m.role, MODEL_ROLE_SPECIALIST);
	/* a role this console does not know: as an open broker (the broker decides) */
	ck_assert(!hello("zhang.wei", "auditor"));
	ck_assert(!m.role_known);
	ck_assert(role_may(&m, PROTO_MSG_diag_start, NULL));
	/* an empty user is no user */
	ck_assert(!hello("", "agent"));
	ck_assert_str_eq(m.user, "zhang.wei");
}
END_TEST

/* The console's copy against the document: role_may_op as every role for every request op
 * is what PROTOCOL.md 7.0's table (read from the document, harness-roles.c) says; the
 * broker's table is held to the same by check-auth.c. Then the argument rules the table's
 * footnotes give: ending an escalation is for supervisors and the simulator only. */
START_TEST(test_matrix)
{
	struct harness_roles t;
	struct proto_escalate clear = { .id = 2, .reason = "done", .clear = true };

	harness_roles_read(&t);
	ck_assert_int_gt(t.rows, 30);
	ck_assert_int_eq(t.n_roles, MODEL_ROLE_COUNT);
	for (int op = 0; op < PROTO_MSG_COUNT; op++) {
		if (proto_descs[op].kind != PROTO_KIND_REQUEST)
			continue;
		for (int r = 0; r < MODEL_ROLE_COUNT; r++)
			ck_assert_msg(role_may_op(r, op, NULL) ==
			    harness_roles_may(&t, op, model_role_name(r)),
			    "%s as %s: the console's copy and PROTOCOL.md 7.0 differ",
			    proto_descs[op].wire, model_role_name(r));
	}
	/* ending an escalation: supervisors and the simulator only */
	ck_assert(!role_may_op(MODEL_ROLE_AGENT, PROTO_MSG_escalate, &clear));
	ck_assert(role_may_op(MODEL_ROLE_SUPERVISOR, PROTO_MSG_escalate, &clear));
	ck_assert(role_may_op(MODEL_ROLE_SIM, PROTO_MSG_escalate, &clear));
	ck_assert(!role_may_op(MODEL_ROLE_SPECIALIST, PROTO_MSG_escalate, &clear));
	ck_assert(!role_may_op(MODEL_ROLE_COUNT, PROTO_MSG_hello, NULL));
	/* every role name parses back */
	for (int r = 0; r < MODEL_ROLE_COUNT; r++)
		ck_assert_int_eq(model_role_parse(model_role_name(r)), r);
}
END_TEST

/* An agent's console is not offered the end of an escalation: the form shows the
 * escalation without a prompt (goldens), keys type nothing, Enter sends nothing, Esc
 * closes; escalating is still the agent's; a supervisor's form has the prompt and sends
 * the clear. */
START_TEST(test_clear_not_offered)
{
	unsigned r;

	hello("wangfang", "agent");
	v = view_escalate_create(&m, 2);
	harness_golden("escalate-clear-agent", 80, 24, _i == 0 ? "en" : "zh_CN");
	ck_assert(harness_screen_has(i18n_tr("esc.clear_not_role")));
	ck_assert(!harness_screen_has(i18n_tr("esc.prompt_clear")));
	ck_assert(!harness_screen_has(i18n_tr("esc.clear_hint")));
	harness_type("police on site");
	r = harness_press_sym(KEYSYM_ENTER);
	ck_assert(!(r & UI_CLOSE));
	ck_assert_int_eq(escalations, 0);
	ck_assert_int_eq(harness_rec.sent, 0);
	ck_assert_str_eq(m.message, "");	/* nothing offered, nothing refused */
	harness_draw(80, 24);
	ck_assert(!harness_screen_has("police on site"));
	r = harness_press_sym(KEYSYM_ESC);
	ck_assert(r & UI_CLOSE);
	ck_assert_int_eq(escalations, 0);

	/* escalating (not clearing) is an agent's to do */
	view_destroy(v);
	v = view_escalate_create(&m, 1);
	harness_draw(80, 24);
	ck_assert(harness_screen_has(i18n_tr("esc.prompt")));
	harness_type("customer asks for a manager");
	r = harness_press_sym(KEYSYM_ENTER);
	ck_assert(r & UI_CLOSE);
	ck_assert_int_eq(escalations, 1);

	/* a supervisor is offered the end, and ends it */
	hello("zhang.wei", "supervisor");
	view_destroy(v);
	v = view_escalate_create(&m, 2);
	harness_draw(80, 24);
	ck_assert(harness_screen_has(i18n_tr("esc.prompt_clear")));
	ck_assert(harness_screen_has(i18n_tr("esc.clear_hint")));
	ck_assert(!harness_screen_has(i18n_tr("esc.clear_not_role")));
	harness_type("police on site");
	r = harness_press_sym(KEYSYM_ENTER);
	ck_assert(r & UI_CLOSE);
	ck_assert_int_eq(escalations, 2);
}
END_TEST

/* Another console escalates the ticket while the agent types a reason to escalate it:
 * Enter sends nothing and says in words that only a supervisor may end it; the form turns
 * read-only. */
START_TEST(test_clear_changed_agent)
{
	unsigned r;

	hello("wangfang", "agent");
	v = view_escalate_create(&m, 1);
	harness_type("customer waiting");
	/* the model as after a ticket publication from the other console (test only) */
	struct proto_ticket *t = (struct proto_ticket *)model_ticket(&m, 1);
	ck_assert_ptr_nonnull(t);
	t->escalated = NOW;
	rd_strlcpy(t->escalated_by, "lisi", sizeof t->escalated_by);
	rd_strlcpy(t->escalate_reason, "no truck", sizeof t->escalate_reason);
	t->present |= (uint64_t)1 << PROTO_ticket_escalated |
	    (uint64_t)1 << PROTO_ticket_escalated_by | (uint64_t)1 << PROTO_ticket_escalate_reason;
	r = harness_press_sym(KEYSYM_ENTER);
	ck_assert(!(r & UI_CLOSE));
	harness_draw(80, 24);
	ck_assert(harness_screen_has(i18n_tr("esc.changed_read")));
	ck_assert(!harness_screen_has(i18n_tr("esc.prompt_clear")));
	r = harness_press_sym(KEYSYM_ENTER);	/* still nothing to send */
	ck_assert(!(r & UI_CLOSE));
	ck_assert_int_eq(escalations, 0);
	ck_assert_int_eq(harness_rec.sent, 0);
}
END_TEST

/* An open broker (no role in hello's reply): the console does not second-guess it. */
START_TEST(test_open_broker)
{
	unsigned r;

	hello(NULL, NULL);
	v = view_escalate_create(&m, 2);
	harness_type("police on site");
	r = harness_press_sym(KEYSYM_ENTER);
	ck_assert(r & UI_CLOSE);
	ck_assert_int_eq(escalations, 1);
}
END_TEST

/* The broker's own refusal (its matrix may be stricter than this copy) in the same words. */
START_TEST(test_forbidden_reply)
{
	unsigned r;

	hello(NULL, NULL);
	v = view_escalate_create(&m, 2);
	harness_type("police on site");
	r = harness_press_sym(KEYSYM_ENTER);
	ck_assert(r & UI_CLOSE);
	harness_answer_error(&m, harness_rec.last_cmd, PROTO_E_FORBIDDEN, "role agent may not");
	ck_assert(m.message_error);
	ck_assert_str_eq(m.message, "not allowed for your role (agent): End escalation of #2");
	ck_assert_int_eq(m.req.pending[0].state, PENDING_FAILED);
}
END_TEST

START_TEST(test_capacity_bell)
{
	const struct proto_warning *cap = m.warnings[0], *late = m.warnings[1];

	ck_assert_str_eq(cap->kind, "capacity");
	ck_assert(!role_bell(&m, cap));		/* an agent */
	ck_assert(role_bell(&m, late));
	hello("zhang.wei", "supervisor");
	ck_assert(role_bell(&m, cap));
	hello("xiao.li", "specialist");
	ck_assert(!role_bell(&m, cap));
}
END_TEST

/* The status line: user and role (a long name cut short below 100 columns), and a key the
 * broker refused in words. */
START_TEST(test_status_goldens)
{
	const char *lang = _i == 0 ? "en" : "zh_CN";

	hello("zhangwei.supervisor.night", "supervisor");
	v = view_board_create();
	harness_golden("role-status", 80, 24, lang);
	ck_assert(harness_screen_has("zhangwei.su"));
	ck_assert(!harness_screen_has("zhangwei.supervisor.night"));
	harness_golden("role-status", 120, 40, lang);
	ck_assert(harness_screen_has("zhangwei.supervisor.night"));

	/* not let in: connecting, and the broker refused the key */
	m.conn = MODEL_CONNECTING;
	m.hb_age_ms = -1;
	m.auth = MODEL_AUTH_REFUSED;
	harness_golden("role-refused", 80, 24, lang);
	/* the status line (row 22) says why; the banner too */
	ck_assert(strstr(harness_row(22), i18n_tr("auth.refused")) != NULL);
	ck_assert(strstr(harness_row(22), i18n_tr("status.connecting")) == NULL);
	ck_assert(strstr(harness_row(1), i18n_tr("auth.refused")) != NULL);
	/* every reason fits the status line at 80 columns beside a long name and role */
	for (int a = MODEL_AUTH_REFUSED; a <= MODEL_AUTH_BAD_SERVER; a++) {
		m.auth = (enum model_auth)a;
		harness_draw(80, 24);
		ck_assert_msg(strstr(harness_row(22), i18n_tr(model_auth_name(m.auth))) != NULL,
		    "%s: '%s'", model_auth_name(m.auth), harness_row(22));
	}
	m.auth = MODEL_AUTH_NONE;
	harness_draw(80, 24);
	ck_assert(strstr(harness_row(22), i18n_tr("status.connecting")) != NULL);
}
END_TEST

/* The hint bars of the board and the detail list what the role may use: the supervisors'
 * boards (P, W) for supervisors only, a new call and the ticket's actions not for
 * specialists, diagnosis not for agents; at 80 columns the most used first (help always),
 * at 200 columns all the role may use. */
START_TEST(test_hints_by_role)
{
	static const struct {
		const char *role;
		int cols;
		bool detail;
		const char *has, *hasnt;	/* '|'-separated hints */
	} cases[] = {
		{ "agent", 80, false, "Enter open|n new call|K overview|M map|? help|Q quit",
		    "P suppliers|W agents" },
		{ "supervisor", 80, false, "Enter open|K overview|P suppliers|W agents|? help",
		    "" },
		{ "specialist", 80, false, "K overview|M map|I contact|? help",
		    "n new call|P suppliers|W agents" },
		{ "supervisor", 200, false, "n new call|K overview|P suppliers|W agents|"
		    "v surveys|M map|I contact|? help|Q quit", "" },
		{ "agent", 80, true, "a note|A assign|q back|? help", "d diagnose" },
		{ "specialist", 80, true, "a note|d diagnose|o own|I contact|M map|? help",
		    "S state|A assign|e edit|t tell|c cancel|p call" },
		{ "supervisor", 200, true, "d diagnose|A assign|E escalate|I contact|M map|"
		    "v surveys|p call", "" },
	};

	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		char list[256], *save = NULL;
		int rows = cases[i].cols == 80 ? 24 : 60;

		hello("wangfang", cases[i].role);
		view_destroy(v);
		v = cases[i].detail ? view_detail_create(&m, 1, ACTION_NONE) : view_board_create();
		harness_draw(cases[i].cols, rows);
		const char *bar = harness_row(rows - 1);
		rd_strlcpy(list, cases[i].has, sizeof list);
		for (char *h = strtok_r(list, "|", &save); h != NULL; h = strtok_r(NULL, "|", &save))
			ck_assert_msg(strstr(bar, h) != NULL, "%s at %d: no '%s' in '%s'",
			    cases[i].role, cases[i].cols, h, bar);
		rd_strlcpy(list, cases[i].hasnt, sizeof list);
		for (char *h = strtok_r(list, "|", &save); h != NULL; h = strtok_r(NULL, "|", &save))
			ck_assert_msg(strstr(bar, h) == NULL, "%s at %d: '%s' in '%s'",
			    cases[i].role, cases[i].cols, h, bar);
	}
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("view-role");
	TCase *tc = tcase_create("role");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_hello);
	tcase_add_test(tc, test_matrix);
	tcase_add_loop_test(tc, test_clear_not_offered, 0, 2);
	tcase_add_test(tc, test_clear_changed_agent);
	tcase_add_test(tc, test_open_broker);
	tcase_add_test(tc, test_forbidden_reply);
	tcase_add_test(tc, test_capacity_bell);
	tcase_add_test(tc, test_hints_by_role);
	tcase_add_loop_test(tc, test_status_goldens, 0, 2);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	setenv("TZ", "UTC", 1);
	tzset();
	return harness_screen_main(suite(), "check-view-role");
}
