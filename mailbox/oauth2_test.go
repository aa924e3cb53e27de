package mailbox

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"log"
	"log/slog"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
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

// tokenEndpoint is a local stand-in for Entra ID's v2.0 token endpoint: it checks the
// client-credentials request and issues numbered tokens; valid says which ones the mail
// servers accept (a revoked token is simply removed).
type tokenEndpoint struct {
	srv *httptest.Server

	mu      sync.Mutex
	issued  int
	valid   map[string]bool
	scopes  []string
	refuse  bool
	expires int // expires_in of the next token, seconds
	// cert, when set, is the certificate the app registration holds: a request must carry
	// a client assertion it verifies instead of the secret.
	cert *x509.Certificate
}

const (
	testClientID     = "11111111-2222-3333-4444-555555555555"
	testClientSecret = "s3cret~value.never-logged"
)

func startTokenEndpoint(t *testing.T) *tokenEndpoint {
	t.Helper()
	te := &tokenEndpoint{valid: map[string]bool{}, expires: 3600}
	te.srv = httptest.NewServer(http.HandlerFunc(te.serve))
	t.Cleanup(te.srv.Close)
	return te
}

func (te *tokenEndpoint) url() string { return te.srv.URL + "/tenant-x/oauth2/v2.0/token" }

func (te *tokenEndpoint) serve(w http.ResponseWriter, r *http.Request) {
	te.mu.Lock()
	defer te.mu.Unlock()
	if r.Method != http.MethodPost || r.URL.Path != "/tenant-x/oauth2/v2.0/token" {
		http.NotFound(w, r)
		return
	}
	if err := r.ParseForm(); err != nil {
		http.Error(w, err.Error(), 400)
		return
	}
	te.scopes = append(te.scopes, r.PostForm.Get("scope"))
	w.Header().Set("Content-Type", "application/json")
	authed := r.PostForm.Get("client_secret") == testClientSecret
	if te.cert != nil {
		authed = r.PostForm.Get("client_secret") == "" && r.PostForm.Get("client_assertion_type") == jwtBearer &&
			te.verifyAssertion(r.PostForm.Get("client_assertion")) == nil
	}
	if te.refuse || r.PostForm.Get("grant_type") != "client_credentials" || r.PostForm.Get("client_id") != testClientID || !authed {
		w.WriteHeader(401)
		fmt.Fprint(w, `{"error":"invalid_client","error_description":"AADSTS7000215: Invalid client secret provided.\r\nTrace ID: x","echo":"`+r.PostForm.Get("client_secret")+`"}`)
		return
	}
	te.issued++
	tok := fmt.Sprintf("tok-%d", te.issued)
	te.valid[tok] = true
	json.NewEncoder(w).Encode(map[string]any{"token_type": "Bearer", "expires_in": te.expires, "access_token": tok})
}

// verifyAssertion checks an RFC 7523 client assertion as Entra ID does: RS256 by the
// registered certificate, named by its thumbprint, for this endpoint, from the client,
// current.
func (te *tokenEndpoint) verifyAssertion(jwt string) error {
	parts := strings.Split(jwt, ".")
	if len(parts) != 3 {
		return errors.New("not a JWT")
	}
	enc := base64.RawURLEncoding
	hb, _ := enc.DecodeString(parts[0])
	cb, _ := enc.DecodeString(parts[1])
	sig, _ := enc.DecodeString(parts[2])
	var head map[string]string
	var claims map[string]any
	if json.Unmarshal(hb, &head) != nil || json.Unmarshal(cb, &claims) != nil {
		return errors.New("bad JWT")
	}
	thumb := sha1.Sum(te.cert.Raw)
	if head["alg"] != "RS256" || head["x5t"] != enc.EncodeToString(thumb[:]) {
		return errors.New("wrong algorithm or certificate")
	}
	sum := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	if err := rsa.VerifyPKCS1v15(te.cert.PublicKey.(*rsa.PublicKey), crypto.SHA256, sum[:], sig); err != nil {
		return err
	}
	now := float64(time.Now().Unix())
	if claims["aud"] != te.url() || claims["iss"] != testClientID || claims["sub"] != testClientID ||
		claims["exp"].(float64) < now || claims["nbf"].(float64) > now+60 {
		return fmt.Errorf("bad claims %v", claims)
	}
	return nil
}

