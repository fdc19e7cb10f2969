/* check-vnum.c: virtual numbers.
 *
 *   - the pure allocator (src/model/vnum.c) as tables of steps with time passed in: bind,
 *     release, grace, exhaustion, least recently released first, the restore after a
 *     restart; many open rescues at random never share a number (against a brute-force
 *     model of the rules);
 *   - numbers.ini: the reference file loads, and each error names its line;
 *   - the broker (src/broker/broker-vnum.c) with the small pool of
 *     tests/fixtures/numbers-small.ini in tests/fixture-town.c's town, on the manual clock:
 *     dispatch binds, close releases and the number rests its grace, exhaustion is an event
 *     and is served when a number frees, a restart keeps the bindings, ticket.call logs
 *     `call` and returns the number, and is refused without one;
 *   - exhaustion as the supervisors' warning: the region's `capacity` warning with reason
 *     `numbers` is raised in the batch of the vnum_short, turns red past capacity_s, keeps
 *     its id over a restart, and clears in the batch that binds the last waiting ticket;
 *     its text in both catalogs (ui/present.c), and a reason-less one stays the trucks';
 *   - the console's dial command (ui/call.c): run with the number, its output kept off the
 *     terminal, waited for through the file the script writes. */
#include <check.h>
#include <fcntl.h>
#include <locale.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "broker.h"
#include "call.h"
#include "data.h"
#include "i18n.h"
#include "proto.h"
#include "rng.h"
#include "util.h"
#include "vnum.h"

#include "fixture-town.h"
#include "harness-broker.h"
#include "harness-model.h"
#include "present.h"
#include "view-board.h"
#include "view-detail.h"
#include "view-kpi.h"

#define T0 1773100800000LL /* 2026-03-10 08:00 China time */
#define GRACE 60000

/* ---------------------------------------------------------------- the allocator */

enum op { BIND, RELEASE, COUNT };

/* One step: at `at` ms after T0, bind rescue in region (want: the number's last digits, 0
 * for none), release rescue's number (want: 0 ok, -1 refused), or check counts. */
struct step {
	enum op op;
	int64_t at;
	const char *region;
	int64_t rescue;
	int want;
	size_t bound, resting, free;
};

#define B(at, region, rescue, want) { BIND, at, region, rescue, want, 0, 0, 0 }
#define R(at, rescue, want) { RELEASE, at, NULL, rescue, want, 0, 0, 0 }
#define C(at, region, b, r, f) { COUNT, at, region, 0, 0, b, r, f }

struct table {
	const char *name;
	struct step steps[16];
};

static struct vnum_pool *
small_pool(void)
{
	struct vnum_pool *p = vnum_pool_create(GRACE);
	ck_assert_int_eq(vnum_pool_add_range(p, "town", "+8617100000001", "+8617100000003"), 3);
	ck_assert_int_eq(vnum_pool_add(p, "hills", "+8617100000009"), 0);
	return p;
}

static const struct table tables[] = {
	{ "first come in the file's order", {
		B(0, "town", 11, 1), B(0, "town", 12, 2),
		B(0, "hills", 13, 9), C(0, "town", 2, 0, 1),
		B(0, "town", 14, 3) } },
	{ "exhaustion, then a number freed after its grace", {
		B(0, "town", 1, 1), B(0, "town", 2, 2), B(0, "town", 3, 3),
		B(0, "town", 4, 0), C(0, "town", 3, 0, 0),
		R(1000, 2, 0), B(1000, "town", 4, 0),
		C(30000, "town", 2, 1, 0), B(GRACE + 999, "town", 4, 0),
		B(GRACE + 1000, "town", 4, 2), C(GRACE + 1000, "town", 3, 0, 0) } },
	{ "least recently released first", {
		B(0, "town", 1, 1), B(0, "town", 2, 2), B(0, "town", 3, 3),
		R(5000, 3, 0), R(6000, 1, 0),
		R(7000, 2, 0), B(200000, "town", 4, 3),
		B(200000, "town", 5, 1), R(300000, 4, 0),
		B(400000, "town", 6, 2), B(400000, "town", 7, 3) } },
	{ "never used numbers before released ones", {
		B(0, "town", 1, 1), R(1000, 1, 0),
		B(500000, "town", 2, 2), B(500000, "town", 3, 3),
		B(500000, "town", 4, 1) } },
	{ "release only by its rescue, once", {
		B(0, "town", 1, 1), R(0, 2, -1),
		R(0, 1, 0), R(0, 1, -1),
		C(0, "town", 0, 1, 2) } },
	{ "a region without numbers", {
		B(0, "nowhere", 1, 0), C(0, "nowhere", 0, 0, 0) } },
	{ "zero grace", {
		B(0, "hills", 1, 9), R(10, 1, 0),
		B(10, "hills", 2, 9) } },
};

