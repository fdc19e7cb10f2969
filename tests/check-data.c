/* check-data.c: the data loader against the real data/ directory, and against small
 * trees written into a temporary directory: valid variants of the syntax that must load, and
 * broken files that must be rejected with a cause naming the file, the line and the fault. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "data.h"
#include "ticket.h"
#include "util.h"

#ifndef SOURCE_DATA_DIR
#error "compile with -DSOURCE_DATA_DIR=\"/path/to/data\""
#endif
#ifndef RD_DATADIR
#define RD_DATADIR "/usr/local/share/rescuedesk"
#endif

/* ---------------------------------------------------------------- the real data/ */

static struct data *real;

static void
real_setup(void)
{
	char *cause = NULL;

	real = data_load(SOURCE_DATA_DIR, &cause);
	ck_assert_msg(real != NULL, "loading %s: %s", SOURCE_DATA_DIR, cause);
}

static void
real_teardown(void)
{
	data_free(real);
	real = NULL;
}

static int
has_landmark(const struct data_region *r, const char *name)
{
	size_t i;

	for (i = 0; i < r->n_landmarks; i++) {
		if (strcmp(r->landmarks[i].name, name) == 0)
			return 1;
	}
	return 0;
}

static void
fleet_totals(const struct data_region *r, int out[TRUCK_KIND_COUNT])
{
	size_t i;
	int k;

	for (k = 0; k < TRUCK_KIND_COUNT; k++)
		out[k] = 0;
	for (i = 0; i < r->n_suppliers; i++) {
		for (k = 0; k < TRUCK_KIND_COUNT; k++)
			out[k] += r->suppliers[i].fleet[k];
	}
}

START_TEST(test_real_regions)
{
	size_t i;

	ck_assert_uint_ge(real->n_regions, 2);
	for (i = 1; i < real->n_regions; i++)
		ck_assert_int_lt(strcmp(real->regions[i - 1].id, real->regions[i].id), 0);
	for (i = 0; i < real->n_regions; i++) {
		const struct data_region *r = &real->regions[i];

		ck_assert_ptr_eq(data_region(real, r->id), r);
		ck_assert_uint_ge(r->n_landmarks, 1);
		ck_assert_uint_ge(r->n_suppliers, 1);
		ck_assert_int_gt(r->promise_min, 0);
		ck_assert_int_gt(r->promise_expressway_min, 0);
	}
	ck_assert_ptr_null(data_region(real, "atlantis"));
	ck_assert_ptr_null(data_region(NULL, "changsha"));
}
END_TEST

START_TEST(test_real_changsha)
{
	const struct data_region *r = data_region(real, "changsha");
	int fleet[TRUCK_KIND_COUNT];

	ck_assert_ptr_nonnull(r);
	ck_assert_str_eq(r->name_zh, "长沙");
	ck_assert_int_eq(r->klass, REGION_CITY);
	ck_assert_int_eq(r->promise_min, 45);
	ck_assert_int_eq(r->promise_expressway_min, 30);
	ck_assert_int_eq(r->auto_dispatch, 1);
	ck_assert(fabs(r->lat - 28.2282) < 1e-9 && fabs(r->lon - 112.9388) < 1e-9);
	ck_assert(r->speed_peak_kmh < r->speed_kmh && r->speed_kmh < r->speed_expressway_kmh);
	ck_assert_uint_ge(r->n_landmarks, 12);
	ck_assert(has_landmark(r, "五一广场 Wuyi Square"));
	ck_assert(has_landmark(r, "长沙南站 Changsha South Railway Station"));
	ck_assert(has_landmark(r, "橘子洲 Orange Isle"));
	ck_assert(has_landmark(r, "黄花机场 Huanghua Airport"));
	/* expressway landmarks say so (the intake ticks the box), others do not */
	for (size_t i = 0; i < r->n_landmarks; i++)
		ck_assert_msg(r->landmarks[i].expressway ==
		    (strstr(r->landmarks[i].name, "高速") != NULL), "%s", r->landmarks[i].name);
	ck_assert_uint_ge(r->n_suppliers, 3);
	fleet_totals(r, fleet);
	/* domain.md 3.3: about 23 vans and 10 tow trucks for 220 calls a day */
	ck_assert_int_eq(fleet[TRUCK_KIND_VAN], 23);
	ck_assert_int_eq(fleet[TRUCK_KIND_WHEEL_LIFT] + fleet[TRUCK_KIND_FLATBED], 10);
	ck_assert_int_ge(fleet[TRUCK_KIND_HEAVY], 1);
	ck_assert_int_le(fleet[TRUCK_KIND_HEAVY], 2);
}
END_TEST

