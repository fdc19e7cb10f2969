/* check-proto.c: the wire codec (proto/proto.c) against its own table (proto/msg.def).
 *
 * Every message of proto_descs is filled from its descriptor (strings of the maximum length
 * with multi-byte UTF-8, integers and floats at their limits, booleans) and sent through each
 * encoder and decoder that carries it; malformed frames (bad-frames.h) must be refused with
 * the right code and message, and integers of every msgpack width must be taken where numbers
 * are expected. Run it under ASan: nothing may leak on any path. */
#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto.h"
#include "util.h"

#include "bad-frames.h"

/* ---------------------------------------------------------------- filling from descriptors */

enum variant {
	VAR_MAX,  /* longest strings, largest numbers, true; every key */
	VAR_MIN,  /* empty strings, smallest numbers, false; every key */
	VAR_MID,  /* short strings, values inside the range; every key */
	VAR_REQ,  /* like VAR_MID, but only the required keys */
	VAR_COUNT
};

static const char *const var_names[] = { "max", "min", "mid", "required-only" };

/* Multi-byte characters of 3, 3, 2 and 4 bytes. */
static const char *const units[] = { "张", "三", "é", "\xf0\x9f\x9a\x92" };

/* Write exactly want bytes of valid UTF-8 into dst: multi-byte characters while they fit,
 * then ASCII letters. */
static void
fill_str(char *dst, size_t want, unsigned seed)
{
	size_t n = 0;
	unsigned u = seed;

	for (;;) {
		const char *x = units[u % ARRAY_LEN(units)];
		size_t l = strlen(x);
		if (n + l > want)
			break;
		memcpy(dst + n, x, l);
		n += l;
		u++;
	}
	while (n < want) {
		dst[n] = (char)('a' + (seed + n) % 26);
		n++;
	}
	dst[n] = '\0';
}

static uint64_t
all_bits(const struct proto_desc *d)
{
	return d->n_fields >= 64 ? PROTO_ALL : ((uint64_t)1 << d->n_fields) - 1;
}

static uint64_t
required_bits(const struct proto_desc *d)
{
	uint64_t m = 0;
	for (size_t i = 0; i < d->n_fields; i++)
		if (d->fields[i].required)
			m |= (uint64_t)1 << i;
	return m;
}

static void
fill(enum proto_msg_id m, void *msg, enum variant var)
{
	const struct proto_desc *d = &proto_descs[m];
	char *base = msg;
	uint64_t present = var == VAR_REQ ? 0 : PROTO_ALL;

	memset(msg, 0, d->size);
	for (size_t i = 0; i < d->n_fields; i++) {
		const struct proto_field *f = &d->fields[i];
		char *p = base + f->offset;
		switch (f->type) {
		case PT_STR: {
			size_t want = var == VAR_MAX ? f->size - 1 : var == VAR_MIN ? 0 :
			    (f->size - 1 < 7 ? f->size - 1 : 7);
			fill_str(p, want, (unsigned)i);
			break;
		}
		case PT_I64: {
			int64_t v = var == VAR_MAX ? (int64_t)f->max : var == VAR_MIN ?
			    (int64_t)f->min : (int64_t)(f->min + (f->max - f->min) / 3);
			memcpy(p, &v, sizeof v);
			break;
		}
		case PT_F64: {
			double v = var == VAR_MAX ? f->max : var == VAR_MIN ? f->min :
			    f->min + (f->max - f->min) * 0.3183098861837907;
			memcpy(p, &v, sizeof v);
			break;
		}
		case PT_BOOL:
			*(bool *)p = var == VAR_MAX || (var != VAR_MIN && i % 2 == 1);
			break;
		case PT_OBJ:
			fill((enum proto_msg_id)f->sub, p, var);
			break;
		}
	}
	memcpy(base + d->present_off, &present, sizeof present);
}

/* Compare a decoded message with what was encoded: every key that went on the wire must
 * come back identical, every other key must be zero, and `present` must name exactly the
 * keys that were on the wire. */
static void
expect_same(enum proto_msg_id m, const void *sent, const void *got, const char *what)
{
	const struct proto_desc *d = &proto_descs[m];
	const char *a = sent, *b = got;
	uint64_t sp, gp;

	memcpy(&sp, a + d->present_off, sizeof sp);
	memcpy(&gp, b + d->present_off, sizeof gp);
	uint64_t want = (sp & all_bits(d)) | required_bits(d);
	ck_assert_msg(gp == want, "%s: %s: present 0x%llx, expected 0x%llx", what, d->name,
	    (unsigned long long)gp, (unsigned long long)want);
	for (size_t i = 0; i < d->n_fields; i++) {
		const struct proto_field *f = &d->fields[i];
		const char *pa = a + f->offset, *pb = b + f->offset;
		bool on_wire = (want >> i) & 1u;
		switch (f->type) {
		case PT_STR:
			if (on_wire)
				ck_assert_msg(strcmp(pa, pb) == 0, "%s: %s.%s: '%s' came back as '%s'",
				    what, d->name, f->name, pa, pb);
			else
				ck_assert_msg(pb[0] == '\0', "%s: %s.%s: absent but '%s'", what,
				    d->name, f->name, pb);
			break;
		case PT_I64: {
			int64_t x, y;
			memcpy(&x, pa, sizeof x);
			memcpy(&y, pb, sizeof y);
			ck_assert_msg(y == (on_wire ? x : 0), "%s: %s.%s: %lld came back as %lld", what,
			    d->name, f->name, (long long)(on_wire ? x : 0), (long long)y);
			break;
		}
		case PT_F64: {
			double x, y;
			memcpy(&x, pa, sizeof x);
			memcpy(&y, pb, sizeof y);
			ck_assert_msg(y == (on_wire ? x : 0.0), "%s: %s.%s: %.17g came back as %.17g",
			    what, d->name, f->name, on_wire ? x : 0.0, y);
			break;
		}
		case PT_BOOL:
			ck_assert_msg(*(const bool *)pb == (on_wire && *(const bool *)pa),
			    "%s: %s.%s: boolean changed", what, d->name, f->name);
			break;
		case PT_OBJ:
			if (on_wire)
				expect_same((enum proto_msg_id)f->sub, pa, pb, what);
			break;
		}
	}
}

/* Overwrite a frame after decoding: the decoded struct must not point into it. */
static void
scribble(struct proto_buf *b)
{
	if (b->data != NULL)
		memset(b->data, 0xc1, b->len);
}

/* ---------------------------------------------------------------- descriptors */

START_TEST(test_descs)
{
	int n_req = 0;

	for (int m = 0; m < PROTO_MSG_COUNT; m++) {
		const struct proto_desc *d = &proto_descs[m];
		ck_assert_ptr_nonnull(d->name);
		ck_assert_ptr_nonnull(d->wire);
		ck_assert_uint_gt(d->n_fields, 0);
		ck_assert_uint_le(d->n_fields, 64);
		ck_assert_uint_lt(d->present_off, d->size);
		for (size_t i = 0; i < d->n_fields; i++) {
			const struct proto_field *f = &d->fields[i];
			ck_assert_uint_le(f->offset + f->size, d->size);
			if (f->type == PT_I64 || f->type == PT_F64)
				ck_assert_msg(f->min <= f->max, "%s.%s", d->name, f->name);
			if (f->type == PT_STR)
				ck_assert_uint_ge(f->size, 2);
			for (size_t j = 0; j < i; j++)
				ck_assert_msg(strcmp(f->name, d->fields[j].name) != 0,
				    "%s: key %s twice", d->name, f->name);
		}
		if (d->kind == PROTO_KIND_REQUEST) {
			n_req++;
			ck_assert_int_eq(proto_op_lookup(d->wire, strlen(d->wire)), m);
		} else {
			/* entity, feed and result names are not ops */
			int op = proto_op_lookup(d->wire, strlen(d->wire));
			ck_assert_msg(op < 0 || proto_descs[op].kind == PROTO_KIND_REQUEST,
			    "%s looks up as a non-request", d->wire);
		}
	}
	/* the ops of the first protocol version are all there */
	static const char *const ops[] = { "hello", "snapshot", "intake.create", "ticket.get",
		"ticket.note", "ticket.set_state", "ticket.cancel", "ticket.assign" };
	ck_assert_int_ge(n_req, (int)ARRAY_LEN(ops));
	for (size_t i = 0; i < ARRAY_LEN(ops); i++)
		ck_assert_msg(proto_op_lookup(ops[i], strlen(ops[i])) >= 0, "no op %s", ops[i]);
	ck_assert_int_eq(proto_op_lookup("ticket.getx", 10), PROTO_MSG_ticket_get);
	ck_assert_int_eq(proto_op_lookup("ticket.get", 11), -1);
	ck_assert_int_eq(proto_op_lookup("fix", 3), -1);
	ck_assert_int_eq(proto_op_lookup("ticket", 6), -1);
	ck_assert_int_eq(proto_op_lookup("", 0), -1);
}
END_TEST

START_TEST(test_errors_names)
{
	for (int e = 0; e < PROTO_E_COUNT; e++)
		ck_assert_int_eq(proto_err_parse(proto_err_name((enum proto_err)e)), e);
	ck_assert_str_eq(proto_err_name(PROTO_E_UNKNOWN_OP), "unknown_op");
	ck_assert_str_eq(proto_err_name(PROTO_E_TOO_LARGE), "too_large");
	ck_assert_str_eq(proto_err_name((enum proto_err)PROTO_E_COUNT), "internal");
	ck_assert_int_eq(proto_err_parse("no_such_code"), PROTO_E_INTERNAL);

	struct proto_error err;
	ck_assert_int_eq(proto_fail(&err, PROTO_E_CONFLICT, "truck %s busy", "T1"), -1);
	ck_assert_int_eq(err.code, PROTO_E_CONFLICT);
	ck_assert_str_eq(err.message, "truck T1 busy");
	ck_assert_int_eq(proto_fail(NULL, PROTO_E_CONFLICT, "x"), -1);

	ck_assert_str_eq(proto_topic_name(PROTO_MSG_ticket), "ticket");
	ck_assert_str_eq(proto_topic_name(PROTO_MSG_truck), "truck");
	ck_assert_str_eq(proto_topic_name(PROTO_MSG_warning), "warning");
	ck_assert_str_eq(proto_topic_name(PROTO_MSG_hb), "hb");
	ck_assert_str_eq(proto_topic_name(PROTO_MSG_hello), "");
}
END_TEST

/* proto_strset truncates on a UTF-8 boundary */
static const struct {
	const char *src;
	size_t dstsz;
	const char *want;
} strset_cases[] = {
	{ "张三", 7, "张三" },
	{ "张三", 6, "张" },
	{ "张三", 5, "张" },
	{ "张三", 4, "张" },
	{ "张三", 3, "" },
	{ "aé", 3, "a" },
	{ "aé", 4, "aé" },
	{ "abc", 3, "ab" },
	{ "", 1, "" },
	{ "\xf0\x9f\x9a\x92x", 4, "" },
	{ "\xf0\x9f\x9a\x92x", 5, "\xf0\x9f\x9a\x92" },
};

START_TEST(test_strset)
{
	char dst[16];

	memset(dst, 'z', sizeof dst);
	proto_strset(dst, strset_cases[_i].dstsz, strset_cases[_i].src);
	ck_assert_str_eq(dst, strset_cases[_i].want);
	ck_assert_int_eq(dst[strset_cases[_i].dstsz], 'z');
}
END_TEST

START_TEST(test_buf)
{
	struct proto_buf b;
	size_t len = 99;

	proto_buf_init(&b);
	char *p = proto_buf_take(&b, &len);
	ck_assert_ptr_nonnull(p);
	ck_assert_uint_eq(len, 0);
	free(p);
	for (int i = 0; i < 1000; i++)
		proto_pack_str(&b, "张三");
	ck_assert_uint_eq(b.len, 7000);
	proto_buf_reset(&b);
	ck_assert_uint_eq(b.len, 0);
	proto_pack_nil(&b);
	ck_assert_uint_eq(b.len, 1);
	ck_assert_int_eq((unsigned char)b.data[0], 0xc0);
	p = proto_buf_take(&b, &len);
	ck_assert_uint_eq(len, 1);
	ck_assert_ptr_null(b.data);
	free(p);
	proto_buf_finish(&b);
}
END_TEST

/* ---------------------------------------------------------------- round trips */

