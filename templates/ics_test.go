package templates

import (
	"strings"
	"testing"
	"time"
)

func meeting() Event {
	return Event{
		UID:      "rr-LSCP-2026-001@csprbot.lewisham.gov.uk",
		Method:   "REQUEST",
		Start:    time.Date(2026, 12, 15, 10, 0, 0, 0, time.UTC),
		End:      time.Date(2026, 12, 15, 12, 0, 0, 0, time.UTC),
		Summary:  "Rapid Review meeting: LSCP-2026-001 (TB)",
		Location: "Laurence House, Room 2; or Teams, link to follow",
		Description: "Rapid Review for case LSCP-2026-001.\nPapers will be circulated before the meeting, " +
			"by secure email only; please bring your agency's scoping return and any updates since it was sent.",
		Organizer: "LSCP <safeguardingpartnership@lewisham.gov.uk>",
		Attendees: []string{`"Lead, Police" <safeguarding.lead@met.example>`, "csc.lead@lewisham.example"},
		Stamp:     time.Date(2026, 12, 3, 9, 30, 0, 0, time.UTC),
	}
}

// unfold undoes line folding (RFC 5545 3.1).
func unfold(s string) []string {
	s = strings.ReplaceAll(s, "\r\n ", "")
	return strings.Split(strings.TrimSuffix(s, "\r\n"), "\r\n")
}

func TestInvite(t *testing.T) {
	b, err := Invite(meeting())
	if err != nil {
		t.Fatalf("Invite = %v", err)
	}
	s := string(b)
	if !strings.HasSuffix(s, "\r\n") || strings.Contains(strings.ReplaceAll(s, "\r\n", ""), "\n") {
		t.Error("lines do not all end in CRLF")
	}
	for _, l := range strings.Split(strings.TrimSuffix(s, "\r\n"), "\r\n") {
		if len(l) > 75 {
			t.Errorf("line of %d octets: %q", len(l), l)
		}
	}
	lines := unfold(s)
	for _, want := range []string{
		"BEGIN:VCALENDAR", "VERSION:2.0", "METHOD:REQUEST", "BEGIN:VTIMEZONE", "TZID:Europe/London",
		"UID:rr-LSCP-2026-001@csprbot.lewisham.gov.uk", "SEQUENCE:0", "DTSTAMP:20261203T093000Z",
		"DTSTART;TZID=Europe/London:20261215T100000", "DTEND;TZID=Europe/London:20261215T120000",
		`SUMMARY:Rapid Review meeting: LSCP-2026-001 (TB)`,
		`LOCATION:Laurence House\, Room 2\; or Teams\, link to follow`,
		`DESCRIPTION:Rapid Review for case LSCP-2026-001.\nPapers will be circulated before the meeting\, by secure email only\; please bring your agency's scoping return and any updates since it was sent.`,
		`ORGANIZER;CN="LSCP":mailto:safeguardingpartnership@lewisham.gov.uk`,
		`ATTENDEE;CN="Lead, Police";CUTYPE=INDIVIDUAL;ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:safeguarding.lead@met.example`,
		`ATTENDEE;CUTYPE=INDIVIDUAL;ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:csc.lead@lewisham.example`,
		"STATUS:CONFIRMED", "END:VEVENT", "END:VCALENDAR",
	} {
		found := false
		for _, l := range lines {
			if l == want {
				found = true
			}
		}
		if !found {
			t.Errorf("Invite lacks the line %q", want)
		}
	}
	if lines[0] != "BEGIN:VCALENDAR" || lines[len(lines)-1] != "END:VCALENDAR" {
		t.Errorf("Invite starts %q, ends %q", lines[0], lines[len(lines)-1])
	}
	if strings.Count(s, "BEGIN:") != strings.Count(s, "END:") {
		t.Error("BEGIN and END do not balance")
	}
}

func TestInviteSummerTime(t *testing.T) {
	ev := meeting()
	ev.Start = time.Date(2027, 6, 1, 9, 0, 0, 0, time.UTC) // 10:00 BST
	ev.End = ev.Start.Add(90 * time.Minute)
	b, err := Invite(ev)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), "DTSTART;TZID=Europe/London:20270601T100000\r\n") ||
		!strings.Contains(string(b), "DTEND;TZID=Europe/London:20270601T113000\r\n") {
		t.Errorf("summer times not in local time:\n%s", b)
	}
}

