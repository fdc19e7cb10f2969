/* data.c: load and validate the reference data under data/ (format: data/README.md).
 *
 * The only file that includes ini.h. libinih calls a handler for each key = value, but not
 * for section headers, and not with line numbers (Debian builds it without
 * INI_HANDLER_LINENO and INI_CALL_HANDLER_ON_NEW_SECTION). So we feed it lines through our
 * own reader (ini_parse_stream): the reader counts lines, strips leading whitespace (which
 * also disables inih's continuation lines) and notices every "[...]" header. The handler
 * then knows the line of each key, and that a new section has begun even when the header
 * repeats the previous name ([landmark] after [landmark]). */
#include "data.h"

#include <dirent.h>
#include <errno.h>
#include <locale.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <ini.h>

#include "civil.h"
#include "complaint.h"
#include "util.h"

#ifndef RD_DATADIR
#define RD_DATADIR "/usr/local/share/rescuedesk"
#endif

#define SUM_TOLERANCE 1.0       /* shares must sum to 100 within this */
#define FLEET_MAX 1000

enum ftype {
	FT_INT,         /* int, range-checked */
	FT_DOUBLE,      /* double, finite, range-checked */
	FT_FLAG,        /* int, 0 or 1 */
	FT_ID,          /* char[size]: a-z 0-9 _ - */
	FT_NAME,        /* char[size]: non-empty UTF-8 */
	FT_CLASS,       /* enum data_region_class */
	FT_KINDS,       /* uint32_t mask of truck kinds, from a comma list */
	FT_KIND,        /* int: one truck kind or "none" (-1) */
};

struct field {
	const char *key;
	enum ftype type;
	size_t off;
	size_t size;
	double min, max;
	int required;
};

enum file_kind { FILE_FAULTS, FILE_SLA, FILE_DEMAND, FILE_REGION, FILE_DISPATCH };
enum sect_kind {
	SECT_FAULT, SECT_SLA, SECT_HOURS, SECT_REGION, SECT_LANDMARK, SECT_SUPPLIER, SECT_DISPATCH
};

#define FLD(t, k, ty, mn, mx, req) \
	{ #k, ty, offsetof(t, k), sizeof(((t *)0)->k), mn, mx, req }

static const struct field fault_fields[] = {
	FLD(struct data_fault, share, FT_DOUBLE, 0, 100, 1),
	FLD(struct data_fault, kinds, FT_KINDS, 0, 0, 1),
	FLD(struct data_fault, prefer, FT_KIND, 0, 0, 0),
	FLD(struct data_fault, onscene_min, FT_INT, 1, 600, 1),
	FLD(struct data_fault, tow, FT_FLAG, 0, 1, 1),
	FLD(struct data_fault, phone_fix_rate, FT_DOUBLE, 0, 1, 0),
	FLD(struct data_fault, flow, FT_ID, 0, 0, 0),
};

static const struct field sla_fields[] = {
	FLD(struct data_sla, not_accepted_s, FT_INT, 1, 86400, 1),
	FLD(struct data_sla, gps_stale_s, FT_INT, 1, 86400, 1),
	FLD(struct data_sla, stalled_s, FT_INT, 1, 86400, 1),
	FLD(struct data_sla, late_margin_s, FT_INT, 1, 86400, 1),
	FLD(struct data_sla, window_pct, FT_INT, 1, 100, 1),
	FLD(struct data_sla, diag_hold_s, FT_INT, 0, 86400, 0),
	FLD(struct data_sla, waiting_agent_s, FT_INT, 1, 86400, 0),
	FLD(struct data_sla, deviation_fixes, FT_INT, 2, 7, 0),
	FLD(struct data_sla, deviation_s, FT_INT, 1, 86400, 0),
	FLD(struct data_sla, onscene_overrun_pct, FT_INT, 100, 1000, 0),
	FLD(struct data_sla, callback_clear_s, FT_INT, 1, 86400, 0),
	FLD(struct data_sla, capacity_s, FT_INT, 1, 86400, 0),
	FLD(struct data_sla, escalate_after_s, FT_INT, 1, 86400, 0),
	FLD(struct data_sla, owner_lease_s, FT_INT, 1, 86400, 0),
};

#define HOUR(k, n) { k, FT_DOUBLE, (n) * sizeof(double), sizeof(double), 0, 100, 1 }
static const struct field dispatch_fields[] = {
	FLD(struct data_dispatch, shortlist, FT_INT, 1, 1024, 0),
	FLD(struct data_dispatch, widen_max, FT_INT, 1, 1024, 0),
	FLD(struct data_dispatch, max_km, FT_DOUBLE, 1, 20000, 0),
	FLD(struct data_dispatch, max_age_factor, FT_INT, 1, 1000, 0),
	FLD(struct data_dispatch, pref_s, FT_DOUBLE, 0, 86400, 0),
	FLD(struct data_dispatch, pref_load_s, FT_DOUBLE, 0, 86400, 0),
	FLD(struct data_dispatch, quality_s, FT_DOUBLE, 0, 86400, 0),
	FLD(struct data_dispatch, quality_unknown, FT_DOUBLE, 0, 1, 0),
	FLD(struct data_dispatch, load_s, FT_DOUBLE, 0, 86400, 0),
	FLD(struct data_dispatch, rot_offer_s, FT_DOUBLE, 0, 86400, 0),
	FLD(struct data_dispatch, rot_offer_cap, FT_INT, 0, 1000, 0),
	FLD(struct data_dispatch, rot_recent_s, FT_DOUBLE, 0, 86400, 0),
	FLD(struct data_dispatch, rot_recent_min, FT_INT, 0, 1440, 0),
	FLD(struct data_dispatch, rot_supplier_s, FT_DOUBLE, 0, 86400, 0),
	FLD(struct data_dispatch, rot_supplier_cap, FT_DOUBLE, 0, 1000, 0),
	FLD(struct data_dispatch, stale_s, FT_DOUBLE, 0, 86400, 0),
	FLD(struct data_dispatch, stale_after_s, FT_INT, 0, 86400, 0),
	FLD(struct data_dispatch, busy_s, FT_DOUBLE, 0, 86400, 0),
	FLD(struct data_dispatch, busy_factor, FT_DOUBLE, 0, 10, 0),
	FLD(struct data_dispatch, tow_leg_km, FT_DOUBLE, 0, 1000, 0),
	FLD(struct data_dispatch, job_min_s, FT_INT, 0, 86400, 0),
	FLD(struct data_dispatch, redispatch_gain_s, FT_INT, 0, 86400, 0),
	FLD(struct data_dispatch, chain_s, FT_INT, 0, 86400, 0),
};
_Static_assert(ARRAY_LEN(dispatch_fields) <= 32, "struct parser's seen has 32 bits");

void
data_dispatch_default(struct data_dispatch *w)
{
	*w = (struct data_dispatch){
		.shortlist = 12, .widen_max = 256, .max_km = 300, .max_age_factor = 10,
		.pref_s = 600, .pref_load_s = 0, .quality_s = 600, .quality_unknown = 0.8, .load_s = 300,
		.rot_offer_s = 20, .rot_offer_cap = 10, .rot_recent_s = 60, .rot_recent_min = 30,
		.rot_supplier_s = 60, .rot_supplier_cap = 5, .stale_s = 60, .stale_after_s = 0,
		.busy_s = 0, .busy_factor = 1, .tow_leg_km = 10, .job_min_s = 120,
		.redispatch_gain_s = 600, .chain_s = 0,
	};
}

static const struct field hour_fields[] = {
	HOUR("h00", 0), HOUR("h01", 1), HOUR("h02", 2), HOUR("h03", 3),
	HOUR("h04", 4), HOUR("h05", 5), HOUR("h06", 6), HOUR("h07", 7),
	HOUR("h08", 8), HOUR("h09", 9), HOUR("h10", 10), HOUR("h11", 11),
	HOUR("h12", 12), HOUR("h13", 13), HOUR("h14", 14), HOUR("h15", 15),
	HOUR("h16", 16), HOUR("h17", 17), HOUR("h18", 18), HOUR("h19", 19),
	HOUR("h20", 20), HOUR("h21", 21), HOUR("h22", 22), HOUR("h23", 23),
};
#undef HOUR

static const struct field region_fields[] = {
	FLD(struct data_region, id, FT_ID, 0, 0, 1),
	FLD(struct data_region, name, FT_NAME, 0, 0, 1),
	FLD(struct data_region, name_zh, FT_NAME, 0, 0, 1),
	{ "class", FT_CLASS, offsetof(struct data_region, klass),
	    sizeof(enum data_region_class), 0, 0, 1 },
	FLD(struct data_region, lat, FT_DOUBLE, -90, 90, 1),
	FLD(struct data_region, lon, FT_DOUBLE, -180, 180, 1),
	FLD(struct data_region, radius_km, FT_DOUBLE, 0.1, 2000, 1),
	FLD(struct data_region, detour, FT_DOUBLE, 1, 5, 1),
	FLD(struct data_region, speed_peak_kmh, FT_DOUBLE, 1, 200, 1),
	FLD(struct data_region, speed_kmh, FT_DOUBLE, 1, 200, 1),
	FLD(struct data_region, speed_expressway_kmh, FT_DOUBLE, 1, 200, 1),
	FLD(struct data_region, promise_min, FT_INT, 1, 1440, 1),
	FLD(struct data_region, promise_expressway_min, FT_INT, 1, 1440, 1),
	FLD(struct data_region, calls_per_day, FT_DOUBLE, 0, 1e6, 1),
	FLD(struct data_region, expressway_share, FT_DOUBLE, 0, 1, 1),
	FLD(struct data_region, auto_dispatch, FT_FLAG, 0, 1, 1),
	FLD(struct data_region, tell_on_slip, FT_FLAG, 0, 1, 0),
};

static const struct field landmark_fields[] = {
	FLD(struct data_landmark, name, FT_NAME, 0, 0, 1),
	FLD(struct data_landmark, lat, FT_DOUBLE, -90, 90, 1),
	FLD(struct data_landmark, lon, FT_DOUBLE, -180, 180, 1),
	FLD(struct data_landmark, expressway, FT_FLAG, 0, 1, 0),
};

/* The fleet keys (one per truck kind) are handled apart, through truck_kind_parse. */
static const struct field supplier_fields[] = {
	FLD(struct data_supplier, id, FT_ID, 0, 0, 1),
	FLD(struct data_supplier, name, FT_NAME, 0, 0, 1),
	FLD(struct data_supplier, lat, FT_DOUBLE, -90, 90, 1),
	FLD(struct data_supplier, lon, FT_DOUBLE, -180, 180, 1),
	FLD(struct data_supplier, offer_timeout_s, FT_INT, 1, 3600, 1),
	FLD(struct data_supplier, quality, FT_DOUBLE, 0, 1, 1),
	FLD(struct data_supplier, accept_rate, FT_DOUBLE, 0, 1, 1),
};
#undef FLD

static const char *const class_names[DATA_REGION_CLASS_COUNT] = {
	[REGION_CITY] = "city",
	[REGION_COUNTY] = "county",
	[REGION_RURAL] = "rural",
};

/* One file being parsed. */
struct parser {
	const char *path;
	FILE *f;
	enum file_kind file;
	struct data *d;
	struct data_region *region;     /* FILE_REGION: the region being filled */

	int lineno;                     /* line the reader returned last */
	int header_seq;                 /* headers seen by the reader */
	int header_line;                /* line of the last header */
	int cur_seq;                    /* header_seq of the section being filled */

	/* The section being filled. */
	enum sect_kind sect;
	char sect_name[64];
	int sect_line;
	const struct field *fields;
	size_t n_fields;
	void *target;
	uint32_t seen;                  /* bit i: fields[i] was set */
	uint32_t fleet_seen;            /* bit k: fleet key of truck kind k was set */

	int fault_line[FAULT_COUNT];    /* header line of each fault; 0: not seen */
	int sla_line, hours_line, region_line, dispatch_line;
	int *landmark_line;             /* header line of each landmark */
	int *supplier_line;

	char *cause;
	int fail_at;                    /* p->lineno when the cause was set */
};

/* The first error of a data file, as "path:line: msg" ("path: msg" for line 0), the
 * message cut to size - 1 bytes (size at most 512); a later one leaves *cause as it is.
 * Both parsers below (struct parser, struct cd_parser) report through it. */
static void
cause_set(char **cause, const char *path, int line, size_t size, const char *fmt, va_list ap)
{
	char msg[512];

	if (*cause != NULL)
		return;
	vsnprintf(msg, size < sizeof msg ? size : sizeof msg, fmt, ap);
	if (line > 0)
		xasprintf(cause, "%s:%d: %s", path, line, msg);
	else
		xasprintf(cause, "%s: %s", path, msg);
}

static void fail(struct parser *, int, const char *, ...) RD_PRINTF(3, 4);

static void
fail(struct parser *p, int line, const char *fmt, ...)
{
	va_list ap;

	if (p->cause != NULL)
		return;
	va_start(ap, fmt);
	cause_set(&p->cause, p->path, line, 512, fmt, ap);
	va_end(ap);
	p->fail_at = p->lineno;
}

static char *
join(const char *dir, const char *name)
{
	char *out;
	size_t n = strlen(dir);

	if (n > 0 && dir[n - 1] == '/')
		xasprintf(&out, "%s%s", dir, name);
	else
		xasprintf(&out, "%s/%s", dir, name);
	return out;
}

static int
utf8_valid(const char *s)
{
	const unsigned char *u = (const unsigned char *)s;

	while (*u != '\0') {
		unsigned int c = *u;
		size_t n, i;
		uint32_t cp;

		if (c < 0x80) {
			u++;
			continue;
		} else if ((c & 0xe0) == 0xc0) {
			n = 1;
			cp = c & 0x1f;
		} else if ((c & 0xf0) == 0xe0) {
			n = 2;
			cp = c & 0x0f;
		} else if ((c & 0xf8) == 0xf0) {
			n = 3;
			cp = c & 0x07;
		} else
			return 0;
		for (i = 1; i <= n; i++) {
			if ((u[i] & 0xc0) != 0x80)
				return 0;
			cp = (cp << 6) | (u[i] & 0x3f);
		}
		if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) ||
		    (n == 3 && cp < 0x10000) || cp > 0x10ffff ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			return 0;
		u += n + 1;
	}
	return 1;
}

