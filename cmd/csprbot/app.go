package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/mail"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/lewisham-lscp/csprbot/mailbox"
	"github.com/lewisham-lscp/csprbot/parser"
	"github.com/lewisham-lscp/csprbot/templates"
	"github.com/lewisham-lscp/csprbot/tracker"
)

//go:embed embedded.toml
var embeddedConfig string

// defaultDataDir is where the embedded default keeps its store and the mail it sends.
const defaultDataDir = "csprbot-data"

// app is csprbot wired together: configuration, store, tracker, mail.
type app struct {
	cfg      *Config
	tr       *tracker.Tracker
	store    *tracker.Store
	now      func() time.Time
	log      *slog.Logger
	embedded bool
	kick     chan struct{} // a message was recorded: act and send now, not at the next tick
	// stallAfter is how long reading one message may take before the attempt counts as
	// stalled (and, at the second time, the message is quarantined).
	stallAfter time.Duration
	oauth      tokens // Microsoft 365 sign-in (auth = "oauth2"), shared by IMAP and SMTP
}

// defaultStallAfter is generous: the parser's caps make a normal document take
// milliseconds, a hostile one seconds at most.
const defaultStallAfter = 2 * time.Minute

// slowAfter is when an attempt that has not finished reading is marked slow: a restart
// that lands on a message in its first seconds is not evidence against the message.
const slowAfter = 3 * time.Second

// loadAppConfig reads --config, or the embedded default (store under dataDir).
func loadAppConfig(path, dataDir string) (*Config, bool, error) {
	if path != "" {
		c, err := loadConfig(path)
		return c, false, err
	}
	abs, err := filepath.Abs(dataDir)
	if err != nil {
		return nil, true, err
	}
	c, err := parseConfig(embeddedConfig, abs)
	return c, true, err
}

// openApp opens the store and builds the tracker.
func openApp(ctx context.Context, cfg *Config, embedded bool, now func() time.Time, log *slog.Logger) (*app, error) {
	st, err := tracker.Open(ctx, cfg.Store.Path, now, log)
	if err != nil {
		return nil, err
	}
	if err := leaveTrace(cfg.Store.Path, now()); err != nil {
		st.Close()
		return nil, err
	}
	ts, err := templates.New(cfg.Templates.Dir)
	if err != nil {
		st.Close()
		return nil, usagef("config: templates.dir: %v", err)
	}
	return assemble(ctx, cfg, embedded, now, log, st, ts)
}

// assemble builds the app around an open store and a renderer: the tracker with the
// configured rules and calendar. It closes the store if it fails.
func assemble(ctx context.Context, cfg *Config, embedded bool, now func() time.Time, log *slog.Logger, st *tracker.Store, r tracker.Renderer) (*app, error) {
	tc, err := cfg.trackerConfig()
	if err != nil {
		st.Close()
		return nil, usagef("config: %v", err)
	}
	cal, err := tracker.NewCalendar(cfg.Calendar.ExtraHolidays)
	if err != nil {
		st.Close()
		return nil, usagef("config: calendar.extra_holidays: %v", err)
	}
	tr, err := tracker.New(ctx, st, tc, cal, r)
	if err != nil {
		st.Close()
		return nil, err
	}
	return &app{cfg: cfg, tr: tr, store: st, now: now, log: log, embedded: embedded, kick: make(chan struct{}, 1), stallAfter: defaultStallAfter}, nil
}

func (a *app) Close() error { return a.store.Close() }

// authFor builds the login for one side from its configuration.
func (a *app) authFor(kind, user, pass, tokenFile string) mailbox.Auth {
	switch kind {
	case "oauth2":
		return a.oauth2Auth(user)
	case "xoauth2":
		return mailbox.XOAUTH2Auth(user, func(ctx context.Context) (string, error) {
			// The token is kept fresh by whatever the council uses (an Azure AD client,
			// a cron job); csprbot reads it at each login.
			b, err := os.ReadFile(tokenFile)
			if err != nil {
				return "", fmt.Errorf("read OAuth2 token: %w", err)
			}
			return strings.TrimSpace(string(b)), nil
		})
	case "none":
		return mailbox.NoAuth()
	}
	if user == "" {
		return mailbox.NoAuth()
	}
	return mailbox.PasswordAuth(user, pass)
}

