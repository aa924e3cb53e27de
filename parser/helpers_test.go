package parser

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
)

const wordNS = `xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:w14="http://schemas.microsoft.com/office/word/2010/wordml" xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006"`

// makeDocx builds a .docx package around a w:body's inner XML.
func makeDocx(t testing.TB, body string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	files := []struct{ name, data string }{
		{"[Content_Types].xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>`},
		{"_rels/.rels", `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>`},
		{"word/document.xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document ` + wordNS + `><w:body>` + body + `</w:body></w:document>`},
	}
	for _, f := range files {
		w, err := zw.Create(f.name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(f.data))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// p is a paragraph of plain runs.
func p(texts ...string) string {
	var sb strings.Builder
	sb.WriteString("<w:p>")
	for _, t := range texts {
		fmt.Fprintf(&sb, `<w:r><w:t xml:space="preserve">%s</w:t></w:r>`, xmlEsc(t))
	}
	sb.WriteString("</w:p>")
	return sb.String()
}

// praw is a paragraph around raw run XML.
func praw(inner string) string { return "<w:p>" + inner + "</w:p>" }

func xmlEsc(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}

// tbl builds a table; each cell is raw XML (use p()) or, if it has no '<', a paragraph.
func tbl(rows ...[]string) string {
	var sb strings.Builder
	sb.WriteString("<w:tbl><w:tblPr/>")
	for _, r := range rows {
		sb.WriteString("<w:tr>")
		for _, c := range r {
			if !strings.Contains(c, "<") {
				c = p(c)
			}
			sb.WriteString("<w:tc>" + c + "</w:tc>")
		}
		sb.WriteString("</w:tr>")
	}
	sb.WriteString("</w:tbl>")
	return sb.String()
}

func cells(c ...string) []string { return c }

func mustJSON(v any) string {
	b, _ := json.MarshalIndent(v, "", "  ")
	return string(b)
}

// checkForm compares a form's kind, fields and tables with what is wanted, naming
// each difference.
func checkForm(t *testing.T, got *Form, kind Kind, fields map[string]string, tables map[string][]map[string]string) {
	t.Helper()
	if got.Kind != kind {
		t.Errorf("kind = %q, want %q", got.Kind, kind)
	}
	for k, v := range fields {
		if g, ok := got.Fields[k]; !ok {
			t.Errorf("field %s missing, want %q", k, v)
		} else if g != v {
			t.Errorf("field %s = %q, want %q", k, g, v)
		}
	}
	for k, g := range got.Fields {
		if _, ok := fields[k]; !ok {
			t.Errorf("field %s = %q, not wanted", k, g)
		}
	}
	if tables != nil {
		for name, rows := range tables {
			gr := got.Tables[name]
			if len(gr) != len(rows) {
				t.Errorf("table %s has %d rows, want %d:\n got %s", name, len(gr), len(rows), mustJSON(gr))
				continue
			}
			for i := range rows {
				if mustJSON(gr[i]) != mustJSON(rows[i]) {
					t.Errorf("table %s row %d = %s, want %s", name, i, mustJSON(gr[i]), mustJSON(rows[i]))
				}
			}
		}
		for name := range got.Tables {
			if _, ok := tables[name]; !ok {
				t.Errorf("table %s not wanted: %s", name, mustJSON(got.Tables[name]))
			}
		}
	}
	if t.Failed() {
		t.Logf("whole form: %s", mustJSON(got))
	}
}

func errorsIs(err, target error) bool { return err != nil && errors.Is(err, target) }
