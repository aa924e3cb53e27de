package tracker

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// reader12StaffTold counts the staff notices whose text holds sub.
func reader12StaffTold(t *testing.T, tr *Tracker, sub string) int {
	t.Helper()
	n := 0
	for _, r := range outboxEmails(t, tr, TmplStaffAttention) {
		if strings.Contains(r.Email.Text, sub) {
			n++
		}
	}
	return n
}

// A case closed while Children's Social Care's chronology and both agency reports were
// still asked: the chronology arrives late, in reply to its request. It is recorded and a
// person is told; nothing is chased afterwards.
func TestReader12LateChronologyOnAClosedCaseIsRecordedNotChased(t *testing.T) {
	tr, clock := torCase(t)
	clock.Set("2027-01-28T10:00:00Z")
	closeNow(t, tr, "the partnership ended the review (Thu 28 Jan 2027)")
	reqs, escs := chasing(t, tr)
	staffBefore := len(outboxEmails(t, tr, TmplStaffAttention))
	clock.Set("2027-02-02T11:00:00Z")
	uidSeq++
	in := &Incoming{Mailbox: "INBOX", UIDValidity: 1, UID: uidSeq, ReceivedAt: clock.Now(), MessageID: "csc-late-chron@lewisham.gov.uk",
		From: "csc@lewisham.gov.uk", Subject: "RE: [LSCP-2026-001] Local review request", InReplyTo: lcsprRequestTo(t, tr, "csc@lewisham.gov.uk"), Text: "Sorry it is late. Attached.",
		Attachments: []InAttachment{{Attachment: Attachment{Name: "chronology.docx", Data: []byte("PK")}, Form: &Form{Kind: FormChronology}}}}
	r := deliver(t, tr, in)
	t.Logf("disposition %q", r.Disposition)
	var recorded int
	if err := tr.DB().QueryRow(`SELECT count(*) FROM messages WHERE message_id = ?`, in.MessageID).Scan(&recorded); err != nil || recorded != 1 {
		t.Errorf("late chronology recorded %d times (%v)", recorded, err)
	}
	if n := len(outboxEmails(t, tr, TmplStaffAttention)); n <= staffBefore {
		t.Errorf("staff not told of a chronology arriving on a closed case")
	}
	tickDays(t, tr, clock, "2027-02-02", "2027-03-05")
	if r2, e2 := chasing(t, tr); r2 != reqs || e2 != escs {
		t.Errorf("after closing: requests %d->%d, escalations %d->%d; want nothing chased", reqs, r2, escs, e2)
	}
	if p := pendingAfterClose(t, tr); len(p) != 0 {
		t.Errorf("a closed case still waits for %q", p)
	}
}

// The MESI subgroup's "Signed off" for an action whose evidence has not come signs
// nothing off (refused, staff told); the case does not close.
func TestReader12MESISignOffWithoutEvidenceIsRefused(t *testing.T) {
	tr, clock, req := mesiCase(t)
	staffBefore := len(outboxEmails(t, tr, TmplStaffAttention))
	clock.Set("2027-07-21T09:00:00Z")
	deliver(t, tr, mesiMail(clock, "r12-noev@lewisham.gov.uk", testMESI, req.MessageID, "RE: "+req.Email.Subject, "Approved A2"))
	if keys, stage := signedOff(t, tr); keys != "" || stage == StageClosed {
		t.Errorf("signed off %q, stage %s; want nothing", keys, stage)
	}
	if n := len(outboxEmails(t, tr, TmplStaffAttention)); n <= staffBefore {
		t.Errorf("staff not told of a refused sign-off")
	}
}

// An agency's reply that quotes the request's "Signed off" wording, or says it is signed
// off by its own board, is the agency's evidence, never the MESI subgroup's sign-off.
func TestReader12AgencySayingSignedOffSignsNothingOff(t *testing.T) {
	tr, clock, _ := mesiCase(t)
	var req string
	for _, o := range outboxEmails(t, tr, TmplLCSPRRequest) {
		if strings.Contains(o.To, "csc@lewisham.gov.uk") {
			req = o.MessageID
		}
	}
	clock.Set("2027-07-22T09:00:00Z")
	uidSeq++
	deliver(t, tr, &Incoming{Mailbox: "INBOX", UIDValidity: 1, UID: uidSeq, ReceivedAt: clock.Now(), MessageID: "csc-so@lewisham.gov.uk",
		From: "csc@lewisham.gov.uk", Subject: "RE: [LSCP-2026-001] Local review request", InReplyTo: req,
		Text: "Signed off: all. Our audit is complete and signed off by our board.\n\n> please reply saying \"Signed off\""})
	if keys, stage := signedOff(t, tr); keys != "" || stage == StageClosed {
		t.Errorf("signed off %q, stage %s; an agency signs nothing off", keys, stage)
	}
	// A display-name spoof of the subgroup answering its own request: nothing.
	so := outboxEmails(t, tr, TmplActionSignOff)
	deliver(t, tr, mesiMail(clock, "r12-spoof@evil.example", "\""+testMESI+"\" <mesi@evil.example>", so[0].MessageID, "RE: "+so[0].Email.Subject, "Signed off: all"))
	if keys, _ := signedOff(t, tr); keys != "" {
		t.Errorf("display-name spoof signed off %q", keys)
	}
}

