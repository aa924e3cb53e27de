package mailbox

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/textproto"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/lewisham-lscp/csprbot/tracker"
	"github.com/wneessen/go-mail"
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

// SMTP sends tracker.OutEmails, one connection per message.
type SMTP struct {
	cfg  SMTPConfig
	host string
	port int
}

var _ tracker.Sender = (*SMTP)(nil)

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

// Send delivers m as it is. A failure is a *tracker.SendError: Permanent for a 5xx
// refusal of the whole message (or a message that cannot be built), Rejected for
// recipients refused with 5xx at RCPT (nothing is sent then; Permanent is true when
// every refusal was permanent), temporary for 4xx, network errors and timeouts.
func (s *SMTP) Send(ctx context.Context, m *tracker.OutEmail) error {
	msg, err := BuildMessage(m)
	if err != nil {
		return &tracker.SendError{Permanent: true, Err: fmt.Errorf("mailbox: smtp: build %s: %w", m.MessageID, err)}
	}
	from, err := msg.GetSender(false)
	if err != nil {
		return &tracker.SendError{Permanent: true, Err: fmt.Errorf("mailbox: smtp: %s: sender: %w", m.MessageID, err)}
	}
	rcpts, err := msg.GetRecipients()
	if err != nil {
		return &tracker.SendError{Permanent: true, Err: fmt.Errorf("mailbox: smtp: %s: recipients: %w", m.MessageID, err)}
	}
	raw, err := RenderMessage(m)
	if err != nil {
		return &tracker.SendError{Permanent: true, Err: fmt.Errorf("mailbox: smtp: build %s: %w", m.MessageID, err)}
	}

	authOpts, err := smtpOptions(ctx, s.cfg.Auth)
	if err != nil {
		return &tracker.SendError{Err: fmt.Errorf("mailbox: smtp: login: %w", err)}
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
		return &tracker.SendError{Permanent: true, Err: fmt.Errorf("mailbox: smtp: client: %w", err)}
	}

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stop := context.AfterFunc(ctx, conn.close)
	defer stop()

	sc, err := client.DialToSMTPClientWithContext(ctx)
	if err != nil {
		// Refused greetings and failed logins wait too: a person fixes the configuration.
		return &tracker.SendError{Err: fmt.Errorf("mailbox: smtp: connect %s: %w", s.cfg.Address, err)}
	}
	defer func() { _ = client.CloseWithSMTPClient(sc) }()

	if err := sc.Mail(from); err != nil {
		_ = sc.Reset()
		return classify(fmt.Errorf("mailbox: smtp: MAIL FROM: %w", err))
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
		return &tracker.SendError{
			Permanent: !temporary,
			Rejected:  rejected,
			Err:       fmt.Errorf("mailbox: smtp: %s not sent: %w", m.MessageID, errors.Join(rcptErrs...)),
		}
	}
	w, err := sc.Data()
	if err != nil {
		return classify(fmt.Errorf("mailbox: smtp: DATA: %w", err))
	}
	if _, err := w.Write(raw); err != nil {
		return &tracker.SendError{Err: fmt.Errorf("mailbox: smtp: write message: %w", err)}
	}
	if err := w.Close(); err != nil {
		return classify(fmt.Errorf("mailbox: smtp: end of data: %w", err))
	}
	return nil
}