static int
parse_double(const char *s, double *out)
{
	char *end;
	double v;

	if (*s == '\0')
		return -1;
	v = strtod(s, &end);
	if (*end != '\0' || !isfinite(v))
		return -1;
	*out = v;
	return 0;
}

static int
parse_int(const char *s, long *out)
{
	char *end;
	long v;

	if (*s == '\0')
		return -1;
	v = strtol(s, &end, 10);
	if (*end != '\0')
		return -1;
	*out = v;
	return 0;
}

/* Parse a comma list of truck kinds into *mask. */
static int
parse_kinds(struct parser *p, const char *key, const char *value, uint32_t *mask)
{
	char buf[256], *tok, *save;

	*mask = 0;
	if (strlen(value) >= sizeof buf) {
		fail(p, p->lineno, "[%s] %s: too long", p->sect_name, key);
		return -1;
	}
	rd_strlcpy(buf, value, sizeof buf);
	for (tok = strtok_r(buf, ",", &save); tok != NULL; tok = strtok_r(NULL, ",", &save)) {
		char *end;
		int k;

		while (*tok == ' ' || *tok == '\t')
			tok++;
		end = tok + strlen(tok);
		while (end > tok && (end[-1] == ' ' || end[-1] == '\t'))
			*--end = '\0';
		if (*tok == '\0')
			continue;
		if ((k = truck_kind_parse(tok)) < 0) {
			fail(p, p->lineno, "[%s] %s: unknown kind '%s'", p->sect_name, key, tok);
			return -1;
		}
		if (*mask & (1u << k)) {
			fail(p, p->lineno, "[%s] %s: kind '%s' listed twice", p->sect_name,
			    key, tok);
			return -1;
		}
		*mask |= 1u << k;
	}
	if (*mask == 0) {
		fail(p, p->lineno, "[%s] %s: no truck kind given", p->sect_name, key);
		return -1;
	}
	return 0;
}

