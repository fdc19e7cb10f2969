/* call.c: calling the customer through the virtual number (see call.h). */
#include "call.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "i18n.h"
#include "present.h"
#include "ticket.h"
#include "util.h"
#include "view.h"
#include "vnum.h"

static char *dial_command; /* the console's setting: one a process */

void
call_set_command(const char *cmd)
{
	free(dial_command);
	dial_command = cmd != NULL && cmd[0] != '\0' ? xstrdup(cmd) : NULL;
}

const char *
call_command(void)
{
	return dial_command;
}

char *
call_expand(const char *cmd, const char *number)
{
	size_t n = strlen(cmd), nl = strlen(number), len = 0;
	char *out = xcalloc(1, n * (nl + 1) + 1); /* every "%n" may grow to the number */

	for (size_t i = 0; i < n; i++) {
		if (cmd[i] == '%' && cmd[i + 1] == 'n') {
			memcpy(out + len, number, nl);
			len += nl;
			i++;
		} else if (cmd[i] == '%' && cmd[i + 1] == '%') {
			out[len++] = '%';
			i++;
		} else {
			out[len++] = cmd[i];
		}
	}
	out[len] = '\0';
	return out;
}

int
call_dial(const char *cmd, const char *number, char **cause)
{
	if (!vnum_valid(number)) {
		xasprintf(cause, "not a virtual number: %s", number);
		return -1;
	}
	char *line = call_expand(cmd, number);
	/* twice: the child exits at once and is reaped here, the grandchild runs the command
	 * and is init's to reap, so the console neither waits for it nor leaves a zombie */
	pid_t pid = fork();
	if (pid < 0) {
		xasprintf(cause, "fork: %s", strerror(errno));
		free(line);
		return -1;
	}
	if (pid == 0) {
		pid_t g = fork();
		if (g != 0)
			_exit(g < 0 ? 1 : 0);	/* 1: the command could not be started */
		setsid();
		int fd = open("/dev/null", O_RDWR);
		if (fd >= 0) {
			dup2(fd, 0);
			dup2(fd, 1);
			dup2(fd, 2);
			if (fd > 2)
				close(fd);
		}
		setenv("RESCUEDESK_NUMBER", number, 1);
		execl("/bin/sh", "sh", "-c", line, (char *)NULL);
		_exit(127);
	}
	free(line);
	int status = 0;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		xasprintf(cause, "the dial command could not be started");
		return -1;
	}
	return 0;
}

void
call_phone_text(const struct proto_ticket *t, char *out, size_t outsz)
{
	char masked[32];

	ticket_mask_phone(t->phone, masked, sizeof masked);
	if (t->vnum[0] != '\0')
		snprintf(out, outsz, "%s  (%s)", t->vnum, masked);
	else
		snprintf(out, outsz, "%s", masked);
}

/* ticket.call answered: dial, or show the number to dial by hand. */
static void
on_call(struct model *m, void *ctx, const struct proto_reply *r, const struct proto_error *err)
{
	char why[256], *cause = NULL;

	(void)ctx;
	if (r == NULL) {
		present_error(err, why, sizeof why);
		model_message(m, true, "%s: %s", i18n_tr("call.failed"), why);
		return;
	}
	if (!r->ok) {
		present_error_data(&r->error, m->data, why, sizeof why);
		model_message(m, true, "%s: %s", i18n_tr("call.failed"), why);
		return;
	}
	const char *n = r->ticket.vnum;
	if (dial_command == NULL) {
		model_message(m, false, "%s #%lld: %s", i18n_tr("call.by_hand"),
		    (long long)r->ticket.id, n);
	} else if (call_dial(dial_command, n, &cause) < 0) {
		model_message(m, true, "%s %s: %s", i18n_tr("call.dial_failed"), n, cause);
		free(cause);
	} else {
		model_message(m, false, "%s #%lld: %s", i18n_tr("call.dialling"),
		    (long long)r->ticket.id, n);
	}
}

unsigned
call_customer(struct model *m, int64_t id)
{
	const struct proto_ticket *t = model_ticket(m, id);
	struct proto_ticket_call a = { .id = id, .present = PROTO_ALL };
	struct model_request rq = { .op = PROTO_MSG_ticket_call, .args = &a, .on_reply = on_call };

	if (t == NULL)
		return UI_HANDLED;
	if (t->vnum[0] == '\0') {
		model_message(m, true, "%s #%lld", i18n_tr("call.none"), (long long)id);
		return UI_HANDLED | UI_REDRAW;
	}
	/* not a kept command: a call is now or never, so an answer that never comes is an
	 * error on the message line, not a retry minutes later */
	(void)model_request(m, &rq, NULL);
	return UI_HANDLED | UI_REDRAW;
}
