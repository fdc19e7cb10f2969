/* keymap.h: keys, actions, scopes and the default key table of the console.
 *
 * Keys are plain data (struct key), independent of curses: term.c maps curses key codes to
 * them, so the table can be tested, printed (keys-dump, the help view) and checked against
 * the man page without a terminal.
 *
 * Every action has one scope, its default keys and a help text given as a message-catalog
 * key ("key.<action name>", translate with i18n_tr()). Scopes form a chain: a lookup in a
 * scope tries the scope, then its parent, up to SCOPE_GLOBAL; board and detail share the
 * ticket scope. In a text-entry scope (SCOPE_FORM, also used for the filter prompt)
 * printable characters are text: only the scope's own bindings and non-printable global
 * keys (arrows, Enter, Esc, Tab, F-keys, C-x) are looked up. No key is bound twice within
 * one scope chain (tests/check-keymap.c checks this).
 *
 * All tables are static; returned strings are borrowed and live forever. */
#ifndef RD_KEYMAP_H
#define RD_KEYMAP_H

#include <stdbool.h>
#include <stddef.h>

/* Special keys: X(SYM, "name"). Names are what keymap_parse_key() reads and the help shows. */
#define KEYMAP_SYMS(X)                                  \
	X(UP, "Up")                                     \
	X(DOWN, "Down")                                 \
	X(LEFT, "Left")                                 \
	X(RIGHT, "Right")                               \
	X(PAGE_UP, "PgUp")                              \
	X(PAGE_DOWN, "PgDn")                            \
	X(HOME, "Home")                                 \
	X(END, "End")                                   \
	X(ENTER, "Enter")                               \
	X(ESC, "Esc")                                   \
	X(TAB, "Tab")                                   \
	X(BACKTAB, "S-Tab")                             \
	X(BACKSPACE, "Backspace")                       \
	X(DELETE, "Del")                                \
	X(INSERT, "Ins")                                \
	X(F1, "F1")                                     \
	X(F2, "F2")                                     \
	X(F3, "F3")                                     \
	X(F4, "F4")                                     \
	X(F5, "F5")                                     \
	X(F6, "F6")                                     \
	X(F7, "F7")                                     \
	X(F8, "F8")                                     \
	X(F9, "F9")                                     \
	X(F10, "F10")                                   \
	X(F11, "F11")                                   \
	X(F12, "F12")                                   \
	X(RESIZE, "Resize")                             \
	X(PASTE, "Paste")                               \
	X(CLICK, "Click")                               \
	X(WHEEL_UP, "WheelUp")                          \
	X(WHEEL_DOWN, "WheelDown")

enum keymap_sym {
	KEYSYM_NONE = 0,
#define X(e, n) KEYSYM_##e,
	KEYMAP_SYMS(X)
#undef X
	KEYSYM_COUNT
};

/* One key press. is_func: code is an enum keymap_sym. Otherwise code is a Unicode code
 * point; control keys are their C0 code (C-l is 0x0c). term.c delivers Enter, Esc, Tab,
 * Backspace (0x08 and 0x7f) and S-Tab as KEYSYM_* keys, never as control codes. */
struct key {
	int code;
	bool is_func;
};

/* The control-key code of letter c ('l' gives 0x0c, C-l). */
#define KEYMAP_CTRL(c) ((c) & 0x1f)

/* Scopes: X(SCOPE, "name", PARENT, text entry). The root's parent is itself. */
#define KEYMAP_SCOPES(X)                        \
	X(GLOBAL, "global", GLOBAL, false)      \
	X(BOARD, "board", TICKET, false)        \
	X(TICKET, "ticket", GLOBAL, false)      \
	X(DETAIL, "detail", TICKET, false)      \
	X(DIAG, "diagnosis", TICKET, false)     \
	X(FORM, "form", GLOBAL, true)           \
	X(DIALOG, "dialog", GLOBAL, false)      \
	X(COMPLAINTS, "complaints", GLOBAL, false)      \
	X(MAP, "map", GLOBAL, false)            \
	X(BOARDS, "boards", GLOBAL, false) \
	X(SURVEYS, "surveys", TICKET, false)

enum keymap_scope {
#define X(e, n, p, t) SCOPE_##e,
	KEYMAP_SCOPES(X)
#undef X
	SCOPE_COUNT
};

/* Actions: X(ACTION, "name", SCOPE, "default keys"). Keys are separated by spaces and use
 * keymap_parse_key() names. The help text is the catalog key "key.<name>". */
