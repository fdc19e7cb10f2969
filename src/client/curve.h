/* curve.h: CURVE on a client's sockets: the client's key pair and the broker's public key,
 * set on each socket before it connects (rpc.c's DEALER, replica.c's SUB, the simulator's
 * feed PUSH), key generation, and a watch on the handshakes of one socket, so a broker
 * that refuses the key shows in words instead of as an endless "connecting".
 *
 * Keys are Z85 text, 40 characters (keyfile.h reads and writes the files that hold them; the
 * programs read the files and hand the text here). A socket keeps its keys across
 * reconnects: libzmq uses the options set before connect for every connection it makes
 * again. No keys (curve_keys_on false) leaves a socket plain, for an open broker.
 *
 * Ownership: struct curve_keys is the caller's (embedded, no heap); curve_watch_start
 * returns a watch freed by curve_watch_stop, which must run before the watched socket and
 * the context are closed. *cause is allocated and freed by the caller. */
#ifndef RD_CURVE_H
#define RD_CURVE_H

#include <stdbool.h>

#define CURVE_Z85_LEN 40 /* characters of a Z85 key, without the NUL */

struct curve_keys {
	char pub[CURVE_Z85_LEN + 1];    /* the client's public key; "" none */
	char sec[CURVE_Z85_LEN + 1];    /* the client's secret key */
	char server[CURVE_Z85_LEN + 1]; /* the broker's public key */
};

/* Whether k holds all three keys (NULL: no). */
bool curve_keys_on(const struct curve_keys *k);

/* Whether s is a Z85 text of a 32-byte key (40 characters that decode). */
bool curve_z85_ok(const char *s);

/* Set k from the three texts, each checked with curve_z85_ok, and pub checked to be the
 * public half of sec. 0, or -1 and *cause (naming which key is wrong); k is then zeroed. */
int curve_keys_set(struct curve_keys *k, const char *pub, const char *sec,
    const char *server, char **cause);

/* How the programs read and write key files (keyfile_read and keyfile_write of
 * src/model/keyfile.h, which this layer cannot include): sec NULL for a public key only. */
typedef int curve_read_fn(const char *path, char *pub, char *sec, char **cause);
typedef int curve_write_fn(const char *path, const char *pub, const char *sec, char **cause);

/* The options --key FILE and --server-key KEY shared by rescuedesk and rescuedesk-sim, each
 * NULL when not given; a missing one falls back to the environment (RESCUEDESK_KEY,
 * RESCUEDESK_SERVER_KEY; empty counts as unset). KEY is the broker's public key in Z85, or
 * "@FILE": a key file (keyfile.h) whose public_key is the broker's (a secret_key in it is
 * not read). '@' is also a Z85 character: a KEY that is a valid Z85 key is taken as one
 * unless FILE exists. Neither given: k zeroed (plain sockets) and 0. One without the other: -2 and
 * *cause (a usage error). A file or key that is wrong: -1 and *cause. */
int curve_keys_load(struct curve_keys *k, const char *key_file, const char *server_key,
    curve_read_fn *read_key, char **cause);

/* --keygen FILE: a new pair written to path (write_key, mode 0600); pub gets the public key
 * (CURVE_Z85_LEN + 1 bytes). 0, or -1 and *cause. */
int curve_keygen(const char *path, curve_write_fn *write_key, char *pub, char **cause);

/* A new key pair (zmq_curve_keypair) into pub and sec (CURVE_Z85_LEN + 1 bytes each). 0, or
 * -1 and *cause (a libzmq built without CURVE). */
int curve_keypair(char *pub, char *sec, char **cause);

/* Make sock a CURVE client of k's server with k's pair; call before zmq_connect. With k NULL
 * or not on (curve_keys_on), nothing. 0, or -1 and *cause. */
int curve_apply(void *sock, const struct curve_keys *k, char **cause);

/* What the handshakes of a watched socket said, latest first. */
enum curve_state {
	CURVE_UNKNOWN,    /* no handshake finished yet */
	CURVE_OK,         /* the last handshake succeeded */
	CURVE_REFUSED,    /* the broker refused this key (its ZAP handler said no) */
	CURVE_MISMATCH,   /* one side speaks CURVE, the other not (a key missing, or one too many) */
	CURVE_BAD_SERVER, /* the broker hung up in the handshake: a wrong --server-key, or a
	                   * plain broker (libzmq reports either as a hang-up, mostly) */
};

struct curve_watch;

/* Watch the handshakes of sock (in context zctx) through zmq_socket_monitor. Call before
 * zmq_connect so the first handshake is seen. NULL and *cause when libzmq cannot. */
struct curve_watch *curve_watch_start(void *zctx, void *sock, char **cause);
/* Stop watching and free w (NULL is fine). */
void curve_watch_stop(struct curve_watch *w);
/* Read the events that arrived (never blocks) and return the state. The broker hanging up
 * in the handshake (a failure with no detail, or CURVE_FAIL_DROPS connections in a row
 * dropped before their handshake finished) is CURVE_BAD_SERVER: all a client sees of a
 * broker that cannot decrypt its hello. A later successful handshake makes it CURVE_OK. */
#define CURVE_FAIL_DROPS 2
enum curve_state curve_watch_poll(struct curve_watch *w);
/* The state last read, without reading. */
enum curve_state curve_watch_state(const struct curve_watch *w);
/* "ok", "refused", ... for logs and tests; the console words them from its catalog
 * ("auth.refused", ...). */
const char *curve_state_name(enum curve_state s);

#endif