START_TEST(test_tables)
{
	const struct table *tb = &tables[_i];
	struct vnum_pool *p = strstr(tb->name, "zero grace") ? vnum_pool_create(0) : small_pool();
	const char *bound[32] = { 0 };

	if (strstr(tb->name, "zero grace"))
		ck_assert_int_eq(vnum_pool_add(p, "hills", "+8617100000009"), 0);
	for (size_t i = 0; i < sizeof tb->steps / sizeof tb->steps[0]; i++) {
		const struct step *s = &tb->steps[i];
		if (s->region == NULL && s->op != RELEASE)
			break;
		if (s->op == BIND) {
			const char *n = vnum_bind(p, s->region, s->rescue, T0 + s->at);
			if (s->want == 0) {
				ck_assert_msg(n == NULL, "%s step %zu: bound %s", tb->name, i, n);
				continue;
			}
			ck_assert_msg(n != NULL, "%s step %zu: nothing bound", tb->name, i);
			ck_assert_int_eq(n[13] - '0', s->want);
			ck_assert_int_eq(vnum_rescue(p, n), s->rescue);
			bound[s->rescue] = n;
		} else if (s->op == RELEASE) {
			const char *n = bound[s->rescue] ? bound[s->rescue] : "+8617100000001";
			ck_assert_msg(vnum_release(p, n, s->rescue, T0 + s->at) == s->want,
			    "%s step %zu", tb->name, i);
		} else if (s->op == COUNT) {
			struct vnum_counts c = vnum_count(p, s->region, T0 + s->at);
			ck_assert_msg(c.bound == s->bound && c.resting == s->resting &&
			    c.free == s->free, "%s step %zu: %zu bound %zu resting %zu free",
			    tb->name, i, c.bound, c.resting, c.free);
		}
	}
	vnum_pool_free(p);
}
END_TEST

START_TEST(test_next_free)
{
	struct vnum_pool *p = small_pool();
	for (int64_t r = 1; r <= 3; r++)
		ck_assert_ptr_nonnull(vnum_bind(p, "town", r, T0));
	ck_assert_int_eq(vnum_count(p, "town", T0).next_free, INT64_MAX);
	ck_assert_int_eq(vnum_release(p, "+8617100000002", 2, T0 + 500), 0);
	ck_assert_int_eq(vnum_count(p, "town", T0 + 600).next_free, T0 + 500 + GRACE);
	ck_assert_int_eq(vnum_count(p, "town", T0 + 500 + GRACE).next_free, T0 + 500 + GRACE);
	ck_assert_int_eq(vnum_count(p, "nowhere", T0).next_free, INT64_MAX);
	vnum_pool_free(p);
}
END_TEST

START_TEST(test_add_refused)
{
	struct vnum_pool *p = small_pool();
	ck_assert_int_eq(vnum_pool_add(p, "hills", "+8617100000002"), -1); /* in town's */
	ck_assert_int_eq(vnum_pool_add(p, "hills", "17100000004"), -1);
	ck_assert_int_eq(vnum_pool_add(p, "hills", "+861710000000"), -1);
	ck_assert_int_eq(vnum_pool_add(p, "hills", "+86171000000045"), -1);
	ck_assert_int_eq(vnum_pool_add_range(p, "hills", "+8617100000005", "+8617100000004"), -1);
	ck_assert_int_eq(vnum_pool_add_range(p, "hills", "+8617100000000", "+8617100000005"), -1);
	ck_assert_int_eq(vnum_pool_add_range(p, "hills", "+8617200000000", "+8617200100000"), -1);
	ck_assert_int_eq(vnum_count(p, "hills", T0).total, 1); /* nothing half added */
	ck_assert_int_eq(vnum_pool_add_range(p, "hills", "+8617200000000", "+8617200099999"),
	    VNUM_RANGE_MAX);
	vnum_pool_free(p);
}
END_TEST

/* After a restart the pool is rebuilt from the tickets in any order: bound numbers stay
 * bound, released ones rest from their latest release, and the order of the rest holds. */
START_TEST(test_restore)
{
	struct vnum_pool *p = small_pool();
	ck_assert_int_eq(vnum_restore_released(p, "+8617100000001", T0 + 2000), 0);
	ck_assert_int_eq(vnum_restore_bound(p, "+8617100000002", 7), 0);
	ck_assert_int_eq(vnum_restore_bound(p, "+8617100000002", 7), 0);
	ck_assert_int_eq(vnum_restore_bound(p, "+8617100000002", 8), -1);
	ck_assert_int_eq(vnum_restore_released(p, "+8617100000002", T0), 0); /* stays bound */
	ck_assert_int_eq(vnum_rescue(p, "+8617100000002"), 7);
	ck_assert_int_eq(vnum_restore_released(p, "+8617100000003", T0 + 1000), 0);
	ck_assert_int_eq(vnum_restore_released(p, "+8617100000001", T0 + 1000), 0); /* older */
	ck_assert_int_eq(vnum_restore_released(p, "+8617100000099", T0), -1);
	ck_assert_int_eq(vnum_restore_bound(p, "+8617100000099", 1), -1);
	ck_assert_ptr_null(vnum_bind(p, "town", 9, T0 + 1000 + GRACE - 1));
	ck_assert_str_eq(vnum_bind(p, "town", 9, T0 + 1000 + GRACE), "+8617100000003");
	ck_assert_ptr_null(vnum_bind(p, "town", 10, T0 + 1999 + GRACE));
	ck_assert_str_eq(vnum_bind(p, "town", 10, T0 + 2000 + GRACE), "+8617100000001");
	ck_assert_int_eq(vnum_rescue(p, "+8617100000099"), -1);
	vnum_pool_free(p);
}
END_TEST

/* Many rescues opening and closing at random over a day, against a brute-force model of
 * the rules: at every bind the number is the one the rules choose, and no number is ever
 * held by two open rescues or given while it rests. */
