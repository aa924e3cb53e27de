// Second reader, issue 11.3: read-only commands that took the write lock, or needed write
// access to the store's folder, moved here from reader11_defects_test.go once fixed, to
// guard for good: csprbot cases, cases --json, case REF, case REF status and digest read
// through tracker.OpenRead, which creates, migrates and writes nothing and never takes the
// write lock.

package main

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/lewisham-lscp/csprbot/tracker"
)

// readCommands are the commands that only read, with their arguments.
var readCommands = [][]string{
	{"cases"}, {"cases", "--json"}, {"case", "LSCP-2026-001"}, {"case", "LSCP-2026-001", "--json"},
	{"case", "LSCP-2026-001", "status"}, {"digest"}, {"digest", "--html"},
}

func runRead(cfgPath string, args []string) (code int, stdout, stderr string) {
	var out, errb bytes.Buffer
	a := append(append([]string{}, args...), "--config", cfgPath, "--now", "2026-12-21T09:00:00Z")
	code = Main(context.Background(), a, &out, &errb)
	return code, out.String(), strings.TrimSpace(errb.String())
}

// closedCopy puts in place of the store's folder a copy of it as it is when nobody has the
// store open: its write-ahead log checkpointed into the file, and no -wal or -shm beside
// it (SQLite removes both when the last connection closes). populatedStore keeps a
// connection open on the original, which goes on pointing at the folder moved aside.
func closedCopy(t *testing.T, storePath string) {
	t.Helper()
	db := openStore(t, storePath)
	if _, err := db.Exec(`PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Dir(storePath)
	cp := dir + ".closed"
	if out, err := exec.Command("cp", "-a", dir, cp).CombinedOutput(); err != nil {
		t.Fatalf("cp: %v %s", err, out)
	}
	for _, p := range []string{"-wal", "-shm"} {
		if err := os.Remove(filepath.Join(cp, filepath.Base(storePath)+p)); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Rename(dir, dir+".open"); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(cp, dir); err != nil {
		t.Fatal(err)
	}
}

// Read-only commands on a store whose filesystem is mounted read-only (a copy on
// read-only media, a snapshot): `cases` opened the store for writing (O_CREATE|O_RDWR on
// the store and its -wal/-shm, migrations, the trace file) and failed. The store is
// copied with nobody having it open (no -wal or -shm beside it: SQLite reads the file
// alone, as immutable) and while a csprbot has it open (both there: SQLite reads them
// without writing).
func TestReadCommandsOnReadOnlyFilesystem(t *testing.T) {
	for _, open := range []bool{false, true} {
		t.Run(fmt.Sprintf("copied while open %v", open), func(t *testing.T) {
			cfgPath := populatedStore(t)
			cfg, err := loadConfig(cfgPath)
			if err != nil {
				t.Fatal(err)
			}
			dir := filepath.Dir(cfg.Store.Path)
			if !open {
				closedCopy(t, cfg.Store.Path)
			}
			// Move the store's folder onto a tmpfs, then make that read-only.
			ro := filepath.Join(t.TempDir(), "ro")
			mountTmpfs(t, ro, "64m")
			if out, err := exec.Command("cp", "-a", dir+"/.", ro).CombinedOutput(); err != nil {
				t.Fatalf("cp: %v %s", err, out)
			}
			if _, err := os.Stat(filepath.Join(ro, filepath.Base(cfg.Store.Path)+"-shm")); (err == nil) != open {
				t.Fatalf("the copy's -shm is there: %v, want %v", err == nil, open)
			}
			if err := os.RemoveAll(dir); err != nil {
				t.Fatal(err)
			}
			if err := os.Symlink(ro, dir); err != nil {
				t.Fatal(err)
			}
			if out, err := exec.Command("mount", "-o", "remount,ro", ro).CombinedOutput(); err != nil {
				t.Skipf("remount ro: %v %s", err, out)
			}
			for _, args := range readCommands {
				if code, out, errs := runRead(cfgPath, args); code != 0 || out == "" {
					t.Errorf("csprbot %s on a read-only filesystem = exit %d: %s", strings.Join(args, " "), code, errs)
				}
			}
		})
	}
}

// Read commands on a writable folder, with nobody having the store open, leave it as it
// was: no -wal or -shm made (by root, say, which the daemon could then not open), no trace,
// no file changed.
func TestReadCommandsLeaveTheFolderAlone(t *testing.T) {
	cfgPath := populatedStore(t)
	cfg, err := loadConfig(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	closedCopy(t, cfg.Store.Path)
	dir := filepath.Dir(cfg.Store.Path)
	// The store's trace is removed to see that no read command writes one.
	if err := os.Remove(tracePath(cfg.Store.Path)); err != nil {
		t.Fatal(err)
	}
	list := func() string {
		es, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		var l []string
		for _, e := range es {
			fi, err := e.Info()
			if err != nil {
				t.Fatal(err)
			}
			l = append(l, fmt.Sprintf("%s %d %s", e.Name(), fi.Size(), fi.ModTime().Format(time.RFC3339Nano)))
		}
		sort.Strings(l)
		return strings.Join(l, "\n")
	}
	before := list()
	for _, args := range readCommands {
		if code, _, errs := runRead(cfgPath, args); code != 0 {
			t.Errorf("csprbot %s = exit %d: %s", strings.Join(args, " "), code, errs)
		}
		if after := list(); after != before {
			t.Fatalf("csprbot %s changed the store's folder:\nbefore:\n%s\nafter:\n%s", strings.Join(args, " "), before, after)
		}
	}
}

// `csprbot case REF status` is one of the read-only commands (issue 11: they never take
// the write lock, so the daemon never waits for a report). It ran through onCase, whose
// t.tx is BEGIN IMMEDIATE on the main handle: with the daemon holding the write lock (a
// long intake transaction) it waited busy_timeout and failed; while it ran, the daemon
// waited for it. TestReadCommandsTakeNoWriteLock checks its output too.
func TestCaseStatusTakesNoWriteLock(t *testing.T) {
	cfgPath := populatedStore(t)
	cfg, err := loadConfig(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	args := []string{"case", "LSCP-2026-001", "status", "--config", cfgPath, "--now", "2026-12-21T09:00:00Z"}
	var out, errb bytes.Buffer
	if code := Main(ctx, args, &out, &errb); code != 0 || out.Len() == 0 {
		t.Fatalf("case REF status with nothing else running = exit %d: %s", code, errb.String())
	}
	db := openStore(t, cfg.Store.Path)
	tx, err := db.BeginTx(ctx, nil) // BEGIN IMMEDIATE: as the daemon's intake transaction
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `UPDATE cases SET child_initials = 'QQ' WHERE ref = 'LSCP-2026-001'`); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	errb.Reset()
	start := time.Now()
	code := Main(ctx, args, &out, &errb)
	if el := time.Since(start); code != 0 || el > 2*time.Second {
		t.Errorf("case REF status while the daemon holds the write lock: exit %d after %s: %s", code, el.Round(time.Millisecond), strings.TrimSpace(errb.String()))
	}
	if strings.Contains(out.String(), "QQ") {
		t.Errorf("case REF status shows a change not committed:\n%s", out.String())
	}
}

// A read command never migrates the store: a newer csprbot's `cases` upgraded a store
// from schema 80 to 100 while an older daemon might have been running on it. A store at
// an older schema is refused with what upgrades it, and left as it was (no upgrade, no
// copy); a newer one is refused as before.
func TestReadCommandsNeverMigrate(t *testing.T) {
	for _, tc := range []struct {
		name    string
		version int
		words   string
	}{
		{"older", tracker.SchemaVersion() - 20, fmt.Sprintf("is at schema %d; this csprbot reads schema %d only; the daemon (`csprbot run`) of this csprbot upgrades it", tracker.SchemaVersion()-20, tracker.SchemaVersion())},
		{"newer", tracker.SchemaVersion() + 1, "run the newer csprbot"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfgPath := populatedStore(t)
			cfg, err := loadConfig(cfgPath)
			if err != nil {
				t.Fatal(err)
			}
			func() {
				db, err := sql.Open("sqlite", tracker.DSN(cfg.Store.Path))
				if err != nil {
					t.Fatal(err)
				}
				defer db.Close()
				if _, err := db.Exec(fmt.Sprintf(`PRAGMA user_version = %d`, tc.version)); err != nil {
					t.Fatal(err)
				}
			}()
			for _, args := range readCommands {
				if code, _, errs := runRead(cfgPath, args); code != 1 || !strings.Contains(errs, tc.words) {
					t.Errorf("csprbot %s on a store at schema %d = exit %d: %s; want exit 1 saying %q", strings.Join(args, " "), tc.version, code, errs, tc.words)
				}
			}
			if v, err := tracker.StoreVersion(context.Background(), cfg.Store.Path); err != nil || v != tc.version {
				t.Errorf("after the read commands the store is at schema %d (%v), want %d", v, err, tc.version)
			}
			if bak, _ := filepath.Glob(cfg.Store.Path + ".schema-*"); len(bak) > 0 {
				t.Errorf("a read command copied the store to upgrade it: %v", bak)
			}
		})
	}
}

// The email templates are built only by a command that renders mail: with templates.dir
// naming a folder that is not there, cases and case REF work, and digest says what is
// wrong.
func TestReadCommandsBuildTemplatesOnlyForMail(t *testing.T) {
	cfgPath := populatedStore(t)
	b, err := os.ReadFile(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(t.TempDir(), "no-such-templates")
	if err := os.WriteFile(cfgPath, append(b, []byte(fmt.Sprintf("\n[templates]\ndir = %q\n", missing))...), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"cases"}, {"cases", "--json"}, {"case", "LSCP-2026-001"}, {"case", "LSCP-2026-001", "status"}} {
		if code, _, errs := runRead(cfgPath, args); code != 0 {
			t.Errorf("csprbot %s with templates.dir missing = exit %d: %s", strings.Join(args, " "), code, errs)
		}
	}
	if code, _, errs := runRead(cfgPath, []string{"digest"}); code != 2 || !strings.Contains(errs, "templates.dir") {
		t.Errorf("csprbot digest with templates.dir missing = exit %d: %s; want exit 2 naming templates.dir", code, errs)
	}
}
