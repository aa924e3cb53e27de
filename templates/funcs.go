package templates

import (
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/lewisham-lscp/csprbot/tracker/cspr"
)

// london is where every date a person reads is shown, loaded the first time a date is
// shown rather than when the program starts (issue 11.4).
var london = sync.OnceValue(mustLondon)

func mustLondon() *time.Location {
	loc, err := time.LoadLocation("Europe/London")
	if err != nil {
		// time/tzdata is imported, so this cannot happen.
		panic("templates: Europe/London: " + err.Error())
	}
	return loc
}

// notSet is what a date helper prints for the zero time.
const notSet = "(date not set)"

// Date formats t as "Friday 11 December 2026" in Europe/London.
func Date(t time.Time) string {
	if t.IsZero() {
		return notSet
	}
	return t.In(london()).Format("Monday 2 January 2006")
}

// DateTime formats t as "17:00 on Friday 11 December 2026" in Europe/London.
func DateTime(t time.Time) string {
	if t.IsZero() {
		return notSet
	}
	return t.In(london()).Format("15:04 on Monday 2 January 2006")
}

// Clock formats the time of day of t as "5pm" or "9:30am" in Europe/London.
func Clock(t time.Time) string {
	if t.IsZero() {
		return notSet
	}
	t = t.In(london())
	if t.Minute() == 0 {
		return t.Format("3pm")
	}
	return t.Format("3:04pm")
}

func ddmmyyyy(t time.Time) string {
	if t.IsZero() {
		return notSet
	}
	return t.In(london()).Format("02/01/2006")
}

func iso(t time.Time) string {
	if t.IsZero() {
		return notSet
	}
	return t.In(london()).Format("2006-01-02")
}

var ordinals = []string{"zeroth", "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth"}

func ordinal(n int) string {
	if n >= 0 && n < len(ordinals) {
		return ordinals[n]
	}
	suffix := "th"
	switch {
	case n%100 >= 11 && n%100 <= 13:
	case n%10 == 1:
		suffix = "st"
	case n%10 == 2:
		suffix = "nd"
	case n%10 == 3:
		suffix = "rd"
	}
	return fmt.Sprintf("%d%s", n, suffix)
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func join(sep string, list []string) string { return strings.Join(list, sep) }

var stageWords = map[string]string{
	"referral":        "Referral received",
	"scoping":         "Initial scoping",
	"rapid_review":    "Rapid Review",
	"submission":      "Submission to the National Panel",
	"lcspr":           "Local Child Safeguarding Practice Review",
	"national_review": "National review",
	"closed":          "Closed",
}

func stage(s string) string {
	if w, ok := stageWords[s]; ok {
		return w
	}
	return words(s)
}

var statusWords = map[string]string{
	"awaiting":   "Awaiting return",
	"received":   "Received",
	"nil_return": "Not known to agency (nil return)",
	"overdue":    "Overdue",
	"escalated":  "Overdue and escalated",
	"pending":    "Pending",
	"met":        "Met",
	"missed":     "Missed",
	"waived":     "Waived",
}

func status(s string) string {
	if w, ok := statusWords[s]; ok {
		return w
	}
	return words(s)
}

// words turns "some_key" into "Some key".
func words(s string) string {
	s = strings.ReplaceAll(s, "_", " ")
	if s == "" {
		return ""
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

func rag(s string) string {
	switch strings.ToLower(s) {
	case "red":
		return "Red"
	case "amber":
		return "Amber"
	case "green":
		return "Green"
	}
	return "Not rated"
}

// ragColour and ragText are the cell colours of a RAG status in HTML: strong
// enough to see in Outlook, with the word printed too for anyone who cannot tell
// the colours apart.
func ragColour(s string) string {
	switch strings.ToLower(s) {
	case "red":
		return "#d4351c"
	case "amber":
		return "#f47738"
	case "green":
		return "#00703c"
	}
	return "#b1b4b6"
}

func ragText(s string) string {
	switch strings.ToLower(s) {
	case "red", "green":
		return "#ffffff"
	}
	return "#0b0c0c"
}

var partnerWords = map[string]string{
	"local_authority": "Local authority",
	"police":          "Police",
	"health":          "Health",
}

func partner(s string) string {
	if w, ok := partnerWords[s]; ok {
		return w
	}
	return ""
}

// next is a case's earliest pending deadline, or nil.
func next(c cspr.CaseView) *cspr.DeadlineView {
	var ds []cspr.DeadlineView
	for _, d := range c.Deadlines {
		if d.Status == "pending" && !d.Due.IsZero() {
			ds = append(ds, d)
		}
	}
	if len(ds) == 0 {
		return nil
	}
	sort.SliceStable(ds, func(i, j int) bool { return ds[i].Due.Before(ds[j].Due) })
	return &ds[0]
}

func ref(d SubjectData) string {
	if d.Ref != "" {
		return "[" + d.Ref + "]"
	}
	return "[" + d.Short + "]"
}

var funcs = map[string]any{
	"date":          Date,
	"datetime":      DateTime,
	"clock":         Clock,
	"ddmmyyyy":      ddmmyyyy,
	"iso":           iso,
	"ordinal":       ordinal,
	"plural":        plural,
	"join":          join,
	"stage":         stage,
	"status":        status,
	"rag":           rag,
	"ragColour":     ragColour,
	"ragText":       ragText,
	"partner":       partner,
	"next":          next,
	"journeyCells":  journeyCells,
	"journeyText":   journeyText,
	"returnState":   returnState,
	"ref":           ref,
	"upper":         strings.ToUpper,
	"lower":         strings.ToLower,
	"isZeroTime":    func(t time.Time) bool { return t.IsZero() },
	"rapidReviewBy": rapidReviewBy,
	"list":          func(v ...any) []any { return v },
	"splitLines":    func(s string) []string { return strings.Split(strings.TrimRight(s, "\n"), "\n") },
	"formName":      func(d *cspr.MailData) string { return ScopingFormName(formView(d)) },
}
