package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"github.com/lewisham-lscp/csprbot/mailbox"
	"github.com/lewisham-lscp/csprbot/mailbox/devserver"
	"github.com/lewisham-lscp/csprbot/mailbox/mailtest"
	"github.com/lewisham-lscp/csprbot/tracker"
)

// e2e is the real daemon against in-process IMAP and SMTP servers on loopback.
type e2e struct {
	t      *testing.T
	dir    string
	cfg    string
	imap   *devserver.IMAP
	smtp   *devserver.SMTPSink
	n      int
	london *time.Location
}

func newE2E(t *testing.T) *e2e {
	t.Helper()
	dir := t.TempDir()
	im, err := devserver.StartIMAP("127.0.0.1:0", "safeguardingpartnership@lewisham.gov.uk", "secret")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { im.Close() })
	sm, err := devserver.StartSMTP("127.0.0.1:0", "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sm.Close() })
	mailtest.Strict(t, sm) // every email the daemon sends is read by the independent reader
	cfg := strings.NewReplacer("IMAPADDR", im.Addr, "SMTPADDR", sm.Addr).Replace(e2eConfig)
	path := filepath.Join(dir, "csprbot.toml")
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	loc, _ := time.LoadLocation("Europe/London")
	e := &e2e{t: t, dir: dir, cfg: path, imap: im, smtp: sm, london: loc}
	e.run(0, "init") // as an operator would before the first `run --config`
	return e
}

const e2eConfig = `
[imap]
address = "IMAPADDR"
username = "safeguardingpartnership@lewisham.gov.uk"
password = "secret"
tls = "none"

[smtp]
address = "SMTPADDR"
auth = "none"
tls = "none"
from = "safeguardingpartnership@lewisham.gov.uk"

[store]
path = "data/csprbot.db"

[addresses]
subgroup = "lfp-subgroup@lewisham.gov.uk"

[[staff]]
name = "Strategic Safeguarding Lead"
email = "strategic.lead@lewisham.gov.uk"

[[agency]]
name = "Lewisham Children's Social Care"
email = "csc.safeguarding@lewisham.gov.uk"
partner = "local_authority"

[[agency]]
name = "Metropolitan Police Service"
email = "safeguarding.lead@met.example"
partner = "police"

[[agency]]
name = "NHS South East London ICB"
email = "safeguarding.children@selondon-icb.example"
partner = "health"

[[agency]]
name = "Lewisham and Greenwich NHS Trust"
email = "safeguarding@lgt-nhs.example"

[[agency]]
name = "Lewisham Education Safeguarding"
email = "education.safeguarding@lewisham.gov.uk"
`

// run runs csprbot with args (and --config) and returns stdout; it fails the test on a
// non-zero exit unless want says otherwise.
func (e *e2e) run(want int, args ...string) string {
	e.t.Helper()
	var out, errb bytes.Buffer
	args = append(args, "--config", e.cfg)
	if code := Main(context.Background(), args, &out, &errb); code != want {
		e.t.Fatalf("csprbot %s = exit %d, want %d\nstdout: %s\nstderr: %s", strings.Join(args, " "), code, want, out.String(), errb.String())
	}
	return out.String()
}

func (e *e2e) deliver(at string, m demoMail) {
	e.t.Helper()
	e.n++
	t, err := time.Parse(time.RFC3339, at)
	if err != nil {
		e.t.Fatal(err)
	}
	if err := e.imap.Deliver("INBOX", m.raw("safeguardingpartnership@lewisham.gov.uk", t, e.n), t); err != nil {
		e.t.Fatal(err)
	}
}

// sent returns the messages the SMTP sink holds, decoded.
func (e *e2e) sent() []*mailbox.Message {
	var out []*mailbox.Message
	for _, r := range e.smtp.Messages() {
		m, err := mailbox.Decode(r.Data, mailbox.Limits{})
		if err != nil {
			e.t.Fatalf("decode sent mail: %v", err)
		}
		m.To = r.To
		out = append(out, m)
	}
	return out
}

// sentExcept is every message sent to anyone but addr.
func (e *e2e) sentExcept(addr string) []*mailbox.Message {
	var out []*mailbox.Message
	for _, m := range e.sent() {
		if len(m.To) != 1 || !strings.EqualFold(m.To[0], addr) {
			out = append(out, m)
		}
	}
	return out
}

func (e *e2e) sentTo(addr string) []*mailbox.Message {
	var out []*mailbox.Message
	for _, m := range e.sent() {
		for _, to := range m.To {
			if strings.EqualFold(to, addr) {
				out = append(out, m)
			}
		}
	}
	return out
}

