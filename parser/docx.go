package parser

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"html"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"
)

const (
	glyphTicked   = "☒"
	glyphUnticked = "☐"
)

var reMainPart = lazyRegexp(`PartName="([^"]+)"\s+ContentType="application/vnd\.openxmlformats-officedocument\.wordprocessingml\.document\.main\+xml"|ContentType="application/vnd\.openxmlformats-officedocument\.wordprocessingml\.document\.main\+xml"\s+PartName="([^"]+)"`)

// readDocx reads the body of a .docx package into the document model. extra gets
// the text of headers and footers (searched for the case reference only); notes says
// what was left unread. Every part read is charged to the document's budget: the
// body past a cap is an error, headers and footers past it are left unread (they
// only carry the case reference), with a note.
func readDocx(zr *zip.Reader, bud *budget) (body []block, extra string, notes []string, err error) {
	f := zipFile(zr, "word/document.xml")
	if f == nil {
		if ct := zipFile(zr, "[Content_Types].xml"); ct != nil {
			raw, err := readZipFile(ct, bud)
			if err != nil {
				return nil, "", nil, err
			}
			if m := reMainPart().FindSubmatch(raw); m != nil {
				name := string(m[1]) + string(m[2])
				f = zipFile(zr, name)
			}
		}
	}
	if f == nil {
		return nil, "", nil, fmt.Errorf("no word/document.xml in the package: %w", ErrCorrupt)
	}
	links := mailtoLinks(zr, f.Name, bud)
	rc, err := openZipStream(f, bud)
	if err != nil {
		return nil, "", nil, err
	}
	defer rc.Close()
	body, err = readWordXMLLinks(rc, int64(f.UncompressedSize64), bud, links)
	if err != nil {
		return nil, "", nil, err
	}
	var sb strings.Builder
	for _, zf := range zr.File {
		if !strings.HasPrefix(zf.Name, "word/header") && !strings.HasPrefix(zf.Name, "word/footer") {
			continue
		}
		if zf.UncompressedSize64 > maxHeaderPart {
			continue
		}
		if sb.Len() >= maxHeaderText {
			notes = append(notes, "headers and footers past the first "+strconv.Itoa(maxHeaderText>>10)+" KiB of their text were not read")
			break
		}
		raw, err := readZipFile(zf, bud)
		if errors.Is(err, ErrTooLarge) {
			notes = append(notes, "headers and footers not read: "+err.Error())
			break
		}
		if err != nil {
			continue
		}
		t := reTags().ReplaceAll(raw, []byte(" "))
		t = t[:min(len(t), maxHeaderText-sb.Len())]
		if err := bud.addText(len(t)); err != nil {
			notes = append(notes, "headers and footers not read: "+err.Error())
			break
		}
		sb.Write(t)
		sb.WriteByte('\n')
	}
	return body, sb.String(), notes, nil
}

const (
	maxHeaderPart = 1 << 20   // bytes of one header or footer part read
	maxHeaderText = 256 << 10 // characters of header and footer text kept, all parts together
)

var reTags = lazyRegexp(`<[^>]*>`)

var reRel = lazyRegexp(`<Relationship\s[^>]*>`)

// mailtoLinks reads the main part's relationships for mailto: hyperlink targets,
// by relationship id. A part that cannot be read gives none: links are a nicety.
func mailtoLinks(zr *zip.Reader, main string, bud *budget) map[string]string {
	dir, file := "", main
	if i := strings.LastIndexByte(main, '/'); i >= 0 {
		dir, file = main[:i+1], main[i+1:]
	}
	f := zipFile(zr, dir+"_rels/"+file+".rels")
	if f == nil || f.UncompressedSize64 > maxHeaderPart {
		return nil
	}
	raw, err := readZipFile(f, bud)
	if err != nil {
		return nil
	}
	links := map[string]string{}
	if !bytes.Contains(raw, []byte("&")) && !containsFoldASCII(raw, "mailto:") {
		return links // no target can be a mailto: one
	}
	for _, m := range relationships(raw) {
		if addr := mailtoAddr(relAttr(m, "Target")); addr != "" {
			if id := relAttr(m, "Id"); id != "" {
				links[id] = addr
			}
		}
	}
	return links
}

