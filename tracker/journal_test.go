package tracker

import (
	"context"
	"database/sql"
	"os"
	"strconv"
	"testing"
)

// Issue 8.6: an outcome the store would not take survives an ordinary exit even when the
// store is still locked as csprbot closes (so Close cannot record it either): it is in
// the outcome journal beside the store, owner-only, and the next csprbot records it
// instead of sending the email again.
func TestOutcomeJournalSurvivesExitWithTheStoreLocked(t *testing.T) {
	ctx := context.Background()
	clock := &testClock{}
	clock.Set("2026-12-07T10:15:00Z")
	tr := newTestTracker(t, clock)
	var id string
	if err := tr.tx(ctx, func(tx *sql.Tx) error {
		var err error
		id, err = tr.enqueue(ctx, tx, clock.Now(), outMsg{tmpl: TmplStaffAttention, to: []string{"strategic.lead@lewisham.gov.uk"}})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	tr.DB().SetMaxOpenConns(1)
	if _, err := tr.DB().Exec(`PRAGMA busy_timeout = 100`); err != nil {
		t.Fatal(err)
	}
	other, err := sql.Open("sqlite", DSN(tr.Path()))
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	var lock *sql.Tx
	sink := &countSender{n: map[string]int{}}
	sink.after = func() {
		if lock == nil {
			if lock, err = other.Begin(); err != nil {
				t.Fatal(err)
			}
		}
	}
	if _, err := tr.SendDue(ctx, sink); err == nil {
		t.Fatalf("SendDue with the outcome unrecordable = nil error")
	}
	journal := tr.sidecar(outcomeJournal)
	fi, err := os.Stat(journal)
	if err != nil {
		t.Fatalf("no outcome journal: %v", err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("outcome journal mode %v, want 0600", fi.Mode().Perm())
	}
	// Stopped while the other process still holds the store: Close cannot record it.
	tr.out.unlock()
	tr.out.unlock = nil
	tr.Close()
	lock.Rollback()

	st, err := Open(ctx, tr.Path(), clock.Now, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	cal, _ := NewCalendar(nil)
	next, err := New(ctx, st, testConfig(), cal, testRenderer{})
	if err != nil {
		t.Fatal(err)
	}
	clock.Set("2026-12-07T10:20:00Z")
	if _, err := next.SendDue(ctx, sink); err != nil {
		t.Fatal(err)
	}
	if sink.n[id] != 1 {
		t.Errorf("the server received %s %d times, want 1", id, sink.n[id])
	}
	var status string
	st.DB().QueryRow(`SELECT status FROM outbox WHERE message_id = ?`, id).Scan(&status)
	if status != "sent" {
		t.Errorf("status after the journal was replayed = %s, want sent", status)
	}
	if _, err := os.Stat(journal); !os.IsNotExist(err) {
		t.Errorf("the outcome journal is still there after it was replayed (%v)", err)
	}
}

// A journal written for another store (the file beside the path now holds a different
// one) is never replayed into this one.
func TestOutcomeJournalOfAnotherStoreIsIgnored(t *testing.T) {
	ctx := context.Background()
	clock := &testClock{}
	clock.Set("2026-12-07T10:15:00Z")
	tr := newTestTracker(t, clock)
	var id string
	if err := tr.tx(ctx, func(tx *sql.Tx) error {
		var err error
		id, err = tr.enqueue(ctx, tx, clock.Now(), outMsg{tmpl: TmplStaffAttention, to: []string{"strategic.lead@lewisham.gov.uk"}})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	var row int64
	tr.DB().QueryRow(`SELECT id FROM outbox WHERE message_id = ?`, id).Scan(&row)
	if _, err := tr.DB().Exec(`UPDATE outbox SET status = 'sending', claimed_by = 'x', attempts = 1 WHERE id = ?`, row); err != nil {
		t.Fatal(err)
	}
	line := `{"store":"someotherstore","row":` + strconv.FormatInt(row, 10) + `,"message_id":"` + id + `","claimed_by":"x","attempts":1,"at":"2026-12-07T10:15:00Z","accepted":true}` + "\n"
	if err := os.WriteFile(tr.sidecar(outcomeJournal), []byte(line), 0o600); err != nil {
		t.Fatal(err)
	}
	sink := &countSender{n: map[string]int{}}
	if _, err := tr.SendDue(ctx, sink); err != nil {
		t.Fatal(err)
	}
	// Not recorded as sent from another store's word: taken for an interrupted send.
	if sink.n[id] != 1 {
		t.Errorf("sent %d times, want 1 (an interrupted send, sent again)", sink.n[id])
	}
}
