package tracker

import (
	"context"
	"errors"
	"os"
	"testing"
)

// A store file deleted under the tracker: no transaction commits (to a file nobody will
// read), nothing is sent, and FileGone says so.
func TestStoreFileDeletedStopsCommits(t *testing.T) {
	ctx := context.Background()
	clock := &testClock{}
	clock.Set("2026-12-07T10:15:00Z")
	tr := newTestTracker(t, clock)
	if err := tr.CheckFile(); err != nil {
		t.Fatalf("CheckFile on a fresh store = %v", err)
	}
	if err := os.Remove(tr.Path()); err != nil {
		t.Fatal(err)
	}
	_, err := tr.Ingest(ctx, referralIncoming("after@example.org", 1, "2026-12-07T10:15:00Z"))
	if !errors.Is(err, ErrStoreMoved) {
		t.Errorf("Ingest after the store file was deleted = %v, want ErrStoreMoved", err)
	}
	if _, err := tr.SendDue(ctx, &sinkSender{}); !errors.Is(err, ErrStoreMoved) {
		t.Errorf("SendDue after the store file was deleted = %v, want ErrStoreMoved", err)
	}
	select {
	case <-tr.FileGone():
	default:
		t.Errorf("FileGone not closed after the store file was found deleted")
	}
	var n int
	tr.DB().QueryRow(`SELECT count(*) FROM messages`).Scan(&n)
	if n != 0 {
		t.Errorf("%d messages committed to the deleted file, want 0", n)
	}
}
