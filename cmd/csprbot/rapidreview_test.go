package main

// A whole Rapid Review across the Christmas 2026 bank holidays, driven only through the
// command line (Main) and emails delivered into the partnership's inbox: once against a
// real Dovecot, once against the in-process go-imap server.
//
// The calendar, worked by hand (Europe/London; December and January are GMT, so London
// time = UTC). Bank holidays: Fri 25 Dec 2026, Mon 28 Dec 2026 (Boxing Day substitute),
// Fri 1 Jan 2027. Weekends: 26–27 Dec, 2–3 Jan, 9–10 Jan.
//
//	day 0  Tue 22 Dec  referral arrives 10:00; scoping requested 11:05
//	WD 1   Wed 23 Dec
//	WD 2   Thu 24 Dec  scoping_sent due (referral + 2 WD), 17:00
//	       Fri 25 Dec  bank holiday
//	       Sat 26 Dec, Sun 27 Dec
//	       Mon 28 Dec  bank holiday
//	WD 3   Tue 29 Dec
//	WD 4   Wed 30 Dec
//	WD 5   Thu 31 Dec  panel_notification due (aware = referral, + 5 WD) 17:00;
//	                   the WD before the scoping return is due: reminders at 09:00
//	       Fri  1 Jan  bank holiday
//	       Sat 2, Sun 3 Jan
//	WD 6   Mon  4 Jan  scoping_return due (request + 6 WD), 17:00
//	WD 7   Tue  5 Jan  rr_meeting window opens (00:00); first chasers at 09:00
//	WD 8   Wed  6 Jan  (second chasers)
//	WD 9   Thu  7 Jan  the WD before the meeting: papers at 09:00
//	WD 10  Fri  8 Jan  Rapid Review meeting 10:00 (moved from Thu 7 Jan 14:00); report 15:00
//	WD 11  Mon 11 Jan  approval
//	WD 12  Tue 12 Jan  rr_submission due: meeting + 2 WD = 12 Jan 17:00, earlier than
//	                   aware + 15 WD = Fri 15 Jan 17:00
//	WD 13  Wed 13 Jan  rr_meeting window closes 17:00
//	WD 15  Fri 15 Jan  aware + 15 WD

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"

	"github.com/lewisham-lscp/csprbot/mailbox"
	"github.com/lewisham-lscp/csprbot/tracker"
)

const (
	rrRef       = "LSCP-2026-001"
	rrInbox     = "safeguardingpartnership@lewisham.gov.uk"
	rrLead      = "strategic.lead@lewisham.gov.uk"
	rrPolice    = "safeguarding.lead@met.example"
	rrICB       = "safeguarding.children@selondon-icb.example"
	rrCSC       = "csc.safeguarding@lewisham.gov.uk"
	rrLGT       = "safeguarding@lgt-nhs.example" // the referrer, and an agency the referral names
	rrEdu       = "education.safeguarding@lewisham.gov.uk"
	rrPanel     = "Mailbox.NationalReviewPanel@education.gov.uk"
	rrSubgroup  = "lfp-subgroup@lewisham.gov.uk"
	rrReminder  = "Reminder: initial scoping form"
	rrChaser    = "Overdue: initial scoping form"
	rrInvite    = "Rapid Review meeting"
	rrPapers    = "Rapid Review papers"
	rrApproval  = "Approve the Rapid Review submission"
	rrOutcome   = "Outcome of the Rapid Review"
	rrScopingRq = "Initial scoping request"
)

// rrMailbox is how the scenario reaches the partnership's inbox.
type rrMailbox struct {
	name    string
	deliver func(at string, m demoMail)
	seen    func() (seen, total int)
}