START_TEST(test_real_aba)
{
	const struct data_region *r = data_region(real, "aba");
	int fleet[TRUCK_KIND_COUNT];

	ck_assert_ptr_nonnull(r);
	ck_assert_int_eq(r->klass, REGION_RURAL);
	ck_assert_int_eq(r->auto_dispatch, 0);
	ck_assert_int_eq(r->promise_min, 90);
	ck_assert_int_gt(r->promise_min, data_region(real, "changsha")->promise_min);
	ck_assert(r->detour > data_region(real, "changsha")->detour);
	ck_assert_uint_ge(r->n_landmarks, 8);
	ck_assert(has_landmark(r, "马尔康 Maerkang"));
	ck_assert(has_landmark(r, "九寨沟 Jiuzhaigou"));
	fleet_totals(r, fleet);
	ck_assert_int_ge(fleet[TRUCK_KIND_VAN], 4);
	ck_assert_int_le(fleet[TRUCK_KIND_VAN], 6);
	ck_assert_int_eq(fleet[TRUCK_KIND_HEAVY], 1);
}
END_TEST

START_TEST(test_real_faults)
{
	double share = 0, phone = 0;
	int f;

	for (f = 0; f < FAULT_COUNT; f++) {
		const struct data_fault *x = &real->faults[f];

		ck_assert_msg(x->kinds != 0, "%s has no kind", ticket_fault_name(f));
		ck_assert_uint_eq(x->kinds >> TRUCK_KIND_COUNT, 0);
		ck_assert(x->prefer == -1 || (x->kinds & (1u << x->prefer)));
		ck_assert_int_gt(x->onscene_min, 0);
		share += x->share;
		phone += x->share * x->phone_fix_rate;
	}
	ck_assert(fabs(share - 100) <= 1);
	/* the modelled service solves 6.4% of all calls by phone */
	ck_assert_msg(fabs(phone - 6.4) < 0.05, "phone fixes %g%%", phone);
	ck_assert(fabs(real->faults[FAULT_BATTERY].share - 33) < 1e-9);
	ck_assert_int_eq(real->faults[FAULT_MECHANICAL_TOW].tow, 1);
	ck_assert_int_eq(real->faults[FAULT_BATTERY].tow, 0);
	ck_assert_int_eq(real->faults[FAULT_BATTERY].prefer, TRUCK_KIND_VAN);
	ck_assert_uint_eq(real->faults[FAULT_MECHANICAL_TOW].kinds & (1u << TRUCK_KIND_VAN), 0);
	ck_assert_double_eq(real->faults[FAULT_ACCIDENT_TOW].phone_fix_rate, 0);
	/* which faults have a diagnosis flow (tests/check-flow.c checks the flows) */
	ck_assert_str_eq(real->faults[FAULT_BATTERY].flow, "battery");
	ck_assert_str_eq(real->faults[FAULT_WINCH].flow, "");
}
END_TEST

START_TEST(test_real_sla_demand)
{
	double sum = 0;
	int h, peak = 0;

	ck_assert_int_eq(real->sla.not_accepted_s, 300);
	ck_assert_int_eq(real->sla.gps_stale_s, 45);
	ck_assert_int_eq(real->sla.stalled_s, 300);
	ck_assert_int_eq(real->sla.late_margin_s, 300);
	ck_assert_int_eq(real->sla.window_pct, 80);
	for (h = 0; h < 24; h++) {
		sum += real->demand_by_hour[h];
		if (real->demand_by_hour[h] > real->demand_by_hour[peak])
			peak = h;
	}
	ck_assert(fabs(sum - 100) <= 1);
	ck_assert_int_eq(peak, 8);
	ck_assert(real->demand_by_hour[3] < real->demand_by_hour[17]);
}
END_TEST

START_TEST(test_default_dir)
{
	ck_assert_int_eq(setenv("RESCUEDESK_DATA", "/srv/rd-data", 1), 0);
	ck_assert_str_eq(data_default_dir(), "/srv/rd-data");
	ck_assert_int_eq(setenv("RESCUEDESK_DATA", "", 1), 0);
	ck_assert_str_eq(data_default_dir(), RD_DATADIR);
	ck_assert_int_eq(unsetenv("RESCUEDESK_DATA"), 0);
	ck_assert_str_eq(data_default_dir(), RD_DATADIR);
}
END_TEST

START_TEST(test_load_default_dir)
{
	char *cause = NULL;
	struct data *d;

	ck_assert_int_eq(setenv("RESCUEDESK_DATA", SOURCE_DATA_DIR, 1), 0);
	d = data_load(NULL, &cause);
	ck_assert_msg(d != NULL, "%s", cause);
	ck_assert_ptr_nonnull(data_region(d, "changsha"));
	data_free(d);
}
END_TEST

