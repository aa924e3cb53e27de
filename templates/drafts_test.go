package templates

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/lewisham-lscp/csprbot/parser"
	"github.com/lewisham-lscp/csprbot/tracker/cspr"
)

func init() {
	goldenCases = append(goldenCases,
		goldenCase{"rr_draft", cspr.TmplRRDraft, func(d *cspr.MailData) {
			d.Due = at(2026, 12, 16, 10, 0)
			d.Draft = &cspr.DraftView{RR: rrDraftFixture()}
		}},
		goldenCase{"tor_draft", cspr.TmplToRDraft, func(d *cspr.MailData) {
			d.Draft = &cspr.DraftView{ToR: torDraftFixture()}
		}},
		goldenCase{"panel_pack", cspr.TmplPanelPack, func(d *cspr.MailData) {
			d.Due = at(2027, 2, 10, 17, 0)
			d.Draft = &cspr.DraftView{Pack: packFixture()}
		}},
		goldenCase{"chronology", cspr.TmplChronology, func(d *cspr.MailData) {
			d.Draft = &cspr.DraftView{Chronology: chronologyFixture(), Note: "updated: a later return arrived from South London and Maudsley NHS Trust"}
		}},
	)
}

// rrDraftFixture is a case's Rapid Review report draft as the tracker gathers it.
func rrDraftFixture() *cspr.RRDraftView {
	return &cspr.RRDraftView{
		CaseRef: "LSCP-2026-001", ChildInitials: "TB", ChildName: childName, Meeting: at(2026, 12, 16, 10, 0),
		Background: []cspr.Field{{Label: "Date of birth", Value: "2019-04-02"}, {Label: "Gender", Value: "Male"},
			{Label: "Home address", Value: "12 Example Road\nLondon SE6 0XX"}},
		Summary: []cspr.Field{{Label: "The incident", Value: "Serious harm on 2026-11-28, at the family home"},
			{Label: "Presenting concerns", Value: "Bruising noticed at school on two occasions in October."},
			{Label: "Events around the incident (from the referral)", Value: "2026-11-28: admitted to hospital\n2026-11-29: strategy meeting"}},
		Family: []map[string]string{
			{"name_address": motherName + ", 12 Example Road", "relationship": "Mother", "dob": "1990-05-01", "legal_status": "Parental responsibility", "ethnic_origin": "White British", "group": "immediate"},
			{"name_address": "Ray Brookes", "relationship": "Uncle", "group": "extended"},
		},
		FamilyNamed: []cspr.Field{{Label: "Metropolitan Police Service", Value: motherName + " (mother)"}},
		Documents: []string{"Referral of a Serious Incident from Lewisham Primary School, received 1 December 2026",
			"Lewisham Children's Social Care: scoping return received 9 December 2026 (csc-return.docx)",
			"Metropolitan Police Service: NOT RETURNED (due 11 December 2026)"},
		Expected: []cspr.ExpectedParticipant{
			{Name: "Sam Officer", Address: "sam.officer@lewisham.gov.uk", Agency: "Lewisham Safeguarding Children Partnership", Reply: "accepted"},
			{Address: "csc.lead@lewisham.example", Agency: "Lewisham Children's Social Care", Partner: "local_authority", Reply: "accepted"},
			{Address: "safeguarding.lead@met.example", Agency: "Metropolitan Police Service", Partner: "police", Reply: "declined"},
			{Address: "safeguarding@slam.example", Agency: "South London and Maudsley NHS Trust", Partner: "health", Reply: "no reply"},
		},
	}
}

