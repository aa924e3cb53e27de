package main

// Shared helpers for the crash, outage and leak tests (issue 5): configuration tweaks,
// a store reader, polling with a deadline, a log buffer that goroutines may write to,
// referral documents varied per message, and two ways to run the daemon in-process.

import (
	"archive/zip"
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lewisham-lscp/csprbot/mailbox"
	"github.com/lewisham-lscp/csprbot/tracker"
)

// syncBuffer is a log sink the daemon's goroutines write to while the test reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// Lines returns the complete lines written so far.
func (s *syncBuffer) Lines() []string {
	var out []string
	for _, l := range strings.Split(s.String(), "\n") {
		if strings.TrimSpace(l) != "" {
			out = append(out, l)
		}
	}
	return out
}

// count returns how many lines contain every one of subs.
func (s *syncBuffer) count(subs ...string) int {
	n := 0
	for _, l := range s.Lines() {
		all := true
		for _, sub := range subs {
			if !strings.Contains(l, sub) {
				all = false
				break
			}
		}
		if all {
			n++
		}
	}
	return n
}

// withKeys adds lines at the top of a [section] of a TOML configuration.
func withKeys(cfg, section string, lines ...string) string {
	head := "[" + section + "]\n"
	if !strings.Contains(cfg, head) {
		return cfg + "\n" + head + strings.Join(lines, "\n") + "\n"
	}
	return strings.Replace(cfg, head, head+strings.Join(lines, "\n")+"\n", 1)
}

// rewriteConfig applies f to the e2e configuration file.
func (e *e2e) rewriteConfig(f func(string) string) {
	e.t.Helper()
	b, err := os.ReadFile(e.cfg)
	if err != nil {
		e.t.Fatal(err)
	}
	if err := os.WriteFile(e.cfg, []byte(f(string(b))), 0o600); err != nil {
		e.t.Fatal(err)
	}
}

// dbPath is where e2eConfig puts the store.
func (e *e2e) dbPath() string { return filepath.Join(e.dir, "data", "csprbot.db") }

