package tracker

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestReader13OpenReadHalfWALReadsTheLog: a copy with its -wal and no -shm is read with
// the commit that is in the log (the data is right, even though a file is created: see
// the reader13 defects).
func TestReader13OpenReadHalfWALReadsTheLog(t *testing.T) {
	ctx := context.Background()
	tr, _ := queryStore(t)
	src := tr.Path()
	if _, err := tr.DB().Exec(`UPDATE cases SET child_initials = 'QQ' WHERE ref = 'LSCP-2026-001'`); err != nil {
		t.Fatal(err)
	}
	dst := filepath.Join(t.TempDir(), "csprbot.db")
	for _, sfx := range []string{"", "-wal"} {
		b, err := os.ReadFile(src + sfx)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(dst+sfx, b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	rs, err := OpenRead(ctx, dst, time.Now, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer rs.Close()
	d, err := rs.Case(ctx, "LSCP-2026-001")
	if err != nil {
		t.Fatal(err)
	}
	if d.ChildInitials != "QQ" {
		t.Errorf("initials %q, want QQ (the commit in the -wal)", d.ChildInitials)
	}
}

// TestReader13OpenReadOtherUserImmutable: root's closed store (no -wal, no -shm), folder
// 0755, file 0644, read by nobody: the immutable open reads it and creates nothing.
func TestReader13OpenReadOtherUserImmutable(t *testing.T) {
	if os.Getuid() != 0 {
		t.Skip("needs root")
	}
	src := closedStore(t)
	dir := filepath.Join(t.TempDir(), "store")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	dst := filepath.Join(dir, "csprbot.db")
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, b, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := reader13AsNobody(t, dst)
	if err != nil || !strings.Contains(out, "CHILD read") {
		t.Errorf("nobody reading root's closed store: %v\n%s", err, out)
	}
	if !walGone(dst) {
		t.Error("a -wal or -shm was created")
	}
}

func reader13Copy(t *testing.T, from, to string) {
	t.Helper()
	in, err := os.Open(from)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	out, err := os.Create(to)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
}

// reader13AsNobody runs this test binary again as nobody (uid 65534) to read the store at
// path with OpenRead and Cases; it returns the child's output and error.
func reader13AsNobody(t *testing.T, path string) (string, error) {
	t.Helper()
	if os.Getuid() != 0 {
		t.Skip("needs root to drop privileges in a child")
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(filepath.Dir(path), "tracker.test")
	reader13Copy(t, exe, bin)
	os.Chmod(bin, 0o755)
	for d := filepath.Dir(path); d != "/" && d != "."; d = filepath.Dir(d) {
		fi, err := os.Stat(d)
		if err == nil && fi.Mode().Perm()&0o005 != 0o005 {
			os.Chmod(d, fi.Mode().Perm()|0o055)
		}
	}
	cmd := exec.Command(bin, "-test.run", "^TestReader13Child$", "-test.v")
	cmd.Env = append(os.Environ(), "READER13_STORE="+path, "HOME=/")
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func TestReader13Child(t *testing.T) {
	path := os.Getenv("READER13_STORE")
	if path == "" {
		t.Skip("child only")
	}
	ctx := context.Background()
	rs, err := OpenRead(ctx, path, time.Now, nil)
	if err != nil {
		t.Fatalf("CHILD OpenRead: %v", err)
	}
	defer rs.Close()
	cs, err := rs.Cases(ctx)
	if err != nil {
		t.Fatalf("CHILD Cases: %v", err)
	}
	t.Logf("CHILD read %d cases", len(cs))
}

// reader13Snapshot commits marks in a loop on a writer of its own: each commit sets one
// mark on the case, all its deadlines and all its returns, so that any read showing two
// marks in one case shows a state the store never had.
func reader13Writer(t *testing.T, path string, stop <-chan struct{}, done chan<- int) {
	ctx := context.Background()
	ws, err := Open(ctx, path, time.Now, nil)
	if err != nil {
		t.Error(err)
		done <- 0
		return
	}
	defer ws.Close()
	n := 0
	for {
		select {
		case <-stop:
			done <- n
			return
		default:
		}
		n++
		mark := "M" + strconv.Itoa(n)
		tx, err := ws.DB().BeginTx(ctx, nil)
		if err != nil {
			t.Error(err)
			done <- n
			return
		}
		for _, q := range []string{
			`UPDATE cases SET child_initials = ?`,
			`UPDATE deadlines SET note = ?`,
			`UPDATE returns SET note = ?`,
		} {
			if _, err := tx.ExecContext(ctx, q, mark); err != nil {
				t.Error(err)
			}
		}
		if err := tx.Commit(); err != nil {
			t.Error(err)
		}
	}
}

func reader13CheckOneMark(t *testing.T, cs []CaseSummary) (marks map[string]bool) {
	t.Helper()
	marks = map[string]bool{}
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
		t.Errorf("cases --json read shows marks of several commits at once: %v", marks)
	}
	return marks
}

// TestReader13CasesWhileCommitting: Cases (cases --json) read again and again while a
// writer commits without pause, on a store the writer has open (mode=ro, two connections
// checked with data_version) and on a store nobody had open when the reader opened it
// (immutable, the writer starting during the first read): every case, its deadlines and
// its returns always carry the mark of one commit.
func TestReader13CasesWhileCommitting(t *testing.T) {
	ctx := context.Background()
	for _, immutable := range []bool{false, true} {
		t.Run(fmt.Sprintf("immutable %v", immutable), func(t *testing.T) {
			path := closedStore(t)
			{
				w, err := Open(ctx, path, time.Now, nil)
				if err != nil {
					t.Fatal(err)
				}
				for _, q := range []string{`UPDATE cases SET child_initials = 'M0'`, `UPDATE deadlines SET note = 'M0'`, `UPDATE returns SET note = 'M0'`} {
					if _, err := w.DB().Exec(q); err != nil {
						t.Fatal(err)
					}
				}
				if err := w.Close(); err != nil {
					t.Fatal(err)
				}
			}
			stop, done := make(chan struct{}), make(chan int, 1)
			var rs *Store
			var err error
			if immutable {
				if rs, err = OpenRead(ctx, path, time.Now, nil); err != nil {
					t.Fatal(err)
				}
				if !rs.rd.immutable {
					t.Fatal("not immutable")
				}
				go reader13Writer(t, path, stop, done)
			} else {
				// One commit first, on a writer kept open: then the loop.
				first, err := Open(ctx, path, time.Now, nil)
				if err != nil {
					t.Fatal(err)
				}
				defer first.Close()
				for _, q := range []string{`UPDATE cases SET child_initials = 'M0'`, `UPDATE deadlines SET note = 'M0'`, `UPDATE returns SET note = 'M0'`} {
					if _, err := first.DB().Exec(q); err != nil {
						t.Fatal(err)
					}
				}
				go reader13Writer(t, path, stop, done)
				if rs, err = OpenRead(ctx, path, time.Now, nil); err != nil {
					t.Fatal(err)
				}
			}
			defer rs.Close()
			reads := 0
			deadline := time.Now().Add(700 * time.Millisecond)
			for time.Now().Before(deadline) {
				cs, err := rs.Cases(ctx)
				if err != nil {
					t.Fatal(err)
				}
				reads++
				if len(reader13CheckOneMark(t, cs)) > 1 {
					break
				}
			}
			close(stop)
			n := <-done
			t.Logf("%d reads while %d commits", reads, n)
			if n < 10 {
				t.Errorf("only %d commits made", n)
			}
		})
	}
}

// TestReader13ImmutableReadWhileCommandsCommit (holds): nobody has the store open when the
// report opens it (so it is read as immutable); meanwhile csprbot commands that write
// (each opens the store, commits one change, closes it: SQLite checkpoints the log into
// the file and removes -wal and -shm) run one after another. readAgain reads again once
// on a new immutable handle, but nothing checks that second read: a command that ran
// during it leaves a read of the file half rewritten by the checkpoint. Promise: a read
// never shows a picture of the store that never existed (here: a case whose deadlines
// or returns carry the mark of another commit), or fails on it.
func TestReader13ImmutableReadWhileCommandsCommit(t *testing.T) {
	ctx := context.Background()
	path := closedStore(t)
	mark := func(st *Store, m string) {
		tx, err := st.DB().BeginTx(ctx, nil)
		if err != nil {
			t.Error(err)
			return
		}
		defer tx.Rollback()
		for _, q := range []string{`UPDATE cases SET child_initials = ?`, `UPDATE deadlines SET note = ?`, `UPDATE returns SET note = ?`} {
			if _, err := tx.ExecContext(ctx, q, m); err != nil {
				t.Error(err)
				return
			}
		}
		if err := tx.Commit(); err != nil {
			t.Error(err)
		}
	}
	w, err := Open(ctx, path, time.Now, nil)
	if err != nil {
		t.Fatal(err)
	}
	mark(w, "M0")
	w.Close()
	stop := make(chan struct{})
	done := make(chan int)
	go func() {
		n := 0
		for {
			select {
			case <-stop:
				done <- n
				return
			default:
			}
			n++
			w, err := Open(ctx, path, time.Now, nil)
			if err != nil {
				t.Error(err)
				done <- n
				return
			}
			mark(w, fmt.Sprintf("M%d", n))
			w.Close()
			time.Sleep(time.Duration(n%3) * 300 * time.Microsecond)
		}
	}()
	var bad []string
	reads, failed, immutable := 0, 0, 0
	end := time.Now().Add(700 * time.Millisecond)
	for time.Now().Before(end) && len(bad) < 3 {
		rs, err := OpenRead(ctx, path, time.Now, nil)
		if err != nil {
			failed++
			continue
		}
		if rs.rd.immutable {
			immutable++
		}
		cs, err := rs.Cases(ctx)
		rs.Close()
		reads++
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
			bad = append(bad, fmt.Sprintf("marks of several commits in one read: %v", marks))
		}
	}
	close(stop)
	n := <-done
	t.Logf("%d reads (%d immutable, %d opens failed) while %d commands committed", reads, immutable, failed, n)
	for _, b := range bad {
		t.Error(b)
	}
}
