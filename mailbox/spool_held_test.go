//go:build unix

package mailbox

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"
)

// The daemon's run folder stays locked for the life of the process, garbage collections
// included: a second start's sweep (run --once beside the daemon, or the daemon's
// restart overlapping the old one) must not take it for a dead one and remove it.
func TestRunSpoolStaysLockedAcrossGC(t *testing.T) {
	base := filepath.Join(t.TempDir(), "store.db.spool")
	dir, err := openRunSpool(base)
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		runtime.GC()
		time.Sleep(10 * time.Millisecond) // finalizers run on their own goroutine
	}
	if _, err := openRunSpool(base); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "lock")); err != nil {
		t.Fatalf("the first start's run folder was swept after a garbage collection: %v", err)
	}
}
