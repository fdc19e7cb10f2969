/* present.c: labels, ages, due levels and wrapping shared by the views. */
#include "present.h"

#include <stdio.h>
#include <string.h>

#include "diag.h"
#include "i18n.h"
#include "kinds.h"
#include "model.h"
#include "monitor.h"
#include "text.h"
#include "ticket.h"
#include "util.h"

/* The catalog text of "<prefix>.<name>", or name itself when there is none. */
static const char *
label(const char *prefix, const char *name)
{
	char key[80];
	const char *t;

	if (name == NULL || name[0] == '\0')
		return "";
	snprintf(key, sizeof key, "%s.%s", prefix, name);
	t = i18n_tr(key);
	return t == key ? name : t;
}

const char *
present_state(const char *state)
{
	return label("state", state);
}

const char *
present_fault(const char *fault)
{
	return label("fault", fault);
}

const char *
present_kind(const char *kind)
{
	return label("kind", kind);
}

const char *
present_truck_status(const char *status)
{
	return label("truck", status);
}

const char *
present_warn_kind(const char *kind)
{
	int k = warn_kind_parse(kind);
	return k >= 0 ? i18n_tr(warn_kind_key((enum warn_kind)k)) : label("warn", kind);
}

const char *
present_warn_level(const char *level)
{
	int l = warn_level_parse(level);
	return l >= 0 ? i18n_tr(warn_level_key((enum warn_level)l)) : label("level", level);
}

const char *
present_event_kind(const char *kind)
{
	int k = event_kind_parse(kind);
	return k >= 0 ? i18n_tr(event_kind_key((enum event_kind)k)) : label("event", kind);
}

void
present_fill(const char *tmpl, const char *const *vars, size_t n, char *out, size_t outsz)
{
	size_t len = 0, i, nl;
	const char *p, *end, *val;

	if (outsz == 0)
		return;
	for (p = tmpl; *p != '\0'; p++) {
		val = NULL;
		nl = 0;
		if (*p == '{' && (end = strchr(p + 1, '}')) != NULL) {
			nl = (size_t)(end - p - 1);
			for (i = 0; i < n && val == NULL; i++) {
				const char *name = vars[2 * i];
				if (strlen(name) == nl && strncmp(name, p + 1, nl) == 0)
					val = vars[2 * i + 1];
			}
		}
		if (val != NULL) {
			for (; *val != '\0' && len + 1 < outsz; val++)
				out[len++] = *val;
			p += nl + 1;
		} else if (len + 1 < outsz) {
			out[len++] = *p;
		}
	}
	/* A cut never ends inside a UTF-8 sequence: drop an incomplete last character. */
	if (len > 0 && len + 1 >= outsz) {
		i = len - 1;
		while (i > 0 && ((unsigned char)out[i] & 0xc0) == 0x80)
			i--;
		unsigned char lead = (unsigned char)out[i];
		size_t need = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
		if (len - i < need)
			len = i;
	}
	out[len] = '\0';
}

/* The additions of optional parameters, in the order they are appended. */
static const char *const ev_additions[] = {
	"by", "min", "text", "truck", "hold_s", "to_node", "outcome", "stop", "need", "km",
	"after", "comment", "note",
};

/* Whether an addition joins its template without a space: it starts with punctuation
 * (",", ":", ";", ".", or the full-width "，", "：", "；", "（"). A catalog value cannot start
 * with a space (inih strips it), so " → next" is written "→ next" and gets one. */
static bool
joins(const char *t)
{
	return strchr(",:;.", t[0]) != NULL || strncmp(t, "\xef\xbc\x8c", 3) == 0 ||
	    strncmp(t, "\xef\xbc\x9a", 3) == 0 || strncmp(t, "\xef\xbc\x9b", 3) == 0 ||
	    strncmp(t, "\xef\xbc\x88", 3) == 0;
}

/* A value that ends a sentence ("...电瓶搭电。") followed by an addition that goes on
 * with punctuation ("，需要服务车"): drop the full stop, keep the joining mark. */
