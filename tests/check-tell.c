/* check-tell.c: telling the customer (issue 13; PROTOCOL.md 7.27, 11.5).
 *
 * The pure part (src/model/tell.c): the renderer's table in both languages, parameters the
 * ticket lacks, long values, control characters, the length bound; tell.ini's validation
 * (each bad file a clear FILE:LINE error) and random damage to the shipped file.
 *
 * The broker's part, end to end through tests/fixture-town.c on a manual clock: ticket.tell
 * logs `tell` and publishes the message on topic "message" (the event is in the log when
 * the message arrives; both with the name masked), in the customer's language (lang at intake, by ticket.edit); its
 * refusals; the delay message the broker sends itself once per slip in a tell_on_slip
 * region and never in another; the gateway command (a script writing its environment to a
 * file) and its exit status as `told` or `tell_failed`. */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "broker.h"
#include "proto.h"
#include "rng.h"
#include "tell.h"
#include "util.h"

#include "fixture-town.h"
#include "harness-broker.h"

#ifndef SOURCE_DATA_DIR
#error "compile with -DSOURCE_DATA_DIR=\"/path/to/data\""
#endif

static char base_dir[] = "/tmp/rd-check-tell-XXXXXX";

/* ---------------------------------------------------------------- the pure part */

static struct tell_set *
shipped(void)
{
	char *cause = NULL;
	struct tell_set *s = tell_set_load(SOURCE_DATA_DIR "/tell.ini", &cause);
	ck_assert_msg(s != NULL, "data/tell.ini: %s", cause);
	return s;
}

/* 2026-03-02 10:00 China time */
#define T0 1772416800000LL

static const struct tell_facts full = {
	.customer = "李四", .plate = "湘A·12345", .supplier = "湘江救援", .eta = T0 + 25 * 60000,
	.promised = T0 + 15 * 60000, .ticket = 59, .now = T0,
};

static const struct {
	const char *tpl;
	enum tell_lang lang;
	const char *want;
} render_table[] = {
	{ "eta", TELL_LANG_ZH, "【道路救援】李四您好，救援车湘A·12345（湘江救援）已出发，预计10:25到达，约25分钟。" },
	{ "eta", TELL_LANG_EN, "Roadside rescue: 李四, truck 湘A·12345 (湘江救援) is on its way and should arrive at 10:25, in about 25 min." },
	{ "delay", TELL_LANG_ZH, "【道路救援】李四您好，救援车湘A·12345因路况将晚到约10分钟，新的预计到达时间为10:25。" },
	{ "delay", TELL_LANG_EN, "Roadside rescue: 李四, truck 湘A·12345 is delayed by about 10 min; it should now arrive at 10:25." },
	{ "apology", TELL_LANG_ZH, "【道路救援】李四您好，很抱歉让您久等，我们正在全力安排救援，如有变化会及时通知您。" },
	{ "apology", TELL_LANG_EN, "Roadside rescue: 李四, we are sorry for the wait. We are doing all we can and will tell you of any change." },
	{ "arrived_soon", TELL_LANG_ZH, "【道路救援】李四您好，救援车湘A·12345即将到达，请在安全处等候，注意开启双闪。" },
	{ "arrived_soon", TELL_LANG_EN, "Roadside rescue: 李四, truck 湘A·12345 is almost there. Please wait somewhere safe with your hazard lights on." },
};

START_TEST(test_render_table)
{
	struct tell_set *s = shipped();
	char out[TELL_TEXT_MAX + 1];
	enum tell_param miss = TELL_P_COUNT;

	const struct tell_template *t = tell_find(s, render_table[_i].tpl);
	ck_assert_ptr_nonnull(t);
	ck_assert_int_eq(tell_render(t, render_table[_i].lang, &full, out, &miss), TELL_OK);
	ck_assert_str_eq(out, render_table[_i].want);
	tell_set_free(s);
}
END_TEST

