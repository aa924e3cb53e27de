package parser

// A small PDF reader: enough to take the text layer and the AcroForm field values
// out of the forms agencies send, and nothing more. It is written here rather than
// taken from a library so every cap (objects, decompressed bytes, nesting, pages,
// glyphs) is ours and a damaged file is an error, never a panic.
//
// It reads classic xref tables and xref streams (following /Prev), object streams,
// FlateDecode (with PNG predictors), ASCIIHex, ASCII85 and RunLength filters; when
// the xref is damaged it rebuilds it by scanning for "N G obj". Text comes from page
// content streams (and form XObjects) through each font's ToUnicode CMap, or its
// simple encoding when there is none; glyphs are placed with the text and graphics
// matrices, grouped into lines by baseline and joined with a space or, across a wide
// gap (a table column), a tab.

import (
	"bytes"
	"compress/zlib"
	"errors"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

const (
	pdfMaxInput        = 64 << 20  // bytes of the file
	pdfMaxObjects      = 200000    // entries of the cross-reference
	pdfMaxStream       = 32 << 20  // decompressed bytes of one stream
	pdfMaxDecoded      = 256 << 20 // decompressed bytes of all streams together
	pdfMaxNesting      = 64        // arrays and dictionaries within each other
	pdfMaxResolve      = 32        // indirect references followed in a chain
	pdfMaxPages        = 5000      // pages
	pdfMaxTreeDepth    = 64        // page tree and field tree depth
	pdfMaxXObjectDepth = 8         // form XObjects within each other
	pdfMaxGlyphs       = 4 << 20   // characters of text
	pdfMaxFields       = 10000     // AcroForm fields
	pdfMaxXrefSections = 256       // /Prev chain
	pdfMaxGState       = 256       // q nesting
	pdfMaxOps          = 20000000  // content stream operators run, form XObjects included
	pdfMaxCodes        = 64 << 20  // bytes of strings shown, text or not
)

// pdfContent is what extractPDF finds in a PDF: its text lines in reading order
// (label and value on one baseline separated by a tab) and its AcroForm fields.
type pdfContent struct {
	Lines  []string
	Fields map[string]string
	// Blocks are Lines with the tables the page's borders draw read as tables.
	Blocks []block
}

// extractPDF reads the text layer and form fields of a PDF.
func extractPDF(raw []byte) (c *pdfContent, err error) {
	// The reader is written not to panic (and fuzzed); this is the last line of
	// defence for a document nobody foresaw.
	defer func() {
		if r := recover(); r != nil {
			c, err = nil, fmt.Errorf("PDF reader failed on this file (%v): %w", r, ErrCorrupt)
		}
	}()
	return extractPDFUnsafe(raw)
}

func extractPDFUnsafe(raw []byte) (*pdfContent, error) {
	if len(raw) > pdfMaxInput {
		return nil, errTooLarge("size of the PDF", pdfMaxInput)
	}
	if !bytes.Contains(raw[:min(len(raw), 1024)], []byte("%PDF-")) {
		return nil, fmt.Errorf("no %%PDF header: %w", ErrCorrupt)
	}
	d, err := openPDF(raw)
	if err != nil {
		return nil, err
	}
	if d.trailer["Encrypt"] != nil {
		if err := d.setupCrypt(); err != nil {
			return nil, err
		}
	}
	root, ok := d.resolve(d.trailer["Root"]).(pdfDict)
	if !ok {
		return nil, fmt.Errorf("PDF has no document catalog: %w", ErrCorrupt)
	}
	c := &pdfContent{Fields: map[string]string{}}
	if err := d.readFields(root, c.Fields); err != nil {
		return nil, err
	}
	pages, err := d.pages(root)
	if err != nil {
		return nil, err
	}
	cells := 0
	edges := map[*table]pdfEdges{}
	for _, pg := range pages {
		glyphs, err := d.pageGlyphs(pg)
		if err != nil {
			return nil, err
		}
		lines := pdfLayout(glyphs)
		for _, l := range lines {
			c.Lines = append(c.Lines, l.text)
		}
		c.Blocks = pdfJoinPages(c.Blocks, pdfPageBlocks(glyphs, lines, &cells, edges), edges)
	}
	if d.err != nil {
		return nil, d.err
	}
	if len(c.Lines) == 0 && len(c.Fields) == 0 {
		return nil, fmt.Errorf("PDF has no text layer (a scan or image?): please send the form as .docx: %w", ErrUnsupported)
	}
	return c, nil
}

// --- objects ---

type (
	pdfObj     any // nil, bool, int64, float64, pdfName, pdfString, pdfArray, pdfDict, pdfRef, *pdfStream, pdfKeyword
	pdfName    string
	pdfString  []byte
	pdfArray   []pdfObj
	pdfDict    map[string]pdfObj
	pdfKeyword string
	pdfRef     struct{ num, gen int }
	pdfStream  struct {
		dict pdfDict
		raw  []byte // still encoded
	}
)

func pdfNum(o pdfObj) (float64, bool) {
	switch v := o.(type) {
	case int64:
		return float64(v), true
	case float64:
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return 0, false
		}
		return v, true
	}
	return 0, false
}

func pdfInt(o pdfObj) (int64, bool) {
	switch v := o.(type) {
	case int64:
		return v, true
	case float64:
		if v >= -1e15 && v <= 1e15 {
			return int64(v), true
		}
	}
	return 0, false
}

// --- lexer and object parser ---

type pdfParser struct {
	b    []byte
	pos  int
	refs bool // combine "N G R" into a reference (not in content streams)
}

var errPDFEOF = errors.New("end of data")

func pdfIsSpace(c byte) bool {
	return c == 0 || c == 9 || c == 10 || c == 12 || c == 13 || c == 32
}

func pdfIsDelim(c byte) bool {
	switch c {
	case '(', ')', '<', '>', '[', ']', '{', '}', '/', '%':
		return true
	}
	return false
}

func (p *pdfParser) skipSpace() {
	for p.pos < len(p.b) {
		c := p.b[p.pos]
		if pdfIsSpace(c) {
			p.pos++
		} else if c == '%' {
			for p.pos < len(p.b) && p.b[p.pos] != '\n' && p.b[p.pos] != '\r' {
				p.pos++
			}
		} else {
			return
		}
	}
}

// regular reads a run of regular characters.
func (p *pdfParser) regular() []byte {
	start := p.pos
	for p.pos < len(p.b) && !pdfIsSpace(p.b[p.pos]) && !pdfIsDelim(p.b[p.pos]) {
		p.pos++
	}
	return p.b[start:p.pos]
}

func pdfParseNumber(s []byte) (pdfObj, bool) {
	if len(s) == 0 {
		return nil, false
	}
	c := s[0]
	if !(c >= '0' && c <= '9') && c != '+' && c != '-' && c != '.' {
		return nil, false
	}
	if !bytes.ContainsAny(s, ".") {
		if n, err := strconv.ParseInt(string(s), 10, 64); err == nil {
			return n, true
		}
	}
	// Tolerate what writers produce: "--5", "5.", "-.5".
	t := strings.TrimLeft(string(s), "+-")
	neg := strings.Count(string(s[:len(s)-len(t)]), "-")%2 == 1
	f, err := strconv.ParseFloat(t, 64)
	if err != nil {
		return nil, false
	}
	if neg {
		f = -f
	}
	return f, true
}

// object reads the next object. Delimiters "]", ">>" and operators come back as
// pdfKeyword. At the end of data it returns errPDFEOF.
func (p *pdfParser) object(depth int) (pdfObj, error) {
	if depth > pdfMaxNesting {
		return nil, errTooLarge("nesting of PDF arrays and dictionaries", pdfMaxNesting)
	}
	p.skipSpace()
	if p.pos >= len(p.b) {
		return nil, errPDFEOF
	}
	c := p.b[p.pos]
	switch c {
	case '/':
		p.pos++
		return pdfName(pdfUnescapeName(p.regular())), nil
	case '(':
		return p.literalString()
	case '<':
		if p.pos+1 < len(p.b) && p.b[p.pos+1] == '<' {
			p.pos += 2
			return p.dict(depth)
		}
		return p.hexString()
	case '>':
		if p.pos+1 < len(p.b) && p.b[p.pos+1] == '>' {
			p.pos += 2
			return pdfKeyword(">>"), nil
		}
		p.pos++
		return pdfKeyword(">"), nil
	case '[':
		p.pos++
		var arr pdfArray
		for {
			o, err := p.object(depth + 1)
			if err == errPDFEOF {
				return arr, nil
			}
			if err != nil {
				return nil, err
			}
			if k, ok := o.(pdfKeyword); ok {
				if k == "]" {
					return arr, nil
				}
				if p.refs && (k == "endobj" || k == "stream" || k == ">>") {
					return arr, nil // damaged: do not swallow the object end
				}
			}
			arr = append(arr, o)
		}
	case ']', '{', '}', ')':
		p.pos++
		return pdfKeyword(string(c)), nil
	}
	tok := p.regular()
	if len(tok) == 0 { // a lone delimiter we do not expect
		p.pos++
		return pdfKeyword(string(c)), nil
	}
	if n, ok := pdfParseNumber(tok); ok {
		if i, isInt := n.(int64); isInt && p.refs && i >= 0 {
			save := p.pos
			p.skipSpace()
			g := p.regular()
			if gen, err := strconv.ParseInt(string(g), 10, 32); err == nil && gen >= 0 && len(g) > 0 {
				p.skipSpace()
				if r := p.regular(); string(r) == "R" {
					if i > math.MaxInt32 {
						return nil, nil
					}
					return pdfRef{int(i), int(gen)}, nil
				}
			}
			p.pos = save
		}
		return n, nil
	}
	switch string(tok) {
	case "true":
		return true, nil
	case "false":
		return false, nil
	case "null":
		return nil, nil
	}
	return pdfKeyword(tok), nil
}

