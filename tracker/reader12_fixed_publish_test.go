package tracker

import (
	"context"
	"strings"
	"testing"
)

// Defects reader12 proved about the final report, publication and the NSPCC copy, fixed:
// their tests, moved out of reader12_defects_test.go.

// reader12RevisedToRAfterFinalReport is torCase with the final report accepted on Mon 10
// May 2027 (publication Thu 3 Jun), then, on Wed 12 May, a revised Terms of Reference
// confirmed: the same rows, the returns' dates moved to late May, and a third agency.
func reader12RevisedToRAfterFinalReport(t *testing.T) (*Tracker, *testClock, int, int) {
	t.Helper()
	ctx := context.Background()
	tr, clock := torCase(t)
	clock.Set("2027-05-10T10:00:00Z")
	if _, err := tr.FinalReport(ctx, settleRef, &Attachment{Name: "final-report.pdf", Data: []byte("%PDF-1.4 final")}, mustTime("2027-06-03T00:00:00Z"), false, "test"); err != nil {
		t.Fatal(err)
	}
	if d := settleDeadline(t, tr, "lcspr_returns", "Chronologies returned"); d.status != "missed" {
		t.Fatalf("before the revised ToR: Chronologies returned %+v, want missed at the final report", d)
	}
	reqs, escs := chasing(t, tr)
	clock.Set("2027-05-12T10:00:00Z")
	f := &Form{Kind: FormTermsOfReference, CaseRef: settleRef, Fields: map[string]string{"lead_reviewer": "Jo Reviewer", "lead_reviewer_email": "jo@example.org"},
		Tables: map[string][]map[string]string{
			"timetable": {
				{"action": "Chronologies returned", "responsible": "Each agency", "date": "2027-05-25"},
				{"action": "Agency reports returned", "responsible": "Each agency", "date": "2027-05-26"},
				{"action": "Panel meeting 1", "responsible": "Chair", "date": "2027-02-03"},
				{"action": "Panel meeting 2", "responsible": "Chair", "date": "2027-03-03"},
				{"action": "First draft report", "responsible": "Lead reviewer", "date": "2027-04-14"},
				{"action": "Final report to the Partnership", "responsible": "Strategic Safeguarding Lead", "date": "2027-05-05"},
			},
			"agencies": {{"agency": "Met Police"}, {"agency": "Lewisham Children's Social Care"}, {"agency": "Lewisham and Greenwich NHS Trust"}},
		}}
	if _, err := tr.TermsOfReference(ctx, settleRef, f, true, "test"); err != nil {
		t.Fatal(err)
	}
	return tr, clock, reqs, escs
}

// The final report ends the chasing of chronologies and agency reports, and a deadline
// recorded as missed then stays missed (settle.go: "the record is true"). A revised Terms
// of Reference confirmed after the final report undoes both: the timetable rows recorded
// missed "not received before the final report" are pending again (their note gone), and
// a newly named agency is asked for a chronology and an agency report for a review whose
// report is written; csprbot then reminds, chases and escalates them to the agency's
// strategic lead, past the publication date.
func TestReader12RevisedToRAfterTheFinalReportRestartsTheChasing(t *testing.T) {
	tr, clock, reqs, escs := reader12RevisedToRAfterFinalReport(t)
	for _, row := range []string{"Chronologies returned", "Agency reports returned"} {
		if d := settleDeadline(t, tr, "lcspr_returns", row); d.status != "missed" || !strings.Contains(d.note, "not received before the final report") {
			t.Errorf("%s after a revised ToR following the final report: %s %q; want still missed, not received before the final report", row, d.status, d.note)
		}
	}
	if r, _ := chasing(t, tr); r != reqs {
		t.Errorf("a revised ToR after the final report sent %d new requests for chronologies or agency reports", r-reqs)
	}
	tickDays(t, tr, clock, "2027-05-12", "2027-06-10")
	if r, e := chasing(t, tr); r != reqs || e != escs {
		t.Errorf("after the final report: requests, reminders and chasers %d -> %d, escalations %d -> %d; want none", reqs, r, escs, e)
	}
}
