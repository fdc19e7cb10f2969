/* check-board.c: the board's incremental rebuild (ui/board.c) gives the same board as a
 * rebuild from nothing. Random sequences of changes (a ticket's state, ETA, promise,
 * priority or creation changed in place or handed over at a new address, tickets added and
 * removed, the caller's order shuffled, warnings raised and cleared, time moving by
 * milliseconds or minutes across promises and windows, the sort, the filter and the
 * selection changed) are applied to tickets held by one board across all rebuilds; after
 * each step a fresh board (board_forget) rebuilds the same tickets, and rows, selection
 * and counts must be equal. The fresh board is checked in turn against the definitions:
 * the urgency order is board_urgency's, descending, ties by id, and the counts are
 * ui/present.c's present_due over every ticket, as the model counted before. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "board.h"
#include "present.h"
#include "rng.h"
#include "ticket.h"
#include "util.h"

#define NOW0 1773468300000LL	/* 2026-03-14 06:05:00 UTC */
#define MIN_MS (60 * 1000LL)
#define POOL 240		/* tickets held at most */
#define STEPS 3000

static const struct data_sla sla = { .not_accepted_s = 300, .gps_stale_s = 90,
	.stalled_s = 300, .late_margin_s = 300, .window_pct = 80 };

static struct rng rnd;
static struct proto_ticket *held[POOL];	/* each on the heap: a new address when handed over */
static size_t n_held;
static int64_t next_id;
static int64_t now;
static unsigned char warn[POOL * 4 + 64];	/* by ticket id (small ids): 0, 1 amber, 2 red */

#define BIG_ID ((int64_t)1 << 40)	/* past the board's slots */

static int
warn_of(void *ctx, int64_t id)
{
	(void)ctx;
	if (id == BIG_ID)
		return warn[0];
	return id >= 0 && (size_t)id < sizeof warn ? warn[id] : 0;
}

static unsigned
is_of(void *ctx, const struct proto_ticket *t)
{
	unsigned bits = 0;

	(void)ctx;
	bits |= present_due(&sla, t, now, warn_of(NULL, t->id)) == PRESENT_DUE_LATE ?
	    BOARD_IS_MASK(LATE) : 0;
	bits |= warn_of(NULL, t->id) > 0 ? BOARD_IS_MASK(WARN) : 0;
	return bits;
}

static const char *const states[] = { "new", "dispatched", "accepted", "en_route",
	"on_scene", "towing", "completed", "cancelled", "resolved_remote", "bogus" };
static const char *const regions[] = { "changsha", "ningxiang", "aba" };
static const char *const filters[] = { "", "", "", "state:open", "state:new", "ningxiang",
	"is:late", "is:warn", "state:en_route changsha" };

/* Times near now, so promises, ETAs and windows cross it as time moves. */
static int64_t
near_now(void)
{
	int64_t span = rng_below(&rnd, 4) == 0 ? 60 * MIN_MS : MIN_MS;

	return now + (int64_t)rng_below(&rnd, (uint32_t)(2 * span)) - span;
}

static void
randomize(struct proto_ticket *t)
{
	PROTO_STRSET(t->state, states[rng_below(&rnd, ARRAY_LEN(states))]);
	PROTO_STRSET(t->region, regions[rng_below(&rnd, ARRAY_LEN(regions))]);
	t->created = near_now() - 40 * MIN_MS;
	t->promised = rng_below(&rnd, 8) == 0 ? 0 : near_now();
	t->eta = near_now();
	t->priority = rng_below(&rnd, 3) == 0 ? rng_below(&rnd, 3000) : 0;
	t->t_closed = near_now();
	t->t_on_scene = near_now();
	t->offers = rng_below(&rnd, 3);
	t->present = PROTO_ALL;
	if (rng_below(&rnd, 3) == 0)
		t->present &= ~((uint64_t)1 << PROTO_ticket_eta);
	if (rng_below(&rnd, 2) == 0)
		t->present &= ~((uint64_t)1 << PROTO_ticket_t_on_scene);
}

static void
add_ticket(void)
{
	struct proto_ticket *t = xcalloc(1, sizeof *t);

	t->id = next_id++;
	if (rng_below(&rnd, 50) == 0) {
		bool big = false;
		for (size_t i = 0; i < n_held; i++)
			big |= held[i]->id == BIG_ID;
		if (!big)
			t->id = BIG_ID;
	}
	randomize(t);
	held[n_held++] = t;
}

/* One random change of the tickets, the warnings or the clock. */
static long pending_move;	/* a key's move, for after the step's rebuild */