func (a *app) imapConfig() mailbox.IMAPConfig {
	c := a.cfg.IMAP
	return mailbox.IMAPConfig{
		Address: c.Address, TLS: c.TLS, InsecureSkipVerify: c.InsecureSkipVerify, AllowInsecure: c.AllowInsecure || a.embedded,
		Mailbox: c.Mailbox, DoneFolder: c.DoneFolder, Auth: a.authFor(c.Auth, c.Username, c.Password, c.TokenFile),
		PollInterval: c.PollInterval.Duration, MaxMessageSize: c.MaxMessageSize, Logger: a.log.With("component", "imap"),
		SpoolDir: a.cfg.Store.Path + ".spool",
	}
}

func (a *app) smtp() (*mailbox.SMTP, error) {
	c := a.cfg.SMTP
	return mailbox.NewSMTP(mailbox.SMTPConfig{
		Address: c.Address, TLS: c.TLS, InsecureSkipVerify: c.InsecureSkipVerify, AllowInsecure: c.AllowInsecure || a.embedded,
		Auth: a.authFor(c.Auth, c.Username, c.Password, c.TokenFile), Timeout: c.Timeout.Duration,
	})
}

// handle is the intake of one message: decode, parse what it carries, record. It
// returns an error only if nothing could be recorded, or this machine failed while
// reading it (an attachment that could not be spilled to disk); the message then stays
// unmarked and is offered again. A message the watcher could not fetch whole (too large,
// or not spoolable) is recorded from its header (recordUnread).
//
// Before any work on the message, an attempt is committed; recording the message removes
// it. A message whose attempts died (a crash, an out-of-memory kill), failed, or stalled
// tracker.QuarantineAfter times is recorded unread, for a person, so that no single
// message can stop intake.
func (a *app) handle(ctx context.Context, f *mailbox.Fetched) error {
	if f.TooLarge || f.SpoolErr != nil {
		return a.recordUnread(ctx, f)
	}
	in := &tracker.Incoming{Mailbox: f.Mailbox, UIDValidity: f.UIDValidity, UID: f.UID, ReceivedAt: f.InternalDate, Raw: f.Raw}
	var spill *mailbox.Spill
	handedOff := false // the spill folder is left to a reader that overran (read)
	if f.Spool != nil {
		// Spooled by the watcher: read from the file, stored from it in chunks, never
		// held whole. Large attachments are spooled beside it while the message is
		// read, and removed once it is recorded (or by the next start).
		spillDir, err := os.MkdirTemp(filepath.Dir(f.Spool.Path), "att-")
		if err != nil {
			return fmt.Errorf("intake: spool: %w", err)
		}
		defer func() {
			if !handedOff {
				_ = os.RemoveAll(spillDir)
			}
		}()
		spill = &mailbox.Spill{Dir: spillDir}
		in.RawFile = f.Spool.Path
		if f.Spool.Size > 0 {
			in.RawSHA256 = hex.EncodeToString(f.Spool.SHA256[:])
		}
		if in.RawHead, err = f.Spool.Head(1 << 20); err != nil {
			return err
		}
	}
	key := tracker.AttemptKey(f.Raw, f.Mailbox, f.UIDValidity, f.UID)
	if in.RawSHA256 != "" {
		key = in.RawSHA256 // the same key AttemptKey gives the same bytes in memory
	}
	prev, err := a.store.BeginAttempt(ctx, key, f.Mailbox, f.UIDValidity, f.UID)
	if err != nil {
		return err
	}
	switch {
	case prev.Poison():
		quarantine(in, f, fmt.Sprintf("reading it was interrupted or failed %d times, %d of them after reading for a while (a crash, an out-of-memory kill, a hang, or a disk too full to hold its attachments)", prev.Unfinished, prev.Slow))
		a.log.Error("message quarantined: its processing died or stalled repeatedly", "uid", f.UID, "attempts", prev.Unfinished, "slow", prev.Slow, "message_id", in.MessageID)
	default:
		var err error
		if handedOff, err = a.read(ctx, in, f, key, spill); err != nil {
			return err
		}
	}
	if _, err := a.tr.Ingest(ctx, in); err != nil {
		return err
	}
	select {
	case a.kick <- struct{}{}:
	default:
	}
	return nil
}

