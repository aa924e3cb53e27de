//go:build unix

package tracker

import (
	"errors"
	"os"
	"syscall"
)

// lockSending takes the store's send lock without waiting: ok is false if another sender
// holds it. The lock (flock on a file beside the database) belongs to the open file, so it
// is released by unlock, or by the kernel if the process dies. The file sits beside the
// database's real path (symlinks resolved), so a second csprbot that reaches the store
// by another name (/etc/csprbot/csprbot.db -> /var/lib/csprbot/csprbot.db) takes the same
// lock. (Not a flock on the database file itself: closing any descriptor of that file
// drops SQLite's own POSIX locks on it.)
func (s *Store) lockSending() (unlock func(), ok bool, err error) {
	if s.path == "" {
		return func() {}, true, nil
	}
	f, err := os.OpenFile(s.sidecar("-sendlock"), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, false, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, false, nil
		}
		return nil, false, err
	}
	return func() { f.Close() }, true, nil
}
