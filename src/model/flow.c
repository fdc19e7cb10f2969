/* flow.c: diagnosis flows: load and validate data/diagnosis/ (through data.c's line-aware
 * reader), look things up, walk a session. See flow.h.
 *
 * Loading runs in three passes. The reader hands each section's keys over as raw strings
 * with their lines; when the next header (or the end of the file) closes a section, it
 * becomes a flow, node, answer, outcome or stop, and every problem local to it is an
 * error at its line. Then the ids are resolved across all files, and last the graph is
 * checked: answers per node, reachability, cycles (Tarjan's strongly connected
 * components), path length. Every error is collected; the set is returned only if there
 * were none. */
#include "flow.h"

#include <locale.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data.h"
#include "util.h"

#define MAX_KEYS 8

/* every path of a valid set fits the path string: steps "id:N," and a last ",!stop" */
_Static_assert(FLOW_STEPS_MAX * (FLOW_ID_MAX - 1 + 3) + 2 + FLOW_ID_MAX - 1 <= FLOW_PATH_MAX,
    "a path string of FLOW_STEPS_MAX steps must fit in FLOW_PATH_MAX");
_Static_assert(FLOW_ANSWERS_MAX <= 9, "an answer number is one digit");

enum sect { S_NONE, S_FLOW, S_NODE, S_ANSWER, S_OUTCOME, S_STOP, S_UNKNOWN };

/* The keys of each section, in the order the man page lists them; a _zh key is the
 * translation of the key before it. */
struct sect_def {
	const char *name;
	const char *keys[MAX_KEYS];
	uint32_t required;      /* bit i: keys[i] must be given */
};

static const struct sect_def sect_defs[] = {
	[S_FLOW] = { "flow", { "id", "faults", "title", "title_zh", "start", "success_rate" },
	    0x3du },
	[S_NODE] = { "node", { "id", "kind", "text", "text_zh" }, 0xfu },
	[S_ANSWER] = { "answer", { "label", "label_zh", "next", "safety" }, 0x7u },
	[S_OUTCOME] = { "outcome", { "id", "type", "truck", "text", "text_zh" }, 0x1bu },
	[S_STOP] = { "stop", { "id", "trigger", "trigger_zh", "advice", "advice_zh", "type",
	    "truck" }, 0x3fu },
};

static const char *const result_names[FLOW_RESULT_COUNT] = {
#define X(e, s) [FLOW_##e] = s,
	FLOW_RESULTS(X)
#undef X
};

/* The loader's state. Objects are kept as pointers so they never move while loading. */
struct loader {
	struct flow_set *set;
	struct flow_errors *errs;
	const char *file;

	enum sect sect;
	int sect_line;
	char *val[MAX_KEYS];
	int val_line[MAX_KEYS];

	struct flow *flow;              /* the last [flow] of this file */
	struct flow_node *node;         /* the last [node] of this file */
	char **start_ids;               /* start of set->flows[i] as written */
	int *faults_line;               /* line of flows[i]'s faults key, or its header */
	const char *faults_path;
};

static void add_error(struct flow_errors *, const char *, int, const char *, ...)
    RD_PRINTF(4, 5);

static void
add_error(struct flow_errors *errs, const char *file, int line, const char *fmt, ...)
{
	struct flow_error *e;
	char msg[600];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	errs->v = xreallocarray(errs->v, errs->n + 1, sizeof *errs->v);
	e = &errs->v[errs->n++];
	e->file = xstrdup(file);
	e->line = line;
	if (line > 0)
		xasprintf(&e->msg, "%s:%d: %s", file, line, msg);
	else
		xasprintf(&e->msg, "%s: %s", file, msg);
}

void
flow_errors_free(struct flow_errors *errs)
{
	size_t i;

	if (errs == NULL)
		return;
	for (i = 0; i < errs->n; i++) {
		free(errs->v[i].file);
		free(errs->v[i].msg);
	}
	free(errs->v);
	errs->v = NULL;
	errs->n = 0;
}

static int
cmp_error(const void *a, const void *b)
{
	const struct flow_error *x = a, *y = b;
	int c = strcmp(x->file, y->file);

	if (c != 0)
		return c;
	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	return strcmp(x->msg, y->msg);
}

/* The reason in data.c's cause "PATH: reason". */
static const char *
reason(const char *cause, const char *path)
{
	size_t n = strlen(path);

	if (strncmp(cause, path, n) == 0 && cause[n] == ':' && cause[n + 1] == ' ')
		return cause + n + 2;
	return cause;
}

static int
valid_id(const char *s)
{
	size_t n = strlen(s);

	return n > 0 && n < FLOW_ID_MAX &&
	    strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_-") == n;
}

const char *
flow_result_name(enum flow_result r)
{
	if ((unsigned int)r >= FLOW_RESULT_COUNT)
		return "?";
	return result_names[r];
}

int
flow_result_parse(const char *name)
{
	int i;

	for (i = 0; i < FLOW_RESULT_COUNT; i++) {
		if (strcmp(name, result_names[i]) == 0)
			return i;
	}
	return -1;
}

int
flow_lang_parse(const char *name)
{
	if (strcmp(name, "en") == 0 || strncmp(name, "en_", 3) == 0)
		return FLOW_LANG_EN;
	if (strcmp(name, "zh") == 0 || strncmp(name, "zh_CN", 5) == 0)
		return FLOW_LANG_ZH;
	return -1;
}

