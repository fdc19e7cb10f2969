/* complaint.c: the complaint model: the field table and the text forms of values, the
 * rules of each field, the transition table and its conditions, the clocks, the reference
 * data's look-ups and the draft/outbox serialisation. Pure: no I/O, no clock, no globals
 * that change. */
#include "complaint.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "civil.h"
#include "ticket.h"
#include "util.h"

#define DAY_MS INT64_C(86400000)
#define MONEY_MAX INT64_C(100000000000) /* fen: one billion yuan */
#define FUTURE_SLACK_MS INT64_C(60000)  /* a time may be this far ahead of now (clock skew) */
#define GROUP_MAX 100000

/* ---- name tables ------------------------------------------------------------------- */

#define NAMES(tab, X) \
	static const char *const tab##_names[] = { X(N_NAME) }; \
	static const char *const tab##_keys[] = { X(N_KEY) };
#define N_NAME(e, s, k) s,
#define N_KEY(e, s, k) k,
NAMES(state, COMPLAINT_STATES)
NAMES(channel, COMPLAINT_CHANNELS)
NAMES(party, COMPLAINT_PARTIES)
NAMES(acting, COMPLAINT_ACTINGS)
NAMES(business, COMPLAINT_BUSINESSES)
NAMES(priority, COMPLAINT_PRIORITIES)
NAMES(complexity, COMPLAINT_COMPLEXITIES)
NAMES(outcome, COMPLAINT_OUTCOMES)
NAMES(notify, COMPLAINT_NOTIFY_METHODS)
NAMES(review, COMPLAINT_REVIEW_RESULTS)
NAMES(mediation, COMPLAINT_MEDIATION_RESULTS)
NAMES(pause, COMPLAINT_PAUSE_REASONS)
NAMES(right, COMPLAINT_RIGHTS)
NAMES(action, COMPLAINT_ACTIONS)
NAMES(clock, COMPLAINT_CLOCKS)
#undef N_NAME
#undef N_KEY
#undef NAMES

static const char *const error_keys[] = {
#define X(e, k) [COMPLAINT_##e] = k,
	COMPLAINT_ERRORS(X)
#undef X
};

_Static_assert(ARRAY_LEN(state_names) == COMPLAINT_STATE_COUNT, "state table");
_Static_assert(COMPLAINT_STATE_COUNT <= 32, "state masks are 32 bits");
_Static_assert(ARRAY_LEN(action_names) == COMPLAINT_ACTION_COUNT, "action table");
_Static_assert(COMPLAINT_ACTION_COUNT <= 32, "action masks are 32 bits");
_Static_assert(ARRAY_LEN(right_names) == COMPLAINT_RIGHT_COUNT, "rights table");
_Static_assert(ARRAY_LEN(clock_names) == COMPLAINT_CLOCK_COUNT, "clock table");
_Static_assert(ARRAY_LEN(error_keys) == COMPLAINT_ERROR_COUNT, "error table");

/* The field table: the type token of COMPLAINT_FIELDS gives the kind and, for enums, the
 * name table. */
#define FT_TEXT CFT_TEXT, NULL, NULL, 0
#define FT_LONG CFT_LONG, NULL, NULL, 0
#define FT_INT CFT_INT, NULL, NULL, 0
#define FT_TIME CFT_TIME, NULL, NULL, 0
#define FT_MONEY CFT_MONEY, NULL, NULL, 0
#define FT_FLAG CFT_FLAG, NULL, NULL, 0
#define FT_RIGHTS CFT_RIGHTS, NULL, NULL, 0
#define FT_ENUM(t) CFT_ENUM, t##_names, t##_keys, ARRAY_LEN(t##_names)
#define FT_STATE FT_ENUM(state)
#define FT_CHANNEL FT_ENUM(channel)
#define FT_PARTY FT_ENUM(party)
#define FT_ACTING FT_ENUM(acting)
#define FT_BUSINESS FT_ENUM(business)
#define FT_PRIORITY FT_ENUM(priority)
#define FT_COMPLEXITY FT_ENUM(complexity)
#define FT_PAUSE FT_ENUM(pause)
#define FT_OUTCOME FT_ENUM(outcome)
#define FT_NOTIFY FT_ENUM(notify)
#define FT_REVIEW FT_ENUM(review)
#define FT_MEDIATION FT_ENUM(mediation)

struct field_def {
	struct complaint_field_info info;
	size_t off;             /* of the member in struct complaint */
};

static const struct field_def field_defs[] = {
#define X(m, t, k, f) [CF_##m] = { { #m, FT_##t, k, f }, offsetof(struct complaint, m) },
	COMPLAINT_FIELDS(X)
#undef X
};
_Static_assert(ARRAY_LEN(field_defs) == COMPLAINT_FIELD_COUNT, "field table");

const struct complaint_field_info *
complaint_field_info(enum complaint_field f)
{
	if ((unsigned)f >= COMPLAINT_FIELD_COUNT)
		return NULL;
	return &field_defs[f].info;
}

int
complaint_field_by_name(const char *name)
{
	for (int f = 0; f < COMPLAINT_FIELD_COUNT; f++)
		if (strcmp(field_defs[f].info.name, name) == 0)
			return f;
	return -1;
}

static bool
is_str(enum complaint_field f)
{
	return field_defs[f].info.type == CFT_TEXT || field_defs[f].info.type == CFT_LONG;
}

static char **
str_slot(struct complaint *c, enum complaint_field f)
{
	return (char **)(void *)((char *)c + field_defs[f].off);
}

static int64_t *
int_slot(struct complaint *c, enum complaint_field f)
{
	return (int64_t *)(void *)((char *)c + field_defs[f].off);
}

const char *
complaint_field_str(const struct complaint *c, enum complaint_field f)
{
	if ((unsigned)f >= COMPLAINT_FIELD_COUNT || !is_str(f))
		return "";
	const char *s = *str_slot((struct complaint *)(uintptr_t)c, f);
	return s != NULL ? s : "";
}

void
complaint_field_set_str(struct complaint *c, enum complaint_field f, const char *s)
{
	if ((unsigned)f >= COMPLAINT_FIELD_COUNT || !is_str(f))
		return;
	char **slot = str_slot(c, f);
	char *copy = s != NULL && *s != '\0' ? xstrdup(s) : NULL;
	free(*slot);
	*slot = copy;
}

int64_t
complaint_field_int(const struct complaint *c, enum complaint_field f)
{
	if ((unsigned)f >= COMPLAINT_FIELD_COUNT || is_str(f))
		return 0;
	return *int_slot((struct complaint *)(uintptr_t)c, f);
}

void
complaint_field_set_int(struct complaint *c, enum complaint_field f, int64_t v)
{
	if ((unsigned)f >= COMPLAINT_FIELD_COUNT || is_str(f))
		return;
	*int_slot(c, f) = v;
}

bool
complaint_field_equal(const struct complaint *a, const struct complaint *b,
    enum complaint_field f)
{
	if (is_str(f))
		return strcmp(complaint_field_str(a, f), complaint_field_str(b, f)) == 0;
	return complaint_field_int(a, f) == complaint_field_int(b, f);
}

/* ---- records ------------------------------------------------------------------------ */

struct complaint *
complaint_new(int64_t now_ms)
{
	struct complaint *c = xcalloc(1, sizeof *c);
	c->state = COMPLAINT_RECEIVED;
	c->received_at = now_ms;
	c->clock_start = now_ms;
	c->priority = COMPLAINT_PRIORITY_NORMAL;
	c->complexity = COMPLAINT_COMPLEXITY_SIMPLE;
	c->acting = COMPLAINT_ACTING_SELF;
	c->group_size = 1;
	return c;
}

struct complaint *
complaint_copy(const struct complaint *c)
{
	struct complaint *n = xcalloc(1, sizeof *n);
	*n = *c;
	for (int f = 0; f < COMPLAINT_FIELD_COUNT; f++)
		if (is_str(f)) {
			char **slot = str_slot(n, f);
			if (*slot != NULL)
				*slot = xstrdup(*slot);
		}
	if (c->n_pauses > 0) {
		n->pauses = xcalloc(c->n_pauses, sizeof *n->pauses);
		memcpy(n->pauses, c->pauses, c->n_pauses * sizeof *n->pauses);
	} else
		n->pauses = NULL;
	return n;
}