/* Every message of the table, every variant, through proto_pack_obj and proto_decode_msg. */
START_TEST(test_roundtrip_msg)
{
	enum proto_msg_id m = (enum proto_msg_id)_i;
	union proto_any sent, got;
	struct proto_buf b;
	struct proto_error err;
	char what[64];

	proto_buf_init(&b);
	for (int v = 0; v < VAR_COUNT; v++) {
		snprintf(what, sizeof what, "%s/%s", proto_descs[m].name, var_names[v]);
		fill(m, &sent, (enum variant)v);
		proto_buf_reset(&b);
		proto_pack_obj(&b, m, &sent, 0);
		memset(&got, 0xa5, sizeof got);
		ck_assert_msg(proto_decode_msg(b.data, b.len, m, &got, &err) == 0, "%s: %s", what,
		    err.message);
		scribble(&b);
		expect_same(m, &sent, &got, what);
		ck_assert_uint_eq(proto_obj_keys(m, &sent), __builtin_popcountll(
		    (v == VAR_REQ ? 0 : all_bits(&proto_descs[m])) | required_bits(&proto_descs[m])));
	}
	proto_buf_finish(&b);
}
END_TEST

/* A required key that is missing is refused, by name. */
START_TEST(test_required_keys)
{
	enum proto_msg_id m = (enum proto_msg_id)_i;
	const struct proto_desc *d = &proto_descs[m];
	union proto_any sent, got;
	struct proto_buf b;
	struct proto_error err;
	char want[64];

	proto_buf_init(&b);
	fill(m, &sent, VAR_REQ);
	for (size_t i = 0; i < d->n_fields; i++) {
		if (!d->fields[i].required)
			continue;
		/* pack every required key but field i */
		proto_buf_reset(&b);
		proto_pack_map(&b, proto_obj_keys(m, &sent) - 1);
		for (size_t j = 0; j < d->n_fields; j++) {
			const struct proto_field *f = &d->fields[j];
			const char *p = (const char *)&sent + f->offset;
			if (j == i || !f->required)
				continue;
			proto_pack_str(&b, f->name);
			switch (f->type) {
			case PT_STR:
				proto_pack_str(&b, p);
				break;
			case PT_I64: {
				int64_t x;
				memcpy(&x, p, sizeof x);
				proto_pack_i64(&b, x);
				break;
			}
			case PT_F64: {
				double x;
				memcpy(&x, p, sizeof x);
				proto_pack_f64(&b, x);
				break;
			}
			case PT_BOOL:
				proto_pack_bool(&b, *(const bool *)p);
				break;
			case PT_OBJ:
				proto_pack_obj(&b, (enum proto_msg_id)f->sub, p, 0);
				break;
			}
		}
		ck_assert_int_eq(proto_decode_msg(b.data, b.len, m, &got, &err), -1);
		ck_assert_int_eq(err.code, PROTO_E_BAD_REQUEST);
		snprintf(want, sizeof want, "missing key '%s'", d->fields[i].name);
		ck_assert_msg(strstr(err.message, want) != NULL, "%s: '%s'", d->name, err.message);
	}
	proto_buf_finish(&b);
}
END_TEST

/* Out-of-range values just past each limit are refused, naming the key. */
START_TEST(test_limits)
{
	enum proto_msg_id m = (enum proto_msg_id)_i;
	const struct proto_desc *d = &proto_descs[m];
	union proto_any sent, got;
	struct proto_buf b;
	struct proto_error err;

	proto_buf_init(&b);
	for (size_t i = 0; i < d->n_fields; i++) {
		const struct proto_field *f = &d->fields[i];
		char *p = (char *)&sent + f->offset;
		for (int side = 0; side < 2; side++) {
			fill(m, &sent, VAR_MID);
			if (f->type == PT_STR) {
				if (side == 1)
					continue;
				/* one byte too many: the encoder writes what the buffer holds, so
				 * build the map by hand with this key first */
				char *big = xmalloc(f->size + 1);
				fill_str(big, f->size, 0);
				proto_buf_reset(&b);
				proto_pack_map(&b, 1);
				proto_pack_str(&b, f->name);
				proto_pack_str(&b, big);
				free(big);
			} else if (f->type == PT_I64) {
				if (side == 0 && f->min <= (double)INT64_MIN)
					continue;
				int64_t x = side == 0 ? (int64_t)f->min - 1 : (int64_t)f->max + 1;
				memcpy(p, &x, sizeof x);
				proto_buf_reset(&b);
				proto_pack_obj(&b, m, &sent, 0);
			} else if (f->type == PT_F64) {
				double x = side == 0 ? nextafter(f->min, -INFINITY) :
				    nextafter(f->max, INFINITY);
				memcpy(p, &x, sizeof x);
				proto_buf_reset(&b);
				proto_pack_obj(&b, m, &sent, 0);
			} else {
				continue;
			}
			ck_assert_msg(proto_decode_msg(b.data, b.len, m, &got, &err) == -1,
			    "%s.%s side %d accepted", d->name, f->name, side);
			ck_assert_int_eq(err.code, PROTO_E_BAD_REQUEST);
			char want[64];
			snprintf(want, sizeof want, "%s.%s: ", d->name, f->name);
			ck_assert_msg(strstr(err.message, want) != NULL, "'%s' lacks '%s'", err.message,
			    want);
		}
	}
	proto_buf_finish(&b);
}
END_TEST

/* Every REQUEST op through proto_encode_request and proto_decode_request, with and
 * without "user", with the shortest and the longest cmd_id. */
START_TEST(test_roundtrip_request)
{
	char cmd_max[PROTO_CMD_ID_MAX + 1], user_max[PROTO_USER_MAX + 1];
	const char *users[] = { NULL, "", "agent7", "张三", user_max };
	const char *cmds[] = { "c", "张三-0001", cmd_max };
	struct proto_buf b;
	struct proto_error err;
	struct proto_request req;
	union proto_any args;
	char what[96];
	int n = 0, n_req = 0;

	fill_str(cmd_max, PROTO_CMD_ID_MAX, 1);
	fill_str(user_max, PROTO_USER_MAX, 2);
	proto_buf_init(&b);
	for (int m = 0; m < PROTO_MSG_COUNT; m++) {
		if (proto_descs[m].kind != PROTO_KIND_REQUEST)
			continue;
		n_req++;
		for (int v = 0; v < VAR_COUNT; v++)
			for (size_t u = 0; u < ARRAY_LEN(users); u++)
				for (size_t c = 0; c < ARRAY_LEN(cmds); c++) {
					snprintf(what, sizeof what, "%s/%s/user %zu/cmd %zu",
					    proto_descs[m].wire, var_names[v], u, c);
					fill((enum proto_msg_id)m, &args, (enum variant)v);
					proto_buf_reset(&b);
					proto_encode_request(&b, (enum proto_msg_id)m, cmds[c], users[u],
					    &args);
					ck_assert_msg(proto_prevalidate(b.data, b.len, &err) == 0, "%s: %s",
					    what, err.message);
					ck_assert_msg(proto_decode_request(b.data, b.len, &req, &err) == 0,
					    "%s: %s", what, err.message);
					scribble(&b);
					ck_assert_int_eq(req.v, PROTO_VERSION);
					ck_assert_int_eq(req.op, m);
					ck_assert_str_eq(req.cmd_id, cmds[c]);
					ck_assert_str_eq(req.user, users[u] ? users[u] : "");
					expect_same((enum proto_msg_id)m, &args, &req.args, what);
					n++;
				}
	}
	ck_assert_int_ge(n_req, 8);
	ck_assert_int_eq(n, n_req * VAR_COUNT * 5 * 3);
	proto_buf_finish(&b);
}
END_TEST

/* Unknown keys are ignored at both levels, and key order does not matter. */
START_TEST(test_request_unknown_keys)
{
	struct proto_buf b;
	struct proto_error err;
	struct proto_request req;

	proto_buf_init(&b);
	proto_pack_map(&b, 6);
	proto_pack_str(&b, "args");
	proto_pack_map(&b, 3);
	proto_pack_str(&b, "future");
	proto_pack_array(&b, 2);
	proto_pack_nil(&b);
	proto_pack_map(&b, 0);
	proto_pack_str(&b, "truck");
	proto_pack_str(&b, "HN-A-0001");
	proto_pack_str(&b, "id");
	proto_pack_i64(&b, 42);
	proto_pack_str(&b, "trace");
	proto_pack_str(&b, "abc");
	proto_pack_str(&b, "op");
	proto_pack_str(&b, "ticket.assign");
	proto_pack_str(&b, "cmd_id");
	proto_pack_str(&b, "k-1");
	proto_pack_str(&b, "user");
	proto_pack_str(&b, "李四");
	proto_pack_str(&b, "v");
	proto_pack_i64(&b, 1);
	ck_assert_msg(proto_decode_request(b.data, b.len, &req, &err) == 0, "%s", err.message);
	ck_assert_int_eq(req.op, PROTO_MSG_ticket_assign);
	ck_assert_str_eq(req.cmd_id, "k-1");
	ck_assert_str_eq(req.user, "李四");
	ck_assert_int_eq(req.args.ticket_assign.id, 42);
	ck_assert_str_eq(req.args.ticket_assign.truck, "HN-A-0001");
	ck_assert_uint_eq(req.args.ticket_assign.present, 3);
	proto_buf_finish(&b);
}
END_TEST

/* A frame of exactly PROTO_MAX_REQUEST bytes is taken; one more is too large. */
START_TEST(test_request_max_size)
{
	struct proto_buf b;
	struct proto_error err;
	struct proto_request req;

	proto_buf_init(&b);
	padded_get(&b, PROTO_MAX_REQUEST);
	ck_assert_uint_eq(b.len, PROTO_MAX_REQUEST);
	ck_assert_msg(proto_decode_request(b.data, b.len, &req, &err) == 0, "%s", err.message);
	ck_assert_int_eq(req.op, PROTO_MSG_ticket_get);
	ck_assert_int_eq(req.args.ticket_get.id, 1);
	proto_buf_reset(&b);
	padded_get(&b, PROTO_MAX_REQUEST + 1);
	ck_assert_int_eq(proto_decode_request(b.data, b.len, &req, &err), -1);
	ck_assert_int_eq(err.code, PROTO_E_TOO_LARGE);
	ck_assert_int_eq(req.op, -1);
	ck_assert_str_eq(req.cmd_id, "");
	proto_buf_finish(&b);
}
END_TEST

/* ---------------------------------------------------------------- replies */

static void
decode_reply_ok(const struct proto_buf *b, struct proto_reply *r, const char *what)
{
	struct proto_error err;
	ck_assert_msg(proto_decode_reply(b->data, b->len, r, &err) == 0, "%s: %s", what,
	    err.message);
	ck_assert_msg(r->ok, "%s: not ok", what);
}

START_TEST(test_reply_hello)
{
	struct proto_hello_result res;
	struct proto_reply r;
	struct proto_buf b;

	proto_buf_init(&b);
	for (int v = 0; v < VAR_COUNT; v++) {
		fill(PROTO_MSG_hello_result, &res, (enum variant)v);
		proto_buf_reset(&b);
		proto_encode_reply_ok(&b, "h-1", "hello");
		proto_pack_obj(&b, PROTO_MSG_hello_result, &res, 0);
		decode_reply_ok(&b, &r, var_names[v]);
		scribble(&b);
		ck_assert_str_eq(r.cmd_id, "h-1");
		ck_assert_str_eq(r.op, "hello");
		ck_assert_int_eq(r.op_id, PROTO_MSG_hello);
		expect_same(PROTO_MSG_hello_result, &res, &r.hello, var_names[v]);
		proto_reply_finish(&r);
	}
	proto_buf_finish(&b);
}
END_TEST

START_TEST(test_reply_ticket_ops)
{
	static const enum proto_msg_id ops[] = { PROTO_MSG_intake_create, PROTO_MSG_ticket_note,
		PROTO_MSG_ticket_set_state, PROTO_MSG_ticket_cancel, PROTO_MSG_ticket_assign,
		PROTO_MSG_offer_accept, PROTO_MSG_offer_decline, PROTO_MSG_ticket_edit,
		PROTO_MSG_ticket_callback, PROTO_MSG_escalate, PROTO_MSG_ticket_call };
	struct proto_ticket t;
	struct proto_reply r;
	struct proto_buf b;

	proto_buf_init(&b);
	for (size_t o = 0; o < ARRAY_LEN(ops); o++)
		for (int v = 0; v < VAR_COUNT; v++) {
			fill(PROTO_MSG_ticket, &t, (enum variant)v);
			proto_buf_reset(&b);
			proto_encode_reply_ok(&b, "t-9", proto_descs[ops[o]].wire);
			proto_pack_obj(&b, PROTO_MSG_ticket, &t, 0);
			decode_reply_ok(&b, &r, proto_descs[ops[o]].wire);
			scribble(&b);
			ck_assert_int_eq(r.op_id, ops[o]);
			ck_assert_str_eq(r.op, proto_descs[ops[o]].wire);
			expect_same(PROTO_MSG_ticket, &t, &r.ticket, proto_descs[ops[o]].wire);
			proto_reply_finish(&r);
		}
	proto_buf_finish(&b);
}
END_TEST

