/* form.h: the form engine of the console: a table of labelled fields in titled sections,
 * drawn into a vscreen, with focus movement, inline errors in words, choice lists, check
 * boxes, the "discard?" question and the message line of a form. The intake form
 * (view-intake.c) is its field table, its validation and its submit; a complaint form is
 * another table.
 *
 * A form is embedded in its view (form_init .. form_finish). The view gives the table
 * (struct form_field, one a field, in screen order), the section titles, and struct
 * form_ops: the validator of each field (returns the error in words, NULL when fine), and
 * for choice fields the text shown, the items of the list and what picking one does. The
 * engine keeps the text of text fields (lineedit.h editors: UTF-8, Chinese input,
 * horizontal scrolling) and the state of check boxes; the view keeps the values of its
 * choices (they mean something only to it).
 *
 * A field can be hidden (form_show): it is not drawn, takes no row, never has the focus
 * and has no error; its value is kept. A check box can be set by the owner
 * (form_set_checked, a default that follows other fields) until the user ticks or unticks
 * it (form_edited).
 *
 * Keys (SCOPE_FORM): Tab/S-Tab and Down/Up move between fields (Up/Down move inside an
 * area first); PgDn/PgUp between pages; Enter moves on from a text field (a line break in
 * an area), opens the list of a choice (a menu, SCOPE_DIALOG while open) and ticks a box;
 * Space ticks a box or opens a list; Left/Right step through a choice; Delete clears a
 * choice that may be empty (ops.clear); the editing keys edit; F10 or C-o calls ops.submit;
 * Esc closes (asking first when something was typed).
 *
 * Errors show next to their field once the field was left after an edit, and for every
 * field after form_validate() (a submit attempt); the message line names the focused
 * field's error, else how many are left, else the model's message, else the key hints.
 * A field marked required shows a mark after its label.
 *
 * Pages: a long form (the complaint) gives each field a page and the form the page titles
 * (pages, n_pages > 1): only the focused field's page is drawn, under a bar of the page
 * titles (the current one selected, a page with an error shown in the error role, the
 * keys at the right); PgDn/PgUp (C-f/C-b) go to the first field of the next or previous
 * page, Tab and S-Tab run on across pages. A form of one page draws as before.
 *
 * Multi-line text areas: FORM_TEXT with rows > 1 is an area of that many rows. Its text
 * holds line breaks (Enter inserts one) and is wrapped by display width (CJK and emoji
 * are two columns, a wide character never split); the cursor moves by characters (a base
 * character with its combining marks) left and right, by wrapped lines up and down (Up on
 * the first line and Down on the last leave the field), Home/End (C-a/C-e) to the ends of
 * the wrapped line; the rows scroll to keep the cursor in view, with a mark when more text
 * is above or below. A paste goes in with its line breaks as spaces (as a line's).
 *
 * Formats: a FORM_TEXT field may carry a format the engine checks itself (after the
 * owner's error): FORM_DATE, a day YYYY-MM-DD of the calendar (read as a day in China
 * time: form_date gives its midnight there); FORM_MONEY, yuan with at most two decimals
 * ("1234.5", "1,234.50", "¥80") kept as fen (form_money). Their errors are the catalog's
 * form.err.date, form.err.money.
 *
 * Pick lists search as their items are typed (menu.h); a choice field is a pick list.
 *
 * Ownership: the form borrows the table, the titles, the ops and the owner (they must
 * outlive it); it owns its editors, its menu and its per-field state. Pure: no curses, no
 * sockets. */
#ifndef RD_FORM_H
#define RD_FORM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "keymap.h"
#include "lineedit.h"
#include "menu.h"
#include "vscreen.h"

struct model;
struct form;

enum form_kind {
	FORM_TEXT,		/* a line of text (max bytes) */
	FORM_CHOICE,		/* one of a list (ops.choices), shown with ▾ */
	FORM_CHECK		/* a check box; consecutive ones sit two a row */
};

