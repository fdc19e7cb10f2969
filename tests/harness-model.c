/* harness-model.c: a model over fixed tables and a recording app (harness-model.h). */
#include "harness-model.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness-screen.h"
#include "i18n.h"
#include "text.h"
#include "ticket.h"
#include "util.h"

struct harness_rec harness_rec;

struct proto_ticket *harness_tickets;
struct proto_truck *harness_trucks;
struct proto_warning *harness_warnings;

static const struct proto_ticket **tp;
static const struct proto_truck **kp;
static const struct proto_warning **wp;

static int
rec_send(struct model *m, enum proto_msg_id op, const void *args,
    char cmd_id[PROTO_CMD_ID_MAX + 1])
{
	struct harness_rec *r = &harness_rec;
	bool query = op == PROTO_MSG_ticket_get || op == PROTO_MSG_dispatch_candidates ||
	    op == PROTO_MSG_stats_kpi || op == PROTO_MSG_ticket_track ||
	    op == PROTO_MSG_stats_board;

	(void)m;
	/* every attempt is recorded, also one that fails */
	snprintf(cmd_id, PROTO_CMD_ID_MAX + 1, "c%d", ++r->sent);
	switch (op) {
	case PROTO_MSG_intake_create:
		r->intake++;
		r->intake_args = *(const struct proto_intake_create *)args;
		break;
	case PROTO_MSG_ticket_edit:
		r->edit++;
		r->edit_args = *(const struct proto_ticket_edit *)args;
		r->id = r->edit_args.id;
		break;
	case PROTO_MSG_ticket_callback: {
		const struct proto_ticket_callback *a = args;
		r->callback++;
		r->id = a->id;
		rd_strlcpy(r->text, a->note, sizeof r->text);
		break;
	}
	case PROTO_MSG_ticket_tell: {	/* the template in text */
		const struct proto_ticket_tell *a = args;
		r->id = a->id;
		rd_strlcpy(r->text, a->template, sizeof r->text);
		break;
	}
	case PROTO_MSG_ticket_note: {
		const struct proto_ticket_note *a = args;
		r->note++;
		r->id = a->id;
		rd_strlcpy(r->text, a->text, sizeof r->text);
		break;
	}
	case PROTO_MSG_ticket_set_state: {
		const struct proto_ticket_set_state *a = args;
		r->set_state++;
		r->id = a->id;
		rd_strlcpy(r->state, a->state, sizeof r->state);
		rd_strlcpy(r->text, a->reason, sizeof r->text);
		break;
	}
	case PROTO_MSG_ticket_cancel: {
		const struct proto_ticket_cancel *a = args;
		r->cancel++;
		r->id = a->id;
		rd_strlcpy(r->text, a->reason, sizeof r->text);
		break;
	}
	case PROTO_MSG_ticket_assign: {
		const struct proto_ticket_assign *a = args;
		r->assign++;
		r->id = a->id;
		rd_strlcpy(r->text, a->truck, sizeof r->text);
		break;
	}
	case PROTO_MSG_ticket_get:
		r->fetch++;
		r->id = ((const struct proto_ticket_get *)args)->id;
		rd_strlcpy(r->hist_cmd, cmd_id, sizeof r->hist_cmd);
		break;
	case PROTO_MSG_dispatch_candidates: {
		const struct proto_dispatch_candidates *a = args;
		r->cands++;
		r->cands_k = (int)a->k;
		r->id = a->id;
		rd_strlcpy(r->cands_cmd, cmd_id, sizeof r->cands_cmd);
		break;
	}
	case PROTO_MSG_diag_start:
		r->id = ((const struct proto_diag_start *)args)->id;
		r->diag_node[0] = '\0';
		goto diag;
	case PROTO_MSG_diag_answer: {
		const struct proto_diag_answer *a = args;
		r->id = a->id;
		r->diag_answer = (int)a->answer;
		rd_strlcpy(r->diag_node, a->node, sizeof r->diag_node);
		goto diag;
	}
	case PROTO_MSG_diag_back:
		r->id = ((const struct proto_diag_back *)args)->id;
		rd_strlcpy(r->diag_node, ((const struct proto_diag_back *)args)->node,
		    sizeof r->diag_node);
		goto diag;
	case PROTO_MSG_diag_safety:
		r->id = ((const struct proto_diag_safety *)args)->id;
		rd_strlcpy(r->text, ((const struct proto_diag_safety *)args)->stop, sizeof r->text);
		goto diag;
	case PROTO_MSG_diag_abort:
		r->id = ((const struct proto_diag_abort *)args)->id;
		rd_strlcpy(r->text, ((const struct proto_diag_abort *)args)->reason, sizeof r->text);
		goto diag;
	case PROTO_MSG_diag_dispatch_now:
		r->id = ((const struct proto_diag_dispatch_now *)args)->id;
	diag:
		r->diag++;
		r->diag_op = op;
		break;
	case PROTO_MSG_survey_done:
		r->survey_done++;
		r->id = ((const struct proto_survey_done *)args)->ticket;
		break;
	case PROTO_MSG_stats_kpi:
		r->kpi++;
		rd_strlcpy(r->kpi_cmd, cmd_id, sizeof r->kpi_cmd);
		break;
	case PROTO_MSG_stats_board:
		r->board++;
		rd_strlcpy(r->board_cmd, cmd_id, sizeof r->board_cmd);
		break;
	case PROTO_MSG_ticket_contact: {
		const struct proto_ticket_contact *a = args;
		r->contact++;
		r->contact_id = a->id;
		rd_strlcpy(r->contact_reason, PROTO_HAS(a, ticket_contact, reason) ? a->reason :
		    "", sizeof r->contact_reason);
		rd_strlcpy(r->contact_cmd, cmd_id, sizeof r->contact_cmd);
		break;
	}
	case PROTO_MSG_ticket_track:
		r->track++;
		r->track_id = ((const struct proto_ticket_track *)args)->id;
		rd_strlcpy(r->track_cmd, cmd_id, sizeof r->track_cmd);
		break;
	default:
		break;
	}
	if ((query ? r->rc_query : r->rc) != 0) {
		if (op == PROTO_MSG_ticket_get)
			r->hist_cmd[0] = '\0';
		if (op == PROTO_MSG_dispatch_candidates)
			r->cands_cmd[0] = '\0';
		return -1;
	}
	rd_strlcpy(r->last_cmd, cmd_id, sizeof r->last_cmd);
	return 0;
}

