package parser

import (
	"bytes"
	"compress/zlib"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"unicode/utf16"
)

// loLines is what the LibreOffice fixtures (make_docx.py, then soffice) say.
var loLines = []string{
	"Appendix 1: Referral for a Rapid Review",
	"Date of referral: 03/02/2025",
	"Child's name\tAlex Example",
	"Date of birth\t02/04/2019",
	"Referrer email\treferrer@example.org",
	"Looked after child\tNo",
	"Reason for referral: the incident on 1 February 2025.",
}

func TestExtractPDFLibreOffice(t *testing.T) {
	for _, file := range []string{"lo.pdf", "lo-objstm.pdf"} {
		t.Run(file, func(t *testing.T) {
			c, err := extractPDF(readFormatsFixture(t, file))
			if err != nil {
				t.Fatalf("extractPDF(%s) error = %v", file, err)
			}
			if !reflect.DeepEqual(c.Lines, loLines) {
				t.Errorf("extractPDF(%s).Lines =\n%q\nwant\n%q", file, c.Lines, loLines)
			}
			if len(c.Fields) != 0 {
				t.Errorf("extractPDF(%s).Fields = %v, want none", file, c.Fields)
			}
		})
	}
}

// --- a small PDF writer for tests ---

type pdfTestMode int

const (
	pdfXrefTable  pdfTestMode = iota // classic xref table
	pdfXrefStream                    // objects in an object stream, xref stream
	pdfNoXref                        // no usable cross-reference: the reader must rebuild it
)

func flate(b []byte) []byte {
	var buf bytes.Buffer
	w := zlib.NewWriter(&buf)
	w.Write(b)
	w.Close()
	return buf.Bytes()
}

// pdfStreamObj is an object body holding a Flate-compressed stream.
func pdfStreamObj(dict string, data []byte) string {
	z := flate(data)
	return fmt.Sprintf("<< %s /Filter /FlateDecode /Length %d >>\nstream\n%s\nendstream", dict, len(z), z)
}

// buildPDF writes objects 1..n (objs[0] is object 1; object 1 must be the catalog).
func buildPDF(objs []string, mode pdfTestMode) []byte {
	var b bytes.Buffer
	b.WriteString("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
	n := len(objs)
	offsets := make([]int, n+3)
	if mode != pdfXrefStream {
		for i, o := range objs {
			offsets[i+1] = b.Len()
			fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
		}
		if mode == pdfNoXref {
			fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n999999\n%%%%EOF\n", n+1)
			return b.Bytes()
		}
		xref := b.Len()
		fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", n+1)
		for i := 1; i <= n; i++ {
			fmt.Fprintf(&b, "%010d 00000 n \n", offsets[i])
		}
		fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", n+1, xref)
		return b.Bytes()
	}
	// Streams stay direct; everything else goes into object stream n+1.
	stm := n + 1
	type loc struct{ inStm, idx int }
	where := make([]loc, n+1)
	var hdr, body bytes.Buffer
	k := 0
	for i, o := range objs {
		if strings.Contains(o, "\nstream\n") {
			continue
		}
		fmt.Fprintf(&hdr, "%d %d ", i+1, body.Len())
		body.WriteString(o + "\n")
		where[i+1] = loc{stm, k}
		k++
	}
	for i, o := range objs {
		if where[i+1].inStm == 0 {
			offsets[i+1] = b.Len()
			fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
		}
	}
	offsets[stm] = b.Len()
	first := hdr.Len()
	fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", stm, pdfStreamObj(fmt.Sprintf("/Type /ObjStm /N %d /First %d", k, first), append(hdr.Bytes(), body.Bytes()...)))
	xs := n + 2
	offsets[xs] = b.Len()
	var rows []byte
	for i := 0; i <= xs; i++ {
		switch {
		case i == 0:
			rows = append(rows, 0, 0, 0, 0, 0, 0xff, 0xff)
		case i <= n && where[i].inStm != 0:
			rows = append(rows, 2, 0, 0, byte(stm>>8), byte(stm), byte(where[i].idx>>8), byte(where[i].idx))
		default:
			o := offsets[i]
			rows = append(rows, 1, byte(o>>24), byte(o>>16), byte(o>>8), byte(o), 0, 0)
		}
	}
	fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", xs, pdfStreamObj(fmt.Sprintf("/Type /XRef /Size %d /W [1 4 2] /Root 1 0 R", xs+1), rows))
	fmt.Fprintf(&b, "startxref\n%d\n%%%%EOF\n", offsets[xs])
	return b.Bytes()
}

// cid encodes text as two-byte codes of the test Type0 font: code = rune + 0x1000.
func cid(s string) string {
	var sb strings.Builder
	sb.WriteByte('<')
	for _, r := range s {
		fmt.Fprintf(&sb, "%04X", r+0x1000)
	}
	sb.WriteByte('>')
	return sb.String()
}

const testToUnicode = `/CIDInit /ProcSet findresource begin
12 dict begin
begincmap
/CMapName /Test-UCS def
1 begincodespacerange
<0000> <FFFF>
endcodespacerange
2 beginbfrange
<1020> <105F> <0020>
<1060> <107E> [<0060> <0061> <0062> <0063> <0064> <0065> <0066> <0067> <0068> <0069> <006A> <006B> <006C> <006D> <006E> <006F> <0070> <0071> <0072> <0073> <0074> <0075> <0076> <0077> <0078> <0079> <007A> <007B> <007C> <007D> <007E>]
endbfrange
2 beginbfchar
<3612> <2612>
<10E9> <00E9>
endbfchar
endcmap
CMapName currentdict /CMap defineresource pop
end
end`

// type0Objects is a one-page document in a Type0 font with Identity-H codes and a
// ToUnicode CMap, laid out as a heading, a two-column table and a kerned line.
func type0Objects() []string {
	content := strings.Join([]string{
		"BT /F1 14 Tf 72 720 Td " + cid("Referral form") + " Tj ET",
		// Two-column table: label and value on one baseline, far apart.
		"BT /F1 11 Tf 1 0 0 1 72 690 Tm " + cid("Child's name") + " Tj ET",
		"BT /F1 11 Tf 1 0 0 1 300 690 Tm " + cid("Zoé Example") + " Tj ET",
		// The value drawn before its label: order on the line comes from x.
		"BT /F1 11 Tf 1 0 0 1 300 670 Tm " + cid("02/04/2019") + " Tj ET",
		"BT /F1 11 Tf 1 0 0 1 72 670 Tm " + cid("Date of birth") + " Tj ET",
		// Kerning and a word gap made by TJ, then a ticked box (bfchar).
		"BT /F1 11 Tf 72 650 Td [" + cid("Looked") + " -600 " + cid("after:") + " 120 " + cid(" ") + " <3612>] TJ ET",
		// Text placed through the CTM, and a next line by T*.
		"q 1 0 0 1 72 600 cm BT /F1 11 Tf 14 TL 0 0 Td " + cid("Reason: first line") + " Tj T* " + cid("second line") + " Tj ET Q",
	}, "\n")
	return []string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
		pdfStreamObj("", []byte(content)),
		"<< /Type /Font /Subtype /Type0 /BaseFont /AAAAAA+Test /Encoding /Identity-H /DescendantFonts [6 0 R] /ToUnicode 7 0 R >>",
		"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /AAAAAA+Test /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> /DW 500 /W [4128 [250] 4129 4300 500] >>",
		pdfStreamObj("", []byte(testToUnicode)),
	}
}

var type0Lines = []string{
	"Referral form",
	"Child's name\tZoé Example",
	"Date of birth\t02/04/2019",
	"Looked after: ☒",
	"Reason: first line",
	"second line",
}

func TestExtractPDFType0(t *testing.T) {
	for _, mode := range []pdfTestMode{pdfXrefTable, pdfXrefStream, pdfNoXref} {
		t.Run(fmt.Sprint("mode", mode), func(t *testing.T) {
			c, err := extractPDF(buildPDF(type0Objects(), mode))
			if err != nil {
				t.Fatalf("extractPDF error = %v", err)
			}
			if !reflect.DeepEqual(c.Lines, type0Lines) {
				t.Errorf("extractPDF.Lines =\n%q\nwant\n%q", c.Lines, type0Lines)
			}
		})
	}
}

func utf16BEHex(s string) string {
	var sb strings.Builder
	sb.WriteString("<FEFF")
	for _, u := range utf16.Encode([]rune(s)) {
		fmt.Fprintf(&sb, "%04X", u)
	}
	sb.WriteByte('>')
	return sb.String()
}

