package main

import (
	"strings"

	"github.com/lewisham-lscp/csprbot/tracker"
	"testing"
	"time"
)

// Issue 8 from outside: the real command line against the in-process IMAP server and the
// strict SMTP sink, one `run --once` at a time.

// A message whose reading died twice after reading for a while (two unfinished slow
// attempts, as an out-of-memory kill or a hang leaves them) is recorded unread for a person, marked done, staff are
// told, and the referral queued behind it still opens its case.
func TestPoisonMessageIsQuarantinedAndIntakeGoesOn(t *testing.T) {
	e := newE2E(t)
	at := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
	e.deliverRaw(demoMail{from: "someone@lewisham.gov.uk", subject: "hello", body: "first"}, at)
	e.run(0, "run", "--once", "--now", "2026-12-07T10:05:00Z")
	db := openStore(t, e.dbPath())
	uidv := queryInt(db, `SELECT uidvalidity FROM cursors WHERE mailbox = 'INBOX'`)

	poison := e.deliverRaw(demoMail{from: "scanner@lewisham.gov.uk", subject: "scan", body: "see attached",
		attachName: "scan.docx", attach: []byte("PK this killed the reader twice")}, at.Add(time.Minute))
	referral := e.deliverRaw(demoMail{from: "dsl@lgt-nhs.example", subject: "Referral", body: "Referral attached",
		attachName: "referral.docx", attach: referralFor("")}, at.Add(2*time.Minute))
	msgs, err := e.imap.Messages("INBOX")
	if err != nil {
		t.Fatal(err)
	}
	var raw []byte
	for _, m := range msgs {
		if messageIDOf(m.Raw) == poison {
			raw = m.Raw
		}
	}
	if _, err := db.Exec(`INSERT INTO intake_attempts(key, mailbox, uidvalidity, uid, attempts, slow, first_at, last_at) VALUES (?, 'INBOX', ?, 2, 2, 2, '2026-12-07T10:06:00Z', '2026-12-07T10:07:00Z')`,
		tracker.AttemptKey(raw, "INBOX", uint32(uidv), 2), uidv); err != nil {
		t.Fatal(err)
	}
	e.run(0, "run", "--once", "--now", "2026-12-07T10:10:00Z")

	if got := queryInt(db, `SELECT count(*) FROM messages WHERE message_id = ? AND disposition = 'quarantined'`, poison); got != 1 {
		t.Errorf("quarantined records of the poison message = %d, want 1", got)
	}
	if got := queryInt(db, `SELECT count(*) FROM messages WHERE message_id = ? AND disposition = 'referral'`, referral); got != 1 {
		t.Errorf("the referral behind the poison message was not opened as a case")
	}
	for _, id := range []string{poison, referral} {
		if present, seen := e.seen(id); !present || !seen {
			t.Errorf("%s in INBOX = %v, seen = %v; want marked done", id, present, seen)
		}
	}
	if got := queryInt(db, `SELECT count(*) FROM intake_attempts`); got != 0 {
		t.Errorf("attempt rows left = %d, want 0", got)
	}
	if got := queryInt(db, `SELECT count(*) FROM outbox WHERE kind = 'staff_attention' AND recipients LIKE '%strategic.lead%'`); got < 1 {
		t.Errorf("staff were not told of the quarantined message")
	}
}

// A referral that arrives through a list or an e-form system, or whose subject begins
// "Auto-referral", opens its case; the machine that sent it gets no acknowledgement.
func TestReferralInAutomaticMailOpensACase(t *testing.T) {
	e := newE2E(t)
	at := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
	ids := []string{
		e.deliverRaw(demoMail{from: "lists@lewisham.gov.uk", subject: "Referral", body: "Referral attached",
			headers:    map[string]string{"List-Id": "<safeguarding.lewisham.gov.uk>", "Precedence": "list"},
			attachName: "referral.docx", attach: referralFor("Alfie Listmail")}, at),
		e.deliverRaw(demoMail{from: "noreply@eforms.lewisham.gov.uk", subject: "New referral", body: "Referral attached",
			headers:    map[string]string{"Auto-Submitted": "auto-generated"},
			attachName: "referral.docx", attach: referralFor("Bella Eform")}, at.Add(time.Minute)),
		e.deliverRaw(demoMail{from: "dsl@lgt-nhs.example", subject: "Auto-referral: serious incident", body: "Referral attached",
			attachName: "referral.docx", attach: referralFor("Carl Autoref")}, at.Add(2*time.Minute)),
	}
	e.run(0, "run", "--once", "--now", "2026-12-07T10:10:00Z")
	db := openStore(t, e.dbPath())
	for _, id := range ids {
		if got := queryInt(db, `SELECT count(*) FROM messages WHERE message_id = ? AND case_id IS NOT NULL`, id); got != 1 {
			t.Errorf("referral %s opened no case", id)
		}
	}
	if got := queryInt(db, `SELECT count(*) FROM cases`); got != 3 {
		t.Errorf("cases = %d, want 3", got)
	}
	if got := e.sinkTo("lists@lewisham.gov.uk") + e.sinkTo("noreply@eforms.lewisham.gov.uk"); got != 0 {
		t.Errorf("%d emails sent to automatic senders, want 0", got)
	}
	if got := e.sinkTo("dsl@lgt-nhs.example"); got != 1 {
		t.Errorf("acknowledgements to the person whose subject said Auto-referral = %d, want 1", got)
	}
}