/* warning.ack, warning.release and presence answer {"warnings": [...]} (PROTOCOL.md
 * 7.23-7.26): into the warning stream's array, owned by the reply. */
START_TEST(test_reply_warning_ops)
{
	static const enum proto_msg_id ops[] = { PROTO_MSG_warning_ack,
		PROTO_MSG_warning_release, PROTO_MSG_presence };
	struct proto_warning w[VAR_COUNT];
	struct proto_reply r;
	struct proto_buf b;

	proto_buf_init(&b);
	for (int v = 0; v < VAR_COUNT; v++)
		fill(PROTO_MSG_warning, &w[v], (enum variant)v);
	for (size_t o = 0; o < ARRAY_LEN(ops); o++)
		for (size_t n = 0; n <= VAR_COUNT; n++) {
			proto_buf_reset(&b);
			proto_encode_reply_ok(&b, "w-1", proto_descs[ops[o]].wire);
			proto_pack_map(&b, 1);
			proto_pack_str(&b, "warnings");
			proto_pack_array(&b, (uint32_t)n);
			for (size_t i = 0; i < n; i++)
				proto_pack_obj(&b, PROTO_MSG_warning, &w[i], 0);
			decode_reply_ok(&b, &r, proto_descs[ops[o]].wire);
			scribble(&b);
			ck_assert_int_eq(r.op_id, ops[o]);
			ck_assert_uint_eq(r.n_warnings, n);
			for (size_t i = 0; i < n; i++)
				expect_same(PROTO_MSG_warning, &w[i], &r.warnings[i],
				    proto_descs[ops[o]].wire);
			proto_reply_finish(&r);
		}
	proto_buf_finish(&b);
}
END_TEST

START_TEST(test_reply_ticket_get)
{
	struct proto_ticket t;
	struct proto_event ev[VAR_COUNT];
	struct proto_reply r;
	struct proto_buf b;

	proto_buf_init(&b);
	fill(PROTO_MSG_ticket, &t, VAR_MAX);
	for (int v = 0; v < VAR_COUNT; v++)
		fill(PROTO_MSG_event, &ev[v], (enum variant)v);
	for (size_t n = 0; n <= VAR_COUNT; n++) {
		proto_buf_reset(&b);
		proto_encode_reply_ok(&b, "g", "ticket.get");
		proto_pack_map(&b, 2);
		proto_pack_str(&b, "events");
		proto_pack_array(&b, (uint32_t)n);
		for (size_t i = 0; i < n; i++)
			proto_pack_obj(&b, PROTO_MSG_event, &ev[i], 0);
		proto_pack_str(&b, "ticket");
		proto_pack_obj(&b, PROTO_MSG_ticket, &t, 0);
		decode_reply_ok(&b, &r, "ticket.get");
		scribble(&b);
		ck_assert_int_eq(r.op_id, PROTO_MSG_ticket_get);
		expect_same(PROTO_MSG_ticket, &t, &r.ticket, "ticket.get");
		ck_assert_uint_eq(r.n_events, n);
		for (size_t i = 0; i < n; i++)
			expect_same(PROTO_MSG_event, &ev[i], &r.events[i], "ticket.get event");
		proto_reply_finish(&r);
		ck_assert_ptr_null(r.events);
		ck_assert_uint_eq(r.n_events, 0);
	}
	proto_buf_finish(&b);
}
END_TEST

/* ticket.track's result: the head (truck, total), the ticket and the fixes; a fix out of
 * range fails the decode and leaves nothing owned. */
START_TEST(test_reply_track)
{
	struct proto_ticket t;
	struct proto_track_result h;
	struct proto_track_fix x[VAR_COUNT];
	struct proto_reply r;
	struct proto_buf b;
	struct proto_error err;

	proto_buf_init(&b);
	fill(PROTO_MSG_ticket, &t, VAR_MID);
	fill(PROTO_MSG_track_result, &h, VAR_MID);
	for (int v = 0; v < VAR_COUNT; v++)
		fill(PROTO_MSG_track_fix, &x[v], (enum variant)v);
	for (size_t n = 0; n <= VAR_COUNT; n++) {
		proto_buf_reset(&b);
		proto_encode_reply_ok(&b, "tt", "ticket.track");
		proto_pack_obj(&b, PROTO_MSG_track_result, &h, 2);
		proto_pack_str(&b, "ticket");
		proto_pack_obj(&b, PROTO_MSG_ticket, &t, 0);
		proto_pack_str(&b, "fixes");
		proto_pack_array(&b, (uint32_t)n);
		for (size_t i = 0; i < n; i++)
			proto_pack_obj(&b, PROTO_MSG_track_fix, &x[i], 0);
		decode_reply_ok(&b, &r, "ticket.track");
		scribble(&b);
		ck_assert_int_eq(r.op_id, PROTO_MSG_ticket_track);
		expect_same(PROTO_MSG_ticket, &t, &r.ticket, "track ticket");
		expect_same(PROTO_MSG_track_result, &h, &r.track, "track head");
		ck_assert_uint_eq(r.n_fixes, n);
		for (size_t i = 0; i < n; i++)
			expect_same(PROTO_MSG_track_fix, &x[i], &r.fixes[i], "track fix");
		proto_reply_finish(&r);
		ck_assert_ptr_null(r.fixes);
	}
	proto_buf_reset(&b);
	proto_encode_reply_ok(&b, "tt", "ticket.track");
	proto_pack_obj(&b, PROTO_MSG_track_result, &h, 2);
	proto_pack_str(&b, "ticket");
	proto_pack_obj(&b, PROTO_MSG_ticket, &t, 0);
	proto_pack_str(&b, "fixes");
	proto_pack_array(&b, 2);
	proto_pack_obj(&b, PROTO_MSG_track_fix, &x[0], 0);
	x[1].dist_m = -1;
	proto_pack_obj(&b, PROTO_MSG_track_fix, &x[1], 0);
	ck_assert_int_eq(proto_decode_reply(b.data, b.len, &r, &err), -1);
	ck_assert_msg(strstr(err.message, "dist_m") != NULL, "%s", err.message);
	ck_assert_ptr_null(r.fixes);
	proto_reply_finish(&r);
	proto_buf_finish(&b);
}
END_TEST

/* stats.board: the head and its three arrays; a bad row fails the reply whole. */
START_TEST(test_reply_board)
{
	struct proto_board h;
	struct proto_board_supplier su[VAR_COUNT];
	struct proto_board_agent ag[VAR_COUNT];
	struct proto_board_hour ho[VAR_COUNT];
	struct proto_reply r;
	struct proto_buf b;
	struct proto_error err;

	proto_buf_init(&b);
	fill(PROTO_MSG_board, &h, VAR_MID);
	for (int v = 0; v < VAR_COUNT; v++) {
		fill(PROTO_MSG_board_supplier, &su[v], (enum variant)v);
		fill(PROTO_MSG_board_agent, &ag[v], (enum variant)v);
		fill(PROTO_MSG_board_hour, &ho[v], (enum variant)v);
	}
	proto_encode_reply_ok(&b, "sb", "stats.board");
	proto_pack_obj(&b, PROTO_MSG_board, &h, 3);
	proto_pack_str(&b, "suppliers");
	proto_pack_array(&b, VAR_COUNT);
	for (int v = 0; v < VAR_COUNT; v++)
		proto_pack_obj(&b, PROTO_MSG_board_supplier, &su[v], 0);
	proto_pack_str(&b, "agents");
	proto_pack_array(&b, VAR_COUNT);
	for (int v = 0; v < VAR_COUNT; v++)
		proto_pack_obj(&b, PROTO_MSG_board_agent, &ag[v], 0);
	proto_pack_str(&b, "hours");
	proto_pack_array(&b, VAR_COUNT);
	for (int v = 0; v < VAR_COUNT; v++)
		proto_pack_obj(&b, PROTO_MSG_board_hour, &ho[v], 0);
	decode_reply_ok(&b, &r, "stats.board");
	scribble(&b);
	expect_same(PROTO_MSG_board, &h, &r.board, "board head");
	ck_assert_uint_eq(r.n_board_suppliers, VAR_COUNT);
	ck_assert_uint_eq(r.n_board_agents, VAR_COUNT);
	ck_assert_uint_eq(r.n_board_hours, VAR_COUNT);
	for (int v = 0; v < VAR_COUNT; v++) {
		expect_same(PROTO_MSG_board_supplier, &su[v], &r.board_suppliers[v], "supplier");
		expect_same(PROTO_MSG_board_agent, &ag[v], &r.board_agents[v], "agent");
		expect_same(PROTO_MSG_board_hour, &ho[v], &r.board_hours[v], "hour");
	}
	proto_reply_finish(&r);
	ck_assert_ptr_null(r.board_suppliers);
	proto_buf_reset(&b);
	proto_encode_reply_ok(&b, "sb", "stats.board");
	proto_pack_obj(&b, PROTO_MSG_board, &h, 1);
	proto_pack_str(&b, "hours");
	proto_pack_array(&b, 1);
	ho[0].hour = 24;
	proto_pack_obj(&b, PROTO_MSG_board_hour, &ho[0], 0);
	ck_assert_int_eq(proto_decode_reply(b.data, b.len, &r, &err), -1);
	ck_assert_msg(strstr(err.message, "hour") != NULL, "%s", err.message);
	proto_reply_finish(&r);
	proto_buf_finish(&b);
}
END_TEST

/* supplier.jobs: the head, the trucks and tickets in their streams' arrays, one job a
 * ticket; jobs not matching the tickets one for one fail the reply. */
START_TEST(test_reply_supplier_jobs)
{
	struct proto_sjobs h;
	struct proto_truck k[VAR_COUNT];
	struct proto_ticket t[VAR_COUNT];
	struct proto_job j[VAR_COUNT];
	struct proto_reply r;
	struct proto_buf b;
	struct proto_error err;

	proto_buf_init(&b);
	fill(PROTO_MSG_sjobs, &h, VAR_MID);
	for (int v = 0; v < VAR_COUNT; v++) {
		fill(PROTO_MSG_truck, &k[v], (enum variant)v);
		fill(PROTO_MSG_ticket, &t[v], (enum variant)v);
		fill(PROTO_MSG_job, &j[v], (enum variant)v);
	}
	for (int bad = 0; bad < 2; bad++) {
		proto_buf_reset(&b);
		proto_encode_reply_ok(&b, "sj", "supplier.jobs");
		proto_pack_obj(&b, PROTO_MSG_sjobs, &h, 3);
		proto_pack_str(&b, "trucks");
		proto_pack_array(&b, VAR_COUNT);
		for (int v = 0; v < VAR_COUNT; v++)
			proto_pack_obj(&b, PROTO_MSG_truck, &k[v], 0);
		proto_pack_str(&b, "tickets");
		proto_pack_array(&b, VAR_COUNT);
		for (int v = 0; v < VAR_COUNT; v++)
			proto_pack_obj(&b, PROTO_MSG_ticket, &t[v], 0);
		proto_pack_str(&b, "jobs");
		proto_pack_array(&b, VAR_COUNT - bad);
		for (int v = 0; v < VAR_COUNT - bad; v++)
			proto_pack_obj(&b, PROTO_MSG_job, &j[v], 0);
		if (bad) {
			ck_assert_int_eq(proto_decode_reply(b.data, b.len, &r, &err), -1);
			ck_assert_msg(strstr(err.message, "jobs for") != NULL, "%s", err.message);
			proto_reply_finish(&r);
			ck_assert_ptr_null(r.jobs);
			continue;
		}
		decode_reply_ok(&b, &r, "supplier.jobs");
		scribble(&b);
		expect_same(PROTO_MSG_sjobs, &h, &r.sjobs, "jobs head");
		ck_assert_uint_eq(r.n_trucks, VAR_COUNT);
		ck_assert_uint_eq(r.n_tickets, VAR_COUNT);
		ck_assert_uint_eq(r.n_jobs, VAR_COUNT);
		for (int v = 0; v < VAR_COUNT; v++) {
			expect_same(PROTO_MSG_truck, &k[v], &r.trucks[v], "truck");
			expect_same(PROTO_MSG_ticket, &t[v], &r.tickets[v], "ticket");
			expect_same(PROTO_MSG_job, &j[v], &r.jobs[v], "job");
		}
		proto_reply_finish(&r);
		ck_assert_ptr_null(r.jobs);
	}
	proto_buf_finish(&b);
}
END_TEST

/* stats.report's table: names, then rows of strings, integers, numbers and nil, each row
 * as long as the header; anything else fails the reply. */
