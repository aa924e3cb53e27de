package parser

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// doc is one document ready for extraction, with a cache of normalised labels that
// the five extractions share.
type doc struct {
	blocks     []block
	extra      string   // header and footer text: searched for the case reference only
	notes      []string // what a reader left unread, for the form's warnings
	qaDone     bool     // Q:/A: markers have been read (unQA)
	norms      map[string]string
	opts       map[string]optionBody
	presized   bool // memo.go
	yns        map[string]yesNo
	bounds     map[string]bool
	dates      map[string]dateAt // memo.go
	times      map[string]string
	splitc     map[string][]splitCand
	nrows      int          // rows given a rowMemo
	infoChunks [][]cellInfo // newInfos
	nlines     int          // lines kept with their blocks
	body       bool         // text or HTML: may be an email's nil return
	readAll    bool         // walk every reading, not only those that could win (tests: readBest)
	// wrapped: lines are a PDF's, wrapped at the page edge, so a line that follows
	// an answer continues it (joined with a space).
	wrapped bool
}

var boxReplacer = strings.NewReplacer("[ ]", "", "[x]", "", "[X]", "", "[]", "", "( )", "", "(x)", "", "(X)", "", "()", "")

type optionBody struct {
	n, letter string
	bareX     bool
	// where " please state", " yes" and " no " begin in n (n+" " for the last
	// two), -1 none
	state, yes, no int
}

// optBody is a line as an option reads it: marks and a leading "a)" taken off,
// normalised (cached: every reading of the document asks).
func (d *doc) optBody(t string) optionBody {
	if v, ok := d.opts[t]; ok {
		return v
	}
	ob := d.optBodyOf(t)
	if d.opts == nil {
		d.opts = map[string]optionBody{}
	}
	if len(d.opts) < memoMax {
		d.opts[t] = ob
	}
	return ob
}

// optBodyOf is optBody, not cached.
func (d *doc) optBodyOf(t string) optionBody {
	body := strings.TrimSpace(stripMarks(t))
	if strings.IndexByte(body, '[') >= 0 || strings.IndexByte(body, '(') >= 0 {
		body = boxReplacer.Replace(body)
	}
	var ob optionBody
	if len(body) > 2 && (body[0] == 'x' || body[0] == 'X') && (body[1] == ' ' || body[1] == '\t') {
		ob.bareX = true
		body = strings.TrimSpace(body[2:])
	}
	if n := len(body); n > 2 && (body[n-1] == 'x' || body[n-1] == 'X') && (body[n-2] == ' ' || body[n-2] == '\t') {
		ob.bareX = true
		body = strings.TrimSpace(body[:n-2])
	}
	if l, n := letterPrefix(body); n > 0 {
		ob.letter = l
		body = body[n:]
	}
	if i := strings.IndexByte(body, '\n'); i >= 0 {
		body = body[:i]
	}
	ob.n = d.norm(body)
	ob.state = strings.Index(ob.n, " please state")
	ob.yes = strings.Index(ob.n, " yes") // in n+" " as in n: it does not end with a space
	ob.no = strings.Index(ob.n, " no ")
	if ob.no < 0 && strings.HasSuffix(ob.n, " no") {
		ob.no = len(ob.n) - 3
	}
	return ob
}

func (d *doc) norm(s string) string {
	if v, ok := d.norms[s]; ok {
		return v
	}
	v := norm(s)
	if len(d.norms) < memoMax {
		d.norms[s] = v
	}
	return v
}

// extraction is one reading of a document as one kind of form.
type extraction struct {
	d                  *doc
	m                  *matcher
	section            string
	vals               map[int]string // field index → answer as written
	picked             map[int][]bool // Choice/MultiChoice field → options ticked
	others             map[int]string // "Please state" text of a ticked option
	tables             map[string][]map[string]string
	warnings           []string
	pend               *pending
	labels             int    // labels met (for classification)
	lastLine           string // the line before (a PDF's wrapped line is long)
	slabChunk, slabOff int    // the next of doc.infoChunks newInfos hands out
	// listAfter is the list the line before headed ("Chronologies and conversations
	// will be requested from:"): a one-column table next is that list.
	listAfter *listMatcher
}

type pending struct {
	fi    int
	parts []string
}

func newExtraction(d *doc, m *matcher) *extraction {
	return &extraction{d: d, m: m, vals: map[int]string{}, picked: map[int][]bool{},
		others: map[int]string{}, tables: map[string][]map[string]string{}}
}

func (x *extraction) ftype(fi int) ValueType { return x.m.spec.Fields[fi].Type }

func singleLine(t ValueType) bool {
	switch t {
	case Date, YesNo, Email, Choice, DateRange, IncidentDate:
		return true
	}
	return false
}

// set records the answer to a field; the first answer wins.
func (x *extraction) set(fi int, raw string) {
	raw = cleanValue(raw)
	if raw == "" {
		return
	}
	if _, ok := x.vals[fi]; ok {
		return
	}
	x.vals[fi] = raw
}

func (x *extraction) flush() {
	p := x.pend
	x.pend = nil
	if p == nil || len(p.parts) == 0 {
		return
	}
	sep := "\n"
	if singleLine(x.ftype(p.fi)) || x.d.wrapped {
		sep = " "
	}
	x.set(p.fi, strings.Join(p.parts, sep))
}

func (x *extraction) startPending(fi int) {
	x.flush()
	x.labels++
	if _, done := x.vals[fi]; done && x.m.spec.Fields[fi].Type != MultiChoice {
		// Asked again (the same label twice): a second answer is not this field's.
		x.pend = &pending{fi: -1}
		return
	}
	x.pend = &pending{fi: fi}
}