func formObjects() []string {
	content := "BT /F1 12 Tf 72 720 Td (Referral form \\(fields\\)) Tj ET\n" +
		"BT /F1 12 Tf 72 700 Td (Caf\\351 \\226 na\\357ve) Tj ET"
	return []string{
		"<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [5 0 R 6 0 R 7 0 R 8 0 R 9 0 R 10 0 R 12 0 R 13 0 R 14 0 R 15 0 R 5 0 R] >> >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 16 0 R >> >> /Contents 4 0 R /Annots [5 0 R] >>",
		pdfStreamObj("", []byte(content)),
		"<< /FT /Tx /T (child_name) /V (Alex Example) /Subtype /Widget /Rect [0 0 10 10] >>",
		"<< /FT /Tx /T (notes) /V " + utf16BEHex("Zoë’s notes") + " >>",
		"<< /FT /Btn /T (looked_after) /V /Yes /AS /Yes >>",
		"<< /FT /Btn /T (cp_plan) /V /Off /AS /Off >>",
		"<< /FT /Btn /T (open_to_csc) /Kids [<< /Subtype /Widget /AS /On >>] >>",
		"<< /T (agency) /Kids [11 0 R] >>",
		"<< /T (contact) /FT /Tx /V (Jo Bloggs) /Parent 10 0 R >>",
		"<< /FT /Btn /Ff 32768 /T (gender) /V /Female >>",
		"<< /FT /Btn /Ff 65536 /T (submit) >>",
		"<< /FT /Ch /T (agencies) /V [(Police) (Health)] >>",
		"<< /FT /Tx /T (empty) /V () >>",
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
	}
}

func TestExtractPDFAcroForm(t *testing.T) {
	want := map[string]string{
		"child_name":     "Alex Example",
		"notes":          "Zoë’s notes",
		"looked_after":   "yes",
		"cp_plan":        "no",
		"open_to_csc":    "yes",
		"agency.contact": "Jo Bloggs",
		"gender":         "Female",
		"agencies":       "Police, Health",
	}
	wantLines := []string{"Referral form (fields)", "Café – naïve"}
	for _, mode := range []pdfTestMode{pdfXrefTable, pdfXrefStream} {
		t.Run(fmt.Sprint("mode", mode), func(t *testing.T) {
			c, err := extractPDF(buildPDF(formObjects(), mode))
			if err != nil {
				t.Fatalf("extractPDF error = %v", err)
			}
			if !reflect.DeepEqual(c.Fields, want) {
				t.Errorf("extractPDF.Fields =\n%v\nwant\n%v", c.Fields, want)
			}
			if !reflect.DeepEqual(c.Lines, wantLines) {
				t.Errorf("extractPDF.Lines = %q, want %q", c.Lines, wantLines)
			}
		})
	}
}

