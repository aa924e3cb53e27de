package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"mime"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/lewisham-lscp/csprbot/mailbox"
	"github.com/lewisham-lscp/csprbot/tracker"
)

// simClock is the demo's clock: it moves only when the demo moves it.
type simClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *simClock) Now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *simClock) Set(t time.Time) { c.mu.Lock(); c.t = t; c.mu.Unlock() }

const demoMarker = ".csprbot-demo"

// demoMail is an email the demo delivers into the partnership's inbox.
type demoMail struct {
	from, subject, inReplyTo, body string
	headers                        map[string]string
	attachName                     string
	attach                         []byte
}

func (m demoMail) raw(to string, at time.Time, n int) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "From: %s\r\nTo: %s\r\nSubject: %s\r\nDate: %s\r\nMessage-ID: <demo-%d.%d@example.org>\r\nMIME-Version: 1.0\r\n",
		m.from, to, mime.QEncoding.Encode("utf-8", m.subject), at.Format(time.RFC1123Z), n, at.Unix())
	if m.inReplyTo != "" {
		fmt.Fprintf(&b, "In-Reply-To: <%s>\r\nReferences: <%s>\r\n", m.inReplyTo, m.inReplyTo)
	}
	for k, v := range m.headers {
		fmt.Fprintf(&b, "%s: %s\r\n", k, v)
	}
	if m.attach == nil {
		fmt.Fprintf(&b, "Content-Type: text/plain; charset=utf-8\r\n\r\n%s\r\n", strings.ReplaceAll(m.body, "\n", "\r\n"))
		return b.Bytes()
	}
	fmt.Fprintf(&b, "Content-Type: multipart/mixed; boundary=\"demo-boundary\"\r\n\r\n--demo-boundary\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n%s\r\n", strings.ReplaceAll(m.body, "\n", "\r\n"))
	fmt.Fprintf(&b, "--demo-boundary\r\nContent-Type: application/vnd.openxmlformats-officedocument.wordprocessingml.document\r\nContent-Disposition: attachment; filename=\"%s\"\r\nContent-Transfer-Encoding: base64\r\n\r\n", m.attachName)
	enc := base64.StdEncoding.EncodeToString(m.attach)
	for len(enc) > 76 {
		b.WriteString(enc[:76] + "\r\n")
		enc = enc[76:]
	}
	b.WriteString(enc + "\r\n--demo-boundary--\r\n")
	return b.Bytes()
}

// cmdDemo plays a whole case through on the embedded default with a simulated clock.
func cmdDemo(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	f, err := parseFlags(args, []string{"lcspr"}, []string{"out"})
	if err != nil {
		return err
	}
	out := f.last("out")
	if out == "" {
		out = "csprbot-demo"
	}
	if _, err := os.Stat(out); err == nil {
		if _, err := os.Stat(filepath.Join(out, demoMarker)); err != nil {
			return usagef("demo: %s exists and is not a csprbot demo folder; choose another with --out", out)
		}
		if err := os.RemoveAll(out); err != nil {
			return err
		}
	}
	if err := os.MkdirAll(out, 0o700); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(out, demoMarker), []byte("made by csprbot demo\n"), 0o600); err != nil {
		return err
	}
	d, err := newDemo(ctx, out, stdout)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.play(ctx); err != nil || !f.bool("lcspr") {
		return err
	}
	return d.playLCSPR(ctx) // --lcspr: on through the local review (lcspr_demo.go)
}

type demo struct {
	out     string
	w       io.Writer
	clock   *simClock
	srv     *servers
	a       *app
	watcher *mailbox.Watcher
	sender  tracker.Sender
	seen    int // SMTP messages already shown
	n       int
	loc     *time.Location
	logf    *os.File
}

func newDemo(ctx context.Context, out string, w io.Writer) (*demo, error) {
	abs, _ := filepath.Abs(out)
	cfg, err := parseConfig(embeddedConfig, abs)
	if err != nil {
		return nil, err
	}
	cfg.IMAP.Address, cfg.SMTP.Address = "127.0.0.1:0", "127.0.0.1:0"
	srv, err := startServers(cfg, filepath.Join(out, "sent"))
	if err != nil {
		return nil, err
	}
	loc, _ := time.LoadLocation("Europe/London")
	clock := &simClock{}
	logf, err := os.OpenFile(filepath.Join(out, "csprbot.log"), os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
	if err != nil {
		srv.Close()
		return nil, err
	}
	a, err := openApp(ctx, cfg, true, clock.Now, newLogger(logf, "debug"))
	if err != nil {
		srv.Close()
		return nil, err
	}
	s, err := a.smtp()
	if err != nil {
		srv.Close()
		a.Close()
		return nil, err
	}
	d := &demo{out: out, w: w, clock: clock, srv: srv, a: a, sender: s, loc: loc, logf: logf}
	d.watcher = mailbox.NewWatcher(a.imapConfig(), a.store.Cursor, a.handle)
	return d, nil
}

func (d *demo) Close() { d.a.Close(); d.srv.Close(); d.logf.Close() }

func (d *demo) at(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, d.loc)
	if err != nil {
		panic(err)
	}
	return t
}

