/* view-complaint.c: one complaint on the form engine (see view-complaint.h): the field
 * table, the record behind it, save, the actions of the state machine, the clocks and the
 * draft.
 *
 * The record (struct complaint) is what is saved; the form holds what is typed. Every
 * text edit is copied into the record at once (complaint_field_set: a value that does not
 * parse stays in the form with its error, the record keeps its last good value), choices
 * and boxes set the record directly, and the record is encoded and written as the draft
 * whenever that changed what it holds. Errors are the model's (complaint_field_check),
 * words from the catalogs.
 *
 * Approvals (issue 11): the approver fields are the form's, not typed: an extension is
 * signed with the console's user when a supervisor applies it, a goodwill payment with
 * the user and role whenever its amount changes; what the console's role may not approve
 * (complaint_may_change against the last saved version: an extension, a payment past the
 * agent's limit) is said beside the field before it is saved, and a refusal of the broker
 * stays beside the field it names. A complaint of the central copy is opened raw through
 * complaint.get (the stream's copy is masked). */
#include "view-complaint.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chrome.h"
#include "complaint-db.h"
#include "complaint-store.h"
#include "complaint-sync.h"
#include "complaint.h"
#include "data.h"
#include "form.h"
#include "i18n.h"
#include "keymap.h"
#include "menu.h"
#include "model.h"
#include "present.h"
#include "proto.h"
#include "text.h"
#include "theme.h"
#include "ticket.h"
#include "util.h"

enum field {
	/* complainant */
	F_RECEIVED, F_CHANNEL, F_SOURCE_REF, F_PARTY, F_NAME, F_PHONE, F_ADDRESS, F_ACTING,
	F_AGENT_NAME, F_AGENT_PHONE, F_AGENT_PROOF, F_GROUP, F_REPS,
	/* subject */
	F_POLICY, F_PLATE, F_VIN, F_TICKET, F_SUPPLIER, F_UNIT, F_STAFF, F_TIMELINE,
	/* substance */
	F_REQUEST, F_FACTS, F_GROUNDS, F_AMOUNT, F_SIGNED,
	/* classification */
	F_BUSINESS, F_CAUSE, F_PRIORITY, F_COMPLEXITY,
	F_R0, F_R1, F_R2, F_R3, F_R4, F_R5, F_R6, F_R7,
	/* handling */
	F_STATE, F_HANDLER, F_CONFLICT, F_PAUSE, F_EXT_REASON, F_EXT_APPROVER, F_REJECT,
	F_MERGED, F_CONTACT,
	/* decision */
	F_OUTCOME, F_DEC_FACTS, F_DEC_BASIS, F_DEC_REMEDIES, F_NOTIFY, F_NOTIFY_PROOF,
	F_COMPENSATION, F_GOODWILL, F_GW_APPROVER, F_GW_ROLE,
	/* review and close */
	F_ACCEPTED, F_REVIEW_AT, F_REVIEW_RESULT, F_MED_ORG, F_MED_RESULT, F_MED_AMOUNT,
	F_SATISFACTION, F_ROOT, F_RECTIFY, F_RECORDINGS,
	F_COUNT
};

enum { P_WHO, P_SUBJECT, P_SUBSTANCE, P_CLASS, P_HANDLING, P_DECISION, P_AFTER, P_COUNT };
enum {
	S_RECEIPT, S_WHO, S_AGENT, S_SUBJECT, S_EVIDENCE, S_SUBSTANCE, S_CLASS, S_RIGHTS,
	S_HANDLING, S_DECISION, S_MONEY, S_REVIEW, S_MEDIATION, S_CLOSE, S_COUNT
};

#define LINE COMPLAINT_LINE_MAX
#define LONG COMPLAINT_TEXT_MAX
#define T(lbl, max, sec, req, pg) { lbl, FORM_TEXT, max, sec, req, 0, 0, FORM_PLAIN, pg, false }
#define A(lbl, rows, sec, req, pg) { lbl, FORM_TEXT, LONG, sec, req, 0, rows, FORM_PLAIN, pg, \
	false }
#define M(lbl, sec, pg) { lbl, FORM_TEXT, 16, sec, false, 0, 0, FORM_MONEY, pg, false }
#define C(lbl, sec, req, pg) { lbl, FORM_CHOICE, 0, sec, req, 0, 0, FORM_PLAIN, pg, false }
#define B(lbl, sec, pg) { lbl, FORM_CHECK, 0, sec, false, 0, 0, FORM_PLAIN, pg, false }
#define RO(lbl, max, rows, sec, pg) { lbl, FORM_TEXT, max, sec, false, 0, rows, FORM_PLAIN, \
	pg, true }

