package tracker

import (
	"context"
	"database/sql"
	"strings"
	"testing"
)

// Issue 9, second reader: the same classes of defect the issue names, found by routes
// the authors' tests do not take. Each test here is expected to fail until the defect
// it names is fixed.

func twoStaff(c *Config) {
	c.Staff = append(c.Staff, Person{Name: "Deputy", Email: "deputy@lewisham.gov.uk"})
}

// Class (f), one send policy, no silent holds: notices to staff go in one email to every
// staff member. When one staff address bounces (a colleague left, a mailbox removed),
// the address is marked and every later staff notice is held whole, so the staff
// members whose mail works hear nothing either; the notice that the address bounced is
// itself held, travelling by the channel that is held.
func TestReader9OneBouncedStaffAddressSilencesEveryStaffNotice(t *testing.T) {
	ctx := context.Background()
	clock := &testClock{}
	tr := newRRTracker(t, clock, twoStaff)
	openScopedCase(t, tr, clock, "2026-12-07T10:15:00Z")
	notice := firstID(t, tr, TmplStaffNewReferral)
	if o := outboxEmails(t, tr, TmplStaffNewReferral); !strings.Contains(o[len(o)-1].To, "deputy@lewisham.gov.uk") {
		t.Fatalf("the staff notice did not go to both staff members: %s", o[len(o)-1].To)
	}
	clock.Set("2026-12-08T10:00:00Z")
	before := len(outboxEmails(t, tr, TmplStaffAttention))
	if _, err := tr.Ingest(ctx, &Incoming{Mailbox: "INBOX", UIDValidity: 1, UID: 300, ReceivedAt: clock.Now(),
		MessageID: "dsn-deputy@mx.example", From: "MAILER-DAEMON@mx.example", Subject: "Undeliverable",
		Auto: "bounce", BounceOf: notice, BounceRecipients: []string{"deputy@lewisham.gov.uk"}, BounceDetail: "5.1.1 user unknown"}); err != nil {
		t.Fatal(err)
	}
	// Then an ordinary thing staff must hear about: a message from a stranger.
	clock.Set("2026-12-08T11:00:00Z")
	deliver(t, tr, &Incoming{Mailbox: "INBOX", UIDValidity: 1, UID: 301, ReceivedAt: clock.Now(), MessageID: "stranger@else.example",
		From: "someone@else.example", Subject: "question", Text: "Hello, who do I ask about a training course?"})
	after := outboxEmails(t, tr, TmplStaffAttention)[before:]
	if len(after) == 0 {
		t.Fatalf("no staff notice was queued at all")
	}
	for _, o := range after {
		if o.Status == "held" || !strings.Contains(o.To, "strategic.lead@lewisham.gov.uk") {
			t.Errorf("staff notice %q to %s is %s: the working staff address hears nothing because another staff address bounced", firstLine(o.Email.Text), o.To, o.Status)
		}
	}
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	if len(s) > 70 {
		s = s[:70]
	}
	return s
}

// Class (d), dead ends for staff: "Clear address: ADDR" is a command about no case. A
// staff member who sends it as a new email, authenticated by the trusted server's DKIM
// pass, is neither obeyed nor answered with a way forward: with no case to tie it to, the
// message goes to triage and staff are told that someone unknown wrote in.
func TestReader9ClearAddressAsANewAuthenticatedEmailIsObeyed(t *testing.T) {
	clock := &testClock{}
	tr := newRRTracker(t, clock, nil)
	openScopedCase(t, tr, clock, "2026-12-07T10:15:00Z")
	if err := tr.tx(context.Background(), func(tx *sql.Tx) error {
		return markAddress(context.Background(), tx, clock.Now(), "lead@met.example", "rejected", "550 5.1.1 unknown")
	}); err != nil {
		t.Fatal(err)
	}
	clock.Set("2026-12-08T10:00:00Z")
	in := staffMail(clock, "clear-new@lewisham.gov.uk", "", "Clear address", "Clear address: lead@met.example")
	in.AuthResults = []string{"mx.lewisham.gov.uk; dkim=pass header.d=lewisham.gov.uk; dmarc=pass header.from=lewisham.gov.uk"}
	before := len(outboxEmails(t, tr, TmplCommandReply))
	res := deliver(t, tr, in)
	var marked int
	tr.DB().QueryRow(`SELECT count(*) FROM address_status WHERE address = 'lead@met.example'`).Scan(&marked)
	replies := outboxEmails(t, tr, TmplCommandReply)[before:]
	if marked != 0 || len(replies) == 0 {
		t.Errorf("an authenticated staff email \"Clear address: lead@met.example\" (a new email): address still marked = %v, command replies = %d, disposition %q", marked != 0, len(replies), res.Disposition)
	}
}

