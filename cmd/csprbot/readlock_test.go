package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lewisham-lscp/csprbot/tracker"
)

// TestReadCommandsTakeNoWriteLock holds the store's write lock from another connection,
// with a change not yet committed, and runs the read commands: each answers at once, with
// what was last committed (the populated store's golden output), as under WAL it must.
// case REF status's golden is written here (-update).
func TestReadCommandsTakeNoWriteLock(t *testing.T) {
	cfgPath := populatedStore(t)
	cfg, err := loadConfig(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	db := openStore(t, cfg.Store.Path)
	tx, err := db.BeginTx(ctx, nil) // BEGIN IMMEDIATE: the DSN's _txlock
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `UPDATE cases SET child_initials = 'QQ', stage = 'closed' WHERE ref = 'LSCP-2026-001'`); err != nil {
		t.Fatal(err)
	}
	// The lock is really held: a second writer cannot get it.
	other, err := tracker.Open(ctx, cfg.Store.Path, time.Now, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	short, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
	if w, err := other.DB().BeginTx(short, nil); err == nil {
		w.Rollback()
		cancel()
		t.Fatal("a second BEGIN IMMEDIATE got the write lock: the test holds nothing")
	}
	cancel()

	const now = "2026-12-21T09:00:00Z"
	for _, tc := range []struct {
		golden string
		args   []string
	}{
		{"cases", []string{"cases"}},
		{"cases_json", []string{"cases", "--json"}},
		{"case_001", []string{"case", "LSCP-2026-001"}},
		{"case_001_json", []string{"case", "LSCP-2026-001", "--json"}},
		{"case_001_status", []string{"case", "LSCP-2026-001", "status"}},
		{"digest", []string{"digest"}},
		{"digest_html", []string{"digest", "--html"}},
	} {
		t.Run(tc.golden, func(t *testing.T) {
			// A command that wanted the write lock would wait for it (busy_timeout, 5 s)
			// and then fail.
			var out, errb bytes.Buffer
			args := append(append([]string{}, tc.args...), "--config", cfgPath, "--now", now)
			if code := Main(ctx, args, &out, &errb); code != 0 {
				t.Fatalf("csprbot %s while another connection holds the write lock = exit %d: %s", strings.Join(args, " "), code, errb.String())
			}
			path := filepath.Join("testdata", "queries", tc.golden+".golden")
			if *updateGolden && tc.golden == "case_001_status" { // TestQueryOutputGolden writes the others
				if err := os.WriteFile(path, out.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if out.String() != string(want) {
				t.Errorf("csprbot %s did not show the last committed state; got:\n%s", strings.Join(tc.args, " "), out.String())
			}
		})
	}
}
