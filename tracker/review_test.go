package tracker

// Second-reading review tests: each proves a bug found on review (and now fixed), or
// documents one that is not fixed yet with t.Skip("BUG: ...").

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"
)

// A token proves that the sender saw one of csprbot's emails, not who the sender is. The
// acknowledgement goes to the referrer (here an NHS trust's safeguarding inbox): its
// Message-ID must not let the referrer give staff commands by forging a staff From.
func TestReviewTokenFromAnotherRecipientDoesNotAuthenticateStaff(t *testing.T) {
	ctx := context.Background()
	clock := &testClock{}
	tr := newRRTracker(t, clock, nil)
	openScopedCase(t, tr, clock, "2026-12-07T10:15:00Z")
	clock.Set("2026-12-08T10:00:00Z")
	ack := outboxEmails(t, tr, TmplAckReferrer)
	if len(ack) != 1 || ack[0].To != "safeguarding@lgt.example" {
		t.Fatalf("acknowledgement = %+v", ack)
	}
	// The referrer replies to its acknowledgement, forging the strategic lead's From.
	forged := staffMail(clock, "forged@lgt.example", ack[0].MessageID, "RE: referral received", "Waive: Met Police\nMeeting: 2026-12-16 10:00")
	deliver(t, tr, forged)
	if meetingSet(t, tr) {
		t.Errorf("a forged staff From replying to the referrer's acknowledgement set the meeting")
	}
	d, _ := tr.Case(ctx, "LSCP-2026-001")
	for _, r := range d.Returns {
		if r.Agency == "Metropolitan Police Service" && r.Status == "waived" {
			t.Errorf("a forged staff From replying to the referrer's acknowledgement waived the police return")
		}
	}
	// The same commands in a reply to an email that went to the strategic lead are obeyed.
	real := staffMail(clock, "real@lewisham.gov.uk", firstID(t, tr, TmplStaffNewReferral), "RE: new referral", "Waive: Met Police")
	if res := deliver(t, tr, real); res.Disposition != "command" {
		t.Fatalf("staff reply to their own email = %+v", res)
	}
	d, _ = tr.Case(ctx, "LSCP-2026-001")
	for _, r := range d.Returns {
		if r.Agency == "Metropolitan Police Service" && r.Status != "waived" {
			t.Errorf("a real staff token reply was not obeyed: police return %s", r.Status)
		}
	}
}

// The police forward their scoping request to the ICB; the ICB replies to the forward with
// its own form. The References carry the police request's token, but the sender is the
// address the directory knows for the ICB: the return is the ICB's, never the police's.
func TestReviewTokenReplyFromAnotherAgencyIsNotCountedForTheTokensAgency(t *testing.T) {
	ctx := context.Background()
	clock := &testClock{}
	tr := newRRTracker(t, clock, nil)
	openScopedCase(t, tr, clock, "2026-12-07T10:15:00Z")
	police := ""
	for _, o := range outboxEmails(t, tr, TmplScopingRequest) {
		if o.Agency == "Metropolitan Police Service" {
			police = o.MessageID
		}
	}
	clock.Set("2026-12-09T14:30:00Z")
	res := deliver(t, tr, &Incoming{Mailbox: "INBOX", UIDValidity: 1, UID: 70, ReceivedAt: clock.Now(), MessageID: "icb1@icb.example",
		From: "icb@icb.example", Subject: "RE: FW: scoping request", InReplyTo: "fwd1@met.example", References: []string{police, "fwd1@met.example"},
		Attachments: []InAttachment{{Attachment: Attachment{Name: "return.docx"}, Form: &Form{Kind: FormScopingReturn, Fields: map[string]string{"child_known": "yes", "family_known": "no"}}}}})
	if res.Agency == "Metropolitan Police Service" {
		t.Errorf("the ICB's reply was tied to the police: %+v", res)
	}
	d, _ := tr.Case(ctx, "LSCP-2026-001")
	for _, r := range d.Returns {
		if r.Agency == "Metropolitan Police Service" && r.Status != "awaiting" {
			t.Errorf("police return is %s after the ICB replied; want awaiting", r.Status)
		}
		if r.Agency == "NHS South East London ICB" && r.Status != "received" {
			t.Errorf("ICB return is %s after the ICB sent its form; want received", r.Status)
		}
	}
	// A colleague at the police, from an address the directory does not know, replying to
	// the police request: the token ties it to the case, but does not make the sender the
	// police (a forwarded request reaches anyone). Recorded for a person, not filed.
	policeReturn := func(uid uint32, id string, authres []string) IngestResult {
		return deliver(t, tr, &Incoming{Mailbox: "INBOX", UIDValidity: 1, UID: uid, ReceivedAt: clock.Now(), MessageID: id,
			From: "colleague@met.example", Subject: "RE: scoping request", InReplyTo: police, AuthResults: authres,
			Attachments: []InAttachment{{Attachment: Attachment{Name: "return.docx"}, Form: &Form{Kind: FormScopingReturn, Fields: map[string]string{"child_known": "yes", "family_known": "yes"}}}}})
	}
	if res = policeReturn(71, "p2@met.example", nil); res.Agency != "" || res.Disposition != DispForPerson {
		t.Errorf("unauthenticated police colleague's token reply = %+v, want for a person", res)
	}
	// The same colleague, with the trusted server's DKIM pass for the police's domain,
	// speaks for the police.
	if res = policeReturn(72, "p3@met.example", []string{"mx.lewisham.gov.uk; dkim=pass header.d=met.example"}); res.Agency != "Metropolitan Police Service" || res.Disposition != DispReturn {
		t.Errorf("authenticated police colleague's token reply = %+v, want the police's return", res)
	}
}