START_TEST(test_class_name)
{
	ck_assert_str_eq(data_region_class_name(REGION_CITY), "city");
	ck_assert_str_eq(data_region_class_name(REGION_COUNTY), "county");
	ck_assert_str_eq(data_region_class_name(REGION_RURAL), "rural");
	ck_assert_str_eq(data_region_class_name((enum data_region_class)7), "?");
	data_free(NULL);
}
END_TEST

START_TEST(test_where)
{
	const struct data_region *cs = data_region(real, "changsha");
	const struct data_region *aba = data_region(real, "aba");
	const struct data_region *o = NULL;

	ck_assert(data_region_km(cs, cs->lat, cs->lon) < 0.001);
	ck_assert_ptr_eq(data_region_at(real, 28.20, 112.98), cs);
	ck_assert_ptr_eq(data_region_at(real, 28.25, 112.56), data_region(real, "ningxiang"));
	ck_assert_ptr_null(data_region_at(real, 0, 0));
	ck_assert_ptr_null(data_region_at(NULL, 28.20, 112.98));
	ck_assert_int_eq(data_where(real, cs, 28.20, 112.98, &o), DATA_WHERE_INSIDE);
	ck_assert_ptr_null(o);
	ck_assert_int_eq(data_where(real, NULL, 0, 0, &o), DATA_WHERE_INSIDE);
	/* typed for Aba, but the point lies in Changsha */
	ck_assert_int_eq(data_where(real, aba, 28.20, 112.98, &o), DATA_WHERE_OTHER);
	ck_assert_ptr_eq(o, cs);
	/* 277 km from Changsha, in no region */
	ck_assert(data_region_km(cs, 30.70, 112.94) > 270);
	ck_assert_int_eq(data_where(real, cs, 30.70, 112.94, &o), DATA_WHERE_NOWHERE);
	ck_assert_ptr_null(o);
	/* lat and lon swapped */
	ck_assert_int_eq(data_where(real, cs, 112.98, 28.20, &o), DATA_WHERE_SWAPPED);
	ck_assert_ptr_eq(o, cs);
}
END_TEST

/* ------------------------------------------------------- small trees in a temp dir */

static const char base_faults[] =
    "[battery]\nshare = 33\nkinds = van\nprefer = van\nonscene_min = 20\ntow = 0\n"
    "phone_fix_rate = 0.01\n\n"
    "[tyre]\nshare = 20\nkinds = van, wheel_lift\nonscene_min = 25\ntow = 0\n\n"
    "[fuel]\nshare = 3\nkinds = van\nonscene_min = 15\ntow = 0\n\n"
    "[lockout]\nshare = 7\nkinds = van\nonscene_min = 25\ntow = 0\n\n"
    "[no_start]\nshare = 5\nkinds = van,flatbed\nonscene_min = 30\ntow = 0\n\n"
    "[overheat]\nshare = 3\nkinds = van\nonscene_min = 25\ntow = 0\n\n"
    "[warning_light]\nshare = 4\nkinds = van\nonscene_min = 20\ntow = 0\n\n"
    "[ev]\nshare = 4\nkinds = van, flatbed\nonscene_min = 25\ntow = 0\n\n"
    "[mechanical_tow]\nshare = 13\nkinds = wheel_lift, flatbed\nonscene_min = 20\ntow = 1\n\n"
    "[accident_tow]\nshare = 6\nkinds = flatbed, heavy\nonscene_min = 35\ntow = 1\n\n"
    "[winch]\nshare = 2\nkinds = flatbed, heavy\nonscene_min = 45\ntow = 0\n";

static const char base_sla[] =
    "[warnings]\nnot_accepted_s = 300\ngps_stale_s = 45\nstalled_s = 300\n"
    "late_margin_s = 300\nwindow_pct = 80\n";

static const char base_demand[] =
    "[hours]\nh00 = 1\nh01 = 1\nh02 = 1\nh03 = 1\nh04 = 1\nh05 = 1\nh06 = 3\nh07 = 7\n"
    "h08 = 8\nh09 = 7\nh10 = 6\nh11 = 6\nh12 = 5\nh13 = 5\nh14 = 5\nh15 = 6\nh16 = 6\n"
    "h17 = 7\nh18 = 7\nh19 = 5\nh20 = 4\nh21 = 3\nh22 = 2\nh23 = 2\n";