func (a *app) parserPasswords() []string { return a.cfg.Parser.Passwords }

// read decodes a message and parses what it carries, within a.stallAfter. A reader that
// panics is an unreadable message, not a dead daemon. One that overruns is left behind
// (the parser's caps bound what it can still cost) and the attempt stays unfinished: the
// message is offered again, and quarantined when it has stalled twice. A reader left
// behind owns the message's spill folder from then on and removes it when it ends
// (handedOff), so that nothing it spills after read returns stays on disk.
//
// An attachment that cannot be written to the spill folder (a full disk) is an error:
// the message is offered again, never recorded as if it carried less.
func (a *app) read(ctx context.Context, in *tracker.Incoming, f *mailbox.Fetched, key string, spill *mailbox.Spill) (handedOff bool, err error) {
	type result struct {
		in  *tracker.Incoming
		err error
	}
	done := make(chan result, 1)
	var mu sync.Mutex
	finished, abandoned := false, false
	go func() {
		out := *in
		var failed error
		defer func() {
			if r := recover(); r != nil {
				a.log.Error("reading a message panicked", "uid", f.UID, "panic", fmt.Sprint(r))
				out = tracker.Incoming{Mailbox: in.Mailbox, UIDValidity: in.UIDValidity, UID: in.UID, ReceivedAt: in.ReceivedAt, Raw: in.Raw,
					RawFile: in.RawFile, RawSHA256: in.RawSHA256, RawHead: in.RawHead}
				quarantine(&out, f, fmt.Sprintf("reading it failed inside csprbot (%v)", r))
				failed = nil
			}
			done <- result{&out, failed}
			mu.Lock()
			finished = true
			cleanup := abandoned
			mu.Unlock()
			if cleanup && spill != nil {
				_ = os.RemoveAll(spill.Dir)
			}
		}()
		var m *mailbox.Message
		var err error
		if f.Spool != nil {
			var r *os.File
			if r, err = f.Spool.Open(); err == nil {
				m, err = mailbox.DecodeFrom(r, mailbox.Limits{}, spill)
				r.Close()
			}
		} else {
			m, err = mailbox.Decode(f.Raw, mailbox.Limits{})
		}
		var se *mailbox.SpoolError
		if errors.As(err, &se) {
			failed = fmt.Errorf("intake: reading message UID %d: %w", f.UID, err)
			return
		}
		if m == nil {
			m = &mailbox.Message{}
		}
		if err != nil {
			out.Problems = append(out.Problems, "could not decode: "+err.Error())
		}
		fillIncoming(&out, m, a.parserPasswords())
	}()
	// abandon leaves the reader running and, unless it has just finished, hands it the
	// spill folder.
	abandon := func() bool {
		mu.Lock()
		defer mu.Unlock()
		if !finished {
			abandoned = true
		}
		return abandoned
	}
	timer := time.NewTimer(a.stallAfter)
	defer timer.Stop()
	slow := time.NewTimer(min(slowAfter, a.stallAfter/2))
	defer slow.Stop()
	for {
		select {
		case res := <-done:
			if res.err != nil {
				a.log.Error("reading a message failed on this machine's disk; it will be offered again", "uid", f.UID, "err", res.err)
				return false, res.err
			}
			*in = *res.in
			return false, nil
		case <-slow.C:
			// Still reading: if this attempt dies now, it was this message's doing.
			if err := a.store.AttemptSlow(ctx, key); err != nil {
				return abandon(), err
			}
			continue
		case <-timer.C:
			a.log.Error("reading a message stalled; it will be offered again and quarantined if it stalls again", "uid", f.UID, "after", a.stallAfter)
			return abandon(), fmt.Errorf("reading message UID %d took longer than %s", f.UID, a.stallAfter)
		case <-ctx.Done():
			return abandon(), ctx.Err()
		}
	}
}

