package tracker

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"sync"
)

// readDB is a second handle on the store for reports and views (csprbot cases, case REF,
// digest). The main handle's DSN has _txlock=immediate, so every transaction on it takes
// the write lock, reads included (NOTES.md); this one is opened read-only and without
// _txlock, so its transactions are deferred: under WAL they read the last committed state
// and never wait for, or hold up, the daemon's writes. Its statements are prepared once
// and reused.
type readDB struct {
	db *sql.DB

	mu    sync.Mutex
	stmts map[string]*sql.Stmt

	// immutable: the store was opened with no -wal or -shm beside it and is read as
	// immutable (OpenRead, readOnlyDSN).
	immutable bool
	file      os.FileInfo // the database file as it was when opened immutable

	// betweenBegins, when set (by tests), runs in viewPair after the first transaction
	// has begun and before the second does.
	betweenBegins func()
	// sidecars: when an immutable handle was opened, whether neither -wal nor -shm was
	// beside the store (changedUnder compares).
	sidecars bool
	// tmpDir: the private copy this handle reads (openPrivateCopy), removed on close.
	tmpDir  string
	walFile os.FileInfo // the -wal copied with it
}

// readDSN is the store opened for reading only.
func readDSN(path string) string {
	return "file:" + uriPath(path) + "?mode=ro&_pragma=busy_timeout(5000)&_pragma=foreign_keys(1)"
}

func openReadDB(path string) (*readDB, error) {
	db, err := sql.Open("sqlite", readDSN(path))
	if err != nil {
		return nil, fmt.Errorf("tracker: open store for reading: %w", err)
	}
	return &readDB{db: db, stmts: map[string]*sql.Stmt{}}, nil
}

func (r *readDB) close() error {
	if r == nil {
		return nil
	}
	r.mu.Lock()
	var errs []error
	for _, s := range r.stmts {
		errs = append(errs, s.Close())
	}
	r.stmts = nil
	r.mu.Unlock()
	errs = append(errs, r.db.Close())
	if r.tmpDir != "" {
		errs = append(errs, os.RemoveAll(r.tmpDir))
	}
	return errors.Join(errs...)
}

// view runs fn in one read transaction on the read handle: every query fn makes sees the
// same committed state, and none takes the write lock. On a store read as immutable
// (OpenRead) fn may run twice (readAgain): it must set what it reads, not add to it.
func (s *Store) view(ctx context.Context, fn func(rt *readTx) error) error {
	return s.readAgain(func() error { return s.view1(ctx, fn) })
}

func (s *Store) view1(ctx context.Context, fn func(rt *readTx) error) error {
	tx, err := s.rd.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := fn(&readTx{Tx: tx, rd: s.rd}); err != nil {
		return err
	}
	return tx.Commit()
}

// viewPair runs a and b at the same time, each in a read transaction on a connection of
// its own, both seeing the same committed state: a listing reads its largest tables on
// two cores. Two transactions see the same state when no commit came between their
// starts, and PRAGMA data_version, read on b's connection before a's transaction starts
// and again once b's has, changes exactly when one did (SQLite counts there each time
// the connection finds the file changed as it starts to read). Then both are started
// again; after a few tries (a daemon committing without pause), a and b run one after
// the other in one transaction, as view runs them. a and b may therefore run more than
// once: each must set what it reads, not add to it.
func (s *Store) viewPair(ctx context.Context, a, b func(rt *readTx) error) error {
	return s.readAgain(func() error { return s.viewPair1(ctx, a, b) })
}

func (s *Store) viewPair1(ctx context.Context, a, b func(rt *readTx) error) error {
	for try := 0; try < 3; try++ {
		if same, err := s.tryViewPair(ctx, a, b); err != nil || same {
			return err
		}
	}
	return s.view1(ctx, func(rt *readTx) error {
		if err := a(rt); err != nil {
			return err
		}
		return b(rt)
	})
}

// tryViewPair is one try of viewPair: same is false, and nothing was run, when the two
// transactions would not have seen the same state.
func (s *Store) tryViewPair(ctx context.Context, a, b func(rt *readTx) error) (same bool, err error) {
	ca, err := s.rd.db.Conn(ctx)
	if err != nil {
		return false, err
	}
	defer ca.Close()
	cb, err := s.rd.db.Conn(ctx)
	if err != nil {
		return false, err
	}
	defer cb.Close()
	var before, after, version int64
	if err := cb.QueryRowContext(ctx, `PRAGMA data_version`).Scan(&before); err != nil {
		return false, err
	}
	ro := &sql.TxOptions{ReadOnly: true}
	ta, err := ca.BeginTx(ctx, ro)
	if err != nil {
		return false, err
	}
	defer ta.Rollback()
	// A transaction takes its state at its first read, not at BEGIN.
	if err := ta.QueryRowContext(ctx, `PRAGMA schema_version`).Scan(&version); err != nil {
		return false, err
	}
	if s.rd.betweenBegins != nil {
		s.rd.betweenBegins()
	}
	tb, err := cb.BeginTx(ctx, ro)
	if err != nil {
		return false, err
	}
	defer tb.Rollback()
	if err := tb.QueryRowContext(ctx, `PRAGMA data_version`).Scan(&after); err != nil {
		return false, err
	}
	if after != before {
		return false, nil
	}
	errA := make(chan error, 1)
	go func() { errA <- a(&readTx{Tx: ta, rd: s.rd}) }()
	err = b(&readTx{Tx: tb, rd: s.rd})
	if err = errors.Join(<-errA, err); err != nil {
		return true, err
	}
	return true, errors.Join(ta.Commit(), tb.Commit())
}

// readTx is a read transaction whose queries use the read handle's prepared statements.
type readTx struct {
	*sql.Tx
	rd *readDB
}

// query runs a prepared statement, preparing it the first time the handle sees it.
func (t *readTx) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	st, err := t.rd.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	return t.StmtContext(ctx, st).QueryContext(ctx, args...)
}

func (r *readDB) stmt(ctx context.Context, query string) (*sql.Stmt, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if st, ok := r.stmts[query]; ok {
		return st, nil
	}
	if r.stmts == nil {
		return nil, errors.New("tracker: store closed")
	}
	st, err := r.db.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	r.stmts[query] = st
	return st, nil
}
