package tracker

// Defects the second reader of issue 10 proved (reader10_defects_test.go), fixed: each
// test moved here from the reader10 build tag so it guards for good.

import (
	"context"
	"database/sql"
	"strings"
	"testing"
	"time"
)

// A token authenticates a staff member only if csprbot's email went to that staff member.
// The combined chronology goes to staff and to the vouched lead reviewer in one email:
// the lead reviewer, replying to it under a forged From of the staff address, is obeyed
// as staff. Here "Approve" sends the lead reviewer notice to the National Panel, Ofsted
// and the DfE, and "Decision: none" would close the review.
func TestReader10LeadReviewerReplyingToTheChronologyIsObeyedAsStaff(t *testing.T) {
	ctx := context.Background()
	clock := &testClock{}
	tr := newRRTracker(t, clock, nil)
	toApproved(t, tr, clock, "b")
	clock.Set("2027-01-04T10:00:00Z")
	if _, err := tr.DB().Exec(`INSERT INTO case_agencies(case_id, name, email, source) VALUES ((SELECT id FROM cases WHERE ref = 'LSCP-2026-001'), 'Lead reviewer', 'jo@reviewers.example', 'staff')`); err != nil {
		t.Fatal(err)
	}
	if _, err := tr.SetReviewer(ctx, "LSCP-2026-001", "Jo Reviewer", "jo@reviewers.example", "command line"); err != nil {
		t.Fatal(err)
	}
	inTx(t, tr, func(tx *sql.Tx) (string, error) {
		c, err := loadCase(ctx, tx, "ref = ?", "LSCP-2026-001")
		if err != nil {
			return "", err
		}
		return tr.sendChronology(ctx, tx, clock.Now(), c, "strategic.lead@lewisham.gov.uk", "")
	})
	chron := outboxEmails(t, tr, TmplChronology)
	if len(chron) == 0 || !strings.Contains(chron[len(chron)-1].To, "jo@reviewers.example") {
		t.Fatalf("the chronology did not go to the vouched lead reviewer: %+v", chron)
	}
	clock.Set("2027-01-04T11:00:00Z")
	uidSeq++
	forged := &Incoming{Mailbox: "INBOX", UIDValidity: 1, UID: uidSeq, ReceivedAt: clock.Now(), MessageID: "forged-approve@reviewers.example",
		From: "Lead <strategic.lead@lewisham.gov.uk>", Subject: "RE: [LSCP-2026-001] Combined multi-agency chronology (draft)",
		InReplyTo: chron[len(chron)-1].MessageID, Text: "Approve"}
	deliver(t, tr, forged)
	var approved int
	if err := tr.DB().QueryRow(`SELECT count(*) FROM national_notices WHERE status = 'approved'`).Scan(&approved); err != nil {
		t.Fatal(err)
	}
	if approved > 0 {
		t.Errorf("a reply from outside the partnership (the lead reviewer's copy of the chronology) under a forged staff From approved %d national notices", approved)
	}
	_ = time.Second
}

// The police answer the learning event invitation: "I will attend. Our chronology is
// attached." The words "will attend" make it a registration and nothing else: the
// chronology the local review asked for is not filed (still awaited, to be chased), and
// nobody is told that a document arrived.
func TestReader10ChronologyInALearningEventReplyIsDropped(t *testing.T) {
	clock := &testClock{}
	tr := newRRTracker(t, clock, nil)
	toApproved(t, tr, clock, "b")
	reader10Learning(t, tr, clock)
	inv := reader10InviteTo(t, tr, "lead@met.example")
	notices := len(outboxEmails(t, tr, TmplStaffAttention))
	clock.Set("2027-01-12T11:00:00Z")
	uidSeq++
	res := deliver(t, tr, &Incoming{Mailbox: "INBOX", UIDValidity: 1, UID: uidSeq, ReceivedAt: clock.Now(), MessageID: "met-attend@met.example",
		From: "lead@met.example", Subject: "RE: [LSCP-2026-001] Practitioner learning event", InReplyTo: inv.MessageID, Text: "I will attend. Our chronology is attached.",
		Attachments: []InAttachment{{Attachment: Attachment{Name: "chronology.docx", Data: []byte("PK")}, Form: &Form{Kind: FormChronology, Fields: map[string]string{"agency": "Metropolitan Police Service"}}}}})
	var st string
	if err := tr.DB().QueryRow(`SELECT status FROM returns WHERE kind = 'chronology' AND agency = 'Metropolitan Police Service'`).Scan(&st); err != nil {
		t.Fatal(err)
	}
	told := len(outboxEmails(t, tr, TmplStaffAttention)) - notices
	if st != "received" && told == 0 {
		t.Errorf("a chronology attached to a reply to the learning event invitation: disposition %s, the chronology is still %s and staff were told nothing", res.Disposition, st)
	}
}

