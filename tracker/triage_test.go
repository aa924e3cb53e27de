package tracker

import (
	"context"
	"strings"
	"testing"
)

// Issue 9.6: a case only for a referral. An unreadable document alone does not open a
// statutory case or acknowledge anyone; staff open one from the triage notice by reply,
// with the day the message arrived as day 0.
func TestUnreadableDocumentGoesToTriageAndOpenCaseByReply(t *testing.T) {
	ctx := context.Background()
	clock := &testClock{}
	clock.Set("2026-12-07T10:15:00Z")
	tr := newTestTracker(t, clock)
	in := &Incoming{Mailbox: "INBOX", UIDValidity: 1, UID: 1, ReceivedAt: mustTime("2026-12-07T10:15:00Z"), MessageID: "scan@unknown.example",
		From: "someone@unknown.example", Subject: "documents", Text: "see attached",
		Attachments: []InAttachment{{Attachment: Attachment{Name: "scan.docx", Data: []byte("PK")}, ParseError: "not a Word document"}}}
	res, err := tr.Ingest(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	if res.Disposition != DispTriage || res.CaseRef != "" {
		t.Fatalf("an unreadable document alone = %+v, want triage and no case", res)
	}
	if n := len(outboxEmails(t, tr, TmplAckReferrer)); n != 0 {
		t.Errorf("%d acknowledgements to a sender who referred no one", n)
	}
	notices := outboxEmails(t, tr, TmplStaffAttention)
	if len(notices) != 1 || !strings.Contains(notices[0].Email.Text, "Open case") {
		t.Fatalf("triage notices = %+v, want one offering Open case", notices)
	}
	// Two days later, the lead replies "Open case" to the notice.
	clock.Set("2026-12-09T09:00:00Z")
	reply := &Incoming{Mailbox: "INBOX", UIDValidity: 1, UID: 2, ReceivedAt: clock.Now(), MessageID: "open@lewisham.gov.uk",
		From: "strategic.lead@lewisham.gov.uk", Subject: "RE: needs attention", InReplyTo: notices[0].MessageID, Text: "Open case\n\n> quoted"}
	res, err = tr.Ingest(ctx, reply)
	if err != nil {
		t.Fatal(err)
	}
	if res.CaseRef != "LSCP-2026-001" {
		t.Fatalf("Open case = %+v, want case LSCP-2026-001", res)
	}
	d, err := tr.Case(ctx, "LSCP-2026-001")
	if err != nil {
		t.Fatal(err)
	}
	if !d.ReferralReceived.Equal(mustTime("2026-12-07T10:15:00Z")) {
		t.Errorf("day 0 = %v, want the day the message arrived", d.ReferralReceived)
	}
	// The same command again says the message is already on the case.
	again := *reply
	again.MessageID, again.UID = "open2@lewisham.gov.uk", 3
	if _, err := tr.Ingest(ctx, &again); err != nil {
		t.Fatal(err)
	}
	var cases int
	tr.DB().QueryRow(`SELECT count(*) FROM cases`).Scan(&cases)
	if cases != 1 {
		t.Errorf("cases after a second Open case = %d, want 1", cases)
	}
	// A referral subject with an unreadable document still opens a case for a person.
	in2 := *in
	in2.MessageID, in2.UID, in2.Subject = "ref@unknown.example", 4, "Referral for a CSPR"
	if res, err := tr.Ingest(ctx, &in2); err != nil || res.Disposition != DispNeedsInput {
		t.Errorf("referral with an unreadable form = %+v, %v; want a case to complete", res, err)
	}
}

// Issue 13.3: the fields a referral form leaves unanswered are named in the staff notice,
// never left silently empty.
func TestUnansweredReferralFieldsAreNamedToStaff(t *testing.T) {
	ctx := context.Background()
	clock := &testClock{}
	clock.Set("2026-12-07T10:15:00Z")
	tr := newRRTracker(t, clock, nil)
	in := referralIncoming("r1@example.org", 1, "2026-12-07T10:15:00Z")
	in.Attachments[0].Form.Unanswered = []string{"child_dob", "home_address"}
	if _, err := tr.Ingest(ctx, in); err != nil {
		t.Fatal(err)
	}
	notice := outboxEmails(t, tr, TmplStaffNewReferral)
	if len(notice) != 1 || !strings.Contains(notice[0].Email.Text, "a person must complete them: Child date of birth; Home address") {
		t.Errorf("the staff notice does not name the unanswered fields: %+v", notice)
	}
}