static const struct form_field defs[F_COUNT] = {
	[F_RECEIVED] = T("complaint.f.received_at", 19, S_RECEIPT, true, P_WHO),
	[F_CHANNEL] = C("complaint.f.channel", S_RECEIPT, true, P_WHO),
	[F_SOURCE_REF] = T("complaint.f.source_ref", LINE, S_RECEIPT, false, P_WHO),
	[F_PARTY] = C("complaint.f.party", S_WHO, true, P_WHO),
	[F_NAME] = T("complaint.f.name", LINE, S_WHO, true, P_WHO),
	[F_PHONE] = T("complaint.f.phone", 24, S_WHO, true, P_WHO),
	[F_ADDRESS] = T("complaint.f.address", LINE, S_WHO, false, P_WHO),
	[F_ACTING] = C("complaint.f.acting", S_WHO, false, P_WHO),
	[F_AGENT_NAME] = T("complaint.f.agent_name", LINE, S_AGENT, false, P_WHO),
	[F_AGENT_PHONE] = T("complaint.f.agent_phone", 24, S_AGENT, false, P_WHO),
	[F_AGENT_PROOF] = T("complaint.f.agent_proof", LINE, S_AGENT, false, P_WHO),
	[F_GROUP] = T("complaint.f.group_size", 6, S_AGENT, false, P_WHO),
	[F_REPS] = T("complaint.f.representatives", LINE, S_AGENT, false, P_WHO),
	[F_POLICY] = T("complaint.f.policy_no", 40, S_SUBJECT, false, P_SUBJECT),
	[F_PLATE] = T("complaint.f.plate", 16, S_SUBJECT, false, P_SUBJECT),
	[F_VIN] = T("complaint.f.vin", 17, S_SUBJECT, false, P_SUBJECT),
	[F_TICKET] = T("complaint.f.ticket_id", 16, S_SUBJECT, false, P_SUBJECT),
	[F_SUPPLIER] = C("complaint.f.supplier", S_SUBJECT, false, P_SUBJECT),
	[F_UNIT] = T("complaint.f.respondent_unit", LINE, S_SUBJECT, true, P_SUBJECT),
	[F_STAFF] = T("complaint.f.respondent_staff", LINE, S_SUBJECT, false, P_SUBJECT),
	[F_TIMELINE] = RO("complaint.f.ticket_timeline", COMPLAINT_TIMELINE_MAX, 6, S_EVIDENCE,
	    P_SUBJECT),
	[F_REQUEST] = A("complaint.f.request", 3, S_SUBSTANCE, true, P_SUBSTANCE),
	[F_FACTS] = A("complaint.f.facts", 5, S_SUBSTANCE, true, P_SUBSTANCE),
	[F_GROUNDS] = A("complaint.f.grounds", 3, S_SUBSTANCE, false, P_SUBSTANCE),
	[F_AMOUNT] = M("complaint.f.amount_claimed", S_SUBSTANCE, P_SUBSTANCE),
	[F_SIGNED] = B("complaint.f.written_signed", S_SUBSTANCE, P_SUBSTANCE),
	[F_BUSINESS] = C("complaint.f.business", S_CLASS, true, P_CLASS),
	[F_CAUSE] = C("complaint.f.cause", S_CLASS, true, P_CLASS),
	[F_PRIORITY] = C("complaint.f.priority", S_CLASS, false, P_CLASS),
	[F_COMPLEXITY] = C("complaint.f.complexity", S_CLASS, false, P_CLASS),
	[F_R0] = B("complaint.right.information", S_RIGHTS, P_CLASS),
	[F_R1] = B("complaint.right.choice", S_RIGHTS, P_CLASS),
	[F_R2] = B("complaint.right.fair_trade", S_RIGHTS, P_CLASS),
	[F_R3] = B("complaint.right.property", S_RIGHTS, P_CLASS),
	[F_R4] = B("complaint.right.redress", S_RIGHTS, P_CLASS),
	[F_R5] = B("complaint.right.education", S_RIGHTS, P_CLASS),
	[F_R6] = B("complaint.right.respect", S_RIGHTS, P_CLASS),
	[F_R7] = B("complaint.right.data_security", S_RIGHTS, P_CLASS),
	[F_STATE] = RO("complaint.f.state", 64, 0, S_HANDLING, P_HANDLING),
	[F_HANDLER] = T("complaint.f.handler", LINE, S_HANDLING, false, P_HANDLING),
	[F_CONFLICT] = B("complaint.f.conflict_checked", S_HANDLING, P_HANDLING),
	[F_PAUSE] = C("complaint.f.pause_reason", S_HANDLING, false, P_HANDLING),
	[F_EXT_REASON] = A("complaint.f.extension_reason", 2, S_HANDLING, false, P_HANDLING),
	[F_EXT_APPROVER] = RO("complaint.f.extension_approver", LINE, 0, S_HANDLING,
	    P_HANDLING),	/* signed by the form (approvals, below) */
	[F_REJECT] = A("complaint.f.reject_reason", 2, S_HANDLING, false, P_HANDLING),
	[F_MERGED] = T("complaint.f.merged_into", 32, S_HANDLING, false, P_HANDLING),
	[F_CONTACT] = T("complaint.f.last_contact_at", 19, S_HANDLING, false, P_HANDLING),
	[F_OUTCOME] = C("complaint.f.outcome", S_DECISION, false, P_DECISION),
	[F_DEC_FACTS] = A("complaint.f.decision_facts", 2, S_DECISION, false, P_DECISION),
	[F_DEC_BASIS] = A("complaint.f.decision_basis", 2, S_DECISION, false, P_DECISION),
	[F_DEC_REMEDIES] = A("complaint.f.decision_remedies", 2, S_DECISION, false, P_DECISION),
	[F_NOTIFY] = C("complaint.f.notify_method", S_DECISION, false, P_DECISION),
	[F_NOTIFY_PROOF] = T("complaint.f.notify_proof", LINE, S_DECISION, false, P_DECISION),
	[F_COMPENSATION] = M("complaint.f.compensation", S_MONEY, P_DECISION),
	[F_GOODWILL] = M("complaint.f.goodwill", S_MONEY, P_DECISION),
	[F_GW_APPROVER] = RO("complaint.f.goodwill_approver", LINE, 0, S_MONEY, P_DECISION),
	[F_GW_ROLE] = RO("complaint.f.goodwill_role", 32, 0, S_MONEY, P_DECISION),
	[F_ACCEPTED] = B("complaint.f.accepted", S_REVIEW, P_AFTER),
	[F_REVIEW_AT] = { "complaint.f.review_requested_at", FORM_TEXT, 10, S_REVIEW, false, 0,
	    0, FORM_DATE, P_AFTER, false },	/* the day of the written request */
	[F_REVIEW_RESULT] = C("complaint.f.review_result", S_REVIEW, false, P_AFTER),
	[F_MED_ORG] = C("complaint.f.mediation_org", S_MEDIATION, false, P_AFTER),
	[F_MED_RESULT] = C("complaint.f.mediation_result", S_MEDIATION, false, P_AFTER),
	[F_MED_AMOUNT] = M("complaint.f.mediation_amount", S_MEDIATION, P_AFTER),
	[F_SATISFACTION] = T("complaint.f.satisfaction", 2, S_CLOSE, false, P_AFTER),
	[F_ROOT] = A("complaint.f.root_cause", 2, S_CLOSE, false, P_AFTER),
	[F_RECTIFY] = A("complaint.f.rectification", 2, S_CLOSE, false, P_AFTER),
	[F_RECORDINGS] = T("complaint.f.recording_refs", LINE, S_CLOSE, false, P_AFTER),
};

/* The record's field behind each form field (the rights boxes: CF_rights, bit by row). */
static const enum complaint_field cf[F_COUNT] = {
	[F_RECEIVED] = CF_received_at, [F_CHANNEL] = CF_channel, [F_SOURCE_REF] = CF_source_ref,
	[F_PARTY] = CF_party, [F_NAME] = CF_name, [F_PHONE] = CF_phone,
	[F_ADDRESS] = CF_address, [F_ACTING] = CF_acting, [F_AGENT_NAME] = CF_agent_name,
	[F_AGENT_PHONE] = CF_agent_phone, [F_AGENT_PROOF] = CF_agent_proof,
	[F_GROUP] = CF_group_size, [F_REPS] = CF_representatives, [F_POLICY] = CF_policy_no,
	[F_PLATE] = CF_plate, [F_VIN] = CF_vin, [F_TICKET] = CF_ticket_id,
	[F_SUPPLIER] = CF_supplier, [F_UNIT] = CF_respondent_unit,
	[F_STAFF] = CF_respondent_staff, [F_TIMELINE] = CF_ticket_timeline,
	[F_REQUEST] = CF_request, [F_FACTS] = CF_facts, [F_GROUNDS] = CF_grounds,
	[F_AMOUNT] = CF_amount_claimed, [F_SIGNED] = CF_written_signed,
	[F_BUSINESS] = CF_business, [F_CAUSE] = CF_cause, [F_PRIORITY] = CF_priority,
	[F_COMPLEXITY] = CF_complexity, [F_R0] = CF_rights, [F_R1] = CF_rights,
	[F_R2] = CF_rights, [F_R3] = CF_rights, [F_R4] = CF_rights, [F_R5] = CF_rights,
	[F_R6] = CF_rights, [F_R7] = CF_rights, [F_STATE] = CF_state,
	[F_HANDLER] = CF_handler, [F_CONFLICT] = CF_conflict_checked,
	[F_PAUSE] = CF_pause_reason, [F_EXT_REASON] = CF_extension_reason,
	[F_EXT_APPROVER] = CF_extension_approver, [F_REJECT] = CF_reject_reason,
	[F_MERGED] = CF_merged_into, [F_CONTACT] = CF_last_contact_at,
	[F_OUTCOME] = CF_outcome, [F_DEC_FACTS] = CF_decision_facts,
	[F_DEC_BASIS] = CF_decision_basis, [F_DEC_REMEDIES] = CF_decision_remedies,
	[F_NOTIFY] = CF_notify_method, [F_NOTIFY_PROOF] = CF_notify_proof,
	[F_COMPENSATION] = CF_compensation, [F_GOODWILL] = CF_goodwill,
	[F_GW_APPROVER] = CF_goodwill_approver, [F_GW_ROLE] = CF_goodwill_role,
	[F_ACCEPTED] = CF_accepted, [F_REVIEW_AT] = CF_review_requested_at,
	[F_REVIEW_RESULT] = CF_review_result, [F_MED_ORG] = CF_mediation_org,
	[F_MED_RESULT] = CF_mediation_result, [F_MED_AMOUNT] = CF_mediation_amount,
	[F_SATISFACTION] = CF_satisfaction, [F_ROOT] = CF_root_cause,
	[F_RECTIFY] = CF_rectification, [F_RECORDINGS] = CF_recording_refs,
};