/* --- pass 1: sections into objects ------------------------------------------------------ */

static void
sect_clear(struct loader *L)
{
	size_t i;

	for (i = 0; i < MAX_KEYS; i++) {
		free(L->val[i]);
		L->val[i] = NULL;
		L->val_line[i] = 0;
	}
	L->sect = S_NONE;
}

/* Take value i of the current section (the loader no longer owns it). */
static char *
take(struct loader *L, size_t i)
{
	char *v = L->val[i];

	L->val[i] = NULL;
	return v;
}

/* The line of key i, or the section's header if it was not given. */
static int
line_of(const struct loader *L, size_t i)
{
	return L->val_line[i] > 0 ? L->val_line[i] : L->sect_line;
}

static void
check_id(struct loader *L, size_t i, char *dst)
{
	const char *sn = sect_defs[L->sect].name;

	if (L->val[i] == NULL)
		return;
	if (!valid_id(L->val[i])) {
		add_error(L->errs, L->file, line_of(L, i), "[%s] %s: '%s' is not a valid id "
		    "(a-z, 0-9, _ and -, at most %d bytes)", sn, sect_defs[L->sect].keys[i],
		    L->val[i], FLOW_ID_MAX - 1);
		return;
	}
	rd_strlcpy(dst, L->val[i], FLOW_ID_MAX);
}

/* Result type (key i) and truck (key j) of an outcome or stop. */
static void
check_type(struct loader *L, size_t i, size_t j, enum flow_result *type, int *truck,
    const char *id)
{
	const char *sn = sect_defs[L->sect].name;
	int t = -1, k = -1;

	*truck = -1;
	if (L->val[i] != NULL && (t = flow_result_parse(L->val[i])) < 0)
		add_error(L->errs, L->file, line_of(L, i), "[%s] %s: type: unknown '%s' "
		    "(solved, dispatch or escalate)", sn, id, L->val[i]);
	if (t == FLOW_SOLVED && L->sect == S_STOP) {
		add_error(L->errs, L->file, line_of(L, i), "[stop] %s: type: a safety stop "
		    "dispatches or escalates, it is never solved", id);
		t = -1;
	}
	if (L->val[j] != NULL && (k = truck_kind_parse(L->val[j])) < 0)
		add_error(L->errs, L->file, line_of(L, j), "[%s] %s: truck: unknown kind '%s' "
		    "(van, wheel_lift, flatbed or heavy)", sn, id, L->val[j]);
	if (t == FLOW_DISPATCH && L->val[j] == NULL)
		add_error(L->errs, L->file, L->sect_line, "[%s] %s: dispatch without a truck "
		    "kind (truck = van, wheel_lift, flatbed or heavy)", sn, id);
	if (t >= 0 && t != FLOW_DISPATCH && L->val[j] != NULL) {
		add_error(L->errs, L->file, line_of(L, j), "[%s] %s: truck: only a dispatch "
		    "names a truck kind", sn, id);
		k = -1;
	}
	*type = t >= 0 ? (enum flow_result)t : FLOW_ESCALATE;
	*truck = t == FLOW_DISPATCH ? k : -1;
}

static void
check_share(struct loader *L, size_t i, double *out)
{
	char *end;
	double v;

	if (L->val[i] == NULL)
		return;
	v = strtod(L->val[i], &end);
	if (*L->val[i] == '\0' || *end != '\0' || !(v >= 0 && v <= 1))
		add_error(L->errs, L->file, line_of(L, i), "[%s] %s: not a share 0..1: '%s'",
		    sect_defs[L->sect].name, sect_defs[L->sect].keys[i], L->val[i]);
	else
		*out = v;
}

