/* check-view-zh.c: no English reaches a zh_CN screen (issue 8). Every view is driven in
 * zh_CN through harness-model.h over the shipped data and flows: the board and a ticket
 * whose timeline holds every event code of PROTOCOL.md 8.4 (and with its truck's track), a
 * warning of every kind, the
 * broker's candidates with their reasons, errors (the broker's and the client's own), the
 * diagnosis queue and flow, the KPI and help screens, the intake form with its inline
 * errors, in edit mode (its re-dispatch question, a refusal with its machine form, the
 * discard question) and with the same caller's open ticket, refused truck choices, the
 * board with a find, the question about a command past its window, and the history
 * search. Each screen is read for English: a run of three or more
 * ASCII letters, in a word without digits (times, plates and truck ids have some), that is
 * not on the short allow-list below nor in the data the screen shows (names of landmarks,
 * suppliers, users and customers are data, some of it bilingual).
 *
 * The scanner has its own cases (test_scanner), so the check can fail; on the code before
 * this test every screen with a timeline, candidates or an error failed it. Run from the
 * source root, or set RD_SRCDIR to it. */
#include <check.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "complaint-db.h"
#include "complaint-store.h"
#include "complaint-sync.h"
#include "complaint.h"
#include "data.h"
#include "expired.h"
#include "flow.h"
#include "i18n.h"
#include "keymap.h"
#include "model.h"
#include "model-request.h"
#include "ticket.h"
#include "util.h"
#include "view-board.h"
#include "view-detail.h"
#include "view-diag-queue.h"
#include "view-flow.h"
#include "view-help.h"
#include "view-intake.h"
#include "view-kpi.h"
#include "view-search.h"
#include "viewstack.h"

#include <unistd.h>

#include "harness-model.h"
#include "harness-screen.h"

#define MIN_MS (60 * 1000LL)
#define NOW 1773468300000LL	/* 2026-03-14 06:05:00 UTC, 14:05 in China */
#define USER "zhangwei"

/* ---------------------------------------------------------------- the English scanner */

/* Words any zh_CN screen may show, each for a reason:
 *   GPS, ETA, NPS, KPI        the abbreviations Chinese call centres use as they are
 *   key names                 what is printed on the keys (help, hints, the key bar)
 *   rescuedesk                the program's name in the title bar */
static const char *const allow[] = {
	"GPS", "ETA", "NPS", "KPI",
	"Esc", "Tab", "Enter", "Shift", "Ctrl", "Alt", "Space", "Backspace", "Home", "End",
	"PgUp", "PgDn", "Del", "Ins", "Up", "Down", "Left", "Right",
	"rescuedesk",
};

/* The filter language (what an agent types into / and the history search), which the help
 * and the search prompt show as it is typed: its keys, words and example codes (en_route,
 * no_start, changsha), and the date pattern. Allowed on those screens only. */
static const char *const filter_words[] = {
	"state", "region", "fault", "truck", "from", "open", "closed", "late", "risk", "warn",
	"waiting", "mine", "route", "start", "changsha", "YYYY", NULL,
};
static const char *const *extra;	/* the screen's own allow-list, NULL-ended, or NULL */

/* The strings of the data on screen: a word found in them is data, not a translation
 * missed. Filled by collect_data(). */
static char *data_words;
static size_t data_len, data_cap;

static void
add_data(const char *s)
{
	size_t n = s != NULL ? strlen(s) : 0;

	if (n == 0)
		return;
	if (data_len + n + 2 > data_cap) {
		data_cap = (data_len + n + 2) * 2;
		data_words = xrealloc(data_words, data_cap);
	}
	memcpy(data_words + data_len, s, n);
	data_len += n;
	data_words[data_len++] = '\n';
	data_words[data_len] = '\0';
}

static bool
allowed(const char *w, size_t n)
{
	for (size_t i = 0; i < ARRAY_LEN(allow); i++)
		if (strlen(allow[i]) == n && strncmp(allow[i], w, n) == 0)
			return true;
	for (size_t i = 0; extra != NULL && extra[i] != NULL; i++)
		if (strlen(extra[i]) == n && strncmp(extra[i], w, n) == 0)
			return true;
	char word[64];
	if (data_words == NULL || n >= sizeof word)
		return false;
	memcpy(word, w, n);
	word[n] = '\0';
	for (const char *q = data_words; (q = strstr(q, word)) != NULL; q++)
		if ((q == data_words || !isalpha((unsigned char)q[-1])) &&
		    !isalpha((unsigned char)q[n]))
			return true;	/* a whole word of the data */
	return false;
}

/* The English words of text (one screen), "a, b, c" into out; how many. */
static int
english(const char *text, char *out, size_t outsz)
{
	const char *p = text, *tok, *end;
	int found = 0;

	out[0] = '\0';
	while (*p != '\0') {
		/* a token: a run of printable ASCII other than space */
		if ((unsigned char)*p <= ' ' || (unsigned char)*p >= 0x7f) {
			p++;
			continue;
		}
		tok = p;
		while ((unsigned char)*p > ' ' && (unsigned char)*p < 0x7f)
			p++;
		end = p;
		bool digits = false;
		for (const char *q = tok; q < end; q++)
			digits |= isdigit((unsigned char)*q) != 0;
		if (digits)
			continue;	/* a time, a plate, an id, a count */
		if (end - tok > 2 && tok[0] == '-' && tok[1] == '-')
			continue;	/* a command-line option (--no-mouse), as typed */
		for (const char *q = tok; q < end;) {
			if (!isalpha((unsigned char)*q)) {
				q++;
				continue;
			}
			const char *w = q;
			while (q < end && isalpha((unsigned char)*q))
				q++;
			size_t n = (size_t)(q - w);
			if (n >= 3 && !allowed(w, n)) {
				size_t len = strlen(out);
				snprintf(out + len, outsz - len, "%s%.*s", found ? ", " : "", (int)n, w);
				found++;
			}
		}
	}
	return found;
}

/* ---------------------------------------------------------------- the model */

