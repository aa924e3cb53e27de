package lcsprdemo

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"flag"
	"os"
	"strings"
	"testing"

	"github.com/lewisham-lscp/csprbot/parser"
)

var update = flag.Bool("update", false, "write the chronologies and agency reports again")

// The demo's case, as csprbot numbers it: the first referral of 2026, child ET.
const (
	ref      = "LSCP-2026-001"
	initials = "ET"
	police   = "Metropolitan Police Service"
	csc      = "Lewisham Children's Social Care"
	icb      = "NHS South East London ICB"
)

type block struct {
	para string     // a paragraph, or
	rows [][]string // a table, its first row the header
}

// fixture is one document the demo sends, what it is and whose.
type fixture struct {
	file   string
	kind   parser.Kind
	agency string
	blocks []block
	rows   int // entries (chronology) or recommendations (agency report)
}

// chronology is Appendix 10 as csprbot pre-fills it (title, label | value table, the
// entries table), completed by the agency, with the case reference at the top.
func chronology(file, agency, by, role, completed string, entries [][]string) fixture {
	head := []string{"Date", "Inform sent cross borough Sender", "Information sent cross borough Subject", "Comms Within Agency",
		"Comms External to Agency", "Response or outcome", "Source of Evidence", "Comment"}
	return fixture{file: file, kind: parser.KindChronology, agency: agency, rows: len(entries), blocks: []block{
		{para: "OFFICIAL-SENSITIVE when completed"},
		{para: "Lewisham Safeguarding Children Partnership"},
		{para: "Information-Sharing Chronology"},
		{para: "Case reference: " + ref},
		{rows: [][]string{
			{"Child’s Anonymised Initials", initials},
			{"Agency Completing Chronology", agency},
			{"Completed by", by},
			{"Role", role},
			{"Date of Completion", completed},
			{"Dates covered by this Chronology", "01/01/2025 to 28/11/2026"},
		}},
		{para: "Chronology"},
		{rows: append([][]string{head}, entries...)},
	}}
}

// agencyReport is Appendix 9 likewise.
func agencyReport(file, agency, by, role, completed, authorised, summary, analysis, lessons string, actions [][]string) fixture {
	head := []string{"Issue", "Action", "By whom", "Outcome Sought", "Evidence of implementation", "Timescale"}
	return fixture{file: file, kind: parser.KindAgencyReport, agency: agency, rows: len(actions), blocks: []block{
		{para: "OFFICIAL-SENSITIVE when completed"},
		{para: "Lewisham Safeguarding Children Partnership"},
		{para: "Agency Report"},
		{para: "Case reference: " + ref},
		{rows: [][]string{
			{"Child’s Anonymised Initials", initials},
			{"Agency Completing Report", agency},
			{"Completed by", by},
			{"Role", role},
			{"Date of Completion", completed},
			{"Authorised by (if required)", authorised},
			{"Dates covered by this Agency Report", "1 January 2025 to 28 November 2026"},
			{"Summary of Involvement", summary},
			{"Analysis of Involvement", analysis},
			{"Are there lessons learned?", lessons},
		}},
		{para: "Recommendations for Action"},
		{rows: append([][]string{head}, actions...)},
	}}
}

// The police's first chronology lacks the custody record of 3 October; the panel sends it
// back for more and the second has it.
var policeEntries = [][]string{
	{"14/03/2026", "", "", "Officers attended the home after a neighbour reported shouting; no offence recorded; ET seen asleep", "", "Merlin report created, not shared", "CAD 0412", "The Merlin report was not sent to Children's Social Care"},
	{"03/10/2026", "Metropolitan Police Service", "Merlin: child at an address where police attended a domestic incident", "Officers attended the home after a neighbour's call", "Merlin shared with Children's Social Care MASH", "Referral to Children's Social Care", "CAD 1234", ""},
	{"28/11/2026", "", "", "Officers attended the hospital after the trust's call", "Strategy discussion with Children's Social Care", "Investigation opened", "Crime report 5678", ""},
}

var custodyRecord = []string{"03/10/2026", "", "", "Adult male arrested at the address and detained overnight; custody record notes a child of 7 lives there", "", "Released under investigation; no further referral", "Custody record LD-3110", "Added at the panel's request"}