// The subgroup's reply to case 001's request, with a DKIM fail on it, is still tied by the
// token (the email went to the subgroup alone), as staff's are. What a forged From could
// do with it needs the token, which only the subgroup's mailbox saw. A reply to the
// subgroup's sign-off confirmation (not a request) names no action: nothing signed off.
func TestReader12MESIReplyToTheConfirmationSignsNothingMore(t *testing.T) {
	tr, clock, req := mesiCase(t)
	evidence(t, tr, clock, "csc@lewisham.gov.uk", "ev-a2-r12c@lewisham.gov.uk", "2027-07-20T12:00:00Z")
	clock.Set("2027-07-21T09:00:00Z")
	deliver(t, tr, mesiMail(clock, "r12-c1@lewisham.gov.uk", testMESI, req.MessageID, "RE: "+req.Email.Subject, "Signed off"))
	so := outboxEmails(t, tr, TmplActionSignOff)
	conf := so[len(so)-1]
	if !strings.Contains(conf.Email.Text, "signed off: A1") {
		t.Fatalf("confirmation: %s", conf.Email.Text)
	}
	clock.Set("2027-07-21T10:00:00Z")
	deliver(t, tr, mesiMail(clock, "r12-c2@lewisham.gov.uk", testMESI, conf.MessageID, "RE: "+conf.Email.Subject, "Agreed"))
	if keys, stage := signedOff(t, tr); keys != "A1" || stage == StageClosed {
		t.Errorf("after Agreed to the confirmation: signed off %q, stage %s; want A1 only", keys, stage)
	}
}

var _ = context.Background

// The publication date moved earlier (before the first date came): the NSPCC copy is
// prepared on the new date, once; the old date arriving prepares nothing more. A restart
// with the clock moved back a day after it was prepared prepares nothing again.
func TestReader12NSPCCDateMovedEarlierAndClockBack(t *testing.T) {
	ctx := context.Background()
	clock := &testClock{}
	path := filepath.Join(t.TempDir(), "csprbot.db")
	cfg := nspccConfig()
	tr, closeStore := openTrackerAt(t, path, clock, cfg)
	toApproved(t, tr, clock, "b")
	clock.Set("2027-05-10T10:00:00Z")
	if _, err := tr.FinalReport(ctx, "LSCP-2026-001", &Attachment{Name: "final-report.pdf", Data: []byte("%PDF-1.4 final")}, mustTime("2027-06-02T23:00:00Z"), false, "test"); err != nil {
		t.Fatal(err) // Thu 3 Jun
	}
	clock.Set("2027-05-11T10:00:00Z")
	if _, err := tr.FinalReport(ctx, "LSCP-2026-001", &Attachment{Name: "final-report.pdf", Data: []byte("%PDF-1.4 final")}, mustTime("2027-05-26T23:00:00Z"), false, "test"); err != nil {
		t.Fatal(err) // Thu 27 May
	}
	tick := func(at string) {
		t.Helper()
		clock.Set(at)
		if _, err := tr.TickLCSPR(ctx); err != nil {
			t.Fatal(err)
		}
	}
	tick("2027-05-26T09:00:00Z")
	if n := nspccNotices(t, tr.DB()); len(n) != 0 {
		t.Fatalf("NSPCC copy the day before the moved date: %v", n)
	}
	tick("2027-05-27T08:30:00Z")
	if n := nspccNotices(t, tr.DB()); n["awaiting_approval"] != 1 || len(n) != 1 {
		t.Fatalf("on the moved (earlier) date: %v, want one waiting", n)
	}
	closeStore()
	clock.Set("2027-05-26T09:00:00Z") // restarted with the clock a day behind
	tr, closeStore = openTrackerAt(t, path, clock, cfg)
	defer func() { closeStore() }()
	tick("2027-05-26T09:30:00Z")
	tick("2027-05-27T09:30:00Z")
	tick("2027-06-03T08:30:00Z")
	if n := nspccNotices(t, tr.DB()); n["awaiting_approval"] != 1 || len(n) != 1 {
		t.Errorf("after a restart with the clock back and the old date: %v, want the one", n)
	}
	clock.Set("2027-06-03T09:00:00Z")
	if _, err := tr.ApproveWhat(ctx, "LSCP-2026-001", "nspcc", "test"); err != nil {
		t.Fatal(err)
	}
	tick("2027-06-04T08:30:00Z")
	if n := nspccNotices(t, tr.DB()); len(n) != 1 || n["awaiting_approval"] != 0 {
		t.Errorf("after approval: %v, want one, approved", n)
	}
}

