package tracker

import (
	"context"
	"database/sql"
	"strings"
	"testing"
)

// TestReleaseLeavesOffABouncedStaffAddress: a staff notice held whole for one bounced
// staff address (as before such an address was left off at enqueue) is released to the
// others, not refused until the colleague's address is fixed.
func TestReleaseLeavesOffABouncedStaffAddress(t *testing.T) {
	ctx := context.Background()
	clock := &testClock{}
	tr := newRRTracker(t, clock, twoStaff)
	openScopedCase(t, tr, clock, "2026-12-07T10:15:00Z")
	notice := firstID(t, tr, TmplStaffNewReferral)
	if _, err := tr.DB().Exec(`UPDATE outbox SET status = 'held', last_error = 'held for a person: deputy bounced' WHERE message_id = ?`, notice); err != nil {
		t.Fatal(err)
	}
	if err := tr.tx(ctx, func(tx *sql.Tx) error {
		return markAddress(ctx, tx, clock.Now(), "deputy@lewisham.gov.uk", "bounced", "5.1.1 user unknown")
	}); err != nil {
		t.Fatal(err)
	}
	if err := tr.Release(ctx, notice, "test"); err != nil {
		t.Fatalf("Release of a staff notice held for one bounced staff address = %v, want released to the others", err)
	}
	var status, rcpt string
	tr.DB().QueryRow(`SELECT status, recipients FROM outbox WHERE message_id = ?`, notice).Scan(&status, &rcpt)
	if status != "queued" || strings.Contains(rcpt, "deputy") || !strings.Contains(rcpt, "strategic.lead@lewisham.gov.uk") {
		t.Errorf("after release: %s to %s; want queued to the strategic lead alone", status, rcpt)
	}
}
