package tracker

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Issue 8, second reader: the promises tried by routes the authors' tests do not take.
// Each test here is expected to fail until the defect it names is fixed.

// Promise 4: a form printed with another case's reference is never circulated as this
// case's. The mismatch check looks only at the first scoping form a message carries: a
// reply holding this case's form and, second, another case's form is filed, and both go
// to every invitee with the papers.
func TestReader8SecondFormOfAnotherCaseIsCirculated(t *testing.T) {
	ctx := context.Background()
	clock := &testClock{}
	tr := newRRTracker(t, clock, nil)
	openScopedCase(t, tr, clock, "2026-12-07T10:15:00Z")
	clock.Set("2026-12-08T10:00:00Z")
	if _, err := tr.SetMeeting(ctx, "LSCP-2026-001", mustTime("2026-12-16T10:00:00Z"), false, "test"); err != nil {
		t.Fatal(err)
	}
	in := returnIncoming(20, "two-forms@met.example", "lead@met.example", requestTo(t, tr, "Metropolitan Police Service"),
		map[string]string{"case_ref": "LSCP-2026-001", "child_initials": "E.T.", "child_known": "yes", "family_known": "no"})
	in.Attachments = append(in.Attachments, InAttachment{
		Attachment: Attachment{Name: "other-child-return.docx", Data: []byte("PK another child's return")},
		Form: &Form{Kind: FormScopingReturn, CaseRef: "LSCP-2026-099", Fields: map[string]string{
			"case_ref": "LSCP-2026-099", "child_initials": "Q.Z.", "child_known": "yes", "family_known": "yes",
			"involvement_summary": "another child's history"}},
	})
	res, err := tr.Ingest(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	clock.Set("2026-12-15T09:30:00Z") // the papers go the working day before the meeting
	if _, err := tr.TickMeetings(ctx); err != nil {
		t.Fatal(err)
	}
	papers := outboxEmails(t, tr, TmplPapers)
	if len(papers) == 0 {
		t.Fatalf("no papers were sent at all (the message was %+v): the test proves nothing", res)
	}
	for _, p := range papers {
		for _, a := range p.Email.Attachments {
			if a.Name == "other-child-return.docx" {
				t.Errorf("a form printed with case LSCP-2026-099 was circulated with LSCP-2026-001's papers to %s (message disposition %s)", p.To, res.Disposition)
				return
			}
		}
	}
}

// Promise 4: a Rapid Review report for another child never becomes this case's National
// Panel draft. The check compares only a printed reference and a child_initials field;
// Appendix 5 carries the child's name instead, so a report naming another child (whose
// initials are not this case's) is taken as this case's.
func TestReader8RapidReviewReportNamingAnotherChild(t *testing.T) {
	ctx := context.Background()
	clock := &testClock{}
	tr := newRRTracker(t, clock, nil)
	openScopedCase(t, tr, clock, "2026-12-07T10:15:00Z")
	if _, err := tr.SetMeeting(ctx, "LSCP-2026-001", mustTime("2026-12-16T10:00:00Z"), false, "test"); err != nil {
		t.Fatal(err)
	}
	clock.Set("2026-12-16T15:00:00Z")
	in := staffMail(clock, "report-other@lewisham.gov.uk", firstID(t, tr, TmplStaffNewReferral), "RE: [LSCP-2026-001] new referral", "Here is the report.")
	att := reportAttachment("b")
	att.Form.Fields["child_name"] = "Quentin Zebedee" // QZ; this case is ET (Ellie Testcase)
	in.Attachments = []InAttachment{att}
	deliver(t, tr, in)
	if sub := nationalRows(t, tr); len(sub) != 0 {
		t.Errorf("a Rapid Review report naming another child (QZ) became LSCP-2026-001's (ET) National Panel draft: %d submission row(s), status %s", len(sub), sub[0].Status)
	}
}

// Promises 2 and 3: a referral that came through a list (or an e-form system) opens its
// case with no reply to the machine. But the list's address becomes the case's
// "referrer", which vouches for it: the outcome notice, with the Rapid Review decision,
// is queued to the mailing list.
func TestReader8OutcomeNoticeGoesToTheListThatCarriedTheReferral(t *testing.T) {
	ctx := context.Background()
	clock := &testClock{}
	tr := newRRTracker(t, clock, nil)
	clock.Set("2026-12-07T10:15:00Z")
	ref := referralIncoming("list-referral@lewisham.gov.uk", 1, "2026-12-07T10:15:00Z")
	ref.From, ref.Auto = "Safeguarding list <safeguarding-list@lewisham.gov.uk>", "bulk"
	if res := deliver(t, tr, ref); res.CaseRef != "LSCP-2026-001" {
		t.Fatalf("list referral = %+v, want a case", res)
	}
	if n := len(outboxEmails(t, tr, TmplAckReferrer)); n != 0 {
		t.Fatalf("%d acknowledgements to the list", n)
	}
	clock.Set("2026-12-07T11:15:00Z")
	if _, err := tr.StartScoping(ctx, "LSCP-2026-001", nil, "test"); err != nil {
		t.Fatal(err)
	}
	if _, err := tr.SetMeeting(ctx, "LSCP-2026-001", mustTime("2026-12-16T10:00:00Z"), false, "test"); err != nil {
		t.Fatal(err)
	}
	clock.Set("2026-12-16T15:00:00Z")
	in := staffMail(clock, "report-list@lewisham.gov.uk", firstID(t, tr, TmplStaffNewReferral), "RE: [LSCP-2026-001] new referral", "Here is the report.")
	in.Attachments = []InAttachment{reportAttachment("b")}
	deliver(t, tr, in)
	clock.Set("2026-12-17T10:00:00Z")
	if _, err := tr.Approve(ctx, "LSCP-2026-001", "command line"); err != nil {
		t.Fatal(err)
	}
	for _, o := range outboxEmails(t, tr, "") {
		if strings.Contains(o.To, "safeguarding-list@") && o.Status != "held" {
			t.Errorf("%s is %s to the mailing list the referral came through (%s): a reply to the machine, carrying the case's outcome", o.Kind, o.Status, o.To)
		}
	}
}

// Promise 8: the daemon notices its store replaced. Replacing it the way an operator
// restores a backup (cp over the file: same inode, other content) is not noticed, and
// intake goes on committing into a file that is now another store.
func TestReader8StoreOverwrittenInPlaceIsNoticed(t *testing.T) {
	clock := &testClock{}
	clock.Set("2026-12-07T10:15:00Z")
	tr := newTestTracker(t, clock)
	deliver(t, tr, referralIncoming("first@example.org", 1, "2026-12-07T10:15:00Z"))

	// Another store (as a backup would be), copied over the open one in place.
	other := newTestTracker(t, clock)
	if _, err := other.DB().Exec(`PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(other.Path())
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.OpenFile(tr.Path(), os.O_WRONLY|os.O_TRUNC, 0) // what cp does: same inode
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Write(b); err != nil {
		t.Fatal(err)
	}
	f.Close()
	if err := tr.CheckFile(); err == nil {
		t.Errorf("CheckFile after the store file's content was replaced in place (cp backup.db csprbot.db) = nil, want ErrStoreMoved")
	}
}

// countSender counts what reaches the server per Message-ID, and after each send runs
// after (if set).
type countSender struct {
	n     map[string]int
	after func()
}

func (s *countSender) Send(_ context.Context, m *OutEmail) error {
	s.n[m.MessageID]++
	if s.after != nil {
		s.after()
	}
	return nil
}

// Promise 6: only a crash inside the SMTP window repeats an email. When the outcome of a
// send cannot be recorded (the store locked by another process just after the server
// took the email), the outcome is kept only in memory; a csprbot that then stops in the
// ordinary way (`run --once` returning its error, the daemon on SIGTERM) loses it, and the
// next csprbot takes the row for a crashed send and sends the email again.
func TestReader8UnrecordedOutcomeLostAtOrdinaryExitIsSentAgain(t *testing.T) {
	ctx := context.Background()
	clock := &testClock{}
	clock.Set("2026-12-07T10:15:00Z")
	tr := newTestTracker(t, clock)
	var id string
	if err := tr.tx(ctx, func(tx *sql.Tx) error {
		var err error
		id, err = tr.enqueue(ctx, tx, clock.Now(), outMsg{tmpl: TmplStaffAttention, to: []string{"strategic.lead@lewisham.gov.uk"}})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	tr.DB().SetMaxOpenConns(1)
	if _, err := tr.DB().Exec(`PRAGMA busy_timeout = 100`); err != nil {
		t.Fatal(err)
	}
	other, err := sql.Open("sqlite", DSN(tr.Path()))
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	var lock *sql.Tx
	sink := &countSender{n: map[string]int{}}
	sink.after = func() {
		if lock == nil {
			lock, err = other.Begin() // BEGIN IMMEDIATE: another process holds the write lock
			if err != nil {
				t.Fatal(err)
			}
		}
	}
	if _, err := tr.SendDue(ctx, sink); err == nil {
		t.Fatalf("SendDue with the outcome unrecordable = nil error; the test did not lock the store")
	}
	lock.Rollback()
	// csprbot stops in the ordinary way: `run --once` returns its error and closes the
	// store; the kernel drops its send lock.
	if tr.out.unlock != nil {
		tr.out.unlock()
		tr.out.unlock = nil
	}
	tr.Close()

	st, err := Open(ctx, tr.Path(), clock.Now, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	cal, _ := NewCalendar(nil)
	next, err := New(ctx, st, testConfig(), cal, testRenderer{})
	if err != nil {
		t.Fatal(err)
	}
	clock.Set("2026-12-07T10:20:00Z")
	if _, err := next.SendDue(ctx, sink); err != nil {
		t.Fatal(err)
	}
	if sink.n[id] != 1 {
		t.Errorf("the server received %s %d times: the next csprbot sent it again although no crash happened inside the SMTP window (the outcome was known, only unrecorded)", id, sink.n[id])
	}
}

// Promise 5: an agency's return counts only from its vouched address or its domain with
// a trusted DKIM/DMARC pass. A domain several agencies share (nhs.net serves every NHS
// body; gmail.com anyone) is not one agency's: the ICB's own directory address, replying
// to the Trust's request forwarded to it, files the Trust's return, and so does any
// other nhs.net mailbox with the token.
func TestReader8SharedDomainDoesNotSpeakForTheAgency(t *testing.T) {
	for _, from := range []string{"selicb.safeguarding@nhs.net", "someone.else@nhs.net"} {
		t.Run(from, func(t *testing.T) {
			ctx := context.Background()
			clock := &testClock{}
			tr := newRRTracker(t, clock, func(c *Config) {
				for i := range c.Agencies {
					switch c.Agencies[i].Name {
					case "NHS South East London ICB":
						c.Agencies[i].Email = "selicb.safeguarding@nhs.net"
					case "Lewisham and Greenwich NHS Trust":
						c.Agencies[i].Email = "lgt.safeguarding@nhs.net"
					}
				}
			})
			openScopedCase(t, tr, clock, "2026-12-07T10:15:00Z")
			in := returnIncoming(20, "shared-domain@nhs.net", from, requestTo(t, tr, "Lewisham and Greenwich NHS Trust"),
				map[string]string{"case_ref": "LSCP-2026-001", "child_known": "yes", "family_known": "yes"})
			in.AuthResults = []string{"mx.lewisham.gov.uk; dkim=pass header.d=nhs.net; dmarc=pass header.from=nhs.net"}
			res, err := tr.Ingest(ctx, in)
			if err != nil {
				t.Fatal(err)
			}
			if got := returnStatus(t, tr, "Lewisham and Greenwich NHS Trust"); got != "awaiting" {
				t.Errorf("a return from %s (not the Trust's address; nhs.net is every NHS body's domain) was filed as the Trust's: status %s (%+v)", from, got, res)
			}
		})
	}
}

// blockingSender holds the first email inside its SMTP conversation until released.
type blockingSender struct {
	entered, release chan struct{}
	n                map[string]int
	mu               chan struct{}
}

func (s *blockingSender) Send(_ context.Context, m *OutEmail) error {
	s.mu <- struct{}{}
	s.n[m.MessageID]++
	<-s.mu
	select {
	case s.entered <- struct{}{}:
		<-s.release
	default:
	}
	return nil
}

// Promise 6: one sender at a time; only a crash inside the SMTP window repeats an email.
// The send lock is a file named after the store's path, so a second csprbot that reaches
// the same store by another name (a symlink, as /etc/csprbot points at /var/lib) takes its
// own lock, finds the first sender's email 'sending', takes it for a crashed send and
// sends it again while the first is still in its SMTP conversation.
func TestReader8SecondSenderThroughASymlinkDoesNotRepeatAnEmail(t *testing.T) {
	ctx := context.Background()
	clock := &testClock{}
	clock.Set("2026-12-07T10:15:00Z")
	tr := newTestTracker(t, clock)
	var id string
	if err := tr.tx(ctx, func(tx *sql.Tx) error {
		var err error
		id, err = tr.enqueue(ctx, tx, clock.Now(), outMsg{tmpl: TmplStaffAttention, to: []string{"strategic.lead@lewisham.gov.uk"}})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	s := &blockingSender{entered: make(chan struct{}), release: make(chan struct{}), n: map[string]int{}, mu: make(chan struct{}, 1)}
	done := make(chan error, 1)
	go func() { _, err := tr.SendDue(ctx, s); done <- err }()
	<-s.entered // the first csprbot is in the SMTP conversation

	link := filepath.Join(t.TempDir(), "csprbot.db")
	if err := os.Symlink(tr.Path(), link); err != nil {
		t.Fatal(err)
	}
	st, err := Open(ctx, link, clock.Now, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	cal, _ := NewCalendar(nil)
	second, err := New(ctx, st, testConfig(), cal, testRenderer{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := second.SendDue(ctx, s); err != nil {
		t.Logf("second SendDue: %v", err)
	}
	close(s.release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if s.n[id] != 1 {
		var maybe int
		tr.DB().QueryRow(`SELECT maybe_sent FROM outbox WHERE message_id = ?`, id).Scan(&maybe)
		t.Errorf("the server received %s %d times: a second csprbot on the same store (reached through a symlink) sent it while the first was still sending it (taken for an interrupted send: maybe_sent = %d)", id, s.n[id], maybe)
	}
}

// refusingContent is a server that refuses the message itself (554 5.6.0 at the end of
// DATA: its content, not its recipients).
type refusingContent struct{}

func (refusingContent) Send(context.Context, *OutEmail) error {
	return &SendError{Permanent: true, MessageRefused: true, Err: errors.New("554 5.6.0 message content rejected")}
}

// Issue 8 §7: a refusal caused by our own message reaches staff; the recipients did
// nothing wrong. When the server refuses an email for what it carries (an agency's
// attachment its scanner dislikes, a header it will not take), the stuck-mail alert marks
// every recipient "rejected", and every later email to them (chasers, invitations, the
// outcome notice) is held: one bad attachment in the papers silences the case's agencies.
func TestReader8MessageRefusedDoesNotMarkItsRecipients(t *testing.T) {
	ctx := context.Background()
	clock := &testClock{}
	clock.Set("2026-12-07T10:15:00Z")
	tr := newTestTracker(t, clock)
	queue := func() string {
		var id string
		if err := tr.tx(ctx, func(tx *sql.Tx) error {
			var err error
			id, err = tr.enqueue(ctx, tx, clock.Now(), outMsg{tmpl: TmplDigest, to: []string{"lead@met.example"}})
			return err
		}); err != nil {
			t.Fatal(err)
		}
		return id
	}
	queue()
	if _, err := tr.SendDue(ctx, refusingContent{}); err != nil {
		t.Fatal(err)
	}
	clock.Set("2026-12-07T10:20:00Z")
	later := queue()
	for _, o := range outboxEmails(t, tr, TmplDigest) {
		if o.MessageID == later && o.Status != "queued" {
			var problem string
			tr.DB().QueryRow(`SELECT status || ': ' || detail FROM address_status WHERE address = 'lead@met.example'`).Scan(&problem)
			t.Errorf("after the server refused one email for its content, the next email to lead@met.example is %s (address marked %q)", o.Status, problem)
		}
	}
}

// Promise 5, after the shared-domain fix: which domains are shared is decided by a list of
// well-known ones, so any mail domain not on it is taken for the agency's own. A nursery
// staff vouched for at its broadband address (hilltop.nursery@sky.com, as small settings
// have) is then spoken for by every sky.com customer with DKIM: a stranger holding the
// forwarded request files the nursery's return.
func TestReader8ConsumerDomainDoesNotSpeakForAStaffAddedAgency(t *testing.T) {
	ctx := context.Background()
	clock := &testClock{}
	tr := newRRTracker(t, clock, nil)
	openScopedCase(t, tr, clock, "2026-12-07T10:15:00Z")
	if _, err := tr.StartScoping(ctx, "LSCP-2026-001", []string{"Hilltop Nursery <hilltop.nursery@sky.com>"}, "strategic.lead@lewisham.gov.uk"); err != nil {
		t.Fatal(err)
	}
	in := returnIncoming(20, "sky-stranger@sky.com", "someone.else@sky.com", requestTo(t, tr, "Hilltop Nursery"),
		map[string]string{"case_ref": "LSCP-2026-001", "child_known": "no", "family_known": "no"})
	in.AuthResults = []string{"mx.lewisham.gov.uk; dkim=pass header.d=sky.com; dmarc=pass header.from=sky.com"}
	res, err := tr.Ingest(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	if got := returnStatus(t, tr, "Hilltop Nursery"); got != "awaiting" {
		t.Errorf("a stranger at sky.com (the nursery's broadband provider) filed the nursery's return: status %s (%+v)", got, res)
	}
}

// Promise 4, after the fix that compares the child named on a form: this case's own Rapid
// Review report is taken for another child's and refused (so the National Panel submission
// cannot be prepared) when it names the child as agencies' forms and reports often do:
// surname first ("TESTCASE, Ellie"), or anonymised ("Child ET").
func TestReader8ThisCasesReportWithSurnameFirstIsTaken(t *testing.T) {
	for _, name := range []string{"TESTCASE, Ellie", "Child ET"} {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			clock := &testClock{}
			tr := newRRTracker(t, clock, nil)
			openScopedCase(t, tr, clock, "2026-12-07T10:15:00Z")
			if _, err := tr.SetMeeting(ctx, "LSCP-2026-001", mustTime("2026-12-16T10:00:00Z"), false, "test"); err != nil {
				t.Fatal(err)
			}
			clock.Set("2026-12-16T15:00:00Z")
			in := staffMail(clock, "report-name@lewisham.gov.uk", firstID(t, tr, TmplStaffNewReferral), "RE: [LSCP-2026-001] new referral", "Here is the report.")
			att := reportAttachment("b")
			att.Form.Fields["child_name"] = name // this case's child, Ellie Testcase (ET)
			in.Attachments = []InAttachment{att}
			deliver(t, tr, in)
			if sub := nationalRows(t, tr); len(sub) != 1 {
				var detail string
				tr.DB().QueryRow(`SELECT detail FROM audit WHERE event = 'command' ORDER BY id DESC LIMIT 1`).Scan(&detail)
				t.Errorf("this case's report naming the child %q became %d submission drafts, want 1 (%s)", name, len(sub), detail)
			}
		})
	}
}

// Promise 2, the meeting-response path: a message carrying an iCalendar REPLY is taken
// for a meeting response whatever else it carries, ahead of everything else intake does.
// An agency that accepts the Rapid Review invitation and attaches its overdue scoping
// return to the response (Outlook lets one edit the response before sending) has the
// return swallowed: not filed, no person told, chasing goes on. A referral that arrives
// with a stray REPLY .ics opens no case and reaches no one.
func TestReader8MeetingResponseDoesNotSwallowWhatItCarries(t *testing.T) {
	ctx := context.Background()
	t.Run("return", func(t *testing.T) {
		clock := &testClock{}
		tr := newRRTracker(t, clock, nil)
		openScopedCase(t, tr, clock, "2026-12-07T10:15:00Z")
		clock.Set("2026-12-08T10:00:00Z")
		if _, err := tr.SetMeeting(ctx, "LSCP-2026-001", mustTime("2026-12-16T10:00:00Z"), false, "test"); err != nil {
			t.Fatal(err)
		}
		var invite string
		for _, o := range outboxEmails(t, tr, TmplMeetingInvite) {
			if o.Agency == "Metropolitan Police Service" {
				invite = o.MessageID
			}
		}
		clock.Set("2026-12-09T14:30:00Z")
		in := returnIncoming(20, "accept-with-return@met.example", "lead@met.example", invite,
			map[string]string{"case_ref": "LSCP-2026-001", "child_initials": "ET", "child_known": "yes", "family_known": "no"})
		in.Subject = "Accepted: [LSCP-2026-001] Rapid Review meeting (child ET)"
		in.Text = "Accepted. Our scoping return is attached, sorry it is late."
		in.CalReply = &CalendarReply{Attendee: "lead@met.example", PartStat: "ACCEPTED"}
		res, err := tr.Ingest(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		told := 0
		for _, o := range outboxEmails(t, tr, TmplStaffAttention) {
			if strings.Contains(o.Email.Text, "accept-with-return@met.example") {
				told++
			}
		}
		if got := returnStatus(t, tr, "Metropolitan Police Service"); got != "received" && told == 0 {
			t.Errorf("the police return attached to their meeting acceptance: return %s, no person told (message disposition %s)", got, res.Disposition)
		}
	})
	t.Run("referral", func(t *testing.T) {
		clock := &testClock{}
		tr := newRRTracker(t, clock, nil)
		clock.Set("2026-12-07T10:15:00Z")
		in := referralIncoming("referral-with-ics@lgt.example", 1, "2026-12-07T10:15:00Z")
		in.CalReply = &CalendarReply{UID: "some-other-meeting@elsewhere.example", Attendee: "safeguarding@lgt.example", PartStat: "ACCEPTED"}
		res, err := tr.Ingest(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		if res.CaseRef == "" && len(outboxEmails(t, tr, TmplStaffAttention)) == 0 {
			t.Errorf("a readable referral that carried a stray meeting-response .ics opened no case and no person was told (disposition %s)", res.Disposition)
		}
	})
}
