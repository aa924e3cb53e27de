package main

import (
	"strings"
	"testing"

	"github.com/lewisham-lscp/csprbot/mailbox"
	"github.com/lewisham-lscp/csprbot/tracker"
)

// The MESI subgroup signs off an action's evidence by replying to csprbot's email, through
// the real intake (issue 10): "not yet" signs nothing off and staff hear of it; the same
// "Signed off" from another address signs nothing off; "Signed off" from the subgroup
// signs off the action the email asked about and is answered; "Approved A2" for the last
// action closes the case.
func TestMESIReplySignsOffEndToEnd(t *testing.T) {
	e := newE2E(t)
	e.rewriteConfig(func(s string) string {
		return strings.Replace(s, "[addresses]\n", "[addresses]\nmesi = \""+lcMESI+"\"\n", 1)
	})
	sink := rrSink{e: e}
	step := func(now string) []*mailbox.Message {
		t.Helper()
		m := sink.mark()
		e.run(0, "run", "--once", "--now", now)
		return sink.since(m)
	}
	e.deliver("2026-12-07T10:15:00Z", demoMail{from: "safeguarding@lgt-nhs.example", subject: "Referral", body: "Referral attached.", attachName: "referral.docx", attach: demoReferral()})
	step("2026-12-07T10:30:00Z")
	e.run(0, "case", rrRef, "decision", "local", "--now", "2026-12-18T12:00:00Z")
	if out := e.run(0, "case", rrRef, "action-plan", "testdata/lcspr/action-plan.docx", "--now", "2027-06-10T09:00:00Z"); !strings.Contains(out, "evidence asked for 2 actions") {
		t.Fatalf("action-plan: %s", out)
	}
	got := step("2027-06-10T09:01:00Z")
	var askPolice, askCSC *mailbox.Message
	for _, m := range pick(got, lcRequest, "") {
		switch strings.ToLower(m.To[0]) {
		case rrPolice:
			askPolice = m
		case rrCSC:
			askCSC = m
		}
	}
	if askPolice == nil || askCSC == nil {
		t.Fatalf("evidence requests: %s", describe(got))
	}
	e.deliver("2027-07-20T11:00:00Z", demoMail{from: rrPolice, subject: "Re: " + askPolice.Subject, inReplyTo: askPolice.MessageID,
		body: "Training delivered on 12 July; the attendance list is attached.", attachName: "attendance.docx", attach: []byte("PK attendance")})
	got = step("2027-07-20T11:05:00Z")
	ask := pick(got, "Action plan evidence to sign off", lcMESI)
	if len(ask) != 1 || !strings.Contains(ask[0].Text, `reply to this email saying "Signed off"`) {
		t.Fatalf("sign-off request to MESI: %s", describe(got))
	}
	signed := func(now string) map[string]string {
		t.Helper()
		out := map[string]string{}
		for _, r := range e.caseJSON(rrRef, now).Returns {
			if r.Kind == tracker.ReturnActionEvidence {
				k, _, _ := strings.Cut(r.Item, ":")
				out[k] = r.Note
			}
		}
		return out
	}

	// Not a sign-off: recorded, staff told, nothing signed off, nothing sent to the subgroup.
	e.deliver("2027-07-21T09:00:00Z", demoMail{from: "MESI Subgroup <" + lcMESI + ">", subject: "Re: " + ask[0].Subject, inReplyTo: ask[0].MessageID,
		body: "Not yet, the attendance list needs the dates.\n\nMESI chair"})
	got = step("2027-07-21T09:05:00Z")
	if n := signed("2027-07-21T09:06:00Z"); strings.HasPrefix(n["A1"], "signed off") {
		t.Errorf("\"not yet\" signed off A1: %q", n["A1"])
	}
	if told := pick(got, "", rrLead); len(told) != 1 || !strings.Contains(told[0].Text, "Not yet, the attendance list needs the dates") {
		t.Errorf("staff not shown the subgroup's reply: %s", describe(got))
	}
	if len(pick(got, "", lcMESI)) != 0 {
		t.Errorf("the subgroup was answered as if it had signed off: %s", describe(got))
	}
	// The same words from someone else sign nothing off.
	e.deliver("2027-07-21T10:00:00Z", demoMail{from: "someone.else@lewisham.gov.uk", subject: "Re: " + ask[0].Subject, inReplyTo: ask[0].MessageID, body: "Signed off"})
	step("2027-07-21T10:05:00Z")
	if n := signed("2027-07-21T10:06:00Z"); strings.HasPrefix(n["A1"], "signed off") {
		t.Errorf("\"Signed off\" from another address signed off A1: %q", n["A1"])
	}
	// An out-of-office reply from the subgroup is not a sign-off, and is not answered.
	e.deliver("2027-07-21T10:30:00Z", demoMail{from: lcMESI, subject: "Automatic reply: " + ask[0].Subject, inReplyTo: ask[0].MessageID,
		headers: map[string]string{"Auto-Submitted": "auto-replied"}, body: "I am out of the office. Approved items will be signed off on my return."})
	got = step("2027-07-21T10:35:00Z")
	if n := signed("2027-07-21T10:36:00Z"); strings.HasPrefix(n["A1"], "signed off") || len(pick(got, "", lcMESI)) != 0 {
		t.Errorf("an out-of-office reply signed off A1 (%q) or was answered: %s", n["A1"], describe(got))
	}
	// The subgroup signs off: the action the email asked about.
	e.deliver("2027-07-22T09:00:00Z", demoMail{from: "MESI Subgroup <" + lcMESI + ">", subject: "RE: " + ask[0].Subject, inReplyTo: ask[0].MessageID,
		body: "Signed off.\n\nKind regards,\nMESI chair"})
	got = step("2027-07-22T09:05:00Z")
	if n := signed("2027-07-22T09:06:00Z"); !strings.HasPrefix(n["A1"], "signed off by "+lcMESI) || strings.HasPrefix(n["A2"], "signed off") {
		t.Errorf("after Signed off: %v, want A1 signed off by the subgroup, A2 not", n)
	}
	if ok := pick(got, "Action plan sign-off", lcMESI); len(ok) != 1 || !strings.Contains(ok[0].Text, "signed off: A1") || ok[0].InReplyTo == "" {
		t.Errorf("confirmation to the subgroup: %s", describe(got))
	}
	// A2: the evidence, then "Approved A2" closes the case.
	e.deliver("2027-08-10T11:00:00Z", demoMail{from: rrCSC, subject: "Re: " + askCSC.Subject, inReplyTo: askCSC.MessageID,
		body: "The audit report is attached.", attachName: "audit.docx", attach: []byte("PK audit")})
	got = step("2027-08-10T11:05:00Z")
	ask2 := pick(got, "Action plan evidence to sign off", lcMESI)
	if len(ask2) != 1 {
		t.Fatalf("second sign-off request: %s", describe(got))
	}
	e.deliver("2027-08-11T09:00:00Z", demoMail{from: lcMESI, subject: "RE: " + ask2[0].Subject, inReplyTo: ask2[0].MessageID, body: "Approved A2"})
	got = step("2027-08-11T09:05:00Z")
	if d := e.caseJSON(rrRef, "2027-08-11T09:06:00Z"); d.Stage != "closed" {
		t.Errorf("stage after every action was signed off by the subgroup: %s", d.Stage)
	}
	if ok := pick(got, "Action plan sign-off", lcMESI); len(ok) != 1 || !strings.Contains(ok[0].Text, "the case is closed") {
		t.Errorf("closing confirmation to the subgroup: %s", describe(got))
	}
}
