/* broker-report.c: stats.report (PROTOCOL.md 7.35), the reports `rescuedesk --report`
 * prints: a table (column names, then rows of cells) of a range, computed from the store's
 * events by the same fold as the boards (broker_board_fold, tally.c), so a report and the
 * screens show the same numbers.
 *
 * Kinds: responses (one row per rescue that reached the scene), suppliers and agents (the
 * boards' rows without the live counts; a supplier's name from the broker's data last), phone (per day: calls, closed, solved by phone),
 * complaints (per cause), nps (per day: surveys, promoters, passives, detractors, NPS).
 * Times in cells are China time (UTC+8) as text; shares are numbers in [0, 1] rounded to
 * 4 decimals, nil when there is nothing to divide. Nothing here changes state. */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "broker-int.h"
#include "civil.h"
#include "tally.h"
#include "util.h"

#define REPORT_RANGE_MAX_MS (92LL * 86400000)
#define DAY_MS 86400000LL

/* ---------------------------------------------------------------- cells */

static void
cell_str(struct proto_buf *b, const char *s)
{
	proto_pack_str(b, s);
}

static void
cell_int(struct proto_buf *b, int64_t v)
{
	proto_pack_i64(b, v);
}

/* A share rounded to 4 decimals, nil without a denominator. */
static void
cell_share(struct proto_buf *b, int64_t num, int64_t den)
{
	double s;
	if (tally_share(num, den, &s))
		proto_pack_f64(b, round(s * 10000) / 10000);
	else
		proto_pack_nil(b);
}

/* A mean of ms as minutes with one decimal, nil when n is 0. */
static void
cell_minutes(struct proto_buf *b, int64_t sum_ms, int64_t n)
{
	if (n <= 0)
		proto_pack_nil(b);
	else
		proto_pack_f64(b, round((double)sum_ms / (double)n / 6000.0) / 10);
}

/* "YYYY-MM-DD HH:MM:SS" (with_time) or "YYYY-MM-DD", China time. */
static void
cell_time(struct proto_buf *b, int64_t ms, bool with_time)
{
	char buf[32];
	time_t t = (time_t)((ms - (ms % 1000 + 1000) % 1000) / 1000 + CIVIL_TZ_CHINA_S);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(buf, sizeof buf, with_time ? "%Y-%m-%d %H:%M:%S" : "%Y-%m-%d", &tm);
	proto_pack_str(b, buf);
}

/* Begin row d of a kind with a row per day and a last "total" row (d == t->n_days): the
 * row's array and its first cell, the date or "total"; returns the day's figures, or sum. */
static const struct tally_day *
day_row(struct proto_buf *b, const struct tally *t, size_t d, const struct tally_day *sum,
    size_t n_cols)
{
	proto_pack_array(b, (uint32_t)n_cols);
	if (d == t->n_days) {
		cell_str(b, "total");
		return sum;
	}
	cell_time(b, t->from + (int64_t)d * DAY_MS, false);
	return &t->days[d];
}

static void
header(struct proto_buf *b, const char *const *names, size_t n)
{
	proto_pack_str(b, "header");
	proto_pack_array(b, (uint32_t)n);
	for (size_t i = 0; i < n; i++)
		proto_pack_str(b, names[i]);
	proto_pack_str(b, "rows");
}

/* ---------------------------------------------------------------- the kinds */

static void
responses(const struct broker *br, struct proto_buf *b, const struct tally *t)
{
	(void)br;
	static const char *const cols[] = { "ticket", "region", "supplier", "truck", "created",
		"on_scene", "response_min", "within_promise" };
	header(b, cols, ARRAY_LEN(cols));
	proto_pack_array(b, (uint32_t)t->n_rescues);
	for (size_t i = 0; i < t->n_rescues; i++) {
		const struct tally_rescue *r = &t->rescues[i];
		proto_pack_array(b, ARRAY_LEN(cols));
		cell_int(b, r->ticket);
		cell_str(b, r->region);
		cell_str(b, r->supplier);
		cell_str(b, r->truck);
		cell_time(b, r->created, true);
		cell_time(b, r->on_scene, true);
		cell_minutes(b, r->on_scene - r->created, 1);
		cell_str(b, r->on_scene <= r->promised ? "yes" : "no");
	}
}

