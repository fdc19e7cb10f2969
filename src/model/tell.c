/* tell.c: the customer's message templates (data/tell.ini) and their renderer. See tell.h.
 *
 * The file is read through data_ini_read_lines (data.c owns libinih); the checks and the
 * rendering are pure. A value is made safe before it is put in a text (safe_copy): valid
 * UTF-8 only (a broken sequence becomes '?'), every C0 and C1 control and DEL a space, cut
 * on a character boundary; the text is cut the same way, so a message is always one line
 * of valid UTF-8 of at most TELL_TEXT_MAX bytes. */
#include "tell.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "civil.h"
#include "data.h"
#include "util.h"

static const char *const param_names[] = {
#define X(e, s) s,
	TELL_PARAMS(X)
#undef X
};

static const char *const required_ids[] = { "eta", TELL_DELAY, "apology", "arrived_soon" };

const char *
tell_param_name(enum tell_param p)
{
	return (unsigned)p < TELL_P_COUNT ? param_names[p] : "";
}

int
tell_lang_parse(const char *s)
{
	if (s == NULL || *s == '\0' || strcmp(s, "zh") == 0)
		return TELL_LANG_ZH;
	if (strcmp(s, "en") == 0)
		return TELL_LANG_EN;
	return -1;
}

const char *
tell_lang_name(enum tell_lang l)
{
	return l == TELL_LANG_EN ? "en" : "zh";
}

static int
param_lookup(const char *s, size_t n)
{
	for (int i = 0; i < TELL_P_COUNT; i++)
		if (strlen(param_names[i]) == n && memcmp(param_names[i], s, n) == 0)
			return i;
	return -1;
}

/* ---- safe text ---- */