static void
drop_stops(char *s)
{
	static const char *const stops[] = { "\xe3\x80\x82", "." };	/* "。" "." */
	char *r = s, *w = s;

	while (*r != '\0') {
		size_t k = 0;
		for (size_t i = 0; i < ARRAY_LEN(stops) && k == 0; i++)
			if (strncmp(r, stops[i], strlen(stops[i])) == 0 &&
			    r[strlen(stops[i])] != '\0' && r[strlen(stops[i])] != '.' &&
			    joins(r + strlen(stops[i])) && r[strlen(stops[i])] != '(')
				k = strlen(stops[i]);
		if (k > 0) {
			r += k;
			continue;
		}
		*w++ = *r++;
	}
	*w = '\0';
}

/* The flow text of an id of kind name (flow, node, to_node, outcome, stop), or NULL. */
static const char *
flow_word(const struct flow_set *fs, const char *name, const char *id)
{
	const struct flow *fl;
	const struct flow_node *nd;
	const struct flow_outcome *o;
	const struct flow_stop *st;

	if (fs == NULL)
		return NULL;
	if (strcmp(name, "flow") == 0)
		return (fl = flow_set_flow(fs, id)) != NULL ? diag_text(fl->title) : NULL;
	if (strcmp(name, "node") == 0 || strcmp(name, "to_node") == 0)
		return (nd = flow_set_node(fs, id)) != NULL ? diag_text(nd->text) : NULL;
	if (strcmp(name, "outcome") == 0)
		return (o = flow_set_outcome(fs, id)) != NULL ? diag_text(o->text) : NULL;
	if (strcmp(name, "stop") == 0)
		return (st = flow_set_stop(fs, id)) != NULL ? diag_text(st->trigger) : NULL;
	return NULL;
}

/* A string parameter in the UI language. */
static const char *
param_word(const struct data *d, const struct flow_set *fs, const char *name, const char *v)
{
	const char *w;

	if (strcmp(name, "state") == 0)
		return present_state(v);
	if (strcmp(name, "status") == 0)
		return present_truck_status(v);
	if (strcmp(name, "fault") == 0)
		return present_fault(v);
	if (strcmp(name, "kind") == 0 || strcmp(name, "need") == 0)
		return present_kind(v);
	if (strcmp(name, "region") == 0)
		return present_region(d, v);
	if (strcmp(name, "supplier") == 0)
		return present_supplier(d, NULL, v);
	if (strcmp(name, "src") == 0)
		return present_eta_src(v);
	if (strcmp(name, "level") == 0)
		return present_warn_level(v);
	if (strcmp(name, "diag") == 0)
		return label("diag.state", v);
	if (strcmp(name, "field") == 0)
		return label("field", v);
	if (strcmp(name, "template") == 0 || strcmp(name, "lang") == 0)
		return label(name[0] == 't' ? "tell.tpl" : "tell.lang", v);
	if ((w = flow_word(fs, name, v)) != NULL)
		return w;
	return v;
}

/* What an edit event's old or value v of key field says, into buf: a fault's name, the flags'
 * names ("expressway+injury", "none"), "(empty)"; other keys' values as they are. */
static const char *
edit_word(const char *field, const char *v, char *buf, size_t sz)
{
	char names[200], *save = NULL, *w;
	size_t len = 0;

	if (v[0] == '\0')
		return i18n_tr("edit.empty");
	if (strcmp(field, "fault") == 0)
		return present_fault(v);
	if (strcmp(field, "flags") != 0)
		return v;
	rd_strlcpy(names, v, sizeof names);
	buf[0] = '\0';
	for (w = strtok_r(names, "+", &save); w != NULL; w = strtok_r(NULL, "+", &save)) {
		snprintf(buf + len, sz - len, "%s%s", len > 0 ? "+" : "", label("flag", w));
		len = strlen(buf);
	}
	return buf;
}

/* The label of answer number n (from 1) of node id, or NULL. */
static const char *
answer_label(const struct flow_set *fs, const char *id, int64_t n)
{
	const struct flow_node *nd = fs != NULL ? flow_set_node(fs, id) : NULL;

	if (nd == NULL || n < 1 || (uint64_t)n > nd->n_answers)
		return NULL;
	return diag_text(nd->answers[n - 1].label);
}

