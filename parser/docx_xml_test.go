package parser

import (
	"encoding/xml"
	"errors"
	"io"
	"strings"
	"testing"
)

// The Word reader reads with RawToken, checking end tags itself: a document
// encoding/xml's Token rejects is rejected with Token's words, and w14:checked is
// known by its namespace whatever its prefix.
func TestWordXMLErrorsAsToken(t *testing.T) {
	head := `<w:document ` + wordNS + `><w:body>`
	for _, doc := range []string{
		head + `<w:p><w:r><w:t>a</w:t></w:r></w:x></w:body></w:document>`,
		head + `<w:p><w:r><w:t>a</w:t></w:r></x:p></w:body></w:document>`,
		head + `<w:p><w:r><w:t>a</w:t></w:r></w:p></w:body></w:document></w:extra>`,
		head + `<w:p><w:r><w:t>a</w:t></w:r></w:p>`,
		head + `<w:p><w:pPr><w:x></w:y></w:pPr></w:p></w:body></w:document>`,
		head + `<w:p><w:r><w:t>a<w:x></w:t></w:r></w:p></w:body></w:document>`,
		head + `<w:p><w:r><w:rPr><w:b></w:i></w:rPr></w:r></w:p></w:body></w:document>`,
		head + `<w:p><w:r><w:t>a</w:t></w:r></w:p><`,
	} {
		var want error
		dec := xml.NewDecoder(strings.NewReader(doc))
		for {
			if _, err := dec.Token(); err != nil {
				if err != io.EOF {
					want = err
				}
				break
			}
		}
		_, err := readWordXML(strings.NewReader(doc), newBudget(Limits{}))
		var se *xml.SyntaxError
		if want == nil || !errors.As(want, &se) {
			t.Fatalf("Token accepts %q (%v): not a test of the checks", doc, want)
		}
		if err == nil || !strings.Contains(err.Error(), want.Error()) || !errors.Is(err, ErrCorrupt) {
			t.Errorf("readWordXML(%q) = %v, want an ErrCorrupt with %q", doc, err, want)
		}
	}
	box := func(prefix, decl string) string {
		return `<w:document ` + wordNS + `><w:body><w:p><w:sdt><w:sdtPr><` + prefix + `:checkbox ` + decl + `><` + prefix + `:checked ` + decl + ` ` + prefix + `:val="1"/></` + prefix + `:checkbox></w:sdtPr><w:sdtContent><w:r><w:t>☐</w:t></w:r></w:sdtContent></w:sdt><w:r><w:t> Yes</w:t></w:r></w:p></w:body></w:document>`
	}
	for _, tc := range []struct{ doc, want string }{
		{box("w14", ""), "☒ Yes"},
		{box("x", `xmlns:x="`+nsW14+`"`), "☒ Yes"},
		{box("w", ""), "☐ Yes"},
	} {
		bs, err := readWordXML(strings.NewReader(tc.doc), newBudget(Limits{}))
		if err != nil || len(bs) != 1 || bs[0].text != tc.want {
			t.Errorf("readWordXML(%q) = %+v, %v, want %q", tc.doc, bs, err, tc.want)
		}
	}
}

// The text of a w:t is read into the reader's own buffers: Wingdings' private-use
// boxes typed as text become ☒ and ☐ (other private-use glyphs go), a paragraph's
// runs and a text box's paragraph nested in it keep their own text, and a mailto:
// link that shows a name keeps the address after it.
func TestWordTextBuffers(t *testing.T) {
	links := map[string]string{"rId9": "kim@example.org"}
	tests := []struct{ xml, want string }{
		{`<w:p><w:r><w:t>Yes ` + "\uF0FE" + ` No ` + "\uF0A8\uF020" + `</w:t></w:r></w:p>`, "Yes ☒ No ☐"},
		{`<w:p><w:r><w:t>caf` + "\u00e9 \uEFFF" + `</w:t></w:r><w:r><w:t xml:space="preserve"> two</w:t></w:r></w:p>`, "café \uEFFF two"},
		{`<w:p><w:r><w:t>outer </w:t></w:r><w:r><w:pict><w:txbxContent><w:p><w:r><w:t>inner</w:t></w:r></w:p></w:txbxContent></w:pict></w:r><w:r><w:t>after</w:t></w:r></w:p><w:p><w:r><w:t>next</w:t></w:r></w:p>`, "inner|outer after|next"},
		{`<w:p><w:r><w:t>Email </w:t></w:r><w:hyperlink r:id="rId9"><w:r><w:t>Kim</w:t></w:r></w:hyperlink></w:p>`, "Email Kim <kim@example.org>"},
		{`<w:p><w:hyperlink r:id="rId9"><w:r><w:t>kim@example.org</w:t></w:r></w:hyperlink></w:p>`, "kim@example.org"},
	}
	for _, tt := range tests {
		doc := `<w:document ` + wordNS + ` xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><w:body>` + tt.xml + `</w:body></w:document>`
		bs, err := readWordXMLBytes([]byte(doc), newBudget(Limits{}), links)
		if err != nil {
			t.Fatalf("readWordXMLBytes(%s): %v", tt.xml, err)
		}
		var got []string
		for _, b := range bs {
			got = append(got, b.text)
		}
		if g := strings.Join(got, "|"); g != tt.want {
			t.Errorf("readWordXMLBytes(%s) = %q, want %q", tt.xml, g, tt.want)
		}
	}
}