func TestRapidReviewChristmasDovecot(t *testing.T) {
	d := startDovecot(t)
	e := newE2E(t)
	// Point the daemon at Dovecot instead of the in-process IMAP server.
	cfg, err := os.ReadFile(e.cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(e.cfg, []byte(strings.Replace(string(cfg), e.imap.Addr, d.addr, 1)), 0o600); err != nil {
		t.Fatal(err)
	}
	n := 0
	rapidReviewChristmas(t, e, rrMailbox{
		name: "dovecot",
		deliver: func(at string, m demoMail) {
			t.Helper()
			n++
			tm := mustTime(t, at)
			d.deliver(t, m.raw(rrInbox, tm, n), tm, n)
		},
		seen: func() (int, int) { return d.seenCount(t) },
	})
}

// deliver puts a message into Dovecot's INBOX as having arrived at at. The daemon takes a
// message's arrival from INTERNALDATE. Dovecot (cmd-append.c) replaces an APPEND date more
// than INTERNALDATE_MAX_FUTURE_SECS ahead of its clock with the present, and the
// scenario's dates (December 2026) may lie ahead of the real clock: such a message is
// delivered instead as a mail delivery agent delivers to a Maildir (written to tmp/,
// renamed into new/, its mtime, which Dovecot reports as INTERNALDATE, set to the arrival
// time). Either way the INTERNALDATE is read back over IMAP.
func (d *dovecot) deliver(t *testing.T, raw []byte, at time.Time, n int) {
	t.Helper()
	if !at.After(time.Now().Add(12 * time.Hour)) {
		d.append(t, raw, at)
	} else {
		cf := d.cmd.Args[len(d.cmd.Args)-1]
		home := filepath.Join(filepath.Dir(cf), "mail", d.user) // userdb: home=…/mail/%u, owned by the mail user
		maildir := filepath.Join(home, "Maildir")
		for _, p := range []string{home, maildir, filepath.Join(maildir, "tmp"), filepath.Join(maildir, "new"), filepath.Join(maildir, "cur")} {
			if err := os.Mkdir(p, 0o700); err != nil && !os.IsExist(err) {
				t.Fatal(err)
			}
			if err := os.Chown(p, 65534, 65534); err != nil {
				t.Fatal(err)
			}
		}
		name := fmt.Sprintf("%d.M%dP%d.csprbot-test,S=%d", at.Unix(), n, os.Getpid(), len(raw))
		tmp := filepath.Join(maildir, "tmp", name)
		if err := os.WriteFile(tmp, raw, 0o600); err != nil {
			t.Fatal(err)
		}
		os.Chown(tmp, 65534, 65534)
		if err := os.Chtimes(tmp, at, at); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(tmp, filepath.Join(maildir, "new", name)); err != nil {
			t.Fatal(err)
		}
	}
	c := d.login(t)
	defer c.Close()
	sel, err := c.Select("INBOX", &imap.SelectOptions{ReadOnly: true}).Wait()
	if err != nil {
		log, _ := os.ReadFile(filepath.Join(filepath.Dir(d.cmd.Args[len(d.cmd.Args)-1]), "dovecot.log"))
		t.Fatalf("select INBOX after delivery %d: %v\n%s", n, err, log)
	}
	if sel.NumMessages != uint32(n) {
		t.Fatalf("Dovecot holds %d messages after delivery %d", sel.NumMessages, n)
	}
	ms, err := c.Fetch(imap.SeqSetNum(sel.NumMessages), &imap.FetchOptions{InternalDate: true}).Collect()
	if err != nil || len(ms) != 1 {
		t.Fatalf("fetch INTERNALDATE: %v (%d)", err, len(ms))
	}
	if !ms[0].InternalDate.Equal(at) {
		t.Fatalf("Dovecot reports INTERNALDATE %s for a message delivered at %s", ms[0].InternalDate.UTC(), at.UTC())
	}
}

func TestRapidReviewChristmasMemServer(t *testing.T) {
	e := newE2E(t)
	rapidReviewChristmas(t, e, rrMailbox{
		name:    "go-imap",
		deliver: e.deliver,
		seen: func() (int, int) {
			ms, err := e.imap.Messages("INBOX")
			if err != nil {
				t.Fatal(err)
			}
			seen := 0
			for _, m := range ms {
				if hasSeen(m.Flags) {
					seen++
				}
			}
			return seen, len(ms)
		},
	})
}

func mustTime(t *testing.T, s string) time.Time {
	t.Helper()
	tm, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatal(err)
	}
	return tm
}

// rrSink reads the SMTP sink: what was sent since a mark.
type rrSink struct{ e *e2e }

func (s rrSink) mark() int { return len(s.e.smtp.Messages()) }

func (s rrSink) since(mark int) []*mailbox.Message {
	all := s.e.sent()
	if mark > len(all) {
		return nil
	}
	return all[mark:]
}