static const char *const section_titles[S_COUNT] = {
	[S_RECEIPT] = "complaint.sec.receipt", [S_WHO] = "complaint.sec.complainant",
	[S_AGENT] = "complaint.sec.agent", [S_SUBJECT] = "complaint.sec.subject",
	[S_EVIDENCE] = "complaint.sec.evidence", [S_SUBSTANCE] = "complaint.sec.substance",
	[S_CLASS] = "complaint.sec.class", [S_RIGHTS] = "complaint.sec.rights",
	[S_HANDLING] = "complaint.sec.handling", [S_DECISION] = "complaint.sec.decision",
	[S_MONEY] = "complaint.sec.money", [S_REVIEW] = "complaint.sec.review",
	[S_MEDIATION] = "complaint.sec.mediation", [S_CLOSE] = "complaint.sec.close",
};

static const char *const page_titles[P_COUNT] = {
	"complaint.page.who", "complaint.page.subject", "complaint.page.substance",
	"complaint.page.class", "complaint.page.handling", "complaint.page.decision",
	"complaint.page.after",
};

static const char *const form_keys[] = {
	"F10", "complaint.hint.save", "F2", "complaint.hint.act", "PgDn", "complaint.hint.page",
	"Tab", "intake.hint.next", "Esc", "intake.hint.close",
};

struct view_complaint {
	struct view view;		/* first member */
	struct form form;
	const struct complaint_db *db;
	struct complaint *c;		/* the record as typed so far */
	int bad[F_COUNT];		/* the text of the field does not parse: the error */
	char *draft;			/* the record as last written as the draft ("" none) */
	int64_t draft_id;		/* the id its draft is kept under (0 a new complaint) */
	bool acting;			/* the list of actions is open */
	struct menu acts;
	int64_t ticket;			/* the ticket it was opened from (0 none) */
	bool fill;			/* ... which the model does not hold (closed long ago, a
					   survey's): who and what come with ticket.get's answer */
	char hist_cmd[PROTO_CMD_ID_MAX + 1];
	struct complaint *saved;	/* as last saved (NULL never): what a change is from */
	enum complaint_role role;	/* the console's, as approvals know it */
	char user[33];			/* the console's user: who signs an approval */
	char why[256];			/* field_error's words with numbers */
};

/* ---- the record and the form ---- */

static bool
is_right(int i)
{
	return i >= F_R0 && i <= F_R7;
}

static const struct complaint_data *
cdata(const struct view_complaint *vc)
{
	return vc->db != NULL ? vc->db->cd : NULL;
}

/* The form's text of field i into the record; a text that does not parse is kept in
 * bad[i] and leaves the record as it was. */
static void
text_to_record(struct view_complaint *vc, int i)
{
	char buf[64];
	int64_t fen;
	int rc;

	if (defs[i].kind != FORM_TEXT || defs[i].readonly)
		return;
	vc->bad[i] = COMPLAINT_OK;
	/* a date or an amount the engine cannot read: its own words show (form.h) */
	if (defs[i].format == FORM_MONEY) {
		if ((rc = form_money(&vc->form, i, &fen)) >= 0)
			complaint_field_set_int(vc->c, cf[i], rc == 1 ? 0 : fen);
		return;
	}
	if (defs[i].format == FORM_DATE && form_date(&vc->form, i, &fen) < 0)
		return;
	if (complaint_field_info(cf[i])->type == CFT_TEXT ||
	    complaint_field_info(cf[i])->type == CFT_LONG) {
		complaint_field_set_str(vc->c, cf[i], form_text(&vc->form, i));
		return;
	}
	form_trimmed(&vc->form, i, buf, sizeof buf);
	if (buf[0] == '\0') {
		complaint_field_set_int(vc->c, cf[i], 0);
		return;
	}
	rc = complaint_field_set(vc->c, cf[i], buf);
	if (rc != COMPLAINT_OK)
		vc->bad[i] = rc;
}

/* The record into the form: every text field's text, every box. */
static void
record_to_form(struct view_complaint *vc)
{
	char *s;
	int i;

	for (i = 0; i < F_COUNT; i++) {
		vc->bad[i] = COMPLAINT_OK;
		if (is_right(i)) {
			form_set_checked(&vc->form, i, (complaint_field_int(vc->c, CF_rights) >>
			    (i - F_R0) & 1) != 0);
		} else if (defs[i].kind == FORM_CHECK) {
			form_set_checked(&vc->form, i, complaint_field_int(vc->c, cf[i]) != 0);
		} else if (i == F_STATE) {
			form_set_text(&vc->form, i, i18n_tr(complaint_state_key(
			    (enum complaint_state)complaint_field_int(vc->c, CF_state))));
		} else if (defs[i].kind == FORM_TEXT) {
			s = complaint_field_get(vc->c, cf[i]);
			/* a time shows to the minute, as it is typed; a date field the day */
			if (complaint_field_info(cf[i])->type == CFT_TIME && strlen(s) == 19)
				s[defs[i].format == FORM_DATE ? 10 : 16] = '\0';
			form_set_text(&vc->form, i, s);
			free(s);
		}
	}
}

/* The agent fields show when someone acts for the complainant. */
static void
sync_shown(struct view_complaint *vc)
{
	bool agent = complaint_field_int(vc->c, CF_acting) != COMPLAINT_ACTING_SELF;

	form_show(&vc->form, F_AGENT_NAME, agent);
	form_show(&vc->form, F_AGENT_PHONE, agent);
	form_show(&vc->form, F_AGENT_PROOF, agent);
}

static bool
field_empty(const struct view_complaint *vc, int i)
{
	const struct complaint_field_info *fi = complaint_field_info(cf[i]);

	if (fi->type == CFT_TEXT || fi->type == CFT_LONG)
		return complaint_field_str(vc->c, cf[i])[0] == '\0';
	if (fi->type == CFT_ENUM)
		return fi->n_names > 0 && fi->names[complaint_field_int(vc->c, cf[i])][0] == '\0';
	return complaint_field_int(vc->c, cf[i]) == 0;
}

/* ---- approvals ---- */

static int form_field_of(int f);

/* The form field where an approval's refusal of record field f shows: the approver
 * fields are not typed, so their refusals go beside what is (-1: none). */
static int
approval_field(int f)
{
	switch (f) {
	case CF_extension_level:
	case CF_extension_approver:
		return F_EXT_REASON;
	case CF_goodwill:
	case CF_goodwill_approver:
	case CF_goodwill_role:
		return F_GOODWILL;
	default:
		return -1;
	}
}

/* Words for what the console's role may not do in the record now (e = the model's
 * refusal, need its field and limit) into vc->why. */
static const char *
approval_words(struct view_complaint *vc, int e, const struct complaint_need *need)
{
	char yuan[32];
	const char *vars[2] = { "limit", yuan };

	switch (e) {
	case COMPLAINT_E_NEEDS_SUPERVISOR:
		if (need->field == CF_goodwill) {
			complaint_money_format(yuan, sizeof yuan, need->limit);
			present_fill(i18n_tr("complaint.forbidden.goodwill"), vars, 1, vc->why,
			    sizeof vc->why);
			return vc->why;
		}
		return i18n_tr("complaint.forbidden.extension");
	case COMPLAINT_E_APPROVER_SENDER:
	case COMPLAINT_E_APPROVER_ROLE:
		return i18n_tr("complaint.forbidden.approver");
	case COMPLAINT_E_MASKED:
		return i18n_tr("complaint.forbidden.masked");
	default:
		return i18n_tr(complaint_error_key(e));
	}
}

/* Whether the record as typed is a change the console's role may make, from the last
 * saved version: COMPLAINT_OK or the model's refusal, *need its field. */
static int
approval_check(const struct view_complaint *vc, struct complaint_need *need)
{
	return complaint_may_change(vc->saved, vc->c, cdata(vc), vc->role, vc->user, need);
}

/* The refusal of an approval that shows beside form field i: the broker's (a version it
 * refused as forbidden or masked names the field), else the model's for what is typed;
 * NULL when none. */
