// Package tracker is csprbot's domain: cases, agencies and their returns, deadline rules
// and the working-day calendar, the SQLite store, the outbox and the scheduler. It asks
// the outside world for what it needs through small interfaces (Sender, Renderer) and
// imports none of mailbox, parser or templates.
package tracker

import (
	"context"
	"crypto/rand"
	"database/sql"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// Domain errors. Driver errors become these in one place (dbErr).
var (
	ErrNotFound  = errors.New("not found")
	ErrDuplicate = errors.New("already recorded")
	ErrRefused   = errors.New("refused")
)

//go:embed migrations/*.sql
var migrations embed.FS

// Store is the SQLite store. Its methods own their transactions.
type Store struct {
	db   *sql.DB
	rd   *readDB    // the same file read-only, for reports and views (readdb.go)
	path string     // the database file; the send lock sits beside it
	file *storeFile // the file opened, to notice it deleted or replaced (storefile.go)
	// storeID is the store's random identity (settings.store_id, storefile.go).
	storeID string
	// readOnly: opened by OpenRead; db is the read-only handle, and nothing is written.
	readOnly bool
	Now      func() time.Time // the clock; a transaction reads it once
	Log      *slog.Logger
}

// DSN is the one connection string for production and tests (NOTES.md).
func DSN(path string) string {
	return "file:" + uriPath(path) + "?_pragma=journal_mode(WAL)&_pragma=busy_timeout(5000)&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)&_txlock=immediate"
}

// uriPath escapes what a SQLite URI filename would otherwise read as syntax: a store
// under a folder named "seed#0" or "a?b" is that folder, not a truncated path.
func uriPath(p string) string {
	return strings.NewReplacer("%", "%25", "#", "%23", "?", "%3f").Replace(p)
}

// Open opens (creating if needed, readable by the owner only) and migrates the store.
func Open(ctx context.Context, path string, now func() time.Time, log *slog.Logger) (*Store, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("tracker: open store: %w", err)
	}
	// Create the files owner-only before SQLite does, so they never exist world-readable.
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		f, err := os.OpenFile(p, os.O_CREATE|os.O_RDWR, 0o600)
		if err != nil {
			return nil, fmt.Errorf("tracker: open store: %w", err)
		}
		f.Close()
		_ = os.Chmod(p, 0o600)
	}
	db, err := sql.Open("sqlite", DSN(path))
	if err != nil {
		return nil, fmt.Errorf("tracker: open store: %w", err)
	}
	s := &Store{db: db, path: path, Now: now, Log: log.With("component", "tracker")}
	// Another process (the daemon beside a reporting command) may hold the store for a
	// moment, and SQLite does not wait while it switches to WAL: try a few times.
	err = s.migrate(ctx)
	for i := 0; i < 40 && err != nil && storeUnavailable(err) && ctx.Err() == nil; i++ {
		time.Sleep(100 * time.Millisecond)
		err = s.migrate(ctx)
	}
	if err == nil {
		s.file, err = identifyStore(path)
	}
	if err == nil {
		err = s.stampIdentity(ctx)
		for i := 0; i < 40 && err != nil && storeUnavailable(err) && !errors.Is(err, ErrStoreMoved) && ctx.Err() == nil; i++ {
			time.Sleep(100 * time.Millisecond)
			err = s.stampIdentity(ctx)
		}
	}
	if err != nil {
		db.Close()
		s.file.close()
		return nil, err
	}
	if s.rd, err = openReadDB(path); err != nil {
		db.Close()
		s.file.close()
		return nil, err
	}
	return s, nil
}

// Close closes the database.
func (s *Store) Close() error {
	err := errors.Join(s.rd.close(), s.db.Close())
	return errors.Join(err, s.file.close()) // last: SQLite's locks are gone with its handles
}

// DB exposes the handle for tests and maintenance commands.
func (s *Store) DB() *sql.DB { return s.db }

// Path is the database file.
func (s *Store) Path() string { return s.path }

