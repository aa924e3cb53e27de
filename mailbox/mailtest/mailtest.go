// Package mailtest gives tests that look at the mail csprbot sends an independent
// reader: the SMTP sink's strict standard-library check (devserver.Check) and, for
// every calendar part, github.com/emersion/go-ical, an iCalendar parser we did not
// write. It is imported only by tests.
package mailtest

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	ical "github.com/emersion/go-ical"
	"github.com/lewisham-lscp/csprbot/mailbox/devserver"
)

// StartSink starts an SMTP sink on loopback (keeping .eml files in dir, if not empty)
// with Strict applied, and closes it when the test ends.
func StartSink(t testing.TB, dir string) *devserver.SMTPSink {
	t.Helper()
	s, err := devserver.StartSMTP("127.0.0.1:0", dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	Strict(t, s)
	return s
}

// Strict makes sink read calendar parts with go-ical as well, and fails the test when
// it ends if the sink found fault with any message it accepted.
func Strict(t testing.TB, sink *devserver.SMTPSink) {
	t.Helper()
	sink.CheckParts(CheckPart)
	t.Cleanup(func() {
		if ps := sink.Problems(); len(ps) > 0 {
			if len(ps) > 20 {
				ps = append(ps[:20], fmt.Sprintf("… and %d more", len(ps)-20))
			}
			t.Errorf("the strict reader rejected mail csprbot sent:\n  %s", strings.Join(ps, "\n  "))
		}
	})
}

// Check reads raw with the strict reader and go-ical, and returns every problem.
func Check(raw []byte) []string {
	rep := devserver.Check(raw)
	problems := rep.Problems
	for _, p := range rep.Parts {
		if err := CheckPart(p); err != nil {
			problems = append(problems, fmt.Sprintf("part %s (%s): %v", p.Path, p.MediaType, err))
		}
	}
	return problems
}

// Assert fails the test if the strict reader finds fault with raw.
func Assert(t testing.TB, name string, raw []byte) {
	t.Helper()
	if ps := Check(raw); len(ps) > 0 {
		t.Errorf("the strict reader rejects %s:\n  %s", name, strings.Join(ps, "\n  "))
	}
}

// IsCalendar reports whether p is an iCalendar object: text/calendar,
// application/ics, or a file named .ics.
func IsCalendar(p devserver.Part) bool {
	return p.MediaType == "text/calendar" || p.MediaType == "application/ics" ||
		strings.HasSuffix(strings.ToLower(p.Filename), ".ics")
}

// CheckPart reads a calendar part with go-ical and checks it is an iTIP scheduling
// message as RFC 5545, 5546 and 6047 want: METHOD, and for text/calendar a method
// parameter equal to it; VERSION and PRODID; each VEVENT with UID, SEQUENCE, DTSTAMP
// (UTC), DTSTART before DTEND, ORGANIZER and ATTENDEEs as mailto: addresses; on a
// REQUEST each ATTENDEE with ROLE, PARTSTAT=NEEDS-ACTION and RSVP=TRUE; on a CANCEL
// STATUS:CANCELLED. Other parts pass.
func CheckPart(p devserver.Part) error {
	if !IsCalendar(p) {
		return nil
	}
	cal, err := ical.NewDecoder(bytes.NewReader(p.Body)).Decode()
	if err != nil {
		return fmt.Errorf("go-ical: %w", err)
	}
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	method := ""
	if prop := cal.Props.Get(ical.PropMethod); prop != nil {
		method = strings.ToUpper(prop.Value)
	} else {
		bad("no METHOD")
	}
	if p.MediaType == "text/calendar" && !strings.EqualFold(p.Params["method"], method) {
		bad("Content-Type method=%q, but METHOD:%s", p.Params["method"], method)
	}
	if v := cal.Props.Get(ical.PropVersion); v == nil || v.Value != "2.0" {
		bad("VERSION is not 2.0")
	}
	if cal.Props.Get(ical.PropProductID) == nil {
		bad("no PRODID")
	}
	events := cal.Events()
	if len(events) == 0 {
		bad("no VEVENT")
	}
	for _, ev := range events {
		for _, name := range []string{ical.PropUID, ical.PropSequence, ical.PropDateTimeStamp, ical.PropDateTimeStart, ical.PropOrganizer} {
			if ev.Props.Get(name) == nil {
				bad("VEVENT without %s", name)
			}
		}
		if prop := ev.Props.Get(ical.PropSequence); prop != nil {
			if n, err := prop.Int(); err != nil || n < 0 {
				bad("SEQUENCE %q", prop.Value)
			}
		}
		if prop := ev.Props.Get(ical.PropDateTimeStamp); prop != nil && !strings.HasSuffix(prop.Value, "Z") {
			bad("DTSTAMP %q is not in UTC", prop.Value)
		}
		start, err1 := ev.Props.DateTime(ical.PropDateTimeStart, time.UTC)
		end, err2 := ev.Props.DateTime(ical.PropDateTimeEnd, time.UTC)
		if err := errors.Join(err1, err2); err != nil {
			bad("DTSTART/DTEND: %v", err)
		} else if !end.After(start) {
			bad("DTEND %v is not after DTSTART %v", end, start)
		}
		if prop := ev.Props.Get(ical.PropOrganizer); prop != nil && !strings.HasPrefix(strings.ToLower(prop.Value), "mailto:") {
			bad("ORGANIZER %q is not a mailto: address", prop.Value)
		}
		attendees := ev.Props.Values(ical.PropAttendee)
		if len(attendees) == 0 {
			bad("VEVENT without ATTENDEE")
		}
		for _, a := range attendees {
			if !strings.HasPrefix(strings.ToLower(a.Value), "mailto:") || !strings.Contains(a.Value, "@") {
				bad("ATTENDEE %q is not a mailto: address", a.Value)
			}
			if method != "REQUEST" {
				continue
			}
			for param, want := range map[string]string{ical.ParamParticipationStatus: "NEEDS-ACTION", ical.ParamRSVP: "TRUE"} {
				if got := a.Params.Get(param); !strings.EqualFold(got, want) {
					bad("ATTENDEE %s has %s=%q, want %s", a.Value, param, got, want)
				}
			}
			if a.Params.Get(ical.ParamRole) == "" {
				bad("ATTENDEE %s has no ROLE", a.Value)
			}
		}
		if method == "CANCEL" {
			if st := ev.Props.Get(ical.PropStatus); st == nil || st.Value != "CANCELLED" {
				bad("a CANCEL whose VEVENT is not STATUS:CANCELLED")
			}
		}
	}
	return errors.Join(errs...)
}