void
complaint_free(struct complaint *c)
{
	if (c == NULL)
		return;
	for (int f = 0; f < COMPLAINT_FIELD_COUNT; f++)
		if (is_str(f))
			free(*str_slot(c, f));
	free(c->pauses);
	free(c);
}

/* ---- text forms --------------------------------------------------------------------- */

/* The date of a civil day (Howard Hinnant's days_from_civil, inverted). */
static void
date_of_day(int64_t z, int64_t *y, int *m, int *d)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

/* ms of local midnight starting civil day `day` (China time). */
static int64_t
day_start(int64_t day)
{
	return day * DAY_MS - (int64_t)CIVIL_TZ_CHINA_S * 1000;
}

static int64_t
day_of(int64_t ms)
{
	return civil_local_day(ms, CIVIL_TZ_CHINA_S);
}

void
complaint_time_format(char *buf, size_t size, int64_t ms)
{
	if (ms == 0) {
		if (size > 0)
			buf[0] = '\0';
		return;
	}
	int64_t y, day = day_of(ms), in = civil_ms_of_day(ms, CIVIL_TZ_CHINA_S) / 1000;
	int m, d;
	date_of_day(day, &y, &m, &d);
	snprintf(buf, size, "%04lld-%02d-%02d %02d:%02d:%02d", (long long)y, m, d,
	    (int)(in / 3600), (int)(in / 60 % 60), (int)(in % 60));
}