/* The supplier's name in the broker's data, NULL for one it does not name (known only from
 * its trucks or from events). */
static const char *
supplier_name(const struct broker *br, const char *id)
{
	for (size_t i = 0; i < br->n_sups; i++)
		if (strcmp(br->sups[i].d->id, id) == 0)
			return br->sups[i].d->name;
	return NULL;
}

/* `name` is last: it came after the others, and a column is only ever added at the end. */
static void
suppliers(const struct broker *br, struct proto_buf *b, const struct tally *t)
{
	static const char *const cols[] = { "supplier", "offers", "accepted", "acceptance_rate",
		"declines", "timeouts", "accept_median_s", "arrived", "late", "late_rate",
		"response_mean_min", "complaints", "name" };
	header(b, cols, ARRAY_LEN(cols));
	proto_pack_array(b, (uint32_t)t->n_suppliers);
	for (size_t i = 0; i < t->n_suppliers; i++) {
		const struct tally_supplier *s = &t->suppliers[i];
		proto_pack_array(b, ARRAY_LEN(cols));
		cell_str(b, s->id);
		cell_int(b, s->offers);
		cell_int(b, s->accepted);
		cell_share(b, s->accepted, s->offers);
		cell_int(b, s->declines);
		cell_int(b, s->timeouts);
		if (s->accept_median_ms >= 0)
			cell_int(b, (s->accept_median_ms + 500) / 1000);
		else
			proto_pack_nil(b);
		cell_int(b, s->arrived);
		cell_int(b, s->late);
		cell_share(b, s->late, s->arrived);
		cell_minutes(b, s->response_ms, s->arrived);
		cell_int(b, s->complaints);
		const char *name = supplier_name(br, s->id);
		if (name != NULL && name[0] != '\0')
			cell_str(b, name);
		else
			proto_pack_nil(b);
	}
}

static void
agents(const struct broker *br, struct proto_buf *b, const struct tally *t)
{
	(void)br;
	static const char *const cols[] = { "agent", "calls", "acked", "acked_in_time",
		"in_time_rate" };
	header(b, cols, ARRAY_LEN(cols));
	proto_pack_array(b, (uint32_t)t->n_agents);
	for (size_t i = 0; i < t->n_agents; i++) {
		const struct tally_agent *a = &t->agents[i];
		proto_pack_array(b, ARRAY_LEN(cols));
		cell_str(b, a->user);
		cell_int(b, a->calls);
		cell_int(b, a->warnings);
		cell_int(b, a->acked_in_time);
		cell_share(b, a->acked_in_time, a->warnings);
	}
}

/* One row per day, then "total". */
static void
phone(const struct broker *br, struct proto_buf *b, const struct tally *t)
{
	(void)br;
	static const char *const cols[] = { "date", "calls", "closed", "solved_by_phone",
		"phone_rate" };
	struct tally_day sum = { 0 };
	header(b, cols, ARRAY_LEN(cols));
	proto_pack_array(b, (uint32_t)t->n_days + 1);
	for (size_t d = 0; d <= t->n_days; d++) {
		const struct tally_day *x = day_row(b, t, d, &sum, ARRAY_LEN(cols));
		cell_int(b, x->calls);
		cell_int(b, x->closed);
		cell_int(b, x->phone);
		cell_share(b, x->phone, x->closed);
		sum.calls += x->calls;
		sum.closed += x->closed;
		sum.phone += x->phone;
	}
}