func chronologyFixture() *cspr.ChronologyView {
	return &cspr.ChronologyView{
		CaseRef: "LSCP-2026-001", ChildInitials: "TB", Generated: at(2026, 12, 20, 9, 0),
		PeriodNote: "No Terms of Reference with a review period are recorded for this case yet, so no entry is marked as outside the review period.",
		Entries: []cspr.ChronEntry{
			{Date: "2026-10-02", Agency: "Lewisham Primary School", Source: "scoping return", Who: "Child", What: "Bruising to the arm noticed in class", Outcome: "Referred to CSC", Same: []string{"Lewisham Children's Social Care"}},
			{Date: "2026-10-02", Agency: "Lewisham Children's Social Care", Source: "chronology", Who: "School DSL – referral about the child", What: "External: phone call from the school about bruising to the arm", Outcome: "Strategy discussion", Evidence: "Case notes", Comment: "Timely", Same: []string{"Lewisham Primary School"}},
			{Date: "2026-11-28", Agency: "Metropolitan Police Service", Source: "chronology", What: "Within agency: attended the home", Outcome: "Arrest", Outside: true},
		},
		Undated: []cspr.ChronEntry{{Date: "summer 2025", Agency: "Metropolitan Police Service", Source: "scoping return", Who: "Mother", What: "Call about noise"}},
		Sources: []cspr.ChronSource{
			{Agency: "Lewisham Primary School", Kind: "scoping return", Name: "school.docx", Received: at(2026, 12, 8, 11, 0), Entries: 1},
			{Agency: "Lewisham Children's Social Care", Kind: "chronology", Name: "csc-chronology.docx", Received: at(2026, 12, 9, 14, 0), Entries: 1},
			{Agency: "Metropolitan Police Service", Kind: "chronology", Name: "(in the email)", Received: at(2026, 12, 10, 9, 0), Entries: 2},
		},
		Missing: []string{"South London and Maudsley NHS Trust"},
	}
}

// docxPart returns one part of a .docx and a function that writes the package again with
// that part replaced.
func docxPart(t *testing.T, data []byte, name string) (string, func(string) []byte) {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	parts := map[string][]byte{}
	var order []string
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(rc)
		rc.Close()
		parts[f.Name] = b
		order = append(order, f.Name)
	}
	return string(parts[name]), func(s string) []byte {
		var buf bytes.Buffer
		zw := zip.NewWriter(&buf)
		for _, n := range order {
			w, _ := zw.Create(n)
			if n == name {
				w.Write([]byte(s))
			} else {
				w.Write(parts[n])
			}
		}
		zw.Close()
		return buf.Bytes()
	}
}

// tick ticks the box just before the first occurrence of label after from.
func tick(t *testing.T, doc, label string) string {
	t.Helper()
	i := strings.Index(doc, esc(label))
	if i < 0 {
		t.Fatalf("no %q in the draft", label)
	}
	j := strings.LastIndex(doc[:i], `<w14:checked w14:val="0"/>`)
	if j < 0 {
		t.Fatalf("no box before %q", label)
	}
	doc = doc[:j] + `<w14:checked w14:val="1"/>` + doc[j+len(`<w14:checked w14:val="0"/>`):]
	k := strings.Index(doc[j:], "☐")
	return doc[:j+k] + "☒" + doc[j+k+len("☐"):]
}

// tickAfter ticks the first box after label (the Yes of a yes/no question).
func tickAfter(t *testing.T, doc, label string) string {
	t.Helper()
	i := strings.Index(doc, esc(label))
	if i < 0 {
		t.Fatalf("no %q in the draft", label)
	}
	j := i + strings.Index(doc[i:], `<w14:checked w14:val="0"/>`)
	doc = doc[:j] + `<w14:checked w14:val="1"/>` + doc[j+len(`<w14:checked w14:val="0"/>`):]
	k := strings.Index(doc[j:], "☐")
	return doc[:j+k] + "☒" + doc[j+k+len("☐"):]
}

// write puts text in the empty answer cell after label.
func write(t *testing.T, doc, label, text string) string {
	t.Helper()
	i := strings.Index(doc, esc(label))
	if i < 0 {
		t.Fatalf("no %q in the draft", label)
	}
	j := strings.Index(doc[i:], "<w:p></w:p>")
	if j < 0 {
		t.Fatalf("no empty answer after %q", label)
	}
	j += i
	return doc[:j] + paraXML("", run{text: text}) + doc[j+len("<w:p></w:p>"):]
}