// feed gives a line of answer to the pending label.
func (x *extraction) feed(t string) {
	p := x.pend
	if p == nil || p.fi < 0 {
		return
	}
	switch x.ftype(p.fi) {
	case YesNo:
		if _, answered, _ := x.d.yesNo(t); answered {
			x.pend = nil
			x.set(p.fi, t)
			return
		}
		p.parts = append(p.parts, t)
		if len(p.parts) >= 3 {
			x.flush()
		}
		return
	case Choice, MultiChoice:
		p.parts = append(p.parts, t)
		return
	}
	if placeholder(t) {
		return
	}
	p.parts = append(p.parts, t)
	if x.ftype(p.fi) != Long && !(x.d.wrapped && x.ftype(p.fi) == Text && utf8.RuneCountInString(x.lastLine) >= 60) {
		// one line answers a short question; what follows is not its answer
		x.flush()
		x.pend = &pending{fi: -1}
	}
}

var reGuidance = lazyRegexp(`(?i)^\s*(if |please|when |where |note|tick|this |the |these |those |to be |\(|give |state |provide |include|specify|ideally)`)

// isGuidance reports whether the text after a label is the form's guidance ("please
// give …") rather than an answer.
func isGuidance(rest string) bool { return reGuidance().MatchString(rest) }

// boundary reports whether a line is a heading or label we do not know, which ends
// the answer being collected.
func (x *extraction) boundary(t, n string) bool {
	return x.m.isOther(n) || x.d.boundaryText(t, n)
}

// boundaryText is boundary without the form's own labels: n is norm(t).
func boundaryText(d *doc, t, n string) bool {
	if sectionNumber(t) || isSignOff(t) {
		return true
	}
	wc := wordCount(n)
	if strings.HasSuffix(t, ":") && wc <= 14 {
		return true
	}
	// "3 Learning" is a heading; "22 Fictitious Avenue, London SE4 0ZZ" an address
	if numberedHeading(t) && wc <= 12 && !strings.HasSuffix(t, ".") && !strings.Contains(t, ",") {
		if _, _, _, isDate := findDate(t); !isDate {
			return true
		}
	}
	if strings.HasPrefix(n, "section ") && wc <= 12 {
		return true
	}
	// a question we do not keep, or the tail of one wrapped onto this line
	if strings.HasSuffix(t, "?") || strings.Contains(t, "? (") || (strings.HasSuffix(t, ")") && !strings.Contains(t, "(")) {
		if _, _, isYesNo := d.yesNo(t); !isYesNo {
			return true
		}
	}
	return false
}

// walk reads blocks as a flow of paragraphs and tables.
func (x *extraction) walk(bs []block) {
	for i := 0; i < len(bs); i++ {
		b := bs[i]
		if b.table == nil && strings.IndexByte(b.text, '\t') >= 0 {
			if n := x.tsvTable(bs[i:]); n > 0 {
				i += n - 1
				continue
			}
		}
		if b.table != nil {
			lm := x.listAfter
			x.listAfter = nil
			if x.listTable(b.table, lm) {
				continue
			}
			if p := x.pend; p != nil && p.fi >= 0 && len(p.parts) == 0 {
				if t, ok := yesNoTable(b.table); ok {
					// "Question?" then a table of Yes/No boxes answers it
					x.feed(t)
					x.flush()
					continue
				}
			}
			x.flush()
			x.walkTable(b.table)
			continue
		}
		if lbs, ok := x.d.lines(&bs[i]); ok {
			for k := range lbs {
				x.line(&lbs[k])
			}
			continue
		}
		for s, more := b.text, true; more; {
			var l string
			l, s, more = strings.Cut(s, "\n")
			lb := x.d.lineBase(l)
			x.line(&lb)
		}
	}
}

// listTable reads a one-column table that lists a table's column (TableSpec.List):
// a list of agency names under a header row naming the column, or with none under
// lm, the list the line before headed. It reports whether it read the table.
func (x *extraction) listTable(t *table, lm *listMatcher) bool {
	if len(x.m.lists) == 0 || len(t.rows) == 0 {
		return false
	}
	for _, r := range t.rows {
		if len(r.cells) != 1 {
			return false
		}
		for _, b := range r.cells[0].blocks {
			if b.table != nil {
				return false
			}
		}
	}
	rows := t.rows
	head := x.d.norm(textOf(rows[0].cells[0].blocks))
	for i := range x.m.lists {
		if x.m.lists[i].header(head) {
			lm = &x.m.lists[i]
			rows = rows[1:]
			break
		}
	}
	if lm == nil {
		return false
	}
	var vals []string
	for _, r := range rows {
		for _, l := range strings.Split(textOf(r.cells[0].blocks), "\n") {
			v := cleanValue(l)
			if v == "" || placeholder(v) {
				continue
			}
			// a label or heading is no agency: the table is something else
			n := x.d.norm(v)
			if _, sec := x.m.section(n); sec || x.m.field(n, x.section) >= 0 || x.m.isOther(n) {
				return false
			}
			if fi, _, _ := x.splitLabel(v); fi >= 0 {
				return false
			}
			vals = append(vals, v)
		}
	}
	x.flush()
	x.pend = &pending{fi: -1}
	cur := &activeTable{tm: &x.m.tables[lm.ti], header: []cell{{col: 0, span: 1}}, cols: []int{lm.col}}
	r := row{cells: []cell{{col: 0, span: 1}}}
	for _, v := range vals {
		x.dataRow(cur, r, []cellInfo{{text: v}})
	}
	return true
}

