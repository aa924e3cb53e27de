package main

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/lewisham-lscp/csprbot/mailbox"
	"github.com/lewisham-lscp/csprbot/tracker"
)

const (
	lcOfsted  = "SCR.SIN@ofsted.gov.uk"
	lcDfE     = "Mailbox.CPOD@education.gov.uk"
	lcRequest = "Local review request"
	lcNSPCC   = "information@nspcc.org.uk"
	lcMESI    = "mesi-subgroup@lewisham.gov.uk"
)

// TestLocalReviewCommands carries the Rapid Review case of rapidReviewChristmas on past
// its approval (recommendation b) with the commands of cli.md's "The local review and
// after": the lead reviewer named (held until approved, sent once to the Panel, Ofsted and
// the DfE), chronologies requested with their pre-filled templates, one returned by email,
// one sent back for more, one late and chased; cases --json carries each return's kind.
func TestLocalReviewCommands(t *testing.T) {
	e := newE2E(t)
	localReview(t, e, rrMailbox{name: "go-imap", deliver: e.deliver, seen: func() (int, int) {
		ms, err := e.imap.Messages("INBOX")
		if err != nil {
			t.Fatal(err)
		}
		seen := 0
		for _, m := range ms {
			if hasSeen(m.Flags) {
				seen++
			}
		}
		return seen, len(ms)
	}})
}

// TestLocalReviewCommandsDovecot plays the same case against Dovecot.
func TestLocalReviewCommandsDovecot(t *testing.T) {
	d := startDovecot(t)
	e := newE2E(t)
	e.rewriteConfig(func(s string) string { return strings.Replace(s, e.imap.Addr, d.addr, 1) })
	n := 0
	localReview(t, e, rrMailbox{
		name: "dovecot",
		deliver: func(at string, m demoMail) {
			t.Helper()
			n++
			tm := mustTime(t, at)
			d.deliver(t, m.raw(rrInbox, tm, n), tm, n)
		},
		seen: func() (int, int) { return d.seenCount(t) },
	})
}

