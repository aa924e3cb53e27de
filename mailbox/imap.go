package mailbox

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"mime"
	"net"
	"os"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/emersion/go-message/charset"
)

// IMAPConfig says where the partnership's mailbox is and how to watch it.
type IMAPConfig struct {
	Address            string // host:port
	TLS                string // "none" | "starttls" | "tls"
	InsecureSkipVerify bool
	AllowInsecure      bool          // permit TLS "none" to a non-loopback server
	Mailbox            string        // default "INBOX"
	DoneFolder         string        // if set, processed messages are MOVEd there; else flagged \Seen
	Auth               Auth          // required
	PollInterval       time.Duration // default 30s; poll even when IDLE works
	IdleRestart        time.Duration // default 20m (< 29m)
	MaxMessageSize     int64         // default 50 MiB: larger ones reach the handler with TooLarge and no Raw
	// SpoolDir, when set, is where each message body over 1 MiB is written as it streams
	// in from the server (Fetched.Spool) instead of being read into memory
	// (Fetched.Raw). The watcher removes the file once the handler returns, and sweeps
	// what a csprbot that died left there when it starts (Run, Once).
	SpoolDir string
	Logger   *slog.Logger
}

// Fetched is one message as the server gave it.
type Fetched struct {
	Mailbox      string
	UIDValidity  uint32
	UID          uint32
	InternalDate time.Time // the server's arrival time
	Size         int64
	Raw          []byte // the message, unless it was spooled
	Spool        *Spool // the message in a file, with SpoolDir
	// TooLarge: the message is larger than Limit (as announced, or as sent: then Size,
	// the announced size, is not over Limit): it reaches the handler with its header only
	// (Header), never its content.
	TooLarge bool
	Limit    int64 // IMAPConfig.MaxMessageSize
	// SpoolErr: the message could not be written to the spool (a full disk, a folder
	// that cannot be made): a fault of this machine, not of the message. It reaches the
	// handler with its header only, to be recorded unread for a person, so that the
	// messages after it are read (an error from the handler stops the pass, as for any
	// message).
	SpoolErr error
	// Header is the message's header block (BODY.PEEK[HEADER], at most 256 KiB), fetched
	// for TooLarge and SpoolErr messages so that a person can be told which one it is.
	Header []byte
}

// CursorFunc returns how far the mailbox has been recorded: the UIDVALIDITY the
// last recorded UID belongs to. Zero values mean nothing recorded yet.
type CursorFunc func(ctx context.Context, mailbox string) (uidValidity, lastUID uint32, err error)

// HandleFunc records one message and advances the cursor in the same transaction.
// A nil return lets the watcher mark the message done; an error stops the pass and
// the message is offered again later.
type HandleFunc func(ctx context.Context, m *Fetched) error

// Defaults for IMAPConfig.
const (
	DefaultPollInterval   = 30 * time.Second
	DefaultIdleRestart    = 20 * time.Minute
	DefaultMaxMessageSize = 50 << 20
	maxIdleRestart        = 29 * time.Minute
)

// Watcher fetches new mail from one mailbox and hands each message to a HandleFunc.
type Watcher struct {
	cfg    IMAPConfig
	cursor CursorFunc
	handle HandleFunc
	log    *slog.Logger

	// Tunables, unexported so tests can shorten them.
	backoffMin, backoffMax time.Duration
	idleCheck              time.Duration // the poll shortly after entering IDLE
	deadAfter              time.Duration // a command unanswered this long means the connection is dead
	dialTimeout            time.Duration

	spoolMu  sync.Mutex
	spoolDir string // this process's folder under cfg.SpoolDir, once made

	missMu sync.Mutex
	misses map[uint32]int // UID → passes in which the server listed it but returned no body

	health watchHealth // for Health (health.go)
}

