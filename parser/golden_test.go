package parser

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// corpusFiles lists the documents of testdata/ that have an expectation beside them
// (NAME.json or NAME.err).
func corpusFiles(t testing.TB) []string {
	t.Helper()
	ents, err := os.ReadDir("testdata")
	if err != nil {
		t.Skip("no testdata")
	}
	var out []string
	for _, e := range ents {
		name := e.Name()
		ext := filepath.Ext(name)
		if e.IsDir() || ext == ".json" || ext == ".err" || ext == ".password" || ext == ".md" {
			continue
		}
		base := strings.TrimSuffix(name, ext)
		for _, want := range []string{".json", ".err"} {
			if _, err := os.Stat(filepath.Join("testdata", base+want)); err == nil {
				out = append(out, name)
				break
			}
		}
	}
	sort.Strings(out)
	return out
}

// parseFile reads a corpus file the way `csprbot parse` does.
func parseFile(path string, data []byte, passwords []string) (*Form, error) {
	return Parse(filepath.Base(path), data, Options{Passwords: passwords})
}

func TestGoldenCorpus(t *testing.T) {
	files := corpusFiles(t)
	if len(files) == 0 {
		t.Skip("corpus not generated yet")
	}
	for _, name := range files {
		t.Run(name, func(t *testing.T) {
			base := strings.TrimSuffix(name, filepath.Ext(name))
			data, err := os.ReadFile(filepath.Join("testdata", name))
			if err != nil {
				t.Fatal(err)
			}
			var pw []string
			if b, err := os.ReadFile(filepath.Join("testdata", base+".password")); err == nil {
				pw = []string{strings.TrimSpace(string(b))}
			}
			got, perr := parseFile(name, data, pw)
			if want, err := os.ReadFile(filepath.Join("testdata", base+".err")); err == nil {
				phrase := strings.TrimSpace(string(want))
				if perr == nil {
					t.Fatalf("Parse(%s) succeeded (kind %s), want an error containing %q", name, got.Kind, phrase)
				}
				if !strings.Contains(strings.ToLower(perr.Error()), strings.ToLower(phrase)) {
					t.Fatalf("Parse(%s) error = %q, want it to contain %q", name, perr, phrase)
				}
				if !errors.Is(perr, ErrCorrupt) && !errors.Is(perr, ErrEncrypted) && !errors.Is(perr, ErrUnsupported) && !errors.Is(perr, ErrTooLarge) {
					t.Errorf("error %q wraps none of the package's errors", perr)
				}
				return
			}
			raw, err := os.ReadFile(filepath.Join("testdata", base+".json"))
			if err != nil {
				t.Fatal(err)
			}
			var want Form
			if err := json.Unmarshal(raw, &want); err != nil {
				t.Fatalf("bad %s.json: %v", base, err)
			}
			if perr != nil {
				t.Fatalf("Parse(%s): %v", name, perr)
			}
			if got.File != want.File {
				t.Errorf("file = %q, want %q", got.File, want.File)
			}
			if got.CaseRef != want.CaseRef {
				t.Errorf("case_ref = %q, want %q", got.CaseRef, want.CaseRef)
			}
			tables := want.Tables
			if tables == nil {
				tables = map[string][]map[string]string{}
			}
			fields := want.Fields
			if fields == nil {
				fields = map[string]string{}
			}
			checkForm(t, got, want.Kind, fields, tables)
			if len(want.Warnings) > 0 && len(got.Warnings) == 0 {
				t.Errorf("no warnings, want some like %q", want.Warnings)
			}
		})
	}
}
