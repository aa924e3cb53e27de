package devserver

import (
	"bytes"
	"fmt"
	"io"
	"log"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/emersion/go-smtp"
)

// Received is one message the sink accepted.
type Received struct {
	From      string
	To        []string
	Data      []byte
	MessageID string // without angle brackets
	// Problems are what the strict reader (Check, and the part check if one is set)
	// found wrong with Data; empty for a message within the standards.
	Problems []string
}

// SMTPSink is an SMTP server on loopback that keeps every message it accepts.
type SMTPSink struct {
	Addr string

	dir string
	srv *smtp.Server
	ln  *hangListener

	mu        sync.Mutex
	msgs      []Received
	onDeliver []func(Received)
	failCode  int
	failMsg   string
	failN     int // transactions left to fail; <0: until reset
	rejects   map[string]int
	hang      time.Duration
	seq       int
	partCheck func(Part) error
	refuse    bool
}

// StartSMTP starts a sink on addr. If dir is not empty, every accepted message is also
// written there as NNN-<message-id>.eml.
func StartSMTP(addr, dir string) (*SMTPSink, error) {
	if dir != "" {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, fmt.Errorf("devserver: smtp dir: %w", err)
		}
	}
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("devserver: smtp listen: %w", err)
	}
	s := &SMTPSink{Addr: l.Addr().String(), dir: dir, rejects: map[string]int{}}
	s.ln = newHangListener(l, s.hangFor)
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) {
		return &sinkSession{s: s}, nil
	}))
	srv.Domain = "localhost"
	srv.AllowInsecureAuth = true
	srv.MaxMessageBytes = 100 << 20
	srv.MaxRecipients = 1000
	srv.ReadTimeout = 5 * time.Minute
	srv.WriteTimeout = 5 * time.Minute
	srv.ErrorLog = log.New(io.Discard, "", 0)
	s.srv = srv
	go func() { _ = srv.Serve(s.ln) }()
	return s, nil
}

// Messages returns a copy of every message accepted so far, in order.
func (s *SMTPSink) Messages() []Received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Received(nil), s.msgs...)
}

// OnDeliver adds a hook called (outside the sink's lock) for every accepted message.
func (s *SMTPSink) OnDeliver(f func(Received)) {
	s.mu.Lock()
	s.onDeliver = append(s.onDeliver, f)
	s.mu.Unlock()
}

// Problems lists what the strict reader found wrong in every message accepted so
// far, each prefixed with its Message-ID; empty when every message was sound.
func (s *SMTPSink) Problems() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, m := range s.msgs {
		for _, p := range m.Problems {
			out = append(out, "<"+m.MessageID+">: "+p)
		}
	}
	return out
}

// CheckParts adds f to the strict reader: it is called for every leaf part of every
// message, and an error it returns is recorded as a problem. Tests use it to read
// calendar parts with an iCalendar parser.
func (s *SMTPSink) CheckParts(f func(Part) error) {
	s.mu.Lock()
	s.partCheck = f
	s.mu.Unlock()
}

// RefuseInvalid makes the sink refuse, at the end of DATA with 554 5.6.0 as a strict
// server would, any message the strict reader finds fault with (instead of accepting
// it and recording the problems).
func (s *SMTPSink) RefuseInvalid(on bool) {
	s.mu.Lock()
	s.refuse = on
	s.mu.Unlock()
}

// inspect runs the strict reader and the part check over data.
func (s *SMTPSink) inspect(data []byte) (problems []string, refuse bool) {
	s.mu.Lock()
	f, refuse := s.partCheck, s.refuse
	s.mu.Unlock()
	rep := Check(data)
	problems = rep.Problems
	if f != nil {
		for _, p := range rep.Parts {
			if err := f(p); err != nil {
				where := "part " + p.Path
				if p.Path == "" {
					where = "body"
				}
				problems = append(problems, fmt.Sprintf("%s (%s): %v", where, p.MediaType, err))
			}
		}
	}
	return problems, refuse
}

// Fail makes the next n transactions fail at DATA with code and msg; n < 0 fails
// until Fail(0, "", 0) resets it.
func (s *SMTPSink) Fail(code int, msg string, n int) {
	s.mu.Lock()
	s.failCode, s.failMsg, s.failN = code, msg, n
	s.mu.Unlock()
}

// RejectRecipient makes RCPT TO:<addr> fail with code (0 removes the rule).
func (s *SMTPSink) RejectRecipient(addr string, code int) {
	s.mu.Lock()
	if code == 0 {
		delete(s.rejects, strings.ToLower(addr))
	} else {
		s.rejects[strings.ToLower(addr)] = code
	}
	s.mu.Unlock()
}

// Hang makes the sink accept connections but stall d before the greeting, and stall
// d before answering DATA. Hang(0) ends it.
func (s *SMTPSink) Hang(d time.Duration) {
	s.mu.Lock()
	s.hang = d
	s.mu.Unlock()
}

func (s *SMTPSink) hangFor() time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.hang
}

// Close stops the sink.
func (s *SMTPSink) Close() error {
	err := s.srv.Close()
	s.ln.closeHeld()
	return err
}

func (s *SMTPSink) rcptCode(addr string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.rejects[strings.ToLower(addr)]
}

