//go:build reader11

// Second reader, issue 11: routes that break the intake's promises about spooling.
// Each test here fails on the code as it stands; run with
//   go test -tags reader11 -run Reader11 ./cmd/csprbot

package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Read-only commands on a store whose filesystem is mounted read-only (a copy on
// read-only media, a snapshot): `cases` opens the store for writing (O_CREATE|O_RDWR on
// the store and its -wal/-shm, migrations, the trace file) and fails.
func TestReader11ReadCommandsOnReadOnlyFilesystem(t *testing.T) {
	cfgPath := populatedStore(t)
	cfg, err := loadConfig(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Dir(cfg.Store.Path)
	// Move the store's folder onto a tmpfs, then make that read-only.
	ro := filepath.Join(t.TempDir(), "ro")
	mountTmpfs(t, ro, "64m")
	if out, err := exec.Command("cp", "-a", dir+"/.", ro).CombinedOutput(); err != nil {
		t.Fatalf("cp: %v %s", err, out)
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
	for _, args := range [][]string{{"cases"}, {"cases", "--json"}, {"case", "LSCP-2026-001"}, {"digest"}} {
		var out, errb bytes.Buffer
		a := append(append([]string{}, args...), "--config", cfgPath, "--now", "2026-12-21T09:00:00Z")
		if code := Main(context.Background(), a, &out, &errb); code != 0 {
			t.Errorf("csprbot %s on a read-only filesystem = exit %d: %s", strings.Join(args, " "), code, strings.TrimSpace(errb.String()))
		}
	}
}

// `csprbot case REF status` is one of the read-only commands (issue 11: they never take
// the write lock, so the daemon never waits for a report). It runs through onCase, whose
// t.tx is BEGIN IMMEDIATE on the main handle: with the daemon holding the write lock
// (a long intake transaction) it waits busy_timeout and fails; while it runs, the
// daemon waits for it. TestReadCommandsTakeNoWriteLock does not try it.
func TestReader11CaseStatusTakesTheWriteLock(t *testing.T) {
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
}
