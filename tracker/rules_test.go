package tracker

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/BurntSushi/toml"
)

func TestDefaultRules(t *testing.T) {
	rules := DefaultRules()
	// process.md's rule column, in order: the names are a contract.
	wantNames := []string{"panel_notification", "ofsted_sos_notification", "scoping_sent", "scoping_return",
		"rr_meeting", "rr_papers", "rr_submission", "outcome_notice", "reviewer_notification", "lcspr_returns",
		"learning_event", "lcspr_publication", "final_report", "nspcc_submission", "action_plan"}
	var names []string
	for _, r := range rules {
		names = append(names, r.Name)
		if err := r.Validate(); err != nil {
			t.Errorf("default rule %s: Validate() = %v", r.Name, err)
		}
		if r.Label == "" {
			t.Errorf("default rule %s has no label", r.Name)
		}
	}
	if !slices.Equal(names, wantNames) {
		t.Errorf("DefaultRules names = %v, want %v", names, wantNames)
	}

	rs := NewRules(rules)
	tests := []struct {
		name string
		want Rule
	}{
		{"panel_notification", Rule{From: AnchorAware, Days: 5}},
		{"ofsted_sos_notification", Rule{From: AnchorAware, Days: 5}},
		{"scoping_sent", Rule{From: AnchorReferral, Days: 2}},
		{"scoping_return", Rule{From: AnchorScoping, Days: 6}},
		{"rr_meeting", Rule{From: AnchorReferral, MinDays: 7, Days: 13}},
		{"rr_papers", Rule{From: AnchorMeeting, Before: true}},
		{"rr_submission", Rule{From: AnchorMeeting, Days: 2, AlsoFrom: AnchorAware, AlsoDays: 15}},
		{"outcome_notice", Rule{From: AnchorMeeting, Days: 2, AlsoFrom: AnchorAware, AlsoDays: 15}},
		{"lcspr_publication", Rule{From: AnchorDecision, Months: 6, Roll: RollPreceding}},
		{"final_report", Rule{From: AnchorPublication, Days: 7, Before: true}},
		{"nspcc_submission", Rule{From: AnchorPublication, KeptMonths: 12}},
	}
	for _, tt := range tests {
		got, ok := rs.Get(tt.name)
		if !ok {
			t.Errorf("Get(%q) not found", tt.name)
			continue
		}
		got.Name, got.Label = "", ""
		if got != tt.want {
			t.Errorf("Get(%q) = %+v, want %+v", tt.name, got, tt.want)
		}
	}
	if _, ok := rs.Get("no_such_rule"); ok {
		t.Errorf("Get(no_such_rule) found a rule")
	}
	// DefaultRules returns a fresh slice each time.
	rules[0].Days = 99
	if DefaultRules()[0].Days == 99 {
		t.Errorf("DefaultRules shares its slice between calls")
	}
}

