package main

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"strings"
)

// The demo's documents: a referral (Appendix 1) and a scoping return (Appendix 3) as an
// agency would fill them in Word, in the official table layout. Every name is fictional.

type docBlock struct {
	para string     // a paragraph, or
	rows [][]string // a table
}

func xmlEscape(s string) string {
	var b bytes.Buffer
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}

// buildDocx writes a minimal WordprocessingML package.
func buildDocx(blocks []docBlock) []byte {
	var body strings.Builder
	p := func(s string) string {
		return `<w:p><w:r><w:t xml:space="preserve">` + xmlEscape(s) + `</w:t></w:r></w:p>`
	}
	for _, b := range blocks {
		if b.rows == nil {
			body.WriteString(p(b.para))
			continue
		}
		body.WriteString(`<w:tbl><w:tblPr><w:tblStyle w:val="TableGrid"/><w:tblW w:w="0" w:type="auto"/></w:tblPr>`)
		for _, row := range b.rows {
			body.WriteString(`<w:tr>`)
			for _, cell := range row {
				body.WriteString(`<w:tc><w:tcPr><w:tcW w:w="0" w:type="auto"/></w:tcPr>`)
				for _, line := range strings.Split(cell, "\n") {
					body.WriteString(p(line))
				}
				body.WriteString(`</w:tc>`)
			}
			body.WriteString(`</w:tr>`)
		}
		body.WriteString(`</w:tbl>`)
		body.WriteString(`<w:p/>`)
	}
	files := []struct{ name, body string }{
		{"[Content_Types].xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>`},
		{"_rels/.rels", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>`},
		{"word/document.xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>` + body.String() + `<w:sectPr/></w:body></w:document>`},
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range files {
		w, _ := zw.Create(f.name)
		w.Write([]byte(f.body))
	}
	zw.Close()
	return buf.Bytes()
}

// demoReferral is an Appendix 1 referral in the official layout.
func demoReferral() []byte {
	return buildDocx([]docBlock{
		{para: "Appendix 1 Referral form to the LSCP Serious Incident Notification"},
		{para: "REFERRAL OF A SERIOUS INCIDENT FORM"},
		{para: "Background Information"},
		{rows: [][]string{{"Name of Child:", "Ellie Testcase"}, {"Date of Referral:", "07/12/2026"}}},
		{para: "Agency Referral Author:"},
		{rows: [][]string{
			{"Name", "AGENCY & DESIGNATION/TITLE", "CONTACT DETAILS – Address, telephone number and e-mail address"},
			{"Dr Sam Example", "Lewisham and Greenwich NHS Trust, Named Doctor for Safeguarding", "University Hospital Lewisham, 020 0000 0000, safeguarding@lgt-nhs.example"},
		}},
		{para: "Please give the details of the designated safeguarding lead/officer with whom you have discussed the case."},
		{rows: [][]string{
			{"Name", "AGENCY & DESIGNATION/TITLE", "CONTACT DETAILS – Address, telephone number and e-mail address"},
			{"Pat Placeholder", "Lewisham and Greenwich NHS Trust, Named Nurse", "020 0000 0001, named.nurse@lgt-nhs.example"},
		}},
		{para: "Section 1: Brief overview of child and family composition"},
		{para: "1.1 Child’s Details"},
		{rows: [][]string{
			{"Name of Child", "Ellie Testcase"},
			{"Date of Birth", "02/04/2019"},
			{"Home address", "1 Example Road, London SE6 0XX"},
			{"Gender", "Female"},
			{"Ethnic Origin", "White British"},
			{"Faith/Religion", "None"},
			{"Disability", "None known"},
			{"Is the child/young person looked after?", "No"},
			{"Is the child/young person subject to a child protection plan or has been previously? (If so when, for what and for how long?)", "No"},
			{"Is the child/young person open to Children’s Social Care or a Children & Families Practice (if so, who is the lead practitioner)?", "Yes, open to Children's Social Care since October 2026"},
			{"Date of Death or Serious Incident (please specify which)", "Serious incident, 5 December 2026"},
			{"Address of location of incident", "Family home"},
			{"Carer at time of incident", "Mother"},
			{"Is this case known to be the subject of a criminal investigation? (If so, who is the lead investigator?)", "Yes, Metropolitan Police Service"},
			{"Is this case known to be the subject of a Coroner’s Inquiry? (If so, who is the key contact?)", "No"},
			{"Are there any adult safeguarding concerns and have these been shared via completing an Adult referral form? (If so, who is the key contact?", "No"},
		}},
		{para: "1.3 Other agencies known to be involved"},
		{rows: [][]string{
			{"Agency", "Contact Details: Address, Telephone and E-mail", "Reason for involvement ( inc. whether current or not)"},
			{"Lewisham and Greenwich NHS Trust", "safeguarding@lgt-nhs.example", "Emergency department attendance, current"},
			{"Lewisham Education Safeguarding", "education.safeguarding@lewisham.gov.uk", "Nursery attended until November 2026"},
			{"Metropolitan Police Service", "safeguarding.lead@met.example", "Investigation of the incident, current"},
		}},
		{para: "Section 2: Case Background"},
		{rows: [][]string{{"Presenting Concerns", "Admitted with injuries not consistent with the account given."}}},
		{para: "Please outline why you are making this referral:"},
		{para: "Serious harm where abuse is suspected; several agencies involved."},
	})
}

// demoScopingReturn is Appendix 3 as the police fill it in.
func demoScopingReturn(ref, initials string) []byte {
	return buildDocx([]docBlock{
		{para: "Lewisham Safeguarding Children Partnership"},
		{para: "Rapid Review Initial Scoping and Information Sharing"},
		{rows: [][]string{
			{"Case reference", ref},
			{"Child's anonymised initials", initials},
			{"Agency", "Metropolitan Police Service"},
			{"Completed by", "DS Alex Sample"},
			{"Role", "Detective Sergeant, Child Abuse Investigation"},
			{"Email", "safeguarding.lead@met.example"},
			{"Telephone", "020 0000 0002"},
			{"Date completed", "9 December 2026"},
			{"Did your agency have any involvement with the child?", "Yes"},
			{"Did your agency have any involvement with any named family member?", "Yes"},
			{"Summary of your agency's involvement", "Two call-outs to the address in 2026; investigation of the incident now open."},
			{"Is your agency currently involved with the child or family?", "Yes"},
			{"Have all records been secured?", "Yes"},
		}},
	})
}

// demoRapidReviewReport is Appendix 5 as the Strategic Safeguarding Lead completes it
// after the meeting: every partner present, criteria ticked, recommendation b (a local
// review).
func demoRapidReviewReport(ref, meeting string) []byte {
	tick := func(on bool) string {
		if on {
			return "☒"
		}
		return "☐"
	}
	criteria := []struct {
		on   bool
		text string
	}{
		{true, "highlights or may highlight improvements needed to safeguard and promote the welfare of children, including where those improvements have been previously identified"},
		{false, "highlights or may highlight recurrent themes in the safeguarding and promotion of the welfare of children"},
		{true, "highlights or may highlight concerns regarding two or more organisations or agencies working together effectively to safeguard and promote the welfare of children"},
		{false, "is one which the Child Safeguarding Practice Review Panel have considered and concluded a local review may be more appropriate"},
		{false, "safeguarding partners have cause for concern about the actions of a single agency"},
		{false, "there has been no agency involvement and this gives the safeguarding partners cause for concern"},
		{false, "more than one local authority, police area or clinical commissioning group is involved, including in cases where families have moved around"},
		{false, "the case may raise issues relating to safeguarding or promoting the welfare of children in institutional settings"},
		{false, "None of the above"},
	}
	var critRows [][]string
	for _, c := range criteria {
		critRows = append(critRows, []string{tick(c.on), c.text})
	}
	recs := []string{
		"a) Meets the criteria for a national Child Safeguarding Practice Review",
		"b) Meets the criteria for a local Child Safeguarding Practice Review",
		"c) Does not meet the criteria but warrants an alternative Learning Review",
		"d) Warrants consideration of DHR, SAR, MAPPA SFO or other",
		"e) Warrants a Single-Agency Review",
		"f) Warrants a Multi-Agency Audit",
		"g) Warrants a Single Agency Audit",
		"h) Needs no Further Action",
		"i) The Rapid Review has identified learning that has been acted upon, obviating the need for further review",
		"j) Other",
	}
	var recRows [][]string
	for i, r := range recs {
		recRows = append(recRows, []string{tick(i == 1), r})
	}
	return buildDocx([]docBlock{
		{para: "REPORT OF RAPID REVIEW DECISIONS AND RECOMMENDATIONS FOR SUBMISSION TO NATIONAL CHILD SAFEGUARDING PRACTICE REVIEW PANEL"},
		{para: "Our ref: " + ref},
		{para: "Background Information"},
		{rows: [][]string{{"Name of Child:", "Ellie Testcase"}, {"Date of Rapid Review:", meeting}}},
		{para: "List of Participants in Rapid Review:"},
		{rows: [][]string{
			{"Name", "Job Role/Title", "Agency/Organisation"},
			{"Morgan Pretendlead", "Strategic Safeguarding Lead (chair)", "Lewisham Safeguarding Children Partnership"},
			{"Lou Imagined", "Head of Service", "Lewisham Children's Social Care"},
			{"DI Chris Notreal", "Detective Inspector", "Metropolitan Police Service"},
			{"Dr Fay Fictive", "Designated Doctor", "NHS South East London ICB"},
		}},
		{para: "Section 2: Consideration of Case, Criteria and Guidance"},
		{para: "2.1 Immediate Action"},
		{rows: [][]string{
			{"Has ALL appropriate immediate action been taken to ensure children’s safety and share any learning appropriately?", "☒ Yes ☐ No"},
			{"Please give details of action taken. If no, what actions need to be taken? When will these be taken and by whom?", "Strategy meeting held; siblings safeguarded."},
		}},
		{para: "2.2 Identifying Improvements to Safeguard and Promote the Welfare of Children"},
		{rows: critRows},
		{para: "Section 3: Recommendation"},
		{para: "After completing this Rapid Review it has been agreed that this case:"},
		{rows: recRows},
		{rows: [][]string{{"Rationale for Recommendation", "Several agencies were involved and information sharing between them needs review."}}},
	})
}
