package parser

import (
	"bytes"
	"encoding/xml"
	"io"
	"unicode/utf8"
	"unsafe"
)

// A document.xml of up to wholePart bytes is read whole and tokenised here by hand,
// not by encoding/xml, which cost a third of parsing a referral. The scanner takes
// only what it is sure of: tags with ASCII names and quoted attributes, and text with
// the five predefined entities. At anything else (the XML declaration, comments,
// CDATA, character references, a carriage return, a control character, a name that
// is not plain ASCII, anything malformed) it hands that one token to encoding/xml,
// started where the token starts, so what is read, and every error with its line,
// is what encoding/xml's RawToken gives; the tests read every fixture and fuzz
// input both ways and compare.

const wholePart = 1 << 20

// tokKind is what a token is: an element's start or end, text, or anything else.
type tokKind uint8

const (
	tokOther tokKind = iota
	tokStart
	tokEnd
	tokText
)

// token is one XML token as the Word reader uses it.
type token struct {
	kind  tokKind
	start xml.StartElement // tokStart; its Attr is reused by the next token
	end   xml.Name         // tokEnd
	text  []byte           // tokText; valid until the next token
}

func fromXML(t xml.Token) token {
	switch t := t.(type) {
	case xml.StartElement:
		return token{kind: tokStart, start: t}
	case xml.EndElement:
		return token{kind: tokEnd, end: t.Name}
	case xml.CharData:
		return token{kind: tokText, text: t}
	}
	return token{}
}

// xmlScan is the state of a part read whole.
type xmlScan struct {
	buf       []byte
	str       string // buf as a string: names and attribute values are pieces of it
	pos       int
	line      int // of linePos, as encoding/xml counts: 1 and a line for each \n
	linePos   int // lines are counted only when an error needs one (lineNow)
	closing   bool
	closeName xml.Name // the end of the empty element just read ("<w:tab/>")
	attrs     []xml.Attr
	text      []byte // text with entities, replaced
}

// newXMLScan scans buf, which it owns: nothing writes to buf once it is given
// here, so str is buf seen as a string, not a copy of it.
func newXMLScan(buf []byte) *xmlScan {
	str := ""
	if len(buf) > 0 {
		str = unsafe.String(&buf[0], len(buf))
	}
	return &xmlScan{buf: buf, str: str, line: 1, attrs: make([]xml.Attr, 0, 8)}
}

var newline = []byte{'\n'}

// next reads the next token into t, as encoding/xml's RawToken gives it.
func (s *xmlScan) next(t *token) error {
	if s.closing {
		s.closing = false
		*t = token{kind: tokEnd, end: s.closeName}
		return nil
	}
	if s.pos >= len(s.buf) {
		return io.EOF
	}
	start := s.pos
	var ok bool
	if s.buf[start] == '<' {
		ok = s.tag(t)
	} else {
		ok = s.chars(t)
	}
	if !ok {
		s.pos = start
		return s.decode(t)
	}
	return nil
}

// lineNow is the line of pos.
func (s *xmlScan) lineNow() int {
	s.line += bytes.Count(s.buf[s.linePos:s.pos], newline)
	s.linePos = s.pos
	return s.line
}

// decode reads the token at pos with encoding/xml.
func (s *xmlScan) decode(tok *token) error {
	dec := xml.NewDecoder(bytes.NewReader(s.buf[s.pos:]))
	t, err := dec.RawToken()
	if t == nil {
		if se, ok := err.(*xml.SyntaxError); ok {
			return &xml.SyntaxError{Msg: se.Msg, Line: s.lineNow() + se.Line - 1}
		}
		return err
	}
	s.pos += int(dec.InputOffset())
	end := s.pos
	*tok = fromXML(t)
	if tok.kind == tokStart && s.buf[end-2] == '/' {
		// "<x/>": the decoder gives the end next; it is given here instead
		s.closing, s.closeName = true, tok.start.Name
	}
	return nil
}

// isSpaceXML is encoding/xml's space between the parts of a tag.
func isSpaceXML(c byte) bool { return c == ' ' || c == '\r' || c == '\n' || c == '\t' }

func (s *xmlScan) skipSpace(i int) int {
	for i < len(s.buf) && isSpaceXML(s.buf[i]) {
		i++
	}
	return i
}

// nameByte is the decoder's isNameByte for every byte (false past ASCII).
var nameByte = [256]bool{
	'_': true, ':': true, '.': true, '-': true,
	'0': true, '1': true, '2': true, '3': true, '4': true, '5': true, '6': true, '7': true, '8': true, '9': true,
	'A': true, 'B': true, 'C': true, 'D': true, 'E': true, 'F': true, 'G': true, 'H': true, 'I': true, 'J': true, 'K': true, 'L': true, 'M': true,
	'N': true, 'O': true, 'P': true, 'Q': true, 'R': true, 'S': true, 'T': true, 'U': true, 'V': true, 'W': true, 'X': true, 'Y': true, 'Z': true,
	'a': true, 'b': true, 'c': true, 'd': true, 'e': true, 'f': true, 'g': true, 'h': true, 'i': true, 'j': true, 'k': true, 'l': true, 'm': true,
	'n': true, 'o': true, 'p': true, 'q': true, 'r': true, 's': true, 't': true, 'u': true, 'v': true, 'w': true, 'x': true, 'y': true, 'z': true,
}

