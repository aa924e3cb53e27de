package tracker

import (
	"fmt"
	"sort"
	"strings"
	"time"
)

// Anchor is what a deadline rule counts from. The values are the names the configuration
// uses (rules.NAME.from).
type Anchor string

const (
	AnchorReferral    Anchor = "referral"           // the referral's arrival
	AnchorAware       Anchor = "aware"              // the authority became aware of the incident (the referral's arrival until someone records it)
	AnchorScoping     Anchor = "scoping_sent"       // a scoping request was sent (per agency)
	AnchorMeeting     Anchor = "meeting"            // the rapid review meeting
	AnchorDecision    Anchor = "decision"           // the decision to undertake a local review (LCSPR)
	AnchorPublication Anchor = "publication"        // the review's publication date
	AnchorAppointed   Anchor = "reviewer_appointed" // the lead reviewer was appointed
	AnchorSet         Anchor = "set_date"           // a date people set (Terms of Reference, action plan): due on that date
)

// Anchors lists every anchor, in the order of the process.
func Anchors() []Anchor {
	return []Anchor{AnchorReferral, AnchorAware, AnchorScoping, AnchorMeeting, AnchorDecision,
		AnchorPublication, AnchorAppointed, AnchorSet}
}

func validAnchor(a Anchor) bool {
	for _, x := range Anchors() {
		if a == x {
			return true
		}
	}
	return false
}

// Rule is one deadline of process.md's table. Its Name is the contract with `csprbot cases
// --json` and the configuration.
//
// How Calendar.Due reads it:
//   - Months > 0: due at 17:00 London on the date Months calendar months after From's date
//     (Days is ignored).
//   - Before: due at 17:00 London on the Days-th working day before From's date; with
//     Days = 0, due at From itself (rr_papers: before the meeting starts).
//   - otherwise: due at 17:00 London on the Days-th working day after From's date.
//   - MinDays > 0 makes a window: the thing is to happen no earlier than the start (00:00
//     London) of working day MinDays and no later than the due time (rr_meeting: WD 7–13).
//   - AlsoFrom: the deadline is also AlsoDays working days after AlsoFrom; the earlier of
//     the two wins (rr_submission: meeting + 2 WD and aware + 15 WD).
type Rule struct {
	Name     string // panel_notification, scoping_sent, rr_meeting, ...
	Label    string // human label for emails and listings: "National Panel notified"
	From     Anchor
	Days     int  // working days (ignored when Months > 0)
	Months   int  // calendar months (lcspr_publication: 6)
	Before   bool // count Days working days back from From (final_report)
	MinDays  int  // window start in working days; 0 if no window
	AlsoFrom Anchor
	AlsoDays int
}

// Validate checks a rule's fields make sense together.
func (r Rule) Validate() error {
	switch {
	case r.Name == "":
		return fmt.Errorf("rule without a name")
	case !validAnchor(r.From):
		return fmt.Errorf("rule %s: from: unknown anchor %q (want one of %s)", r.Name, r.From, anchorList())
	case r.AlsoFrom != "" && !validAnchor(r.AlsoFrom):
		return fmt.Errorf("rule %s: also_from: unknown anchor %q (want one of %s)", r.Name, r.AlsoFrom, anchorList())
	case r.Days < 0:
		return fmt.Errorf("rule %s: days: %d is negative", r.Name, r.Days)
	case r.Months < 0:
		return fmt.Errorf("rule %s: months: %d is negative", r.Name, r.Months)
	case r.MinDays < 0:
		return fmt.Errorf("rule %s: min_days: %d is negative", r.Name, r.MinDays)
	case r.AlsoDays < 0:
		return fmt.Errorf("rule %s: also_days: %d is negative", r.Name, r.AlsoDays)
	case r.AlsoDays > 0 && r.AlsoFrom == "":
		return fmt.Errorf("rule %s: also_days without also_from", r.Name)
	case r.MinDays > 0 && r.Months > 0:
		return fmt.Errorf("rule %s: min_days: a window needs days, not months", r.Name)
	case r.MinDays > 0 && r.Before:
		return fmt.Errorf("rule %s: min_days: a window cannot count before its anchor", r.Name)
	case r.MinDays > r.Days && r.Months == 0:
		return fmt.Errorf("rule %s: min_days %d is after days %d", r.Name, r.MinDays, r.Days)
	}
	return nil
}

