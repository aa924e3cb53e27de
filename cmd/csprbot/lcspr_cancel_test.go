package main

import (
	"strings"
	"testing"
)

// csprbot case REF learning-event cancel: everyone invited gets the cancellation, with an
// iCalendar CANCEL of the event they were invited to; a second cancel is refused.
func TestLearningEventCancelCommand(t *testing.T) {
	e := newE2E(t)
	e.deliver("2026-12-07T10:15:00Z", demoMail{from: "safeguarding@lgt-nhs.example", subject: "Referral 1",
		body: "Referral attached.", attachName: "referral.docx", attach: demoReferral()})
	e.run(0, "run", "--once", "--now", "2026-12-07T10:30:00Z")
	ref := "LSCP-2026-001"
	e.run(0, "case", ref, "decision", "local", "--now", "2026-12-18T12:00:00Z")
	e.run(0, "case", ref, "learning-event", "2027-03-10", "10:00", "--venue", "Laurence House, Catford", "--now", "2027-02-01T09:00:00Z")
	e.run(0, "run", "--once", "--now", "2027-02-01T09:01:00Z")
	before := len(e.sent())
	out := e.run(0, "case", ref, "learning-event", "cancel", "--now", "2027-02-03T09:00:00Z")
	if !strings.Contains(out, "learning event of 10:00 Wed 10 Mar 2027 cancelled; cancellation sent to") {
		t.Errorf("cancel: %s", out)
	}
	e.run(0, "run", "--once", "--now", "2027-02-03T09:01:00Z")
	var invites, cancels int
	for i, m := range e.sent() {
		if !strings.Contains(m.Subject, "Practitioner learning event") {
			continue
		}
		if i < before {
			invites++
			continue
		}
		cancels++
		ics := icsOf(m)
		if !strings.HasSuffix(m.Subject, "cancelled") || !strings.Contains(ics, "METHOD:CANCEL") || !strings.Contains(ics, "SEQUENCE:1") {
			t.Errorf("cancellation to %v: %q\n%s", m.To, m.Subject, ics)
		}
	}
	if invites == 0 || cancels != invites {
		t.Errorf("%d invitations, %d cancellations: want one cancellation for each", invites, cancels)
	}
	var o, eb strings.Builder
	if code := Main(t.Context(), []string{"case", ref, "learning-event", "cancel", "--now", "2027-02-03T10:00:00Z", "--config", e.cfg}, &o, &eb); code != 2 {
		t.Errorf("second cancel: exit %d, want 2 (%s)", code, eb.String())
	}
}
