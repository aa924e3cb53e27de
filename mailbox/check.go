package mailbox

import (
	"context"
	"crypto/tls"
	"fmt"
	"sort"
	"strings"

	"github.com/emersion/go-imap/v2"
)

// IMAPReport is what a pre-flight login to the IMAP server found.
type IMAPReport struct {
	TLS          string   // "TLS 1.3, certificate verified for HOST", or "none"
	Capabilities []string // after login
	Mailbox      string
	Messages     uint32
	UIDValidity  uint32
	Idle         bool
	DoneFolder   string // "" or the folder, found (or it would be created)
}

// CheckIMAP logs in as the daemon would (TLS verified unless configured otherwise),
// lists the server's capabilities, and opens the mailbox read-only. It changes nothing.
func CheckIMAP(ctx context.Context, cfg IMAPConfig) (*IMAPReport, error) {
	// A watcher that never reads a message: only connect and login are used.
	w := NewWatcher(cfg, func(context.Context, string) (uint32, uint32, error) { return 0, 0, nil },
		func(context.Context, *Fetched) error { return nil })
	if err := w.validate(); err != nil {
		return nil, err
	}
	s, err := w.connect(ctx)
	if err != nil {
		return nil, err
	}
	defer s.close()
	r := &IMAPReport{Mailbox: w.cfg.Mailbox, TLS: tlsMode(w.cfg.TLS, w.cfg.InsecureSkipVerify, w.cfg.Address)}
	for c := range s.c.Caps() {
		r.Capabilities = append(r.Capabilities, string(c))
	}
	sort.Strings(r.Capabilities)
	r.Idle = s.canIdle
	var sel *imap.SelectData
	err = s.cmd(func() error {
		var err error
		sel, err = s.c.Select(w.cfg.Mailbox, &imap.SelectOptions{ReadOnly: true}).Wait()
		return err
	})
	if err != nil {
		return r, fmt.Errorf("mailbox: imap: open mailbox %q: %w", w.cfg.Mailbox, err)
	}
	r.Messages, r.UIDValidity = sel.NumMessages, sel.UIDValidity
	if w.cfg.DoneFolder != "" {
		r.DoneFolder = w.cfg.DoneFolder
		var found bool
		err = s.cmd(func() error {
			list, err := s.c.List("", w.cfg.DoneFolder, nil).Collect()
			found = len(list) > 0
			return err
		})
		if err != nil {
			return r, fmt.Errorf("mailbox: imap: list %q: %w", w.cfg.DoneFolder, err)
		}
		if !found {
			r.DoneFolder += " (absent: csprbot will create it)"
		}
	}
	_ = s.logout()
	return r, nil
}

// tlsMode says how the link was protected. The session exists only if the handshake
// (and, unless insecure_skip_verify, the certificate check against the host name) passed.
func tlsMode(mode string, skipVerify bool, addr string) string {
	switch {
	case mode == "none":
		return "none (loopback, or allow_insecure)"
	case skipVerify:
		return mode + ", certificate NOT verified (insecure_skip_verify)"
	default:
		return mode + ", certificate verified for " + addr
	}
}

// SMTPReport is what a pre-flight login to the SMTP server found.
type SMTPReport struct {
	TLS        string
	Extensions []string // of those csprbot cares about: STARTTLS, AUTH …, SIZE, 8BITMIME, SMTPUTF8
	LoggedIn   bool
}

// Check connects and logs in as Send would, then quits without sending.
func (s *SMTP) Check(ctx context.Context) (*SMTPReport, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	client, sc, err := s.dial(ctx)
	if err != nil {
		return nil, err
	}
	defer func() { _ = client.CloseWithSMTPClient(sc) }()
	_, anon := s.cfg.Auth.(noAuth)
	r := &SMTPReport{TLS: tlsMode(s.cfg.TLS, s.cfg.InsecureSkipVerify, s.cfg.Address), LoggedIn: !anon}
	if cs, ok := sc.TLSConnectionState(); ok {
		r.TLS = tls.VersionName(cs.Version) + " (" + r.TLS + ")"
	}
	for _, ext := range []string{"STARTTLS", "AUTH", "SIZE", "8BITMIME", "SMTPUTF8", "PIPELINING"} {
		if ok, param := sc.Extension(ext); ok {
			r.Extensions = append(r.Extensions, strings.TrimSpace(ext+" "+param))
		}
	}
	if err := sc.Noop(); err != nil {
		return r, fmt.Errorf("mailbox: smtp: NOOP after login: %w", err)
	}
	return r, nil
}
