//go:build unix

package mailbox

import (
	"os"
	"path/filepath"
	"sync"
	"testing"
)

// Two csprbots on one store (two daemons watching one mailbox, or a daemon and a
// `run --once`) fetch their first body at the same moment, as they do when one new
// message arrives: each makes its run folder under the shared spool folder, and each
// one's sweep (openRunSpool) removes the other's folder in the moment between
// os.MkdirTemp and the lock file, because a folder without a lock file is taken for one
// "left by a start that died at once". The loser's spool() fails, and Watcher.spool keeps
// that error for the life of the process (sync.Once): it never takes in mail again.
// Fixed: the sweep and the making of a run folder with its lock happen under an flock on
// the spool folder's .lock file.
func TestReader11TwoStartsShareOneSpoolFolder(t *testing.T) {
	base := filepath.Join(t.TempDir(), "store.db.spool")
	for i := 0; i < 300; i++ {
		var wg sync.WaitGroup
		dirs := make([]string, 2)
		errs := make([]error, 2)
		for j := range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				dirs[j], errs[j] = openRunSpool(base)
			}()
		}
		wg.Wait()
		for j := range 2 {
			if errs[j] != nil {
				t.Fatalf("round %d: start %d: %v", i, j, errs[j])
			}
			if _, err := os.Stat(filepath.Join(dirs[j], "lock")); err != nil {
				t.Fatalf("round %d: start %d's run folder was swept by the other start: %v", i, j, err)
			}
		}
	}
}