static struct data *data;
static struct flow_set *flows;
static struct model m;
static struct vscreen *vs;
static struct view *v;

#define press(c) harness_press(c)
#define press_sym(s) harness_press_sym(s)
#define type(s) harness_type(s)
#define rec harness_rec

/* A ticket in Changsha: id, state, fault, customer, created (minutes from NOW). */
#define T(i, st, f, cust, cr)                                                               \
	.id = (i), .state = st, .region = "changsha", .customer = cust,                     \
	.phone = "13812345678", .plate = "湘A12345", .model = "比亚迪 秦", .lat = 28.2,      \
	.lon = 112.9, .address = "长沙市岳麓区麓山南路", .landmark = "湖南大学东门",             \
	.fault = f, .created = NOW + (cr) * MIN_MS, .promised = NOW + ((cr) + 45) * MIN_MS, \
	.ver = 3, .created_by = USER

#define DIAG_KEYS ((uint64_t)1 << PROTO_ticket_diag_flow | (uint64_t)1 << PROTO_ticket_diag_state | \
	(uint64_t)1 << PROTO_ticket_diag_path | (uint64_t)1 << PROTO_ticket_diag_node |           \
	(uint64_t)1 << PROTO_ticket_diag_by | (uint64_t)1 << PROTO_ticket_diag_started |           \
	(uint64_t)1 << PROTO_ticket_diag_ended | (uint64_t)1 << PROTO_ticket_diag_hold_until |     \
	(uint64_t)1 << PROTO_ticket_diag_saved_s | (uint64_t)1 << PROTO_ticket_need_kind |         \
	(uint64_t)1 << PROTO_ticket_senior)

static const struct proto_ticket tickets[] = {
	/* en route, late, every warning */
	{ T(101, "en_route", "battery", "欧阳娜娜", -50), .truck = "CSH-XJ-V01",
	    .eta = NOW + 20 * MIN_MS, .eta_src = "model", .t_dispatched = NOW - 48 * MIN_MS,
	    .t_accepted = NOW - 47 * MIN_MS, .t_en_route = NOW - 40 * MIN_MS, .notes = 2,
	    .last_note = "司机已出发", .flags = TICKET_FLAG_EXPRESSWAY | TICKET_FLAG_INJURY,
	    .priority = 1110, .offers = 2, .present = PROTO_ALL & ~DIAG_KEYS },
	/* a diagnosis running */
	{ T(102, "new", "battery", "陈小明", -12), .present = PROTO_ALL & ~((uint64_t)1 <<
	    PROTO_ticket_eta | (uint64_t)1 << PROTO_ticket_eta_src | (uint64_t)1 <<
	    PROTO_ticket_truck), .diag_flow = "battery", .diag_state = "running",
	    .diag_path = "bat_kind:1", .diag_node = "bat_dash", .diag_by = USER,
	    .diag_started = NOW - 3 * MIN_MS, .diag_hold_until = NOW + 5 * MIN_MS },
	/* dispatched, waiting for its supplier */
	{ T(103, "dispatched", "tyre", "王芳", -8), .truck = "CSH-XJ-V02",
	    .offer_until = NOW + MIN_MS, .eta = NOW + 25 * MIN_MS, .eta_src = "stale",
	    .present = PROTO_ALL & ~DIAG_KEYS },
	/* closed by phone */
	{ T(104, "resolved_remote", "battery", "孙悟空", -90), .diag_flow = "battery",
	    .diag_state = "solved", .diag_path = "bat_kind:1,bat_dash:1,bat_left_on:1,bat_booster:2,bat_try:1",
	    .diag_node = "solved_battery", .diag_by = USER, .diag_started = NOW - 85 * MIN_MS,
	    .diag_ended = NOW - 80 * MIN_MS, .t_closed = NOW - 80 * MIN_MS,
	    .present = PROTO_ALL & ~((uint64_t)1 << PROTO_ticket_eta |
	    (uint64_t)1 << PROTO_ticket_eta_src | (uint64_t)1 << PROTO_ticket_truck) },
};

static const struct proto_truck trucks[] = {
	{ .id = "CSH-XJ-V01", .supplier = "xiangjiang", .kind = "van", .region = "changsha",
	    .status = "en_route", .lat = 28.19, .lon = 112.95, .speed_kmh = 38,
	    .fix_ts = NOW - 12000, .ticket = 101, .present = PROTO_ALL },
	{ .id = "CSH-XJ-V02", .supplier = "xiangjiang", .kind = "van", .region = "changsha",
	    .status = "offered", .lat = 28.21, .lon = 112.93, .fix_ts = NOW - 400000,
	    .ticket = 103, .present = PROTO_ALL },
	{ .id = "CSH-XS-F01", .supplier = "xingsha", .kind = "flatbed", .region = "changsha",
	    .status = "available", .lat = 28.23, .lon = 113.0, .fix_ts = NOW - 30000,
	    .present = PROTO_ALL },
};

/* One warning of every kind (harness-model makes every key present). */
#define W(i, t, k, lvl) .id = (i), .ticket = (t), .kind = k, .level = lvl, .ts = NOW - MIN_MS, \
	.since = NOW - 7 * MIN_MS, .eta = NOW + 20 * MIN_MS, .promised = NOW - 5 * MIN_MS,     \
	.pct = 85, .offers = 2, .alt_eta = NOW + 8 * MIN_MS, .gain_s = 720
