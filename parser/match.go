package parser

import (
	"cmp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"unicode"
	"unicode/utf8"
)

// norm is the form of a label used for matching: lower case, apostrophes dropped,
// "e-mail" read as "email", "&" as "and", parenthesised asides and punctuation
// dropped, leading section numbers dropped, single spaces.
func norm(s string) string {
	var sb strings.Builder
	sb.Grow(len(s))
	depth := 0
	space := true
	for i := 0; i < len(s); {
		// ASCII, most of every form, without decoding or the unicode tables
		if c := s[i]; c < utf8.RuneSelf {
			i++
			switch {
			case c == '(' || c == '[':
				depth++
			case c == ')' || c == ']':
				if depth > 0 {
					depth--
				}
			case depth > 0 || c == '\'' || c == '`':
			case c == '&' || c == '+':
				if !space {
					sb.WriteByte(' ')
				}
				sb.WriteString("and ")
				space = true
			case 'a' <= c && c <= 'z' || '0' <= c && c <= '9':
				sb.WriteByte(c)
				space = false
			case 'A' <= c && c <= 'Z':
				sb.WriteByte(c + 'a' - 'A')
				space = false
			default:
				if !space {
					sb.WriteByte(' ')
					space = true
				}
			}
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		switch {
		case r == '(' || r == '[':
			depth++
			continue
		case r == ')' || r == ']':
			if depth > 0 {
				depth--
			}
			continue
		case depth > 0:
			continue
		case r == '\'' || r == '’' || r == '‘' || r == '`' || r == 'ʼ':
			continue
		case r == '&' || r == '+':
			if !space {
				sb.WriteByte(' ')
			}
			sb.WriteString("and ")
			space = true
			continue
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			sb.WriteRune(unicode.ToLower(r))
			space = false
		default:
			if !space {
				sb.WriteByte(' ')
				space = true
			}
		}
	}
	out := strings.TrimSpace(sb.String())
	if strings.Contains(out, "e mail") {
		out = strings.ReplaceAll(out, "e mail", "email")
	}
	// leading numbering: "1 1 childs details", "2 4 learning"
	for {
		i := strings.IndexByte(out, ' ')
		if i <= 0 || i > 3 || !isDigits(out[:i]) {
			break
		}
		out = out[i+1:]
	}
	return out
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

func wordCount(s string) int { return strings.Count(s, " ") + 1 }

type fieldRef struct {
	fi      int
	section string // "" matches in any section
}

type optRef struct {
	fi, oi int
	full   bool // matched the option's full label (not a short variant)
}

type tableMatcher struct {
	spec *TableSpec
	cols map[string]int // norm label → column index
	bare map[string]int // the same without spaces: a PDF's cell breaks words ("Relationshi p")
	// the longest key of cols (bare's are no longer): a longer cell names no column
	maxCol int
	groups map[string]string
}

// listMatcher finds a one-column table that lists a table's column (TableSpec.List).
type listMatcher struct {
	ti, col int
	labels  []string // the column's labels, normalised: a header row
	heads   []string // the table's label and headings, normalised: a line above it
}

// header reports whether n, a one-column table's first row, heads the list: the
// column's label ("Agency"), a longer heading starting with one ("Agencies asked
// for chronologies"), or the table's own label.
func (l *listMatcher) header(n string) bool {
	for _, c := range l.labels {
		if n == c || (len(n) > len(c) && n[len(c)] == ' ' && strings.HasPrefix(n, c)) {
			return true
		}
	}
	for _, h := range l.heads {
		if n == h {
			return true
		}
	}
	return false
}

// listHeading finds the list whose label or heading the line n is, or ends with
// ("… Chronologies and conversations will be requested from:").
func (m *matcher) listHeading(n string) *listMatcher {
	for i := range m.lists {
		for _, h := range m.lists[i].heads {
			if n == h || (len(n) > len(h) && n[len(n)-len(h)-1] == ' ' && strings.HasSuffix(n, h)) {
				return &m.lists[i]
			}
		}
	}
	return nil
}

// matcher is a FormSpec compiled for label matching.
type matcher struct {
	idx      int // the spec's place in specs (doc.fragment's cache)
	spec     *FormSpec
	fields   map[string][]fieldRef
	prefixes []string // field labels of 3+ words, longest first, for "label. guidance"
	sections map[string]string
	secLong  []string       // section headings of 4+ words, matched as prefixes
	secFirst map[string]int // section → its first field (a line under the bare heading answers it)
	other    map[string]bool
	options  map[string]optRef // norm option label (first 8 words) → option
	optShort map[string]optRef // variants: exact only
	tables   []tableMatcher
	lists    []listMatcher
	// the longest key of fields and of other: a longer text is neither, without
	// hashing it
	maxField, maxOther int
	titles             []string
	padded             []string // titles with a space either side
	fieldIdx           map[string]int
	long               []string // labels of 5+ words, padded with spaces, for fragment()
	// longBy and prefixBy index long and prefixes by each word a long label holds
	// and by a prefix's first word: a line's first word finds the few that can match.
	longBy   map[string][]string
	prefixBy map[string][]string
	// maxScore is the most a reading as this form can score (reading.score): every
	// key finish can write, and 2 for each table. readBest leaves a reading whose
	// most cannot beat one it has.
	maxScore int
}

// fragment reports whether n (4+ words) is a piece of a long label: a label
// wrapped over several lines (a PDF's text, a retyped form) is not an answer.
func (m *matcher) fragment(n string) bool {
	if wordCount(n) < 4 {
		return false
	}
	first, _, _ := strings.Cut(n, " ")
	cands := m.longBy[first]
	if len(cands) == 0 {
		return false
	}
	pn := " " + n + " "
	for _, l := range cands {
		if len(l) > len(pn) && strings.Contains(l, pn) {
			return true
		}
	}
	return false
}

var (
	matchersOnce sync.Once
	matchers     map[Kind]*matcher
	// labelKeys are the texts some form looks up whole: a field's label, a printed
	// heading, a section, an option's variant, a table's column. A line that is
	// none of them is looked up by none of the readings (lineBase.key).
	labelKeys map[string]bool
	// firstWords are the first words of the labels prefixField tries and the words
	// of the long labels fragment looks in: a line starting with none of them is
	// neither (lineBase.pfx, .frg).
	prefixFirst, longWord map[string]bool
	// titleBy finds the forms' titles (padded with a space either side) by their
	// first word, with the place of their form in specs (doc.titles).
	titleBy map[string][]titleRef
)

type titleRef struct {
	spec   int
	padded string
}

// firstWordKeys reports whether n's first word begins a prefix label, and whether
// it is a word of a long label, in any form.
func firstWordKeys(n string) (pfx, frg bool) {
	matcherFor(KindReferral)
	first, _, _ := strings.Cut(n, " ")
	return prefixFirst[first], longWord[first]
}

// isLabelKey reports whether some form would find n by a lookup of n whole.
func isLabelKey(n string) bool {
	matcherFor(KindReferral)
	return labelKeys[n]
}

func matcherFor(k Kind) *matcher {
	matchersOnce.Do(func() {
		matchers = map[Kind]*matcher{}
		labelKeys, prefixFirst, longWord = map[string]bool{}, map[string]bool{}, map[string]bool{}
		titleBy = map[string][]titleRef{}
		// compiled side by side: a command that parses one document pays for all
		// of them before its first reading
		ms := make([]*matcher, len(specs))
		panics := make([]any, len(specs))
		var wg sync.WaitGroup
		for i, s := range specs {
			wg.Go(func() {
				defer func() { panics[i] = recover() }() // raised below, where Parse recovers
				ms[i] = compile(s)
			})
		}
		wg.Wait()
		for _, p := range panics {
			if p != nil {
				panic(p)
			}
		}
		for i, s := range specs {
			m := ms[i]
			m.idx = i
			matchers[s.Kind] = m
			for k := range m.fields {
				labelKeys[k] = true
			}
			for k := range m.other {
				labelKeys[k] = true
			}
			for k := range m.sections {
				labelKeys[k] = true
			}
			for k := range m.optShort {
				labelKeys[k] = true
			}
			for _, t := range m.tables {
				for k := range t.cols {
					labelKeys[k] = true
				}
			}
			for k := range m.prefixBy {
				prefixFirst[k] = true
			}
			for k := range m.longBy {
				longWord[k] = true
			}
			for ti, t := range m.titles {
				if t == "" {
					continue
				}
				first, _, _ := strings.Cut(t, " ")
				titleBy[first] = append(titleBy[first], titleRef{i, m.padded[ti]})
			}
		}
		matchersReady.Store(true)
	})
	return matchers[k]
}

var matchersReady atomic.Bool

// warmMatchers starts compiling the matchers, if they are not yet, while the
// caller reads its first document (unzipping, the XML): a command that parses one
// document waits for them less. A panic there is the next matcherFor's to meet.
func warmMatchers() {
	if !matchersReady.Load() {
		go func() {
			defer func() { _ = recover() }()
			matcherFor(KindReferral)
		}()
	}
}

func firstWords(s string, n int) string {
	i := 0
	for k := 0; k < n; k++ {
		j := strings.IndexByte(s[i:], ' ')
		if j < 0 {
			return s
		}
		i += j + 1
	}
	return s[:i-1]
}

func compile(s *FormSpec) *matcher {
	labels, opts, short := 0, 0, 0 // the maps' sizes, so they do not grow as they fill
	for _, f := range s.Fields {
		labels += 2 + len(f.Local) + len(f.Variants)
		opts += len(f.Options)
		for _, o := range f.Options {
			short += 1 + len(o.Variants)
		}
	}
	m := &matcher{spec: s, fields: make(map[string][]fieldRef, labels), sections: map[string]string{},
		other: make(map[string]bool, len(s.Other)+8*len(s.Tables)), secFirst: map[string]int{}, options: make(map[string]optRef, opts),
		optShort: make(map[string]optRef, short), fieldIdx: make(map[string]int, len(s.Fields))}
	seenPrefix := map[string]bool{}
	addPrefix := func(n string) {
		if wordCount(n) >= 3 && !seenPrefix[n] {
			seenPrefix[n] = true
			m.prefixes = append(m.prefixes, n)
		}
	}
	for fi, f := range s.Fields {
		m.fieldIdx[f.Key] = fi
		if _, ok := m.secFirst[f.Section]; !ok && f.Section != "" {
			m.secFirst[f.Section] = fi
		}
		add := func(label, section string) {
			n := norm(label)
			if n == "" {
				return
			}
			for _, r := range m.fields[n] {
				if r.fi == fi && r.section == section {
					return
				}
			}
			m.fields[n] = append(m.fields[n], fieldRef{fi, section})
			if section == "" {
				addPrefix(n)
			}
		}
		add(f.Label, f.Section)
		for _, v := range f.Local {
			add(v, f.Section)
		}
		for _, v := range f.Variants {
			add(v, "")
		}
		add(strings.ReplaceAll(f.Key, "_", " "), "") // AcroForm fields are often named by key
		for oi, o := range f.Options {
			m.options[firstWords(norm(o.Label), 8)] = optRef{fi, oi, true}
			for _, v := range o.Variants {
				m.optShort[norm(v)] = optRef{fi, oi, false}
			}
			m.optShort[norm(strings.ReplaceAll(o.Key, "_", " "))] = optRef{fi, oi, false}
		}
	}
	for n := range m.fields {
		if wordCount(n) >= 5 {
			m.long = append(m.long, " "+n+" ")
		}
	}
	for _, f := range s.Fields {
		if n := norm(f.Hint); wordCount(n) >= 5 {
			m.long = append(m.long, " "+n+" ")
		}
	}
	for _, o := range s.Other {
		if n := norm(o); wordCount(n) >= 5 {
			m.long = append(m.long, " "+n+" ")
		}
	}
	sortByLenDesc(m.long) // a fixed order, so runs are repeatable
	// longest first, so "name of child" wins over "name"
	sortByLenDesc(m.prefixes)
	m.longBy, m.prefixBy = map[string][]string{}, map[string][]string{}
	for _, l := range m.long {
		for _, w := range strings.Fields(l) {
			if lst := m.longBy[w]; len(lst) == 0 || lst[len(lst)-1] != l { // once for a word said twice
				m.longBy[w] = append(lst, l)
			}
		}
	}
	for _, p := range m.prefixes {
		first, _, _ := strings.Cut(p, " ")
		m.prefixBy[first] = append(m.prefixBy[first], p)
	}
	for _, sec := range s.Sections {
		for _, l := range append([]string{sec.Label}, sec.Variants...) {
			n := norm(l)
			m.sections[n] = sec.Key
			if wordCount(n) >= 4 {
				m.secLong = append(m.secLong, n)
			}
		}
	}
	for _, o := range s.Other {
		m.other[norm(o)] = true
	}
	for _, t := range s.Tables {
		if n := norm(t.Label); n != "" && m.field(n, "") < 0 {
			m.other[n] = true
		}
		// a column heading met outside its table (a PDF's text) is not an answer
		for _, c := range t.Columns {
			if n := norm(c.Label); n != "" && len(m.fields[n]) == 0 {
				m.other[n] = true
			}
		}
	}
	for ti := range s.Tables {
		t := &s.Tables[ti]
		tm := tableMatcher{spec: t, cols: map[string]int{}, bare: map[string]int{}, groups: map[string]string{}}
		for ci, c := range t.Columns {
			for _, l := range append([]string{c.Label}, c.Variants...) {
				if n := norm(l); n != "" {
					if _, dup := tm.cols[n]; !dup {
						tm.cols[n] = ci
					}
					if b := strings.ReplaceAll(n, " ", ""); len(b) >= 8 {
						if _, dup := tm.bare[b]; !dup {
							tm.bare[b] = ci
						}
					}
				}
			}
		}
		for _, g := range t.Groups {
			for _, l := range append([]string{g.Label}, g.Variants...) {
				tm.groups[norm(l)] = g.Key
			}
		}
		for n := range tm.cols {
			tm.maxCol = max(tm.maxCol, len(n))
		}
		m.tables = append(m.tables, tm)
		if t.List == "" {
			continue
		}
		lm := listMatcher{ti: ti, col: -1}
		for ci, c := range t.Columns {
			if c.Key != t.List {
				continue
			}
			lm.col = ci
			for _, l := range append([]string{c.Label}, c.Variants...) {
				if n := norm(l); n != "" {
					lm.labels = append(lm.labels, n)
				}
			}
		}
		for _, l := range append([]string{t.Label}, t.Headings...) {
			if n := norm(l); n != "" {
				lm.heads = append(lm.heads, n)
			}
		}
		if lm.col >= 0 {
			m.lists = append(m.lists, lm)
		}
	}
	for n := range m.fields {
		m.maxField = max(m.maxField, len(n))
	}
	for n := range m.other {
		m.maxOther = max(m.maxOther, len(n))
	}
	m.maxScore = maxScore(s)
	for _, t := range append([]string{s.Title}, s.TitleVariants...) {
		m.titles = append(m.titles, norm(t))
		m.padded = append(m.padded, " "+norm(t)+" ")
	}
	return m
}

// maxScore is the matcher's maxScore: the keys extraction.finish can write (each
// field's, "incident_kind" beside an incident date, a date range's "_to" beside
// its "_from"), and 2 for each table name.
func maxScore(s *FormSpec) int {
	keys := map[string]bool{}
	for _, f := range s.Fields {
		keys[f.Key] = true
		switch {
		case f.Type == IncidentDate:
			keys["incident_kind"] = true
		case f.Type == DateRange && strings.HasSuffix(f.Key, "_from"):
			keys[strings.TrimSuffix(f.Key, "_from")+"_to"] = true
		}
	}
	tables := map[string]bool{}
	for _, t := range s.Tables {
		tables[t.Name] = true
	}
	return len(keys) + 2*len(tables)
}

func sortByLenDesc(ss []string) {
	slices.SortStableFunc(ss, func(a, b string) int { return cmp.Compare(len(b), len(a)) })
}

// field finds the field a normalised label names in the current section: a label
// of that section first, then one valid anywhere.
func (m *matcher) field(n, section string) int {
	if len(n) > m.maxField {
		return -1
	}
	refs := m.fields[n]
	if len(refs) == 0 {
		return -1
	}
	if section != "" {
		for _, r := range refs {
			if r.section == section {
				return r.fi
			}
		}
	}
	for _, r := range refs {
		if r.section == "" {
			return r.fi
		}
	}
	return -1
}

// prefixField finds the longest field label that starts n and is followed by more
// words (guidance printed after the label).
func (m *matcher) prefixField(n, section string) (int, string) {
	first, _, _ := strings.Cut(n, " ")
	for _, p := range m.prefixBy[first] {
		if len(n) > len(p) && n[len(p)] == ' ' && strings.HasPrefix(n, p) {
			if fi := m.field(p, section); fi >= 0 {
				return fi, n[len(p)+1:]
			}
		}
	}
	return -1, ""
}

// section reports whether n is a section heading, and which.
func (m *matcher) section(n string) (string, bool) { return m.sectionKey(n, true) }

// sectionKey is section, told whether n is a label key (isLabelKey) at all.
func (m *matcher) sectionKey(n string, key bool) (string, bool) {
	if key {
		if k, ok := m.sections[n]; ok {
			return k, true
		}
	}
	for _, p := range m.secLong {
		if strings.HasPrefix(n, p) {
			return m.sections[p], true
		}
	}
	// the first line of a long heading the page wrapped ("Please give the details
	// of the designated safeguarding lead/officer" / "with whom you have …")
	if wordCount(n) >= 6 {
		for _, p := range m.secLong {
			if len(p) > len(n) && p[len(n)] == ' ' && strings.HasPrefix(p, n) {
				return m.sections[p], true
			}
		}
	}
	return "", false
}

// option finds the Choice/MultiChoice option a line names.
func (m *matcher) option(n string) (optRef, bool) {
	if len(m.options) == 0 || n == "" {
		return optRef{}, false
	}
	if r, ok := m.options[firstWords(n, 8)]; ok {
		return r, true
	}
	if r, ok := m.optShort[n]; ok {
		return r, true
	}
	return optRef{}, false
}

// column finds the column a header cell names: its whole text, its first
// paragraph or its first line; in a PDF also with the spaces taken out.
func (t *tableMatcher) column(cands []string, pdf bool) int { return t.columnKeys(cands, 3, pdf) }

// columnKeys is column, told which of the candidates (a bit each) are label keys.
func (t *tableMatcher) columnKeys(cands []string, keys uint8, pdf bool) int {
	for i, c := range cands {
		if len(c) > t.maxCol || i < 8 && keys&(1<<i) == 0 {
			continue
		}
		if ci, ok := t.cols[c]; ok {
			return ci
		}
	}
	if !pdf {
		return -1
	}
	for _, c := range cands {
		if len(c)-strings.Count(c, " ") > t.maxCol {
			continue
		}
		if ci, ok := t.bare[strings.ReplaceAll(c, " ", "")]; ok {
			return ci
		}
	}
	return -1
}

// isOther reports whether n is a label the form prints whose answer is not kept.
func (m *matcher) isOther(n string) bool { return len(n) <= m.maxOther && m.other[n] }
