package tracker

import (
	"slices"
	"strings"
	"testing"
	"time"
)

// Europe/London clock changes in 2026: summer time from 01:00 UTC on Sunday 29 March to
// 01:00 UTC on Sunday 25 October. 17:00 London is 16:00Z in summer and 17:00Z in winter.

func mustCal(t *testing.T, extra ...string) *Calendar {
	t.Helper()
	c, err := NewCalendar(extra)
	if err != nil {
		t.Fatalf("NewCalendar(%q): %v", extra, err)
	}
	return c
}

// utc parses "2006-01-02T15:04Z" (or a bare date, meaning 12:00Z).
func utc(t *testing.T, s string) time.Time {
	t.Helper()
	if len(s) == len("2006-01-02") {
		s += "T12:00Z"
	}
	x, err := time.Parse("2006-01-02T15:04Z07:00", s)
	if err != nil {
		t.Fatalf("bad test time %q: %v", s, err)
	}
	return x
}

func fmtUTC(x time.Time) string { return x.UTC().Format("2006-01-02T15:04Z") }

func TestLocation(t *testing.T) {
	c := mustCal(t)
	if got := c.Location().String(); got != "Europe/London" {
		t.Errorf("Location() = %q, want Europe/London", got)
	}
}

// The published England and Wales lists (gov.uk) and process.md's lists.
var publishedHolidays = map[int][]string{
	2024: {"2024-01-01", "2024-03-29", "2024-04-01", "2024-05-06", "2024-05-27", "2024-08-26", "2024-12-25", "2024-12-26"},
	2025: {"2025-01-01", "2025-04-18", "2025-04-21", "2025-05-05", "2025-05-26", "2025-08-25", "2025-12-25", "2025-12-26"},
	2026: {"2026-01-01", "2026-04-03", "2026-04-06", "2026-05-04", "2026-05-25", "2026-08-31", "2026-12-25", "2026-12-28"},
	2027: {"2027-01-01", "2027-03-26", "2027-03-29", "2027-05-03", "2027-05-31", "2027-08-30", "2027-12-27", "2027-12-28"},
}

func shippedYear(year int) []string {
	var out []string
	for _, s := range bankHolidays {
		if strings.HasPrefix(s, time.Date(year, 1, 1, 0, 0, 0, 0, time.UTC).Format("2006-")) {
			out = append(out, s)
		}
	}
	return out
}

func TestShippedHolidaysMatchPublished(t *testing.T) {
	for year, want := range publishedHolidays {
		if got := shippedYear(year); !slices.Equal(got, want) {
			t.Errorf("shipped %d = %v, want %v", year, got, want)
		}
	}
}

// The shipped table agrees with the standing rules for every year it covers (no one-off
// holiday was known for 2024–2030 at release); if one is added, list it here.
func TestShippedHolidaysMatchRules(t *testing.T) {
	for year := 2024; year <= 2030; year++ {
		var rule []string
		for _, d := range ruleHolidays(year) {
			rule = append(rule, d.String())
		}
		slices.Sort(rule)
		got := shippedYear(year)
		if !slices.Equal(got, rule) {
			t.Errorf("shipped %d = %v, rules give %v", year, got, rule)
		}
		if len(got) != 8 {
			t.Errorf("shipped %d has %d holidays, want 8", year, len(got))
		}
		for _, s := range got {
			d, err := parseCivilDate(s)
			if err != nil {
				t.Fatal(err)
			}
			if wd := d.weekday(); wd == time.Saturday || wd == time.Sunday {
				t.Errorf("shipped holiday %s is a %s", s, wd)
			}
		}
	}
}

func TestEasterSunday(t *testing.T) {
	for year, want := range map[int]string{
		2011: "2011-04-24", 2019: "2019-04-21", 2024: "2024-03-31", 2025: "2025-04-20",
		2026: "2026-04-05", 2027: "2027-03-28", 2028: "2028-04-16", 2029: "2029-04-01",
		2030: "2030-04-21", 2031: "2031-04-13", 2038: "2038-04-25",
	} {
		if got := easterSunday(year).String(); got != want {
			t.Errorf("easterSunday(%d) = %s, want %s", year, got, want)
		}
	}
}

