package main

import (
	"encoding/base64"
	"fmt"
	"strings"
	"testing"
	"time"
)

// outlookReply is a meeting response as Outlook and Exchange send it: "Accepted: …" in
// the subject, no Auto-Submitted, no In-Reply-To, and the answer as an iCalendar REPLY
// inside multipart/alternative, base64-encoded.
func outlookReply(from, name, partstat, uid string, seq int, at time.Time, n int) []byte {
	ics := strings.Join([]string{
		"BEGIN:VCALENDAR", "METHOD:REPLY", "PRODID:Microsoft Exchange Server 2010", "VERSION:2.0",
		"BEGIN:VEVENT",
		fmt.Sprintf("ATTENDEE;PARTSTAT=%s;CN=%s:mailto:%s", partstat, name, from),
		"COMMENT;LANGUAGE=en-GB:\\n",
		"SUMMARY;LANGUAGE=en-GB:" + strings.Title(strings.ToLower(partstat)) + ": Rapid Review meeting",
		"DTSTART:20261216T100000Z", "DTEND:20261216T113000Z",
		"UID:" + uid, fmt.Sprintf("SEQUENCE:%d", seq),
		"DTSTAMP:" + at.UTC().Format("20060102T150405Z"),
		"ORGANIZER:mailto:safeguardingpartnership@lewisham.gov.uk",
		"END:VEVENT", "END:VCALENDAR", ""}, "\r\n")
	enc := base64.StdEncoding.EncodeToString([]byte(ics))
	var lines []string
	for len(enc) > 76 {
		lines, enc = append(lines, enc[:76]), enc[76:]
	}
	lines = append(lines, enc)
	word := map[string]string{"ACCEPTED": "Accepted", "DECLINED": "Declined", "TENTATIVE": "Tentative"}[partstat]
	return []byte(strings.Join([]string{
		"From: " + name + " <" + from + ">",
		"To: Safeguarding Partnership <safeguardingpartnership@lewisham.gov.uk>",
		"Subject: " + word + ": Rapid Review meeting",
		"Thread-Topic: Rapid Review meeting",
		"Date: " + at.Format(time.RFC1123Z),
		fmt.Sprintf("Message-ID: <reply-%d@%s>", n, strings.Split(from, "@")[1]),
		"MIME-Version: 1.0",
		`Content-Type: multipart/alternative; boundary="_000_reply_"`,
		"",
		"--_000_reply_",
		`Content-Type: text/plain; charset="us-ascii"`,
		"",
		"",
		"--_000_reply_",
		`Content-Type: text/calendar; charset="utf-8"; method=REPLY`,
		"Content-Transfer-Encoding: base64",
		"",
		strings.Join(lines, "\r\n"),
		"",
		"--_000_reply_--",
		""}, "\r\n"))
}

// Issue 9.3 from outside: Outlook-style answers from the invitees, through the IMAP
// server, decide quorum; none is triaged or answered.
func TestOutlookMeetingRepliesDecideQuorum(t *testing.T) {
	e := newE2E(t)
	at := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
	e.deliverRaw(demoMail{from: "dsl@lgt-nhs.example", subject: "Referral", body: "Referral attached",
		attachName: "referral.docx", attach: referralFor("")}, at)
	e.run(0, "run", "--once", "--now", "2026-12-07T10:05:00Z")
	db := openStore(t, e.dbPath())
	var ref, uid string
	if err := db.QueryRow(`SELECT ref FROM cases`).Scan(&ref); err != nil {
		t.Fatal(err)
	}
	e.run(0, "case", ref, "scoping", "--now", "2026-12-07T11:00:00Z")
	e.run(0, "case", ref, "meeting", "2026-12-16T10:00:00Z", "--now", "2026-12-08T10:00:00Z")
	e.run(0, "run", "--once", "--now", "2026-12-08T10:05:00Z")
	if err := db.QueryRow(`SELECT uid FROM meetings`).Scan(&uid); err != nil {
		t.Fatal(err)
	}
	sentBefore := len(e.smtp.Messages())
	replyAt := time.Date(2026, 12, 9, 9, 0, 0, 0, time.UTC)
	for i, r := range []struct{ from, name, partstat string }{
		{"csc.safeguarding@lewisham.gov.uk", "CSC Lead", "ACCEPTED"},
		{"safeguarding.lead@met.example", "Police Lead", "ACCEPTED"},
		{"safeguarding.children@selondon-icb.example", "ICB Lead", "DECLINED"},
	} {
		if err := e.imap.Deliver("INBOX", outlookReply(r.from, r.name, r.partstat, uid, 0, replyAt, i), replyAt); err != nil {
			t.Fatal(err)
		}
	}
	e.run(0, "run", "--once", "--now", "2026-12-09T09:05:00Z")
	if got := queryInt(db, `SELECT count(*) FROM messages WHERE disposition = 'calendar_reply'`); got != 3 {
		t.Errorf("meeting responses recorded as such = %d, want 3", got)
	}
	if got := queryInt(db, `SELECT count(*) FROM meeting_replies`); got != 3 {
		t.Errorf("meeting replies = %d, want 3", got)
	}
	if got := len(e.smtp.Messages()); got != sentBefore {
		t.Errorf("%d emails sent in answer to meeting responses, want 0", got-sentBefore)
	}
	// The working day before the meeting: health declined, so staff are warned.
	e.run(0, "run", "--once", "--now", "2026-12-15T09:30:00Z")
	warned := 0
	for _, m := range e.sent() {
		if strings.Contains(m.Text, "not yet quorate by the answers received") && strings.Contains(m.Text, "nobody from health (ICB) has accepted") {
			warned++
		}
	}
	if warned != 1 {
		t.Errorf("quorum warnings to staff = %d, want 1", warned)
	}
}
