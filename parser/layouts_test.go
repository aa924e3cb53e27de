package parser

import (
	"archive/zip"
	"bytes"
	"testing"
)

func sdtBox(on bool) string {
	v, g := "0", "☐"
	if on {
		v, g = "1", "☒"
	}
	return `<w:sdt><w:sdtPr><w14:checkbox><w14:checked w14:val="` + v + `"/></w14:checkbox></w:sdtPr><w:sdtContent><w:r><w:t>` + g + `</w:t></w:r></w:sdtContent></w:sdt>`
}

func formBox(on bool) string {
	v := "0"
	if on {
		v = "1"
	}
	return `<w:r><w:fldChar w:fldCharType="begin"><w:ffData><w:name w:val="Check1"/><w:checkBox><w:sizeAuto/><w:default w:val="` + v + `"/></w:checkBox></w:ffData></w:fldChar></w:r><w:r><w:instrText xml:space="preserve"> FORMCHECKBOX </w:instrText></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r>`
}

func formText(v string) string {
	return `<w:r><w:fldChar w:fldCharType="begin"><w:ffData><w:textInput/></w:ffData></w:fldChar></w:r><w:r><w:instrText xml:space="preserve"> FORMTEXT </w:instrText></w:r><w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>` + v + `</w:t></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r>`
}

func TestParseScopingLegacyFields(t *testing.T) {
	body := p("Rapid Review Initial Scoping and Information Sharing") +
		tbl(cells("Case reference", "LSCP-2026-004"),
			cells("Child's anonymised initials", praw(formText("A.E."))),
			cells("Agency", praw(`<w:smartTag w:uri="x" w:element="place"><w:r><w:t>Lewisham</w:t></w:r></w:smartTag><w:r><w:t xml:space="preserve"> Homes</w:t></w:r>`)),
			cells("Completed by", praw(`<w:sdt><w:sdtPr><w:showingPlcHdr/></w:sdtPr><w:sdtContent><w:r><w:t>Click or tap here to enter text.</w:t></w:r></w:sdtContent></w:sdt>`)),
			cells("Email", "Contact: kim@homes.example"),
			cells("Date completed", "13th March 2026"),
			cells("Did your agency have any involvement with the child?", praw(formBox(false)+`<w:r><w:t xml:space="preserve"> Yes  </w:t></w:r>`+formBox(true)+`<w:r><w:t xml:space="preserve"> No</w:t></w:r>`)),
			cells("Did your agency have any involvement with any named family member?", praw(`<w:r><w:t>Yes </w:t></w:r><w:r><w:sym w:font="Wingdings" w:char="F0FE"/></w:r><w:r><w:t xml:space="preserve"> No </w:t></w:r><w:r><w:sym w:font="Wingdings" w:char="F0A8"/></w:r>`)),
			cells("Have all records been secured?", "Y")) +
		p("Key involvement (most recent first)") +
		tbl(cells("Date", "Person (child or family member)", "Contact / event", "Outcome"),
			cells("2026/01/05", "Mother", "Tenancy visit", "Repairs ordered"),
			cells("", "", "", ""))
	f, err := Parse("s.docx", makeDocx(t, body), Options{})
	if err != nil {
		t.Fatal(err)
	}
	checkForm(t, f, KindScopingReturn, map[string]string{
		"case_ref": "LSCP-2026-004", "child_initials": "A.E.", "agency": "Lewisham Homes", "email": "kim@homes.example",
		"date_completed": "2026-03-13", "child_known": "no", "family_known": "yes", "records_secured": "yes",
	}, map[string][]map[string]string{
		"involvement": {{"date": "2026-01-05", "person": "Mother", "event": "Tenancy visit", "outcome": "Repairs ordered"}},
	})
}