// openStore opens a second connection to the daemon's store, as an operator would.
func openStore(t testing.TB, path string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", tracker.DSN(path))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// queryInt runs a query that returns one integer; a missing store or table counts as 0
// (the daemon may not have created it yet).
func queryInt(db *sql.DB, q string, args ...any) int {
	var n int
	if err := db.QueryRow(q, args...).Scan(&n); err != nil {
		return 0
	}
	return n
}

// eventually polls cond every 50 ms until it holds or the deadline passes; then it fails
// the test with what cond last said.
func eventually(t testing.TB, within time.Duration, what string, cond func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		ok, why := cond()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("after %s: %s: %s", within, what, why)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// referralFor is the demo referral with the child's name changed (a fictional name).
func referralFor(child string) []byte {
	if child == "" || child == "Ellie Testcase" {
		return demoReferral()
	}
	return docxReplace(demoReferral(), strings.NewReplacer("Ellie Testcase", xmlEscape(child)))
}

// docxReplace rewrites the text of a .docx's word/document.xml.
func docxReplace(doc []byte, r *strings.Replacer) []byte {
	zr, err := zip.NewReader(bytes.NewReader(doc), int64(len(doc)))
	if err != nil {
		panic(err)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			panic(err)
		}
		b, _ := io.ReadAll(rc)
		rc.Close()
		if f.Name == "word/document.xml" {
			b = []byte(r.Replace(string(b)))
		}
		w, _ := zw.Create(f.Name)
		w.Write(b)
	}
	zw.Close()
	return buf.Bytes()
}

var headerMsgID = regexp.MustCompile(`(?im)^Message-Id:\s*<?([^>\r\n]*)>?`)

// messageIDOf reads the Message-ID of a raw message (without angle brackets).
func messageIDOf(raw []byte) string {
	hdr := raw
	if i := bytes.Index(raw, []byte("\r\n\r\n")); i >= 0 {
		hdr = raw[:i]
	}
	if m := headerMsgID.FindSubmatch(hdr); m != nil {
		return strings.TrimSpace(string(m[1]))
	}
	return ""
}

// mainDaemon is `csprbot run --config CFG` running in-process through Main, as the
// binary would run it, with its stderr log captured.
type mainDaemon struct {
	log    *syncBuffer
	cancel context.CancelFunc
	done   chan int
}

func startMain(t *testing.T, args ...string) *mainDaemon {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	d := &mainDaemon{log: &syncBuffer{}, cancel: cancel, done: make(chan int, 1)}
	go func() { d.done <- Main(ctx, args, io.Discard, d.log) }()
	t.Cleanup(func() { d.stop(t) })
	return d
}

// stop cancels the daemon and waits for it; it fails the test if the daemon does not
// stop within 10 s or stopped with an error.
func (d *mainDaemon) stop(t *testing.T) {
	if d.cancel == nil {
		return
	}
	d.cancel()
	d.cancel = nil
	select {
	case code := <-d.done:
		if code != 0 {
			t.Errorf("daemon exit %d; log:\n%s", code, d.log.String())
		}
	case <-time.After(10 * time.Second):
		t.Errorf("daemon did not stop within 10 s of its context ending; log:\n%s", d.log.String())
	}
}

// exited reports whether the daemon stopped by itself (it never should).
func (d *mainDaemon) exited() (int, bool) {
	select {
	case code := <-d.done:
		d.done <- code
		return code, true
	default:
		return 0, false
	}
}

// testDaemon is the daemon cmdRun starts (the same app, watcher, sender and
// app.daemon loop) but on a clock the test moves and with a short scheduler tick: the
// outbox backs off in minutes, which a test cannot wait for in real time.
type testDaemon struct {
	app    *app
	clock  *simClock
	log    *syncBuffer
	cancel context.CancelFunc
	done   chan error
}

func startTestDaemon(t *testing.T, cfgPath string, start time.Time, tick time.Duration) *testDaemon {
	t.Helper()
	cfg, _, err := loadAppConfig(cfgPath, "")
	if err != nil {
		t.Fatal(err)
	}
	d := &testDaemon{clock: &simClock{}, log: &syncBuffer{}, done: make(chan error, 1)}
	d.clock.Set(start)
	ctx, cancel := context.WithCancel(context.Background())
	d.cancel = cancel
	a, err := openApp(ctx, cfg, false, d.clock.Now, newLogger(d.log, cfg.Log.Level))
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	d.app = a
	w := mailbox.NewWatcher(a.imapConfig(), a.store.Cursor, a.handle)
	s, err := a.smtp()
	if err != nil {
		cancel()
		a.Close()
		t.Fatal(err)
	}
	go func() { d.done <- a.daemon(ctx, w, s, tick) }()
	t.Cleanup(func() { d.stop(t) })
	return d
}

func (d *testDaemon) advance(by time.Duration) { d.clock.Set(d.clock.Now().Add(by)) }

func (d *testDaemon) stop(t *testing.T) {
	if d.cancel == nil {
		return
	}
	d.cancel()
	d.cancel = nil
	select {
	case err := <-d.done:
		if err != nil {
			t.Errorf("daemon: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Errorf("daemon did not stop within 10 s of its context ending")
	}
	d.app.Close()
}

// sinkCount counts the messages at the sink with this Message-ID.
func (e *e2e) sinkCount(id string) int {
	n := 0
	for _, r := range e.smtp.Messages() {
		if strings.Trim(r.MessageID, "<>") == strings.Trim(id, "<>") {
			n++
		}
	}
	return n
}

// sinkTo counts the messages at the sink addressed to addr.
func (e *e2e) sinkTo(addr string) int {
	n := 0
	for _, r := range e.smtp.Messages() {
		for _, to := range r.To {
			if strings.EqualFold(to, addr) {
				n++
			}
		}
	}
	return n
}

// deliverRaw puts one message into the partnership's inbox.
func (e *e2e) deliverRaw(m demoMail, at time.Time) string {
	e.t.Helper()
	e.n++
	raw := m.raw("safeguardingpartnership@lewisham.gov.uk", at, e.n)
	if err := e.imap.Deliver("INBOX", raw, at); err != nil {
		e.t.Fatal(err)
	}
	return messageIDOf(raw)
}

// seen reports whether the message with this Message-ID is in INBOX and flagged \Seen.
func (e *e2e) seen(id string) (present, seen bool) {
	msgs, err := e.imap.Messages("INBOX")
	if err != nil {
		return false, false
	}
	for _, m := range msgs {
		if messageIDOf(m.Raw) == id {
			return true, m.HasFlag(`\Seen`)
		}
	}
	return false, false
}

func fmtLines(lines []string) string {
	if len(lines) == 0 {
		return "(none)"
	}
	return fmt.Sprintf("%d lines:\n  %s", len(lines), strings.Join(lines, "\n  "))
}
