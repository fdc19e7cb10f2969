/* bench-term.c: bytes and time per frame of term_blit(), against repainting every frame.
 *
 * A board-like screen (a title, a header, rows of tickets with Chinese names and addresses,
 * a status line) is drawn into a vscreen; each frame changes the clock on the status line
 * and one ticket's countdown, as a live board does every second. The terminal is
 * xterm-256color on a temporary file, so term_bytes_written() counts what a real terminal
 * would receive. Two runs in the same process:
 *   diff:    term_blit() as the console uses it (only changed cells go to curses);
 *   repaint: term_repaint() before every blit (what C-l does), the baseline.
 *
 * usage: bench-term [frames]   (default 2000; sizes 80x24 and 200x50) */
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>

#include "term.h"
#include "util.h"

static const char *names[] = { "张三", "李四", "王五", "赵六", "Smith", "欧阳娜娜" };
static const char *places[] = { "湖南省长沙市岳麓区麓山南路", "G4 京港澳高速 1502 公里处",
	"Changsha South Railway Station car park", "长沙县星沙大道 18 号" };

static void
draw(struct vscreen *vs, int frame)
{
	int cols = vscreen_cols(vs), rows = vscreen_rows(vs), y, t;
	char buf[64];

	vscreen_fill(vs, 0, 0, cols, 1, ROLE_TITLE, 0, L' ');
	vscreen_put(vs, 1, 0, ROLE_TITLE, 0, "rescuedesk - board", cols - 2);
	vscreen_put(vs, 0, 1, ROLE_HEADER, 0, "  #    state       customer  place", cols);
	for (y = 2; y < rows - 1; y++) {
		t = y - 2;
		snprintf(buf, sizeof buf, "%4d", 1000 + t);
		vscreen_put_pad(vs, 1, y, ROLE_NORMAL, 0, buf, 5);
		vscreen_put_pad(vs, 7, y, t % 5 == 0 ? ROLE_LATE : ROLE_OK, 0,
		    t % 3 ? "en_route" : "dispatched", 12);
		vscreen_put_pad(vs, 19, y, ROLE_NORMAL, 0, names[t % ARRAY_LEN(names)], 10);
		vscreen_put_pad(vs, 29, y, ROLE_NORMAL, 0, places[t % ARRAY_LEN(places)],
		    cols - 29 - 8);
		/* One ticket's countdown moves each frame. */
		snprintf(buf, sizeof buf, "%3d min", t == frame % (rows - 3) ? frame % 60 : 45);
		vscreen_put_right(vs, cols - 8, y, ROLE_WARN, 0, buf, 8);
	}
	vscreen_fill(vs, 0, rows - 1, cols, 1, ROLE_STATUS, 0, L' ');
	snprintf(buf, sizeof buf, "LIVE  12:%02d:%02d", frame / 60 % 60, frame % 60);
	vscreen_put(vs, 1, rows - 1, ROLE_STATUS, 0, buf, cols - 2);
}

static void
run(int cols, int rows, int frames, bool repaint)
{
	struct vscreen *vs = vscreen_create(cols, rows);
	int64_t b0, t0, t1;
	long cells = 0;
	int f;

	draw(vs, 0);
	term_resize(cols, rows);
	term_blit(vs);
	b0 = term_bytes_written();
	t0 = rd_mono_ns();
	for (f = 1; f <= frames; f++) {
		draw(vs, f);
		if (repaint)
			term_repaint();
		cells += term_blit(vs);
	}
	t1 = rd_mono_ns();
	printf("%3dx%-3d %-8s %9.1f bytes/frame %8.1f cells/frame %8.1f us/frame\n", cols, rows,
	    repaint ? "repaint" : "diff", (double)(term_bytes_written() - b0) / frames,
	    (double)cells / frames, (double)(t1 - t0) / frames / 1000.0);
	vscreen_destroy(vs);
}

int
main(int argc, char **argv)
{
	int frames = argc > 1 ? atoi(argv[1]) : 2000;
	char *cause = NULL;
	struct theme t;
	FILE *out, *in;

	if (setlocale(LC_ALL, "C.UTF-8") == NULL)
		fatal("the C.UTF-8 locale is missing");
	out = tmpfile();
	in = tmpfile();
	if (out == NULL || in == NULL)
		fatal("tmpfile failed");
	if (term_init_file(out, in, "xterm-256color", &cause) != 0) {
		fprintf(stderr, "bench-term: skipped: %s\n", cause);
		return 77;
	}
	theme_init(&t, true);
	term_set_theme(&t);
	run(80, 24, frames, false);
	run(80, 24, frames, true);
	run(200, 50, frames, false);
	run(200, 50, frames, true);
	term_fini();
	fclose(out);
	fclose(in);
	return 0;
}