func (p *pdfParser) dict(depth int) (pdfObj, error) {
	d := pdfDict{}
	for {
		o, err := p.object(depth + 1)
		if err == errPDFEOF {
			return d, nil
		}
		if err != nil {
			return nil, err
		}
		var key pdfName
		switch k := o.(type) {
		case pdfKeyword:
			if k == ">>" {
				return d, nil
			}
			if p.refs && (k == "endobj" || k == "stream") {
				p.pos -= len(k) // damaged: leave the keyword for the caller
				return d, nil
			}
			continue
		case pdfName:
			key = k
		default:
			continue // a key that is not a name: skip it
		}
		v, err := p.object(depth + 1)
		if err == errPDFEOF {
			return d, nil
		}
		if err != nil {
			return nil, err
		}
		if k, ok := v.(pdfKeyword); ok && k == ">>" {
			return d, nil
		}
		d[string(key)] = v
	}
}

func pdfUnescapeName(b []byte) string {
	if !bytes.ContainsRune(b, '#') {
		return string(b)
	}
	var out []byte
	for i := 0; i < len(b); i++ {
		if b[i] == '#' && i+2 < len(b) {
			if v, err := strconv.ParseUint(string(b[i+1:i+3]), 16, 8); err == nil {
				out = append(out, byte(v))
				i += 2
				continue
			}
		}
		out = append(out, b[i])
	}
	return string(out)
}

func (p *pdfParser) literalString() (pdfObj, error) {
	p.pos++ // (
	var out []byte
	depth := 1
	for p.pos < len(p.b) {
		c := p.b[p.pos]
		p.pos++
		switch c {
		case '(':
			depth++
			out = append(out, c)
		case ')':
			depth--
			if depth == 0 {
				return pdfString(out), nil
			}
			out = append(out, c)
		case '\\':
			if p.pos >= len(p.b) {
				return pdfString(out), nil
			}
			e := p.b[p.pos]
			p.pos++
			switch e {
			case 'n':
				out = append(out, '\n')
			case 'r':
				out = append(out, '\r')
			case 't':
				out = append(out, '\t')
			case 'b':
				out = append(out, '\b')
			case 'f':
				out = append(out, '\f')
			case '\r':
				if p.pos < len(p.b) && p.b[p.pos] == '\n' {
					p.pos++
				}
			case '\n':
			default:
				if e >= '0' && e <= '7' {
					v := int(e - '0')
					for k := 0; k < 2 && p.pos < len(p.b) && p.b[p.pos] >= '0' && p.b[p.pos] <= '7'; k++ {
						v = v*8 + int(p.b[p.pos]-'0')
						p.pos++
					}
					out = append(out, byte(v))
				} else {
					out = append(out, e)
				}
			}
		default:
			out = append(out, c)
		}
	}
	return pdfString(out), nil
}

func pdfHexVal(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'a' && c <= 'f':
		return int(c-'a') + 10
	case c >= 'A' && c <= 'F':
		return int(c-'A') + 10
	}
	return -1
}

func (p *pdfParser) hexString() (pdfObj, error) {
	p.pos++ // <
	end := bytes.IndexByte(p.b[p.pos:], '>')
	if end < 0 {
		end = len(p.b) - p.pos
	}
	out := pdfASCIIHex(p.b[p.pos : p.pos+end])
	p.pos = min(p.pos+end+1, len(p.b))
	return pdfString(out), nil
}

// --- document: cross-reference and indirect objects ---

type pdfXref struct {
	offset int64 // type 1: byte offset
	stream int   // type 2: number of the object stream
	index  int   // type 2: index in it
	inStm  bool
}

type pdfDoc struct {
	data       []byte
	xref       map[int]pdfXref
	trailer    pdfDict
	cache      map[int]pdfObj
	resolving  map[int]bool
	objstms    map[int]map[int]pdfObj // parsed object streams
	decoded    int64                  // decompressed bytes so far
	glyphs     int
	fontDicts  map[string]*pdfFont // by indirect reference
	err        error               // first cap hit while resolving (resolve has no error result)
	ops        int                 // content stream operators run
	codes      int                 // bytes of strings shown
	rules      int                 // table borders kept
	crypt      *pdfCrypt           // set when the file is encrypted (with an empty user password)
	endstreams []int               // offsets of "endstream", found on first need
}

func pdfCorrupt(why string) error {
	return fmt.Errorf("PDF: %s: %w", why, ErrCorrupt)
}

func openPDF(raw []byte) (*pdfDoc, error) {
	d := &pdfDoc{
		data:      raw,
		xref:      map[int]pdfXref{},
		cache:     map[int]pdfObj{},
		resolving: map[int]bool{},
		objstms:   map[int]map[int]pdfObj{},
		fontDicts: map[string]*pdfFont{},
	}
	err := d.readXref()
	if err != nil && errors.Is(err, ErrTooLarge) {
		return nil, err
	}
	if err != nil || d.trailer == nil || d.resolve(d.trailer["Root"]) == nil {
		// Damaged or missing cross-reference: rebuild it from the objects themselves.
		d.xref = map[int]pdfXref{}
		d.cache = map[int]pdfObj{}
		d.trailer = nil
		if err := d.reconstruct(); err != nil {
			return nil, err
		}
	}
	if d.err != nil {
		return nil, d.err
	}
	return d, nil
}

// readXref follows startxref and the /Prev chain. Entries read first (the newest
// revision) win.
func (d *pdfDoc) readXref() error {
	tail := d.data[max(0, len(d.data)-2048):]
	i := bytes.LastIndex(tail, []byte("startxref"))
	if i < 0 {
		return pdfCorrupt("no startxref")
	}
	p := &pdfParser{b: tail, pos: i + len("startxref")}
	o, _ := p.object(0)
	off, ok := pdfInt(o)
	seen := map[int64]bool{}
	for sections := 0; ok; sections++ {
		if sections >= pdfMaxXrefSections {
			return errTooLarge("number of PDF cross-reference sections", pdfMaxXrefSections)
		}
		if off < 0 || off >= int64(len(d.data)) || seen[off] {
			break
		}
		seen[off] = true
		trailer, err := d.readXrefSection(off)
		if err != nil {
			return err
		}
		if d.trailer == nil {
			d.trailer = trailer
		}
		// A hybrid file keeps part of its table in an xref stream.
		if xs, isInt := pdfInt(trailer["XRefStm"]); isInt && xs > 0 && xs < int64(len(d.data)) && !seen[xs] {
			seen[xs] = true
			if _, err := d.readXrefSection(xs); err != nil && errors.Is(err, ErrTooLarge) {
				return err
			}
		}
		off, ok = pdfInt(trailer["Prev"])
	}
	if d.trailer == nil {
		return pdfCorrupt("no trailer")
	}
	return nil
}

func (d *pdfDoc) addXref(num int, x pdfXref) error {
	if _, ok := d.xref[num]; ok {
		return nil
	}
	if len(d.xref) >= pdfMaxObjects {
		return errTooLarge("number of PDF objects", pdfMaxObjects)
	}
	d.xref[num] = x
	return nil
}

func (d *pdfDoc) readXrefSection(off int64) (pdfDict, error) {
	p := &pdfParser{b: d.data, pos: int(off), refs: true}
	p.skipSpace()
	if bytes.HasPrefix(d.data[p.pos:], []byte("xref")) {
		p.pos += 4
		for {
			p.skipSpace()
			if bytes.HasPrefix(d.data[p.pos:], []byte("trailer")) {
				p.pos += len("trailer")
				o, err := p.object(0)
				if err != nil {
					return nil, pdfCorrupt("unreadable trailer")
				}
				t, ok := o.(pdfDict)
				if !ok {
					return nil, pdfCorrupt("trailer is not a dictionary")
				}
				return t, nil
			}
			a, err1 := p.object(0)
			b, err2 := p.object(0)
			start, ok1 := a.(int64)
			count, ok2 := b.(int64)
			if err1 != nil || err2 != nil || !ok1 || !ok2 || start < 0 || count < 0 {
				return nil, pdfCorrupt("bad xref subsection")
			}
			if count > pdfMaxObjects || start > pdfMaxObjects*16 {
				return nil, errTooLarge("number of PDF objects", pdfMaxObjects)
			}
			for k := int64(0); k < count; k++ {
				o1, _ := p.object(0)
				o2, _ := p.object(0)
				o3, _ := p.object(0)
				offv, okA := o1.(int64)
				kind, okC := o3.(pdfKeyword)
				if !okA || !okC {
					return nil, pdfCorrupt("bad xref entry")
				}
				_ = o2
				if kind == "n" {
					if err := d.addXref(int(start+k), pdfXref{offset: offv}); err != nil {
						return nil, err
					}
				} else if err := d.addXref(int(start+k), pdfXref{offset: -1}); err != nil { // free: deleted
					return nil, err
				}
			}
		}
	}
	// An xref stream: "N G obj << /Type /XRef ... >> stream".
	_, obj, err := d.parseIndirectAt(int(off))
	if err != nil {
		return nil, err
	}
	s, ok := obj.(*pdfStream)
	if !ok || s.dict["Type"] != pdfName("XRef") {
		return nil, pdfCorrupt("startxref does not point at a cross-reference")
	}
	data, err := d.decodeStream(s)
	if err != nil {
		return nil, err
	}
	w, _ := s.dict["W"].(pdfArray)
	if len(w) < 3 {
		return nil, pdfCorrupt("xref stream without /W")
	}
	var widths [3]int
	rowLen := 0
	for i := 0; i < 3; i++ {
		n, ok := pdfInt(w[i])
		if !ok || n < 0 || n > 8 {
			return nil, pdfCorrupt("bad xref stream /W")
		}
		widths[i] = int(n)
		rowLen += int(n)
	}
	if rowLen == 0 {
		return nil, pdfCorrupt("bad xref stream /W")
	}
	size, _ := pdfInt(s.dict["Size"])
	index, _ := s.dict["Index"].(pdfArray)
	if index == nil {
		index = pdfArray{int64(0), size}
	}
	pos, entries := 0, 0
	field := func(n int, def int64) int64 {
		if n == 0 {
			return def
		}
		var v int64
		for i := 0; i < n; i++ {
			v = v<<8 | int64(data[pos+i])
		}
		pos += n
		return v
	}
	for i := 0; i+1 < len(index); i += 2 {
		start, ok1 := pdfInt(index[i])
		count, ok2 := pdfInt(index[i+1])
		if !ok1 || !ok2 || start < 0 || count < 0 {
			return nil, pdfCorrupt("bad xref stream /Index")
		}
		if count > pdfMaxObjects || start > pdfMaxObjects*16 {
			return nil, errTooLarge("number of PDF objects", pdfMaxObjects)
		}
		for k := int64(0); k < count; k++ {
			if pos+rowLen > len(data) {
				break
			}
			if entries++; entries > 2*pdfMaxObjects {
				return nil, errTooLarge("number of PDF objects", pdfMaxObjects)
			}
			typ := field(widths[0], 1)
			f2 := field(widths[1], 0)
			f3 := field(widths[2], 0)
			num := int(start + k)
			switch typ {
			case 1:
				err = d.addXref(num, pdfXref{offset: f2})
			case 2:
				if f2 > math.MaxInt32 || f3 > math.MaxInt32 {
					continue
				}
				err = d.addXref(num, pdfXref{inStm: true, stream: int(f2), index: int(f3)})
			case 0:
				err = d.addXref(num, pdfXref{offset: -1})
			}
			if err != nil {
				return nil, err
			}
		}
	}
	return s.dict, nil
}

