package parser

import "testing"

// officialReferral is Appendix 1 in its table layout, filled in the ways Word allows.
func officialReferral() string {
	checkbox := func(on bool) string {
		v, g := "0", "☐"
		if on {
			v, g = "1", "☒"
		}
		return `<w:sdt><w:sdtPr><w14:checkbox><w14:checked w14:val="` + v + `"/></w14:checkbox></w:sdtPr><w:sdtContent><w:r><w:t>` + g + `</w:t></w:r></w:sdtContent></w:sdt>`
	}
	return p("REFERRAL OF A SERIOUS INCIDENT FORM") +
		p("Serious child safeguarding cases are those in which:") +
		p("Background Information") +
		tbl(cells("Name of Child:", praw(`<w:r><w:t>Test</w:t></w:r><w:r><w:t xml:space="preserve"> Chi</w:t></w:r><w:r><w:t>ld</w:t></w:r>`)),
			cells("Date of Referral:", "2nd April 2024")) +
		tbl(cells("Agency Referral Author:"),
			cells("Name", "AGENCY & DESIGNATION/TITLE", "CONTACT DETAILS – Address, telephone number and e-mail address"),
			cells("Ann Author", "Lewisham Police, DS", praw(`<w:r><w:t>1 Road, 020 7946 0000, </w:t></w:r><w:hyperlink r:id="x" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><w:r><w:t>ann.author@police.example</w:t></w:r></w:hyperlink>`)),
			cells("Please give the details of the designated safeguarding lead/officer with whom you have discussed the case."),
			cells("Name", "AGENCY & DESIGNATION/TITLE", "CONTACT DETAILS – Address, telephone number and e-mail address"),
			cells("Dee Lead", "Lewisham Police, DI", "dee.lead@police.example")) +
		p("Section 1: Brief overview of child and family composition") +
		tbl(cells("Name of Child", "Test Child"),
			cells("Date of Birth", "02/04/2019"),
			cells("Home address", "1 Example Street, SE6"),
			cells("Gender", "Female"),
			cells("Ethnic Origin", "White British"),
			cells("Faith/Religion", "Click or tap here to enter text."),
			cells("Disability", "None"),
			cells("Is the child/young person looked after?", praw(`<w:r><w:t xml:space="preserve">Yes </w:t></w:r>`+checkbox(false)+`<w:r><w:t xml:space="preserve"> No </w:t></w:r>`+checkbox(true))),
			cells("Is the child/young person subject to a child protection plan or has been previously? (If so when, for what and for how long?)", "Yes, 2022 for neglect, 9 months"),
			cells("Is the child/young person open to Children’s Social Care or a Children & Families Practice (if so, who is the lead practitioner)?", praw(`<w:ins w:id="1" w:author="x"><w:r><w:t>Yes – Sam Worker</w:t></w:r></w:ins><w:del w:id="2" w:author="x"><w:r><w:delText>No</w:delText></w:r></w:del>`)),
			cells("Date of Death or Serious Incident (please specific which)", "Serious incident – 12.3.24"),
			cells("Address of location of incident", "1 Example Street, SE6"),
			cells("Carer at time of incident", "Mother"),
			cells("Is this case known to be the subject of a criminal investigation? (If so, who is the lead investigator?)", "Yes, DS Smith"),
			cells("Is this case known to be the subject of a Coroner’s Inquiry? (If so, who is the key contact?)", "No"),
			cells("Are there any adult safeguarding concerns and have these been shared via completing an Adult referral form? (If so, who is the key contact?", "No")) +
		p("1.2 Details of Family Members and any Significant Others") +
		tbl(cells("Name and Address", "Relationship to Child", "Date of Birth", "Legal Status", "Ethnic Origin"),
			cells("Immediate Family", "", "", "", ""),
			cells("Test Child, 1 Example Street", "Subject", "2 Apr 2019", "", "White British"),
			cells("Mum Parent, 1 Example Street", "Mother", "1990-01-05", "PR", "White British"),
			cells("Extended Family", "", "", "", ""),
			cells("Gran Parent, 9 Other Road", "Grandmother", "5th May 1960", "", "White British")) +
		tbl(cells("What action has been undertaken to safeguard and protect any siblings of the child who is the subject of this referral?"),
			cells("No siblings.")) +
		p("1.3 Other agencies known to be involved") +
		tbl(cells("Agency", "Contact Details: Address, Telephone and E-mail", "Reason for involvement ( inc. whether current or not)"),
			cells("Health visiting", "Hana Visitor, 020 8000 0000, hana@nhs.example", "Universal service, current"),
			cells("School", "Click or tap here to enter text.", "Nursery place, current")) +
		p("Section 2: Case Background") +
		p("Please provide a brief outline of the child and family circumstances and the incident that triggered this referral:") +
		tbl(cells("Presenting Concerns"), cells(p("Injury found at nursery.")+p("Taken to hospital.")),
			cells("Case History"), cells("Known since 2022."),
			cells("Extended Family Involvement (as required)"), cells(""),
			cells("Any Other Relevant Information"), cells("None known")) +
		p("Please outline why you are making this referral:") +
		p("Serious injury to a child under 5.") +
		p("Please use the chronology table below to outline any events around the time of the incident.") +
		tbl(cells("Date & Time:", "Event:"),
			cells("12/03/2024 09:00", "Child arrived at nursery with bruising"),
			cells("12/03/2024 11:00", "Taken to hospital")) +
		p("Please add any additional information you think may be relevant and may assist decision-making:") +
		p("Case reference LSCP-2024-007.") +
		p("NOTE: THE ABOVE SHOULD FOLLOW A DISCUSSION WITH A NOMINATED MANAGER OR SAFEGUARDING ADVISOR IN YOUR AGENCY.") +
		p("Section 3: Advice and Submission of this Form")
}

