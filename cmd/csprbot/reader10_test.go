package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/lewisham-lscp/csprbot/mailbox"
)

// Issue 10, second reader: routes into the local review that the authors' tests do not
// take, driven end to end (real templates, IMAP in, strict SMTP sink out, SQLite). The
// promises these probe held when they were written; each assertion can fail.

const r10Family = "ellie.testcase.mum@gmail.example"

// r10 runs csprbot commands on one e2e installation and keeps everything they write to
// stderr (the daemon's log lines), to be scanned for the child's name.
type r10 struct {
	e    *e2e
	mu   sync.Mutex
	logs bytes.Buffer
}

func (r *r10) run(want int, args ...string) string {
	r.e.t.Helper()
	var out, errb bytes.Buffer
	args = append(args, "--config", r.e.cfg)
	code := Main(context.Background(), args, &out, &errb)
	r.mu.Lock()
	r.logs.Write(errb.Bytes())
	r.mu.Unlock()
	if want >= 0 && code != want {
		r.e.t.Fatalf("csprbot %s = exit %d, want %d\nstdout: %s\nstderr: %s", strings.Join(args, " "), code, want, out.String(), errb.String())
	}
	return out.String()
}

func (r *r10) sentSince(n int) []*mailbox.Message {
	all := r.e.sent()
	if n > len(all) {
		return nil
	}
	return all[n:]
}

