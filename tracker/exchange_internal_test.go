package tracker

import (
	"context"
	"strings"
	"testing"
)

func TestExchangeInternal(t *testing.T) {
	hdr := func(lines ...string) []byte {
		return []byte(strings.Join(append(lines, "From: a@lewisham.gov.uk", "Subject: x", "", "body X-MS-Exchange-Organization-AuthAs: Internal"), "\r\n"))
	}
	tests := []struct {
		name string
		raw  []byte
		want bool
	}{
		{"internal", hdr("X-MS-Exchange-Organization-AuthAs: Internal"), true},
		{"any case", hdr("x-ms-exchange-organization-authas:   internal  "), true},
		{"anonymous", hdr("X-MS-Exchange-Organization-AuthAs: Anonymous"), false},
		{"two, one not internal", hdr("X-MS-Exchange-Organization-AuthAs: Internal", "X-MS-Exchange-Organization-AuthAs: Anonymous"), false},
		{"absent (only in the body)", hdr(), false},
		{"no message", nil, false},
		{"header after the body starts", []byte("From: a@b\r\n\r\nX-MS-Exchange-Organization-AuthAs: Internal\r\n"), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got, why := exchangeInternal(tc.raw); got != tc.want {
				t.Errorf("exchangeInternal = %v (%s), want %v", got, why, tc.want)
			}
		})
	}
}

// A staff member's command in a new message (no token), with no DKIM (mail inside one
// Microsoft 365 tenant is not signed), is obeyed when Exchange marked it internal and
// mail.trust_exchange_internal is on; refused otherwise.
func TestStaffCommandExchangeInternal(t *testing.T) {
	for _, tc := range []struct {
		name   string
		trust  bool
		authAs string
		obeyed bool
	}{
		{"trusted, internal", true, "Internal", true},
		{"trusted, anonymous", true, "Anonymous", false},
		{"not trusted, internal", false, "Internal", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			clock := &testClock{}
			tr := newRRTracker(t, clock, func(c *Config) { c.TrustExchangeInternal = tc.trust; c.TrustedAuthServID = "" })
			openScopedCase(t, tr, clock, "2026-12-07T10:15:00Z")
			clock.Set("2026-12-08T10:00:00Z")
			in := staffMail(clock, "xi@lewisham.gov.uk", "", "[LSCP-2026-001] commands", "Meeting: 2026-12-16 10:00")
			in.Raw = []byte("X-MS-Exchange-Organization-AuthAs: " + tc.authAs + "\r\nFrom: Lead <strategic.lead@lewisham.gov.uk>\r\nSubject: [LSCP-2026-001] commands\r\n\r\nMeeting: 2026-12-16 10:00\r\n")
			deliver(t, tr, in)
			if got := meetingSet(t, tr); got != tc.obeyed {
				t.Errorf("meeting set = %v, want %v", got, tc.obeyed)
			}
			d, _ := tr.Case(context.Background(), "LSCP-2026-001")
			var how string
			for _, a := range d.Audit {
				if a.Event == "command" || a.Event == "command_refused" {
					how = a.Detail
				}
			}
			if tc.obeyed && !strings.Contains(how, "X-MS-Exchange-Organization-AuthAs: Internal") {
				t.Errorf("audit = %q, want it to say Exchange marked the message internal", how)
			}
		})
	}
}
