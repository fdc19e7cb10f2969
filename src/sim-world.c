/* sim-world.c: the simulator's pure model (see sim-world.h). No I/O, no clock.
 *
 * The numbers (documented in man/rescuedesk-sim.1.scd):
 *   offers      answered after 20-120 s (accept) or 15-90 s (decline), but within 90% of
 *               the supplier's offer_timeout_s; a fifth of the refusals are silence,
 *               answered with a decline after 10 min
 *   departure   1-4 min after accepting; ETA quoted = (departure + travel) x 1.0-1.2,
 *               rounded up to 5 min, at least 10 min
 *   driving     region speed for the hour (peak 07-09, 17-19) x 0.85-1.15 per trip;
 *               expressway jobs drive the last 65% at expressway speed
 *   paths       3-6 points, length = region detour x great circle (x 1.5-2 with --detour)
 *   on scene    faults.ini onscene_min x lognormal (sigma 0.35, mean 1), 0.4x-3x
 *   tows        to a garage 5-15 km from the scene
 *   GPS         every 15 s from acceptance to arrival (and towing) and on a >= 30 degree
 *               turn, 120 s otherwise; 4 m noise
 *   shifts      per supplier and kind, the first 40% of trucks (at least one) work 24 h,
 *               the rest 07:00-22:00 local, +-30 min
 *   customers   3% cancel 5-30 min after calling (the car started, other help); the rest
 *               cancel if no truck has accepted after 1.0-1.6 x the promise
 *   next job    an offer to a truck on scene or towing is answered as usual; accepted, the
 *               ETA quoted is (time left on the job + preparation + the trip from where the
 *               job ends) x 1.0-1.2, and the truck goes there when the job is over */
#include "sim-world.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hmap.h"
#include "util.h"

#define SEC 1000LL
#define MIN (60 * SEC)
#define HOUR (60 * MIN)
#define DAY (24 * HOUR)

#define FIX_MOVING_MS (15 * SEC)
#define FIX_STILL_MS (120 * SEC)
#define TURN_DEG 30.0
#define GPS_NOISE_M 4.0

#define ACCEPT_MIN_MS (20 * SEC)
#define ACCEPT_MAX_MS (120 * SEC)
#define DECLINE_MIN_MS (15 * SEC)
#define DECLINE_MAX_MS (90 * SEC)
#define ANSWER_WINDOW 0.9 /* answers come within this share of the supplier's timeout */
#define SILENT_SHARE 0.2
#define SILENT_MS (10 * MIN)
#define BUSY_DECLINE_MIN_MS (10 * SEC)
#define BUSY_DECLINE_MAX_MS (40 * SEC)
#define PREP_MIN_MS (1 * MIN)
#define PREP_MAX_MS (4 * MIN)
#define ETA_ROUND_S 300
#define ETA_MIN_S 600
#define SPEED_JITTER 0.15
#define EXPRESSWAY_FROM 0.35
#define ONSCENE_SIGMA 0.35
#define GARAGE_MIN_M 5000.0
#define GARAGE_MAX_M 15000.0
#define HOME_RADIUS_M 300.0
#define DETOUR_MIN 1.5
#define DETOUR_MAX 2.0
#define STALL_MIN_MS (8 * MIN)
#define STALL_MAX_MS (20 * MIN)
#define DROPOUT_MIN_MS (5 * MIN)
#define DROPOUT_MAX_MS (15 * MIN)
#define FULL_SHIFT_SHARE 0.4
#define SHIFT_ON_MIN (7 * 60)
#define SHIFT_OFF_MIN (22 * 60)
#define SHIFT_JITTER_MIN 30
#define SELF_CANCEL_P 0.03
#define SELF_CANCEL_MIN_MS (5 * MIN)
#define SELF_CANCEL_MAX_MS (30 * MIN)
#define PATIENCE_MIN 1.0
#define PATIENCE_MAX 1.6
#define SEEN_MAX 8

/* ------------------------------------------------------------------ time and demand */

static int64_t
floor_mod(int64_t a, int64_t m)
{
	int64_t r = a % m;

	return r < 0 ? r + m : r;
}

int
sim_world_local_hour(int64_t t_ms, int tz_offset_s)
{
	return (int)(floor_mod(t_ms + (int64_t)tz_offset_s * SEC, DAY) / HOUR);
}

/* The first time after t at which the local time of day is minute m (0..1439). */
static int64_t
next_local_minute(int64_t t, int tz_offset_s, int m)
{
	int64_t into = floor_mod(t + (int64_t)tz_offset_s * SEC, DAY);
	int64_t want = floor_mod((int64_t)m * MIN, DAY);
	int64_t dt = want - into;

	if (dt <= 0)
		dt += DAY;
	return t + dt;
}

int64_t
sim_world_next_arrival(struct rng *r, const double per_hour[24], int64_t now_ms,
    int tz_offset_s)
{
	int64_t t = now_ms;
	bool any = false;

	for (int h = 0; h < 24; h++)
		if (per_hour[h] > 0)
			any = true;
	if (!any)
		return INT64_MAX;
	for (;;) {
		int64_t end = t + (HOUR - floor_mod(t + (int64_t)tz_offset_s * SEC, HOUR));
		double rate = per_hour[sim_world_local_hour(t, tz_offset_s)];

		if (rate > 0) {
			/* memoryless: a draw that overshoots the hour restarts at its end */
			double dt = rng_exp(r, (double)HOUR / rate);
			if ((double)t + dt < (double)end)
				return t + (int64_t)dt;
		}
		t = end;
	}
}

enum ticket_fault
sim_world_pick_fault(struct rng *r, const struct data *d)
{
	double w[FAULT_COUNT];

	for (int f = 0; f < FAULT_COUNT; f++)
		w[f] = d->faults[f].share;
	return (enum ticket_fault)rng_pick(r, w, FAULT_COUNT);
}

double
sim_world_speed_kmh(const struct data_region *reg, int hour, bool expressway)
{
	if (expressway)
		return reg->speed_expressway_kmh;
	if (hour == 7 || hour == 8 || hour == 17 || hour == 18)
		return reg->speed_peak_kmh;
	return reg->speed_kmh;
}

/* ------------------------------------------------------------------ customers */

struct wstr {
	const char *s;
	double w;
};

static const char *
pick_wstr(struct rng *r, const struct wstr *t, size_t n)
{
	double w[128];

	if (n > ARRAY_LEN(w))
		n = ARRAY_LEN(w);
	for (size_t i = 0; i < n; i++)
		w[i] = t[i].w;
	return t[rng_pick(r, w, n)].s;
}

static const char *
pick_str(struct rng *r, const char *const *t, size_t n)
{
	return t[rng_below(r, (uint32_t)n)];
}

/* The hundred commonest surnames, weights roughly in percent of the population. */
static const struct wstr surnames[] = {
	{ "王", 7.1 }, { "李", 7.0 }, { "张", 6.7 }, { "刘", 5.4 }, { "陈", 4.5 },
	{ "杨", 3.1 }, { "黄", 2.2 }, { "赵", 2.0 }, { "吴", 2.0 }, { "周", 1.9 },
	{ "徐", 1.5 }, { "孙", 1.5 }, { "马", 1.2 }, { "朱", 1.2 }, { "胡", 1.1 },
	{ "郭", 1.1 }, { "何", 1.0 }, { "高", 1.0 }, { "林", 1.0 }, { "罗", 0.9 },
	{ "郑", 0.8 }, { "梁", 0.8 }, { "谢", 0.7 }, { "宋", 0.6 }, { "唐", 0.6 },
	{ "许", 0.6 }, { "韩", 0.6 }, { "冯", 0.5 }, { "邓", 0.5 }, { "曹", 0.5 },
	{ "彭", 0.5 }, { "曾", 0.5 }, { "肖", 0.4 }, { "田", 0.4 }, { "董", 0.4 },
	{ "袁", 0.4 }, { "潘", 0.4 }, { "于", 0.4 }, { "蒋", 0.4 }, { "蔡", 0.4 },
	{ "余", 0.4 }, { "杜", 0.4 }, { "叶", 0.4 }, { "程", 0.3 }, { "苏", 0.3 },
	{ "魏", 0.3 }, { "吕", 0.3 }, { "丁", 0.3 }, { "任", 0.3 }, { "沈", 0.3 },
	{ "姚", 0.3 }, { "卢", 0.3 }, { "姜", 0.3 }, { "崔", 0.3 }, { "钟", 0.3 },
	{ "谭", 0.3 }, { "陆", 0.3 }, { "汪", 0.3 }, { "范", 0.3 }, { "金", 0.3 },
	{ "石", 0.3 }, { "廖", 0.3 }, { "贾", 0.3 }, { "夏", 0.3 }, { "韦", 0.3 },
	{ "付", 0.3 }, { "方", 0.3 }, { "白", 0.3 }, { "邹", 0.3 }, { "孟", 0.3 },
	{ "熊", 0.3 }, { "秦", 0.3 }, { "邱", 0.3 }, { "江", 0.3 }, { "尹", 0.3 },
	{ "薛", 0.2 }, { "段", 0.2 }, { "雷", 0.2 }, { "侯", 0.2 }, { "龙", 0.2 },
	{ "史", 0.2 }, { "陶", 0.2 }, { "黎", 0.2 }, { "贺", 0.2 }, { "顾", 0.2 },
	{ "毛", 0.2 }, { "郝", 0.2 }, { "龚", 0.2 }, { "邵", 0.2 }, { "万", 0.2 },
	{ "钱", 0.2 }, { "严", 0.2 }, { "覃", 0.2 }, { "武", 0.2 }, { "戴", 0.2 },
	{ "莫", 0.2 }, { "孔", 0.2 }, { "向", 0.2 }, { "汤", 0.2 }, { "欧阳", 0.1 },
};

static const char *const given_m[] = {
	"伟", "强", "磊", "军", "洋", "勇", "杰", "涛", "明", "超", "斌", "鹏", "辉",
	"刚", "建", "华", "平", "峰", "浩", "宇", "轩", "博", "文", "俊", "志", "海",
	"亮", "林", "波", "鑫", "晨", "凯", "东", "旭", "阳", "健", "龙", "飞", "国",
	"宏", "毅", "彬", "锋", "军", "智", "子", "睿", "嘉", "成", "永",
};

static const char *const given_f[] = {
	"芳", "娜", "敏", "静", "丽", "艳", "娟", "霞", "燕", "玲", "婷", "雪", "慧",
	"颖", "琳", "欣", "怡", "悦", "佳", "倩", "萍", "红", "梅", "兰", "英", "琴",
	"晶", "莉", "璐", "瑶", "晓", "思", "雨", "梦", "婧", "妍", "雯", "丹", "珊",
	"秀",
};

/* Tibetan personal names (Aba): two of them make a full name, no surname. */
static const char *const tibetan_m[] = {
	"扎西", "多吉", "次仁", "格桑", "丹增", "尼玛", "旦增", "平措", "洛桑", "索朗",
	"泽仁", "降措",
};
static const char *const tibetan_f[] = {
	"卓玛", "拉姆", "央金", "措姆", "德吉", "央宗", "曲珍", "白玛", "泽仁", "卓嘎",
};

static void
make_name(struct rng *r, bool female, double tibetan_share, char *out, size_t outsz)
{
	char buf[64];

	if (rng_uniform(r) < tibetan_share) {
		const char *a = pick_str(r, tibetan_m, ARRAY_LEN(tibetan_m));
		const char *b = female ? pick_str(r, tibetan_f, ARRAY_LEN(tibetan_f)) :
		    pick_str(r, tibetan_m, ARRAY_LEN(tibetan_m));
		if (strcmp(a, b) == 0)
			b = female ? tibetan_f[0] : tibetan_m[1];
		snprintf(buf, sizeof buf, "%s%s", a, b);
	} else {
		const char *const *g = female ? given_f : given_m;
		size_t ng = female ? ARRAY_LEN(given_f) : ARRAY_LEN(given_m);
		const char *s = pick_wstr(r, surnames, ARRAY_LEN(surnames));
		const char *g1 = pick_str(r, g, ng);
		if (rng_uniform(r) < 0.6)
			snprintf(buf, sizeof buf, "%s%s%s", s, g1, pick_str(r, g, ng));
		else
			snprintf(buf, sizeof buf, "%s%s", s, g1);
	}
	rd_strlcpy(out, buf, outsz);
}