/* The section is complete: make its object. */
static void
finish_section(struct loader *L)
{
	const struct sect_def *sd;
	struct flow_set *set = L->set;
	size_t i;

	if (L->sect == S_NONE || L->sect == S_UNKNOWN) {
		sect_clear(L);
		return;
	}
	sd = &sect_defs[L->sect];
	for (i = 0; i < MAX_KEYS && sd->keys[i] != NULL; i++) {
		const char *k = sd->keys[i];
		size_t kl = strlen(k);

		if (!(sd->required & (1u << i)) || L->val[i] != NULL)
			continue;
		if (kl > 3 && strcmp(k + kl - 3, "_zh") == 0 && L->val[i - 1] != NULL)
			add_error(L->errs, L->file, L->sect_line, "[%s] missing translation: "
			    "%.*s has no %s", sd->name, (int)(kl - 3), k, k);
		else
			add_error(L->errs, L->file, L->sect_line, "[%s] missing %s", sd->name, k);
	}

	switch (L->sect) {
	case S_FLOW: {
		struct flow *fl = xcalloc(1, sizeof *fl);

		check_id(L, 0, fl->id);
		fl->file = L->file;
		fl->line = L->sect_line;
		if (L->val[1] != NULL) {
			char *tok, *save;

			for (tok = strtok_r(L->val[1], ", \t", &save); tok != NULL;
			    tok = strtok_r(NULL, ", \t", &save)) {
				int f = ticket_fault_parse(tok);

				if (f < 0)
					add_error(L->errs, L->file, line_of(L, 1), "[flow] faults: "
					    "unknown fault '%s'", tok);
				else
					fl->faults |= 1u << f;
			}
		}
		fl->title[FLOW_LANG_EN] = take(L, 2);
		fl->title[FLOW_LANG_ZH] = take(L, 3);
		check_share(L, 5, &fl->success_rate);
		set->flows = xreallocarray(set->flows, set->n_flows + 1, sizeof *set->flows);
		L->start_ids = xreallocarray(L->start_ids, set->n_flows + 1,
		    sizeof *L->start_ids);
		L->faults_line = xreallocarray(L->faults_line, set->n_flows + 1,
		    sizeof *L->faults_line);
		L->start_ids[set->n_flows] = take(L, 4);
		L->faults_line[set->n_flows] = line_of(L, 1);
		set->flows[set->n_flows++] = fl;
		L->flow = fl;
		L->node = NULL;
		break;
	}
	case S_NODE: {
		struct flow_node *n = xcalloc(1, sizeof *n);

		check_id(L, 0, n->id);
		n->file = L->file;
		n->line = L->sect_line;
		n->flow = L->flow;
		if (L->flow == NULL)
			add_error(L->errs, L->file, L->sect_line, "[node] before any [flow] in "
			    "this file (a node belongs to the flow above it)");
		if (L->val[1] != NULL) {
			if (strcmp(L->val[1], "question") == 0)
				n->kind = FLOW_QUESTION;
			else if (strcmp(L->val[1], "instruction") == 0)
				n->kind = FLOW_INSTRUCTION;
			else
				add_error(L->errs, L->file, line_of(L, 1), "[node] kind: unknown "
				    "'%s' (question or instruction)", L->val[1]);
		}
		n->text[FLOW_LANG_EN] = take(L, 2);
		n->text[FLOW_LANG_ZH] = take(L, 3);
		set->nodes = xreallocarray(set->nodes, set->n_nodes + 1, sizeof *set->nodes);
		set->nodes[set->n_nodes++] = n;
		L->node = n;
		break;
	}
	case S_ANSWER: {
		struct flow_node *n = L->node;
		struct flow_answer *a;

		if (n == NULL) {
			add_error(L->errs, L->file, L->sect_line, "[answer] without a [node] "
			    "above it");
			break;
		}
		n->answers = xreallocarray(n->answers, n->n_answers + 1, sizeof *n->answers);
		a = &n->answers[n->n_answers++];
		memset(a, 0, sizeof *a);
		a->line = L->sect_line;
		a->label[FLOW_LANG_EN] = take(L, 0);
		a->label[FLOW_LANG_ZH] = take(L, 1);
		if (L->val[2] != NULL) {
			if (!valid_id(L->val[2]))
				add_error(L->errs, L->file, line_of(L, 2), "[answer] next: '%s' is "
				    "not a valid id", L->val[2]);
			else
				rd_strlcpy(a->next, L->val[2], sizeof a->next);
		}
		if (L->val[3] != NULL) {
			if (strcmp(L->val[3], "0") != 0 && strcmp(L->val[3], "1") != 0)
				add_error(L->errs, L->file, line_of(L, 3), "[answer] safety: must be "
				    "0 or 1, not '%s'", L->val[3]);
			a->safety = strcmp(L->val[3], "1") == 0;
		}
		break;
	}
	case S_OUTCOME: {
		struct flow_outcome *o = xcalloc(1, sizeof *o);

		check_id(L, 0, o->id);
		o->file = L->file;
		o->line = L->sect_line;
		check_type(L, 1, 2, &o->type, &o->truck, o->id);
		o->text[FLOW_LANG_EN] = take(L, 3);
		o->text[FLOW_LANG_ZH] = take(L, 4);
		set->outcomes = xreallocarray(set->outcomes, set->n_outcomes + 1,
		    sizeof *set->outcomes);
		set->outcomes[set->n_outcomes++] = o;
		break;
	}
	case S_STOP: {
		struct flow_stop *s = xcalloc(1, sizeof *s);

		check_id(L, 0, s->id);
		s->file = L->file;
		s->line = L->sect_line;
		s->trigger[FLOW_LANG_EN] = take(L, 1);
		s->trigger[FLOW_LANG_ZH] = take(L, 2);
		s->advice[FLOW_LANG_EN] = take(L, 3);
		s->advice[FLOW_LANG_ZH] = take(L, 4);
		check_type(L, 5, 6, &s->type, &s->truck, s->id);
		set->stops = xreallocarray(set->stops, set->n_stops + 1, sizeof *set->stops);
		set->stops[set->n_stops++] = s;
		break;
	}
	case S_NONE:
	case S_UNKNOWN:
		break;
	}
	sect_clear(L);
}

static void
on_section(void *user, int line, const char *name)
{
	struct loader *L = user;
	size_t i;

	finish_section(L);
	L->sect_line = line;
	for (i = S_FLOW; i <= S_STOP; i++) {
		if (strcmp(name, sect_defs[i].name) == 0) {
			L->sect = (enum sect)i;
			return;
		}
	}
	L->sect = S_UNKNOWN;
	add_error(L->errs, L->file, line, "unknown section [%s] (flow, node, answer, outcome "
	    "or stop)", name);
}

