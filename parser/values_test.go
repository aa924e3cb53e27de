package parser

import "testing"

func TestParseDate(t *testing.T) {
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"02/04/2019", "2019-04-02", true},
		{"2.4.19", "2019-04-02", true},
		{"2nd April 2019", "2019-04-02", true},
		{"2 Apr 2019", "2019-04-02", true},
		{"2019-04-02", "2019-04-02", true},
		{"2 April 2019 at 10:00", "2019-04-02", true},
		{"2021/03/27", "2021-03-27", true},
		{"Tuesday 20 January 2026", "2026-01-20", true},
		{"April 2, 2019", "2019-04-02", true},
		{"12/03/2024 09:00", "2024-03-12", true},
		{"31st Febuary 2020", "", false},
		{"unknown", "", false},
		{"13/13/2020", "", false},
		{"10.10.10", "2010-10-10", true},
		{"13-Mar-2026", "2026-03-13", true},
		{"13-MAR-26", "2026-03-13", true},
		{"3/Dec/2026 14:00", "2026-12-03", true},
		{"31-Feb-2026", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, ok := parseDate(tt.in)
			if got != tt.want || ok != tt.ok {
				t.Errorf("parseDate(%q) = %q, %v, want %q, %v", tt.in, got, ok, tt.want, tt.ok)
			}
		})
	}
}

func TestParseYesNo(t *testing.T) {
	tests := []struct {
		in, want     string
		answered, ok bool
	}{
		{"Yes", "yes", true, true},
		{"Y", "yes", true, true},
		{"yes - see notes", "yes", true, true},
		{"No.", "no", true, true},
		{"N/A", "", false, false},
		{"", "", false, false},
		{"Yes ☐ No ☒", "no", true, true},
		{"☒ Yes ☐ No", "yes", true, true},
		{"Yes ☑   No ☐", "yes", true, true},
		{"[X] Yes   [ ] No", "yes", true, true},
		{"Yes ✓", "yes", true, true},
		{"No ✔", "no", true, true},
		{"Yes X No", "yes", true, true},
		{"Yes ☐ No ☐", "", false, false},
		{"Yes No", "", false, false},
		{"Yes / No", "", false, false},
		{"Maybe", "", true, false},
		{"Not known", "", true, false},
		{"Never", "no", true, true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, answered, ok := parseYesNo(tt.in)
			if got != tt.want || answered != tt.answered || ok != tt.ok {
				t.Errorf("parseYesNo(%q) = %q, %v, %v, want %q, %v, %v", tt.in, got, answered, ok, tt.want, tt.answered, tt.ok)
			}
		})
	}
}

func TestIncidentKind(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Death – 12/03/2024", "death"},
		{"Serious incident: 3rd March 2024", "serious_harm"},
		{"Death ☐ Serious incident ☒ 12/03/2024", "serious_harm"},
		{"☒ Death ☐ Serious harm", "death"},
		{"12/03/2024", ""},
		{"14.1.26 (serious harm)", "serious_harm"},
	}
	for _, tt := range tests {
		if got := incidentKind(tt.in); got != tt.want {
			t.Errorf("incidentKind(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestNorm(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Child’s Date of Birth:", "childs date of birth"},
		{"E-mail address", "email address"},
		{"AGENCY & DESIGNATION/TITLE", "agency and designation title"},
		{"1.1 Child's Details", "childs details"},
		{"Authorised by: (if required)", "authorised by"},
		{"Reason for involvement ( inc. whether current or not)", "reason for involvement"},
		{"(If so, who is the key contact?", ""},
	}
	for _, tt := range tests {
		if got := norm(tt.in); got != tt.want {
			t.Errorf("norm(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestLabelMatchingPrefersSpecific(t *testing.T) {
	m := matcherFor(KindReferral)
	tests := []struct {
		label, section, want string
	}{
		{"Name of Child", "", "child_name"},
		{"Name", "", ""},
		{"Name", "referrer", "referrer_name"},
		{"Name", "dsl", "dsl_name"},
		{"DOB", "", "child_dob"},
		{"Child's date of birth", "", "child_dob"},
		{"Referrer's e-mail:", "", "referrer_email"},
		{"Is the child looked after?", "", "looked_after"},
	}
	for _, tt := range tests {
		fi := m.field(norm(tt.label), tt.section)
		got := ""
		if fi >= 0 {
			got = m.spec.Fields[fi].Key
		}
		if got != tt.want {
			t.Errorf("field(%q, %q) = %q, want %q", tt.label, tt.section, got, tt.want)
		}
	}
}

func TestSpecsAreConsistent(t *testing.T) {
	kinds := map[Kind]bool{}
	for _, s := range Specs() {
		if kinds[s.Kind] {
			t.Errorf("kind %s described twice", s.Kind)
		}
		kinds[s.Kind] = true
		keys := map[string]bool{}
		for _, f := range s.Fields {
			if keys[f.Key] {
				t.Errorf("%s: field %s twice", s.Kind, f.Key)
			}
			keys[f.Key] = true
			if f.Label == "" {
				t.Errorf("%s: field %s has no label", s.Kind, f.Key)
			}
			if (f.Type == Choice || f.Type == MultiChoice) != (len(f.Options) > 0) {
				t.Errorf("%s: field %s: options and type disagree", s.Kind, f.Key)
			}
		}
	}
	for _, k := range []Kind{KindReferral, KindScopingReturn, KindRapidReviewReport, KindChronology, KindAgencyReport} {
		if Spec(k) == nil {
			t.Errorf("Spec(%s) = nil", k)
		}
	}
	if Spec(KindUnknown) != nil {
		t.Error("Spec(unknown) != nil")
	}
}

func TestTimeBesideDate(t *testing.T) {
	for in, want := range map[string]string{
		"03/12/2026 14:30":                    "14:30",
		"05/03/2026 08:50":                    "08:50",
		"5th March 2026, 10:15":               "10:15",
		"3 Dec 2026, 2.30pm":                  "14:30",
		"3 Dec 2026 at 9am":                   "09:00",
		"3 Dec 2026 12:15 a.m.":               "00:15",
		"3 Dec 2026 12 noon 12pm":             "12:00",
		"2026-12-03T14:30":                    "14:30",
		"2026-12-03T14:30:00":                 "14:30",
		"2021/03/27 9.05":                     "09:05",
		"05.12.26 1430hrs":                    "14:30",
		"05.12.26 14:30hrs":                   "14:30",
		"Dec 3, 2026 – 18:05 (rang back 9pm)": "18:05",
		"03/12/2026":                          "",
		"03.12.26":                            "",
		"3rd Dec. 2026":                       "",
		"03/12/2026 (2 visits)":               "",
		"03/12/2026 – 04.12.2026":             "",
		"2026":                                "",
		"31st Febuary 2026 14:30":             "", // no date read, no time
		"14:30":                               "",
	} {
		if got := timeBesideDate(in); got != want {
			t.Errorf("timeBesideDate(%q) = %q, want %q", in, got, want)
		}
	}
}