/* Store value into field fl of the current section's target. */
static int
set_field(struct parser *p, const struct field *fl, const char *value)
{
	char *dst = (char *)p->target + fl->off;
	const char *sn = p->sect_name, *key = fl->key;
	int line = p->lineno;
	double dv;
	long lv;
	size_t i;

	switch (fl->type) {
	case FT_INT:
		if (parse_int(value, &lv) != 0) {
			fail(p, line, "[%s] %s: not an integer: '%s'", sn, key, value);
			return -1;
		}
		if (lv < fl->min || lv > fl->max) {
			fail(p, line, "[%s] %s: %ld is out of range [%g, %g]", sn, key, lv,
			    fl->min, fl->max);
			return -1;
		}
		*(int *)(void *)dst = (int)lv;
		return 0;
	case FT_DOUBLE:
		if (parse_double(value, &dv) != 0) {
			fail(p, line, "[%s] %s: not a number: '%s'", sn, key, value);
			return -1;
		}
		if (dv < fl->min || dv > fl->max) {
			fail(p, line, "[%s] %s: %g is out of range [%g, %g]", sn, key, dv,
			    fl->min, fl->max);
			return -1;
		}
		*(double *)(void *)dst = dv;
		return 0;
	case FT_FLAG:
		if (strcmp(value, "0") != 0 && strcmp(value, "1") != 0) {
			fail(p, line, "[%s] %s: must be 0 or 1, not '%s'", sn, key, value);
			return -1;
		}
		*(int *)(void *)dst = value[0] - '0';
		return 0;
	case FT_ID:
		if (*value == '\0') {
			fail(p, line, "[%s] %s: empty", sn, key);
			return -1;
		}
		if (strlen(value) >= fl->size) {
			fail(p, line, "[%s] %s: longer than %zu bytes", sn, key, fl->size - 1);
			return -1;
		}
		if (strspn(value, "abcdefghijklmnopqrstuvwxyz0123456789_-") != strlen(value)) {
			fail(p, line, "[%s] %s: '%s' is not a valid id (use a-z, 0-9, _ and -)",
			    sn, key, value);
			return -1;
		}
		rd_strlcpy(dst, value, fl->size);
		return 0;
	case FT_NAME:
		if (*value == '\0') {
			fail(p, line, "[%s] %s: empty", sn, key);
			return -1;
		}
		if (strlen(value) >= fl->size) {
			fail(p, line, "[%s] %s: longer than %zu bytes", sn, key, fl->size - 1);
			return -1;
		}
		if (!utf8_valid(value)) {
			fail(p, line, "[%s] %s: not valid UTF-8", sn, key);
			return -1;
		}
		rd_strlcpy(dst, value, fl->size);
		return 0;
	case FT_CLASS:
		for (i = 0; i < ARRAY_LEN(class_names); i++) {
			if (strcmp(value, class_names[i]) == 0) {
				*(enum data_region_class *)(void *)dst = (enum data_region_class)i;
				return 0;
			}
		}
		fail(p, line, "[%s] %s: unknown class '%s' (city, county or rural)", sn, key,
		    value);
		return -1;
	case FT_KINDS:
		return parse_kinds(p, key, value, (uint32_t *)(void *)dst);
	case FT_KIND:
		if (strcmp(value, "none") == 0) {
			*(int *)(void *)dst = -1;
			return 0;
		}
		if ((*(int *)(void *)dst = truck_kind_parse(value)) < 0) {
			fail(p, line, "[%s] %s: unknown kind '%s'", sn, key, value);
			return -1;
		}
		return 0;
	}
	fail(p, line, "[%s] %s: internal error: field type %d", sn, key, (int)fl->type);
	return -1;
}

/* Open the section `name` whose header is at p->header_line: pick its fields and target. */
static void
begin_section(struct parser *p, const char *name)
{
	int line = p->header_line, *first = NULL;
	struct data_region *r = p->region;
	int f;

	rd_strlcpy(p->sect_name, name, sizeof p->sect_name);
	p->sect_line = line;
	p->seen = 0;
	p->fleet_seen = 0;
	p->target = NULL;

	switch (p->file) {
	case FILE_FAULTS:
		if ((f = ticket_fault_parse(name)) < 0) {
			fail(p, line, "unknown section [%s] (not a fault code)", name);
			return;
		}
		first = &p->fault_line[f];
		p->sect = SECT_FAULT;
		p->fields = fault_fields;
		p->n_fields = ARRAY_LEN(fault_fields);
		p->target = &p->d->faults[f];
		p->d->faults[f].prefer = -1;
		p->d->faults[f].phone_fix_rate = 0;
		p->d->faults[f].flow[0] = '\0';
		break;
	case FILE_SLA:
		if (strcmp(name, "warnings") != 0) {
			fail(p, line, "unknown section [%s] (expected [warnings])", name);
			return;
		}
		first = &p->sla_line;
		p->sect = SECT_SLA;
		p->fields = sla_fields;
		p->n_fields = ARRAY_LEN(sla_fields);
		p->target = &p->d->sla;
		p->d->sla.diag_hold_s = DATA_DIAG_HOLD_S_DEFAULT;
		p->d->sla.waiting_agent_s = DATA_WAITING_AGENT_S_DEFAULT;
		p->d->sla.deviation_fixes = DATA_DEVIATION_FIXES_DEFAULT;
		p->d->sla.deviation_s = DATA_DEVIATION_S_DEFAULT;
		p->d->sla.onscene_overrun_pct = DATA_ONSCENE_OVERRUN_PCT_DEFAULT;
		p->d->sla.callback_clear_s = DATA_CALLBACK_CLEAR_S_DEFAULT;
		p->d->sla.capacity_s = DATA_CAPACITY_S_DEFAULT;
		p->d->sla.escalate_after_s = DATA_ESCALATE_AFTER_S_DEFAULT;
		p->d->sla.owner_lease_s = DATA_OWNER_LEASE_S_DEFAULT;
		break;
	case FILE_DISPATCH:
		if (strcmp(name, "weights") != 0) {
			fail(p, line, "unknown section [%s] (expected [weights])", name);
			return;
		}
		first = &p->dispatch_line;
		p->sect = SECT_DISPATCH;
		p->fields = dispatch_fields;
		p->n_fields = ARRAY_LEN(dispatch_fields);
		p->target = &p->d->dispatch;
		break;
	case FILE_DEMAND:
		if (strcmp(name, "hours") != 0) {
			fail(p, line, "unknown section [%s] (expected [hours])", name);
			return;
		}
		first = &p->hours_line;
		p->sect = SECT_HOURS;
		p->fields = hour_fields;
		p->n_fields = ARRAY_LEN(hour_fields);
		p->target = p->d->demand_by_hour;
		break;
	case FILE_REGION:
		if (strcmp(name, "region") == 0) {
			first = &p->region_line;
			p->sect = SECT_REGION;
			p->fields = region_fields;
			p->n_fields = ARRAY_LEN(region_fields);
			p->target = r;
		} else if (strcmp(name, "landmark") == 0) {
			r->landmarks = xreallocarray(r->landmarks, r->n_landmarks + 1,
			    sizeof *r->landmarks);
			p->landmark_line = xreallocarray(p->landmark_line, r->n_landmarks + 1,
			    sizeof *p->landmark_line);
			memset(&r->landmarks[r->n_landmarks], 0, sizeof *r->landmarks);
			p->landmark_line[r->n_landmarks] = line;
			p->sect = SECT_LANDMARK;
			p->fields = landmark_fields;
			p->n_fields = ARRAY_LEN(landmark_fields);
			p->target = &r->landmarks[r->n_landmarks++];
		} else if (strcmp(name, "supplier") == 0) {
			r->suppliers = xreallocarray(r->suppliers, r->n_suppliers + 1,
			    sizeof *r->suppliers);
			p->supplier_line = xreallocarray(p->supplier_line, r->n_suppliers + 1,
			    sizeof *p->supplier_line);
			memset(&r->suppliers[r->n_suppliers], 0, sizeof *r->suppliers);
			p->supplier_line[r->n_suppliers] = line;
			p->sect = SECT_SUPPLIER;
			p->fields = supplier_fields;
			p->n_fields = ARRAY_LEN(supplier_fields);
			p->target = &r->suppliers[r->n_suppliers++];
		} else {
			fail(p, line, "unknown section [%s] (expected [region], [landmark] or "
			    "[supplier])", name);
			return;
		}
		break;
	}
	if (first != NULL) {
		if (*first != 0) {
			fail(p, line, "duplicate section [%s] (first at line %d)", name, *first);
			return;
		}
		*first = line;
	}
}