static const struct proto_warning warnings[] = {
	{ W(1, 101, "overdue", "red"), .text = "late by 5 min" },
	{ W(2, 101, "eta_late", "red"), .text = "ETA after the promise" },
	{ W(3, 101, "gps_lost", "amber"), .subject = "CSH-XJ-V01", .text = "no GPS" },
	{ W(4, 101, "stalled", "amber"), .subject = "CSH-XJ-V01", .text = "not moving" },
	{ W(5, 101, "redispatch", "amber"), .subject = "CSH-XS-F01", .truck = "CSH-XS-F01",
	    .text = "a better truck" },
	{ W(6, 103, "not_accepted", "amber"), .text = "not accepted" },
	{ W(7, 103, "waiting_agent", "amber"), .text = "waiting for an agent" },
	{ W(8, 101, "deviation", "amber"), .subject = "CSH-XJ-V01", .text = "no closer" },
	{ W(9, 101, "onscene_overrun", "amber"), .text = "on scene too long" },
	{ W(10, 101, "callback", "red"), .text = "called again twice" },
	{ W(11, 103, "callback", "amber"), .text = "called again" },
	/* a region's (ticket 0): the KPI screen lists it */
	{ W(12, 0, "capacity", "red"), .region = "changsha", .waiting = 2,
	    .text = "no able truck free" },
};

#define EP(f) ((uint64_t)1 << PROTO_event_params_##f)
#define CODED ((uint64_t)1 << PROTO_event_code | (uint64_t)1 << PROTO_event_params)
/* An event: code, user, then its params. The detail is English, as the broker writes it:
 * it must never be what is shown. */
#define E(k, c, u) .ts = NOW - 40 * MIN_MS, .kind = k, .code = c, .user = u, \
	.detail = "English detail " c, .present = CODED
static const struct proto_event events[] = {
	{ E("created", "created", USER), .params = { .fault = "battery", .region = "changsha", .min = 45,
	    .present = EP(fault) | EP(region) | EP(min) } },
	{ E("note", "note", USER), .params = { .text = "客户在公交站旁", .present = EP(text) } },
	{ E("diag_start", "diag_start", USER), .params = { .flow = "battery", .node = "bat_kind",
	    .hold_s = 600, .present = EP(flow) | EP(node) | EP(hold_s) } },
	{ E("diag_answer", "diag_answer", USER), .params = { .node = "bat_kind", .answer = 1,
	    .to_node = "bat_dash", .present = EP(node) | EP(answer) | EP(to_node) } },
	{ E("diag_back", "diag_back", USER), .params = { .node = "bat_dash", .to_node = "bat_kind",
	    .answer = 1, .present = EP(node) | EP(to_node) | EP(answer) } },
	{ E("diag_answer", "diag_answer", USER), .params = { .node = "bat_clamps", .answer = 2,
	    .outcome = "van_battery", .present = EP(node) | EP(answer) | EP(outcome) } },
	{ E("diag_safety", "diag_safety", USER), .params = { .node = "bat_dash", .stop = "live_lane",
	    .present = EP(node) | EP(stop) } },
	{ E("diag_outcome", "diag_outcome", USER), .params = { .outcome = "van_battery", .diag = "dispatched",
	    .need = "van", .present = EP(outcome) | EP(diag) | EP(need) } },
	{ E("diag_outcome", "diag_outcome", USER), .params = { .stop = "live_lane", .diag = "escalated",
	    .present = EP(stop) | EP(diag) } },
	{ E("diag_abort", "diag_abort", USER), .params = { .node = "bat_dash", .text = "客户挂断",
	    .present = EP(node) | EP(text) } },
	{ E("diag_abort", "diag_closed", USER), .params = { .node = "bat_dash", .state = "cancelled",
	    .present = EP(node) | EP(state) } },
	{ E("diag_dispatch", "diag_dispatch", USER), .params = { .node = "bat_dash", .present = EP(node) } },
	{ E("diag_dispatch", "diag_dispatch_held", USER), .params = { .node = "bat_dash", .present = EP(node) } },
	{ E("hold", "hold", ""), .params = { .truck = "CSH-XS-F01", .status = "towing", .free_min = 9,
	    .min = 21, .to = "CSH-XJ-V02", .alt_min = 30, .score = 1500, .alt_score = 1900,
	    .present = EP(truck) | EP(status) | EP(free_min) | EP(min) | EP(to) | EP(alt_min) |
	    EP(score) | EP(alt_score) } },
	{ E("hold", "hold_none", ""), .params = { .truck = "CSH-XS-F01", .status = "on_scene",
	    .free_min = 9, .min = 21, .present = EP(truck) | EP(status) | EP(free_min) |
	    EP(min) } },
	{ E("offer", "offer", ""), .params = { .truck = "CSH-XJ-V02", .supplier = "xiangjiang",
	    .kind = "van", .s = 120, .km = "3.4", .min = 15, .src = "model",
	    .present = EP(truck) | EP(supplier) | EP(kind) | EP(s) | EP(km) | EP(min) |
	    EP(src) } },
	{ E("timeout", "timeout", ""), .params = { .truck = "CSH-XJ-V02", .s = 120,
	    .present = EP(truck) | EP(s) } },
	{ E("offer", "offer", USER), .params = { .truck = "CSH-XJ-V02", .supplier = "xiangjiang",
	    .kind = "van", .s = 120, .km = "3.4", .min = 15, .src = "stale", .by = USER,
	    .present = EP(truck) | EP(supplier) | EP(kind) | EP(s) | EP(km) | EP(min) |
	    EP(src) | EP(by) } },
	{ E("decline", "decline", "xj-desk"), .params = { .truck = "CSH-XJ-V02", .present = EP(truck) } },
	{ E("decline", "decline", "xj-desk"), .params = { .truck = "CSH-XJ-V02", .text = "司机在吃饭",
	    .present = EP(truck) | EP(text) } },
	{ E("accept", "accept", "xj-desk"), .params = { .truck = "CSH-XJ-V01", .present = EP(truck) } },
	{ E("decline", "give_back", "xj-desk"), .params = { .truck = "CSH-XJ-V01",
	    .present = EP(truck) } },
	{ E("accept", "accept", "xj-desk"), .params = { .truck = "CSH-XJ-V01", .min = 12,
	    .present = EP(truck) | EP(min) } },
	{ E("release", "redispatch", USER), .params = { .truck = "CSH-XJ-V02", .to = "CSH-XJ-V01",
	    .present = EP(truck) | EP(to) } },
	{ E("release", "release_need", USER), .params = { .truck = "CSH-XJ-V02", .need = "flatbed",
	    .kind = "van", .present = EP(truck) | EP(need) | EP(kind) } },
	{ E("release", "release", USER), .params = { .truck = "CSH-XJ-V02", .text = "车辆故障",
	    .present = EP(truck) | EP(text) } },
	{ E("state", "state", USER), .params = { .state = "en_route", .present = EP(state) } },
	{ E("state", "state", USER), .params = { .state = "cancelled", .text = "客户自行解决",
	    .present = EP(state) | EP(text) } },
	{ E("state", "solved_phone", USER), .params = { .state = "resolved_remote",
	    .present = EP(state) } },
	{ E("eta", "eta", ""), .params = { .min = 19, .src = "model", .present = EP(min) | EP(src) } },
	/* ticket.edit's corrections, one of each key, and the re-dispatches they cause */
	{ E("edit", "edit", USER), .params = { .field = "customer", .old = "欧阳娜", .value = "欧阳娜娜",
	    .present = EP(field) | EP(old) | EP(value) } },
	{ E("edit", "edit", USER), .params = { .field = "phone", .old = "138****5678",
	    .value = "139****1234", .present = EP(field) | EP(old) | EP(value) } },
	{ E("edit", "edit", USER), .params = { .field = "plate", .old = "湘A54321", .value = "湘A12345",
	    .present = EP(field) | EP(old) | EP(value) } },
	{ E("edit", "edit", USER), .params = { .field = "model", .old = "", .value = "比亚迪 秦",
	    .present = EP(field) | EP(old) | EP(value) } },
	{ E("edit", "edit", USER), .params = { .field = "location", .old = "28.19600,112.97680",
	    .value = "28.25000,112.97680", .km = "6.0", .present = EP(field) | EP(old) |
	    EP(value) | EP(km) } },
	{ E("edit", "edit", USER), .params = { .field = "address", .old = "长沙市岳麓区",
	    .value = "长沙市岳麓区麓山南路", .present = EP(field) | EP(old) | EP(value) } },
	{ E("edit", "edit", USER), .params = { .field = "landmark", .old = "",
	    .value = "湖南大学东门", .present = EP(field) | EP(old) | EP(value) } },
	{ E("edit", "edit", USER), .params = { .field = "fault", .old = "battery",
	    .value = "mechanical_tow", .present = EP(field) | EP(old) | EP(value) } },
	{ E("edit", "edit", USER), .params = { .field = "flags", .old = "none",
	    .value = "expressway+injury", .min = 60, .present = EP(field) | EP(old) | EP(value) |
	    EP(min) } },
	{ E("edit", "edit", USER), .params = { .field = "flags", .old = "alone_night+vulnerable",
	    .value = "none", .present = EP(field) | EP(old) | EP(value) } },
	{ E("release", "edit_moved", USER), .params = { .truck = "CSH-XJ-V01", .km = "6.0",
	    .present = EP(truck) | EP(km) } },
	{ E("release", "edit_fault", USER), .params = { .truck = "CSH-XJ-V01", .kind = "van",
	    .fault = "mechanical_tow", .present = EP(truck) | EP(kind) | EP(fault) } },
	{ E("callback", "callback", USER), .params = { .present = 0 } },
	{ E("callback", "callback", USER), .params = { .text = "客户问车到哪了",
	    .present = EP(text) } },
};