// The draft reads back, through our own parser, as a Rapid Review report carrying only
// what was filled in before the meeting; completed by hand, it reads as the completed report.
func TestRRDraftRoundTrip(t *testing.T) {
	v := rrDraftFixture()
	data, err := RRDraft(v, cspr.Partnership{})
	if err != nil {
		t.Fatal(err)
	}
	if out := os.Getenv("CSPRBOT_DRAFT_OUT"); out != "" {
		_ = os.WriteFile(out, data, 0o644)
	}
	docXML(t, data) // well-formed
	f, err := parser.Parse("draft.docx", data, parser.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if f.Kind != parser.KindRapidReviewReport {
		t.Fatalf("Parse(draft).Kind = %s, want rapid_review_report", f.Kind)
	}
	want := map[string]string{"child_name": childName, "date_of_rapid_review": "2026-12-16"}
	if !reflect.DeepEqual(f.Fields, want) {
		t.Errorf("Parse(draft).Fields = %v, want only %v (the meeting's sections empty)", f.Fields, want)
	}
	parts := f.Tables["participants"]
	wantParts := []map[string]string{{"name": "Sam Officer", "agency": "Lewisham Safeguarding Children Partnership"},
		{"name": "csc.lead@lewisham.example", "agency": "Lewisham Children's Social Care"}}
	if !reflect.DeepEqual(parts, wantParts) {
		t.Errorf("participants = %v, want %v (those who accepted)", parts, wantParts)
	}
	fam := f.Tables["family_members"]
	if len(fam) != 2 || fam[0]["name_address"] != v.Family[0]["name_address"] || fam[0]["dob"] != "1990-05-01" || fam[0]["group"] != "immediate" ||
		fam[1]["name_address"] != "Ray Brookes" || fam[1]["group"] != "extended" {
		t.Errorf("family_members = %v, want the referral's two rows in their groups", fam)
	}

	// The meeting completes it.
	doc, repack := docxPart(t, data, "word/document.xml")
	rs := parser.Spec(parser.KindRapidReviewReport)
	label := func(key string) string {
		for _, fs := range rs.Fields {
			if fs.Key == key {
				return fs.Label
			}
		}
		t.Fatalf("no field %s", key)
		return ""
	}
	option := func(key, opt string) string {
		for _, fs := range rs.Fields {
			if fs.Key == key {
				for _, o := range fs.Options {
					if o.Key == opt {
						return o.Label
					}
				}
			}
		}
		t.Fatalf("no option %s.%s", key, opt)
		return ""
	}
	doc = tickAfter(t, doc, label("immediate_action"))
	doc = write(t, doc, label("immediate_action_details"), "Siblings placed with grandparents on 29 November.")
	doc = tick(t, doc, option("criteria", "improvements_needed"))
	doc = tick(t, doc, option("criteria", "multi_agency_concerns"))
	doc = write(t, doc, label("discussion"), "The harm meets the threshold of serious harm.")
	doc = write(t, doc, label("legal_advice"), "No")
	doc = write(t, doc, label("learning_dissemination"), "Seven-minute briefing to all agencies.")
	doc = tick(t, doc, option("recommendation", "b"))
	doc = write(t, doc, label("rationale"), "Several agencies knew of bruising before the incident.")
	f, err = parser.Parse("completed.docx", repack(doc), parser.Options{})
	if err != nil {
		t.Fatal(err)
	}
	want = map[string]string{"child_name": childName, "date_of_rapid_review": "2026-12-16", "immediate_action": "yes",
		"immediate_action_details": "Siblings placed with grandparents on 29 November.", "criteria": "improvements_needed,multi_agency_concerns",
		"discussion": "The harm meets the threshold of serious harm.", "legal_advice": "No",
		"learning_dissemination": "Seven-minute briefing to all agencies.", "recommendation": "b",
		"rationale": "Several agencies knew of bruising before the incident."}
	if f.Kind != parser.KindRapidReviewReport || !reflect.DeepEqual(f.Fields, want) {
		g, _ := json.MarshalIndent(f.Fields, "", " ")
		t.Errorf("Parse(completed draft) = %s %s\nwant %v", f.Kind, g, want)
	}
	if !reflect.DeepEqual(f.Tables["participants"], wantParts) {
		t.Errorf("completed participants = %v", f.Tables["participants"])
	}
}

// python runs a python-docx script on a document and returns what it prints; it skips
// the test where Debian's python3-docx is not installed.
func pythonDocx(t *testing.T, data []byte, script string) string {
	t.Helper()
	py := "/usr/bin/python3"
	if _, err := os.Stat(py); err != nil {
		t.Skip("no /usr/bin/python3")
	}
	if err := exec.Command(py, "-c", "import docx").Run(); err != nil {
		t.Skip("python3-docx is not installed (apt-get install python3-docx)")
	}
	dir := t.TempDir()
	in := filepath.Join(dir, "doc.docx")
	if err := os.WriteFile(in, data, 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, py, "-c", script, in).CombinedOutput()
	if err != nil {
		t.Fatalf("python-docx: %v\n%s", err, out)
	}
	return string(out)
}

// pyDump prints every paragraph, then every table row as cells joined by " | ".
const pyDump = `
import sys, docx
d = docx.Document(sys.argv[1])
for p in d.paragraphs:
    print("P:" + p.text.replace("\n", "\\n"))
for i, t in enumerate(d.tables):
    for r in t.rows:
        cells, prev = [], None
        for c in r.cells:
            if prev is not None and c._tc is prev:
                continue
            prev = c._tc
            cells.append(c.text.replace("\n", "\\n"))
        print("T%d:" % i + " | ".join(cells))
`

// Read by another tool: python-docx sees the draft's pre-filled facts and the empty
// sections.
func TestRRDraftReadByPythonDocx(t *testing.T) {
	data, err := RRDraft(rrDraftFixture(), cspr.Partnership{})
	if err != nil {
		t.Fatal(err)
	}
	out := pythonDocx(t, data, pyDump)
	for _, want := range []string{
		"T0:Name of Child | " + childName,
		"T0:Date of Rapid Review | 16/12/2026",
		"T1:Sam Officer |  | Lewisham Safeguarding Children Partnership",
		"T1:csc.lead@lewisham.example |  | Lewisham Children's Social Care",
		"T2:Immediate Family",
		"T2:" + motherName + ", 12 Example Road | Mother | 1990-05-01 | Parental responsibility | White British",
		"T2:Extended Family",
		"T2:Ray Brookes | Uncle |  |  | ",
		"P:•\tMetropolitan Police Service: NOT RETURNED (due 11 December 2026)",
		"P:•\tLewisham Children's Social Care: scoping return received 9 December 2026 (csc-return.docx)",
		"safeguarding.lead@met.example, Metropolitan Police Service: declined",
		"safeguarding@slam.example, South London and Maudsley NHS Trust: no reply",
		"P:Presenting concerns. Bruising noticed at school on two occasions in October.",
		"The child (TB). Date of birth 2019-04-02; Gender Male; Home address 12 Example Road, London SE6 0XX.",
		"T3:Has ALL appropriate immediate action been taken to ensure children’s safety and share any learning appropriately? |  Yes       No",
		"T3:Please give details of action taken. If no, what actions need to be taken? When will these be taken and by whom? | \n",
		"T5:Record of Rapid Review discussion and case analysis against the criteria for statutory review processes.",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("python-docx's reading lacks %q\n%s", want, out)
		}
	}
	if strings.Contains(out, "☒") {
		t.Error("a box of the draft is ticked")
	}
	if strings.Contains(out, "declined |") || strings.Contains(out, "T1:safeguarding.lead@met.example") {
		t.Error("an invitee who declined is listed as a participant")
	}
}

