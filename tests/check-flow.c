/* check-flow.c: the diagnosis flows. The validator against small flow trees written into a
 * temporary directory (one table row per kind of error, with the exact messages and their
 * lines); the real data/diagnosis/ (loads clean, the ten reference flows and the safety
 * stops are there, every path of every flow walked to its end, the safety key at every
 * node, faults.ini and the success rates agree); the session walk and its path string. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check-main.h"
#include "data.h"
#include "flow.h"
#include "ticket.h"
#include "util.h"

#ifndef SOURCE_DATA_DIR
#error "compile with -DSOURCE_DATA_DIR=\"/path/to/data\""
#endif

/* ---------------------------------------------------------------- small trees */

/* The base tree: valid. Line numbers below refer to these texts. */
static const char base_faults[] =
    "[battery]\n"                       /* 1 */
    "flow = fa\n";                      /* 2 */

static const char base_a[] =
    "[flow]\n"                          /* 1 */
    "id = fa\n"
    "faults = battery\n"
    "title = Flow A\n"
    "title_zh = 流程A\n"                /* 5 */
    "start = q1\n"
    "success_rate = 0.5\n"
    "\n"
    "[node]\n"                          /* 9 */
    "id = q1\n"                         /* 10 */
    "kind = question\n"
    "text = Question one?\n"
    "text_zh = 问题一？\n"
    "\n"
    "[answer]\n"                        /* 15 */
    "label = Yes\n"
    "label_zh = 是\n"
    "next = i1\n"
    "\n"
    "[answer]\n"                        /* 20 */
    "label = No\n"
    "label_zh = 否\n"
    "next = out_van\n"
    "\n"
    "[node]\n"                          /* 25 */
    "id = i1\n"
    "kind = instruction\n"
    "text = Do it.\n"
    "text_zh = 做。\n"
    "\n"                                /* 30 */
    "[answer]\n"
    "label = Done\n"
    "label_zh = 好了\n"
    "next = out_ok\n"
    "\n"                                /* 35 */
    "[answer]\n"
    "label = Unsafe\n"
    "label_zh = 危险\n"
    "next = s_fire\n"
    "safety = 1\n"                      /* 40 */
    "\n"
    "[outcome]\n"                       /* 42 */
    "id = out_ok\n"
    "type = solved\n"
    "text = Solved.\n"                  /* 45 */
    "text_zh = 解决。\n"
    "\n"
    "[outcome]\n"                       /* 48 */
    "id = out_van\n"
    "type = dispatch\n"                 /* 50 */
    "truck = van\n"
    "text = Van.\n"
    "text_zh = 服务车。\n";             /* 53 */

static const char base_safety[] =
    "[stop]\n"                          /* 1 */
    "id = s_fire\n"
    "trigger = Fire\n"
    "trigger_zh = 火\n"
    "advice = Run.\n"                   /* 5 */
    "advice_zh = 跑。\n"
    "type = escalate\n";                /* 7 */

/* Two nodes that loop (appended to a.ini, so from line 54), reached from q1 by a third
 * answer; EXIT adds a way out of the loop. */
#define LOOP_ANSWER "next = out_van\n\n[answer]\nlabel = Loop\nlabel_zh = 环\nnext = x1\n"
#define LOOP_NODES(exit_)                                                               \
	"\n[node]\nid = x1\nkind = instruction\ntext = X1\ntext_zh = 甲\n"             \
	"\n[answer]\nlabel = On\nlabel_zh = 继续\nnext = x2\n"                         \
	"\n[node]\nid = x2\nkind = instruction\ntext = X2\ntext_zh = 乙\n"             \
	"\n[answer]\nlabel = Back\nlabel_zh = 返回\nnext = x1\n" exit_

#define MORE_ANSWER "\n[answer]\nlabel = More\nlabel_zh = 多\nnext = out_van\n"
#define EIGHT_MORE_ANSWERS MORE_ANSWER MORE_ANSWER MORE_ANSWER MORE_ANSWER MORE_ANSWER \
	MORE_ANSWER MORE_ANSWER MORE_ANSWER

#define STOP_TEXTS "trigger = T\ntrigger_zh = 甲\nadvice = A\nadvice_zh = 乙\n"

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

