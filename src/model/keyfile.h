/* keyfile.h: CURVE key files, the one format the broker, the console and the simulator read
 * and write (rescuedeskd(8), FILES).
 *
 * A key file is an INI file with one section [curve] holding public_key and secret_key,
 * each 40 characters of Z85 (ZeroMQ's text form of a 32-byte key); it must not be readable
 * or writable by group or others (mode 0600), like ssh's private keys. Writing is atomic: a
 * temporary file of mode 0600 in the same directory, renamed over the target.
 *
 * Key generation itself needs libzmq (zmq_curve_keypair), so it lives with the files that
 * own sockets; this module only reads, checks and writes the text. Ownership: the caller
 * owns every buffer; *cause is allocated, "PATH: reason", and freed by the caller. */
#ifndef RD_KEYFILE_H
#define RD_KEYFILE_H

#include <stdbool.h>

#define KEYFILE_Z85_LEN 40 /* characters of a Z85 CURVE key, without the NUL */

/* Whether s is exactly KEYFILE_Z85_LEN characters of the Z85 alphabet. */
bool keyfile_z85_ok(const char *s);

/* Read path into pub and sec (each KEYFILE_Z85_LEN + 1 bytes). sec may be NULL for a file
 * that holds only a public key (a server's key handed to clients); otherwise a secret_key is
 * required. Refuses a file readable or writable by group or others, unknown keys, a key
 * given twice and keys that are not Z85. 0, or -1 and *cause. */
int keyfile_read(const char *path, char *pub, char *sec, char **cause);

/* Write pub and sec (both checked with keyfile_z85_ok) to path, mode 0600, atomically. An
 * existing file is replaced. 0, or -1 and *cause. */
int keyfile_write(const char *path, const char *pub, const char *sec, char **cause);

#endif