// recordUnread records a message that is not read, from the header the watcher fetched:
// one larger than imap.max_message_size, or one this machine could not write to its
// spool (a full disk). Staff are told why and how to find it in the mailbox, once: the
// record is keyed on the message's own Message-ID (or, without one, a digest of its
// header), so reading the mailbox again under a new UIDVALIDITY records nothing twice.
//
// A message that could not be spooled is recorded like this at once, not tried again:
// the watcher's cursor is one last UID per mailbox, so a message left behind unrecorded
// either holds up every message after it (no single message may stop intake) or is
// passed by the cursor and never offered again. It stays in the mailbox, and staff are
// told which it is and why.
func (a *app) recordUnread(ctx context.Context, f *mailbox.Fetched) error {
	in := &tracker.Incoming{Mailbox: f.Mailbox, UIDValidity: f.UIDValidity, UID: f.UID, ReceivedAt: f.InternalDate}
	date := ""
	if len(f.Header) > 0 {
		if m, _ := mailbox.Decode(append(append([]byte{}, f.Header...), "\r\n"...), mailbox.Limits{}); m != nil {
			in.MessageID, in.From, in.FromName, in.FromSuspect = m.MessageID, m.From, m.FromName, m.FromSuspect
			in.To, in.Cc, in.Subject = m.To, m.Cc, m.Subject
			in.InReplyTo, in.References = m.InReplyTo, m.References
			in.AuthResults = m.Header["Authentication-Results"]
			if d := m.Header["Date"]; len(d) > 0 {
				date = strings.TrimSpace(d[0])
			}
		}
	}
	sum := sha256.Sum256(f.Header)
	if in.MessageID == "" {
		in.MessageID = "unread." + hex.EncodeToString(sum[:12]) + "@csprbot.invalid"
	}
	where := fmt.Sprintf("in the mailbox folder %q, marked read", f.Mailbox)
	if a.cfg.IMAP.DoneFolder != "" {
		where = fmt.Sprintf("in the mailbox folder %q (moved there from %q)", a.cfg.IMAP.DoneFolder, f.Mailbox)
	}
	var why, problem string
	if f.TooLarge {
		why = fmt.Sprintf("it is too large to read: %s (%d bytes), over imap.max_message_size of %s (%d bytes)",
			humanSize(f.Size), f.Size, humanSize(f.Limit), f.Limit)
		problem = fmt.Sprintf("message of %d bytes exceeds imap.max_message_size (%d bytes): recorded from its header only; read it in the mailbox", f.Size, f.Limit)
		if f.Size <= f.Limit {
			why = fmt.Sprintf("it is too large to read: the server announced %s (%d bytes) but sent more than imap.max_message_size of %s (%d bytes)",
				humanSize(f.Size), f.Size, humanSize(f.Limit), f.Limit)
			problem = fmt.Sprintf("message announced as %d bytes but sent larger: exceeds imap.max_message_size (%d bytes): recorded from its header only; read it in the mailbox", f.Size, f.Limit)
		}
	} else {
		why = fmt.Sprintf("it (%s) could not be written to the spool folder beside the store to be read (%v); free space there so that later mail is read",
			humanSize(f.Size), f.SpoolErr)
		problem = fmt.Sprintf("message of %d bytes could not be spooled to be read (%v): recorded from its header only; read it in the mailbox", f.Size, f.SpoolErr)
	}
	in.Problems = append(in.Problems, problem)
	subject := in.Subject
	if subject == "" {
		subject = "(none)"
	}
	if date == "" {
		date = "(none)"
	}
	notice := "A message arrived that csprbot did not read: " + why + ". It is recorded from its header only: nothing in it (text, attachments, forms) was read or acted on.\n\n" +
		"Subject: " + subject + "\nDate: " + date + "\n\n" +
		"Find it " + where + ", by its sender, subject and date (or its Message-ID below), read it there and act on it by hand."
	res, err := a.tr.RecordUnread(ctx, in, notice)
	if err != nil {
		return err
	}
	a.log.Warn("message recorded unread", "uid", f.UID, "size", f.Size, "too_large", f.TooLarge, "duplicate", res.Duplicate, "message_id", in.MessageID)
	select {
	case a.kick <- struct{}{}:
	default:
	}
	return nil
}