static void
tree_setup(void)
{
	char path[128];

	snprintf(tmpdir, sizeof tmpdir, "/tmp/check-flow-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
	snprintf(path, sizeof path, "%s/diagnosis", tmpdir);
	ck_assert_int_eq(mkdir(path, 0700), 0);
	write_file("faults.ini", base_faults);
	write_file("diagnosis/a.ini", base_a);
	write_file("diagnosis/safety.ini", base_safety);
}

static void
tree_teardown(void)
{
	ck_assert_int_eq(rd_remove_tree(tmpdir), 0);
}

static const char *
base_of(const char *rel)
{
	if (strcmp(rel, "faults.ini") == 0)
		return base_faults;
	if (strcmp(rel, "diagnosis/a.ini") == 0)
		return base_a;
	if (strcmp(rel, "diagnosis/safety.ini") == 0)
		return base_safety;
	return "";     /* a new file */
}

/* text with the first `from` replaced by `to` (caller frees); from NULL appends. */
static char *
edit(const char *text, const char *from, const char *to)
{
	const char *at;
	char *out;

	if (from == NULL) {
		xasprintf(&out, "%s%s", text, to);
		return out;
	}
	at = strstr(text, from);
	ck_assert_msg(at != NULL, "fixture: '%s' not in the file", from);
	xasprintf(&out, "%.*s%s%s", (int)(at - text), text, to, at + strlen(from));
	return out;
}

static struct flow_set *
load_tree(struct flow_errors *errs)
{
	char dir[128], faults[128];

	snprintf(dir, sizeof dir, "%s/diagnosis", tmpdir);
	snprintf(faults, sizeof faults, "%s/faults.ini", tmpdir);
	return flow_set_load(dir, faults, errs);
}

START_TEST(test_tree_base)
{
	struct flow_errors errs = { NULL, 0 };
	struct flow_set *set = load_tree(&errs);
	const struct flow_node *q1;

	ck_assert_msg(set != NULL, "%s", errs.n > 0 ? errs.v[0].msg : "?");
	ck_assert_uint_eq(set->n_flows, 1);
	ck_assert_uint_eq(set->n_nodes, 2);
	ck_assert_uint_eq(set->n_outcomes, 2);
	ck_assert_uint_eq(set->n_stops, 1);
	ck_assert_ptr_eq(flow_set_for_fault(set, FAULT_BATTERY), set->flows[0]);
	ck_assert_ptr_null(flow_set_for_fault(set, FAULT_TYRE));
	ck_assert(flow_serves(set->flows[0], FAULT_BATTERY));
	ck_assert_double_eq(set->flows[0]->success_rate, 0.5);
	ck_assert_str_eq(set->flows[0]->title[FLOW_LANG_ZH], "流程A");
	q1 = flow_set_node(set, "q1");
	ck_assert_ptr_eq(set->flows[0]->start, q1);
	ck_assert_int_eq(q1->line, 9);
	ck_assert_ptr_eq(q1->flow, set->flows[0]);
	ck_assert_uint_eq(q1->n_answers, 2);
	ck_assert_ptr_eq(q1->answers[0].node, flow_set_node(set, "i1"));
	ck_assert_ptr_eq(q1->answers[1].outcome, flow_set_outcome(set, "out_van"));
	ck_assert_int_eq(flow_set_outcome(set, "out_van")->truck, TRUCK_KIND_VAN);
	ck_assert_int_eq(flow_set_outcome(set, "out_ok")->truck, -1);
	ck_assert_ptr_eq(flow_set_node(set, "i1")->answers[1].stop, set->stops[0]);
	ck_assert(flow_set_node(set, "i1")->answers[1].safety);
	ck_assert(!q1->answers[0].safety);
	ck_assert_int_eq(set->stops[0]->type, FLOW_ESCALATE);
	ck_assert_ptr_null(flow_set_node(set, "out_ok"));
	flow_set_free(set);
}
END_TEST

/* A broken tree: up to three edits, then exactly these messages in this order ("@" stands
 * for the temporary directory). */
struct tree_edit {
	const char *file;
	const char *from;       /* NULL: append to */
	const char *to;
};

static const struct {
	const char *what;
	struct tree_edit edits[3];
	const char *errors[6];
} bad[] = {
	{ "syntax error", { { "diagnosis/a.ini", "kind = question\n", "kind question\n" } }, {
	    "@/diagnosis/a.ini:9: [node] missing kind",
	    "@/diagnosis/a.ini:11: syntax error (expected key = value or [section])" } },
	{ "header without ]", { { "diagnosis/a.ini", NULL, "\n[outcome\n" } }, {
	    "@/diagnosis/a.ini:55: section header without ']'" } },
	{ "not UTF-8", { { "diagnosis/a.ini", "text = Do it.\n", "text = Do \xff it.\n" } }, {
	    "@/diagnosis/a.ini:25: [node] missing text",
	    "@/diagnosis/a.ini:28: not valid UTF-8" } },
	{ "line too long", { { "diagnosis/a.ini", "text = Do it.\n",
	    "text = Do it. xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n" } }, {
	    "@/diagnosis/a.ini:25: [node] missing text",
	    "@/diagnosis/a.ini:28: line longer than 196 bytes" } },
	{ "unknown section", { { "diagnosis/a.ini", NULL, "\n[nodes]\nid = x\n" } }, {
	    "@/diagnosis/a.ini:55: unknown section [nodes] (flow, node, answer, outcome or "
	    "stop)" } },
	{ "unknown key", { { "diagnosis/a.ini", "title = Flow A\n",
	    "title = Flow A\ncolour = red\n" } }, {
	    "@/diagnosis/a.ini:5: [flow] unknown key 'colour'" } },
	{ "key twice", { { "diagnosis/a.ini", "start = q1\n", "start = q1\nstart = q1\n" } }, {
	    "@/diagnosis/a.ini:7: [flow] start: given twice (first at line 6)" } },
	{ "empty value", { { "diagnosis/a.ini", "title = Flow A\n", "title =\n" } }, {
	    "@/diagnosis/a.ini:1: [flow] missing title",
	    "@/diagnosis/a.ini:4: [flow] title: empty" } },
	{ "key before a section", { { "diagnosis/b.ini", NULL, "id = x\n" } }, {
	    "@/diagnosis/b.ini:1: key 'id' before the first [section]" } },
	{ "missing key", { { "diagnosis/a.ini", "type = solved\n", "" } }, {
	    "@/diagnosis/a.ini:42: [outcome] missing type" } },
	{ "missing translation", { { "diagnosis/a.ini", "text_zh = 做。\n", "" } }, {
	    "@/diagnosis/a.ini:25: [node] missing translation: text has no text_zh" } },
	{ "missing translation of a stop", { { "diagnosis/safety.ini", "advice_zh = 跑。\n",
	    "" } }, {
	    "@/diagnosis/safety.ini:1: [stop] missing translation: advice has no advice_zh" } },
	{ "bad id", { { "diagnosis/safety.ini", NULL, "\n[stop]\nid = Bad Id\n" STOP_TEXTS
	    "type = escalate\n" } }, {
	    "@/diagnosis/safety.ini:10: [stop] id: 'Bad Id' is not a valid id (a-z, 0-9, _ "
	    "and -, at most 31 bytes)" } },
	{ "unknown kind", { { "diagnosis/a.ini", "kind = question\n", "kind = quiz\n" } }, {
	    "@/diagnosis/a.ini:11: [node] kind: unknown 'quiz' (question or instruction)" } },
	{ "bad share", { { "diagnosis/a.ini", "success_rate = 0.5\n", "success_rate = 1.5\n" } },
	    { "@/diagnosis/a.ini:7: [flow] success_rate: not a share 0..1: '1.5'" } },
	{ "bad safety flag", { { "diagnosis/a.ini", "safety = 1\n", "safety = yes\n" } }, {
	    "@/diagnosis/a.ini:40: [answer] safety: must be 0 or 1, not 'yes'" } },
	{ "unknown type", { { "diagnosis/a.ini", "type = solved\n", "type = fixed\n" } }, {
	    "@/diagnosis/a.ini:44: [outcome] out_ok: type: unknown 'fixed' (solved, dispatch "
	    "or escalate)" } },
	{ "unknown truck", { { "diagnosis/a.ini", "truck = van\n", "truck = bus\n" } }, {
	    "@/diagnosis/a.ini:51: [outcome] out_van: truck: unknown kind 'bus' (van, "
	    "wheel_lift, flatbed or heavy)" } },
	{ "dispatch without a truck", { { "diagnosis/a.ini", "truck = van\n", "" } }, {
	    "@/diagnosis/a.ini:48: [outcome] out_van: dispatch without a truck kind (truck = "
	    "van, wheel_lift, flatbed or heavy)" } },
	{ "truck without dispatch", { { "diagnosis/a.ini", "type = solved\n",
	    "type = solved\ntruck = van\n" } }, {
	    "@/diagnosis/a.ini:45: [outcome] out_ok: truck: only a dispatch names a truck "
	    "kind" } },
	{ "stop that solves", { { "diagnosis/safety.ini", "type = escalate\n",
	    "type = solved\n" } }, {
	    "@/diagnosis/safety.ini:7: [stop] s_fire: type: a safety stop dispatches or "
	    "escalates, it is never solved" } },
	{ "stop dispatch without a truck", { { "diagnosis/safety.ini", "type = escalate\n",
	    "type = dispatch\n" } }, {
	    "@/diagnosis/safety.ini:1: [stop] s_fire: dispatch without a truck kind (truck = "
	    "van, wheel_lift, flatbed or heavy)" } },
	{ "node before a flow", { { "diagnosis/b.ini", NULL, "[node]\nid = n1\nkind = "
	    "question\ntext = T\ntext_zh = 甲\n" } }, {
	    "@/diagnosis/b.ini:1: [node] before any [flow] in this file (a node belongs to the "
	    "flow above it)",
	    "@/diagnosis/b.ini:1: [node] n1 has no answers: a path ends here without an "
	    "outcome",
	    "@/diagnosis/b.ini:1: [node] n1 is not reachable from any flow's start" } },
	{ "answer without a node", { { "diagnosis/b.ini", NULL, "[answer]\nlabel = L\n"
	    "label_zh = 甲\nnext = out_ok\n" } }, {
	    "@/diagnosis/b.ini:1: [answer] without a [node] above it" } },
	{ "dangling next", { { "diagnosis/a.ini", "next = out_ok\n", "next = out_gone\n" } }, {
	    "@/diagnosis/a.ini:31: [answer] next: no node, outcome or stop 'out_gone'",
	    "@/diagnosis/a.ini:42: [outcome] out_ok is never reached" } },
	{ "dangling start", { { "diagnosis/a.ini", "start = q1\n", "start = out_ok\n" } }, {
	    "@/diagnosis/a.ini:1: [flow] fa: start: 'out_ok' is not a node",
	    "@/diagnosis/a.ini:9: [node] q1 is not reachable from any flow's start",
	    "@/diagnosis/a.ini:25: [node] i1 is not reachable from any flow's start",
	    "@/diagnosis/a.ini:42: [outcome] out_ok is never reached",
	    "@/diagnosis/a.ini:48: [outcome] out_van is never reached" } },
	{ "duplicate id", { { "diagnosis/safety.ini", NULL, "\n[stop]\nid = out_ok\n"
	    STOP_TEXTS "type = escalate\n" } }, {
	    "@/diagnosis/safety.ini:9: duplicate id 'out_ok' (first defined at "
	    "@/diagnosis/a.ini:42)" } },
	{ "duplicate flow id", { { "diagnosis/b.ini", NULL, "[flow]\nid = fa\ntitle = T\n"
	    "title_zh = 甲\nstart = q1\nsuccess_rate = 0\n" } }, {
	    "@/diagnosis/b.ini:1: duplicate flow id 'fa' (first defined at "
	    "@/diagnosis/a.ini:1)" } },
	{ "unreachable node", { { "diagnosis/a.ini", NULL, "\n[node]\nid = q9\nkind = "
	    "instruction\ntext = T\ntext_zh = 甲\n\n[answer]\nlabel = L\nlabel_zh = 甲\n"
	    "next = out_ok\n" } }, {
	    "@/diagnosis/a.ini:55: [node] q9 is not reachable from any flow's start" } },
	{ "unreached outcome", { { "diagnosis/a.ini", NULL, "\n[outcome]\nid = out_x\n"
	    "type = escalate\ntext = T\ntext_zh = 甲\n" } }, {
	    "@/diagnosis/a.ini:55: [outcome] out_x is never reached" } },
	{ "question with one answer", { { "diagnosis/a.ini", "kind = instruction\n",
	    "kind = question\n" }, { "diagnosis/a.ini", "\n[answer]\nlabel = Unsafe\n"
	    "label_zh = 危险\nnext = s_fire\nsafety = 1\n", "" } }, {
	    "@/diagnosis/a.ini:25: [node] i1: a question needs at least two answers (it has "
	    "one; make it an instruction?)" } },
	{ "ten answers", { { "diagnosis/a.ini", "next = out_van\n", "next = out_van\n"
	    EIGHT_MORE_ANSWERS } }, {
	    "@/diagnosis/a.ini:9: [node] q1 has 10 answers (at most 9, the number keys)" } },
	{ "node without answers", { { "diagnosis/b.ini", NULL, "[flow]\nid = fb\ntitle = T\n"
	    "title_zh = 甲\nstart = n1\nsuccess_rate = 0\n\n[node]\nid = n1\nkind = "
	    "instruction\ntext = T\ntext_zh = 甲\n" } }, {
	    "@/diagnosis/b.ini:8: [node] n1 has no answers: a path ends here without an "
	    "outcome" } },
	{ "cycle with no way out", { { "diagnosis/a.ini", "next = out_van\n", LOOP_ANSWER },
	    { "diagnosis/a.ini", NULL, LOOP_NODES("") } }, {
	    "@/diagnosis/a.ini:60: cycle with no way out through x1, x2" } },
	{ "cycle with a way out", { { "diagnosis/a.ini", "next = out_van\n", LOOP_ANSWER },
	    { "diagnosis/a.ini", NULL, LOOP_NODES("\n[answer]\nlabel = Out\nlabel_zh = 出\n"
	    "next = out_ok\n") } }, {
	    "@/diagnosis/a.ini:60: cycle through x1, x2: a path can go round it and never "
	    "reach an outcome" } },
	{ "self-loop", { { "diagnosis/a.ini", "next = out_ok\n", "next = i1\n" } }, {
	    "@/diagnosis/a.ini:25: cycle through i1: a path can go round it and never reach "
	    "an outcome",
	    "@/diagnosis/a.ini:42: [outcome] out_ok is never reached" } },
	{ "unknown fault", { { "diagnosis/a.ini", "faults = battery\n",
	    "faults = battery, bicycle\n" } }, {
	    "@/diagnosis/a.ini:3: [flow] faults: unknown fault 'bicycle'" } },
	{ "fault without a flow in faults.ini", { { "diagnosis/a.ini", "faults = battery\n",
	    "faults = battery, tyre\n" } }, {
	    "@/diagnosis/a.ini:3: [flow] fa serves fault tyre, but @/faults.ini gives tyre no "
	    "flow" } },
	{ "faults.ini names an unknown flow", { { "faults.ini", "flow = fa\n", "flow = fz\n" } },
	    { "@/faults.ini:2: [battery] flow: no flow 'fz' in the diagnosis files" } },
	{ "faults.ini names a flow of another fault", { { "faults.ini", NULL,
	    "[tyre]\nshare = 20\nflow = fa\n" } }, {
	    "@/faults.ini:5: [tyre] flow: flow 'fa' does not serve fault tyre (add it to the "
	    "flow's faults)" } },
	{ "no stops", { { "diagnosis/safety.ini", base_safety, "; none\n" } }, {
	    "@/diagnosis: no safety [stop] in any file (the safety key needs them)",
	    "@/diagnosis/a.ini:36: [answer] next: no node, outcome or stop 's_fire'" } },
};

/* The messages of errs, with the temporary directory written as "@", one per line. */
static char *
messages(const struct flow_errors *errs)
{
	char *out = xstrdup(""), *tmp, *m, *at;
	size_t i, tl = strlen(tmpdir);

	for (i = 0; i < errs->n; i++) {
		m = xstrdup(errs->v[i].msg);
		while ((at = strstr(m, tmpdir)) != NULL) {
			*at = '@';
			memmove(at + 1, at + tl, strlen(at + tl) + 1);
		}
		xasprintf(&tmp, "%s%s\n", out, m);
		free(out);
		free(m);
		out = tmp;
	}
	return out;
}

START_TEST(test_tree_bad)
{
	struct flow_errors errs = { NULL, 0 };
	struct flow_set *set;
	char *text = NULL, *got, *want = xstrdup(""), *tmp;
	const char *file = NULL;
	size_t i;

	for (i = 0; i < ARRAY_LEN(bad[_i].edits) && bad[_i].edits[i].file != NULL; i++) {
		const struct tree_edit *e = &bad[_i].edits[i];

		if (file == NULL || strcmp(file, e->file) != 0) {
			if (text != NULL)
				write_file(file, text);
			free(text);
			text = xstrdup(base_of(e->file));
			file = e->file;
		}
		tmp = edit(text, e->from, e->to);
		free(text);
		text = tmp;
	}
	write_file(file, text);
	free(text);
	for (i = 0; i < ARRAY_LEN(bad[_i].errors) && bad[_i].errors[i] != NULL; i++) {
		xasprintf(&tmp, "%s%s\n", want, bad[_i].errors[i]);
		free(want);
		want = tmp;
	}
	set = load_tree(&errs);
	ck_assert_ptr_null(set);
	got = messages(&errs);
	ck_assert_msg(strcmp(got, want) == 0, "%s:\nwant:\n%sgot:\n%s", bad[_i].what, want,
	    got);
	free(got);
	free(want);
	flow_errors_free(&errs);
	ck_assert_uint_eq(errs.n, 0);
}
END_TEST

/* A chain one answer longer than a walk can hold. */
START_TEST(test_tree_too_long)
{
	struct flow_errors errs = { NULL, 0 };
	char *text = xstrdup(""), *tmp;
	int i;

	for (i = 0; i < FLOW_STEPS_MAX + 1; i++) {
		xasprintf(&tmp, "%s\n[node]\nid = c%d\nkind = instruction\ntext = T\n"
		    "text_zh = 甲\n\n[answer]\nlabel = L\nlabel_zh = 甲\nnext = c%d\n", text, i,
		    i + 1);
		free(text);
		text = tmp;
	}
	xasprintf(&tmp, "[flow]\nid = long\ntitle = T\ntitle_zh = 甲\nstart = c0\n"
	    "success_rate = 0\n%s\n[outcome]\nid = c%d\ntype = escalate\ntext = E\n"
	    "text_zh = 乙\n", text, FLOW_STEPS_MAX + 1);
	write_file("diagnosis/b.ini", tmp);
	free(tmp);
	free(text);
	ck_assert_ptr_null(load_tree(&errs));
	ck_assert_uint_eq(errs.n, 1);
	xasprintf(&tmp, "b.ini:1: [flow] long: a path from its start takes %d answers (at "
	    "most %d)", FLOW_STEPS_MAX + 1, FLOW_STEPS_MAX);
	ck_assert_msg(strstr(errs.v[0].msg, tmp) != NULL, "%s", errs.v[0].msg);
	free(tmp);
	flow_errors_free(&errs);
}
END_TEST

START_TEST(test_tree_open)
{
	char dir[128], *cause = NULL;

	write_file("diagnosis/a.ini", "[flow]\nid = fa\n");
	snprintf(dir, sizeof dir, "%s/diagnosis", tmpdir);
	ck_assert_ptr_null(flow_set_open(dir, NULL, &cause));
	ck_assert_ptr_nonnull(cause);
	/* one line per message, the count last */
	ck_assert_msg(strstr(cause, "a.ini:1: [flow] missing title\n") != NULL, "%s", cause);
	ck_assert_msg(strlen(cause) > 9 && strcmp(cause + strlen(cause) - 9, "\n4 errors") == 0,
	    "%s", cause);
	free(cause);
	ck_assert_ptr_null(flow_set_open("/nonexistent/diagnosis", NULL, &cause));
	ck_assert_str_eq(cause, "/nonexistent/diagnosis: cannot read the directory (No such "
	    "file or directory)\n1 error");
	free(cause);
	write_file("diagnosis/a.ini", base_a);
	ck_assert_ptr_null(flow_set_open(dir, "/nonexistent/faults.ini", &cause));
	ck_assert_str_eq(cause, "/nonexistent/faults.ini: cannot read it (No such file or "
	    "directory)\n1 error");
	free(cause);
}
END_TEST

/* ---------------------------------------------------------------- the real flows */

static struct flow_set *real;
static struct data *real_data;

static void
real_setup(void)
{
	char *cause = NULL;

	real = flow_set_open(SOURCE_DATA_DIR "/diagnosis", SOURCE_DATA_DIR "/faults.ini",
	    &cause);
	ck_assert_msg(real != NULL, "%s", cause);
	real_data = data_load(SOURCE_DATA_DIR, &cause);
	ck_assert_msg(real_data != NULL, "%s", cause);
}

static void
real_teardown(void)
{
	flow_set_free(real);
	data_free(real_data);
}

START_TEST(test_real_flows)
{
	static const char *const ten[] = { "battery", "smart_key", "interlock",
		"cranks_no_start", "warning_light", "limp_mode", "flat_tyre", "ev_not_ready",
		"overheat", "lockout" };
	size_t i;

	for (i = 0; i < ARRAY_LEN(ten); i++) {
		const struct flow *fl = flow_set_flow(real, ten[i]);

		ck_assert_msg(fl != NULL, "no flow %s", ten[i]);
		ck_assert_msg(fl->faults != 0, "%s serves no fault", ten[i]);
		ck_assert(fl->success_rate > 0 && fl->success_rate < 1);
	}
	for (i = 0; i < real->n_flows; i++)
		ck_assert_ptr_eq(real->flows[i]->start->flow, real->flows[i]);
	ck_assert_ptr_eq(flow_set_for_fault(real, FAULT_NO_START), flow_set_flow(real,
	    "no_start"));
	/* ";" after a word is text, not a comment (only " ;" starts one) */
	ck_assert_str_eq(flow_set_outcome(real, "van_key")->text[FLOW_LANG_EN], "A van comes: "
	    "immobiliser or key fault; it may end with a tow to the dealer.");
	ck_assert_ptr_null(flow_set_for_fault(real, FAULT_WINCH));
}
END_TEST

START_TEST(test_real_stops)
{
	static const char *const needed[] = { "live_lane", "fire", "injury", "locked_in",
		"steam", "brakes_steering", "ev_high_voltage" };
	size_t i;

	for (i = 0; i < ARRAY_LEN(needed); i++)
		ck_assert_msg(flow_set_stop(real, needed[i]) != NULL, "no stop %s", needed[i]);
	/* safety.ini's order is the display order */
	ck_assert_str_eq(real->stops[0]->id, "live_lane");
	for (i = 0; i < real->n_stops; i++) {
		const struct flow_stop *s = real->stops[i];

		ck_assert(s->type == FLOW_DISPATCH || s->type == FLOW_ESCALATE);
		ck_assert((s->type == FLOW_DISPATCH) == (s->truck >= 0));
		ck_assert_ptr_nonnull(s->advice[FLOW_LANG_ZH]);
	}
	/* an EV is carried on a flatbed only */
	ck_assert_int_eq(flow_set_stop(real, "ev_high_voltage")->truck, TRUCK_KIND_FLATBED);
}
END_TEST

/* faults.ini and the flows agree: each fault's flow serves it, phone_fix_rate is the flow's
 * success rate, and the blend with the call mix is the modelled 6.4%. */
START_TEST(test_real_faults)
{
	double phone = 0;
	int f, with_flow = 0;

	for (f = 0; f < FAULT_COUNT; f++) {
		const struct data_fault *x = &real_data->faults[f];
		const struct flow *fl = flow_set_for_fault(real, (enum ticket_fault)f);

		if (x->flow[0] == '\0') {
			ck_assert_ptr_null(real->by_fault[f]);
			ck_assert_double_eq(x->phone_fix_rate, 0);
			continue;
		}
		with_flow++;
		ck_assert_ptr_nonnull(fl);
		ck_assert_str_eq(fl->id, x->flow);
		ck_assert(flow_serves(fl, (enum ticket_fault)f));
		ck_assert_msg(fabs(x->phone_fix_rate - fl->success_rate) < 1e-9,
		    "%s: phone_fix_rate %g, flow %s success_rate %g", ticket_fault_name(f),
		    x->phone_fix_rate, fl->id, fl->success_rate);
		phone += x->share * fl->success_rate;
	}
	ck_assert_int_eq(with_flow, 7);
	ck_assert_msg(fabs(phone - 6.4) < 0.05, "blend %g%%", phone);
}
END_TEST

struct walk_stats {
	size_t paths, longest;
	bool *node_seen;
	size_t ends[FLOW_RESULT_COUNT];
};

/* Every path from w's position: each ends at an outcome or a stop, within FLOW_STEPS_MAX;
 * at every node every safety stop can end the walk and back undoes it; the path string of
 * every position formats and parses back to the same position. */
static void
walk_all(struct flow_walk *w, struct walk_stats *st)
{
	char path[FLOW_PATH_MAX + 1], spelled[FLOW_PATH_MAX + 1], *cause = NULL;
	struct flow_walk again;
	size_t i, k;
	int truck;

	ck_assert_int_ge(flow_walk_format(w, path, sizeof path), 0);
	ck_assert_msg(flow_walk_parse(&again, w->set, w->flow, path, &cause) == 0, "%s: %s",
	    path, cause);
	ck_assert_int_ge(flow_walk_format(&again, spelled, sizeof spelled), 0);
	ck_assert_str_eq(spelled, path);
	ck_assert_uint_eq(again.n_steps, w->n_steps);
	ck_assert_ptr_eq(again.node, w->node);
	ck_assert_ptr_eq(again.outcome, w->outcome);
	ck_assert_ptr_eq(again.stop, w->stop);

	if (flow_walk_ended(w)) {
		int r = flow_walk_result(w, &truck);

		ck_assert_msg(w->outcome != NULL || w->stop != NULL, "%s: ended nowhere", path);
		ck_assert_int_ge(r, 0);
		ck_assert((r == FLOW_DISPATCH) == (truck >= 0));
		st->ends[r]++;
		st->paths++;
		if (w->n_steps > st->longest)
			st->longest = w->n_steps;
		return;
	}
	ck_assert_int_lt(flow_walk_result(w, &truck), 0);
	for (i = 0; i < w->set->n_nodes; i++) {
		if (w->set->nodes[i] == w->node)
			st->node_seen[i] = true;
	}
	/* the safety key, at this node */
	for (k = 0; k < w->set->n_stops; k++) {
		again = *w;
		ck_assert_int_eq(flow_walk_stop(&again, w->set->stops[k]), 0);
		ck_assert(flow_walk_ended(&again));
		ck_assert(again.by_safety_key);
		ck_assert_ptr_eq(again.stop, w->set->stops[k]);
		ck_assert_int_eq(flow_walk_result(&again, &truck), (int)w->set->stops[k]->type);
		ck_assert_int_ge(flow_walk_format(&again, path, sizeof path), 0);
		ck_assert_ptr_nonnull(strrchr(path, '!'));
		ck_assert_str_eq(strrchr(path, '!') + 1, w->set->stops[k]->id);
		ck_assert_int_eq(flow_walk_back(&again), 0);
		ck_assert_ptr_eq(again.node, w->node);
		ck_assert_uint_eq(again.n_steps, w->n_steps);
		ck_assert_ptr_null(again.stop);
	}
	ck_assert_int_eq(flow_walk_answer(w, w->node->n_answers), -1);
	for (k = 0; k < w->node->n_answers; k++) {
		const struct flow_node *at = w->node;

		again = *w;
		ck_assert_int_eq(flow_walk_answer(&again, k), 0);
		ck_assert_uint_eq(again.n_steps, w->n_steps + 1);
		walk_all(&again, st);
		ck_assert_int_eq(flow_walk_back(&again), 0);
		ck_assert_ptr_eq(again.node, at);
		ck_assert_uint_eq(again.n_steps, w->n_steps);
		ck_assert_ptr_null(again.outcome);
		ck_assert_ptr_null(again.stop);
	}
}

START_TEST(test_real_walk_every_path)
{
	struct walk_stats st;
	struct flow_walk w;
	size_t i;

	memset(&st, 0, sizeof st);
	st.node_seen = xcalloc(real->n_nodes, sizeof *st.node_seen);
	for (i = 0; i < real->n_flows; i++) {
		flow_walk_start(&w, real, real->flows[i]);
		ck_assert_ptr_eq(w.node, real->flows[i]->start);
		ck_assert_int_eq(flow_walk_back(&w), -1);
		walk_all(&w, &st);
	}
	for (i = 0; i < real->n_nodes; i++)
		ck_assert_msg(st.node_seen[i], "node %s never reached", real->nodes[i]->id);
	ck_assert_uint_le(st.longest, 12);      /* a caller is not kept on the line forever */
	ck_assert_uint_gt(st.ends[FLOW_SOLVED], 0);
	ck_assert_uint_gt(st.ends[FLOW_DISPATCH], 0);
	free(st.node_seen);
}
END_TEST

/* Every text in both languages, and no node id that is also an outcome's or a stop's. */
START_TEST(test_real_texts)
{
	size_t i, j;
	int l;

	for (l = 0; l < FLOW_LANG_COUNT; l++) {
		for (i = 0; i < real->n_flows; i++)
			ck_assert_ptr_nonnull(real->flows[i]->title[l]);
		for (i = 0; i < real->n_nodes; i++) {
			const struct flow_node *n = real->nodes[i];

			ck_assert_ptr_nonnull(n->text[l]);
			for (j = 0; j < n->n_answers; j++)
				ck_assert_ptr_nonnull(n->answers[j].label[l]);
			ck_assert_ptr_null(flow_set_outcome(real, n->id));
			ck_assert_ptr_null(flow_set_stop(real, n->id));
		}
		for (i = 0; i < real->n_outcomes; i++)
			ck_assert_ptr_nonnull(real->outcomes[i]->text[l]);
		for (i = 0; i < real->n_stops; i++) {
			ck_assert_ptr_nonnull(real->stops[i]->trigger[l]);
			ck_assert_ptr_nonnull(real->stops[i]->advice[l]);
		}
	}
}
END_TEST

/* ---------------------------------------------------------------- the path string */

START_TEST(test_path_walk)
{
	const struct flow *fl = flow_set_flow(real, "battery");
	struct flow_walk w;
	char buf[FLOW_PATH_MAX + 1], small[8], *cause = NULL;
	int truck;

	flow_walk_start(&w, real, fl);
	ck_assert_int_eq(flow_walk_format(&w, buf, sizeof buf), 0);
	ck_assert_str_eq(buf, "");
	ck_assert_int_eq(flow_walk_answer(&w, 0), 0);           /* petrol or diesel */
	ck_assert_str_eq(w.node->id, "bat_dash");
	ck_assert_int_eq(flow_walk_answer(&w, 1), 0);           /* dashboard normal */
	ck_assert_str_eq(w.node->id, "ilk_lever");             /* into another flow */
	ck_assert_ptr_eq(w.node->flow, flow_set_flow(real, "interlock"));
	ck_assert_int_eq(flow_walk_format(&w, buf, sizeof buf), (int)strlen(buf));
	ck_assert_str_eq(buf, "bat_kind:1,bat_dash:2");
	ck_assert_int_eq(flow_walk_format(&w, small, sizeof small), -1);
	ck_assert_str_eq(small, "");
	ck_assert_int_eq(flow_walk_stop(&w, flow_set_stop(real, "fire")), 0);
	ck_assert_int_eq(flow_walk_format(&w, buf, sizeof buf), (int)strlen(buf));
	ck_assert_str_eq(buf, "bat_kind:1,bat_dash:2,!fire");
	ck_assert_int_eq(flow_walk_result(&w, &truck), FLOW_ESCALATE);
	ck_assert_int_eq(truck, -1);
	ck_assert_int_eq(flow_walk_answer(&w, 0), -1);         /* ended */
	ck_assert_int_eq(flow_walk_stop(&w, real->stops[0]), -1);

	ck_assert_int_eq(flow_walk_parse(&w, real, fl, "!live_lane", &cause), 0);
	ck_assert(flow_walk_ended(&w));
	ck_assert_int_eq(flow_walk_result(&w, &truck), FLOW_DISPATCH);
	ck_assert_int_eq(truck, TRUCK_KIND_FLATBED);
	ck_assert_int_eq(flow_walk_back(&w), 0);
	ck_assert_str_eq(w.node->id, "bat_kind");
	ck_assert_int_eq(flow_walk_back(&w), -1);

	/* an answer that leads to an outcome */
	ck_assert_int_eq(flow_walk_parse(&w, real, fl, "bat_kind:1,bat_dash:1,bat_left_on:1,"
	    "bat_booster:1", &cause), 0);
	ck_assert_ptr_eq(w.outcome, flow_set_outcome(real, "van_battery"));
	ck_assert(!w.by_safety_key);
	ck_assert_int_eq(flow_walk_result(&w, &truck), FLOW_DISPATCH);
	ck_assert_int_eq(truck, TRUCK_KIND_VAN);
	ck_assert_int_eq(flow_walk_back(&w), 0);
	ck_assert_str_eq(w.node->id, "bat_booster");
	ck_assert_ptr_null(w.outcome);
}
END_TEST

static const struct {
	const char *path;
	const char *cause;
} bad_paths[] = {
	{ ",", "path ',': empty step" },
	{ "bat_kind:1,", "path 'bat_kind:1,': empty step" },
	{ "bat_kind:1,,bat_dash:1", "path 'bat_kind:1,,bat_dash:1': empty step" },
	{ "bat_kind", "path step 1: 'bat_kind' is not NODE:N or !STOP" },
	{ "bat_kind:0", "path step 1: node 'bat_kind' has no answer '0'" },
	{ "bat_kind:3", "path step 1: node 'bat_kind' has no answer '3'" },
	{ "bat_kind:", "path step 1: node 'bat_kind' has no answer ''" },
	{ "bat_kind:1x", "path step 1: node 'bat_kind' has no answer '1x'" },
	{ "bat_kind:+1", "path step 1: node 'bat_kind' has no answer '+1'" },
	{ "bat_kind:01", "path step 1: node 'bat_kind' has no answer '01'" },
	{ "bat_kind: 1", "path step 1: node 'bat_kind' has no answer ' 1'" },
	{ "bat_kind:99999999999999999999", "path step 1: node 'bat_kind' has no answer "
	    "'99999999999999999999'" },
	{ "bat_dash:1", "path step 1: at node 'bat_kind', not 'bat_dash'" },
	{ "bat_kind:1,bat_kind:1", "path step 2: at node 'bat_dash', not 'bat_kind'" },
	{ "!nowhere", "path step 1: no safety stop 'nowhere'" },
	{ "!fire,bat_kind:1", "path step 2: 'bat_kind:1' after the end" },
	{ "!fire,!steam", "path step 2: '!steam' after the end" },
	{ "bat_kind:1,bat_dash:1,bat_left_on:1,bat_booster:1,bat_try:1",
	    "path step 5: 'bat_try:1' after the end" },
};

START_TEST(test_path_bad)
{
	struct flow_walk w;
	char *cause = NULL;

	ck_assert_int_eq(flow_walk_parse(&w, real, flow_set_flow(real, "battery"),
	    bad_paths[_i].path, &cause), -1);
	ck_assert_str_eq(cause, bad_paths[_i].cause);
	free(cause);
}
END_TEST

START_TEST(test_path_too_long)
{
	char path[FLOW_PATH_MAX + 2], *cause = NULL;
	struct flow_walk w;

	memset(path, 'x', sizeof path - 1);
	path[sizeof path - 1] = '\0';
	ck_assert_int_eq(flow_walk_parse(&w, real, flow_set_flow(real, "battery"), path,
	    &cause), -1);
	ck_assert_str_eq(cause, "path longer than 1000 bytes");
	free(cause);
}
END_TEST

START_TEST(test_names)
{
	int r;

	for (r = 0; r < FLOW_RESULT_COUNT; r++)
		ck_assert_int_eq(flow_result_parse(flow_result_name((enum flow_result)r)), r);
	ck_assert_str_eq(flow_result_name(FLOW_SOLVED), "solved");
	ck_assert_str_eq(flow_result_name(FLOW_RESULT_COUNT), "?");
	ck_assert_int_eq(flow_result_parse("fixed"), -1);
	ck_assert_int_eq(flow_lang_parse("en"), FLOW_LANG_EN);
	ck_assert_int_eq(flow_lang_parse("zh_CN"), FLOW_LANG_ZH);
	ck_assert_int_eq(flow_lang_parse("zh_CN.UTF-8"), FLOW_LANG_ZH);
	ck_assert_int_eq(flow_lang_parse("fr"), -1);
}
END_TEST

static Suite *
flow_suite(void)
{
	Suite *s = suite_create("flow");
	TCase *tc;

	tc = tcase_create("tree");
	tcase_add_checked_fixture(tc, tree_setup, tree_teardown);
	tcase_add_test(tc, test_tree_base);
	tcase_add_loop_test(tc, test_tree_bad, 0, (int)ARRAY_LEN(bad));
	tcase_add_test(tc, test_tree_too_long);
	tcase_add_test(tc, test_tree_open);
	suite_add_tcase(s, tc);

	tc = tcase_create("real");
	tcase_add_checked_fixture(tc, real_setup, real_teardown);
	tcase_add_test(tc, test_real_flows);
	tcase_add_test(tc, test_real_stops);
	tcase_add_test(tc, test_real_faults);
	tcase_add_test(tc, test_real_walk_every_path);
	tcase_add_test(tc, test_real_texts);
	tcase_add_test(tc, test_path_walk);
	tcase_add_loop_test(tc, test_path_bad, 0, (int)ARRAY_LEN(bad_paths));
	tcase_add_test(tc, test_path_too_long);
	suite_add_tcase(s, tc);

	tc = tcase_create("names");
	tcase_add_test(tc, test_names);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return check_main(flow_suite());
}
