package tracker

import (
	"context"
	"strings"
	"testing"
)

// dkimPass is our trusted server's verdict on lewisham.gov.uk mail (rrConfig trusts it).
const dkimPass = "mx.lewisham.gov.uk; dkim=pass header.d=lewisham.gov.uk; dmarc=pass header.from=lewisham.gov.uk"

// Issue 10.11: an email Digest from a staff address, on no case, answers with the digest
// as it stands now, to that address only; once per message, restarts included; the
// weekly digest still goes at its hour.
func TestDigestByEmailOnNoCase(t *testing.T) {
	ctx := context.Background()
	clock := &testClock{}
	tr := newRRTracker(t, clock, nil)
	openScopedCase(t, tr, clock, "2026-12-07T10:15:00Z")
	for _, tc := range []struct{ name, subject, text string }{
		{"subject", "Digest", "Thanks,\nSam"},
		{"first line", "please", "Digest\n\nSam"},
		{"forwarded subject", "FW: Digest", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			clock.Set("2026-12-14T08:30:00Z") // a Monday, before the weekly digest's hour
			before := len(outboxEmails(t, tr, TmplDigest))
			in := staffMail(clock, "digest-"+strings.ReplaceAll(tc.name, " ", "-")+"@lewisham.gov.uk", "", tc.subject, tc.text)
			in.AuthResults = []string{dkimPass}
			if r := deliver(t, tr, in); r.Disposition != "command" {
				t.Errorf("disposition = %q, want command", r.Disposition)
			}
			ds := outboxEmails(t, tr, TmplDigest)
			if len(ds) != before+1 {
				t.Fatalf("%d digests, want %d", len(ds), before+1)
			}
			if d := ds[len(ds)-1]; d.To != "strategic.lead@lewisham.gov.uk" || d.Email.InReplyTo == "" {
				t.Errorf("digest to %q (in reply to %q), want the staff member only, in reply", d.To, d.Email.InReplyTo)
			}
			// The same message again (a restart before the mailbox was marked): one answer.
			if r := deliver(t, tr, in); !r.Duplicate {
				t.Errorf("second delivery = %+v, want a duplicate", r)
			}
			if n := len(outboxEmails(t, tr, TmplDigest)); n != before+1 {
				t.Errorf("%d digests after the same message twice, want %d", n, before+1)
			}
		})
	}
	replies := outboxEmails(t, tr, TmplCommandReply)
	if len(replies) == 0 || !strings.Contains(replies[len(replies)-1].Email.Text, "on its way to you") {
		t.Errorf("command replies: %+v", replies)
	}
	// The weekly digest is not taken for sent.
	clock.Set("2026-12-14T09:00:00Z")
	if sent, err := tr.TickDigest(ctx); err != nil || !sent {
		t.Errorf("TickDigest = %v, %v after a Digest by email; want the weekly digest sent", sent, err)
	}
	if ds := outboxEmails(t, tr, TmplDigest); !strings.Contains(ds[len(ds)-1].To, "lfp@lewisham.gov.uk") {
		t.Errorf("weekly digest to %q, want the subgroup", ds[len(ds)-1].To)
	}
}

// Digest from an address that is not staff's gets what any stranger's mail gets: triage.
// Staff's own Digest that csprbot cannot authenticate waits for Confirm, as any command.
func TestDigestByEmailNotFromStaff(t *testing.T) {
	clock := &testClock{}
	tr := newRRTracker(t, clock, nil)
	openScopedCase(t, tr, clock, "2026-12-07T10:15:00Z")
	clock.Set("2026-12-14T08:30:00Z")
	in := staffMail(clock, "stranger-digest@example.org", "", "Digest", "Digest")
	in.From = "someone@example.org"
	if r := deliver(t, tr, in); r.Disposition != DispTriage {
		t.Errorf("stranger's Digest = %q, want triage", r.Disposition)
	}
	in = staffMail(clock, "forged-digest@example.org", "", "Digest", "")
	if r := deliver(t, tr, in); r.Disposition != "command" {
		t.Errorf("unauthenticated staff Digest = %q, want command (confirmation asked)", r.Disposition)
	}
	if n := len(outboxEmails(t, tr, TmplDigest)); n != 0 {
		t.Fatalf("%d digests sent without authentication", n)
	}
	ask := firstID(t, tr, TmplCommandReply)
	clock.Set("2026-12-14T08:40:00Z")
	deliver(t, tr, staffMail(clock, "confirm-digest@lewisham.gov.uk", ask, "RE: your commands", "Confirm"))
	if ds := outboxEmails(t, tr, TmplDigest); len(ds) != 1 || ds[0].To != "strategic.lead@lewisham.gov.uk" {
		t.Errorf("digests after Confirm: %+v", ds)
	}
}

func TestSubjectIsDigest(t *testing.T) {
	for s, want := range map[string]bool{"Digest": true, "digest.": true, "RE: [LSCP] Digest": true, "Fwd: FW: digest": true,
		"Weekly digest": false, "Digest please": false, "[LSCP] Weekly digest: 3 open cases": false, "": false, "[": false} {
		if got := subjectIsDigest(s); got != want {
			t.Errorf("subjectIsDigest(%q) = %v, want %v", s, got, want)
		}
	}
}
