/* check-broker-track.c: ticket.track (PROTOCOL.md 7.29) end to end: the real broker in a
 * thread on ipc:// endpoints with the town of tests/fixture-town.c, on a manual clock.
 *
 *   - the fixes of the ticket's truck since it was assigned, oldest first, with their
 *     distance to the car; the fixes before the job are not in it;
 *   - many fixes are thinned evenly (first and last kept), max limits the answer;
 *   - unknown ticket: not_found; a ticket without a truck: no truck, no fixes;
 *   - another truck starts the track afresh; a closed ticket has none; a restart loses it. */
#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "geo.h"
#include "proto.h"
#include "util.h"

#include "fixture-town.h"
#include "harness-broker.h"

static char base_dir[] = "/tmp/rd-check-track-XXXXXX";

static void
setup(void)
{
	town_setup(base_dir, "CHECK_TRACK_LOG", "track");
}

/* ticket.track of id (max 0: the default) into r; must succeed. */
static void
track_of(int64_t id, int64_t max, struct proto_reply *r)
{
	struct proto_ticket_track a = { .id = id, .max = max, .present = 0 };

	if (max > 0)
		PROTO_SET(&a, ticket_track, max);
	town_call_as("agent7", PROTO_MSG_ticket_track, &a, r);
	ck_assert_msg(r->ok, "ticket.track: %s", r->error.message);
	ck_assert_int_eq(r->op_id, PROTO_MSG_ticket_track);
	ck_assert_int_eq(r->ticket.id, id);
}

/* The point km from the town's centre on bearing deg. */
static struct geo_point
at_km(double deg, double km)
{
	return geo_destination((struct geo_point){ TOWN_LAT, TOWN_LON }, deg, km * 1000);
}

/* The van comes from 3 km north to the car at the centre, stalls, then drives away: the
 * track has each fix, in order, with its distance to the car. */
START_TEST(test_track_fixes)
{
	static const double km[] = { 2.5, 2.0, 1.5, 1.5, 1.5, 2.0, 1.0, 0.2 };
	struct proto_reply r;
	struct proto_ticket t;

	town_van("A1", "alpha", 3);
	t = town_create("town", "battery", TOWN_LAT, TOWN_LON);
	ck_assert_str_eq(t.truck, "A1");
	track_of(t.id, 0, &r);	/* assigned, no fix since */
	ck_assert_str_eq(r.track.truck, "A1");
	ck_assert_int_eq(r.track.total, 0);
	ck_assert_uint_eq(r.n_fixes, 0);
	proto_reply_finish(&r);

	int64_t t0 = town_broker.now;
	for (size_t i = 0; i < ARRAY_LEN(km); i++) {
		town_step(10000);
		town_fix("A1", at_km(0, km[i]));
	}
	track_of(t.id, 0, &r);
	ck_assert_str_eq(r.track.truck, "A1");
	ck_assert_int_eq(r.track.total, (int64_t)ARRAY_LEN(km));
	ck_assert_uint_eq(r.n_fixes, ARRAY_LEN(km));
	for (size_t i = 0; i < ARRAY_LEN(km); i++) {
		struct geo_point p = at_km(0, km[i]);
		ck_assert_int_eq(r.fixes[i].ts, t0 + 10000 * (int64_t)(i + 1));
		ck_assert_double_eq_tol(r.fixes[i].lat, p.lat, 1e-9);
		ck_assert_double_eq_tol(r.fixes[i].lon, p.lon, 1e-9);
		ck_assert_double_eq_tol(r.fixes[i].dist_m, km[i] * 1000, 1.0);
	}
	proto_reply_finish(&r);
	/* max 2: the first and the last */
	track_of(t.id, 2, &r);
	ck_assert_uint_eq(r.n_fixes, 2);
	ck_assert_int_eq(r.fixes[0].ts, t0 + 10000);
	ck_assert_int_eq(r.fixes[1].ts, t0 + 10000 * (int64_t)ARRAY_LEN(km));
	proto_reply_finish(&r);
}
END_TEST

/* 600 fixes, one a second: the broker holds an even spread of them and the newest, and
 * answers at most max (default 120), first and last included, evenly spaced. */
START_TEST(test_track_thinned)
{
	struct proto_reply r;
	struct proto_ticket t;
	const int n = 600;

	town_van("A1", "alpha", 3);
	t = town_create("town", "battery", TOWN_LAT, TOWN_LON);
	int64_t t0 = town_broker.now;
	for (int i = 1; i <= n; i++) {
		town_step(1000);
		town_fix("A1", at_km(0, 3.0 - 2.5 * i / n));
	}
	static const int64_t maxes[] = { 0, 2, 7, 240 };
	for (size_t c = 0; c < ARRAY_LEN(maxes); c++) {
		size_t want = maxes[c] > 0 ? (size_t)maxes[c] : 120;
		track_of(t.id, maxes[c], &r);
		ck_assert_int_eq(r.track.total, n);
		if (want <= 120) {
			ck_assert_uint_eq(r.n_fixes, want);
		} else {	/* all it holds: between half and all of BROKER_TRACK_KEEP */
			ck_assert_uint_gt(r.n_fixes, 120);
			ck_assert_uint_le(r.n_fixes, want);
			want = r.n_fixes;
		}
		ck_assert_int_eq(r.fixes[0].ts, t0 + 1000);
		ck_assert_int_eq(r.fixes[want - 1].ts, t0 + 1000LL * n);
		double gap = (double)(n - 1) * 1000 / (double)(want - 1);
		for (size_t i = 1; i < want; i++) {
			int64_t d = r.fixes[i].ts - r.fixes[i - 1].ts;
			/* even within the broker's stride (4 s at 600 fixes) */
			ck_assert_msg(d > 0 && fabs((double)d - gap) <= 4000.0 + 1.0,
			    "max %lld: gap %zu is %lld ms, not ~%.0f", (long long)maxes[c], i,
			    (long long)d, gap);
			ck_assert(r.fixes[i].dist_m <= r.fixes[i - 1].dist_m + 1.0);
		}
		proto_reply_finish(&r);
	}
}
END_TEST

