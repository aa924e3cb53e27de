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
	keys     uint8  // which cands are label keys (isLabelKey), a bit each
	pfx      bool   // cands[0]'s first word begins a prefix label (firstWordKeys)
}

// rowMemo is what the readings work out about a row once, kept with the row.
type rowMemo struct {
	bases     []cellBase
	opt       *rowOpt // rowOption
	yn, ynSet bool
}

// memo is r's rowMemo, made on first use; nil once the document has memoMax.
func (d *doc) memo(r *row) *rowMemo {
	if r.memo == nil && d.nrows < memoMax {
		d.nrows++
		r.memo = &rowMemo{}
	}
	return r.memo
}

// cellBases are the cells of r as cellBase, kept with the row (rows are not
// changed once read).
func (d *doc) cellBases(r *row) []cellBase {
	if len(r.cells) == 0 {
		return nil
	}
	m := d.memo(r)
	if m != nil && m.bases != nil {
		return m.bases
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
		for i, c := range cb.cands {
			if isLabelKey(c) {
				cb.keys |= 1 << i
			}
		}
		cb.pfx, _ = firstWordKeys(whole)
		if cb.empty {
			continue
		}
		cb.hasColon = strings.Contains(raw, ":")
		tr := strings.TrimSpace(raw)
		cb.colon = strings.HasSuffix(tr, ":") && wordCount(whole) <= 14 && !strings.Contains(tr[:len(tr)-1], ":")
		// yes, no, y, n: only ASCII lower-cases to them (İ and K, which lower-case
		// to ASCII, give i and k), so a longer cell is none
		if t := strings.TrimSpace(cb.text); len(t) <= 3 {
			cb.yn = yesNoWords[strings.ToLower(t)]
		}
	}
	if m != nil {
		m.bases = out
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
	key bool // isLabelKey(n)
}

// splits are the places splitLabel tries, in its order, with their left sides
// normalised (the empty ones left out): cached, as they do not depend on the form.
func (d *doc) splits(t string) []splitCand {
	if v, ok := d.splitc[t]; ok {
		return v
	}
	out := d.splitsOf(t)
	if d.splitc == nil {
		d.splitc = map[string][]splitCand{}
	}
	if len(d.splitc) < memoMax {
		d.splitc[t] = out
	}
	return out
}

// splitsOf is splits, not cached.
func (d *doc) splitsOf(t string) []splitCand {
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
				out = append(out, splitCand{n, i, si, isLabelKey(n)})
			}
			off = i + len(sep)
		}
	}
	return out
}

// lineBase is a line of a paragraph as every reading sees it, kept with the
// paragraph (doc.lines), so that a reading looks nothing up by the line's text:
// what does not depend on the form is worked out on the first reading that asks.
type lineBase struct {
	t, n    string // the line trimmed, and normalised
	ob      optionBody
	splits  []splitCand
	colonAt int    // the first colon, -1 none
	colonN  string // the text before it, normalised (sectionLabel)
	frag    uint64 // fragment, for each form: two bits, known and value
	have    uint8  // which of the above are worked out
	bound   bool
	key     bool // n is a label key (isLabelKey): else no form finds it by lookup
	pfx     bool // n's first word begins a prefix label (firstWordKeys)
	frg     bool // n's first word is in a long label (firstWordKeys)
}

const (
	haveOB = 1 << iota
	haveSplits
	haveColon
	haveBound
)

// maxLines is how many lines doc.lines keeps for a document: a form has a few
// hundred; a hostile one's hundred thousand are read line by line as they come.
const maxLines = 1 << 14

// lines are the lines of a paragraph, kept with the block; ok=false when the
// document has had its maxLines.
func (d *doc) lines(b *block) (lbs []lineBase, ok bool) {
	if b.lines != nil {
		return *b.lines, true
	}
	k := strings.Count(b.text, "\n") + 1
	if d.nlines+k > maxLines {
		return nil, false
	}
	d.nlines += k
	out := make([]lineBase, 0, k)
	for s, more := b.text, true; more; {
		var l string
		l, s, more = strings.Cut(s, "\n")
		out = append(out, d.lineBase(l))
	}
	b.lines = &out
	return out, true
}

func (d *doc) lineBase(l string) lineBase {
	lb := lineBase{t: strings.TrimSpace(l)}
	if lb.t != "" {
		lb.n = d.norm(lb.t)
		lb.key = isLabelKey(lb.n)
		lb.pfx, lb.frg = firstWordKeys(lb.n)
	}
	return lb
}

func (lb *lineBase) optBody(d *doc) optionBody {
	if lb.have&haveOB == 0 {
		lb.ob, lb.have = d.optBodyOf(lb.t), lb.have|haveOB
	}
	return lb.ob
}

