/* check-capacity.c: the capacity warning of issue 13 (src/broker/broker-capacity.c over
 * monitor_capacity in src/model/monitor.c), a region's rather than a ticket's, raised and
 * cleared by the real broker with the reference data of tests/fixture-town.c (a town where
 * the broker dispatches, hills where agents do and where no truck is registered unless a
 * test registers one; capacity_s at its default, 300 s; gps_stale_s 60 s) through
 * tests/harness-broker.c on a manual clock, so no test waits on real time.
 *
 *   - the town's only van busy: capacity (amber) after 300 s, red past 3 x, one warning
 *     all along, cleared when the van is free again with a fresh position;
 *   - the hills, where no truck is known, are not watched; once the one truck registered
 *     there is off duty (no truck on duty at all): capacity after 300 s, red once a call
 *     there waits for a truck (with `waiting`), cleared when the truck comes on duty with a
 *     fresh fix;
 *   - every capacity warning has ticket 0 and names its region, in publications and in the
 *     snapshot; after a restart the broker keeps the same warning (id, since) while the
 *     region is still short, and clears it when a truck frees;
 *   - the pure rule by reason (monitor_capacity) and its next deadline
 *     (monitor_capacity_next, which the broker's loop sleeps until), as a table with time
 *     passed in: at each row's next deadline the level is new, one ms before it is not.
 *     (Exhausted virtual numbers, reason numbers, through the broker: tests/check-vnum.c.) */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "geo.h"
#include "monitor.h"
#include "proto.h"
#include "util.h"

#include "fixture-town.h"
#include "harness-broker.h"

#define S 1000LL

static char base_dir[] = "/tmp/rd-check-capacity-XXXXXX";

static void
setup(void)
{
	town_setup(base_dir, "CHECK_CAPACITY_LOG", "capacity");
}

/* The next publication of region's capacity warning: at level, or cleared when level is
 * "" (other regions' are skipped). */
static struct proto_warning
expect_capacity(const char *region, const char *level, const char *what)
{
	struct proto_pub p;
	bool cleared = level[0] == '\0';

	for (;;) {
		town_expect(&p, (struct town_want){ .topic = PROTO_TOPIC_WARNING, .ticket = 0,
		    .state = "capacity", .cleared = -1 }, what);
		ck_assert_int_eq(p.u.warning.ticket, 0);
		ck_assert(PROTO_HAS(&p.u.warning, warning, region));
		if (strcmp(p.u.warning.region, region) != 0)
			continue;
		ck_assert(PROTO_HAS(&p.u.warning, warning, reason)); /* this broker says why */
		ck_assert_str_eq(p.u.warning.reason, "trucks");
		if (p.u.warning.cleared == cleared &&
		    (cleared || strcmp(p.u.warning.level, level) == 0))
			return p.u.warning;
	}
}

/* Truck id's status from its supplier's system (supplier and region unchanged). */
static void
set_status(const char *id, const char *status)
{
	struct proto_status s = { .ts = town_broker.now, .present = 0 };
	struct proto_pub p;

	PROTO_STRSET(s.truck, id);
	PROTO_STRSET(s.status, status);
	harness_broker_push_feed(&town_broker, PROTO_MSG_status, &s);
	town_expect(&p, (struct town_want){ .topic = PROTO_TOPIC_TRUCK, .truck = id,
	    .state = status }, "truck status");
}

/* The active warning of region in a snapshot, into *out; false when there is none. */
static bool
snapshot_capacity(const char *region, struct proto_warning *out)
{
	struct proto_snapshot s = { .present = 0 };
	struct proto_reply r;
	bool found = false;

	town_call_as("sup1", PROTO_MSG_snapshot, &s, &r);
	ck_assert(r.ok);
	for (size_t i = 0; i < r.n_warnings; i++) {
		const struct proto_warning *w = &r.warnings[i];
		if (w->ticket == 0 && strcmp(w->region, region) == 0 && !w->cleared) {
			ck_assert(!found); /* one active warning a region (no pool here) */
			ck_assert_str_eq(w->kind, "capacity");
			ck_assert_str_eq(w->reason, "trucks");
			*out = *w;
			found = true;
		}
	}
	proto_reply_finish(&r);
	return found;
}