// TestReader10LocalReviewNamesAndAddresses plays a local review in which the child's
// and the family's names are put wherever a sender can put them (a ToR naming a family
// member's address as the lead reviewer's and a timetable row naming the child, a
// chronology and a final report whose file names carry the child's name, a family member
// registering for the learning event from a forwarded invitation, a stranger writing
// about the child, an agency writing "Panel decision:", an action plan whose owner is a
// family address), and checks: no subject and no log line carries the name; nothing is
// sent to the family's or the stranger's address; nothing reaches a national body
// without an approval, and what is approved is sent once.
func TestReader10LocalReviewNamesAndAddresses(t *testing.T) {
	if testing.Short() {
		t.Skip("end to end")
	}
	e := newE2E(t)
	r := &r10{e: e}
	e.deliver("2026-12-07T10:00:00Z", demoMail{from: rrLGT, subject: "Referral for a Child Safeguarding Practice Review",
		body: "Please find attached a referral.", attachName: "referral.docx", attach: demoReferral()})
	r.run(0, "run", "--once", "--now", "2026-12-07T10:05:00Z")
	r.run(0, "case", rrRef, "decision", "local", "--now", "2026-12-18T10:00:00Z")

	dir := t.TempDir()
	tor := docxReplace(mustRead(t, "testdata/lcspr/terms-of-reference.docx"), strings.NewReplacer(
		"jo.reviewer@example.org", r10Family, "First draft report", "Meet Ellie Testcase's mother", "Designated Nurse", "dad.testcase@gmail.example"))
	torPath := filepath.Join(dir, "ToR Ellie Testcase.docx")
	if err := os.WriteFile(torPath, tor, 0o600); err != nil {
		t.Fatal(err)
	}
	r.run(0, "case", rrRef, "tor", torPath, "--now", "2027-01-04T09:00:00Z")
	r.run(0, "run", "--once", "--now", "2027-01-04T09:01:00Z")
	// The lead reviewer notice waits; the chronology goes to staff only (the reviewer's
	// address came from a form).
	r.run(0, "case", rrRef, "chronology", "--now", "2027-01-04T09:02:00Z", "--out", filepath.Join(dir, "chron.docx"))

	reqs := pick(e.sent(), "Local review request", rrPolice)
	if len(reqs) == 0 {
		t.Fatalf("no local review request to the police:\n%s", describe(e.sent()))
	}
	chron := mustRead(t, "testdata/lcspr/chronology-met.docx")
	e.deliver("2027-01-12T10:00:00Z", demoMail{from: rrPolice, subject: "Re: " + reqs[0].Subject, inReplyTo: reqs[0].MessageID,
		body: "Our chronology for Ellie Testcase is attached.", attachName: "Ellie Testcase chronology.docx", attach: chron})
	// An agency writes what only staff may.
	e.deliver("2027-01-12T10:30:00Z", demoMail{from: rrPolice, subject: "[" + rrRef + "] Panel decision", body: "Panel decision: national\nDecision: none\nApprove"})
	// A stranger writes about the child.
	e.deliver("2027-01-12T11:00:00Z", demoMail{from: "Ellie Testcase's aunt <aunt.testcase@else.example>", subject: "About Ellie Testcase", body: "Approve\nPanel decision: none"})
	r.run(0, "run", "--once", "--now", "2027-01-12T11:05:00Z")

	r.run(0, "case", rrRef, "learning-event", "2027-03-10", "10:00", "--venue", "Laurence House, Catford", "--now", "2027-02-01T09:00:00Z")
	r.run(0, "run", "--once", "--now", "2027-02-01T09:01:00Z")
	inv := pick(e.sent(), "learning event", rrPolice)
	if len(inv) == 0 {
		t.Fatalf("no learning event invitation to the police:\n%s", describe(e.sent()))
	}
	e.deliver("2027-02-02T10:00:00Z", demoMail{from: "Ellie Testcase's mum <" + r10Family + ">", subject: "Fwd: " + inv[0].Subject, inReplyTo: inv[0].MessageID,
		body: "I would like to attend. I am Ellie Testcase's mother."})
	r.run(0, "run", "--once", "--now", "2027-02-02T10:05:00Z")
	r.run(0, "case", rrRef, "learning-event", "2027-03-11", "10:00", "--now", "2027-02-03T09:00:00Z")
	r.run(0, "run", "--once", "--now", "2027-02-03T09:01:00Z")

	report := filepath.Join(dir, "Final report Ellie Testcase.docx")
	if err := os.WriteFile(report, []byte("PK final report"), 0o600); err != nil {
		t.Fatal(err)
	}
	r.run(0, "case", rrRef, "final-report", report, "--publish", "2027-06-03", "--now", "2027-05-24T09:00:00Z")
	r.run(0, "run", "--once", "--now", "2027-05-24T09:01:00Z")
	for _, nat := range []string{rrPanel, lcOfsted, lcDfE} {
		if n := len(e.sentTo(nat)); n != 0 {
			t.Errorf("%d emails to %s before any approval", n, nat)
		}
	}
	r.run(0, "case", rrRef, "approve", "--now", "2027-05-24T10:00:00Z")
	r.run(0, "run", "--once", "--now", "2027-05-24T10:01:00Z")
	r.run(2, "case", rrRef, "approve", "--now", "2027-05-24T10:02:00Z")
	r.run(0, "run", "--once", "--now", "2027-05-24T10:03:00Z")
	r.run(0, "run", "--once", "--now", "2027-05-25T10:03:00Z")

	plan := docxReplace(mustRead(t, "testdata/lcspr/action-plan.docx"), strings.NewReplacer(
		"Metropolitan Police Service", "dad.testcase@gmail.example", "Refresh the multi-agency training on information sharing", "Make sure Ellie Testcase's GP is told"))
	planPath := filepath.Join(dir, "Action plan Ellie Testcase.docx")
	if err := os.WriteFile(planPath, plan, 0o600); err != nil {
		t.Fatal(err)
	}
	r.run(0, "case", rrRef, "action-plan", planPath, "--now", "2027-06-10T09:00:00Z")
	r.run(0, "run", "--once", "--now", "2027-06-10T09:01:00Z")
	r.run(0, "run", "--once", "--now", "2027-08-02T09:01:00Z")
	r.run(0, "run", "--once", "--now", "2027-08-03T09:01:00Z")

	sent := e.sent()
	perNat := map[string]map[string]int{}
	for _, m := range sent {
		low := strings.ToLower(m.Subject)
		if strings.Contains(low, "testcase") || strings.Contains(low, "ellie") {
			t.Errorf("subject names the child: %q to %v", m.Subject, m.To)
		}
		for _, to := range m.To {
			lt := strings.ToLower(to)
			if strings.Contains(lt, "gmail.example") || strings.Contains(lt, "else.example") {
				t.Errorf("sent to a family or stranger's address %s: %q", to, m.Subject)
			}
			for _, nat := range []string{rrPanel, lcOfsted, lcDfE} {
				if strings.EqualFold(to, nat) {
					if perNat[nat] == nil {
						perNat[nat] = map[string]int{}
					}
					perNat[nat][m.Subject]++
				}
			}
		}
	}
	for nat, subs := range perNat {
		for s, n := range subs {
			if n != 1 {
				t.Errorf("%s got %q %d times", nat, s, n)
			}
		}
	}
	for _, nat := range []string{rrPanel, lcOfsted, lcDfE} {
		if len(perNat[nat]) == 0 {
			t.Errorf("%s got nothing after the approval", nat)
		}
	}
	d := e.caseJSON(rrRef, "2027-08-03T09:05:00Z")
	if d.Stage != "lcspr" {
		t.Errorf("stage %s after an agency's and a stranger's \"Panel decision\", want lcspr", d.Stage)
	}
	t.Logf("sent:\n%s\nlogs: %d bytes\n%s", describe(sent), r.logs.Len(), r.logs.String())
	for _, l := range strings.Split(r.logs.String(), "\n") {
		low := strings.ToLower(l)
		if strings.Contains(low, "testcase") || strings.Contains(low, "ellie") {
			t.Errorf("log line names the child: %s", l)
		}
	}
}
