package main

import (
	"strings"
	"testing"
)

// Issue 10, second reader: defects in the local review fixed; each test moved here out of
// the reader10 build tag so that it guards for good.

// The Terms of Reference give a family member's address as the lead reviewer's. The
// reply to staff ("Lead reviewer: Jo Reviewer") does not show it; once "approve" is given
// for the lead reviewer notice, the National Panel, Ofsted and the DfE are told the lead
// reviewer is "Jo Reviewer (ellie.testcase.mum@gmail.example)".
func TestReader10FormAddressInTheReviewerNoticeEndToEnd(t *testing.T) {
	e := newE2E(t)
	r := &r10{e: e}
	r10LocalReview(t, r, r10Family)
	r.run(0, "case", rrRef, "approve", "reviewer", "--now", "2027-01-04T10:00:00Z")
	r.run(0, "run", "--once", "--now", "2027-01-04T10:01:00Z")
	for _, m := range e.sentTo(rrPanel) {
		if strings.Contains(m.Text, r10Family) {
			t.Errorf("the notice %q to the National Panel names an address typed into the Terms of Reference as the lead reviewer's: %s", m.Subject,
				firstLineWith(m.Text, r10Family))
		}
	}
}

// An agency answers the learning event invitation that nobody can come, in a reply that
// quotes the invitation as mail clients do. The invitation's own words ("reply to this
// email with "I would like to attend"") make it a registration: csprbot case shows the
// agency as coming.
func TestReader10QuotedInvitationCountsAsComingEndToEnd(t *testing.T) {
	e := newE2E(t)
	r := &r10{e: e}
	r10LocalReview(t, r, "jo.reviewer@example.org")
	r.run(0, "case", rrRef, "learning-event", "2027-03-10", "10:00", "--venue", "Laurence House, Catford", "--now", "2027-02-01T09:00:00Z")
	r.run(0, "run", "--once", "--now", "2027-02-01T09:01:00Z")
	inv := pick(e.sent(), "learning event", rrCSC)
	if len(inv) == 0 {
		t.Fatalf("no invitation to Children's Social Care:\n%s", describe(e.sent()))
	}
	var quoted strings.Builder
	for _, l := range strings.Split(inv[0].Text, "\n") {
		quoted.WriteString("> " + l + "\n")
	}
	e.deliver("2027-02-02T10:00:00Z", demoMail{from: rrCSC, subject: "RE: " + inv[0].Subject, inReplyTo: inv[0].MessageID,
		body: "Unfortunately none of our social workers is free that day, so we cannot come.\n\n" + quoted.String()})
	r.run(0, "run", "--once", "--now", "2027-02-02T10:05:00Z")
	out := r.run(0, "case", rrRef, "--now", "2027-02-02T10:06:00Z")
	for _, l := range strings.Split(out, "\n") {
		if strings.Contains(l, rrCSC) && strings.Contains(strings.ToLower(l), "registered") {
			t.Errorf("a reply saying nobody can come is shown as a registration: %s", strings.TrimSpace(l))
		}
	}
}
