package tracker

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

// Issue 8.8: time comparisons for the outbox survive a clock that moves back. Queued
// mail's times written while the clock was ahead must not hold it for hours, nor keep the
// unsent-mail alert silent.

// queueAt puts one email in the outbox as if queued (and tried attempts times) while the
// clock read `at`, with its next attempt at `next`.
func queueAt(t *testing.T, tr *Tracker, id, at, next string, attempts int) {
	t.Helper()
	e := OutEmail{MessageID: id, From: "safeguardingpartnership@lewisham.gov.uk", To: []string{"csc@lewisham.gov.uk"}, Subject: "[LSCP-2026-001] reminder", Text: "x"}
	body, _ := json.Marshal(e)
	if _, err := tr.DB().Exec(`INSERT INTO outbox(message_id, kind, recipients, subject, email_json, status, attempts, next_attempt_at, created_at)
		VALUES (?, 'reminder', ?, ?, ?, 'queued', ?, ?, ?)`, id, e.To[0], e.Subject, string(body), attempts, next, at); err != nil {
		t.Fatal(err)
	}
}

func TestClockMovedBackDoesNotStrandQueuedMail(t *testing.T) {
	ctx := context.Background()
	clock := &testClock{}
	tr := newTestTracker(t, clock)
	// Tried once at 14:59 (back-off 1 minute); then the clock was put back to 10:00.
	queueAt(t, tr, "backoff@lewisham.gov.uk", "2026-12-07T14:58:00Z", "2026-12-07T15:00:00Z", 1)
	clock.Set("2026-12-07T10:00:00Z")
	sink := &sinkSender{}
	if _, err := tr.SendDue(ctx, sink); err != nil {
		t.Fatal(err)
	}
	clock.Set("2026-12-07T10:02:00Z")
	if _, err := tr.SendDue(ctx, sink); err != nil {
		t.Fatal(err)
	}
	if len(sink.sent) != 1 {
		t.Errorf("2 minutes after the clock moved back 5 hours: %d sent, want 1 (the email waits its back-off from now, not until the clock catches up)", len(sink.sent))
	}
}

// refusing is an SMTP server that is down (a temporary failure for every email).
type refusing struct{}

func (refusing) Send(context.Context, *OutEmail) error {
	return &SendError{Err: errors.New("421 service not available")}
}

func TestClockMovedBackKeepsTheUnsentAlert(t *testing.T) {
	ctx := context.Background()
	clock := &testClock{}
	tr := newTestTracker(t, clock)
	// Queued at 14:00; then the clock was put back to 10:00, and the server is down.
	queueAt(t, tr, "stuck@lewisham.gov.uk", "2026-12-07T14:00:00Z", "2026-12-07T14:00:00Z", 0)
	for _, now := range []string{"2026-12-07T10:00:00Z", "2026-12-07T11:00:00Z", "2026-12-07T12:10:00Z"} {
		clock.Set(now)
		if _, err := tr.SendDue(ctx, refusing{}); err != nil {
			t.Fatal(err)
		}
	}
	var alerted int
	tr.DB().QueryRow(`SELECT stuck_alerted FROM outbox WHERE message_id = 'stuck@lewisham.gov.uk'`).Scan(&alerted)
	var notes int
	tr.DB().QueryRow(`SELECT count(*) FROM outbox WHERE kind = ? AND email_json LIKE '%has not been sent%'`, TmplStaffAttention).Scan(&notes)
	if alerted != 1 || notes != 1 {
		t.Errorf("2 h 10 min after the clock moved back, with the server down: stuck_alerted = %d, %d staff notices; want 1 and 1 (the alert counts from when the clock was found behind)", alerted, notes)
	}
}

// The per-message look-ups of the outbox go through an index: none reads a table that
// grows with history (issue 11.1).
func TestOutboxLookupsUseIndexes(t *testing.T) {
	clock := &testClock{}
	clock.Set("2026-12-07T10:00:00Z")
	tr := newTestTracker(t, clock)
	for _, q := range []struct {
		name, sql string
		args      []any
	}{
		{"alert", alertStuckQuery, []any{"x"}},
		{"daily cap", `SELECT n FROM address_day WHERE address = ? AND day = ?`, []any{"a", "d"}},
		{"day counted", `SELECT 1 FROM address_days_counted WHERE day = ?`, []any{"d"}},
		{"due", `SELECT id FROM outbox WHERE status = 'queued' AND next_attempt_at <= ? ORDER BY next_attempt_at, id LIMIT 1`, []any{"x"}},
		{"interrupted", `SELECT id FROM outbox WHERE status = 'sending' ORDER BY id`, nil},
		{"reminder sent", `SELECT count(*) FROM outbox WHERE case_id = ? AND agency = ? AND kind = ?`, []any{1, "a", "k"}},
		{"attachments", `SELECT name FROM attachments WHERE message_id = ?`, []any{1}},
		{"approval", `SELECT count(*) FROM submissions WHERE outbox_msgid = ? AND status = 'approved'`, []any{"m"}},
		{"returns awaited (Tick)", `SELECT r.id, c.id FROM returns r JOIN cases c ON c.id = r.case_id
			LEFT JOIN deadlines d ON d.case_id = r.case_id AND d.rule = 'scoping_return' AND d.agency = r.agency
			WHERE c.stage IN (?, ?, ?) AND r.status = 'awaiting' AND coalesce(d.status, 'pending') != 'waived'
			AND NOT EXISTS (SELECT 1 FROM meetings m WHERE m.case_id = c.id AND m.status = 'set' AND m.at <= ?) ORDER BY r.id`, []any{"a", "b", "c", "x"}},
		{"statutory deadlines (TickStatutory)", `SELECT d.case_id FROM deadlines d JOIN cases c ON c.id = d.case_id
			WHERE d.status = 'pending' AND d.agency = '' AND d.rule IN (?, ?) AND c.stage != ? ORDER BY d.case_id, d.id`, []any{"a", "b", "c"}},
	} {
		rows, err := tr.DB().Query("EXPLAIN QUERY PLAN "+q.sql, q.args...)
		if err != nil {
			t.Fatalf("%s: %v", q.name, err)
		}
		var plan []string
		for rows.Next() {
			var id, parent, notused int
			var detail string
			rows.Scan(&id, &parent, &notused, &detail)
			plan = append(plan, detail)
		}
		rows.Close()
		for _, p := range plan {
			if strings.HasPrefix(p, "SCAN ") { // a table or a whole index, read end to end
				t.Errorf("%s scans a table: %s", q.name, strings.Join(plan, "; "))
			}
		}
	}
}