static const char *
approval_error(struct view_complaint *vc, int i)
{
	const struct complaint_conflict *k = vc->c->id != 0 ?
	    complaint_sync_conflict(complaint_field_str(vc->c, CF_uid)) : NULL;
	struct complaint_need need;
	int e;

	if (k != NULL && k->why.reason[0] != '\0' &&
	    approval_field(complaint_field_by_name(k->why.name)) == i) {
		if (strcmp(k->why.reason, "complaint_approval") == 0) {
			need = (struct complaint_need){ COMPLAINT_ROLE_SUPERVISOR,
				complaint_field_by_name(k->why.name), k->why.limit };
			return approval_words(vc, COMPLAINT_E_NEEDS_SUPERVISOR, &need);
		}
		if (strcmp(k->why.reason, "complaint_approver") == 0)
			return i18n_tr("complaint.forbidden.approver");
	}
	if (approval_field(CF_goodwill) != i && approval_field(CF_extension_level) != i)
		return NULL;
	if ((e = approval_check(vc, &need)) == COMPLAINT_OK || approval_field(need.field) != i)
		return NULL;
	return approval_words(vc, e, &need);
}

/* Sign a goodwill payment: whoever changes its amount approves it in her role; back at
 * the saved amount, the saved approval stands. */
static void
sign_goodwill(struct view_complaint *vc)
{
	const struct complaint *s = vc->saved;
	char *t;

	if (s != NULL && vc->c->goodwill == s->goodwill) {
		complaint_field_set_str(vc->c, CF_goodwill_approver, s->goodwill_approver);
		complaint_field_set_str(vc->c, CF_goodwill_role, s->goodwill_role);
	} else if (vc->c->goodwill > 0) {
		complaint_field_set_str(vc->c, CF_goodwill_approver, vc->user);
		complaint_field_set_str(vc->c, CF_goodwill_role, complaint_role_name(vc->role));
	} else {
		complaint_field_set_str(vc->c, CF_goodwill_approver, NULL);
		complaint_field_set_str(vc->c, CF_goodwill_role, NULL);
	}
	form_set_text(&vc->form, F_GW_APPROVER, complaint_field_str(vc->c, CF_goodwill_approver));
	t = complaint_field_get(vc->c, CF_goodwill_role);
	form_set_text(&vc->form, F_GW_ROLE, t);
	free(t);
}

/* Before a save: a change the console's role may not make is not saved (it would only be
 * refused by the broker); the message line says why and the focus goes beside it. */
static bool
approval_ok(struct view_complaint *vc, struct model *m)
{
	struct complaint_need need;
	int e = approval_check(vc, &need), i;

	if (e == COMPLAINT_OK)
		return true;
	model_message(m, true, "%s", approval_words(vc, e, &need));
	i = approval_field(need.field);
	if (i < 0)
		i = form_field_of(need.field);
	if (i >= 0 && form_shown(&vc->form, i)) {
		vc->form.focus = i;
		form_touch(&vc->form, i);
	}
	return false;
}

static const char *
field_error(void *owner, const struct form *fm, const struct model *m, int i)
{
	const struct view_complaint *vc = owner;
	int e;

	const char *approval = approval_error((struct view_complaint *)vc, i);

	if (approval != NULL)
		return approval;
	if (defs[i].readonly || defs[i].kind == FORM_CHECK)
		return NULL;
	if (vc->bad[i] != COMPLAINT_OK)
		return i18n_tr(complaint_error_key(vc->bad[i]));
	if (defs[i].required && field_empty(vc, i))
		return i18n_tr(complaint_error_key(COMPLAINT_E_REQUIRED));
	e = complaint_field_check(vc->c, cf[i], cdata(vc), m->now);
	return e != COMPLAINT_OK ? i18n_tr(complaint_error_key(e)) : NULL;
}

/* ---- choices ---- */

static bool
zh(void)
{
	return strncmp(i18n_lang(), "zh", 2) == 0;
}

/* The suppliers of every region of data/, by (region << 8 | supplier). */
static const struct data_supplier *
supplier_at(const struct model *m, int v)
{
	size_t r = (size_t)v >> 8, s = (size_t)v & 0xff;

	if (m->data == NULL || r >= m->data->n_regions || s >= m->data->regions[r].n_suppliers)
		return NULL;
	return &m->data->regions[r].suppliers[s];
}

static const char *
supplier_label(const struct model *m, const char *id)
{
	for (size_t r = 0; m->data != NULL && r < m->data->n_regions; r++)
		for (size_t s = 0; s < m->data->regions[r].n_suppliers; s++)
			if (strcmp(m->data->regions[r].suppliers[s].id, id) == 0)
				return m->data->regions[r].suppliers[s].name;
	return id;
}

static const char *
cause_label(const struct complaint_cause *k)
{
	return zh() && k->name_zh[0] != '\0' ? k->name_zh : k->name;
}

static const char *
org_label(const struct complaint_org *o)
{
	return zh() && o->name_zh[0] != '\0' ? o->name_zh : o->name;
}

static const char *
choice_text(void *owner, const struct form *fm, const struct model *m, int i, char *buf,
    size_t sz, bool *placeholder)
{
	const struct view_complaint *vc = owner;
	const struct complaint_field_info *fi = complaint_field_info(cf[i]);
	const char *s;

	*placeholder = field_empty(vc, i);
	if (*placeholder)
		return i18n_tr("intake.choose");
	if (fi->type == CFT_ENUM)
		return i18n_tr(fi->keys[complaint_field_int(vc->c, cf[i])]);
	s = complaint_field_str(vc->c, cf[i]);
	if (i == F_SUPPLIER)
		return supplier_label(m, s);
	if (i == F_CAUSE && complaint_data_cause(cdata(vc), s) != NULL)
		return cause_label(complaint_data_cause(cdata(vc), s));
	if (i == F_MED_ORG && complaint_data_org(cdata(vc), s) != NULL)
		return org_label(complaint_data_org(cdata(vc), s));
	snprintf(buf, sz, "%s", s);
	return buf;
}

static bool
choices(void *owner, const struct form *fm, const struct model *m, int i, struct menu *mn)
{
	const struct view_complaint *vc = owner;
	const struct complaint_field_info *fi = complaint_field_info(cf[i]);
	const struct complaint_data *d = cdata(vc);
	const char *cur = fi->type == CFT_TEXT ? complaint_field_str(vc->c, cf[i]) : "";
	int64_t business = complaint_field_int(vc->c, CF_business);

	if (fi->type == CFT_ENUM) {
		for (size_t v = 0; v < fi->n_names; v++)
			if (fi->names[v][0] != '\0')
				menu_add(mn, i18n_tr(fi->keys[v]), NULL, (int)v);
		menu_select_value(mn, (int)complaint_field_int(vc->c, cf[i]));
	} else if (i == F_CAUSE) {
		for (size_t k = 0; d != NULL && k < d->n_causes; k++) {
			if (business != 0 && d->causes[k].business != business)
				continue;	/* the causes of the business chosen */
			menu_add(mn, cause_label(&d->causes[k]), d->causes[k].code, (int)k);
			if (strcmp(d->causes[k].code, cur) == 0)
				menu_select_value(mn, (int)k);
		}
	} else if (i == F_MED_ORG) {
		for (size_t k = 0; d != NULL && k < d->n_orgs; k++) {
			menu_add(mn, org_label(&d->orgs[k]), d->orgs[k].phone, (int)k);
			if (strcmp(d->orgs[k].id, cur) == 0)
				menu_select_value(mn, (int)k);
		}
	} else if (i == F_SUPPLIER) {
		for (size_t r = 0; m->data != NULL && r < m->data->n_regions && r < 256; r++) {
			for (size_t s = 0; s < m->data->regions[r].n_suppliers && s < 256; s++) {
				const struct data_supplier *p = &m->data->regions[r].suppliers[s];

				menu_add(mn, p->name, p->id, (int)(r << 8 | s));
				if (strcmp(p->id, cur) == 0)
					menu_select_value(mn, (int)(r << 8 | s));
			}
		}
	}
	return mn->n > 0;
}

