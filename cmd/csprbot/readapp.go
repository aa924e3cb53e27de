package main

import (
	"context"
	"io"
	"log/slog"
	"sync"
	"time"

	"github.com/lewisham-lscp/csprbot/templates"
	"github.com/lewisham-lscp/csprbot/tracker"
)

// The commands that only read (csprbot cases, cases --json, case REF, case REF status,
// digest) open the store with tracker.OpenRead: no file created, no migration, no trace,
// no write lock. They work beside the running daemon without ever making it wait, and on
// a copy of the store on a read-only filesystem (issue 11.3).

// openReadFromFlags loads the configuration and opens the app read-only for a command
// that only reads.
func openReadFromFlags(ctx context.Context, f *flags, stderr io.Writer) (*app, error) {
	cfg, embedded, err := loadAppConfig(f.last("config"), defaultDataDir)
	if err != nil {
		return nil, err
	}
	clock, err := clockFrom(f.last("now"))
	if err != nil {
		return nil, err
	}
	if err := requireStore(cfg.Store.Path, embedded, f.last("config")); err != nil {
		return nil, err
	}
	return openReadApp(ctx, cfg, embedded, clock, newLogger(stderr, "warn"))
}

// openReadApp is openApp for a command that only reads. The email templates are built
// only if something renders one (the digest does; cases never).
func openReadApp(ctx context.Context, cfg *Config, embedded bool, now func() time.Time, log *slog.Logger) (*app, error) {
	st, err := tracker.OpenRead(ctx, cfg.Store.Path, now, log)
	if err != nil {
		return nil, err
	}
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
	tr, err := tracker.New(ctx, st, tc, cal, &lazyTemplates{dir: cfg.Templates.Dir})
	if err != nil {
		st.Close()
		return nil, err
	}
	return &app{cfg: cfg, tr: tr, store: st, now: now, log: log, embedded: embedded, kick: make(chan struct{}, 1), stallAfter: defaultStallAfter}, nil
}

// lazyTemplates builds the email templates (about 12 ms) the first time one is rendered.
type lazyTemplates struct {
	dir  string
	once sync.Once
	set  *templates.Set
	err  error
}

var _ tracker.Renderer = (*lazyTemplates)(nil)

func (l *lazyTemplates) Render(name string, d *tracker.MailData) (tracker.Rendered, error) {
	l.once.Do(func() {
		if l.set, l.err = templates.New(l.dir); l.err != nil {
			l.err = usagef("config: templates.dir: %v", l.err)
		}
	})
	if l.err != nil {
		return tracker.Rendered{}, l.err
	}
	return l.set.Render(name, d)
}
