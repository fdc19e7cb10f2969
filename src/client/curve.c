/* curve.c: CURVE keys on client sockets and the watch on their handshakes (curve.h).
 *
 * The watch is a zmq_socket_monitor PAIR in the socket's context, read without blocking
 * from the owner's loop (rpc_process). Its events: a handshake succeeded (any mechanism: a
 * plain client of an open broker is OK too), failed for authentication (the broker's ZAP
 * handler refused the key: "refused"), failed for the protocol (a mechanism mismatch: one
 * side has no keys), or failed with no detail: the broker hung up in the handshake, which is
 * all a client sees when the broker cannot decrypt its hello (a wrong server key; measured
 * with libzmq 4.3.4: HANDSHAKE_FAILED_NO_DETAIL, errno EPIPE, then DISCONNECTED). A
 * connection dropped in its handshake with no event at all counts the same after
 * CURVE_FAIL_DROPS in a row. A plain client of a CURVE broker sees a mechanism mismatch on
 * one try and a hang-up with no detail on another (measured: 1 of each in 3 s), so a
 * refusal or a mismatch stays the reason until a handshake succeeds. */
#include "curve.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zmq.h>

#include "util.h"

struct curve_watch {
	void *sock;        /* the watched socket (borrowed) */
	void *pair;        /* the monitor's reading end */
	enum curve_state state;
	bool handshaking;  /* connected, and no handshake finished since */
	int drops;         /* connections dropped in their handshake, in a row */
};

bool
curve_keys_on(const struct curve_keys *k)
{
	return k != NULL && k->pub[0] != '\0' && k->sec[0] != '\0' && k->server[0] != '\0';
}

bool
curve_z85_ok(const char *s)
{
	uint8_t bin[32];

	return s != NULL && strlen(s) == CURVE_Z85_LEN && zmq_z85_decode(bin, s) != NULL;
}

int
curve_keys_set(struct curve_keys *k, const char *pub, const char *sec, const char *server,
    char **cause)
{
	char derived[CURVE_Z85_LEN + 1];

	memset(k, 0, sizeof *k);
	if (!curve_z85_ok(pub) || !curve_z85_ok(sec)) {
		xasprintf(cause, "the key pair is not two 40-character Z85 keys");
		return -1;
	}
	if (!curve_z85_ok(server)) {
		xasprintf(cause, "the server key is not a 40-character Z85 key");
		return -1;
	}
	if (zmq_curve_public(derived, sec) < 0 || strcmp(derived, pub) != 0) {
		explicit_bzero(derived, sizeof derived);
		xasprintf(cause, "the public key is not the secret key's");
		return -1;
	}
	rd_strlcpy(k->pub, pub, sizeof k->pub);
	rd_strlcpy(k->sec, sec, sizeof k->sec);
	rd_strlcpy(k->server, server, sizeof k->server);
	return 0;
}

int
curve_keypair(char *pub, char *sec, char **cause)
{
	if (!zmq_has("curve") || zmq_curve_keypair(pub, sec) < 0) {
		xasprintf(cause, "this libzmq has no CURVE");
		return -1;
	}
	return 0;
}

/* A non-empty option value, or the environment's. */
static const char *
or_env(const char *v, const char *name)
{
	const char *e;

	if (v != NULL && v[0] != '\0')
		return v;
	e = getenv(name);
	return e != NULL && e[0] != '\0' ? e : NULL;
}

int
curve_keys_load(struct curve_keys *k, const char *key_file, const char *server_key,
    curve_read_fn *read_key, char **cause)
{
	char pub[CURVE_Z85_LEN + 1], sec[CURVE_Z85_LEN + 1], srv[CURVE_Z85_LEN + 1];
	char *why = NULL;
	int rc = -1;

	memset(k, 0, sizeof *k);
	key_file = or_env(key_file, "RESCUEDESK_KEY");
	server_key = or_env(server_key, "RESCUEDESK_SERVER_KEY");
	if (key_file == NULL && server_key == NULL)
		return 0;
	if (key_file == NULL || server_key == NULL) {
		xasprintf(cause, key_file == NULL ? "--server-key needs --key FILE (or "
		    "RESCUEDESK_KEY)" : "--key needs --server-key KEY (or RESCUEDESK_SERVER_KEY)");
		return -2;
	}
	if (read_key(key_file, pub, sec, cause) < 0)
		return -1;
	/* '@' is a Z85 character too: a 40-character key that begins with it is a key,
	 * unless a file of the name after the '@' exists */
	if (server_key[0] == '@' && (!curve_z85_ok(server_key) ||
	    access(server_key + 1, F_OK) == 0)) {
		if (read_key(server_key + 1, srv, NULL, cause) < 0)
			goto out;
	} else if (!curve_z85_ok(server_key)) {
		xasprintf(cause, "--server-key: expected 40 characters of Z85 or @FILE, got '%s'",
		    server_key);
		goto out;
	} else
		rd_strlcpy(srv, server_key, sizeof srv);
	if (curve_keys_set(k, pub, sec, srv, &why) < 0) {
		xasprintf(cause, "%s: %s", key_file, why);
		free(why);
		goto out;
	}
	rc = 0;
out:
	explicit_bzero(sec, sizeof sec);
	return rc;
}

int
curve_keygen(const char *path, curve_write_fn *write_key, char *pub, char **cause)
{
	char sec[CURVE_Z85_LEN + 1];
	int rc;

	if (curve_keypair(pub, sec, cause) < 0)
		return -1;
	rc = write_key(path, pub, sec, cause);
	explicit_bzero(sec, sizeof sec);
	return rc;
}