static void
on_key(void *user, int line, const char *section, const char *key, const char *value)
{
	struct loader *L = user;
	const struct sect_def *sd;
	size_t i;

	if (section == NULL) {
		add_error(L->errs, L->file, line, "key '%s' before the first [section]", key);
		return;
	}
	if (L->sect == S_UNKNOWN || L->sect == S_NONE)
		return;         /* reported at the header */
	sd = &sect_defs[L->sect];
	for (i = 0; i < MAX_KEYS && sd->keys[i] != NULL; i++) {
		if (strcmp(key, sd->keys[i]) != 0)
			continue;
		if (L->val[i] != NULL) {
			add_error(L->errs, L->file, line, "[%s] %s: given twice (first at line "
			    "%d)", sd->name, key, L->val_line[i]);
			return;
		}
		if (*value == '\0') {
			add_error(L->errs, L->file, line, "[%s] %s: empty", sd->name, key);
			return;
		}
		L->val[i] = xstrdup(value);
		L->val_line[i] = line;
		return;
	}
	add_error(L->errs, L->file, line, "[%s] unknown key '%s'", sd->name, key);
}

static void
on_error(void *user, int line, const char *msg)
{
	struct loader *L = user;

	add_error(L->errs, L->file, line, "%s", msg);
}

static const struct data_ini_ops flow_ini_ops = { on_section, on_key, on_error };

/* --- pass 2: ids ------------------------------------------------------------------------ */

const struct flow *
flow_set_flow(const struct flow_set *set, const char *id)
{
	size_t i;

	for (i = 0; set != NULL && i < set->n_flows; i++) {
		if (strcmp(set->flows[i]->id, id) == 0)
			return set->flows[i];
	}
	return NULL;
}

const struct flow_node *
flow_set_node(const struct flow_set *set, const char *id)
{
	size_t i;

	for (i = 0; set != NULL && i < set->n_nodes; i++) {
		if (strcmp(set->nodes[i]->id, id) == 0)
			return set->nodes[i];
	}
	return NULL;
}

const struct flow_outcome *
flow_set_outcome(const struct flow_set *set, const char *id)
{
	size_t i;

	for (i = 0; set != NULL && i < set->n_outcomes; i++) {
		if (strcmp(set->outcomes[i]->id, id) == 0)
			return set->outcomes[i];
	}
	return NULL;
}

const struct flow_stop *
flow_set_stop(const struct flow_set *set, const char *id)
{
	size_t i;

	for (i = 0; set != NULL && i < set->n_stops; i++) {
		if (strcmp(set->stops[i]->id, id) == 0)
			return set->stops[i];
	}
	return NULL;
}

const struct flow *
flow_set_for_fault(const struct flow_set *set, enum ticket_fault f)
{
	size_t i;

	if (set == NULL || (unsigned int)f >= FAULT_COUNT)
		return NULL;
	if (set->by_fault[f] != NULL)
		return set->by_fault[f];
	for (i = 0; i < set->n_flows; i++) {
		if (flow_serves(set->flows[i], f))
			return set->flows[i];
	}
	return NULL;
}

bool
flow_serves(const struct flow *fl, enum ticket_fault f)
{
	return fl != NULL && (unsigned int)f < FAULT_COUNT && (fl->faults & (1u << f)) != 0;
}

/* Where the first object with this id (node, outcome or stop) is defined, or NULL. */
static const char *
defined_at(const struct flow_set *set, const char *id, int *line)
{
	const struct flow_node *n;
	const struct flow_outcome *o;
	const struct flow_stop *s;

	if ((n = flow_set_node(set, id)) != NULL) {
		*line = n->line;
		return n->file;
	}
	if ((o = flow_set_outcome(set, id)) != NULL) {
		*line = o->line;
		return o->file;
	}
	if ((s = flow_set_stop(set, id)) != NULL) {
		*line = s->line;
		return s->file;
	}
	return NULL;
}

static void
check_duplicate(struct loader *L, const char *id, const char *file, int line)
{
	const char *f0;
	int l0 = 0;

	if (*id == '\0')
		return;
	f0 = defined_at(L->set, id, &l0);
	if (f0 != NULL && (f0 != file || l0 != line))
		add_error(L->errs, file, line, "duplicate id '%s' (first defined at %s:%d)", id,
		    f0, l0);
}

static void
resolve(struct loader *L)
{
	struct flow_set *set = L->set;
	size_t i, j;

	for (i = 0; i < set->n_flows; i++) {
		const struct flow *fl = flow_set_flow(set, set->flows[i]->id);

		if (fl != set->flows[i] && set->flows[i]->id[0] != '\0')
			add_error(L->errs, set->flows[i]->file, set->flows[i]->line, "duplicate "
			    "flow id '%s' (first defined at %s:%d)", fl->id, fl->file, fl->line);
	}
	for (i = 0; i < set->n_nodes; i++)
		check_duplicate(L, set->nodes[i]->id, set->nodes[i]->file, set->nodes[i]->line);
	for (i = 0; i < set->n_outcomes; i++)
		check_duplicate(L, set->outcomes[i]->id, set->outcomes[i]->file,
		    set->outcomes[i]->line);
	for (i = 0; i < set->n_stops; i++)
		check_duplicate(L, set->stops[i]->id, set->stops[i]->file, set->stops[i]->line);

	for (i = 0; i < set->n_flows; i++) {
		struct flow *fl = set->flows[i];
		const char *sid = L->start_ids[i];

		if (sid == NULL)
			continue;
		if ((fl->start = flow_set_node(set, sid)) == NULL)
			add_error(L->errs, fl->file, fl->line, "[flow] %s: start: '%s' is not a "
			    "node", fl->id, sid);
	}
	for (i = 0; i < set->n_nodes; i++) {
		struct flow_node *n = set->nodes[i];

		for (j = 0; j < n->n_answers; j++) {
			struct flow_answer *a = &n->answers[j];

			if (a->next[0] == '\0')
				continue;
			if ((a->node = flow_set_node(set, a->next)) != NULL)
				continue;
			if ((a->outcome = flow_set_outcome(set, a->next)) != NULL)
				continue;
			if ((a->stop = flow_set_stop(set, a->next)) != NULL)
				continue;
			add_error(L->errs, n->file, a->line, "[answer] next: no node, outcome or "
			    "stop '%s'", a->next);
		}
	}
}