void
present_event_text(const struct proto_event *e, const struct data *d,
    const struct flow_set *flows, char *out, size_t outsz)
{
	const struct proto_desc *pd = &proto_descs[PROTO_MSG_event_params];
	const struct proto_event_params *p = &e->params;
	const char *vars[2 * (PROTO_event_params__COUNT + 1)], *t, *lab = NULL;
	char nums[PROTO_event_params__COUNT][24], key[80], tmpl[1024], words[2][200];
	size_t n = 0, len;

	snprintf(key, sizeof key, "ev.%s", e->code);
	if (!PROTO_HAS(e, event, code) || e->code[0] == '\0' ||
	    (t = i18n_tr(key)) == key) {
		rd_strlcpy(out, e->detail, outsz);
		return;
	}
	rd_strlcpy(tmpl, t, sizeof tmpl);
	for (size_t i = 0; i < ARRAY_LEN(ev_additions); i++) {
		int fi = -1;
		for (size_t f = 0; f < pd->n_fields; f++)
			if (strcmp(pd->fields[f].name, ev_additions[i]) == 0)
				fi = (int)f;
		if (fi < 0 || !((p->present >> fi) & 1u))
			continue;
		snprintf(key, sizeof key, "ev.%s.%s", e->code, ev_additions[i]);
		if ((t = i18n_tr(key)) != key && (len = strlen(tmpl)) < sizeof tmpl)
			snprintf(tmpl + len, sizeof tmpl - len, "%s%s", joins(t) ? "" : " ", t);
	}
	for (size_t f = 0; f < pd->n_fields; f++) {
		const struct proto_field *fd = &pd->fields[f];
		const char *base = (const char *)p + fd->offset;
		int64_t v;

		if (!((p->present >> f) & 1u))
			continue;
		vars[2 * n] = fd->name;
		if (fd->type == PT_STR && strcmp(e->code, "edit") == 0 &&
		    (f == PROTO_event_params_old || f == PROTO_event_params_value)) {
			/* an edit's values are words of its field */
			vars[2 * n + 1] = edit_word(p->field, base, words[f == PROTO_event_params_old
			    ? 0 : 1], sizeof words[0]);
		} else if (fd->type == PT_STR) {
			/* a warning event's kind is a warning kind, not a truck's */
			vars[2 * n + 1] = strcmp(e->code, "warning") == 0 &&
			    strcmp(fd->name, "kind") == 0 ? present_warn_kind(base) :
			    param_word(d, flows, fd->name, base);
		} else {
			memcpy(&v, base, sizeof v);
			snprintf(nums[f], sizeof nums[f], "%lld", (long long)v);
			vars[2 * n + 1] = nums[f];
		}
		n++;
	}
	/* the answer's words: at node for an answer, at to_node for the one undone */
	if (PROTO_HAS(p, event_params, answer))
		lab = answer_label(flows, strcmp(e->code, "diag_back") == 0 ? p->to_node : p->node,
		    p->answer);
	vars[2 * n] = "label";
	vars[2 * n + 1] = lab != NULL ? lab : "?";
	n++;
	present_fill(tmpl, vars, n, out, outsz);
	drop_stops(out);
}

/* A refusal's machine form in the UI language into out: false when it has none, or one
 * this catalog has no words for (a newer broker's). */