func relAttr(tag []byte, name string) string {
	i := strings.Index(string(tag), " "+name+"=\"")
	if i < 0 {
		return ""
	}
	v := string(tag[i+len(name)+3:])
	j := strings.IndexByte(v, '"')
	if j < 0 {
		return ""
	}
	return html.UnescapeString(v[:j])
}

// wordReader builds the model from WordprocessingML as it streams past.
type wordReader struct {
	lim    Limits
	bud    *budget
	dec    *xml.Decoder // the part streamed, or
	sc     *xmlScan     // the part read whole
	depth  int
	body   []block
	conts  []*[]block // where finished blocks go: the body or the open cell
	tables []*table
	cells  []*cell
	// open paragraphs (text boxes nest them); a closed one's bytes are kept past
	// the slice's length for the next one opened at its depth
	paras    []para
	paraSeq  int             // paragraphs opened: each one's seq
	pending  strings.Builder // glyphs met outside any paragraph
	cdata    []byte          // charData's text, read again for each w:t
	fields   []bool          // open complex fields: true once past "separate"
	sdts     []sdtState
	suppress int // >0: inside placeholder or check-box content whose text is not the answer
	ffCheck  *ffCheckState
	struck   bool              // the run is struck through: a hand-deleted option ("Yes / ~~No~~")
	links    map[string]string // mailto: targets by relationship id
	mailto   string            // the open hyperlink's address
	linkPara int               // the seq of the paragraph it opened in
	linkAt   int               // that paragraph's length when it opened
	open     []xml.Name        // elements open, as written (next)
	ns       []nsDecl          // namespace declarations in force (space)
}

// para is an open paragraph's text.
type para struct {
	text []byte
	seq  int
}

type sdtState struct {
	checkbox    bool
	checked     bool
	placeholder bool
	suppressing bool
}

type ffCheckState struct {
	def, checked bool
	hasChecked   bool
}

func readWordXML(r io.Reader, bud *budget) ([]block, error) {
	return readWordXMLLinks(r, -1, bud, nil)
}

// readWordXMLLinks reads document.xml, size bytes (-1 not known); links are the
// mailto: targets of its hyperlinks by relationship id, so a link that shows a name
// keeps its address. A part of up to wholePart bytes is read whole and scanned by
// hand (xmlscan.go); one that cannot be read whole is streamed as far as it could be
// read, so that the reader's error comes where it would have.
func readWordXMLLinks(r io.Reader, size int64, bud *budget, links map[string]string) ([]block, error) {
	if size >= 0 && size <= wholePart {
		buf := bytes.NewBuffer(make([]byte, 0, size+bytes.MinRead))
		_, err := buf.ReadFrom(r)
		if err == nil {
			return readWordXMLBytes(buf.Bytes(), bud, links)
		}
		r = io.MultiReader(bytes.NewReader(buf.Bytes()), errReader{err})
	}
	w := &wordReader{lim: bud.lim, bud: bud, dec: xml.NewDecoder(r), links: links}
	return w.read()
}

// readWordXMLBytes reads a document.xml held whole, with the hand scanner.
func readWordXMLBytes(data []byte, bud *budget, links map[string]string) ([]block, error) {
	w := &wordReader{lim: bud.lim, bud: bud, sc: newXMLScan(data), links: links}
	return w.read()
}

func (w *wordReader) read() ([]block, error) {
	w.conts = []*[]block{&w.body}
	if err := w.run(); err != nil {
		return nil, err
	}
	return w.body, nil
}

func attr(se xml.StartElement, local string) (string, bool) {
	for _, a := range se.Attr {
		if a.Name.Local == local {
			return a.Value, true
		}
	}
	return "", false
}

// onOff reads a w:val of an on/off property: absent means on.
func onOff(se xml.StartElement) bool {
	v, ok := attr(se, "val")
	if !ok {
		return true
	}
	switch strings.ToLower(v) {
	case "0", "false", "off":
		return false
	}
	return true
}

