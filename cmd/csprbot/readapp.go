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
	return openFlagged(ctx, f, stderr, openReadApp)
}

// openReadApp is openApp for a command that only reads. The email templates are built
// only if something renders one (the digest does; cases never).
func openReadApp(ctx context.Context, cfg *Config, embedded bool, now func() time.Time, log *slog.Logger) (*app, error) {
	st, err := tracker.OpenRead(ctx, cfg.Store.Path, now, log)
	if err != nil {
		return nil, err
	}
	return assemble(ctx, cfg, embedded, now, log, st, &lazyTemplates{dir: cfg.Templates.Dir})
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