/* A parameter the ticket has not: the template is not rendered and the parameter named. */
START_TEST(test_render_missing)
{
	struct tell_set *s = shipped();
	char out[TELL_TEXT_MAX + 1];
	enum tell_param miss = TELL_P_COUNT;
	struct tell_facts f = full;

	f.plate = NULL;
	ck_assert_int_eq(tell_render(tell_find(s, "eta"), TELL_LANG_ZH, &f, out, &miss),
	    TELL_E_MISSING);
	ck_assert_int_eq(miss, TELL_P_PLATE);
	ck_assert_str_eq(out, "");
	f = full;
	f.eta = 0;
	ck_assert_int_eq(tell_render(tell_find(s, "delay"), TELL_LANG_EN, &f, out, &miss),
	    TELL_E_MISSING);
	ck_assert_int_eq(miss, TELL_P_ETA);
	/* the apology names only the customer */
	f = (struct tell_facts){ .customer = "Li", .now = T0 };
	ck_assert_int_eq(tell_render(tell_find(s, "apology"), TELL_LANG_EN, &f, out, &miss),
	    TELL_OK);
	/* not late: 0 minutes; an ETA passed: at least 1 minute left */
	f = full;
	f.eta = f.promised - 60000;
	f.now = f.eta + 5000;
	ck_assert_int_eq(tell_render(tell_find(s, "delay"), TELL_LANG_EN, &f, out, &miss),
	    TELL_OK);
	ck_assert_msg(strstr(out, "about 0 min") != NULL, "%s", out);
	ck_assert_int_eq(tell_render(tell_find(s, "eta"), TELL_LANG_EN, &f, out, &miss),
	    TELL_OK);
	ck_assert_msg(strstr(out, "in about 1 min") != NULL, "%s", out);
	ck_assert_ptr_null(tell_find(s, "nope"));
	ck_assert_int_eq(tell_render(NULL, TELL_LANG_EN, &f, out, &miss), TELL_E_UNKNOWN);
	tell_set_free(s);
}
END_TEST

/* Every byte valid UTF-8 and no control character (C0, DEL, C1, U+2028/9). */
static void
assert_safe(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	ck_assert_uint_le(strlen(s), TELL_TEXT_MAX);
	while (*p) {
		ck_assert_msg(*p >= 0x20 && *p != 0x7f, "control byte 0x%02x in '%s'", *p, s);
		size_t n = *p < 0x80 ? 1 : *p >= 0xf0 ? 4 : *p >= 0xe0 ? 3 : 2;
		ck_assert_msg(*p < 0x80 || *p >= 0xc2, "bad lead byte in '%s'", s);
		for (size_t i = 1; i < n; i++)
			ck_assert_msg((p[i] & 0xc0) == 0x80, "cut sequence in '%s'", s);
		ck_assert_msg(!(n == 2 && p[0] == 0xc2 && p[1] < 0xa0), "C1 control in '%s'", s);
		ck_assert_msg(!(n == 3 && p[0] == 0xe2 && p[1] == 0x80 && (p[2] == 0xa8 ||
		    p[2] == 0xa9)), "line separator in '%s'", s);
		p += n;
	}
}

START_TEST(test_render_hostile)
{
	struct tell_set *s = shipped();
	char out[TELL_TEXT_MAX + 1], big[400] = "";
	enum tell_param miss;
	struct tell_facts f = full;

	/* controls of every kind, and a broken sequence */
	f.customer = "a\nb\r\x1b[31m\x7f\xc2\x85\xe2\x80\xa8\xff\xe6\x9d";
	ck_assert_int_eq(tell_render(tell_find(s, "eta"), TELL_LANG_EN, &f, out, &miss),
	    TELL_OK);
	assert_safe(out);
	ck_assert_msg(strstr(out, "a b  [31m") != NULL, "%s", out);
	/* a long CJK value is cut to TELL_VALUE_MAX bytes between characters */
	for (int i = 0; i < 100; i++)
		strcat(big, "张");
	f = full;
	f.customer = big;
	f.supplier = big;
	ck_assert_int_eq(tell_render(tell_find(s, "eta"), TELL_LANG_ZH, &f, out, &miss),
	    TELL_OK);
	assert_safe(out);
	ck_assert_msg(strstr(out, "【道路救援】张张") == out, "%s", out);
	/* 21 characters of 3 bytes fit in 64 */
	ck_assert_msg(strstr(out, "张您好") != NULL && strstr(out, "张张张张张张张张张张张张张张张张张张张张张张") == NULL,
	    "%s", out);
	tell_set_free(s);
}
END_TEST