func (w *wordReader) emit(s string) error {
	if s == "" {
		return nil
	}
	if err := w.bud.addText(len(s)); err != nil {
		return err
	}
	if n := len(w.paras); n > 0 {
		w.paras[n-1].text = append(w.paras[n-1].text, s...)
	} else {
		w.pending.WriteString(s)
	}
	return nil
}

// emitBytes is emit of text read into a buffer of the reader's: it is copied.
func (w *wordReader) emitBytes(s []byte) error {
	if len(s) == 0 {
		return nil
	}
	if err := w.bud.addText(len(s)); err != nil {
		return err
	}
	if n := len(w.paras); n > 0 {
		w.paras[n-1].text = append(w.paras[n-1].text, s...)
	} else {
		w.pending.Write(s)
	}
	return nil
}

func (w *wordReader) textAllowed() bool {
	if w.suppress > 0 {
		return false
	}
	for _, inResult := range w.fields {
		if !inResult {
			return false
		}
	}
	return true
}

func (w *wordReader) addBlock(b block) {
	c := w.conts[len(w.conts)-1]
	*c = append(*c, b)
}

func (w *wordReader) run() error {
	var tok token
	for {
		err := w.next(&tok)
		if err == io.EOF {
			break
		}
		if err != nil {
			var se *xml.SyntaxError
			if errors.As(err, &se) {
				return fmt.Errorf("document.xml is not well-formed (%v): %w", err, ErrCorrupt)
			}
			if errors.Is(err, ErrTooLarge) || errors.Is(err, ErrCorrupt) {
				return err
			}
			return fmt.Errorf("document.xml (%v): %w", err, ErrCorrupt)
		}
		switch tok.kind {
		case tokStart:
			w.depth++
			if w.depth > w.lim.MaxDepth {
				return errTooLarge("XML nesting depth", int64(w.lim.MaxDepth))
			}
			if err := w.bud.addNode(); err != nil {
				return err
			}
			if err := w.start(tok.start); err != nil {
				return err
			}
		case tokEnd:
			w.depth--
			if err := w.end(xml.EndElement{Name: tok.end}); err != nil {
				return err
			}
		}
	}
	// Blocks still open in a truncated document are kept as far as they go.
	for len(w.paras) > 0 {
		w.closePara()
	}
	return nil
}

// skip consumes the element just started, counting it as closed.
func (w *wordReader) skip() error {
	var tok token
	w.depth--
	for depth := 0; ; {
		err := w.next(&tok)
		if err != nil {
			return fmt.Errorf("document.xml (%v): %w", err, ErrCorrupt)
		}
		switch tok.kind {
		case tokStart:
			depth++
		case tokEnd:
			if depth == 0 {
				return nil
			}
			depth--
		}
	}
}

// next is the next token as the decoder's Token gives it, read with RawToken:
// Token's checks that each end tag closes the element open (with its errors) are
// made here, and Token's translation of every name's namespace prefix, which
// cost a quarter of the reading, is left to space, for the one element that
// asks (w14:checked).
func (w *wordReader) next(tok *token) error {
	var err error
	if w.sc != nil {
		err = w.sc.next(tok)
	} else {
		var t xml.Token
		if t, err = w.dec.RawToken(); t != nil {
			*tok, err = fromXML(t), nil
		}
	}
	if err != nil {
		if err == io.EOF && len(w.open) > 0 {
			return w.syntaxError("unexpected EOF")
		}
		return err
	}
	switch tok.kind {
	case tokStart:
		t := tok.start
		w.open = append(w.open, t.Name)
		for _, a := range t.Attr {
			if a.Name.Space == "xmlns" {
				w.ns = append(w.ns, nsDecl{len(w.open), a.Name.Local, a.Value})
			} else if a.Name.Space == "" && a.Name.Local == "xmlns" {
				w.ns = append(w.ns, nsDecl{len(w.open), "", a.Value})
			}
		}
	case tokEnd:
		e := tok.end
		n := len(w.open)
		if n == 0 {
			return w.syntaxError("unexpected end element </" + e.Local + ">")
		}
		s := w.open[n-1]
		switch {
		case s.Local != e.Local:
			return w.syntaxError("element <" + s.Local + "> closed by </" + e.Local + ">")
		case s.Space != e.Space:
			ns := e.Space
			if ns == "" {
				ns = `""`
			}
			return w.syntaxError("element <" + s.Local + "> in space " + s.Space + " closed by </" + e.Local + "> in space " + ns)
		}
		w.open = w.open[:n-1]
		for len(w.ns) > 0 && w.ns[len(w.ns)-1].depth >= n {
			w.ns = w.ns[:len(w.ns)-1]
		}
	}
	return nil
}

