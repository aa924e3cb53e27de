package tracker

import (
	"context"
	"strings"
	"testing"
)

// Fixed (reader12, b3ec6ce): the MESI subgroup's sign-off words apply only to the actions of
// their own sentence; conditions, deferrals, intentions, comments below the quote and
// another case's reference send the reply to a person; an action for a person stays open;
// a revised action plan matches actions by their wording.

// reader12BothEvidenced is mesiCase with A2's evidence in too: both actions wait for the
// MESI subgroup's sign-off. It returns the request about A1.
func reader12BothEvidenced(t *testing.T) (*Tracker, *testClock, outRow) {
	t.Helper()
	tr, clock, reqA1 := mesiCase(t)
	evidence(t, tr, clock, "csc@lewisham.gov.uk", "ev-a2-r12@lewisham.gov.uk", "2027-07-20T12:00:00Z")
	return tr, clock, reqA1
}

// A MESI reply to the request about A1 that signs off A1 and says in plain words that A2
// is NOT signed off (to be discussed, deferred) signs off A2 too, and so closes the case:
// readSignOff takes every "A\d" in the reply as an action signed off, and its hedge list
// knows "not"/"but"/"until" but not "to be discussed", "deferred", "next meeting". Promise:
// a case closes only when every action is evidenced and signed off; a reply that does not
// clearly sign off is recorded for a person and signs nothing off.
func TestReader12MESIReplyNamingAnActionItDefersSignsItOff(t *testing.T) {
	for _, tc := range []struct{ name, text, want string }{
		{"A2 to be discussed", "Signed off A1. A2 to be discussed at the next subgroup meeting.", "A1"},
		{"A2 deferred", "A1 approved; A2 deferred to the March meeting.", "A1"},
		{"A2 rejected word-free", "Agreed for A1. A2 has been referred back to the agency for a re-audit.", "A1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tr, clock, req := reader12BothEvidenced(t)
			clock.Set("2027-07-21T09:00:00Z")
			deliver(t, tr, mesiMail(clock, "r12-"+strings.ReplaceAll(tc.name, " ", "-")+"@lewisham.gov.uk", testMESI, req.MessageID, "RE: "+req.Email.Subject, tc.text))
			keys, stage := signedOff(t, tr)
			if keys != tc.want || stage == StageClosed {
				t.Errorf("reply %q: signed off %q, stage %s; want only %s and the case still open", tc.text, keys, stage, tc.want)
			}
		})
	}
}

// A MESI reply that agrees only conditionally ("approved in principle, subject to ...",
// "we agreed to look at it at our next meeting") is read as a sign-off of the action the
// request asked about: the condition words are not in signOffHedge. Nothing was signed off
// by the subgroup, but the action is met and, with the other signed off, the case closes.
func TestReader12MESIConditionalAgreementSignsOff(t *testing.T) {
	for _, text := range []string{
		"Approved in principle, subject to the audit report being shared with the subgroup.",
		"We agreed to look at this evidence at our next subgroup meeting on 5 August.",
		"Happy to sign this off once the training attendance figures are sent.",
	} {
		t.Run(text[:12], func(t *testing.T) {
			tr, clock, req := mesiCase(t)
			clock.Set("2027-07-21T09:00:00Z")
			deliver(t, tr, mesiMail(clock, "r12-cond-"+strings.ReplaceAll(text[:12], " ", "-")+"@lewisham.gov.uk", testMESI, req.MessageID, "RE: "+req.Email.Subject, text))
			if keys, _ := signedOff(t, tr); keys != "" {
				t.Errorf("reply %q signed off %q; a conditional reply signs nothing off", text, keys)
			}
		})
	}
}

// The MESI subgroup answers on the wrong thread: its reply to csprbot's request about
// LSCP-2026-001's A1 says, in its subject and its words, that it signs off A1 of another
// case (LSCP-2027-014). csprbot signs off LSCP-2026-001's A1 (the token ties the reply to
// 001), although everything the subgroup wrote names another case. A chronology, a ToR or
// an action plan printed with another case's reference is held for a person
// (messageMismatch); a sign-off naming another case is not. Promise: a case closes only
// when every action is evidenced and signed off.
func TestReader12MESISignOffNamingAnotherCaseSignsOffThisOne(t *testing.T) {
	for _, text := range []string{"Signed off A1 for LSCP-2027-014.", "LSCP-2027-014: signed off"} {
		t.Run(text, func(t *testing.T) {
			tr, clock, req := mesiCase(t)
			clock.Set("2027-07-21T09:00:00Z")
			deliver(t, tr, mesiMail(clock, "r12-other@lewisham.gov.uk", testMESI, req.MessageID, "RE: [LSCP-2027-014] Action plan evidence to sign off", text))
			if keys, _ := signedOff(t, tr); keys != "" {
				t.Errorf("a sign-off naming LSCP-2027-014, in reply to LSCP-2026-001's request, signed off %q on LSCP-2026-001", keys)
			}
		})
	}
}