/* Mobile prefixes of China Mobile, Unicom, Telecom and Broadnet. */
static const char *const phone_prefix[] = {
	"130", "131", "132", "133", "134", "135", "136", "137", "138", "139", "147", "150",
	"151", "152", "153", "155", "156", "157", "158", "159", "166", "172", "173", "175",
	"176", "177", "178", "180", "181", "182", "183", "184", "185", "186", "187", "188",
	"189", "191", "192", "193", "195", "196", "197", "198", "199",
};

void
sim_world_phone(struct rng *r, char *out, size_t outsz)
{
	char buf[16];
	uint32_t rest = rng_below(r, 100000000u);

	snprintf(buf, sizeof buf, "%s%08u", pick_str(r, phone_prefix, ARRAY_LEN(phone_prefix)),
	    (unsigned)rest);
	rd_strlcpy(out, buf, outsz);
}

/* What the simulator knows about a region beyond data/: plates, districts and roads. */
struct area {
	const char *name;
	double lat, lon;
	const char *roads[6];
};

struct flavour {
	const char *region;
	const struct wstr *plates; /* first: local; the rest visitors */
	size_t n_plates;
	double visitors;           /* share of cars registered elsewhere */
	double tibetan;            /* share of callers with Tibetan names */
	const struct area *areas;
	size_t n_areas;
};

static const struct wstr plates_changsha[] = {
	{ "湘A", 1 }, { "湘C", 3 }, { "湘B", 2 }, { "湘F", 2 }, { "湘K", 1 }, { "湘E", 1 },
	{ "湘D", 1 }, { "粤B", 1 }, { "鄂A", 1 }, { "赣A", 0.5 },
};
static const struct wstr plates_aba[] = {
	{ "川U", 1 }, { "川A", 6 }, { "川F", 1 }, { "川B", 0.5 }, { "渝A", 1 }, { "陕A", 0.5 },
	{ "甘A", 0.5 }, { "青A", 0.5 },
};
static const struct wstr plates_other[] = {
	{ "湘A", 1 },
};

static const struct area areas_changsha[] = {
	{ "芙蓉区", 28.193, 113.031, { "五一大道", "芙蓉中路", "八一路", "韶山北路", "人民东路" } },
	{ "天心区", 28.114, 112.990, { "书院路", "芙蓉南路", "劳动西路", "湘府中路", "新韶东路" } },
	{ "岳麓区", 28.235, 112.931, { "麓山南路", "枫林三路", "金星中路", "岳麓大道", "桐梓坡路",
	    "潇湘中路" } },
	{ "开福区", 28.256, 112.986, { "湘江中路", "芙蓉北路", "三一大道", "营盘路", "开福寺路" } },
	{ "雨花区", 28.136, 113.036, { "韶山中路", "万家丽中路", "劳动东路", "香樟路", "东二环" } },
	{ "望城区", 28.347, 112.820, { "雷锋大道", "郭亮路", "金星北路", "旺旺路" } },
	{ "长沙县", 28.247, 113.080, { "星沙大道", "开元路", "板仓路", "东八线" } },
};
static const struct area areas_ningxiang[] = {
	{ "玉潭街道", 28.253, 112.553, { "花明北路", "玉潭北路", "新康路", "人民路" } },
	{ "白马桥街道", 28.270, 112.590, { "春城路", "白马大道", "金洲大道" } },
	{ "历经铺街道", 28.300, 112.610, { "金洲大道", "创业大道" } },
	{ "金洲镇", 28.295, 112.675, { "金洲大道", "金水路" } },
	{ "花明楼镇", 28.060, 112.560, { "花明路", "S208省道" } },
	{ "灰汤镇", 28.045, 112.350, { "温泉路", "S208省道" } },
	{ "道林镇", 28.130, 112.700, { "道林路", "S209省道" } },
	{ "双江口镇", 28.400, 112.410, { "双江路", "S209省道" } },
};
static const struct area areas_aba[] = {
	{ "马尔康市", 31.905, 102.221, { "达萨街", "马江街", "团结街", "G317国道" } },
	{ "金川县", 31.476, 102.064, { "新街", "G248国道" } },
	{ "小金县", 30.999, 102.364, { "新街", "G350国道" } },
	{ "理县", 31.436, 103.166, { "建设路", "G317国道" } },
	{ "汶川县", 31.477, 103.590, { "岷江路", "G213国道" } },
	{ "茂县", 31.682, 103.853, { "凤仪大道", "G213国道" } },
	{ "松潘县", 32.655, 103.600, { "进安路", "G213国道" } },
	{ "九寨沟县", 33.262, 104.236, { "永丰路", "G544国道" } },
	{ "黑水县", 32.062, 102.990, { "S302省道" } },
	{ "红原县", 32.790, 102.545, { "G248国道" } },
	{ "若尔盖县", 33.578, 102.962, { "G213国道" } },
	{ "阿坝县", 32.902, 101.706, { "G347国道" } },
};

static const struct flavour flavours[] = {
	{ "changsha", plates_changsha, ARRAY_LEN(plates_changsha), 0.10, 0.0,
	    areas_changsha, ARRAY_LEN(areas_changsha) },
	{ "ningxiang", plates_changsha, ARRAY_LEN(plates_changsha), 0.08, 0.0,
	    areas_ningxiang, ARRAY_LEN(areas_ningxiang) },
	{ "aba", plates_aba, ARRAY_LEN(plates_aba), 0.35, 0.3,
	    areas_aba, ARRAY_LEN(areas_aba) },
};

static const struct flavour flavour_other = {
	"", plates_other, ARRAY_LEN(plates_other), 0.0, 0.0, NULL, 0
};

static const char *const generic_roads[] = {
	"人民路", "解放路", "建设路", "中山路", "新华路", "胜利路", "和平路", "迎宾路",
	"东风路", "环城路", "滨江路", "工业大道",
};

static const struct flavour *
flavour_of(const char *region)
{
	for (size_t i = 0; i < ARRAY_LEN(flavours); i++)
		if (strcmp(flavours[i].region, region) == 0)
			return &flavours[i];
	return &flavour_other;
}

static const char plate_letters[] = "ABCDEFGHJKLMNPQRSTUVWXYZ"; /* no I, O */

void
sim_world_plate(struct rng *r, const char *region, char nev, char *out, size_t outsz)
{
	const struct flavour *fl = flavour_of(region);
	const char *prefix = fl->plates[0].s;
	char body[8];
	char buf[32];
	size_t i;

	if (fl->n_plates > 1 && rng_uniform(r) < fl->visitors)
		prefix = pick_wstr(r, fl->plates + 1, fl->n_plates - 1);
	if (nev) {
		/* small new-energy car: D (electric) or F (hybrid), a letter or digit, 4 digits */
		body[0] = nev == 'F' ? 'F' : 'D';
		body[1] = rng_uniform(r) < 0.3 ?
		    plate_letters[rng_below(r, sizeof plate_letters - 1)] :
		    (char)('0' + rng_below(r, 10));
		for (i = 2; i < 6; i++)
			body[i] = (char)('0' + rng_below(r, 10));
		body[6] = '\0';
	} else {
		/* five characters, at most two letters, the last one a digit */
		uint32_t letters = rng_pick(r, (const double[]){ 3, 4, 3 }, 3);
		for (i = 0; i < 5; i++)
			body[i] = (char)('0' + rng_below(r, 10));
		for (uint32_t k = 0; k < letters; k++) {
			size_t pos = rng_below(r, 4);
			body[pos] = plate_letters[rng_below(r, sizeof plate_letters - 1)];
		}
		body[5] = '\0';
	}
	snprintf(buf, sizeof buf, "%s%s", prefix, body);
	rd_strlcpy(out, buf, outsz);
}

struct car {
	const char *model;
	double w;
	char nev; /* 'D' battery electric, 'F' plug-in hybrid, 0 petrol */
};

static const struct car cars[] = {
	{ "大众朗逸", 6, 0 }, { "日产轩逸", 6, 0 }, { "丰田卡罗拉", 4, 0 },
	{ "本田思域", 2, 0 }, { "别克英朗", 3, 0 }, { "大众速腾", 3, 0 },
	{ "丰田凯美瑞", 2, 0 }, { "本田雅阁", 2, 0 }, { "哈弗H6", 4, 0 },
	{ "吉利帝豪", 3, 0 }, { "长安CS75", 3, 0 }, { "大众宝来", 3, 0 },
	{ "五菱宏光", 3, 0 }, { "吉利博越", 2, 0 }, { "奥迪A4L", 1.5, 0 },
	{ "宝马3系", 1.5, 0 }, { "奔驰C级", 1.5, 0 }, { "本田CR-V", 2, 0 },
	{ "丰田RAV4荣放", 2, 0 }, { "大众途观L", 2, 0 }, { "长城炮", 1, 0 },
	{ "丰田普拉多", 0.5, 0 }, { "别克GL8", 1.5, 0 },
	{ "比亚迪秦PLUS EV", 4, 'D' }, { "比亚迪宋PLUS DM-i", 3, 'F' }, { "比亚迪海豚", 2, 'D' },
	{ "特斯拉Model Y", 2, 'D' }, { "特斯拉Model 3", 1.5, 'D' },
	{ "五菱宏光MINI EV", 2, 'D' }, { "广汽埃安S", 1.5, 'D' }, { "小鹏P7", 1, 'D' },
	{ "蔚来ES6", 1, 'D' }, { "理想L7", 1, 'F' },
};

#define EV_SHARE 0.12

static const struct car *
pick_car(struct rng *r, bool ev)
{
	double w[ARRAY_LEN(cars)];

	for (size_t i = 0; i < ARRAY_LEN(cars); i++)
		w[i] = (cars[i].nev != 0) == ev ? cars[i].w : 0;
	return &cars[rng_pick(r, w, ARRAY_LEN(cars))];
}

/* The Chinese part of a landmark name: up to its last token with a non-ASCII byte. */
static void
landmark_cn(const char *name, char *out, size_t outsz)
{
	size_t end = 0, i = 0;
	bool wide = false;

	for (;; i++) {
		unsigned char c = (unsigned char)name[i];
		if (c == ' ' || c == '\0') {
			if (wide)
				end = i;
			wide = false;
			if (c == '\0')
				break;
			continue;
		}
		if (c >= 0x80)
			wide = true;
	}
	if (end == 0)
		end = strlen(name);
	if (end + 1 < outsz)
		outsz = end + 1;
	rd_strlcpy(out, name, outsz);
}

static bool
is_expressway(const struct data_landmark *lm)
{
	return strstr(lm->name, "高速") != NULL;
}

static const struct area *
nearest_area(const struct flavour *fl, struct geo_point p)
{
	const struct area *best = NULL;
	double bd = 0;

	for (size_t i = 0; i < fl->n_areas; i++) {
		const struct area *a = &fl->areas[i];
		double dd = geo_distance_m(p, (struct geo_point){ a->lat, a->lon });
		if (best == NULL || dd < bd) {
			best = &fl->areas[i];
			bd = dd;
		}
	}
	return best;
}

static size_t
area_roads(const struct area *a)
{
	size_t n = 0;

	while (n < ARRAY_LEN(a->roads) && a->roads[n] != NULL)
		n++;
	return n;
}

static void
append(char *dst, size_t dstsz, const char *sep, const char *s)
{
	size_t n = strlen(dst);

	if (n > 0 && n < dstsz)
		n += rd_strlcpy(dst + n, sep, dstsz - n);
	if (n < dstsz)
		rd_strlcpy(dst + n, s, dstsz - n);
}

static void
city_name(const struct data_region *reg, char *out, size_t outsz)
{
	size_t n = strlen(reg->name_zh);
	static const char *const ends[] = { "市", "州", "县", "区", "盟" };

	for (size_t i = 0; i < ARRAY_LEN(ends); i++) {
		size_t m = strlen(ends[i]);
		if (n >= m && strcmp(reg->name_zh + n - m, ends[i]) == 0) {
			rd_strlcpy(out, reg->name_zh, outsz);
			return;
		}
	}
	rd_strlcpy(out, reg->name_zh, outsz);
	append(out, outsz, "", "市");
}