static bool
pick(void *owner, struct form *fm, const struct model *m, int i, int value)
{
	struct view_complaint *vc = owner;
	const struct complaint_field_info *fi = complaint_field_info(cf[i]);
	const struct complaint_data *d = cdata(vc);
	const char *s = NULL;

	if (fi->type == CFT_ENUM) {
		if (complaint_field_int(vc->c, cf[i]) == value)
			return false;
		complaint_field_set_int(vc->c, cf[i], value);
		if (i == F_BUSINESS) {
			/* a cause of another business goes */
			const struct complaint_cause *k = complaint_data_cause(d,
			    complaint_field_str(vc->c, CF_cause));

			if (k != NULL && k->business != value)
				complaint_field_set_str(vc->c, CF_cause, NULL);
		}
		if (i == F_ACTING)
			sync_shown(vc);
		return true;
	}
	if (value >= 0 && i == F_CAUSE && d != NULL && (size_t)value < d->n_causes) {
		const struct complaint_cause *k = &d->causes[value];

		s = k->code;
		/* the cause tells the business and the rights it usually touches, when they
		 * are not chosen yet */
		if (complaint_field_int(vc->c, CF_business) == 0)
			complaint_field_set_int(vc->c, CF_business, k->business);
		if (complaint_field_int(vc->c, CF_rights) == 0) {
			complaint_field_set_int(vc->c, CF_rights, k->rights);
			for (int r = F_R0; r <= F_R7; r++)
				form_set_checked(fm, r, (k->rights >> (r - F_R0) & 1) != 0);
		}
	} else if (value >= 0 && i == F_MED_ORG && d != NULL && (size_t)value < d->n_orgs) {
		s = d->orgs[value].id;
	} else if (value >= 0 && i == F_SUPPLIER && supplier_at(m, value) != NULL) {
		s = supplier_at(m, value)->id;
	}
	if (strcmp(complaint_field_str(vc->c, cf[i]), s != NULL ? s : "") == 0)
		return false;
	complaint_field_set_str(vc->c, cf[i], s);
	return true;
}

static int
step(void *owner, const struct form *fm, const struct model *m, int i, int delta)
{
	const struct view_complaint *vc = owner;
	const struct complaint_field_info *fi = complaint_field_info(cf[i]);
	int64_t v, n;

	if (fi->type != CFT_ENUM || fi->n_names == 0)
		return FORM_NO_VALUE;
	n = (int64_t)fi->n_names;
	v = complaint_field_int(vc->c, cf[i]);
	do
		v = (v + delta + n) % n;
	while (fi->names[v][0] == '\0');
	return (int)v;
}

static int
clear(void *owner, const struct form *fm, int i)
{
	const struct complaint_field_info *fi = complaint_field_info(cf[i]);

	if (fi->type == CFT_ENUM)
		return fi->names[0][0] == '\0' ? 0 : FORM_NO_VALUE;
	return -1;
}

/* The phones show masked unless their field has the focus. */
static const char *
shown(void *owner, const struct form *fm, int i, char *buf, size_t sz)
{
	const struct view_complaint *vc = owner;

	if (i == F_EXT_APPROVER && form_text(fm, i)[0] == '\0' &&
	    vc->role != COMPLAINT_ROLE_SUPERVISOR)
		return i18n_tr("complaint.needs_supervisor");
	if ((i != F_PHONE && i != F_AGENT_PHONE) || form_text(fm, i)[0] == '\0')
		return NULL;
	ticket_mask_phone(form_text(fm, i), buf, sz);
	return buf;
}

static void
edited(void *owner, struct form *fm, int i)
{
	text_to_record(owner, i);
	if (i == F_GOODWILL)
		sign_goodwill(owner);
}

/* ---- saving ---- */

/* Write the draft when the record holds something else than the last one written. */
static void
autosave(struct view_complaint *vc, struct model *m)
{
	char *enc;

	if (vc->db == NULL || !vc->form.changed)
		return;
	for (int i = F_R0; i <= F_R7; i++) {	/* the boxes are the form's: into the record */
		int64_t r = complaint_field_int(vc->c, CF_rights), bit = (int64_t)1 << (i - F_R0);

		complaint_field_set_int(vc->c, CF_rights, form_checked(&vc->form, i) ? r | bit :
		    r & ~bit);
	}
	complaint_field_set_int(vc->c, CF_written_signed, form_checked(&vc->form, F_SIGNED));
	complaint_field_set_int(vc->c, CF_conflict_checked, form_checked(&vc->form, F_CONFLICT));
	complaint_field_set_int(vc->c, CF_accepted, form_checked(&vc->form, F_ACCEPTED));
	enc = complaint_encode(vc->c);
	if (vc->draft != NULL && strcmp(enc, vc->draft) == 0) {
		free(enc);
		return;
	}
	if (complaint_store_draft_put(vc->db->st, vc->draft_id, vc->c, m->now) < 0) {
		model_message(m, true, "%s%s%s", i18n_tr("complaint.msg.draft_failed"),
		    present_colon(), complaint_store_errmsg(vc->db->st));
		free(enc);
		return;
	}
	free(vc->draft);
	vc->draft = enc;
}

/* The form's field of record field f, or -1. */
static int
form_field_of(int f)
{
	for (int i = 0; i < F_COUNT; i++)
		if ((int)cf[i] == f && !is_right(i))
			return i;
	return f == CF_rights ? F_R0 : -1;
}

/* Save the record; note the action (NULL a plain save). 0, or -1 with the message line
 * saying why. */
static int
save(struct view_complaint *vc, struct model *m, const char *note)
{
	const char *why;

	autosave(vc, m);
	if (complaint_store_save(vc->db->st, vc->c, cdata(vc), m->now, note) < 0) {
		why = complaint_store_errmsg(vc->db->st);
		model_message(m, true, "%s%s%s", i18n_tr("complaint.msg.save_failed"),
		    present_colon(), strstr(why, "version conflict") != NULL ?
		    i18n_tr("complaint.msg.conflict") : why);
		return -1;
	}
	complaint_free(vc->saved);
	vc->saved = complaint_copy(vc->c);
	/* the draft went with the save; a new complaint's drafts are now under its id */
	complaint_store_draft_drop(vc->db->st, vc->draft_id);
	vc->draft_id = vc->c->id;
	free(vc->draft);
	vc->draft = NULL;
	vc->form.changed = false;
	record_to_form(vc);
	return 0;
}

static unsigned
submit(void *owner, struct form *fm, struct model *m)
{
	struct view_complaint *vc = owner;

	if (!form_validate(fm, m) || !approval_ok(vc, m))
		return UI_HANDLED | UI_REDRAW;
	if (save(vc, m, NULL) == 0)
		model_message(m, false, "%s %s (%s %lld)", i18n_tr("complaint.msg.saved"),
		    vc->c->number, i18n_tr("complaint.f.version"), (long long)vc->c->version);
	return UI_HANDLED | UI_REDRAW;
}

static const struct form_ops complaint_form_ops = {
	.error = field_error,
	.choice_text = choice_text,
	.choices = choices,
	.pick = pick,
	.step = step,
	.clear = clear,
	.shown = shown,
	.edited = edited,
	.submit = submit,
};

/* ---- a conflict with the central copy ----
 * The broker refused this complaint's version: another console saved first. The agent
 * chooses in the actions menu (F2), whose first two entries are then these. */
#define ACT_THEIRS COMPLAINT_ACTION_COUNT
#define ACT_MINE (COMPLAINT_ACTION_COUNT + 1)

static const struct complaint_conflict *
conflict_of(const struct view_complaint *vc)
{
	return vc->c->id != 0 ? complaint_sync_conflict(complaint_field_str(vc->c, CF_uid)) : NULL;
}

/* Take theirs (the record as the broker stores it, fetched raw: on_theirs) or keep mine
 * (a new version on top), then show the record as the file now holds it. */
static void resolved(struct view_complaint *vc, struct model *m, int which, int rc);