func (e *e2e) caseJSON(ref, now string) tracker.CaseDetail {
	e.t.Helper()
	var d tracker.CaseDetail
	if err := json.Unmarshal([]byte(e.run(0, "case", ref, "--json", "--now", now)), &d); err != nil {
		e.t.Fatal(err)
	}
	return d
}

func TestEndToEndReferralScopingReturn(t *testing.T) {
	e := newE2E(t)
	e.deliver("2026-12-07T10:15:00Z", demoMail{from: "safeguarding@lgt-nhs.example", subject: "Referral",
		body: "Referral attached.", attachName: "referral.docx", attach: demoReferral()})
	e.run(0, "run", "--once", "--now", "2026-12-07T10:16:00Z")

	var cases []tracker.CaseSummary
	if err := json.Unmarshal([]byte(e.run(0, "cases", "--json", "--now", "2026-12-07T10:20:00Z")), &cases); err != nil {
		t.Fatal(err)
	}
	if len(cases) != 1 || cases[0].Ref != "LSCP-2026-001" || cases[0].ChildInitials != "ET" || cases[0].Stage != "referral" {
		t.Fatalf("cases = %+v", cases)
	}
	if !cases[0].ReferralReceived.Equal(time.Date(2026, 12, 7, 10, 15, 0, 0, time.UTC)) {
		t.Errorf("referral_received = %s, want the message's arrival", cases[0].ReferralReceived)
	}
	ack := e.sentTo("safeguarding@lgt-nhs.example")
	if len(ack) != 1 || !strings.Contains(ack[0].Subject, "LSCP-2026-001") {
		t.Fatalf("acknowledgement to the referrer: %d messages %v", len(ack), subjects(ack))
	}
	if got := ack[0].Header["Auto-Submitted"]; len(got) == 0 || got[0] != "auto-generated" {
		t.Errorf("Auto-Submitted = %v", got)
	}
	staff := e.sentTo("strategic.lead@lewisham.gov.uk")
	if len(staff) != 1 {
		t.Fatalf("staff notices = %d", len(staff))
	}
	for _, m := range e.sent() {
		if strings.Contains(m.Subject, "Ellie") || strings.Contains(m.Subject, "Testcase") {
			t.Errorf("subject %q names the child", m.Subject)
		}
	}
	// Running again sends nothing twice and opens no second case.
	e.run(0, "run", "--once", "--now", "2026-12-07T10:30:00Z")
	if n := len(e.sentExcept("lfp-subgroup@lewisham.gov.uk")); n != 2 {
		t.Errorf("after a second run the sink holds %d messages (besides the weekly digest), want 2", n)
	}

	// A crash between the commit and the \Seen flag, and a lost cursor (as after a
	// UIDVALIDITY change): the message is fetched again, and still makes one case and one
	// acknowledgement, and ends up \Seen.
	e.unsee(t)
	if _, err := e.db(t).Exec(`DELETE FROM cursors`); err != nil {
		t.Fatal(err)
	}
	e.run(0, "run", "--once", "--now", "2026-12-07T10:40:00Z")
	if n := len(e.sentExcept("lfp-subgroup@lewisham.gov.uk")); n != 2 {
		t.Errorf("after a refetch the sink holds %d messages (besides the weekly digest), want 2", n)
	}
	if strings.Count(e.run(0, "cases", "--now", "2026-12-07T10:41:00Z"), "LSCP-") != 1 {
		t.Errorf("a refetched referral opened a second case")
	}
	e.assertAllSeen(t)

	out := e.run(0, "case", "LSCP-2026-001", "scoping", "--now", "2026-12-07T11:00:00Z")
	if !strings.Contains(out, "Metropolitan Police Service") {
		t.Errorf("scoping output %q", out)
	}
	e.run(0, "run", "--once", "--now", "2026-12-07T11:01:00Z")
	police := e.sentTo("safeguarding.lead@met.example")
	if len(police) != 1 {
		t.Fatalf("scoping requests to the police = %d", len(police))
	}
	for _, addr := range []string{"csc.safeguarding@lewisham.gov.uk", "safeguarding.children@selondon-icb.example",
		"safeguarding@lgt-nhs.example", "education.safeguarding@lewisham.gov.uk"} {
		var reqs int
		for _, m := range e.sentTo(addr) {
			if strings.Contains(m.Subject, "scoping") {
				reqs++
			}
		}
		if reqs != 1 {
			t.Errorf("%s got %d scoping requests, want 1", addr, reqs)
		}
	}
	req := police[0]
	var docx bool
	for _, a := range req.Attachments {
		if strings.HasSuffix(a.Name, ".docx") && bytes.HasPrefix(a.Data, []byte("PK")) {
			docx = true
		}
	}
	if !docx {
		t.Errorf("scoping request has no .docx form: %v", req.Attachments)
	}
	if !strings.Contains(req.Text, "15 December 2026") {
		t.Errorf("scoping letter does not give the return date (Tue 15 Dec 2026):\n%s", req.Text)
	}
	if strings.Contains(req.Text, "Surrey") {
		t.Errorf("scoping letter says Surrey")
	}

	// The police reply to their request with the completed form.
	e.deliver("2026-12-09T14:30:00Z", demoMail{from: "safeguarding.lead@met.example", subject: "RE: " + req.Subject,
		inReplyTo: req.MessageID, body: "Attached.", attachName: "return.docx", attach: demoScopingReturn("LSCP-2026-001", "ET")})
	// Children's Social Care's out-of-office: not a return, not answered.
	cscReq := e.sentTo("csc.safeguarding@lewisham.gov.uk")
	e.deliver("2026-12-09T14:32:00Z", demoMail{from: "csc.safeguarding@lewisham.gov.uk", subject: "Automatic reply: " + req.Subject,
		inReplyTo: cscReq[len(cscReq)-1].MessageID, headers: map[string]string{"Auto-Submitted": "auto-replied"},
		body: "I am out of the office until Monday 14 December 2026."})
	e.run(0, "run", "--once", "--now", "2026-12-09T14:35:00Z")
	if n := len(e.sentTo("csc.safeguarding@lewisham.gov.uk")); n != len(cscReq) {
		t.Errorf("the out-of-office was answered: %d messages to CSC, was %d", n, len(cscReq))
	}
	e.assertAllSeen(t)
	d := e.caseJSON("LSCP-2026-001", "2026-12-09T15:00:00Z")
	got := map[string]string{}
	for _, r := range d.Returns {
		got[r.Agency] = r.Status
	}
	if got["Metropolitan Police Service"] != "received" || got["Lewisham Children's Social Care"] != "awaiting" {
		t.Errorf("returns = %v", got)
	}
	var in, outN int
	for _, m := range d.Messages {
		if m.Direction == "in" {
			in++
		} else {
			outN++
		}
	}
	if in != 3 || outN < 6 {
		t.Errorf("case messages: %d in, %d out", in, outN)
	}
}

