//go:build !unix

package mailbox

import (
	"fmt"
	"os"
	"path/filepath"
)

// MapFile reads a spooled file whole where memory mapping is not available.
func MapFile(path string) (data []byte, unmap func(), err error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, fmt.Errorf("mailbox: map %s: %w", path, err)
	}
	return b, func() {}, nil
}

// openRunSpool makes this process's own spool folder under base, after removing
// anything left there (without file locks, one csprbot per store is assumed).
func openRunSpool(base string) (string, error) {
	if err := os.MkdirAll(base, 0o700); err != nil {
		return "", fmt.Errorf("mailbox: spool: %w", err)
	}
	entries, _ := os.ReadDir(base)
	for _, e := range entries {
		_ = os.RemoveAll(filepath.Join(base, e.Name()))
	}
	dir, err := os.MkdirTemp(base, "run-")
	if err != nil {
		return "", fmt.Errorf("mailbox: spool: %w", err)
	}
	return dir, nil
}
