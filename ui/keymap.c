/* keymap.c: key names, the default key table, scope-chained lookup and rendering. */
#include "keymap.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "text.h"
#include "util.h"

struct action_info {
	const char *name;
	enum keymap_scope scope;
	const char *keys;
	const char *help;
};

static const struct action_info actions[ACTION_COUNT] = {
	[ACTION_NONE] = { "", SCOPE_GLOBAL, "", "" },
#define X(e, n, s, k) [ACTION_##e] = { n, SCOPE_##s, k, "key." n },
	KEYMAP_ACTIONS(X)
#undef X
};

struct scope_info {
	const char *name;
	enum keymap_scope parent;
	bool text_entry;
	const char *title;
};

static const struct scope_info scopes[SCOPE_COUNT] = {
#define X(e, n, p, t) [SCOPE_##e] = { n, SCOPE_##p, t, "scope." n },
	KEYMAP_SCOPES(X)
#undef X
};

static const enum keymap_scope scope_order[] = {
	SCOPE_GLOBAL, SCOPE_BOARD, SCOPE_TICKET, SCOPE_DETAIL, SCOPE_DIAG, SCOPE_FORM,
	SCOPE_DIALOG, SCOPE_COMPLAINTS, SCOPE_MAP, SCOPE_BOARDS, SCOPE_SURVEYS
};

static const char *sym_names[KEYSYM_COUNT] = {
	[KEYSYM_NONE] = "",
#define X(e, n) [KEYSYM_##e] = n,
	KEYMAP_SYMS(X)
#undef X
};

/* Default keys, parsed from the table on first use. */
static struct key bound[ACTION_COUNT][KEYMAP_MAX_KEYS];
static int nbound[ACTION_COUNT];
static bool parsed;

/* A growing string for keymap_render(). */
struct buf {
	char *p;
	size_t len, cap;
};

