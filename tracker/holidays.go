package tracker

import "time"

// bankHolidays are the England and Wales bank holidays the calendar ships with, as published
// by gov.uk for 2024–2027 and worked out from the standing rules for 2028–2030 (no one-off
// holiday had been announced for those years). One-off holidays (a coronation, a jubilee)
// are announced at short notice: add them here or through the configuration's
// calendar.extra_holidays. A year with any entry here is taken from this table alone; a
// year without one falls back to ruleHolidays.
var bankHolidays = []string{
	// 2024
	"2024-01-01", // New Year's Day
	"2024-03-29", // Good Friday
	"2024-04-01", // Easter Monday
	"2024-05-06", // Early May bank holiday
	"2024-05-27", // Spring bank holiday
	"2024-08-26", // Summer bank holiday
	"2024-12-25", // Christmas Day
	"2024-12-26", // Boxing Day
	// 2025
	"2025-01-01",
	"2025-04-18",
	"2025-04-21",
	"2025-05-05",
	"2025-05-26",
	"2025-08-25",
	"2025-12-25",
	"2025-12-26",
	// 2026
	"2026-01-01",
	"2026-04-03",
	"2026-04-06",
	"2026-05-04",
	"2026-05-25",
	"2026-08-31",
	"2026-12-25",
	"2026-12-28", // Boxing Day (substitute: 26 Dec is a Saturday)
	// 2027
	"2027-01-01",
	"2027-03-26",
	"2027-03-29",
	"2027-05-03",
	"2027-05-31",
	"2027-08-30",
	"2027-12-27", // Christmas Day (substitute: 25 Dec is a Saturday)
	"2027-12-28", // Boxing Day (substitute)
	// 2028
	"2028-01-03", // New Year's Day (substitute: 1 Jan is a Saturday)
	"2028-04-14",
	"2028-04-17",
	"2028-05-01",
	"2028-05-29",
	"2028-08-28",
	"2028-12-25",
	"2028-12-26",
	// 2029
	"2029-01-01",
	"2029-03-30",
	"2029-04-02",
	"2029-05-07",
	"2029-05-28",
	"2029-08-27",
	"2029-12-25",
	"2029-12-26",
	// 2030
	"2030-01-01",
	"2030-04-19",
	"2030-04-22",
	"2030-05-06",
	"2030-05-27",
	"2030-08-26",
	"2030-12-25",
	"2030-12-26",
}

// ruleHolidays works out a year's England and Wales bank holidays from the standing rules:
// New Year's Day, Good Friday, Easter Monday, the first Monday of May, the last Mondays of
// May and August, Christmas Day and Boxing Day, a holiday on a Saturday or Sunday moving to
// the next weekday not already a holiday. It knows no one-off holidays or moved dates (the
// 2020 and 2022 changes); the shipped table is the authority for the years it covers.
func ruleHolidays(year int) []civilDate {
	d := func(m time.Month, day int) civilDate { return civilDate{year, m, day} }
	var out []civilDate

	// New Year's Day, substituted to the Monday.
	ny := d(time.January, 1)
	for ny.weekday() == time.Saturday || ny.weekday() == time.Sunday {
		ny = ny.addDays(1)
	}
	out = append(out, ny)

	easter := easterSunday(year)
	out = append(out, easter.addDays(-2), easter.addDays(1))

	out = append(out, firstMonday(year, time.May), lastMonday(year, time.May), lastMonday(year, time.August))

	// Christmas Day and Boxing Day, each on a weekend moved to the next free weekday.
	taken := map[civilDate]bool{}
	for _, c := range []civilDate{d(time.December, 25), d(time.December, 26)} {
		for c.weekday() == time.Saturday || c.weekday() == time.Sunday || taken[c] {
			c = c.addDays(1)
		}
		taken[c] = true
		out = append(out, c)
	}
	return out
}

// easterSunday is Western (Gregorian) Easter Sunday: the anonymous Gregorian algorithm
// (Meeus/Jones/Butcher).
func easterSunday(year int) civilDate {
	a := year % 19
	b := year / 100
	c := year % 100
	d := b / 4
	e := b % 4
	f := (b + 8) / 25
	g := (b - f + 1) / 3
	h := (19*a + b - d - g + 15) % 30
	i := c / 4
	k := c % 4
	l := (32 + 2*e + 2*i - h - k) % 7
	m := (a + 11*h + 22*l) / 451
	month := (h + l - 7*m + 114) / 31
	day := (h+l-7*m+114)%31 + 1
	return civilDate{year, time.Month(month), day}
}

func firstMonday(year int, m time.Month) civilDate {
	c := civilDate{year, m, 1}
	for c.weekday() != time.Monday {
		c = c.addDays(1)
	}
	return c
}

func lastMonday(year int, m time.Month) civilDate {
	c := civilDate{year, m + 1, 1}.addDays(-1) // normalised by addDays
	for c.weekday() != time.Monday {
		c = c.addDays(-1)
	}
	return c
}