// reconstruct scans the file for "N G obj" and keeps the last definition of each.
func (d *pdfDoc) reconstruct() error {
	b := d.data
	for i := 0; ; {
		j := bytes.Index(b[i:], []byte("obj"))
		if j < 0 {
			break
		}
		at := i + j
		i = at + 3
		// Walk back over "N G " before "obj".
		k := at
		for k > 0 && pdfIsSpace(b[k-1]) {
			k--
		}
		g := k
		for g > 0 && b[g-1] >= '0' && b[g-1] <= '9' {
			g--
		}
		if g == k {
			continue
		}
		n := g
		for n > 0 && pdfIsSpace(b[n-1]) {
			n--
		}
		s := n
		for s > 0 && b[s-1] >= '0' && b[s-1] <= '9' {
			s--
		}
		if s == n || n == g || n-s > 10 {
			continue
		}
		num, err := strconv.Atoi(string(b[s:n]))
		if err != nil {
			continue
		}
		if _, ok := d.xref[num]; !ok && len(d.xref) >= pdfMaxObjects {
			return errTooLarge("number of PDF objects", pdfMaxObjects)
		}
		d.xref[num] = pdfXref{offset: int64(s)}
	}
	// Objects inside object streams, where not defined directly.
	var stms []int
	for num, x := range d.xref {
		head := d.data[x.offset:min(len(d.data), int(x.offset)+512)]
		if !bytes.Contains(head, []byte("ObjStm")) {
			continue
		}
		if _, o, err := d.parseIndirectAt(int(x.offset)); err == nil {
			if s, ok := o.(*pdfStream); ok && s.dict["Type"] == pdfName("ObjStm") {
				stms = append(stms, num)
			}
		}
	}
	sort.Ints(stms)
	for _, num := range stms {
		objs, err := d.objectStream(num)
		if err != nil {
			if errors.Is(err, ErrTooLarge) {
				return err
			}
			continue
		}
		for n := range objs {
			if _, ok := d.xref[n]; !ok {
				if len(d.xref) >= pdfMaxObjects {
					return errTooLarge("number of PDF objects", pdfMaxObjects)
				}
				d.xref[n] = pdfXref{inStm: true, stream: num}
			}
		}
	}
	// The trailer: the last one with a /Root, or failing that the catalog object.
	for i := len(b); i > 0; {
		j := bytes.LastIndex(b[:i], []byte("trailer"))
		if j < 0 {
			break
		}
		i = j
		p := &pdfParser{b: b, pos: j + len("trailer"), refs: true}
		if t, err := p.object(0); err == nil {
			if td, ok := t.(pdfDict); ok && td["Root"] != nil {
				d.trailer = td
				return nil
			}
		}
	}
	nums := make([]int, 0, len(d.xref))
	for n := range d.xref {
		nums = append(nums, n)
	}
	sort.Ints(nums)
	for _, n := range nums {
		o := d.resolve(pdfRef{num: n})
		if s, ok := o.(*pdfStream); ok && s.dict["Type"] == pdfName("XRef") && s.dict["Root"] != nil {
			d.trailer = s.dict
			return nil
		}
		if dict, ok := o.(pdfDict); ok && dict["Type"] == pdfName("Catalog") {
			d.trailer = pdfDict{"Root": pdfRef{num: n}}
			return nil
		}
	}
	if d.err != nil {
		return d.err
	}
	return pdfCorrupt("no document catalog found")
}

// parseIndirectAt parses "N G obj ... endobj" (with its stream) at off.
func (d *pdfDoc) parseIndirectAt(off int) (int, pdfObj, error) {
	if off < 0 || off >= len(d.data) {
		return 0, nil, pdfCorrupt("object offset outside the file")
	}
	p := &pdfParser{b: d.data, pos: off, refs: true}
	n, _ := p.object(0)
	p.refs = false
	g, _ := p.object(0)
	kw, _ := p.object(0)
	p.refs = true
	num, ok1 := n.(int64)
	gen, ok2 := g.(int64)
	if !ok1 || !ok2 || kw != pdfKeyword("obj") {
		return 0, nil, pdfCorrupt(fmt.Sprintf("no object at offset %d", off))
	}
	o, err := p.object(0)
	if err != nil && err != errPDFEOF {
		return 0, nil, err
	}
	dict, ok := o.(pdfDict)
	if !ok {
		return int(num), d.decryptObject(int(num), int(gen), o), nil
	}
	save := p.pos
	kw2, _ := p.object(0)
	if kw2 != pdfKeyword("stream") {
		p.pos = save
		return int(num), d.decryptObject(int(num), int(gen), dict), nil
	}
	// Data starts after CRLF or LF (or, in damaged files, CR).
	start := p.pos
	if start < len(d.data) && d.data[start] == '\r' {
		start++
	}
	if start < len(d.data) && d.data[start] == '\n' {
		start++
	}
	end := -1
	if l, ok := pdfInt(d.resolveLength(dict["Length"])); ok && l >= 0 && int64(start)+l <= int64(len(d.data)) {
		e := start + int(l)
		q := &pdfParser{b: d.data, pos: e}
		q.skipSpace()
		if bytes.HasPrefix(d.data[q.pos:], []byte("endstream")) {
			end = e
		}
	}
	if end < 0 {
		k := d.nextEndstream(start)
		if k < 0 {
			end = len(d.data)
		} else {
			end = k
			for end > start && (d.data[end-1] == '\n' || d.data[end-1] == '\r') {
				end--
			}
		}
	}
	return int(num), d.decryptObject(int(num), int(gen), &pdfStream{dict: dict, raw: d.data[start:end]}), nil
}

// nextEndstream returns the offset of the first "endstream" at or after start, or
// -1. The offsets are found once, so many streams without a usable /Length cost one
// pass over the file, not one each.
func (d *pdfDoc) nextEndstream(start int) int {
	if d.endstreams == nil {
		d.endstreams = []int{}
		for i := 0; ; {
			k := bytes.Index(d.data[i:], []byte("endstream"))
			if k < 0 {
				break
			}
			d.endstreams = append(d.endstreams, i+k)
			i += k + len("endstream")
		}
	}
	i := sort.SearchInts(d.endstreams, start)
	if i == len(d.endstreams) {
		return -1
	}
	return d.endstreams[i]
}

// resolveLength resolves a stream's /Length, which may be indirect, without
// touching object streams being parsed (a loop guard covers the rest).
func (d *pdfDoc) resolveLength(o pdfObj) pdfObj {
	return d.resolve(o)
}

// resolve follows indirect references. A missing or broken object is null.
func (d *pdfDoc) resolve(o pdfObj) pdfObj {
	for i := 0; i < pdfMaxResolve; i++ {
		r, ok := o.(pdfRef)
		if !ok {
			return o
		}
		o = d.fetch(r.num)
	}
	return nil
}

func (d *pdfDoc) fetch(num int) pdfObj {
	if o, ok := d.cache[num]; ok {
		return o
	}
	x, ok := d.xref[num]
	if !ok || d.resolving[num] || len(d.resolving) > pdfMaxResolve*4 {
		return nil
	}
	d.resolving[num] = true
	defer delete(d.resolving, num)
	var o pdfObj
	if x.inStm {
		objs, err := d.objectStream(x.stream)
		if err != nil {
			if errors.Is(err, ErrTooLarge) && d.err == nil {
				d.err = err
			}
			return nil
		}
		o = objs[num]
	} else if x.offset >= 0 {
		n, obj, err := d.parseIndirectAt(int(x.offset))
		if err != nil {
			if errors.Is(err, ErrTooLarge) && d.err == nil {
				d.err = err
			}
			return nil
		}
		if n == num {
			o = obj
		}
	}
	d.cache[num] = o
	return o
}

