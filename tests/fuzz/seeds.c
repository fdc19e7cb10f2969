/* seeds.c: writes the seed corpora of the wire decoders' fuzz targets from the message table
 * (proto/msg.def), so that every decoder starts from each shape it can take and the new keys
 * of a shape are seeded the day they are added: run
 *     build-fuzz/tests/fuzz/seeds tests/fuzz/corpus
 * after a change to msg.def and commit what changed. It writes into the corpus directory:
 *   request/  one request of every op, every key present, and one with the required keys
 *   reply/    one successful reply of every op in the shape proto_decode_reply reads for it
 *             (supplier.jobs with trucks, tickets, jobs and gone; stats.report with a header
 *             and rows of every cell type, names included; stats.kpi with surveys; ...) and
 *             failed replies with params (not_leader naming the leader, every param key)
 *   feed/     each feed message
 *   pub/      each topic's published body, behind the byte fuzz-pub reads the topic's length
 *             from, then the topic
 *   msg/      every message of the table behind the byte fuzz-msg picks it by
 * Not a test and not a fuzz target (its name does not start with fuzz-): a tool. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "proto.h"
#include "util.h"

static const char *root;

/* Fill message m: every key present (or only the required ones), strings of short plain
 * UTF-8, integers and numbers inside their ranges, the protocol version where it is one. */
static void
fill(enum proto_msg_id m, void *msg, bool all)
{
	static const char *const words[] = { "张三", "tcp://10.0.0.2:5555", "a b", "é" };
	const struct proto_desc *d = &proto_descs[m];
	char *base = msg;
	uint64_t present = all ? PROTO_ALL : 0;

	memset(msg, 0, d->size);
	for (size_t i = 0; i < d->n_fields; i++) {
		const struct proto_field *f = &d->fields[i];
		char *p = base + f->offset;
		switch (f->type) {
		case PT_STR:
			proto_strset(p, f->size, words[i % ARRAY_LEN(words)]);
			break;
		case PT_I64: {
			int64_t v = strcmp(f->name, "v") == 0 ? PROTO_VERSION :
			    (int64_t)(f->min + (f->max - f->min) / 3);
			memcpy(p, &v, sizeof v);
			break;
		}
		case PT_F64: {
			double v = f->min + (f->max - f->min) * 0.25;
			memcpy(p, &v, sizeof v);
			break;
		}
		case PT_BOOL:
			*(bool *)p = i % 2 == 1;
			break;
		case PT_OBJ:
			fill((enum proto_msg_id)f->sub, p, all);
			break;
		}
	}
	memcpy(base + d->present_off, &present, sizeof present);
}

/* Whether the seed (lead, then b) decodes as the target of dir reads it: a seed the decoder
 * refuses would only seed its refusals. */
static bool
decodes(const char *dir, const uint8_t *lead, size_t n, const struct proto_buf *b)
{
	static union {
		struct proto_request req;
		struct proto_feed feed;
		struct proto_pub pub;
		union proto_any any;
	} u;
	struct proto_reply r;
	struct proto_error err;

	if (strcmp(dir, "request") == 0)
		return proto_decode_request(b->data, b->len, &u.req, &err) == 0;
	if (strcmp(dir, "feed") == 0)
		return proto_decode_feed(b->data, b->len, &u.feed, &err) == 0;
	if (strcmp(dir, "pub") == 0)
		return proto_decode_pub(lead + 1, n - 1, b->data, b->len, &u.pub, &err) == 0;
	if (strcmp(dir, "msg") == 0)
		return proto_decode_msg(b->data, b->len, (enum proto_msg_id)lead[0], &u.any,
		    &err) == 0;
	int rc = proto_decode_reply(b->data, b->len, &r, &err);
	proto_reply_finish(&r);
	return rc == 0;
}

/* Write lead (n bytes, may be 0) and b's bytes as root/dir/name, once it decodes. */
static void
put(const char *dir, const char *name, const uint8_t *lead, size_t n, const struct proto_buf *b)
{
	char path[512];
	FILE *f;

	if (!decodes(dir, lead, n, b)) {
		fprintf(stderr, "seeds: %s/%s does not decode\n", dir, name);
		exit(1);
	}

	snprintf(path, sizeof path, "%s/%s", root, dir);
	if (mkdir(path, 0755) < 0 && errno != EEXIST) {
		perror(path);
		exit(1);
	}
	snprintf(path, sizeof path, "%s/%s/%s", root, dir, name);
	if ((f = fopen(path, "wb")) == NULL || (n > 0 && fwrite(lead, 1, n, f) != n) ||
	    fwrite(b->data, 1, b->len, f) != b->len || fclose(f) != 0) {
		perror(path);
		exit(1);
	}
}

