package tracker

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"time"
)

// ErrOlderStore: the store is at an older schema than this csprbot reads. Only the
// daemon (or a command that changes the store) upgrades it: a command that only reads
// never does, since an older daemon may be running on it.
var ErrOlderStore = errors.New("store at an older schema than this csprbot reads")

// OpenRead opens an existing store for reading only, for the commands that only read
// (csprbot cases, case REF, case REF status, digest). Unlike Open it creates no file,
// migrates nothing, writes nothing and takes no write lock: its one handle is the
// read-only one (readDB), so a report never waits for the daemon nor holds it up, and it
// works on a copy of the store on a read-only filesystem. A missing store is an error
// wrapping fs.ErrNotExist; a store at another schema than this binary's is refused
// (ErrNewerStore, ErrOlderStore): it is never upgraded from here.
func OpenRead(ctx context.Context, path string, now func() time.Time, log *slog.Logger) (*Store, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("tracker: open store for reading: %w", err)
	}
	if fi.IsDir() {
		return nil, fmt.Errorf("tracker: open store for reading: %w: %s is a folder", ErrNotAStore, path)
	}
	rd, err := openReadOnly(path)
	if err != nil {
		return nil, err
	}
	s := &Store{db: rd.db, rd: rd, path: path, Now: now, Log: log.With("component", "tracker"), readOnly: true}
	if err := s.checkReadSchema(ctx); err != nil {
		rd.close()
		return nil, err
	}
	// The identity, if the store has one: read, never made here.
	if err := rd.db.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = 'store_id'`).Scan(&s.storeID); err != nil && !errors.Is(err, sql.ErrNoRows) {
		rd.close()
		return nil, fmt.Errorf("tracker: open store for reading: %w", err)
	}
	return s, nil
}

// checkReadSchema refuses a store at a schema other than this binary's: a newer one as
// Open does (refuseNewer); an older one because the read queries are this schema's and
// upgrading it is the daemon's work, not a report's.
func (s *Store) checkReadSchema(ctx context.Context) error {
	var version int
	if err := s.rd.db.QueryRowContext(ctx, `PRAGMA user_version`).Scan(&version); err != nil {
		return fmt.Errorf("tracker: open store for reading: %w", err)
	}
	if err := refuseNewer(s.path, version); err != nil {
		return err
	}
	if known := SchemaVersion(); version < known {
		return fmt.Errorf("tracker: %w: the store at %s is at schema %d; this csprbot reads schema %d only; the daemon (`csprbot run`) of this csprbot upgrades it (keeping a copy of the old one), and a command that only reads never does", ErrOlderStore, s.path, version, known)
	}
	return nil
}

// openReadOnly opens the read handle on an existing store (readDSN): see readOnlyDSN for
// a store with no write-ahead log beside it.
func openReadOnly(path string) (*readDB, error) {
	for try := 0; ; try++ {
		wal, shm := sidecars(path)
		if !wal || shm {
			break
		}
		// A -wal without its -shm is also, for a moment, a csprbot opening or closing the
		// store: give it that moment; one still so is a copy (openPrivateCopy).
		time.Sleep(20 * time.Millisecond)
		if wal, shm := sidecars(path); !wal || shm {
			continue
		}
		rd, err := openPrivateCopy(path)
		if err != nil && errors.Is(err, fs.ErrNotExist) && try < 5 {
			continue // the files changed while they were copied: look again
		}
		return rd, err
	}
	dsn, immutable := readOnlyDSN(path)
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("tracker: open store for reading: %w", err)
	}
	rd := &readDB{db: db, stmts: map[string]*sql.Stmt{}, immutable: immutable}
	if immutable {
		rd.file, _ = os.Stat(path)
		rd.sidecars = walGone(path)
	}
	return rd, nil
}

// changedUnder: the store read as immutable may have changed under the read: a csprbot
// has it open for writing (its -wal or -shm is there), or had it and closed it again
// (the file is not as it was when opened).
func (r *readDB) changedUnder(path string) bool {
	if r.tmpDir != "" {
		// A private copy: read again if the store or its log is not as it was copied
		// (a csprbot opened it meanwhile).
		wal, shm := sidecars(path)
		return !wal || shm || changedFile(path, r.file) || changedFile(path+"-wal", r.walFile)
	}
	if !r.immutable {
		return false
	}
	if wal, _ := sidecars(path); wal || r.sidecars != walGone(path) {
		return true // a csprbot has it open now, or the files beside it are not as they were
	}
	return changedFile(path, r.file)
}

// changedFile: the file at path is not the one was (gone, replaced, written).
func changedFile(path string, was os.FileInfo) bool {
	fi, err := os.Stat(path)
	return err != nil || was == nil || !os.SameFile(fi, was) || !fi.ModTime().Equal(was.ModTime()) || fi.Size() != was.Size()
}

// readOnlyDSN is the DSN to read the store at path without creating anything beside it.
//
// A read-only connection to a WAL database needs the -wal and -shm files: when they are
// there (the daemon, or any csprbot, has the store open) SQLite reads through them, even
// on a read-only filesystem (it keeps the shared memory on the heap then). When neither is
// there (nobody has the store open: SQLite removes both when the last connection closes)
// SQLite would create them, which a read-only filesystem refuses and which, by another
// user (root running a report), would leave files the daemon cannot open. The database
// file alone is then the whole store, and it is read as immutable (no locks, no -shm, no
// -wal). A daemon starting meanwhile would change the file under the read: readAgain
// notices its -wal and -shm appear and reads again through them.
func readOnlyDSN(path string) (dsn string, immutable bool) {
	wal, shm := sidecars(path)
	switch {
	case !wal && !shm:
		return readDSN(path) + "&immutable=1", true
	case !wal && shm:
		// An index without a log: there is no log to read, and the database file is the
		// whole store; read as immutable, as with neither.
		return readDSN(path) + "&immutable=1", true
	}
	return readDSN(path), false
}

// walGone: neither the store's -wal nor its -shm is there.
func walGone(path string) bool {
	wal, shm := sidecars(path)
	return !wal && !shm
}

// sidecars: whether the store's -wal and its -shm are there.
func sidecars(path string) (wal, shm bool) {
	there := func(p string) bool {
		_, err := os.Lstat(p)
		return !errors.Is(err, fs.ErrNotExist)
	}
	return there(path + "-wal"), there(path + "-shm")
}

// readAgain runs read, and once more on a new handle if the store was read as immutable
// and a csprbot opened it for writing meanwhile (changedUnder): what the first read saw
// may then be half changed. read must set what it reads, not add to it.
func (s *Store) readAgain(read func() error) error {
	err := read()
	// Each new read may be immutable too (the csprbot that changed the file has closed it
	// again): it is checked like the first, until one is read with nothing changing under it.
	for range maxReadAgain {
		if s.rd == nil || !s.rd.changedUnder(s.path) {
			return err
		}
		rd, oerr := openReadOnly(s.path)
		if oerr != nil {
			return oerr
		}
		old := s.rd
		s.rd = rd
		if s.db == old.db {
			s.db = rd.db
		}
		old.close()
		err = read()
	}
	if s.rd != nil && s.rd.changedUnder(s.path) {
		return fmt.Errorf("tracker: the store changed under %d reads in a row (a csprbot opening and closing it): try again", maxReadAgain+1)
	}
	return err
}

// maxReadAgain is how many times readAgain reads again before it gives up.
const maxReadAgain = 5

// openPrivateCopy reads a store that has a write-ahead log but not its index (a copy
// taken while a csprbot had the store open, by a tool that left the -shm behind; no live
// connection has one without the other). SQLite would have to create the -shm beside the
// store to read the log, which a read command never does (a read-only filesystem, another
// user's folder), and reading the file alone would miss the log's commits. So the store
// and its log are copied into a private folder and read there; the copy goes when the
// handle closes.
func openPrivateCopy(path string) (*readDB, error) {
	dir, err := os.MkdirTemp("", "csprbot-read-")
	if err != nil {
		return nil, fmt.Errorf("tracker: open store for reading: a private copy (its -wal has no -shm): %w", err)
	}
	cp := filepath.Join(dir, "csprbot.db")
	file, _ := os.Stat(path)
	walFile, _ := os.Stat(path + "-wal")
	for _, suffix := range []string{"", "-wal"} {
		if err := copyFile(path+suffix, cp+suffix); err != nil {
			os.RemoveAll(dir)
			return nil, fmt.Errorf("tracker: open store for reading: a private copy (its -wal has no -shm): %w", err)
		}
	}
	db, err := sql.Open("sqlite", readDSN(cp))
	if err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("tracker: open store for reading: %w", err)
	}
	return &readDB{db: db, stmts: map[string]*sql.Stmt{}, tmpDir: dir, file: file, walFile: walFile}, nil
}

// copyFile copies src to dst (owner-only).
func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
