package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"
	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// msTenant stands in for Microsoft 365: a token endpoint issuing app-only tokens for one
// client secret, and IMAP and SMTP servers that accept only XOAUTH2 with a token it issued.
type msTenant struct {
	token              *httptest.Server
	imapAddr, smtpAddr string

	mu        sync.Mutex
	issued    int
	valid     map[string]bool
	presented []string // bearer tokens presented, IMAP and SMTP
	delivered []string // RCPT TO of mail accepted
	user      *imapmemserver.User
}

const (
	msMailbox = "safeguardingpartnership@lewisham.gov.uk"
	msSecret  = "entra-secret-value~never.logged"
)

func startMSTenant(t *testing.T) *msTenant {
	t.Helper()
	m := &msTenant{valid: map[string]bool{}}
	m.token = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		m.mu.Lock()
		defer m.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Path != "/tenant/oauth2/v2.0/token" || r.PostForm.Get("client_secret") != msSecret || r.PostForm.Get("client_id") != "app-1" ||
			r.PostForm.Get("scope") != "https://outlook.office365.com/.default" {
			w.WriteHeader(401)
			fmt.Fprint(w, `{"error":"invalid_client","error_description":"AADSTS7000215: Invalid client secret provided."}`)
			return
		}
		m.issued++
		tok := fmt.Sprintf("ms-token-%d", m.issued)
		m.valid[tok] = true
		json.NewEncoder(w).Encode(map[string]any{"token_type": "Bearer", "expires_in": 3599, "access_token": tok})
	}))
	t.Cleanup(m.token.Close)

	mem := imapmemserver.New()
	m.user = imapmemserver.NewUser(msMailbox, "unused-password")
	m.user.Create("INBOX", nil)
	mem.AddUser(m.user)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	isrv := imapserver.New(&imapserver.Options{
		NewSession: func(*imapserver.Conn) (imapserver.Session, *imapserver.GreetingData, error) {
			return &msIMAPSession{Session: mem.NewSession(), m: m}, nil, nil
		},
		Caps: imap.CapSet{imap.CapIMAP4rev1: {}, imap.CapIdle: {}}, InsecureAuth: true, Logger: log.New(io.Discard, "", 0),
	})
	go isrv.Serve(ln)
	t.Cleanup(func() { isrv.Close() })
	m.imapAddr = ln.Addr().String()

	ssrv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &msSMTPSession{m: m}, nil }))
	ssrv.Domain, ssrv.AllowInsecureAuth, ssrv.ErrorLog = "127.0.0.1", true, log.New(io.Discard, "", 0)
	sln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go ssrv.Serve(sln)
	t.Cleanup(func() { ssrv.Close() })
	m.smtpAddr = sln.Addr().String()
	return m
}

