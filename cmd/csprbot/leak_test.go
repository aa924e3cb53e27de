package main

// Nothing leaks (issue 5, guarantee 6): no child's or family member's name (nor the
// referrer's) in any subject or log line of the whole demo; the store and every file
// holding mail are readable by the owner only; mail to an address outside the
// configuration waits for a person; plain-text IMAP or SMTP to a non-loopback server is
// refused unless the configuration says allow_insecure.

import (
	"bytes"
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lewisham-lscp/csprbot/mailbox"
)

// demoNames are the people in the demo's forms (demodocs.go): the child, the referrer,
// the safeguarding lead the referrer consulted, the police officer who completed the return.
var demoNames = []string{"Ellie Testcase", "Ellie", "Testcase", "Sam Example", "Pat Placeholder", "Alex Sample"}

func namesIn(s string) []string {
	var found []string
	for _, n := range demoNames {
		if strings.Contains(s, n) {
			found = append(found, n)
		}
	}
	return found
}

func TestLeakDemoSubjectsAndLog(t *testing.T) {
	if testing.Short() {
		t.Skip("demo in -short")
	}
	dir := filepath.Join(t.TempDir(), "demo")
	var out, errb bytes.Buffer
	if code := Main(context.Background(), []string{"demo", "--out", dir}, &out, &errb); code != 0 {
		t.Fatalf("demo exit %d\n%s\n%s", code, out.String(), errb.String())
	}

	// The names are really in what csprbot handled: the scan below means something.
	db := openStore(t, filepath.Join(dir, "csprbot.db"))
	if n := queryInt(db, `SELECT count(*) FROM cases WHERE referral_json LIKE '%Ellie Testcase%'`); n != 1 {
		t.Fatalf("the demo's referral (with the child's name) is not in the store (%d cases): the scan would prove nothing", n)
	}

	// Every subject of every email sent.
	emls, err := filepath.Glob(filepath.Join(dir, "sent", "*.eml"))
	if err != nil || len(emls) < 8 {
		t.Fatalf("demo left %d .eml files (%v)", len(emls), err)
	}
	for _, p := range emls {
		raw, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		m, err := mailbox.Decode(raw, mailbox.Limits{})
		if err != nil || m == nil {
			t.Fatalf("%s: %v", p, err)
		}
		if m.Subject == "" {
			t.Errorf("%s: no subject", filepath.Base(p))
		}
		if found := namesIn(m.Subject); len(found) > 0 {
			t.Errorf("%s: subject %q names %v", filepath.Base(p), m.Subject, found)
		}
		for _, a := range m.Attachments {
			if found := namesIn(a.Name); len(found) > 0 {
				t.Errorf("%s: attachment file name %q names %v", filepath.Base(p), a.Name, found)
			}
		}
	}

	// Every log line: the demo's log file, or its stderr if it wrote none.
	logText := errb.String()
	if b, err := os.ReadFile(filepath.Join(dir, "csprbot.log")); err == nil {
		logText += string(b)
	}
	lines := 0
	for _, l := range strings.Split(logText, "\n") {
		if strings.TrimSpace(l) == "" {
			continue
		}
		lines++
		if found := namesIn(l); len(found) > 0 {
			t.Errorf("log line names %v: %s", found, l)
		}
	}
	if lines < 5 {
		t.Errorf("the demo logged %d lines: nothing to scan", lines)
	}
	// The timeline's subjects too (what a person sees on the console).
	for _, l := range strings.Split(out.String(), "\n") {
		if strings.HasPrefix(strings.TrimSpace(l), "OUT ") {
			if found := namesIn(l); len(found) > 0 {
				t.Errorf("timeline line names %v: %s", found, l)
			}
		}
	}

	// Files: the store, the log, every .eml (which carries the attachments) — owner only.
	err = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		if d.IsDir() {
			if perm := info.Mode().Perm(); perm&0o077 != 0 {
				t.Errorf("folder %s is mode %04o, want 0700", rel, perm)
			}
			return nil
		}
		if perm := info.Mode().Perm(); perm != 0o600 {
			t.Errorf("%s is mode %04o, want 0600 (readable by the owner only)", rel, perm)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"csprbot.db", "csprbot.log"} {
		if _, err := os.Stat(filepath.Join(dir, p)); err != nil {
			t.Errorf("demo made no %s: %v", p, err)
		}
	}
}

