package tracker

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strconv"
	"strings"
)

// ErrNewerStore: the store was written by a newer csprbot than this one.
var ErrNewerStore = errors.New("store written by a newer csprbot")

// SchemaVersion is the newest schema this binary knows: the number of its last
// migration, which PRAGMA user_version records in every store it has migrated.
func SchemaVersion() int {
	entries, err := fs.ReadDir(migrations, "migrations")
	if err != nil {
		return 0
	}
	newest := 0
	for _, e := range entries {
		if n, err := strconv.Atoi(strings.SplitN(e.Name(), "_", 2)[0]); err == nil && n > newest {
			newest = n
		}
	}
	return newest
}

// refuseNewer stops an older binary from opening a store a newer one has migrated: it
// would not know the newer tables' rules and could undo what they record. Going back to
// an older version means restoring a backup taken before the upgrade.
func refuseNewer(path string, version int) error {
	if known := SchemaVersion(); version > known {
		return fmt.Errorf("tracker: %w: %s has schema version %d but this csprbot knows only up to %d; run the newer csprbot (or restore a backup taken before the upgrade)", ErrNewerStore, path, version, known)
	}
	return nil
}

// StoreVersion reads the schema version of the store at path without changing it (a
// read-only connection: safe beside the running daemon).
func StoreVersion(ctx context.Context, path string) (int, error) {
	dsn, _ := readOnlyDSN(path)
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return 0, fmt.Errorf("tracker: store version: %w", err)
	}
	defer db.Close()
	var v int
	if err := db.QueryRowContext(ctx, `PRAGMA user_version`).Scan(&v); err != nil {
		return 0, fmt.Errorf("tracker: store version: %w", err)
	}
	return v, nil
}

// backupBeforeMigrate copies a store about to be upgraded from schema from to schema to,
// beside it (owner-only), so that going back means stopping csprbot, putting the copy in
// place and running the older binary. A copy already there from an interrupted upgrade
// of the same schema is kept.
func (s *Store) backupBeforeMigrate(ctx context.Context, from, to int) error {
	dest := fmt.Sprintf("%s.schema-%d.bak", s.path, from)
	if _, err := os.Stat(dest); err == nil {
		return nil
	}
	if err := vacuumInto(ctx, s.db, dest); err != nil {
		return fmt.Errorf("tracker: upgrading the store from schema %d to %d needs a copy first, which failed (nothing was changed): %w", from, to, err)
	}
	s.Log.Info("upgrading the store; a copy of the old one is kept", "from_schema", from, "to_schema", to, "copy", dest)
	return nil
}
