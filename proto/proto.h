/* proto.h: rescuedesk's wire contract in C: msgpack maps over ZeroMQ (see PROTOCOL.md).
 * This module is the only one that includes msgpack.h. It opens no socket and keeps no state.
 *
 * The message table is proto/msg.def; from it this header generates one struct per message
 * (struct proto_<msg>: fixed-size, NUL-terminated string buffers, int64_t, double, bool and a
 * `present` bitmask of the keys that were on the wire), the enum of messages, and the enum of
 * each message's fields (PROTO_<msg>_<field>) used by PROTO_HAS/PROTO_SET.
 *
 * Decoding is strict and total: a frame is walked before msgpack-c sees it (declared lengths
 * must fit in the bytes that remain, nesting at most PROTO_MAX_DEPTH), must be exactly one
 * object with no trailing bytes, every key is type- and range-checked, required keys are
 * enforced, unknown keys ignored. Decoded structs own copies of everything: nothing points
 * into the frame after a decode returns.
 *
 * The stream table PROTO_STREAMS (below) lists what the broker publishes; from it follow
 * the topics, the publication codec, the snapshot's arrays and its seq_/total_ keys, the
 * heartbeat's seq_ keys, and the replica's and the console's tables.
 *
 * Errors: decoders return 0, or -1 and fill a struct proto_error with a code and a message
 * naming the offending key. */
#ifndef RD_PROTO_H
#define RD_PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PROTO_VERSION 1
#define PROTO_CMD_ID_MAX 64
#define PROTO_OP_MAX 32
#define PROTO_MAX_DEPTH 16
#define PROTO_MAX_REQUEST (64 * 1024)       /* ZMQ_MAXMSGSIZE of the ROUTER and the feed */
#define PROTO_MAX_REPLY (8 * 1024 * 1024)   /* ZMQ_MAXMSGSIZE of clients' DEALER */
#define PROTO_MAX_PUB (64 * 1024)           /* ZMQ_MAXMSGSIZE of clients' SUB */
#define PROTO_MAX_ARRAY 100000              /* elements of any array we accept */

/* ---- the stream table ----
 *
 * One row per live stream the broker publishes on its PUB socket:
 *   X(ID, name, plural, key, delivery, gone)
 *   ID        PROTO_STREAM_<ID>, also PROTO_TOPIC_<ID> (the heartbeat is PROTO_TOPIC_HB)
 *   name      the ENTITY message of msg.def (struct proto_<name>), which must have an OPT
 *             I64 key "ver"; also the topic frame, the entity's key in a publication, and
 *             "seq_<name>" in the snapshot head and the heartbeat (generated into msg.def)
 *   plural    the snapshot's array key and "total_<plural>" in its head; the name of the
 *             stream's array in struct proto_reply, struct rpc_snap and struct model
 *   key       the entity's identity key (I64 or STR): one entity per key in a replica
 *   delivery  LOSSLESS: every seq matters, a gap means loss (resync); LATEST: latest-wins
 *             telemetry, a gap is no loss and a client may leave the stream unsubscribed
 *   gone      -1, or PROTO_<name>_<field> of a BOOL key that, when true, retires the entity
 *             from the live set (a cleared warning)
 * Rows are in wire order: the snapshot head's and the heartbeat's seq_ keys, the totals and
 * the arrays follow it. Adding a stream is a row here (at the end, so the keys of version 1
 * keep their order) and its ENTITY in msg.def; PROTOCOL.md then documents the topic. The
 * generated seq_/total_ keys are required, so a client built with a new row refuses the
 * snapshots and heartbeats of a broker without it: ship the broker first. */
#define PROTO_STREAMS(X)                                                \
	X(TICKET, ticket, tickets, id, LOSSLESS, -1)                    \
	X(TRUCK, truck, trucks, id, LATEST, -1)                         \
	X(WARNING, warning, warnings, id, LOSSLESS, PROTO_warning_cleared) \
	X(COMPLAINT, complaint, complaints, uid, LOSSLESS, -1)

