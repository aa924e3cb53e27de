package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lewisham-lscp/csprbot/tracker"
)

// A backup taken while the daemon takes in referrals and sends what they cause is
// consistent (every copy checks), and one taken once the daemon has caught up, still
// running, restores to a store that `csprbot cases` reads exactly as it reads the live one.
func TestBackupWhileDaemonRuns(t *testing.T) {
	e := newE2E(t)
	const now = "2026-12-07T12:00:00Z"
	d := startMain(t, "run", "--config", e.cfg, "--now", now)
	at := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
	referrers := []string{"safeguarding@lgt-nhs.example", "education.safeguarding@lewisham.gov.uk"}
	const n = 6
	dir := t.TempDir()
	var copies []string
	for i := range n {
		e.deliverRaw(demoMail{from: referrers[i%2], subject: "Referral for a Child Safeguarding Practice Review",
			body: "Please find attached a referral.", attachName: "referral.docx", attach: referralFor("")}, at)
		dest := filepath.Join(dir, fmt.Sprintf("during-%d.db", i))
		if code, out, errs := runMain("backup", dest, "--config", e.cfg); code != 0 {
			t.Fatalf("backup while running = exit %d\n%s%s", code, out, errs)
		}
		copies = append(copies, dest)
	}
	db := openStore(t, e.dbPath())
	eventually(t, 30*time.Second, "every referral recorded and its mail sent", func() (bool, string) {
		cases := queryInt(db, `SELECT count(*) FROM cases`)
		queued := queryInt(db, `SELECT count(*) FROM outbox WHERE status = 'queued'`)
		return cases == n && queued == 0, fmt.Sprintf("%d cases, %d queued", cases, queued)
	})
	final := filepath.Join(dir, "final.db")
	if code, out, errs := runMain("backup", final, "--config", e.cfg); code != 0 {
		t.Fatalf("backup = exit %d\n%s%s", code, out, errs)
	}
	copies = append(copies, final)
	for _, c := range copies {
		code, out, errs := runMain("restore-test", c)
		if code != 0 || !strings.Contains(out, "integrity: ok") || !strings.Contains(out, "restorable") {
			t.Errorf("restore-test %s = exit %d\n%s%s", filepath.Base(c), code, out, errs)
		}
		if fi, err := os.Stat(c); err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: mode %v, %v; want owner-only", c, fi.Mode().Perm(), err)
		}
	}
	_, out, _ := runMain("restore-test", final)
	if !strings.Contains(out, fmt.Sprintf("cases          %d", n)) {
		t.Errorf("restore-test of the final copy:\n%s\nwant %d cases", out, n)
	}
	_, live, _ := runMain("cases", "--json", "--config", e.cfg, "--now", now)
	d.stop(t)

	// Restore: the copy in place of the store, under a configuration naming it.
	restored := filepath.Join(t.TempDir(), "restored.db")
	raw, err := os.ReadFile(final)
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(restored, raw, 0o600)
	cfg2 := filepath.Join(filepath.Dir(e.cfg), "restored.toml")
	body, _ := os.ReadFile(e.cfg)
	os.WriteFile(cfg2, []byte(strings.Replace(string(body), `path = "data/csprbot.db"`, `path = "`+restored+`"`, 1)), 0o600)
	code, fromCopy, errs := runMain("cases", "--json", "--config", cfg2, "--now", now)
	if code != 0 {
		t.Fatalf("cases on the restored copy = exit %d: %s", code, errs)
	}
	if fromCopy != live || !strings.Contains(live, "LSCP-2026-00") {
		t.Errorf("cases --json differs between the live store and the restored copy:\nlive:\n%s\ncopy:\n%s", live, fromCopy)
	}
	if code, _, errs := runMain("backup", final, "--config", e.cfg); code != 2 || !strings.Contains(errs, "already exists") {
		t.Errorf("backup over an existing file = exit %d %q, want 2", code, errs)
	}
}

// The nightly backup: taken once a day from backup.hour (London), the oldest beyond
// backup.keep removed; a failure is logged and staff are told once that day.
func TestNightlyBackup(t *testing.T) {
	e := newE2E(t)
	bdir := filepath.Join(e.dir, "backups")
	e.rewriteConfig(func(c string) string { return c + "\n[backup]\ndir = \"backups\"\nkeep = 2\nhour = 2\n" })
	cfg, _, err := loadAppConfig(e.cfg, "")
	if err != nil {
		t.Fatal(err)
	}
	clock := &simClock{}
	clock.Set(time.Date(2026, 12, 7, 1, 30, 0, 0, time.UTC))
	a, err := openApp(context.Background(), cfg, false, clock.Now, newLogger(&syncBuffer{}, "warn"))
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	n := newNightly(a)
	ctx := context.Background()
	files := func() []string {
		es, _ := os.ReadDir(bdir)
		var out []string
		for _, e := range es {
			out = append(out, e.Name())
		}
		return out
	}
	if err := n.due(ctx); err != nil || len(files()) != 0 {
		t.Fatalf("before 02:00: %v, files %v; want nothing", err, files())
	}
	for day := 7; day <= 10; day++ {
		clock.Set(time.Date(2026, 12, day, 2, 5, 0, 0, time.UTC))
		if err := n.due(ctx); err != nil {
			t.Fatalf("day %d: %v", day, err)
		}
		if err := n.due(ctx); err != nil { // once a day
			t.Fatalf("day %d again: %v", day, err)
		}
	}
	if got := strings.Join(files(), ","); got != "csprbot-2026-12-09.db,csprbot-2026-12-10.db" {
		t.Errorf("backups kept = %s, want the last two days", got)
	}
	// Failure: the folder becomes a file.
	os.RemoveAll(bdir)
	os.WriteFile(bdir, []byte("not a folder"), 0o600)
	clock.Set(time.Date(2026, 12, 11, 2, 5, 0, 0, time.UTC))
	if err := n.due(ctx); err == nil {
		t.Fatal("a backup into a file that is not a folder succeeded")
	}
	clock.Set(time.Date(2026, 12, 11, 3, 10, 0, 0, time.UTC))
	if err := n.due(ctx); err == nil {
		t.Fatal("the retry an hour later succeeded")
	}
	db := openStore(t, e.dbPath())
	if got := queryInt(db, `SELECT count(*) FROM outbox WHERE kind = ?`, tracker.TmplStaffAttention); got != 1 {
		t.Errorf("staff notices of the failed backup = %d, want 1 (once a day)", got)
	}
	if got := queryInt(db, `SELECT count(*) FROM audit WHERE event = 'backup_failed'`); got != 1 {
		t.Errorf("audited failures = %d, want 1", got)
	}
}
