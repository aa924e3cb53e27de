package parser

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// sameWordXML reads data with the hand scanner and with encoding/xml, under the same
// limits, and fails unless both give the same blocks or the same error.
func sameWordXML(t *testing.T, name string, data []byte, lim Limits) {
	t.Helper()
	want, werr := readWordXMLLinks(bytes.NewReader(data), -1, newBudget(lim), nil)
	got, gerr := readWordXMLBytes(data, newBudget(lim), nil)
	if fmt.Sprint(gerr) != fmt.Sprint(werr) {
		t.Fatalf("%s: scanned: error %v, decoded: error %v", name, gerr, werr)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("%s: scanned and decoded blocks differ:\n%s\n%s", name, mustJSON(dumpBlocks(got)), mustJSON(dumpBlocks(want)))
	}
}

func dumpBlocks(bs []block) []any {
	var out []any
	for _, b := range bs {
		if b.table == nil {
			out = append(out, b.text)
			continue
		}
		var rows [][]any
		for _, r := range b.table.rows {
			var cs []any
			for _, c := range r.cells {
				cs = append(cs, map[string]any{"col": c.col, "span": c.span, "blocks": dumpBlocks(c.blocks)})
			}
			rows = append(rows, cs)
		}
		out = append(out, rows)
	}
	return out
}

// The hand scanner reads every fixture's document.xml as encoding/xml does, and
// so it does when the XML is damaged: bytes changed, taken out or put in where they
// matter to a tokenizer, the document cut short, and limits met part way.
func TestXMLScanAsDecoder(t *testing.T) {
	var docs []string
	files, _ := filepath.Glob("testdata/*.docx")
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		zr, err := zip.NewReader(bytes.NewReader(raw), int64(len(raw)))
		if err != nil {
			continue // encrypted, or not a package
		}
		for _, zf := range zr.File {
			if zf.Name != "word/document.xml" {
				continue
			}
			rc, err := zf.Open()
			if err != nil {
				continue
			}
			b, err := io.ReadAll(rc)
			rc.Close()
			if err == nil {
				docs = append(docs, string(b))
			}
		}
	}
	if len(docs) < 10 {
		t.Fatalf("%d fixtures' document.xml read, want more", len(docs))
	}
	docs = append(docs, `<w:document `+wordNS+`><w:body>`+officialReferral()+`</w:body></w:document>`,
		"<?xml version=\"1.0\"?>\r\n<!-- c --><w:document "+wordNS+"><w:body><w:p><w:r><w:t>a &amp; b &#169; &lt;c&gt; &quot;d&apos; ]]&gt; \r\n e</w:t></w:r><w:r><w:t xml:space='preserve'><![CDATA[x<y]]></w:t></w:r></w:p></w:body></w:document>",
		`<w:document `+wordNS+`><w:body><w:p><w:r><w:t a="x &amp; y" b = 'z'c="1">ok</w:t></w:r><é:p/><w:p/></w:p></w:body></w:document>`)
	for i, d := range docs {
		sameWordXML(t, fmt.Sprintf("doc %d", i), []byte(d), Limits{})
		sameWordXML(t, fmt.Sprintf("doc %d, small limits", i), []byte(d), Limits{MaxBlocks: 40, MaxNodes: 400, MaxText: 600, MaxDepth: 12})
	}
	bits := []string{"<", ">", "/", "&", ";", "&amp;", "&#10;", "&#x;", "&foo;", "\r", "\r\n", "\n", "\x00", "\x01", "\xff", "é", "\uFFFE", "]]>", "'", `"`, "=", " ", ":", "a:b:c", "<!--", "-->", "<![CDATA[", "<?x?>", "<!DOCTYPE x>", "</w:p>", "<w:p>", "<w:t>", "<w:t/>", "<w14:checked w14:val=\"1\"/>", "xmlns:q=\"u\" "}
	r := rand.New(rand.NewPCG(11, 12))
	for n := 0; n < 3000; n++ {
		d := docs[r.IntN(len(docs))]
		for k := r.IntN(3); k >= 0; k-- {
			at := r.IntN(len(d) + 1)
			switch r.IntN(4) {
			case 0: // put a piece in
				d = d[:at] + bits[r.IntN(len(bits))] + d[at:]
			case 1: // take bytes out
				d = d[:at] + d[min(len(d), at+1+r.IntN(8)):]
			case 2: // change a byte
				if at < len(d) {
					d = d[:at] + bits[r.IntN(len(bits))][:1] + d[at+1:]
				}
			case 3: // cut short
				d = d[:at]
			}
		}
		sameWordXML(t, fmt.Sprintf("mutation %d of %q", n, firstN(d, 0)), []byte(d), Limits{})
	}
}

func firstN(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}
