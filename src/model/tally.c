/* tally.c: the fold of the event log into the boards' and reports' figures (tally.h).
 *
 * One pass, in log order: a ticket's last offer (truck, supplier, time) is kept per ticket,
 * so its accept, decline or time-out is put on the supplier that was offered the job and
 * the accept gets its time to accept; a truck's supplier is learnt from every offer (and
 * from tally_know_truck), which places arrivals. Only the blobs a figure needs are decoded:
 * params for offers, accepts, declines, time-outs, state changes and acks; the ticket for
 * `created` and arrivals; the warning for acks; the complaint for `saved`. */
#include "tally.h"

#include <stdlib.h>
#include <string.h>

#include "complaint.h"
#include "hmap.h"
#include "proto.h"
#include "util.h"

struct offer {
	int64_t ts;
	char truck[25];
	char supplier[TALLY_ID_MAX];
};

struct accept_times {
	int64_t *ms;
	size_t n, cap;
};

/* A complaint first stored in the range, as its versions up to `to` tell. */
struct cstate {
	char cause[TALLY_CAUSE_MAX];
	int64_t decision_at;        /* 0: not decided */
	int64_t last_due;           /* the last decision_due published; 0 none */
	int64_t extension_level;
};

struct tally_priv {
	struct hmap *supplier_ix;   /* id -> row index + 1 */
	struct hmap *agent_ix;      /* user -> row index + 1 */
	struct hmap *truck_sup;     /* truck -> supplier (owned string) */
	struct hmap *offer_of;      /* ticket id -> struct offer (owned) */
	struct hmap *complaint_of;  /* uid -> struct cstate (owned), those received in range */
	size_t cap_suppliers, cap_agents, cap_rescues;
	struct accept_times *times; /* parallel to suppliers */
};

struct tally *
tally_create(int64_t from, int64_t to, int escalate_after_s)
{
	struct tally *t = xcalloc(1, sizeof *t);
	t->from = from;
	t->to = to;
	t->escalate_after_ms = (int64_t)escalate_after_s * 1000;
	t->priv = xcalloc(1, sizeof *t->priv);
	t->priv->supplier_ix = hmap_create();
	t->priv->agent_ix = hmap_create();
	t->priv->truck_sup = hmap_create();
	t->priv->offer_of = hmap_create();
	t->priv->complaint_of = hmap_create();
	int64_t days = to > from ? (to - from + 86399999) / 86400000 : 0;
	t->n_days = days < TALLY_DAYS_MAX ? (size_t)days : TALLY_DAYS_MAX;
	return t;
}

static void
free_values(struct hmap *m)
{
	size_t pos = 0;
	const char *k;
	void *v;
	while (hmap_next(m, &pos, &k, &v))
		free(v);
	hmap_destroy(m);
}

void
tally_free(struct tally *t)
{
	if (t == NULL)
		return;
	if (t->priv != NULL) {
		hmap_destroy(t->priv->supplier_ix);
		hmap_destroy(t->priv->agent_ix);
		free_values(t->priv->truck_sup);
		free_values(t->priv->offer_of);
		free_values(t->priv->complaint_of);
		for (size_t i = 0; t->priv->times != NULL && i < t->n_suppliers; i++)
			free(t->priv->times[i].ms);
		free(t->priv->times);
		free(t->priv);
	}
	free(t->suppliers);
	free(t->agents);
	free(t->rescues);
	free(t->causes);
	free(t);
}

void
tally_know_truck(struct tally *t, const char *truck, const char *supplier)
{
	if (truck == NULL || truck[0] == '\0' || supplier == NULL)
		return;
	char *old = hmap_get(t->priv->truck_sup, truck);
	if (old != NULL && strcmp(old, supplier) == 0)
		return;
	free(hmap_put(t->priv->truck_sup, truck, xstrdup(supplier)));
}

