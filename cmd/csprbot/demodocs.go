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
