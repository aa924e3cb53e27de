package tracker

import (
	"context"
	"strings"
	"testing"
	"time"
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

// The NSPCC copy is prepared on the publication date given with the final report. When
// that day came and the copy waits for approval, staff postpone publication with a revised
// final report (Final report: publish a later date). The waiting NSPCC copy is left as it
// was: the superseded report, the old publication date, waiting for approval weeks before
// the (new) publication date; and on the new date nothing is prepared again (a copy that is
// not superseded exists). An 'Approve: nspcc' (or Approve all for the new final report's
// copies) then sends the NSPCC the old report before publication.
func TestReader12NSPCCCopyLeftWaitingWhenPublicationIsPostponed(t *testing.T) {
	ctx := context.Background()
	clock := &testClock{}
	tr := newTrackerWith(t, clock, nspccConfig(), rrRenderer{})
	toApproved(t, tr, clock, "b")
	clock.Set("2027-05-10T10:00:00Z")
	if _, err := tr.FinalReport(ctx, "LSCP-2026-001", &Attachment{Name: "final-report-v1.pdf", Data: []byte("%PDF-1.4 v1")}, mustTime("2027-06-02T23:00:00Z"), false, "test"); err != nil {
		t.Fatal(err) // Thu 3 Jun 2027
	}
	clock.Set("2027-06-03T08:30:00Z")
	if _, err := tr.TickLCSPR(ctx); err != nil {
		t.Fatal(err)
	}
	if n := nspccNotices(t, tr.DB()); n["awaiting_approval"] != 1 {
		t.Fatalf("NSPCC copies on the publication date %v, want one waiting", n)
	}
	// Publication postponed to Thu 1 Jul 2027 with a revised report.
	clock.Set("2027-06-03T10:00:00Z")
	if _, err := tr.FinalReport(ctx, "LSCP-2026-001", &Attachment{Name: "final-report-v2.pdf", Data: []byte("%PDF-1.4 v2")}, mustTime("2027-06-30T23:00:00Z"), false, "test"); err != nil {
		t.Fatal(err)
	}
	waitingNSPCC := func() []outRow {
		var out []outRow
		for _, r := range outboxEmails(t, tr, TmplNationalNotice) {
			if strings.Contains(r.To, "nspcc") && r.Status == "awaiting_approval" {
				out = append(out, r)
			}
		}
		return out
	}
	for _, r := range waitingNSPCC() {
		for _, a := range r.Email.Attachments {
			if a.Name == "final-report-v1.pdf" {
				t.Errorf("after publication moved to 1 Jul with a revised report, an NSPCC copy of the superseded report (%s) still waits for approval", a.Name)
			}
		}
	}
	clock.Set("2027-07-01T08:30:00Z")
	if _, err := tr.TickLCSPR(ctx); err != nil {
		t.Fatal(err)
	}
	w := waitingNSPCC()
	ok := len(w) == 1
	if ok {
		ok = false
		for _, a := range w[0].Email.Attachments {
			ok = ok || a.Name == "final-report-v2.pdf"
		}
	}
	if !ok {
		t.Errorf("on the new publication date: NSPCC copies waiting %d (%v), want one carrying final-report-v2.pdf", len(w), nspccNotices(t, tr.DB()))
	}
}

// The same final report (the same bytes) with the same publication date, recorded a
// second time after its copies to the National Panel, Ofsted and the DfE were approved (a
// staff member who resends the email, or records it on the command line too): csprbot
// prepares a second set, and the next plain Approve (everything waiting) sends the
// national bodies the same report again. Promise: each sent once. (The same reviewer is
// not notified twice: reader10's fix; the same report should not be either.)
func TestReader12SameFinalReportRecordedTwiceIsSentTwice(t *testing.T) {
	ctx := context.Background()
	clock := &testClock{}
	tr := newTrackerWith(t, clock, nspccConfig(), rrRenderer{})
	toApproved(t, tr, clock, "b")
	att := &Attachment{Name: "final-report.pdf", Data: []byte("%PDF-1.4 final")}
	clock.Set("2027-05-10T10:00:00Z")
	if _, err := tr.FinalReport(ctx, "LSCP-2026-001", att, mustTime("2027-06-02T23:00:00Z"), false, "test"); err != nil {
		t.Fatal(err)
	}
	clock.Set("2027-05-10T11:00:00Z")
	if _, err := tr.ApproveWhat(ctx, "LSCP-2026-001", "final report", "test"); err != nil {
		t.Fatal(err)
	}
	clock.Set("2027-05-11T11:00:00Z")
	if _, err := tr.FinalReport(ctx, "LSCP-2026-001", &Attachment{Name: "final-report.pdf", Data: []byte("%PDF-1.4 final")}, mustTime("2027-06-02T23:00:00Z"), false, "test"); err != nil {
		t.Logf("second FinalReport refused: %v", err)
	}
	clock.Set("2027-05-12T11:00:00Z")
	_, _ = tr.ApproveWhat(ctx, "LSCP-2026-001", "", "test") // Approve (all): e.g. for the delay notice
	var n int
	if err := tr.DB().QueryRow(`SELECT count(*) FROM national_notices n JOIN outbox o ON o.message_id = n.outbox_msgid
		WHERE n.what = ? AND n.status = 'approved' AND o.status != 'superseded'`, NoticeFinalReport).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Errorf("the same final report with the same date goes to the National Panel, Ofsted and the DfE %d times, want once", n)
	}
}