static void
buf_add(struct buf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		b->cap = (b->len + n + 1) * 2;
		b->p = xrealloc(b->p, b->cap);
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void
buf_str(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

static void
parse_table(void)
{
	char name[32];
	const char *p, *end;
	size_t n;
	int a;

	if (parsed)
		return;
	for (a = 1; a < ACTION_COUNT; a++) {
		for (p = actions[a].keys; *p != '\0'; p = end) {
			while (*p == ' ')
				p++;
			end = strchr(p, ' ');
			if (end == NULL)
				end = p + strlen(p);
			n = (size_t)(end - p);
			if (n == 0)
				continue;
			if (n >= sizeof name || nbound[a] == KEYMAP_MAX_KEYS)
				fatal("keymap: too many or too long keys for %s", actions[a].name);
			memcpy(name, p, n);
			name[n] = '\0';
			if (keymap_parse_key(name, &bound[a][nbound[a]]) != 0)
				fatal("keymap: bad default key \"%s\" for %s", name,
				    actions[a].name);
			nbound[a]++;
		}
	}
	parsed = true;
}

static bool
key_equal(const struct key *a, const struct key *b)
{
	return a->code == b->code && a->is_func == b->is_func;
}

static enum keymap_action
lookup_in(enum keymap_scope s, const struct key *k)
{
	int a, i;

	for (a = 1; a < ACTION_COUNT; a++) {
		if (actions[a].scope != s)
			continue;
		for (i = 0; i < nbound[a]; i++) {
			if (key_equal(&bound[a][i], k))
				return (enum keymap_action)a;
		}
	}
	return ACTION_NONE;
}

static bool
valid_scope(enum keymap_scope s)
{
	return (int)s >= 0 && s < SCOPE_COUNT;
}

static bool
valid_action(enum keymap_action a)
{
	return (int)a > 0 && a < ACTION_COUNT;
}

enum keymap_action
keymap_lookup(enum keymap_scope scope, const struct key *k)
{
	enum keymap_action a;
	enum keymap_scope s = scope;

	if (!valid_scope(scope))
		return ACTION_NONE;
	parse_table();
	for (;;) {
		a = lookup_in(s, k);
		if (a != ACTION_NONE)
			return a;
		/* In text entry, printable keys are text unless the scope binds them. */
		if (s == scope && scopes[scope].text_entry && keymap_key_printable(k))
			return ACTION_NONE;
		if (s == SCOPE_GLOBAL)
			return ACTION_NONE;
		s = scopes[s].parent;
	}
}

bool
keymap_key_printable(const struct key *k)
{
	return !k->is_func && k->code >= 0x20 && k->code != 0x7f &&
	    !(k->code >= 0x80 && k->code < 0xa0) && k->code <= 0x10ffff;
}

int
keymap_parse_key(const char *name, struct key *k)
{
	size_t len = strlen(name), used;
	wchar_t wc, orig;
	int i;

	if (len == 0)
		return -1;
	for (i = 1; i < KEYSYM_COUNT; i++) {
		if (strcasecmp(name, sym_names[i]) == 0) {
			k->code = i;
			k->is_func = true;
			return 0;
		}
	}
	if (strcasecmp(name, "Space") == 0) {
		k->code = ' ';
		k->is_func = false;
		return 0;
	}
	if (len == 3 && name[0] == 'C' && name[1] == '-' && name[2] >= 'a' && name[2] <= 'z') {
		k->code = KEYMAP_CTRL(name[2]);
		k->is_func = false;
		return 0;
	}
	used = text_decode(name, len, &wc);
	orig = wc;
	if (used != len || wc == ' ' || wc == TEXT_PLACEHOLDER || text_char_width(&wc) <= 0 ||
	    wc != orig)
		return -1;
	k->code = (int)wc;
	k->is_func = false;
	return 0;
}

size_t
keymap_key_name(const struct key *k, char *buf, size_t sz)
{
	char tmp[8];
	size_t n;

	if (k->is_func) {
		if (k->code > 0 && k->code < KEYSYM_COUNT)
			return rd_strlcpy(buf, sym_names[k->code], sz);
		return rd_strlcpy(buf, "?", sz);
	}
	if (k->code == ' ')
		return rd_strlcpy(buf, "Space", sz);
	if (k->code >= 1 && k->code <= 26) {
		tmp[0] = 'C';
		tmp[1] = '-';
		tmp[2] = (char)('a' + k->code - 1);
		tmp[3] = '\0';
		return rd_strlcpy(buf, tmp, sz);
	}
	if (!keymap_key_printable(k))
		return rd_strlcpy(buf, "?", sz);
	n = text_encode((wchar_t)k->code, tmp);
	tmp[n] = '\0';
	return rd_strlcpy(buf, tmp, sz);
}

const char *
keymap_action_name(enum keymap_action a)
{
	return valid_action(a) ? actions[a].name : "";
}

enum keymap_scope
keymap_action_scope(enum keymap_action a)
{
	return valid_action(a) ? actions[a].scope : SCOPE_GLOBAL;
}

const char *
keymap_action_help(enum keymap_action a)
{
	return valid_action(a) ? actions[a].help : "";
}

int
keymap_action_keys(enum keymap_action a, struct key *keys, int max)
{
	int i;

	if (!valid_action(a))
		return 0;
	parse_table();
	for (i = 0; i < nbound[a] && i < max; i++)
		keys[i] = bound[a][i];
	return nbound[a];
}

/* Append s to the NUL-terminated string of length len in buf (size sz), truncating;
 * returns the length the string would have untruncated. */
static size_t
append(char *buf, size_t sz, size_t len, const char *s)
{
	size_t n = strlen(s);

	if (len + 1 < sz) {
		size_t room = sz - 1 - len;
		size_t m = n < room ? n : room;

		memcpy(buf + len, s, m);
		buf[len + m] = '\0';
	}
	return len + n;
}

size_t
keymap_action_keys_text(enum keymap_action a, char *buf, size_t sz)
{
	struct key keys[KEYMAP_MAX_KEYS];
	char name[16];
	size_t len = 0;
	int i, n = keymap_action_keys(a, keys, KEYMAP_MAX_KEYS);

	if (sz > 0)
		buf[0] = '\0';
	for (i = 0; i < n; i++) {
		keymap_key_name(&keys[i], name, sizeof name);
		if (i > 0)
			len = append(buf, sz, len, ", ");
		len = append(buf, sz, len, name);
	}
	return len;
}

const char *
keymap_scope_name(enum keymap_scope s)
{
	return valid_scope(s) ? scopes[s].name : "";
}

const char *
keymap_scope_title(enum keymap_scope s)
{
	return valid_scope(s) ? scopes[s].title : "";
}

enum keymap_scope
keymap_scope_parent(enum keymap_scope s)
{
	return valid_scope(s) ? scopes[s].parent : SCOPE_GLOBAL;
}

bool
keymap_scope_text_entry(enum keymap_scope s)
{
	return valid_scope(s) && scopes[s].text_entry;
}

int
keymap_scope_order(const enum keymap_scope **order)
{
	*order = scope_order;
	return (int)ARRAY_LEN(scope_order);
}

/* scdoc treats *, _ and \ as markup. */
static void
buf_scdoc(struct buf *b, const char *s)
{
	for (; *s != '\0'; s++) {
		if (*s == '*' || *s == '_' || *s == '\\')
			buf_add(b, "\\", 1);
		buf_add(b, s, 1);
	}
}

static const char *
untranslated(const char *key)
{
	return key;
}

static void
render_scdoc(struct buf *b, enum keymap_scope s, const char *(*tr)(const char *))
{
	struct key keys[KEYMAP_MAX_KEYS];
	char name[16];
	int a, i, n;

	for (a = 1; a < ACTION_COUNT; a++) {
		if (actions[a].scope != s)
			continue;
		n = keymap_action_keys((enum keymap_action)a, keys, KEYMAP_MAX_KEYS);
		for (i = 0; i < n; i++) {
			keymap_key_name(&keys[i], name, sizeof name);
			buf_str(b, i > 0 ? ", *" : "*");
			buf_scdoc(b, name);
			buf_str(b, "*");
		}
		buf_str(b, "\n\t");
		buf_scdoc(b, tr(actions[a].help));
		buf_str(b, "\n\n");
	}
}

static void
render_text(struct buf *b, enum keymap_scope s, const char *(*tr)(const char *), int col)
{
	char keys[64];
	int a, pad;

	for (a = 1; a < ACTION_COUNT; a++) {
		if (actions[a].scope != s)
			continue;
		keymap_action_keys_text((enum keymap_action)a, keys, sizeof keys);
		buf_str(b, "  ");
		buf_str(b, keys);
		for (pad = text_width(keys); pad < col + 2; pad++)
			buf_str(b, " ");
		buf_str(b, tr(actions[a].help));
		buf_str(b, "\n");
	}
}

char *
keymap_render(enum keymap_format fmt, const char *(*tr)(const char *key))
{
	struct buf b = { NULL, 0, 0 };
	char keys[64];
	int a, i, col = 0, w;
	bool any;

	if (tr == NULL)
		tr = untranslated;
	for (a = 1; a < ACTION_COUNT; a++) {
		keymap_action_keys_text((enum keymap_action)a, keys, sizeof keys);
		w = text_width(keys);
		col = w > col ? w : col;
	}
	buf_str(&b, fmt == KEYMAP_FORMAT_SCDOC ? "# KEYS\n\n" : "");
	for (i = 0; i < (int)ARRAY_LEN(scope_order); i++) {
		any = false;
		for (a = 1; a < ACTION_COUNT; a++)
			any = any || actions[a].scope == scope_order[i];
		if (!any)
			continue;
		if (fmt == KEYMAP_FORMAT_SCDOC) {
			buf_str(&b, "## ");
			buf_scdoc(&b, tr(scopes[scope_order[i]].title));
			buf_str(&b, "\n\n");
			render_scdoc(&b, scope_order[i], tr);
		} else {
			if (b.len > 0)
				buf_str(&b, "\n");
			buf_str(&b, tr(scopes[scope_order[i]].title));
			buf_str(&b, "\n");
			render_text(&b, scope_order[i], tr, col);
		}
	}
	if (b.p == NULL)
		buf_add(&b, "", 0);
	/* The last scdoc entry ends in a blank line; end the text with one newline. */
	while (b.len >= 2 && b.p[b.len - 1] == '\n' && b.p[b.len - 2] == '\n')
		b.p[--b.len] = '\0';
	return b.p;
}