func (te *tokenEndpoint) accepts(tok string) bool {
	te.mu.Lock()
	defer te.mu.Unlock()
	return te.valid[tok]
}

func (te *tokenEndpoint) revoke(tok string) {
	te.mu.Lock()
	defer te.mu.Unlock()
	delete(te.valid, tok)
}

// xoauth2Server is SASL XOAUTH2 on the server side: it checks the bearer token.
type xoauth2Server struct {
	check func(user, token string) error
	done  bool
}

func (x *xoauth2Server) Next(resp []byte) ([]byte, bool, error) {
	if x.done {
		return nil, true, errors.New("XOAUTH2: unexpected response")
	}
	x.done = true
	if resp == nil {
		return []byte{}, false, nil // ask for the initial response
	}
	var user, tok string
	for _, kv := range strings.Split(string(resp), "\x01") {
		if v, ok := strings.CutPrefix(kv, "user="); ok {
			user = v
		}
		if v, ok := strings.CutPrefix(kv, "auth=Bearer "); ok {
			tok = v
		}
	}
	return nil, true, x.check(user, tok)
}

// oauthIMAP is an in-memory IMAP server that accepts only XOAUTH2 with a token the
// endpoint issued and has not revoked.
type oauthIMAP struct {
	Addr string
	mem  *imapmemserver.Server
	user *imapmemserver.User
	mu   sync.Mutex
	seen []string // tokens presented, in order
}

type oauthSession struct {
	imapserver.Session
	s     *oauthIMAP
	check func(string) bool
}

func (o *oauthSession) Login(string, string) error {
	return &imap.Error{Type: imap.StatusResponseTypeNo, Text: "LOGIN disabled: use XOAUTH2"}
}
func (o *oauthSession) AuthenticateMechanisms() []string { return []string{"XOAUTH2"} }
func (o *oauthSession) Authenticate(mech string) (sasl.Server, error) {
	if mech != "XOAUTH2" {
		return nil, &imap.Error{Type: imap.StatusResponseTypeNo, Text: "unsupported"}
	}
	return &xoauth2Server{check: func(user, tok string) error {
		o.s.mu.Lock()
		o.s.seen = append(o.s.seen, tok)
		o.s.mu.Unlock()
		if user != testUser || !o.check(tok) {
			return &imap.Error{Type: imap.StatusResponseTypeNo, Code: imap.ResponseCodeAuthenticationFailed, Text: "AUTHENTICATE failed."}
		}
		return o.Session.Login(testUser, testPass)
	}}, nil
}

func startOAuthIMAP(t *testing.T, check func(string) bool) *oauthIMAP {
	t.Helper()
	s := &oauthIMAP{mem: imapmemserver.New(), user: imapmemserver.NewUser(testUser, testPass)}
	if err := s.user.Create("INBOX", nil); err != nil {
		t.Fatal(err)
	}
	s.mem.AddUser(s.user)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := imapserver.New(&imapserver.Options{
		NewSession: func(*imapserver.Conn) (imapserver.Session, *imapserver.GreetingData, error) {
			return &oauthSession{Session: s.mem.NewSession(), s: s, check: check}, nil, nil
		},
		Caps:         imap.CapSet{imap.CapIMAP4rev1: {}},
		InsecureAuth: true,
		Logger:       log.New(io.Discard, "", 0),
	})
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	s.Addr = ln.Addr().String()
	return s
}

func (s *oauthIMAP) deliver(t *testing.T, subject string) {
	t.Helper()
	raw := testMsg(subject)
	if _, err := s.user.Append("INBOX", testLiteral{bytes.NewReader(raw), int64(len(raw))}, &imap.AppendOptions{}); err != nil {
		t.Fatal(err)
	}
}