// objectStream parses object stream num whole.
func (d *pdfDoc) objectStream(num int) (map[int]pdfObj, error) {
	if objs, ok := d.objstms[num]; ok {
		return objs, nil
	}
	d.objstms[num] = nil // a stream that refers to itself finds nothing
	var s *pdfStream
	if x, ok := d.xref[num]; ok && !x.inStm {
		_, o, err := d.parseIndirectAt(int(x.offset))
		if err != nil {
			return nil, err
		}
		s, _ = o.(*pdfStream)
	}
	if s == nil {
		return nil, pdfCorrupt(fmt.Sprintf("object stream %d missing", num))
	}
	data, err := d.decodeStream(s)
	if err != nil {
		return nil, err
	}
	n, _ := pdfInt(d.resolve(s.dict["N"]))
	first, _ := pdfInt(d.resolve(s.dict["First"]))
	if n < 0 || first < 0 || first > int64(len(data)) {
		return nil, pdfCorrupt("bad object stream header")
	}
	if n > pdfMaxObjects {
		return nil, errTooLarge("number of PDF objects", pdfMaxObjects)
	}
	p := &pdfParser{b: data[:first]}
	objs := map[int]pdfObj{}
	for i := int64(0); i < n; i++ {
		a, err1 := p.object(0)
		b, err2 := p.object(0)
		on, ok1 := a.(int64)
		oo, ok2 := b.(int64)
		if err1 != nil || err2 != nil || !ok1 || !ok2 || oo < 0 || first+oo > int64(len(data)) || on > math.MaxInt32 || on < 0 {
			break
		}
		q := &pdfParser{b: data, pos: int(first + oo), refs: true}
		o, err := q.object(0)
		if err != nil && err != errPDFEOF {
			return nil, err
		}
		if _, dup := objs[int(on)]; !dup {
			objs[int(on)] = o
		}
	}
	d.objstms[num] = objs
	return objs, nil
}

// --- stream filters ---

func (d *pdfDoc) decodeStream(s *pdfStream) ([]byte, error) {
	data := s.raw
	filters := d.resolve(s.dict["Filter"])
	parms := d.resolve(s.dict["DecodeParms"])
	var fl pdfArray
	var pl pdfArray
	switch f := filters.(type) {
	case pdfName:
		fl = pdfArray{f}
		pl = pdfArray{parms}
	case pdfArray:
		fl = f
		pl, _ = parms.(pdfArray)
	}
	if len(fl) > 8 {
		return nil, pdfCorrupt("too many stream filters")
	}
	for i, f := range fl {
		var parm pdfDict
		if i < len(pl) {
			parm, _ = d.resolve(pl[i]).(pdfDict)
		}
		name, _ := d.resolve(f).(pdfName)
		var err error
		switch name {
		case "FlateDecode", "Fl":
			data, err = d.inflate(data)
			if err == nil {
				data, err = pdfPredict(data, parm, d)
			}
		case "ASCIIHexDecode", "AHx":
			data = pdfASCIIHex(data)
		case "ASCII85Decode", "A85":
			data, err = pdfASCII85(data)
		case "RunLengthDecode", "RL":
			data, err = d.runLength(data)
		default:
			return nil, fmt.Errorf("PDF stream filter %s is not supported: %w", name, ErrUnsupported)
		}
		if err != nil {
			return nil, err
		}
		if int64(len(data)) > pdfMaxStream {
			return nil, errTooLarge("decompressed size of a PDF stream", pdfMaxStream)
		}
	}
	d.decoded += int64(len(data))
	if d.decoded > pdfMaxDecoded {
		return nil, errTooLarge("decompressed size of all PDF streams", pdfMaxDecoded)
	}
	return data, nil
}

func (d *pdfDoc) inflate(b []byte) ([]byte, error) {
	zr, err := zlib.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil, pdfCorrupt(fmt.Sprintf("bad compressed stream: %v", err))
	}
	defer zr.Close()
	out, err := io.ReadAll(io.LimitReader(zr, pdfMaxStream+1))
	if int64(len(out)) > pdfMaxStream {
		return nil, errTooLarge("decompressed size of a PDF stream", pdfMaxStream)
	}
	if err != nil && len(out) == 0 {
		return nil, pdfCorrupt(fmt.Sprintf("bad compressed stream: %v", err))
	}
	// A truncated or badly checksummed stream keeps what did decompress.
	return out, nil
}

func pdfPredict(b []byte, parm pdfDict, d *pdfDoc) ([]byte, error) {
	if parm == nil {
		return b, nil
	}
	pred, _ := pdfInt(d.resolve(parm["Predictor"]))
	if pred <= 1 {
		return b, nil
	}
	if pred == 2 {
		return nil, fmt.Errorf("PDF TIFF predictor is not supported: %w", ErrUnsupported)
	}
	colors, bpc, cols := int64(1), int64(8), int64(1)
	if v, ok := pdfInt(d.resolve(parm["Colors"])); ok {
		colors = v
	}
	if v, ok := pdfInt(d.resolve(parm["BitsPerComponent"])); ok {
		bpc = v
	}
	if v, ok := pdfInt(d.resolve(parm["Columns"])); ok {
		cols = v
	}
	if colors < 1 || colors > 32 || bpc < 1 || bpc > 16 || cols < 1 || cols > 1<<20 {
		return nil, pdfCorrupt("bad predictor parameters")
	}
	bpp := int((colors*bpc + 7) / 8)
	rowLen := int((colors*bpc*cols + 7) / 8)
	if rowLen > len(b) {
		rowLen = len(b) // one short row at most; never a buffer larger than the data
	}
	out := make([]byte, 0, len(b))
	prev := make([]byte, rowLen)
	for i := 0; i < len(b); i += rowLen + 1 {
		if i+1 > len(b) {
			break
		}
		typ := b[i]
		row := make([]byte, rowLen)
		copy(row, b[i+1:min(len(b), i+1+rowLen)])
		for j := 0; j < rowLen; j++ {
			var left, up, ul byte
			if j >= bpp {
				left = row[j-bpp]
				ul = prev[j-bpp]
			}
			up = prev[j]
			switch typ {
			case 1:
				row[j] += left
			case 2:
				row[j] += up
			case 3:
				row[j] += byte((int(left) + int(up)) / 2)
			case 4:
				row[j] += pdfPaeth(left, up, ul)
			}
		}
		out = append(out, row...)
		prev = row
	}
	return out, nil
}

func pdfPaeth(a, b, c byte) byte {
	p := int(a) + int(b) - int(c)
	pa, pb, pc := abs(p-int(a)), abs(p-int(b)), abs(p-int(c))
	if pa <= pb && pa <= pc {
		return a
	}
	if pb <= pc {
		return b
	}
	return c
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

func pdfASCIIHex(b []byte) []byte {
	out := make([]byte, 0, len(b)/2)
	hi := -1
	for _, c := range b {
		if c == '>' {
			break
		}
		v := pdfHexVal(c)
		if v < 0 {
			continue
		}
		if hi < 0 {
			hi = v
		} else {
			out = append(out, byte(hi<<4|v))
			hi = -1
		}
	}
	if hi >= 0 {
		out = append(out, byte(hi<<4))
	}
	return out
}

func pdfASCII85(b []byte) ([]byte, error) {
	b = bytes.TrimPrefix(bytes.TrimSpace(b), []byte("<~"))
	out := make([]byte, 0, len(b))
	var group [5]byte
	n := 0
	flush := func(k int) {
		for i := k; i < 5; i++ {
			group[i] = 'u'
		}
		var v uint64
		for i := 0; i < 5; i++ {
			v = v*85 + uint64(group[i]-'!')
		}
		if v > math.MaxUint32 {
			v = math.MaxUint32
		}
		w := []byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)}
		out = append(out, w[:k-1]...)
	}
	for _, c := range b {
		switch {
		case c == '~':
			if n > 1 {
				flush(n)
			}
			return out, nil
		case c == 'z' && n == 0:
			out = append(out, 0, 0, 0, 0)
		case c >= '!' && c <= 'u':
			group[n] = c
			n++
			if n == 5 {
				flush(5)
				n = 0
			}
		}
	}
	if n > 1 {
		flush(n)
	}
	return out, nil
}

func (d *pdfDoc) runLength(b []byte) ([]byte, error) {
	var out []byte
	for i := 0; i < len(b); {
		n := int(b[i])
		i++
		switch {
		case n == 128:
			return out, nil
		case n < 128:
			end := min(len(b), i+n+1)
			out = append(out, b[i:end]...)
			i = end
		default:
			if i >= len(b) {
				return out, nil
			}
			out = append(out, bytes.Repeat([]byte{b[i]}, 257-n)...)
			i++
		}
		if int64(len(out)) > pdfMaxStream {
			return nil, errTooLarge("decompressed size of a PDF stream", pdfMaxStream)
		}
	}
	return out, nil
}

// --- pages ---

type pdfPage struct {
	dict      pdfDict
	resources pdfDict
}

func (d *pdfDoc) pages(root pdfDict) ([]pdfPage, error) {
	var out []pdfPage
	seen := map[pdfRef]bool{}
	var walk func(node pdfObj, res pdfDict, depth int) error
	walk = func(node pdfObj, res pdfDict, depth int) error {
		if depth > pdfMaxTreeDepth {
			return errTooLarge("depth of the PDF page tree", pdfMaxTreeDepth)
		}
		if r, ok := node.(pdfRef); ok {
			if seen[r] {
				return nil
			}
			seen[r] = true
		}
		dict, ok := d.resolve(node).(pdfDict)
		if !ok {
			return nil
		}
		if r, ok := d.resolve(dict["Resources"]).(pdfDict); ok {
			res = r
		}
		kids, isTree := d.resolve(dict["Kids"]).(pdfArray)
		if isTree && dict["Type"] != pdfName("Page") {
			for _, k := range kids {
				if err := walk(k, res, depth+1); err != nil {
					return err
				}
			}
			return nil
		}
		if len(out) >= pdfMaxPages {
			return errTooLarge("number of PDF pages", pdfMaxPages)
		}
		out = append(out, pdfPage{dict: dict, resources: res})
		return nil
	}
	if err := walk(root["Pages"], nil, 0); err != nil {
		return nil, err
	}
	return out, d.err
}

// --- fonts ---

type pdfFont struct {
	twoByte   bool            // Type0 with a two-byte encoding
	ucs2      bool            // Type0 with a predefined UCS-2 CMap: codes are Unicode
	cmap      *pdfCMap        // ToUnicode
	codespace *pdfCMap        // code lengths, from the Encoding CMap of a Type0 font
	enc       [256]rune       // simple fonts without ToUnicode
	widths    map[int]float64 // code (simple) or CID (Type0) -> width in glyph units
	dw        float64         // default width
	scale     float64         // glyph space to text space (1/1000, or Type3 FontMatrix)
}

