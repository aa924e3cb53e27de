package main

// End-to-end tests, through `csprbot run --once` against the in-process IMAP and SMTP
// servers, of issue 5's "Mail loops and automatic mail" guarantee: automatic mail is
// recorded and never answered, a real delivery status notification marks the address
// and tells staff (and later mail to that address is held), a forged one does nothing,
// and a flood is capped per address per day.

import (
	"bytes"
	"database/sql"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/lewisham-lscp/csprbot/mailbox"
	"github.com/lewisham-lscp/csprbot/tracker"
)

const (
	loopRef    = "LSCP-2026-001"
	loopCSC    = "csc.safeguarding@lewisham.gov.uk"
	loopPolice = "safeguarding.lead@met.example"
	loopStaff  = "strategic.lead@lewisham.gov.uk"
	loopInbox  = "safeguardingpartnership@lewisham.gov.uk"
	loopCSCAg  = "Lewisham Children's Social Care"
	loopMetAg  = "Metropolitan Police Service"
)

// use points e's failure reporting at t (a subtest) until the returned func is called.
func (e *e2e) use(t *testing.T) func() {
	old := e.t
	e.t = t
	return func() { e.t = old }
}

// loopCase opens LSCP-2026-001 from a referral on Mon 7 Dec 2026, starts scoping, and
// lets the daemon send the scoping requests. It returns the requests to CSC and police.
func loopCase(t *testing.T) (e *e2e, csc, police *mailbox.Message) {
	t.Helper()
	e = newE2E(t)
	e.deliver("2026-12-07T10:15:00Z", demoMail{from: "safeguarding@lgt-nhs.example", subject: "Referral",
		body: "Referral attached.", attachName: "referral.docx", attach: demoReferral()})
	e.run(0, "run", "--once", "--now", "2026-12-07T10:16:00Z")
	e.run(0, "case", loopRef, "scoping", "--now", "2026-12-07T11:00:00Z")
	e.run(0, "run", "--once", "--now", "2026-12-07T11:01:00Z")
	find := func(addr string) *mailbox.Message {
		var got []*mailbox.Message
		for _, m := range e.sentTo(addr) {
			if strings.Contains(strings.ToLower(m.Subject), "scoping") {
				got = append(got, m)
			}
		}
		if len(got) != 1 {
			t.Fatalf("scoping requests to %s = %d %q; all sent: %q", addr, len(got), subjects(got), subjects(e.sent()))
		}
		return got[0]
	}
	return e, find(loopCSC), find(loopPolice)
}

// loopReturn is one agency's return on the case, as `case --json` shows it.
func loopReturn(t *testing.T, e *e2e, now, agency string) tracker.Return {
	t.Helper()
	for _, r := range e.caseJSON(loopRef, now).Returns {
		if r.Agency == agency {
			return r
		}
	}
	t.Fatalf("case %s has no return for %s", loopRef, agency)
	return tracker.Return{}
}

// sinkLines is every message at the sink, as "to: subject" lines.
func (e *e2e) sinkLines() []string {
	var out []string
	for _, m := range e.sent() {
		out = append(out, strings.Join(m.To, ",")+": "+m.Subject)
	}
	return out
}

// newSince is what the sink holds beyond its first n messages, leaving out the weekly
// digest to the subgroup (which is the digest's business, not the message's).
func (e *e2e) newSince(n int) []string {
	var out []string
	for i, m := range e.sent() {
		if i < n || (len(m.To) == 1 && strings.EqualFold(m.To[0], "lfp-subgroup@lewisham.gov.uk")) {
			continue
		}
		out = append(out, strings.Join(m.To, ",")+": "+m.Subject)
	}
	return out
}

type loopMsgRow struct {
	auto, disposition string
	caseID            sql.NullInt64
}

func loopMessage(t *testing.T, db *sql.DB, id string) (loopMsgRow, bool) {
	t.Helper()
	var r loopMsgRow
	err := db.QueryRow(`SELECT auto, coalesce(disposition, ''), case_id FROM messages WHERE message_id = ?`, id).Scan(&r.auto, &r.disposition, &r.caseID)
	if err == sql.ErrNoRows {
		return r, false
	}
	if err != nil {
		t.Fatal(err)
	}
	return r, true
}