/* Line numbers matter: the broken cases below expect them. */
static const char base_region[] =
    "[region]\n"                        /* 1 */
    "id = x\n"
    "name = Test Town\n"
    "name_zh = 测试镇\n"
    "class = county\n"                  /* 5 */
    "lat = 28.0\n"
    "lon = 112.0\n"
    "radius_km = 30\n"
    "detour = 1.5\n"
    "speed_peak_kmh = 25\n"             /* 10 */
    "speed_kmh = 35\n"
    "speed_expressway_kmh = 80\n"
    "promise_min = 60\n"
    "promise_expressway_min = 40\n"
    "calls_per_day = 40\n"              /* 15 */
    "expressway_share = 0.05\n"
    "auto_dispatch = 1\n"
    "\n"
    "[landmark]\n"
    "name = 北站 North Station\n"       /* 20 */
    "lat = 28.05\n"
    "lon = 112.0\n"
    "\n"
    "[landmark]\n"
    "name = 南站 South Station\n"       /* 25 */
    "lat = 27.95\n"
    "lon = 112.0\n"
    "\n"
    "[landmark]\n"
    "name = 东门 East Gate\n"           /* 30 */
    "lat = 28.0\n"
    "lon = 112.1\n"
    "\n"
    "[supplier]\n"
    "id = s1\n"                         /* 35 */
    "name = 测试救援\n"
    "lat = 28.0\n"
    "lon = 112.0\n"
    "offer_timeout_s = 60\n"
    "quality = 0.9\n"                   /* 40 */
    "accept_rate = 0.8\n"
    "van = 3\n"
    "flatbed = 1\n"
    "\n"
    "[supplier]\n"                      /* 45 */
    "id = s2\n"
    "name = 第二救援\n"
    "lat = 28.02\n"
    "lon = 112.02\n"
    "offer_timeout_s = 90\n"            /* 50 */
    "quality = 0.8\n"
    "accept_rate = 0.7\n"
    "heavy = 1\n";

static const struct {
	const char *file;
	const char *base;
} base_files[] = {
	{ "faults.ini", base_faults },
	{ "sla.ini", base_sla },
	{ "demand.ini", base_demand },
	{ "regions/x.ini", base_region },
};

static char tmpdir[64];

static void
write_file(const char *rel, const char *content)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof path, "%s/%s", tmpdir, rel);
	f = fopen(path, "w");
	ck_assert_msg(f != NULL, "cannot write %s", path);
	ck_assert_uint_eq(fwrite(content, 1, strlen(content), f), strlen(content));
	ck_assert_int_eq(fclose(f), 0);
}

static const char *
base_of(const char *rel)
{
	size_t i;

	for (i = 0; i < ARRAY_LEN(base_files); i++) {
		if (strcmp(base_files[i].file, rel) == 0)
			return base_files[i].base;
	}
	return NULL;
}

/* base with the first `from` replaced by `to` (caller frees); fails the test if absent. */
static char *
edit(const char *base, const char *from, const char *to)
{
	const char *at = strstr(base, from);
	char *out;

	ck_assert_msg(at != NULL, "fixture: '%s' not in the base file", from);
	xasprintf(&out, "%.*s%s%s", (int)(at - base), base, to, at + strlen(from));
	return out;
}

