package main

import (
	"bytes"
	"context"
	"fmt"
	"github.com/lewisham-lscp/csprbot/tracker"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
)

// Issue 8, second reader: the promises tried from outside (the real command line, the
// in-process IMAP server, the strict SMTP sink) by routes the authors' tests do not take.
// Each test here is expected to fail until the defect it names is fixed.

// reader8Reply delivers an agency's reply to our scoping request and runs one cycle.
func reader8Reply(e *e2e, from, inReplyTo, subject string, attach []byte, at string) {
	e.t.Helper()
	e.deliver(at, demoMail{from: from, subject: "RE: " + subject, inReplyTo: inReplyTo,
		body: "Attached.", attachName: "return.docx", attach: attach})
	e.run(0, "run", "--once", "--now", at)
}

// Promise 4: csprbot's own Appendix 3, sent back as it came (the first example of
// "returns filed without looking at them"), is not a return. The authors' test feeds the
// tracker a hand-made field map; here the real generated form goes through the real
// parser.
func TestReader8OwnBlankFormSentBackIsNotAReturn(t *testing.T) {
	e, _, police := loopCase(t)
	var form []byte
	for _, a := range police.Attachments {
		if strings.HasSuffix(strings.ToLower(a.Name), ".docx") {
			form = a.Data
		}
	}
	if form == nil {
		t.Fatalf("the scoping request carries no .docx")
	}
	reader8Reply(e, loopPolice, police.MessageID, police.Subject, form, "2026-12-09T14:30:00Z")
	if r := loopReturn(t, e, "2026-12-09T15:00:00Z", "Metropolitan Police Service"); r.Status != "awaiting" {
		t.Errorf("the police sent back csprbot's own blank form: return status %q, want awaiting", r.Status)
	}
}

// Promise 4: a form printed with another case's reference is held. People write the
// reference with spaces ("LSCP 2026 099"); neither the parser nor the tracker sees a
// reference there, so another case's form is filed, thanked and counted as this case's.
func TestReader8OtherCaseRefWrittenWithSpacesIsHeld(t *testing.T) {
	for _, printed := range []string{"LSCP 2026 099", "LSCP2026099", "LSCP-2026-99"} {
		t.Run(strings.ReplaceAll(printed, " ", "_"), func(t *testing.T) {
			e, _, police := loopCase(t)
			reader8Reply(e, loopPolice, police.MessageID, police.Subject, demoScopingReturn(printed, ""), "2026-12-09T14:30:00Z")
			if r := loopReturn(t, e, "2026-12-09T15:00:00Z", "Metropolitan Police Service"); r.Status != "awaiting" {
				t.Errorf("a form printed with case reference %q (not %s) was filed as the police return: status %q, want awaiting (held for a person)", printed, loopRef, r.Status)
			}
		})
	}
}

// Promise 5: a From header that is malformed is read strictly, never resolved to the
// friendlier address. A From holding two addresses (the directory's in angle brackets
// first and the real sender after it; an angle address with a domain after it; two
// authors; two From fields) is read as the agency, at most noted, and the stranger's form
// counts as the police return.
func TestReader8MalformedFromIsNotResolvedToTheAgency(t *testing.T) {
	for _, c := range []struct{ from, second string }{
		{from: "<" + loopPolice + "> stranger@evil.example"},
		{from: "Police <" + loopPolice + "> <stranger@evil.example"}, // held when written: read as the stranger
		{from: "\"Police\" <" + loopPolice + ">@evil.example"},
		{from: loopPolice + ", stranger@evil.example"},      // two authors: not one sender
		{from: loopPolice, second: "stranger@evil.example"}, // two From fields
	} {
		t.Run(c.from+" "+c.second, func(t *testing.T) {
			e, _, police := loopCase(t)
			m := demoMail{from: c.from, subject: "RE: " + police.Subject, inReplyTo: police.MessageID,
				body: "Attached.", attachName: "return.docx", attach: demoScopingReturn(loopRef, "ET")}
			if c.second != "" {
				m.headers = map[string]string{"From": c.second}
			}
			e.deliver("2026-12-09T14:30:00Z", m)
			e.run(0, "run", "--once", "--now", "2026-12-09T14:30:00Z")
			if r := loopReturn(t, e, "2026-12-09T15:00:00Z", "Metropolitan Police Service"); r.Status != "awaiting" {
				t.Errorf("From: %s (second From: %q) filed the police return (status %q); a malformed From must not be resolved to the directory's address", c.from, c.second, r.Status)
			}
		})
	}
}

// Promise 8: commands other than run/init/demo never silently create a store. A store
// file that is there but empty (a failed restore, a truncated copy, `touch`) is taken
// for a store: `csprbot cases` writes a fresh schema into it, and `run` then reads the
// mailbox afresh and answers every message a second time.
func TestReader8EmptyStoreFileIsNotSilentlyMadeANewStore(t *testing.T) {
	e := newE2E(t)
	at := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
	e.deliverRaw(demoMail{from: "safeguarding@lgt-nhs.example", subject: "Referral", body: "Referral attached",
		attachName: "referral.docx", attach: referralFor("")}, at)
	e.run(0, "run", "--once", "--now", "2026-12-07T10:05:00Z")
	acks := e.sinkTo("safeguarding@lgt-nhs.example")
	if acks != 1 {
		t.Fatalf("acknowledgements = %d, want 1", acks)
	}
	for _, p := range []string{e.dbPath(), e.dbPath() + "-wal", e.dbPath() + "-shm"} {
		if err := os.Truncate(p, 0); err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
	}
	var out, errb bytes.Buffer
	code := Main(context.Background(), []string{"cases", "--config", e.cfg}, &out, &errb)
	if code != 2 {
		t.Errorf("csprbot cases on an empty store file = exit %d (stdout %q, stderr %q); want exit 2, as for a missing store", code, out.String(), errb.String())
	}
	out.Reset()
	errb.Reset()
	Main(context.Background(), []string{"run", "--once", "--now", "2026-12-07T10:30:00Z", "--config", e.cfg}, &out, &errb)
	if n := e.sinkTo("safeguarding@lgt-nhs.example"); n != acks {
		t.Errorf("after the store file was emptied, `run --once` answered the referral again: %d acknowledgements, want %d", n, acks)
	}
}

// Promise 2: a readable referral in generated mail opens its case. E-form systems mark
// their mail X-Auto-Response-Suppress: All (to keep out-of-office replies away); when an
// Exchange Inbox rule forwards it on to the partnership, Exchange adds
// X-MS-Exchange-Inbox-Rules-Loop. csprbot takes that pair for an out-of-office reply,
// and out-of-office replies are never acted on, nor even sent to triage: the referral
// opens no case and no person is told.
func TestReader8RuleForwardedEformReferralOpensACase(t *testing.T) {
	e := newE2E(t)
	at := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
	id := e.deliverRaw(demoMail{from: "noreply@eforms.lewisham.gov.uk", subject: "New referral", body: "Referral attached",
		headers:    map[string]string{"X-Auto-Response-Suppress": "All", "X-MS-Exchange-Inbox-Rules-Loop": "mash@lewisham.gov.uk"},
		attachName: "referral.docx", attach: referralFor("Fern Ruleforward")}, at)
	e.run(0, "run", "--once", "--now", "2026-12-07T10:10:00Z")
	db := openStore(t, e.dbPath())
	var disp, auto string
	db.QueryRow(`SELECT coalesce(disposition, ''), auto FROM messages WHERE message_id = ?`, id).Scan(&disp, &auto)
	if got := queryInt(db, `SELECT count(*) FROM cases`); got != 1 {
		t.Errorf("a readable referral forwarded by an Exchange rule from an e-form system opened %d cases, want 1 (recorded as auto=%q, disposition %q)", got, auto, disp)
	}
	if got := queryInt(db, `SELECT count(*) FROM outbox WHERE kind IN ('staff_attention', 'staff_new_referral')`); got == 0 {
		t.Errorf("no person was told of the referral (auto=%q, disposition %q)", auto, disp)
	}
	if got := e.sinkTo("noreply@eforms.lewisham.gov.uk"); got != 0 {
		t.Errorf("%d emails to the e-form system", got)
	}
}

// Promise 2: odd subjects do not hide a referral. A person who writes "Annual leave -
// urgent referral before I go" (or "On leave: ...") is read as an out-of-office reply by
// the subject alone; the readable referral attached opens no case and reaches no one.
func TestReader8ReferralWithLeaveSubjectOpensACase(t *testing.T) {
	for _, subject := range []string{"Annual leave - urgent referral attached before I go", "On leave: referral for the child we discussed"} {
		t.Run(subject, func(t *testing.T) {
			e := newE2E(t)
			at := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
			id := e.deliverRaw(demoMail{from: "safeguarding@lgt-nhs.example", subject: subject, body: "Referral attached",
				attachName: "referral.docx", attach: referralFor("Gail Leavesubject")}, at)
			e.run(0, "run", "--once", "--now", "2026-12-07T10:10:00Z")
			db := openStore(t, e.dbPath())
			var disp, auto string
			db.QueryRow(`SELECT coalesce(disposition, ''), auto FROM messages WHERE message_id = ?`, id).Scan(&disp, &auto)
			if got := queryInt(db, `SELECT count(*) FROM cases`); got != 1 {
				t.Errorf("a readable referral with subject %q opened %d cases, want 1 (recorded as auto=%q, disposition %q)", subject, got, auto, disp)
			}
		})
	}
}