// name reads an ASCII name at i, split at its colon as encoding/xml splits it.
func (s *xmlScan) name(i int) (xml.Name, int, bool) {
	b := s.buf
	j, colon, colons := i, -1, 0
	for j < len(b) && nameByte[b[j]] {
		if b[j] == ':' {
			colon, colons = j, colons+1
		}
		j++
	}
	if j == i || j >= len(b) || b[j] >= utf8.RuneSelf || colons > 1 {
		return xml.Name{}, 0, false
	}
	if c := b[i]; !('A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || c == '_' || c == ':') {
		return xml.Name{}, 0, false
	}
	if colon <= i || colon == j-1 {
		return xml.Name{Local: s.str[i:j]}, j, true // no prefix, or an empty part
	}
	return xml.Name{Space: s.str[i:colon], Local: s.str[colon+1 : j]}, j, true
}

// tag reads an element's start or end.
func (s *xmlScan) tag(t *token) bool {
	b := s.buf
	i := s.pos + 1
	if i >= len(b) || b[i] == '?' || b[i] == '!' {
		return false
	}
	if b[i] == '/' {
		n, j, ok := s.name(i + 1)
		if !ok {
			return false
		}
		j = s.skipSpace(j)
		if j >= len(b) || b[j] != '>' {
			return false
		}
		s.pos = j + 1
		*t = token{kind: tokEnd, end: n}
		return true
	}
	n, j, ok := s.name(i)
	if !ok {
		return false
	}
	attrs := s.attrs[:0]
	empty := false
	for {
		j = s.skipSpace(j)
		if j >= len(b) {
			return false
		}
		if b[j] == '>' {
			j++
			break
		}
		if b[j] == '/' {
			if j+1 >= len(b) || b[j+1] != '>' {
				return false
			}
			empty = true
			j += 2
			break
		}
		an, k, ok := s.name(j)
		if !ok {
			return false
		}
		k = s.skipSpace(k)
		if k >= len(b) || b[k] != '=' {
			return false
		}
		k = s.skipSpace(k + 1)
		if k >= len(b) || (b[k] != '"' && b[k] != '\'') {
			return false
		}
		v, k, ok := s.value(k+1, b[k])
		if !ok {
			return false
		}
		attrs = append(attrs, xml.Attr{Name: an, Value: v})
		j = k
	}
	s.attrs = attrs
	s.pos = j
	if empty {
		s.closing, s.closeName = true, n
	}
	*t = token{kind: tokStart, start: xml.StartElement{Name: n, Attr: attrs}}
	return true
}

// value reads an attribute's value up to its closing quote q.
func (s *xmlScan) value(i int, q byte) (string, int, bool) {
	b := s.buf
	j, amp, high := i, false, false
	for ; j < len(b) && b[j] != q; j++ {
		switch c := b[j]; {
		case c == '<' || c == '\r' || c < 0x20 && c != '\t' && c != '\n':
			return "", 0, false
		case c == '&':
			amp = true
		case c >= utf8.RuneSelf:
			high = true
		}
	}
	if j >= len(b) {
		return "", 0, false
	}
	v := b[i:j]
	if amp {
		var ok bool
		if v, ok = s.unescape(v); !ok {
			return "", 0, false
		}
	}
	if high && !xmlChars(v) {
		return "", 0, false
	}
	if amp {
		return string(v), j + 1, true
	}
	return s.str[i:j], j + 1, true
}

// chars reads text up to the next tag.
func (s *xmlScan) chars(t *token) bool {
	b := s.buf
	i, amp, high := s.pos, false, false
	for ; i < len(b) && b[i] != '<'; i++ {
		switch c := b[i]; {
		case c == '\r' || c < 0x20 && c != '\t' && c != '\n':
			return false
		case c == '>' && i-2 >= s.pos && b[i-1] == ']' && b[i-2] == ']':
			return false // "]]>" outside CDATA: the decoder's error
		case c == '&':
			amp = true
		case c >= utf8.RuneSelf:
			high = true
		}
	}
	v := b[s.pos:i]
	if amp {
		var ok bool
		if v, ok = s.unescape(v); !ok {
			return false
		}
	}
	if high && !xmlChars(v) {
		return false
	}
	s.pos = i
	*t = token{kind: tokText, text: v}
	return true
}

// unescape replaces the predefined entities in v, into s.text; any other
// reference ("&#10;", "&nbsp;", a bare "&") is left to the decoder.
func (s *xmlScan) unescape(v []byte) ([]byte, bool) {
	out := s.text[:0]
	for {
		k := bytes.IndexByte(v, '&')
		if k < 0 {
			break
		}
		out = append(out, v[:k]...)
		v = v[k+1:]
		semi := bytes.IndexByte(v, ';')
		if semi < 0 {
			return nil, false
		}
		switch string(v[:semi]) {
		case "lt":
			out = append(out, '<')
		case "gt":
			out = append(out, '>')
		case "amp":
			out = append(out, '&')
		case "apos":
			out = append(out, '\'')
		case "quot":
			out = append(out, '"')
		default:
			return nil, false
		}
		v = v[semi+1:]
	}
	out = append(out, v...)
	s.text = out
	return out, true
}

// xmlChars reports whether v is UTF-8 of characters XML allows, as the decoder
// checks its text.
func xmlChars(v []byte) bool {
	for len(v) > 0 {
		r, size := utf8.DecodeRune(v)
		if r == utf8.RuneError && size == 1 {
			return false
		}
		v = v[size:]
		if !(r == 0x09 || r == 0x0A || r == 0x0D || r >= 0x20 && r <= 0xD7FF || r >= 0xE000 && r <= 0xFFFD || r >= 0x10000 && r <= 0x10FFFF) {
			return false
		}
	}
	return true
}

// errReader gives err: what the part's reader said after the bytes read whole.
type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }
