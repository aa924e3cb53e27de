package tracker

import (
	"context"
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
