/* term.c: ncursesw behind the vscreen/key interface. The only file including <curses.h>. */
#define NCURSES_WIDECHAR 1
#ifndef _XOPEN_SOURCE
#define _XOPEN_SOURCE 700	/* wcwidth() */
#endif
#include "term.h"

#include <curses.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "text.h"
#include "util.h"

static SCREEN *scr;
static int in_fd = -1, out_fd = -1;
static int64_t start_offset = -1;	/* -1: output is not a regular file */
static struct theme theme;
static bool colors_started;
static bool cursor_shown;
static struct vscreen *prev;		/* the last frame sent; NULL: none yet */
static bool full;			/* next blit rewrites every cell */
static cchar_t *row;			/* blit buffer, one row */
static size_t row_cap;
static bool mouse_on;
static int mouse_x, mouse_y;		/* the cell of the last mouse key */
static bool paste_mode;			/* bracketed paste switched on (a tty) */
static char paste[TERM_PASTE_MAX + 1];	/* the last paste's text */

/* Key codes of our own for the bracketed paste markers (define_key). */
#define PASTE_BEGIN (KEY_MAX + 1)
#define PASTE_END (KEY_MAX + 2)
#define PASTE_WAIT_MS 200
#define PASTE_ON "\033[?2004h"
#define PASTE_OFF "\033[?2004l"

/* Write a control sequence straight to the terminal (ncurses writes with write(2) too, so
 * nothing is reordered in a buffer). */
static void
term_write(const char *seq)
{
	size_t n = strlen(seq);
	ssize_t w;

	while (n > 0 && (w = write(out_fd, seq, n)) > 0) {
		seq += w;
		n -= (size_t)w;
	}
}

int
term_init(char **cause)
{
	return term_init_file(stdout, stdin, NULL, cause);
}

int
term_init_file(FILE *out, FILE *in, const char *termtype, char **cause)
{
	const char *name = termtype != NULL ? termtype : getenv("TERM");
	struct stat st;
	off_t off;

	if (scr != NULL) {
		*cause = xstrdup("the terminal is already started");
		return -1;
	}
	if (name == NULL || name[0] == '\0') {
		*cause = xstrdup("TERM is not set");
		return -1;
	}
	in_fd = fileno(in);
	out_fd = fileno(out);
	if (in_fd < 0 || out_fd < 0) {
		*cause = xstrdup("terminal streams have no file descriptor");
		return -1;
	}
	start_offset = -1;
	if (fstat(out_fd, &st) == 0 && S_ISREG(st.st_mode)) {
		off = lseek(out_fd, 0, SEEK_CUR);
		if (off >= 0)
			start_offset = (int64_t)off;
	}
	scr = newterm(name, out, in);
	if (scr == NULL) {
		xasprintf(cause, "cannot set up terminal type \"%s\" (no terminfo entry?)", name);
		return -1;
	}
	set_term(scr);
	/* Results are ignored: on a file instead of a tty these fail harmlessly. */
	cbreak();
	noecho();
	nonl();
	intrflush(stdscr, FALSE);
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	leaveok(stdscr, FALSE);
	if (getenv("ESCDELAY") == NULL)
		set_escdelay(25);
	curs_set(0);
	/* No mousemask() call until term_mouse(true): even mousemask(0) can switch some
	 * terminals into mouse mode, which breaks selecting text to copy. */
	mouse_on = false;
	/* Bracketed paste: the markers are keys of our own; the mode is asked of a real
	 * terminal only (a file keeps its bytes to what was drawn). */
	define_key("\033[200~", PASTE_BEGIN);
	define_key("\033[201~", PASTE_END);
	paste[0] = '\0';
	paste_mode = isatty(out_fd) == 1;
	if (paste_mode)
		term_write(PASTE_ON);
	cursor_shown = false;
	colors_started = false;
	theme_init(&theme, false);
	full = true;
	return 0;
}