func TestDue(t *testing.T) {
	c := mustCal(t)
	rs := NewRules(DefaultRules())
	type A = map[Anchor]time.Time
	at := func(s string) time.Time { return utc(t, s) }
	referral := at("2026-12-22T10:00Z") // Tuesday
	tests := []struct {
		name     string
		rule     string
		anchors  A
		wantFrom string // "" for no window
		wantDue  string
		wantOK   bool
	}{
		// Worked example: WD1 = Wed 23, WD2 = Thu 24 Dec.
		{"scoping_sent", "scoping_sent", A{AnchorReferral: referral, AnchorAware: referral}, "", "2026-12-24T17:00Z", true},
		// Sent Thu 24 Dec → WD6 = Wed 6 Jan 2027 (see TestAddWorkingDays).
		{"scoping_return", "scoping_return", A{AnchorScoping: at("2026-12-24T15:00Z")}, "", "2027-01-06T17:00Z", true},
		// Aware Tue 22 Dec: 23, 24, 29, 30, 31 → Thu 31 Dec.
		{"panel_notification", "panel_notification", A{AnchorReferral: referral, AnchorAware: referral}, "", "2026-12-31T17:00Z", true},
		{"panel_notification aware recorded", "panel_notification", A{AnchorReferral: referral, AnchorAware: at("2026-12-18T10:00Z")},
			"", "2026-12-29T17:00Z", true}, // Fri 18: 21, 22, 23, 24, 29
		{"ofsted without aware", "ofsted_sos_notification", A{AnchorReferral: referral}, "", "", false},
		{"zero anchor is missing", "scoping_sent", A{AnchorReferral: {}}, "", "", false},

		// rr_meeting window: from Tue 22 Dec, WD7 = Tue 5 Jan (23, 24, 29, 30, 31, 4, 5);
		// WD13 = Wed 13 Jan (6, 7, 8, 11, 12, 13).
		{"rr_meeting winter", "rr_meeting", A{AnchorReferral: referral}, "2027-01-05T00:00Z", "2027-01-13T17:00Z", true},
		// From Mon 1 Jun 2026: WD7 = Wed 10 Jun, WD13 = Thu 18 Jun; in summer time.
		{"rr_meeting summer", "rr_meeting", A{AnchorReferral: at("2026-06-01T08:00Z")}, "2026-06-09T23:00Z", "2026-06-18T16:00Z", true},
		// Over Easter 2026 from Wed 25 Mar: 26, 27, 30, 31, 1, 2, 7 (WD7, Tue), 8, 9, 10, 13,
		// 14, 15 (WD13, Wed); the clocks change on the way.
		{"rr_meeting Easter", "rr_meeting", A{AnchorReferral: at("2026-03-25T12:00Z")}, "2026-04-06T23:00Z", "2026-04-15T16:00Z", true},

		// rr_submission: meeting Tue 12 Jan → +2 = Thu 14 Jan; aware Tue 22 Dec → +15 = Fri
		// 15 Jan (WD13 Wed 13, 14 Thu, 15 Fri). The meeting limit is earlier.
		{"rr_submission meeting wins", "rr_submission", A{AnchorMeeting: at("2027-01-12T14:00Z"), AnchorAware: referral},
			"", "2027-01-14T17:00Z", true},
		// aware Mon 21 Dec → +15 = Thu 14 Jan; meeting Wed 13 Jan → +2 = Fri 15 Jan. Aware wins.
		{"rr_submission aware wins", "rr_submission", A{AnchorMeeting: at("2027-01-13T14:00Z"), AnchorAware: at("2026-12-21T09:00Z")},
			"", "2027-01-14T17:00Z", true},
		{"rr_submission before the meeting is set", "rr_submission", A{AnchorReferral: referral, AnchorAware: referral},
			"", "2027-01-15T17:00Z", true},
		{"rr_submission meeting only", "rr_submission", A{AnchorMeeting: at("2027-01-12T14:00Z")}, "", "2027-01-14T17:00Z", true},
		{"rr_submission nothing", "rr_submission", A{AnchorReferral: referral}, "", "", false},

		{"rr_papers at the meeting", "rr_papers", A{AnchorMeeting: at("2027-01-12T14:00Z")}, "", "2027-01-12T14:00Z", true},

		// lcspr_publication: 6 calendar months, to the same day of the month; a date that is
		// not a working day moves back to the last working day before it (a statutory
		// "within six months" is kept on a day people work).
		{"lcspr_publication", "lcspr_publication", A{AnchorDecision: at("2026-03-15T10:00Z")}, "", "2026-09-15T16:00Z", true},
		// 31 Aug 2026 + 6 months: February has no 31st, so its last day, Sun 28 Feb 2027;
		// back to Fri 26 Feb.
		{"lcspr_publication month end", "lcspr_publication", A{AnchorDecision: at("2026-08-31T10:00Z")}, "", "2027-02-26T17:00Z", true},
		// 31 Aug 2027 + 6 months: Tue 29 Feb 2028 (a leap year), a working day.
		{"lcspr_publication month end leap year", "lcspr_publication", A{AnchorDecision: at("2027-08-31T10:00Z")}, "", "2028-02-29T17:00Z", true},
		// 3 Nov 2026 + 6 months: Mon 3 May 2027, the early May bank holiday; back to Fri 30 Apr.
		{"lcspr_publication bank holiday", "lcspr_publication", A{AnchorDecision: at("2026-11-03T10:00Z")}, "", "2027-04-30T16:00Z", true},
		// 25 Jun 2027 + 6 months: Sat 25 Dec 2027; Mon 27 and Tue 28 are bank holidays
		// too; back to Fri 24 Dec.
		{"lcspr_publication Christmas", "lcspr_publication", A{AnchorDecision: at("2027-06-25T10:00Z")}, "", "2027-12-24T17:00Z", true},
		// Decided 00:30 BST on Sat 1 May 2027 (30 Apr in UTC): the London date counts, so
		// Mon 1 Nov 2027, after the clocks went back: 17:00 GMT.
		{"lcspr_publication London date across the clock change", "lcspr_publication", A{AnchorDecision: at("2027-04-30T23:30Z")}, "", "2027-11-01T17:00Z", true},
		// Decided 23:30 BST on Fri 30 Apr 2027: Sat 30 Oct 2027, back to Fri 29 Oct, 17:00 BST.
		{"lcspr_publication Saturday in summer time", "lcspr_publication", A{AnchorDecision: at("2027-04-30T22:30Z")}, "", "2027-10-29T16:00Z", true},
		{"lcspr_publication no decision", "lcspr_publication", A{AnchorReferral: referral}, "", "", false},

		// final_report: 7 WD before Fri 10 Apr 2026 = Mon 30 Mar (Easter in between).
		{"final_report", "final_report", A{AnchorPublication: at("2026-04-10T09:00Z")}, "", "2026-03-30T16:00Z", true},
		// 7 WD before Tue 12 Jan 2027: 11, 8, 7, 6, 5, 4, (1 hol), 31 Dec.
		{"final_report New Year", "final_report", A{AnchorPublication: at("2027-01-12T09:00Z")}, "", "2026-12-31T17:00Z", true},
		{"nspcc_submission on publication", "nspcc_submission", A{AnchorPublication: at("2026-04-10T09:00Z")}, "", "2026-04-10T16:00Z", true},
		{"learning_event set date", "learning_event", A{AnchorSet: at("2026-11-03T10:00Z")}, "", "2026-11-03T17:00Z", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, ok := rs.Get(tt.rule)
			if !ok {
				t.Fatalf("no rule %s", tt.rule)
			}
			from, due, ok := c.Due(r, tt.anchors)
			if ok != tt.wantOK {
				t.Fatalf("Due(%s) ok = %v, want %v", tt.rule, ok, tt.wantOK)
			}
			if !ok {
				if !from.IsZero() || !due.IsZero() {
					t.Errorf("Due(%s) = %v, %v with ok=false, want zero times", tt.rule, from, due)
				}
				return
			}
			if got := fmtUTC(due); got != tt.wantDue {
				t.Errorf("Due(%s) due = %s, want %s", tt.rule, got, tt.wantDue)
			}
			gotFrom := ""
			if !from.IsZero() {
				gotFrom = fmtUTC(from)
			}
			if gotFrom != tt.wantFrom {
				t.Errorf("Due(%s) from = %q, want %q", tt.rule, gotFrom, tt.wantFrom)
			}
		})
	}
}

