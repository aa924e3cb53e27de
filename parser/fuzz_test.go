package parser

import (
	"archive/zip"
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// seedCorpus adds every fixture of testdata/ (and testdata/unit/) to a fuzz corpus.
func seedCorpus(f *testing.F) {
	f.Helper()
	for _, dir := range []string{"testdata", filepath.Join("testdata", "unit")} {
		ents, _ := os.ReadDir(dir)
		for _, e := range ents {
			ext := filepath.Ext(e.Name())
			if e.IsDir() || ext == ".json" || ext == ".err" || ext == ".password" || ext == ".md" {
				continue
			}
			data, err := os.ReadFile(filepath.Join(dir, e.Name()))
			if err == nil && len(data) < 1<<20 {
				f.Add(data)
			}
		}
	}
	f.Add(makeDocx(f, officialReferral()))
	// The bombs, those small enough to mutate quickly (the fuzzer copies and
	// re-reads every input it keeps; a 7 MB seed slows it to one run a second).
	for _, b := range parseBombs(f) {
		if len(b.data) < 1<<20 {
			f.Add(b.data)
		}
	}
}

// checkErr fails unless err is nil or wraps one of the package's errors.
func checkErr(t *testing.T, err error) {
	if err == nil {
		return
	}
	for _, e := range []error{ErrCorrupt, ErrEncrypted, ErrUnsupported, ErrTooLarge} {
		if errors.Is(err, e) {
			return
		}
	}
	t.Fatalf("error %q wraps none of the package's errors", err)
}

func checkForm2(t *testing.T, f *Form) {
	if f == nil {
		t.Fatal("nil form and nil error")
	}
	if f.Fields == nil || f.Tables == nil || f.Warnings == nil {
		t.Fatal("nil map or slice in form")
	}
	if f.Kind == KindUnknown && len(f.Tables) > 0 {
		t.Fatalf("unknown kind with tables %v", f.Tables)
	}
	for k, v := range f.Fields {
		if v == "" {
			t.Fatalf("field %s printed empty", k)
		}
	}
}

func FuzzParse(f *testing.F) {
	seedCorpus(f)
	small := Limits{MaxText: 1 << 20, MaxUncompressed: 8 << 20, MaxBlocks: 20000, MaxNodes: 100000}
	f.Fuzz(func(t *testing.T, data []byte) {
		start := time.Now()
		// A hang must become a crash the fuzzer records, with its input.
		watchdog := time.AfterFunc(20*time.Second, func() { panic("Parse hung for 20s") })
		defer watchdog.Stop()
		form, err := Parse("fuzz", data, Options{Passwords: []string{"secret"}, Limits: small})
		checkErr(t, err)
		if err == nil {
			checkForm2(t, form)
		}
		if d := time.Since(start); d > 5*time.Second {
			t.Fatalf("Parse took %v", d)
		}
	})
}

// FuzzWordXML feeds document.xml straight to the Word reader (the zip layer would
// reject most mutations before the XML is reached).
func FuzzWordXML(f *testing.F) {
	f.Add([]byte(`<w:document ` + wordNS + `><w:body>` + officialReferral() + `</w:body></w:document>`))
	f.Add([]byte(`<w:document ` + wordNS + `><w:body><w:p><w:r><w:fldChar w:fldCharType="begin"><w:ffData><w:checkBox><w:default w:val="1"/></w:checkBox></w:ffData></w:fldChar></w:r><w:r><w:instrText>FORMCHECKBOX</w:instrText></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r></w:p></w:body></w:document>`))
	f.Add([]byte(`<w:document ` + wordNS + `><w:body>` + strings.Repeat(`<w:p/>`, 6000) + `</w:body></w:document>`)) // past the cap below
	f.Fuzz(func(t *testing.T, data []byte) {
		bs, err := readWordXML(bytes.NewReader(data), newBudget(Limits{MaxBlocks: 5000, MaxNodes: 50000}))
		checkErr(t, err)
		sameWordXML(t, "input", data, Limits{MaxBlocks: 5000, MaxNodes: 50000}) // the hand scanner reads it alike
		if err == nil {
			d := &doc{blocks: bs, norms: map[string]string{}}
			checkForm2(t, d.extract())
		}
	})
}

// FuzzODT feeds content.xml to the OpenDocument reader inside a fresh package.
func FuzzODT(f *testing.F) {
	f.Add([]byte(`<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"><office:body><office:text><text:p>Name of child:<text:s text:c="2"/>Test</text:p><table:table><table:table-row><table:table-cell><text:p>Date of Birth</text:p></table:table-cell><table:table-cell table:number-columns-spanned="2"><text:p>2.4.19</text:p></table:table-cell></table:table-row></table:table></office:text></office:body></office:document-content>`))
	f.Fuzz(func(t *testing.T, content []byte) {
		var buf bytes.Buffer
		zw := zip.NewWriter(&buf)
		w, _ := zw.Create("mimetype")
		w.Write([]byte("application/vnd.oasis.opendocument.text"))
		w, _ = zw.Create("content.xml")
		w.Write(content)
		zw.Close()
		form, err := Parse("x.odt", buf.Bytes(), Options{})
		checkErr(t, err)
		if err == nil {
			checkForm2(t, form)
		}
	})
}

func FuzzParseBody(f *testing.F) {
	f.Add("This child is not known to our service.", "")
	f.Add(strings.Repeat("\n", 120_000), "") // past the line cap
	f.Add("", "<table><tr>"+strings.Repeat("<td></td>", 200_000))
	f.Add("", "<p>Name of child: X</p><table><tr><td>DOB<td>2.4.19</table><blockquote>On Mon wrote:</blockquote>")
	f.Add("Child's initials: AB\nIs the child known to your agency? Yes ☒ No ☐\n> quoted\nOn Mon, 1 Jan 2024, a wrote:\nold", "")
	f.Fuzz(func(t *testing.T, text, html string) {
		checkForm2(t, ParseBody(text, html))
	})
}
