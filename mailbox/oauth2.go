package mailbox

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
)

// OAuth2Config is an app-only (client-credentials) sign-in to Microsoft 365 / Exchange
// Online: an Entra ID app registration whose service principal Exchange has been told
// may open the partnership's mailbox. Nothing here is ever logged.
type OAuth2Config struct {
	TenantID     string
	ClientID     string
	ClientSecret string
	// ClientCertificate, instead of a secret: PEM holding the certificate uploaded to the
	// app registration and its RSA private key. Each token request then carries a signed
	// client assertion (RFC 7523), as Microsoft recommends over secrets.
	ClientCertificate []byte
	// TokenURL defaults to Microsoft's v2.0 endpoint for TenantID; set it for a national
	// cloud, or a local endpoint in tests.
	TokenURL string
	// Scopes default to Exchange Online's: https://outlook.office365.com/.default, which
	// carries the app's IMAP.AccessAsApp and SMTP.SendAsApp permissions.
	Scopes []string
	// RenewBefore: a token this close to its expiry is renewed before use (default 5m,
	// Entra's tokens last 60–90 minutes).
	RenewBefore time.Duration
	HTTPClient  *http.Client     // default: a client with a 30 s timeout
	Now         func() time.Time // default time.Now
}

// DefaultOAuth2Scope is the scope Exchange Online's IMAP and SMTP accept for app-only tokens.
const DefaultOAuth2Scope = "https://outlook.office365.com/.default"

// TokenSource obtains, caches and renews access tokens. One serves IMAP and SMTP.
type TokenSource struct {
	cc          clientcredentials.Config
	renewBefore time.Duration
	client      *http.Client
	now         func() time.Time

	cert *clientCert // nil: the secret

	mu      sync.Mutex
	tok     *oauth2.Token
	renew   time.Time // on s.now's clock: when tok is to be replaced (zero: never)
	fetches int
}

// NewTokenSource checks the configuration; no request is made until a token is needed.
func NewTokenSource(cfg OAuth2Config) (*TokenSource, error) {
	if cfg.ClientID == "" {
		return nil, errors.New("oauth2: client_id is required")
	}
	var cert *clientCert
	switch {
	case len(cfg.ClientCertificate) > 0:
		var err error
		if cert, err = parseClientCert(cfg.ClientCertificate); err != nil {
			return nil, err
		}
		cfg.ClientSecret = ""
	case cfg.ClientSecret == "":
		return nil, errors.New("oauth2: a client secret or certificate is required (CSPRBOT_OAUTH2_CLIENT_SECRET, oauth2.client_secret_file or oauth2.client_certificate_file)")
	}
	if cfg.TokenURL == "" {
		if cfg.TenantID == "" {
			return nil, errors.New("oauth2: tenant_id is required")
		}
		cfg.TokenURL = "https://login.microsoftonline.com/" + url.PathEscape(cfg.TenantID) + "/oauth2/v2.0/token"
	}
	if len(cfg.Scopes) == 0 {
		cfg.Scopes = []string{DefaultOAuth2Scope}
	}
	if cfg.RenewBefore <= 0 {
		cfg.RenewBefore = 5 * time.Minute
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: 30 * time.Second}
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &TokenSource{
		cc: clientcredentials.Config{ClientID: cfg.ClientID, ClientSecret: cfg.ClientSecret, TokenURL: cfg.TokenURL,
			Scopes: cfg.Scopes, AuthStyle: oauth2.AuthStyleInParams},
		renewBefore: cfg.RenewBefore, client: cfg.HTTPClient, now: cfg.Now, cert: cert,
	}, nil
}

// Token returns a current access token, fetching a new one when there is none, or the
// one held expires within RenewBefore.
func (s *TokenSource) Token(ctx context.Context) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.tok != nil && (s.renew.IsZero() || s.now().Before(s.renew)) {
		return s.tok.AccessToken, nil
	}
	ctx = context.WithValue(ctx, oauth2.HTTPClient, s.client)
	cc := &s.cc
	if s.cert != nil {
		assertion, err := s.cert.assertion(s.cc.ClientID, s.cc.TokenURL, s.now())
		if err != nil {
			return "", err
		}
		cc = &clientcredentials.Config{ClientID: s.cc.ClientID, TokenURL: s.cc.TokenURL, Scopes: s.cc.Scopes, AuthStyle: oauth2.AuthStyleInParams,
			EndpointParams: url.Values{"client_assertion_type": {jwtBearer}, "client_assertion": {assertion}}}
	}
	tok, err := cc.Token(ctx)
	if err != nil {
		return "", redactTokenError(err)
	}
	if tok.AccessToken == "" {
		return "", errors.New("oauth2: the token endpoint returned no access token")
	}
	s.fetches++
	s.renew = time.Time{}
	if !tok.Expiry.IsZero() {
		// The library stamps the expiry on the real clock; keep the lifetime on ours, and
		// renew RenewBefore ahead of it (half-way through a shorter life).
		life := time.Until(tok.Expiry)
		tok.Expiry = s.now().Add(life)
		s.renew = tok.Expiry.Add(-min(s.renewBefore, life/2))
	}
	s.tok = tok
	return tok.AccessToken, nil
}

// Rejected drops token if it is still the one held: a server refused it (revoked,
// permissions changed), so the next login fetches a new one.
func (s *TokenSource) Rejected(token string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.tok != nil && s.tok.AccessToken == token {
		s.tok, s.renew = nil, time.Time{}
	}
}

// Fetches is how many tokens have been obtained (for tests and csprbot check).
func (s *TokenSource) Fetches() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.fetches
}

// redactTokenError keeps the endpoint's error code and description (Entra's AADSTS
// codes say what is wrong) but never the response body or the request.
func redactTokenError(err error) error {
	var re *oauth2.RetrieveError
	if errors.As(err, &re) {
		status := ""
		if re.Response != nil {
			status = re.Response.Status
		}
		desc := re.ErrorDescription
		if i := strings.IndexAny(desc, "\r\n"); i >= 0 {
			desc = desc[:i]
		}
		return fmt.Errorf("oauth2: token endpoint refused: %s %s %s", status, re.ErrorCode, desc)
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		return fmt.Errorf("oauth2: token endpoint: %s %s: %w", ue.Op, redactURL(ue.URL), ue.Err)
	}
	return fmt.Errorf("oauth2: %w", err)
}

func redactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return "(token URL)"
	}
	u.RawQuery, u.User = "", nil
	return u.String()
}

// OAuth2Auth logs in with XOAUTH2 using tokens from ts, asking for a new token and
// trying once more when the server rejects the one it was given.
func OAuth2Auth(user string, ts *TokenSource) Auth {
	return xoauth2Auth{user: user, token: ts.Token, rejected: ts.Rejected, renewAt: ts.renewAt}
}

// renewAt is when the token held should be replaced, on the real clock (sessions are
// timed with it); zero if none is held or it does not expire.
func (s *TokenSource) renewAt() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.tok == nil || s.renew.IsZero() {
		return time.Time{}
	}
	return time.Now().Add(s.renew.Sub(s.now()))
}
