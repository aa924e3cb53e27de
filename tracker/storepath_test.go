package tracker

import (
	"context"
	"os"
	"path/filepath"
	"testing"
)

// A store path holding characters a SQLite URI reads as syntax ('#' starts a fragment,
// '?' the query) is that path: before, "…/seed#0/csprbot.db" opened "…/seed", one file
// shared by every test and every run.
func TestStorePathWithURISyntax(t *testing.T) {
	ctx := context.Background()
	for _, dir := range []string{"seed#0", "a?b", "100%"} {
		p := filepath.Join(t.TempDir(), dir, "csprbot.db")
		st, err := Open(ctx, p, (&testClock{}).Now, nil)
		if err != nil {
			t.Fatalf("Open(%q) = %v", p, err)
		}
		if _, err := st.DB().Exec(`INSERT INTO settings(key, value) VALUES ('probe', 'x')`); err != nil {
			t.Fatal(err)
		}
		st.Close()
		fi, err := os.Stat(p)
		if err != nil || fi.Size() == 0 {
			t.Errorf("store %q not written where asked: %v", p, err)
		}
	}
}
