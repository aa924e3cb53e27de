// Second reader, issue 11: routes that broke the intake's promises about spooling, moved
// here from reader11_defects_test.go once fixed, to guard for good: a message is marked
// done only after what it carried is committed; no single message stops intake; nothing
// is dropped silently; spool files never leak case material.

package main

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"

	"github.com/lewisham-lscp/csprbot/mailbox"
	"github.com/lewisham-lscp/csprbot/tracker"
)

// runMain runs csprbot with args (and --config) and returns the exit code, stdout and
// stderr, whatever the code.
func (e *e2e) runMain(args ...string) (int, string, string) {
	var out, errb bytes.Buffer
	args = append(args, "--config", e.cfg)
	code := Main(context.Background(), args, &out, &errb)
	return code, out.String(), errb.String()
}

// A crash after the store took a large message and before the watcher removed its spool
// file leaves the message's bytes (case material) in the spool folder. The README and
// spool.go promise the next start removes it. But the folder is only swept when the
// watcher first fetches a body (Watcher.spool, lazily): a daemon restarted onto a
// mailbox with nothing new keeps the dead process's files for as long as no new mail
// comes, however many passes it makes.
// Fixed: Watcher.Run and Once sweep the spool folder when they start.
func TestReader11LeftoverSpoolIsNotSweptAtStart(t *testing.T) {
	e := newE2E(t)
	now := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
	e.deliverRaw(demoMail{from: "safeguarding@lgt-nhs.example", subject: "Referral for a Child Safeguarding Practice Review",
		body: "Please find attached a referral.", attachName: "referral.docx", attach: referralFor("Jordan Avery")}, now)
	e.run(0, "run", "--once", "--now", "2026-12-07T10:05:00Z")
	db := openStore(t, e.dbPath())
	if n := queryInt(db, `SELECT count(*) FROM messages`); n != 1 {
		t.Fatalf("%d messages recorded, want 1", n)
	}
	// What a SIGKILL between the commit and Spool.Remove leaves: a run folder whose
	// lock nobody holds, with the message's bytes and a spilled attachment in it.
	dead := filepath.Join(e.dbPath()+".spool", "run-4242")
	if err := os.MkdirAll(filepath.Join(dead, "att-1"), 0o700); err != nil {
		t.Fatal(err)
	}
	for name, body := range map[string]string{
		"lock":            "",
		"msg-1":           "From: safeguarding@lgt-nhs.example\r\nSubject: Referral: Jordan Avery, 7, 12 Hilly Fields Road\r\n\r\nbody",
		"att-1/att-99999": "PK\x03\x04 the child's referral form",
	} {
		if err := os.WriteFile(filepath.Join(dead, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	// Restart (twice, to be sure it is not a matter of one pass): nothing new in the mailbox.
	e.run(0, "run", "--once", "--now", "2026-12-07T10:10:00Z")
	e.run(0, "run", "--once", "--now", "2026-12-07T10:15:00Z")
	var left []string
	_ = filepath.Walk(dead, func(p string, fi os.FileInfo, err error) error {
		if err == nil && !fi.IsDir() {
			left = append(left, p)
		}
		return nil
	})
	if len(left) > 0 {
		t.Errorf("after two starts, the spool of a csprbot that died still holds %d file(s) of case material: %v", len(left), left)
	}
}

// The watcher asks for its spool folder before fetching any body, and remembers the
// first answer for the life of the process (sync.Once). A spool folder that cannot be
// made once (a full disk for a moment, a path briefly in the way) stops all intake for
// good, including messages under 1 MiB that are read in memory and never need it; and
// once the folder can be made again, the running daemon never tries again.
// Fixed: the folder is asked for only when a message turns out over 1 MiB, and a
// failure is not remembered.
func TestReader11SpoolFolderFailureStopsIntakeForGood(t *testing.T) {
	e := newE2E(t)
	spool := e.dbPath() + ".spool"
	_ = os.RemoveAll(spool)
	if err := os.WriteFile(spool, []byte("in the way"), 0o600); err != nil {
		t.Fatal(err)
	}
	start := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
	e.deliverRaw(demoMail{from: "safeguarding@lgt-nhs.example", subject: "Referral for a Child Safeguarding Practice Review",
		body: "Please find attached a referral.", attachName: "referral.docx", attach: referralFor("Jordan Avery")}, start)
	d := startTestDaemon(t, e.cfg, start, 50*time.Millisecond)
	db := openStore(t, e.dbPath())
	time.Sleep(1500 * time.Millisecond)
	small := queryInt(db, `SELECT count(*) FROM messages`)
	// The obstacle goes away; the daemon keeps running (as it would for days).
	if err := os.Remove(spool); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(25 * time.Second)
	for time.Now().Before(deadline) && queryInt(db, `SELECT count(*) FROM messages`) == 0 {
		time.Sleep(200 * time.Millisecond)
	}
	n := queryInt(db, `SELECT count(*) FROM messages`)
	if small == 0 {
		t.Errorf("a 10 KB referral (read in memory, no spool needed) was not taken in while the spool folder could not be made")
	}
	if n == 0 {
		t.Errorf("25 s after the spool folder could be made again, the running daemon has still taken in nothing; log:\n%s", d.log.String())
	}
}

// mountTmpfs mounts a small tmpfs at dir for the test, or skips.
func mountTmpfs(t *testing.T, dir, size string) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size="+size+",mode=0700", "tmpfs", dir).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a tmpfs here (%v: %s): a full spool disk could not be simulated", err, out)
	}
	t.Cleanup(func() { _ = exec.Command("umount", "-l", dir).Run() })
}