// The final report is in (publication Thu 7 Oct 2027, held back, say, for a criminal
// trial) and the action plan's two actions are evidenced and signed off by the MESI
// subgroup in July: the case closes then ("every action evidenced and signed off"). From
// then on nothing of the publication happens: on 7 Oct no NSPCC copy is prepared
// (tickNSPCC reads only cases at stage lcspr), and staff cannot record publication
// (Published refuses a closed case). The NSPCC submission the README promises "on the
// publication date given with the final report" never comes, and nobody is told.
func TestReader12CaseClosedBySignOffBeforePublicationDropsTheNSPCCCopy(t *testing.T) {
	ctx := context.Background()
	tr, clock, req := mesiCase(t)
	tr.cfg.Addresses.NSPCC = "information@nspcc.org.uk"
	clock.Set("2027-07-20T13:00:00Z")
	if _, err := tr.FinalReport(ctx, "LSCP-2026-001", &Attachment{Name: "final-report.pdf", Data: []byte("%PDF-1.4 final")}, mustTime("2027-10-06T23:00:00Z"), false, "test"); err != nil {
		t.Fatal(err)
	}
	evidence(t, tr, clock, "csc@lewisham.gov.uk", "ev-a2-r12p@lewisham.gov.uk", "2027-07-20T14:00:00Z")
	clock.Set("2027-07-21T09:00:00Z")
	deliver(t, tr, mesiMail(clock, "r12-pub-all@lewisham.gov.uk", testMESI, req.MessageID, "RE: "+req.Email.Subject, "Signed off: all"))
	_, stage := signedOff(t, tr)
	if d := settleDeadline(t, tr, "nspcc_submission", ""); d.status != "pending" {
		t.Errorf("closed (stage %s) before publication: nspcc_submission %s %q, want pending until the NSPCC copy is prepared", stage, d.status, d.note)
	}
	for _, d := range []string{"2027-10-07T08:30:00Z", "2027-10-08T08:30:00Z"} {
		clock.Set(d)
		if _, err := tr.TickLCSPR(ctx); err != nil {
			t.Fatal(err)
		}
	}
	n := nspccNotices(t, tr.DB())
	_, perr := tr.Published(ctx, "LSCP-2026-001", time.Time{}, "https://example.org/cspr", "test")
	if n["awaiting_approval"] != 1 || perr != nil {
		t.Errorf("stage %s; on the publication date NSPCC copies %v; Published: %v; want the NSPCC copy prepared and publication recordable", stage, n, perr)
	}
}