// A second, different referral that reuses a Message-ID is its own case; the same message
// delivered again is a duplicate.
func TestReusedMessageIDOpensItsOwnCase(t *testing.T) {
	e := newE2E(t)
	at := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
	one := demoMail{from: "scanner@lgt-nhs.example", subject: "Referral", body: "Referral attached",
		headers: map[string]string{}, attachName: "referral.docx", attach: referralFor("Dora First")}
	two := one
	two.attach = referralFor("Evan Second")
	for i, m := range []demoMail{one, two, one} {
		raw := m.raw("safeguardingpartnership@lewisham.gov.uk", at, 1) // the same Message-ID each time
		if err := e.imap.Deliver("INBOX", raw, at.Add(time.Duration(i)*time.Minute)); err != nil {
			t.Fatal(err)
		}
	}
	e.run(0, "run", "--once", "--now", "2026-12-07T10:10:00Z")
	db := openStore(t, e.dbPath())
	if got := queryInt(db, `SELECT count(*) FROM cases`); got != 2 {
		t.Errorf("cases = %d, want 2 (the third message is the first again)", got)
	}
	if got := queryInt(db, `SELECT count(*) FROM messages`); got != 2 {
		t.Errorf("messages recorded = %d, want 2", got)
	}
}

// An address typed into a referral never receives case material: not the scoping
// request, not the invitation, not the papers.
func TestTypedAddressReceivesNothing(t *testing.T) {
	e := newE2E(t)
	at := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
	// The education lead's row becomes a school the directory does not know, with an
	// address in the partnership's own domain typed beside it.
	school := docxReplace(referralFor(""), strings.NewReplacer("Lewisham Education Safeguarding", "Hilltop Primary School",
		"education.safeguarding@lewisham.gov.uk", "head.teacher@lewisham.gov.uk"))
	e.deliverRaw(demoMail{from: "dsl@lgt-nhs.example", subject: "Referral", body: "Referral attached",
		attachName: "referral.docx", attach: school}, at)
	e.run(0, "run", "--once", "--now", "2026-12-07T10:05:00Z")
	out := e.run(0, "cases")
	ref := strings.Fields(strings.Split(strings.TrimSpace(out), "\n")[len(strings.Split(strings.TrimSpace(out), "\n"))-1])[0]
	e.run(0, "case", ref, "scoping", "--now", "2026-12-07T11:00:00Z")
	e.run(0, "case", ref, "meeting", "2026-12-16T10:00:00Z", "--now", "2026-12-08T10:00:00Z")
	e.run(0, "run", "--once", "--now", "2026-12-15T09:05:00Z")
	db := openStore(t, e.dbPath())
	typed := queryInt(db, `SELECT count(*) FROM case_agencies WHERE suggested_email != ''`)
	for _, m := range e.smtp.Messages() {
		for _, to := range m.To {
			if !strings.HasSuffix(to, "lewisham.gov.uk") && !strings.HasSuffix(to, ".example") {
				t.Errorf("mail to %s", to)
			}
		}
	}
	rows, err := db.Query(`SELECT suggested_email FROM case_agencies WHERE suggested_email != ''`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var addr string
		rows.Scan(&addr)
		if n := e.sinkTo(addr); n != 0 {
			t.Errorf("%d emails to %s, an address typed into the referral", n, addr)
		}
	}
	if typed != 1 || e.sinkTo("head.teacher@lewisham.gov.uk") != 0 {
		t.Errorf("typed suggestions = %d, mail to the typed address = %d; want 1 and 0", typed, e.sinkTo("head.teacher@lewisham.gov.uk"))
	}
	if got := queryInt(db, `SELECT count(*) FROM outbox WHERE kind = 'meeting_invite'`); got == 0 {
		t.Errorf("no invitations were sent at all: the test proves nothing")
	}
}