func TestParseRapidReviewGrids(t *testing.T) {
	body := p("REPORT OF RAPID REVIEW DECISIONS AND RECOMMENDATIONS FOR SUBMISSION TO NATIONAL CHILD SAFEGUARDING PRACTICE REVIEW PANEL") +
		tbl(cells("Name of Child:", "Test Child"), cells("Date of Rapid Review:", "2 Apr 2026")) +
		p("List of Participants in Rapid Review:") +
		tbl(cells("Name", "Job Role/Title", "Agency/Organisation"),
			cells("A Chair", "Strategic Safeguarding Lead", "LSCP"),
			cells("B Officer", "DI", "Police")) +
		p("2.1 Immediate Action") +
		tbl(cells("Has ALL appropriate immediate action been taken to ensure children’s safety and share any learning appropriately?", "Yes", "No"),
			cells("", praw(sdtBox(false)), praw(sdtBox(true)))) +
		p("Please give details of action taken. If no, what actions need to be taken? When will these be taken and by whom?") +
		p("Records from the previous borough to be requested by 6 March.") +
		p("2.2 Identifying Improvements to Safeguard and Promote the Welfare of Children") +
		tbl(cells("", "Yes", "No"),
			cells("highlights or may highlight improvements needed to safeguard and promote the welfare of children, including where those improvements have been previously identified", "☐", "☒"),
			cells("highlights or may highlight recurrent themes in the safeguarding and promotion of the welfare of children", "X", ""),
			cells("more than one local authority, police area or clinical commissioning group is involved, including in cases where families have moved around", "✓", ""),
			cells("None of the above", "", "✓")) +
		p("Has legal advice been sought? If yes, please give details.") +
		p("No.") +
		p("Section 3: Recommendation") +
		tbl(cells("a)", "Meets the criteria for a national Child Safeguarding Practice Review", "☐"),
			cells("b)", "Meets the criteria for a local Child Safeguarding Practice Review", "☒"),
			cells("j)", "Other\nPlease state:", "☐")) +
		p("Rationale for Recommendation. When the Rapid Review decision is that a case does not meet the criteria for a Child Safeguarding Practice Review, other review options must be considered.") +
		p("Learning about unsafe sleep.") +
		p("Date this form submitted to the National Panel: 09/04/2026")
	f, err := Parse("rr.docx", makeDocx(t, body), Options{})
	if err != nil {
		t.Fatal(err)
	}
	checkForm(t, f, KindRapidReviewReport, map[string]string{
		"child_name": "Test Child", "date_of_rapid_review": "2026-04-02", "immediate_action": "no",
		"immediate_action_details": "Records from the previous borough to be requested by 6 March.",
		"criteria":                 "recurrent_themes,cross_boundary", "legal_advice": "No.", "recommendation": "b",
		"rationale": "Learning about unsafe sleep.", "date_submitted_to_panel": "2026-04-09",
	}, map[string][]map[string]string{
		"participants": {
			{"name": "A Chair", "role": "Strategic Safeguarding Lead", "agency": "LSCP"},
			{"name": "B Officer", "role": "DI", "agency": "Police"},
		},
	})
}

