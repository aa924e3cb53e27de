package tracker

import (
	"context"
	"database/sql"
	"strings"
	"testing"
	"time"
)

// Rapid Review outcomes other than a, b and c are worded as the guidance words them, with
// the reason and the date, never as "none" (issue 10).
func TestOutcomeWordsNeverNone(t *testing.T) {
	for _, tc := range []struct{ decision, rec, want string }{
		{DecisionLocal, "b", "a local Child Safeguarding Practice Review"},
		{DecisionAlternative, "", "an alternative learning review"},
		{DecisionNone, "", "no further review"},
		{DecisionNone, "d", "no further review: Warrants consideration of DHR, SAR, MAPPA SFO or other (Rapid Review recommendation d)"},
		{DecisionNone, "e", "no further review: Warrants a Single-Agency Review (Rapid Review recommendation e)"},
		{DecisionNone, "h", "no further review: Needs no Further Action (Rapid Review recommendation h)"},
		{DecisionNone, "j", "no further review: Other (Rapid Review recommendation j)"},
	} {
		if got := OutcomeWords(tc.decision, tc.rec); got != tc.want {
			t.Errorf("OutcomeWords(%q, %q) = %q, want %q", tc.decision, tc.rec, got, tc.want)
		}
	}
}

// d approved from the Rapid Review report, and e decided by staff: the case's decision,
// its audit and its close reason say what the recommendation was, and when.
func TestOutcomeOfRecommendationDToJ(t *testing.T) {
	ctx := context.Background()
	clock := &testClock{}
	tr := newRRTracker(t, clock, nil)
	toApproved(t, tr, clock, "d")
	words := func() string {
		t.Helper()
		var w string
		err := tr.tx(ctx, func(tx *sql.Tx) error {
			var err error
			w, err = tr.outcomeWords(ctx, tx, 1)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return w
	}
	if w := words(); !strings.Contains(w, "Warrants consideration of DHR, SAR, MAPPA SFO or other") {
		t.Errorf("outcome after d approved = %q", w)
	}
	d, err := tr.Case(ctx, "LSCP-2026-001")
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range d.Audit {
		if a.Event == "decision" && strings.Contains(a.Detail, "none") {
			t.Errorf("audit words the decision as none: %q", a.Detail)
		}
	}

	// A second case decided e by staff.
	uidSeq++
	clock.Set("2026-12-18T10:00:00Z")
	if _, err := tr.Ingest(ctx, referralIncoming("r2@example.org", uidSeq, "2026-12-18T10:00:00Z")); err != nil {
		t.Fatal(err)
	}
	clock.Set("2026-12-22T12:00:00Z")
	res, err := tr.Decide(ctx, "LSCP-2026-002", "e", time.Time{}, "command line")
	if err != nil {
		t.Fatal(err)
	}
	if want := "no further review decided (2026-12-22): Warrants a Single-Agency Review (Rapid Review recommendation e)"; res.Closed != want {
		t.Errorf("Decide(e).Closed = %q, want %q", res.Closed, want)
	}
	var rec string
	if err := tr.DB().QueryRow(`SELECT decision_rec FROM cases WHERE ref = 'LSCP-2026-002'`).Scan(&rec); err != nil || rec != "e" {
		t.Errorf("decision_rec = %q (%v), want e", rec, err)
	}
	d, err = tr.Case(ctx, "LSCP-2026-002")
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, a := range d.Audit {
		if a.Event == "decision" {
			found = true
			if !strings.Contains(a.Detail, "Single-Agency Review") || strings.Contains(a.Detail, "none") {
				t.Errorf("decision audit = %q", a.Detail)
			}
		}
	}
	if !found {
		t.Errorf("no decision in the audit: %+v", d.Audit)
	}
}
