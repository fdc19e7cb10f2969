/* check-survey.c: surveys and detractors' call-backs at the real broker (PROTOCOL.md 7.32,
 * 7.34, stats.kpi's survey keys 7.18), in tests/fixture-town.c's world on the manual clock
 * (10:00 China time at the start). Tickets in the hills, where agents dispatch, are closed
 * as phone fixes (resolved_remote).
 *
 *   - an answer for a ticket closed by phone or by a rescue is taken, logged as event "survey" (code survey,
 *     params score, comment, answered) and published with the ticket; a second one is
 *     conflict (survey_taken) even from another cmd_id;
 *   - refused: an open ticket, a cancelled one (invalid_state, survey_state), an unknown
 *     one (not_found), an answer stamped before the close or ahead of broker time
 *     (bad_request, field ts), one past survey_window_s (survey_late);
 *   - stats.kpi counts today's answers by class (by the China day of the answer's time, a
 *     ts given included), lists them newest first with surveys, rebuilds the counts after
 *     a restart, and starts afresh on the next China day; it lists the newest 500;
 *   - a detractor's answer raises a warning "detractor" (amber, promised = answer + 24 h,
 *     score); it stays after the ticket left the snapshots (keep_closed_min), turns red
 *     when due, survives a restart, is owned with warning.ack, and survey.done clears it
 *     (logged survey_done with its note); a second survey.done is invalid_state. */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "broker.h"
#include "proto.h"
#include "util.h"

#include "fixture-town.h"
#include "harness-broker.h"

#define MIN 60000LL
#define HOUR (60 * MIN)

static char base_dir[] = "/tmp/rd-check-survey-XXXXXX";

static void
setup(void)
{
	town_setup(base_dir, "CHECK_SURVEY_LOG", "survey");
}

/* A ticket in the hills solved by phone now. */
static struct proto_ticket
phone_fixed(void)
{
	struct proto_ticket t = town_create("hills", "battery", HILLS_LAT, HILLS_LON);
	t = town_set_state(t.id, "resolved_remote");
	ck_assert_str_eq(t.state, "resolved_remote");
	return t;
}

static struct proto_survey_put
survey(int64_t id, int score, const char *comment)
{
	struct proto_survey_put a = { .ticket = id, .score = score, .present = 0 };

	PROTO_SET(&a, survey_put, ticket);
	PROTO_SET(&a, survey_put, score);
	if (comment != NULL) {
		PROTO_STRSET(a.comment, comment);
		PROTO_SET(&a, survey_put, comment);
	}
	return a;
}

static void
put_fail(const struct proto_survey_put *a, enum proto_err code, const char *field,
    const char *reason)
{
	struct proto_reply r;

	town_call_as("gateway", PROTO_MSG_survey_put, a, &r);
	ck_assert_msg(!r.ok, "survey of %lld taken", (long long)a->ticket);
	ck_assert_int_eq(r.error.code, code);
	if (field != NULL)
		ck_assert_str_eq(r.error.field, field);
	if (reason != NULL)
		ck_assert_str_eq(r.error.params.reason, reason);
	proto_reply_finish(&r);
}

static struct proto_kpi
kpi(bool list, struct proto_reply *r)
{
	struct proto_stats_kpi a = { .present = 0 };

	if (list) {
		a.surveys = true;
		PROTO_SET(&a, stats_kpi, surveys);
	}
	town_call_as("boss", PROTO_MSG_stats_kpi, &a, r);
	ck_assert(r->ok);
	ck_assert(PROTO_HAS(&r->kpi, kpi, promoters));
	return r->kpi;
}

static void
kpi_counts(int64_t pro, int64_t pas, int64_t det, int64_t open, int64_t overdue)
{
	struct proto_reply r;
	struct proto_kpi k = kpi(false, &r);

	ck_assert_int_eq(k.promoters, pro);
	ck_assert_int_eq(k.passives, pas);
	ck_assert_int_eq(k.detractors, det);
	ck_assert_int_eq(k.callbacks_open, open);
	ck_assert_int_eq(k.callbacks_overdue, overdue);
	ck_assert_int_eq(r.n_events, 0); /* listed only when asked */
	proto_reply_finish(&r);
}

/* The next publication of ticket's detractor warning. */
static struct proto_warning
next_task(int64_t ticket, int cleared, const char *what)
{
	struct proto_pub p;

	town_expect(&p, (struct town_want){ .topic = PROTO_TOPIC_WARNING, .ticket = ticket,
	    .state = "detractor", .cleared = cleared }, what);
	return p.u.warning;
}