START_TEST(test_track_unknown)
{
	struct proto_ticket_track a = { .id = 4242, .present = 0 };

	town_fail_as("agent7", PROTO_MSG_ticket_track, &a, PROTO_E_NOT_FOUND, "no ticket 4242");
}
END_TEST

/* In the hills agents dispatch: a new ticket has no truck, so no track. */
START_TEST(test_track_no_truck)
{
	struct proto_reply r;
	struct proto_ticket t = town_create("hills", "battery", HILLS_LAT, HILLS_LON);

	ck_assert_str_eq(t.truck, "");
	track_of(t.id, 0, &r);
	ck_assert(!PROTO_HAS(&r.track, track_result, truck));
	ck_assert_int_eq(r.track.total, 0);
	ck_assert_uint_eq(r.n_fixes, 0);
	proto_reply_finish(&r);
}
END_TEST

/* The job goes to another truck: its track starts at that truck's first fix. The ticket
 * closes: the track is dropped. */
START_TEST(test_track_new_truck_and_close)
{
	struct proto_reply r;
	struct proto_ticket t;

	town_van("A1", "alpha", 1);
	town_van("A2", "alpha", 4);
	t = town_create("town", "battery", TOWN_LAT, TOWN_LON);
	ck_assert_str_eq(t.truck, "A1");
	town_step(1000);
	town_fix("A1", at_km(0, 0.9));
	town_step(1000);
	town_fix("A1", at_km(0, 0.8));
	struct proto_offer_decline d = { .id = t.id, .present = 0 };
	PROTO_STRSET(d.truck, "A1");
	PROTO_STRSET(d.reason, "flat tyre");
	struct proto_ticket u = town_ok_as("alpha-desk", PROTO_MSG_offer_decline, &d);
	town_step(1000);
	u = town_ok_as("agent7", PROTO_MSG_ticket_get, &(struct proto_ticket_get){ .id = t.id });
	ck_assert_str_eq(u.truck, "A2");
	track_of(t.id, 0, &r);	/* A1's fixes are not A2's */
	ck_assert_str_eq(r.track.truck, "A2");
	ck_assert_uint_eq(r.n_fixes, 0);
	proto_reply_finish(&r);
	town_step(1000);
	town_fix("A2", at_km(0, 3.5));
	track_of(t.id, 0, &r);
	ck_assert_int_eq(r.track.total, 1);
	ck_assert_uint_eq(r.n_fixes, 1);
	ck_assert_double_eq_tol(r.fixes[0].dist_m, 3500, 1.0);
	proto_reply_finish(&r);

	struct proto_offer_accept acc = town_accept_args(t.id, "A2", 300);
	town_ok_as("alpha-desk", PROTO_MSG_offer_accept, &acc);
	town_set_state(t.id, "en_route");
	town_set_state(t.id, "on_scene");
	town_set_state(t.id, "completed");
	track_of(t.id, 0, &r);
	ck_assert(!PROTO_HAS(&r.track, track_result, truck));
	ck_assert_uint_eq(r.n_fixes, 0);
	proto_reply_finish(&r);
}
END_TEST

/* The track is kept in memory only: after a restart the job's track starts at the truck's
 * next fix (PROTOCOL.md 7.29). */
START_TEST(test_track_restart)
{
	struct proto_reply r;
	struct proto_ticket t;

	town_van("A1", "alpha", 3);
	t = town_create("town", "battery", TOWN_LAT, TOWN_LON);
	for (int i = 0; i < 3; i++) {
		town_step(10000);
		town_fix("A1", at_km(0, 2.5 - i * 0.5));
	}
	track_of(t.id, 0, &r);
	ck_assert_uint_eq(r.n_fixes, 3);
	proto_reply_finish(&r);
	town_restart();
	track_of(t.id, 0, &r);
	ck_assert_str_eq(r.track.truck, "A1");
	ck_assert_int_eq(r.track.total, 0);
	ck_assert_uint_eq(r.n_fixes, 0);
	proto_reply_finish(&r);
	town_step(60000);	/* broker time restarts after the last logged change: past the
				 * fixes before the restart */
	town_fix("A1", at_km(0, 1.2));
	track_of(t.id, 0, &r);
	ck_assert_int_eq(r.track.total, 1);
	ck_assert_uint_eq(r.n_fixes, 1);
	ck_assert_double_eq_tol(r.fixes[0].dist_m, 1200, 1.0);
	proto_reply_finish(&r);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("broker-track");
	TCase *tc = harness_broker_tcase(s, "track", setup, town_teardown);

	tcase_add_test(tc, test_track_fixes);
	tcase_add_test(tc, test_track_thinned);
	tcase_add_test(tc, test_track_unknown);
	tcase_add_test(tc, test_track_no_truck);
	tcase_add_test(tc, test_track_new_truck_and_close);
	tcase_add_test(tc, test_track_restart);
	return harness_broker_main(s, base_dir);
}
