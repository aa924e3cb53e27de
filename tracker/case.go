package tracker

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"
	"unicode"
)

// Stages of a case.
const (
	StageReferral    = "referral"     // received; scoping not yet sent
	StageScoping     = "scoping"      // scoping requests out, returns awaited
	StageRapidReview = "rapid_review" // returns in (or due passed); meeting and report
	StageSubmission  = "submission"   // report prepared, awaiting approval / sent
	StageLCSPR       = "lcspr"
	StageNational    = "national_review"
	StageClosed      = "closed"
)

// Initials makes a child's anonymised initials from a name: first letters of the first
// and last words ("Jane Mary Doe" → "JD").
func Initials(name string) string {
	words := strings.FieldsFunc(name, func(r rune) bool { return !unicode.IsLetter(r) && r != '\'' })
	var ws []string
	for _, w := range words {
		w = strings.Trim(w, "'")
		if w != "" {
			ws = append(ws, w)
		}
	}
	if len(ws) == 0 {
		return ""
	}
	first := []rune(ws[0])[0]
	if len(ws) == 1 {
		return string(unicode.ToUpper(first))
	}
	last := []rune(ws[len(ws)-1])[0]
	return string(unicode.ToUpper(first)) + string(unicode.ToUpper(last))
}

func (t *Tracker) nextRef(ctx context.Context, tx *sql.Tx, at time.Time) (string, int, int, error) {
	year := at.In(t.cal.Location()).Year()
	var seq int
	if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(seq), 0) + 1 FROM cases WHERE year = ?`, year).Scan(&seq); err != nil {
		return "", 0, 0, err
	}
	return fmt.Sprintf("%s-%d-%03d", t.cfg.RefPrefix, year, seq), year, seq, nil
}

// newCase opens a case from a referral (form may be nil: the referral could not be read,
// and the case is marked for a person to complete).
func (t *Tracker) newCase(ctx context.Context, tx *sql.Tx, now time.Time, in *Incoming, form *Form, unreadable bool, res *IngestResult) error {
	ref, year, seq, err := t.nextRef(ctx, tx, in.ReceivedAt)
	if err != nil {
		return err
	}
	f := map[string]string{}
	if form != nil {
		f = form.Fields
	}
	var missing []string
	for _, k := range []string{"child_name", "incident_date", "date_of_referral"} {
		if f[k] == "" {
			missing = append(missing, k)
		}
	}
	needs := unreadable || form == nil || f["child_name"] == "" || f["incident_date"] == ""
	// The referrer we write to is whoever sent the referral, never an address typed into
	// the form: a typed one is shown to staff, not used.
	referrerEmail := normAddr(in.From)
	var warnings []string
	if in.Auto != "" {
		// A list or an e-form system is not a referrer: nothing about the case goes back
		// to it (not the acknowledgement, not the outcome).
		referrerEmail = ""
	}
	if typed := normAddr(f["referrer_email"]); typed != "" && referrerEmail != "" && typed != referrerEmail {
		warnings = append(warnings, fmt.Sprintf("the form gives the referrer's email as %s, but the referral came from %s: csprbot writes only to the sender", typed, referrerEmail))
	}
	lookedAfter := f["looked_after"] == "yes"
	fj, _ := json.Marshal(form)
	if form == nil {
		fj = []byte("{}")
	}
	r, err := tx.ExecContext(ctx, `INSERT INTO cases(ref, year, seq, stage, child_initials, referral_received, incident_date, incident_kind,
		looked_after, referrer_name, referrer_agency, referrer_email, needs_completion, referral_json, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		ref, year, seq, StageReferral, Initials(f["child_name"]), ts(in.ReceivedAt), f["incident_date"], f["incident_kind"],
		lookedAfter, f["referrer_name"], f["referrer_agency"], referrerEmail, needs, string(fj), ts(now))
	if err != nil {
		return err
	}
	caseID, _ := r.LastInsertId()
	res.CaseRef, res.Disposition = ref, DispReferral
	if needs {
		res.Disposition = DispNeedsInput
	}

	// Agencies: the statutory partners, then those the referral names.
	for _, a := range t.cfg.Agencies {
		if a.Partner != "" {
			if err := addCaseAgency(ctx, tx, caseID, a.Name, a.Email, a.Partner, "statutory partner", "partner"); err != nil {
				return err
			}
		}
	}
	if form != nil {
		added := 0
		for _, row := range form.Tables["agencies"] {
			name := strings.TrimSpace(row["agency"])
			if name == "" {
				continue
			}
			if added == MaxAgenciesPerReferral {
				warnings = append(warnings, fmt.Sprintf("the referral names more than %d agencies: only the first %d were added; add others by command", MaxAgenciesPerReferral, MaxAgenciesPerReferral))
				break
			}
			added++
			typed := normAddr(row["email"])
			if ag, ok := t.cfg.agencyByName(name); ok {
				if err := addCaseAgency(ctx, tx, caseID, ag.Name, ag.Email, "", row["reason"], "referral"); err != nil {
					return err
				}
				continue
			}
			if ag, ok := t.cfg.agencyByEmail(typed); ok && typed != "" {
				if err := addCaseAgency(ctx, tx, caseID, ag.Name, ag.Email, "", row["reason"], "referral"); err != nil {
					return err
				}
				continue
			}
			// Not in the directory: the agency is on the case, but an address typed into a
			// form is only a suggestion for staff, never a recipient by itself.
			name = clip(name, 120)
			if err := addCaseAgency(ctx, tx, caseID, name, "", "", row["reason"], "referral"); err != nil {
				return err
			}
			if typed != "" {
				if _, err := tx.ExecContext(ctx, `UPDATE case_agencies SET suggested_email = ? WHERE case_id = ? AND name = ?`, typed, caseID, name); err != nil {
					return err
				}
				warnings = append(warnings, fmt.Sprintf("%s is not in the directory; the form gives %s. Nothing is sent to it unless you accept it by replying: Add agency: %s <%s>", name, typed, name, typed))
			}
		}
	}

	if err := t.openCaseDeadlines(ctx, tx, caseID, in.ReceivedAt, lookedAfter && f["incident_kind"] == "death"); err != nil {
		return err
	}
	if form != nil && form.Kind == FormNotification {
		if err := t.afterNotification(ctx, tx, now, caseID, form, in.ReceivedAt); err != nil {
			return err
		}
	}
	detail := "case opened from referral message " + in.MessageID
	if needs {
		detail += "; the referral could not be read in full (missing: " + strings.Join(missing, ", ") + "): a person must complete it"
	}
	if err := audit(ctx, tx, now, caseID, normAddr(in.From), "case_created", detail); err != nil {
		return err
	}

	c, err := t.caseView(ctx, tx, caseID, now)
	if err != nil {
		return err
	}
	if form != nil {
		c.Warnings = append(c.Warnings, form.Warnings...)
		if len(form.Unanswered) > 0 {
			labels := make([]string, len(form.Unanswered))
			for i, k := range form.Unanswered {
				labels[i] = fieldLabel(k)
			}
			c.Warnings = append(c.Warnings, "the referral form does not answer these; a person must complete them: "+strings.Join(labels, "; "))
		}
	}
	c.Warnings = append(c.Warnings, warnings...)
	if in.Auto != "" {
		c.Warnings = append(c.Warnings, fmt.Sprintf("the referral arrived as automatic mail (%s): no acknowledgement was sent to its sender", in.Auto))
	}
	for _, a := range in.Attachments {
		if a.ParseError != "" {
			c.Warnings = append(c.Warnings, fmt.Sprintf("attachment %s could not be read: %s", a.Name, a.ParseError))
		}
	}
	if in.Auto == "" {
		if _, err := t.enqueue(ctx, tx, now, outMsg{caseID: caseID, tmpl: TmplAckReferrer, to: []string{in.From},
			inReplyTo: in.MessageID, references: append(in.References, in.MessageID), data: &MailData{Case: c}}); err != nil {
			return err
		}
	}
	if len(t.cfg.Staff) > 0 {
		if _, err := t.enqueue(ctx, tx, now, outMsg{caseID: caseID, tmpl: TmplStaffNewReferral, to: t.staffAddrs(),
			data: &MailData{Case: c}}); err != nil {
			return err
		}
	}
	return nil
}