/* What the engine checks in a FORM_TEXT field's text (besides the owner's error). */
enum form_format {
	FORM_PLAIN,		/* any text */
	FORM_DATE,		/* YYYY-MM-DD, a day of the calendar (China time) */
	FORM_MONEY		/* yuan, at most two decimals: kept as fen */
};

struct form_field {
	const char *label;	/* catalog key */
	enum form_kind kind;
	size_t max;		/* FORM_TEXT: bytes */
	int section;		/* index into the section titles; fields of one section are
				   consecutive */
	bool required;		/* a mark after the label */
	uint32_t data;		/* the owner's (the intake form: a check box's ticket flag) */
	int rows;		/* FORM_TEXT: > 1 a multi-line area of that many rows */
	enum form_format format;	/* FORM_TEXT: what the engine checks */
	int page;		/* index into the page titles (0 in a form of one page); the
				   fields of one page are consecutive */
	bool readonly;		/* shown, focused and scrolled, never changed by keys (what the
				   owner fills: a number, a frozen timeline) */
};

struct form_area;

/* The owner's part. owner is form.owner. Any of choice_text, choices, pick, step, clear,
 * edited may be NULL when the form has no choice field or does not need it. */
struct form_ops {
	/* The error of field i in words (catalog text), NULL when it is fine. */
	const char *(*error)(void *owner, const struct form *f, const struct model *m, int i);
	/* What choice field i shows (into buf, or a constant); *placeholder when it is a
	 * prompt and not a value (drawn dim). */
	const char *(*choice_text)(void *owner, const struct form *f, const struct model *m,
	    int i, char *buf, size_t sz, bool *placeholder);
	/* Fill the (cleared) menu with the items of choice field i, the current one
	 * selected; false when there is nothing to choose from (the list does not open). */
	bool (*choices)(void *owner, const struct form *f, const struct model *m, int i,
	    struct menu *mn);
	/* Field i was given value (a menu item's value); false when nothing changed. */
	bool (*pick)(void *owner, struct form *f, const struct model *m, int i, int value);
	/* Left/Right on choice field i: the value delta (-1, 1) away, or -2 for none. */
	int (*step)(void *owner, const struct form *f, const struct model *m, int i, int delta);
	/* The value that clears choice field i (Delete), or -2 when it cannot be cleared. */
	int (*clear)(void *owner, const struct form *f, int i);
	/* What text field i shows while it has no focus (into buf), NULL for its text: the
	 * complaint's phone shows masked. */
	const char *(*shown)(void *owner, const struct form *f, int i, char *buf, size_t sz);
	/* Text field i was edited. */
	void (*edited)(void *owner, struct form *f, int i);
	/* F10: send the form (call form_validate first). Returns view reaction bits. */
	unsigned (*submit)(void *owner, struct form *f, struct model *m);
};

#define FORM_NO_VALUE (-2)

struct form {
	const struct form_field *fields;
	int n;
	const char *const *sections;	/* catalog keys of the section titles */
	const struct form_ops *ops;
	void *owner;
	const char *discard;		/* catalog key of the "discard?" question */
	const char *invalid;		/* catalog key of "still invalid:" (then the count) */
	const char *const *keys;	/* key hints: pairs of key and catalog key */
	int n_keys;
	const char *const *pages;	/* catalog keys of the page titles */
	int n_pages;			/* > 1: a form of pages */

	int focus;
	struct lineedit *edit;		/* [n]: used by FORM_TEXT fields of one row */
	struct form_area *area;		/* [n]: used by FORM_TEXT fields of rows > 1 */
	bool *on;			/* [n]: FORM_CHECK fields */
	bool *hidden;			/* [n]: not shown (form_show) */
	bool *dirty;			/* [n]: edited since the form opened */
	bool *touched;			/* [n]: left after an edit: errors show */
	bool tried;			/* validated once: every error shows */
	bool changed;			/* anything typed or picked at all */
	bool choosing;			/* the focused choice's menu is open */
	bool confirm;			/* the "discard?" question is open */
	struct menu menu;
	int *fx, *fy, *fw;		/* [n]: where each field was drawn last */
};

