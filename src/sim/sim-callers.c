/* sim-callers.c: who calls the centre, when, and about what: local time and the demand
 * of the hour (Poisson arrivals), the fault mix, and complete calls (a caller's name and
 * mobile number, a plate and a car, a place at a landmark, on an expressway or in the
 * streets of the region, notes). Pure functions of a random stream (see sim-world.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "civil.h"
#include "sim-world-int.h"
#include "util.h"

/* ------------------------------------------------------------------ time and demand */

/* The first time after t at which the local time of day is minute m (0..1439). */
int64_t
sim_next_local_minute(int64_t t, int tz_offset_s, int m)
{
	int64_t into = civil_ms_of_day(t, tz_offset_s);
	int64_t want = civil_ms_of_day((int64_t)m * MIN, 0);
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
		int64_t end = t + (HOUR - civil_ms_of_day(t, tz_offset_s) % HOUR);
		double rate = per_hour[civil_local_hour(t, tz_offset_s)];

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

/* ------------------------------------------------------------------ customers */

const char *
sim_pick_wstr(struct rng *r, const struct wstr *t, size_t n)
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
		const char *s = sim_pick_wstr(r, surnames, ARRAY_LEN(surnames));
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
		prefix = sim_pick_wstr(r, fl->plates + 1, fl->n_plates - 1);
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

bool
sim_is_expressway(const struct data_landmark *lm)
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

void
sim_append(char *dst, size_t dstsz, const char *sep, const char *s)
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
	sim_append(out, outsz, "", "市");
}

/* A point uniform in the disk of radius_m around c. */
struct geo_point
sim_in_disk(struct rng *r, struct geo_point c, double radius_m)
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
	int hour = civil_local_hour(now_ms, tz_offset_s);
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
		if (sim_is_expressway(&reg->landmarks[i])) {
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
			sim_append(out->address, sizeof out->address, "", "附近");
		if (off < 1500)
			at = lm;
		out->flags |= TICKET_FLAG_EXPRESSWAY;
	} else if (n_plain > 0 && rng_uniform(r) < p_landmark) {
		/* at a landmark: a station, a park, the airport */
		const struct data_landmark *lm = &reg->landmarks[plain[rng_below(r,
		    (uint32_t)n_plain)]];
		p = sim_in_disk(r, (struct geo_point){ lm->lat, lm->lon }, 400);
		landmark_cn(lm->name, cn, sizeof cn);
		area = nearest_area(fl, p);
		snprintf(out->address, sizeof out->address, "%s%s%s%s", city,
		    area != NULL ? area->name : "", cn,
		    pick_str(r, lm_suffix, ARRAY_LEN(lm_suffix)));
		sim_append(out->address, sizeof out->address, "", "附近");
		at = lm;
	} else {
		/* anywhere: cities and counties around the centre (denser inside half the
		 * radius), rural areas along the roads near towns */
		for (int tries = 0; tries < 16; tries++) {
			if (reg->klass == REGION_RURAL && n_plain > 0) {
				size_t j = plain[rng_below(r, (uint32_t)n_plain)];
				const struct data_landmark *lm = &reg->landmarks[j];
				p = sim_in_disk(r, (struct geo_point){ lm->lat, lm->lon }, 15000);
			} else {
				double scale = rng_uniform(r) < 0.7 ? 0.5 : 1.0;
				p = sim_in_disk(r, centre, reg->radius_km * 1000 * scale);
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
		sim_append(out->address, sizeof out->address, "", where);
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
		sim_append(out->notes, sizeof out->notes, "；", "有人受伤，已报120");
	if (out->flags & TICKET_FLAG_VULNERABLE)
		sim_append(out->notes, sizeof out->notes, "；", "车上有老人和小孩");
	if (out->flags & TICKET_FLAG_ALONE_NIGHT)
		sim_append(out->notes, sizeof out->notes, "；", "女士独自一人，夜间");
	if (out->flags & TICKET_FLAG_EXPRESSWAY)
		sim_append(out->notes, sizeof out->notes, "；", "已放三角警示牌，人员已撤到护栏外");
	if (rng_uniform(r) < 0.25)
		sim_append(out->notes, sizeof out->notes, "；",
		    pick_str(r, notes_any, ARRAY_LEN(notes_any)));
}