struct tally_supplier *
tally_supplier_row(struct tally *t, const char *id)
{
	struct tally_priv *p = t->priv;
	char key[TALLY_ID_MAX];
	rd_strlcpy(key, id != NULL ? id : "", sizeof key);
	uintptr_t ix = (uintptr_t)hmap_get(p->supplier_ix, key);
	if (ix != 0)
		return &t->suppliers[ix - 1];
	if (t->n_suppliers == p->cap_suppliers) {
		p->cap_suppliers = p->cap_suppliers ? 2 * p->cap_suppliers : 16;
		t->suppliers = xreallocarray(t->suppliers, p->cap_suppliers, sizeof *t->suppliers);
		p->times = xreallocarray(p->times, p->cap_suppliers, sizeof *p->times);
	}
	struct tally_supplier *s = &t->suppliers[t->n_suppliers];
	memset(s, 0, sizeof *s);
	memset(&p->times[t->n_suppliers], 0, sizeof p->times[0]);
	rd_strlcpy(s->id, key, sizeof s->id);
	s->accept_median_ms = -1;
	hmap_put(p->supplier_ix, key, (void *)(uintptr_t)++t->n_suppliers);
	return s;
}

struct tally_agent *
tally_agent_row(struct tally *t, const char *user)
{
	struct tally_priv *p = t->priv;
	char key[TALLY_ID_MAX];
	rd_strlcpy(key, user != NULL ? user : "", sizeof key);
	uintptr_t ix = (uintptr_t)hmap_get(p->agent_ix, key);
	if (ix != 0)
		return &t->agents[ix - 1];
	if (t->n_agents == p->cap_agents) {
		p->cap_agents = p->cap_agents ? 2 * p->cap_agents : 16;
		t->agents = xreallocarray(t->agents, p->cap_agents, sizeof *t->agents);
	}
	struct tally_agent *a = &t->agents[t->n_agents];
	memset(a, 0, sizeof *a);
	rd_strlcpy(a->user, key, sizeof a->user);
	hmap_put(p->agent_ix, key, (void *)(uintptr_t)++t->n_agents);
	return a;
}

static const char *
supplier_of_truck(const struct tally *t, const char *truck)
{
	const char *s = truck[0] != '\0' ? hmap_get(t->priv->truck_sup, truck) : NULL;
	return s != NULL ? s : "";
}

/* The supplier an answer of truck to ticket's offer is put on: the offer's, when that
 * offer was to this truck; else the truck's. */
static const char *
supplier_of_answer(const struct tally *t, const struct offer *o, const char *truck)
{
	if (o != NULL && strcmp(o->truck, truck) == 0)
		return o->supplier;
	return supplier_of_truck(t, truck);
}

static void
push_time(struct accept_times *a, int64_t ms)
{
	if (a->n == a->cap) {
		a->cap = a->cap ? 2 * a->cap : 16;
		a->ms = xreallocarray(a->ms, a->cap, sizeof *a->ms);
	}
	a->ms[a->n++] = ms;
}

static bool
decode(const void *blob, size_t len, enum proto_msg_id m, void *out)
{
	struct proto_error err;
	return blob != NULL && len > 0 && proto_decode_msg(blob, len, m, out, &err) == 0;
}

static struct tally_day *
day_of(struct tally *t, int64_t ts)
{
	int64_t d = (ts - t->from) / 86400000;
	return ts >= t->from && d < (int64_t)t->n_days ? &t->days[d] : NULL;
}

static int
hour_of(const struct tally *t, int64_t ts)
{
	int64_t h = (ts - t->from) / 3600000;
	return h >= 0 && h < TALLY_HOURS_MAX ? (int)h : -1;
}