func TestParseChronologyAndAgencyReport(t *testing.T) {
	chron := p("Lewisham Safeguarding Children Partnership") + p("INFORMATION-SHARING CHRONOLOGY") +
		tbl(cells("Child’s Name:", "Test Child", "Agency Completing Chronology:", "Fictional Trust"),
			cells("Child’s Anonymised Initials:", "TC", "Completed by:", "N Nurse"),
			cells("Child’s Date of Birth:", "02/04/2019", "Role:", "Named Nurse"),
			cells("Dates covered by this Chronology:", "01/01/2024 – 31/03/2026", "Date of Completion:", "2.4.26")) +
		tbl(cells(p("Date")+p("You must use an American date format 2021/03/27"), p("Inform sent cross borough Sender")+p("Specify who has sent the communication"), "Information sent cross borough Subject", "Comms Within Agency", "Comms External to Agency", "Response or outcome", "Source of Evidence", p("Comment")+p("Provide any relevant comment")),
			cells("2024/03/05", "HV", "Child", "Email", "", "Seen", "RiO", "Timely"),
			cells("2024/13/05", "GP", "Mother", "", "Letter", "", "EMIS", ""))
	f, err := Parse("c.docx", makeDocx(t, chron), Options{})
	if err != nil {
		t.Fatal(err)
	}
	checkForm(t, f, KindChronology, map[string]string{
		"child_initials": "TC", "agency": "Fictional Trust", "completed_by": "N Nurse", "role": "Named Nurse",
		"date_of_completion": "2026-04-02", "period_from": "2024-01-01", "period_to": "2026-03-31",
	}, map[string][]map[string]string{
		"entries": {
			{"date": "2024-03-05", "sender": "HV", "subject": "Child", "comms_within": "Email", "response": "Seen", "source": "RiO", "comment": "Timely"},
			{"date": "2024/13/05", "sender": "GP", "subject": "Mother", "comms_external": "Letter", "source": "EMIS"},
		},
	})
	if len(f.Warnings) != 1 {
		t.Errorf("warnings = %q, want one for the unreadable date", f.Warnings)
	}

	rep := p("Appendix 9 AGENCY REPORT CSPR/LOCAL LEARNING REVIEW") +
		tbl(cells("Child’s Name:", "Test Child"), cells("Child’s Anonymised Initials:", "TC"),
			cells("Agency Completing Chronology:", "Fictional Trust"), cells("Completed by:", "N Nurse"), cells("Role:", "Named Nurse"),
			cells("Date of Completion:", "2 April 2026"), cells("Authorised by: (if required)", "Dr Boss"), cells("Role:", "Director"),
			cells("Dates covered by this Agency Report:", "2024 to 2026")) +
		p("3 SUMMARY OF INVOLVEMENT") + p("Seen at universal contacts.") + p("No concerns until 2026.") +
		p("4 ANALYSIS OF INVOLVEMENT") + p("Curiosity about new adults was missing.") +
		p("5 ARE THERE LESSONS LEARNED?") + p("Ask about new adults.") +
		p("6.2 Are there implications for ways of working; training (single- and inter-agency); management and supervision; working in partnership with other organisations; resources?") + p("Training.") +
		p("7.1 Actions") +
		tbl(cells("Issue:", "Action:", "By whom:", "Outcome Sought:", "Evidence of implementation:", "Timescale:"),
			cells("Curiosity", "Training", "Named nurse", "Better enquiry", "Audit", "6 months"))
	f, err = Parse("a.docx", makeDocx(t, rep), Options{})
	if err != nil {
		t.Fatal(err)
	}
	checkForm(t, f, KindAgencyReport, map[string]string{
		"child_initials": "TC", "agency": "Fictional Trust", "completed_by": "N Nurse", "role": "Named Nurse",
		"date_of_completion": "2026-04-02", "authorised_by": "Dr Boss", "period": "2024 to 2026",
		"summary": "Seen at universal contacts.\nNo concerns until 2026.", "analysis": "Curiosity about new adults was missing.",
		"lessons": "Ask about new adults.",
	}, map[string][]map[string]string{
		"actions": {{"issue": "Curiosity", "action": "Training", "by_whom": "Named nurse", "outcome": "Better enquiry", "evidence": "Audit", "timescale": "6 months"}},
	})
}

