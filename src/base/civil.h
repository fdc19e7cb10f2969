/* civil.h: civil time without a time-zone database: China Standard Time (UTC+8, the local
 * time of every region in data/), the local hour, minute and day of a time at a fixed UTC
 * offset, the rush hours, and ISO 8601 times with an offset (command lines, scenarios).
 *
 * Pure: no clock, no locale, no TZ environment. Times are ms since the Unix epoch. */
#ifndef RD_CIVIL_H
#define RD_CIVIL_H

#include <stdbool.h>
#include <stdint.h>

/* China Standard Time: UTC+8 all year (no daylight saving), in seconds. */
#define CIVIL_TZ_CHINA_S (8 * 3600)

/* Milliseconds since local midnight (0 .. 86 399 999) at t_ms for a UTC offset in seconds. */
int64_t civil_ms_of_day(int64_t t_ms, int tz_offset_s);
/* The local hour (0..23). */
int civil_local_hour(int64_t t_ms, int tz_offset_s);
/* The local day: days since 1970-01-01 in local time (negative before it). */
int64_t civil_local_day(int64_t t_ms, int tz_offset_s);
/* Whether local hour h (0..23) is in the rush hours, 07:00-09:00 and 17:00-19:00, when
 * trucks drive at a region's speed_peak_kmh. */
bool civil_peak_hour(int h);
/* Whether local hour h (0..23) is night, 20:00-06:00: the diagnosis flows then recommend
 * sending a truck at once and diagnosing meanwhile. */
bool civil_night_hour(int h);
/* Days since 1970-01-01 of a date of the proleptic Gregorian calendar. */
int64_t civil_days_from_date(int64_t y, int m, int d);
/* "YYYY-MM-DDTHH:MM[:SS]" followed by "Z", "+HH:MM" or "-HH:MM", or a whole number of ms
 * since the epoch: the time in ms since the epoch, or -1 when s is neither or the time is
 * not after 1970-01-01T00:00Z. */
int64_t civil_parse_time(const char *s);

#endif