/* A file in the test's directory with text; its path into path. */
static void
write_ini(const char *text, char *path, size_t n)
{
	static int seq;
	snprintf(path, n, "%s/tell-%d-%d.ini", base_dir, (int)getpid(), seq++);
	FILE *f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

#define REQUIRED_REST                                                  \
	"[template]\nid = delay\nzh = 晚{late}\nen = late {late}\n"        \
	"[template]\nid = apology\nzh = 抱歉\nen = sorry\n"                \
	"[template]\nid = arrived_soon\nzh = 到\nen = here\n"

/* A template of 9 values of 64 bytes: longer than a message may be. */
START_TEST(test_render_bound)
{
	char path[256], *cause = NULL, out[TELL_TEXT_MAX + 1], big[200] = "";
	enum tell_param miss;

	write_ini("[template]\nid = eta\nzh = 前{customer}{customer}{customer}{customer}"
	    "{customer}{customer}{customer}{customer}{customer}后\nen = {eta}\n" REQUIRED_REST,
	    path, sizeof path);
	struct tell_set *s = tell_set_load(path, &cause);
	ck_assert_msg(s != NULL, "%s", cause);
	for (int i = 0; i < 60; i++)
		strcat(big, "长");
	struct tell_facts f = full;
	f.customer = big;
	ck_assert_int_eq(tell_render(tell_find(s, "eta"), TELL_LANG_ZH, &f, out, &miss),
	    TELL_OK);
	assert_safe(out);
	/* 480 bytes: "前" and 159 of 3 bytes, cut before the last */
	ck_assert_uint_eq(strlen(out), 480);
	ck_assert_msg(strstr(out, "后") == NULL, "%s", out);
	tell_set_free(s);
}
END_TEST

static const struct {
	const char *text;
	const char *error; /* a part of the cause */
} bad_files[] = {
	{ "[template]\nid = eta\nzh = {foo}\nen = x\n" REQUIRED_REST, ":3: unknown parameter {foo}" },
	{ "[template]\nid = eta\nzh = {eta\nen = x\n" REQUIRED_REST, ":3: unbalanced '{'" },
	{ "[template]\nid = eta\nzh = eta}\nen = x\n" REQUIRED_REST, ":3: unbalanced '}'" },
	{ "[template]\nid = eta\nzh = a\n" REQUIRED_REST, ":1: [template] without en" },
	{ "[template]\nzh = a\nen = b\n" REQUIRED_REST, ":1: [template] without id" },
	{ "[template]\nid = eta\nzh = a\nen = b\nfr = c\n" REQUIRED_REST, ":5: unknown key fr" },
	{ "[template]\nid = eta\nzh = a\nzh = b\nen = c\n" REQUIRED_REST, ":4: repeated key zh" },
	{ "[template]\nid = Eta!\nzh = a\nen = b\n" REQUIRED_REST, ":2: bad id 'Eta!'" },
	{ "[template]\nid = apology\nzh = a\nen = b\n" REQUIRED_REST, "duplicate id apology" },
	{ "[message]\nid = eta\n", ":1: unknown section [message]" },
	{ "id = eta\n", ":1: key id outside a [template]" },
	{ REQUIRED_REST, "no template eta" },
	{ "[template]\nid = eta\nzh = a\nen = \n" REQUIRED_REST, ":4: empty text" },
	{ "[template]\nid = eta\nzh = a\tb\nen = c\n" REQUIRED_REST, ":3: control character" },
	{ "[template\nid = eta\n", ":1: " },
};

START_TEST(test_load_bad)
{
	char path[256], *cause = NULL;

	write_ini(bad_files[_i].text, path, sizeof path);
	ck_assert_ptr_null(tell_set_load(path, &cause));
	ck_assert_ptr_nonnull(cause);
	ck_assert_msg(strncmp(cause, path, strlen(path)) == 0, "'%s' does not name the file",
	    cause);
	ck_assert_msg(strstr(cause, bad_files[_i].error) != NULL, "'%s' lacks '%s'", cause,
	    bad_files[_i].error);
	free(cause);
}
END_TEST

START_TEST(test_load_missing_file)
{
	char *cause = NULL;

	ck_assert_ptr_null(tell_set_load("/nonexistent/tell.ini", &cause));
	ck_assert_ptr_nonnull(cause);
	free(cause);
}
END_TEST

/* The shipped file damaged at random: a load gives a set that renders safely, or a cause. */
START_TEST(test_load_damaged)
{
	char good[8192], bad[8192], path[256], out[TELL_TEXT_MAX + 1];
	FILE *f = fopen(SOURCE_DATA_DIR "/tell.ini", "r");
	struct rng r;
	enum tell_param miss;

	ck_assert_ptr_nonnull(f);
	size_t n = fread(good, 1, sizeof good - 1, f);
	fclose(f);
	good[n] = '\0';
	rng_seed(&r, 13, 0);
	for (int round = 0; round < 300; round++) {
		memcpy(bad, good, n + 1);
		for (int k = 0; k < 1 + (int)rng_below(&r, 4); k++) {
			size_t at = rng_below(&r, (uint32_t)n);
			static const char pick[] = "{}[]=\n\t;#x\xe6\x80";
			bad[at] = rng_below(&r, 2) ? pick[rng_below(&r, sizeof pick - 1)] :
			    (char)(1 + rng_below(&r, 255));
		}
		write_ini(bad, path, sizeof path);
		char *cause = NULL;
		struct tell_set *s = tell_set_load(path, &cause);
		if (s == NULL) {
			ck_assert_ptr_nonnull(cause);
			free(cause);
			continue;
		}
		for (size_t i = 0; i < s->n; i++)
			for (int l = 0; l < TELL_LANG_COUNT; l++)
				if (tell_render(&s->t[i], (enum tell_lang)l, &full, out, &miss) == TELL_OK)
					assert_safe(out);
		tell_set_free(s);
	}
}
END_TEST

/* The topic "message" round trip: its own head, like a heartbeat's. */
START_TEST(test_message_topic)
{
	struct proto_message m = { .v = 1, .epoch = 3, .seq = 7, .ts = T0, .ticket = 59,
		.present = PROTO_ALL };
	struct proto_buf b;
	struct proto_pub p;
	struct proto_error err;

	PROTO_STRSET(m.lang, "en");
	PROTO_STRSET(m.template, "delay");
	PROTO_STRSET(m.text, "late");
	ck_assert_str_eq(proto_topic_name(PROTO_MSG_message), "message");
	ck_assert_int_eq(proto_topic_lookup("message", 7), PROTO_TOPIC_MESSAGE);
	proto_buf_init(&b);
	proto_encode_pub(&b, PROTO_MSG_message, 0, 0, 0, &m);
	ck_assert_int_eq(proto_decode_pub("message", 7, b.data, b.len, &p, &err), 0);
	ck_assert_int_eq(p.topic, PROTO_TOPIC_MESSAGE);
	ck_assert_int_eq(p.epoch, 3);
	ck_assert_int_eq(p.seq, 7);
	ck_assert_int_eq(p.u.message.ticket, 59);
	ck_assert_str_eq(p.u.message.text, "late");
	/* a version other than 1 is refused */
	m.v = 2;
	proto_buf_reset(&b);
	proto_encode_pub(&b, PROTO_MSG_message, 0, 0, 0, &m);
	ck_assert_int_eq(proto_decode_pub("message", 7, b.data, b.len, &p, &err), -1);
	proto_buf_finish(&b);
}
END_TEST

START_TEST(test_lang)
{
	ck_assert_int_eq(tell_lang_parse(NULL), TELL_LANG_ZH);
	ck_assert_int_eq(tell_lang_parse(""), TELL_LANG_ZH);
	ck_assert_int_eq(tell_lang_parse("zh"), TELL_LANG_ZH);
	ck_assert_int_eq(tell_lang_parse("en"), TELL_LANG_EN);
	ck_assert_int_eq(tell_lang_parse("fr"), -1);
	ck_assert_str_eq(tell_lang_name(TELL_LANG_EN), "en");
	ck_assert_str_eq(tell_param_name(TELL_P_SUPPLIER), "supplier");
}
END_TEST

/* ---------------------------------------------------------------- the broker */

static char script_out[256];

/* The town with tell.ini, tell_on_slip as asked in the town, and a gateway command. */
static void
start_town(bool slip, const char *command)
{
	char from[512], to[512], buf[16384];

	town_setup(base_dir, "CHECK_TELL_LOG", "tell");
	snprintf(from, sizeof from, "%s/tell.ini", SOURCE_DATA_DIR);
	snprintf(to, sizeof to, "%s/tell.ini", town_data_dir());
	FILE *f = fopen(from, "r");
	ck_assert_ptr_nonnull(f);
	size_t n = fread(buf, 1, sizeof buf, f);
	fclose(f);
	f = fopen(to, "w");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(buf, 1, n, f), n);
	fclose(f);
	if (slip) {
		/* tell_on_slip = 1 in the town's [region] */
		snprintf(to, sizeof to, "%s/regions/town.ini", town_data_dir());
		f = fopen(to, "r");
		ck_assert_ptr_nonnull(f);
		n = fread(buf, 1, sizeof buf - 1, f);
		fclose(f);
		buf[n] = '\0';
		char *at = strstr(buf, "auto_dispatch = 1\n");
		ck_assert_ptr_nonnull(at);
		at += strlen("auto_dispatch = 1\n");
		f = fopen(to, "w");
		fwrite(buf, 1, (size_t)(at - buf), f);
		fputs("tell_on_slip = 1\n", f);
		fputs(at, f);
		fclose(f);
	}
	town_broker.o.tell_command = command;
	town_restart();
}

