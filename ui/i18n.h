/* i18n.h: message catalogs for the console's user-visible strings.
 *
 * A catalog is an INI file (read with libinih) with one section:
 *     [messages]
 *     key.move_up = Move up
 * Keys are ASCII; values are UTF-8 on one line (no continuation lines), at most 200 bytes
 * a line (inih's limit), never containing " ;" (an inline comment for inih); leading and
 * trailing spaces are stripped. Values are plain text, not printf formats: compose messages
 * from pieces so -Wformat=2 stays meaningful.
 *
 * Catalogs live in <datadir>/i18n/<lang>.ini; en.ini is complete and is the fallback.
 * i18n_tr() looks a key up in the current language, then English, then returns the key
 * itself, so a missing string shows up as its key instead of crashing.
 *
 * The loaded catalogs are process-wide (like gettext); not thread-safe. */
#ifndef RD_I18N_H
#define RD_I18N_H

#include <stddef.h>

struct i18n_catalog;

/* Load one catalog file. Returns NULL and sets *cause (caller frees) if the file cannot be
 * read, has entries outside [messages], other sections, or a key twice. Caller destroys. */
struct i18n_catalog *i18n_catalog_load(const char *path, char **cause);
/* NULL is fine. */
void i18n_catalog_destroy(struct i18n_catalog *c);
/* The text of key, or NULL. Borrowed: valid until the catalog is destroyed. */
const char *i18n_catalog_get(const struct i18n_catalog *c, const char *key);
/* The number of keys (0 for NULL). */
size_t i18n_catalog_count(const struct i18n_catalog *c);
/* The i-th key in strcmp order (i < count). Borrowed. */
const char *i18n_catalog_key(const struct i18n_catalog *c, size_t i);

/* The language to use: explicit if not NULL or empty (normalised: "zh*" -> "zh_CN",
 * "en*", "C" and "POSIX" -> "en", an encoding suffix such as ".UTF-8" removed), else the
 * first non-empty of LC_ALL, LC_MESSAGES, LANG: "zh_CN" if it starts with "zh", else "en".
 * Returns a pointer to buf (size sz). */
const char *i18n_pick_lang(const char *explicit_lang, char *buf, size_t sz);

/* Load <datadir>/i18n/<lang>.ini and <datadir>/i18n/en.ini as the process catalogs,
 * replacing any loaded before; lang NULL picks with i18n_pick_lang(). Returns 0, or -1 with
 * *cause set (caller frees), in which case the previous catalogs stay. lang may only hold
 * letters, digits, '_' and '-'. */
int i18n_load(const char *datadir, const char *lang, char **cause);
/* Drop the process catalogs (i18n_tr() then returns keys). */
void i18n_unload(void);
/* The loaded language ("en" before any load). Borrowed. */
const char *i18n_lang(void);

/* The translation of key (see above). Borrowed: valid until the next i18n_load() or
 * i18n_unload(). NULL gives "". */
const char *i18n_tr(const char *key);

/* Short form for call sites. */
#define _tr(key) i18n_tr(key)

#endif