static void
arrival(struct tally *t, const struct tally_event *ev)
{
	struct proto_ticket tk;
	if (!decode(ev->body, ev->body_len, PROTO_MSG_ticket, &tk))
		return;
	int64_t at = PROTO_HAS(&tk, ticket, t_on_scene) ? tk.t_on_scene : ev->ts;
	const char *truck = PROTO_HAS(&tk, ticket, truck) ? tk.truck : "";
	const struct offer *o = hmap_get(t->priv->offer_of, ev->entity);
	const char *sup = supplier_of_answer(t, o, truck);
	struct tally_supplier *s = tally_supplier_row(t, sup);
	int64_t resp = at - tk.created;
	s->arrived++;
	s->late += at > tk.promised;
	s->response_ms += resp;
	int h = hour_of(t, at);
	if (h >= 0) {
		t->hours[h].arrived++;
		t->hours[h].response_ms += resp;
	}
	struct tally_priv *p = t->priv;
	if (t->n_rescues == p->cap_rescues) {
		p->cap_rescues = p->cap_rescues ? 2 * p->cap_rescues : 64;
		t->rescues = xreallocarray(t->rescues, p->cap_rescues, sizeof *t->rescues);
	}
	struct tally_rescue *r = &t->rescues[t->n_rescues++];
	memset(r, 0, sizeof *r);
	r->ticket = tk.id;
	rd_strlcpy(r->region, tk.region, sizeof r->region);
	rd_strlcpy(r->supplier, sup, sizeof r->supplier);
	rd_strlcpy(r->truck, truck, sizeof r->truck);
	r->created = tk.created;
	r->on_scene = at;
	r->promised = tk.promised;
}

static void
created(struct tally *t, const struct tally_event *ev)
{
	struct proto_ticket tk;
	const char *who = ev->user != NULL ? ev->user : "";
	if (decode(ev->body, ev->body_len, PROTO_MSG_ticket, &tk) &&
	    PROTO_HAS(&tk, ticket, created_by) && tk.created_by[0] != '\0')
		who = tk.created_by;
	if (who[0] != '\0')
		tally_agent_row(t, who)->calls++;
	int h = hour_of(t, ev->ts);
	if (h >= 0)
		t->hours[h].calls++;
	struct tally_day *d = day_of(t, ev->ts);
	if (d != NULL)
		d->calls++;
}

static void
ticket_event(struct tally *t, const struct tally_event *ev)
{
	const char *kind = ev->kind;
	bool offer = strcmp(kind, "offer") == 0, accept = strcmp(kind, "accept") == 0;
	bool decline = strcmp(kind, "decline") == 0, timeout = strcmp(kind, "timeout") == 0;
	bool state = strcmp(kind, "state") == 0;

	if (strcmp(kind, "created") == 0) {
		created(t, ev);
		return;
	}
	if (!offer && !accept && !decline && !timeout && !state)
		return;
	struct proto_event_params pa;
	if (!decode(ev->params, ev->params_len, PROTO_MSG_event_params, &pa))
		return;
	if (state) {
		if (!PROTO_HAS(&pa, event_params, state))
			return;
		if (strcmp(pa.state, "on_scene") == 0)
			arrival(t, ev);
		bool phone = strcmp(pa.state, "resolved_remote") == 0;
		struct tally_day *d = day_of(t, ev->ts);
		if (d != NULL && (phone || strcmp(pa.state, "completed") == 0)) {
			d->closed++;
			d->phone += phone;
		}
		return;
	}
	const char *truck = PROTO_HAS(&pa, event_params, truck) ? pa.truck : "";
	struct offer *o = hmap_get(t->priv->offer_of, ev->entity);
	if (offer) {
		const char *sup = PROTO_HAS(&pa, event_params, supplier) ? pa.supplier :
		    supplier_of_truck(t, truck);
		if (o == NULL) {
			o = xcalloc(1, sizeof *o);
			hmap_put(t->priv->offer_of, ev->entity, o);
		}
		o->ts = ev->ts;
		rd_strlcpy(o->truck, truck, sizeof o->truck);
		rd_strlcpy(o->supplier, sup, sizeof o->supplier);
		tally_know_truck(t, truck, sup);
		tally_supplier_row(t, sup)->offers++;
		return;
	}
	struct tally_supplier *s = tally_supplier_row(t, supplier_of_answer(t, o, truck));
	if (accept) {
		s->accepted++;
		if (o != NULL && strcmp(o->truck, truck) == 0)
			push_time(&t->priv->times[s - t->suppliers], ev->ts - o->ts);
	} else if (decline) {
		s->declines++;
	} else {
		s->timeouts++;
	}
}

static void
learn_offer(struct tally *t, const struct tally_event *ev)
{
	struct proto_event_params pa;
	if (decode(ev->params, ev->params_len, PROTO_MSG_event_params, &pa) &&
	    PROTO_HAS(&pa, event_params, supplier) && PROTO_HAS(&pa, event_params, truck))
		tally_know_truck(t, pa.truck, pa.supplier);
}

