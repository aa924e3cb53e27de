package main

// Outages (issue 5, guarantee 2), each on the running daemon: the IMAP server goes away
// and comes back, the mailbox is recreated with a new UIDVALIDITY, the SMTP server
// refuses (4xx) for minutes or for hours (staff are told), rejects one recipient (5xx) or
// hangs, and SQLite is locked by another connection. The IMAP and SQLite cases run `csprbot run` through Main; the SMTP cases
// run the same app.daemon loop on a clock the test moves (startTestDaemon), because the
// outbox backs off in minutes.

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"
)

const staffAddr = "strategic.lead@lewisham.gov.uk"

// triageMail is mail from a stranger: recorded for staff, who are told; never answered.
func triageMail(i int) demoMail {
	return demoMail{from: "someone@elsewhere.example", subject: "A question " + string(rune('A'+i)), body: "Hello, who do I talk to?"}
}

// recordedAndSeen waits until every message is recorded exactly once and \Seen.
func recordedAndSeen(t *testing.T, e *e2e, db *sql.DB, within time.Duration, ids ...string) {
	t.Helper()
	eventually(t, within, "messages recorded once and marked \\Seen", func() (bool, string) {
		for _, id := range ids {
			n := queryInt(db, `SELECT count(*) FROM messages WHERE message_id = ?`, id)
			present, seen := e.seen(id)
			if n != 1 || !present || !seen {
				return false, id + ": recorded " + itoa(n) + " times, in mailbox " + yn(present) + ", \\Seen " + yn(seen)
			}
		}
		return true, ""
	})
}

