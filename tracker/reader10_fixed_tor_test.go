package tracker

import (
	"context"
	"database/sql"
	"strings"
	"testing"
)

// Tests the second reader of issue 10 wrote (reader10_defects_test.go) for the Terms of
// Reference, the publication clock and the returns' reminders, moved here once fixed.

// The same for the Terms of Reference: one with no reference printed but another
// child's initials (RM, on case ET) is read, confirmed and acted on: chronologies are
// asked of the agencies it names about this case.
func TestReader10ToRNamingAnotherChildIsApplied(t *testing.T) {
	clock := &testClock{}
	tr := newRRTracker(t, clock, nil)
	toApproved(t, tr, clock, "b")
	clock.Set("2027-01-04T10:00:00Z")
	f := torV("2027-01-25", true, "Met Police")
	f.CaseRef = ""
	f.Fields["child_initials"] = "RM"
	in := staffMail(clock, "tor-rm@lewisham.gov.uk", firstID(t, tr, TmplApprovalRequest), "RE: [LSCP-2026-001] approve", "Confirm terms")
	in.Attachments = []InAttachment{{Attachment: Attachment{Name: "ToR.docx", Data: []byte("PK")}, Form: f}}
	deliver(t, tr, in)
	var n int
	if err := tr.DB().QueryRow(`SELECT count(*) FROM returns WHERE kind = 'chronology'`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n > 0 {
		t.Errorf("Terms of Reference for child RM were confirmed on case ET's review: %d chronologies requested", n)
	}
}

// Publication delay: REASON prepares the notice to the National Panel and the Secretary
// of State with the staff member's reason. At four weeks before the six months run out,
// the scheduler prepares the notice again without a reason, superseding the one that had
// it: what waits for approval (and is sent on "Approve: delay") has lost the reason.
func TestReader10TickSupersedesTheStaffsDelayReason(t *testing.T) {
	ctx := context.Background()
	clock := &testClock{}
	tr := newWhyTracker(t, clock)
	toApproved(t, tr, clock, "b")
	const reason = "a parallel criminal trial is listed for July"
	clock.Set("2027-05-10T10:00:00Z")
	deliver(t, tr, staffMail(clock, "delay10@lewisham.gov.uk", firstID(t, tr, TmplApprovalRequest), "RE: [LSCP-2026-001] approve", "Publication delay: "+reason))
	waiting := func() []outRow {
		var out []outRow
		for _, o := range outboxEmails(t, tr, TmplNationalNotice) {
			if o.Status == "awaiting_approval" && strings.Contains(o.Email.Text, "notice="+NoticeDelay) {
				out = append(out, o)
			}
		}
		return out
	}
	if w := waiting(); len(w) != 1 || !strings.Contains(w[0].Email.Text, reason) {
		t.Fatalf("after Publication delay: the waiting delay notice = %d, want 1 with the reason", len(w))
	}
	clock.Set("2027-05-20T10:00:00Z") // four weeks before Thu 17 Jun 2027
	if _, err := tr.TickLCSPR(ctx); err != nil {
		t.Fatal(err)
	}
	w := waiting()
	if len(w) != 1 || !strings.Contains(w[0].Email.Text, reason) {
		var texts []string
		for _, o := range w {
			texts = append(texts, o.Email.Text[strings.LastIndex(o.Email.Text, "notice="):])
		}
		t.Errorf("after the four-week warning the delay notice waiting for approval lost the staff member's reason %q: %q", reason, texts)
	}
}

// A final report with a publication date after the six months prepares the delay notice;
// "Approve" sends it (with the final report). At four weeks before the six months the
// scheduler prepares a second delay notice, and the next "Approve" (for the NSPCC
// submission, say) sends the National Panel and the DfE the same notice again.
func TestReader10DelayNoticeSentTwice(t *testing.T) {
	ctx := context.Background()
	clock := &testClock{}
	tr := newWhyTracker(t, clock)
	toApproved(t, tr, clock, "b")
	clock.Set("2027-04-28T10:00:00Z")
	if _, err := tr.FinalReport(ctx, "LSCP-2026-001", &Attachment{Name: "final-report.docx", Data: []byte("PK-final")}, mustTime("2027-07-15T00:00:00Z"), false, "command line"); err != nil {
		t.Fatal(err)
	}
	if out, err := tr.ApproveWhat(ctx, "LSCP-2026-001", "", "command line"); err != nil || !strings.Contains(out, NoticeDelay) {
		t.Fatalf("Approve = %q, %v; want the delay notice approved with the final report", out, err)
	}
	clock.Set("2027-05-20T10:00:00Z")
	if _, err := tr.TickLCSPR(ctx); err != nil {
		t.Fatal(err)
	}
	_, _ = tr.ApproveWhat(ctx, "LSCP-2026-001", "", "command line")
	n := 0
	for _, o := range outboxEmails(t, tr, TmplNationalNotice) {
		if strings.Contains(o.Email.Text, "notice="+NoticeDelay) && (o.Status == "queued" || o.Status == "sent") {
			n++
		}
	}
	if n != 1 {
		t.Errorf("the late-publication notice to the National Panel and the DfE queued %d times, want once", n)
	}
}

// A final report is recorded with a publication date after the six months: the notice
// that publication will be late is prepared with it. The date is corrected to one inside
// the six months (Final report: publish 2027-06-10): the copies are prepared again, but
// the late-publication notice stays waiting, and the next "Approve" sends the National
// Panel and the DfE a notice that the review will be published late, with the new
// (on-time) date in it.
func TestReader10CorrectedPublicationDateLeavesTheDelayNotice(t *testing.T) {
	ctx := context.Background()
	clock := &testClock{}
	tr := newWhyTracker(t, clock)
	toApproved(t, tr, clock, "b")
	clock.Set("2027-04-28T10:00:00Z")
	rep := &Attachment{Name: "final-report.docx", Data: []byte("PK-final")}
	if _, err := tr.FinalReport(ctx, "LSCP-2026-001", rep, mustTime("2027-07-15T00:00:00Z"), false, "command line"); err != nil {
		t.Fatal(err)
	}
	clock.Set("2027-04-28T11:00:00Z")
	res, err := tr.FinalReport(ctx, "LSCP-2026-001", rep, mustTime("2027-06-10T00:00:00Z"), false, "command line")
	if err != nil {
		t.Fatal(err)
	}
	if !res.Late.IsZero() {
		t.Fatalf("10 June 2027 taken as after the six months (%v)", res.Late)
	}
	out, err := tr.ApproveWhat(ctx, "LSCP-2026-001", "", "command line")
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range outboxEmails(t, tr, TmplNationalNotice) {
		if strings.Contains(o.Email.Text, "notice="+NoticeDelay) && (o.Status == "queued" || o.Status == "awaiting_approval") {
			t.Errorf("publication corrected to Thu 10 Jun 2027 (inside the six months), yet the late-publication notice to %s is %s (Approve said: %s)", o.To, o.Status, out)
		}
	}
}

// A publication date too close is refused "naming the earliest lawful one". On Thursday
// 20 May 2027 a date of Fri 28 May is refused naming Tue 1 Jun as the earliest; but Sat 29
// May and the bank holiday Mon 31 May, both before it, are accepted without force.
func TestReader10EarliestLawfulPublicationIsNotTheEarliest(t *testing.T) {
	ctx := context.Background()
	clock := &testClock{}
	tr := newRRTracker(t, clock, nil)
	toApproved(t, tr, clock, "b")
	clock.Set("2027-05-20T09:00:00Z") // 10:00 BST, Thursday
	rep := &Attachment{Name: "final-report.docx", Data: []byte("PK-final")}
	_, err := tr.FinalReport(ctx, "LSCP-2026-001", rep, mustTime("2027-05-28T00:00:00Z"), false, "command line")
	if err == nil {
		t.Fatal("Fri 28 May accepted on Thu 20 May, want refused")
	}
	named := err.Error()
	if !strings.Contains(named, "earliest lawful date is") {
		t.Fatalf("refusal names no earliest date: %v", err)
	}
	for _, d := range []string{"2027-05-29", "2027-05-31"} {
		if _, err := tr.FinalReport(ctx, "LSCP-2026-001", rep, mustTime(d+"T00:00:00Z"), false, "command line"); err == nil {
			day := mustTime(d + "T12:00:00Z").Format("Mon 2 Jan 2006")
			if !strings.Contains(named, day) {
				t.Errorf("publication on %s accepted without force, yet the refusal of Fri 28 May said: %s", day, named[strings.Index(named, "earliest"):])
			}
		}
	}
}

// The earliest lawful publication date named is accepted, and the day before it is not,
// whatever day it is asked on: a weekend or bank holiday counts as the working day
// before it (Spring bank holiday 2027, Easter 2027, Christmas 2026).
func TestEarliestPublicationIsTheFirstAccepted(t *testing.T) {
	clock := &testClock{}
	tr := newRRTracker(t, clock, nil)
	for _, now := range []string{"2027-05-20T09:00:00Z", "2027-05-20T16:30:00Z", "2027-05-21T08:00:00Z", "2027-05-22T12:00:00Z",
		"2027-03-19T10:00:00Z", "2026-12-18T10:00:00Z", "2026-12-24T17:30:00Z"} {
		t.Run(now, func(t *testing.T) {
			n := mustTime(now)
			e := tr.earliestPublication(n)
			if by, ok := tr.publicationSendBy(e); !ok || by.Before(n) {
				t.Errorf("earliestPublication(%s) = %s, whose copies were due by %s: not accepted", now, e.Format("Mon 2 Jan 2006"), by)
			}
			for d := tr.cal.At(n, 0, 0); d.Before(e); d = d.AddDate(0, 0, 1) {
				if by, _ := tr.publicationSendBy(d); !by.Before(n) {
					t.Errorf("earliestPublication(%s) = %s, but %s is accepted too", now, e.Format("Mon 2 Jan 2006"), d.Format("Mon 2 Jan 2006"))
				}
			}
			if !tr.cal.IsWorkingDay(e) {
				t.Errorf("earliestPublication(%s) = %s, not a working day", now, e.Format("Mon 2 Jan 2006"))
			}
		})
	}
}

// A chronology asked for by a date that is a bank holiday (Spring bank holiday, Mon 31
// May 2027, as a Terms of Reference or "Request chronology: … by 2027-05-31" may set):
// the reminder due "at 09:00 the working day before" (Fri 28 May) is never sent, since
// no working day is one working day before a holiday; the agency's first message is an
// overdue chaser on Tue 1 Jun, for a deadline that fell at 17:00 on a day nobody works.
func TestReader10ReturnDueOnABankHolidayIsNeverReminded(t *testing.T) {
	ctx := context.Background()
	clock := &testClock{}
	tr := newRRTracker(t, clock, nil)
	toApproved(t, tr, clock, "b")
	clock.Set("2027-05-10T10:00:00Z")
	if _, err := tr.RequestReturns(ctx, "LSCP-2026-001", ReturnChronology, []string{"Met Police"}, mustTime("2027-05-31T00:00:00Z"), "command line"); err != nil {
		t.Fatal(err)
	}
	reminded, chased := false, ""
	for _, at := range []string{"2027-05-27T08:30:00Z", "2027-05-28T08:30:00Z", "2027-05-31T08:30:00Z", "2027-06-01T08:30:00Z"} {
		clock.Set(at)
		res, err := tr.Tick(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if res.Reminders > 0 {
			reminded = true
		}
		if res.Chasers > 0 && chased == "" {
			chased = at
		}
	}
	if !reminded {
		t.Errorf("a chronology due on the bank holiday Mon 31 May 2027 was never reminded; the first message to the agency is a chaser at %s", chased)
	}
}

// A revised Terms of Reference that moves the chronologies' date later says "(was Mon 25
// Jan 2027)", and moves the timetable row; but the agencies already asked keep the old
// due date on their returns and on their lcspr_returns deadline ("already asked"), so they
// are reminded and chased for a date the partnership has moved.
func TestReader10RevisedToRLeavesAgenciesOnTheOldDate(t *testing.T) {
	ctx := context.Background()
	clock := &testClock{}
	tr := newRRTracker(t, clock, nil)
	toApproved(t, tr, clock, "b")
	clock.Set("2027-01-04T10:00:00Z")
	if _, err := tr.TermsOfReference(ctx, "LSCP-2026-001", torV("2027-01-25", true, "Met Police", "Lewisham Children's Social Care"), true, "command line"); err != nil {
		t.Fatal(err)
	}
	clock.Set("2027-01-11T10:00:00Z")
	res, err := tr.TermsOfReference(ctx, "LSCP-2026-001", torV("2027-02-08", true, "Met Police", "Lewisham Children's Social Care"), true, "command line")
	if err != nil {
		t.Fatal(err)
	}
	said := strings.Join(ToRDone(res, tr.cal.Location()), "\n")
	if !strings.Contains(said, "was Mon 25 Jan 2027") {
		t.Fatalf("the revised ToR did not say the chronologies' date moved:\n%s", said)
	}
	want := tr.cal.At(mustTime("2027-02-08T00:00:00Z"), 17, 0)
	rows, err := tr.DB().Query(`SELECT agency, due_at FROM returns WHERE kind = 'chronology' ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var ag, due string
		if err := rows.Scan(&ag, &due); err != nil {
			t.Fatal(err)
		}
		if d := parseTS(sql.NullString{String: due, Valid: true}); !d.Equal(want) {
			t.Errorf("%s's chronology is still due %s after the revised ToR moved it to %s (the reply said: moved)", ag, d.In(tr.cal.Location()).Format("Mon 2 Jan 2006 15:04"), want.In(tr.cal.Location()).Format("Mon 2 Jan 2006 15:04"))
		}
	}
	// And the scheduler chases them on the old date.
	clock.Set("2027-01-27T10:00:00Z")
	tick, err := tr.Tick(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if tick.Chasers > 0 {
		t.Errorf("%d chasers sent on Wed 27 Jan for chronologies the revised ToR made due on Mon 8 Feb", tick.Chasers)
	}
}

// A revised Terms of Reference that drops a timetable row (the learning event) and an
// agency (Children's Social Care) says nothing about either: the dropped row's deadline
// stays pending (and will be reported missed), and the dropped agency's chronology stays
// awaited, to be reminded, chased and escalated.
func TestReader10RevisedToRDropsRowsAndAgenciesSilently(t *testing.T) {
	ctx := context.Background()
	clock := &testClock{}
	tr := newRRTracker(t, clock, nil)
	toApproved(t, tr, clock, "b")
	clock.Set("2027-01-04T10:00:00Z")
	if _, err := tr.TermsOfReference(ctx, "LSCP-2026-001", torV("2027-01-25", true, "Met Police", "Lewisham Children's Social Care"), true, "command line"); err != nil {
		t.Fatal(err)
	}
	clock.Set("2027-01-11T10:00:00Z")
	res, err := tr.TermsOfReference(ctx, "LSCP-2026-001", torV("2027-01-25", false, "Met Police"), true, "command line")
	if err != nil {
		t.Fatal(err)
	}
	said := strings.Join(ToRDone(res, tr.cal.Location()), "\n")
	var st string
	if err := tr.DB().QueryRow(`SELECT status FROM deadlines WHERE rule = 'learning_event' AND agency = 'Practitioner learning event'`).Scan(&st); err != nil {
		t.Fatal(err)
	}
	if st == "pending" && !strings.Contains(said, "Practitioner learning event") {
		t.Errorf("the revised ToR dropped the learning event row; its deadline is still %s and the reply does not mention it:\n%s", st, said)
	}
	var rs string
	if err := tr.DB().QueryRow(`SELECT status FROM returns WHERE kind = 'chronology' AND agency = 'Lewisham Children''s Social Care'`).Scan(&rs); err != nil {
		t.Fatal(err)
	}
	if rs == "awaiting" && !strings.Contains(said, "Social Care") {
		t.Errorf("the revised ToR no longer names Children's Social Care; its chronology is still %s (to be chased) and the reply does not mention it:\n%s", rs, said)
	}
}

// A revised Terms of Reference sent by email says, when it is read, what confirming it
// will change in what the first one set (the dates of agencies already asked, rows and
// agencies it drops), and changes it only on Confirm terms, whose reply says it again.
func TestRevisedToRByEmailChangesOnConfirm(t *testing.T) {
	ctx := context.Background()
	clock := &testClock{}
	tr := newRRTracker(t, clock, nil)
	toApproved(t, tr, clock, "b")
	clock.Set("2027-01-04T10:00:00Z")
	if _, err := tr.TermsOfReference(ctx, "LSCP-2026-001", torV("2027-01-25", true, "Met Police", "Lewisham Children's Social Care"), true, "command line"); err != nil {
		t.Fatal(err)
	}
	clock.Set("2027-01-11T10:00:00Z")
	in := staffMail(clock, "rev-tor1@lewisham.gov.uk", firstID(t, tr, TmplApprovalRequest), "RE: [LSCP-2026-001] approve", "The revised ToR.")
	in.Attachments = []InAttachment{{Attachment: Attachment{Name: "tor.docx", Data: []byte("PK")}, Form: torV("2027-02-08", false, "Met Police")}}
	deliver(t, tr, in)
	replies := outboxEmails(t, tr, TmplCommandReply)
	last := replies[len(replies)-1]
	for _, want := range []string{"(was Mon 25 Jan 2027)", "withdrawn, once confirmed", "Practitioner learning event (was due Wed 10 Mar 2027)",
		"Lewisham Children's Social Care's chronology (was due Mon 25 Jan 2027)", "Metropolitan Police Service's chronology now due 17:00 Mon 8 Feb 2027 (was Mon 25 Jan 2027)"} {
		if !strings.Contains(last.Email.Text, want) {
			t.Errorf("reply to the revised ToR lacks %q:\n%s", want, last.Email.Text)
		}
	}
	status := func(q string, args ...any) string {
		t.Helper()
		var s string
		if err := tr.DB().QueryRow(q, args...).Scan(&s); err != nil {
			t.Fatal(err)
		}
		return s
	}
	if s := status(`SELECT status FROM returns WHERE kind = 'chronology' AND agency = 'Lewisham Children''s Social Care'`); s != "awaiting" {
		t.Errorf("before Confirm terms, the chronology of Children's Social Care is %s, want still awaiting", s)
	}
	confirm := staffMail(clock, "rev-tor2@lewisham.gov.uk", last.MessageID, "RE: "+last.Email.Subject, "Confirm terms")
	deliver(t, tr, confirm)
	replies = outboxEmails(t, tr, TmplCommandReply)
	last = replies[len(replies)-1]
	for _, want := range []string{"(was Mon 25 Jan 2027)", "Practitioner learning event (was due Wed 10 Mar 2027)", "Lewisham Children's Social Care's chronology", "Metropolitan Police Service's chronology now due"} {
		if !strings.Contains(last.Email.Text, want) {
			t.Errorf("reply to Confirm terms lacks %q:\n%s", want, last.Email.Text)
		}
	}
	if s := status(`SELECT status FROM returns WHERE kind = 'chronology' AND agency = 'Lewisham Children''s Social Care'`); s != "waived" {
		t.Errorf("after Confirm terms, the chronology of Children's Social Care is %s, want waived", s)
	}
	for _, q := range []string{`SELECT status || ' ' || note FROM deadlines WHERE rule = 'lcspr_returns' AND agency = 'Lewisham Children''s Social Care'`,
		`SELECT status || ' ' || note FROM deadlines WHERE rule = 'learning_event' AND agency = 'Practitioner learning event'`} {
		if s := status(q); s != "waived removed by the revised Terms of Reference (Mon 11 Jan 2027)" {
			t.Errorf("%s = %q, want waived, removed by the revised Terms of Reference", q, s)
		}
	}
	if s := status(`SELECT due_at FROM returns WHERE kind = 'chronology' AND agency = 'Metropolitan Police Service'`); s != "2027-02-08T17:00:00Z" {
		t.Errorf("the police's chronology is due %s, want 2027-02-08T17:00:00Z", s)
	}
	if s := status(`SELECT status || ' ' || due_at FROM deadlines WHERE rule = 'lcspr_returns' AND agency = 'Metropolitan Police Service'`); s != "pending 2027-02-08T17:00:00Z" {
		t.Errorf("the police's lcspr_returns deadline is %s, want pending 2027-02-08T17:00:00Z", s)
	}
	// Reminded the working day before the new date, not chased on the old one.
	for _, c := range []struct {
		at                 string
		reminders, chasers int
	}{{"2027-01-22T10:00:00Z", 0, 0}, {"2027-01-27T10:00:00Z", 0, 0}, {"2027-02-05T10:00:00Z", 1, 0}, {"2027-02-09T10:00:00Z", 0, 1}} {
		clock.Set(c.at)
		res, err := tr.Tick(ctx)
		if err != nil {
			t.Fatal(err)
		}
		// The scoping returns of the case are over (its meeting was held); only chronologies count.
		if res.Reminders != c.reminders || res.Chasers != c.chasers {
			t.Errorf("Tick at %s = %d reminders, %d chasers; want %d, %d", c.at, res.Reminders, res.Chasers, c.reminders, c.chasers)
		}
	}
}

// An agency a revised Terms of Reference dropped is asked again when a later one names it
// again: its withdrawn request is not taken for one already made.
func TestToRAsksAWithdrawnAgencyAgain(t *testing.T) {
	ctx := context.Background()
	clock := &testClock{}
	tr := newRRTracker(t, clock, nil)
	toApproved(t, tr, clock, "b")
	clock.Set("2027-01-04T10:00:00Z")
	for i, f := range []*Form{torV("2027-01-25", true, "Met Police", "Lewisham Children's Social Care"), torV("2027-01-25", true, "Met Police"),
		torV("2027-02-08", true, "Met Police", "Lewisham Children's Social Care")} {
		clock.Set([]string{"2027-01-04T10:00:00Z", "2027-01-05T10:00:00Z", "2027-01-06T10:00:00Z"}[i])
		if _, err := tr.TermsOfReference(ctx, "LSCP-2026-001", f, true, "command line"); err != nil {
			t.Fatal(err)
		}
	}
	var st, due, note string
	if err := tr.DB().QueryRow(`SELECT status, due_at, note FROM returns WHERE kind = 'chronology' AND agency = 'Lewisham Children''s Social Care'`).Scan(&st, &due, &note); err != nil {
		t.Fatal(err)
	}
	if st != "awaiting" || due != "2027-02-08T17:00:00Z" {
		t.Errorf("Children's Social Care's chronology, named again = %s due %s (%s), want awaiting due 2027-02-08T17:00:00Z", st, due, note)
	}
	var dl string
	if err := tr.DB().QueryRow(`SELECT status || ' ' || due_at FROM deadlines WHERE rule = 'lcspr_returns' AND agency = 'Lewisham Children''s Social Care'`).Scan(&dl); err != nil {
		t.Fatal(err)
	}
	if dl != "pending 2027-02-08T17:00:00Z" {
		t.Errorf("its lcspr_returns deadline = %s, want pending 2027-02-08T17:00:00Z", dl)
	}
	if n := len(outboxEmails(t, tr, TmplLCSPRRequest)); n != 3 {
		t.Errorf("chronology requests = %d, want 3 (the police once, Children's Social Care twice)", n)
	}
}