static bool
error_why(const struct proto_error_params *p, const struct data *d, char *out, size_t outsz)
{
	const struct proto_desc *pd = &proto_descs[PROTO_MSG_error_params];
	const char *vars[2 * PROTO_error_params__COUNT], *t;
	char nums[PROTO_error_params__COUNT][24], key[80], tmpl[512];
	size_t n = 0, len;

	if (!PROTO_HAS(p, error_params, reason) || p->reason[0] == '\0')
		return false;
	snprintf(key, sizeof key, "err.why.%s", p->reason);
	if ((t = i18n_tr(key)) == key)
		return false;
	rd_strlcpy(tmpl, t, sizeof tmpl);
	snprintf(key, sizeof key, "err.why.%s.need", p->reason);
	if (PROTO_HAS(p, error_params, need) && (t = i18n_tr(key)) != key &&
	    (len = strlen(tmpl)) < sizeof tmpl)
		snprintf(tmpl + len, sizeof tmpl - len, "%s%s", joins(t) ? "" : " ", t);
	for (size_t f = 0; f < pd->n_fields; f++) {
		const struct proto_field *fd = &pd->fields[f];
		const char *base = (const char *)p + fd->offset;
		int64_t v;

		if (!((p->present >> f) & 1u))
			continue;
		vars[2 * n] = fd->name;
		if (fd->type == PT_STR) {
			vars[2 * n + 1] = param_word(d, NULL, fd->name, base);
		} else {
			memcpy(&v, base, sizeof v);
			snprintf(nums[f], sizeof nums[f], "%lld", (long long)v);
			vars[2 * n + 1] = nums[f];
		}
		n++;
	}
	present_fill(tmpl, vars, n, out, outsz);
	return true;
}

void
present_error(const struct proto_error *e, char *out, size_t outsz)
{
	present_error_data(e, NULL, out, outsz);
}

void
present_error_data(const struct proto_error *e, const struct data *d, char *out,
    size_t outsz)
{
	char key[48];
	const char *vars[4], *t;
	enum proto_err code = e != NULL ? e->code : PROTO_E_UNAVAILABLE;

	if (e != NULL && error_why(&e->params, d, out, outsz))
		return;
	snprintf(key, sizeof key, "err.%s", proto_err_name(code));
	t = i18n_tr(key);
	vars[0] = "code";
	vars[1] = t != key ? t : proto_err_name(code);
	vars[2] = "message";
	vars[3] = e != NULL && e->message[0] != '\0' ? e->message : vars[1];
	present_fill(i18n_tr("err.text"), vars, 2, out, outsz);
}

/* Whole minutes of a span for a warning text, rounded down like every other minute count on
 * the screen (model_fmt_minutes); a span under a minute reads "<1", never "0". */
static void
minutes(int64_t ms, char *out, size_t outsz)
{
	if (ms > 0 && ms < 60000)
		rd_strlcpy(out, "<1", outsz);
	else
		snprintf(out, outsz, "%lld", (long long)(ms > 0 ? ms / 60000 : 0));
}