// A message under imap.max_message_size that does not fit where it is spooled (the disk
// beside the store is nearly full: here the spool folder is a 2 MiB tmpfs, the store has
// room) is neither recorded nor skipped: the pass fails before any attempt is committed,
// the watcher reconnects and fetches it again, for ever. Every message after it waits
// behind it, and no person is told (one log line). "No single message may stop intake";
// "nothing dropped silently".
// Fixed: a message that cannot be spooled is recorded at once from its header (fetched
// alone), staff are told once why and where it is, and the messages after it are read.
// (Leaving it unmarked to try again cannot work with a cursor of one last UID: it would
// hold up every message after it, or be passed and never offered again.)
func TestReader11MessageThatCannotBeSpooledStopsIntake(t *testing.T) {
	e := newE2E(t)
	mountTmpfs(t, e.dbPath()+".spool", "2m")
	now := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
	e.deliverRaw(demoMail{from: "safeguarding@lgt-nhs.example", subject: "Referral with photographs",
		body: "Please find attached a referral.", attachName: "referral.docx", attach: paddedReferral(t, 3<<20)}, now)
	e.deliverRaw(demoMail{from: "safeguarding.lead@met.example", subject: "Referral for a Child Safeguarding Practice Review",
		body: "Please find attached a referral.", attachName: "referral.docx", attach: referralFor("Jordan Avery")}, now.Add(time.Minute))
	var logs []string
	for i := 0; i < 3; i++ {
		_, _, errs := e.runMain("run", "--once", "--now", "2026-12-07T10:05:00Z")
		logs = append(logs, errs)
	}
	db := openStore(t, e.dbPath())
	if n := queryInt(db, `SELECT count(*) FROM messages`); n != 2 {
		t.Errorf("after three runs, %d messages recorded; want 2: the large one recorded (without its content, a person told) and the small referral behind it. Last run's log:\n%s",
			n, logs[len(logs)-1])
	}
	if n := queryInt(db, `SELECT count(*) FROM cases`); n == 0 {
		t.Errorf("the small referral that came after the large message opened no case")
	}
	if n := queryInt(db, `SELECT count(*) FROM messages WHERE note LIKE '%could not be spooled%' AND from_addr = 'safeguarding@lgt-nhs.example'`); n != 1 {
		t.Errorf("%d records of the message that could not be spooled, with its sender and why; want 1", n)
	}
	told := 0
	for _, m := range e.sentTo("strategic.lead@lewisham.gov.uk") {
		if strings.Contains(m.Text, "could not be written to the spool") && strings.Contains(m.Text, "Referral with photographs") {
			told++
		}
	}
	if told != 1 {
		t.Errorf("staff told %d times (with its subject) about the message that could not be spooled; want once", told)
	}
}

