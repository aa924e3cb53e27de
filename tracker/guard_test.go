package tracker

import (
	"context"
	"fmt"
	"strings"
	"testing"
)

// Issue 8: the promises held against careless and hostile mail, at the tracker's level.
// Each test here failed on the code before the fix it names.

func returnIncoming(uid uint32, id, from, inReplyTo string, fields map[string]string) *Incoming {
	return &Incoming{Mailbox: "INBOX", UIDValidity: 1, UID: uid, ReceivedAt: mustTime("2026-12-09T14:30:00Z"), MessageID: id,
		From: from, Subject: "RE: scoping request", InReplyTo: inReplyTo,
		Attachments: []InAttachment{{Attachment: Attachment{Name: "return.docx", Data: []byte("PK" + id)},
			Form: &Form{Kind: FormScopingReturn, Fields: fields}}}}
}

func requestTo(t *testing.T, tr *Tracker, agency string) string {
	t.Helper()
	for _, o := range outboxEmails(t, tr, TmplScopingRequest) {
		if o.Agency == agency {
			return o.MessageID
		}
	}
	t.Fatalf("no scoping request to %s", agency)
	return ""
}

func returnStatus(t *testing.T, tr *Tracker, agency string) string {
	t.Helper()
	d, err := tr.Case(context.Background(), "LSCP-2026-001")
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range d.Returns {
		if r.Agency == agency {
			return r.Status
		}
	}
	t.Fatalf("no return from %s", agency)
	return ""
}

// An address typed into a referral form never receives anything by itself: it is shown to
// staff as a suggestion, and becomes a recipient only when staff add it by command.
func TestTypedAddressIsOnlyASuggestion(t *testing.T) {
	ctx := context.Background()
	clock := &testClock{}
	tr := newRRTracker(t, clock, nil)
	openScopedCase(t, tr, clock, "2026-12-07T10:15:00Z")
	clock.Set("2026-12-08T10:00:00Z")
	if _, err := tr.SetMeeting(ctx, "LSCP-2026-001", mustTime("2026-12-16T10:00:00Z"), false, "test"); err != nil {
		t.Fatal(err)
	}
	for _, o := range outboxEmails(t, tr, "") {
		if strings.Contains(o.To, "brockley.example") {
			t.Errorf("%s sent to the address typed into the referral (%s)", o.Kind, o.To)
		}
	}
	notice := outboxEmails(t, tr, TmplStaffNewReferral)
	if len(notice) != 1 || !strings.Contains(notice[0].Email.Text, "Add agency: Brockley Primary School <head@brockley.example>") {
		t.Fatalf("the staff notice does not offer the typed address as a suggestion: %+v", notice)
	}
	// Staff vouch for it: now it is asked for its return like any agency.
	res, err := tr.StartScoping(ctx, "LSCP-2026-001", []string{"Brockley Primary School <head@brockley.example>"}, "strategic.lead@lewisham.gov.uk")
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(res.Requested, ","); got != "Brockley Primary School" {
		t.Errorf("scoping after Add agency requested %q, want the school", got)
	}
	reqs := outboxEmails(t, tr, TmplScopingRequest)
	if last := reqs[len(reqs)-1]; last.To != "head@brockley.example" || last.Status != "queued" {
		t.Errorf("scoping request to the vouched school = %s %s", last.To, last.Status)
	}
}

// The enqueue gate holds case material to an address nobody vouched for, whatever path
// chose it (here: an old store's agency row that carries a typed address).
func TestCaseMailToUnvouchedAddressIsHeld(t *testing.T) {
	ctx := context.Background()
	clock := &testClock{}
	tr := newRRTracker(t, clock, nil)
	openScopedCase(t, tr, clock, "2026-12-07T10:15:00Z")
	if _, err := tr.DB().Exec(`UPDATE case_agencies SET email = 'head@brockley.example' WHERE name = 'Brockley Primary School'`); err != nil {
		t.Fatal(err)
	}
	clock.Set("2026-12-08T10:00:00Z")
	if _, err := tr.SetMeeting(ctx, "LSCP-2026-001", mustTime("2026-12-16T10:00:00Z"), false, "test"); err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, o := range outboxEmails(t, tr, TmplMeetingInvite) {
		if strings.Contains(o.To, "brockley.example") {
			n++
			if o.Status != "held" {
				t.Errorf("invitation to an unvouched address is %s, want held", o.Status)
			}
		}
	}
	if n != 1 {
		t.Errorf("invitations to the unvouched address = %d, want 1 (held)", n)
	}
}