START_TEST(test_random_never_shared)
{
	enum { N = 40, RESCUES = 3000 };
	struct vnum_pool *p = vnum_pool_create(GRACE);
	int64_t holder[N] = { 0 }, released[N], open_num[RESCUES + 1];
	bool used[N] = { false };
	struct rng rng;
	char num[VNUM_MAX];

	rng_seed(&rng, 12345, 1);
	ck_assert_int_eq(vnum_pool_add_range(p, "city", "+8617107310000", "+8617107310039"), N);
	for (int i = 0; i <= RESCUES; i++)
		open_num[i] = -1;
	int64_t now = T0, next = 1;
	size_t shorts = 0;
	while (next <= RESCUES) {
		now += (int64_t)rng_below(&rng, 4000);
		if (rng_below(&rng, 2) == 0) {
			/* the model's choice: never used first in order, then oldest release */
			int want = -1;
			for (int i = 0; i < N; i++) {
				if (holder[i] != 0 || (used[i] && released[i] + GRACE > now))
					continue;
				if (want < 0 || (!used[i] && used[want]) ||
				    (used[i] && used[want] && released[i] < released[want]))
					want = i;
			}
			const char *n = vnum_bind(p, "city", next, now);
			if (want < 0) {
				ck_assert_ptr_null(n);
				shorts++;
			} else {
				ck_assert_ptr_nonnull(n);
				int got = atoi(n + 10);
				ck_assert_int_eq(got, want);
				ck_assert_int_eq(holder[got], 0);
				holder[got] = next;
				used[got] = true;
				open_num[next] = got;
			}
			next++;
		} else {
			int64_t r = 1 + (int64_t)rng_below(&rng, (uint32_t)next);
			if (r >= next || open_num[r] < 0)
				continue;
			int i = (int)open_num[r];
			snprintf(num, sizeof num, "+86171073100%02d", i);
			ck_assert_int_eq(vnum_release(p, num, r, now), 0);
			holder[i] = 0;
			released[i] = now;
			open_num[r] = -1;
		}
	}
	ck_assert_uint_gt(shorts, 0); /* the pool ran out at times: exhaustion was tested */
	vnum_pool_free(p);
}
END_TEST

/* ---------------------------------------------------------------- numbers.ini */

static bool
known(void *user, const char *id)
{
	(void)user;
	return strcmp(id, "changsha") == 0 || strcmp(id, "ningxiang") == 0 ||
	    strcmp(id, "aba") == 0 || strcmp(id, "town") == 0 || strcmp(id, "hills") == 0;
}

START_TEST(test_load_reference)
{
	struct vnum_pool *p = NULL;
	char *cause = NULL;
	ck_assert_msg(vnum_pool_load(SOURCE_DATA_DIR "/numbers.ini", known, NULL, &p,
	    &cause) == 0, "%s", cause);
	ck_assert_int_eq(vnum_pool_grace_ms(p), 1800000);
	ck_assert_uint_eq(vnum_count(p, "changsha", T0).total, 400);
	ck_assert_uint_eq(vnum_count(p, "ningxiang", T0).total, 60);
	ck_assert_uint_eq(vnum_count(p, "aba", T0).total, 30);
	vnum_pool_free(p);
	ck_assert_msg(vnum_pool_load(SOURCE_FIXTURES_DIR "/numbers-small.ini", known, NULL, &p,
	    &cause) == 0, "%s", cause);
	ck_assert_int_eq(vnum_pool_grace_ms(p), GRACE);
	ck_assert_uint_eq(vnum_count(p, "town", T0).total, 3);
	ck_assert_uint_eq(vnum_count(p, "hills", T0).total, 1);
	vnum_pool_free(p);
}
END_TEST

static const struct {
	const char *text;
	const char *error;
} bad_files[] = {
	{ "[pool]\ngrace_s = -1\n[numbers]\nregion = town\nfirst = +8617100000001\n",
	  ":2: grace_s" },
	{ "[numbers]\nregion = town\nfirst = 17100000001\n", ":3: first: a number is" },
	{ "[numbers]\nregion = town\n", ":1: [numbers] needs region and first" },
	{ "[numbers]\nregion = moon\nfirst = +8617100000001\n", ":1: no region 'moon'" },
	{ "[numbers]\nregion = town\nfirst = +8617100000001\n[numbers]\nregion = hills\n"
	  "first = +8617100000001\n", ":4: numbers +8617100000001 to +8617100000001" },
	{ "[numbers]\nregion = town\nfirst = +8617100000009\nlast = +8617100000001\n",
	  ":1: numbers +8617100000009 to +8617100000001" },
	{ "[numbers]\nregion = town\nregion = hills\nfirst = +8617100000001\n",
	  ":3: region repeated" },
	{ "[pool]\ngrace_s = 1\n[pool]\n[numbers]\nregion = town\nfirst = +8617100000001\n",
	  ":3: [pool] repeated" },
	{ "[number]\nregion = town\n", ":1: unknown section [number]" },
	{ "[numbers]\nregion = town\nfirst = +8617100000001\ncolour = red\n",
	  ":4: unknown key colour" },
	{ "[pool]\ngrace_s = 5\n", ":0: no [numbers]" },
	/* the whole file past 200,000 numbers: refused, not held (a fuzzed file took 1 GB) */
	{ "[numbers]\nregion = town\nfirst = +8617100000000\nlast = +8617100099999\n"
	  "[numbers]\nregion = town\nfirst = +8617200000000\nlast = +8617200099999\n"
	  "[numbers]\nregion = hills\nfirst = +8617300000000\n",
	  ":9: numbers +8617300000000 to +8617300000000" },
};