/* A point uniform in the disk of radius_m around c. */
static struct geo_point
in_disk(struct rng *r, struct geo_point c, double radius_m)
{
	double b = rng_range(r, 0, 360);
	double d = radius_m * sqrt(rng_uniform(r));

	return geo_destination(c, b, d);
}

static const char *const notes_any[] = {
	"车停在地下车库负二层", "客户在车旁等候", "到达前请先电话联系", "车停在小区门口",
	"手机电量不多，请尽快联系", "车停在加油站旁边", "钥匙在客户手上",
	"客户不太会描述位置，请电话确认",
	"车停在路边临时停车位", "客户要求开发票",
};

static const char *const lm_suffix[] = { "", "", "停车场", "东门", "西门", "南广场", "地下停车场" };

void
sim_world_intake_make(struct rng *r, const struct data *d, const struct data_region *reg,
    int64_t now_ms, int tz_offset_s, struct sim_world_intake *out)
{
	const struct flavour *fl = flavour_of(reg->id);
	struct geo_point centre = { reg->lat, reg->lon };
	struct geo_point p = centre;
	const struct data_landmark *at = NULL; /* the landmark the call is at */
	size_t ex[64], plain[64], n_ex = 0, n_plain = 0;
	double p_landmark;
	char city[DATA_NAME_MAX + 8], cn[DATA_NAME_MAX], where[200];
	int hour = sim_world_local_hour(now_ms, tz_offset_s);
	bool night = hour >= 21 || hour < 6;
	bool female, ev;
	const struct car *car;
	const struct area *area;

	memset(out, 0, sizeof *out);
	rd_strlcpy(out->region, reg->id, sizeof out->region);
	out->fault = sim_world_pick_fault(r, d);
	female = rng_uniform(r) < 0.3;
	make_name(r, female, fl->tibetan, out->customer, sizeof out->customer);
	sim_world_phone(r, out->phone, sizeof out->phone);
	ev = out->fault == FAULT_EV || rng_uniform(r) < EV_SHARE;
	car = pick_car(r, ev);
	rd_strlcpy(out->model, car->model, sizeof out->model);
	sim_world_plate(r, reg->id, car->nev, out->plate, sizeof out->plate);

	for (size_t i = 0; i < reg->n_landmarks; i++) {
		if (is_expressway(&reg->landmarks[i])) {
			if (n_ex < ARRAY_LEN(ex))
				ex[n_ex++] = i;
		} else if (n_plain < ARRAY_LEN(plain)) {
			plain[n_plain++] = i;
		}
	}
	city_name(reg, city, sizeof city);
	switch (reg->klass) {
	case REGION_CITY:
		p_landmark = 0.2;
		break;
	case REGION_COUNTY:
		p_landmark = 0.25;
		break;
	default:
		p_landmark = 0.35;
		break;
	}

	if (n_ex > 0 && rng_uniform(r) < reg->expressway_share) {
		/* on an expressway near one of its landmarks */
		const struct data_landmark *lm = &reg->landmarks[ex[rng_below(r,
		    (uint32_t)n_ex)]];
		double off = rng_range(r, 200, 6000);
		char road[DATA_NAME_MAX];
		const char *place;

		p = geo_destination((struct geo_point){ lm->lat, lm->lon },
		    rng_range(r, 0, 360), off);
		landmark_cn(lm->name, cn, sizeof cn);
		rd_strlcpy(road, cn, sizeof road);
		place = "";
		char *sp = strchr(road, ' ');
		if (sp != NULL) {
			*sp = '\0';
			place = cn + (sp - road) + 1;
		}
		snprintf(out->address, sizeof out->address, "%s K%u+%03u %s%s%s", road,
		    10 + rng_below(r, 1800), rng_below(r, 10) * 100,
		    rng_uniform(r) < 0.5 ? "上行" : "下行", place[0] ? " " : "",
		    place[0] ? place : "");
		if (place[0])
			append(out->address, sizeof out->address, "", "附近");
		if (off < 1500)
			at = lm;
		out->flags |= TICKET_FLAG_EXPRESSWAY;
	} else if (n_plain > 0 && rng_uniform(r) < p_landmark) {
		/* at a landmark: a station, a park, the airport */
		const struct data_landmark *lm = &reg->landmarks[plain[rng_below(r,
		    (uint32_t)n_plain)]];
		p = in_disk(r, (struct geo_point){ lm->lat, lm->lon }, 400);
		landmark_cn(lm->name, cn, sizeof cn);
		area = nearest_area(fl, p);
		snprintf(out->address, sizeof out->address, "%s%s%s%s", city,
		    area != NULL ? area->name : "", cn,
		    pick_str(r, lm_suffix, ARRAY_LEN(lm_suffix)));
		append(out->address, sizeof out->address, "", "附近");
		at = lm;
	} else {
		/* anywhere: cities and counties around the centre (denser inside half the
		 * radius), rural areas along the roads near towns */
		for (int tries = 0; tries < 16; tries++) {
			if (reg->klass == REGION_RURAL && n_plain > 0) {
				size_t j = plain[rng_below(r, (uint32_t)n_plain)];
				const struct data_landmark *lm = &reg->landmarks[j];
				p = in_disk(r, (struct geo_point){ lm->lat, lm->lon }, 15000);
			} else {
				double scale = rng_uniform(r) < 0.7 ? 0.5 : 1.0;
				p = in_disk(r, centre, reg->radius_km * 1000 * scale);
			}
			if (geo_distance_m(p, centre) <= reg->radius_km * 1000)
				break;
			p = centre;
		}
		area = nearest_area(fl, p);
		if (area != NULL) {
			size_t nr = area_roads(area);
			const char *road = area->roads[rng_below(r, (uint32_t)nr)];
			if (strstr(road, "国道") != NULL || strstr(road, "省道") != NULL)
				snprintf(where, sizeof where, "%s%sK%u+%03u处", area->name, road,
				    10 + rng_below(r, 600),
				    rng_below(r, 10) * 100);
			else
				snprintf(where, sizeof where, "%s%s%u号", area->name, road,
				    1 + rng_below(r, 400));
		} else {
			snprintf(where, sizeof where, "%s%u号",
			    pick_str(r, generic_roads, ARRAY_LEN(generic_roads)),
			    1 + rng_below(r, 400));
		}
		rd_strlcpy(out->address, city, sizeof out->address);
		append(out->address, sizeof out->address, "", where);
	}
	out->lat = p.lat;
	out->lon = p.lon;
	if (at != NULL)
		rd_strlcpy(out->landmark, at->name, sizeof out->landmark);

	/* flags at low rates; notes for a quarter of the calls */
	if (female && night && rng_uniform(r) < 0.35)
		out->flags |= TICKET_FLAG_ALONE_NIGHT;
	if (rng_uniform(r) < 0.04)
		out->flags |= TICKET_FLAG_VULNERABLE;
	if (rng_uniform(r) < (out->fault == FAULT_ACCIDENT_TOW ? 0.25 : 0.002))
		out->flags |= TICKET_FLAG_INJURY;
	if (out->flags & TICKET_FLAG_INJURY)
		append(out->notes, sizeof out->notes, "；", "有人受伤，已报120");
	if (out->flags & TICKET_FLAG_VULNERABLE)
		append(out->notes, sizeof out->notes, "；", "车上有老人和小孩");
	if (out->flags & TICKET_FLAG_ALONE_NIGHT)
		append(out->notes, sizeof out->notes, "；", "女士独自一人，夜间");
	if (out->flags & TICKET_FLAG_EXPRESSWAY)
		append(out->notes, sizeof out->notes, "；", "已放三角警示牌，人员已撤到护栏外");
	if (rng_uniform(r) < 0.25)
		append(out->notes, sizeof out->notes, "；",
		    pick_str(r, notes_any, ARRAY_LEN(notes_any)));
}

/* ------------------------------------------------------------------ paths */

static void
path_cum(struct sim_world_path *p)
{
	p->cum_m[0] = 0;
	for (size_t i = 1; i < p->n; i++)
		p->cum_m[i] = p->cum_m[i - 1] + geo_distance_m(p->pt[i - 1], p->pt[i]);
}

/* Build the interior points for lateral scale s (metres per unit of z). */
static void
path_shape(struct sim_world_path *p, struct geo_point a, struct geo_point b, double bearing,
    double dist, const double *t, const double *z, size_t k, double s)
{
	p->n = k + 2;
	p->pt[0] = a;
	for (size_t i = 0; i < k; i++) {
		struct geo_point base = geo_destination(a, bearing, t[i] * dist);
		p->pt[i + 1] = geo_destination(base, bearing + 90.0, s * z[i]);
	}
	p->pt[k + 1] = b;
	path_cum(p);
}

void
sim_world_path_make(struct sim_world_path *p, struct rng *r, struct geo_point a,
    struct geo_point b, double detour)
{
	double dist = geo_distance_m(a, b);
	double t[SIM_WORLD_PATH_MAX], z[SIM_WORLD_PATH_MAX];
	size_t k = 1 + rng_below(r, 4); /* 1-4 interior points: 3-6 in all */
	double bearing, target, lo, hi;
	double sign = rng_uniform(r) < 0.5 ? -1.0 : 1.0;

	for (size_t i = 0; i < k; i++) {
		t[i] = ((double)i + 1 + rng_range(r, -0.3, 0.3)) / (double)(k + 1);
		z[i] = sign * rng_range(r, 0.3, 1.0);
		if (rng_uniform(r) < 0.5)
			sign = -sign;
	}
	if (dist < 1.0 || detour <= 1.0 + 1e-6) {
		p->n = 2;
		p->pt[0] = a;
		p->pt[1] = b;
		path_cum(p);
		return;
	}
	bearing = geo_bearing_deg(a, b);
	target = detour * dist;
	lo = 0;
	hi = dist;
	for (int i = 0; i < 60; i++) {
		path_shape(p, a, b, bearing, dist, t, z, k, hi);
		if (p->cum_m[p->n - 1] >= target)
			break;
		lo = hi;
		hi *= 2;
	}
	for (int i = 0; i < 100; i++) {
		double mid = (lo + hi) / 2;
		path_shape(p, a, b, bearing, dist, t, z, k, mid);
		double len = p->cum_m[p->n - 1];
		if (fabs(len - target) <= target * 1e-4)
			return;
		if (len < target)
			lo = mid;
		else
			hi = mid;
	}
	path_shape(p, a, b, bearing, dist, t, z, k, (lo + hi) / 2);
}

double
sim_world_path_length(const struct sim_world_path *p)
{
	return p->n > 0 ? p->cum_m[p->n - 1] : 0;
}

struct geo_point
sim_world_path_at(const struct sim_world_path *p, double along_m, double *heading)
{
	size_t i;

	if (p->n == 0)
		return (struct geo_point){ 0, 0 };
	if (p->n == 1 || along_m >= p->cum_m[p->n - 1]) {
		/* the heading of the last segment with a length */
		if (heading != NULL) {
			*heading = 0;
			for (i = p->n - 1; i > 0; i--) {
				if (p->cum_m[i] > p->cum_m[i - 1]) {
					*heading = geo_bearing_deg(p->pt[i - 1], p->pt[i]);
					break;
				}
			}
		}
		return p->pt[p->n - 1];
	}
	if (along_m < 0)
		along_m = 0;
	for (i = 0; i + 2 < p->n && along_m >= p->cum_m[i + 1]; i++)
		;
	/* skip zero-length segments */
	while (i + 2 < p->n && p->cum_m[i + 1] <= p->cum_m[i])
		i++;
	double b = geo_bearing_deg(p->pt[i], p->pt[i + 1]);
	if (heading != NULL)
		*heading = b;
	return geo_destination(p->pt[i], b, along_m - p->cum_m[i]);
}

/* The turn at interior point i in degrees, 0..180. */
static double
path_turn(const struct sim_world_path *p, size_t i)
{
	double a = geo_bearing_deg(p->pt[i - 1], p->pt[i]);
	double b = geo_bearing_deg(p->pt[i], p->pt[i + 1]);
	double dd = fabs(fmod(b - a + 540.0, 360.0) - 180.0);

	return dd;
}

