package tracker

import (
	"context"
	"testing"
)

// A store that went past schema 41 before that migration existed has no outbox_coalesce
// index: deciding which staff summaries are due still works, from the rows.
func TestFlushCoalescedWithoutItsIndex(t *testing.T) {
	ctx := context.Background()
	clock := &testClock{}
	clock.Set("2026-12-07T10:15:00Z")
	tr := newTestTracker(t, clock)
	if err := tr.flushCoalesced(ctx); err != nil {
		t.Fatalf("flushCoalesced with its index: %v", err)
	}
	if _, err := tr.DB().Exec(`DROP INDEX outbox_coalesce`); err != nil {
		t.Fatal(err)
	}
	if err := tr.flushCoalesced(ctx); err != nil {
		t.Fatalf("flushCoalesced without its index: %v", err)
	}
}
