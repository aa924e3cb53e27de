package tracker

import (
	"context"
	"strings"
	"testing"
)

// Issue 10, second reader: routes into the local review that held. Each test asserts the
// promise; it fails if the promise breaks.

// A stranger forges a staff From and adds, below its own headers, an
// Authentication-Results header in the name of the trusted server that says DKIM and
// DMARC pass, while the trusted server's own (topmost) says DMARC fail: "Approve" is not
// obeyed.
func TestReader10ForgedAuthResultsBelowTheRealOneIsNotTrusted(t *testing.T) {
	ctx := context.Background()
	clock := &testClock{}
	tr := newRRTracker(t, clock, nil)
	toApproved(t, tr, clock, "b")
	clock.Set("2027-01-04T10:00:00Z")
	if _, err := tr.SetReviewer(ctx, "LSCP-2026-001", "Jo Reviewer", "", "command line"); err != nil {
		t.Fatal(err)
	}
	clock.Set("2027-01-04T11:00:00Z")
	in := staffMail(clock, "forged-ar@evil.example", "", "[LSCP-2026-001] approve", "Approve")
	in.AuthResults = []string{
		"mx.lewisham.gov.uk; dkim=none; spf=fail smtp.mailfrom=evil.example; dmarc=fail header.from=lewisham.gov.uk",
		"mx.lewisham.gov.uk; dkim=pass header.d=lewisham.gov.uk; dmarc=pass header.from=lewisham.gov.uk",
	}
	deliver(t, tr, in)
	var approved int
	if err := tr.DB().QueryRow(`SELECT count(*) FROM national_notices WHERE status = 'approved'`).Scan(&approved); err != nil {
		t.Fatal(err)
	}
	if approved > 0 {
		t.Errorf("a forged staff \"Approve\" was obeyed on a lower, sender-written Authentication-Results pass")
	}
}

// What only staff may write, from an agency (with the [REF] tag, and in reply to its own
// request), from a display-name spoof of a staff address, and from someone replying to a
// forwarded approval request: nothing is decided or approved, and staff hear of each
// message that is not a return.
func TestReader10CommandsFromOthersDoNothing(t *testing.T) {
	ctx := context.Background()
	clock := &testClock{}
	tr := newRRTracker(t, clock, nil)
	toApproved(t, tr, clock, "a") // waits for the National Panel's answer
	stage := func() string {
		var s string
		if err := tr.DB().QueryRow(`SELECT stage FROM cases WHERE ref = 'LSCP-2026-001'`).Scan(&s); err != nil {
			t.Fatal(err)
		}
		return s
	}
	clock.Set("2027-01-08T10:00:00Z")
	for i, in := range []*Incoming{
		{From: "lead@met.example", Subject: "[LSCP-2026-001] Panel decision", Text: "Panel decision: local 2027-01-07\nApprove"},
		{From: "\"strategic.lead@lewisham.gov.uk\" <someone@evil.example>", Subject: "[LSCP-2026-001] Panel decision", Text: "Panel decision: local 2027-01-07"},
		{From: "someone@else.example", Subject: "RE: approve", InReplyTo: firstID(t, tr, TmplApprovalRequest), Text: "Approve\nPanel decision: none"},
	} {
		uidSeq++
		in.Mailbox, in.UIDValidity, in.UID, in.ReceivedAt = "INBOX", 1, uidSeq, clock.Now()
		in.MessageID = "r10-other-" + string(rune('a'+i)) + "@example.org"
		before := len(outboxEmails(t, tr, TmplStaffAttention))
		res := deliver(t, tr, in)
		if s := stage(); s != StageNational {
			t.Fatalf("after %q from %s the case is at %s, want %s (still waiting for the Panel)", in.Text, in.From, s, StageNational)
		}
		if res.Disposition == "command" {
			t.Errorf("%s: taken as a command", in.From)
		}
		if len(outboxEmails(t, tr, TmplStaffAttention)) == before {
			t.Errorf("%s wrote %q (disposition %s) and staff were not told", in.From, firstLine(in.Text), res.Disposition)
		}
	}
	if _, err := tr.Decide(ctx, "LSCP-2026-001", "local", mustTime("2027-01-07T12:00:00Z"), "command line"); err != nil {
		t.Fatal(err)
	}
	if s := stage(); s != StageLCSPR {
		t.Errorf("staff's own decision: stage %s", s)
	}
}

// Addresses typed into forms receive nothing: a Terms of Reference naming a family
// member's address as the lead reviewer's and as an agency's contact, and an action plan
// whose owner is written as an address (alone, or after a directory name).
func TestReader10FormAddressesReceiveNothing(t *testing.T) {
	clock := &testClock{}
	tr := newRRTracker(t, clock, nil)
	toApproved(t, tr, clock, "b")
	clock.Set("2027-01-04T10:00:00Z")
	tor := &Form{Kind: FormTermsOfReference, CaseRef: "LSCP-2026-001", Fields: map[string]string{
		"lead_reviewer": "Jo Reviewer", "lead_reviewer_email": "ellie.mum@gmail.example"},
		Tables: map[string][]map[string]string{
			"timetable": {{"action": "Chronologies returned", "responsible": "Each agency", "date": "2027-01-25"}},
			"agencies":  {{"agency": "Met Police", "email": "dad@gmail.example"}, {"agency": "Ellie's father", "email": "dad@gmail.example"}},
		}}
	in := staffMail(clock, "r10-tor@lewisham.gov.uk", firstID(t, tr, TmplApprovalRequest), "RE: [LSCP-2026-001] approve", "Confirm terms\nSend chronology")
	in.Attachments = []InAttachment{{Attachment: Attachment{Name: "tor.docx", Data: []byte("PK")}, Form: tor}}
	deliver(t, tr, in)
	clock.Set("2027-06-10T10:00:00Z")
	plan := &Form{Kind: FormActionPlan, CaseRef: "LSCP-2026-001", Tables: map[string][]map[string]string{"actions": {
		{"action": "Tell the GP", "owner": "dad@gmail.example", "due": "2027-07-30"},
		{"action": "Audit", "owner": "Met Police <dad@gmail.example>", "due": "2027-07-30"},
		{"action": "Train", "owner": "Met Police", "due": "2027-07-30"},
	}}}
	in = staffMail(clock, "r10-plan@lewisham.gov.uk", firstID(t, tr, TmplApprovalRequest), "RE: [LSCP-2026-001] approve", "The plan.")
	in.Attachments = []InAttachment{{Attachment: Attachment{Name: "plan.docx", Data: []byte("PK")}, Form: plan}}
	deliver(t, tr, in)
	if _, err := tr.Tick(context.Background()); err != nil {
		t.Fatal(err)
	}
	asked := 0
	for _, o := range outboxEmails(t, tr, "") {
		if strings.Contains(o.To, "gmail.example") {
			t.Errorf("%s to %s (%s): an address typed into a form", o.Kind, o.To, o.Status)
		}
		if o.Kind == TmplLCSPRRequest && o.To == "lead@met.example" {
			asked++
		}
	}
	if asked < 2 {
		t.Errorf("the police (directory address) were asked %d times, want the chronology and action A3", asked)
	}
}
