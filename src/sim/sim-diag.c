/* sim-diag.c: remote diagnosis in the simulated world: the caller's hidden true cause and
 * the answers that follow from it, and the specialist the simulator plays (picks a caller
 * up, starts the flow, reads each step, presses the safety key, dispatches now on
 * expressways and at night; the other calls it will diagnose go out with diag_hold). Pure: the flows are borrowed from the world's options, every
 * random number comes from the caller's own diagnosis stream (see sim-world.h).
 *
 * The numbers (documented in man/rescuedesk-sim.1.scd):
 *   cause       phone-fixable with the flow's success_rate (when a solved outcome is in
 *               reach), then a path drawn as a walk conditioned on ending solved or not:
 *               sibling answers alike, safety-relevant ones a fifth as often, one that
 *               leads to a safety stop only from a caller with that hazard
 *   hazards     an expressway caller is on the shoulder (live_lane) in 80% of calls;
 *               an injury flag is always reported (injury); a woman alone at night is
 *               unable to go on in 25% (caller_unable); reported before answer 1-3
 *   specialist  picks a call up 10-40 s after it is seen; 15-45 s a question, 45-150 s
 *               an instruction; asks again after 120 s when the broker did not move */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "civil.h"
#include "sim-world-int.h"
#include "util.h"

#define P_EXPRESSWAY_STOP 0.8
#define P_ALONE_UNABLE 0.25
#define HAZARD_WITHIN 3            /* a hazard comes out before one of the first answers */
#define PICKUP_MIN_MS (10 * SEC)
#define PICKUP_MAX_MS (40 * SEC)
#define QUESTION_MIN_MS (15 * SEC)
#define QUESTION_MAX_MS (45 * SEC)
#define INSTRUCTION_MIN_MS (45 * SEC)
#define INSTRUCTION_MAX_MS (150 * SEC)
#define RETRY_MS (120 * SEC)
#define HAZARD_WEIGHT 1e6          /* asked about their hazard, callers say so */
#define SAFETY_WEIGHT 0.2          /* a safety-relevant answer (a cracked battery) */

/* ------------------------------------------------------------------ the caller */

/* How likely a caller gives answer a, before the cause is known: an answer that leads to a
 * safety stop only when the caller has that hazard (and then surely), one marked
 * safety-relevant seldom, any other as likely as its siblings. */
static double
answer_base(const struct flow_answer *a, const struct flow_stop *hazard)
{
	if (a->stop != NULL)
		return a->stop == hazard ? HAZARD_WEIGHT : 0;
	return a->safety ? SAFETY_WEIGHT : 1;
}

/* The share of callers at node n (weighted as answer_base says) whose walk ends solved by
 * phone. memo holds one value per node of the set (< 0: not known yet); flows are acyclic,
 * so the recursion ends. */
static double p_solved_node(const struct flow_set *set, const struct flow_node *n,
    const struct flow_stop *hazard, double *memo);

static double
p_solved_answer(const struct flow_set *set, const struct flow_answer *a,
    const struct flow_stop *hazard, double *memo)
{
	if (a->node != NULL)
		return p_solved_node(set, a->node, hazard, memo);
	return a->outcome != NULL && a->outcome->type == FLOW_SOLVED ? 1 : 0;
}

static size_t
node_index(const struct flow_set *set, const struct flow_node *n)
{
	for (size_t i = 0; i < set->n_nodes; i++)
		if (set->nodes[i] == n)
			return i;
	return set->n_nodes;
}

static double
p_solved_node(const struct flow_set *set, const struct flow_node *n,
    const struct flow_stop *hazard, double *memo)
{
	size_t i = node_index(set, n);
	double sum = 0, wsum = 0;

	if (i < set->n_nodes && memo[i] >= 0)
		return memo[i];
	for (size_t k = 0; k < n->n_answers; k++) {
		double b = answer_base(&n->answers[k], hazard);
		if (b > 0) {
			sum += b * p_solved_answer(set, &n->answers[k], hazard, memo);
			wsum += b;
		}
	}
	sum = wsum > 0 ? sum / wsum : 0;
	if (i < set->n_nodes)
		memo[i] = sum;
	return sum;
}

static double *
memo_new(const struct flow_set *set)
{
	double *memo = xcalloc(set->n_nodes ? set->n_nodes : 1, sizeof *memo);

	for (size_t i = 0; i < set->n_nodes; i++)
		memo[i] = -1;
	return memo;
}

double
sim_world_flow_reach(const struct flow_set *set, const struct flow *fl)
{
	double *memo = memo_new(set);
	double p = p_solved_node(set, fl->start, NULL, memo);

	free(memo);
	return p;
}