// NewWatcher returns a watcher for cfg with defaults filled in.
func NewWatcher(cfg IMAPConfig, cursor CursorFunc, handle HandleFunc) *Watcher {
	if cfg.Mailbox == "" {
		cfg.Mailbox = "INBOX"
	}
	if cfg.PollInterval <= 0 {
		cfg.PollInterval = DefaultPollInterval
	}
	if cfg.IdleRestart <= 0 || cfg.IdleRestart >= maxIdleRestart {
		cfg.IdleRestart = DefaultIdleRestart
	}
	if cfg.MaxMessageSize <= 0 {
		cfg.MaxMessageSize = DefaultMaxMessageSize
	}
	lg := cfg.Logger
	if lg == nil {
		lg = slog.New(slog.DiscardHandler)
	}
	return &Watcher{
		cfg: cfg, cursor: cursor, handle: handle,
		log:        lg.With("mailbox", cfg.Mailbox),
		backoffMin: time.Second, backoffMax: 5 * time.Minute,
		idleCheck:   2 * time.Second,
		deadAfter:   2 * time.Minute,
		dialTimeout: 30 * time.Second,
	}
}

// validate reports configuration that can never work, so Run does not retry it.
func (w *Watcher) validate() error {
	if w.cfg.Address == "" {
		return errors.New("mailbox: imap: no address configured")
	}
	if w.cursor == nil || w.handle == nil {
		return errors.New("mailbox: imap: watcher needs a cursor and a handler")
	}
	if w.cfg.Auth == nil {
		return errors.New("mailbox: imap: no login configured")
	}
	return checkTLS("imap", w.cfg.Address, w.cfg.TLS, w.cfg.AllowInsecure)
}

// checkTLS refuses plain-text connections to anything but loopback unless allowed.
func checkTLS(proto, addr, mode string, allowInsecure bool) error {
	switch mode {
	case "tls", "starttls":
		return nil
	case "none":
		if allowInsecure || isLoopback(addr) {
			return nil
		}
		return fmt.Errorf("mailbox: %s: tls = \"none\" to %s would send the password and mail unencrypted over the network; use \"starttls\" or \"tls\", or set allow_insecure if this really is a trusted link", proto, addr)
	default:
		return fmt.Errorf("mailbox: %s: tls must be \"none\", \"starttls\" or \"tls\", not %q", proto, mode)
	}
}

func isLoopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		host = addr
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// Once connects, handles every message after the cursor, marks them, and logs out.
func (w *Watcher) Once(ctx context.Context) error {
	if err := w.validate(); err != nil {
		return err
	}
	w.sweep()
	s, err := w.connect(ctx)
	if err != nil {
		return err
	}
	defer s.close()
	if _, err := w.pass(ctx, s); err != nil {
		return err
	}
	w.health.passed()
	return s.logout()
}

// Run watches the mailbox until ctx is done: a pass at connect, then IDLE where the
// server has it, with a poll shortly after entering IDLE and every PollInterval.
// On any failure it closes the connection, backs off (1s doubling to 5m, jittered)
// and reconnects. It returns nil when ctx is done, or an error for configuration
// that can never work.
func (w *Watcher) Run(ctx context.Context) error {
	if err := w.validate(); err != nil {
		return err
	}
	w.sweep()
	var st stateLog
	delay := w.backoffMin
	for ctx.Err() == nil {
		healthy, err := w.session(ctx, &st)
		if ctx.Err() != nil {
			break
		}
		if errors.Is(err, errTokenRenewal) {
			// Planned: sign in again with a fresh token before the server ends the session.
			w.log.Debug("imap: signing in again before the access token expires")
			continue
		}
		w.health.ended(err)
		if healthy {
			delay = w.backoffMin
		}
		st.failed(w.log, err)
		wait := jitter(delay)
		w.log.Debug("imap: reconnecting", "in", wait, "err", err)
		select {
		case <-ctx.Done():
		case <-time.After(wait):
		}
		delay = min(delay*2, w.backoffMax)
	}
	return nil
}