static bool
digits(const char *s, int n)
{
	for (int i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

static int
num(const char *s, int n)
{
	int v = 0;
	for (int i = 0; i < n; i++)
		v = v * 10 + (s[i] - '0');
	return v;
}

int64_t
complaint_time_parse(const char *s)
{
	size_t len = strlen(s);
	if (len != 10 && len != 16 && len != 19)
		return -1;
	if (!digits(s, 4) || s[4] != '-' || !digits(s + 5, 2) || s[7] != '-' ||
	    !digits(s + 8, 2))
		return -1;
	int y = num(s, 4), mo = num(s + 5, 2), d = num(s + 8, 2), h = 0, mi = 0, sec = 0;
	if (len >= 16) {
		if (s[10] != ' ' || !digits(s + 11, 2) || s[13] != ':' || !digits(s + 14, 2))
			return -1;
		h = num(s + 11, 2);
		mi = num(s + 14, 2);
	}
	if (len == 19) {
		if (s[16] != ':' || !digits(s + 17, 2))
			return -1;
		sec = num(s + 17, 2);
	}
	if (y < 1971 || mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || sec > 59)
		return -1;
	int64_t day = civil_days_from_date(y, mo, d), yy;
	int mm, dd;
	date_of_day(day, &yy, &mm, &dd);
	if (mm != mo || dd != d) /* 2026-02-30 */
		return -1;
	return day_start(day) + ((int64_t)h * 3600 + mi * 60 + sec) * 1000;
}

void
complaint_money_format(char *buf, size_t size, int64_t fen)
{
	const char *sign = fen < 0 ? "-" : "";
	uint64_t a = fen < 0 ? (uint64_t)0 - (uint64_t)fen : (uint64_t)fen;
	snprintf(buf, size, "%s%llu.%02u", sign, (unsigned long long)(a / 100),
	    (unsigned)(a % 100));
}

int
complaint_money_parse(const char *s, int64_t *fen)
{
	int64_t yuan = 0, cents = 0;
	size_t i = 0, n = 0;
	for (; s[i] >= '0' && s[i] <= '9'; i++, n++) {
		if (yuan > MONEY_MAX / 100)
			return -1;
		yuan = yuan * 10 + (s[i] - '0');
	}
	if (n == 0)
		return -1;
	if (s[i] == '.') {
		i++;
		size_t k = 0;
		for (; s[i] >= '0' && s[i] <= '9' && k < 2; i++, k++)
			cents = cents * 10 + (s[i] - '0');
		if (k == 0)
			return -1;
		if (k == 1)
			cents *= 10;
	}
	if (s[i] != '\0' || yuan > MONEY_MAX / 100)
		return -1;
	*fen = yuan * 100 + cents;
	return 0;
}

static int
enum_from(const struct complaint_field_info *fd, const char *s)
{
	for (size_t i = 0; i < fd->n_names; i++)
		if (strcmp(fd->names[i], s) == 0)
			return (int)i;
	return -1;
}

char *
complaint_field_get(const struct complaint *c, enum complaint_field f)
{
	if ((unsigned)f >= COMPLAINT_FIELD_COUNT)
		return xstrdup("");
	const struct complaint_field_info *fd = &field_defs[f].info;
	char buf[64];
	int64_t v = is_str(f) ? 0 : complaint_field_int(c, f);

	if (!is_str(f) && v == 0 && (fd->flags & CF_OPT) != 0)
		return xstrdup("");
	switch (fd->type) {
	case CFT_TEXT:
	case CFT_LONG:
		return xstrdup(complaint_field_str(c, f));
	case CFT_INT:
	case CFT_FLAG:
		snprintf(buf, sizeof buf, "%lld", (long long)v);
		return xstrdup(buf);
	case CFT_TIME:
		complaint_time_format(buf, sizeof buf, v);
		return xstrdup(buf);
	case CFT_MONEY:
		complaint_money_format(buf, sizeof buf, v);
		return xstrdup(buf);
	case CFT_RIGHTS: {
		char out[256] = "";
		for (int r = 0; r < COMPLAINT_RIGHT_COUNT; r++)
			if (v & (INT64_C(1) << r)) {
				if (out[0] != '\0')
					strcat(out, ",");
				strcat(out, right_names[r]);
			}
		return xstrdup(out);
	}
	case CFT_ENUM:
		return xstrdup(v >= 0 && (size_t)v < fd->n_names ? fd->names[v] : "?");
	}
	return xstrdup("");
}

static int
parse_int(const char *s, int64_t *out)
{
	char *end;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (end == s || *end != '\0' || errno != 0 || (*s != '-' && (*s < '0' || *s > '9')))
		return -1;
	*out = v;
	return 0;
}

static int
parse_rights(const char *s, int64_t *out)
{
	int64_t mask = 0;
	while (*s != '\0') {
		size_t n = strcspn(s, ",");
		int r = -1;
		for (int i = 0; i < COMPLAINT_RIGHT_COUNT; i++)
			if (strlen(right_names[i]) == n && strncmp(right_names[i], s, n) == 0)
				r = i;
		if (r < 0)
			return -1;
		mask |= INT64_C(1) << r;
		s += n;
		if (*s == ',')
			s++;
	}
	*out = mask;
	return 0;
}

int
complaint_field_set(struct complaint *c, enum complaint_field f, const char *text)
{
	if ((unsigned)f >= COMPLAINT_FIELD_COUNT)
		return COMPLAINT_E_FORMAT;
	const struct complaint_field_info *fd = &field_defs[f].info;
	int64_t v = 0;

	if (is_str(f)) {
		complaint_field_set_str(c, f, text);
		return COMPLAINT_OK;
	}
	if (text == NULL || *text == '\0') {
		complaint_field_set_int(c, f, 0);
		return COMPLAINT_OK;
	}
	switch (fd->type) {
	case CFT_INT:
		if (parse_int(text, &v) != 0)
			return COMPLAINT_E_FORMAT;
		break;
	case CFT_FLAG:
		if (strcmp(text, "0") != 0 && strcmp(text, "1") != 0)
			return COMPLAINT_E_FORMAT;
		v = text[0] == '1';
		break;
	case CFT_TIME:
		if ((v = complaint_time_parse(text)) < 0)
			return COMPLAINT_E_FORMAT;
		break;
	case CFT_MONEY:
		if (complaint_money_parse(text, &v) != 0)
			return COMPLAINT_E_FORMAT;
		break;
	case CFT_RIGHTS:
		if (parse_rights(text, &v) != 0)
			return COMPLAINT_E_FORMAT;
		break;
	case CFT_ENUM: {
		int e = enum_from(fd, text);
		if (e < 0)
			return COMPLAINT_E_FORMAT;
		v = e;
		break;
	}
	case CFT_TEXT:
	case CFT_LONG:
		break;
	}
	complaint_field_set_int(c, f, v);
	return COMPLAINT_OK;
}

/* ---- names -------------------------------------------------------------------------- */

static const char *
name_of(const char *const *tab, size_t n, int i)
{
	return i >= 0 && (size_t)i < n ? tab[i] : "?";
}

static int
index_of(const char *const *tab, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(tab[i], s) == 0)
			return (int)i;
	return -1;
}

const char *
complaint_state_name(enum complaint_state s)
{
	return name_of(state_names, COMPLAINT_STATE_COUNT, (int)s);
}

const char *
complaint_state_key(enum complaint_state s)
{
	return name_of(state_keys, COMPLAINT_STATE_COUNT, (int)s);
}

int
complaint_state_from_name(const char *s)
{
	return index_of(state_names, COMPLAINT_STATE_COUNT, s);
}

const char *
complaint_action_name(enum complaint_action a)
{
	return name_of(action_names, COMPLAINT_ACTION_COUNT, (int)a);
}

const char *
complaint_action_key(enum complaint_action a)
{
	return name_of(action_keys, COMPLAINT_ACTION_COUNT, (int)a);
}

int
complaint_action_from_name(const char *s)
{
	return index_of(action_names, COMPLAINT_ACTION_COUNT, s);
}

const char *
complaint_clock_name(enum complaint_clock_kind k)
{
	return name_of(clock_names, COMPLAINT_CLOCK_COUNT, (int)k);
}

const char *
complaint_clock_key(enum complaint_clock_kind k)
{
	return name_of(clock_keys, COMPLAINT_CLOCK_COUNT, (int)k);
}

const char *
complaint_right_name(enum complaint_right r)
{
	return name_of(right_names, COMPLAINT_RIGHT_COUNT, (int)r);
}

const char *
complaint_right_key(enum complaint_right r)
{
	return name_of(right_keys, COMPLAINT_RIGHT_COUNT, (int)r);
}

const char *
complaint_error_key(int e)
{
	return name_of(error_keys, COMPLAINT_ERROR_COUNT, e);
}

bool
complaint_state_final(enum complaint_state s)
{
	return s == COMPLAINT_REJECTED || s == COMPLAINT_CLOSED || s == COMPLAINT_WITHDRAWN ||
	    s == COMPLAINT_MERGED;
}

void
complaint_catalog_keys(void (*cb)(void *user, const char *key), void *user)
{
	const char *const *tabs[] = { state_keys, channel_keys, party_keys, acting_keys,
		business_keys, priority_keys, complexity_keys, outcome_keys, notify_keys,
		review_keys, mediation_keys, pause_keys, right_keys, action_keys, clock_keys };
	const size_t ns[] = { ARRAY_LEN(state_keys), ARRAY_LEN(channel_keys),
		ARRAY_LEN(party_keys), ARRAY_LEN(acting_keys), ARRAY_LEN(business_keys),
		ARRAY_LEN(priority_keys), ARRAY_LEN(complexity_keys), ARRAY_LEN(outcome_keys),
		ARRAY_LEN(notify_keys), ARRAY_LEN(review_keys), ARRAY_LEN(mediation_keys),
		ARRAY_LEN(pause_keys), ARRAY_LEN(right_keys), ARRAY_LEN(action_keys),
		ARRAY_LEN(clock_keys) };
	for (size_t t = 0; t < ARRAY_LEN(tabs); t++)
		for (size_t i = 0; i < ns[t]; i++)
			if (tabs[t][i][0] != '\0')
				cb(user, tabs[t][i]);
	for (int f = 0; f < COMPLAINT_FIELD_COUNT; f++)
		cb(user, field_defs[f].info.key);
	for (int e = 1; e < COMPLAINT_ERROR_COUNT; e++)
		cb(user, error_keys[e]);
}

/* ---- reference data ----------------------------------------------------------------- */

void
complaint_policy_default(struct complaint_policy *p)
{
	p->ack_working_days = 1;
	p->update_days = 3;
	p->decision_days[0] = 15;
	p->decision_days[1] = 30;
	p->decision_days[2] = 60;
	p->review_window_days = 30;
	p->review_decision_days = 30;
	p->amber_pct = 80;
}

void
complaint_data_free(struct complaint_data *d)
{
	if (d == NULL)
		return;
	free(d->causes);
	free(d->orgs);
	free(d->limits);
	free(d->holidays);
	free(d->workdays);
	free(d);
}

const struct complaint_cause *
complaint_data_cause(const struct complaint_data *d, const char *code)
{
	for (size_t i = 0; d != NULL && i < d->n_causes; i++)
		if (strcmp(d->causes[i].code, code) == 0)
			return &d->causes[i];
	return NULL;
}

const struct complaint_org *
complaint_data_org(const struct complaint_data *d, const char *id)
{
	for (size_t i = 0; d != NULL && i < d->n_orgs; i++)
		if (strcmp(d->orgs[i].id, id) == 0)
			return &d->orgs[i];
	return NULL;
}

int64_t
complaint_data_limit(const struct complaint_data *d, const char *role)
{
	for (size_t i = 0; d != NULL && i < d->n_limits; i++)
		if (strcmp(d->limits[i].role, role) == 0)
			return d->limits[i].max_fen;
	return -1;
}

static bool
in_sorted(const int64_t *a, size_t n, int64_t v)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (a[mid] == v)
			return true;
		if (a[mid] < v)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

bool
complaint_working_day(const struct complaint_data *d, int64_t day)
{
	/* 1970-01-01 was a Thursday: weekday 0 = Monday. */
	int64_t wd = ((day % 7) + 7 + 3) % 7;
	bool weekend = wd >= 5;
	if (d == NULL)
		return !weekend;
	if (weekend)
		return in_sorted(d->workdays, d->n_workdays, day);
	return !in_sorted(d->holidays, d->n_holidays, day);
}

/* ---- validation --------------------------------------------------------------------- */

/* UTF-8 without overlongs, surrogates or code points past U+10FFFF; control characters
 * (C0, DEL, C1) refused except newline and tab in multi-line text. */
static int
check_utf8(const char *s, bool multiline)
{
	const unsigned char *p = (const unsigned char *)s;
	while (*p != '\0') {
		unsigned c = *p;
		if (c < 0x80) {
			if ((c < 0x20 || c == 0x7f) && !(multiline && (c == '\n' || c == '\t')))
				return COMPLAINT_E_CONTROL;
			p++;
			continue;
		}
		int n;
		uint32_t cp;
		if (c >= 0xc2 && c <= 0xdf) {
			n = 1;
			cp = c & 0x1f;
		} else if (c >= 0xe0 && c <= 0xef) {
			n = 2;
			cp = c & 0x0f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			n = 3;
			cp = c & 0x07;
		} else
			return COMPLAINT_E_NOT_UTF8;
		for (int i = 1; i <= n; i++) {
			if ((p[i] & 0xc0) != 0x80)
				return COMPLAINT_E_NOT_UTF8;
			cp = (cp << 6) | (p[i] & 0x3f);
		}
		if ((n == 2 && cp < 0x800) || (n == 3 && (cp < 0x10000 || cp > 0x10ffff)) ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			return COMPLAINT_E_NOT_UTF8;
		if (cp >= 0x80 && cp <= 0x9f)
			return COMPLAINT_E_CONTROL;
		p += n + 1;
	}
	return COMPLAINT_OK;
}

static bool
empty(const struct complaint *c, enum complaint_field f)
{
	return complaint_field_str(c, f)[0] == '\0';
}

bool
complaint_number_valid(const char *s)
{
	return strlen(s) == COMPLAINT_NUMBER_LEN && strncmp(s, "TS-", 3) == 0 &&
	    digits(s + 3, 8) && s[11] == '-' && digits(s + 12, 6) && num(s + 12, 6) > 0;
}

void
complaint_number_format(char *buf, size_t size, int64_t received_ms, int seq)
{
	int64_t y;
	int m, d;
	date_of_day(day_of(received_ms), &y, &m, &d);
	snprintf(buf, size, "TS-%04lld%02d%02d-%06d", (long long)y, m, d, seq % 1000000);
}

static bool
vin_valid(const char *s)
{
	if (strlen(s) != 17)
		return false;
	for (const char *p = s; *p != '\0'; p++)
		if (!((*p >= '0' && *p <= '9') || (*p >= 'A' && *p <= 'Z')) || *p == 'I' ||
		    *p == 'O' || *p == 'Q')
			return false;
	return true;
}

/* Names in a comma list (ASCII or the full-width ， and 、 the console's users type). */
static int
count_names(const char *s)
{
	int n = 0;
	bool in = false;
	while (*s != '\0') {
		size_t sep = 0;
		if (*s == ',')
			sep = 1;
		else if (strncmp(s, "，", 3) == 0 || strncmp(s, "、", 3) == 0)
			sep = 3;
		if (sep > 0) {
			in = false;
			s += sep;
			continue;
		}
		if (!in && *s != ' ')
			n++, in = true;
		s++;
	}
	return n;
}

static bool
channel_needs_ref(int64_t ch)
{
	return ch == COMPLAINT_CHANNEL_REGULATOR || ch == COMPLAINT_CHANNEL_ASSOCIATION ||
	    ch == COMPLAINT_CHANNEL_MEDIATION;
}

static int
check_time(const struct complaint *c, int64_t v, int64_t now_ms)
{
	if (v == 0)
		return COMPLAINT_OK;
	if (v > now_ms + FUTURE_SLACK_MS)
		return COMPLAINT_E_FUTURE;
	if (c->received_at != 0 && v < c->received_at)
		return COMPLAINT_E_BEFORE_RECEIPT;
	return COMPLAINT_OK;
}

/* The rules of f that hold whether or not the complaint is registered. */
static int
check_form(const struct complaint *c, enum complaint_field f, const struct complaint_data *d,
    int64_t now_ms)
{
	const struct complaint_field_info *fd = &field_defs[f].info;
	int e;

	if (is_str(f)) {
		const char *s = complaint_field_str(c, f);
		size_t max = fd->type == CFT_TEXT ? COMPLAINT_LINE_MAX :
		    f == CF_ticket_timeline ? COMPLAINT_TIMELINE_MAX : COMPLAINT_TEXT_MAX;
		if (strlen(s) > max)
			return COMPLAINT_E_TOO_LONG;
		if ((e = check_utf8(s, fd->type == CFT_LONG)) != COMPLAINT_OK)
			return e;
	} else {
		int64_t v = complaint_field_int(c, f);
		switch (fd->type) {
		case CFT_ENUM:
			if (v < 0 || (size_t)v >= fd->n_names)
				return COMPLAINT_E_ENUM;
			break;
		case CFT_FLAG:
			if (v != 0 && v != 1)
				return COMPLAINT_E_NUMBER;
			break;
		case CFT_MONEY:
			if (v < 0 || v > MONEY_MAX)
				return COMPLAINT_E_MONEY;
			break;
		case CFT_RIGHTS:
			if (v < 0 || v >= (INT64_C(1) << COMPLAINT_RIGHT_COUNT))
				return COMPLAINT_E_RIGHTS;
			break;
		case CFT_TIME:
			if (v < 0 || v > COMPLAINT_TIME_MAX)
				return COMPLAINT_E_NUMBER;
			if (f == CF_received_at)
				return v > now_ms + FUTURE_SLACK_MS ? COMPLAINT_E_FUTURE : COMPLAINT_OK;
			if ((e = check_time(c, v, now_ms)) != COMPLAINT_OK)
				return e;
			break;
		case CFT_INT:
			if (v < 0)
				return COMPLAINT_E_NUMBER;
			break;
		case CFT_TEXT:
		case CFT_LONG:
			break;
		}
	}
	const char *s = complaint_field_str(c, f);
	switch (f) {
	case CF_number:
		if (*s != '\0' && !complaint_number_valid(s))
			return COMPLAINT_E_NUMBER_FORM;
		break;
	case CF_merged_into:
		if (*s != '\0' && !complaint_number_valid(s))
			return COMPLAINT_E_NUMBER_FORM;
		if (*s != '\0' && strcmp(s, complaint_field_str(c, CF_number)) == 0)
			return COMPLAINT_E_MERGE_SELF;
		break;
	case CF_phone:
	case CF_agent_phone:
		if (*s != '\0' && ticket_phone_invalid(s) != NULL)
			return COMPLAINT_E_PHONE;
		break;
	case CF_plate:
		if (*s != '\0' && ticket_plate_invalid(s) != NULL)
			return COMPLAINT_E_PLATE;
		break;
	case CF_vin:
		if (*s != '\0' && !vin_valid(s))
			return COMPLAINT_E_VIN;
		break;
	case CF_group_size:
		if (c->group_size < 1 || c->group_size > GROUP_MAX)
			return COMPLAINT_E_GROUP;
		break;
	case CF_representatives:
		if (count_names(s) > COMPLAINT_GROUP_REPS_MAX)
			return COMPLAINT_E_REPRESENTATIVES;
		break;
	case CF_extension_level:
		if (c->extension_level > 2)
			return COMPLAINT_E_NUMBER;
		break;
	case CF_satisfaction:
		if (c->satisfaction > 5)
			return COMPLAINT_E_SATISFACTION;
		break;
	case CF_cause:
		if (*s != '\0' && d != NULL) {
			const struct complaint_cause *cc = complaint_data_cause(d, s);
			if (cc == NULL)
				return COMPLAINT_E_CAUSE;
			if (c->business != COMPLAINT_BUSINESS_NONE &&
			    c->business != COMPLAINT_BUSINESS_OTHER &&
			    cc->business != COMPLAINT_BUSINESS_OTHER && cc->business != c->business)
				return COMPLAINT_E_CAUSE_BUSINESS;
		}
		break;
	case CF_mediation_org:
		if (*s != '\0' && d != NULL && complaint_data_org(d, s) == NULL)
			return COMPLAINT_E_MEDIATION_ORG;
		break;
	case CF_goodwill_approver:
		if (c->goodwill > 0 && *s == '\0')
			return COMPLAINT_E_GOODWILL_APPROVER;
		break;
	case CF_goodwill_role:
		if (c->goodwill > 0 && *s == '\0')
			return COMPLAINT_E_GOODWILL_ROLE;
		if (*s != '\0' && d != NULL && complaint_data_limit(d, s) < 0)
			return COMPLAINT_E_GOODWILL_ROLE;
		break;
	case CF_goodwill:
		if (c->goodwill > 0 && d != NULL && !empty(c, CF_goodwill_role)) {
			int64_t lim = complaint_data_limit(d, c->goodwill_role);
			if (lim >= 0 && c->goodwill > lim)
				return COMPLAINT_E_GOODWILL_LIMIT;
		}
		break;
	default:
		break;
	}
	return COMPLAINT_OK;
}

/* The rules that make a record registrable: the mandatory content and the conditional
 * fields of who acts and what it is about. */
static int
check_registration(const struct complaint *c, enum complaint_field f)
{
	const struct complaint_field_info *fd = &field_defs[f].info;
	if (fd->flags & CF_REG) {
		if (is_str(f) ? empty(c, f) : complaint_field_int(c, f) == 0)
			return COMPLAINT_E_REQUIRED;
	}
	bool agent = c->acting == COMPLAINT_ACTING_AGENT, heir = c->acting == COMPLAINT_ACTING_HEIR;
	switch (f) {
	case CF_source_ref:
		if (channel_needs_ref(c->channel) && empty(c, f))
			return COMPLAINT_E_SOURCE_REF;
		break;
	case CF_agent_name:
		if (agent && empty(c, f))
			return COMPLAINT_E_AGENT;
		if (heir && empty(c, f))
			return COMPLAINT_E_HEIR;
		break;
	case CF_agent_phone:
		if (agent && empty(c, f))
			return COMPLAINT_E_AGENT;
		break;
	case CF_agent_proof:
		if (agent && empty(c, f))
			return COMPLAINT_E_AGENT;
		if (heir && empty(c, f))
			return COMPLAINT_E_HEIR;
		break;
	case CF_policy_no:
		if (empty(c, CF_policy_no) && empty(c, CF_plate) && empty(c, CF_vin))
			return COMPLAINT_E_SUBJECT;
		break;
	case CF_representatives:
		if (c->group_size > COMPLAINT_GROUP_REPS_MAX && c->channel ==
		    COMPLAINT_CHANNEL_WALK_IN && empty(c, f))
			return COMPLAINT_E_REPRESENTATIVES;
		break;
	default:
		break;
	}
	return COMPLAINT_OK;
}

int
complaint_field_check(const struct complaint *c, enum complaint_field f,
    const struct complaint_data *d, int64_t now_ms)
{
	if ((unsigned)f >= COMPLAINT_FIELD_COUNT)
		return COMPLAINT_E_FORMAT;
	int e = check_form(c, f, d, now_ms);
	if (e == COMPLAINT_OK && c->state != COMPLAINT_RECEIVED && c->state != COMPLAINT_REJECTED)
		e = check_registration(c, f);
	return e;
}

int
complaint_check(const struct complaint *c, const struct complaint_data *d, int64_t now_ms,
    bool registration, int *field)
{
	for (int f = 0; f < COMPLAINT_FIELD_COUNT; f++) {
		int e = check_form(c, f, d, now_ms);
		if (e == COMPLAINT_OK && registration)
			e = check_registration(c, f);
		if (e != COMPLAINT_OK) {
			if (field != NULL)
				*field = f;
			return e;
		}
	}
	return COMPLAINT_OK;
}

/* ---- clocks ------------------------------------------------------------------------- */

static const struct complaint_policy *
policy_of(const struct complaint_data *d, struct complaint_policy *def)
{
	if (d != NULL)
		return &d->policy;
	complaint_policy_default(def);
	return def;
}

/* The midnight ending the nth calendar day after the day of t. */
static int64_t
days_after(int64_t t, int n)
{
	return day_start(day_of(t) + n + 1);
}

int64_t
complaint_add_working_days(const struct complaint_data *d, int64_t t_ms, int n)
{
	int64_t day = day_of(t_ms);
	for (int k = 0; k < n;) {
		day++;
		if (complaint_working_day(d, day))
			k++;
	}
	return day_start(day + 1);
}

#define bit(s) (1u << (s))

#define OPEN_UNDECIDED (bit(COMPLAINT_RECEIVED) | bit(COMPLAINT_REGISTERED) |              \
	bit(COMPLAINT_ACKNOWLEDGED) | bit(COMPLAINT_INVESTIGATING) | bit(COMPLAINT_PAUSED) | \
	bit(COMPLAINT_AWAITING) | bit(COMPLAINT_EXTENDED_30) | bit(COMPLAINT_EXTENDED_60))
#define IN_WORK (bit(COMPLAINT_INVESTIGATING) | bit(COMPLAINT_EXTENDED_30) |                \
	bit(COMPLAINT_EXTENDED_60))