// overMaxSetup delivers one referral a byte over a 1.5 MiB imap.max_message_size and runs
// one cycle.
func overMaxSetup(t *testing.T) (*e2e, []byte) {
	const max = 3 << 19
	e := newE2E(t)
	e.rewriteConfig(func(s string) string { return withKeys(s, "imap", fmt.Sprintf("max_message_size = %d", max)) })
	at := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
	raw := demoMail{from: "safeguarding.lead@met.example", subject: "Referral for a Child Safeguarding Practice Review",
		body: "Please find attached a referral.", attachName: "referral.docx", attach: referralFor("Casey Morgan")}.raw("safeguardingpartnership@lewisham.gov.uk", at, 902)
	raw = padTo(t, raw, max+1)
	if err := e.imap.Deliver("INBOX", raw, at); err != nil {
		t.Fatal(err)
	}
	e.run(0, "run", "--once", "--now", "2026-12-07T10:05:00Z")
	return e, raw
}

// "A message larger than max_message_size gets a clear record and a person is told." The
// person is told only what any stranger's mail gets: "An email arrived that csprbot could
// not match to a case ... From: (blank) ... The message is kept in the mailbox", with the
// invented Message-ID. Nothing says it was too large and was not read, nor who sent it or
// its subject (the watcher never fetches even the header), so staff cannot find it in a
// mailbox where it is now marked read, and are invited to reply "Open case" to a record
// that has nothing in it.
// Fixed: the watcher fetches BODY.PEEK[HEADER] of a message too large to read; the
// record has its From, Subject and Message-ID, and the notice says why (size against
// limit), its subject and date, and where it is in the mailbox.
func TestReader11TooLargeNoticeSaysNeitherWhyNorFromWhom(t *testing.T) {
	e, raw := overMaxSetup(t)
	var notice *mailbox.Message
	for _, m := range e.sentTo("strategic.lead@lewisham.gov.uk") {
		if strings.Contains(m.Text, "did not read") {
			notice = m
		}
	}
	if notice == nil {
		t.Fatal("no notice to staff at all")
	}
	low := strings.ToLower(notice.Subject + "\n" + notice.Text)
	if !strings.Contains(low, "too large") && !strings.Contains(low, "max_message_size") {
		t.Errorf("the notice never says the message was too large to read:\n%s\n%s", notice.Subject, notice.Text)
	}
	if !strings.Contains(low, "safeguarding.lead@met.example") {
		t.Errorf("the notice does not say who sent the message (From: is blank), so staff cannot find it in the mailbox")
	}
	for _, want := range []string{"Referral for a Child Safeguarding Practice Review", messageIDOf(raw), "1.5 MiB", "INBOX", "Date: "} {
		if !strings.Contains(notice.Text, want) {
			t.Errorf("the notice does not give %q:\n%s", want, notice.Text)
		}
	}
	db := openStore(t, e.dbPath())
	if n := queryInt(db, `SELECT count(*) FROM messages WHERE message_id = ? AND from_addr = 'safeguarding.lead@met.example'`, messageIDOf(raw)); n != 1 {
		t.Errorf("%d records under the message's own Message-ID and sender; want 1", n)
	}
}