func TestExtractPDFErrors(t *testing.T) {
	page := func(content string, extra ...string) []string {
		objs := []string{
			"<< /Type /Catalog /Pages 2 0 R >>",
			"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
			"<< /Type /Page /Parent 2 0 R /Resources << /Font << /F1 5 0 R >> /XObject << /Im1 6 0 R >> >> /Contents 4 0 R >>",
			pdfStreamObj("", []byte(content)),
			"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
			pdfStreamObj("/Type /XObject /Subtype /Image /Width 1 /Height 1 /ColorSpace /DeviceGray /BitsPerComponent 8", []byte{0}),
		}
		return append(objs, extra...)
	}
	// One stream just over the cap, and a page that reads a 20 MB stream 13 times.
	bomb := page("")
	bomb[3] = pdfStreamObj("", bytes.Repeat([]byte("0 0 m\n"), pdfMaxStream/6+10))
	total := page("")
	total[2] = "<< /Type /Page /Parent 2 0 R /Contents [" + strings.Repeat("7 0 R ", 13) + "] >>"
	total = append(total, pdfStreamObj("", bytes.Repeat([]byte("% comment\n"), 2<<20)))

	deep := page("BT /F1 12 Tf (x) Tj ET")
	deep[2] = "<< /Type /Page /Parent 2 0 R /Contents 4 0 R /Annots " + strings.Repeat("[", 200) + strings.Repeat("]", 200) + " >>"

	loop := page("BT /F1 12 Tf 72 700 Td (text) Tj ET")
	loop[1] = "<< /Type /Pages /Kids [3 0 R 2 0 R 7 0 R] /Count 1 >>"
	loop = append(loop, "7 0 R")

	tooMany := []byte("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\nxref\n0 300000\n0000000000 65535 f \ntrailer << /Root 1 0 R >>\nstartxref\n")
	tooMany = fmt.Appendf(tooMany, "%d\n%%%%EOF\n", bytes.Index(tooMany, []byte("xref")))

	encrypted := buildPDF(page("BT /F1 12 Tf (x) Tj ET"), pdfXrefTable)
	encrypted = bytes.Replace(encrypted, []byte("/Root 1 0 R"), []byte("/Root 1 0 R /Encrypt << /Filter /PubSec >>"), 1)

	xobjLoop := page("/Fm1 Do", pdfStreamObj("/Type /XObject /Subtype /Form /Resources << /XObject << /Fm1 7 0 R >> >>", []byte("/Fm1 Do")))
	xobjLoop[2] = "<< /Type /Page /Parent 2 0 R /Resources << /XObject << /Fm1 7 0 R >> >> /Contents 4 0 R >>"

	tests := []struct {
		name    string
		raw     []byte
		wantErr error
		want    string
		long    bool
	}{
		{"not a PDF", []byte("hello"), ErrCorrupt, "no %PDF header", false},
		{"empty", nil, ErrCorrupt, "no %PDF header", false},
		{"image only", buildPDF(page("q 100 0 0 100 0 0 cm /Im1 Do Q"), pdfXrefTable), ErrUnsupported, "send the form as .docx", false},
		{"no catalog", []byte("%PDF-1.4\n1 0 obj (x) endobj\ntrailer << >>\n%%EOF"), ErrCorrupt, "catalog", false},
		{"decompression bomb", buildPDF(bomb, pdfXrefTable), ErrTooLarge, "decompressed size of a PDF stream", false},
		{"decompressed total", buildPDF(total, pdfXrefTable), ErrTooLarge, "decompressed size of all PDF streams", true},
		{"deep nesting", buildPDF(deep, pdfXrefTable), ErrTooLarge, "nesting of PDF arrays", false},
		{"too many objects", tooMany, ErrTooLarge, "number of PDF objects", false},
		{"certificate security", encrypted, ErrEncrypted, "security handler", false},
		{"form XObject loop", buildPDF(xobjLoop, pdfXrefTable), ErrTooLarge, "form XObjects", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.long && testing.Short() {
				t.Skip("decompresses 260 MB")
			}
			c, err := extractPDF(tt.raw)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("extractPDF(%s) = %v, %v; want error %v", tt.name, c, err, tt.wantErr)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("extractPDF(%s) error = %q, want it to contain %q", tt.name, err, tt.want)
			}
		})
	}

	t.Run("loops are cut", func(t *testing.T) {
		c, err := extractPDF(buildPDF(loop, pdfXrefTable))
		if err != nil {
			t.Fatalf("extractPDF(page tree loop) error = %v", err)
		}
		if want := []string{"text"}; !reflect.DeepEqual(c.Lines, want) {
			t.Errorf("extractPDF(page tree loop).Lines = %q, want %q", c.Lines, want)
		}
	})
}

func TestPDFLines(t *testing.T) {
	g := func(x, y float64, s string) []pdfGlyph {
		var out []pdfGlyph
		for _, r := range s {
			out = append(out, pdfGlyph{x: x, y: y, w: 5, size: 10, text: string(r)})
			x += 5
		}
		return out
	}
	var gs []pdfGlyph
	gs = append(gs, g(300, 700, "value")...)
	gs = append(gs, g(72, 700.5, "Label")...) // a half-point off the baseline
	gs = append(gs, g(72, 680, "Two")...)
	gs = append(gs, g(92, 680, "words")...) // a 5pt gap: a space
	gs = append(gs, g(72, 660, "Bold")...)
	gs = append(gs, g(72.2, 660, "Bold")...) // drawn twice, slightly shifted
	gs = append(gs, g(72, 640, "11")...)
	gs = append(gs, pdfGlyph{x: 82, y: 644, w: 3, size: 6, text: "t"}, pdfGlyph{x: 85, y: 644, w: 3, size: 6, text: "h"})
	gs = append(gs, g(93, 640, "May")...)
	want := []string{"Label\tvalue", "Two words", "Bold", "11th May"}
	if got := pdfLines(gs); !reflect.DeepEqual(got, want) {
		t.Errorf("pdfLines = %q, want %q", got, want)
	}
}

