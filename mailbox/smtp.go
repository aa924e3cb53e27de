package mailbox

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/textproto"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/lewisham-lscp/csprbot/tracker/cspr"
	"github.com/wneessen/go-mail"
	mailsmtp "github.com/wneessen/go-mail/smtp"
)

// SMTPConfig says how to reach the outgoing mail server.
type SMTPConfig struct {
	Address            string // host:port
	TLS                string // "none" | "starttls" | "tls"
	InsecureSkipVerify bool
	AllowInsecure      bool // permit TLS "none" to a non-loopback server
	Auth               Auth // nil: no login
	HeloName           string
	Timeout            time.Duration // default 60s
}

// DefaultSMTPTimeout bounds each step of a send.
const DefaultSMTPTimeout = 60 * time.Second

// SMTP sends cspr.OutEmails, one connection per message.
type SMTP struct {
	cfg  SMTPConfig
	host string
	port int
}

var _ cspr.Sender = (*SMTP)(nil)

// NewSMTP checks cfg and returns a sender.
func NewSMTP(cfg SMTPConfig) (*SMTP, error) {
	host, portStr, err := net.SplitHostPort(cfg.Address)
	if err != nil {
		return nil, fmt.Errorf("mailbox: smtp: address %q: %w", cfg.Address, err)
	}
	port, err := strconv.Atoi(portStr)
	if err != nil || port < 1 || port > 65535 {
		return nil, fmt.Errorf("mailbox: smtp: address %q: bad port", cfg.Address)
	}
	if err := checkTLS("smtp", cfg.Address, cfg.TLS, cfg.AllowInsecure); err != nil {
		return nil, err
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultSMTPTimeout
	}
	if cfg.Auth == nil {
		cfg.Auth = NoAuth()
	}
	return &SMTP{cfg: cfg, host: host, port: port}, nil
}

// Send delivers m as RenderMessage builds it. A failure is a *cspr.SendError:
//   - Permanent and MessageRefused when the server refuses the message itself (5xx to
//     DATA or at the end of the data: size, line length, content; or 552 / x.3.4 at
//     MAIL FROM) or the message cannot be built: the fault is ours, not the
//     recipients';
//   - Rejected for recipients refused with 5xx at RCPT (nothing is sent then;
//     Permanent is true when every refusal was permanent);
//   - Permanent alone for any other 5xx (the sender refused at MAIL FROM);
//   - temporary for 4xx, network errors and timeouts.
func (s *SMTP) Send(ctx context.Context, m *cspr.OutEmail) error {
	from, rcpts, err := Envelope(m)
	if err != nil {
		return &cspr.SendError{Permanent: true, MessageRefused: true, Err: fmt.Errorf("mailbox: smtp: build %s: %w", m.MessageID, err)}
	}
	raw, err := RenderMessage(m)
	if err != nil {
		return &cspr.SendError{Permanent: true, MessageRefused: true, Err: fmt.Errorf("mailbox: smtp: build %s: %w", m.MessageID, err)}
	}

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	client, sc, err := s.dial(ctx)
	if err != nil {
		return err
	}
	defer func() { _ = client.CloseWithSMTPClient(sc) }()

	if err := sc.Mail(from); err != nil {
		_ = sc.Reset()
		se := classify(fmt.Errorf("mailbox: smtp: MAIL FROM: %w", err))
		se.MessageRefused = se.Permanent && (smtpCode(err) == 552 || enhancedCode(err) == "5.3.4")
		return se
	}
	var rejected []string
	var rcptErrs []error
	temporary := false
	for _, r := range rcpts {
		if err := sc.Rcpt(r); err != nil {
			code := smtpCode(err)
			if code >= 500 && code < 600 {
				rejected = append(rejected, strings.Trim(r, "<>"))
			} else {
				temporary = true
			}
			rcptErrs = append(rcptErrs, fmt.Errorf("RCPT TO %s: %w", r, err))
		}
	}
	if len(rcptErrs) > 0 {
		_ = sc.Reset()
		return &cspr.SendError{
			Permanent: !temporary,
			Rejected:  rejected,
			Err:       fmt.Errorf("mailbox: smtp: %s not sent: %w", m.MessageID, errors.Join(rcptErrs...)),
		}
	}
	w, err := sc.Data()
	if err != nil {
		return messageRefused(classify(fmt.Errorf("mailbox: smtp: DATA: %w", err)))
	}
	if _, err := w.Write(raw); err != nil {
		return &cspr.SendError{Err: fmt.Errorf("mailbox: smtp: write message: %w", err)}
	}
	if err := w.Close(); err != nil {
		return messageRefused(classify(fmt.Errorf("mailbox: smtp: %s refused at the end of data: %w", m.MessageID, err)))
	}
	return nil
}

// dial connects and logs in. A bearer token the server refuses is renewed and the login
// tried once more.
func (s *SMTP) dial(ctx context.Context) (*mail.Client, *mailsmtp.Client, error) {
	return s.dialOnce(ctx, true)
}

