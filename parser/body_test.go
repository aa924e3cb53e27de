package parser

import "testing"

func TestParseBodyNilReturns(t *testing.T) {
	nils := []string{
		"This child is not known to our service.",
		"Hi, the child and family are not known to Lewisham Homes. Regards",
		"No trace of the family on our systems.",
		"We have had no involvement with this child or family.",
		"No records held.",
		"I have searched our records and we hold no records for any of the named individuals.",
		"Neither the child nor any of the family members listed are known to us.",
		"Nil return from the CCG.",
		"We could not find the child or family on our database.",
		"Checked RiO and EMIS: none of the family is known to our service.",
		"The family are unknown to our service.",
		"Nobody named is known to the Trust.",
		"The child isn't known to us.",
		"We have never been involved with this family and there is no record of them.",
		"I can confirm we have not had any contact with the family.",
		"We don't hold any records on the child or the adults named.",
		"Not known.",
		"Sorry, we have no information to share on this family.",
	}
	for _, body := range nils {
		t.Run(body, func(t *testing.T) {
			f := ParseBody(body, "")
			if f.Kind != KindScopingReturn || f.Fields["child_known"] != "no" || f.Fields["family_known"] != "no" {
				t.Errorf("ParseBody(%q) = %s %v, want a nil return", body, f.Kind, f.Fields)
			}
		})
	}
	notNil := []string{
		"The child is known to us – I will complete the scoping form and return it by Friday.",
		"We have had involvement with the mother in 2023.",
		"The child is not known to me personally but our records show a referral in 2022.",
		"The child is not known to our service, but the mother was seen at our clinic in 2023.",
		"Please find attached our scoping form.",
		"Thank you for your email. I am out of the office until Monday.",
		"We were involved with the family until 2021.",
	}
	for _, body := range notNil {
		t.Run(body, func(t *testing.T) {
			f := ParseBody(body, "")
			if f.Kind != KindUnknown || len(f.Fields) != 0 {
				t.Errorf("ParseBody(%q) = %s %v, want unknown and no fields", body, f.Kind, f.Fields)
			}
		})
	}
}

func TestParseBodyIgnoresQuotes(t *testing.T) {
	tests := []struct{ name, text, html string }{
		{"gt quote", "The child is known to us.\n> This child is not known to our service.", ""},
		{"on wrote", "Thanks, form to follow, she is known to us.\n\nOn Mon, 3 Mar 2026 at 10:00, LSCP <x@y> wrote:\nIf the child is not known to your agency please confirm.", ""},
		{"outlook", "Will send the form.\n\nFrom: LSCP\nSent: 03 March 2026 10:00\nTo: Agency\nSubject: scoping\nIf the child is not known to your service, please say so.", ""},
		{"html blockquote", "", "<p>Will send later.</p><blockquote><p>If not known to your agency please confirm no records held.</p></blockquote>"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if f := ParseBody(tt.text, tt.html); f.Kind != KindUnknown {
				t.Errorf("ParseBody = %s %v, want unknown (the nil wording is quoted)", f.Kind, f.Fields)
			}
		})
	}
	f := ParseBody("", "<p>Dear LSCP,</p><p>Case reference: LSCP-2026-014</p><p>No trace on our systems.</p><blockquote>From: x<br>Sent: y</blockquote>")
	if f.Kind != KindScopingReturn || f.CaseRef != "LSCP-2026-014" {
		t.Errorf("HTML nil return = %s %q, want scoping_return LSCP-2026-014", f.Kind, f.CaseRef)
	}
}

func TestParseBodyPastedForm(t *testing.T) {
	body := "Initial scoping return\nCase reference: LSCP-2026-010\nChild's initials: AE\nAgency: Met Police\n" +
		"Is the child known to your agency? Yes\nAre any family members known to your agency? No\n" +
		"Summary of involvement:\nTwo call-outs in 2025.\nOne strategy meeting.\nRecords secured: Y\nDate completed: 13 Mar 2026\n" +
		"\n> old quoted text: Records secured: No\n"
	f := ParseBody(body, "")
	checkForm(t, f, KindScopingReturn, map[string]string{
		"case_ref": "LSCP-2026-010", "child_initials": "AE", "agency": "Met Police", "child_known": "yes", "family_known": "no",
		"involvement_summary": "Two call-outs in 2025.\nOne strategy meeting.", "records_secured": "yes", "date_completed": "2026-03-13",
	}, nil)
	if f.CaseRef != "LSCP-2026-010" {
		t.Errorf("CaseRef = %q", f.CaseRef)
	}
}