/* An array key of one filled m. */
static void
pack_one(struct proto_buf *b, const char *key, enum proto_msg_id m)
{
	union proto_any x;

	fill(m, &x, true);
	proto_pack_str(b, key);
	proto_pack_array(b, 1);
	proto_pack_obj(b, m, &x, 0);
}

/* The head message m filled, with extra keys to follow. */
static void
pack_head(struct proto_buf *b, enum proto_msg_id m, uint32_t extra)
{
	union proto_any x;

	fill(m, &x, true);
	proto_pack_obj(b, m, &x, extra);
}

/* stats.report's table: a name column (a supplier's name, text of any script), then an
 * integer, a number and a nil cell in each row. */
static void
pack_table(struct proto_buf *b)
{
	static const char *const names[] = { "长沙拖车", "Ningxiang Tow & Co", "" };

	proto_pack_str(b, "header");
	proto_pack_array(b, 4);
	proto_pack_str(b, "name");
	proto_pack_str(b, "calls");
	proto_pack_str(b, "rate");
	proto_pack_str(b, "median_s");
	proto_pack_str(b, "rows");
	proto_pack_array(b, ARRAY_LEN(names));
	for (size_t i = 0; i < ARRAY_LEN(names); i++) {
		proto_pack_array(b, 4);
		proto_pack_str(b, names[i]);
		proto_pack_i64(b, (int64_t)i * 7 - 1);
		proto_pack_f64(b, 0.25 * (double)i);
		proto_pack_nil(b);
	}
}

/* The result of op in the shape proto_decode_reply reads. */
static void
pack_result(struct proto_buf *b, enum proto_msg_id op)
{
	switch (op) {
	case PROTO_MSG_hello:
		pack_head(b, PROTO_MSG_hello_result, 0);
		break;
	case PROTO_MSG_snapshot:
		pack_head(b, PROTO_MSG_snapshot_part, PROTO_STREAM_COUNT);
		for (int s = 0; s < PROTO_STREAM_COUNT; s++)
			pack_one(b, proto_streams[s].array, (enum proto_msg_id)proto_streams[s].msg);
		break;
	case PROTO_MSG_ticket_get:
	case PROTO_MSG_dispatch_candidates:
		proto_pack_map(b, 2);
		proto_pack_str(b, "ticket");
		pack_head(b, PROTO_MSG_ticket, 0);
		if (op == PROTO_MSG_ticket_get)
			pack_one(b, "events", PROTO_MSG_event);
		else
			pack_one(b, "candidates", PROTO_MSG_candidate);
		break;
	case PROTO_MSG_ticket_track:
		pack_head(b, PROTO_MSG_track_result, 2);
		proto_pack_str(b, "ticket");
		pack_head(b, PROTO_MSG_ticket, 0);
		pack_one(b, "fixes", PROTO_MSG_track_fix);
		break;
	case PROTO_MSG_ticket_search:
		pack_head(b, PROTO_MSG_search_result, 1);
		pack_one(b, "tickets", PROTO_MSG_ticket);
		break;
	case PROTO_MSG_warning_ack:
	case PROTO_MSG_warning_release:
	case PROTO_MSG_presence:
		proto_pack_map(b, 1);
		pack_one(b, "warnings", PROTO_MSG_warning);
		break;
	case PROTO_MSG_stats_kpi:
		pack_head(b, PROTO_MSG_kpi, 1);
		pack_one(b, "surveys", PROTO_MSG_event);
		break;
	case PROTO_MSG_stats_board:
		pack_head(b, PROTO_MSG_board, 3);
		pack_one(b, "suppliers", PROTO_MSG_board_supplier);
		pack_one(b, "agents", PROTO_MSG_board_agent);
		pack_one(b, "hours", PROTO_MSG_board_hour);
		break;
	case PROTO_MSG_stats_report:
		pack_head(b, PROTO_MSG_report, 2);
		pack_table(b);
		break;
	case PROTO_MSG_supplier_jobs:
		pack_head(b, PROTO_MSG_sjobs, 4);
		pack_one(b, "trucks", PROTO_MSG_truck);
		pack_one(b, "tickets", PROTO_MSG_ticket);
		pack_one(b, "jobs", PROTO_MSG_job);
		pack_one(b, "gone", PROTO_MSG_gone);
		break;
	case PROTO_MSG_complaint_put:
		pack_head(b, PROTO_MSG_complaint_ack, 0);
		break;
	case PROTO_MSG_ticket_contact:
		pack_head(b, PROTO_MSG_contact_result, 0);
		break;
	case PROTO_MSG_complaint_get:
		proto_pack_map(b, 1);
		pack_one(b, "complaints", PROTO_MSG_complaint);
		break;
	default:
		/* every other op answers the ticket it changed */
		pack_head(b, PROTO_MSG_ticket, 0);
		break;
	}
}

