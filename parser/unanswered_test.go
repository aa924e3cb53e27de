package parser

import (
	"slices"
	"testing"
)

func TestUnanswered(t *testing.T) {
	f, err := Parse("r.docx", makeDocx(t, p("REFERRAL OF A SERIOUS INCIDENT FORM")+tbl(
		cells("Name of Child", "Alice Example"),
		cells("Agency Referral Author:"),
		cells("Name", "Jo Bloggs"),
		cells("CONTACT DETAILS – Address, telephone number and e-mail address", "020 7946 0101"),
	)), Options{})
	if err != nil {
		t.Fatal(err)
	}
	got := f.Unanswered()
	for _, k := range []string{"date_of_referral", "child_dob", "referrer_agency", "dsl_email", "reason_for_referral"} {
		if !slices.Contains(got, k) {
			t.Errorf("Unanswered() = %q, want it to name %s", got, k)
		}
	}
	for _, k := range []string{"child_name", "referrer_name", "referrer_contact", "referrer_email"} {
		if slices.Contains(got, k) {
			t.Errorf("Unanswered() = %q, names %s, which was answered", got, k)
		}
	}
	if u := (&Form{Kind: KindUnknown}).Unanswered(); u != nil {
		t.Errorf("Unanswered() of an unknown form = %q, want none", u)
	}
	rr := &Form{Kind: KindRapidReviewReport, Fields: map[string]string{"recommendation": "b"}}
	if slices.Contains(rr.Unanswered(), "recommendation_other") {
		t.Errorf("Unanswered() = %q: names recommendation_other, which only the chosen 'Please state' option asks", rr.Unanswered())
	}
}