/* ------------------------------------------------------------------ the world */

enum phase { PH_OFF, PH_IDLE, PH_OFFERED, PH_ACCEPTED, PH_EN_ROUTE, PH_ON_SCENE, PH_TOWING };

static const char *const phase_names[] = {
	[PH_OFF] = "off_duty", [PH_IDLE] = "idle", [PH_OFFERED] = "offered",
	[PH_ACCEPTED] = "accepted", [PH_EN_ROUTE] = "en_route", [PH_ON_SCENE] = "on_scene",
	[PH_TOWING] = "towing",
};

enum act { ACT_NONE, ACT_ACCEPT, ACT_DECLINE, ACT_EN_ROUTE, ACT_SCENE_DONE };

enum next_state { NEXT_NONE, NEXT_OFFERED, NEXT_ACCEPTED };

/* A job offered to a truck while it finishes another (on scene or towing). */
struct next {
	enum next_state st;
	struct sim_world_ticket tk; /* the broker's view when offered, state kept up to date */
	struct rng rng;   /* the job's stream, handed to the truck when it starts */
	enum act act;               /* NEXT_OFFERED: ACT_ACCEPT or ACT_DECLINE at t_act */
	int64_t t_act;
	char reason[96];
	bool silent;
	int64_t prep_ms;            /* NEXT_ACCEPTED: from the end of the job to departure */
};

struct motion {
	bool on;
	struct sim_world_path path;
	double len;
	double along;            /* metres done at t_along */
	int64_t t_along;
	double v, v_fast;        /* metres per ms */
	double fast_from;        /* along from which v_fast applies */
	int64_t stall_from, stall_to;
	int64_t t_arrive;
	size_t wp;               /* next waypoint to check for a turn */
	int64_t t_turn;
};

struct truck {
	char id[25];
	const struct data_region *reg;
	const struct data_supplier *sup;
	enum truck_kind kind;
	struct geo_point home, pos;
	double heading;
	enum phase phase;
	bool full_shift, on_shift, off_pending;
	int shift_on, shift_off; /* local minute of day */
	int64_t t_shift;

	int64_t job;             /* ticket id, 0 when none */
	int64_t job_tdisp;       /* its t_dispatched when offered */
	enum ticket_state tstate;
	struct {
		int64_t id, tdisp;
	} seen[SEEN_MAX];        /* the last offers handled, newest at seen_pos - 1 */
	size_t seen_pos;
	struct geo_point scene;
	enum ticket_fault fault;
	bool tow, expressway;
	struct rng rng;
	enum act act;
	int64_t t_act;
	char reason[96];
	bool silent;
	struct motion plan;      /* the trip planned at acceptance */
	double stall_at, dropout_at; /* fractions of the planned trip time; < 0: none */
	int64_t stall_ms, dropout_ms;

	struct motion mv;
	int64_t t_fix, last_fix;
	int64_t drop_from, drop_to;

	struct next next;        /* the job after this one, if offered while finishing it */
};

struct cust {
	uint64_t seq;
	int64_t id;
	int64_t t_gen;
	enum ticket_state state;
	bool final, cancel_sent;
	int64_t created, promised, t_on_scene;
	int64_t t_self;          /* gives up by itself then, or INT64_MAX */
	int64_t t_patience;      /* cancels then if no truck accepted, or INT64_MAX */
};

/* An offer to a truck that cannot take it: declined shortly. */
struct busy {
	int64_t ticket;
	char truck[25];
	int64_t due;
	char reason[64];
};

struct sim_world {
	const struct data *d;
	struct sim_world_opts o;
	bool started;
	int64_t now;

	const struct data_region **regs;
	double *reg_w;
	size_t n_regs;
	double per_hour[24];
	struct rng demand, noise;
	int64_t t_call;
	long burst_left;           /* calls of the opening burst still to come */
	uint64_t seq;
	long to_generate;        /* with a request count: intakes still to generate */

	struct truck *trucks;
	size_t n_trucks;
	struct hmap *by_id;

	struct cust *custs;
	size_t n_custs, cap_custs, n_final_custs;

	struct busy *busy;
	size_t n_busy, cap_busy;

	struct sim_world_action *q;
	size_t q_head, q_len, q_cap;

	struct sim_world_stats st;
	int64_t *resp;
	size_t n_resp, cap_resp, in_promise;
	uint64_t finals;         /* our created intakes that are final */
	int64_t last_created;
};

void
sim_world_opts_init(struct sim_world_opts *o)
{
	memset(o, 0, sizeof *o);
	o->seed = 1;
	o->p_decline = -1;
	o->tz_offset_s = SIM_WORLD_TZ_CHINA;
}

/* ---- actions ---- */

static struct sim_world_action *
push(struct sim_world *w, enum sim_world_action_kind kind, int64_t ts)
{
	struct sim_world_action *a;

	if (w->q_head > 0 && w->q_head == w->q_len)
		w->q_head = w->q_len = 0;
	if (w->q_len == w->q_cap) {
		if (w->q_head > 0) {
			memmove(w->q, w->q + w->q_head, (w->q_len - w->q_head) * sizeof *w->q);
			w->q_len -= w->q_head;
			w->q_head = 0;
		}
		if (w->q_len == w->q_cap) {
			w->q_cap = w->q_cap ? w->q_cap * 2 : 64;
			w->q = xreallocarray(w->q, w->q_cap, sizeof *w->q);
		}
	}
	a = &w->q[w->q_len++];
	memset(a, 0, sizeof *a);
	a->kind = kind;
	a->ts = ts;
	a->eta_s = -1;
	return a;
}

bool
sim_world_action_next(struct sim_world *w, struct sim_world_action *out)
{
	if (w->q_head >= w->q_len)
		return false;
	*out = w->q[w->q_head++];
	if (w->q_head == w->q_len)
		w->q_head = w->q_len = 0;
	return true;
}

static void
say_state(struct sim_world *w, struct truck *k, int64_t t, enum ticket_state s, int64_t eta_s,
    const char *reason)
{
	struct sim_world_action *a = push(w, SIM_WORLD_SET_STATE, t);

	a->ticket = k->job;
	a->state = s;
	a->eta_s = eta_s;
	rd_strlcpy(a->reason, reason, sizeof a->reason);
	rd_strlcpy(a->truck, k->id, sizeof a->truck);
	k->tstate = s;
}

static void
say_status(struct sim_world *w, struct truck *k, int64_t t, enum truck_status s)
{
	struct sim_world_action *a = push(w, SIM_WORLD_STATUS, t);

	rd_strlcpy(a->truck, k->id, sizeof a->truck);
	a->status = s;
	a->truck_kind = k->kind;
	rd_strlcpy(a->supplier, k->sup->id, sizeof a->supplier);
	rd_strlcpy(a->region, k->reg->id, sizeof a->region);
}

/* ---- motion ---- */

/* Moving time (ms) between t0 and t1, leaving out the stall. */
static double
mv_moving(const struct motion *m, int64_t t0, int64_t t1)
{
	double dt = (double)(t1 - t0);

	if (m->stall_to > m->stall_from) {
		int64_t a = t0 > m->stall_from ? t0 : m->stall_from;
		int64_t b = t1 < m->stall_to ? t1 : m->stall_to;
		if (b > a)
			dt -= (double)(b - a);
	}
	return dt > 0 ? dt : 0;
}

/* Where a truck at along gets after ms of driving. */
static double
mv_dist(const struct motion *m, double along, double ms)
{
	if (along < m->fast_from) {
		double slow = (m->fast_from - along) / m->v;
		if (ms <= slow)
			along += ms * m->v;
		else
			along = m->fast_from + (ms - slow) * m->v_fast;
	} else {
		along += ms * m->v_fast;
	}
	return along < m->len ? along : m->len;
}

/* Driving time (ms) from along a to along b >= a. */
static double
mv_need(const struct motion *m, double a, double b)
{
	double ms = 0;

	if (a < m->fast_from) {
		double x = b < m->fast_from ? b : m->fast_from;
		ms += (x - a) / m->v;
		a = x;
	}
	if (b > a)
		ms += (b - a) / m->v_fast;
	return ms;
}

/* The wall time when ms of driving have been done since t0. */
static int64_t
mv_wall(const struct motion *m, int64_t t0, double ms)
{
	double t = (double)t0 + ms;

	if (m->stall_to > m->stall_from) {
		if (t0 < m->stall_from) {
			if (t > (double)m->stall_from)
				t += (double)(m->stall_to - m->stall_from);
		} else if (t0 < m->stall_to) {
			t = (double)m->stall_to + ms;
		}
	}
	return (int64_t)ceil(t);
}

static void
mv_next_turn(struct motion *m)
{
	m->t_turn = INT64_MAX;
	for (; m->wp + 1 < m->path.n; m->wp++) {
		if (path_turn(&m->path, m->wp) < TURN_DEG)
			continue;
		double at = m->path.cum_m[m->wp];
		if (at <= m->along)
			m->t_turn = m->t_along;
		else
			m->t_turn = mv_wall(m, m->t_along, mv_need(m, m->along, at));
		return;
	}
}

/* Plan a trip along path from t: speeds in km/h; the fast part starts at fast_frac of the
 * length (1: none). */
static void
mv_plan(struct motion *m, const struct sim_world_path *path, double kmh, double fast_kmh,
    double fast_frac)
{
	memset(m, 0, sizeof *m);
	m->path = *path;
	m->len = sim_world_path_length(path);
	m->v = kmh / 3600.0;
	m->v_fast = fast_kmh / 3600.0;
	m->fast_from = fast_frac * m->len;
	if (m->v <= 0)
		m->v = 1e-3;
	if (m->v_fast <= 0)
		m->v_fast = m->v;
}

static int64_t
mv_trip_ms(const struct motion *m)
{
	return (int64_t)ceil(mv_need(m, 0, m->len));
}

static void
mv_go(struct motion *m, int64_t t)
{
	m->on = true;
	m->along = 0;
	m->t_along = t;
	m->t_arrive = mv_wall(m, t, mv_need(m, 0, m->len));
	m->wp = 1;
	mv_next_turn(m);
}

static bool
mv_stalled(const struct motion *m, int64_t t)
{
	return m->stall_to > m->stall_from && t >= m->stall_from && t < m->stall_to;
}

static double
mv_speed_kmh(const struct motion *m, int64_t t)
{
	if (!m->on || mv_stalled(m, t) || m->along >= m->len)
		return 0;
	return (m->along < m->fast_from ? m->v : m->v_fast) * 3600.0;
}

/* Bring the truck's position up to t. */
static void
truck_move(struct truck *k, int64_t t)
{
	struct motion *m = &k->mv;

	if (!m->on || t <= m->t_along)
		return;
	m->along = mv_dist(m, m->along, mv_moving(m, m->t_along, t));
	m->t_along = t;
	k->pos = sim_world_path_at(&m->path, m->along, &k->heading);
}

static void
truck_stop(struct truck *k, int64_t t)
{
	truck_move(k, t);
	k->mv.on = false;
}

/* ---- GPS ---- */

static void
send_fix(struct sim_world *w, struct truck *k, int64_t t)
{
	struct sim_world_action *a;
	double nlat, nlon, speed, heading;

	if (k->phase == PH_OFF)
		return;
	truck_move(k, t);
	k->last_fix = t;
	/* the engine runs from acceptance to the end of the trip: the moving cadence */
	k->t_fix = t + (k->mv.on || k->phase == PH_ACCEPTED || k->phase == PH_EN_ROUTE ||
	    k->phase == PH_TOWING ? FIX_MOVING_MS : FIX_STILL_MS);
	nlat = rng_normal(&w->noise) * GPS_NOISE_M;
	nlon = rng_normal(&w->noise) * GPS_NOISE_M;
	speed = mv_speed_kmh(&k->mv, t);
	if (speed > 0)
		speed *= 1.0 + 0.05 * rng_normal(&w->noise);
	if (t >= k->drop_from && t < k->drop_to) {
		w->st.fixes_suppressed++;
		return;
	}
	a = push(w, SIM_WORLD_FIX, t);
	rd_strlcpy(a->truck, k->id, sizeof a->truck);
	a->lat = k->pos.lat + nlat / 111320.0;
	a->lon = k->pos.lon + nlon / (111320.0 * cos(k->pos.lat * M_PI / 180.0));
	a->speed_kmh = speed > 0 ? (speed < 399 ? speed : 399) : 0;
	heading = fmod(k->heading, 360.0);
	a->heading = heading < 0 ? heading + 360.0 : heading;
	w->st.fixes++;
}

