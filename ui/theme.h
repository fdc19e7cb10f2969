/* theme.h: colour roles of the console and their colour and monochrome styles.
 *
 * Views never name colours: they tag cells with an enum theme_role (see vscreen.h) and the
 * terminal layer (term.c) turns a role into a colour pair plus attributes using the struct
 * theme chosen at start-up. Colours are the 8 ANSI colours or THEME_DEFAULT (-1, the
 * terminal's own foreground/background), so light and dark terminals both stay readable.
 *
 * The monochrome column uses attributes only (bold, reverse, underline); it is used with
 * --mono, when NO_COLOR is set and non-empty (no-color.org), or when the terminal has no
 * colours. The light variant (--theme light) changes the few roles that a light
 * background would wash out (yellow, cyan and white text, white bars); see THEME_LIGHT.
 * Where urgency shows, a glyph says it as well as the colour (THEME_MARK_*), so red and
 * amber differ in monochrome and to colour-blind eyes. No curses here: this header is safe
 * to include anywhere. */
#ifndef RD_THEME_H
#define RD_THEME_H

#include <stdbool.h>

/* Colours, numbered as ANSI and curses COLOR_* number them. */
enum theme_color {
	THEME_DEFAULT = -1,
	THEME_BLACK = 0,
	THEME_RED,
	THEME_GREEN,
	THEME_YELLOW,
	THEME_BLUE,
	THEME_MAGENTA,
	THEME_CYAN,
	THEME_WHITE
};

/* Cell attributes; a bit set, also used by vscreen cells. */
enum theme_attr {
	THEME_BOLD = 1 << 0,
	THEME_REVERSE = 1 << 1,
	THEME_UNDERLINE = 1 << 2,
	THEME_DIM = 1 << 3
};

/* X(ROLE, "name", letter, fg, bg, colour attrs, monochrome attrs)
 * letter: one unique ASCII character per role, used by vscreen_dump_roles(). */
#define THEME_ROLES(X)                                                                    \
	X(NORMAL, "normal", '.', THEME_DEFAULT, THEME_DEFAULT, 0, 0)                      \
	X(TITLE, "title", 'T', THEME_WHITE, THEME_BLUE, THEME_BOLD,                       \
	    THEME_REVERSE | THEME_BOLD)                                                   \
	X(HEADER, "header", 'H', THEME_CYAN, THEME_DEFAULT, THEME_BOLD,                   \
	    THEME_BOLD | THEME_UNDERLINE)                                                 \
	X(SELECTED, "selected", 'S', THEME_BLACK, THEME_CYAN, 0, THEME_REVERSE)           \
	X(STATUS, "status", 's', THEME_BLACK, THEME_WHITE, 0, THEME_REVERSE)              \
	X(STALE, "stale", 'B', THEME_BLACK, THEME_YELLOW, THEME_BOLD,                     \
	    THEME_REVERSE | THEME_BOLD)                                                   \
	X(WARN, "warn", 'W', THEME_YELLOW, THEME_DEFAULT, THEME_BOLD, THEME_BOLD)         \
	X(LATE, "late", 'L', THEME_RED, THEME_DEFAULT, THEME_BOLD,                        \
	    THEME_BOLD | THEME_UNDERLINE)                                                 \
	X(OK, "ok", 'O', THEME_GREEN, THEME_DEFAULT, 0, 0)                                \
	X(DIM, "dim", 'd', THEME_DEFAULT, THEME_DEFAULT, THEME_DIM, 0)                    \
	X(PENDING, "pending", 'P', THEME_MAGENTA, THEME_DEFAULT, 0, THEME_UNDERLINE)      \
	X(ERROR, "error", 'E', THEME_WHITE, THEME_RED, THEME_BOLD,                        \
	    THEME_REVERSE | THEME_BOLD)                                                   \
	X(KEY, "key", 'K', THEME_CYAN, THEME_DEFAULT, THEME_BOLD, THEME_BOLD)             \
	X(KEY_HINT, "key_hint", 'h', THEME_DEFAULT, THEME_DEFAULT, 0, 0)                  \
	X(BORDER, "border", 'b', THEME_BLUE, THEME_DEFAULT, 0, 0)                         \
	X(INPUT, "input", 'I', THEME_DEFAULT, THEME_DEFAULT, THEME_UNDERLINE,             \
	    THEME_UNDERLINE)                                                              \
	X(DIALOG, "dialog", 'D', THEME_BLACK, THEME_WHITE, 0, THEME_REVERSE)

enum theme_role {
#define X(e, n, l, fg, bg, ca, ma) ROLE_##e,
	THEME_ROLES(X)
#undef X
	ROLE_COUNT
};

/* The light-background variant: X(ROLE, fg, bg, colour attrs) for the roles that differ
 * from the colour column above (every other role is the same on both). */
#define THEME_LIGHT(X)                                                  \
	X(TITLE, THEME_WHITE, THEME_BLUE, THEME_BOLD)                   \
	X(HEADER, THEME_BLUE, THEME_DEFAULT, THEME_BOLD)                \
	X(STATUS, THEME_WHITE, THEME_BLACK, 0)                          \
	X(WARN, THEME_BLACK, THEME_YELLOW, 0)                           \
	X(LATE, THEME_RED, THEME_DEFAULT, THEME_BOLD | THEME_UNDERLINE) \
	X(OK, THEME_GREEN, THEME_DEFAULT, THEME_BOLD)                   \
	X(KEY, THEME_BLUE, THEME_DEFAULT, THEME_BOLD)                   \
	X(DIALOG, THEME_BLACK, THEME_CYAN, 0)

/* The colour variants. */
enum theme_variant {
	THEME_DARK,		/* for a dark background (the default) */
	THEME_LIGHT		/* for a light background */
};

/* Warning marks (one column each, plain ASCII so every terminal and font shows them one
 * cell wide): red, late or about to be, and amber, at risk. */
#define THEME_MARK_RED "!"
#define THEME_MARK_AMBER "*"

struct theme_style {
	int fg;			/* enum theme_color */
	int bg;			/* enum theme_color */
	unsigned attr;		/* enum theme_attr bits */
};

/* A resolved theme; plain data, embed it or keep it static (no destroy needed). */
struct theme {
	bool color;		/* false: monochrome, fg/bg are THEME_DEFAULT */
	struct theme_style style[ROLE_COUNT];
};

/* Decide whether to use colour: false when mono is set (--mono), when the terminal has no
 * colours, or when the environment has NO_COLOR set to a non-empty value. Reads getenv. */
bool theme_want_color(bool mono, bool term_has_colors);

/* Fill *t from the role table: the colour column if color, else the monochrome column. */
void theme_init(struct theme *t, bool color);
/* The same in a variant: with colour, THEME_LIGHT replaces the roles it names; without
 * colour the variant makes no difference. */
void theme_init_variant(struct theme *t, bool color, enum theme_variant v);
/* The variant called name ("dark", "light"), or -1. */
int theme_variant_parse(const char *name);

/* The style of role r (attributes are those of the theme; cells may add more). */
const struct theme_style *theme_style(const struct theme *t, enum theme_role r);

/* Static role name ("normal", "late", ...); borrowed, lives forever; "?" out of range. */
const char *theme_role_name(enum theme_role r);
/* The role's letter in vscreen_dump_roles(); '?' out of range. */
char theme_role_letter(enum theme_role r);

/* The role called name, or -1 if there is none. */
int theme_role_from_name(const char *name);

#endif
