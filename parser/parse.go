package parser

import (
	"bytes"
	"errors"
	"fmt"
	"path"
	"sort"
	"strings"
	"unicode/utf8"
)

// Parse reads one document (a form attachment) and says what it answers. The format
// is found from the content, not the name; name only fills Form.File. An error
// wraps ErrEncrypted, ErrUnsupported, ErrCorrupt or ErrTooLarge.
func Parse(name string, data []byte, opts Options) (f *Form, err error) {
	defer func() {
		// A bug must cost one document, never the daemon.
		if r := recover(); r != nil {
			f, err = nil, fmt.Errorf("internal error reading the document (%v): %w", r, ErrCorrupt)
		}
	}()
	warmMatchers()
	d, err := load(data, opts, newBudget(opts.Limits), 0)
	if err != nil {
		ext := strings.ToLower(path.Ext(name))
		if (ext == ".docx" || ext == ".docm" || ext == ".odt") && !bytes.HasPrefix(data, magicZip) && !bytes.HasPrefix(data, magicOLE) && !errors.Is(err, ErrCorrupt) {
			return nil, fmt.Errorf("named %s but is not one (%w): %w", ext, err, ErrCorrupt)
		}
		return nil, err
	}
	f = d.extract()
	f.File = path.Base(strings.ReplaceAll(name, "\\", "/"))
	if name == "" {
		f.File = ""
	}
	return f, nil
}

var (
	magicZip  = []byte("PK\x03\x04")
	magicOLE  = []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}
	magicPDF  = []byte("%PDF")
	magicTNEF = []byte{0x78, 0x9F, 0x3E, 0x22}
	magicRTF  = []byte("{\\rtf")
)

