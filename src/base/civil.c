/* civil.c: civil time at fixed UTC offsets and ISO 8601 times (see civil.h). */
#include "civil.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#define HOUR_MS 3600000LL
#define DAY_MS (24 * HOUR_MS)

static int64_t
floor_div(int64_t a, int64_t m)
{
	return a >= 0 ? a / m : -((-a + m - 1) / m);
}

int64_t
civil_ms_of_day(int64_t t_ms, int tz_offset_s)
{
	int64_t t = t_ms + (int64_t)tz_offset_s * 1000;

	return t - floor_div(t, DAY_MS) * DAY_MS;
}

int
civil_local_hour(int64_t t_ms, int tz_offset_s)
{
	return (int)(civil_ms_of_day(t_ms, tz_offset_s) / HOUR_MS);
}

int64_t
civil_local_day(int64_t t_ms, int tz_offset_s)
{
	return floor_div(t_ms + (int64_t)tz_offset_s * 1000, DAY_MS);
}

bool
civil_peak_hour(int h)
{
	return (h >= 7 && h < 9) || (h >= 17 && h < 19);
}

bool
civil_night_hour(int h)
{
	return h >= 20 || h < 6;
}

int64_t
civil_days_from_date(int64_t y, int m, int d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

int64_t
civil_parse_time(const char *s)
{
	int y, mo, d, h, mi, sec = 0, oh = 0, om = 0, n = 0;
	const char *p;
	char *end;
	int64_t t;

	errno = 0;
	long long ms = strtoll(s, &end, 10);
	if (end != s && *end == '\0')
		return errno == 0 && ms > 0 ? (int64_t)ms : -1;
	if (sscanf(s, "%4d-%2d-%2dT%2d:%2d%n", &y, &mo, &d, &h, &mi, &n) != 5)
		return -1;
	p = s + n;
	if (*p == ':') {
		if (sscanf(p, ":%2d%n", &sec, &n) != 1)
			return -1;
		p += n;
	}
	if (mo < 1 || mo > 12 || d < 1 || d > 31 || h < 0 || h > 23 || mi < 0 || mi > 59 ||
	    sec < 0 || sec > 59)
		return -1;
	t = ((civil_days_from_date(y, mo, d) * 24 + h) * 60 + mi) * 60 + sec;
	if (*p == 'Z' && p[1] == '\0')
		return t > 0 ? t * 1000 : -1;
	if ((*p != '+' && *p != '-') || sscanf(p + 1, "%2d:%2d%n", &oh, &om, &n) != 2 ||
	    p[1 + n] != '\0' || oh < 0 || oh > 14 || om < 0 || om > 59)
		return -1;
	t -= (*p == '+' ? 1 : -1) * (int64_t)(oh * 60 + om) * 60;
	return t > 0 ? t * 1000 : -1;
}
