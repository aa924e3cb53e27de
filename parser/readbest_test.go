package parser

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

// sameForm fails unless the fast path (readBest walking only the readings that
// could win) and the full one (every reading walked) give byte-identical output
// and the same error.
func sameForm(t *testing.T, what string, fast, full *Form, fastErr, fullErr error) {
	t.Helper()
	if (fastErr == nil) != (fullErr == nil) || fastErr != nil && fastErr.Error() != fullErr.Error() {
		t.Fatalf("%s: error %v, full path %v", what, fastErr, fullErr)
	}
	a, err := json.Marshal(fast)
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(full)
	if err != nil {
		t.Fatal(err)
	}
	if string(a) != string(b) {
		t.Fatalf("%s:\n fast %s\n full %s", what, a, b)
	}
}

// testdataFiles lists every file under testdata/ but the expectations and the
// generator's scripts, with the password that opens it when one is kept beside it.
func testdataFiles(t *testing.T) map[string][]string {
	out := map[string][]string{}
	err := filepath.WalkDir("testdata", func(p string, e os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if e.IsDir() {
			if e.Name() == "gen" {
				return filepath.SkipDir
			}
			return nil
		}
		switch filepath.Ext(p) {
		case ".json", ".err", ".password", ".md", ".py", ".sh", ".js":
			return nil
		}
		pw := []string{"secret", fixturePassword}
		if b, err := os.ReadFile(strings.TrimSuffix(p, filepath.Ext(p)) + ".password"); err == nil {
			pw = append(pw, strings.TrimSpace(string(b)))
		}
		out[p] = pw
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(out) == 0 {
		t.Skip("no testdata")
	}
	return out
}

// TestReadBestAsReadAll: Parse and ParseBody read every file of testdata/ (the
// generated corpus, the format fixtures, the fuzz seeds) exactly as they did
// when every kind of form was walked, and so do a body of each text file and
// pieces of each document (its first and last blocks, read also as a body), whose
// scores differ from the whole's. Each reading scores at most its maxScore.
func TestReadBestAsReadAll(t *testing.T) {
	files := testdataFiles(t)
	n := 0
	for p, pw := range files {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		name := filepath.Base(p)
		fast, ferr := Parse(name, data, Options{Passwords: pw})
		full, uerr := Parse(name, data, Options{Passwords: pw, readAll: true})
		sameForm(t, p, fast, full, ferr, uerr)
		n++
		switch filepath.Ext(p) {
		case ".txt":
			sameForm(t, p+" as a body", parseBody(string(data), "", false), parseBody(string(data), "", true), nil, nil)
		case ".html":
			sameForm(t, p+" as an HTML body", parseBody("", string(data), false), parseBody("", string(data), true), nil, nil)
		}
		if uerr != nil {
			continue
		}
		d, err := load(data, Options{Passwords: pw}, newBudget(Limits{}), 0)
		if err != nil {
			t.Fatalf("%s: load: %v", p, err)
		}
		for _, r := range d.read() {
			if r.score > r.m.maxScore {
				t.Errorf("%s read as %s scores %d, more than its maxScore %d", p, r.kind, r.score, r.m.maxScore)
			}
		}
		// the pieces share the blocks (and what the readings keep on them, which no
		// form changes)
		nb := len(d.blocks)
		for _, cut := range []int{1, 3, nb / 4, nb / 2, 3 * nb / 4, nb - 1} {
			if cut <= 0 || cut >= nb {
				continue
			}
			for _, body := range []bool{false, true} {
				for _, bs := range [][]block{d.blocks[:cut], d.blocks[cut:]} {
					var fs [2]*Form
					for i, all := range []bool{false, true} {
						piece := &doc{blocks: bs, extra: d.extra, notes: d.notes, norms: map[string]string{},
							qaDone: true, body: d.body || body, wrapped: d.wrapped, readAll: all}
						fs[i] = piece.extract()
					}
					sameForm(t, fmt.Sprintf("%s cut at %d of %d, body %v", p, cut, nb, body), fs[0], fs[1], nil, nil)
					n++
				}
			}
		}
	}
	t.Logf("%d files, %d documents and pieces read both ways", len(files), n)
}

// FuzzReadBest: the fast path reads what the full one does. Seeded from the
// fixtures (not the bombs: the budget stops them before any reading).
func FuzzReadBest(f *testing.F) {
	for _, dir := range []string{"testdata", filepath.Join("testdata", "formats")} {
		ents, _ := os.ReadDir(dir)
		for _, e := range ents {
			ext := filepath.Ext(e.Name())
			if e.IsDir() || ext == ".json" || ext == ".err" || ext == ".password" || ext == ".md" {
				continue
			}
			if data, err := os.ReadFile(filepath.Join(dir, e.Name())); err == nil && len(data) < 1<<20 {
				f.Add(data)
			}
		}
	}
	small := Limits{MaxText: 1 << 20, MaxUncompressed: 8 << 20, MaxBlocks: 20000, MaxNodes: 100000}
	f.Fuzz(func(t *testing.T, data []byte) {
		fast, ferr := Parse("fuzz", data, Options{Passwords: []string{"secret"}, Limits: small})
		full, uerr := Parse("fuzz", data, Options{Passwords: []string{"secret"}, Limits: small, readAll: true})
		sameForm(t, "input", fast, full, ferr, uerr)
		if utf8.Valid(data) && bytes.IndexByte(data, 0) < 0 { // text, not a package read as a body
			sameForm(t, "input as a body", ParseBody(string(data), ""), parseBody(string(data), "", true), nil, nil)
		}
	})
}

// titlesByContains is how titles were found before findTitles: each title of each
// form looked for in each line.
func titlesByContains(top []string) []int {
	out := make([]int, len(specs))
	for i, s := range specs {
		m := matcherFor(s.Kind)
		out[i] = -1
		for li, l := range top {
			for ti, t := range m.titles {
				if t != "" && (l == t || strings.Contains(" "+l+" ", m.padded[ti])) {
					out[i] = li
					break
				}
			}
			if out[i] >= 0 {
				break
			}
		}
	}
	return out
}

// TestFindTitles: findTitles finds what titlesByContains does in the top lines of
// every document of testdata/, in every run of titleLines of their lines, and in
// crafted lines.
func TestFindTitles(t *testing.T) {
	check := func(what string, top []string) {
		t.Helper()
		if got, want := findTitles(top), titlesByContains(top); !slices.Equal(got, want) {
			t.Errorf("%s: findTitles(%q) = %v, want %v", what, top, got, want)
		}
	}
	var crafted []string
	for _, s := range specs {
		for _, ti := range matcherFor(s.Kind).titles {
			crafted = append(crafted, ti, "form "+ti, ti+" form", "x "+ti+" y", ti+"s", "a"+ti, ti[:len(ti)/2], ti+" "+ti, "  "+ti+"  ", "x  "+ti)
		}
	}
	check("crafted", crafted)
	for i := range crafted {
		check("crafted", crafted[i:i+1])
	}
	for p, pw := range testdataFiles(t) {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		d, err := load(data, Options{Passwords: pw}, newBudget(Limits{}), 0)
		if err != nil {
			continue
		}
		check(p, d.topLines())
		var all []string
		var sb strings.Builder
		allText(d.blocks, &sb)
		for _, l := range strings.Split(sb.String(), "\n") {
			if n := d.norm(l); n != "" {
				all = append(all, n)
			}
		}
		for i := 0; i < len(all); i += titleLines / 2 {
			check(p, all[i:min(len(all), i+titleLines)])
		}
	}
}
