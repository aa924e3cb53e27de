package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"time"
)

// A store leaves a trace beside it, a small owner-only file written when it is created.
// `run --config` on a first installation (no store, no trace) creates the store as
// `csprbot init` would, so `csprbot run --config FILE` works on a fresh machine as cli.md
// says; a store that was there (its trace is) and is gone is an accident to notice, never
// papered over with an empty store that would read the mailbox again and answer every
// message a second time.

func tracePath(store string) string { return store + ".created" }

// storeWasHere reports whether a store was ever created at this path.
func storeWasHere(store string) bool {
	_, err := os.Stat(tracePath(store))
	return err == nil || !errors.Is(err, fs.ErrNotExist)
}

// leaveTrace records that a store was created at this path.
func leaveTrace(store string, at time.Time) error {
	f, err := os.OpenFile(tracePath(store), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("store trace: %w", err)
	}
	_, werr := fmt.Fprintf(f, "a csprbot store was created at %s on %s; if the store is missing, put it back from a backup\n", store, at.UTC().Format(time.RFC3339))
	return errors.Join(werr, f.Sync(), f.Close())
}
