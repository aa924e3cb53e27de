package tracker

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

// toLCSPR drives a case through the Rapid Review to an approved recommendation rec.
func toApproved(t *testing.T, tr *Tracker, clock *testClock, rec string) {
	t.Helper()
	ctx := context.Background()
	openScopedCase(t, tr, clock, "2026-12-07T10:15:00Z")
	if _, err := tr.SetMeeting(ctx, "LSCP-2026-001", mustTime("2026-12-16T10:00:00Z"), false, "test"); err != nil {
		t.Fatal(err)
	}
	clock.Set("2026-12-16T15:00:00Z")
	in := staffMail(clock, "report-"+rec+"@lewisham.gov.uk", firstID(t, tr, TmplStaffNewReferral), "RE: [LSCP-2026-001] new referral", "Here is the report.")
	in.Attachments = []InAttachment{reportAttachment(rec)}
	deliver(t, tr, in)
	clock.Set("2026-12-17T10:00:00Z")
	if _, err := tr.Approve(ctx, "LSCP-2026-001", "command line"); err != nil {
		t.Fatal(err)
	}
}

// Every outcome of the Rapid Review goes somewhere (issue 10.1).
func TestEveryRecommendationGoesSomewhere(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		rec, stage, decision string
		awaiting             bool
	}{
		{"b", StageLCSPR, DecisionLocal, false},
		{"a", StageNational, "", true},
		{"c", StageAlternative, DecisionAlternative, false},
		{"d", StageClosed, DecisionNone, false},
	} {
		t.Run(tc.rec, func(t *testing.T) {
			clock := &testClock{}
			tr := newRRTracker(t, clock, nil)
			toApproved(t, tr, clock, tc.rec)
			var stage, decision string
			var awaiting bool
			if err := tr.DB().QueryRow(`SELECT stage, decision, awaiting_panel FROM cases WHERE ref = 'LSCP-2026-001'`).Scan(&stage, &decision, &awaiting); err != nil {
				t.Fatal(err)
			}
			if stage != tc.stage || decision != tc.decision || awaiting != tc.awaiting {
				t.Errorf("after %s: stage %s decision %q awaiting %v, want %s %q %v", tc.rec, stage, decision, awaiting, tc.stage, tc.decision, tc.awaiting)
			}
			d, err := tr.Case(ctx, "LSCP-2026-001")
			if err != nil {
				t.Fatal(err)
			}
			var n int
			if err := tr.DB().QueryRow(`SELECT count(*) FROM deadlines WHERE rule = 'lcspr_publication'`).Scan(&n); err != nil {
				t.Fatal(err)
			}
			if tc.rec == "b" {
				due, st := deadlineDue(t, d, "lcspr_publication", "")
				// Six calendar months from the decision (17 Dec 2026): 17 Jun 2027, 17:00 London.
				if st != "pending" || due.UTC().Format("2006-01-02T15:04") != "2027-06-17T16:00" {
					t.Errorf("lcspr_publication = %v %s, want 2027-06-17 17:00 BST pending", due, st)
				}
			} else if n != 0 {
				t.Errorf("lcspr_publication on a case that is not a local review")
			}
		})
	}
}

// A national review recommended to the Panel waits for its answer: local opens the local
// review from the Panel's date; national closes the case; a staff email does it too.
func TestPanelDecision(t *testing.T) {
	ctx := context.Background()
	clock := &testClock{}
	tr := newRRTracker(t, clock, nil)
	toApproved(t, tr, clock, "a")
	clock.Set("2027-01-11T10:00:00Z")
	in := staffMail(clock, "panel1@lewisham.gov.uk", firstID(t, tr, TmplApprovalRequest), "RE: [LSCP-2026-001] approve", "Panel decision: local 2027-01-08")
	deliver(t, tr, in)
	var stage, decision, at string
	if err := tr.DB().QueryRow(`SELECT stage, decision, decision_at FROM cases WHERE ref = 'LSCP-2026-001'`).Scan(&stage, &decision, &at); err != nil {
		t.Fatal(err)
	}
	if stage != StageLCSPR || decision != DecisionLocal || !strings.HasPrefix(at, "2027-01-08") {
		t.Errorf("after Panel decision: local: %s %s %s", stage, decision, at)
	}
	if _, err := tr.Decide(ctx, "LSCP-2026-001", "bogus", time.Time{}, "command line"); !errors.Is(err, ErrRefused) {
		t.Errorf("Decide(bogus) = %v, want refused", err)
	}
}

