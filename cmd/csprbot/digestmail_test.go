package main

import (
	"strings"
	"testing"
)

// Issue 10.11 through the real intake: a staff member's new email with the subject Digest
// (no case, the trusted server's DKIM pass) is answered with the digest as it stands now,
// text and HTML, to that address only and once, however often the daemon runs; a
// stranger's Digest is triaged; the weekly digest still goes to the subgroup at 09:00.
func TestDigestByEmailEndToEnd(t *testing.T) {
	e := newE2E(t)
	e.rewriteConfig(func(s string) string { return s + "\n[mail]\ntrusted_authserv_id = \"mx.lewisham.gov.uk\"\n" })
	e.deliver("2026-12-07T10:15:00Z", demoMail{from: "safeguarding@lgt-nhs.example", subject: "Referral", body: "Referral attached.", attachName: "referral.docx", attach: demoReferral()})
	e.run(0, "run", "--once", "--now", "2026-12-07T10:30:00Z")
	sink := rrSink{e: e}
	mark := sink.mark()
	e.deliver("2026-12-14T08:20:00Z", demoMail{from: "Strategic Safeguarding Lead <" + rrLead + ">", subject: "Digest", body: "Thanks,\nSam",
		headers: map[string]string{"Authentication-Results": "mx.lewisham.gov.uk; dkim=pass header.d=lewisham.gov.uk; dmarc=pass header.from=lewisham.gov.uk"}})
	e.deliver("2026-12-14T08:21:00Z", demoMail{from: "someone@example.org", subject: "Digest", body: "Digest"})
	e.run(0, "run", "--once", "--now", "2026-12-14T08:30:00Z")
	e.run(0, "run", "--once", "--now", "2026-12-14T08:35:00Z") // a second round: nothing answered twice
	got := sink.since(mark)
	var digests, toStranger int
	for _, m := range got {
		for _, to := range m.To {
			if strings.EqualFold(to, "someone@example.org") {
				toStranger++
			}
		}
		if strings.Contains(m.Text, rrRef) && strings.Contains(m.Subject, "igest") {
			if len(m.To) != 1 || !strings.EqualFold(m.To[0], rrLead) || len(m.Cc) != 0 || m.HTML == "" {
				t.Errorf("digest to %v cc %v (HTML %d bytes), want to the staff member alone, with HTML", m.To, m.Cc, len(m.HTML))
			}
			digests++
		}
	}
	if digests != 1 || toStranger != 0 {
		t.Errorf("%d digests (want 1), %d emails to the stranger (want 0); sent:\n%s", digests, toStranger, describe(got))
	}
	if r := pick(got, "Your commands", rrLead); len(r) != 1 || !strings.Contains(r[0].Text, "on its way to you") {
		t.Errorf("command reply: %s", describe(got))
	}
	if n := pick(got, "Needs attention", rrLead); len(n) != 1 {
		t.Errorf("the stranger's Digest was not triaged for staff: %s", describe(got))
	}
	mark = sink.mark()
	e.run(0, "run", "--once", "--now", "2026-12-14T09:05:00Z")
	if w := sink.since(mark); len(pick(w, "", "lfp-subgroup@lewisham.gov.uk")) != 1 {
		t.Errorf("the weekly digest at 09:00: %s", describe(w))
	}
}