/* The broker's ranking, with the machine form of its reasons. */
static const struct proto_candidate cands[] = {
	{ .truck = "CSH-XS-F01", .supplier = "xingsha", .kind = "flatbed", .status = "available",
	    .km = 2.9, .eta_s = 540, .eta_src = "model", .gps_age_s = 30, .load = 20,
	    .quality = 0.9, .offers = 1, .score = 600, .why = "2.9 km · flatbed, van preferred",
	    .free_s = 0, .prefer = "van", .present = PROTO_ALL },
	{ .truck = "CSH-XJ-V02", .supplier = "xiangjiang", .kind = "van", .status = "towing",
	    .km = 4.1, .eta_s = 1320, .eta_src = "stale", .gps_age_s = 400, .stale = true,
	    .load = 50, .quality = 0.8, .offers = 3, .score = 1400,
	    .why = "towing, free in ~9 min · van preferred", .free_s = 540, .prefer = "van",
	    .present = PROTO_ALL },
};

static void
collect_data(void)
{
	free(data_words);
	data_words = NULL;
	data_len = data_cap = 0;
	add_data(USER);
	add_data("xj-desk");
	add_data("ABC");	/* what test_intake types as a plate */
	for (size_t i = 0; i < ARRAY_LEN(tickets); i++) {
		add_data(tickets[i].customer);
		add_data(tickets[i].model);
		add_data(tickets[i].address);
		add_data(tickets[i].landmark);
	}
	for (size_t r = 0; r < data->n_regions; r++) {
		const struct data_region *dr = &data->regions[r];
		add_data(dr->name_zh);
		for (size_t i = 0; i < dr->n_landmarks; i++)
			add_data(dr->landmarks[i].name);
		for (size_t i = 0; i < dr->n_suppliers; i++)
			add_data(dr->suppliers[i].name);
	}
}

static void
setup(void)
{
	char dir[4200], *cause = NULL, faults[4200];
	struct flow_errors errs = { NULL, 0 };

	snprintf(dir, sizeof dir, "%s/data", harness_srcdir());
	data = data_load(dir, &cause);
	ck_assert_msg(data != NULL, "data: %s", cause != NULL ? cause : "?");
	snprintf(dir, sizeof dir, "%s/data/diagnosis", harness_srcdir());
	snprintf(faults, sizeof faults, "%s/data/faults.ini", harness_srcdir());
	flows = flow_set_load(dir, faults, &errs);
	ck_assert_msg(flows != NULL, "flows: %s", errs.n > 0 ? errs.v[0].msg : "?");
	struct harness_fixture f = {
		HARNESS_TABLES(tickets, trucks, warnings), .data = data, .flows = flows,
		.user = USER, .role = MODEL_ROLE_AGENT, .now = NOW,
	};
	harness_lang("zh_CN");
	harness_model_init(&m, &f);
	collect_data();
	vs = vscreen_create(120, 40);
	harness_bind(&m, &vs, &v, "check-view-zh");
	v = NULL;
}

