//go:build reader13

package tracker

import (
	"context"
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
