/* check-complaint.c: the complaint model (src/model/complaint.c) and its data
 * (data_complaints_load): the state machine over every state and action, each refused
 * transition with its reason, the deadline table (extensions, pauses, new-facts restart,
 * holidays and make-up working days, amber at 80% and red when overdue), the text forms
 * of values, the serialisation, and the loader's file:line errors. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check-main.h"
#include "civil.h"
#include "complaint.h"
#include "data.h"
#include "ticket.h"
#include "util.h"

#ifndef SOURCE_DATA_DIR
#error "compile with -DSOURCE_DATA_DIR=\"/path/to/data\""
#endif

static struct complaint_data *cd;

static void
data_setup(void)
{
	char *cause = NULL;
	cd = data_complaints_load(SOURCE_DATA_DIR, &cause);
	ck_assert_msg(cd != NULL, "loading %s: %s", SOURCE_DATA_DIR, cause);
}

static void
data_teardown(void)
{
	complaint_data_free(cd);
	cd = NULL;
}

static int64_t
T(const char *s)
{
	int64_t t = complaint_time_parse(s);
	ck_assert_msg(t > 0, "bad time in test: %s", s);
	return t;
}

static void
set(struct complaint *c, enum complaint_field f, const char *v)
{
	int e = complaint_field_set(c, f, v);
	ck_assert_msg(e == COMPLAINT_OK, "set %s = %s: %s", complaint_field_info(f)->name, v,
	    complaint_error_key(e));
}

#define NOW "2026-03-12 10:00"

/* A record that satisfies every condition of every action, in state s. */
static struct complaint *
ready(enum complaint_state s)
{
	struct complaint *c = complaint_new(T("2026-03-02 10:00"));
	set(c, CF_number, "TS-20260302-000001");
	set(c, CF_channel, "hotline");
	set(c, CF_party, "person");
	set(c, CF_name, "张三");
	set(c, CF_phone, "13812345678");
	set(c, CF_policy_no, "PDAA202643010000001234");
	set(c, CF_plate, "湘A12345");
	set(c, CF_respondent_unit, "长沙分公司");
	set(c, CF_supplier, "xingsha-rescue");
	set(c, CF_request, "退还拖车费 300 元");
	set(c, CF_facts, "救援车迟到两小时，\n司机另收拖车费。");
	set(c, CF_business, "roadside");
	set(c, CF_cause, "R01");
	set(c, CF_rights, "fair_trade,redress");
	set(c, CF_handler, "wang");
	set(c, CF_conflict_checked, "1");
	set(c, CF_reject_reason, "不属于消费投诉");
	set(c, CF_pause_reason, "appraisal");
	set(c, CF_pause_notified_at, "2026-03-10 10:00");
	set(c, CF_complexity, "special");
	set(c, CF_extension_reason, "需要供应商的行车记录");
	set(c, CF_extension_approver, "li");
	set(c, CF_extension_notified_at, "2026-03-10 10:00");
	set(c, CF_outcome, "upheld");
	set(c, CF_decision_facts, "迟到属实");
	set(c, CF_decision_basis, "服务协议第 5 条");
	set(c, CF_decision_remedies, "可申请核查或调解");
	set(c, CF_notify_method, "phone");
	set(c, CF_notified_at, "2026-03-10 10:00");
	set(c, CF_review_requested_at, "2026-03-11 10:00");
	set(c, CF_review_result, "maintained");
	set(c, CF_mediation_org, "beijing");
	set(c, CF_mediation_result, "agreement");
	set(c, CF_accepted, "1");
	set(c, CF_satisfaction, "5");
	set(c, CF_new_facts_at, "2026-03-11 10:00");
	set(c, CF_merged_into, "TS-20260301-000001");
	c->state = s;
	if (s == COMPLAINT_EXTENDED_30)
		c->extension_level = 1;
	if (s == COMPLAINT_EXTENDED_60)
		c->extension_level = 2;
	if (s == COMPLAINT_PAUSED) {
		c->pauses = xcalloc(1, sizeof *c->pauses);
		c->pauses[0] = (struct complaint_pause){ COMPLAINT_PAUSE_APPRAISAL,
			T("2026-03-10 10:00"), 0, T("2026-03-10 10:00") };
		c->n_pauses = 1;
	}
	return c;
}

START_TEST(ready_is_valid)
{
	struct complaint *c = ready(COMPLAINT_INVESTIGATING);
	int field = -1;
	int e = complaint_check(c, cd, T(NOW), true, &field);
	ck_assert_msg(e == COMPLAINT_OK, "%s at %s", complaint_error_key(e),
	    field >= 0 ? complaint_field_info(field)->name : "-");
	complaint_free(c);
}
END_TEST

/* One field at a time, as the form checks it when the field is left: the form of the
 * value always, what registration requires once the complaint is registered. */
START_TEST(field_check_by_state)
{
	struct complaint *c = complaint_new(T("2026-03-02 10:00"));
	ck_assert_int_eq(complaint_field_check(c, CF_phone, cd, T(NOW)), COMPLAINT_OK);
	ck_assert_int_eq(complaint_field_check(c, CF_policy_no, cd, T(NOW)), COMPLAINT_OK);
	set(c, CF_phone, "12");
	ck_assert_int_eq(complaint_field_check(c, CF_phone, cd, T(NOW)), COMPLAINT_E_PHONE);
	set(c, CF_phone, "");
	c->state = COMPLAINT_REGISTERED;
	ck_assert_int_eq(complaint_field_check(c, CF_phone, cd, T(NOW)), COMPLAINT_E_REQUIRED);
	ck_assert_int_eq(complaint_field_check(c, CF_policy_no, cd, T(NOW)),
	    COMPLAINT_E_SUBJECT);
	set(c, CF_vin, "LSVAB4BR2EN123456");
	ck_assert_int_eq(complaint_field_check(c, CF_policy_no, cd, T(NOW)), COMPLAINT_OK);
	ck_assert_int_eq(complaint_field_check(c, CF_vin, cd, T(NOW)), COMPLAINT_OK);
	set(c, CF_goodwill, "50");
	ck_assert_int_eq(complaint_field_check(c, CF_goodwill_approver, cd, T(NOW)),
	    COMPLAINT_E_GOODWILL_APPROVER);
	set(c, CF_decision_at, "2026-03-01 09:00");
	ck_assert_int_eq(complaint_field_check(c, CF_decision_at, cd, T(NOW)),
	    COMPLAINT_E_BEFORE_RECEIPT);
	c->satisfaction = 9;
	ck_assert_int_eq(complaint_field_check(c, CF_satisfaction, cd, T(NOW)),
	    COMPLAINT_E_SATISFACTION);
	c->channel = 99;
	ck_assert_int_eq(complaint_field_check(c, CF_channel, cd, T(NOW)), COMPLAINT_E_ENUM);
	c->rights = 256;
	ck_assert_int_eq(complaint_field_check(c, CF_rights, cd, T(NOW)), COMPLAINT_E_RIGHTS);
	c->amount_claimed = -1;
	ck_assert_int_eq(complaint_field_check(c, CF_amount_claimed, cd, T(NOW)),
	    COMPLAINT_E_MONEY);
	char long_line[COMPLAINT_LINE_MAX + 2];
	memset(long_line, 'a', sizeof long_line - 1);
	long_line[sizeof long_line - 1] = '\0';
	set(c, CF_address, long_line);
	ck_assert_int_eq(complaint_field_check(c, CF_address, cd, T(NOW)), COMPLAINT_E_TOO_LONG);
	complaint_free(c);
}
END_TEST

/* ---- the state machine: every state x every action ---------------------------------- */

#define S(x) COMPLAINT_##x
#define A(x) COMPLAINT_ACT_##x