func subjects(ms []*mailbox.Message) []string {
	var s []string
	for _, m := range ms {
		s = append(s, m.Subject)
	}
	return s
}

func TestConfigErrorsNameTheKey(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct{ name, body, want string }{
		{"unknown key", "[imap]\naddres = \"x:1\"\n", "imap.addres"},
		{"bad tls", strings.Replace(e2eConfig, `tls = "none"`, `tls = "maybe"`, 1), "imap.tls"},
		{"missing from", strings.Replace(e2eConfig, `from = "safeguardingpartnership@lewisham.gov.uk"`, "", 1), "smtp.from"},
		{"bad partner", e2eConfig + "\n[[agency]]\nname = \"X\"\nemail = \"x@x.example\"\npartner = \"fire\"\n", "partner"},
		{"syntax", "[imap\n", "line "},
	} {
		t.Run(tc.name, func(t *testing.T) {
			body := strings.NewReplacer("IMAPADDR", "127.0.0.1:1", "SMTPADDR", "127.0.0.1:2").Replace(tc.body)
			p := filepath.Join(dir, strings.ReplaceAll(tc.name, " ", "_")+".toml")
			os.WriteFile(p, []byte(body), 0o600)
			var out, errb bytes.Buffer
			code := Main(context.Background(), []string{"cases", "--config", p}, &out, &errb)
			if code != 2 || !strings.Contains(errb.String(), tc.want) || strings.Count(strings.TrimSpace(errb.String()), "\n") != 0 {
				t.Errorf("exit %d, stderr %q; want 2 and one line naming %q", code, errb.String(), tc.want)
			}
		})
	}
}

