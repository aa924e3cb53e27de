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