void
present_warning_text(const struct proto_warning *w, const struct proto_ticket *t,
    int64_t now, char *out, size_t outsz)
{
	/* the template's values, by name */
	char min[24] = "", offers[24] = "", pct[24] = "", alt[24] = "", eta_min[24] = "";
	char typical[24] = "", waiting[24] = "", score[24] = "";
	/* A parameter counts when present and set: times after 1970, a truck named. */
	bool subj = PROTO_HAS(w, warning, subject) && w->subject[0] != '\0';
	bool since = PROTO_HAS(w, warning, since) && w->since > 0;
	bool has_eta = PROTO_HAS(w, warning, eta) && w->eta > 0;
	bool has_promised = PROTO_HAS(w, warning, promised) && w->promised > 0;
	const char *key = NULL, *subject = subj ? w->subject : "?", *truck = subject;
	int64_t eta, promised = t != NULL && t->promised > 0 ? t->promised : w->promised;

	switch (warn_kind_parse(w->kind)) {
	case WARN_NOT_ACCEPTED:
		if (!since || !PROTO_HAS(w, warning, offers))
			break;
		key = "warn.not_accepted.text";
		minutes(now - w->since, min, sizeof min);
		snprintf(offers, sizeof offers, "%lld", (long long)(t != NULL &&
		    t->offers > w->offers ? t->offers : w->offers));
		break;
	case WARN_GPS_LOST:
		if (!subj)
			break;
		key = since ? "warn.gps_lost.text" : "warn.gps_lost.never";
		minutes(now - w->since, min, sizeof min);
		break;
	case WARN_STALLED:
		if (!subj || !since)
			break;
		key = "warn.stalled.text";
		minutes(now - w->since, min, sizeof min);
		break;
	case WARN_ETA_LATE:
		if (!has_promised)
			break;
		if (PROTO_HAS(w, warning, pct) && w->pct > 0) {
			/* raised by the window: the share used now, when the ticket is held */
			int64_t window = t != NULL ? promised - t->created : 0;
			int64_t used = window > 0 ? (now - t->created) * 100 / window : w->pct;
			key = "warn.eta_late.window";
			snprintf(pct, sizeof pct, "%lld", (long long)(used < 0 ? 0 : used));
			break;
		}
		if (!has_eta)
			break;
		/* raised by the ETA: the ticket's ETA now, not the one it was raised with */
		eta = t != NULL && present_eta_known(t) ? t->eta : w->eta;
		key = eta > promised ? "warn.eta_late.text" : "warn.eta_late.before";
		minutes(eta > promised ? eta - promised : promised - eta, min, sizeof min);
		break;
	case WARN_OVERDUE:
		if (!has_promised)
			break;
		key = "warn.overdue.text";
		minutes(now - promised, min, sizeof min);
		break;
	case WARN_REDISPATCH:
		if (!PROTO_HAS(w, warning, truck) || w->truck[0] == '\0' || !subj || !has_eta ||
		    !PROTO_HAS(w, warning, alt_eta) || w->alt_eta <= 0)
			break;
		key = "warn.redispatch.text";
		truck = w->truck;	/* {truck} is the proposed one, {subject} the ticket's */
		/* the gain is the difference of the two ETAs as shown, so the sum adds up */
		int64_t alt_m = w->alt_eta > now ? (w->alt_eta - now) / 60000 : 0;
		int64_t eta_m = w->eta > now ? (w->eta - now) / 60000 : 0;
		snprintf(min, sizeof min, "%lld", (long long)(eta_m > alt_m ? eta_m - alt_m : 0));
		snprintf(alt, sizeof alt, "%lld", (long long)alt_m);
		snprintf(eta_min, sizeof eta_min, "%lld", (long long)eta_m);
		break;
	case WARN_WAITING_AGENT:
		if (!since)
			break;
		key = "warn.waiting_agent.text";
		minutes(now - w->since, min, sizeof min);
		break;
	case WARN_DEVIATION:
		if (!subj || !since)
			break;
		key = "warn.deviation.text";
		minutes(now - w->since, min, sizeof min);
		break;
	case WARN_ONSCENE_OVERRUN:
		if (!since || !has_eta || w->eta < w->since)
			break;
		key = "warn.onscene_overrun.text";
		minutes(now - w->since, min, sizeof min);
		minutes(w->eta - w->since, typical, sizeof typical);
		break;
	case WARN_CALLBACK:
		if (!since)
			break;
		key = warn_level_parse(w->level) == WARN_LEVEL_RED ? "warn.callback.again" :
		    "warn.callback.text";
		minutes(now - w->since, min, sizeof min);
		break;
	case WARN_CAPACITY:
		/* a region's (ticket 0): t is NULL; the region is the viewer's to show */
		if (!since)
			break;
		if (PROTO_HAS(w, warning, reason) && strcmp(w->reason, "numbers") == 0)
			key = "warn.capacity.numbers"; /* the pool; absent: trucks (older brokers) */
		else
			key = PROTO_HAS(w, warning, waiting) && w->waiting > 0 ?
			    "warn.capacity.waiting" : "warn.capacity.text";
		minutes(now - w->since, min, sizeof min);
		snprintf(waiting, sizeof waiting, "%lld", (long long)w->waiting);
		break;
	case WARN_DETRACTOR:
		/* a detractor's call-back task: due at promised (its ticket may be long gone) */
		if (!PROTO_HAS(w, warning, promised) || !PROTO_HAS(w, warning, score))
			break;
		key = now < w->promised ? "warn.detractor.text" : "warn.detractor.overdue";
		minutes(now < w->promised ? w->promised - now : now - w->promised, min, sizeof min);
		snprintf(score, sizeof score, "%lld", (long long)w->score);
		break;
	default:
		break;
	}
	if (key == NULL) {
		/* an older broker's warning, or a kind this console does not know */
		rd_strlcpy(out, w->text[0] != '\0' ? w->text : present_warn_kind(w->kind), outsz);
		return;
	}
	const char *vars[] = {
		"min", min, "gain", min, "offers", offers, "pct", pct, "alt", alt, "eta", eta_min,
		"truck", truck, "subject", subject, "typical", typical, "waiting", waiting,
		"score", score,
	};
	present_fill(i18n_tr(key), vars, ARRAY_LEN(vars) / 2, out, outsz);
}