func TestDemo(t *testing.T) {
	if testing.Short() {
		t.Skip("demo in -short")
	}
	dir := filepath.Join(t.TempDir(), "demo")
	var out, errb bytes.Buffer
	if code := Main(context.Background(), []string{"demo", "--out", dir}, &out, &errb); code != 0 {
		t.Fatalf("demo exit %d\n%s\n%s", code, out.String(), errb.String())
	}
	s := out.String()
	for _, want := range []string{"LSCP-2026-001", "chaser", "received", "nil_return"} {
		if !strings.Contains(strings.ToLower(s), strings.ToLower(want)) {
			t.Errorf("demo timeline lacks %q:\n%s", want, s)
		}
	}
	emls, _ := filepath.Glob(filepath.Join(dir, "sent", "*.eml"))
	if len(emls) < 8 {
		t.Errorf("demo left %d .eml files", len(emls))
	}
	if strings.Contains(s, "strict reader rejects") || !strings.Contains(s, "found no fault") {
		t.Errorf("the demo's sink found fault with what csprbot sent:\n%s", s)
	}
	// Every email the demo sent, read again by the independent reader with go-ical.
	for _, f := range emls {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		mailtest.Assert(t, filepath.Base(f), raw)
	}
	for _, name := range []string{"Ellie", "Testcase", "Sam Example", "Placeholder"} {
		for _, line := range strings.Split(s, "\n") {
			if strings.Contains(line, "OUT ") && strings.Contains(line, name) {
				t.Errorf("a subject in the timeline names %q: %s", name, line)
			}
		}
	}
	fmt.Fprint(os.Stderr, "")
}

// db opens the daemon's store (for tests that reach behind the command line).
func (e *e2e) db(t *testing.T) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", tracker.DSN(filepath.Join(e.dir, "data", "csprbot.db")))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// unsee clears \Seen on every message in the inbox, as a crash between the commit and
// the mark would leave them.
func (e *e2e) unsee(t *testing.T) {
	t.Helper()
	c, err := imapclient.DialInsecure(e.imap.Addr, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Login("safeguardingpartnership@lewisham.gov.uk", "secret").Wait(); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Select("INBOX", nil).Wait(); err != nil {
		t.Fatal(err)
	}
	if err := c.Store(imap.SeqSetNum(1), &imap.StoreFlags{Op: imap.StoreFlagsDel, Silent: true, Flags: []imap.Flag{imap.FlagSeen}}, nil).Close(); err != nil {
		t.Fatal(err)
	}
	ms, _ := e.imap.Messages("INBOX")
	for _, m := range ms {
		if hasSeen(m.Flags) {
			t.Fatalf("message %d still \\Seen after unsee", m.UID)
		}
	}
}

func hasSeen(flags []string) bool {
	for _, f := range flags {
		if strings.EqualFold(f, `\Seen`) {
			return true
		}
	}
	return false
}

func (e *e2e) assertAllSeen(t *testing.T) {
	t.Helper()
	ms, err := e.imap.Messages("INBOX")
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range ms {
		if !hasSeen(m.Flags) {
			t.Errorf("message UID %d is not \\Seen after the run", m.UID)
		}
	}
}

// Mail to an address outside the configuration waits for a person, who sees it with
// `csprbot outbox` and sends it with `csprbot release`.
func TestHeldMailIsListedAndReleased(t *testing.T) {
	e := newE2E(t)
	e.deliver("2026-12-07T10:15:00Z", demoMail{from: "gp@surgery.example", subject: "Referral",
		body: "Referral attached.", attachName: "referral.docx", attach: demoReferral()})
	e.run(0, "run", "--once", "--now", "2026-12-07T10:16:00Z")
	if n := len(e.sentTo("gp@surgery.example")); n != 0 {
		t.Fatalf("%d emails went to an address outside the configuration", n)
	}
	var rows []struct {
		MessageID string `json:"message_id"`
		To        string `json:"to"`
		Status    string `json:"status"`
	}
	if err := json.Unmarshal([]byte(e.run(0, "outbox", "--json")), &rows); err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1 || rows[0].To != "gp@surgery.example" || rows[0].Status != "held" {
		t.Fatalf("outbox = %+v, want the acknowledgement held", rows)
	}
	e.run(2, "release", "no-such-id@lewisham.gov.uk")
	e.run(0, "release", rows[0].MessageID, "--as", "lscp.support@lewisham.gov.uk")
	e.run(0, "run", "--once", "--now", "2026-12-07T10:20:00Z")
	if n := len(e.sentTo("gp@surgery.example")); n != 1 {
		t.Errorf("after release %d emails reached the referrer, want 1", n)
	}
	e.run(2, "release", rows[0].MessageID) // sent now, not held
	if !strings.Contains(e.run(0, "case", "LSCP-2026-001"), "released by lscp.support@lewisham.gov.uk") {
		t.Errorf("the release is not in the case's audit trail")
	}
}
