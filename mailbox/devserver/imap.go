// Package devserver runs real IMAP and SMTP servers on loopback, backed by memory:
// for tests, and for `csprbot run`'s embedded default. It must not import "testing".
package devserver

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"
)

// IMAP is an in-memory IMAP server listening on Addr.
type IMAP struct {
	Addr           string
	User, Password string

	mem  *imapmemserver.Server
	user *imapmemserver.User

	mu     sync.Mutex
	srv    *imapserver.Server
	ln     net.Listener
	done   chan struct{}
	closed bool
}

// StartIMAP starts a server on addr ("127.0.0.1:0" picks a free port) with one user
// and the given mailboxes; INBOX always exists.
func StartIMAP(addr, user, password string, mailboxes ...string) (*IMAP, error) {
	mem := imapmemserver.New()
	u := imapmemserver.NewUser(user, password)
	names := append([]string{"INBOX"}, mailboxes...)
	seen := map[string]bool{}
	for _, name := range names {
		if seen[name] {
			continue
		}
		seen[name] = true
		if err := u.Create(name, nil); err != nil {
			return nil, fmt.Errorf("devserver: create mailbox %q: %w", name, err)
		}
	}
	mem.AddUser(u)
	s := &IMAP{User: user, Password: password, mem: mem, user: u}
	if err := s.listen(addr); err != nil {
		return nil, err
	}
	return s, nil
}

func (s *IMAP) listen(addr string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("devserver: imap listen: %w", err)
	}
	srv := imapserver.New(&imapserver.Options{
		NewSession: func(*imapserver.Conn) (imapserver.Session, *imapserver.GreetingData, error) {
			return s.mem.NewSession(), nil, nil
		},
		Caps: imap.CapSet{
			imap.CapIMAP4rev1: {},
			imap.CapIMAP4rev2: {},
			imap.CapIdle:      {},
			imap.CapMove:      {},
			imap.CapUIDPlus:   {},
			imap.CapNamespace: {},
		},
		InsecureAuth: true,
		Logger:       log.New(io.Discard, "", 0),
	})
	done := make(chan struct{})
	s.mu.Lock()
	s.srv, s.ln, s.done, s.Addr = srv, ln, done, ln.Addr().String()
	s.mu.Unlock()
	go func() {
		defer close(done)
		_ = srv.Serve(ln)
	}()
	return nil
}

// Deliver appends raw to mailbox with the given arrival date (zero: now), as an
// MTA would. IDLE clients are notified.
func (s *IMAP) Deliver(mailbox string, raw []byte, date time.Time) error {
	if mailbox == "" {
		mailbox = "INBOX"
	}
	_, err := s.user.Append(mailbox, literal{bytes.NewReader(raw), int64(len(raw))}, &imap.AppendOptions{Time: date})
	if err != nil {
		return fmt.Errorf("devserver: deliver to %s: %w", mailbox, err)
	}
	return nil
}

type literal struct {
	*bytes.Reader
	n int64
}

func (l literal) Size() int64 { return l.n }

// Close stops the server and drops every connection.
func (s *IMAP) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	srv, done := s.srv, s.done
	s.mu.Unlock()
	err := srv.Close()
	<-done
	return err
}

// Restart drops every connection, stops listening, and listens again on the same
// address with the same mailboxes (for outage tests).
func (s *IMAP) Restart() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return errors.New("devserver: imap closed")
	}
	srv, done, addr := s.srv, s.done, s.Addr
	s.mu.Unlock()
	_ = srv.Close()
	<-done
	var err error
	for i := 0; i < 50; i++ { // the port may linger briefly
		if err = s.listen(addr); err == nil {
			return nil
		}
		time.Sleep(20 * time.Millisecond)
	}
	return err
}

// Stop stops listening and drops every connection until Start is called (a longer outage).
func (s *IMAP) Stop() error {
	s.mu.Lock()
	srv, done := s.srv, s.done
	s.mu.Unlock()
	err := srv.Close()
	<-done
	return err
}

// Start listens again on the address after Stop.
func (s *IMAP) Start() error { return s.listen(s.Addr) }

// RecreateMailbox deletes the mailbox and creates it again, empty, with a new UIDVALIDITY.
func (s *IMAP) RecreateMailbox(name string) error {
	if err := s.user.Delete(name); err != nil {
		return fmt.Errorf("devserver: delete %s: %w", name, err)
	}
	if err := s.user.Create(name, nil); err != nil {
		return fmt.Errorf("devserver: create %s: %w", name, err)
	}
	return nil
}

// Message is one message as the server holds it.
type Message struct {
	UID   uint32
	Flags []string
	Raw   []byte
	Date  time.Time
}

// Messages lists the messages in a mailbox with their flags, in UID order (for tests and
// the demo). It reads them over IMAP, as a client would.
func (s *IMAP) Messages(mailbox string) ([]Message, error) {
	c, err := imapclient.DialInsecure(s.Addr, nil)
	if err != nil {
		return nil, fmt.Errorf("devserver: dial: %w", err)
	}
	defer c.Close()
	if err := c.Login(s.User, s.Password).Wait(); err != nil {
		return nil, fmt.Errorf("devserver: login: %w", err)
	}
	sel, err := c.Select(mailbox, &imap.SelectOptions{ReadOnly: true}).Wait()
	if err != nil {
		return nil, fmt.Errorf("devserver: select %s: %w", mailbox, err)
	}
	if sel.NumMessages == 0 {
		return nil, nil
	}
	var all imap.SeqSet
	all.AddRange(1, 0)
	bufs, err := c.Fetch(all, &imap.FetchOptions{
		UID: true, Flags: true, InternalDate: true,
		BodySection: []*imap.FetchItemBodySection{{Peek: true}},
	}).Collect()
	if err != nil {
		return nil, fmt.Errorf("devserver: fetch %s: %w", mailbox, err)
	}
	out := make([]Message, 0, len(bufs))
	for _, b := range bufs {
		m := Message{UID: uint32(b.UID), Date: b.InternalDate}
		for _, f := range b.Flags {
			m.Flags = append(m.Flags, string(f))
		}
		if len(b.BodySection) > 0 {
			m.Raw = b.BodySection[0].Bytes
		}
		out = append(out, m)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].UID < out[j].UID })
	_ = c.Logout().Wait()
	return out, nil
}

// HasFlag reports whether m carries flag (e.g. `\Seen`).
func (m Message) HasFlag(flag string) bool {
	for _, f := range m.Flags {
		if strings.EqualFold(f, flag) {
			return true
		}
	}
	return false
}
