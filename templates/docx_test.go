package templates

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lewisham-lscp/csprbot/parser"
	"github.com/lewisham-lscp/csprbot/tracker/cspr"
)

// docXML opens a .docx, checks every XML part is well-formed, and returns the
// text of word/document.xml (the character data, runs joined).
func docXML(t *testing.T, data []byte) string {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatalf("the form is not a zip: %v", err)
	}
	parts := map[string][]byte{}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatalf("open %s: %v", f.Name, err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatalf("read %s: %v", f.Name, err)
		}
		parts[f.Name] = b
		if err := wellFormed(b); err != nil {
			t.Errorf("%s is not well-formed XML: %v", f.Name, err)
		}
	}
	for _, need := range []string{"[Content_Types].xml", "_rels/.rels", "word/document.xml", "word/_rels/document.xml.rels", "word/styles.xml"} {
		if _, ok := parts[need]; !ok {
			t.Errorf("the form has no %s", need)
		}
	}
	if zr.File[0].Name != "[Content_Types].xml" {
		t.Errorf("first part = %s, want [Content_Types].xml", zr.File[0].Name)
	}
	return textOf(t, parts["word/document.xml"])
}

func wellFormed(b []byte) error {
	dec := xml.NewDecoder(bytes.NewReader(b))
	for {
		_, err := dec.Token()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// textOf is a document's text: each paragraph on a line, table cells separated by " | ".
func textOf(t *testing.T, doc []byte) string {
	t.Helper()
	dec := xml.NewDecoder(bytes.NewReader(doc))
	var b strings.Builder
	inText := false
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("document.xml: %v", err)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			inText = tok.Name.Local == "t"
			if tok.Name.Local == "tc" {
				b.WriteString(" | ")
			}
		case xml.EndElement:
			inText = false
			if tok.Name.Local == "p" || tok.Name.Local == "tr" {
				b.WriteString("\n")
			}
		case xml.CharData:
			if inText {
				b.Write(tok)
			}
		}
	}
	return b.String()
}

