package main

import (
	"strings"
	"testing"
)

// Digest by email, through the real intake, by routes the digest must not leak along:
//   - from staff (DKIM pass) with Reply-To and Cc set to outside addresses: the digest
//     goes to the staff address alone;
//   - from an outside address whose display name is a staff address (and a forged
//     Authentication-Results for the staff domain): no digest to anyone;
//   - a mailing list's copy of staff's Digest (List-Id, Precedence: list, the list's
//     address in Sender): no digest to the list or its sender.
func TestReader12DigestByEmailGoesToTheStaffAddressAlone(t *testing.T) {
	e := newE2E(t)
	e.rewriteConfig(func(s string) string { return s + "\n[mail]\ntrusted_authserv_id = \"mx.lewisham.gov.uk\"\n" })
	e.deliver("2026-12-07T10:15:00Z", demoMail{from: "safeguarding@lgt-nhs.example", subject: "Referral", body: "Referral attached.", attachName: "referral.docx", attach: demoReferral()})
	e.run(0, "run", "--once", "--now", "2026-12-07T10:30:00Z")
	sink := rrSink{e: e}
	mark := sink.mark()
	pass := "mx.lewisham.gov.uk; dkim=pass header.d=lewisham.gov.uk; dmarc=pass header.from=lewisham.gov.uk"
	e.deliver("2026-12-14T08:20:00Z", demoMail{from: "Strategic Safeguarding Lead <" + rrLead + ">", subject: "Digest", body: "Digest",
		headers: map[string]string{"Authentication-Results": pass, "Reply-To": "collector@evil.example", "Cc": "press@news.example"}})
	e.deliver("2026-12-14T08:21:00Z", demoMail{from: "\"" + rrLead + "\" <collector@evil.example>", subject: "Digest", body: "Digest",
		headers: map[string]string{"Authentication-Results": pass}})
	e.deliver("2026-12-14T08:22:00Z", demoMail{from: "Strategic Safeguarding Lead <" + rrLead + ">", subject: "Digest", body: "Digest",
		headers: map[string]string{"List-Id": "LSCP partners <partners.lists.example>", "Precedence": "list", "Sender": "partners-bounces@lists.example"}})
	e.run(0, "run", "--once", "--now", "2026-12-14T08:30:00Z")
	e.run(0, "run", "--once", "--now", "2026-12-14T08:35:00Z")
	got := sink.since(mark)
	digests := 0
	for _, m := range got {
		for _, to := range append(append([]string{}, m.To...), m.Cc...) {
			l := strings.ToLower(to)
			if strings.Contains(l, "evil.example") || strings.Contains(l, "news.example") || strings.Contains(l, "lists.example") {
				t.Errorf("an email went to %s: %q", to, m.Subject)
			}
		}
		if strings.Contains(m.Text, rrRef) && strings.Contains(m.Subject, "igest") {
			digests++
			if len(m.To) != 1 || !strings.EqualFold(m.To[0], rrLead) || len(m.Cc) != 0 {
				t.Errorf("digest to %v cc %v, want the staff member alone", m.To, m.Cc)
			}
		}
	}
	if digests > 2 || digests < 1 {
		t.Errorf("%d digests; sent:\n%s", digests, describe(got))
	}
	for _, m := range got {
		if strings.Contains(m.Subject, "Needs attention") {
			t.Logf("NA: %s", m.Text)
		}
	}
}
