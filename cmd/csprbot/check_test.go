package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

func runMain(args ...string) (int, string, string) {
	var out, errb bytes.Buffer
	code := Main(context.Background(), args, &out, &errb)
	return code, out.String(), errb.String()
}

func TestCheckPasses(t *testing.T) {
	e := newE2E(t)
	code, out, errs := runMain("check", "--config", e.cfg, "--send-test", "strategic.lead@lewisham.gov.uk")
	if code != 0 {
		t.Fatalf("check = exit %d\n%s\n%s", code, out, errs)
	}
	for _, want := range []string{"ok    config", "ok    rules", "ok    templates", "ok    store", "ok    imap", "IDLE: yes", "mailbox INBOX found", "capabilities: ", "ok    smtp", "ok    send-test", "all checks passed"} {
		if !strings.Contains(out, want) {
			t.Errorf("check output lacks %q:\n%s", want, out)
		}
	}
	if got := len(e.sentTo("strategic.lead@lewisham.gov.uk")); got != 1 {
		t.Errorf("test emails at the sink = %d, want 1", got)
	}
	// Only to staff.
	code, out, _ = runMain("check", "--config", e.cfg, "--send-test", "someone@example.org")
	if code != 1 || !strings.Contains(out, "FAIL  send-test") {
		t.Errorf("--send-test to a non-staff address = exit %d:\n%s", code, out)
	}
}

// Every problem in the configuration at once, one line each; the mail servers are not
// tried with a configuration the daemon would refuse.
func TestCheckReportsEveryProblem(t *testing.T) {
	e := newE2E(t)
	e.rewriteConfig(func(c string) string {
		c = strings.Replace(c, `email = "strategic.lead@lewisham.gov.uk"`, `email = "strategic.lead"`, 1)
		c = strings.Replace(c, `email = "safeguarding.lead@met.example"`, `email = "met police"`, 1)
		c = withKeys(c, "imap", `pasword = "typo"`)
		c = withKeys(c, "rules.scoping_return", `from = "nowhere"`)
		c = withKeys(c, "templates", `dir = "no-such-folder"`)
		return withKeys(c, "smtp", `form = "typo"`)
	})
	code, out, _ := runMain("check", "--config", e.cfg)
	t.Log("\n" + out)
	if code != 1 {
		t.Errorf("check = exit %d, want 1", code)
	}
	for _, want := range []string{"unknown key imap.pasword", "unknown key smtp.form", `staff[0].email: "strategic.lead"`, `agency[1].email: "met police"`, "FAIL  rules", "FAIL  templates", "ok    store"} {
		if !strings.Contains(out, want) {
			t.Errorf("check output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "imap ") && strings.Contains(out, "ok    imap") {
		t.Errorf("check logged in with a configuration the daemon would refuse:\n%s", out)
	}
}

func TestCheckFailsOnLoginAndStore(t *testing.T) {
	e := newE2E(t)
	e.rewriteConfig(func(c string) string {
		c = strings.Replace(c, `password = "secret"`, `password = "wrong"`, 1)
		return strings.Replace(c, `path = "data/csprbot.db"`, `path = "elsewhere/csprbot.db"`, 1)
	})
	code, out, _ := runMain("check", "--config", e.cfg)
	if code != 1 || !strings.Contains(out, "FAIL  store") || !strings.Contains(out, "csprbot init") {
		t.Errorf("check with no store = exit %d:\n%s", code, out)
	}
	e.rewriteConfig(func(c string) string {
		return strings.Replace(c, `path = "elsewhere/csprbot.db"`, `path = "data/csprbot.db"`, 1)
	})
	code, out, _ = runMain("check", "--config", e.cfg)
	if code != 1 || !strings.Contains(out, "FAIL  imap") || !strings.Contains(out, "ok    smtp") {
		t.Errorf("check with a wrong IMAP password = exit %d, want 1 with imap failing and smtp fine:\n%s", code, out)
	}
}