/* A snapshot (one part in this small world) holds warning wid and no ticket id. */
static void
snapshot_has(int64_t id, int64_t wid)
{
	struct proto_snapshot a = { .present = 0 };
	struct proto_reply r;
	bool warning = false;

	town_call_as("boss", PROTO_MSG_snapshot, &a, &r);
	ck_assert(r.ok);
	ck_assert_int_eq(r.snap.parts, 1);
	for (size_t i = 0; i < r.n_tickets; i++)
		ck_assert_int_ne(r.tickets[i].id, id);
	for (size_t i = 0; i < r.n_warnings; i++)
		warning = warning || (r.warnings[i].id == wid && !r.warnings[i].cleared);
	ck_assert_msg(warning, "warning %lld not in the snapshot", (long long)wid);
	proto_reply_finish(&r);
}

/* The event of code in ticket id's history (must be there). */
static struct proto_event
event_of(int64_t id, const char *code, struct proto_reply *r)
{
	town_get_ticket(id, r);
	for (size_t i = r->n_events; i-- > 0;)
		if (PROTO_HAS(&r->events[i], event, code) && strcmp(r->events[i].code, code) == 0)
			return r->events[i];
	ck_abort_msg("ticket %lld has no %s event", (long long)id, code);
	return r->events[0];
}

START_TEST(test_put_once)
{
	struct proto_ticket t = phone_fixed();
	struct proto_survey_put a = survey(t.id, 9, "师傅电话里就教会了，很好");
	struct proto_reply r;
	struct proto_pub p;

	town_step(5 * MIN);
	struct proto_ticket got = town_ok_as("gateway", PROTO_MSG_survey_put, &a);
	ck_assert_int_eq(got.id, t.id);
	ck_assert_str_eq(got.state, "resolved_remote");
	/* published with the ticket, so a console's timeline shows it */
	town_expect(&p, (struct town_want){ .topic = PROTO_TOPIC_TICKET, .ticket = t.id,
	    .state = "resolved_remote" }, "ticket published with its survey");

	struct proto_event e = event_of(t.id, "survey", &r);
	ck_assert_str_eq(e.kind, "survey");
	ck_assert_str_eq(e.user, "gateway");
	ck_assert_str_eq(e.detail, "score 9");
	ck_assert_int_eq(e.params.score, 9);
	ck_assert_int_eq(e.params.ticket, t.id);
	ck_assert_int_eq(e.params.answered, town_broker.now);
	ck_assert_str_eq(e.params.comment, "师傅电话里就教会了，很好");
	proto_reply_finish(&r);

	/* once a ticket, whatever the score or the cmd_id */
	struct proto_survey_put again = survey(t.id, 3, NULL);
	put_fail(&again, PROTO_E_CONFLICT, "ticket", "survey_taken");
	kpi_counts(1, 0, 0, 0, 0);
}
END_TEST

START_TEST(test_refusals)
{
	struct proto_ticket open = town_create("hills", "battery", HILLS_LAT, HILLS_LON);
	struct proto_survey_put a = survey(open.id, 8, NULL);

	put_fail(&a, PROTO_E_INVALID_STATE, "ticket", "survey_state");

	struct proto_ticket_cancel c = { .id = open.id, .present = 0 };
	PROTO_STRSET(c.reason, "the car started");
	town_ok_as("agent7", PROTO_MSG_ticket_cancel, &c);
	put_fail(&a, PROTO_E_INVALID_STATE, "ticket", "survey_state");

	a = survey(999999, 8, NULL);
	put_fail(&a, PROTO_E_NOT_FOUND, "ticket", NULL);

	struct proto_ticket t = phone_fixed();
	town_step(MIN);
	a = survey(t.id, 8, NULL);
	a.ts = t.t_closed - 1;
	PROTO_SET(&a, survey_put, ts);
	put_fail(&a, PROTO_E_BAD_REQUEST, "ts", NULL);
	a.ts = town_broker.now + 2 * MIN;
	put_fail(&a, PROTO_E_BAD_REQUEST, "ts", NULL);

	/* sla.ini's survey_window_s, 7 days after the close: the last ms is in, one more not */
	town_step(7 * 24 * HOUR);
	a.ts = t.t_closed + 7 * 24 * HOUR + 1;
	put_fail(&a, PROTO_E_INVALID_STATE, "ts", "survey_late");
	a.ts = t.t_closed + 7 * 24 * HOUR;
	town_ok_as("gateway", PROTO_MSG_survey_put, &a);
	kpi_counts(0, 1, 0, 0, 0); /* answered today, 7 days after the close */
}
END_TEST

