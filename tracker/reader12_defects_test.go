//go:build reader12

package tracker

import (
	"context"
	"strings"
	"testing"
)

// reader12BothEvidenced is mesiCase with A2's evidence in too: both actions wait for the
// MESI subgroup's sign-off. It returns the request about A1.
func reader12BothEvidenced(t *testing.T) (*Tracker, *testClock, outRow) {
	t.Helper()
	tr, clock, reqA1 := mesiCase(t)
	evidence(t, tr, clock, "csc@lewisham.gov.uk", "ev-a2-r12@lewisham.gov.uk", "2027-07-20T12:00:00Z")
	return tr, clock, reqA1
}

// A MESI reply to the request about A1 that signs off A1 and says in plain words that A2
// is NOT signed off (to be discussed, deferred) signs off A2 too, and so closes the case:
// readSignOff takes every "A\d" in the reply as an action signed off, and its hedge list
// knows "not"/"but"/"until" but not "to be discussed", "deferred", "next meeting". Promise:
// a case closes only when every action is evidenced and signed off; a reply that does not
// clearly sign off is recorded for a person and signs nothing off.
func TestReader12MESIReplyNamingAnActionItDefersSignsItOff(t *testing.T) {
	for _, tc := range []struct{ name, text, want string }{
		{"A2 to be discussed", "Signed off A1. A2 to be discussed at the next subgroup meeting.", "A1"},
		{"A2 deferred", "A1 approved; A2 deferred to the March meeting.", "A1"},
		{"A2 rejected word-free", "Agreed for A1. A2 has been referred back to the agency for a re-audit.", "A1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tr, clock, req := reader12BothEvidenced(t)
			clock.Set("2027-07-21T09:00:00Z")
			deliver(t, tr, mesiMail(clock, "r12-"+strings.ReplaceAll(tc.name, " ", "-")+"@lewisham.gov.uk", testMESI, req.MessageID, "RE: "+req.Email.Subject, tc.text))
			keys, stage := signedOff(t, tr)
			if keys != tc.want || stage == StageClosed {
				t.Errorf("reply %q: signed off %q, stage %s; want only %s and the case still open", tc.text, keys, stage, tc.want)
			}
		})
	}
}

// A MESI reply that agrees only conditionally ("approved in principle, subject to ...",
// "we agreed to look at it at our next meeting") is read as a sign-off of the action the
// request asked about: the condition words are not in signOffHedge. Nothing was signed off
// by the subgroup, but the action is met and, with the other signed off, the case closes.
func TestReader12MESIConditionalAgreementSignsOff(t *testing.T) {
	for _, text := range []string{
		"Approved in principle, subject to the audit report being shared with the subgroup.",
		"We agreed to look at this evidence at our next subgroup meeting on 5 August.",
		"Happy to sign this off once the training attendance figures are sent.",
	} {
		t.Run(text[:12], func(t *testing.T) {
			tr, clock, req := mesiCase(t)
			clock.Set("2027-07-21T09:00:00Z")
			deliver(t, tr, mesiMail(clock, "r12-cond-"+strings.ReplaceAll(text[:12], " ", "-")+"@lewisham.gov.uk", testMESI, req.MessageID, "RE: "+req.Email.Subject, text))
			if keys, _ := signedOff(t, tr); keys != "" {
				t.Errorf("reply %q signed off %q; a conditional reply signs nothing off", text, keys)
			}
		})
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
