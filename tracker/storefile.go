package tracker

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
)

// ErrStoreMoved means the store file csprbot opened is no longer the file at its path: it
// was deleted, or another file was put in its place, while csprbot had it open. Nothing
// more is committed, and nothing sent, until a person sorts it out: writes would go to a
// file nobody will read, and a new empty store would read the mailbox again and answer
// every message a second time.
var ErrStoreMoved = errors.New("the store file was deleted or replaced while csprbot had it open")

// storeFile is the identity of the store Open opened, checked cheaply before every
// commit and send:
//   - the file's device and inode (deleted, or another file renamed into its place);
//   - the store's own identity in the SQLite header, which a copy over the file in place
//     (cp keeps the inode) changes: each store has a random id (settings.store_id) whose
//     first 31 bits are its header's application_id, read from the file itself with one
//     pread (not through SQLite, whose write-ahead log would go on showing this store's
//     pages over the other file's);
//   - a high-water mark, the highest audit id this process has committed or seen: a store
//     put back to an earlier state of itself (a backup of the same store restored under
//     the running daemon) has fewer.
type storeFile struct {
	path string
	info os.FileInfo
	fd   *sharedFile // the database file, open (read-only) until the store closes

	mu     sync.Mutex
	app    uint32 // the header's application_id this store has (0: not known yet)
	onDisk bool   // app has been seen in the file itself (a checkpoint wrote it there)
	hwm    int64  // the highest audit id committed or seen

	once sync.Once
	gone chan struct{} // closed when the file is found moved
	err  error         // why; set before gone is closed
}

func identifyStore(path string) (*storeFile, error) {
	fd, fi, err := openShared(path)
	if err != nil {
		return nil, fmt.Errorf("tracker: open store: %w", err)
	}
	return &storeFile{path: path, info: fi, fd: fd, gone: make(chan struct{})}, nil
}

func (f *storeFile) close() error {
	if f == nil || f.fd == nil {
		return nil
	}
	return f.fd.release()
}

// sharedFile is one read-only descriptor of a database file for every Store this process
// has open on it, closed with the last of them. Closing any descriptor of a file drops
// every POSIX lock the process holds on it, SQLite's included (SQLite keeps its own
// descriptors for as long as any of its connections needs them): closed while another
// Store in this process still had the database open, a csprbot elsewhere could take
// itself for the last user of the store and remove the write-ahead log under it.
type sharedFile struct {
	*os.File
	key  fileKey
	refs int
}

type fileKey struct{ dev, ino uint64 }

var (
	sharedMu    sync.Mutex
	sharedFiles = map[fileKey]*sharedFile{}
)

func openShared(path string) (*sharedFile, os.FileInfo, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, nil, err
	}
	key, ok := keyOf(fi)
	sharedMu.Lock()
	defer sharedMu.Unlock()
	if sf := sharedFiles[key]; ok && sf != nil {
		sf.refs++
		return sf, fi, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	if ffi, err := f.Stat(); err != nil || !os.SameFile(fi, ffi) {
		f.Close() // replaced between the two looks: no SQLite lock on this one yet
		if err == nil {
			err = fmt.Errorf("%s was replaced while it was being opened", path)
		}
		return nil, nil, err
	}
	sf := &sharedFile{File: f, key: key, refs: 1}
	if ok {
		sharedFiles[key] = sf
	}
	return sf, fi, nil
}

func (sf *sharedFile) release() error {
	sharedMu.Lock()
	defer sharedMu.Unlock()
	sf.refs--
	if sf.refs > 0 {
		return nil
	}
	if sharedFiles[sf.key] == sf {
		delete(sharedFiles, sf.key)
	}
	return sf.File.Close()
}

// sqliteMagic begins every SQLite database file.
var sqliteMagic = []byte("SQLite format 3\x00")

// headerApp reads the application_id from the file's own header: ok is false if the file
// is too short or not a SQLite database.
func (f *storeFile) headerApp() (app uint32, ok bool, err error) {
	var h [100]byte
	n, err := f.fd.ReadAt(h[:], 0)
	if n < len(h) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, err
	}
	if !bytes.Equal(h[:16], sqliteMagic) {
		return 0, false, nil
	}
	return binary.BigEndian.Uint32(h[68:72]), true, nil
}

