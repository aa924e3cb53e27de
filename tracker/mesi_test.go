package tracker

import (
	"context"
	"strings"
	"testing"
)

const testMESI = "mesi-subgroup@lewisham.gov.uk"

// mesiCase opens a local review with a two-action plan (A1 the police's, A2 Children's
// Social Care's), takes the police's evidence for A1 and returns the request to sign it
// off that went to the MESI subgroup.
func mesiCase(t *testing.T) (*Tracker, *testClock, outRow) {
	t.Helper()
	ctx := context.Background()
	clock := &testClock{}
	tr := newRRTracker(t, clock, func(c *Config) { c.Addresses.MESI = testMESI })
	toApproved(t, tr, clock, "b")
	clock.Set("2027-06-10T09:00:00Z")
	plan := &Form{Kind: FormActionPlan, Tables: map[string][]map[string]string{"actions": {
		{"action": "Deliver training on information sharing", "owner": "Met Police", "due": "2027-07-30"},
		{"action": "Audit the strategy discussions", "owner": "Lewisham Children's Social Care", "due": "2027-08-13"},
	}}}
	if res, err := tr.ActionPlan(ctx, "LSCP-2026-001", plan, "command line"); err != nil || len(res.Asked) != 2 {
		t.Fatalf("ActionPlan = %+v, %v", res, err)
	}
	evidence(t, tr, clock, "lead@met.example", "ev-a1@met.example", "2027-07-20T11:00:00Z")
	so := outboxEmails(t, tr, TmplActionSignOff)
	if len(so) != 1 || !strings.Contains(so[0].To, testMESI) {
		t.Fatalf("sign-off requests = %+v, want one to the MESI subgroup", so)
	}
	return tr, clock, so[0]
}

// evidence delivers an owner's evidence in reply to csprbot's request to that owner.
func evidence(t *testing.T, tr *Tracker, clock *testClock, from, id, at string) {
	t.Helper()
	var req string
	for _, o := range outboxEmails(t, tr, TmplLCSPRRequest) {
		if strings.Contains(o.To, from) {
			req = o.MessageID
		}
	}
	clock.Set(at)
	uidSeq++
	in := &Incoming{Mailbox: "INBOX", UIDValidity: 1, UID: uidSeq, ReceivedAt: clock.Now(), MessageID: id, From: from,
		Subject: "RE: [LSCP-2026-001] Local review request", InReplyTo: req, Text: "Evidence attached.",
		Attachments: []InAttachment{{Attachment: Attachment{Name: "evidence.docx", Data: []byte("PK")}}}}
	if r := deliver(t, tr, in); r.Disposition != DispReturn {
		t.Fatalf("evidence from %s = %+v, want a return", from, r)
	}
}

// mesiMail is a reply from addr to csprbot's email inReplyTo.
func mesiMail(clock *testClock, id, from, inReplyTo, subject, text string) *Incoming {
	uidSeq++
	return &Incoming{Mailbox: "INBOX", UIDValidity: 1, UID: uidSeq, ReceivedAt: clock.Now(), MessageID: id,
		From: from, Subject: subject, InReplyTo: inReplyTo, Text: text}
}