func TestRuleHolidaysSubstitutes(t *testing.T) {
	tests := []struct {
		year int
		want []string // the New Year and Christmas holidays
	}{
		{2022, []string{"2022-01-03", "2022-12-26", "2022-12-27"}}, // 1 Jan Sat; 25 Dec Sun → Boxing Mon, Christmas Tue
		{2027, []string{"2027-01-01", "2027-12-27", "2027-12-28"}}, // 25 Sat, 26 Sun
		{2026, []string{"2026-01-01", "2026-12-25", "2026-12-28"}}, // 26 Sat → Mon 28
		{2033, []string{"2033-01-03", "2033-12-26", "2033-12-27"}}, // 1 Jan Sat; 25 Dec Sun
		{2034, []string{"2034-01-02", "2034-12-25", "2034-12-26"}}, // 1 Jan Sun
	}
	for _, tt := range tests {
		var got []string
		for _, d := range ruleHolidays(tt.year) {
			if d.m == time.January || d.m == time.December {
				got = append(got, d.String())
			}
		}
		slices.Sort(got)
		if !slices.Equal(got, tt.want) {
			t.Errorf("ruleHolidays(%d) New Year/Christmas = %v, want %v", tt.year, got, tt.want)
		}
	}
}

func TestIsWorkingDay(t *testing.T) {
	c := mustCal(t)
	tests := []struct {
		at   string
		want bool
		why  string
	}{
		{"2026-04-02", true, "Thursday before Easter"},
		{"2026-04-03", false, "Good Friday"},
		{"2026-04-04", false, "Saturday"},
		{"2026-04-05", false, "Easter Sunday"},
		{"2026-04-06", false, "Easter Monday"},
		{"2026-04-07", true, "Tuesday after Easter"},
		{"2026-12-24", true, "Christmas Eve, Thursday"},
		{"2026-12-25", false, "Christmas Day"},
		{"2026-12-28", false, "Boxing Day substitute"},
		{"2026-12-29", true, "Tuesday"},
		{"2027-01-01", false, "New Year's Day"},
		{"2027-01-04", true, "Monday"},
		{"2026-05-04", false, "early May"},
		{"2026-08-31", false, "summer"},
		{"2026-03-27T23:30Z", true, "Friday 23:30 GMT is still Friday"},
		{"2026-06-05T23:30Z", false, "Friday 23:30Z is Saturday 00:30 BST"},
		{"2026-06-07T23:30Z", true, "Sunday 23:30Z is Monday 00:30 BST"},
		{"2026-06-15", true, "an ordinary Monday"},
		{"2031-01-01", false, "beyond the table: New Year by the rules"},
		{"2031-04-14", false, "beyond the table: Easter Monday by the rules"},
		{"2031-04-15", true, "beyond the table: Tuesday"},
		{"2023-05-08", true, "2023 coronation is before the table and not a rule holiday"},
	}
	for _, tt := range tests {
		t.Run(tt.at, func(t *testing.T) {
			if got := c.IsWorkingDay(utc(t, tt.at)); got != tt.want {
				t.Errorf("IsWorkingDay(%s) = %v, want %v (%s)", tt.at, got, tt.want, tt.why)
			}
		})
	}
}

func TestExtraHoliday(t *testing.T) {
	plain := mustCal(t)
	extra := mustCal(t, "2026-06-15", " 2031-06-02 ")
	fri := utc(t, "2026-06-12T10:00Z")
	if !plain.IsWorkingDay(utc(t, "2026-06-15")) {
		t.Errorf("plain calendar: 2026-06-15 should be a working day")
	}
	if extra.IsWorkingDay(utc(t, "2026-06-15")) || !extra.IsBankHoliday(utc(t, "2026-06-15")) {
		t.Errorf("configured holiday 2026-06-15 is a working day")
	}
	if extra.IsWorkingDay(utc(t, "2031-06-02")) {
		t.Errorf("configured holiday 2031-06-02 (beyond the table) is a working day")
	}
	if got, want := fmtUTC(plain.AddWorkingDays(fri, 1)), "2026-06-15T16:00Z"; got != want {
		t.Errorf("plain AddWorkingDays(Fri, 1) = %s, want %s", got, want)
	}
	if got, want := fmtUTC(extra.AddWorkingDays(fri, 1)), "2026-06-16T16:00Z"; got != want {
		t.Errorf("extra AddWorkingDays(Fri, 1) = %s, want %s", got, want)
	}
	// The extra holiday does not stop the rules applying in a year beyond the table.
	if extra.IsWorkingDay(utc(t, "2031-04-14")) {
		t.Errorf("Easter Monday 2031 is a working day once an extra 2031 holiday is configured")
	}
}

func TestNewCalendarBadHoliday(t *testing.T) {
	for _, bad := range []string{"2026-13-01", "15/06/2026", "2026-6-15", ""} {
		if _, err := NewCalendar([]string{"2026-06-15", bad}); err == nil {
			t.Errorf("NewCalendar(%q) = nil error, want an error", bad)
		} else if bad != "" && !strings.Contains(err.Error(), bad) {
			t.Errorf("NewCalendar(%q) error %q does not name the value", bad, err)
		}
	}
}

