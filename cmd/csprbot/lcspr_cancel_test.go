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

// Family letter by email (the twin of csprbot case REF family-letter): staff get the
// letter and leaflet as a .docx, and a reply; nobody else gets anything.
func TestFamilyLetterEmailCommand(t *testing.T) {
	e := newE2E(t)
	const staff = "strategic.lead@lewisham.gov.uk"
	e.deliver("2026-12-07T10:15:00Z", demoMail{from: "safeguarding@lgt-nhs.example", subject: "Referral 1",
		body: "Referral attached.", attachName: "referral.docx", attach: demoReferral()})
	e.run(0, "run", "--once", "--now", "2026-12-07T10:30:00Z")
	ref := "LSCP-2026-001"
	e.run(0, "case", ref, "decision", "local", "--now", "2026-12-18T12:00:00Z")
	e.run(0, "run", "--once", "--now", "2026-12-18T12:01:00Z")
	first := e.sentTo(staff)
	if len(first) == 0 {
		t.Fatal("nothing sent to staff")
	}
	before := len(e.sent())
	e.deliver("2027-01-05T09:00:00Z", demoMail{from: "Strategic Safeguarding Lead <" + staff + ">", subject: "Re: " + first[0].Subject,
		inReplyTo: first[0].MessageID, body: "Family letter"})
	e.run(0, "run", "--once", "--now", "2027-01-05T09:05:00Z")
	var letter, reply bool
	for _, m := range e.sent()[before:] {
		for _, to := range m.To {
			if !strings.EqualFold(to, staff) {
				t.Errorf("%q went to %s, who is not staff", m.Subject, to)
			}
		}
		if strings.Contains(m.Subject, "Family letter and leaflet") {
			for _, a := range m.Attachments {
				letter = letter || (strings.HasSuffix(a.Name, ".docx") && strings.Contains(a.Name, "family letter") && len(a.Data) > 0)
			}
		}
		reply = reply || strings.Contains(m.Text, "family letter and leaflet (Appendix 7, 8) are sent to staff")
	}
	if !letter || !reply {
		t.Errorf("letter %v, reply %v; sent:\n%s", letter, reply, describe(e.sent()[before:]))
	}
}