static void
warning_event(struct tally *t, const struct tally_event *ev)
{
	if (strcmp(ev->kind, "owned") != 0)
		return;
	struct proto_event_params pa;
	const char *by = ev->user != NULL ? ev->user : "";
	if (decode(ev->params, ev->params_len, PROTO_MSG_event_params, &pa) &&
	    PROTO_HAS(&pa, event_params, by))
		by = pa.by;
	if (by[0] == '\0')
		return;
	struct tally_agent *a = tally_agent_row(t, by);
	a->warnings++;
	struct proto_warning w;
	if (!decode(ev->body, ev->body_len, PROTO_MSG_warning, &w))
		return;
	bool escalated = PROTO_HAS(&w, warning, escalated);
	bool red = strcmp(w.level, "red") == 0;
	if (!escalated && (!red || ev->ts - w.ts < t->escalate_after_ms))
		a->acked_in_time++;
}

/* A complaint's version: the first counts it for its supplier and starts its state (by
 * cause); later ones update the state of one received in the range. */
static void
complaint_event(struct tally *t, const struct tally_event *ev)
{
	if (strcmp(ev->kind, "saved") != 0)
		return;
	struct proto_complaint *c = xmalloc(sizeof *c);
	if (!decode(ev->body, ev->body_len, PROTO_MSG_complaint, c)) {
		free(c);
		return;
	}
	struct cstate *cs = hmap_get(t->priv->complaint_of, c->uid);
	if (c->version == 1) {
		tally_supplier_row(t, PROTO_HAS(c, complaint, supplier) ? c->supplier : "")->
		    complaints++;
		if (cs == NULL) {
			cs = xcalloc(1, sizeof *cs);
			hmap_put(t->priv->complaint_of, c->uid, cs);
		}
	}
	if (cs != NULL) {
		struct complaint *r = complaint_decode(c->record);
		if (r != NULL) {
			rd_strlcpy(cs->cause, r->cause != NULL ? r->cause : "", sizeof cs->cause);
			cs->decision_at = r->decision_at;
			cs->extension_level = r->extension_level;
			complaint_free(r);
		}
		if (PROTO_HAS(c, complaint, decision_due) && c->decision_due > 0)
			cs->last_due = c->decision_due;
	}
	free(c);
}

static void
survey_event(struct tally *t, const struct tally_event *ev)
{
	struct proto_event_params pa;
	struct tally_day *d = day_of(t, ev->ts);
	if (d == NULL || !decode(ev->params, ev->params_len, PROTO_MSG_event_params, &pa) ||
	    !PROTO_HAS(&pa, event_params, score) || pa.score < 0 || pa.score > 10)
		return;
	d->surveys++;
	d->promoters += pa.score >= 9;
	d->passives += pa.score == 7 || pa.score == 8;
	d->detractors += pa.score <= 6;
}

void
tally_add(struct tally *t, const struct tally_event *ev)
{
	if (ev->kind == NULL || ev->stream == NULL || ev->entity == NULL || ev->ts >= t->to)
		return;
	if (ev->ts < t->from) {
		/* before the range: an offer only says whose the truck is */
		if (strcmp(ev->stream, "ticket") == 0 && strcmp(ev->kind, "offer") == 0)
			learn_offer(t, ev);
		return;
	}
	t->events++;
	if (strcmp(ev->kind, "survey") == 0)
		survey_event(t, ev);
	else if (strcmp(ev->stream, "ticket") == 0)
		ticket_event(t, ev);
	else if (strcmp(ev->stream, "warning") == 0)
		warning_event(t, ev);
	else if (strcmp(ev->stream, "complaint") == 0)
		complaint_event(t, ev);
}

static int
cmp_i64(const void *va, const void *vb)
{
	int64_t a = *(const int64_t *)va, b = *(const int64_t *)vb;
	return (a > b) - (a < b);
}

static int
cmp_supplier(const void *va, const void *vb)
{
	return strcmp(((const struct tally_supplier *)va)->id,
	    ((const struct tally_supplier *)vb)->id);
}