static void
teardown(void)
{
	view_destroy(v);
	v = NULL;
	harness_model_finish(&m);
	vscreen_destroy(vs);
	flow_set_free(flows);
	data_free(data);
	i18n_unload();
	free(data_words);
	data_words = NULL;
}

/* Draw at cols x rows and fail naming the English words found and the screen. */
static void
no_english(const char *what, int cols, int rows)
{
	char found[2048];
	char *text;

	harness_draw(cols, rows);
	text = harness_screen_text(vs);
	char *roles = strstr(text, "-- roles --");
	if (roles != NULL)
		*roles = '\0';
	int n = english(text, found, sizeof found);
	if (n > 0)	/* the screen for the log; Check's message has room for the words */
		fprintf(stderr, "%s %dx%d:\n%s\n", what, cols, rows, text);
	free(text);
	ck_assert_msg(n == 0, "%s %dx%d: English on a zh_CN screen: %.600s", what, cols, rows,
	    found);
}

static void
sizes(const char *what)
{
	no_english(what, 80, 24);
	no_english(what, 120, 40);
	no_english(what, 200, 60);
}

/* ---------------------------------------------------------------- the cases */

START_TEST(test_scanner)
{
	char found[256];

	ck_assert_int_eq(english("05:53  派单  系统  offered to CSH-XJ-V01 (2.1 km)", found,
	    sizeof found), 1);
	ck_assert_str_eq(found, "offered");
	ck_assert_int_eq(english("预计到达 19 分钟（stale）", found, sizeof found), 1);
	ck_assert_int_eq(english("GPS 12s · ETA 06:22 · F10 提交 · Esc 返回 · 湘A12345",
	    found, sizeof found), 0);
	ck_assert_int_eq(english("五一广场 Wuyi Square · 欧阳娜娜", found, sizeof found), 2);
	add_data("五一广场 Wuyi Square");	/* data: the landmark's name */
	ck_assert_int_eq(english("五一广场 Wuyi Square · 欧阳娜娜", found, sizeof found), 0);
	ck_assert_int_eq(english("no answer (unavailable)", found, sizeof found), 2);
	ck_assert_str_eq(found, "answer, unavailable");
	ck_assert_int_eq(english("Shift+拖动（或以 --no-mouse 启动）", found, sizeof found), 0);
	ck_assert_int_eq(english("state:en_route", found, sizeof found), 2);
	extra = filter_words;
	ck_assert_int_eq(english("state:en_route", found, sizeof found), 0);
	extra = NULL;
}
END_TEST

START_TEST(test_board)
{
	static const enum model_conn conns[] = { MODEL_CONNECTING, MODEL_SYNCING, MODEL_STALE };

	v = view_board_create();
	sizes("board");
	/* every connection state's banner and status line; the endpoint is data */
	rd_strlcpy(m.endpoint, "tcp://127.0.0.1:7700", sizeof m.endpoint);
	for (size_t i = 0; i < ARRAY_LEN(conns); i++) {
		m.conn = conns[i];
		m.hb_age_ms = i == 0 ? -1 : 9000;
		model_refresh(&m, NOW);
		sizes("board, not live");
	}
}
END_TEST

/* The detail: header, truck, every warning kind, a timeline of every event code. */
START_TEST(test_detail_timeline)
{
	v = view_detail_create(&m, 101, ACTION_NONE);
	harness_answer_history(&m, 3, events, ARRAY_LEN(events));
	sizes("detail");
	no_english("detail", 200, 90);	/* the whole timeline at once */
	/* scrolled to the top too */
	for (int i = 0; i < 60; i++)
		press_sym(KEYSYM_UP);
	sizes("detail, scrolled up");
}
END_TEST

/* The detail with the truck's track: the plot's axis labels and title. */
START_TEST(test_detail_track)
{
	struct proto_track_fix x[6];
	const struct proto_ticket *t;

	v = view_detail_create(&m, 101, ACTION_NONE);
	harness_answer_history(&m, 3, events, ARRAY_LEN(events));
	t = model_ticket(&m, 101);
	ck_assert(t != NULL && t->truck[0] != '\0');
	for (size_t i = 0; i < ARRAY_LEN(x); i++)
		x[i] = (struct proto_track_fix){ .ts = NOW - (int64_t)(12 - 2 * i) * MIN_MS,
			.lat = t->lat, .lon = t->lon, .dist_m = 2500.0 - 300.0 * (double)i,
			.present = PROTO_ALL };
	harness_answer_track(&m, t->truck, x, ARRAY_LEN(x));
	sizes("detail with the truck's track");
	ck_assert(harness_screen_has("公里"));
}
END_TEST

/* The detail's prompts and questions: the state menu, the cancel reason, a note, the
 * confirmation before re-dispatching a truck on its way; the board's filter prompt. */
START_TEST(test_prompts)
{
	v = view_detail_create(&m, 101, ACTION_NONE);
	harness_answer_history(&m, 3, events, 5);
	press('S');
	sizes("state menu");
	press_sym(KEYSYM_ESC);
	press('c');
	sizes("cancel reason");
	press_sym(KEYSYM_ESC);
	press('a');
	type("请尽快");
	sizes("note prompt");
	press_sym(KEYSYM_ESC);
	sizes("note prompt left");
	view_destroy(v);
	v = view_detail_create(&m, 101, ACTION_NONE);
	harness_answer_history(&m, 3, events, 5);
	press('R');		/* to the redispatch warning's truck: asks first, it is on its way */
	sizes("re-dispatch question");
	press('n');
	press('A');
	harness_answer_cands(&m, cands, ARRAY_LEN(cands));
	sizes("re-dispatch list");
	press('1');
	sizes("re-dispatch question from the list");
	press('n');
	view_destroy(v);
	v = view_detail_create(&m, 101, ACTION_NONE);
	harness_answer_history(&m, 3, events, 5);
	ck_assert_int_eq(rec.callback, 0);
	press('b');		/* the customer called again: one key */
	ck_assert_int_eq(rec.callback, 1);
	ck_assert_int_eq(rec.id, 101);
	sizes("call again recorded");
	view_destroy(v);
	v = view_board_create();
	press('/');
	type("在途");
	sizes("board filter");
	press_sym(KEYSYM_ENTER);
	sizes("board filtered");
	press('/');
	press(KEYMAP_CTRL('u'));
	type("region:xyz");
	press_sym(KEYSYM_ENTER);
	extra = (const char *const[]){ "region", "xyz", "changsha", NULL }; /* typed, a code */
	sizes("board, an unknown region");
	extra = NULL;
}
END_TEST

