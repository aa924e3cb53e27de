package tracker

import (
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
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