// Promise 7 (held when written): every header line csprbot sends stays within 998
// octets, whatever the message it answers carried: a 240-octet Message-ID, 80 long
// References on one line, a 3,000-character non-ASCII subject, a 900-character file name.
func TestReader8LongHeadersInAnsweredMail(t *testing.T) {
	e := newE2E(t)
	at := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
	long := func(i int) string { return fmt.Sprintf("%03d.%s@scanner.lgt-nhs.example", i, strings.Repeat("x", 200)) }
	var refs []string
	for i := 0; i < 80; i++ {
		refs = append(refs, "<"+long(i)+">")
	}
	m := demoMail{from: "safeguarding@lgt-nhs.example", subject: strings.Repeat("Überweisung für das Kind ", 120), body: "Referral attached",
		headers:    map[string]string{"References": strings.Join(refs, " ")},
		attachName: strings.Repeat("Referral form ", 64) + ".docx", attach: referralFor("")}
	raw := m.raw("safeguardingpartnership@lewisham.gov.uk", at, 1)
	raw = bytes.Replace(raw, []byte("<demo-1."), []byte("<"+strings.Repeat("y", 200)+".demo-1."), 1)
	if err := e.imap.Deliver("INBOX", raw, at); err != nil {
		t.Fatal(err)
	}
	e.run(0, "run", "--once", "--now", "2026-12-07T10:10:00Z")
	if n := e.sinkTo("safeguarding@lgt-nhs.example"); n != 1 {
		t.Fatalf("acknowledgements = %d, want 1", n)
	}
	for _, r := range e.smtp.Messages() {
		for _, l := range strings.Split(string(r.Data), "\r\n") {
			if len(l) > 998 {
				t.Errorf("a line of %d octets in mail to %v: %.80s…", len(l), r.To, l)
			}
		}
	}
}