func (w *wordReader) syntaxError(msg string) error {
	if w.sc != nil {
		return &xml.SyntaxError{Msg: msg, Line: w.sc.lineNow()}
	}
	line, _ := w.dec.InputPos()
	return &xml.SyntaxError{Msg: msg, Line: line}
}

type nsDecl struct {
	depth       int // of the element that declares it
	prefix, url string
}

// space is the namespace of an element's name as Token translates it: the URL its
// prefix is bound to where it stands.
func (w *wordReader) space(n xml.Name) string {
	p := n.Space
	switch {
	case p == "xmlns":
		return p
	case p == "xml":
		p = "http://www.w3.org/XML/1998/namespace"
	case p == "" && n.Local == "xmlns":
		return p
	}
	for i := len(w.ns) - 1; i >= 0; i-- {
		if w.ns[i].prefix == p {
			return w.ns[i].url
		}
	}
	return p // unbound: the prefix itself ("" for none, the decoder's DefaultSpace)
}

func (w *wordReader) start(se xml.StartElement) error {
	switch se.Name.Local {
	case "p":
		if err := w.bud.addBlock(); err != nil {
			return err
		}
		w.paraSeq++
		if n := len(w.paras); n < cap(w.paras) {
			w.paras = w.paras[:n+1]
			w.paras[n] = para{text: w.paras[n].text[:0], seq: w.paraSeq}
		} else {
			w.paras = append(w.paras, para{seq: w.paraSeq})
		}
		if w.pending.Len() > 0 {
			p := &w.paras[len(w.paras)-1]
			p.text = append(p.text, w.pending.String()...)
			w.pending.Reset()
		}
	case "t":
		if w.textAllowed() && !w.struck {
			s, err := w.charData()
			if err != nil {
				return err
			}
			if bytes.IndexByte(s, 0xEF) >= 0 && bytes.ContainsFunc(s, isPUA) { // U+F000-F0FF: EF 80-83 xx
				return w.emit(mapPUA(string(s)))
			}
			return w.emitBytes(s)
		}
		return w.skip()
	case "tab", "ptab":
		// tab stops live in w:pPr, which is skipped: any w:tab met is a character
		if len(w.paras) > 0 && w.textAllowed() {
			return w.emit("\t")
		}
	case "br", "cr":
		if w.textAllowed() {
			return w.emit("\n")
		}
	case "noBreakHyphen":
		if w.textAllowed() {
			return w.emit("-")
		}
	case "sym":
		if w.textAllowed() {
			font, _ := attr(se, "font")
			ch, _ := attr(se, "char")
			return w.emit(symGlyph(font, ch))
		}
	case "r":
		w.struck = false
	case "rPr":
		if len(w.paras) > 0 {
			return w.runProps()
		}
		return w.skip()
	case "del", "moveFrom", "delText", "instrText", "Fallback", "pPr", "sectPr", "tblPr", "tblGrid", "trPr", "commentReference", "footnoteReference", "endnoteReference", "delInstrText":
		return w.skip()
	case "fldChar":
		typ, _ := attr(se, "fldCharType")
		switch typ {
		case "begin":
			w.fields = append(w.fields, false)
		case "separate":
			if n := len(w.fields); n > 0 {
				w.fields[n-1] = true
			}
		case "end":
			if n := len(w.fields); n > 0 {
				w.fields = w.fields[:n-1]
			}
		}
	case "hyperlink":
		if id, ok := attr(se, "id"); ok && w.links[id] != "" && len(w.paras) > 0 {
			w.mailto = w.links[id]
			top := &w.paras[len(w.paras)-1]
			w.linkPara, w.linkAt = top.seq, len(top.text)
		}
	case "checkBox": // legacy FORMCHECKBOX, inside w:ffData
		w.ffCheck = &ffCheckState{}
	case "default":
		if w.ffCheck != nil {
			w.ffCheck.def = onOff(se)
		}
	case "checked":
		w14 := w.space(se.Name) == nsW14
		if w.ffCheck != nil && !w14 {
			w.ffCheck.checked = onOff(se)
			w.ffCheck.hasChecked = true
		} else if n := len(w.sdts); n > 0 && w14 {
			v, _ := attr(se, "val")
			w.sdts[n-1].checked = v == "1" || strings.EqualFold(v, "true")
		}
	case "checkbox": // w14:checkbox content control
		if n := len(w.sdts); n > 0 {
			w.sdts[n-1].checkbox = true
		}
	case "showingPlcHdr":
		if n := len(w.sdts); n > 0 && onOff(se) {
			w.sdts[n-1].placeholder = true
		}
	case "sdt":
		w.sdts = append(w.sdts, sdtState{})
	case "sdtContent":
		if n := len(w.sdts); n > 0 {
			s := &w.sdts[n-1]
			if s.checkbox {
				g := glyphUnticked
				if s.checked {
					g = glyphTicked
				}
				if w.textAllowed() {
					if err := w.emit(g); err != nil {
						return err
					}
				}
			}
			if s.checkbox || s.placeholder {
				s.suppressing = true
				w.suppress++
			}
		}
	case "tbl":
		if len(w.tables) >= w.lim.MaxTables {
			return errTooLarge("nesting of tables", int64(w.lim.MaxTables))
		}
		w.tables = append(w.tables, &table{})
	case "tr":
		if err := w.bud.addBlock(); err != nil {
			return err
		}
		if n := len(w.tables); n > 0 {
			w.tables[n-1].rows = append(w.tables[n-1].rows, row{})
		}
	case "tc":
		if err := w.bud.addBlock(); err != nil {
			return err
		}
		c := &cell{span: 1}
		if n := len(w.tables); n > 0 {
			t := w.tables[n-1]
			if len(t.rows) > 0 {
				c.col = nextCol(t.rows[len(t.rows)-1])
			}
		}
		w.cells = append(w.cells, c)
		w.conts = append(w.conts, &c.blocks)
	case "gridSpan":
		if n := len(w.cells); n > 0 {
			if v, ok := attr(se, "val"); ok {
				if k, err := strconv.Atoi(v); err == nil && k > 0 && k < 1000 {
					w.cells[n-1].span = k
				}
			}
		}
	}
	return nil
}

