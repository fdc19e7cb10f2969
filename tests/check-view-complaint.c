/* check-view-complaint.c: the complaint form (ui/view-complaint.c) and the complaint list
 * (ui/view-complaints.c) over a real local store in a temporary directory and the
 * complaint data of data/, drawn into a vscreen and driven with keys, with the recording
 * app of harness-model.h (no broker: the views work offline; only the linked ticket's
 * history is asked for, and answered here or not at all).
 *
 * Goldens are tests/golden/complaint-<page>-80x24[-zh].screen, complaint-timeline-80x24
 * [-zh].screen and complaints-80x24[-zh].screen (RD_UPDATE_GOLDEN=1 rewrites them). The locale is C.UTF-8
 * and TZ=UTC. Run from the source root, or set RD_SRCDIR to it. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "complaint-db.h"
#include "complaint-store.h"
#include "complaint-sync.h"
#include "complaint.h"
#include "i18n.h"
#include "model-request.h"
#include "model.h"
#include "util.h"
#include "view-board.h"
#include "view-detail.h"
#include "view-complaint.h"
#include "view-complaints.h"
#include "viewstack.h"

#include "harness-model.h"
#include "harness-screen.h"

#define MIN_MS (60 * 1000LL)
#define DAY_MS (24 * 60 * MIN_MS)
#define EP(f) ((uint64_t)1 << PROTO_event_params_##f)
#define EV_CODED ((uint64_t)1 << PROTO_event_code | (uint64_t)1 << PROTO_event_params)
#define NOW 1773468300000LL	/* 2026-03-14 06:05:00 UTC, 14:05 in China, a Saturday */

static struct data_supplier cs_suppliers[] = {
	{ .id = "xy", .name = "湘运救援 Xiangyun Rescue" },
	{ .id = "hx", .name = "华星拖车 Huaxing Towing" },
};
static struct data_region regions[] = {
	{ .id = "changsha", .name = "Changsha", .name_zh = "长沙", .lat = 28.2282,
	    .lon = 112.9388, .radius_km = 30, .suppliers = cs_suppliers, .n_suppliers = 2 },
};
static struct data data = { .regions = regions, .n_regions = 1,
	.sla = { .not_accepted_s = 300, .gps_stale_s = 90, .stalled_s = 300,
	    .late_margin_s = 300, .window_pct = 80 } };

static const struct proto_ticket tickets[] = {
	{ .id = 1042, .state = "en_route", .region = "changsha", .customer = "欧阳娜娜",
	    .phone = "13812345678", .plate = "湘AD12345", .lat = 28.1779, .lon = 112.9429,
	    .address = "湖南省长沙市岳麓区麓山南路932号", .fault = "battery",
	    .truck = "CSH-XY-V01", .created = NOW - 95 * MIN_MS, .t_dispatched = NOW - 90 * MIN_MS,
	    .t_accepted = NOW - 89 * MIN_MS, .t_en_route = NOW - 87 * MIN_MS, .ver = 7,
	    .present = PROTO_ALL },
};
static const struct proto_truck trucks[] = {
	{ .id = "CSH-XY-V01", .supplier = "xy", .kind = "van", .region = "changsha",
	    .status = "en_route", .lat = 28.19, .lon = 112.96, .fix_ts = NOW - 12000,
	    .ticket = 1042, .present = PROTO_ALL },
};

static struct model m;
static struct vscreen *vs;
static struct view *v;
static char dir[64], db_path[128];

