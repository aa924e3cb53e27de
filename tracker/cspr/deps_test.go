package cspr_test

import (
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// TestLeafPackages holds the layout's promise: cspr imports nothing of csprbot's, and
// mailbox and templates (which render and send what the tracker decides) never pull in
// the tracker, database/sql or SQLite behind it.
func TestLeafPackages(t *testing.T) {
	gobin := filepath.Join(runtime.GOROOT(), "bin", "go")
	deps := func(pkg string) []string {
		out, err := exec.Command(gobin, "list", "-deps", pkg).Output()
		if err != nil {
			t.Fatalf("go list -deps %s: %v", pkg, err)
		}
		return strings.Fields(string(out))
	}
	const mod = "github.com/lewisham-lscp/csprbot/"
	for _, d := range deps("github.com/lewisham-lscp/csprbot/tracker/cspr") {
		if strings.HasPrefix(d, mod) && d != mod+"tracker/cspr" {
			t.Errorf("tracker/cspr imports %s: it must import nothing of ours", d)
		}
	}
	for _, pkg := range []string{"mailbox", "mailbox/devserver", "templates"} {
		for _, d := range deps(mod + pkg) {
			if d == mod+"tracker" || d == "database/sql" || strings.HasPrefix(d, "modernc.org/sqlite") {
				t.Errorf("%s depends on %s: it must use tracker/cspr, never the store", pkg, d)
			}
		}
	}
}
