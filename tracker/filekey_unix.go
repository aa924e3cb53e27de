//go:build unix

package tracker

import (
	"os"
	"syscall"
)

// keyOf is a file's device and inode, to share one descriptor per file (sharedFile).
func keyOf(fi os.FileInfo) (fileKey, bool) {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return fileKey{}, false
	}
	return fileKey{dev: uint64(st.Dev), ino: uint64(st.Ino)}, true
}
