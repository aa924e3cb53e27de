package parser

import (
	"bytes"
	"encoding/binary"
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestExtractDoc(t *testing.T) {
	got, err := extractDoc(readFormatsFixture(t, "legacy.doc"))
	if err != nil {
		t.Fatalf("extractDoc(legacy.doc) error = %v", err)
	}
	// The same document as the PDFs: make_docx.py, saved as .doc by LibreOffice.
	if !reflect.DeepEqual(got, loLines) {
		t.Errorf("extractDoc(legacy.doc) =\n%q\nwant\n%q", got, loLines)
	}
}

func TestExtractDocErrors(t *testing.T) {
	doc := readFormatsFixture(t, "legacy.doc")
	encrypted := bytes.Clone(doc)
	cf, err := openCFB(encrypted)
	if err != nil {
		t.Fatal(err)
	}
	// Set fEncrypted in the FIB: the WordDocument stream is over the mini stream
	// cutoff, so its first sector is in place in the file.
	wd := cf.entries["WordDocument"]
	off := (int(wd.start)+1)*cf.sectorSize + 0x0A
	binary.LittleEndian.PutUint16(encrypted[off:], binary.LittleEndian.Uint16(encrypted[off:])|0x0100)

	tests := []struct {
		name    string
		raw     []byte
		wantErr error
		want    string
	}{
		{"encrypted doc", encrypted, ErrEncrypted, "password-protected Word .doc"},
		{"encrypted docx", readFormatsFixture(t, "agile.docx"), ErrUnsupported, "not a Word .doc"},
		{"not OLE", []byte("{\\rtf1 hello}"), ErrCorrupt, "no OLE signature"},
		{"truncated", doc[:4096], ErrCorrupt, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := extractDoc(tt.raw)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("extractDoc(%s) = %q, %v; want error %v", tt.name, got, err, tt.wantErr)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("extractDoc(%s) error = %q, want it to contain %q", tt.name, err, tt.want)
			}
		})
	}
}

func TestDocLines(t *testing.T) {
	tests := []struct {
		name string
		text string
		want []string
	}{
		{"paragraphs", "One\rTwo\r\r", []string{"One", "Two"}},
		{"table", "Name\x07Alex\x07\x07Age\x076\x07\x07After\r", []string{"Name\tAlex", "Age\t6", "After"}},
		{"empty value cell", "Name\x07\x07\x07Age\x076\x07\x07", []string{"Name", "Age\t6"}},
		{"field result kept, code dropped", "Date: \x13 DATE \\@ \"d/M/yyyy\" \x143/2/2025\x15\r", []string{"Date: 3/2/2025"}},
		{"checkbox field", "Looked after \x13 FORMCHECKBOX \x01\x15 yes\r", []string{"Looked after yes"}},
		{"line break and hyphens", "a\x0bb\x1ec\x1fd\r", []string{"a b-cd"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := docLines(tt.text); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("docLines(%q) = %q, want %q", tt.text, got, tt.want)
			}
		})
	}
}

func FuzzExtractDoc(f *testing.F) {
	f.Add(readFormatsFixture(f, "legacy.doc"))
	f.Fuzz(func(t *testing.T, raw []byte) {
		lines, err := extractDoc(raw)
		if err != nil {
			if lines != nil {
				t.Fatalf("extractDoc returned lines with error %v", err)
			}
			if !errors.Is(err, ErrCorrupt) && !errors.Is(err, ErrUnsupported) &&
				!errors.Is(err, ErrTooLarge) && !errors.Is(err, ErrEncrypted) {
				t.Fatalf("extractDoc error %v wraps none of the package's errors", err)
			}
		}
	})
}
