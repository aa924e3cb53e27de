package tracker

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestBackupAndCheck(t *testing.T) {
	ctx := context.Background()
	clock := &testClock{}
	clock.Set("2026-12-07T10:15:00Z")
	tr := newTestTracker(t, clock)
	if _, err := tr.Ingest(ctx, referralIncoming("r1@example.org", 1, "2026-12-07T10:15:00Z")); err != nil {
		t.Fatal(err)
	}
	dest := filepath.Join(t.TempDir(), "copies", "one.db")
	if err := tr.Store.Backup(ctx, dest); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(dest)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("backup mode = %v, want 0600", fi.Mode().Perm())
	}
	if err := tr.Store.Backup(ctx, dest); err == nil {
		t.Error("a second backup over an existing file succeeded")
	}
	rep, err := CheckBackup(ctx, dest)
	if err != nil {
		t.Fatal(err)
	}
	if !rep.OK() || rep.SchemaVersion != SchemaVersion() {
		t.Errorf("CheckBackup = %+v, want ok at schema %d", rep, SchemaVersion())
	}
	counts := map[string]int64{}
	for _, c := range rep.Counts {
		counts[c.Table] = c.Rows
	}
	if counts["cases"] != 1 || counts["messages"] != 1 || counts["outbox"] == 0 {
		t.Errorf("counts = %v, want 1 case, 1 message, some outbox", counts)
	}
	// Nothing was written beside the copy (no WAL, no journal): read-only.
	if matches, _ := filepath.Glob(dest + "-*"); len(matches) != 0 {
		t.Errorf("restore-test left files beside the copy: %v", matches)
	}
	// A damaged copy is reported, not trusted.
	raw, _ := os.ReadFile(dest)
	bad := filepath.Join(filepath.Dir(dest), "bad.db")
	os.WriteFile(bad, raw[:len(raw)/2], 0o600)
	if rep, err := CheckBackup(ctx, bad); err == nil && rep.OK() {
		t.Errorf("CheckBackup of a truncated copy = %+v, want a failure", rep)
	}
}

func TestOlderBinaryRefusesNewerStore(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "csprbot.db")
	st, err := Open(ctx, path, time.Now, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.DB().Exec(`PRAGMA user_version = 9999`); err != nil {
		t.Fatal(err)
	}
	st.Close()
	_, err = Open(ctx, path, time.Now, nil)
	if !errors.Is(err, ErrNewerStore) || !strings.Contains(err.Error(), "9999") {
		t.Errorf("Open of a store at schema 9999 = %v, want ErrNewerStore naming the version", err)
	}
	// It can still be backed up (read-only: nothing migrated), and the copy says why it
	// would not restore under this binary.
	dest := filepath.Join(t.TempDir(), "copy.db")
	if err := BackupFile(ctx, path, dest); err != nil {
		t.Fatal(err)
	}
	if v, _ := StoreVersion(ctx, path); v != 9999 {
		t.Errorf("backing up changed the store's schema to %d", v)
	}
	if rep, err := CheckBackup(ctx, dest); err != nil || rep.OK() || rep.SchemaVersion != 9999 {
		t.Errorf("CheckBackup of a newer store's copy = %+v, %v; want schema 9999, not OK", rep, err)
	}
}

func TestPruneBackups(t *testing.T) {
	dir := t.TempDir()
	for _, n := range []string{"csprbot-2026-12-01.db", "csprbot-2026-12-03.db", "csprbot-2026-12-02.db", "csprbot-2026-12-04.db", "other.db", "csprbot-latest.db"} {
		os.WriteFile(filepath.Join(dir, n), []byte("x"), 0o600)
	}
	removed, err := PruneBackups(dir, 2)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range removed {
		got = append(got, filepath.Base(r))
	}
	if strings.Join(got, ",") != "csprbot-2026-12-01.db,csprbot-2026-12-02.db" {
		t.Errorf("removed %v, want the two oldest nightly copies only", got)
	}
}

func TestBackupFailedTellsStaff(t *testing.T) {
	ctx := context.Background()
	clock := &testClock{}
	clock.Set("2026-12-08T02:00:00Z")
	tr := newTestTracker(t, clock)
	if err := tr.BackupFailed(ctx, errors.New("disk full")); err != nil {
		t.Fatal(err)
	}
	var n int
	tr.DB().QueryRow(`SELECT count(*) FROM outbox WHERE kind = ? AND recipients LIKE '%strategic.lead@lewisham.gov.uk%'`, TmplStaffAttention).Scan(&n)
	if n != 1 {
		t.Errorf("staff notices = %d, want 1", n)
	}
}

// Upgrading an existing store first copies it beside itself (the way back), then
// migrates it forward in one transaction.
func TestUpgradeKeepsACopyOfTheOldStore(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "old.db")
	db, err := sql.Open("sqlite", DSN(path))
	if err != nil {
		t.Fatal(err)
	}
	first, _ := migrations.ReadFile("migrations/001_init.sql")
	if _, err := db.Exec(string(first)); err != nil {
		t.Fatal(err)
	}
	db.Exec(`PRAGMA user_version = 1`)
	db.Exec(`INSERT INTO cases(ref, year, seq, stage, referral_received, created_at) VALUES ('LSCP-2026-001', 2026, 1, 'scoping', '2026-12-07T10:15:00Z', '2026-12-07T10:15:00Z')`)
	db.Close()
	st, err := Open(ctx, path, time.Now, nil)
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	rep, err := CheckBackup(ctx, path+".schema-1.bak")
	if err != nil {
		t.Fatalf("no copy of the old store: %v", err)
	}
	if rep.SchemaVersion != 1 || rep.Integrity != "ok" || rep.Counts[0].Table != "cases" || rep.Counts[0].Rows != 1 {
		t.Errorf("copy = %+v, want schema 1 with its case", rep)
	}
	if fi, _ := os.Stat(path + ".schema-1.bak"); fi.Mode().Perm() != 0o600 {
		t.Errorf("copy mode = %v", fi.Mode().Perm())
	}
	if v, err := StoreVersion(ctx, path); err != nil || v != SchemaVersion() {
		t.Errorf("upgraded store at schema %d (%v), want %d", v, err, SchemaVersion())
	}
	// A fresh store has nothing to keep.
	fresh := filepath.Join(t.TempDir(), "new.db")
	st, err = Open(ctx, fresh, time.Now, nil)
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	if m, _ := filepath.Glob(fresh + ".schema-*"); len(m) != 0 {
		t.Errorf("a new store made copies: %v", m)
	}
}
