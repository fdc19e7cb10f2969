/* bench-capacity.c: what the capacity warning (src/broker/broker-capacity.c) costs the
 * broker's tick, against a same-run baseline: a bare loop reading every truck's status and
 * region, the least any count of free trucks could cost.
 *
 * The broker is built in memory (the shipped regions, N trucks, M open tickets, a store in
 * a temporary file for the one warning raised), and broker_capacity_tick is called as the
 * tick calls it. The trucks have no supplier of the data, so each one's region is looked
 * up by the name its status gave (the slower of the two ways the pass finds it). Every region has free trucks but the last, whose one truck is off duty and
 * whose capacity warning is active, so each pass also runs the recount of the calls
 * waiting for a truck when it is due (every 5 s of broker time):
 *
 *   pass      500 ms apart: the recount in one pass of ten (as the loop runs it)
 *   recount   5 s apart: the recount in every pass (the worst case, a region short for good)
 *
 * Target: the pass no more than 20 x the baseline plus the recount's share (it is O(trucks
 * + regions), and O(tickets) only at a recount), else exit 1.
 *
 * Usage: bench-capacity [DATA_DIR] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "broker-int.h"
#include "util.h"

#define PASSES 200

struct world {
	struct broker b;
	char path[64];
};

static void
build(struct world *wd, struct data *data, size_t n_trucks, size_t n_tickets)
{
	struct broker *b = &wd->b;
	char *cause = NULL;
	size_t nr = data->n_regions;

	memset(wd, 0, sizeof *wd);
	b->data = data;
	b->opts.clock = BROKER_CLOCK_MANUAL;
	b->t0_broker = 1773468300000LL;
	snprintf(wd->path, sizeof wd->path, "/tmp/rd-bench-capacity-%ld.db", (long)getpid());
	unlink(wd->path);
	b->store = store_open(wd->path, STORE_SYNC_NORMAL, &cause);
	if (b->store == NULL)
		fatal("%s", cause);
	b->trucks = xcalloc(n_trucks, sizeof *b->trucks);
	for (size_t i = 0; i < n_trucks; i++) {
		struct btruck *k = xcalloc(1, sizeof *k);
		/* the last region gets one truck only, off duty */
		size_t r = i == 0 ? nr - 1 : i % (nr - 1);
		k->gid = (uint32_t)i;
		k->sup = -1;
		k->placed = true;
		k->status = i == 0 ? TRUCK_OFF_DUTY : TRUCK_AVAILABLE;
		k->w.fix_ts = b->t0_broker;
		snprintf(k->w.id, sizeof k->w.id, "T%zu", i);
		PROTO_STRSET(k->w.region, data->regions[r].id);
		b->trucks[i] = k;
	}
	b->n_trucks = n_trucks;
	b->tickets = xcalloc(n_tickets, sizeof *b->tickets);
	for (size_t i = 0; i < n_tickets; i++) {
		struct bticket *t = xcalloc(1, sizeof *t);
		t->w.id = (int64_t)i + 1;
		t->state = i % 3 == 0 ? TICKET_NEW : TICKET_EN_ROUTE;
		t->region = &data->regions[i % nr];
		b->tickets[i] = t;
	}
	b->n_tickets = b->n_open = n_tickets;
}

static void
destroy(struct world *wd)
{
	struct broker *b = &wd->b;

	store_rollback(b->store);
	store_close(b->store);
	unlink(wd->path);
	broker_capacity_finish(b);
	broker_emit_finish(b);
	for (size_t i = 0; i < b->n_trucks; i++)
		free(b->trucks[i]);
	for (size_t i = 0; i < b->n_tickets; i++)
		free(b->tickets[i]);
	for (size_t i = 0; i < b->n_warns; i++)
		free(b->warns[i]);
	free(b->trucks);
	free(b->tickets);
	free(b->warns);
}

/* ns per pass of broker_capacity_tick, PASSES passes step_ms apart. */
static double
passes(struct broker *b, int64_t step_ms)
{
	int64_t t0 = rd_mono_ns();
	for (int i = 0; i < PASSES; i++) {
		b->stepped += step_ms;
		broker_capacity_tick(b, broker_now(b));
	}
	return (double)(rd_mono_ns() - t0) / PASSES;
}

/* ns per bare loop over the trucks, the baseline. */
static double
baseline(const struct broker *b)
{
	volatile size_t sink = 0;
	int64_t t0 = rd_mono_ns();
	for (int i = 0; i < PASSES; i++) {
		size_t n = 0;
		for (size_t j = 0; j < b->n_trucks; j++)
			n += b->trucks[j]->status == TRUCK_AVAILABLE && b->trucks[j]->w.region[0];
		sink += n;
	}
	(void)sink;
	return (double)(rd_mono_ns() - t0) / PASSES;
}

int
main(int argc, char **argv)
{
	static const size_t sizes[][2] = { { 1000, 1000 }, { 10000, 10000 }, { 10000, 100000 } };
	const char *dir = argc > 1 ? argv[1] : NULL;
	char *cause = NULL;
	struct data *data = data_load(dir, &cause);
	int rc = 0;

	if (data == NULL)
		fatal("%s", cause);
	if (data->n_regions < 2)
		fatal("need two regions or more");
	printf("%8s %8s %12s %12s %12s %s\n", "trucks", "tickets", "baseline", "pass",
	    "recount", "(us per tick)");
	for (size_t s = 0; s < ARRAY_LEN(sizes); s++) {
		struct world wd;
		struct broker *b = &wd.b;

		build(&wd, data, sizes[s][0], sizes[s][1]);
		broker_capacity_tick(b, broker_now(b));
		b->stepped += ((int64_t)data->sla.capacity_s + 1) * 1000;
		broker_capacity_tick(b, broker_now(b)); /* the last region's warning raised */
		if (b->n_warns_active != 1)
			fatal("expected one capacity warning, have %zu", b->n_warns_active);
		double base = baseline(b), pass = passes(b, 500), recount = passes(b, 5000);
		printf("%8zu %8zu %12.1f %12.1f %12.1f\n", sizes[s][0], sizes[s][1], base / 1000,
		    pass / 1000, recount / 1000);
		if (pass > 20 * base + recount / 10 + 20000) {
			printf("FAIL: the pass costs %.1f us against a %.1f us baseline\n",
			    pass / 1000, base / 1000);
			rc = 1;
		}
		destroy(&wd);
	}
	data_free(data);
	return rc;
}
