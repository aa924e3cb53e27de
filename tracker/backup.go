package tracker

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// Backup writes a consistent copy of the store to dest while the daemon goes on working:
// SQLite's VACUUM INTO reads one snapshot (a read transaction, which under WAL neither
// waits for nor holds up writers) and writes it as a compact database with no WAL. The
// copy is written owner-only beside dest, synced, and renamed into place, so dest is
// either absent or whole. It holds everything the store does, the token key included:
// keep it as carefully.
func (s *Store) Backup(ctx context.Context, dest string) error {
	return vacuumInto(ctx, s.rd.db, dest)
}

// vacuumInto writes a snapshot of db's database to dest, owner-only, whole or not at all.
func vacuumInto(ctx context.Context, db *sql.DB, dest string) error {
	if _, err := os.Lstat(dest); err == nil {
		return fmt.Errorf("tracker: backup: %s already exists", dest)
	} else if !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("tracker: backup: %w", err)
	}
	dir := filepath.Dir(dest)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("tracker: backup: %w", err)
	}
	tmp, err := os.CreateTemp(dir, ".csprbot-backup-*.tmp")
	if err != nil {
		return fmt.Errorf("tracker: backup: %w", err)
	}
	tmpName := tmp.Name()
	tmp.Close()
	ok := false
	defer func() {
		if !ok {
			os.Remove(tmpName)
		}
	}()
	// CreateTemp makes it 0600 and empty, which VACUUM INTO accepts as its target.
	if _, err := db.ExecContext(ctx, `VACUUM INTO ?`, tmpName); err != nil {
		return fmt.Errorf("tracker: backup: %w", err)
	}
	if err := syncFile(tmpName); err != nil {
		return fmt.Errorf("tracker: backup: %w", err)
	}
	if err := os.Chmod(tmpName, 0o600); err != nil {
		return fmt.Errorf("tracker: backup: %w", err)
	}
	if err := os.Rename(tmpName, dest); err != nil {
		return fmt.Errorf("tracker: backup: %w", err)
	}
	ok = true
	_ = syncFile(dir)
	return nil
}

func syncFile(p string) error {
	f, err := os.Open(p)
	if err != nil {
		return err
	}
	defer f.Close()
	return f.Sync()
}

// BackupReport is what restore-test found in a copy of the store.
type BackupReport struct {
	Path          string
	SchemaVersion int    // the copy's
	KnownVersion  int    // the newest this binary knows
	Integrity     string // "ok", or SQLite's first complaints
	Counts        []TableCount
}

// TableCount is the number of rows in one table.
type TableCount struct {
	Table string
	Rows  int64
}

// OK reports whether the copy is intact and this binary can open it.
func (r *BackupReport) OK() bool {
	return r.Integrity == "ok" && r.SchemaVersion > 0 && r.SchemaVersion <= r.KnownVersion
}

// backupTables are counted by restore-test, in this order.
var backupTables = []string{"cases", "case_agencies", "deadlines", "returns", "messages", "attachments", "outbox", "audit", "meetings", "submissions"}

// CheckBackup opens a copy of the store read-only (nothing is written to it, not even a
// WAL), checks its integrity and schema version, and counts its rows.
func CheckBackup(ctx context.Context, path string) (*BackupReport, error) {
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("tracker: restore-test: %w", err)
	}
	db, err := sql.Open("sqlite", "file:"+uriPath(path)+"?mode=ro&immutable=1")
	if err != nil {
		return nil, fmt.Errorf("tracker: restore-test: %w", err)
	}
	defer db.Close()
	r := &BackupReport{Path: path, KnownVersion: SchemaVersion()}
	if err := db.QueryRowContext(ctx, `PRAGMA user_version`).Scan(&r.SchemaVersion); err != nil {
		return nil, fmt.Errorf("tracker: restore-test: %s is not a csprbot store: %w", path, err)
	}
	rows, err := db.QueryContext(ctx, `PRAGMA integrity_check(10)`)
	if err != nil {
		return nil, fmt.Errorf("tracker: restore-test: %w", err)
	}
	var problems []string
	for rows.Next() {
		var p string
		if err := rows.Scan(&p); err != nil {
			rows.Close()
			return nil, fmt.Errorf("tracker: restore-test: %w", err)
		}
		problems = append(problems, p)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("tracker: restore-test: %w", err)
	}
	r.Integrity = strings.Join(problems, "; ")
	have := map[string]bool{}
	trows, err := db.QueryContext(ctx, `SELECT name FROM sqlite_schema WHERE type = 'table'`)
	if err != nil {
		return nil, fmt.Errorf("tracker: restore-test: %w", err)
	}
	for trows.Next() {
		var n string
		if err := trows.Scan(&n); err == nil {
			have[n] = true
		}
	}
	trows.Close()
	for _, tb := range backupTables {
		if !have[tb] {
			continue
		}
		var n int64
		if err := db.QueryRowContext(ctx, `SELECT count(*) FROM `+tb).Scan(&n); err != nil {
			return nil, fmt.Errorf("tracker: restore-test: count %s: %w", tb, err)
		}
		r.Counts = append(r.Counts, TableCount{Table: tb, Rows: n})
	}
	return r, nil
}

// NightlyName is the file name of the nightly backup taken on day (London).
func NightlyName(day time.Time) string { return "csprbot-" + day.Format("2006-01-02") + ".db" }

// PruneBackups removes the oldest nightly backups in dir beyond keep and returns the
// files removed. Only files named as NightlyName names them are touched.
func PruneBackups(dir string, keep int) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("tracker: prune backups: %w", err)
	}
	var names []string
	for _, e := range entries {
		n := e.Name()
		if e.Type().IsRegular() && strings.HasPrefix(n, "csprbot-") && strings.HasSuffix(n, ".db") {
			if _, err := time.Parse("2006-01-02", strings.TrimSuffix(strings.TrimPrefix(n, "csprbot-"), ".db")); err == nil {
				names = append(names, n)
			}
		}
	}
	sort.Strings(names) // dates sort as text
	var removed []string
	for len(names) > keep {
		p := filepath.Join(dir, names[0])
		if err := os.Remove(p); err != nil {
			return removed, fmt.Errorf("tracker: prune backups: %w", err)
		}
		removed = append(removed, p)
		names = names[1:]
	}
	return removed, nil
}

// BackupFailed tells staff that a backup failed (and records it in the audit trail):
// a store with no recent copy is one disk failure from losing every case.
func (t *Tracker) BackupFailed(ctx context.Context, cause error) error {
	now := t.Now()
	what := "The nightly backup of csprbot's store failed: " + cause.Error() + ". Until one succeeds there is no recent copy of the cases; ask IT to look (csprbot backup DEST takes one by hand)."
	return t.tx(ctx, func(tx *sql.Tx) error {
		if err := audit(ctx, tx, now, 0, "csprbot", "backup_failed", cause.Error()); err != nil {
			return err
		}
		return t.tellStaff(ctx, tx, now, 0, what, &Incoming{MessageID: "(none: csprbot's nightly backup)", ReceivedAt: now})
	})
}

// BackupFile is Backup for a store this process has not opened: through a read-only
// connection, so that it neither migrates the store nor takes its write lock (the running
// daemon, perhaps an older or newer csprbot, owns it).
func BackupFile(ctx context.Context, store, dest string) error {
	if _, err := os.Stat(store); err != nil {
		return fmt.Errorf("tracker: backup: %w", err)
	}
	db, err := sql.Open("sqlite", readDSN(store))
	if err != nil {
		return fmt.Errorf("tracker: backup: %w", err)
	}
	defer db.Close()
	return vacuumInto(ctx, db, dest)
}