static void
setup(void)
{
	start_town(false, NULL);
}

static void
setup_slip(void)
{
	start_town(true, NULL);
}

/* Environment to the file named by the ticket; exit 3 for ticket 2, 3 s late for 3. */
static char command[1024];

static void
setup_command(void)
{
	snprintf(script_out, sizeof script_out, "%s/env", base_dir);
	snprintf(command, sizeof command,
	    "env | grep '^RD_TELL_' | sort > '%s'.$RD_TELL_TICKET.tmp && "
	    "mv '%s'.$RD_TELL_TICKET.tmp '%s'.$RD_TELL_TICKET; "
	    "[ \"$RD_TELL_TICKET\" = 3 ] && sleep 3; "
	    "[ \"$RD_TELL_TICKET\" = 2 ] && exit 3; exit 0", script_out, script_out, script_out);
	start_town(false, command);
}

static struct proto_ticket_tell
tell_args(int64_t id, const char *tpl)
{
	struct proto_ticket_tell a = { .id = id, .present = PROTO_ALL };
	PROTO_STRSET(a.template, tpl);
	return a;
}

/* A town ticket (lang as given; NULL: none) accepted by van A1 with an ETA of eta_s. */
static struct proto_ticket
accepted(const char *lang, int64_t eta_s)
{
	struct proto_intake_create a = { .lat = TOWN_LAT, .lon = TOWN_LON, .present = 0 };
	PROTO_STRSET(a.customer, "李四");
	PROTO_STRSET(a.phone, "13800138000");
	PROTO_STRSET(a.plate, "湘A·54321");
	PROTO_STRSET(a.address, "test road");
	PROTO_STRSET(a.fault, "battery");
	PROTO_STRSET(a.region, "town");
	if (lang != NULL) {
		PROTO_STRSET(a.lang, lang);
		PROTO_SET(&a, intake_create, lang);
	}
	struct proto_ticket t = town_ok_as("agent7", PROTO_MSG_intake_create, &a);
	ck_assert_str_eq(t.truck, "A1");
	struct proto_offer_accept acc = town_accept_args(t.id, "A1", eta_s);
	return town_ok_as("alpha-desk", PROTO_MSG_offer_accept, &acc);
}