#define ALL_OPEN (OPEN_UNDECIDED | bit(COMPLAINT_DECIDED) | bit(COMPLAINT_NOTIFIED) |      \
	bit(COMPLAINT_REVIEW) | bit(COMPLAINT_REVIEW_DECIDED) | bit(COMPLAINT_MEDIATION) |  \
	bit(COMPLAINT_MEDIATED) | bit(COMPLAINT_MEDIATION_FAILED))

/* Calendar days the legal clock stood still since it started: each pause begun after the
 * clock's start counts the days from the day it began to the day it ended (or today). */
static int64_t
paused_days(const struct complaint *c, int64_t start, int64_t now_ms)
{
	int64_t n = 0;
	for (size_t i = 0; i < c->n_pauses; i++) {
		const struct complaint_pause *p = &c->pauses[i];
		if (p->start < start)
			continue;
		int64_t end = p->end != 0 ? p->end : now_ms;
		if (end > p->start)
			n += day_of(end) - day_of(p->start);
	}
	return n;
}

static bool
time_ok(int64_t t)
{
	return t >= 0 && t <= COMPLAINT_TIME_MAX;
}

/* Whether every time the clocks read is one of a calendar (a decoded draft may hold any
 * number). */
static bool
times_ok(const struct complaint *c, int64_t now_ms)
{
	if (!time_ok(now_ms) || !time_ok(c->received_at) || !time_ok(c->clock_start) ||
	    !time_ok(c->ack_at) || !time_ok(c->last_contact_at) || !time_ok(c->notified_at) ||
	    !time_ok(c->review_requested_at))
		return false;
	for (size_t i = 0; i < c->n_pauses; i++)
		if (!time_ok(c->pauses[i].start) || !time_ok(c->pauses[i].end))
			return false;
	return true;
}

