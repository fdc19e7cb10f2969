/* check-privacy.c: customers' personal data at the broker (issue 11), end to end: the real
 * broker in a thread on ipc:// endpoints with the source tree's data, on a manual clock
 * (tests/harness-broker.c).
 *
 *   - no raw phone or full name in any frame a subscriber or a requester receives: every
 *     publication (the topic "message" included) and every reply of a run that goes
 *     through intake, dispatch, notes, edits, messages told to the customers
 *     (ticket.tell), state changes, ticket.get, ticket.search, dispatch.candidates,
 *     ticket.track and a snapshot is looked at byte by byte (and decoded by the harness);
 *   - ticket.contact answers the raw values, and the lookup is in the ticket's history
 *     (event contact: who, why; no number in its detail or params);
 *   - retention: a ticket closed more than N days ago loses name, phone, plate, address
 *     and notes in the database file itself (its bytes searched after the broker stops),
 *     one closed less than N days ago keeps them, the history keeps the facts, and a
 *     restart loads the erased state; a complaint about the erased ticket, closed as long
 *     ago, keeps its record whole (complaints are kept: rescuedeskd(8) PRIVACY). */
#include <check.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "complaint.h"
#include "proto.h"
#include "util.h"

#include "harness-broker.h"

#ifndef SOURCE_DATA_DIR
#error "compile with -DSOURCE_DATA_DIR=\"/path/to/data\""
#endif

#define WAIT_MS HARNESS_BROKER_WAIT_MS
#define CALL_LAT 28.1960
#define CALL_LON 112.9768
#define NEAR_LAT 28.2050
#define DAY_MS 86400000LL

static char base_dir[] = "/tmp/rd-check-privacy-XXXXXX";
static struct harness_broker E;

/* Raw values a client must never see, as typed and as their digits. */
static const char *const secrets[] = {
	"13912340001", "欧阳修远", "阳修远", "+86 139 1234 0002", "8613912340002",
	"12340002", "Wang Lixin", "Lixin", "13912340003", "Zhang Sanfeng", "Sanfeng",
};

/* Whether the n bytes at data hold s. */
static bool
mem_has(const void *data, size_t n, const char *s)
{
	size_t k = strlen(s);
	const char *d = data;

	for (size_t i = 0; k > 0 && i + k <= n; i++)
		if (d[i] == s[0] && memcmp(d + i, s, k) == 0)
			return true;
	return false;
}

struct seen {
	size_t frames, hits;
	char first[160];
};

static void
look(void *arg, const void *data, size_t len)
{
	struct seen *s = arg;

	s->frames++;
	for (size_t i = 0; i < ARRAY_LEN(secrets); i++) {
		if (!mem_has(data, len, secrets[i]))
			continue;
		if (s->hits++ == 0)
			snprintf(s->first, sizeof s->first, "\"%s\" in frame %zu", secrets[i],
			    s->frames);
	}
}

static void
setup_days(int days)
{
	struct harness_broker_opts o = {
		.base_dir = base_dir, .log_env = "CHECK_PRIVACY_LOG", .cmd_prefix = "privacy",
		.strict = true, .retention_days = days,
	};
	harness_broker_setup(&E, &o);
	harness_broker_start(&E, SOURCE_DATA_DIR);
	harness_broker_clients_open(&E);
	harness_broker_sub_sync(&E);
}

static void
setup(void)
{
	setup_days(0);
}

static void
setup_retention(void)
{
	setup_days(2);
}

static void
teardown(void)
{
	harness_broker_teardown(&E);
}

/* Read publications until a ticket's with this id and ver (everything before it read). */
static void
until_ticket(int64_t id, int64_t ver)
{
	struct proto_pub p;
	int64_t until = rd_mono_ms() + WAIT_MS;

	for (;;) {
		ck_assert_msg(harness_broker_next_pub(&E, &p, until), "ticket %lld ver %lld not "
		    "published", (long long)id, (long long)ver);
		if (p.topic == PROTO_TOPIC_TICKET && p.u.ticket.id == id && p.u.ticket.ver == ver)
			return;
	}
}

/* ticket.tell template to ticket id; read publications until its message: the text the
 * topic "message" carries into text. */
static void
tell(int64_t id, const char *template, char *text, size_t n)
{
	struct proto_ticket_tell a = { .id = id, .present = PROTO_ALL };
	struct proto_pub p;
	int64_t until = rd_mono_ms() + WAIT_MS;

	PROTO_STRSET(a.template, template);
	harness_broker_ok(&E, "agent7", PROTO_MSG_ticket_tell, &a);
	for (;;) {
		ck_assert_msg(harness_broker_next_pub(&E, &p, until), "no message %s to ticket "
		    "%lld", template, (long long)id);
		if (p.topic == PROTO_TOPIC_MESSAGE && p.u.message.ticket == id) {
			snprintf(text, n, "%s", p.u.message.text);
			return;
		}
	}
}