void
term_fini(void)
{
	if (scr == NULL)
		return;
	if (mouse_on)
		mousemask(0, NULL);
	endwin();
	if (paste_mode)
		term_write(PASTE_OFF);
	mouse_on = paste_mode = false;
	delscreen(scr);
	scr = NULL;
	vscreen_destroy(prev);
	prev = NULL;
	free(row);
	row = NULL;
	row_cap = 0;
	in_fd = out_fd = -1;
	start_offset = -1;
}

bool
term_active(void)
{
	return scr != NULL;
}

bool
term_has_colors(void)
{
	return scr != NULL && has_colors();
}

void
term_set_theme(const struct theme *t)
{
	const struct theme_style *s;
	bool defaults;
	int i, fg, bg;

	theme = *t;
	full = true;
	if (scr == NULL || !theme.color)
		return;
	if (!colors_started) {
		if (!has_colors() || start_color() == ERR) {
			theme_init(&theme, false);
			return;
		}
		colors_started = true;
	}
	if (COLOR_PAIRS <= ROLE_COUNT) {
		theme_init(&theme, false);
		return;
	}
	defaults = use_default_colors() == OK;
	for (i = 0; i < ROLE_COUNT; i++) {
		s = theme_style(&theme, (enum theme_role)i);
		fg = s->fg;
		bg = s->bg;
		if (!defaults) {
			/* No "terminal default" colour: assume light text on dark. */
			fg = fg < 0 ? COLOR_WHITE : fg;
			bg = bg < 0 ? COLOR_BLACK : bg;
		}
		init_pair((short)(i + 1), (short)fg, (short)bg);
	}
}

void
term_size(int *cols, int *rows)
{
	if (scr == NULL) {
		*cols = *rows = 0;
		return;
	}
	getmaxyx(stdscr, *rows, *cols);
}

void
term_resize(int cols, int rows)
{
	if (scr == NULL)
		return;
	resizeterm(rows, cols);
	full = true;
}

static attr_t
curses_attrs(unsigned a)
{
	attr_t r = WA_NORMAL;

	if (a & THEME_BOLD)
		r |= WA_BOLD;
	if (a & THEME_REVERSE)
		r |= WA_REVERSE;
	if (a & THEME_UNDERLINE)
		r |= WA_UNDERLINE;
	if (a & THEME_DIM)
		r |= WA_DIM;
	return r;
}

static void
to_cchar(cchar_t *cc, const struct vscreen_cell *c, bool fits)
{
	wchar_t wch[VSCREEN_CCHAR_MAX + 1];
	const struct theme_style *s = theme_style(&theme, (enum theme_role)c->role);
	short pair = theme.color ? (short)(c->role + 1) : 0;
	int i = 0;

	if (fits && c->ch[0] != 0) {
		for (; i < VSCREEN_CCHAR_MAX && i < CCHARW_MAX && c->ch[i] != 0; i++)
			wch[i] = c->ch[i];
	} else
		wch[i++] = L' ';	/* a wide char cut by the terminal's right edge */
	wch[i] = 0;
	setcchar(cc, wch, curses_attrs(c->attr | s->attr), pair, NULL);
}

static int
blit_row(const struct vscreen *vs, int y, int x0, int x1, int cols)
{
	const struct vscreen_cell *c;
	int x, n = 0;

	if (x1 >= cols)
		x1 = cols - 1;
	if ((size_t)cols + 1 > row_cap) {
		row_cap = (size_t)cols + 1;
		row = xreallocarray(row, row_cap, sizeof *row);
	}
	for (x = x0; x <= x1; x++) {
		c = vscreen_cell(vs, x, y);
		if (c->width == 0) {
			if (x == x0)	/* orphan right half: show a blank */
				to_cchar(&row[n++], c, false);
			continue;
		}
		to_cchar(&row[n++], c, c->width == 1 || x + 1 < cols);
	}
	mvadd_wchnstr(y, x0, row, n);
	return n;
}