// tsvTable reads a table pasted as tab-separated lines: a line whose cells name a
// table's columns, then the lines under it with tabs, and the group lines between
// them ("Extended Family"). It returns how many blocks it read, 0 when bs does not
// start with such a header.
func (x *extraction) tsvTable(bs []block) int {
	h := bs[0].text
	if strings.IndexByte(h, '\n') >= 0 || !x.tsvHeader(h) {
		return 0
	}
	head := tsvRow(h)
	if len(head.cells) < 2 {
		return 0
	}
	infos := x.cellInfos(&head)
	at, n := x.header(head, infos)
	if at == nil || n < 2 {
		return 0
	}
	for _, ci := range infos {
		if ci.field >= 0 {
			n--
		}
	}
	if n <= 0 {
		return 0
	}
	k := nextCol(head)
	t := &table{rows: []row{head}}
	used := 1
	for j := 1; j < len(bs); j++ {
		b := bs[j]
		if b.table != nil || strings.IndexByte(b.text, '\n') >= 0 {
			break
		}
		if strings.IndexByte(b.text, '\t') >= 0 {
			t.rows = append(t.rows, tsvRow(b.text))
			used = j + 1
			continue
		}
		g := strings.TrimSpace(b.text)
		if _, ok := at.tm.groups[x.d.norm(g)]; !ok || g == "" || j+1 >= len(bs) || strings.IndexByte(bs[j+1].text, '\t') < 0 {
			break
		}
		t.rows = append(t.rows, row{cells: []cell{{col: 0, span: k, blocks: []block{{text: g}}}}})
	}
	t.rows = t.rows[:used]
	x.flush()
	x.walkTable(t)
	return used
}

// tsvHeader reports whether at least two of a line's tab-separated cells name
// columns of one table: a cheap look before the row is built.
func (x *extraction) tsvHeader(l string) bool {
	for ti := range x.m.tables {
		tm := &x.m.tables[ti]
		n := 0
		for rest, more := l, true; more; {
			var part string
			part, rest, more = strings.Cut(rest, "\t")
			if _, ok := tm.cols[x.d.norm(part)]; ok {
				if n++; n >= 2 {
					return true
				}
			}
		}
	}
	return false
}

// tsvRow makes a table row of a line's tab-separated cells.
func tsvRow(l string) row {
	parts := strings.Split(l, "\t")
	r := row{cells: make([]cell, len(parts))}
	for i, p := range parts {
		r.cells[i] = cell{col: i, span: 1, blocks: []block{{text: p}}}
	}
	return r
}

var separators = []string{":", "\t", "?", " – ", " - ", " — ", "  ", ". "}

// line reads one line of text outside a table's grid.
func (x *extraction) line(lb *lineBase) {
	t := lb.t
	if t == "" {
		return
	}
	defer func() { x.lastLine = t }()
	n := lb.n
	x.listAfter = nil
	if len(x.m.lists) > 0 {
		x.listAfter = x.m.listHeading(n)
	}
	if n == "" {
		// only punctuation or a parenthesised aside: guidance, unless it ticks a box
		if hasBoxGlyph(t) {
			x.feed(t)
		}
		return
	}
	if k, ok := x.m.sectionKey(n, lb.key); ok {
		x.flush()
		x.section = k
		// "Designated safeguarding lead" then a name: the heading asks the first question
		if fi, ok := x.m.secFirst[k]; ok {
			x.pend = &pending{fi: fi}
		}
		return
	}
	if len(x.m.options) > 0 && x.optionWith(t, lb.optBody(x.d)) {
		return
	}
	if fi := x.fieldKey(n, lb.key); fi >= 0 {
		if _, done := x.vals[fi]; done && x.pend != nil && x.pend.fi >= 0 && x.pend.fi != fi && len(x.pend.parts) == 0 &&
			x.ftype(x.pend.fi) == Text && x.ftype(fi) == Text {
			// "Where the incident happened" then "Home address": a label already
			// answered, met where an answer is awaited, is that answer
			x.feed(t)
			return
		}
		x.startPending(fi)
		return
	}
	if k, rest, ok := x.sectionLabel(lb); ok {
		// "Designated safeguarding lead: Nina Namedperson": a section named as the
		// label of its first question
		x.flush()
		x.section = k
		if fi, ok := x.m.secFirst[k]; ok {
			x.startPending(fi)
			x.feed(rest)
			x.flush()
		}
		return
	}
	if fi, rest, guidance := x.splitAt(t, lb.splitsOf(x.d)); fi >= 0 {
		x.startPending(fi)
		if guidance {
			return
		}
		typ := x.ftype(fi)
		switch {
		case typ == YesNo:
			x.feed(rest)
		case typ == Long:
			x.feed(rest)
		case typ == Text && x.d.wrapped:
			x.feed(rest)
		default:
			x.feed(rest)
			x.flush()
		}
		return
	}
	if fi := x.prefixKey(n, lb.pfx); fi >= 0 {
		x.startPending(fi)
		return
	}
	if lb.key && x.m.isOther(n) || lb.boundary(x.d) || lb.fragment(x.m) {
		x.flush()
		x.pend = &pending{fi: -1}
		return
	}
	x.feed(t)
}

// fieldKey is m.field(n, section), told whether n is a label key at all.
func (x *extraction) fieldKey(n string, key bool) int {
	if !key {
		return -1
	}
	return x.m.field(n, x.section)
}

// prefixKey is m.prefixField(n, section)'s field, told whether n's first word
// begins any prefix label.
func (x *extraction) prefixKey(n string, pfx bool) int {
	if !pfx {
		return -1
	}
	fi, _ := x.m.prefixField(n, x.section)
	return fi
}