static void
change(struct board *inc)
{
	size_t i = n_held ? rng_below(&rnd, (uint32_t)n_held) : 0;
	struct proto_ticket *t = n_held ? held[i] : NULL, *c;

	switch (rng_below(&rnd, 16)) {
	case 0:
		if (n_held < POOL)
			add_ticket();
		break;
	case 1:
		if (t != NULL) {	/* retired: the caller drops it */
			free(t);
			held[i] = held[--n_held];
		}
		break;
	case 2:
		if (t != NULL)		/* the state, in place */
			PROTO_STRSET(t->state, states[rng_below(&rnd, ARRAY_LEN(states))]);
		break;
	case 3:
		if (t != NULL)		/* the ETA, in place (a fix's update) */
			t->eta = near_now();
		break;
	case 4:
		if (t != NULL) {	/* handed over anew, changed (as the replica does) */
			c = xcalloc(1, sizeof *c);
			*c = *t;
			randomize(c);
			c->id = t->id;
			held[i] = c;
			free(t);
		}
		break;
	case 5:
		if (t != NULL) {	/* handed over anew, unchanged */
			c = xcalloc(1, sizeof *c);
			*c = *t;
			held[i] = c;
			free(t);
		}
		break;
	case 6:
		if (t != NULL)
			t->promised = rng_below(&rnd, 6) == 0 ? 0 : near_now();
		break;
	case 7:
		if (t != NULL)
			t->priority = rng_below(&rnd, 3000);
		break;
	case 8:			/* a warning raised, changed or cleared */
		warn[rng_below(&rnd, (uint32_t)(next_id < (int64_t)sizeof warn ? next_id :
		    (int64_t)sizeof warn))] = (unsigned char)rng_below(&rnd, 3);
		break;
	case 9:			/* time: a burst's milliseconds, or minutes */
		now += rng_below(&rnd, 4) == 0 ? (int64_t)rng_below(&rnd, 10) * MIN_MS :
		    rng_below(&rnd, 1500);
		break;
	case 10:		/* the caller's order of its table moves (a rehash) */
		for (size_t k = 0; k + 1 < n_held && k < 8; k++) {
			size_t a = rng_below(&rnd, (uint32_t)n_held), b = rng_below(&rnd,
			    (uint32_t)n_held);
			c = held[a];
			held[a] = held[b];
			held[b] = c;
		}
		break;
	case 11:
		if (rng_below(&rnd, 8) == 0)
			inc->sort = (enum board_sort)rng_below(&rnd, BOARD_SORT_COUNT);
		break;
	case 12:
		if (rng_below(&rnd, 8) == 0)
			ck_assert_ptr_null(board_set_filter(inc,
			    filters[rng_below(&rnd, ARRAY_LEN(filters))]));
		break;
	case 13:		/* a key: only on a refreshed board (the app refreshes before
				 * a key), so after this step's rebuild: rows may point at
				 * tickets freed above until then */
		pending_move = (long)rng_below(&rnd, 21) - 10;
		break;
	case 14:		/* many at once (a burst, a resync) */
		for (size_t k = 0; k < n_held; k++)
			if (rng_below(&rnd, 3) == 0)
				randomize(held[k]);
		break;
	default:
		if (t != NULL)
			t->created = near_now() - 30 * MIN_MS;
		break;
	}
}

static int
cmp_urgency(const void *va, const void *vb)
{
	const struct proto_ticket *a = *(const struct proto_ticket *const *)va;
	const struct proto_ticket *b = *(const struct proto_ticket *const *)vb;
	int64_t ua = board_urgency(a, &sla, now, warn_of(NULL, a->id));
	int64_t ub = board_urgency(b, &sla, now, warn_of(NULL, b->id));

	if (ua != ub)
		return ua < ub ? 1 : -1;
	return (a->id > b->id) - (a->id < b->id);
}

/* The fresh board against the definitions. */
static void
check_definitions(const struct board *full)
{
	size_t open = 0, late = 0, risk = 0;

	for (size_t i = 0; i < n_held; i++) {
		const struct proto_ticket *t = held[i];
		int s = ticket_state_parse(t->state);
		open += s >= 0 && !ticket_state_final((enum ticket_state)s);
		if (!present_before_scene(t))
			continue;
		enum present_due d = present_due(&sla, t, now, warn_of(NULL, t->id));
		late += d == PRESENT_DUE_LATE;
		risk += d == PRESENT_DUE_SOON;
	}
	ck_assert_uint_eq(full->n_open, open);
	ck_assert_uint_eq(full->n_late, late);
	ck_assert_uint_eq(full->n_risk, risk);
	if (full->sort == BOARD_SORT_URGENCY && full->filter[0] == '\0') {
		const struct proto_ticket **want = xcalloc(n_held + 1, sizeof *want);
		memcpy(want, held, n_held * sizeof *want);
		qsort(want, n_held, sizeof *want, cmp_urgency);
		ck_assert_uint_eq(full->n, n_held);
		for (size_t i = 0; i < n_held; i++)
			ck_assert_ptr_eq(full->rows[i], want[i]);
		free(want);
	}
}

