//go:build reader12

package tracker

import (
	"context"
	"testing"
	"time"
)

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