int
term_blit(const struct vscreen *vs)
{
	int cols, rows, vcols = vscreen_cols(vs), vrows = vscreen_rows(vs), y, x0, x1, cx, cy;
	int sent = 0;
	bool vis;

	if (scr == NULL)
		return 0;
	getmaxyx(stdscr, rows, cols);
	if (prev == NULL || vscreen_cols(prev) != vcols || vscreen_rows(prev) != vrows)
		full = true;
	if (full)
		werase(stdscr);
	for (y = 0; y < vrows && y < rows; y++) {
		if (full) {
			x0 = 0;
			x1 = vcols - 1;
		} else if (!vscreen_row_diff(vs, prev, y, &x0, &x1))
			continue;
		if (x0 < cols)
			sent += blit_row(vs, y, x0, x1, cols);
	}
	vis = vscreen_cursor(vs, &cx, &cy);
	wmove(stdscr, cy < rows ? cy : rows - 1, cx < cols ? cx : cols - 1);
	if (vis != cursor_shown) {
		curs_set(vis ? 1 : 0);
		cursor_shown = vis;
	}
	wnoutrefresh(stdscr);
	doupdate();
	if (prev == NULL)
		prev = vscreen_create(vcols, vrows);
	vscreen_copy(prev, vs);
	full = false;
	return sent;
}

void
term_repaint(void)
{
	if (scr == NULL)
		return;
	clearok(curscr, TRUE);
	full = true;
}

static int
map_curses_key(wint_t wch)
{
	int i;

	switch (wch) {
	case KEY_UP:
		return KEYSYM_UP;
	case KEY_DOWN:
		return KEYSYM_DOWN;
	case KEY_LEFT:
		return KEYSYM_LEFT;
	case KEY_RIGHT:
		return KEYSYM_RIGHT;
	case KEY_PPAGE:
		return KEYSYM_PAGE_UP;
	case KEY_NPAGE:
		return KEYSYM_PAGE_DOWN;
	case KEY_HOME:
	case KEY_FIND:
		return KEYSYM_HOME;
	case KEY_END:
	case KEY_SELECT:
		return KEYSYM_END;
	case KEY_ENTER:
		return KEYSYM_ENTER;
	case KEY_BTAB:
		return KEYSYM_BACKTAB;
	case KEY_BACKSPACE:
		return KEYSYM_BACKSPACE;
	case KEY_DC:
		return KEYSYM_DELETE;
	case KEY_IC:
		return KEYSYM_INSERT;
	case KEY_RESIZE:
		return KEYSYM_RESIZE;
	}
	for (i = 1; i <= 12; i++) {
		if (wch == (wint_t)KEY_F(i))
			return KEYSYM_F1 + i - 1;
	}
	return KEYSYM_NONE;
}

/* Read the rest of a bracketed paste into paste[]: characters as they come (a line break
 * as it is: the field decides), keys curses decoded dropped, up to the end marker or
 * PASTE_WAIT_MS without input. */
static void
read_paste(void)
{
	size_t len = 0;
	wint_t wch;
	char enc[4];
	size_t n;
	int rc;

	timeout(PASTE_WAIT_MS);
	for (;;) {
		rc = get_wch(&wch);
		if (rc == ERR)
			break;
		if (rc == KEY_CODE_YES) {
			if (wch == PASTE_END)
				break;
			continue;
		}
		n = text_encode((wchar_t)wch, enc);
		if (len + n <= TERM_PASTE_MAX) {	/* whole characters only */
			memcpy(paste + len, enc, n);
			len += n;
		}
	}
	paste[len] = '\0';
	nodelay(stdscr, TRUE);
}

/* A mouse event as a key; false for one we did not ask for. */
static bool
read_mouse(struct key *k)
{
	MEVENT ev;

	if (getmouse(&ev) != OK)
		return false;
	mouse_x = ev.x;
	mouse_y = ev.y;
	k->is_func = true;
	if (ev.bstate & BUTTON4_PRESSED)
		k->code = KEYSYM_WHEEL_UP;
	else if (ev.bstate & BUTTON5_PRESSED)
		k->code = KEYSYM_WHEEL_DOWN;
	else if (ev.bstate & (BUTTON1_PRESSED | BUTTON1_RELEASED | BUTTON1_CLICKED))
		k->code = KEYSYM_CLICK;	/* selecting is the same twice: press and release */
	else
		return false;
	return true;
}

