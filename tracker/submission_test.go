package tracker

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"testing"
	"time"
)

type sinkSender struct{ sent []*OutEmail }

func (s *sinkSender) Send(_ context.Context, m *OutEmail) error {
	s.sent = append(s.sent, m)
	return nil
}

// deliver ingests a message. Until intake passes staff mail that is not a token reply to
// the command handler (the hook in staffMessage), it does here what that hook will do.
func deliver(t *testing.T, tr *Tracker, in *Incoming) IngestResult {
	t.Helper()
	ctx := context.Background()
	res, err := tr.Ingest(ctx, in)
	if err != nil {
		t.Fatalf("Ingest(%s) = %v", in.MessageID, err)
	}
	return res
}

var uidSeq uint32 = 100

func staffMail(clock *testClock, id, inReplyTo, subject, text string) *Incoming {
	uidSeq++
	return &Incoming{Mailbox: "INBOX", UIDValidity: 1, UID: uidSeq, ReceivedAt: clock.Now(), MessageID: id,
		From: "Lead <strategic.lead@lewisham.gov.uk>", Subject: subject, InReplyTo: inReplyTo, Text: text}
}

func reportAttachment(rec string) InAttachment {
	return InAttachment{Attachment: Attachment{Name: "Rapid Review report.docx", ContentType: "application/vnd.openxmlformats-officedocument.wordprocessingml.document", Data: []byte("PK-report")},
		Form: &Form{Kind: FormRapidReview, Fields: map[string]string{
			"child_name": "Ellie Testcase", "date_of_rapid_review": "2026-12-16", "recommendation": rec,
			"rationale": "Agencies' joint working needs examining.",
		}, Tables: map[string][]map[string]string{"participants": {
			{"name": "A. Officer", "role": "Detective Inspector", "agency": "Met Police"},
			{"name": "B. Worker", "role": "Head of Service", "agency": "Lewisham Council Children's Social Care"},
			{"name": "C. Nurse", "role": "Designated Nurse", "agency": "South East London ICB"},
		}}}}
}

func firstID(t *testing.T, tr *Tracker, kind string) string {
	t.Helper()
	o := outboxEmails(t, tr, kind)
	if len(o) == 0 {
		t.Fatalf("no %s in the outbox", kind)
	}
	return o[len(o)-1].MessageID
}

// nationalRows returns the outbox rows addressed to the National Panel, Ofsted or the DfE.
func nationalRows(t *testing.T, tr *Tracker) []outRow {
	t.Helper()
	var out []outRow
	for _, o := range outboxEmails(t, tr, "") {
		for a := range tr.nationalAddrs() {
			if strings.Contains(strings.ToLower(o.To), a) {
				out = append(out, o)
				break
			}
		}
	}
	return out
}

func checkNothingNationalQueued(t *testing.T, tr *Tracker, sink *sinkSender) {
	t.Helper()
	for _, o := range nationalRows(t, tr) {
		if o.Status == "queued" || o.Status == "sent" {
			t.Errorf("before approval, %s to %s is %s", o.Kind, o.To, o.Status)
		}
	}
	for _, m := range sink.sent {
		for _, a := range append(m.To, m.Cc...) {
			if tr.nationalAddrs()[normAddr(a)] {
				t.Errorf("sent to %s before approval: %s", a, m.Subject)
			}
		}
	}
}