START_TEST(test_counts_today)
{
	struct proto_ticket t1 = phone_fixed(), t2 = phone_fixed(), t3 = phone_fixed();
	struct proto_ticket t4 = phone_fixed();
	struct proto_reply r;

	town_step(10 * MIN);
	struct proto_survey_put a = survey(t1.id, 10, NULL);
	town_ok_as("gateway", PROTO_MSG_survey_put, &a);
	a = survey(t2.id, 7, "ok");
	town_ok_as("gateway", PROTO_MSG_survey_put, &a);
	town_step(MIN);
	a = survey(t3.id, 4, "等太久了，我要投诉");
	town_ok_as("gateway", PROTO_MSG_survey_put, &a);
	kpi_counts(1, 1, 1, 1, 0);

	/* listed newest first, with their tickets and words */
	struct proto_kpi k = kpi(true, &r);
	ck_assert_int_eq(k.survey_day, HARNESS_BROKER_T0 - 10 * HOUR);
	ck_assert_int_eq(r.n_events, 3);
	ck_assert_int_eq(r.events[0].params.ticket, t3.id);
	ck_assert_int_eq(r.events[0].params.score, 4);
	ck_assert_str_eq(r.events[0].params.comment, "等太久了，我要投诉");
	ck_assert_int_eq(r.events[2].params.ticket, t1.id);
	ck_assert(!PROTO_HAS(&r.events[2].params, event_params, comment));
	proto_reply_finish(&r);

	/* a restart rebuilds them from the store */
	town_restart();
	kpi_counts(1, 1, 1, 1, 0);

	/* the next China day starts afresh; an answer counts on the day it was answered (its
	 * ts), not the day it was logged */
	town_step(14 * HOUR);        /* 00:11 the next day */
	a = survey(t4.id, 9, NULL);
	a.ts = town_broker.now - 2 * HOUR; /* answered 22:11 yesterday, sent late */
	PROTO_SET(&a, survey_put, ts);
	town_ok_as("gateway", PROTO_MSG_survey_put, &a);
	kpi_counts(0, 0, 0, 1, 0);
	town_restart();
	kpi_counts(0, 0, 0, 1, 0);
}
END_TEST

START_TEST(test_detractor_task)
{
	struct proto_ticket t = phone_fixed();
	struct proto_warning w;

	town_step(30 * MIN);
	struct proto_survey_put a = survey(t.id, 2, "太慢");
	int64_t answered = town_broker.now;
	town_ok_as("gateway", PROTO_MSG_survey_put, &a);
	w = next_task(t.id, 0, "detractor task raised");
	ck_assert_str_eq(w.level, "amber");
	ck_assert_int_eq(w.score, 2);
	ck_assert_int_eq(w.promised, answered + 24 * HOUR);
	ck_assert_int_eq(w.since, answered);
	int64_t wid = w.id;

	/* the ticket leaves the snapshots (keep_closed_min, 120): the task stays */
	town_step(3 * HOUR);
	kpi_counts(0, 0, 1, 1, 0);
	snapshot_has(t.id, wid);
	struct proto_warning_ack own = { .warning = wid, .present = 0 };
	PROTO_SET(&own, warning_ack, warning);
	town_ok_as("agent9", PROTO_MSG_warning_ack, &own);
	w = next_task(t.id, 0, "task owned");
	ck_assert_str_eq(w.owner, "agent9");

	/* due 24 h after the answer: red then, not a step before (agent9's console sends
	 * no presence: its lease runs out at this step, and it lets go) */
	town_step(answered + 24 * HOUR - 1000 - town_broker.now);
	w = next_task(t.id, 0, "task let go");
	ck_assert(!PROTO_HAS(&w, warning, owner));
	ck_assert_str_eq(w.level, "amber");
	kpi_counts(0, 0, 0, 1, 0); /* a new day: yesterday's answer no longer counted */
	town_step(1000);
	w = next_task(t.id, 0, "task overdue");
	ck_assert_str_eq(w.level, "red");
	ck_assert_int_eq(w.ts, answered + 24 * HOUR);
	kpi_counts(0, 0, 0, 1, 1);

	/* it survives a restart, and is done once */
	town_restart();
	kpi_counts(0, 0, 0, 1, 1);
	snapshot_has(t.id, wid);
	struct proto_survey_done d = { .ticket = t.id, .present = 0 };
	PROTO_SET(&d, survey_done, ticket);
	PROTO_STRSET(d.note, "called back: apologised, refund of the fee agreed");
	PROTO_SET(&d, survey_done, note);
	town_ok_as("agent9", PROTO_MSG_survey_done, &d);
	w = next_task(t.id, 1, "task done");
	ck_assert_int_eq(w.id, wid);
	kpi_counts(0, 0, 0, 0, 0);
	struct proto_reply r;
	town_call_as("agent9", PROTO_MSG_survey_done, &d, &r);
	ck_assert(!r.ok);
	ck_assert_int_eq(r.error.code, PROTO_E_INVALID_STATE);
	ck_assert_str_eq(r.error.params.reason, "no_callback");
	proto_reply_finish(&r);

	struct proto_event e = event_of(t.id, "survey_done", &r);
	ck_assert_str_eq(e.user, "agent9");
	ck_assert_str_eq(e.params.note, "called back: apologised, refund of the fee agreed");
	ck_assert_int_eq(e.params.warning, wid);
	proto_reply_finish(&r);
}
END_TEST