static void
rec_cancel(struct model *m, const char *cmd_id)
{
	(void)m;
	(void)cmd_id;
	harness_rec.cancelled++;
}

const struct model_ops harness_model_ops = {
	.send = rec_send,
	.cancel = rec_cancel,
};

const char *
harness_srcdir(void)
{
	const char *dir = getenv("RD_SRCDIR");

	return dir != NULL && dir[0] != '\0' ? dir : ".";
}

void
harness_lang(const char *lang)
{
	char datadir[4200], *cause = NULL;

	snprintf(datadir, sizeof datadir, "%s/data", harness_srcdir());
	ck_assert_msg(i18n_load(datadir, lang, &cause) == 0, "%s", cause);
}

void
harness_model_init(struct model *m, const struct harness_fixture *f)
{
	size_t i;

	memset(&harness_rec, 0, sizeof harness_rec);
	for (i = 0; f->data != NULL && i < FAULT_COUNT; i++)
		f->data->faults[i].kinds = ticket_fault_kinds((enum ticket_fault)i);
	harness_tickets = xcalloc(f->n_tickets + 1, sizeof *harness_tickets);
	harness_trucks = xcalloc(f->n_trucks + 1, sizeof *harness_trucks);
	harness_warnings = xcalloc(f->n_warnings + 1, sizeof *harness_warnings);
	if (f->n_tickets > 0)	/* an empty fixture may give NULL */
		memcpy(harness_tickets, f->tickets, f->n_tickets * sizeof *harness_tickets);
	if (f->n_trucks > 0)	/* an empty fixture may give NULL */
		memcpy(harness_trucks, f->trucks, f->n_trucks * sizeof *harness_trucks);
	if (f->n_warnings > 0)	/* an empty fixture may give NULL */
		memcpy(harness_warnings, f->warnings, f->n_warnings * sizeof *harness_warnings);
	tp = xcalloc(f->n_tickets + 1, sizeof *tp);
	kp = xcalloc(f->n_trucks + 1, sizeof *kp);
	wp = xcalloc(f->n_warnings + 1, sizeof *wp);
	for (i = 0; i < f->n_tickets; i++)
		tp[i] = &harness_tickets[i];
	for (i = 0; i < f->n_trucks; i++)
		kp[i] = &harness_trucks[i];
	for (i = 0; i < f->n_warnings; i++) {
		harness_warnings[i].present = PROTO_ALL;
		wp[i] = &harness_warnings[i];
	}
	model_init(m);
	m->tickets = tp;
	m->n_tickets = f->n_tickets;
	m->trucks = kp;
	m->n_trucks = f->n_trucks;
	m->warnings = wp;
	m->n_warnings = f->n_warnings;
	m->data = f->data;
	m->flows = f->flows;
	m->conn = MODEL_LIVE;
	m->hb_age_ms = 1200;
	rd_strlcpy(m->user, f->user, sizeof m->user);
	m->role = f->role;
	m->ops = &harness_model_ops;
	model_refresh(m, f->now);
}