func addCaseAgency(ctx context.Context, tx *sql.Tx, caseID int64, name, email, partner, reason, source string) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO case_agencies(case_id, name, email, partner, reason, source) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT(case_id, name) DO UPDATE SET reason = CASE WHEN case_agencies.reason = '' OR case_agencies.reason = 'statutory partner'
			THEN excluded.reason ELSE case_agencies.reason END`, caseID, name, normAddr(email), partner, reason, source)
	return err
}

// MaxAgenciesPerReferral caps the agencies one referral form may add to a case.
const MaxAgenciesPerReferral = 30

func clip(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n])
	}
	return s
}

// openCaseDeadlines sets the deadlines of a new case (process.md rules 2–8).
func (t *Tracker) openCaseDeadlines(ctx context.Context, tx *sql.Tx, caseID int64, received time.Time, lacDeath bool) error {
	anchors := map[Anchor]time.Time{AnchorReferral: received, AnchorAware: received}
	for _, name := range []string{"panel_notification", "ofsted_sos_notification", "scoping_sent", "rr_meeting", "rr_submission"} {
		if name == "ofsted_sos_notification" && !lacDeath {
			continue
		}
		if err := t.setDeadline(ctx, tx, caseID, name, "", anchors); err != nil {
			return err
		}
	}
	return nil
}

// setDeadline computes a rule's deadline from the anchors and records it (replacing a
// pending one).
func (t *Tracker) setDeadline(ctx context.Context, tx *sql.Tx, caseID int64, rule, agency string, anchors map[Anchor]time.Time) error {
	r, ok := t.cfg.rule(rule)
	if !ok {
		return nil // the partnership switched this rule off
	}
	from, due, ok := t.cal.Due(r, anchors)
	if !ok {
		return nil
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO deadlines(case_id, rule, agency, from_at, due_at) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT(case_id, rule, agency) DO UPDATE SET from_at = excluded.from_at, due_at = excluded.due_at
		WHERE deadlines.status = 'pending'`, caseID, rule, agency, nullTS(from), ts(due))
	return err
}