START_TEST(test_town_busy)
{
	struct proto_warning w, u;

	town_van("C1", "alpha", 1);
	town_step(500); /* a pass sees C1 free */
	struct proto_ticket t = town_create("town", "battery", TOWN_LAT, TOWN_LON);
	ck_assert_str_eq(t.truck, "C1");
	town_step(1 * S); /* the next pass: the town has no free truck from now */
	int64_t since = town_broker.now;
	town_step(300 * S);
	ck_assert(!snapshot_capacity("town", &w)); /* 300 s exactly: not yet */
	town_step(1);
	w = expect_capacity("town", "amber", "capacity in the town");
	ck_assert_int_eq(w.since, since);
	ck_assert(PROTO_HAS(&w, warning, waiting));
	ck_assert_int_eq(w.waiting, 0); /* its one call has its offer */
	ck_assert(!PROTO_HAS(&w, warning, subject) && !PROTO_HAS(&w, warning, truck));
	ck_assert_msg(strstr(w.text, "no able truck free in town for 5 min") != NULL, "%s",
	    w.text);
	ck_assert(snapshot_capacity("town", &u));
	ck_assert_int_eq(u.id, w.id);

	/* past 3 x capacity_s: red, the same warning */
	town_step(600 * S);
	u = expect_capacity("town", "red", "capacity red past 3 x");
	ck_assert_int_eq(u.id, w.id);
	ck_assert_int_eq(u.since, since);

	/* the job cancelled: the van is free, but its last fix is 15 min old (no place to send
	 * it from); a fresh fix makes it able again and the warning clears */
	struct proto_ticket_cancel c = { .id = t.id, .present = 0 };
	PROTO_STRSET(c.reason, "customer left");
	town_ok_as("agent7", PROTO_MSG_ticket_cancel, &c);
	town_step(500);
	ck_assert(snapshot_capacity("town", &u));
	town_fix("C1", geo_destination((struct geo_point){ TOWN_LAT, TOWN_LON }, 0, 1000));
	town_step(500);
	u = expect_capacity("town", "", "capacity cleared");
	ck_assert_int_eq(u.id, w.id);
	ck_assert(!snapshot_capacity("town", &u));
}
END_TEST

START_TEST(test_hills_off_duty)
{
	struct proto_warning w, u;

	/* no truck of the hills known: not watched, however long */
	town_step(400 * S);
	ck_assert(!snapshot_capacity("hills", &u));

	/* its one truck registers and goes off duty: no truck on duty there at all */
	town_truck_at("H1", "van", "gamma", "hills", HILLS_LAT, HILLS_LON, 1);
	set_status("H1", "off_duty");
	town_step(500);
	int64_t since = town_broker.now;
	town_step(300 * S);
	ck_assert(!snapshot_capacity("hills", &u));
	town_step(1);
	w = expect_capacity("hills", "amber", "capacity in the hills");
	ck_assert_int_eq(w.since, since);
	ck_assert_int_eq(w.waiting, 0);

	/* a call there waits: agents choose the truck in the hills, and there is none */
	struct proto_ticket t = town_create("hills", "battery", HILLS_LAT, HILLS_LON);
	ck_assert_str_eq(t.state, "new");
	town_step(5 * S);
	u = expect_capacity("hills", "red", "capacity red with a call waiting");
	ck_assert_int_eq(u.id, w.id);
	ck_assert_int_eq(u.waiting, 1);
	ck_assert_msg(strstr(u.text, "(1 call waiting for a truck)") != NULL, "%s", u.text);
	ck_assert(snapshot_capacity("hills", &u));
	ck_assert_int_eq(u.id, w.id);

	/* on duty with a fresh fix: cleared, though the call still waits for an agent */
	set_status("H1", "available");
	town_fix("H1", geo_destination((struct geo_point){ HILLS_LAT, HILLS_LON }, 0, 1000));
	town_step(500);
	u = expect_capacity("hills", "", "capacity cleared by a truck on duty");
	ck_assert_int_eq(u.id, w.id);
	ck_assert(!snapshot_capacity("hills", &u));
}
END_TEST

START_TEST(test_restart_keeps_it)
{
	struct proto_warning w, u;

	town_truck_at("H2", "van", "gamma", "hills", HILLS_LAT, HILLS_LON, 2);
	set_status("H2", "off_duty");
	town_step(500);
	town_step(300 * S + 1);
	w = expect_capacity("hills", "amber", "capacity before the restart");

	town_restart();
	ck_assert(snapshot_capacity("hills", &u)); /* before the first pass, as stored */
	ck_assert_int_eq(u.id, w.id);
	town_step(500);
	ck_assert(snapshot_capacity("hills", &u)); /* taken over, still short */
	ck_assert_int_eq(u.id, w.id);
	ck_assert_int_eq(u.since, w.since);
	ck_assert_str_eq(u.level, "amber");

	set_status("H2", "available");
	town_fix("H2", geo_destination((struct geo_point){ HILLS_LAT, HILLS_LON }, 0, 2000));
	town_step(500);
	u = expect_capacity("hills", "", "capacity cleared after the restart");
	ck_assert_int_eq(u.id, w.id);
	ck_assert(!snapshot_capacity("hills", &u));
	ck_assert(!snapshot_capacity("town", &u)); /* no truck of the town known */
}
END_TEST

