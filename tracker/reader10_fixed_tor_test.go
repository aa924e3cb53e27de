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
