/* fixture-town.c: the reference data and client helpers of check-offer.c and check-edit.c. */
#include "fixture-town.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "util.h"

#ifndef SOURCE_DATA_DIR
#error "compile with -DSOURCE_DATA_DIR=\"/path/to/data\""
#endif

struct harness_broker town_broker;
static char data_dir[128]; /* the reference data, in town_broker.dir */

/* ---------------------------------------------------------------- reference data */

static const char sla_ini[] =
    "[warnings]\n"
    "not_accepted_s = 3\n"
    "gps_stale_s = 60\n"
    "stalled_s = 600\n"
    "late_margin_s = 60\n"
    "window_pct = 100\n";

static const char town_ini[] =
    "[region]\n"
    "id = town\nname = Town\nname_zh = 镇\nclass = city\n"
    "lat = 28.1960\nlon = 112.9768\nradius_km = 60\ndetour = 1\n"
    "speed_peak_kmh = 36\nspeed_kmh = 36\nspeed_expressway_kmh = 72\n"
    "promise_min = 60\npromise_expressway_min = 30\ncalls_per_day = 10\n"
    "expressway_share = 0.05\nauto_dispatch = 1\n"
    "[landmark]\nname = Centre\nlat = 28.1960\nlon = 112.9768\n"
    "[supplier]\nid = alpha\nname = Alpha Rescue\nlat = 28.1960\nlon = 112.9768\n"
    "offer_timeout_s = 3600\nquality = 0.9\naccept_rate = 0.9\nvan = 5\nflatbed = 2\n"
    "[supplier]\nid = beta\nname = Beta Rescue\nlat = 28.1960\nlon = 112.9768\n"
    "offer_timeout_s = 1\nquality = 0.9\naccept_rate = 0.9\nvan = 5\n";

static const char hills_ini[] =
    "[region]\n"
    "id = hills\nname = Hills\nname_zh = 山\nclass = rural\n"
    "lat = 29.5\nlon = 113.5\nradius_km = 60\ndetour = 1\n"
    "speed_peak_kmh = 36\nspeed_kmh = 36\nspeed_expressway_kmh = 72\n"
    "promise_min = 90\npromise_expressway_min = 60\ncalls_per_day = 5\n"
    "expressway_share = 0.05\nauto_dispatch = 0\n"
    "[landmark]\nname = Pass\nlat = 29.5\nlon = 113.5\n"
    "[supplier]\nid = gamma\nname = Gamma Rescue\nlat = 29.5\nlon = 113.5\n"
    "offer_timeout_s = 3600\nquality = 0.8\naccept_rate = 0.9\nvan = 2\nflatbed = 1\n"
    "heavy = 1\n";

static void
write_file(const char *path, const char *text, size_t len)
{
	FILE *f = fopen(path, "w");
	ck_assert_msg(f != NULL, "cannot write %s", path);
	ck_assert_uint_eq(fwrite(text, 1, len, f), len);
	ck_assert_int_eq(fclose(f), 0);
}

static void
copy_file(const char *name)
{
	char from[512], to[512], buf[65536];
	snprintf(from, sizeof from, "%s/%s", SOURCE_DATA_DIR, name);
	snprintf(to, sizeof to, "%s/%s", data_dir, name);
	FILE *f = fopen(from, "r");
	ck_assert_msg(f != NULL, "cannot read %s", from);
	size_t n = fread(buf, 1, sizeof buf, f);
	fclose(f);
	ck_assert_uint_lt(n, sizeof buf);
	write_file(to, buf, n);
}

static void
make_data(void)
{
	char path[512];
	snprintf(data_dir, sizeof data_dir, "%s/data", town_broker.dir);
	ck_assert_int_eq(mkdir(data_dir, 0755), 0);
	snprintf(path, sizeof path, "%s/regions", data_dir);
	ck_assert_int_eq(mkdir(path, 0755), 0);
	copy_file("faults.ini");
	copy_file("demand.ini");
	snprintf(path, sizeof path, "%s/sla.ini", data_dir);
	write_file(path, sla_ini, strlen(sla_ini));
	snprintf(path, sizeof path, "%s/regions/town.ini", data_dir);
	write_file(path, town_ini, strlen(town_ini));
	snprintf(path, sizeof path, "%s/regions/hills.ini", data_dir);
	write_file(path, hills_ini, strlen(hills_ini));
}

