package main

import (
	"bytes"
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lewisham-lscp/csprbot/tracker"
)

// A file at the store's path that is not a csprbot store (empty, not SQLite, another
// program's SQLite database) is never used as one, nor written: every command exits 2
// with one line; `csprbot init` makes a store in an empty file only, and refuses the rest.
func TestNotAStoreIsNeverUsed(t *testing.T) {
	for _, c := range []struct {
		name    string
		make    func(path string)
		initOK  bool
		message string
	}{
		{"empty", func(p string) { os.WriteFile(p, nil, 0o600) }, true, "empty file"},
		{"text", func(p string) {
			os.WriteFile(p, []byte("not a database at all, but long enough to have a header of sorts\n"), 0o600)
		}, false, "not a csprbot store"},
		{"other sqlite", func(p string) {
			db, err := sql.Open("sqlite", tracker.DSN(p))
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if _, err := db.Exec(`CREATE TABLE notes(x); INSERT INTO notes VALUES (1)`); err != nil {
				t.Fatal(err)
			}
		}, false, "did not make"},
	} {
		t.Run(c.name, func(t *testing.T) {
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
			if err := os.MkdirAll(filepath.Dir(store), 0o700); err != nil {
				t.Fatal(err)
			}
			c.make(store)
			before, _ := os.ReadFile(store)
			main := func(args ...string) (int, string, string) {
				var out, errb bytes.Buffer
				code := Main(context.Background(), append(args, "--config", cfg), &out, &errb)
				return code, out.String(), errb.String()
			}
			for _, args := range [][]string{{"run", "--once", "--now", "2026-12-07T10:00:00Z"}, {"cases"}, {"digest"}, {"outbox"}, {"backup", filepath.Join(e.dir, "b.db")}} {
				code, _, stderr := main(args...)
				if code != 2 || !strings.Contains(stderr, c.message) || strings.Count(strings.TrimSpace(stderr), "\n") != 0 {
					t.Errorf("csprbot %s on a store file that is %s: exit %d, stderr %q; want exit 2 and one line saying %q", strings.Join(args, " "), c.name, code, stderr, c.message)
				}
				if after, _ := os.ReadFile(store); !bytes.Equal(after, before) {
					t.Fatalf("csprbot %s wrote into a store file that is %s", strings.Join(args, " "), c.name)
				}
			}
			code, out, stderr := main("init")
			if c.initOK {
				if code != 0 || !strings.Contains(out, "was empty") {
					t.Fatalf("csprbot init on an empty file = exit %d, %q %q; want 0, saying so", code, out, stderr)
				}
				if err := tracker.ProbeStore(context.Background(), store); err != nil {
					t.Errorf("after csprbot init: %v", err)
				}
				if code, _, stderr := main("cases"); code != 0 {
					t.Errorf("csprbot cases after init = exit %d, %s", code, stderr)
				}
				return
			}
			if code != 2 {
				t.Errorf("csprbot init on a file that is %s = exit %d, %q %q; want 2", c.name, code, out, stderr)
			}
			if after, _ := os.ReadFile(store); !bytes.Equal(after, before) {
				t.Errorf("csprbot init wrote into a file that is %s", c.name)
			}
		})
	}
}
