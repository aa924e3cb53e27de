package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/lewisham-lscp/csprbot/mailbox"
)

// oneSpace is s with every run of white space one space (a reply's lines may be folded).
func oneSpace(s string) string { return strings.Join(strings.Fields(s), " ") }

// A local review whose agencies never all sent their chronologies and reports, through the
// running daemon: a timetable step marked done on the command line (by email, a step no one
// wrote is refused with those waiting); the final report by
// staff email answers with what never came, by agency, and nothing is chased after it; a
// decision of no further review by email closes the case, and the case then waits for
// nothing, says of what was missed why it ended, and nothing is sent about it.
func TestFinalReportAndClosingSettleTheLocalReview(t *testing.T) {
	e := newE2E(t)
	sink := rrSink{e: e}
	step := func(now string) []*mailbox.Message {
		t.Helper()
		m := sink.mark()
		e.run(0, "run", "--once", "--now", now)
		return sink.since(m)
	}
	e.deliver("2026-12-07T10:15:00Z", demoMail{from: "safeguarding@lgt-nhs.example", subject: "Referral",
		body: "Referral attached.", attachName: "referral.docx", attach: demoReferral()})
	got := step("2026-12-07T10:30:00Z")
	staffMail := pick(got, "", rrLead)
	if len(staffMail) == 0 {
		t.Fatalf("no email to staff about the referral:\n%s", describe(got))
	}
	e.run(0, "case", rrRef, "decision", "local", "--date", "2026-12-18", "--now", "2026-12-18T12:00:00Z")
	e.run(0, "case", rrRef, "tor", "testdata/lcspr/terms-of-reference.docx", "--now", "2027-01-13T09:00:00Z")
	got = step("2027-01-13T09:01:00Z")
	var police *mailbox.Message
	for _, r := range pick(got, lcRequest, rrPolice) {
		if strings.Contains(strings.Join(attachmentNames(r), ""), "Chronology") {
			police = r
		}
	}
	if police == nil {
		t.Fatalf("no chronology request to the police:\n%s", describe(got))
	}
	e.deliver("2027-01-20T11:00:00Z", demoMail{from: rrPolice, subject: "Re: " + police.Subject, inReplyTo: police.MessageID,
		body: "Our chronology is attached.", attachName: "met-chronology.docx", attach: mustRead(t, "testdata/lcspr/chronology-met.docx")})
	step("2027-01-20T11:05:00Z")
	for _, now := range []string{"2027-01-26T09:30:00Z", "2027-02-01T09:30:00Z", "2027-02-09T09:30:00Z", "2027-02-10T09:30:00Z", "2027-02-16T09:30:00Z", "2027-02-17T09:30:00Z"} {
		step(now)
	}
	if n := len(pick(e.sent(), "Escalation", "")); n == 0 {
		t.Fatal("nothing was escalated before the final report: the test proves nothing")
	}

	// Done on the command line: a step by the start of its name; an unknown one is refused
	// with the steps waiting.
	out := e.run(0, "case", rrRef, "done", "first", "draft", "--date", "2027-04-12", "--now", "2027-04-13T09:00:00Z")
	if !strings.Contains(out, "First draft report done on Mon 12 Apr 2027 (due Wed 14 Apr 2027)") {
		t.Errorf("case done: %s", out)
	}
	var o, eb bytes.Buffer
	if code := Main(t.Context(), []string{"case", rrRef, "done", "panel", "--now", "2027-04-13T09:01:00Z", "--config", e.cfg}, &o, &eb); code != 2 ||
		!strings.Contains(eb.String(), "Waiting: ") || !strings.Contains(eb.String(), "Final report to the Partnership (due Wed 19 May 2027)") {
		t.Errorf("case done panel: exit %d, want 2 with the steps waiting; stderr: %s", code, eb.String())
	}

	// By email too: a step no one wrote is refused, with the steps waiting.
	e.deliver("2027-04-13T10:00:00Z", demoMail{from: rrLead, subject: "Re: " + staffMail[0].Subject, inReplyTo: staffMail[0].MessageID, body: "Done: panel meeting"})
	got = step("2027-04-13T10:05:00Z")
	if r := pick(got, "Your commands", rrLead); len(r) != 1 || !strings.Contains(oneSpace(r[0].Text), `"Done: panel meeting" refused: no step "panel meeting" is waiting on LSCP-2026-001. Waiting: Chronologies returned (due Mon 25 Jan 2027);`) ||
		!strings.Contains(oneSpace(r[0].Text), "Final report to the Partnership (due Wed 19 May 2027)") {
		t.Errorf("Done: panel meeting by email:\n%s", describe(got))
		for _, m := range r {
			t.Log(m.Text)
		}
	}

	// The final report by staff email, in reply to csprbot's email to staff.
	e.deliver("2027-05-10T09:30:00Z", demoMail{from: rrLead, subject: "Re: " + staffMail[0].Subject, inReplyTo: staffMail[0].MessageID,
		body: "Final report: publish 2027-06-03", attachName: "final-report.docx", attach: []byte("PK final report")})
	got = step("2027-05-10T09:31:00Z")
	reply := pick(got, "Your commands", rrLead)
	if len(reply) != 1 {
		t.Fatalf("answers to the final report: %d, want 1:\n%s", len(reply), describe(got))
	}
	for _, want := range []string{"final report recorded; publication on Thu 3 Jun 2027",
		"Timetable steps taken as done with it: Final report to the Partnership",
		"Never received, and no longer chased: Lewisham Children's Social Care: chronology, agency report; NHS South East London ICB: chronology, agency report; Metropolitan Police Service: agency report"} {
		if !strings.Contains(oneSpace(reply[0].Text), want) {
			t.Errorf("the answer lacks %q:\n%s", want, reply[0].Text)
		}
	}
	mark := sink.mark()
	for _, now := range []string{"2027-05-11T09:30:00Z", "2027-05-12T09:30:00Z", "2027-05-17T09:30:00Z", "2027-05-24T09:30:00Z", "2027-06-01T09:30:00Z"} {
		step(now)
	}
	for _, m := range sink.since(mark) {
		if !strings.Contains(m.Subject, "digest") && !strings.Contains(m.Subject, "Needs attention") {
			t.Errorf("after the final report, to %v: %q", m.To, m.Subject)
		}
	}
	d := e.caseJSON(rrRef, "2027-06-01T10:00:00Z")
	for _, r := range d.Returns {
		if r.Kind != "scoping" && r.Status != "received" && (r.Status != "waived" || r.Note != "not received before the final report (Mon 10 May 2027)") {
			t.Errorf("%s %s after the final report: %s %q", r.Agency, r.Kind, r.Status, r.Note)
		}
	}

	// No further review, by email: the case closes and waits for nothing more.
	e.deliver("2027-06-02T10:00:00Z", demoMail{from: rrLead, subject: "Re: " + reply[0].Subject, inReplyTo: reply[0].MessageID, body: "Decision: none"})
	got = step("2027-06-02T10:05:00Z")
	if r := pick(got, "Your commands", rrLead); len(r) != 1 || !strings.Contains(oneSpace(r[0].Text), "case closed: no further review decided") {
		t.Fatalf("Decision: none:\n%s", describe(got))
	}
	d = e.caseJSON(rrRef, "2027-06-02T10:06:00Z")
	if d.Stage != "closed" {
		t.Fatalf("stage %s after Decision: none", d.Stage)
	}
	// Nothing pending; what was missed says why it ended (done late, or settled when the
	// final report came or the case closed).
	settled := func(note string) bool {
		for _, why := range []string{"late", "case closed: no further review decided", "not received before the final report (Mon 10 May 2027)"} {
			if strings.Contains(note, why) {
				return true
			}
		}
		return false
	}
	for _, dl := range d.Deadlines {
		if dl.Status == "pending" || dl.Status == "missed" && !settled(dl.Note) {
			t.Errorf("after closing, %s %q: %s %q", dl.Rule, dl.Agency, dl.Status, dl.Note)
		}
	}
	for _, r := range d.Returns {
		if r.Status == "awaiting" || r.Status == "overdue" || r.Status == "escalated" {
			t.Errorf("after closing, %s's %s is %s", r.Agency, r.Kind, r.Status)
		}
	}
	status := e.run(0, "case", rrRef, "status", "--now", "2027-06-02T10:07:00Z")
	if strings.Contains(status, "[to come]") || strings.Contains(status, "documents asked of agencies are overdue") {
		t.Errorf("the closed case's journey:\n%s", status)
	}
	for _, l := range strings.Split(status, "\n") {
		if strings.Contains(l, "[LATE]") && !settled(l) {
			t.Errorf("late on a closed case, with no word of why it ended: %s", l)
		}
	}
	mark = sink.mark()
	for _, now := range []string{"2027-06-03T09:30:00Z", "2027-06-08T09:30:00Z", "2027-07-05T09:30:00Z"} {
		step(now)
	}
	for _, m := range sink.since(mark) {
		if strings.Contains(m.Subject, rrRef) {
			t.Errorf("after closing, to %v: %q", m.To, m.Subject)
		}
	}
}