/* ---------------------------------------------------------------- broker and clients */

/* Messages read while waiting for another: a later wait may want them (the broker's
 * dispatch pass can publish before the position a test is waiting for). */
#define BACKLOG_MAX 256
static struct proto_pub backlog[BACKLOG_MAX];
static size_t n_backlog;
static struct harness_broker_opts opts;

void
town_setup(const char *base_dir, const char *log_env, const char *cmd_prefix)
{
	opts = (struct harness_broker_opts){
		.base_dir = base_dir, .log_env = log_env, .cmd_prefix = cmd_prefix,
		.strict = false,
	};
	harness_broker_setup(&town_broker, &opts);
	make_data();
	harness_broker_start(&town_broker, data_dir);
	harness_broker_clients_open(&town_broker);
	n_backlog = 0;
	harness_broker_sub_sync(&town_broker);
}

const char *
town_data_dir(void)
{
	return data_dir;
}

void
town_teardown(void)
{
	harness_broker_teardown(&town_broker);
}

void
town_restart(void)
{
	n_backlog = 0;
	harness_broker_restart(&town_broker, data_dir);
}

/* ---------------------------------------------------------------- the SUB side */

static bool
matches(const struct proto_pub *p, const struct town_want *w)
{
	if (p->topic != w->topic)
		return false;
	switch (p->topic) {
	case PROTO_TOPIC_TICKET:
		return p->u.ticket.id == w->ticket &&
		    (w->state == NULL || strcmp(p->u.ticket.state, w->state) == 0) &&
		    (w->truck == NULL || strcmp(p->u.ticket.truck, w->truck) == 0);
	case PROTO_TOPIC_TRUCK:
		return strcmp(p->u.truck.id, w->truck) == 0 &&
		    (w->state == NULL || strcmp(p->u.truck.status, w->state) == 0);
	case PROTO_TOPIC_WARNING:
		return p->u.warning.ticket == w->ticket && strcmp(p->u.warning.kind, w->state) == 0 &&
		    (w->cleared < 0 || p->u.warning.cleared == (w->cleared != 0));
	case PROTO_TOPIC_COMPLAINT: /* no test here waits for one */
		return false;
	case PROTO_TOPIC_HB:
		return true;
	case PROTO_TOPIC_MESSAGE:
		return p->u.message.ticket == w->ticket &&
		    (w->state == NULL || strcmp(p->u.message.template, w->state) == 0);
	case PROTO_TOPIC_COUNT:
		break;
	}
	return false;
}

void
town_expect(struct proto_pub *out, struct town_want w, const char *what)
{
	int64_t until = rd_mono_ms() + HARNESS_BROKER_WAIT_MS;
	for (size_t i = 0; i < n_backlog; i++) {
		if (matches(&backlog[i], &w)) {
			*out = backlog[i];
			memmove(&backlog[i], &backlog[i + 1], (n_backlog - i - 1) * sizeof *backlog);
			n_backlog--;
			return;
		}
	}
	for (;;) {
		ck_assert_msg(harness_broker_next_pub(&town_broker, out, until), "no %s published",
		    what);
		if (matches(out, &w))
			return;
		if (out->topic == PROTO_TOPIC_HB)
			continue;
		if (n_backlog == BACKLOG_MAX) {
			memmove(&backlog[0], &backlog[1], (BACKLOG_MAX - 1) * sizeof *backlog);
			n_backlog--;
		}
		backlog[n_backlog++] = *out;
	}
}

void
town_step(int64_t ms)
{
	harness_broker_step(&town_broker, ms);
}

/* ---------------------------------------------------------------- the DEALER side */