func TestAddWorkingDays(t *testing.T) {
	c := mustCal(t)
	tests := []struct {
		name string
		from string
		n    int
		want string // UTC
	}{
		// The brief's worked example: referral Tue 22 Dec 2026, scoping due WD2.
		{"scoping_sent Christmas", "2026-12-22T10:00Z", 2, "2026-12-24T17:00Z"},
		// Sent Thu 24 Dec: 25 Fri hol, 26–27 weekend, 28 Mon hol, 29 WD1, 30 WD2, 31 WD3,
		// 1 Jan hol, 2–3 weekend, 4 WD4, 5 WD5, 6 WD6.
		{"scoping_return Christmas", "2026-12-24T15:00Z", 6, "2027-01-06T17:00Z"},
		{"Christmas WD1", "2026-12-23T09:00Z", 1, "2026-12-24T17:00Z"},
		{"Christmas WD2", "2026-12-23T09:00Z", 2, "2026-12-29T17:00Z"},
		{"New Year", "2026-12-31T09:00Z", 1, "2027-01-04T17:00Z"},
		{"from Christmas Day", "2026-12-25T09:00Z", 1, "2026-12-29T17:00Z"},

		// Cut-off: day 0 is the London date whatever the time (Fri 27 Mar 2026, GMT);
		// WD1 is Mon 30 Mar, in summer time.
		{"Fri 16:59", "2026-03-27T16:59Z", 1, "2026-03-30T16:00Z"},
		{"Fri 17:01", "2026-03-27T17:01Z", 1, "2026-03-30T16:00Z"},
		{"Fri 19:00", "2026-03-27T19:00Z", 1, "2026-03-30T16:00Z"},
		{"Fri 19:00 n=0", "2026-03-27T19:00Z", 0, "2026-03-27T17:00Z"},
		{"Fri 16:59 n=0", "2026-03-27T16:59Z", 0, "2026-03-27T17:00Z"},
		{"Fri 23:59 n=2", "2026-03-27T23:59Z", 2, "2026-03-31T16:00Z"},

		// Spring clock change (Sun 29 Mar 2026).
		{"spring WD1 winter", "2026-03-26T10:00Z", 1, "2026-03-27T17:00Z"},
		{"spring WD2 summer", "2026-03-26T10:00Z", 2, "2026-03-30T16:00Z"},
		{"from the change day", "2026-03-29T00:30Z", 0, "2026-03-29T16:00Z"},
		// Autumn clock change (Sun 25 Oct 2026).
		{"autumn n=0 summer", "2026-10-23T10:00Z", 0, "2026-10-23T16:00Z"},
		{"autumn WD1 winter", "2026-10-23T10:00Z", 1, "2026-10-26T17:00Z"},
		{"autumn from Sat night", "2026-10-24T23:30Z", 1, "2026-10-26T17:00Z"},

		// Easter 2026: Good Friday 3 Apr, Easter Monday 6 Apr.
		{"Easter WD1", "2026-04-02T09:00Z", 1, "2026-04-07T16:00Z"},
		{"Easter WD2", "2026-04-02T09:00Z", 2, "2026-04-08T16:00Z"},
		{"from Good Friday", "2026-04-03T09:00Z", 1, "2026-04-07T16:00Z"},
		{"from Saturday n=0", "2026-04-04T09:00Z", 0, "2026-04-04T16:00Z"},

		// The London date, not the UTC date: 23:30Z Thu 4 June is 00:30 BST Fri 5 June.
		{"London date not UTC date", "2026-06-04T23:30Z", 1, "2026-06-08T16:00Z"},
		{"UTC evening same London date", "2026-06-04T22:30Z", 1, "2026-06-05T16:00Z"},

		{"four weeks", "2026-01-02T09:00Z", 20, "2026-01-30T17:00Z"},
		{"weekend", "2026-06-12T09:00Z", 5, "2026-06-19T16:00Z"},

		// Counting back (final_report): Fri 10 Apr 2026 back 7: 9, 8, 7, (6 hol, 5, 4, 3 hol),
		// 2, 1, 31 Mar, 30 Mar.
		{"back 7 over Easter", "2026-04-10T09:00Z", -7, "2026-03-30T16:00Z"},
		{"back 1 from Monday", "2026-06-15T09:00Z", -1, "2026-06-12T16:00Z"},
		{"back 1 from Sunday", "2026-06-14T09:00Z", -1, "2026-06-12T16:00Z"},
		{"back 1 from Tue 29 Dec", "2026-12-29T09:00Z", -1, "2026-12-24T17:00Z"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := c.AddWorkingDays(utc(t, tt.from), tt.n)
			if fmtUTC(got) != tt.want {
				t.Errorf("AddWorkingDays(%s, %d) = %s, want %s", tt.from, tt.n, fmtUTC(got), tt.want)
			}
			if got.Location() != c.Location() {
				t.Errorf("AddWorkingDays result in %v, want Europe/London", got.Location())
			}
			if tt.n != 0 && !c.IsWorkingDay(got) {
				t.Errorf("AddWorkingDays(%s, %d) = %s, not a working day", tt.from, tt.n, fmtUTC(got))
			}
		})
	}
}