/* --- pass 3: the graph ------------------------------------------------------------------ */

static size_t
node_index(const struct flow_set *set, const struct flow_node *n)
{
	size_t i;

	for (i = 0; i < set->n_nodes; i++) {
		if (set->nodes[i] == n)
			return i;
	}
	return (size_t)-1;
}

/* Tarjan's strongly connected components over the nodes, iterative state per node. */
struct tarjan {
	const struct flow_set *set;
	size_t *index, *low, *stack, *comp;
	bool *on_stack;
	size_t next_index, sp, n_comp;
};

static void
strongconnect(struct tarjan *t, size_t v)
{
	const struct flow_node *n = t->set->nodes[v];
	size_t j, w;

	t->index[v] = t->low[v] = ++t->next_index;
	t->stack[t->sp++] = v;
	t->on_stack[v] = true;
	for (j = 0; j < n->n_answers; j++) {
		if (n->answers[j].node == NULL)
			continue;
		w = node_index(t->set, n->answers[j].node);
		if (t->index[w] == 0) {
			strongconnect(t, w);
			if (t->low[w] < t->low[v])
				t->low[v] = t->low[w];
		} else if (t->on_stack[w] && t->index[w] < t->low[v])
			t->low[v] = t->index[w];
	}
	if (t->low[v] == t->index[v]) {
		do {
			w = t->stack[--t->sp];
			t->on_stack[w] = false;
			t->comp[w] = t->n_comp;
		} while (w != v);
		t->n_comp++;
	}
}

/* Report cycles; returns true if there is none. */
static bool
check_cycles(struct loader *L)
{
	const struct flow_set *set = L->set;
	struct tarjan t;
	size_t nn = set->n_nodes, i, j, c, *size;
	bool *exit_, acyclic = true;

	memset(&t, 0, sizeof t);
	t.set = set;
	t.index = xcalloc(nn + 1, sizeof *t.index);
	t.low = xcalloc(nn + 1, sizeof *t.low);
	t.stack = xcalloc(nn + 1, sizeof *t.stack);
	t.comp = xcalloc(nn + 1, sizeof *t.comp);
	t.on_stack = xcalloc(nn + 1, sizeof *t.on_stack);
	for (i = 0; i < nn; i++) {
		if (t.index[i] == 0)
			strongconnect(&t, i);
	}
	size = xcalloc(t.n_comp + 1, sizeof *size);
	exit_ = xcalloc(t.n_comp + 1, sizeof *exit_);
	for (i = 0; i < nn; i++)
		size[t.comp[i]]++;
	for (i = 0; i < nn; i++) {
		const struct flow_node *n = set->nodes[i];

		for (j = 0; j < n->n_answers; j++) {
			const struct flow_answer *a = &n->answers[j];

			if (a->node == NULL || t.comp[node_index(set, a->node)] != t.comp[i])
				exit_[t.comp[i]] = true;
			else if (a->node == n)
				size[t.comp[i]] += nn + 1;      /* a self-loop is a cycle too */
		}
	}
	for (c = 0; c < t.n_comp; c++) {
		char names[400] = "";
		size_t first = (size_t)-1;

		if (size[c] < 2)
			continue;
		acyclic = false;
		for (i = 0; i < nn; i++) {
			if (t.comp[i] != c)
				continue;
			if (first == (size_t)-1)
				first = i;
			if (names[0] != '\0')
				strncat(names, ", ", sizeof names - strlen(names) - 1);
			strncat(names, set->nodes[i]->id, sizeof names - strlen(names) - 1);
		}
		if (!exit_[c])
			add_error(L->errs, set->nodes[first]->file, set->nodes[first]->line,
			    "cycle with no way out through %s", names);
		else
			add_error(L->errs, set->nodes[first]->file, set->nodes[first]->line,
			    "cycle through %s: a path can go round it and never reach an outcome",
			    names);
	}
	free(size);
	free(exit_);
	free(t.index);
	free(t.low);
	free(t.stack);
	free(t.comp);
	free(t.on_stack);
	return acyclic;
}

/* Longest path in answers from node i to an end (the graph is acyclic); memo 0 = unknown. */
static size_t
depth(const struct flow_set *set, size_t i, size_t *memo)
{
	const struct flow_node *n = set->nodes[i];
	size_t j, d, best = 1;

	if (memo[i] != 0)
		return memo[i];
	for (j = 0; j < n->n_answers; j++) {
		if (n->answers[j].node == NULL)
			continue;
		d = 1 + depth(set, node_index(set, n->answers[j].node), memo);
		if (d > best)
			best = d;
	}
	memo[i] = best;
	return best;
}

