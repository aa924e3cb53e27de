package tracker

import (
	"strings"
	"testing"
)

// TickStatutory's read goes through indexes and, for the reminders already sent, a
// primary-key look-up: no table is read end to end.
func TestStatutoryDueQueryUsesIndexes(t *testing.T) {
	clock := &testClock{}
	clock.Set("2026-12-07T10:00:00Z")
	tr := newTestTracker(t, clock)
	rows, err := tr.DB().Query("EXPLAIN QUERY PLAN "+statutoryDueQuery, "a", "b", "c", "x", "y")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, notused int
		var detail string
		if err := rows.Scan(&id, &parent, &notused, &detail); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, detail)
	}
	for _, p := range plan {
		if strings.HasPrefix(p, "SCAN ") {
			t.Errorf("statutory deadlines due scans a table: %s", strings.Join(plan, "; "))
		}
	}
}
