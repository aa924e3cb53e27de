package mailbox

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lewisham-lscp/csprbot/mailbox/devserver"
)

const (
	testUser = "partnership@example.org"
	testPass = "secret"
)

// store stands in for the tracker: it records a message and advances the cursor in
// one step, as the tracker's transaction does.
type store struct {
	mu       sync.Mutex
	validity uint32
	last     uint32
	got      []*Fetched
	fail     func(*Fetched) error
	seen     map[uint32]bool // \Seen at the moment of handling (must be false)
	imap     *devserver.IMAP
	notified chan struct{}
}

func newStore(im *devserver.IMAP) *store {
	return &store{imap: im, seen: map[uint32]bool{}, notified: make(chan struct{}, 100)}
}

func (s *store) cursor(ctx context.Context, mailbox string) (uint32, uint32, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.validity, s.last, nil
}

func (s *store) handle(ctx context.Context, f *Fetched) error {
	s.mu.Lock()
	fail := s.fail
	s.mu.Unlock()
	if fail != nil {
		if err := fail(f); err != nil {
			return err
		}
	}
	if s.imap != nil {
		msgs, err := s.imap.Messages(f.Mailbox)
		if err == nil {
			for _, m := range msgs {
				if m.UID == f.UID && m.HasFlag(`\Seen`) {
					s.mu.Lock()
					s.seen[f.UID] = true
					s.mu.Unlock()
				}
			}
		}
	}
	s.mu.Lock()
	s.got = append(s.got, f)
	s.validity, s.last = f.UIDValidity, f.UID
	s.mu.Unlock()
	s.notified <- struct{}{}
	return nil
}

func (s *store) subjects() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, f := range s.got {
		out = append(out, subjectOf(f.Raw))
	}
	return out
}

func subjectOf(raw []byte) string {
	for _, line := range strings.Split(string(raw), "\r\n") {
		if v, ok := strings.CutPrefix(line, "Subject: "); ok {
			return v
		}
	}
	return ""
}

func testMsg(subject string) []byte {
	return []byte("From: Agency <agency@example.org>\r\nTo: " + testUser + "\r\nSubject: " + subject +
		"\r\nMessage-ID: <" + strings.ReplaceAll(subject, " ", ".") + "@example.org>\r\nDate: Mon, 02 Jun 2025 10:00:00 +0100\r\n\r\nBody of " + subject + "\r\n")
}

func startIMAP(t *testing.T, mailboxes ...string) *devserver.IMAP {
	t.Helper()
	im, err := devserver.StartIMAP("127.0.0.1:0", testUser, testPass, mailboxes...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { im.Close() })
	return im
}

func deliver(t *testing.T, im *devserver.IMAP, subjects ...string) {
	t.Helper()
	for _, s := range subjects {
		if err := im.Deliver("INBOX", testMsg(s), time.Time{}); err != nil {
			t.Fatal(err)
		}
	}
}

func testWatcher(im *devserver.IMAP, st *store, mod func(*IMAPConfig)) *Watcher {
	cfg := IMAPConfig{Address: im.Addr, TLS: "none", Auth: PasswordAuth(testUser, testPass), PollInterval: time.Minute}
	if mod != nil {
		mod(&cfg)
	}
	w := NewWatcher(cfg, st.cursor, st.handle)
	w.backoffMin = 50 * time.Millisecond
	w.backoffMax = 200 * time.Millisecond
	w.idleCheck = 300 * time.Millisecond
	return w
}

func flags(t *testing.T, im *devserver.IMAP, mailbox string) map[string]bool {
	t.Helper()
	msgs, err := im.Messages(mailbox)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]bool{}
	for _, m := range msgs {
		out[subjectOf(m.Raw)] = m.HasFlag(`\Seen`)
	}
	return out
}

func equal(a, b []string) bool { return strings.Join(a, "|") == strings.Join(b, "|") }