// The combined chronology, read by python-docx, row by row.
func TestChronologyReadByPythonDocx(t *testing.T) {
	data, err := ChronologyDocx(chronologyFixture(), cspr.Partnership{})
	if err != nil {
		t.Fatal(err)
	}
	docXML(t, data)
	out := pythonDocx(t, data, pyDump)
	var rows []string
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(l, "T1:") || strings.HasPrefix(l, "T2:") {
			rows = append(rows, l)
		}
	}
	want := []string{
		"T1:Date | Agency | Person / sender and subject | Contact / event | Response or outcome | Source of evidence | Note",
		"T1:02/10/2026 | Lewisham Primary School | Child | Bruising to the arm noticed in class | Referred to CSC | scoping return | Same event? Also recorded by Lewisham Children's Social Care",
		"T1:02/10/2026 | Lewisham Children's Social Care | School DSL – referral about the child | External: phone call from the school about bruising to the arm | Strategy discussion | Case notes (chronology)\\nComment: Timely | Same event? Also recorded by Lewisham Primary School",
		"T1:28/11/2026 | Metropolitan Police Service |  | Within agency: attended the home | Arrest | chronology | Outside the review period",
		"T2:Date as written | Agency | Person / sender and subject | Contact / event | Response or outcome | Source of evidence | Note",
		"T2:summer 2025 | Metropolitan Police Service | Mother | Call about noise |  | scoping return | ",
	}
	if !reflect.DeepEqual(rows, want) {
		t.Errorf("python-docx reads the chronology as\n%s\nwant\n%s", strings.Join(rows, "\n"), strings.Join(want, "\n"))
	}
	for _, s := range []string{"P:Not yet received from: South London and Maudsley NHS Trust", "T0:Metropolitan Police Service | chronology (2 entries) | (in the email) | 10/12/2026",
		"No Terms of Reference with a review period"} {
		if !strings.Contains(out, s) {
			t.Errorf("python-docx's reading lacks %q", s)
		}
	}
}