func TestLeakMailOutsideConfigurationIsHeld(t *testing.T) {
	e := newE2E(t)
	stranger := "someone@outside.example"
	e.deliver("2026-12-07T10:15:00Z", demoMail{from: stranger, subject: "Referral", body: "Referral attached.",
		attachName: "referral.docx", attach: demoReferral()})
	e.run(0, "run", "--once", "--now", "2026-12-07T10:16:00Z")
	e.run(0, "run", "--once", "--now", "2026-12-07T10:30:00Z")

	db := openStore(t, e.dbPath())
	var held, other int
	rows, err := db.Query(`SELECT status FROM outbox WHERE recipients LIKE ?`, "%"+stranger+"%")
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var s string
		rows.Scan(&s)
		if s == "held" {
			held++
		} else {
			other++
		}
	}
	rows.Close()
	if held == 0 || other != 0 {
		t.Errorf("emails to %s: %d held, %d otherwise; want the acknowledgement held and nothing else", stranger, held, other)
	}
	if n := e.sinkTo(stranger); n != 0 {
		t.Errorf("%d emails to %s reached the sink", n, stranger)
	}
	if n := queryInt(db, `SELECT count(*) FROM audit WHERE event = 'message_out_held' AND detail LIKE ?`, "%"+stranger+"%"); n == 0 {
		t.Errorf("the audit trail does not record the hold")
	}
	// A person is told, so the email waits for someone rather than for ever.
	var told bool
	for _, m := range e.sentTo("strategic.lead@lewisham.gov.uk") {
		if strings.Contains(m.Text, stranger) && strings.Contains(strings.ToLower(m.Text), "held") {
			told = true
		}
	}
	if !told {
		t.Errorf("staff were not told of the held email; staff got: %v", subjects(e.sentTo("strategic.lead@lewisham.gov.uk")))
	}
	// Everything else went: the staff notice of the new referral.
	if n := queryInt(db, `SELECT count(*) FROM outbox WHERE kind = 'staff_new_referral' AND status = 'sent'`); n != 1 {
		t.Errorf("staff_new_referral sent %d times, want 1", n)
	}
}

func TestLeakPlainTextToNonLoopbackRefused(t *testing.T) {
	dir := t.TempDir()
	base := strings.NewReplacer("IMAPADDR", "127.0.0.1:1", "SMTPADDR", "127.0.0.1:2").Replace(e2eConfig)
	for _, tc := range []struct {
		name, from, to, key string
		allow               bool
	}{
		{"imap", `address = "127.0.0.1:1"`, `address = "192.0.2.10:143"`, "imap.tls", false},
		{"smtp", `address = "127.0.0.1:2"`, `address = "192.0.2.10:25"`, "smtp.tls", false},
		{"imap allowed", `address = "127.0.0.1:1"`, "address = \"192.0.2.10:143\"\nallow_insecure = true", "", true},
		{"smtp allowed", `address = "127.0.0.1:2"`, "address = \"192.0.2.10:25\"\nallow_insecure = true", "", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			body := strings.Replace(base, tc.from, tc.to, 1)
			sub := filepath.Join(dir, strings.ReplaceAll(tc.name, " ", "_"))
			os.MkdirAll(sub, 0o700)
			p := filepath.Join(sub, "csprbot.toml")
			if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
				t.Fatal(err)
			}
			for _, args := range [][]string{{"init", "--config", p}, {"cases", "--config", p}, {"run", "--once", "--config", p}} {
				if tc.allow && args[0] == "run" {
					continue // it would try the (unreachable) server: refusal is what we test
				}
				ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
				var out, errb bytes.Buffer
				code := Main(ctx, args, &out, &errb)
				cancel()
				msg := strings.TrimSpace(errb.String())
				if tc.allow {
					if code != 0 {
						t.Errorf("%s with allow_insecure = true: exit %d, stderr %q; want 0", args[0], code, msg)
					}
					continue
				}
				if code != 2 || !strings.Contains(msg, tc.key) || strings.Contains(msg, "\n") {
					t.Errorf("%s: exit %d, stderr %q; want exit 2 and one line naming %s", args[0], code, msg, tc.key)
				}
			}
		})
	}
}
