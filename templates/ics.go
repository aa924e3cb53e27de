package templates

import (
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"time"
	"unicode/utf8"
)

// Event is a meeting to send as an iCalendar (RFC 5545 / RFC 5546 iTIP) invitation.
// Summary must not carry a name: pass the case reference and initials.
type Event struct {
	UID         string // stable for the meeting: a cancellation or change reuses it
	Sequence    int    // 0 for the first invitation; raise it for each change or cancellation
	Method      string // REQUEST | CANCEL ("" = REQUEST)
	Start       time.Time
	End         time.Time
	Summary     string
	Location    string
	Description string
	Organizer   string   // "name@example.org" or "Name <name@example.org>"
	Attendees   []string // as Organizer
	Stamp       time.Time
}

// ICSType is the media type of an invitation, as RFC 6047 wants it on the email part:
// text/calendar with the charset and the iTIP method (equal to the object's METHOD).
// mailbox puts such an attachment inline beside the text, where Outlook and Gmail look
// for it, and attaches a copy as invite.ics.
func ICSType(method string) string {
	if method == "" {
		method = "REQUEST"
	}
	return "text/calendar; charset=UTF-8; method=" + strings.ToUpper(method)
}

// Invite writes ev as an iCalendar object that Outlook and Thunderbird accept:
// CRLF line ends, lines folded at 75 octets, text escaped, times in
// Europe/London with the zone described (VTIMEZONE), METHOD and STATUS set for a
// request or a cancellation.
func Invite(ev Event) ([]byte, error) {
	method := strings.ToUpper(strings.TrimSpace(ev.Method))
	if method == "" {
		method = "REQUEST"
	}
	switch {
	case method != "REQUEST" && method != "CANCEL":
		return nil, fmt.Errorf("templates: invite: method %q: want REQUEST or CANCEL", ev.Method)
	case strings.TrimSpace(ev.UID) == "":
		return nil, errors.New("templates: invite: no UID")
	case ev.Start.IsZero() || ev.End.IsZero():
		return nil, errors.New("templates: invite: no start or end time")
	case !ev.End.After(ev.Start):
		return nil, errors.New("templates: invite: end is not after start")
	case ev.Stamp.IsZero():
		return nil, errors.New("templates: invite: no DTSTAMP time")
	case ev.Sequence < 0:
		return nil, errors.New("templates: invite: negative sequence")
	case len(ev.Attendees) == 0:
		return nil, errors.New("templates: invite: no attendees")
	}
	org, err := calAddress("ORGANIZER", ev.Organizer, "")
	if err != nil {
		return nil, err
	}

	var w icsWriter
	w.line("BEGIN:VCALENDAR")
	w.line("PRODID:-//Lewisham Safeguarding Children Partnership//csprbot//EN")
	w.line("VERSION:2.0")
	w.line("CALSCALE:GREGORIAN")
	w.line("METHOD:" + method)
	w.raw(londonVTimezone)
	w.line("BEGIN:VEVENT")
	w.line("UID:" + escapeText(ev.UID))
	w.line(fmt.Sprintf("SEQUENCE:%d", ev.Sequence))
	w.line("DTSTAMP:" + ev.Stamp.UTC().Format("20060102T150405Z"))
	w.line("DTSTART;TZID=Europe/London:" + ev.Start.In(london()).Format("20060102T150405"))
	w.line("DTEND;TZID=Europe/London:" + ev.End.In(london()).Format("20060102T150405"))
	w.line("SUMMARY:" + escapeText(ev.Summary))
	if ev.Location != "" {
		w.line("LOCATION:" + escapeText(ev.Location))
	}
	if ev.Description != "" {
		w.line("DESCRIPTION:" + escapeText(ev.Description))
	}
	w.line(org)
	// RFC 5546: a REQUEST asks each attendee for a reply (PARTSTAT=NEEDS-ACTION,
	// RSVP=TRUE, answered by a REPLY to the ORGANIZER with the same UID); a CANCEL
	// names every attendee it removes and asks for nothing.
	attParams := ";CUTYPE=INDIVIDUAL;ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=TRUE"
	if method == "CANCEL" {
		attParams = ";CUTYPE=INDIVIDUAL;ROLE=REQ-PARTICIPANT"
	}
	for _, a := range ev.Attendees {
		l, err := calAddress("ATTENDEE", a, attParams)
		if err != nil {
			return nil, err
		}
		w.line(l)
	}
	if method == "CANCEL" {
		w.line("STATUS:CANCELLED")
	} else {
		w.line("STATUS:CONFIRMED")
	}
	w.line("TRANSP:OPAQUE")
	w.line("CLASS:CONFIDENTIAL")
	w.line("END:VEVENT")
	w.line("END:VCALENDAR")
	return []byte(w.String()), nil
}

// calAddress writes an ORGANIZER or ATTENDEE property: the address as a mailto:
// URI, with the display name, if any, as CN.
func calAddress(prop, addr, params string) (string, error) {
	a, err := mail.ParseAddress(addr)
	if err != nil {
		return "", fmt.Errorf("templates: invite: %s %q: %w", strings.ToLower(prop), addr, err)
	}
	cn := ""
	if name := paramValue(a.Name); name != "" {
		cn = `;CN="` + name + `"`
	}
	return prop + cn + params + ":mailto:" + a.Address, nil
}

// paramValue makes a quoted parameter value: no DQUOTE and no control characters.
func paramValue(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '"' || r < 0x20 || r == 0x7f {
			return -1
		}
		return r
	}, s)
}

// escapeText escapes a TEXT value (RFC 5545 3.3.11).
func escapeText(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '\\':
			b.WriteString(`\\`)
		case ';':
			b.WriteString(`\;`)
		case ',':
			b.WriteString(`\,`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
		default:
			if r < 0x20 && r != '\t' || r == 0x7f {
				continue
			}
			b.WriteRune(r)
		}
	}
	return b.String()
}

type icsWriter struct{ strings.Builder }

// line writes one content line, folded so that no line is longer than 75 octets
// (CRLF not counted), never inside a UTF-8 sequence.
func (w *icsWriter) line(s string) {
	const max = 75
	width := max
	for len(s) > width {
		cut := width
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		w.WriteString(s[:cut] + "\r\n ")
		s = s[cut:]
		width = max - 1 // the leading space of a continuation line counts
	}
	w.WriteString(s + "\r\n")
}

func (w *icsWriter) raw(lines string) {
	for _, l := range strings.Split(strings.TrimSpace(lines), "\n") {
		w.line(strings.TrimSpace(l))
	}
}

// londonVTimezone describes Europe/London's rules since 1996: BST from 01:00 UTC on
// the last Sunday of March to 01:00 UTC on the last Sunday of October.
const londonVTimezone = `
BEGIN:VTIMEZONE
TZID:Europe/London
X-LIC-LOCATION:Europe/London
BEGIN:DAYLIGHT
TZOFFSETFROM:+0000
TZOFFSETTO:+0100
TZNAME:BST
DTSTART:19700329T010000
RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU
END:DAYLIGHT
BEGIN:STANDARD
TZOFFSETFROM:+0100
TZOFFSETTO:+0000
TZNAME:GMT
DTSTART:19701025T020000
RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU
END:STANDARD
END:VTIMEZONE
`
