/* fuzz-proto.c: libFuzzer target for the wire decoders. Built once per decoder with
 * -DFUZZ_<NAME>; every input must be decoded or refused without a crash, a leak or undefined
 * behaviour, and a decoded message must encode and decode again to the same struct. Every
 * string a decoded request or feed message holds is plain text (PROTOCOL.md 3.2) that the
 * rule leaves as it is. FUZZ_MSG is proto_decode_msg, which reads any message of the table
 * (data[0] picks it): the entities and event params the broker reads back from its store,
 * the survey and contact events among them. Seeds: tests/fuzz/seeds.c. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "plaintext.h"
#include "proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#if defined(FUZZ_REQUEST) || defined(FUZZ_FEED)
/* Abort unless every string of message m at obj passes the text rule unchanged. */
static void
check_plain(enum proto_msg_id m, const void *obj)
{
	const struct proto_desc *d = &proto_descs[m];
	char copy[1024];

	for (size_t i = 0; i < d->n_fields; i++) {
		const struct proto_field *f = &d->fields[i];
		if (f->type != PT_STR)
			continue;
		const char *s = (const char *)obj + f->offset;
		size_t n = strlen(s);
		if (n >= sizeof copy)
			abort();
		memcpy(copy, s, n + 1);
		if (plaintext_clean(copy, n, f->lines, NULL) != PLAINTEXT_OK || strcmp(copy, s) != 0)
			abort();
	}
}
#endif

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct proto_error err;
#if defined(FUZZ_REQUEST)
	struct proto_request req, again;
	if (proto_decode_request(data, size, &req, &err) == 0) {
		struct proto_buf b;
		check_plain((enum proto_msg_id)req.op, &req.args);
		proto_buf_init(&b);
		proto_encode_request(&b, (enum proto_msg_id)req.op, req.cmd_id, req.user, &req.args);
		if (proto_decode_request(b.data, b.len, &again, &err) != 0 ||
		    memcmp(&req.args, &again.args, proto_descs[req.op].size) != 0)
			abort();
		proto_buf_finish(&b);
	}
#elif defined(FUZZ_REPLY)
	struct proto_reply r;
	proto_decode_reply(data, size, &r, &err);
	proto_reply_finish(&r);
#elif defined(FUZZ_PUB)
	/* data[0] picks the topic's length: up to two bytes more than the longest topic of
	 * the stream table, so every topic and its near misses are reachable. */
	struct proto_pub p, again;
	size_t longest = 2;
	for (int s = 0; s < PROTO_STREAM_COUNT; s++)
		if (strlen(proto_streams[s].topic) > longest)
			longest = strlen(proto_streams[s].topic);
	if (size > 0) {
		size_t tl = data[0] % (longest + 3);
		if (tl > size - 1)
			tl = size - 1;
		if (proto_decode_pub(data + 1, tl, data + 1 + tl, size - 1 - tl, &p, &err) == 0) {
			/* what decodes encodes again, under its stream's topic, to the same */
			struct proto_buf b;
			enum proto_msg_id m = p.topic == PROTO_TOPIC_HB ? PROTO_MSG_hb :
			    p.topic == PROTO_TOPIC_MESSAGE ? PROTO_MSG_message :
			    (enum proto_msg_id)proto_streams[p.topic].msg;
			const char *topic = proto_topic_name(m);
			proto_buf_init(&b);
			proto_encode_pub(&b, m, p.epoch, p.seq, p.ts, &p.u);
			if (proto_decode_pub(topic, strlen(topic), b.data, b.len, &again,
			    &err) != 0 || again.topic != p.topic || again.seq != p.seq ||
			    memcmp(&p.u, &again.u, proto_descs[m].size) != 0)
				abort();
			proto_buf_finish(&b);
		}
	}
#elif defined(FUZZ_MSG)
	/* what decodes packs again to bytes that decode to the same */
	static union proto_any x, again;
	if (size > 0) {
		enum proto_msg_id m = (enum proto_msg_id)(data[0] % PROTO_MSG_COUNT);
		if (proto_decode_msg(data + 1, size - 1, m, &x, &err) == 0) {
			struct proto_buf b;
			proto_buf_init(&b);
			proto_pack_obj(&b, m, &x, 0);
			if (proto_decode_msg(b.data, b.len, m, &again, &err) != 0 ||
			    memcmp(&x, &again, proto_descs[m].size) != 0)
				abort();
			proto_buf_finish(&b);
		}
	}
#elif defined(FUZZ_FEED)
	struct proto_feed f;
	if (proto_decode_feed(data, size, &f, &err) == 0)
		check_plain((enum proto_msg_id)f.type, &f.msg);
#else
#error "define one of FUZZ_REQUEST, FUZZ_REPLY, FUZZ_PUB, FUZZ_FEED, FUZZ_MSG"
#endif
	return 0;
}
