package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Issue 8.8: the store is where we think it is. Commands other than `csprbot init` (and
// `run`/`demo` on the embedded default) never create a store where a configuration names
// one; the daemon stops when its store file is deleted or replaced under it.

func TestCommandsNeverCreateAStoreSilently(t *testing.T) {
	e := newE2E(t)
	b, err := os.ReadFile(e.cfg)
	if err != nil {
		t.Fatal(err)
	}
	cfg := filepath.Join(e.dir, "elsewhere.toml")
	if err := os.WriteFile(cfg, []byte(strings.Replace(string(b), `path = "data/csprbot.db"`, `path = "elsewhere/csprbot.db"`, 1)), 0o600); err != nil {
		t.Fatal(err)
	}
	store := filepath.Join(e.dir, "elsewhere", "csprbot.db")
	main := func(args ...string) (int, string, string) {
		var out, errb bytes.Buffer
		code := Main(context.Background(), append(args, "--config", cfg), &out, &errb)
		return code, out.String(), errb.String()
	}
	for _, args := range [][]string{{"cases"}, {"cases", "--json"}, {"digest"}, {"outbox"},
		{"case", "LSCP-2026-001"}, {"case", "LSCP-2026-001", "scoping"}, {"release", "x@y"}} {
		code, _, stderr := main(args...)
		if code != 2 || !strings.Contains(stderr, "csprbot init --config "+cfg) || strings.Count(strings.TrimSpace(stderr), "\n") != 0 {
			t.Errorf("csprbot %s without a store: exit %d, stderr %q; want exit 2 and one line pointing at csprbot init", strings.Join(args, " "), code, stderr)
		}
		if _, err := os.Stat(store); err == nil {
			t.Fatalf("csprbot %s created a store at %s", strings.Join(args, " "), store)
		}
	}
	// `run --config` on a first installation (no store, and no trace that one was ever
	// here) creates its store, as cli.md's `csprbot run --config FILE` promises; once a
	// store has been here, its loss is noticed: run refuses, pointing at a backup or init.
	if code, _, stderr := main("run", "--once", "--now", "2026-12-07T10:00:00Z"); code != 0 {
		t.Fatalf("csprbot run --once on a first installation = exit %d, %s; want 0 (a new store)", code, stderr)
	}
	if _, err := os.Stat(store); err != nil {
		t.Fatalf("after the first run: %v", err)
	}
	for _, f := range []string{store, store + "-wal", store + "-shm"} {
		os.Remove(f)
	}
	code, _, stderr := main("run", "--once", "--now", "2026-12-07T10:05:00Z")
	if code != 2 || !strings.Contains(stderr, "csprbot init --config "+cfg) || strings.Count(strings.TrimSpace(stderr), "\n") != 0 {
		t.Errorf("csprbot run after its store was deleted: exit %d, stderr %q; want exit 2 and one line", code, stderr)
	}
	if _, err := os.Stat(store); err == nil {
		t.Fatalf("csprbot run created a new store where one had been deleted")
	}
	if code, out, stderr := main("init"); code != 0 || !strings.Contains(out, store) {
		t.Fatalf("csprbot init = exit %d, stdout %q, stderr %q; want 0 naming the store", code, out, stderr)
	}
	if _, err := os.Stat(store); err != nil {
		t.Fatalf("after csprbot init: %v", err)
	}
	if code, out, _ := main("init"); code != 0 || !strings.Contains(out, "already exists") {
		t.Errorf("csprbot init a second time = exit %d, %q; want 0 and 'already exists'", code, out)
	}
	for _, args := range [][]string{{"cases"}, {"run", "--once", "--now", "2026-12-07T10:00:00Z"}} {
		if code, _, stderr := main(args...); code != 0 {
			t.Errorf("csprbot %s after init = exit %d, %s", strings.Join(args, " "), code, stderr)
		}
	}
}

func TestDaemonStopsWhenItsStoreFileGoes(t *testing.T) {
	if testing.Short() {
		t.Skip("daemon test in -short")
	}
	for _, how := range []string{"deleted", "replaced"} {
		t.Run(how, func(t *testing.T) {
			e := newE2E(t)
			e.rewriteConfig(fastIMAP)
			d := startMain(t, "run", "--config", e.cfg, "--now", "2026-12-07T10:15:00Z")
			eventually(t, 5*time.Second, "the daemon watches the mailbox", func() (bool, string) {
				return d.log.count("imap: watching mailbox") == 1, d.log.String()
			})
			first := e.deliverRaw(triageMail(1), time.Date(2026, 12, 7, 10, 15, 0, 0, time.UTC))
			db := openStore(t, e.dbPath())
			recordedAndSeen(t, e, db, 8*time.Second, first)
			eventually(t, 8*time.Second, "the staff notice about it is sent", func() (bool, string) {
				q := queryInt(db, `SELECT count(*) FROM outbox WHERE status IN ('queued', 'sending')`)
				return q == 0 && len(e.smtp.Messages()) > 0, d.log.String()
			})
			db.Close()

			path := e.dbPath()
			switch how {
			case "deleted":
				if err := os.Remove(path); err != nil {
					t.Fatal(err)
				}
			case "replaced":
				copyFile(t, path, path+".new")
				if err := os.Rename(path+".new", path); err != nil {
					t.Fatal(err)
				}
			}
			sentBefore := len(e.smtp.Messages())
			second := e.deliverRaw(triageMail(2), time.Date(2026, 12, 7, 10, 16, 0, 0, time.UTC))
			var code int
			select {
			case code = <-d.done:
				d.cancel()
				d.cancel = nil // stopped by itself, as it should: nothing for Cleanup to stop
			case <-time.After(15 * time.Second):
				t.Fatalf("the daemon is still running 15 s after its store file was %s; log:\n%s", how, d.log.String())
			}
			log := d.log.String()
			if code != 1 || !strings.Contains(log, "the store file was deleted or replaced") || !strings.Contains(log, how) {
				t.Errorf("daemon exit %d; want 1 with an error saying the store was %s; log:\n%s", code, how, log)
			}
			if _, seen := e.seen(second); seen {
				t.Errorf("the message that came after the store was %s is marked \\Seen: it was taken in by a store nobody will read", how)
			}
			if n := len(e.smtp.Messages()); n != sentBefore {
				t.Errorf("%d emails sent after the store was %s, want none", n-sentBefore, how)
			}
		})
	}
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	in, err := os.Open(from)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	out, err := os.OpenFile(to, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
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
