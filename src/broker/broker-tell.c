/* broker-tell.c: telling the customer (PROTOCOL.md 7.27): ticket.tell renders a template of
 * data/tell.ini (src/model/tell.c) from the ticket's live data in the customer's language
 * (the ticket's lang), logs it as a `tell` event, then hands it to the gateway: a lossy
 * publication on topic "message" (no phone number on the PUB stream, and the name masked
 * in the text as in the event) and, with --tell-command, a /bin/sh command run for it with
 * the raw phone, the text as told and the ticket in its environment. The command runs asynchronously (posix_spawn after the batch commits:
 * log first, never blocking the loop); the tick reaps it and logs `told` (exit 0) or
 * `tell_failed`. At most TELL_RUNNING_MAX commands run at once; the others wait in order;
 * one still running after TELL_COMMAND_MAX_MS of real time is killed with its process group
 * (tell_failed, signal 9). At most TELL_QUEUE_MAX wait or run: one more is refused at once
 * (tell_failed, queue); one waiting TELL_WAIT_MAX_MS of real time is dropped (tell_failed,
 * late): a hung gateway neither grows the queue without end nor sends stale words later.
 * Commands not started when the broker stops are not run again (the message is logged and
 * was published).
 *
 * The rate limit: the same template to the same ticket is refused (too_soon) within
 * BROKER_TELL_AGAIN_MS of broker time; it is kept in memory only (a restart forgets it).
 *
 * A region with tell_on_slip = 1 tells the customer itself (template delay, user broker)
 * when the ETA slips past the promise: broker-watch.c calls broker_tell_slip when eta_late
 * turns red or overdue is raised; once per slip: once for each promise (kept in memory),
 * so an ETA flapping around the promise does not repeat it.
 *
 * Called by broker.c (load, flush after the commit, reap in the tick, finish), the op table,
 * broker-ops.c and broker-edit.c (the lang key), broker-watch.c (the slip); calls
 * broker-state.c and broker-emit.c. */
#include "broker-int.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util.h"

extern char **environ;

#define TELL_RUNNING_MAX 16
#define TELL_COMMAND_MAX_MS 60000 /* real time a command may run before it is killed */
#define TELL_QUEUE_MAX 256        /* messages waiting for or running a command; more: refused */
#define TELL_WAIT_MAX_MS 300000   /* real time a message may wait for its command: then late */
#define TELL_USER_BROKER "broker"

struct btell_job {
	struct btell_job *next;
	int64_t ticket;
	char tpl[TELL_ID_MAX];
	char lang[8];
	char phone[sizeof ((struct proto_ticket *)0)->phone];
	char text[TELL_TEXT_MAX + 1];
	pid_t pid;               /* 0: not started */
	int spawn_err;           /* posix_spawn failed with this errno: reaped as failed */
	int64_t queued;          /* monotonic ms */
	int64_t started;         /* monotonic ms */
	bool killed;             /* ran past TELL_COMMAND_MAX_MS: sent SIGKILL */
};

/* ---- loading ---- */

int
broker_tell_load(struct broker *b, char **cause)
{
	char *path;
	struct stat st;

	xasprintf(&path, "%s/tell.ini", b->data_dir);
	if (stat(path, &st) < 0 && errno == ENOENT) {
		log_info("%s: none; ticket.tell is unavailable", path);
		free(path);
		return 0;
	}
	b->tell = tell_set_load(path, cause);
	free(path);
	return b->tell == NULL ? -1 : 0;
}

void
broker_tell_finish(struct broker *b)
{
	struct btell_job *j, *next;

	/* commands still running are not waited for: they end on their own */
	for (j = b->tell_jobs; j != NULL; j = next) {
		next = j->next;
		free(j);
	}
	b->tell_jobs = NULL;
	tell_set_free(b->tell);
	b->tell = NULL;
}

/* ---- the lang key ---- */

bool
broker_tell_bad_lang(struct proto_buf *out, const struct proto_request *req, const char *lang)
{
	struct proto_error_params e;

	if (lang[0] == '\0' || strcmp(lang, "zh") == 0 || strcmp(lang, "en") == 0)
		return false;	/* "" is the default, as absent */
	broker_err_init(&e, "unknown_lang");
	BERR_STR(&e, name, lang);
	broker_reply_error_why(out, req, PROTO_E_BAD_REQUEST, "lang", &e,
	    "lang: '%.8s' is not zh or en", lang);
	return true;
}