// takeFailure consumes one planned failure, if any.
func (s *SMTPSink) takeFailure() (int, string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.failN == 0 || s.failCode == 0 {
		return 0, ""
	}
	if s.failN > 0 {
		s.failN--
	}
	return s.failCode, s.failMsg
}

var msgIDRe = lazyRegexp(`(?im)^Message-Id:\s*<?([^>\r\n]*)>?`)
var unsafeName = lazyRegexp(`[^A-Za-z0-9._@-]+`)

func (s *SMTPSink) deliver(r Received) error {
	if m := msgIDRe().FindSubmatch(headerBlock(r.Data)); m != nil {
		r.MessageID = strings.TrimSpace(string(m[1]))
	}
	s.mu.Lock()
	s.seq++
	seq := s.seq
	s.msgs = append(s.msgs, r)
	hooks := append([]func(Received){}, s.onDeliver...)
	s.mu.Unlock()
	if s.dir != "" {
		id := unsafeName().ReplaceAllString(r.MessageID, "_")
		if len(id) > 100 {
			id = id[:100]
		}
		name := filepath.Join(s.dir, fmt.Sprintf("%03d-%s.eml", seq, id))
		if err := os.WriteFile(name, r.Data, 0o600); err != nil {
			return fmt.Errorf("devserver: write %s: %w", name, err)
		}
	}
	for _, h := range hooks {
		h(r)
	}
	return nil
}

func headerBlock(b []byte) []byte {
	if i := bytes.Index(b, []byte("\r\n\r\n")); i >= 0 {
		return b[:i]
	}
	if i := bytes.Index(b, []byte("\n\n")); i >= 0 {
		return b[:i]
	}
	return b
}

type sinkSession struct {
	s    *SMTPSink
	from string
	to   []string
}

func (ss *sinkSession) Reset()        { ss.from, ss.to = "", nil }
func (ss *sinkSession) Logout() error { return nil }

func (ss *sinkSession) Mail(from string, _ *smtp.MailOptions) error {
	ss.from = from
	return nil
}

func (ss *sinkSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	if code := ss.s.rcptCode(to); code != 0 {
		return &smtp.SMTPError{Code: code, EnhancedCode: enhanced(code, 1, 1), Message: "recipient rejected: " + to}
	}
	ss.to = append(ss.to, to)
	return nil
}

func (ss *sinkSession) Data(r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	if d := ss.s.hangFor(); d > 0 {
		time.Sleep(d)
	}
	if code, msg := ss.s.takeFailure(); code != 0 {
		if msg == "" {
			msg = "transaction failed"
		}
		return &smtp.SMTPError{Code: code, EnhancedCode: enhanced(code, 0, 0), Message: msg}
	}
	problems, refuse := ss.s.inspect(data)
	if refuse && len(problems) > 0 {
		return &smtp.SMTPError{Code: 554, EnhancedCode: smtp.EnhancedCode{5, 6, 0}, Message: "message refused: " + problems[0]}
	}
	rec := Received{From: ss.from, To: append([]string(nil), ss.to...), Data: data, Problems: problems}
	if err := ss.s.deliver(rec); err != nil {
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: err.Error()}
	}
	return nil
}

func enhanced(code, a, b int) smtp.EnhancedCode {
	return smtp.EnhancedCode{code / 100, a, b}
}

// hangListener delays handing a connection to the server (so the greeting is late)
// while the sink is told to hang, without holding up other connections.
type hangListener struct {
	net.Listener
	hang  func() time.Duration
	ch    chan net.Conn
	errCh chan error

	mu   sync.Mutex
	held map[net.Conn]struct{}
	done chan struct{}
	once sync.Once
}

func newHangListener(l net.Listener, hang func() time.Duration) *hangListener {
	h := &hangListener{Listener: l, hang: hang, ch: make(chan net.Conn), errCh: make(chan error, 1),
		held: map[net.Conn]struct{}{}, done: make(chan struct{})}
	go h.loop()
	return h
}

func (h *hangListener) loop() {
	for {
		c, err := h.Listener.Accept()
		if err != nil {
			h.errCh <- err
			return
		}
		d := h.hang()
		if d <= 0 {
			select {
			case h.ch <- c:
			case <-h.done:
				c.Close()
				return
			}
			continue
		}
		h.mu.Lock()
		h.held[c] = struct{}{}
		h.mu.Unlock()
		go func() {
			select {
			case <-time.After(d):
			case <-h.done:
			}
			h.mu.Lock()
			delete(h.held, c)
			h.mu.Unlock()
			select {
			case h.ch <- c:
			case <-h.done:
				c.Close()
			}
		}()
	}
}

func (h *hangListener) Accept() (net.Conn, error) {
	select {
	case c := <-h.ch:
		return c, nil
	case err := <-h.errCh:
		h.errCh <- err
		return nil, err
	case <-h.done:
		return nil, net.ErrClosed
	}
}

func (h *hangListener) Close() error {
	h.once.Do(func() { close(h.done) })
	return h.Listener.Close()
}

func (h *hangListener) closeHeld() {
	h.mu.Lock()
	defer h.mu.Unlock()
	for c := range h.held {
		c.Close()
	}
}