// "Approve [WHAT]" (README, staff commands): a staff member's authenticated reply
// "Approve reviewer" (or "Approve final report") without a colon is not read as a
// command: it is recorded on the case as a staff message and nothing else happens. The
// notice is not approved, no answer goes back, nobody is told; the staff member believes
// the lead reviewer notice went to the National Panel.
func TestReader10ApproveWhatWithoutAColonIsSilentlyIgnored(t *testing.T) {
	ctx := context.Background()
	clock := &testClock{}
	tr := newRRTracker(t, clock, nil)
	toApproved(t, tr, clock, "b")
	clock.Set("2027-01-04T10:00:00Z")
	if _, err := tr.SetReviewer(ctx, "LSCP-2026-001", "Jo Reviewer", "", "command line"); err != nil {
		t.Fatal(err)
	}
	for i, line := range []string{"Approve reviewer", "Approve lead reviewer notice"} {
		before := len(outboxEmails(t, tr, ""))
		clock.Set(clock.Now().Add(time.Minute).Format(time.RFC3339))
		res := deliver(t, tr, staffMail(clock, "approve-nocolon-"+string(rune('a'+i))+"@lewisham.gov.uk", firstID(t, tr, TmplApprovalRequest), "RE: [LSCP-2026-001] approve", line))
		var approved int
		if err := tr.DB().QueryRow(`SELECT count(*) FROM national_notices WHERE status = 'approved'`).Scan(&approved); err != nil {
			t.Fatal(err)
		}
		answered := 0
		for _, o := range outboxEmails(t, tr, "")[before:] {
			if strings.Contains(o.To, "strategic.lead@lewisham.gov.uk") {
				answered++
			}
		}
		if approved == 0 && answered == 0 {
			t.Errorf("staff reply %q: disposition %s, nothing approved and nothing sent back to the staff member", line, res.Disposition)
		}
	}
}

// A Rapid Review report whose recommendation nobody could read (none ticked) is
// submitted on "Approve" and the case is closed: no decision recorded, a close reason
// that gives none ("Rapid Review recommendation "), every agency told "see the Rapid
// Review report". The outcome goes nowhere a person decided.
//
// Fixed by refusing the approval, saying the recommendation is missing, so the test no
// longer goes through toApproved (which fails on any refusal): the approval, on the
// command line and by a staff reply, is refused naming the recommendation; nothing goes
// to the National Panel or the agencies, and the case stays open with its draft waiting.
func TestReader10NoRecommendationClosesTheCaseWithoutADecision(t *testing.T) {
	ctx := context.Background()
	clock := &testClock{}
	tr := newRRTracker(t, clock, nil)
	openScopedCase(t, tr, clock, "2026-12-07T10:15:00Z")
	if _, err := tr.SetMeeting(ctx, "LSCP-2026-001", mustTime("2026-12-16T10:00:00Z"), false, "test"); err != nil {
		t.Fatal(err)
	}
	clock.Set("2026-12-16T15:00:00Z")
	in := staffMail(clock, "report-none@lewisham.gov.uk", firstID(t, tr, TmplStaffNewReferral), "RE: [LSCP-2026-001] new referral", "Here is the report.")
	in.Attachments = []InAttachment{reportAttachment("")}
	deliver(t, tr, in)
	clock.Set("2026-12-17T10:00:00Z")
	outcomes := len(outboxEmails(t, tr, TmplOutcomeNotice))
	if _, err := tr.Approve(ctx, "LSCP-2026-001", "command line"); err == nil || !strings.Contains(err.Error(), "no recommendation") {
		t.Errorf("Approve of a report with no recommendation = %v, want a refusal saying the recommendation is missing", err)
	}
	replies := len(outboxEmails(t, tr, TmplCommandReply))
	deliver(t, tr, staffMail(clock, "approve-none@lewisham.gov.uk", firstID(t, tr, TmplApprovalRequest), "RE: [LSCP-2026-001] approve", "Approve"))
	r := outboxEmails(t, tr, TmplCommandReply)
	if len(r) != replies+1 || !strings.Contains(r[len(r)-1].Email.Text, "no recommendation") {
		t.Errorf("a staff Approve of a report with no recommendation was not answered with why it was refused")
	}
	var stage, decision, reason, sub string
	if err := tr.DB().QueryRow(`SELECT stage, decision, coalesce(close_reason, '') FROM cases WHERE ref = 'LSCP-2026-001'`).Scan(&stage, &decision, &reason); err != nil {
		t.Fatal(err)
	}
	if stage == StageClosed && decision == "" {
		t.Errorf("a report with no recommendation, approved: case closed with no decision, reason %q", reason)
	}
	if err := tr.DB().QueryRow(`SELECT status FROM submissions ORDER BY id DESC LIMIT 1`).Scan(&sub); err != nil || sub != "awaiting_approval" {
		t.Errorf("the submission is %q (%v), want still awaiting_approval", sub, err)
	}
	if n := len(outboxEmails(t, tr, TmplOutcomeNotice)); n != outcomes {
		t.Errorf("%d outcome notices sent for a report with no recommendation", n-outcomes)
	}
}

