package tracker

import (
	"context"
	"testing"
)

// A held email a person releases is watched again: if it then cannot be sent for longer
// than StuckAfter, staff hear of it, as of any other email (it was alerted once already,
// as held).
func TestReleasedEmailIsAlertedAgainIfItCannotGo(t *testing.T) {
	ctx := context.Background()
	clock := &testClock{}
	clock.Set("2026-12-07T10:00:00Z")
	tr := newTestTracker(t, clock)
	queueAt(t, tr, "held@lewisham.gov.uk", "2026-12-07T09:00:00Z", "2026-12-07T09:00:00Z", 0)
	if _, err := tr.DB().Exec(`UPDATE outbox SET status = 'held', last_error = 'held for a person: over 40 emails today', stuck_alerted = 1`); err != nil {
		t.Fatal(err)
	}
	if err := tr.Release(ctx, "held@lewisham.gov.uk", "Lead"); err != nil {
		t.Fatal(err)
	}
	for _, now := range []string{"2026-12-07T10:00:00Z", "2026-12-07T11:00:00Z", "2026-12-07T12:05:00Z"} {
		clock.Set(now)
		if _, err := tr.SendDue(ctx, refusing{}); err != nil {
			t.Fatal(err)
		}
	}
	var alerted int
	tr.DB().QueryRow(`SELECT stuck_alerted FROM outbox WHERE message_id = 'held@lewisham.gov.uk'`).Scan(&alerted)
	var notes int
	tr.DB().QueryRow(`SELECT count(*) FROM outbox WHERE kind = ? AND email_json LIKE '%has not been sent%'`, TmplStaffAttention).Scan(&notes)
	if alerted != 1 || notes != 1 {
		t.Errorf("released at 10:00, server down until 12:05: stuck_alerted = %d, %d 'not been sent' notices; want 1 and 1", alerted, notes)
	}
}