static void
on_theirs(struct model *m, void *ctx, const struct proto_reply *r,
    const struct proto_error *err)
{
	struct view_complaint *vc = ctx;

	(void)err;
	if (r == NULL || !r->ok || r->n_complaints != 1) {
		model_message(m, true, "%s", i18n_tr("complaint.msg.no_central"));
		return;
	}
	resolved(vc, m, ACT_THEIRS, complaint_sync_take_theirs(vc->db->st, cdata(vc),
	    r->complaints[0].record, m->now, NULL));
}

static void
resolve(struct view_complaint *vc, struct model *m, int which)
{
	const char *uid = complaint_field_str(vc->c, CF_uid);

	if (which == ACT_THEIRS) {
		struct proto_complaint_get g = { .present = 0 };
		struct model_request rq = { .op = PROTO_MSG_complaint_get, .args = &g,
			.on_reply = on_theirs, .ctx = vc, .owner = vc };
		PROTO_STRSET(g.uid, uid);
		PROTO_SET(&g, complaint_get, uid);
		if (model_request(m, &rq, NULL) != 0)
			model_message(m, true, "%s", i18n_tr("complaint.msg.no_central"));
		return;
	}
	resolved(vc, m, which, complaint_sync_keep_mine(vc->db->st, cdata(vc), uid, m->now));
}

static void
resolved(struct view_complaint *vc, struct model *m, int which, int rc)
{
	struct complaint *now = NULL;

	if (rc != 0 || complaint_store_load(vc->db->st, vc->c->id, &now) != 1) {
		model_message(m, true, "%s%s%s", i18n_tr("complaint.msg.save_failed"),
		    present_colon(), complaint_store_errmsg(vc->db->st));
		return;
	}
	complaint_free(vc->c);
	vc->c = now;
	complaint_free(vc->saved);
	vc->saved = complaint_copy(now);
	complaint_store_draft_drop(vc->db->st, vc->draft_id);
	free(vc->draft);
	vc->draft = NULL;
	vc->form.changed = false;
	record_to_form(vc);
	model_message(m, false, "%s", i18n_tr(which == ACT_THEIRS ? "complaint.msg.theirs" :
	    "complaint.msg.mine"));
}

/* ---- the state machine's actions ---- */

static void
open_actions(struct view_complaint *vc, struct model *m)
{
	uint32_t from = complaint_actions_from((enum complaint_state)vc->c->state);
	int e;

	menu_clear(&vc->acts);
	if (conflict_of(vc) != NULL && conflict_of(vc)->refused == PROTO_E_CONFLICT) {
		menu_add(&vc->acts, i18n_tr("complaint.act.theirs"), NULL, ACT_THEIRS);
		menu_add(&vc->acts, i18n_tr("complaint.act.mine"), NULL, ACT_MINE);
	}
	for (int a = 0; a < COMPLAINT_ACTION_COUNT; a++) {
		if (!(from >> a & 1))
			continue;
		e = complaint_can(vc->c, (enum complaint_action)a, cdata(vc), m->now, NULL);
		if ((a == COMPLAINT_ACT_EXTEND || a == COMPLAINT_ACT_EXTEND_SPECIAL) &&
		    vc->role != COMPLAINT_ROLE_SUPERVISOR)
			e = COMPLAINT_E_NEEDS_SUPERVISOR;
		menu_add(&vc->acts, i18n_tr(complaint_action_key((enum complaint_action)a)),
		    e == COMPLAINT_OK ? NULL : i18n_tr(complaint_error_key(e)), a);
	}
	if (vc->acts.n == 0) {
		model_message(m, true, "%s", i18n_tr("complaint.msg.no_action"));
		return;
	}
	vc->acting = true;
}

/* Apply action a and save; a refusal says why and goes to the field it names. */
static void
act(struct view_complaint *vc, struct model *m, enum complaint_action a)
{
	struct complaint *before;
	int e, field = -1, i;

	autosave(vc, m);
	before = complaint_copy(vc->c);
	/* an extension is the supervisor's approval: signed with her user */
	if ((a == COMPLAINT_ACT_EXTEND || a == COMPLAINT_ACT_EXTEND_SPECIAL) &&
	    vc->role == COMPLAINT_ROLE_SUPERVISOR) {
		complaint_field_set_str(vc->c, CF_extension_approver, vc->user);
		form_set_text(&vc->form, F_EXT_APPROVER, vc->user);
	}
	e = complaint_apply(vc->c, a, cdata(vc), m->now, &field);
	if (e == COMPLAINT_OK && !approval_ok(vc, m)) {
		complaint_free(vc->c);
		vc->c = before;
		record_to_form(vc);
		return;
	}
	if (e != COMPLAINT_OK) {
		/* complaint_apply left the record as it was; the signature goes too */
		complaint_field_set_str(vc->c, CF_extension_approver, before->extension_approver);
		form_set_text(&vc->form, F_EXT_APPROVER, complaint_field_str(vc->c,
		    CF_extension_approver));
		model_message(m, true, "%s%s%s", i18n_tr(complaint_action_key(a)), present_colon(),
		    i18n_tr(complaint_error_key(e)));
		if (field >= 0 && (i = form_field_of(field)) >= 0 && form_shown(&vc->form, i)) {
			vc->form.focus = i;
			form_touch(&vc->form, i);
		}
		complaint_free(before);
		return;
	}
	if (save(vc, m, complaint_action_name(a)) < 0) {
		complaint_free(vc->c);	/* nothing of it was written: as it was */
		vc->c = before;
		return;
	}
	complaint_free(before);
	model_message(m, false, "%s%s%s %s", i18n_tr(complaint_action_key(a)), present_colon(),
	    vc->c->number, i18n_tr(complaint_state_key((enum complaint_state)vc->c->state)));
}

static unsigned
acting_key(struct view_complaint *vc, struct model *m, const struct key *k,
    enum keymap_action a)
{
	switch (menu_key(&vc->acts, k, a)) {
	case MENU_PICKED:
		vc->acting = false;
		if (menu_value(&vc->acts) >= ACT_THEIRS)
			resolve(vc, m, menu_value(&vc->acts));
		else if (menu_value(&vc->acts) >= 0)
			act(vc, m, (enum complaint_action)menu_value(&vc->acts));
		return UI_HANDLED | UI_REDRAW;
	case MENU_CANCELLED:
		vc->acting = false;
		return UI_HANDLED | UI_REDRAW;
	case MENU_MOVED:
		return UI_HANDLED | UI_REDRAW;
	case MENU_IGNORED:
		break;
	}
	return a == ACTION_HELP || a == ACTION_REDRAW ? UI_NONE : UI_HANDLED;
}

/* ---- drawing ---- */

/* The running clocks on row y: "Decision due 03-29 (12d)", amber at 80% of the window
 * and red overdue, with the board's marks for a screen without colour. */
static void
draw_clocks(const struct view_complaint *vc, const struct model *m, struct vscreen *vs,
    int y)
{
	struct complaint_clock ck[COMPLAINT_CLOCK_COUNT];
	int cols = vscreen_cols(vs), x = 1;
	char when[32], left[16], buf[160];
	const char *mark;
	enum theme_role role;

	complaint_clocks(vc->c, cdata(vc), m->now, ck);
	for (int k = 0; k < COMPLAINT_CLOCK_COUNT && x < cols - 2; k++) {
		if (ck[k].status == COMPLAINT_CLOCK_OFF)
			continue;
		complaint_time_format(when, sizeof when, ck[k].due);
		model_fmt_minutes(ck[k].due - m->now, left, sizeof left);
		role = ck[k].status == COMPLAINT_CLOCK_RED ? ROLE_LATE :
		    ck[k].status == COMPLAINT_CLOCK_AMBER ? ROLE_WARN : ROLE_OK;
		mark = ck[k].status == COMPLAINT_CLOCK_RED ? THEME_MARK_RED :
		    ck[k].status == COMPLAINT_CLOCK_AMBER ? THEME_MARK_AMBER : "";
		/* "MM-DD HH:MM" of "YYYY-MM-DD HH:MM:SS" */
		snprintf(buf, sizeof buf, "%s%s %.11s (%s)%s", mark,
		    i18n_tr(complaint_clock_key((enum complaint_clock_kind)k)),
		    strlen(when) >= 16 ? when + 5 : when, left, ck[k].stopped ? " \xe2\x8f\xb8" : "");
		x += vscreen_put(vs, x, y, role, 0, buf, cols - 1 - x) + 2;
	}
	if (x == 1)
		vscreen_put(vs, 1, y, ROLE_DIM, 0, i18n_tr("complaint.no_clock"), cols - 2);
}