func TestParseOfficialReferral(t *testing.T) {
	f, err := Parse("dir/referral.docx", makeDocx(t, officialReferral()), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if f.File != "referral.docx" {
		t.Errorf("File = %q", f.File)
	}
	if f.CaseRef != "LSCP-2024-007" {
		t.Errorf("CaseRef = %q", f.CaseRef)
	}
	checkForm(t, f, KindReferral, map[string]string{
		"child_name": "Test Child", "date_of_referral": "2024-04-02",
		"referrer_name": "Ann Author", "referrer_agency": "Lewisham Police, DS",
		"referrer_contact": "1 Road, 020 7946 0000, ann.author@police.example", "referrer_email": "ann.author@police.example",
		"dsl_name": "Dee Lead", "dsl_agency": "Lewisham Police, DI", "dsl_contact": "dee.lead@police.example", "dsl_email": "dee.lead@police.example",
		"child_dob": "2019-04-02", "home_address": "1 Example Street, SE6", "gender": "Female", "ethnic_origin": "White British",
		"disability": "None", "looked_after": "no", "cp_plan": "Yes, 2022 for neglect, 9 months", "open_to_csc": "Yes – Sam Worker",
		"incident_date": "2024-03-12", "incident_kind": "serious_harm", "incident_location": "1 Example Street, SE6",
		"carer_at_incident": "Mother", "criminal_investigation": "Yes, DS Smith", "coroner_inquiry": "No", "adult_safeguarding": "No",
		"siblings_action": "No siblings.", "presenting_concerns": "Injury found at nursery.\nTaken to hospital.",
		"case_history": "Known since 2022.", "other_information": "None known",
		"reason_for_referral": "Serious injury to a child under 5.", "additional_information": "Case reference LSCP-2024-007.",
	}, map[string][]map[string]string{
		"family_members": {
			{"name_address": "Test Child, 1 Example Street", "relationship": "Subject", "dob": "2019-04-02", "ethnic_origin": "White British", "group": "immediate"},
			{"name_address": "Mum Parent, 1 Example Street", "relationship": "Mother", "dob": "1990-01-05", "legal_status": "PR", "ethnic_origin": "White British", "group": "immediate"},
			{"name_address": "Gran Parent, 9 Other Road", "relationship": "Grandmother", "dob": "1960-05-05", "ethnic_origin": "White British", "group": "extended"},
		},
		"agencies": {
			{"agency": "Health visiting", "contact": "Hana Visitor, 020 8000 0000, hana@nhs.example", "email": "hana@nhs.example", "reason": "Universal service, current"},
			{"agency": "School", "reason": "Nursery place, current"},
		},
		"events": {
			{"when": "2024-03-12", "when_time": "09:00", "event": "Child arrived at nursery with bruising"},
			{"when": "2024-03-12", "when_time": "11:00", "event": "Taken to hospital"},
		},
	})
	if len(f.Warnings) != 0 {
		t.Errorf("warnings = %q, want none", f.Warnings)
	}
}
