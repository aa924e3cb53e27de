package tracker

import (
	"archive/zip"
	"bytes"
	"context"
	"io"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/lewisham-lscp/csprbot/parser"
)

// chronologyWithTimes is the parser's Appendix 10 fixture (parser/testdata/chr01_official.docx)
// with its entry dates rewritten in Word: repl is old → new text of a date cell.
func chronologyWithTimes(t *testing.T, repl ...string) []byte {
	t.Helper()
	raw, err := os.ReadFile("../parser/testdata/chr01_official.docx")
	if err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(raw), int64(len(raw)))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		if f.Name == "word/document.xml" {
			s := string(b)
			for i := 0; i+1 < len(repl); i += 2 {
				if strings.Count(s, ">"+repl[i]+"<") != 1 {
					t.Fatalf("chr01's document.xml has %d cells %q, want 1", strings.Count(s, ">"+repl[i]+"<"), repl[i])
				}
				s = strings.Replace(s, ">"+repl[i]+"<", ">"+repl[i+1]+"<", 1)
			}
			b = []byte(s)
		}
		w, err := zw.Create(f.Name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(b); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// Issue 14.2: a chronology whose date cells give the time of day ("2026/03/05, 4.45pm",
// "2026/03/05 09:15"), read by the real parser, puts that day's entries in time order in the
// combined chronology, though the agency wrote the later one first.
func TestChronologyTimesFromParsedDocument(t *testing.T) {
	ctx := context.Background()
	clock := &testClock{}
	tr := newRRTracker(t, clock, nil)
	req, _ := draftCase(t, tr, clock)

	// chr01's entries: 2025/06/19, 2025/11/02, 2026/03/05. The second becomes the
	// afternoon of the third's day.
	doc := chronologyWithTimes(t, "2026/03/05", "2026/03/05 09:15", "2025/11/02", "2026/03/05, 4.45pm")
	pf, err := parser.Parse("police-chronology.docx", doc, parser.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if pf.Kind != parser.KindChronology {
		t.Fatalf("kind = %s, want chronology", pf.Kind)
	}
	var parsed []string
	for _, r := range pf.Tables["entries"] {
		parsed = append(parsed, r["date"]+" "+r["date_time"])
	}
	if want := []string{"2025-06-19 ", "2026-03-05 16:45", "2026-03-05 09:15"}; !reflect.DeepEqual(parsed, want) {
		t.Fatalf("parsed entries' date and date_time = %q, want %q", parsed, want)
	}
	// The fixture is written for another child (AE); this case's child is ET.
	pf.Fields["child_initials"] = "ET"
	form := &Form{Kind: string(pf.Kind), CaseRef: pf.CaseRef, Fields: pf.Fields, Tables: pf.Tables, Warnings: pf.Warnings, Unanswered: pf.Unanswered()}

	clock.Set("2026-12-09T10:00:00Z")
	agencySends(t, tr, clock, "lead@met.example", req["Metropolitan Police Service"], "p1@met.example",
		InAttachment{Attachment: Attachment{Name: "police-chronology.docx", Data: doc}, Form: form})
	v, err := tr.Chronology(ctx, "LSCP-2026-001")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range v.Entries {
		if e.Date == "2026-03-05" {
			got = append(got, e.Time+" "+e.Who)
		}
	}
	want := []string{
		"09:15 DC Test Officer, CAIT – AE – injuries reported by school",
		"16:45 PC Lee Pretend – ME and TE – domestic abuse; TE arrested",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("entries of 5 March 2026 = %q, want %q", got, want)
	}
}