bool
term_read_key(struct key *k)
{
	wint_t wch;
	int rc, sym;

	if (scr == NULL)
		return false;
	for (;;) {
		rc = get_wch(&wch);
		if (rc == ERR)
			return false;
		if (rc == KEY_CODE_YES && wch == PASTE_BEGIN) {
			read_paste();
			k->code = KEYSYM_PASTE;
			k->is_func = true;
			return true;
		}
		if (rc == KEY_CODE_YES && wch == KEY_MOUSE) {
			if (read_mouse(k))
				return true;
			continue;
		}
		if (rc == KEY_CODE_YES) {
			sym = map_curses_key(wch);
			if (sym == KEYSYM_NONE)
				continue;	/* a key we have no name for (a stray PASTE_END) */
			if (sym == KEYSYM_RESIZE)
				full = true;
			k->code = sym;
			k->is_func = true;
			return true;
		}
		k->is_func = true;
		switch (wch) {
		case L'\r':
		case L'\n':
			k->code = KEYSYM_ENTER;
			break;
		case L'\t':
			k->code = KEYSYM_TAB;
			break;
		case 0x1b:
			k->code = KEYSYM_ESC;
			break;
		case 0x08:
		case 0x7f:
			k->code = KEYSYM_BACKSPACE;
			break;
		default:
			k->code = (int)wch;
			k->is_func = false;
		}
		return true;
	}
}

const char *
term_paste(void)
{
	return paste;
}

void
term_mouse(bool on)
{
	if (scr == NULL || on == mouse_on)
		return;
	mouse_on = on;
	if (on) {
		/* A press is a click at once (no waiting for a double click). A press and its
		 * release read together come as the release alone: both are a click. */
		mouseinterval(0);
		mousemask(BUTTON1_PRESSED | BUTTON1_RELEASED | BUTTON4_PRESSED |
		    BUTTON5_PRESSED, NULL);
	} else
		mousemask(0, NULL);
}

void
term_mouse_pos(int *x, int *y)
{
	*x = mouse_x;
	*y = mouse_y;
}

int
term_bell_parse(const char *name)
{
	if (strcmp(name, "none") == 0)
		return TERM_BELL_NONE;
	if (strcmp(name, "bell") == 0)
		return TERM_BELL_AUDIBLE;
	if (strcmp(name, "flash") == 0)
		return TERM_BELL_FLASH;
	return -1;
}

void
term_bell(enum term_bell b)
{
	if (scr == NULL)
		return;
	if (b == TERM_BELL_AUDIBLE)
		beep();
	else if (b == TERM_BELL_FLASH)
		flash();
}

int
term_input_fd(void)
{
	return in_fd;
}

int64_t
term_bytes_written(void)
{
	off_t off;

	if (scr == NULL || start_offset < 0)
		return -1;
	off = lseek(out_fd, 0, SEEK_CUR);
	return off < 0 ? -1 : (int64_t)off - start_offset;
}

char *
term_dump(void)
{
	int rows, cols, x, y, w, i;
	wchar_t wch[CCHARW_MAX + 1];
	attr_t attrs;
	short pair;
	cchar_t cc;
	size_t len = 0;
	char *out;

	if (scr == NULL)
		return xstrdup("");
	getmaxyx(stdscr, rows, cols);
	out = xmalloc((size_t)rows * ((size_t)cols * CCHARW_MAX * 4 + 1) + 1);
	for (y = 0; y < rows; y++) {
		for (x = 0; x < cols; x += w > 1 ? w : 1) {
			w = 1;
			if (mvwin_wch(stdscr, y, x, &cc) == ERR)
				continue;
			memset(wch, 0, sizeof wch);
			getcchar(&cc, wch, &attrs, &pair, NULL);
			w = wcwidth(wch[0]);
			for (i = 0; i < CCHARW_MAX && wch[i] != 0; i++)
				len += text_encode(wch[i], out + len);
		}
		while (len > 0 && out[len - 1] == ' ')
			len--;
		out[len++] = '\n';
	}
	out[len] = '\0';
	return out;
}
