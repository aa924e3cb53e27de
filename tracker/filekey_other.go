//go:build !unix

package tracker

import "os"

// keyOf: no device and inode here; each Store keeps its own descriptor.
func keyOf(os.FileInfo) (fileKey, bool) { return fileKey{}, false }