func TestParseODTAndHTML(t *testing.T) {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, _ := zw.Create("mimetype")
	w.Write([]byte("application/vnd.oasis.opendocument.text"))
	w, _ = zw.Create("content.xml")
	w.Write([]byte(`<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"><office:body><office:text>
<text:h>Referral of a Serious Incident Form</text:h>
<text:p>Name of child:<text:s/><text:span>Test</text:span> Child</text:p>
<text:p>Date of referral: 2.4.26</text:p>
<text:tracked-changes><text:changed-region><text:deletion><text:p>Gender: Male</text:p></text:deletion></text:changed-region></text:tracked-changes>
<table:table><table:table-row><table:table-cell><text:p>DOB</text:p></table:table-cell><table:table-cell><text:p>02/04/2019</text:p></table:table-cell></table:table-row>
<table:table-row><table:table-cell><text:p>Gender</text:p></table:table-cell><table:table-cell><text:p>Female</text:p></table:table-cell></table:table-row></table:table>
</office:text></office:body></office:document-content>`))
	zw.Close()
	f, err := Parse("r.odt", buf.Bytes(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	checkForm(t, f, KindReferral, map[string]string{"child_name": "Test Child", "date_of_referral": "2026-04-02", "child_dob": "2019-04-02", "gender": "Female"}, nil)

	html := `<html><head><style>p{}</style></head><body><h1>Initial Scoping and Information Sharing</h1>
<table><tr><th>Agency</th><td>Fictional School</td></tr><tr><td>Child known to agency</td><td>No &#9746;</td></tr>
<tr><td>Family known to agency</td><td>No</td></tr></table></body></html>`
	f, err = Parse("s.html", []byte(html), Options{})
	if err != nil {
		t.Fatal(err)
	}
	checkForm(t, f, KindScopingReturn, map[string]string{"agency": "Fictional School", "child_known": "no", "family_known": "no"}, nil)
}

func TestParseErrors(t *testing.T) {
	deep := "<w:document " + wordNS + "><w:body>"
	for i := 0; i < 2000; i++ {
		deep += "<w:customXml>"
	}
	tests := []struct {
		name string
		data []byte
		opts Options
		want error
	}{
		{"empty", nil, Options{}, ErrCorrupt},
		{"truncated zip", makeDocx(t, p("x"))[:60], Options{}, ErrCorrupt},
		{"not a form", []byte{0, 1, 2, 3, 0, 0, 0, 5}, Options{}, ErrUnsupported},
		{"too big", make([]byte, 100), Options{Limits: Limits{MaxInput: 10}}, ErrTooLarge},
		{"too much text", makeDocx(t, p("Name of child: a very long name indeed")), Options{Limits: Limits{MaxText: 10}}, ErrTooLarge},
		{"too deep", makeDocxRaw(t, deep), Options{}, ErrTooLarge},
		{"zip entries", makeDocx(t, p("Name of child: Test")), Options{Limits: Limits{MaxEntries: 2}}, ErrTooLarge},
		{"spreadsheet", makeXLSX(t), Options{}, ErrUnsupported},
		{"uncompressed cap", makeDocx(t, p("Name of child: Test")), Options{Limits: Limits{MaxUncompressed: 100}}, ErrTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := Parse("x", tt.data, tt.opts)
			if !errorsIs(err, tt.want) {
				t.Errorf("Parse = %v, %v, want an error wrapping %v", f, err, tt.want)
			}
		})
	}
}

func makeDocxRaw(t *testing.T, documentXML string) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, _ := zw.Create("[Content_Types].xml")
	w.Write([]byte(`<Types/>`))
	w, _ = zw.Create("word/document.xml")
	w.Write([]byte(documentXML))
	zw.Close()
	return buf.Bytes()
}

func TestParseRetypedReferralSections(t *testing.T) {
	text := "Referral of a Serious Incident\n" +
		"Name of Child: Test Child\nDate of referral: 2nd April 2026\n" +
		"Agency Referral Author:\nName: Ann Author\nAgency & designation: Police, DS\nContact details: 020 7946 0000, ann@police.example\n" +
		"Designated safeguarding lead\nDee Lead\nContact: dee@police.example\n" +
		"Child's Details\nDOB\n2.4.19\nLooked after? No\n" +
		"Date of death or serious incident: Died 12 March 2026\n" +
		"Presenting concerns:\nFirst line.\nSecond line.\n6.2 Something else we do not keep\nNot an answer.\n"
	f, err := Parse("r.txt", []byte(text), Options{})
	if err != nil {
		t.Fatal(err)
	}
	checkForm(t, f, KindReferral, map[string]string{
		"child_name": "Test Child", "date_of_referral": "2026-04-02",
		"referrer_name": "Ann Author", "referrer_agency": "Police, DS", "referrer_contact": "020 7946 0000, ann@police.example", "referrer_email": "ann@police.example",
		"dsl_name": "Dee Lead", "dsl_contact": "dee@police.example", "dsl_email": "dee@police.example",
		"child_dob": "2019-04-02", "looked_after": "no", "incident_date": "2026-03-12", "incident_kind": "death",
		"presenting_concerns": "First line.\nSecond line.",
	}, nil)
}

func makeXLSX(t *testing.T) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, _ := zw.Create("[Content_Types].xml")
	w.Write([]byte(`<Types/>`))
	w, _ = zw.Create("xl/workbook.xml")
	w.Write([]byte(`<workbook/>`))
	zw.Close()
	return buf.Bytes()
}