// bearer checks an XOAUTH2 initial response: the mailbox, and a token the tenant issued.
func (m *msTenant) bearer(resp []byte) error {
	var user, tok string
	for _, kv := range strings.Split(string(resp), "\x01") {
		if v, ok := strings.CutPrefix(kv, "user="); ok {
			user = v
		}
		if v, ok := strings.CutPrefix(kv, "auth=Bearer "); ok {
			tok = v
		}
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.presented = append(m.presented, tok)
	if user != msMailbox || !m.valid[tok] {
		return errors.New("AUTHENTICATE failed")
	}
	return nil
}

type msSASL struct {
	check func([]byte) error
	done  bool
}

func (x *msSASL) Next(resp []byte) ([]byte, bool, error) {
	if resp == nil && !x.done {
		x.done = true
		return []byte{}, false, nil
	}
	return nil, true, x.check(resp)
}

type msIMAPSession struct {
	imapserver.Session
	m *msTenant
}

func (s *msIMAPSession) Login(string, string) error {
	return &imap.Error{Type: imap.StatusResponseTypeNo, Text: "basic authentication is disabled"}
}
func (s *msIMAPSession) AuthenticateMechanisms() []string { return []string{"XOAUTH2"} }
func (s *msIMAPSession) Authenticate(string) (sasl.Server, error) {
	return &msSASL{check: func(resp []byte) error {
		if err := s.m.bearer(resp); err != nil {
			return &imap.Error{Type: imap.StatusResponseTypeNo, Text: err.Error()}
		}
		return s.Session.Login(msMailbox, "unused-password")
	}}, nil
}

type msSMTPSession struct {
	m      *msTenant
	authed bool
}

func (s *msSMTPSession) AuthMechanisms() []string { return []string{"XOAUTH2"} }
func (s *msSMTPSession) Auth(string) (sasl.Server, error) {
	return &msSASL{check: func(resp []byte) error {
		if err := s.m.bearer(resp); err != nil {
			return smtp.ErrAuthFailed
		}
		s.authed = true
		return nil
	}}, nil
}
func (s *msSMTPSession) Reset()        {}
func (s *msSMTPSession) Logout() error { return nil }
func (s *msSMTPSession) Mail(string, *smtp.MailOptions) error {
	if !s.authed {
		return smtp.ErrAuthRequired
	}
	return nil
}
func (s *msSMTPSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.m.mu.Lock()
	s.m.delivered = append(s.m.delivered, to)
	s.m.mu.Unlock()
	return nil
}
func (s *msSMTPSession) Data(r io.Reader) error { _, err := io.Copy(io.Discard, r); return err }

type msLiteral struct {
	*bytes.Reader
	n int64
}

func (l msLiteral) Size() int64 { return l.n }

// The whole Microsoft 365 path from the configuration file: auth = "oauth2" with an
// [oauth2] section and a secret file, csprbot check, then the daemon reading a referral
// over IMAP and answering it over SMTP, each signed in with a bearer token from the
// token endpoint; and the secret in no output or log line.
func TestMicrosoft365SignInEndToEnd(t *testing.T) {
	m := startMSTenant(t)
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "client-secret"), []byte(msSecret+"\n"), 0o600)
	cfg := strings.NewReplacer("IMAPADDR", m.imapAddr, "SMTPADDR", m.smtpAddr).Replace(e2eConfig)
	cfg = strings.Replace(cfg, "password = \"secret\"\n", "auth = \"oauth2\"\n", 1)
	cfg = strings.Replace(cfg, "auth = \"none\"\n", "auth = \"oauth2\"\nusername = \""+msMailbox+"\"\n", 1)
	cfg += "\n[oauth2]\ntenant_id = \"tenant\"\nclient_id = \"app-1\"\nclient_secret_file = \"client-secret\"\ntoken_url = \"" + m.token.URL + "/tenant/oauth2/v2.0/token\"\n"
	path := filepath.Join(dir, "csprbot.toml")
	os.WriteFile(path, []byte(cfg), 0o600)

	var all strings.Builder
	run := func(want int, args ...string) string {
		code, out, errs := runMain(append(args, "--config", path)...)
		all.WriteString(out + errs)
		if code != want {
			t.Fatalf("csprbot %s = exit %d\n%s%s", strings.Join(args, " "), code, out, errs)
		}
		return out
	}
	run(0, "init")
	out := run(0, "check", "--send-test", "strategic.lead@lewisham.gov.uk")
	if !strings.Contains(out, "ok    oauth2") || !strings.Contains(out, "ok    imap") || !strings.Contains(out, "ok    smtp") {
		t.Errorf("check:\n%s", out)
	}

	at := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
	raw := demoMail{from: "safeguarding@lgt-nhs.example", subject: "Referral for a Child Safeguarding Practice Review",
		body: "Please find attached a referral.", attachName: "referral.docx", attach: referralFor("")}.raw(msMailbox, at, 1)
	if _, err := m.user.Append("INBOX", msLiteral{bytes.NewReader(raw), int64(len(raw))}, &imap.AppendOptions{Time: at}); err != nil {
		t.Fatal(err)
	}
	run(0, "run", "--once", "--now", "2026-12-07T10:05:00Z")
	if got := run(0, "cases", "--now", "2026-12-07T10:05:00Z"); !strings.Contains(got, "LSCP-2026-001") {
		t.Fatalf("no case from the referral read over XOAUTH2:\n%s", got)
	}
	m.mu.Lock()
	delivered, presented, issued := strings.Join(m.delivered, ","), m.presented, m.issued
	m.mu.Unlock()
	if !strings.Contains(delivered, "safeguarding@lgt-nhs.example") {
		t.Errorf("the acknowledgement was not sent over XOAUTH2: RCPT %s", delivered)
	}
	for _, p := range presented {
		if !strings.HasPrefix(p, "ms-token-") {
			t.Errorf("a login presented %q, not a token from the endpoint", p)
		}
	}
	if len(presented) < 4 || issued == 0 {
		t.Errorf("logins %d, tokens issued %d", len(presented), issued)
	}
	if s := all.String(); strings.Contains(s, msSecret) || strings.Contains(s, "ms-token-") {
		t.Errorf("a secret or token reached the output:\n%s", s)
	}
}