static void
report_head(struct proto_buf *b)
{
	struct proto_report h = { .present = PROTO_ALL, .now = 5, .from = 1, .to = 2 };
	PROTO_STRSET(h.kind, "phone");
	proto_buf_reset(b);
	proto_encode_reply_ok(b, "sr", "stats.report");
	proto_pack_obj(b, PROTO_MSG_report, &h, 2);
	proto_pack_str(b, "header");
	proto_pack_array(b, 3);
	proto_pack_str(b, "date");
	proto_pack_str(b, "calls");
	proto_pack_str(b, "rate");
	proto_pack_str(b, "rows");
}

START_TEST(test_reply_report)
{
	struct proto_reply r;
	struct proto_buf b;
	struct proto_error err;

	proto_buf_init(&b);
	report_head(&b);
	proto_pack_array(&b, 2);
	proto_pack_array(&b, 3);
	proto_pack_str(&b, "2026-03-02");
	proto_pack_i64(&b, -4);
	proto_pack_f64(&b, 0.25);
	proto_pack_array(&b, 3);
	proto_pack_str(&b, "total");
	proto_pack_i64(&b, 12);
	proto_pack_nil(&b);
	decode_reply_ok(&b, &r, "stats.report");
	scribble(&b);
	ck_assert_str_eq(r.report.kind, "phone");
	ck_assert_int_eq(r.report.now, 5);
	ck_assert_uint_eq(r.table.n_cols, 3);
	ck_assert_uint_eq(r.table.n_rows, 2);
	ck_assert_str_eq(r.table.header[1], "calls");
	ck_assert_int_eq(r.table.cells[0].type, PROTO_CELL_STR);
	ck_assert_str_eq(r.table.cells[0].s, "2026-03-02");
	ck_assert_int_eq(r.table.cells[1].type, PROTO_CELL_INT);
	ck_assert_int_eq(r.table.cells[1].i, -4);
	ck_assert_int_eq(r.table.cells[2].type, PROTO_CELL_F64);
	ck_assert_double_eq(r.table.cells[2].f, 0.25);
	ck_assert_int_eq(r.table.cells[5].type, PROTO_CELL_NIL);
	proto_reply_finish(&r);
	ck_assert_ptr_null(r.table.cells);
	ck_assert_ptr_null(r.table.header);

	/* a row short of a cell, a cell that is a map, a boolean, no rows at all */
	for (int bad = 0; bad < 4; bad++) {
		report_head(&b);
		if (bad == 3) {
			b.len -= 5;	/* drop the key "rows" */
			proto_pack_str(&b, "rowz");
			proto_pack_array(&b, 0);
		} else {
			proto_pack_array(&b, 1);
			proto_pack_array(&b, bad == 0 ? 2 : 3);
			proto_pack_str(&b, "x");
			proto_pack_i64(&b, 1);
			if (bad == 1)
				proto_pack_map(&b, 0);
			else if (bad == 2)
				proto_pack_bool(&b, true);
		}
		ck_assert_int_eq(proto_decode_reply(b.data, b.len, &r, &err), -1);
		ck_assert_msg(strstr(err.message, "result.rows") != NULL, "%d: %s", bad,
		    err.message);
		proto_reply_finish(&r);
	}
	proto_buf_finish(&b);
}
END_TEST

START_TEST(test_reply_candidates)
{
	struct proto_ticket t;
	struct proto_candidate c[VAR_COUNT];
	struct proto_reply r;
	struct proto_buf b;
	struct proto_error err;

	proto_buf_init(&b);
	fill(PROTO_MSG_ticket, &t, VAR_MID);
	for (int v = 0; v < VAR_COUNT; v++)
		fill(PROTO_MSG_candidate, &c[v], (enum variant)v);
	for (size_t n = 0; n <= VAR_COUNT; n++) {
		proto_buf_reset(&b);
		proto_encode_reply_ok(&b, "dc", "dispatch.candidates");
		proto_pack_map(&b, 2);
		proto_pack_str(&b, "ticket");
		proto_pack_obj(&b, PROTO_MSG_ticket, &t, 0);
		proto_pack_str(&b, "candidates");
		proto_pack_array(&b, (uint32_t)n);
		for (size_t i = 0; i < n; i++)
			proto_pack_obj(&b, PROTO_MSG_candidate, &c[i], 0);
		decode_reply_ok(&b, &r, "dispatch.candidates");
		scribble(&b);
		ck_assert_int_eq(r.op_id, PROTO_MSG_dispatch_candidates);
		expect_same(PROTO_MSG_ticket, &t, &r.ticket, "candidates ticket");
		ck_assert_uint_eq(r.n_candidates, n);
		for (size_t i = 0; i < n; i++)
			expect_same(PROTO_MSG_candidate, &c[i], &r.candidates[i], "candidate");
		proto_reply_finish(&r);
		ck_assert_ptr_null(r.candidates);
	}
	/* without the ticket, and with a bad candidate */
	proto_buf_reset(&b);
	proto_encode_reply_ok(&b, "dc", "dispatch.candidates");
	proto_pack_map(&b, 1);
	proto_pack_str(&b, "candidates");
	proto_pack_array(&b, 0);
	ck_assert_int_eq(proto_decode_reply(b.data, b.len, &r, &err), -1);
	ck_assert_msg(strstr(err.message, "result: missing key 'ticket'") != NULL, "%s",
	    err.message);
	proto_reply_finish(&r);
	proto_buf_reset(&b);
	proto_encode_reply_ok(&b, "dc", "dispatch.candidates");
	proto_pack_map(&b, 2);
	proto_pack_str(&b, "ticket");
	proto_pack_obj(&b, PROTO_MSG_ticket, &t, 0);
	proto_pack_str(&b, "candidates");
	proto_pack_array(&b, 2);
	proto_pack_obj(&b, PROTO_MSG_candidate, &c[0], 0);
	proto_pack_map(&b, 1);
	proto_pack_str(&b, "truck");
	proto_pack_str(&b, "X");
	ck_assert_int_eq(proto_decode_reply(b.data, b.len, &r, &err), -1);
	ck_assert_msg(strstr(err.message, "candidates: missing key") != NULL, "%s", err.message);
	ck_assert_str_eq(r.cmd_id, "dc");
	ck_assert_ptr_null(r.candidates);
	proto_reply_finish(&r);
	proto_buf_finish(&b);
}
END_TEST

/* Every decoder refuses its envelope keys twice: a reply, a feed message, a publication. */
START_TEST(test_envelope_duplicates)
{
	struct proto_buf b;
	struct proto_error err;
	struct proto_reply r;
	struct proto_feed f;
	struct proto_pub p;
	struct proto_ticket t;

	proto_buf_init(&b);
	proto_pack_map(&b, 6);
	proto_pack_str(&b, "v");
	proto_pack_i64(&b, 1);
	proto_pack_str(&b, "cmd_id");
	proto_pack_str(&b, "x");
	proto_pack_str(&b, "op");
	proto_pack_str(&b, "hello");
	proto_pack_str(&b, "ok");
	proto_pack_bool(&b, false);
	proto_pack_str(&b, "ok");
	proto_pack_bool(&b, true);
	proto_pack_str(&b, "result");
	proto_pack_map(&b, 0);
	ck_assert_int_eq(proto_decode_reply(b.data, b.len, &r, &err), -1);
	ck_assert_str_eq(err.message, "duplicate key 'ok'");
	proto_reply_finish(&r);

	proto_buf_reset(&b);
	proto_pack_map(&b, 3);
	proto_pack_str(&b, "type");
	proto_pack_str(&b, "fix");
	proto_pack_str(&b, "v");
	proto_pack_i64(&b, 1);
	proto_pack_str(&b, "type");
	proto_pack_str(&b, "status");
	ck_assert_int_eq(proto_decode_feed(b.data, b.len, &f, &err), -1);
	ck_assert_str_eq(err.message, "duplicate key 'type'");

	fill(PROTO_MSG_ticket, &t, VAR_MID);
	proto_buf_reset(&b);
	proto_pack_map(&b, 6);
	proto_pack_str(&b, "v");
	proto_pack_i64(&b, 1);
	proto_pack_str(&b, "epoch");
	proto_pack_i64(&b, 1);
	proto_pack_str(&b, "seq");
	proto_pack_i64(&b, 1);
	proto_pack_str(&b, "ts");
	proto_pack_i64(&b, 1);
	proto_pack_str(&b, "ticket");
	proto_pack_obj(&b, PROTO_MSG_ticket, &t, 0);
	proto_pack_str(&b, "ticket");
	proto_pack_obj(&b, PROTO_MSG_ticket, &t, 0);
	ck_assert_int_eq(proto_decode_pub("ticket", 6, b.data, b.len, &p, &err), -1);
	ck_assert_str_eq(err.message, "duplicate key 'ticket'");
	proto_buf_finish(&b);
}
END_TEST

START_TEST(test_reply_snapshot)
{
	struct proto_snapshot_part head;
	struct proto_ticket t[3];
	struct proto_truck k[4];
	struct proto_warning w[2];
	struct proto_reply r;
	struct proto_buf b;

	proto_buf_init(&b);
	fill(PROTO_MSG_snapshot_part, &head, VAR_MID);
	for (int i = 0; i < 3; i++)
		fill(PROTO_MSG_ticket, &t[i], (enum variant)i);
	for (int i = 0; i < 4; i++)
		fill(PROTO_MSG_truck, &k[i], (enum variant)i);
	for (int i = 0; i < 2; i++)
		fill(PROTO_MSG_warning, &w[i], (enum variant)(i + 2));
	proto_encode_reply_ok(&b, "s", "snapshot");
	proto_pack_obj(&b, PROTO_MSG_snapshot_part, &head, 3);
	proto_pack_str(&b, "tickets");
	proto_pack_array(&b, 3);
	for (int i = 0; i < 3; i++)
		proto_pack_obj(&b, PROTO_MSG_ticket, &t[i], 0);
	proto_pack_str(&b, "trucks");
	proto_pack_array(&b, 4);
	for (int i = 0; i < 4; i++)
		proto_pack_obj(&b, PROTO_MSG_truck, &k[i], 0);
	proto_pack_str(&b, "warnings");
	proto_pack_array(&b, 2);
	for (int i = 0; i < 2; i++)
		proto_pack_obj(&b, PROTO_MSG_warning, &w[i], 0);
	decode_reply_ok(&b, &r, "snapshot");
	scribble(&b);
	ck_assert_int_eq(r.op_id, PROTO_MSG_snapshot);
	expect_same(PROTO_MSG_snapshot_part, &head, &r.snap, "snapshot head");
	ck_assert_uint_eq(r.n_tickets, 3);
	ck_assert_uint_eq(r.n_trucks, 4);
	ck_assert_uint_eq(r.n_warnings, 2);
	for (int i = 0; i < 3; i++)
		expect_same(PROTO_MSG_ticket, &t[i], &r.tickets[i], "snapshot ticket");
	for (int i = 0; i < 4; i++)
		expect_same(PROTO_MSG_truck, &k[i], &r.trucks[i], "snapshot truck");
	for (int i = 0; i < 2; i++)
		expect_same(PROTO_MSG_warning, &w[i], &r.warnings[i], "snapshot warning");
	proto_reply_finish(&r);

	/* empty arrays, and arrays left out */
	proto_buf_reset(&b);
	proto_encode_reply_ok(&b, "s", "snapshot");
	proto_pack_obj(&b, PROTO_MSG_snapshot_part, &head, 1);
	proto_pack_str(&b, "trucks");
	proto_pack_array(&b, 0);
	decode_reply_ok(&b, &r, "empty snapshot");
	ck_assert_uint_eq(r.n_tickets + r.n_trucks + r.n_warnings, 0);
	proto_reply_finish(&r);

	/* a bad element in a later array: refused, and nothing leaks */
	struct proto_error err;
	proto_buf_reset(&b);
	proto_encode_reply_ok(&b, "s", "snapshot");
	proto_pack_obj(&b, PROTO_MSG_snapshot_part, &head, 2);
	proto_pack_str(&b, "tickets");
	proto_pack_array(&b, 2);
	proto_pack_obj(&b, PROTO_MSG_ticket, &t[0], 0);
	proto_pack_obj(&b, PROTO_MSG_ticket, &t[1], 0);
	proto_pack_str(&b, "trucks");
	proto_pack_array(&b, 2);
	proto_pack_obj(&b, PROTO_MSG_truck, &k[0], 0);
	proto_pack_map(&b, 0);
	ck_assert_int_eq(proto_decode_reply(b.data, b.len, &r, &err), -1);
	ck_assert_msg(strstr(err.message, "trucks: missing key 'id'") != NULL, "%s", err.message);
	ck_assert_ptr_null(r.tickets);
	ck_assert_ptr_null(r.trucks);
	proto_reply_finish(&r);

	/* an array that is not an array */
	proto_buf_reset(&b);
	proto_encode_reply_ok(&b, "s", "snapshot");
	proto_pack_obj(&b, PROTO_MSG_snapshot_part, &head, 1);
	proto_pack_str(&b, "warnings");
	proto_pack_str(&b, "none");
	ck_assert_int_eq(proto_decode_reply(b.data, b.len, &r, &err), -1);
	ck_assert_msg(strstr(err.message, "result.warnings: expected an array") != NULL, "%s",
	    err.message);
	proto_reply_finish(&r);
	proto_buf_finish(&b);
}
END_TEST