/* The allowed moves, written out from domain.md 1.4 (not derived from the model's table). */
static const struct {
	enum complaint_state from;
	enum complaint_action act;
	enum complaint_state to;
} moves[] = {
	{ S(RECEIVED), A(REGISTER), S(REGISTERED) },
	{ S(RECEIVED), A(REJECT), S(REJECTED) },
	{ S(REGISTERED), A(ACK), S(ACKNOWLEDGED) },
	{ S(ACKNOWLEDGED), A(INVESTIGATE), S(INVESTIGATING) },
	{ S(INVESTIGATING), A(PAUSE), S(PAUSED) },
	{ S(INVESTIGATING), A(AWAIT), S(AWAITING) },
	{ S(INVESTIGATING), A(EXTEND), S(EXTENDED_30) },
	{ S(INVESTIGATING), A(DECIDE), S(DECIDED) },
	{ S(PAUSED), A(RESUME), S(INVESTIGATING) },
	{ S(AWAITING), A(REPLIED), S(INVESTIGATING) },
	{ S(EXTENDED_30), A(PAUSE), S(PAUSED) },
	{ S(EXTENDED_30), A(AWAIT), S(AWAITING) },
	{ S(EXTENDED_30), A(EXTEND_SPECIAL), S(EXTENDED_60) },
	{ S(EXTENDED_30), A(DECIDE), S(DECIDED) },
	{ S(EXTENDED_60), A(PAUSE), S(PAUSED) },
	{ S(EXTENDED_60), A(AWAIT), S(AWAITING) },
	{ S(EXTENDED_60), A(DECIDE), S(DECIDED) },
	{ S(DECIDED), A(NOTIFY), S(NOTIFIED) },
	{ S(NOTIFIED), A(REQUEST_REVIEW), S(REVIEW) },
	{ S(NOTIFIED), A(MEDIATE), S(MEDIATION) },
	{ S(NOTIFIED), A(CLOSE), S(CLOSED) },
	{ S(NOTIFIED), A(NEW_FACTS), S(INVESTIGATING) },
	{ S(REVIEW), A(DECIDE_REVIEW), S(REVIEW_DECIDED) },
	{ S(REVIEW_DECIDED), A(MEDIATE), S(MEDIATION) },
	{ S(REVIEW_DECIDED), A(CLOSE), S(CLOSED) },
	{ S(MEDIATION), A(MEDIATION_END), S(MEDIATED) },
	{ S(MEDIATED), A(CLOSE), S(CLOSED) },
	{ S(MEDIATION_FAILED), A(CLOSE), S(CLOSED) },
	{ S(CLOSED), A(NEW_FACTS), S(INVESTIGATING) },
};

static bool
open_state(enum complaint_state s)
{
	return s != S(REJECTED) && s != S(CLOSED) && s != S(WITHDRAWN) && s != S(MERGED);
}

/* One state (the loop index) against every action. */
START_TEST(every_state_every_action)
{
	enum complaint_state from = (enum complaint_state)_i;
	for (int a = 0; a < COMPLAINT_ACTION_COUNT; a++) {
		int want = -1;
		for (size_t i = 0; i < ARRAY_LEN(moves); i++)
			if (moves[i].from == from && (int)moves[i].act == a)
				want = (int)moves[i].to;
		if (open_state(from) && a == A(WITHDRAW))
			want = S(WITHDRAWN);
		if (open_state(from) && a == A(MERGE))
			want = S(MERGED);
		struct complaint *c = ready(from);
		int field = -1;
		int e = complaint_apply(c, (enum complaint_action)a, cd, T(NOW), &field);
		if (want < 0) {
			ck_assert_msg(e == COMPLAINT_W_STATE, "%s from %s: got %s, want refusal",
			    complaint_action_name(a), complaint_state_name(from),
			    complaint_error_key(e));
			ck_assert_int_eq(c->state, from);
			ck_assert(!(complaint_actions_from(from) & (1u << a)));
		} else {
			ck_assert_msg(e == COMPLAINT_OK, "%s from %s: %s at %s",
			    complaint_action_name(a), complaint_state_name(from),
			    complaint_error_key(e), field >= 0 ?
			    complaint_field_info(field)->name : "-");
			ck_assert_msg(c->state == want, "%s from %s: to %s, want %s",
			    complaint_action_name(a), complaint_state_name(from),
			    complaint_state_name(c->state), complaint_state_name(want));
			ck_assert(complaint_actions_from(from) & (1u << a));
		}
		complaint_free(c);
	}
}
END_TEST

/* ---- refused transitions: each condition and its reason ------------------------------ */