void
broker_tell_set_lang(struct proto_ticket *w, const char *lang)
{
	if (lang == NULL || lang[0] == '\0') {
		w->lang[0] = '\0';
		w->present &= ~((uint64_t)1 << PROTO_ticket_lang);
		return;
	}
	PROTO_STRSET(w->lang, lang);
	PROTO_SET(w, ticket, lang);
}

/* ---- telling ---- */

/* The facts of t the templates may name, at now. */
static void
facts_of(const struct broker *b, const struct bticket *t, int64_t now, struct tell_facts *f)
{
	const struct btruck *k = t->truck;

	*f = (struct tell_facts){
		.customer = t->w.customer,
		.eta = PROTO_HAS(&t->w, ticket, eta) ? t->w.eta : 0,
		.promised = t->w.promised,
		.ticket = t->w.id,
		.now = now,
	};
	if (k != NULL) {
		f->plate = k->w.id;
		f->supplier = k->sup >= 0 ? b->sups[k->sup].d->name : k->w.supplier;
	}
}

/* When t may be told template id again: 0 now, else the broker time. */
static int64_t
again_at(const struct bticket *t, const char *id, int64_t now)
{
	for (int i = 0; i < BROKER_TELL_RECENT; i++)
		if (t->told[i].at > 0 && strcmp(t->told[i].tpl, id) == 0 &&
		    now - t->told[i].at < BROKER_TELL_AGAIN_MS)
			return t->told[i].at + BROKER_TELL_AGAIN_MS;
	return 0;
}

static void
remember(struct bticket *t, const char *id, int64_t now)
{
	int oldest = 0;

	for (int i = 1; i < BROKER_TELL_RECENT; i++)
		if (t->told[i].at < t->told[oldest].at)
			oldest = i;
	t->told[oldest].at = now;
	rd_strlcpy(t->told[oldest].tpl, id, sizeof t->told[oldest].tpl);
}

/* Log how j ended: told, or tell_failed with status ("exit 3", "signal 9", "spawn"). */
static void
ended(struct broker *b, const struct btell_job *j, bool ok, const char *status)
{
	struct bticket *t = broker_ticket(b, j->ticket);
	struct broker_why w;
	char detail[96];

	if (t == NULL)
		return;
	broker_why_init(&w, ok ? "told" : "tell_failed");
	BWHY_STR(&w, template, j->tpl);
	if (ok) {
		snprintf(detail, sizeof detail, "the gateway sent message %s", j->tpl);
	} else {
		BWHY_STR(&w, status, status);
		snprintf(detail, sizeof detail, "the gateway failed to send message %s (%s)",
		    j->tpl, status);
	}
	broker_emit_ticket_why(b, t, ok ? EVENT_TOLD : EVENT_TELL_FAILED, TELL_USER_BROKER, detail,
	    &w);
}

/* Log the message text of template tp rendered for t, publish it and queue it for the
 * gateway's command. */
static void
tell(struct broker *b, struct bticket *t, const struct tell_template *tp, enum tell_lang l,
    const char *text, const char *user, int64_t now)
{
	char detail[TELL_TEXT_MAX + 64], shown[TELL_TEXT_MAX + 1], name[sizeof t->w.customer];
	struct broker_why w;
	struct proto_message m = { 0 };
	struct tell_facts f;
	enum tell_param missing;

	/* what leaves the broker, the history (ticket.get) and the topic "message", has the
	 * customer's name masked as tickets carry it (PROTOCOL.md 8.1); only the gateway's
	 * command gets the text itself, with the raw phone, to tell the customer */
	facts_of(b, t, now, &f);
	ticket_mask_name(t->w.customer, name, sizeof name);
	f.customer = name;
	if (tell_render(tp, l, &f, shown, &missing) != TELL_OK)
		shown[0] = '\0';
	broker_why_init(&w, "tell");
	BWHY_STR(&w, template, tp->id);
	BWHY_STR(&w, lang, tell_lang_name(l));
	BWHY_STR(&w, text, shown);
	snprintf(detail, sizeof detail, "told the customer (%s, %s): %s", tp->id,
	    tell_lang_name(l), shown);
	broker_emit_ticket_why(b, t, EVENT_TELL, user, detail, &w);
	remember(t, tp->id, now);

	m.ticket = t->w.id;
	PROTO_STRSET(m.lang, tell_lang_name(l));
	PROTO_STRSET(m.template, tp->id);
	PROTO_STRSET(m.text, shown);
	broker_publish_message(b, &m);

	if (b->opts.tell_command == NULL || b->opts.tell_command[0] == '\0')
		return;
	struct btell_job **pp = &b->tell_jobs;
	size_t queued = 0;
	while (*pp != NULL) {
		pp = &(*pp)->next;
		queued++;
	}
	if (queued >= TELL_QUEUE_MAX) {	/* a hung gateway: say so, never grow without end */
		struct btell_job full = { .ticket = t->w.id };
		rd_strlcpy(full.tpl, tp->id, sizeof full.tpl);
		ended(b, &full, false, "queue");
		return;
	}
	struct btell_job *j = xcalloc(1, sizeof *j);
	j->ticket = t->w.id;
	rd_strlcpy(j->tpl, tp->id, sizeof j->tpl);
	rd_strlcpy(j->lang, tell_lang_name(l), sizeof j->lang);
	rd_strlcpy(j->phone, t->w.phone, sizeof j->phone);
	rd_strlcpy(j->text, text, sizeof j->text);
	j->queued = rd_mono_ms();
	*pp = j;
}