func (s *Store) migrate(ctx context.Context) error {
	entries, err := fs.ReadDir(migrations, "migrations")
	if err != nil {
		return fmt.Errorf("tracker: migrate: %w", err)
	}
	sort.Slice(entries, func(i, j int) bool { return entries[i].Name() < entries[j].Name() })
	var version int
	if err := s.db.QueryRowContext(ctx, `PRAGMA user_version`).Scan(&version); err != nil {
		return fmt.Errorf("tracker: migrate: %w", err)
	}
	if err := refuseNewer(s.path, version); err != nil {
		return err
	}
	type step struct {
		n          int
		name, body string
	}
	var pending []step
	for _, e := range entries {
		n, err := strconv.Atoi(strings.SplitN(e.Name(), "_", 2)[0])
		if err != nil {
			return fmt.Errorf("tracker: migrate: bad migration name %q", e.Name())
		}
		if n <= version {
			continue
		}
		body, err := migrations.ReadFile("migrations/" + e.Name())
		if err != nil {
			return fmt.Errorf("tracker: migrate: %w", err)
		}
		pending = append(pending, step{n, e.Name(), string(body)})
	}
	if len(pending) == 0 {
		return nil
	}
	// An existing store is copied before it is upgraded (schema.go), and upgraded in one
	// transaction: it ends at the new version or stays at the old one.
	if version > 0 {
		if err := s.backupBeforeMigrate(ctx, version, pending[len(pending)-1].n); err != nil {
			return err
		}
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("tracker: migrate: %w", err)
	}
	defer tx.Rollback()
	// Another csprbot may have upgraded it meanwhile: only what is still pending.
	if err := tx.QueryRowContext(ctx, `PRAGMA user_version`).Scan(&version); err != nil {
		return fmt.Errorf("tracker: migrate: %w", err)
	}
	for _, p := range pending {
		if p.n <= version {
			continue
		}
		if _, err := tx.ExecContext(ctx, p.body); err != nil {
			return fmt.Errorf("tracker: migrate %s: %w", p.name, err)
		}
		if _, err := tx.ExecContext(ctx, fmt.Sprintf(`PRAGMA user_version = %d`, p.n)); err != nil {
			return fmt.Errorf("tracker: migrate %s: %w", p.name, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("tracker: migrate to schema %d: %w", pending[len(pending)-1].n, err)
	}
	return nil
}

// dbErr turns driver errors into domain errors.
func dbErr(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, sql.ErrNoRows) {
		return ErrNotFound
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() {
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
			return fmt.Errorf("%w: %v", ErrDuplicate, err)
		}
	}
	return err
}

// storeUnavailable reports whether err means the store itself could not do the work
// (busy or locked, out of disk, an I/O error, a cancelled context) rather than that the
// work was wrong: such work must be tried again later, never recorded as failed.
func storeUnavailable(err error) bool {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) || errors.Is(err, ErrStoreMoved) {
		return true
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() & 0xff {
		case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED, sqlite3.SQLITE_IOERR, sqlite3.SQLITE_FULL,
			sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_READONLY, sqlite3.SQLITE_NOMEM, sqlite3.SQLITE_PROTOCOL:
			return true
		}
	}
	return false
}

// tx runs fn in one transaction, which it commits if fn returns nil.
func (s *Store) tx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return err
	}
	last, err := s.checkFileTx(ctx, tx)
	if err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	s.file.mark(last)
	return nil
}

// setting reads a setting, creating it with mk() the first time.
func (s *Store) setting(ctx context.Context, key string, mk func() string) (string, error) {
	var v string
	// Read first without the write lock: a command that only reads must not wait for it.
	err := s.db.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = ?`, key).Scan(&v)
	if err == nil {
		return v, nil
	}
	if s.readOnly {
		// A store opened only to read is never written: a setting it lacks is made for
		// this process alone (a command that reads sends nothing on its word).
		if errors.Is(err, sql.ErrNoRows) {
			return mk(), nil
		}
		return "", fmt.Errorf("tracker: setting %s: %w", key, err)
	}
	err = s.tx(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = ?`, key).Scan(&v)
		if errors.Is(err, sql.ErrNoRows) {
			v = mk()
			_, err = tx.ExecContext(ctx, `INSERT INTO settings(key, value) VALUES (?, ?)`, key, v)
		}
		return err
	})
	if err != nil {
		return "", fmt.Errorf("tracker: setting %s: %w", key, err)
	}
	return v, nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on Linux
	}
	return hex.EncodeToString(b)
}

func ts(t time.Time) string { return t.UTC().Format(time.RFC3339) }

func nullTS(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return ts(t)
}

func parseTS(s sql.NullString) time.Time {
	if !s.Valid || s.String == "" {
		return time.Time{}
	}
	t, _ := time.Parse(time.RFC3339, s.String)
	return t
}

// Cursor returns where the intake has got to in a mailbox (0, 0 if nowhere yet).
func (s *Store) Cursor(ctx context.Context, mailbox string) (uidValidity, lastUID uint32, err error) {
	var v, u int64
	err = s.db.QueryRowContext(ctx, `SELECT uidvalidity, last_uid FROM cursors WHERE mailbox = ?`, mailbox).Scan(&v, &u)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, 0, nil
	}
	if err != nil {
		return 0, 0, fmt.Errorf("tracker: cursor: %w", err)
	}
	return uint32(v), uint32(u), nil
}

func advanceCursor(ctx context.Context, tx *sql.Tx, mailbox string, uidValidity, uid uint32) error {
	if mailbox == "" {
		return nil
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO cursors(mailbox, uidvalidity, last_uid) VALUES (?, ?, ?)
		ON CONFLICT(mailbox) DO UPDATE SET
			last_uid = CASE WHEN cursors.uidvalidity = excluded.uidvalidity AND cursors.last_uid > excluded.last_uid
				THEN cursors.last_uid ELSE excluded.last_uid END,
			uidvalidity = excluded.uidvalidity`, mailbox, uidValidity, uid)
	return err
}

// audit appends to the audit trail.
func audit(ctx context.Context, tx *sql.Tx, now time.Time, caseID int64, actor, event, detail string) error {
	var cid any
	if caseID != 0 {
		cid = caseID
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO audit(case_id, at, actor, event, detail) VALUES (?, ?, ?, ?, ?)`,
		cid, ts(now), actor, event, detail)
	return err
}

// queryIDs reads the one integer column query selects (ids, in the order it gives them).
func queryIDs(ctx context.Context, q interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}, query string, args ...any) ([]int64, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}