/* Used by msg.def to generate the per-stream keys of snapshot_part and hb. */
#define PROTO_SNAP_SEQ_KEY_(ID, name, plural, key, delivery, gone) \
	F_I64(snapshot_part, seq_##name, 0, 9007199254740991, REQ)
#define PROTO_SNAP_TOTAL_KEY_(ID, name, plural, key, delivery, gone) \
	F_I64(snapshot_part, total_##plural, 0, 9007199254740991, REQ)
#define PROTO_HB_SEQ_KEY_(ID, name, plural, key, delivery, gone) \
	F_I64(hb, seq_##name, 0, 9007199254740991, REQ)

enum proto_stream {
#define PROTO_X_(ID, name, plural, key, delivery, gone) PROTO_STREAM_##ID,
	PROTO_STREAMS(PROTO_X_)
#undef PROTO_X_
	PROTO_STREAM_COUNT
};

/* The topics of the PUB socket: every stream (same numbers), then the heartbeat, then the
 * messages told customers (lossy, no snapshot, nothing a replica follows). */
enum proto_topic {
#define PROTO_X_(ID, name, plural, key, delivery, gone) PROTO_TOPIC_##ID = PROTO_STREAM_##ID,
	PROTO_STREAMS(PROTO_X_)
#undef PROTO_X_
	PROTO_TOPIC_HB = PROTO_STREAM_COUNT,
	PROTO_TOPIC_MESSAGE,
	PROTO_TOPIC_COUNT
};

/* ---- generated message structs ---- */
#define MSG_BEGIN(m, w, k) struct proto_##m {
#define F_STR(m, f, max, r) char f[(max) + 1];
#define F_TEXT(m, f, max, r) char f[(max) + 1];
#define F_I64(m, f, lo, hi, r) int64_t f;
#define F_F64(m, f, lo, hi, r) double f;
#define F_BOOL(m, f, r) bool f;
#define F_OBJ(m, f, sub, r) struct proto_##sub f;
#define MSG_END(m) uint64_t present; };
#include "msg.def"
#undef MSG_BEGIN
#undef F_STR
#undef F_TEXT
#undef F_I64
#undef F_F64
#undef F_BOOL
#undef F_OBJ
#undef MSG_END

/* ---- generated field enums: PROTO_<msg>_<field> ---- */
#define MSG_BEGIN(m, w, k) enum proto_##m##_field {
#define F_STR(m, f, max, r) PROTO_##m##_##f,
#define F_TEXT(m, f, max, r) PROTO_##m##_##f,
#define F_I64(m, f, lo, hi, r) PROTO_##m##_##f,
#define F_F64(m, f, lo, hi, r) PROTO_##m##_##f,
#define F_BOOL(m, f, r) PROTO_##m##_##f,
#define F_OBJ(m, f, sub, r) PROTO_##m##_##f,
#define MSG_END(m) PROTO_##m##__COUNT };
#include "msg.def"
#undef MSG_BEGIN
#undef F_STR
#undef F_TEXT
#undef F_I64
#undef F_F64
#undef F_BOOL
#undef F_OBJ
#undef MSG_END

/* ---- the enum of messages: PROTO_MSG_<msg> ---- */
#define MSG_BEGIN(m, w, k) PROTO_MSG_##m,
#define F_STR(m, f, max, r)
#define F_TEXT(m, f, max, r)
#define F_I64(m, f, lo, hi, r)
#define F_F64(m, f, lo, hi, r)
#define F_BOOL(m, f, r)
#define F_OBJ(m, f, sub, r)
#define MSG_END(m)
enum proto_msg_id {
#include "msg.def"
	PROTO_MSG_COUNT
};
/* A union big enough for any message. */
#undef MSG_BEGIN
#define MSG_BEGIN(m, w, k) struct proto_##m m;
union proto_any {
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

#define PROTO_HAS(s, m, f) ((((s)->present) >> PROTO_##m##_##f) & 1u)
#define PROTO_SET(s, m, f) ((s)->present |= (uint64_t)1 << PROTO_##m##_##f)
#define PROTO_ALL ((uint64_t)-1)

/* ---- descriptors ---- */
enum proto_type { PT_STR, PT_I64, PT_F64, PT_BOOL, PT_OBJ };
enum proto_kind { PROTO_KIND_REQUEST, PROTO_KIND_FEED, PROTO_KIND_ENTITY, PROTO_KIND_RESULT };

struct proto_field {
	const char *name;
	size_t name_len;
	enum proto_type type;
	size_t offset;
	size_t size;     /* PT_STR: buffer size (max bytes + 1) */
	double min, max; /* PT_I64, PT_F64 */
	bool required;
	int sub;         /* PT_OBJ: enum proto_msg_id of the nested message */
	bool lines;      /* PT_STR: line breaks allowed in requests (F_TEXT) */
};

struct proto_desc {
	const char *name;    /* the C name: "intake_create" */
	const char *wire;    /* the op, feed type or entity name: "intake.create" */
	enum proto_kind kind;
	const struct proto_field *fields;
	size_t n_fields;
	size_t size;         /* sizeof(struct proto_<msg>) */
	size_t present_off;  /* offsetof(struct proto_<msg>, present) */
};

extern const struct proto_desc proto_descs[PROTO_MSG_COUNT];

/* The REQUEST message whose wire name is op (length-bounded), or -1. */
int proto_op_lookup(const char *op, size_t len);

/* ---- streams, described (from PROTO_STREAMS) ---- */
struct proto_stream_desc {
	const char *topic;     /* the topic frame and entity key: "ticket" */
	const char *array;     /* the snapshot's array key: "tickets" */
	int msg;               /* enum proto_msg_id of the entity */
	int key;               /* field index of its identity key (PT_I64 or PT_STR) */
	int ver;               /* field index of its "ver" */
	int gone;              /* field index of its retiring BOOL key, or -1 */
	bool lossless;         /* LOSSLESS (true) or LATEST */
	size_t snap_seq_off;   /* offsetof(struct proto_snapshot_part, seq_<name>) */
	size_t snap_total_off; /* offsetof(struct proto_snapshot_part, total_<plural>) */
	size_t hb_seq_off;     /* offsetof(struct proto_hb, seq_<name>) */
};

extern const struct proto_stream_desc proto_streams[PROTO_STREAM_COUNT];

/* The stream whose entity message is m, or -1. */
int proto_stream_of(int m);
/* The topic named by the (length-bounded) topic frame, or -1. */
int proto_topic_lookup(const void *topic, size_t len);
/* The per-stream keys of a snapshot head and a heartbeat. */
int64_t proto_snapshot_seq(const struct proto_snapshot_part *h, enum proto_stream s);
int64_t proto_snapshot_total(const struct proto_snapshot_part *h, enum proto_stream s);
void proto_snapshot_set(struct proto_snapshot_part *h, enum proto_stream s, int64_t seq,
    int64_t total);
int64_t proto_hb_seq(const struct proto_hb *hb, enum proto_stream s);
void proto_hb_set_seq(struct proto_hb *hb, enum proto_stream s, int64_t seq);
/* An entity e of stream s: its key as text into buf (decimal for an I64 key; truncated to
 * n - 1 bytes), its ver (-1 when the wire left it out), ver set (and marked present), and
 * whether it is retired (its `gone` key is true). */
void proto_entity_key(enum proto_stream s, const void *e, char *buf, size_t n);
int64_t proto_entity_ver(enum proto_stream s, const void *e);
void proto_entity_set_ver(enum proto_stream s, void *e, int64_t ver);
bool proto_entity_gone(enum proto_stream s, const void *e);

/* ---- errors ---- */
#define PROTO_ERRORS(X)                          \
	X(OK, "ok")                              \
	X(BAD_REQUEST, "bad_request")            \
	X(UNKNOWN_OP, "unknown_op")              \
	X(NOT_FOUND, "not_found")                \
	X(INVALID_STATE, "invalid_state")        \
	X(CONFLICT, "conflict")                  \
	X(FORBIDDEN, "forbidden")                \
	X(UNAUTHENTICATED, "unauthenticated")    \
	X(TOO_LARGE, "too_large")                \
	X(UNAVAILABLE, "unavailable")            \
	X(NOT_LEADER, "not_leader")              \
	X(INTERNAL, "internal")

enum proto_err {
#define X(e, s) PROTO_E_##e,
	PROTO_ERRORS(X)
#undef X
	PROTO_E_COUNT
};

struct proto_error {
	enum proto_err code;
	char message[200];
	char field[33];	/* a reply's optional "field": the args key it is about; "" none */
	/* a reply's optional "params": the refusal's machine form; present 0 when absent or
	 * not readable (the message is still there) */
	struct proto_error_params params;
};

const char *proto_err_name(enum proto_err e);
/* Parse a code name; unknown names map to PROTO_E_INTERNAL. */
enum proto_err proto_err_parse(const char *name);
/* Fill err (printf-style message) and return -1. */
int proto_fail(struct proto_error *err, enum proto_err code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* ---- encoding ---- */

/* A growable output buffer. init/finish embed it; reset empties it keeping the memory. */
struct proto_buf {
	char *data;
	size_t len, cap;
};

void proto_buf_init(struct proto_buf *b);
void proto_buf_finish(struct proto_buf *b);
void proto_buf_reset(struct proto_buf *b);
/* Hand the bytes to the caller (caller frees) and leave b empty. */
char *proto_buf_take(struct proto_buf *b, size_t *len);

void proto_pack_map(struct proto_buf *b, uint32_t n);
void proto_pack_array(struct proto_buf *b, uint32_t n);
void proto_pack_str(struct proto_buf *b, const char *s);
void proto_pack_strn(struct proto_buf *b, const char *s, size_t n);
void proto_pack_i64(struct proto_buf *b, int64_t v);
void proto_pack_f64(struct proto_buf *b, double v);
void proto_pack_bool(struct proto_buf *b, bool v);
void proto_pack_nil(struct proto_buf *b);
/* Append already-encoded msgpack bytes (one complete object). */
void proto_pack_raw(struct proto_buf *b, const void *p, size_t n);

/* Encode a message struct as a map: its required keys and its optional keys that are
 * present. extra (>= 0) is the number of further key/value pairs the caller will append to
 * the same map right after. */
void proto_pack_obj(struct proto_buf *b, enum proto_msg_id m, const void *msg, uint32_t extra);
/* Number of keys proto_pack_obj would write. */
uint32_t proto_obj_keys(enum proto_msg_id m, const void *msg);

/* A request frame: {"v":1,"op":...,"cmd_id":...,"user":...,"args":{...}}. args is the
 * REQUEST struct; user may be NULL or "" (then the key is left out). */
void proto_encode_request(struct proto_buf *b, enum proto_msg_id op, const char *cmd_id,
    const char *user, const void *args);
/* A successful reply's head: {"v":1,"cmd_id":...,"op":...,"ok":true,"result": and the caller
 * then packs exactly one object (the result). */
void proto_encode_reply_ok(struct proto_buf *b, const char *cmd_id, const char *op);
/* A failed reply: {"v":1,"cmd_id":...,"op":...,"ok":false,"error":{"code":...,"message":...}} */
void proto_encode_reply_error(struct proto_buf *b, const char *cmd_id, const char *op,
    enum proto_err code, const char *message);
/* The same with the error's "field" (the args key it is about; NULL or "": none). */
void proto_encode_reply_error_at(struct proto_buf *b, const char *cmd_id, const char *op,
    enum proto_err code, const char *field, const char *message);
/* The same with the error's "params" too (NULL: none). */
void proto_encode_reply_error_params(struct proto_buf *b, const char *cmd_id, const char *op,
    enum proto_err code, const char *field, const struct proto_error_params *params,
    const char *message);
/* A feed message: {"v":1,"type":"fix"|"status", ...fields}. */
void proto_encode_feed(struct proto_buf *b, enum proto_msg_id type, const void *msg);
/* A published body: {"v":1,"epoch":..,"seq":..,"ts":..,"<entity>":{...}} for the entity
 * of any stream. For PROTO_MSG_hb the body is the bare hb map (msg is a struct proto_hb
 * carrying its own v, epoch, seq and ts; the other arguments are unused); the same for
 * PROTO_MSG_message (a struct proto_message). */
void proto_encode_pub(struct proto_buf *b, enum proto_msg_id entity, int64_t epoch,
    int64_t seq, int64_t ts, const void *msg);
/* The same head around an entity already encoded as one msgpack map (raw, n bytes). */
void proto_encode_pub_raw(struct proto_buf *b, enum proto_msg_id entity, int64_t epoch,
    int64_t seq, int64_t ts, const void *raw, size_t n);
/* The topic frame for an entity: its stream's name ("ticket", ...); "hb" for heartbeats;
 * "message" for PROTO_MSG_message;
 * "" for a message that is not published. */
const char *proto_topic_name(enum proto_msg_id entity);

/* ---- decoding ---- */

/* Check that buf is exactly one well-formed msgpack object whose declared lengths fit and
 * whose nesting is at most PROTO_MAX_DEPTH, without allocating. 0 or -1 with err. */
int proto_prevalidate(const void *buf, size_t len, struct proto_error *err);

/* Decode a standalone map frame into message m (used for tests, fuzzing and the store's
 * entity blobs). out must point to a struct proto_<m>; it is zeroed first. */
int proto_decode_msg(const void *buf, size_t len, enum proto_msg_id m, void *out,
    struct proto_error *err);

#define PROTO_USER_MAX 32

struct proto_request {
	int64_t v;
	int op; /* enum proto_msg_id of a REQUEST message */
	char cmd_id[PROTO_CMD_ID_MAX + 1];
	char user[PROTO_USER_MAX + 1]; /* optional "user" key; "" when absent */
	union proto_any args;
};

/* Decode a request frame. On failure err says why; cmd_id is filled if it could be read
 * (else ""), so the reply can name it, and op is -1 if unknown. */
int proto_decode_request(const void *buf, size_t len, struct proto_request *out,
    struct proto_error *err);

struct proto_feed {
	int type; /* PROTO_MSG_fix or PROTO_MSG_status */
	union proto_any msg;
};
int proto_decode_feed(const void *buf, size_t len, struct proto_feed *out,
    struct proto_error *err);

/* A published message. u holds the entity of the topic's stream (u.ticket, ...), the
 * heartbeat (u.hb) or a customer's message (u.message); for those two epoch, seq and ts
 * repeat their own. */
struct proto_pub {
	enum proto_topic topic;
	int64_t epoch, seq, ts;
	union {
#define PROTO_X_(ID, name, plural, key, delivery, gone) struct proto_##name name;
		PROTO_STREAMS(PROTO_X_)
#undef PROTO_X_
		struct proto_hb hb;
		struct proto_message message;
	} u;
};
/* Decode a published message: the topic frame and the body frame. */
int proto_decode_pub(const void *topic, size_t topic_len, const void *buf, size_t len,
    struct proto_pub *out, struct proto_error *err);

/* An array of entities of one stream, owned by whoever holds it. */
struct proto_array {
	void *items;
	size_t n;
};

/* One array per stream, reachable both generically (streams[enum proto_stream]) and by the
 * table's names (tickets/n_tickets, trucks/n_trucks, ...): the two views share their
 * storage (proto.c checks the layout). */
#define PROTO_ARRAY_MEMBER_(ID, name, plural, key, delivery, gone) \
	struct proto_##name *plural;                               \
	size_t n_##plural;
#define PROTO_STREAM_ARRAYS                                     \
	union {                                                 \
		struct proto_array streams[PROTO_STREAM_COUNT]; \
		struct {                                        \
			PROTO_STREAMS(PROTO_ARRAY_MEMBER_)      \
		};                                              \
	}

/* stats.report's table (PROTOCOL.md 7.35): the column names, then the rows' cells, row r
 * column c at cells[r * n_cols + c]. A cell is a string, an integer, a number or nil. */
#define PROTO_REPORT_COLS_MAX 32
#define PROTO_REPORT_NAME_MAX 64   /* bytes of a column name */
#define PROTO_REPORT_CELL_MAX 1000 /* bytes of a string cell */
enum proto_cell_type { PROTO_CELL_NIL, PROTO_CELL_STR, PROTO_CELL_INT, PROTO_CELL_F64 };
struct proto_cell {
	enum proto_cell_type type;
	int64_t i;
	double f;
	char *s;	/* PROTO_CELL_STR: owned by the reply */
};
struct proto_report_table {
	char **header;	/* owned */
	size_t n_cols;
	struct proto_cell *cells;	/* owned */
	size_t n_rows;
};

struct proto_reply {
	char cmd_id[PROTO_CMD_ID_MAX + 1];
	char op[PROTO_OP_MAX + 1];
	int op_id; /* enum proto_msg_id or -1 when the op is unknown to us */
	bool ok;
	struct proto_error error; /* when !ok */
	/* when ok, by op: */
	struct proto_hello_result hello;       /* hello */
	struct proto_ticket ticket;            /* intake.create, ticket.*, diag.* */
	struct proto_kpi kpi;                  /* stats.kpi */
	struct proto_complaint_ack complaint_ack; /* complaint.put */
	struct proto_snapshot_part snap;       /* snapshot */
	PROTO_STREAM_ARRAYS;                   /* snapshot (owned), one array per stream;
	                                        * warning.ack, warning.release, presence:
	                                        * warnings (owned); complaint.get: the
	                                        * complaint (owned) */
	struct proto_event *events;            /* ticket.get (owned); stats.kpi with
	                                        * surveys: today's answers */
	size_t n_events;
	struct proto_candidate *candidates;    /* dispatch.candidates (owned), best first */
	size_t n_candidates;
	struct proto_search_result search;     /* ticket.search: next (absent: last page) */
	struct proto_track_result track;       /* ticket.track: truck, total */
	struct proto_contact_result contact;   /* ticket.contact */
	struct proto_track_fix *fixes;         /* ticket.track (owned), oldest first */
	size_t n_fixes;
	struct proto_ticket *found;            /* ticket.search (owned), highest id first */
	size_t n_found;
	struct proto_board board;              /* stats.board: the range */
	struct proto_board_supplier *board_suppliers; /* stats.board (owned) */
	size_t n_board_suppliers;
	struct proto_board_agent *board_agents; /* stats.board (owned) */
	size_t n_board_agents;
	struct proto_board_hour *board_hours;  /* stats.board (owned), by hour */
	size_t n_board_hours;
	struct proto_sjobs sjobs;              /* supplier.jobs: the head; its trucks and
	                                        * tickets in the stream arrays (owned) */
	struct proto_job *jobs;                /* supplier.jobs (owned), one a ticket */
	size_t n_jobs;
	struct proto_gone *gone;               /* supplier.jobs (owned): trucks moved away */
	size_t n_gone;
	struct proto_report report;            /* stats.report: the head */
	struct proto_report_table table;       /* stats.report (owned) */
};
/* Decode a reply; out owns its arrays afterwards: free them with proto_reply_finish (also
 * safe on a failed decode). When the decode fails after the envelope's cmd_id was read,
 * out->cmd_id still names it, so the caller can fail that request. */
int proto_decode_reply(const void *buf, size_t len, struct proto_reply *out,
    struct proto_error *err);
void proto_reply_finish(struct proto_reply *r);

/* Copy a string into a fixed field buffer (truncating on a UTF-8 boundary). */
void proto_strset(char *dst, size_t dstsz, const char *src);
#define PROTO_STRSET(dst, src) proto_strset((dst), sizeof(dst), (src))

#endif