// The draft emails carry their documents, named by the reference alone.
func TestDraftAttachmentsNameNoOne(t *testing.T) {
	s := newSet(t)
	for _, tc := range []struct {
		tmpl, file string
		draft      *cspr.DraftView
	}{
		{cspr.TmplRRDraft, "LSCP-2026-001 Rapid Review report DRAFT.docx", &cspr.DraftView{RR: rrDraftFixture()}},
		{cspr.TmplChronology, "LSCP-2026-001 Combined chronology DRAFT.docx", &cspr.DraftView{Chronology: chronologyFixture()}},
	} {
		d := fixture()
		d.Draft = tc.draft
		r, err := s.Render(tc.tmpl, d)
		if err != nil {
			t.Fatal(err)
		}
		if len(r.Attachments) != 1 || r.Attachments[0].Name != tc.file || r.Attachments[0].ContentType != DocxType {
			t.Fatalf("%s attachments = %v, want %s", tc.tmpl, r.Attachments, tc.file)
		}
		for _, name := range []string{childName, "Tyler", "Brookes"} {
			if strings.Contains(r.Subject, name) || strings.Contains(r.Attachments[0].Name, name) {
				t.Errorf("%s names %q in its subject or file name", tc.tmpl, name)
			}
		}
	}
}

func torDraftFixture() *cspr.ToRDraftView {
	return &cspr.ToRDraftView{
		CaseRef: "LSCP-2026-001", ChildInitials: "TB", DecisionAt: at(2026, 12, 22, 12, 0),
		RapidReviewFeedback: "The Rapid Review of 2026-12-16 recommended: Meets the criteria for a local Child Safeguarding Practice Review (b). Rationale: several agencies knew of bruising.",
		IncidentOutline:     "Serious harm on 2026-11-28, at the family home\nBruising noticed at school in October.",
		CaseHistory:         "Open to Children's Social Care since October 2026.",
		Agencies: []cspr.AgencyView{{Name: "Metropolitan Police Service", Email: "safeguarding.lead@met.example"},
			{Name: "Lewisham Children's Social Care", Email: "csc.lead@lewisham.example"}},
		Timetable: []cspr.ToRRow{
			{Action: "Terms of Reference agreed by the Learning from Practice subgroup", Responsible: "Learning from Practice subgroup", Due: at(2027, 1, 8, 17, 0)},
			{Action: "Chronologies and agency reports returned by agencies", Responsible: "Each agency named in 11.0", Due: at(2027, 2, 5, 17, 0)},
			{Action: "Final report to the National Panel, Ofsted and the Secretary of State", Responsible: "Strategic Safeguarding Lead", Due: at(2027, 6, 11, 17, 0)},
			{Action: "Publication of the review", Responsible: "Strategic Safeguarding Lead", Due: at(2027, 6, 22, 17, 0)},
		},
	}
}