#define KEYMAP_ACTIONS(X)                                       \
	X(MOVE_UP, "move_up", GLOBAL, "k Up")                   \
	X(MOVE_DOWN, "move_down", GLOBAL, "j Down")             \
	X(PAGE_UP, "page_up", GLOBAL, "PgUp C-b")               \
	X(PAGE_DOWN, "page_down", GLOBAL, "PgDn C-f")           \
	X(HOME, "home", GLOBAL, "Home g")                       \
	X(END, "end", GLOBAL, "End G")                          \
	X(OPEN, "open", GLOBAL, "Enter")                        \
	X(BACK, "back", GLOBAL, "q Esc")                        \
	X(QUIT, "quit", GLOBAL, "Q")                            \
	X(HELP, "help", GLOBAL, "? F1")                         \
	X(REDRAW, "redraw", GLOBAL, "C-l")                      \
	X(NEXT_PANE, "next_pane", GLOBAL, "Tab")                \
	X(PREV_PANE, "prev_pane", GLOBAL, "S-Tab")              \
	X(FILTER, "filter", BOARD, "/")                         \
	X(FIND, "find", BOARD, "f")                             \
	X(FIND_NEXT, "find_next", BOARD, "C-n F3")              \
	X(FIND_PREV, "find_prev", BOARD, "C-p")                 \
	X(SORT, "sort", BOARD, "s")                             \
	X(NEW_INTAKE, "new_intake", BOARD, "n")                 \
	X(KPI, "kpi", BOARD, "K")                               \
	X(SEARCH, "search", BOARD, "F")                         \
	X(COMPLAINTS, "complaints", BOARD, "L")                 \
	X(NOTE, "note", TICKET, "a")                            \
	X(SET_STATE, "set_state", TICKET, "S")                  \
	X(CANCEL_TICKET, "cancel_ticket", TICKET, "c")          \
	X(ASSIGN, "assign", TICKET, "A")                        \
	X(DIAG_QUEUE, "diag_queue", TICKET, "D")                \
	X(DIAG_START, "diag_start", TICKET, "d")                \
	X(COMPLAINT, "complaint", TICKET, "C")                  \
	X(TELL, "tell", TICKET, "t")                            \
	X(OWN, "own", TICKET, "o")                              \
	X(ESCALATE, "escalate", TICKET, "E")                    \
	X(CALL_CUSTOMER, "call_customer", TICKET, "p")          \
	X(REDISPATCH, "redispatch", DETAIL, "R")                \
	X(EDIT_TICKET, "edit_ticket", DETAIL, "e")              \
	X(CALLBACK, "callback", DETAIL, "b")                    \
	X(DIAG_UNDO, "diag_undo", DIAG, "u Backspace")          \
	X(DIAG_SAFETY, "diag_safety", DIAG, "! x")              \
	X(DIAG_DISPATCH_NOW, "diag_dispatch_now", DIAG, "N")    \
	X(DIAG_TAKE_OVER, "diag_take_over", DIAG, "T")          \
	X(DIAG_ABORT, "diag_abort", DIAG, "X")                  \
	X(SUBMIT, "submit", FORM, "F10 C-o")                    \
	X(ATTACH_CALL, "attach_call", FORM, "F9")               \
	X(COMPLAINT_ACT, "complaint_act", FORM, "F2")           \
	X(MOVE_LEFT, "move_left", FORM, "Left")                 \
	X(MOVE_RIGHT, "move_right", FORM, "Right")              \
	X(DELETE_BACK, "delete_back", FORM, "Backspace")        \
	X(DELETE_CHAR, "delete_char", FORM, "Del")              \
	X(CLEAR_FIELD, "clear_field", FORM, "C-u")              \
	X(LINE_START, "line_start", FORM, "C-a")                \
	X(LINE_END, "line_end", FORM, "C-e")                    \
	X(DELETE_WORD, "delete_word", FORM, "C-w")              \
	X(KILL_LINE, "kill_line", FORM, "C-k")                  \
	X(CONFIRM, "confirm", DIALOG, "y Y")                    \
	X(DENY, "deny", DIALOG, "n N")                          \
	X(RECHECK, "recheck", DIALOG, "c")                      \
	X(DROP, "drop", DIALOG, "d")                            \
	X(COMPLAINT_NEW, "complaint_new", COMPLAINTS, "n")      \
	X(COMPLAINT_STATE, "complaint_state", COMPLAINTS, "s")  \
	X(COMPLAINT_MINE, "complaint_mine", COMPLAINTS, "h")    \
	X(COMPLAINT_DUE, "complaint_due", COMPLAINTS, "d")      \
	X(COMPLAINT_SUPPLIER, "complaint_supplier", COMPLAINTS, "p") \
	X(MAP, "map", TICKET, "M")                              \
	X(CONTACT, "contact", TICKET, "I")                      \
	X(MAP_LEFT, "map_left", MAP, "h Left")                  \
	X(MAP_RIGHT, "map_right", MAP, "l Right")               \
	X(MAP_ZOOM_IN, "map_zoom_in", MAP, "+ =")               \
	X(MAP_ZOOM_OUT, "map_zoom_out", MAP, "-")               \
	X(MAP_WHOLE, "map_whole", MAP, "0")                     \
	X(MAP_REGION, "map_region", MAP, "r")                   \
	X(SUPPLIERS, "suppliers", TICKET, "P")                  \
	X(AGENTS, "agents", TICKET, "W")                        \
	X(SORT_NEXT, "sort_next", BOARDS, "s >")                \
	X(SORT_PREV, "sort_prev", BOARDS, "<") \
	X(SURVEYS, "surveys", TICKET, "v")                      \
	X(SURVEY_DONE, "survey_done", SURVEYS, "B")