// splitLabel finds "Label: value" (or ?, tab, dash) with a known label on the left.
func (x *extraction) splitLabel(t string) (fi int, rest string, guidance bool) {
	return x.splitAt(t, x.d.splits(t))
}

// splitAt is splitLabel at the places splits found in t.
func (x *extraction) splitAt(t string, splits []splitCand) (fi int, rest string, guidance bool) {
	for _, c := range splits {
		if f := x.fieldKey(c.n, c.key); f >= 0 {
			sep := separators[c.sep]
			rest = strings.TrimSpace(t[c.at+len(sep):])
			rest = strings.TrimLeft(rest, ":-–— \t")
			g := (sep == "?" || sep == ". ") && isGuidance(rest)
			return f, rest, g
		}
	}
	return -1, "", false
}

// sectionLabel finds "Section heading: value" on one line.
func (x *extraction) sectionLabel(lb *lineBase) (key, rest string, ok bool) {
	t := lb.t
	i, n := lb.colon(x.d)
	if i <= 0 || i == len(t)-1 {
		return "", "", false
	}
	if n == "" || x.m.field(n, x.section) >= 0 {
		return "", "", false
	}
	k, ok := x.m.sections[n]
	if !ok || k == "" {
		return "", "", false
	}
	rest = strings.TrimSpace(t[i+1:])
	return k, rest, rest != ""
}

func stripMarks(t string) string {
	if strings.IndexByte(t, 0xE2) < 0 {
		return t // every mark's UTF-8 begins with E2
	}
	return strings.Map(func(r rune) rune {
		switch r {
		case '☒', '☑', '✓', '✔', '✗', '✘', '☐', '□', '⊠', '■', '❑', '❒':
			return ' '
		}
		return r
	}, t)
}

// option reads a line (or a table row joined) that names an option of a Choice
// field, ticked or not. It reports whether the line was an option.
func (x *extraction) option(t string) bool {
	if len(x.m.options) == 0 {
		return false
	}
	return x.optionWith(t, x.d.optBody(t))
}

// optionWith is option with t's optBody.
func (x *extraction) optionWith(t string, ob optionBody) bool {
	n, letter, bareX := ob.n, ob.letter, ob.bareX
	ref, ok := x.m.option(n)
	if !ok {
		// "Other Please state: ..." and option text followed by yes/no marks
		if i := ob.state; i > 0 {
			ref, ok = x.m.option(n[:i])
		}
		if !ok {
			for _, i := range []int{ob.yes, ob.no} {
				if i > 0 {
					if r, ok2 := x.m.option(n[:i]); ok2 {
						ref, ok = r, true
						break
					}
				}
			}
		}
		if !ok {
			return false
		}
	}
	f := &x.m.spec.Fields[ref.fi]
	if letter != "" && f.Type == Choice && f.Options[ref.oi].Key != letter {
		return false
	}
	ticked := bareX
	if i, decided := pickMarked(t, yesNoOptions); decided {
		ticked = i == 0
	} else if !ticked {
		var buf [16]string
		for _, tok := range markTokensTo(buf[:0], t) {
			if isTicked(tok) && tok != "x" && tok != "X" {
				ticked = true
			}
		}
	}
	x.flush()
	x.pend = &pending{fi: -1}
	if x.picked[ref.fi] == nil {
		x.picked[ref.fi] = make([]bool, len(f.Options))
	}
	if ticked {
		x.picked[ref.fi][ref.oi] = true
		if f.Other != "" {
			l := strings.ToLower(t)
			if i := strings.Index(l, "please state"); i >= 0 {
				rest := strings.TrimLeft(t[i+len("please state"):], " :\t\n")
				if v := cleanValue(rest); v != "" {
					if oi, ok := x.m.fieldIdx[f.Other]; ok {
						x.set(oi, v)
					}
				}
			}
		}
	}
	return true
}

// ---- tables ----

type cellInfo struct {
	text  string   // the cell's paragraphs, cleaned
	cands []string // normalised label candidates: whole text, first paragraph, first line
	field int      // field label, -1 none, -2 a label we do not keep
	empty bool
	yn    string // "Yes"/"No" when the cell is only a yes/no word
	keys  uint8  // cellBase.keys
}

func (x *extraction) cellInfos(r *row) []cellInfo {
	bases := x.d.cellBases(r)
	out := x.newInfos(len(bases))
	for j := range bases {
		cb := &bases[j]
		ci := &out[j]
		ci.text, ci.cands, ci.empty, ci.field, ci.yn, ci.keys = cb.text, cb.cands, cb.empty, -1, cb.yn, cb.keys
		if !cb.raw || cb.empty {
			continue
		}
		whole, key := cb.cands[0], cb.keys&1 != 0
		if fi := x.fieldKey(whole, key); fi >= 0 {
			ci.field = fi
		} else if fi := x.prefixKey(whole, cb.pfx); fi >= 0 && !cb.hasColon {
			ci.field = fi
		} else if key && x.m.isOther(whole) || cb.colon {
			ci.field = -2
		}
	}
	return out
}

// infoChunk is the size of the chunks newInfos hands cellInfos out of.
const infoChunk = 256

// newInfos is n cellInfos out of chunks the document keeps, not an allocation of
// their own (a reading makes thousands). A reading's cellInfos are dead when it
// ends (its tables, fields and warnings are copies), so each reading hands out the
// same chunks again from the first; cellInfos sets every field of each.
func (x *extraction) newInfos(n int) []cellInfo {
	if n > infoChunk {
		return make([]cellInfo, n)
	}
	if x.slabOff+n > infoChunk {
		x.slabChunk, x.slabOff = x.slabChunk+1, 0
	}
	for x.slabChunk >= len(x.d.infoChunks) {
		x.d.infoChunks = append(x.d.infoChunks, make([]cellInfo, infoChunk))
	}
	i := x.slabOff
	x.slabOff += n
	return x.d.infoChunks[x.slabChunk][i : i+n : i+n]
}