/* Read publications until truck's with status (NULL: any). */
static void
until_truck(const char *truck, const char *status)
{
	struct proto_pub p;
	int64_t until = rd_mono_ms() + WAIT_MS;

	for (;;) {
		ck_assert_msg(harness_broker_next_pub(&E, &p, until), "truck %s not published",
		    truck);
		if (p.topic == PROTO_TOPIC_TRUCK && strcmp(p.u.truck.id, truck) == 0 &&
		    (status == NULL || strcmp(p.u.truck.status, status) == 0))
			return;
	}
}

static void
van_near(const char *id)
{
	struct proto_status s = { .ts = E.now, .present = 0 };
	struct proto_fix x = { .lat = NEAR_LAT, .lon = CALL_LON, .ts = E.now, .present = 0 };

	PROTO_STRSET(s.truck, id);
	PROTO_STRSET(s.status, "available");
	PROTO_STRSET(s.kind, "van");
	PROTO_SET(&s, status, kind);
	PROTO_STRSET(s.region, "changsha");
	PROTO_SET(&s, status, region);
	PROTO_STRSET(s.supplier, "xiangjiang");
	PROTO_SET(&s, status, supplier);
	harness_broker_push_feed(&E, PROTO_MSG_status, &s);
	until_truck(id, "available");
	PROTO_STRSET(x.truck, id);
	harness_broker_push_feed(&E, PROTO_MSG_fix, &x);
	until_truck(id, NULL);
}

static struct proto_ticket
create(const char *customer, const char *phone, const char *plate, const char *address,
    const char *notes)
{
	struct proto_intake_create a = { .lat = CALL_LAT, .lon = CALL_LON, .present = 0 };

	PROTO_STRSET(a.customer, customer);
	PROTO_STRSET(a.phone, phone);
	PROTO_STRSET(a.plate, plate);
	PROTO_STRSET(a.address, address);
	PROTO_STRSET(a.fault, "battery");
	PROTO_STRSET(a.region, "changsha");
	if (notes != NULL) {
		PROTO_STRSET(a.notes, notes);
		PROTO_SET(&a, intake_create, notes);
	}
	struct proto_ticket t = harness_broker_ok(&E, "agent7", PROTO_MSG_intake_create, &a);
	until_ticket(t.id, t.ver);
	return t;
}

static void
call(enum proto_msg_id op, const void *args, struct proto_reply *r)
{
	harness_broker_call_as(&E, "agent7", op, args, r);
	ck_assert_msg(r->ok, "%s: %s", proto_descs[op].wire, r->error.message);
}

static struct proto_contact_result
contact(int64_t id, const char *reason)
{
	struct proto_ticket_contact a = { .id = id, .present = 0 };
	struct proto_reply r;

	if (reason != NULL) {
		PROTO_STRSET(a.reason, reason);
		PROTO_SET(&a, ticket_contact, reason);
	}
	call(PROTO_MSG_ticket_contact, &a, &r);
	struct proto_contact_result c = r.contact;
	proto_reply_finish(&r);
	return c;
}