static void
setup(void)
{
	static const struct proto_warning no_warnings[1];	/* none, but a table */
	static const struct harness_fixture f = {
		.tickets = tickets, .n_tickets = ARRAY_LEN(tickets), .trucks = trucks,
		.n_trucks = ARRAY_LEN(trucks), .warnings = no_warnings, .data = &data,
		.user = "zhangwei",
		.role = MODEL_ROLE_AGENT, .now = NOW,
	};
	char datadir[4200];

	harness_lang("en");
	harness_model_init(&m, &f);
	snprintf(dir, sizeof dir, "/tmp/check-complaint.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(db_path, sizeof db_path, "%s/complaints-zhangwei.db", dir);
	snprintf(datadir, sizeof datadir, "%s/data", harness_srcdir());
	complaint_db_use(db_path, datadir);
	vs = vscreen_create(80, 24);
	v = NULL;
	harness_bind(&m, &vs, &v, "check-view-complaint");
}

static void
teardown(void)
{
	char path[256];

	view_destroy(v);
	harness_model_finish(&m);
	vscreen_destroy(vs);
	i18n_unload();
	complaint_db_use(NULL, NULL);
	snprintf(path, sizeof path, "%s-wal", db_path);
	unlink(path);
	snprintf(path, sizeof path, "%s-shm", db_path);
	unlink(path);
	unlink(db_path);
	rmdir(dir);
}

/* The store as a second reader sees it (what a restarted console would find). */
static struct complaint_store *
reader(void)
{
	char *cause = NULL;
	struct complaint_store *st = complaint_store_open(db_path, "check", &cause);

	ck_assert_msg(st != NULL, "%s", cause != NULL ? cause : "?");
	return st;
}

static struct view *
open_view(enum view_kind kind, int64_t complaint, int64_t ticket)
{
	struct view_open o = { .kind = kind, .ticket = ticket, .complaint = complaint };

	return viewstack_create(&o, &m);
}

/* Fill what registration needs on a new complaint: the channel and the party are filled
 * from a ticket; the rest is typed. */
static void
fill_required(void)
{
	/* page 1: the focus starts on the channel of a new complaint */
	harness_press_sym(KEYSYM_RIGHT);	/* hotline */
	harness_press_sym(KEYSYM_TAB);
	harness_press_sym(KEYSYM_TAB);
	harness_press_sym(KEYSYM_RIGHT);	/* person */
	harness_press_sym(KEYSYM_TAB);
	harness_type("王芳");
	harness_press_sym(KEYSYM_TAB);
	harness_type("13912345678");
	/* page 2: the plate, the respondent unit */
	harness_press_sym(KEYSYM_PAGE_DOWN);
	harness_press_sym(KEYSYM_TAB);
	harness_type("湘A12345");
	for (int i = 0; i < 4; i++)
		harness_press_sym(KEYSYM_TAB);
	harness_type("长沙分公司");
	/* page 3: request and facts */
	harness_press_sym(KEYSYM_PAGE_DOWN);
	harness_type("赔偿拖车费 300 元");
	harness_press_sym(KEYSYM_TAB);
	harness_type("救援车迟到两小时。");
	harness_press_sym(KEYSYM_ENTER);	/* a line break in the area */
	harness_type("司机态度恶劣。");
	/* page 4: business, then the cause from the list by typing */
	harness_press_sym(KEYSYM_PAGE_DOWN);
	harness_press_sym(KEYSYM_RIGHT);	/* roadside */
	harness_press_sym(KEYSYM_TAB);
	harness_press_sym(KEYSYM_ENTER);
	harness_press_sym(KEYSYM_ENTER);	/* the first cause of roadside */
}

START_TEST(test_pages_golden)
{
	static const char *langs[] = { "en", "zh_CN" };
	char name[64];

	harness_lang(langs[_i]);
	v = open_view(VIEW_COMPLAINT, 0, 1042);
	ck_assert_ptr_nonnull(v);
	/* the ticket's history is asked for; answered with nothing, the replica's copy stays */
	ck_assert_int_eq(harness_rec.fetch, 1);
	harness_answer_contact(&m, "欧阳娜娜", "13812345678", false); /* the raw contact */
	for (int p = 0; p < 7; p++) {
		snprintf(name, sizeof name, "complaint-p%d", p + 1);
		harness_golden(name, 80, 24, langs[_i]);
		harness_assert_safe();
		harness_press_sym(KEYSYM_PAGE_DOWN);
	}
	/* wider: the page titles all show, the fields and the areas grow */
	harness_press_sym(KEYSYM_PAGE_UP);
	harness_press_sym(KEYSYM_PAGE_UP);
	harness_press_sym(KEYSYM_PAGE_UP);
	harness_press_sym(KEYSYM_PAGE_UP);
	harness_press_sym(KEYSYM_PAGE_UP);
	harness_golden("complaint-p2", 120, 40, langs[_i]);
}
END_TEST

START_TEST(test_filled_from_ticket)
{
	struct view *board = view_board_create();
	unsigned r;
	int y;

	model_refresh(&m, NOW);
	/* C on the board asks for a new complaint about the selected ticket */
	r = view_key(board, &m, &(struct key){ 'C', false }, ACTION_COMPLAINT);
	ck_assert_uint_eq(r & UI_OPEN, UI_OPEN);
	ck_assert_int_eq(board->open.kind, VIEW_COMPLAINT);
	ck_assert_int_eq(board->open.ticket, 1042);
	ck_assert_int_eq(board->open.complaint, 0);
	r = view_key(board, &m, &(struct key){ 'L', false }, ACTION_COMPLAINTS);
	ck_assert_int_eq(board->open.kind, VIEW_COMPLAINTS);
	view_destroy(board);
	/* and C in the ticket's detail */
	board = view_detail_create(&m, 1042, ACTION_NONE);
	r = view_key(board, &m, &(struct key){ 'C', false }, ACTION_COMPLAINT);
	ck_assert_uint_eq(r & UI_OPEN, UI_OPEN);
	ck_assert_int_eq(board->open.kind, VIEW_COMPLAINT);
	ck_assert_int_eq(board->open.ticket, 1042);
	view_destroy(board);
	harness_rec.fetch = 0;

	v = open_view(VIEW_COMPLAINT, 0, 1042);
	/* name and phone are asked of the broker (the ticket has them masked), recorded as
	 * looked up for a complaint */
	ck_assert_int_eq(harness_rec.contact, 1);
	ck_assert_int_eq(harness_rec.contact_id, 1042);
	ck_assert_str_eq(harness_rec.contact_reason, "complaint");
	harness_draw(80, 24);
	ck_assert(!harness_screen_has("欧阳娜娜"));
	harness_answer_contact(&m, "欧阳娜娜", "13812345678", false);
	harness_draw(80, 24);
	/* the name as given; the phone masked while it has no focus */
	ck_assert(harness_screen_has("欧阳娜娜"));
	ck_assert(harness_screen_has("138****5678"));
	ck_assert(!harness_screen_has("13812345678"));
	y = harness_find_row("138****5678");
	for (int i = 0; i < 6 && !harness_screen_has("13812345678"); i++) {
		harness_press_sym(KEYSYM_TAB);
		harness_draw(80, 24);
	}
	ck_assert_int_eq(harness_find_row("13812345678"), y);	/* focused: as it is */
	harness_press_sym(KEYSYM_PAGE_DOWN);
	harness_draw(80, 24);
	ck_assert(harness_screen_has("湘AD12345"));
	ck_assert(harness_screen_has("1042"));
	ck_assert(harness_screen_has("湘运救援"));
	ck_assert(harness_screen_has("#1042"));	/* the timeline, frozen */
	/* the broker answers the history: the timeline takes its events */
	harness_answer_history(&m, 7, (const struct proto_event[]){
	    { .id = 1, .ts = NOW - 95 * MIN_MS, .kind = "created", .detail = "intake" },
	    { .id = 2, .ts = NOW - 90 * MIN_MS, .kind = "dispatch", .detail = "CSH-XY-V01" } },
	    2);
	harness_draw(80, 24);
	ck_assert(harness_screen_has("CSH-XY-V01"));
}
END_TEST

/* The frozen timeline words each event as the detail does, in the console's language: in
 * zh_CN no English detail from the broker ("call taken: ...") reaches the form. */
START_TEST(test_timeline_worded)
{
	harness_lang("zh_CN");
	v = open_view(VIEW_COMPLAINT, 0, 1042);
	harness_press_sym(KEYSYM_PAGE_DOWN);
	harness_answer_history(&m, 7, (const struct proto_event[]){
	    { .id = 1, .ts = NOW - 95 * MIN_MS, .kind = "created",
	    .detail = "call taken: battery in changsha, promised in 30 min", .code = "created",
	    .params = { .fault = "battery", .region = "changsha", .min = 30,
	    .present = EP(fault) | EP(region) | EP(min) }, .present = EV_CODED } }, 1);
	harness_draw(120, 40);
	ck_assert(harness_screen_has("受理来电"));
	ck_assert(!harness_screen_has("call taken"));
}
END_TEST

/* The frozen timeline is read-only: it wraps at spaces, so an English note keeps its
 * words whole and no continuation line starts with the space it broke at; Chinese text
 * still breaks between any two characters and fills its lines. */
START_TEST(test_timeline_wrapped)
{
	static const char *langs[] = { "en", "zh_CN" };
	int y0, k = -1;

	harness_lang(langs[_i]);
	v = open_view(VIEW_COMPLAINT, 0, 1042);
	harness_answer_contact(&m, "欧阳娜娜", "13812345678", false);
	harness_press_sym(KEYSYM_PAGE_DOWN);
	harness_answer_history(&m, 7, (const struct proto_event[]){
	    { .id = 1, .ts = NOW - 95 * MIN_MS, .kind = "created", .detail = "intake" },
	    { .id = 2, .ts = NOW - 60 * MIN_MS, .kind = "note",
	    .detail = "customer says the truck drove past the gate twice without stopping" },
	    { .id = 3, .ts = NOW - 50 * MIN_MS, .kind = "note",
	    .detail = "客户说救援车两次开过大门都没有停下，她在路边等了一个多小时才有人来" } },
	    3);
	harness_golden("complaint-timeline", 80, 24, langs[_i]);
	/* the English words are whole */
	ck_assert(harness_screen_has("without stopping"));
	ck_assert(!harness_screen_has("stoppin "));
	/* the area's rows below its first all start at its column: none with a space */
	y0 = harness_find_row("2026-03-14 12:30");
	ck_assert_int_ge(y0, 0);
	for (int y = y0 + 1; y < y0 + 6; y++) {
		const char *r = harness_row(y);
		int lead = (int)strspn(r, " ");

		if (r[lead] == '\0')
			continue;
		if (k < 0)
			k = lead;
		ck_assert_msg(lead == k, "row %d: %s", y, r);
	}
	ck_assert_int_gt(k, 0);
}
END_TEST

START_TEST(test_save_byte_exact)
{
	struct complaint_store *st;
	struct complaint **list = NULL;
	struct complaint_outbox_row *ob = NULL;
	struct complaint_change *ch = NULL;
	size_t n = 0, nob = 0, nch = 0;

	v = open_view(VIEW_COMPLAINT, 0, 0);
	ck_assert_ptr_nonnull(v);
	/* F10 with nothing filled: the errors in words, the focus on the first */
	harness_press_sym(KEYSYM_F10);
	harness_draw(80, 24);
	ck_assert(harness_screen_has("Fields to fix before saving:") ||
	    harness_screen_has(i18n_tr(complaint_error_key(COMPLAINT_E_REQUIRED))));
	fill_required();
	harness_press_sym(KEYSYM_F10);
	harness_draw(80, 24);
	ck_assert_msg(harness_screen_has("Saved TS-20260314-"), "%s", harness_row(22));
	/* the store holds the Chinese text as typed, byte for byte, with its history and
	 * an outbox row */
	st = reader();
	ck_assert_int_eq(complaint_store_list(st, &(struct complaint_query){ 0 }, &list, &n), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_str_eq(list[0]->facts, "救援车迟到两小时。\n司机态度恶劣。");
	ck_assert_str_eq(list[0]->request, "赔偿拖车费 300 元");
	ck_assert_str_eq(list[0]->name, "王芳");
	ck_assert_int_eq(list[0]->version, 1);
	ck_assert_int_eq(complaint_store_history(st, list[0]->id, &ch, &nch), 0);
	ck_assert_uint_ge(nch, 5);
	ck_assert_int_eq(complaint_store_outbox_pending(st, 10, &ob, &nob), 0);
	ck_assert_uint_eq(nob, 1);
	complaint_outbox_free(ob, nob);
	complaint_changes_free(ch, nch);
	complaint_list_free(list, n);
	complaint_store_close(st);
	/* saved: Esc closes without asking */
	ck_assert_uint_eq(harness_press_sym(KEYSYM_ESC) & UI_CLOSE, UI_CLOSE);
}
END_TEST

START_TEST(test_draft_survives_kill)
{
	struct complaint_store *st;
	int64_t id = -1;

	v = open_view(VIEW_COMPLAINT, 0, 0);
	harness_press_sym(KEYSYM_PAGE_DOWN);
	harness_press_sym(KEYSYM_PAGE_DOWN);
	harness_type("客户说：等了两个小时");
	/* every change is in the file at once: a second reader sees the draft */
	st = reader();
	ck_assert_int_eq(complaint_store_draft_latest(st, &id), 1);
	ck_assert_int_eq(id, 0);
	complaint_store_close(st);
	/* the console dies: the view goes without closing (no Esc, no discard) */
	view_destroy(v);
	v = open_view(VIEW_COMPLAINTS, 0, 0);
	harness_draw(80, 24);
	ck_assert(harness_screen_has("not saved yet (draft)"));
	view_destroy(v);
	v = open_view(VIEW_COMPLAINT, 0, 0);
	harness_draw(80, 24);
	ck_assert(harness_screen_has("draft of an interrupted session was restored"));
	harness_press_sym(KEYSYM_PAGE_DOWN);
	harness_press_sym(KEYSYM_PAGE_DOWN);
	harness_draw(80, 24);
	ck_assert(harness_screen_has("客户说：等了两个小时"));
	/* Esc asks first; n goes back, y discards and the draft goes */
	ck_assert_uint_eq(harness_press_sym(KEYSYM_ESC) & UI_CLOSE, 0);
	harness_draw(80, 24);
	ck_assert(harness_screen_has("Discard the changes to this complaint?"));
	ck_assert_uint_eq(harness_press('n') & UI_CLOSE, 0);
	ck_assert_uint_eq(harness_press_sym(KEYSYM_ESC) & UI_CLOSE, 0);
	ck_assert_uint_eq(harness_press('y') & UI_CLOSE, UI_CLOSE);
	st = reader();
	ck_assert_int_eq(complaint_store_draft_latest(st, &id), 0);
	complaint_store_close(st);
}
END_TEST

START_TEST(test_actions)
{
	v = open_view(VIEW_COMPLAINT, 0, 0);
	fill_required();
	harness_press_sym(KEYSYM_F10);
	/* F2: the actions of "received"; one that may not happen says why */
	harness_press_sym(KEYSYM_F2);
	ck_assert_int_eq(v->scope, SCOPE_DIALOG);
	harness_draw(80, 24);
	ck_assert(harness_screen_has(i18n_tr("complaint.act.register")));
	harness_type("ack");	/* type to search */
	harness_draw(80, 24);
	harness_press_sym(KEYSYM_ESC);
	harness_press_sym(KEYSYM_ESC);
	ck_assert_int_eq(v->scope, SCOPE_FORM);
	/* register: the record is valid, so it goes and is saved as version 2 */
	harness_press_sym(KEYSYM_F2);
	harness_type(i18n_tr("complaint.act.register"));
	harness_press_sym(KEYSYM_ENTER);
	harness_draw(80, 24);
	ck_assert_msg(harness_screen_has(i18n_tr("complaint.state.registered")), "%s",
	    harness_row(22));
	{
		struct complaint_store *st = reader();
		struct complaint *c = NULL;

		ck_assert_int_eq(complaint_store_load(st, 1, &c), 1);
		ck_assert_int_eq(c->state, COMPLAINT_REGISTERED);
		ck_assert_int_eq(c->version, 2);
		complaint_free(c);
		complaint_store_close(st);
	}
	/* merge with no complaint to merge into: refused, in words, the field focused */
	harness_press_sym(KEYSYM_F2);
	harness_type(i18n_tr("complaint.act.merge"));
	harness_press_sym(KEYSYM_ENTER);
	harness_draw(80, 24);
	ck_assert_int_eq(v->scope, SCOPE_FORM);
	ck_assert_int_eq(harness_role_at(23, i18n_tr("complaint.act.merge")), ROLE_ERROR);
	ck_assert_msg(strstr(harness_row(23), i18n_tr("complaint.why.merge_target")) != NULL,
	    "%s", harness_row(23));
}
END_TEST

/* Three complaints received 1, 13 and 20 days ago: the decision clock of 15 days is fine,
 * amber (80%) and red; the list shows them red first, with the marks. */
START_TEST(test_list_golden)
{
	static const char *langs[] = { "en", "zh_CN" };
	static const int ago[] = { 1, 13, 20 };
	static const char *const names[] = { "李雷", "韩梅梅", "Mary-Jane Featherstonehaugh" };
	static const char *const sups[] = { "xy", "hx", "xy" };
	struct complaint_store *st = reader();
	int y;

	for (int i = 0; i < 3; i++) {
		struct complaint *c = complaint_new(NOW - ago[i] * DAY_MS);

		/* acknowledged and under investigation, in touch an hour ago: the decision
		 * clock (15 days) is the one that turns amber and red */
		complaint_field_set_int(c, CF_state, COMPLAINT_INVESTIGATING);
		complaint_field_set_int(c, CF_ack_at, NOW - ago[i] * DAY_MS + 60 * MIN_MS);
		complaint_field_set_int(c, CF_last_contact_at, NOW - 60 * MIN_MS);
		complaint_field_set_str(c, CF_name, names[i]);
		complaint_field_set_str(c, CF_phone, "13912345678");
		complaint_field_set_str(c, CF_supplier, sups[i]);
		complaint_field_set_str(c, CF_handler, i == 1 ? "zhangwei" : "lisi");
		ck_assert_int_eq(complaint_store_save(st, c, NULL, NOW - ago[i] * DAY_MS, NULL), 0);
		complaint_free(c);
	}
	complaint_store_close(st);
	harness_lang(langs[_i]);
	v = open_view(VIEW_COMPLAINTS, 0, 0);
	ck_assert_ptr_nonnull(v);
	harness_golden("complaints", 120, 40, langs[_i]);
	harness_golden("complaints", 80, 24, langs[_i]);
	y = harness_find_row("Mary-Ja");
	ck_assert_int_ge(y, 0);
	ck_assert_int_eq(harness_role_at(y, "!"), ROLE_LATE);
	ck_assert_int_lt(y, harness_find_row("韩梅梅"));
	ck_assert_int_eq(harness_role_at(harness_find_row("韩梅梅"), "*"), ROLE_WARN);
	/* filters: mine, then overdue only, then by supplier */
	harness_press('h');
	harness_draw(80, 24);
	ck_assert(harness_screen_has("韩梅梅") && !harness_screen_has("李雷"));
	harness_press('h');
	harness_press('d');
	harness_press('d');
	harness_draw(80, 24);
	ck_assert(harness_screen_has("Mary-Ja") && !harness_screen_has("韩梅梅"));
	harness_press('d');
	harness_press('p');
	harness_draw(80, 24);
	ck_assert(harness_screen_has("李雷") != harness_screen_has("韩梅梅"));
	/* Enter opens the selected complaint */
	harness_press('p');
	harness_press('p');
	ck_assert_uint_eq(harness_press_sym(KEYSYM_ENTER) & UI_OPEN, UI_OPEN);
	ck_assert_int_eq(v->open.kind, VIEW_COMPLAINT);
	ck_assert_int_gt(v->open.complaint, 0);
}
END_TEST

/* The amount in yuan is kept in fen; the review's day is a date of China time; wrong
 * ones say so beside the field and are not saved. */
START_TEST(test_money_and_date)
{
	struct complaint_store *st;
	struct complaint **list = NULL;
	size_t n = 0;
	int y;

	v = open_view(VIEW_COMPLAINT, 0, 0);
	fill_required();
	m.now = NOW + 10 * DAY_MS;	/* the review is asked for days after the receipt */
	harness_press_sym(KEYSYM_PAGE_UP);	/* the substance page: the amount */
	for (int i = 0; i < 3; i++)
		harness_press_sym(KEYSYM_TAB);
	harness_type("1,280.505");
	harness_press_sym(KEYSYM_TAB);
	harness_draw(80, 24);
	y = harness_find_row("Amount claimed");
	ck_assert(strstr(harness_row(y), "Yuan with at most two") != NULL);
	harness_press_sym(KEYSYM_BACKTAB);
	harness_press_sym(KEYSYM_BACKSPACE);
	for (int i = 0; i < 4; i++)
		harness_press_sym(KEYSYM_PAGE_DOWN);	/* review and close */
	harness_press_sym(KEYSYM_TAB);
	harness_type("2026-02-30");
	harness_press_sym(KEYSYM_TAB);
	harness_draw(80, 24);
	ck_assert(strstr(harness_row(harness_find_row("Review requested")), "Not a date") != NULL);
	harness_press_sym(KEYSYM_F10);	/* refused: the focus goes to the wrong date */
	harness_draw(80, 24);
	ck_assert(!harness_screen_has("Saved TS-"));
	for (int i = 0; i < 5; i++)
		harness_press_sym(KEYSYM_BACKSPACE);
	harness_type("03-20");
	harness_press_sym(KEYSYM_F10);
	harness_draw(80, 24);
	ck_assert_msg(harness_screen_has("Saved TS-"), "%s", harness_row(23));
	st = reader();
	ck_assert_int_eq(complaint_store_list(st, &(struct complaint_query){ 0 }, &list, &n), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_int_eq(list[0]->amount_claimed, 128050);
	/* 2026-03-20 00:00 in China is 2026-03-19 16:00 UTC */
	ck_assert_int_eq(list[0]->review_requested_at, 1773936000000LL);
	complaint_list_free(list, n);
	complaint_store_close(st);
}
END_TEST

/* The decision page's goodwill field, its text cleared, from anywhere on page 1 or 4. */
static void
to_goodwill(int pages_down)
{
	for (int i = 0; i < pages_down; i++)
		harness_press_sym(KEYSYM_PAGE_DOWN);
	for (int i = 0; i < 7; i++)	/* outcome ... compensation, then goodwill */
		harness_press_sym(KEYSYM_TAB);
	for (int i = 0; i < 12; i++)
		harness_press_sym(KEYSYM_BACKSPACE);
}

static struct complaint *
stored(void)
{
	struct complaint_store *st = reader();
	struct complaint *c = NULL;

	ck_assert_int_eq(complaint_store_load(st, 1, &c), 1);
	complaint_store_close(st);
	return c;
}

/* Issue 11: an agent's goodwill payment past the agent's limit (200.00 yuan) says so
 * beside the field and is not saved; within the limit it is signed with the agent's user
 * and role. A supervisor's larger payment is signed as hers. The approvers are not typed;
 * an agent's form shows the extension's as needing a supervisor. */
START_TEST(test_goodwill_approval)
{
	struct complaint *c;
	int y;

	v = open_view(VIEW_COMPLAINT, 0, 0);
	fill_required();
	harness_press_sym(KEYSYM_F10);
	to_goodwill(2);
	harness_type("500");
	harness_press_sym(KEYSYM_TAB);
	harness_draw(80, 24);
	y = harness_find_row("Goodwill payment");
	ck_assert_msg(strstr(harness_row(y), "Past an agent's limit") != NULL, "%s",
	    harness_row(y));
	harness_press_sym(KEYSYM_F10);
	harness_draw(80, 24);
	ck_assert(!harness_screen_has("Saved TS-"));
	ck_assert_msg(strstr(harness_row(23), "Past an agent's limit of 200.00 yuan") != NULL,
	    "%s", harness_row(23));
	c = stored();
	ck_assert_int_eq(c->goodwill, 0);
	ck_assert_int_eq(c->version, 1);
	complaint_free(c);
	for (int i = 0; i < 6; i++)
		harness_press_sym(KEYSYM_BACKSPACE);
	harness_type("150");
	harness_press_sym(KEYSYM_TAB);
	harness_draw(80, 24);
	ck_assert(strstr(harness_row(harness_find_row("Goodwill approved by")), "zhangwei") != NULL);
	harness_press_sym(KEYSYM_F10);
	harness_draw(80, 24);
	ck_assert_msg(harness_screen_has("Saved TS-"), "%s", harness_row(23));
	c = stored();
	ck_assert_int_eq(c->goodwill, 15000);
	ck_assert_str_eq(c->goodwill_approver, "zhangwei");
	ck_assert_str_eq(c->goodwill_role, "agent");
	complaint_free(c);
	/* the extension: not the agent's to approve */
	harness_press_sym(KEYSYM_PAGE_UP);
	harness_draw(80, 24);
	ck_assert(strstr(harness_row(harness_find_row("Extension approved by")),
	    "(needs a supervisor)") != NULL);

	/* a supervisor on the same console file */
	view_destroy(v);
	m.role = MODEL_ROLE_SUPERVISOR;
	v = open_view(VIEW_COMPLAINT, 1, 0);
	ck_assert_ptr_nonnull(v);
	to_goodwill(5);
	harness_type("1000");
	harness_press_sym(KEYSYM_F10);
	harness_draw(80, 24);
	ck_assert_msg(harness_screen_has("Saved TS-"), "%s", harness_row(23));
	c = stored();
	ck_assert_int_eq(c->goodwill, 100000);
	ck_assert_str_eq(c->goodwill_approver, "zhangwei");
	ck_assert_str_eq(c->goodwill_role, "supervisor");
	complaint_free(c);
}
END_TEST

/* A supervisor's row of the central copy shows the stream's masked record; Enter fetches
 * the raw one (complaint.get) into this console's file, never the masked copy, and then
 * opens it. */
START_TEST(test_central_fetched_raw)
{
	struct complaint *raw = complaint_new(NOW - DAY_MS), *mk, *c = NULL;
	struct complaint_store *st;
	struct proto_complaint *pc = xcalloc(2, sizeof *pc);
	char *text;
	unsigned r;

	complaint_field_set_str(raw, CF_uid, "wangfang-1");
	raw->version = 2;
	complaint_field_set_str(raw, CF_number, "TS-20260313-000004");
	complaint_field_set_str(raw, CF_name, "韩梅梅");
	complaint_field_set_str(raw, CF_phone, "13912345678");
	complaint_field_set_str(raw, CF_facts, "救援车迟到两小时。");
	mk = complaint_masked(raw);
	text = complaint_encode(mk);
	PROTO_STRSET(pc[0].uid, "wangfang-1");
	pc[0].version = 2;
	PROTO_STRSET(pc[0].state, "received");
	PROTO_STRSET(pc[0].record, text);
	free(text);
	const struct proto_complaint *rows[1] = { &pc[0] };
	m.complaints = rows;
	m.n_complaints = 1;
	m.role = MODEL_ROLE_SUPERVISOR;

	v = open_view(VIEW_COMPLAINTS, 0, 0);
	ck_assert_ptr_nonnull(v);
	harness_draw(80, 24);
	ck_assert(harness_screen_has("韩*") && !harness_screen_has("韩梅梅"));
	int sent = harness_rec.sent;
	r = harness_press_sym(KEYSYM_ENTER);
	ck_assert_uint_eq(r & UI_OPEN, 0);	/* not yet: it is fetched first */
	ck_assert_int_eq(harness_rec.sent, sent + 1);
	/* the broker's answer: the raw record */
	pc[1] = pc[0];
	text = complaint_encode(raw);
	PROTO_STRSET(pc[1].record, text);
	free(text);
	struct proto_reply *rp = xcalloc(1, sizeof *rp);
	PROTO_STRSET(rp->cmd_id, harness_rec.last_cmd);
	PROTO_STRSET(rp->op, "complaint.get");
	rp->op_id = PROTO_MSG_complaint_get;
	rp->ok = true;
	rp->complaints = &pc[1];
	rp->n_complaints = 1;
	model_reply(&m, harness_rec.last_cmd, rp, NULL);
	view_refresh(v, &m);
	harness_draw(80, 24);
	ck_assert_msg(harness_screen_has(i18n_tr("complaint.msg.fetched")), "%s", harness_row(23));
	st = reader();
	ck_assert_int_eq(complaint_store_find_uid(st, "wangfang-1", &c), 1);
	ck_assert_str_eq(c->name, "韩梅梅");
	ck_assert_str_eq(c->phone, "13912345678");
	ck_assert_str_eq(c->facts, "救援车迟到两小时。");
	complaint_store_close(st);
	/* now the file's: Enter opens it */
	r = harness_press_sym(KEYSYM_ENTER);
	ck_assert_uint_eq(r & UI_OPEN, UI_OPEN);
	ck_assert_int_eq(v->open.complaint, c->id);
	m.complaints = NULL;
	m.n_complaints = 0;
	complaint_free(c);
	complaint_free(mk);
	complaint_free(raw);
	free(rp);
	free(pc);
}
END_TEST

/* The broker refused a version as forbidden (an agent's goodwill past her limit saved
 * while the console thought itself a supervisor): the form says so on top and beside the
 * field the refusal names, and the version is not sent again. */
START_TEST(test_forbidden_shown)
{
	struct complaint_store *st;
	struct proto_complaint_put *put = xcalloc(1, sizeof *put);
	struct proto_reply *r = xcalloc(1, sizeof *r);

	v = open_view(VIEW_COMPLAINT, 0, 0);
	fill_required();
	harness_press_sym(KEYSYM_F10);
	view_destroy(v);
	st = reader();
	ck_assert_int_eq(complaint_sync_next(st, put), 1);
	r->error.code = PROTO_E_FORBIDDEN;
	PROTO_STRSET(r->error.params.reason, "complaint_approval");
	PROTO_STRSET(r->error.params.name, "goodwill");
	PROTO_STRSET(r->error.params.need, "supervisor");
	r->error.params.limit = 20000;
	r->error.params.present = PROTO_ALL;
	ck_assert_int_eq(complaint_sync_answer(st, put, r), 0);
	ck_assert_int_eq(complaint_sync_next(st, put), 0);	/* not sent again */
	complaint_store_close(st);

	v = open_view(VIEW_COMPLAINT, 1, 0);
	harness_draw(80, 24);
	ck_assert(harness_screen_has("goodwill needs a supervisor's approval"));
	to_goodwill(5);
	harness_press_sym(KEYSYM_TAB);
	harness_draw(80, 24);
	ck_assert_msg(strstr(harness_row(harness_find_row("Goodwill payment")),
	    "Past an agent's limit") != NULL, "%s", harness_row(harness_find_row("Goodwill")));
	complaint_sync_reset();
	free(put);
	free(r);
}
END_TEST

static Suite *
complaint_suite(void)
{
	Suite *s = suite_create("view-complaint");
	TCase *tc = tcase_create("complaint");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, test_pages_golden, 0, 2);
	tcase_add_test(tc, test_filled_from_ticket);
	tcase_add_test(tc, test_timeline_worded);
	tcase_add_loop_test(tc, test_timeline_wrapped, 0, 2);
	tcase_add_test(tc, test_save_byte_exact);
	tcase_add_test(tc, test_draft_survives_kill);
	tcase_add_test(tc, test_actions);
	tcase_add_test(tc, test_money_and_date);
	tcase_add_test(tc, test_goodwill_approval);
	tcase_add_test(tc, test_central_fetched_raw);
	tcase_add_test(tc, test_forbidden_shown);
	tcase_add_loop_test(tc, test_list_golden, 0, 2);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	setenv("TZ", "UTC", 1);
	return harness_screen_main(complaint_suite(), "check-view-complaint");
}