// check compares the file now at the path with the one opened.
func (f *storeFile) check() error {
	if f == nil {
		return nil
	}
	select {
	case <-f.gone:
		return f.err
	default:
	}
	fi, err := os.Stat(f.path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return f.moved("deleted")
	case err != nil:
		return fmt.Errorf("tracker: check the store file: %w", err)
	case !os.SameFile(f.info, fi):
		return f.moved("replaced by another file")
	}
	f.mu.Lock()
	want, onDisk := f.app, f.onDisk
	f.mu.Unlock()
	if want == 0 {
		return nil
	}
	app, ok, err := f.headerApp()
	switch {
	case err != nil:
		return fmt.Errorf("tracker: check the store file: %w", err)
	case ok && app == want:
		if !onDisk {
			f.mu.Lock()
			f.onDisk = true
			f.mu.Unlock()
		}
		return nil
	case ok && app != 0:
		return f.moved(fmt.Sprintf("overwritten in place by another store (its header says store %08x, this one is %08x)", app, want))
	case onDisk && !ok:
		return f.moved("overwritten in place by something that is not a SQLite database (empty or truncated?)")
	case onDisk:
		return f.moved("overwritten in place by a store that is not this one (its header has no store id)")
	}
	return nil // this store's id has not reached the file yet (no checkpoint since it was set)
}

// checkMark compares the store's last audit id (as tx, or a fresh read, sees it) with the
// highest this process has committed or seen.
func (f *storeFile) checkMark(last int64) error {
	if f == nil {
		return nil
	}
	f.mu.Lock()
	hwm := f.hwm
	f.mu.Unlock()
	return f.checkMarkAt(last, hwm)
}

// checkMarkAt compares last with hwm, a high-water mark taken before last was read.
func (f *storeFile) checkMarkAt(last, hwm int64) error {
	if last < hwm {
		return f.moved(fmt.Sprintf("rolled back to an earlier state (its audit trail ends at %d; this csprbot has seen it reach %d): a backup put in its place?", last, hwm))
	}
	return nil
}

// mark raises the high-water mark to last (a commit that saw it succeeded).
func (f *storeFile) mark(last int64) {
	if f == nil {
		return
	}
	f.mu.Lock()
	if last > f.hwm {
		f.hwm = last
	}
	f.mu.Unlock()
}

func (f *storeFile) moved(what string) error {
	f.once.Do(func() {
		f.err = fmt.Errorf("tracker: %w: %s was %s; stopping so that nothing is recorded in, or sent on the word of, a file nobody will read: put the store back and start csprbot again (csprbot init makes a new empty one, which would read the mailbox afresh)",
			ErrStoreMoved, f.path, what)
		close(f.gone)
	})
	return f.err
}

// lastAuditQuery is the high-water mark's read: one step down the audit table's rowid.
const lastAuditQuery = `SELECT coalesce(max(id), 0) FROM audit`

// stampIdentity gives the store its identity if it has none (a random store id, and its
// first 31 bits as the header's application_id), learns it, and asks SQLite to copy the
// write-ahead log into the file so that the header there carries it.
func (s *Store) stampIdentity(ctx context.Context) error {
	id, err := s.setting(ctx, "store_id", func() string { return randomHex(16) })
	if err != nil {
		return err
	}
	b, err := hex.DecodeString(id)
	if err != nil || len(b) < 4 {
		return fmt.Errorf("tracker: store id %q is not hex", id)
	}
	var app int64
	if err := s.db.QueryRowContext(ctx, `PRAGMA application_id`).Scan(&app); err != nil {
		return fmt.Errorf("tracker: store id: %w", err)
	}
	if app == 0 {
		app = int64(binary.BigEndian.Uint32(b)&0x7fffffff | 1)
		if _, err := s.db.ExecContext(ctx, fmt.Sprintf(`PRAGMA application_id = %d`, app)); err != nil {
			return fmt.Errorf("tracker: store id: %w", err)
		}
	}
	var last int64
	if err := s.db.QueryRowContext(ctx, lastAuditQuery).Scan(&last); err != nil {
		return fmt.Errorf("tracker: store id: %w", err)
	}
	// A reader elsewhere may keep the checkpoint from reaching the header now; the header
	// is learnt later then (check), and an autocheckpoint writes it in time.
	_, _ = s.db.ExecContext(ctx, `PRAGMA wal_checkpoint(PASSIVE)`)
	s.file.mu.Lock()
	s.file.app, s.file.hwm = uint32(app), last
	s.file.mu.Unlock()
	s.storeID = id
	return s.file.check()
}

// StoreID is the store's random identity (settings.store_id), the same in its backups.
func (s *Store) StoreID() string { return s.storeID }

