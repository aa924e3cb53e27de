package tracker

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// The statutory notifications the local authority makes itself, which csprbot reminds it of.
var statutoryRules = []string{"panel_notification", "ofsted_sos_notification"}

// reportForm returns the Rapid Review report attached to (or written in) a message.
func reportForm(in *Incoming) (*Form, *Attachment) {
	for i := range in.Attachments {
		a := &in.Attachments[i]
		if a.Form != nil && a.Form.Kind == FormRapidReview {
			return a.Form, &a.Attachment
		}
	}
	if in.BodyForm != nil && in.BodyForm.Kind == FormRapidReview {
		return in.BodyForm, nil
	}
	return nil, nil
}

// quorumFrom finds which safeguarding partners the report's participants represent: an
// agency the directory knows by name, or the words that name a partner.
func (t *Tracker) quorumFrom(f *Form) (have map[string]bool, parts []Field) {
	have = map[string]bool{}
	for _, row := range f.Tables["participants"] {
		agency := strings.TrimSpace(row["agency"])
		role := strings.TrimSpace(row["role"])
		parts = append(parts, Field{Label: strings.TrimSpace(row["name"]), Value: strings.Trim(strings.Join([]string{role, agency}, ", "), ", ")})
		if ag, ok := t.cfg.agencyByName(agency); ok && ag.Partner != "" {
			have[ag.Partner] = true
			continue
		}
		if p := partnerByWords(agency + " " + role); p != "" {
			have[p] = true
		}
	}
	return have, parts
}

// partnerByWords reads which partner an agency's description names.
func partnerByWords(s string) string {
	s = " " + strings.ToLower(s) + " "
	has := func(words ...string) bool {
		for _, w := range words {
			if strings.Contains(s, w) {
				return true
			}
		}
		return false
	}
	switch {
	case has("police", " mps ", "constabulary"):
		return "police"
	case has("health", " icb", " ccg", "nhs", "clinical commissioning", "integrated care"):
		return "health"
	case has("council", "social care", "local authority", "children's services", "childrens services", "social work", " csc "):
		return "local_authority"
	}
	return ""
}

