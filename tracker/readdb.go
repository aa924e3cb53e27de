package tracker

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
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
	return errors.Join(errs...)
}

// view runs fn in one read transaction on the read handle: every query fn makes sees the
// same committed state, and none takes the write lock.
func (s *Store) view(ctx context.Context, fn func(rt *readTx) error) error {
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
