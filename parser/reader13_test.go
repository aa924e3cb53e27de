package parser

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// TestReader13ConcurrentFirstUse: many goroutines parse documents and bodies at once,
// in a process where nothing has compiled the matchers or the lazy regular expressions
// yet (run it alone, with -race: `go test -race -run '^TestReader13ConcurrentFirstUse$'
// ./parser`). Every goroutine gets what one parse alone gets.
func TestReader13ConcurrentFirstUse(t *testing.T) {
	var files []string
	for _, pat := range []string{"testdata/*.docx", "testdata/*.pdf", "testdata/*.odt", "testdata/*.txt", "testdata/*.html"} {
		m, _ := filepath.Glob(pat)
		files = append(files, m...)
	}
	if len(files) == 0 {
		t.Skip("no testdata")
	}
	if len(files) > 32 {
		var spread []string
		for i := range 32 {
			spread = append(spread, files[i*len(files)/32])
		}
		files = spread
	}
	datas := make([][]byte, len(files))
	for i, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		datas[i] = b
	}
	got := make([]string, len(files))
	var wg sync.WaitGroup
	for i := range files {
		wg.Go(func() {
			var s string
			if strings.HasSuffix(files[i], ".txt") {
				b, _ := json.Marshal(ParseBody(string(datas[i]), ""))
				s = string(b)
			} else {
				f, err := Parse(filepath.Base(files[i]), datas[i], Options{Passwords: []string{"secret", fixturePassword}})
				b, _ := json.Marshal(f)
				s = string(b)
				if err != nil {
					s += " " + err.Error()
				}
			}
			got[i] = s
		})
	}
	wg.Wait()
	for i, f := range files {
		var s string
		if strings.HasSuffix(f, ".txt") {
			b, _ := json.Marshal(ParseBody(string(datas[i]), ""))
			s = string(b)
		} else {
			ff, err := Parse(filepath.Base(f), datas[i], Options{Passwords: []string{"secret", fixturePassword}})
			b, _ := json.Marshal(ff)
			s = string(b)
			if err != nil {
				s += " " + err.Error()
			}
		}
		if s != got[i] {
			t.Errorf("%s: concurrent first use read\n %s\nalone\n %s", f, got[i], s)
		}
	}
}

// reader13Mutations: bodies made from the text fixtures: lines dropped, doubled, moved,
// another form's title (or a piece of another document) put at the top, two documents
// joined. The fast path and the full one must read each alike.
func reader13Mutations(t *testing.T, limit int) [][2]string {
	var texts []string
	for _, pat := range []string{"testdata/*.txt"} {
		m, _ := filepath.Glob(pat)
		for _, f := range m {
			b, err := os.ReadFile(f)
			if err == nil {
				texts = append(texts, string(b))
			}
		}
	}
	var titles []string
	for _, s := range specs {
		titles = append(titles, s.Title)
		titles = append(titles, s.TitleVariants...)
	}
	var out [][2]string
	add := func(s string) {
		if len(out) < limit {
			out = append(out, [2]string{s, ""})
		}
	}
	seed := uint64(13)
	rnd := func(n int) int {
		seed ^= seed << 13
		seed ^= seed >> 7
		seed ^= seed << 17
		return int(seed % uint64(n))
	}
	for round := 0; len(out) < limit && round < 50; round++ {
		for ti, tx := range texts {
			lines := strings.Split(tx, "\n")
			other := strings.Split(texts[(ti+1+rnd(len(texts)))%len(texts)], "\n")
			title := titles[rnd(len(titles))]
			switch round % 7 {
			case 0: // another form's title on top
				add(title + "\n" + tx)
			case 1: // the title moved below the first lines
				if len(lines) > 3 {
					add(strings.Join(lines[:3], "\n") + "\n" + title + "\n" + strings.Join(lines[3:], "\n"))
				}
			case 2: // lines dropped
				var k []string
				for _, l := range lines {
					if rnd(3) != 0 {
						k = append(k, l)
					}
				}
				add(strings.Join(k, "\n"))
			case 3: // two documents joined
				add(tx + "\n" + strings.Join(other, "\n"))
			case 4: // lines of another doc interleaved
				var k []string
				for i, l := range lines {
					k = append(k, l)
					if i < len(other) && rnd(2) == 0 {
						k = append(k, other[i])
					}
				}
				add(strings.Join(k, "\n"))
			case 5: // the top lines dropped (no title), another's title later
				if len(lines) > 4 {
					add(strings.Join(lines[2+rnd(3):], "\n") + "\n" + title)
				}
			case 6: // a window of the document
				if len(lines) > 6 {
					a := rnd(len(lines) / 2)
					add(strings.Join(lines[a:a+len(lines)/2], "\n"))
				}
			}
		}
	}
	return out
}

