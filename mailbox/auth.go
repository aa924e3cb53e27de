// Package mailbox is csprbot's mail edge: it watches the partnership's IMAP mailbox,
// decodes what arrives (MIME, charsets, automatic replies, bounces), and sends mail
// through SMTP.
package mailbox

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/emersion/go-sasl"
	"github.com/wneessen/go-mail"
	mailsmtp "github.com/wneessen/go-mail/smtp"
)

// Auth is the login seam: passwords today, OAuth2 (XOAUTH2, Microsoft 365) beside them.
type Auth interface {
	IMAPLogin(c *imapclient.Client) error // LOGIN or AUTHENTICATE
	SMTPOptions() []mail.Option           // go-mail options for this login (none for anonymous)
}

// ctxAuth is implemented by logins that need a context (to fetch a token).
type ctxAuth interface {
	imapLoginContext(ctx context.Context, c *imapclient.Client) error
	smtpOptionsContext(ctx context.Context) ([]mail.Option, error)
}

func imapLogin(ctx context.Context, a Auth, c *imapclient.Client) error {
	if a == nil {
		return errors.New("no IMAP login configured")
	}
	if ca, ok := a.(ctxAuth); ok {
		return ca.imapLoginContext(ctx, c)
	}
	return a.IMAPLogin(c)
}

func smtpOptions(ctx context.Context, a Auth) ([]mail.Option, error) {
	if a == nil {
		return nil, nil
	}
	if ca, ok := a.(ctxAuth); ok {
		return ca.smtpOptionsContext(ctx)
	}
	return a.SMTPOptions(), nil
}

// PasswordAuth logs in with a user name and password (IMAP LOGIN, SMTP AUTH
// PLAIN/LOGIN, whichever the server offers).
func PasswordAuth(user, pass string) Auth { return passwordAuth{user, pass} }

type passwordAuth struct{ user, pass string }

func (a passwordAuth) IMAPLogin(c *imapclient.Client) error {
	if err := c.Login(a.user, a.pass).Wait(); err != nil {
		return fmt.Errorf("login: %w", err)
	}
	return nil
}

func (a passwordAuth) SMTPOptions() []mail.Option {
	return []mail.Option{mail.WithSMTPAuth(mail.SMTPAuthAutoDiscover), mail.WithUsername(a.user), mail.WithPassword(a.pass)}
}

// NoAuth sends mail without logging in (a relay that trusts our address). It cannot
// log in to IMAP.
func NoAuth() Auth { return noAuth{} }

type noAuth struct{}

func (noAuth) IMAPLogin(*imapclient.Client) error {
	return errors.New("login: IMAP needs a user name and password or a token")
}
func (noAuth) SMTPOptions() []mail.Option { return nil }

// XOAUTH2Auth logs in with SASL XOAUTH2 (Microsoft 365, Google) on both IMAP and
// SMTP. token is called at every login and should return a current access token.
func XOAUTH2Auth(user string, token func(ctx context.Context) (string, error)) Auth {
	return xoauth2Auth{user: user, token: token}
}

type xoauth2Auth struct {
	user  string
	token func(ctx context.Context) (string, error)
	// rejected, when set, is told of a token a server refused, so that token() fetches
	// a new one; the login is then tried once more.
	rejected func(token string)
	// renewAt, when set, says when the token last handed out should be replaced: an IMAP
	// session signs in again then, before Exchange Online ends it with "* BYE Session
	// invalidated - AccessTokenExpired" (as reported in imapsync/imapsync#250 and
	// joeyates/imap-backup#198).
	renewAt func() time.Time
}

// errTokenRenewal ends an IMAP session on purpose, to sign in again with a new token.
var errTokenRenewal = errors.New("mailbox: imap: access token due for renewal")

// sessionRenewAt is when a session signed in with a, now, should sign in again (zero:
// never).
func sessionRenewAt(a Auth) time.Time {
	if x, ok := a.(xoauth2Auth); ok && x.renewAt != nil {
		return x.renewAt()
	}
	return time.Time{}
}

const tokenTimeout = 30 * time.Second

func (a xoauth2Auth) IMAPLogin(c *imapclient.Client) error {
	ctx, cancel := context.WithTimeout(context.Background(), tokenTimeout)
	defer cancel()
	return a.imapLoginContext(ctx, c)
}

func (a xoauth2Auth) SMTPOptions() []mail.Option {
	ctx, cancel := context.WithTimeout(context.Background(), tokenTimeout)
	defer cancel()
	opts, err := a.smtpOptionsContext(ctx)
	if err != nil {
		// The option reports the error when the client is built.
		return []mail.Option{func(*mail.Client) error { return err }}
	}
	return opts
}

func (a xoauth2Auth) imapLoginContext(ctx context.Context, c *imapclient.Client) error {
	tok, err := a.token(ctx)
	if err != nil {
		return fmt.Errorf("xoauth2 token: %w", err)
	}
	err = c.Authenticate(&xoauth2Client{user: a.user, token: tok})
	if err != nil && a.rejected != nil {
		// Revoked, or its permissions changed: a new token, and one more try.
		a.rejected(tok)
		fresh, terr := a.token(ctx)
		if terr != nil {
			return fmt.Errorf("authenticate XOAUTH2: %w (and renewing the token: %v)", err, terr)
		}
		if fresh != tok {
			err = c.Authenticate(&xoauth2Client{user: a.user, token: fresh})
		}
	}
	if err != nil {
		return fmt.Errorf("authenticate XOAUTH2: %w", err)
	}
	return nil
}

// smtpLogin is smtpOptions, also returning the bearer token used (if any) so that a
// refusal can be reported back with smtpRejected.
func smtpLogin(ctx context.Context, a Auth) ([]mail.Option, string, error) {
	if x, ok := a.(xoauth2Auth); ok {
		tok, err := x.token(ctx)
		if err != nil {
			return nil, "", fmt.Errorf("xoauth2 token: %w", err)
		}
		return []mail.Option{mail.WithSMTPAuthCustom(mailsmtp.XOAuth2Auth(x.user, tok))}, tok, nil
	}
	opts, err := smtpOptions(ctx, a)
	return opts, "", err
}

// smtpRejected tells a token-based login that the SMTP server refused token (535): the
// next login uses a new one. It reports whether trying again may help.
func smtpRejected(a Auth, token string) bool {
	x, ok := a.(xoauth2Auth)
	if !ok || x.rejected == nil || token == "" {
		return false
	}
	x.rejected(token)
	return true
}

func (a xoauth2Auth) smtpOptionsContext(ctx context.Context) ([]mail.Option, error) {
	tok, err := a.token(ctx)
	if err != nil {
		return nil, fmt.Errorf("xoauth2 token: %w", err)
	}
	return []mail.Option{mail.WithSMTPAuthCustom(mailsmtp.XOAuth2Auth(a.user, tok))}, nil
}

// xoauth2Client is SASL XOAUTH2 (Google's and Microsoft's, not RFC 7628's OAUTHBEARER).
type xoauth2Client struct{ user, token string }

var _ sasl.Client = (*xoauth2Client)(nil)

func (x *xoauth2Client) Start() (string, []byte, error) {
	return "XOAUTH2", xoauth2Response(x.user, x.token), nil
}

// Next answers a challenge, which XOAUTH2 sends only to report an error (a JSON
// status): reply empty so the server ends the exchange with NO.
func (x *xoauth2Client) Next(challenge []byte) ([]byte, error) {
	return []byte{}, nil
}

func xoauth2Response(user, token string) []byte {
	return []byte("user=" + user + "\x01auth=Bearer " + token + "\x01\x01")
}