/* ---- trucks ---- */

static int64_t
truck_due(const struct truck *k)
{
	int64_t t = k->t_shift;

	if (k->t_act < t)
		t = k->t_act;
	if (k->next.st == NEXT_OFFERED && k->next.t_act < t)
		t = k->next.t_act;
	if (k->t_fix < t)
		t = k->t_fix;
	if (k->mv.on) {
		if (k->mv.t_arrive < t)
			t = k->mv.t_arrive;
		if (k->mv.t_turn < t)
			t = k->mv.t_turn;
	}
	return t;
}

static void
schedule_shift(struct sim_world *w, struct truck *k, int64_t t)
{
	if (k->full_shift)
		k->t_shift = INT64_MAX;
	else
		k->t_shift = next_local_minute(t, w->o.tz_offset_s,
		    k->on_shift ? k->shift_off : k->shift_on);
}

static double
job_kmh(struct sim_world *w, struct truck *k, int64_t t, bool expressway)
{
	int hour = sim_world_local_hour(t, w->o.tz_offset_s);

	return sim_world_speed_kmh(k->reg, hour, expressway);
}

static void
go_off(struct sim_world *w, struct truck *k, int64_t t)
{
	truck_stop(k, t);
	k->phase = PH_OFF;
	k->off_pending = false;
	k->t_fix = INT64_MAX;
	say_status(w, k, t, TRUCK_OFF_DUTY);
}

static void
go_home(struct sim_world *w, struct truck *k, int64_t t)
{
	struct sim_world_path path;

	truck_stop(k, t);
	if (geo_distance_m(k->pos, k->home) <= HOME_RADIUS_M)
		return;
	sim_world_path_make(&path, &k->rng, k->pos, k->home, k->reg->detour);
	mv_plan(&k->mv, &path, job_kmh(w, k, t, false), 0, 1.0);
	mv_go(&k->mv, t);
}

static void next_start(struct sim_world *w, struct truck *k, int64_t t);

/* The job is over or gone: the truck takes up the next one offered meanwhile, or is free
 * again (or goes off shift). */
static void
release(struct sim_world *w, struct truck *k, int64_t t)
{
	k->job = 0;
	k->act = ACT_NONE;
	k->t_act = INT64_MAX;
	k->plan.on = false;
	if (k->next.st != NEXT_NONE) {
		next_start(w, k, t);
		return;
	}
	if (k->off_pending || !k->on_shift) {
		go_off(w, k, t);
		return;
	}
	k->phase = PH_IDLE;
	go_home(w, k, t);
	send_fix(w, k, t);
}

static int64_t
onscene_ms(struct sim_world *w, struct truck *k)
{
	double m = w->d->faults[k->fault].onscene_min;
	double f = exp(ONSCENE_SIGMA * rng_normal(&k->rng) -
	    ONSCENE_SIGMA * ONSCENE_SIGMA / 2);

	if (f < 0.4)
		f = 0.4;
	if (f > 3.0)
		f = 3.0;
	return (int64_t)(m * f * MIN);
}

/* Plan the trip to the scene from where the truck is, with this job's faults. */
static void
plan_trip(struct sim_world *w, struct truck *k, int64_t t)
{
	struct sim_world_path path;
	double detour = k->reg->detour;
	double jit = rng_range(&k->rng, 1 - SPEED_JITTER, 1 + SPEED_JITTER);
	double u_detour = rng_uniform(&k->rng);
	double u_stall = rng_uniform(&k->rng);
	double u_drop = rng_uniform(&k->rng);
	double f_detour = rng_range(&k->rng, DETOUR_MIN, DETOUR_MAX);

	k->stall_at = rng_range(&k->rng, 0.15, 0.7);
	k->stall_ms = (int64_t)rng_range(&k->rng, STALL_MIN_MS, STALL_MAX_MS);
	k->dropout_at = rng_range(&k->rng, 0.0, 0.6);
	k->dropout_ms = (int64_t)rng_range(&k->rng, DROPOUT_MIN_MS, DROPOUT_MAX_MS);
	if (u_detour < w->o.p_detour) {
		detour *= f_detour;
		w->st.detours++;
	}
	if (u_stall >= w->o.p_stall)
		k->stall_at = -1;
	if (u_drop >= w->o.p_gps_dropout)
		k->dropout_at = -1;
	sim_world_path_make(&path, &k->rng, k->pos, k->scene, detour);
	mv_plan(&k->plan, &path, job_kmh(w, k, t, false) * jit,
	    job_kmh(w, k, t, true) * jit, k->expressway ? EXPRESSWAY_FROM : 1.0);
}

/* Leave for the scene along the planned trip. */
static void
depart(struct sim_world *w, struct truck *k, int64_t t)
{
	int64_t trip = mv_trip_ms(&k->plan);

	truck_stop(k, t);
	k->mv = k->plan;
	k->plan.on = false;
	if (k->stall_at >= 0) {
		k->mv.stall_from = t + (int64_t)(k->stall_at * (double)trip);
		k->mv.stall_to = k->mv.stall_from + k->stall_ms;
		w->st.stalls++;
	}
	if (k->dropout_at >= 0) {
		k->drop_from = t + (int64_t)(k->dropout_at * (double)trip);
		k->drop_to = k->drop_from + k->dropout_ms;
		w->st.dropouts++;
	}
	mv_go(&k->mv, t);
	k->phase = PH_EN_ROUTE;
	k->act = ACT_NONE;
	k->t_act = INT64_MAX;
}

static void
start_tow(struct sim_world *w, struct truck *k, int64_t t)
{
	struct sim_world_path path;
	struct geo_point garage = geo_destination(k->scene, rng_range(&k->rng, 0, 360),
	    rng_range(&k->rng, GARAGE_MIN_M, GARAGE_MAX_M));

	truck_stop(k, t);
	sim_world_path_make(&path, &k->rng, k->pos, garage, k->reg->detour);
	mv_plan(&k->mv, &path, job_kmh(w, k, t, false), 0, 1.0);
	mv_go(&k->mv, t);
	k->phase = PH_TOWING;
	k->act = ACT_NONE;
	k->t_act = INT64_MAX;
	w->st.tows++;
}

static const struct wstr decline_reasons[] = {
	{ "no truck ready", 3 }, { "too far", 1 }, { "driver on another job", 2 },
	{ "no suitable equipment", 1 }, { "road conditions", 0.5 },
};

static void
remember(struct truck *k, int64_t id, int64_t tdisp)
{
	k->seen[k->seen_pos % SEEN_MAX].id = id;
	k->seen[k->seen_pos % SEEN_MAX].tdisp = tdisp;
	k->seen_pos++;
}

/* Whether the truck already handled ticket id (any_dispatch) or this very dispatch of it. */
static bool
seen(const struct truck *k, int64_t id, int64_t tdisp, bool any_dispatch)
{
	for (size_t i = 0; i < SEEN_MAX; i++)
		if (k->seen[i].id == id && (any_dispatch || k->seen[i].tdisp == tdisp))
			return true;
	return false;
}

/* The truck takes ticket tk: the scene, the fault, and the job's own random stream. */
static void
take_job(struct sim_world *w, struct truck *k, const struct sim_world_ticket *tk)
{
	k->job = tk->id;
	k->job_tdisp = tk->t_dispatched;
	k->tstate = tk->state;
	k->scene = (struct geo_point){ tk->lat, tk->lon };
	k->fault = tk->fault >= 0 && tk->fault < FAULT_COUNT ? (enum ticket_fault)tk->fault :
	    FAULT_BATTERY;
	k->tow = w->d->faults[k->fault].tow != 0;
	k->expressway = (tk->flags & TICKET_FLAG_EXPRESSWAY) != 0;
	rng_seed(&k->rng, w->o.seed, (uint64_t)tk->id * 0x9e3779b97f4a7c15ULL ^
	    rng_hash(k->id));
	k->silent = false;
	k->reason[0] = '\0';
	k->act = ACT_NONE;
	k->t_act = INT64_MAX;
	remember(k, tk->id, tk->t_dispatched);
}

/* The supplier's answer to an offer of a job at scene, drawn from r after the two uniforms
 * u (accept or not) and u2 (silent or not): ACT_ACCEPT or ACT_DECLINE, when, and the
 * reason of a decline. */
static enum act
answer(struct sim_world *w, const struct truck *k, struct rng *r, double u, double u2,
    struct geo_point scene, int64_t t, int64_t *t_act, char *reason, size_t reasonsz,
    bool *silent)
{
	double p_no = w->o.p_decline >= 0 ? w->o.p_decline : 1.0 - k->sup->accept_rate;
	double window = ANSWER_WINDOW * 1000.0 * k->sup->offer_timeout_s;

	*silent = false;
	reason[0] = '\0';
	if (u >= p_no) {
		double hi = fmin(ACCEPT_MAX_MS, window);
		*t_act = t + (int64_t)rng_range(r, fmin(ACCEPT_MIN_MS, hi), hi);
		return ACT_ACCEPT;
	}
	if (u2 < SILENT_SHARE) {
		*silent = true;
		*t_act = t + SILENT_MS;
		rd_strlcpy(reason, "declined: the driver missed the offer", reasonsz);
	} else {
		double wt[ARRAY_LEN(decline_reasons)];
		double far = fmax(15000.0, 0.3 * k->reg->radius_km * 1000);
		for (size_t i = 0; i < ARRAY_LEN(wt); i++)
			wt[i] = decline_reasons[i].w;
		if (geo_distance_m(k->pos, scene) > far)
			wt[1] = 4;
		double hi = fmin(DECLINE_MAX_MS, window);
		*t_act = t + (int64_t)rng_range(r, fmin(DECLINE_MIN_MS, hi), hi);
		snprintf(reason, reasonsz, "declined: %s",
		    decline_reasons[rng_pick(r, wt, ARRAY_LEN(wt))].s);
	}
	return ACT_DECLINE;
}

/* A new offer of ticket tk to truck k: draw the supplier's answer. */
static void
offer(struct sim_world *w, struct truck *k, const struct sim_world_ticket *tk, int64_t t)
{
	double u, u2;

	take_job(w, k, tk);
	u = rng_uniform(&k->rng);
	u2 = rng_uniform(&k->rng);
	w->st.offers++;
	k->phase = PH_OFFERED;
	if (k->off_pending || !k->on_shift) {
		k->act = ACT_DECLINE;
		k->t_act = t + (int64_t)rng_range(&k->rng, BUSY_DECLINE_MIN_MS,
		    BUSY_DECLINE_MAX_MS);
		rd_strlcpy(k->reason, "declined: driver off shift", sizeof k->reason);
	} else {
		k->act = answer(w, k, &k->rng, u, u2, k->scene, t, &k->t_act, k->reason,
		    sizeof k->reason, &k->silent);
	}
}

/* A supplier's quote for ms of preparation and travel: x 1.0-1.2 (drawn from r), rounded up
 * to 5 minutes, at least 10 minutes; in seconds. */
static int64_t
quote_s(struct rng *r, int64_t ms)
{
	int64_t eta_s = (int64_t)((double)ms * rng_range(r, 1.0, 1.2) / 1000);

	eta_s = (eta_s + ETA_ROUND_S - 1) / ETA_ROUND_S * ETA_ROUND_S;
	if (eta_s < ETA_MIN_S)
		eta_s = ETA_MIN_S;
	if (eta_s > 86400)
		eta_s = 86400;
	return eta_s;
}