// The record of a too-large message is keyed by an invented Message-ID built from
// UIDVALIDITY and UID, not by the message. When the server hands the same mailbox back
// under a new UIDVALIDITY (a migration, a restored mailbox: the watcher reads it all
// again, and every other message is recognised as a duplicate), the too-large message
// is recorded a second time and staff are told a second time. "Nothing twice."
// Fixed: the record is keyed on the message's own Message-ID (from its header).
func TestReader11TooLargeRecordedTwiceAfterNewUIDValidity(t *testing.T) {
	e, raw := overMaxSetup(t)
	small := demoMail{from: "safeguarding@lgt-nhs.example", subject: "Referral for a Child Safeguarding Practice Review",
		body: "Please find attached a referral.", attachName: "referral.docx", attach: referralFor("Jordan Avery")}.raw("safeguardingpartnership@lewisham.gov.uk", time.Date(2026, 12, 7, 10, 1, 0, 0, time.UTC), 903)
	if err := e.imap.Deliver("INBOX", small, time.Date(2026, 12, 7, 10, 1, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	e.run(0, "run", "--once", "--now", "2026-12-07T10:06:00Z")
	db := openStore(t, e.dbPath())
	before := queryInt(db, `SELECT count(*) FROM messages`)
	noticesBefore := 0
	for _, m := range e.sentTo("strategic.lead@lewisham.gov.uk") {
		if strings.Contains(m.Text, "too large to read") {
			noticesBefore++
		}
	}
	// The same two messages, with the same arrival times, under a new UIDVALIDITY.
	if err := e.imap.RecreateMailbox("INBOX"); err != nil {
		t.Fatal(err)
	}
	if err := e.imap.Deliver("INBOX", raw, time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	if err := e.imap.Deliver("INBOX", small, time.Date(2026, 12, 7, 10, 1, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	e.run(0, "run", "--once", "--now", "2026-12-07T10:10:00Z")
	after := queryInt(db, `SELECT count(*) FROM messages`)
	tooLarge := queryInt(db, `SELECT count(*) FROM messages WHERE note LIKE '%exceeds imap.max_message_size%'`)
	notices := 0
	for _, m := range e.sentTo("strategic.lead@lewisham.gov.uk") {
		if strings.Contains(m.Text, "too large to read") {
			notices++
		}
	}
	if before != 2 {
		t.Fatalf("%d messages before the new UIDVALIDITY, want 2", before)
	}
	if tooLarge != 1 || notices != noticesBefore || noticesBefore != 1 {
		t.Errorf("same mailbox read again under a new UIDVALIDITY: messages %d -> %d; %d records of the too-large message (want 1); staff told about it %d times (want %d)",
			before, after, tooLarge, notices, noticesBefore)
	}
}

// An attachment over 1 MiB that cannot be spilled (the disk beside the store fills
// between the message's spool file and the attachment's: here a 2 MiB tmpfs that holds
// the 1.7 MiB message but not also its 1.25 MiB .docx) is recorded as an attachment of
// 0 bytes, unread, with a problem line; the message is marked done and the referral
// opens a case "incomplete" from the words of its body. A transient disk problem is
// treated as a fault in the message, never retried: the child's details in the form are
// never read, and the document as stored (csprbot case REF, papers, backups) is empty.
// Fixed: a failure to write the spill file fails the reading: the message stays unmarked
// and is offered again; if it keeps failing it is quarantined after
// tracker.QuarantineAfterAny attempts, its raw bytes stored whole for a person.
func TestReader11AttachmentThatCannotBeSpilledIsRecordedEmpty(t *testing.T) {
	e := newE2E(t)
	mountTmpfs(t, e.dbPath()+".spool", "2m")
	now := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
	doc := paddedReferral(t, 1250<<10)
	id := e.deliverRaw(demoMail{from: "safeguarding@lgt-nhs.example", subject: "Referral for a Child Safeguarding Practice Review",
		body: "Please find attached a referral.", attachName: "referral.docx", attach: doc}, now)
	_, _, errs := e.runMain("run", "--once", "--now", "2026-12-07T10:05:00Z")
	db := openStore(t, e.dbPath())
	var note string
	_ = db.QueryRow(`SELECT note FROM messages`).Scan(&note)
	var size int64
	var kind string
	_ = db.QueryRow(`SELECT size, form_kind FROM attachments WHERE name = 'referral.docx'`).Scan(&size, &kind)
	_, seen := e.seen(id)
	if seen && (size != int64(len(doc)) || kind != "referral") {
		t.Errorf("the message was marked done with its referral.docx stored as %d bytes (sent %d), read as %q; note %q; log:\n%s", size, len(doc), kind, note, errs)
	}
	if seen {
		t.Fatalf("the message was marked done at the first failure to spill its attachment")
	}
	// The disk stays full: after tracker.QuarantineAfterAny failed attempts the message is
	// quarantined, kept whole (its raw bytes in the store) for a person, and marked done.
	for i := 0; i < tracker.QuarantineAfterAny; i++ {
		_, _, errs = e.runMain("run", "--once", "--now", "2026-12-07T10:05:00Z")
	}
	if _, seen := e.seen(id); !seen {
		t.Fatalf("after %d more attempts the message is still not done; log:\n%s", tracker.QuarantineAfterAny, errs)
	}
	var disp string
	var chunks int
	_ = db.QueryRow(`SELECT disposition, coalesce(raw_chunks, 0) FROM messages`).Scan(&disp, &chunks)
	if disp != tracker.DispQuarantine || chunks == 0 {
		t.Errorf("message recorded as %q with %d raw chunks; want quarantined, kept whole", disp, chunks)
	}
}

// sizeLyingSession is the in-memory server's session, except that it announces
// RFC822.SIZE from sizes (by UID) instead of the message's length, as servers that
// compute the size from their own store rather than the bytes they send do.
type sizeLyingSession struct {
	imapserver.SessionIMAP4rev2
	msgs []lyingMsg
}

type lyingMsg struct {
	uid  imap.UID
	at   time.Time
	size int64
}

func (s *sizeLyingSession) Fetch(w *imapserver.FetchWriter, numSet imap.NumSet, options *imap.FetchOptions) error {
	if len(options.BodySection) > 0 || !options.RFC822Size {
		return s.SessionIMAP4rev2.Fetch(w, numSet, options)
	}
	set, ok := numSet.(imap.UIDSet)
	if !ok {
		return s.SessionIMAP4rev2.Fetch(w, numSet, options)
	}
	for i, m := range s.msgs {
		if !set.Contains(m.uid) {
			continue
		}
		rw := w.CreateMessage(uint32(i + 1))
		rw.WriteUID(m.uid)
		if options.InternalDate {
			rw.WriteInternalDate(m.at)
		}
		rw.WriteRFC822Size(m.size)
		if err := rw.Close(); err != nil {
			return err
		}
	}
	return nil
}

// A server announces a message's RFC822.SIZE a little under imap.max_message_size but
// sends a literal a little over it. The watcher's fetch fails ("more than the N bytes
// allowed") before any attempt is committed; the pass ends with a connection error and
// the same message comes first again at every pass: it is never recorded, nobody is told
// (the log says the mailbox is unavailable), and every message after it waits for ever.
// "No single message may stop intake"; "nothing dropped silently."
// Fixed: a message sent over the limit is handed over as TooLarge, with its header.
func TestReader11SizeAnnouncedUnderMaxButSentOverStopsIntake(t *testing.T) {
	const max = 3 << 19
	e := newE2E(t)
	at := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
	big := demoMail{from: "safeguarding.lead@met.example", subject: "Referral with photographs",
		body: "Please find attached a referral.", attachName: "referral.docx", attach: referralFor("Casey Morgan")}.raw("safeguardingpartnership@lewisham.gov.uk", at, 801)
	big = padTo(t, big, max+200)
	small := demoMail{from: "safeguarding@lgt-nhs.example", subject: "Referral for a Child Safeguarding Practice Review",
		body: "Please find attached a referral.", attachName: "referral.docx", attach: referralFor("Jordan Avery")}.raw("safeguardingpartnership@lewisham.gov.uk", at.Add(time.Minute), 802)

	mem := imapmemserver.New()
	u := imapmemserver.NewUser("safeguardingpartnership@lewisham.gov.uk", "secret")
	if err := u.Create("INBOX", nil); err != nil {
		t.Fatal(err)
	}
	msgs := []lyingMsg{{1, at, max - 200}, {2, at.Add(time.Minute), int64(len(small))}}
	for i, raw := range [][]byte{big, small} {
		if _, err := u.Append("INBOX", bytes.NewReader(raw), &imap.AppendOptions{Time: msgs[i].at}); err != nil {
			t.Fatal(err)
		}
	}
	mem.AddUser(u)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := imapserver.New(&imapserver.Options{
		NewSession: func(*imapserver.Conn) (imapserver.Session, *imapserver.GreetingData, error) {
			return &sizeLyingSession{SessionIMAP4rev2: mem.NewSession().(imapserver.SessionIMAP4rev2), msgs: msgs}, nil, nil
		},
		Caps:         imap.CapSet{imap.CapIMAP4rev1: {}, imap.CapUIDPlus: {}},
		InsecureAuth: true,
	})
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	e.rewriteConfig(func(s string) string {
		s = strings.Replace(s, e.imap.Addr, ln.Addr().String(), 1)
		return withKeys(s, "imap", fmt.Sprintf("max_message_size = %d", max))
	})
	var last string
	for i := 0; i < 3; i++ {
		_, _, last = e.runMain("run", "--once", "--now", "2026-12-07T10:05:00Z")
	}
	db := openStore(t, e.dbPath())
	if n := queryInt(db, `SELECT count(*) FROM messages`); n != 2 {
		t.Errorf("after three runs %d messages recorded; want 2 (the oversized one recorded as too large, and the referral after it); last log:\n%s", n, last)
	}
}