int
broker_op_tell(struct broker *b, const struct peer *p, const struct proto_request *req,
    struct proto_buf *out)
{
	const struct proto_ticket_tell *a = &req->args.ticket_tell;
	struct bticket *t = broker_ticket(b, a->id);
	struct proto_error_params e;
	const struct tell_template *tp;
	struct tell_facts f;
	char text[TELL_TEXT_MAX + 1];
	enum tell_param missing = TELL_P_COUNT;
	int64_t now = broker_now(b), at;
	int l;

	(void)p;
	if (t == NULL)
		return broker_reply_error(out, req, PROTO_E_NOT_FOUND, "no ticket %" PRId64, a->id);
	if (ticket_state_final(t->state)) {
		broker_err_init(&e, "ticket_closed");
		BERR_INT(&e, ticket, t->w.id);
		BERR_STR(&e, state, ticket_state_name(t->state));
		return broker_reply_error_why(out, req, PROTO_E_INVALID_STATE, NULL, &e,
		    "ticket %" PRId64 " is %s: its customer is no longer told", t->w.id,
		    ticket_state_name(t->state));
	}
	if (b->tell == NULL) {
		broker_err_init(&e, "no_templates");
		return broker_reply_error_why(out, req, PROTO_E_UNAVAILABLE, NULL, &e,
		    "this broker has no message templates (tell.ini)");
	}
	if ((tp = tell_find(b->tell, a->template)) == NULL) {
		broker_err_init(&e, "unknown_template");
		BERR_STR(&e, template, a->template);
		return broker_reply_error_why(out, req, PROTO_E_NOT_FOUND, "template", &e,
		    "no message template '%.16s'", a->template);
	}
	if ((at = again_at(t, tp->id, now)) > 0) {
		broker_err_init(&e, "too_soon");
		BERR_STR(&e, template, tp->id);
		BERR_INT(&e, at, at);
		return broker_reply_error_why(out, req, PROTO_E_INVALID_STATE, "template", &e,
		    "the customer was told '%s' less than %d s ago", tp->id,
		    BROKER_TELL_AGAIN_MS / 1000);
	}
	if ((l = tell_lang_parse(t->w.lang)) < 0)
		l = TELL_LANG_ZH;
	facts_of(b, t, now, &f);
	if (tell_render(tp, (enum tell_lang)l, &f, text, &missing) != TELL_OK) {
		broker_err_init(&e, "missing_param");
		BERR_STR(&e, template, tp->id);
		BERR_STR(&e, name, tell_param_name(missing));
		return broker_reply_error_why(out, req, PROTO_E_INVALID_STATE, "template", &e,
		    "ticket %" PRId64 " has no %s for message '%s' yet", t->w.id,
		    tell_param_name(missing), tp->id);
	}
	tell(b, t, tp, (enum tell_lang)l, text, req->user, now);
	broker_reply_ticket(out, req, t);
	return 0;
}

void
broker_tell_slip(struct broker *b, struct bticket *t, enum warn_kind k, enum warn_level level)
{
	const struct tell_template *tp;
	struct tell_facts f;
	char text[TELL_TEXT_MAX + 1];
	enum tell_param missing;
	int64_t now = broker_now(b);
	int l;

	if (level != WARN_LEVEL_RED || (k != WARN_ETA_LATE && k != WARN_OVERDUE))
		return;
	if (t->region == NULL || !t->region->tell_on_slip || b->tell == NULL ||
	    ticket_state_final(t->state))
		return;
	/* one slip, one message: once for each promise, however the ETA flaps around it */
	if (t->slip_told == t->w.promised)
		return;
	if ((tp = tell_find(b->tell, TELL_DELAY)) == NULL || again_at(t, tp->id, now) > 0)
		return;
	if ((l = tell_lang_parse(t->w.lang)) < 0)
		l = TELL_LANG_ZH;
	facts_of(b, t, now, &f);
	if (tell_render(tp, (enum tell_lang)l, &f, text, &missing) != TELL_OK) {
		log_info("ticket %" PRId64 ": the delay message lacks %s; not told", t->w.id,
		    tell_param_name(missing));
		return;
	}
	t->slip_told = t->w.promised;
	tell(b, t, tp, (enum tell_lang)l, text, TELL_USER_BROKER, now);
}