const char *
present_eta_src(const char *src)
{
	return label("eta", src);
}

static bool
lang_zh(void)
{
	return strncmp(i18n_lang(), "zh", 2) == 0;
}

const char *
present_region(const struct data *d, const char *id)
{
	const struct data_region *r = d != NULL && id != NULL ? data_region(d, id) : NULL;

	if (r == NULL)
		return id != NULL ? id : "";
	if (lang_zh() && r->name_zh[0] != '\0')
		return r->name_zh;
	return r->name[0] != '\0' ? r->name : r->id;
}

const char *
present_supplier(const struct data *d, const char *region, const char *id)
{
	const struct data_region *r;
	size_t i, j;

	if (id == NULL || id[0] == '\0' || d == NULL)
		return id != NULL ? id : "";
	for (i = 0; i < d->n_regions; i++) {
		r = &d->regions[i];
		if (region != NULL && region[0] != '\0' && strcmp(r->id, region) != 0)
			continue;
		for (j = 0; j < r->n_suppliers; j++) {
			if (strcmp(r->suppliers[j].id, id) == 0)
				return r->suppliers[j].name;
		}
	}
	return id;
}

const char *
present_colon(void)
{
	static char buf[16];
	const char *c = i18n_tr("punct.colon");

	/* Catalog values lose trailing spaces: an ASCII colon gets its space back here. */
	snprintf(buf, sizeof buf, "%s%s", c, (unsigned char)c[0] < 0x80 ? " " : "");
	return buf;
}

const char *
present_flag_glyph(uint32_t flags)
{
	if (flags & TICKET_FLAG_INJURY)
		return "+";
	if (flags & (TICKET_FLAG_ALONE_NIGHT | TICKET_FLAG_VULNERABLE))
		return "^";
	if (flags & TICKET_FLAG_EXPRESSWAY)
		return "=";
	return NULL;
}

void
present_flags(uint32_t flags, const char *sep, char *out, size_t outsz)
{
	static const struct {
		uint32_t bit;
		const char *key;
	} names[] = {
		{ TICKET_FLAG_INJURY, "flag.injury" },
		{ TICKET_FLAG_ALONE_NIGHT, "flag.alone_night" },
		{ TICKET_FLAG_VULNERABLE, "flag.vulnerable" },
		{ TICKET_FLAG_EXPRESSWAY, "flag.expressway" },
	};
	size_t i, len;

	if (outsz == 0)
		return;
	out[0] = '\0';
	for (i = 0; i < ARRAY_LEN(names); i++) {
		if (!(flags & names[i].bit))
			continue;
		len = strlen(out);
		snprintf(out + len, outsz - len, "%s%s", len > 0 ? sep : "",
		    i18n_tr(names[i].key));
	}
}

void
present_age(int64_t ms, char *out, size_t outsz)
{
	/* an age under a minute in the future is a clock a little ahead: "0s", never "-5s" */
	if (ms > -60000 && ms < 60000)
		snprintf(out, outsz, "%llds", (long long)(ms < 0 ? 0 : ms / 1000));
	else
		model_fmt_minutes(ms, out, outsz);
}

bool
present_eta_known(const struct proto_ticket *t)
{
	return PROTO_HAS(t, ticket, eta) && t->eta > 0;
}

bool
present_before_scene(const struct proto_ticket *t)
{
	int s = ticket_state_parse(t->state);

	return s >= 0 && monitor_before_scene((enum ticket_state)s);
}