int
main(int argc, char **argv)
{
	struct proto_buf b;
	union proto_any x;
	char name[96];

	if (argc != 2) {
		fprintf(stderr, "usage: %s CORPUS-DIR\n", argv[0]);
		return 2;
	}
	root = argv[1];
	proto_buf_init(&b);
	for (int m = 0; m < PROTO_MSG_COUNT; m++) {
		const struct proto_desc *d = &proto_descs[m];
		uint8_t pick = (uint8_t)m;

		fill((enum proto_msg_id)m, &x, true);
		proto_buf_reset(&b);
		proto_pack_obj(&b, (enum proto_msg_id)m, &x, 0);
		put("msg", d->name, &pick, 1, &b);
		if (d->kind == PROTO_KIND_REQUEST) {
			proto_buf_reset(&b);
			proto_encode_request(&b, (enum proto_msg_id)m, "seed-1", "agent1", &x);
			put("request", d->wire, NULL, 0, &b);
			fill((enum proto_msg_id)m, &x, false);
			proto_buf_reset(&b);
			proto_encode_request(&b, (enum proto_msg_id)m, "seed-2", NULL, &x);
			snprintf(name, sizeof name, "%s-required", d->wire);
			put("request", name, NULL, 0, &b);
			proto_buf_reset(&b);
			proto_encode_reply_ok(&b, "seed-1", d->wire);
			pack_result(&b, (enum proto_msg_id)m);
			put("reply", d->wire, NULL, 0, &b);
		} else if (d->kind == PROTO_KIND_FEED) {
			proto_buf_reset(&b);
			proto_encode_feed(&b, (enum proto_msg_id)m, &x);
			put("feed", d->wire, NULL, 0, &b);
		}
		const char *topic = proto_topic_name((enum proto_msg_id)m);
		if (topic[0] != '\0') {
			uint8_t lead[64];
			size_t tl = strlen(topic);

			lead[0] = (uint8_t)tl;
			memcpy(lead + 1, topic, tl);
			proto_buf_reset(&b);
			proto_encode_pub(&b, (enum proto_msg_id)m, 3, 41, 1772416800000, &x);
			put("pub", topic, lead, tl + 1, &b);
		}
	}
	/* failed replies: a standby's not_leader naming the leader (PROTOCOL.md 13), and an
	 * error carrying every params key */
	struct proto_error_params ep = { .present = 0 };
	PROTO_STRSET(ep.reason, "not_leader");
	PROTO_STRSET(ep.leader, "tcp://10.0.0.1:5555");
	ep.present = (uint64_t)1 << 0;
	for (size_t i = 0; i < proto_descs[PROTO_MSG_error_params].n_fields; i++)
		if (strcmp(proto_descs[PROTO_MSG_error_params].fields[i].name, "leader") == 0)
			ep.present |= (uint64_t)1 << i;
	proto_buf_reset(&b);
	proto_encode_reply_error_params(&b, "seed-1", "intake.create", PROTO_E_NOT_LEADER, NULL,
	    &ep, "not the leader");
	put("reply", "error-not_leader", NULL, 0, &b);
	fill(PROTO_MSG_error_params, &ep, true);
	proto_buf_reset(&b);
	proto_encode_reply_error_params(&b, "seed-2", "complaint.put", PROTO_E_CONFLICT, "version",
	    &ep, "saved by another");
	put("reply", "error-params", NULL, 0, &b);
	proto_buf_finish(&b);
	return 0;
}
