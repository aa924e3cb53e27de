package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRunParse(t *testing.T) {
	dir := t.TempDir()
	body := filepath.Join(dir, "reply.txt")
	os.WriteFile(body, []byte("Dear LSCP,\nRe LSCP-2026-003: this child is not known to our service.\n"), 0o644)
	broken := filepath.Join(dir, "broken.docx")
	os.WriteFile(broken, []byte("PK\x03\x04 not really a zip"), 0o644)
	cfg := filepath.Join(dir, "c.toml")
	os.WriteFile(cfg, []byte("[parser]\npasswords = [\"a\", \"b\"]\n"), 0o644)

	var out, errb bytes.Buffer
	code := runParse([]string{"--password", "x", body, "--config", cfg, broken, filepath.Join(dir, "missing.pdf")}, &out, &errb)
	if code != 2 {
		t.Errorf("exit = %d, want 2", code)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 1 {
		t.Fatalf("stdout = %q, want one JSON line", out.String())
	}
	var got map[string]any
	if err := json.Unmarshal([]byte(lines[0]), &got); err != nil {
		t.Fatal(err)
	}
	if got["file"] != "reply.txt" || got["kind"] != "scoping_return" || got["case_ref"] != "LSCP-2026-003" {
		t.Errorf("parse line = %s", lines[0])
	}
	for _, key := range []string{"fields", "tables", "warnings"} {
		if _, ok := got[key]; !ok {
			t.Errorf("parse line lacks %q: %s", key, lines[0])
		}
	}
	errs := strings.Split(strings.TrimSpace(errb.String()), "\n")
	if len(errs) != 2 || !strings.HasPrefix(errs[0], "error: broken.docx: ") || !strings.HasPrefix(errs[1], "error: missing.pdf: ") {
		t.Errorf("stderr = %q, want one error line per bad file", errb.String())
	}

	out.Reset()
	errb.Reset()
	if code := runParse([]string{body}, &out, &errb); code != 0 || errb.Len() != 0 {
		t.Errorf("runParse(good) = %d, stderr %q", code, errb.String())
	}
	if code := runParse(nil, &out, &errb); code != 2 {
		t.Errorf("runParse() = %d, want 2 (usage)", code)
	}
}