static void
complaint_draw(struct view *v, const struct model *m, struct vscreen *vs,
    const struct theme *th)
{
	struct view_complaint *vc = (struct view_complaint *)v;
	int cols = vscreen_cols(vs), rows = vscreen_rows(vs), top, mw, mh;
	char title[256];

	(void)th;
	if (view_too_small(cols, rows)) {
		view_draw_too_small(vs);
		return;
	}
	vscreen_fill(vs, 0, 0, cols, rows, ROLE_NORMAL, 0, L' ');
	if (vc->c->id != 0)
		snprintf(title, sizeof title, "%s \xe2\x94\x82 %s %s \xc2\xb7 %s", i18n_tr("app.name"),
		    i18n_tr("complaint.title"), vc->c->number,
		    i18n_tr(complaint_state_key((enum complaint_state)vc->c->state)));
	else
		snprintf(title, sizeof title, "%s \xe2\x94\x82 %s", i18n_tr("app.name"),
		    i18n_tr("complaint.title_new"));
	chrome_title(vs, m, title, vc->form.changed ? i18n_tr("complaint.unsaved") : NULL);
	top = chrome_body_top(vs, m);
	if (chrome_banner_needed(m))
		chrome_banner(vs, 1, m);
	const struct complaint_conflict *clash = conflict_of(vc);
	if (clash != NULL) {
		char when[32], line[512];
		complaint_time_format(when, sizeof when, clash->at);
		if (clash->refused != PROTO_E_CONFLICT && clash->why.reason[0] != '\0') {
			/* a refusal with words: a forbidden approval, a masked value */
			struct proto_error e = { .code = clash->refused, .params = clash->why };
			char why[256];
			present_error(&e, why, sizeof why);
			snprintf(line, sizeof line, "! %s%s%s", i18n_tr("complaints.refused"),
			    present_colon(), why);
		} else if (clash->refused != PROTO_E_CONFLICT)
			snprintf(line, sizeof line, "! %s", i18n_tr("complaint.refused"));
		else
			snprintf(line, sizeof line, "! %s %s %" PRId64 " \xc2\xb7 %s \xc2\xb7 %.16s "
			    "\xc2\xb7 %s", i18n_tr("complaint.conflict"), i18n_tr("complaints.version"),
			    clash->theirs, clash->by, when, i18n_tr("complaint.conflict_hint"));
		vscreen_put_ellipsis(vs, 1, top++, ROLE_LATE, 0, line, cols - 2);
	}
	draw_clocks(vc, m, vs, top++);
	form_draw(&vc->form, vs, m, top, chrome_body_end(vs));
	if (vc->acting) {
		mw = menu_width(&vc->acts, i18n_tr("complaint.acts"));
		mw = mw < cols - 4 ? mw : cols - 4;
		mh = (int)vc->acts.n + 2;
		mh = mh < rows - 4 ? mh : rows - 4;
		menu_draw(&vc->acts, vs, (cols - mw) / 2, (rows - mh) / 2, mw, mh,
		    i18n_tr("complaint.acts"));
	}
}

/* ---- keys ---- */

static unsigned
complaint_key(struct view *v, struct model *m, const struct key *k, enum keymap_action a)
{
	struct view_complaint *vc = (struct view_complaint *)v;
	unsigned r;

	if (vc->acting)
		r = acting_key(vc, m, k, a);
	else if (a == ACTION_COMPLAINT_ACT && form_scope(&vc->form) == SCOPE_FORM) {
		open_actions(vc, m);
		r = UI_HANDLED | UI_REDRAW;
	} else {
		r = form_key(&vc->form, m, k, a);
	}
	if (r & UI_CLOSE) {
		/* closed on purpose (nothing typed, or the discard confirmed): no draft */
		complaint_store_draft_drop(vc->db->st, vc->draft_id);
		return r;
	}
	autosave(vc, m);
	v->scope = vc->acting ? SCOPE_DIALOG : form_scope(&vc->form);
	return r;
}

static void
complaint_destroy(struct view *v)
{
	struct view_complaint *vc = (struct view_complaint *)v;

	form_finish(&vc->form);
	menu_finish(&vc->acts);
	complaint_free(vc->c);
	complaint_free(vc->saved);
	free(vc->draft);
	if (vc->db != NULL)
		complaint_db_release();
	free(vc);
}

static const struct view_ops complaint_ops = {
	.name = "complaint",
	.draw = complaint_draw,
	.key = complaint_key,
	.destroy = complaint_destroy,
};

/* ---- opening ---- */

/* One line of the frozen timeline: "YYYY-MM-DD HH:MM what". */
static void
timeline_line(char **buf, size_t *len, int64_t ts, const char *what, const char *detail)
{
	char when[32], *line;

	if (ts <= 0)
		return;
	complaint_time_format(when, sizeof when, ts);
	when[16] = '\0';
	xasprintf(&line, "%s%s %s%s%s", *len > 0 ? "\n" : "", when, what,
	    detail != NULL && detail[0] != '\0' ? " " : "", detail != NULL ? detail : "");
	*buf = xrealloc(*buf, *len + strlen(line) + 1);
	memcpy(*buf + *len, line, strlen(line) + 1);
	*len += strlen(line);
	free(line);
}

/* The ticket as the replica holds it, frozen: its times and what it is now. */
static char *
ticket_timeline(const struct model *m, const struct proto_ticket *t)
{
	char *buf = xstrdup(""), head[256];
	size_t len = 0;

	snprintf(head, sizeof head, "#%lld %s \xc2\xb7 %s \xc2\xb7 %s", (long long)t->id,
	    present_state(t->state), present_fault(t->fault), t->address);
	timeline_line(&buf, &len, t->created, head, NULL);
	timeline_line(&buf, &len, t->t_dispatched, present_event_kind("dispatch"), t->truck);
	timeline_line(&buf, &len, t->t_accepted, present_event_kind("accept"), NULL);
	timeline_line(&buf, &len, t->t_en_route, present_state("en_route"), NULL);
	timeline_line(&buf, &len, t->t_on_scene, present_state("on_scene"), NULL);
	timeline_line(&buf, &len, t->t_towing, present_state("towing"), NULL);
	timeline_line(&buf, &len, t->t_closed, present_state(t->state), NULL);
	if (t->last_note[0] != '\0')
		timeline_line(&buf, &len, t->updated, present_event_kind("note"), t->last_note);
	(void)m;
	return buf;
}

/* The broker's history of the ticket, when it answers while the form is open: the
 * timeline becomes the full one (still frozen: it is the complaint's copy). */