// TestReader13FastPathMutations: the fast path (Parse walks only the readings that could
// win) reads every mutation of the text fixtures as the full path does.
func TestReader13FastPathMutations(t *testing.T) {
	ms := reader13Mutations(t, 3000)
	if len(ms) == 0 {
		t.Skip("no text fixtures")
	}
	bad := 0
	for _, m := range ms {
		fast, full := parseBody(m[0], "", false), parseBody(m[0], "", true)
		a, _ := json.Marshal(fast)
		b, _ := json.Marshal(full)
		if string(a) != string(b) {
			bad++
			if bad <= 3 {
				t.Errorf("body %q\n fast %s\n full %s", m[0][:min(len(m[0]), 300)], a, b)
			}
		}
	}
	t.Logf("%d mutations, %d differ", len(ms), bad)
}

// TestReader13FastPathBlockMutations: documents of the fixtures, loaded, with blocks
// dropped at random, and two documents' blocks joined (a form whose top is another
// form), each read by the fast path and the full one, as a document and as a body.
func TestReader13FastPathBlockMutations(t *testing.T) {
	type loaded struct {
		p string
		d *doc
	}
	var docs []loaded
	for p, pw := range testdataFiles(t) {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		d, err := load(data, Options{Passwords: pw}, newBudget(Limits{}), 0)
		if err != nil || len(d.blocks) == 0 {
			continue
		}
		docs = append(docs, loaded{p, d})
	}
	slicesSortLoaded := func() {
		for i := range docs {
			for j := i + 1; j < len(docs); j++ {
				if docs[j].p < docs[i].p {
					docs[i], docs[j] = docs[j], docs[i]
				}
			}
		}
	}
	slicesSortLoaded()
	seed := uint64(1313)
	rnd := func(n int) int {
		seed ^= seed << 13
		seed ^= seed >> 7
		seed ^= seed << 17
		return int(seed % uint64(n))
	}
	n, bad := 0, 0
	for round := 0; round < 6; round++ {
		for i, l := range docs {
			d := l.d
			var bs []block
			what := ""
			switch round % 3 {
			case 0:
				for _, b := range d.blocks {
					if rnd(4) != 0 {
						bs = append(bs, b)
					}
				}
				what = "dropped"
			case 1:
				o := docs[(i+1+rnd(len(docs)-1))%len(docs)].d
				k := rnd(min(len(o.blocks), 6) + 1)
				bs = append(append(bs, o.blocks[:k]...), d.blocks...)
				what = "another's top first"
			case 2:
				o := docs[(i+1+rnd(len(docs)-1))%len(docs)].d
				bs = append(append(bs, d.blocks[:len(d.blocks)/2]...), o.blocks[len(o.blocks)/2:]...)
				what = "half and half"
			}
			if len(bs) == 0 {
				continue
			}
			for _, body := range []bool{false, true} {
				var fs [2][]byte
				for k, all := range []bool{false, true} {
					piece := &doc{blocks: bs, extra: d.extra, notes: d.notes, norms: map[string]string{},
						qaDone: true, body: d.body || body, wrapped: d.wrapped, readAll: all}
					fs[k], _ = json.Marshal(piece.extract())
				}
				n++
				if string(fs[0]) != string(fs[1]) {
					bad++
					if bad <= 3 {
						t.Errorf("%s (%s, body %v):\n fast %s\n full %s", l.p, what, body, fs[0], fs[1])
					}
				}
			}
		}
	}
	t.Logf("%d pieces, %d differ", n, bad)
}