enum keymap_action {
	ACTION_NONE = 0,
#define X(e, n, s, k) ACTION_##e,
	KEYMAP_ACTIONS(X)
#undef X
	ACTION_COUNT
};

/* At most this many default keys per action. */
#define KEYMAP_MAX_KEYS 4

enum keymap_format {
	KEYMAP_FORMAT_TEXT,	/* plain text, grouped by scope, for help and diffs */
	KEYMAP_FORMAT_SCDOC	/* the man page KEYS section in scdoc syntax */
};

/* The action bound to k in scope (following the scope chain), or ACTION_NONE: in a
 * text-entry scope an unbound printable character is ACTION_NONE, i.e. text. */
enum keymap_action keymap_lookup(enum keymap_scope scope, const struct key *k);

/* Parse a key name: a special name ("PgDn", "S-Tab", "F1"; case-insensitive), "Space",
 * "C-x" for a control key (x in a-z), or one printable UTF-8 character ("j", "?", "张").
 * Returns 0, or -1 if name is not a key. */
int keymap_parse_key(const char *name, struct key *k);
/* Write the display name of k (the inverse of keymap_parse_key) into buf of size sz,
 * truncated and NUL-terminated; returns the full name length. */
size_t keymap_key_name(const struct key *k, char *buf, size_t sz);
/* true if k is a printable character (text in a text-entry scope). */
bool keymap_key_printable(const struct key *k);

/* The action's name ("move_up"; "" for ACTION_NONE or out of range). */
const char *keymap_action_name(enum keymap_action a);
/* The scope the action is bound in (SCOPE_GLOBAL when out of range). */
enum keymap_scope keymap_action_scope(enum keymap_action a);
/* The help text catalog key, "key.<name>". */
const char *keymap_action_help(enum keymap_action a);
/* Copy up to max default keys of a into keys; returns how many there are. */
int keymap_action_keys(enum keymap_action a, struct key *keys, int max);
/* The key names of a joined by ", " into buf of size sz (like keymap_key_name). */
size_t keymap_action_keys_text(enum keymap_action a, char *buf, size_t sz);

/* The scope's name ("board"; "" out of range). */
const char *keymap_scope_name(enum keymap_scope s);
/* The scope's title catalog key, "scope.<name>". */
const char *keymap_scope_title(enum keymap_scope s);
/* The next scope up the chain; SCOPE_GLOBAL's parent is SCOPE_GLOBAL. */
enum keymap_scope keymap_scope_parent(enum keymap_scope s);
/* true if printable keys are text in scope s (see above). */
bool keymap_scope_text_entry(enum keymap_scope s);
/* Scopes in the order the help view and the man page list them; returns the count. */
int keymap_scope_order(const enum keymap_scope **order);

/* The whole table as text in the given format, help texts and scope titles translated
 * with tr (i18n_tr fits; NULL shows the catalog keys). Caller frees. */
char *keymap_render(enum keymap_format fmt, const char *(*tr)(const char *key));

#endif