func TestLoopAutomaticMailIsRecordedNeverAnswered(t *testing.T) {
	e, cscReq, _ := loopCase(t)
	db := e.db(t)
	subj := "[" + loopRef + "] scoping request"
	if cscReq.Subject != "" {
		subj = cscReq.Subject
	}

	for i, tc := range []struct {
		name     string
		mail     demoMail
		wantAuto string
		wantNote string // for auto-replies: what the return's note must contain
	}{
		{
			name: "exchange out-of-office",
			mail: demoMail{from: loopCSC, subject: "Automatic reply: " + subj,
				headers: map[string]string{
					"Auto-Submitted":                                  "auto-replied",
					"X-Auto-Response-Suppress":                        "All",
					"X-MS-Exchange-Inbox-Rules-Loop":                  loopCSC,
					"X-MS-Exchange-Organization-AutoResponseSuppress": "All",
					"Thread-Topic":                                    subj,
				},
				body: "Thank you for your email.\nI am out of the office until 14 December 2026 with limited access to email.\nFor urgent matters contact the duty desk."},
			wantAuto: string(mailbox.AutoReply),
			wantNote: "away until 14 December 2026",
		},
		{
			// Exchange's own sample (mailbox/testdata/exchange-ooo.eml) has no
			// Auto-Submitted: the X-Auto-Response-Suppress + Inbox-Rules-Loop pair is enough.
			name: "exchange out-of-office without auto-submitted",
			mail: demoMail{from: loopCSC, subject: "RE: " + subj,
				headers: map[string]string{
					"X-Auto-Response-Suppress":       "All",
					"X-MS-Exchange-Inbox-Rules-Loop": loopCSC,
				},
				body: "I am on leave, returning on Wednesday 16 December 2026."},
			wantAuto: string(mailbox.AutoReply),
			wantNote: "away until Wednesday 16 December 2026",
		},
		{
			name: "gmail vacation",
			mail: demoMail{from: loopCSC, subject: "Re: " + subj,
				headers: map[string]string{"Auto-Submitted": "auto-replied", "Precedence": "bulk"},
				body:    "I'm on annual leave and will be back on 18th December."},
			wantAuto: string(mailbox.AutoReply),
			wantNote: "away until 18th December",
		},
		{
			name: "precedence list",
			mail: demoMail{from: loopCSC, subject: "Re: " + subj,
				headers: map[string]string{"Precedence": "list", "List-Unsubscribe": "<mailto:leave@lists.lewisham.gov.uk>"},
				body:    "This week's safeguarding bulletin."},
			wantAuto: string(mailbox.AutoBulk),
		},
		{
			name: "auto-generated",
			mail: demoMail{from: loopCSC, subject: "Re: " + subj,
				headers: map[string]string{"Auto-Submitted": "auto-generated"},
				body:    "Your message has been received by the CSC case management system. Reference 123456."},
			wantAuto: string(mailbox.AutoGenerated),
		},
		{
			name: "our own loop header",
			mail: demoMail{from: loopCSC, subject: "Fwd: " + subj,
				headers: map[string]string{mailbox.LoopHeader: "lewisham.gov.uk"},
				body:    "A rule forwarded csprbot's own email back to it."},
			wantAuto: string(mailbox.AutoLoop),
		},
		{
			name: "mailer-daemon empty return-path",
			mail: demoMail{from: "Mail Delivery Subsystem <MAILER-DAEMON@mx1.lewisham.gov.uk>", subject: "Delivery delayed: " + subj,
				headers: map[string]string{"Return-Path": "<>"},
				body:    "This is an automatically generated message.\nDelivery to the following recipient has been delayed:\n\n    " + loopCSC},
			wantAuto: string(mailbox.AutoMailerDaemon),
		},
		{
			name: "empty return-path only",
			mail: demoMail{from: "noreply@lewisham.gov.uk", subject: "Re: " + subj,
				headers: map[string]string{"Return-Path": "<>"},
				body:    "This mailbox is not monitored."},
			wantAuto: string(mailbox.AutoGenerated),
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			defer e.use(t)()
			sender := strings.ToLower(tc.mail.from)
			if i := strings.LastIndex(sender, "<"); i >= 0 {
				sender = strings.Trim(sender[i:], "<>")
			}
			before := len(e.smtp.Messages())
			toSender := e.sinkTo(sender)
			noteBefore := loopReturn(t, e, "2026-12-09T08:00:00Z", loopCSCAg).Note

			at := time.Date(2026, 12, 9, 9, 10*i, 0, 0, time.UTC)
			tc.mail.inReplyTo = cscReq.MessageID
			id := e.deliverRaw(tc.mail, at)
			e.run(0, "run", "--once", "--now", at.Add(2*time.Minute).Format(time.RFC3339))
			e.assertAllSeen(t)

			row, ok := loopMessage(t, db, id)
			if !ok {
				t.Fatalf("message %s (%q) was not recorded", id, tc.mail.subject)
			}
			if row.auto != tc.wantAuto || row.disposition != tracker.DispAuto {
				t.Errorf("recorded as auto=%q disposition=%q, want auto=%q disposition=%q", row.auto, row.disposition, tc.wantAuto, tracker.DispAuto)
			}
			d := e.caseJSON(loopRef, at.Add(3*time.Minute).Format(time.RFC3339))
			var listed bool
			for _, m := range d.Messages {
				if m.Direction == "in" && m.MessageID == id {
					listed = true
				}
			}
			if !listed {
				t.Errorf("case %s --json does not list the message %s (%q); case_id in store = %v", loopRef, id, tc.mail.subject, row.caseID)
			}
			if got := e.newSince(before); len(got) != 0 {
				t.Errorf("%q caused mail to be sent: %s", tc.mail.subject, fmtLines(got))
			}
			if n := e.sinkTo(sender) - toSender; n != 0 {
				t.Errorf("%d message(s) went to the sender %s", n, sender)
			}
			r := loopReturn(t, e, at.Add(3*time.Minute).Format(time.RFC3339), loopCSCAg)
			if r.Status != "awaiting" || !r.ReceivedAt.IsZero() {
				t.Errorf("CSC return after %q: status %q received %v, want awaiting", tc.mail.subject, r.Status, r.ReceivedAt)
			}
			if tc.wantNote != "" {
				if !strings.Contains(r.Note, tc.wantNote) {
					t.Errorf("CSC return note = %q, want it to contain %q", r.Note, tc.wantNote)
				}
			} else if r.Note != noteBefore {
				t.Errorf("CSC return note changed from %q to %q by a %s message", noteBefore, r.Note, tc.wantAuto)
			}
		})
	}

	// After all of it, the only mail CSC ever got is its scoping request.
	if got := e.sentTo(loopCSC); len(got) != 1 {
		t.Errorf("CSC got %d messages, want only the scoping request: %q", len(got), subjects(got))
	}
}