// classify turns the server's reply to a command into a *tracker.SendError: 5xx is
// permanent, anything else (4xx, a broken connection, a timeout) temporary.
func classify(err error) error {
	code := smtpCode(err)
	return &tracker.SendError{Permanent: code >= 500 && code < 600, Err: err}
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

// BuildMessage renders m with go-mail exactly as given: Message-ID, threading
// headers, every extra header, date, text with an optional HTML alternative, and
// attachments with their content types.
func BuildMessage(m *tracker.OutEmail) (*mail.Msg, error) {
	msg := mail.NewMsg(mail.WithNoDefaultUserAgent())
	if err := msg.From(m.From); err != nil {
		return nil, fmt.Errorf("from: %w", err)
	}
	if len(m.To) == 0 && len(m.Cc) == 0 {
		return nil, errors.New("no recipients")
	}
	if len(m.To) > 0 {
		if err := msg.To(m.To...); err != nil {
			return nil, fmt.Errorf("to: %w", err)
		}
	}
	if len(m.Cc) > 0 {
		if err := msg.Cc(m.Cc...); err != nil {
			return nil, fmt.Errorf("cc: %w", err)
		}
	}
	msg.Subject(m.Subject)
	if m.MessageID != "" {
		msg.SetMessageIDWithValue(strings.Trim(m.MessageID, "<>"))
	}
	if m.InReplyTo != "" {
		msg.SetGenHeader(mail.HeaderInReplyTo, angle(m.InReplyTo))
	}
	if len(m.References) > 0 {
		refs := make([]string, 0, len(m.References))
		for _, r := range m.References {
			if r = strings.TrimSpace(r); r != "" {
				refs = append(refs, angle(r))
			}
		}
		if len(refs) > 0 {
			msg.SetGenHeaderPreformatted(mail.HeaderReferences, strings.Join(refs, " "))
		}
	}
	keys := make([]string, 0, len(m.Headers))
	for k := range m.Headers {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if strings.ContainsAny(k, ": \r\n") || k == "" {
			return nil, fmt.Errorf("header name %q", k)
		}
		v := strings.NewReplacer("\r", " ", "\n", " ").Replace(m.Headers[k])
		msg.SetGenHeader(mail.Header(textproto.CanonicalMIMEHeaderKey(k)), v)
	}
	date := m.Date
	if date.IsZero() {
		date = time.Now()
	}
	msg.SetDateWithValue(date)
	switch {
	case m.Text != "" || m.HTML == "":
		msg.SetBodyString(mail.TypeTextPlain, m.Text)
		if m.HTML != "" {
			msg.AddAlternativeString(mail.TypeTextHTML, m.HTML)
		}
	default:
		msg.SetBodyString(mail.TypeTextHTML, m.HTML)
	}
	for _, a := range m.Attachments {
		ct := a.ContentType
		if ct == "" {
			ct = "application/octet-stream"
		}
		name := SanitizeFilename(a.Name)
		if err := msg.AttachReader(name, bytes.NewReader(a.Data), mail.WithFileContentType(mail.ContentType(ct))); err != nil {
			return nil, fmt.Errorf("attach %s: %w", name, err)
		}
	}
	return msg, nil
}

func angle(id string) string { return "<" + strings.Trim(strings.TrimSpace(id), "<>") + ">" }

func (a passwordAuth) plaintextOptions() []mail.Option {
	return []mail.Option{mail.WithSMTPAuth(mail.SMTPAuthPlainNoEnc), mail.WithUsername(a.user), mail.WithPassword(a.pass)}
}

var boundaryParam = regexp.MustCompile(`(?i)boundary="?([^";\r\n]+)"?`)

// RenderMessage builds the message as it goes on the wire. go-mail picks random MIME
// boundaries; they are replaced by ones derived from the Message-ID, so a retry after a
// crash sends the very same bytes as the first attempt did.
func RenderMessage(m *tracker.OutEmail) ([]byte, error) {
	msg, err := BuildMessage(m)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if _, err := msg.WriteTo(&buf); err != nil {
		return nil, err
	}
	raw := buf.Bytes()
	end := bytes.Index(raw, []byte("\r\n\r\n"))
	if end < 0 {
		return raw, nil
	}
	var pairs []string
	seen := map[string]bool{}
	for _, mm := range boundaryParam.FindAllSubmatch(raw, -1) {
		b := string(mm[1])
		if seen[b] {
			continue
		}
		seen[b] = true
		sum := sha256.Sum256([]byte(fmt.Sprintf("%s\x00%d", m.MessageID, len(pairs)/2)))
		pairs = append(pairs, b, "=_csprbot_"+hex.EncodeToString(sum[:12]))
	}
	if len(pairs) == 0 {
		return raw, nil
	}
	return []byte(strings.NewReplacer(pairs...).Replace(string(raw))), nil
}
