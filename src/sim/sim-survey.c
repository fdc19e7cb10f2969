/* sim-survey.c: the simulated customers' survey answers (issue 14). After a rescue
 * (completed) or a phone fix (resolved_remote) about one customer in five answers the
 * 0-10 "would you recommend" survey, some minutes after the close; the score falls with
 * the minutes the truck came past the promise and rises with a fix by phone; some write a
 * comment (in Chinese mostly, some in English), and some detractors' comments mention a
 * complaint. Each call's answer comes from a stream of its own, seeded by (seed,
 * SURVEY_STREAM << 32 + call number), so a seed replays the same answers.
 *
 * The pure draw is sim_world_survey_make (sim-world.h); the world keeps the answers due
 * (w->surveys) and pushes SIM_WORLD_SURVEY actions when they come (sim-world.c's
 * next_due). */
#include <math.h>
#include <string.h>

#include "sim-world-int.h"
#include "util.h"

#define SURVEY_STREAM 0x5a7e5ULL

/* The score's model: a mean on time, what a late minute takes off (at most LATE_CAP), what
 * a fix by phone adds, and the spread around the mean. */
#define MEAN_ON_TIME 8.6
#define PER_LATE_MIN 0.08
#define LATE_CAP 6.5
#define PHONE_BONUS 0.7
#define SPREAD 1.5
#define P_COMMENT 0.35
#define P_COMPLAINT 0.4   /* of detractors' comments */
#define P_ENGLISH 0.15
#define DELAY_MIN_MS (3 * MIN)
#define DELAY_MEAN_MS (40 * MIN)
#define DELAY_MAX_MS (6 * HOUR)

static const char *const praise_zh[] = {
	"师傅来得很快，态度也好", "电话里一步步教我，很快就解决了", "服务专业，谢谢",
	"比预想的快，满意",
};
static const char *const praise_en[] = {
	"Quick and friendly, thank you", "Solved over the phone in minutes, great",
	"Very professional service",
};
static const char *const meh_zh[] = {
	"还行，就是等得有点久", "师傅不错，调度电话打了好几次", "一般",
};
static const char *const meh_en[] = {
	"OK, but the wait was a bit long", "Fine in the end",
};
static const char *const bad_zh[] = {
	"等了太久，说好的时间没到", "没人告诉我车什么时候到", "拖车师傅态度很差",
};
static const char *const bad_en[] = {
	"Waited far too long, nobody kept me informed", "The truck came much later than promised",
};
static const char *const complaint_zh[] = {
	"等了两个小时，我要投诉", "服务太差，要求投诉处理并退费",
};
static const char *const complaint_en[] = {
	"I want to file a complaint: two hours for a tow", "This deserves a formal complaint",
};

void
sim_world_survey_make(struct rng *r, bool phone, int64_t late_ms,
    struct sim_world_survey *out)
{
	memset(out, 0, sizeof *out);
	/* the draws are the same in number whatever the outcome, so one call's answer does
	 * not shift the next's */
	double answers = rng_uniform(r), noise = rng_normal(r), delay = rng_exp(r,
	    (double)DELAY_MEAN_MS), comment = rng_uniform(r), lang = rng_uniform(r),
	    complaint = rng_uniform(r);
	uint64_t which = rng_next(r);

	out->answer = answers < SIM_WORLD_SURVEY_RATE;
	double late_min = late_ms > 0 ? (double)late_ms / (double)MIN : 0;
	double drop = late_min * PER_LATE_MIN;
	double mean = MEAN_ON_TIME - (drop < LATE_CAP ? drop : LATE_CAP) +
	    (phone ? PHONE_BONUS : 0);
	long score = lround(mean + SPREAD * noise);
	out->score = score < 0 ? 0 : score > 10 ? 10 : (int)score;
	int64_t d = DELAY_MIN_MS + (int64_t)delay;
	out->delay_ms = d > DELAY_MAX_MS ? DELAY_MAX_MS : d;
	if (comment >= P_COMMENT)
		return;
	bool en = lang < P_ENGLISH;
	const char *const *t;
	size_t n;
	if (out->score >= 9) {
		t = en ? praise_en : praise_zh;
		n = en ? ARRAY_LEN(praise_en) : ARRAY_LEN(praise_zh);
	} else if (out->score >= 7) {
		t = en ? meh_en : meh_zh;
		n = en ? ARRAY_LEN(meh_en) : ARRAY_LEN(meh_zh);
	} else if (complaint < P_COMPLAINT) {
		t = en ? complaint_en : complaint_zh;
		n = en ? ARRAY_LEN(complaint_en) : ARRAY_LEN(complaint_zh);
		out->complaint = true;
	} else {
		t = en ? bad_en : bad_zh;
		n = en ? ARRAY_LEN(bad_en) : ARRAY_LEN(bad_zh);
	}
	rd_strlcpy(out->comment, t[which % n], sizeof out->comment);
}

void
survey_close(struct sim_world *w, const struct cust *c, int64_t t)
{
	struct sim_world_survey s;
	struct rng r;

	if (c->id <= 0 || (c->state != TICKET_COMPLETED && c->state != TICKET_RESOLVED_REMOTE))
		return;
	rng_seed(&r, w->o.seed, (SURVEY_STREAM << 32) + c->seq);
	int64_t late = c->t_on_scene > 0 && c->promised > 0 ? c->t_on_scene - c->promised : 0;
	sim_world_survey_make(&r, c->state == TICKET_RESOLVED_REMOTE, late, &s);
	if (!s.answer)
		return;
	if (w->n_surveys == w->cap_surveys) {
		w->cap_surveys = w->cap_surveys ? 2 * w->cap_surveys : 16;
		w->surveys = xreallocarray(w->surveys, w->cap_surveys, sizeof *w->surveys);
	}
	w->surveys[w->n_surveys++] = (struct survey_due){ .ticket = c->id, .due = t + s.delay_ms,
	    .s = s };
}

void
survey_event(struct sim_world *w, size_t i, int64_t t)
{
	struct survey_due d = w->surveys[i];
	struct sim_world_action *a;

	memmove(&w->surveys[i], &w->surveys[i + 1], (w->n_surveys - i - 1) * sizeof *w->surveys);
	w->n_surveys--;
	a = sim_push(w, SIM_WORLD_SURVEY, t);
	a->ticket = d.ticket;
	a->answer = d.s.score;
	rd_strlcpy(a->comment, d.s.comment, sizeof a->comment);
	w->st.surveys++;
	w->st.survey_detractors += d.s.score <= 6;
	w->st.survey_complaints += d.s.complaint;
}
