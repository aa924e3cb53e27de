package tracker

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"testing"
	"time"
)

const settleRef = "LSCP-2026-001"

// torCase opens a local review (decided Thu 17 Dec 2026) whose confirmed Terms of
// Reference ask the police and Children's Social Care for a chronology (by Mon 25 Jan) and
// an agency report (by Mon 8 Feb), with steps toward the final report and two panel
// meetings; the police send their chronology on 20 Jan, nothing else comes.
func torCase(t *testing.T) (*Tracker, *testClock) {
	t.Helper()
	ctx := context.Background()
	clock := &testClock{}
	tr := newRRTracker(t, clock, func(c *Config) { c.Addresses.MESI = testMESI; c.Addresses.NSPCC = "repository@nspcc.org.uk" })
	toApproved(t, tr, clock, "b")
	clock.Set("2027-01-04T10:00:00Z")
	f := &Form{Kind: FormTermsOfReference, CaseRef: settleRef, Fields: map[string]string{"lead_reviewer": "Jo Reviewer", "lead_reviewer_email": "jo@example.org"},
		Tables: map[string][]map[string]string{
			"timetable": {
				{"action": "Chronologies returned", "responsible": "Each agency", "date": "2027-01-25"},
				{"action": "Agency reports returned", "responsible": "Each agency", "date": "2027-02-08"},
				{"action": "Panel meeting 1", "responsible": "Chair", "date": "2027-02-03"},
				{"action": "Panel meeting 2", "responsible": "Chair", "date": "2027-03-03"},
				{"action": "First draft report", "responsible": "Lead reviewer", "date": "2027-04-14"},
				{"action": "Final report to the Partnership", "responsible": "Strategic Safeguarding Lead", "date": "2027-05-05"},
			},
			"agencies": {{"agency": "Met Police"}, {"agency": "Lewisham Children's Social Care"}},
		}}
	if _, err := tr.TermsOfReference(ctx, settleRef, f, true, "test"); err != nil {
		t.Fatal(err)
	}
	if n := len(outboxEmails(t, tr, TmplLCSPRRequest)); n != 4 {
		t.Fatalf("requests = %d, want 4 (a chronology and a report from each of two agencies)", n)
	}
	clock.Set("2027-01-20T11:00:00Z")
	uidSeq++
	deliver(t, tr, &Incoming{Mailbox: "INBOX", UIDValidity: 1, UID: uidSeq, ReceivedAt: clock.Now(), MessageID: "met-chron@met.example",
		From: "lead@met.example", Subject: "RE: [LSCP-2026-001] Local review request", InReplyTo: lcsprRequestTo(t, tr, "lead@met.example"), Text: "Attached.",
		Attachments: []InAttachment{{Attachment: Attachment{Name: "chronology.docx", Data: []byte("PK")}, Form: &Form{Kind: FormChronology}}}})
	return tr, clock
}

func lcsprRequestTo(t *testing.T, tr *Tracker, addr string) string {
	t.Helper()
	for _, o := range outboxEmails(t, tr, TmplLCSPRRequest) {
		if strings.Contains(o.To, addr) {
			return o.MessageID
		}
	}
	t.Fatalf("no request to %s", addr)
	return ""
}

type dlRow struct{ status, note, met string }

func settleDeadline(t *testing.T, tr *Tracker, rule, agency string) dlRow {
	t.Helper()
	var d dlRow
	var met sql.NullString
	if err := tr.DB().QueryRow(`SELECT status, note, met_at FROM deadlines WHERE rule = ? AND agency = ?`, rule, agency).Scan(&d.status, &d.note, &met); err != nil {
		t.Fatalf("deadline %s %q: %v", rule, agency, err)
	}
	d.met = met.String
	return d
}

