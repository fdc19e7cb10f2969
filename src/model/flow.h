/* flow.h: guided remote diagnosis as data: the flows a specialist reads to a caller, the
 * global safety stops, the validator, and a session walk over a flow.
 *
 * The files (data/diagnosis/ *.ini, format in man/rescuedesk-flows.5 and data/README.md) are
 * read through data.c's line-aware INI reader; everything else here is pure: no I/O, no
 * clock. A flow set is a graph: a [flow] names its start node; a [node] is a question or an
 * instruction with its [answer]s; an answer leads to a node (of any flow), an [outcome]
 * (solved by phone, dispatch with a truck kind, escalate to a senior specialist) or a safety
 * [stop]. Node, outcome and stop ids share one namespace across all files.
 *
 * The safety stops are global: the model offers every stop at every node (the console's
 * safety key, flow_walk_stop), and an answer may also lead straight to one. A stop ends the
 * session with immediate dispatch (or escalation) and its advice read to the caller.
 *
 * A loaded set is valid: every id resolves, every path from every flow's start ends at an
 * outcome or a stop within FLOW_STEPS_MAX answers, every node is reachable, every text has
 * both languages. So a walk over a loaded set can never get stuck.
 *
 * Ownership: flow_set_load/flow_set_open return a set the caller frees with flow_set_free;
 * every pointer inside (flows, nodes, answers, outcomes, stops, texts) is owned by the set
 * and lives until then. A struct flow_walk borrows the set. Error lists are owned by the
 * caller (flow_errors_free); causes are freed by the caller. */
#ifndef RD_FLOW_H
#define RD_FLOW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ticket.h"

#define FLOW_ID_MAX 32          /* ids are a-z 0-9 _ -, at most 31 bytes */
#define FLOW_PATH_MAX 1000      /* a path string, without its NUL (flow_walk_format) */
#define FLOW_STEPS_MAX 24       /* answers on any path from a start to an end */
#define FLOW_ANSWERS_MAX 9      /* answers of a node: the number keys 1..9 */

/* The languages of every text: index of the text arrays below. */
enum flow_lang { FLOW_LANG_EN, FLOW_LANG_ZH, FLOW_LANG_COUNT };

/* How a session ends: the type of an outcome or a stop. The wire name is the string. */
#define FLOW_RESULTS(X)                 \
	X(SOLVED, "solved")             \
	X(DISPATCH, "dispatch")         \
	X(ESCALATE, "escalate")

enum flow_result {
#define X(e, s) FLOW_##e,
	FLOW_RESULTS(X)
#undef X
	FLOW_RESULT_COUNT
};

enum flow_node_kind {
	FLOW_QUESTION,          /* asks the caller; at least two answers */
	FLOW_INSTRUCTION,       /* the caller does something, then answers; at least one */
};

struct flow;
struct flow_node;

/* Where an answer leads: exactly one of node, outcome, stop is set in a loaded set. */
struct flow_outcome {
	char id[FLOW_ID_MAX];
	enum flow_result type;
	int truck;              /* enum truck_kind for FLOW_DISPATCH, else -1 */
	char *text[FLOW_LANG_COUNT]; /* what to tell the caller / what happens next */
	const char *file;       /* where it is defined, for messages */
	int line;
};

struct flow_stop {
	char id[FLOW_ID_MAX];
	enum flow_result type;  /* FLOW_DISPATCH or FLOW_ESCALATE, never FLOW_SOLVED */
	int truck;              /* enum truck_kind for FLOW_DISPATCH, else -1 */
	char *trigger[FLOW_LANG_COUNT]; /* what the caller reports */
	char *advice[FLOW_LANG_COUNT];  /* read to the caller */
	const char *file;
	int line;
};

struct flow_answer {
	char *label[FLOW_LANG_COUNT];
	bool safety;            /* safety-relevant: the console marks it */
	char next[FLOW_ID_MAX]; /* as written */
	const struct flow_node *node;           /* what next resolves to: one of these */
	const struct flow_outcome *outcome;
	const struct flow_stop *stop;
	int line;
};

struct flow_node {
	char id[FLOW_ID_MAX];
	enum flow_node_kind kind;
	char *text[FLOW_LANG_COUNT];
	struct flow_answer *answers;    /* in file order; the console numbers them from 1 */
	size_t n_answers;
	const struct flow *flow;        /* the [flow] above it in its file */
	const char *file;
	int line;
};

struct flow {
	char id[FLOW_ID_MAX];
	uint32_t faults;                /* bit (1u << enum ticket_fault): faults it serves */
	char *title[FLOW_LANG_COUNT];
	const struct flow_node *start;
	double success_rate;            /* 0..1: callers it solves by phone, no stop applying */
	const char *file;
	int line;
};

/* A loaded, valid set. Arrays in load order: files by name, then file order; the stops in
 * this order are the display order of the safety key's list. */
struct flow_set {
	struct flow **flows;
	size_t n_flows;
	struct flow_node **nodes;
	size_t n_nodes;
	struct flow_outcome **outcomes;
	size_t n_outcomes;
	struct flow_stop **stops;
	size_t n_stops;
	const struct flow *by_fault[FAULT_COUNT]; /* faults.ini's flow = for each fault, or NULL */
	char **files;                   /* the paths read (owned; nodes' file point here) */
	size_t n_files;
};