START_TEST(test_reply_errors)
{
	struct proto_reply r;
	struct proto_buf b;
	char cmd[PROTO_CMD_ID_MAX + 1];

	fill_str(cmd, PROTO_CMD_ID_MAX, 3);
	proto_buf_init(&b);
	for (int e = 0; e < PROTO_E_COUNT; e++) {
		struct proto_error err;
		proto_buf_reset(&b);
		proto_encode_reply_error(&b, cmd, "ticket.cancel", (enum proto_err)e,
		    "取消需要原因: a cancellation needs a reason");
		ck_assert_msg(proto_decode_reply(b.data, b.len, &r, &err) == 0, "%s", err.message);
		scribble(&b);
		ck_assert(!r.ok);
		ck_assert_int_eq(r.error.code, e);
		ck_assert_str_eq(r.error.message, "取消需要原因: a cancellation needs a reason");
		ck_assert_str_eq(r.cmd_id, cmd);
		ck_assert_str_eq(r.op, "ticket.cancel");
		ck_assert_int_eq(r.op_id, PROTO_MSG_ticket_cancel);
		proto_reply_finish(&r);
	}
	/* the optional field an error is about */
	proto_buf_reset(&b);
	proto_encode_reply_error_at(&b, cmd, "intake.create", PROTO_E_BAD_REQUEST, "phone",
	    "phone: too short");
	ck_assert_msg(proto_decode_reply(b.data, b.len, &r, NULL) == 0, "decode");
	ck_assert_str_eq(r.error.field, "phone");
	ck_assert_str_eq(r.error.message, "phone: too short");
	proto_reply_finish(&r);
	proto_buf_reset(&b);
	proto_encode_reply_error_at(&b, cmd, "intake.create", PROTO_E_BAD_REQUEST, "", "x");
	ck_assert_msg(proto_decode_reply(b.data, b.len, &r, NULL) == 0, "decode");
	ck_assert_str_eq(r.error.field, "");
	proto_reply_finish(&r);
	/* the optional params of a refusal (5.2): read back; absent without them; dropped
	 * whole, the message kept, when they do not read */
	struct proto_error_params ep = { .km = 1336, .present = 0 };
	PROTO_STRSET(ep.reason, "far_from_region");
	PROTO_STRSET(ep.region, "changsha");
	ep.present = (uint64_t)1 << PROTO_error_params_reason |
	    (uint64_t)1 << PROTO_error_params_region | (uint64_t)1 << PROTO_error_params_km;
	proto_buf_reset(&b);
	proto_encode_reply_error_params(&b, cmd, "intake.create", PROTO_E_BAD_REQUEST, "lat", &ep,
	    "location is 1336 km from region changsha; check the coordinates");
	ck_assert_msg(proto_decode_reply(b.data, b.len, &r, NULL) == 0, "decode");
	ck_assert_str_eq(r.error.field, "lat");
	ck_assert_str_eq(r.error.params.reason, "far_from_region");
	ck_assert_str_eq(r.error.params.region, "changsha");
	ck_assert_int_eq(r.error.params.km, 1336);
	ck_assert(!PROTO_HAS(&r.error.params, error_params, truck));
	proto_reply_finish(&r);
	proto_buf_reset(&b);
	proto_encode_reply_error_at(&b, cmd, "intake.create", PROTO_E_BAD_REQUEST, "lat", "x");
	ck_assert_msg(proto_decode_reply(b.data, b.len, &r, NULL) == 0, "decode");
	ck_assert_int_eq(r.error.params.present, 0);
	proto_reply_finish(&r);
	proto_buf_reset(&b);
	{
		/* {"v":1,"cmd_id":cmd,"op":"x","ok":false,"error":{"code":..,"message":..,
		 * "params":{"reason":"far_from_region","km":"far"}}} */
		proto_pack_map(&b, 5);
		proto_pack_str(&b, "v");
		proto_pack_i64(&b, PROTO_VERSION);
		proto_pack_str(&b, "cmd_id");
		proto_pack_str(&b, cmd);
		proto_pack_str(&b, "op");
		proto_pack_str(&b, "intake.create");
		proto_pack_str(&b, "ok");
		proto_pack_bool(&b, false);
		proto_pack_str(&b, "error");
		proto_pack_map(&b, 3);
		proto_pack_str(&b, "code");
		proto_pack_str(&b, "bad_request");
		proto_pack_str(&b, "message");
		proto_pack_str(&b, "far away");
		proto_pack_str(&b, "params");
		proto_pack_map(&b, 2);
		proto_pack_str(&b, "reason");
		proto_pack_str(&b, "far_from_region");
		proto_pack_str(&b, "km");
		proto_pack_str(&b, "far");
	}
	ck_assert_msg(proto_decode_reply(b.data, b.len, &r, NULL) == 0, "decode");
	ck_assert_str_eq(r.error.message, "far away");
	ck_assert_int_eq(r.error.params.present, 0);
	proto_reply_finish(&r);
	/* an error about a frame whose op and cmd_id could not be read */
	proto_buf_reset(&b);
	proto_encode_reply_error(&b, "", "", PROTO_E_BAD_REQUEST, "empty message");
	struct proto_error err;
	ck_assert_msg(proto_decode_reply(b.data, b.len, &r, &err) == 0, "%s", err.message);
	ck_assert(!r.ok);
	ck_assert_str_eq(r.cmd_id, "");
	ck_assert_int_eq(r.op_id, -1);
	ck_assert_int_eq(r.error.code, PROTO_E_BAD_REQUEST);
	proto_reply_finish(&r);

	/* an op we do not know yet: the envelope decodes, the result is not looked at */
	proto_buf_reset(&b);
	proto_encode_reply_ok(&b, "x", "ticket.merge");
	proto_pack_array(&b, 1);
	proto_pack_nil(&b);
	decode_reply_ok(&b, &r, "unknown op");
	ck_assert_int_eq(r.op_id, -1);
	ck_assert_str_eq(r.op, "ticket.merge");
	proto_reply_finish(&r);

	/* a result that does not decode: the reply is refused, but still names its cmd_id */
	proto_buf_reset(&b);
	proto_encode_reply_ok(&b, "keep-me", "ticket.note");
	proto_pack_map(&b, 1);
	proto_pack_str(&b, "state");
	proto_pack_str(&b, "new");
	ck_assert_int_eq(proto_decode_reply(b.data, b.len, &r, &err), -1);
	ck_assert_msg(strstr(err.message, "result: missing key 'id'") != NULL, "%s", err.message);
	ck_assert_str_eq(r.cmd_id, "keep-me");
	proto_reply_finish(&r);
	proto_buf_reset(&b);
	proto_encode_reply_ok(&b, "keep-me-too", "ticket.get");
	proto_pack_map(&b, 2);
	proto_pack_str(&b, "ticket");
	{
		struct proto_ticket t;
		fill(PROTO_MSG_ticket, &t, VAR_MID);
		proto_pack_obj(&b, PROTO_MSG_ticket, &t, 0);
	}
	proto_pack_str(&b, "events");
	proto_pack_array(&b, 1);
	proto_pack_map(&b, 0);
	ck_assert_int_eq(proto_decode_reply(b.data, b.len, &r, &err), -1);
	ck_assert_str_eq(r.cmd_id, "keep-me-too");
	ck_assert_ptr_null(r.events);
	proto_reply_finish(&r);

	/* an error without its message */
	proto_buf_reset(&b);
	proto_pack_map(&b, 4);
	proto_pack_str(&b, "v");
	proto_pack_i64(&b, 1);
	proto_pack_str(&b, "cmd_id");
	proto_pack_str(&b, "x");
	proto_pack_str(&b, "ok");
	proto_pack_bool(&b, false);
	proto_pack_str(&b, "error");
	proto_pack_map(&b, 1);
	proto_pack_str(&b, "code");
	proto_pack_str(&b, "conflict");
	ck_assert_int_eq(proto_decode_reply(b.data, b.len, &r, &err), -1);
	ck_assert_msg(strstr(err.message, "bad 'error'") != NULL, "%s", err.message);
	proto_reply_finish(&r);
	proto_buf_finish(&b);
}
END_TEST

/* ---------------------------------------------------------------- pub and feed */

START_TEST(test_roundtrip_pub)
{
	static const enum proto_msg_id ents[] = { PROTO_MSG_ticket, PROTO_MSG_truck,
		PROTO_MSG_warning };
	static const enum proto_topic topics[] = { PROTO_TOPIC_TICKET, PROTO_TOPIC_TRUCK,
		PROTO_TOPIC_WARNING };
	union proto_any sent;
	struct proto_pub p;
	struct proto_buf b;
	struct proto_error err;
	const int64_t big = 9007199254740991;

	proto_buf_init(&b);
	for (size_t e = 0; e < ARRAY_LEN(ents); e++)
		for (int v = 0; v < VAR_COUNT; v++) {
			const char *topic = proto_topic_name(ents[e]);
			fill(ents[e], &sent, (enum variant)v);
			proto_buf_reset(&b);
			proto_encode_pub(&b, ents[e], v == VAR_MAX ? big : 1, v == VAR_MAX ? big : 1,
			    v == VAR_MAX ? big : 0, &sent);
			ck_assert_msg(proto_decode_pub(topic, strlen(topic), b.data, b.len, &p, &err) == 0,
			    "%s/%s: %s", topic, var_names[v], err.message);
			scribble(&b);
			ck_assert_int_eq(p.topic, topics[e]);
			ck_assert_int_eq(p.epoch, v == VAR_MAX ? big : 1);
			ck_assert_int_eq(p.seq, v == VAR_MAX ? big : 1);
			ck_assert_int_eq(p.ts, v == VAR_MAX ? big : 0);
			expect_same(ents[e], &sent, &p.u, topic);
		}

	for (int v = 0; v < VAR_COUNT; v++) {
		struct proto_hb hb;
		fill(PROTO_MSG_hb, &hb, (enum variant)v);
		hb.v = PROTO_VERSION;
		proto_buf_reset(&b);
		proto_pack_obj(&b, PROTO_MSG_hb, &hb, 0);
		ck_assert_msg(proto_decode_pub("hb", 2, b.data, b.len, &p, &err) == 0, "hb/%s: %s",
		    var_names[v], err.message);
		scribble(&b);
		ck_assert_int_eq(p.topic, PROTO_TOPIC_HB);
		ck_assert_int_eq(p.epoch, hb.epoch);
		ck_assert_int_eq(p.seq, hb.seq);
		ck_assert_int_eq(p.ts, hb.ts);
		expect_same(PROTO_MSG_hb, &hb, &p.u.hb, "hb");
	}
	proto_buf_finish(&b);
}
END_TEST

/* The index of key `name` in message m, or -1. */
static int
field_index(enum proto_msg_id m, const char *name)
{
	for (size_t i = 0; i < proto_descs[m].n_fields; i++)
		if (strcmp(proto_descs[m].fields[i].name, name) == 0)
			return (int)i;
	return -1;
}

/* Every row of the stream table, one at a time: its description agrees with msg.def, the
 * snapshot head and the heartbeat carry its keys where the accessors look, a publication is
 * exactly {"v","epoch","seq","ts",<topic>} around the entity and decodes back, the entity
 * helpers read its key, ver and retiring flag, and a snapshot reply fills its array and no
 * other. */