/* A form over n fields; the other members above fields..n_keys are set by the caller
 * before the first draw or key. */
void form_init(struct form *f, const struct form_field *fields, int n,
    const char *const *sections, const struct form_ops *ops, void *owner);
void form_finish(struct form *f);

/* The text of field i (an area's with its line breaks); with spaces at both ends cut off
 * (into out). */
const char *form_text(const struct form *f, int i);
void form_trimmed(const struct form *f, int i, char *out, size_t sz);
/* Set the text of field i (not an edit: errors do not show for it). */
void form_set_text(struct form *f, int i, const char *s);
/* Text field i (one line) takes full-width digits, letters and signs as ASCII
 * (lineedit.h fold_width): for phone numbers, plates and coordinates. */
void form_fold_width(struct form *f, int i);
/* Mark field i edited and left: its error shows. */
void form_touch(struct form *f, int i);
/* Whether check field i is ticked. */
bool form_checked(const struct form *f, int i);
/* Tick or untick check field i (not an edit: it does not count as something typed). */
void form_set_checked(struct form *f, int i, bool on);
/* Whether the user edited field i (typed, picked, ticked) since the form opened. */
bool form_edited(const struct form *f, int i);
/* Show or hide field i; hiding the focused field moves the focus to the next shown one. */
void form_show(struct form *f, int i, bool shown);
bool form_shown(const struct form *f, int i);

/* The page of the focused field (0 in a form of one page); go to the first shown field
 * of page p (nothing when it has none). */
int form_page(const struct form *f);
void form_goto_page(struct form *f, int p);

/* Field i's date (FORM_DATE): 0 and the day's midnight in China time in *ms, 1 when the
 * field is empty, -1 when it is no date. form_set_date writes ms's day in China time. */
int form_date(const struct form *f, int i, int64_t *ms);
void form_set_date(struct form *f, int i, int64_t ms);
/* Field i's amount (FORM_MONEY): 0 and the amount in fen in *fen, 1 when empty, -1 when
 * it is no amount. form_set_money writes fen as yuan with two decimals ("1234.50"). */
int form_money(const struct form *f, int i, int64_t *fen);
void form_set_money(struct form *f, int i, int64_t fen);
/* The same on strings, for owners and tests: "YYYY-MM-DD" to the day's midnight in China
 * time, and yuan to fen (0, 1 empty, -1 invalid); fen to yuan into buf. */
int form_parse_date(const char *s, int64_t *ms);
int form_parse_money(const char *s, int64_t *fen);
void form_format_money(int64_t fen, char *buf, size_t sz);

/* The number of shown fields in error, the first in *first (-1 none). */
int form_errors(const struct form *f, const struct model *m, int *first);
/* A submit attempt: every error shows from now on and the focus goes to the first field
 * in error. true when there is none. */
bool form_validate(struct form *f, const struct model *m);

/* Draw the fields between rows y and y_end, the status line and the message line (the
 * last two rows), the cursor, the open list and the "discard?" question. Draws over what
 * is there: the caller clears the screen first (and draws the title). */
void form_draw(struct form *f, struct vscreen *vs, const struct model *m, int y, int y_end);

/* Handle one key; returns view reaction bits (UI_CLOSE when the form is to close). The
 * caller sets the view's scope from form_scope() afterwards. */
unsigned form_key(struct form *f, struct model *m, const struct key *k,
    enum keymap_action a);
/* Where the form's keys are looked up now: SCOPE_DIALOG while a list or the question is
 * open, else SCOPE_FORM. */
enum keymap_scope form_scope(const struct form *f);

#endif