static void
check_graph(struct loader *L)
{
	const struct flow_set *set = L->set;
	size_t nn = set->n_nodes, i, j, head = 0, tail = 0;
	bool *seen = xcalloc(nn + 1, sizeof *seen), *used;
	size_t *queue = xcalloc(nn + 1, sizeof *queue);

	for (i = 0; i < nn; i++) {
		const struct flow_node *n = set->nodes[i];

		if (n->n_answers == 0)
			add_error(L->errs, n->file, n->line, "[node] %s has no answers: a path "
			    "ends here without an outcome", n->id);
		else if (n->kind == FLOW_QUESTION && n->n_answers < 2)
			add_error(L->errs, n->file, n->line, "[node] %s: a question needs at "
			    "least two answers (it has one; make it an instruction?)", n->id);
		else if (n->n_answers > FLOW_ANSWERS_MAX)
			add_error(L->errs, n->file, n->line, "[node] %s has %zu answers (at most "
			    "%d, the number keys)", n->id, n->n_answers, FLOW_ANSWERS_MAX);
	}

	/* reachability from every flow's start */
	for (i = 0; i < set->n_flows; i++) {
		size_t s;

		if (set->flows[i]->start == NULL)
			continue;
		s = node_index(set, set->flows[i]->start);
		if (!seen[s]) {
			seen[s] = true;
			queue[tail++] = s;
		}
	}
	used = xcalloc(set->n_outcomes + 1, sizeof *used);
	while (head < tail) {
		const struct flow_node *n = set->nodes[queue[head++]];

		for (j = 0; j < n->n_answers; j++) {
			const struct flow_answer *a = &n->answers[j];
			size_t k;

			if (a->node != NULL) {
				k = node_index(set, a->node);
				if (!seen[k]) {
					seen[k] = true;
					queue[tail++] = k;
				}
			}
			for (k = 0; a->outcome != NULL && k < set->n_outcomes; k++) {
				if (set->outcomes[k] == a->outcome)
					used[k] = true;
			}
		}
	}
	/* (a duplicate is reported as such, not also as unreachable) */
	for (i = 0; i < nn; i++) {
		if (!seen[i] && flow_set_node(set, set->nodes[i]->id) == set->nodes[i])
			add_error(L->errs, set->nodes[i]->file, set->nodes[i]->line, "[node] %s "
			    "is not reachable from any flow's start", set->nodes[i]->id);
	}
	for (i = 0; i < set->n_outcomes; i++) {
		if (!used[i] && flow_set_outcome(set, set->outcomes[i]->id) == set->outcomes[i])
			add_error(L->errs, set->outcomes[i]->file, set->outcomes[i]->line,
			    "[outcome] %s is never reached", set->outcomes[i]->id);
	}

	if (check_cycles(L)) {
		size_t *memo = xcalloc(nn + 1, sizeof *memo);

		for (i = 0; i < set->n_flows; i++) {
			const struct flow *fl = set->flows[i];
			size_t d;

			if (fl->start == NULL)
				continue;
			d = depth(set, node_index(set, fl->start), memo);
			if (d > FLOW_STEPS_MAX)
				add_error(L->errs, fl->file, fl->line, "[flow] %s: a path from its "
				    "start takes %zu answers (at most %d)", fl->id, d,
				    FLOW_STEPS_MAX);
		}
		free(memo);
	}
	free(used);
	free(seen);
	free(queue);
}

/* faults.ini's flow = keys. */
struct faults_reader {
	struct loader *L;
	const char *path;
	int line[FAULT_COUNT];
};

static void
faults_key(void *user, int line, const char *section, const char *key, const char *value)
{
	struct faults_reader *fr = user;
	struct loader *L = fr->L;
	const struct flow *fl;
	int f;

	if (section == NULL || strcmp(key, "flow") != 0 || (f = ticket_fault_parse(section)) < 0)
		return;         /* data_load's business */
	fr->line[f] = line;
	if ((fl = flow_set_flow(L->set, value)) == NULL) {
		add_error(L->errs, fr->path, line, "[%s] flow: no flow '%s' in the diagnosis "
		    "files", section, value);
		return;
	}
	if (!flow_serves(fl, (enum ticket_fault)f)) {
		add_error(L->errs, fr->path, line, "[%s] flow: flow '%s' does not serve fault "
		    "%s (add it to the flow's faults)", section, value, section);
		return;
	}
	L->set->by_fault[f] = fl;
}

static void
check_faults(struct loader *L, const char *path)
{
	static const struct data_ini_ops ops = { NULL, faults_key, NULL };
	struct faults_reader fr;
	char *cause = NULL;
	size_t i;
	int f;

	memset(&fr, 0, sizeof fr);
	fr.L = L;
	fr.path = path;
	if (data_ini_read_lines(path, &ops, &fr, &cause) != 0) {
		add_error(L->errs, path, 0, "cannot read it (%s)", reason(cause, path));
		free(cause);
		return;
	}
	for (i = 0; i < L->set->n_flows; i++) {
		const struct flow *fl = L->set->flows[i];

		for (f = 0; f < FAULT_COUNT; f++) {
			if (flow_serves(fl, (enum ticket_fault)f) && fr.line[f] == 0)
				add_error(L->errs, fl->file, L->faults_line[i], "[flow] %s serves "
				    "fault %s, but %s gives %s no flow", fl->id,
				    ticket_fault_name((enum ticket_fault)f), path,
				    ticket_fault_name((enum ticket_fault)f));
		}
	}
}