// step moves the clock, delivers any mail, runs one full cycle and prints what happened.
func (d *demo) step(ctx context.Context, when string, what string, mails ...demoMail) error {
	t := d.at(when)
	d.clock.Set(t)
	fmt.Fprintf(d.w, "\n%s  %s\n", t.Format("Mon 02 Jan 15:04"), what)
	for _, m := range mails {
		d.n++
		if err := d.srv.imap.Deliver("INBOX", m.raw(d.a.cfg.IMAP.Username, t, d.n), t); err != nil {
			return err
		}
		line := fmt.Sprintf("  IN   from %s: %s", m.from, m.subject)
		if m.attachName != "" {
			line += " [" + m.attachName + "]"
		}
		fmt.Fprintln(d.w, line)
	}
	if err := d.a.cycle(ctx, d.watcher, d.sender); err != nil {
		return err
	}
	d.showSent()
	return nil
}

func (d *demo) showSent() {
	msgs := d.srv.smtp.Messages()
	for _, m := range msgs[d.seen:] {
		fmt.Fprintf(d.w, "  OUT  to %s: %s\n", strings.Join(m.To, ", "), headerOf(m.Data, "Subject"))
		for _, p := range m.Problems {
			fmt.Fprintf(d.w, "  !!   the strict reader rejects it: %s\n", p)
		}
	}
	d.seen = len(msgs)
}

// headerOf reads one header of a raw message, decoded, for the timeline.
func headerOf(raw []byte, name string) string {
	m, err := mailbox.Decode(raw, mailbox.Limits{})
	if err != nil || m == nil {
		return ""
	}
	if name == "Subject" {
		return m.Subject
	}
	return ""
}

// idOf finds the Message-ID of the last email we sent to addr.
func (d *demo) idOf(addr string) string {
	msgs := d.srv.smtp.Messages()
	for i := len(msgs) - 1; i >= 0; i-- {
		for _, to := range msgs[i].To {
			if strings.EqualFold(to, addr) {
				return strings.Trim(msgs[i].MessageID, "<>")
			}
		}
	}
	return ""
}

