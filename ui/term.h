/* term.h: the terminal: ncursesw set-up, frame output and key input.
 *
 * term.c is the only file of the project that includes <curses.h>. Views draw into a
 * struct vscreen; term_blit() sends only the cells that changed since the previous frame
 * (it keeps its own copy of that frame) and parks the hardware cursor where the vscreen
 * says. Keys come back as struct key (keymap.h), never as curses codes.
 *
 * The terminal is process-wide state (one at a time). setlocale(LC_ALL, "") is the
 * caller's job and must come first, with a UTF-8 LC_CTYPE. ESC is delivered after 25 ms
 * unless ESCDELAY is set in the environment.
 *
 * Mouse: off until term_mouse(true); then only button 1 and the wheel are asked for (no
 * drags, no motion): a button-1 press and its release each arrive as KEYSYM_CLICK (what a
 * click does must be the same done twice: select), the wheel as KEYSYM_WHEEL_UP and
 * KEYSYM_WHEEL_DOWN, with the cell in term_mouse_pos(). While the mouse is on, most
 * terminals still select text for copying with Shift held (xterm, VTE terminals, kitty,
 * foot, Windows Terminal; Option in iTerm2 and Terminal.app). With it off, mousemask is
 * never called at all: even mousemask(0) switches some terminals into mouse mode.
 *
 * Paste: bracketed paste mode is switched on when the output is a terminal, and a paste
 * comes as one KEYSYM_PASTE key whose text is term_paste(), never as the keys it holds (a
 * pasted "Q" or Enter does nothing). A paste whose end marker does not come within 200 ms
 * ends there. Keys inside a paste that curses would decode (arrows) are dropped.
 *
 * Resizing: ncurses handles SIGWINCH itself and queues a resize; term_read_key() then
 * returns KEYSYM_RESIZE. The caller asks term_size(), resizes its vscreen, lays out and
 * draws again; nothing is done in a signal handler. A poll on term_input_fd() may return
 * early with EINTR when the window is resized: read keys anyway. */
#ifndef RD_TERM_H
#define RD_TERM_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "keymap.h"
#include "theme.h"
#include "vscreen.h"

/* Start curses on stdin/stdout with $TERM. Returns 0, or -1 with *cause set (caller
 * frees) if the terminal cannot be set up (no TERM, unknown terminal type, already on). */
int term_init(char **cause);
/* The same on given streams (borrowed; they must have real file descriptors because
 * ncurses writes with write(2)) and terminal type (NULL: $TERM). For tests and benchmarks:
 * with out a regular file, term_bytes_written() counts the output. Size comes from the
 * LINES and COLUMNS environment variables, else from terminfo. */
int term_init_file(FILE *out, FILE *in, const char *termtype, char **cause);
/* Restore the terminal and free everything; safe to call when not started. */
void term_fini(void);
/* true between a successful init and term_fini(). */
bool term_active(void);

/* Whether the terminal can show colours (for theme_want_color()). */
bool term_has_colors(void);
/* Use theme t (copied) to draw: colour pairs are set up for a colour theme (falling back
 * to the monochrome column if the terminal has too few pairs); a monochrome theme never
 * sends colour sequences. Forces a full redraw on the next blit. */
void term_set_theme(const struct theme *t);

/* The terminal size in columns and rows. */
void term_size(int *cols, int *rows);
/* Resize curses' idea of the terminal (tests; real resizes arrive as KEYSYM_RESIZE). */
void term_resize(int cols, int rows);

/* Show vs: write the cells that differ from the last frame blitted (everything after
 * init, a theme change, a resize or term_repaint()), clipped to the terminal, park the
 * cursor at vs's cursor position and show or hide it, then update the terminal (ncurses
 * then sends only what differs from the screen). Returns the number of characters handed
 * to curses (0 when nothing changed), for tests and benchmarks. */
int term_blit(const struct vscreen *vs);
/* C-l: clear and repaint the whole terminal on the next blit. */
void term_repaint(void);

/* Read one key without blocking. Returns true and fills *k, or false if no key is waiting.
 * Enter, Esc, Tab, S-Tab and Backspace come as KEYSYM_* keys; a resize as KEYSYM_RESIZE;
 * a paste as KEYSYM_PASTE, mouse events as KEYSYM_CLICK and KEYSYM_WHEEL_*; curses keys
 * without a struct key equivalent are skipped. */
bool term_read_key(struct key *k);
/* The text of the last KEYSYM_PASTE (UTF-8 as it came, at most TERM_PASTE_MAX bytes, cut on
 * a character boundary); "" before any. Borrowed until the next term_read_key(). */
const char *term_paste(void);
#define TERM_PASTE_MAX 4096
/* Ask for mouse clicks and the wheel (on) or leave the mouse to the terminal (off). */
void term_mouse(bool on);
/* The cell of the last mouse key (column, row from 0). */
void term_mouse_pos(int *x, int *y);

/* How a new alarm is signalled: not at all, the terminal's bell (which the terminal may
 * show as a visual bell), or a flash of the screen. */
enum term_bell {
	TERM_BELL_NONE,
	TERM_BELL_AUDIBLE,
	TERM_BELL_FLASH
};
/* The bell called name ("none", "bell", "flash"), or -1. */
int term_bell_parse(const char *name);
/* Signal once, as b says (nothing when not started). */
void term_bell(enum term_bell b);
/* The input file descriptor, to poll on together with sockets. */
int term_input_fd(void);

/* Bytes written to the terminal since init, when the output is a regular file (see
 * term_init_file); -1 otherwise. For benchmarks: bytes per frame. */
int64_t term_bytes_written(void);
/* What curses believes is on the screen, in the format of vscreen_dump(). Caller frees.
 * For tests. */
char *term_dump(void);

#endif