/* The flow view's keys: an answer, the safety list, an abort reason. */
START_TEST(test_flow_keys)
{
	v = view_flow_create(&m, 102, false);
	press('!');
	sizes("safety list");
	press_sym(KEYSYM_ESC);
	press('X');
	sizes("abort reason");
	press_sym(KEYSYM_ESC);
	press('1');
	sizes("an answer sent");
	harness_answer_error(&m, rec.last_cmd, PROTO_E_CONFLICT, "ticket 102 is at bat_left_on");
	sizes("an answer refused");
}
END_TEST

START_TEST(test_candidates)
{
	v = view_detail_create(&m, 103, ACTION_NONE);
	harness_answer_history(&m, 3, events, 3);
	press('A');
	harness_answer_cands(&m, cands, ARRAY_LEN(cands));
	sizes("candidates");
}
END_TEST

/* Errors: the broker's refusal of the candidates, no answer at all, a command refused. */
START_TEST(test_errors)
{
	v = view_detail_create(&m, 103, ACTION_NONE);
	harness_answer_history(&m, 3, events, 3);
	press('A');
	harness_answer_error(&m, rec.cands_cmd, PROTO_E_INVALID_STATE, "ticket 103 is closed");
	sizes("candidates refused");
	press_sym(KEYSYM_ESC);
	press('A');
	harness_answer_none(&m, rec.cands_cmd, "no reply to dispatch.candidates after 3 tries");
	sizes("candidates unanswered");
	press_sym(KEYSYM_ESC);
	press_sym(KEYSYM_ESC);
	/* a note the broker refuses: the message line */
	press('a');
	type("请尽快");
	press_sym(KEYSYM_ENTER);
	ck_assert_int_eq(rec.note, 1);
	harness_answer_error(&m, rec.last_cmd, PROTO_E_CONFLICT, "ticket 103 changed");
	sizes("note refused");
	press('a');
	type("再试一次");
	press_sym(KEYSYM_ENTER);
	ck_assert_int_eq(rec.note, 2);
	harness_answer_none(&m, rec.last_cmd, "no reply to ticket.note after 3 tries");
	sizes("note unanswered");
}
END_TEST

START_TEST(test_diag)
{
	v = view_diag_queue_create();
	sizes("diagnosis queue");
	view_destroy(v);
	v = view_flow_create(&m, 102, false);
	sizes("diagnosis flow");
	view_destroy(v);
	v = view_flow_create(&m, 104, false);
	sizes("diagnosis outcome");
	view_destroy(v);
	v = view_detail_create(&m, 102, ACTION_NONE);
	harness_answer_history(&m, 3, events, ARRAY_LEN(events));
	sizes("detail with a diagnosis");
}
END_TEST

START_TEST(test_kpi_help)
{
	static const struct proto_kpi k = {
		.tickets = 140, .open = 6, .closed = 134, .completed = 117, .cancelled = 9,
		.resolved_remote = 8, .phone_rate = 0.06, .diag_sessions = 40, .diag_running = 1,
		.diag_solved = 8, .diag_then_dispatched = 29, .diag_escalated = 2,
		.diag_safety = 3, .diag_aborted = 1, .dispatched_direct = 80,
		.diag_median_s = 250, .saved_wait_s = 30000, .arrived = 110,
		.mean_response_s = 1500, .within_promise = 0.9, .now = NOW,
	};

	v = view_kpi_create(&m);
	sizes("kpi, before the answer");
	harness_answer_kpi(&m, &k);
	sizes("kpi");
	ck_assert(harness_screen_has("无空闲车辆的区域"));	/* the region's warning is read too */
	ck_assert(harness_screen_has("2 个来电在等车"));
	view_destroy(v);
	v = view_help_create();
	extra = filter_words;
	for (int page = 0; page < 12; page++) {
		sizes("help");
		press_sym(KEYSYM_PAGE_DOWN);
	}
	extra = NULL;
}
END_TEST

/* The intake form: fresh, every inline error, a broker's refusal beside its field. */
START_TEST(test_intake)
{
	v = view_intake_create(&m);
	sizes("intake");
	press_sym(KEYSYM_F10);
	sizes("intake, empty submitted");
	type("欧阳娜娜");
	press_sym(KEYSYM_TAB);
	type("138-1234-abc");
	press_sym(KEYSYM_TAB);
	type("ABC");
	press_sym(KEYSYM_F10);
	sizes("intake, wrong values");
}
END_TEST

/* A refusal with its machine form (PROTOCOL.md 5.2), answered to the last command. */
static void
answer_refusal(enum proto_err code, const char *message, const struct proto_error_params *p)
{
	static struct proto_reply r;
	char id[PROTO_CMD_ID_MAX + 1];

	rd_strlcpy(id, rec.last_cmd, sizeof id);
	memset(&r, 0, sizeof r);
	rd_strlcpy(r.cmd_id, id, sizeof r.cmd_id);
	r.op_id = -1;
	r.error.code = code;
	rd_strlcpy(r.error.message, message, sizeof r.error.message);
	r.error.params = *p;
	model_reply(&m, id, &r, NULL);
}