/* ---- the gateway's command ---- */

static void
start(struct broker *b, struct btell_job *j)
{
	char sh[] = "sh", dash_c[] = "-c";
	char *argv[] = { sh, dash_c, (char *)(uintptr_t)b->opts.tell_command, NULL };
	char *vars[5];
	size_t n = 0;
	posix_spawn_file_actions_t fa;

	while (environ[n] != NULL)
		n++;
	char **envp = xcalloc(n + ARRAY_LEN(vars) + 1, sizeof *envp);
	size_t m = 0;
	for (size_t i = 0; i < n; i++)
		if (strncmp(environ[i], "RD_TELL_", 8) != 0)
			envp[m++] = environ[i];
	xasprintf(&vars[0], "RD_TELL_PHONE=%s", j->phone);
	xasprintf(&vars[1], "RD_TELL_TEXT=%s", j->text);
	xasprintf(&vars[2], "RD_TELL_TICKET=%" PRId64, j->ticket);
	xasprintf(&vars[3], "RD_TELL_TEMPLATE=%s", j->tpl);
	xasprintf(&vars[4], "RD_TELL_LANG=%s", j->lang);
	for (size_t i = 0; i < ARRAY_LEN(vars); i++)
		envp[m++] = vars[i];
	envp[m] = NULL;

	/* its own process group, so a kill reaches what the shell started too */
	posix_spawnattr_t at;
	posix_spawnattr_init(&at);
	posix_spawnattr_setflags(&at, POSIX_SPAWN_SETPGROUP);
	posix_spawnattr_setpgroup(&at, 0);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	int r = posix_spawn(&j->pid, "/bin/sh", &fa, &at, argv, envp);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&at);
	if (r != 0) {
		j->pid = 0;
		j->spawn_err = r;
		log_error("tell command: %s", strerror(r));
	} else {
		j->started = rd_mono_ms();
		b->n_tell_running++;
	}
	for (size_t i = 0; i < ARRAY_LEN(vars); i++)
		free(vars[i]);
	free(envp);
}

void
broker_tell_flush(struct broker *b)
{
	if (b->fatal)
		return;
	for (struct btell_job *j = b->tell_jobs; j != NULL; j = j->next) {
		if (b->n_tell_running >= TELL_RUNNING_MAX)
			break;
		if (j->pid == 0 && j->spawn_err == 0)
			start(b, j);
	}
}

void
broker_tell_reap(struct broker *b)
{
	struct btell_job **pp = &b->tell_jobs, *j;
	char status[16];

	while ((j = *pp) != NULL) {
		int ws = 0;
		pid_t r = 0;

		if (j->spawn_err != 0) {
			ended(b, j, false, "spawn");
		} else if (j->pid == 0 && rd_mono_ms() - j->queued > TELL_WAIT_MAX_MS) {
			ended(b, j, false, "late");	/* stale words: never send them now */
		} else if (j->pid == 0 || (r = waitpid(j->pid, &ws, WNOHANG)) == 0 ||
		    (r < 0 && errno == EINTR)) {
			if (j->pid != 0 && !j->killed &&
			    rd_mono_ms() - j->started > TELL_COMMAND_MAX_MS) {
				log_error("tell command for ticket %" PRId64 " still runs after %d s: "
				    "killed", j->ticket, TELL_COMMAND_MAX_MS / 1000);
				kill(-j->pid, SIGKILL);	/* the group: sh and what it ran */
				j->killed = true;
			}
			pp = &j->next;
			continue;
		} else {
			b->n_tell_running--;
			if (r < 0)
				snprintf(status, sizeof status, "lost");
			else if (WIFEXITED(ws))
				snprintf(status, sizeof status, "exit %d", WEXITSTATUS(ws));
			else
				snprintf(status, sizeof status, "signal %d",
				    WIFSIGNALED(ws) ? WTERMSIG(ws) : 0);
			ended(b, j, r > 0 && WIFEXITED(ws) && WEXITSTATUS(ws) == 0, status);
		}
		*pp = j->next;
		free(j);
	}
}