func itoa(n int) string { return strconv.Itoa(n) }
func yn(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// fastIMAP makes the watcher poll every second (the default is 30 s).
func fastIMAP(cfg string) string { return withKeys(cfg, "imap", `poll_interval = "1s"`) }

func TestOutageIMAPServerRestarts(t *testing.T) {
	if testing.Short() {
		t.Skip("outage test in -short")
	}
	t.Parallel() // mostly waiting: runs beside the other long outage test
	e := newE2E(t)
	e.rewriteConfig(fastIMAP)
	db := openStore(t, e.dbPath())
	d := startMain(t, "run", "--config", e.cfg, "--now", "2026-12-07T10:00:00Z")
	eventually(t, 5*time.Second, "the daemon watches the mailbox", func() (bool, string) {
		return d.log.count("imap: watching mailbox") == 1, d.log.String()
	})
	at := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
	first := e.deliverRaw(triageMail(0), at)
	recordedAndSeen(t, e, db, 5*time.Second, first)

	// A short outage: the server drops every connection and listens again at once; mail
	// arrives before the daemon is back.
	if err := e.imap.Restart(); err != nil {
		t.Fatal(err)
	}
	second := e.deliverRaw(triageMail(1), at.Add(time.Minute))
	recordedAndSeen(t, e, db, 8*time.Second, second)
	eventually(t, 3*time.Second, "one line for the outage and one for the recovery", func() (bool, string) {
		return d.log.count("imap: mailbox unavailable") == 1 && d.log.count("imap: connection restored") == 1, d.log.String()
	})

	// A longer outage: several reconnection attempts fail while mail piles up.
	if err := e.imap.Stop(); err != nil {
		t.Fatal(err)
	}
	third := e.deliverRaw(triageMail(2), at.Add(2*time.Minute))
	fourth := e.deliverRaw(triageMail(3), at.Add(3*time.Minute))
	eventually(t, 3*time.Second, "the daemon notices the second outage", func() (bool, string) {
		return d.log.count("imap: mailbox unavailable") == 2, d.log.String()
	})
	time.Sleep(3500 * time.Millisecond) // the outage: at least two failed reconnections (1 s, then 2 s back-off)
	if code, gone := d.exited(); gone {
		t.Fatalf("the daemon stopped (exit %d) during the IMAP outage; log:\n%s", code, d.log.String())
	}
	if err := e.imap.Start(); err != nil {
		t.Fatal(err)
	}
	recordedAndSeen(t, e, db, 10*time.Second, third, fourth)

	if n := d.log.count("imap: mailbox unavailable"); n != 2 {
		t.Errorf("%d 'mailbox unavailable' lines for 2 outages, want one per outage, not one per retry; log:\n%s", n, d.log.String())
	}
	if n := d.log.count("imap: connection restored"); n != 2 {
		t.Errorf("%d 'connection restored' lines for 2 outages, want 2; log:\n%s", n, d.log.String())
	}
	if n := queryInt(db, `SELECT count(*) FROM messages`); n != 4 {
		t.Errorf("store holds %d messages, want 4", n)
	}
}

func TestOutageMailboxRecreated(t *testing.T) {
	if testing.Short() {
		t.Skip("outage test in -short")
	}
	e := newE2E(t)
	e.rewriteConfig(fastIMAP)
	db := openStore(t, e.dbPath())
	d := startMain(t, "run", "--config", e.cfg, "--now", "2026-12-07T10:00:00Z")
	at := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
	var raws [][]byte
	var ids []string
	for i := range 2 {
		e.n++
		raw := triageMail(i).raw("safeguardingpartnership@lewisham.gov.uk", at.Add(time.Duration(i)*time.Minute), e.n)
		if err := e.imap.Deliver("INBOX", raw, at.Add(time.Duration(i)*time.Minute)); err != nil {
			t.Fatal(err)
		}
		raws, ids = append(raws, raw), append(ids, messageIDOf(raw))
	}
	recordedAndSeen(t, e, db, 6*time.Second, ids...)
	eventually(t, 3*time.Second, "the staff notices for the two messages are queued", func() (bool, string) {
		n := queryInt(db, `SELECT count(*) FROM outbox WHERE kind != 'digest'`)
		return n == 2, itoa(n) + " outbox rows"
	})
	var validity1 int
	_ = db.QueryRow(`SELECT uidvalidity FROM cursors WHERE mailbox = 'INBOX'`).Scan(&validity1)

	// The mailbox is deleted and made again (new UIDVALIDITY): the old messages come back
	// with new UIDs, unread, beside a new one.
	if err := e.imap.RecreateMailbox("INBOX"); err != nil {
		t.Fatal(err)
	}
	for i, raw := range raws {
		if err := e.imap.Deliver("INBOX", raw, at.Add(time.Duration(i)*time.Minute)); err != nil {
			t.Fatal(err)
		}
	}
	third := e.deliverRaw(triageMail(2), at.Add(5*time.Minute))
	recordedAndSeen(t, e, db, 8*time.Second, append(ids, third)...)

	var validity2 int
	_ = db.QueryRow(`SELECT uidvalidity FROM cursors WHERE mailbox = 'INBOX'`).Scan(&validity2)
	if validity2 == validity1 {
		t.Errorf("cursor UIDVALIDITY still %d after the mailbox was recreated", validity1)
	}
	if n := queryInt(db, `SELECT count(*) FROM messages`); n != 3 {
		t.Errorf("store holds %d messages, want 3 (the old two once each, and the new one)", n)
	}
	// Reprocessing an old message would queue a second staff notice for it.
	if n := queryInt(db, `SELECT count(*) FROM outbox WHERE kind != 'digest'`); n != 3 {
		t.Errorf("outbox holds %d emails, want 3 (one notice per message; old messages not reprocessed)", n)
	}
	if code, gone := d.exited(); gone {
		t.Fatalf("the daemon stopped (exit %d); log:\n%s", code, d.log.String())
	}
}

// senderLines are the log lines about outgoing mail at WARN or ERROR.
func senderLines(log *syncBuffer) []string {
	var out []string
	for _, l := range log.Lines() {
		if (strings.Contains(l, "level=WARN") || strings.Contains(l, "level=ERROR")) && !strings.Contains(l, "component=imap") {
			out = append(out, l)
		}
	}
	return out
}

// smtpOutage starts the daemon with the SMTP server refusing with code and delivers a
// referral: the common start of the SMTP outage tests.
func smtpOutage(t *testing.T, code int, msg string) (*e2e, *sql.DB, *testDaemon, func() int) {
	t.Helper()
	e := newE2E(t)
	e.rewriteConfig(fastIMAP)
	db := openStore(t, e.dbPath())
	e.smtp.Fail(code, msg, -1)
	start := time.Date(2026, 12, 7, 10, 15, 0, 0, time.UTC)
	d := startTestDaemon(t, e.cfg, start, 100*time.Millisecond)
	e.deliverRaw(demoMail{from: "safeguarding@lgt-nhs.example", subject: "Referral", body: "Referral attached.",
		attachName: "referral.docx", attach: demoReferral()}, start)
	attempts := func() int { return queryInt(db, `SELECT coalesce(sum(attempts), 0) FROM outbox`) }
	return e, db, d, attempts
}

func TestOutageSMTPRefusesThenRecovers(t *testing.T) {
	if testing.Short() {
		t.Skip("outage test in -short")
	}
	e, db, d, attempts := smtpOutage(t, 451, "4.3.0 mailbox busy, try again later")

	eventually(t, 6*time.Second, "the acknowledgement and the staff notice are queued and tried", func() (bool, string) {
		return queryInt(db, `SELECT count(*) FROM outbox WHERE attempts > 0`) == 2, itoa(attempts()) + " attempts"
	})
	// The server keeps refusing for 24 minutes of the daemon's clock.
	for range 6 {
		before := attempts()
		d.advance(4 * time.Minute)
		eventually(t, 3*time.Second, "another attempt after the back-off", func() (bool, string) {
			return attempts() > before, itoa(attempts()) + " attempts"
		})
	}
	tried := attempts()
	if n := e.smtp.Messages(); len(n) != 0 {
		t.Fatalf("the sink accepted %d messages while refusing", len(n))
	}
	downLines := senderLines(d.log)

	e.smtp.Fail(0, "", 0)
	d.advance(35 * time.Minute) // past the longest back-off so far, short of the 2-hour stuck alert
	eventually(t, 5*time.Second, "everything sent once the server takes mail again", func() (bool, string) {
		q := queryInt(db, `SELECT count(*) FROM outbox WHERE status != 'sent'`)
		return q == 0, itoa(q) + " emails not sent"
	})
	rows, err := db.Query(`SELECT message_id FROM outbox`)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for rows.Next() {
		var id string
		rows.Scan(&id)
		ids = append(ids, id)
	}
	rows.Close()
	for _, id := range ids {
		if n := e.sinkCount(id); n != 1 {
			t.Errorf("%s reached the sink %d times, want 1", id, n)
		}
	}
	if n := len(e.smtp.Messages()); n != len(ids) {
		t.Errorf("sink holds %d messages, outbox %d", n, len(ids))
	}
	if n := queryInt(db, `SELECT count(*) FROM audit WHERE event = 'message_out_retry'`); n != tried {
		t.Errorf("audit has %d retries recorded, want one per failed attempt (%d)", n, tried)
	}
	t.Logf("%d failed attempts over 24 simulated minutes; log while down: %s", tried, fmtLines(downLines))
	if len(downLines) != 1 {
		t.Errorf("while SMTP refused mail (%d attempts on %d emails) the log has %s\nwant ONE line for the state change, not one per retry or per email",
			tried, len(ids), fmtLines(downLines))
	}
	var restored []string
	for _, l := range d.log.Lines() {
		if strings.Contains(strings.ToLower(l), "restored") || strings.Contains(strings.ToLower(l), "recovered") || strings.Contains(strings.ToLower(l), "sending again") {
			restored = append(restored, l)
		}
	}
	if len(restored) != 1 {
		t.Errorf("after SMTP recovered the log has %s\nwant one line saying outgoing mail flows again", fmtLines(restored))
	}
}

func TestOutageSMTPDownForHoursTellsStaff(t *testing.T) {
	if testing.Short() {
		t.Skip("outage test in -short")
	}
	e, db, d, attempts := smtpOutage(t, 421, "4.3.2 service not available")
	eventually(t, 6*time.Second, "the referral's emails are queued and tried", func() (bool, string) {
		return queryInt(db, `SELECT count(*) FROM outbox WHERE kind = 'ack_referrer' AND attempts > 0`) == 1, itoa(attempts()) + " attempts"
	})
	// The server refuses for 2 hours 20 minutes of the daemon's clock.
	for range 7 {
		before := attempts()
		d.advance(20 * time.Minute)
		eventually(t, 3*time.Second, "another attempt after the back-off", func() (bool, string) {
			return attempts() > before, itoa(attempts()) + " attempts"
		})
	}
	eventually(t, 3*time.Second, "staff alerts queued for the emails stuck over two hours", func() (bool, string) {
		n := queryInt(db, `SELECT count(*) FROM audit WHERE event = 'staff_alerted'`)
		return n > 0, itoa(n) + " alerts"
	})
	e.smtp.Fail(0, "", 0)
	d.advance(61 * time.Minute) // past the longest back-off (1 hour)
	eventually(t, 6*time.Second, "everything sent once the server takes mail again", func() (bool, string) {
		n := queryInt(db, `SELECT count(*) FROM outbox WHERE status != 'sent'`)
		return n == 0, itoa(n) + " not sent"
	})
	var told bool
	for _, m := range e.sentTo(staffAddr) {
		if strings.Contains(m.Text, "has not been sent") && strings.Contains(m.Text, "ack_referrer") {
			told = true
		}
	}
	if !told {
		t.Errorf("staff were not told that the acknowledgement could not be sent for hours; staff got: %v", subjects(e.sentTo(staffAddr)))
	}
	// One alert per stuck email, however many rounds the sender made meanwhile.
	alerted := queryInt(db, `SELECT count(*) FROM outbox WHERE stuck_alerted = 1`)
	alerts := queryInt(db, `SELECT count(*) FROM audit WHERE event = 'staff_alerted'`)
	if alerted == 0 || alerts != alerted {
		t.Errorf("%d staff alerts for %d stuck emails, want one each", alerts, alerted)
	}
	if n := len(senderLines(d.log)); n != 1 {
		t.Errorf("the log has %s\nwant one line for the outage", fmtLines(senderLines(d.log)))
	}
}

func TestOutageSMTPRejectsOneRecipient(t *testing.T) {
	if testing.Short() {
		t.Skip("outage test in -short")
	}
	e := newE2E(t)
	e.rewriteConfig(fastIMAP)
	db := openStore(t, e.dbPath())
	police := "safeguarding.lead@met.example"
	e.smtp.RejectRecipient(police, 550)
	start := time.Date(2026, 12, 7, 10, 15, 0, 0, time.UTC)
	d := startTestDaemon(t, e.cfg, start, 100*time.Millisecond)
	// A referral form: it opens a case and is acknowledged to the sender, whose address
	// the server refuses. (Words alone in a body are triaged, issue 9.6.)
	e.deliverRaw(demoMail{from: police, subject: "Referral for a Child Safeguarding Practice Review", body: "Please find the referral attached.",
		attachName: "referral.docx", attach: referralFor("")}, start)

	eventually(t, 8*time.Second, "the refused address is marked", func() (bool, string) {
		var status string
		err := db.QueryRow(`SELECT status FROM address_status WHERE address = ?`, police).Scan(&status)
		return err == nil && status != "", "address_status: " + status
	})
	eventually(t, 5*time.Second, "staff are told about the refusal", func() (bool, string) {
		for _, m := range e.sentTo(staffAddr) {
			if strings.Contains(m.Text, police) {
				return true, ""
			}
		}
		return false, "staff emails: " + strings.Join(subjects(e.sentTo(staffAddr)), " | ")
	})
	if n := e.sinkTo(police); n != 0 {
		t.Errorf("the sink accepted %d messages for the refused address", n)
	}
	if n := queryInt(db, `SELECT count(*) FROM outbox WHERE recipients LIKE ? AND status = 'queued'`, "%"+police+"%"); n != 0 {
		t.Errorf("%d emails to the refused address still queued: a 5xx must not be retried", n)
	}
	if n := queryInt(db, `SELECT count(*) FROM audit WHERE detail LIKE ? AND event IN ('recipient_rejected', 'message_out_failed', 'staff_alerted')`, "%"+police+"%"); n == 0 {
		t.Errorf("the audit trail does not record the refusal of %s", police)
	}
	// Other mail still flows: the staff notice of the new referral went.
	if n := queryInt(db, `SELECT count(*) FROM outbox WHERE kind = 'staff_new_referral' AND status = 'sent'`); n != 1 {
		t.Errorf("staff_new_referral sent %d times, want 1", n)
	}
	if lines := senderLines(d.log); len(lines) == 0 {
		t.Errorf("no log line about the refused recipient")
	}
	// Nothing more goes to the address without a person: the next automatic email to it
	// is held.
	e.deliverRaw(demoMail{from: police, subject: "Referral: a second child", body: "Another referral attached.",
		attachName: "referral.docx", attach: referralFor("Second Child")}, start.Add(time.Hour))
	eventually(t, 6*time.Second, "the next email to the marked address is held", func() (bool, string) {
		n := queryInt(db, `SELECT count(*) FROM outbox WHERE recipients LIKE ? AND status = 'held'`, "%"+police+"%")
		return n == 1, itoa(n) + " held"
	})
	if n := e.sinkTo(police); n != 0 {
		t.Errorf("the sink accepted %d messages for the marked address", n)
	}
}

func TestOutageSMTPHangs(t *testing.T) {
	if testing.Short() {
		t.Skip("outage test in -short")
	}
	e := newE2E(t)
	e.rewriteConfig(func(c string) string { return withKeys(fastIMAP(c), "smtp", `timeout = "1s"`) })
	db := openStore(t, e.dbPath())
	const hang = 10 * time.Second
	e.smtp.Hang(hang)
	start := time.Date(2026, 12, 7, 10, 15, 0, 0, time.UTC)
	d := startTestDaemon(t, e.cfg, start, 100*time.Millisecond)
	began := time.Now()
	e.deliverRaw(triageMail(0), start)

	// Every queued email (the staff notice, and whatever else fell due) is tried once and
	// given up after smtp.timeout, long before the server would answer.
	eventually(t, 6*time.Second, "each send gives up after smtp.timeout", func() (bool, string) {
		n := queryInt(db, `SELECT count(*) FROM outbox WHERE kind = 'staff_attention'`)
		waiting := queryInt(db, `SELECT count(*) FROM outbox WHERE status != 'queued' OR attempts = 0 OR last_error = ''`)
		return n == 1 && waiting == 0, fmt.Sprintf("%d staff notices, %d emails not yet tried", n, waiting)
	})
	if took := time.Since(began); took >= hang {
		t.Errorf("the first attempts ended after %s: not bounded by smtp.timeout (1s)", took)
	}
	if n := queryInt(db, `SELECT count(*) FROM outbox WHERE last_error NOT LIKE '%timeout%'`); n != 0 {
		t.Errorf("%d emails failed for a reason other than the timeout", n)
	}
	e.smtp.Hang(0)
	d.advance(3 * time.Minute)
	eventually(t, 8*time.Second, "every email sent on retry", func() (bool, string) {
		n := queryInt(db, `SELECT count(*) FROM outbox WHERE status != 'sent'`)
		return n == 0, fmt.Sprintf("%d not sent; log:\n%s", n, d.log.String())
	})
	rows, err := db.Query(`SELECT message_id, attempts FROM outbox`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		var attempts int
		rows.Scan(&id, &attempts)
		if attempts < 2 {
			t.Errorf("%s sent after %d attempts, want a retry after the timeout", id, attempts)
		}
		if n := e.sinkCount(id); n != 1 {
			t.Errorf("%s reached the sink %d times, want 1", id, n)
		}
	}
}

func TestOutageSQLiteLocked(t *testing.T) {
	if testing.Short() {
		t.Skip("outage test in -short")
	}
	t.Parallel() // mostly waiting: runs beside the other long outage test
	e := newE2E(t)
	e.rewriteConfig(fastIMAP)
	db := openStore(t, e.dbPath())
	d := startMain(t, "run", "--config", e.cfg, "--now", "2026-12-07T10:15:00Z")
	eventually(t, 5*time.Second, "the daemon watches the mailbox", func() (bool, string) {
		return d.log.count("imap: watching mailbox") == 1, d.log.String()
	})

	// Another process holds the store's write lock for longer than busy_timeout (5 s).
	ctx := context.Background()
	conn, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `BEGIN EXCLUSIVE`); err != nil {
		t.Fatal(err)
	}
	locked := time.Now()
	id := e.deliverRaw(demoMail{from: "safeguarding@lgt-nhs.example", subject: "Referral", body: "Referral attached.",
		attachName: "referral.docx", attach: demoReferral()}, time.Date(2026, 12, 7, 10, 15, 0, 0, time.UTC))
	for time.Since(locked) < 7*time.Second {
		if _, seen := e.seen(id); seen {
			var n int
			_ = conn.QueryRowContext(ctx, `SELECT count(*) FROM messages WHERE message_id = ?`, id).Scan(&n)
			t.Fatalf("the message was marked \\Seen while the store was locked (recorded %d times)", n)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if _, err := conn.ExecContext(ctx, `COMMIT`); err != nil {
		t.Fatal(err)
	}
	recordedAndSeen(t, e, db, 8*time.Second, id)
	var disp string
	db.QueryRow(`SELECT disposition FROM messages WHERE message_id = ?`, id).Scan(&disp)
	if disp != "referral" {
		t.Errorf("after the lock the referral is recorded with disposition %q, want \"referral\": a locked store must delay processing, not skip it", disp)
	}
	if n := queryInt(db, `SELECT count(*) FROM cases`); n != 1 {
		t.Errorf("%d cases after the lock, want 1", n)
	}
	if code, gone := d.exited(); gone {
		t.Fatalf("the daemon stopped (exit %d); log:\n%s", code, d.log.String())
	}
	t.Logf("log while locked: %s", fmtLines(senderOrStoreLines(d.log)))
}

func senderOrStoreLines(log *syncBuffer) []string {
	var out []string
	for _, l := range log.Lines() {
		if strings.Contains(l, "level=WARN") || strings.Contains(l, "level=ERROR") {
			out = append(out, l)
		}
	}
	return out
}
