package main

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// Issue 9.5 from outside: a staff member's new email (not a reply, no trusted
// authentication), typed in HTML only, is not obeyed by itself; csprbot answers with what
// it would do and how to confirm, and a reply "Confirm" carries it out.
func TestStaffCommandConfirmedByReply(t *testing.T) {
	e := newE2E(t)
	at := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
	e.deliverRaw(demoMail{from: "dsl@lgt-nhs.example", subject: "Referral", body: "Referral attached",
		attachName: "referral.docx", attach: referralFor("")}, at)
	e.run(0, "run", "--once", "--now", "2026-12-07T10:05:00Z")
	db := openStore(t, e.dbPath())
	var ref string
	if err := db.QueryRow(`SELECT ref FROM cases`).Scan(&ref); err != nil {
		t.Fatal(err)
	}
	e.run(0, "case", ref, "scoping", "--now", "2026-12-07T11:00:00Z")
	cmdAt := time.Date(2026, 12, 8, 10, 0, 0, 0, time.UTC)
	raw := strings.Join([]string{
		"From: Strategic Safeguarding Lead <strategic.lead@lewisham.gov.uk>",
		"To: safeguardingpartnership@lewisham.gov.uk",
		"Subject: [" + ref + "] meeting",
		"Date: " + cmdAt.Format(time.RFC1123Z),
		"Message-ID: <html-cmd@lewisham.gov.uk>",
		"MIME-Version: 1.0",
		`Content-Type: text/html; charset="utf-8"`,
		"",
		`<html><body><div class="WordSection1"><p class="MsoNormal">Meeting: 2026-12-16 10:00<o:p></o:p></p><p class="MsoNormal">&nbsp;</p><p>Thanks, Sam</p></div></body></html>`,
		""}, "\r\n")
	if err := e.imap.Deliver("INBOX", []byte(raw), cmdAt); err != nil {
		t.Fatal(err)
	}
	e.run(0, "run", "--once", "--now", "2026-12-08T10:05:00Z")
	if got := queryInt(db, `SELECT count(*) FROM meetings`); got != 0 {
		t.Fatalf("a new email without authentication set the meeting by itself")
	}
	var confirmID string
	for _, m := range e.sent() {
		if strings.Contains(m.Text, "reply to this email with the single line") && strings.Contains(m.Text, "Meeting: 2026-12-16 10:00") {
			confirmID = m.MessageID
			if strings.Contains(m.Text, "trusted_authserv_id") {
				t.Errorf("the answer to staff names a configuration key")
			}
		}
	}
	if confirmID == "" {
		t.Fatalf("no answer asking the staff member to confirm")
	}
	confirmAt := cmdAt.Add(10 * time.Minute)
	reply := fmt.Sprintf("From: strategic.lead@lewisham.gov.uk\r\nTo: safeguardingpartnership@lewisham.gov.uk\r\nSubject: RE: [%s] confirm\r\nDate: %s\r\nMessage-ID: <confirm@lewisham.gov.uk>\r\nIn-Reply-To: <%s>\r\nReferences: <%s>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nConfirm\r\n\r\n> earlier\r\n",
		ref, confirmAt.Format(time.RFC1123Z), confirmID, confirmID)
	if err := e.imap.Deliver("INBOX", []byte(reply), confirmAt); err != nil {
		t.Fatal(err)
	}
	e.run(0, "run", "--once", "--now", "2026-12-08T10:15:00Z")
	if got := queryInt(db, `SELECT count(*) FROM meetings WHERE status = 'set'`); got != 1 {
		t.Errorf("after Confirm, meetings set = %d, want 1", got)
	}
}

// The Rapid Review report sent by staff as a new email (not a reply, no trusted
// authentication) waits for the staff member's "Confirm" by reply, then becomes the
// National Panel draft awaiting approval.
func TestReportByNewEmailConfirmedByReply(t *testing.T) {
	e := newE2E(t)
	at := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
	e.deliverRaw(demoMail{from: "dsl@lgt-nhs.example", subject: "Referral", body: "Referral attached",
		attachName: "referral.docx", attach: referralFor("")}, at)
	e.run(0, "run", "--once", "--now", "2026-12-07T10:05:00Z")
	db := openStore(t, e.dbPath())
	var ref string
	if err := db.QueryRow(`SELECT ref FROM cases`).Scan(&ref); err != nil {
		t.Fatal(err)
	}
	e.run(0, "case", ref, "scoping", "--now", "2026-12-07T11:00:00Z")
	e.run(0, "case", ref, "meeting", "2026-12-16T10:00:00Z", "--now", "2026-12-08T10:00:00Z")
	reportAt := time.Date(2026, 12, 16, 15, 0, 0, 0, time.UTC)
	e.deliverRaw(demoMail{from: "Strategic Safeguarding Lead <strategic.lead@lewisham.gov.uk>", subject: "[" + ref + "] Rapid Review report",
		body: "The report is attached.", attachName: "rapid-review-report.docx", attach: demoRapidReviewReport(ref, "16/12/2026")}, reportAt)
	e.run(0, "run", "--once", "--now", "2026-12-16T15:05:00Z")
	if got := queryInt(db, `SELECT count(*) FROM submissions`); got != 0 {
		t.Fatalf("a report by new email without authentication became a submission by itself")
	}
	var confirmID string
	for _, m := range e.sent() {
		if strings.Contains(m.Text, "reply to this email with the single line") && strings.Contains(m.Text, "Rapid Review report") {
			confirmID = m.MessageID
		}
	}
	if confirmID == "" {
		t.Fatalf("no answer asking the staff member to confirm the report")
	}
	confirmAt := reportAt.Add(10 * time.Minute)
	reply := fmt.Sprintf("From: strategic.lead@lewisham.gov.uk\r\nTo: safeguardingpartnership@lewisham.gov.uk\r\nSubject: RE: [%s] report\r\nDate: %s\r\nMessage-ID: <confirm-report@lewisham.gov.uk>\r\nIn-Reply-To: <%s>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nConfirm\r\n",
		ref, confirmAt.Format(time.RFC1123Z), confirmID)
	if err := e.imap.Deliver("INBOX", []byte(reply), confirmAt); err != nil {
		t.Fatal(err)
	}
	e.run(0, "run", "--once", "--now", "2026-12-16T15:15:00Z")
	if got := queryInt(db, `SELECT count(*) FROM submissions`); got != 1 {
		t.Errorf("after Confirm, submissions = %d, want 1 (the National Panel draft awaiting approval)", got)
	}
}