/* Close the current section: required keys and checks within the section. */
static void
finish_section(struct parser *p)
{
	size_t i;

	if (p->target == NULL)
		return;
	for (i = 0; i < p->n_fields; i++) {
		if (p->fields[i].required && !(p->seen & (1u << i))) {
			fail(p, p->sect_line, "missing [%s] %s", p->sect_name, p->fields[i].key);
			return;
		}
	}
	if (p->sect == SECT_FAULT) {
		const struct data_fault *f = p->target;

		if (f->prefer >= 0 && !(f->kinds & (1u << f->prefer)))
			fail(p, p->sect_line, "[%s] prefer: '%s' is not one of its kinds",
			    p->sect_name, truck_kind_name((enum truck_kind)f->prefer));
	} else if (p->sect == SECT_SUPPLIER) {
		const struct data_supplier *s = p->target;
		int k, total = 0;

		for (k = 0; k < TRUCK_KIND_COUNT; k++)
			total += s->fleet[k];
		if (total == 0)
			fail(p, p->sect_line, "[supplier] %s: no trucks (give a count for at least "
			    "one of van, wheel_lift, flatbed, heavy)", s->id);
	}
	p->target = NULL;
}

/* The fgets-style reader for ini_parse_stream; see the comment at the top. */
static char *
reader(char *str, int num, void *stream)
{
	struct parser *p = stream;
	char *s, *q;
	size_t len;
	int c;

	if (p->cause != NULL)
		return NULL;    /* stop at the first error */
	if (fgets(str, num, p->f) == NULL)
		return NULL;
	p->lineno++;
	len = strlen(str);
	if (len > 0 && str[len - 1] != '\n' && (c = getc(p->f)) != EOF) {
		ungetc(c, p->f);
		fail(p, p->lineno, "line longer than %d bytes", num - 3);
		return NULL;
	}
	s = str;
	if (p->lineno == 1 && strncmp(s, "\xef\xbb\xbf", 3) == 0)
		s += 3;
	s += strspn(s, " \t\r\f\v");
	if (s != str)
		memmove(str, s, strlen(s) + 1);
	if (str[0] == '[') {
		/* Same rule as inih: the header ends at ']', and " ;" starts a comment. */
		for (q = str + 1; *q != '\0' && *q != ']'; q++) {
			if (*q == ';' && (q[-1] == ' ' || q[-1] == '\t'))
				break;
		}
		if (*q != ']') {
			fail(p, p->lineno, "section header without ']'");
			return NULL;
		}
		if (p->header_seq > 0 && p->cur_seq != p->header_seq) {
			fail(p, p->header_line, "empty section");
			return NULL;
		}
		p->header_seq++;
		p->header_line = p->lineno;
	}
	return str;
}

static int
handler(void *user, const char *section, const char *name, const char *value)
{
	struct parser *p = user;
	size_t i;
	int k;

	if (p->cause != NULL)
		return 0;
	if (p->header_seq == 0) {
		fail(p, p->lineno, "key '%s' before the first [section]", name);
		return 0;
	}
	if (p->cur_seq != p->header_seq) {
		finish_section(p);
		if (p->cause != NULL)
			return 0;
		p->cur_seq = p->header_seq;
		begin_section(p, section);
		if (p->cause != NULL)
			return 0;
	}
	for (i = 0; i < p->n_fields; i++) {
		if (strcmp(name, p->fields[i].key) != 0)
			continue;
		if (p->seen & (1u << i)) {
			fail(p, p->lineno, "[%s] %s: given twice", p->sect_name, name);
			return 0;
		}
		p->seen |= 1u << i;
		return set_field(p, &p->fields[i], value) == 0;
	}
	if (p->sect == SECT_SUPPLIER && (k = truck_kind_parse(name)) >= 0) {
		struct data_supplier *s = p->target;
		long n;

		if (p->fleet_seen & (1u << k)) {
			fail(p, p->lineno, "[%s] %s: given twice", p->sect_name, name);
			return 0;
		}
		p->fleet_seen |= 1u << k;
		if (parse_int(value, &n) != 0) {
			fail(p, p->lineno, "[%s] %s: not an integer: '%s'", p->sect_name, name,
			    value);
			return 0;
		}
		if (n < 0 || n > FLEET_MAX) {
			fail(p, p->lineno, "[%s] %s: %ld is out of range [0, %d]", p->sect_name,
			    name, n, FLEET_MAX);
			return 0;
		}
		s->fleet[k] = (int)n;
		return 1;
	}
	fail(p, p->lineno, "[%s] unknown key '%s'", p->sect_name, name);
	return 0;
}

/* Parse p->path into p->d / p->region. 0 or -1 with p->cause set. */
static int
parse_file(struct parser *p)
{
	int rc;

	if ((p->f = fopen(p->path, "r")) == NULL) {
		fail(p, 0, "%s", strerror(errno));
		return -1;
	}
	rc = ini_parse_stream(reader, p, handler, p);
	if (p->cause == NULL && ferror(p->f))
		fail(p, 0, "read error");
	fclose(p->f);
	p->f = NULL;
	/* inih reports the first line it could not parse, or the first line whose handler
	 * failed; our own cause wins only if it was set at that line (a line is either a key
	 * or a syntax error, never both). */
	if (rc > 0 && (p->cause == NULL || rc < p->fail_at)) {
		free(p->cause);
		p->cause = NULL;
		fail(p, rc, "syntax error (expected key = value or [section])");
	} else if (rc < 0 && p->cause == NULL)
		fail(p, 0, "cannot parse (error %d)", rc);
	if (p->cause == NULL && p->header_seq > 0 && p->cur_seq != p->header_seq)
		fail(p, p->header_line, "empty section");
	if (p->cause == NULL)
		finish_section(p);
	return p->cause != NULL ? -1 : 0;
}

static void
parser_init(struct parser *p, const char *path, enum file_kind file, struct data *d,
    struct data_region *r)
{
	memset(p, 0, sizeof *p);
	p->path = path;
	p->file = file;
	p->d = d;
	p->region = r;
}

static void
parser_finish(struct parser *p, char **cause)
{
	free(p->landmark_line);
	free(p->supplier_line);
	if (p->cause != NULL) {
		if (cause != NULL)
			*cause = p->cause;
		else
			free(p->cause);
	}
}

static int
load_faults(struct data *d, const char *dir, char **cause)
{
	char *path = join(dir, "faults.ini");
	struct parser p;
	double sum = 0;
	int f;

	parser_init(&p, path, FILE_FAULTS, d, NULL);
	if (parse_file(&p) == 0) {
		for (f = 0; f < FAULT_COUNT; f++) {
			if (p.fault_line[f] == 0) {
				fail(&p, 0, "missing section [%s]",
				    ticket_fault_name((enum ticket_fault)f));
				break;
			}
			sum += d->faults[f].share;
		}
	}
	if (p.cause == NULL && fabs(sum - 100) > SUM_TOLERANCE)
		fail(&p, 0, "shares sum to %g, not 100 (+-%g)", sum, SUM_TOLERANCE);
	parser_finish(&p, cause);
	free(path);
	return *cause != NULL ? -1 : 0;
}

static int
load_sla(struct data *d, const char *dir, char **cause)
{
	char *path = join(dir, "sla.ini");
	struct parser p;

	parser_init(&p, path, FILE_SLA, d, NULL);
	if (parse_file(&p) == 0 && p.sla_line == 0)
		fail(&p, 0, "missing section [warnings]");
	parser_finish(&p, cause);
	free(path);
	return *cause != NULL ? -1 : 0;
}

static int
load_demand(struct data *d, const char *dir, char **cause)
{
	char *path = join(dir, "demand.ini");
	struct parser p;
	double sum = 0;
	int h;

	parser_init(&p, path, FILE_DEMAND, d, NULL);
	if (parse_file(&p) == 0 && p.hours_line == 0)
		fail(&p, 0, "missing section [hours]");
	for (h = 0; h < 24; h++)
		sum += d->demand_by_hour[h];
	if (p.cause == NULL && fabs(sum - 100) > SUM_TOLERANCE)
		fail(&p, 0, "[hours] shares sum to %g, not 100 (+-%g)", sum, SUM_TOLERANCE);
	parser_finish(&p, cause);
	free(path);
	return *cause != NULL ? -1 : 0;
}