START_TEST(test_load_errors)
{
	char dir[] = "/tmp/rd-check-vnum-XXXXXX", path[64];
	struct vnum_pool *p = NULL;
	char *cause = NULL;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/numbers.ini", dir);
	FILE *f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(bad_files[_i].text, f);
	fclose(f);
	ck_assert_int_eq(vnum_pool_load(path, known, NULL, &p, &cause), -1);
	ck_assert_ptr_null(p);
	ck_assert_msg(strstr(cause, bad_files[_i].error) != NULL, "'%s' lacks '%s'", cause,
	    bad_files[_i].error);
	ck_assert_msg(strncmp(cause, path, strlen(path)) == 0, "%s", cause);
	free(cause);
	unlink(path);
	rmdir(dir);
}
END_TEST

/* ---------------------------------------------------------------- the broker */

static char base_dir[] = "/tmp/rd-check-vnum-XXXXXX";

#define TV sizeof ((struct proto_ticket *)0)->vnum
#define N1 "+8617100000001"
#define N2 "+8617100000002"
#define N3 "+8617100000003"

/* The town of fixture-town.c with numbers-small.ini and vans v1..v4 (v1 nearest). */
static void
setup(void)
{
	char from[512], to[512], buf[4096];

	town_setup(base_dir, "CHECK_VNUM_LOG", "vnum");
	snprintf(from, sizeof from, "%s/numbers-small.ini", SOURCE_FIXTURES_DIR);
	snprintf(to, sizeof to, "%s/data/numbers.ini", town_broker.dir);
	FILE *f = fopen(from, "r");
	ck_assert_ptr_nonnull(f);
	size_t n = fread(buf, 1, sizeof buf, f);
	fclose(f);
	f = fopen(to, "w");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(buf, 1, n, f), n);
	ck_assert_int_eq(fclose(f), 0);
	town_restart();
	town_van("v1", "alpha", 1);
	town_van("v2", "alpha", 2);
	town_van("v3", "alpha", 3);
	town_van("v4", "alpha", 4);
}

static void
teardown(void)
{
	town_teardown();
}

/* Ticket id's virtual number ("" when none) into out, and whether its events have kind. */
static bool
ticket_vnum(int64_t id, char out[TV], const char *kind)
{
	struct proto_reply r;
	char kinds[2048];

	town_event_kinds(id, kinds, sizeof kinds, &r);
	snprintf(out, TV, "%s", r.ticket.vnum);
	ck_assert_int_eq(PROTO_HAS(&r.ticket, ticket, vnum), out[0] != '\0');
	proto_reply_finish(&r);
	if (kind == NULL)
		return false;
	char padded[2100], want[40];
	snprintf(padded, sizeof padded, " %s ", kinds);
	snprintf(want, sizeof want, " %s ", kind);
	return strstr(padded, want) != NULL;
}

static int64_t
town_call(void)
{
	struct proto_ticket t = town_create("town", "battery", TOWN_LAT, TOWN_LON);
	ck_assert_msg(t.truck[0] != '\0', "ticket %lld not offered", (long long)t.id);
	return t.id;
}

static void
cancel(int64_t id)
{
	struct proto_ticket_cancel a = { .id = id, .present = 0 };
	PROTO_STRSET(a.reason, "the customer left");
	town_ok_as("agent7", PROTO_MSG_ticket_cancel, &a);
}

/* The first offer binds a number, the same publication shows it; the close releases it. */
START_TEST(test_dispatch_binds)
{
	char n[TV];
	struct proto_pub p;

	int64_t t1 = town_call();
	do
		town_expect(&p, (struct town_want){ .topic = PROTO_TOPIC_TICKET, .ticket = t1 },
		    "ticket with its number");
	while (!PROTO_HAS(&p.u.ticket, ticket, vnum));
	ck_assert_str_eq(p.u.ticket.vnum, N1);
	ck_assert(ticket_vnum(t1, n, "vnum_bind"));
	ck_assert_str_eq(n, N1);
	/* the truck declines: back to new, then the next van; the number stays the rescue's */
	struct proto_offer_decline d = { .id = t1, .present = PROTO_ALL };
	PROTO_STRSET(d.truck, "v1");
	PROTO_STRSET(d.reason, "busy");
	town_ok_as("alpha-desk", PROTO_MSG_offer_decline, &d);
	ck_assert(!ticket_vnum(t1, n, "vnum_release"));
	ck_assert_str_eq(n, N1);
	int64_t t2 = town_call();
	ck_assert(ticket_vnum(t2, n, "vnum_bind"));
	ck_assert_str_eq(n, N2);
	cancel(t1);
	ck_assert(ticket_vnum(t1, n, "vnum_release"));
	ck_assert_str_eq(n, N1); /* the closed ticket keeps it for its history */
	/* a ticket an agent dispatches gets none before its truck */
	struct proto_ticket h = town_create("hills", "battery", HILLS_LAT, HILLS_LON);
	ck_assert(!ticket_vnum(h.id, n, "vnum_bind"));
	ck_assert_str_eq(n, "");
}
END_TEST

/* Three numbers, four rescues: the fourth waits (vnum_short, counted) and gets the number
 * of the first rescue to close, once that has rested its 60 s. */