START_TEST(test_stream)
{
	const enum proto_stream s = (enum proto_stream)_i;
	const struct proto_stream_desc *sd = &proto_streams[s];
	const enum proto_msg_id m = (enum proto_msg_id)sd->msg;
	const struct proto_desc *d = &proto_descs[m];
	union proto_any sent[2], head_u;
	struct proto_snapshot_part *head = &head_u.snapshot_part;
	struct proto_hb hb;
	struct proto_pub p;
	struct proto_reply r;
	struct proto_buf b, ref;
	struct proto_error err;
	char name[64], key[64], want[64];
	int f;

	/* the row against msg.def */
	ck_assert_int_eq(d->kind, PROTO_KIND_ENTITY);
	ck_assert_str_eq(sd->topic, d->wire);
	ck_assert_str_eq(proto_topic_name(m), sd->topic);
	ck_assert_int_eq(proto_stream_of(m), s);
	ck_assert_int_eq(proto_topic_lookup(sd->topic, strlen(sd->topic)), (int)s);
	ck_assert_int_eq(proto_topic_lookup(sd->topic, strlen(sd->topic) - 1), -1);
	ck_assert(d->fields[sd->key].type == PT_I64 || d->fields[sd->key].type == PT_STR);
	ck_assert(d->fields[sd->key].required);
	ck_assert_str_eq(d->fields[sd->ver].name, "ver");
	ck_assert_int_eq(d->fields[sd->ver].type, PT_I64);
	ck_assert(!d->fields[sd->ver].required);
	ck_assert(sd->gone == -1 || d->fields[sd->gone].type == PT_BOOL);

	/* its keys in the snapshot head and the heartbeat, where the accessors look */
	snprintf(name, sizeof name, "seq_%s", sd->topic);
	f = field_index(PROTO_MSG_snapshot_part, name);
	ck_assert_msg(f >= 0, "snapshot_part has no %s", name);
	ck_assert(proto_descs[PROTO_MSG_snapshot_part].fields[f].required);
	ck_assert_uint_eq(proto_descs[PROTO_MSG_snapshot_part].fields[f].offset, sd->snap_seq_off);
	f = field_index(PROTO_MSG_hb, name);
	ck_assert_msg(f >= 0, "hb has no %s", name);
	ck_assert(proto_descs[PROTO_MSG_hb].fields[f].required);
	ck_assert_uint_eq(proto_descs[PROTO_MSG_hb].fields[f].offset, sd->hb_seq_off);
	snprintf(name, sizeof name, "total_%s", sd->array);
	f = field_index(PROTO_MSG_snapshot_part, name);
	ck_assert_msg(f >= 0, "snapshot_part has no %s", name);
	ck_assert_uint_eq(proto_descs[PROTO_MSG_snapshot_part].fields[f].offset,
	    sd->snap_total_off);
	fill(PROTO_MSG_snapshot_part, head, VAR_MID);
	fill(PROTO_MSG_hb, &hb, VAR_MID);
	proto_snapshot_set(head, s, 1234, 56);
	proto_hb_set_seq(&hb, s, 789);
	ck_assert_int_eq(proto_snapshot_seq(head, s), 1234);
	ck_assert_int_eq(proto_snapshot_total(head, s), 56);
	ck_assert_int_eq(proto_hb_seq(&hb, s), 789);
	for (int o = 0; o < PROTO_STREAM_COUNT; o++)
		if (o != (int)s) {
			ck_assert_int_ne(proto_snapshot_seq(head, o), 1234);
			ck_assert_int_ne(proto_hb_seq(&hb, o), 789);
		}

	/* a publication, byte for byte, and back */
	proto_buf_init(&b);
	proto_buf_init(&ref);
	fill(m, &sent[0], VAR_MAX);
	proto_encode_pub(&b, m, 7, 8, 9, &sent[0]);
	proto_pack_map(&ref, 5);
	proto_pack_str(&ref, "v");
	proto_pack_i64(&ref, PROTO_VERSION);
	proto_pack_str(&ref, "epoch");
	proto_pack_i64(&ref, 7);
	proto_pack_str(&ref, "seq");
	proto_pack_i64(&ref, 8);
	proto_pack_str(&ref, "ts");
	proto_pack_i64(&ref, 9);
	proto_pack_str(&ref, sd->topic);
	proto_pack_obj(&ref, m, &sent[0], 0);
	ck_assert_uint_eq(b.len, ref.len);
	ck_assert(memcmp(b.data, ref.data, b.len) == 0);
	proto_buf_reset(&ref);
	proto_pack_obj(&ref, m, &sent[0], 0);
	struct proto_buf whole = b;
	proto_buf_init(&b);
	proto_encode_pub_raw(&b, m, 7, 8, 9, ref.data, ref.len);
	ck_assert_uint_eq(b.len, whole.len);
	ck_assert(memcmp(b.data, whole.data, b.len) == 0);
	proto_buf_finish(&whole);
	ck_assert_msg(proto_decode_pub(sd->topic, strlen(sd->topic), b.data, b.len, &p, &err) == 0,
	    "%s: %s", sd->topic, err.message);
	scribble(&b);
	ck_assert_int_eq(p.topic, (int)s);
	ck_assert_int_eq(p.seq, 8);
	expect_same(m, &sent[0], &p.u, sd->topic);

	/* the entity helpers */
	if (d->fields[sd->key].type == PT_I64) {
		int64_t id;
		memcpy(&id, (const char *)&sent[0] + d->fields[sd->key].offset, sizeof id);
		snprintf(want, sizeof want, "%lld", (long long)id);
	} else
		rd_strlcpy(want, (const char *)&sent[0] + d->fields[sd->key].offset, sizeof want);
	proto_entity_key(s, &sent[0], key, sizeof key);
	ck_assert_str_eq(key, want);
	fill(m, &sent[1], VAR_MIN); /* every key, false booleans; then no ver */
	uint64_t present;
	memcpy(&present, (const char *)&sent[1] + d->present_off, sizeof present);
	present &= ~((uint64_t)1 << sd->ver);
	memcpy((char *)&sent[1] + d->present_off, &present, sizeof present);
	ck_assert_int_eq(proto_entity_ver(s, &sent[1]), -1);
	proto_entity_set_ver(s, &sent[1], 42);
	ck_assert_int_eq(proto_entity_ver(s, &sent[1]), 42);
	ck_assert(!proto_entity_gone(s, &sent[1]));
	ck_assert_int_eq(proto_entity_gone(s, &sent[0]), sd->gone >= 0); /* VAR_MAX: true */

	/* a snapshot reply with this stream's array only */
	proto_buf_reset(&b);
	proto_encode_reply_ok(&b, "s", "snapshot");
	proto_pack_obj(&b, PROTO_MSG_snapshot_part, head, 1);
	proto_pack_str(&b, sd->array);
	proto_pack_array(&b, 2);
	proto_pack_obj(&b, m, &sent[0], 0);
	proto_pack_obj(&b, m, &sent[1], 0);
	decode_reply_ok(&b, &r, sd->array);
	scribble(&b);
	for (int o = 0; o < PROTO_STREAM_COUNT; o++)
		ck_assert_uint_eq(r.streams[o].n, o == (int)s ? 2 : 0);
	expect_same(m, &sent[0], r.streams[s].items, sd->array);
	expect_same(m, &sent[1], (const char *)r.streams[s].items + d->size, sd->array);
	proto_reply_finish(&r);
	proto_buf_finish(&b);
	proto_buf_finish(&ref);
}
END_TEST

/* The keys of version 1, in the order the broker has always written them: new streams add
 * keys (in the table's order) but never move these. */
START_TEST(test_stream_keys_v1)
{
	static const char *const snap[] = { "epoch", "seq_ticket", "seq_truck", "seq_warning",
		"part", "parts", "total_tickets", "total_trucks", "total_warnings" };
	static const char *const hbk[] = { "v", "epoch", "seq", "ts", "seq_ticket", "seq_truck",
		"seq_warning", "time_scale" };
	static const char *const arrays[] = { "tickets", "trucks", "warnings" };
	int last = -1;

	for (size_t i = 0; i < ARRAY_LEN(snap); i++) {
		int f = field_index(PROTO_MSG_snapshot_part, snap[i]);
		ck_assert_msg(f > last, "snapshot_part: %s out of place", snap[i]);
		last = f;
	}
	last = -1;
	for (size_t i = 0; i < ARRAY_LEN(hbk); i++) {
		int f = field_index(PROTO_MSG_hb, hbk[i]);
		ck_assert_msg(f > last, "hb: %s out of place", hbk[i]);
		last = f;
	}
	for (size_t i = 0; i < ARRAY_LEN(arrays); i++)
		ck_assert_str_eq(proto_streams[i].array, arrays[i]);
	ck_assert(proto_streams[PROTO_STREAM_TICKET].lossless);
	ck_assert(!proto_streams[PROTO_STREAM_TRUCK].lossless);
	ck_assert(proto_streams[PROTO_STREAM_WARNING].lossless);
	ck_assert_int_eq(proto_topic_lookup("hb", 2), PROTO_TOPIC_HB);
	ck_assert_int_eq(proto_topic_lookup("tickets", 7), -1);

	ck_assert_int_eq(proto_stream_of(PROTO_MSG_hb), -1);
	ck_assert_int_eq(proto_stream_of(PROTO_MSG_event), -1);
}
END_TEST

/* A heartbeat is its own head: proto_encode_pub writes the bare hb map, and a heartbeat of
 * another protocol version is refused like every other published message. */
START_TEST(test_hb)
{
	struct proto_hb hb = { .v = PROTO_VERSION, .epoch = 7, .seq = 8, .ts = 9, .seq_ticket = 10,
		.seq_truck = 11, .seq_warning = 12, .time_scale = 600, .present = PROTO_ALL };
	struct proto_buf b, bare;
	struct proto_error err;
	struct proto_pub p;

	proto_buf_init(&b);
	proto_buf_init(&bare);
	proto_encode_pub(&b, PROTO_MSG_hb, 1, 2, 3, &hb);
	proto_pack_obj(&bare, PROTO_MSG_hb, &hb, 0);
	ck_assert_uint_eq(b.len, bare.len);
	ck_assert_mem_eq(b.data, bare.data, b.len);
	ck_assert_int_eq(proto_decode_pub("hb", 2, b.data, b.len, &p, &err), 0);
	ck_assert_int_eq(p.topic, PROTO_TOPIC_HB);
	ck_assert_int_eq(p.epoch, 7);
	ck_assert_int_eq(p.seq, 8);
	ck_assert_int_eq(p.ts, 9);
	expect_same(PROTO_MSG_hb, &hb, &p.u.hb, "hb");

	hb.v = 2;
	proto_buf_reset(&b);
	proto_encode_pub(&b, PROTO_MSG_hb, 0, 0, 0, &hb);
	ck_assert_int_eq(proto_decode_pub("hb", 2, b.data, b.len, &p, &err), -1);
	ck_assert_msg(strstr(err.message, "unsupported protocol version 2") != NULL, "%s",
	    err.message);
	/* a ticket body under the hb topic */
	struct proto_ticket t;
	fill(PROTO_MSG_ticket, &t, VAR_MID);
	proto_buf_reset(&b);
	proto_encode_pub(&b, PROTO_MSG_ticket, 1, 1, 1, &t);
	ck_assert_int_eq(proto_decode_pub("hb", 2, b.data, b.len, &p, &err), -1);
	ck_assert_msg(strstr(err.message, "hb: missing key") != NULL, "%s", err.message);
	proto_buf_finish(&b);
	proto_buf_finish(&bare);
}
END_TEST

START_TEST(test_pub_refused)
{
	struct proto_ticket t;
	struct proto_pub p;
	struct proto_buf b;
	struct proto_error err;

	proto_buf_init(&b);
	fill(PROTO_MSG_ticket, &t, VAR_MID);
	proto_encode_pub(&b, PROTO_MSG_ticket, 3, 4, 5, &t);
	/* the body names one entity, the topic another */
	ck_assert_int_eq(proto_decode_pub("truck", 5, b.data, b.len, &p, &err), -1);
	ck_assert_msg(strstr(err.message, "pub: missing key 'truck'") != NULL, "%s", err.message);
	ck_assert_int_eq(proto_decode_pub("tick", 4, b.data, b.len, &p, &err), -1);
	ck_assert_str_eq(err.message, "unknown topic");
	ck_assert_int_eq(proto_decode_pub("ticketx", 6, b.data, b.len, &p, &err), 0);

	/* another protocol version */
	proto_buf_reset(&b);
	proto_pack_map(&b, 5);
	proto_pack_str(&b, "v");
	proto_pack_i64(&b, 2);
	proto_pack_str(&b, "epoch");
	proto_pack_i64(&b, 1);
	proto_pack_str(&b, "seq");
	proto_pack_i64(&b, 1);
	proto_pack_str(&b, "ts");
	proto_pack_i64(&b, 1);
	proto_pack_str(&b, "ticket");
	proto_pack_obj(&b, PROTO_MSG_ticket, &t, 0);
	ck_assert_int_eq(proto_decode_pub("ticket", 6, b.data, b.len, &p, &err), -1);
	ck_assert_msg(strstr(err.message, "unsupported protocol version 2") != NULL, "%s",
	    err.message);

	/* larger than a SUB takes */
	proto_buf_reset(&b);
	char *big = xmalloc(PROTO_MAX_PUB + 1);
	memset(big, 'x', PROTO_MAX_PUB);
	big[PROTO_MAX_PUB] = '\0';
	proto_pack_map(&b, 1);
	proto_pack_str(&b, "pad");
	proto_pack_str(&b, big);
	free(big);
	ck_assert_int_eq(proto_decode_pub("hb", 2, b.data, b.len, &p, &err), -1);
	ck_assert_int_eq(err.code, PROTO_E_TOO_LARGE);
	proto_buf_finish(&b);
}
END_TEST