// session runs one connection until it fails. healthy reports that at least one
// pass succeeded on it (so the back-off starts again from the minimum).
func (w *Watcher) session(ctx context.Context, st *stateLog) (healthy bool, err error) {
	s, err := w.connect(ctx)
	if err != nil {
		return false, err
	}
	defer s.close()
	handled, err := w.pass(ctx, s)
	if err != nil {
		return false, err
	}
	w.health.passed()
	st.ok(w.log)
	healthy = true
	renewAt := sessionRenewAt(w.cfg.Auth) // zero: the login does not expire
	quick := true                         // poll shortly after the first IDLE: IDLE can miss mail that arrived meanwhile
	for {
		if ctx.Err() != nil {
			_ = s.logout()
			return healthy, nil
		}
		if err := w.wait(ctx, s, quick || handled > 0); err != nil {
			return healthy, err
		}
		if ctx.Err() != nil {
			_ = s.logout()
			return healthy, nil
		}
		quick = false
		if !renewAt.IsZero() && !time.Now().Before(renewAt) {
			_ = s.logout()
			return healthy, errTokenRenewal
		}
		if handled, err = w.pass(ctx, s); err != nil {
			return healthy, err
		}
		w.health.passed()
	}
}

// wait blocks until there may be new mail: a new-mail notification, the poll
// timer, or (if quick) the short check after entering IDLE.
func (w *Watcher) wait(ctx context.Context, s *imapSession, quick bool) error {
	poll := time.NewTimer(w.cfg.PollInterval)
	defer poll.Stop()
	var check <-chan time.Time
	if quick {
		t := time.NewTimer(w.idleCheck)
		defer t.Stop()
		check = t.C
	}
	if !s.canIdle {
		select {
		case <-ctx.Done():
		case <-s.updates:
		case <-poll.C:
		case <-check:
		case <-s.c.Closed():
			return errors.New("mailbox: imap: connection closed by server")
		}
		return nil
	}
	restart := time.NewTimer(w.cfg.IdleRestart)
	defer restart.Stop()
	var idle *imapclient.IdleCommand
	err := s.cmd(func() (err error) {
		idle, err = s.c.Idle()
		return err
	})
	if err != nil {
		return fmt.Errorf("mailbox: imap: idle: %w", err)
	}
	var closed error
	select {
	case <-ctx.Done():
	case <-s.updates:
	case <-poll.C:
	case <-check:
	case <-restart.C:
	case <-s.c.Closed():
		closed = errors.New("mailbox: imap: connection closed by server")
	}
	err = s.cmd(func() error {
		if err := idle.Close(); err != nil {
			return err
		}
		return idle.Wait()
	})
	if closed != nil {
		return closed
	}
	if err != nil && ctx.Err() == nil {
		return fmt.Errorf("mailbox: imap: end idle: %w", err)
	}
	return nil
}

