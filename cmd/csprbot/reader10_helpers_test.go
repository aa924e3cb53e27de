package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// r10LocalReview opens LSCP-2026-001 from a referral, decides a local review and reads
// the Terms of Reference (with the lead reviewer's address replaced by addr).
func r10LocalReview(t *testing.T, r *r10, reviewerAddr string) {
	t.Helper()
	e := r.e
	e.deliver("2026-12-07T10:00:00Z", demoMail{from: rrLGT, subject: "Referral for a Child Safeguarding Practice Review",
		body: "Please find attached a referral.", attachName: "referral.docx", attach: demoReferral()})
	r.run(0, "run", "--once", "--now", "2026-12-07T10:05:00Z")
	r.run(0, "case", rrRef, "decision", "local", "--now", "2026-12-18T10:00:00Z")
	tor := docxReplace(mustRead(t, "testdata/lcspr/terms-of-reference.docx"), strings.NewReplacer("jo.reviewer@example.org", reviewerAddr))
	p := filepath.Join(t.TempDir(), "tor.docx")
	if err := os.WriteFile(p, tor, 0o600); err != nil {
		t.Fatal(err)
	}
	r.run(0, "case", rrRef, "tor", p, "--now", "2027-01-04T09:00:00Z")
	r.run(0, "run", "--once", "--now", "2027-01-04T09:01:00Z")
}

func firstLineWith(text, sub string) string {
	for _, l := range strings.Split(text, "\n") {
		if strings.Contains(l, sub) {
			return strings.TrimSpace(l)
		}
	}
	return ""
}
