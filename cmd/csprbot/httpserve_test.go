package main

import (
	"encoding/json"
	"io"
	"net"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"
)

func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// /healthz and /metrics on the running daemon: the IMAP session, the outbox and the
// store, counts by category; and nothing in either names a child, a case or an address.
func TestHealthAndMetrics(t *testing.T) {
	e := newE2E(t)
	addr := freePort(t)
	e.rewriteConfig(func(c string) string { return c + "\n[http]\nlisten = \"" + addr + "\"\n" })
	d := startMain(t, "run", "--config", e.cfg, "--now", "2026-12-07T12:00:00Z")
	e.deliverRaw(demoMail{from: "safeguarding@lgt-nhs.example", subject: "Referral for a Child Safeguarding Practice Review",
		body: "Please find attached a referral.", attachName: "referral.docx", attach: referralFor("")}, time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC))
	db := openStore(t, e.dbPath())
	eventually(t, 20*time.Second, "the referral recorded and its mail sent", func() (bool, string) {
		return queryInt(db, `SELECT count(*) FROM cases`) == 1 && queryInt(db, `SELECT count(*) FROM outbox WHERE status = 'sent'`) > 0, d.log.String()
	})
	var h health
	eventually(t, 20*time.Second, "healthz ok with a successful poll", func() (bool, string) {
		code, body := get(t, "http://"+addr+"/healthz")
		h = health{}
		json.Unmarshal([]byte(body), &h)
		return code == 200 && h.Status == "ok" && h.IMAP.Connected && h.IMAP.LastPoll != nil, body
	})
	if !h.Store.Writable {
		t.Errorf("healthz: store not writable: %+v", h)
	}
	code, metrics := get(t, "http://"+addr+"/metrics")
	if code != 200 {
		t.Fatalf("/metrics = %d", code)
	}
	for _, want := range []string{`csprbot_messages_in_total{disposition="referral"} 1`, `csprbot_open_cases{stage=`, `csprbot_emails{status="sent"}`,
		"csprbot_overdue_returns 0", "csprbot_imap_connected 1", "csprbot_imap_reconnects_total", "csprbot_store_writable 1",
		"csprbot_oldest_unsent_email_age_seconds", "csprbot_parse_failures_total 0", "csprbot_healthy 1"} {
		if !strings.Contains(metrics, want) {
			t.Errorf("/metrics lacks %q:\n%s", want, metrics)
		}
	}
	_, hz := get(t, "http://"+addr+"/healthz")
	for name, body := range map[string]string{"/healthz": hz, "/metrics": metrics} {
		for _, bad := range []string{"Ellie", "Testcase", "EL", "LSCP-", "@", "lgt-nhs"} {
			if bad == "EL" {
				if regexp.MustCompile(`\bET\b|\bEL\b`).MatchString(body) {
					t.Errorf("%s carries initials", name)
				}
				continue
			}
			if strings.Contains(body, bad) {
				t.Errorf("%s carries %q:\n%s", name, bad, body)
			}
		}
	}
	if code, _ := get(t, "http://"+addr+"/"); code != 404 {
		t.Errorf("/ = %d, want 404", code)
	}
	d.stop(t)
	if _, err := http.Get("http://" + addr + "/healthz"); err == nil {
		t.Error("the listener is still up after the daemon stopped")
	}
}

func TestRedact(t *testing.T) {
	in := `mailbox: smtp: not sent: RCPT TO <safeguarding.lead@met.example>: 550 5.1.1 user "x.y@z.org" unknown`
	got := redact(in)
	if strings.Contains(got, "@") || !strings.Contains(got, "550 5.1.1") {
		t.Errorf("redact = %q", got)
	}
}