// recordReport takes a Rapid Review report sent in by staff: records it, checks quorum,
// prepares the National Panel submission (held for approval) and asks staff to approve.
func (t *Tracker) recordReport(ctx context.Context, tx *sql.Tx, now time.Time, caseID int64, in *Incoming, f *Form, att *Attachment, actor string) (string, error) {
	c, err := loadCase(ctx, tx, "id = ?", caseID)
	if err != nil {
		return "", err
	}
	switch c.stage {
	case StageClosed, StageLCSPR, StageNational:
		return "", fmt.Errorf("%w: case %s is at stage %s: its submission was already made", ErrRefused, c.ref, c.stage)
	}
	var sent int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM submissions WHERE case_id = ? AND status = 'approved'`, caseID).Scan(&sent); err != nil {
		return "", err
	}
	if sent > 0 {
		return "", fmt.Errorf("%w: the submission for %s was already approved and sent", ErrRefused, c.ref)
	}
	if why := formMismatch(f, c.ref, c.initials); why != "" {
		// Another case's report never becomes this case's National Panel draft.
		return "", fmt.Errorf("%w: %s; the report is recorded on the message but not used: send it on its own case", ErrRefused, why)
	}
	have, parts := t.quorumFrom(f)
	var missing []string
	for _, p := range quorumPartners {
		if !have[p] {
			missing = append(missing, p)
		}
	}
	rec := strings.ToLower(strings.TrimSpace(f.Fields["recommendation"]))
	rv := &RRView{ReviewDate: f.Fields["date_of_rapid_review"], Recommendation: rec, RecommendationLabel: RecommendationLabel(rec),
		Rationale: f.Fields["rationale"], Participants: parts, Quorate: len(missing) == 0, MissingPartners: partnerWords(missing)}
	if rec == "j" && f.Fields["recommendation_other"] != "" {
		rv.RecommendationLabel += ": " + f.Fields["recommendation_other"]
	}
	if m, ok, err := loadMeeting(ctx, tx, caseID); err != nil {
		return "", err
	} else if ok && m.status == "set" {
		rv.Meeting = m.at
		if err := t.meetDeadline(ctx, tx, now, caseID, "rr_meeting", "", m.at); err != nil {
			return "", err
		}
	}
	var extra []Attachment
	if att != nil {
		rv.ReportName = att.Name
		extra = append(extra, *att)
	} else {
		rv.ReportName = "(the report was given in the body of the email)"
	}
	// A second report replaces a first still awaiting approval.
	var old []string
	rows, err := tx.QueryContext(ctx, `SELECT outbox_msgid FROM submissions WHERE case_id = ? AND status = 'awaiting_approval'`, caseID)
	if err != nil {
		return "", err
	}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return "", err
		}
		old = append(old, id)
	}
	rows.Close()
	for _, id := range old {
		if _, err := tx.ExecContext(ctx, `UPDATE outbox SET status = 'superseded', last_error = 'replaced by a later Rapid Review report' WHERE message_id = ? AND status = 'awaiting_approval'`, id); err != nil {
			return "", err
		}
	}
	if _, err := tx.ExecContext(ctx, `UPDATE submissions SET status = 'superseded' WHERE case_id = ? AND status = 'awaiting_approval'`, caseID); err != nil {
		return "", err
	}

	if _, err := tx.ExecContext(ctx, `UPDATE cases SET stage = ? WHERE id = ?`, StageSubmission, caseID); err != nil {
		return "", err
	}
	view, err := t.caseView(ctx, tx, caseID, now)
	if err != nil {
		return "", err
	}
	to := t.cfg.Addresses.NationalPanel
	draft, err := t.enqueue(ctx, tx, now, outMsg{caseID: caseID, tmpl: TmplPanelSubmission, to: []string{to}, data: &MailData{Case: view, RR: rv}, extra: extra, draft: true})
	if err != nil {
		return "", err
	}
	// Held back until approved: the one place a submission is made ready is here, and
	// holdUnapproved below catches anything else.
	if _, err := tx.ExecContext(ctx, `UPDATE outbox SET status = 'awaiting_approval' WHERE message_id = ?`, draft); err != nil {
		return "", err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO submissions(case_id, report_msg, report_name, review_date, recommendation, rationale, quorate, missing,
		outbox_msgid, status, received_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'awaiting_approval', ?, ?)`,
		caseID, in.MessageID, rv.ReportName, rv.ReviewDate, rec, rv.Rationale, rv.Quorate, strings.Join(missing, ","), draft, actor, ts(now)); err != nil {
		return "", err
	}
	detail := fmt.Sprintf("Rapid Review report received from %s (%s); recommendation %q", actor, rv.ReportName, rec)
	if rv.Quorate {
		detail += "; quorate"
	} else {
		detail += "; NOT quorate: no participant from " + strings.Join(missing, ", ")
	}
	if err := audit(ctx, tx, now, caseID, actor, "report_received", detail); err != nil {
		return "", err
	}
	if err := audit(ctx, tx, now, caseID, "csprbot", "submission_prepared", "submission to the National Panel prepared, awaiting approval: "+draft); err != nil {
		return "", err
	}
	if len(t.cfg.Staff) > 0 {
		if _, err := t.enqueue(ctx, tx, now, outMsg{caseID: caseID, tmpl: TmplApprovalRequest, to: t.staffAddrs(),
			inReplyTo: in.MessageID, references: append(append([]string{}, in.References...), in.MessageID),
			data: &MailData{Case: view, RR: rv}}); err != nil {
			return "", err
		}
	}
	if err := t.holdUnapproved(ctx, tx, now); err != nil {
		return "", err
	}
	out := "Rapid Review report recorded; the submission to the National Panel is prepared and awaits approval (reply \"Approve\")"
	if rec == "" {
		out += "; the report gives no recommendation (a–j) csprbot could read: it cannot be approved until it is sent again with its recommendation ticked"
	}
	if !rv.Quorate {
		out += "; the meeting was not quorate: no participant from " + strings.Join(partnerWords(missing), ", ")
	}
	return out, nil
}

// nationalAddrs are the addresses nothing may go to without an approval: the National
// Panel, Ofsted, the DfE and the NSPCC.
func (t *Tracker) nationalAddrs() map[string]bool {
	m := map[string]bool{}
	for _, a := range []string{t.cfg.Addresses.NationalPanel, t.cfg.Addresses.Ofsted, t.cfg.Addresses.DfE, t.cfg.Addresses.NSPCC} {
		if a = normAddr(a); a != "" {
			m[a] = true
		}
	}
	return m
}