// The subgroup's chair answers inline, as many do: a first line, then their comments
// under the lines of csprbot's request they quote. readSignOff reads only what is above
// the first quoted line (ownText stops there), so "Agreed, with comments below" signs off
// A1 although the comment under the quote withholds it. A reply whose own words go on
// below the quote is not a plain yes; it should be recorded for a person.
func TestReader12MESIInlineReplyWithholdingBelowTheQuoteSignsOff(t *testing.T) {
	tr, clock, req := mesiCase(t)
	clock.Set("2027-07-21T09:00:00Z")
	text := "Agreed, with comments below.\n\n" +
		"> The Metropolitan Police Service sent evidence for A1: Deliver training on information sharing.\n\n" +
		"The attendance list is missing: we will look again when it comes. A1 stays open until then.\n\n" +
		"> When the subgroup is satisfied, please reply saying \"Signed off\".\n\nMESI chair"
	deliver(t, tr, mesiMail(clock, "r12-inline@lewisham.gov.uk", testMESI, req.MessageID, "RE: "+req.Email.Subject, text))
	if keys, _ := signedOff(t, tr); keys != "" {
		t.Errorf("an inline reply withholding A1 under the quote signed off %q", keys)
	}
}

// An action plan of three actions, one (A2) owned by a body csprbot has no address for
// (or with a due date it cannot read): csprbot asks evidence for A1 and A3 only and lists
// A2 "for a person". A2 is never tracked as an action_evidence return, so when A1 and A3
// are evidenced and the MESI subgroup replies "Signed off: all", the case closes, saying
// "every action of the action plan evidenced and signed off", with A2 neither evidenced
// nor signed off. Promise: a case closes only when every action is evidenced and signed off
// (or by a decision).
func TestReader12ActionWithNoOwnerAddressIsLeftOutOfTheClosing(t *testing.T) {
	for _, tc := range []struct{ name, owner, due string }{
		{"owner with no address", "Lewisham Schools Forum", "2027-08-13"},
		{"due date unreadable", "Lewisham Children's Social Care", "end of summer term"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			clock := &testClock{}
			tr := newRRTracker(t, clock, func(c *Config) { c.Addresses.MESI = testMESI })
			toApproved(t, tr, clock, "b")
			clock.Set("2027-06-10T09:00:00Z")
			plan := &Form{Kind: FormActionPlan, Tables: map[string][]map[string]string{"actions": {
				{"action": "Deliver training on information sharing", "owner": "Met Police", "due": "2027-07-30"},
				{"action": "Review school attendance follow-up", "owner": tc.owner, "due": tc.due},
				{"action": "Audit the strategy discussions", "owner": "Lewisham Children's Social Care", "due": "2027-08-13"},
			}}}
			res, err := tr.ActionPlan(ctx, "LSCP-2026-001", plan, "command line")
			if err != nil || len(res.Unknown) != 1 {
				t.Fatalf("ActionPlan = %+v, %v; want A2 for a person", res, err)
			}
			evidence(t, tr, clock, "lead@met.example", "ev-a1-r12u@met.example", "2027-07-20T11:00:00Z")
			evidence(t, tr, clock, "csc@lewisham.gov.uk", "ev-a3-r12u@lewisham.gov.uk", "2027-07-20T12:00:00Z")
			so := outboxEmails(t, tr, TmplActionSignOff)
			clock.Set("2027-07-21T09:00:00Z")
			deliver(t, tr, mesiMail(clock, "r12-all@lewisham.gov.uk", testMESI, so[len(so)-1].MessageID, "RE: "+so[len(so)-1].Email.Subject, "Signed off: all"))
			if keys, stage := signedOff(t, tr); stage == StageClosed {
				t.Errorf("signed off %q and the case closed; A2 (%s) was never evidenced nor signed off", keys, tc.name)
			}
		})
	}
}

