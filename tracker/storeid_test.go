package tracker

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"testing"
)

// The store's identity beyond its inode (storefile.go): a store put back to an earlier
// state of itself under the running csprbot (through SQLite, as `sqlite3 csprbot.db
// ".restore backup.db"` does: same file, same store id) stops commits and sends; and so
// does the file emptied in place.
func TestStoreRolledBackIsNoticed(t *testing.T) {
	ctx := context.Background()
	clock := &testClock{}
	clock.Set("2026-12-07T10:15:00Z")
	tr := newTestTracker(t, clock)
	if tr.StoreID() == "" {
		t.Fatalf("a store without an id")
	}
	deliver(t, tr, referralIncoming("first@example.org", 1, "2026-12-07T10:15:00Z"))
	if err := tr.CheckFile(); err != nil {
		t.Fatalf("CheckFile = %v", err)
	}
	other, err := sql.Open("sqlite", DSN(tr.Path()))
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	// The audit trail as an earlier backup has it.
	for _, q := range []string{`DROP TRIGGER audit_no_delete`, `DELETE FROM audit WHERE id > 1`} {
		if _, err := other.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	if err := tr.CheckFile(); !errors.Is(err, ErrStoreMoved) {
		t.Errorf("CheckFile after the store was rolled back = %v, want ErrStoreMoved", err)
	}
	if err := tr.tx(ctx, func(tx *sql.Tx) error { return audit(ctx, tx, clock.Now(), 0, "test", "test", "a commit") }); !errors.Is(err, ErrStoreMoved) {
		t.Errorf("a commit after the store was rolled back = %v, want ErrStoreMoved", err)
	}
	select {
	case <-tr.FileGone():
	default:
		t.Errorf("FileGone not closed")
	}
}

func TestStoreEmptiedInPlaceIsNoticed(t *testing.T) {
	clock := &testClock{}
	clock.Set("2026-12-07T10:15:00Z")
	tr := newTestTracker(t, clock)
	if err := tr.CheckFile(); err != nil {
		t.Fatalf("CheckFile = %v", err)
	}
	if err := os.Truncate(tr.Path(), 0); err != nil {
		t.Fatal(err)
	}
	if err := tr.CheckFile(); !errors.Is(err, ErrStoreMoved) {
		t.Errorf("CheckFile after the store file was emptied in place = %v, want ErrStoreMoved", err)
	}
}

// Reopening a store keeps its identity; a backup of it has the same one.
func TestStoreIDStable(t *testing.T) {
	ctx := context.Background()
	clock := &testClock{}
	clock.Set("2026-12-07T10:15:00Z")
	tr := newTestTracker(t, clock)
	id := tr.StoreID()
	st, err := Open(ctx, tr.Path(), clock.Now, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if st.StoreID() != id {
		t.Errorf("reopened store id = %s, want %s", st.StoreID(), id)
	}
	if err := st.CheckFile(); err != nil {
		t.Errorf("CheckFile on a second handle = %v", err)
	}
}
