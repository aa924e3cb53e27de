package tracker_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"strings"
	"sync"
	"testing"

	"github.com/lewisham-lscp/csprbot/mailbox/devserver"
	"github.com/lewisham-lscp/csprbot/tracker"
)

// Issue 8.6: an email is claimed in a committed transaction before the SMTP conversation,
// so a store that cannot be written sends nothing, and an outcome that could not be
// recorded is never sent again while it is unknown. Against the real store and a real
// SMTP sink; the store is locked by another connection holding BEGIN IMMEDIATE, as
// another process (or a backup) would.

// quickBusy makes the tracker give up on a locked store after 100 ms rather than 5 s, so
// that several rounds against a locked store take a moment. One connection, so the
// pragma holds for every statement.
func quickBusy(t *testing.T, tr *tracker.Tracker) {
	t.Helper()
	db := tr.DB()
	db.SetMaxOpenConns(1)
	if _, err := db.Exec(`PRAGMA busy_timeout = 100`); err != nil {
		t.Fatal(err)
	}
}

// storeLock holds the store's write lock from a second connection until released.
type storeLock struct {
	t    *testing.T
	path string
	mu   sync.Mutex
	db   *sql.DB
	tx   *sql.Tx
}

func (l *storeLock) lock() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.tx != nil {
		return
	}
	if l.db == nil {
		db, err := sql.Open("sqlite", tracker.DSN(l.path))
		if err != nil {
			l.t.Fatal(err)
		}
		l.t.Cleanup(func() { db.Close() })
		l.db = db
	}
	tx, err := l.db.Begin() // BEGIN IMMEDIATE (the DSN's _txlock)
	if err != nil {
		l.t.Fatal(err)
	}
	l.tx = tx
}

func (l *storeLock) unlock() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.tx != nil {
		l.tx.Rollback()
		l.tx = nil
	}
}

// queueOne puts one email in the outbox as enqueue would have, and returns its Message-ID.
func queueOne(t *testing.T, tr *tracker.Tracker, id string) string {
	t.Helper()
	e := tracker.OutEmail{MessageID: id, From: "safeguardingpartnership@lewisham.gov.uk", To: []string{"strategic.lead@lewisham.gov.uk"},
		Subject: "[LSCP-2026-001] Scoping request", Text: "Please return the form.", Date: now()}
	body, _ := json.Marshal(e)
	if _, err := tr.DB().Exec(`INSERT INTO outbox(message_id, kind, recipients, subject, email_json, status, next_attempt_at, created_at)
		VALUES (?, 'scoping_request', ?, ?, ?, 'queued', '2026-12-07T09:00:00Z', '2026-12-07T09:00:00Z')`,
		e.MessageID, e.To[0], e.Subject, string(body)); err != nil {
		t.Fatal(err)
	}
	return id
}

func sinkCount(sink *devserver.SMTPSink, id string) int {
	n := 0
	for _, m := range sink.Messages() {
		if strings.Contains(string(m.Data), "<"+id+">") {
			n++
		}
	}
	return n
}

func outboxRow(t *testing.T, tr *tracker.Tracker, id string) (status string, attempts int) {
	t.Helper()
	if err := tr.DB().QueryRow(`SELECT status, attempts FROM outbox WHERE message_id = ?`, id).Scan(&status, &attempts); err != nil {
		t.Fatal(err)
	}
	return status, attempts
}

func TestLockedStoreSendsNothing(t *testing.T) {
	ctx := context.Background()
	tr, sink, smtp := newSendingTracker(t, tracker.Config{From: "safeguardingpartnership@lewisham.gov.uk",
		Staff: []tracker.Person{{Name: "Lead", Email: "strategic.lead@lewisham.gov.uk"}}})
	id := queueOne(t, tr, "LSCP-2026-001.locked.1@lewisham.gov.uk")
	quickBusy(t, tr)
	l := &storeLock{t: t, path: tr.Path()}
	l.lock()
	for round := 1; round <= 3; round++ {
		n, err := tr.SendDue(ctx, smtp)
		if err == nil {
			t.Errorf("round %d: SendDue on a locked store = %d, nil; want an error", round, n)
		}
		if got := sinkCount(sink, id); got != 0 {
			t.Fatalf("round %d with the store locked: the server received the email %d times, want 0 (nothing is sent while the store cannot be written)", round, got)
		}
	}
	l.unlock()
	for round := 1; round <= 3; round++ {
		if _, err := tr.SendDue(ctx, smtp); err != nil {
			t.Fatalf("SendDue after the lock = %v", err)
		}
	}
	if got := sinkCount(sink, id); got != 1 {
		t.Errorf("after the lock: the server received the email %d times, want 1", got)
	}
	if st, n := outboxRow(t, tr, id); st != "sent" || n != 1 {
		t.Errorf("outbox row = %s after %d attempts, want sent after 1", st, n)
	}
}

