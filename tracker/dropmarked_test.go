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

// TestDropMarkedCopies: a bounced copy (an agency's strategic lead on a chaser) is left off
// and the chaser goes to the agency; a bounced agency address the email is for is kept, so
// the send policy holds the email whole.
func TestDropMarkedCopies(t *testing.T) {
	ctx := context.Background()
	clock := &testClock{}
	tr := newRRTracker(t, clock, nil)
	tests := []struct {
		name, marked string
		to, cc       []string
		wantTo       string
		wantCc       string
	}{
		{"copied lead bounced", "director@met.example", []string{"lead@met.example"}, []string{"director@met.example"}, "lead@met.example", ""},
		{"agency bounced", "lead@met.example", []string{"lead@met.example"}, []string{"director@met.example"}, "lead@met.example", "director@met.example"},
		{"only recipient a bounced copy", "director@met.example", nil, []string{"director@met.example"}, "", "director@met.example"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := &OutEmail{MessageID: "x@lewisham.gov.uk", To: tc.to, Cc: tc.cc}
			err := tr.tx(ctx, func(tx *sql.Tx) error {
				if _, err := tx.ExecContext(ctx, `DELETE FROM address_status`); err != nil {
					return err
				}
				if err := markAddress(ctx, tx, clock.Now(), tc.marked, "bounced", "5.1.1"); err != nil {
					return err
				}
				_, err := tr.dropMarkedCopies(ctx, tx, clock.Now(), 0, TmplChaser, e)
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			if got, gotCc := strings.Join(e.To, ","), strings.Join(e.Cc, ","); got != tc.wantTo || gotCc != tc.wantCc {
				t.Errorf("dropMarkedCopies(to %v, cc %v, %s marked) = to %q cc %q, want to %q cc %q", tc.to, tc.cc, tc.marked, got, gotCc, tc.wantTo, tc.wantCc)
			}
		})
	}
}
