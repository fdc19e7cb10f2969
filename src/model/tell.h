/* tell.h: telling the customer: the message templates of data/tell.ini and the pure
 * renderer that fills them from a ticket's live data in the customer's language.
 *
 * A template has an id (a-z 0-9 _, at most TELL_ID_MAX - 1 bytes) and one text per language
 * (zh and en), with named parameters in braces: {customer} {plate} {supplier} {eta}
 * {minutes} {late} {promised} {ticket}. The file is read through data.c's line-aware INI
 * reader (the only I/O here, in tell_set_load); validation and rendering are pure.
 *
 * Rendering is total and bounded: every value is cut to TELL_VALUE_MAX bytes on a UTF-8
 * boundary with its control characters made spaces, so a rendered text is one line of at
 * most TELL_TEXT_MAX bytes of valid UTF-8 (cut on a character boundary when a template and
 * its values would be longer), and holds no control character whatever the ticket holds.
 * A template that needs a parameter the ticket has not (no truck yet: no {plate}) is not
 * rendered: TELL_E_MISSING names the parameter.
 *
 * Ownership: tell_set_load returns a set the caller frees with tell_set_free;
 * template pointers and their texts are the set's. Causes are the caller's to free. */
#ifndef RD_TELL_H
#define RD_TELL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TELL_ID_MAX 17       /* a template id: at most 16 bytes, a-z 0-9 _ */
#define TELL_TEXT_MAX 480    /* bytes of a rendered message, without its NUL */
#define TELL_VALUE_MAX 64    /* bytes of one parameter's value once filled in */
#define TELL_TEMPLATES_MAX 32

/* The customer's languages: the ticket's `lang` ("zh", the default, or "en"). */
enum tell_lang { TELL_LANG_ZH, TELL_LANG_EN, TELL_LANG_COUNT };

/* The parameters a template may name. */
#define TELL_PARAMS(X)                  \
	X(CUSTOMER, "customer")         \
	X(PLATE, "plate")               \
	X(SUPPLIER, "supplier")         \
	X(ETA, "eta")                   \
	X(MINUTES, "minutes")           \
	X(LATE, "late")                 \
	X(PROMISED, "promised")         \
	X(TICKET, "ticket")

enum tell_param {
#define X(e, s) TELL_P_##e,
	TELL_PARAMS(X)
#undef X
	TELL_P_COUNT
};

/* The templates the broker itself needs: the automatic delay message. */
#define TELL_DELAY "delay"

struct tell_template {
	char id[TELL_ID_MAX];
	char *text[TELL_LANG_COUNT];
	uint32_t needs;          /* bits (1u << enum tell_param) the texts name */
};

struct tell_set {
	struct tell_template *t;
	size_t n;
};

/* What a ticket gives the renderer; NULL or "" strings and times <= 0 are absent. */
struct tell_facts {
	const char *customer;
	const char *plate;       /* the truck's id (its plate) */
	const char *supplier;
	int64_t eta;             /* ms since the epoch */
	int64_t promised;
	int64_t ticket;
	int64_t now;             /* for {minutes} and {late} */
};

enum tell_err {
	TELL_OK,
	TELL_E_UNKNOWN,          /* no such template */
	TELL_E_MISSING,          /* the ticket lacks a parameter the template names */
};

/* "zh" or "en" to a language; -1 for anything else. NULL or "" is zh (the default). */
int tell_lang_parse(const char *s);
const char *tell_lang_name(enum tell_lang l);
const char *tell_param_name(enum tell_param p);

/* Read and validate a tell.ini (format: data/README.md): [template] sections with id, zh and
 * en, each once; ids unique and well formed; every {name} a parameter of TELL_PARAMS, braces
 * balanced, no control characters; at most TELL_TEMPLATES_MAX templates, and eta, delay,
 * apology and arrived_soon among them. Returns the set, or NULL and *cause (caller frees):
 * the first error as "PATH:LINE: what". */
struct tell_set *tell_set_load(const char *path, char **cause);
void tell_set_free(struct tell_set *s);
/* The template of id, or NULL. */
const struct tell_template *tell_find(const struct tell_set *s, const char *id);
/* Render template t in language l from f into out (at least TELL_TEXT_MAX + 1 bytes).
 * TELL_E_MISSING sets *missing to the parameter lacking (out is then ""). */
enum tell_err tell_render(const struct tell_template *t, enum tell_lang l,
    const struct tell_facts *f, char *out, enum tell_param *missing);

#endif