// Promise 1: a message that kills or stalls processing twice is quarantined. Attempts
// are counted per (mailbox, UIDVALIDITY, UID): when the mailbox gets a new UIDVALIDITY
// between the two deaths (a server restored, a mailbox recreated, as the outage tests
// do), the same message starts again from nothing, and is read a third time instead of
// being set aside.
func TestReader8PoisonCountSurvivesANewUIDValidity(t *testing.T) {
	e := newE2E(t)
	at := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
	e.deliverRaw(demoMail{from: "someone@lewisham.gov.uk", subject: "hello", body: "first"}, at)
	e.run(0, "run", "--once", "--now", "2026-12-07T10:05:00Z")
	db := openStore(t, e.dbPath())
	e.n++
	poison := demoMail{from: "scanner@lewisham.gov.uk", subject: "scan", body: "see attached",
		attachName: "scan.docx", attach: []byte("PK this killed the reader")}.raw("safeguardingpartnership@lewisham.gov.uk", at.Add(time.Minute), e.n)
	if err := e.imap.Deliver("INBOX", poison, at.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	death := func(uid int) {
		t.Helper()
		c, err := imapclient.DialInsecure(e.imap.Addr, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		if err := c.Login(e.imap.User, e.imap.Password).Wait(); err != nil {
			t.Fatal(err)
		}
		sel, err := c.Select("INBOX", &imap.SelectOptions{ReadOnly: true}).Wait()
		if err != nil {
			t.Fatal(err)
		}
		// What a reader that stalled and was killed leaves: one slow, unfinished attempt.
		if _, err := db.Exec(`INSERT INTO intake_attempts(key, mailbox, uidvalidity, uid, attempts, slow, first_at, last_at) VALUES (?, 'INBOX', ?, ?, 1, 1, '2026-12-07T10:06:00Z', '2026-12-07T10:07:00Z')
			ON CONFLICT(key) DO UPDATE SET attempts = attempts + 1, slow = slow + 1, uidvalidity = excluded.uidvalidity, uid = excluded.uid`,
			tracker.AttemptKey(poison, "INBOX", sel.UIDValidity, uint32(uid)), sel.UIDValidity, uid); err != nil {
			t.Fatal(err)
		}
	}
	death(2) // the first death, under the first UIDVALIDITY
	if err := e.imap.RecreateMailbox("INBOX"); err != nil {
		t.Fatal(err)
	}
	if err := e.imap.Deliver("INBOX", poison, at.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	death(1) // the second, after the mailbox came back with a new UIDVALIDITY
	e.run(0, "run", "--once", "--now", "2026-12-07T10:10:00Z")
	if got := queryInt(db, `SELECT count(*) FROM messages WHERE message_id = ? AND disposition = 'quarantined'`, messageIDOf(poison)); got != 1 {
		var disp string
		db.QueryRow(`SELECT coalesce(disposition, '') FROM messages WHERE message_id = ?`, messageIDOf(poison)).Scan(&disp)
		t.Errorf("a message that died twice (once before and once after a new UIDVALIDITY) was read a third time (disposition %q), not quarantined", disp)
	}
}

// Promise 2 (issue 8 §2): anything csprbot did not act on is counted in the weekly
// digest's triage line. Mail from an unknown sender and a message set aside are recorded
// and staff are told once, but the digest says nothing of them: a notice missed is never
// seen again.
func TestReader8DigestCountsWhatWasNotActedOn(t *testing.T) {
	e := newE2E(t)
	at := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
	for i := 0; i < 3; i++ {
		e.deliverRaw(demoMail{from: fmt.Sprintf("unknown%d@elsewhere.example", i), subject: "Concern about a child", body: "Please call me."}, at.Add(time.Duration(i)*time.Minute))
	}
	e.run(0, "run", "--once", "--now", "2026-12-07T10:10:00Z")
	db := openStore(t, e.dbPath())
	if got := queryInt(db, `SELECT count(*) FROM messages WHERE disposition = 'triage'`); got != 3 {
		t.Fatalf("triage messages = %d, want 3", got)
	}
	out := e.run(0, "digest", "--now", "2026-12-14T09:00:00Z")
	if !strings.Contains(strings.ToLower(out), "triage") {
		t.Errorf("the digest has no triage line for the 3 messages csprbot did not act on:\n%s", out)
	}
}

// Promise 4 (the "will send the completed form next week"): a reply that says the
// agency is still looking is not its return. Read as a nil return, a provisional answer
// stops the chasing and meets the deadline: the agency that promised to confirm by Friday
// is never asked again.
func TestReader8ProvisionalNilReturnIsNotTheReturn(t *testing.T) {
	for _, body := range []string{
		"Not known to us at this stage - we are still checking our records and will confirm by Friday.",
		"No involvement with the child or family as far as I can see, but our health visiting records are still being checked.",
	} {
		t.Run(body[:30], func(t *testing.T) {
			e, _, police := loopCase(t)
			e.deliver("2026-12-09T14:30:00Z", demoMail{from: loopPolice, subject: "RE: " + police.Subject, inReplyTo: police.MessageID, body: body})
			e.run(0, "run", "--once", "--now", "2026-12-09T14:30:00Z")
			if r := loopReturn(t, e, "2026-12-09T15:00:00Z", "Metropolitan Police Service"); r.Status != "awaiting" {
				t.Errorf("the police wrote %q: return status %q, want awaiting (a person reads it; chasing goes on)", body, r.Status)
			}
		})
	}
}

// Beyond the eight promises, the same family ("returns filed without looking at them"): a
// reply that says the agency knows the child is filed as a nil return ("child and family
// not known to the agency"), the deadline met and chasing stopped, whenever one clause of
// it says the family (or an old period) is not known.
func TestReader8InvolvementIsNotReadAsANilReturn(t *testing.T) {
	for _, body := range []string{
		"Family not known to police; the child was reported missing twice in 2026.",
		"No involvement with the family since 2019; the child was seen in A&E last month.",
		"The child is not unknown to us: there were two referrals in 2025. Full form to follow.",
	} {
		t.Run(body[:30], func(t *testing.T) {
			e, _, police := loopCase(t)
			e.deliver("2026-12-09T14:30:00Z", demoMail{from: loopPolice, subject: "RE: " + police.Subject, inReplyTo: police.MessageID, body: body})
			e.run(0, "run", "--once", "--now", "2026-12-09T14:30:00Z")
			if r := loopReturn(t, e, "2026-12-09T15:00:00Z", "Metropolitan Police Service"); r.Status == "nil_return" {
				t.Errorf("the police wrote %q and it was filed as a nil return (child and family not known)", body)
			}
		})
	}
}
