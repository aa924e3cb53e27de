package parser

import (
	"regexp"
	"strings"
	"sync"
)

// Work the readings share. Parse reads a document once as each kind of form; what a
// line or a table cell is (its text, its normalised label candidates, whether it is a
// yes/no answer or a heading) does not depend on the kind, so it is worked out once
// per document and kept on the doc. The caches stop growing at memoMax entries (a
// hostile document's many distinct lines are then worked out each time, as before).

const memoMax = 1 << 16

// cellBase is what a table cell is whatever the form: cellInfo without the label
// matching.
type cellBase struct {
	text     string   // the cell's paragraphs, cleaned
	cands    []string // normalised label candidates: whole text, first line
	raw      bool     // the cell has text (before cleaning)
	empty    bool
	colon    bool // "Label:" of 14 words or fewer with no other colon: a label we do not know
	hasColon bool
	yn       string // "Yes"/"No" when the cell is only a yes/no word
}

// cellBases are the cells of r as cellBase, cached by the row's first cell (rows are
// not changed once read).
func (d *doc) cellBases(r row) []cellBase {
	if len(r.cells) == 0 {
		return nil
	}
	key := &r.cells[0]
	if v, ok := d.cells[key]; ok {
		return v
	}
	out := make([]cellBase, len(r.cells))
	for j, c := range r.cells {
		raw := textOf(c.blocks)
		cb := &out[j]
		cb.text = cleanValue(raw)
		cb.empty = cb.text == ""
		if raw == "" {
			continue
		}
		cb.raw = true
		whole := d.norm(raw)
		if i := strings.IndexByte(raw, '\n'); i >= 0 {
			cb.cands = []string{whole, d.norm(raw[:i])}
		} else {
			cb.cands = []string{whole}
		}
		if cb.empty {
			continue
		}
		cb.hasColon = strings.Contains(raw, ":")
		tr := strings.TrimSpace(raw)
		cb.colon = strings.HasSuffix(tr, ":") && wordCount(whole) <= 14 && !strings.Contains(tr[:len(tr)-1], ":")
		cb.yn = yesNoWords[strings.ToLower(strings.TrimSpace(cb.text))]
	}
	if d.cells == nil {
		d.cells = map[*cell][]cellBase{}
	}
	if len(d.cells) < memoMax {
		d.cells[key] = out
	}
	return out
}

type yesNo struct {
	v            string
	answered, ok bool
}

// yesNo is parseYesNo(s), cached.
func (d *doc) yesNo(s string) (v string, answered, ok bool) {
	if r, hit := d.yns[s]; hit {
		return r.v, r.answered, r.ok
	}
	v, answered, ok = parseYesNo(s)
	if d.yns == nil {
		d.yns = map[string]yesNo{}
	}
	if len(d.yns) < memoMax {
		d.yns[s] = yesNo{v, answered, ok}
	}
	return v, answered, ok
}

// boundaryText is the part of boundary that does not depend on the form, cached.
func (d *doc) boundaryText(t, n string) bool {
	if v, hit := d.bounds[t]; hit {
		return v
	}
	v := boundaryText(d, t, n)
	if d.bounds == nil {
		d.bounds = map[string]bool{}
	}
	if len(d.bounds) < memoMax {
		d.bounds[t] = v
	}
	return v
}

// splitCand is a place a "Label: value" line could be split: n is the normalised
// text left of separators[sep], which begins at at.
type splitCand struct {
	n   string
	at  int
	sep int
}

// splits are the places splitLabel tries, in its order, with their left sides
// normalised (the empty ones left out): cached, as they do not depend on the form.
func (d *doc) splits(t string) []splitCand {
	if v, ok := d.splitc[t]; ok {
		return v
	}
	var out []splitCand
	for si, sep := range separators {
		off := 0
		for k := 0; k < 4; k++ {
			i := strings.Index(t[off:], sep)
			if i < 0 {
				break
			}
			i += off
			left := t[:i]
			if sep == "?" {
				left = t[:i+1]
			}
			if n := d.norm(left); n != "" {
				out = append(out, splitCand{n, i, si})
			}
			off = i + len(sep)
		}
	}
	if d.splitc == nil {
		d.splitc = map[string][]splitCand{}
	}
	if len(d.splitc) < memoMax {
		d.splitc[t] = out
	}
	return out
}

// fragment is m.fragment(n), cached for each form: two bits per spec, whether it
// is known and what it is.
func (d *doc) fragment(m *matcher, n string) bool {
	if m.idx >= 32 || wordCount(n) < 4 {
		return m.fragment(n)
	}
	known, val := uint64(1)<<(2*m.idx), uint64(1)<<(2*m.idx+1)
	bits := d.frags[n]
	if bits&known != 0 {
		return bits&val != 0
	}
	v := m.fragment(n)
	bits |= known
	if v {
		bits |= val
	}
	if d.frags == nil {
		d.frags = map[string]uint64{}
	}
	if len(d.frags) < memoMax {
		d.frags[n] = bits
	}
	return v
}

// lazyRegexp compiles expr the first time it is used, not when the program starts
// (csprbot runs once per command; most commands parse nothing).
func lazyRegexp(expr string) func() *regexp.Regexp {
	return sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(expr) })
}
