package tracker

import "testing"

// Tests the second reader of issue 10 wrote (reader10_defects_test.go) for the Terms of
// Reference, the publication clock and the returns' reminders, moved here once fixed.

// The same for the Terms of Reference: one with no reference printed but another
// child's initials (RM, on case ET) is read, confirmed and acted on: chronologies are
// asked of the agencies it names about this case.
func TestReader10ToRNamingAnotherChildIsApplied(t *testing.T) {
	clock := &testClock{}
	tr := newRRTracker(t, clock, nil)
	toApproved(t, tr, clock, "b")
	clock.Set("2027-01-04T10:00:00Z")
	f := torV("2027-01-25", true, "Met Police")
	f.CaseRef = ""
	f.Fields["child_initials"] = "RM"
	in := staffMail(clock, "tor-rm@lewisham.gov.uk", firstID(t, tr, TmplApprovalRequest), "RE: [LSCP-2026-001] approve", "Confirm terms")
	in.Attachments = []InAttachment{{Attachment: Attachment{Name: "ToR.docx", Data: []byte("PK")}, Form: f}}
	deliver(t, tr, in)
	var n int
	if err := tr.DB().QueryRow(`SELECT count(*) FROM returns WHERE kind = 'chronology'`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n > 0 {
		t.Errorf("Terms of Reference for child RM were confirmed on case ET's review: %d chronologies requested", n)
	}
}