static void
clock_status(struct complaint_clock *k, int64_t now_ms, int amber_pct)
{
	if (now_ms >= k->due)
		k->status = COMPLAINT_CLOCK_RED;
	else if (k->due > k->start &&
	    (now_ms - k->start) * 100 >= (k->due - k->start) * (int64_t)amber_pct)
		k->status = COMPLAINT_CLOCK_AMBER;
	else
		k->status = COMPLAINT_CLOCK_OK;
}

static int64_t
max3(int64_t a, int64_t b, int64_t c)
{
	int64_t m = a > b ? a : b;
	return m > c ? m : c;
}

void
complaint_clocks(const struct complaint *c, const struct complaint_data *d, int64_t now_ms,
    struct complaint_clock out[COMPLAINT_CLOCK_COUNT])
{
	struct complaint_policy def;
	const struct complaint_policy *p = policy_of(d, &def);
	uint32_t s = bit((enum complaint_state)c->state);

	memset(out, 0, sizeof *out * COMPLAINT_CLOCK_COUNT);
	if ((unsigned)c->state >= COMPLAINT_STATE_COUNT || !times_ok(c, now_ms))
		return;
	if (s & (bit(COMPLAINT_RECEIVED) | bit(COMPLAINT_REGISTERED))) {
		struct complaint_clock *k = &out[COMPLAINT_CLOCK_ACK];
		k->start = c->received_at;
		k->due = complaint_add_working_days(d, c->received_at, p->ack_working_days);
		clock_status(k, now_ms, p->amber_pct);
	}
	if (s & (OPEN_UNDECIDED | bit(COMPLAINT_DECIDED)) & ~(bit(COMPLAINT_RECEIVED) |
	    bit(COMPLAINT_REGISTERED))) {
		struct complaint_clock *k = &out[COMPLAINT_CLOCK_UPDATE];
		k->start = max3(c->received_at, c->ack_at, c->last_contact_at);
		k->due = days_after(k->start, p->update_days);
		clock_status(k, now_ms, p->amber_pct);
	}
	if (s & OPEN_UNDECIDED) {
		struct complaint_clock *k = &out[COMPLAINT_CLOCK_DECISION];
		int level = c->extension_level >= 0 && c->extension_level <= 2 ?
		    (int)c->extension_level : 2;
		k->start = c->clock_start != 0 ? c->clock_start : c->received_at;
		k->paused_days = paused_days(c, k->start, now_ms);
		k->stopped = c->state == COMPLAINT_PAUSED;
		k->due = days_after(k->start, p->decision_days[level] + (int)k->paused_days);
		clock_status(k, now_ms, p->amber_pct);
	}
	if (c->state == COMPLAINT_NOTIFIED && c->notified_at != 0) {
		struct complaint_clock *k = &out[COMPLAINT_CLOCK_REVIEW_WINDOW];
		k->start = c->notified_at;
		k->due = days_after(k->start, p->review_window_days);
		clock_status(k, now_ms, p->amber_pct);
	}
	if (c->state == COMPLAINT_REVIEW && c->review_requested_at != 0) {
		struct complaint_clock *k = &out[COMPLAINT_CLOCK_REVIEW_DECISION];
		k->start = c->review_requested_at;
		k->due = days_after(k->start, p->review_decision_days);
		clock_status(k, now_ms, p->amber_pct);
	}
}