type pdfCMap struct {
	space  []pdfCodeRange // codespace ranges
	single map[string]string
	ranges []pdfBfRange
}

type pdfCodeRange struct{ lo, hi []byte }

type pdfBfRange struct {
	lo, hi uint32
	n      int // code length in bytes
	dst    []rune
	arr    []string
}

func (d *pdfDoc) font(res pdfDict, name string) *pdfFont {
	fonts, _ := d.resolve(res["Font"]).(pdfDict)
	ref := fonts[name]
	key := ""
	if r, ok := ref.(pdfRef); ok {
		key = fmt.Sprintf("%d %d", r.num, r.gen)
		if f, ok := d.fontDicts[key]; ok {
			return f
		}
	}
	fd, _ := d.resolve(ref).(pdfDict)
	f := d.loadFont(fd)
	if key != "" {
		d.fontDicts[key] = f
	}
	return f
}

func (d *pdfDoc) loadFont(fd pdfDict) *pdfFont {
	f := &pdfFont{widths: map[int]float64{}, dw: 500, scale: 0.001}
	if fd == nil {
		f.enc = pdfWinAnsi
		return f
	}
	if s, ok := d.resolve(fd["ToUnicode"]).(*pdfStream); ok {
		if data, err := d.decodeStream(s); err == nil {
			f.cmap = pdfParseCMap(data)
		} else if errors.Is(err, ErrTooLarge) && d.err == nil {
			d.err = err
		}
	}
	subtype, _ := d.resolve(fd["Subtype"]).(pdfName)
	if subtype == "Type0" {
		f.twoByte = true
		f.dw = 1000
		switch e := d.resolve(fd["Encoding"]).(type) {
		case *pdfStream:
			if data, err := d.decodeStream(e); err == nil {
				f.codespace = pdfParseCMap(data)
			}
		case pdfName:
			// Identity-H/V and the predefined CJK CMaps: two-byte codes. The UCS-2
			// ones map straight to Unicode.
			if f.cmap == nil && (strings.Contains(string(e), "UCS2") || strings.Contains(string(e), "UTF16")) {
				f.ucs2 = true
			}
		}
		desc, _ := d.resolve(fd["DescendantFonts"]).(pdfArray)
		if len(desc) > 0 {
			cf, _ := d.resolve(desc[0]).(pdfDict)
			if v, ok := pdfNum(d.resolve(cf["DW"])); ok {
				f.dw = v
			}
			w, _ := d.resolve(cf["W"]).(pdfArray)
			d.cidWidths(f, w)
		}
		return f
	}
	// Simple fonts.
	if subtype == "Type3" {
		if m, ok := d.resolve(fd["FontMatrix"]).(pdfArray); ok && len(m) == 6 {
			if v, ok := pdfNum(d.resolve(m[0])); ok && v > 0 && v < 1 {
				f.scale = v
			}
		}
	}
	first, _ := pdfInt(d.resolve(fd["FirstChar"]))
	if ws, ok := d.resolve(fd["Widths"]).(pdfArray); ok && first >= 0 && first < 256 {
		for i, w := range ws {
			if int(first)+i > 255 {
				break
			}
			if v, ok := pdfNum(d.resolve(w)); ok {
				f.widths[int(first)+i] = v
			}
		}
		if desc, ok := d.resolve(fd["FontDescriptor"]).(pdfDict); ok {
			if v, ok := pdfNum(d.resolve(desc["MissingWidth"])); ok {
				f.dw = v
			}
		}
	}
	f.enc = pdfWinAnsi
	switch e := d.resolve(fd["Encoding"]).(type) {
	case pdfName:
		f.enc = pdfBaseEncoding(string(e))
	case pdfDict:
		if b, ok := d.resolve(e["BaseEncoding"]).(pdfName); ok {
			f.enc = pdfBaseEncoding(string(b))
		}
		if diffs, ok := d.resolve(e["Differences"]).(pdfArray); ok {
			code := -1
			for _, x := range diffs {
				switch v := d.resolve(x).(type) {
				case int64:
					code = int(v)
				case float64:
					code = int(v)
				case pdfName:
					if code >= 0 && code < 256 {
						if r := pdfGlyphRune(string(v)); r != 0 {
							f.enc[code] = r
						}
						code++
					}
				}
			}
		}
	}
	return f
}

func (d *pdfDoc) cidWidths(f *pdfFont, w pdfArray) {
	work := 0 // widths set, repeats included: bounds a /W that names one range many times
	for i := 0; i < len(w) && work < 1<<20; {
		c1, ok := pdfInt(d.resolve(w[i]))
		if !ok || i+1 >= len(w) {
			return
		}
		switch nx := d.resolve(w[i+1]).(type) {
		case pdfArray:
			for k, x := range nx {
				if v, ok := pdfNum(d.resolve(x)); ok && len(f.widths) < 65536 {
					f.widths[int(c1)+k] = v
				}
				work++
			}
			i += 2
		default:
			c2, ok1 := pdfInt(nx)
			if i+2 >= len(w) || !ok1 {
				return
			}
			v, ok2 := pdfNum(d.resolve(w[i+2]))
			if ok2 && c2 >= c1 && c2-c1 < 65536 && c1 >= 0 {
				for c := c1; c <= c2 && len(f.widths) < 65536 && work < 1<<20; c++ {
					f.widths[int(c)] = v
					work++
				}
			}
			i += 3
		}
	}
}

// split cuts a string into character codes.
func (f *pdfFont) split(s []byte) [][]byte {
	var out [][]byte
	cs := f.codespace
	if cs == nil || len(cs.space) == 0 {
		cs = f.cmap
	}
	for i := 0; i < len(s); {
		n := 0
		if cs != nil && len(cs.space) > 0 {
			for l := 1; l <= 4 && i+l <= len(s); l++ {
				if cs.inSpace(s[i : i+l]) {
					n = l
					break
				}
			}
		}
		if n == 0 {
			n = 1
			if f.twoByte {
				n = 2
			}
		}
		if i+n > len(s) {
			n = len(s) - i
		}
		out = append(out, s[i:i+n])
		i += n
	}
	return out
}

func (m *pdfCMap) inSpace(code []byte) bool {
	for _, r := range m.space {
		if len(r.lo) != len(code) || len(r.hi) != len(code) {
			continue
		}
		ok := true
		for i := range code {
			if code[i] < r.lo[i] || code[i] > r.hi[i] {
				ok = false
				break
			}
		}
		if ok {
			return true
		}
	}
	return false
}

func pdfCodeValue(b []byte) uint32 {
	var v uint32
	for _, c := range b {
		v = v<<8 | uint32(c)
	}
	return v
}

// text returns the Unicode text of one character code.
func (f *pdfFont) text(code []byte) string {
	if f.ucs2 && f.cmap == nil {
		return string(rune(pdfCodeValue(code)))
	}
	if f.cmap != nil {
		if s, ok := f.cmap.single[string(code)]; ok {
			return s
		}
		v := pdfCodeValue(code)
		// Ranges are sorted by (length, lo): look at the last one starting at or below v.
		rs := f.cmap.ranges
		i := sort.Search(len(rs), func(i int) bool {
			return rs[i].n > len(code) || rs[i].n == len(code) && rs[i].lo > v
		})
		if i > 0 {
			r := rs[i-1]
			if r.n == len(code) && v >= r.lo && v <= r.hi {
				off := v - r.lo
				if r.arr != nil {
					if int(off) < len(r.arr) {
						return r.arr[off]
					}
					return ""
				}
				if len(r.dst) == 0 {
					return ""
				}
				dst := append([]rune(nil), r.dst...)
				dst[len(dst)-1] += rune(off)
				return string(dst)
			}
		}
		if f.twoByte {
			return ""
		}
	}
	if f.twoByte {
		return "" // Identity-H without ToUnicode: glyph ids, not text
	}
	if len(code) == 1 {
		if r := f.enc[code[0]]; r != 0 {
			return string(r)
		}
	}
	return ""
}

func (f *pdfFont) width(code []byte) float64 {
	if w, ok := f.widths[int(pdfCodeValue(code))]; ok && len(code) <= 2 {
		return w
	}
	return f.dw
}

// pdfParseCMap reads the parts of a CMap we need: codespace ranges, bfchar and
// bfrange.
func pdfParseCMap(data []byte) *pdfCMap {
	m := &pdfCMap{single: map[string]string{}}
	p := &pdfParser{b: data}
	var ops []pdfObj
	mode := ""
	for entries := 0; entries < 1<<20; entries++ {
		o, err := p.object(0)
		if err != nil {
			break
		}
		k, isKw := o.(pdfKeyword)
		if !isKw {
			if len(ops) < 4096 {
				ops = append(ops, o)
			}
			continue
		}
		switch k {
		case "begincodespacerange", "beginbfchar", "beginbfrange", "begincidrange", "begincidchar":
			mode = string(k)
			ops = ops[:0]
			continue
		case "endcodespacerange", "endbfchar", "endbfrange", "endcidrange", "endcidchar":
			switch mode {
			case "begincodespacerange":
				for i := 0; i+1 < len(ops); i += 2 {
					lo, ok1 := ops[i].(pdfString)
					hi, ok2 := ops[i+1].(pdfString)
					if ok1 && ok2 && len(lo) == len(hi) && len(lo) >= 1 && len(lo) <= 4 && len(m.space) < 64 {
						m.space = append(m.space, pdfCodeRange{lo: lo, hi: hi})
					}
				}
			case "beginbfchar":
				for i := 0; i+1 < len(ops); i += 2 {
					src, ok := ops[i].(pdfString)
					if !ok || len(src) == 0 || len(src) > 4 {
						continue
					}
					switch dst := ops[i+1].(type) {
					case pdfString:
						m.single[string(src)] = pdfUTF16BE(dst)
					case pdfName:
						if r := pdfGlyphRune(string(dst)); r != 0 {
							m.single[string(src)] = string(r)
						}
					}
				}
			case "beginbfrange":
				for i := 0; i+2 < len(ops); i += 3 {
					lo, ok1 := ops[i].(pdfString)
					hi, ok2 := ops[i+1].(pdfString)
					if !ok1 || !ok2 || len(lo) == 0 || len(lo) > 4 || len(lo) != len(hi) {
						continue
					}
					r := pdfBfRange{lo: pdfCodeValue(lo), hi: pdfCodeValue(hi), n: len(lo)}
					if r.hi < r.lo || len(m.ranges) >= 1<<16 {
						continue
					}
					switch dst := ops[i+2].(type) {
					case pdfString:
						r.dst = []rune(pdfUTF16BE(dst))
					case pdfArray:
						for _, x := range dst {
							if s, ok := x.(pdfString); ok && len(r.arr) < 65536 {
								r.arr = append(r.arr, pdfUTF16BE(s))
							}
						}
						if r.arr == nil {
							r.arr = []string{}
						}
					default:
						continue
					}
					m.ranges = append(m.ranges, r)
				}
			}
			mode = ""
			ops = ops[:0]
			continue
		}
		ops = ops[:0]
	}
	sort.SliceStable(m.ranges, func(i, j int) bool {
		a, b := m.ranges[i], m.ranges[j]
		return a.n < b.n || a.n == b.n && a.lo < b.lo
	})
	return m
}

