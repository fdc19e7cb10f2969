/* proto.c: the msgpack codec of rescuedesk's wire contract, built from msg.def. */
#include "proto.h"

#include <inttypes.h>
#include <math.h>
#include <msgpack.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plaintext.h"
#include "util.h"

/* ---- descriptors, generated from msg.def ---- */

#define REQ true
#define OPT false
#define MSG_BEGIN(m, w, k) static const struct proto_field fields_##m[] = {
#define F_STR(m, f, mx, r) \
	{ #f, sizeof(#f) - 1, PT_STR, offsetof(struct proto_##m, f), sizeof(((struct proto_##m *)0)->f), 0, 0, r, -1, false },
#define F_TEXT(m, f, mx, r) \
	{ #f, sizeof(#f) - 1, PT_STR, offsetof(struct proto_##m, f), sizeof(((struct proto_##m *)0)->f), 0, 0, r, -1, true },
#define F_I64(m, f, lo, hi, r) \
	{ #f, sizeof(#f) - 1, PT_I64, offsetof(struct proto_##m, f), sizeof(int64_t), (double)(lo), (double)(hi), r, -1, false },
#define F_F64(m, f, lo, hi, r) \
	{ #f, sizeof(#f) - 1, PT_F64, offsetof(struct proto_##m, f), sizeof(double), (lo), (hi), r, -1, false },
#define F_BOOL(m, f, r) \
	{ #f, sizeof(#f) - 1, PT_BOOL, offsetof(struct proto_##m, f), sizeof(bool), 0, 0, r, -1, false },
#define F_OBJ(m, f, sub, r) \
	{ #f, sizeof(#f) - 1, PT_OBJ, offsetof(struct proto_##m, f), sizeof(struct proto_##sub), 0, 0, r, PROTO_MSG_##sub, false },
#define MSG_END(m) };
#include "msg.def"
#undef MSG_BEGIN
#undef F_STR
#undef F_TEXT
#undef F_I64
#undef F_F64
#undef F_BOOL
#undef F_OBJ
#undef MSG_END

#define REQUEST PROTO_KIND_REQUEST
#define FEED PROTO_KIND_FEED
#define ENTITY PROTO_KIND_ENTITY
#define RESULT PROTO_KIND_RESULT
#define MSG_BEGIN(m, w, k) [PROTO_MSG_##m] = { #m, w, k, fields_##m, ARRAY_LEN(fields_##m), \
	sizeof(struct proto_##m), offsetof(struct proto_##m, present) },
#define F_STR(m, f, mx, r)
#define F_TEXT(m, f, mx, r)
#define F_I64(m, f, lo, hi, r)
#define F_F64(m, f, lo, hi, r)
#define F_BOOL(m, f, r)
#define F_OBJ(m, f, sub, r)
#define MSG_END(m)
const struct proto_desc proto_descs[PROTO_MSG_COUNT] = {
#include "msg.def"
};
#undef MSG_BEGIN
#undef F_STR
#undef F_TEXT
#undef F_I64
#undef F_F64
#undef F_BOOL
#undef F_OBJ
#undef MSG_END

/* A message may not have more fields than there are bits in `present`. */
#define MSG_BEGIN(m, w, k) _Static_assert(PROTO_##m##__COUNT <= 64, #m ": too many fields");
#define F_STR(m, f, mx, r)
#define F_TEXT(m, f, mx, r)
#define F_I64(m, f, lo, hi, r)
#define F_F64(m, f, lo, hi, r)
#define F_BOOL(m, f, r)
#define F_OBJ(m, f, sub, r)
#define MSG_END(m)
#include "msg.def"
#undef MSG_BEGIN
#undef F_STR
#undef F_TEXT
#undef F_I64
#undef F_F64
#undef F_BOOL
#undef F_OBJ
#undef MSG_END

/* ---- streams, generated from PROTO_STREAMS ---- */

#define LOSSLESS true
#define LATEST false
#define X(ID, name, plural, key, delivery, gone)                                          \
	[PROTO_STREAM_##ID] = { #name, #plural, PROTO_MSG_##name, PROTO_##name##_##key,    \
		PROTO_##name##_ver, gone, delivery,                                        \
		offsetof(struct proto_snapshot_part, seq_##name),                          \
		offsetof(struct proto_snapshot_part, total_##plural),                      \
		offsetof(struct proto_hb, seq_##name) },
const struct proto_stream_desc proto_streams[PROTO_STREAM_COUNT] = {
	PROTO_STREAMS(X)
};
#undef X

/* The generic and the named views of PROTO_STREAM_ARRAYS share their storage. */
#define X(ID, name, plural, key, delivery, gone)                                          \
	_Static_assert(offsetof(struct proto_reply, plural) ==                             \
	    offsetof(struct proto_reply, streams[PROTO_STREAM_##ID].items) &&              \
	    offsetof(struct proto_reply, n_##plural) ==                                    \
	    offsetof(struct proto_reply, streams[PROTO_STREAM_##ID].n), #plural ": layout");
PROTO_STREAMS(X)
#undef X

int
proto_stream_of(int m)
{
	for (int s = 0; s < PROTO_STREAM_COUNT; s++)
		if (proto_streams[s].msg == m)
			return s;
	return -1;
}

int
proto_topic_lookup(const void *topic, size_t len)
{
	for (int s = 0; s < PROTO_STREAM_COUNT; s++)
		if (strlen(proto_streams[s].topic) == len &&
		    memcmp(proto_streams[s].topic, topic, len) == 0)
			return s;
	if (len == 2 && memcmp(topic, "hb", 2) == 0)
		return PROTO_TOPIC_HB;
	if (len == 7 && memcmp(topic, "message", 7) == 0)
		return PROTO_TOPIC_MESSAGE;
	return -1;
}

static int64_t
i64_at(const void *base, size_t off)
{
	int64_t v;
	memcpy(&v, (const char *)base + off, sizeof v);
	return v;
}

static void
i64_put(void *base, size_t off, int64_t v)
{
	memcpy((char *)base + off, &v, sizeof v);
}

int64_t
proto_snapshot_seq(const struct proto_snapshot_part *h, enum proto_stream s)
{
	return i64_at(h, proto_streams[s].snap_seq_off);
}

int64_t
proto_snapshot_total(const struct proto_snapshot_part *h, enum proto_stream s)
{
	return i64_at(h, proto_streams[s].snap_total_off);
}

void
proto_snapshot_set(struct proto_snapshot_part *h, enum proto_stream s, int64_t seq,
    int64_t total)
{
	i64_put(h, proto_streams[s].snap_seq_off, seq);
	i64_put(h, proto_streams[s].snap_total_off, total);
}

int64_t
proto_hb_seq(const struct proto_hb *hb, enum proto_stream s)
{
	return i64_at(hb, proto_streams[s].hb_seq_off);
}

void
proto_hb_set_seq(struct proto_hb *hb, enum proto_stream s, int64_t seq)
{
	i64_put(hb, proto_streams[s].hb_seq_off, seq);
}

static uint64_t
present_of(int m, const void *e)
{
	uint64_t present;
	memcpy(&present, (const char *)e + proto_descs[m].present_off, sizeof present);
	return present;
}

void
proto_entity_key(enum proto_stream s, const void *e, char *buf, size_t n)
{
	const struct proto_stream_desc *sd = &proto_streams[s];
	const struct proto_field *f = &proto_descs[sd->msg].fields[sd->key];

	if (f->type == PT_I64)
		snprintf(buf, n, "%lld", (long long)i64_at(e, f->offset));
	else
		rd_strlcpy(buf, (const char *)e + f->offset, n);
}

int64_t
proto_entity_ver(enum proto_stream s, const void *e)
{
	const struct proto_stream_desc *sd = &proto_streams[s];

	if (!((present_of(sd->msg, e) >> sd->ver) & 1u))
		return -1;
	return i64_at(e, proto_descs[sd->msg].fields[sd->ver].offset);
}

void
proto_entity_set_ver(enum proto_stream s, void *e, int64_t ver)
{
	const struct proto_stream_desc *sd = &proto_streams[s];
	uint64_t present = present_of(sd->msg, e) | (uint64_t)1 << sd->ver;

	i64_put(e, proto_descs[sd->msg].fields[sd->ver].offset, ver);
	memcpy((char *)e + proto_descs[sd->msg].present_off, &present, sizeof present);
}

bool
proto_entity_gone(enum proto_stream s, const void *e)
{
	const struct proto_stream_desc *sd = &proto_streams[s];
	bool v;

	if (sd->gone < 0)
		return false;
	memcpy(&v, (const char *)e + proto_descs[sd->msg].fields[sd->gone].offset, sizeof v);
	return v;
}

int
proto_op_lookup(const char *op, size_t len)
{
	for (int i = 0; i < PROTO_MSG_COUNT; i++) {
		const struct proto_desc *d = &proto_descs[i];
		if (d->kind == PROTO_KIND_REQUEST && strlen(d->wire) == len &&
		    memcmp(d->wire, op, len) == 0)
			return i;
	}
	return -1;
}

/* ---- errors ---- */

static const char *err_names[] = {
#define X(e, s) s,
	PROTO_ERRORS(X)
#undef X
};

const char *
proto_err_name(enum proto_err e)
{
	if ((unsigned)e >= PROTO_E_COUNT)
		return "internal";
	return err_names[e];
}

enum proto_err
proto_err_parse(const char *name)
{
	for (size_t i = 0; i < ARRAY_LEN(err_names); i++)
		if (strcmp(err_names[i], name) == 0)
			return (enum proto_err)i;
	return PROTO_E_INTERNAL;
}

int
proto_fail(struct proto_error *err, enum proto_err code, const char *fmt, ...)
{
	if (err != NULL) {
		va_list ap;
		err->code = code;
		err->field[0] = '\0';
		err->params.present = 0;
		va_start(ap, fmt);
		vsnprintf(err->message, sizeof err->message, fmt, ap);
		va_end(ap);
	}
	return -1;
}

/* ---- strings ---- */

/* Length of the valid UTF-8 sequence at s (n bytes available), or 0 if invalid. */
static size_t
utf8_seq(const unsigned char *s, size_t n)
{
	unsigned char c = s[0];
	if (c < 0x80)
		return 1;
	size_t len;
	uint32_t cp;
	if (c >= 0xc2 && c <= 0xdf) {
		len = 2;
		cp = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		len = 3;
		cp = c & 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4;
		cp = c & 0x07;
	} else {
		return 0;
	}
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

/* A string on the wire must be valid UTF-8 without NUL bytes. */
static bool
str_ok(const char *p, size_t n)
{
	const unsigned char *s = (const unsigned char *)p;
	size_t i = 0;
	while (i < n) {
		if (s[i] == 0)
			return false;
		size_t l = utf8_seq(s + i, n - i);
		if (l == 0)
			return false;
		i += l;
	}
	return true;
}

void
proto_strset(char *dst, size_t dstsz, const char *src)
{
	if (dstsz == 0)
		return;
	size_t n = strlen(src);
	if (n >= dstsz) {
		n = dstsz - 1;
		while (n > 0 && ((unsigned char)src[n] & 0xc0) == 0x80)
			n--;
	}
	memcpy(dst, src, n);
	dst[n] = '\0';
}

/* Copy up to 40 bytes of a wire string into out for an error message, printable only. */
static void
quote(char *out, size_t outsz, const char *p, size_t n)
{
	size_t j = 0;
	for (size_t i = 0; i < n && i < 40 && j + 1 < outsz; i++)
		out[j++] = (p[i] >= 0x20 && p[i] < 0x7f) ? p[i] : '?';
	out[j] = '\0';
}

/* ---- encoding ---- */

void
proto_buf_init(struct proto_buf *b)
{
	b->data = NULL;
	b->len = b->cap = 0;
}

void
proto_buf_finish(struct proto_buf *b)
{
	free(b->data);
	proto_buf_init(b);
}

void
proto_buf_reset(struct proto_buf *b)
{
	b->len = 0;
}

char *
proto_buf_take(struct proto_buf *b, size_t *len)
{
	char *p = b->data;
	*len = b->len;
	if (p == NULL)
		p = xmalloc(1);
	proto_buf_init(b);
	return p;
}

static int
buf_write(void *data, const char *p, size_t n)
{
	struct proto_buf *b = data;
	if (b->len + n > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		while (cap < b->len + n)
			cap *= 2;
		b->data = xrealloc(b->data, cap);
		b->cap = cap;
	}
	memcpy(b->data + b->len, p, n);
	b->len += n;
	return 0;
}

#define PACKER(b) msgpack_packer pk; msgpack_packer_init(&pk, (b), buf_write)

void
proto_pack_map(struct proto_buf *b, uint32_t n)
{
	PACKER(b);
	msgpack_pack_map(&pk, n);
}

void
proto_pack_array(struct proto_buf *b, uint32_t n)
{
	PACKER(b);
	msgpack_pack_array(&pk, n);
}

void
proto_pack_strn(struct proto_buf *b, const char *s, size_t n)
{
	PACKER(b);
	msgpack_pack_str(&pk, n);
	msgpack_pack_str_body(&pk, s, n);
}

void
proto_pack_str(struct proto_buf *b, const char *s)
{
	proto_pack_strn(b, s, strlen(s));
}

void
proto_pack_i64(struct proto_buf *b, int64_t v)
{
	PACKER(b);
	msgpack_pack_int64(&pk, v);
}

void
proto_pack_f64(struct proto_buf *b, double v)
{
	PACKER(b);
	msgpack_pack_double(&pk, v);
}

void
proto_pack_bool(struct proto_buf *b, bool v)
{
	PACKER(b);
	if (v)
		msgpack_pack_true(&pk);
	else
		msgpack_pack_false(&pk);
}

void
proto_pack_nil(struct proto_buf *b)
{
	PACKER(b);
	msgpack_pack_nil(&pk);
}

void
proto_pack_raw(struct proto_buf *b, const void *p, size_t n)
{
	buf_write(b, p, n);
}

static bool
field_out(const struct proto_field *f, uint64_t present, size_t i)
{
	return f->required || ((present >> i) & 1u);
}

uint32_t
proto_obj_keys(enum proto_msg_id m, const void *msg)
{
	const struct proto_desc *d = &proto_descs[m];
	uint64_t present;
	uint32_t n = 0;
	memcpy(&present, (const char *)msg + d->present_off, sizeof present);
	for (size_t i = 0; i < d->n_fields; i++)
		if (field_out(&d->fields[i], present, i))
			n++;
	return n;
}

void
proto_pack_obj(struct proto_buf *b, enum proto_msg_id m, const void *msg, uint32_t extra)
{
	const struct proto_desc *d = &proto_descs[m];
	const char *base = msg;
	uint64_t present;
	memcpy(&present, base + d->present_off, sizeof present);
	proto_pack_map(b, proto_obj_keys(m, msg) + extra);
	for (size_t i = 0; i < d->n_fields; i++) {
		const struct proto_field *f = &d->fields[i];
		if (!field_out(f, present, i))
			continue;
		proto_pack_str(b, f->name);
		const char *p = base + f->offset;
		switch (f->type) {
		case PT_STR:
			proto_pack_strn(b, p, strnlen(p, f->size - 1));
			break;
		case PT_I64: {
			int64_t v;
			memcpy(&v, p, sizeof v);
			proto_pack_i64(b, v);
			break;
		}
		case PT_F64: {
			double v;
			memcpy(&v, p, sizeof v);
			proto_pack_f64(b, v);
			break;
		}
		case PT_BOOL:
			proto_pack_bool(b, *(const bool *)p);
			break;
		case PT_OBJ:
			proto_pack_obj(b, (enum proto_msg_id)f->sub, p, 0);
			break;
		}
	}
}

void
proto_encode_request(struct proto_buf *b, enum proto_msg_id op, const char *cmd_id,
    const char *user, const void *args)
{
	bool with_user = user != NULL && user[0] != '\0';
	proto_pack_map(b, with_user ? 5 : 4);
	if (with_user) {
		proto_pack_str(b, "user");
		proto_pack_str(b, user);
	}
	proto_pack_str(b, "v");
	proto_pack_i64(b, PROTO_VERSION);
	proto_pack_str(b, "op");
	proto_pack_str(b, proto_descs[op].wire);
	proto_pack_str(b, "cmd_id");
	proto_pack_str(b, cmd_id);
	proto_pack_str(b, "args");
	proto_pack_obj(b, op, args, 0);
}

static void
reply_head(struct proto_buf *b, const char *cmd_id, const char *op, bool ok)
{
	proto_pack_map(b, 5);
	proto_pack_str(b, "v");
	proto_pack_i64(b, PROTO_VERSION);
	proto_pack_str(b, "cmd_id");
	proto_pack_str(b, cmd_id);
	proto_pack_str(b, "op");
	proto_pack_str(b, op);
	proto_pack_str(b, "ok");
	proto_pack_bool(b, ok);
}

void
proto_encode_reply_ok(struct proto_buf *b, const char *cmd_id, const char *op)
{
	reply_head(b, cmd_id, op, true);
	proto_pack_str(b, "result");
}

void
proto_encode_reply_error(struct proto_buf *b, const char *cmd_id, const char *op,
    enum proto_err code, const char *message)
{
	proto_encode_reply_error_at(b, cmd_id, op, code, NULL, message);
}

void
proto_encode_reply_error_at(struct proto_buf *b, const char *cmd_id, const char *op,
    enum proto_err code, const char *field, const char *message)
{
	proto_encode_reply_error_params(b, cmd_id, op, code, field, NULL, message);
}

void
proto_encode_reply_error_params(struct proto_buf *b, const char *cmd_id, const char *op,
    enum proto_err code, const char *field, const struct proto_error_params *params,
    const char *message)
{
	bool at = field != NULL && field[0] != '\0';
	bool with = params != NULL && PROTO_HAS(params, error_params, reason);

	reply_head(b, cmd_id, op, false);
	proto_pack_str(b, "error");
	proto_pack_map(b, 2 + (at ? 1 : 0) + (with ? 1 : 0));
	proto_pack_str(b, "code");
	proto_pack_str(b, proto_err_name(code));
	proto_pack_str(b, "message");
	proto_pack_str(b, message);
	if (at) {
		proto_pack_str(b, "field");
		proto_pack_str(b, field);
	}
	if (with) {
		proto_pack_str(b, "params");
		proto_pack_obj(b, PROTO_MSG_error_params, params, 0);
	}
}

void
proto_encode_feed(struct proto_buf *b, enum proto_msg_id type, const void *msg)
{
	proto_pack_obj(b, type, msg, 2);
	proto_pack_str(b, "v");
	proto_pack_i64(b, PROTO_VERSION);
	proto_pack_str(b, "type");
	proto_pack_str(b, proto_descs[type].wire);
}

const char *
proto_topic_name(enum proto_msg_id entity)
{
	int s = proto_stream_of(entity);

	if (s >= 0)
		return proto_streams[s].topic;
	return entity == PROTO_MSG_hb ? "hb" : entity == PROTO_MSG_message ? "message" : "";
}

static void
pub_head(struct proto_buf *b, enum proto_msg_id entity, int64_t epoch, int64_t seq,
    int64_t ts)
{
	proto_pack_map(b, 5);
	proto_pack_str(b, "v");
	proto_pack_i64(b, PROTO_VERSION);
	proto_pack_str(b, "epoch");
	proto_pack_i64(b, epoch);
	proto_pack_str(b, "seq");
	proto_pack_i64(b, seq);
	proto_pack_str(b, "ts");
	proto_pack_i64(b, ts);
	proto_pack_str(b, proto_topic_name(entity));
}

void
proto_encode_pub(struct proto_buf *b, enum proto_msg_id entity, int64_t epoch, int64_t seq,
    int64_t ts, const void *msg)
{
	if (entity == PROTO_MSG_hb || entity == PROTO_MSG_message) {
		/* a heartbeat and a customer's message are their own head: the bare map */
		proto_pack_obj(b, entity, msg, 0);
		return;
	}
	pub_head(b, entity, epoch, seq, ts);
	proto_pack_obj(b, entity, msg, 0);
}

void
proto_encode_pub_raw(struct proto_buf *b, enum proto_msg_id entity, int64_t epoch, int64_t seq,
    int64_t ts, const void *raw, size_t n)
{
	pub_head(b, entity, epoch, seq, ts);
	proto_pack_raw(b, raw, n);
}

/* ---- decoding ---- */

static uint64_t
be(const uint8_t *p, int n)
{
	uint64_t v = 0;
	for (int i = 0; i < n; i++)
		v = (v << 8) | p[i];
	return v;
}

int
proto_prevalidate(const void *buf, size_t len, struct proto_error *err)
{
	const uint8_t *p = buf;
	size_t pos = 0;
	uint64_t stack[PROTO_MAX_DEPTH + 1];
	int sp = 0;

	stack[0] = 1;
	while (sp >= 0) {
		if (stack[sp] == 0) {
			sp--;
			continue;
		}
		stack[sp]--;
		if (pos >= len)
			return proto_fail(err, PROTO_E_BAD_REQUEST, "truncated msgpack at byte %zu", pos);
		uint8_t t = p[pos++];
		int lenbytes = 0; /* size of a following length field */
		uint64_t skip = 0;
		int container = 0; /* 1 array, 2 map */
		uint64_t count = 0;

		if (t <= 0x7f || t >= 0xe0 || t == 0xc0 || t == 0xc2 || t == 0xc3) {
			/* fixint, nil, bool */
		} else if (t <= 0x8f) {
			container = 2;
			count = t & 0x0f;
		} else if (t <= 0x9f) {
			container = 1;
			count = t & 0x0f;
		} else if (t <= 0xbf) {
			skip = t & 0x1f;
		} else {
			switch (t) {
			case 0xc4: case 0xd9: lenbytes = 1; break;
			case 0xc5: case 0xda: lenbytes = 2; break;
			case 0xc6: case 0xdb: lenbytes = 4; break;
			case 0xc7: lenbytes = 1; skip = 1; break;
			case 0xc8: lenbytes = 2; skip = 1; break;
			case 0xc9: lenbytes = 4; skip = 1; break;
			case 0xca: skip = 4; break;
			case 0xcb: skip = 8; break;
			case 0xcc: case 0xd0: skip = 1; break;
			case 0xcd: case 0xd1: skip = 2; break;
			case 0xce: case 0xd2: skip = 4; break;
			case 0xcf: case 0xd3: skip = 8; break;
			case 0xd4: skip = 2; break;
			case 0xd5: skip = 3; break;
			case 0xd6: skip = 5; break;
			case 0xd7: skip = 9; break;
			case 0xd8: skip = 17; break;
			case 0xdc: lenbytes = 2; container = 1; break;
			case 0xdd: lenbytes = 4; container = 1; break;
			case 0xde: lenbytes = 2; container = 2; break;
			case 0xdf: lenbytes = 4; container = 2; break;
			default:
				return proto_fail(err, PROTO_E_BAD_REQUEST,
				    "invalid msgpack type byte 0x%02x at byte %zu", t, pos - 1);
			}
		}
		if (lenbytes > 0) {
			if ((size_t)lenbytes > len - pos)
				return proto_fail(err, PROTO_E_BAD_REQUEST,
				    "truncated msgpack length at byte %zu", pos);
			uint64_t n = be(p + pos, lenbytes);
			pos += (size_t)lenbytes;
			if (container)
				count = n;
			else
				skip += n;
		}
		if (skip > len - pos)
			return proto_fail(err, PROTO_E_BAD_REQUEST,
			    "msgpack value at byte %zu declares %llu bytes, only %zu remain", pos,
			    (unsigned long long)skip, len - pos);
		pos += (size_t)skip;
		if (container) {
			uint64_t elems = container == 2 ? count * 2 : count;
			if (count > PROTO_MAX_ARRAY || elems > len - pos)
				return proto_fail(err, PROTO_E_BAD_REQUEST,
				    "msgpack %s at byte %zu declares %llu elements, too many for the "
				    "bytes that remain", container == 2 ? "map" : "array", pos,
				    (unsigned long long)count);
			if (elems > 0) {
				if (sp + 1 > PROTO_MAX_DEPTH)
					return proto_fail(err, PROTO_E_BAD_REQUEST,
					    "msgpack nested deeper than %d levels", PROTO_MAX_DEPTH);
				stack[++sp] = elems;
			}
		}
	}
	if (pos != len)
		return proto_fail(err, PROTO_E_BAD_REQUEST, "%zu trailing bytes after the message",
		    len - pos);
	return 0;
}

/* Unpack one prevalidated frame; the caller destroys up on success. */
static int
unpack(const void *buf, size_t len, size_t max, msgpack_unpacked *up, struct proto_error *err)
{
	if (len > max)
		return proto_fail(err, PROTO_E_TOO_LARGE, "message of %zu bytes exceeds %zu", len, max);
	if (len == 0)
		return proto_fail(err, PROTO_E_BAD_REQUEST, "empty message");
	if (proto_prevalidate(buf, len, err) < 0)
		return -1;
	size_t off = 0;
	msgpack_unpacked_init(up);
	msgpack_unpack_return r = msgpack_unpack_next(up, buf, len, &off);
	if (r != MSGPACK_UNPACK_SUCCESS || off != len) {
		msgpack_unpacked_destroy(up);
		return proto_fail(err, PROTO_E_BAD_REQUEST, "malformed msgpack");
	}
	return 0;
}

static bool
key_is(const msgpack_object *k, const char *name)
{
	size_t n = strlen(name);
	return k->type == MSGPACK_OBJECT_STR && k->via.str.size == n &&
	    memcmp(k->via.str.ptr, name, n) == 0;
}

/* The value under key `name` in map o, or NULL. */
static const msgpack_object *
map_get(const msgpack_object *o, const char *name)
{
	if (o->type != MSGPACK_OBJECT_MAP)
		return NULL;
	for (uint32_t i = 0; i < o->via.map.size; i++)
		if (key_is(&o->via.map.ptr[i].key, name))
			return &o->via.map.ptr[i].val;
	return NULL;
}

/* Refuse an envelope that carries one of its keys twice (the fields decode_obj reads are
 * checked there). Returns 0 or -1 with err. */
static int
envelope_unique(const msgpack_object *o, const char *const *names, size_t n,
    struct proto_error *err)
{
	for (size_t k = 0; k < n; k++) {
		int seen = 0;
		for (uint32_t i = 0; i < o->via.map.size; i++)
			if (key_is(&o->via.map.ptr[i].key, names[k]) && ++seen > 1)
				return proto_fail(err, PROTO_E_BAD_REQUEST, "duplicate key '%s'",
				    names[k]);
	}
	return 0;
}

static int
get_int(const msgpack_object *v, int64_t *out)
{
	if (v->type == MSGPACK_OBJECT_POSITIVE_INTEGER) {
		if (v->via.u64 > INT64_MAX)
			return -1;
		*out = (int64_t)v->via.u64;
		return 0;
	}
	if (v->type == MSGPACK_OBJECT_NEGATIVE_INTEGER) {
		*out = v->via.i64;
		return 0;
	}
	return -1;
}

static const char *
type_name(msgpack_object_type t)
{
	switch (t) {
	case MSGPACK_OBJECT_NIL: return "nil";
	case MSGPACK_OBJECT_BOOLEAN: return "boolean";
	case MSGPACK_OBJECT_POSITIVE_INTEGER:
	case MSGPACK_OBJECT_NEGATIVE_INTEGER: return "integer";
	case MSGPACK_OBJECT_FLOAT32:
	case MSGPACK_OBJECT_FLOAT64: return "float";
	case MSGPACK_OBJECT_STR: return "string";
	case MSGPACK_OBJECT_ARRAY: return "array";
	case MSGPACK_OBJECT_MAP: return "map";
	case MSGPACK_OBJECT_BIN: return "binary";
	case MSGPACK_OBJECT_EXT: return "ext";
	}
	return "unknown";
}

static int
decode_obj(const msgpack_object *o, enum proto_msg_id m, void *out, const char *ctx,
    struct proto_error *err)
{
	const struct proto_desc *d = &proto_descs[m];
	char *base = out;
	uint64_t present = 0;

	memset(out, 0, d->size);
	if (o->type != MSGPACK_OBJECT_MAP)
		return proto_fail(err, PROTO_E_BAD_REQUEST, "%s: expected a map, got %s", ctx,
		    type_name(o->type));
	for (uint32_t i = 0; i < o->via.map.size; i++) {
		const msgpack_object *k = &o->via.map.ptr[i].key;
		const msgpack_object *v = &o->via.map.ptr[i].val;
		if (k->type != MSGPACK_OBJECT_STR)
			return proto_fail(err, PROTO_E_BAD_REQUEST, "%s: a key is a %s, not a string",
			    ctx, type_name(k->type));
		size_t fi;
		for (fi = 0; fi < d->n_fields; fi++)
			if (k->via.str.size == d->fields[fi].name_len &&
			    memcmp(k->via.str.ptr, d->fields[fi].name, d->fields[fi].name_len) == 0)
				break;
		if (fi == d->n_fields)
			continue; /* unknown keys are ignored */
		const struct proto_field *f = &d->fields[fi];
		char *p = base + f->offset;
		if ((present >> fi) & 1u)
			return proto_fail(err, PROTO_E_BAD_REQUEST, "%s: duplicate key '%s'", ctx,
			    f->name);
		switch (f->type) {
		case PT_STR:
			if (v->type != MSGPACK_OBJECT_STR)
				return proto_fail(err, PROTO_E_BAD_REQUEST,
				    "%s.%s: expected a string, got %s", ctx, f->name, type_name(v->type));
			if (v->via.str.size >= f->size)
				return proto_fail(err, PROTO_E_BAD_REQUEST,
				    "%s.%s: longer than %zu bytes", ctx, f->name, f->size - 1);
			if (!str_ok(v->via.str.ptr, v->via.str.size))
				return proto_fail(err, PROTO_E_BAD_REQUEST,
				    "%s.%s: not valid UTF-8 text", ctx, f->name);
			memcpy(p, v->via.str.ptr, v->via.str.size);
			p[v->via.str.size] = '\0';
			if (d->kind == PROTO_KIND_REQUEST || d->kind == PROTO_KIND_FEED) {
				/* what a client writes is plain text (PROTOCOL.md 3.2) */
				uint32_t c;
				enum plaintext_fault pf = plaintext_clean(p, v->via.str.size, f->lines, &c);
				if (pf != PLAINTEXT_OK)
					return proto_fail(err, PROTO_E_BAD_REQUEST,
					    "%s.%s: %s U+%04" PRIX32 " is not allowed", ctx, f->name,
					    plaintext_fault_str(pf), c);
			}
			break;
		case PT_I64: {
			int64_t x;
			if (get_int(v, &x) < 0)
				return proto_fail(err, PROTO_E_BAD_REQUEST,
				    "%s.%s: expected an integer, got %s", ctx, f->name,
				    v->type == MSGPACK_OBJECT_POSITIVE_INTEGER ? "an integer too large"
				    : type_name(v->type));
			if ((double)x < f->min || (double)x > f->max)
				return proto_fail(err, PROTO_E_BAD_REQUEST,
				    "%s.%s: %lld is outside [%.0f, %.0f]", ctx, f->name, (long long)x,
				    f->min, f->max);
			memcpy(p, &x, sizeof x);
			break;
		}
		case PT_F64: {
			double x;
			int64_t ix;
			if (v->type == MSGPACK_OBJECT_FLOAT32 || v->type == MSGPACK_OBJECT_FLOAT64)
				x = v->via.f64;
			else if (get_int(v, &ix) == 0)
				x = (double)ix;
			else if (v->type == MSGPACK_OBJECT_POSITIVE_INTEGER)
				x = (double)v->via.u64;
			else
				return proto_fail(err, PROTO_E_BAD_REQUEST,
				    "%s.%s: expected a number, got %s", ctx, f->name, type_name(v->type));
			if (!isfinite(x) || x < f->min || x > f->max)
				return proto_fail(err, PROTO_E_BAD_REQUEST,
				    "%s.%s: %g is outside [%g, %g]", ctx, f->name, x, f->min, f->max);
			memcpy(p, &x, sizeof x);
			break;
		}
		case PT_BOOL:
			if (v->type != MSGPACK_OBJECT_BOOLEAN)
				return proto_fail(err, PROTO_E_BAD_REQUEST,
				    "%s.%s: expected a boolean, got %s", ctx, f->name, type_name(v->type));
			*(bool *)p = v->via.boolean;
			break;
		case PT_OBJ: {
			char sub[64];
			snprintf(sub, sizeof sub, "%s.%s", ctx, f->name);
			if (decode_obj(v, (enum proto_msg_id)f->sub, p, sub, err) < 0)
				return -1;
			break;
		}
		}
		present |= (uint64_t)1 << fi;
	}
	for (size_t fi = 0; fi < d->n_fields; fi++)
		if (d->fields[fi].required && !((present >> fi) & 1u))
			return proto_fail(err, PROTO_E_BAD_REQUEST, "%s: missing key '%s'", ctx,
			    d->fields[fi].name);
	memcpy(base + d->present_off, &present, sizeof present);
	return 0;
}

int
proto_decode_msg(const void *buf, size_t len, enum proto_msg_id m, void *out,
    struct proto_error *err)
{
	msgpack_unpacked up;
	if ((unsigned)m >= PROTO_MSG_COUNT)
		return proto_fail(err, PROTO_E_INTERNAL, "no such message");
	memset(out, 0, proto_descs[m].size);
	if (unpack(buf, len, PROTO_MAX_REPLY, &up, err) < 0)
		return -1;
	int r = decode_obj(&up.data, m, out, proto_descs[m].name, err);
	msgpack_unpacked_destroy(&up);
	return r;
}

/* Read the protocol version key "v" of a root map. */
static int
check_version(const msgpack_object *root, struct proto_error *err)
{
	const msgpack_object *v = map_get(root, "v");
	int64_t ver;
	if (v == NULL)
		return proto_fail(err, PROTO_E_BAD_REQUEST, "missing key 'v'");
	if (get_int(v, &ver) < 0)
		return proto_fail(err, PROTO_E_BAD_REQUEST, "v: expected an integer");
	if (ver != PROTO_VERSION)
		return proto_fail(err, PROTO_E_BAD_REQUEST,
		    "unsupported protocol version %lld (this broker speaks %d)", (long long)ver,
		    PROTO_VERSION);
	return 0;
}

int
proto_decode_request(const void *buf, size_t len, struct proto_request *out,
    struct proto_error *err)
{
	msgpack_unpacked up;
	int r = -1;

	/* the header only: decode_obj zeroes the args it fills */
	out->v = 0;
	out->op = -1;
	out->cmd_id[0] = '\0';
	memset(out->user, 0, sizeof out->user);
	if (unpack(buf, len, PROTO_MAX_REQUEST, &up, err) < 0)
		return -1;
	const msgpack_object *root = &up.data;
	if (root->type != MSGPACK_OBJECT_MAP) {
		proto_fail(err, PROTO_E_BAD_REQUEST, "a request must be a map, not %s",
		    type_name(root->type));
		goto out;
	}
	static const char *const req_keys[] = { "v", "op", "cmd_id", "user", "args" };
	const msgpack_object *cid = map_get(root, "cmd_id");
	if (cid != NULL && cid->type == MSGPACK_OBJECT_STR && cid->via.str.size > 0 &&
	    cid->via.str.size <= PROTO_CMD_ID_MAX && str_ok(cid->via.str.ptr, cid->via.str.size)) {
		memcpy(out->cmd_id, cid->via.str.ptr, cid->via.str.size);
		out->cmd_id[cid->via.str.size] = '\0';
	} else {
		proto_fail(err, PROTO_E_BAD_REQUEST, cid == NULL ? "missing key 'cmd_id'" :
		    "cmd_id: expected a string of 1 to %d bytes", PROTO_CMD_ID_MAX);
		goto out;
	}
	if (envelope_unique(root, req_keys, ARRAY_LEN(req_keys), err) < 0 ||
	    check_version(root, err) < 0)
		goto out;
	out->v = PROTO_VERSION;
	const msgpack_object *op = map_get(root, "op");
	if (op == NULL || op->type != MSGPACK_OBJECT_STR) {
		proto_fail(err, PROTO_E_BAD_REQUEST, op == NULL ? "missing key 'op'" :
		    "op: expected a string");
		goto out;
	}
	out->op = proto_op_lookup(op->via.str.ptr, op->via.str.size);
	if (out->op < 0) {
		char q[48];
		quote(q, sizeof q, op->via.str.ptr, op->via.str.size);
		proto_fail(err, PROTO_E_UNKNOWN_OP, "unknown op '%s'", q);
		goto out;
	}
	const msgpack_object *user = map_get(root, "user");
	if (user != NULL) {
		if (user->type != MSGPACK_OBJECT_STR || user->via.str.size == 0 ||
		    user->via.str.size > PROTO_USER_MAX || !str_ok(user->via.str.ptr, user->via.str.size)) {
			proto_fail(err, PROTO_E_BAD_REQUEST, "user: expected a string of 1 to %d bytes",
			    PROTO_USER_MAX);
			goto out;
		}
		memcpy(out->user, user->via.str.ptr, user->via.str.size);
		/* a user name is plain text too, and not blank; it is not normalised */
		char u[PROTO_USER_MAX + 1];
		memcpy(u, out->user, user->via.str.size + 1);
		if (plaintext_clean(u, user->via.str.size, false, NULL) != PLAINTEXT_OK ||
		    strcmp(u, out->user) != 0) {
			out->user[0] = '\0';
			proto_fail(err, PROTO_E_BAD_REQUEST, "user: not plain text (PROTOCOL.md 3.2)");
			goto out;
		}
	}
	const msgpack_object *args = map_get(root, "args");
	msgpack_object empty = { .type = MSGPACK_OBJECT_MAP };
	if (args == NULL)
		args = &empty;
	r = decode_obj(args, (enum proto_msg_id)out->op, &out->args, "args", err);
	if (r < 0 && err != NULL && strncmp(err->message, "args.", 5) == 0) {
		/* the key a refused argument is about, as a reply's "field" (PROTOCOL.md 5.2) */
		size_t n = strcspn(err->message + 5, ":");
		if (n < sizeof err->field) {
			memcpy(err->field, err->message + 5, n);
			err->field[n] = '\0';
		}
	}
out:
	msgpack_unpacked_destroy(&up);
	return r;
}

int
proto_decode_feed(const void *buf, size_t len, struct proto_feed *out, struct proto_error *err)
{
	msgpack_unpacked up;
	int r = -1;

	out->type = -1; /* decode_obj zeroes the message it fills */
	if (unpack(buf, len, PROTO_MAX_REQUEST, &up, err) < 0)
		return -1;
	const msgpack_object *root = &up.data;
	if (root->type != MSGPACK_OBJECT_MAP) {
		proto_fail(err, PROTO_E_BAD_REQUEST, "a feed message must be a map");
		goto out;
	}
	static const char *const feed_keys[] = { "v", "type" };
	if (envelope_unique(root, feed_keys, ARRAY_LEN(feed_keys), err) < 0 ||
	    check_version(root, err) < 0)
		goto out;
	const msgpack_object *t = map_get(root, "type");
	if (t == NULL || t->type != MSGPACK_OBJECT_STR) {
		proto_fail(err, PROTO_E_BAD_REQUEST, "missing or non-string key 'type'");
		goto out;
	}
	if (key_is(t, "fix"))
		out->type = PROTO_MSG_fix;
	else if (key_is(t, "status"))
		out->type = PROTO_MSG_status;
	else {
		char q[48];
		quote(q, sizeof q, t->via.str.ptr, t->via.str.size);
		proto_fail(err, PROTO_E_BAD_REQUEST, "unknown feed type '%s'", q);
		goto out;
	}
	r = decode_obj(root, (enum proto_msg_id)out->type, &out->msg, proto_descs[out->type].wire,
	    err);
out:
	msgpack_unpacked_destroy(&up);
	return r;
}

int
proto_decode_pub(const void *topic, size_t topic_len, const void *buf, size_t len,
    struct proto_pub *out, struct proto_error *err)
{
	msgpack_unpacked up;
	int t, r = -1;

	/* the header only: the entity's decode zeroes its own member, and the union is as
	 * large as its largest entity (a complaint's record) */
	memset(out, 0, offsetof(struct proto_pub, u));
	if ((t = proto_topic_lookup(topic, topic_len)) < 0)
		return proto_fail(err, PROTO_E_BAD_REQUEST, "unknown topic");
	out->topic = (enum proto_topic)t;
	if (unpack(buf, len, PROTO_MAX_PUB, &up, err) < 0)
		return -1;
	if (out->topic == PROTO_TOPIC_HB) {
		if ((r = decode_obj(&up.data, PROTO_MSG_hb, &out->u.hb, "hb", err)) == 0 &&
		    out->u.hb.v != PROTO_VERSION)
			r = proto_fail(err, PROTO_E_BAD_REQUEST, "unsupported protocol version %lld",
			    (long long)out->u.hb.v);
		if (r == 0) {
			out->epoch = out->u.hb.epoch;
			out->seq = out->u.hb.seq;
			out->ts = out->u.hb.ts;
		}
		goto out;
	}
	if (out->topic == PROTO_TOPIC_MESSAGE) {
		if ((r = decode_obj(&up.data, PROTO_MSG_message, &out->u.message, "message",
		    err)) == 0 && out->u.message.v != PROTO_VERSION)
			r = proto_fail(err, PROTO_E_BAD_REQUEST, "unsupported protocol version %lld",
			    (long long)out->u.message.v);
		if (r == 0) {
			out->epoch = out->u.message.epoch;
			out->seq = out->u.message.seq;
			out->ts = out->u.message.ts;
		}
		goto out;
	}
	const struct proto_stream_desc *sd = &proto_streams[t];
	struct proto_pub_head head;
	if (decode_obj(&up.data, PROTO_MSG_pub_head, &head, "pub", err) < 0)
		goto out;
	if (head.v != PROTO_VERSION) {
		proto_fail(err, PROTO_E_BAD_REQUEST, "unsupported protocol version %lld",
		    (long long)head.v);
		goto out;
	}
	out->epoch = head.epoch;
	out->seq = head.seq;
	out->ts = head.ts;
	const char *const ent_key[] = { sd->topic };
	if (envelope_unique(&up.data, ent_key, 1, err) < 0)
		goto out;
	const msgpack_object *e = map_get(&up.data, sd->topic);
	if (e == NULL) {
		proto_fail(err, PROTO_E_BAD_REQUEST, "pub: missing key '%s'", sd->topic);
		goto out;
	}
	r = decode_obj(e, (enum proto_msg_id)sd->msg, &out->u, sd->topic, err);
out:
	msgpack_unpacked_destroy(&up);
	return r;
}

/* Decode array `key` of map o into a new array of entity structs. */
static int
decode_array(const msgpack_object *o, const char *key, enum proto_msg_id m, void **arr,
    size_t *n, struct proto_error *err)
{
	const msgpack_object *a = map_get(o, key);
	*arr = NULL;
	*n = 0;
	if (a == NULL)
		return 0;
	if (a->type != MSGPACK_OBJECT_ARRAY)
		return proto_fail(err, PROTO_E_BAD_REQUEST, "result.%s: expected an array", key);
	size_t sz = proto_descs[m].size;
	*arr = xcalloc(a->via.array.size ? a->via.array.size : 1, sz);
	for (uint32_t i = 0; i < a->via.array.size; i++) {
		if (decode_obj(&a->via.array.ptr[i], m, (char *)*arr + i * sz, key, err) < 0)
			return -1;
		(*n)++;
	}
	return 0;
}

/* stats.report's "header" and "rows" into t (owned by the reply even when this fails). */
static int
decode_table(const msgpack_object *res, struct proto_report_table *t, struct proto_error *err)
{
	const msgpack_object *h = map_get(res, "header"), *rows = map_get(res, "rows");

	if (h == NULL || h->type != MSGPACK_OBJECT_ARRAY || h->via.array.size == 0 ||
	    h->via.array.size > PROTO_REPORT_COLS_MAX)
		return proto_fail(err, PROTO_E_BAD_REQUEST, "result.header: expected an array of "
		    "1 to %d names", PROTO_REPORT_COLS_MAX);
	if (rows == NULL || rows->type != MSGPACK_OBJECT_ARRAY)
		return proto_fail(err, PROTO_E_BAD_REQUEST, "result.rows: expected an array");
	size_t nc = h->via.array.size, nr = rows->via.array.size;
	t->header = xcalloc(nc, sizeof *t->header);
	t->n_cols = nc;
	for (size_t c = 0; c < nc; c++) {
		const msgpack_object *v = &h->via.array.ptr[c];
		if (v->type != MSGPACK_OBJECT_STR || v->via.str.size > PROTO_REPORT_NAME_MAX ||
		    !str_ok(v->via.str.ptr, v->via.str.size))
			return proto_fail(err, PROTO_E_BAD_REQUEST, "result.header[%zu]: expected a "
			    "name of at most %d bytes", c, PROTO_REPORT_NAME_MAX);
		t->header[c] = xstrndup(v->via.str.ptr, v->via.str.size);
	}
	t->cells = xcalloc(nr * nc + 1, sizeof *t->cells);
	for (size_t r = 0; r < nr; r++) {
		const msgpack_object *row = &rows->via.array.ptr[r];
		if (row->type != MSGPACK_OBJECT_ARRAY || row->via.array.size != nc)
			return proto_fail(err, PROTO_E_BAD_REQUEST, "result.rows[%zu]: expected %zu "
			    "cells", r, nc);
		t->n_rows = r + 1;
		for (size_t c = 0; c < nc; c++) {
			const msgpack_object *v = &row->via.array.ptr[c];
			struct proto_cell *x = &t->cells[r * nc + c];
			if (v->type == MSGPACK_OBJECT_NIL) {
				x->type = PROTO_CELL_NIL;
			} else if (get_int(v, &x->i) == 0) {
				x->type = PROTO_CELL_INT;
			} else if (v->type == MSGPACK_OBJECT_FLOAT32 ||
			    v->type == MSGPACK_OBJECT_FLOAT64) {
				x->type = PROTO_CELL_F64;
				x->f = v->via.f64;
			} else if (v->type == MSGPACK_OBJECT_STR &&
			    v->via.str.size <= PROTO_REPORT_CELL_MAX &&
			    str_ok(v->via.str.ptr, v->via.str.size)) {
				x->type = PROTO_CELL_STR;
				x->s = xstrndup(v->via.str.ptr, v->via.str.size);
			} else {
				return proto_fail(err, PROTO_E_BAD_REQUEST, "result.rows[%zu][%zu]: "
				    "expected a string, a number or nil", r, c);
			}
		}
	}
	return 0;
}

/* A result {"ticket":{...}, key:[...]}: the ticket into out->ticket, the array into *arr
 * (which the caller owns even when this fails). */
static int
decode_ticket_and(const msgpack_object *res, const char *key, enum proto_msg_id m,
    struct proto_reply *out, void **arr, size_t *n, struct proto_error *err)
{
	const msgpack_object *t = map_get(res, "ticket");
	if (t == NULL)
		return proto_fail(err, PROTO_E_BAD_REQUEST, "result: missing key 'ticket'");
	if (decode_obj(t, PROTO_MSG_ticket, &out->ticket, "result.ticket", err) < 0)
		return -1;
	return decode_array(res, key, m, arr, n, err);
}

void
proto_reply_finish(struct proto_reply *r)
{
	for (int s = 0; s < PROTO_STREAM_COUNT; s++) {
		free(r->streams[s].items);
		r->streams[s].items = NULL;
		r->streams[s].n = 0;
	}
	free(r->events);
	free(r->candidates);
	free(r->found);
	free(r->fixes);
	for (size_t i = 0; r->table.header != NULL && i < r->table.n_cols; i++)
		free(r->table.header[i]);
	for (size_t i = 0; r->table.cells != NULL && i < r->table.n_rows * r->table.n_cols; i++)
		free(r->table.cells[i].s);
	free(r->table.header);
	free(r->table.cells);
	memset(&r->table, 0, sizeof r->table);
	free(r->jobs);
	r->jobs = NULL;
	r->n_jobs = 0;
	free(r->gone);
	r->gone = NULL;
	r->n_gone = 0;
	free(r->board_suppliers);
	free(r->board_agents);
	free(r->board_hours);
	r->board_suppliers = NULL;
	r->board_agents = NULL;
	r->board_hours = NULL;
	r->n_board_suppliers = r->n_board_agents = r->n_board_hours = 0;
	r->fixes = NULL;
	r->n_fixes = 0;
	r->found = NULL;
	r->n_found = 0;
	r->candidates = NULL;
	r->n_candidates = 0;
	r->events = NULL;
	r->n_events = 0;
}

int
proto_decode_reply(const void *buf, size_t len, struct proto_reply *out,
    struct proto_error *err)
{
	msgpack_unpacked up;
	int r = -1;

	memset(out, 0, sizeof *out);
	out->op_id = -1;
	if (unpack(buf, len, PROTO_MAX_REPLY, &up, err) < 0)
		return -1;
	const msgpack_object *root = &up.data;
	if (root->type != MSGPACK_OBJECT_MAP) {
		proto_fail(err, PROTO_E_BAD_REQUEST, "a reply must be a map");
		goto out;
	}
	static const char *const reply_keys[] = { "v", "cmd_id", "op", "ok", "result", "error" };
	if (envelope_unique(root, reply_keys, ARRAY_LEN(reply_keys), err) < 0 ||
	    check_version(root, err) < 0)
		goto out;
	const msgpack_object *cid = map_get(root, "cmd_id");
	if (cid == NULL || cid->type != MSGPACK_OBJECT_STR || cid->via.str.size > PROTO_CMD_ID_MAX) {
		proto_fail(err, PROTO_E_BAD_REQUEST, "reply: missing or bad cmd_id");
		goto out;
	}
	memcpy(out->cmd_id, cid->via.str.ptr, cid->via.str.size);
	const msgpack_object *op = map_get(root, "op");
	if (op != NULL && op->type == MSGPACK_OBJECT_STR && op->via.str.size <= PROTO_OP_MAX &&
	    str_ok(op->via.str.ptr, op->via.str.size)) {
		memcpy(out->op, op->via.str.ptr, op->via.str.size);
		out->op_id = proto_op_lookup(op->via.str.ptr, op->via.str.size);
	}
	const msgpack_object *ok = map_get(root, "ok");
	if (ok == NULL || ok->type != MSGPACK_OBJECT_BOOLEAN) {
		proto_fail(err, PROTO_E_BAD_REQUEST, "reply: missing or non-boolean 'ok'");
		goto out;
	}
	out->ok = ok->via.boolean;
	if (!out->ok) {
		const msgpack_object *e = map_get(root, "error");
		const msgpack_object *code = e ? map_get(e, "code") : NULL;
		const msgpack_object *msg = e ? map_get(e, "message") : NULL;
		if (code == NULL || code->type != MSGPACK_OBJECT_STR || msg == NULL ||
		    msg->type != MSGPACK_OBJECT_STR) {
			proto_fail(err, PROTO_E_BAD_REQUEST, "reply: bad 'error'");
			goto out;
		}
		char name[32];
		size_t n = code->via.str.size < sizeof name - 1 ? code->via.str.size : sizeof name - 1;
		memcpy(name, code->via.str.ptr, n);
		name[n] = '\0';
		out->error.code = proto_err_parse(name);
		n = msg->via.str.size < sizeof out->error.message - 1 ? msg->via.str.size
		    : sizeof out->error.message - 1;
		memcpy(out->error.message, msg->via.str.ptr, n);
		out->error.message[n] = '\0';
		const msgpack_object *fld = map_get(e, "field"); /* optional; ignored if odd */
		out->error.field[0] = '\0';
		if (fld != NULL && fld->type == MSGPACK_OBJECT_STR &&
		    fld->via.str.size < sizeof out->error.field) {
			memcpy(out->error.field, fld->via.str.ptr, fld->via.str.size);
			out->error.field[fld->via.str.size] = '\0';
		}
		/* optional too: params a newer broker words differently are dropped whole, and
		 * the message stands alone */
		const msgpack_object *prm = map_get(e, "params");
		struct proto_error perr;
		if (prm == NULL || decode_obj(prm, PROTO_MSG_error_params, &out->error.params,
		    "error.params", &perr) < 0)
			memset(&out->error.params, 0, sizeof out->error.params);
		r = 0;
		goto out;
	}
	const msgpack_object *res = map_get(root, "result");
	if (res == NULL) {
		proto_fail(err, PROTO_E_BAD_REQUEST, "reply: missing 'result'");
		goto out;
	}
	switch (out->op_id) {
	case PROTO_MSG_hello:
		r = decode_obj(res, PROTO_MSG_hello_result, &out->hello, "result", err);
		break;
	case PROTO_MSG_snapshot:
		/* the arrays are owned by out even when a decode fails */
		r = decode_obj(res, PROTO_MSG_snapshot_part, &out->snap, "result", err);
		for (int s = 0; r == 0 && s < PROTO_STREAM_COUNT; s++)
			r = decode_array(res, proto_streams[s].array,
			    (enum proto_msg_id)proto_streams[s].msg, &out->streams[s].items,
			    &out->streams[s].n, err);
		break;
	case PROTO_MSG_ticket_get: {
		void *e = NULL;
		r = decode_ticket_and(res, "events", PROTO_MSG_event, out, &e, &out->n_events, err);
		out->events = e;
		break;
	}
	case PROTO_MSG_dispatch_candidates: {
		void *c = NULL;
		r = decode_ticket_and(res, "candidates", PROTO_MSG_candidate, out, &c,
		    &out->n_candidates, err);
		out->candidates = c;
		break;
	}
	case PROTO_MSG_ticket_track: {
		void *x = NULL;
		r = decode_obj(res, PROTO_MSG_track_result, &out->track, "result", err);
		if (r == 0)
			r = decode_ticket_and(res, "fixes", PROTO_MSG_track_fix, out, &x,
			    &out->n_fixes, err);
		out->fixes = x;
		break;
	}
	case PROTO_MSG_ticket_search: {
		void *f = NULL;
		r = decode_obj(res, PROTO_MSG_search_result, &out->search, "result", err);
		if (r == 0)
			r = decode_array(res, "tickets", PROTO_MSG_ticket, &f, &out->n_found, err);
		out->found = f;
		break;
	}
	case PROTO_MSG_offer_accept:
	case PROTO_MSG_offer_decline:
	case PROTO_MSG_intake_create:
	case PROTO_MSG_ticket_note:
	case PROTO_MSG_ticket_edit:
	case PROTO_MSG_ticket_callback:
	case PROTO_MSG_ticket_tell:
	case PROTO_MSG_ticket_call:
	case PROTO_MSG_ticket_set_state:
	case PROTO_MSG_ticket_cancel:
	case PROTO_MSG_ticket_assign:
	case PROTO_MSG_diag_start:
	case PROTO_MSG_diag_answer:
	case PROTO_MSG_diag_back:
	case PROTO_MSG_diag_safety:
	case PROTO_MSG_diag_abort:
	case PROTO_MSG_diag_dispatch_now:
	case PROTO_MSG_escalate:
	case PROTO_MSG_survey_put:
	case PROTO_MSG_survey_done:
		r = decode_obj(res, PROTO_MSG_ticket, &out->ticket, "result", err);
		break;
	case PROTO_MSG_warning_ack:
	case PROTO_MSG_warning_release:
	case PROTO_MSG_presence:
		/* the warnings named (or the user's own): in the warning stream's array */
		r = decode_array(res, "warnings", PROTO_MSG_warning,
		    &out->streams[PROTO_STREAM_WARNING].items,
		    &out->streams[PROTO_STREAM_WARNING].n, err);
		break;
	case PROTO_MSG_stats_kpi: {
		/* asked with surveys: today's answers as events (absent: none asked) */
		void *e = NULL;
		r = decode_obj(res, PROTO_MSG_kpi, &out->kpi, "result", err);
		if (r == 0)
			r = decode_array(res, "surveys", PROTO_MSG_event, &e, &out->n_events, err);
		out->events = e;
		break;
	}
	case PROTO_MSG_stats_board: {
		void *su = NULL, *ag = NULL, *ho = NULL;
		r = decode_obj(res, PROTO_MSG_board, &out->board, "result", err);
		if (r == 0)
			r = decode_array(res, "suppliers", PROTO_MSG_board_supplier, &su,
			    &out->n_board_suppliers, err);
		if (r == 0)
			r = decode_array(res, "agents", PROTO_MSG_board_agent, &ag,
			    &out->n_board_agents, err);
		if (r == 0)
			r = decode_array(res, "hours", PROTO_MSG_board_hour, &ho,
			    &out->n_board_hours, err);
		out->board_suppliers = su;
		out->board_agents = ag;
		out->board_hours = ho;
		break;
	}
	case PROTO_MSG_supplier_jobs: {
		/* the trucks and tickets in their streams' arrays, then one job a ticket */
		void *j = NULL;
		r = decode_obj(res, PROTO_MSG_sjobs, &out->sjobs, "result", err);
		if (r == 0)
			r = decode_array(res, "trucks", PROTO_MSG_truck,
			    &out->streams[PROTO_STREAM_TRUCK].items,
			    &out->streams[PROTO_STREAM_TRUCK].n, err);
		if (r == 0)
			r = decode_array(res, "tickets", PROTO_MSG_ticket,
			    &out->streams[PROTO_STREAM_TICKET].items,
			    &out->streams[PROTO_STREAM_TICKET].n, err);
		if (r == 0)
			r = decode_array(res, "jobs", PROTO_MSG_job, &j, &out->n_jobs, err);
		out->jobs = j;
		if (r == 0) {	/* absent from a broker before it */
			void *g = NULL;
			r = decode_array(res, "gone", PROTO_MSG_gone, &g, &out->n_gone, err);
			out->gone = g;
		}
		if (r == 0 && out->n_jobs != out->n_tickets)
			r = proto_fail(err, PROTO_E_BAD_REQUEST, "result: %zu jobs for %zu tickets",
			    out->n_jobs, out->n_tickets);
		break;
	}
	case PROTO_MSG_stats_report:
		r = decode_obj(res, PROTO_MSG_report, &out->report, "result", err);
		if (r == 0)
			r = decode_table(res, &out->table, err);
		break;
	case PROTO_MSG_complaint_put:
		r = decode_obj(res, PROTO_MSG_complaint_ack, &out->complaint_ack, "result", err);
		break;
	case PROTO_MSG_ticket_contact:
		r = decode_obj(res, PROTO_MSG_contact_result, &out->contact, "result", err);
		break;
	case PROTO_MSG_complaint_get:
		/* the one complaint, raw, in the complaint stream's array */
		r = decode_array(res, "complaints", PROTO_MSG_complaint,
		    &out->streams[PROTO_STREAM_COMPLAINT].items,
		    &out->streams[PROTO_STREAM_COMPLAINT].n, err);
		break;
	default:
		r = 0; /* an op we do not know: the envelope is all we can check */
		break;
	}
out:
	if (r < 0)
		proto_reply_finish(out);
	msgpack_unpacked_destroy(&up);
	return r;
}
