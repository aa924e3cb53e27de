package tracker

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestReader13OpenReadOtherUserHalfWAL: root's store (folder 0755, files 0644), read by
// another user (a person running a report as themselves), with the -wal there and no
// -shm. OpenRead picks mode=ro, SQLite must create the -shm, which the other user cannot:
// the read fails, where the immutable open (no -wal, no -shm) or a full pair reads.
func TestReader13OpenReadOtherUserHalfWAL(t *testing.T) {
	tr, _ := queryStore(t)
	src := tr.Path()
	if _, err := tr.DB().Exec(`UPDATE cases SET child_initials = 'QQ' WHERE ref = 'LSCP-2026-001'`); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "store")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	dst := filepath.Join(dir, "csprbot.db")
	reader13Copy(t, src, dst)
	reader13Copy(t, src+"-wal", dst+"-wal")
	for _, p := range []string{dst, dst + "-wal"} {
		os.Chmod(p, 0o644)
	}
	out, err := reader13AsNobody(t, dst)
	if err != nil || !strings.Contains(out, "CHILD read") {
		t.Errorf("another user reading root's store with only its -wal: %v\n%s", err, out)
	}
}

// TestReader13OpenReadHalfWAL: a store copied while a csprbot had it open, with its -wal
// but not its -shm (or the other way round) — what a backup tool that skips the
// "temporary" shared-memory file leaves, or a leftover of a crash with one of the two
// removed by hand. walGone is false, so OpenRead uses mode=ro, and SQLite then creates
// the missing file beside the store: a read command wrote to the store's folder.
// Promise: OpenRead "creates no file ... writes nothing".
func TestReader13OpenReadHalfWAL(t *testing.T) {
	ctx := context.Background()
	for _, keep := range []string{"-wal", "-shm"} {
		t.Run("only"+keep, func(t *testing.T) {
			tr, _ := queryStore(t)
			src := tr.Path()
			// A commit that stays in the log (the writer is still open).
			if _, err := tr.DB().Exec(`UPDATE cases SET child_initials = 'QQ' WHERE ref = 'LSCP-2026-001'`); err != nil {
				t.Fatal(err)
			}
			if walGone(src) {
				t.Fatal("the open store has no -wal/-shm")
			}
			dir := t.TempDir()
			dst := filepath.Join(dir, "csprbot.db")
			reader13Copy(t, src, dst)
			reader13Copy(t, src+keep, dst+keep)
			before := listDir(t, dir)
			rs, err := OpenRead(ctx, dst, time.Now, nil)
			if err != nil {
				t.Fatalf("OpenRead: %v", err)
			}
			_, rerr := rs.Cases(ctx)
			rs.Close()
			after := listDir(t, dir)
			if rerr != nil {
				t.Errorf("Cases on a store with only its %s: %v", keep, rerr)
			}
			var names []string
			es, _ := os.ReadDir(dir)
			for _, e := range es {
				names = append(names, e.Name())
			}
			if len(names) != 2 {
				t.Errorf("OpenRead + Cases on a store with only its %s created a file: folder now %s\nbefore:\n%s\nafter:\n%s", keep, strings.Join(names, " "), before, after)
			}
		})
	}
}

// TestReader13ImmutableSecondReadUnchecked: as above, but the commands start while the
// report reads (betweenBegins of its first read starts them), so the first read is
// known torn (changedUnder) and read again on a new handle, immutable again when it
// opens between two commands; the commands go on during that second read, which is
// returned unchecked.
func TestReader13ImmutableSecondReadUnchecked(t *testing.T) {
	ctx := context.Background()
	path := closedStore(t)
	mark := func(st *Store, m string) {
		tx, err := st.DB().BeginTx(ctx, nil)
		if err != nil {
			return
		}
		defer tx.Rollback()
		for _, q := range []string{`UPDATE cases SET child_initials = ?`, `UPDATE deadlines SET note = ?`, `UPDATE returns SET note = ?`} {
			if _, err := tx.ExecContext(ctx, q, m); err != nil {
				return
			}
		}
		tx.Commit()
	}
	w, err := Open(ctx, path, time.Now, nil)
	if err != nil {
		t.Fatal(err)
	}
	mark(w, "M0")
	w.Close()
	n := 0
	var bad []string
	tries, secondImmutable := 0, 0
	for tries < 300 && len(bad) < 2 {
		if !walGone(path) {
			// a read-only connection closed last leaves them: a writer's close removes them
			if w, err := Open(ctx, path, time.Now, nil); err == nil {
				w.Close()
			}
			if !walGone(path) {
				t.Fatal("-wal or -shm left after a writer closed")
			}
		}
		tries++
		rs, err := OpenRead(ctx, path, time.Now, nil)
		if err != nil {
			t.Fatal(err)
		}
		first := rs.rd
		stop, done := make(chan struct{}), make(chan struct{})
		rs.rd.betweenBegins = func() {
			go func() {
				defer close(done)
				for {
					select {
					case <-stop:
						return
					default:
					}
					n++
					w, err := Open(ctx, path, time.Now, nil)
					if err != nil {
						return
					}
					mark(w, fmt.Sprintf("M%d", n))
					w.Close()
				}
			}()
			time.Sleep(2 * time.Millisecond)
		}
		cs, err := rs.Cases(ctx)
		how := fmt.Sprintf("read again: %v, second handle immutable: %v", rs.rd != first, rs.rd.immutable)
		if rs.rd != first && rs.rd.immutable {
			secondImmutable++
		}
		close(stop)
		if first.betweenBegins != nil {
			select {
			case <-done:
			case <-time.After(5 * time.Second):
			}
		}
		rs.Close()
		if err != nil {
			bad = append(bad, "error: "+err.Error())
			continue
		}
		marks := map[string]bool{}
		for _, c := range cs {
			marks[c.ChildInitials] = true
			for _, d := range c.Deadlines {
				marks[d.Note] = true
			}
			for _, r := range c.Returns {
				marks[r.Note] = true
			}
		}
		if len(marks) > 1 {
			bad = append(bad, fmt.Sprintf("marks of several commits in one read (%s): %v", how, marks))
		}
	}
	t.Logf("%d reads, %d read again as immutable, %d commits", tries, secondImmutable, n)
	for _, b := range bad {
		t.Error(b)
	}
}