func TestWorkingDaysAfter(t *testing.T) {
	c := mustCal(t)
	tests := []struct {
		from, at string
		want     int
	}{
		{"2026-12-22T10:00Z", "2026-12-22T23:00Z", 0},
		{"2026-12-22T10:00Z", "2026-12-22T00:00Z", 0},
		{"2026-12-22T10:00Z", "2026-12-23T08:00Z", 1},
		{"2026-12-22T10:00Z", "2026-12-24T18:00Z", 2}, // after the cut-off, still WD2
		{"2026-12-22T10:00Z", "2026-12-25T10:00Z", 2}, // holiday counts as the working day before
		{"2026-12-22T10:00Z", "2026-12-28T10:00Z", 2},
		{"2026-12-22T10:00Z", "2026-12-29T10:00Z", 3},
		{"2026-12-22T10:00Z", "2027-01-01T10:00Z", 5},
		{"2026-12-22T10:00Z", "2027-01-06T10:00Z", 8},
		{"2026-12-22T10:00Z", "2027-01-13T10:00Z", 13},
		{"2026-12-22T10:00Z", "2027-01-14T10:00Z", 14},
		{"2026-03-27T19:00Z", "2026-03-30T08:00Z", 1}, // Fri evening referral, Monday is WD1
		{"2026-03-27T19:00Z", "2026-03-28T10:00Z", 0}, // Saturday: still day 0
		{"2026-06-04T23:30Z", "2026-06-05T10:00Z", 0}, // same London date
		{"2026-06-04T22:30Z", "2026-06-05T10:00Z", 1},
		{"2026-04-10T09:00Z", "2026-04-09T09:00Z", -1},
		{"2026-04-10T09:00Z", "2026-04-06T09:00Z", -4}, // Easter Monday counts as Thu 2 Apr
		{"2026-04-10T09:00Z", "2026-04-02T09:00Z", -4},
		{"2026-04-10T09:00Z", "2026-03-30T09:00Z", -7},
		{"2026-06-15T09:00Z", "2026-06-13T09:00Z", -1}, // Saturday counts as Friday
		{"2026-06-14T09:00Z", "2026-06-12T09:00Z", -1}, // from a Sunday back to Friday
	}
	for _, tt := range tests {
		if got := c.WorkingDaysAfter(utc(t, tt.from), utc(t, tt.at)); got != tt.want {
			t.Errorf("WorkingDaysAfter(%s, %s) = %d, want %d", tt.from, tt.at, got, tt.want)
		}
	}
}

// WorkingDaysAfter undoes AddWorkingDays, both ways, from working and non-working days,
// across holidays and the clock changes.
func TestWorkingDaysAfterInverse(t *testing.T) {
	c := mustCal(t)
	for _, from := range []string{"2026-12-22T10:00Z", "2026-12-26T10:00Z", "2026-03-27T19:00Z",
		"2026-04-03T09:00Z", "2026-10-24T23:30Z", "2027-01-01T00:00Z", "2031-04-13T12:00Z"} {
		f := utc(t, from)
		for n := -40; n <= 40; n++ {
			got := c.AddWorkingDays(f, n)
			if back := c.WorkingDaysAfter(f, got); back != n {
				t.Errorf("WorkingDaysAfter(%s, AddWorkingDays(%s, %d) = %s) = %d, want %d", from, from, n, fmtUTC(got), back, n)
			}
		}
	}
}

