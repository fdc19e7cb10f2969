/* i18n.c: INI message catalogs (read by data_ini_read), language choice, lookup with fallback. */
#include "i18n.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "data.h"
#include "util.h"

struct entry {
	char *key;
	char *text;
};

struct i18n_catalog {
	struct entry *e;	/* sorted by key once loaded */
	size_t n, cap;
};

struct parse {
	struct i18n_catalog *c;
	char *err;		/* the first error, allocated */
};

/* The process catalogs; cur may be the same object as en. */
static struct i18n_catalog *cur, *en;
static char cur_lang[32] = "en";

static int
cmp_entry(const void *a, const void *b)
{
	return strcmp(((const struct entry *)a)->key, ((const struct entry *)b)->key);
}

static int
handler(void *user, const char *section, const char *name, const char *value)
{
	struct parse *p = user;
	struct i18n_catalog *c = p->c;
	struct entry *last = c->n > 0 ? &c->e[c->n - 1] : NULL;

	if (strcmp(section, "messages") != 0) {
		if (p->err == NULL)
			xasprintf(&p->err, "key \"%s\" outside [messages]", name);
		return 0;
	}
	if (last != NULL && strcmp(last->key, name) == 0) {
		/* inih hands an indented continuation line over as the same key again. */
		if (p->err == NULL)
			xasprintf(&p->err, "key \"%s\" repeated or continued", name);
		return 0;
	}
	if (c->n == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 64;
		c->e = xreallocarray(c->e, c->cap, sizeof *c->e);
	}
	c->e[c->n].key = xstrdup(name);
	c->e[c->n].text = xstrdup(value);
	c->n++;
	return 1;
}

struct i18n_catalog *
i18n_catalog_load(const char *path, char **cause)
{
	struct parse p = { xcalloc(1, sizeof *p.c), NULL };
	size_t i;
	int rc;

	rc = data_ini_read(path, handler, &p);
	if (rc == -1) {
		xasprintf(cause, "%s: %s", path, strerror(errno));
		goto fail;
	}
	if (rc != 0) {
		xasprintf(cause, "%s:%d: %s", path, rc,
		    p.err != NULL ? p.err : "syntax error (no '=' or line too long)");
		goto fail;
	}
	qsort(p.c->e, p.c->n, sizeof *p.c->e, cmp_entry);
	for (i = 1; i < p.c->n; i++) {
		if (strcmp(p.c->e[i - 1].key, p.c->e[i].key) == 0) {
			xasprintf(cause, "%s: key \"%s\" given twice", path, p.c->e[i].key);
			goto fail;
		}
	}
	free(p.err);
	return p.c;
fail:
	free(p.err);
	i18n_catalog_destroy(p.c);
	return NULL;
}

void
i18n_catalog_destroy(struct i18n_catalog *c)
{
	size_t i;

	if (c == NULL)
		return;
	for (i = 0; i < c->n; i++) {
		free(c->e[i].key);
		free(c->e[i].text);
	}
	free(c->e);
	free(c);
}

const char *
i18n_catalog_get(const struct i18n_catalog *c, const char *key)
{
	struct entry k = { (char *)(uintptr_t)key, NULL }, *e;

	if (c == NULL || key == NULL || c->n == 0)
		return NULL;
	e = bsearch(&k, c->e, c->n, sizeof *c->e, cmp_entry);
	return e != NULL ? e->text : NULL;
}

size_t
i18n_catalog_count(const struct i18n_catalog *c)
{
	return c != NULL ? c->n : 0;
}

const char *
i18n_catalog_key(const struct i18n_catalog *c, size_t i)
{
	return c != NULL && i < c->n ? c->e[i].key : NULL;
}

const char *
i18n_pick_lang(const char *explicit_lang, char *buf, size_t sz)
{
	static const char *vars[] = { "LC_ALL", "LC_MESSAGES", "LANG" };
	const char *v = NULL;
	size_t i, n;

	if (explicit_lang != NULL && explicit_lang[0] != '\0') {
		if (strncmp(explicit_lang, "zh", 2) == 0)
			rd_strlcpy(buf, "zh_CN", sz);
		else if (strncmp(explicit_lang, "en", 2) == 0 ||
		    strcmp(explicit_lang, "C") == 0 || strcmp(explicit_lang, "POSIX") == 0)
			rd_strlcpy(buf, "en", sz);
		else {
			n = strcspn(explicit_lang, ".@");
			rd_strlcpy(buf, explicit_lang, n + 1 < sz ? n + 1 : sz);
		}
		return buf;
	}
	for (i = 0; i < ARRAY_LEN(vars) && v == NULL; i++) {
		v = getenv(vars[i]);
		if (v != NULL && v[0] == '\0')
			v = NULL;
	}
	rd_strlcpy(buf, v != NULL && strncmp(v, "zh", 2) == 0 ? "zh_CN" : "en", sz);
	return buf;
}

static bool
lang_ok(const char *lang)
{
	const char *p;

	if (lang[0] == '\0' || strlen(lang) >= sizeof cur_lang)
		return false;
	for (p = lang; *p != '\0'; p++) {
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '_' || *p == '-'))
			return false;
	}
	return true;
}

static struct i18n_catalog *
load_lang(const char *datadir, const char *lang, char **cause)
{
	struct i18n_catalog *c;
	char *path;

	xasprintf(&path, "%s/i18n/%s.ini", datadir, lang);
	c = i18n_catalog_load(path, cause);
	free(path);
	return c;
}

int
i18n_load(const char *datadir, const char *lang, char **cause)
{
	struct i18n_catalog *new_en, *new_cur;
	char picked[32];

	lang = i18n_pick_lang(lang, picked, sizeof picked);
	if (!lang_ok(lang)) {
		xasprintf(cause, "bad language name \"%s\"", lang);
		return -1;
	}
	new_en = load_lang(datadir, "en", cause);
	if (new_en == NULL)
		return -1;
	new_cur = new_en;
	if (strcmp(lang, "en") != 0) {
		new_cur = load_lang(datadir, lang, cause);
		if (new_cur == NULL) {
			i18n_catalog_destroy(new_en);
			return -1;
		}
	}
	i18n_unload();
	en = new_en;
	cur = new_cur;
	rd_strlcpy(cur_lang, lang, sizeof cur_lang);
	return 0;
}

void
i18n_unload(void)
{
	if (cur != en)
		i18n_catalog_destroy(cur);
	i18n_catalog_destroy(en);
	cur = en = NULL;
	rd_strlcpy(cur_lang, "en", sizeof cur_lang);
}

const char *
i18n_lang(void)
{
	return cur_lang;
}

const char *
i18n_tr(const char *key)
{
	const char *t;

	if (key == NULL)
		return "";
	t = i18n_catalog_get(cur, key);
	if (t == NULL)
		t = i18n_catalog_get(en, key);
	return t != NULL ? t : key;
}