type testLiteral struct {
	*bytes.Reader
	n int64
}

func (l testLiteral) Size() int64 { return l.n }

func (s *oauthIMAP) tokens() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.seen...)
}

// oauthSMTP is an SMTP server that accepts only XOAUTH2 with a valid token.
type oauthSMTP struct {
	Addr  string
	mu    sync.Mutex
	seen  []string
	got   int
	check func(string) bool
}

type oauthSMTPSession struct {
	s      *oauthSMTP
	authed bool
}

func (o *oauthSMTPSession) AuthMechanisms() []string { return []string{"XOAUTH2"} }
func (o *oauthSMTPSession) Auth(mech string) (sasl.Server, error) {
	return &xoauth2Server{check: func(user, tok string) error {
		o.s.mu.Lock()
		o.s.seen = append(o.s.seen, tok)
		o.s.mu.Unlock()
		if user != testUser || !o.s.check(tok) {
			return smtp.ErrAuthFailed
		}
		o.authed = true
		return nil
	}}, nil
}
func (o *oauthSMTPSession) Reset()        {}
func (o *oauthSMTPSession) Logout() error { return nil }
func (o *oauthSMTPSession) Mail(string, *smtp.MailOptions) error {
	if !o.authed {
		return smtp.ErrAuthRequired
	}
	return nil
}
func (o *oauthSMTPSession) Rcpt(string, *smtp.RcptOptions) error { return nil }
func (o *oauthSMTPSession) Data(r io.Reader) error {
	if _, err := io.Copy(io.Discard, r); err != nil {
		return err
	}
	o.s.mu.Lock()
	o.s.got++
	o.s.mu.Unlock()
	return nil
}

func startOAuthSMTP(t *testing.T, check func(string) bool) *oauthSMTP {
	t.Helper()
	s := &oauthSMTP{check: check}
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &oauthSMTPSession{s: s}, nil }))
	srv.Domain = "127.0.0.1"
	srv.AllowInsecureAuth = true
	srv.ErrorLog = log.New(io.Discard, "", 0)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	s.Addr = ln.Addr().String()
	return s
}

func (s *oauthSMTP) tokens() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.seen...)
}

func (s *oauthSMTP) delivered() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.got
}

