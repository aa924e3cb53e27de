package tracker

import (
	"context"
	"fmt"
	"testing"
)

// TestViewPairSameState: Cases reads the deadlines on one connection and the cases on
// another; a commit that lands between the starts of their two transactions makes them
// start again, so that the list never pairs a case with its deadlines from another
// moment. When commits keep landing, the two are read in one transaction.
func TestViewPairSameState(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name    string
		commits int // how many times a commit lands between the two starts
		calls   int // how many times the two are started
	}{
		{"no commit", 0, 1},
		{"two commits", 2, 3},
		{"a commit every time", 1000, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tr, _ := queryStore(t)
			calls := 0
			tr.rd.betweenBegins = func() {
				calls++
				if calls > tc.commits {
					return
				}
				// One commit changes the case (read with the cases) and its deadlines (read
				// on the other connection).
				tx, err := tr.DB().BeginTx(ctx, nil)
				if err != nil {
					t.Fatal(err)
				}
				defer tx.Rollback()
				mark := fmt.Sprintf("Q%d", calls)
				if _, err := tx.ExecContext(ctx, `UPDATE cases SET child_initials = ? WHERE ref = 'LSCP-2026-001'`, mark); err != nil {
					t.Fatal(err)
				}
				if _, err := tx.ExecContext(ctx, `UPDATE deadlines SET note = ? WHERE case_id = (SELECT id FROM cases WHERE ref = 'LSCP-2026-001')`, mark); err != nil {
					t.Fatal(err)
				}
				if err := tx.Commit(); err != nil {
					t.Fatal(err)
				}
			}
			cs, err := tr.Cases(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if calls != tc.calls {
				t.Errorf("the two transactions were started %d times, want %d", calls, tc.calls)
			}
			c := cs[0]
			if c.Ref != "LSCP-2026-001" || len(c.Deadlines) == 0 {
				t.Fatalf("Cases()[0] = %s with %d deadlines, want LSCP-2026-001 with some", c.Ref, len(c.Deadlines))
			}
			for _, d := range c.Deadlines {
				if tc.commits > 0 && d.Note != c.ChildInitials {
					t.Errorf("case with initials %q has deadline %s noted %q: read from another state", c.ChildInitials, d.Rule, d.Note)
				}
			}
			if tc.commits > 0 && c.ChildInitials != fmt.Sprintf("Q%d", min(tc.commits, tc.calls)) {
				t.Errorf("initials %q, want those of the last commit before the read, Q%d", c.ChildInitials, min(tc.commits, tc.calls))
			}
		})
	}
}