func TestNoSubmissionBeforeApprovalThenCLIApproval(t *testing.T) {
	ctx := context.Background()
	clock := &testClock{}
	tr := newRRTracker(t, clock, nil)
	sink := &sinkSender{}
	openScopedCase(t, tr, clock, "2026-12-07T10:15:00Z")
	if _, err := tr.Approve(ctx, "LSCP-2026-001", "command line"); !errors.Is(err, ErrRefused) {
		t.Errorf("Approve with no report = %v, want refused", err)
	}
	if _, err := tr.SetMeeting(ctx, "LSCP-2026-001", mustTime("2026-12-16T10:00:00Z"), false, "test"); err != nil {
		t.Fatal(err)
	}
	clock.Set("2026-12-16T15:00:00Z")
	in := staffMail(clock, "report1@lewisham.gov.uk", firstID(t, tr, TmplStaffNewReferral), "RE: [LSCP-2026-001] new referral", "Here is the report.")
	in.Attachments = []InAttachment{reportAttachment("b")}
	if res := deliver(t, tr, in); res.Disposition != "command" {
		t.Fatalf("report = %+v, want handled", res)
	}
	sub := nationalRows(t, tr)
	if len(sub) != 1 || sub[0].Status != "awaiting_approval" || sub[0].Kind != TmplPanelSubmission {
		t.Fatalf("submission rows = %+v, want one awaiting approval", sub)
	}
	if a := sub[0].Email.Attachments; len(a) != 1 || string(a[0].Data) != "PK-report" {
		t.Errorf("submission attachments = %+v, want the report as received", a)
	}
	if ar := outboxEmails(t, tr, TmplApprovalRequest); len(ar) != 1 || ar[0].To != "strategic.lead@lewisham.gov.uk" || ar[0].Status != "queued" {
		t.Errorf("approval request = %+v", ar)
	}
	d, _ := tr.Case(ctx, "LSCP-2026-001")
	if d.Stage != StageSubmission {
		t.Errorf("stage %s, want submission", d.Stage)
	}
	if _, err := tr.SendDue(ctx, sink); err != nil {
		t.Fatal(err)
	}
	// Something else queued to the Panel without an approval is held by the guard.
	if err := tr.tx(ctx, func(tx *sql.Tx) error {
		_, err := tr.enqueue(ctx, tx, clock.Now(), outMsg{caseID: 1, tmpl: TmplStaffAttention, to: []string{"SCR.SIN@ofsted.gov.uk"}})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if err := tr.TickRR(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := tr.SendDue(ctx, sink); err != nil {
		t.Fatal(err)
	}
	checkNothingNationalQueued(t, tr, sink)

	clock.Set("2026-12-17T10:00:00Z")
	res, err := tr.Approve(ctx, "LSCP-2026-001", "command line")
	if err != nil || res.Stage != StageLCSPR || res.SubmissionLate != "" {
		t.Fatalf("Approve = %+v, %v", res, err)
	}
	if _, err := tr.Approve(ctx, "LSCP-2026-001", "command line"); !errors.Is(err, ErrRefused) {
		t.Errorf("second Approve = %v, want refused", err)
	}
	sink.sent = nil
	if _, err := tr.SendDue(ctx, sink); err != nil {
		t.Fatal(err)
	}
	if _, err := tr.SendDue(ctx, sink); err != nil {
		t.Fatal(err)
	}
	var toPanel, outcomes int
	got := map[string]bool{}
	for _, m := range sink.sent {
		for _, a := range m.To {
			got[a] = true
			if a == "mailbox.nationalreviewpanel@education.gov.uk" {
				toPanel++
			}
		}
		if strings.Contains(m.Subject, TmplOutcomeNotice) {
			outcomes++
		}
	}
	if toPanel != 1 {
		t.Errorf("sent to the National Panel %d times, want once", toPanel)
	}
	for _, a := range []string{"csc@lewisham.gov.uk", "lead@met.example", "icb@icb.example", "safeguarding@lgt.example"} {
		if !got[a] {
			t.Errorf("no outcome notice sent to %s", a)
		}
	}
	if outcomes != 4 { // the school's address is outside the configuration: held
		t.Errorf("outcome notices sent = %d, want 4", outcomes)
	}
	d, _ = tr.Case(ctx, "LSCP-2026-001")
	if d.Stage != StageLCSPR {
		t.Errorf("stage %s, want lcspr", d.Stage)
	}
	for _, rule := range []string{"rr_submission", "outcome_notice", "rr_meeting"} {
		if _, st := deadlineDue(t, d, rule, ""); st != "met" {
			t.Errorf("%s %s, want met", rule, st)
		}
	}
}

func TestApprovalByTokenEmailClosesCase(t *testing.T) {
	ctx := context.Background()
	clock := &testClock{}
	tr := newRRTracker(t, clock, nil)
	openScopedCase(t, tr, clock, "2026-12-07T10:15:00Z")
	if _, err := tr.SetMeeting(ctx, "LSCP-2026-001", mustTime("2026-12-16T10:00:00Z"), false, "test"); err != nil {
		t.Fatal(err)
	}
	clock.Set("2026-12-16T15:00:00Z")
	in := staffMail(clock, "report1@lewisham.gov.uk", outboxEmails(t, tr, TmplMeetingInvite)[0].MessageID, "RE: meeting", "")
	in.Attachments = []InAttachment{reportAttachment("h")}
	deliver(t, tr, in)
	// A reply from someone who is not staff saying "Approve" is not obeyed.
	clock.Set("2026-12-21T11:00:00Z") // late: meeting + 2 WD was Fri 18 Dec 17:00
	stranger := &Incoming{Mailbox: "INBOX", UIDValidity: 1, UID: 50, ReceivedAt: clock.Now(), MessageID: "x@met.example",
		From: "lead@met.example", Subject: "RE: x", InReplyTo: firstID(t, tr, TmplApprovalRequest), Text: "Approve"}
	deliver(t, tr, stranger)
	if rows := nationalRows(t, tr); rows[0].Status != "awaiting_approval" {
		t.Fatalf("a non-staff Approve changed the submission to %s", rows[0].Status)
	}
	res := deliver(t, tr, staffMail(clock, "ok1@lewisham.gov.uk", firstID(t, tr, TmplApprovalRequest), "RE: approve", "Approve\n\nThanks"))
	if res.Disposition != "command" {
		t.Fatalf("Approve by email = %+v", res)
	}
	if rows := nationalRows(t, tr); len(rows) != 1 || rows[0].Status != "queued" {
		t.Fatalf("submission after approval = %+v", rows)
	}
	d, _ := tr.Case(ctx, "LSCP-2026-001")
	if d.Stage != StageClosed {
		t.Errorf("stage %s, want closed (recommendation h)", d.Stage)
	}
	var reason string
	tr.DB().QueryRow(`SELECT close_reason FROM cases WHERE ref = 'LSCP-2026-001'`).Scan(&reason)
	if !strings.Contains(reason, "recommendation h") || !strings.Contains(reason, "joint working") {
		t.Errorf("close_reason = %q", reason)
	}
	for _, dl := range d.Deadlines {
		if dl.Rule == "rr_submission" && (dl.Status != "missed" || !strings.Contains(dl.Note, "late")) {
			t.Errorf("rr_submission = %+v, want missed with how late", dl)
		}
	}
	replies := outboxEmails(t, tr, TmplCommandReply)
	if len(replies) == 0 || !strings.Contains(replies[len(replies)-1].Email.Text, "approved") {
		t.Errorf("no command reply saying the approval was done: %+v", replies)
	}
	var approved bool
	for _, a := range d.Audit {
		approved = approved || a.Event == "submission_approved" && a.Actor == "strategic.lead@lewisham.gov.uk"
	}
	if !approved {
		t.Errorf("approval not audited with its actor")
	}
}

func TestStatutoryRemindersAndNotified(t *testing.T) {
	ctx := context.Background()
	clock := &testClock{}
	tr := newRRTracker(t, clock, nil)
	in := referralIncoming("r1@example.org", 1, "2026-12-07T10:15:00Z")
	in.Attachments[0].Form.Fields["looked_after"] = "yes"
	in.Attachments[0].Form.Fields["incident_kind"] = "death"
	clock.Set("2026-12-07T10:15:00Z")
	if _, err := tr.Ingest(ctx, in); err != nil {
		t.Fatal(err)
	}
	// Both due Mon 14 Dec 17:00: reminders from 09:00 Fri 11th, once.
	for _, tc := range []struct {
		at   string
		want int
	}{{"2026-12-10T15:00:00Z", 0}, {"2026-12-11T08:30:00Z", 0}, {"2026-12-11T09:00:00Z", 1}, {"2026-12-11T16:00:00Z", 0}, {"2026-12-14T09:00:00Z", 1}, {"2026-12-14T12:00:00Z", 0}} {
		clock.Set(tc.at)
		if n, err := tr.TickStatutory(ctx); err != nil || n != tc.want {
			t.Errorf("TickStatutory at %s = %d, %v; want %d", tc.at, n, err, tc.want)
		}
	}
	// Panel notified on Monday 14th: met.
	out, err := tr.Notified(ctx, "LSCP-2026-001", "panel", tr.DoneOn(mustTime("2026-12-14T00:00:00Z")), "command line")
	if err != nil || !strings.Contains(out, "met") {
		t.Errorf("Notified panel = %q, %v", out, err)
	}
	// Ofsted overdue: one overdue reminder, then recorded late.
	clock.Set("2026-12-15T09:00:00Z")
	if n, _ := tr.TickStatutory(ctx); n != 1 {
		t.Errorf("overdue TickStatutory = %d, want 1", n)
	}
	clock.Set("2026-12-16T09:00:00Z")
	if n, _ := tr.TickStatutory(ctx); n != 0 {
		t.Errorf("second overdue reminder sent")
	}
	res := deliver(t, tr, staffMail(clock, "n1@lewisham.gov.uk", firstID(t, tr, TmplStaffNewReferral), "RE: x", "Notified Ofsted: 2026-12-15"))
	if res.Disposition != "command" {
		t.Fatalf("Notified Ofsted by email = %+v", res)
	}
	d, _ := tr.Case(ctx, "LSCP-2026-001")
	for _, dl := range d.Deadlines {
		if dl.Rule == "ofsted_sos_notification" && (dl.Status != "missed" || dl.Note != "done 24h00m late") {
			t.Errorf("ofsted_sos_notification = %+v, want missed 24h late", dl)
		}
		if dl.Rule == "panel_notification" && dl.Status != "met" {
			t.Errorf("panel_notification = %+v, want met", dl)
		}
	}
	var sent []string
	for _, o := range outboxEmails(t, tr, TmplStatutoryReminder) {
		sent = append(sent, o.To)
	}
	if len(sent) != 3 || sent[0] != "csc@lewisham.gov.uk" {
		t.Errorf("statutory reminders went to %v, want 3 to the local authority lead", sent)
	}
}

func TestAwareRecomputesDeadlines(t *testing.T) {
	ctx := context.Background()
	clock := &testClock{}
	tr := newRRTracker(t, clock, nil)
	openScopedCase(t, tr, clock, "2026-12-07T10:15:00Z")
	// Aware on Thu 3 Dec: panel 5 WD → Thu 10 Dec; rr_submission 15 WD → Thu 24 Dec.
	out, err := tr.SetAware(ctx, "LSCP-2026-001", mustTime("2026-12-03T00:00:00Z"), "command line")
	if err != nil {
		t.Fatalf("SetAware = %q, %v", out, err)
	}
	d, _ := tr.Case(ctx, "LSCP-2026-001")
	if due, _ := deadlineDue(t, d, "panel_notification", ""); !due.Equal(mustTime("2026-12-10T17:00:00Z")) {
		t.Errorf("panel_notification due %s after aware", due)
	}
	if due, _ := deadlineDue(t, d, "rr_submission", ""); !due.Equal(mustTime("2026-12-24T17:00:00Z")) {
		t.Errorf("rr_submission due %s after aware", due)
	}
	if due, _ := deadlineDue(t, d, "rr_meeting", ""); !due.Equal(mustTime("2026-12-24T17:00:00Z")) {
		t.Errorf("rr_meeting (counts from the referral) moved to %s", due)
	}
}

// TestRapidReviewAcrossChristmas drives a whole Rapid Review, with a stepping clock,
// from a referral on Tuesday 22 December 2026 through the bank holidays (25, 28 December,
// 1 January) to the National Panel, by staff commands by email.
func TestRapidReviewAcrossChristmas(t *testing.T) {
	ctx := context.Background()
	clock := &testClock{}
	tr := newRRTracker(t, clock, nil)
	sink := &sinkSender{}
	step := func(at string) {
		t.Helper()
		clock.Set(at)
		if _, err := tr.Tick(ctx); err != nil {
			t.Fatal(err)
		}
		if err := tr.TickRR(ctx); err != nil {
			t.Fatal(err)
		}
		if _, err := tr.SendDue(ctx, sink); err != nil {
			t.Fatal(err)
		}
	}
	clock.Set("2026-12-22T10:00:00Z")
	if _, err := tr.Ingest(ctx, referralIncoming("xmas@lgt.example", 1, "2026-12-22T10:00:00Z")); err != nil {
		t.Fatal(err)
	}
	step("2026-12-22T10:01:00Z")
	d, _ := tr.Case(ctx, "LSCP-2026-001")
	// WD1 Wed 23, WD2 Thu 24, WD3 Tue 29, WD4 Wed 30, WD5 Thu 31, WD6 Mon 4, WD7 Tue 5 ... WD13 Wed 13, WD15 Fri 15 Jan.
	if due, _ := deadlineDue(t, d, "panel_notification", ""); !due.Equal(mustTime("2026-12-31T17:00:00Z")) {
		t.Errorf("panel_notification due %s", due)
	}
	if due, _ := deadlineDue(t, d, "rr_meeting", ""); !due.Equal(mustTime("2027-01-13T17:00:00Z")) {
		t.Errorf("rr_meeting due %s", due)
	}

	// Wed 23 Dec: staff start scoping and set the meeting, replying to the bot's notice.
	clock.Set("2026-12-23T09:30:00Z")
	res := deliver(t, tr, staffMail(clock, "s1@lewisham.gov.uk", firstID(t, tr, TmplStaffNewReferral), "RE: [LSCP-2026-001]",
		"Start scoping\nMeeting: 2027-01-04 10:00\nmeeting: 2027-01-07 10:00\n\nthanks"))
	if res.Disposition != "command" {
		t.Fatalf("commands = %+v", res)
	}
	reply := outboxEmails(t, tr, TmplCommandReply)
	if len(reply) != 1 || !strings.Contains(reply[0].Email.Text, "refused") || !strings.Contains(reply[0].Email.Text, "meeting set for Thu 7 Jan 2027 10:00") {
		t.Fatalf("command reply = %+v", reply)
	}
	d, _ = tr.Case(ctx, "LSCP-2026-001")
	if d.Stage != StageScoping {
		t.Fatalf("stage %s", d.Stage)
	}
	// Scoping returns due 6 WD after Wed 23: Tue 5 Jan 17:00. Submission: meeting + 2 WD = Mon 11 Jan.
	if due, _ := deadlineDue(t, d, "scoping_return", "Metropolitan Police Service"); !due.Equal(mustTime("2027-01-05T17:00:00Z")) {
		t.Errorf("scoping_return due %s", due)
	}
	if due, _ := deadlineDue(t, d, "rr_submission", ""); !due.Equal(mustTime("2027-01-11T17:00:00Z")) {
		t.Errorf("rr_submission due %s", due)
	}
	req := map[string]string{}
	for _, o := range outboxEmails(t, tr, TmplScopingRequest) {
		req[o.Agency] = o.MessageID
	}
	ret := func(id, from, agency, name string) {
		t.Helper()
		uidSeq++
		if r, err := tr.Ingest(ctx, &Incoming{Mailbox: "INBOX", UIDValidity: 1, UID: uidSeq, ReceivedAt: clock.Now(), MessageID: id,
			From: from, Subject: "RE: request", InReplyTo: req[agency],
			Attachments: []InAttachment{{Attachment: Attachment{Name: name, Data: []byte("PK-" + name)}, Form: &Form{Kind: FormScopingReturn, Fields: map[string]string{"child_known": "yes"}}}}}); err != nil || r.Disposition != DispReturn {
			t.Fatalf("return from %s = %+v, %v", agency, r, err)
		}
	}
	for _, at := range []string{"2026-12-24T09:00:00Z", "2026-12-25T09:00:00Z", "2026-12-26T09:00:00Z", "2026-12-28T09:00:00Z"} {
		step(at)
	}
	clock.Set("2026-12-29T11:00:00Z")
	ret("police@met.example", "lead@met.example", "Metropolitan Police Service", "police.docx")
	step("2026-12-30T09:00:00Z")
	if n := len(outboxEmails(t, tr, TmplStatutoryReminder)); n != 1 {
		t.Errorf("statutory reminders by Wed 30 Dec = %d, want 1 (the day before panel_notification is due)", n)
	}
	clock.Set("2026-12-31T12:00:00Z")
	deliver(t, tr, staffMail(clock, "s2@lewisham.gov.uk", firstID(t, tr, TmplCommandReply), "RE: x", "Notified panel: 2026-12-31"))
	for _, at := range []string{"2027-01-01T09:00:00Z", "2027-01-04T09:00:00Z"} {
		step(at)
	}
	if n := len(outboxEmails(t, tr, TmplReminder)); n != 3 {
		t.Errorf("reminders on Mon 4 Jan = %d, want 3 (the agencies still awaited)", n)
	}
	step("2027-01-05T09:00:00Z")
	// Wed 6 Jan 09:00: one working day before the meeting: papers; and first chasers.
	step("2027-01-06T09:00:00Z")
	papers := outboxEmails(t, tr, TmplPapers)
	if len(papers) != 5 {
		t.Fatalf("papers = %d, want 5", len(papers))
	}
	if n := len(papers[0].Email.Attachments); n != 2 {
		t.Errorf("papers carry %d documents, want the referral and the police return", n)
	}
	clock.Set("2027-01-06T14:00:00Z")
	ret("csc@lewisham.gov.uk.1", "csc@lewisham.gov.uk", "Lewisham Children's Social Care", "csc.docx")
	step("2027-01-06T14:01:00Z")
	if n := len(outboxEmails(t, tr, TmplPapers)); n != 10 {
		t.Errorf("papers after a late return = %d, want 10", n)
	}
	step("2027-01-07T09:00:00Z")
	step("2027-01-07T12:00:00Z")
	clock.Set("2027-01-07T15:00:00Z")
	in := staffMail(clock, "rr@lewisham.gov.uk", papers[0].MessageID, "RE: papers", "")
	in.Attachments = []InAttachment{reportAttachment("b")}
	deliver(t, tr, in)
	step("2027-01-07T15:01:00Z")
	checkNothingNationalQueued(t, tr, sink)
	step("2027-01-08T09:00:00Z")
	checkNothingNationalQueued(t, tr, sink)
	clock.Set("2027-01-08T10:00:00Z")
	deliver(t, tr, staffMail(clock, "ok@lewisham.gov.uk", firstID(t, tr, TmplApprovalRequest), "RE: approve", "approve"))
	step("2027-01-08T10:01:00Z")
	step("2027-01-08T10:02:00Z")

	d, _ = tr.Case(ctx, "LSCP-2026-001")
	if d.Stage != StageLCSPR {
		t.Errorf("stage %s, want lcspr", d.Stage)
	}
	want := map[string]string{"panel_notification": "met", "scoping_sent": "met", "rr_meeting": "met", "rr_papers": "met", "rr_submission": "met", "outcome_notice": "met"}
	for _, dl := range d.Deadlines {
		if w, ok := want[dl.Rule]; ok && dl.Status != w {
			t.Errorf("%s = %s, want %s", dl.Rule, dl.Status, w)
		}
	}
	var panel int
	for _, m := range sink.sent {
		if len(m.To) == 1 && m.To[0] == "mailbox.nationalreviewpanel@education.gov.uk" {
			panel++
		}
		day := m.Date.In(tr.cal.Location())
		if strings.Contains(m.Subject, TmplChaser) || strings.Contains(m.Subject, TmplReminder) {
			if !tr.cal.IsWorkingDay(day) {
				t.Errorf("%s sent on %s, not a working day", m.Subject, day.Format("Mon 2 Jan"))
			}
		}
	}
	if panel != 1 {
		t.Errorf("submissions sent = %d, want 1", panel)
	}
	// Chasers only to those still awaited: never to the police (in on 29 Dec).
	for _, o := range outboxEmails(t, tr, TmplChaser) {
		if strings.Contains(o.To, "met.example") {
			t.Errorf("chaser to the police, whose return was in")
		}
	}
	_ = time.Second
}