type activeTable struct {
	tm     *tableMatcher
	header []cell
	cols   []int // column index per header cell, -1 none
	group  string
}

// header finds the table whose columns a row names, if it names at least two.
func (x *extraction) header(r row, infos []cellInfo) (*activeTable, int) {
	var best *tableMatcher
	bestN := 0
	for ti := range x.m.tables {
		tm := &x.m.tables[ti]
		if n := x.headerCols(tm, infos, nil); n > bestN {
			best, bestN = tm, n
		}
	}
	if best == nil {
		return nil, 0
	}
	cols := make([]int, len(infos))
	x.headerCols(best, infos, cols)
	return &activeTable{tm: best, header: r.cells, cols: cols}, bestN
}

// headerCols counts the cells of a header row that name a column of tm, each
// column once, and writes the column of each cell (-1 none) into cols if given.
func (x *extraction) headerCols(tm *tableMatcher, infos []cellInfo, cols []int) int {
	var seen uint64
	var seenMore map[int]bool // columns past 63
	n := 0
	for j, ci := range infos {
		if cols != nil {
			cols[j] = -1
		}
		c := tm.columnKeys(ci.cands, ci.keys, x.d.wrapped)
		if c < 0 {
			continue
		}
		if c < 64 {
			if seen&(1<<c) != 0 {
				continue
			}
			seen |= 1 << c
		} else {
			if seenMore[c] {
				continue
			}
			if seenMore == nil {
				seenMore = map[int]bool{}
			}
			seenMore[c] = true
		}
		if cols != nil {
			cols[j] = c
		}
		n++
	}
	return n
}

var yesNoWords = map[string]string{"yes": "Yes", "no": "No", "y": "Yes", "n": "No"}

func onlyMarks(s string) bool {
	var buf [16]string
	toks := markTokensTo(buf[:0], s)
	if len(toks) == 0 {
		return true
	}
	for _, t := range toks {
		if !isTicked(t) && !isUnticked(t) {
			return false
		}
	}
	return true
}

func (x *extraction) walkTable(t *table) {
	var cur *activeTable
	var ynCols map[int]string // grid column → "Yes"/"No" from a header row above
	for i := 0; i < len(t.rows); i++ {
		r := t.rows[i]
		infos := x.cellInfos(&t.rows[i])
		allEmpty := true
		for _, ci := range infos {
			if !ci.empty {
				allEmpty = false
			}
		}
		if allEmpty {
			x.walkNested(r, nil)
			continue
		}
		// A Yes | No header over tick cells: write the cells as "Yes ☒".
		if yn := yesNoHeader(r, infos); yn != nil {
			ynCols = yn
			// a question in the same row waits for the ticks below
			for _, ci := range infos {
				if ci.field >= 0 {
					x.startPending(ci.field)
				}
			}
			continue
		}
		changed := false // a cell's text is not its cellBase's
		if ynCols != nil {
			fits := false
			for j, c := range r.cells {
				if w, ok := ynCols[c.col]; ok {
					if onlyMarks(infos[j].text) {
						if !infos[j].empty {
							infos[j].text = w + " " + infos[j].text
							fits, changed = true, true
						}
					} else {
						ynCols = nil
						fits = false
						break
					}
				}
			}
			if !fits {
				ynCols = nil
			}
		}
		if at, n := x.header(r, infos); at != nil && n >= 2 {
			nf := 0
			for _, ci := range infos {
				if ci.field >= 0 {
					nf++
				}
			}
			if n > nf {
				x.flush()
				cur = at
				continue
			}
		}
		if cur != nil {
			if x.groupRow(cur, r, infos) {
				continue
			}
			if !x.endsTable(r, infos) {
				x.dataRow(cur, r, infos)
				continue
			}
			cur = nil
		}
		if len(x.m.options) > 0 {
			var line string
			var ob optionBody
			if changed {
				line = optionRow(infos)
				ob = x.d.optBody(line)
			} else {
				line, ob = x.d.rowOption(&t.rows[i])
			}
			if x.optionWith(line, ob) {
				continue
			}
		}
		i = x.fieldRow(t, i, infos)
	}
	x.flush()
}

// optionRow is a table row as an option reads it: its cells joined, a box cell
// holding only a typed "Y" read as the tick it is (an X is one already).
func optionRow(infos []cellInfo) string {
	n, y := 0, false
	for _, ci := range infos {
		if !ci.empty {
			n++
			y = y || ci.text == "Y" || ci.text == "y"
		}
	}
	if !y || n < 2 {
		return joinTexts(infos, " ")
	}
	var parts []string
	for _, ci := range infos {
		switch {
		case ci.empty:
		case n >= 2 && (ci.text == "Y" || ci.text == "y"):
			parts = append(parts, "X")
		default:
			parts = append(parts, ci.text)
		}
	}
	return strings.Join(parts, " ")
}

func joinTexts(infos []cellInfo, sep string) string {
	var buf [16]string
	parts := buf[:0]
	for _, ci := range infos {
		if !ci.empty {
			parts = append(parts, ci.text)
		}
	}
	return strings.Join(parts, sep)
}