/* A rescue (completed by a truck) is surveyed like a phone fix; before it completes it is
 * not. */
START_TEST(test_rescue)
{
	town_van("A1", "alpha", 1);
	struct proto_ticket t = town_create("town", "battery", TOWN_LAT, TOWN_LON);
	ck_assert_str_eq(t.truck, "A1");
	struct proto_offer_accept acc = town_accept_args(t.id, "A1", 300);
	town_ok_as("alpha-desk", PROTO_MSG_offer_accept, &acc);
	town_set_state(t.id, "en_route");
	town_set_state(t.id, "on_scene");
	struct proto_survey_put a = survey(t.id, 9, NULL);
	put_fail(&a, PROTO_E_INVALID_STATE, "ticket", "survey_state");
	t = town_set_state(t.id, "completed");
	town_step(20 * MIN);
	struct proto_ticket got = town_ok_as("gateway", PROTO_MSG_survey_put, &a);
	ck_assert_str_eq(got.state, "completed");
	kpi_counts(1, 0, 0, 0, 0);
}
END_TEST

/* stats.kpi lists the newest 500 of the day's answers; the counts count them all. */
START_TEST(test_list_cap)
{
	int64_t first = 0, last = 0;
	struct proto_reply r;
	int64_t n[3] = { 0 };

	for (int i = 0; i < 503; i++) {
		struct proto_ticket t = phone_fixed();
		struct proto_survey_put a = survey(t.id, 7 + i % 4, NULL);
		town_ok_as("gateway", PROTO_MSG_survey_put, &a);
		n[7 + i % 4 >= 9 ? 0 : 1]++;
		if (i == 3)
			first = t.id;
		last = t.id;
	}
	struct proto_kpi k = kpi(true, &r);
	ck_assert_int_eq(k.promoters, n[0]);
	ck_assert_int_eq(k.passives, n[1]);
	ck_assert_int_eq(r.n_events, 500);
	ck_assert_int_eq(r.events[0].params.ticket, last);
	ck_assert_int_eq(r.events[499].params.ticket, first);
	proto_reply_finish(&r);
	town_restart();	/* the same from the store */
	k = kpi(true, &r);
	ck_assert_int_eq(k.promoters + k.passives, 503);
	ck_assert_int_eq(r.n_events, 500);
	ck_assert_int_eq(r.events[0].params.ticket, last);
	ck_assert_int_eq(r.events[499].params.ticket, first);
	proto_reply_finish(&r);
}
END_TEST

/* A promoter or a passive opens no task. */
START_TEST(test_no_task)
{
	struct proto_ticket t = phone_fixed(), u = phone_fixed();
	struct proto_survey_put a = survey(t.id, 7, NULL);

	town_ok_as("gateway", PROTO_MSG_survey_put, &a);
	a = survey(u.id, 6, NULL);  /* the highest detractor */
	town_ok_as("gateway", PROTO_MSG_survey_put, &a);
	struct proto_warning w = next_task(u.id, 0, "6 is a detractor");
	ck_assert_int_eq(w.score, 6);
	kpi_counts(0, 1, 1, 1, 0);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("survey");
	TCase *tc = harness_broker_tcase(s, "survey", setup, town_teardown);

	tcase_add_test(tc, test_put_once);
	tcase_add_test(tc, test_refusals);
	tcase_add_test(tc, test_counts_today);
	tcase_add_test(tc, test_detractor_task);
	tcase_add_test(tc, test_no_task);
	tcase_add_test(tc, test_rescue);
	tcase_add_test(tc, test_list_cap);
	return harness_broker_main(s, base_dir);
}
