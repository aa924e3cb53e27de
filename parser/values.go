package parser

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Value normalisation: dates, yes/no, ticks, emails, placeholders.

var months = map[string]time.Month{
	"jan": 1, "january": 1, "feb": 2, "february": 2, "febuary": 2, "mar": 3, "march": 3,
	"apr": 4, "april": 4, "may": 5, "jun": 6, "june": 6, "jul": 7, "july": 7,
	"aug": 8, "august": 8, "sep": 9, "sept": 9, "september": 9, "oct": 10, "october": 10,
	"nov": 11, "november": 11, "dec": 12, "december": 12,
}

const monthRE = `(jan(?:uary)?|feb(?:ruary|uary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)`

var (
	reNumDate  = lazyRegexp(`(?:^|[^\d])(\d{1,4})\s?[/.\-]\s?(\d{1,2})\s?[/.\-]\s?(\d{2,4})(?:[^\d]|$)`)
	reDayMonth = lazyRegexp(`(?i)(?:^|[^\w])(\d{1,2})(?:st|nd|rd|th)?(?:\s*|[\-/])(?:of\s+)?` + monthRE + `\.?,?(?:\s*|[\-/])(\d{4}|\d{2})(?:[^\d]|$)`)
	reMonthDay = lazyRegexp(`(?i)(?:^|[^\w])` + monthRE + `\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})(?:[^\d]|$)`)
	reEmail    = lazyRegexp(`(?i)[a-z0-9._%+'\-]+@[a-z0-9\-]+(?:\.[a-z0-9\-]+)+`)
	reCaseRef  = lazyRegexp(`(?i)\bLSCP\s?[-‐‑–/]\s?(\d{4})\s?[-‐‑–/]\s?(\d{3})\b`)
)

func year(s string) int {
	y, _ := strconv.Atoi(s)
	if len(s) == 2 {
		// 26 is 2026 and 68 a grandparent's 1968: forms are written this century
		// about people born in the last one.
		if y < 50 {
			return 2000 + y
		}
		return 1900 + y
	}
	return y
}

func mkDate(y int, m time.Month, d int) (string, bool) {
	if y < 1900 || y > 2199 || m < 1 || m > 12 || d < 1 || d > 31 {
		return "", false
	}
	t := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	if t.Day() != d || t.Month() != m {
		return "", false
	}
	return t.Format("2006-01-02"), true
}

// findDate finds the first date written in s, day first for numeric dates unless
// the year comes first (2021/03/27). It returns the date as YYYY-MM-DD and the
// position just past it.
func findDate(s string) (string, int, int, bool) {
	best, bs, be := "", -1, -1
	numeric, named := mayHoldDate(s)
	if !numeric && !named {
		return best, bs, be, false
	}
	consider := func(v string, ok bool, start, end int) {
		if ok && (bs < 0 || start < bs) {
			best, bs, be = v, start, end
		}
	}
	for _, m := range reNumDate().FindAllStringSubmatchIndex(s, 4) {
		if !numeric {
			break
		}
		a, b, c := s[m[2]:m[3]], s[m[4]:m[5]], s[m[6]:m[7]]
		bi, _ := strconv.Atoi(b)
		if len(a) == 4 {
			ci, _ := strconv.Atoi(c)
			if len(c) > 2 {
				continue
			}
			v, ok := mkDate(year(a), time.Month(bi), ci)
			consider(v, ok, m[2], m[7])
		} else if len(a) <= 2 && (len(c) == 4 || len(c) == 2) {
			ai, _ := strconv.Atoi(a)
			v, ok := mkDate(year(c), time.Month(bi), ai)
			consider(v, ok, m[2], m[7])
		}
		if bs >= 0 {
			break
		}
	}
	if !named {
		return best, bs, be, bs >= 0
	}
	if m := reDayMonth().FindStringSubmatchIndex(s); m != nil {
		d, _ := strconv.Atoi(s[m[2]:m[3]])
		v, ok := mkDate(year(s[m[6]:m[7]]), months[strings.ToLower(s[m[4]:m[5]])], d)
		consider(v, ok, m[2], m[7])
	}
	if m := reMonthDay().FindStringSubmatchIndex(s); m != nil {
		d, _ := strconv.Atoi(s[m[4]:m[5]])
		v, ok := mkDate(year(s[m[6]:m[7]]), months[strings.ToLower(s[m[2]:m[3]])], d)
		consider(v, ok, m[2], m[7])
	}
	return best, bs, be, bs >= 0
}