func anchorList() string {
	var s []string
	for _, a := range Anchors() {
		s = append(s, string(a))
	}
	return strings.Join(s, ", ")
}

// DefaultRules are process.md's rules with their default timescales, in the order of the
// process. lcspr_returns, learning_event, tor_timetable (the Terms of Reference's other
// timetable rows) and action_plan are due on dates people set (the Terms of Reference, the
// action plan): they count 0 days from AnchorSet. publication_kept is how long the
// published report stays on the website (12 months from publication).
func DefaultRules() []Rule {
	return []Rule{
		{Name: "panel_notification", Label: "National Panel notified", From: AnchorAware, Days: 5},
		{Name: "ofsted_sos_notification", Label: "Secretary of State and Ofsted notified", From: AnchorAware, Days: 5},
		{Name: "scoping_sent", Label: "Scoping requests sent", From: AnchorReferral, Days: 2},
		{Name: "scoping_return", Label: "Scoping form returned", From: AnchorScoping, Days: 6},
		{Name: "rr_meeting", Label: "Rapid Review meeting held", From: AnchorReferral, MinDays: 7, Days: 13},
		{Name: "rr_papers", Label: "Rapid Review papers circulated", From: AnchorMeeting, Before: true},
		{Name: "rr_submission", Label: "Rapid Review report sent to the National Panel", From: AnchorMeeting, Days: 2,
			AlsoFrom: AnchorAware, AlsoDays: 15},
		{Name: "outcome_notice", Label: "Agencies told the outcome", From: AnchorMeeting, Days: 2,
			AlsoFrom: AnchorAware, AlsoDays: 15},
		{Name: "reviewer_notification", Label: "Lead reviewer named to the National Panel, Ofsted and DfE", From: AnchorAppointed},
		{Name: "lcspr_returns", Label: "Chronologies and agency reports returned", From: AnchorSet},
		{Name: "learning_event", Label: "Practitioner learning event", From: AnchorSet},
		{Name: "tor_timetable", Label: "Terms of Reference timetable step", From: AnchorSet},
		{Name: "lcspr_publication", Label: "Review published", From: AnchorDecision, Months: 6},
		{Name: "final_report", Label: "Final report sent to the National Panel, Ofsted and the Secretary of State",
			From: AnchorPublication, Days: 7, Before: true},
		{Name: "nspcc_submission", Label: "Published report sent to the NSPCC", From: AnchorPublication},
		{Name: "publication_kept", Label: "Published report kept on the website", From: AnchorPublication, Months: 12},
		{Name: "action_plan", Label: "Action evidenced", From: AnchorSet},
	}
}

// Rules is a rule set by name.
type Rules map[string]Rule

// NewRules indexes rules by name; a later rule of the same name replaces an earlier one.
func NewRules(rules []Rule) Rules {
	m := make(Rules, len(rules))
	for _, r := range rules {
		m[r.Name] = r
	}
	return m
}

// Get returns the rule called name.
func (rs Rules) Get(name string) (Rule, bool) {
	r, ok := rs[name]
	return r, ok
}