// holdUnapproved applies the send policy (outbox.go) to the queued emails to the National
// Panel, Ofsted or the DfE: one that is not an approved submission is held for a person.
// It runs after every submission change and on every tick.
func (t *Tracker) holdUnapproved(ctx context.Context, tx *sql.Tx, now time.Time) error {
	nat := t.nationalAddrs()
	if len(nat) == 0 {
		return nil
	}
	rows, err := tx.QueryContext(ctx, `SELECT o.id, coalesce(o.case_id, 0), o.message_id, o.recipients FROM outbox o
		WHERE o.status = 'queued' AND NOT EXISTS (SELECT 1 FROM submissions s WHERE s.outbox_msgid = o.message_id AND s.status = 'approved')`)
	if err != nil {
		return err
	}
	type bad struct {
		id, caseID int64
		msgid      string
		to         []string
	}
	var hold []bad
	for rows.Next() {
		var b bad
		var rcpt string
		if err := rows.Scan(&b.id, &b.caseID, &b.msgid, &rcpt); err != nil {
			rows.Close()
			return err
		}
		national := false
		for _, a := range strings.Split(rcpt, ",") {
			if a = normAddr(a); a != "" {
				b.to = append(b.to, a)
				national = national || nat[a]
			}
		}
		if national {
			hold = append(hold, b)
		}
	}
	rows.Close()
	for _, b := range hold {
		// The rule itself is the send policy's (outbox.go), as at the moment of sending.
		v, err := t.sendPolicy(ctx, tx, now, atSend, policyMail{caseID: b.caseID, messageID: b.msgid, to: b.to})
		if err != nil {
			return err
		}
		if v.status == "queued" {
			continue
		}
		if _, err := tx.ExecContext(ctx, `UPDATE outbox SET status = 'held', last_error = ? WHERE id = ?`, v.why, b.id); err != nil {
			return err
		}
		if err := audit(ctx, tx, now, b.caseID, "csprbot", "message_out_held", b.msgid+": to a national body: "+v.why); err != nil {
			return err
		}
	}
	return nil
}

// HoldUnapproved runs holdUnapproved in its own transaction (the daemon calls it before
// sending).
func (t *Tracker) HoldUnapproved(ctx context.Context) error {
	if err := t.tx(ctx, func(tx *sql.Tx) error { return t.holdUnapproved(ctx, tx, t.Now()) }); err != nil {
		return fmt.Errorf("tracker: hold unapproved: %w", err)
	}
	return nil
}

// ApprovalResult says what Approve did.
type ApprovalResult struct {
	Ref            string
	Recommendation string
	Stage          string // the case's stage after
	SubmissionLate string // "" if rr_submission was met, else how late
	// Held says why the approved submission is held and not sent (the Panel's address
	// bounced, say); "" when it is queued. rr_submission is then met only when it goes.
	Held     string
	Notified []string
}

// Approve approves a case's prepared National Panel submission: it is queued once, the
// rr_submission deadline is met (or missed, with how late), every agency and the referrer
// are told the outcome, and the case moves on by the recommendation.
func (t *Tracker) Approve(ctx context.Context, ref, actor string) (ApprovalResult, error) {
	return onCase(ctx, t, ref, "approve", func(tx *sql.Tx, now time.Time, c caseRow) (ApprovalResult, error) {
		return t.approve(ctx, tx, now, c, actor)
	})
}