int
complaint_clock_nearest(const struct complaint *c, const struct complaint_data *d,
    int64_t now_ms, struct complaint_clock *clock)
{
	struct complaint_clock k[COMPLAINT_CLOCK_COUNT];
	int best = -1;
	complaint_clocks(c, d, now_ms, k);
	for (int i = 0; i < COMPLAINT_CLOCK_COUNT; i++)
		if (k[i].status != COMPLAINT_CLOCK_OFF && (best < 0 || k[i].due < k[best].due))
			best = i;
	if (best >= 0 && clock != NULL)
		*clock = k[best];
	return best;
}

/* ---- the state machine -------------------------------------------------------------- */

const struct complaint_transition complaint_transitions[] = {
	{ COMPLAINT_ACT_REGISTER, 1u << COMPLAINT_RECEIVED, COMPLAINT_REGISTERED },
	{ COMPLAINT_ACT_REJECT, 1u << COMPLAINT_RECEIVED, COMPLAINT_REJECTED },
	{ COMPLAINT_ACT_ACK, 1u << COMPLAINT_REGISTERED, COMPLAINT_ACKNOWLEDGED },
	{ COMPLAINT_ACT_INVESTIGATE, 1u << COMPLAINT_ACKNOWLEDGED, COMPLAINT_INVESTIGATING },
	{ COMPLAINT_ACT_PAUSE, IN_WORK, COMPLAINT_PAUSED },
	{ COMPLAINT_ACT_RESUME, 1u << COMPLAINT_PAUSED, -1 },
	{ COMPLAINT_ACT_AWAIT, IN_WORK, COMPLAINT_AWAITING },
	{ COMPLAINT_ACT_REPLIED, 1u << COMPLAINT_AWAITING, -1 },
	{ COMPLAINT_ACT_EXTEND, 1u << COMPLAINT_INVESTIGATING, COMPLAINT_EXTENDED_30 },
	{ COMPLAINT_ACT_EXTEND_SPECIAL, 1u << COMPLAINT_EXTENDED_30, COMPLAINT_EXTENDED_60 },
	{ COMPLAINT_ACT_DECIDE, IN_WORK, COMPLAINT_DECIDED },
	{ COMPLAINT_ACT_NOTIFY, 1u << COMPLAINT_DECIDED, COMPLAINT_NOTIFIED },
	{ COMPLAINT_ACT_REQUEST_REVIEW, 1u << COMPLAINT_NOTIFIED, COMPLAINT_REVIEW },
	{ COMPLAINT_ACT_DECIDE_REVIEW, 1u << COMPLAINT_REVIEW, COMPLAINT_REVIEW_DECIDED },
	{ COMPLAINT_ACT_MEDIATE, (1u << COMPLAINT_NOTIFIED) | (1u << COMPLAINT_REVIEW_DECIDED),
	  COMPLAINT_MEDIATION },
	{ COMPLAINT_ACT_MEDIATION_END, 1u << COMPLAINT_MEDIATION, -1 },
	{ COMPLAINT_ACT_CLOSE, (1u << COMPLAINT_NOTIFIED) | (1u << COMPLAINT_REVIEW_DECIDED) |
	  (1u << COMPLAINT_MEDIATED) | (1u << COMPLAINT_MEDIATION_FAILED), COMPLAINT_CLOSED },
	{ COMPLAINT_ACT_NEW_FACTS, (1u << COMPLAINT_NOTIFIED) | (1u << COMPLAINT_CLOSED),
	  COMPLAINT_INVESTIGATING },
	{ COMPLAINT_ACT_WITHDRAW, ALL_OPEN, COMPLAINT_WITHDRAWN },
	{ COMPLAINT_ACT_MERGE, ALL_OPEN, COMPLAINT_MERGED },
};
const size_t complaint_n_transitions = ARRAY_LEN(complaint_transitions);
_Static_assert(ARRAY_LEN(complaint_transitions) == COMPLAINT_ACTION_COUNT,
    "one row per action, in action order");

uint32_t
complaint_actions_from(enum complaint_state s)
{
	uint32_t m = 0;
	for (size_t i = 0; i < complaint_n_transitions; i++)
		if (complaint_transitions[i].from & (1u << s))
			m |= 1u << complaint_transitions[i].action;
	return m;
}

/* Back from a pause or the customer's answer: to where the extension level says. */
static enum complaint_state
working_state(const struct complaint *c)
{
	return c->extension_level >= 2 ? COMPLAINT_EXTENDED_60 :
	    c->extension_level == 1 ? COMPLAINT_EXTENDED_30 : COMPLAINT_INVESTIGATING;
}

static int
need(const struct complaint *c, enum complaint_field f, int why, int *field)
{
	bool unset = is_str(f) ? empty(c, f) : complaint_field_int(c, f) == 0;
	if (unset && field != NULL)
		*field = f;
	return unset ? why : COMPLAINT_OK;
}