// yesNoTable reads a small table that is only Yes/No words and their boxes (rows
// "Yes | ☒", "No | ☐", or a "Yes | No" row over a row of boxes) as the line
// "Yes ☒ No ☐".
func yesNoTable(t *table) (string, bool) {
	if len(t.rows) == 0 || len(t.rows) > 4 {
		return "", false
	}
	words := map[int]string{} // grid column → Yes/No, from a header row of words only
	var parts []string
	for ri, r := range t.rows {
		header := ri == 0
		var texts []string
		for _, c := range r.cells {
			tx := strings.TrimSpace(textOf(c.blocks))
			if len(c.blocks) > 0 && c.blocks[0].table != nil {
				return "", false
			}
			texts = append(texts, tx)
			if tx != "" && yesNoWords[strings.ToLower(tx)] == "" {
				header = false
			}
		}
		if header && len(r.cells) >= 2 {
			for j, c := range r.cells {
				if texts[j] != "" {
					words[c.col] = yesNoWords[strings.ToLower(texts[j])]
				}
			}
			continue
		}
		for j, c := range r.cells {
			tx := texts[j]
			if tx == "" {
				continue
			}
			if w, ok := words[c.col]; ok && onlyMarks(tx) {
				tx = w + " " + tx
			}
			parts = append(parts, tx)
		}
	}
	line := strings.Join(parts, " ")
	if line == "" || !onlyYesNoMarks(line) {
		return "", false
	}
	if _, decided := pickMarked(line, yesNoOptions); !decided {
		return "", false
	}
	return line, true
}

// yesNoRow reports whether every cell of r is empty, a Yes/No word, box marks, or
// a Yes/No word with its marks, and one is not empty.
func yesNoRow(r row) bool {
	any := false
	for _, c := range r.cells {
		tx := strings.TrimSpace(textOf(c.blocks))
		if tx == "" {
			continue
		}
		if yesNoWords[strings.ToLower(tx)] == "" && !onlyMarks(tx) && !onlyYesNoMarks(tx) {
			return false
		}
		any = true
	}
	return any
}

func yesNoHeader(r row, infos []cellInfo) map[int]string {
	var m map[int]string
	others := 0 // a column heading over the questions ("Question | Yes | No")
	for j, ci := range infos {
		if ci.empty || ci.field >= 0 {
			continue
		}
		w := ci.yn
		if w == "" {
			if others++; others > 1 || j > 0 {
				return nil
			}
			continue
		}
		if m == nil {
			m = map[int]string{}
		}
		m[r.cells[j].col] = w
	}
	if len(m) < 2 {
		return nil
	}
	return m
}

func (x *extraction) groupRow(cur *activeTable, r row, infos []cellInfo) bool {
	if len(cur.tm.groups) == 0 {
		return false
	}
	for j, ci := range infos {
		if ci.empty {
			continue
		}
		g, ok := cur.tm.groups[x.d.norm(ci.text)]
		if !ok {
			return false
		}
		cur.group = g
		for _, rest := range infos[j+1:] {
			if !rest.empty {
				// "Subject Child | name | ..." : the marker heads a data row
				infos[j].empty = true
				infos[j].text = ""
				x.dataRow(cur, r, infos)
				return true
			}
		}
		return true
	}
	return false
}

func (x *extraction) endsTable(r row, infos []cellInfo) bool {
	first := -1
	nonEmpty := 0
	for j, ci := range infos {
		if !ci.empty {
			nonEmpty++
			if first < 0 {
				first = j
			}
		}
	}
	fc := infos[first]
	if fc.field != -1 {
		return true
	}
	if len(fc.cands) > 0 {
		if _, ok := x.m.sectionKey(fc.cands[0], fc.keys&1 != 0); ok {
			return true
		}
	}
	return len(r.cells) == 1 && nonEmpty == 1
}

func (x *extraction) dataRow(cur *activeTable, r row, infos []cellInfo) {
	spec := cur.tm.spec
	out := map[string]string{}
	byIndex := len(r.cells) == len(cur.header)
	for j, ci := range infos {
		if ci.empty {
			continue
		}
		col := -1
		if byIndex {
			col = cur.cols[j]
		} else {
			c := r.cells[j].col
			for h, hc := range cur.header {
				if c >= hc.col && c < hc.col+hc.span {
					col = cur.cols[h]
					break
				}
			}
		}
		if col < 0 {
			continue
		}
		cs := spec.Columns[col]
		if _, dup := out[cs.Key]; dup {
			out[cs.Key] += "\n" + ci.text
			continue
		}
		out[cs.Key] = ci.text
	}
	if len(out) == 0 {
		return
	}
	times := map[string]string{} // a time of day written beside a date: "<column>_time"
	for _, cs := range spec.Columns {
		v, ok := out[cs.Key]
		if !ok {
			continue
		}
		nv, keep := x.normalise(spec.Name+"."+cs.Key, cs.Type, v)
		if !keep {
			delete(out, cs.Key)
			continue
		}
		out[cs.Key] = nv
		if cs.Type == Date {
			if tm := x.d.timeBeside(v); tm != "" {
				times[cs.Key+"_time"] = tm
			}
		}
	}
	for k, v := range times {
		out[k] = v
	}
	if len(out) == 0 {
		return
	}
	if cur.group != "" && spec.GroupColumn != "" {
		if _, ok := out[spec.GroupColumn]; !ok {
			out[spec.GroupColumn] = cur.group
		}
	}
	for _, cs := range spec.Columns {
		if cs.Key == "email" {
			if _, ok := out["email"]; !ok {
				for _, c2 := range spec.Columns {
					if e := findEmail(out[c2.Key]); e != "" {
						out["email"] = e
						break
					}
				}
			}
		}
	}
	x.tables[spec.Name] = append(x.tables[spec.Name], out)
}