// A revised action plan (a new action inserted first) is read as a new plan keyed by
// position: "A1: Brief the GP practices" is added beside the first plan's "A1: Deliver
// training" (evidence in, waiting for sign-off), the police are asked again for the
// training evidence they already sent ("A2: Deliver training"), and two actions answer to
// "A1". The MESI subgroup, answering csprbot's request about the new A1 with "Approved
// A1", signs off the police's training too, which it never looked at in this reply.
func TestReader12RevisedActionPlanSignsOffTwoActionsAsA1(t *testing.T) {
	ctx := context.Background()
	tr, clock, _ := mesiCase(t) // A1 Deliver training (police, evidence in), A2 Audit (CSC)
	policeAsked := 0
	for _, o := range outboxEmails(t, tr, TmplLCSPRRequest) {
		if o.To == "lead@met.example" {
			policeAsked++
		}
	}
	clock.Set("2027-07-20T15:00:00Z")
	plan := &Form{Kind: FormActionPlan, Tables: map[string][]map[string]string{"actions": {
		{"action": "Brief the GP practices on the findings", "owner": "Lewisham Children's Social Care", "due": "2027-09-30"},
		{"action": "Deliver training on information sharing", "owner": "Met Police", "due": "2027-07-30"},
		{"action": "Audit the strategy discussions", "owner": "Lewisham Children's Social Care", "due": "2027-08-13"},
	}}}
	if _, err := tr.ActionPlan(ctx, "LSCP-2026-001", plan, "command line"); err != nil {
		t.Fatal(err)
	}
	again := 0
	var briefReq string
	for _, o := range outboxEmails(t, tr, TmplLCSPRRequest) {
		if o.To == "lead@met.example" {
			again++
		}
	}
	if err := tr.DB().QueryRow(`SELECT request_msgid FROM returns WHERE kind = 'action_evidence' AND item = 'A1: Brief the GP practices on the findings'`).Scan(&briefReq); err != nil {
		t.Fatal(err)
	}
	if again != policeAsked {
		t.Errorf("the revised plan asked the police %d more times for the training evidence they sent", again-policeAsked)
	}
	clock.Set("2027-07-22T10:00:00Z")
	uidSeq++
	deliver(t, tr, &Incoming{Mailbox: "INBOX", UIDValidity: 1, UID: uidSeq, ReceivedAt: clock.Now(), MessageID: "ev-brief-r12@lewisham.gov.uk",
		From: "csc@lewisham.gov.uk", Subject: "RE: [LSCP-2026-001] Local review request", InReplyTo: briefReq, Text: "Briefing notes attached.",
		Attachments: []InAttachment{{Attachment: Attachment{Name: "briefing.docx", Data: []byte("PK")}}}})
	so := outboxEmails(t, tr, TmplActionSignOff)
	last := so[len(so)-1]
	var about string
	if err := tr.DB().QueryRow(`SELECT item FROM returns WHERE kind = 'action_evidence' AND signoff_msgid = ?`, last.MessageID).Scan(&about); err != nil || about != "A1: Brief the GP practices on the findings" {
		t.Fatalf("the last sign-off request is about %q (%v), want the briefing", about, err)
	}
	clock.Set("2027-07-23T10:00:00Z")
	deliver(t, tr, mesiMail(clock, "r12-a1@lewisham.gov.uk", testMESI, last.MessageID, "RE: "+last.Email.Subject, "Approved A1"))
	var note string
	if err := tr.DB().QueryRow(`SELECT note FROM returns WHERE kind = 'action_evidence' AND item = 'A1: Deliver training on information sharing'`).Scan(&note); err != nil {
		t.Fatal(err)
	}
	if strings.HasPrefix(note, "signed off") {
		t.Errorf("'Approved A1' in reply to the request about the briefing signed off the police's training too: %q", note)
	}
}

func TestOtherCaseRef(t *testing.T) {
	for _, tc := range []struct{ text, want string }{
		{"RE: [LSCP-2026-001] Action plan evidence to sign off\nSigned off", ""},
		{"RE: [LSCP-2027-014] Action plan evidence to sign off", "LSCP-2027-014"},
		{"Signed off A1 for LSCP 2027 14.", "LSCP-2027-014"},
		{"Signed off at the meeting on 12 July 2027 10:00", ""},
		{"lscp-2026-1: signed off", ""},
	} {
		if got := otherCaseRef(tc.text, "LSCP-2026-001"); got != tc.want {
			t.Errorf("otherCaseRef(%q) = %q, want %q", tc.text, got, tc.want)
		}
	}
}

func TestInlineText(t *testing.T) {
	for _, tc := range []struct{ text, want string }{
		{"Signed off.\n\nKind regards,\nJo\n\n> When the subgroup is satisfied, reply Signed off.", ""},
		{"Agreed.\n\n> quoted\n\nMESI chair", ""},
		{"Agreed.\n> one\n\nA1 stays open.\n> two\nMESI chair", "A1 stays open."},
		{"Agreed.\n> one\n\nBut not A2 yet.\n\nRegards\nJo", "But not A2 yet."},
		{"Agreed, no quote at all", ""},
	} {
		if got := inlineText(tc.text); got != tc.want {
			t.Errorf("inlineText(%q) = %q, want %q", tc.text, got, tc.want)
		}
	}
}