void
harness_model_finish(struct model *m)
{
	model_finish(m);
	free(tp);
	free(kp);
	free(wp);
	free(harness_tickets);
	free(harness_trucks);
	free(harness_warnings);
	tp = NULL;
	kp = NULL;
	wp = NULL;
	harness_tickets = NULL;
	harness_trucks = NULL;
	harness_warnings = NULL;
}

/* Replies are large (a ticket, arrays): one, cleared for each answer. */
static struct proto_reply reply;

static struct proto_reply *
reply_for(const char *cmd_id, enum proto_msg_id op)
{
	memset(&reply, 0, sizeof reply);
	rd_strlcpy(reply.cmd_id, cmd_id, sizeof reply.cmd_id);
	rd_strlcpy(reply.op, proto_descs[op].wire, sizeof reply.op);
	reply.op_id = (int)op;
	reply.ok = true;
	return &reply;
}

void
harness_answer_history(struct model *m, int64_t ver, const struct proto_event *ev, size_t n)
{
	struct proto_reply *r;

	ck_assert_msg(harness_rec.hist_cmd[0] != '\0', "no ticket.get to answer");
	r = reply_for(harness_rec.hist_cmd, PROTO_MSG_ticket_get);
	r->ticket.id = harness_rec.id;
	r->ticket.ver = ver;
	r->events = (struct proto_event *)ev;
	r->n_events = n;
	model_reply(m, harness_rec.hist_cmd, r, NULL);
	harness_rec.hist_cmd[0] = '\0';
}

void
harness_answer_contact(struct model *m, const char *customer, const char *phone, bool erased)
{
	struct proto_reply *r;

	ck_assert_msg(harness_rec.contact_cmd[0] != '\0', "no ticket.contact to answer");
	r = reply_for(harness_rec.contact_cmd, PROTO_MSG_ticket_contact);
	r->contact = (struct proto_contact_result){ .id = harness_rec.contact_id,
		.erased = erased, .present = PROTO_ALL };
	PROTO_STRSET(r->contact.customer, customer);
	PROTO_STRSET(r->contact.phone, phone);
	model_reply(m, harness_rec.contact_cmd, r, NULL);
	harness_rec.contact_cmd[0] = '\0';
}