static const struct refusal {
	enum complaint_state from;
	enum complaint_action act;
	enum complaint_field f1;
	const char *v1;
	enum complaint_field f2;        /* CF_number with v2 NULL: none */
	const char *v2;
	const char *now;                /* NULL: NOW */
	int want;
	enum complaint_field field;
} refusals[] = {
	{ S(RECEIVED), A(REGISTER), CF_phone, "", CF_number, NULL, NULL,
	  COMPLAINT_E_REQUIRED, CF_phone },
	{ S(RECEIVED), A(REGISTER), CF_phone, "12", CF_number, NULL, NULL,
	  COMPLAINT_E_PHONE, CF_phone },
	{ S(RECEIVED), A(REGISTER), CF_name, "", CF_number, NULL, NULL,
	  COMPLAINT_E_REQUIRED, CF_name },
	{ S(RECEIVED), A(REGISTER), CF_facts, "", CF_number, NULL, NULL,
	  COMPLAINT_E_REQUIRED, CF_facts },
	{ S(RECEIVED), A(REGISTER), CF_channel, "", CF_number, NULL, NULL,
	  COMPLAINT_E_REQUIRED, CF_channel },
	{ S(RECEIVED), A(REGISTER), CF_policy_no, "", CF_plate, "", NULL,
	  COMPLAINT_E_SUBJECT, CF_policy_no },
	{ S(RECEIVED), A(REGISTER), CF_plate, "湘A1", CF_number, NULL, NULL,
	  COMPLAINT_E_PLATE, CF_plate },
	{ S(RECEIVED), A(REGISTER), CF_vin, "LSVAB4BR2EN12345I", CF_number, NULL, NULL,
	  COMPLAINT_E_VIN, CF_vin },
	{ S(RECEIVED), A(REGISTER), CF_channel, "regulator", CF_number, NULL, NULL,
	  COMPLAINT_E_SOURCE_REF, CF_source_ref },
	{ S(RECEIVED), A(REGISTER), CF_acting, "agent", CF_number, NULL, NULL,
	  COMPLAINT_E_AGENT, CF_agent_name },
	{ S(RECEIVED), A(REGISTER), CF_acting, "heir", CF_agent_name, "李四", NULL,
	  COMPLAINT_E_HEIR, CF_agent_proof },
	{ S(RECEIVED), A(REGISTER), CF_cause, "X01", CF_number, NULL, NULL,
	  COMPLAINT_E_CAUSE, CF_cause },
	{ S(RECEIVED), A(REGISTER), CF_cause, "C01", CF_number, NULL, NULL,
	  COMPLAINT_E_CAUSE_BUSINESS, CF_cause },
	{ S(RECEIVED), A(REGISTER), CF_received_at, "2026-03-13 10:00", CF_number, NULL, NULL,
	  COMPLAINT_E_FUTURE, CF_received_at },
	{ S(RECEIVED), A(REGISTER), CF_group_size, "12", CF_channel, "walk_in", NULL,
	  COMPLAINT_E_REPRESENTATIVES, CF_representatives },
	{ S(RECEIVED), A(REGISTER), CF_representatives, "甲，乙、丙,丁,戊,己", CF_number, NULL, NULL,
	  COMPLAINT_E_REPRESENTATIVES, CF_representatives },
	{ S(RECEIVED), A(REGISTER), CF_group_size, "0", CF_number, NULL, NULL,
	  COMPLAINT_E_GROUP, CF_group_size },
	{ S(RECEIVED), A(REGISTER), CF_facts, "ok\x01", CF_number, NULL, NULL,
	  COMPLAINT_E_CONTROL, CF_facts },
	{ S(RECEIVED), A(REGISTER), CF_name, "\xe5\xbc", CF_number, NULL, NULL,
	  COMPLAINT_E_NOT_UTF8, CF_name },
	{ S(RECEIVED), A(REGISTER), CF_name, "a\nb", CF_number, NULL, NULL,
	  COMPLAINT_E_CONTROL, CF_name },
	{ S(RECEIVED), A(REJECT), CF_reject_reason, "", CF_number, NULL, NULL,
	  COMPLAINT_W_REJECT_REASON, CF_reject_reason },
	{ S(ACKNOWLEDGED), A(INVESTIGATE), CF_handler, "", CF_number, NULL, NULL,
	  COMPLAINT_W_HANDLER, CF_handler },
	{ S(ACKNOWLEDGED), A(INVESTIGATE), CF_conflict_checked, "0", CF_number, NULL, NULL,
	  COMPLAINT_W_CONFLICT, CF_conflict_checked },
	{ S(INVESTIGATING), A(PAUSE), CF_pause_reason, "", CF_number, NULL, NULL,
	  COMPLAINT_W_PAUSE_REASON, CF_pause_reason },
	{ S(INVESTIGATING), A(PAUSE), CF_pause_notified_at, "", CF_number, NULL, NULL,
	  COMPLAINT_W_PAUSE_NOTICE, CF_pause_notified_at },
	{ S(INVESTIGATING), A(EXTEND), CF_complexity, "simple", CF_number, NULL, NULL,
	  COMPLAINT_W_NOT_COMPLEX, CF_complexity },
	{ S(INVESTIGATING), A(EXTEND), CF_extension_reason, "", CF_number, NULL, NULL,
	  COMPLAINT_W_EXTENSION_REASON, CF_extension_reason },
	{ S(EXTENDED_30), A(EXTEND_SPECIAL), CF_complexity, "complex", CF_number, NULL, NULL,
	  COMPLAINT_W_NOT_SPECIAL, CF_complexity },
	{ S(EXTENDED_30), A(EXTEND_SPECIAL), CF_extension_approver, "", CF_number, NULL, NULL,
	  COMPLAINT_W_EXTENSION_APPROVER, CF_extension_approver },
	{ S(EXTENDED_30), A(EXTEND_SPECIAL), CF_extension_notified_at, "", CF_number, NULL,
	  NULL, COMPLAINT_W_EXTENSION_NOTICE, CF_extension_notified_at },
	{ S(INVESTIGATING), A(DECIDE), CF_outcome, "", CF_number, NULL, NULL,
	  COMPLAINT_W_OUTCOME, CF_outcome },
	{ S(INVESTIGATING), A(DECIDE), CF_goodwill, "100", CF_number, NULL, NULL,
	  COMPLAINT_E_GOODWILL_APPROVER, CF_goodwill_approver },
	{ S(INVESTIGATING), A(DECIDE), CF_goodwill, "100", CF_goodwill_approver, "li", NULL,
	  COMPLAINT_E_GOODWILL_ROLE, CF_goodwill_role },
	{ S(DECIDED), A(NOTIFY), CF_decision_basis, "", CF_number, NULL, NULL,
	  COMPLAINT_W_DECISION_CONTENT, CF_decision_basis },
	{ S(DECIDED), A(NOTIFY), CF_decision_remedies, "", CF_number, NULL, NULL,
	  COMPLAINT_W_DECISION_CONTENT, CF_decision_remedies },
	{ S(DECIDED), A(NOTIFY), CF_notify_method, "", CF_number, NULL, NULL,
	  COMPLAINT_W_NOTIFY_METHOD, CF_notify_method },
	{ S(NOTIFIED), A(REQUEST_REVIEW), CF_review_requested_at, "", CF_number, NULL, NULL,
	  COMPLAINT_W_REVIEW_DATE, CF_review_requested_at },
	{ S(NOTIFIED), A(REQUEST_REVIEW), CF_review_requested_at, "2026-03-09 10:00",
	  CF_number, NULL, NULL, COMPLAINT_W_REVIEW_DATE, CF_review_requested_at },
	/* notified 03-10: the 30 days end at the midnight after 04-09 */
	{ S(NOTIFIED), A(REQUEST_REVIEW), CF_review_requested_at, "2026-04-10 00:00",
	  CF_number, NULL, "2026-04-12 10:00", COMPLAINT_W_REVIEW_WINDOW,
	  CF_review_requested_at },
	{ S(REVIEW), A(DECIDE_REVIEW), CF_review_result, "", CF_number, NULL, NULL,
	  COMPLAINT_W_REVIEW_RESULT, CF_review_result },
	{ S(NOTIFIED), A(MEDIATE), CF_mediation_org, "", CF_number, NULL, NULL,
	  COMPLAINT_W_MEDIATION_ORG, CF_mediation_org },
	{ S(REVIEW_DECIDED), A(MEDIATE), CF_mediation_org, "nowhere", CF_number, NULL, NULL,
	  COMPLAINT_E_MEDIATION_ORG, CF_mediation_org },
	{ S(MEDIATION), A(MEDIATION_END), CF_mediation_result, "", CF_number, NULL, NULL,
	  COMPLAINT_W_MEDIATION_RESULT, CF_mediation_result },
	{ S(NOTIFIED), A(CLOSE), CF_accepted, "0", CF_number, NULL, NULL,
	  COMPLAINT_W_NOT_ACCEPTED, CF_accepted },
	{ S(NOTIFIED), A(CLOSE), CF_accepted, "0", CF_number, NULL, "2026-04-09 23:59",
	  COMPLAINT_W_NOT_ACCEPTED, CF_accepted },
	{ S(NOTIFIED), A(CLOSE), CF_satisfaction, "", CF_number, NULL, NULL,
	  COMPLAINT_W_SATISFACTION, CF_satisfaction },
	{ S(REVIEW_DECIDED), A(CLOSE), CF_satisfaction, "6", CF_number, NULL, NULL,
	  COMPLAINT_E_SATISFACTION, CF_satisfaction },
	{ S(NOTIFIED), A(NEW_FACTS), CF_new_facts_at, "", CF_number, NULL, NULL,
	  COMPLAINT_W_NEW_FACTS, CF_new_facts_at },
	{ S(NOTIFIED), A(NEW_FACTS), CF_new_facts_at, "2026-03-09 10:00", CF_number, NULL,
	  NULL, COMPLAINT_W_NEW_FACTS, CF_new_facts_at },
	{ S(RECEIVED), A(MERGE), CF_merged_into, "", CF_number, NULL, NULL,
	  COMPLAINT_W_MERGE_TARGET, CF_merged_into },
	{ S(INVESTIGATING), A(MERGE), CF_merged_into, "TS-20260302-000001", CF_number, NULL,
	  NULL, COMPLAINT_E_MERGE_SELF, CF_merged_into },
	{ S(RECEIVED), A(MERGE), CF_merged_into, "TS-1", CF_number, NULL, NULL,
	  COMPLAINT_E_NUMBER_FORM, CF_merged_into },
	/* a registered record stays valid: a later action checks every field again */
	{ S(DECIDED), A(NOTIFY), CF_phone, "", CF_number, NULL, NULL,
	  COMPLAINT_E_REQUIRED, CF_phone },
};

START_TEST(refused_with_reason)
{
	const struct refusal *r = &refusals[_i];
	struct complaint *c = ready(r->from);
	set(c, r->f1, r->v1);
	if (r->v2 != NULL)
		set(c, r->f2, r->v2);
	struct complaint *before = complaint_copy(c);
	int field = -1;
	int64_t now = T(r->now != NULL ? r->now : NOW);
	int e = complaint_apply(c, r->act, cd, now, &field);
	ck_assert_msg(e == r->want, "row %d: %s from %s: got %s, want %s", _i,
	    complaint_action_name(r->act), complaint_state_name(r->from),
	    complaint_error_key(e), complaint_error_key(r->want));
	ck_assert_msg(field == (int)r->field, "row %d: field %s, want %s", _i,
	    field >= 0 ? complaint_field_info(field)->name : "-",
	    complaint_field_info(r->field)->name);
	ck_assert_int_eq(complaint_can(c, r->act, cd, now, NULL), r->want);
	/* the catalog says it in words */
	ck_assert(complaint_error_key(e)[0] != '\0');
	/* refused: nothing changed */
	char *a = complaint_encode(before), *b = complaint_encode(c);
	ck_assert_str_eq(a, b);
	free(a);
	free(b);
	complaint_free(before);
	complaint_free(c);
}
END_TEST

START_TEST(goodwill_limits_per_role)
{
	struct complaint *c = ready(S(INVESTIGATING));
	set(c, CF_goodwill, "200.00");
	set(c, CF_goodwill_approver, "zhao");
	set(c, CF_goodwill_role, "agent");
	ck_assert_int_eq(complaint_can(c, A(DECIDE), cd, T(NOW), NULL), COMPLAINT_OK);
	set(c, CF_goodwill, "200.01");
	int field = -1;
	ck_assert_int_eq(complaint_can(c, A(DECIDE), cd, T(NOW), &field),
	    COMPLAINT_E_GOODWILL_LIMIT);
	ck_assert_int_eq(field, CF_goodwill);
	set(c, CF_goodwill_role, "lead");
	ck_assert_int_eq(complaint_can(c, A(DECIDE), cd, T(NOW), NULL), COMPLAINT_OK);
	set(c, CF_goodwill, "20000.01");
	set(c, CF_goodwill_role, "branch");
	ck_assert_int_eq(complaint_can(c, A(DECIDE), cd, T(NOW), NULL),
	    COMPLAINT_E_GOODWILL_LIMIT);
	ck_assert_int_eq(complaint_data_limit(cd, "supervisor"), 500000);
	ck_assert_int_eq(complaint_data_limit(cd, "boss"), -1);
	complaint_free(c);
}
END_TEST