START_TEST(test_no_raw_contact_leaves)
{
	struct seen s = { 0 };
	struct proto_reply r;

	E.frame_seen = look;
	E.frame_arg = &s;
	van_near("HN-P-001");
	struct proto_ticket a = create("欧阳修远", "13912340001", "湘A·7K123", "五一大道 1 号",
	    NULL);
	struct proto_ticket b = create("Wang Lixin", "+86 139 1234 0002", "湘A·8K456",
	    "芙蓉路 2 号", "waits by the car");
	ck_assert_str_eq(a.customer, "欧*");
	ck_assert_str_eq(a.phone, "139****0001");
	ck_assert_str_eq(b.customer, "W*");
	ck_assert_str_eq(b.phone, "139****0002");
	ck_assert_str_eq(a.plate, "湘A·7K123"); /* the plate is not masked */

	/* history, search by the raw number (the broker matches what it stores), candidates,
	 * the track */
	struct proto_ticket_get g = { .id = a.id, .present = PROTO_ALL };
	call(PROTO_MSG_ticket_get, &g, &r);
	proto_reply_finish(&r);
	struct proto_ticket_search q = { .present = 0 };
	PROTO_STRSET(q.phone, "13912340001");
	PROTO_SET(&q, ticket_search, phone);
	call(PROTO_MSG_ticket_search, &q, &r);
	ck_assert_uint_eq(r.n_found, 1);
	ck_assert_str_eq(r.found[0].phone, "139****0001");
	proto_reply_finish(&r);
	struct proto_dispatch_candidates dc = { .id = b.id, .present = 0 };
	call(PROTO_MSG_dispatch_candidates, &dc, &r);
	proto_reply_finish(&r);
	struct proto_ticket_track tr = { .id = a.id, .present = 0 };
	call(PROTO_MSG_ticket_track, &tr, &r);
	proto_reply_finish(&r);

	/* what the customer is told: the topic "message" carries the name masked */
	char told[512];
	tell(a.id, "apology", told, sizeof told);
	ck_assert_str_eq(told, "【道路救援】欧*您好，很抱歉让您久等，我们正在全力安排救援，"
	    "如有变化会及时通知您。");

	/* a note, an edit of name and phone, a close */
	struct proto_ticket_note n = { .id = a.id, .present = PROTO_ALL };
	PROTO_STRSET(n.text, "customer agreed to wait");
	call(PROTO_MSG_ticket_note, &n, &r);
	proto_reply_finish(&r);
	struct proto_ticket_edit e = { .id = b.id, .present = 0 };
	PROTO_SET(&e, ticket_edit, id);
	PROTO_STRSET(e.phone, "13912340003");
	PROTO_SET(&e, ticket_edit, phone);
	PROTO_STRSET(e.customer, "Zhang Sanfeng");
	PROTO_SET(&e, ticket_edit, customer);
	call(PROTO_MSG_ticket_edit, &e, &r);
	ck_assert_str_eq(r.ticket.customer, "Z*");
	proto_reply_finish(&r);
	tell(b.id, "apology", told, sizeof told);
	ck_assert_msg(strstr(told, "【道路救援】Z*您好") == told, "%s", told);
	g.id = b.id;
	call(PROTO_MSG_ticket_get, &g, &r); /* the edit events: masked */
	proto_reply_finish(&r);
	struct proto_ticket_cancel c = { .id = b.id, .present = PROTO_ALL };
	PROTO_STRSET(c.reason, "duplicate");
	call(PROTO_MSG_ticket_cancel, &c, &r);
	int64_t last = r.ticket.ver;
	proto_reply_finish(&r);
	struct proto_snapshot sn = { .present = 0 };
	call(PROTO_MSG_snapshot, &sn, &r);
	ck_assert_uint_ge(r.streams[PROTO_STREAM_TICKET].n, 2);
	proto_reply_finish(&r);
	until_ticket(b.id, last);

	ck_assert_uint_ge(s.frames, 30);
	ck_assert_msg(s.hits == 0, "%zu raw values reached a client, the first %s", s.hits,
	    s.first);

	/* ticket.contact is the one way to the raw values */
	struct proto_contact_result k = contact(a.id, "calling back");
	ck_assert_uint_gt(s.hits, 0);
	ck_assert_int_eq(k.id, a.id);
	ck_assert_str_eq(k.customer, "欧阳修远");
	ck_assert_str_eq(k.phone, "13912340001");
	ck_assert(!k.erased);
	k = contact(b.id, NULL);
	ck_assert_str_eq(k.customer, "Zhang Sanfeng");
	ck_assert_str_eq(k.phone, "13912340003");
}
END_TEST

START_TEST(test_contact_audited)
{
	struct proto_reply r;
	struct proto_ticket t = create("欧阳修远", "13912340001", "湘A·7K123", "五一大道 1 号",
	    NULL);

	contact(t.id, "complaint");
	harness_broker_call_as(&E, "sup1", PROTO_MSG_ticket_contact,
	    &(struct proto_ticket_contact){ .id = t.id, .present = PROTO_ALL }, &r);
	ck_assert(r.ok);
	proto_reply_finish(&r);

	struct proto_ticket_get g = { .id = t.id, .present = PROTO_ALL };
	call(PROTO_MSG_ticket_get, &g, &r);
	size_t seen = 0;
	for (size_t i = 0; i < r.n_events; i++) {
		const struct proto_event *e = &r.events[i];
		if (strcmp(e->kind, "contact") != 0)
			continue;
		ck_assert_str_eq(e->code, "contact");
		ck_assert_str_eq(e->user, seen == 0 ? "agent7" : "sup1");
		ck_assert_str_eq(e->params.by, e->user);
		if (seen == 0)
			ck_assert_str_eq(e->params.text, "complaint");
		else
			ck_assert(!PROTO_HAS(&e->params, event_params, text));
		ck_assert_ptr_null(strstr(e->detail, "0001"));
		seen++;
	}
	ck_assert_uint_eq(seen, 2);
	proto_reply_finish(&r);

	/* nothing was published for a lookup */
	harness_broker_step(&E, 0);
	struct proto_pub p;
	int64_t until = rd_mono_ms() + WAIT_MS;
	do
		ck_assert(harness_broker_next_pub(&E, &p, until));
	while (p.topic != PROTO_TOPIC_HB);
	ck_assert_int_eq(p.u.hb.seq_ticket, t.ver);

	/* an unknown ticket */
	harness_broker_call_as(&E, "agent7", PROTO_MSG_ticket_contact,
	    &(struct proto_ticket_contact){ .id = 99, .present = PROTO_ALL }, &r);
	ck_assert(!r.ok);
	ck_assert_int_eq(r.error.code, PROTO_E_NOT_FOUND);
	proto_reply_finish(&r);
}
END_TEST