// tickDays runs the scheduler at 09:30 on each day from..to (inclusive).
func tickDays(t *testing.T, tr *Tracker, clock *testClock, from, to string) {
	t.Helper()
	d, _ := time.Parse("2006-01-02", from)
	end, _ := time.Parse("2006-01-02", to)
	for ; !d.After(end); d = d.AddDate(0, 0, 1) {
		clock.Set(d.Format("2006-01-02") + "T09:30:00Z")
		if _, err := tr.Tick(context.Background()); err != nil {
			t.Fatal(err)
		}
		if _, err := tr.TickLCSPR(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
}

// chasing counts what went to agencies about documents they were asked for: requests,
// reminders and chasers (all TmplLCSPRRequest), and escalations.
func chasing(t *testing.T, tr *Tracker) (requests, escalations int) {
	return len(outboxEmails(t, tr, TmplLCSPRRequest)), len(outboxEmails(t, tr, TmplLCSPREscalate))
}

// When the final report is accepted, the chronologies and agency reports never received
// stop being chased (waived, with the date); their deadlines with them, one already missed
// staying missed; the timetable's steps toward the final report are met then; the answer
// and the audit name what never came, by agency; action-plan evidence goes on.
func TestFinalReportStopsChasingWhatNeverCame(t *testing.T) {
	ctx := context.Background()
	tr, clock := torCase(t)
	tickDays(t, tr, clock, "2027-01-21", "2027-02-20") // chased and escalated
	if _, esc := chasing(t, tr); esc == 0 {
		t.Fatal("nothing escalated before the final report: the test proves nothing")
	}
	// An earlier csprbot recorded Children's Social Care's deadline as missed.
	if _, err := tr.DB().Exec(`UPDATE deadlines SET status = 'missed' WHERE rule = 'lcspr_returns' AND agency = ?`, "Lewisham Children's Social Care"); err != nil {
		t.Fatal(err)
	}
	clock.Set("2027-05-03T10:00:00Z")
	plan := &Form{Kind: FormActionPlan, Tables: map[string][]map[string]string{"actions": {
		{"action": "Deliver training on information sharing", "owner": "Met Police", "due": "2027-07-30"}}}}
	if _, err := tr.ActionPlan(ctx, settleRef, plan, "test"); err != nil {
		t.Fatal(err)
	}

	clock.Set("2027-05-10T10:00:00Z")
	in := staffMail(clock, "final@lewisham.gov.uk", firstID(t, tr, TmplApprovalRequest), "RE: [LSCP-2026-001] approve", "Final report: publish 2027-06-03")
	in.Attachments = []InAttachment{{Attachment: Attachment{Name: "final-report.pdf", Data: []byte("%PDF-1.4 final")}}}
	deliver(t, tr, in)
	replies := outboxEmails(t, tr, TmplCommandReply)
	reply := replies[len(replies)-1].Email.Text
	for _, want := range []string{"Never received, and no longer chased: Lewisham Children's Social Care: chronology, agency report; Metropolitan Police Service: agency report",
		"Timetable steps taken as done with it: First draft report, Final report to the Partnership"} {
		if !strings.Contains(reply, want) {
			t.Errorf("the answer to Final report lacks %q:\n%s", want, reply)
		}
	}
	var auditN int
	if err := tr.DB().QueryRow(`SELECT count(*) FROM audit WHERE event = 'lcspr_returns_waived' AND detail LIKE '%Lewisham Children''s Social Care: chronology, agency report%'`).Scan(&auditN); err != nil || auditN != 1 {
		t.Errorf("audit of what never came: %d rows (%v), want 1", auditN, err)
	}

	rows, err := tr.DB().Query(`SELECT agency, kind, status, note FROM returns WHERE kind != 'scoping' ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var agency, kind, status, note string
		if err := rows.Scan(&agency, &kind, &status, &note); err != nil {
			t.Fatal(err)
		}
		want, wantNote := "waived", "not received before the final report (Mon 10 May 2027)"
		switch {
		case kind == ReturnActionEvidence:
			want, wantNote = "awaiting", ""
		case agency == "Metropolitan Police Service" && kind == ReturnChronology:
			want, wantNote = "received", ""
		}
		if status != want || (wantNote != "" && note != wantNote) {
			t.Errorf("%s %s: %s %q, want %s %q", agency, kind, status, note, want, wantNote)
		}
	}
	rows.Close()
	for _, tc := range []struct{ rule, agency, status, note string }{
		{"lcspr_returns", "Metropolitan Police Service", "missed", "not received before the final report (Mon 10 May 2027)"},
		{"lcspr_returns", "Lewisham Children's Social Care", "missed", ""},
		{"lcspr_returns", "Agency reports returned", "missed", "timetable: responsible Each agency; not received before the final report (Mon 10 May 2027)"},
		{"lcspr_returns", "Chronologies returned", "missed", "not received before the final report"},
		{"final_report", "First draft report", "met", "taken as done: the final report was accepted on Mon 10 May 2027"},
		{"final_report", "Final report to the Partnership", "met", "taken as done"},
		{"lcspr_publication", "Panel meeting 2", "pending", ""},
		{"action_plan", "A1: Deliver training on information sharing", "pending", ""},
	} {
		d := settleDeadline(t, tr, tc.rule, tc.agency)
		if d.status != tc.status || !strings.Contains(d.note, tc.note) {
			t.Errorf("%s %q = %s %q, want %s with %q", tc.rule, tc.agency, d.status, d.note, tc.status, tc.note)
		}
		if tc.status == "met" && !strings.HasPrefix(d.met, "2027-05-10T10:00") {
			t.Errorf("%s %q met at %q, want at the final report", tc.rule, tc.agency, d.met)
		}
	}

	// Nothing about them is chased again; the action's evidence still is.
	req, esc := chasing(t, tr)
	tickDays(t, tr, clock, "2027-05-11", "2027-08-10")
	req2, esc2 := chasing(t, tr)
	var evidenceMail, other int
	for _, o := range outboxEmails(t, tr, TmplLCSPRRequest)[req:] {
		if strings.Contains(o.Email.Text, "due=2027-07-30") { // the action's evidence
			evidenceMail++
		} else {
			other++
			t.Errorf("after the final report, to %s: %s", o.To, o.Email.Text)
		}
	}
	for _, o := range outboxEmails(t, tr, TmplLCSPREscalate)[esc:] {
		if strings.Contains(o.Email.Text, "chronolog") || strings.Contains(o.Email.Text, "agency report") {
			t.Errorf("escalated after the final report:\n%s", o.Email.Text)
		}
	}
	if evidenceMail == 0 || req2 == req || esc2 == esc {
		t.Errorf("the action's evidence was not reminded, chased and escalated after the final report (%d mails, %d escalations)", evidenceMail, esc2-esc)
	}
}

// closeNow closes the case through closeCase, in a transaction of its own.
func closeNow(t *testing.T, tr *Tracker, reason string) {
	t.Helper()
	ctx := context.Background()
	var id int64
	if err := tr.DB().QueryRow(`SELECT id FROM cases WHERE ref = ?`, settleRef).Scan(&id); err != nil {
		t.Fatal(err)
	}
	if err := tr.tx(ctx, func(tx *sql.Tx) error { return tr.closeCase(ctx, tx, tr.Now(), id, reason, "test") }); err != nil {
		t.Fatal(err)
	}
}

// pendingAfterClose lists what a closed case still waits for: pending deadlines and
// documents still asked.
func pendingAfterClose(t *testing.T, tr *Tracker) []string {
	t.Helper()
	var out []string
	rows, err := tr.DB().Query(`SELECT rule || ' ' || agency FROM deadlines WHERE status = 'pending' ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var s string
		_ = rows.Scan(&s)
		out = append(out, strings.TrimSpace(s))
	}
	rows.Close()
	rows, err = tr.DB().Query(`SELECT agency || ' ' || kind || ' ' || status FROM returns WHERE status IN ('awaiting', 'escalated') ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var s string
		_ = rows.Scan(&s)
		out = append(out, "return "+s)
	}
	rows.Close()
	return out
}

// Closing a case waives every pending deadline ("case closed: WHY") and every document
// still asked, but not the end of the time the report stays on the website (its reminder
// goes a year on); a deadline already missed stays missed.
func TestCloseCaseSettlesWhatWasOpen(t *testing.T) {
	ctx := context.Background()
	tr, clock := torCase(t)
	clock.Set("2027-05-10T10:00:00Z")
	if _, err := tr.FinalReport(ctx, settleRef, &Attachment{Name: "final-report.pdf", Data: []byte("%PDF-1.4 final")}, mustTime("2027-06-03T00:00:00Z"), false, "test"); err != nil {
		t.Fatal(err)
	}
	clock.Set("2027-06-03T12:00:00Z")
	if _, err := tr.Published(ctx, settleRef, time.Time{}, "https://example.org/cspr/report", "test"); err != nil {
		t.Fatal(err)
	}
	plan := &Form{Kind: FormActionPlan, Tables: map[string][]map[string]string{"actions": {
		{"action": "Deliver training on information sharing", "owner": "Met Police", "due": "2027-07-30"}}}}
	if _, err := tr.ActionPlan(ctx, settleRef, plan, "test"); err != nil {
		t.Fatal(err)
	}
	if _, err := tr.DB().Exec(`UPDATE deadlines SET status = 'missed', note = 'done 3 days late' WHERE rule = 'lcspr_publication' AND agency = 'Panel meeting 1'`); err != nil {
		t.Fatal(err)
	}
	clock.Set("2027-06-10T10:00:00Z")
	closeNow(t, tr, "the partnership ended the review (Thu 10 Jun 2027)")

	var stage string
	if err := tr.DB().QueryRow(`SELECT stage FROM cases`).Scan(&stage); err != nil || stage != StageClosed {
		t.Fatalf("stage %s (%v), want closed", stage, err)
	}
	// The website reminder stays; the copies to national bodies still waiting for
	// approval do not hold their deadlines open.
	want := []string{"nspcc_submission " + KeptAgency}
	if got := pendingAfterClose(t, tr); strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("still open after closing: %q, want %q", got, want)
	}
	for _, tc := range []struct{ rule, agency, status, note string }{
		{"lcspr_publication", "Panel meeting 2", "missed", "timetable: responsible Chair; case closed: the partnership ended the review (Thu 10 Jun 2027) (overdue since Wed 3 Mar 2027, never recorded as done)"},
		{"lcspr_publication", "Panel meeting 1", "missed", "done 3 days late"},
		{"action_plan", "A1: Deliver training on information sharing", "waived", "owner: Metropolitan Police Service; case closed: the partnership ended the review (Thu 10 Jun 2027)"},
		{"lcspr_publication", "", "met", ""},
	} {
		if d := settleDeadline(t, tr, tc.rule, tc.agency); d.status != tc.status || d.note != tc.note {
			t.Errorf("%s %q = %s %q, want %s %q", tc.rule, tc.agency, d.status, d.note, tc.status, tc.note)
		}
	}
	var st, note string
	if err := tr.DB().QueryRow(`SELECT status, note FROM returns WHERE kind = 'action_evidence'`).Scan(&st, &note); err != nil || st != "waived" || note != "case closed: the partnership ended the review (Thu 10 Jun 2027)" {
		t.Errorf("action evidence after closing: %s %q (%v)", st, note, err)
	}
	var settled int
	if err := tr.DB().QueryRow(`SELECT count(*) FROM audit WHERE event = 'case_settled' AND detail LIKE '%Panel meeting 2%' AND detail LIKE '%Metropolitan Police Service: action evidence A1%'`).Scan(&settled); err != nil || settled != 1 {
		t.Errorf("case_settled audit rows = %d (%v), want 1", settled, err)
	}
	// A year on, the reminder that the report has been on the website goes, once.
	tickDays(t, tr, clock, "2028-06-02", "2028-06-06")
	n := 0
	for _, r := range outboxEmails(t, tr, TmplStaffAttention) {
		if strings.Contains(r.Email.Text, "may now be archived") {
			n++
		}
	}
	if n != 1 {
		t.Errorf("website reminders after closing = %d, want 1", n)
	}
}

// Every way a case closes settles it: the Rapid Review's recommendation d, a decision of
// no further review, the National Panel taking the review, the action plan signed off.
// Nothing of the case is chased afterwards.
func TestEveryWayACaseClosesSettlesIt(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name, why string
		close     func(t *testing.T) (*Tracker, *testClock)
	}{
		{"recommendation d", "case closed: Rapid Review recommendation d", func(t *testing.T) (*Tracker, *testClock) {
			clock := &testClock{}
			tr := newRRTracker(t, clock, nil)
			toApproved(t, tr, clock, "d")
			return tr, clock
		}},
		{"decision none", "case closed: no further review decided", func(t *testing.T) (*Tracker, *testClock) {
			tr, clock := torCase(t)
			clock.Set("2027-02-01T10:00:00Z")
			if _, err := tr.Decide(ctx, settleRef, "none", time.Time{}, "test"); err != nil {
				t.Fatal(err)
			}
			return tr, clock
		}},
		{"panel takes it", "case closed: the National Panel will carry out a national review", func(t *testing.T) (*Tracker, *testClock) {
			clock := &testClock{}
			tr := newRRTracker(t, clock, nil)
			toApproved(t, tr, clock, "a")
			clock.Set("2027-01-11T10:00:00Z")
			if _, err := tr.Decide(ctx, settleRef, "national", time.Time{}, "test"); err != nil {
				t.Fatal(err)
			}
			return tr, clock
		}},
		{"action plan signed off", "case closed: every action of the action plan evidenced and signed off", func(t *testing.T) (*Tracker, *testClock) {
			tr, clock, _ := mesiCase(t)
			// A chronology asked and never sent: the close settles it too.
			clock.Set("2027-07-21T09:00:00Z")
			if _, err := tr.RequestReturns(ctx, settleRef, ReturnChronology, []string{"NHS South East London ICB"}, mustTime("2027-07-28T00:00:00Z"), "test"); err != nil {
				t.Fatal(err)
			}
			evidence(t, tr, clock, "csc@lewisham.gov.uk", "ev-a2@lewisham.gov.uk", "2027-07-22T11:00:00Z")
			if out, err := tr.SignOff(ctx, settleRef, "all", "test"); err != nil || !strings.Contains(out, "case closed") {
				t.Fatalf("SignOff(all) = %q, %v", out, err)
			}
			return tr, clock
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tr, clock := tc.close(t)
			var stage string
			if err := tr.DB().QueryRow(`SELECT stage FROM cases`).Scan(&stage); err != nil || stage != StageClosed {
				t.Fatalf("stage %s (%v), want closed", stage, err)
			}
			// Settled as it closes, in the same transaction (closeCase)...
			if got := pendingAfterClose(t, tr); len(got) != 0 {
				t.Errorf("still open after closing: %q", got)
			}
			// ...and the scheduler finds nothing left to settle.
			closedAt := clock.Now()
			clock.Set(closedAt.Add(time.Minute).Format(time.RFC3339))
			if n, err := tr.settleClosedCases(ctx, clock.Now()); err != nil || n != 0 {
				t.Errorf("the scheduler settled %d more cases (%v), want none", n, err)
			}
			if _, err := tr.Tick(ctx); err != nil {
				t.Fatal(err)
			}
			var waived, withWhy int
			if err := tr.DB().QueryRow(`SELECT count(*), coalesce(sum(note LIKE '%' || ? || '%'), 0) FROM deadlines WHERE status IN ('waived', 'missed') AND note LIKE '%case closed:%'`, tc.why).Scan(&waived, &withWhy); err != nil {
				t.Fatal(err)
			}
			if waived == 0 || withWhy != waived {
				t.Errorf("%d deadlines settled (waived, or missed if overdue) on closing, %d of them saying %q", waived, withWhy, tc.why)
			}
			before := len(outboxEmails(t, tr, ""))
			day := closedAt.AddDate(0, 0, 1).Format("2006-01-02")
			tickDays(t, tr, clock, day, closedAt.AddDate(0, 2, 0).Format("2006-01-02"))
			for _, o := range outboxEmails(t, tr, "")[before:] {
				if o.Kind != TmplDigest {
					t.Errorf("after closing, %s to %s: %q", o.Kind, o.To, o.Email.Subject)
				}
			}
		})
	}
}

// Done: STEP [on DATE] marks a step of the Terms of Reference's timetable done: by a
// unique prefix, case-insensitively; met by its date, missed (how late) after; an unknown
// or ambiguous name, a date to come, a closed case: refused with the steps waiting.
func TestDoneMarksATimetableStep(t *testing.T) {
	ctx := context.Background()
	tr, clock := torCase(t)
	clock.Set("2027-03-08T10:00:00Z")
	done := func(arg string) (string, error) {
		var out string
		err := tr.tx(ctx, func(tx *sql.Tx) error {
			c, err := loadCase(ctx, tx, "ref = ?", settleRef)
			if err != nil {
				return err
			}
			out, err = tr.doneCommand(ctx, tx, tr.Now(), c, arg, "strategic.lead@lewisham.gov.uk")
			return err
		})
		return out, err
	}
	for _, tc := range []struct {
		arg, want, refused string
	}{
		{arg: "panel meeting", refused: `"panel meeting" could be any of: Panel meeting 1 (due Wed 3 Feb 2027); Panel meeting 2 (due Wed 3 Mar 2027)`},
		{arg: "Family visit", refused: `no step "Family visit" is waiting on LSCP-2026-001. Waiting: Chronologies returned (due Mon 25 Jan 2027)`},
		{arg: "", refused: "which step? Done: STEP [on YYYY-MM-DD]. Waiting: Chronologies returned"},
		{arg: "first draft on 2027-03-09", refused: "Tue 9 Mar 2027 is in the future"},
		{arg: "PANEL   MEETING 1 on 2027-02-01", want: "Panel meeting 1 done on Mon 1 Feb 2027 (due Wed 3 Feb 2027)"},
		{arg: "Panel meeting 2 on 5 Mar 2027", want: "Panel meeting 2 done on Fri 5 Mar 2027 (due Wed 3 Mar 2027): done 2 days late"},
		{arg: "panel meeting", refused: `no step "panel meeting" is waiting`},
		{arg: "first", want: "First draft report done on Mon 8 Mar 2027 (due Wed 14 Apr 2027)"},
	} {
		out, err := done(tc.arg)
		if tc.refused != "" {
			if !errors.Is(err, ErrRefused) || !strings.Contains(err.Error(), tc.refused) {
				t.Errorf("Done: %s = %q, %v; want refused with %q", tc.arg, out, err, tc.refused)
			}
			continue
		}
		if err != nil || out != tc.want {
			t.Errorf("Done: %s = %q, %v; want %q", tc.arg, out, err, tc.want)
		}
	}
	for _, tc := range []struct{ agency, status, met string }{
		{"Panel meeting 1", "met", "2027-02-01T17:00:00Z"},
		{"Panel meeting 2", "missed", "2027-03-05T17:00:00Z"},
	} {
		if d := settleDeadline(t, tr, "lcspr_publication", tc.agency); d.status != tc.status || d.met != tc.met {
			t.Errorf("%s = %+v, want %s at %s", tc.agency, d, tc.status, tc.met)
		}
	}
	if d := settleDeadline(t, tr, "final_report", "First draft report"); d.status != "met" || d.met != "2027-03-08T10:00:00Z" {
		t.Errorf("First draft report = %+v, want met now", d)
	}
	var n int
	if err := tr.DB().QueryRow(`SELECT count(*) FROM audit WHERE event = 'step_done' AND actor = 'strategic.lead@lewisham.gov.uk'`).Scan(&n); err != nil || n != 3 {
		t.Errorf("step_done audit rows = %d (%v), want 3", n, err)
	}
	// The command line's twin, and a closed case.
	if out, err := tr.MarkStepDone(ctx, settleRef, "final report to", time.Time{}, "command line"); err != nil || !strings.HasPrefix(out, "Final report to the Partnership done on Mon 8 Mar 2027") {
		t.Errorf("MarkStepDone = %q, %v", out, err)
	}
	closeNow(t, tr, "test over")
	if _, err := tr.MarkStepDone(ctx, settleRef, "Chronologies", time.Time{}, "command line"); !errors.Is(err, ErrRefused) || !strings.Contains(err.Error(), "is closed (test over)") {
		t.Errorf("MarkStepDone on a closed case = %v, want refused", err)
	}
}

// Done: STEP [on DATE] by staff email, in reply to csprbot's email to the staff member:
// a name that fits two steps is refused with both; the step named in full is marked done
// on its date, and the answer says so.
func TestDoneByEmail(t *testing.T) {
	tr, clock := torCase(t)
	clock.Set("2027-03-08T10:00:00Z")
	in := staffMail(clock, "done1@lewisham.gov.uk", firstID(t, tr, TmplApprovalRequest), "RE: [LSCP-2026-001] approve", "Done: panel\nDone: panel meeting 1 on 2027-02-02")
	deliver(t, tr, in)
	replies := outboxEmails(t, tr, TmplCommandReply)
	reply := replies[len(replies)-1].Email.Text
	for _, want := range []string{`"Done: panel meeting 1 on 2027-02-02" done: Panel meeting 1 done on Tue 2 Feb 2027 (due Wed 3 Feb 2027)`,
		`"Done: panel" refused: "panel" could be any of: Panel meeting 1 (due Wed 3 Feb 2027); Panel meeting 2 (due Wed 3 Mar 2027)`} {
		if !strings.Contains(reply, want) {
			t.Errorf("the answer lacks %q:\n%s", want, reply)
		}
	}
	if d := settleDeadline(t, tr, "lcspr_publication", "Panel meeting 1"); d.status != "met" || d.met != "2027-02-02T17:00:00Z" {
		t.Errorf("Panel meeting 1 = %+v, want met on 2 Feb", d)
	}
}