// pass handles every message after the cursor and returns how many it handled.
func (w *Watcher) pass(ctx context.Context, s *imapSession) (int, error) {
	mbox := w.cfg.Mailbox
	validity, last, err := w.cursor(ctx, mbox)
	if err != nil {
		return 0, fmt.Errorf("mailbox: imap: cursor: %w", err)
	}
	var sel *imap.SelectData
	if err := s.cmd(func() (err error) { sel, err = s.c.Select(mbox, nil).Wait(); return err }); err != nil {
		return 0, fmt.Errorf("mailbox: imap: select %s: %w", mbox, err)
	}
	if s.uidValidity != 0 && s.uidValidity != sel.UIDValidity {
		w.log.Warn("imap: UIDVALIDITY changed; reading the whole mailbox again", "old", s.uidValidity, "new", sel.UIDValidity)
	}
	s.uidValidity = sel.UIDValidity
	fresh := validity != sel.UIDValidity
	if fresh {
		last = 0
	}
	if !fresh && last > 0 && !s.remarked {
		// A crash between the commit and the mark leaves recorded messages unmarked.
		if err := w.remark(s, last); err != nil {
			return 0, err
		}
		s.remarked = true
	}
	if sel.NumMessages == 0 {
		return 0, nil
	}
	var crit imap.SearchCriteria
	if last > 0 {
		var set imap.UIDSet
		set.AddRange(imap.UID(last+1), 0)
		crit.UID = []imap.UIDSet{set}
	}
	uids, err := s.search(&crit)
	if err != nil {
		return 0, err
	}
	// "UID n:*" always matches the highest message, even when its UID is <= n.
	uids = slices.DeleteFunc(uids, func(u imap.UID) bool { return uint32(u) <= last })
	if len(uids) == 0 {
		return 0, nil
	}
	slices.Sort(uids)
	meta, err := s.meta(uids)
	if err != nil {
		return 0, err
	}
	handled := 0
	for _, uid := range uids {
		if err := ctx.Err(); err != nil {
			return handled, err
		}
		m, ok := meta[uid]
		if !ok {
			continue // expunged meanwhile
		}
		f := &Fetched{Mailbox: mbox, UIDValidity: sel.UIDValidity, UID: uint32(uid), InternalDate: m.InternalDate, Size: m.RFC822Size, Limit: w.cfg.MaxMessageSize}
		if m.RFC822Size > w.cfg.MaxMessageSize {
			f.TooLarge = true
			w.log.Warn("imap: message too large to read; handing over its header only", "uid", uid, "size", m.RFC822Size, "max", w.cfg.MaxMessageSize)
		} else {
			raw, sp, found, err := s.body(uid, w.spoolFunc(), w.cfg.MaxMessageSize)
			var se *SpoolError
			switch {
			case errors.Is(err, errOverMax):
				// Announced under the limit, sent over it: the same as announced over it.
				// Size stays as announced (not over Limit): that is how the handler tells.
				f.TooLarge = true
				w.log.Warn("imap: message sent larger than announced and than the limit; handing over its header only", "uid", uid, "announced", m.RFC822Size, "max", w.cfg.MaxMessageSize)
			case errors.As(err, &se):
				f.SpoolErr = se
				w.log.Error("imap: message could not be written to the spool; handing over its header only", "uid", uid, "size", m.RFC822Size, "err", se)
			case err != nil:
				return handled, err
			case !found:
				// Listed but not returned: usually expunged between the two commands. Try
				// again next pass rather than let later mail move the cursor past it; only
				// a server that keeps doing it for one message gets that message skipped,
				// with a warning a person can act on.
				if w.missed(uint32(uid)) < 3 {
					return handled, fmt.Errorf("mailbox: imap: uid %d listed but its body was not returned; will retry", uid)
				}
				w.log.Warn("imap: skipping a message whose body the server never returns; read it in the mailbox", "uid", uid, "uidvalidity", sel.UIDValidity)
				continue
			default:
				f.Raw, f.Spool = raw, sp
			}
		}
		if f.TooLarge || f.SpoolErr != nil {
			head, err := s.header(uid)
			if err != nil {
				return handled, err
			}
			f.Header = head
		}
		err := w.handle(ctx, f)
		if f.Spool != nil {
			if rerr := f.Spool.Remove(); rerr != nil {
				w.log.Warn("imap: spool file not removed; the next start removes it", "err", rerr)
			}
		}
		if err != nil {
			return handled, &handleError{uid: f.UID, err: err}
		}
		if err := w.markDone(s, []imap.UID{uid}); err != nil {
			return handled, err
		}
		handled++
	}
	return handled, nil
}

// spool returns this process's spool folder, making it (and sweeping what csprbots
// that died left) if it is not there yet. A failure is not remembered: the next message
// that needs the folder asks again.
func (w *Watcher) spool() (string, error) {
	w.spoolMu.Lock()
	defer w.spoolMu.Unlock()
	if w.spoolDir != "" {
		if _, err := os.Stat(w.spoolDir); err == nil {
			return w.spoolDir, nil
		}
		w.spoolDir = "" // removed under us: make another
	}
	dir, err := openRunSpool(w.cfg.SpoolDir)
	if err != nil {
		return "", &SpoolError{Err: err}
	}
	w.spoolDir = dir
	return dir, nil
}

// spoolFunc is what body asks for a spool folder: nil without cfg.SpoolDir (into memory).
func (w *Watcher) spoolFunc() func() (string, error) {
	if w.cfg.SpoolDir == "" {
		return nil
	}
	return w.spool
}