int
curve_apply(void *sock, const struct curve_keys *k, char **cause)
{
	if (!curve_keys_on(k))
		return 0;
	if (zmq_setsockopt(sock, ZMQ_CURVE_SERVERKEY, k->server, CURVE_Z85_LEN) < 0 ||
	    zmq_setsockopt(sock, ZMQ_CURVE_PUBLICKEY, k->pub, CURVE_Z85_LEN) < 0 ||
	    zmq_setsockopt(sock, ZMQ_CURVE_SECRETKEY, k->sec, CURVE_Z85_LEN) < 0) {
		xasprintf(cause, "CURVE keys: %s", zmq_strerror(errno));
		return -1;
	}
	return 0;
}

struct curve_watch *
curve_watch_start(void *zctx, void *sock, char **cause)
{
	static unsigned serial;
	struct curve_watch *w;
	char ep[80];
	int zero = 0;

	snprintf(ep, sizeof ep, "inproc://rd-curve-watch-%p-%u", sock, serial++);
	if (zmq_socket_monitor(sock, ep, ZMQ_EVENT_CONNECTED | ZMQ_EVENT_DISCONNECTED |
	    ZMQ_EVENT_HANDSHAKE_SUCCEEDED | ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL |
	    ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL | ZMQ_EVENT_HANDSHAKE_FAILED_AUTH) < 0) {
		xasprintf(cause, "socket monitor: %s", zmq_strerror(errno));
		return NULL;
	}
	w = xcalloc(1, sizeof *w);
	w->sock = sock;
	if ((w->pair = zmq_socket(zctx, ZMQ_PAIR)) == NULL ||
	    zmq_setsockopt(w->pair, ZMQ_LINGER, &zero, sizeof zero) < 0 ||
	    zmq_connect(w->pair, ep) < 0) {
		xasprintf(cause, "socket monitor: %s", zmq_strerror(errno));
		curve_watch_stop(w);
		return NULL;
	}
	return w;
}

void
curve_watch_stop(struct curve_watch *w)
{
	if (w == NULL)
		return;
	zmq_socket_monitor(w->sock, NULL, 0);
	if (w->pair != NULL)
		zmq_close(w->pair);
	free(w);
}

/* One event: its number and value (the first frame), the endpoint frame skipped. */
static bool
read_event(void *pair, uint16_t *event, uint32_t *value)
{
	zmq_msg_t msg;
	bool ok = false;
	int more;

	zmq_msg_init(&msg);
	if (zmq_msg_recv(&msg, pair, ZMQ_DONTWAIT) < 0) {
		zmq_msg_close(&msg);
		return false;
	}
	if (zmq_msg_size(&msg) >= 6) {
		const uint8_t *d = zmq_msg_data(&msg);
		memcpy(event, d, sizeof *event);
		memcpy(value, d + 2, sizeof *value);
		ok = true;
	}
	more = zmq_msg_more(&msg);
	while (more) {
		zmq_msg_close(&msg);
		zmq_msg_init(&msg);
		if (zmq_msg_recv(&msg, pair, 0) < 0 && errno != EINTR)
			break;
		more = zmq_msg_more(&msg);
	}
	zmq_msg_close(&msg);
	return ok;
}

enum curve_state
curve_watch_poll(struct curve_watch *w)
{
	uint16_t ev;
	uint32_t val;

	if (w == NULL)
		return CURVE_UNKNOWN;
	while (read_event(w->pair, &ev, &val)) {
		switch (ev) {
		case ZMQ_EVENT_CONNECTED:
			w->handshaking = true;
			break;
		case ZMQ_EVENT_HANDSHAKE_SUCCEEDED:
			w->state = CURVE_OK;
			w->handshaking = false;
			w->drops = 0;
			break;
		case ZMQ_EVENT_HANDSHAKE_FAILED_AUTH:
			w->state = CURVE_REFUSED;
			w->handshaking = false;
			break;
		case ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL:
			w->state = val == ZMQ_PROTOCOL_ERROR_ZMTP_MECHANISM_MISMATCH ?
			    CURVE_MISMATCH : val == ZMQ_PROTOCOL_ERROR_ZMTP_CRYPTOGRAPHIC ?
			    CURVE_BAD_SERVER : CURVE_REFUSED;
			w->handshaking = false;
			break;
		case ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL:
			/* the peer hung up in the handshake (errno EPIPE): what a broker that
			 * cannot decrypt our hello does; but also what may follow a refusal or a
			 * mismatch on the next try, which then stays the reason */
			if (w->state != CURVE_REFUSED && w->state != CURVE_MISMATCH)
				w->state = CURVE_BAD_SERVER;
			w->handshaking = false;
			break;
		case ZMQ_EVENT_DISCONNECTED:
			if (w->handshaking && ++w->drops >= CURVE_FAIL_DROPS &&
			    w->state != CURVE_REFUSED && w->state != CURVE_MISMATCH)
				w->state = CURVE_BAD_SERVER;
			w->handshaking = false;
			break;
		default:
			break;
		}
	}
	return w->state;
}

enum curve_state
curve_watch_state(const struct curve_watch *w)
{
	return w != NULL ? w->state : CURVE_UNKNOWN;
}

const char *
curve_state_name(enum curve_state s)
{
	static const char *names[] = {
		[CURVE_UNKNOWN] = "unknown", [CURVE_OK] = "ok", [CURVE_REFUSED] = "refused",
		[CURVE_MISMATCH] = "mismatch", [CURVE_BAD_SERVER] = "bad_server",
	};
	return (unsigned)s < ARRAY_LEN(names) ? names[s] : "unknown";
}