START_TEST(test_roundtrip_feed)
{
	static const enum proto_msg_id types[] = { PROTO_MSG_fix, PROTO_MSG_status };
	union proto_any sent;
	struct proto_feed f;
	struct proto_buf b;
	struct proto_error err;

	proto_buf_init(&b);
	for (size_t t = 0; t < ARRAY_LEN(types); t++)
		for (int v = 0; v < VAR_COUNT; v++) {
			fill(types[t], &sent, (enum variant)v);
			proto_buf_reset(&b);
			proto_encode_feed(&b, types[t], &sent);
			ck_assert_msg(proto_decode_feed(b.data, b.len, &f, &err) == 0, "%s/%s: %s",
			    proto_descs[types[t]].wire, var_names[v], err.message);
			scribble(&b);
			ck_assert_int_eq(f.type, types[t]);
			expect_same(types[t], &sent, &f.msg, proto_descs[types[t]].wire);
		}

	/* an unknown type, a missing type, a missing v */
	proto_buf_reset(&b);
	proto_pack_map(&b, 2);
	proto_pack_str(&b, "v");
	proto_pack_i64(&b, 1);
	proto_pack_str(&b, "type");
	proto_pack_str(&b, "gps");
	ck_assert_int_eq(proto_decode_feed(b.data, b.len, &f, &err), -1);
	ck_assert_str_eq(err.message, "unknown feed type 'gps'");
	ck_assert_int_eq(f.type, -1);
	proto_buf_reset(&b);
	proto_pack_map(&b, 1);
	proto_pack_str(&b, "v");
	proto_pack_i64(&b, 1);
	ck_assert_int_eq(proto_decode_feed(b.data, b.len, &f, &err), -1);
	ck_assert_msg(strstr(err.message, "'type'") != NULL, "%s", err.message);
	proto_buf_reset(&b);
	proto_pack_map(&b, 1);
	proto_pack_str(&b, "type");
	proto_pack_str(&b, "fix");
	ck_assert_int_eq(proto_decode_feed(b.data, b.len, &f, &err), -1);
	ck_assert_str_eq(err.message, "missing key 'v'");
	proto_buf_finish(&b);
}
END_TEST

/* ---------------------------------------------------------------- number widths */

/* Integers in every msgpack encoding where an integer is expected (ticket.get id, in
 * [1, 2^53-1]), hand-encoded: canonical and not, unsigned and signed. */
static const struct {
	const char *name;
	const char *bytes;
	size_t len;
	bool ok;
	int64_t value;
} int_widths[] = {
#define W(n, s, ok, v) { n, s, sizeof(s) - 1, ok, v }
	W("positive fixint 1", "\x01", true, 1),
	W("positive fixint 127", "\x7f", true, 127),
	W("uint8 128", "\xcc\x80", true, 128),
	W("uint8 255", "\xcc\xff", true, 255),
	W("uint8 1 (not canonical)", "\xcc\x01", true, 1),
	W("uint16 65535", "\xcd\xff\xff", true, 65535),
	W("uint16 1", "\xcd\x00\x01", true, 1),
	W("uint32 4294967295", "\xce\xff\xff\xff\xff", true, 4294967295LL),
	W("uint32 1", "\xce\x00\x00\x00\x01", true, 1),
	W("uint64 2^53-1", "\xcf\x00\x1f\xff\xff\xff\xff\xff\xff", true, 9007199254740991LL),
	W("uint64 1", "\xcf\x00\x00\x00\x00\x00\x00\x00\x01", true, 1),
	W("int8 127", "\xd0\x7f", true, 127),
	W("int8 1", "\xd0\x01", true, 1),
	W("int16 32767", "\xd1\x7f\xff", true, 32767),
	W("int32 2147483647", "\xd2\x7f\xff\xff\xff", true, 2147483647),
	W("int64 2^53-1", "\xd3\x00\x1f\xff\xff\xff\xff\xff\xff", true, 9007199254740991LL),
	W("int64 1", "\xd3\x00\x00\x00\x00\x00\x00\x00\x01", true, 1),
	W("negative fixint -1", "\xff", false, 0),
	W("negative fixint -32", "\xe0", false, 0),
	W("int8 -128", "\xd0\x80", false, 0),
	W("int16 -32768", "\xd1\x80\x00", false, 0),
	W("int32 min", "\xd2\x80\x00\x00\x00", false, 0),
	W("int64 min", "\xd3\x80\x00\x00\x00\x00\x00\x00\x00", false, 0),
	W("uint64 2^53", "\xcf\x00\x20\x00\x00\x00\x00\x00\x00", false, 0),
	W("uint64 max", "\xcf\xff\xff\xff\xff\xff\xff\xff\xff", false, 0),
	W("float32 1.0", "\xca\x3f\x80\x00\x00", false, 0),
	W("nil", "\xc0", false, 0),
#undef W
};

START_TEST(test_int_widths)
{
	static const char head[] = REQ4(S_GET, "\x81" K_ID);
	struct proto_buf b;
	struct proto_error err;
	struct proto_request req;

	proto_buf_init(&b);
	proto_pack_raw(&b, head, sizeof head - 1);
	proto_pack_raw(&b, int_widths[_i].bytes, int_widths[_i].len);
	int r = proto_decode_request(b.data, b.len, &req, &err);
	if (int_widths[_i].ok) {
		ck_assert_msg(r == 0, "%s: %s", int_widths[_i].name, err.message);
		ck_assert_int_eq(req.args.ticket_get.id, int_widths[_i].value);
	} else {
		ck_assert_msg(r == -1, "%s accepted", int_widths[_i].name);
		ck_assert_int_eq(err.code, PROTO_E_BAD_REQUEST);
		ck_assert_msg(strstr(err.message, "args.id: ") != NULL, "%s", err.message);
		ck_assert_str_eq(req.cmd_id, "c1");
	}
	proto_buf_finish(&b);
}
END_TEST

/* Numbers in every encoding where a float is expected (the feed's fix lat, [-90, 90]). */
static const struct {
	const char *name;
	const char *bytes;
	size_t len;
	bool ok;
	double value;
} num_widths[] = {
#define W(n, s, ok, v) { n, s, sizeof(s) - 1, ok, v }
	W("positive fixint 0", "\x00", true, 0),
	W("positive fixint 90", "\x5a", true, 90),
	W("negative fixint -32", "\xe0", true, -32),
	W("uint8 90", "\xcc\x5a", true, 90),
	W("uint16 90", "\xcd\x00\x5a", true, 90),
	W("uint32 90", "\xce\x00\x00\x00\x5a", true, 90),
	W("uint64 90", "\xcf\x00\x00\x00\x00\x00\x00\x00\x5a", true, 90),
	W("int8 -90", "\xd0\xa6", true, -90),
	W("int16 -90", "\xd1\xff\xa6", true, -90),
	W("int32 -90", "\xd2\xff\xff\xff\xa6", true, -90),
	W("int64 -90", "\xd3\xff\xff\xff\xff\xff\xff\xff\xa6", true, -90),
	W("float32 28.25", "\xca\x41\xe2\x00\x00", true, 28.25),
	W("float32 -90", "\xca\xc2\xb4\x00\x00", true, -90),
	W("float64 28.2", "\xcb\x40\x3c\x33\x33\x33\x33\x33\x33", true, 28.2),
	W("float64 90", "\xcb\x40\x56\x80\x00\x00\x00\x00\x00", true, 90),
	W("float64 -90", "\xcb\xc0\x56\x80\x00\x00\x00\x00\x00", true, -90),
	W("uint8 91", "\xcc\x5b", false, 0),
	W("int8 -91", "\xd0\xa5", false, 0),
	W("float32 NaN", "\xca\x7f\xc0\x00\x00", false, 0),
	W("float32 +inf", "\xca\x7f\x80\x00\x00", false, 0),
	W("float64 -inf", "\xcb\xff\xf0\x00\x00\x00\x00\x00\x00", false, 0),
	W("uint64 max", "\xcf\xff\xff\xff\xff\xff\xff\xff\xff", false, 0),
	W("int64 min", "\xd3\x80\x00\x00\x00\x00\x00\x00\x00", false, 0),
	W("string", "\xa2" "28", false, 0),
	W("boolean", "\xc3", false, 0),
#undef W
};

START_TEST(test_num_widths)
{
	static const char head[] = "\x86" S_V1 "\xa4" "type" "\xa3" "fix" K_TRUCK "\xa2" "T1"
	    K_LON "\x00" "\xa2" "ts" "\x00" K_LAT;
	struct proto_buf b;
	struct proto_error err;
	struct proto_feed f;

	proto_buf_init(&b);
	proto_pack_raw(&b, head, sizeof head - 1);
	proto_pack_raw(&b, num_widths[_i].bytes, num_widths[_i].len);
	int r = proto_decode_feed(b.data, b.len, &f, &err);
	if (num_widths[_i].ok) {
		ck_assert_msg(r == 0, "%s: %s", num_widths[_i].name, err.message);
		ck_assert_int_eq(f.type, PROTO_MSG_fix);
		ck_assert_msg(f.msg.fix.lat == num_widths[_i].value, "%s: %.17g", num_widths[_i].name,
		    f.msg.fix.lat);
		ck_assert_str_eq(f.msg.fix.truck, "T1");
	} else {
		ck_assert_msg(r == -1, "%s accepted", num_widths[_i].name);
		ck_assert_msg(strstr(err.message, "fix.lat: ") != NULL, "%s", err.message);
	}
	proto_buf_finish(&b);
}
END_TEST

/* ---------------------------------------------------------------- malformed frames */

START_TEST(test_bad_frame)
{
	const struct bad_frame *f = &bad_frames[_i];
	struct proto_buf b;
	struct proto_error err, pre;
	struct proto_request req;
	size_t len;

	proto_buf_init(&b);
	const char *bytes = bad_frame_bytes(f, &b, &len);
	memset(&err, 0, sizeof err);
	ck_assert_msg(proto_decode_request(bytes, len, &req, &err) == -1, "%s: accepted", f->name);
	ck_assert_msg(err.code == f->code, "%s: code %s, expected %s", f->name,
	    proto_err_name(err.code), proto_err_name(f->code));
	ck_assert_msg(strstr(err.message, f->msg) != NULL, "%s: message '%s' lacks '%s'",
	    f->name, err.message, f->msg);
	ck_assert_msg(strcmp(req.cmd_id, f->cmd_id) == 0, "%s: cmd_id '%s', expected '%s'",
	    f->name, req.cmd_id, f->cmd_id);

	int r = proto_prevalidate(bytes, len, &pre);
	ck_assert_msg((r == 0) == f->wellformed, "%s: prevalidate %d (%s)", f->name, r,
	    r < 0 ? pre.message : "");
	if (r < 0 && len > 0)
		ck_assert_msg(strcmp(pre.message, err.message) == 0, "%s: '%s' vs '%s'", f->name,
		    pre.message, err.message);

	/* the other decoders take the same bytes without harm */
	struct proto_reply rep;
	struct proto_feed feed;
	struct proto_pub pub;
	struct proto_ticket t;
	if (proto_decode_reply(bytes, len, &rep, &err) == 0)
		ck_assert(f->wellformed);
	proto_reply_finish(&rep);
	ck_assert(proto_decode_feed(bytes, len, &feed, &err) == -1);
	ck_assert(proto_decode_pub("ticket", 6, bytes, len, &pub, &err) == -1);
	ck_assert(proto_decode_msg(bytes, len, PROTO_MSG_ticket, &t, &err) == -1);
	proto_buf_finish(&b);
}
END_TEST

START_TEST(test_bad_frames_count)
{
	ck_assert_uint_ge(ARRAY_LEN(bad_frames), 30);
	for (size_t i = 0; i < ARRAY_LEN(bad_frames); i++)
		for (size_t j = 0; j < i; j++)
			ck_assert_msg(strcmp(bad_frames[i].name, bad_frames[j].name) != 0, "%s twice",
			    bad_frames[i].name);
}
END_TEST