static void
act_accept(struct sim_world *w, struct truck *k, int64_t t)
{
	int64_t prep, trip, eta_s;

	truck_stop(k, t);
	plan_trip(w, k, t);
	prep = (int64_t)rng_range(&k->rng, PREP_MIN_MS, PREP_MAX_MS);
	trip = mv_trip_ms(&k->plan);
	eta_s = quote_s(&k->rng, prep + trip);
	say_state(w, k, t, TICKET_ACCEPTED, eta_s, "");
	w->st.accepted++;
	k->phase = PH_ACCEPTED;
	k->act = ACT_EN_ROUTE;
	k->t_act = t + prep;
	send_fix(w, k, t);
}

/* ---- the next job, offered while the truck finishes one ---- */

/* Whether truck k may take an offer for after its job: on scene or towing, on shift, and
 * nothing queued yet. */
static bool
finishing(const struct truck *k)
{
	return (k->phase == PH_ON_SCENE || k->phase == PH_TOWING) && k->on_shift &&
	    !k->off_pending && k->next.st == NEXT_NONE;
}

/* Time (ms) from t until the truck's job is over, and where it ends (for a tow not yet
 * started, the scene: the garage is not chosen yet, so its mean distance is counted). */
static int64_t
job_left_ms(struct sim_world *w, struct truck *k, int64_t t, struct geo_point *end)
{
	int64_t left;

	if (k->phase == PH_TOWING && k->mv.on) {
		*end = k->mv.path.pt[k->mv.path.n - 1];
		return k->mv.t_arrive > t ? k->mv.t_arrive - t : 0;
	}
	*end = k->scene;
	left = k->t_act != INT64_MAX && k->t_act > t ? k->t_act - t : 0;
	if (k->tow) {
		double mps = fmax(job_kmh(w, k, t + left, false), 1.0) / 3.6;
		left += (int64_t)((GARAGE_MIN_M + GARAGE_MAX_M) / 2 * k->reg->detour / mps * 1000);
	}
	return left;
}

/* Driving time (ms) from `from` to ticket tk's scene leaving at t, as plan_trip drives it
 * (region detour, speed of the hour, expressway part) without the per-trip jitter. */
static int64_t
trip_estimate_ms(struct sim_world *w, struct truck *k, struct geo_point from,
    const struct sim_world_ticket *tk, int64_t t)
{
	double m = geo_distance_m(from, (struct geo_point){ tk->lat, tk->lon }) * k->reg->detour;
	double v = fmax(job_kmh(w, k, t, false), 1.0) / 3.6;

	if (tk->flags & TICKET_FLAG_EXPRESSWAY) {
		double vf = fmax(job_kmh(w, k, t, true), 1.0) / 3.6;
		return (int64_t)((m * EXPRESSWAY_FROM / v + m * (1 - EXPRESSWAY_FROM) / vf) * 1000);
	}
	return (int64_t)(m / v * 1000);
}

/* Ticket tk offered to truck k while it finishes its job: the supplier's answer is drawn as
 * for any offer, from the new job's own stream. */
static void
next_offer(struct sim_world *w, struct truck *k, const struct sim_world_ticket *tk, int64_t t)
{
	struct next *n = &k->next;
	double u, u2;

	memset(n, 0, sizeof *n);
	n->st = NEXT_OFFERED;
	n->tk = *tk;
	rng_seed(&n->rng, w->o.seed, (uint64_t)tk->id * 0x9e3779b97f4a7c15ULL ^
	    rng_hash(k->id));
	remember(k, tk->id, tk->t_dispatched);
	u = rng_uniform(&n->rng);
	u2 = rng_uniform(&n->rng);
	w->st.offers++;
	n->act = answer(w, k, &n->rng, u, u2, (struct geo_point){ tk->lat, tk->lon }, t,
	    &n->t_act, n->reason, sizeof n->reason, &n->silent);
}

static void
say_next(struct sim_world *w, struct truck *k, int64_t t, enum ticket_state s, int64_t eta_s,
    const char *reason)
{
	struct sim_world_action *a = push(w, SIM_WORLD_SET_STATE, t);

	a->ticket = k->next.tk.id;
	a->state = s;
	a->eta_s = eta_s;
	rd_strlcpy(a->reason, reason, sizeof a->reason);
	rd_strlcpy(a->truck, k->id, sizeof a->truck);
}

/* The answer to an offer for after the job is due. An acceptance quotes what is left of the
 * job, the preparation and the trip from where the job ends. */
static void
next_act(struct sim_world *w, struct truck *k, int64_t t)
{
	struct next *n = &k->next;
	struct geo_point end;
	int64_t left, trip;

	if (n->tk.state != TICKET_DISPATCHED) {
		n->st = NEXT_NONE; /* moved on meanwhile: nothing to answer */
		return;
	}
	if (n->act == ACT_DECLINE) {
		say_next(w, k, t, TICKET_NEW, -1, n->reason);
		w->st.declined++;
		if (n->silent)
			w->st.unanswered++;
		n->st = NEXT_NONE;
		return;
	}
	left = job_left_ms(w, k, t, &end);
	n->prep_ms = (int64_t)rng_range(&n->rng, PREP_MIN_MS, PREP_MAX_MS);
	trip = trip_estimate_ms(w, k, end, &n->tk, t + left + n->prep_ms);
	say_next(w, k, t, TICKET_ACCEPTED, quote_s(&n->rng, left + n->prep_ms + trip), "");
	n->tk.state = TICKET_ACCEPTED;
	n->st = NEXT_ACCEPTED;
	n->act = ACT_NONE;
	n->t_act = INT64_MAX;
	w->st.accepted++;
	w->st.queued++;
}

/* The job is over and another was offered meanwhile: an accepted one starts (the truck
 * leaves after its preparation); one still to be answered becomes a plain offer, answered
 * when it was due (declined if the shift ended meanwhile). */
static void
next_start(struct sim_world *w, struct truck *k, int64_t t)
{
	struct next n = k->next;

	k->next.st = NEXT_NONE;
	truck_stop(k, t);
	take_job(w, k, &n.tk);
	k->rng = n.rng;
	if (n.st == NEXT_OFFERED) {
		k->phase = PH_OFFERED;
		k->act = n.act;
		k->t_act = n.t_act;
		k->silent = n.silent;
		rd_strlcpy(k->reason, n.reason, sizeof k->reason);
		if (k->act == ACT_ACCEPT && (k->off_pending || !k->on_shift)) {
			k->act = ACT_DECLINE;
			rd_strlcpy(k->reason, "declined: driver off shift", sizeof k->reason);
		}
	} else {
		plan_trip(w, k, t);
		k->phase = PH_ACCEPTED;
		k->act = ACT_EN_ROUTE;
		k->t_act = t + n.prep_ms;
	}
	send_fix(w, k, t);
}

static void
truck_act(struct sim_world *w, struct truck *k, int64_t t)
{
	enum act act = k->act;

	k->act = ACT_NONE;
	k->t_act = INT64_MAX;
	switch (act) {
	case ACT_ACCEPT:
		if (k->tstate != TICKET_DISPATCHED) {
			release(w, k, t);
			break;
		}
		act_accept(w, k, t);
		break;
	case ACT_DECLINE:
		if (k->tstate == TICKET_DISPATCHED) {
			say_state(w, k, t, TICKET_NEW, -1, k->reason);
			w->st.declined++;
			if (k->silent)
				w->st.unanswered++;
		}
		/* keep driving home if it was: release() re-plans from where it is */
		release(w, k, t);
		break;
	case ACT_EN_ROUTE:
		depart(w, k, t);
		say_state(w, k, t, TICKET_EN_ROUTE, -1, "");
		send_fix(w, k, t);
		break;
	case ACT_SCENE_DONE:
		if (k->tow) {
			start_tow(w, k, t);
			say_state(w, k, t, TICKET_TOWING, -1, "");
			send_fix(w, k, t);
		} else {
			say_state(w, k, t, TICKET_COMPLETED, -1, "");
			release(w, k, t);
		}
		break;
	case ACT_NONE:
		break;
	}
}

static void
truck_arrive(struct sim_world *w, struct truck *k, int64_t t)
{
	truck_stop(k, t);
	k->mv.along = k->mv.len;
	k->pos = k->mv.path.pt[k->mv.path.n - 1];
	switch (k->phase) {
	case PH_EN_ROUTE:
		say_state(w, k, t, TICKET_ON_SCENE, -1, "");
		w->st.on_scene++;
		k->phase = PH_ON_SCENE;
		k->act = ACT_SCENE_DONE;
		k->t_act = t + onscene_ms(w, k);
		send_fix(w, k, t);
		break;
	case PH_TOWING:
		say_state(w, k, t, TICKET_COMPLETED, -1, "");
		release(w, k, t);
		break;
	default:
		send_fix(w, k, t); /* back at the depot */
		break;
	}
}

static void
truck_turn(struct sim_world *w, struct truck *k, int64_t t)
{
	struct motion *m = &k->mv;
	size_t i = m->wp;

	truck_move(k, t);
	if (i < m->path.n && m->along < m->path.cum_m[i]) {
		m->along = m->path.cum_m[i];
		k->pos = m->path.pt[i];
	}
	if (i + 1 < m->path.n)
		k->heading = geo_bearing_deg(m->path.pt[i], m->path.pt[i + 1]);
	if (t != k->last_fix)
		send_fix(w, k, t);
	m->wp = i + 1;
	mv_next_turn(m);
}

static void
truck_shift(struct sim_world *w, struct truck *k, int64_t t)
{
	if (k->on_shift) {
		k->on_shift = false;
		if (k->phase == PH_IDLE)
			go_off(w, k, t);
		else if (k->phase != PH_OFF)
			k->off_pending = true;
	} else {
		k->on_shift = true;
		k->off_pending = false;
		if (k->phase == PH_OFF) {
			k->pos = k->home;
			k->heading = 0;
			k->phase = PH_IDLE;
			say_status(w, k, t, TRUCK_AVAILABLE);
			send_fix(w, k, t);
		}
	}
	schedule_shift(w, k, t);
}

static void
truck_event(struct sim_world *w, struct truck *k, int64_t t)
{
	if (k->mv.on && k->mv.t_arrive <= t)
		truck_arrive(w, k, t);
	else if (k->t_act <= t)
		truck_act(w, k, t);
	else if (k->next.st == NEXT_OFFERED && k->next.t_act <= t)
		next_act(w, k, t);
	else if (k->mv.on && k->mv.t_turn <= t)
		truck_turn(w, k, t);
	else if (k->t_fix <= t)
		send_fix(w, k, t);
	else if (k->t_shift <= t)
		truck_shift(w, k, t);
}

/* Take over a job the broker says the truck has: an offer, or a job from before a restart
 * of the simulator. */
static void
adopt(struct sim_world *w, struct truck *k, const struct sim_world_ticket *tk, int64_t t)
{
	if (tk->state == TICKET_DISPATCHED) {
		offer(w, k, tk, t);
		return;
	}
	take_job(w, k, tk);
	truck_stop(k, t);
	switch (tk->state) {
	case TICKET_ACCEPTED:
		plan_trip(w, k, t);
		k->phase = PH_ACCEPTED;
		k->act = ACT_EN_ROUTE;
		k->t_act = t + (int64_t)rng_range(&k->rng, 30 * SEC, 120 * SEC);
		break;
	case TICKET_EN_ROUTE:
		plan_trip(w, k, t);
		depart(w, k, t);
		send_fix(w, k, t);
		break;
	case TICKET_ON_SCENE:
		k->pos = k->scene;
		k->phase = PH_ON_SCENE;
		k->act = ACT_SCENE_DONE;
		k->t_act = t + onscene_ms(w, k);
		send_fix(w, k, t);
		break;
	case TICKET_TOWING:
		k->pos = k->scene;
		start_tow(w, k, t);
		send_fix(w, k, t);
		break;
	default:
		release(w, k, t);
		break;
	}
}

static struct truck *
truck_of_job(struct sim_world *w, int64_t id)
{
	for (size_t i = 0; i < w->n_trucks; i++)
		if (w->trucks[i].job == id)
			return &w->trucks[i];
	return NULL;
}

static struct truck *
truck_of_next(struct sim_world *w, int64_t id)
{
	for (size_t i = 0; i < w->n_trucks; i++)
		if (w->trucks[i].next.st != NEXT_NONE && w->trucks[i].next.tk.id == id)
			return &w->trucks[i];
	return NULL;
}

