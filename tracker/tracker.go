package tracker

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"
)

// Tracker is the service the daemon and the command line drive: it holds the store,
// the configuration, the calendar and the renderer.
type Tracker struct {
	*Store
	cfg    Config
	cal    *Calendar
	render Renderer
	allow  allowList
	secret []byte
	log    *slog.Logger

	mu       sync.Mutex
	sendDown bool // the last send attempt failed temporarily

	out outboxState // the sender's memory between rounds (outbox.go)
}

// New makes a Tracker over an open store.
func New(ctx context.Context, st *Store, cfg Config, cal *Calendar, r Renderer) (*Tracker, error) {
	if cfg.RefPrefix == "" {
		cfg.RefPrefix = "LSCP"
	}
	if cfg.ChaseHour == 0 {
		cfg.ChaseHour = 9
	}
	if cfg.ReminderDays == 0 {
		cfg.ReminderDays = 1
	}
	if cfg.ReminderDays < 0 {
		cfg.ReminderDays = 0
	}
	if cfg.Chasers <= 0 {
		cfg.Chasers = 2
	}
	if cfg.StuckAfter <= 0 {
		cfg.StuckAfter = DefaultStuckAfter
	}
	if cfg.MessageIDDomain == "" {
		cfg.MessageIDDomain = domainOf(cfg.From)
	}
	if len(cfg.Rules) == 0 {
		cfg.Rules = DefaultRules()
	}
	if len(cfg.PublicationWarnWeeks) == 0 {
		cfg.PublicationWarnWeeks = append([]int(nil), PublicationWarnWeeks...)
	}
	secret, err := st.setting(ctx, "msgid_secret", func() string { return randomHex(32) })
	if err != nil {
		return nil, err
	}
	key, err := hex.DecodeString(secret)
	if err != nil {
		return nil, fmt.Errorf("tracker: msgid secret: %w", err)
	}
	return &Tracker{Store: st, cfg: cfg, cal: cal, render: r, allow: cfg.allowList(), secret: key, log: st.Log}, nil
}

// Config returns the tracker's configuration.
func (t *Tracker) Config() Config { return t.cfg }

// Calendar returns the working-day calendar.
func (t *Tracker) Calendar() *Calendar { return t.cal }

// newMessageID makes a Message-ID that carries a token only we can make:
// <ref>.<nonce>.<mac>@<domain>, mac = HMAC-SHA256(secret, ref "." nonce) truncated. A reply
// quoting it in In-Reply-To or References ties to its case and agency; a guessed or altered
// one does not verify.
func (t *Tracker) newMessageID(ref string) string {
	if ref == "" {
		ref = "csprbot"
	}
	nonce := randomHex(8)
	return ref + "." + nonce + "." + t.mac(ref+"."+nonce) + "@" + t.cfg.MessageIDDomain
}

func (t *Tracker) mac(s string) string {
	m := hmac.New(sha256.New, t.secret)
	m.Write([]byte(s))
	return hex.EncodeToString(m.Sum(nil)[:10])
}

// verifyMessageID reports whether id is one of ours, untampered.
func (t *Tracker) verifyMessageID(id string) bool {
	id = strings.Trim(strings.TrimSpace(id), "<>")
	at := strings.LastIndexByte(id, '@')
	if at < 0 {
		return false
	}
	local := id[:at]
	i := strings.LastIndexByte(local, '.')
	if i < 0 {
		return false
	}
	return hmac.Equal([]byte(local[i+1:]), []byte(t.mac(local[:i])))
}

// london formats t as a London date.
func (t *Tracker) londonDay(x time.Time) string {
	return x.In(t.cal.Location()).Format("2006-01-02")
}