func TestScopingForm(t *testing.T) {
	due := time.Date(2026, 12, 11, 17, 0, 0, 0, time.UTC)
	f := cspr.FormView{CaseRef: "LSCP-2026-001", ChildInitials: "TB", ReturnBy: due, AgencyName: "Metropolitan Police Service & Partners <Met>"}
	data, err := ScopingForm(f)
	if err != nil {
		t.Fatalf("ScopingForm = %v", err)
	}
	if out := os.Getenv("CSPRBOT_FORM_OUT"); out != "" {
		// For a look in Word or LibreOffice: CSPRBOT_FORM_OUT=/tmp/form.docx go test -run TestScopingForm$
		if err := os.WriteFile(out, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	doc := docXML(t, data)
	spec := parser.Spec(parser.KindScopingReturn)
	if spec == nil {
		t.Fatal("no scoping spec")
	}
	for _, fs := range spec.Fields {
		if !strings.Contains(doc, fs.Label) {
			t.Errorf("the form lacks the label %q", fs.Label)
		}
	}
	for _, ts := range spec.Tables {
		if !strings.Contains(doc, ts.Label) {
			t.Errorf("the form lacks the table heading %q", ts.Label)
		}
		var head strings.Builder
		for _, c := range ts.Columns {
			head.WriteString(" | " + c.Label + "\n")
		}
		if want := head.String() + "\n"; !strings.Contains(doc, want) {
			t.Errorf("the form lacks the header row %q", want)
		}
		if n := strings.Count(doc, strings.Repeat(" | \n", len(ts.Columns))); n < 3 {
			t.Errorf("table %s has %d empty rows, want at least 3", ts.Name, n)
		}
	}
	for _, want := range []string{
		spec.Title,
		"Lewisham Safeguarding Children Partnership",
		"1st Floor, Laurence House, 1 Catford Road, SE6 4RU",
		"safeguardingpartnership@lewisham.gov.uk",
		"by 5pm on Friday 11 December 2026",
		" | Case reference\n | LSCP-2026-001\n",
		" | Child's anonymised initials\n | TB\n",
		" | Agency\n | Metropolitan Police Service & Partners <Met>\n",
		" | Did your agency have any involvement with the child?\n | ☐ Yes      ☐ No\n",
	} {
		if !strings.Contains(doc, want) {
			t.Errorf("the form lacks %q", want)
		}
	}
	if strings.Contains(doc, "Surrey") {
		t.Error("the form names Surrey")
	}
	// Every yes/no question offers the two boxes.
	yesNo := 0
	for _, fs := range spec.Fields {
		if fs.Type == parser.YesNo {
			yesNo++
		}
	}
	if got := strings.Count(doc, "☐ Yes      ☐ No"); got != yesNo {
		t.Errorf("the form offers Yes / No %d times, want %d", got, yesNo)
	}
	// The same input gives the same bytes.
	again, err := ScopingForm(f)
	if err != nil || !bytes.Equal(again, data) {
		t.Errorf("ScopingForm is not deterministic (err %v)", err)
	}
}

func TestScopingFormOptions(t *testing.T) {
	spec := &parser.FormSpec{
		Kind: parser.KindScopingReturn, Title: "A Test Form",
		Fields: []parser.FieldSpec{
			{Key: "case_ref", Label: "Case reference"},
			{Key: "colour", Label: "Favourite colour", Hint: "one word, please", Type: parser.Choice,
				Options: []parser.Option{{Key: "r", Label: "Red"}, {Key: "b", Label: "Blue"}}},
			{Key: "notes", Label: "Notes", Type: parser.Long},
		},
	}
	p := cspr.Partnership{Name: "Testshire Partnership", Email: "team@testshire.example", Address: "Town Hall"}
	data, err := scopingForm(cspr.FormView{CaseRef: "TS-1"}, formOptions{Partnership: p, Spec: spec,
		RapidReviewBy: time.Date(2026, 12, 21, 17, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	doc := docXML(t, data)
	for _, want := range []string{"A Test Form", "Testshire Partnership", "Town Hall", "team@testshire.example within 6 working days",
		"(one word, please)", "☐ Red", "☐ Blue", " | Notes\n", "returned by Monday 21 December 2026", " | Case reference\n | TS-1\n"} {
		if !strings.Contains(doc, want) {
			t.Errorf("the form lacks %q\n%s", want, doc)
		}
	}
	if strings.Contains(doc, "Lewisham") {
		t.Error("a form for another partnership names Lewisham")
	}
}

// TestScopingFormOpensInLibreOffice converts the form with LibreOffice, when it is
// installed, and checks the text it reads. Slow (a few seconds): skipped with -short.
func TestScopingFormOpensInLibreOffice(t *testing.T) {
	if testing.Short() {
		t.Skip("-short")
	}
	soffice, err := exec.LookPath("soffice")
	if err != nil {
		t.Skip("soffice not installed")
	}
	dir := t.TempDir()
	data, err := ScopingForm(cspr.FormView{CaseRef: "LSCP-2026-001", ChildInitials: "TB", AgencyName: "Metropolitan Police Service",
		ReturnBy: time.Date(2026, 12, 11, 17, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	in := filepath.Join(dir, "form.docx")
	if err := os.WriteFile(in, data, 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Second)
	defer cancel()
	// A profile of its own, so that a LibreOffice running elsewhere does not take the job.
	cmd := exec.CommandContext(ctx, soffice, "-env:UserInstallation=file://"+filepath.Join(dir, "profile"),
		"--headless", "--convert-to", "txt:Text (encoded):UTF8", "--outdir", dir, in)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("soffice: %v\n%s", err, out)
	}
	txt, err := os.ReadFile(filepath.Join(dir, "form.txt"))
	if err != nil {
		t.Fatalf("LibreOffice wrote no text: %v", err)
	}
	for _, fs := range parser.Spec(parser.KindScopingReturn).Fields {
		if !strings.Contains(string(txt), fs.Label) {
			t.Errorf("LibreOffice's text lacks %q", fs.Label)
		}
	}
	for _, want := range []string{"LSCP-2026-001", "5pm on Friday 11 December 2026", "☐ Yes"} {
		if !strings.Contains(string(txt), want) {
			t.Errorf("LibreOffice's text lacks %q", want)
		}
	}
}
