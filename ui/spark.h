/* spark.h: sparklines, a series of values as one line of characters, one a value: the
 * eighth blocks U+2581..U+2588 (8 heights), or under a locale that is not UTF-8 the ASCII
 * steps "_.,-=+*#". A missing value is a space. The supervisor's trends (calls and response
 * time per hour today against the same weekday a week earlier) are drawn with it.
 *
 * Pure: no I/O; the values and the scale are passed in. The caller gives both series of a
 * comparison the same max, so their heights compare. */
#ifndef RD_SPARK_H
#define RD_SPARK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The height (0..7) of v on a scale whose top is max: round(7 v / max) but at least 1
 * for v > 0 (something is never drawn as nothing), 0 for v <= 0, 7 for v >= max; max <= 0:
 * 0. */
int spark_level(int64_t v, int64_t max);

/* Render n values (has[i] false, or has NULL and v[i] < 0: missing) into out as a
 * NUL-terminated string of n characters (3 bytes each in UTF-8, 1 in ASCII), cut to whole
 * characters when outsz is short. Returns the characters written. */
size_t spark_render(char *out, size_t outsz, const int64_t *v, const bool *has, size_t n,
    int64_t max, bool utf8);

#endif