// slowSender takes a while over each email, as a real SMTP server does, and counts what
// it was given by Message-ID.
type slowSender struct {
	mu   sync.Mutex
	seen map[string]int
}

func (s *slowSender) Send(_ context.Context, m *OutEmail) error {
	time.Sleep(30 * time.Millisecond)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seen[m.MessageID]++
	return nil
}

// Two SendDue at the same moment (csprbot run --once beside the daemon, or two cron runs
// overlapping) must not both send one queued email. A crash while holding the send lock
// releases it (TestReviewSendLockReleasedAfterUse covers release; the kernel covers death).
func TestReviewConcurrentSendDueSendsEachEmailOnce(t *testing.T) {
	ctx := context.Background()
	clock := &testClock{}
	tr := newRRTracker(t, clock, nil)
	openScopedCase(t, tr, clock, "2026-12-07T10:15:00Z")
	queued := 0
	for _, o := range outboxEmails(t, tr, "") {
		if o.Status == "queued" {
			queued++
		}
	}
	if queued < 4 {
		t.Fatalf("only %d queued emails", queued)
	}
	// A second tracker on the same store file stands for a second process.
	st2, err := Open(ctx, tr.path, clock.Now, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st2.Close()
	cal, _ := NewCalendar(nil)
	tr2, err := New(ctx, st2, rrConfig(), cal, rrRenderer{})
	if err != nil {
		t.Fatal(err)
	}
	s := &slowSender{seen: map[string]int{}}
	var wg sync.WaitGroup
	errs := make([]error, 3)
	for i, x := range []*Tracker{tr, tr2, tr} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = x.SendDue(ctx, s)
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	for id, n := range s.seen {
		if n > 1 {
			t.Errorf("%s sent %d times", id, n)
		}
	}
	if len(s.seen) != queued {
		t.Errorf("sent %d distinct emails, want %d", len(s.seen), queued)
	}
	for _, o := range outboxEmails(t, tr, "") {
		if o.Status == "queued" {
			t.Errorf("%s (%s) still queued", o.MessageID, o.Kind)
		}
	}
}

// The send lock is released when SendDue returns, also after an error, so the next pass
// sends.
func TestReviewSendLockReleasedAfterUse(t *testing.T) {
	ctx := context.Background()
	clock := &testClock{}
	tr := newRRTracker(t, clock, nil)
	openScopedCase(t, tr, clock, "2026-12-07T10:15:00Z")
	failing := senderFunc(func(context.Context, *OutEmail) error { return &SendError{Err: errTemp} })
	if n, err := tr.SendDue(ctx, failing); n != 0 || err != nil {
		t.Fatalf("SendDue with the server refusing = %d, %v", n, err)
	}
	clock.Set("2026-12-07T13:00:00Z") // past the back-off
	s := &slowSender{seen: map[string]int{}}
	if n, err := tr.SendDue(ctx, s); n == 0 || err != nil {
		t.Fatalf("SendDue after a failed pass = %d, %v; want the queue sent", n, err)
	}
}

type senderFunc func(context.Context, *OutEmail) error

func (f senderFunc) Send(ctx context.Context, m *OutEmail) error { return f(ctx, m) }

var errTemp = errors.New("421 try later")

// An address the server refused or that bounced is marked, and "later mail to it is held".
// The National Panel submission is enqueued (held, because of the mark), then set
// awaiting_approval and, on approval, queued: the mark must still hold it.
func TestReviewApprovedSubmissionToBouncedAddressIsHeld(t *testing.T) {
	ctx := context.Background()
	clock := &testClock{}
	tr := newRRTracker(t, clock, nil)
	openScopedCase(t, tr, clock, "2026-12-07T10:15:00Z")
	if _, err := tr.SetMeeting(ctx, "LSCP-2026-001", mustTime("2026-12-16T10:00:00Z"), false, "test"); err != nil {
		t.Fatal(err)
	}
	clock.Set("2026-12-16T15:00:00Z")
	if err := tr.tx(ctx, func(tx *sql.Tx) error {
		return markAddress(ctx, tx, clock.Now(), "Mailbox.NationalReviewPanel@education.gov.uk", "rejected", "550 5.1.1 mailbox unavailable")
	}); err != nil {
		t.Fatal(err)
	}
	in := staffMail(clock, "report-b@lewisham.gov.uk", firstID(t, tr, TmplStaffNewReferral), "RE: [LSCP-2026-001] new referral", "Here is the report.")
	in.Attachments = []InAttachment{reportAttachment("b")}
	if res := deliver(t, tr, in); res.Disposition != "command" {
		t.Fatalf("report = %+v", res)
	}
	clock.Set("2026-12-17T10:00:00Z")
	if _, err := tr.Approve(ctx, "LSCP-2026-001", "command line"); err != nil {
		t.Fatal(err)
	}
	sub := nationalRows(t, tr)
	if len(sub) != 1 || sub[0].Status != "held" {
		t.Fatalf("submission to a rejected address after approval = %+v, want held for a person", sub)
	}
	sink := &sinkSender{}
	if _, err := tr.SendDue(ctx, sink); err != nil {
		t.Fatal(err)
	}
	for _, m := range sink.sent {
		if strings.Contains(strings.ToLower(strings.Join(m.To, ",")), "nationalreviewpanel") {
			t.Errorf("the submission went to the rejected address")
		}
	}
}
