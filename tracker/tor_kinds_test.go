package tracker

import (
	"context"
	"strings"
	"testing"
)

// A timetable row of the Terms of Reference that dates both ("Chronologies and agency
// reports returned") asks every agency it names for both, by that date: the same reading
// of a row's words (returnKindsOf) decides which returns it moves, withdraws and requests.
func TestToRRowForBothAsksForBoth(t *testing.T) {
	ctx := context.Background()
	clock := &testClock{}
	tr := newRRTracker(t, clock, nil)
	toApproved(t, tr, clock, "b")
	clock.Set("2027-01-04T10:00:00Z")
	f := torV("2027-01-25", false, "Met Police", "Lewisham Children's Social Care")
	f.Tables["timetable"][0]["action"] = "Chronologies and agency reports returned"
	if _, err := tr.TermsOfReference(ctx, "LSCP-2026-001", f, true, "command line"); err != nil {
		t.Fatal(err)
	}
	rows, err := tr.DB().Query(`SELECT kind, count(*) FROM returns WHERE kind IN ('chronology', 'agency_report') GROUP BY kind ORDER BY kind`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var got []string
	for rows.Next() {
		var kind string
		var n int
		if err := rows.Scan(&kind, &n); err != nil {
			t.Fatal(err)
		}
		got = append(got, kind+":"+string(rune('0'+n)))
	}
	if strings.Join(got, " ") != "agency_report:2 chronology:2" {
		t.Errorf("returns asked by the row for both: %v, want a chronology and an agency report from each of the two agencies", got)
	}
}