/* How many events of ticket id have kind; the last one's into *e. */
static int
events_of(int64_t id, const char *kind, struct proto_event *e)
{
	struct proto_reply r;
	int n = 0;

	town_get_ticket(id, &r);
	for (size_t i = 0; i < r.n_events; i++)
		if (strcmp(r.events[i].kind, kind) == 0) {
			n++;
			if (e != NULL)
				*e = r.events[i];
		}
	proto_reply_finish(&r);
	return n;
}

static void
fail_reason(const struct proto_ticket_tell *a, enum proto_err code, const char *reason,
    struct proto_error_params *e)
{
	struct proto_reply r;

	town_call_as("agent7", PROTO_MSG_ticket_tell, a, &r);
	ck_assert_msg(!r.ok, "ticket.tell %s accepted", a->template);
	ck_assert_int_eq(r.error.code, code);
	ck_assert_str_eq(r.error.params.reason, reason);
	if (e != NULL)
		*e = r.error.params;
	proto_reply_finish(&r);
}

/* The message is published after its event is in the log, with the customer's words and
 * the customer's name masked, as in the event (only the gateway's command gets it whole). */
START_TEST(test_tell_logged_then_published)
{
	struct proto_pub p;
	struct proto_event e;

	town_van("A1", "alpha", 1);
	struct proto_ticket t = accepted(NULL, 300);
	struct proto_ticket_tell a = tell_args(t.id, "eta");
	struct proto_ticket u = town_ok_as("agent7", PROTO_MSG_ticket_tell, &a);
	ck_assert_int_eq(u.id, t.id);
	town_expect(&p, (struct town_want){ .topic = PROTO_TOPIC_MESSAGE, .ticket = t.id,
	    .state = "eta" }, "message");
	/* in the log already when it arrives */
	ck_assert_int_eq(events_of(t.id, "tell", &e), 1);
	ck_assert_str_eq(p.u.message.lang, "zh");
	ck_assert_str_eq(p.u.message.text,
	    "【道路救援】李*您好，救援车A1（Alpha Rescue）已出发，预计10:05到达，约5分钟。");
	ck_assert_int_eq(p.u.message.seq, 1);
	ck_assert_str_eq(e.user, "agent7");
	ck_assert_str_eq(e.code, "tell");
	ck_assert_str_eq(e.params.template, "eta");
	ck_assert_str_eq(e.params.lang, "zh");
	/* the history, which clients read, has the name masked (PROTOCOL.md 8.1) */
	ck_assert_str_eq(e.params.text,
	    "【道路救援】李*您好，救援车A1（Alpha Rescue）已出发，预计10:05到达，约5分钟。");
	ck_assert_msg(strstr(e.detail, "told the customer (eta, zh): 【道路救援】") == e.detail,
	    "%s", e.detail);
	/* no gateway command: nothing more */
	town_step(1000);
	ck_assert_int_eq(events_of(t.id, "told", NULL), 0);
}
END_TEST