void
town_call_as(const char *user, enum proto_msg_id op, const void *args,
    struct proto_reply *r)
{
	harness_broker_call_as(&town_broker, user, op, args, r);
}

struct proto_ticket
town_ok_as(const char *user, enum proto_msg_id op, const void *args)
{
	return harness_broker_ok(&town_broker, user, op, args);
}

void
town_fail_as(const char *user, enum proto_msg_id op, const void *args,
    enum proto_err code, const char *msg)
{
	harness_broker_fail(&town_broker, user, op, args, code, msg);
}

struct proto_ticket
town_create(const char *region, const char *fault, double lat, double lon)
{
	struct proto_intake_create a = { .lat = lat, .lon = lon, .present = 0 };
	PROTO_STRSET(a.customer, "李四");
	PROTO_STRSET(a.phone, "13800138000");
	PROTO_STRSET(a.plate, "湘A·54321");
	PROTO_STRSET(a.address, "test road");
	PROTO_STRSET(a.fault, fault);
	PROTO_STRSET(a.region, region);
	return town_ok_as("agent7", PROTO_MSG_intake_create, &a);
}

struct proto_offer_accept
town_accept_args(int64_t id, const char *truck, int64_t eta_s)
{
	struct proto_offer_accept a = { .id = id, .eta_s = eta_s, .present = PROTO_ALL };
	PROTO_STRSET(a.truck, truck);
	return a;
}

struct proto_ticket
town_set_state(int64_t id, const char *state)
{
	struct proto_ticket_set_state a = { .id = id, .present = 0 };
	PROTO_STRSET(a.state, state);
	return town_ok_as("alpha-desk", PROTO_MSG_ticket_set_state, &a);
}

void
town_get_ticket(int64_t id, struct proto_reply *r)
{
	struct proto_ticket_get g = { .id = id, .present = 0 };
	town_call_as("agent7", PROTO_MSG_ticket_get, &g, r);
	ck_assert(r->ok);
}

void
town_event_kinds(int64_t id, char *out, size_t n, struct proto_reply *r)
{
	size_t len = 0;
	town_get_ticket(id, r);
	out[0] = '\0';
	for (size_t i = 0; i < r->n_events && len < n; i++)
		len += (size_t)snprintf(out + len, n - len, "%s%s", i ? " " : "", r->events[i].kind);
}

void
town_fix(const char *id, struct geo_point at)
{
	struct proto_fix x = { .lat = at.lat, .lon = at.lon, .ts = town_broker.now, .present = 0 };
	struct proto_pub p;

	PROTO_STRSET(x.truck, id);
	harness_broker_push_feed(&town_broker, PROTO_MSG_fix, &x);
	do
		town_expect(&p, (struct town_want){ .topic = PROTO_TOPIC_TRUCK, .truck = id },
		    "truck position");
	while (!PROTO_HAS(&p.u.truck, truck, fix_ts) || p.u.truck.fix_ts != x.ts ||
	    p.u.truck.lat != at.lat || p.u.truck.lon != at.lon);
}

void
town_truck_at(const char *id, const char *kind, const char *sup, const char *reg, double lat,
    double lon, double km)
{
	struct proto_status s = { .ts = town_broker.now, .present = PROTO_ALL };
	struct proto_pub p;

	PROTO_STRSET(s.truck, id);
	PROTO_STRSET(s.status, "available");
	PROTO_STRSET(s.kind, kind);
	PROTO_STRSET(s.supplier, sup);
	PROTO_STRSET(s.region, reg);
	harness_broker_push_feed(&town_broker, PROTO_MSG_status, &s);
	town_expect(&p, (struct town_want){ .topic = PROTO_TOPIC_TRUCK, .truck = id },
	    "registered truck");

	town_fix(id, geo_destination((struct geo_point){ lat, lon }, 0, km * 1000));
}

void
town_van(const char *id, const char *sup, double km)
{
	town_truck_at(id, "van", sup, "town", TOWN_LAT, TOWN_LON, km);
}