// The second reader's shapes (issue 13): option lists ticked with a typed Y or
// "(x)", and tables pasted as tab-separated lines with their group lines.
func TestParseTypedTicksAndTSV(t *testing.T) {
	body := p("REPORT OF RAPID REVIEW DECISIONS AND RECOMMENDATIONS FOR SUBMISSION TO NATIONAL CHILD SAFEGUARDING PRACTICE REVIEW PANEL") +
		tbl(cells("Name of Child", "Test Child")) +
		p("2.2 Identifying Improvements to Safeguard and Promote the Welfare of Children") +
		tbl(cells("Y", "highlights or may highlight recurrent themes in the safeguarding and promotion of the welfare of children"),
			cells("", "None of the above")) +
		p("Section 3: Recommendation") +
		tbl(cells("( )", "a) Meets the criteria for a national Child Safeguarding Practice Review"),
			cells("(x)", "d) Warrants consideration of DHR, SAR, MAPPA SFO or other"),
			cells("( )", "e) Warrants a Single-Agency Review"))
	f, err := Parse("rr.docx", makeDocx(t, body), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if f.Fields["criteria"] != "recurrent_themes" || f.Fields["recommendation"] != "d" {
		t.Errorf("criteria, recommendation = %q, %q, want recurrent_themes, d", f.Fields["criteria"], f.Fields["recommendation"])
	}

	ref := p("Referral of a serious incident – Lewisham Safeguarding Children Partnership") +
		p("Name of child\tAlice Example") + p("Referral date\t09/03/2026") +
		p("1.2 Details of Family Members and any Significant Others") +
		p("Name & address\tRelationship\tDOB\tLegal status\tEthnicity") +
		p("Immediate Family") +
		p("Mary Example, same address\tMother\t23/11/1994\t\tWhite British") +
		p("Extended Family") +
		p("Gran Example\tMaternal grandmother\t30/01/1968") +
		p("Extended family involvement:") + p("Gran helps.")
	f, err = Parse("ref.docx", makeDocx(t, ref), Options{})
	if err != nil {
		t.Fatal(err)
	}
	checkForm(t, f, KindReferral, map[string]string{
		"child_name": "Alice Example", "date_of_referral": "2026-03-09", "extended_family": "Gran helps.",
	}, map[string][]map[string]string{
		"family_members": {
			{"name_address": "Mary Example, same address", "relationship": "Mother", "dob": "1994-11-23", "ethnic_origin": "White British", "group": "immediate"},
			{"name_address": "Gran Example", "relationship": "Maternal grandmother", "dob": "1968-01-30", "group": "extended"},
		},
	})
}

// A nil return written as a letter whose subject line is the scoping form's title
// is a nil return; its letterhead's telephone is no field. Our form sent back
// blank, which says a reply may say the agency "has had no involvement", is not.
func TestNilReturnLetterAndBlankForm(t *testing.T) {
	letter := p("Fictional Dental Service") + p("Tel: 020 7946 0880") +
		p("Initial Scoping and Information Sharing") + p("Your reference: LSCP-2026-053") +
		p("As the child and family are not known to us, we have not completed the scoping form.") +
		p("Yours sincerely,") + p("Dr Nadia Notreal")
	f, err := Parse("letter.docx", makeDocx(t, letter), Options{})
	if err != nil {
		t.Fatal(err)
	}
	checkForm(t, f, KindScopingReturn, map[string]string{"case_ref": "LSCP-2026-053", "child_known": "no", "family_known": "no"}, nil)

	blank := p("Rapid Review Initial Scoping and Information Sharing") +
		p("Please reply to our email with this form attached. If your agency has had no involvement with the child or any member of the family, you may instead reply to say so.") +
		tbl(cells("Case reference", "LSCP-2026-001"), cells("Child's anonymised initials", "ET"), cells("Agency", "Police"),
			cells("Completed by", ""), cells("Role", ""), cells("Email", ""), cells("Telephone", ""), cells("Date completed", ""),
			cells("Did your agency have any involvement with the child?", "☐ Yes ☐ No"),
			cells("Did your agency have any involvement with any named family member?", "☐ Yes ☐ No"))
	f, err = Parse("blank.docx", makeDocx(t, blank), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := f.Fields["child_known"]; ok || f.Kind != KindScopingReturn {
		t.Errorf("blank form read as %s %v, want a scoping return answering nothing", f.Kind, f.Fields)
	}
}