func (t *Tracker) approve(ctx context.Context, tx *sql.Tx, now time.Time, c caseRow, actor string) (ApprovalResult, error) {
	res := ApprovalResult{Ref: c.ref}
	var id int64
	var draft, rec, rationale string
	err := tx.QueryRowContext(ctx, `SELECT id, outbox_msgid, recommendation, rationale FROM submissions WHERE case_id = ? AND status = 'awaiting_approval' ORDER BY id DESC LIMIT 1`,
		c.id).Scan(&id, &draft, &rec, &rationale)
	if errors.Is(err, sql.ErrNoRows) {
		var done int
		_ = tx.QueryRowContext(ctx, `SELECT count(*) FROM submissions WHERE case_id = ? AND status = 'approved'`, c.id).Scan(&done)
		if done > 0 {
			return res, fmt.Errorf("%w: the submission for %s was already approved; it is not sent twice", ErrRefused, c.ref)
		}
		return res, fmt.Errorf("%w: %s has no submission awaiting approval: the Rapid Review report has not been received", ErrRefused, c.ref)
	}
	if err != nil {
		return res, err
	}
	if strings.TrimSpace(rec) == "" {
		// What follows the Rapid Review (a local review, the National Panel's, an
		// alternative review, none) is the recommendation's: a report that gives none
		// cannot be approved, or the case would close with no decision and every agency
		// be told "see the Rapid Review report". Nothing is sent; the draft keeps waiting.
		return res, fmt.Errorf("%w: the Rapid Review report for %s gives no recommendation (a–j) that csprbot could read, so it cannot tell what follows the review; nothing was sent. Send the report again with its recommendation ticked (it replaces this one), then approve", ErrRefused, c.ref)
	}
	res.Recommendation = rec
	if _, err := tx.ExecContext(ctx, `UPDATE submissions SET status = 'approved', approved_by = ?, approved_at = ? WHERE id = ?`, actor, ts(now), id); err != nil {
		return res, err
	}
	// Queued now, if the send policy lets it go on a person's approval (outbox.go): a
	// bounced or refused address holds it, as it holds any other email.
	var rcpt string
	if err := tx.QueryRowContext(ctx, `SELECT recipients FROM outbox WHERE message_id = ?`, draft).Scan(&rcpt); err != nil {
		return res, err
	}
	var to []string
	for _, a := range strings.Split(rcpt, ",") {
		if a = normAddr(a); a != "" {
			to = append(to, a)
		}
	}
	v, err := t.sendPolicy(ctx, tx, now, atRelease, policyMail{caseID: c.id, messageID: draft, to: to})
	if err != nil {
		return res, err
	}
	status, lastErr := v.status, v.why
	if len(to) == 0 {
		lastErr = "held for a person: no National Panel address is configured ([addresses] national_panel)"
	}
	if _, err := tx.ExecContext(ctx, `UPDATE outbox SET status = ?, last_error = ?, next_attempt_at = ? WHERE message_id = ? AND status = 'awaiting_approval'`,
		status, lastErr, ts(now), draft); err != nil {
		return res, err
	}
	if err := audit(ctx, tx, now, c.id, actor, "submission_approved", fmt.Sprintf("submission to the National Panel approved by %s; %s: %s", actor, status, draft)); err != nil {
		return res, err
	}
	if err := t.ensureDeadline(ctx, tx, c, "rr_submission"); err != nil {
		return res, err
	}
	if status == "queued" {
		if err := t.meetDeadline(ctx, tx, now, c.id, "rr_submission", "", now); err != nil {
			return res, err
		}
	} else {
		// Approved but not going: the approver is told so and why, and rr_submission is
		// met when the email is sent (recordOutcome), not now.
		res.Held = strings.TrimPrefix(strings.TrimPrefix(lastErr, "held for a person: "), "held: ")
		t.log.Warn("the approved National Panel submission is held, not sent", "case", c.ref, "message_id", draft, "why", v.code)
	}
	var st, note string
	_ = tx.QueryRowContext(ctx, `SELECT status, note FROM deadlines WHERE case_id = ? AND rule = 'rr_submission' AND agency = ''`, c.id).Scan(&st, &note)
	if st == "missed" {
		res.SubmissionLate = note
	}

	// The outcome, to every agency and the referrer.
	stage, outcome := StageClosed, "no further review: "+strings.ToLower(RecommendationLabel(rec))
	switch rec {
	case "a":
		stage, outcome = StageNational, "a national Child Safeguarding Practice Review is recommended to the National Panel"
	case "b":
		stage, outcome = StageLCSPR, "a local Child Safeguarding Practice Review will be carried out"
	case "c":
		stage, outcome = StageAlternative, "an alternative learning review will be carried out"
	case "":
		outcome = "see the Rapid Review report"
	}
	m, _, err := loadMeeting(ctx, tx, c.id)
	if err != nil {
		return res, err
	}
	if err := t.ensureDeadline(ctx, tx, c, "outcome_notice"); err != nil {
		return res, err
	}
	view, err := t.caseView(ctx, tx, c.id, now)
	if err != nil {
		return res, err
	}
	rv := &RRView{Recommendation: rec, RecommendationLabel: RecommendationLabel(rec), Rationale: rationale, Approver: actor, Outcome: outcome}
	if m.status == "set" {
		rv.Meeting = m.at
	}
	seen := map[string]bool{}
	send := func(addr, agency string) error {
		addr = normAddr(addr)
		if addr == "" || seen[addr] {
			return nil
		}
		seen[addr] = true
		d := &MailData{Case: view, RR: rv}
		if agency != "" {
			d.Agency = t.agencyView(ctx, tx, c.id, agency)
		}
		if _, err := t.enqueue(ctx, tx, now, outMsg{caseID: c.id, agency: agency, tmpl: TmplOutcomeNotice, to: []string{addr}, data: d}); err != nil {
			return err
		}
		res.Notified = append(res.Notified, addr)
		return nil
	}
	for _, a := range view.Agencies {
		email := a.Email
		if ag, ok := t.cfg.agencyByName(a.Name); ok && email == "" {
			email = ag.Email
		}
		if err := send(email, a.Name); err != nil {
			return res, err
		}
	}
	if err := send(c.referrerEmail, ""); err != nil {
		return res, err
	}
	if err := t.meetDeadline(ctx, tx, now, c.id, "outcome_notice", "", now); err != nil {
		return res, err
	}
	if err := audit(ctx, tx, now, c.id, "csprbot", "outcome_notified", fmt.Sprintf("outcome (%s) sent to %s", outcome, strings.Join(res.Notified, ", "))); err != nil {
		return res, err
	}
	res.Stage = stage
	if stage == StageClosed {
		reason := "Rapid Review recommendation " + rec
		if l := RecommendationLabel(rec); l != "" {
			reason += " (" + l + ")"
		}
		if rationale != "" {
			reason += ": " + rationale
		}
		if err := t.closeCase(ctx, tx, now, c.id, reason, actor); err != nil { // settle.go
			return res, err
		}
	} else {
		if _, err := tx.ExecContext(ctx, `UPDATE cases SET stage = ? WHERE id = ?`, stage, c.id); err != nil {
			return res, err
		}
		if err := audit(ctx, tx, now, c.id, actor, "stage", "Rapid Review recommendation "+rec+": stage "+stage); err != nil {
			return res, err
		}
	}
	// What the recommendation leads to, and the date it was decided (decision.go).
	if err := t.afterApproval(ctx, tx, now, c.id, rec, actor); err != nil {
		return res, err
	}
	return res, t.holdUnapproved(ctx, tx, now)
}

