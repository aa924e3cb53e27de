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
//     (Days is ignored). A calendar month ends on the same day of the month; where that
//     month has no such day, on its last day (31 August + 6 months is 28 February, 29 in a
//     leap year), as English law counts months. Roll then moves a date that is not a
//     working day (see RollPreceding).
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
	// Roll says what happens to a Months rule's date when it is a weekend or bank holiday:
	// RollPreceding, RollFollowing or RollNone (the date stands).
	Roll string
	// KeptMonths (nspcc_submission only) is how long the published report stays on the
	// website: staff are told when that time is up, under the same rule with the agency
	// KeptAgency. 0: no reminder.
	KeptMonths int
}

// What a Months rule's date does when it falls on a day that is not a working day.
const (
	// RollPreceding: the last working day on or before it. A statutory "within six
	// months" is kept by acting on the working day before a Saturday, Sunday or bank
	// holiday, so staff are never given a date nobody works on (lcspr_publication).
	RollPreceding = "preceding"
	// RollFollowing: the first working day on or after it.
	RollFollowing = "following"
	// RollNone: the date stands (a reminder that something may stop, say).
	RollNone = "none"
)

// KeptAgency is the agency column of the nspcc_submission rule's second deadline: the end
// of the time the published report stays on the website (process.md stage 15: "on
// publication; for at least 12 months"). The submission itself has the agency "".
const KeptAgency = "kept on the website"

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
	case r.Roll != "" && r.Roll != RollPreceding && r.Roll != RollFollowing && r.Roll != RollNone:
		return fmt.Errorf("rule %s: roll: %q is not one of %s, %s, %s", r.Name, r.Roll, RollPreceding, RollFollowing, RollNone)
	case r.KeptMonths < 0:
		return fmt.Errorf("rule %s: kept_months: %d is negative", r.Name, r.KeptMonths)
	case r.KeptMonths > 0 && r.Name != "nspcc_submission":
		return fmt.Errorf("rule %s: kept_months belongs to nspcc_submission (how long the published report stays on the website)", r.Name)
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
// process, and only those names. lcspr_returns, learning_event and action_plan are due on
// dates people set (the Terms of Reference, the action plan): they count 0 days from
// AnchorSet. Every row of the Terms of Reference's timetable is a deadline under the rule
// of the step it belongs to (timetableRule, lcspr_tor.go). nspcc_submission also carries
// how long the published report stays on the website (KeptMonths, 12 from publication).
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
		{Name: "lcspr_publication", Label: "Review published", From: AnchorDecision, Months: 6, Roll: RollPreceding},
		{Name: "final_report", Label: "Final report sent to the National Panel, Ofsted and the Secretary of State",
			From: AnchorPublication, Days: 7, Before: true},
		{Name: "nspcc_submission", Label: "Published report sent to the NSPCC", From: AnchorPublication, KeptMonths: 12},
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
			due = c.roll(c.AddMonths(a, r.Months), r.Roll)
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

// roll moves due (a cut-off on a London date) to a working day as the rule says.
func (c *Calendar) roll(due time.Time, how string) time.Time {
	step := 0
	switch how {
	case RollPreceding:
		step = -1
	case RollFollowing:
		step = 1
	default:
		return due
	}
	d := c.date(due)
	if c.working(d) {
		return due
	}
	for !c.working(d) {
		d = d.addDays(step)
	}
	return c.at(d, c.cutoffH, c.cutoffM)
}

// KeptUntil is the end of the time the published report stays on the website, from the
// nspcc_submission rule's KeptMonths and the publication; ok is false with no such time.
// It is the date itself (the report must stay at least that long): the reminder goes on
// the first working day from it.
func (c *Calendar) KeptUntil(r Rule, published time.Time) (time.Time, bool) {
	if r.KeptMonths <= 0 || published.IsZero() {
		return time.Time{}, false
	}
	return c.AddMonths(published, r.KeptMonths), true
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
	// Roll: preceding | following | none, for a months rule's date on a day that is not
	// a working day.
	Roll *string `toml:"roll"`
	// KeptMonths (nspcc_submission): months the published report stays on the website
	// before staff are told it may come down; 0 for no reminder.
	KeptMonths *int `toml:"kept_months"`
}

// renamedRules are rule names an earlier csprbot used that are not process.md's; a
// configuration naming them is refused with what to write instead, not reinterpreted
// (a timescale silently read under another name would be worse than a clear stop, and
// `csprbot check` reports it on one line).
var renamedRules = map[string]string{
	"tor_timetable": "the Terms of Reference's timetable rows are now deadlines of the process step each belongs to " +
		"(lcspr_returns, learning_event, final_report, nspcc_submission, lcspr_publication; see process.md) and are due on the dates it sets: remove [rules.tor_timetable]",
	"publication_kept": "how long the published report stays on the website is now part of nspcc_submission: " +
		"write kept_months = N under [rules.nspcc_submission] instead of [rules.publication_kept] months = N",
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
		if why, gone := renamedRules[name]; gone && !ok {
			return nil, fmt.Errorf("rule %q is no longer a rule name: %s", name, why)
		}
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
		if rc.Roll != nil {
			r.Roll = strings.TrimSpace(*rc.Roll)
		}
		if rc.KeptMonths != nil {
			r.KeptMonths = *rc.KeptMonths
		}
		if err := r.Validate(); err != nil {
			return nil, err
		}
		out[i] = r
	}
	return out, nil
}