func pdfUTF16BE(b []byte) string {
	u := make([]uint16, 0, len(b)/2)
	for i := 0; i+1 < len(b); i += 2 {
		u = append(u, uint16(b[i])<<8|uint16(b[i+1]))
	}
	if len(b) == 1 {
		return string(rune(b[0]))
	}
	return string(utf16.Decode(u))
}

// pdfTextString decodes a text string (field values, names): UTF-16BE with a BOM,
// UTF-8 with a BOM, or PDFDocEncoding.
func pdfTextString(b []byte) string {
	if len(b) >= 2 && b[0] == 0xFE && b[1] == 0xFF {
		return pdfUTF16BE(b[2:])
	}
	if len(b) >= 3 && b[0] == 0xEF && b[1] == 0xBB && b[2] == 0xBF && utf8.Valid(b[3:]) {
		return string(b[3:])
	}
	var sb strings.Builder
	for _, c := range b {
		if c >= 0x80 && c < 0xA0 {
			if r := pdfDocHigh[c-0x80]; r != 0 {
				sb.WriteRune(r)
				continue
			}
		}
		sb.WriteRune(rune(c))
	}
	return sb.String()
}

var pdfDocHigh = [32]rune{
	0x2022, 0x2020, 0x2021, 0x2026, 0x2014, 0x2013, 0x0192, 0x2044,
	0x2039, 0x203A, 0x2212, 0x2030, 0x201E, 0x201C, 0x201D, 0x2018,
	0x2019, 0x201A, 0x2122, 0xFB01, 0xFB02, 0x0141, 0x0152, 0x0160,
	0x0178, 0x017D, 0x0131, 0x0142, 0x0153, 0x0161, 0x017E, 0,
}

// --- content streams ---

type pdfMatrix [6]float64

var pdfIdentity = pdfMatrix{1, 0, 0, 1, 0, 0}

// mul returns m × n (apply m, then n).
func (m pdfMatrix) mul(n pdfMatrix) pdfMatrix {
	return pdfMatrix{
		m[0]*n[0] + m[1]*n[2],
		m[0]*n[1] + m[1]*n[3],
		m[2]*n[0] + m[3]*n[2],
		m[2]*n[1] + m[3]*n[3],
		m[4]*n[0] + m[5]*n[2] + n[4],
		m[4]*n[1] + m[5]*n[3] + n[5],
	}
}

type pdfGlyph struct {
	x, y, w, size float64
	text          string
	// rule: a stroked line or thin filled rectangle (a table border) from (x, y)
	// to (x+w, y+size), axis-aligned; text is empty.
	rule bool
}

const pdfMaxRules = 100000 // table border segments kept from the whole document

type pdfGState struct {
	ctm                                  pdfMatrix
	charSpace, wordSpace, scale, leading float64
	rise, fontSize                       float64
	font                                 *pdfFont
}

func (d *pdfDoc) pageGlyphs(pg pdfPage) ([]pdfGlyph, error) {
	var content []byte
	switch c := d.resolve(pg.dict["Contents"]).(type) {
	case *pdfStream:
		b, err := d.decodeStream(c)
		if err != nil && errors.Is(err, ErrTooLarge) {
			return nil, err
		}
		content = b // an undecodable stream reads as an empty page
	case pdfArray:
		for _, x := range c {
			s, ok := d.resolve(x).(*pdfStream)
			if !ok {
				continue
			}
			b, err := d.decodeStream(s)
			if err != nil {
				if errors.Is(err, ErrTooLarge) {
					return nil, err
				}
				continue
			}
			content = append(content, b...)
			content = append(content, '\n')
		}
	}
	glyphs := []pdfGlyph{}
	gs := pdfGState{ctm: pdfIdentity, scale: 1}
	if err := d.runContent(content, pg.resources, gs, &glyphs, 0); err != nil {
		return nil, err
	}
	return glyphs, nil
}

func (d *pdfDoc) runContent(content []byte, res pdfDict, gs pdfGState, glyphs *[]pdfGlyph, depth int) error {
	if depth > pdfMaxXObjectDepth {
		return errTooLarge("nesting of PDF form XObjects", pdfMaxXObjectDepth)
	}
	p := &pdfParser{b: content}
	var stack []pdfGState
	var ops []pdfObj
	tm, tlm := pdfIdentity, pdfIdentity
	num := func(i int) float64 {
		if i < 0 || i >= len(ops) {
			return 0
		}
		v, _ := pdfNum(ops[i])
		return v
	}
	nargs := func(n int) int { return len(ops) - n } // index of the first of the last n operands
	show := func(s []byte) error {
		f := gs.font
		if f == nil {
			f = d.loadFont(nil)
			gs.font = f
		}
		if d.codes += len(s); d.codes > pdfMaxCodes {
			return errTooLarge("bytes of PDF text strings shown", pdfMaxCodes)
		}
		for _, code := range f.split(s) {
			w0 := f.width(code) * f.scale
			trm := pdfMatrix{gs.fontSize * gs.scale, 0, 0, gs.fontSize, 0, gs.rise}.mul(tm).mul(gs.ctm)
			size := math.Hypot(trm[2], trm[3])
			adv := w0*gs.fontSize + gs.charSpace
			if len(code) == 1 && code[0] == ' ' {
				adv += gs.wordSpace
			}
			adv *= gs.scale
			text := f.text(code)
			if text != "" {
				if d.glyphs >= pdfMaxGlyphs {
					return errTooLarge("characters of PDF text", pdfMaxGlyphs)
				}
				d.glyphs++
				*glyphs = append(*glyphs, pdfGlyph{
					x: trm[4], y: trm[5], size: size,
					w:    w0 * gs.fontSize * gs.scale * math.Hypot(trm[0], trm[1]) / math.Max(math.Abs(gs.fontSize*gs.scale), 1e-9),
					text: text,
				})
			}
			tm = pdfMatrix{1, 0, 0, 1, adv, 0}.mul(tm)
		}
		return nil
	}
	td := func(tx, ty float64) {
		tlm = pdfMatrix{1, 0, 0, 1, tx, ty}.mul(tlm)
		tm = tlm
	}
	// The current path, as segments in device space, for table borders.
	type seg struct {
		x0, y0, x1, y1 float64
		thin           bool // from a thin rectangle: a border even when only filled
	}
	var path []seg
	var cx, cy, sx, sy float64 // current point and subpath start, user space
	pt := func(x, y float64) (float64, float64) {
		m := gs.ctm
		return x*m[0] + y*m[2] + m[4], x*m[1] + y*m[3] + m[5]
	}
	addSeg := func(x0, y0, x1, y1 float64) {
		if len(path) < 4096 {
			ax, ay := pt(x0, y0)
			bx, by := pt(x1, y1)
			path = append(path, seg{ax, ay, bx, by, false})
		}
	}
	emitRules := func(stroked bool) error {
		for _, sg := range path {
			x0, x1 := math.Min(sg.x0, sg.x1), math.Max(sg.x0, sg.x1)
			y0, y1 := math.Min(sg.y0, sg.y1), math.Max(sg.y0, sg.y1)
			if !stroked && !sg.thin {
				continue // a filled shape's edges are no border (a shaded cell)
			}
			if (x1-x0 < 0.6 && y1-y0 > 2) || (y1-y0 < 0.6 && x1-x0 > 2) {
				if d.rules >= pdfMaxRules {
					break // past the cap borders are not kept: the text reads as lines
				}
				d.rules++
				*glyphs = append(*glyphs, pdfGlyph{x: x0, y: y0, w: x1 - x0, size: y1 - y0, rule: true})
			}
		}
		path = path[:0]
		return nil
	}
	for {
		o, err := p.object(0)
		if err == errPDFEOF {
			return nil
		}
		if err != nil {
			return err
		}
		op, isOp := o.(pdfKeyword)
		if isOp {
			if d.ops++; d.ops > pdfMaxOps {
				return errTooLarge("number of PDF content operators", pdfMaxOps)
			}
		}
		if !isOp {
			if len(ops) >= 4096 {
				ops = ops[1:]
			}
			ops = append(ops, o)
			continue
		}
		switch op {
		case "q":
			if len(stack) >= pdfMaxGState {
				return errTooLarge("nesting of PDF graphics states", pdfMaxGState)
			}
			stack = append(stack, gs)
		case "Q":
			if len(stack) > 0 {
				gs = stack[len(stack)-1]
				stack = stack[:len(stack)-1]
			}
		case "cm":
			if len(ops) >= 6 {
				i := nargs(6)
				gs.ctm = pdfMatrix{num(i), num(i + 1), num(i + 2), num(i + 3), num(i + 4), num(i + 5)}.mul(gs.ctm)
			}
		case "BT":
			tm, tlm = pdfIdentity, pdfIdentity
		case "Tf":
			if len(ops) >= 2 {
				i := nargs(2)
				if name, ok := ops[i].(pdfName); ok {
					gs.font = d.font(res, string(name))
				}
				gs.fontSize = num(i + 1)
			}
		case "Tc":
			gs.charSpace = num(nargs(1))
		case "Tw":
			gs.wordSpace = num(nargs(1))
		case "Tz":
			gs.scale = num(nargs(1)) / 100
		case "TL":
			gs.leading = num(nargs(1))
		case "Ts":
			gs.rise = num(nargs(1))
		case "Td":
			if len(ops) >= 2 {
				i := nargs(2)
				td(num(i), num(i+1))
			}
		case "TD":
			if len(ops) >= 2 {
				i := nargs(2)
				gs.leading = -num(i + 1)
				td(num(i), num(i+1))
			}
		case "Tm":
			if len(ops) >= 6 {
				i := nargs(6)
				tlm = pdfMatrix{num(i), num(i + 1), num(i + 2), num(i + 3), num(i + 4), num(i + 5)}
				tm = tlm
			}
		case "T*":
			td(0, -gs.leading)
		case "Tj", "'", "\"":
			if op == "'" {
				td(0, -gs.leading)
			}
			if op == "\"" && len(ops) >= 3 {
				i := nargs(3)
				gs.wordSpace, gs.charSpace = num(i), num(i+1)
				td(0, -gs.leading)
			}
			if len(ops) > 0 {
				if s, ok := ops[len(ops)-1].(pdfString); ok {
					if err := show(s); err != nil {
						return err
					}
				}
			}
		case "TJ":
			if len(ops) > 0 {
				arr, _ := ops[len(ops)-1].(pdfArray)
				for _, x := range arr {
					switch v := x.(type) {
					case pdfString:
						if err := show(v); err != nil {
							return err
						}
					default:
						if n, ok := pdfNum(v); ok {
							tx := -n / 1000 * gs.fontSize * gs.scale
							tm = pdfMatrix{1, 0, 0, 1, tx, 0}.mul(tm)
						}
					}
				}
			}
		case "Do":
			if len(ops) > 0 {
				if name, ok := ops[len(ops)-1].(pdfName); ok {
					if err := d.runXObject(res, string(name), gs, glyphs, depth); err != nil {
						return err
					}
				}
			}
		case "BI":
			p.skipInlineImage()
		case "m":
			if len(ops) >= 2 {
				i := nargs(2)
				cx, cy = num(i), num(i+1)
				sx, sy = cx, cy
			}
		case "l":
			if len(ops) >= 2 {
				i := nargs(2)
				addSeg(cx, cy, num(i), num(i+1))
				cx, cy = num(i), num(i+1)
			}
		case "h":
			addSeg(cx, cy, sx, sy)
			cx, cy = sx, sy
		case "c", "v", "y":
			if len(ops) >= 2 {
				i := nargs(2)
				cx, cy = num(i), num(i+1)
			}
		case "re":
			if len(ops) >= 4 {
				i := nargs(4)
				x, y, w, h := num(i), num(i+1), num(i+2), num(i+3)
				ax, ay := pt(x, y)
				bx, by := pt(x+w, y+h)
				x0, x1 := math.Min(ax, bx), math.Max(ax, bx)
				y0, y1 := math.Min(ay, by), math.Max(ay, by)
				// a thin rectangle is a border drawn as a fill (Word does this)
				switch {
				case len(path) >= 4096:
				case x1-x0 < 2.5 && y1-y0 > 2:
					path = append(path, seg{(x0 + x1) / 2, y0, (x0 + x1) / 2, y1, true})
				case y1-y0 < 2.5 && x1-x0 > 2:
					path = append(path, seg{x0, (y0 + y1) / 2, x1, (y0 + y1) / 2, true})
				default: // a box: its sides are borders when stroked
					path = append(path, seg{x0, y0, x1, y0, false}, seg{x0, y1, x1, y1, false},
						seg{x0, y0, x0, y1, false}, seg{x1, y0, x1, y1, false})
				}
				cx, cy, sx, sy = x, y, x, y
			}
		case "S", "s", "B", "B*", "b", "b*":
			if err := emitRules(true); err != nil {
				return err
			}
		case "f", "F", "f*":
			if err := emitRules(false); err != nil {
				return err
			}
		case "n":
			path = path[:0]
		}
		ops = ops[:0]
	}
}