/* Whether the file at path holds any of the n strings (a missing file holds none). */
static bool
file_holds(const char *path, const char *const *what, size_t n, char *which, size_t wsz)
{
	FILE *f = fopen(path, "rb");
	if (f == NULL)
		return false;
	ck_assert_int_eq(fseek(f, 0, SEEK_END), 0);
	long len = ftell(f);
	ck_assert_int_ge(len, 0);
	rewind(f);
	char *buf = xmalloc((size_t)len + 1);
	ck_assert_uint_eq(fread(buf, 1, (size_t)len, f), (size_t)len);
	fclose(f);
	bool found = false;
	for (size_t i = 0; i < n && !found; i++)
		if (mem_has(buf, (size_t)len, what[i])) {
			found = true;
			snprintf(which, wsz, "%s", what[i]);
		}
	free(buf);
	return found;
}

static bool
store_holds(const char *const *what, size_t n, char *which, size_t wsz)
{
	char p[200];
	bool found = file_holds(E.db, what, n, which, wsz);
	snprintf(p, sizeof p, "%s-wal", E.db);
	return file_holds(p, what, n, which, wsz) || found;
}

/* A closed complaint about ticket id, received at `at`, as a console saves it; the caller
 * frees. */
static char *
complaint_about(int64_t id, int64_t at)
{
	struct complaint *c = complaint_new(at);
	complaint_field_set_str(c, CF_uid, "ana-1");
	c->version = 1;
	c->state = COMPLAINT_CLOSED;
	complaint_field_set_str(c, CF_number, "TS-20260302-000001");
	complaint_field_set_str(c, CF_name, "李明远");
	complaint_field_set_str(c, CF_phone, "13912340077");
	complaint_field_set_str(c, CF_handler, "ana");
	complaint_field_set_str(c, CF_facts, "the truck came two hours late");
	complaint_field_set_int(c, CF_ticket_id, id);
	char *text = complaint_encode(c);
	complaint_free(c);
	return text;
}

/* The stored record of complaint uid (complaint.get); the caller frees. */
static char *
complaint_record(const char *uid)
{
	struct proto_complaint_get g = { .present = 0 };
	struct proto_reply r;

	PROTO_STRSET(g.uid, uid);
	PROTO_SET(&g, complaint_get, uid);
	call(PROTO_MSG_complaint_get, &g, &r);
	ck_assert_uint_eq(r.n_complaints, 1);
	char *rec = xstrdup(r.complaints[0].record);
	proto_reply_finish(&r);
	return rec;
}