/* The weight of answer a for a caller whose cause ends solved (or not). */
static double
answer_weight(const struct flow_set *set, const struct flow_answer *a, bool solved,
    const struct flow_stop *hazard, double *memo)
{
	double p = p_solved_answer(set, a, hazard, memo);

	return answer_base(a, hazard) * (solved ? p : 1 - p);
}

static const struct flow_stop *
hazard_of(struct rng *r, const struct flow_set *set, uint32_t flags)
{
	const char *id = NULL;

	/* one draw each whatever the flags, so that the rest of the stream does not depend
	 * on them */
	double u_expressway = rng_uniform(r), u_alone = rng_uniform(r);

	if (flags & TICKET_FLAG_INJURY)
		id = "injury";
	else if ((flags & TICKET_FLAG_EXPRESSWAY) && u_expressway < P_EXPRESSWAY_STOP)
		id = "live_lane";
	else if ((flags & TICKET_FLAG_ALONE_NIGHT) && u_alone < P_ALONE_UNABLE)
		id = "caller_unable";
	return id != NULL ? flow_set_stop(set, id) : NULL;
}

void
sim_world_cause_make(struct rng *r, const struct flow_set *set, const struct flow *fl,
    uint32_t flags, struct sim_world_cause *out)
{
	double *memo = memo_new(set);
	double reach;
	const struct flow_node *n = fl->start;
	bool solved;

	memset(out, 0, sizeof *out);
	out->flow = fl;
	solved = rng_uniform(r) < fl->success_rate;
	out->hazard = hazard_of(r, set, flags);
	reach = p_solved_node(set, fl->start, out->hazard, memo);
	/* a caller with a hazard is not solved by phone: the safety stop comes first */
	if (out->hazard != NULL || reach <= 0)
		solved = false;
	else if (reach >= 1)
		solved = true;
	while (n != NULL && out->n_steps < FLOW_STEPS_MAX) {
		double w[64];
		size_t na = n->n_answers < ARRAY_LEN(w) ? n->n_answers : ARRAY_LEN(w);
		double sum = 0;
		size_t pick;
		const struct flow_answer *a;

		for (size_t k = 0; k < na; k++)
			sum += w[k] = answer_weight(set, &n->answers[k], solved, out->hazard,
			    memo);
		if (!(sum > 0))
			for (size_t k = 0; k < na; k++)
				sum += w[k] = answer_base(&n->answers[k], out->hazard);
		if (!(sum > 0))
			for (size_t k = 0; k < na; k++)
				w[k] = 1;
		pick = rng_pick(r, w, na);
		a = &n->answers[pick];
		out->steps[out->n_steps].node = n;
		out->steps[out->n_steps].answer = pick;
		out->n_steps++;
		n = a->node;
		out->outcome = a->outcome;
		out->stop = a->stop;
	}
	out->solvable = out->outcome != NULL && out->outcome->type == FLOW_SOLVED;
	out->hazard_at = rng_below(r, (uint32_t)(out->n_steps < HAZARD_WITHIN ? out->n_steps :
	    HAZARD_WITHIN));
	free(memo);
}

size_t
sim_world_cause_answer(const struct flow_set *set, const struct sim_world_cause *c,
    const struct flow_node *node)
{
	double *memo;
	size_t best = 0;
	double best_w = -1;

	for (size_t i = 0; i < c->n_steps; i++)
		if (c->steps[i].node == node)
			return c->steps[i].answer;
	/* off the cause's path (a console went another way): what keeps its end in reach */
	memo = memo_new(set);
	for (size_t k = 0; k < node->n_answers; k++) {
		double w = answer_weight(set, &node->answers[k], c->solvable, c->hazard, memo);
		if (w > best_w) {
			best_w = w;
			best = k;
		}
	}
	free(memo);
	return best;
}

/* ------------------------------------------------------------------ the specialist */

static bool
diagnosable(enum ticket_state s)
{
	return s == TICKET_NEW || s == TICKET_DISPATCHED || s == TICKET_ACCEPTED ||
	    s == TICKET_EN_ROUTE;
}

/* Whether the specialist asks for a truck at once for a call at t: the flows recommend it
 * on an expressway and at night. */
static bool
dispatch_now(const struct sim_world *w, uint32_t flags, int64_t t)
{
	int hour = civil_local_hour(t, w->o.tz_offset_s);

	return (flags & TICKET_FLAG_EXPRESSWAY) != 0 || civil_night_hour(hour);
}