// describe lists messages as "to ADDR: SUBJECT", one a line, for failure messages.
func describe(ms []*mailbox.Message) string {
	if len(ms) == 0 {
		return "  (none)"
	}
	var b strings.Builder
	for _, m := range ms {
		fmt.Fprintf(&b, "  to %s: %s\n", strings.Join(m.To, ", "), m.Subject)
	}
	return strings.TrimRight(b.String(), "\n")
}

// pick returns the messages whose subject contains subj and that went to addr ("" = anyone).
func pick(ms []*mailbox.Message, subj, addr string) []*mailbox.Message {
	var out []*mailbox.Message
	for _, m := range ms {
		if !strings.Contains(m.Subject, subj) {
			continue
		}
		if addr == "" {
			out = append(out, m)
			continue
		}
		for _, to := range m.To {
			if strings.EqualFold(to, addr) {
				out = append(out, m)
				break
			}
		}
	}
	return out
}

// recipients is the set of addresses (lowercased) a list of messages went to.
func recipients(ms []*mailbox.Message) map[string]int {
	got := map[string]int{}
	for _, m := range ms {
		for _, to := range m.To {
			got[strings.ToLower(to)]++
		}
	}
	return got
}

// exactlyOnceEach checks that ms went to each of want exactly once, and to no one else.
func exactlyOnceEach(t *testing.T, what string, ms, context []*mailbox.Message, want ...string) {
	t.Helper()
	got := recipients(ms)
	wantSet := map[string]bool{}
	for _, w := range want {
		wantSet[strings.ToLower(w)] = true
		if got[strings.ToLower(w)] != 1 {
			t.Errorf("%s: %s got %d, want 1; sent in this step:\n%s", what, w, got[strings.ToLower(w)], describe(context))
		}
	}
	for addr := range got {
		if !wantSet[addr] {
			t.Errorf("%s: went to %s, who should not have had one; sent in this step:\n%s", what, addr, describe(context))
		}
	}
}

// icsOf returns the unfolded iCalendar attachment of a message, or "".
func icsOf(m *mailbox.Message) string {
	for _, a := range m.Attachments {
		if strings.HasPrefix(strings.ToLower(a.ContentType), "text/calendar") || strings.HasSuffix(strings.ToLower(a.Name), ".ics") {
			s := strings.ReplaceAll(string(a.Data), "\r\n", "\n")
			s = strings.ReplaceAll(s, "\n ", "")
			return strings.ReplaceAll(s, "\n\t", "")
		}
	}
	return ""
}

func icsProp(ics, name string) string {
	for _, l := range strings.Split(ics, "\n") {
		if strings.HasPrefix(l, name+":") || strings.HasPrefix(l, name+";") {
			_, v, _ := strings.Cut(l, ":")
			return strings.TrimSpace(v)
		}
	}
	return ""
}

func attachmentNames(m *mailbox.Message) []string {
	var s []string
	for _, a := range m.Attachments {
		s = append(s, a.Name)
	}
	return s
}

func deadlineOf(d tracker.CaseDetail, rule string) (tracker.Deadline, bool) {
	for _, dl := range d.Deadlines {
		if dl.Rule == rule && dl.Agency == "" {
			return dl, true
		}
	}
	return tracker.Deadline{}, false
}

func returnsByAgency(d tracker.CaseDetail) map[string]tracker.Return {
	m := map[string]tracker.Return{}
	for _, r := range d.Returns {
		m[r.Agency] = r
	}
	return m
}