func localReview(t *testing.T, e *e2e, mb rrMailbox) {
	rapidReviewChristmas(t, e, mb)
	sink := rrSink{e: e}
	step := func(now string) []*mailbox.Message {
		t.Helper()
		m := sink.mark()
		e.run(0, "run", "--once", "--now", now)
		return sink.since(m)
	}
	d := e.caseJSON(rrRef, "2027-01-12T09:00:00Z")
	if d.Stage != "lcspr" {
		t.Fatalf("stage %s, want lcspr", d.Stage)
	}
	if dl, ok := deadlineOf(d, "lcspr_publication"); !ok || dl.Due.UTC().Format("2006-01-02") != "2027-07-09" {
		t.Errorf("lcspr_publication = %+v (found %v), want 17:00 on Fri 9 July 2027 (six months from 11 January is Sun 11 July: the working day before)", dl, ok)
	}

	// The lead reviewer: nothing to a national body until approved.
	out := e.run(0, "case", rrRef, "reviewer", "Jo", "Reviewer", "--email", "jo.reviewer@example.org", "--now", "2027-01-12T10:00:00Z")
	if !strings.Contains(out, "waits for approval") {
		t.Errorf("reviewer output: %s", out)
	}
	step("2027-01-12T10:01:00Z")
	if n := len(e.sentTo(rrPanel)); n != 1 { // the Rapid Review submission only
		t.Fatalf("%d emails to the Panel before the reviewer notice was approved, want 1", n)
	}
	out = e.run(0, "case", rrRef, "approve", "reviewer", "--now", "2027-01-12T11:00:00Z")
	got := step("2027-01-12T11:01:00Z")
	notice := pick(got, "lead reviewer appointed", "")
	if len(notice) != 1 {
		t.Fatalf("reviewer notices sent: %d, want 1 (%s); sent:\n%s", len(notice), out, describe(got))
	}
	rc := recipients(notice)
	for _, a := range []string{rrPanel, lcOfsted, lcDfE} {
		if rc[strings.ToLower(a)] != 1 && rc[a] != 1 {
			t.Errorf("reviewer notice recipients %v lack %s", rc, a)
		}
	}
	var o2, e2 bytes.Buffer
	if code := Main(t.Context(), []string{"case", rrRef, "approve", "reviewer", "--now", "2027-01-12T11:05:00Z", "--config", e.cfg}, &o2, &e2); code != 2 {
		t.Errorf("second approve reviewer: exit %d, want 2; %s %s", code, o2.String(), e2.String())
	}

	// The Terms of Reference: its timetable becomes deadlines; chronologies (by Mon 25 Jan)
	// and agency reports (by Mon 8 Feb) are requested from the agencies it names.
	out = e.run(0, "case", rrRef, "tor", "testdata/lcspr/terms-of-reference.docx", "--now", "2027-01-13T09:00:00Z")
	for _, want := range []string{"Lead reviewer: Jo Reviewer", "Timetable: Practitioner learning event, Lead reviewer, by 17:00 Wed 10 Mar 2027 [learning_event]",
		"chronology requested from 3 agencies", "agency report requested from 3 agencies"} {
		if !strings.Contains(out, want) {
			t.Errorf("tor output lacks %q:\n%s", want, out)
		}
	}
	if again := e.run(0, "case", rrRef, "request", "chronology", "--agency", "Metropolitan Police Service", "--due", "2027-01-25", "--now", "2027-01-13T09:00:30Z"); !strings.Contains(again, "already asked: Metropolitan Police Service") {
		t.Errorf("a second request did not say the police were already asked: %s", again)
	}
	got = step("2027-01-13T09:01:00Z")
	reqs := pick(got, lcRequest, "")
	if len(reqs) != 6 {
		t.Errorf("requests sent: %d, want 6 (a chronology and an agency report from each of 3 agencies):\n%s", len(reqs), describe(got))
	}
	for _, r := range reqs {
		names := strings.Join(attachmentNames(r), ", ")
		if !strings.Contains(names, "Information-Sharing Chronology.docx") && !strings.Contains(names, "Agency Report.docx") {
			t.Errorf("request to %v carries %q, want the pre-filled chronology or agency report", r.To, names)
		}
	}
	var timetable []string
	for _, dl := range e.caseJSON(rrRef, "2027-01-13T09:02:00Z").Deadlines {
		if strings.HasPrefix(dl.Note, "timetable:") {
			timetable = append(timetable, dl.Rule+" "+dl.Agency+" "+dl.Due.UTC().Format("2006-01-02T15:04"))
		}
	}
	if want := "learning_event Practitioner learning event 2027-03-10T17:00"; len(timetable) != 5 || !slices.Contains(timetable, want) {
		t.Errorf("timetable deadlines = %q, want 5 with %q", timetable, want)
	}
	// The police reply with their chronology.
	var police *mailbox.Message
	for _, r := range reqs {
		if strings.EqualFold(r.To[0], rrPolice) && strings.Contains(strings.Join(attachmentNames(r), ""), "Chronology") {
			police = r
		}
	}
	mb.deliver("2027-01-20T11:00:00Z", demoMail{from: rrPolice, subject: "Re: " + police.Subject, inReplyTo: police.MessageID,
		body: "Our chronology is attached.", attachName: "met-chronology.docx", attach: mustRead(t, "testdata/lcspr/chronology-met.docx")})
	step("2027-01-20T11:05:00Z")
	rets := map[string]tracker.Return{}
	for _, r := range e.caseJSON(rrRef, "2027-01-20T11:06:00Z").Returns {
		if r.Kind == tracker.ReturnChronology {
			rets[r.Agency] = r
		}
	}
	if rets["Metropolitan Police Service"].Status != "received" {
		t.Errorf("police chronology: %+v, want received", rets["Metropolitan Police Service"])
	}
	// The panel sends it back for more.
	e.run(0, "case", rrRef, "more", "Metropolitan Police Service", "--due", "2027-02-01", "--what", "the custody record of 3 October is missing", "--now", "2027-01-21T09:00:00Z")
	got = step("2027-01-21T09:01:00Z")
	more := pick(got, lcRequest, rrPolice)
	if len(more) != 1 || !strings.Contains(more[0].Text, "custody record of 3 October") {
		t.Errorf("more information to the police: %s", describe(got))
	}
	// Children's Social Care is late: chased on Tue 26 Jan.
	got = step("2027-01-26T09:30:00Z")
	if c := pick(got, "Overdue", rrCSC); len(c) != 1 || !strings.Contains(c[0].Text, "Information-Sharing Chronology") {
		t.Errorf("chaser to Children's Social Care: %d, want 1; sent:\n%s", len(c), describe(got))
	}
	var cases []struct {
		Returns []struct {
			Agency, Kind, Status string
		} `json:"returns"`
	}
	if err := json.Unmarshal([]byte(e.run(0, "cases", "--json", "--now", "2027-01-26T10:00:00Z")), &cases); err != nil {
		t.Fatal(err)
	}
	kinds := map[string]int{}
	for _, r := range cases[0].Returns {
		kinds[r.Kind]++
	}
	if kinds["scoping"] != 5 || kinds["chronology"] != 3 || kinds["agency_report"] != 3 {
		t.Errorf("cases --json returns by kind = %v, want 5 scoping, 3 chronology, 3 agency_report", kinds)
	}
	// The practitioner learning event: invitations with a calendar request to the agencies
	// the ToR names and staff; answers by calendar reply and by "I would like to attend";
	// a reminder a week before to everyone who has not declined.
	out = e.run(0, "case", rrRef, "learning-event", "2027-03-10", "10:00", "--venue", "Laurence House, Catford", "--now", "2027-02-01T09:00:00Z")
	got = step("2027-02-01T09:01:00Z")
	invites := pick(got, "Practitioner learning event", "")
	exactlyOnceEach(t, "learning event invitations", invites, got, rrPolice, rrCSC, rrICB, rrLead)
	for _, m := range invites {
		if !strings.Contains(icsOf(m), "METHOD:REQUEST") {
			t.Errorf("invitation to %v has no calendar request", m.To)
		}
	}
	inviteTo := func(addr string) *mailbox.Message {
		for _, m := range invites {
			if strings.EqualFold(m.To[0], addr) {
				return m
			}
		}
		t.Fatalf("no invitation to %s", addr)
		return nil
	}
	mb.deliver("2027-02-02T10:00:00Z", demoMail{from: rrPolice, subject: "Accepted: " + inviteTo(rrPolice).Subject, inReplyTo: inviteTo(rrPolice).MessageID, body: "Accepted."})
	mb.deliver("2027-02-02T11:00:00Z", demoMail{from: rrCSC, subject: "Re: " + inviteTo(rrCSC).Subject, inReplyTo: inviteTo(rrCSC).MessageID, body: "I would like to attend, with two social workers."})
	mb.deliver("2027-02-02T12:00:00Z", demoMail{from: rrICB, subject: "Declined: " + inviteTo(rrICB).Subject, inReplyTo: inviteTo(rrICB).MessageID, body: "Declined."})
	got = step("2027-02-02T12:05:00Z")
	for _, m := range got {
		if !strings.Contains(m.Subject, "Overdue") && !strings.Contains(m.Subject, "Escalation") { // the chasing of the returns goes on
			t.Errorf("an answer to the learning event was answered: %v %q", m.To, m.Subject)
		}
	}
	d = e.caseJSON(rrRef, "2027-02-02T12:06:00Z")
	if d.LearningEvent == nil || d.LearningEvent.Coming != 2 || len(d.LearningEvent.Answers) != 3 {
		t.Errorf("learning event on the case: %+v", d.LearningEvent)
	}
	if out = e.run(0, "case", rrRef, "--now", "2027-02-02T12:07:00Z"); !strings.Contains(out, "2 coming, 3 answers") {
		t.Errorf("csprbot case does not list who is coming:\n%s", out)
	}
	if out = e.run(0, "digest", "--now", "2027-02-02T12:08:00Z"); !strings.Contains(out, "LSCP-2026-001: learning event 10:00 Wed 10 Mar 2027 at Laurence House, Catford (set): 2 coming") {
		t.Errorf("the digest does not list who is coming:\n%s", out)
	}
	// Status by email: the case's journey, in reply; the command line's twin says the same.
	mb.deliver("2027-02-03T09:00:00Z", demoMail{from: rrLead, subject: "Re: " + inviteTo(rrLead).Subject, inReplyTo: inviteTo(rrLead).MessageID, body: "Status"})
	got = step("2027-02-03T09:05:00Z")
	if r := pick(got, "", rrLead); len(r) != 1 || !strings.Contains(r[0].Text, "[done] Lead reviewer named to the National Panel, Ofsted and DfE") || !strings.Contains(r[0].Text, "[to come] Practitioner learning event") {
		t.Errorf("Status reply: %s", describe(got))
	}
	if out = e.run(0, "case", rrRef, "status", "--now", "2027-02-03T09:06:00Z"); !strings.Contains(out, "Learning event 10:00 Wed 10 Mar 2027 at Laurence House, Catford (set): 2 coming, 3 answers") {
		t.Errorf("case status:\n%s", out)
	}
	got = step("2027-03-03T09:30:00Z")
	exactlyOnceEach(t, "learning event reminders", pick(got, "Practitioner learning event", ""), got, rrPolice, rrCSC, rrLead)
	step("2027-03-10T15:00:00Z")
	for _, dl := range e.caseJSON(rrRef, "2027-03-10T15:01:00Z").Deadlines {
		if dl.Rule == "learning_event" && dl.Status != "met" {
			t.Errorf("learning_event %q: %s after the event", dl.Agency, dl.Status)
		}
	}

	// The family letter and leaflet: a document for the lead reviewer, never an email.
	letter := filepath.Join(t.TempDir(), "family.docx")
	before := len(e.sent())
	out = e.run(0, "case", rrRef, "family-letter", "--out", letter, "--now", "2027-03-11T09:00:00Z")
	if body := docxText(t, letter); !strings.Contains(body, "STRICTLY CONFIDENTIAL") || !strings.Contains(body, "Jo Reviewer") || strings.Contains(body, "Ellie") {
		t.Errorf("family letter (%s):\n%s", out, body)
	}
	if n := len(e.sent()); n != before {
		t.Errorf("the family letter sent %d emails", n-before)
	}

	// The final report, across the late-May bank holiday and after the clock change: a
	// publication on Wed 2 Jun leaves fewer than 7 working days from Mon 24 May (31 May is a
	// bank holiday), so it is refused with the earliest lawful date, Thu 3 Jun.
	report := filepath.Join(t.TempDir(), "final-report.docx")
	if err := os.WriteFile(report, []byte("PK final report"), 0o600); err != nil {
		t.Fatal(err)
	}
	var o3, e3 bytes.Buffer
	if code := Main(t.Context(), []string{"case", rrRef, "final-report", report, "--publish", "2027-06-02", "--now", "2027-05-24T09:00:00Z", "--config", e.cfg}, &o3, &e3); code != 2 ||
		!strings.Contains(e3.String(), "earliest lawful date is Thu 3 Jun 2027") {
		t.Errorf("final report for 2 Jun: exit %d, want 2 naming Thu 3 Jun 2027; stderr: %s", code, e3.String())
	}
	out = e.run(0, "case", rrRef, "final-report", report, "--publish", "2027-06-03", "--now", "2027-05-24T09:00:00Z")
	if !strings.Contains(out, "must go by 17:00 Mon 24 May 2027") {
		t.Errorf("final report output: %s", out)
	}
	got = step("2027-05-24T09:01:00Z")
	if len(pick(got, "", rrPanel)) != 0 || len(pick(got, "", lcOfsted)) != 0 {
		t.Errorf("the final report went before approval:\n%s", describe(got))
	}
	// The six-month clock: decided 11 Jan, six months is Sun 11 Jul, so due Fri 9 Jul; the
	// eight-week warning is due from 14 May and goes at this first run after it, once.
	warned := 0
	for _, m := range pick(got, "", rrLead) {
		if strings.Contains(m.Text, "must be published by Fri 9 Jul 2027 (six months from the decision); 8 weeks or less to go") {
			warned++
		}
	}
	if warned != 1 {
		t.Errorf("six-month warnings to staff: %d, want 1; sent:\n%s", warned, describe(got))
	}
	e.run(0, "case", rrRef, "approve", "final-report", "--now", "2027-05-24T10:00:00Z")
	got = step("2027-05-24T10:01:00Z")
	final := pick(got, ": final report, to be published", "")
	if len(final) != 1 || len(final[0].To) != 3 || !strings.Contains(strings.Join(attachmentNames(final[0]), ","), "final-report.docx") {
		t.Errorf("final report to the national bodies: %s", describe(got))
	}
	// Publication, and the NSPCC: held until approved, then sent once with the report.
	out = e.run(0, "case", rrRef, "published", "--date", "2027-06-03", "--url", "https://www.safeguardinglewisham.org.uk/cspr/et", "--now", "2027-06-03T12:00:00Z")
	got = step("2027-06-03T12:01:00Z")
	if len(pick(got, "", lcNSPCC)) != 0 {
		t.Errorf("the NSPCC was sent the report before approval (%s)", out)
	}
	e.run(0, "case", rrRef, "approve", "nspcc", "--now", "2027-06-03T13:00:00Z")
	got = step("2027-06-03T13:01:00Z")
	if n := pick(got, "", lcNSPCC); len(n) != 1 || !strings.Contains(n[0].Text, "https://www.safeguardinglewisham.org.uk/cspr/et") {
		t.Errorf("NSPCC submission: %s", describe(got))
	}
	d = e.caseJSON(rrRef, "2027-06-03T13:05:00Z")
	for _, rule := range []string{"lcspr_publication", "final_report", "nspcc_submission", "reviewer_notification"} {
		if dl, ok := deadlineOf(d, rule); !ok || dl.Status != "met" {
			t.Errorf("%s = %+v (%v), want met", rule, dl, ok)
		}
	}
	// The action plan: each action's owner is asked for evidence by its date; evidence goes
	// to the MESI subgroup; the case closes when every action is evidenced and signed off.
	e.rewriteConfig(func(s string) string {
		return strings.Replace(s, "[addresses]\n", "[addresses]\nmesi = \""+lcMESI+"\"\n", 1)
	})
	out = e.run(0, "case", rrRef, "action-plan", "testdata/lcspr/action-plan.docx", "--now", "2027-06-10T09:00:00Z")
	if !strings.Contains(out, "evidence asked for 2 actions") {
		t.Errorf("action-plan output: %s", out)
	}
	got = step("2027-06-10T09:01:00Z")
	asks := pick(got, lcRequest, "")
	exactlyOnceEach(t, "evidence requests", asks, got, rrPolice, rrCSC)
	var askPolice *mailbox.Message
	for _, m := range asks {
		if strings.EqualFold(m.To[0], rrPolice) {
			askPolice = m
		}
	}
	mb.deliver("2027-07-20T11:00:00Z", demoMail{from: rrPolice, subject: "Re: " + askPolice.Subject, inReplyTo: askPolice.MessageID,
		body: "Training delivered on 12 July; the attendance list is attached.", attachName: "attendance.docx", attach: []byte("PK attendance")})
	got = step("2027-07-20T11:05:00Z")
	if so := pick(got, "Action plan evidence to sign off", lcMESI); len(so) != 1 || !strings.Contains(strings.Join(attachmentNames(so[0]), ","), "attendance.docx") {
		t.Errorf("sign-off request to MESI: %s", describe(got))
	}
	out = e.run(0, "case", rrRef, "signed-off", "A1", "--now", "2027-07-21T09:00:00Z")
	if strings.Contains(out, "case closed") {
		t.Errorf("closed with an action still open: %s", out)
	}
	// Children's Social Care is late (due Fri 13 Aug): chased on Mon 16 Aug.
	got = step("2027-08-16T09:30:00Z")
	if c := pick(got, "Overdue", rrCSC); len(c) != 1 || !strings.Contains(c[0].Text, "A2: Audit") {
		t.Errorf("chaser for the action's evidence: %s", describe(got))
	}
	mb.deliver("2027-08-17T11:00:00Z", demoMail{from: rrCSC, subject: "Re: " + c0(pick(got, "Overdue", rrCSC)), inReplyTo: id0(pick(got, "Overdue", rrCSC)),
		body: "The audit report is attached.", attachName: "audit.docx", attach: []byte("PK audit")})
	step("2027-08-17T11:05:00Z")
	out = e.run(0, "case", rrRef, "signed-off", "all", "--now", "2027-08-18T09:00:00Z")
	if !strings.Contains(out, "case closed") {
		t.Errorf("signed-off all: %s", out)
	}
	if d = e.caseJSON(rrRef, "2027-08-18T09:01:00Z"); d.Stage != "closed" {
		t.Errorf("stage after every action was signed off: %s", d.Stage)
	}
	for _, m := range e.sent() {
		if strings.Contains(m.Subject, "Ellie") || strings.Contains(m.Subject, "Testcase") {
			t.Errorf("subject %q names the child", m.Subject)
		}
	}
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func c0(ms []*mailbox.Message) string {
	if len(ms) == 0 {
		return ""
	}
	return ms[0].Subject
}

func id0(ms []*mailbox.Message) string {
	if len(ms) == 0 {
		return ""
	}
	return ms[0].MessageID
}

// csprbot demo --lcspr plays the case on through the local review and leaves its emails.
func TestDemoLCSPR(t *testing.T) {
	out := filepath.Join(t.TempDir(), "demo")
	var o, e bytes.Buffer
	if code := Main(t.Context(), []string{"demo", "--lcspr", "--out", out}, &o, &e); code != 0 {
		t.Fatalf("demo --lcspr: exit %d: %s", code, e.String())
	}
	for _, want := range []string{"lead reviewer appointed", "Practitioner learning event", "earliest lawful date", "information@nspcc.org.uk",
		"Action plan evidence to sign off", "LSCP-2026-001 (initials ET), stage closed"} {
		if !strings.Contains(o.String(), want) {
			t.Errorf("demo --lcspr output lacks %q", want)
		}
	}
	_, local, ok := strings.Cut(o.String(), "--- The local review (LCSPR)")
	if !ok {
		t.Fatalf("demo --lcspr output has no local review:\n%s", o.String())
	}
	// The story: every agency's chronology and agency report, one chronology late after a
	// first chaser, the police's sent back for more and returned; nothing escalated.
	for _, bad := range []string{"Escalation", "second chaser", "not received before the final report"} {
		if strings.Contains(local, bad) {
			t.Errorf("the local review shows %q", bad)
		}
	}
	if n, want := strings.Count(local, "Overdue (first chaser)"), "OUT  to safeguarding.children@selondon-icb.example: [LSCP-2026-001] Overdue (first chaser) (child ET): reply by 5pm on Monday 25 January 2027"; n != 1 || !strings.Contains(local, want) {
		t.Errorf("the local review has %d first chasers, want one, to the ICB for its chronology", n)
	}
	for _, step := range []struct{ in, out string }{
		{"RE: [LSCP-2026-001] Local review request [met-chronology.docx]", "Thank you: received from Metropolitan Police Service"},
		{"Thu 21 Jan 09:00", "OUT  to safeguarding.lead@met.example: [LSCP-2026-001] Local review request (child ET): reply by 5pm on Monday 1 February 2027"},
		{"[csc-chronology.docx]", "Thank you: received from Lewisham Children's Social Care"},
		{"[icb-chronology.docx]", "Thank you: received from NHS South East London ICB"},
		{"[met-chronology-revised.docx]", "Thank you: received from Metropolitan Police Service"},
		{"[met-agency-report.docx]", "Thank you: received from Metropolitan Police Service"},
		{"[csc-agency-report.docx]", "Thank you: received from Lewisham Children's Social Care"},
		{"[icb-agency-report.docx]", "Thank you: received from NHS South East London ICB"},
	} {
		i := strings.Index(local, step.in)
		if i < 0 {
			t.Errorf("no %q in the local review", step.in)
			continue
		}
		block, _, _ := strings.Cut(local[i:], "\n\n")
		if !strings.Contains(block, step.out) {
			t.Errorf("after %q: no %q in\n%s", step.in, step.out, block)
		}
	}
	for _, want := range []string{
		"[LATE] Chronologies and agency reports returned (Chronologies returned): due Mon 25 Jan 2027, done Fri 29 Jan 2027",
		"[done] Chronologies and agency reports returned (Agency reports returned): due Mon 8 Feb 2027, done Mon 8 Feb 2027",
		"[done] Chronologies and agency reports returned (Metropolitan Police Service)",
		"[done] Chronologies and agency reports returned (Lewisham Children's Social Care)",
		"[done] Chronologies and agency reports returned (NHS South East London ICB)",
	} {
		if !strings.Contains(local, want) {
			t.Errorf("the journey lacks %q", want)
		}
	}
	// The MESI subgroup's own replies sign off both actions; the last closes the case.
	if n := strings.Count(local, "OUT  to mesi-subgroup@lewisham.gov.uk: [LSCP-2026-001] Action plan sign-off: your reply"); n != 2 {
		t.Errorf("%d answers to the MESI subgroup's sign-off, want 2", n)
	}
	last := local[strings.LastIndex(local, "Mon 16 Aug 09:00"):]
	if last, _, _ = strings.Cut(last, "\n\n"); !strings.Contains(last, "IN   from MESI Subgroup <mesi-subgroup@lewisham.gov.uk>") || strings.Contains(last, "Your commands") {
		t.Errorf("the last step is not the MESI subgroup's reply:\n%s", last)
	}
	if ems, _ := filepath.Glob(filepath.Join(out, "sent", "*.eml")); len(ems) < 100 {
		t.Errorf("demo --lcspr left %d .eml files", len(ems))
	}
}

// Recommendations a, c and d on the command line (issue 10.1): a waits for the National
// Panel's answer (national closes the case, as the Panel reviews it itself); c opens the
// lighter track, with requests but no notices to national bodies; d closes with the
// reason and the date.
func TestDecisionsOtherThanLocal(t *testing.T) {
	e := newE2E(t)
	for i, at := range []string{"2026-12-07T10:15:00Z", "2026-12-07T10:20:00Z", "2026-12-07T10:25:00Z"} {
		e.deliver(at, demoMail{from: "safeguarding@lgt-nhs.example", subject: fmt.Sprintf("Referral %d", i+1),
			body: "Referral attached.", attachName: "referral.docx", attach: demoReferral()})
	}
	e.run(0, "run", "--once", "--now", "2026-12-07T10:30:00Z")
	refA, refC, refD := "LSCP-2026-001", "LSCP-2026-002", "LSCP-2026-003"

	out := e.run(0, "case", refA, "decision", "national", "--date", "2026-12-18", "--now", "2026-12-18T12:00:00Z")
	if !strings.Contains(out, "waits for the National Panel's answer") || e.caseJSON(refA, "2026-12-18T12:01:00Z").Stage != "national_review" {
		t.Errorf("a: %s", out)
	}
	out = e.run(0, "case", refA, "decision", "national", "--date", "2027-01-08", "--now", "2027-01-11T09:00:00Z")
	if d := e.caseJSON(refA, "2027-01-11T09:01:00Z"); d.Stage != "closed" || !strings.Contains(out, "the National Panel will carry out a national review (2027-01-08)") {
		t.Errorf("a, the Panel's answer: stage %s: %s", d.Stage, out)
	}

	out = e.run(0, "case", refC, "decision", "alternative", "--now", "2026-12-18T12:00:00Z")
	if d := e.caseJSON(refC, "2026-12-18T12:01:00Z"); d.Stage != "alternative_review" {
		t.Errorf("c: stage %s: %s", d.Stage, out)
	}
	if out = e.run(0, "case", refC, "request", "chronology", "--agency", "Metropolitan Police Service", "--due", "2027-01-15", "--now", "2026-12-18T12:05:00Z"); !strings.Contains(out, "chronology requested from 1 agencies") {
		t.Errorf("c: request: %s", out)
	}
	var o, eb bytes.Buffer
	if code := Main(t.Context(), []string{"case", refC, "reviewer", "Jo", "Reviewer", "--now", "2026-12-18T12:06:00Z", "--config", e.cfg}, &o, &eb); code != 2 {
		t.Errorf("c: a lead reviewer notice on the lighter track: exit %d, want 2 (%s)", code, eb.String())
	}

	out = e.run(0, "case", refD, "decision", "none", "--date", "2026-12-18", "--now", "2026-12-18T12:00:00Z")
	if d := e.caseJSON(refD, "2026-12-18T12:01:00Z"); d.Stage != "closed" || !strings.Contains(out, "no further review decided (2026-12-18)") {
		t.Errorf("d: stage %s: %s", d.Stage, out)
	}
	e.run(0, "run", "--once", "--now", "2026-12-18T12:10:00Z")
	for _, a := range []string{rrPanel, lcOfsted, lcDfE, lcNSPCC} {
		if n := len(e.sentTo(a)); n != 0 {
			t.Errorf("%d emails to %s", n, a)
		}
	}
}

// docxText is the text of a .docx's document part, tags and all.
func docxText(t *testing.T, path string) string {
	t.Helper()
	zr, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	for _, f := range zr.File {
		if f.Name == "word/document.xml" {
			rc, err := f.Open()
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(rc)
			rc.Close()
			return string(b)
		}
	}
	t.Fatalf("%s has no word/document.xml", path)
	return ""
}
