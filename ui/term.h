/* term.h: the terminal: ncursesw set-up, frame output and key input.
 *
 * term.c is the only file of the project that includes <curses.h>. Views draw into a
 * struct vscreen; term_blit() sends only the cells that changed since the previous frame
 * (it keeps its own copy of that frame) and parks the hardware cursor where the vscreen
 * says. Keys come back as struct key (keymap.h), never as curses codes.
 *
 * The terminal is process-wide state (one at a time). setlocale(LC_ALL, "") is the
 * caller's job and must come first, with a UTF-8 LC_CTYPE. The mouse is never enabled
 * (mousemask is not called), so native copy and paste keep working. ESC is delivered
 * after 25 ms unless ESCDELAY is set in the environment.
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
 * curses keys without a struct key equivalent are skipped. */
bool term_read_key(struct key *k);
/* The input file descriptor, to poll on together with sockets. */
int term_input_fd(void);

/* Bytes written to the terminal since init, when the output is a regular file (see
 * term_init_file); -1 otherwise. For benchmarks: bytes per frame. */
int64_t term_bytes_written(void);
/* What curses believes is on the screen, in the format of vscreen_dump(). Caller frees.
 * For tests. */
char *term_dump(void);

#endif