// Class (d): the notice staff get about a message on no case (or an email that bounced,
// on no case) is the natural thing to answer with "Clear address: ADDR". A staff reply to
// such a notice that is not "Open case" is recorded and dropped: not obeyed, not
// answered, no way forward.
func TestReader9CommandReplyToACaselessNoticeIsNotDropped(t *testing.T) {
	clock := &testClock{}
	tr := newRRTracker(t, clock, nil)
	openScopedCase(t, tr, clock, "2026-12-07T10:15:00Z")
	if err := tr.tx(context.Background(), func(tx *sql.Tx) error {
		return markAddress(context.Background(), tx, clock.Now(), "lead@met.example", "rejected", "550 5.1.1 unknown")
	}); err != nil {
		t.Fatal(err)
	}
	clock.Set("2026-12-08T10:00:00Z")
	deliver(t, tr, &Incoming{Mailbox: "INBOX", UIDValidity: 1, UID: 310, ReceivedAt: clock.Now(), MessageID: "stranger2@else.example",
		From: "someone@else.example", Subject: "question", Text: "Hello, is this the right address?"})
	var notice string
	for _, o := range outboxEmails(t, tr, TmplStaffAttention) {
		if strings.Contains(o.Email.Text, "could not tie to a case") {
			notice = o.MessageID
		}
	}
	if notice == "" {
		t.Fatal("no triage notice to staff")
	}
	clock.Set("2026-12-08T10:30:00Z")
	before := len(outboxEmails(t, tr, TmplCommandReply))
	deliver(t, tr, staffMail(clock, "clear-reply@lewisham.gov.uk", notice, "RE: needs attention", "Clear address: lead@met.example"))
	var marked int
	tr.DB().QueryRow(`SELECT count(*) FROM address_status WHERE address = 'lead@met.example'`).Scan(&marked)
	replies := outboxEmails(t, tr, TmplCommandReply)[before:]
	if marked != 0 && len(replies) == 0 {
		t.Errorf("a staff reply \"Clear address: lead@met.example\" to csprbot's own notice was neither obeyed nor answered (address still marked, no reply)")
	}
}

// Classes (c) and (f): the approval of the National Panel submission is a send path of
// its own. When the Panel's address is marked (a bounce or a refusal), the send policy
// holds the submission, but the approval goes on as if it had gone: the staff member is
// told "approved and queued", rr_submission is recorded as met, and the hold is written
// with no WARN in the log, so nobody learns that the Panel has nothing.
func TestReader9ApprovedSubmissionHeldIsNotReportedAsQueued(t *testing.T) {
	ctx := context.Background()
	clock := &testClock{}
	tr := newRRTracker(t, clock, nil)
	openScopedCase(t, tr, clock, "2026-12-07T10:15:00Z")
	clock.Set("2026-12-08T10:00:00Z")
	if _, err := tr.SetMeeting(ctx, "LSCP-2026-001", mustTime("2026-12-16T10:00:00Z"), false, "test"); err != nil {
		t.Fatal(err)
	}
	clock.Set("2026-12-16T15:00:00Z")
	in := staffMail(clock, "report9@lewisham.gov.uk", firstID(t, tr, TmplStaffNewReferral), "RE: [LSCP-2026-001] new referral", "Here is the report.")
	in.Attachments = []InAttachment{reportAttachment("b")}
	if res := deliver(t, tr, in); res.Disposition != "command" {
		t.Fatalf("report = %+v, want handled", res)
	}
	if err := tr.tx(ctx, func(tx *sql.Tx) error {
		return markAddress(ctx, tx, clock.Now(), "Mailbox.NationalReviewPanel@education.gov.uk", "bounced", "550 5.1.1 mailbox full")
	}); err != nil {
		t.Fatal(err)
	}
	clock.Set("2026-12-17T10:00:00Z")
	before := len(outboxEmails(t, tr, TmplCommandReply))
	deliver(t, tr, staffMail(clock, "approve9@lewisham.gov.uk", firstID(t, tr, TmplApprovalRequest), "RE: approval", "Approve"))
	sub := outboxEmails(t, tr, TmplPanelSubmission)
	if len(sub) != 1 || sub[0].Status != "held" {
		t.Fatalf("submission rows = %+v, want one held (the Panel's address is marked)", sub)
	}
	replies := outboxEmails(t, tr, TmplCommandReply)[before:]
	var reply string
	for _, r := range replies {
		reply += r.Email.Text
	}
	var st string
	tr.DB().QueryRow(`SELECT status FROM deadlines WHERE case_id = 1 AND rule = 'rr_submission'`).Scan(&st)
	if strings.Contains(reply, "approved and queued") || !strings.Contains(reply, "held") || st == "met" {
		t.Errorf("the submission is held (Panel address bounced) but the approval reply says %q (mentions held: %v) and rr_submission is %q",
			strings.TrimSpace(firstMatching(reply, "Approve")), strings.Contains(reply, "held"), st)
	}
}