// dsn is a multipart/report delivery status notification (RFC 3464), as Postfix writes
// it, with the original message's headers in a text/rfc822-headers part.
func dsn(msgID, origID, origSubject, finalRcpt string, at time.Time) []byte {
	var b bytes.Buffer
	w := func(format string, a ...any) { fmt.Fprintf(&b, format+"\r\n", a...) }
	w("Return-Path: <>")
	w("From: Mail Delivery System <MAILER-DAEMON@mx1.lewisham.gov.uk>")
	w("To: %s", loopInbox)
	w("Subject: Undelivered Mail Returned to Sender")
	w("Date: %s", at.Format(time.RFC1123Z))
	w("Message-ID: <%s>", msgID)
	w("Auto-Submitted: auto-replied")
	w("MIME-Version: 1.0")
	w(`Content-Type: multipart/report; report-type=delivery-status; boundary="dsn-boundary"`)
	w("")
	w("--dsn-boundary")
	w("Content-Description: Notification")
	w("Content-Type: text/plain; charset=us-ascii")
	w("")
	w("This is the mail system at host mx1.lewisham.gov.uk.")
	w("")
	w("I'm sorry to have to inform you that your message could not")
	w("be delivered to one or more recipients.")
	w("")
	w("<%s>: host mail.met.example said: 550 5.1.1 User unknown", finalRcpt)
	w("")
	w("--dsn-boundary")
	w("Content-Description: Delivery report")
	w("Content-Type: message/delivery-status")
	w("")
	w("Reporting-MTA: dns; mx1.lewisham.gov.uk")
	w("X-Postfix-Queue-ID: 4F2A11C0042")
	w("Arrival-Date: %s", at.Add(-time.Minute).Format(time.RFC1123Z))
	w("")
	w("Final-Recipient: rfc822;%s", finalRcpt)
	w("Original-Recipient: rfc822;%s", finalRcpt)
	w("Action: failed")
	w("Status: 5.1.1")
	w("Remote-MTA: dns; mail.met.example")
	w("Diagnostic-Code: smtp; 550 5.1.1 <%s>: Recipient address rejected: User", finalRcpt)
	w("    unknown in virtual mailbox table")
	w("")
	w("--dsn-boundary")
	w("Content-Description: Undelivered Message Headers")
	w("Content-Type: text/rfc822-headers")
	w("")
	w("From: %s", loopInbox)
	w("To: %s", finalRcpt)
	w("Subject: %s", origSubject)
	w("Date: Mon, 07 Dec 2026 11:01:00 +0000")
	w("Message-ID: <%s>", origID)
	w("Auto-Submitted: auto-generated")
	w("")
	w("--dsn-boundary--")
	return b.Bytes()
}