#define ERRP(f) ((uint64_t)1 << PROTO_error_params_##f)

/* The intake form in edit mode, its question before a re-dispatch, the broker's refusal
 * of a far location with its numbers; the duplicate line of a new intake. */
START_TEST(test_intake_edit)
{
	static const struct proto_error_params far = { .reason = "far_from_region",
	    .km = 1336, .region = "changsha", .present = ERRP(reason) | ERRP(km) | ERRP(region) };
	char *text;

	v = view_intake_edit_create(&m, 101);
	ck_assert_ptr_nonnull(v);
	sizes("intake, edit mode");
	for (int i = 0; i < 20; i++)
		press_sym(KEYSYM_UP);
	for (int i = 0; i < 5; i++)	/* name phone plate model landmark: the coordinates */
		press_sym(KEYSYM_TAB);
	press(KEYMAP_CTRL('u'));
	type("28.40,112.90");
	press_sym(KEYSYM_F10);		/* 22 km: the en-route truck would lose the job */
	sizes("intake, edit takes the job");
	press_sym(KEYSYM_F10);
	ck_assert_int_eq(rec.edit, 1);
	answer_refusal(PROTO_E_BAD_REQUEST,
	    "location is 1336 km from region changsha; check the coordinates", &far);
	sizes("intake, edit refused");
	text = harness_screen_text(vs);
	ck_assert_msg(strstr(text, "1336 公里") != NULL, "%s", text);
	free(text);
	press_sym(KEYSYM_ESC);
	sizes("intake, edit: discard question");
	press('y');
	view_destroy(v);

	/* a new call from the same phone: the open ticket on its row, the attach key */
	v = view_intake_create(&m);
	type("欧阳娜娜");
	press_sym(KEYSYM_TAB);
	type("13812345678");
	press_sym(KEYSYM_TAB);
	sizes("intake, same caller");
	harness_draw(120, 40);
	char *scr = harness_screen_text(vs);
	ck_assert_msg(strstr(scr, i18n_tr("intake.dup.open")) != NULL, "%s", scr);
	free(scr);
	press_sym(KEYSYM_F9);
	ck_assert_int_eq(rec.callback, 1);
	sizes("intake, call attached");
}
END_TEST

/* Choosing a truck the broker refuses: the refusal's words with its names. */
START_TEST(test_assign_refused)
{
	static const struct proto_error_params busy = { .reason = "truck_busy",
	    .truck = "CSH-XS-F01", .ticket = 77, .present = ERRP(reason) | ERRP(truck) |
	    ERRP(ticket) };
	static const struct proto_error_params kind = { .reason = "wrong_kind", .kind = "van",
	    .fault = "accident_tow", .need = "flatbed", .present = ERRP(reason) | ERRP(kind) |
	    ERRP(fault) | ERRP(need) };

	v = view_detail_create(&m, 103, ACTION_NONE);
	harness_answer_history(&m, 3, events, 3);
	press('A');
	harness_answer_cands(&m, cands, ARRAY_LEN(cands));
	harness_draw(120, 40);		/* the list's rows are what was drawn */
	press('1');
	ck_assert_int_eq(rec.assign, 1);
	answer_refusal(PROTO_E_CONFLICT, "truck CSH-XS-F01 is busy with ticket 77", &busy);
	sizes("assign refused: busy");
	ck_assert_msg(strstr(m.message, "#77") != NULL, "%s", m.message);
	press('A');
	harness_answer_cands(&m, cands, ARRAY_LEN(cands));
	harness_draw(120, 40);
	press('1');
	ck_assert_int_eq(rec.assign, 2);
	answer_refusal(PROTO_E_INVALID_STATE, "a van cannot handle accident_tow: it needs a flatbed",
	    &kind);
	sizes("assign refused: kind");
	ck_assert_msg(strstr(m.message, i18n_tr("kind.flatbed")) != NULL, "%s", m.message);
}
END_TEST

/* The board's find (f, then C-n to the next match) and the question about a command past
 * its window, over the board. */
START_TEST(test_find_expired)
{
	struct proto_ticket_note a = { .id = 101, .text = "客户在公交站旁", .present = PROTO_ALL };
	struct model_request rq = { .op = PROTO_MSG_ticket_note, .args = &a };
	char what[64], id[PROTO_CMD_ID_MAX + 1], found[2048], *text;
	struct model_pending *p;

	v = view_board_create();
	press('f');
	type("湘A");
	sizes("board, find typed");
	press_sym(KEYSYM_ENTER);
	ck_assert_str_eq(m.board.find, "湘A");
	sizes("board, find active");
	press(KEYMAP_CTRL('n'));
	sizes("board, next match");

	snprintf(what, sizeof what, "%s #101", i18n_tr("cmd.note"));
	rq.what = what;
	ck_assert_int_eq(model_request(&m, &rq, id), 0);
	model_pending_queue(&m, model_pending_find(&m, id));
	harness_answer_none(&m, id, "no reply to ticket.note within 540 s");
	p = model_pending_asking(&m);
	ck_assert_ptr_nonnull(p);
	static const int dims[][2] = { { 80, 24 }, { 120, 40 }, { 200, 60 } };
	for (size_t i = 0; i < ARRAY_LEN(dims); i++) {
		harness_draw(dims[i][0], dims[i][1]);
		expired_draw(vs, p);
		text = harness_screen_text(vs);
		char *roles = strstr(text, "-- roles --");
		if (roles != NULL)
			*roles = '\0';
		int n = english(text, found, sizeof found);
		if (n > 0)
			fprintf(stderr, "expired question %dx%d:\n%s\n", dims[i][0], dims[i][1],
			    text);
		ck_assert_msg(strstr(text, what) != NULL, "%s", text);
		free(text);
		ck_assert_msg(n == 0, "expired question %dx%d: English on a zh_CN screen: %.600s",
		    dims[i][0], dims[i][1], found);
	}
}
END_TEST

