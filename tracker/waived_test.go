package tracker

import (
	"context"
	"database/sql"
	"testing"
	"time"
)

// TestWaivedReturnIsGreen: a return a person waived is neither awaited nor late, whatever
// its due time: green, like one received.
func TestWaivedReturnIsGreen(t *testing.T) {
	due := mustTime("2026-12-15T17:00:00Z")
	for _, cutoff := range []time.Time{due.Add(-72 * time.Hour), due, due.Add(72 * time.Hour)} {
		if got := (Return{Status: "waived", Due: due}).ragBy(cutoff); got != "green" {
			t.Errorf("waived return, next cut-off %s: rag = %s, want green", cutoff, got)
		}
	}
}

// TestWaivedReturnIsNotAwaited: once every scoping return is received or waived, the case
// moves on to the Rapid Review, whichever came last (the waiver or a return).
func TestWaivedReturnIsNotAwaited(t *testing.T) {
	ctx := context.Background()
	clock := &testClock{}
	tr := newRRTracker(t, clock, nil)
	openScopedCase(t, tr, clock, "2026-12-07T10:15:00Z")
	if _, err := tr.DB().Exec(`UPDATE returns SET status = 'waived' WHERE case_id = 1 AND kind = 'scoping' AND id = (SELECT min(id) FROM returns WHERE case_id = 1)`); err != nil {
		t.Fatal(err)
	}
	if _, err := tr.DB().Exec(`UPDATE returns SET status = 'received' WHERE case_id = 1 AND kind = 'scoping' AND status = 'awaiting'`); err != nil {
		t.Fatal(err)
	}
	if err := tr.tx(ctx, func(tx *sql.Tx) error { return tr.maybeAdvanceStage(ctx, tx, clock.Now(), 1) }); err != nil {
		t.Fatal(err)
	}
	var stage string
	tr.DB().QueryRow(`SELECT stage FROM cases WHERE id = 1`).Scan(&stage)
	if stage != StageRapidReview {
		t.Errorf("every scoping return received or waived: stage %s, want %s", stage, StageRapidReview)
	}
}