START_TEST(test_exhaustion)
{
	char n[TV];
	int64_t t[4];
	struct broker_stats st;

	for (int i = 0; i < 4; i++)
		t[i] = town_call();
	ck_assert(ticket_vnum(t[3], n, "vnum_short"));
	ck_assert_str_eq(n, "");
	cancel(t[1]);
	ck_assert(ticket_vnum(t[1], n, "vnum_release"));
	town_step(59000);
	ck_assert(!ticket_vnum(t[3], n, "vnum_bind"));
	town_step(1000);
	ck_assert(ticket_vnum(t[3], n, "vnum_bind"));
	ck_assert_str_eq(n, N2);
	harness_broker_halt(&town_broker);
	broker_stats(town_broker.b, &st);
	ck_assert_uint_eq(st.vnum_short, 1);
}
END_TEST

/* The next publication of the town's capacity warning for numbers: at level, or cleared
 * when level is "" (the trucks' and other regions' are skipped). */
static struct proto_warning
expect_numbers(const char *level, const char *what)
{
	struct proto_pub p;
	bool cleared = level[0] == '\0';

	for (;;) {
		town_expect(&p, (struct town_want){ .topic = PROTO_TOPIC_WARNING, .ticket = 0,
		    .state = "capacity", .cleared = -1 }, what);
		const struct proto_warning *w = &p.u.warning;
		ck_assert(PROTO_HAS(w, warning, reason));
		if (strcmp(w->region, "town") != 0 || strcmp(w->reason, "numbers") != 0)
			continue;
		if (w->cleared == cleared && (cleared || strcmp(w->level, level) == 0))
			return *w;
	}
}

/* The active capacity warnings for numbers in a snapshot (at most one a region), the
 * town's into *out. */
static size_t
snapshot_numbers(struct proto_warning *out)
{
	struct proto_snapshot sn = { .present = 0 };
	struct proto_reply r;
	size_t n = 0;

	town_call_as("sup1", PROTO_MSG_snapshot, &sn, &r);
	ck_assert(r.ok);
	for (size_t i = 0; i < r.n_warnings; i++) {
		const struct proto_warning *w = &r.warnings[i];
		if (w->ticket != 0 || w->cleared || strcmp(w->reason, "numbers") != 0)
			continue;
		ck_assert_str_eq(w->region, "town");
		*out = *w;
		n++;
	}
	proto_reply_finish(&r);
	return n;
}

/* Exhaustion warns the supervisors at once (amber), red past capacity_s (300 s) of
 * waiting; the warning survives a restart under its id; the first close frees a number
 * after its grace, the waiting ticket is bound and the warning clears in that batch. */
START_TEST(test_exhaustion_warns)
{
	char n[TV];
	int64_t t[4];
	struct proto_warning w, u;

	for (int i = 0; i < 3; i++)
		t[i] = town_call();
	ck_assert_uint_eq(snapshot_numbers(&u), 0);
	int64_t since = town_broker.now;
	t[3] = town_call();
	ck_assert(ticket_vnum(t[3], n, "vnum_short"));
	w = expect_numbers("amber", "capacity for numbers raised with the vnum_short");
	ck_assert_int_eq(w.ticket, 0);
	ck_assert_str_eq(w.kind, "capacity");
	ck_assert_int_eq(w.since, since);
	ck_assert_int_eq(w.waiting, 1);
	ck_assert_msg(strstr(w.text, "no virtual number free in town for 0 min (1 rescue "
	    "waiting for a number)") != NULL, "%s", w.text);
	ck_assert_uint_eq(snapshot_numbers(&u), 1);
	ck_assert_int_eq(u.id, w.id);

	/* 300 s of waiting exactly: amber still; one ms more: red, the same warning */
	town_step(300000);
	ck_assert_uint_eq(snapshot_numbers(&u), 1);
	ck_assert_str_eq(u.level, "amber");
	town_step(1);
	u = expect_numbers("red", "capacity for numbers red past capacity_s");
	ck_assert_int_eq(u.id, w.id);
	ck_assert_int_eq(u.since, since);

	/* a restart: the ticket waits again (rebuilt from the tickets), the warning is taken
	 * over, same id and since */
	town_restart();
	town_step(500);
	ck_assert_uint_eq(snapshot_numbers(&u), 1);
	ck_assert_int_eq(u.id, w.id);
	ck_assert_int_eq(u.since, since);
	ck_assert_str_eq(u.level, "red");

	/* a close: its number rests 60 s, the ticket and the warning wait until then */
	cancel(t[1]);
	ck_assert(ticket_vnum(t[1], n, "vnum_release"));
	town_step(59000);
	ck_assert(!ticket_vnum(t[3], n, "vnum_bind"));
	ck_assert_uint_eq(snapshot_numbers(&u), 1);
	town_step(1000);
	ck_assert(ticket_vnum(t[3], n, "vnum_bind"));
	ck_assert_str_eq(n, N2);
	u = expect_numbers("", "capacity for numbers cleared with the bind");
	ck_assert_int_eq(u.id, w.id);
	ck_assert_uint_eq(snapshot_numbers(&u), 0);
}
END_TEST

/* A waiting ticket that closes without a number clears the warning too. */
START_TEST(test_exhaustion_close_clears)
{
	char n[TV];
	int64_t t[4];
	struct proto_warning w, u;

	for (int i = 0; i < 4; i++)
		t[i] = town_call();
	ck_assert(ticket_vnum(t[3], n, "vnum_short"));
	w = expect_numbers("amber", "capacity for numbers raised");
	cancel(t[3]);
	u = expect_numbers("", "capacity for numbers cleared by the close");
	ck_assert_int_eq(u.id, w.id);
	ck_assert_uint_eq(snapshot_numbers(&u), 0);
}
END_TEST