// fieldRow reads a row of labels and answers; it returns the index of the last row
// it used (a header-like row of labels takes its answers from the row below).
func (x *extraction) fieldRow(t *table, i int, infos []cellInfo) int {
	r := t.rows[i]
	// section headings
	for _, ci := range infos {
		if len(ci.cands) > 0 && !ci.empty {
			if k, ok := x.m.sectionKey(ci.cands[0], ci.keys&1 != 0); ok && ci.field < 0 {
				x.flush()
				x.section = k
				return i
			}
		}
	}
	labels, values := 0, 0
	labelThenEmpty := false
	for j, ci := range infos {
		switch {
		case ci.field >= 0 || ci.field == -2:
			labels++
			if len(infos) > 1 && (j+1 >= len(infos) || infos[j+1].empty) && j+1 < len(infos) {
				labelThenEmpty = true
			}
		case !ci.empty:
			values++
		}
	}
	if labels == 0 {
		if x.pend != nil && x.pend.fi >= 0 {
			x.feed(joinTexts(infos, " "))
			if x.pend != nil && x.pend.fi >= 0 && singleLine(x.ftype(x.pend.fi)) {
				x.flush()
			}
			x.walkNested(r, nil)
			return i
		}
		x.walkNested(r, nil)
		return i
	}
	x.flush()
	consumed := make([]bool, len(infos))
	if values == 0 && labels == 1 && i+1 < len(t.rows) {
		// a question over rows of Yes/No boxes ("Yes | ☒", "No | ☐")
		k := i + 1
		for k < len(t.rows) && k < i+4 && x.d.yesNoRow(&t.rows[k]) {
			k++
		}
		if k > i+1 {
			if line, ok := yesNoTable(&table{rows: t.rows[i+1 : k]}); ok {
				for _, ci := range infos {
					if ci.field >= 0 {
						x.labels++
						x.set(ci.field, line)
					}
				}
				return k - 1
			}
		}
	}
	if values == 0 && !labelThenEmpty && i+1 < len(t.rows) {
		next := t.rows[i+1]
		ninfos := x.cellInfos(&t.rows[i+1])
		nextLabels := 0
		for _, ci := range ninfos {
			if ci.field >= 0 {
				if _, answered := x.vals[ci.field]; answered {
					continue // "Location of incident" over "Home address": an answer
				}
			}
			if ci.field != -1 {
				nextLabels++
			}
		}
		_, nh := x.header(next, ninfos)
		if nextLabels == 0 && nh < 2 {
			for j, ci := range infos {
				if ci.field < 0 {
					continue
				}
				x.labels++
				var parts []string
				c := r.cells[j]
				for k, nc := range next.cells {
					if nc.col < c.col+c.span && nc.col+nc.span > c.col && !ninfos[k].empty {
						parts = append(parts, ninfos[k].text)
					}
				}
				if len(r.cells) == 1 && len(parts) == 0 {
					parts = nil
				}
				sep := "\n"
				if singleLine(x.ftype(ci.field)) {
					sep = " "
				}
				x.set(ci.field, strings.Join(parts, sep))
			}
			x.walkNested(next, nil)
			return i + 1
		}
		// "Address of location of incident | Home address": an answer that reads like a label
		if len(infos) == 2 && infos[0].field >= 0 && !infos[1].empty && infos[1].field != -2 {
			x.labels++
			x.set(infos[0].field, infos[1].text)
			return i
		}
		// a lone label whose answer is not below: wait for a paragraph or cell
		if labels == 1 {
			for _, ci := range infos {
				if ci.field >= 0 {
					x.startPending(ci.field)
				}
			}
			return i
		}
	}
	for j := 0; j < len(infos); j++ {
		ci := infos[j]
		if ci.field == -2 {
			consumed[j] = true
			continue
		}
		if ci.field < 0 {
			continue
		}
		consumed[j] = true
		x.labels++
		var parts []string
		k := j + 1
		for ; k < len(infos) && infos[k].field == -1; k++ {
			consumed[k] = true
			if !infos[k].empty {
				parts = append(parts, infos[k].text)
			}
		}
		sep := "\n"
		if singleLine(x.ftype(ci.field)) {
			sep = " "
		}
		v := strings.Join(parts, sep)
		if x.ftype(ci.field) == YesNo {
			if _, answered, _ := x.d.yesNo(v); !answered {
				x.startPending(ci.field)
				continue
			}
		}
		if v == "" && j == len(infos)-1 {
			x.startPending(ci.field)
			continue
		}
		x.set(ci.field, v)
		j = k - 1
	}
	x.walkNested(r, consumed)
	return i
}

// walkNested reads the cells not used as labels or answers as a flow of their own
// (a cell holding "Label: value" paragraphs, or a layout table's one big cell), and
// any table nested in a cell.
func (x *extraction) walkNested(r row, consumed []bool) {
	for j, c := range r.cells {
		if consumed != nil && consumed[j] {
			for _, b := range c.blocks {
				if b.table != nil {
					x.walkTable(b.table)
				}
			}
			continue
		}
		hasContent := false
		for _, b := range c.blocks {
			if b.table != nil || strings.TrimSpace(b.text) != "" {
				hasContent = true
				break
			}
		}
		if !hasContent {
			continue
		}
		saved := x.pend
		if consumed != nil {
			x.pend = nil
		}
		x.walk(c.blocks)
		x.flush()
		if consumed != nil {
			x.pend = saved
		}
	}
}

// ---- values ----