/* lang at intake and by ticket.edit chooses the words. */
START_TEST(test_tell_language)
{
	struct proto_pub p;

	town_van("A1", "alpha", 1);
	struct proto_ticket t = accepted("en", 600);
	ck_assert_str_eq(t.lang, "en");
	struct proto_ticket_tell a = tell_args(t.id, "delay");
	town_ok_as("agent7", PROTO_MSG_ticket_tell, &a);
	town_expect(&p, (struct town_want){ .topic = PROTO_TOPIC_MESSAGE, .ticket = t.id },
	    "message");
	ck_assert_str_eq(p.u.message.lang, "en");
	ck_assert_str_eq(p.u.message.text, "Roadside rescue: 李*, truck A1 is delayed by about 0 "
	    "min; it should now arrive at 10:10.");

	struct proto_ticket_edit ed = { .id = t.id, .present = 0 };
	PROTO_STRSET(ed.lang, "zh");
	PROTO_SET(&ed, ticket_edit, lang);
	struct proto_ticket u = town_ok_as("agent7", PROTO_MSG_ticket_edit, &ed);
	ck_assert_str_eq(u.lang, "zh");
	struct proto_event e;
	ck_assert_int_eq(events_of(t.id, "edit", &e), 1);
	ck_assert_str_eq(e.params.field, "lang");
	ck_assert_str_eq(e.params.old, "en");
	ck_assert_str_eq(e.params.value, "zh");
	a = tell_args(t.id, "apology");
	town_ok_as("agent7", PROTO_MSG_ticket_tell, &a);
	town_expect(&p, (struct town_want){ .topic = PROTO_TOPIC_MESSAGE, .ticket = t.id,
	    .state = "apology" }, "message");
	ck_assert_str_eq(p.u.message.lang, "zh");
	ck_assert_int_eq(p.u.message.seq, 2);

	/* a language that is not one */
	PROTO_STRSET(ed.lang, "fr");
	struct proto_reply r;
	town_call_as("agent7", PROTO_MSG_ticket_edit, &ed, &r);
	ck_assert(!r.ok);
	ck_assert_int_eq(r.error.code, PROTO_E_BAD_REQUEST);
	ck_assert_str_eq(r.error.field, "lang");
	ck_assert_str_eq(r.error.params.reason, "unknown_lang");
	proto_reply_finish(&r);
}
END_TEST

START_TEST(test_tell_refusals)
{
	struct proto_error_params e;

	struct proto_ticket t = town_create("town", "battery", TOWN_LAT, TOWN_LON);
	struct proto_ticket_tell a = tell_args(t.id, "eta");
	/* no truck yet: no plate */
	fail_reason(&a, PROTO_E_INVALID_STATE, "missing_param", &e);
	ck_assert_str_eq(e.name, "plate");
	a = tell_args(t.id, "sms");
	fail_reason(&a, PROTO_E_NOT_FOUND, "unknown_template", &e);
	ck_assert_str_eq(e.template, "sms");
	/* the same template twice within 60 s; another one is fine */
	a = tell_args(t.id, "apology");
	town_ok_as("agent7", PROTO_MSG_ticket_tell, &a);
	fail_reason(&a, PROTO_E_INVALID_STATE, "too_soon", &e);
	ck_assert_int_eq(e.at, town_broker.now + 60000);
	town_step(59000);
	fail_reason(&a, PROTO_E_INVALID_STATE, "too_soon", NULL);
	town_step(1000);
	town_ok_as("agent7", PROTO_MSG_ticket_tell, &a);
	ck_assert_int_eq(events_of(t.id, "tell", NULL), 2);
	/* closed */
	struct proto_ticket_cancel c = { .id = t.id, .present = PROTO_ALL };
	PROTO_STRSET(c.reason, "test");
	town_ok_as("agent7", PROTO_MSG_ticket_cancel, &c);
	a = tell_args(t.id, "arrived_soon");
	fail_reason(&a, PROTO_E_INVALID_STATE, "ticket_closed", NULL);
	a = tell_args(999, "apology");
	struct proto_reply r;
	town_call_as("agent7", PROTO_MSG_ticket_tell, &a, &r);
	ck_assert(!r.ok);
	ck_assert_int_eq(r.error.code, PROTO_E_NOT_FOUND);
	proto_reply_finish(&r);
}
END_TEST

/* Intake refuses a language that is not one; the ticket without lang has none. */
START_TEST(test_intake_lang)
{
	struct proto_intake_create a = { .lat = TOWN_LAT, .lon = TOWN_LON, .present = 0 };
	PROTO_STRSET(a.customer, "Li");
	PROTO_STRSET(a.phone, "13800138000");
	PROTO_STRSET(a.plate, "A1");
	PROTO_STRSET(a.address, "road");
	PROTO_STRSET(a.fault, "battery");
	PROTO_STRSET(a.region, "town");
	PROTO_STRSET(a.lang, "de");
	PROTO_SET(&a, intake_create, lang);
	struct proto_reply r;
	town_call_as("agent7", PROTO_MSG_intake_create, &a, &r);
	ck_assert(!r.ok);
	ck_assert_str_eq(r.error.field, "lang");
	proto_reply_finish(&r);
	/* "" is the default, as absent: a client that sends every key is not refused */
	PROTO_STRSET(a.lang, "");
	struct proto_ticket t = town_ok_as("agent7", PROTO_MSG_intake_create, &a);
	ck_assert(!PROTO_HAS(&t, ticket, lang));
	t = town_create("town", "battery", TOWN_LAT, TOWN_LON);
	ck_assert(!PROTO_HAS(&t, ticket, lang));
}
END_TEST