/* dispatch.ini is optional: without it, the defaults. */
static int
load_dispatch(struct data *d, const char *dir, char **cause)
{
	char *path = join(dir, "dispatch.ini");
	struct parser p;

	data_dispatch_default(&d->dispatch);
	if (access(path, F_OK) != 0 && errno == ENOENT) {
		free(path);
		return 0;
	}
	parser_init(&p, path, FILE_DISPATCH, d, NULL);
	if (parse_file(&p) == 0 && p.dispatch_line == 0)
		fail(&p, 0, "missing section [weights]");
	if (p.cause == NULL && d->dispatch.widen_max < d->dispatch.shortlist)
		fail(&p, p.dispatch_line, "[weights] widen_max: %d is less than shortlist (%d)",
		    d->dispatch.widen_max, d->dispatch.shortlist);
	parser_finish(&p, cause);
	free(path);
	return *cause != NULL ? -1 : 0;
}

static double
distance_km(double lat1, double lon1, double lat2, double lon2)
{
	const double rad = 3.14159265358979323846 / 180;
	double dlat = (lat2 - lat1) * rad, dlon = (lon2 - lon1) * rad;
	double h = sin(dlat / 2) * sin(dlat / 2) +
	    cos(lat1 * rad) * cos(lat2 * rad) * sin(dlon / 2) * sin(dlon / 2);

	return 2 * 6371.0088 * asin(sqrt(h > 1 ? 1 : h));
}

/* Checks across the sections of a region file. */
static void
check_region(struct parser *p)
{
	const struct data_region *r = p->region;
	size_t i, j;
	double km;

	if (p->region_line == 0) {
		fail(p, 0, "missing [region] section");
		return;
	}
	if (r->n_landmarks == 0) {
		fail(p, 0, "no [landmark] section (at least one is needed)");
		return;
	}
	if (r->n_suppliers == 0) {
		fail(p, 0, "no [supplier] section (at least one is needed)");
		return;
	}
	for (i = 0; i < r->n_landmarks; i++) {
		const struct data_landmark *l = &r->landmarks[i];

		km = distance_km(r->lat, r->lon, l->lat, l->lon);
		if (km > r->radius_km) {
			fail(p, p->landmark_line[i], "[landmark] %s: %.0f km from the centre, "
			    "outside radius_km %g", l->name, km, r->radius_km);
			return;
		}
	}
	for (i = 0; i < r->n_suppliers; i++) {
		const struct data_supplier *s = &r->suppliers[i];

		km = distance_km(r->lat, r->lon, s->lat, s->lon);
		if (km > r->radius_km) {
			fail(p, p->supplier_line[i], "[supplier] %s: depot %.0f km from the "
			    "centre, outside radius_km %g", s->id, km, r->radius_km);
			return;
		}
		for (j = 0; j < i; j++) {
			if (strcmp(s->id, r->suppliers[j].id) == 0) {
				fail(p, p->supplier_line[i], "[supplier] id '%s' already used "
				    "at line %d", s->id, p->supplier_line[j]);
				return;
			}
		}
	}
}

static void
region_clear(struct data_region *r)
{
	free(r->landmarks);
	free(r->suppliers);
	memset(r, 0, sizeof *r);
}

static int
load_region(struct data_region *r, const char *path, char **cause)
{
	struct parser p;

	memset(r, 0, sizeof *r);
	parser_init(&p, path, FILE_REGION, NULL, r);
	if (parse_file(&p) == 0)
		check_region(&p);
	parser_finish(&p, cause);
	if (*cause != NULL) {
		region_clear(r);
		return -1;
	}
	return 0;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

char **
data_ini_list(const char *dir, size_t *count, char **cause)
{
	DIR *dp;
	struct dirent *de;
	char **names = NULL;
	size_t n = 0, len;

	*count = 0;
	if ((dp = opendir(dir)) == NULL) {
		xasprintf(cause, "%s: %s", dir, strerror(errno));
		return NULL;
	}
	while ((de = readdir(dp)) != NULL) {
		len = strlen(de->d_name);
		if (de->d_name[0] == '.' || len <= 4 || strcmp(de->d_name + len - 4, ".ini") != 0)
			continue;
		names = xreallocarray(names, n + 1, sizeof *names);
		names[n++] = xstrdup(de->d_name);
	}
	closedir(dp);
	if (n > 1)
		qsort(names, n, sizeof *names, cmp_str);
	*count = n;
	return names;
}

struct region_file {
	struct data_region r;
	char *path;
};

static int
cmp_region_file(const void *a, const void *b)
{
	const struct region_file *x = a, *y = b;

	return strcmp(x->r.id, y->r.id);
}

static int
load_regions(struct data *d, const char *dir, char **cause)
{
	char *rdir = join(dir, "regions");
	struct region_file *rf = NULL;
	char **names;
	size_t n = 0, nok = 0, i;

	if ((names = data_ini_list(rdir, &n, cause)) == NULL && *cause != NULL)
		goto out;
	if (n == 0) {
		xasprintf(cause, "%s: no region files (*.ini)", rdir);
		goto out;
	}
	rf = xcalloc(n, sizeof *rf);
	for (i = 0; i < n; i++) {
		rf[i].path = join(rdir, names[i]);
		if (load_region(&rf[i].r, rf[i].path, cause) != 0)
			goto out;
		nok++;
	}
	qsort(rf, n, sizeof *rf, cmp_region_file);
	for (i = 1; i < n; i++) {
		if (strcmp(rf[i].r.id, rf[i - 1].r.id) == 0) {
			xasprintf(cause, "%s: duplicate region id '%s' (also in %s)",
			    rf[i].path, rf[i].r.id, rf[i - 1].path);
			goto out;
		}
	}
	d->regions = xcalloc(n, sizeof *d->regions);
	for (i = 0; i < n; i++)
		d->regions[i] = rf[i].r;
	d->n_regions = n;
	nok = 0;        /* ownership moved to d */

out:
	for (i = 0; i < n; i++) {
		if (rf != NULL) {
			if (i < nok)
				region_clear(&rf[i].r);
			free(rf[i].path);
		}
		free(names[i]);
	}
	free(rf);
	free(names);
	free(rdir);
	return *cause != NULL ? -1 : 0;
}

struct data *
data_load(const char *dir, char **cause)
{
	struct data *d = xcalloc(1, sizeof *d);
	locale_t c_locale, old = (locale_t)0;
	char *why = NULL;

	if (dir == NULL)
		dir = data_default_dir();
	/* strtod and %g follow LC_NUMERIC; the console calls setlocale(LC_ALL, ""). */
	c_locale = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0);
	if (c_locale != (locale_t)0)
		old = uselocale(c_locale);

	if (load_faults(d, dir, &why) == 0 && load_sla(d, dir, &why) == 0 &&
	    load_demand(d, dir, &why) == 0 && load_dispatch(d, dir, &why) == 0)
		load_regions(d, dir, &why);

	if (c_locale != (locale_t)0) {
		uselocale(old);
		freelocale(c_locale);
	}
	if (why != NULL) {
		data_free(d);
		if (cause != NULL)
			*cause = why;
		else
			free(why);
		return NULL;
	}
	return d;
}

void
data_free(struct data *d)
{
	size_t i;

	if (d == NULL)
		return;
	for (i = 0; i < d->n_regions; i++)
		region_clear(&d->regions[i]);
	free(d->regions);
	free(d);
}

static int
cmp_region_id(const void *key, const void *elem)
{
	return strcmp(key, ((const struct data_region *)elem)->id);
}

const struct data_region *
data_region(const struct data *d, const char *id)
{
	if (d == NULL || id == NULL || d->n_regions == 0)
		return NULL;
	return bsearch(id, d->regions, d->n_regions, sizeof *d->regions, cmp_region_id);
}

const char *
data_region_class_name(enum data_region_class c)
{
	if ((unsigned int)c >= ARRAY_LEN(class_names))
		return "?";
	return class_names[c];
}

int
data_ini_read(const char *path,
    int (*on_key)(void *user, const char *section, const char *key, const char *value),
    void *user)
{
	return ini_parse(path, on_key, user);
}

/* data_ini_read_lines: the same trick as the reader above, but it reports every bad line
 * and goes on (a validator wants all errors), and it tells the caller about every header
 * itself, so the caller sees sections without keys too. Lines it reports are handed to
 * inih as empty lines, so inih never fails on its own. */
