package parser

// Outlook's winmail.dat (application/ms-tnef, [MS-OXTNEF]): a signature, then a
// run of attributes, each "level, id, length, data, checksum". An attachment starts
// at attAttachRendData; its file name is in attAttachTitle (8.3 or short) or, better,
// PR_ATTACH_LONG_FILENAME inside the attAttachment MAPI properties; its bytes are in
// attAttachData or PR_ATTACH_DATA_BIN.

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"path"
	"strings"
	"unicode/utf16"
)

const (
	tnefMaxInput       = 64 << 20
	tnefMaxAttributes  = 100000
	tnefMaxAttachments = 1000
	tnefMaxProps       = 100000 // MAPI properties in one attribute
	tnefMaxValues      = 100000 // values of one multi-valued property

	tnefSignature = 0x223E9F78

	tnefAttachRendData = 0x00069002
	tnefAttachTitle    = 0x00018010
	tnefAttachData     = 0x0006800F
	tnefAttachMAPI     = 0x00069005
	tnefOemCodepage    = 0x00069007

	mapiAttachDataBin      = 0x3701
	mapiAttachFilename     = 0x3704
	mapiAttachLongFilename = 0x3707
	mapiDisplayName        = 0x3001

	mapiTypeString8 = 0x001E
	mapiTypeUnicode = 0x001F
	mapiTypeBinary  = 0x0102
	mapiTypeObject  = 0x000D
	mapiMultiValued = 0x1000
)

type tnefAttachment struct {
	Name string
	Data []byte
}

// tnefPart is an attachment as read, before its name is chosen.
type tnefPart struct {
	title, longName, fileName, display string
	data, mapiData                     []byte
	hasData                            bool
}

func tnefCorrupt(why string) error {
	return fmt.Errorf("winmail.dat: %s: %w", why, ErrCorrupt)
}

// extractTNEF returns the files attached to a TNEF message, in order. The message
// body is not returned.
func extractTNEF(raw []byte) ([]tnefAttachment, error) {
	if len(raw) > tnefMaxInput {
		return nil, errTooLarge("size of winmail.dat", tnefMaxInput)
	}
	if len(raw) < 6 || binary.LittleEndian.Uint32(raw) != tnefSignature {
		return nil, tnefCorrupt("no TNEF signature")
	}
	codepage := uint32(1252)
	var parts []*tnefPart
	pos := 6
	for n := 0; pos < len(raw); n++ {
		if n >= tnefMaxAttributes {
			return nil, errTooLarge("number of winmail.dat attributes", tnefMaxAttributes)
		}
		if len(raw)-pos < 9 {
			return nil, tnefCorrupt("truncated attribute header")
		}
		level := raw[pos]
		id := binary.LittleEndian.Uint32(raw[pos+1:])
		length := binary.LittleEndian.Uint32(raw[pos+5:])
		pos += 9
		if uint64(length)+2 > uint64(len(raw)-pos) {
			return nil, tnefCorrupt(fmt.Sprintf("attribute 0x%08x claims %d bytes, %d left", id, length, len(raw)-pos))
		}
		data := raw[pos : pos+int(length)]
		pos += int(length) + 2 // the checksum is not checked: damaged ones are common and harmless here
		var cur *tnefPart
		if len(parts) > 0 {
			cur = parts[len(parts)-1]
		}
		switch {
		case level == 1 && id == tnefOemCodepage && len(data) >= 4:
			codepage = binary.LittleEndian.Uint32(data)
		case level != 2:
			// Message attributes: the body and headers are not wanted.
		case id == tnefAttachRendData:
			if len(parts) >= tnefMaxAttachments {
				return nil, errTooLarge("number of winmail.dat attachments", tnefMaxAttachments)
			}
			parts = append(parts, &tnefPart{})
		case cur == nil:
			// An attachment attribute before any attAttachRendData: start one.
			if id == tnefAttachTitle || id == tnefAttachData || id == tnefAttachMAPI {
				parts = append(parts, &tnefPart{})
				cur = parts[0]
			}
			fallthrough
		default:
			if cur == nil {
				continue
			}
			switch id {
			case tnefAttachTitle:
				cur.title = tnefString8(data, codepage)
			case tnefAttachData:
				cur.data, cur.hasData = data, true
			case tnefAttachMAPI:
				if err := tnefMAPIProps(data, codepage, cur); err != nil {
					return nil, err
				}
			}
		}
	}
	out := make([]tnefAttachment, 0, len(parts))
	for i, p := range parts {
		data := p.data
		if !p.hasData {
			data = p.mapiData
		}
		if data == nil {
			continue // an embedded message or an OLE object: no file to hand on
		}
		name := tnefName(p, i)
		out = append(out, tnefAttachment{Name: name, Data: bytes.Clone(data)})
	}
	return out, nil
}

func tnefName(p *tnefPart, i int) string {
	for _, n := range []string{p.longName, p.title, p.fileName, p.display} {
		n = strings.TrimSpace(strings.ReplaceAll(n, "\\", "/"))
		n = path.Base(n)
		n = strings.Map(func(r rune) rune {
			if r < 0x20 || r == 0x7F {
				return -1
			}
			return r
		}, n)
		if n != "" && n != "." && n != "/" && n != ".." {
			return n
		}
	}
	return fmt.Sprintf("attachment-%d", i+1)
}

// tnefString8 decodes a NUL-terminated 8-bit string. Code page 1252 (and anything
// we do not know) is read as Windows-1252; 65001 as UTF-8.
func tnefString8(b []byte, codepage uint32) string {
	if i := bytes.IndexByte(b, 0); i >= 0 {
		b = b[:i]
	}
	if codepage == 65001 {
		return strings.ToValidUTF8(string(b), "\uFFFD")
	}
	var sb strings.Builder
	for _, c := range b {
		if r := pdfWinAnsi[c]; r != 0 {
			sb.WriteRune(r)
		} else if c < 0x20 || c == 0x7F {
			continue
		} else {
			sb.WriteRune('\uFFFD')
		}
	}
	return sb.String()
}