START_TEST(effects_of_actions)
{
	struct complaint *c = ready(S(REGISTERED));
	ck_assert_int_eq(complaint_apply(c, A(ACK), cd, T(NOW), NULL), 0);
	ck_assert_int_eq(c->ack_at, T(NOW));
	ck_assert_int_eq(c->last_contact_at, T(NOW));

	/* pause and resume: the pause is kept, the fields for the next one cleared */
	complaint_free(c);
	c = ready(S(EXTENDED_30));
	ck_assert_int_eq(complaint_apply(c, A(PAUSE), cd, T("2026-03-11 11:00"), NULL), 0);
	ck_assert_int_eq(c->n_pauses, 1);
	ck_assert_int_eq(c->pauses[0].start, T("2026-03-11 11:00"));
	ck_assert_int_eq(c->pauses[0].end, 0);
	ck_assert_int_eq(c->pauses[0].reason, COMPLAINT_PAUSE_APPRAISAL);
	ck_assert_int_eq(complaint_apply(c, A(RESUME), cd, T("2026-03-12 09:00"), NULL), 0);
	ck_assert_int_eq(c->state, S(EXTENDED_30));
	ck_assert_int_eq(c->pauses[0].end, T("2026-03-12 09:00"));
	ck_assert_int_eq(c->pause_reason, COMPLAINT_PAUSE_NONE);
	ck_assert_int_eq(complaint_can(c, A(PAUSE), cd, T(NOW), NULL),
	    COMPLAINT_W_PAUSE_REASON);

	/* the customer's answer goes back to the 60-day extension */
	complaint_free(c);
	c = ready(S(EXTENDED_60));
	ck_assert_int_eq(complaint_apply(c, A(AWAIT), cd, T(NOW), NULL), 0);
	ck_assert_int_eq(complaint_apply(c, A(REPLIED), cd, T(NOW), NULL), 0);
	ck_assert_int_eq(c->state, S(EXTENDED_60));

	/* extension levels */
	complaint_free(c);
	c = ready(S(INVESTIGATING));
	ck_assert_int_eq(complaint_apply(c, A(EXTEND), cd, T(NOW), NULL), 0);
	ck_assert_int_eq(c->extension_level, 1);
	ck_assert_int_eq(complaint_apply(c, A(EXTEND_SPECIAL), cd, T(NOW), NULL), 0);
	ck_assert_int_eq(c->extension_level, 2);

	/* mediation without agreement */
	complaint_free(c);
	c = ready(S(MEDIATION));
	set(c, CF_mediation_result, "failed");
	ck_assert_int_eq(complaint_apply(c, A(MEDIATION_END), cd, T(NOW), NULL), 0);
	ck_assert_int_eq(c->state, S(MEDIATION_FAILED));

	/* not accepted, but the review window passed: it may close */
	complaint_free(c);
	c = ready(S(NOTIFIED));
	set(c, CF_accepted, "0");
	set(c, CF_satisfaction, "");
	ck_assert_int_eq(complaint_apply(c, A(CLOSE), cd, T("2026-04-10 00:00"), NULL), 0);
	ck_assert_int_eq(c->closed_at, T("2026-04-10 00:00"));

	/* new facts: the legal clock restarts at their receipt, the decision is redone */
	set(c, CF_new_facts_at, "2026-04-11 08:00");
	ck_assert_int_eq(complaint_apply(c, A(NEW_FACTS), cd, T("2026-04-11 09:00"), NULL), 0);
	ck_assert_int_eq(c->state, S(INVESTIGATING));
	ck_assert_int_eq(c->clock_start, T("2026-04-11 08:00"));
	ck_assert_int_eq(c->outcome, COMPLAINT_OUTCOME_NONE);
	ck_assert_int_eq(c->notified_at, 0);
	ck_assert_int_eq(c->closed_at, 0);
	ck_assert_int_eq(complaint_can(c, A(DECIDE), cd, T("2026-04-11 09:00"), NULL),
	    COMPLAINT_W_OUTCOME);
	complaint_free(c);
}
END_TEST

/* ---- clocks --------------------------------------------------------------------------- */

static const struct deadline {
	const char *what;
	enum complaint_state state;
	const char *received;
	int level;
	const char *start;      /* ack_at (UPDATE), notified_at (REVIEW_WINDOW),
	                           review_requested_at (REVIEW_DECISION), clock_start
	                           (DECISION, new facts); NULL: none */
	const char *pause_from, *pause_to; /* pause_to "" : still paused */
	bool with_data;
	const char *now;
	enum complaint_clock_kind kind;
	const char *due;
	enum complaint_clock_status status;
} deadlines[] = {
	{ "ack: Friday, next working day Monday", S(RECEIVED), "2026-03-06 15:00", 0, NULL,
	  NULL, NULL, true, "2026-03-06 16:00", COMPLAINT_CLOCK_ACK, "2026-03-10 00:00",
	  COMPLAINT_CLOCK_OK },
	{ "ack: a make-up Saturday works", S(REGISTERED), "2026-02-13 15:00", 0, NULL,
	  NULL, NULL, true, "2026-02-13 16:00", COMPLAINT_CLOCK_ACK, "2026-02-15 00:00",
	  COMPLAINT_CLOCK_OK },
	{ "ack: the same without the calendar", S(REGISTERED), "2026-02-13 15:00", 0, NULL,
	  NULL, NULL, false, "2026-02-13 16:00", COMPLAINT_CLOCK_ACK, "2026-02-17 00:00",
	  COMPLAINT_CLOCK_OK },
	{ "ack: Spring Festival", S(RECEIVED), "2026-02-14 10:00", 0, NULL, NULL, NULL,
	  true, "2026-02-20 10:00", COMPLAINT_CLOCK_ACK, "2026-02-25 00:00",
	  COMPLAINT_CLOCK_OK },
	{ "ack: National Day", S(RECEIVED), "2026-09-30 10:00", 0, NULL, NULL, NULL, true,
	  "2026-10-01 10:00", COMPLAINT_CLOCK_ACK, "2026-10-09 00:00", COMPLAINT_CLOCK_OK },
	{ "ack: make-up Saturday after National Day", S(RECEIVED), "2026-10-09 10:00", 0,
	  NULL, NULL, NULL, true, "2026-10-09 11:00", COMPLAINT_CLOCK_ACK, "2026-10-11 00:00",
	  COMPLAINT_CLOCK_OK },
	{ "ack: over New Year into 2027", S(RECEIVED), "2026-12-31 10:00", 0, NULL, NULL,
	  NULL, true, "2026-12-31 11:00", COMPLAINT_CLOCK_ACK, "2027-01-05 00:00",
	  COMPLAINT_CLOCK_OK },
	{ "ack: below 80%", S(RECEIVED), "2026-03-02 10:00", 0, NULL, NULL, NULL, true,
	  "2026-03-03 16:00", COMPLAINT_CLOCK_ACK, "2026-03-04 00:00", COMPLAINT_CLOCK_OK },
	{ "ack: 80% used", S(RECEIVED), "2026-03-02 10:00", 0, NULL, NULL, NULL, true,
	  "2026-03-03 16:30", COMPLAINT_CLOCK_ACK, "2026-03-04 00:00", COMPLAINT_CLOCK_AMBER },
	{ "ack: overdue", S(RECEIVED), "2026-03-02 10:00", 0, NULL, NULL, NULL, true,
	  "2026-03-04 00:00", COMPLAINT_CLOCK_ACK, "2026-03-04 00:00", COMPLAINT_CLOCK_RED },
	{ "update: 3 days after the acknowledgement", S(ACKNOWLEDGED), "2026-03-02 10:00",
	  0, "2026-03-02 12:00", NULL, NULL, true, "2026-03-03 12:00", COMPLAINT_CLOCK_UPDATE,
	  "2026-03-06 00:00", COMPLAINT_CLOCK_OK },
	{ "decision: 15 days", S(INVESTIGATING), "2026-03-02 10:00", 0, NULL, NULL, NULL,
	  true, "2026-03-05 10:00", COMPLAINT_CLOCK_DECISION, "2026-03-18 00:00",
	  COMPLAINT_CLOCK_OK },
	{ "decision: extended to 30", S(EXTENDED_30), "2026-03-02 10:00", 1, NULL, NULL, NULL,
	  true, "2026-03-20 10:00", COMPLAINT_CLOCK_DECISION, "2026-04-02 00:00",
	  COMPLAINT_CLOCK_OK },
	{ "decision: extended to 60", S(EXTENDED_60), "2026-03-02 10:00", 2, NULL, NULL, NULL,
	  true, "2026-04-20 10:00", COMPLAINT_CLOCK_DECISION, "2026-05-02 00:00",
	  COMPLAINT_CLOCK_AMBER },
	{ "decision: just below 80%", S(INVESTIGATING), "2026-03-02 10:00", 0, NULL, NULL,
	  NULL, true, "2026-03-14 21:00", COMPLAINT_CLOCK_DECISION, "2026-03-18 00:00",
	  COMPLAINT_CLOCK_OK },
	{ "decision: just past 80%", S(INVESTIGATING), "2026-03-02 10:00", 0, NULL, NULL,
	  NULL, true, "2026-03-14 21:30", COMPLAINT_CLOCK_DECISION, "2026-03-18 00:00",
	  COMPLAINT_CLOCK_AMBER },
	{ "decision: last minute", S(INVESTIGATING), "2026-03-02 10:00", 0, NULL, NULL, NULL,
	  true, "2026-03-17 23:59", COMPLAINT_CLOCK_DECISION, "2026-03-18 00:00",
	  COMPLAINT_CLOCK_AMBER },
	{ "decision: overdue", S(AWAITING), "2026-03-02 10:00", 0, NULL, NULL, NULL, true,
	  "2026-03-18 00:00", COMPLAINT_CLOCK_DECISION, "2026-03-18 00:00",
	  COMPLAINT_CLOCK_RED },
	{ "decision: calendar days, holidays count", S(INVESTIGATING), "2026-09-28 10:00", 0,
	  NULL, NULL, NULL, true, "2026-09-29 10:00", COMPLAINT_CLOCK_DECISION,
	  "2026-10-14 00:00", COMPLAINT_CLOCK_OK },
	{ "decision: a 3-day pause moves it 3 days", S(INVESTIGATING), "2026-03-02 10:00", 0,
	  NULL, "2026-03-05 09:00", "2026-03-08 15:00", true, "2026-03-10 10:00",
	  COMPLAINT_CLOCK_DECISION, "2026-03-21 00:00", COMPLAINT_CLOCK_OK },
	{ "decision: stands still while paused", S(PAUSED), "2026-03-02 10:00", 0, NULL,
	  "2026-03-05 09:00", "", true, "2026-03-10 12:00", COMPLAINT_CLOCK_DECISION,
	  "2026-03-23 00:00", COMPLAINT_CLOCK_OK },
	{ "decision: a pause within one day costs none", S(INVESTIGATING), "2026-03-02 10:00",
	  0, NULL, "2026-03-05 09:00", "2026-03-05 17:00", true, "2026-03-10 10:00",
	  COMPLAINT_CLOCK_DECISION, "2026-03-18 00:00", COMPLAINT_CLOCK_OK },
	{ "decision: new facts restart it, old pauses drop", S(INVESTIGATING),
	  "2026-03-02 10:00", 0, "2026-04-10 08:00", "2026-03-05 09:00", "2026-03-08 15:00",
	  true, "2026-04-11 10:00", COMPLAINT_CLOCK_DECISION, "2026-04-26 00:00",
	  COMPLAINT_CLOCK_OK },
	{ "review window: 30 days after the notice", S(NOTIFIED), "2026-03-02 10:00", 0,
	  "2026-03-16 14:00", NULL, NULL, true, "2026-04-01 10:00",
	  COMPLAINT_CLOCK_REVIEW_WINDOW, "2026-04-16 00:00", COMPLAINT_CLOCK_OK },
	{ "review window: over", S(NOTIFIED), "2026-03-02 10:00", 0, "2026-03-16 14:00", NULL,
	  NULL, true, "2026-04-16 00:00", COMPLAINT_CLOCK_REVIEW_WINDOW, "2026-04-16 00:00",
	  COMPLAINT_CLOCK_RED },
	{ "review decision: 30 days after the request", S(REVIEW), "2026-03-02 10:00", 0,
	  "2026-03-20 09:00", NULL, NULL, true, "2026-04-15 09:00",
	  COMPLAINT_CLOCK_REVIEW_DECISION, "2026-04-20 00:00", COMPLAINT_CLOCK_AMBER },
};