/* Step broker time until the promise passes and overdue is raised. */
static void
past_promise(const struct proto_ticket *t)
{
	while (town_broker.now <= t->promised + 60000)
		town_step(30000);
}

/* A slip in a tell_on_slip region: the broker tells delay itself, once. */
START_TEST(test_slip_tells_once)
{
	struct proto_pub p;
	struct proto_event e;

	town_van("A1", "alpha", 1);
	/* promised in 60 min; the supplier says 90 */
	struct proto_ticket t = accepted("en", 90 * 60);
	town_step(1000);
	town_expect(&p, (struct town_want){ .topic = PROTO_TOPIC_WARNING, .ticket = t.id,
	    .state = "eta_late", .cleared = 0 }, "eta_late");
	ck_assert_str_eq(p.u.warning.level, "red");
	town_expect(&p, (struct town_want){ .topic = PROTO_TOPIC_MESSAGE, .ticket = t.id,
	    .state = "delay" }, "delay message");
	ck_assert_str_eq(p.u.message.text, "Roadside rescue: 李*, truck A1 is delayed by about "
	    "30 min; it should now arrive at 11:30.");
	ck_assert_int_eq(events_of(t.id, "tell", &e), 1);
	ck_assert_str_eq(e.user, "broker");
	ck_assert_str_eq(e.params.template, "delay");
	/* overdue later in the same slip: no second message */
	past_promise(&t);
	town_expect(&p, (struct town_want){ .topic = PROTO_TOPIC_WARNING, .ticket = t.id,
	    .state = "overdue", .cleared = 0 }, "overdue");
	town_step(1000);
	ck_assert_int_eq(events_of(t.id, "tell", NULL), 1);
}
END_TEST

/* The same slip in a region without the policy: nobody is told. */
START_TEST(test_slip_not_without_policy)
{
	struct proto_pub p;

	town_van("A1", "alpha", 1);
	struct proto_ticket t = accepted(NULL, 90 * 60);
	town_step(1000);
	town_expect(&p, (struct town_want){ .topic = PROTO_TOPIC_WARNING, .ticket = t.id,
	    .state = "eta_late", .cleared = 0 }, "eta_late");
	past_promise(&t);
	town_expect(&p, (struct town_want){ .topic = PROTO_TOPIC_WARNING, .ticket = t.id,
	    .state = "overdue", .cleared = 0 }, "overdue");
	town_step(1000);
	ck_assert_int_eq(events_of(t.id, "tell", NULL), 0);
}
END_TEST

/* Wait (stepping broker time by 0, which reaps) for an event of kind on ticket id. */
static void
wait_event(int64_t id, const char *kind, struct proto_event *e)
{
	int64_t until = rd_mono_ms() + HARNESS_BROKER_WAIT_MS;

	while (events_of(id, kind, e) == 0) {
		ck_assert_msg(rd_mono_ms() < until, "no %s event", kind);
		town_step(0);
		harness_broker_wait_in(town_broker.sub, rd_mono_ms() + 10);
	}
}

static void
read_file(const char *path, char *out, size_t n)
{
	FILE *f = fopen(path, "r");
	ck_assert_msg(f != NULL, "no %s", path);
	size_t got = fread(out, 1, n - 1, f);
	out[got] = '\0';
	fclose(f);
}

/* The gateway command runs with the message in its environment; its exit status is
 * logged: told for 0, tell_failed otherwise. */
START_TEST(test_command)
{
	struct proto_event e;
	char path[300], env[2048], want[1024];

	town_van("A1", "alpha", 1);
	struct proto_ticket t = accepted(NULL, 300);
	struct proto_ticket_tell a = tell_args(t.id, "apology");
	town_ok_as("agent7", PROTO_MSG_ticket_tell, &a);
	wait_event(t.id, "told", &e);
	ck_assert_str_eq(e.code, "told");
	ck_assert_str_eq(e.user, "broker");
	ck_assert_str_eq(e.params.template, "apology");
	snprintf(path, sizeof path, "%s.%lld", script_out, (long long)t.id);
	read_file(path, env, sizeof env);
	snprintf(want, sizeof want, "RD_TELL_LANG=zh\nRD_TELL_PHONE=13800138000\n"
	    "RD_TELL_TEMPLATE=apology\nRD_TELL_TEXT=%s\nRD_TELL_TICKET=%lld\n",
	    "【道路救援】李四您好，很抱歉让您久等，我们正在全力安排救援，如有变化会及时通知您。",
	    (long long)t.id);
	ck_assert_str_eq(env, want);

	/* ticket 2: the command exits 3 */
	struct proto_ticket t2 = town_create("town", "battery", TOWN_LAT + 0.01, TOWN_LON);
	ck_assert_int_eq(t2.id, 2);
	a = tell_args(t2.id, "apology");
	town_ok_as("agent7", PROTO_MSG_ticket_tell, &a);
	wait_event(t2.id, "tell_failed", &e);
	ck_assert_str_eq(e.code, "tell_failed");
	ck_assert_str_eq(e.params.status, "exit 3");
	ck_assert_int_eq(events_of(t2.id, "told", NULL), 0);
}
END_TEST