START_TEST(test_search)
{
	v = view_search_create(&m);
	extra = filter_words;	/* the prompt's hint stays on screen */
	sizes("search prompt");
	type("138");
	press_sym(KEYSYM_ENTER);
	sizes("search, a bad word");
	type("00");
	press_sym(KEYSYM_ENTER);
	sizes("search, asking");
	harness_answer_error(&m, rec.last_cmd, PROTO_E_INTERNAL, "reading history: disk I/O error");
	sizes("search failed");
	extra = NULL;
}
END_TEST

/* The complaint list of a supervisor (the local file's, the central copy's, the counts per
 * supplier) with one complaint in conflict, its form with the conflict line, and the
 * actions menu with the two choices. */
START_TEST(test_complaints)
{
	char tmp[64] = "/tmp/check-view-zh.XXXXXX", path[160], dir[4200], *cause = NULL;
	ck_assert_ptr_nonnull(mkdtemp(tmp));
	snprintf(path, sizeof path, "%s/complaints-%s.db", tmp, USER);
	snprintf(dir, sizeof dir, "%s/data", harness_srcdir());
	complaint_db_use(path, dir);
	struct complaint_store *st = complaint_store_open(path, USER, &cause);
	ck_assert_msg(st != NULL, "%s", cause);
	struct complaint *c = complaint_new(NOW - 3 * 24 * 60 * MIN_MS);
	complaint_field_set_str(c, CF_name, "李雷");
	complaint_field_set_str(c, CF_supplier, "hn01");
	complaint_field_set_str(c, CF_handler, USER);
	complaint_field_set_str(c, CF_facts, "救援车迟到两小时。");
	ck_assert_int_eq(complaint_store_save(st, c, NULL, NOW - 60 * MIN_MS, NULL), 0);
	/* the broker refused its version: bo saved version 1 first */
	struct proto_complaint_put *put = xcalloc(1, sizeof *put);
	ck_assert_int_eq(complaint_sync_next(st, put), 1);
	struct proto_reply r = { .ok = false };
	r.error.code = PROTO_E_CONFLICT;
	r.error.params.version = 1;
	PROTO_STRSET(r.error.params.by, "wangfang");
	r.error.params.at = NOW - 30 * MIN_MS;
	r.error.params.present = PROTO_ALL;
	ck_assert_int_eq(complaint_sync_answer(st, put, &r), 0);
	add_data("wangfang");
	/* one complaint of another console, from the complaint stream */
	struct complaint *o = complaint_new(NOW - 24 * 60 * MIN_MS);
	complaint_field_set_str(o, CF_uid, "wangfang-1");
	o->version = 2;
	complaint_field_set_str(o, CF_number, "TS-20260313-000004");
	complaint_field_set_str(o, CF_name, "韩梅梅");
	complaint_field_set_str(o, CF_supplier, "xj02");
	char *text = complaint_encode(o);
	struct proto_complaint *pc = xcalloc(1, sizeof *pc);
	PROTO_STRSET(pc->uid, "wangfang-1");
	pc->version = 2;
	PROTO_STRSET(pc->state, "received");
	PROTO_STRSET(pc->record, text);
	const struct proto_complaint *rows[1] = { pc };
	m.complaints = rows;
	m.n_complaints = 1;
	m.role = MODEL_ROLE_SUPERVISOR;

	v = viewstack_create(&(struct view_open){ .kind = VIEW_COMPLAINTS }, &m);
	ck_assert_ptr_nonnull(v);
	sizes("complaint list, supervisor");
	harness_draw(120, 40);
	ck_assert(harness_screen_has("韩梅梅") && harness_screen_has("李雷"));
	ck_assert(harness_screen_has("hn01 1") && harness_screen_has("xj02 1"));
	ck_assert_int_eq(harness_role_at(harness_find_row("李雷"), "!"), ROLE_LATE);
	/* the stream moves on while the list is open: it follows */
	m.n_complaints = 0;
	harness_draw(120, 40);
	ck_assert(!harness_screen_has("韩梅梅") && harness_screen_has("李雷"));
	m.n_complaints = 1;
	harness_draw(120, 40);
	ck_assert(harness_screen_has("韩梅梅"));
	view_destroy(v);
	v = viewstack_create(&(struct view_open){ .kind = VIEW_COMPLAINT, .complaint = c->id }, &m);
	ck_assert_ptr_nonnull(v);
	sizes("complaint form, conflict");
	harness_draw(120, 40);
	ck_assert(harness_screen_has("wangfang"));
	press_sym(KEYSYM_F2);
	sizes("complaint actions, conflict");
	harness_draw(120, 40);
	ck_assert(harness_screen_has("采用中心版本"));
	view_destroy(v);
	v = NULL;
	m.complaints = NULL;
	m.n_complaints = 0;
	complaint_store_close(st);
	complaint_sync_reset();
	complaint_db_use(NULL, NULL);
	free(text);
	free(pc);
	free(put);
	complaint_free(o);
	complaint_free(c);
	char cmd[200];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp);
	ck_assert_int_eq(system(cmd), 0);
}
END_TEST

static Suite *
zh_suite(void)
{
	Suite *s = suite_create("view-zh");
	TCase *tc = tcase_create("scanner");

	tcase_add_test(tc, test_scanner);
	suite_add_tcase(s, tc);
	tc = tcase_create("screens");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_board);
	tcase_add_test(tc, test_detail_timeline);
	tcase_add_test(tc, test_detail_track);
	tcase_add_test(tc, test_candidates);
	tcase_add_test(tc, test_prompts);
	tcase_add_test(tc, test_flow_keys);
	tcase_add_test(tc, test_errors);
	tcase_add_test(tc, test_diag);
	tcase_add_test(tc, test_kpi_help);
	tcase_add_test(tc, test_intake);
	tcase_add_test(tc, test_intake_edit);
	tcase_add_test(tc, test_assign_refused);
	tcase_add_test(tc, test_find_expired);
	tcase_add_test(tc, test_search);
	tcase_add_test(tc, test_complaints);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return harness_screen_main(zh_suite(), "check-view-zh");
}