// signedOff is the actions of the case signed off, and the case's stage.
func signedOff(t *testing.T, tr *Tracker) (string, string) {
	t.Helper()
	var keys []string
	rows, err := tr.DB().Query(`SELECT item FROM returns WHERE kind = 'action_evidence' AND note LIKE 'signed off%' ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var item string
		if err := rows.Scan(&item); err != nil {
			t.Fatal(err)
		}
		k, _, _ := strings.Cut(item, ":")
		keys = append(keys, k)
	}
	var stage string
	if err := tr.DB().QueryRow(`SELECT stage FROM cases WHERE ref = 'LSCP-2026-001'`).Scan(&stage); err != nil {
		t.Fatal(err)
	}
	return strings.Join(keys, ","), stage
}

// The MESI subgroup's reply to csprbot's request signs off the action it asked about; a
// later "Approved" for the second closes the case, as staff's Signed off: does (issue 10).
func TestMESIReplySignsOff(t *testing.T) {
	tr, clock, req := mesiCase(t)
	clock.Set("2027-07-21T09:00:00Z")
	r := deliver(t, tr, mesiMail(clock, "so1@lewisham.gov.uk", "MESI Subgroup <"+testMESI+">", req.MessageID, "RE: "+req.Email.Subject,
		"Signed off.\n\nKind regards,\nMESI chair\n\n> When the subgroup is satisfied, please reply saying \"Signed off\"; not yet?"))
	if r.Disposition != "command" {
		t.Errorf("disposition = %q, want command", r.Disposition)
	}
	if keys, stage := signedOff(t, tr); keys != "A1" || stage != StageLCSPR {
		t.Fatalf("after Signed off: signed off %q, stage %s; want A1, still lcspr", keys, stage)
	}
	var status string
	if err := tr.DB().QueryRow(`SELECT status FROM deadlines WHERE rule = 'action_plan' AND agency LIKE 'A1:%'`).Scan(&status); err != nil || status != "met" {
		t.Errorf("action_plan A1 = %s (%v), want met", status, err)
	}
	so := outboxEmails(t, tr, TmplActionSignOff)
	if len(so) != 2 || !strings.Contains(so[1].To, testMESI) || !strings.Contains(so[1].Email.Text, "signed off: A1") {
		t.Fatalf("confirmation to the subgroup: %+v", so)
	}

	// A2's evidence; "Approved A2" in reply to its request closes the case.
	evidence(t, tr, clock, "csc@lewisham.gov.uk", "ev-a2@lewisham.gov.uk", "2027-08-10T11:00:00Z")
	so = outboxEmails(t, tr, TmplActionSignOff)
	clock.Set("2027-08-11T09:00:00Z")
	deliver(t, tr, mesiMail(clock, "so2@lewisham.gov.uk", testMESI, so[len(so)-1].MessageID, "RE: sign off", "Approved A2 - thank you"))
	if keys, stage := signedOff(t, tr); keys != "A1,A2" || stage != StageClosed {
		t.Fatalf("after Approved A2: signed off %q, stage %s; want A1,A2 and closed", keys, stage)
	}
	so = outboxEmails(t, tr, TmplActionSignOff)
	if last := so[len(so)-1]; !strings.Contains(last.Email.Text, "case closed") {
		t.Errorf("confirmation does not say the case closed: %s", last.Email.Text)
	}
	// "Agreed" once more on the thread: nothing signed off twice, the case not closed twice.
	clock.Set("2027-08-12T09:00:00Z")
	deliver(t, tr, mesiMail(clock, "so3@lewisham.gov.uk", testMESI, so[len(so)-2].MessageID, "RE: sign off", "Agreed"))
	var closes int
	if err := tr.DB().QueryRow(`SELECT count(*) FROM audit WHERE event = 'case_closed'`).Scan(&closes); err != nil || closes != 1 {
		t.Errorf("case_closed audited %d times (%v), want 1", closes, err)
	}
}

// What is not a clear sign-off, or not from the subgroup's own mailbox, signs nothing off:
// it is recorded on the case and staff are told; an out-of-office reply is not answered.
func TestMESIReplyThatDoesNotSignOff(t *testing.T) {
	for _, tc := range []struct {
		name, from, text, auto string
		toPolice, subjectOnly  bool
		staffTold, answered    bool
	}{
		{name: "not yet", from: testMESI, text: "Not yet, A2 needs more", staffTold: true},
		{name: "a question", from: testMESI, text: "Is the attendance list complete?", staffTold: true},
		{name: "signed off but", from: testMESI, text: "Signed off A1 but we need the dates", staffTold: true},
		{name: "someone else", from: "someone@lewisham.gov.uk", text: "Signed off", staffTold: true},
		{name: "the owner", from: "lead@met.example", text: "Signed off: all"},
		{name: "out of office", from: testMESI, text: "I am away until Monday. Approved requests will be dealt with then.", auto: "auto_reply"},
		{name: "forged, answering the owner's request", from: testMESI, text: "Signed off", toPolice: true, staffTold: true},
		{name: "subject tag, no DKIM", from: testMESI, text: "Signed off", subjectOnly: true, staffTold: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tr, clock, req := mesiCase(t)
			reply := req.MessageID
			if tc.toPolice {
				for _, o := range outboxEmails(t, tr, TmplLCSPRRequest) {
					if strings.Contains(o.To, "lead@met.example") {
						reply = o.MessageID
					}
				}
			}
			if tc.subjectOnly {
				reply = ""
			}
			staffBefore := len(outboxEmails(t, tr, TmplStaffAttention))
			clock.Set("2027-07-21T09:00:00Z")
			in := mesiMail(clock, "x-"+strings.ReplaceAll(tc.name, " ", "-")+"@example.org", tc.from, reply, "RE: [LSCP-2026-001] Action plan evidence to sign off", tc.text)
			in.Auto = tc.auto
			deliver(t, tr, in)
			if keys, stage := signedOff(t, tr); keys != "" || stage != StageLCSPR {
				t.Errorf("signed off %q, stage %s; want nothing signed off", keys, stage)
			}
			if n := len(outboxEmails(t, tr, TmplActionSignOff)); n != 1 {
				t.Errorf("%d action_signoff emails, want only the request (no confirmation)", n)
			}
			told := len(outboxEmails(t, tr, TmplStaffAttention)) > staffBefore
			if tc.staffTold && !told {
				t.Errorf("staff were not told of the reply")
			}
			var recorded int
			if err := tr.DB().QueryRow(`SELECT count(*) FROM messages WHERE message_id = ?`, in.MessageID).Scan(&recorded); err != nil || recorded != 1 {
				t.Errorf("reply recorded %d times (%v)", recorded, err)
			}
		})
	}
}

// With the trusted server's DKIM pass, the subgroup's new email carrying the case's [REF]
// signs off the actions it names.
func TestMESIReplyBySubjectWithDKIM(t *testing.T) {
	tr, clock, _ := mesiCase(t)
	clock.Set("2027-07-21T09:00:00Z")
	in := mesiMail(clock, "dkim@lewisham.gov.uk", testMESI, "", "[LSCP-2026-001] action plan", "Signed off: A1")
	in.AuthResults = []string{"mx.lewisham.gov.uk; dkim=pass header.d=lewisham.gov.uk; dmarc=pass header.from=lewisham.gov.uk"}
	deliver(t, tr, in)
	if keys, _ := signedOff(t, tr); keys != "A1" {
		t.Errorf("signed off %q, want A1", keys)
	}
}

func TestReadSignOff(t *testing.T) {
	for _, tc := range []struct {
		text  string
		signs bool
		all   bool
		keys  string
	}{
		{"Signed off", true, false, ""},
		{"Signed off.\n\nKind regards,\nJo (not in on Fridays)", true, false, ""},
		{"Agreed", true, false, ""},
		{"Approved A1 A2", true, false, "A1,A2"},
		{"Signed off: all", true, true, ""},
		{"Thanks all, signed off", true, false, ""},
		{"We have signed off a3.", true, false, "A3"},
		// An intention to sign off is not a sign-off (reader12): a person reads it.
		{"We are happy to sign off a3.", false, false, ""},
		{"Happy to sign this off once the figures are sent.", false, false, ""},
		{"Approved in principle, subject to the audit report.", false, false, ""},
		{"We agreed to look at this evidence at our next subgroup meeting.", false, false, ""},
		// Sign-off words apply to the actions of their own sentence.
		{"Signed off A1. A2 to be discussed at the next subgroup meeting.", true, false, "A1"},
		{"A1 approved; A2 deferred to the March meeting.", true, false, "A1"},
		{"Signed off. A2 to be discussed.", false, false, ""},
		{"Signed off: all. A2 deferred.", false, false, ""},
		{"sign-off agreed for all actions", true, true, ""},
		{"not yet, A2 needs more", false, false, ""},
		{"Can you send the attendance list?", false, false, ""},
		{"We haven't seen the audit", false, false, ""},
		{"Received, thank you", false, false, ""},
		{"", false, false, ""},
	} {
		r := readSignOff(tc.text)
		if r.Signs != tc.signs || r.All != tc.all || strings.Join(r.Keys, ",") != tc.keys {
			t.Errorf("readSignOff(%q) = %+v, want signs %v all %v keys %q", tc.text, r, tc.signs, tc.all, tc.keys)
		}
	}
}
