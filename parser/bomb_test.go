package parser

import (
	"archive/zip"
	"bytes"
	"cmp"
	zflate "compress/flate"
	"errors"
	"fmt"
	"hash/crc32"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// Issue 8, item 1: caps on the whole of one document, not on each part of it. Each
// bomb is built here the way an attacker would, and Parse must refuse it (or read
// it truncated, saying so) while allocating a small fraction of what the bomb holds.

const bombAllocBudget = 64 << 20 // bytes Parse may allocate on any bomb below

// zipEntry is one entry of a hand-built package: data, or raw deflate bytes
// already compressed (with the uncompressed size and CRC they stand for).
type zipEntry struct {
	name string
	data []byte
	raw  []byte
	size uint64
	crc  uint32
}

func buildZip(t testing.TB, entries []zipEntry) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range entries {
		if e.raw != nil {
			w, err := zw.CreateRaw(&zip.FileHeader{Name: e.name, Method: zip.Deflate, CRC32: e.crc,
				CompressedSize64: uint64(len(e.raw)), UncompressedSize64: e.size})
			if err != nil {
				t.Fatal(err)
			}
			w.Write(e.raw)
			continue
		}
		w, err := zw.Create(e.name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(e.data)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// deflated compresses data once, so one compressed part can be stored many times.
func deflated(t testing.TB, data []byte) zipEntry {
	t.Helper()
	var buf bytes.Buffer
	fw, _ := zflate.NewWriter(&buf, zflate.BestCompression)
	fw.Write(data)
	fw.Close()
	return zipEntry{raw: buf.Bytes(), size: uint64(len(data)), crc: crc32.ChecksumIEEE(data)}
}

// repeatDeflated is n copies of unit, compressed as a stream (never held whole).
func repeatDeflated(t testing.TB, unit string, n int) zipEntry {
	t.Helper()
	var buf bytes.Buffer
	fw, _ := zflate.NewWriter(&buf, zflate.BestSpeed)
	chunk := []byte(strings.Repeat(unit, 64<<10/len(unit)))
	h := crc32.NewIEEE()
	var size uint64
	for left := n; left > 0; {
		k := min(left, 64<<10/len(unit))
		fw.Write(chunk[:k*len(unit)])
		h.Write(chunk[:k*len(unit)])
		size += uint64(k * len(unit))
		left -= k
	}
	fw.Close()
	return zipEntry{raw: buf.Bytes(), size: size, crc: h.Sum32()}
}

func docxParts(documentXML string) []zipEntry {
	return []zipEntry{
		{name: "[Content_Types].xml", data: []byte(`<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>`)},
		{name: "word/document.xml", data: []byte(documentXML)},
	}
}

// allocated runs f and says how many bytes it allocated on the heap.
func allocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

type bomb struct {
	name     string
	data     []byte
	wantErr  string // "": read, truncated, with a warning
	wantWarn string
	alloc    uint64 // bytes Parse may allocate; 0: bombAllocBudget
}

// parseBombs builds every bomb (about 6 MB of input in all, in well under a second).
func parseBombs(t testing.TB) []bomb {
	referral := `<?xml version="1.0"?><w:document ` + wordNS + `><w:body>` +
		p("APPENDIX 1 – Child Safeguarding Practice Review Referral Form") +
		p("Name of child: Test Child") + p("Date of Referral: 02/04/2026") + `</w:body></w:document>`

	// 4,000 header parts of 1 MiB of text each, every one the same 1 KB of deflate.
	header := []byte(`<w:hdr ` + wordNS + `><w:p><w:r><w:t>`)
	header = append(header, bytes.Repeat([]byte("LSCP "), (1<<20-len(header)-40)/5)...)
	header = append(header, `</w:t></w:r></w:p></w:hdr>`...)
	header = append(header, bytes.Repeat([]byte(" "), 1<<20-len(header))...)
	hdr := deflated(t, header)
	headers := docxParts(referral)
	for i := range 4000 {
		e := hdr
		e.name = fmt.Sprintf("word/header%d.xml", i+1)
		headers = append(headers, e)
	}
	headerBomb := buildZip(t, headers)
	smallHeaderBomb := buildZip(t, headers[:2+40])

	// Many small header parts: the number of parts read is capped, not only their bytes.
	manyHeaders := docxParts(referral)
	for i := range 3000 {
		manyHeaders = append(manyHeaders, zipEntry{name: fmt.Sprintf("word/footer%d.xml", i+1), data: []byte(`<w:ftr ` + wordNS + `><w:p><w:r><w:t>x</w:t></w:r></w:p></w:ftr>`)})
	}
	partsBomb := buildZip(t, manyHeaders)

	// Ten million empty paragraphs (60 MB of XML, under the per-part cap).
	paras := docxParts("")[:1]
	body := repeatDeflated(t, `<w:p/>`, 10_000_000)
	body.name = "word/document.xml"
	paras = append(paras, body) // not well-formed past the cap, which is never reached
	parasBomb := buildZip(t, paras)

	// The same in OpenDocument, and as rows and cells of a table.
	odt := []zipEntry{{name: "mimetype", data: []byte("application/vnd.oasis.opendocument.text")}}
	oc := repeatDeflated(t, `<text:p/>`, 5_000_000)
	oc.name = "content.xml"
	odtBomb := buildZip(t, append(odt, oc))
	cellsDoc := repeatDeflated(t, `<w:tr><w:tc/><w:tc/><w:tc/></w:tr>`, 1_000_000)
	cellsDoc.name = "word/document.xml"
	cellsBomb := buildZip(t, append(docxParts("")[:1], cellsDoc))

	// Elements that are neither blocks nor text: a cap on elements.
	runs := repeatDeflated(t, `<w:r/>`, 10_000_000)
	runs.name = "word/document.xml"
	runsBomb := buildZip(t, append(docxParts("")[:1], runs))

	// winmail.dat carrying many attachments, each a referral with 100,000 paragraphs:
	// each passes the caps alone, together they do not.
	mid := repeatDeflated(t, `<w:p/>`, 100_000)
	mid.name = "word/document.xml"
	midDocx := buildZip(t, append(docxParts("")[:1], mid))
	tn := newTNEF()
	for i := range 20 {
		tn.attr(2, tnefAttachRendData, make([]byte, 14))
		tn.attr(2, tnefAttachTitle, []byte(fmt.Sprintf("form%d.docx\x00", i)))
		tn.attr(2, tnefAttachData, midDocx)
	}
	tnefBomb := tn.Bytes()

	// A PDF whose pages are ruled into a 1,999 by 1,999 grid (4 million cells a
	// page if every crossing made one), with a glyph in many of them.
	var grid strings.Builder
	for i := range 1999 {
		y := 10 + float64(i)*0.39
		fmt.Fprintf(&grid, "10 %.2f m 790 %.2f l S\n", y, y)
		fmt.Fprintf(&grid, "%.2f 10 m %.2f 790 l S\n", y, y)
	}
	for i := range 2000 {
		fmt.Fprintf(&grid, "BT /F1 1 Tf %d %d Td (x) Tj ET\n", 10+i%700, 10+i/3)
	}
	gridPage := pdfStreamObj("", []byte(grid.String()))
	pdfObjs := []string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"",
		gridPage,
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
	}
	var kids strings.Builder
	for range 10 {
		fmt.Fprintf(&kids, "%d 0 R ", len(pdfObjs)+1)
		pdfObjs = append(pdfObjs, "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 800 800] /Resources << /Font << /F1 4 0 R >> >> /Contents 3 0 R >>")
	}
	pdfObjs[1] = "<< /Type /Pages /Kids [" + kids.String() + "] /Count 10 >>"
	pdfGridBomb := buildPDF(pdfObjs, pdfXrefTable)

	// Plain text and HTML bodies.
	textBomb := bytes.Repeat([]byte("\n"), 3<<20)
	htmlBomb := append([]byte("<html><body><table><tr>"), bytes.Repeat([]byte("<td></td>"), 2_000_000)...)

	return []bomb{
		{"4000 header parts of 1 MiB", headerBomb, "", "headers and footers", 0},
		{"3000 footer parts", partsBomb, "", "headers and footers", 0},
		{"40 header parts of 1 MiB", smallHeaderBomb, "", "headers and footers", 0},
		{"ten million empty paragraphs", parasBomb, "number of paragraphs", "", 0},
		{"odt: five million empty paragraphs", odtBomb, "number of paragraphs", "", 0},
		{"a million rows of three cells", cellsBomb, "number of paragraphs", "", 0},
		// encoding/xml allocates about 190 short-lived bytes per element, so the
		// element cap (500,000) is what bounds this one.
		{"ten million empty runs", runsBomb, "number of XML elements", "", 128 << 20},
		{"winmail.dat of twenty 100k-paragraph forms", tnefBomb, "number of paragraphs", "", 0},
		{"three million empty lines", textBomb, "number of paragraphs", "", 0},
		// no page is a table (past the cell cap): each reads as lines
		{"10 PDF pages ruled into 4 million cells each", pdfGridBomb, "", "", 0},
		{"two million empty cells in HTML", htmlBomb, "number of", "", 0},
	}
}

func TestParseBombs(t *testing.T) {
	tests := parseBombs(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var f *Form
			var err error
			n := allocated(func() { f, err = Parse("bomb", tt.data, Options{}) })
			t.Logf("%d KiB in, %d MiB allocated, err %v", len(tt.data)>>10, n>>20, err)
			want := cmp.Or(tt.alloc, bombAllocBudget)
			if n > want {
				t.Errorf("Parse allocated %d MiB, want under %d MiB", n>>20, want>>20)
			}
			if tt.wantErr != "" {
				if !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("Parse = %v, %v; want ErrTooLarge about %q", f, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("Parse error = %v, want a truncated read", err)
			}
			if tt.wantWarn == "" {
				return // read, and within the allocation bound: nothing more to ask
			}
			if !strings.Contains(strings.Join(f.Warnings, "\n"), tt.wantWarn) {
				t.Errorf("Parse warnings = %q, want one about %q", f.Warnings, tt.wantWarn)
			}
			if f.Kind != KindReferral || f.Fields["child_name"] != "Test Child" {
				t.Errorf("Parse = %s %v, want the referral's body read", f.Kind, f.Fields)
			}
		})
	}
}

// ParseBody cannot fail: a body past the caps is read as far as they go, and says so.
func TestParseBodyBombs(t *testing.T) {
	text := "Child not known to us.\n" + strings.Repeat("\n", 3<<20)
	var f *Form
	n := allocated(func() { f = ParseBody(text, "") })
	if n > bombAllocBudget {
		t.Errorf("ParseBody allocated %d MiB, want under %d MiB", n>>20, bombAllocBudget>>20)
	}
	if len(f.Warnings) == 0 || !strings.Contains(f.Warnings[0], "lines") {
		t.Errorf("ParseBody warnings = %q, want one saying the body was cut", f.Warnings)
	}
	html := "<html><body><table><tr>" + strings.Repeat("<td></td>", 2_000_000)
	n = allocated(func() { f = ParseBody("", html) })
	if n > bombAllocBudget {
		t.Errorf("ParseBody(html) allocated %d MiB, want under %d MiB", n>>20, bombAllocBudget>>20)
	}
	if len(f.Warnings) == 0 {
		t.Errorf("ParseBody(html) warnings = %q, want one saying the body was not read", f.Warnings)
	}
}

// The budget is the document's, whatever carries it: a decrypted package and a
// PDF's text are charged to the same caps as a plain .docx.
func TestBudgetCoversEveryReader(t *testing.T) {
	read := func(name string) []byte {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			t.Skip("corpus not generated")
		}
		return b
	}
	tests := []struct {
		name string
		data []byte
		pw   string
		lim  Limits
		want string
	}{
		{"encrypted docx, paragraphs", read("ref14_encrypted_agile.docx"), "Lscp-Test-2026", Limits{MaxBlocks: 50}, "number of paragraphs"},
		{"encrypted docx, text", read("ref14_encrypted_agile.docx"), "Lscp-Test-2026", Limits{MaxText: 500}, "text of the document"},
		{"PDF, paragraphs", read("ref16_official_lo_pdf.pdf"), "", Limits{MaxBlocks: 20}, "number of paragraphs"},
		{"PDF, text", read("ref16_official_lo_pdf.pdf"), "", Limits{MaxText: 500}, "text of the document"},
		{"odt, parts", read("ref10_lo_docx_odt.odt"), "", Limits{MaxParts: 1}, "number of parts"},
		{"HTML, elements", read("ref20_html_body_signed.html"), "", Limits{MaxNodes: 20}, "number of XML elements"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("x", tt.data, Options{Passwords: []string{tt.pw}, Limits: tt.lim})
			if !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Parse error = %v, want ErrTooLarge about %q", err, tt.want)
			}
		})
		t.Run(tt.name+", default limits", func(t *testing.T) {
			if _, err := Parse("x", tt.data, Options{Passwords: []string{tt.pw}}); err != nil {
				t.Fatalf("Parse error = %v, want none under the default limits", err)
			}
		})
	}
}
