package tracker

import (
	"context"
	"database/sql"
	"testing"
)

// TestHeldSubmissionMeetsItsDeadlineWhenSent: an approval whose submission is held (the
// Panel's address bounced) leaves rr_submission pending; once the address is cleared and
// the submission released and sent, rr_submission is met by the send.
func TestHeldSubmissionMeetsItsDeadlineWhenSent(t *testing.T) {
	ctx := context.Background()
	clock := &testClock{}
	tr := newRRTracker(t, clock, nil)
	openScopedCase(t, tr, clock, "2026-12-07T10:15:00Z")
	clock.Set("2026-12-08T10:00:00Z")
	if _, err := tr.SetMeeting(ctx, "LSCP-2026-001", mustTime("2026-12-16T10:00:00Z"), false, "test"); err != nil {
		t.Fatal(err)
	}
	clock.Set("2026-12-16T15:00:00Z")
	in := staffMail(clock, "report-held@lewisham.gov.uk", firstID(t, tr, TmplStaffNewReferral), "RE: [LSCP-2026-001] new referral", "Here is the report.")
	in.Attachments = []InAttachment{reportAttachment("b")}
	deliver(t, tr, in)
	panel := "Mailbox.NationalReviewPanel@education.gov.uk"
	if err := tr.tx(ctx, func(tx *sql.Tx) error {
		return markAddress(ctx, tx, clock.Now(), panel, "bounced", "550 5.1.1 mailbox full")
	}); err != nil {
		t.Fatal(err)
	}
	clock.Set("2026-12-17T10:00:00Z")
	res, err := tr.Approve(ctx, "LSCP-2026-001", "test")
	if err != nil || res.Held == "" {
		t.Fatalf("Approve = %+v, %v; want Held saying why", res, err)
	}
	status := func() string {
		var st string
		tr.DB().QueryRow(`SELECT status FROM deadlines WHERE case_id = 1 AND rule = 'rr_submission'`).Scan(&st)
		return st
	}
	if st := status(); st != "pending" {
		t.Fatalf("rr_submission after a held approval = %q, want pending", st)
	}
	clock.Set("2026-12-17T11:00:00Z")
	if err := tr.ClearAddress(ctx, panel, "test"); err != nil {
		t.Fatal(err)
	}
	if released, still, err := tr.ReleaseTo(ctx, panel, "test"); err != nil || len(released) != 1 {
		t.Fatalf("ReleaseTo = %v, %v, %v; want the submission released", released, still, err)
	}
	if _, err := tr.SendDue(ctx, &sinkSender{}); err != nil {
		t.Fatal(err)
	}
	if st := status(); st != "met" {
		t.Errorf("rr_submission after the held submission was sent = %q, want met", st)
	}
}