void
diag_call(struct sim_world *w, struct cust *c, struct sim_world_intake *in, int64_t t)
{
	const struct flow *fl;

	c->d = CD_NONE;
	c->t_diag = INT64_MAX;
	in->diag_hold = false;
	if (!w->o.diagnose || w->o.flows == NULL ||
	    (fl = flow_set_for_fault(w->o.flows, in->fault)) == NULL)
		return;
	rng_seed(&c->drng, w->o.seed, (DIAG_STREAM << 32) + c->seq);
	sim_world_cause_make(&c->drng, w->o.flows, fl, in->flags, &c->cause);
	c->dispatch_now = dispatch_now(w, in->flags, t);
	/* no truck before the diagnosis, unless one goes at once anyway */
	in->diag_hold = !c->dispatch_now;
	c->d = CD_WAITING;
}

static int64_t
step_ms(struct cust *c, const struct flow_node *n)
{
	if (n != NULL && n->kind == FLOW_INSTRUCTION)
		return (int64_t)rng_range(&c->drng, INSTRUCTION_MIN_MS, INSTRUCTION_MAX_MS);
	return (int64_t)rng_range(&c->drng, QUESTION_MIN_MS, QUESTION_MAX_MS);
}

static struct sim_world_action *
diag_push(struct sim_world *w, struct cust *c, enum sim_world_action_kind kind, int64_t t,
    const char *id)
{
	struct sim_world_action *a = sim_push(w, kind, t);

	a->ticket = c->id;
	rd_strlcpy(a->diag, id, sizeof a->diag);
	return a;
}

void
diag_ticket(struct sim_world *w, struct cust *c, const struct sim_world_ticket *tk, int64_t t)
{
	if (c->d == CD_NONE || c->d == CD_DONE)
		return;
	if (ticket_state_final(tk->state)) {
		c->d = CD_DONE;
		c->t_diag = INT64_MAX;
		return;
	}
	switch (c->d) {
	case CD_WAITING:
		if (tk->diag != SIM_WORLD_DIAG_NONE) {
			c->d = CD_DONE; /* someone at a console took it */
		} else if (diagnosable(tk->state)) {
			c->d = CD_QUEUED;
			c->t_diag = t + (int64_t)rng_range(&c->drng, PICKUP_MIN_MS, PICKUP_MAX_MS);
		}
		break;
	case CD_QUEUED:
		if (tk->diag != SIM_WORLD_DIAG_NONE) {
			c->d = CD_DONE;
			c->t_diag = INT64_MAX;
		}
		break;
	case CD_STARTED:
		if (tk->diag == SIM_WORLD_DIAG_ENDED) {
			c->d = CD_DONE;
			c->t_diag = INT64_MAX;
		} else if (tk->diag == SIM_WORLD_DIAG_RUNNING &&
		    (tk->diag_steps != c->acted_steps ||
		    strcmp(tk->diag_node, c->acted_node) != 0)) {
			/* a step to read to the caller */
			rd_strlcpy(c->node, tk->diag_node, sizeof c->node);
			c->steps = tk->diag_steps;
			c->acted_steps = tk->diag_steps;
			rd_strlcpy(c->acted_node, tk->diag_node, sizeof c->acted_node);
			c->t_diag = t + step_ms(c, flow_set_node(w->o.flows, c->node));
		}
		break;
	default:
		break;
	}
}

void
diag_event(struct sim_world *w, struct cust *c, int64_t t)
{
	c->t_diag = INT64_MAX;
	if (c->d == CD_QUEUED) {
		if (!diagnosable(c->state)) {
			c->d = CD_DONE;
			return;
		}
		diag_push(w, c, SIM_WORLD_DIAG_START, t, c->cause.flow->id);
		w->st.diag_sessions++;
		/* the flows recommend it: a truck on its way while the diagnosis goes on */
		if (c->dispatch_now) {
			diag_push(w, c, SIM_WORLD_DIAG_DISPATCH_NOW, t, "");
			w->st.diag_dispatch_now++;
		}
		c->d = CD_STARTED;
		c->acted_steps = -1;
		c->acted_node[0] = '\0';
		return;
	}
	if (c->d != CD_STARTED || c->node[0] == '\0')
		return;
	if (c->cause.hazard != NULL && (size_t)c->steps >= c->cause.hazard_at) {
		diag_push(w, c, SIM_WORLD_DIAG_SAFETY, t, c->cause.hazard->id);
		w->st.diag_stops++;
	} else {
		const struct flow_node *n = flow_set_node(w->o.flows, c->node);
		struct sim_world_action *a;
		if (n == NULL) {
			c->d = CD_DONE; /* a flow we do not know: leave it to the consoles */
			return;
		}
		a = diag_push(w, c, SIM_WORLD_DIAG_ANSWER, t, c->node);
		a->answer = (int)sim_world_cause_answer(w->o.flows, &c->cause, n) + 1;
		w->st.diag_answers++;
	}
	/* ask again if the broker does not move on (a lost or refused request) */
	c->t_diag = t + RETRY_MS;
}
