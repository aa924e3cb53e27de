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
)

// FormTermsOfReference is the parser's kind for Appendix 6.
const FormTermsOfReference = "terms_of_reference"

// torForm returns the Terms of Reference attached to a message, if any.
func torForm(in *Incoming) *Form {
	for _, a := range in.Attachments {
		if a.Form != nil && a.Form.Kind == FormTermsOfReference {
			return a.Form
		}
	}
	return nil
}

// TimetableRow is one row of the Terms of Reference's outline timetable (7.0) as a
// deadline: what, who is responsible, by when, and the rule it is tracked under.
type TimetableRow struct {
	Action      string
	Responsible string
	Due         time.Time // 17:00 London on the date required
	Rule        string    // the process.md rule of its step (timetableRule)
	Moved       string    // for a revised Terms of Reference: "was Mon 25 Jan 2027", "new"
}

// ToRResult says what reading a Terms of Reference did.
type ToRResult struct {
	Ref           string
	Confirmed     bool // the timetable is set as deadlines (false: proposed, waiting for Confirm terms)
	PeriodFrom    string
	PeriodTo      string
	Reviewer      string
	ReviewerEmail string // the form's "Lead reviewer email": shown, not used until staff give it
	Agencies      []string
	Panel         []string
	Timetable     []TimetableRow
	Unreadable    []string // timetable rows whose date could not be read
	Requested     []string // requests sent when it was confirmed
	ReviewerSet   string   // what naming the lead reviewer did
	// What a revised Terms of Reference changes in what is set (torChanges): with
	// Confirmed, done; without, what confirming will do.
	Removed   []string // timetable rows set before and not in these: withdrawn
	Withdrawn []string // chronologies and reports asked of agencies these no longer name: withdrawn
	Moved     []string // returns still awaited whose date these move
	// AfterFinalReport: rows these set for chronologies, agency reports or steps toward
	// the final report, not set (nor asked of agencies) because the final report is recorded.
	AfterFinalReport []string
}

// timetableRule is the process.md rule a timetable row is tracked under: the stage of
// process.md's table the row is a step of, by the words of its action (Appendix 6, 7.0).
// Migration 070 renames the rows an earlier csprbot kept as tor_timetable by the same
// words, in the same order: change both together.
//
//   - lcspr_returns (stage 11): chronologies, agency or information reports.
//   - learning_event (stage 12): the practitioner learning event or reflective learning
//     workshop, and the family's part (informed, invited, conversations: Appendix 7, 8).
//   - nspcc_submission (stage 15): the report to the NSPCC repository.
//   - lcspr_publication (stage 13): publication, and every step toward "review completed
//     and report published" that no later stage names (the Terms of Reference agreed,
//     panel meetings, the midway review, the reviewer's work, the action plan drafted).
//     Checked before the report: "Publication of the final report" is publication.
//   - final_report (stage 14): the draft, overview and final report, which end in the
//     copies to the National Panel, Ofsted and the Secretary of State.
//
// The row's action is the deadline's agency column, so a row never takes the place of
// the stage's own deadline (agency ""), and queries for that one ask for the empty agency.
func timetableRule(action string) string {
	a := strings.ToLower(action)
	has := func(words ...string) bool {
		for _, w := range words {
			if strings.Contains(a, w) {
				return true
			}
		}
		return false
	}
	switch {
	case has("chronolog", "agency report", "information report"):
		return "lcspr_returns"
	case has("learning event", "practitioner event", "workshop", "family"):
		return "learning_event"
	case has("nspcc"):
		return "nspcc_submission"
	case has("publi"):
		return "lcspr_publication"
	case has("report"):
		return "final_report"
	}
	return "lcspr_publication"
}

// familyStep is a timetable row about the family (tracked under learning_event): holding
// the learning event does not meet it.
func familyStep(action string) bool {
	a := strings.ToLower(action)
	return strings.Contains(a, "family") && !strings.Contains(a, "learning event") && !strings.Contains(a, "practitioner event") && !strings.Contains(a, "workshop")
}