// The Terms of Reference draft reads back, through our parser, as Terms of Reference
// carrying what was filled in, its timetable and agencies; the subgroup's sections empty.
func TestToRDraftRoundTrip(t *testing.T) {
	data, err := ToRDraft(torDraftFixture(), cspr.Partnership{})
	if err != nil {
		t.Fatal(err)
	}
	if out := os.Getenv("CSPRBOT_TOR_OUT"); out != "" {
		_ = os.WriteFile(out, data, 0o644)
	}
	docXML(t, data)
	f, err := parser.Parse("tor.docx", data, parser.Options{})
	if err != nil {
		t.Fatal(err)
	}
	v := torDraftFixture()
	want := map[string]string{"case_ref": "LSCP-2026-001", "child_initials": "TB", "rapid_review_feedback": v.RapidReviewFeedback,
		"incident_outline": v.IncidentOutline, "case_history": v.CaseHistory}
	if f.Kind != parser.KindTermsOfReference || !reflect.DeepEqual(f.Fields, want) {
		g, _ := json.MarshalIndent(f.Fields, "", " ")
		t.Errorf("Parse(draft) = %s %s\nwant %v", f.Kind, g, want)
	}
	wantTT := []map[string]string{
		{"action": "Terms of Reference agreed by the Learning from Practice subgroup", "responsible": "Learning from Practice subgroup", "date": "2027-01-08"},
		{"action": "Chronologies and agency reports returned by agencies", "responsible": "Each agency named in 11.0", "date": "2027-02-05"},
		{"action": "Final report to the National Panel, Ofsted and the Secretary of State", "responsible": "Strategic Safeguarding Lead", "date": "2027-06-11"},
		{"action": "Publication of the review", "responsible": "Strategic Safeguarding Lead", "date": "2027-06-22"},
	}
	if !reflect.DeepEqual(f.Tables["timetable"], wantTT) {
		t.Errorf("timetable = %v\nwant %v", f.Tables["timetable"], wantTT)
	}
	wantAg := []map[string]string{{"agency": "Metropolitan Police Service", "email": "safeguarding.lead@met.example"},
		{"agency": "Lewisham Children's Social Care", "email": "csc.lead@lewisham.example"}}
	if !reflect.DeepEqual(f.Tables["agencies"], wantAg) {
		t.Errorf("agencies = %v\nwant %v", f.Tables["agencies"], wantAg)
	}
	if len(f.Tables["panel"]) != 0 {
		t.Errorf("panel = %v, want empty", f.Tables["panel"])
	}
	// And python-docx reads the same rows.
	out := pythonDocx(t, data, pyDump)
	for _, s := range []string{"Publication of the review | Strategic Safeguarding Lead | 22/06/2027 | ", "Metropolitan Police Service |  | safeguarding.lead@met.example"} {
		if !strings.Contains(out, s) {
			t.Errorf("python-docx's reading lacks %q", s)
		}
	}
}

func packFixture() *cspr.PanelPackView {
	return &cspr.PanelPackView{
		CaseRef: "LSCP-2026-001", ChildInitials: "TB", Meeting: "Panel meeting 1", At: at(2027, 2, 10, 17, 0),
		ToR:        []cspr.Field{{Label: "Themes", Value: "Recognising bruising in pre-mobile children"}, {Label: "Review period from", Value: "2026-01-01"}},
		ToRStatus:  "confirmed",
		Timetable:  []cspr.ToRRow{{Action: "Panel meeting 1", Responsible: "Chair", Due: at(2027, 2, 10, 17, 0)}},
		Chronology: chronologyFixture(),
		Reports: []cspr.AgencyReportView{{Agency: "Metropolitan Police Service", Name: "police-report.docx", Received: at(2027, 2, 1, 12, 0),
			Fields:  []cspr.Field{{Label: "Summary of involvement", Value: "Two call-outs in 2026."}},
			Actions: []map[string]string{{"issue": "Information sharing", "action": "Brief officers", "by_whom": "DI", "timescale": "March 2027"}}}},
		Outstanding: []string{"Lewisham Children's Social Care: agency report due 5 February 2027 (overdue)"},
	}
}

// The panel papers, read by python-docx: the contents page and each part.
func TestPanelPackReadByPythonDocx(t *testing.T) {
	data, err := PanelPack(packFixture(), cspr.Partnership{})
	if err != nil {
		t.Fatal(err)
	}
	docXML(t, data)
	out := pythonDocx(t, data, pyDump)
	for _, s := range []string{
		"P:1. Terms of Reference (confirmed)", "P:2. Combined multi-agency chronology (3 entries, 1 with dates to place)",
		"P:3. Agency reports received (1)", "P:4. Still outstanding (1)",
		"T0:Themes | Recognising bruising in pre-mobile children", "T1:Panel meeting 1 | Chair | 10/02/2027",
		"02/10/2026 | Lewisham Primary School | Child | Bruising to the arm noticed in class",
		"P:Metropolitan Police Service (police-report.docx, received 01/02/2027)", "Summary of involvement | Two call-outs in 2026.",
		"Information sharing | Brief officers | DI |  | March 2027",
		"P:•\tLewisham Children's Social Care: agency report due 5 February 2027 (overdue)",
	} {
		if !strings.Contains(out, s) {
			t.Errorf("python-docx's reading lacks %q\n%s", s, out)
		}
	}
}
