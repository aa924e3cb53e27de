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