// Requests, a late one chased, one sent back for more, a return filed; the lead reviewer
// notice held until approved and sent once.
func TestLCSPRRequestsAndReviewerNotice(t *testing.T) {
	ctx := context.Background()
	clock := &testClock{}
	tr := newRRTracker(t, clock, nil)
	toApproved(t, tr, clock, "b")
	clock.Set("2027-01-04T10:00:00Z")
	out, err := tr.SetReviewer(ctx, "LSCP-2026-001", "Jo Reviewer", "jo@example.org", "command line")
	if err != nil {
		t.Fatal(err)
	}
	rows := outboxEmails(t, tr, TmplNationalNotice)
	if len(rows) != 1 || rows[0].Status != "awaiting_approval" {
		t.Fatalf("reviewer notice rows = %+v (%s)", rows, out)
	}
	if err := tr.HoldUnapproved(ctx); err != nil {
		t.Fatal(err)
	}
	if rows = outboxEmails(t, tr, TmplNationalNotice); rows[0].Status != "awaiting_approval" {
		t.Fatalf("reviewer notice %s before approval", rows[0].Status)
	}
	res, err := tr.RequestReturns(ctx, "LSCP-2026-001", ReturnChronology, []string{"Met Police", "Lewisham Children's Social Care"}, mustTime("2027-01-15T00:00:00Z"), "command line")
	if err != nil || len(res.Requested) != 2 {
		t.Fatalf("RequestReturns = %+v, %v", res, err)
	}
	reqs := outboxEmails(t, tr, TmplLCSPRRequest)
	if len(reqs) != 2 {
		t.Fatalf("requests = %d, want 2", len(reqs))
	}
	// The police's chronology arrives, as a reply to the request.
	clock.Set("2027-01-12T11:00:00Z")
	uidSeq++
	reply := &Incoming{Mailbox: "INBOX", UIDValidity: 1, UID: uidSeq, ReceivedAt: clock.Now(), MessageID: "chron-met@met.example",
		From: "lead@met.example", Subject: "RE: [LSCP-2026-001] Local review request", InReplyTo: reqs[0].MessageID, Text: "Attached.",
		Attachments: []InAttachment{{Attachment: Attachment{Name: "chronology.docx", Data: []byte("PK")}, Form: &Form{Kind: FormChronology, Fields: map[string]string{"agency": "Metropolitan Police Service"}}}}}
	if r := deliver(t, tr, reply); r.Disposition != DispReturn {
		t.Fatalf("chronology = %+v, want a return", r)
	}
	// The panel sends it back for more, by staff email.
	clock.Set("2027-01-13T09:00:00Z")
	if _, err := tr.More(ctx, "LSCP-2026-001", "Met Police", mustTime("2027-01-22T00:00:00Z"), "the custody record is missing", "command line"); err != nil {
		t.Fatal(err)
	}
	if reqs = outboxEmails(t, tr, TmplLCSPRRequest); len(reqs) != 3 {
		t.Fatalf("requests after More = %d, want 3", len(reqs))
	}
	// Children's Social Care is late: chased after the due date by the same scheduler.
	clock.Set("2027-01-18T10:00:00Z")
	tick, err := tr.Tick(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if tick.Chasers != 1 {
		t.Errorf("Tick = %+v, want one chaser (Children's Social Care's chronology)", tick)
	}
	d, _ := tr.Case(ctx, "LSCP-2026-001")
	kinds := map[string]int{}
	for _, r := range d.Returns {
		kinds[r.Kind]++
	}
	if kinds[ReturnChronology] != 2 || kinds[ReturnScoping] == 0 {
		t.Errorf("returns by kind = %v", kinds)
	}
	// Approve: the reviewer notice goes, once.
	msg, err := tr.ApproveWhat(ctx, "LSCP-2026-001", "reviewer", "command line")
	if err != nil {
		t.Fatal(err)
	}
	if rows = outboxEmails(t, tr, TmplNationalNotice); rows[0].Status != "queued" {
		t.Errorf("reviewer notice %s after approval (%s)", rows[0].Status, msg)
	}
	if _, err := tr.ApproveWhat(ctx, "LSCP-2026-001", "reviewer", "command line"); !errors.Is(err, ErrRefused) {
		t.Errorf("second approval = %v, want refused", err)
	}
}

func torTestForm(chronDue string) *Form {
	return &Form{Kind: FormTermsOfReference, CaseRef: "LSCP-2026-001", Fields: map[string]string{
		"lead_reviewer": "Jo Reviewer", "lead_reviewer_email": "jo@example.org", "review_period_from": "2025-01-01", "review_period_to": "2026-11-28"},
		Tables: map[string][]map[string]string{
			"timetable": {
				{"action": "Chronologies returned", "responsible": "Each agency", "date": chronDue},
				{"action": "Practitioner learning event", "responsible": "Lead reviewer", "date": "2027-03-10"},
				{"action": "Draft report", "responsible": "Lead reviewer", "date": "not yet agreed"},
			},
			"agencies": {{"agency": "Met Police"}, {"agency": "Lewisham Children's Social Care"}},
		}}
}

// Terms of Reference sent by email are read back and set only once confirmed; a revised
// one says what moved (issue 10.2).
func TestTermsOfReferenceByEmail(t *testing.T) {
	ctx := context.Background()
	clock := &testClock{}
	tr := newRRTracker(t, clock, nil)
	toApproved(t, tr, clock, "b")
	clock.Set("2027-01-04T10:00:00Z")
	in := staffMail(clock, "tor1@lewisham.gov.uk", firstID(t, tr, TmplApprovalRequest), "RE: [LSCP-2026-001] approve", "The agreed ToR.")
	in.Attachments = []InAttachment{{Attachment: Attachment{Name: "tor.docx", Data: []byte("PK")}, Form: torTestForm("2027-01-25")}}
	deliver(t, tr, in)
	replies := outboxEmails(t, tr, TmplCommandReply)
	last := replies[len(replies)-1]
	for _, want := range []string{"Chronologies returned, Each agency, by 17:00 Mon 25 Jan 2027 [lcspr_returns]", "could not read (not set): Draft report", "Confirm terms"} {
		if !strings.Contains(last.Email.Text, want) {
			t.Errorf("reply to the ToR lacks %q:\n%s", want, last.Email.Text)
		}
	}
	if n := len(outboxEmails(t, tr, TmplLCSPRRequest)); n != 0 {
		t.Errorf("%d requests sent before the ToR was confirmed", n)
	}
	confirm := staffMail(clock, "tor2@lewisham.gov.uk", last.MessageID, "RE: "+last.Email.Subject, "Confirm terms")
	deliver(t, tr, confirm)
	if n := len(outboxEmails(t, tr, TmplLCSPRRequest)); n != 2 {
		t.Errorf("requests after Confirm terms = %d, want 2 (the police and Children's Social Care)", n)
	}
	if rows := outboxEmails(t, tr, TmplNationalNotice); len(rows) != 1 || rows[0].Status != "awaiting_approval" {
		t.Errorf("reviewer notice from the ToR = %+v, want one awaiting approval", rows)
	}
	d, _ := tr.Case(ctx, "LSCP-2026-001")
	if due, st := deadlineDue(t, d, "learning_event", "Practitioner learning event"); st != "pending" || tr.londonDay(due) != "2027-03-10" {
		t.Errorf("learning_event = %v %s", due, st)
	}
	// Both chronologies arrive: the timetable's row is met.
	for i, r := range outboxEmails(t, tr, TmplLCSPRRequest) {
		clock.Set("2027-01-20T10:00:00Z")
		uidSeq++
		from := map[string]string{"Metropolitan Police Service": "lead@met.example", "Lewisham Children's Social Care": "csc@lewisham.gov.uk"}[r.Agency]
		deliver(t, tr, &Incoming{Mailbox: "INBOX", UIDValidity: 1, UID: uidSeq, ReceivedAt: clock.Now(), MessageID: fmt.Sprintf("chron%d@example.org", i),
			From: from, Subject: "RE: " + r.Email.Subject, InReplyTo: r.MessageID, Text: "Attached.",
			Attachments: []InAttachment{{Attachment: Attachment{Name: "chronology.docx", Data: []byte("PK")}, Form: &Form{Kind: FormChronology}}}})
	}
	d, _ = tr.Case(ctx, "LSCP-2026-001")
	if _, st := deadlineDue(t, d, "lcspr_returns", "Chronologies returned"); st != "met" {
		t.Errorf("timetable row Chronologies returned: %s after both arrived, want met", st)
	}
	// Revised: the chronologies move to 1 Feb.
	res, err := tr.TermsOfReference(ctx, "LSCP-2026-001", torTestForm("2027-02-01"), true, "command line")
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(ToRDone(res, tr.Calendar().Location()), "\n"); !strings.Contains(got, "Chronologies returned, Each agency, by 17:00 Mon 1 Feb 2027 [lcspr_returns] (was Mon 25 Jan 2027)") {
		t.Errorf("revised ToR does not say what moved:\n%s", got)
	}
}

// The six-month clock: warnings at 8 and 4 weeks, once each; at 4 weeks with no
// publication date, the notice to the Panel and the DfE, held for approval (issue 10.6).
func TestSixMonthClock(t *testing.T) {
	ctx := context.Background()
	clock := &testClock{}
	tr := newRRTracker(t, clock, nil)
	toApproved(t, tr, clock, "b") // decided Thu 17 Dec 2026: publication due Thu 17 Jun 2027
	warnings := func() int {
		var n int
		if err := tr.DB().QueryRow(`SELECT count(*) FROM audit WHERE event = 'publication_warning'`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	for _, tc := range []struct {
		at   string
		want int
	}{
		{"2027-04-21T10:00:00Z", 0}, // eight weeks less a day before
		{"2027-04-22T10:00:00Z", 1},
		{"2027-04-23T10:00:00Z", 1},
		{"2027-05-20T10:00:00Z", 2},
		{"2027-05-21T10:00:00Z", 2},
	} {
		clock.Set(tc.at)
		if _, err := tr.TickLCSPR(ctx); err != nil {
			t.Fatal(err)
		}
		if got := warnings(); got != tc.want {
			t.Errorf("at %s: %d warnings, want %d", tc.at, got, tc.want)
		}
	}
	rows := outboxEmails(t, tr, TmplNationalNotice)
	if len(rows) != 1 || rows[0].Status != "awaiting_approval" || !strings.Contains(rows[0].To, "mailbox.cpod@education.gov.uk") {
		t.Fatalf("late-publication notice = %+v, want one to the Panel and the DfE awaiting approval", rows)
	}
	if err := tr.HoldUnapproved(ctx); err != nil {
		t.Fatal(err)
	}
	if rows = outboxEmails(t, tr, TmplNationalNotice); rows[0].Status != "awaiting_approval" {
		t.Errorf("late-publication notice %s before approval", rows[0].Status)
	}
}

// A local authority's notification to the National Panel and Ofsted, forwarded, opens a
// case like any referral and records the notification as made on its date (issue 10.10).
func TestNotificationIsAReferral(t *testing.T) {
	ctx := context.Background()
	clock := &testClock{}
	tr := newRRTracker(t, clock, nil)
	clock.Set("2027-01-13T10:00:00Z")
	uidSeq++
	in := &Incoming{Mailbox: "INBOX", UIDValidity: 1, UID: uidSeq, ReceivedAt: clock.Now(), MessageID: "notif1@lewisham.gov.uk",
		From: "csc@lewisham.gov.uk", Subject: "FW: Child Safeguarding Incident Notification", Text: "Forwarded.",
		BodyForm: &Form{Kind: FormNotification, Fields: map[string]string{"child_initials": "RM", "incident_date": "2027-01-08", "incident_kind": "serious_harm",
			"notified_at": "2027-01-12", "notified_to": "national_panel,ofsted", "local_authority": "London Borough of Lewisham", "panel_reference": "NCSPRP-2027-0456"}}}
	res := deliver(t, tr, in)
	if res.CaseRef == "" || res.Disposition != DispReferral {
		t.Fatalf("notification = %+v, want a new case", res)
	}
	d, err := tr.Case(ctx, res.CaseRef)
	if err != nil {
		t.Fatal(err)
	}
	if d.ChildInitials != "RM" {
		t.Errorf("initials %q, want RM", d.ChildInitials)
	}
	var st, met string
	if err := tr.DB().QueryRow(`SELECT status, met_at FROM deadlines WHERE rule = 'panel_notification'`).Scan(&st, &met); err != nil {
		t.Fatal(err)
	}
	if st != "met" || !strings.HasPrefix(met, "2027-01-12") {
		t.Errorf("panel_notification %s at %s, want met on 12 Jan", st, met)
	}
}

// The reminder and chasers are configurable per kind of return ([returns.KIND]).
func TestChasingPerKind(t *testing.T) {
	ctx := context.Background()
	clock := &testClock{}
	tr := newRRTracker(t, clock, func(c *Config) {
		c.KindChasing = map[string]Chasing{ReturnChronology: {ReminderDays: -1, Chasers: 1}}
	})
	toApproved(t, tr, clock, "b")
	clock.Set("2027-01-04T10:00:00Z")
	if _, err := tr.RequestReturns(ctx, "LSCP-2026-001", ReturnChronology, []string{"Met Police"}, mustTime("2027-01-15T00:00:00Z"), "test"); err != nil {
		t.Fatal(err)
	}
	count := func(event string) int {
		var n int
		if err := tr.DB().QueryRow(`SELECT count(*) FROM audit WHERE event = ? AND detail LIKE 'Metropolitan Police Service%' AND at >= '2027-01-05'`, event).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	for _, at := range []string{"2027-01-14T10:00:00Z", "2027-01-18T10:00:00Z", "2027-01-19T10:00:00Z", "2027-01-20T10:00:00Z"} {
		clock.Set(at)
		if _, err := tr.Tick(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if r, c := count("reminder_sent"), count("chaser_sent"); r != 0 || c != 1 {
		t.Errorf("chronology: %d reminders and %d chasers, want none and one", r, c)
	}
	var st string
	if err := tr.DB().QueryRow(`SELECT status FROM returns WHERE kind = 'chronology'`).Scan(&st); err != nil {
		t.Fatal(err)
	}
	if st != "escalated" {
		t.Errorf("chronology after its one chaser: %s, want escalated", st)
	}
}

// Issue 8's "look before it counts" for the local review's documents: a chronology printed
// with another case's reference is held for a person, and what was asked stays awaited.
func TestChronologyOfAnotherCaseIsHeld(t *testing.T) {
	ctx := context.Background()
	clock := &testClock{}
	tr := newRRTracker(t, clock, nil)
	toApproved(t, tr, clock, "b")
	clock.Set("2027-01-04T10:00:00Z")
	res, err := tr.RequestReturns(ctx, "LSCP-2026-001", ReturnChronology, []string{"Met Police"}, mustTime("2027-01-20T00:00:00Z"), "command line")
	if err != nil || len(res.Requested) != 1 {
		t.Fatalf("RequestReturns = %+v, %v", res, err)
	}
	reqs := outboxEmails(t, tr, TmplLCSPRRequest)
	clock.Set("2027-01-12T11:00:00Z")
	uidSeq++
	reply := &Incoming{Mailbox: "INBOX", UIDValidity: 1, UID: uidSeq, ReceivedAt: clock.Now(), MessageID: "chron-other@met.example",
		From: "lead@met.example", Subject: "RE: [LSCP-2026-001] Local review request", InReplyTo: reqs[len(reqs)-1].MessageID, Text: "Attached.",
		Attachments: []InAttachment{{Attachment: Attachment{Name: "chronology.docx", Data: []byte("PK other")},
			Form: &Form{Kind: FormChronology, CaseRef: "LSCP-2026-044", Fields: map[string]string{"agency": "Metropolitan Police Service", "case_ref": "LSCP-2026-044"}}}}}
	if r := deliver(t, tr, reply); r.Disposition == DispReturn {
		t.Errorf("another case's chronology was filed as this case's: %+v", r)
	}
	var st string
	tr.DB().QueryRow(`SELECT status FROM returns WHERE agency = 'Metropolitan Police Service' AND kind = 'chronology'`).Scan(&st)
	if st == "received" {
		t.Errorf("the police chronology is %s after another case's arrived, want still awaited", st)
	}
}