// testClock is a clock the test steps.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *testClock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// The whole path: one token source, fetched from a local token endpoint, logs in to
// IMAP and SMTP with XOAUTH2; the token is reused while fresh, renewed before it
// expires, and renewed at once when a server rejects it.
func TestOAuth2ClientCredentialsIMAPAndSMTP(t *testing.T) {
	te := startTokenEndpoint(t)
	im := startOAuthIMAP(t, te.accepts)
	sm := startOAuthSMTP(t, te.accepts)
	clock := &testClock{t: time.Now()} // the oauth2 library stamps expiry with the real clock
	ts, err := NewTokenSource(OAuth2Config{TenantID: "tenant-x", ClientID: testClientID, ClientSecret: testClientSecret,
		TokenURL: te.url(), Now: clock.now})
	if err != nil {
		t.Fatal(err)
	}
	auth := OAuth2Auth(testUser, ts)
	st := newStore(nil)
	w := NewWatcher(IMAPConfig{Address: im.Addr, TLS: "none", Auth: auth, PollInterval: time.Minute}, st.cursor, st.handle)
	sender, err := NewSMTP(SMTPConfig{Address: sm.Addr, TLS: "none", Auth: auth, Timeout: 5 * time.Second, HeloName: "csprbot.test"})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()

	im.deliver(t, "first")
	if err := w.Once(ctx); err != nil {
		t.Fatalf("IMAP with XOAUTH2: %v", err)
	}
	if err := sender.Send(ctx, outEmail()); err != nil {
		t.Fatalf("SMTP with XOAUTH2: %v", err)
	}
	if got := ts.Fetches(); got != 1 {
		t.Errorf("tokens fetched for one IMAP and one SMTP login = %d, want 1 (reused while fresh)", got)
	}
	if got := te.scopes[0]; got != DefaultOAuth2Scope {
		t.Errorf("scope asked for = %q, want %q", got, DefaultOAuth2Scope)
	}

	// 56 minutes on, the hour-long token is within RenewBefore (5m) of expiring: renewed.
	clock.add(56 * time.Minute)
	im.deliver(t, "second")
	if err := w.Once(ctx); err != nil {
		t.Fatalf("IMAP after renewal: %v", err)
	}
	if got := im.tokens(); got[len(got)-1] != "tok-2" {
		t.Errorf("IMAP tokens presented = %v, want the renewed tok-2 last", got)
	}

	// Revoked behind our back: the servers refuse it; csprbot fetches a new token and
	// logs in again in the same attempt.
	te.revoke("tok-2")
	im.deliver(t, "third")
	if err := w.Once(ctx); err != nil {
		t.Fatalf("IMAP after a revoked token: %v", err)
	}
	if got := strings.Join(im.tokens(), ","); got != "tok-1,tok-2,tok-2,tok-3" {
		t.Errorf("IMAP tokens presented = %s, want tok-1,tok-2,tok-2,tok-3", got)
	}
	te.revoke("tok-3")
	if err := sender.Send(ctx, outEmail()); err != nil {
		t.Fatalf("SMTP after a revoked token: %v", err)
	}
	if got := strings.Join(sm.tokens(), ","); got != "tok-1,tok-3,tok-4" {
		t.Errorf("SMTP tokens presented = %s, want tok-1,tok-3,tok-4", got)
	}
	if got := sm.delivered(); got != 2 {
		t.Errorf("SMTP messages delivered = %d, want 2", got)
	}
	if got := strings.Join(st.subjects(), ","); got != "first,second,third" {
		t.Errorf("messages read = %s, want first,second,third", got)
	}
}

// A refused client secret is reported with Entra's error code and description, but
// neither the secret nor the response body appears in the error.
func TestOAuth2ErrorsNeverCarrySecrets(t *testing.T) {
	te := startTokenEndpoint(t)
	te.refuse = true
	im := startOAuthIMAP(t, te.accepts)
	ts, err := NewTokenSource(OAuth2Config{ClientID: testClientID, ClientSecret: testClientSecret, TokenURL: te.url()})
	if err != nil {
		t.Fatal(err)
	}
	st := newStore(nil)
	w := NewWatcher(IMAPConfig{Address: im.Addr, TLS: "none", Auth: OAuth2Auth(testUser, ts), PollInterval: time.Minute}, st.cursor, st.handle)
	err = w.Once(context.Background())
	if err == nil {
		t.Fatal("Once with a refused client secret succeeded")
	}
	msg := err.Error()
	if !strings.Contains(msg, "AADSTS7000215") || !strings.Contains(msg, "invalid_client") {
		t.Errorf("error = %q, want Entra's code and description", msg)
	}
	if strings.Contains(msg, testClientSecret) || strings.Contains(msg, "Trace ID") || strings.Contains(msg, "echo") {
		t.Errorf("error = %q carries the secret or the response body", msg)
	}
	for _, bad := range []OAuth2Config{{TenantID: "t"}, {ClientID: "c", TenantID: "t"}, {ClientID: "c", ClientSecret: "s"}} {
		if _, err := NewTokenSource(bad); err == nil {
			t.Errorf("NewTokenSource(%+v) accepted an incomplete configuration", bad)
		}
	}
	ts, _ = NewTokenSource(OAuth2Config{TenantID: "contoso.onmicrosoft.com", ClientID: "c", ClientSecret: "s"})
	if got, want := ts.cc.TokenURL, "https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token"; got != want {
		t.Errorf("default token URL = %s, want %s", got, want)
	}
}