// A window whose other limit closes it before it opens has no start.
func TestDueWindowClosedByAlso(t *testing.T) {
	c := mustCal(t)
	r := Rule{Name: "w", From: AnchorReferral, MinDays: 7, Days: 13, AlsoFrom: AnchorAware, AlsoDays: 2}
	ref := utc(t, "2026-12-22T10:00Z")
	from, due, ok := c.Due(r, map[Anchor]time.Time{AnchorReferral: ref, AnchorAware: ref})
	if !ok || !from.IsZero() || fmtUTC(due) != "2026-12-24T17:00Z" {
		t.Errorf("Due = %v, %s, %v; want zero, 2026-12-24T17:00Z, true", from, fmtUTC(due), ok)
	}
}

func ptr[T any](v T) *T { return &v }

func TestApplyRuleConfig(t *testing.T) {
	base := DefaultRules()
	tests := []struct {
		name    string
		cfg     map[string]RuleConfig
		check   func(t *testing.T, rs Rules)
		wantErr string // substring; "" for no error
	}{
		{"nil config", nil, func(t *testing.T, rs Rules) {
			if len(rs) != len(base) {
				t.Errorf("got %d rules, want %d", len(rs), len(base))
			}
		}, ""},
		{"days", map[string]RuleConfig{"scoping_return": {Days: ptr(5)}}, func(t *testing.T, rs Rules) {
			if r := rs["scoping_return"]; r.Days != 5 || r.From != AnchorScoping {
				t.Errorf("scoping_return = %+v, want 5 days from scoping_sent", r)
			}
			if r := rs["scoping_sent"]; r.Days != 2 {
				t.Errorf("scoping_sent days = %d, want untouched 2", r.Days)
			}
		}, ""},
		{"15 WD from the panel notification", map[string]RuleConfig{"rr_submission": {AlsoFrom: ptr("referral"), AlsoDays: ptr(20)}},
			func(t *testing.T, rs Rules) {
				if r := rs["rr_submission"]; r.AlsoFrom != AnchorReferral || r.AlsoDays != 20 || r.Days != 2 || r.From != AnchorMeeting {
					t.Errorf("rr_submission = %+v", r)
				}
			}, ""},
		{"drop the second limit", map[string]RuleConfig{"rr_submission": {AlsoFrom: ptr("")}}, func(t *testing.T, rs Rules) {
			if r := rs["rr_submission"]; r.AlsoFrom != "" || r.AlsoDays != 0 {
				t.Errorf("rr_submission = %+v, want no also", r)
			}
		}, ""},
		{"window", map[string]RuleConfig{"rr_meeting": {MinDays: ptr(5), Days: ptr(10)}}, func(t *testing.T, rs Rules) {
			if r := rs["rr_meeting"]; r.MinDays != 5 || r.Days != 10 {
				t.Errorf("rr_meeting = %+v", r)
			}
		}, ""},
		{"months", map[string]RuleConfig{"lcspr_publication": {Months: ptr(9)}}, func(t *testing.T, rs Rules) {
			if r := rs["lcspr_publication"]; r.Months != 9 {
				t.Errorf("lcspr_publication = %+v", r)
			}
		}, ""},
		{"days replace months", map[string]RuleConfig{"lcspr_publication": {Days: ptr(120)}}, func(t *testing.T, rs Rules) {
			if r := rs["lcspr_publication"]; r.Months != 0 || r.Days != 120 {
				t.Errorf("lcspr_publication = %+v, want 120 working days", r)
			}
		}, ""},
		{"from and label", map[string]RuleConfig{"panel_notification": {From: ptr(" referral "), Label: ptr("Panel told")}},
			func(t *testing.T, rs Rules) {
				if r := rs["panel_notification"]; r.From != AnchorReferral || r.Label != "Panel told" {
					t.Errorf("panel_notification = %+v", r)
				}
			}, ""},
		{"before", map[string]RuleConfig{"rr_papers": {Before: ptr(true), Days: ptr(1)}}, func(t *testing.T, rs Rules) {
			if r := rs["rr_papers"]; !r.Before || r.Days != 1 {
				t.Errorf("rr_papers = %+v", r)
			}
		}, ""},
		{"unknown rule", map[string]RuleConfig{"scoping_retrun": {Days: ptr(5)}}, nil, `"scoping_retrun"`},
		{"unknown anchor", map[string]RuleConfig{"scoping_sent": {From: ptr("notification")}}, nil, `"notification"`},
		{"unknown also anchor", map[string]RuleConfig{"rr_submission": {AlsoFrom: ptr("panel")}}, nil, `"panel"`},
		{"negative days", map[string]RuleConfig{"scoping_sent": {Days: ptr(-1)}}, nil, "scoping_sent"},
		{"window inverted", map[string]RuleConfig{"rr_meeting": {MinDays: ptr(14)}}, nil, "rr_meeting"},
		{"also_days without also_from", map[string]RuleConfig{"scoping_sent": {AlsoDays: ptr(3)}}, nil, "also_from"},
		{"kept months", map[string]RuleConfig{"nspcc_submission": {KeptMonths: ptr(18)}}, func(t *testing.T, rs Rules) {
			if r := rs["nspcc_submission"]; r.KeptMonths != 18 || r.From != AnchorPublication {
				t.Errorf("nspcc_submission = %+v, want kept 18 months", r)
			}
		}, ""},
		{"no website reminder", map[string]RuleConfig{"nspcc_submission": {KeptMonths: ptr(0)}}, func(t *testing.T, rs Rules) {
			if r := rs["nspcc_submission"]; r.KeptMonths != 0 {
				t.Errorf("nspcc_submission = %+v, want no kept time", r)
			}
		}, ""},
		{"roll none", map[string]RuleConfig{"lcspr_publication": {Roll: ptr("none")}}, func(t *testing.T, rs Rules) {
			if r := rs["lcspr_publication"]; r.Roll != RollNone {
				t.Errorf("lcspr_publication = %+v, want roll none", r)
			}
		}, ""},
		{"months keep the roll", map[string]RuleConfig{"lcspr_publication": {Months: ptr(6)}}, func(t *testing.T, rs Rules) {
			if r := rs["lcspr_publication"]; r.Roll != RollPreceding {
				t.Errorf("lcspr_publication = %+v, want roll preceding kept", r)
			}
		}, ""},
		{"unknown roll", map[string]RuleConfig{"lcspr_publication": {Roll: ptr("back")}}, nil, `"back"`},
		{"kept months elsewhere", map[string]RuleConfig{"final_report": {KeptMonths: ptr(12)}}, nil, "nspcc_submission"},
		// The names an earlier csprbot invented are refused, saying what to write instead.
		{"old publication_kept", map[string]RuleConfig{"publication_kept": {Months: ptr(12)}}, nil, "kept_months = N under [rules.nspcc_submission]"},
		{"old tor_timetable", map[string]RuleConfig{"tor_timetable": {Label: ptr("ToR step")}}, nil, "remove [rules.tor_timetable]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ApplyRuleConfig(base, tt.cfg)
			if tt.wantErr != "" {
				if err == nil {
					t.Fatalf("ApplyRuleConfig = nil error, want one containing %s", tt.wantErr)
				}
				if !strings.Contains(err.Error(), tt.wantErr) {
					t.Errorf("ApplyRuleConfig error %q does not contain %s", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("ApplyRuleConfig: %v", err)
			}
			tt.check(t, NewRules(got))
		})
	}
	if !slices.Equal(base, DefaultRules()) {
		t.Errorf("ApplyRuleConfig changed its input")
	}
}

// The configuration's [rules.NAME] tables decode into RuleConfig and change what Due gives.
func TestRuleConfigTOML(t *testing.T) {
	const doc = `
[rules.scoping_return]
days = 5
from = "scoping_sent"

[rules.rr_meeting]
min_days = 7
days = 13
from = "referral"

[rules.rr_submission]
days = 2
from = "meeting"
also_from = "aware"
also_days = 15
`
	var cfg struct {
		Rules map[string]RuleConfig `toml:"rules"`
	}
	md, err := toml.Decode(doc, &cfg)
	if err != nil {
		t.Fatalf("toml.Decode: %v", err)
	}
	if u := md.Undecoded(); len(u) > 0 {
		t.Errorf("undecoded keys: %v", u)
	}
	rules, err := ApplyRuleConfig(DefaultRules(), cfg.Rules)
	if err != nil {
		t.Fatalf("ApplyRuleConfig: %v", err)
	}
	rs := NewRules(rules)
	if r := rs["rr_meeting"]; r.MinDays != 7 || r.Days != 13 || r.From != AnchorReferral {
		t.Errorf("rr_meeting = %+v", r)
	}
	c := mustCal(t)
	// Sent Thu 24 Dec 2026, 5 WD: 29, 30, 31, 4, 5 → Tue 5 Jan 2027.
	_, due, ok := c.Due(rs["scoping_return"], map[Anchor]time.Time{AnchorScoping: utc(t, "2026-12-24T15:00Z")})
	if !ok || fmtUTC(due) != "2027-01-05T17:00Z" {
		t.Errorf("Due(scoping_return, 5 days) = %s, %v, want 2027-01-05T17:00Z", fmtUTC(due), ok)
	}
}