static char *
join(const char *dir, const char *name)
{
	char *out;
	size_t n = strlen(dir);

	xasprintf(&out, n > 0 && dir[n - 1] == '/' ? "%s%s" : "%s/%s", dir, name);
	return out;
}

struct flow_set *
flow_set_load(const char *dir, const char *faults_ini, struct flow_errors *errs)
{
	struct loader L;
	struct flow_set *set = xcalloc(1, sizeof *set);
	char **names, *cause = NULL;
	size_t n = 0, i;
	locale_t c_locale, old = (locale_t)0;

	memset(&L, 0, sizeof L);
	L.set = set;
	L.errs = errs;
	/* strtod follows LC_NUMERIC; the console calls setlocale(LC_ALL, "") */
	c_locale = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0);
	if (c_locale != (locale_t)0)
		old = uselocale(c_locale);

	names = data_ini_list(dir, &n, &cause);
	if (cause != NULL) {
		add_error(errs, dir, 0, "cannot read the directory (%s)", reason(cause, dir));
		free(cause);
		cause = NULL;
	} else if (n == 0)
		add_error(errs, dir, 0, "no flow files (*.ini)");
	for (i = 0; i < n; i++) {
		set->files = xreallocarray(set->files, set->n_files + 1, sizeof *set->files);
		L.file = set->files[set->n_files++] = join(dir, names[i]);
		L.flow = NULL;
		L.node = NULL;
		if (data_ini_read_lines(L.file, &flow_ini_ops, &L, &cause) != 0) {
			add_error(errs, L.file, 0, "cannot read it (%s)", reason(cause, L.file));
			free(cause);
			cause = NULL;
		}
		finish_section(&L);
		free(names[i]);
	}
	free(names);

	if (n > 0) {
		resolve(&L);
		check_graph(&L);
		if (set->n_flows == 0)
			add_error(errs, dir, 0, "no [flow] in any file");
		if (set->n_stops == 0)
			add_error(errs, dir, 0, "no safety [stop] in any file (the safety key "
			    "needs them)");
		if (faults_ini != NULL)
			check_faults(&L, faults_ini);
	}

	for (i = 0; i < set->n_flows; i++)
		free(L.start_ids[i]);
	free(L.start_ids);
	free(L.faults_line);
	if (c_locale != (locale_t)0) {
		uselocale(old);
		freelocale(c_locale);
	}
	if (errs->n > 0) {
		qsort(errs->v, errs->n, sizeof *errs->v, cmp_error);
		flow_set_free(set);
		return NULL;
	}
	return set;
}

struct flow_set *
flow_set_open(const char *dir, const char *faults_ini, char **cause)
{
	struct flow_errors errs = { NULL, 0 };
	struct flow_set *set = flow_set_load(dir, faults_ini, &errs);
	size_t i, len = 0;
	char *out, *p;

	if (set != NULL)
		return set;
	for (i = 0; i < errs.n; i++)
		len += strlen(errs.v[i].msg) + 1;
	out = p = xmalloc(len + 32);
	for (i = 0; i < errs.n; i++)
		p += sprintf(p, "%s\n", errs.v[i].msg);
	sprintf(p, "%zu error%s", errs.n, errs.n == 1 ? "" : "s");
	flow_errors_free(&errs);
	if (cause != NULL)
		*cause = out;
	else
		free(out);
	return NULL;
}

void
flow_set_free(struct flow_set *set)
{
	size_t i, j;
	int l;

	if (set == NULL)
		return;
	for (i = 0; i < set->n_flows; i++) {
		for (l = 0; l < FLOW_LANG_COUNT; l++)
			free(set->flows[i]->title[l]);
		free(set->flows[i]);
	}
	for (i = 0; i < set->n_nodes; i++) {
		struct flow_node *n = set->nodes[i];

		for (j = 0; j < n->n_answers; j++) {
			for (l = 0; l < FLOW_LANG_COUNT; l++)
				free(n->answers[j].label[l]);
		}
		for (l = 0; l < FLOW_LANG_COUNT; l++)
			free(n->text[l]);
		free(n->answers);
		free(n);
	}
	for (i = 0; i < set->n_outcomes; i++) {
		for (l = 0; l < FLOW_LANG_COUNT; l++)
			free(set->outcomes[i]->text[l]);
		free(set->outcomes[i]);
	}
	for (i = 0; i < set->n_stops; i++) {
		for (l = 0; l < FLOW_LANG_COUNT; l++) {
			free(set->stops[i]->trigger[l]);
			free(set->stops[i]->advice[l]);
		}
		free(set->stops[i]);
	}
	for (i = 0; i < set->n_files; i++)
		free(set->files[i]);
	free(set->flows);
	free(set->nodes);
	free(set->outcomes);
	free(set->stops);
	free(set->files);
	free(set);
}

/* --- the session walk ------------------------------------------------------------------- */

void
flow_walk_start(struct flow_walk *w, const struct flow_set *set, const struct flow *fl)
{
	memset(w, 0, sizeof *w);
	w->set = set;
	w->flow = fl;
	w->node = fl->start;
}