START_TEST(deadline_table)
{
	const struct deadline *r = &deadlines[_i];
	struct complaint *c = complaint_new(T(r->received));
	c->state = r->state;
	c->extension_level = r->level;
	if (r->start != NULL) {
		int64_t t = T(r->start);
		switch (r->kind) {
		case COMPLAINT_CLOCK_UPDATE:
			c->ack_at = t;
			break;
		case COMPLAINT_CLOCK_REVIEW_WINDOW:
			c->notified_at = t;
			break;
		case COMPLAINT_CLOCK_REVIEW_DECISION:
			c->review_requested_at = t;
			break;
		default:
			c->clock_start = t;
			break;
		}
	}
	if (r->pause_from != NULL) {
		c->pauses = xcalloc(1, sizeof *c->pauses);
		c->pauses[0] = (struct complaint_pause){ COMPLAINT_PAUSE_TESTING, T(r->pause_from),
			r->pause_to[0] != '\0' ? T(r->pause_to) : 0, T(r->pause_from) };
		c->n_pauses = 1;
	}
	struct complaint_clock k[COMPLAINT_CLOCK_COUNT];
	complaint_clocks(c, r->with_data ? cd : NULL, T(r->now), k);
	char due[24];
	complaint_time_format(due, sizeof due, k[r->kind].due);
	ck_assert_msg(k[r->kind].due == T(r->due), "%s: due %s, want %s", r->what, due, r->due);
	ck_assert_msg(k[r->kind].status == r->status, "%s: status %d, want %d", r->what,
	    k[r->kind].status, r->status);
	if (r->state == S(PAUSED))
		ck_assert(k[COMPLAINT_CLOCK_DECISION].stopped);
	complaint_free(c);
}
END_TEST

START_TEST(clocks_by_state)
{
	struct complaint *c = ready(S(RECEIVED));
	struct complaint_clock k;
	/* received: ack and decision run, the ack is due first */
	ck_assert_int_eq(complaint_clock_nearest(c, cd, T(NOW), &k), COMPLAINT_CLOCK_ACK);
	c->state = S(INVESTIGATING);
	c->ack_at = T("2026-03-02 12:00");
	c->last_contact_at = T("2026-03-11 12:00");
	ck_assert_int_eq(complaint_clock_nearest(c, cd, T(NOW), &k), COMPLAINT_CLOCK_UPDATE);
	ck_assert_int_eq(k.due, T("2026-03-15 00:00"));
	c->state = S(DECIDED);
	struct complaint_clock all[COMPLAINT_CLOCK_COUNT];
	complaint_clocks(c, cd, T(NOW), all);
	ck_assert_int_eq(all[COMPLAINT_CLOCK_DECISION].status, COMPLAINT_CLOCK_OFF);
	ck_assert_int_ne(all[COMPLAINT_CLOCK_UPDATE].status, COMPLAINT_CLOCK_OFF);
	for (int s = 0; s < COMPLAINT_STATE_COUNT; s++) {
		c->state = s;
		int n = complaint_clock_nearest(c, cd, T(NOW), NULL);
		if (!open_state(s) || s == S(MEDIATION) || s == S(MEDIATED) ||
		    s == S(MEDIATION_FAILED) || s == S(REVIEW_DECIDED))
			ck_assert_msg(n == -1, "%s runs clock %d", complaint_state_name(s), n);
		else
			ck_assert_msg(n >= 0, "%s runs no clock", complaint_state_name(s));
	}
	complaint_free(c);
}
END_TEST

START_TEST(working_days_2026)
{
	struct { const char *day; bool working; } days[] = {
		{ "2026-01-01", false }, { "2026-01-04", true }, { "2026-01-05", true },
		{ "2026-02-14", true }, { "2026-02-15", false }, { "2026-02-23", false },
		{ "2026-02-24", true }, { "2026-02-28", true }, { "2026-03-01", false },
		{ "2026-04-06", false }, { "2026-05-05", false }, { "2026-05-09", true },
		{ "2026-06-19", false }, { "2026-09-20", true }, { "2026-09-25", false },
		{ "2026-10-07", false }, { "2026-10-08", true }, { "2026-10-10", true },
		{ "2026-10-11", false }, { "2027-02-05", false }, { "2027-02-09", true },
		{ "2027-10-01", false },
	};
	ck_assert_int_eq(cd->n_holidays, 46);
	ck_assert_int_eq(cd->n_workdays, 6);
	for (size_t i = 0; i < ARRAY_LEN(days); i++) {
		int64_t day = civil_days_from_date(atoi(days[i].day), atoi(days[i].day + 5),
		    atoi(days[i].day + 8));
		ck_assert_msg(complaint_working_day(cd, day) == days[i].working, "%s",
		    days[i].day);
	}
	/* three working days after the Friday before National Day's make-up Sunday */
	ck_assert_int_eq(complaint_add_working_days(cd, T("2026-09-18 10:00"), 3),
	    T("2026-09-23 00:00"));
	ck_assert_int_eq(complaint_add_working_days(NULL, T("2026-09-18 10:00"), 3),
	    T("2026-09-24 00:00"));
}
END_TEST

/* ---- values, serialisation ------------------------------------------------------------ */

