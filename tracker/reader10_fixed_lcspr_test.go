package tracker

import (
	"context"
	"testing"
)

// Issue 10, second reader: defects in the local review fixed; each test moved here out of
// the reader10 build tag so that it guards for good.

// Recommendation c opens the lighter track, "the same requests and chasing, no notices to
// national bodies". "Publication delay: REASON" on such a case prepares the notice to the
// National Panel and the Secretary of State that a local review's publication will be
// late (there is no local review and no six-month clock), and "Approve" sends it.
func TestReader10AlternativeReviewGetsALateLocalReviewNotice(t *testing.T) {
	ctx := context.Background()
	clock := &testClock{}
	tr := newRRTracker(t, clock, nil)
	toApproved(t, tr, clock, "c")
	clock.Set("2027-03-01T10:00:00Z")
	deliver(t, tr, staffMail(clock, "alt-delay@lewisham.gov.uk", firstID(t, tr, TmplApprovalRequest), "RE: [LSCP-2026-001] approve", "Publication delay: the learning review report is late"))
	_, _ = tr.ApproveWhat(ctx, "LSCP-2026-001", "", "command line")
	for _, o := range nationalRows(t, tr) {
		if o.Kind == TmplNationalNotice {
			t.Errorf("an alternative learning review (recommendation c) has a %s to %s (%s)", o.Kind, o.To, o.Status)
		}
	}
}