func FuzzExtractPDF(f *testing.F) {
	for _, name := range []string{"lo.pdf", "lo-objstm.pdf", "enc-rc4-128.pdf", "enc-form-aes-128.pdf", "enc-form-aes-256.pdf"} {
		f.Add(readFormatsFixture(f, name))
	}
	for _, mode := range []pdfTestMode{pdfXrefTable, pdfXrefStream, pdfNoXref} {
		f.Add(buildPDF(type0Objects(), mode))
		f.Add(buildPDF(formObjects(), mode))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		c, err := extractPDFUnsafe(raw) // no recover: a panic is a bug to fix
		if err == nil && c == nil {
			t.Fatal("extractPDF returned neither content nor error")
		}
		if err != nil && !errors.Is(err, ErrCorrupt) && !errors.Is(err, ErrUnsupported) &&
			!errors.Is(err, ErrTooLarge) && !errors.Is(err, ErrEncrypted) {
			t.Fatalf("extractPDF error %v wraps none of the package's errors", err)
		}
	})
}

var updateFormats = flag.Bool("formats-update", false, "rewrite testdata/formats/form.pdf from formObjects (make.sh does this)")

// TestPDFFormFixture keeps testdata/formats/form.pdf, the AcroForm document make.sh
// encrypts with qpdf, equal to what formObjects builds.
func TestPDFFormFixture(t *testing.T) {
	built := buildPDF(formObjects(), pdfXrefTable)
	path := filepath.Join("testdata", "formats", "form.pdf")
	if *updateFormats {
		if err := os.WriteFile(path, built, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if got := readFormatsFixture(t, "form.pdf"); !bytes.Equal(got, built) {
		t.Errorf("%s differs from formObjects: run testdata/formats/make.sh", path)
	}
}

func TestExtractPDFEncrypted(t *testing.T) {
	wantFields := map[string]string{
		"child_name": "Alex Example", "notes": "Zoë’s notes", "looked_after": "yes", "cp_plan": "no",
		"open_to_csc": "yes", "agency.contact": "Jo Bloggs", "gender": "Female", "agencies": "Police, Health",
	}
	tests := []struct {
		file       string
		wantLines  []string
		wantFields map[string]string
		wantErr    error
	}{
		{file: "enc-rc4-40.pdf", wantLines: loLines},
		{file: "enc-rc4-128.pdf", wantLines: loLines},
		{file: "enc-aes-128.pdf", wantLines: loLines},
		{file: "enc-aes-256-objstm.pdf", wantLines: loLines},
		{file: "enc-form-aes-128.pdf", wantLines: []string{"Referral form (fields)", "Café – naïve"}, wantFields: wantFields},
		{file: "enc-form-aes-256.pdf", wantLines: []string{"Referral form (fields)", "Café – naïve"}, wantFields: wantFields},
		{file: "enc-user-aes-128.pdf", wantErr: ErrEncrypted},
		{file: "enc-user-aes-256.pdf", wantErr: ErrEncrypted},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			c, err := extractPDF(readFormatsFixture(t, tt.file))
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) || !strings.Contains(err.Error(), "without a password") {
					t.Fatalf("extractPDF(%s) = %v, %v; want error %v asking for it without a password", tt.file, c, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("extractPDF(%s) error = %v", tt.file, err)
			}
			if !reflect.DeepEqual(c.Lines, tt.wantLines) {
				t.Errorf("extractPDF(%s).Lines = %q, want %q", tt.file, c.Lines, tt.wantLines)
			}
			if tt.wantFields == nil {
				tt.wantFields = map[string]string{}
			}
			if !reflect.DeepEqual(c.Fields, tt.wantFields) {
				t.Errorf("extractPDF(%s).Fields = %v, want %v", tt.file, c.Fields, tt.wantFields)
			}
		})
	}
}

func TestMidWord(t *testing.T) {
	for _, tt := range []struct {
		prev, next string
		want       bool
	}{
		{"Safeguardi", "ng", true},
		{"supervisio", "n policy", true},
		{"Timescal", "e", true},
		{"household", "not", false},
		{"Outcome", "sought", false},
		{"Outcome", "Sought:", false},
		{"Example-", "Step", false},
		{"visit", "a", false},
		{"2026", "n", false},
	} {
		if got := midWord(tt.prev, tt.next); got != tt.want {
			t.Errorf("midWord(%q, %q) = %v, want %v", tt.prev, tt.next, got, tt.want)
		}
	}
}