START_TEST(text_forms)
{
	char buf[32];
	int64_t fen;

	complaint_time_format(buf, sizeof buf, T("2026-03-02 10:05:09"));
	ck_assert_str_eq(buf, "2026-03-02 10:05:09");
	ck_assert_int_eq(T("2026-03-02"), T("2026-03-02 00:00:00"));
	/* China time: 16:00 UTC is midnight */
	ck_assert_int_eq(T("2026-03-03"), civil_days_from_date(2026, 3, 3) * 86400000 -
	    8 * 3600000);
	ck_assert_int_eq(complaint_time_parse("2026-02-30"), -1);
	ck_assert_int_eq(complaint_time_parse("2026-3-02"), -1);
	ck_assert_int_eq(complaint_time_parse("2026-03-02T10:00"), -1);
	ck_assert_int_eq(complaint_time_parse("2026-03-02 24:00"), -1);
	ck_assert_int_eq(complaint_money_parse("12.5", &fen), 0);
	ck_assert_int_eq(fen, 1250);
	ck_assert_int_eq(complaint_money_parse("300", &fen), 0);
	ck_assert_int_eq(fen, 30000);
	ck_assert_int_eq(complaint_money_parse("1.234", &fen), -1);
	ck_assert_int_eq(complaint_money_parse("-1", &fen), -1);
	ck_assert_int_eq(complaint_money_parse("", &fen), -1);
	complaint_money_format(buf, sizeof buf, 123405);
	ck_assert_str_eq(buf, "1234.05");

	struct complaint *c = complaint_new(T("2026-03-02 10:00"));
	ck_assert_int_eq(complaint_field_set(c, CF_rights, "respect,information"), 0);
	ck_assert_int_eq(c->rights, (1 << COMPLAINT_RIGHT_INFORMATION) |
	    (1 << COMPLAINT_RIGHT_RESPECT));
	char *s = complaint_field_get(c, CF_rights);
	ck_assert_str_eq(s, "information,respect");
	free(s);
	ck_assert_int_eq(complaint_field_set(c, CF_rights, "courage"), COMPLAINT_E_FORMAT);
	ck_assert_int_eq(complaint_field_set(c, CF_channel, "pigeon"), COMPLAINT_E_FORMAT);
	ck_assert_int_eq(complaint_field_set(c, CF_channel, "walk_in"), 0);
	ck_assert_int_eq(c->channel, COMPLAINT_CHANNEL_WALK_IN);
	s = complaint_field_get(c, CF_ticket_id);
	ck_assert_str_eq(s, "");        /* CF_OPT: 0 is none */
	free(s);
	s = complaint_field_get(c, CF_state);
	ck_assert_str_eq(s, "received");
	free(s);
	ck_assert_int_eq(complaint_field_by_name("facts"), CF_facts);
	ck_assert_int_eq(complaint_field_by_name("nope"), -1);
	complaint_free(c);

	char no[COMPLAINT_NUMBER_LEN + 1];
	complaint_number_format(no, sizeof no, T("2026-03-02 23:30"), 123);
	ck_assert_str_eq(no, "TS-20260302-000123");
	ck_assert(complaint_number_valid(no));
	ck_assert(!complaint_number_valid("TS-20260302-000000"));
	ck_assert(!complaint_number_valid("TS-2026030-0000001"));
}
END_TEST

START_TEST(encode_decode_round_trip)
{
	struct complaint *c = ready(S(PAUSED));
	set(c, CF_grounds, "第一行\n第二行 \\n 不是换行\r\n全角，逗号＂引号＂");
	set(c, CF_ticket_timeline, "10:02 created\n10:05 dispatch 湘A·T1234\n");
	set(c, CF_amount_claimed, "300.50");
	char *text = complaint_encode(c);
	ck_assert_ptr_null(strchr(text, '\r'));
	struct complaint *d = complaint_decode(text);
	ck_assert_ptr_nonnull(d);
	for (int f = 0; f < COMPLAINT_FIELD_COUNT; f++)
		ck_assert_msg(complaint_field_equal(c, d, f), "%s differs",
		    complaint_field_info(f)->name);
	ck_assert_int_eq(d->n_pauses, 1);
	ck_assert_mem_eq(d->pauses, c->pauses, sizeof *c->pauses);
	char *again = complaint_encode(d);
	ck_assert_str_eq(text, again);
	free(again);
	free(text);
	complaint_free(d);
	complaint_free(c);

	ck_assert_ptr_null(complaint_decode("nosuchfield=1\n"));
	ck_assert_ptr_null(complaint_decode("channel=pigeon\n"));
	ck_assert_ptr_null(complaint_decode("facts=bad \\q escape\n"));
	ck_assert_ptr_null(complaint_decode("pause=appraisal,1,2\n"));
	ck_assert_ptr_null(complaint_decode("just text\n"));
	struct complaint *e = complaint_decode("");
	ck_assert_ptr_nonnull(e);
	complaint_free(e);
}
END_TEST

static int n_keys;

static void
count_key(void *user, const char *key)
{
	(void)user;
	ck_assert_msg(strncmp(key, "complaint.", 10) == 0, "%s", key);
	n_keys++;
}

START_TEST(catalog_keys)
{
	n_keys = 0;
	complaint_catalog_keys(count_key, NULL);
	ck_assert_int_gt(n_keys, COMPLAINT_FIELD_COUNT + COMPLAINT_ERROR_COUNT);
	for (int e = 1; e < COMPLAINT_ERROR_COUNT; e++)
		ck_assert(strncmp(complaint_error_key(e), "complaint.", 10) == 0);
	ck_assert_str_eq(complaint_error_key(COMPLAINT_ERROR_COUNT), "?");
}
END_TEST

/* ---- who may change what (issue 11) ---------------------------------------------------- */

/* Apply "field=value;field=value" to c (value may be empty: cleared). */
static void
apply_sets(struct complaint *c, const char *sets)
{
	char buf[512], *save = NULL;
	snprintf(buf, sizeof buf, "%s", sets);
	for (char *kv = strtok_r(buf, ";", &save); kv != NULL; kv = strtok_r(NULL, ";", &save)) {
		char *eq = strchr(kv, '=');
		ck_assert_ptr_nonnull(eq);
		*eq = '\0';
		int f = complaint_field_by_name(kv);
		ck_assert_msg(f >= 0, "no field %s", kv);
		if (f == CF_extension_level)
			c->extension_level = atoi(eq + 1);
		else
			set(c, f, eq + 1);
	}
}

/* A change from old (NULL: none, a new record) to new, each a list of sets over one base
 * record, sent by user "li" of the role: the answer and the field it names. */