// load turns the bytes into the document model, charging what it reads to bud.
func load(data []byte, opts Options, bud *budget, depth int) (*doc, error) {
	lim := bud.lim
	if int64(len(data)) > lim.MaxInput {
		return nil, errTooLarge("file size", lim.MaxInput)
	}
	d := &doc{norms: map[string]string{}, readAll: opts.readAll}
	switch {
	case len(data) == 0:
		return nil, fmt.Errorf("the file is empty: %w", ErrCorrupt)
	case bytes.HasPrefix(data, magicZip) || bytes.HasPrefix(data, []byte("PK\x05\x06")):
		zr, err := openZip(data, lim)
		if err != nil {
			return nil, err
		}
		if mt := zipFile(zr, "mimetype"); mt != nil {
			raw, err := readZipFile(mt, bud)
			if err != nil {
				return nil, err
			}
			m := strings.TrimSpace(string(raw))
			if m != "application/vnd.oasis.opendocument.text" {
				return nil, fmt.Errorf("OpenDocument %q is not a text document; please send it as .docx or .odt: %w", m, ErrUnsupported)
			}
			d.blocks, err = readODT(zr, bud)
			if err != nil {
				return nil, err
			}
			return d, nil
		}
		if zipFile(zr, "word/document.xml") == nil && zipFile(zr, "[Content_Types].xml") != nil {
			if zipFile(zr, "xl/workbook.xml") != nil || zipFile(zr, "ppt/presentation.xml") != nil {
				return nil, fmt.Errorf("a spreadsheet or presentation is not a form; please send the form as .docx: %w", ErrUnsupported)
			}
		}
		if zipFile(zr, "[Content_Types].xml") == nil && zipFile(zr, "word/document.xml") == nil {
			return nil, fmt.Errorf("a zip archive that is not a Word or OpenDocument file: %w", ErrUnsupported)
		}
		d.blocks, d.extra, d.notes, err = readDocx(zr, bud)
		if err != nil {
			return nil, err
		}
		return d, nil
	case bytes.HasPrefix(data, magicOLE):
		raw, err := decryptOOXML(data, opts.Passwords)
		if err != nil {
			return nil, err
		}
		if depth > 0 || !bytes.HasPrefix(raw, magicZip) {
			return nil, fmt.Errorf("the decrypted document is not a Word package: %w", ErrCorrupt)
		}
		return load(raw, opts, bud, depth+1)
	case bytes.HasPrefix(data, magicPDF) || bytes.Contains(data[:min(len(data), 1024)], magicPDF):
		pc, err := extractPDF(data)
		if err != nil {
			return nil, err
		}
		d.blocks = pdfBlocks(pc)
		if err := chargeBlocks(bud, d.blocks); err != nil {
			return nil, err
		}
		d.wrapped = true
		return d, nil
	case bytes.HasPrefix(data, magicTNEF):
		return loadTNEF(data, opts, bud, depth)
	case bytes.HasPrefix(data, magicRTF):
		return nil, fmt.Errorf("RTF is not supported; please send the form as .docx: %w", ErrUnsupported)
	}
	if bytes.IndexByte(data[:min(len(data), 4096)], 0) >= 0 {
		return nil, fmt.Errorf("not a document we can read; please send the form as .docx: %w", ErrUnsupported)
	}
	text := decodeText(data)
	if looksHTML(text) {
		bs, err := readHTML(text, bud)
		if err != nil {
			return nil, err
		}
		d.blocks, d.extra = splitQuoted(bs)
		d.body = true
		return d, nil
	}
	if err := bud.addText(len(text)); err != nil {
		return nil, err
	}
	if n := strings.Count(text, "\n"); n >= lim.MaxBlocks-bud.blocks {
		return nil, errTooLarge("number of paragraphs, rows and cells in the document", int64(lim.MaxBlocks))
	}
	d.blocks, d.extra = splitQuoted(linesToBlocks(strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n")))
	d.body = true
	return d, nil
}

// decodeText reads text as UTF-8, or as Windows-1252 when it is not valid UTF-8.
func decodeText(data []byte) string {
	data = bytes.TrimPrefix(data, []byte("\xEF\xBB\xBF"))
	if utf8.Valid(data) {
		return string(data)
	}
	var sb strings.Builder
	for _, b := range data {
		if b < 0x80 {
			sb.WriteByte(b)
		} else if r := cp1252[b]; r != 0 {
			sb.WriteRune(r)
		} else {
			sb.WriteRune(rune(b))
		}
	}
	return sb.String()
}

var cp1252 = map[byte]rune{0x80: '€', 0x91: '‘', 0x92: '’', 0x93: '“', 0x94: '”', 0x96: '–', 0x97: '—', 0x85: '…', 0xA3: '£'}

func looksHTML(s string) bool {
	head := strings.ToLower(s[:min(len(s), 2048)])
	return strings.Contains(head, "<html") || strings.Contains(head, "<!doctype html") ||
		strings.Contains(head, "<body") || strings.Contains(head, "<table") || strings.Contains(head, "<p>") || strings.Contains(head, "<div")
}

// pdfBlocks makes the model of a PDF: its AcroForm fields first (as "name: value"
// lines, so a field's value wins over the text drawn for it), then its text lines.
func pdfBlocks(pc *pdfContent) []block {
	names := make([]string, 0, len(pc.Fields))
	for k := range pc.Fields {
		names = append(names, k)
	}
	sort.Strings(names)
	var bs []block
	for _, k := range names {
		v := pc.Fields[k]
		if strings.EqualFold(v, "off") {
			continue
		}
		bs = append(bs, block{text: strings.TrimSpace(k) + ":\t" + v})
	}
	lines := pc.Blocks
	if lines == nil {
		lines = linesToBlocks(pc.Lines)
	}
	if len(bs) == 0 {
		return lines
	}
	// The title stays on top (classification looks there); "Form fields:" and
	// "Form text:" end any answer being collected across the seams.
	head := min(len(lines), 6)
	out := append([]block{}, lines[:head]...)
	out = append(out, block{text: "Form fields:"})
	out = append(out, bs...)
	out = append(out, block{text: "Form text:"})
	return append(out, lines[head:]...)
}

// answersScoping reports whether a scoping return answers any of the form's
// questions (beyond who completed it and how to reach them).
func answersScoping(f *Form) bool {
	for _, k := range []string{"child_known", "family_known", "family_members_known", "involvement_summary",
		"open_now", "records_secured", "immediate_concerns", "learning"} {
		if _, ok := f.Fields[k]; ok {
			return true
		}
	}
	return len(f.Tables) > 0
}

// answersNotKnown reports whether a body too short to be taken for the scoping
// form answers its two questions no ("Q: Is the child known to your agency?
// A: No"), and nothing else it answers says yes.
func answersNotKnown(d *doc, rs []reading) bool {
	for i := range rs {
		r := &rs[i]
		if r.kind != KindScopingReturn {
			continue
		}
		d.walk(r) // readBest may have left it: it could not win
		if r.fields["child_known"] != "no" || r.fields["family_known"] != "no" {
			return false
		}
		for _, v := range r.fields {
			if v == "yes" {
				return false
			}
		}
		return true
	}
	return false
}

// loadTNEF opens Outlook's winmail.dat and reads the first attachment that is a
// form we know; failing that, the first that reads at all.
func loadTNEF(data []byte, opts Options, bud *budget, depth int) (*doc, error) {
	if depth > 0 {
		return nil, fmt.Errorf("winmail.dat inside winmail.dat: %w", ErrUnsupported)
	}
	atts, err := extractTNEF(data)
	if err != nil {
		return nil, err
	}
	var firstOK *doc
	var firstErr error
	for _, a := range atts {
		if err := bud.addPart("winmail.dat attachment " + a.Name); err != nil {
			return nil, err
		}
		d, err := load(a.Data, opts, bud, depth+1)
		if errors.Is(err, ErrTooLarge) {
			return nil, fmt.Errorf("winmail.dat attachment %s: %w", a.Name, err)
		}
		if err != nil {
			if firstErr == nil {
				firstErr = fmt.Errorf("winmail.dat attachment %s: %w", a.Name, err)
			}
			continue
		}
		if d.classify() != KindUnknown {
			return d, nil
		}
		if firstOK == nil {
			firstOK = d
		}
	}
	if firstOK != nil {
		return firstOK, nil
	}
	if firstErr != nil {
		return nil, firstErr
	}
	return nil, fmt.Errorf("winmail.dat holds no attachment: %w", ErrUnsupported)
}

// ---- classification ----

const titleLines = 14

// topLines are the first non-empty lines of the document, tables included, where a
// form's title is looked for.
func (d *doc) topLines() []string {
	var out []string
	var visit func(bs []block) bool
	visit = func(bs []block) bool {
		for _, b := range bs {
			if b.table != nil {
				for _, r := range b.table.rows {
					for _, c := range r.cells {
						if visit(c.blocks) {
							return true
						}
					}
				}
				continue
			}
			for _, l := range strings.Split(b.text, "\n") {
				if n := d.norm(l); n != "" {
					out = append(out, n)
					if len(out) >= titleLines {
						return true
					}
				}
			}
		}
		return false
	}
	visit(d.blocks)
	return out
}

type reading struct {
	kind   Kind
	m      *matcher
	x      *extraction
	fields map[string]string
	score  int
	title  int  // line of the first title hit, -1 none
	done   bool // walked: x, fields and score are set (readBest walks only those that could win)
}

// readings are the document's readings as each kind of form, titles found, none
// yet walked.
func (d *doc) readings() []reading {
	if !d.qaDone {
		d.blocks, d.qaDone = unQA(d.blocks), true
	}
	d.presize()
	titles := findTitles(d.topLines())
	out := make([]reading, len(specs))
	for i, s := range specs {
		out[i] = reading{kind: s.Kind, m: matcherFor(s.Kind), title: titles[i]}
	}
	return out
}

// findTitles says, for each form of specs, in which of the top lines its title
// (or a variant) first stands as whole words, -1 none. A title is looked for only
// where a line's word is its first word (titleBy).
func findTitles(top []string) []int {
	matcherFor(KindReferral)
	titles := make([]int, len(specs))
	for i := range titles {
		titles[i] = -1
	}
	for li, l := range top {
		p := " " + l + " " // titles are looked for as whole words
		for i := 0; i < len(p)-1; {
			j := strings.IndexByte(p[i+1:], ' ')
			if j < 0 {
				break
			}
			for _, t := range titleBy[p[i+1:i+1+j]] {
				if titles[t.spec] < 0 && strings.HasPrefix(p[i:], t.padded) {
					titles[t.spec] = li
				}
			}
			i += 1 + j
		}
	}
	return titles
}

// walk reads the document as r's kind of form, once.
func (d *doc) walk(r *reading) {
	if r.done {
		return
	}
	x := newExtraction(d, r.m)
	x.walk(d.blocks)
	r.x, r.fields, r.done = x, x.finish(), true
	r.score = len(r.fields)
	for _, rows := range x.tables {
		if len(rows) > 0 {
			r.score += 2
		}
	}
}

// read walks every reading.
func (d *doc) read() []reading {
	rs := d.readings()
	for i := range rs {
		d.walk(&rs[i])
	}
	return rs
}

// readBest walks the readings that could be the best one and says which is: the
// same as best(d.read(), d.body), without walking a kind whose highest possible
// rank (its matcher's maxScore, and its title) cannot beat a reading walked. A
// filled form is then read once, not once per kind (issue 11.4).
func (d *doc) readBest() ([]reading, *reading) {
	rs := d.readings()
	if d.readAll {
		for i := range rs {
			d.walk(&rs[i])
		}
		return rs, best(rs, d.body)
	}
	ft := firstTitle(rs)
	for {
		b := best(rs, d.body)
		bi, bs := -1, 0
		if b != nil {
			bi, bs = int(b.idx(rs)), b.rank(ft)
		}
		next, nextUB := -1, 0
		for i := range rs {
			r := &rs[i]
			if r.done || (r.title < 0 && r.m.maxScore < 3) {
				continue // walked, or never known
			}
			ub := 2*r.m.maxScore + titleBonus(r.title, ft)
			if ub <= 0 || (b != nil && (ub < bs || ub == bs && i > bi)) {
				continue // cannot beat b (best keeps the first of equal ranks)
			}
			if next < 0 || ub > nextUB {
				next, nextUB = i, ub
			}
		}
		if next < 0 {
			return rs, b
		}
		d.walk(&rs[next])
	}
}

func (r *reading) idx(rs []reading) int {
	for i := range rs {
		if &rs[i] == r {
			return i
		}
	}
	return -1
}

func firstTitle(rs []reading) int {
	ft := -1
	for _, r := range rs {
		if r.title >= 0 && (ft < 0 || r.title < ft) {
			ft = r.title
		}
	}
	return ft
}

func titleBonus(title, firstTitle int) int {
	switch {
	case title >= 0 && title == firstTitle:
		return 16
	case title >= 0:
		return 6
	}
	return 0
}

// rank is what best compares a walked reading by.
func (r *reading) rank(firstTitle int) int { return r.score*2 + titleBonus(r.title, firstTitle) }

// best picks the reading of the document as the kind it most looks like, among
// those walked.
func best(rs []reading, body bool) *reading {
	ft := firstTitle(rs)
	var b *reading
	bestScore := 0
	for i := range rs {
		r := &rs[i]
		if !r.done {
			continue
		}
		if r.score == 0 && (body || r.title < 0 || r.title != ft) {
			continue // a blank form is still its kind; a mail that names one is not
		}
		s := r.rank(ft)
		known := r.title >= 0 || r.score >= 3
		if known && s > bestScore {
			b, bestScore = r, s
		}
	}
	return b
}

func (d *doc) classify() Kind {
	if _, b := d.readBest(); b != nil {
		return b.kind
	}
	return KindUnknown
}

func (d *doc) extract() *Form {
	f := &Form{Kind: KindUnknown, Fields: map[string]string{}, Tables: map[string][]map[string]string{}, Warnings: append([]string{}, d.notes...)}
	rs, b := d.readBest()
	if b != nil {
		f.Kind = b.kind
		f.Fields = b.fields
		for name, rows := range b.x.tables {
			if len(rows) > 0 {
				f.Tables[name] = rows
			}
		}
		f.Warnings = append(f.Warnings, b.x.warnings...)
		for _, k := range Spec(b.kind).Required {
			if _, ok := f.Fields[k]; !ok {
				f.Warnings = append(f.Warnings, strings.ReplaceAll(k, "_", " ")+" missing")
			}
		}
		if v, ok := f.Fields["case_ref"]; ok {
			if ref := findCaseRef(v); ref != "" {
				f.CaseRef = ref
				f.Fields["case_ref"] = ref
			}
		}
	}
	if f.Kind == KindReferral && d.body {
		// A referral typed into an email is signed by its referrer.
		if name, agency, contact := signature(d.blocks); name != "" {
			fill := func(k, v string) {
				if _, ok := f.Fields[k]; !ok && v != "" {
					f.Fields[k] = v
				}
			}
			fill("referrer_name", name)
			fill("referrer_agency", agency)
			fill("referrer_contact", strings.Join(contact, "\n"))
			if e := findEmail(f.Fields["referrer_contact"]); e != "" {
				fill("referrer_email", e)
			}
		}
	}
	// A nil return: an email body, or a letter (.odt, .docx, PDF), that is no form
	// and says the child and family are not known; also one that carries the
	// scoping form's title (a letter's subject line) but answers none of its
	// questions, its letterhead's telephone and the like being no answers. Our
	// own form sent back blank is no letter: it prints its questions (and says a
	// reply may say the agency "has had no involvement").
	if f.Kind == KindUnknown || (f.Kind == KindScopingReturn && !answersScoping(f) && b.x.labels <= 3) {
		var sb strings.Builder
		allText(d.blocks, &sb)
		if isNilReturn(sb.String()) || (f.Kind == KindUnknown && d.body && answersNotKnown(d, rs)) {
			f.Kind = KindScopingReturn
			f.Fields = map[string]string{"child_known": "no", "family_known": "no"}
			f.Tables = map[string][]map[string]string{}
			f.Warnings = append([]string{}, d.notes...)
			if ref := findCaseRef(sb.String()); ref != "" {
				f.Fields["case_ref"] = ref
			}
		}
	}
	if f.CaseRef == "" {
		var sb strings.Builder
		allText(d.blocks, &sb)
		f.CaseRef = findCaseRef(sb.String())
		if f.CaseRef == "" {
			f.CaseRef = findCaseRef(d.extra)
		}
	}
	// forms.md: a scoping return's fields.case_ref is present exactly when case_ref is
	// (a reply's "Subject: RE: LSCP-2026-007 …" gives both).
	if f.Kind == KindScopingReturn && f.CaseRef != "" {
		f.Fields["case_ref"] = f.CaseRef
	}
	return f
}