func (s *SMTP) dialOnce(ctx context.Context, retry bool) (*mail.Client, *mailsmtp.Client, error) {
	authOpts, token, err := smtpLogin(ctx, s.cfg.Auth)
	if err != nil {
		return nil, nil, &cspr.SendError{Err: fmt.Errorf("mailbox: smtp: login: %w", err)}
	}
	if pa, ok := s.cfg.Auth.(passwordAuth); ok && s.cfg.TLS == "none" {
		// Allowed by checkTLS (loopback or allow_insecure): go-mail otherwise refuses PLAIN in clear.
		authOpts = pa.plaintextOptions()
	}
	tlsConf := &tls.Config{ServerName: s.host, InsecureSkipVerify: s.cfg.InsecureSkipVerify, MinVersion: tls.VersionTLS12}
	opts := []mail.Option{
		mail.WithPort(s.port), mail.WithTimeout(s.cfg.Timeout), mail.WithTLSConfig(tlsConf),
	}
	if s.cfg.HeloName != "" {
		opts = append(opts, mail.WithHELO(s.cfg.HeloName))
	}
	var conn connHolder
	switch s.cfg.TLS {
	case "none":
		opts = append(opts, mail.WithTLSPolicy(mail.NoTLS))
	case "starttls":
		opts = append(opts, mail.WithTLSPolicy(mail.TLSMandatory))
	case "tls":
		opts = append(opts, mail.WithSSL())
	}
	if s.cfg.TLS != "tls" {
		// Our own dialer, so the connection can be closed when ctx is done. (With
		// implicit TLS go-mail must dial itself to count the link as encrypted; the
		// timeout bounds each step there.)
		opts = append(opts, mail.WithDialContextFunc(func(ctx context.Context, network, addr string) (net.Conn, error) {
			d := net.Dialer{Timeout: s.cfg.Timeout}
			c, err := d.DialContext(ctx, network, addr)
			conn.set(c)
			return c, err
		}))
	}
	opts = append(opts, authOpts...)
	client, err := mail.NewClient(s.host, opts...)
	if err != nil {
		return nil, nil, &cspr.SendError{Permanent: true, Err: fmt.Errorf("mailbox: smtp: client: %w", err)}
	}

	// ctx is cancelled when Send returns: the connection is closed then at the latest.
	context.AfterFunc(ctx, conn.close)

	sc, err := client.DialToSMTPClientWithContext(ctx)
	if err != nil {
		if retry && smtpCode(err) == 535 && smtpRejected(s.cfg.Auth, token) {
			// The token was refused (revoked, permissions changed): a new one, once.
			return s.dialOnce(ctx, false)
		}
		// Refused greetings and failed logins wait too: a person fixes the configuration.
		return nil, nil, &cspr.SendError{Err: fmt.Errorf("mailbox: smtp: connect %s: %w", s.cfg.Address, err)}
	}
	return client, sc, nil
}

// classify turns the server's reply to a command into a *cspr.SendError: 5xx is
// permanent, anything else (4xx, a broken connection, a timeout) temporary.
func classify(err error) *cspr.SendError {
	code := smtpCode(err)
	return &cspr.SendError{Permanent: code >= 500 && code < 600, Err: err}
}

// messageRefused marks a permanent refusal at DATA as the message's own fault: every
// recipient was accepted, so what the server refused is the message.
func messageRefused(se *cspr.SendError) *cspr.SendError {
	se.MessageRefused = se.Permanent
	return se
}

// connHolder keeps the dialled connection so it can be closed when ctx is done.
type connHolder struct {
	mu sync.Mutex
	c  net.Conn
}

func (h *connHolder) set(c net.Conn) {
	h.mu.Lock()
	h.c = c
	h.mu.Unlock()
}

func (h *connHolder) close() {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.c != nil {
		h.c.Close()
	}
}

// enhancedCode finds the RFC 3463 enhanced status code ("5.3.4") at the start of the
// server's reply text in err, or "".
func enhancedCode(err error) string {
	var tp *textproto.Error
	msg := ""
	if errors.As(err, &tp) {
		msg = tp.Msg
	} else if err != nil {
		msg = err.Error()
	}
	if m := enhancedRe().FindStringSubmatch(msg); m != nil {
		return m[1]
	}
	return ""
}

var enhancedRe = lazyRegexp(`(?:^|\s)([245]\.\d{1,3}\.\d{1,3})(?:\s|$)`)

// smtpCode finds the server's reply code in err, or 0.
func smtpCode(err error) int {
	var tp *textproto.Error
	if errors.As(err, &tp) {
		return tp.Code
	}
	var se *mail.SendError
	if errors.As(err, &se) {
		return se.ErrorCode()
	}
	return 0
}

func (a passwordAuth) plaintextOptions() []mail.Option {
	return []mail.Option{mail.WithSMTPAuth(mail.SMTPAuthPlainNoEnc), mail.WithUsername(a.user), mail.WithPassword(a.pass)}
}