// sweep removes at start what csprbots that died left in the spool folder (message
// files, spilled attachments: case material), whether or not any message will need the
// folder. A folder that cannot be made now is no reason not to read small messages: it
// is tried again when a message needs it.
func (w *Watcher) sweep() {
	if w.cfg.SpoolDir == "" {
		return
	}
	if _, err := w.spool(); err != nil {
		w.log.Warn("imap: spool folder not usable; messages over 1 MiB wait until it is", "err", err)
	}
}

type handleError struct {
	uid uint32
	err error
}

func (e *handleError) Error() string {
	return fmt.Sprintf("mailbox: imap: handling message uid %d: %v", e.uid, e.err)
}
func (e *handleError) Unwrap() error { return e.err }

// remark marks as done the recorded messages (UID <= last) still waiting in the mailbox.
func (w *Watcher) remark(s *imapSession, last uint32) error {
	var set imap.UIDSet
	set.AddRange(1, imap.UID(last))
	crit := &imap.SearchCriteria{UID: []imap.UIDSet{set}}
	if w.cfg.DoneFolder == "" {
		crit.NotFlag = []imap.Flag{imap.FlagSeen}
	}
	uids, err := s.search(crit)
	if err != nil {
		return err
	}
	uids = slices.DeleteFunc(uids, func(u imap.UID) bool { return uint32(u) > last })
	if len(uids) == 0 {
		return nil
	}
	w.log.Info("imap: marking messages recorded before an interruption", "count", len(uids))
	return w.markDone(s, uids)
}

// markDone flags the messages \Seen, or moves them to the done folder.
func (w *Watcher) markDone(s *imapSession, uids []imap.UID) error {
	set := imap.UIDSetNum(uids...)
	if w.cfg.DoneFolder == "" {
		err := s.cmd(func() error {
			return s.c.Store(set, &imap.StoreFlags{Op: imap.StoreFlagsAdd, Silent: true, Flags: []imap.Flag{imap.FlagSeen}}, nil).Close()
		})
		if err != nil {
			return fmt.Errorf("mailbox: imap: mark seen: %w", err)
		}
		return nil
	}
	if !s.doneExists {
		if err := w.ensureFolder(s, w.cfg.DoneFolder); err != nil {
			return err
		}
		s.doneExists = true
	}
	// go-imap falls back to COPY + STORE \Deleted + EXPUNGE when MOVE is absent.
	err := s.cmd(func() error {
		_, err := s.c.Move(set, w.cfg.DoneFolder).Wait()
		return err
	})
	if err != nil {
		return fmt.Errorf("mailbox: imap: move to %s: %w", w.cfg.DoneFolder, err)
	}
	return nil
}

func (w *Watcher) ensureFolder(s *imapSession, name string) error {
	var list []*imap.ListData
	err := s.cmd(func() (err error) { list, err = s.c.List("", name, nil).Collect(); return err })
	if err != nil {
		return fmt.Errorf("mailbox: imap: list %s: %w", name, err)
	}
	for _, l := range list {
		if l.Mailbox == name {
			return nil
		}
	}
	err = s.cmd(func() error { return s.c.Create(name, nil).Wait() })
	var ie *imap.Error
	if err != nil && !(errors.As(err, &ie) && ie.Code == imap.ResponseCodeAlreadyExists) {
		return fmt.Errorf("mailbox: imap: create %s: %w", name, err)
	}
	w.log.Info("imap: created the done folder", "folder", name)
	return nil
}

// imapSession is one logged-in connection.
type imapSession struct {
	c       *imapclient.Client
	conn    *watchConn
	updates chan struct{}
	canIdle bool

	uidValidity uint32
	remarked    bool
	doneExists  bool

	busySince atomic.Int64 // unix nanos when the current command started; 0 when idle
	stop      func() bool
	done      chan struct{}
	closeOnce sync.Once
}