static const struct {
	const char *what;
	const char *old, *new;
	enum complaint_role role;
	int want, field;
	int64_t limit;
} changes[] = {
	{ "agent saves a plain edit", "", "facts=more facts", COMPLAINT_ROLE_AGENT,
	  COMPLAINT_OK, -1, 0 },
	{ "agent registers a new record", NULL, "", COMPLAINT_ROLE_AGENT, COMPLAINT_OK, -1, 0 },
	{ "agent extends to 30 days", "",
	  "extension_level=1;extension_approver=li", COMPLAINT_ROLE_AGENT,
	  COMPLAINT_E_NEEDS_SUPERVISOR, CF_extension_level, 0 },
	{ "agent extends to 60 days", "extension_level=1;extension_approver=wang",
	  "extension_level=2;extension_approver=wang", COMPLAINT_ROLE_AGENT,
	  COMPLAINT_E_NEEDS_SUPERVISOR, CF_extension_level, 0 },
	{ "agent writes an approver's name", "", "extension_approver=wang",
	  COMPLAINT_ROLE_AGENT, COMPLAINT_E_NEEDS_SUPERVISOR, CF_extension_approver, 0 },
	{ "supervisor extends to 30 days", "",
	  "extension_level=1;extension_approver=li", COMPLAINT_ROLE_SUPERVISOR,
	  COMPLAINT_OK, -1, 0 },
	{ "supervisor extends in another's name", "",
	  "extension_level=1;extension_approver=wang", COMPLAINT_ROLE_SUPERVISOR,
	  COMPLAINT_E_APPROVER_SENDER, CF_extension_approver, 0 },
	{ "supervisor extends to 60 under an old approval", "extension_level=1;extension_approver=wang",
	  "extension_level=2;extension_approver=wang", COMPLAINT_ROLE_SUPERVISOR,
	  COMPLAINT_E_APPROVER_SENDER, CF_extension_approver, 0 },
	{ "agent saves again what a supervisor extended", "extension_level=1;extension_approver=wang",
	  "extension_level=1;extension_approver=wang;facts=more", COMPLAINT_ROLE_AGENT,
	  COMPLAINT_OK, -1, 0 },
	{ "agent's goodwill at the limit", "",
	  "goodwill=200.00;goodwill_approver=li;goodwill_role=agent", COMPLAINT_ROLE_AGENT,
	  COMPLAINT_OK, -1, 0 },
	{ "agent's goodwill a fen past the limit", "",
	  "goodwill=200.01;goodwill_approver=li;goodwill_role=agent", COMPLAINT_ROLE_AGENT,
	  COMPLAINT_E_NEEDS_SUPERVISOR, CF_goodwill, 20000 },
	{ "agent's goodwill named as a supervisor's", "",
	  "goodwill=150.00;goodwill_approver=li;goodwill_role=supervisor", COMPLAINT_ROLE_AGENT,
	  COMPLAINT_E_APPROVER_ROLE, CF_goodwill_role, 0 },
	{ "agent's goodwill in another's name", "",
	  "goodwill=150.00;goodwill_approver=wang;goodwill_role=agent", COMPLAINT_ROLE_AGENT,
	  COMPLAINT_E_APPROVER_SENDER, CF_goodwill_approver, 0 },
	{ "supervisor's goodwill past the agent's limit", "",
	  "goodwill=1000.00;goodwill_approver=li;goodwill_role=supervisor",
	  COMPLAINT_ROLE_SUPERVISOR, COMPLAINT_OK, -1, 0 },
	{ "agent saves again a supervisor's goodwill",
	  "goodwill=1000.00;goodwill_approver=wang;goodwill_role=supervisor",
	  "goodwill=1000.00;goodwill_approver=wang;goodwill_role=supervisor;facts=more",
	  COMPLAINT_ROLE_AGENT, COMPLAINT_OK, -1, 0 },
	{ "agent lowers a supervisor's goodwill, still past the limit",
	  "goodwill=1000.00;goodwill_approver=wang;goodwill_role=supervisor",
	  "goodwill=900.00;goodwill_approver=wang;goodwill_role=supervisor",
	  COMPLAINT_ROLE_AGENT, COMPLAINT_E_NEEDS_SUPERVISOR, CF_goodwill, 20000 },
	{ "agent re-signs a supervisor's goodwill",
	  "goodwill=1000.00;goodwill_approver=wang;goodwill_role=supervisor",
	  "goodwill=1000.00;goodwill_approver=li;goodwill_role=agent",
	  COMPLAINT_ROLE_AGENT, COMPLAINT_E_NEEDS_SUPERVISOR, CF_goodwill, 20000 },
	{ "a masked phone saved back", "", "phone=138****5678", COMPLAINT_ROLE_SUPERVISOR,
	  COMPLAINT_E_MASKED, CF_phone, 0 },
	{ "a masked name saved back", "", "name=张*", COMPLAINT_ROLE_SUPERVISOR,
	  COMPLAINT_E_MASKED, CF_name, 0 },
	{ "masked facts saved back", "", "facts=***", COMPLAINT_ROLE_SUPERVISOR,
	  COMPLAINT_E_MASKED, CF_facts, 0 },
	{ "a new phone typed", "", "phone=13900001111", COMPLAINT_ROLE_AGENT,
	  COMPLAINT_OK, -1, 0 },
};

START_TEST(change_needs_role)
{
	struct complaint *base = ready(S(INVESTIGATING)), *old = NULL, *c;
	struct complaint_need need;

	set(base, CF_extension_approver, "");
	c = complaint_copy(base);
	if (changes[_i].old != NULL) {
		old = complaint_copy(base);
		apply_sets(old, changes[_i].old);
		apply_sets(c, changes[_i].old);
	}
	apply_sets(c, changes[_i].new);
	int e = complaint_may_change(old, c, cd, changes[_i].role, "li", &need);
	ck_assert_msg(e == changes[_i].want && need.field == changes[_i].field,
	    "%s: %s at %d, want %s at %d", changes[_i].what, complaint_error_key(e), need.field,
	    complaint_error_key(changes[_i].want), changes[_i].field);
	if (e == COMPLAINT_E_NEEDS_SUPERVISOR) {
		ck_assert_int_eq(need.role, COMPLAINT_ROLE_SUPERVISOR);
		ck_assert_int_eq(need.limit, changes[_i].limit);
		ck_assert_int_eq(complaint_needs_role(old, c, cd, NULL), COMPLAINT_ROLE_SUPERVISOR);
	}
	complaint_free(old);
	complaint_free(c);
	complaint_free(base);
}
END_TEST

/* Without a limit for agents every payment needs a supervisor. */
START_TEST(no_agent_limit)
{
	struct complaint *c = ready(S(INVESTIGATING));
	struct complaint_need need;
	set(c, CF_extension_approver, "");
	set(c, CF_goodwill, "0.01");
	ck_assert_int_eq(complaint_needs_role(NULL, c, NULL, &need), COMPLAINT_ROLE_SUPERVISOR);
	ck_assert_int_eq(need.field, CF_goodwill);
	ck_assert_int_eq(need.limit, 0);
	ck_assert_str_eq(complaint_role_name(COMPLAINT_ROLE_SUPERVISOR), "supervisor");
	ck_assert_str_eq(complaint_role_name(COMPLAINT_ROLE_COUNT), "?");
	complaint_free(c);
}
END_TEST

START_TEST(masking)
{
	struct complaint *c = ready(S(INVESTIGATING));
	set(c, CF_id_no, "430102199001011234");
	set(c, CF_address, "长沙市岳麓区麓山南路 1 号");
	set(c, CF_agent_name, "Wang Wei");
	set(c, CF_agent_phone, "+86 138-1234-5678");
	set(c, CF_agent_id_no, "123");
	struct complaint *m = complaint_masked(c);
	ck_assert_str_eq(m->name, "张*");
	ck_assert_str_eq(m->phone, "138****5678");
	ck_assert_str_eq(m->id_no, "**************1234");
	ck_assert_str_eq(m->address, "***");
	ck_assert_str_eq(m->agent_name, "W*");
	ck_assert_str_eq(m->agent_id_no, "***");
	ck_assert_str_eq(m->facts, "***");
	ck_assert_str_eq(m->decision_basis, "***");
	/* what lists and boards read stays */
	ck_assert_str_eq(m->number, c->number);
	ck_assert_str_eq(m->supplier, c->supplier);
	ck_assert_str_eq(m->handler, c->handler);
	ck_assert_str_eq(m->plate, c->plate);
	ck_assert_str_eq(m->extension_approver, c->extension_approver);
	ck_assert_int_eq(m->state, c->state);
	char *text = complaint_encode(m), out[8];
	ck_assert_ptr_null(strstr(text, "13812345678"));
	free(text);
	ticket_mask_name("张三", out, 4); /* 3 bytes and '*' do not fit with the NUL */
	ck_assert_str_eq(out, "");
	ticket_mask_name("张三", out, 5);
	ck_assert_str_eq(out, "张*");
	ticket_mask_name("", out, sizeof out);
	ck_assert_str_eq(out, "");
	/* masking a masked record changes nothing */
	struct complaint *mm = complaint_masked(m);
	char *a = complaint_encode(m), *b = complaint_encode(mm);
	ck_assert_str_eq(a, b);
	free(a);
	free(b);
	/* the masked copy saved back over the raw one is caught; the raw one is not */
	ck_assert_int_eq(complaint_masked_field(c, m), CF_name);
	ck_assert_int_eq(complaint_masked_field(c, c), -1);
	ck_assert_int_eq(complaint_masked_field(NULL, m), -1);
	ck_assert(!complaint_field_masked(CF_plate));
	ck_assert(complaint_field_masked(CF_ticket_timeline));
	complaint_free(mm);
	complaint_free(m);
	complaint_free(c);
}
END_TEST

/* ---- the loader ----------------------------------------------------------------------- */

START_TEST(real_data)
{
	ck_assert_int_eq(cd->policy.ack_working_days, 1);
	ck_assert_int_eq(cd->policy.decision_days[2], 60);
	ck_assert_int_eq(cd->policy.amber_pct, 80);
	const struct complaint_cause *r = complaint_data_cause(cd, "R04");
	ck_assert_ptr_nonnull(r);
	ck_assert_int_eq(r->business, COMPLAINT_BUSINESS_ROADSIDE);
	ck_assert_str_eq(r->name_zh, "车辆二次损坏");
	ck_assert_int_eq(r->rights, (1u << COMPLAINT_RIGHT_PROPERTY) |
	    (1u << COMPLAINT_RIGHT_REDRESS));
	ck_assert_ptr_nonnull(complaint_data_org(cd, "qingdao"));
	ck_assert_ptr_null(complaint_data_org(cd, "nowhere"));
	for (size_t i = 1; i < cd->n_limits; i++)
		ck_assert(cd->limits[i - 1].max_fen <= cd->limits[i].max_fen);
}
END_TEST

static char tmpdir[64];

