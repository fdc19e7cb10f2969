/* plaintext.h: what text a client may write into rescuedesk: the rule of PROTOCOL.md 3.2
 * for the strings of requests and feed messages. Names, plates, addresses and notes go on
 * from the broker to every console, CSV export, supplier system and report, so control
 * characters (ESC sequences, BEL, CR), direction overrides (U+202E) and strings that look
 * empty but are not (a zero-width space) are stopped here, once, at the boundary.
 *
 * Pure: no I/O, no allocation. The string is changed in place and never grows. */
#ifndef RD_PLAINTEXT_H
#define RD_PLAINTEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum plaintext_fault {
	PLAINTEXT_OK = 0,
	PLAINTEXT_UTF8,       /* not valid UTF-8, or a NUL byte */
	PLAINTEXT_CONTROL,    /* a C0 or C1 control character, or DEL */
	PLAINTEXT_LINEBREAK,  /* LF, U+2028 or U+2029 in a one-line field */
	PLAINTEXT_DIRECTION,  /* a bidirectional control: U+061C, U+200E, U+200F,
	                       * U+202A-U+202E, U+2066-U+2069 */
};

/* Check and normalise the NUL-terminated string s of len bytes in place: a TAB becomes a
 * space, and a string with no visible character (only spaces, tabs, line breaks where
 * allowed and zero-width characters) becomes "" (its len bytes zeroed: nothing of it left
 * behind the NUL). lines allows line breaks (LF, U+2028, U+2029). Returns PLAINTEXT_OK, or
 * the fault and, in *bad (may be NULL), the code point that caused it (for PLAINTEXT_UTF8,
 * the offending byte); s is then unchanged. */
enum plaintext_fault plaintext_clean(char *s, size_t len, bool lines, uint32_t *bad);

/* Words for a fault, e.g. "control character" (static). */
const char *plaintext_fault_str(enum plaintext_fault f);

#endif