func (d *pdfDoc) runXObject(res pdfDict, name string, gs pdfGState, glyphs *[]pdfGlyph, depth int) error {
	xobjs, _ := d.resolve(res["XObject"]).(pdfDict)
	s, ok := d.resolve(xobjs[name]).(*pdfStream)
	if !ok || s.dict["Subtype"] != pdfName("Form") {
		return nil
	}
	data, err := d.decodeStream(s)
	if err != nil {
		if errors.Is(err, ErrTooLarge) {
			return err
		}
		return nil
	}
	if m, ok := d.resolve(s.dict["Matrix"]).(pdfArray); ok && len(m) == 6 {
		var mm pdfMatrix
		for i := range mm {
			mm[i], _ = pdfNum(d.resolve(m[i]))
		}
		gs.ctm = mm.mul(gs.ctm)
	}
	xres := res
	if r, ok := d.resolve(s.dict["Resources"]).(pdfDict); ok {
		xres = r
	}
	return d.runContent(data, xres, gs, glyphs, depth+1)
}

// skipInlineImage moves past "... ID <data> EI" after BI.
func (p *pdfParser) skipInlineImage() {
	i := bytes.Index(p.b[p.pos:], []byte("ID"))
	if i < 0 {
		p.pos = len(p.b)
		return
	}
	p.pos += i + 2
	for {
		j := bytes.Index(p.b[p.pos:], []byte("EI"))
		if j < 0 {
			p.pos = len(p.b)
			return
		}
		at := p.pos + j
		p.pos = at + 2
		before := at == 0 || pdfIsSpace(p.b[at-1])
		after := at+2 >= len(p.b) || pdfIsSpace(p.b[at+2])
		if before && after {
			return
		}
	}
}

// --- layout: glyphs to lines ---

// pdfLines groups a page's glyphs into lines by baseline, top to bottom, and joins
// each line left to right: a space across a word gap, a tab across a column gap.
func pdfLines(glyphs []pdfGlyph) []string {
	ls := pdfLayout(glyphs)
	out := make([]string, len(ls))
	for i, l := range ls {
		out[i] = l.text
	}
	return out
}

// pdfLine is one line of a page as laid out.
type pdfLine struct {
	text         string
	x0, x1, y    float64 // left and right ends of its ink, baseline
	size, firstW float64 // font size; width of its first word
}

// pdfLayout is pdfLines with each line's position. Table borders are left out.
func pdfLayout(glyphs []pdfGlyph) []pdfLine {
	if len(glyphs) == 0 {
		return nil
	}
	idx := make([]int, 0, len(glyphs))
	for i := range glyphs {
		if !glyphs[i].rule {
			idx = append(idx, i)
		}
	}
	sort.SliceStable(idx, func(a, b int) bool { return glyphs[idx[a]].y > glyphs[idx[b]].y })
	var lines []pdfLine
	for start := 0; start < len(idx); {
		// One baseline: within 0.45 of the larger font size, so a superscript
		// ("11th") stays on its line; lines are at least a font size apart.
		g0 := glyphs[idx[start]]
		end := start + 1
		for end < len(idx) {
			g := glyphs[idx[end]]
			if math.Abs(g.y-g0.y) > math.Max(1, 0.45*math.Max(g0.size, g.size)) {
				break
			}
			end++
		}
		line := idx[start:end]
		sort.SliceStable(line, func(a, b int) bool { return glyphs[line[a]].x < glyphs[line[b]].x })
		var buf []byte
		var prev *pdfGlyph
		pl := pdfLine{y: g0.y, size: g0.size, x0: math.Inf(1), x1: math.Inf(-1)}
		firstDone := false
		for _, k := range line {
			g := &glyphs[k]
			if prev != nil {
				if g.text == prev.text && math.Abs(g.x-prev.x) < 0.1*g.size {
					continue // the same glyph drawn twice (fake bold)
				}
				size := math.Max(math.Max(g.size, prev.size), 1)
				gap := g.x - (prev.x + prev.w)
				endsSpace := len(buf) > 0 && (buf[len(buf)-1] == ' ' || buf[len(buf)-1] == '\t')
				switch {
				case gap > 1.8*size:
					buf = bytes.TrimRight(buf, " ")
					if len(buf) > 0 && buf[len(buf)-1] != '\t' {
						buf = append(buf, '\t')
					}
					firstDone = firstDone || pl.x1 > pl.x0
				case gap > 0.2*size && !endsSpace && g.text != " ":
					buf = append(buf, ' ')
					firstDone = firstDone || pl.x1 > pl.x0
				}
			}
			prev = g
			if g.text == " " {
				firstDone = firstDone || pl.x1 > pl.x0
				if len(buf) == 0 || buf[len(buf)-1] == '\t' {
					continue
				}
			} else {
				pl.x0 = math.Min(pl.x0, g.x)
				pl.x1 = math.Max(pl.x1, g.x+g.w)
				if !firstDone {
					pl.firstW = g.x + g.w - pl.x0
				}
			}
			buf = append(buf, g.text...)
		}
		if l := pdfCleanLine(string(buf)); l != "" {
			pl.text = l
			lines = append(lines, pl)
		}
		start = end
	}
	return lines
}