static bool
truck_busy(const struct truck *k)
{
	return k->job != 0 || k->phase == PH_OFF;
}

/* ---- customers ---- */

static struct cust *
cust_by_id(struct sim_world *w, int64_t id)
{
	for (size_t i = 0; i < w->n_custs; i++)
		if (w->custs[i].id == id)
			return &w->custs[i];
	return NULL;
}

static struct cust *
cust_by_seq(struct sim_world *w, uint64_t seq)
{
	for (size_t i = 0; i < w->n_custs; i++)
		if (w->custs[i].seq == seq)
			return &w->custs[i];
	return NULL;
}

static int64_t
cust_due(const struct cust *c)
{
	if (c->id == 0 || c->final || c->cancel_sent)
		return INT64_MAX;
	return c->t_self < c->t_patience ? c->t_self : c->t_patience;
}

static void
cust_cancel(struct sim_world *w, struct cust *c, int64_t t, const char *reason)
{
	struct sim_world_action *a = push(w, SIM_WORLD_CANCEL, t);

	a->ticket = c->id;
	rd_strlcpy(a->reason, reason, sizeof a->reason);
	c->cancel_sent = true;
	w->st.customer_cancels++;
}

static void
cust_event(struct sim_world *w, struct cust *c, int64_t t)
{
	bool waiting = c->state == TICKET_NEW || c->state == TICKET_DISPATCHED;
	bool before_scene = waiting || c->state == TICKET_ACCEPTED || c->state == TICKET_EN_ROUTE;

	if (c->t_self <= t) {
		c->t_self = INT64_MAX;
		if (before_scene)
			cust_cancel(w, c, t, "customer: the car started again, no help needed");
	} else if (c->t_patience <= t) {
		c->t_patience = INT64_MAX;
		if (waiting)
			cust_cancel(w, c, t,
			    "customer: waited too long for a truck, found other help");
	}
}

static void
cust_compact(struct sim_world *w)
{
	size_t j = 0;

	if (w->n_final_custs < 256 || w->n_final_custs * 2 < w->n_custs)
		return;
	for (size_t i = 0; i < w->n_custs; i++)
		if (!w->custs[i].final)
			w->custs[j++] = w->custs[i];
	w->n_custs = j;
	w->n_final_custs = 0;
}

static void
cust_final(struct sim_world *w, struct cust *c)
{
	c->final = true;
	w->n_final_custs++;
	w->finals++;
	switch (c->state) {
	case TICKET_COMPLETED:
		w->st.completed++;
		break;
	case TICKET_CANCELLED:
		w->st.cancelled++;
		break;
	default:
		w->st.resolved_remote++;
		break;
	}
	if (c->t_on_scene > 0 && c->created > 0) {
		if (w->n_resp == w->cap_resp) {
			w->cap_resp = w->cap_resp ? w->cap_resp * 2 : 64;
			w->resp = xreallocarray(w->resp, w->cap_resp, sizeof *w->resp);
		}
		w->resp[w->n_resp++] = c->t_on_scene - c->created;
		if (c->promised > 0 && c->t_on_scene <= c->promised)
			w->in_promise++;
	}
}

/* ---- demand ---- */

/* Calls take their content from a stream of their own, seeded by (seed, call number): the
 * Nth call is the same caller whatever the arrival times were. */
#define CALL_STREAM 0x5ca11ULL
#define BURST_GAP_MS 5000 /* calls of the opening burst, broker time apart */

static void
new_call(struct sim_world *w, int64_t t)
{
	struct sim_world_action *a;
	const struct data_region *reg;
	struct rng r;
	struct cust *c;
	int promise;

	if (w->o.requests > 0 && w->to_generate <= 0) {
		w->t_call = INT64_MAX;
		return;
	}
	a = push(w, SIM_WORLD_INTAKE, t);
	a->seq = ++w->seq;
	rng_seed(&r, w->o.seed, (CALL_STREAM << 32) + a->seq);
	reg = w->regs[rng_pick(&r, w->reg_w, w->n_regs)];
	sim_world_intake_make(&r, w->d, reg, t, w->o.tz_offset_s, &a->intake);
	if (w->n_custs == w->cap_custs) {
		w->cap_custs = w->cap_custs ? w->cap_custs * 2 : 64;
		w->custs = xreallocarray(w->custs, w->cap_custs, sizeof *w->custs);
	}
	c = &w->custs[w->n_custs++];
	memset(c, 0, sizeof *c);
	c->seq = a->seq;
	c->t_gen = t;
	c->state = TICKET_NEW;
	promise = (a->intake.flags & TICKET_FLAG_EXPRESSWAY) ? reg->promise_expressway_min :
	    reg->promise_min;
	c->t_self = INT64_MAX;
	if (rng_uniform(&r) < SELF_CANCEL_P)
		c->t_self = t + (int64_t)rng_range(&r, SELF_CANCEL_MIN_MS,
		    SELF_CANCEL_MAX_MS);
	c->t_patience = t + (int64_t)(promise * MIN *
	    rng_range(&r, PATIENCE_MIN, PATIENCE_MAX));
	w->st.generated++;
	if (w->o.requests > 0)
		w->to_generate--;
	if (w->burst_left > 0) {
		w->burst_left--;
		w->t_call = t + BURST_GAP_MS;
	} else {
		w->t_call = sim_world_next_arrival(&w->demand, w->per_hour, t, w->o.tz_offset_s);
	}
}

/* ---- create, start, advance ---- */

static void
code_of(const char *id, char out[3])
{
	size_t n = strlen(id), i, first_vowel = n;

	out[0] = (char)(id[0] >= 'a' && id[0] <= 'z' ? id[0] - 32 : id[0]);
	out[1] = '\0';
	out[2] = '\0';
	for (i = 0; i < n; i++)
		if (strchr("aeiouv", id[i]) != NULL) {
			first_vowel = i;
			break;
		}
	/* the initial of the second pinyin syllable: a consonant before a vowel, after the
	 * first vowel (zh/ch/sh count by their first letter); or after a separator */
	for (i = 1; i < n; i++) {
		char c = id[i];
		bool sep = id[i - 1] == '-' || id[i - 1] == '_';
		if (c < 'a' || c > 'z')
			continue;
		if (sep) {
			out[1] = (char)(c - 32);
			return;
		}
		if (i <= first_vowel || strchr("aeiouv", c) != NULL)
			continue;
		if (i + 1 < n && strchr("aeiouv", id[i + 1]) != NULL) {
			char ini = c;
			if (c == 'h' && strchr("zcs", id[i - 1]) != NULL)
				ini = id[i - 1];
			out[1] = (char)(ini - 32);
			return;
		}
	}
	if (n > 1 && id[1] >= 'a' && id[1] <= 'z')
		out[1] = (char)(id[1] - 32);
	else
		out[1] = 'X';
}

static const char kind_letter[TRUCK_KIND_COUNT] = { 'V', 'W', 'F', 'H' };

static bool
selected(const struct sim_world_opts *o, const char *id)
{
	if (o->regions == NULL || o->n_regions == 0)
		return true;
	for (size_t i = 0; i < o->n_regions; i++)
		if (strcmp(o->regions[i], id) == 0)
			return true;
	return false;
}

static bool
prob_ok(double p)
{
	return p >= 0 && p <= 1;
}

static void
add_trucks(struct sim_world *w, const struct data_region *reg, const char *rcode)
{
	for (size_t s = 0; s < reg->n_suppliers; s++) {
		const struct data_supplier *sup = &reg->suppliers[s];
		struct geo_point depot = { sup->lat, sup->lon };
		char scode[3];
		size_t standby[64], n_standby = 0;
		double reach = fmin(reg->radius_km * 500.0, 25000.0);

		code_of(sup->id, scode);
		/* codes must be unique in the region: fall back to the first two letters, then
		 * a digit */
		for (size_t o = 0; o < s; o++) {
			char other[3];
			code_of(reg->suppliers[o].id, other);
			if (strcmp(other, scode) == 0) {
				scode[1] = (char)('0' + (char)(s % 10));
				break;
			}
		}
		for (size_t i = 0; i < reg->n_landmarks && n_standby < ARRAY_LEN(standby); i++) {
			const struct data_landmark *lm = &reg->landmarks[i];
			if (!is_expressway(lm) &&
			    geo_distance_m(depot, (struct geo_point){ lm->lat, lm->lon }) <= reach)
				standby[n_standby++] = i;
		}
		for (int kind = 0; kind < TRUCK_KIND_COUNT; kind++) {
			int n = sup->fleet[kind];
			int full = (int)ceil(n * FULL_SHIFT_SHARE);
			for (int j = 0; j < n; j++) {
				struct truck *k = &w->trucks[w->n_trucks++];
				struct rng r;

				memset(k, 0, sizeof *k);
				snprintf(k->id, sizeof k->id, "%s-%s-%c%02d", rcode, scode,
				    kind_letter[kind], j + 1);
				k->reg = reg;
				k->sup = sup;
				k->kind = (enum truck_kind)kind;
				rng_seed(&r, w->o.seed, rng_hash(k->id));
				/* vans after the first wait at standby points around the depot;
				 * tow trucks at the yard */
				if (kind == TRUCK_KIND_VAN && j > 0 && n_standby > 0) {
					const struct data_landmark *lm = &reg->landmarks[standby[
					    rng_below(&r, (uint32_t)n_standby)]];
					k->home = in_disk(&r,
					    (struct geo_point){ lm->lat, lm->lon }, 300);
				} else {
					k->home = in_disk(&r, depot, 100);
				}
				k->pos = k->home;
				k->full_shift = j < full;
				k->shift_on = SHIFT_ON_MIN + (int)rng_below(&r,
				    2 * SHIFT_JITTER_MIN + 1) - SHIFT_JITTER_MIN;
				k->shift_off = SHIFT_OFF_MIN + (int)rng_below(&r,
				    2 * SHIFT_JITTER_MIN + 1) - SHIFT_JITTER_MIN;
				k->rng = r;
				k->phase = PH_OFF;
				k->t_act = k->t_fix = k->t_shift = INT64_MAX;
				k->mv.t_arrive = k->mv.t_turn = INT64_MAX;
				k->last_fix = -1;
				k->drop_from = k->drop_to = 0;
			}
		}
	}
}

struct sim_world *
sim_world_create(const struct data *d, const struct sim_world_opts *o, char **cause)
{
	struct sim_world *w;
	size_t n_trucks = 0;
	double share_sum = 0;

	for (size_t i = 0; o->regions != NULL && i < o->n_regions; i++) {
		if (data_region(d, o->regions[i]) == NULL) {
			char known[256] = "";
			for (size_t j = 0; j < d->n_regions; j++)
				append(known, sizeof known, ", ", d->regions[j].id);
			xasprintf(cause, "unknown region '%s' (known: %s)", o->regions[i], known);
			return NULL;
		}
	}
	if (!prob_ok(o->p_gps_dropout) || !prob_ok(o->p_stall) || !prob_ok(o->p_detour) ||
	    isnan(o->p_decline) || o->p_decline > 1) {
		xasprintf(cause, "fault probabilities must be between 0 and 1");
		return NULL;
	}
	if (!(o->rate_per_hour >= 0)) {
		xasprintf(cause, "the call rate must not be negative");
		return NULL;
	}
	w = xcalloc(1, sizeof *w);
	w->d = d;
	w->o = *o;
	w->o.regions = NULL;
	w->o.n_regions = 0;
	w->regs = xcalloc(d->n_regions, sizeof *w->regs);
	w->reg_w = xcalloc(d->n_regions, sizeof *w->reg_w);
	for (size_t i = 0; i < d->n_regions; i++) {
		const struct data_region *reg = &d->regions[i];
		if (!selected(o, reg->id))
			continue;
		w->reg_w[w->n_regs] = reg->calls_per_day;
		w->regs[w->n_regs++] = reg;
		for (size_t s = 0; s < reg->n_suppliers; s++)
			for (int k = 0; k < TRUCK_KIND_COUNT; k++)
				n_trucks += (size_t)reg->suppliers[s].fleet[k];
	}
	for (int h = 0; h < 24; h++)
		share_sum += d->demand_by_hour[h];
	for (int h = 0; h < 24; h++) {
		double total = 0;
		for (size_t i = 0; i < w->n_regs; i++)
			total += w->regs[i]->calls_per_day;
		if (o->rate_per_hour > 0)
			w->per_hour[h] = o->rate_per_hour;
		else if (share_sum > 0)
			w->per_hour[h] = total * d->demand_by_hour[h] / share_sum;
	}
	w->trucks = xcalloc(n_trucks ? n_trucks : 1, sizeof *w->trucks);
	w->by_id = hmap_create();
	for (size_t i = 0; i < w->n_regs; i++) {
		char rcode[3];
		code_of(w->regs[i]->id, rcode);
		add_trucks(w, w->regs[i], rcode);
	}
	for (size_t i = 0; i < w->n_trucks; i++) {
		struct truck *k = &w->trucks[i];
		/* an id clash across regions: make it unique with a suffix */
		for (int n = 2; hmap_get(w->by_id, k->id) != NULL && n < 100; n++) {
			char id[25];
			snprintf(id, sizeof id, "%.20s-%d", w->trucks[i].id, n);
			rd_strlcpy(k->id, id, sizeof k->id);
		}
		hmap_put(w->by_id, k->id, k);
	}
	rng_seed(&w->demand, o->seed, 1);
	rng_seed(&w->noise, o->seed, 2);
	w->to_generate = o->requests;
	w->t_call = INT64_MAX;
	return w;
}

