/* harness-screen.h: what the screen tests (check-text, check-vscreen, check-keymap,
 * check-view, check-views, ...) share: a main that needs the C.UTF-8 locale, a vscreen's
 * text and roles as one string, and the golden-file comparison (RD_UPDATE_GOLDEN=1 writes
 * the golden files instead).
 *
 * This module owns that support code; the tests own their vscreens and views. Failures are
 * Check assertions: they end the test. */
#ifndef RD_HARNESS_SCREEN_H
#define RD_HARNESS_SCREEN_H

#include <check.h>

#include "vscreen.h"

/* Set the C.UTF-8 locale (when it is missing: say so on stderr as prog, return 1) and run
 * suite s with CK_NORMAL; frees its runner. Returns 0 when all passed, else 1. */
int harness_screen_main(Suite *s, const char *prog);

/* vs's text, a "-- roles --" line, and its roles: the golden files' format. Caller frees. */
char *harness_screen_text(const struct vscreen *vs);

/* A whole file, NUL-terminated; NULL if it cannot be opened. Caller frees. */
char *harness_screen_read_all(const char *path);

/* Compare harness_screen_text(vs) with the file at path (it must exist and be equal); with
 * RD_UPDATE_GOLDEN=1 in the environment, write the file instead (and say so on stderr as
 * prog). */
void harness_screen_golden(const struct vscreen *vs, const char *path, const char *prog);

#endif