// panelMeetingStep is a timetable row for a meeting of the local review's panel, whose
// papers go to staff the working day before (tickPanelPacks): it names the panel, and not
// the National Panel or a report sent to the panel.
func panelMeetingStep(action string) bool {
	a := strings.ToLower(action)
	return strings.Contains(a, "panel") && !strings.Contains(a, "national panel") && timetableRule(action) == "lcspr_publication"
}

// readToR turns a Terms of Reference into what csprbot would do with it.
func (t *Tracker) readToR(f *Form) ToRResult {
	var res ToRResult
	res.PeriodFrom, res.PeriodTo = f.Fields["review_period_from"], f.Fields["review_period_to"]
	res.Reviewer, res.ReviewerEmail = strings.TrimSpace(f.Fields["lead_reviewer"]), normAddr(f.Fields["lead_reviewer_email"])
	for _, r := range f.Tables["agencies"] {
		if a := strings.TrimSpace(r["agency"]); a != "" {
			res.Agencies = append(res.Agencies, a)
		}
	}
	for _, r := range f.Tables["panel"] {
		p := strings.TrimSpace(r["name"])
		if x := strings.TrimSpace(r["role"]); x != "" {
			p += ", " + x
		}
		if x := strings.TrimSpace(r["organisation"]); x != "" {
			p += " (" + x + ")"
		}
		if p != "" {
			res.Panel = append(res.Panel, p)
		}
	}
	for _, r := range f.Tables["timetable"] {
		action := strings.TrimSpace(r["action"])
		if action == "" {
			continue
		}
		d, err := ParseLondonDate(r["date"], t.cal.Location())
		if err != nil {
			res.Unreadable = append(res.Unreadable, fmt.Sprintf("%s (%q)", action, r["date"]))
			continue
		}
		res.Timetable = append(res.Timetable, TimetableRow{Action: action, Responsible: strings.TrimSpace(r["responsible"]),
			Due: t.cal.At(d, 17, 0), Rule: timetableRule(action)})
	}
	return res
}

// TermsOfReference records a case's Terms of Reference (Appendix 6). With confirm, its
// timetable becomes the case's deadlines (each row one, with its owner), the chronologies
// and agency reports are requested from the agencies it names by the dates it sets, and
// the lead reviewer it names is recorded (the notice to national bodies waits for
// approval). Without, it is kept as proposed and the staff member is asked to confirm.
// A later one replaces the earlier, and says which dates moved.
func (t *Tracker) TermsOfReference(ctx context.Context, ref string, f *Form, confirm bool, actor string) (ToRResult, error) {
	return onCase(ctx, t, ref, "terms of reference", func(tx *sql.Tx, now time.Time, c caseRow) (ToRResult, error) {
		return t.termsOfReference(ctx, tx, now, c, f, confirm, actor)
	})
}