// parseDate reads a value that should be a date.
func parseDate(s string) (string, bool) {
	v, _, _, ok := findDate(s)
	return v, ok
}

// Tick marks. A ticked box is any of these; an empty one is ☐ or □.
func isTicked(tok string) bool {
	switch tok {
	case "☒", "☑", "✓", "✔", "✗", "✘", "■", "x", "X", "[x]", "[X]", "(x)", "(X)", "☐̸", "🗹", "🗷", "⊠", "[✓]", "[✔]":
		return true
	}
	return false
}

func isUnticked(tok string) bool {
	switch tok {
	case "☐", "□", "[]", "[ ]", "()", "( )", "❑", "❒", "o":
		return true
	}
	return false
}

// hasMarks says whether s holds any tick-box glyph (not counting a bare X).
func hasBoxGlyph(s string) bool {
	return strings.ContainsAny(s, "☒☑✓✔✗✘☐□⊠🗹🗷■") || strings.Contains(s, "[x]") || strings.Contains(s, "[X]") || strings.Contains(s, "[ ]")
}

var typedBoxes = strings.NewReplacer("[ ]", " ☐ ", "[]", " ☐ ", "[x]", " ☒ ", "[X]", " ☒ ", "( )", " ☐ ", "(x)", " ☒ ", "(X)", " ☒ ")

// tokens splits text into words and marks: "Yes☒No☐" gives Yes ☒ No ☐; "[ ]" stays one.
// Each token is a piece of s (of s with its typed boxes made glyphs): words are runs
// of whole runes, so no token is copied.
func markTokens(s string) []string { return markTokensTo(nil, s) }

// markTokensTo is markTokens appending to out: a caller's array on its stack
// spares the allocation.
func markTokensTo(out []string, s string) []string {
	// Typed boxes become glyphs: "[ ]" and "( )" must survive as empty boxes, or
	// "[ ] Yes [X] No" reads as "Yes [X]" (ticked yes).
	if strings.IndexByte(s, '[') >= 0 || strings.IndexByte(s, '(') >= 0 {
		s = typedBoxes.Replace(s)
	}
	start := -1 // where the word being read began
	flush := func(end int) {
		if start >= 0 {
			if w := strings.Trim(s[start:end], "/'"); w != "" {
				out = append(out, s[start:end])
			}
			start = -1
		}
	}
	for i, r := range s {
		switch {
		case isMarkGlyph(r):
			flush(i)
			out = append(out, s[i:i+utf8.RuneLen(r)])
		case unicode.IsLetter(r) || unicode.IsDigit(r) || r == '/' || r == '\'':
			if start < 0 {
				start = i
			}
		default:
			flush(i)
		}
	}
	flush(len(s))
	return out
}

// pickMarked finds which of the options (each a set of lower-case words) is ticked in
// text such as "Yes ☐ No ☒" or "☒ Yes ☐ No". It returns the option's index, or -1
// with decided=false when the text has no marks next to options, or -1 with
// decided=true when marks are there but none (or more than one option) is ticked.
func pickMarked(text string, options [][]string) (idx int, decided bool) {
	var buf [16]string
	toks := markTokensTo(buf[:0], text)
	type pos struct{ opt, at int }
	var optsBuf [8]pos
	opts := optsBuf[:0]
	// mark is what token i is: 2 a tick (a bare x only counts as a tick next to
	// an option), 1 an empty box, 0 neither
	mark := func(i int) int {
		t := toks[i]
		if isTicked(t) && (t != "x" && t != "X" || len(toks) > 1) {
			return 2
		}
		if isUnticked(t) && t != "o" {
			return 1
		}
		return 0
	}
	firstMark := len(toks)
	for i, t := range toks {
		if mark(i) != 0 {
			if firstMark == len(toks) {
				firstMark = i
			}
			continue
		}
		for oi, words := range options {
			for _, w := range words {
				if lowerIs(t, w) {
					opts = append(opts, pos{oi, i})
				}
			}
		}
	}
	if firstMark == len(toks) || len(opts) == 0 {
		return -1, false
	}
	// Marks before their options or after? Look at which comes first.
	firstOpt := opts[0].at
	before := firstMark < firstOpt
	chosen := -1
	n := 0
	for _, o := range opts {
		var j int
		if before {
			j = o.at - 1
		} else {
			j = o.at + 1
		}
		if j >= 0 && j < len(toks) && mark(j) == 2 {
			if chosen != o.opt {
				n++
			}
			chosen = o.opt
		}
	}
	if n != 1 {
		return -1, true
	}
	return chosen, true
}

