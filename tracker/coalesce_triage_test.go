package tracker

import (
	"context"
	"strings"
	"testing"
)

// TestTwoTriageNoticesPastTheCapShareOneSummary: past the daily cap, two notices about
// messages on no case still go in one summary (a stranger's flood stays one email), and
// the summary, about neither message, says how to open a case from one of them.
func TestTwoTriageNoticesPastTheCapShareOneSummary(t *testing.T) {
	ctx := context.Background()
	clock := &testClock{}
	clock.Set("2026-12-07T09:00:00Z")
	tr := newRRTracker(t, clock, nil)
	pastCap(t, tr, clock, "strategic.lead@lewisham.gov.uk")
	var notices []string
	for i, from := range []string{"head@school.example", "nurse@clinic.example"} {
		deliver(t, tr, &Incoming{Mailbox: "INBOX", UIDValidity: 1, UID: uint32(400 + i), ReceivedAt: clock.Now(), MessageID: from + ".msg",
			From: from, Subject: "Concern", Text: "Please see attached.",
			Attachments: []InAttachment{{Attachment: Attachment{Name: "scan.docx", Data: []byte("PK-garbled")}, ParseError: "not a form csprbot knows"}}})
	}
	for _, o := range outboxEmails(t, tr, TmplStaffAttention) {
		if strings.Contains(o.Email.Text, "Open case") {
			notices = append(notices, o.MessageID)
		}
	}
	if len(notices) != 2 {
		t.Fatalf("triage notices = %d, want 2", len(notices))
	}
	clock.Set("2026-12-07T10:30:00Z")
	if err := tr.flushCoalesced(ctx); err != nil {
		t.Fatal(err)
	}
	s1, s2 := summaryOf(t, tr, notices[0]), summaryOf(t, tr, notices[1])
	if s1 != s2 {
		t.Fatalf("two triage notices went in summaries %s and %s, want one", s1, s2)
	}
	var about, body string
	tr.DB().QueryRow(`SELECT about_message, email_json FROM outbox WHERE message_id = ?`, s1).Scan(&about, &body)
	if about != "" || !strings.Contains(body, "cannot say which") {
		t.Errorf("summary of two triage notices: about_message %q, says a reply cannot choose: %v", about, strings.Contains(body, "cannot say which"))
	}
}
