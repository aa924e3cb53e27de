//go:build unix

package mailbox

import (
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"syscall"
)

// MapFile maps a spooled file read-only into memory: the kernel pages in only what is
// read (a .docx's parts, not the image beside them) and none of it is Go heap. Call
// unmap when done, and keep no slice of data past it.
func MapFile(path string) (data []byte, unmap func(), err error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, fmt.Errorf("mailbox: map %s: %w", path, err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, nil, fmt.Errorf("mailbox: map: %w", err)
	}
	if st.Size() == 0 {
		return []byte{}, func() {}, nil
	}
	// Private and writable: a reader that writes into its input gets its own copy of
	// the page instead of a fault.
	b, err := syscall.Mmap(int(f.Fd()), 0, int(st.Size()), syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_PRIVATE)
	if err != nil {
		return nil, nil, fmt.Errorf("mailbox: map: %w", err)
	}
	return b, func() { _ = syscall.Munmap(b) }, nil
}

// openRunSpool makes this process's own spool folder under base (owner-only), holding
// an flock on it for as long as the process lives, after removing the folders of
// csprbots that are no longer running (a message they were reading is not recorded, so
// it is fetched again) and any loose file.
//
// The sweep and the making of the new folder with its lock happen under an flock on
// base/.lock, so that two csprbots starting at once never take each other's new folder
// (made, not yet locked) for one left by a start that died.
func openRunSpool(base string) (string, error) {
	if err := os.MkdirAll(base, 0o700); err != nil {
		return "", fmt.Errorf("mailbox: spool: %w", err)
	}
	bl, err := os.OpenFile(filepath.Join(base, baseLock), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return "", fmt.Errorf("mailbox: spool: %w", err)
	}
	defer bl.Close() // releases the flock
	if err := flock(bl, syscall.LOCK_EX); err != nil {
		return "", fmt.Errorf("mailbox: spool: lock %s: %w", base, err)
	}
	entries, err := os.ReadDir(base)
	if err != nil {
		return "", fmt.Errorf("mailbox: spool: %w", err)
	}
	for _, e := range entries {
		if e.Name() == baseLock {
			continue
		}
		p := filepath.Join(base, e.Name())
		if !e.IsDir() {
			_ = os.Remove(p)
			continue
		}
		lf, err := os.Open(filepath.Join(p, "lock"))
		if err != nil {
			_ = os.RemoveAll(p) // never got its lock: left by a start that died at once
			continue
		}
		if flock(lf, syscall.LOCK_EX|syscall.LOCK_NB) == nil {
			_ = os.RemoveAll(p) // its csprbot is gone
		}
		lf.Close()
	}
	dir, err := os.MkdirTemp(base, "run-")
	if err != nil {
		return "", fmt.Errorf("mailbox: spool: %w", err)
	}
	lf, err := os.OpenFile(filepath.Join(dir, "lock"), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		_ = os.RemoveAll(dir)
		return "", fmt.Errorf("mailbox: spool: %w", err)
	}
	if err := flock(lf, syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		lf.Close()
		_ = os.RemoveAll(dir)
		return "", fmt.Errorf("mailbox: spool: lock: %w", err)
	}
	// lf stays open (and locked) until the process exits: held refers to it, or its
	// finalizer would close it, and drop the lock, at the next garbage collection.
	held.Lock()
	held.files = append(held.files, lf)
	held.Unlock()
	return dir, nil
}

// held keeps the run folders' lock files open for the life of the process. An *os.File
// nobody refers to is closed by its finalizer at the next garbage collection, and its
// flock goes with it: another csprbot's sweep would then take the folder for one whose
// csprbot is gone and remove it under us.
var held struct {
	sync.Mutex
	files []*os.File
}

// baseLock is the file in the spool folder whose flock covers sweeping and making run
// folders.
const baseLock = ".lock"

// flock is syscall.Flock, tried again when a signal interrupts it.
func flock(f *os.File, how int) error {
	for {
		err := syscall.Flock(int(f.Fd()), how)
		if err != syscall.EINTR {
			return err
		}
	}
}