static void
run(uint64_t seed, size_t start)
{
	struct board inc, full;
	struct board_lookup look = { .is = is_of };

	rng_seed(&rnd, seed, 0);
	memset(warn, 0, sizeof warn);
	n_held = 0;
	next_id = 1;
	pending_move = 0;
	now = NOW0;
	board_init(&inc);
	inc.sla = &sla;
	inc.look = look;
	for (size_t i = 0; i < start; i++)
		add_ticket();
	for (int step = 0; step < STEPS; step++) {
		int changes = 1 + (int)rng_below(&rnd, 3);
		for (int k = 0; k < changes; k++)
			change(&inc);
		/* the fresh board starts where the held one stands */
		board_init(&full);
		full.sla = &sla;
		full.look = look;
		full.sort = inc.sort;
		ck_assert_ptr_null(board_set_filter(&full, inc.filter));
		full.selected = inc.selected;
		full.sel_index = inc.sel_index;

		board_rebuild(&inc, (const struct proto_ticket *const *)held, n_held, now,
		    warn_of, NULL);
		board_rebuild(&full, (const struct proto_ticket *const *)held, n_held, now,
		    warn_of, NULL);
		ck_assert_uint_eq(inc.n, full.n);
		ck_assert_uint_eq(inc.total, full.total);
		for (size_t i = 0; i < full.n; i++)
			ck_assert_msg(inc.rows[i] == full.rows[i],
			    "seed %llu step %d: row %zu is #%lld, a full rebuild has #%lld",
			    (unsigned long long)seed, step, i, (long long)inc.rows[i]->id,
			    (long long)full.rows[i]->id);
		ck_assert_int_eq(inc.selected, full.selected);
		ck_assert_uint_eq(inc.sel_index, full.sel_index);
		ck_assert_uint_eq(inc.n_open, full.n_open);
		ck_assert_uint_eq(inc.n_late, full.n_late);
		ck_assert_uint_eq(inc.n_risk, full.n_risk);
		check_definitions(&full);
		board_finish(&full);
		if (pending_move != 0) {
			board_move(&inc, pending_move);
			pending_move = 0;
		}
		if (rng_below(&rnd, 200) == 0)
			board_forget(&inc);	/* a forgotten cache is only slower */
	}
	board_finish(&inc);
	for (size_t i = 0; i < n_held; i++)
		free(held[i]);
	n_held = 0;
}

START_TEST(incremental_equals_full_small)
{
	run(0x1001, 12);
}
END_TEST

START_TEST(incremental_equals_full)
{
	run(0xb0a4d + (uint64_t)_i, 150);
}
END_TEST

/* A board of 2000 changed one ticket at a time, as a fix's ETA update does: the rows stay
 * equal to a full rebuild's while time moves a few milliseconds between rebuilds. */
START_TEST(one_change_at_a_time)
{
	struct board inc, full;
	enum { N = 2000 };
	struct proto_ticket *t = xcalloc(N, sizeof *t);
	const struct proto_ticket **all = xcalloc(N, sizeof *all);

	rng_seed(&rnd, 0x5eed, 1);
	now = NOW0;
	memset(warn, 0, sizeof warn);
	for (int i = 0; i < N; i++) {
		t[i].id = i + 1;
		randomize(&t[i]);
		all[i] = &t[i];
	}
	board_init(&inc);
	inc.sla = &sla;
	for (int step = 0; step < 300; step++) {
		struct proto_ticket *x = &t[rng_below(&rnd, N)];
		x->eta = near_now();
		if (rng_below(&rnd, 4) == 0)
			PROTO_STRSET(x->state, states[rng_below(&rnd, 4)]);
		now += rng_below(&rnd, 50);
		board_init(&full);
		full.sla = &sla;
		board_rebuild(&inc, all, N, now, warn_of, NULL);
		board_rebuild(&full, all, N, now, warn_of, NULL);
		ck_assert_uint_eq(inc.n, full.n);
		ck_assert_int_eq(memcmp(inc.rows, full.rows, N * sizeof *inc.rows), 0);
		board_finish(&full);
	}
	board_finish(&inc);
	free(all);
	free(t);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("board");
	TCase *tc = tcase_create("incremental");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, incremental_equals_full_small);
	tcase_add_loop_test(tc, incremental_equals_full, 0, 4);
	tcase_add_test(tc, one_change_at_a_time);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