// humanSize writes n bytes as a person reads it: 3.2 MiB, 950 KiB.
func humanSize(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

// quarantine fills in what a person needs to find a message that is recorded unread:
// the few headers that tie it (read from at most the first 256 KiB, without the MIME
// decoder), and why.
func quarantine(in *tracker.Incoming, f *mailbox.Fetched, why string) {
	in.Quarantine = why
	in.Problems = append(in.Problems, "quarantined: "+why+"; recorded without reading it")
	raw := io.Reader(bytes.NewReader(f.Raw))
	if f.Spool != nil {
		if r, err := f.Spool.Open(); err == nil {
			defer r.Close()
			raw = r
		}
	}
	if msg, err := mail.ReadMessage(io.LimitReader(raw, 256<<10)); err == nil {
		h := msg.Header
		in.MessageID = strings.Trim(strings.TrimSpace(h.Get("Message-Id")), "<>")
		if from, err := mail.ParseAddress(h.Get("From")); err == nil {
			in.From = strings.ToLower(from.Address)
		}
		in.InReplyTo = strings.Trim(strings.TrimSpace(h.Get("In-Reply-To")), "<>")
		in.References = strings.Fields(h.Get("References"))
	}
	if in.MessageID == "" {
		in.MessageID = fmt.Sprintf("quarantined.%d.%d@csprbot.invalid", f.UIDValidity, f.UID)
	}
	in.Subject = "(quarantined: not read)"
}

// fillIncoming copies a decoded message into the tracker's shape and parses every
// attachment and the body.
func fillIncoming(in *tracker.Incoming, m *mailbox.Message, passwords []string) {
	in.MessageID, in.From, in.FromName, in.FromSuspect = m.MessageID, m.From, m.FromName, m.FromSuspect
	in.To, in.Cc, in.Subject = m.To, m.Cc, m.Subject
	in.InReplyTo, in.References = m.InReplyTo, m.References
	in.Text, in.HTML = m.Text, m.HTML
	in.Auto, in.AwayUntil = string(m.Auto), m.AwayUntil
	if m.Bounce != nil {
		in.BounceOf = m.Bounce.OriginalMessageID
		var details []string
		for _, r := range m.Bounce.Recipients {
			if strings.EqualFold(r.Action, "failed") || r.Action == "" {
				in.BounceRecipients = append(in.BounceRecipients, r.Address)
				details = append(details, strings.TrimSpace(r.Status+" "+r.Diagnostic))
			}
		}
		in.BounceDetail = strings.Join(details, "; ")
	}
	in.Problems = append(in.Problems, m.Problems...)
	in.AuthResults = m.Header["Authentication-Results"] // newest (top) first, as received
	for _, att := range m.Attachments {
		data, release, err := attachmentBytes(att)
		if err != nil {
			in.Attachments = append(in.Attachments, tracker.InAttachment{Attachment: att, ParseError: err.Error()})
			continue
		}
		func() {
			defer release()
			fillAttachment(in, att, data, passwords)
		}()
	}
	// List and generated mail may carry a referral or a nil return in its body: read it
	// (the tracker acts on it without answering). Never our own mail or a bounce.
	if m.Auto != mailbox.AutoLoop && m.Auto != mailbox.AutoBounce && m.Auto != mailbox.AutoMailerDaemon {
		if bf := parser.ParseBody(m.Text, m.HTML); bf != nil && bf.Kind != parser.KindUnknown {
			in.BodyForm = toTrackerForm(bf)
		}
	}
	// A message with only an HTML body (commands typed in Outlook's HTML mode, say) is
	// read as the text a person sees.
	if in.Text == "" && in.HTML != "" {
		in.Text = mailbox.TextFromHTML(in.HTML)
	}
}

// fillAttachment reads one attachment: a meeting reply in a calendar item, a form in a
// document.
func fillAttachment(in *tracker.Incoming, att tracker.Attachment, data []byte, passwords []string) {
	if strings.HasPrefix(strings.ToLower(att.ContentType), "text/calendar") || strings.HasSuffix(strings.ToLower(att.Name), ".ics") {
		if r, ok := mailbox.ReadCalendarReply(data); ok && in.CalReply == nil {
			in.CalReply = &tracker.CalendarReply{UID: r.UID, Sequence: r.Sequence, Attendee: r.Attendee, PartStat: r.PartStat}
		}
	}
	ia := tracker.InAttachment{Attachment: att}
	if !isFormCandidate(att) {
		in.Attachments = append(in.Attachments, ia)
		return
	}
	form, err := parser.Parse(att.Name, data, parser.Options{Passwords: passwords})
	if err != nil {
		ia.ParseError = parseReason(err)
	} else if form.Kind != parser.KindUnknown {
		ia.Form = toTrackerForm(form)
	}
	in.Attachments = append(in.Attachments, ia)
}

// attachmentBytes gives an attachment's content: Data, or its spooled file mapped
// into memory (paged in only where the reader looks, and not Go heap); release unmaps
// it, after which nothing may keep a slice of it (the parser returns strings).
func attachmentBytes(att tracker.Attachment) (data []byte, release func(), err error) {
	if att.File == "" {
		return att.Data, func() {}, nil
	}
	return mailbox.MapFile(att.File)
}

// isFormCandidate: images and calendar items are kept but not parsed.
func isFormCandidate(a tracker.Attachment) bool {
	ct := strings.ToLower(a.ContentType)
	for _, skip := range []string{"image/", "audio/", "video/", "text/calendar"} {
		if strings.HasPrefix(ct, skip) {
			return false
		}
	}
	return true
}

func parseReason(err error) string {
	switch {
	case errors.Is(err, parser.ErrEncrypted):
		return "password-protected and no configured password opens it: " + err.Error()
	default:
		return err.Error()
	}
}

func toTrackerForm(f *parser.Form) *tracker.Form {
	return &tracker.Form{Kind: string(f.Kind), CaseRef: f.CaseRef, Fields: f.Fields, Tables: f.Tables, Warnings: f.Warnings, Unanswered: f.Unanswered()}
}

// cycle does one full pass: fetch and record new mail, act on due deadlines, send.
func (a *app) cycle(ctx context.Context, w *mailbox.Watcher, s tracker.Sender) error {
	var errs []error
	if w != nil {
		if err := w.Once(ctx); err != nil {
			errs = append(errs, fmt.Errorf("mail intake: %w", err))
		}
	}
	if _, err := a.tr.Tick(ctx); err != nil {
		errs = append(errs, err)
	}
	if err := a.tr.TickRR(ctx); err != nil {
		errs = append(errs, err)
	}
	if _, err := a.tr.SendDue(ctx, s); err != nil {
		errs = append(errs, err)
	}
	if err := a.purge(ctx); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// daemon runs until ctx is done: the IMAP watcher in its own goroutine, and the
// scheduler and sender on a ticker.
func (a *app) daemon(ctx context.Context, w *mailbox.Watcher, s tracker.Sender, every time.Duration) error {
	done := make(chan error, 1)
	go func() { done <- w.Run(ctx) }()
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		if _, err := a.tr.Tick(ctx); err != nil && ctx.Err() == nil {
			a.log.Error("scheduler", "err", err)
		}
		if err := a.tr.TickRR(ctx); err != nil && ctx.Err() == nil {
			a.log.Error("scheduler", "err", err)
		}
		if _, err := a.tr.SendDue(ctx, s); err != nil && ctx.Err() == nil {
			a.log.Error("sender", "err", err)
		}
		if err := a.purge(ctx); err != nil && ctx.Err() == nil {
			a.log.Error("retention", "err", err)
		}
		select {
		case <-ctx.Done():
			<-done
			return nil
		case err := <-done:
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("mail intake stopped: %w", err)
		case <-tick.C:
		case <-a.kick:
		}
	}
}

// purge removes bodies and attachments of cases closed longer ago than
// store.retention_days (0 keeps everything); the audit trail stays.
func (a *app) purge(ctx context.Context) error {
	if a.cfg.Store.RetentionDays <= 0 {
		return nil
	}
	n, err := a.tr.Purge(ctx, time.Duration(a.cfg.Store.RetentionDays)*24*time.Hour)
	if n > 0 {
		a.log.Info("retention: purged closed cases' message bodies and attachments", "messages", n)
	}
	return err
}