_Static_assert(DATA_INI_LINE_MAX + 2 < INI_MAX_LINE, "a whole line must fit inih's buffer");

struct line_parser {
	FILE *f;
	const struct data_ini_ops *ops;
	void *user;
	int lineno;
	char section[DATA_INI_LINE_MAX + 4];
	int in_section;
};

static void
line_error(struct line_parser *lp, const char *msg)
{
	if (lp->ops->error != NULL)
		lp->ops->error(lp->user, lp->lineno, msg);
}

static char *
line_reader(char *str, int num, void *stream)
{
	struct line_parser *lp = stream;
	char *s, *q;
	size_t len;
	int c;

	if (fgets(str, num, lp->f) == NULL)
		return NULL;
	lp->lineno++;
	len = strlen(str);
	if (len > 0 && str[len - 1] != '\n' && (c = getc(lp->f)) != EOF) {
		while (c != EOF && c != '\n')
			c = getc(lp->f);
		len = (size_t)DATA_INI_LINE_MAX + 1;
	} else {
		while (len > 0 && (str[len - 1] == '\n' || str[len - 1] == '\r'))
			len--;
	}
	if (len > DATA_INI_LINE_MAX) {
		char msg[64];

		snprintf(msg, sizeof msg, "line longer than %d bytes", DATA_INI_LINE_MAX);
		line_error(lp, msg);
		strcpy(str, "\n");
		return str;
	}
	s = str;
	if (lp->lineno == 1 && strncmp(s, "\xef\xbb\xbf", 3) == 0)
		s += 3;
	s += strspn(s, " \t\r\f\v");
	if (s != str)
		memmove(str, s, strlen(s) + 1);
	if (!utf8_valid(str)) {
		line_error(lp, "not valid UTF-8");
		strcpy(str, "\n");
		return str;
	}
	if (str[0] == '\0' || str[0] == '\n' || str[0] == ';' || str[0] == '#')
		return str;
	if (str[0] == '[') {
		for (q = str + 1; *q != '\0' && *q != ']'; q++) {
			if (*q == ';' && (q[-1] == ' ' || q[-1] == '\t'))
				break;
		}
		if (*q != ']') {
			line_error(lp, "section header without ']'");
			strcpy(str, "\n");
			return str;
		}
		len = (size_t)(q - (str + 1));
		memcpy(lp->section, str + 1, len);
		lp->section[len] = '\0';
		lp->in_section = 1;
		if (lp->ops->section != NULL)
			lp->ops->section(lp->user, lp->lineno, lp->section);
		return str;
	}
	/* inih's rule: a key line has '=' or ':' before any " ;" comment */
	for (q = str; *q != '\0' && *q != '=' && *q != ':'; q++) {
		if (*q == ';' && q > str && (q[-1] == ' ' || q[-1] == '\t'))
			break;
	}
	if (*q != '=' && *q != ':') {
		line_error(lp, "syntax error (expected key = value or [section])");
		strcpy(str, "\n");
	}
	return str;
}

static int
line_handler(void *user, const char *section, const char *name, const char *value)
{
	struct line_parser *lp = user;

	(void)section;  /* ours, which also knows repeated headers */
	if (lp->ops->key != NULL)
		lp->ops->key(lp->user, lp->lineno, lp->in_section ? lp->section : NULL, name,
		    value);
	return 1;
}

int
data_ini_read_lines(const char *path, const struct data_ini_ops *ops, void *user,
    char **cause)
{
	struct line_parser lp;
	int rc;

	memset(&lp, 0, sizeof lp);
	lp.ops = ops;
	lp.user = user;
	if ((lp.f = fopen(path, "r")) == NULL) {
		xasprintf(cause, "%s: %s", path, strerror(errno));
		return -1;
	}
	rc = ini_parse_stream(line_reader, &lp, line_handler, &lp);
	if (ferror(lp.f)) {
		xasprintf(cause, "%s: read error", path);
		fclose(lp.f);
		return -1;
	}
	fclose(lp.f);
	if (rc < 0) {
		xasprintf(cause, "%s: cannot parse (error %d)", path, rc);
		return -1;
	}
	return 0;
}

/* ---- complaint data: complaints.ini, holidays.ini, mediation.ini ------------------------
 * Read with data_ini_read_lines; the first error of a file wins and names its line. */

#define HOLIDAY_SPAN_MAX 14     /* days of one [holiday] */
#define COMPLAINT_DATA_ITEMS_MAX 4096

enum cd_file { CD_COMPLAINTS, CD_HOLIDAYS, CD_MEDIATION };
enum cd_section { CDS_NONE, CDS_CLOCKS, CDS_LIMITS, CDS_CAUSE, CDS_HOLIDAY, CDS_ORG, CDS_BAD };

struct cd_parser {
	const char *path;
	enum cd_file file;
	struct complaint_data *d;
	char *cause;            /* the first error */
	enum cd_section sec;
	int sec_line;
	char sec_name[DATA_INI_LINE_MAX + 4];
	char seen[16][32];      /* keys of the current section */
	int n_seen;
	/* the [holiday] being read */
	int64_t from, to;
	int64_t work[16];
	int n_work;
	int have_name;
};

static void cd_fail(struct cd_parser *p, int line, const char *fmt, ...) RD_PRINTF(3, 4);

/* line is always a line of the file here (data_ini_read_lines counts from 1). */
static void
cd_fail(struct cd_parser *p, int line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	cause_set(&p->cause, p->path, line, 256, fmt, ap);
	va_end(ap);
}

static int
cd_id_valid(const char *s, bool upper)
{
	size_t n = strlen(s);
	if (n == 0 || n >= COMPLAINT_ID_MAX)
		return 0;
	for (; *s != '\0'; s++) {
		char c = *s;
		if (!((c >= '0' && c <= '9') || c == '_' || c == '-' ||
		    (upper ? (c >= 'A' && c <= 'Z') : (c >= 'a' && c <= 'z'))))
			return 0;
	}
	return 1;
}

/* A China date "YYYY-MM-DD" to its civil day, or -1. */
static int64_t
cd_date(const char *s)
{
	if (strlen(s) != 10)
		return -1;
	int64_t t = complaint_time_parse(s);
	return t < 0 ? -1 : civil_local_day(t, CIVIL_TZ_CHINA_S);
}

static void
cd_add_day(int64_t **a, size_t *n, int64_t day)
{
	*a = xreallocarray(*a, *n + 1, sizeof **a);
	(*a)[(*n)++] = day;
}