func (e *e2e) deliverBytes(raw []byte, at time.Time) {
	e.t.Helper()
	if err := e.imap.Deliver("INBOX", raw, at); err != nil {
		e.t.Fatal(err)
	}
}

func loopOutbox(t *testing.T, db *sql.DB, where string, args ...any) []string {
	t.Helper()
	rows, err := db.Query(`SELECT kind || ' to ' || recipients || ' [' || status || '] ' || last_error FROM outbox WHERE `+where+` ORDER BY id`, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	return out
}

func TestLoopBounceMarksAddressAndHoldsLaterMail(t *testing.T) {
	e, _, policeReq := loopCase(t)
	db := e.db(t)
	staffBefore := e.sentTo(loopStaff)
	before := len(e.smtp.Messages())

	at := time.Date(2026, 12, 7, 11, 5, 0, 0, time.UTC)
	e.deliverBytes(dsn("dsn-1@mx1.lewisham.gov.uk", policeReq.MessageID, policeReq.Subject, loopPolice, at), at)
	e.run(0, "run", "--once", "--now", "2026-12-07T11:06:00Z")
	e.assertAllSeen(t)

	row, ok := loopMessage(t, db, "dsn-1@mx1.lewisham.gov.uk")
	if !ok {
		t.Fatal("the DSN was not recorded")
	}
	if row.auto != string(mailbox.AutoBounce) || row.disposition != tracker.DispAuto {
		t.Errorf("DSN recorded as auto=%q disposition=%q, want bounce/auto", row.auto, row.disposition)
	}
	var status, detail string
	if err := db.QueryRow(`SELECT status, detail FROM address_status WHERE address = ?`, loopPolice).Scan(&status, &detail); err != nil {
		t.Fatalf("address_status for %s: %v", loopPolice, err)
	}
	if status != "bounced" || !strings.Contains(detail, "5.1.1") {
		t.Errorf("address_status = %q %q, want bounced with 5.1.1", status, detail)
	}
	if n := queryInt(db, `SELECT count(*) FROM address_status`); n != 1 {
		t.Errorf("address_status has %d rows, want only the police", n)
	}
	if got := loopOutbox(t, db, `message_id = ?`, policeReq.MessageID); len(got) != 1 || !strings.Contains(got[0], "[bounced]") {
		t.Errorf("the bounced request in the outbox: %q", got)
	}
	staff := e.sentTo(loopStaff)[len(staffBefore):]
	if len(staff) != 1 {
		t.Fatalf("staff got %d emails about the bounce, want 1: %q", len(staff), subjects(staff))
	}
	if !strings.Contains(staff[0].Text, loopPolice) {
		t.Errorf("the staff note does not name %s:\nSubject: %s\n%s", loopPolice, staff[0].Subject, staff[0].Text)
	}
	if got := e.newSince(before); len(got) != 1 {
		t.Errorf("the bounce caused %s, want only the one staff note", fmtLines(got))
	}
	if n := e.sinkTo("mailer-daemon@mx1.lewisham.gov.uk"); n != 0 {
		t.Errorf("the bouncer was answered %d times", n)
	}
	policeSent := e.sinkTo(loopPolice)

	// At the chaser time the police chaser is held for a person, not sent.
	e.run(0, "run", "--once", "--now", "2026-12-16T09:00:00Z")
	chasers := loopOutbox(t, db, `kind = ? AND agency = ?`, tracker.TmplChaser, loopMetAg)
	if len(chasers) != 1 || !strings.Contains(chasers[0], "[held]") {
		t.Errorf("police chasers in the outbox: %s; want one, held", fmtLines(chasers))
	}
	if n := e.sinkTo(loopPolice); n != policeSent {
		t.Errorf("mail went to the bounced address %s after the bounce: %s", loopPolice, fmtLines(subjects(e.sentTo(loopPolice))))
	}
	others := loopOutbox(t, db, `kind = ? AND agency != ?`, tracker.TmplChaser, loopMetAg)
	if len(others) == 0 {
		t.Errorf("no chasers at all on 16 Dec (the chaser time is wrong, so the hold proves nothing)")
	}
	for _, o := range others {
		if strings.Contains(o, "[held]") {
			t.Errorf("a chaser to an address that did not bounce was held: %s", o)
		}
	}
	if n := e.sinkTo("mailer-daemon@mx1.lewisham.gov.uk"); n != 0 {
		t.Errorf("the bouncer was answered %d times", n)
	}
}

func TestLoopForgedBounceDoesNothing(t *testing.T) {
	e, _, policeReq := loopCase(t)
	db := e.db(t)
	before := len(e.smtp.Messages())

	// The same shape as our Message-IDs (REF.nonce.mac@domain), but a MAC csprbot never made.
	realID := policeReq.MessageID
	at := strings.LastIndexByte(realID, '@')
	dot := strings.LastIndexByte(realID[:at], '.')
	if at < 0 || dot < 0 {
		t.Fatalf("unexpected Message-ID shape %q", realID)
	}
	forged := realID[:dot+1] + strings.Repeat("0", at-dot-1) + realID[at:]
	if forged == realID {
		t.Fatalf("forged ID equals the real one")
	}
	when := time.Date(2026, 12, 7, 11, 5, 0, 0, time.UTC)
	e.deliverBytes(dsn("forged-dsn@mx.attacker.example", forged, policeReq.Subject, loopPolice, when), when)
	// And one quoting an ID of a wholly foreign shape.
	e.deliverBytes(dsn("forged-dsn-2@mx.attacker.example", "LSCP-2026-001.1.2@lewisham.gov.uk", policeReq.Subject, loopPolice, when), when)
	e.run(0, "run", "--once", "--now", "2026-12-07T11:06:00Z")
	e.assertAllSeen(t)

	for _, id := range []string{"forged-dsn@mx.attacker.example", "forged-dsn-2@mx.attacker.example"} {
		row, ok := loopMessage(t, db, id)
		if !ok {
			t.Errorf("forged DSN %s was not recorded", id)
			continue
		}
		if row.auto != string(mailbox.AutoBounce) {
			t.Errorf("forged DSN %s recorded as auto=%q, want bounce", id, row.auto)
		}
	}
	if n := queryInt(db, `SELECT count(*) FROM address_status`); n != 0 {
		t.Errorf("a forged DSN marked %d address(es)", n)
	}
	if n := queryInt(db, `SELECT count(*) FROM audit WHERE event = 'bounce_unmatched'`); n != 2 {
		t.Errorf("audit has %d bounce_unmatched events, want 2", n)
	}
	if got := loopOutbox(t, db, `message_id = ?`, realID); len(got) != 1 || !strings.Contains(got[0], "[sent]") {
		t.Errorf("the real request's outbox row changed: %q", got)
	}
	if got := e.newSince(before); len(got) != 0 {
		t.Errorf("a forged DSN caused mail: %s", fmtLines(got))
	}
}

func TestLoopFloodIsCappedPerAddressPerDay(t *testing.T) {
	e := newE2E(t)
	db := e.db(t)
	const flooder = "someone@unknown.example"
	const n = 45
	base := time.Date(2026, 12, 8, 9, 0, 0, 0, time.UTC)
	var ids []string
	for i := 0; i < n; i++ {
		ids = append(ids, e.deliverRaw(demoMail{from: flooder, subject: fmt.Sprintf("Question %d", i+1),
			body: fmt.Sprintf("Could someone call me back please? (%d)", i+1)}, base.Add(time.Duration(i)*time.Minute)))
	}
	e.run(0, "run", "--once", "--now", "2026-12-08T10:00:00Z")
	e.assertAllSeen(t)

	var recorded int
	for _, id := range ids {
		if _, ok := loopMessage(t, db, id); ok {
			recorded++
		}
	}
	if recorded != n {
		t.Errorf("%d of %d flood messages recorded", recorded, n)
	}
	if got := e.sinkTo(flooder); got != 0 {
		t.Errorf("%d message(s) went to the flooding sender", got)
	}
	// Past the cap the notes to staff are not held (issue 9.7: the cap stops loops with
	// outside addresses, and staff must hear): they wait to be gathered into one summary.
	notes := loopOutbox(t, db, `kind = ?`, tracker.TmplStaffAttention)
	var waiting, other int
	for _, o := range notes {
		switch {
		case strings.Contains(o, "[coalesce]"):
			waiting++
		case strings.Contains(o, "[sent]"):
		default:
			other++
		}
	}
	sent := e.sinkTo(loopStaff)
	if len(notes) != n || sent != tracker.MaxPerAddressPerDay || waiting != n-tracker.MaxPerAddressPerDay || other != 0 {
		t.Errorf("flood of %d: %d staff notes queued, %d reached staff, %d waiting for the summary, %d neither; want %d, %d, %d, 0\nsink: %s",
			n, len(notes), sent, waiting, other, n, tracker.MaxPerAddressPerDay, n-tracker.MaxPerAddressPerDay, fmtLines(e.sinkLines()))
	}
	// Within the hour nothing more goes; after it, one summary carries the rest.
	e.run(0, "run", "--once", "--now", "2026-12-08T10:30:00Z")
	if got := e.sinkTo(loopStaff); got != sent {
		t.Errorf("a second run within the hour sent %d more staff emails", got-sent)
	}
	e.run(0, "run", "--once", "--now", "2026-12-08T11:30:00Z")
	if got := e.sinkTo(loopStaff); got != sent+1 {
		t.Errorf("an hour later %d more staff emails, want 1 summary", got-sent)
	}
	for _, o := range loopOutbox(t, db, `kind = ?`, tracker.TmplStaffAttention) {
		if !strings.Contains(o, "[sent]") && !strings.Contains(o, "[coalesced]") {
			t.Errorf("a staff note neither sent nor sent in the summary: %s", o)
		}
	}
	if got := e.sinkTo(flooder); got != 0 {
		t.Errorf("%d message(s) went to the flooding sender", got)
	}
}

// A DSN that quotes a real Message-ID of ours (anyone who received that email knows it)
// but names a different address as the failed recipient must not mark that address: the
// request to the police never went to CSC, so a "bounce" of it cannot say CSC is dead.
func TestLoopBounceOnlyMarksTheEmailsRecipients(t *testing.T) {
	e, _, policeReq := loopCase(t)
	db := e.db(t)
	when := time.Date(2026, 12, 7, 11, 5, 0, 0, time.UTC)
	e.deliverBytes(dsn("mismatched-dsn@mx.met.example", policeReq.MessageID, policeReq.Subject, loopCSC, when), when)
	e.run(0, "run", "--once", "--now", "2026-12-07T11:06:00Z")
	var marked []string
	rows, err := db.Query(`SELECT address || ' ' || status FROM address_status ORDER BY address`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var s string
		rows.Scan(&s)
		marked = append(marked, s)
	}
	rows.Close()
	for _, m := range marked {
		if strings.HasPrefix(m, loopCSC+" ") {
			t.Errorf("a DSN of the police request marked %s, to which that email never went; address_status: %s", loopCSC, fmtLines(marked))
		}
	}
	// Nor is CSC's chaser held because of it.
	e.run(0, "run", "--once", "--now", "2026-12-16T09:00:00Z")
	if got := loopOutbox(t, db, `kind = ? AND agency = ?`, tracker.TmplChaser, loopCSCAg); len(got) != 1 || !strings.Contains(got[0], "[sent]") {
		t.Errorf("CSC chaser: %s; want one, sent", fmtLines(got))
	}
}
