/* bad-frames.h: malformed request frames shared by check-proto.c (the codec) and
 * check-broker.c (the live broker): raw msgpack bytes, each with the error the decoder must
 * report, a piece of its message, and the cmd_id the reply must still name ("" when the frame
 * is refused before cmd_id can be read).
 *
 * C string escapes: every "\xNN" ends its literal so that a following hex-looking character
 * ("c1", "a...") is not swallowed into the escape; adjacent literals are joined after escapes
 * are processed. */
#ifndef RD_TESTS_BAD_FRAMES_H
#define RD_TESTS_BAD_FRAMES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "proto.h"
#include "util.h"

struct bad_frame {
	const char *name;
	const char *bytes;   /* the frame, or NULL: made by build() */
	size_t len;
	void (*build)(struct proto_buf *b);
	enum proto_err code;
	const char *msg;     /* must occur in the error message */
	const char *cmd_id;  /* the cmd_id the error names */
	bool wellformed;     /* proto_prevalidate accepts it */
};

#define RAW(s) (s), sizeof(s) - 1, NULL
#define BUILT(f) NULL, 0, (f)

/* envelope pieces; cmd_id is always "c1" */
#define S_V1 "\xa1" "v" "\x01"
#define S_CID "\xa6" "cmd_id" "\xa2" "c1"
#define S_OPK "\xa2" "op"
#define S_ARGS "\xa4" "args"
#define S_GET S_OPK "\xaa" "ticket.get"
#define S_ASSIGN S_OPK "\xad" "ticket.assign"
#define S_INTAKE S_OPK "\xad" "intake.create"
#define S_SETST S_OPK "\xb0" "ticket.set_state"
#define S_HELLO S_OPK "\xa5" "hello"
#define K_ID "\xa2" "id"
#define K_TRUCK "\xa5" "truck"
#define K_LAT "\xa3" "lat"
#define K_LON "\xa3" "lon"
#define ID1 "\x81" K_ID "\x01"
/* a full request {v, cmd_id, op, args} */
#define REQ4(op, args) "\x84" S_V1 S_CID op S_ARGS args
#define A10 "aaaaaaaaaa"

/* A valid ticket.get padded with an ignored key to exactly n bytes. */
static void
padded_get(struct proto_buf *b, size_t n)
{
	static const char head[] = "\x84" S_V1 S_CID S_GET S_ARGS "\x82" K_ID "\x01" "\xa3" "pad";
	size_t pad = n - (sizeof head - 1) - 5;
	unsigned char len[5] = { 0xdb, (unsigned char)(pad >> 24), (unsigned char)(pad >> 16),
		(unsigned char)(pad >> 8), (unsigned char)pad };
	char *fill = xmalloc(pad);

	memset(fill, 'x', pad);
	proto_pack_raw(b, head, sizeof head - 1);
	proto_pack_raw(b, len, sizeof len);
	proto_pack_raw(b, fill, pad);
	free(fill);
}

static void
build_too_large(struct proto_buf *b)
{
	padded_get(b, PROTO_MAX_REQUEST + 1);
}