func fixtures() []fixture {
	revised := append([][]string{}, policeEntries[:2]...)
	revised = append(revised, custodyRecord)
	revised = append(revised, policeEntries[2:]...)
	return []fixture{
		chronology("chronology-met.docx", police, "DS Alex Sample", "Detective Sergeant, Child Abuse Investigation", "19/01/2027", policeEntries),
		chronology("chronology-met-revised.docx", police, "DS Alex Sample", "Detective Sergeant, Child Abuse Investigation", "28/01/2027", revised),
		chronology("chronology-csc.docx", csc, "Lou Imagined", "Head of Service, Children's Social Care", "21/01/2027", [][]string{
			{"05/10/2026", "Metropolitan Police Service", "Merlin: domestic incident", "MASH triage: amber", "", "Strategy discussion not held; passed to assessment", "MASH record", "Decision not to hold a strategy discussion to be explored"},
			{"12/10/2026", "", "", "Child and family assessment started", "Nursery and GP asked for information", "Allocated to a social worker", "Case note", ""},
			{"20/11/2026", "", "", "Home visit; ET seen alone", "", "Assessment continues", "Case note", ""},
			{"28/11/2026", "Lewisham and Greenwich NHS Trust", "ET admitted to hospital", "Strategy discussion with the police and the trust", "", "Section 47 enquiry", "Strategy minutes", ""},
		}),
		chronology("chronology-icb.docx", icb, "Dr Fay Fictive", "Designated Doctor for Safeguarding Children", "27/01/2027", [][]string{
			{"10/02/2025", "", "", "GP: 6-year review of ET's immunisations; two missed", "Health visiting informed", "Reminder letter sent", "GP record", ""},
			{"16/10/2026", "Lewisham Children's Social Care", "Request for information for an assessment", "", "GP replied with ET's health history", "Information shared in 4 days", "GP record", ""},
		}),
		agencyReport("agency-report-met.docx", police, "DS Alex Sample", "Detective Sergeant, Child Abuse Investigation", "03/02/2027", "DCI Robin Madeup",
			"Three attendances at the home in 2026, the last after ET's admission to hospital.",
			"The March call-out produced a Merlin report that was not shared; the October custody record did not prompt a second referral.",
			"Yes: a child seen at a domestic incident should always be shared with Children's Social Care.",
			[][]string{{"Merlin reports not shared", "Refresh the multi-agency training on information sharing", "Met safeguarding lead", "Every Merlin shared within 24 hours", "Attendance list and audit", "July 2027"}}),
		agencyReport("agency-report-csc.docx", csc, "Lou Imagined", "Head of Service, Children's Social Care", "05/02/2027", "Director of Children's Services",
			"Open to Children's Social Care from October 2026 for an assessment; section 47 enquiry after the admission.",
			"The decision in October not to hold a strategy discussion was not recorded with its reasons.",
			"Yes: the strategy discussion template must record why a discussion is not held.",
			[][]string{{"Strategy discussion decisions", "Audit the use of the strategy discussion template", "MASH team manager", "Reasons recorded in every case", "Audit report", "August 2027"}}),
		agencyReport("agency-report-icb.docx", icb, "Dr Fay Fictive", "Designated Doctor for Safeguarding Children", "08/02/2027", "Chief Nurse",
			"Primary care knew ET through routine appointments; no safeguarding concern was raised before the admission.",
			"Missed immunisations were followed up by letter only.",
			"Yes: missed health appointments of a child known to Children's Social Care should be shared.",
			[][]string{{"Missed appointments", "Remind GP practices of the was-not-brought guidance", "Designated Nurse", "Missed appointments followed up", "Practice bulletin", "June 2027"}}),
	}
}

func TestFixtures(t *testing.T) {
	for _, f := range fixtures() {
		t.Run(f.file, func(t *testing.T) {
			want := docx(f.blocks)
			if *update {
				if err := os.WriteFile(f.file, want, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			got, err := os.ReadFile(f.file)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Fatalf("%s is not what the generator writes: go test ./cmd/csprbot/lcsprdemo -update", f.file)
			}
			form, err := parser.Parse(f.file, got, parser.Options{})
			if err != nil {
				t.Fatal(err)
			}
			if form.Kind != f.kind || form.CaseRef != ref || form.Fields["child_initials"] != initials || form.Fields["agency"] != f.agency {
				t.Errorf("Parse(%s) = %s, %s, %q, %q; want %s, %s, %s, %s", f.file, form.Kind, form.CaseRef, form.Fields["child_initials"], form.Fields["agency"], f.kind, ref, initials, f.agency)
			}
			table := map[parser.Kind]string{parser.KindChronology: "entries", parser.KindAgencyReport: "actions"}[f.kind]
			if n := len(form.Tables[table]); n != f.rows {
				t.Errorf("Parse(%s): %d %s, want %d", f.file, n, table, f.rows)
			}
			if len(form.Warnings) > 0 {
				t.Errorf("Parse(%s) warns: %v", f.file, form.Warnings)
			}
		})
	}
}

// docx writes a minimal WordprocessingML package, stored (not compressed) so that the
// same blocks always give the same bytes.
func docx(blocks []block) []byte {
	esc := func(s string) string {
		var b bytes.Buffer
		_ = xml.EscapeText(&b, []byte(s))
		return b.String()
	}
	p := func(s string) string {
		return `<w:p><w:r><w:t xml:space="preserve">` + esc(s) + `</w:t></w:r></w:p>`
	}
	var body strings.Builder
	for _, b := range blocks {
		if b.rows == nil {
			body.WriteString(p(b.para))
			continue
		}
		body.WriteString(`<w:tbl><w:tblPr><w:tblStyle w:val="TableGrid"/><w:tblW w:w="0" w:type="auto"/></w:tblPr>`)
		for _, row := range b.rows {
			body.WriteString(`<w:tr>`)
			for _, cell := range row {
				body.WriteString(`<w:tc><w:tcPr><w:tcW w:w="0" w:type="auto"/></w:tcPr>` + p(cell) + `</w:tc>`)
			}
			body.WriteString(`</w:tr>`)
		}
		body.WriteString(`</w:tbl><w:p/>`)
	}
	parts := []struct{ name, body string }{
		{"[Content_Types].xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>`},
		{"_rels/.rels", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>`},
		{"word/document.xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>` + body.String() + `<w:sectPr/></w:body></w:document>`},
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, part := range parts {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: part.name, Method: zip.Store})
		if err != nil {
			panic(err)
		}
		w.Write([]byte(part.body))
	}
	if err := zw.Close(); err != nil {
		panic(err)
	}
	return buf.Bytes()
}