static int
cmp_agent(const void *va, const void *vb)
{
	return strcmp(((const struct tally_agent *)va)->user,
	    ((const struct tally_agent *)vb)->user);
}

static int
cmp_cause(const void *va, const void *vb)
{
	return strcmp(((const struct tally_cause *)va)->cause,
	    ((const struct tally_cause *)vb)->cause);
}

/* The complaints received in the range, by cause. */
static void
finish_causes(struct tally *t)
{
	struct hmap *ix = hmap_create();
	size_t pos = 0, cap = 0;
	const char *uid;
	void *v;

	free(t->causes);
	t->causes = NULL;
	t->n_causes = 0;
	while (hmap_next(t->priv->complaint_of, &pos, &uid, &v)) {
		const struct cstate *cs = v;
		uintptr_t i = (uintptr_t)hmap_get(ix, cs->cause);
		if (i == 0) {
			if (t->n_causes == cap) {
				cap = cap ? 2 * cap : 16;
				t->causes = xreallocarray(t->causes, cap, sizeof *t->causes);
			}
			memset(&t->causes[t->n_causes], 0, sizeof t->causes[0]);
			rd_strlcpy(t->causes[t->n_causes].cause, cs->cause, TALLY_CAUSE_MAX);
			i = ++t->n_causes;
			hmap_put(ix, cs->cause, (void *)i);
		}
		struct tally_cause *c = &t->causes[i - 1];
		bool decided = cs->decision_at > 0;
		c->received++;
		c->decided += decided;
		c->in_time += decided && cs->last_due > 0 && cs->decision_at <= cs->last_due;
		c->extended += cs->extension_level > 0;
		c->overdue += !decided && cs->last_due > 0 && cs->last_due < t->to;
	}
	hmap_destroy(ix);
	if (t->n_causes > 1)
		qsort(t->causes, t->n_causes, sizeof *t->causes, cmp_cause);
}

static int
cmp_rescue(const void *va, const void *vb)
{
	int64_t a = ((const struct tally_rescue *)va)->ticket;
	int64_t b = ((const struct tally_rescue *)vb)->ticket;
	return (a > b) - (a < b);
}

void
tally_finish(struct tally *t)
{
	struct tally_priv *p = t->priv;
	for (size_t i = 0; i < t->n_suppliers; i++) {
		struct accept_times *a = &p->times[i];
		if (a->n == 0)
			continue;
		qsort(a->ms, a->n, sizeof *a->ms, cmp_i64);
		t->suppliers[i].accept_median_ms = a->n % 2 ? a->ms[a->n / 2] :
		    (a->ms[a->n / 2 - 1] + a->ms[a->n / 2]) / 2;
		free(a->ms);
		a->ms = NULL;
		a->n = a->cap = 0;
	}
	/* the indexes name positions that sorting moves: the rows are final from here */
	hmap_destroy(p->supplier_ix);
	hmap_destroy(p->agent_ix);
	p->supplier_ix = hmap_create();
	p->agent_ix = hmap_create();
	if (t->n_suppliers > 1)
		qsort(t->suppliers, t->n_suppliers, sizeof *t->suppliers, cmp_supplier);
	if (t->n_agents > 1)
		qsort(t->agents, t->n_agents, sizeof *t->agents, cmp_agent);
	if (t->n_rescues > 1)
		qsort(t->rescues, t->n_rescues, sizeof *t->rescues, cmp_rescue);
	finish_causes(t);
	for (size_t i = 0; i < t->n_suppliers; i++)
		hmap_put(p->supplier_ix, t->suppliers[i].id, (void *)(uintptr_t)(i + 1));
	for (size_t i = 0; i < t->n_agents; i++)
		hmap_put(p->agent_ix, t->agents[i].user, (void *)(uintptr_t)(i + 1));
}

bool
tally_share(int64_t num, int64_t den, double *out)
{
	if (den <= 0) {
		*out = 0;
		return false;
	}
	*out = (double)num / (double)den;
	return true;
}

bool
tally_mean(int64_t sum, int64_t n, int64_t *out)
{
	if (n <= 0) {
		*out = 0;
		return false;
	}
	*out = sum >= 0 ? (sum + n / 2) / n : -((-sum + n / 2) / n);
	return true;
}