/* ---------------------------------------------------------------- the pure rule */

#define L (300 * S) /* capacity_s at its default */

struct cap_row {
	const char *name;
	struct monitor_region r;
	int64_t now;
	enum warn_level level;   /* at now */
	int64_t next;            /* monitor_capacity_next at now (INT64_MAX: none) */
	enum warn_level then;    /* at next */
};

static const struct cap_row cap_rows[] = {
	{ "trucks: one free", { "town", 1, 0, 0, MONITOR_CAP_TRUCKS }, 1000 * S,
	    WARN_LEVEL_NONE, INT64_MAX, WARN_LEVEL_NONE },
	{ "trucks: short, amber ahead", { "town", 0, 100 * S, 0, MONITOR_CAP_TRUCKS }, 200 * S,
	    WARN_LEVEL_NONE, 100 * S + L + 1, WARN_LEVEL_AMBER },
	{ "trucks: amber, red ahead", { "town", 0, 100 * S, 0, MONITOR_CAP_TRUCKS }, 500 * S,
	    WARN_LEVEL_AMBER, 100 * S + 3 * L + 1, WARN_LEVEL_RED },
	{ "trucks: red with a call waiting, nothing ahead", { "town", 0, 100 * S, 2,
	    MONITOR_CAP_TRUCKS }, 500 * S, WARN_LEVEL_RED, INT64_MAX, WARN_LEVEL_RED },
	{ "trucks: red past 3 x", { "town", 0, 100 * S, 0, MONITOR_CAP_TRUCKS }, 2000 * S,
	    WARN_LEVEL_RED, INT64_MAX, WARN_LEVEL_RED },
	{ "numbers: none waits", { "town", 0, 0, 0, MONITOR_CAP_NUMBERS }, 1000 * S,
	    WARN_LEVEL_NONE, INT64_MAX, WARN_LEVEL_NONE },
	{ "numbers: amber at once, red ahead", { "town", 0, 100 * S, 1, MONITOR_CAP_NUMBERS },
	    100 * S, WARN_LEVEL_AMBER, 100 * S + L + 1, WARN_LEVEL_RED },
	{ "numbers: trucks free do not matter", { "town", 5, 100 * S, 3, MONITOR_CAP_NUMBERS },
	    200 * S, WARN_LEVEL_AMBER, 100 * S + L + 1, WARN_LEVEL_RED },
	{ "numbers: red past capacity_s", { "town", 0, 100 * S, 1, MONITOR_CAP_NUMBERS },
	    100 * S + L + 1, WARN_LEVEL_RED, INT64_MAX, WARN_LEVEL_RED },
};

START_TEST(test_rule_table)
{
	const struct cap_row *row = &cap_rows[_i];
	const struct data_sla *sla = monitor_sla_default();
	struct monitor_warning m;

	ck_assert_int_eq(sla->capacity_s, 300);
	monitor_capacity(&row->r, sla, row->now, &m);
	ck_assert_msg(m.level == row->level, "%s: level %d", row->name, (int)m.level);
	if (m.level != WARN_LEVEL_NONE) {
		ck_assert(m.kind == WARN_CAPACITY && m.reason == row->r.reason);
		ck_assert_int_eq(m.since, row->r.short_since);
		ck_assert_int_eq(m.waiting, row->r.waiting);
		ck_assert_str_eq(m.region, "town");
	}
	int64_t next = monitor_capacity_next(&row->r, sla, row->now);
	ck_assert_msg(next == row->next, "%s: next %lld", row->name, (long long)next);
	if (next == INT64_MAX)
		return;
	monitor_capacity(&row->r, sla, next, &m);
	ck_assert_msg(m.level == row->then, "%s: at next, level %d", row->name, (int)m.level);
	monitor_capacity(&row->r, sla, next - 1, &m);
	ck_assert_msg(m.level == row->level, "%s: just before next, level %d", row->name,
	    (int)m.level);
}
END_TEST

START_TEST(test_reason_names)
{
	ck_assert_str_eq(monitor_capacity_reason_name(MONITOR_CAP_TRUCKS), "trucks");
	ck_assert_str_eq(monitor_capacity_reason_name(MONITOR_CAP_NUMBERS), "numbers");
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("capacity");
	TCase *tc = harness_broker_tcase(s, "capacity", setup, town_teardown);

	tcase_add_test(tc, test_town_busy);
	tcase_add_test(tc, test_hills_off_duty);
	tcase_add_test(tc, test_restart_keeps_it);
	tc = tcase_create("rule");
	tcase_add_loop_test(tc, test_rule_table, 0, (int)(sizeof cap_rows / sizeof cap_rows[0]));
	tcase_add_test(tc, test_reason_names);
	suite_add_tcase(s, tc);
	return harness_broker_main(s, base_dir);
}
