package tracker

import (
	"fmt"
	"strings"
	"time"
	_ "time/tzdata" // Europe/London must not depend on the host's zoneinfo
)

// Calendar counts working days in England and Wales: Monday to Friday and not a bank
// holiday, by the date in Europe/London. A deadline of N working days ends at 17:00 London
// time on the Nth working day (process.md, "Stages and default timescales").
//
// Counting (process.md, "Counting"): day 0 is the London date on which a thing happened,
// whatever the time of day and whether or not that date is a working day; working day 1 is
// the next working day after it. A referral that arrives at 19:00 on a Friday has day 0 on
// that Friday and working day 1 on the Monday.
//
// Dates are held as civil dates (year, month, day) and only turned into instants at the
// end, with time.Date in Europe/London, so the clock changes in March and October never
// shift a count.
//
// A Calendar is immutable after NewCalendar and safe for concurrent use.
type Calendar struct {
	loc      *time.Location
	holidays map[civilDate]bool
	years    map[int]bool // years the shipped table or the configuration covers
	cutoffH  int
	cutoffM  int
}

// NewCalendar returns the England and Wales calendar: the shipped bank holidays (2024–2030)
// plus extraHolidays, each "YYYY-MM-DD" (the configuration's calendar.extra_holidays, for
// one-off holidays announced after this release). For a year the shipped table does not
// cover, the holidays are worked out from the standing rules (see ruleHolidays).
func NewCalendar(extraHolidays []string) (*Calendar, error) {
	loc, err := time.LoadLocation("Europe/London")
	if err != nil {
		return nil, fmt.Errorf("tracker: calendar: %w", err)
	}
	c := &Calendar{loc: loc, holidays: map[civilDate]bool{}, years: map[int]bool{}, cutoffH: 17}
	for _, s := range bankHolidays {
		d, err := parseCivilDate(s)
		if err != nil {
			return nil, fmt.Errorf("tracker: calendar: shipped holiday: %w", err)
		}
		c.holidays[d] = true
		c.years[d.y] = true
	}
	for i, s := range extraHolidays {
		d, err := parseCivilDate(strings.TrimSpace(s))
		if err != nil {
			return nil, fmt.Errorf("tracker: calendar: extra holiday %d: %w", i, err)
		}
		c.holidays[d] = true
	}
	return c, nil
}

// Location is Europe/London.
func (c *Calendar) Location() *time.Location { return c.loc }

// IsWorkingDay reports whether t's date in London is a Monday to Friday that is not a bank
// holiday.
func (c *Calendar) IsWorkingDay(t time.Time) bool { return c.working(c.date(t)) }

// IsBankHoliday reports whether t's date in London is a bank holiday (shipped or
// configured), whatever day of the week it is.
func (c *Calendar) IsBankHoliday(t time.Time) bool { return c.holiday(c.date(t)) }

// Day is the start of t's date in London: 00:00 Europe/London on that date, as a
// time.Time in the London location. Two instants are on the same day exactly when their
// Days are equal (compare with Equal).
func (c *Calendar) Day(t time.Time) time.Time { return c.at(c.date(t), 0, 0) }

// At is hh:mm London time on day's London date. It is correct across the clock changes:
// At(d, 17, 0) is 16:00 UTC in summer and 17:00 UTC in winter. A time that does not exist
// (01:30 on the last Sunday of March) is normalised as time.Date does.
func (c *Calendar) At(day time.Time, hh, mm int) time.Time { return c.at(c.date(day), hh, mm) }

// AddWorkingDays is the cut-off (17:00 London) on the nth working day after from's London
// date. Day 0 is from's date even when it is a weekend, a holiday or after 17:00, so n = 0
// gives 17:00 on from's own date, and n = 1 the cut-off on the next working day. A negative
// n counts back: -7 is the cut-off on the 7th working day before from's date (for "at least
// 7 working days before publication").
func (c *Calendar) AddWorkingDays(from time.Time, n int) time.Time {
	return c.at(c.addWorkingDays(c.date(from), n), c.cutoffH, c.cutoffM)
}