void
harness_answer_cands(struct model *m, const struct proto_candidate *c, size_t n)
{
	struct proto_reply *r;

	ck_assert_msg(harness_rec.cands_cmd[0] != '\0', "no dispatch.candidates to answer");
	r = reply_for(harness_rec.cands_cmd, PROTO_MSG_dispatch_candidates);
	r->candidates = (struct proto_candidate *)c;
	r->n_candidates = n;
	model_reply(m, harness_rec.cands_cmd, r, NULL);
	harness_rec.cands_cmd[0] = '\0';
}

void
harness_answer_kpi(struct model *m, const struct proto_kpi *k)
{
	struct proto_reply *r;

	ck_assert_msg(harness_rec.kpi_cmd[0] != '\0', "no stats.kpi to answer");
	r = reply_for(harness_rec.kpi_cmd, PROTO_MSG_stats_kpi);
	r->kpi = *k;
	model_reply(m, harness_rec.kpi_cmd, r, NULL);
	harness_rec.kpi_cmd[0] = '\0';
}

void
harness_answer_board(struct model *m, const struct proto_reply *b)
{
	struct proto_reply *r;

	ck_assert_msg(harness_rec.board_cmd[0] != '\0', "no stats.board to answer");
	r = reply_for(harness_rec.board_cmd, PROTO_MSG_stats_board);
	r->board = b->board;
	r->board_suppliers = b->board_suppliers;
	r->n_board_suppliers = b->n_board_suppliers;
	r->board_agents = b->board_agents;
	r->n_board_agents = b->n_board_agents;
	r->board_hours = b->board_hours;
	r->n_board_hours = b->n_board_hours;
	model_reply(m, harness_rec.board_cmd, r, NULL);
	memset(r, 0, sizeof *r);	/* the arrays were borrowed */
	harness_rec.board_cmd[0] = '\0';
}

void
harness_answer_track(struct model *m, const char *truck, const struct proto_track_fix *f,
    size_t n)
{
	struct proto_reply *r;
	char id[PROTO_CMD_ID_MAX + 1];

	ck_assert_msg(harness_rec.track_cmd[0] != '\0', "no ticket.track to answer");
	rd_strlcpy(id, harness_rec.track_cmd, sizeof id);
	harness_rec.track_cmd[0] = '\0';
	r = reply_for(id, PROTO_MSG_ticket_track);
	r->ticket.id = harness_rec.track_id;
	PROTO_STRSET(r->track.truck, truck);
	r->track.total = (int64_t)n;
	r->fixes = (struct proto_track_fix *)f;
	r->n_fixes = n;
	model_reply(m, id, r, NULL);
}

void
harness_answer_ok(struct model *m, const char *cmd_id)
{
	char id[PROTO_CMD_ID_MAX + 1];

	rd_strlcpy(id, cmd_id, sizeof id);
	model_reply(m, id, reply_for(id, PROTO_MSG_hello), NULL);
}

void
harness_answer_error(struct model *m, const char *cmd_id, enum proto_err code,
    const char *message)
{
	char id[PROTO_CMD_ID_MAX + 1];
	struct proto_reply *r;

	rd_strlcpy(id, cmd_id, sizeof id);	/* cmd_id may be one of harness_rec's */
	r = reply_for(id, PROTO_MSG_hello);
	r->op_id = -1;
	r->ok = false;
	r->error.code = code;
	rd_strlcpy(r->error.message, message, sizeof r->error.message);
	model_reply(m, id, r, NULL);
}

void
harness_answer_none(struct model *m, const char *cmd_id, const char *why)
{
	char id[PROTO_CMD_ID_MAX + 1];
	struct proto_error err = { .code = PROTO_E_UNAVAILABLE };

	rd_strlcpy(id, cmd_id, sizeof id);
	rd_strlcpy(err.message, why, sizeof err.message);
	model_reply(m, id, NULL, &err);
}

