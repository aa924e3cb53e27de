package parser

import (
	"bytes"
	"encoding/binary"
	"errors"
	"reflect"
	"strings"
	"testing"
	"unicode/utf16"
)

// A winmail.dat writer for tests, after [MS-OXTNEF].

type tnefBuilder struct{ bytes.Buffer }

func newTNEF() *tnefBuilder {
	b := &tnefBuilder{}
	binary.Write(b, binary.LittleEndian, uint32(tnefSignature))
	binary.Write(b, binary.LittleEndian, uint16(0x0001)) // legacy key
	return b
}

func (b *tnefBuilder) attr(level byte, id uint32, data []byte) *tnefBuilder {
	b.WriteByte(level)
	binary.Write(b, binary.LittleEndian, id)
	binary.Write(b, binary.LittleEndian, uint32(len(data)))
	b.Write(data)
	var sum uint16
	for _, c := range data {
		sum += uint16(c)
	}
	binary.Write(b, binary.LittleEndian, sum)
	return b
}

// mapiProps builds an attAttachment body from encoded properties.
func mapiProps(props ...[]byte) []byte {
	var b bytes.Buffer
	binary.Write(&b, binary.LittleEndian, uint32(len(props)))
	for _, p := range props {
		b.Write(p)
	}
	return b.Bytes()
}

func padded(v []byte) []byte {
	var b bytes.Buffer
	binary.Write(&b, binary.LittleEndian, uint32(len(v)))
	b.Write(v)
	for b.Len()%4 != 0 {
		b.WriteByte(0)
	}
	return b.Bytes()
}

// mapiVar is a single-valued variable-length property.
func mapiVar(typ, id uint16, v []byte) []byte {
	var b bytes.Buffer
	binary.Write(&b, binary.LittleEndian, typ)
	binary.Write(&b, binary.LittleEndian, id)
	binary.Write(&b, binary.LittleEndian, uint32(1))
	b.Write(padded(v))
	return b.Bytes()
}

func utf16LEz(s string) []byte {
	var b []byte
	for _, u := range utf16.Encode([]rune(s + "\x00")) {
		b = binary.LittleEndian.AppendUint16(b, u)
	}
	return b
}

// sampleTNEF holds three attachments, a message body, a named property and a
// multi-valued one, written the ways Outlook writes them.
func sampleTNEF() []byte {
	b := newTNEF()
	b.attr(1, 0x00089006, []byte{0, 0, 1, 0})                        // attTnefVersion
	b.attr(1, tnefOemCodepage, []byte{0xE4, 0x04, 0, 0, 0, 0, 0, 0}) // 1252
	b.attr(1, 0x00078008, []byte("IPM.Microsoft Mail.Note\x00"))     // attMessageClass
	b.attr(1, 0x0002800C, []byte("The body, not an attachment."))    // attBody

	// 1: 8.3 title, long name in MAPI (Unicode), data in attAttachData.
	b.attr(2, tnefAttachRendData, make([]byte, 14))
	b.attr(2, tnefAttachTitle, []byte("AGENCY~1.DOC\x00"))
	b.attr(2, tnefAttachData, []byte("PK\x03\x04 docx bytes"))
	named := []byte{}
	named = binary.LittleEndian.AppendUint16(named, 0x0003) // PT_LONG
	named = binary.LittleEndian.AppendUint16(named, 0x8005) // a named property:
	named = append(named, make([]byte, 16)...)              // GUID,
	named = binary.LittleEndian.AppendUint32(named, 1)      // kind "by name",
	named = append(named, padded(utf16LEz("x-name"))...)    // length, name, padding
	named = append(named, 7, 0, 0, 0)                       // the value
	mv := []byte{}
	mv = binary.LittleEndian.AppendUint16(mv, 0x1003) // PT_MV_LONG
	mv = binary.LittleEndian.AppendUint16(mv, 0x6001)
	mv = binary.LittleEndian.AppendUint32(mv, 2)
	mv = binary.LittleEndian.AppendUint32(mv, 1)
	mv = binary.LittleEndian.AppendUint32(mv, 2)
	long := []byte{}
	long = binary.LittleEndian.AppendUint16(long, 0x0003) // PR_ATTACH_METHOD, PT_LONG
	long = binary.LittleEndian.AppendUint16(long, 0x3705)
	long = binary.LittleEndian.AppendUint32(long, 1)
	b.attr(2, tnefAttachMAPI, mapiProps(
		long,
		named,
		mv,
		mapiVar(mapiTypeUnicode, mapiAttachLongFilename, utf16LEz("Agency report – Zoë.docx")),
		mapiVar(mapiTypeString8, mapiAttachFilename, []byte("AGENCY~1.DOC\x00")),
	))

	// 2: title only, in code page 1252, and a path in it.
	b.attr(2, tnefAttachRendData, make([]byte, 14))
	b.attr(2, tnefAttachTitle, []byte("C:\\Temp\\caf\xe9 notes.txt\x00"))
	b.attr(2, tnefAttachData, []byte("notes"))

	// 3: data only in PR_ATTACH_DATA_BIN, name from PR_ATTACH_LONG_FILENAME (8-bit).
	b.attr(2, tnefAttachRendData, make([]byte, 14))
	b.attr(2, tnefAttachMAPI, mapiProps(
		mapiVar(mapiTypeString8, mapiAttachLongFilename, []byte("chronology.pdf\x00")),
		mapiVar(mapiTypeBinary, mapiAttachDataBin, []byte("%PDF-1.7 bytes")),
	))

	// 4: an embedded message: no file data at all, left out.
	b.attr(2, tnefAttachRendData, make([]byte, 14))
	b.attr(2, tnefAttachTitle, []byte("Forwarded message\x00"))
	return b.Bytes()
}