// An action for a person (no owner address) is open until staff name it in Signed off:;
// then, with the others signed off by the subgroup, the case closes.
func TestActionForAPersonSignedOffByStaffClosesTheCase(t *testing.T) {
	ctx := context.Background()
	clock := &testClock{}
	tr := newRRTracker(t, clock, func(c *Config) { c.Addresses.MESI = testMESI })
	toApproved(t, tr, clock, "b")
	clock.Set("2027-06-10T09:00:00Z")
	plan := &Form{Kind: FormActionPlan, Tables: map[string][]map[string]string{"actions": {
		{"action": "Deliver training on information sharing", "owner": "Met Police", "due": "2027-07-30"},
		{"action": "Review school attendance follow-up", "owner": "Lewisham Schools Forum", "due": "2027-08-13"},
	}}}
	if res, err := tr.ActionPlan(ctx, "LSCP-2026-001", plan, "command line"); err != nil || len(res.Unknown) != 1 || len(res.Asked) != 1 {
		t.Fatalf("ActionPlan = %+v, %v", res, err)
	}
	// The same plan again asks nothing and tracks nothing twice.
	if res, err := tr.ActionPlan(ctx, "LSCP-2026-001", plan, "command line"); err != nil || len(res.Asked) != 0 || len(res.Already) != 1 {
		t.Fatalf("ActionPlan again = %+v, %v; want nothing asked, A1 already tracked", res, err)
	}
	evidence(t, tr, clock, "lead@met.example", "ev-a1-fp@met.example", "2027-07-20T11:00:00Z")
	clock.Set("2027-07-21T09:00:00Z")
	if out, err := tr.SignOff(ctx, "LSCP-2026-001", "all", "staff@lewisham.gov.uk"); err != nil || !strings.Contains(out, "A2") || strings.Contains(out, "case closed") {
		t.Fatalf("SignOff(all) = %q, %v; want A1 signed off, A2 still open", out, err)
	}
	out, err := tr.SignOff(ctx, "LSCP-2026-001", "A2", "staff@lewisham.gov.uk")
	if keys, stage := signedOff(t, tr); err != nil || keys != "A1,A2" || stage != StageClosed {
		t.Errorf("SignOff(A2) by staff = %q, %v; signed off %q, stage %s; want A1,A2 and closed", out, err, keys, stage)
	}
}

// Staff's Signed off: A1, when two actions of a revised plan answer to A1 and both wait,
// signs off neither.
func TestSignOffSharedKeyRefused(t *testing.T) {
	ctx := context.Background()
	tr, clock, _ := mesiCase(t)
	clock.Set("2027-07-20T15:00:00Z")
	plan := &Form{Kind: FormActionPlan, Tables: map[string][]map[string]string{"actions": {
		{"action": "Brief the GP practices on the findings", "owner": "Lewisham Children's Social Care", "due": "2027-09-30"},
		{"action": "Deliver training on information sharing", "owner": "Met Police", "due": "2027-07-30"},
	}}}
	if _, err := tr.ActionPlan(ctx, "LSCP-2026-001", plan, "command line"); err != nil {
		t.Fatal(err)
	}
	var briefReq string
	if err := tr.DB().QueryRow(`SELECT request_msgid FROM returns WHERE kind = 'action_evidence' AND item = 'A1: Brief the GP practices on the findings'`).Scan(&briefReq); err != nil {
		t.Fatal(err)
	}
	clock.Set("2027-07-22T10:00:00Z")
	uidSeq++
	deliver(t, tr, &Incoming{Mailbox: "INBOX", UIDValidity: 1, UID: uidSeq, ReceivedAt: clock.Now(), MessageID: "ev-brief-shared@lewisham.gov.uk",
		From: "csc@lewisham.gov.uk", Subject: "RE: [LSCP-2026-001] Local review request", InReplyTo: briefReq, Text: "Briefing notes attached.",
		Attachments: []InAttachment{{Attachment: Attachment{Name: "briefing.docx", Data: []byte("PK")}}}})
	out, err := tr.SignOff(ctx, "LSCP-2026-001", "A1", "staff@lewisham.gov.uk")
	if keys, _ := signedOff(t, tr); err == nil || keys != "" {
		t.Errorf("SignOff(A1) with two actions A1 waiting = %q, %v; signed off %q; want refused, nothing signed off", out, err, keys)
	}
}