// meetDeadline marks a deadline met (or missed, if late) at 'at'.
func (t *Tracker) meetDeadline(ctx context.Context, tx *sql.Tx, now time.Time, caseID int64, rule, agency string, at time.Time) error {
	var id int64
	var due string
	err := tx.QueryRowContext(ctx, `SELECT id, due_at FROM deadlines WHERE case_id = ? AND rule = ? AND agency = ? AND status = 'pending'`,
		caseID, rule, agency).Scan(&id, &due)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return err
	}
	dueT, _ := time.Parse(time.RFC3339, due)
	status, note := "met", ""
	if at.After(dueT) {
		status = "missed"
		note = "done " + lateBy(at.Sub(dueT)) + " late"
	}
	if _, err := tx.ExecContext(ctx, `UPDATE deadlines SET status = ?, met_at = ?, note = ? WHERE id = ?`, status, ts(at), note, id); err != nil {
		return err
	}
	what := rule
	if agency != "" {
		what += " (" + agency + ")"
	}
	return audit(ctx, tx, now, caseID, "csprbot", "deadline_"+status, strings.TrimSpace(what+" "+note))
}

func lateBy(d time.Duration) string {
	h := int(d.Hours())
	if h < 48 {
		return fmt.Sprintf("%dh%02dm", h, int(d.Minutes())%60)
	}
	return fmt.Sprintf("%d days", h/24)
}

// maybeAdvanceStage moves a case in scoping on to rapid_review once no return is awaited.
func (t *Tracker) maybeAdvanceStage(ctx context.Context, tx *sql.Tx, now time.Time, caseID int64) error {
	var stage string
	var awaiting int
	if err := tx.QueryRowContext(ctx, `SELECT stage, (SELECT count(*) FROM returns WHERE case_id = cases.id AND kind = 'scoping' AND status NOT IN ('received', 'nil_return', 'waived'))
		FROM cases WHERE id = ?`, caseID).Scan(&stage, &awaiting); err != nil {
		return err
	}
	if stage != StageScoping || awaiting > 0 {
		return nil
	}
	if _, err := tx.ExecContext(ctx, `UPDATE cases SET stage = ? WHERE id = ?`, StageRapidReview, caseID); err != nil {
		return err
	}
	return audit(ctx, tx, now, caseID, "csprbot", "stage", "every scoping return is in: stage rapid_review")
}

// onCase runs fn on case ref in one transaction that it owns: the shape of every
// exported command on a case.
func onCase[R any](ctx context.Context, t *Tracker, ref, what string, fn func(tx *sql.Tx, now time.Time, c caseRow) (R, error)) (R, error) {
	var res R
	err := t.tx(ctx, func(tx *sql.Tx) error {
		c, err := loadCase(ctx, tx, "ref = ?", ref)
		if err != nil {
			return err
		}
		res, err = fn(tx, t.Now(), c)
		return err
	})
	if err != nil {
		return res, fmt.Errorf("tracker: %s %s: %w", what, ref, dbErr(err))
	}
	return res, nil
}

// caseRow is a case as stored.
type caseRow struct {
	id                                                        int64
	ref, stage, initials                                      string
	received, aware                                           time.Time
	incidentDate, incidentKind                                string
	lookedAfter, needs                                        bool
	referrerName, referrerAgency, referrerEmail, referralJSON string
	closeReason                                               string
}

func loadCase(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}, where string, arg any) (caseRow, error) {
	var c caseRow
	var received, aware sql.NullString
	err := q.QueryRowContext(ctx, `SELECT id, ref, stage, child_initials, referral_received, aware_at, incident_date, incident_kind,
		looked_after, needs_completion, referrer_name, referrer_agency, referrer_email, referral_json, close_reason
		FROM cases WHERE `+where, arg).Scan(&c.id, &c.ref, &c.stage, &c.initials, &received, &aware, &c.incidentDate, &c.incidentKind,
		&c.lookedAfter, &c.needs, &c.referrerName, &c.referrerAgency, &c.referrerEmail, &c.referralJSON, &c.closeReason)
	if err != nil {
		return c, dbErr(err)
	}
	c.received, c.aware = parseTS(received), parseTS(aware)
	return c, nil
}