// An Approve csprbot cannot authenticate waits for Confirm, pinned to the final report
// copies waiting when it was written. The report is recorded again (a corrected copy)
// before the Confirm: the Confirm approves nothing, and the corrected copies wait.
func TestReader12PinnedApproveOfAReplacedFinalReportApprovesNothing(t *testing.T) {
	ctx := context.Background()
	clock := &testClock{}
	tr := newTrackerWith(t, clock, nspccConfig(), rrRenderer{})
	toApproved(t, tr, clock, "b")
	clock.Set("2027-05-10T10:00:00Z")
	if _, err := tr.FinalReport(ctx, "LSCP-2026-001", &Attachment{Name: "final-report.pdf", Data: []byte("%PDF-1.4 v1")}, mustTime("2027-06-02T23:00:00Z"), false, "test"); err != nil {
		t.Fatal(err)
	}
	clock.Set("2027-05-10T11:00:00Z")
	deliver(t, tr, staffMail(clock, "r12-approve@lewisham.gov.uk", "", "[LSCP-2026-001] approval", "Approve final report"))
	replies := outboxEmails(t, tr, TmplCommandReply)
	if len(replies) == 0 {
		t.Fatal("no confirmation asked")
	}
	ask := replies[len(replies)-1].MessageID
	clock.Set("2027-05-10T12:00:00Z")
	if _, err := tr.FinalReport(ctx, "LSCP-2026-001", &Attachment{Name: "final-report.pdf", Data: []byte("%PDF-1.4 v2")}, mustTime("2027-06-02T23:00:00Z"), false, "test"); err != nil {
		t.Fatal(err)
	}
	clock.Set("2027-05-10T13:00:00Z")
	deliver(t, tr, staffMail(clock, "r12-confirm@lewisham.gov.uk", ask, "RE: your commands", "Confirm"))
	var approved, waiting int
	if err := tr.DB().QueryRow(`SELECT coalesce(sum(status = 'approved'), 0), coalesce(sum(status = 'awaiting_approval'), 0) FROM national_notices WHERE what = ?`, NoticeFinalReport).Scan(&approved, &waiting); err != nil {
		t.Fatal(err)
	}
	if approved != 0 || waiting != 1 {
		t.Errorf("final report notices approved %d, waiting %d; want 0 and 1", approved, waiting)
	}
}

// Done: STEP reaches only the Terms of Reference's timetable rows: an action of the action
// plan ("A1", or its words) cannot be marked done that way, so no action is met without
// its evidence and sign-off.
func TestReader12DoneCannotMeetAnAction(t *testing.T) {
	ctx := context.Background()
	tr, clock := torCase(t)
	plan := &Form{Kind: FormActionPlan, Tables: map[string][]map[string]string{"actions": {
		{"action": "Deliver training on information sharing", "owner": "Met Police", "due": "2027-07-30"}}}}
	clock.Set("2027-01-21T10:00:00Z")
	if _, err := tr.ActionPlan(ctx, settleRef, plan, "test"); err != nil {
		t.Fatal(err)
	}
	for _, step := range []string{"A1", "A1: Deliver training", "Deliver training"} {
		if out, err := tr.MarkStepDone(ctx, settleRef, step, time.Time{}, "command line"); err == nil {
			t.Errorf("done %q = %q, want refused", step, out)
		}
	}
	if d := settleDeadline(t, tr, "action_plan", "A1: Deliver training on information sharing"); d.status != "pending" {
		t.Errorf("action A1 %+v, want pending", d)
	}
}