static void
on_history(struct model *m, void *ctx, const struct proto_reply *r,
    const struct proto_error *err)
{
	struct view_complaint *vc = ctx;
	char *buf, head[256];
	size_t len = 0;

	(void)err;
	if (r == NULL || !r->ok || r->ticket.id != vc->ticket)
		return;
	if (vc->fill) {	/* the fields from_ticket had no ticket for, unless typed since */
		static const int fill[] = { F_NAME, F_PHONE, F_PLATE };
		const char *val[] = { r->ticket.customer, r->ticket.phone, r->ticket.plate };
		vc->fill = false;
		for (size_t i = 0; i < ARRAY_LEN(fill); i++)
			if (form_text(&vc->form, fill[i])[0] == '\0') {
				complaint_field_set_str(vc->c, cf[fill[i]], val[i]);
				form_set_text(&vc->form, fill[i], val[i]);
			}
	}
	snprintf(head, sizeof head, "#%lld %s \xc2\xb7 %s \xc2\xb7 %s", (long long)r->ticket.id,
	    present_state(r->ticket.state), present_fault(r->ticket.fault), r->ticket.address);
	buf = xstrdup("");
	timeline_line(&buf, &len, r->ticket.created, head, NULL);
	for (size_t i = 0; i < r->n_events; i++) {
		char text[1024];

		/* worded as the detail's timeline words it: in the console's language */
		present_event_text(&r->events[i], m->data, m->flows, text, sizeof text);
		timeline_line(&buf, &len, r->events[i].ts, present_event_kind(r->events[i].kind),
		    text);
	}
	complaint_field_set_str(vc->c, CF_ticket_timeline, buf);
	form_set_text(&vc->form, F_TIMELINE, buf);
	vc->form.changed = true;
	autosave(vc, m);
	free(buf);
}

/* The ticket's customer as the broker answers ticket.contact (the ticket itself carries
 * name and phone masked): the name and phone fields, when the agent has not typed them. */
static void
on_contact(struct model *m, void *ctx, const struct proto_reply *r,
    const struct proto_error *err)
{
	struct view_complaint *vc = ctx;
	static const struct { int f; int cf; } fields[] = {
		{ F_NAME, CF_name }, { F_PHONE, CF_phone },
	};

	(void)err;
	if (r == NULL || !r->ok || r->contact.id != vc->ticket)
		return;	/* offline or refused: the agent asks the caller */
	for (size_t i = 0; i < ARRAY_LEN(fields); i++) {
		const char *v = fields[i].f == F_NAME ? r->contact.customer : r->contact.phone;
		if (form_text(&vc->form, fields[i].f)[0] != '\0' || v[0] == '\0')
			continue;
		complaint_field_set_str(vc->c, fields[i].cf, v);
		form_set_text(&vc->form, fields[i].f, v);
	}
	vc->form.changed = true;
	autosave(vc, m);
}

/* Fill a new complaint from ticket id of the board. */
static void
from_ticket(struct view_complaint *vc, struct model *m, int64_t id)
{
	const struct proto_ticket *t = model_ticket(m, id);
	const struct proto_truck *k;
	struct proto_ticket_get g = { .id = id, .present = PROTO_ALL };
	struct model_request rq = { .op = PROTO_MSG_ticket_get, .args = &g,
		.on_reply = on_history, .ctx = vc, .owner = vc };
	struct proto_ticket_contact ca = { .id = id, .present = PROTO_ALL };
	struct model_request crq = { .op = PROTO_MSG_ticket_contact, .args = &ca,
		.on_reply = on_contact, .ctx = vc, .owner = vc };
	char *tl;

	if (t == NULL) {
		/* not in the replica: its id now, the rest when the broker answers */
		vc->ticket = id;
		vc->fill = true;
		complaint_field_set_int(vc->c, CF_ticket_id, id);
		complaint_field_set_int(vc->c, CF_ticket_linked_at, m->now);
		complaint_field_set_int(vc->c, CF_business, COMPLAINT_BUSINESS_ROADSIDE);
		complaint_field_set_int(vc->c, CF_party, COMPLAINT_PARTY_PERSON);
		complaint_field_set_int(vc->c, CF_channel, COMPLAINT_CHANNEL_HOTLINE);
		vc->form.changed = true;
		model_request(m, &rq, vc->hist_cmd);
		return;
	}
	vc->ticket = id;
	complaint_field_set_int(vc->c, CF_ticket_id, id);
	complaint_field_set_int(vc->c, CF_ticket_linked_at, m->now);
	/* name and phone come raw from ticket.contact (recorded, reason "complaint"): the
	 * ticket has them masked, and a complaint keeps the person's own */
	PROTO_STRSET(ca.reason, "complaint");
	(void)model_request(m, &crq, NULL);
	complaint_field_set_str(vc->c, CF_plate, t->plate);
	complaint_field_set_int(vc->c, CF_business, COMPLAINT_BUSINESS_ROADSIDE);
	complaint_field_set_int(vc->c, CF_party, COMPLAINT_PARTY_PERSON);
	complaint_field_set_int(vc->c, CF_channel, COMPLAINT_CHANNEL_HOTLINE);
	if (t->truck[0] != '\0' && (k = model_truck(m, t->truck)) != NULL)
		complaint_field_set_str(vc->c, CF_supplier, k->supplier);
	tl = ticket_timeline(m, t);
	complaint_field_set_str(vc->c, CF_ticket_timeline, tl);
	free(tl);
	vc->form.changed = true;	/* filled in, not saved */
	model_request(m, &rq, vc->hist_cmd);	/* offline: the replica's copy stays */
}

struct view *
view_complaint_create(struct model *m, int64_t id, int64_t ticket)
{
	struct view_complaint *vc;
	struct complaint *draft = NULL;
	char *cause = NULL;
	int rc;

	vc = xcalloc(1, sizeof *vc);
	vc->view.ops = &complaint_ops;
	vc->view.scope = SCOPE_FORM;
	vc->role = m->role == MODEL_ROLE_SUPERVISOR ? COMPLAINT_ROLE_SUPERVISOR :
	    COMPLAINT_ROLE_AGENT;
	PROTO_STRSET(vc->user, m->user);
	vc->db = complaint_db_open(m->user, &cause);
	if (vc->db == NULL) {
		model_message(m, true, "%s%s%s", i18n_tr("complaint.msg.open_failed"),
		    present_colon(), cause != NULL ? cause : "?");
		free(cause);
		free(vc);
		return NULL;
	}
	if (id > 0) {
		rc = complaint_store_load(vc->db->st, id, &vc->c);
		if (rc <= 0) {
			model_message(m, true, "%s%s%s", i18n_tr("complaint.msg.open_failed"),
			    present_colon(), rc < 0 ? complaint_store_errmsg(vc->db->st) :
			    i18n_tr("complaint.msg.none"));
			complaint_db_release();
			free(vc);
			return NULL;
		}
		vc->saved = complaint_copy(vc->c);
	} else {
		vc->c = complaint_new(m->now);
	}
	vc->draft_id = id;
	form_init(&vc->form, defs, F_COUNT, section_titles, &complaint_form_ops, vc);
	/* a Chinese input method left in full-width mode types "１３８" */
	form_fold_width(&vc->form, F_PHONE);
	form_fold_width(&vc->form, F_POLICY);
	form_fold_width(&vc->form, F_PLATE);
	form_fold_width(&vc->form, F_VIN);
	vc->form.discard = "complaint.discard";
	vc->form.invalid = "complaint.still_invalid";
	vc->form.keys = form_keys;
	vc->form.n_keys = (int)ARRAY_LEN(form_keys) / 2;
	vc->form.pages = page_titles;
	vc->form.n_pages = P_COUNT;
	menu_init(&vc->acts);
	/* a draft a killed console left: the record as it was typed */
	if (complaint_store_draft_get(vc->db->st, id, &draft) == 1) {
		draft->id = vc->c->id;
		complaint_free(vc->c);
		vc->c = draft;
		vc->form.changed = true;
		model_message(m, false, "%s", i18n_tr("complaint.msg.restored"));
	} else if (id == 0 && ticket > 0) {
		from_ticket(vc, m, ticket);
	}
	record_to_form(vc);
	sync_shown(vc);
	vc->draft = vc->form.changed ? complaint_encode(vc->c) : NULL;
	if (vc->form.changed && draft == NULL)
		complaint_store_draft_put(vc->db->st, vc->draft_id, vc->c, m->now);
	vc->form.focus = id == 0 && ticket == 0 && draft == NULL ? F_CHANNEL : F_RECEIVED;
	return &vc->view;
}