const nsW14 = "http://schemas.microsoft.com/office/word/2010/wordml"

// runProps reads a run's w:rPr for strike-through, consuming it.
func (w *wordReader) runProps() error {
	var tok token
	depth := 1
	for depth > 0 {
		err := w.next(&tok)
		if err != nil {
			return fmt.Errorf("document.xml (%v): %w", err, ErrCorrupt)
		}
		switch tok.kind {
		case tokStart:
			depth++
			if depth > w.lim.MaxDepth {
				return errTooLarge("XML nesting depth", int64(w.lim.MaxDepth))
			}
			if t := tok.start; (t.Name.Local == "strike" || t.Name.Local == "dstrike") && depth == 2 {
				w.struck = onOff(t)
			}
		case tokEnd:
			depth--
		}
	}
	w.depth--
	return nil
}

// charData reads a w:t's text into w.cdata and returns it (valid until the next
// charData).
func (w *wordReader) charData() ([]byte, error) {
	var tok token
	w.cdata = w.cdata[:0]
	for {
		err := w.next(&tok)
		if err != nil {
			return nil, fmt.Errorf("document.xml (%v): %w", err, ErrCorrupt)
		}
		switch tok.kind {
		case tokText:
			t := tok.text
			if w.bud.text+len(w.cdata)+len(t) > w.lim.MaxText {
				return nil, errTooLarge("text of the document", int64(w.lim.MaxText))
			}
			w.cdata = append(w.cdata, t...)
		case tokStart:
			w.depth++
			if err := w.skip(); err != nil {
				return nil, err
			}
		case tokEnd:
			w.depth--
			return w.cdata, nil
		}
	}
}