// Due is when rule r falls due, given the times of the anchors known so far (a zero time
// counts as missing). ok is false when the anchors the rule needs are missing: its From,
// or for a rule with AlsoFrom both From and AlsoFrom (with only one of them known, the
// deadline is the one that one gives, and tightens when the other is recorded).
//
// from is the start of the rule's window, 00:00 London at the start of working day
// MinDays (rr_meeting: the meeting may be held any time from 00:00 on WD 7 to 17:00 on
// WD 13); for a rule without a window it is the zero time. due is 17:00 London on the last
// day allowed, except for a Before rule of 0 days, which is due at the anchor itself.
func (c *Calendar) Due(r Rule, anchors map[Anchor]time.Time) (from, due time.Time, ok bool) {
	a, haveA := anchors[r.From]
	haveA = haveA && !a.IsZero()
	var b time.Time
	haveB := false
	if r.AlsoFrom != "" {
		b, haveB = anchors[r.AlsoFrom]
		haveB = haveB && !b.IsZero()
	}
	if !haveA && !haveB {
		return time.Time{}, time.Time{}, false
	}
	if haveA {
		switch {
		case r.Months > 0:
			due = c.AddMonths(a, r.Months)
		case r.Before && r.Days == 0:
			due = a
		case r.Before:
			due = c.AddWorkingDays(a, -r.Days)
		default:
			due = c.AddWorkingDays(a, r.Days)
		}
		if r.MinDays > 0 && !r.Before && r.Months == 0 {
			from = c.at(c.addWorkingDays(c.date(a), r.MinDays), 0, 0)
		}
	}
	if haveB {
		if also := c.AddWorkingDays(b, r.AlsoDays); !haveA || also.Before(due) {
			due = also
		}
	}
	if !from.IsZero() && due.Before(from) {
		from = time.Time{} // the other limit closed the window before it opened
	}
	return from, due, true
}

// RuleConfig overrides one rule's defaults in the configuration ([rules.NAME] in TOML).
// A nil field keeps the default; also_from = "" removes the second limit.
type RuleConfig struct {
	Days     *int    `toml:"days"`
	From     *string `toml:"from"`
	MinDays  *int    `toml:"min_days"`
	AlsoFrom *string `toml:"also_from"`
	AlsoDays *int    `toml:"also_days"`
	Months   *int    `toml:"months"`
	Before   *bool   `toml:"before"`
	Label    *string `toml:"label"`
}

// ApplyRuleConfig returns a copy of rules with cfg's overrides applied. A rule name or an
// anchor it does not know, or a combination that makes no sense, is an error naming it.
// Setting days on a months rule switches it to working days (months = 0) unless months is
// set too.
func ApplyRuleConfig(rules []Rule, cfg map[string]RuleConfig) ([]Rule, error) {
	out := append([]Rule(nil), rules...)
	idx := map[string]int{}
	for i, r := range out {
		idx[r.Name] = i
	}
	names := make([]string, 0, len(cfg))
	for name := range cfg {
		names = append(names, name)
	}
	sort.Strings(names) // report the same error every time
	for _, name := range names {
		i, ok := idx[name]
		if !ok {
			known := make([]string, 0, len(out))
			for _, r := range out {
				known = append(known, r.Name)
			}
			return nil, fmt.Errorf("unknown rule %q (want one of %s)", name, strings.Join(known, ", "))
		}
		rc, r := cfg[name], out[i]
		if rc.From != nil {
			r.From = Anchor(strings.TrimSpace(*rc.From))
		}
		if rc.AlsoFrom != nil {
			r.AlsoFrom = Anchor(strings.TrimSpace(*rc.AlsoFrom))
			if r.AlsoFrom == "" {
				r.AlsoDays = 0
			}
		}
		if rc.AlsoDays != nil {
			r.AlsoDays = *rc.AlsoDays
		}
		if rc.Days != nil {
			r.Days = *rc.Days
			if rc.Months == nil {
				r.Months = 0
			}
		}
		if rc.Months != nil {
			r.Months = *rc.Months
		}
		if rc.MinDays != nil {
			r.MinDays = *rc.MinDays
		}
		if rc.Before != nil {
			r.Before = *rc.Before
		}
		if rc.Label != nil {
			r.Label = *rc.Label
		}
		if err := r.Validate(); err != nil {
			return nil, err
		}
		out[i] = r
	}
	return out, nil
}