func (w *Watcher) connect(ctx context.Context) (*imapSession, error) {
	host, _, err := net.SplitHostPort(w.cfg.Address)
	if err != nil {
		return nil, fmt.Errorf("mailbox: imap: address %q: %w", w.cfg.Address, err)
	}
	d := &net.Dialer{Timeout: w.dialTimeout, KeepAliveConfig: net.KeepAliveConfig{
		Enable: true, Idle: 60 * time.Second, Interval: 15 * time.Second, Count: 4,
	}}
	raw, err := d.DialContext(ctx, "tcp", w.cfg.Address)
	if err != nil {
		return nil, fmt.Errorf("mailbox: imap: dial %s: %w", w.cfg.Address, err)
	}
	wc := &watchConn{Conn: raw}
	wc.touch()
	tlsConf := &tls.Config{ServerName: host, InsecureSkipVerify: w.cfg.InsecureSkipVerify, MinVersion: tls.VersionTLS12}
	s := &imapSession{conn: wc, updates: make(chan struct{}, 1), done: make(chan struct{})}
	opts := &imapclient.Options{
		TLSConfig:   tlsConf,
		WordDecoder: &mime.WordDecoder{CharsetReader: charset.Reader},
		UnilateralDataHandler: &imapclient.UnilateralDataHandler{
			Mailbox: func(d *imapclient.UnilateralDataMailbox) {
				if d.NumMessages != nil {
					select { // runs on the reader goroutine: never block
					case s.updates <- struct{}{}:
					default:
					}
				}
			},
		},
	}
	var conn net.Conn = wc
	switch w.cfg.TLS {
	case "tls":
		tc := tls.Client(wc, tlsConf)
		hctx, cancel := context.WithTimeout(ctx, w.dialTimeout)
		err := tc.HandshakeContext(hctx)
		cancel()
		if err != nil {
			raw.Close()
			return nil, fmt.Errorf("mailbox: imap: tls handshake with %s: %w", w.cfg.Address, err)
		}
		conn = tc
	}
	// The client has no context: close it when ctx is done.
	var c *imapclient.Client
	if w.cfg.TLS == "starttls" {
		s.busySince.Store(time.Now().UnixNano())
		s.stop = context.AfterFunc(ctx, func() { raw.Close() })
		go w.watchdog(s, raw.Close)
		c, err = imapclient.NewStartTLS(conn, opts)
		if err != nil {
			s.stop()
			close(s.done)
			raw.Close()
			return nil, fmt.Errorf("mailbox: imap: starttls with %s: %w", w.cfg.Address, err)
		}
		s.c = c
		s.busySince.Store(0)
	} else {
		c = imapclient.New(conn, opts)
		s.c = c
		s.stop = context.AfterFunc(ctx, func() { c.Close() })
		go w.watchdog(s, func() error { return c.Close() })
	}
	s.c = c
	if err := s.cmd(c.WaitGreeting); err != nil {
		s.close()
		return nil, fmt.Errorf("mailbox: imap: greeting from %s: %w", w.cfg.Address, err)
	}
	if err := s.cmd(func() error { return imapLogin(ctx, w.cfg.Auth, c) }); err != nil {
		s.close()
		return nil, fmt.Errorf("mailbox: imap: %s: %w", w.cfg.Address, err)
	}
	s.canIdle = c.Caps().Has(imap.CapIdle)
	return s, nil
}

// watchdog closes the connection when a command has waited longer than deadAfter
// without a byte from the server: a connection silent for too long is dead.
func (w *Watcher) watchdog(s *imapSession, closeFn func() error) {
	tick := time.NewTicker(max(w.deadAfter/8, 10*time.Millisecond))
	defer tick.Stop()
	for {
		select {
		case <-s.done:
			return
		case <-tick.C:
			since := s.busySince.Load()
			if since == 0 {
				continue
			}
			last := max(since, s.conn.lastRead.Load())
			if time.Since(time.Unix(0, last)) > w.deadAfter {
				w.log.Debug("imap: server silent; closing the connection", "after", w.deadAfter)
				_ = closeFn()
				return
			}
		}
	}
}

// cmd runs f as a command the server must answer: the watchdog watches it.
func (s *imapSession) cmd(f func() error) error {
	s.busySince.Store(time.Now().UnixNano())
	defer s.busySince.Store(0)
	return f()
}

