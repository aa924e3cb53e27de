package tracker

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"
)

// closedStore is queryStore's store, closed: nothing has it open, so SQLite has removed its
// -wal and -shm. It returns the store's path.
func closedStore(t *testing.T) string {
	t.Helper()
	tr, _ := queryStore(t)
	path := tr.Path()
	if err := tr.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

func listDir(t *testing.T, dir string) string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range es {
		fi, err := e.Info()
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, fmt.Sprintf("%s %d %s", e.Name(), fi.Size(), fi.ModTime().Format(time.RFC3339Nano)))
	}
	sort.Strings(names)
	return strings.Join(names, "\n")
}

func setUserVersion(t *testing.T, path string, v int) {
	t.Helper()
	st, err := Open(context.Background(), path, time.Now, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.DB().Exec(fmt.Sprintf(`PRAGMA user_version = %d`, v)); err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestOpenReadWritesNothing: the read-only open of a store nobody has open creates no
// file beside it (no -wal, no -shm), changes none, and reads what the store holds.
func TestOpenReadWritesNothing(t *testing.T) {
	ctx := context.Background()
	path := closedStore(t)
	before := listDir(t, filepath.Dir(path))
	if strings.Contains(before, "-wal") || strings.Contains(before, "-shm") {
		t.Fatalf("the closed store still has a write-ahead log beside it:\n%s", before)
	}
	st, err := OpenRead(ctx, path, time.Now, nil)
	if err != nil {
		t.Fatal(err)
	}
	cs, err := st.Cases(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(cs) == 0 {
		t.Error("OpenRead: Cases() is empty")
	}
	if _, err := st.Case(ctx, "LSCP-2026-001"); err != nil {
		t.Error(err)
	}
	if st.StoreID() == "" {
		t.Error("OpenRead: no store id read")
	}
	// A write through it is refused, never made.
	if _, err := st.DB().Exec(`UPDATE cases SET child_initials = 'QQ'`); err == nil {
		t.Error("an UPDATE through the read-only store succeeded")
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	if after := listDir(t, filepath.Dir(path)); after != before {
		t.Errorf("OpenRead changed the store's folder:\nbefore:\n%s\nafter:\n%s", before, after)
	}
}

// TestOpenReadMissing: no store, no file made; the error says so (fs.ErrNotExist).
func TestOpenReadMissing(t *testing.T) {
	path := filepath.Join(t.TempDir(), "csprbot.db")
	if _, err := OpenRead(context.Background(), path, time.Now, nil); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("OpenRead(missing) = %v, want fs.ErrNotExist", err)
	}
	if es, _ := os.ReadDir(filepath.Dir(path)); len(es) != 0 {
		t.Errorf("OpenRead(missing) left %d files", len(es))
	}
}

// TestOpenReadOtherSchema: a store at an older schema is refused, not upgraded (an older
// daemon may be running on it), and no copy is made; a newer one is refused as Open
// refuses it.
func TestOpenReadOtherSchema(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name    string
		version int
		want    error
		words   string
	}{
		{"older", SchemaVersion() - 1, ErrOlderStore, fmt.Sprintf("is at schema %d; this csprbot reads schema %d only; the daemon (`csprbot run`)", SchemaVersion()-1, SchemaVersion())},
		{"newer", SchemaVersion() + 1, ErrNewerStore, fmt.Sprintf("has schema version %d but this csprbot knows only up to %d", SchemaVersion()+1, SchemaVersion())},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := closedStore(t)
			setUserVersion(t, path, tc.version)
			before := listDir(t, filepath.Dir(path))
			st, err := OpenRead(ctx, path, time.Now, nil)
			if err == nil {
				st.Close()
			}
			if !errors.Is(err, tc.want) || !strings.Contains(err.Error(), tc.words) {
				t.Errorf("OpenRead(schema %d) = %v, want %v saying %q", tc.version, err, tc.want, tc.words)
			}
			if v, err := StoreVersion(ctx, path); err != nil || v != tc.version {
				t.Errorf("after OpenRead the store is at schema %d (%v), want %d", v, err, tc.version)
			}
			if after := listDir(t, filepath.Dir(path)); after != before {
				t.Errorf("OpenRead changed the store's folder:\nbefore:\n%s\nafter:\n%s", before, after)
			}
		})
	}
}

// TestOpenReadDaemonStartsMeanwhile: a store nobody had open is read as immutable (its
// file alone); once a csprbot opens it for writing and commits, a read sees the commit
// (through the write-ahead log that then exists, or in the file once that csprbot has
// closed it again), not the file as it was.
func TestOpenReadDaemonStartsMeanwhile(t *testing.T) {
	ctx := context.Background()
	for _, closeWriter := range []bool{false, true} {
		t.Run(fmt.Sprintf("writer closed %v", closeWriter), func(t *testing.T) {
			path := closedStore(t)
			rs, err := OpenRead(ctx, path, time.Now, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer rs.Close()
			if !rs.rd.immutable {
				t.Fatal("a store with no -wal or -shm was not read as immutable")
			}
			if _, err := rs.Case(ctx, "LSCP-2026-001"); err != nil {
				t.Fatal(err)
			}
			ws, err := Open(ctx, path, time.Now, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer ws.Close()
			if _, err := ws.DB().Exec(`UPDATE cases SET child_initials = 'QQ' WHERE ref = 'LSCP-2026-001'`); err != nil {
				t.Fatal(err)
			}
			if closeWriter {
				if err := ws.Close(); err != nil {
					t.Fatal(err)
				}
				if !walGone(path) {
					t.Fatal("the writer closed, its -wal or -shm is still there")
				}
			}
			d, err := rs.Case(ctx, "LSCP-2026-001")
			if err != nil {
				t.Fatal(err)
			}
			if d.ChildInitials != "QQ" {
				t.Errorf("after a commit by a csprbot that opened the store meanwhile, the read shows initials %q, want QQ", d.ChildInitials)
			}
		})
	}
}

// TestTimelineDecisionWords: the journey's decision line is in the guidance's words
// (outcomeWords), read through the read handle: never "none review".
func TestTimelineDecisionWords(t *testing.T) {
	ctx := context.Background()
	tr, _ := queryStore(t)
	if _, err := tr.DB().Exec(`UPDATE cases SET decision = ?, decision_rec = 'e', decision_at = '2026-12-18T10:00:00Z' WHERE ref = 'LSCP-2026-001'`, DecisionNone); err != nil {
		t.Fatal(err)
	}
	lines, err := tr.Timeline(ctx, "LSCP-2026-001")
	if err != nil {
		t.Fatal(err)
	}
	want := "Decided Fri 18 Dec 2026: " + OutcomeWords(DecisionNone, "e")
	if !strings.HasPrefix(want, "Decided Fri 18 Dec 2026: no further review: ") {
		t.Fatalf("OutcomeWords(none, e) = %q", want)
	}
	found := false
	for _, l := range lines {
		found = found || l == want
		if strings.Contains(l, "none review") {
			t.Errorf("Timeline: %q", l)
		}
	}
	if !found {
		t.Errorf("Timeline = %q, want a line %q", lines, want)
	}
	if _, err := tr.Timeline(ctx, "LSCP-2026-099"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Timeline(no such case) = %v, want ErrNotFound", err)
	}
}