func (t *Tracker) termsOfReference(ctx context.Context, tx *sql.Tx, now time.Time, c caseRow, f *Form, confirm bool, actor string) (ToRResult, error) {
	if err := lcsprOpen(c); err != nil {
		return ToRResult{Ref: c.ref}, err
	}
	if f.CaseRef != "" && !strings.EqualFold(strings.TrimSpace(f.CaseRef), c.ref) {
		return ToRResult{Ref: c.ref}, fmt.Errorf("%w: these Terms of Reference are for %s, not %s", ErrRefused, f.CaseRef, c.ref)
	}
	if why := formMismatch(f, c.ref, c.initials); why != "" {
		// Another child's Terms of Reference never set this case's timetable or ask its
		// agencies for chronologies (as a scoping form, a chronology or an action plan
		// for another case is never used on this one): refused, and the staff member's reply says why.
		return ToRResult{Ref: c.ref}, fmt.Errorf("%w: %s; these Terms of Reference are not used, nothing is set and nothing is asked of agencies: send them on their own case, or correct them", ErrRefused, why)
	}
	res := t.readToR(f)
	res.Ref = c.ref
	if len(res.Timetable) == 0 && res.Reviewer == "" && len(res.Agencies) == 0 {
		return res, fmt.Errorf("%w: csprbot could read no timetable, lead reviewer or agencies in these Terms of Reference", ErrRefused)
	}
	// What moved: against the Terms of Reference read before, and, where a row of the
	// timetable is set and still pending, against its date as set (the Terms of Reference
	// read before may be these, proposed and now confirmed).
	old := map[string]time.Time{}
	prev, err := t.torFormOf(ctx, tx, c.id)
	if err != nil {
		return res, err
	}
	if prev != nil {
		for _, r := range t.readToR(prev).Timetable {
			old[normName(r.Action)] = r.Due
		}
	}
	set, err := t.torSetRows(ctx, tx, c.id)
	if err != nil {
		return res, err
	}
	for _, r := range set {
		if r.status == "pending" {
			old[normName(r.action)] = r.due
		}
	}
	changes, err := t.torChanges(ctx, tx, now, c, &res, set)
	if err != nil {
		return res, err
	}
	if len(old) > 0 {
		for i, r := range res.Timetable {
			switch was, ok := old[normName(r.Action)]; {
			case !ok:
				res.Timetable[i].Moved = "new"
			case !was.Equal(r.Due):
				res.Timetable[i].Moved = "was " + was.In(t.cal.Location()).Format("Mon 2 Jan 2006")
			}
		}
	}
	js, err := json.Marshal(f)
	if err != nil {
		return res, err
	}
	status := "proposed"
	if confirm {
		status = "confirmed"
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO terms_of_reference(case_id, form_json, status, received_at, confirmed_at, confirmed_by) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT(case_id) DO UPDATE SET form_json = excluded.form_json, status = excluded.status, received_at = excluded.received_at,
			confirmed_at = excluded.confirmed_at, confirmed_by = excluded.confirmed_by`,
		c.id, string(js), status, ts(now), nullTS(map[bool]time.Time{true: now}[confirm]), map[bool]string{true: actor}[confirm]); err != nil {
		return res, err
	}
	if !confirm {
		return res, audit(ctx, tx, now, c.id, actor, "tor_received", fmt.Sprintf("Terms of Reference read (%d timetable rows); waiting for Confirm terms", len(res.Timetable)))
	}
	if err := t.applyToRChanges(ctx, tx, now, c, changes, actor); err != nil {
		return res, err
	}
	return res, t.applyToR(ctx, tx, now, c, &res, actor)
}

// torSetRow is a timetable row set as a deadline by a confirmed Terms of Reference.
type torSetRow struct {
	rule, action, status string
	due                  time.Time
	dueAt                string // as stored
}

// torSetRows are the case's timetable rows set as deadlines and not yet done: their note
// says "timetable:" (meeting a deadline replaces its note).
func (t *Tracker) torSetRows(ctx context.Context, tx *sql.Tx, caseID int64) ([]torSetRow, error) {
	rows, err := tx.QueryContext(ctx, `SELECT rule, agency, status, due_at FROM deadlines WHERE case_id = ? AND agency != '' AND note LIKE 'timetable:%' ORDER BY due_at, id`, caseID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []torSetRow
	for rows.Next() {
		var r torSetRow
		if err := rows.Scan(&r.rule, &r.action, &r.status, &r.dueAt); err != nil {
			return nil, err
		}
		r.due = parseTS(sql.NullString{String: r.dueAt, Valid: true})
		out = append(out, r)
	}
	return out, rows.Err()
}

// torChangeSet is what a revised Terms of Reference changes in what the one confirmed
// before set: rows to withdraw, returns to withdraw, returns whose date moves.
type torChangeSet struct {
	removedRows []torSetRow
	withdrawn   []int64 // returns
	withdrawnOf []string
	moved       []torMove
}

type torMove struct {
	retID  int64
	agency string
	due    time.Time
}

// returnKindsOf are the kinds of return a timetable row of lcspr_returns is the date of,
// by its words: chronologies, agency (or information) reports, or both.
func returnKindsOf(action string) []string {
	a := strings.ToLower(action)
	var out []string
	if strings.Contains(a, "chronolog") {
		out = append(out, ReturnChronology)
	}
	if strings.Contains(a, "agency report") || strings.Contains(a, "information report") {
		out = append(out, ReturnAgencyReport)
	}
	if len(out) == 0 {
		out = []string{ReturnChronology}
	}
	return out
}

// torChanges reads, without changing anything, what the Terms of Reference in res change
// in what is set (set: torSetRows), and says it in res:
//   - a timetable row set before and not in these, still pending, is withdrawn (waived);
//   - a chronology or agency report asked by the date of an earlier row, still awaited,
//     of an agency these no longer name, is withdrawn (waived, no longer chased), when
//     these name agencies at all;
//   - one still awaited by the date of a row these move takes the row's new date (its
//     reminder and chasers start again when the new date is ahead).
//
// Returns asked by a date of their own (Request chronology … by DATE, More information)
// keep it.
func (t *Tracker) torChanges(ctx context.Context, tx *sql.Tx, now time.Time, c caseRow, res *ToRResult, set []torSetRow) (torChangeSet, error) {
	var ch torChangeSet
	if len(set) == 0 {
		return ch, nil
	}
	loc := t.cal.Location()
	day := func(x time.Time) string { return x.In(loc).Format("Mon 2 Jan 2006") }
	newRows := map[string]TimetableRow{}
	for _, r := range res.Timetable {
		newRows[r.Rule+"\x00"+r.Action] = r
	}
	for _, r := range set {
		if _, ok := newRows[r.rule+"\x00"+r.action]; ok || r.status != "pending" {
			continue
		}
		ch.removedRows = append(ch.removedRows, r)
		res.Removed = append(res.Removed, fmt.Sprintf("%s (was due %s)", r.action, day(r.due)))
	}
	named := map[string]bool{}
	for _, a := range res.Agencies {
		name, _ := t.agencyAddress(ctx, tx, c.id, a)
		named[normName(name)] = true
		named[normName(a)] = true
	}
	type ret struct {
		id            int64
		agency, kind  string
		dueAt, status string
	}
	rows, err := tx.QueryContext(ctx, `SELECT id, agency, kind, due_at, status FROM returns WHERE case_id = ? AND kind IN ('chronology', 'agency_report')
		AND item = '' AND status IN ('awaiting', 'escalated') ORDER BY id`, c.id)
	if err != nil {
		return ch, err
	}
	var open []ret
	for rows.Next() {
		var r ret
		if err := rows.Scan(&r.id, &r.agency, &r.kind, &r.dueAt, &r.status); err != nil {
			rows.Close()
			return ch, err
		}
		open = append(open, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return ch, err
	}
	for _, r := range open {
		// The earlier row this return was asked by: same kind, same date.
		var from *torSetRow
		for i, s := range set {
			if s.rule == "lcspr_returns" && s.dueAt == r.dueAt && slicesContains(returnKindsOf(s.action), r.kind) {
				from = &set[i]
				break
			}
		}
		if from == nil {
			continue
		}
		label := r.agency + "'s " + strings.ReplaceAll(r.kind, "_", " ")
		if len(res.Agencies) > 0 && !named[normName(r.agency)] {
			ch.withdrawn = append(ch.withdrawn, r.id)
			ch.withdrawnOf = append(ch.withdrawnOf, r.agency)
			res.Withdrawn = append(res.Withdrawn, fmt.Sprintf("%s (was due %s)", label, day(from.due)))
			continue
		}
		nr, ok := newRows[from.rule+"\x00"+from.action]
		if !ok || nr.Due.Equal(from.due) {
			continue
		}
		ch.moved = append(ch.moved, torMove{retID: r.id, agency: r.agency, due: nr.Due})
		res.Moved = append(res.Moved, fmt.Sprintf("%s now due %s (was %s)", label, nr.Due.In(loc).Format("15:04 Mon 2 Jan 2006"), day(from.due)))
	}
	return ch, nil
}

func slicesContains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// torRemovedNote begins the note of a deadline or return a revised Terms of Reference
// withdrew; a return so withdrawn is asked again if a later request names its agency.
const torRemovedNote = "removed by the revised Terms of Reference"

// applyToRChanges does what torChanges found, once the Terms of Reference are confirmed.
func (t *Tracker) applyToRChanges(ctx context.Context, tx *sql.Tx, now time.Time, c caseRow, ch torChangeSet, actor string) error {
	note := torRemovedNote + " (" + now.In(t.cal.Location()).Format("Mon 2 Jan 2006") + ")"
	for _, r := range ch.removedRows {
		if _, err := tx.ExecContext(ctx, `UPDATE deadlines SET status = 'waived', note = ? WHERE case_id = ? AND rule = ? AND agency = ? AND status = 'pending'`,
			note, c.id, r.rule, r.action); err != nil {
			return err
		}
	}
	for _, id := range ch.withdrawn {
		if _, err := tx.ExecContext(ctx, `UPDATE returns SET status = 'waived', note = ? WHERE id = ? AND status IN ('awaiting', 'escalated')`, note, id); err != nil {
			return err
		}
	}
	for _, m := range ch.moved {
		// A new date: the reminder (one per due date, from due_set_at) and the chasers
		// start again if it is ahead; an escalated return is awaited again.
		if _, err := tx.ExecContext(ctx, `UPDATE returns SET due_at = ?, due_set_at = ?,
			chasers_sent = CASE WHEN ? > ? THEN 0 ELSE chasers_sent END,
			status = CASE WHEN ? > ? THEN 'awaiting' ELSE status END,
			note = ? WHERE id = ? AND status IN ('awaiting', 'escalated')`,
			ts(m.due), ts(now), ts(m.due), ts(now), ts(m.due), ts(now), "date moved by the revised Terms of Reference", m.retID); err != nil {
			return err
		}
	}
	// Each agency's lcspr_returns deadline follows what is still awaited of it: withdrawn
	// with its returns when nothing is.
	done := map[string]bool{}
	agencies := append([]string(nil), ch.withdrawnOf...)
	for _, m := range ch.moved {
		agencies = append(agencies, m.agency)
	}
	for _, a := range agencies {
		if done[a] {
			continue
		}
		done[a] = true
		var left int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM returns WHERE case_id = ? AND agency = ? AND kind IN ('chronology', 'agency_report') AND status IN ('awaiting', 'escalated')`,
			c.id, a).Scan(&left); err != nil {
			return err
		}
		if left == 0 {
			if _, err := tx.ExecContext(ctx, `UPDATE deadlines SET status = 'waived', note = ? WHERE case_id = ? AND rule = 'lcspr_returns' AND agency = ? AND status = 'pending'`,
				note, c.id, a); err != nil {
				return err
			}
			continue
		}
		if err := t.lcsprDeadline(ctx, tx, c.id, a); err != nil {
			return err
		}
	}
	if len(ch.removedRows)+len(ch.withdrawn)+len(ch.moved) == 0 {
		return nil
	}
	return audit(ctx, tx, now, c.id, actor, "tor_revised", fmt.Sprintf("revised Terms of Reference: %d timetable rows withdrawn, %d returns withdrawn, %d returns moved to a new date",
		len(ch.removedRows), len(ch.withdrawn), len(ch.moved)))
}