/* A restart keeps what the tickets hold: bound numbers stay bound, a released one still
 * rests its grace. */
START_TEST(test_restart)
{
	char n[TV];

	int64_t t1 = town_call(), t2 = town_call();
	cancel(t1);
	town_restart();
	ck_assert(ticket_vnum(t2, n, NULL) == false);
	ck_assert_str_eq(n, N2);
	int64_t t3 = town_call();
	ck_assert(ticket_vnum(t3, n, "vnum_bind"));
	ck_assert_str_eq(n, N3);
	int64_t t4 = town_call();
	ck_assert(ticket_vnum(t4, n, "vnum_short")); /* N1 rests, N2 is t2's */
	town_step(60000);
	ck_assert(ticket_vnum(t4, n, "vnum_bind"));
	ck_assert_str_eq(n, N1);
}
END_TEST

/* ticket.call: the number, and `call` with who in the timeline; refused without one, and
 * once a closed rescue's number has rested. */
START_TEST(test_call)
{
	struct proto_ticket_call a = { .present = 0 };
	struct proto_reply r;

	int64_t t1 = town_call();
	a.id = t1;
	struct proto_ticket t = town_ok_as("agent3", PROTO_MSG_ticket_call, &a);
	ck_assert_str_eq(t.vnum, N1);
	town_get_ticket(t1, &r);
	const struct proto_event *e = &r.events[r.n_events - 1];
	ck_assert_str_eq(e->kind, "call");
	ck_assert_str_eq(e->user, "agent3");
	ck_assert_str_eq(e->code, "call");
	ck_assert_str_eq(e->params.vnum, N1);
	ck_assert_str_eq(e->params.by, "agent3");
	ck_assert_int_eq(e->ts, town_broker.now);
	proto_reply_finish(&r);

	struct proto_ticket h = town_create("hills", "battery", HILLS_LAT, HILLS_LON);
	a.id = h.id;
	town_fail_as("agent3", PROTO_MSG_ticket_call, &a, PROTO_E_INVALID_STATE,
	    "has no virtual number");
	a.id = 999;
	town_fail_as("agent3", PROTO_MSG_ticket_call, &a, PROTO_E_NOT_FOUND, "no ticket 999");

	cancel(t1);
	town_step(59000);
	a.id = t1;
	t = town_ok_as("agent3", PROTO_MSG_ticket_call, &a); /* a follow-up within the grace */
	ck_assert_str_eq(t.vnum, N1);
	town_step(1000);
	town_fail_as("agent3", PROTO_MSG_ticket_call, &a, PROTO_E_INVALID_STATE,
	    "closed too long ago");
}
END_TEST

/* ---------------------------------------------------------------- the console */