// ensureDeadline sets a rule's deadline for the case if it has none yet.
func (t *Tracker) ensureDeadline(ctx context.Context, tx *sql.Tx, c caseRow, rule string) error {
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM deadlines WHERE case_id = ? AND rule = ? AND agency = ''`, c.id, rule).Scan(&n); err != nil || n > 0 {
		return err
	}
	m, _, err := loadMeeting(ctx, tx, c.id)
	if err != nil {
		return err
	}
	var at time.Time
	if m.status == "set" {
		at = m.at
	}
	return t.setDeadline(ctx, tx, c.id, rule, "", t.caseAnchors(c, at))
}

// Notified records that the local authority made a statutory notification (which is
// "panel" or "ofsted") on date (zero: now): the deadline is met, or missed with how late.
func (t *Tracker) Notified(ctx context.Context, ref, which string, date time.Time, actor string) (string, error) {
	return onCase(ctx, t, ref, "notified", func(tx *sql.Tx, now time.Time, c caseRow) (string, error) {
		return t.notified(ctx, tx, now, c, which, date, actor)
	})
}

func (t *Tracker) notified(ctx context.Context, tx *sql.Tx, now time.Time, c caseRow, which string, date time.Time, actor string) (string, error) {
	rule := ""
	switch strings.ToLower(strings.TrimSpace(which)) {
	case "panel", "national panel":
		rule = "panel_notification"
	case "ofsted", "sos", "ofsted and sos":
		rule = "ofsted_sos_notification"
	default:
		return "", fmt.Errorf("%w: notified %q: want panel or ofsted", ErrRefused, which)
	}
	at := now
	if !date.IsZero() {
		at = date
	}
	if at.After(now) {
		return "", fmt.Errorf("%w: %s is in the future", ErrRefused, at.In(t.cal.Location()).Format("2 Jan 2006"))
	}
	var status string
	err := tx.QueryRowContext(ctx, `SELECT status FROM deadlines WHERE case_id = ? AND rule = ? AND agency = ''`, c.id, rule).Scan(&status)
	if errors.Is(err, sql.ErrNoRows) {
		if rule == "ofsted_sos_notification" {
			// Not expected for this case (the child was not looked after, or did not die),
			// but recorded all the same.
			if err := audit(ctx, tx, now, c.id, actor, "notified", rule+" recorded on "+t.londonDay(at)+" (no such deadline on this case)"); err != nil {
				return "", err
			}
			return rule + " recorded (this case had no such deadline)", nil
		}
		return "", fmt.Errorf("%w: %s has no %s deadline", ErrRefused, c.ref, rule)
	}
	if err != nil {
		return "", err
	}
	if status != "pending" {
		return "", fmt.Errorf("%w: %s is already %s", ErrRefused, rule, status)
	}
	if err := t.meetDeadline(ctx, tx, now, c.id, rule, "", at); err != nil {
		return "", err
	}
	var note string
	_ = tx.QueryRowContext(ctx, `SELECT status, note FROM deadlines WHERE case_id = ? AND rule = ? AND agency = ''`, c.id, rule).Scan(&status, &note)
	if err := audit(ctx, tx, now, c.id, actor, "notified", fmt.Sprintf("%s done on %s, recorded by %s: %s %s", rule, t.londonDay(at), actor, status, note)); err != nil {
		return "", err
	}
	return strings.TrimSpace(fmt.Sprintf("%s recorded as done on %s: %s %s", rule, t.londonDay(at), status, note)), nil
}

// SetAware records the day the local authority became aware of the incident and counts
// again every pending deadline that counts from it.
func (t *Tracker) SetAware(ctx context.Context, ref string, date time.Time, actor string) (string, error) {
	return onCase(ctx, t, ref, "aware", func(tx *sql.Tx, now time.Time, c caseRow) (string, error) {
		return t.setAware(ctx, tx, now, c, date, actor)
	})
}

func (t *Tracker) setAware(ctx context.Context, tx *sql.Tx, now time.Time, c caseRow, date time.Time, actor string) (string, error) {
	if date.After(now) {
		return "", fmt.Errorf("%w: %s is in the future", ErrRefused, t.londonDay(date))
	}
	if _, err := tx.ExecContext(ctx, `UPDATE cases SET aware_at = ? WHERE id = ?`, ts(date), c.id); err != nil {
		return "", err
	}
	c.aware = date
	m, _, err := loadMeeting(ctx, tx, c.id)
	if err != nil {
		return "", err
	}
	var meeting time.Time
	if m.status == "set" {
		meeting = m.at
	}
	anchors := t.caseAnchors(c, meeting)
	rows, err := tx.QueryContext(ctx, `SELECT rule FROM deadlines WHERE case_id = ? AND agency = '' AND status = 'pending'`, c.id)
	if err != nil {
		return "", err
	}
	var rules []string
	for rows.Next() {
		var r string
		if err := rows.Scan(&r); err != nil {
			rows.Close()
			return "", err
		}
		rules = append(rules, r)
	}
	rows.Close()
	var changed []string
	for _, name := range rules {
		r, ok := t.cfg.rule(name)
		if !ok || r.From != AnchorAware && r.AlsoFrom != AnchorAware {
			continue
		}
		if err := t.setDeadline(ctx, tx, c.id, name, "", anchors); err != nil {
			return "", err
		}
		var due string
		_ = tx.QueryRowContext(ctx, `SELECT due_at FROM deadlines WHERE case_id = ? AND rule = ? AND agency = ''`, c.id, name).Scan(&due)
		d, _ := time.Parse(time.RFC3339, due)
		changed = append(changed, name+" now due "+d.In(t.cal.Location()).Format("Mon 2 Jan 2006 15:04"))
	}
	detail := fmt.Sprintf("became aware of the incident on %s (recorded by %s)", t.londonDay(date), actor)
	if len(changed) > 0 {
		detail += "; " + strings.Join(changed, "; ")
	}
	return detail, audit(ctx, tx, now, c.id, actor, "aware_set", detail)
}

// Extend moves an agency's scoping return to a new due date (17:00 London that day);
// no reminder or chaser goes to it before then.
func (t *Tracker) Extend(ctx context.Context, ref, agency string, to time.Time, actor string) (string, error) {
	return onCase(ctx, t, ref, "extend", func(tx *sql.Tx, now time.Time, c caseRow) (string, error) {
		return t.extend(ctx, tx, now, c, agency, to, actor)
	})
}

// caseReturn finds a case's return by the agency's name or alias.
func (t *Tracker) caseReturn(ctx context.Context, tx *sql.Tx, caseID int64, name string) (string, string, error) {
	want := normName(name)
	if ag, ok := t.cfg.agencyByName(name); ok {
		want = normName(ag.Name)
	}
	rows, err := tx.QueryContext(ctx, `SELECT agency, status FROM returns WHERE case_id = ? AND kind = 'scoping'`, caseID)
	if err != nil {
		return "", "", err
	}
	defer rows.Close()
	for rows.Next() {
		var a, s string
		if err := rows.Scan(&a, &s); err != nil {
			return "", "", err
		}
		if normName(a) == want {
			return a, s, nil
		}
	}
	if err := rows.Err(); err != nil {
		return "", "", err
	}
	return "", "", fmt.Errorf("%w: no scoping return was asked of %q on this case", ErrRefused, name)
}

func (t *Tracker) extend(ctx context.Context, tx *sql.Tx, now time.Time, c caseRow, agency string, to time.Time, actor string) (string, error) {
	name, status, err := t.caseReturn(ctx, tx, c.id, agency)
	if err != nil {
		return "", err
	}
	if status == "received" || status == "nil_return" {
		return "", fmt.Errorf("%w: %s's return is already in", ErrRefused, name)
	}
	due := t.cal.At(to, 17, 0)
	if !due.After(now) {
		return "", fmt.Errorf("%w: %s is not in the future", ErrRefused, due.In(t.cal.Location()).Format("Mon 2 Jan 2006 15:04"))
	}
	// A new date starts the chasing afresh: a reminder before it, chasers after it.
	if _, err := tx.ExecContext(ctx, `UPDATE returns SET due_at = ?, due_set_at = ?, status = 'awaiting', chasers_sent = 0, note = ? WHERE case_id = ? AND agency = ? AND kind = 'scoping'`,
		ts(due), ts(now), "extended by "+actor+" to "+t.londonDay(due), c.id, name); err != nil {
		return "", err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE deadlines SET due_at = ?, status = 'pending', met_at = NULL, note = ? WHERE case_id = ? AND rule = 'scoping_return' AND agency = ?`,
		ts(due), "extended by "+actor, c.id, name); err != nil {
		return "", err
	}
	out := fmt.Sprintf("%s's scoping return extended to %s", name, due.In(t.cal.Location()).Format("15:04 Mon 2 Jan 2006"))
	return out, audit(ctx, tx, now, c.id, actor, "deadline_extended", out)
}