// CheckFile returns ErrStoreMoved (wrapped, with the path) if the store file at the path
// is no longer the one opened: deleted, replaced, overwritten in place by another store
// or by an earlier state of this one. Every transaction checks it before it commits;
// the sender before each round; the daemon each cycle.
func (s *Store) CheckFile() error {
	if err := s.file.check(); err != nil {
		return err
	}
	if s.file == nil || s.rd == nil {
		return nil
	}
	// The mark is taken before the read: a commit elsewhere in this process between the
	// two raises it past what the read saw, and would look like a rollback.
	s.file.mu.Lock()
	hwm := s.file.hwm
	s.file.mu.Unlock()
	var last int64
	if err := s.rd.db.QueryRow(lastAuditQuery).Scan(&last); err != nil {
		return fmt.Errorf("tracker: check the store file: %w", err)
	}
	return s.file.checkMarkAt(last, hwm)
}

// checkFileTx is CheckFile inside tx, just before it commits; it returns the last
// audit id tx sees, for the high-water mark once the commit succeeds.
func (s *Store) checkFileTx(ctx context.Context, tx *sql.Tx) (int64, error) {
	if err := s.file.check(); err != nil {
		return 0, err
	}
	if s.file == nil {
		return 0, nil
	}
	var last int64
	if err := tx.QueryRowContext(ctx, lastAuditQuery).Scan(&last); err != nil {
		return 0, err
	}
	return last, s.file.checkMark(last)
}

// FileGone is closed once the store file has been found deleted or replaced (by CheckFile
// or a transaction); the daemon stops on it.
func (s *Store) FileGone() <-chan struct{} {
	if s.file == nil {
		return nil
	}
	return s.file.gone
}

// sidecar is the path of a file kept beside the store (the send lock, the outcome
// journal): beside its real path, symlinks resolved, so that every csprbot on the same
// store, whatever name it was given, finds the same file.
func (s *Store) sidecar(suffix string) string {
	p := s.path
	if r, err := filepath.EvalSymlinks(p); err == nil {
		p = r
	}
	return p + suffix
}

// ErrNotAStore means a file is at the store's path but it is not a csprbot store: empty
// (a failed restore, a truncated copy, `touch`), not a SQLite database, or a SQLite
// database csprbot never made.
var ErrNotAStore = errors.New("not a csprbot store")

// ErrEmptyStore is the ErrNotAStore of an empty file (0 bytes, no write-ahead log), the
// one case `csprbot init` may make a store in.
var ErrEmptyStore = fmt.Errorf("%w: the file is empty", ErrNotAStore)

// ProbeStore says whether the file at path is a csprbot store, without creating,
// migrating or writing anything: nil if it is; an error wrapping ErrNotAStore (or
// ErrEmptyStore) if something else is there; fs.ErrNotExist if nothing is. Every command
// but `csprbot init` (and run or demo on the embedded default) asks it first: Open would
// make a fresh schema in whatever it is given, which then reads the mailbox afresh and
// answers every message a second time.
func ProbeStore(ctx context.Context, path string) error {
	fi, err := os.Stat(path)
	if err != nil {
		return err
	}
	if fi.IsDir() {
		return fmt.Errorf("%w: %s is a folder", ErrNotAStore, path)
	}
	if fi.Size() == 0 {
		if wal, err := os.Stat(path + "-wal"); err != nil || wal.Size() == 0 {
			return fmt.Errorf("%w (%s)", ErrEmptyStore, path)
		}
	}
	// Read through SQLite only: a descriptor of our own, closed, would drop the locks of
	// any Store this process has open on the file (sharedFile).
	// Nothing is created beside it either (readOnlyDSN).
	dsn, _ := readOnlyDSN(path)
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	var version, settings int
	if err := db.QueryRowContext(ctx, `PRAGMA user_version`).Scan(&version); err != nil {
		if storeUnavailable(err) {
			return fmt.Errorf("tracker: probe the store: %w", err)
		}
		return fmt.Errorf("%w: %s cannot be read as a SQLite database: %v", ErrNotAStore, path, err)
	}
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'settings'`).Scan(&settings); err != nil {
		return fmt.Errorf("tracker: probe the store: %w", err)
	}
	if version == 0 || settings == 0 {
		return fmt.Errorf("%w: %s is a SQLite database csprbot did not make (schema %d, no settings)", ErrNotAStore, path, version)
	}
	return nil
}
