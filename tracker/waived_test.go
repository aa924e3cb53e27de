package tracker

import (
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