var yesNoOptions = [][]string{{"yes", "y"}, {"no", "n"}}

// parseYesNo reads a yes/no answer. answered=false means nothing usable (blank,
// N/A, both boxes empty); ok=false with answered=true means unreadable text.
func parseYesNo(s string) (v string, answered, ok bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", false, false
	}
	if i, decided := pickMarked(s, yesNoOptions); decided {
		switch i {
		case 0:
			return "yes", true, true
		case 1:
			return "no", true, true
		}
		return "", false, false
	}
	var buf [16]string
	toks := markTokensTo(buf[:0], s)
	if len(toks) == 0 {
		return "", false, false
	}
	first := strings.ToLower(toks[0])
	if len(toks) >= 2 {
		second := strings.ToLower(toks[1])
		if (first == "yes" && second == "no") || (first == "no" && second == "yes") {
			return "", false, false // the printed choices, neither struck out
		}
	}
	switch first {
	case "yes", "y", "yeah", "yep", "true", "correct", "confirmed":
		return "yes", true, true
	case "no", "n", "none", "nope", "false", "never", "nil":
		return "no", true, true
	case "n/a", "na":
		return "", false, false
	}
	if isTicked(toks[0]) && len(toks) == 1 {
		return "yes", true, true
	}
	if len(toks) == 1 && isUnticked(toks[0]) {
		return "", false, false
	}
	l := strings.ToLower(s)
	if strings.HasPrefix(l, "not applicable") || strings.HasPrefix(l, "n/a") {
		return "", false, false
	}
	return "", true, false
}

// proseKnown reads "known / not known" written as prose, for the questions that
// ask whether an agency knows or is involved with someone: "Not known to this
// service", "Known – the mother is a tenant", "No involvement", "We have had
// contact since 2024". (For other questions "not known" means "don't know".)
func proseKnown(s string) (string, bool) {
	l := strings.ToLower(strings.TrimSpace(s))
	switch {
	case reProseNo().MatchString(l) || isNilReturn(s):
		return "no", true
	case reProseYes().MatchString(l) || reKnown().MatchString(s):
		return "yes", true
	}
	return "", false
}

// knownKeys are the yes/no questions proseKnown may answer.
var knownKeys = map[string]bool{"child_known": true, "family_known": true, "open_now": true}

var (
	reProseNo  = lazyRegexp(`^(not\s+known|unknown|not\s+open|not\s+involved|not\s+currently|no\s+(known\s+|previous\s+|current\s+)?(involvement|contact|records?|trace))\b`)
	reProseYes = lazyRegexp(`^(known|open|involved|currently\s+(open|involved)|secured|(all\s+)?records\s+(have\s+been\s+)?secured)\b`)
)

// placeholder reports whether a value is the form's prompt rather than an answer.
func placeholder(s string) bool {
	t := strings.TrimSpace(s)
	if t == "" || onlyRule(t) {
		return true
	}
	// every prompt begins with one of c e t i x d [ (İ, non-ASCII, lower-cases to i)
	if c := t[0]; c < utf8.RuneSelf && c != '[' {
		switch c | 0x20 {
		case 'c', 'e', 't', 'i', 'x', 'd':
		default:
			return false
		}
	}
	l := lowerPrefix(t, placeholderLen)
	for _, p := range []string{
		"click or tap here to enter text", "click here to enter text", "click or tap to enter a date",
		"click here to enter a date", "choose an item", "enter text here", "type here",
		"[insert", "insert text", "[enter", "xx/xx/xxxx", "dd/mm/yyyy", "dd/mm/yy",
	} {
		if strings.HasPrefix(l, p) {
			return true
		}
	}
	return false
}