/* Nesting: 16 levels pass, 17 do not; empty containers and scalars do not add a level. */
START_TEST(test_depth)
{
	struct proto_error err;
	char buf[64];

	for (int depth = 1; depth <= 20; depth++) {
		memset(buf, 0x91, (size_t)depth);
		buf[depth] = 0x01;
		int r = proto_prevalidate(buf, (size_t)depth + 1, &err);
		ck_assert_msg((r == 0) == (depth <= PROTO_MAX_DEPTH), "depth %d: %d", depth, r);
		if (r < 0)
			ck_assert_str_eq(err.message, "msgpack nested deeper than 16 levels");
	}
	/* maps count like arrays */
	for (int depth = 16; depth <= 17; depth++) {
		size_t n = 0;
		for (int i = 0; i < depth; i++) {
			buf[n++] = (char)0x81;
			buf[n++] = (char)0xa0;
		}
		buf[n++] = 0x01;
		ck_assert_int_eq(proto_prevalidate(buf, n, &err), depth <= 16 ? 0 : -1);
	}
	/* wide is fine: 10000 siblings at one level */
	struct proto_buf b;
	proto_buf_init(&b);
	proto_pack_array(&b, 10000);
	for (int i = 0; i < 10000; i++)
		proto_pack_array(&b, 0);
	ck_assert_int_eq(proto_prevalidate(b.data, b.len, &err), 0);
	/* one element more than PROTO_MAX_ARRAY */
	proto_buf_reset(&b);
	proto_pack_array(&b, PROTO_MAX_ARRAY + 1);
	for (int i = 0; i <= PROTO_MAX_ARRAY; i++)
		proto_pack_nil(&b);
	ck_assert_int_eq(proto_prevalidate(b.data, b.len, &err), -1);
	ck_assert_msg(strstr(err.message, "declares 100001 elements") != NULL, "%s", err.message);
	proto_buf_finish(&b);
}
END_TEST

/* Every msgpack type byte: prevalidate accepts exactly the valid ones, and never reads past
 * the end of a frame cut anywhere. */
START_TEST(test_prevalidate_every_prefix)
{
	struct proto_buf b;
	struct proto_error err;
	struct proto_ticket t;

	proto_buf_init(&b);
	fill(PROTO_MSG_ticket, &t, VAR_MAX);
	proto_encode_pub(&b, PROTO_MSG_ticket, 1, 2, 3, &t);
	for (size_t n = 0; n < b.len; n++) {
		/* a copy of exactly n bytes, so ASan sees any read past it */
		char *cut = xmalloc(n ? n : 1);
		memcpy(cut, b.data, n);
		ck_assert_msg(proto_prevalidate(cut, n, &err) == -1, "prefix %zu accepted", n);
		free(cut);
	}
	ck_assert_int_eq(proto_prevalidate(b.data, b.len, &err), 0);
	for (int t0 = 0; t0 < 256; t0++) {
		unsigned char one = (unsigned char)t0;
		bool scalar = t0 <= 0x7f || t0 >= 0xe0 || t0 == 0xc0 || t0 == 0xc2 || t0 == 0xc3 ||
		    t0 == 0x80 || t0 == 0x90 || t0 == 0xa0;
		ck_assert_msg((proto_prevalidate(&one, 1, &err) == 0) == scalar, "byte 0x%02x", t0);
	}
	proto_buf_finish(&b);
}
END_TEST

/* Issue 12, defect 5: what a client writes is plain text (PROTOCOL.md 3.2). Each case is a
 * customer name (one line) or a note (F_TEXT: line breaks allowed) in intake.create, then
 * the same string as a feed truck id: refused with the fault and its code point, or
 * accepted as the normalised text. */
static const struct {
	const char *name;
	bool notes;       /* in the notes (lines allowed) instead of the customer name */
	const char *in;
	const char *out;  /* NULL: refused with a message containing err */
	const char *err;
} text_cases[] = {
	{ "plain", false, "张三", "张三", NULL },
	{ "emoji ZWJ", false, "Li 👨‍👩‍👧", "Li 👨‍👩‍👧", NULL },
	{ "ESC sequence", false, "Zhang\x1b[2J", NULL, "control character U+001B" },
	{ "BEL", false, "Zhang\a", NULL, "control character U+0007" },
	{ "CR", false, "Zhang\rLi", NULL, "control character U+000D" },
	{ "DEL", false, "Zhang\x7f", NULL, "control character U+007F" },
	{ "C1 CSI", false, "Zhang\xc2\x9b" "2J", NULL, "control character U+009B" },
	{ "newline in a name", false, "Zhang\nLi", NULL, "line break U+000A" },
	{ "LS in a name", false, "Zhang\xe2\x80\xa8Li", NULL, "line break U+2028" },
	{ "RLO", false, "Zhang\xe2\x80\xae" "gnahZ", NULL, "direction control U+202E" },
	{ "LRE", false, "\xe2\x80\xaaZhang", NULL, "direction control U+202A" },
	{ "RLI", false, "\xe2\x81\xa7Zhang", NULL, "direction control U+2067" },
	{ "PDI", false, "Zhang\xe2\x81\xa9", NULL, "direction control U+2069" },
	{ "RLM", false, "Zhang\xe2\x80\x8f", NULL, "direction control U+200F" },
	{ "tab", false, "Zhang\tLi", "Zhang Li", NULL },
	{ "zero-width space only", false, "\xe2\x80\x8b", "", NULL },
	{ "spaces and ZWSP", false, " \xe2\x80\x8b\xe3\x80\x80 \t", "", NULL },
	{ "BOM only", false, "\xef\xbb\xbf", "", NULL },
	{ "newline in notes", true, "gate code 42\nsecond floor", "gate code 42\nsecond floor", NULL },
	{ "ESC in notes", true, "code\x1b]0;pwned\a", NULL, "control character U+001B" },
	{ "RLO in notes", true, "\xe2\x80\xae" "evil", NULL, "direction control U+202E" },
	{ "blank notes", true, "\n\n \xe2\x80\x8b", "", NULL },
};

START_TEST(test_plain_text)
{
	struct proto_intake_create a = { .lat = 28.2, .lon = 112.9, .present = 0 };
	struct proto_fix x = { .lat = 28.2, .lon = 112.9, .ts = 1, .present = 0 };
	struct proto_request req;
	struct proto_feed f;
	struct proto_error err;
	struct proto_buf b;

	PROTO_STRSET(a.customer, "Zhang");
	PROTO_STRSET(a.phone, "13800138000");
	PROTO_STRSET(a.plate, "湘A12345");
	PROTO_STRSET(a.address, "五一大道");
	PROTO_STRSET(a.fault, "battery");
	PROTO_STRSET(a.region, "changsha");
	if (text_cases[_i].notes) {
		PROTO_STRSET(a.notes, text_cases[_i].in);
		PROTO_SET(&a, intake_create, notes);
	} else {
		PROTO_STRSET(a.customer, text_cases[_i].in);
	}
	proto_buf_init(&b);
	proto_encode_request(&b, PROTO_MSG_intake_create, "c1", "agent7", &a);
	int rc = proto_decode_request(b.data, b.len, &req, &err);
	if (text_cases[_i].out == NULL) {
		ck_assert_msg(rc < 0, "%s: accepted", text_cases[_i].name);
		ck_assert_int_eq(err.code, PROTO_E_BAD_REQUEST);
		ck_assert_msg(strstr(err.message, text_cases[_i].err) != NULL &&
		    strstr(err.message, text_cases[_i].notes ? "args.notes" : "args.customer"),
		    "%s: %s", text_cases[_i].name, err.message);
	} else {
		ck_assert_msg(rc == 0, "%s: %s", text_cases[_i].name, err.message);
		ck_assert_str_eq(text_cases[_i].notes ? req.args.intake_create.notes :
		    req.args.intake_create.customer, text_cases[_i].out);
		/* normalised for good: nothing of a blanked string is left behind its end, so
		 * what decodes encodes and decodes to the same struct (found by fuzz-request) */
		struct proto_request again;
		struct proto_buf b2;
		proto_buf_init(&b2);
		proto_encode_request(&b2, PROTO_MSG_intake_create, "c1", "agent7",
		    &req.args.intake_create);
		ck_assert_int_eq(proto_decode_request(b2.data, b2.len, &again, &err), 0);
		ck_assert_msg(memcmp(&req.args.intake_create, &again.args.intake_create,
		    sizeof again.args.intake_create) == 0, "%s: decodes differently again",
		    text_cases[_i].name);
		proto_buf_finish(&b2);
	}

	/* the feed: a truck id follows the one-line rule */
	if (!text_cases[_i].notes && strlen(text_cases[_i].in) < sizeof x.truck) {
		PROTO_STRSET(x.truck, text_cases[_i].in);
		proto_buf_reset(&b);
		proto_encode_feed(&b, PROTO_MSG_fix, &x);
		rc = proto_decode_feed(b.data, b.len, &f, &err);
		if (text_cases[_i].out == NULL)
			ck_assert_msg(rc < 0 && strstr(err.message, text_cases[_i].err) != NULL,
			    "feed %s: %s", text_cases[_i].name, rc < 0 ? err.message : "accepted");
		else
			ck_assert_msg(rc == 0 && strcmp(f.msg.fix.truck, text_cases[_i].out) == 0,
			    "feed %s: %s", text_cases[_i].name, rc < 0 ? err.message : f.msg.fix.truck);
	}
	proto_buf_finish(&b);
}
END_TEST

/* The envelope's user is plain text and not blank; it is refused, not normalised. */
START_TEST(test_plain_user)
{
	static const char *bad[] = { "agent\x1b", "\xe2\x80\xae" "7tnega", "agent\t7", "\xe2\x80\x8b",
		"agent\n7" };
	struct proto_hello h = { .present = 0 };
	struct proto_request req;
	struct proto_error err;
	struct proto_buf b;

	proto_buf_init(&b);
	for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
		proto_buf_reset(&b);
		proto_encode_request(&b, PROTO_MSG_hello, "c1", bad[i], &h);
		ck_assert_msg(proto_decode_request(b.data, b.len, &req, &err) < 0, "user %zu", i);
		ck_assert_msg(strstr(err.message, "user: not plain text") != NULL, "%s", err.message);
	}
	proto_buf_finish(&b);
}
END_TEST

static Suite *
proto_suite(void)
{
	Suite *s = suite_create("proto");
	TCase *tc;

	tc = tcase_create("table");
	tcase_add_test(tc, test_descs);
	tcase_add_test(tc, test_errors_names);
	tcase_add_loop_test(tc, test_strset, 0, ARRAY_LEN(strset_cases));
	tcase_add_test(tc, test_buf);
	suite_add_tcase(s, tc);

	tc = tcase_create("messages");
	tcase_add_loop_test(tc, test_roundtrip_msg, 0, PROTO_MSG_COUNT);
	tcase_add_loop_test(tc, test_required_keys, 0, PROTO_MSG_COUNT);
	tcase_add_loop_test(tc, test_limits, 0, PROTO_MSG_COUNT);
	suite_add_tcase(s, tc);

	tc = tcase_create("requests");
	tcase_add_test(tc, test_roundtrip_request);
	tcase_add_test(tc, test_request_unknown_keys);
	tcase_add_test(tc, test_request_max_size);
	suite_add_tcase(s, tc);

	tc = tcase_create("replies");
	tcase_add_test(tc, test_reply_hello);
	tcase_add_test(tc, test_reply_ticket_ops);
	tcase_add_test(tc, test_reply_warning_ops);
	tcase_add_test(tc, test_reply_ticket_get);
	tcase_add_test(tc, test_reply_snapshot);
	tcase_add_test(tc, test_reply_candidates);
	tcase_add_test(tc, test_reply_track);
	tcase_add_test(tc, test_reply_board);
	tcase_add_test(tc, test_reply_supplier_jobs);
	tcase_add_test(tc, test_reply_report);
	tcase_add_test(tc, test_envelope_duplicates);
	tcase_add_test(tc, test_reply_errors);
	suite_add_tcase(s, tc);

	tc = tcase_create("streams");
	tcase_add_loop_test(tc, test_stream, 0, PROTO_STREAM_COUNT);
	tcase_add_test(tc, test_stream_keys_v1);
	tcase_add_test(tc, test_roundtrip_pub);
	tcase_add_test(tc, test_hb);
	tcase_add_test(tc, test_pub_refused);
	tcase_add_test(tc, test_roundtrip_feed);
	tcase_add_loop_test(tc, test_plain_text, 0, ARRAY_LEN(text_cases));
	tcase_add_test(tc, test_plain_user);
	suite_add_tcase(s, tc);

	tc = tcase_create("widths");
	tcase_add_loop_test(tc, test_int_widths, 0, ARRAY_LEN(int_widths));
	tcase_add_loop_test(tc, test_num_widths, 0, ARRAY_LEN(num_widths));
	suite_add_tcase(s, tc);

	tc = tcase_create("malformed");
	tcase_add_test(tc, test_bad_frames_count);
	tcase_add_loop_test(tc, test_bad_frame, 0, ARRAY_LEN(bad_frames));
	tcase_add_test(tc, test_depth);
	tcase_add_test(tc, test_prevalidate_every_prefix);
	suite_add_tcase(s, tc);

	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(proto_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