func firstMatching(s, sub string) string {
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			return l
		}
	}
	return ""
}

// pastCap counts MaxPerAddressPerDay emails to addr today, so that what follows to it is
// past the daily cap.
func pastCap(t *testing.T, tr *Tracker, clock *testClock, addr string) {
	t.Helper()
	if err := tr.tx(context.Background(), func(tx *sql.Tx) error {
		for i := 0; i < MaxPerAddressPerDay; i++ {
			if err := tr.countQueued(context.Background(), tx, clock.Now(), []string{addr}); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}

// summaryOf returns the summary a coalesced notice went out in.
func summaryOf(t *testing.T, tr *Tracker, msgID string) string {
	t.Helper()
	var status, lastErr string
	tr.DB().QueryRow(`SELECT status, last_error FROM outbox WHERE message_id = ?`, msgID).Scan(&status, &lastErr)
	if status != "coalesced" {
		t.Fatalf("notice %s is %q (%s), want coalesced into a summary: the test proves nothing", msgID, status, lastErr)
	}
	return strings.TrimPrefix(lastErr, "sent within the summary ")
}

// Classes (d) and (f): past the daily cap, notices to staff are gathered into one summary,
// which tells staff to "reply to this email". A triage notice's way forward is "Open
// case" by reply; once that notice went in a summary, "Open case" in reply to the summary
// is refused ("not about a message csprbot can open a case from"): the referral cannot be
// opened by email at all on the busy morning the summary exists for.
func TestReader9OpenCaseByReplyToACoalescedTriageNotice(t *testing.T) {
	ctx := context.Background()
	clock := &testClock{}
	clock.Set("2026-12-07T09:00:00Z")
	tr := newRRTracker(t, clock, nil)
	pastCap(t, tr, clock, "strategic.lead@lewisham.gov.uk")
	deliver(t, tr, &Incoming{Mailbox: "INBOX", UIDValidity: 1, UID: 320, ReceivedAt: clock.Now(), MessageID: "unreadable@school.example",
		From: "head@school.example", Subject: "Concern about a pupil", Text: "Please see attached.",
		Attachments: []InAttachment{{Attachment: Attachment{Name: "scan.docx", Data: []byte("PK-garbled")}, ParseError: "not a form csprbot knows"}}})
	var notice string
	for _, o := range outboxEmails(t, tr, TmplStaffAttention) {
		if strings.Contains(o.Email.Text, "Open case") {
			notice = o.MessageID
		}
	}
	if notice == "" {
		t.Fatal("no triage notice offering Open case")
	}
	clock.Set("2026-12-07T10:30:00Z")
	if err := tr.flushCoalesced(ctx); err != nil {
		t.Fatal(err)
	}
	summary := summaryOf(t, tr, notice)
	before := len(outboxEmails(t, tr, TmplCommandReply))
	deliver(t, tr, staffMail(clock, "open-from-summary@lewisham.gov.uk", summary, "RE: notices", "Open case"))
	var cases int
	tr.DB().QueryRow(`SELECT count(*) FROM cases`).Scan(&cases)
	if cases == 0 {
		var reply string
		for _, r := range outboxEmails(t, tr, TmplCommandReply)[before:] {
			reply += firstMatching(r.Email.Text, "Open case")
		}
		t.Errorf("\"Open case\" in reply to the summary carrying the triage notice opened no case; reply: %q", reply)
	}
}

// Class (d): the same for "Confirm". A staff member's command that csprbot will not obey
// by itself is answered with "reply Confirm"; past the daily cap that answer goes in the
// summary, and "Confirm" in reply to the summary is dropped without a word.
func TestReader9ConfirmByReplyToACoalescedConfirmationRequest(t *testing.T) {
	clock := &testClock{}
	tr := newRRTracker(t, clock, nil)
	openScopedCase(t, tr, clock, "2026-12-07T10:15:00Z")
	clock.Set("2026-12-08T09:00:00Z")
	pastCap(t, tr, clock, "strategic.lead@lewisham.gov.uk")
	before := len(outboxEmails(t, tr, TmplCommandReply))
	deliver(t, tr, staffMail(clock, "unauth-waive@lewisham.gov.uk", "", "[LSCP-2026-001] waive", "Waive: Met Police"))
	asks := outboxEmails(t, tr, TmplCommandReply)[before:]
	if len(asks) != 1 || !strings.Contains(asks[0].Email.Text, "Confirm") {
		t.Fatalf("confirmation requests = %+v, want one", asks)
	}
	clock.Set("2026-12-08T10:30:00Z")
	if err := tr.flushCoalesced(context.Background()); err != nil {
		t.Fatal(err)
	}
	// The confirmation request may go as itself, past the cap (an answer to the staff
	// member's own email is not a notice to gather): then "Confirm" in reply to it must
	// work. If it went in the summary, "Confirm" in reply to the summary must.
	replyTo := asks[0].MessageID
	var status string
	tr.DB().QueryRow(`SELECT status FROM outbox WHERE message_id = ?`, replyTo).Scan(&status)
	if status == "coalesced" {
		replyTo = summaryOf(t, tr, asks[0].MessageID)
	}
	before = len(outboxEmails(t, tr, TmplCommandReply))
	deliver(t, tr, staffMail(clock, "confirm-summary@lewisham.gov.uk", replyTo, "RE: notices", "Confirm"))
	answered := len(outboxEmails(t, tr, TmplCommandReply)) - before
	if st := returnStatus(t, tr, "Metropolitan Police Service"); st != "waived" && answered == 0 {
		t.Errorf("\"Confirm\" in reply to the summary carrying the confirmation request: not obeyed (police return %s) and not answered", st)
	}
}

// Class (e), a case only for a referral: "the subject or body saying so" is read as any
// mention of "cspr", "referral" or "practice review" in the first twenty lines. Every
// email csprbot sends carries its footer "Sent by csprbot, …" (and the scoping request
// opens "Child Safeguarding Practice Review – Initial Scoping"), so an agency colleague
// not in the directory who forwards csprbot's reminder with the return as a scan opens a
// second statutory case: acknowledged as a referral, staff told of a new referral,
// reminders set for the local authority.
func TestReader9ForwardedReminderWithAScanIsNotANewReferral(t *testing.T) {
	clock := &testClock{}
	tr := newRRTracker(t, clock, nil)
	openScopedCase(t, tr, clock, "2026-12-07T10:15:00Z")
	clock.Set("2026-12-14T11:00:00Z")
	res := deliver(t, tr, &Incoming{Mailbox: "INBOX", UIDValidity: 1, UID: 330, ReceivedAt: clock.Now(), MessageID: "fwd-reminder@met.example",
		From: "DC Jones <dc.jones@met.example>", Subject: "FW: [LSCP-2026-001] Reminder: initial scoping form due 17:00 on Tue 15 Dec 2026",
		Text: "Our return is attached.\r\nDC Jones\r\n\r\n________________________________\r\nFrom: safeguardingpartnership@lewisham.gov.uk\r\n" +
			"Subject: [LSCP-2026-001] Reminder: initial scoping form due 17:00 on Tue 15 Dec 2026\r\n\r\nDear colleague,\r\n\r\n" +
			"This is a reminder that the initial scoping form for case LSCP-2026-001 is due by 17:00 on Tue 15 Dec 2026.\r\n\r\n" +
			"Lewisham Safeguarding Children Partnership\r\n\r\n--\r\nSent by csprbot, the LSCP case tracker. This email may contain personal information about a child and family: keep it within the partnership's secure email.\r\n",
		Attachments: []InAttachment{{Attachment: Attachment{Name: "Scoping return Met.pdf", ContentType: "application/pdf", Data: []byte("%PDF-1.4 scan")},
			ParseError: "no text layer (a scan?)"}}})
	var cases int
	tr.DB().QueryRow(`SELECT count(*) FROM cases`).Scan(&cases)
	if cases != 1 {
		acks := 0
		for _, o := range outboxEmails(t, tr, TmplAckReferrer) {
			if strings.Contains(o.To, "dc.jones@met.example") {
				acks++
			}
		}
		t.Errorf("a forwarded csprbot reminder with a scanned return opened case %s (cases now %d; \"Referral received\" sent to the forwarder %d times)", res.CaseRef, cases, acks)
	}
}

// Class (d): replies name no configuration keys to people who are not administrators.
// A staff member's "Reviewer: NAME" on a partnership with no national addresses
// configured is refused with "no address is configured for … ([addresses])": the
// administrator's detail, in the staff member's reply.
func TestReader9CommandReplyNamesNoConfigurationKey(t *testing.T) {
	clock := &testClock{}
	tr := newRRTracker(t, clock, func(c *Config) {
		c.Addresses.NationalPanel, c.Addresses.Ofsted, c.Addresses.DfE = "", "", ""
	})
	openScopedCase(t, tr, clock, "2026-12-07T10:15:00Z")
	clock.Set("2026-12-17T10:00:00Z")
	before := len(outboxEmails(t, tr, TmplCommandReply))
	deliver(t, tr, staffMail(clock, "reviewer9@lewisham.gov.uk", firstID(t, tr, TmplStaffNewReferral), "RE: [LSCP-2026-001] new referral",
		"Decision: local\nReviewer: Jane Reviewer"))
	var reply string
	for _, r := range outboxEmails(t, tr, TmplCommandReply)[before:] {
		reply += r.Email.Text
	}
	if !strings.Contains(reply, "Reviewer") {
		t.Fatalf("no reply about the Reviewer command: %q", reply)
	}
	for _, key := range []string{"[addresses]", "national_panel", "[[staff]]", "trusted_authserv_id"} {
		if strings.Contains(reply, key) {
			t.Errorf("the reply to a staff member names the configuration key %s: %q", key, strings.TrimSpace(firstMatching(reply, key)))
		}
	}
}

// Class (e), a referral that vanishes: a staff member who forwards a new referral (another
// child's) in reply to csprbot's email about a case, with no command line, has it
// "recorded on the case" and nothing else: no case is opened, no one is told, and the
// other child's referral sits on the wrong case. The same from a reply to a notice about
// no case: "a staff reply to a notice, with no command; recorded".
func TestReader9ReferralForwardedByStaffOnACaseThreadDoesNotVanish(t *testing.T) {
	clock := &testClock{}
	tr := newRRTracker(t, clock, nil)
	openScopedCase(t, tr, clock, "2026-12-07T10:15:00Z")
	clock.Set("2026-12-08T10:00:00Z")
	in := referralIncoming("fwd-referral@lewisham.gov.uk", 340, "2026-12-08T10:00:00Z")
	in.From = "Lead <strategic.lead@lewisham.gov.uk>"
	in.InReplyTo = firstID(t, tr, TmplStaffNewReferral)
	in.Subject = "FW: Referral"
	in.Text = "This one came to me directly.\n\n---------- Forwarded message ---------\nFrom: Dr Example <safeguarding@lgt.example>\nSubject: Referral"
	in.Attachments[0].Form.Fields["child_name"] = "Zed Other"
	notices := len(outboxEmails(t, tr, TmplStaffAttention)) + len(outboxEmails(t, tr, TmplStaffNewReferral))
	res := deliver(t, tr, in)
	var cases int
	tr.DB().QueryRow(`SELECT count(*) FROM cases`).Scan(&cases)
	after := len(outboxEmails(t, tr, TmplStaffAttention)) + len(outboxEmails(t, tr, TmplStaffNewReferral))
	if cases == 1 && after == notices {
		t.Errorf("another child's referral forwarded by staff on case LSCP-2026-001's thread: no case opened, nobody told (disposition %q, case %s)", res.Disposition, res.CaseRef)
	}
}

// Class (d): a "Confirm" reply that carries a further command line ("Confirm" then
// "Waive: Met Police") runs what was waiting and drops the rest without a word: the
// further command is neither carried out nor named in the reply.
func TestReader9CommandAfterConfirmIsNotDroppedSilently(t *testing.T) {
	clock := &testClock{}
	tr := newRRTracker(t, clock, nil)
	openScopedCase(t, tr, clock, "2026-12-07T10:15:00Z")
	clock.Set("2026-12-08T10:00:00Z")
	before := len(outboxEmails(t, tr, TmplCommandReply))
	deliver(t, tr, staffMail(clock, "unauth-meeting@lewisham.gov.uk", "", "[LSCP-2026-001] meeting", "Meeting: 2026-12-16 10:00"))
	asks := outboxEmails(t, tr, TmplCommandReply)[before:]
	if len(asks) != 1 || !strings.Contains(asks[0].Email.Text, "Confirm") {
		t.Fatalf("confirmation requests = %d, want one", len(asks))
	}
	clock.Set("2026-12-08T10:10:00Z")
	before = len(outboxEmails(t, tr, TmplCommandReply))
	deliver(t, tr, staffMail(clock, "confirm-plus@lewisham.gov.uk", asks[0].MessageID, "RE: confirm", "Confirm\nWaive: Met Police"))
	var reply string
	for _, r := range outboxEmails(t, tr, TmplCommandReply)[before:] {
		reply += r.Email.Text
	}
	if !meetingSet(t, tr) {
		t.Fatalf("Confirm did not set the meeting: the test proves nothing")
	}
	if st := returnStatus(t, tr, "Metropolitan Police Service"); st != "waived" && !strings.Contains(reply, "Waive") {
		t.Errorf("\"Waive: Met Police\" under \"Confirm\" in an authenticated reply: not carried out (police return %s) and not mentioned in the reply", st)
	}
}

// Classes (b) and (f): the daily cap's coalescing is for notices, but it takes every
// email whose recipients are all staff. A staff member past the cap who is invited to the
// Rapid Review gets the invitation folded into the text summary: the iCalendar request
// (and any attachment: the papers, the report draft) is not in it, so Outlook shows no
// invitation and the papers never arrive.
func TestReader9InvitationToStaffPastTheCapStaysAnInvitation(t *testing.T) {
	ctx := context.Background()
	clock := &testClock{}
	tr := newRRTracker(t, clock, nil)
	openScopedCase(t, tr, clock, "2026-12-07T10:15:00Z")
	clock.Set("2026-12-08T10:00:00Z")
	pastCap(t, tr, clock, "strategic.lead@lewisham.gov.uk")
	if _, err := tr.SetMeeting(ctx, "LSCP-2026-001", mustTime("2026-12-16T10:00:00Z"), false, "test"); err != nil {
		t.Fatal(err)
	}
	clock.Set("2026-12-08T11:30:00Z")
	if err := tr.flushCoalesced(ctx); err != nil {
		t.Fatal(err)
	}
	for _, o := range outboxEmails(t, tr, TmplMeetingInvite) {
		if o.To != "strategic.lead@lewisham.gov.uk" {
			continue
		}
		if o.Status != "coalesced" {
			return // it went as itself
		}
		id := summaryOf(t, tr, o.MessageID)
		for _, s := range outboxEmails(t, tr, TmplStaffAttention) {
			if s.MessageID != id {
				continue
			}
			for _, a := range s.Email.Attachments {
				if strings.HasSuffix(a.Name, ".ics") {
					return
				}
			}
			t.Errorf("the Rapid Review invitation to a staff invitee past the daily cap went only as text in summary %s (attachments %d): no meeting request", id, len(s.Email.Attachments))
			return
		}
		t.Fatalf("summary %s not found", id)
	}
	t.Fatal("no invitation to the staff member")
}