func TestOnceHandlesInOrderAndMarksAfter(t *testing.T) {
	im := startIMAP(t)
	deliver(t, im, "one", "two", "three")
	st := newStore(im)
	w := testWatcher(im, st, nil)
	if err := w.Once(context.Background()); err != nil {
		t.Fatalf("Once: %v", err)
	}
	if got, want := st.subjects(), []string{"one", "two", "three"}; !equal(got, want) {
		t.Fatalf("handled %v, want %v", got, want)
	}
	for uid, seen := range st.seen {
		if seen {
			t.Errorf("uid %d was already \\Seen when handled", uid)
		}
	}
	for subj, seen := range flags(t, im, "INBOX") {
		if !seen {
			t.Errorf("%q not marked \\Seen after handling", subj)
		}
	}
	// A second pass, and a new watcher (a restart) with the same cursor, handle nothing new.
	if err := w.Once(context.Background()); err != nil {
		t.Fatal(err)
	}
	deliver(t, im, "four")
	if err := testWatcher(im, st, nil).Once(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got, want := st.subjects(), []string{"one", "two", "three", "four"}; !equal(got, want) {
		t.Fatalf("after restart handled %v, want %v", got, want)
	}
	if f := st.got[0]; f.InternalDate.IsZero() || f.Size != int64(len(testMsg("one"))) || f.UIDValidity == 0 || f.Mailbox != "INBOX" {
		t.Errorf("Fetched = %+v, want date, size %d, validity", f, len(testMsg("one")))
	}
}

func TestHandleErrorStopsPassAndRetries(t *testing.T) {
	im := startIMAP(t)
	deliver(t, im, "one", "two", "three")
	st := newStore(im)
	st.fail = func(f *Fetched) error {
		if subjectOf(f.Raw) == "two" {
			return errors.New("database locked")
		}
		return nil
	}
	w := testWatcher(im, st, nil)
	err := w.Once(context.Background())
	if err == nil || !strings.Contains(err.Error(), "database locked") {
		t.Fatalf("Once = %v, want the handler's error", err)
	}
	if got, want := st.subjects(), []string{"one"}; !equal(got, want) {
		t.Fatalf("handled %v, want %v", got, want)
	}
	if got := flags(t, im, "INBOX"); !got["one"] || got["two"] || got["three"] {
		t.Fatalf("seen flags = %v, want only one", got)
	}
	st.mu.Lock()
	st.fail = nil
	st.mu.Unlock()
	if err := w.Once(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got, want := st.subjects(), []string{"one", "two", "three"}; !equal(got, want) {
		t.Fatalf("after retry handled %v, want %v", got, want)
	}
}

func TestRemarkAfterCrash(t *testing.T) {
	im := startIMAP(t)
	deliver(t, im, "one", "two", "three")
	st := newStore(im)
	// The tracker committed one and two but the process died before marking them.
	msgs, _ := im.Messages("INBOX")
	st.validity, st.last = validityOf(t, im), msgs[1].UID
	if err := testWatcher(im, st, nil).Once(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got, want := st.subjects(), []string{"three"}; !equal(got, want) {
		t.Fatalf("handled %v, want %v", got, want)
	}
	for subj, seen := range flags(t, im, "INBOX") {
		if !seen {
			t.Errorf("%q not marked", subj)
		}
	}
}

func validityOf(t *testing.T, im *devserver.IMAP) uint32 {
	t.Helper()
	st := newStore(nil)
	w := testWatcher(im, st, nil)
	s, err := w.connect(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer s.close()
	sel, err := s.c.Select("INBOX", nil).Wait()
	if err != nil {
		t.Fatal(err)
	}
	return sel.UIDValidity
}

func TestUIDValidityChange(t *testing.T) {
	im := startIMAP(t)
	deliver(t, im, "one", "two", "three")
	st := newStore(im)
	w := testWatcher(im, st, nil)
	if err := w.Once(context.Background()); err != nil {
		t.Fatal(err)
	}
	old := st.validity
	if err := im.RecreateMailbox("INBOX"); err != nil {
		t.Fatal(err)
	}
	deliver(t, im, "after")
	if err := w.Once(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got, want := st.subjects(), []string{"one", "two", "three", "after"}; !equal(got, want) {
		t.Fatalf("handled %v, want %v", got, want)
	}
	if st.validity == old || st.last != 1 {
		t.Errorf("cursor = (%d, %d), want a new validity and UID 1", st.validity, st.last)
	}
}

func TestDoneFolderMove(t *testing.T) {
	for _, existing := range []bool{false, true} {
		t.Run(fmt.Sprintf("exists=%v", existing), func(t *testing.T) {
			var im *devserver.IMAP
			if existing {
				im = startIMAP(t, "Processed")
			} else {
				im = startIMAP(t)
			}
			deliver(t, im, "one", "two")
			st := newStore(im)
			w := testWatcher(im, st, func(c *IMAPConfig) { c.DoneFolder = "Processed" })
			if err := w.Once(context.Background()); err != nil {
				t.Fatal(err)
			}
			if got := flags(t, im, "INBOX"); len(got) != 0 {
				t.Errorf("INBOX still holds %v", got)
			}
			got := flags(t, im, "Processed")
			if len(got) != 2 || got["one"] || got["two"] {
				t.Errorf("Processed = %v (subject: seen), want one and two, unseen", got)
			}
			if want := []string{"one", "two"}; !equal(st.subjects(), want) {
				t.Errorf("handled %v, want %v", st.subjects(), want)
			}
		})
	}
}

func TestTooLarge(t *testing.T) {
	im := startIMAP(t)
	deliver(t, im, "small")
	big := append(testMsg("big"), []byte(strings.Repeat("x", 5000))...)
	if err := im.Deliver("INBOX", big, time.Time{}); err != nil {
		t.Fatal(err)
	}
	st := newStore(nil)
	w := testWatcher(im, st, func(c *IMAPConfig) { c.MaxMessageSize = 2000 })
	if err := w.Once(context.Background()); err != nil {
		t.Fatal(err)
	}
	if len(st.got) != 2 {
		t.Fatalf("handled %d messages, want 2", len(st.got))
	}
	if f := st.got[0]; f.TooLarge || f.Raw == nil {
		t.Errorf("small: TooLarge=%v Raw=%d bytes", f.TooLarge, len(f.Raw))
	}
	if f := st.got[1]; !f.TooLarge || f.Raw != nil || f.Size != int64(len(big)) {
		t.Errorf("big: TooLarge=%v Raw=%d bytes Size=%d, want TooLarge, no Raw, %d", f.TooLarge, len(f.Raw), f.Size, len(big))
	}
}

func TestConfigErrors(t *testing.T) {
	st := newStore(nil)
	tests := []struct {
		name string
		cfg  IMAPConfig
		want string
	}{
		{"plain to network", IMAPConfig{Address: "192.0.2.1:143", TLS: "none", Auth: PasswordAuth("a", "b")}, "allow_insecure"},
		{"bad tls", IMAPConfig{Address: "127.0.0.1:143", TLS: "yes", Auth: PasswordAuth("a", "b")}, "tls must be"},
		{"no address", IMAPConfig{TLS: "tls", Auth: PasswordAuth("a", "b")}, "no address"},
		{"no auth", IMAPConfig{Address: "127.0.0.1:1", TLS: "tls"}, "no login"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := NewWatcher(tt.cfg, st.cursor, st.handle)
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			for name, f := range map[string]func(context.Context) error{"Once": w.Once, "Run": w.Run} {
				if err := f(ctx); err == nil || !strings.Contains(err.Error(), tt.want) {
					t.Errorf("%s = %v, want an error containing %q", name, err, tt.want)
				}
			}
		})
	}
	// Allowed explicitly: no configuration error (the dial fails later instead).
	w := NewWatcher(IMAPConfig{Address: "192.0.2.1:143", TLS: "none", AllowInsecure: true, Auth: NoAuth()}, st.cursor, st.handle)
	if err := w.validate(); err != nil {
		t.Errorf("validate with AllowInsecure = %v", err)
	}
}

func TestLoginFailure(t *testing.T) {
	im := startIMAP(t)
	st := newStore(nil)
	w := testWatcher(im, st, func(c *IMAPConfig) { c.Auth = PasswordAuth(testUser, "wrong") })
	if err := w.Once(context.Background()); err == nil {
		t.Fatal("Once with a wrong password succeeded")
	}
}

// waitFor waits until the store has handled n messages.
func waitFor(t *testing.T, st *store, n int, within time.Duration) {
	t.Helper()
	deadline := time.After(within)
	for {
		st.mu.Lock()
		got := len(st.got)
		st.mu.Unlock()
		if got >= n {
			return
		}
		select {
		case <-st.notified:
		case <-deadline:
			t.Fatalf("handled %d messages (%v) within %v, want %d", got, st.subjects(), within, n)
		}
	}
}

func runWatcher(t *testing.T, w *Watcher) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- w.Run(ctx) }()
	return func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Run = %v, want nil after cancel", err)
			}
		case <-time.After(5 * time.Second):
			t.Error("Run did not return after cancel")
		}
	}
}