bool
flow_walk_ended(const struct flow_walk *w)
{
	return w->node == NULL;
}

int
flow_walk_answer(struct flow_walk *w, size_t i)
{
	const struct flow_answer *a;

	if (w->node == NULL || i >= w->node->n_answers || w->n_steps >= FLOW_STEPS_MAX)
		return -1;
	a = &w->node->answers[i];
	w->steps[w->n_steps].node = w->node;
	w->steps[w->n_steps].answer = i;
	w->n_steps++;
	w->node = a->node;
	w->outcome = a->outcome;
	w->stop = a->stop;
	w->by_safety_key = false;
	return 0;
}

int
flow_walk_stop(struct flow_walk *w, const struct flow_stop *s)
{
	if (w->node == NULL || s == NULL)
		return -1;
	w->node = NULL;
	w->outcome = NULL;
	w->stop = s;
	w->by_safety_key = true;
	return 0;
}

int
flow_walk_back(struct flow_walk *w)
{
	if (w->by_safety_key) {
		/* the node the safety key was pressed at */
		if (w->n_steps == 0)
			w->node = w->flow->start;
		else {
			const struct flow_step *st = &w->steps[w->n_steps - 1];

			w->node = st->node->answers[st->answer].node;
		}
		w->stop = NULL;
		w->by_safety_key = false;
		return 0;
	}
	if (w->n_steps == 0)
		return -1;
	w->n_steps--;
	w->node = w->steps[w->n_steps].node;
	w->outcome = NULL;
	w->stop = NULL;
	return 0;
}

int
flow_walk_result(const struct flow_walk *w, int *truck)
{
	if (w->outcome != NULL) {
		*truck = w->outcome->truck;
		return (int)w->outcome->type;
	}
	if (w->stop != NULL) {
		*truck = w->stop->truck;
		return (int)w->stop->type;
	}
	*truck = -1;
	return -1;
}

int
flow_walk_format(const struct flow_walk *w, char *buf, size_t bufsz)
{
	size_t i, len = 0;
	int n;

	if (bufsz == 0)
		return -1;
	buf[0] = '\0';
	for (i = 0; i < w->n_steps; i++) {
		n = snprintf(buf + len, bufsz - len, "%s%s:%zu", i > 0 ? "," : "",
		    w->steps[i].node->id, w->steps[i].answer + 1);
		if (n < 0 || (size_t)n >= bufsz - len)
			goto toolong;
		len += (size_t)n;
	}
	if (w->by_safety_key) {
		n = snprintf(buf + len, bufsz - len, "%s!%s", len > 0 ? "," : "", w->stop->id);
		if (n < 0 || (size_t)n >= bufsz - len)
			goto toolong;
		len += (size_t)n;
	}
	if (len > FLOW_PATH_MAX)
		goto toolong;
	return (int)len;
toolong:
	buf[0] = '\0';
	return -1;
}

int
flow_walk_parse(struct flow_walk *w, const struct flow_set *set, const struct flow *fl,
    const char *path, char **cause)
{
	char buf[FLOW_PATH_MAX + 1], *tok, *save, *colon;
	size_t step = 0, num;

	flow_walk_start(w, set, fl);
	if (strlen(path) > FLOW_PATH_MAX) {
		xasprintf(cause, "path longer than %d bytes", FLOW_PATH_MAX);
		return -1;
	}
	if (*path == '\0')
		return 0;
	rd_strlcpy(buf, path, sizeof buf);
	if (buf[strlen(buf) - 1] == ',' || buf[0] == ',' || strstr(buf, ",,") != NULL) {
		xasprintf(cause, "path '%s': empty step", path);
		return -1;
	}
	for (tok = strtok_r(buf, ",", &save); tok != NULL; tok = strtok_r(NULL, ",", &save)) {
		step++;
		if (flow_walk_ended(w)) {
			xasprintf(cause, "path step %zu: '%s' after the end", step, tok);
			return -1;
		}
		if (tok[0] == '!') {
			const struct flow_stop *s = flow_set_stop(set, tok + 1);

			if (s == NULL) {
				xasprintf(cause, "path step %zu: no safety stop '%s'", step,
				    tok + 1);
				return -1;
			}
			flow_walk_stop(w, s);
			continue;
		}
		if ((colon = strchr(tok, ':')) == NULL) {
			xasprintf(cause, "path step %zu: '%s' is not NODE:N or !STOP", step, tok);
			return -1;
		}
		*colon = '\0';
		if (strcmp(tok, w->node->id) != 0) {
			xasprintf(cause, "path step %zu: at node '%s', not '%s'", step,
			    w->node->id, tok);
			return -1;
		}
		/* one digit (FLOW_ANSWERS_MAX), so a path has one spelling */
		if (colon[1] < '1' || colon[1] > '9' || colon[2] != '\0' ||
		    (size_t)(colon[1] - '0') > w->node->n_answers) {
			xasprintf(cause, "path step %zu: node '%s' has no answer '%s'", step, tok,
			    colon + 1);
			return -1;
		}
		num = (size_t)(colon[1] - '0');
		if (flow_walk_answer(w, (size_t)num - 1) != 0) {
			xasprintf(cause, "path step %zu: more than %d steps", step,
			    FLOW_STEPS_MAX);
			return -1;
		}
	}
	return 0;
}