/* A slow gateway does not hold the loop: the command of ticket 3 sleeps 3 s, and the
 * broker answers meanwhile at once. */
START_TEST(test_command_not_blocking)
{
	struct proto_ticket t = { 0 };

	for (int i = 0; i < 3; i++)
		t = town_create("town", "battery", TOWN_LAT + 0.01 * i, TOWN_LON);
	ck_assert_int_eq(t.id, 3);
	struct proto_ticket_tell a = tell_args(t.id, "apology");
	int64_t t0 = rd_mono_ms();
	town_ok_as("agent7", PROTO_MSG_ticket_tell, &a);
	town_step(0); /* the command runs now */
	int64_t t1 = rd_mono_ms();
	ck_assert_int_eq(events_of(t.id, "tell", NULL), 1);
	ck_assert_int_eq(events_of(t.id, "told", NULL), 0); /* still sleeping */
	int64_t t2 = rd_mono_ms();
	printf("ticket.tell and a step: %lld ms; ticket.get while the gateway runs: %lld ms\n",
	    (long long)(t1 - t0), (long long)(t2 - t1));
	ck_assert_int_lt(t2 - t0, 1500);
}
END_TEST

/* A hung gateway: 16 commands run, the queue holds at most 256 messages in all, and one
 * more is refused at once (tell_failed, status queue), so the queue never grows without
 * end. The commands sleep past the test, their output to /dev/null. */
static void
setup_queue(void)
{
	start_town(false, "exec sleep 30 >/dev/null 2>&1");
}

START_TEST(test_queue_bounded)
{
	static const char *const tpls[] = { "eta", "delay", "apology", "arrived_soon" };
	struct proto_event e;
	int told = 0;

	town_van("A1", "alpha", 1);
	struct proto_ticket t = accepted(NULL, 3000);	/* late: every template renders */
	while (told < 257) {
		for (size_t i = 0; i < ARRAY_LEN(tpls) && told < 257; i++, told++) {
			struct proto_ticket_tell a = tell_args(t.id, tpls[i]);
			town_ok_as("agent7", PROTO_MSG_ticket_tell, &a);
		}
		town_step(61000);	/* past the same template's 60 s */
	}
	ck_assert_int_eq(events_of(t.id, "tell", NULL), 257);
	ck_assert_int_eq(events_of(t.id, "tell_failed", &e), 1);
	ck_assert_str_eq(e.params.status, "queue");
	ck_assert_int_eq(events_of(t.id, "told", NULL), 0);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("tell");
	TCase *pure = tcase_create("pure");

	tcase_add_loop_test(pure, test_render_table, 0, (int)ARRAY_LEN(render_table));
	tcase_add_test(pure, test_render_missing);
	tcase_add_test(pure, test_render_hostile);
	tcase_add_test(pure, test_render_bound);
	tcase_add_loop_test(pure, test_load_bad, 0, (int)ARRAY_LEN(bad_files));
	tcase_add_test(pure, test_load_missing_file);
	tcase_add_test(pure, test_load_damaged);
	tcase_add_test(pure, test_lang);
	tcase_add_test(pure, test_message_topic);
	suite_add_tcase(s, pure);

	TCase *tc = harness_broker_tcase(s, "broker", setup, town_teardown);
	tcase_add_test(tc, test_tell_logged_then_published);
	tcase_add_test(tc, test_tell_language);
	tcase_add_test(tc, test_tell_refusals);
	tcase_add_test(tc, test_intake_lang);
	tcase_add_test(tc, test_slip_not_without_policy);
	TCase *slip = harness_broker_tcase(s, "slip", setup_slip, town_teardown);
	tcase_add_test(slip, test_slip_tells_once);
	TCase *cmd = harness_broker_tcase(s, "command", setup_command, town_teardown);
	tcase_add_test(cmd, test_command);
	tcase_add_test(cmd, test_command_not_blocking);
	TCase *queue = harness_broker_tcase(s, "queue", setup_queue, town_teardown);
	tcase_add_test(queue, test_queue_bounded);
	return harness_broker_main(s, base_dir);
}