func tnefUnicode(b []byte) string {
	u := make([]uint16, 0, len(b)/2)
	for i := 0; i+1 < len(b); i += 2 {
		c := binary.LittleEndian.Uint16(b[i:])
		if c == 0 {
			break
		}
		u = append(u, c)
	}
	return string(utf16.Decode(u))
}

// tnefMAPIProps reads an attAttachment property list and keeps the names and data.
func tnefMAPIProps(b []byte, codepage uint32, p *tnefPart) error {
	r := &tnefReader{b: b}
	count, ok := r.u32()
	if !ok {
		return tnefCorrupt("truncated MAPI property list")
	}
	if count > tnefMaxProps {
		return errTooLarge("number of MAPI properties in winmail.dat", tnefMaxProps)
	}
	for i := uint32(0); i < count; i++ {
		typ, ok1 := r.u16()
		id, ok2 := r.u16()
		if !ok1 || !ok2 {
			return tnefCorrupt("truncated MAPI property")
		}
		if id >= 0x8000 { // named property: GUID, kind, then an id or a name
			if !r.skip(16) {
				return tnefCorrupt("truncated MAPI property name")
			}
			kind, ok := r.u32()
			if !ok {
				return tnefCorrupt("truncated MAPI property name")
			}
			switch kind {
			case 0:
				if !r.skip(4) {
					return tnefCorrupt("truncated MAPI property name")
				}
			case 1:
				n, ok := r.u32()
				if !ok || !r.skip(pad4(n)) {
					return tnefCorrupt("truncated MAPI property name")
				}
			default:
				return tnefCorrupt("bad MAPI property name kind")
			}
		}
		values, err := r.values(typ)
		if err != nil {
			return err
		}
		if len(values) == 0 || typ&mapiMultiValued != 0 {
			continue
		}
		v := values[0]
		str := func() string {
			if typ == mapiTypeUnicode {
				return tnefUnicode(v)
			}
			return tnefString8(v, codepage)
		}
		switch {
		case id == mapiAttachLongFilename && (typ == mapiTypeString8 || typ == mapiTypeUnicode):
			p.longName = str()
		case id == mapiAttachFilename && (typ == mapiTypeString8 || typ == mapiTypeUnicode):
			p.fileName = str()
		case id == mapiDisplayName && (typ == mapiTypeString8 || typ == mapiTypeUnicode):
			p.display = str()
		case id == mapiAttachDataBin && typ == mapiTypeBinary:
			p.mapiData = v
		}
	}
	return nil
}

// pad4 rounds n up to a multiple of 4, in a width that cannot overflow.
func pad4(n uint32) uint64 { return (uint64(n) + 3) &^ 3 }

type tnefReader struct {
	b   []byte
	pos int
}

func (r *tnefReader) skip(n uint64) bool {
	if n > uint64(len(r.b)-r.pos) {
		return false
	}
	r.pos += int(n)
	return true
}

func (r *tnefReader) take(n uint64) ([]byte, bool) {
	start := r.pos
	if !r.skip(n) {
		return nil, false
	}
	return r.b[start : start+int(n)], true
}

func (r *tnefReader) u16() (uint16, bool) {
	b, ok := r.take(2)
	if !ok {
		return 0, false
	}
	return binary.LittleEndian.Uint16(b), true
}

func (r *tnefReader) u32() (uint32, bool) {
	b, ok := r.take(4)
	if !ok {
		return 0, false
	}
	return binary.LittleEndian.Uint32(b), true
}

// values reads the value(s) of a property of type typ.
func (r *tnefReader) values(typ uint16) ([][]byte, error) {
	base := typ &^ mapiMultiValued
	variable := base == mapiTypeString8 || base == mapiTypeUnicode || base == mapiTypeBinary || base == mapiTypeObject
	var size uint64
	switch base {
	case 0x0001, 0x0002, 0x0003, 0x0004, 0x000A, 0x000B: // null, int16, int32, float, error, boolean
		size = 4
	case 0x0005, 0x0006, 0x0007, 0x0014, 0x0040: // double, currency, apptime, int64, systime
		size = 8
	case 0x0048: // GUID
		size = 16
	default:
		if !variable {
			return nil, fmt.Errorf("winmail.dat: MAPI property type 0x%04x is not supported: %w", typ, ErrCorrupt)
		}
	}
	n := uint32(1)
	if variable || typ&mapiMultiValued != 0 {
		var ok bool
		if n, ok = r.u32(); !ok {
			return nil, tnefCorrupt("truncated MAPI value count")
		}
		if n > tnefMaxValues {
			return nil, errTooLarge("number of values of a MAPI property in winmail.dat", tnefMaxValues)
		}
	}
	var out [][]byte
	for i := uint32(0); i < n; i++ {
		if !variable {
			v, ok := r.take(size)
			if !ok {
				return nil, tnefCorrupt("truncated MAPI value")
			}
			out = append(out, v)
			continue
		}
		l, ok := r.u32()
		if !ok {
			return nil, tnefCorrupt("truncated MAPI value length")
		}
		v, ok := r.take(uint64(l))
		if !ok {
			return nil, tnefCorrupt("truncated MAPI value")
		}
		// Padding to 4 bytes; some writers leave it off the last value.
		r.skip(min(pad4(l)-uint64(l), uint64(len(r.b)-r.pos)))
		out = append(out, v)
	}
	return out, nil
}
