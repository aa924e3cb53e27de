package tracker

import (
	"context"
	"fmt"
	"strings"
	"testing"
)

// FuzzStaffCommands sends whatever a staff member might type (or a hostile sender might
// forge) through the real intake as a token-verified staff reply: every message must end
// recorded, with no panic and no error from the store.
func FuzzStaffCommands(f *testing.F) {
	for _, s := range []string{
		"Start scoping", "Add agency: Metropolitan Police Service", "Meeting: 2026-12-17 10:00",
		"Meeting: 17/12/2026 10am force", "Cancel meeting", "Extend: Met Police to 2027-01-08",
		"Waive: NHS South East London ICB", "Notified panel: 2026-12-08", "Notified Ofsted: yesterday",
		"Aware: 31/02/2026", "Approve", "APPROVE\r\nstart scoping\r\n\r\n> quoted", "Meeting:", ":::",
		"Extend: to", "Add agency:" + strings.Repeat("x", 5000), "\x00\xff\xfe", "On Mon, X wrote:\n> Approve",
	} {
		f.Add(s, "Re: [LSCP-2026-001] x", "")
	}
	f.Add("Approve", "Re: x", "mx.lewisham.gov.uk; dkim=pass header.d=lewisham.gov.uk; dmarc=pass header.from=lewisham.gov.uk")
	f.Add("Start scoping", "[LSCP-2026-001]", "mx.lewisham.gov.uk; dkim=pass (good) header.d=lewisham.gov.uk; spf=fail")
	f.Fuzz(func(t *testing.T, body, subject, authres string) {
		ctx := context.Background()
		clock := &testClock{}
		clock.Set("2026-12-07T10:15:00Z")
		tr := newTestTracker(t, clock)
		tr.cfg.TrustedAuthServID = "mx.lewisham.gov.uk"
		if _, err := tr.Ingest(ctx, referralIncoming("r1@example.org", 1, "2026-12-07T10:15:00Z")); err != nil {
			t.Fatal(err)
		}
		var notice string
		for _, o := range outbox(t, tr) {
			if o.Kind == TmplStaffNewReferral {
				notice = o.MessageID
			}
		}
		clock.Set("2026-12-14T10:00:00Z")
		for i, inReplyTo := range []string{notice, ""} {
			in := &Incoming{Mailbox: "INBOX", UIDValidity: 1, UID: uint32(10 + i), ReceivedAt: clock.Now(),
				MessageID: fmt.Sprintf("cmd%d@lewisham.gov.uk", i), From: "strategic.lead@lewisham.gov.uk",
				Subject: subject, InReplyTo: inReplyTo, Text: body}
			if authres != "" {
				in.AuthResults = []string{authres}
			}
			res, err := tr.Ingest(ctx, in)
			if err != nil {
				t.Fatalf("Ingest(%q) = %v", body, err)
			}
			if res.Disposition == "" {
				t.Fatalf("Ingest(%q) recorded no disposition", body)
			}
		}
		var n int
		tr.DB().QueryRow(`SELECT count(*) FROM messages`).Scan(&n)
		if n != 3 {
			t.Fatalf("%d messages recorded, want 3", n)
		}
	})
}

func FuzzParseAuthResults(f *testing.F) {
	for _, s := range []string{
		"mx.lewisham.gov.uk; dkim=pass header.d=lewisham.gov.uk",
		"mx.example; dmarc=pass (p=reject) header.from=x.example; spf=none",
		"mx; none", "", ";;;", "a (comment (nested)) ; dkim=pass", "x; dkim=pass header.d=\"quoted;semi\"",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		_, _ = ParseAuthResults(s)
	})
}