func TestExtractTNEF(t *testing.T) {
	got, err := extractTNEF(sampleTNEF())
	if err != nil {
		t.Fatalf("extractTNEF error = %v", err)
	}
	want := []tnefAttachment{
		{Name: "Agency report – Zoë.docx", Data: []byte("PK\x03\x04 docx bytes")},
		{Name: "café notes.txt", Data: []byte("notes")},
		{Name: "chronology.pdf", Data: []byte("%PDF-1.7 bytes")},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("extractTNEF =\n%q\nwant\n%q", got, want)
	}
}

func TestExtractTNEFNoName(t *testing.T) {
	b := newTNEF()
	b.attr(2, tnefAttachRendData, make([]byte, 14))
	b.attr(2, tnefAttachData, []byte("x"))
	got, err := extractTNEF(b.Bytes())
	if err != nil {
		t.Fatalf("extractTNEF error = %v", err)
	}
	if len(got) != 1 || got[0].Name != "attachment-1" || string(got[0].Data) != "x" {
		t.Errorf("extractTNEF = %q, want one attachment-1 holding x", got)
	}
	// Only a body: no attachments, no error.
	b = newTNEF().attr(1, 0x0002800C, []byte("body"))
	got, err = extractTNEF(b.Bytes())
	if err != nil || len(got) != 0 {
		t.Errorf("extractTNEF(body only) = %q, %v; want no attachments and no error", got, err)
	}
}

func TestExtractTNEFErrors(t *testing.T) {
	sample := sampleTNEF()
	many := newTNEF()
	for i := 0; i < tnefMaxAttachments+1; i++ {
		many.attr(2, tnefAttachRendData, nil)
	}
	hugeCount := newTNEF()
	hugeCount.attr(2, tnefAttachRendData, nil)
	hugeCount.attr(2, tnefAttachMAPI, binary.LittleEndian.AppendUint32(nil, 0xFFFFFFFF))
	badLen := newTNEF()
	badLen.attr(2, tnefAttachRendData, nil)
	badLen.attr(2, tnefAttachMAPI, mapiProps(append(mapiVar(mapiTypeBinary, mapiAttachDataBin, nil)[:8], 0xFF, 0xFF, 0xFF, 0x7F)))
	tests := []struct {
		name    string
		raw     []byte
		wantErr error
		want    string
	}{
		{"empty", nil, ErrCorrupt, "no TNEF signature"},
		{"not TNEF", []byte("PK\x03\x04 a zip"), ErrCorrupt, "no TNEF signature"},
		{"truncated", sample[:len(sample)-5], ErrCorrupt, "claims"},
		{"truncated header", sample[:10], ErrCorrupt, "truncated attribute header"},
		{"too large", append(bytes.Clone(sample), make([]byte, tnefMaxInput)...), ErrTooLarge, "size of winmail.dat"},
		{"too many attachments", many.Bytes(), ErrTooLarge, "number of winmail.dat attachments"},
		{"huge property count", hugeCount.Bytes(), ErrTooLarge, "MAPI properties"},
		{"value past the end", badLen.Bytes(), ErrCorrupt, "truncated MAPI value"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := extractTNEF(tt.raw)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("extractTNEF(%s) = %q, %v; want error %v", tt.name, got, err, tt.wantErr)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("extractTNEF(%s) error = %q, want it to contain %q", tt.name, err, tt.want)
			}
		})
	}
}

func FuzzExtractTNEF(f *testing.F) {
	f.Add(sampleTNEF())
	f.Add(newTNEF().attr(2, tnefAttachData, []byte("x")).Bytes())
	f.Fuzz(func(t *testing.T, raw []byte) {
		got, err := extractTNEF(raw)
		if err != nil {
			if got != nil {
				t.Fatalf("extractTNEF returned attachments with error %v", err)
			}
			if !errors.Is(err, ErrCorrupt) && !errors.Is(err, ErrTooLarge) {
				t.Fatalf("extractTNEF error %v wraps none of the package's errors", err)
			}
			return
		}
		total := 0
		for _, a := range got {
			if a.Name == "" || strings.ContainsAny(a.Name, "/\\") {
				t.Fatalf("extractTNEF attachment name %q is empty or a path", a.Name)
			}
			total += len(a.Data)
		}
		if total > len(raw) {
			t.Fatalf("extractTNEF returned %d bytes of data from %d bytes of input", total, len(raw))
		}
	})
}