func TestAgenciesOneReferralMayAddAreCapped(t *testing.T) {
	ctx := context.Background()
	clock := &testClock{}
	clock.Set("2026-12-07T10:15:00Z")
	tr := newTestTracker(t, clock)
	in := referralIncoming("r1@example.org", 1, "2026-12-07T10:15:00Z")
	var rows []map[string]string
	for i := 0; i < 500; i++ {
		rows = append(rows, map[string]string{"agency": fmt.Sprintf("School %d", i), "email": fmt.Sprintf("s%d@x.example", i)})
	}
	in.Attachments[0].Form.Tables["agencies"] = rows
	if _, err := tr.Ingest(ctx, in); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := tr.DB().QueryRow(`SELECT count(*) FROM case_agencies WHERE source = 'referral'`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != MaxAgenciesPerReferral {
		t.Errorf("a referral naming 500 agencies added %d, want %d", n, MaxAgenciesPerReferral)
	}
}

// A different message that reuses a Message-ID already seen is recorded and acted on; the
// same message delivered twice is a duplicate.
func TestReusedMessageIDIsNotTakenForADuplicate(t *testing.T) {
	ctx := context.Background()
	clock := &testClock{}
	clock.Set("2026-12-07T10:15:00Z")
	tr := newTestTracker(t, clock)
	first := referralIncoming("scan@scanner.example", 1, "2026-12-07T10:15:00Z")
	if _, err := tr.Ingest(ctx, first); err != nil {
		t.Fatal(err)
	}
	again := referralIncoming("scan@scanner.example", 2, "2026-12-07T10:15:00Z")
	if res, err := tr.Ingest(ctx, again); err != nil || !res.Duplicate {
		t.Fatalf("the same referral again = %+v, %v; want a duplicate", res, err)
	}
	other := referralIncoming("scan@scanner.example", 3, "2026-12-07T11:00:00Z")
	other.Attachments[0].Data = []byte("PK another child")
	other.Attachments[0].Form.Fields["child_name"] = "Other Child"
	res, err := tr.Ingest(ctx, other)
	if err != nil {
		t.Fatal(err)
	}
	if res.Duplicate || res.CaseRef != "LSCP-2026-002" {
		t.Fatalf("a different referral under a reused Message-ID = %+v; want case LSCP-2026-002", res)
	}
	var note string
	if err := tr.DB().QueryRow(`SELECT note FROM messages WHERE case_id = (SELECT id FROM cases WHERE ref = 'LSCP-2026-002')`).Scan(&note); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(note, "already used by a different message") {
		t.Errorf("note = %q, want the reuse noted", note)
	}
}

// Readable referrals and returns in list or generated mail are acted on; the automatic
// sender gets no reply, staff are told.
func TestAutomaticMailIsActedOnNotAnswered(t *testing.T) {
	ctx := context.Background()
	for _, auto := range []string{"bulk", "auto_generated"} {
		t.Run(auto, func(t *testing.T) {
			clock := &testClock{}
			tr := newRRTracker(t, clock, nil)
			clock.Set("2026-12-07T10:15:00Z")
			in := referralIncoming("eform1@forms.example", 1, "2026-12-07T10:15:00Z")
			in.Auto, in.Subject = auto, "Auto-referral: serious incident"
			res, err := tr.Ingest(ctx, in)
			if err != nil {
				t.Fatal(err)
			}
			if res.CaseRef != "LSCP-2026-001" {
				t.Fatalf("automatic referral = %+v, want a case", res)
			}
			if n := len(outboxEmails(t, tr, TmplAckReferrer)); n != 0 {
				t.Errorf("%d acknowledgements to an automatic sender, want 0", n)
			}
			notice := outboxEmails(t, tr, TmplStaffNewReferral)
			if len(notice) != 1 {
				t.Fatalf("staff notices = %d, want 1", len(notice))
			}
			clock.Set("2026-12-07T11:15:00Z")
			if _, err := tr.StartScoping(ctx, "LSCP-2026-001", nil, "test"); err != nil {
				t.Fatal(err)
			}
			ret := returnIncoming(20, "ret@met.example", "lead@met.example", requestTo(t, tr, "Metropolitan Police Service"), map[string]string{"child_known": "yes", "family_known": "no"})
			ret.Auto = auto
			if res, err := tr.Ingest(ctx, ret); err != nil || res.Disposition != DispReturn {
				t.Fatalf("automatic return = %+v, %v; want filed", res, err)
			}
			if got := returnStatus(t, tr, "Metropolitan Police Service"); got != "received" {
				t.Errorf("police return = %s, want received", got)
			}
			if n := len(outboxEmails(t, tr, TmplReturnReceived)); n != 0 {
				t.Errorf("%d thank-yous to an automatic sender, want 0", n)
			}
		})
	}
}

// csprbot's own blank form sent back does not count as the return; the agency is told
// and chasing goes on.
func TestBlankFormIsNotAReturn(t *testing.T) {
	ctx := context.Background()
	clock := &testClock{}
	tr := newRRTracker(t, clock, nil)
	openScopedCase(t, tr, clock, "2026-12-07T10:15:00Z")
	blank := returnIncoming(20, "blank@met.example", "lead@met.example", requestTo(t, tr, "Metropolitan Police Service"),
		map[string]string{"case_ref": "LSCP-2026-001", "child_initials": "ET", "agency": "Metropolitan Police Service"})
	blank.Text = "will send the completed form next week"
	res, err := tr.Ingest(ctx, blank)
	if err != nil {
		t.Fatal(err)
	}
	if res.Disposition == DispReturn {
		t.Errorf("a blank form was filed as the return: %+v", res)
	}
	if got := returnStatus(t, tr, "Metropolitan Police Service"); got != "awaiting" {
		t.Errorf("police return after a blank form = %s, want awaiting", got)
	}
	empty := outboxEmails(t, tr, TmplReturnEmpty)
	if len(empty) != 1 || empty[0].To != "lead@met.example" {
		t.Errorf("return_empty emails = %+v, want one to the police", empty)
	}
}

// A form printed with another case's reference, sent in this case's thread, is held for a
// person: never filed, thanked or circulated as this case's.
func TestFormOfAnotherCaseIsHeld(t *testing.T) {
	ctx := context.Background()
	clock := &testClock{}
	tr := newRRTracker(t, clock, nil)
	openScopedCase(t, tr, clock, "2026-12-07T10:15:00Z")
	for i, fields := range []map[string]string{
		{"case_ref": "LSCP-2026-099", "child_known": "yes", "family_known": "yes"},
		{"case_ref": "LSCP-2026-001", "child_initials": "Q.Z.", "child_known": "yes", "family_known": "yes"},
	} {
		in := returnIncoming(uint32(20+i), fmt.Sprintf("other%d@met.example", i), "lead@met.example", requestTo(t, tr, "Metropolitan Police Service"), fields)
		res, err := tr.Ingest(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		if res.Disposition != DispForPerson {
			t.Errorf("form %v = %+v, want held for a person", fields, res)
		}
	}
	if got := returnStatus(t, tr, "Metropolitan Police Service"); got != "awaiting" {
		t.Errorf("police return = %s, want awaiting", got)
	}
	if n := len(outboxEmails(t, tr, TmplReturnReceived)); n != 0 {
		t.Errorf("%d thank-yous for another case's form", n)
	}
	// The same form with this case's reference and initials is filed.
	ok := returnIncoming(30, "ok@met.example", "lead@met.example", requestTo(t, tr, "Metropolitan Police Service"),
		map[string]string{"case_ref": "LSCP-2026-001", "child_initials": "E.T.", "child_known": "yes", "family_known": "no"})
	if res, err := tr.Ingest(ctx, ok); err != nil || res.Disposition != DispReturn {
		t.Errorf("this case's form = %+v, %v; want filed", res, err)
	}
}

// Unfinished attempts are counted; two that died after reading for a while (or five that
// died at all) make the message poison; recording the message clears its attempt.
func TestAttemptsCountOnlyUnfinishedWork(t *testing.T) {
	ctx := context.Background()
	clock := &testClock{}
	clock.Set("2026-12-07T10:15:00Z")
	tr := newTestTracker(t, clock)
	for want := 0; want < QuarantineAfterAny; want++ {
		a, err := tr.BeginAttempt(ctx, AttemptKey(nil, "INBOX", 1, 7), "INBOX", 1, 7)
		if err != nil || a.Unfinished != want || a.Poison() {
			t.Fatalf("BeginAttempt #%d = %+v, %v; want %d unfinished, not poison", want+1, a, err, want)
		}
	}
	if a, _ := tr.BeginAttempt(ctx, AttemptKey(nil, "INBOX", 1, 7), "INBOX", 1, 7); !a.Poison() {
		t.Errorf("after %d quick deaths: %+v, want poison", QuarantineAfterAny, a)
	}
	for i := 0; i < QuarantineAfterSlow; i++ {
		if _, err := tr.BeginAttempt(ctx, AttemptKey([]byte("raw 8"), "INBOX", 1, 8), "INBOX", 1, 8); err != nil {
			t.Fatal(err)
		}
		if err := tr.AttemptSlow(ctx, AttemptKey([]byte("raw 8"), "INBOX", 1, 8)); err != nil {
			t.Fatal(err)
		}
	}
	// The same message under a new UIDVALIDITY is the same message.
	if a, _ := tr.BeginAttempt(ctx, AttemptKey([]byte("raw 8"), "INBOX", 2, 1), "INBOX", 2, 1); !a.Poison() || a.Slow != QuarantineAfterSlow {
		t.Errorf("after two slow deaths: %+v, want poison", a)
	}
	q := &Incoming{Mailbox: "INBOX", UIDValidity: 1, UID: 7, MessageID: "poison@x.example", From: "x@x.example",
		Quarantine: "reading it was interrupted 5 times"}
	res, err := tr.Ingest(ctx, q)
	if err != nil || res.Disposition != DispQuarantine {
		t.Fatalf("Ingest(quarantined) = %+v, %v", res, err)
	}
	if n := len(outboxEmails(t, tr, TmplStaffAttention)); n != 1 {
		t.Errorf("staff notices of the quarantined message = %d, want 1", n)
	}
	if a, err := tr.BeginAttempt(ctx, AttemptKey(nil, "INBOX", 1, 7), "INBOX", 1, 7); err != nil || a.Unfinished != 0 {
		t.Errorf("after recording, BeginAttempt = %+v, %v; want 0 unfinished", a, err)
	}
}