static int
cd_cmp_day(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

static void
cd_finish_section(struct cd_parser *p)
{
	struct complaint_data *d = p->d;

	switch (p->sec) {
	case CDS_CAUSE: {
		struct complaint_cause *c = &d->causes[d->n_causes - 1];
		if (c->code[0] == '\0' || c->business == 0 || c->name[0] == '\0' ||
		    c->name_zh[0] == '\0')
			cd_fail(p, p->sec_line, "[cause] needs code, business, name and name_zh");
		for (size_t i = 0; i + 1 < d->n_causes && p->cause == NULL; i++)
			if (strcmp(d->causes[i].code, c->code) == 0)
				cd_fail(p, p->sec_line, "[cause] code %s: used twice", c->code);
		break;
	}
	case CDS_ORG: {
		struct complaint_org *o = &d->orgs[d->n_orgs - 1];
		if (o->id[0] == '\0' || o->name[0] == '\0' || o->name_zh[0] == '\0')
			cd_fail(p, p->sec_line, "[org] needs id, name and name_zh");
		for (size_t i = 0; i + 1 < d->n_orgs && p->cause == NULL; i++)
			if (strcmp(d->orgs[i].id, o->id) == 0)
				cd_fail(p, p->sec_line, "[org] id %s: used twice", o->id);
		break;
	}
	case CDS_HOLIDAY:
		if (p->cause != NULL)   /* a refused span is never walked (up to 9999 years) */
			break;
		if (!p->have_name || p->from < 0) {
			cd_fail(p, p->sec_line, "[holiday] needs name and from");
			break;
		}
		if (p->to < 0)
			p->to = p->from;
		for (int64_t day = p->from; day <= p->to; day++)
			cd_add_day(&d->holidays, &d->n_holidays, day);
		for (int i = 0; i < p->n_work; i++)
			cd_add_day(&d->workdays, &d->n_workdays, p->work[i]);
		break;
	case CDS_LIMITS:
		if (d->n_limits == 0)
			cd_fail(p, p->sec_line, "[limits] names no role");
		break;
	default:
		break;
	}
	p->sec = CDS_NONE;
}

static void
cd_section(void *user, int line, const char *name)
{
	struct cd_parser *p = user;
	struct complaint_data *d = p->d;

	cd_finish_section(p);
	p->sec_line = line;
	p->n_seen = 0;
	rd_strlcpy(p->sec_name, name, sizeof p->sec_name);
	p->sec = CDS_BAD;
	if (p->file == CD_COMPLAINTS && strcmp(name, "clocks") == 0)
		p->sec = CDS_CLOCKS;
	else if (p->file == CD_COMPLAINTS && strcmp(name, "limits") == 0)
		p->sec = CDS_LIMITS;
	else if (p->file == CD_COMPLAINTS && strcmp(name, "cause") == 0)
		p->sec = CDS_CAUSE;
	else if (p->file == CD_HOLIDAYS && strcmp(name, "holiday") == 0)
		p->sec = CDS_HOLIDAY;
	else if (p->file == CD_MEDIATION && strcmp(name, "org") == 0)
		p->sec = CDS_ORG;
	if (p->sec == CDS_BAD) {
		cd_fail(p, line, "[%s]: unknown section", name);
		return;
	}
	if ((p->sec == CDS_CAUSE && d->n_causes >= COMPLAINT_DATA_ITEMS_MAX) ||
	    (p->sec == CDS_ORG && d->n_orgs >= COMPLAINT_DATA_ITEMS_MAX)) {
		cd_fail(p, line, "[%s]: too many", name);
		p->sec = CDS_BAD;
		return;
	}
	if (p->sec == CDS_CAUSE) {
		d->causes = xreallocarray(d->causes, d->n_causes + 1, sizeof *d->causes);
		memset(&d->causes[d->n_causes++], 0, sizeof *d->causes);
	} else if (p->sec == CDS_ORG) {
		d->orgs = xreallocarray(d->orgs, d->n_orgs + 1, sizeof *d->orgs);
		memset(&d->orgs[d->n_orgs++], 0, sizeof *d->orgs);
	} else if (p->sec == CDS_HOLIDAY) {
		p->from = p->to = -1;
		p->n_work = 0;
		p->have_name = 0;
	}
}

static int
cd_int(struct cd_parser *p, int line, const char *key, const char *value, long lo, long hi)
{
	long v;
	if (parse_int(value, &v) != 0 || v < lo || v > hi) {
		cd_fail(p, line, "[%s] %s: not a whole number in %ld..%ld", p->sec_name, key, lo,
		    hi);
		return -1;
	}
	return (int)v;
}

static void
cd_name(struct cd_parser *p, int line, const char *key, const char *value, char *dst)
{
	if (value[0] == '\0' || strlen(value) >= COMPLAINT_NAME_MAX || !utf8_valid(value))
		cd_fail(p, line, "[%s] %s: not a name (UTF-8, 1..%d bytes)", p->sec_name, key,
		    COMPLAINT_NAME_MAX - 1);
	else
		rd_strlcpy(dst, value, COMPLAINT_NAME_MAX);
}

static void
cd_key_clocks(struct cd_parser *p, int line, const char *key, const char *value)
{
	struct complaint_policy *pol = &p->d->policy;
	int v;

	if (strcmp(key, "ack_working_days") == 0) {
		if ((v = cd_int(p, line, key, value, 0, 10)) >= 0)
			pol->ack_working_days = v;
	} else if (strcmp(key, "update_days") == 0) {
		if ((v = cd_int(p, line, key, value, 1, 30)) >= 0)
			pol->update_days = v;
	} else if (strcmp(key, "decision_days") == 0) {
		if ((v = cd_int(p, line, key, value, 1, 366)) >= 0)
			pol->decision_days[0] = v;
	} else if (strcmp(key, "extended_days") == 0) {
		if ((v = cd_int(p, line, key, value, 1, 366)) >= 0)
			pol->decision_days[1] = v;
	} else if (strcmp(key, "special_days") == 0) {
		if ((v = cd_int(p, line, key, value, 1, 366)) >= 0)
			pol->decision_days[2] = v;
	} else if (strcmp(key, "review_window_days") == 0) {
		if ((v = cd_int(p, line, key, value, 1, 366)) >= 0)
			pol->review_window_days = v;
	} else if (strcmp(key, "review_decision_days") == 0) {
		if ((v = cd_int(p, line, key, value, 1, 366)) >= 0)
			pol->review_decision_days = v;
	} else if (strcmp(key, "amber_pct") == 0) {
		if ((v = cd_int(p, line, key, value, 1, 99)) >= 0)
			pol->amber_pct = v;
	} else
		cd_fail(p, line, "[clocks] %s: unknown key", key);
}

static void
cd_key_limits(struct cd_parser *p, int line, const char *key, const char *value)
{
	struct complaint_data *d = p->d;
	int64_t fen;

	if (!cd_id_valid(key, false)) {
		cd_fail(p, line, "[limits] %s: a role is a-z 0-9 _ -, at most %d bytes", key,
		    COMPLAINT_ID_MAX - 1);
		return;
	}
	if (complaint_money_parse(value, &fen) != 0) {
		cd_fail(p, line, "[limits] %s: not an amount in yuan (1234.56)", key);
		return;
	}
	if (d->n_limits >= COMPLAINT_DATA_ITEMS_MAX) {
		cd_fail(p, line, "[limits]: too many roles");
		return;
	}
	d->limits = xreallocarray(d->limits, d->n_limits + 1, sizeof *d->limits);
	struct complaint_limit *l = &d->limits[d->n_limits++];
	memset(l, 0, sizeof *l);
	rd_strlcpy(l->role, key, sizeof l->role);
	l->max_fen = fen;
}

static int
cd_rights(const char *value, uint32_t *mask)
{
	struct complaint *c = complaint_new(0);
	int rc = complaint_field_set(c, CF_rights, value);
	*mask = (uint32_t)c->rights;
	complaint_free(c);
	return rc == COMPLAINT_OK ? 0 : -1;
}

static void
cd_key_cause(struct cd_parser *p, int line, const char *key, const char *value)
{
	struct complaint_cause *c = &p->d->causes[p->d->n_causes - 1];

	if (strcmp(key, "code") == 0) {
		if (!cd_id_valid(value, true))
			cd_fail(p, line, "[cause] code: A-Z 0-9 _ -, at most %d bytes",
			    COMPLAINT_ID_MAX - 1);
		else
			rd_strlcpy(c->code, value, sizeof c->code);
	} else if (strcmp(key, "business") == 0) {
		const struct complaint_field_info *fi = complaint_field_info(CF_business);
		c->business = 0;
		for (size_t i = 1; i < fi->n_names; i++)
			if (strcmp(fi->names[i], value) == 0)
				c->business = (int)i;
		if (c->business == 0)
			cd_fail(p, line, "[cause] business: %s is no business type", value);
	} else if (strcmp(key, "name") == 0)
		cd_name(p, line, key, value, c->name);
	else if (strcmp(key, "name_zh") == 0)
		cd_name(p, line, key, value, c->name_zh);
	else if (strcmp(key, "rights") == 0) {
		if (cd_rights(value, &c->rights) != 0)
			cd_fail(p, line, "[cause] rights: a comma list of the eight rights");
	} else
		cd_fail(p, line, "[cause] %s: unknown key", key);
}

static void
cd_key_org(struct cd_parser *p, int line, const char *key, const char *value)
{
	struct complaint_org *o = &p->d->orgs[p->d->n_orgs - 1];

	if (strcmp(key, "id") == 0) {
		if (!cd_id_valid(value, false))
			cd_fail(p, line, "[org] id: a-z 0-9 _ -, at most %d bytes",
			    COMPLAINT_ID_MAX - 1);
		else
			rd_strlcpy(o->id, value, sizeof o->id);
	} else if (strcmp(key, "name") == 0)
		cd_name(p, line, key, value, o->name);
	else if (strcmp(key, "name_zh") == 0)
		cd_name(p, line, key, value, o->name_zh);
	else if (strcmp(key, "phone") == 0) {
		if (ticket_phone_invalid(value) != NULL || strlen(value) >= sizeof o->phone)
			cd_fail(p, line, "[org] phone: %s", "not a phone number");
		else
			rd_strlcpy(o->phone, value, sizeof o->phone);
	} else
		cd_fail(p, line, "[org] %s: unknown key", key);
}

static void
cd_key_holiday(struct cd_parser *p, int line, const char *key, const char *value)
{
	if (strcmp(key, "name") == 0) {
		char name[COMPLAINT_NAME_MAX];
		cd_name(p, line, key, value, name);
		p->have_name = 1;
	} else if (strcmp(key, "from") == 0 || strcmp(key, "to") == 0) {
		int64_t day = cd_date(value);
		if (day < 0) {
			cd_fail(p, line, "[holiday] %s: not a date (YYYY-MM-DD)", key);
			return;
		}
		if (key[0] == 'f')
			p->from = day;
		else
			p->to = day;
		if (p->from >= 0 && p->to >= 0 && p->to < p->from)
			cd_fail(p, line, "[holiday] to: before from");
		else if (p->from >= 0 && p->to >= 0 && p->to - p->from >= HOLIDAY_SPAN_MAX)
			cd_fail(p, line, "[holiday] to: longer than %d days", HOLIDAY_SPAN_MAX);
	} else if (strcmp(key, "work") == 0) {
		char buf[DATA_INI_LINE_MAX + 4];
		rd_strlcpy(buf, value, sizeof buf);
		for (char *save = NULL, *t = strtok_r(buf, ",", &save); t != NULL;
		    t = strtok_r(NULL, ",", &save)) {
			t += strspn(t, " ");
			size_t n = strlen(t);
			while (n > 0 && t[n - 1] == ' ')
				t[--n] = '\0';
			int64_t day = cd_date(t);
			if (day < 0) {
				cd_fail(p, line, "[holiday] work: %s is not a date (YYYY-MM-DD)", t);
				return;
			}
			if (complaint_working_day(NULL, day)) {
				cd_fail(p, line, "[holiday] work: %s is a weekday already", t);
				return;
			}
			if (p->n_work >= (int)ARRAY_LEN(p->work)) {
				cd_fail(p, line, "[holiday] work: too many days");
				return;
			}
			p->work[p->n_work++] = day;
		}
	} else
		cd_fail(p, line, "[holiday] %s: unknown key", key);
}

static void
cd_key(void *user, int line, const char *section, const char *key, const char *value)
{
	struct cd_parser *p = user;

	if (section == NULL) {
		cd_fail(p, line, "%s: key before the first section", key);
		return;
	}
	if (p->sec == CDS_BAD || p->cause != NULL)
		return;
	if (p->sec != CDS_LIMITS) {
		for (int i = 0; i < p->n_seen; i++)
			if (strcmp(p->seen[i], key) == 0) {
				cd_fail(p, line, "[%s] %s: repeated", section, key);
				return;
			}
		if (p->n_seen < (int)ARRAY_LEN(p->seen))
			rd_strlcpy(p->seen[p->n_seen++], key, sizeof p->seen[0]);
	} else if (complaint_data_limit(p->d, key) >= 0) {
		cd_fail(p, line, "[limits] %s: repeated", key);
		return;
	}
	switch (p->sec) {
	case CDS_CLOCKS:
		cd_key_clocks(p, line, key, value);
		break;
	case CDS_LIMITS:
		cd_key_limits(p, line, key, value);
		break;
	case CDS_CAUSE:
		cd_key_cause(p, line, key, value);
		break;
	case CDS_HOLIDAY:
		cd_key_holiday(p, line, key, value);
		break;
	case CDS_ORG:
		cd_key_org(p, line, key, value);
		break;
	default:
		break;
	}
}

static void
cd_error(void *user, int line, const char *msg)
{
	cd_fail(user, line, "%s", msg);
}

static const struct data_ini_ops cd_ops = { cd_section, cd_key, cd_error };

static int
cd_read(struct complaint_data *d, const char *dir, const char *name, enum cd_file file,
    char **cause)
{
	struct cd_parser p;
	char *path = join(dir, name);

	memset(&p, 0, sizeof p);
	p.path = path;
	p.file = file;
	p.d = d;
	if (data_ini_read_lines(path, &cd_ops, &p, cause) != 0) {
		free(path);
		return -1;
	}
	if (p.cause == NULL)
		cd_finish_section(&p);
	free(path);
	if (p.cause != NULL) {
		*cause = p.cause;
		return -1;
	}
	return 0;
}

static int
cd_cmp_limit(const void *a, const void *b)
{
	const struct complaint_limit *x = a, *y = b;
	return (x->max_fen > y->max_fen) - (x->max_fen < y->max_fen);
}

struct complaint_data *
data_complaints_load(const char *dir, char **cause)
{
	struct complaint_data *d = xcalloc(1, sizeof *d);

	if (dir == NULL)
		dir = data_default_dir();
	complaint_policy_default(&d->policy);
	if (cd_read(d, dir, "complaints.ini", CD_COMPLAINTS, cause) != 0 ||
	    cd_read(d, dir, "holidays.ini", CD_HOLIDAYS, cause) != 0 ||
	    cd_read(d, dir, "mediation.ini", CD_MEDIATION, cause) != 0) {
		complaint_data_free(d);
		return NULL;
	}
	const struct complaint_policy *pol = &d->policy;
	if (pol->decision_days[0] > pol->decision_days[1] ||
	    pol->decision_days[1] > pol->decision_days[2]) {
		xasprintf(cause, "%s/complaints.ini: [clocks] decision_days <= extended_days <= "
		    "special_days does not hold", dir);
		complaint_data_free(d);
		return NULL;
	}
	if (d->n_causes == 0 || d->n_orgs == 0 || d->n_limits == 0) {
		xasprintf(cause, "%s: complaints.ini needs a [cause] and [limits], mediation.ini "
		    "an [org]", dir);
		complaint_data_free(d);
		return NULL;
	}
	if (d->n_holidays > 0)
		qsort(d->holidays, d->n_holidays, sizeof *d->holidays, cd_cmp_day);
	if (d->n_workdays > 0)
		qsort(d->workdays, d->n_workdays, sizeof *d->workdays, cd_cmp_day);
	for (size_t i = 1; i < d->n_holidays; i++)
		if (d->holidays[i] == d->holidays[i - 1]) {
			xasprintf(cause, "%s/holidays.ini: a day is in two [holiday]s", dir);
			complaint_data_free(d);
			return NULL;
		}
	qsort(d->limits, d->n_limits, sizeof *d->limits, cd_cmp_limit);
	return d;
}

double
data_region_speed_kmh(const struct data_region *r, int h, bool expressway)
{
	if (expressway)
		return r->speed_expressway_kmh;
	return civil_peak_hour(h) ? r->speed_peak_kmh : r->speed_kmh;
}

const char *
data_default_dir(void)
{
	const char *env = getenv("RESCUEDESK_DATA");

	if (env != NULL && *env != '\0')
		return env;
	return RD_DATADIR;
}

double
data_region_km(const struct data_region *r, double lat, double lon)
{
	return distance_km(r->lat, r->lon, lat, lon);
}

const struct data_region *
data_region_at(const struct data *d, double lat, double lon)
{
	const struct data_region *best = NULL;
	double best_km = 0, km;
	size_t i;

	for (i = 0; d != NULL && i < d->n_regions; i++) {
		km = data_region_km(&d->regions[i], lat, lon);
		if (km <= d->regions[i].radius_km && (best == NULL || km < best_km)) {
			best = &d->regions[i];
			best_km = km;
		}
	}
	return best;
}

enum data_where
data_where(const struct data *d, const struct data_region *r, double lat, double lon,
    const struct data_region **other)
{
	bool valid = lat >= -90 && lat <= 90 && lon >= -180 && lon <= 180;
	bool swap_valid = lon >= -90 && lon <= 90 && lat >= -180 && lat <= 180;

	*other = NULL;
	if (r == NULL || (valid && data_region_km(r, lat, lon) <= r->radius_km))
		return DATA_WHERE_INSIDE;
	if (valid && (*other = data_region_at(d, lat, lon)) != NULL)
		return DATA_WHERE_OTHER;
	if (swap_valid && (*other = data_region_at(d, lon, lat)) != NULL)
		return DATA_WHERE_SWAPPED;
	return valid ? DATA_WHERE_NOWHERE : DATA_WHERE_INSIDE;
}