func TestInviteCancel(t *testing.T) {
	ev := meeting()
	ev.Method, ev.Sequence = "CANCEL", 2
	b, err := Invite(ev)
	if err != nil {
		t.Fatal(err)
	}
	lines := unfold(string(b))
	for _, want := range []string{"METHOD:CANCEL", "STATUS:CANCELLED", "SEQUENCE:2", "UID:rr-LSCP-2026-001@csprbot.lewisham.gov.uk"} {
		found := false
		for _, l := range lines {
			found = found || l == want
		}
		if !found {
			t.Errorf("cancellation lacks %q", want)
		}
	}
	if strings.Contains(string(b), "STATUS:CONFIRMED") {
		t.Error("cancellation says CONFIRMED")
	}
	if strings.Contains(string(b), "RSVP=TRUE") || strings.Contains(string(b), "NEEDS-ACTION") {
		t.Error("cancellation asks attendees for a reply")
	}
	if ICSType("CANCEL") != "text/calendar; charset=UTF-8; method=CANCEL" {
		t.Errorf("ICSType(CANCEL) = %q", ICSType("CANCEL"))
	}
}

func TestInviteFolding(t *testing.T) {
	tests := []struct {
		name, summary string
	}{
		{"ascii", strings.Repeat("abcdefghij", 30)},
		{"multibyte", strings.Repeat("é☐€", 60)},
		{"exactly 75", strings.Repeat("x", 75-len("SUMMARY:"))},
		{"76", strings.Repeat("x", 76-len("SUMMARY:"))},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ev := meeting()
			ev.Summary = tc.summary
			b, err := Invite(ev)
			if err != nil {
				t.Fatal(err)
			}
			raw := strings.Split(strings.TrimSuffix(string(b), "\r\n"), "\r\n")
			for _, l := range raw {
				if len(l) > 75 {
					t.Errorf("line of %d octets", len(l))
				}
				if strings.ToValidUTF8(l, "\uFFFD") != l {
					t.Errorf("fold splits a UTF-8 sequence: %q", l)
				}
			}
			found := false
			for _, l := range unfold(string(b)) {
				found = found || l == "SUMMARY:"+tc.summary
			}
			if !found {
				t.Errorf("unfolded invite lacks SUMMARY:%s", tc.summary)
			}
		})
	}
}

func TestEscapeText(t *testing.T) {
	tests := map[string]string{
		`a,b;c\d`:       `a\,b\;c\\d`,
		"one\r\ntwo\n3": `one\ntwo\n3`,
		"bell\x07":      "bell",
		"plain":         "plain",
	}
	for in, want := range tests {
		if got := escapeText(in); got != want {
			t.Errorf("escapeText(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestInviteErrors(t *testing.T) {
	tests := []struct {
		name string
		edit func(*Event)
	}{
		{"bad method", func(e *Event) { e.Method = "PUBLISH" }},
		{"no UID", func(e *Event) { e.UID = " " }},
		{"end before start", func(e *Event) { e.End = e.Start.Add(-time.Hour) }},
		{"no start", func(e *Event) { e.Start = time.Time{} }},
		{"no stamp", func(e *Event) { e.Stamp = time.Time{} }},
		{"bad organizer", func(e *Event) { e.Organizer = "not an address" }},
		{"bad attendee", func(e *Event) { e.Attendees = []string{"nobody"} }},
		{"no attendees", func(e *Event) { e.Attendees = nil }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ev := meeting()
			tc.edit(&ev)
			if _, err := Invite(ev); err == nil {
				t.Errorf("Invite with %s = nil error", tc.name)
			}
		})
	}
	ev := meeting()
	ev.Method = ""
	if b, err := Invite(ev); err != nil || !strings.Contains(string(b), "METHOD:REQUEST\r\n") {
		t.Errorf("Invite with no method = %v, want a REQUEST", err)
	}
}