/* One validator message: msg is the whole line "FILE:LINE: text" (or "FILE: text"); file
 * is a flow file, faults.ini or the directory. */
struct flow_error {
	char *file;
	int line;               /* 0: the file as a whole */
	char *msg;
};

struct flow_errors {
	struct flow_error *v;   /* sorted by file, then line */
	size_t n;
};

/* Load and validate every *.ini in dir (names starting with '.' skipped), and, if faults_ini
 * is not NULL, the "flow = ID" keys of that faults.ini (other keys are data_load's).
 * Collects ALL errors into errs (which must start empty, {NULL, 0}): syntax errors,
 * unknown sections and keys, keys given twice, missing required keys and translations,
 * bad values, dangling and duplicate ids (naming both places), unknown faults, faults.ini
 * naming unknown flows or a flow that does not serve that fault, unreachable nodes and
 * outcomes, questions with fewer than two answers and instructions with none, cycles
 * (with or without a way out), paths longer than FLOW_STEPS_MAX, nodes with more than
 * FLOW_ANSWERS_MAX answers, dispatch without a truck kind, no [stop] at all. Returns the
 * set (errs->n == 0), or NULL (errs->n > 0). Numbers are read in the C locale. */
struct flow_set *flow_set_load(const char *dir, const char *faults_ini,
    struct flow_errors *errs);
/* The same for a program's start-up (the broker refuses invalid flows): NULL and *cause
 * (caller frees), every message on its own line, "N errors" last. */
struct flow_set *flow_set_open(const char *dir, const char *faults_ini, char **cause);
void flow_set_free(struct flow_set *set);              /* NULL is fine */
void flow_errors_free(struct flow_errors *errs);       /* frees the messages, keeps errs */

/* Lookups; borrowed from the set, NULL if none. */
const struct flow *flow_set_flow(const struct flow_set *set, const char *id);
/* The flow to start for a ticket with this fault: faults.ini's flow = (or, without a
 * faults.ini, the first flow that serves it). */
const struct flow *flow_set_for_fault(const struct flow_set *set, enum ticket_fault f);
bool flow_serves(const struct flow *fl, enum ticket_fault f);
const struct flow_node *flow_set_node(const struct flow_set *set, const char *id);
const struct flow_outcome *flow_set_outcome(const struct flow_set *set, const char *id);
const struct flow_stop *flow_set_stop(const struct flow_set *set, const char *id);

/* Names: "solved", "dispatch", "escalate" (static; "?" out of range); parse returns -1 if
 * unknown. Languages: "en" (and "en_*") and "zh_CN" (also "zh" and "zh_CN.*"); -1 if
 * neither. */
const char *flow_result_name(enum flow_result r);
int flow_result_parse(const char *name);
int flow_lang_parse(const char *name);

/* A diagnosis session's position: the answers chosen from the flow's start, and how it
 * ended, if it did. Borrowed pointers into the set; a plain value (copy it freely).
 *
 * The path string (what the broker stores in the ticket) lists each step as NODE:N with
 * N the answer's number from 1, separated by commas, and ends with !STOP if the safety key
 * ended the session: "bat_kind:1,bat_dash:1,!fire". "" is a session at its start. The
 * limits on ids, answers and steps keep every path of a valid set within FLOW_PATH_MAX
 * bytes. */
struct flow_step {
	const struct flow_node *node;
	size_t answer;                  /* index into node->answers, from 0 */
};

struct flow_walk {
	const struct flow_set *set;
	const struct flow *flow;
	struct flow_step steps[FLOW_STEPS_MAX];
	size_t n_steps;
	const struct flow_node *node;       /* the current node; NULL once ended */
	const struct flow_outcome *outcome; /* set when an answer led to an outcome */
	const struct flow_stop *stop;       /* set when a stop ended it (answer or safety key) */
	bool by_safety_key;                 /* the stop came from the safety key, not an answer */
};

/* Start at fl's start node. */
void flow_walk_start(struct flow_walk *w, const struct flow_set *set, const struct flow *fl);
/* Choose answer i (from 0) of the current node: move to the node it leads to, or end at its
 * outcome or stop. 0, or -1 if the walk has ended or i is out of range (nothing changes). */
int flow_walk_answer(struct flow_walk *w, size_t i);
/* The safety key: end at stop s (of w->set) from whichever node is current. 0, or -1 if
 * the walk has already ended. */
int flow_walk_stop(struct flow_walk *w, const struct flow_stop *s);
/* Undo the last step (an answer, or the safety key). 0, or -1 at the start. */
int flow_walk_back(struct flow_walk *w);
bool flow_walk_ended(const struct flow_walk *w);
/* How it ended: the type and truck kind (-1 if none) of the outcome or stop; -1 if the walk
 * has not ended. */
int flow_walk_result(const struct flow_walk *w, int *truck);

/* Write the path string into buf (size bufsz, NUL-terminated). Returns its length, or -1 if
 * it does not fit (buf then holds ""). */
int flow_walk_format(const struct flow_walk *w, char *buf, size_t bufsz);
/* Replay path from fl's start into *w. 0, or -1 and *cause (caller frees) saying what is
 * wrong: too long, malformed, an unknown node or stop, a node that is not the current one,
 * an answer number out of range, anything after the end. On failure *w is unspecified. */
int flow_walk_parse(struct flow_walk *w, const struct flow_set *set, const struct flow *fl,
    const char *path, char **cause);

#endif