void
sim_world_destroy(struct sim_world *w)
{
	if (w == NULL)
		return;
	hmap_destroy(w->by_id);
	free(w->trucks);
	free(w->regs);
	free(w->reg_w);
	free(w->custs);
	free(w->busy);
	free(w->q);
	free(w->resp);
	free(w);
}

void
sim_world_start(struct sim_world *w, int64_t now)
{
	if (w->started)
		return;
	w->started = true;
	w->now = now;
	for (size_t i = 0; i < w->n_trucks; i++) {
		struct truck *k = &w->trucks[i];
		int64_t into = floor_mod(now + (int64_t)w->o.tz_offset_s * SEC, DAY) / MIN;

		k->on_shift = k->full_shift || (into >= k->shift_on && into < k->shift_off);
		if (k->on_shift) {
			k->phase = PH_IDLE;
			say_status(w, k, now, TRUCK_AVAILABLE);
			send_fix(w, k, now);
			/* spread the idle pings over their interval */
			k->t_fix = now + 1 + (int64_t)rng_below(&k->rng, FIX_STILL_MS);
		} else {
			k->phase = PH_OFF;
			say_status(w, k, now, TRUCK_OFF_DUTY);
		}
		schedule_shift(w, k, now);
	}
	w->t_call = sim_world_next_arrival(&w->demand, w->per_hour, now, w->o.tz_offset_s);
	w->burst_left = w->o.burst > 0 ? w->o.burst : 0;
	if (w->burst_left > 0)
		w->t_call = now + 1;
	if (w->o.requests > 0 && w->to_generate <= 0)
		w->t_call = INT64_MAX;
}

enum { SRC_NONE, SRC_CALL, SRC_TRUCK, SRC_CUST, SRC_BUSY };

static int64_t
next_due(const struct sim_world *w, int *src, size_t *idx)
{
	int64_t t = INT64_MAX;

	*src = SRC_NONE;
	*idx = 0;
	if (!w->started)
		return t;
	if (w->t_call < t) {
		t = w->t_call;
		*src = SRC_CALL;
	}
	for (size_t i = 0; i < w->n_trucks; i++) {
		int64_t d = truck_due(&w->trucks[i]);
		if (d < t) {
			t = d;
			*src = SRC_TRUCK;
			*idx = i;
		}
	}
	for (size_t i = 0; i < w->n_custs; i++) {
		int64_t d = cust_due(&w->custs[i]);
		if (d < t) {
			t = d;
			*src = SRC_CUST;
			*idx = i;
		}
	}
	for (size_t i = 0; i < w->n_busy; i++) {
		if (w->busy[i].due < t) {
			t = w->busy[i].due;
			*src = SRC_BUSY;
			*idx = i;
		}
	}
	return t;
}

int64_t
sim_world_next_due(const struct sim_world *w)
{
	int src;
	size_t idx;

	return next_due(w, &src, &idx);
}

static void
busy_remove(struct sim_world *w, size_t i)
{
	memmove(&w->busy[i], &w->busy[i + 1], (w->n_busy - i - 1) * sizeof *w->busy);
	w->n_busy--;
}

static void
busy_event(struct sim_world *w, size_t i, int64_t t)
{
	struct busy b = w->busy[i];
	struct sim_world_action *a;

	busy_remove(w, i);
	a = push(w, SIM_WORLD_SET_STATE, t);
	a->ticket = b.ticket;
	a->state = TICKET_NEW;
	rd_strlcpy(a->reason, b.reason, sizeof a->reason);
	rd_strlcpy(a->truck, b.truck, sizeof a->truck);
	w->st.declined++;
}

void
sim_world_advance(struct sim_world *w, int64_t now)
{
	if (!w->started || now < w->now)
		return;
	for (;;) {
		int src;
		size_t idx;
		int64_t t = next_due(w, &src, &idx);

		if (t > now || src == SRC_NONE)
			break;
		if (t > w->now)
			w->now = t;
		switch (src) {
		case SRC_CALL:
			new_call(w, w->now);
			break;
		case SRC_TRUCK:
			truck_event(w, &w->trucks[idx], w->now);
			break;
		case SRC_CUST:
			cust_event(w, &w->custs[idx], w->now);
			break;
		case SRC_BUSY:
			busy_event(w, idx, w->now);
			break;
		}
	}
	w->now = now;
	cust_compact(w);
}

void
sim_world_ticket(struct sim_world *w, int64_t now, const struct sim_world_ticket *tk)
{
	bool final = ticket_state_final(tk->state);
	struct cust *c;
	struct truck *k;

	sim_world_advance(w, now);
	now = w->now;
	if (!w->started)
		return;

	/* the customer's side */
	c = cust_by_id(w, tk->id);
	if (c != NULL && !c->final) {
		c->state = tk->state;
		if (tk->created > 0)
			c->created = tk->created;
		if (tk->promised > 0)
			c->promised = tk->promised;
		if (tk->t_on_scene > 0)
			c->t_on_scene = tk->t_on_scene;
		if (final)
			cust_final(w, c);
	}

	/* pending quick declines that are moot now */
	for (size_t i = 0; i < w->n_busy;) {
		if (w->busy[i].ticket == tk->id && (tk->state != TICKET_DISPATCHED ||
		    strcmp(tk->truck, w->busy[i].truck) != 0))
			busy_remove(w, i);
		else
			i++;
	}

	/* the truck that has it queued after its job: still ours? */
	k = truck_of_next(w, tk->id);
	if (k != NULL) {
		struct next *n = &k->next;
		bool mine = !final && strcmp(tk->truck, k->id) == 0;
		if (mine && tk->state == TICKET_DISPATCHED && tk->t_dispatched > n->tk.t_dispatched) {
			next_offer(w, k, tk, now); /* offered again */
			return;
		}
		if (mine && tk->state == TICKET_ACCEPTED) {
			n->tk.state = TICKET_ACCEPTED;
			return;
		}
		if (mine && tk->state == TICKET_DISPATCHED)
			return; /* an older update: our answer is pending or on its way */
		n->st = NEXT_NONE; /* closed, back to new, or given to another truck */
	}

	/* the truck that has it: still ours? */
	k = truck_of_job(w, tk->id);
	if (k != NULL && !final && tk->state != TICKET_NEW && strcmp(tk->truck, k->id) == 0) {
		if (tk->state != TICKET_DISPATCHED)
			k->tstate = tk->state;
		else if (tk->t_dispatched > k->job_tdisp && k->phase != PH_OFFERED) {
			/* the same truck offered it again */
			truck_stop(k, now);
			offer(w, k, tk, now);
		}
		return;
	}
	if (k != NULL)
		release(w, k, now); /* closed, back to new, or given to another truck */

	/* a truck of ours named on a live ticket it does not hold */
	if (final || tk->state == TICKET_NEW || tk->truck[0] == '\0')
		return;
	k = hmap_get(w->by_id, tk->truck);
	if (k == NULL)
		return;
	/* an older update of an offer answered or a job finished: our answer is on its way */
	if (seen(k, tk->id, tk->t_dispatched, tk->state != TICKET_DISPATCHED))
		return;
	if (truck_busy(k)) {
		if (tk->state == TICKET_DISPATCHED && finishing(k)) {
			next_offer(w, k, tk, now);
			return;
		}
		remember(k, tk->id, tk->t_dispatched);
		if (tk->state != TICKET_DISPATCHED) {
			w->st.conflicts++;
			return;
		}
		if (w->n_busy == w->cap_busy) {
			w->cap_busy = w->cap_busy ? w->cap_busy * 2 : 8;
			w->busy = xreallocarray(w->busy, w->cap_busy, sizeof *w->busy);
		}
		struct busy *b = &w->busy[w->n_busy++];
		b->ticket = tk->id;
		rd_strlcpy(b->truck, k->id, sizeof b->truck);
		b->due = now + BUSY_DECLINE_MIN_MS;
		rd_strlcpy(b->reason, k->phase == PH_OFF ? "declined: driver off shift" :
		    "declined: driver on another job", sizeof b->reason);
		w->st.offers++;
		w->st.conflicts++;
		return;
	}
	adopt(w, k, tk, now);
}

void
sim_world_intake_done(struct sim_world *w, int64_t now, uint64_t seq, int64_t id)
{
	struct cust *c;

	sim_world_advance(w, now);
	c = cust_by_seq(w, seq);
	if (c == NULL || c->id != 0)
		return;
	c->id = id;
	w->st.created++;
	if (w->o.requests > 0 && (long)w->st.created >= w->o.requests)
		w->last_created = w->now;
}

void
sim_world_intake_failed(struct sim_world *w, int64_t now, uint64_t seq)
{
	struct cust *c;

	sim_world_advance(w, now);
	c = cust_by_seq(w, seq);
	if (c == NULL || c->id != 0)
		return;
	size_t i = (size_t)(c - w->custs);
	memmove(&w->custs[i], &w->custs[i + 1], (w->n_custs - i - 1) * sizeof *w->custs);
	w->n_custs--;
	w->st.failed++;
	if (w->o.requests > 0) {
		w->to_generate++;
		if (w->t_call == INT64_MAX)
			w->t_call = sim_world_next_arrival(&w->demand, w->per_hour, w->now,
			    w->o.tz_offset_s);
	}
}

bool
sim_world_done(const struct sim_world *w)
{
	return w->o.requests > 0 && (long)w->st.created >= w->o.requests &&
	    w->finals >= w->st.created;
}

int64_t
sim_world_last_created(const struct sim_world *w)
{
	return w->last_created;
}

void
sim_world_stats(const struct sim_world *w, struct sim_world_stats *out)
{
	*out = w->st;
}

const int64_t *
sim_world_responses(const struct sim_world *w, size_t *n, size_t *in_promise)
{
	*n = w->n_resp;
	*in_promise = w->in_promise;
	return w->resp;
}

size_t
sim_world_open_tickets(const struct sim_world *w, int64_t *ids, size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < w->n_custs; i++) {
		const struct cust *c = &w->custs[i];
		if (c->id == 0 || c->final)
			continue;
		if (n < max)
			ids[n] = c->id;
		n++;
	}
	return n;
}

size_t
sim_world_truck_count(const struct sim_world *w)
{
	return w->n_trucks;
}

void
sim_world_truck_info(const struct sim_world *w, size_t i, struct sim_world_truck_info *out)
{
	const struct truck *k = &w->trucks[i];

	out->id = k->id;
	out->supplier = k->sup->id;
	out->region = k->reg->id;
	out->kind = k->kind;
	out->pos = k->pos;
	out->on_shift = k->on_shift;
	out->job = k->job;
	out->next = k->next.st != NEXT_NONE ? k->next.tk.id : 0;
	out->phase = phase_names[k->phase];
}