/* ---- driving a view ---- */

static struct {
	struct model *m;
	struct vscreen **vs;
	struct view **v;
	const char *prog;
} bound;

void
harness_bind(struct model *m, struct vscreen **vs, struct view **v, const char *prog)
{
	bound.m = m;
	bound.vs = vs;
	bound.v = v;
	bound.prog = prog;
}

static unsigned
send_key(const struct key *k)
{
	struct view *v = *bound.v;

	return view_key(v, bound.m, k, keymap_lookup(v->scope, k));
}

unsigned
harness_press(int code)
{
	struct key k = { code, false };

	return send_key(&k);
}

unsigned
harness_press_sym(enum keymap_sym sym)
{
	struct key k = { (int)sym, true };

	return send_key(&k);
}

void
harness_type(const char *utf8)
{
	size_t len = strlen(utf8), pos = 0;
	wchar_t wc;

	while (pos < len) {
		pos += text_decode(utf8 + pos, len - pos, &wc);
		harness_press((int)wc);
	}
}

void
harness_draw(int cols, int rows)
{
	vscreen_resize(*bound.vs, cols, rows);
	view_draw(*bound.v, bound.m, *bound.vs, NULL);
}

void
harness_check_golden(const char *name)
{
	char path[4300];

	snprintf(path, sizeof path, "%s/tests/golden/%s.screen", harness_srcdir(), name);
	harness_screen_golden(*bound.vs, path, bound.prog);
}

void
harness_golden(const char *name, int cols, int rows, const char *lang)
{
	char full[128];
	bool zh = strcmp(lang, "zh_CN") == 0;

	harness_lang(lang);
	harness_draw(cols, rows);
	snprintf(full, sizeof full, "%s-%dx%d%s", name, cols, rows, zh ? "-zh" : "");
	harness_check_golden(full);
}

const char *
harness_row(int y)
{
	static char buf[2048];
	char *d = vscreen_dump(*bound.vs), *p = d, *nl;

	while (y-- > 0 && p != NULL && (p = strchr(p, '\n')) != NULL)
		p++;
	ck_assert_ptr_nonnull(p);
	nl = strchr(p, '\n');
	*nl = '\0';
	rd_strlcpy(buf, p, sizeof buf);
	free(d);
	return buf;
}

bool
harness_screen_has(const char *s)
{
	char *d = vscreen_dump(*bound.vs);
	bool found = strstr(d, s) != NULL;

	free(d);
	return found;
}

int
harness_find_row(const char *s)
{
	int y;

	for (y = 0; y < vscreen_rows(*bound.vs); y++) {
		if (strstr(harness_row(y), s) != NULL)
			return y;
	}
	return -1;
}

enum theme_role
harness_role_at(int y, const char *s)
{
	const char *r = harness_row(y), *p = strstr(r, s);
	char *head;
	int x;

	ck_assert_ptr_nonnull(p);
	head = xstrndup(r, (size_t)(p - r));
	x = text_width(head);
	free(head);
	return (enum theme_role)vscreen_cell(*bound.vs, x, y)->role;
}

void
harness_assert_safe(void)
{
	const struct vscreen *vs = *bound.vs;
	const struct vscreen_cell *c;
	int x, y, i;

	for (y = 0; y < vscreen_rows(vs); y++) {
		for (x = 0; x < vscreen_cols(vs); x++) {
			c = vscreen_cell(vs, x, y);
			for (i = 0; i < VSCREEN_CCHAR_MAX; i++)
				ck_assert_msg(c->ch[i] == 0 || (c->ch[i] >= 0x20 && c->ch[i] != 0x7f &&
				    (c->ch[i] < 0x80 || c->ch[i] >= 0xa0)), "control at %d,%d", x, y);
		}
	}
}