func (lb *lineBase) splitsOf(d *doc) []splitCand {
	if lb.have&haveSplits == 0 {
		lb.splits, lb.have = d.splitsOf(lb.t), lb.have|haveSplits
	}
	return lb.splits
}

func (lb *lineBase) colon(d *doc) (int, string) {
	if lb.have&haveColon == 0 {
		lb.colonAt, lb.have = strings.Index(lb.t, ":"), lb.have|haveColon
		if lb.colonAt > 0 && lb.colonAt != len(lb.t)-1 {
			lb.colonN = d.norm(lb.t[:lb.colonAt])
		}
	}
	return lb.colonAt, lb.colonN
}

func (lb *lineBase) boundary(d *doc) bool {
	if lb.have&haveBound == 0 {
		lb.bound, lb.have = d.boundaryText(lb.t, lb.n), lb.have|haveBound
	}
	return lb.bound
}

// fragment is m.fragment(n) of the line, kept for each form.
func (lb *lineBase) fragment(m *matcher) bool {
	if !lb.frg {
		return false // no form's long label holds its first word
	}
	if m.idx >= 32 || wordCount(lb.n) < 4 {
		return m.fragment(lb.n)
	}
	known, val := uint64(1)<<(2*m.idx), uint64(1)<<(2*m.idx+1)
	if lb.frag&known != 0 {
		return lb.frag&val != 0
	}
	v := m.fragment(lb.n)
	lb.frag |= known
	if v {
		lb.frag |= val
	}
	return v
}

// lazyRegexp compiles expr the first time it is used, not when the program starts
// (csprbot runs once per command; most commands parse nothing).
func lazyRegexp(expr string) func() *regexp.Regexp {
	return sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(expr) })
}

type rowOpt struct {
	line string
	ob   optionBody
}

// rowOption is optionRow of the row's cells as read, and its optBody, cached by
// the row's first cell.
func (d *doc) rowOption(r *row) (string, optionBody) {
	m := d.memo(r)
	if m != nil && m.opt != nil {
		return m.opt.line, m.opt.ob
	}
	bases := d.cellBases(r)
	var buf [32]cellInfo
	infos := buf[:0]
	for j := range bases {
		infos = append(infos, cellInfo{text: bases[j].text, empty: bases[j].empty})
	}
	line := optionRow(infos)
	ob := d.optBodyOf(line)
	if m != nil {
		m.opt = &rowOpt{line, ob}
	}
	return line, ob
}

// presize makes the norms cache as large as the document will make it (up to its
// cap), so it does not grow, rehashing, as the first reading fills it.
func (d *doc) presize() {
	if d.presized {
		return
	}
	d.presized = true
	var n int // paragraphs and cells: the norms the first reading makes
	var count func(bs []block)
	count = func(bs []block) {
		for _, b := range bs {
			if b.table == nil {
				n++
				continue
			}
			for _, r := range b.table.rows {
				n += len(r.cells)
				for _, c := range r.cells {
					count(c.blocks)
				}
			}
		}
	}
	count(d.blocks)
	if len(d.norms) == 0 {
		d.norms = make(map[string]string, min(n, memoMax))
	}
}

type dateAt struct {
	v          string
	start, end int
	ok         bool
}

// findDate is findDate(s), cached: a table's date cells are read by each reading
// whose table they are in.
func (d *doc) findDate(s string) (string, int, int, bool) {
	if r, ok := d.dates[s]; ok {
		return r.v, r.start, r.end, r.ok
	}
	v, start, end, ok := findDate(s)
	if d.dates == nil {
		d.dates = map[string]dateAt{}
	}
	if len(d.dates) < memoMax {
		d.dates[s] = dateAt{v, start, end, ok}
	}
	return v, start, end, ok
}

func (d *doc) parseDate(s string) (string, bool) {
	v, _, _, ok := d.findDate(s)
	return v, ok
}

// timeBeside is timeBesideDate(s), cached.
func (d *doc) timeBeside(s string) string {
	if v, ok := d.times[s]; ok {
		return v
	}
	v := timeBesideDate(s)
	if d.times == nil {
		d.times = map[string]string{}
	}
	if len(d.times) < memoMax {
		d.times[s] = v
	}
	return v
}

// yesNoRow is yesNoRow(r), cached by the row's first cell.
func (d *doc) yesNoRow(r *row) bool {
	m := d.memo(r)
	if m != nil && m.ynSet {
		return m.yn
	}
	v := yesNoRow(*r)
	if m != nil {
		m.yn, m.ynSet = v, true
	}
	return v
}