func (s *imapSession) search(crit *imap.SearchCriteria) ([]imap.UID, error) {
	var data *imap.SearchData
	err := s.cmd(func() (err error) { data, err = s.c.UIDSearch(crit, nil).Wait(); return err })
	if err != nil {
		return nil, fmt.Errorf("mailbox: imap: search: %w", err)
	}
	set, ok := data.All.(imap.UIDSet)
	if !ok || len(set) == 0 {
		return nil, nil
	}
	if set.Dynamic() {
		return nil, errors.New("mailbox: imap: search: server returned a dynamic UID set")
	}
	uids, _ := set.Nums()
	return uids, nil
}

func (s *imapSession) meta(uids []imap.UID) (map[imap.UID]*imapclient.FetchMessageBuffer, error) {
	var bufs []*imapclient.FetchMessageBuffer
	err := s.cmd(func() (err error) {
		bufs, err = s.c.Fetch(imap.UIDSetNum(uids...), &imap.FetchOptions{UID: true, InternalDate: true, RFC822Size: true}).Collect()
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("mailbox: imap: fetch sizes: %w", err)
	}
	out := make(map[imap.UID]*imapclient.FetchMessageBuffer, len(bufs))
	for _, b := range bufs {
		if b.UID != 0 {
			out[b.UID] = b
		}
	}
	return out, nil
}

// body fetches one message's bytes as a stream: into a spool file in the folder spool
// gives (asked for only when the message turns out over inMemoryMax), or (spool nil)
// into memory. Never more than max bytes are kept: a server that sends more than that
// fails the fetch with errOverMax (the connection stays usable). A message that cannot
// be written to the spool fails it with a *SpoolError.
func (s *imapSession) body(uid imap.UID, spool func() (string, error), max int64) (raw []byte, sp *Spool, found bool, err error) {
	section := &imap.FetchItemBodySection{Peek: true}
	found, err = s.fetchLiteral(uid, section, func(r io.Reader) (err error) {
		// The one message asked for: read its literal as it arrives, never whole.
		raw, sp, err = readLiteral(r, spool, max)
		return err
	})
	if err != nil {
		if sp != nil {
			_ = sp.Remove()
		}
		if isLocal(err) {
			return nil, nil, false, err
		}
		return nil, nil, false, fmt.Errorf("mailbox: imap: fetch uid %d: %w", uid, err)
	}
	return raw, sp, found, nil
}

// fetchLiteral fetches one section of one message (a UID FETCH of one UID) and hands its
// literal, as it arrives, to read; found says whether the server sent one. When read
// fails, the command is closed (so the connection stays usable) and read's error comes
// back, unless the connection failed too: that comes first, except after a local
// failure (isLocal), which is joined with it.
func (s *imapSession) fetchLiteral(uid imap.UID, section *imap.FetchItemBodySection, read func(io.Reader) error) (found bool, err error) {
	err = s.cmd(func() error {
		cmd := s.c.Fetch(imap.UIDSetNum(uid), &imap.FetchOptions{UID: true, BodySection: []*imap.FetchItemBodySection{section}})
		for {
			msg := cmd.Next()
			if msg == nil {
				break
			}
			for {
				item := msg.Next()
				if item == nil {
					break
				}
				b, ok := item.(imapclient.FetchItemDataBodySection)
				if !ok || b.Literal == nil || found {
					continue
				}
				if err := read(b.Literal); err != nil {
					if cerr := cmd.Close(); cerr != nil && !isLocal(err) {
						return errors.Join(err, cerr)
					} else if cerr != nil {
						return cerr // the connection failed too: that comes first
					}
					return err
				}
				found = true
			}
		}
		return cmd.Close()
	})
	return found, err
}

// isLocal: the fetch went well, the message is the problem (errOverMax) or this
// machine's disk is (*SpoolError).
func isLocal(err error) bool {
	var se *SpoolError
	return errors.Is(err, errOverMax) || errors.As(err, &se)
}

// errOverMax: the server sent more than imap.max_message_size bytes for one message.
var errOverMax = errors.New("mailbox: imap: message larger than max_message_size")

// maxHeader is how much of a header block header keeps.
const maxHeader = 256 << 10

// header fetches one message's header block (BODY.PEEK[HEADER]), at most maxHeader
// bytes of it: enough to tell a person which message it is.
func (s *imapSession) header(uid imap.UID) ([]byte, error) {
	section := &imap.FetchItemBodySection{Specifier: imap.PartSpecifierHeader, Peek: true}
	var head []byte
	_, err := s.fetchLiteral(uid, section, func(r io.Reader) (err error) {
		head, err = io.ReadAll(io.LimitReader(r, maxHeader))
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("mailbox: imap: fetch header of uid %d: %w", uid, err)
	}
	return head, nil
}

// inMemoryMax: a message up to this size is read into memory even with a spool folder
// (a file for each would cost more than the message); a larger one goes to the file.
const inMemoryMax = 1 << 20

// readLiteral reads a message literal into memory if it holds at most inMemoryMax bytes
// (or there is no spool), else into a spool file in the folder spool gives, failing
// with errOverMax if it holds more than max bytes. The size the server announced is not
// trusted for the choice.
func readLiteral(lit io.Reader, spool func() (string, error), max int64) ([]byte, *Spool, error) {
	lr := &io.LimitedReader{R: lit, N: max + 1}
	keep := int64(inMemoryMax)
	if spool == nil {
		keep = max + 1
	}
	raw, err := io.ReadAll(io.LimitReader(lr, keep+1))
	var sp *Spool
	if err == nil && int64(len(raw)) > keep {
		var dir string
		if dir, err = spool(); err == nil {
			sp, err = spoolFile(dir, "msg-*", io.MultiReader(bytes.NewReader(raw), lr))
		}
		raw = nil
	}
	if err == nil && lr.N <= 0 {
		err = fmt.Errorf("%w: more than the %d bytes allowed", errOverMax, max)
	}
	if err != nil {
		if sp != nil {
			_ = sp.Remove()
		}
		return nil, nil, err
	}
	return raw, sp, nil
}

func (s *imapSession) logout() error {
	err := s.cmd(func() error { return s.c.Logout().Wait() })
	if err != nil {
		return fmt.Errorf("mailbox: imap: logout: %w", err)
	}
	return nil
}

func (s *imapSession) close() {
	s.closeOnce.Do(func() {
		if s.stop != nil {
			s.stop()
		}
		close(s.done)
		if s.c != nil {
			_ = s.c.Close()
		}
		_ = s.conn.Close()
	})
}

// watchConn records when the server last sent anything.
type watchConn struct {
	net.Conn
	lastRead atomic.Int64
}

func (c *watchConn) touch() { c.lastRead.Store(time.Now().UnixNano()) }

func (c *watchConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	if n > 0 {
		c.touch()
	}
	return n, err
}

// stateLog logs one line per change of state, not one per retry.
type stateLog struct {
	down   bool
	reason string
	ever   bool
}

func (st *stateLog) ok(lg *slog.Logger) {
	switch {
	case !st.ever:
		lg.Info("imap: watching mailbox")
	case st.down:
		lg.Info("imap: connection restored")
	}
	st.ever, st.down, st.reason = true, false, ""
}

func (st *stateLog) failed(lg *slog.Logger, err error) {
	if err == nil {
		err = errors.New("connection ended")
	}
	reason := "connection"
	var he *handleError
	if errors.As(err, &he) {
		reason = "handler"
	}
	if st.down && st.reason == reason {
		return
	}
	if reason == "handler" {
		lg.Error("imap: a message could not be recorded; will retry", "uid", he.uid, "err", err)
	} else {
		lg.Warn("imap: mailbox unavailable; will keep retrying", "err", err)
	}
	st.ever = true
	st.down, st.reason = true, reason
}

func jitter(d time.Duration) time.Duration {
	if d <= 0 {
		return 0
	}
	// ±20%
	return d*4/5 + time.Duration(rand.Int64N(int64(d)*2/5+1))
}

// missed counts the passes in which uid was listed but its body not returned.
func (w *Watcher) missed(uid uint32) int {
	w.missMu.Lock()
	defer w.missMu.Unlock()
	if w.misses == nil {
		w.misses = map[uint32]int{}
	}
	w.misses[uid]++
	return w.misses[uid]
}