static void
write_file(const char *name, const char *text)
{
	char path[128];
	snprintf(path, sizeof path, "%s/%s", tmpdir, name);
	FILE *f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

#define GOOD_COMPLAINTS "[clocks]\nack_working_days = 2\n[limits]\nagent = 100\n" \
	"[cause]\ncode = R01\nbusiness = roadside\nname = Late\nname_zh = 迟到\n"
#define GOOD_HOLIDAYS "[holiday]\nname = x\nfrom = 2026-10-01\nto = 2026-10-07\n" \
	"work = 2026-09-20, 2026-10-10\n"
#define GOOD_MEDIATION "[org]\nid = a\nname = A\nname_zh = 甲\n"

static const struct bad_file {
	const char *file, *text, *cause;
} bad_files[] = {
	{ "complaints.ini", "[clocks]\nfoo = 1\n", "complaints.ini:2: [clocks] foo: unknown key" },
	{ "complaints.ini", "[clocks]\namber_pct = 100\n",
	  "complaints.ini:2: [clocks] amber_pct: not a whole number in 1..99" },
	{ "complaints.ini", "[clocks]\nupdate_days = 2\nupdate_days = 3\n",
	  "complaints.ini:3: [clocks] update_days: repeated" },
	{ "complaints.ini", "[limits]\nagent = 1\nagent = 2\n",
	  "complaints.ini:3: [limits] agent: repeated" },
	{ "complaints.ini", "[limits]\nAgent = 1\n", "complaints.ini:2: [limits] Agent: a role" },
	{ "complaints.ini", "[limits]\nagent = ten\n",
	  "complaints.ini:2: [limits] agent: not an amount" },
	{ "complaints.ini", GOOD_COMPLAINTS "[cause]\ncode = R02\nbusiness = rescue\n",
	  "complaints.ini:12: [cause] business: rescue is no business type" },
	{ "complaints.ini", GOOD_COMPLAINTS "[cause]\ncode = R02\nname = x\n",
	  "complaints.ini:10: [cause] needs code, business, name and name_zh" },
	{ "complaints.ini", GOOD_COMPLAINTS "[cause]\ncode = R01\nbusiness = roadside\n"
	  "name = a\nname_zh = b\n", "complaints.ini:10: [cause] code R01: used twice" },
	{ "complaints.ini", GOOD_COMPLAINTS "[cause]\ncode = r03\n",
	  "complaints.ini:11: [cause] code: A-Z 0-9" },
	{ "complaints.ini", GOOD_COMPLAINTS "[cause]\nrights = courage\n",
	  "complaints.ini:11: [cause] rights: a comma list" },
	{ "complaints.ini", "ack_working_days = 1\n",
	  "complaints.ini:1: ack_working_days: key before the first section" },
	{ "complaints.ini", "[clock]\n", "complaints.ini:1: [clock]: unknown section" },
	{ "complaints.ini", "[clocks]\nthis line\n", "complaints.ini:2: syntax error" },
	{ "complaints.ini", GOOD_COMPLAINTS "[clocks]\ndecision_days = 40\n",
	  "decision_days <= extended_days <= special_days" },
	{ "complaints.ini", "[clocks]\n", "complaints.ini needs a [cause] and [limits]" },
	{ "holidays.ini", "[holiday]\nname = x\nfrom = 2026-10-07\nto = 2026-10-01\n",
	  "holidays.ini:4: [holiday] to: before from" },
	{ "holidays.ini", "[holiday]\nname = x\nfrom = 2026-10-01\nto = 2026-10-30\n",
	  "holidays.ini:4: [holiday] to: longer than 14 days" },
	{ "holidays.ini", "[holiday]\nname = x\nfrom = 2026-02-15\nto = 9999-12-31\n",
	  "holidays.ini:4: [holiday] to: longer than 14 days" },
	{ "holidays.ini", "[holiday]\nname = x\nfrom = 2026-02-30\n",
	  "holidays.ini:3: [holiday] from: not a date" },
	{ "holidays.ini", "[holiday]\nname = x\nfrom = 2026-10-01\nwork = 2026-10-12\n",
	  "holidays.ini:4: [holiday] work: 2026-10-12 is a weekday already" },
	{ "holidays.ini", "[holiday]\nname = x\nfrom = 2026-10-01\nwork = 2026-10-10, soon\n",
	  "holidays.ini:4: [holiday] work: soon is not a date" },
	{ "holidays.ini", "[holiday]\nfrom = 2026-10-01\n",
	  "holidays.ini:1: [holiday] needs name and from" },
	{ "holidays.ini", GOOD_HOLIDAYS "[holiday]\nname = y\nfrom = 2026-10-03\n",
	  "holidays.ini: a day is in two [holiday]s" },
	{ "mediation.ini", GOOD_MEDIATION "[org]\nid = a\nname = B\nname_zh = 乙\n",
	  "mediation.ini:5: [org] id a: used twice" },
	{ "mediation.ini", "[org]\nid = a\nname = A\nname_zh = 甲\nphone = call me\n",
	  "mediation.ini:5: [org] phone: not a phone number" },
	{ "mediation.ini", "[org]\nid = a\nname = \nname_zh = 甲\n",
	  "mediation.ini:3: [org] name: not a name" },
	{ "mediation.ini", "", "mediation.ini an [org]" },
};

static void
tmp_setup(void)
{
	data_setup();
	snprintf(tmpdir, sizeof tmpdir, "/tmp/check-complaint-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
	write_file("complaints.ini", GOOD_COMPLAINTS);
	write_file("holidays.ini", GOOD_HOLIDAYS);
	write_file("mediation.ini", GOOD_MEDIATION);
}

static void
tmp_teardown(void)
{
	rd_remove_tree(tmpdir);
	data_teardown();
}

START_TEST(small_tree_loads)
{
	char *cause = NULL;
	struct complaint_data *d = data_complaints_load(tmpdir, &cause);
	ck_assert_msg(d != NULL, "%s", cause);
	ck_assert_int_eq(d->policy.ack_working_days, 2);
	ck_assert_int_eq(d->policy.update_days, 3);   /* default */
	ck_assert_int_eq(d->n_holidays, 7);
	ck_assert_int_eq(d->n_workdays, 2);
	ck_assert_int_eq(complaint_data_limit(d, "agent"), 10000);
	complaint_data_free(d);
}
END_TEST

START_TEST(bad_file_named_with_line)
{
	const struct bad_file *b = &bad_files[_i];
	char *cause = NULL;
	write_file(b->file, b->text);
	struct complaint_data *d = data_complaints_load(tmpdir, &cause);
	ck_assert_msg(d == NULL, "row %d loaded", _i);
	ck_assert_ptr_nonnull(cause);
	ck_assert_msg(strstr(cause, b->cause) != NULL, "row %d: cause \"%s\", want \"%s\"", _i,
	    cause, b->cause);
	free(cause);
}
END_TEST

START_TEST(missing_file)
{
	char *cause = NULL, path[128];
	snprintf(path, sizeof path, "%s/holidays.ini", tmpdir);
	unlink(path);
	ck_assert_ptr_null(data_complaints_load(tmpdir, &cause));
	ck_assert_ptr_nonnull(strstr(cause, "holidays.ini"));
	free(cause);
}
END_TEST

static Suite *
complaint_suite(void)
{
	Suite *s = suite_create("complaint");
	TCase *tc = tcase_create("model");
	tcase_add_checked_fixture(tc, data_setup, data_teardown);
	tcase_add_test(tc, ready_is_valid);
	tcase_add_test(tc, field_check_by_state);
	tcase_add_loop_test(tc, every_state_every_action, 0, COMPLAINT_STATE_COUNT);
	tcase_add_loop_test(tc, refused_with_reason, 0, (int)ARRAY_LEN(refusals));
	tcase_add_test(tc, goodwill_limits_per_role);
	tcase_add_loop_test(tc, change_needs_role, 0, (int)ARRAY_LEN(changes));
	tcase_add_test(tc, no_agent_limit);
	tcase_add_test(tc, masking);
	tcase_add_test(tc, effects_of_actions);
	tcase_add_loop_test(tc, deadline_table, 0, (int)ARRAY_LEN(deadlines));
	tcase_add_test(tc, clocks_by_state);
	tcase_add_test(tc, working_days_2026);
	tcase_add_test(tc, text_forms);
	tcase_add_test(tc, encode_decode_round_trip);
	tcase_add_test(tc, catalog_keys);
	tcase_add_test(tc, real_data);
	suite_add_tcase(s, tc);

	tc = tcase_create("loader");
	tcase_add_checked_fixture(tc, tmp_setup, tmp_teardown);
	tcase_add_test(tc, small_tree_loads);
	tcase_add_loop_test(tc, bad_file_named_with_line, 0, (int)ARRAY_LEN(bad_files));
	tcase_add_test(tc, missing_file);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return check_main(complaint_suite());
}