#define NEED(f, why)                                                    \
	do {                                                            \
		int e_ = need(c, CF_##f, COMPLAINT_##why, field);       \
		if (e_ != COMPLAINT_OK)                                 \
			return e_;                                      \
	} while (0)

int
complaint_can(const struct complaint *c, enum complaint_action a,
    const struct complaint_data *d, int64_t now_ms, int *field)
{
	struct complaint_policy def;
	const struct complaint_policy *p = policy_of(d, &def);
	int e;

	if ((unsigned)a >= COMPLAINT_ACTION_COUNT || (unsigned)c->state >= COMPLAINT_STATE_COUNT)
		return COMPLAINT_W_STATE;
	if (!(complaint_transitions[a].from & (1u << c->state)))
		return COMPLAINT_W_STATE;
	switch (a) {
	case COMPLAINT_ACT_REJECT:
		NEED(reject_reason, W_REJECT_REASON);
		return COMPLAINT_OK;
	case COMPLAINT_ACT_WITHDRAW:
		return COMPLAINT_OK;
	case COMPLAINT_ACT_MERGE:
		NEED(merged_into, W_MERGE_TARGET);
		if ((e = check_form(c, CF_merged_into, d, now_ms)) != COMPLAINT_OK) {
			if (field != NULL)
				*field = CF_merged_into;
			return e;
		}
		return COMPLAINT_OK;
	default:
		break;
	}
	/* Every other action needs a record that is valid for registration. */
	if ((e = complaint_check(c, d, now_ms, true, field)) != COMPLAINT_OK)
		return e;
	switch (a) {
	case COMPLAINT_ACT_INVESTIGATE:
		NEED(handler, W_HANDLER);
		NEED(conflict_checked, W_CONFLICT);
		break;
	case COMPLAINT_ACT_PAUSE:
		NEED(pause_reason, W_PAUSE_REASON);
		NEED(pause_notified_at, W_PAUSE_NOTICE);
		if (c->n_pauses >= COMPLAINT_PAUSES_MAX)
			return COMPLAINT_W_STATE;
		break;
	case COMPLAINT_ACT_EXTEND:
		if (c->complexity == COMPLAINT_COMPLEXITY_SIMPLE) {
			if (field != NULL)
				*field = CF_complexity;
			return COMPLAINT_W_NOT_COMPLEX;
		}
		NEED(extension_reason, W_EXTENSION_REASON);
		break;
	case COMPLAINT_ACT_EXTEND_SPECIAL:
		if (c->complexity != COMPLAINT_COMPLEXITY_SPECIAL) {
			if (field != NULL)
				*field = CF_complexity;
			return COMPLAINT_W_NOT_SPECIAL;
		}
		NEED(extension_reason, W_EXTENSION_REASON);
		NEED(extension_approver, W_EXTENSION_APPROVER);
		NEED(extension_notified_at, W_EXTENSION_NOTICE);
		break;
	case COMPLAINT_ACT_DECIDE:
		NEED(outcome, W_OUTCOME);
		break;
	case COMPLAINT_ACT_NOTIFY:
		NEED(decision_facts, W_DECISION_CONTENT);
		NEED(decision_basis, W_DECISION_CONTENT);
		NEED(decision_remedies, W_DECISION_CONTENT);
		NEED(notify_method, W_NOTIFY_METHOD);
		break;
	case COMPLAINT_ACT_REQUEST_REVIEW:
		NEED(review_requested_at, W_REVIEW_DATE);
		if (c->review_requested_at < c->notified_at) {
			if (field != NULL)
				*field = CF_review_requested_at;
			return COMPLAINT_W_REVIEW_DATE;
		}
		if (c->review_requested_at >= days_after(c->notified_at, p->review_window_days)) {
			if (field != NULL)
				*field = CF_review_requested_at;
			return COMPLAINT_W_REVIEW_WINDOW;
		}
		break;
	case COMPLAINT_ACT_DECIDE_REVIEW:
		NEED(review_result, W_REVIEW_RESULT);
		break;
	case COMPLAINT_ACT_MEDIATE:
		NEED(mediation_org, W_MEDIATION_ORG);
		break;
	case COMPLAINT_ACT_MEDIATION_END:
		NEED(mediation_result, W_MEDIATION_RESULT);
		break;
	case COMPLAINT_ACT_CLOSE:
		if (c->state == COMPLAINT_NOTIFIED && !c->accepted &&
		    now_ms < days_after(c->notified_at, p->review_window_days)) {
			if (field != NULL)
				*field = CF_accepted;
			return COMPLAINT_W_NOT_ACCEPTED;
		}
		if (c->accepted)
			NEED(satisfaction, W_SATISFACTION);
		break;
	case COMPLAINT_ACT_NEW_FACTS: {
		NEED(new_facts_at, W_NEW_FACTS);
		int64_t after = c->notified_at != 0 ? c->notified_at : c->received_at;
		if (c->new_facts_at < after || c->new_facts_at > now_ms + FUTURE_SLACK_MS) {
			if (field != NULL)
				*field = CF_new_facts_at;
			return COMPLAINT_W_NEW_FACTS;
		}
		break;
	}
	default:
		break;
	}
	return COMPLAINT_OK;
}

int
complaint_apply(struct complaint *c, enum complaint_action a, const struct complaint_data *d,
    int64_t now_ms, int *field)
{
	int e = complaint_can(c, a, d, now_ms, field);
	if (e != COMPLAINT_OK)
		return e;
	int to = complaint_transitions[a].to;

	switch (a) {
	case COMPLAINT_ACT_ACK:
		c->ack_at = now_ms;
		c->last_contact_at = now_ms;
		break;
	case COMPLAINT_ACT_PAUSE: {
		c->pauses = xreallocarray(c->pauses, c->n_pauses + 1, sizeof *c->pauses);
		struct complaint_pause *p = &c->pauses[c->n_pauses++];
		p->reason = c->pause_reason;
		p->start = now_ms;
		p->end = 0;
		p->notified_at = c->pause_notified_at;
		break;
	}
	case COMPLAINT_ACT_RESUME:
		if (c->n_pauses > 0 && c->pauses[c->n_pauses - 1].end == 0)
			c->pauses[c->n_pauses - 1].end = now_ms;
		c->pause_reason = COMPLAINT_PAUSE_NONE;
		c->pause_notified_at = 0;
		to = working_state(c);
		break;
	case COMPLAINT_ACT_REPLIED:
		c->last_contact_at = now_ms;
		to = working_state(c);
		break;
	case COMPLAINT_ACT_EXTEND:
		c->extension_level = 1;
		break;
	case COMPLAINT_ACT_EXTEND_SPECIAL:
		c->extension_level = 2;
		break;
	case COMPLAINT_ACT_DECIDE:
		c->decision_at = now_ms;
		break;
	case COMPLAINT_ACT_NOTIFY:
		c->notified_at = now_ms;
		c->last_contact_at = now_ms;
		break;
	case COMPLAINT_ACT_DECIDE_REVIEW:
		c->review_decided_at = now_ms;
		break;
	case COMPLAINT_ACT_MEDIATE:
		c->mediation_applied_at = now_ms;
		break;
	case COMPLAINT_ACT_MEDIATION_END:
		to = c->mediation_result == COMPLAINT_MEDRES_AGREEMENT ? COMPLAINT_MEDIATED :
		    COMPLAINT_MEDIATION_FAILED;
		break;
	case COMPLAINT_ACT_NEW_FACTS:
		/* The legal clock starts again at the receipt of the new material; the
		 * decision and its notice are made afresh (the old ones stay in the history). */
		c->clock_start = c->new_facts_at;
		c->extension_level = 0;
		c->outcome = COMPLAINT_OUTCOME_NONE;
		c->decision_at = 0;
		c->notified_at = 0;
		c->notify_method = COMPLAINT_NOTIFY_NONE;
		c->accepted = 0;
		c->closed_at = 0;
		c->last_contact_at = now_ms;
		break;
	case COMPLAINT_ACT_CLOSE:
	case COMPLAINT_ACT_WITHDRAW:
	case COMPLAINT_ACT_MERGE:
	case COMPLAINT_ACT_REJECT:
		c->closed_at = now_ms;
		break;
	default:
		break;
	}
	c->state = to;
	return COMPLAINT_OK;
}

/* ---- serialisation ------------------------------------------------------------------ */

struct buf {
	char *s;
	size_t len, cap;
};

static void
buf_add(struct buf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		b->cap = (b->len + n + 1) * 2;
		b->s = xrealloc(b->s, b->cap);
	}
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

static void
buf_str(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

static void
buf_escaped(struct buf *b, const char *s)
{
	for (; *s != '\0'; s++) {
		if (*s == '\\')
			buf_add(b, "\\\\", 2);
		else if (*s == '\n')
			buf_add(b, "\\n", 2);
		else if (*s == '\r')
			buf_add(b, "\\r", 2);
		else
			buf_add(b, s, 1);
	}
}

char *
complaint_encode(const struct complaint *c)
{
	struct buf b = { 0 };
	char num[32];

	buf_str(&b, "");
	for (int f = 0; f < COMPLAINT_FIELD_COUNT; f++) {
		const struct complaint_field_info *fd = &field_defs[f].info;
		if (is_str(f)) {
			if (empty(c, f))
				continue;
			buf_str(&b, fd->name);
			buf_str(&b, "=");
			buf_escaped(&b, complaint_field_str(c, f));
		} else {
			int64_t v = complaint_field_int(c, f);
			if (v == 0)
				continue;
			buf_str(&b, fd->name);
			buf_str(&b, "=");
			if (fd->type == CFT_ENUM && v > 0 && (size_t)v < fd->n_names)
				buf_str(&b, fd->names[v]);
			else {
				snprintf(num, sizeof num, "%lld", (long long)v);
				buf_str(&b, num);
			}
		}
		buf_str(&b, "\n");
	}
	for (size_t i = 0; i < c->n_pauses; i++) {
		const struct complaint_pause *p = &c->pauses[i];
		char line[160];
		snprintf(line, sizeof line, "pause=%s,%lld,%lld,%lld\n",
		    name_of(pause_names, COMPLAINT_PAUSE_COUNT, (int)p->reason),
		    (long long)p->start, (long long)p->end, (long long)p->notified_at);
		buf_str(&b, line);
	}
	return b.s;
}

static int
decode_pause(struct complaint *c, const char *v)
{
	char reason[32];
	long long s, e, n;
	int used = 0;
	if (c->n_pauses >= COMPLAINT_PAUSES_MAX ||
	    sscanf(v, "%31[a-z],%lld,%lld,%lld%n", reason, &s, &e, &n, &used) != 4 ||
	    v[used] != '\0')
		return -1;
	int r = index_of(pause_names, COMPLAINT_PAUSE_COUNT, reason);
	if (r <= 0)
		return -1;
	c->pauses = xreallocarray(c->pauses, c->n_pauses + 1, sizeof *c->pauses);
	c->pauses[c->n_pauses++] = (struct complaint_pause){ r, s, e, n };
	return 0;
}

static int
decode_line(struct complaint *c, char *line)
{
	char *eq = strchr(line, '=');
	if (eq == NULL)
		return -1;
	*eq = '\0';
	char *v = eq + 1;
	/* unescape in place */
	char *w = v;
	for (char *r = v; *r != '\0'; r++) {
		if (*r != '\\') {
			*w++ = *r;
			continue;
		}
		r++;
		if (*r == 'n')
			*w++ = '\n';
		else if (*r == 'r')
			*w++ = '\r';
		else if (*r == '\\')
			*w++ = '\\';
		else
			return -1;
	}
	*w = '\0';
	if (strcmp(line, "pause") == 0)
		return decode_pause(c, v);
	int f = complaint_field_by_name(line);
	if (f < 0)
		return -1;
	const struct complaint_field_info *fd = &field_defs[f].info;
	if (is_str(f)) {
		complaint_field_set_str(c, f, v);
		return 0;
	}
	int64_t n;
	if (fd->type == CFT_ENUM) {
		int e = enum_from(fd, v);
		if (e < 0)
			return -1;
		n = e;
	} else if (parse_int(v, &n) != 0)
		return -1;
	complaint_field_set_int(c, f, n);
	return 0;
}

struct complaint *
complaint_decode(const char *text)
{
	struct complaint *c = xcalloc(1, sizeof *c);
	char *copy = xstrdup(text), *p = copy;
	while (*p != '\0') {
		char *nl = strchr(p, '\n');
		if (nl != NULL)
			*nl = '\0';
		if (*p != '\0' && decode_line(c, p) != 0) {
			free(copy);
			complaint_free(c);
			return NULL;
		}
		if (nl == NULL)
			break;
		p = nl + 1;
	}
	free(copy);
	return c;
}

/* ---- who may change what ------------------------------------------------------------ */

static const char *const role_names[] = {
#define X(e, s) s,
	COMPLAINT_ROLES(X)
#undef X
};
_Static_assert(ARRAY_LEN(role_names) == COMPLAINT_ROLE_COUNT, "role table");

const char *
complaint_role_name(enum complaint_role r)
{
	return (unsigned)r < COMPLAINT_ROLE_COUNT ? role_names[r] : "?";
}

static const char *
str_or_empty(const struct complaint *c, enum complaint_field f)
{
	return c != NULL ? complaint_field_str(c, f) : "";
}

static bool
str_changed(const struct complaint *old, const struct complaint *c, enum complaint_field f)
{
	return strcmp(str_or_empty(old, f), complaint_field_str(c, f)) != 0;
}

static int64_t
int_or_zero(const struct complaint *c, enum complaint_field f)
{
	return c != NULL ? complaint_field_int(c, f) : 0;
}

static bool
extension_changed(const struct complaint *old, const struct complaint *c)
{
	return c->extension_level > int_or_zero(old, CF_extension_level) ||
	    str_changed(old, c, CF_extension_approver);
}

static bool
goodwill_changed(const struct complaint *old, const struct complaint *c)
{
	return c->goodwill != int_or_zero(old, CF_goodwill) ||
	    str_changed(old, c, CF_goodwill_approver) || str_changed(old, c, CF_goodwill_role);
}

enum complaint_role
complaint_needs_role(const struct complaint *old, const struct complaint *c,
    const struct complaint_data *d, struct complaint_need *need)
{
	struct complaint_need n = { COMPLAINT_ROLE_AGENT, -1, 0 };
	int64_t lim = complaint_data_limit(d, complaint_role_name(COMPLAINT_ROLE_AGENT));

	if (lim < 0)
		lim = 0;
	if (c->extension_level > int_or_zero(old, CF_extension_level))
		n = (struct complaint_need){ COMPLAINT_ROLE_SUPERVISOR, CF_extension_level, 0 };
	else if (str_changed(old, c, CF_extension_approver))
		n = (struct complaint_need){ COMPLAINT_ROLE_SUPERVISOR, CF_extension_approver, 0 };
	else if (c->goodwill > lim && goodwill_changed(old, c))
		n = (struct complaint_need){ COMPLAINT_ROLE_SUPERVISOR, CF_goodwill, lim };
	if (need != NULL)
		*need = n;
	return n.role;
}

int
complaint_may_change(const struct complaint *old, const struct complaint *c,
    const struct complaint_data *d, enum complaint_role role, const char *user,
    struct complaint_need *need)
{
	struct complaint_need n = { COMPLAINT_ROLE_AGENT, -1, 0 }, dummy;
	int e = COMPLAINT_OK;

	if (need == NULL)
		need = &dummy;
	if ((n.field = complaint_masked_field(old, c)) >= 0) {
		e = COMPLAINT_E_MASKED;
	} else if (complaint_needs_role(old, c, d, &n) > role) {
		e = COMPLAINT_E_NEEDS_SUPERVISOR;
	} else if (extension_changed(old, c) &&
	    strcmp(complaint_field_str(c, CF_extension_approver), user) != 0) {
		n = (struct complaint_need){ role, CF_extension_approver, 0 };
		e = COMPLAINT_E_APPROVER_SENDER;
	} else if (c->goodwill > 0 && goodwill_changed(old, c)) {
		if (strcmp(complaint_field_str(c, CF_goodwill_approver), user) != 0) {
			n = (struct complaint_need){ role, CF_goodwill_approver, 0 };
			e = COMPLAINT_E_APPROVER_SENDER;
		} else if (strcmp(complaint_field_str(c, CF_goodwill_role),
		    complaint_role_name(role)) != 0) {
			n = (struct complaint_need){ role, CF_goodwill_role, 0 };
			e = COMPLAINT_E_APPROVER_ROLE;
		}
	}
	if (e == COMPLAINT_OK)
		n.field = -1;
	*need = n;
	return e;
}

/* ---- masking for subscribers -------------------------------------------------------- */

bool
complaint_field_masked(enum complaint_field f)
{
	if ((unsigned)f >= COMPLAINT_FIELD_COUNT)
		return false;
	switch (f) {
	case CF_name:
	case CF_agent_name:
	case CF_representatives:
	case CF_phone:
	case CF_agent_phone:
	case CF_id_no:
	case CF_agent_id_no:
	case CF_address:
		return true;
	default:
		return field_defs[f].info.type == CFT_LONG;
	}
}

#define MASK_ID_KEEP 4  /* the last characters of an ID number the stream shows */

char *
complaint_mask_value(const struct complaint *c, enum complaint_field f)
{
	if (!is_str(f) || !complaint_field_masked(f))
		return complaint_field_get(c, f);
	const char *s = complaint_field_str(c, f);
	size_t n = strlen(s);
	char *out;

	if (n == 0)
		return xstrdup("");
	switch (f) {
	case CF_name:
	case CF_agent_name:
		out = xmalloc(n + 2);
		ticket_mask_name(s, out, n + 2);
		return out;
	case CF_phone:
	case CF_agent_phone:
		if (strchr(s, '*') != NULL) /* masked already: as it is */
			return xstrdup(s);
		out = xmalloc(n + 1);
		ticket_mask_phone(s, out, n + 1);
		return out;
	case CF_id_no:
	case CF_agent_id_no:
		out = xstrdup(s);
		for (size_t i = 0; i + MASK_ID_KEEP < n; i++)
			out[i] = '*';
		if (n <= MASK_ID_KEEP)
			memset(out, '*', n);
		return out;
	default:
		return xstrdup("***");
	}
}

struct complaint *
complaint_masked(const struct complaint *c)
{
	struct complaint *m = complaint_copy(c);
	for (int f = 0; f < COMPLAINT_FIELD_COUNT; f++) {
		if (!complaint_field_masked(f) || !is_str(f))
			continue;
		char *v = complaint_mask_value(c, f);
		complaint_field_set_str(m, f, v);
		free(v);
	}
	return m;
}

int
complaint_masked_field(const struct complaint *old, const struct complaint *c)
{
	if (old == NULL)
		return -1;
	for (int f = 0; f < COMPLAINT_FIELD_COUNT; f++) {
		if (!complaint_field_masked(f) || !is_str(f))
			continue;
		const char *was = complaint_field_str(old, f), *now = complaint_field_str(c, f);
		if (*was == '\0' || strcmp(was, now) == 0)
			continue;
		char *m = complaint_mask_value(old, f);
		bool hit = strcmp(m, now) == 0;
		free(m);
		if (hit)
			return f;
	}
	return -1;
}