// onlyRule reports whether s is only underlines, dots and dashes (a blank to fill).
func onlyRule(s string) bool {
	for _, r := range s {
		switch r {
		case '_', '.', '-', '–', '…', ' ', '\t':
		default:
			return false
		}
	}
	return true
}

// cleanValue trims a value and drops placeholder lines and trailing underlines.
func cleanValue(s string) string {
	s = strings.ReplaceAll(s, "\r", "")
	if !strings.Contains(s, "\n") {
		s = strings.TrimSpace(s)
		if placeholder(s) {
			return ""
		}
		return s
	}
	lines := strings.Split(s, "\n")
	out := lines[:0]
	for _, l := range lines {
		l = strings.TrimSpace(l)
		if placeholder(l) {
			continue
		}
		out = append(out, l)
	}
	return strings.Join(out, "\n")
}

func findEmail(s string) string {
	if strings.IndexByte(s, '@') < 0 {
		return "" // the expression needs one
	}
	return strings.TrimRight(reEmail().FindString(s), ".-")
}

// The expression is tried only where "LSCP" stands, on a window around it: a match
// is at most 23 bytes with the byte after it (\b), the window has the byte before
// it (\b) and 32 from it, and no match can begin on the byte before. The first
// place that matches is where the expression over the whole text matches first.
func findCaseRef(s string) string {
	for off := 0; ; {
		i := indexLSCP(s[off:])
		if i < 0 {
			return ""
		}
		at := off + i
		lo, hi := max(at-1, 0), min(len(s), at+32)
		if m := reCaseRef().FindStringSubmatchIndex(s[lo:hi]); m != nil && lo+m[0] == at {
			return "LSCP-" + s[lo+m[2]:lo+m[3]] + "-" + s[lo+m[4]:lo+m[5]]
		}
		off = at + 1
	}
}

var (
	// 14:30, 9.30, 14:30:00, 14:30hrs; not 3.12 of a date (a third number) nor 10.5
	reClock24 = lazyRegexp(`(?i)(?:^|[^\d:.])([01]?\d|2[0-3])[:.]([0-5]\d)(?::[0-5]\d)?(?:\s*(?:hrs|hours|h)\b)?(?:$|[^\d:.])`)
	// 2.30pm, 2 pm, 12:15 a.m.
	reClock12 = lazyRegexp(`(?i)(?:^|[^\d:.])(1[0-2]|0?[1-9])(?:[:.]([0-5]\d))?\s*([ap])\.?m\b\.?`)
	// 1430hrs, 0900 hrs (police and ambulance logs)
	reClockHrs = lazyRegexp(`(?i)(?:^|[^\d:.])([01]\d|2[0-3])([0-5]\d)\s*(?:hrs|hours|h)\b`)
)

// timeBesideDate is the time of day written in a date cell with a date that could be
// read ("05/12/2026 14:30", "3 Dec 2026, 2.30pm", "2026-12-03T14:30", "05.12.26 1430hrs")
// as 24-hour HH:MM, or "" when there is none. The date is taken out first, so that its
// own numbers are never read as a time; the first time written counts.
func timeBesideDate(s string) string {
	_, start, end, ok := findDate(s)
	if !ok {
		return ""
	}
	s = s[:start] + " " + s[end:]
	best, at := "", -1
	try := func(re *regexp.Regexp, f func(m []string) string) {
		if loc := re.FindStringSubmatchIndex(s); loc != nil && (at < 0 || loc[2] < at) {
			m := make([]string, len(loc)/2)
			for i := range m {
				if loc[2*i] >= 0 {
					m[i] = s[loc[2*i]:loc[2*i+1]]
				}
			}
			best, at = f(m), loc[2]
		}
	}
	try(reClock12(), func(m []string) string {
		h, _ := strconv.Atoi(m[1])
		pm := strings.EqualFold(m[3], "p")
		if pm && h < 12 {
			h += 12
		} else if !pm && h == 12 {
			h = 0
		}
		mm := m[2]
		if mm == "" {
			mm = "00"
		}
		return fmt.Sprintf("%02d:%s", h, mm)
	})
	try(reClock24(), func(m []string) string {
		h, _ := strconv.Atoi(m[1])
		return fmt.Sprintf("%02d:%s", h, m[2])
	})
	try(reClockHrs(), func(m []string) string { return m[1] + ":" + m[2] })
	return best
}