// lockAfterSend delivers, then locks the store: the server has the email, and recording
// that it went fails.
type lockAfterSend struct {
	next tracker.Sender
	l    *storeLock
}

func (s lockAfterSend) Send(ctx context.Context, e *tracker.OutEmail) error {
	err := s.next.Send(ctx, e)
	s.l.lock()
	return err
}

func TestUnrecordedSendIsNotRepeated(t *testing.T) {
	ctx := context.Background()
	tr, sink, smtp := newSendingTracker(t, tracker.Config{From: "safeguardingpartnership@lewisham.gov.uk",
		Staff: []tracker.Person{{Name: "Lead", Email: "strategic.lead@lewisham.gov.uk"}}})
	id := queueOne(t, tr, "LSCP-2026-001.unrecorded.1@lewisham.gov.uk")
	quickBusy(t, tr)
	l := &storeLock{t: t, path: tr.Path()}
	s := lockAfterSend{next: smtp, l: l}
	for round := 1; round <= 4; round++ {
		if _, err := tr.SendDue(ctx, s); err == nil {
			t.Errorf("round %d: SendDue with the outcome unrecordable = nil error, want one", round)
		}
		if got := sinkCount(sink, id); got != 1 {
			t.Fatalf("round %d, store locked since the first send: the server received the email %d times, want exactly 1", round, got)
		}
	}
	l.unlock()
	if _, err := tr.SendDue(ctx, smtp); err != nil {
		t.Fatalf("SendDue once the store is writable = %v", err)
	}
	if got := sinkCount(sink, id); got != 1 {
		t.Errorf("the server received the email %d times, want 1", got)
	}
	if st, n := outboxRow(t, tr, id); st != "sent" || n != 1 {
		t.Errorf("outbox row = %s after %d attempts, want sent after 1 (the outcome kept and recorded late)", st, n)
	}
}

// An email a csprbot left 'sending' when it stopped (a crash inside the SMTP window) may
// have reached the server: it is sent again with the same Message-ID, as README's crash
// promise says, and held for a person once that has happened MaxInterrupted times.
func TestInterruptedSendIsRetriedThenHeld(t *testing.T) {
	ctx := context.Background()
	tr, sink, smtp := newSendingTracker(t, tracker.Config{From: "safeguardingpartnership@lewisham.gov.uk",
		Staff: []tracker.Person{{Name: "Lead", Email: "strategic.lead@lewisham.gov.uk"}}})
	once := queueOne(t, tr, "LSCP-2026-001.crashed.1@lewisham.gov.uk")
	often := queueOne(t, tr, "LSCP-2026-001.crashed.2@lewisham.gov.uk")
	// As a process that claimed them and died would leave them.
	if _, err := tr.DB().Exec(`UPDATE outbox SET status = 'sending', attempts = 1, claimed_by = 'gone', claimed_at = '2026-12-07T09:59:00Z'`); err != nil {
		t.Fatal(err)
	}
	if _, err := tr.DB().Exec(`UPDATE outbox SET maybe_sent = ? WHERE message_id = ?`, tracker.MaxInterrupted-1, often); err != nil {
		t.Fatal(err)
	}
	if _, err := tr.SendDue(ctx, smtp); err != nil {
		t.Fatal(err)
	}
	if got := sinkCount(sink, once); got != 1 {
		t.Errorf("interrupted once: the server received it %d times, want 1 (sent again with the same Message-ID)", got)
	}
	if st, n := outboxRow(t, tr, once); st != "sent" || n != 2 {
		t.Errorf("interrupted once: row %s after %d attempts, want sent after 2", st, n)
	}
	if got := sinkCount(sink, often); got != 0 {
		t.Errorf("interrupted %d times: the server received it %d times, want 0 (held)", tracker.MaxInterrupted, got)
	}
	if st, _ := outboxRow(t, tr, often); st != "held" {
		t.Errorf("interrupted %d times: row %s, want held for a person", tracker.MaxInterrupted, st)
	}
	var events int
	tr.DB().QueryRow(`SELECT count(*) FROM audit WHERE event IN ('message_out_interrupted', 'message_out_held') AND detail LIKE '%stopped%'`).Scan(&events)
	if events != 2 {
		t.Errorf("%d audit entries about interrupted sends, want 2", events)
	}
}