func (d *demo) play(ctx context.Context) error {
	fmt.Fprintf(d.w, "csprbot demo: one referral played through the Rapid Review, from referral to the National Panel, on a simulated clock.\nIMAP %s, SMTP %s (in-process, loopback). Store %s\n",
		d.srv.imap.Addr, d.srv.smtp.Addr, d.a.cfg.Store.Path)
	if err := d.step(ctx, "2026-12-07 10:15", "A referral arrives from the hospital trust.",
		demoMail{from: "safeguarding@lgt-nhs.example", subject: "Referral for a Child Safeguarding Practice Review",
			body: "Please find attached a referral.\n\nNamed Doctor for Safeguarding", attachName: "referral.docx", attach: demoReferral()}); err != nil {
		return err
	}
	cs, err := d.a.store.Cases(ctx)
	if err != nil || len(cs) == 0 {
		return fmt.Errorf("demo: the referral did not open a case (%v)", err)
	}
	ref, initials := cs[0].Ref, cs[0].ChildInitials
	fmt.Fprintf(d.w, "  →    case %s opened (child's initials %s); deadlines set\n", ref, initials)

	staff := d.a.cfg.Staff[0].Email
	if err := d.step(ctx, "2026-12-07 11:02", "The Strategic Safeguarding Lead replies to the new-referral notice: \"Start scoping\".",
		demoMail{from: staff, subject: "Re: [" + ref + "] New referral", inReplyTo: d.idOf(staff), body: "Start scoping\n\nThanks"}); err != nil {
		return err
	}
	police, icb, csc := "safeguarding.lead@met.example", "safeguarding.children@selondon-icb.example", "csc.safeguarding@lewisham.gov.uk"
	if err := d.step(ctx, "2026-12-09 14:30", "The police return the scoping form; Children's Social Care's lead is away.",
		demoMail{from: police, subject: "RE: [" + ref + "] Scoping request", inReplyTo: d.idOf(police),
			body: "Completed form attached.", attachName: "scoping-return-met.docx", attach: demoScopingReturn(ref, initials)},
		demoMail{from: csc, subject: "Automatic reply: [" + ref + "] Scoping request", inReplyTo: d.idOf(csc),
			headers: map[string]string{"Auto-Submitted": "auto-replied", "X-MS-Exchange-Inbox-Rules-Loop": csc},
			body:    "I am out of the office until Monday 14 December 2026 with no access to email."}); err != nil {
		return err
	}
	if err := d.step(ctx, "2026-12-10 09:40", "The ICB replies that the child and family are not known to it.",
		demoMail{from: icb, subject: "RE: [" + ref + "] Scoping request", inReplyTo: d.idOf(icb),
			body: "Good morning,\n\nI can confirm that this child and family are not known to our service. Records checked 10/12/2026.\n\nKind regards"}); err != nil {
		return err
	}
	if err := d.step(ctx, "2026-12-14 09:00", "Monday 09:00: returns are due tomorrow; reminders go to those still awaited."); err != nil {
		return err
	}
	if err := d.step(ctx, "2026-12-14 10:30", "The lead sets the Rapid Review meeting by replying \"Meeting: 2026-12-17 10:00\".",
		demoMail{from: staff, subject: "Re: [" + ref + "] Your commands", inReplyTo: d.idOf(staff), body: "Meeting: 2026-12-17 10:00\n\nThanks"}); err != nil {
		return err
	}
	if err := d.step(ctx, "2026-12-16 09:00", "Wednesday 09:00: the return date has passed; chasers go to those still awaited, and the meeting papers go out."); err != nil {
		return err
	}
	lgt := "safeguarding@lgt-nhs.example"
	if err := d.step(ctx, "2026-12-16 11:20", "The hospital trust's return arrives late; it is forwarded to the meeting's invitees.",
		demoMail{from: lgt, subject: "RE: [" + ref + "] Overdue", inReplyTo: d.idOf(lgt),
			body: "Apologies for the delay; form attached.", attachName: "scoping-return-lgt.docx", attach: demoScopingReturn(ref, initials)}); err != nil {
		return err
	}
	if err := d.step(ctx, "2026-12-16 12:00", "The lead asks for the combined multi-agency chronology by replying \"Send chronology\".",
		demoMail{from: staff, subject: "Re: [" + ref + "] Rapid Review report draft", inReplyTo: d.idOf(staff), body: "Send chronology\n\nThanks"}); err != nil {
		return err
	}
	if err := d.step(ctx, "2026-12-17 15:00", "After the meeting the lead emails the Rapid Review report (Appendix 5).",
		demoMail{from: staff, subject: "Re: [" + ref + "] Rapid Review report", inReplyTo: d.idOf(staff),
			body: "Report attached.", attachName: "rapid-review-report.docx", attach: demoRapidReviewReport(ref, "17/12/2026")}); err != nil {
		return err
	}
	if err := d.step(ctx, "2026-12-18 09:30", "The lead approves the submission by replying \"Approve\"; it goes to the National Panel and everyone hears the outcome.",
		demoMail{from: staff, subject: "Re: [" + ref + "] Approval", inReplyTo: d.idOf(staff), body: "Approve"}); err != nil {
		return err
	}
	det, err := d.a.store.Case(ctx, ref)
	if err != nil {
		return err
	}
	fmt.Fprintf(d.w, "\nWhere %s stands now:\n", ref)
	for _, r := range det.Returns {
		note := ""
		if r.Note != "" {
			note = " — " + r.Note
		}
		fmt.Fprintf(d.w, "  %-48s %-10s chasers %d%s\n", r.Agency, r.Status, r.ChasersSent, note)
	}
	abs, _ := filepath.Abs(d.srv.emlDir)
	fmt.Fprintf(d.w, "\nEvery email csprbot sent is in %s as an .eml file (%d files).\n", abs, len(d.srv.smtp.Messages()))
	if bad := d.srv.smtp.Problems(); len(bad) > 0 {
		fmt.Fprintf(d.w, "The strict reader (the standard library's MIME reading) rejects %d things in them:\n  %s\n", len(bad), strings.Join(bad, "\n  "))
	} else {
		fmt.Fprintf(d.w, "The strict reader (the standard library's MIME reading) found no fault in any of them.\n")
	}
	if err := d.saveDrafts(); err != nil {
		return err
	}
	fmt.Fprintf(d.w, "The demo's store is %s and its log %s; the full case view follows.\n\n", d.a.cfg.Store.Path, d.logf.Name())
	printCase(d.w, det, d.loc)
	return nil
}