enum present_due
present_due(const struct data_sla *sla, const struct proto_ticket *t, int64_t now, int warn)
{
	struct monitor_ticket mt;

	monitor_ticket_from_wire(t, &mt);
	if (!monitor_before_scene(mt.state))
		return PRESENT_DUE_NONE;
	if (warn >= 2)
		return PRESENT_DUE_LATE;
	switch (monitor_classify(&mt, sla != NULL ? sla : monitor_sla_default(), now).cls) {
	case MONITOR_LATE:
		return PRESENT_DUE_LATE;
	case MONITOR_AT_RISK:
		return PRESENT_DUE_SOON;
	case MONITOR_ON_TIME:
		return warn == 1 ? PRESENT_DUE_SOON : PRESENT_DUE_OK;
	default:
		return warn == 1 ? PRESENT_DUE_SOON : PRESENT_DUE_NONE;
	}
}

enum theme_role
present_due_role(enum present_due d)
{
	switch (d) {
	case PRESENT_DUE_SOON:
		return ROLE_WARN;
	case PRESENT_DUE_LATE:
		return ROLE_LATE;
	default:
		return ROLE_NORMAL;
	}
}

/* Closing punctuation that must not begin a line (a short list of the common ones). */
static bool
no_line_start(wchar_t wc)
{
	static const wchar_t marks[] = {
		0x3001, 0x3002, 0xff0c, 0xff0e, 0xff1a, 0xff1b, 0xff01, 0xff1f, 0xff09, 0x300d,
		0x300f, 0x3011, 0x300b, 0x3009, 0x201d, 0x2019, 0x2026, ',', '.', ';', ':', '!',
		'?', ')',
	};
	size_t i;

	for (i = 0; i < ARRAY_LEN(marks); i++) {
		if (marks[i] == wc)
			return true;
	}
	return false;
}

size_t
present_wrap(const char *utf8, int width, size_t *starts, size_t *lens, size_t max)
{
	size_t len = utf8 != NULL ? strlen(utf8) : 0, pos = 0, start, brk, n, nlines = 0;
	int used, w;
	wchar_t wc;

	if (width < 1)
		width = 1;
	while (pos < len || nlines == 0) {
		/* Skip the spaces a break left at the start of a continued line. */
		while (nlines > 0 && pos < len && utf8[pos] == ' ')
			pos++;
		start = pos;
		brk = 0;
		used = 0;
		while (pos < len) {
			if (utf8[pos] == '\n')
				break;
			n = text_decode(utf8 + pos, len - pos, &wc);
			w = text_char_width(&wc);
			if (w > 0 && used + w > width)
				break;
			if (w > 0)
				used += w;
			pos += n;
			if (wc == ' ')
				brk = pos;
		}
		/* Mid-line break after the last space, if that keeps at least half the line. */
		if (pos < len && utf8[pos] != '\n' && utf8[pos] != ' ' && brk > start &&
		    (int)(brk - start) * 2 >= (int)(pos - start))
			pos = brk;
		else if (pos < len && utf8[pos] != '\n' && utf8[pos] != ' ') {
			/* Chinese punctuation never starts a line: take the character before
			 * it along to the next line. */
			text_decode(utf8 + pos, len - pos, &wc);
			if (no_line_start(wc)) {
				n = pos - 1;
				while (n > start && ((unsigned char)utf8[n] & 0xc0) == 0x80)
					n--;
				if (n > start)
					pos = n;
			}
		}
		if (nlines < max) {
			starts[nlines] = start;
			lens[nlines] = pos - start;
			/* Trailing spaces are not shown. */
			while (lens[nlines] > 0 && utf8[start + lens[nlines] - 1] == ' ')
				lens[nlines]--;
		}
		nlines++;
		if (pos < len && utf8[pos] == '\n')
			pos++;
		else if (pos == start && pos < len)
			pos += text_decode(utf8 + pos, len - pos, &wc); /* width 1: never stuck */
		if (pos >= len)
			break;
	}
	return nlines;
}
