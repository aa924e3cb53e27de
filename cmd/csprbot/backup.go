package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/lewisham-lscp/csprbot/tracker"
)

// cmdBackup writes a consistent copy of the store to DEST (a file, or a folder to put
// csprbot-TIMESTAMP.db in), while the daemon runs or not.
func cmdBackup(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	f, err := parseFlags(args, nil, []string{"config"})
	if err != nil {
		return err
	}
	if len(f.args) != 1 {
		return usagef("usage: csprbot backup DEST [--config FILE]")
	}
	cfg, embedded, err := loadAppConfig(f.last("config"), defaultDataDir)
	if err != nil {
		return err
	}
	if err := requireStore(cfg.Store.Path, embedded, f.last("config")); err != nil {
		return err
	}
	dest := f.args[0]
	if fi, err := os.Stat(dest); err == nil && fi.IsDir() {
		dest = filepath.Join(dest, "csprbot-"+time.Now().UTC().Format("20060102T150405Z")+".db")
	} else if err == nil {
		return usagef("backup: %s already exists: give a new file name or a folder", dest)
	}
	// Read-only: a backup never migrates the store nor waits for the daemon's writes.
	if err := tracker.BackupFile(ctx, cfg.Store.Path, dest); err != nil {
		return err
	}
	rep, err := tracker.CheckBackup(ctx, dest)
	if err != nil {
		return err
	}
	if !rep.OK() {
		return fmt.Errorf("backup: the copy at %s does not check: integrity %q, schema %d", dest, rep.Integrity, rep.SchemaVersion)
	}
	fmt.Fprintf(stdout, "backed up %s to %s (owner-only; it holds every case: copy it off this machine encrypted)\n", cfg.Store.Path, dest)
	printCounts(stdout, rep)
	return nil
}

// cmdRestoreTest opens a backup read-only and says whether it would restore.
func cmdRestoreTest(ctx context.Context, args []string, stdout io.Writer) error {
	f, err := parseFlags(args, nil, nil)
	if err != nil {
		return err
	}
	if len(f.args) != 1 {
		return usagef("usage: csprbot restore-test DEST")
	}
	rep, err := tracker.CheckBackup(ctx, f.args[0])
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s\n  integrity: %s\n  schema: %d (this csprbot: %d)\n", rep.Path, rep.Integrity, rep.SchemaVersion, rep.KnownVersion)
	printCounts(stdout, rep)
	if !rep.OK() {
		switch {
		case rep.Integrity != "ok":
			return fmt.Errorf("restore-test: %s is damaged: %s", rep.Path, rep.Integrity)
		case rep.SchemaVersion > rep.KnownVersion:
			return fmt.Errorf("restore-test: %s was written by a newer csprbot (schema %d): restore it with that version", rep.Path, rep.SchemaVersion)
		default:
			return fmt.Errorf("restore-test: %s is not a csprbot store (schema %d)", rep.Path, rep.SchemaVersion)
		}
	}
	fmt.Fprintf(stdout, "restorable: stop csprbot, copy it over %s, start csprbot\n", "the configured store.path")
	return nil
}

func printCounts(w io.Writer, rep *tracker.BackupReport) {
	for _, c := range rep.Counts {
		fmt.Fprintf(w, "  %-14s %d\n", c.Table, c.Rows)
	}
}

// nightly takes the [backup] copies while the daemon runs: once a day from backup.hour
// (Europe/London), keeping backup.keep of them; a failure is logged and staff are told
// once a day, and it is tried again an hour later.
type nightly struct {
	a        *app
	london   *time.Location
	lastTry  time.Time
	alerted  string // the day staff were last told of a failure
	interval time.Duration
}

func newNightly(a *app) *nightly {
	loc, err := time.LoadLocation("Europe/London")
	if err != nil {
		loc = time.UTC
	}
	return &nightly{a: a, london: loc, interval: time.Minute}
}

func (n *nightly) run(ctx context.Context) {
	if n.a.cfg.Backup.Dir == "" {
		return
	}
	t := time.NewTicker(n.interval)
	defer t.Stop()
	for {
		_ = n.due(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// due takes today's backup if it is time and there is none yet.
func (n *nightly) due(ctx context.Context) error {
	b := n.a.cfg.Backup
	if b.Dir == "" {
		return nil
	}
	hour := 2
	if b.Hour != nil {
		hour = *b.Hour
	}
	keep := b.Keep
	if keep == 0 {
		keep = 7
	}
	now := n.a.now()
	day := now.In(n.london)
	if day.Hour() < hour {
		return nil
	}
	dest := filepath.Join(b.Dir, tracker.NightlyName(day))
	if _, err := os.Stat(dest); err == nil {
		return nil
	}
	if !n.lastTry.IsZero() && now.Sub(n.lastTry) < time.Hour && now.After(n.lastTry) {
		return nil // failed less than an hour ago
	}
	n.lastTry = now
	err := n.a.store.Backup(ctx, dest)
	if err == nil {
		var rep *tracker.BackupReport
		if rep, err = tracker.CheckBackup(ctx, dest); err == nil && !rep.OK() {
			err = fmt.Errorf("the copy does not check: integrity %q", rep.Integrity)
		}
	}
	if err != nil {
		if ctx.Err() != nil {
			return err
		}
		n.a.log.Error("nightly backup failed", "dir", b.Dir, "err", err)
		if d := day.Format("2006-01-02"); n.alerted != d {
			if aerr := n.a.tr.BackupFailed(ctx, err); aerr != nil {
				n.a.log.Error("telling staff of the failed backup", "err", aerr)
			} else {
				n.alerted = d
			}
		}
		return err
	}
	n.lastTry = time.Time{}
	removed, err := tracker.PruneBackups(b.Dir, keep)
	n.a.log.Info("nightly backup taken", "file", dest, "pruned", len(removed))
	if err != nil {
		n.a.log.Error("pruning old backups", "err", err)
	}
	return err
}