static const struct bad_frame bad_frames[] = {
	/* ---- structure: refused by proto_prevalidate, cmd_id unreadable ---- */
	{ "empty frame", RAW(""), PROTO_E_BAD_REQUEST, "empty message", "", false },
	{ "truncated map", RAW("\x84" S_V1 S_CID), PROTO_E_BAD_REQUEST,
	    "truncated msgpack at byte 14", "", false },
	{ "truncated string", RAW("\x81\xa6" "cmd"), PROTO_E_BAD_REQUEST,
	    "declares 6 bytes, only 3 remain", "", false },
	{ "trailing bytes", RAW("\x83" S_V1 S_CID S_HELLO "\xc0"), PROTO_E_BAD_REQUEST,
	    "1 trailing bytes", "", false },
	{ "str8 past the end", RAW("\xd9\x20" "abc"), PROTO_E_BAD_REQUEST,
	    "declares 32 bytes, only 3 remain", "", false },
	{ "str32 past the end", RAW("\xdb\xff\x00\x00\x00"), PROTO_E_BAD_REQUEST,
	    "declares 4278190080 bytes", "", false },
	{ "bin32 past the end", RAW("\xc6\xff\xff\xff\xff"), PROTO_E_BAD_REQUEST,
	    "declares 4294967295 bytes", "", false },
	{ "ext32 past the end", RAW("\xc9\x00\x00\x10\x00\x01"), PROTO_E_BAD_REQUEST,
	    "declares 4097 bytes", "", false },
	{ "array32 past the end", RAW("\xdd\xff\x00\x00\x00"), PROTO_E_BAD_REQUEST,
	    "array at byte 5 declares 4278190080 elements", "", false },
	{ "map32 past the end", RAW("\xdf\x00\xff\xff\xff"), PROTO_E_BAD_REQUEST,
	    "map at byte 5 declares 16777215 elements", "", false },
	{ "map16 in args past the end", RAW(REQ4(S_GET, "\xde\x00\x10")), PROTO_E_BAD_REQUEST,
	    "declares 16 elements", "", false },
	{ "truncated length field", RAW("\xdb\xff"), PROTO_E_BAD_REQUEST,
	    "truncated msgpack length at byte 1", "", false },
	{ "nested 17 deep", RAW(REQ4(S_GET, "\x81\xa1" "x"
	    "\x91\x91\x91\x91\x91\x91\x91\x91\x91\x91\x91\x91\x91\x91\x91" "\x01")),
	    PROTO_E_BAD_REQUEST, "nested deeper than 16 levels", "", false },
	{ "reserved byte 0xc1", RAW(REQ4(S_GET, "\xc1")), PROTO_E_BAD_REQUEST,
	    "invalid msgpack type byte 0xc1", "", false },
	{ "too large", BUILT(build_too_large), PROTO_E_TOO_LARGE, "exceeds 65536", "", true },

	/* ---- envelope ---- */
	{ "root is an array", RAW("\x92\x01\x02"), PROTO_E_BAD_REQUEST,
	    "a request must be a map, not array", "", true },
	{ "root is a string", RAW("\xa5" "hello"), PROTO_E_BAD_REQUEST,
	    "a request must be a map, not string", "", true },
	{ "root is nil", RAW("\xc0"), PROTO_E_BAD_REQUEST, "must be a map, not nil", "", true },
	{ "missing cmd_id", RAW("\x83" S_V1 S_GET S_ARGS ID1), PROTO_E_BAD_REQUEST,
	    "missing key 'cmd_id'", "", true },
	{ "empty cmd_id", RAW("\x84" S_V1 "\xa6" "cmd_id" "\xa0" S_GET S_ARGS ID1),
	    PROTO_E_BAD_REQUEST, "cmd_id: expected a string of 1 to 64 bytes", "", true },
	{ "cmd_id of 65 bytes", RAW("\x84" S_V1 "\xa6" "cmd_id" "\xd9\x41"
	    A10 A10 A10 A10 A10 A10 "aaaaa" S_GET S_ARGS ID1), PROTO_E_BAD_REQUEST,
	    "cmd_id: expected a string of 1 to 64 bytes", "", true },
	{ "cmd_id not a string", RAW("\x84" S_V1 "\xa6" "cmd_id" "\x2a" S_GET S_ARGS ID1),
	    PROTO_E_BAD_REQUEST, "cmd_id: expected a string", "", true },
	{ "cmd_id not UTF-8", RAW("\x84" S_V1 "\xa6" "cmd_id" "\xa2\xc3\x28" S_GET S_ARGS ID1),
	    PROTO_E_BAD_REQUEST, "cmd_id: expected a string", "", true },
	{ "missing v", RAW("\x83" S_CID S_GET S_ARGS ID1), PROTO_E_BAD_REQUEST,
	    "missing key 'v'", "c1", true },
	{ "v is 2", RAW("\x84" "\xa1" "v" "\x02" S_CID S_GET S_ARGS ID1), PROTO_E_BAD_REQUEST,
	    "unsupported protocol version 2", "c1", true },
	{ "v not an integer", RAW("\x84" "\xa1" "v" "\xa1" "1" S_CID S_GET S_ARGS ID1),
	    PROTO_E_BAD_REQUEST, "v: expected an integer", "c1", true },
	{ "missing op", RAW("\x83" S_V1 S_CID S_ARGS ID1), PROTO_E_BAD_REQUEST,
	    "missing key 'op'", "c1", true },
	{ "op not a string", RAW(REQ4(S_OPK "\x07", ID1)), PROTO_E_BAD_REQUEST,
	    "op: expected a string", "c1", true },
	{ "unknown op", RAW(REQ4(S_OPK "\xae" "ticket.explode", ID1)), PROTO_E_UNKNOWN_OP,
	    "unknown op 'ticket.explode'", "c1", true },
	{ "user of 33 bytes", RAW("\x85" S_V1 S_CID "\xa4" "user" "\xd9\x21"
	    A10 A10 A10 "aaa" S_GET S_ARGS ID1), PROTO_E_BAD_REQUEST,
	    "user: expected a string of 1 to 32 bytes", "c1", true },
	{ "empty user", RAW("\x85" S_V1 S_CID "\xa4" "user" "\xa0" S_GET S_ARGS ID1),
	    PROTO_E_BAD_REQUEST, "user: expected a string of 1 to 32 bytes", "c1", true },
	{ "user not a string", RAW("\x85" S_V1 S_CID "\xa4" "user" "\xc3" S_GET S_ARGS ID1),
	    PROTO_E_BAD_REQUEST, "user: expected a string", "c1", true },
	{ "v twice", RAW("\x85" S_V1 "\xa1" "v" "\x02" S_CID S_GET S_ARGS ID1),
	    PROTO_E_BAD_REQUEST, "duplicate key 'v'", "c1", true },
	{ "op twice", RAW("\x85" S_V1 S_CID S_GET S_HELLO S_ARGS ID1), PROTO_E_BAD_REQUEST,
	    "duplicate key 'op'", "c1", true },
	{ "cmd_id twice", RAW("\x85" S_V1 S_CID "\xa6" "cmd_id" "\xa2" "c2" S_GET S_ARGS ID1),
	    PROTO_E_BAD_REQUEST, "duplicate key 'cmd_id'", "c1", true },
	{ "args twice", RAW("\x85" S_V1 S_CID S_GET S_ARGS ID1 S_ARGS "\x81" K_ID "\x02"),
	    PROTO_E_BAD_REQUEST, "duplicate key 'args'", "c1", true },
	{ "user twice", RAW("\x86" S_V1 S_CID "\xa4" "user" "\xa1" "a" "\xa4" "user" "\xa1" "b"
	    S_GET S_ARGS ID1), PROTO_E_BAD_REQUEST, "duplicate key 'user'", "c1", true },

	/* ---- args ---- */
	{ "args not a map", RAW(REQ4(S_GET, "\x91\x01")), PROTO_E_BAD_REQUEST,
	    "args: expected a map, got array", "c1", true },
	{ "args missing", RAW("\x83" S_V1 S_CID S_GET), PROTO_E_BAD_REQUEST,
	    "args: missing key 'id'", "c1", true },
	{ "missing required arg", RAW(REQ4(S_GET, "\x80")), PROTO_E_BAD_REQUEST,
	    "args: missing key 'id'", "c1", true },
	{ "nested 16 deep, then missing id", RAW(REQ4(S_GET, "\x81\xa1" "x"
	    "\x91\x91\x91\x91\x91\x91\x91\x91\x91\x91\x91\x91\x91\x91" "\x01")),
	    PROTO_E_BAD_REQUEST, "args: missing key 'id'", "c1", true },
	{ "int arg is a string", RAW(REQ4(S_GET, "\x81" K_ID "\xa1" "7")), PROTO_E_BAD_REQUEST,
	    "args.id: expected an integer, got string", "c1", true },
	{ "int arg is a float", RAW(REQ4(S_GET, "\x81" K_ID "\xcb\x3f\xf0\x00\x00\x00\x00\x00\x00")),
	    PROTO_E_BAD_REQUEST, "args.id: expected an integer, got float", "c1", true },
	{ "string arg is a bool", RAW(REQ4(S_ASSIGN, "\x82" K_ID "\x01" K_TRUCK "\xc3")),
	    PROTO_E_BAD_REQUEST, "args.truck: expected a string, got boolean", "c1", true },
	{ "string arg is an ext", RAW(REQ4(S_ASSIGN, "\x82" K_ID "\x01" K_TRUCK "\xd4\x01\x00")),
	    PROTO_E_BAD_REQUEST, "args.truck: expected a string, got ext", "c1", true },
	{ "string one byte too long", RAW(REQ4(S_ASSIGN, "\x82" K_ID "\x01" K_TRUCK "\xb9"
	    "张三张三张三张三" "x")), PROTO_E_BAD_REQUEST, "args.truck: longer than 24 bytes",
	    "c1", true },
	{ "invalid UTF-8", RAW(REQ4(S_ASSIGN, "\x82" K_ID "\x01" K_TRUCK "\xa2\xc3\x28")),
	    PROTO_E_BAD_REQUEST, "args.truck: not valid UTF-8", "c1", true },
	{ "overlong UTF-8", RAW(REQ4(S_ASSIGN, "\x82" K_ID "\x01" K_TRUCK "\xa2\xc0\xaf")),
	    PROTO_E_BAD_REQUEST, "args.truck: not valid UTF-8", "c1", true },
	{ "UTF-8 surrogate", RAW(REQ4(S_ASSIGN, "\x82" K_ID "\x01" K_TRUCK "\xa3\xed\xa0\x80")),
	    PROTO_E_BAD_REQUEST, "args.truck: not valid UTF-8", "c1", true },
	{ "UTF-8 cut short", RAW(REQ4(S_ASSIGN, "\x82" K_ID "\x01" K_TRUCK "\xa3" "a" "\xe5\xbc")),
	    PROTO_E_BAD_REQUEST, "args.truck: not valid UTF-8", "c1", true },
	{ "NUL inside a string", RAW(REQ4(S_ASSIGN, "\x82" K_ID "\x01" K_TRUCK "\xa3" "a" "\x00" "b")),
	    PROTO_E_BAD_REQUEST, "args.truck: not valid UTF-8", "c1", true },
	{ "int below min", RAW(REQ4(S_GET, "\x81" K_ID "\x00")), PROTO_E_BAD_REQUEST,
	    "args.id: 0 is outside [1, 9007199254740991]", "c1", true },
	{ "int above max", RAW(REQ4(S_GET, "\x81" K_ID "\xcf\x00\x20\x00\x00\x00\x00\x00\x00")),
	    PROTO_E_BAD_REQUEST, "args.id: 9007199254740992 is outside", "c1", true },
	{ "uint64 above int64", RAW(REQ4(S_GET, "\x81" K_ID "\xcf\xff\xff\xff\xff\xff\xff\xff\xff")),
	    PROTO_E_BAD_REQUEST, "args.id: expected an integer, got an integer too large", "c1",
	    true },
	{ "negative int", RAW(REQ4(S_SETST, "\x81" "\xa5" "eta_s" "\xff")), PROTO_E_BAD_REQUEST,
	    "args.eta_s: -1 is outside [0, 86400]", "c1", true },
	{ "float NaN", RAW(REQ4(S_INTAKE, "\x81" K_LAT "\xcb\x7f\xf8\x00\x00\x00\x00\x00\x00")),
	    PROTO_E_BAD_REQUEST, "nan is outside [-90, 90]", "c1", true },
	{ "float +inf", RAW(REQ4(S_INTAKE, "\x81" K_LAT "\xcb\x7f\xf0\x00\x00\x00\x00\x00\x00")),
	    PROTO_E_BAD_REQUEST, "args.lat: inf is outside", "c1", true },
	{ "float32 -inf", RAW(REQ4(S_INTAKE, "\x81" K_LON "\xca\xff\x80\x00\x00")),
	    PROTO_E_BAD_REQUEST, "args.lon: -inf is outside", "c1", true },
	{ "lat 91", RAW(REQ4(S_INTAKE, "\x81" K_LAT "\xcb\x40\x56\xc0\x00\x00\x00\x00\x00")),
	    PROTO_E_BAD_REQUEST, "args.lat: 91 is outside [-90, 90]", "c1", true },
	{ "lon 181 as uint8", RAW(REQ4(S_INTAKE, "\x81" K_LON "\xcc\xb5")), PROTO_E_BAD_REQUEST,
	    "args.lon: 181 is outside [-180, 180]", "c1", true },
	{ "duplicate key", RAW(REQ4(S_GET, "\x82" K_ID "\x01" K_ID "\x02")), PROTO_E_BAD_REQUEST,
	    "args: duplicate key 'id'", "c1", true },
	{ "non-string key", RAW(REQ4(S_GET, "\x82" K_ID "\x01" "\x01\x02")), PROTO_E_BAD_REQUEST,
	    "args: a key is a integer, not a string", "c1", true },
};

/* The bytes of frame f: borrowed from the table, or built into b. */
static const char *
bad_frame_bytes(const struct bad_frame *f, struct proto_buf *b, size_t *len)
{
	if (f->bytes != NULL) {
		*len = f->len;
		return f->bytes;
	}
	proto_buf_reset(b);
	f->build(b);
	*len = b->len;
	return b->data;
}

#endif