func (w *wordReader) closePara() {
	n := len(w.paras)
	p := w.paras[n-1]
	w.paras = w.paras[:n-1]
	w.addBlock(block{text: string(p.text)})
}

func (w *wordReader) end(ee xml.EndElement) error {
	switch ee.Name.Local {
	case "hyperlink":
		if w.mailto != "" {
			addr := w.mailto
			w.mailto = ""
			if n := len(w.paras); n > 0 && w.paras[n-1].seq == w.linkPara && bytes.IndexByte(w.paras[n-1].text[w.linkAt:], '@') < 0 {
				// the link shows a name, not the address: keep the address too
				return w.emit(" <" + addr + ">")
			}
		}
	case "p":
		if len(w.paras) > 0 {
			w.closePara()
		}
	case "checkBox":
		if w.ffCheck != nil {
			on := w.ffCheck.def
			if w.ffCheck.hasChecked {
				on = w.ffCheck.checked
			}
			w.ffCheck = nil
			g := glyphUnticked
			if on {
				g = glyphTicked
			}
			// The box belongs where its field begins, which is in the text.
			saved := w.fields
			w.fields = nil
			err := w.emit(g)
			w.fields = saved
			return err
		}
	case "sdt":
		if n := len(w.sdts); n > 0 {
			w.sdts = w.sdts[:n-1]
		}
	case "sdtContent":
		if n := len(w.sdts); n > 0 && w.sdts[n-1].suppressing {
			w.sdts[n-1].suppressing = false
			w.suppress--
		}
	case "tc":
		if n := len(w.cells); n > 0 {
			c := w.cells[n-1]
			w.cells = w.cells[:n-1]
			w.conts = w.conts[:len(w.conts)-1]
			if tn := len(w.tables); tn > 0 {
				t := w.tables[tn-1]
				if len(t.rows) == 0 {
					t.rows = append(t.rows, row{})
				}
				r := &t.rows[len(t.rows)-1]
				r.cells = append(r.cells, *c)
			}
		}
	case "tbl":
		if n := len(w.tables); n > 0 {
			t := w.tables[n-1]
			w.tables = w.tables[:n-1]
			w.addBlock(block{table: t})
		}
	}
	return nil
}

// symGlyph turns a w:sym character of a symbol font into a box glyph when it is one.
func symGlyph(font, ch string) string {
	v, err := strconv.ParseUint(ch, 16, 32)
	if err != nil {
		return ""
	}
	code := v & 0xFF
	font = strings.ToLower(font)
	switch {
	case strings.Contains(font, "wingdings 2"):
		switch code {
		case 0x52, 0x53, 0x54, 0x50, 0xCF, 0x51:
			return glyphTicked
		case 0xA3, 0x2A, 0xA2:
			return glyphUnticked
		}
	case strings.Contains(font, "wingdings"):
		switch code {
		case 0xFE, 0xFD, 0x78, 0xFC, 0xFB:
			return glyphTicked
		case 0xA8, 0x6F, 0x71, 0x70:
			return glyphUnticked
		}
	case strings.Contains(font, "symbol"):
		if code == 0xD6 {
			return "✓"
		}
	}
	if v >= 0x20 && v < 0xF000 && utf8.ValidRune(rune(v)) {
		return string(rune(v))
	}
	return ""
}

// mapPUA maps Wingdings characters typed straight into text (U+F0xx) to box glyphs.
// isPUA reports whether r is in the Symbol font's private-use range (mapPUA).
func isPUA(r rune) bool { return r >= 0xF000 && r <= 0xF0FF }

func mapPUA(s string) string {
	if !strings.ContainsFunc(s, isPUA) {
		return s
	}
	return strings.Map(func(r rune) rune {
		switch r {
		case 0xF0FE, 0xF0FD, 0xF078, 0xF0FC:
			return '☒'
		case 0xF0A8, 0xF06F:
			return '☐'
		}
		if r >= 0xF000 && r <= 0xF0FF {
			return -1
		}
		return r
	}, s)
}
