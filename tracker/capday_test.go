package tracker

import (
	"context"
	"database/sql"
	"fmt"
	"testing"
)

// The daily cap is a counter (schema 8). A day that began before the counters (mail
// queued by an older csprbot) is counted once from the outbox, so the cap still holds.
func TestDailyCapCountsADayBegunBeforeTheCounters(t *testing.T) {
	ctx := context.Background()
	clock := &testClock{}
	clock.Set("2026-12-07T15:00:00Z")
	tr := newTestTracker(t, clock)
	for i := range MaxPerAddressPerDay {
		if _, err := tr.DB().Exec(`INSERT INTO outbox(message_id, kind, recipients, subject, email_json, status, next_attempt_at, created_at)
			VALUES (?, 'staff_attention', 'other@lewisham.gov.uk, flood@lewisham.gov.uk', 's', '{}', 'sent', '2026-12-07T09:00:00Z', '2026-12-07T09:00:00Z')`,
			fmt.Sprintf("old.%d@x", i)); err != nil {
			t.Fatal(err)
		}
	}
	// Yesterday's mail does not count today.
	if _, err := tr.DB().Exec(`INSERT INTO outbox(message_id, kind, recipients, subject, email_json, status, next_attempt_at, created_at)
		VALUES ('yesterday@x', 'staff_attention', 'fresh@lewisham.gov.uk', 's', '{}', 'sent', '2026-12-06T09:00:00Z', '2026-12-06T09:00:00Z')`); err != nil {
		t.Fatal(err)
	}
	check := func(addr string, want bool) {
		t.Helper()
		err := tr.tx(ctx, func(tx *sql.Tx) error {
			over, err := tr.overDailyCap(ctx, tx, clock.Now(), addr)
			if err == nil && over != want {
				t.Errorf("overDailyCap(%s) = %v, want %v", addr, over, want)
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	check("flood@lewisham.gov.uk", true)
	check("Flood@Lewisham.gov.uk", true)
	check("fresh@lewisham.gov.uk", false)
	// Counted once: a new email adds one to the counter, not the outbox again.
	if err := tr.tx(ctx, func(tx *sql.Tx) error {
		return tr.countQueued(ctx, tx, clock.Now(), []string{"fresh@lewisham.gov.uk", "FRESH@lewisham.gov.uk"})
	}); err != nil {
		t.Fatal(err)
	}
	var n int
	tr.DB().QueryRow(`SELECT n FROM address_day WHERE address = 'fresh@lewisham.gov.uk' AND day = '2026-12-07'`).Scan(&n)
	if n != 1 {
		t.Errorf("fresh@ counted %d today, want 1", n)
	}
}