static void
tree_setup(void)
{
	char path[128];
	size_t i;

	snprintf(tmpdir, sizeof tmpdir, "/tmp/check-data-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
	snprintf(path, sizeof path, "%s/regions", tmpdir);
	ck_assert_int_eq(mkdir(path, 0700), 0);
	for (i = 0; i < ARRAY_LEN(base_files); i++)
		write_file(base_files[i].file, base_files[i].base);
}

static void
tree_teardown(void)
{
	rd_remove_tree(tmpdir);
}

START_TEST(test_tree_base)
{
	char *cause = NULL;
	struct data *d = data_load(tmpdir, &cause);
	const struct data_region *r;

	ck_assert_msg(d != NULL, "%s", cause);
	ck_assert_uint_eq(d->n_regions, 1);
	r = data_region(d, "x");
	ck_assert_ptr_nonnull(r);
	ck_assert_str_eq(r->name_zh, "测试镇");
	ck_assert_int_eq(r->klass, REGION_COUNTY);
	/* three [landmark] headers in a row are three landmarks */
	ck_assert_uint_eq(r->n_landmarks, 3);
	ck_assert_str_eq(r->landmarks[2].name, "东门 East Gate");
	ck_assert_double_eq(r->landmarks[1].lat, 27.95);
	ck_assert_uint_eq(r->n_suppliers, 2);
	ck_assert_str_eq(r->suppliers[1].id, "s2");
	ck_assert_int_eq(r->suppliers[0].fleet[TRUCK_KIND_VAN], 3);
	ck_assert_int_eq(r->suppliers[0].fleet[TRUCK_KIND_FLATBED], 1);
	ck_assert_int_eq(r->suppliers[0].fleet[TRUCK_KIND_HEAVY], 0);
	ck_assert_int_eq(r->suppliers[1].fleet[TRUCK_KIND_HEAVY], 1);
	/* defaults */
	ck_assert_int_eq(d->faults[FAULT_TYRE].prefer, -1);
	ck_assert_double_eq(d->faults[FAULT_TYRE].phone_fix_rate, 0);
	ck_assert_uint_eq(d->faults[FAULT_TYRE].kinds,
	    (1u << TRUCK_KIND_VAN) | (1u << TRUCK_KIND_WHEEL_LIFT));
	ck_assert_double_eq(d->faults[FAULT_BATTERY].phone_fix_rate, 0.01);
	ck_assert_str_eq(d->faults[FAULT_BATTERY].flow, "");
	ck_assert_int_eq(d->sla.window_pct, 80);
	ck_assert_double_eq(d->demand_by_hour[8], 8);
	data_free(d);
}
END_TEST

/* data/dispatch.ini is optional: the defaults without it, each key read with it, the rest
 * left at the defaults. */
START_TEST(test_tree_dispatch)
{
	char *cause = NULL;
	struct data *d = data_load(tmpdir, &cause);
	struct data_dispatch def;

	ck_assert_msg(d != NULL, "%s", cause);
	data_dispatch_default(&def);
	ck_assert_int_eq(d->dispatch.shortlist, def.shortlist);
	ck_assert_double_eq(d->dispatch.pref_s, def.pref_s);
	ck_assert_double_eq(d->dispatch.quality_s, def.quality_s);
	ck_assert_double_eq(d->dispatch.busy_factor, def.busy_factor);
	ck_assert_int_eq(d->dispatch.redispatch_gain_s, def.redispatch_gain_s);
	data_free(d);
	write_file("dispatch.ini", "[weights]\nquality_s = 150\nbusy_factor = 1.25\n"
	    "stale_after_s = 180\n");
	d = data_load(tmpdir, &cause);
	ck_assert_msg(d != NULL, "%s", cause);
	ck_assert_double_eq(d->dispatch.quality_s, 150);
	ck_assert_double_eq(d->dispatch.busy_factor, 1.25);
	ck_assert_int_eq(d->dispatch.stale_after_s, 180);
	ck_assert_double_eq(d->dispatch.pref_s, def.pref_s);
	ck_assert_int_eq(d->dispatch.shortlist, def.shortlist);
	data_free(d);
}
END_TEST

/* Syntax variants that must load like the base. */
static const struct {
	const char *what, *file, *from, *to;
	int crlf;
} good[] = {
	{ "byte-order mark", "regions/x.ini", "[region]\nid", "\xef\xbb\xbf[region]\nid", 0 },
	{ "indented key", "regions/x.ini", "lat = 28.0\n", "   \tlat = 28.0\n", 0 },
	{ "indented header", "regions/x.ini", "[supplier]\nid = s2", "  [supplier]\nid = s2", 0 },
	{ "inline comment", "regions/x.ini", "detour = 1.5\n", "detour = 1.5 ; road/line\n", 0 },
	{ "line comments", "regions/x.ini", "[landmark]\nname = 北站",
	    "; a comment\n# another\n[landmark]\nname = 北站", 0 },
	{ "colon", "regions/x.ini", "speed_kmh = 35", "speed_kmh: 35", 0 },
	{ "CRLF", "regions/x.ini", "", "", 1 },
	{ "CRLF faults", "faults.ini", "", "", 1 },
	{ "prefer none", "faults.ini", "prefer = van\n", "prefer = none\n", 0 },
	{ "shares within 1", "faults.ini", "share = 33\n", "share = 33.9\n", 0 },
	{ "hidden file skipped", "regions/.x.ini.swp", NULL, "garbage", 0 },
	{ "other extension skipped", "regions/x.ini.orig", NULL, "garbage", 0 },
};

START_TEST(test_tree_good)
{
	const char *base = base_of(good[_i].file);
	char *text, *cause = NULL, *p;
	struct data *d;

	if (good[_i].from == NULL)
		text = xstrdup(good[_i].to);
	else
		text = edit(base, good[_i].from, good[_i].to);
	if (good[_i].crlf) {
		char *crlf = xmalloc(2 * strlen(text) + 1), *q = crlf;

		for (p = text; *p != '\0'; p++) {
			if (*p == '\n')
				*q++ = '\r';
			*q++ = *p;
		}
		*q = '\0';
		free(text);
		text = crlf;
	}
	write_file(good[_i].file, text);
	free(text);
	d = data_load(tmpdir, &cause);
	ck_assert_msg(d != NULL, "%s: %s", good[_i].what, cause);
	ck_assert_uint_eq(d->n_regions, 1);
	ck_assert_uint_eq(d->regions[0].n_landmarks, 3);
	ck_assert_uint_eq(d->regions[0].n_suppliers, 2);
	ck_assert_double_eq(d->regions[0].lat, 28.0);
	ck_assert_double_eq(d->regions[0].detour, 1.5);
	ck_assert_double_eq(d->regions[0].speed_kmh, 35);
	ck_assert_str_eq(d->regions[0].name, "Test Town");
	data_free(d);
}
END_TEST

#define A10 "aaaaaaaaaa"
#define A100 A10 A10 A10 A10 A10 A10 A10 A10 A10 A10

enum op { EDIT, WRITE, REMOVE };

/* Broken trees: one edit each; the cause must contain `expect` and the file's name. */
static const struct {
	const char *file;
	enum op op;
	const char *from, *to, *expect;
} bad[] = {
	{ "regions/x.ini", EDIT, "lat = 28.0\n", "lat = 28.0x\n",
	    "x.ini:6: [region] lat: not a number: '28.0x'" },
	{ "regions/x.ini", EDIT, "lat = 28.0\n", "lat =\n", "x.ini:6: [region] lat: not a number" },
	{ "regions/x.ini", EDIT, "detour = 1.5\n", "detuor = 1.5\n",
	    "x.ini:9: [region] unknown key 'detuor'" },
	{ "faults.ini", EDIT, "kinds = van, wheel_lift\n", "kinds = van, bus\n",
	    "faults.ini:11: [tyre] kinds: unknown kind 'bus'" },
	{ "faults.ini", EDIT, "kinds = van, wheel_lift\n", "kinds = van, van\n",
	    "[tyre] kinds: kind 'van' listed twice" },
	{ "faults.ini", EDIT, "kinds = van, wheel_lift\n", "kinds = ,\n",
	    "[tyre] kinds: no truck kind given" },
	{ "regions/x.ini", EDIT, "id = x\n", "", "x.ini:1: missing [region] id" },
	{ "regions/x.ini", EDIT, "id = x\n", "id = X y\n", "[region] id: 'X y' is not a valid id" },
	{ "regions/x.ini", EDIT, "lat = 28.0\n", "lat = 95\n",
	    "x.ini:6: [region] lat: 95 is out of range [-90, 90]" },
	{ "regions/x.ini", EDIT, "lon = 112.0\n", "lon = -180.5\n",
	    "x.ini:7: [region] lon: -180.5 is out of range [-180, 180]" },
	{ "regions/x.ini", EDIT, "lat = 28.0\n", "lat = nan\n", "[region] lat: not a number" },
	{ "faults.ini", EDIT, "share = 33\n", "share = 30\n", "faults.ini: shares sum to 97, not 100" },
	{ "faults.ini", EDIT, "share = 33\n", "share = 101\n",
	    "[battery] share: 101 is out of range [0, 100]" },
	{ "demand.ini", EDIT, "h08 = 8\n", "h08 = 18\n", "demand.ini: [hours] shares sum to 110" },
	{ "demand.ini", EDIT, "h23 = 2\n", "", "demand.ini:1: missing [hours] h23" },
	{ "demand.ini", EDIT, "h23 = 2\n", "h24 = 2\n", "demand.ini:25: [hours] unknown key 'h24'" },
	{ "regions/x.ini", EDIT, "heavy = 1\n", "heavy = 0\n", "x.ini:45: [supplier] s2: no trucks" },
	{ "regions/x.ini", EDIT, "heavy = 1\n", "heavy = -1\n",
	    "x.ini:53: [supplier] heavy: -1 is out of range [0, 1000]" },
	{ "regions/x.ini", EDIT, "heavy = 1\n", "heavy = 1\nheavy = 2\n",
	    "x.ini:54: [supplier] heavy: given twice" },
	{ "regions/x.ini", EDIT, "detour = 1.5\n", "detour = 1.5\ndetour = 1.6\n",
	    "x.ini:10: [region] detour: given twice" },
	{ "faults.ini", EDIT, "[winch]\nshare = 2\nkinds = flatbed, heavy\nonscene_min = 45\ntow = 0\n",
	    "", "faults.ini: missing section [winch]" },
	{ "faults.ini", EDIT, "[winch]\n",
	    "[fuel]\nshare = 0\nkinds = van\nonscene_min = 1\ntow = 0\n\n[winch]\n",
	    "faults.ini:63: duplicate section [fuel] (first at line 15)" },
	{ "faults.ini", EDIT, "[winch]\n", "[wench]\n",
	    "faults.ini:63: unknown section [wench] (not a fault code)" },
	{ "faults.ini", EDIT, "prefer = van\n", "prefer = flatbed\n",
	    "faults.ini:1: [battery] prefer: 'flatbed' is not one of its kinds" },
	{ "faults.ini", EDIT, "prefer = van\n", "prefer = lorry\n",
	    "faults.ini:4: [battery] prefer: unknown kind 'lorry'" },
	{ "faults.ini", EDIT, "tow = 1\n", "tow = yes\n",
	    "[mechanical_tow] tow: must be 0 or 1, not 'yes'" },
	{ "faults.ini", EDIT, "phone_fix_rate = 0.01\n", "phone_fix_rate = 1.5\n",
	    "[battery] phone_fix_rate: 1.5 is out of range [0, 1]" },
	{ "faults.ini", EDIT, "phone_fix_rate = 0.01\n", "phone_fix_rate = 0.01\nflow = Bat\n",
	    "faults.ini:8: [battery] flow: 'Bat' is not a valid id (use a-z, 0-9, _ and -)" },
	{ "regions/y.ini", WRITE, NULL, base_region, "duplicate region id 'x'" },
	{ "regions/x.ini", EDIT, "[region]\n", "oops = 1\n[region]\n",
	    "x.ini:1: key 'oops' before the first [section]" },
	{ "regions/x.ini", EDIT, "[landmark]\nname = 东门", "[lanmark]\nname = 东门",
	    "x.ini:29: unknown section [lanmark]" },
	{ "regions/x.ini", EDIT, "speed_kmh = 35\n", "speed_kmh 35\n",
	    "x.ini:11: syntax error (expected key = value or [section])" },
	{ "regions/x.ini", EDIT, "lat = 27.95\n", "lat = 29.95\n",
	    "x.ini:24: [landmark] 南站 South Station: 217 km from the centre, outside radius_km 30" },
	{ "regions/x.ini", EDIT, "lat = 28.02\nlon = 112.02\n", "lat = 28.0\nlon = 111.0\n",
	    "[supplier] s2: depot 98 km from the centre" },
	{ "regions/x.ini", EDIT, "id = s2\n", "id = s1\n",
	    "x.ini:45: [supplier] id 's1' already used at line 34" },
	{ "regions/x.ini", REMOVE, NULL, NULL, "regions: no region files (*.ini)" },
	{ "sla.ini", REMOVE, NULL, NULL, "sla.ini: No such file or directory" },
	{ "sla.ini", EDIT, "window_pct = 80\n", "", "sla.ini:1: missing [warnings] window_pct" },
	{ "sla.ini", EDIT, "window_pct = 80\n", "window_pct = 0\n",
	    "sla.ini:6: [warnings] window_pct: 0 is out of range [1, 100]" },
	{ "sla.ini", EDIT, "[warnings]\n", "[warning]\n", "sla.ini:1: unknown section [warning]" },
	{ "sla.ini", WRITE, NULL, "; nothing\n", "sla.ini: missing section [warnings]" },
	{ "regions/x.ini", EDIT, "van = 3\n", "bus = 3\n", "x.ini:42: [supplier] unknown key 'bus'" },
	{ "regions/x.ini", EDIT, "name = Test Town\n", "name = " A100 A100 "\n",
	    "x.ini:3: line longer than" },
	{ "regions/x.ini", EDIT, "name = 东门 East Gate\n", "name = " A100 "\n",
	    "x.ini:30: [landmark] name: longer than 95 bytes" },
	{ "regions/x.ini", EDIT, "name = Test Town\n", "name = Test \xff Town\n",
	    "x.ini:3: [region] name: not valid UTF-8" },
	{ "regions/x.ini", EDIT, "name = Test Town\n", "name =\n", "x.ini:3: [region] name: empty" },
	{ "regions/x.ini", EDIT, "[supplier]\nid = s2", "[landmark]\n\n[supplier]\nid = s2",
	    "x.ini:45: empty section" },
	{ "regions/x.ini", EDIT, "heavy = 1\n", "heavy = 1\n[landmark]\n", "x.ini:54: empty section" },
	{ "regions/x.ini", EDIT, "heavy = 1\n", "heavy = 1\n\n[region]\nid = z\n",
	    "x.ini:55: duplicate section [region] (first at line 1)" },
	{ "regions/x.ini", EDIT, "[supplier]\nid = s2", "[supplier\nid = s2",
	    "x.ini:45: section header without ']'" },
	{ "regions/x.ini", EDIT, "class = county\n", "class = village\n",
	    "x.ini:5: [region] class: unknown class 'village'" },
	{ "regions/x.ini", EDIT, "auto_dispatch = 1\n", "auto_dispatch = yes\n",
	    "x.ini:17: [region] auto_dispatch: must be 0 or 1, not 'yes'" },
	{ "regions/x.ini", EDIT, "lat = 28.05\n", "lat = 28.05\nexpressway = 2\n",
	    "x.ini:22: [landmark] expressway: must be 0 or 1, not '2'" },
	{ "regions/x.ini", EDIT, "promise_min = 60\n", "promise_min = 45.5\n",
	    "x.ini:13: [region] promise_min: not an integer: '45.5'" },
	{ "regions/x.ini", EDIT, "promise_min = 60\n", "promise_min = 0\n",
	    "x.ini:13: [region] promise_min: 0 is out of range [1, 1440]" },
	{ "regions/x.ini", WRITE, NULL, "[landmark]\nname = A\nlat = 28\nlon = 112\n",
	    "x.ini: missing [region] section" },
	{ "regions/x.ini", EDIT,
	    "[landmark]\nname = 北站 North Station\nlat = 28.05\nlon = 112.0\n\n"
	    "[landmark]\nname = 南站 South Station\nlat = 27.95\nlon = 112.0\n\n"
	    "[landmark]\nname = 东门 East Gate\nlat = 28.0\nlon = 112.1\n\n", "",
	    "x.ini: no [landmark] section" },
	{ "dispatch.ini", WRITE, NULL, "[weights]\nquality_s = -1\n",
	    "dispatch.ini:2: [weights] quality_s: -1 is out of range [0, 86400]" },
	{ "dispatch.ini", WRITE, NULL, "[weights]\nqualty_s = 1\n",
	    "dispatch.ini:2: [weights] unknown key 'qualty_s'" },
	{ "dispatch.ini", WRITE, NULL, "[dispatch]\npref_s = 1\n",
	    "dispatch.ini:1: unknown section [dispatch] (expected [weights])" },
	{ "dispatch.ini", WRITE, NULL, "[weights]\nshortlist = 24\nwiden_max = 12\n",
	    "dispatch.ini:1: [weights] widen_max: 12 is less than shortlist (24)" },
};

START_TEST(test_tree_bad)
{
	const char *file = bad[_i].file, *name = strrchr(file, '/');
	char *text, *cause = NULL, path[256];
	struct data *d;

	name = name != NULL ? name + 1 : file;
	switch (bad[_i].op) {
	case EDIT:
		text = edit(base_of(file), bad[_i].from, bad[_i].to);
		write_file(file, text);
		free(text);
		break;
	case WRITE:
		write_file(file, bad[_i].to);
		break;
	case REMOVE:
		snprintf(path, sizeof path, "%s/%s", tmpdir, file);
		ck_assert_int_eq(unlink(path), 0);
		if (strcmp(file, "regions/x.ini") == 0)
			name = "regions";
		break;
	}
	d = data_load(tmpdir, &cause);
	ck_assert_msg(d == NULL, "case %d (%s) loaded", _i, bad[_i].expect);
	ck_assert_ptr_nonnull(cause);
	ck_assert_msg(strstr(cause, bad[_i].expect) != NULL, "case %d: cause '%s', expected '%s'",
	    _i, cause, bad[_i].expect);
	ck_assert_msg(strstr(cause, name) != NULL, "case %d: cause '%s' does not name %s", _i,
	    cause, name);
	ck_assert_msg(strncmp(cause, tmpdir, strlen(tmpdir)) == 0,
	    "case %d: cause '%s' does not start with the path", _i, cause);
	free(cause);

	/* cause is optional */
	ck_assert_ptr_null(data_load(tmpdir, NULL));
}
END_TEST

START_TEST(test_no_dir)
{
	char *cause = NULL;

	ck_assert_ptr_null(data_load("/nonexistent/rescuedesk-data", &cause));
	ck_assert_ptr_nonnull(strstr(cause, "/nonexistent/rescuedesk-data/faults.ini"));
	free(cause);
}
END_TEST

static Suite *
data_suite(void)
{
	Suite *s = suite_create("data");
	TCase *tc;

	tc = tcase_create("real");
	tcase_add_checked_fixture(tc, real_setup, real_teardown);
	tcase_add_test(tc, test_real_regions);
	tcase_add_test(tc, test_real_changsha);
	tcase_add_test(tc, test_where);
	tcase_add_test(tc, test_real_aba);
	tcase_add_test(tc, test_real_faults);
	tcase_add_test(tc, test_real_sla_demand);
	suite_add_tcase(s, tc);

	tc = tcase_create("helpers");
	tcase_add_test(tc, test_default_dir);
	tcase_add_test(tc, test_load_default_dir);
	tcase_add_test(tc, test_class_name);
	tcase_add_test(tc, test_no_dir);
	suite_add_tcase(s, tc);

	tc = tcase_create("valid");
	tcase_add_checked_fixture(tc, tree_setup, tree_teardown);
	tcase_add_test(tc, test_tree_base);
	tcase_add_test(tc, test_tree_dispatch);
	tcase_add_loop_test(tc, test_tree_good, 0, (int)ARRAY_LEN(good));
	suite_add_tcase(s, tc);

	tc = tcase_create("broken");
	tcase_add_checked_fixture(tc, tree_setup, tree_teardown);
	tcase_add_loop_test(tc, test_tree_bad, 0, (int)ARRAY_LEN(bad));
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(data_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