// With a certificate instead of a secret: each token request carries a fresh signed
// client assertion, and IMAP signs in with the token it earns.
func TestOAuth2ClientCertificate(t *testing.T) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "csprbot"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(365 * 24 * time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	pemData := append(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)})...)

	te := startTokenEndpoint(t)
	te.cert = cert
	im := startOAuthIMAP(t, te.accepts)
	ts, err := NewTokenSource(OAuth2Config{ClientID: testClientID, ClientCertificate: pemData, TokenURL: te.url()})
	if err != nil {
		t.Fatal(err)
	}
	im.deliver(t, "by certificate")
	st := newStore(nil)
	w := NewWatcher(IMAPConfig{Address: im.Addr, TLS: "none", Auth: OAuth2Auth(testUser, ts), PollInterval: time.Minute}, st.cursor, st.handle)
	if err := w.Once(context.Background()); err != nil {
		t.Fatalf("IMAP with a certificate-earned token: %v", err)
	}
	if got := strings.Join(st.subjects(), ","); got != "by certificate" {
		t.Errorf("read %q", got)
	}
	// The wrong certificate earns nothing.
	other, _ := rsa.GenerateKey(rand.Reader, 2048)
	der2, _ := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &other.PublicKey, other)
	bad := append(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der2}),
		pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(other)})...)
	ts2, _ := NewTokenSource(OAuth2Config{ClientID: testClientID, ClientCertificate: bad, TokenURL: te.url()})
	if _, err := ts2.Token(context.Background()); err == nil || !strings.Contains(err.Error(), "invalid_client") {
		t.Errorf("token with an unknown certificate = %v, want invalid_client", err)
	}
	if _, err := NewTokenSource(OAuth2Config{ClientID: testClientID, ClientCertificate: pemData[:len(pemData)/3], TokenURL: te.url()}); err == nil {
		t.Error("a certificate file without its key was accepted")
	}
}

// A running watcher signs in again with a new token before the old one expires, instead
// of waiting for Exchange to end the session; the planned re-login is no outage.
func TestOAuth2SessionRenewsBeforeExpiry(t *testing.T) {
	te := startTokenEndpoint(t)
	te.expires = 2 // seconds: renewed half-way
	im := startOAuthIMAP(t, te.accepts)
	ts, err := NewTokenSource(OAuth2Config{ClientID: testClientID, ClientSecret: testClientSecret, TokenURL: te.url()})
	if err != nil {
		t.Fatal(err)
	}
	st := newStore(nil)
	var logs syncLog
	w := NewWatcher(IMAPConfig{Address: im.Addr, TLS: "none", Auth: OAuth2Auth(testUser, ts), PollInterval: 100 * time.Millisecond,
		Logger: slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelInfo}))}, st.cursor, st.handle)
	w.backoffMin, w.backoffMax = 50*time.Millisecond, 200*time.Millisecond
	stop := runWatcher(t, w)
	deadline := time.Now().Add(20 * time.Second)
	for !strings.Contains(strings.Join(im.tokens(), ","), "tok-3") {
		if time.Now().After(deadline) {
			t.Fatalf("tokens presented = %v, want renewals before expiry", im.tokens())
		}
		time.Sleep(50 * time.Millisecond)
	}
	im.deliver(t, "after renewal")
	waitFor(t, st, 1, 10*time.Second)
	stop()
	if h := w.Health(); h.Reconnects != 0 {
		t.Errorf("health counts %d reconnects (%s) for planned renewals, want 0", h.Reconnects, h.LastError)
	}
	if s := logs.String(); strings.Contains(s, "unavailable") {
		t.Errorf("a planned renewal was logged as an outage:\n%s", s)
	}
}

type syncLog struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *syncLog) Write(p []byte) (int, error) { l.mu.Lock(); defer l.mu.Unlock(); return l.b.Write(p) }
func (l *syncLog) String() string              { l.mu.Lock(); defer l.mu.Unlock(); return l.b.String() }
