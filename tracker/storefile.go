package tracker

import (
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

// storeFile is the identity (device and inode) of the file Open opened.
type storeFile struct {
	path string
	info os.FileInfo

	once sync.Once
	gone chan struct{} // closed when the file is found moved
	err  error         // why; set before gone is closed
}

func identifyStore(path string) (*storeFile, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("tracker: open store: %w", err)
	}
	return &storeFile{path: path, info: fi, gone: make(chan struct{})}, nil
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
	var what string
	switch {
	case errors.Is(err, fs.ErrNotExist):
		what = "deleted"
	case err != nil:
		return fmt.Errorf("tracker: check the store file: %w", err)
	case !os.SameFile(f.info, fi):
		what = "replaced by another file"
	default:
		return nil
	}
	f.once.Do(func() {
		f.err = fmt.Errorf("tracker: %w: %s was %s; stopping so that nothing is recorded in, or sent on the word of, a file nobody will read: put the store back and start csprbot again (csprbot init makes a new empty one, which would read the mailbox afresh)",
			ErrStoreMoved, f.path, what)
		close(f.gone)
	})
	return f.err
}

// CheckFile returns ErrStoreMoved (wrapped, with the path) if the store file at the path
// is no longer the one opened: deleted, or replaced. Every transaction checks it before
// it commits; the daemon checks it each cycle.
func (s *Store) CheckFile() error { return s.file.check() }

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