START_TEST(test_retention)
{
	static const char *const old_person[] = { "13912340001", "欧阳修远", "湘A·7K123",
		"五一大道 1 号", "near the old bridge" };
	static const char *const new_person[] = { "13912340009", "Wang Lixin" };
	struct proto_reply r;
	char which[64] = "";

	/* closed at day 0 and a minute before day 2; the setting is 2 days */
	struct proto_ticket o = create("欧阳修远", "13912340001", "湘A·7K123", "五一大道 1 号",
	    "near the old bridge");
	struct proto_ticket_cancel c = { .id = o.id, .present = PROTO_ALL };
	PROTO_STRSET(c.reason, "solved");
	call(PROTO_MSG_ticket_cancel, &c, &r);
	proto_reply_finish(&r);
	harness_broker_step(&E, 2 * DAY_MS - 60000);
	struct proto_ticket y = create("Wang Lixin", "13912340009", "湘A·9K999", "芙蓉路 9 号",
	    NULL);
	c.id = y.id;
	call(PROTO_MSG_ticket_cancel, &c, &r);
	proto_reply_finish(&r);
	contact(o.id, "before"); /* kept until 2 days have passed */
	ck_assert_str_eq(contact(o.id, NULL).phone, "13912340001");
	/* a complaint about o, closed at once: as old as o when retention erases o */
	char *complaint = complaint_about(o.id, o.created);
	struct proto_complaint_put cp = { .version = 1, .base = 0, .present = 0 };
	PROTO_STRSET(cp.uid, "ana-1");
	PROTO_STRSET(cp.record, complaint);
	PROTO_SET(&cp, complaint_put, uid);
	PROTO_SET(&cp, complaint_put, version);
	PROTO_SET(&cp, complaint_put, record);
	PROTO_SET(&cp, complaint_put, base);
	call(PROTO_MSG_complaint_put, &cp, &r);
	proto_reply_finish(&r);

	/* day 3: o closed 3 days ago goes, y closed 1 day ago stays */
	harness_broker_step(&E, DAY_MS + 120000);
	struct proto_contact_result k = contact(o.id, "after");
	ck_assert(k.erased);
	ck_assert_str_eq(k.customer, "");
	ck_assert_str_eq(k.phone, "");
	k = contact(y.id, NULL);
	ck_assert(!k.erased);
	ck_assert_str_eq(k.phone, "13912340009");

	/* the facts stay: state, region, fault, times; the history with one erased event */
	struct proto_ticket_get g = { .id = o.id, .present = PROTO_ALL };
	call(PROTO_MSG_ticket_get, &g, &r);
	ck_assert_str_eq(r.ticket.state, "cancelled");
	ck_assert_str_eq(r.ticket.region, "changsha");
	ck_assert_str_eq(r.ticket.fault, "battery");
	ck_assert_str_eq(r.ticket.plate, "");
	ck_assert_str_eq(r.ticket.address, "");
	ck_assert_int_eq(r.ticket.created, o.created);
	ck_assert(PROTO_HAS(&r.ticket, ticket, t_closed));
	size_t erased = 0, created = 0;
	for (size_t i = 0; i < r.n_events; i++) {
		erased += strcmp(r.events[i].kind, "erased") == 0;
		created += strcmp(r.events[i].kind, "created") == 0;
		ck_assert_ptr_null(strstr(r.events[i].detail, "old bridge"));
	}
	ck_assert_uint_eq(erased, 1);
	ck_assert_uint_eq(created, 1);
	proto_reply_finish(&r);
	struct proto_ticket_search q = { .id = o.id, .present = 0 };
	PROTO_SET(&q, ticket_search, id);
	call(PROTO_MSG_ticket_search, &q, &r);
	ck_assert_uint_eq(r.n_found, 1);
	ck_assert_str_eq(r.found[0].state, "cancelled");
	ck_assert_str_eq(r.found[0].customer, "");
	proto_reply_finish(&r);

	/* the complaint about o is kept whole: complaints have their own legal lifetime */
	char *kept = complaint_record("ana-1");
	ck_assert_str_eq(kept, complaint);
	free(kept);

	/* a later pass erases nothing twice */
	harness_broker_step(&E, 120000);
	g.id = o.id;
	call(PROTO_MSG_ticket_get, &g, &r);
	erased = 0;
	for (size_t i = 0; i < r.n_events; i++)
		erased += strcmp(r.events[i].kind, "erased") == 0;
	ck_assert_uint_eq(erased, 1);
	proto_reply_finish(&r);

	/* the file itself: the old person is gone from every page, the new one is there */
	harness_broker_clients_close(&E);
	harness_broker_stop(&E);
	ck_assert_msg(!store_holds(old_person, ARRAY_LEN(old_person), which, sizeof which),
	    "the store still holds \"%s\"", which);
	ck_assert(store_holds(new_person, ARRAY_LEN(new_person), which, sizeof which));
	static const char *const complainant[] = { "李明远" };
	ck_assert(store_holds(complainant, 1, which, sizeof which));

	/* and a restart loads the erased ticket as it was left */
	E.now = 0;
	harness_broker_start(&E, SOURCE_DATA_DIR);
	harness_broker_clients_open(&E);
	k = contact(o.id, NULL);
	ck_assert(k.erased);
	ck_assert_str_eq(contact(y.id, NULL).customer, "Wang Lixin");
	kept = complaint_record("ana-1");
	ck_assert_str_eq(kept, complaint);
	free(kept);
	free(complaint);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("privacy");
	TCase *tc = harness_broker_tcase(s, "streams", setup, teardown);

	tcase_add_test(tc, test_no_raw_contact_leaves);
	tcase_add_test(tc, test_contact_audited);
	tc = harness_broker_tcase(s, "retention", setup_retention, teardown);
	tcase_add_test(tc, test_retention);
	return harness_broker_main(s, base_dir);
}