// normalise turns an answer into the contract's form. keep=false drops it.
func (x *extraction) normalise(key string, typ ValueType, v string) (string, bool) {
	switch typ {
	case Date:
		if d, ok := x.d.parseDate(v); ok {
			return d, true
		}
		x.warn("%s: could not read date %q", key, v)
		return v, true
	case YesNo:
		yn, answered, ok := x.d.yesNo(v)
		if !answered {
			return "", false
		}
		if !ok && knownKeys[key] {
			yn, ok = proseKnown(v)
		}
		if !ok {
			x.warn("%s: could not read yes/no %q", key, v)
			return v, true
		}
		return yn, true
	case Email:
		if e := findEmail(v); e != "" {
			return e, true
		}
		x.warn("%s: no email address in %q", key, v)
		return v, true
	case Text, Long:
		// A question answered with Yes/No boxes ("Yes ☐ No ☒", or the boxes of a
		// Yes/No table) is answered by the ticked word.
		if len(v) <= 40 && onlyYesNoMarks(v) {
			switch i, decided := pickMarked(v, yesNoOptions); {
			case i == 0:
				return "Yes", true
			case i == 1:
				return "No", true
			case decided:
				return "", false
			}
		}
	}
	return v, true
}

// onlyYesNoMarks reports whether s holds nothing but Yes/No words and box marks.
func onlyYesNoMarks(s string) bool {
	var buf [16]string
	toks := markTokensTo(buf[:0], s)
	marks := 0
	for _, t := range toks {
		switch {
		case isTicked(t) || isUnticked(t):
			marks++
		case yesNoWords[strings.ToLower(t)] != "":
		default:
			return false
		}
	}
	return marks > 0
}

func (x *extraction) warn(format string, args ...any) {
	x.warnings = append(x.warnings, fmt.Sprintf(format, args...))
}

// finish turns the answers into the output fields.
func (x *extraction) finish() map[string]string {
	x.flush()
	out := map[string]string{}
	spec := x.m.spec
	for fi, f := range spec.Fields {
		v, has := x.vals[fi]
		switch f.Type {
		case Choice, MultiChoice:
			var keys []string
			if p := x.picked[fi]; p != nil {
				for oi, on := range p {
					if on {
						keys = append(keys, f.Options[oi].Key)
					}
				}
			}
			if len(keys) == 0 && has {
				keys = x.choiceFromText(f, v)
				if len(keys) == 0 {
					x.warn("%s: could not read %q", f.Key, v)
					out[f.Key] = v
					continue
				}
			}
			if len(keys) == 0 {
				continue
			}
			if f.Type == Choice && len(keys) > 1 {
				x.warn("%s: more than one option ticked", f.Key)
			}
			out[f.Key] = strings.Join(keys, ",")
			if f.Type == Choice {
				out[f.Key] = keys[0]
			}
			continue
		}
		if !has {
			continue
		}
		switch f.Type {
		case DateRange:
			d1, _, e1, ok := findDate(v)
			if !ok {
				x.warn("%s: could not read date %q", f.Key, v)
				out[f.Key] = v
				continue
			}
			out[f.Key] = d1
			if d2, _, _, ok := findDate(v[e1:]); ok && strings.HasSuffix(f.Key, "_from") {
				to := strings.TrimSuffix(f.Key, "_from") + "_to"
				if _, set := x.vals[x.m.fieldIdx[to]]; !set {
					out[to] = d2
				}
			}
		case IncidentDate:
			if d, ok := parseDate(v); ok {
				out[f.Key] = d
			} else {
				x.warn("%s: could not read date %q", f.Key, v)
				out[f.Key] = v
			}
			if k := incidentKind(v); k != "" {
				out["incident_kind"] = k
			}
		default:
			nv, keep := x.normalise(f.Key, f.Type, v)
			if keep {
				out[f.Key] = nv
			}
		}
	}
	// emails pulled out of contact answers
	for _, f := range spec.Fields {
		v, ok := out[f.Key]
		if !ok || f.Type == Email {
			continue
		}
		e := findEmail(v)
		if e == "" {
			continue
		}
		target := ""
		if i := strings.LastIndexByte(f.Key, '_'); i > 0 {
			if _, ok := x.m.fieldIdx[f.Key[:i]+"_email"]; ok {
				target = f.Key[:i] + "_email"
			}
		}
		if target == "" {
			if _, ok := x.m.fieldIdx["email"]; ok && f.Type != Long {
				target = "email"
			}
		}
		if target != "" {
			if _, set := out[target]; !set {
				out[target] = e
			}
		}
	}
	return out
}

func (x *extraction) choiceFromText(f FieldSpec, v string) []string {
	if f.Type == Choice {
		t := strings.TrimSpace(v)
		if l, n := letterPrefix(t + " "); n > 0 {
			return []string{l}
		}
		if len(t) == 1 {
			l := strings.ToLower(t)
			for _, o := range f.Options {
				if o.Key == l {
					return []string{l}
				}
			}
		}
	}
	n := " " + norm(v) + " "
	var keys []string
	for _, o := range f.Options {
		for _, l := range append([]string{o.Label, strings.ReplaceAll(o.Key, "_", " ")}, o.Variants...) {
			ln := norm(l)
			if len(ln) > 1 && strings.Contains(n, " "+ln+" ") {
				keys = append(keys, o.Key)
				break
			}
		}
	}
	return keys
}

func incidentKind(v string) string {
	opts := [][]string{{"death", "died", "deceased", "fatal"}, {"serious", "harm", "injury", "incident", "injuries"}}
	if i, decided := pickMarked(v, opts); decided {
		switch i {
		case 0:
			return "death"
		case 1:
			return "serious_harm"
		}
		return ""
	}
	l := strings.ToLower(v)
	for _, w := range []string{"death", "died", "deceased", "fatal", "passed away"} {
		if strings.Contains(l, w) {
			return "death"
		}
	}
	for _, w := range []string{"serious", "harm", "injur", "incident"} {
		if strings.Contains(l, w) {
			return "serious_harm"
		}
	}
	return ""
}