/* The length of the valid UTF-8 sequence at s (of at most n bytes), or 0 if broken. */
static size_t
utf8_len(const unsigned char *s, size_t n)
{
	size_t len;
	uint32_t cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		len = 2;
		cp = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		len = 3;
		cp = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		len = 4;
		cp = s[0] & 0x07;
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
	if ((len == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
	    (len == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	return len;
}

/* Append src (n bytes) to out (holding *len bytes) made safe, without passing max bytes:
 * controls become spaces, broken sequences '?', the cut falls between characters. */
static bool
safe_append(char *out, size_t *len, size_t max, const char *src, size_t n)
{
	const unsigned char *s = (const unsigned char *)src;
	size_t i = 0;

	while (i < n) {
		size_t l = utf8_len(s + i, n - i);
		const char *piece = (const char *)s + i;
		size_t pl = l;

		if (l == 0) {
			piece = "?";
			pl = 1;
			l = 1;
		} else if ((l == 1 && (s[i] < 0x20 || s[i] == 0x7f)) ||
		    (l == 2 && s[i] == 0xc2 && s[i + 1] < 0xa0) ||
		    (l == 3 && s[i] == 0xe2 && s[i + 1] == 0x80 &&
		    (s[i + 2] == 0xa8 || s[i + 2] == 0xa9))) {
			/* C0, DEL, C1, and the line and paragraph separators */
			piece = " ";
			pl = 1;
		}
		if (*len + pl > max) {
			out[*len] = '\0';
			return false;
		}
		memcpy(out + *len, piece, pl);
		*len += pl;
		i += l;
	}
	out[*len] = '\0';
	return true;
}

/* ---- loading ---- */

struct load {
	const char *path;
	struct tell_set *set;
	char *err;               /* the first error */
	bool in_template;
	int line;                /* of the current [template] */
	bool have[3];            /* id, zh, en of the current one */
};

static void RD_PRINTF(3, 4)
fail(struct load *L, int line, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	if (L->err != NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	xasprintf(&L->err, "%s:%d: %s", L->path, line, msg);
}

/* The parameters text names, or -1 (and an error) when it is not a good template. */
static int64_t
scan_text(struct load *L, int line, const char *text)
{
	uint32_t needs = 0;

	if (*text == '\0') {
		fail(L, line, "empty text");
		return -1;
	}
	for (const char *p = text; *p; p++) {
		if ((unsigned char)*p < 0x20 || *p == 0x7f) {
			fail(L, line, "control character in a text");
			return -1;
		}
		if (*p == '}') {
			fail(L, line, "unbalanced '}'");
			return -1;
		}
		if (*p != '{')
			continue;
		const char *e = strchr(p + 1, '}');
		const char *o = strchr(p + 1, '{');
		if (e == NULL || (o != NULL && o < e)) {
			fail(L, line, "unbalanced '{'");
			return -1;
		}
		int k = param_lookup(p + 1, (size_t)(e - p - 1));
		if (k < 0) {
			char name[40];
			snprintf(name, sizeof name, "%.*s", (int)(e - p - 1 > 32 ? 32 : e - p - 1),
			    p + 1);
			fail(L, line, "unknown parameter {%s}", name);
			return -1;
		}
		needs |= 1u << k;
		p = e;
	}
	return needs;
}

static void
end_template(struct load *L)
{
	static const char *const keys[] = { "id", "zh", "en" };

	if (!L->in_template)
		return;
	L->in_template = false;
	for (int i = 0; i < 3; i++)
		if (!L->have[i]) {
			fail(L, L->line, "[template] without %s", keys[i]);
			return;
		}
}

static void
on_section(void *user, int line, const char *name)
{
	struct load *L = user;
	struct tell_set *s = L->set;

	end_template(L);
	if (strcmp(name, "template") != 0) {
		fail(L, line, "unknown section [%s]", name);
		return;
	}
	if (s->n == TELL_TEMPLATES_MAX) {
		fail(L, line, "more than %d templates", TELL_TEMPLATES_MAX);
		return;
	}
	s->t = xreallocarray(s->t, s->n + 1, sizeof *s->t);
	memset(&s->t[s->n], 0, sizeof s->t[s->n]);
	s->n++;
	L->in_template = true;
	L->line = line;
	memset(L->have, 0, sizeof L->have);
}

static bool
good_id(const char *v)
{
	size_t n = strlen(v);

	if (n == 0 || n >= TELL_ID_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((v[i] >= 'a' && v[i] <= 'z') || (v[i] >= '0' && v[i] <= '9') || v[i] == '_'))
			return false;
	return true;
}

static void
on_key(void *user, int line, const char *section, const char *key, const char *value)
{
	struct load *L = user;
	struct tell_template *t;
	int k;

	(void)section;
	if (!L->in_template) {
		fail(L, line, "key %s outside a [template]", key);
		return;
	}
	t = &L->set->t[L->set->n - 1];
	if (strcmp(key, "id") == 0)
		k = 0;
	else if (strcmp(key, "zh") == 0)
		k = 1;
	else if (strcmp(key, "en") == 0)
		k = 2;
	else {
		fail(L, line, "unknown key %s", key);
		return;
	}
	if (L->have[k]) {
		fail(L, line, "repeated key %s", key);
		return;
	}
	L->have[k] = true;
	if (k == 0) {
		if (!good_id(value)) {
			fail(L, line, "bad id '%s' (a-z 0-9 _, at most 16 bytes)", value);
			return;
		}
		for (size_t i = 0; i + 1 < L->set->n; i++)
			if (strcmp(L->set->t[i].id, value) == 0) {
				fail(L, line, "duplicate id %s", value);
				return;
			}
		rd_strlcpy(t->id, value, sizeof t->id);
		return;
	}
	int64_t needs = scan_text(L, line, value);
	if (needs < 0)
		return;
	t->needs |= (uint32_t)needs;
	t->text[k == 1 ? TELL_LANG_ZH : TELL_LANG_EN] = xstrdup(value);
}

static void
on_error(void *user, int line, const char *msg)
{
	fail(user, line, "%s", msg);
}

struct tell_set *
tell_set_load(const char *path, char **cause)
{
	struct load L = { .path = path };
	struct data_ini_ops ops = { on_section, on_key, on_error };

	L.set = xcalloc(1, sizeof *L.set);
	if (data_ini_read_lines(path, &ops, &L, cause) < 0) {
		tell_set_free(L.set);
		return NULL;
	}
	end_template(&L);
	for (size_t i = 0; L.err == NULL && i < ARRAY_LEN(required_ids); i++)
		if (tell_find(L.set, required_ids[i]) == NULL)
			xasprintf(&L.err, "%s: no template %s", path, required_ids[i]);
	if (L.err != NULL) {
		*cause = L.err;
		tell_set_free(L.set);
		return NULL;
	}
	return L.set;
}

void
tell_set_free(struct tell_set *s)
{
	if (s == NULL)
		return;
	for (size_t i = 0; i < s->n; i++)
		for (int l = 0; l < TELL_LANG_COUNT; l++)
			free(s->t[i].text[l]);
	free(s->t);
	free(s);
}

const struct tell_template *
tell_find(const struct tell_set *s, const char *id)
{
	if (s == NULL || id == NULL)
		return NULL;
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->t[i].id, id) == 0)
			return &s->t[i];
	return NULL;
}

/* ---- rendering ---- */

/* "14:05" China time. */
static void
clock_text(int64_t t, char *out, size_t n)
{
	int64_t m = civil_ms_of_day(t, CIVIL_TZ_CHINA_S) / 60000;
	snprintf(out, n, "%02d:%02d", (int)(m / 60), (int)(m % 60));
}

/* Parameter p's value from f into out, or false when the ticket has not got it. */
static bool
value_of(enum tell_param p, const struct tell_facts *f, char *out, size_t n)
{
	const char *s = NULL;

	switch (p) {
	case TELL_P_CUSTOMER:
		s = f->customer;
		break;
	case TELL_P_PLATE:
		s = f->plate;
		break;
	case TELL_P_SUPPLIER:
		s = f->supplier;
		break;
	case TELL_P_ETA:
		if (f->eta <= 0)
			return false;
		clock_text(f->eta, out, n);
		return true;
	case TELL_P_PROMISED:
		if (f->promised <= 0)
			return false;
		clock_text(f->promised, out, n);
		return true;
	case TELL_P_MINUTES:
		if (f->eta <= 0)
			return false;
		/* minutes left, rounded up; never below 1 while the truck is not there */
		snprintf(out, n, "%" PRId64, f->eta <= f->now ? (int64_t)1 :
		    (f->eta - f->now + 59999) / 60000);
		return true;
	case TELL_P_LATE:
		if (f->eta <= 0 || f->promised <= 0)
			return false;
		snprintf(out, n, "%" PRId64, f->eta <= f->promised ? (int64_t)0 :
		    (f->eta - f->promised + 59999) / 60000);
		return true;
	case TELL_P_TICKET:
		if (f->ticket <= 0)
			return false;
		snprintf(out, n, "%" PRId64, f->ticket);
		return true;
	case TELL_P_COUNT:
		break;
	}
	if (s == NULL || *s == '\0')
		return false;
	rd_strlcpy(out, s, n);
	return true;
}

enum tell_err
tell_render(const struct tell_template *t, enum tell_lang l, const struct tell_facts *f,
    char *out, enum tell_param *missing)
{
	char vals[TELL_P_COUNT][TELL_VALUE_MAX + 1];
	size_t len = 0;

	out[0] = '\0';
	if (t == NULL || (unsigned)l >= TELL_LANG_COUNT)
		return TELL_E_UNKNOWN;
	for (int p = 0; p < TELL_P_COUNT; p++) {
		char raw[256];
		size_t vl = 0;

		vals[p][0] = '\0';
		if (!(t->needs & (1u << p)))
			continue;
		if (!value_of((enum tell_param)p, f, raw, sizeof raw)) {
			if (missing != NULL)
				*missing = (enum tell_param)p;
			return TELL_E_MISSING;
		}
		(void)safe_append(vals[p], &vl, TELL_VALUE_MAX, raw, strlen(raw));
	}
	for (const char *s = t->text[l]; *s != '\0';) {
		const char *o = strchr(s, '{');
		size_t plain = o == NULL ? strlen(s) : (size_t)(o - s);

		if (!safe_append(out, &len, TELL_TEXT_MAX, s, plain) || o == NULL)
			break;
		const char *e = strchr(o, '}');
		int p = e == NULL ? -1 : param_lookup(o + 1, (size_t)(e - o - 1));
		if (p < 0) { /* a loaded set has none; a hand-made template shows it as is */
			if (!safe_append(out, &len, TELL_TEXT_MAX, o, 1))
				break;
			s = o + 1;
			continue;
		}
		if (!safe_append(out, &len, TELL_TEXT_MAX, vals[p], strlen(vals[p])))
			break;
		s = e + 1;
	}
	return TELL_OK;
}