func TestAtAndDay(t *testing.T) {
	c := mustCal(t)
	tests := []struct {
		day    string
		hh, mm int
		want   string
	}{
		{"2026-03-28T12:00Z", 17, 0, "2026-03-28T17:00Z"},
		{"2026-03-29T12:00Z", 17, 0, "2026-03-29T16:00Z"}, // change day, afternoon is summer time
		{"2026-03-29T00:30Z", 0, 0, "2026-03-29T00:00Z"},  // midnight before the change is GMT
		{"2026-10-24T12:00Z", 17, 0, "2026-10-24T16:00Z"},
		{"2026-10-25T12:00Z", 17, 0, "2026-10-25T17:00Z"},
		{"2026-10-25T12:00Z", 0, 0, "2026-10-24T23:00Z"},  // midnight is still BST
		{"2026-06-04T23:30Z", 9, 30, "2026-06-05T08:30Z"}, // London date is 5 June
		{"2026-12-22T10:00Z", 9, 0, "2026-12-22T09:00Z"},
	}
	for _, tt := range tests {
		if got := fmtUTC(c.At(utc(t, tt.day), tt.hh, tt.mm)); got != tt.want {
			t.Errorf("At(%s, %02d:%02d) = %s, want %s", tt.day, tt.hh, tt.mm, got, tt.want)
		}
	}
	for _, tt := range []struct{ at, want string }{
		{"2026-10-25T12:00Z", "2026-10-24T23:00Z"},
		{"2026-06-04T23:30Z", "2026-06-04T23:00Z"},
		{"2026-06-04T22:59Z", "2026-06-03T23:00Z"},
		{"2026-12-22T23:59Z", "2026-12-22T00:00Z"},
	} {
		if got := fmtUTC(c.Day(utc(t, tt.at))); got != tt.want {
			t.Errorf("Day(%s) = %s, want %s", tt.at, got, tt.want)
		}
	}
	a, b := utc(t, "2026-06-05T00:10Z"), utc(t, "2026-06-05T22:50Z") // both 5 June in London
	if !c.Day(a).Equal(c.Day(b)) {
		t.Errorf("Day(%s) != Day(%s), want the same London day", fmtUTC(a), fmtUTC(b))
	}
}

func TestNextWorkingDayAt(t *testing.T) {
	c := mustCal(t)
	tests := []struct {
		at     string
		hh, mm int
		want   string
	}{
		{"2026-04-02T07:59Z", 9, 0, "2026-04-02T08:00Z"},  // Thu before 09:00 BST
		{"2026-04-02T08:00Z", 9, 0, "2026-04-07T08:00Z"},  // exactly 09:00: strictly after → Tue after Easter
		{"2026-04-02T12:00Z", 9, 0, "2026-04-07T08:00Z"},  //
		{"2026-12-26T10:00Z", 9, 0, "2026-12-29T09:00Z"},  // Saturday over Christmas
		{"2026-12-31T09:30Z", 9, 0, "2027-01-04T09:00Z"},  // New Year
		{"2026-10-23T09:00Z", 9, 0, "2026-10-26T09:00Z"},  // Fri 10:00 BST → Mon 09:00 GMT
		{"2026-03-27T10:00Z", 17, 0, "2026-03-27T17:00Z"}, // later the same day
		{"2026-03-27T17:00Z", 17, 0, "2026-03-30T16:00Z"}, // → Mon, summer time
		{"2026-06-04T23:30Z", 9, 0, "2026-06-05T08:00Z"},  // 00:30 BST Fri → 09:00 that Fri
		{"2026-06-12T22:00Z", 0, 30, "2026-06-14T23:30Z"}, // Fri 23:00 BST → Mon 00:30 BST
	}
	for _, tt := range tests {
		got := c.NextWorkingDayAt(utc(t, tt.at), tt.hh, tt.mm)
		if fmtUTC(got) != tt.want {
			t.Errorf("NextWorkingDayAt(%s, %02d:%02d) = %s, want %s", tt.at, tt.hh, tt.mm, fmtUTC(got), tt.want)
		}
	}
}

func TestAddMonths(t *testing.T) {
	c := mustCal(t)
	tests := []struct {
		from string
		n    int
		want string
	}{
		{"2026-03-15T10:00Z", 6, "2026-09-15T16:00Z"},
		{"2026-08-31T10:00Z", 6, "2027-02-28T17:00Z"}, // clamped
		{"2027-08-31T10:00Z", 6, "2028-02-29T17:00Z"}, // leap year
		{"2026-12-31T10:00Z", 6, "2027-06-30T16:00Z"},
		{"2026-07-15T23:30Z", 6, "2027-01-16T17:00Z"}, // London date is 16 July
		{"2026-05-10T10:00Z", 12, "2027-05-10T16:00Z"},
	}
	for _, tt := range tests {
		if got := fmtUTC(c.AddMonths(utc(t, tt.from), tt.n)); got != tt.want {
			t.Errorf("AddMonths(%s, %d) = %s, want %s", tt.from, tt.n, got, tt.want)
		}
	}
}