// WorkingDaysAfter is the working day t's London date falls on, counted from from's London
// date: 0 on the same date, 1 on the first working day after it, and so on; the inverse of
// AddWorkingDays for working days. A date that is not a working day counts as the working
// day before it (a Saturday after working day 3 is still 3). When t is before from the
// result is negative: -k on the kth working day before from's date (and on the non-working
// days after it).
func (c *Calendar) WorkingDaysAfter(from, t time.Time) int {
	d0, d := c.date(from), c.date(t)
	n := 0
	switch {
	case d0.before(d):
		for x := d0.addDays(1); !d.before(x); x = x.addDays(1) {
			if c.working(x) {
				n++
			}
		}
	case d.before(d0):
		// -k on the kth working day back; a non-working day takes the value of the
		// working day before it, as it does counting forward.
		for x := d; x.before(d0); x = x.addDays(1) {
			if c.working(x) {
				n--
			}
		}
		if !c.working(d) {
			n--
		}
	}
	return n
}

// NextWorkingDayAt is the first hh:mm London time on a working day strictly after t.
func (c *Calendar) NextWorkingDayAt(t time.Time, hh, mm int) time.Time {
	d := c.date(t)
	for i := 0; i < 3660; i++ {
		if c.working(d) {
			if x := c.at(d, hh, mm); x.After(t) {
				return x
			}
		}
		d = d.addDays(1)
	}
	panic("tracker: calendar: no working day within ten years") // unreachable: weekdays exist
}

// AddMonths is the cut-off (17:00 London) on the date n calendar months after from's London
// date, the day clamped to the month's length (31 August + 6 months is 28 or 29 February).
// It does not move to a working day.
func (c *Calendar) AddMonths(from time.Time, n int) time.Time {
	d := c.date(from)
	y, m := d.y, d.m+time.Month(n)
	last := civilDate{y, m + 1, 1}.addDays(-1) // normalises the month
	day := min(d.d, last.d)
	return c.at(civilDate{last.y, last.m, day}, c.cutoffH, c.cutoffM)
}

func (c *Calendar) addWorkingDays(d civilDate, n int) civilDate {
	step := 1
	if n < 0 {
		step, n = -1, -n
	}
	for n > 0 {
		d = d.addDays(step)
		if c.working(d) {
			n--
		}
	}
	return d
}

func (c *Calendar) working(d civilDate) bool {
	switch d.weekday() {
	case time.Saturday, time.Sunday:
		return false
	}
	return !c.holiday(d)
}

func (c *Calendar) holiday(d civilDate) bool {
	if c.holidays[d] {
		return true
	}
	if c.years[d.y] {
		return false
	}
	for _, h := range ruleHolidays(d.y) {
		if h == d {
			return true
		}
	}
	return false
}

func (c *Calendar) date(t time.Time) civilDate {
	y, m, d := t.In(c.loc).Date()
	return civilDate{y, m, d}
}

func (c *Calendar) at(d civilDate, hh, mm int) time.Time {
	return time.Date(d.y, d.m, d.d, hh, mm, 0, 0, c.loc)
}

// civilDate is a date without a time or a zone. Values are comparable and normalised
// (except transiently inside ruleHolidays, where addDays normalises them).
type civilDate struct {
	y int
	m time.Month
	d int
}

func parseCivilDate(s string) (civilDate, error) {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		return civilDate{}, fmt.Errorf("%q is not a YYYY-MM-DD date", s)
	}
	y, m, d := t.Date()
	return civilDate{y, m, d}, nil
}

func (d civilDate) utc() time.Time { return time.Date(d.y, d.m, d.d, 0, 0, 0, 0, time.UTC) }

func (d civilDate) addDays(n int) civilDate {
	y, m, dd := time.Date(d.y, d.m, d.d+n, 0, 0, 0, 0, time.UTC).Date()
	return civilDate{y, m, dd}
}

func (d civilDate) weekday() time.Weekday { return d.utc().Weekday() }

func (d civilDate) before(e civilDate) bool { return d.utc().Before(e.utc()) }

func (d civilDate) String() string { return fmt.Sprintf("%04d-%02d-%02d", d.y, d.m, d.d) }