// applyToR sets the confirmed timetable as deadlines and acts on it.
func (t *Tracker) applyToR(ctx context.Context, tx *sql.Tx, now time.Time, c caseRow, res *ToRResult, actor string) error {
	res.Confirmed = true
	// Once the final report is recorded, the chronologies, agency reports and steps
	// toward it were settled by it (settleFinalReport): a row missed stays missed, a step
	// met stays met, and nothing more is asked of agencies for a report already written.
	_, reported, err := t.finalReportSent(ctx, tx, c.id)
	if err != nil {
		return err
	}
	settledByReport := func(r TimetableRow) bool {
		return reported && (r.Rule == "lcspr_returns" || r.Rule == "final_report")
	}
	for _, r := range res.Timetable {
		if settledByReport(r) {
			res.AfterFinalReport = append(res.AfterFinalReport, r.Action)
			continue
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO deadlines(case_id, rule, agency, due_at, note) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT(case_id, rule, agency) DO UPDATE SET due_at = excluded.due_at, note = excluded.note,
				status = CASE WHEN deadlines.status = 'missed' THEN 'pending' ELSE deadlines.status END`,
			c.id, r.Rule, r.Action, ts(r.Due), "timetable: responsible "+orNone(r.Responsible)); err != nil {
			return err
		}
	}
	// The chronologies and agency reports, from the agencies the ToR names, by its dates.
	for _, r := range res.Timetable {
		if r.Rule != "lcspr_returns" || !r.Due.After(now) || settledByReport(r) {
			continue
		}
		for _, kind := range returnKindsOf(r.Action) {
			rr, err := t.requestReturns(ctx, tx, now, c, kind, res.Agencies, r.Due, actor)
			if err != nil && !errors.Is(err, ErrRefused) {
				return err
			}
			if len(rr.Requested) > 0 {
				res.Requested = append(res.Requested, RequestDone(rr, t.cal.Location()))
			}
		}
	}
	if res.Reviewer != "" {
		var cur string
		if err := tx.QueryRowContext(ctx, `SELECT lead_reviewer FROM cases WHERE id = ?`, c.id).Scan(&cur); err != nil {
			return err
		}
		if normName(cur) != normName(res.Reviewer) && c.stage == StageLCSPR {
			var f Form
			var js string
			_ = tx.QueryRowContext(ctx, `SELECT form_json FROM terms_of_reference WHERE case_id = ?`, c.id).Scan(&js)
			_ = json.Unmarshal([]byte(js), &f)
			out, err := t.setReviewerFromForm(ctx, tx, now, c, res.Reviewer, f.Fields["lead_reviewer_email"], actor)
			if err != nil && !errors.Is(err, ErrRefused) {
				return err
			}
			res.ReviewerSet = out
		}
	}
	return audit(ctx, tx, now, c.id, actor, "tor_confirmed", fmt.Sprintf("Terms of Reference confirmed by %s: %d timetable deadlines", actor, len(res.Timetable)))
}

// ConfirmToR confirms the proposed Terms of Reference on a case (Confirm terms).
func (t *Tracker) confirmToR(ctx context.Context, tx *sql.Tx, now time.Time, c caseRow, actor string) (ToRResult, error) {
	var js, status string
	err := tx.QueryRowContext(ctx, `SELECT form_json, status FROM terms_of_reference WHERE case_id = ?`, c.id).Scan(&js, &status)
	if errors.Is(err, sql.ErrNoRows) {
		return ToRResult{Ref: c.ref}, fmt.Errorf("%w: no Terms of Reference were received on %s", ErrRefused, c.ref)
	}
	if err != nil {
		return ToRResult{Ref: c.ref}, err
	}
	if status == "confirmed" {
		return ToRResult{Ref: c.ref}, fmt.Errorf("%w: the Terms of Reference on %s are already confirmed", ErrRefused, c.ref)
	}
	var f Form
	if err := json.Unmarshal([]byte(js), &f); err != nil {
		return ToRResult{Ref: c.ref}, err
	}
	return t.termsOfReference(ctx, tx, now, c, &f, true, actor)
}

func orNone(s string) string {
	if s == "" {
		return "(not named)"
	}
	return s
}

// ToRDone is what csprbot read and did, as lines for a reply or the command line.
func ToRDone(res ToRResult, loc *time.Location) []string {
	var out []string
	if res.PeriodFrom != "" || res.PeriodTo != "" {
		out = append(out, fmt.Sprintf("Review period: %s to %s", orNone(res.PeriodFrom), orNone(res.PeriodTo)))
	}
	if res.Reviewer != "" {
		out = append(out, "Lead reviewer: "+res.Reviewer)
	}
	if res.ReviewerEmail != "" {
		out = append(out, "Lead reviewer email as the form gives it: "+res.ReviewerEmail+" (typed into a form: not used, nor given to the National Panel, Ofsted or the DfE, unless it is the directory's or a staff member confirms it: Reviewer: NAME <address>)")
	}
	if len(res.Panel) > 0 {
		out = append(out, "Panel: "+strings.Join(res.Panel, "; "))
	}
	if len(res.Agencies) > 0 {
		out = append(out, "Chronologies and reports from: "+strings.Join(res.Agencies, ", "))
	}
	rows := append([]TimetableRow(nil), res.Timetable...)
	sort.SliceStable(rows, func(i, j int) bool { return rows[i].Due.Before(rows[j].Due) })
	for _, r := range rows {
		l := fmt.Sprintf("Timetable: %s, %s, by %s [%s]", r.Action, orNone(r.Responsible), r.Due.In(loc).Format("15:04 Mon 2 Jan 2006"), r.Rule)
		if r.Moved != "" {
			l += " (" + r.Moved + ")"
		}
		out = append(out, l)
	}
	for _, u := range res.Unreadable {
		out = append(out, "Timetable row with a date csprbot could not read (not set): "+u)
	}
	would := ""
	if !res.Confirmed {
		would = ", once confirmed"
	}
	if len(res.Removed) > 0 {
		out = append(out, "Timetable rows the earlier Terms of Reference set and these do not have (withdrawn"+would+", no longer tracked): "+strings.Join(res.Removed, "; "))
	}
	if len(res.Withdrawn) > 0 {
		out = append(out, "Asked of agencies these Terms of Reference no longer name (withdrawn"+would+", no longer chased): "+strings.Join(res.Withdrawn, "; "))
	}
	if len(res.Moved) > 0 {
		out = append(out, "Agencies already asked whose date moves"+would+" (reminded and chased for the new date): "+strings.Join(res.Moved, "; "))
	}
	if len(res.AfterFinalReport) > 0 {
		out = append(out, "The final report is already recorded: these rows are left as the final report settled them (nothing is asked of agencies, a date missed stays missed): "+strings.Join(res.AfterFinalReport, "; "))
	}
	out = append(out, res.Requested...)
	if res.ReviewerSet != "" {
		out = append(out, res.ReviewerSet)
	}
	if !res.Confirmed {
		out = append(out, "Nothing is set yet. If this is right, reply with the single line: Confirm terms. If not, send the corrected Terms of Reference.")
	}
	return out
}

// withAgency names a deadline of one agency, or of one row, to people: label is its
// rule's label. A Terms of Reference row under a stage's rule ("Panel meeting 1" under
// lcspr_publication) is named by its action, as a step toward that stage, not as the
// stage itself ("Review published (Panel meeting 1)" would say it was published); the end
// of the time on the website (nspcc_submission, KeptAgency) by what it is.
func withAgency(rule, label, agency string) string {
	switch {
	case agency == "":
		return label
	case rule == "nspcc_submission" && strings.HasPrefix(agency, KeptAgency):
		return "Published report kept on the website"
	case rule == "lcspr_publication" || rule == "final_report" || rule == "nspcc_submission":
		return agency + " (timetable step toward: " + label + ")"
	}
	return label + " (" + agency + ")"
}
