/* keyfile.c: reading, checking and writing CURVE key files (keyfile.h). The INI text goes
 * through data.c's reader, so libinih stays in one file. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "data.h"
#include "keyfile.h"
#include "util.h"

#define KEYFILE_SECTION "curve"

static const char z85_chars[] =
    "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#";

bool
keyfile_z85_ok(const char *s)
{
	size_t n = 0;

	if (s == NULL)
		return false;
	for (; s[n] != '\0'; n++)
		if (n >= KEYFILE_Z85_LEN || strchr(z85_chars, s[n]) == NULL)
			return false;
	return n == KEYFILE_Z85_LEN;
}

struct kf_read {
	char pub[KEYFILE_Z85_LEN + 1], sec[KEYFILE_Z85_LEN + 1];
	bool have_pub, have_sec, in_curve, seen_curve;
	int bad_line;
	const char *why;
};

static void
kf_section(void *user, int line, const char *name)
{
	struct kf_read *r = user;

	r->in_curve = strcmp(name, KEYFILE_SECTION) == 0;
	if (!r->in_curve && r->bad_line == 0) {
		r->bad_line = line;
		r->why = "unknown section (only [curve])";
	}
	if (r->in_curve && r->seen_curve && r->bad_line == 0) {
		r->bad_line = line;
		r->why = "[curve] given twice";
	}
	r->seen_curve |= r->in_curve;
}

static void
kf_key(void *user, int line, const char *section, const char *key, const char *value)
{
	struct kf_read *r = user;
	char *dst;
	bool *have;

	(void)section;
	if (r->bad_line != 0)
		return;
	if (!r->in_curve) {
		r->bad_line = line;
		r->why = "a key outside [curve]";
		return;
	}
	if (strcmp(key, "public_key") == 0) {
		dst = r->pub;
		have = &r->have_pub;
	} else if (strcmp(key, "secret_key") == 0) {
		dst = r->sec;
		have = &r->have_sec;
	} else {
		r->bad_line = line;
		r->why = "unknown key (public_key, secret_key)";
		return;
	}
	if (*have) {
		r->bad_line = line;
		r->why = "key given twice";
		return;
	}
	if (!keyfile_z85_ok(value)) {
		r->bad_line = line;
		r->why = "not a key: 40 characters of Z85 expected";
		return;
	}
	memcpy(dst, value, KEYFILE_Z85_LEN + 1);
	*have = true;
}

static void
kf_error(void *user, int line, const char *msg)
{
	struct kf_read *r = user;

	if (r->bad_line == 0) {
		r->bad_line = line;
		r->why = msg;
	}
}

int
keyfile_read(const char *path, char *pub, char *sec, char **cause)
{
	static const struct data_ini_ops ops = { kf_section, kf_key, kf_error };
	struct kf_read r = { 0 };
	struct stat st;
	int rc = -1;

	if (stat(path, &st) < 0) {
		xasprintf(cause, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		xasprintf(cause, "%s: not a regular file", path);
		return -1;
	}
	if (sec != NULL && (st.st_mode & 077) != 0) {
		xasprintf(cause, "%s: readable or writable by others (mode %03o): chmod 600 it",
		    path, (unsigned)(st.st_mode & 0777));
		return -1;
	}
	if (data_ini_read_lines(path, &ops, &r, cause) < 0)
		return -1;
	if (r.bad_line != 0)
		xasprintf(cause, "%s:%d: %s", path, r.bad_line, r.why);
	else if (!r.have_pub)
		xasprintf(cause, "%s: no public_key in [curve]", path);
	else if (sec != NULL && !r.have_sec)
		xasprintf(cause, "%s: no secret_key in [curve]", path);
	else
		rc = 0;
	if (rc == 0) {
		memcpy(pub, r.pub, sizeof r.pub);
		if (sec != NULL)
			memcpy(sec, r.sec, sizeof r.sec);
	}
	explicit_bzero(r.sec, sizeof r.sec);
	return rc;
}

int
keyfile_write(const char *path, const char *pub, const char *sec, char **cause)
{
	char *tmp = NULL;
	FILE *f = NULL;
	int fd;

	if (!keyfile_z85_ok(pub) || !keyfile_z85_ok(sec)) {
		xasprintf(cause, "%s: not a key: 40 characters of Z85 expected", path);
		return -1;
	}
	xasprintf(&tmp, "%s.tmp-XXXXXX", path);
	if ((fd = mkstemp(tmp)) < 0) {
		xasprintf(cause, "%s: %s", tmp, strerror(errno));
		free(tmp);
		return -1;
	}
	if (fchmod(fd, 0600) < 0 || (f = fdopen(fd, "w")) == NULL) {
		xasprintf(cause, "%s: %s", tmp, strerror(errno));
		close(fd);
		goto fail;
	}
	fprintf(f,
	    "# rescuedesk CURVE key (rescuedeskd(8), FILES). Keep it secret: mode 0600.\n"
	    "[curve]\n"
	    "public_key = %s\n"
	    "secret_key = %s\n",
	    pub, sec);
	if (fflush(f) != 0 || fsync(fileno(f)) < 0) {
		xasprintf(cause, "%s: %s", tmp, strerror(errno));
		fclose(f);
		goto fail;
	}
	if (fclose(f) != 0) {
		xasprintf(cause, "%s: %s", tmp, strerror(errno));
		goto fail;
	}
	if (rename(tmp, path) < 0) {
		xasprintf(cause, "%s: %s", path, strerror(errno));
		goto fail;
	}
	free(tmp);
	return 0;
fail:
	unlink(tmp);
	free(tmp);
	return -1;
}