// Waive waives an agency's scoping return: no more reminders or chasers.
func (t *Tracker) Waive(ctx context.Context, ref, agency, actor string) (string, error) {
	return onCase(ctx, t, ref, "waive", func(tx *sql.Tx, now time.Time, c caseRow) (string, error) {
		return t.waive(ctx, tx, now, c, agency, actor)
	})
}

func (t *Tracker) waive(ctx context.Context, tx *sql.Tx, now time.Time, c caseRow, agency, actor string) (string, error) {
	name, status, err := t.caseReturn(ctx, tx, c.id, agency)
	if err != nil {
		return "", err
	}
	if status == "received" || status == "nil_return" {
		return "", fmt.Errorf("%w: %s's return is already in", ErrRefused, name)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE returns SET status = 'waived', note = ? WHERE case_id = ? AND agency = ? AND kind = 'scoping'`, "waived by "+actor, c.id, name); err != nil {
		return "", err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE deadlines SET status = 'waived', note = ? WHERE case_id = ? AND rule = 'scoping_return' AND agency = ?`,
		"waived by "+actor, c.id, name); err != nil {
		return "", err
	}
	// With no return awaited any more, the case may move on to the Rapid Review.
	var awaiting int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM returns WHERE case_id = ? AND kind = 'scoping' AND status NOT IN ('received', 'nil_return', 'waived')`, c.id).Scan(&awaiting); err != nil {
		return "", err
	}
	if awaiting == 0 && c.stage == StageScoping {
		if _, err := tx.ExecContext(ctx, `UPDATE cases SET stage = ? WHERE id = ?`, StageRapidReview, c.id); err != nil {
			return "", err
		}
		if err := audit(ctx, tx, now, c.id, "csprbot", "stage", "no scoping return awaited: stage rapid_review"); err != nil {
			return "", err
		}
	}
	out := name + "'s scoping return waived: no more reminders or chasers"
	return out, audit(ctx, tx, now, c.id, actor, "deadline_waived", out)
}

// statutoryDueQuery finds the statutory deadlines TickStatutory may have to remind of: the
// local authority's, pending, on open cases, due before the window's bound (4th argument),
// whose reminder of the kind their due time calls for now (5th: overdue when due before
// it) has not gone.
const statutoryDueQuery = `SELECT d.case_id, d.rule, d.due_at FROM deadlines d JOIN cases c ON c.id = d.case_id
		WHERE d.status = 'pending' AND d.agency = '' AND d.rule IN (?, ?) AND c.stage != ? AND d.due_at < ?
		AND NOT EXISTS (SELECT 1 FROM statutory_sent s WHERE s.case_id = d.case_id AND s.rule = d.rule
			AND s.kind = CASE WHEN d.due_at < ? THEN 'overdue' ELSE 'before' END)
		ORDER BY d.case_id, d.id`

// TickStatutory reminds the local authority lead of the statutory notifications
// (panel_notification, ofsted_sos_notification): once from the chase hour on the working
// day before each is due, and once when it is overdue, on a working day. A second run
// sends nothing again.
func (t *Tracker) TickStatutory(ctx context.Context) (int, error) {
	now := t.Now()
	if !t.cal.IsWorkingDay(now) || now.Before(t.cal.At(now, t.cfg.ChaseHour, 0)) {
		return 0, nil
	}
	var la DirectoryAgency
	for _, a := range t.cfg.Agencies {
		if a.Partner == "local_authority" {
			la = a
			break
		}
	}
	if la.Email == "" {
		return 0, nil
	}
	type item struct {
		caseID int64
		rule   string
		due    time.Time
	}
	// Only deadlines inside the reminder window (the 'before' reminder is due from the
	// working day before; the bound, the second working day's cut-off, is looser and the
	// exact test is below) whose reminder of that kind has not gone: the others would each
	// cost a write transaction every pass to find nothing to do.
	rows, err := t.db.QueryContext(ctx, statutoryDueQuery,
		statutoryRules[0], statutoryRules[1], StageClosed, ts(t.cal.AddWorkingDays(now, 2)), ts(now))
	if err != nil {
		return 0, fmt.Errorf("tracker: tick statutory: %w", err)
	}
	var items []item
	for rows.Next() {
		var it item
		var due string
		if err := rows.Scan(&it.caseID, &it.rule, &due); err != nil {
			rows.Close()
			return 0, err
		}
		it.due, _ = time.Parse(time.RFC3339, due)
		items = append(items, it)
	}
	rows.Close()
	sent := 0
	for _, it := range items {
		kind := ""
		switch {
		case now.After(it.due):
			kind = "overdue"
		case !now.Before(t.cal.At(t.cal.AddWorkingDays(it.due, -1), t.cfg.ChaseHour, 0)):
			kind = "before"
		default:
			continue
		}
		err := t.tx(ctx, func(tx *sql.Tx) error {
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM statutory_sent WHERE case_id = ? AND rule = ? AND kind = ?`, it.caseID, it.rule, kind).Scan(&n); err != nil || n > 0 {
				return err
			}
			var status string
			if err := tx.QueryRowContext(ctx, `SELECT status FROM deadlines WHERE case_id = ? AND rule = ? AND agency = ''`, it.caseID, it.rule).Scan(&status); err != nil || status != "pending" {
				return err
			}
			if ok, err := claimDay(ctx, tx, it.caseID, la.Email, t.londonDay(now), TmplStatutoryReminder); err != nil || !ok {
				return err
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO statutory_sent(case_id, rule, kind, at) VALUES (?, ?, ?, ?)`, it.caseID, it.rule, kind, ts(now)); err != nil {
				return err
			}
			view, err := t.caseView(ctx, tx, it.caseID, now)
			if err != nil {
				return err
			}
			label := it.rule
			if r, ok := t.cfg.rule(it.rule); ok && r.Label != "" {
				label = r.Label
			}
			if _, err := t.enqueue(ctx, tx, now, outMsg{caseID: it.caseID, agency: la.Name, tmpl: TmplStatutoryReminder, to: []string{la.Email},
				data: &MailData{Case: view, Agency: t.agencyView(ctx, tx, it.caseID, la.Name), Due: it.due,
					RR: &RRView{Rule: it.rule, RuleLabel: label, Overdue: kind == "overdue"}}}); err != nil {
				return err
			}
			sent++
			return audit(ctx, tx, now, it.caseID, "csprbot", "statutory_reminder", fmt.Sprintf("%s reminder (%s) to %s: due %s", it.rule, kind, la.Name, ts(it.due)))
		})
		if err != nil {
			return sent, fmt.Errorf("tracker: tick statutory: %w", err)
		}
	}
	return sent, nil
}

// TickRR runs the Rapid Review's scheduled work: statutory reminders, meeting papers,
// the weekly digest, and the hold on unapproved mail to national bodies. The daemon calls
// it on every cycle, after Tick and before SendDue.
func (t *Tracker) TickRR(ctx context.Context) error {
	var errs []error
	if _, err := t.TickStatutory(ctx); err != nil {
		errs = append(errs, err)
	}
	if _, err := t.TickMeetings(ctx); err != nil {
		errs = append(errs, err)
	}
	if _, err := t.TickDigest(ctx); err != nil {
		errs = append(errs, err)
	}
	if _, err := t.TickLCSPR(ctx); err != nil { // the six-month clock (lcspr_clock.go)
		errs = append(errs, err)
	}
	if err := t.HoldUnapproved(ctx); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}
