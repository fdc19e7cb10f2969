/* fuzz-data.c: libFuzzer targets for the broker's optional data files, built once per target.
 *   -DFUZZ_TELL_FILE     a tell.ini (src/model/tell.c, tell_set_load): it loads or is refused
 *                        with a cause; a loaded set renders every template in both languages
 *                        from hostile facts into one line of at most TELL_TEXT_MAX bytes
 *                        without a control character, or names the parameter it lacks.
 *   -DFUZZ_NUMBERS_FILE  a numbers.ini (src/model/vnum.c, vnum_pool_load): it loads or is
 *                        refused with a cause; a loaded pool binds and releases without
 *                        ever giving one number to two rescues.
 *   -DFUZZ_USERS_FILE    the broker's users file (src/model/users.c, users_load): it loads or
 *                        is refused with a cause naming lines of the file; a loaded table
 *                        finds every user by its key and by its name, with a valid role,
 *                        a Z85 key, and a supplier exactly when the role is supplier.
 *   -DFUZZ_KEY_FILE      a CURVE key file (src/model/keyfile.c, keyfile_read), read as the
 *                        program's own (secret key required) and as a server's (public key
 *                        only): it is read or refused with a cause naming the file; what is
 *                        read is two Z85 keys, and writing them back reads the same. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char path[64];

static void
remove_file(void)
{
	unlink(path);
}

/* The input as the file at path, made once per process. */
static void
write_input(const uint8_t *data, size_t size, const char *name)
{
	FILE *f;

	if (path[0] == '\0') {
		int fd;

		snprintf(path, sizeof path, "/tmp/fuzz-%s-XXXXXX", name);
		if ((fd = mkstemp(path)) < 0)
			abort();
		close(fd);
		atexit(remove_file);
	}
	if ((f = fopen(path, "w")) == NULL)	/* mkstemp made it 0600, as a key file must be */
		abort();
	if (size > 0 && fwrite(data, 1, size, f) != size)
		abort();
	fclose(f);
}

#if defined(FUZZ_TELL_FILE)
#include "tell.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* a customer's name made of escapes, a line break, a right-to-left override and a
	 * cut multi-byte character, longer than a value may be */
	static const char hostile[] = "\x1b[2J\r\n\xe2\x80\xae\x07 李四 \xc2\x9b" "0123456789"
	    "0123456789012345678901234567890123456789012345678901234567890123456789\xe6\x9d";
	const struct tell_facts facts[2] = {
		{ hostile, hostile, hostile, 1772417820000, 1772417100000, 9007199254740991,
		    1772416000000 },
		{ NULL, "", NULL, 0, -1, 0, 0 },
	};
	char *cause = NULL, out[TELL_TEXT_MAX + 1];
	struct tell_set *s;

	write_input(data, size, "tell");
	if ((s = tell_set_load(path, &cause)) == NULL) {
		if (cause == NULL)
			abort();
		free(cause);
		return 0;
	}
	for (size_t i = 0; i < s->n; i++)
		for (int l = 0; l < TELL_LANG_COUNT; l++)
			for (size_t k = 0; k < 2; k++) {
				enum tell_param missing = TELL_P_COUNT;
				enum tell_err e = tell_render(&s->t[i], (enum tell_lang)l, &facts[k],
				    out, &missing);
				if (e == TELL_E_MISSING) {
					if (missing >= TELL_P_COUNT || out[0] != '\0')
						abort();
					continue;
				}
				if (e != TELL_OK || strlen(out) > TELL_TEXT_MAX)
					abort();
				for (const unsigned char *c = (const unsigned char *)out; *c; c++)
					if (*c < 0x20 || *c == 0x7f)
						abort();
			}
	tell_set_free(s);
	return 0;
}
#elif defined(FUZZ_NUMBERS_FILE)
#include "vnum.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const regions[] = { "changsha", "ningxiang", "aba", "x" };
	const char *bound[16];
	struct vnum_pool *p = NULL;
	char *cause = NULL;

	write_input(data, size, "numbers");
	if (vnum_pool_load(path, NULL, NULL, &p, &cause) != 0) {
		if (cause == NULL || p != NULL)
			abort();
		free(cause);
		return 0;
	}
	/* bind 16 rescues round the regions, release half, bind again: never one number twice */
	for (int i = 0; i < 16; i++)
		bound[i] = vnum_bind(p, regions[i % 4], i + 1, 1000);
	for (int i = 0; i < 16; i++)
		for (int j = 0; j < i; j++)
			if (bound[i] != NULL && bound[j] != NULL && strcmp(bound[i], bound[j]) == 0)
				abort();
	for (int i = 0; i < 16; i += 2)
		if (bound[i] != NULL && vnum_release(p, bound[i], i + 1, 2000) != 0)
			abort();
	for (int i = 0; i < 16; i += 2)
		if (bound[i] != NULL && vnum_rescue(p, bound[i]) == i + 1)
			abort();
	vnum_pool_free(p);
	return 0;
}
#elif defined(FUZZ_USERS_FILE)
#include "users.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const sups[] = { "cs-tow-1", "ningxiang-tow" };
	char *cause = NULL, *warn = NULL;
	struct users *u;

	write_input(data, size, "users");
	if ((u = users_load(path, sups, 2, &cause, &warn)) == NULL) {
		if (cause == NULL || strstr(cause, path) == NULL)
			abort();
		free(cause);
		free(warn);
		return 0;
	}
	for (size_t i = 0; i < users_count(u); i++) {
		const struct users_entry *e = users_at(u, i);
		if (users_by_key(u, e->key) != e || users_by_name(u, e->name) != e ||
		    !keyfile_z85_ok(e->key) || users_role_name(e->role)[0] == '\0' ||
		    (e->role == USERS_ROLE_SUPPLIER) != (e->supplier[0] != '\0'))
			abort();
	}
	free(warn);
	users_free(u);
	return 0;
}
#elif defined(FUZZ_KEY_FILE)
#include "keyfile.h"

/* Read the file at path as the program's own key (sec) or a server's (sec NULL). */
static void
read_key(char *sec)
{
	char pub[KEYFILE_Z85_LEN + 1], pub2[KEYFILE_Z85_LEN + 1], sec2[KEYFILE_Z85_LEN + 1];
	char copy[80], *cause = NULL;

	if (keyfile_read(path, pub, sec, &cause) != 0) {
		if (cause == NULL || strstr(cause, path) == NULL)
			abort();
		free(cause);
		return;
	}
	if (!keyfile_z85_ok(pub) || (sec != NULL && !keyfile_z85_ok(sec)))
		abort();
	if (sec == NULL)
		return;
	snprintf(copy, sizeof copy, "%s.again", path);
	if (keyfile_write(copy, pub, sec, &cause) != 0 ||
	    keyfile_read(copy, pub2, sec2, &cause) != 0 || strcmp(pub, pub2) != 0 ||
	    strcmp(sec, sec2) != 0)
		abort();
	unlink(copy);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char sec[KEYFILE_Z85_LEN + 1];

	write_input(data, size, "key");
	read_key(sec);
	read_key(NULL);
	return 0;
}
#else
#error "build with -DFUZZ_TELL_FILE, -DFUZZ_NUMBERS_FILE, -DFUZZ_USERS_FILE or -DFUZZ_KEY_FILE"
#endif