func pdfCleanLine(s string) string {
	s = strings.Map(func(r rune) rune {
		switch {
		case r == '\t':
			return r
		case r == 0xA0:
			return ' '
		case r < 0x20 || r == 0xFFFD:
			return -1
		}
		return r
	}, s)
	parts := strings.Split(s, "\t")
	out := parts[:0]
	for _, p := range parts {
		p = strings.Join(strings.Fields(p), " ")
		if p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, "\t")
}

// --- AcroForm fields ---

func (d *pdfDoc) readFields(root pdfDict, out map[string]string) error {
	form, _ := d.resolve(root["AcroForm"]).(pdfDict)
	fields, _ := d.resolve(form["Fields"]).(pdfArray)
	seen := map[pdfRef]bool{}
	count := 0
	var walk func(o pdfObj, parent string, ft pdfName, ff int64, v pdfObj, depth int) error
	walk = func(o pdfObj, parent string, ft pdfName, ff int64, v pdfObj, depth int) error {
		if depth > pdfMaxTreeDepth {
			return errTooLarge("depth of the PDF form field tree", pdfMaxTreeDepth)
		}
		if r, ok := o.(pdfRef); ok {
			if seen[r] {
				return nil
			}
			seen[r] = true
		}
		f, ok := d.resolve(o).(pdfDict)
		if !ok {
			return nil
		}
		count++
		if count > pdfMaxFields {
			return errTooLarge("number of PDF form fields", pdfMaxFields)
		}
		name := parent
		if t, ok := d.resolve(f["T"]).(pdfString); ok {
			if name != "" {
				name += "."
			}
			name += pdfTextString(t)
		}
		if x, ok := d.resolve(f["FT"]).(pdfName); ok {
			ft = x
		}
		if x, ok := pdfInt(d.resolve(f["Ff"])); ok {
			ff = x
		}
		if x, ok := f["V"]; ok {
			v = d.resolve(x)
		}
		kids, _ := d.resolve(f["Kids"]).(pdfArray)
		hasFieldKids := false
		for _, k := range kids {
			if kd, ok := d.resolve(k).(pdfDict); ok && kd["T"] != nil {
				hasFieldKids = true
				break
			}
		}
		if hasFieldKids {
			for _, k := range kids {
				if err := walk(k, name, ft, ff, v, depth+1); err != nil {
					return err
				}
			}
			return nil
		}
		if name == "" {
			return nil
		}
		if val, ok := d.fieldValue(f, kids, ft, ff, v); ok {
			out[name] = val
		}
		return nil
	}
	for _, f := range fields {
		if err := walk(f, "", "", 0, nil, 0); err != nil {
			return err
		}
	}
	return d.err
}

func (d *pdfDoc) fieldValue(f pdfDict, widgets pdfArray, ft pdfName, ff int64, v pdfObj) (string, bool) {
	const (
		ffRadio      = 1 << 15
		ffPushButton = 1 << 16
	)
	switch ft {
	case "Btn":
		if ff&ffPushButton != 0 {
			return "", false
		}
		state, isName := v.(pdfName)
		if !isName {
			// No /V: a checkbox's widget may still show its state.
			if as, ok := d.resolve(f["AS"]).(pdfName); ok {
				state, isName = as, true
			}
			for _, w := range widgets {
				if wd, ok := d.resolve(w).(pdfDict); ok {
					if as, ok := d.resolve(wd["AS"]).(pdfName); ok && as != "Off" {
						state, isName = as, true
					}
				}
			}
		}
		if ff&ffRadio != 0 {
			if !isName || state == "Off" || state == "" {
				return "", false
			}
			return string(state), true
		}
		if !isName || state == "Off" || state == "" {
			return "no", true
		}
		return "yes", true
	default:
		switch x := v.(type) {
		case pdfString:
			s := strings.TrimSpace(strings.ReplaceAll(pdfTextString(x), "\r", "\n"))
			if s == "" {
				return "", false
			}
			return s, true
		case pdfName:
			return string(x), x != ""
		case pdfArray:
			var parts []string
			for _, e := range x {
				if s, ok := d.resolve(e).(pdfString); ok {
					if t := strings.TrimSpace(pdfTextString(s)); t != "" {
						parts = append(parts, t)
					}
				}
			}
			if len(parts) == 0 {
				return "", false
			}
			return strings.Join(parts, ", "), true
		}
	}
	return "", false
}

// --- simple font encodings ---

func pdfBaseEncoding(name string) [256]rune {
	switch name {
	case "StandardEncoding":
		return pdfStandard
	case "MacRomanEncoding":
		return pdfMacRoman
	}
	return pdfWinAnsi
}

var pdfWinAnsi, pdfStandard, pdfMacRoman = func() ([256]rune, [256]rune, [256]rune) {
	var w, s, m [256]rune
	for c := 0x20; c < 0x7F; c++ {
		w[c], s[c], m[c] = rune(c), rune(c), rune(c)
	}
	for c := 0xA0; c <= 0xFF; c++ {
		w[c] = rune(c)
	}
	hi := []rune{0x20AC, 0, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0, 0x017D, 0,
		0, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0, 0x017E, 0x0178}
	for i, r := range hi {
		w[0x80+i] = r
	}
	s['\''] = 0x2019
	s['`'] = 0x2018
	mac := []rune{0xC4, 0xC5, 0xC7, 0xC9, 0xD1, 0xD6, 0xDC, 0xE1, 0xE0, 0xE2, 0xE4, 0xE3, 0xE5, 0xE7, 0xE9, 0xE8,
		0xEA, 0xEB, 0xED, 0xEC, 0xEE, 0xEF, 0xF1, 0xF3, 0xF2, 0xF4, 0xF6, 0xF5, 0xFA, 0xF9, 0xFB, 0xFC,
		0x2020, 0xB0, 0xA2, 0xA3, 0xA7, 0x2022, 0xB6, 0xDF, 0xAE, 0xA9, 0x2122, 0xB4, 0xA8, 0x2260, 0xC6, 0xD8,
		0x221E, 0xB1, 0x2264, 0x2265, 0xA5, 0xB5, 0x2202, 0x2211, 0x220F, 0x3C0, 0x222B, 0xAA, 0xBA, 0x3A9, 0xE6, 0xF8,
		0xBF, 0xA1, 0xAC, 0x221A, 0x192, 0x2248, 0x2206, 0xAB, 0xBB, 0x2026, 0xA0, 0xC0, 0xC3, 0xD5, 0x152, 0x153,
		0x2013, 0x2014, 0x201C, 0x201D, 0x2018, 0x2019, 0xF7, 0x25CA, 0xFF, 0x178, 0x2044, 0x20AC, 0x2039, 0x203A, 0xFB01, 0xFB02,
		0x2021, 0xB7, 0x201A, 0x201E, 0x2030, 0xC2, 0xCA, 0xC1, 0xCB, 0xC8, 0xCD, 0xCE, 0xCF, 0xCC, 0xD3, 0xD4,
		0xF8FF, 0xD2, 0xDA, 0xDB, 0xD9, 0x131, 0x2C6, 0x2DC, 0xAF, 0x2D8, 0x2D9, 0x2DA, 0xB8, 0x2DD, 0x2DB, 0x2C7}
	for i, r := range mac {
		m[0x80+i] = r
	}
	return w, s, m
}()

var pdfGlyphNames = map[string]rune{
	"space": ' ', "exclam": '!', "quotedbl": '"', "numbersign": '#', "dollar": '$', "percent": '%',
	"ampersand": '&', "quotesingle": '\'', "quoteright": 0x2019, "quoteleft": 0x2018, "parenleft": '(',
	"parenright": ')', "asterisk": '*', "plus": '+', "comma": ',', "hyphen": '-', "minus": 0x2212,
	"period": '.', "slash": '/', "zero": '0', "one": '1', "two": '2', "three": '3', "four": '4',
	"five": '5', "six": '6', "seven": '7', "eight": '8', "nine": '9', "colon": ':', "semicolon": ';',
	"less": '<', "equal": '=', "greater": '>', "question": '?', "at": '@', "bracketleft": '[',
	"backslash": '\\', "bracketright": ']', "asciicircum": '^', "underscore": '_', "grave": '`',
	"braceleft": '{', "bar": '|', "braceright": '}', "asciitilde": '~', "bullet": 0x2022,
	"endash": 0x2013, "emdash": 0x2014, "quotedblleft": 0x201C, "quotedblright": 0x201D,
	"quotesinglbase": 0x201A, "quotedblbase": 0x201E, "ellipsis": 0x2026, "fi": 0xFB01, "fl": 0xFB02,
	"sterling": 0xA3, "Euro": 0x20AC, "euro": 0x20AC, "section": 0xA7, "degree": 0xB0,
	"copyright": 0xA9, "registered": 0xAE, "trademark": 0x2122, "nbspace": 0xA0, "sfthyphen": 0xAD,
	"eacute": 0xE9, "egrave": 0xE8, "aacute": 0xE1, "agrave": 0xE0, "ccedilla": 0xE7, "odieresis": 0xF6,
	"udieresis": 0xFC, "adieresis": 0xE4, "checkmark": 0x2713, "a20": 0x2714, "a19": 0x2713,
}

// pdfGlyphRune maps a glyph name to its character: the common names, single
// letters, uniXXXX and uXXXX[XX].
func pdfGlyphRune(name string) rune {
	if i := strings.IndexByte(name, '.'); i > 0 {
		name = name[:i]
	}
	if r, ok := pdfGlyphNames[name]; ok {
		return r
	}
	if len(name) == 1 && (name[0] >= 'a' && name[0] <= 'z' || name[0] >= 'A' && name[0] <= 'Z') {
		return rune(name[0])
	}
	if strings.HasPrefix(name, "uni") && len(name) >= 7 {
		if v, err := strconv.ParseUint(name[3:7], 16, 32); err == nil {
			return rune(v)
		}
	}
	if strings.HasPrefix(name, "u") && len(name) >= 5 && len(name) <= 7 {
		if v, err := strconv.ParseUint(name[1:], 16, 32); err == nil && v <= unicode.MaxRune {
			return rune(v)
		}
	}
	return 0
}
