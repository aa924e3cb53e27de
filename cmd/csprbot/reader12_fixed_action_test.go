package main

import (
	"strings"
	"testing"

	"github.com/lewisham-lscp/csprbot/mailbox"
)

// Fixed (reader12): sign-off words apply only to the actions of their own sentence; A2,
// deferred, is not signed off and the case stays open.
//
// Through the real intake: both actions' evidence in, the MESI subgroup answers the
// request about A1 with "Signed off A1. A2 to be discussed at our next subgroup meeting."
// csprbot signs off A1 and A2 and closes the case, and tells the subgroup the case is
// closed. Promise: a case closes only when every action is evidenced and signed off.
func TestReader12MESIDeferringA2ClosesTheCaseEndToEnd(t *testing.T) {
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
	e.run(0, "case", rrRef, "action-plan", "testdata/lcspr/action-plan.docx", "--now", "2027-06-10T09:00:00Z")
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
	if len(ask) != 1 {
		t.Fatalf("sign-off request: %s", describe(got))
	}
	e.deliver("2027-07-20T12:00:00Z", demoMail{from: rrCSC, subject: "Re: " + askCSC.Subject, inReplyTo: askCSC.MessageID,
		body: "The audit report is attached.", attachName: "audit.docx", attach: []byte("PK audit")})
	step("2027-07-20T12:05:00Z")
	e.deliver("2027-07-21T09:00:00Z", demoMail{from: "MESI Subgroup <" + lcMESI + ">", subject: "RE: " + ask[0].Subject, inReplyTo: ask[0].MessageID,
		body: "Signed off A1. A2 to be discussed at our next subgroup meeting.\n\nMESI chair"})
	got = step("2027-07-21T09:05:00Z")
	if d := e.caseJSON(rrRef, "2027-07-21T09:06:00Z"); d.Stage == "closed" {
		t.Errorf("the case closed on a reply that defers A2; sent:\n%s", describe(got))
	}
}
