package tracker

import (
	"context"
	"testing"
)

// TestTwoTriageNoticesPastTheCapGoAsThemselves: past the daily cap, two notices about
// messages on no case cannot share a summary ("Open case" in reply to it could not say
// which), so each goes as itself; a plain notice still goes in the summary.
func TestTwoTriageNoticesPastTheCapGoAsThemselves(t *testing.T) {
	ctx := context.Background()
	clock := &testClock{}
	clock.Set("2026-12-07T09:00:00Z")
	tr := newRRTracker(t, clock, nil)
	pastCap(t, tr, clock, "strategic.lead@lewisham.gov.uk")
	for i, from := range []string{"head@school.example", "nurse@clinic.example"} {
		deliver(t, tr, &Incoming{Mailbox: "INBOX", UIDValidity: 1, UID: uint32(400 + i), ReceivedAt: clock.Now(), MessageID: from + ".msg",
			From: from, Subject: "Concern", Text: "Please see attached.",
			Attachments: []InAttachment{{Attachment: Attachment{Name: "scan.docx", Data: []byte("PK-garbled")}, ParseError: "not a form csprbot knows"}}})
	}
	clock.Set("2026-12-07T10:30:00Z")
	if err := tr.flushCoalesced(ctx); err != nil {
		t.Fatal(err)
	}
	var asThemselves, coalesced int
	tr.DB().QueryRow(`SELECT count(*) FROM outbox WHERE about_message != '' AND status = 'queued' AND kind = ?`, TmplStaffAttention).Scan(&asThemselves)
	tr.DB().QueryRow(`SELECT count(*) FROM outbox WHERE about_message != '' AND status = 'coalesced'`).Scan(&coalesced)
	if asThemselves != 2 || coalesced != 0 {
		t.Errorf("two triage notices past the cap: %d went as themselves, %d coalesced; want 2 and 0", asThemselves, coalesced)
	}
}