// In a local review the one way to vouch for the lead reviewer's address (so that the
// combined chronology may go to them) is "Add agency: Lead reviewer <address>"
// ("Reviewer: NAME <address>" records it but does not vouch for it). But Add agency is
// the Rapid Review's scoping command: months after the Rapid Review it sends the lead
// reviewer the initial scoping request (Appendix 3 and 4, "reply within 6 working days")
// as if the case were being scoped.
func TestReader10AddAgencyInALocalReviewSendsAScopingRequest(t *testing.T) {
	clock := &testClock{}
	tr := newRRTracker(t, clock, nil)
	toApproved(t, tr, clock, "b")
	clock.Set("2027-01-04T10:00:00Z")
	before := len(outboxEmails(t, tr, TmplScopingRequest))
	deliver(t, tr, staffMail(clock, "addrev@lewisham.gov.uk", firstID(t, tr, TmplApprovalRequest), "RE: [LSCP-2026-001] approve", "Add agency: Lead reviewer <jo@reviewers.example>"))
	for _, o := range outboxEmails(t, tr, TmplScopingRequest)[before:] {
		t.Errorf("at stage lcspr, Add agency sent the initial scoping request to %s (%s)", o.To, o.Status)
	}
}

// A staff member writes "Approve" as a new email (not a reply, no DKIM pass): csprbot
// answers that it waits for confirmation, listing only "Approve". Meanwhile the final
// report is recorded (its copies held for approval). The staff member's "Confirm" then
// runs "Approve" against what is waiting now: the final report's copies to the National
// Panel, Ofsted and the DfE are approved by a confirmation of a message written before
// they existed, which nobody approved.
func TestReader10ConfirmApprovesWhatWasPreparedAfterTheApproval(t *testing.T) {
	ctx := context.Background()
	clock := &testClock{}
	tr := newRRTracker(t, clock, nil)
	toApproved(t, tr, clock, "b")
	clock.Set("2027-01-04T10:00:00Z")
	if _, err := tr.SetReviewer(ctx, "LSCP-2026-001", "Jo Reviewer", "", "command line"); err != nil {
		t.Fatal(err)
	}
	clock.Set("2027-05-03T09:00:00Z")
	before := len(outboxEmails(t, tr, TmplCommandReply))
	deliver(t, tr, staffMail(clock, "approve-new@lewisham.gov.uk", "", "[LSCP-2026-001] approve the reviewer notice", "Approve"))
	replies := outboxEmails(t, tr, TmplCommandReply)[before:]
	if len(replies) != 1 || !strings.Contains(replies[0].Email.Text, "confirmation") {
		t.Fatalf("an unauthenticated Approve was not answered with a request to confirm: %d replies", len(replies))
	}
	clock.Set("2027-05-03T10:00:00Z")
	if _, err := tr.FinalReport(ctx, "LSCP-2026-001", &Attachment{Name: "final-report.docx", Data: []byte("PK-final")}, mustTime("2027-06-10T00:00:00Z"), false, "command line"); err != nil {
		t.Fatal(err)
	}
	clock.Set("2027-05-03T11:00:00Z")
	deliver(t, tr, staffMail(clock, "confirm-approve@lewisham.gov.uk", replies[0].MessageID, "RE: your commands", "Confirm"))
	var st string
	if err := tr.DB().QueryRow(`SELECT status FROM national_notices WHERE what = ? ORDER BY id DESC LIMIT 1`, NoticeFinalReport).Scan(&st); err != nil {
		t.Fatal(err)
	}
	if st == "approved" {
		t.Errorf("the final report's copies to the national bodies, prepared after the staff member wrote \"Approve\", were approved by its confirmation")
	}
}