func rapidReviewChristmas(t *testing.T, e *e2e, mb rrMailbox) {
	start := time.Now()
	sink := rrSink{e: e}
	utc := func(s string) time.Time { return mustTime(t, s) }
	// step runs one cycle at now and returns what it sent.
	step := func(now string) []*mailbox.Message {
		t.Helper()
		m := sink.mark()
		e.run(0, "run", "--once", "--now", now)
		return sink.since(m)
	}
	// quiet is a cycle on a day that is not a working day: nothing to anyone but the
	// weekly digest (which goes on a Monday, holiday or not; it is neither a reminder nor
	// a chaser).
	quiet := func(now, why string) {
		t.Helper()
		got := step(now)
		var bad []*mailbox.Message
		for _, m := range got {
			if len(m.To) == 1 && strings.EqualFold(m.To[0], rrSubgroup) && strings.Contains(m.Subject, "digest") {
				t.Logf("%s (%s): the weekly digest went to the subgroup: %q", now, why, m.Subject)
				continue
			}
			bad = append(bad, m)
		}
		if len(bad) > 0 {
			t.Errorf("run at %s (%s) sent mail on a day that is not a working day:\n%s", now, why, describe(bad))
		}
	}
	checkDeadline := func(d tracker.CaseDetail, rule, due, status string) {
		t.Helper()
		dl, ok := deadlineOf(d, rule)
		if !ok {
			var have []string
			for _, x := range d.Deadlines {
				have = append(have, x.Rule+"("+x.Agency+")")
			}
			t.Errorf("case has no %s deadline; it has %v", rule, have)
			return
		}
		if due != "" && !dl.Due.Equal(utc(due)) {
			t.Errorf("%s due %s, want %s", rule, dl.Due.UTC().Format(time.RFC3339), due)
		}
		if status != "" && dl.Status != status {
			t.Errorf("%s status %q (note %q), want %q", rule, dl.Status, dl.Note, status)
		}
	}

	// ---- 1. Tue 22 Dec 10:00: the referral arrives. ----
	mb.deliver("2026-12-22T10:00:00Z", demoMail{from: rrLGT, subject: "Referral for a Child Safeguarding Practice Review",
		body: "Please find attached a referral.", attachName: "referral.docx", attach: demoReferral()})
	got := step("2026-12-22T10:05:00Z")
	var cases []tracker.CaseSummary
	if err := json.Unmarshal([]byte(e.run(0, "cases", "--json", "--now", "2026-12-22T10:06:00Z")), &cases); err != nil {
		t.Fatal(err)
	}
	if len(cases) != 1 || cases[0].Ref != rrRef {
		t.Fatalf("[%s] after the referral, cases = %+v; sent:\n%s", mb.name, cases, describe(got))
	}
	if !cases[0].ReferralReceived.Equal(utc("2026-12-22T10:00:00Z")) {
		t.Errorf("referral_received = %s, want 2026-12-22T10:00:00Z", cases[0].ReferralReceived)
	}
	if ack := pick(got, "Referral received", rrLGT); len(ack) != 1 {
		t.Errorf("acknowledgement to the referrer: %d, want 1; sent:\n%s", len(ack), describe(got))
	}
	notice := pick(got, "New referral", rrLead)
	if len(notice) != 1 {
		t.Fatalf("[%s] staff notice: %d, want 1; sent:\n%s", mb.name, len(notice), describe(got))
	}
	d := e.caseJSON(rrRef, "2026-12-22T10:06:00Z")
	checkDeadline(d, "scoping_sent", "2026-12-24T17:00:00Z", "pending") // WD 2: Thu 24 Dec
	checkDeadline(d, "panel_notification", "2026-12-31T17:00:00Z", "")  // WD 5: Thu 31 Dec
	checkDeadline(d, "rr_meeting", "2027-01-13T17:00:00Z", "pending")   // WD 13: Wed 13 Jan
	if s, tot := mb.seen(); s != tot || tot != 1 {
		t.Errorf("[%s] after the referral %d of %d messages \\Seen, want 1 of 1", mb.name, s, tot)
	}

	// ---- 2. 11:00: the lead replies "Start scoping" to the staff notice. ----
	mb.deliver("2026-12-22T11:00:00Z", demoMail{from: rrLead, subject: "Re: " + notice[0].Subject,
		inReplyTo: notice[0].MessageID, body: "Start scoping\n\nThanks"})
	got = step("2026-12-22T11:05:00Z")
	reqs := pick(got, rrScopingRq, "")
	exactlyOnceEach(t, "scoping requests", reqs, got, rrCSC, rrPolice, rrICB, rrLGT, rrEdu)
	for _, r := range reqs {
		// Request + 6 WD: 23, 24, 29, 30, 31 Dec, 4 Jan (25, 28 Dec and 1 Jan are holidays).
		if !strings.Contains(r.Text, "4 January 2027") {
			t.Errorf("scoping request to %v does not give the return date Monday 4 January 2027:\n%s", r.To, r.Text)
		}
		if strings.Contains(r.Text, "30 December 2026") || strings.Contains(r.Text, "31 December 2026") {
			t.Errorf("scoping request to %v names a return date that ignores the bank holidays:\n%s", r.To, r.Text)
		}
	}
	if cr := pick(got, "Your commands", rrLead); len(cr) != 1 {
		t.Errorf("command reply to the lead: %d, want 1; sent:\n%s", len(cr), describe(got))
	}
	d = e.caseJSON(rrRef, "2026-12-22T11:06:00Z")
	checkDeadline(d, "scoping_sent", "", "met")
	if len(d.Returns) != 5 {
		t.Errorf("returns asked: %d, want 5: %+v", len(d.Returns), d.Returns)
	}
	for _, r := range d.Returns {
		if !r.Due.Equal(utc("2027-01-04T17:00:00Z")) || r.Status != "awaiting" {
			t.Errorf("return %s: due %s status %s, want 2027-01-04T17:00:00Z awaiting", r.Agency, r.Due.UTC().Format(time.RFC3339), r.Status)
		}
	}
	reqTo := func(addr string) *mailbox.Message {
		t.Helper()
		rs := pick(reqs, rrScopingRq, addr)
		if len(rs) == 0 {
			t.Fatalf("[%s] no scoping request to %s", mb.name, addr)
		}
		return rs[0]
	}

	// ---- 5a. 12:00: the meeting. WD 7 is Tue 5 Jan (not Thu 31 Dec, as it would be
	// without the holidays); WD 13 is Wed 13 Jan. ----
	m0 := sink.mark()
	for _, when := range []string{
		"2026-12-23T10:00:00Z", // WD 1: before the window
		"2027-01-04T10:00:00Z", // WD 6: the day before the window opens
		"2027-01-14T10:00:00Z", // WD 14: after it closes
	} {
		var out, errb bytes.Buffer
		args := []string{"case", rrRef, "meeting", when, "--now", "2026-12-22T12:00:00Z", "--config", e.cfg}
		if code := Main(t.Context(), args, &out, &errb); code != 2 {
			t.Errorf("case meeting %s = exit %d, want 2 (outside the rr_meeting window, Tue 5 Jan – Wed 13 Jan)\nstdout: %s\nstderr: %s", when, code, out.String(), errb.String())
		} else if strings.Count(strings.TrimSpace(errb.String()), "\n") != 0 {
			t.Errorf("case meeting %s: stderr is not one line: %q", when, errb.String())
		}
	}
	out := e.run(0, "case", rrRef, "meeting", "2027-01-07T14:00:00Z", "--now", "2026-12-22T12:00:00Z")
	if !strings.Contains(out, "7 Jan 2027") {
		t.Errorf("meeting output %q does not say Thu 7 Jan 2027", out)
	}
	got = step("2026-12-22T12:01:00Z")
	if refused := sink.since(m0); len(got) != len(refused) {
		t.Errorf("the refused meeting times sent mail")
	}
	invites := pick(got, rrInvite, "")
	exactlyOnceEach(t, "meeting invitations", invites, got, rrLead, rrCSC, rrPolice, rrICB, rrLGT, rrEdu)
	var uid string
	for _, m := range invites {
		ics := icsOf(m)
		if ics == "" {
			t.Errorf("invitation to %v has no text/calendar attachment (attachments %v)", m.To, attachmentNames(m))
			continue
		}
		if icsProp(ics, "METHOD") != "REQUEST" || icsProp(ics, "SEQUENCE") != "0" || !strings.Contains(ics, "20270107T140000") {
			t.Errorf("invitation to %v: METHOD %q SEQUENCE %q, want REQUEST 0 at 20270107T140000:\n%s", m.To, icsProp(ics, "METHOD"), icsProp(ics, "SEQUENCE"), ics)
		}
		if u := icsProp(ics, "UID"); uid == "" {
			uid = u
		} else if u != uid {
			t.Errorf("invitations carry different UIDs: %q and %q", uid, u)
		}
	}

	// ---- 3. Thu 24 Dec: the police return the form; CSC's out-of-office. ----
	police := reqTo(rrPolice)
	mb.deliver("2026-12-24T10:00:00Z", demoMail{from: rrPolice, subject: "RE: " + police.Subject, inReplyTo: police.MessageID,
		body: "Completed form attached.", attachName: "scoping-return-met.docx", attach: demoScopingReturn(rrRef, "ET")})
	csc := reqTo(rrCSC)
	mb.deliver("2026-12-24T10:05:00Z", demoMail{from: rrCSC, subject: "Automatic reply: " + csc.Subject, inReplyTo: csc.MessageID,
		headers: map[string]string{"Auto-Submitted": "auto-replied"},
		body:    "I am out of the office until Monday 4 January 2027 with no access to email."})
	got = step("2026-12-24T10:10:00Z")
	if n := len(pick(got, "", rrCSC)); n != 0 {
		t.Errorf("the out-of-office was answered: %d messages to CSC:\n%s", n, describe(got))
	}
	if bad := append(pick(got, rrReminder, ""), pick(got, rrChaser, "")...); len(bad) > 0 {
		t.Errorf("reminders or chasers on 24 Dec (the return is due 4 Jan):\n%s", describe(bad))
	}
	rets := returnsByAgency(e.caseJSON(rrRef, "2026-12-24T10:11:00Z"))
	if rets["Metropolitan Police Service"].Status != "received" || rets["Lewisham Children's Social Care"].Status != "awaiting" {
		t.Errorf("after the police return and CSC's out-of-office: police %q, CSC %q; want received, awaiting",
			rets["Metropolitan Police Service"].Status, rets["Lewisham Children's Social Care"].Status)
	}

	// ---- 5b. 11:00: the meeting moves to Fri 8 Jan 10:00: an update, same UID, higher SEQUENCE. ----
	out = e.run(0, "case", rrRef, "meeting", "2027-01-08T10:00:00Z", "--now", "2026-12-24T11:00:00Z")
	if !strings.Contains(out, "moved") {
		t.Errorf("moving the meeting: output %q does not say moved", out)
	}
	got = step("2026-12-24T11:01:00Z")
	updates := pick(got, rrInvite, "")
	exactlyOnceEach(t, "meeting updates", updates, got, rrLead, rrCSC, rrPolice, rrICB, rrLGT, rrEdu)
	for _, m := range updates {
		ics := icsOf(m)
		if ics == "" {
			t.Errorf("update to %v has no text/calendar attachment (attachments %v)", m.To, attachmentNames(m))
			continue
		}
		if icsProp(ics, "METHOD") != "REQUEST" || icsProp(ics, "SEQUENCE") != "1" || icsProp(ics, "UID") != uid || !strings.Contains(ics, "20270108T100000") {
			t.Errorf("update to %v: METHOD %q SEQUENCE %q UID %q, want REQUEST 1 %q at 20270108T100000:\n%s",
				m.To, icsProp(ics, "METHOD"), icsProp(ics, "SEQUENCE"), icsProp(ics, "UID"), uid, ics)
		}
	}

	// ---- 4. The holidays and the weekend: nothing is chased. ----
	quiet("2026-12-25T09:00:00Z", "Christmas Day")
	quiet("2026-12-26T09:00:00Z", "Saturday")
	quiet("2026-12-28T09:00:00Z", "Boxing Day substitute, Monday")

	// Tue 29 Dec: the ICB's nil return, in the body.
	icb := reqTo(rrICB)
	mb.deliver("2026-12-29T11:00:00Z", demoMail{from: rrICB, subject: "RE: " + icb.Subject, inReplyTo: icb.MessageID,
		body: "Good morning,\n\nThe child and family are not known to our service.\n\nKind regards"})
	got = step("2026-12-29T11:05:00Z")
	if bad := append(pick(got, rrReminder, ""), pick(got, rrChaser, "")...); len(bad) > 0 {
		t.Errorf("reminders or chasers on 29 Dec:\n%s", describe(bad))
	}
	rets = returnsByAgency(e.caseJSON(rrRef, "2026-12-29T11:06:00Z"))
	if rets["NHS South East London ICB"].Status != "nil_return" {
		t.Errorf("ICB return after its nil return: %q, want nil_return", rets["NHS South East London ICB"].Status)
	}

	// Wed 30 Dec (WD 4): two working days before the due day; no scoping reminder yet.
	got = step("2026-12-30T09:00:00Z")
	if bad := append(pick(got, rrReminder, ""), pick(got, rrChaser, "")...); len(bad) > 0 {
		t.Errorf("reminders or chasers on Wed 30 Dec (the WD before the due day is Thu 31 Dec):\n%s", describe(bad))
	}

	// Thu 31 Dec 09:00 (WD 5, the WD before Mon 4 Jan): reminders to those still awaited.
	got = step("2026-12-31T09:00:00Z")
	exactlyOnceEach(t, "reminders on Thu 31 Dec", pick(got, rrReminder, ""), got, rrCSC, rrLGT, rrEdu)
	if c := pick(got, rrChaser, ""); len(c) > 0 {
		t.Errorf("chasers on Thu 31 Dec:\n%s", describe(c))
	}
	if again := step("2026-12-31T09:00:00Z"); len(again) > 0 {
		t.Errorf("a second run at Thu 31 Dec 09:00 sent again:\n%s", describe(again))
	}
	quiet("2027-01-01T09:00:00Z", "New Year's Day")

	// Mon 4 Jan 09:00 (WD 6): due today at 17:00: neither reminder (done) nor chaser (not late).
	got = step("2027-01-04T09:00:00Z")
	if bad := append(pick(got, rrReminder, ""), pick(got, rrChaser, "")...); len(bad) > 0 {
		t.Errorf("reminders or chasers on Mon 4 Jan, the due day:\n%s", describe(bad))
	}

	// Tue 5 Jan 09:00 (WD 7): the first chasers, to those still awaited.
	got = step("2027-01-05T09:00:00Z")
	exactlyOnceEach(t, "chasers on Tue 5 Jan", pick(got, rrChaser, ""), got, rrCSC, rrLGT, rrEdu)
	if r := pick(got, rrReminder, ""); len(r) > 0 {
		t.Errorf("reminders on Tue 5 Jan:\n%s", describe(r))
	}
	if again := step("2027-01-05T09:00:00Z"); len(again) > 0 {
		t.Errorf("a second run at Tue 5 Jan 09:00 sent again:\n%s", describe(again))
	}
	rets = returnsByAgency(e.caseJSON(rrRef, "2027-01-05T09:05:00Z"))
	for _, a := range []string{"Lewisham Children's Social Care", "Lewisham and Greenwich NHS Trust", "Lewisham Education Safeguarding"} {
		if rets[a].ChasersSent != 1 {
			t.Errorf("%s: chasers_sent %d, want 1", a, rets[a].ChasersSent)
		}
	}
	for _, a := range []string{"Metropolitan Police Service", "NHS South East London ICB"} {
		if rets[a].ChasersSent != 0 {
			t.Errorf("%s (return in): chasers_sent %d, want 0", a, rets[a].ChasersSent)
		}
	}

	// ---- 6. Papers: not on Wed 6 Jan; at 09:00 on Thu 7 Jan, the WD before the meeting. ----
	got = step("2027-01-06T09:00:00Z")
	if p := pick(got, rrPapers, ""); len(p) > 0 {
		t.Errorf("papers went on Wed 6 Jan, two working days before the meeting:\n%s", describe(p))
	}
	got = step("2027-01-07T09:00:00Z")
	papers := pick(got, rrPapers, "")
	exactlyOnceEach(t, "meeting papers", papers, got, rrLead, rrCSC, rrPolice, rrICB, rrLGT, rrEdu)
	for _, p := range papers {
		names := strings.Join(attachmentNames(p), ", ")
		if !strings.Contains(names, "referral.docx") || !strings.Contains(names, "scoping-return-met.docx") {
			t.Errorf("papers to %v carry %q; want the referral and the police return", p.To, names)
		}
		if !strings.Contains(p.Text, "NHS South East London ICB") {
			t.Errorf("papers to %v do not mention the ICB's nil return:\n%s", p.To, p.Text)
		}
	}
	if again := step("2027-01-07T09:00:00Z"); len(pick(again, rrPapers, "")) > 0 {
		t.Errorf("a second run sent the papers again:\n%s", describe(again))
	}
	checkDeadline(e.caseJSON(rrRef, "2027-01-07T09:05:00Z"), "rr_papers", "", "met")

	// ---- 7. Fri 8 Jan 15:00: after the meeting, the lead emails the report. ----
	toLead := e.sentTo(rrLead)
	last := toLead[len(toLead)-1] // the papers
	mb.deliver("2027-01-08T15:00:00Z", demoMail{from: rrLead, subject: "Re: " + last.Subject, inReplyTo: last.MessageID,
		body: "Report attached.", attachName: "rapid-review-report.docx", attach: demoRapidReviewReport(rrRef, "08/01/2027")})
	got = step("2027-01-08T15:05:00Z")
	if ar := pick(got, rrApproval, rrLead); len(ar) != 1 {
		t.Errorf("approval request to the lead: %d, want 1; sent:\n%s", len(ar), describe(got))
	}
	if p := e.sentTo(rrPanel); len(p) != 0 {
		t.Errorf("mail reached the National Panel before any approval:\n%s", describe(p))
	}
	d = e.caseJSON(rrRef, "2027-01-08T15:06:00Z")
	checkDeadline(d, "rr_meeting", "", "met")
	checkDeadline(d, "rr_submission", "2027-01-12T17:00:00Z", "pending")

	// ---- 8. Mon 11 Jan 10:00: approved on the command line. ----
	out = e.run(0, "case", rrRef, "approve", "--now", "2027-01-11T10:00:00Z")
	if !strings.Contains(out, "rr_submission met") {
		t.Errorf("approve output does not say rr_submission met:\n%s", out)
	}
	got = step("2027-01-11T10:01:00Z")
	sub := e.sentTo(rrPanel)
	if len(sub) != 1 {
		t.Fatalf("[%s] %d emails to the National Panel, want 1; sent in this step:\n%s", mb.name, len(sub), describe(got))
	}
	if len(sub[0].To) != 1 {
		t.Errorf("the submission went to %v as well as the Panel", sub[0].To)
	}
	var report bool
	for _, a := range sub[0].Attachments {
		if a.Name == "rapid-review-report.docx" && bytes.HasPrefix(a.Data, []byte("PK")) {
			report = true
		}
	}
	if !report {
		t.Errorf("the submission does not carry the report: attachments %v", attachmentNames(sub[0]))
	}
	// The referrer (the hospital trust) is an agency of the case too: one notice.
	exactlyOnceEach(t, "outcome notices", pick(got, rrOutcome, ""), got, rrCSC, rrPolice, rrICB, rrLGT, rrEdu)
	d = e.caseJSON(rrRef, "2027-01-11T10:05:00Z")
	checkDeadline(d, "rr_submission", "2027-01-12T17:00:00Z", "met")
	checkDeadline(d, "outcome_notice", "", "met")
	if d.Stage != "lcspr" {
		t.Errorf("stage after approving recommendation b: %q, want lcspr", d.Stage)
	}
	if err := json.Unmarshal([]byte(e.run(0, "cases", "--json", "--now", "2027-01-11T10:05:00Z")), &cases); err != nil {
		t.Fatal(err)
	}
	if len(cases) != 1 || cases[0].Stage != "lcspr" {
		t.Errorf("cases --json after approval: %+v", cases)
	}

	// A second approval is refused and sends nothing.
	m1 := sink.mark()
	var o2, e2 bytes.Buffer
	code := Main(t.Context(), []string{"case", rrRef, "approve", "--now", "2027-01-11T10:30:00Z", "--config", e.cfg}, &o2, &e2)
	if code != 2 && code != 0 {
		t.Errorf("second approve: exit %d, want 2 (or a no-op 0)\nstdout %s\nstderr %s", code, o2.String(), e2.String())
	}
	step("2027-01-11T10:31:00Z")
	if after := sink.since(m1); len(pick(after, "", rrPanel)) > 0 || len(pick(after, rrOutcome, "")) > 0 {
		t.Errorf("a second approve sent again:\n%s", describe(after))
	}
	if n := len(e.sentTo(rrPanel)); n != 1 {
		t.Errorf("%d emails to the National Panel in all, want 1", n)
	}

	// ---- 9. Everything read, nothing sent twice, no name in a subject. ----
	if s, tot := mb.seen(); s != tot || tot != 6 {
		t.Errorf("[%s] %d of %d inbox messages \\Seen, want 6 of 6", mb.name, s, tot)
	}
	all := e.sent()
	ids := map[string]int{}
	for _, m := range all {
		ids[m.MessageID]++
		if strings.Contains(m.Subject, "Ellie") || strings.Contains(m.Subject, "Testcase") {
			t.Errorf("subject %q names the child", m.Subject)
		}
	}
	for id, n := range ids {
		if n > 1 || id == "" {
			t.Errorf("Message-ID %q appears %d times at the sink", id, n)
		}
	}
	if t.Failed() || testing.Verbose() {
		t.Logf("[%s] everything sent (%d messages, %s):\n%s", mb.name, len(all), time.Since(start).Round(time.Millisecond), describe(all))
	}
}