static void
complaints(const struct broker *br, struct proto_buf *b, const struct tally *t)
{
	(void)br;
	static const char *const cols[] = { "cause", "received", "decided", "decided_in_time",
		"extended", "overdue" };
	header(b, cols, ARRAY_LEN(cols));
	proto_pack_array(b, (uint32_t)t->n_causes);
	for (size_t i = 0; i < t->n_causes; i++) {
		const struct tally_cause *c = &t->causes[i];
		proto_pack_array(b, ARRAY_LEN(cols));
		cell_str(b, c->cause);
		cell_int(b, c->received);
		cell_int(b, c->decided);
		cell_int(b, c->in_time);
		cell_int(b, c->extended);
		cell_int(b, c->overdue);
	}
}

/* One row per day, then "total": NPS = 100 x (promoters - detractors) / surveys. */
static void
nps(const struct broker *br, struct proto_buf *b, const struct tally *t)
{
	(void)br;
	static const char *const cols[] = { "date", "surveys", "promoters", "passives",
		"detractors", "nps" };
	struct tally_day sum = { 0 };
	header(b, cols, ARRAY_LEN(cols));
	proto_pack_array(b, (uint32_t)t->n_days + 1);
	for (size_t d = 0; d <= t->n_days; d++) {
		const struct tally_day *x = day_row(b, t, d, &sum, ARRAY_LEN(cols));
		cell_int(b, x->surveys);
		cell_int(b, x->promoters);
		cell_int(b, x->passives);
		cell_int(b, x->detractors);
		if (x->surveys > 0)
			proto_pack_f64(b, round(1000.0 * (double)(x->promoters - x->detractors) /
			    (double)x->surveys) / 10);
		else
			proto_pack_nil(b);
		sum.surveys += x->surveys;
		sum.promoters += x->promoters;
		sum.passives += x->passives;
		sum.detractors += x->detractors;
	}
}

static const struct {
	const char *name;
	void (*table)(const struct broker *br, struct proto_buf *b, const struct tally *t);
} kinds[] = {
	{ "responses", responses },
	{ "suppliers", suppliers },
	{ "agents", agents },
	{ "phone", phone },
	{ "complaints", complaints },
	{ "nps", nps },
};

int
broker_op_stats_report(struct broker *b, const struct peer *p,
    const struct proto_request *req, struct proto_buf *out)
{
	const struct proto_stats_report *a = &req->args.stats_report;
	enum proto_err err;
	size_t k;

	(void)p;
	for (k = 0; k < ARRAY_LEN(kinds) && strcmp(kinds[k].name, a->kind) != 0; k++)
		;
	if (k == ARRAY_LEN(kinds))
		return broker_reply_error_at(out, req, PROTO_E_BAD_REQUEST, "kind",
		    "no report '%s': responses, suppliers, agents, phone, complaints or nps",
		    a->kind);
	if (a->to <= a->from)
		return broker_reply_error_at(out, req, PROTO_E_BAD_REQUEST, "to",
		    "to must be after from");
	if (a->to - a->from > REPORT_RANGE_MAX_MS)
		return broker_reply_error_at(out, req, PROTO_E_BAD_REQUEST, "to",
		    "the range is longer than 92 days");
	struct tally *t = broker_board_fold(b, a->from, a->to, &err);
	if (t == NULL)
		return broker_reply_error(out, req, err, err == PROTO_E_TOO_LARGE ?
		    "the range holds too many events" : "the store could not be read");
	struct proto_report head = { .present = PROTO_ALL, .now = broker_now(b),
		.from = a->from, .to = a->to };
	PROTO_STRSET(head.kind, a->kind);
	proto_encode_reply_ok(out, req->cmd_id, "stats.report");
	proto_pack_obj(out, PROTO_MSG_report, &head, 2);
	kinds[k].table(b, out, t);
	tally_free(t);
	if (out->len > PROTO_MAX_REPLY - 4096) {
		proto_buf_reset(out);
		return broker_reply_error(out, req, PROTO_E_TOO_LARGE,
		    "the report is over %d bytes: ask for a shorter range", PROTO_MAX_REPLY);
	}
	return 0;
}