START_TEST(test_expand)
{
	static const struct {
		const char *cmd, *want;
	} cases[] = {
		{ "dial %n", "dial +8617100000001" },
		{ "sip:%n@pbx", "sip:+8617100000001@pbx" },
		{ "%n %n", "+8617100000001 +8617100000001" },
		{ "100%% %n", "100% +8617100000001" },
		{ "%%n %q %", "%n %q %" },
		{ "", "" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *got = call_expand(cases[i].cmd, N1);
		ck_assert_str_eq(got, cases[i].want);
		free(got);
	}
}
END_TEST

static struct model cm;
static struct vscreen *cvs;
static struct view *cv;
static struct proto_ticket ctickets[2];
static const struct proto_truck ctrucks[1];
static const struct proto_warning cwarns[1];
static char cdir[] = "/tmp/rd-check-vnum-dial-XXXXXX";
static char fifo[128], script[128];

static void
console_setup(void)
{
	struct harness_fixture f = {
		.tickets = ctickets, .n_tickets = 2, .trucks = ctrucks, .n_trucks = 0,
		.warnings = cwarns, .n_warnings = 0, .user = "agent3", .role = MODEL_ROLE_AGENT,
		.now = T0,
	};
	for (int i = 0; i < 2; i++) {
		struct proto_ticket *t = &ctickets[i];
		memset(t, 0, sizeof *t);
		t->id = i + 1;
		snprintf(t->state, sizeof t->state, "%s", i == 0 ? "accepted" : "new");
		snprintf(t->region, sizeof t->region, "changsha");
		snprintf(t->customer, sizeof t->customer, "Customer %d", i + 1);
		snprintf(t->phone, sizeof t->phone, "13812345678");
		snprintf(t->fault, sizeof t->fault, "tyre");
		snprintf(t->address, sizeof t->address, "Road %d", i + 1);
		t->lat = 28.2;
		t->lon = 112.9;
		t->created = T0 - 60000;
		t->promised = T0 + (i == 0 ? 600000 : 3600000);
		t->ver = 1;
		t->present = PROTO_ALL & ~((uint64_t)1 << PROTO_ticket_eta |
		    (uint64_t)1 << PROTO_ticket_eta_src);
		if (i == 0)
			snprintf(t->vnum, sizeof t->vnum, "%s", N1);
		else
			t->present &= ~((uint64_t)1 << PROTO_ticket_vnum);
	}
	harness_lang("en");
	harness_model_init(&cm, &f);
	cvs = vscreen_create(80, 24);
	harness_bind(&cm, &cvs, &cv, "check-vnum");
	cv = view_board_create();

	ck_assert_ptr_nonnull(mkdtemp(cdir));
	snprintf(fifo, sizeof fifo, "%s/dialled", cdir);
	snprintf(script, sizeof script, "%s/dial.sh", cdir);
	ck_assert_int_eq(mkfifo(fifo, 0600), 0);
	FILE *sh = fopen(script, "w");
	ck_assert_ptr_nonnull(sh);
	/* what it was given, and where its output goes */
	fprintf(sh, "echo this must not reach the terminal\n"
	    "printf '%%s %%s %%s\\n' \"$1\" \"$RESCUEDESK_NUMBER\" "
	    "\"$(readlink /proc/$$/fd/1)\" >%s\n", fifo);
	ck_assert_int_eq(fclose(sh), 0);
}

static void
console_teardown(void)
{
	call_set_command(NULL);
	view_destroy(cv);
	cv = NULL;
	harness_model_finish(&cm);
	vscreen_destroy(cvs);
	i18n_unload();
	unlink(fifo);
	unlink(script);
	rmdir(cdir);
}

/* The capacity warning's words by reason, in both catalogs; one without `reason` (an
 * older broker's) is the trucks'. */
START_TEST(test_capacity_text)
{
	struct proto_warning w = { .id = 7, .ticket = 0, .since = T0 - 180000, .waiting = 2,
		.ts = T0, .present = PROTO_ALL };
	char out[256];

	snprintf(w.kind, sizeof w.kind, "capacity");
	snprintf(w.level, sizeof w.level, "amber");
	snprintf(w.region, sizeof w.region, "changsha");
	snprintf(w.reason, sizeof w.reason, "numbers");
	w.present &= ~((uint64_t)1 << PROTO_warning_owner | (uint64_t)1 << PROTO_warning_cleared);
	present_warning_text(&w, NULL, T0, out, sizeof out);
	ck_assert_str_eq(out, "no virtual number free for 3 min, rescues waiting for a "
	    "number: 2");
	w.present &= ~((uint64_t)1 << PROTO_warning_reason);
	present_warning_text(&w, NULL, T0, out, sizeof out);
	ck_assert_str_eq(out, "no able truck free for 3 min, calls waiting for a truck: 2");
	harness_lang("zh_CN");
	present_warning_text(&w, NULL, T0, out, sizeof out);
	ck_assert_str_eq(out, "已 3 分钟没有可派的空闲车辆，2 个来电在等车");
	w.present |= (uint64_t)1 << PROTO_warning_reason;
	present_warning_text(&w, NULL, T0, out, sizeof out);
	ck_assert_str_eq(out, "已 3 分钟没有空闲的隐私号，2 个救援在等号码");
}
END_TEST

/* The supervisor view's region block with a region short of both trucks and numbers: two
 * rows, each saying which, under a title that names numbers; without the numbers one, the
 * title of trucks alone. */
START_TEST(test_kpi_numbers)
{
	static struct proto_warning rw[2];
	struct harness_fixture f = {
		.tickets = ctickets, .n_tickets = 2, .trucks = ctrucks, .n_trucks = 0,
		.warnings = rw, .n_warnings = 2, .user = "wangli",
		.role = MODEL_ROLE_SUPERVISOR, .now = T0,
	};

	for (int i = 0; i < 2; i++) {
		memset(&rw[i], 0, sizeof rw[i]);
		rw[i].id = 30 + i;
		rw[i].ticket = 0;
		snprintf(rw[i].kind, sizeof rw[i].kind, "capacity");
		snprintf(rw[i].level, sizeof rw[i].level, "%s", i == 0 ? "red" : "amber");
		snprintf(rw[i].text, sizeof rw[i].text, "English words");
		snprintf(rw[i].region, sizeof rw[i].region, "changsha");
		snprintf(rw[i].reason, sizeof rw[i].reason, "%s", i == 0 ? "trucks" : "numbers");
		rw[i].since = T0 - (i == 0 ? 9 : 3) * 60000;
		rw[i].ts = T0 - 60000;
		rw[i].waiting = i == 0 ? 1 : 2;
	}
	/* the screen's text in UTF-8 (this suite's main is the broker harness's) */
	ck_assert_ptr_nonnull(setlocale(LC_ALL, "C.UTF-8"));
	harness_model_finish(&cm);
	harness_model_init(&cm, &f);
	model_refresh(&cm, T0);
	view_destroy(cv);
	cv = view_kpi_create(&cm);
	harness_draw(120, 40);
	ck_assert(harness_screen_has("Regions short of trucks or virtual numbers"));
	ck_assert(harness_screen_has("no able truck free for 9 min, calls waiting for a truck: 1"));
	ck_assert(harness_screen_has("no virtual number free for 3 min, rescues waiting for a "
	    "number: 2"));
	ck_assert(harness_find_row("waiting for a truck: 1") <
	    harness_find_row("waiting for a number: 2")); /* red first */
	harness_lang("zh_CN");
	harness_draw(120, 40);
	ck_assert(harness_screen_has("缺车或缺隐私号的区域"));
	ck_assert(harness_screen_has("已 3 分钟没有空闲的隐私号，2 个救援在等号码"));
	harness_lang("en");
	harness_warnings[1].cleared = true;
	model_refresh(&cm, T0);
	harness_draw(120, 40);
	ck_assert(harness_screen_has("Regions without a free truck"));
	ck_assert(!harness_screen_has("virtual number"));
	harness_assert_safe();
}
END_TEST

/* The broker's answer to the last ticket.call: accepted, with the ticket and its number. */
static void
answer_call(const char *vnum)
{
	struct proto_reply r;
	memset(&r, 0, sizeof r);
	snprintf(r.cmd_id, sizeof r.cmd_id, "%s", harness_rec.last_cmd);
	snprintf(r.op, sizeof r.op, "ticket.call");
	r.op_id = PROTO_MSG_ticket_call;
	r.ok = true;
	r.ticket = ctickets[0];
	snprintf(r.ticket.vnum, sizeof r.ticket.vnum, "%s", vnum);
	model_reply(&cm, harness_rec.last_cmd, &r, NULL);
}

/* p on the board: ticket.call, then the dial command with the number it answered, run
 * detached with its output on /dev/null; the script tells through a FIFO, waited for. */
START_TEST(test_console_dials)
{
	char cmd[256], got[256];

	snprintf(cmd, sizeof cmd, "sh %s %%n", script);
	call_set_command(cmd);
	ck_assert_str_eq(call_command(), cmd);
	int fd = open(fifo, O_RDWR); /* never an end of file: wait for the line */
	ck_assert_int_ge(fd, 0);

	harness_draw(80, 24);
	int sent = harness_rec.sent;
	harness_press('p');
	ck_assert_int_eq(harness_rec.sent, sent + 1);
	answer_call(N1);
	struct pollfd pfd = { fd, POLLIN, 0 };
	ck_assert_msg(poll(&pfd, 1, 10000) == 1, "the dial command did not run");
	ssize_t n = read(fd, got, sizeof got - 1);
	ck_assert_int_gt(n, 0);
	got[n] = '\0';
	ck_assert_str_eq(got, N1 " " N1 " /dev/null\n");
	ck_assert_msg(strstr(cm.message, "Dialling the virtual number for #1: " N1) != NULL,
	    "%s", cm.message);
	close(fd);
}
END_TEST

/* Without a dial command the number is shown to dial by hand; a ticket without a number
 * sends nothing; a refusal and no answer are on the message line. */
START_TEST(test_console_by_hand)
{
	int sent = harness_rec.sent;

	ck_assert_ptr_null(call_command());
	call_customer(&cm, 1);
	ck_assert_int_eq(harness_rec.sent, sent + 1);
	answer_call(N1);
	ck_assert_msg(strstr(cm.message, "Dial the virtual number for #1: " N1) != NULL, "%s",
	    cm.message);
	ck_assert(!cm.message_error);

	call_customer(&cm, 2);
	ck_assert_int_eq(harness_rec.sent, sent + 1);
	ck_assert(cm.message_error);
	ck_assert_msg(strstr(cm.message, "No virtual number yet") != NULL, "%s", cm.message);

	call_customer(&cm, 1);
	harness_answer_error(&cm, harness_rec.last_cmd, PROTO_E_INVALID_STATE,
	    "ticket 1 closed too long ago");
	ck_assert(cm.message_error);
	ck_assert_msg(strstr(cm.message, "Call not recorded") != NULL, "%s", cm.message);

	/* the detail shows the number beside the masked phone */
	char phone[64];
	call_phone_text(&ctickets[0], phone, sizeof phone);
	ck_assert_str_eq(phone, N1 "  (138****5678)");
	call_phone_text(&ctickets[1], phone, sizeof phone);
	ck_assert_str_eq(phone, "138****5678");

	/* the detail draws it there, and p there calls too */
	view_destroy(cv);
	cv = view_detail_create(&cm, 1, ACTION_NONE);
	harness_draw(120, 40);
	ck_assert(harness_screen_has(N1 "  (138****5678)"));
	sent = harness_rec.sent;
	harness_press('p');
	ck_assert_int_eq(harness_rec.sent, sent + 1);

	/* a dial command refuses what is not a virtual number */
	char *cause = NULL;
	ck_assert_int_eq(call_dial("true %n", "13812345678; rm -rf /", &cause), -1);
	ck_assert_ptr_nonnull(strstr(cause, "not a virtual number"));
	free(cause);
}
END_TEST

/* ---------------------------------------------------------------- suite */

static Suite *
vnum_suite(void)
{
	Suite *s = suite_create("vnum");
	/* Check's default of 4 s is short on a loaded machine (the tests wait on events, with
	 * their own deadlines) */
	TCase *tc = tcase_create("allocator");
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_tables, 0, (int)(sizeof tables / sizeof tables[0]));
	tcase_add_test(tc, test_next_free);
	tcase_add_test(tc, test_add_refused);
	tcase_add_test(tc, test_restore);
	tcase_add_test(tc, test_random_never_shared);
	suite_add_tcase(s, tc);
	tc = tcase_create("file");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_load_reference);
	tcase_add_loop_test(tc, test_load_errors, 0, (int)(sizeof bad_files / sizeof bad_files[0]));
	suite_add_tcase(s, tc);
	tc = tcase_create("broker");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_dispatch_binds);
	tcase_add_test(tc, test_exhaustion);
	tcase_add_test(tc, test_exhaustion_warns);
	tcase_add_test(tc, test_exhaustion_close_clears);
	tcase_add_test(tc, test_restart);
	tcase_add_test(tc, test_call);
	suite_add_tcase(s, tc);
	tc = tcase_create("console");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_expand);
	tcase_add_test(tc, test_capacity_text);
	tcase_add_test(tc, test_kpi_numbers);
	tcase_add_checked_fixture(tc, console_setup, console_teardown);
	tcase_add_test(tc, test_console_dials);
	tcase_add_test(tc, test_console_by_hand);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return harness_broker_main(vnum_suite(), base_dir);
}
