package main

import (
	"context"
	"strings"
	"testing"
)

// BenchmarkReadCommands10k times the read commands whose path issue 11.3 moved to the
// read-only open (tracker.OpenRead): cases --json and case REF status, each run whole as a
// person runs it, on the 10,000-case store of BenchmarkQueries10k.
//
//	go test ./cmd/csprbot -run '^$' -bench ReadCommands10k -benchtime 5x
func BenchmarkReadCommands10k(b *testing.B) {
	cfgPath, ref := bigStore(b, 10000, 10)
	const now = "2026-12-21T09:00:00Z"
	for _, bc := range []struct {
		name string
		args []string
	}{
		{"cases", []string{"cases"}},
		{"cases-json", []string{"cases", "--json"}},
		{"case-REF-status", []string{"case", ref, "status"}},
		{"digest", []string{"digest"}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			args := append(append([]string{}, bc.args...), "--config", cfgPath, "--now", now)
			var errb strings.Builder
			cpu := cpuTime()
			for i := 0; i < b.N; i++ {
				n := &countWriter{}
				if code := Main(context.Background(), args, n, &errb); code != 0 {
					b.Fatalf("csprbot %s = exit %d: %s", strings.Join(args, " "), code, errb.String())
				}
			}
			reportCPU(b, cpu)
		})
	}
}