// caseView builds the template view of a case.
func (t *Tracker) caseView(ctx context.Context, tx *sql.Tx, caseID int64, now time.Time) (CaseView, error) {
	c, err := loadCase(ctx, tx, "id = ?", caseID)
	if err != nil {
		return CaseView{}, err
	}
	v := CaseView{Ref: c.ref, ChildInitials: c.initials, Stage: c.stage, ReferralReceived: c.received,
		IncidentDate: c.incidentDate, IncidentKind: c.incidentKind, LookedAfter: c.lookedAfter,
		ReferrerName: c.referrerName, ReferrerAgency: c.referrerAgency, ReferrerEmail: c.referrerEmail,
		NeedsCompletion: c.needs}
	var form Form
	if json.Unmarshal([]byte(c.referralJSON), &form) == nil {
		keys := make([]string, 0, len(form.Fields))
		for k := range form.Fields {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range summaryOrder(keys) {
			v.Summary = append(v.Summary, Field{Label: fieldLabel(k), Value: form.Fields[k]})
		}
	}
	rows, err := tx.QueryContext(ctx, `SELECT name, email, partner, reason FROM case_agencies WHERE case_id = ? ORDER BY id`, caseID)
	if err != nil {
		return v, err
	}
	for rows.Next() {
		var a AgencyView
		if err := rows.Scan(&a.Name, &a.Email, &a.Partner, &a.Reason); err != nil {
			rows.Close()
			return v, err
		}
		_, a.Known = t.cfg.agencyByName(a.Name)
		v.Agencies = append(v.Agencies, a)
	}
	rows.Close()
	ds, err := deadlines(ctx, tx, caseID, now)
	if err != nil {
		return v, err
	}
	for _, d := range ds {
		label := d.Rule
		if r, ok := t.cfg.rule(d.Rule); ok && r.Label != "" {
			label = r.Label
		}
		label = withAgency(d.Rule, label, d.Agency)
		v.Deadlines = append(v.Deadlines, DeadlineView{Rule: d.Rule, Label: label, Due: d.Due, From: d.From, Status: d.Status})
	}
	rs, err := returns(ctx, tx, caseID, now)
	if err != nil {
		return v, err
	}
	for _, r := range rs {
		v.Returns = append(v.Returns, ReturnView{Agency: r.Agency, Status: r.Status, Due: r.Due, ReceivedAt: r.ReceivedAt, ChasersSent: r.ChasersSent, RAG: r.rag(now, t.cal)})
	}
	return v, nil
}

func (t *Tracker) agencyView(ctx context.Context, tx *sql.Tx, caseID int64, name string) AgencyView {
	a := AgencyView{Name: name}
	_ = tx.QueryRowContext(ctx, `SELECT email, partner, reason FROM case_agencies WHERE case_id = ? AND name = ?`, caseID, name).Scan(&a.Email, &a.Partner, &a.Reason)
	_, a.Known = t.cfg.agencyByName(name)
	return a
}

// summaryOrder puts the referral's fields in the form's order for the staff notice.
func summaryOrder(keys []string) []string {
	order := []string{"child_name", "child_dob", "gender", "ethnic_origin", "religion", "disability", "home_address", "looked_after", "cp_plan",
		"open_to_csc", "incident_kind", "incident_date", "incident_location", "carer_at_incident", "criminal_investigation",
		"coroner_inquiry", "adult_safeguarding", "date_of_referral", "referrer_name", "referrer_agency", "referrer_contact",
		"referrer_email", "dsl_name", "dsl_agency", "dsl_contact", "dsl_email", "presenting_concerns", "reason_for_referral"}
	have := map[string]bool{}
	for _, k := range keys {
		have[k] = true
	}
	var out []string
	for _, k := range order {
		if have[k] {
			out = append(out, k)
			delete(have, k)
		}
	}
	for _, k := range keys {
		if have[k] {
			out = append(out, k)
		}
	}
	return out
}

func fieldLabel(k string) string {
	s := strings.ReplaceAll(k, "_", " ")
	s = strings.ReplaceAll(s, "dob", "date of birth")
	s = strings.ReplaceAll(s, "csc", "Children's Social Care")
	s = strings.ReplaceAll(s, "cp plan", "child protection plan")
	s = strings.ReplaceAll(s, "dsl", "safeguarding lead")
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