func TestRunIdleDelivery(t *testing.T) {
	im := startIMAP(t)
	deliver(t, im, "before")
	st := newStore(im)
	// A long poll interval: only IDLE (and the check just after entering it) can be quick.
	w := testWatcher(im, st, func(c *IMAPConfig) { c.PollInterval = time.Minute })
	stop := runWatcher(t, w)
	defer stop()
	waitFor(t, st, 1, 5*time.Second)
	time.Sleep(time.Second) // well inside IDLE
	start := time.Now()
	deliver(t, im, "while idle")
	waitFor(t, st, 2, 5*time.Second)
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("IDLE delivery took %v", d)
	}
	deliver(t, im, "burst 1", "burst 2", "burst 3")
	waitFor(t, st, 5, 5*time.Second)
	if got, want := st.subjects(), []string{"before", "while idle", "burst 1", "burst 2", "burst 3"}; !equal(got, want) {
		t.Fatalf("handled %v, want %v", got, want)
	}
	// The mark follows the handler: give it a moment.
	deadline := time.Now().Add(3 * time.Second)
	for {
		unmarked := []string{}
		for subj, seen := range flags(t, im, "INBOX") {
			if !seen {
				unmarked = append(unmarked, subj)
			}
		}
		if len(unmarked) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("not marked: %v", unmarked)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestRunPollWithoutNotification(t *testing.T) {
	im := startIMAP(t)
	st := newStore(nil)
	w := testWatcher(im, st, func(c *IMAPConfig) { c.PollInterval = 300 * time.Millisecond })
	stop := runWatcher(t, w)
	defer stop()
	time.Sleep(200 * time.Millisecond)
	// A recreated mailbox sends no notification to the old selection: only the poll finds it.
	if err := im.RecreateMailbox("INBOX"); err != nil {
		t.Fatal(err)
	}
	deliver(t, im, "polled")
	waitFor(t, st, 1, 5*time.Second)
}

func TestRunReconnectsAfterRestart(t *testing.T) {
	im := startIMAP(t)
	st := newStore(nil)
	w := testWatcher(im, st, func(c *IMAPConfig) { c.PollInterval = 500 * time.Millisecond })
	stop := runWatcher(t, w)
	defer stop()
	deliver(t, im, "one")
	waitFor(t, st, 1, 5*time.Second)
	if err := im.Restart(); err != nil {
		t.Fatal(err)
	}
	deliver(t, im, "two")
	waitFor(t, st, 2, 10*time.Second)
	// A longer outage: nothing listening for a while.
	if err := im.Stop(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(700 * time.Millisecond)
	deliver(t, im, "three")
	if err := im.Start(); err != nil {
		t.Fatal(err)
	}
	waitFor(t, st, 3, 10*time.Second)
	if got, want := st.subjects(), []string{"one", "two", "three"}; !equal(got, want) {
		t.Fatalf("handled %v, want %v", got, want)
	}
}

func TestRunRetriesHandlerError(t *testing.T) {
	im := startIMAP(t)
	deliver(t, im, "one", "two")
	st := newStore(nil)
	var mu sync.Mutex
	failures := 0
	st.fail = func(f *Fetched) error {
		mu.Lock()
		defer mu.Unlock()
		if subjectOf(f.Raw) == "two" && failures < 2 {
			failures++
			return errors.New("busy")
		}
		return nil
	}
	w := testWatcher(im, st, nil)
	stop := runWatcher(t, w)
	defer stop()
	waitFor(t, st, 2, 10*time.Second)
	if got, want := st.subjects(), []string{"one", "two"}; !equal(got, want) {
		t.Fatalf("handled %v, want %v", got, want)
	}
	mu.Lock()
	defer mu.Unlock()
	if failures != 2 {
		t.Errorf("handler failed %d times, want 2", failures)
	}
}

// freezer is a TCP proxy whose existing connections can be made to go silent
// without closing, as a NAT timeout does.
type freezer struct {
	ln     net.Listener
	target string
	mu     sync.Mutex
	frozen []chan struct{}
	conns  []net.Conn
}

func startFreezer(t *testing.T, target string) *freezer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	f := &freezer{ln: ln, target: target}
	t.Cleanup(func() {
		ln.Close()
		f.mu.Lock()
		for _, c := range f.conns {
			c.Close()
		}
		f.mu.Unlock()
	})
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			s, err := net.Dial("tcp", target)
			if err != nil {
				c.Close()
				continue
			}
			stop := make(chan struct{})
			f.mu.Lock()
			f.frozen = append(f.frozen, stop)
			f.conns = append(f.conns, c, s)
			f.mu.Unlock()
			go pipe(c, s, stop)
			go pipe(s, c, stop)
		}
	}()
	return f
}

func pipe(dst, src net.Conn, stop chan struct{}) {
	buf := make([]byte, 32*1024)
	for {
		n, err := src.Read(buf)
		select {
		case <-stop:
			<-make(chan struct{}) // silent forever (until the test closes the sockets)
		default:
		}
		if n > 0 {
			if _, werr := dst.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			dst.Close()
			return
		}
	}
}

// freeze makes every existing connection silent.
func (f *freezer) freeze() {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, s := range f.frozen {
		close(s)
	}
	f.frozen = nil
}

func TestRunDetectsSilentConnection(t *testing.T) {
	im := startIMAP(t)
	fr := startFreezer(t, im.Addr)
	st := newStore(nil)
	w := testWatcher(im, st, func(c *IMAPConfig) {
		c.Address = fr.ln.Addr().String()
		c.PollInterval = 300 * time.Millisecond
	})
	w.deadAfter = 500 * time.Millisecond
	stop := runWatcher(t, w)
	defer stop()
	deliver(t, im, "one")
	waitFor(t, st, 1, 5*time.Second)
	fr.freeze()
	deliver(t, im, "two")
	waitFor(t, st, 2, 10*time.Second)
}
